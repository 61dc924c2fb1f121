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
                                         ++c->local_cseq, true, now);
    if (!t) return SB_ELIMIT;
    t->is_refresh = refresh;
    c->inv_txn = t;
    return 0;
}

/* The random wait after a 491 (RFC 3261 §14.1), in 10 ms steps. */
uint64_t sb__glare_backoff_ms(sb_ua *e, const sb_call *c) {
    if (!c->remote_owns_callid) return sb_rng_range(&e->rng, 210, 400) * 10;
    return sb_rng_range(&e->rng, 0, 200) * 10;
}

/* ---- hold / resume ---------------------------------------------------------------------- */

static void try_media(sb_ua *e, sb_call *c, uint64_t now) {
    sb_next_media what = (sb_next_media)c->media_pending;
    if (what == SB_NEXT_NONE) return;
    sb_dir want = what == SB_NEXT_HOLD
                      ? (c->hold_mode == SB_HOLD_INACTIVE ? SB_DIR_INACTIVE : SB_DIR_SENDONLY)
                      : SB_DIR_SENDRECV;
    sb_sdp_local old = c->sdp;
    uint8_t old_wish = c->wish;
    c->wish = (uint8_t)want;
    if (c->sdp.dir != want) {
        c->sdp.dir = want;
        c->sdp.version++;
    }
    int rc = sb__send_reinvite(e, c, false, now); /* the offer is built from c->sdp */
    if (rc) {
        c->sdp = old;
        c->wish = old_wish;
    }
    if (rc == SB_ESTATE) { /* GLR-4: wait for the open INVITE transaction to finish */
        sb_tmr_arm(&e->heap, &c->media_tmr, now + 100);
        return;
    }
    c->media_pending = SB_NEXT_NONE;
    if (rc) return;    /* could not send at all: the session stays as it is */
    c->sdp_prev = old; /* what a refusal restores (GLR-6) */
    c->wish_prev = old_wish;
    c->media_inflight = (uint8_t)what;
}

void sb__media_change(sb_ua *e, sb_call *c, sb_next_media what, uint64_t now) {
    c->media_pending = (uint8_t)what;
    c->media_491s = 0;
    try_media(e, c, now);
}

/* The media timer runs the call's schedule: hold at hold_at, resume at resume_at; it also
 * carries the retries of a deferred or 491-refused offer. */
void sb__on_media_tmr(void *owner, sb_tmr *t, uint64_t now) {
    (void)t;
    sb_call *c = owner;
    sb_ua *e = c->eng;
    if (c->media_pending) {
        try_media(e, c, now);
        return;
    }
    uint64_t since = now - c->stats.answer_ms;
    if (!c->held && c->hold_at_ms && !c->hold_done) {
        c->hold_done = 1;
        sb__media_change(e, c, SB_NEXT_HOLD, now);
        if (c->resume_at_ms > since) c->resume_due_ms = c->stats.answer_ms + c->resume_at_ms;
    } else if (c->held) {
        sb__media_change(e, c, SB_NEXT_RESUME, now);
    }
}

/* ---- responses to our re-INVITE or UPDATE ------------------------------------------------- */

static void media_done(sb_ua *e, sb_call *c, uint64_t now) {
    sb_next_media what = (sb_next_media)c->media_inflight;
    c->media_inflight = SB_NEXT_NONE;
    if (what == SB_NEXT_HOLD) {
        c->held = 1;
        if (c->sdp_prev.dir == SB_DIR_SENDRECV) c->stats.hold_count++;
        sb__emit(e, SB_EV_CALL_HOLD, c, 0, 0, sb_dir_name(c->sdp.dir));
        if (c->resume_due_ms) {
            sb_tmr_arm(&e->heap, &c->media_tmr, c->resume_due_ms > now ? c->resume_due_ms : now);
            c->resume_due_ms = 0;
        }
    } else if (what == SB_NEXT_RESUME) {
        c->held = 0;
        sb__emit(e, SB_EV_CALL_HOLD, c, 0, 0, sb_dir_name(c->sdp.dir));
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
        if (invite && c->media_inflight) media_done(e, c, now);
        sb__st_on_2xx(e, c, m, true, now - t->started_ms, now);
        return;
    }
    if (invite)
        c->inv_txn = NULL;
    else
        c->upd_outstanding = 0;
    bool media = invite && c->media_inflight;
    if (media) {
        c->sdp = c->sdp_prev; /* GLR-6 */
        c->wish = c->wish_prev;
        sb_next_media what = (sb_next_media)c->media_inflight;
        c->media_inflight = SB_NEXT_NONE;
        if (s == 491 && c->media_491s++ == 0) { /* GLR-3: back off, then once more */
            c->media_pending = (uint8_t)what;
            sb_tmr_arm(&e->heap, &c->media_tmr, now + sb__glare_backoff_ms(e, c));
            return;
        }
        if (s == 422) { /* the re-INVITE is a refresh too: raise and retry (422-4) */
            int why = 0;
            if (sb__st_on_422(e, c, m, &why)) {
                c->media_pending = (uint8_t)what;
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
    c->remote_cseq = m->cseq;
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
    c->peer_allows_update |= sb_msg_has_token(m, SB_HDR_ALLOW, "UPDATE");
    /* Answer the offer, if any: a changed answer bumps the o= version (RFC 3264 §8). */
    bool had_body = false;
    if (offer.valid) {
        sb_dir d = sb_dir_answer(offer.dir, (sb_dir)c->wish);
        if (d != c->sdp.dir) {
            /* hold_count counts the call going from active to held, whoever asked */
            if (c->sdp.dir == SB_DIR_SENDRECV) c->stats.hold_count++;
            c->sdp.dir = d;
            c->sdp.version++;
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
        c->invite_cseq = m->cseq;
        sb__ok_keep(e, c, &t->peer, out, n, now);
    }
}
