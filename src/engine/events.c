/* The engine's output queue: events and the arena holding their payloads until drained. */
#include "engine/internal.h"

#include <stdlib.h>
#include <string.h>

/* Reserves n bytes (8-aligned) in the arena; returns the offset, or SIZE_MAX. */
static size_t arena_put(sb_engine *e, const void *p, size_t n) {
    size_t off = (e->arena_len + 7) & ~(size_t)7;
    if (off + n > e->arena_cap) {
        size_t cap = e->arena_cap ? e->arena_cap : 65536;
        while (off + n > cap)
            cap *= 2;
        char *a = realloc(e->arena, cap);
        if (!a) return SIZE_MAX;
        e->arena = a;
        e->arena_cap = cap;
    }
    memcpy(e->arena + off, p, n);
    e->arena_len = off + n;
    return off;
}

static sb_qev *push(sb_engine *e) {
    if (e->qlen == e->qcap) {
        size_t cap = e->qcap ? e->qcap * 2 : 256;
        sb_qev *q = realloc(e->q, cap * sizeof *q);
        if (!q) return NULL;
        e->q = q;
        e->qcap = cap;
    }
    sb_qev *q = &e->q[e->qlen++];
    memset(q, 0, sizeof *q);
    q->ev.at_ms = e->now;
    return q;
}

void sb__emit(sb_engine *e, sb_event_type type, sb_call *c, int status, uint64_t value,
              const char *text) {
    sb_qev *q = push(e);
    if (!q) return;
    q->ev.type = type;
    q->ev.status = status;
    q->ev.value = value;
    q->ev.text = text;
    if (c) {
        q->ev.call = c->handle;
        if (type == SB_EV_CALL_ENDED && c->stats.end_ms == 0) c->stats.end_ms = e->now;
        q->stats_off = arena_put(e, &c->stats, sizeof c->stats);
        q->has_stats = q->stats_off != SIZE_MAX;
    }
}

void sb__emit_retransmit(sb_engine *e, sb_call *c, const sb_addr *to, const char *what, int status,
                         uint32_t count) {
    size_t before = e->qlen;
    sb__emit(e, SB_EV_RETRANSMIT, c, status, count, what);
    if (e->qlen > before) e->q[e->qlen - 1].ev.addr = *to;
}

void sb__send(sb_engine *e, const sb_addr *to, const char *data, size_t len) {
    e->stats.msgs_sent++;
    sb_qev *q = push(e);
    if (!q) return;
    q->ev.type = SB_EV_SEND;
    q->ev.addr = *to;
    q->ev.len = len;
    q->data_off = arena_put(e, data, len);
    if (q->data_off == SIZE_MAX)
        e->qlen--; /* out of memory: the datagram is lost, like on a wire */
}

const sb_event *sb_engine_next_event(sb_engine *e) {
    if (e->qhead == e->qlen) {
        e->qhead = e->qlen = 0;
        e->arena_len = 0;
        return NULL;
    }
    sb_qev *q = &e->q[e->qhead++];
    e->out = q->ev;
    if (q->ev.type == SB_EV_SEND) e->out.data = (const uint8_t *)e->arena + q->data_off;
    e->out.stats = q->has_stats ? (const sb_call_stats *)(e->arena + q->stats_off) : NULL;
    return &e->out;
}
