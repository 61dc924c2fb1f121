/* RFC 4028 UAS-side rules (UAS, Table 2, HDR, EXP-1, PRX-6) against a scripted UAC; ids from
 * docs/rfc4028-rules.md. */
#include "scripted_peer.h"

/* The script sends the INVITE at 0 ms; the engine answers 200 at once (ring time 0), so the
 * UAS clock starts at t0 = 0 (UAS-7: when the 2xx is sent). The script ACKs at 5 ms. */

static const sp_msg *ok_invite(const sp_t *p) {
    return sp_must(p, "SIP/2.0 200", "INVITE", 0);
}

static bool requires_timer(const sp_msg *m) {
    return sb_msg_has_token(&m->m, SB_HDR_REQUIRE, "timer");
}

/* ---- UAS ------------------------------------------------------------------------------------ */

/* UAS-1, HDR-7: a 422 only when the request lists `timer` (Supported or Require) and its SE is
 * below our minimum; it carries Min-SE = our minimum and no call is created. Without `timer`
 * the same request is accepted (UAS-3). */
static void test_UAS_1_HDR_7_422_only_with_timer_listed(void **state) {
    (void)state;
    static const struct {
        const char *extra;
        int status;
    } rows[] = {
        {"Supported: timer\nSession-Expires: 100\n", 422},
        {"Require: timer\nSession-Expires: 100\n", 422},
        {"Supported: timer\nSession-Expires: 300\n", 200},
        {"Session-Expires: 100\n", 200},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
        c.timer.min_se_s = 300;
        sp_t *p = sp_uas_answered(&c, rows[i].extra);
        const sp_msg *fin = sp_must_answer(p, 1, "INVITE");
        assert_int_equal(fin->m.status, rows[i].status);
        if (rows[i].status == 422) {
            assert_int_equal(sp_min_se(fin), 300);
            assert_true(sb_slice_eq(fin->m.reason, "Session Interval Too Small"));
            assert_int_equal(sp_count_events(p, SB_EV_CALL_STARTED), 0);
        } else {
            assert_int_equal(sp_se(fin, NULL), 300);
        }
        sp_free(p);
    }
    /* our minimum 90: a listed SE of 89 gets Min-SE 90, never less (HDR-5) */
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    sp_t *p = sp_uas_answered(&c, "Supported: timer\nSession-Expires: 89\n");
    const sp_msg *fin = sp_must_answer(p, 1, "INVITE");
    assert_int_equal(fin->m.status, 422);
    assert_int_equal(sp_min_se(fin), 90);
}

/* UAS-2, HDR-5: the 2xx copies the request's interval, may lower it to ours but never below
 * the request's Min-SE (absent Min-SE = 90), and never raises it. */
static void test_UAS_2_HDR_5_copy_or_lower_never_raise(void **state) {
    (void)state;
    static const struct {
        const char *extra;
        uint32_t ours;
        long want;
    } rows[] = {
        {"Session-Expires: 1800\n", 1800, 1800},
        {"Session-Expires: 600\n", 1800, 600},
        {"Session-Expires: 3600\nMin-SE: 2000\n", 1800, 2000},
        {"Session-Expires: 3600\n", 1800, 1800},
        {"Session-Expires: 3600\n", 90, 90},
        {"Session-Expires: 3600\nMin-SE: 90\n", 90, 90},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        sb_config c = sp_cfg(SB_TIMER_SUPPORTED, rows[i].ours, SB_REFRESHER_UAC);
        char extra[160];
        snprintf(extra, sizeof extra, "Supported: timer\n%s", rows[i].extra);
        sp_t *p = sp_uas_answered(&c, extra);
        const sp_msg *ok = ok_invite(p);
        assert_int_equal(sp_se(ok, NULL), rows[i].want);
        assert_int_equal(sp_live(p)->session_timer_negotiated_se_s, (uint32_t)rows[i].want);
        sp_free(p);
    }
}

/* UAS-3 (erratum 1687): no `timer` and an SE below our minimum: no 422 but a 2xx with SE raised
 * to our minimum, refresher=uas (Table 2 row 1), no Require: timer and no Min-SE; we refresh. */
static void test_UAS_3_raise_instead_of_422_without_timer(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    c.timer.min_se_s = 300;
    sp_t *p = sp_uas_answered(&c, "Session-Expires: 100\nMin-SE: 100\n");
    const sp_msg *ok = ok_invite(p);
    sb_refresher r;
    assert_int_equal(sp_se(ok, &r), 300);
    assert_int_equal(r, SB_REFRESHER_UAS);
    assert_false(requires_timer(ok));
    assert_int_equal(sp_hcount(ok, SB_HDR_MIN_SE), 0);
    sp_at(p, 150000);
    sp_expect_times(p, "INVITE", NULL, (uint64_t[]){150000}, 1);
}

/* UAS-4: the request lists `timer` but has no Session-Expires: we may ask for a timer in the
 * 2xx, with a value not below the request's Min-SE (2400 > our 1800). */
static void test_UAS_4_timer_listed_without_se(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    sp_t *p = sp_uas_answered(&c, "Supported: timer\nMin-SE: 2400\n");
    const sp_msg *ok = ok_invite(p);
    sb_refresher r;
    assert_int_equal(sp_se(ok, &r), 2400);
    assert_int_equal(r, SB_REFRESHER_UAC);
    assert_true(requires_timer(ok));
}

/* UAS-5, UAS-6, UAS-11, Table 2: the 2xx always names a refresher: rows 1-3 (no `timer`) give
 * uas with no Require (a refresher parameter there is the far end's error, UAS-11); rows 5 and
 * 6 follow the request; row 4 follows our preference. Require: timer goes with uac, and with
 * uas when the caller listed `timer`. The role then decides who acts: with uas we refresh at
 * 60 s, with uac we send BYE at 120 - 32 = 88 s (no refresh arrives). */
static void test_UAS_5_UAS_6_UAS_11_table_2(void **state) {
    (void)state;
    static const struct {
        int row;
        const char *extra;
        sb_refresher pref, want;
        bool require, vio;
    } rows[] = {
        {1, "", SB_REFRESHER_UAC, SB_REFRESHER_UAS, false, false},
        {2, ";refresher=uac", SB_REFRESHER_UAC, SB_REFRESHER_UAS, false, true},
        {3, ";refresher=uas", SB_REFRESHER_UAC, SB_REFRESHER_UAS, false, true},
        {4, "", SB_REFRESHER_UAC, SB_REFRESHER_UAC, true, false},
        {4, "", SB_REFRESHER_UAS, SB_REFRESHER_UAS, true, false},
        {4, "", SB_REFRESHER_NONE, SB_REFRESHER_UAC, true, false},
        {5, ";refresher=uac", SB_REFRESHER_UAS, SB_REFRESHER_UAC, true, false},
        {6, ";refresher=uas", SB_REFRESHER_UAC, SB_REFRESHER_UAS, true, false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, rows[i].pref);
        char extra[160];
        snprintf(extra, sizeof extra, "%sSession-Expires: 120%s\n",
                 rows[i].row >= 4 ? "Supported: timer\n" : "", rows[i].extra);
        sp_t *p = sp_uas_answered(&c, extra);
        const sp_msg *ok = ok_invite(p);
        sb_refresher r;
        assert_int_equal(sp_se(ok, &r), 120);
        if (r != rows[i].want || requires_timer(ok) != rows[i].require)
            fail_msg("Table 2 row %d (pref %d): refresher %d require %d", rows[i].row, rows[i].pref,
                     r, requires_timer(ok));
        const sb_call_stats *s = sp_live(p);
        assert_int_equal(sp_vio(s, SB_VIO_REFRESHER_WITHOUT_TIMER), rows[i].vio);
        assert_int_equal(s->session_timer_refresher, r == SB_REFRESHER_UAS ? 1 : 2);
        sp_at(p, 100000);
        if (r == SB_REFRESHER_UAS) {
            sp_expect_times(p, "INVITE", NULL, (uint64_t[]){60000}, 1);
        } else {
            assert_int_equal(sp_count(p, "INVITE", NULL), 0);
            sp_expect_times(p, "BYE", NULL, (uint64_t[]){88000}, 1);
        }
        sp_free(p);
    }
}

/* UAS-11: the refresher-without-timer breach is reported as an event naming the rule. */
static void test_UAS_11_refresher_without_timer_logged(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    sp_t *p = sp_uas_answered(&c, "Session-Expires: 1800;refresher=uac\n");
    const sp_ev *v = sp_event(p, SB_EV_VIOLATION, 0);
    assert_non_null(v);
    assert_int_equal(v->value, SB_VIO_REFRESHER_WITHOUT_TIMER);
    assert_int_equal(v->at_ms, 0);
    assert_string_equal(sb_violation_rfc_id(SB_VIO_REFRESHER_WITHOUT_TIMER), "UAS-11");
}

/* UAS-7: as refresher our clock starts when we *send* the 2xx (after 5 s of ringing), not at
 * the INVITE nor at the ACK: refresh at 5000 + 60000. */
static void test_UAS_7_clock_starts_when_2xx_sent(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    c.ring_time_ms = 5000;
    sp_t *p = sp_new(&c);
    sp_invite(p, 0, "Session-Expires: 120\n");
    sp_at(p, 5000);
    const sp_msg *ok = ok_invite(p);
    assert_int_equal(ok->at_ms, 5000);
    sp_ack(p, 7000, 1);
    sp_at(p, 70000);
    sp_expect_times(p, "INVITE", NULL, (uint64_t[]){65000}, 1);
    const sp_msg *r = sp_must(p, "INVITE", NULL, 0);
    sb_refresher who;
    assert_int_equal(sp_se(r, &who), 120);
    assert_int_equal(who, SB_REFRESHER_UAC); /* we are the UAC of the refresh and refresh */
}

/* UAS-8, HDR-10: timers off: Require: timer gets 420 + Unsupported: timer; a Supported-only
 * timer request is answered 200 without timer headers (incoming SE ignored). Timers on:
 * Require: timer is understood. Required mode: a request without `timer` gets 421 +
 * Require: timer (allowed, not recommended). */
static void test_UAS_8_HDR_10_420_and_421(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_OFF, 0, SB_REFRESHER_UAC);
    sp_t *p = sp_uas_answered(&c, "Require: timer\nSupported: timer\nSession-Expires: 1800\n");
    const sp_msg *fin = sp_must_answer(p, 1, "INVITE");
    assert_int_equal(fin->m.status, 420);
    assert_true(sb_msg_has_token(&fin->m, SB_HDR_UNSUPPORTED, "timer"));
    sp_free(p);

    c = sp_cfg(SB_TIMER_OFF, 0, SB_REFRESHER_UAC);
    p = sp_uas_answered(&c, "Supported: timer\nSession-Expires: 90;refresher=uas\n");
    fin = ok_invite(p);
    assert_int_equal(sp_hcount(fin, SB_HDR_SESSION_EXPIRES), 0);
    assert_false(requires_timer(fin));
    assert_false(sb_msg_has_token(&fin->m, SB_HDR_SUPPORTED, "timer"));
    sp_at(p, 3600000);
    assert_int_equal(sp_count(p, "INVITE", NULL) + sp_count(p, "BYE", NULL), 0);
    sp_free(p);

    c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    p = sp_uas_answered(&c, "Require: timer\nSupported: timer\nSession-Expires: 1800\n");
    fin = ok_invite(p);
    assert_true(requires_timer(fin));
    sp_free(p);

    c = sp_cfg(SB_TIMER_REQUIRED, 1800, SB_REFRESHER_UAC);
    p = sp_uas_answered(&c, "Session-Expires: 1800\n");
    fin = sp_must_answer(p, 1, "INVITE");
    assert_int_equal(fin->m.status, 421);
    assert_true(requires_timer(fin));
}

/* UAS-9, HDR-9: a request with neither `timer` nor SE gets a 2xx without SE: no timer at all. */
static void test_UAS_9_no_se_in_our_2xx_no_timer(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 90, SB_REFRESHER_UAC);
    sp_t *p = sp_uas_answered(&c, NULL);
    assert_int_equal(sp_hcount(ok_invite(p), SB_HDR_SESSION_EXPIRES), 0);
    sp_at(p, 36000000);
    assert_int_equal(sp_count(p, "INVITE", NULL) + sp_count(p, "BYE", NULL), 0);
    assert_false(sp_live(p)->session_timer_active);
    assert_int_equal(sb_engine_next_deadline(p->e), SB_NEVER);
}

/* UAS-9 mid-dialog: a timer runs (we refresh, row 1); the peer's re-INVITE has no SE and no
 * `timer`, our 2xx then has no SE, and the timer is off from there on. */
static void test_UAS_9_mid_dialog_2xx_without_se(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 90, SB_REFRESHER_UAC);
    sp_t *p = sp_uas_answered(&c, "Session-Expires: 90\n");
    assert_true(sp_live(p)->session_timer_active);
    uint32_t cs = sp_request(p, 20000, "INVITE", 0, NULL, SP_SDP);
    sp_ack(p, 20005, cs);
    const sp_msg *ok = sp_must_answer(p, cs, "INVITE");
    assert_int_equal(ok->m.status, 200);
    assert_int_equal(sp_hcount(ok, SB_HDR_SESSION_EXPIRES), 0);
    sp_at(p, 3600000);
    assert_int_equal(sp_count(p, "INVITE", NULL) + sp_count(p, "BYE", NULL), 0);
    assert_false(sp_live(p)->session_timer_active);
}

/* UAS-10: in `always` mode we add a timer unasked: to a caller without `timer` that means
 * refresher=uas, no Require, and we refresh at SE/2. */
static void test_UAS_10_always_mode_adds_timer(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_ALWAYS, 120, SB_REFRESHER_UAC);
    sp_t *p = sp_uas_answered(&c, NULL);
    const sp_msg *ok = ok_invite(p);
    sb_refresher r;
    assert_int_equal(sp_se(ok, &r), 120);
    assert_int_equal(r, SB_REFRESHER_UAS);
    assert_false(requires_timer(ok));
    sp_at(p, 60000);
    sp_expect_times(p, "INVITE", NULL, (uint64_t[]){60000}, 1);
    sp_free(p);

    /* Unchecked, a request without Session-Expires and Min-SE gets our --timer-se as given
     * (it used to be raised to 90 s): SE 4, we refresh at 2 s. */
    c = sp_cfg(SB_TIMER_ALWAYS, 4, SB_REFRESHER_UAC);
    c.timer.min_se_s = 2;
    c.timer.unchecked = true;
    p = sp_uas_answered(&c, NULL);
    assert_int_equal(sp_se(ok_invite(p), NULL), 4);
    sp_at(p, 2000);
    sp_expect_times(p, "INVITE", NULL, (uint64_t[]){2000}, 1);
}

/* ---- HDR (UAS side) ------------------------------------------------------------------------ */

/* HDR-1: compact `k: timer` and `x:` in the request are understood: `timer` counts as listed
 * (so refresher=uas is honoured and Require: timer is sent, UAS-6). */
static void test_HDR_1_compact_forms_in_request(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    sp_t *p = sp_uas_answered(&c, "k: timer\nx: 120;refresher=uas\n");
    const sp_msg *ok = ok_invite(p);
    sb_refresher r;
    assert_int_equal(sp_se(ok, &r), 120);
    assert_int_equal(r, SB_REFRESHER_UAS);
    assert_true(requires_timer(ok));
    assert_int_equal(sp_live(p)->violations, 0);
}

/* HDR-2: refresher=bogus does not get the request rejected; it counts as absent (row 4: our
 * preference uac). refresher=UAS (any case) is uas. */
static void test_HDR_2_bogus_refresher_in_request(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    sp_t *p = sp_uas_answered(&c, "Supported: timer\nSession-Expires: 120;refresher=bogus\n");
    const sp_msg *ok = ok_invite(p);
    sb_refresher r;
    assert_int_equal(sp_se(ok, &r), 120);
    assert_int_equal(r, SB_REFRESHER_UAC);
    sp_free(p);

    c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    p = sp_uas_answered(&c, "Supported: timer\nSession-Expires: 120;REFRESHER=Uas\n");
    assert_int_equal(sp_se(ok_invite(p), &r), 120);
    assert_int_equal(r, SB_REFRESHER_UAS);
}

/* HDR-3: Session-Expires only in the 2xx (not in 100/180, nor in the 200 to BYE); Min-SE in
 * no response of ours but the 422. */
static void test_HDR_3_timer_headers_only_where_allowed(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    c.ring_time_ms = 1000;
    sp_t *p = sp_new(&c);
    sp_invite(p, 0, "Supported: timer\nSession-Expires: 1800\nMin-SE: 90\n");
    sp_at(p, 1000);
    sp_ack(p, 1005, 1);
    uint32_t cs = sp_request(p, 2000, "BYE", 0, NULL, NULL);
    const sp_msg *m100 = sp_must(p, "SIP/2.0 100", "INVITE", 0);
    const sp_msg *m180 = sp_must(p, "SIP/2.0 180", "INVITE", 0);
    const sp_msg *ok = ok_invite(p);
    const sp_msg *okbye = sp_must_answer(p, cs, "BYE");
    assert_int_equal(sp_hcount(m100, SB_HDR_SESSION_EXPIRES), 0);
    assert_int_equal(sp_hcount(m180, SB_HDR_SESSION_EXPIRES), 0);
    assert_int_equal(sp_hcount(okbye, SB_HDR_SESSION_EXPIRES), 0);
    assert_int_equal(sp_hcount(ok, SB_HDR_SESSION_EXPIRES), 1);
    for (int i = 0; i < p->nmsgs; i++)
        if (p->msgs[i].from_engine) assert_int_equal(sp_hcount(&p->msgs[i], SB_HDR_MIN_SE), 0);
}

/* HDR-4: Session-Expires and Min-SE are not list headers, so two of either make the request
 * malformed (RFC 3261 §7.3.1): 400 with a reason phrase naming the problem, and no call. */
static void test_HDR_4_duplicate_se_in_request(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    sp_t *p =
        sp_uas_answered(&c, "Supported: timer\nSession-Expires: 1800\nSession-Expires: 900\n");
    const sp_msg *fin = sp_must_answer(p, 1, "INVITE");
    assert_int_equal(fin->m.status, 400);
    assert_true(sb_slice_eq(fin->m.reason, "Bad Request: duplicate Session-Expires"));
    assert_null(sp_sent(p, "SIP/2.0 200", "INVITE", 0));
    sp_free(p);

    p = sp_uas_answered(&c, "Supported: timer\nSession-Expires: 1800\nMin-SE: 90\nMin-SE: 120\n");
    fin = sp_must_answer(p, 1, "INVITE");
    assert_int_equal(fin->m.status, 400);
    assert_true(sb_slice_eq(fin->m.reason, "Bad Request: duplicate Min-SE"));
    sp_free(p);
}

/* HDR-8: a request SE of 89 (without `timer`) is raised to 90 and the far end's error is
 * recorded; a huge SE (2^32 - 1) is handled and lowered to ours. */
static void test_HDR_8_below_90_and_huge_in_request(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    sp_t *p = sp_uas_answered(&c, "Session-Expires: 89\n");
    assert_int_equal(sp_se(ok_invite(p), NULL), 90);
    assert_true(sp_vio(sp_live(p), SB_VIO_SE_BELOW_90));
    sp_free(p);

    c = sp_cfg(SB_TIMER_SUPPORTED, 7200, SB_REFRESHER_UAC);
    p = sp_uas_answered(&c, "Supported: timer\nSession-Expires: 4294967295\n");
    assert_int_equal(sp_se(ok_invite(p), NULL), 7200);
}

/* HDR-8: "there is no upper bound": an SE beyond 32 bits (4294967296) must still be handled
 * (e.g. clamped and lowered to ours), not answered 400. */
static void test_HDR_8_se_beyond_32_bits_in_request(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 7200, SB_REFRESHER_UAC);
    sp_t *p = sp_uas_answered(&c, "Supported: timer\nSession-Expires: 4294967296\n");
    const sp_msg *fin = sp_must_answer(p, 1, "INVITE");
    assert_int_equal(fin->m.status, 200);
    assert_int_equal(sp_se(fin, NULL), 7200);
}

/* ---- EXP-1 and PRX-6 (UAS side) ------------------------------------------------------------ */

/* EXP-1: as non-refresher (row 5) with SE 95 and no refresh: BYE at t0 + 95 s - 95/3 s
 * (computed in ms: 63333.3, sent at 63333 or 63334), recorded as a missed refresh. A refresh
 * received at 30 s moves the BYE to 30000 + 63334. */
static void test_EXP_1_non_refresher_bye_fractional_margin(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    sp_t *p = sp_uas_answered(&c, "Supported: timer\nSession-Expires: 95;refresher=uac\n");
    sp_at(p, 100000);
    const sp_msg *bye = sp_must(p, "BYE", NULL, 0);
    assert_true(bye->at_ms == 63333 || bye->at_ms == 63334);
    const sb_call_stats *s = sp_stats(p);
    assert_true(sp_vio(s, SB_VIO_MISSED_REFRESH));
    assert_true(s->session_timer_expired);
    sp_free(p);

    c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    p = sp_uas_answered(&c, "Supported: timer\nSession-Expires: 95;refresher=uac\n");
    uint32_t cs = sp_request(p, 30000, "UPDATE", 0,
                             "Supported: timer\nSession-Expires: 95;refresher=uac\n", NULL);
    assert_int_equal(sp_must_answer(p, cs, "UPDATE")->m.status, 200);
    sp_at(p, 200000);
    bye = sp_must(p, "BYE", NULL, 0);
    assert_true(bye->at_ms == 30000 + 63333 || bye->at_ms == 30000 + 63334);
    assert_int_equal(sp_stats(p)->session_timer_refreshes, 1);
}

/* PRX-6: a request from a caller without `timer` in which a proxy inserted Min-SE 1000 and
 * SE 1000 (PRX-4): we answer SE 1000;refresher=uas without Require, refresh at 500 s, and our
 * refresh keeps Min-SE 1000 (REF-6: Min-SE seen on the dialog). */
static void test_PRX_6_proxy_inserted_min_se_in_request(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    sp_t *p = sp_uas_answered(&c, "Session-Expires: 1000\nMin-SE: 1000\n");
    const sp_msg *ok = ok_invite(p);
    sb_refresher r;
    assert_int_equal(sp_se(ok, &r), 1000);
    assert_int_equal(r, SB_REFRESHER_UAS);
    assert_false(requires_timer(ok));
    sp_at(p, 500000);
    const sp_msg *ref = sp_must(p, "INVITE", NULL, 0);
    assert_int_equal(ref->at_ms, 500000);
    assert_int_equal(sp_min_se(ref), 1000);
    assert_int_equal(sp_se(ref, NULL), 1000);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        sp_test(test_UAS_1_HDR_7_422_only_with_timer_listed),
        sp_test(test_UAS_2_HDR_5_copy_or_lower_never_raise),
        sp_test(test_UAS_3_raise_instead_of_422_without_timer),
        sp_test(test_UAS_4_timer_listed_without_se),
        sp_test(test_UAS_5_UAS_6_UAS_11_table_2),
        sp_test(test_UAS_11_refresher_without_timer_logged),
        sp_test(test_UAS_7_clock_starts_when_2xx_sent),
        sp_test(test_UAS_8_HDR_10_420_and_421),
        sp_test(test_UAS_9_no_se_in_our_2xx_no_timer),
        sp_test(test_UAS_9_mid_dialog_2xx_without_se),
        sp_test(test_UAS_10_always_mode_adds_timer),
        sp_test(test_HDR_1_compact_forms_in_request),
        sp_test(test_HDR_2_bogus_refresher_in_request),
        sp_test(test_HDR_3_timer_headers_only_where_allowed),
        sp_test(test_HDR_4_duplicate_se_in_request),
        sp_test(test_HDR_8_below_90_and_huge_in_request),
        sp_test(test_EXP_1_non_refresher_bye_fractional_margin),
        sp_test(test_PRX_6_proxy_inserted_min_se_in_request),
        sp_test(test_HDR_8_se_beyond_32_bits_in_request),
    };
    return cmocka_run_group_tests_name("rfc4028_uas", tests, NULL, NULL);
}
