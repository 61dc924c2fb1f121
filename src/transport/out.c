/* The engine's output queue: events, and the arena holding their payloads until drained. */
#include "transport/out.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void sb_out_free(sb_out *o) {
    free(o->q);
    free(o->arena);
    memset(o, 0, sizeof *o);
}

size_t sb_out_put(sb_out *o, const void *p, size_t n) {
    size_t off = (o->arena_len + 7) & ~(size_t)7;
    if (off + n > o->arena_cap) {
        size_t cap = o->arena_cap ? o->arena_cap : 65536;
        while (off + n > cap)
            cap *= 2;
        char *a = realloc(o->arena, cap);
        if (!a) return SIZE_MAX;
        o->arena = a;
        o->arena_cap = cap;
    }
    memcpy(o->arena + off, p, n);
    o->arena_len = off + n;
    return off;
}

sb_qev *sb_out_push(sb_out *o) {
    if (o->qlen == o->qcap) {
        size_t cap = o->qcap ? o->qcap * 2 : 256;
        sb_qev *q = realloc(o->q, cap * sizeof *q);
        if (!q) return NULL;
        o->q = q;
        o->qcap = cap;
    }
    sb_qev *q = &o->q[o->qlen++];
    memset(q, 0, sizeof *q);
    q->ev.at_ms = o->now;
    return q;
}

void sb_out_send(sb_out *o, const sb_addr *to, const char *data, size_t len) {
    o->msgs_sent++;
    sb_qev *q = sb_out_push(o);
    if (!q) return;
    q->ev.type = SB_EV_SEND;
    q->ev.addr = *to;
    q->ev.len = len;
    q->data_off = sb_out_put(o, data, len);
    if (q->data_off == SIZE_MAX)
        o->qlen--; /* out of memory: the datagram is lost, like on a wire */
}

const sb_event *sb_out_next(sb_out *o) {
    if (o->qhead == o->qlen) {
        o->qhead = o->qlen = 0;
        o->arena_len = 0;
        return NULL;
    }
    sb_qev *q = &o->q[o->qhead++];
    o->out = q->ev;
    if (q->ev.type == SB_EV_SEND) o->out.data = (const uint8_t *)o->arena + q->data_off;
    o->out.stats =
        q->has_stats && !q->is_reg ? (const sb_call_stats *)(o->arena + q->stats_off) : NULL;
    o->out.reg = q->has_stats && q->is_reg ? (const sb_reg_stats *)(o->arena + q->stats_off) : NULL;
    return &o->out;
}
