/* Non-INVITE client transaction (RFC 3261 §17.1.2).
 *
 * IMPLEMENTATION NOTES
 * Trying: request retransmitted on Timer E (T1 doubling, capped at T2); Proceeding: every T2.
 * Timer F (64*T1) times out. A final response moves to Completed, which absorbs response
 * retransmissions for Timer K (T4 on UDP). */
#include "txn/txn.h"

#include <stdlib.h>

void sb__nict_recv(sb_txn *t, const sb_msg *m, uint64_t now) {
    if (t->state != SB_TS_TRYING && t->state != SB_TS_PROCEEDING) return;
    if (m->status < 200) {
        t->state = SB_TS_PROCEEDING;
        t->ctx->tu->on_response(t, m, now);
        return;
    }
    t->state = SB_TS_COMPLETED;
    t->last_status = (uint16_t)m->status;
    sb_tmr_cancel(t->ctx->heap, &t->retx);
    free(t->msg); /* Completed only absorbs response copies: the request is not sent again */
    t->msg = NULL;
    t->len = 0;
    sb_ltmr_arm(t->ctx->heap, &t->end, t->ctx->lane_t4, now); /* Timer K */
    t->ctx->tu->on_response(t, m, now);
}

void sb__nict_timer(sb_txn *t, bool retx, uint64_t now) {
    if (retx) { /* Timer E */
        if (t->state != SB_TS_TRYING && t->state != SB_TS_PROCEEDING) return;
        sb__txn_send(t, now);
        if (t->state == SB_TS_PROCEEDING) t->interval_ms = t->ctx->t2_ms; /* then every T2 */
        sb__txn_backoff(t, true, now);
        return;
    }
    if (t->state == SB_TS_TRYING || t->state == SB_TS_PROCEEDING)
        t->ctx->tu->on_timeout(t, now); /* Timer F */
    sb__txn_terminate(t);               /* Timer F or K */
}
