/* Non-INVITE client transaction (RFC 3261 §17.1.2).
 *
 * IMPLEMENTATION NOTES
 * Trying: request retransmitted on Timer E (T1 doubling, capped at T2); Proceeding: every T2.
 * Timer F (64*T1) times out. A final response moves to Completed, which absorbs response
 * retransmissions for Timer K (T4 on UDP). */
#include "engine/internal.h"

#include <stdlib.h>

void sb__nict_recv(sb_txn *t, const sb_msg *m, uint64_t now) {
    if (t->state != SB_TS_TRYING && t->state != SB_TS_PROCEEDING) return;
    if (m->status < 200) {
        t->state = SB_TS_PROCEEDING;
        sb__tu_response(t, m, now);
        return;
    }
    t->state = SB_TS_COMPLETED;
    t->last_status = (uint16_t)m->status;
    sb_tmr_cancel(&t->eng->heap, &t->retx);
    free(t->msg); /* Completed only absorbs response copies: the request is not sent again */
    t->msg = NULL;
    t->len = 0;
    sb_ltmr_arm(&t->eng->heap, &t->end, t->eng->lane_t4, now); /* Timer K */
    sb__tu_response(t, m, now);
}

void sb__nict_timer(sb_txn *t, bool retx, uint64_t now) {
    sb_engine *e = t->eng;
    if (retx) { /* Timer E */
        if (t->state != SB_TS_TRYING && t->state != SB_TS_PROCEEDING) return;
        sb__txn_send(t, now);
        t->interval_ms =
            t->state == SB_TS_PROCEEDING
                ? e->cfg.t2_ms
                : (t->interval_ms * 2 < e->cfg.t2_ms ? t->interval_ms * 2 : e->cfg.t2_ms);
        sb_tmr_arm(&e->heap, &t->retx, now + t->interval_ms);
        return;
    }
    if (t->state == SB_TS_TRYING || t->state == SB_TS_PROCEEDING) sb__tu_timeout(t, now); /* F */
    sb__txn_terminate(t); /* Timer F or K */
}
