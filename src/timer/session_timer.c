/* RFC 4028 session timers: negotiation in both roles, refresh, expiry, 422, and the checks of
 * the far end's behaviour. All of sipbeat's RFC 4028 logic is in this file.
 *
 * IMPLEMENTATION NOTES (rule ids from docs/rfc4028-rules.md)
 * - Roles are stored as LOCAL/REMOTE and translated to uac/uas for each transaction: the
 *   `refresher` parameter names the UAC or UAS of the transaction that carries it (§1 Terms).
 * - UAC: Supported: timer on every request but ACK (UAC-1, written by the request builder);
 *   Session-Expires, Min-SE and, in required mode, Require: timer on every INVITE and UPDATE,
 *   initial or refresh (UAC-2, UAC-12, REF-4, REF-6, REF-10, UAC-15). The 2xx is authoritative
 *   (UAC-5, UAC-6); no Session-Expires turns the timer off (UAC-7) unless we run in `always`
 *   mode, where we keep it as refresher with our own value (UAC-8).
 * - 422: retry with the largest Min-SE seen and SE at least that large (422-2); bounded by
 *   max_422 and max_se_s (422-5, 422-6); a 422 without Min-SE is not retried (422-1). A 422 to
 *   an in-dialog refresh leaves the deadline where it was and is retried (422-4).
 * - UAS: 420 + Unsupported when timers are off and the request requires them (UAS-8, done by
 *   the generic Require check in engine.c); 400 for duplicate or unreadable Session-Expires or
 *   Min-SE (HDR-4); 421 in required mode when the request lacks `timer`; 422 with our Min-SE only
 * when the request lists `timer` (UAS-1), else raise to our minimum and accept (UAS-3, erratum
 * 1687). The 2xx copies or lowers SE, never below the request's Min-SE (UAS-2), always names a
 * refresher chosen by Table 2 (UAS-5), with Require: timer per UAS-6.
 * - Timing (section 4): t0 is when the 2xx was received (UAC) or sent (UAS-7). The refresher
 *   refreshes at t0 + SE/2 (UAC-9) and, if no refresh succeeded, gives up at t0 + SE (EXP-2).
 *   The non-refresher sends BYE at t0 + SE - min(32 s, SE/3) (EXP-1), or with soft expiry
 *   only reports it. Every 2xx to an INVITE or UPDATE re-arms all of this (REF-7).
 * - A failed refresh: 408, 481 or a timeout end the call at once (REF-8); 491 backs off
 *   (GLR-3/5); 405/501 to UPDATE falls back to re-INVITE (UPD-4); anything else waits for the
 *   expiry deadline, retrying once after Retry-After when that fits.
 * - Verdicts on the far end (docs/rfc4028-rules.md): every check is recorded as passed when it
 *   was evaluated and held, and as a violation when it did not. UAC-13: a far-end refresher's
 *   refresh arrived before our deadline. Our faults are never its violation: with
 *   skip_refresh_from we play a refresher that forgot its timer (no refresh, no expiry of our
 *   own) and judge the far end as non-refresher by EXP-1, its BYE due within
 *   [SE - min(32 s, SE/3) - tolerance, SE + tolerance] of t0; with answer_refresh_code we
 *   refuse its refresh, UAC-13 is not judged, and after a 481/408 REF-8 expects its BYE within
 *   32 s or before our own expiry BYE, whichever is first. REF-5: a far-end refresh keeps the
 *   refresher where it is when it names one. */
#include "dialog/ua.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void on_tmr(void *owner, sb_tmr *t, uint64_t now);
static void on_retry(void *owner, sb_tmr *t, uint64_t now);

static uint32_t our_min_se(const sb_ua *e) {
    uint32_t m = e->cfg.timer.min_se_s;
    return (!e->cfg.timer.unchecked && m < SB_SE_FLOOR_S) ? SB_SE_FLOOR_S : m; /* HDR-5 */
}

static uint32_t max_u32(uint32_t a, uint32_t b) {
    return a > b ? a : b;
}

void sb__st_init(sb_ua *e, sb_call *c) {
    sb_st *st = &c->st;
    sb_tmr_init(&st->tmr, on_tmr, c);
    sb_tmr_init(&st->retry_tmr, on_retry, c);
    st->req_se_s = e->cfg.timer.se_s;
    st->min_se_s = our_min_se(e);
    c->stats.session_timer_min_se_s = st->min_se_s;
    c->stats.session_timer_refresh_failure_status = -1;
}

void sb__st_stop(sb_ua *e, sb_call *c) {
    sb_tmr_cancel(&e->heap, &c->st.tmr);
    sb_tmr_cancel(&e->heap, &c->st.retry_tmr);
}

/* Records the outcome of one check of the far end's behaviour. The first violation of a call
 * keeps its evidence (fmt, with times) in the record. */
static void check(sb_ua *e, sb_call *c, sb_violation v, bool ok, const char *fmt, ...) {
    uint32_t bit = 1u << v;
    if (ok) {
        c->stats.checks_passed |= bit;
        return;
    }
    if (c->stats.violations & bit) return;
    sb_call_notes *x = !c->stats.violations && fmt ? sb__notes(e, c) : NULL;
    if (x) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(x->evidence, sizeof x->evidence, fmt, ap);
        va_end(ap);
        c->stats.evidence_of = (uint8_t)v;
    }
    c->stats.violations |= bit;
    sb__emit(e, SB_EV_VIOLATION, c, 0, (uint64_t)v, sb_violation_text(v));
}

static uint64_t se_ms(const sb_st *st) {
    return (uint64_t)st->se_s * 1000;
}

/* The non-refresher's BYE margin before expiration: min(32 s, SE/3) (EXP-1). */
static uint64_t margin_ms(const sb_st *st) {
    return se_ms(st) / 3 < 32000 ? se_ms(st) / 3 : 32000;
}

/* ---- arming --------------------------------------------------------------------------------- */

static void arm(sb_ua *e, sb_call *c, uint64_t now) {
    sb_st *st = &c->st;
    st->phase = SB_ST_IDLE;
    st->refused = st->await_teardown = 0;
    sb_tmr_cancel(&e->heap, &st->retry_tmr);
    if (!st->se_s) {
        sb_tmr_cancel(&e->heap, &st->tmr);
        return;
    }
    st->t0_ms = now;
    if (st->refresher == SB_ST_LOCAL)
        sb_tmr_arm(&e->heap, &st->tmr, now + se_ms(st) / 2); /* UAC-9, UAS-7 */
    else
        sb_tmr_arm(&e->heap, &st->tmr, now + se_ms(st) - margin_ms(st)); /* EXP-1 */
}

/* A refresh transaction (either direction) succeeded, or the first interval was set. */
static void adopt(sb_ua *e, sb_call *c, uint32_t se, uint8_t refresher, bool refresh,
                  bool local_sent, sb_method method, uint64_t rtt_ms, uint64_t now) {
    sb_st *st = &c->st;
    sb_call_rec *s = &c->stats;
    bool changed = st->se_s != se || st->refresher != refresher;
    st->se_s = se;
    st->refresher = se ? refresher : SB_ST_NOBODY;
    s->session_timer_active = se != 0;
    s->session_timer_negotiated_se_s = se;
    s->session_timer_refresher = st->refresher;
    s->session_timer_min_se_s = st->min_se_s;
    if (refresh) {
        uint8_t via = method == SB_METHOD_UPDATE ? SB_VIA_UPDATE : SB_VIA_INVITE;
        s->session_timer_refreshes++;
        s->session_timer_refresh_method = via;
        if (local_sent)
            s->session_timer_refresh_method_local = via;
        else
            s->session_timer_refresh_method_remote = via;
        if (st->last_ok_ms) {
            uint64_t gap = now - st->last_ok_ms;
            uint32_t g = gap > UINT32_MAX ? UINT32_MAX : (uint32_t)gap;
            if (!s->session_timer_refresh_interval_ms_min ||
                g < s->session_timer_refresh_interval_ms_min)
                s->session_timer_refresh_interval_ms_min = g;
            if (g > s->session_timer_refresh_interval_ms_max)
                s->session_timer_refresh_interval_ms_max = g;
        }
        if (local_sent && rtt_ms > s->session_timer_refresh_rtt_ms_max)
            s->session_timer_refresh_rtt_ms_max = (uint32_t)rtt_ms;
        sb__emit(e, SB_EV_REFRESH_OK, c, 0, se, local_sent ? "local" : "remote");
    }
    st->last_ok_ms = now;
    if (!refresh || changed) sb__emit(e, SB_EV_TIMER_NEGOTIATED, c, st->refresher, se, NULL);
    arm(e, c, now);
}

/* ---- UAC side ------------------------------------------------------------------------------- */

void sb__st_request_headers(sb_ua *e, sb_call *c, sb_buf *b) {
    const sb_timer_config *tc = &e->cfg.timer;
    sb_st *st = &c->st;
    st->sent_se = 0;
    if (tc->mode == SB_TIMER_OFF) return;
    bool in_dialog = c->state == SB_CS_CONFIRMED;
    uint32_t se = st->se_s ? max_u32(st->se_s, st->min_se_s) : st->req_se_s; /* REF-4 */
    if (!tc->unchecked) se = max_u32(se, st->min_se_s);
    sb_refresher r = SB_REFRESHER_NONE;
    if (in_dialog && st->se_s) /* REF-5: keep the role where it is */
        r = st->refresher == SB_ST_LOCAL ? SB_REFRESHER_UAC : SB_REFRESHER_UAS;
    else if (!in_dialog)
        r = tc->refresher; /* UAC-3: our preference; NONE sends no parameter */
    sb_buf_str(b, "Session-Expires: ");
    sb_buf_u64(b, se);
    if (r == SB_REFRESHER_UAC) sb_buf_str(b, ";refresher=uac");
    if (r == SB_REFRESHER_UAS) sb_buf_str(b, ";refresher=uas");
    sb_buf_str(b, "\r\nMin-SE: ");
    sb_buf_u64(b, st->min_se_s);
    sb_buf_str(b, "\r\n");
    if (tc->mode == SB_TIMER_REQUIRED) sb_buf_str(b, "Require: timer\r\n"); /* UAC-4, REF-10 */
    st->sent_se = 1;
    st->sent_refresher = (uint8_t)r;
    st->sent_value_s = se;
}

void sb__st_on_2xx(sb_ua *e, sb_call *c, const sb_msg *m, bool refresh, uint64_t rtt_ms,
                   uint64_t now) {
    const sb_timer_config *tc = &e->cfg.timer;
    sb_st *st = &c->st;
    if (tc->mode == SB_TIMER_OFF) return;
    bool requires = sb_msg_has_token(m, SB_HDR_REQUIRE, "timer");
    check(e, c, SB_VIO_DUPLICATE_SE, m->count[SB_HDR_SESSION_EXPIRES] <= 1,
          "%u Session-Expires headers", (unsigned)m->count[SB_HDR_SESSION_EXPIRES]);
    check(e, c, SB_VIO_MIN_SE_IN_RESPONSE, !m->first[SB_HDR_MIN_SE], "Min-SE in a %d", m->status);
    const sb_hdr *h = sb_msg_hdr(m, SB_HDR_SESSION_EXPIRES);
    uint32_t se = 0;
    sb_refresher r = SB_REFRESHER_NONE;
    bool has = h && sb_parse_session_expires(h->value, &se, &r, NULL) == 0;
    if (has) {
        if (!tc->unchecked)
            check(e, c, SB_VIO_SE_BELOW_90, se >= SB_SE_FLOOR_S, "2xx Session-Expires %u", se);
        if (st->sent_se) {
            check(e, c, SB_VIO_SE_BELOW_MIN_SE, se >= st->min_se_s, "2xx SE %u < our Min-SE %u", se,
                  st->min_se_s);
            check(e, c, SB_VIO_SE_RAISED, se <= st->sent_value_s, "2xx SE %u > our SE %u", se,
                  st->sent_value_s);
            if (st->sent_refresher != SB_REFRESHER_NONE)
                check(e, c, SB_VIO_TABLE2_REFRESHER,
                      r == SB_REFRESHER_NONE || r == st->sent_refresher,
                      "we asked refresher=%s, 2xx says %s",
                      st->sent_refresher == SB_REFRESHER_UAC ? "uac" : "uas",
                      r == SB_REFRESHER_UAC ? "uac" : "uas");
        }
        check(e, c, SB_VIO_NO_REFRESHER_IN_2XX, r != SB_REFRESHER_NONE,
              "2xx Session-Expires %u without refresher", se);
        /* UAC-6: we are the UAC of this transaction; a missing refresher leaves it to us. */
        uint8_t who = r == SB_REFRESHER_UAS ? SB_ST_REMOTE : SB_ST_LOCAL;
        adopt(e, c, se, who, refresh, true, m->cseq_method, rtt_ms, now);
        return;
    }
    check(e, c, SB_VIO_NO_SE_WITH_REQUIRE, !requires, "%d with Require: timer, no Session-Expires",
          m->status);
    if (st->sent_se && !requires && tc->mode == SB_TIMER_ALWAYS) {
        adopt(e, c, st->sent_value_s, SB_ST_LOCAL, refresh, true, m->cseq_method, rtt_ms,
              now); /* UAC-8 */
        return;
    }
    adopt(e, c, 0, SB_ST_NOBODY, refresh && st->se_s, true, m->cseq_method, rtt_ms,
          now); /* UAC-7 */
}

bool sb__st_on_422(sb_ua *e, sb_call *c, const sb_msg *m, int *why) {
    const sb_timer_config *tc = &e->cfg.timer;
    sb_st *st = &c->st;
    c->stats.session_timer_422_count++;
    const sb_hdr *h = sb_msg_hdr(m, SB_HDR_MIN_SE);
    uint32_t v = 0;
    bool ok = h && sb_parse_min_se(h->value, &v) == 0;
    sb__emit(e, SB_EV_TIMER_422, c, 422, v, NULL);
    check(e, c, SB_VIO_422_WITHOUT_TIMER, tc->mode != SB_TIMER_OFF,
          "422 to a request without timer");
    check(e, c, SB_VIO_422_NO_MIN_SE, ok, "422 without a readable Min-SE");
    if (!ok || tc->mode == SB_TIMER_OFF) {
        *why = SB_END_REJECTED; /* 422-1: nothing to retry with */
        return false;
    }
    if (c->stats.session_timer_422_count > tc->max_422) {
        *why = SB_END_TOO_MANY_422;
        return false;
    }
    if (v > tc->max_se_s) {
        *why = SB_END_MIN_SE_TOO_LARGE; /* 422-6 */
        return false;
    }
    st->min_se_s = max_u32(st->min_se_s, v); /* 422-2: the largest seen */
    st->req_se_s = max_u32(st->req_se_s, st->min_se_s);
    c->stats.session_timer_min_se_s = st->min_se_s;
    return true;
}

static void send_refresh(sb_ua *e, sb_call *c, uint64_t now) {
    const sb_timer_config *tc = &e->cfg.timer;
    sb_st *st = &c->st;
    bool update = tc->method == SB_REFRESH_UPDATE ||
                  (tc->method == SB_REFRESH_AUTO && c->dlg.peer_allows_update);
    if (st->update_refused) update = false;
    int rc = update ? sb__send_update(e, c, now) : sb__send_reinvite(e, c, true, now);
    if (rc == SB_ESTATE) { /* GLR-4: an INVITE transaction is open; look again shortly */
        sb_tmr_arm(&e->heap, &st->retry_tmr, now + 200);
        return;
    }
    if (rc) return; /* could not build or send: the expiry deadline still stands */
    sb__emit(e, SB_EV_REFRESH_SENT, c, 0, st->se_s, update ? "UPDATE" : "INVITE");
}

static void expire(sb_ua *e, sb_call *c, uint64_t now) {
    c->stats.session_timer_expired = true;
    if (e->cfg.timer.soft_expiry) {
        c->stats.session_timer_expiry_action = SB_EXPIRY_SOFT;
        c->stats.session_timer_soft_expiries++;
        c->st.phase = SB_ST_SOFT;
        sb__emit(e, SB_EV_TIMER_EXPIRED, c, 0, c->st.se_s, "soft");
        return;
    }
    c->stats.session_timer_expiry_action = SB_EXPIRY_BYE;
    sb__emit(e, SB_EV_TIMER_EXPIRED, c, 0, c->st.se_s, "bye");
    sb__send_bye(e, c, SB_END_SESSION_EXPIRED, now);
}

/* REF-8 failed: the far end neither refreshed successfully nor hung up after our 481/408. */
static void teardown_missed(sb_ua *e, sb_call *c, uint64_t now) {
    c->st.await_teardown = 0;
    check(e, c, SB_VIO_KEPT_DIALOG, false, "no BYE %llu ms after our refusal of its refresh",
          (unsigned long long)(now - c->st.refused_ms));
}

static void on_tmr(void *owner, sb_tmr *t, uint64_t now) {
    (void)t;
    sb_call *c = owner;
    sb_ua *e = c->eng;
    sb_st *st = &c->st;
    if (st->refresher == SB_ST_REMOTE) {
        if (st->await_teardown) teardown_missed(e, c, now);
        /* UAC-13, unless the refresh that did come was refused by our own fault */
        if (!st->refused)
            check(e, c, SB_VIO_MISSED_REFRESH, false, "no refresh within %llu ms of the last 2xx",
                  (unsigned long long)(now - st->t0_ms));
        expire(e, c, now);
        return;
    }
    switch (st->phase) {
    case SB_ST_IDLE: {
        st->phase = SB_ST_SENT;
        sb_tmr_arm(&e->heap, &st->tmr, st->t0_ms + se_ms(st)); /* EXP-2 */
        st->local_refreshes++;
        uint32_t skip = e->cfg.timer.skip_refresh_from;
        if (skip && st->local_refreshes >= skip) { /* fault: a refresher that forgot its timer */
            c->stats.fault_injected = true;
            st->phase = SB_ST_SILENT;
            sb_tmr_arm(&e->heap, &st->tmr, st->t0_ms + se_ms(st) + SB_VERDICT_TOLERANCE_MS);
            return;
        }
        send_refresh(e, c, now);
        return;
    }
    case SB_ST_SILENT: /* EXP-1: the far end, as non-refresher, let the session outlive SE */
        st->phase = SB_ST_JUDGED;
        check(e, c, SB_VIO_NO_TEARDOWN, false, "no BYE by %llu ms after the last 2xx (SE %u s)",
              (unsigned long long)(now - st->t0_ms), st->se_s);
        return;
    default:
        expire(e, c, now); /* our refresh never succeeded */
        return;
    }
}

static void on_retry(void *owner, sb_tmr *t, uint64_t now) {
    (void)t;
    sb_call *c = owner;
    if (c->st.await_teardown) {
        teardown_missed(c->eng, c, now);
        return;
    }
    if (c->st.se_s && c->st.refresher == SB_ST_LOCAL && c->state == SB_CS_CONFIRMED)
        send_refresh(c->eng, c, now);
}

void sb__st_refresh_failed(sb_ua *e, sb_call *c, sb_txn *t, const sb_msg *m, int status,
                           uint64_t now) {
    sb_st *st = &c->st;
    if ((status == 405 || status == 501) && t->method == SB_METHOD_UPDATE) {
        st->update_refused = 1; /* UPD-4: this peer does not do UPDATE */
        c->stats.session_timer_refresh_fallbacks++;
        send_refresh(e, c, now);
        return;
    }
    c->stats.session_timer_refresh_failures++;
    c->stats.session_timer_refresh_failure_status = status;
    sb__emit(e, SB_EV_REFRESH_FAILED, c, status, 0,
             t->method == SB_METHOD_UPDATE ? "UPDATE" : "INVITE");
    if (status == 0 || status == 408 || status == 481) { /* REF-8 */
        sb__send_bye(e, c, SB_END_REFRESH_FAILED, now);
        return;
    }
    if (status == 491) { /* GLR-3, GLR-5 */
        sb_tmr_arm(&e->heap, &st->retry_tmr, now + sb__glare_backoff_ms(e, c));
        return;
    }
    if (status == 422 && m) {
        int why = 0;
        if (sb__st_on_422(e, c, m, &why)) send_refresh(e, c, now); /* 422-4 */
        return;
    }
    const sb_hdr *ra = m ? sb_msg_hdr(m, SB_HDR_RETRY_AFTER) : NULL;
    uint32_t secs;
    if (ra && st->se_s && sb_parse_retry_after(ra->value, &secs) == 0) {
        uint64_t at = now + (uint64_t)secs * 1000;
        if (at < st->t0_ms + se_ms(st)) sb_tmr_arm(&e->heap, &st->retry_tmr, at);
    }
}

void sb__st_refused(sb_ua *e, sb_call *c, int status, uint64_t now) {
    sb_st *st = &c->st;
    c->stats.fault_injected = true;
    c->stats.session_timer_refreshes_refused++;
    st->refused = 1;
    st->refused_ms = now;
    if (status != 481 && status != 408) return;
    /* REF-8 (RFC 4028 §10, RFC 3261 §12.2.1.2): the far end should now end the dialog. Judged
     * 32 s on, or by our own expiry BYE if that comes first (on_tmr). */
    st->await_teardown = 1;
    sb_tmr_arm(&e->heap, &st->retry_tmr, now + 32000);
}

int sb__st_on_remote_bye(sb_ua *e, sb_call *c, uint64_t now) {
    sb_st *st = &c->st;
    if (st->await_teardown) {
        st->await_teardown = 0;
        check(e, c, SB_VIO_KEPT_DIALOG, true, NULL);
        return SB_END_REFRESH_FAILED;
    }
    if (st->phase != SB_ST_SILENT) return SB_END_NONE;
    /* EXP-1: our silence started the clock at t0; the far end's BYE is due in the window */
    st->phase = SB_ST_JUDGED;
    uint64_t lo = st->t0_ms + se_ms(st) - margin_ms(st);
    lo = lo > SB_VERDICT_TOLERANCE_MS ? lo - SB_VERDICT_TOLERANCE_MS : 0;
    bool in_time = now >= lo;
    check(e, c, SB_VIO_NO_TEARDOWN, in_time, "BYE %llu ms after the last 2xx, window from %llu",
          (unsigned long long)(now - st->t0_ms), (unsigned long long)(lo - st->t0_ms));
    return in_time ? SB_END_SESSION_EXPIRED : SB_END_NONE;
}

void sb__st_branch_check(sb_ua *e, sb_call *c, bool reused, uint32_t old_cseq, uint32_t new_cseq) {
    check(e, c, SB_VIO_BRANCH_REUSED, !reused, "branch of CSeq %u reused for CSeq %u", old_cseq,
          new_cseq);
}

static bool near(uint64_t a, uint64_t b, uint64_t tol) {
    return (a > b ? a - b : b - a) <= tol;
}

uint8_t sb__st_drop_timing(const sb_call *c, uint64_t now) {
    const sb_st *st = &c->st;
    uint64_t se = se_ms(st);
    if (!se || !c->stats.answer_ms) return SB_DROP_NONE;
    /* a few seconds for a long interval, a tenth of a short one (SE 6 s: SE/2 is 3 s off SE) */
    uint64_t tol = se / 10 < SB_DROP_TOLERANCE_MS ? se / 10 : SB_DROP_TOLERANCE_MS;
    uint64_t since_answer = now - c->stats.answer_ms, since_2xx = now - st->t0_ms;
    bool refreshed = c->stats.session_timer_refreshes > 0;
    if (refreshed && since_2xx <= tol) return SB_DROP_AFTER_REFRESH;
    if (near(since_answer, se, tol)) return SB_DROP_AT_SE;
    if (refreshed && near(since_2xx, se, tol)) return SB_DROP_AT_SE_SINCE_REFRESH;
    if (near(since_answer, se / 2, tol) || near(since_2xx, se / 2, tol)) return SB_DROP_AT_HALF_SE;
    return SB_DROP_NONE;
}

/* ---- UAS side ------------------------------------------------------------------------------- */

int sb__st_check_request(sb_ua *e, const sb_msg *m, sb_buf *b, const char **reason) {
    const sb_timer_config *tc = &e->cfg.timer;
    /* UAS-8 (Require: timer while timers are off) is the generic Require check in engine.c. */
    if (tc->mode == SB_TIMER_OFF) return 0; /* incoming Session-Expires is ignored */
    bool listed = sb_msg_has_token(m, SB_HDR_SUPPORTED, "timer");
    bool required = sb_msg_has_token(m, SB_HDR_REQUIRE, "timer");
    const sb_hdr *h = sb_msg_hdr(m, SB_HDR_SESSION_EXPIRES);
    const sb_hdr *mh = sb_msg_hdr(m, SB_HDR_MIN_SE);
    uint32_t se = 0, min_req = 0;
    sb_refresher r;
    if (m->count[SB_HDR_SESSION_EXPIRES] > 1 || m->count[SB_HDR_MIN_SE] > 1) { /* HDR-4 */
        *reason = m->count[SB_HDR_MIN_SE] > 1 ? "Bad Request: duplicate Min-SE"
                                              : "Bad Request: duplicate Session-Expires";
        return 400;
    }
    if (h && sb_parse_session_expires(h->value, &se, &r, NULL) != 0) {
        *reason = "Bad Request: bad Session-Expires";
        return 400;
    }
    if (mh && sb_parse_min_se(mh->value, &min_req) != 0) {
        *reason = "Bad Request: bad Min-SE";
        return 400;
    }
    if (tc->mode == SB_TIMER_REQUIRED && !listed && !required) {
        sb_buf_str(b, "Require: timer\r\n");
        return 421;
    }
    uint32_t min = our_min_se(e);
    if (h && (listed || required) && se < min) { /* UAS-1 */
        sb_buf_str(b, "Min-SE: ");
        sb_buf_u64(b, min);
        sb_buf_str(b, "\r\n");
        return 422;
    }
    return 0;
}

void sb__st_answer(sb_ua *e, sb_call *c, const sb_msg *m, sb_buf *b, bool refresh, uint64_t now) {
    const sb_timer_config *tc = &e->cfg.timer;
    sb_st *st = &c->st;
    if (tc->mode == SB_TIMER_OFF) return; /* incoming Session-Expires is ignored */
    bool listed = sb_msg_has_token(m, SB_HDR_SUPPORTED, "timer") ||
                  sb_msg_has_token(m, SB_HDR_REQUIRE, "timer");
    const sb_hdr *h = sb_msg_hdr(m, SB_HDR_SESSION_EXPIRES);
    uint32_t req_se = 0, req_min = SB_SE_FLOOR_S; /* absent Min-SE means 90 (HDR-5) */
    sb_refresher req_r = SB_REFRESHER_NONE;
    bool has = h && sb_parse_session_expires(h->value, &req_se, &req_r, NULL) == 0;
    const sb_hdr *mh = sb_msg_hdr(m, SB_HDR_MIN_SE);
    if (mh && sb_parse_min_se(mh->value, &req_min) != 0) req_min = SB_SE_FLOOR_S;
    st->min_se_s = max_u32(st->min_se_s, req_min); /* REF-6 */
    check(e, c, SB_VIO_DUPLICATE_SE, m->count[SB_HDR_SESSION_EXPIRES] <= 1,
          "%u Session-Expires headers", (unsigned)m->count[SB_HDR_SESSION_EXPIRES]);
    if (has && !tc->unchecked)
        check(e, c, SB_VIO_SE_BELOW_90, req_se >= SB_SE_FLOOR_S, "request Session-Expires %u",
              req_se);
    if (refresh && st->se_s && st->refresher == SB_ST_REMOTE && st->phase != SB_ST_SOFT)
        check(e, c, SB_VIO_MISSED_REFRESH, true, NULL); /* UAC-13: it refreshed in time */
    if (refresh && st->se_s && listed && req_r != SB_REFRESHER_NONE) {
        /* REF-5: the sender names itself (uac) when it is the refresher, us (uas) when we are */
        sb_refresher keep = st->refresher == SB_ST_REMOTE ? SB_REFRESHER_UAC : SB_REFRESHER_UAS;
        check(e, c, SB_VIO_REFRESHER_MOVED, req_r == keep,
              "refresh says refresher=%s while %s refreshes",
              req_r == SB_REFRESHER_UAC ? "uac" : "uas",
              st->refresher == SB_ST_REMOTE ? "it" : "we");
    }

    /* Unchecked runs send values as given: a request without Min-SE does not raise our own
     * interval to the RFC's 90 s. */
    uint32_t floor = tc->unchecked && !mh ? our_min_se(e) : max_u32(req_min, our_min_se(e));
    uint32_t se = 0;
    if (has) {
        se = req_se;
        if (se < floor && !tc->unchecked) se = floor; /* UAS-3: raise instead of a useless 422 */
        if (tc->se_s && tc->se_s < se) se = max_u32(tc->se_s, floor); /* UAS-2: lower */
    } else if (listed || tc->mode == SB_TIMER_ALWAYS) {
        se = max_u32(tc->se_s, floor); /* UAS-4, UAS-10: ask for a timer in the 2xx */
    }
    if (!se) { /* UAS-9: no Session-Expires in our 2xx, no timer */
        adopt(e, c, 0, SB_ST_NOBODY, refresh && st->se_s, false, m->method, 0, now);
        return;
    }
    /* Table 2. Without `timer` in Supported only `uas` is possible (rows 1-3; UAS-11). */
    sb_refresher r;
    if (!listed) {
        check(e, c, SB_VIO_REFRESHER_WITHOUT_TIMER, req_r == SB_REFRESHER_NONE,
              "refresher=%s without Supported: timer", req_r == SB_REFRESHER_UAC ? "uac" : "uas");
        r = SB_REFRESHER_UAS;
    } else if (req_r != SB_REFRESHER_NONE) {
        r = req_r; /* rows 5, 6: the request's choice binds us */
    } else if (refresh && st->se_s) {
        /* row 4 on a refresh: keep the role where it is */
        r = st->refresher == SB_ST_REMOTE ? SB_REFRESHER_UAC : SB_REFRESHER_UAS;
    } else {
        r = tc->refresher == SB_REFRESHER_UAS ? SB_REFRESHER_UAS : SB_REFRESHER_UAC; /* row 4 */
    }
    sb_buf_str(b, "Session-Expires: ");
    sb_buf_u64(b, se);
    sb_buf_str(b, r == SB_REFRESHER_UAC ? ";refresher=uac\r\n" : ";refresher=uas\r\n");
    if (r == SB_REFRESHER_UAC || listed) sb_buf_str(b, "Require: timer\r\n"); /* UAS-6 */
    adopt(e, c, se, r == SB_REFRESHER_UAC ? SB_ST_REMOTE : SB_ST_LOCAL, refresh, false, m->method,
          0, now);
}
