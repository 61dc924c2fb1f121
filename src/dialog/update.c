/* UPDATE as a session refresh (RFC 3311; RFC 4028 §7.4 REF-2, REF-3, REF-15).
 *
 * IMPLEMENTATION NOTES
 * A refresh UPDATE carries no offer (UPD-2): the cheapest refresh. Only one of our UPDATEs is
 * open at once (UPD-3). Incoming UPDATEs share the re-INVITE path in reinvite.c, and their
 * responses share sb__session_response; a 405 or 501 falls back to re-INVITE (UPD-4), which
 * session_timer.c decides. */
#include "engine/internal.h"

int sb__send_update(sb_engine *e, sb_call *c, uint64_t now) {
    if (c->upd_outstanding || c->state != SB_CS_CONFIRMED) return SB_ESTATE;
    char out[SB_MAX_OUT], branch[48];
    sb_buf b;
    sb__new_branch(e, branch);
    uint32_t cseq = ++c->local_cseq;
    sb_buf_init(&b, out, sizeof out);
    sb__req_begin(e, c, &b, SB_METHOD_UPDATE, cseq, branch);
    sb__st_request_headers(e, c, &b);
    sb__req_finish(&b, NULL, NULL, 0);
    if (b.overflow) return SB_ETOOBIG;
    sb_txn *t = sb__txn_client_start(e, c, SB_METHOD_UPDATE, SB_PURPOSE_UPDATE, &c->peer, branch,
                                     cseq, out, b.len, now);
    if (!t) return SB_ELIMIT;
    t->is_refresh = 1;
    c->upd_outstanding = 1;
    return 0;
}
