/* Human-readable timeline lines: engine events (-v, demo) and one-line SIP messages (demo). */
#include "app/timeline.h"

#include "app/report.h"

#include <string.h>

static void stamp(FILE *f, uint64_t t_ms) {
    fprintf(f, "t=+%2llu.%03llus  ", (unsigned long long)(t_ms / 1000),
            (unsigned long long)(t_ms % 1000));
}

void sb_timeline_event(FILE *f, uint64_t t_ms, const char *who, const sb_event *ev) {
    const sb_call_stats *st = ev->stats;
    stamp(f, t_ms);
    fprintf(f, "%-6s call %-4u ", who, ev->call);
    switch (ev->type) {
    case SB_EV_CALL_STARTED:
        fprintf(f, "started  %s\n", st ? st->call_id : "");
        break;
    case SB_EV_CALL_PROGRESS:
        fprintf(f, "progress %d\n", ev->status);
        break;
    case SB_EV_CALL_ANSWERED:
        fprintf(f, "answered %d\n", ev->status);
        break;
    case SB_EV_CALL_HOLD:
        fprintf(f, "media direction now %s\n", ev->text ? ev->text : "?");
        break;
    case SB_EV_TIMER_NEGOTIATED:
        fprintf(f, "session timer: SE %llu s, refresher %s\n", (unsigned long long)ev->value,
                sb_side_name((sb_side)ev->status));
        break;
    case SB_EV_TIMER_422:
        fprintf(f, "422 Session Interval Too Small: Min-SE %llu s, retrying\n",
                (unsigned long long)ev->value);
        break;
    case SB_EV_REFRESH_SENT:
        fprintf(f, "refresh sent (%s)\n", ev->text ? ev->text : "?");
        break;
    case SB_EV_REFRESH_OK:
        fprintf(f, "refresh ok%s%s%s\n", ev->text ? " (" : "", ev->text ? ev->text : "",
                ev->text ? ")" : "");
        break;
    case SB_EV_REFRESH_FAILED:
        if (ev->status)
            fprintf(f, "refresh FAILED: %d\n", ev->status);
        else
            fprintf(f, "refresh FAILED: no answer\n");
        break;
    case SB_EV_TIMER_EXPIRED:
        fprintf(f, "session EXPIRED -> %s\n",
                ev->text && strcmp(ev->text, "soft") == 0 ? "warning only (soft expiry)" : "BYE");
        break;
    case SB_EV_VIOLATION:
        if (ev->value < SB_VIO__COUNT)
            fprintf(f, "VIOLATION %s: %s\n", sb_violation_rfc_id((sb_violation)ev->value),
                    sb_violation_text((sb_violation)ev->value));
        else
            fprintf(f, "VIOLATION %llu\n", (unsigned long long)ev->value);
        break;
    case SB_EV_CALL_ENDED:
        if (st)
            fprintf(f, "ended: %s, %s, by %s (%u %s), refreshes %u\n", sb_result_name(st->result),
                    sb_end_reason_name(st->end_reason), st->ended_by_remote ? "remote" : "local",
                    st->final_status_code, st->final_reason_phrase, st->session_timer_refreshes);
        else
            fprintf(f, "ended\n");
        break;
    case SB_EV_MALFORMED: {
        char from[64];
        sb_addr_format(&ev->addr, from, sizeof from, true);
        fprintf(f, "malformed message from %s: %s\n", from, ev->text ? ev->text : "");
        break;
    }
    case SB_EV_RETRANSMIT: {
        char to[64];
        sb_addr_format(&ev->addr, to, sizeof to, true);
        const char *what = ev->text ? ev->text : "?";
        if (ev->status)
            fprintf(f, "retransmit %d (%s) #%llu to %s\n", ev->status, what,
                    (unsigned long long)ev->value, to);
        else
            fprintf(f, "retransmit %s #%llu to %s\n", what, (unsigned long long)ev->value, to);
        break;
    }
    default:
        fprintf(f, "%s\n", sb_event_type_name(ev->type));
        break;
    }
}

/* The SDP direction attribute when it is not the default sendrecv: shows hold and resume. */
static const char *hold_direction(sb_slice body) {
    static const char *const dirs[] = {"a=sendonly", "a=inactive", "a=recvonly"};
    for (size_t i = 0; i < 3; i++)
        if (memmem(body.p, body.n, dirs[i], strlen(dirs[i]))) return dirs[i];
    return NULL;
}

void sb_timeline_message(FILE *f, uint64_t t_ms, const char *from, const char *to,
                         const uint8_t *data, size_t len) {
    static sb_msg m; /* large (header array); one at a time is all we need */
    stamp(f, t_ms);
    fprintf(f, "%-6s -> %-6s ", from, to);
    if (sb_msg_parse(&m, (const char *)data, len, true) < 0) {
        size_t n = 0;
        while (n < len && n < 60 && data[n] != '\r' && data[n] != '\n')
            n++;
        fprintf(f, "%.*s (unparsed)\n", (int)n, (const char *)data);
        return;
    }
    if (m.is_request)
        fprintf(f, "%.*s", (int)m.method_name.n, m.method_name.p);
    else
        fprintf(f, "%d %.*s (%.*s)", m.status, (int)m.reason.n, m.reason.p,
                (int)m.cseq_method_name.n, m.cseq_method_name.p);
    /* The headers a session-timer reader looks for, and the SDP direction for hold. */
    const sb_hdr *h = sb_msg_hdr(&m, SB_HDR_SESSION_EXPIRES);
    if (h) fprintf(f, "  SE: %.*s", (int)h->value.n, h->value.p);
    h = sb_msg_hdr(&m, SB_HDR_MIN_SE);
    if (h) fprintf(f, "  Min-SE: %.*s", (int)h->value.n, h->value.p);
    const char *dir = hold_direction(m.body);
    if (dir) fprintf(f, "  %s", dir);
    fputc('\n', f);
}
