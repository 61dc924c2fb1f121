/* UPDATE as a session refresh (RFC 3311; RFC 4028 §7.4 REF-2, REF-3, REF-15).
 *
 * IMPLEMENTATION NOTES
 * A refresh UPDATE carries no offer (UPD-2): the cheapest refresh. Only one of our UPDATEs is
 * open at once (UPD-3). Incoming UPDATEs share the re-INVITE path in reinvite.c, and their
 * responses share sb__session_response; a 405 or 501 falls back to re-INVITE (UPD-4), which
 * session_timer.c decides. */
#include "dialog/ua.h"

int sb__send_update(sb_ua *e, sb_call *c, uint64_t now) {
    if (c->upd_outstanding || c->state != SB_CS_CONFIRMED) return SB_ESTATE;
    sb_txn *t = sb__send_session_request(e, c, SB_METHOD_UPDATE, SB_PURPOSE_UPDATE,
                                         ++c->dlg.local_cseq, false, now); /* UPD-2: no offer */
    if (!t) return SB_ELIMIT;
    t->is_refresh = 1;
    c->upd_outstanding = 1;
    return 0;
}
