/* BYE in both directions, and the scheduled end of a call (RFC 3261 §15). */
#include "engine/internal.h"

void sb__on_talk_tmr(void *owner, sb_tmr *t, uint64_t now) {
    (void)t;
    sb_call *c = owner;
    sb__send_bye(c->eng, c, SB_END_NORMAL, now);
}

void sb__send_bye(sb_engine *e, sb_call *c, sb_end_reason why, uint64_t now) {
    if (c->state == SB_CS_ENDING || c->state == SB_CS_ENDED) return;
    sb_tmr_cancel(&e->heap, &c->talk_tmr);
    sb_tmr_cancel(&e->heap, &c->media_tmr);
    sb_tmr_cancel(&e->heap, &c->ok_tmr);
    sb__st_stop(e, c);
    /* An unanswered incoming re-INVITE is finished first, so that no transaction waits on a
     * dialog that is going away. */
    if (c->srv_inv) sb__reply_pending(e, c, 487, now);
    c->state = SB_CS_ENDING;
    c->stats.end_reason = why;
    char out[SB_MAX_OUT], branch[48];
    sb_buf b;
    sb__new_branch(e, branch);
    sb_buf_init(&b, out, sizeof out);
    /* A BYE never shares a CSeq with a refresh (issue: ordering). */
    uint32_t cseq = ++c->local_cseq;
    sb__req_begin(e, c, &b, SB_METHOD_BYE, cseq, branch);
    sb__req_finish(&b, NULL, NULL, 0);
    if (b.overflow || !sb__txn_client_start(e, c, SB_METHOD_BYE, SB_PURPOSE_BYE, &c->peer, branch,
                                            cseq, out, b.len, now))
        sb__call_end(e, c, c->stats.result, why, false, now);
}

/* The BYE we sent was answered or timed out: the call is over either way. */
void sb__bye_done(sb_engine *e, sb_call *c, int status, uint64_t now) {
    sb_end_reason why = c->stats.end_reason;
    if (status == 0 && why == SB_END_NORMAL) why = SB_END_BYE_TIMEOUT;
    sb_result r = c->stats.result == SB_RESULT_NONE ? SB_RESULT_FAILED : c->stats.result;
    if (why == SB_END_BYE_TIMEOUT) r = SB_RESULT_FAILED;
    sb__call_end(e, c, r, why, false, now);
}

void sb__on_bye(sb_engine *e, sb_call *c, sb_txn *t, const sb_msg *m, uint64_t now) {
    sb__reply(e, t, m, &t->peer, 200, NULL, now);
    sb_end_reason why = c->stats.end_reason == SB_END_NONE ? SB_END_NORMAL : c->stats.end_reason;
    if (c->state == SB_CS_ENDING) { /* BYEs crossed: ours will be answered or time out */
        sb__call_end(e, c, c->stats.result, why, false, now);
        return;
    }
    if (c->srv_inv) sb__reply_pending(e, c, 487, now); /* their INVITE unanswered (§15.1.2) */
    sb__call_end(e, c, c->stats.result == SB_RESULT_NONE ? SB_RESULT_FAILED : c->stats.result,
                 SB_END_NORMAL, true, now);
}
