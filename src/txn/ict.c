/* INVITE client transaction (RFC 3261 §17.1.1, with RFC 6026's Accepted state).
 *
 * IMPLEMENTATION NOTES
 * Calling: INVITE retransmitted on Timer A (T1, doubling, no cap); Timer B (64*T1) times out.
 * Proceeding: a 1xx stops retransmissions. A 2xx moves to Accepted (RFC 6026 §8.4): the
 * transaction stays for Timer M (64*T1) so that 2xx retransmissions reach the dialog, which
 * ACKs every one. A 300-699 moves to Completed: we ACK it here (same branch, §17.1.1.3) and
 * every retransmission of it, for Timer D (32 s on UDP). */
#include "txn/txn.h"

#include <stdlib.h>
#include <string.h>

/* ACK for a non-2xx final: Request-URI, top Via, From, Call-ID, Route and credentials from
 * the INVITE, To from the response, CSeq number of the INVITE (§17.1.1.3, §22.1). */
static void send_ack(sb_txn *t, const sb_msg *resp) {
    sb_msg req;
    if (!t->msg || sb_msg_parse(&req, t->msg, t->len, true) < 0) return;
    char out[SB_MAX_OUT];
    sb_buf b;
    sb_buf_init(&b, out, sizeof out);
    sb_buf_str(&b, "ACK ");
    sb_buf_slice(&b, req.uri);
    sb_buf_str(&b, " SIP/2.0\r\n");
    sb_buf_hdr(&b, "Via", sb_msg_hdr(&req, SB_HDR_VIA)->value);
    sb_buf_str(&b, "Max-Forwards: 70\r\n");
    sb_buf_hdr(&b, "From", sb_msg_hdr(&req, SB_HDR_FROM)->value);
    sb_buf_hdr(&b, "To", sb_msg_hdr(resp, SB_HDR_TO)->value);
    sb_buf_hdr(&b, "Call-ID", req.call_id);
    sb_buf_str(&b, "CSeq: ");
    sb_buf_u64(&b, t->cseq);
    sb_buf_str(&b, " ACK\r\n");
    for (uint16_t i = 0; i < req.nhdrs; i++)
        if (req.hdrs[i].id == SB_HDR_ROUTE || req.hdrs[i].id == SB_HDR_AUTHORIZATION ||
            req.hdrs[i].id == SB_HDR_PROXY_AUTHORIZATION)
            sb_buf_hdr(&b, sb_hdr_name(req.hdrs[i].id), req.hdrs[i].value);
    sb_buf_str(&b, "Content-Length: 0\r\n\r\n");
    if (!b.overflow) sb_out_send(t->ctx->out, &t->peer, out, b.len);
}

void sb__ict_recv(sb_txn *t, const sb_msg *m, uint64_t now) {
    sb_txn_ctx *x = t->ctx;
    int s = m->status;
    switch (t->state) {
    case SB_TS_CALLING:
    case SB_TS_PROCEEDING:
        if (s < 200) {
            /* Proceeding: no more retransmissions, and Timer B no longer applies (§17.1.1.2).
             * The initial INVITE's wait is bounded by the dialog's Timer C guard; an in-dialog
             * INVITE gets 64*T1 more here, or a peer that only says 100 would lock the dialog
             * (GLR-4). Later 1xx leave whatever limit is armed (a CANCEL's, an orphan's). */
            if (t->state == SB_TS_CALLING) {
                if (t->purpose == SB_PURPOSE_INVITE)
                    sb_ltmr_cancel(x->heap, &t->end);
                else
                    sb_ltmr_arm(x->heap, &t->end, x->lane_64t1, now);
            }
            t->state = SB_TS_PROCEEDING;
            sb_tmr_cancel(x->heap, &t->retx);
            x->tu->on_response(t, m, now);
        } else if (s < 300) {
            t->state = SB_TS_ACCEPTED;
            t->last_status = (uint16_t)s;
            sb_tmr_cancel(x->heap, &t->retx);
            free(t->msg); /* never sent again: the dialog ACKs 2xx retransmissions itself */
            t->msg = NULL;
            t->len = 0;
            sb_ltmr_arm(x->heap, &t->end, x->lane_64t1, now); /* Timer M */
            x->tu->on_response(t, m, now);
        } else {
            t->state = SB_TS_COMPLETED;
            t->last_status = (uint16_t)s;
            sb_tmr_cancel(x->heap, &t->retx);
            send_ack(t, m);
            sb_ltmr_arm(x->heap, &t->end, x->lane_d, now); /* Timer D */
            x->tu->on_response(t, m, now);
        }
        break;
    case SB_TS_ACCEPTED:
        if (s >= 200 && s < 300) x->tu->on_response(t, m, now); /* the dialog re-ACKs it */
        break;
    case SB_TS_COMPLETED:
        if (s >= 300) send_ack(t, m);
        break;
    default:
        break;
    }
}

void sb__ict_timer(sb_txn *t, bool retx, uint64_t now) {
    if (retx) { /* Timer A */
        if (t->state != SB_TS_CALLING) return;
        sb__txn_send(t, now);
        sb__txn_backoff(t, false, now); /* Timer A doubles without a cap (§17.1.1.2) */
        return;
    }
    /* Timer B in Calling; in Proceeding only the 64*T1 limit armed after a CANCEL or for an
     * orphan (§9.1): either way no final answer came. */
    if (t->state == SB_TS_CALLING || t->state == SB_TS_PROCEEDING) t->ctx->tu->on_timeout(t, now);
    sb__txn_terminate(t); /* Timer B, D or M */
}
