/* INVITE server transaction (RFC 3261 §17.2.1, with RFC 6026's Accepted state).
 *
 * IMPLEMENTATION NOTES
 * Proceeding: a retransmitted INVITE gets the last provisional again. A 2xx moves to Accepted
 * (RFC 6026 §8.7): the dialog, not the transaction, retransmits the 2xx until the ACK, and
 * INVITE retransmissions are absorbed until Timer L (64*T1). A 300-699 moves to Completed: it
 * is retransmitted on Timer G (T1 doubling, cap T2) until the ACK (-> Confirmed, Timer I = T4)
 * or Timer H (64*T1). */
#include "engine/internal.h"

void sb__ist_recv(sb_txn *t, const sb_msg *m, uint64_t now) {
    if (m->method == SB_METHOD_INVITE) {
        if (t->state == SB_TS_PROCEEDING || t->state == SB_TS_COMPLETED) sb__txn_send(t, now);
        return;
    }
    if (m->method == SB_METHOD_ACK && t->state == SB_TS_COMPLETED) {
        t->state = SB_TS_CONFIRMED;
        sb_tmr_cancel(&t->eng->heap, &t->retx);
        sb_ltmr_arm(&t->eng->heap, &t->end, t->eng->lane_t4, now); /* Timer I */
    }
}

void sb__ist_timer(sb_txn *t, bool retx, uint64_t now) {
    sb_engine *e = t->eng;
    if (retx) { /* Timer G */
        if (t->state != SB_TS_COMPLETED) return;
        sb__txn_send(t, now);
        t->interval_ms = t->interval_ms * 2 < e->cfg.t2_ms ? t->interval_ms * 2 : e->cfg.t2_ms;
        sb_tmr_arm(&e->heap, &t->retx, now + t->interval_ms);
        return;
    }
    sb__txn_terminate(t); /* Timer H, I or L */
}
