/* INVITE server transaction (RFC 3261 §17.2.1, with RFC 6026's Accepted state).
 *
 * IMPLEMENTATION NOTES
 * Proceeding: a retransmitted INVITE gets the last provisional again. A 2xx moves to Accepted
 * (RFC 6026 §8.7): the dialog, not the transaction, retransmits the 2xx until the ACK, and
 * INVITE retransmissions are absorbed until Timer L (64*T1). A 300-699 moves to Completed: it
 * is retransmitted on Timer G (T1 doubling, cap T2) until the ACK (-> Confirmed, Timer I = T4)
 * or Timer H (64*T1). */
#include "txn/txn.h"

void sb__ist_recv(sb_txn *t, const sb_msg *m, uint64_t now) {
    if (m->method == SB_METHOD_INVITE) {
        if (t->state == SB_TS_PROCEEDING || t->state == SB_TS_COMPLETED) sb__txn_send(t, now);
        return;
    }
    if (m->method == SB_METHOD_ACK && t->state == SB_TS_COMPLETED) {
        t->state = SB_TS_CONFIRMED;
        sb_tmr_cancel(t->ctx->heap, &t->retx);
        sb_ltmr_arm(t->ctx->heap, &t->end, t->ctx->lane_t4, now); /* Timer I */
    }
}

void sb__ist_timer(sb_txn *t, bool retx, uint64_t now) {
    if (retx) { /* Timer G */
        if (t->state != SB_TS_COMPLETED) return;
        sb__txn_send(t, now);
        sb__txn_backoff(t, true, now);
        return;
    }
    sb__txn_terminate(t); /* Timer H, I or L */
}
