/* The initial INVITE in both roles, its ACK, and CANCEL (RFC 3261 §13, §9, §17).
 *
 * IMPLEMENTATION NOTES
 * UAC: INVITE with our SDP offer and the RFC 4028 request headers; 1xx make an early dialog;
 * the first 2xx confirms the dialog (route set reversed, remote target from Contact) and is
 * ACKed, as is every retransmission of it (RFC 6026). A 422 is retried with the largest Min-SE
 * seen (RFC 4028 §7.3), keeping Call-ID and From tag, with CSeq + 1 and a new branch.
 * UAS: 100 at once, 180 and 200 after the ring time; the 2xx is kept and retransmitted until
 * the ACK (§13.3.1.4). A CANCEL of an unanswered INVITE gets 200 and the INVITE 487 (§9.2). */
#include "dialog/ua.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void end_fork(sb_ua *e, sb_call *c, sb_txn *t, const sb_msg *m, uint64_t now);

static void talk_and_media(sb_ua *e, sb_call *c, uint64_t now) {
    if (c->sc.duration_ms) sb_tmr_arm(&e->heap, &c->sc.phase_tmr, now + c->sc.duration_ms);
    if (c->sc.hold_at_ms) {
        c->sc.step = SB_STEP_HOLD;
        sb_tmr_arm(&e->heap, &c->sc.media_tmr, now + c->sc.hold_at_ms);
    }
}

/* ---- UAC ---------------------------------------------------------------------------------- */

void sb__uac_send_invite(sb_ua *e, sb_call *c, uint64_t now) {
    c->dlg.invite_cseq = ++c->dlg.local_cseq;
    sb_txn *t = sb__send_session_request(e, c, SB_METHOD_INVITE, SB_PURPOSE_INVITE,
                                         c->dlg.invite_cseq, true, now);
    if (!t) {
        sb__call_end(e, c, SB_RESULT_FAILED, SB_END_ENGINE_LIMIT, false, now);
        return;
    }
    c->inv_txn = t;
}

static void set_final(sb_ua *e, sb_call *c, const sb_msg *m) {
    sb__set_final(e, c, m->status, m->reason.p ? m->reason.p : "", m->reason.n);
}

void sb__uac_invite_response(sb_ua *e, sb_call *c, sb_txn *t, const sb_msg *m, uint64_t now) {
    int s = m->status;
    if (s < 200) {
        /* Timer B stops at the first provisional: guard the wait for a final answer like a
         * proxy's Timer C (RFC 3261 §16.6), then CANCEL. */
        if (!sb_tmr_armed(&c->sc.phase_tmr) && c->state != SB_CS_ENDING && !c->stats.answer_ms)
            sb_tmr_arm(&e->heap, &c->sc.phase_tmr, now + SB_TIMER_C_MS);
        if (s > 100 && c->state == SB_CS_CALLING) {
            c->state = SB_CS_EARLY;
            sb__emit(e, SB_EV_CALL_PROGRESS, c, s, 0, NULL);
        }
        if (c->cancel_wanted) sb__send_cancel(e, c, now); /* any 1xx, 100 too (§9.1) */
        return;
    }
    if (!c->stats.answer_ms) sb_tmr_cancel(&e->heap, &c->sc.phase_tmr); /* Timer C, not talk */
    if (s < 300) {
        if (t->seen_2xx || c->state == SB_CS_CONFIRMED) {
            if (c->dlg.remote_tag && !sb_slice_eq(m->to_tag, c->dlg.remote_tag)) {
                end_fork(e, c, t, m, now); /* UAC-14: a second dialog from a fork */
                return;
            }
            sb__send_ack(e, c, m->cseq); /* a retransmitted 2xx: ACK it again */
            return;
        }
        t->seen_2xx = 1;
        c->inv_txn = NULL;
        set_final(e, c, m);
        int rc = sb__dialog_learn(c, m, &t->peer);
        if (rc) { /* out of memory: no dialog to keep; the far end's 2xx goes unACKed */
            e->stats.resource_failures++;
            sb__call_end(e, c, SB_RESULT_FAILED, SB_END_ENGINE_LIMIT, false, now);
            return;
        }
        c->state = SB_CS_CONFIRMED;
        c->stats.result = SB_RESULT_ANSWERED;
        c->stats.answer_ms = now;
        sb__send_ack(e, c, m->cseq);
        sb__emit(e, SB_EV_CALL_ANSWERED, c, s, 0, NULL);
        sb__st_on_2xx(e, c, m, false, now - t->started_ms, now);
        if (c->cancel_wanted || c->cancel_sent) {      /* hung up while the INVITE was in flight: */
            sb__send_bye(e, c, SB_END_CANCELLED, now); /* the 2xx won the race (§9.1) */
            return;
        }
        talk_and_media(e, c, now);
        return;
    }
    c->inv_txn = NULL;
    set_final(e, c, m);
    if (s == 422 && c->cancel_sent) { /* hung up meanwhile: no retry */
        sb__call_end(e, c, SB_RESULT_CANCELLED, SB_END_CANCELLED, false, now);
        return;
    }
    if (s == 422) {
        int why = 0;
        if (sb__st_on_422(e, c, m, &why)) {
            c->state = SB_CS_CALLING;
            sb__uac_send_invite(e, c, now);
            return;
        }
        sb__call_end(e, c, SB_RESULT_FAILED, (sb_end_reason)why, true, now);
        return;
    }
    if (s == 420 && e->cfg.timer.mode == SB_TIMER_REQUIRED) {
        sb__call_end(e, c, SB_RESULT_FAILED, SB_END_REMOTE_UNSUPPORTED_TIMER, true, now);
        return;
    }
    if (s == 487 && c->state == SB_CS_ENDING) {
        if (c->stats.end_reason == SB_END_INVITE_TIMEOUT) /* our Timer C guard cancelled it */
            sb__call_end(e, c, SB_RESULT_TIMEOUT, SB_END_INVITE_TIMEOUT, false, now);
        else
            sb__call_end(e, c, SB_RESULT_CANCELLED, SB_END_CANCELLED, false, now);
        return;
    }
    sb__call_end(e, c, SB_RESULT_REJECTED, SB_END_REJECTED, true, now);
}

/* ACK for a 2xx: its own transaction-less request with a new branch (§13.2.2.4). */
void sb__send_ack(sb_ua *e, sb_call *c, uint32_t cseq) {
    char out[SB_MAX_OUT], branch[48];
    sb_buf b;
    sb__new_branch(e, branch);
    sb_buf_init(&b, out, sizeof out);
    sb__req_begin(e, c, &b, SB_METHOD_ACK, cseq, branch);
    sb__auth_put_ack(c, &b);
    sb__req_finish(&b, NULL, NULL, 0);
    if (!b.overflow) sb__send(e, &c->dlg.peer, out, b.len);
}

/* CANCEL: same Request-URI, branch and CSeq number as the INVITE (§9.1). */
void sb__send_cancel(sb_ua *e, sb_call *c, uint64_t now) {
    sb_txn *inv = c->inv_txn;
    c->cancel_wanted = 0;
    c->cancel_sent = 1;
    c->state = SB_CS_ENDING;
    sb_tmr_cancel(&e->heap, &c->sc.phase_tmr); /* the CANCEL's own 64*T1 limit takes over */
    if (!inv) return;
    /* RFC 3261 §9.1: if no final answer comes within 64*T1 of the CANCEL, the INVITE is over */
    if (inv->state == SB_TS_PROCEEDING) sb_ltmr_arm(&e->heap, &inv->end, e->lane_64t1, now);
    char out[SB_MAX_OUT];
    sb_buf b;
    sb_buf_init(&b, out, sizeof out);
    sb__req_begin(e, c, &b, SB_METHOD_CANCEL, c->dlg.invite_cseq, inv->branch);
    sb__req_finish(&b, NULL, NULL, 0);
    if (!b.overflow)
        sb_txn_client_start(&e->txn, c, &c->txns, SB_METHOD_CANCEL, SB_PURPOSE_CANCEL, &c->dlg.peer,
                            inv->branch, c->dlg.invite_cseq, out, b.len, now);
}

/* A 2xx from a second fork of our INVITE: we keep the first dialog only, so this one is
 * ACKed and ended at once (RFC 3261 §13.2.2.4), without touching the first dialog's state. */
static void end_fork(sb_ua *e, sb_call *c, sb_txn *t, const sb_msg *m, uint64_t now) {
    /* A scratch copy: it borrows the first dialog's strings and keeps what it learns in a
     * block of its own (sb__dlg_set_many copies only the strings in the block it owns). */
    sb_call fork = *c;
    fork.dlg.strs = NULL;
    fork.dlg.strs_len = 0;
    fork.dlg.remote_target = fork.dlg.route = NULL; /* the fork's own, from its 2xx */
    if (sb__dialog_learn(&fork, m, &t->peer)) {
        e->stats.resource_failures++; /* no dialog to ACK and end: the fork times out */
        sb__dlg_free(&fork.dlg);
        return;
    }
    sb__send_ack(e, &fork, m->cseq);
    char out[SB_MAX_OUT], branch[48];
    sb_buf b;
    sb__new_branch(e, branch);
    sb_buf_init(&b, out, sizeof out);
    sb__req_begin(e, &fork, &b, SB_METHOD_BYE, m->cseq + 1, branch);
    sb__req_finish(&b, NULL, NULL, 0);
    if (!b.overflow) /* no transaction user: nobody waits for the answer */
        sb_txn_client_start(&e->txn, NULL, NULL, SB_METHOD_BYE, SB_PURPOSE_OTHER, &fork.dlg.peer,
                            branch, m->cseq + 1, out, b.len, now);
    sb__dlg_free(&fork.dlg);
}

/* ---- UAS ---------------------------------------------------------------------------------- */

static void answer(sb_ua *e, sb_call *c, uint64_t now);

/* The ring timer: as UAS, time to answer; as UAC, no final answer came in time. */
void sb__ring_due(sb_call *c, uint64_t now) {
    if (c->role == SB_ROLE_UAC) {
        c->stats.end_reason = SB_END_INVITE_TIMEOUT;
        sb__send_cancel(c->eng, c, now);
        return;
    }
    if (c->srv_inv) answer(c->eng, c, now);
}

/* Returns false when the response could not be built (it would not fit SB_MAX_OUT). */
static bool respond(sb_ua *e, sb_call *c, const sb_msg *m, int status, const char *extra,
                    size_t extra_len, const char *body, size_t body_len, uint64_t now) {
    char out[SB_MAX_OUT];
    size_t n = sb__resp_build(e, m, status, NULL, c->dlg.local_tag, extra, extra_len,
                              "application/sdp", body, body_len, out, sizeof out);
    if (!n) return false;
    if (c->srv_inv) sb_txn_respond(c->srv_inv, status, out, n, now);
    if (status >= 200 && status < 300 && c->srv_inv)
        sb__ok_keep(e, c, &c->srv_inv->peer, out, n, now);
    return true;
}

/* Ends a call whose INVITE we never answered with a 2xx: the final status to m (when it could
 * be read), the record's final status, then the end of the call. */
static void finish_unanswered(sb_ua *e, sb_call *c, const sb_msg *m, int status, const char *extra,
                              size_t extra_len, sb_result result, sb_end_reason why, bool by_remote,
                              uint64_t now) {
    if (m) respond(e, c, m, status, extra, extra_len, NULL, 0, now);
    c->srv_inv = NULL;
    sb__set_final(e, c, status, NULL, 0);
    sb__call_end(e, c, result, why, by_remote, now);
}

/* The INVITE is re-parsed from the server transaction's storage when the ring timer fires,
 * so the UAS keeps no copy of it: the transaction already holds the request's source. */
static void answer(sb_ua *e, sb_call *c, uint64_t now) {
    sb_txn *t = c->srv_inv;
    sb_msg m;
    char body[1024], extra[512];
    sb_buf x;
    sb_buf_init(&x, extra, sizeof extra);
    bool ok = t && t->req && sb_msg_parse(&m, t->req, t->req_len, true) >= 0;
    if (ok) {
        sb__st_answer(e, c, &m, &x, false, now);
        size_t blen = sb__sdp_body(e, c, body, sizeof body);
        ok = respond(e, c, &m, 200, extra, x.overflow ? 0 : x.len, body, blen, now);
    }
    if (!ok) { /* no 200 can be sent: end the call rather than leave it waiting for an ACK */
        if (t) sb_txn_destroy(t);
        sb__call_end(e, c, SB_RESULT_FAILED, SB_END_ENGINE_LIMIT, false, now);
        return;
    }
    c->srv_inv = NULL;
    c->state = SB_CS_WAIT_ACK;
    c->stats.result = SB_RESULT_ANSWERED;
    sb__set_final(e, c, 200, NULL, 0);
    c->stats.answer_ms = now;
    sb__emit(e, SB_EV_CALL_ANSWERED, c, 200, 0, NULL);
    if (e->cfg.answer_duration_ms)
        sb_tmr_arm(&e->heap, &c->sc.phase_tmr, now + e->cfg.answer_duration_ms);
}

void sb__uas_invite(sb_ua *e, sb_txn *t, const sb_msg *m, const sb_addr *from, uint64_t now) {
    const sb_hdr *contact = sb_msg_hdr(m, SB_HDR_CONTACT);
    const char *bad =
        !contact                                           ? "Bad Request: missing Contact"
        : !sb__uri_usable(sb_nameaddr_uri(contact->value)) ? "Bad Request: bad Contact"
        : !sb__uri_usable(sb_nameaddr_uri(sb_msg_hdr(m, SB_HDR_FROM)->value))
            ? "Bad Request: bad From"
        : !sb__uri_usable(sb_nameaddr_uri(sb_msg_hdr(m, SB_HDR_TO)->value)) ? "Bad Request: bad To"
                                                                            : NULL;
    if (bad) { /* we would have to write these back into our own requests */
        sb__reply_reason(e, t, m, from, 400, bad, NULL, now);
        return;
    }
    if (e->cfg.max_concurrent && e->stats.live_calls >= e->cfg.max_concurrent) {
        e->stats.invites_503++;
        sb__reply(e, t, m, from, 503, "Retry-After: 5\r\n", now);
        return;
    }
    /* RFC 4028 admission first: a 422 is a negotiation step, not a call. */
    char extra[256];
    sb_buf x;
    sb_buf_init(&x, extra, sizeof extra - 1);
    const char *reason = NULL;
    int status = sb__st_check_request(e, m, &x, &reason);
    if (status == 422 || status == 400) { /* a negotiation step or bad input: no call yet */
        if (status == 422) e->stats.invites_422++;
        x.p[x.len] = '\0';
        sb__reply_reason(e, t, m, from, status, reason, extra, now);
        return;
    }
    sb_call *c = sb__call_new(e, SB_ROLE_UAS, now);
    if (!c) {
        e->stats.invites_503++;
        sb__reply(e, t, m, from, 503, "Retry-After: 5\r\n", now);
        return;
    }
    int rc = sb__call_index(e, c, m->call_id);
    c->dlg.remote_cseq = m->cseq;
    c->dlg.invite_cseq = m->cseq;
    c->dlg.remote_owns_callid = 1;
    rc |= sb__dialog_learn(c, m, from);
    if (rc) { /* out of memory: turned away like a call beyond our limits */
        e->stats.resource_failures++;
        e->stats.invites_503++;
        sb__reply(e, t, m, from, 503, "Retry-After: 5\r\n", now);
        sb__call_end(e, c, SB_RESULT_FAILED, SB_END_ENGINE_LIMIT, false, now);
        return;
    }
    sb_txn_attach(t, c, &c->txns);
    c->srv_inv = t;
    c->state = SB_CS_EARLY;
    sb__emit(e, SB_EV_CALL_STARTED, c, 0, 0, "INVITE");

    sb_sdp_remote offer;
    sb_sdp_read(m->body, &offer);
    if (offer.valid) c->oa.sdp.dir = sb_dir_answer(offer.dir, SB_DIR_SENDRECV);

    respond(e, c, m, 100, NULL, 0, NULL, 0, now);
    if (status) { /* 421 */
        finish_unanswered(e, c, m, status, extra, x.len, SB_RESULT_REJECTED, SB_END_REJECTED, false,
                          now);
        return;
    }
    if (e->cfg.reject_code) {
        finish_unanswered(e, c, m, e->cfg.reject_code, NULL, 0, SB_RESULT_REJECTED, SB_END_REJECTED,
                          false, now);
        return;
    }
    if (e->cfg.ring_time_ms) {
        respond(e, c, m, 180, NULL, 0, NULL, 0, now);
        sb_tmr_arm(&e->heap, &c->sc.phase_tmr, now + e->cfg.ring_time_ms);
        return;
    }
    answer(e, c, now);
}

void sb__on_ack(sb_ua *e, sb_call *c, const sb_msg *m, uint64_t now) {
    if (!c->ok || m->cseq != c->dlg.invite_cseq) return;
    sb__ok_acked(e, c);
    if (c->state == SB_CS_WAIT_ACK) c->state = SB_CS_CONFIRMED;
    if (c->bye_after_ack) sb__send_bye(e, c, (sb_end_reason)c->bye_after_ack, now);
}

void sb__on_cancel(sb_ua *e, sb_txn *t, const sb_msg *m, const sb_addr *from, uint64_t now) {
    sb_txn *inv = sb_txn_find(&e->txn, m->branch, SB_METHOD_INVITE, sb_txn_sent_by(m), true);
    if (!inv) {
        sb__reply(e, t, m, from, 481, NULL, now);
        return;
    }
    sb_call *c = inv->user;
    char out[SB_MAX_OUT];
    /* the 200 carries the To tag of our provisional answers (RFC 3261 §9.2) */
    size_t n = c ? sb__resp_build(e, m, 200, NULL, c->dlg.local_tag, NULL, 0, NULL, NULL, 0, out,
                                  sizeof out)
                 : 0;
    if (n)
        sb_txn_respond(t, 200, out, n, now);
    else
        sb__reply(e, t, m, from, 200, NULL, now);
    if (!c || c->srv_inv != inv) return; /* answered already: the CANCEL has no effect */
    sb_msg im;
    bool parsed = inv->req && sb_msg_parse(&im, inv->req, inv->req_len, true) >= 0;
    finish_unanswered(e, c, parsed ? &im : NULL, 487, NULL, 0, SB_RESULT_CANCELLED,
                      SB_END_CANCELLED, true, now);
}
