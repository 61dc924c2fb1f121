/* In-dialog re-INVITE in both directions: hold/resume, session refreshes, glare (RFC 3261 §14).
 *
 * IMPLEMENTATION NOTES
 * GLR-4: we never start a re-INVITE while any INVITE transaction of the dialog is open in
 * either direction, or while our 2xx to one still waits for its ACK; the action is retried.
 * GLR-1/2: an INVITE that crosses our own gets 491; one that arrives while we still owe an
 * answer to an earlier one gets 500 with Retry-After. GLR-3: after a 491 we wait 2.1-4.0 s if
 * we own the Call-ID, else 0-2.0 s (10 ms steps), then try once more. GLR-6: a non-2xx leaves
 * the session as it was, so a refused offer restores our previous SDP. An unchanged re-offer
 * is byte-identical with the same o= version (REF-13, RFC 3264 §8); a change bumps it. */
#include "dialog/ua.h"

#include <string.h>

static bool invite_busy(const sb_call *c) {
    return c->inv_txn || c->srv_inv || c->ok || c->state != SB_CS_CONFIRMED;
}

int sb__send_reinvite(sb_ua *e, sb_call *c, bool refresh, uint64_t now) {
    if (invite_busy(c)) return SB_ESTATE;
    sb_txn *t = sb__send_session_request(e, c, SB_METHOD_INVITE, SB_PURPOSE_REINVITE,
                                         ++c->dlg.local_cseq, true, now);
    if (!t) return SB_ELIMIT;
    t->is_refresh = refresh;
    c->inv_txn = t;
    return 0;
}

/* The random wait after a 491 (RFC 3261 §14.1), in 10 ms steps. */
uint64_t sb__glare_backoff_ms(sb_ua *e, const sb_call *c) {
    if (!c->dlg.remote_owns_callid) return sb_rng_range(&e->rng, 210, 400) * 10;
    return sb_rng_range(&e->rng, 0, 200) * 10;
}

/* ---- hold / resume: the offer/answer state machine (sb_media in ua.h) ------------------------ */

sb_dir sb__oa_wish(const sb_call *c) {
    if (c->oa.state != SB_OA_HOLDING && c->oa.state != SB_OA_HELD) return SB_DIR_SENDRECV;
    return c->oa.hold_mode == SB_HOLD_INACTIVE ? SB_DIR_INACTIVE : SB_DIR_SENDONLY;
}

bool sb__oa_offering(const sb_call *c) {
    return c->oa.state == SB_OA_HOLDING || c->oa.state == SB_OA_RESUMING;
}

/* Our offer was refused or timed out: the session stays as it was (GLR-6). Returns the change
 * it carried, for a retry. */
sb_next_media sb__oa_roll_back(sb_call *c) {
    sb_media *oa = &c->oa;
    sb_next_media what = oa->state == SB_OA_HOLDING ? SB_NEXT_HOLD : SB_NEXT_RESUME;
    oa->sdp.version = oa->prev_version;
    oa->sdp.dir = (sb_dir)oa->prev_dir;
    oa->state = oa->prev_state;
    return what;
}

static void try_media(sb_ua *e, sb_call *c, uint64_t now) {
    sb_media *oa = &c->oa;
    sb_next_media what = (sb_next_media)oa->next;
    if (what == SB_NEXT_NONE) return;
    sb_sdp_local old = oa->sdp;
    uint8_t old_state = oa->state;
    oa->state = what == SB_NEXT_HOLD ? SB_OA_HOLDING : SB_OA_RESUMING;
    sb_dir want = sb__oa_wish(c);
    if (oa->sdp.dir != want) {
        oa->sdp.dir = want;
        oa->sdp.version++;
    }
    int rc = sb__send_reinvite(e, c, false, now); /* the offer is built from oa->sdp */
    if (rc) {
        oa->sdp = old;
        oa->state = old_state;
    }
    if (rc == SB_ESTATE) { /* GLR-4: wait for the open INVITE transaction to finish */
        sb_tmr_arm(&e->heap, &c->sc.media_tmr, now + 100);
        return;
    }
    oa->next = SB_NEXT_NONE;
    if (rc) return; /* could not send at all: the session stays as it is */
    oa->prev_version = old.version;
    oa->prev_dir = (uint8_t)old.dir;
    oa->prev_state = old_state;
}

void sb__media_change(sb_ua *e, sb_call *c, sb_next_media what, uint64_t now) {
    c->oa.next = (uint8_t)what;
    c->oa.glare_491s = 0;
    try_media(e, c, now);
}

/* The media timer: a deferred or 491-refused offer first, else the scenario's next step. */
void sb__on_media_tmr(void *owner, sb_tmr *t, uint64_t now) {
    (void)t;
    sb_call *c = owner;
    sb_ua *e = c->eng;
    if (c->oa.next) {
        try_media(e, c, now);
        return;
    }
    uint64_t since = now - c->stats.answer_ms;
    if (c->sc.step == SB_STEP_HOLD && !sb__oa_held(c)) {
        c->sc.step = c->sc.resume_at_ms > since ? SB_STEP_RESUME : SB_STEP_NONE;
        sb__media_change(e, c, SB_NEXT_HOLD, now);
    } else if (c->sc.step == SB_STEP_RESUME && sb__oa_held(c)) {
        c->sc.step = SB_STEP_NONE;
        sb__media_change(e, c, SB_NEXT_RESUME, now);
    }
}

/* ---- responses to our re-INVITE or UPDATE ------------------------------------------------- */

/* Our offer was accepted. */
static void media_done(sb_ua *e, sb_call *c, uint64_t now) {
    if (c->oa.state == SB_OA_HOLDING) {
        c->oa.state = SB_OA_HELD;
        if (c->oa.prev_dir == SB_DIR_SENDRECV) c->stats.hold_count++;
        sb__emit(e, SB_EV_CALL_HOLD, c, 0, 0, sb_dir_name(c->oa.sdp.dir));
        if (c->sc.step == SB_STEP_RESUME) {
            uint64_t at = c->stats.answer_ms + c->sc.resume_at_ms;
            sb_tmr_arm(&e->heap, &c->sc.media_tmr, at > now ? at : now);
        }
    } else if (c->oa.state == SB_OA_RESUMING) {
        c->oa.state = SB_OA_ACTIVE;
        sb__emit(e, SB_EV_CALL_HOLD, c, 0, 0, sb_dir_name(c->oa.sdp.dir));
    }
}

void sb__session_response(sb_ua *e, sb_call *c, sb_txn *t, const sb_msg *m, uint64_t now) {
    int s = m->status;
    bool invite = t->method == SB_METHOD_INVITE;
    if (s < 200) return;
    if (s < 300) {
        if (invite) sb__send_ack(e, c, m->cseq); /* every 2xx, retransmissions too */
        if (t->seen_2xx) return;
        t->seen_2xx = 1;
        if (invite)
            c->inv_txn = NULL;
        else
            c->upd_outstanding = 0;
        if (invite && sb__oa_offering(c)) media_done(e, c, now);
        sb__st_on_2xx(e, c, m, true, now - t->started_ms, now);
        return;
    }
    if (invite)
        c->inv_txn = NULL;
    else
        c->upd_outstanding = 0;
    if (invite && sb__oa_offering(c)) {
        sb_next_media what = sb__oa_roll_back(c);
        if (s == 491 && c->oa.glare_491s++ == 0) { /* GLR-3: back off, then once more */
            c->oa.next = (uint8_t)what;
            sb_tmr_arm(&e->heap, &c->sc.media_tmr, now + sb__glare_backoff_ms(e, c));
            return;
        }
        if (s == 422) { /* the re-INVITE is a refresh too: raise and retry (422-4) */
            int why = 0;
            if (sb__st_on_422(e, c, m, &why)) {
                c->oa.next = (uint8_t)what;
                try_media(e, c, now);
            }
            return;
        }
        if (s == 408 || s == 481) sb__send_bye(e, c, SB_END_REFRESH_FAILED, now);
        return;
    }
    sb__st_refresh_failed(e, c, t, m, s, now);
}

/* ---- requests from the peer -------------------------------------------------------------- */

static void reply_extra(sb_ua *e, sb_txn *t, const sb_msg *m, int status, const char *extra,
                        size_t n, uint64_t now) {
    char out[SB_MAX_OUT];
    size_t len = sb__resp_build(e, m, status, NULL, NULL, extra, n, NULL, NULL, 0, out, sizeof out);
    if (len) sb_txn_respond(t, status, out, len, now);
}

void sb__in_dialog_session_request(sb_ua *e, sb_call *c, sb_txn *t, const sb_msg *m, uint64_t now) {
    bool invite = m->method == SB_METHOD_INVITE;
    sb_sdp_remote offer;
    sb_sdp_read(m->body, &offer);
    if (invite && c->srv_inv) { /* GLR-1: also in the early dialog, while we still ring */
        reply_extra(e, t, m, 500, "Retry-After: 3\r\n", 16, now);
        return;
    }
    if (c->state != SB_CS_CONFIRMED && c->state != SB_CS_WAIT_ACK) {
        reply_extra(e, t, m, 481, NULL, 0, now);
        return;
    }
    if (invite && (c->inv_txn || c->ok)) { /* GLR-2 */
        reply_extra(e, t, m, 491, NULL, 0, now);
        return;
    }
    if (!invite && offer.valid && (c->inv_txn || c->srv_inv)) { /* UPD-3 */
        reply_extra(e, t, m, 491, NULL, 0, now);
        return;
    }
    c->dlg.remote_cseq = m->cseq;
    if (e->cfg.timer.answer_refresh_code) { /* fault injection: a broken refresh answerer */
        reply_extra(e, t, m, e->cfg.timer.answer_refresh_code, NULL, 0, now);
        sb__st_refused(e, c, e->cfg.timer.answer_refresh_code, now);
        return;
    }
    char extra[512];
    sb_buf x;
    sb_buf_init(&x, extra, sizeof extra - 1);
    const char *reason = NULL;
    int status = sb__st_check_request(e, m, &x, &reason);
    if (status) {
        x.p[x.len] = '\0';
        sb__reply_reason(e, t, m, &t->peer, status, reason, extra, now);
        return;
    }
    sb_txn_attach(t, c, &c->txns);
    c->dlg.peer_allows_update |= sb_msg_has_token(m, SB_HDR_ALLOW, "UPDATE");
    /* Answer the offer, if any: a changed answer bumps the o= version (RFC 3264 §8). */
    bool had_body = false;
    if (offer.valid) {
        sb_dir d = sb_dir_answer(offer.dir, sb__oa_wish(c));
        if (d != c->oa.sdp.dir) {
            /* hold_count counts the call going from active to held, whoever asked */
            if (c->oa.sdp.dir == SB_DIR_SENDRECV) c->stats.hold_count++;
            c->oa.sdp.dir = d;
            c->oa.sdp.version++;
        }
        had_body = true;
    } else if (invite) {
        had_body = true; /* an offerless re-INVITE: we offer in the 2xx, unchanged */
    }
    sb__st_answer(e, c, m, &x, true, now);
    char body[1024], out[SB_MAX_OUT];
    size_t blen = had_body ? sb__sdp_body(e, c, body, sizeof body) : 0;
    size_t n = sb__resp_build(e, m, 200, NULL, NULL, extra, x.overflow ? 0 : x.len,
                              "application/sdp", body, blen, out, sizeof out);
    if (!n) return;
    sb_txn_respond(t, 200, out, n, now);
    if (invite) {
        c->dlg.invite_cseq = m->cseq;
        sb__ok_keep(e, c, &t->peer, out, n, now);
    }
}
