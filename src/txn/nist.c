/* Non-INVITE server transaction (RFC 3261 §17.2.2).
 *
 * IMPLEMENTATION NOTES
 * A retransmitted request gets the last response again (none while Trying). After the final
 * response the transaction lingers for Timer J (64*T1 on UDP) to absorb retransmissions. */
#include "txn/txn.h"

void sb__nist_recv(sb_txn *t, const sb_msg *m, uint64_t now) {
    (void)m;
    if (t->state == SB_TS_PROCEEDING || t->state == SB_TS_COMPLETED) sb__txn_send(t, now);
}

void sb__nist_timer(sb_txn *t, bool retx, uint64_t now) {
    (void)now;
    if (!retx) sb__txn_terminate(t); /* Timer J */
}
