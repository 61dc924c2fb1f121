/* Call events into the output queue (transport/out.h), each with a copy of the call's record. */
#include "dialog/ua.h"

#include <stdint.h>

sb_qev *sb__emit(sb_ua *e, sb_event_type type, sb_call *c, int status, uint64_t value,
                 const char *text) {
    e->out.now = e->now;
    sb_qev *q = sb_out_push(&e->out);
    if (!q) return NULL;
    q->ev.type = type;
    q->ev.status = status;
    q->ev.value = value;
    q->ev.text = text;
    if (c) {
        q->ev.call = c->handle;
        if (type == SB_EV_CALL_ENDED && c->stats.end_ms == 0) c->stats.end_ms = e->now;
        sb_call_stats rec;
        sb__record(e, c, &rec);
        q->stats_off = sb_out_put(&e->out, &rec, sizeof rec);
        q->has_stats = q->stats_off != SIZE_MAX;
    }
    return q;
}

void sb__send(sb_ua *e, const sb_addr *to, const char *data, size_t len) {
    e->out.now = e->now;
    sb_out_send(&e->out, to, data, len);
}
