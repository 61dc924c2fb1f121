/* BYE in both directions, and the scheduled end of a call (RFC 3261 §15). */
#include "dialog/ua.h"

#include <string.h>

void sb__talk_due(sb_call *c, uint64_t now) {
    if (c->state == SB_CS_WAIT_ACK) { /* RFC 3261 §15: the BYE waits for the ACK of our 2xx */
        c->bye_after_ack = SB_END_NORMAL;
        return;
    }
    sb__send_bye(c->eng, c, SB_END_NORMAL, now);
}

void sb__send_bye(sb_ua *e, sb_call *c, sb_end_reason why, uint64_t now) {
    if (c->state == SB_CS_ENDING || c->state == SB_CS_ENDED) return;
    sb_tmr_cancel(&e->heap, &c->sc.phase_tmr);
    sb_tmr_cancel(&e->heap, &c->sc.media_tmr);
    sb__ok_acked(e, c);
    sb__st_stop(e, c);
    /* An unanswered incoming re-INVITE is finished first, so that no transaction waits on a
     * dialog that is going away. */
    if (c->srv_inv) sb__reply_pending(e, c, 487, now);
    c->state = SB_CS_ENDING;
    c->stats.end_reason = why;
    if (sb__bye_request(e, c, now) != 0) sb__call_end(e, c, c->stats.result, why, false, now);
}

int sb__bye_request(sb_ua *e, sb_call *c, uint64_t now) {
    char out[SB_MAX_OUT], branch[48];
    sb_buf b;
    sb__new_branch(e, branch);
    sb_buf_init(&b, out, sizeof out);
    /* A BYE never shares a CSeq with a refresh (issue: ordering). */
    uint32_t cseq = ++c->dlg.local_cseq;
    sb__req_begin(e, c, &b, SB_METHOD_BYE, cseq, branch);
    sb__auth_put(e, c, &b, SB_METHOD_BYE, NULL, 0);
    sb__req_finish(&b, NULL, NULL, 0);
    if (b.overflow || !sb_txn_client_start(&e->txn, c, &c->txns, SB_METHOD_BYE, SB_PURPOSE_BYE,
                                           &c->dlg.peer, branch, cseq, out, b.len, now))
        return SB_ELIMIT;
    return 0;
}

/* The BYE we sent was answered or timed out: the call is over either way. */
void sb__bye_done(sb_ua *e, sb_call *c, int status, uint64_t now) {
    sb_end_reason why = c->stats.end_reason;
    if (status == 0 && why == SB_END_NORMAL) why = SB_END_BYE_TIMEOUT;
    sb_result r = c->stats.result == SB_RESULT_NONE ? SB_RESULT_FAILED : c->stats.result;
    if (why == SB_END_BYE_TIMEOUT) r = SB_RESULT_FAILED;
    sb__call_end(e, c, r, why, false, now);
}

/* RFC 3326: Reason: protocol ;cause=N ;text="..." — kept so that a drop names its cause. */
static void keep_reason(sb_ua *e, sb_call *c, const sb_msg *m) {
    const sb_hdr *h = sb_msg_hdr(m, SB_HDR_REASON);
    sb_call_notes *s = h ? sb__notes(e, c) : NULL;
    if (!s) return;
    sb_slice v = h->value, cause, text;
    const char *semi = v.n ? memchr(v.p, ';', v.n) : NULL;
    sb_slice proto = sb_slice_trim((sb_slice){v.p, semi ? (size_t)(semi - v.p) : v.n});
    size_t n = proto.n < sizeof s->remote_reason_protocol - 1
                   ? proto.n
                   : sizeof s->remote_reason_protocol - 1;
    memcpy(s->remote_reason_protocol, proto.p, n);
    s->remote_reason_protocol[n] = '\0';
    if (sb_param_get(v, "cause", &cause)) {
        uint32_t x = 0;
        for (size_t i = 0; i < cause.n && cause.p[i] >= '0' && cause.p[i] <= '9' && x < 65536; i++)
            x = x * 10 + (uint32_t)(cause.p[i] - '0');
        c->stats.remote_reason_cause = x < 65536 ? (uint16_t)x : 0;
    }
    if (sb_param_get(v, "text", &text)) {
        if (text.n >= 2 && text.p[0] == '"' && text.p[text.n - 1] == '"') {
            text.p++;
            text.n -= 2;
        }
        n = text.n < sizeof s->remote_reason_text - 1 ? text.n : sizeof s->remote_reason_text - 1;
        memcpy(s->remote_reason_text, text.p, n);
        s->remote_reason_text[n] = '\0';
    }
}

/* A far-end BYE before the call was due to end: before our talk time as UAC, or before
 * min_duration in either role, less SB_HANGUP_TOLERANCE_MS. */
static bool early(const sb_ua *e, const sb_call *c, uint64_t now) {
    if (!c->stats.answer_ms) return false;
    uint64_t bar =
        c->role == SB_ROLE_UAC && c->sc.duration_ms ? c->sc.duration_ms : e->cfg.min_duration_ms;
    return bar && now - c->stats.answer_ms + SB_HANGUP_TOLERANCE_MS < bar;
}

void sb__on_bye(sb_ua *e, sb_call *c, sb_txn *t, const sb_msg *m, uint64_t now) {
    sb__reply(e, t, m, &t->peer, 200, NULL, now);
    keep_reason(e, c, m);
    sb_end_reason why = c->stats.end_reason == SB_END_NONE ? SB_END_NORMAL : c->stats.end_reason;
    if (c->state == SB_CS_ENDING) { /* BYEs crossed: ours will be answered or time out */
        sb__call_end(e, c, c->stats.result, why, false, now);
        return;
    }
    if (c->srv_inv) sb__reply_pending(e, c, 487, now); /* their INVITE unanswered (§15.1.2) */
    /* A check waiting for this BYE (EXP-1 after our silence, REF-8 after our refusal) may
     * explain it; otherwise a BYE before the call was due to end is a drop. */
    why = (sb_end_reason)sb__st_on_remote_bye(e, c, now);
    if (why == SB_END_NONE) why = early(e, c, now) ? SB_END_REMOTE_HANGUP : SB_END_NORMAL;
    if (why == SB_END_REMOTE_HANGUP) c->stats.drop_timing = sb__st_drop_timing(c, now);
    sb__call_end(e, c, c->stats.result == SB_RESULT_NONE ? SB_RESULT_FAILED : c->stats.result, why,
                 true, now);
}
