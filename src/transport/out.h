/* The transport layer: where the engine's output goes. Every datagram to send and every event
 * for the application waits in one queue, with an arena holding the bytes they point to, until
 * the shell drains it (sb_engine_next_event). UDP only for now: "sending" a datagram is
 * queueing it with its destination; a stream transport would frame it here. */
#ifndef SB_TRANSPORT_OUT_H
#define SB_TRANSPORT_OUT_H

#include "sipbeat/engine.h"

#include <stddef.h>

#define SB_MAX_OUT 8192 /* largest message we build */

typedef struct {
    sb_event ev;
    size_t data_off;  /* into the arena, for SEND */
    size_t stats_off; /* a call's record, or a registration's when is_reg */
    bool has_stats, is_reg;
} sb_qev;

typedef struct {
    sb_qev *q;
    size_t qhead, qlen, qcap;
    char *arena;
    size_t arena_len, arena_cap;
    sb_event out;       /* the event handed out last */
    uint64_t now;       /* time stamp of the events pushed now */
    uint64_t msgs_sent; /* datagrams queued, for the engine's counters */
} sb_out;

void sb_out_free(sb_out *o);
/* A new event at o->now, zeroed but for its time, or NULL when memory ran out (the event is
 * lost and the caller carries on, like a datagram lost on the wire). */
sb_qev *sb_out_push(sb_out *o);
/* Copies n bytes into the arena (8-aligned); the offset, or SIZE_MAX when memory ran out. */
size_t sb_out_put(sb_out *o, const void *p, size_t n);
/* Queues a datagram to `to` (SB_EV_SEND); the bytes are copied. */
void sb_out_send(sb_out *o, const sb_addr *to, const char *data, size_t len);
/* The next queued event, or NULL when the queue is empty (which also resets the arena). The
 * event and what it points to stay valid until the next push. */
const sb_event *sb_out_next(sb_out *o);

#endif
