/* RFC 4028 UAC-side rules (HDR, UAC, 422, PRX-6) against a scripted UAS; ids from
 * docs/rfc4028-rules.md. */
#include "scripted_peer.h"

/* The engine under test places the call at 0 ms; the script answers at chosen times. With the
 * 2xx delivered at t, t0 = t (UAC-10) and every expected time below is written as t0 + x. */

#define TIMER_2XX_UAC "Supported: timer\nRequire: timer\n"

static bool has_timer_tag(const sp_msg *m) {
    return sb_msg_has_token(&m->m, SB_HDR_SUPPORTED, "timer");
}

/* ---- HDR --------------------------------------------------------------------------------- */

/* HDR-1: `x` is Session-Expires and `k` is Supported (compact forms); names are
 * case-insensitive. Each spelling of the same 2xx must give the same interval and role. */
static void test_HDR_1_compact_and_case_forms_in_2xx(void **state) {
    (void)state;
    static const char *const forms[] = {
        "k: timer\nRequire: timer\nx: 120;refresher=uac\n",
        "supported: timer\nREQUIRE: timer\nsession-expires: 120;refresher=uac\n",
        "SESSION-EXPIRES: 120 ; refresher=uac\nSupported: timer\nRequire: timer\n",
        "X: 120;refresher=uac\nK: timer\nRequire: timer\n",
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
        sp_t *p = sp_uac_answered(&c, 0, 10, forms[i]);
        const sb_call_stats *s = sp_live(p);
        assert_non_null(s);
        assert_true(s->session_timer_active);
        assert_int_equal(s->session_timer_negotiated_se_s, 120);
        assert_int_equal(s->session_timer_refresher, 1);
        assert_int_equal(s->violations, 0);
        const sp_ev *neg = sp_event(p, SB_EV_TIMER_NEGOTIATED, 0);
        assert_non_null(neg);
        assert_int_equal(neg->value, 120);
        assert_int_equal(neg->at_ms, 10);
        sp_at(p, 10 + 60000);
        sp_expect_times(p, "INVITE", NULL, (uint64_t[]){0, 10 + 60000}, 2);
        sp_free(p);
    }
}

/* HDR-2: refresher=bogus still parses as a generic parameter; the 2xx is not rejected and the
 * refresher counts as absent (policy), i.e. we, the UAC, refresh and note that the 2xx named
 * no valid refresher (UAS-5). The value is case-insensitive: refresher=UAS is `uas`. */
static void test_HDR_2_bogus_refresher_in_2xx_counts_as_absent(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_NONE);
    sp_t *p = sp_uac_answered(&c, 0, 10, TIMER_2XX_UAC "Session-Expires: 120;refresher=bogus\n");
    sp_expect_times(p, "ACK", NULL, (uint64_t[]){10}, 1);
    const sb_call_stats *s = sp_live(p);
    assert_true(s->session_timer_active);
    assert_int_equal(s->session_timer_negotiated_se_s, 120);
    assert_int_equal(s->session_timer_refresher, 1);
    assert_true(sp_vio(s, SB_VIO_NO_REFRESHER_IN_2XX));
    sp_at(p, 10 + 60000);
    sp_expect_times(p, "INVITE", NULL, (uint64_t[]){0, 60010}, 2);
    sp_free(p);

    c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_NONE);
    p = sp_uac_answered(&c, 0, 10, TIMER_2XX_UAC "Session-Expires: 120;Refresher=UAS\n");
    s = sp_live(p);
    assert_int_equal(s->session_timer_refresher, 2);
    assert_false(sp_vio(s, SB_VIO_NO_REFRESHER_IN_2XX));
    sp_at(p, 200000);
    assert_int_equal(sp_count(p, "INVITE", NULL), 1);
    sp_expect_times(p, "BYE", NULL, (uint64_t[]){10 + 120000 - 32000}, 1);
}

/* HDR-3: Min-SE belongs in requests and 422 only. A Min-SE in a 2xx is the far end's error and
 * is recorded (the call goes on); Session-Expires/Min-SE never appear in our ACK or BYE. */
static void test_HDR_3_min_se_only_in_requests_and_422(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    sp_t *p = sp_uac_answered(&c, 5000, 10,
                              TIMER_2XX_UAC "Session-Expires: 1800;refresher=uac\nMin-SE: 90\n");
    const sb_call_stats *s = sp_live(p);
    assert_true(sp_vio(s, SB_VIO_MIN_SE_IN_RESPONSE));
    assert_true(s->session_timer_active);
    sp_at(p, 5010);
    const sp_msg *ack = sp_must(p, "ACK", NULL, 0), *bye = sp_must(p, "BYE", NULL, 0);
    assert_int_equal(bye->at_ms, 5010);
    assert_int_equal(sp_hcount(ack, SB_HDR_SESSION_EXPIRES) + sp_hcount(ack, SB_HDR_MIN_SE), 0);
    assert_int_equal(sp_hcount(bye, SB_HDR_SESSION_EXPIRES) + sp_hcount(bye, SB_HDR_MIN_SE), 0);
    /* and a clean 2xx passes the check */
    sp_free(p);
    c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    p = sp_uac_answered(&c, 0, 10, TIMER_2XX_UAC "Session-Expires: 1800;refresher=uac\n");
    assert_true(sp_passed(sp_live(p), SB_VIO_MIN_SE_IN_RESPONSE));
    assert_false(sp_vio(sp_live(p), SB_VIO_MIN_SE_IN_RESPONSE));
}

/* HDR-4: Session-Expires and Min-SE are not list headers. Ours appear once per request; a 2xx
 * with two Session-Expires lines is recorded as the far end's error. */
static void test_HDR_4_single_se_and_min_se(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 90, SB_REFRESHER_UAC);
    sp_t *p = sp_uac_answered(&c, 0, 10,
                              TIMER_2XX_UAC "Session-Expires: 90;refresher=uac\n"
                                            "Session-Expires: 120;refresher=uas\n");
    assert_true(sp_vio(sp_live(p), SB_VIO_DUPLICATE_SE));
    sp_at(p, 45010);
    for (int i = 0; i < 2; i++) {
        const sp_msg *inv = sp_must(p, "INVITE", NULL, i);
        assert_int_equal(sp_hcount(inv, SB_HDR_SESSION_EXPIRES), 1);
        assert_int_equal(sp_hcount(inv, SB_HDR_MIN_SE), 1);
    }
}

/* HDR-5: Min-SE is never below 90. Our configuration refuses less, and what we send is >= 90. */
static void test_HDR_5_min_se_never_below_90(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    c.timer.min_se_s = 89;
    assert_int_equal(sb_config_check(&c, NULL), SB_EINVAL);
    c.timer.min_se_s = 90;
    sp_t *p = sp_new(&c);
    sp_call(p, 0);
    assert_int_equal(sp_min_se(sp_must(p, "INVITE", NULL, 0)), 90);
}

/* HDR-6 (policy, docs/rfc4028-rules.md): 1800 s is the RFC's recommendation; our configured offer
 * may be 90..7200 s by design, and is sent exactly as configured. */
static void test_HDR_6_offered_interval_policy(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    c.timer.se_s = 89;
    assert_int_equal(sb_config_check(&c, NULL), SB_EINVAL);
    c.timer.se_s = 7201;
    assert_int_equal(sb_config_check(&c, NULL), SB_EINVAL);
    c.timer.se_s = 7200;
    assert_int_equal(sb_config_check(&c, NULL), 0);
    c.timer.se_s = 1800;
    sp_t *p = sp_new(&c);
    sp_call(p, 0);
    assert_int_equal(sp_se(sp_must(p, "INVITE", NULL, 0), NULL), 1800);
}

/* HDR-7: the option tag is exactly `timer`; the 422 reason phrase is free text, so a 422 with
 * any phrase is handled as a 422. */
static void test_HDR_7_option_tag_and_free_422_phrase(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 900, SB_REFRESHER_UAC);
    sp_t *p = sp_new(&c);
    sp_call(p, 0);
    char v[128];
    assert_true(sp_hval(sp_must(p, "INVITE", NULL, 0), SB_HDR_SUPPORTED, v, sizeof v));
    assert_string_equal(v, "timer");
    sp_reply(p, 5, sp_must(p, "INVITE", NULL, 0), "422 Intervalle trop court", "Min-SE: 1000\n",
             NULL);
    sp_expect_times(p, "INVITE", NULL, (uint64_t[]){0, 5}, 2);
    assert_int_equal(sp_min_se(sp_must(p, "INVITE", NULL, 1)), 1000);
    const sp_ev *e = sp_event(p, SB_EV_TIMER_422, 0);
    assert_non_null(e);
    assert_int_equal(e->value, 1000);
}

/* HDR-8: 90 s is the floor (a 2xx with 89 is recorded as the far end's error); there is no
 * upper bound: 4294967295 s is carried and timed without overflow. */
static void test_HDR_8_floor_90_and_no_upper_bound(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    sp_t *p = sp_uac_answered(&c, 0, 10, TIMER_2XX_UAC "Session-Expires: 89;refresher=uac\n");
    assert_true(sp_vio(sp_live(p), SB_VIO_SE_BELOW_90));
    sp_free(p);

    c = sp_cfg(SB_TIMER_SUPPORTED, 4294967295u, SB_REFRESHER_UAC);
    c.timer.unchecked = true;
    p = sp_new(&c);
    sp_call(p, 0);
    assert_int_equal(sp_se(sp_must(p, "INVITE", NULL, 0), NULL), 4294967295L);
    sp_ok_invite(p, 10, 0, TIMER_2XX_UAC "Session-Expires: 4294967295;refresher=uac\n");
    assert_int_equal(sp_live(p)->session_timer_negotiated_se_s, 4294967295u);
    sp_at(p, 100000); /* past Timer M of the INVITE transaction */
    assert_int_equal(sb_engine_next_deadline(p->e), 10 + 4294967295000ull / 2);
    assert_int_equal(sp_count(p, "INVITE", NULL), 1);
}

/* UAC-7, HDR-9: a 2xx without Session-Expires means no session timer: ten hours later we have
 * sent no refresh and no BYE, and no timer is armed. */
static void test_UAC_7_HDR_9_2xx_without_se_turns_timer_off(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 90, SB_REFRESHER_UAC);
    sp_t *p = sp_uac_answered(&c, 0, 10, "Supported: timer\n");
    sp_at(p, 36000000);
    assert_int_equal(sp_count(p, "INVITE", NULL), 1);
    assert_int_equal(sp_count(p, "BYE", NULL), 0);
    assert_int_equal(sb_engine_next_deadline(p->e), SB_NEVER);
    const sb_call_stats *s = sp_live(p);
    assert_false(s->session_timer_active);
    assert_int_equal(s->session_timer_negotiated_se_s, 0);
    assert_int_equal(s->violations, 0);
}

/* UAC-7, mid-dialog: the 2xx to a refresh has no Session-Expires, so the timer stops there. */
static void test_UAC_7_refresh_2xx_without_se_stops_timer(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 90, SB_REFRESHER_UAC);
    sp_t *p = sp_uac_answered(&c, 0, 10, TIMER_2XX_UAC "Session-Expires: 90;refresher=uac\n");
    sp_at(p, 45010);
    sp_ok_invite(p, 45020, 1, "Supported: timer\n");
    sp_at(p, 36000000);
    sp_expect_times(p, "INVITE", NULL, (uint64_t[]){0, 45010}, 2);
    assert_int_equal(sp_count(p, "BYE", NULL), 0);
    const sb_call_stats *s = sp_live(p);
    assert_false(s->session_timer_active);
    assert_int_equal(s->session_timer_refreshes, 1);
}

/* ---- UAC ----------------------------------------------------------------------------------- */

/* UAC-1: with timers enabled every request but ACK lists `timer` in Supported (INVITE,
 * re-INVITE, UPDATE, BYE); with timers off no request lists it, nor carries timer headers. */
static void test_UAC_1_timer_in_supported_on_every_request_but_ack(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 90, SB_REFRESHER_UAC);
    c.timer.method = SB_REFRESH_UPDATE;
    sp_t *p = sp_uac_answered(&c, 50000, 10, TIMER_2XX_UAC "Session-Expires: 90;refresher=uac\n");
    sp_at(p, 1000);
    assert_int_equal(sb_engine_hold(p->e, p->handle, SB_HOLD_SENDONLY, 1000), 0);
    sp_drain(p);
    sp_ok_invite(p, 1010, 1, TIMER_2XX_UAC "Session-Expires: 90;refresher=uac\n");
    sp_at(p, 1010 + 45000);
    sp_reply(p, 46020, sp_must(p, "UPDATE", NULL, 0), "200 OK",
             TIMER_2XX_UAC "Session-Expires: 90;refresher=uac\n", NULL);
    sp_at(p, 50010);
    const char *with[] = {"INVITE", "UPDATE", "BYE"};
    for (size_t k = 0; k < 3; k++)
        for (int i = 0; sp_sent(p, with[k], NULL, i); i++)
            assert_true(has_timer_tag(sp_sent(p, with[k], NULL, i)));
    assert_int_equal(sp_count(p, "INVITE", NULL), 2);
    assert_int_equal(sp_count(p, "UPDATE", NULL), 1);
    assert_int_equal(sp_count(p, "BYE", NULL), 1);
    for (int i = 0; sp_sent(p, "ACK", NULL, i); i++)
        assert_false(has_timer_tag(sp_sent(p, "ACK", NULL, i)));
    sp_free(p);

    c = sp_cfg(SB_TIMER_OFF, 0, SB_REFRESHER_UAC);
    p = sp_uac_answered(&c, 5000, 10, NULL);
    sp_at(p, 1000);
    assert_int_equal(sb_engine_hold(p->e, p->handle, SB_HOLD_SENDONLY, 1000), 0);
    sp_drain(p);
    sp_ok_invite(p, 1010, 1, NULL);
    sp_at(p, 5010);
    assert_int_equal(sp_count(p, "BYE", NULL), 1);
    for (int i = 0; i < p->nmsgs; i++) {
        const sp_msg *m = &p->msgs[i];
        if (!m->from_engine) continue;
        assert_false(has_timer_tag(m));
        assert_int_equal(sp_hcount(m, SB_HDR_SESSION_EXPIRES) + sp_hcount(m, SB_HDR_MIN_SE), 0);
        assert_false(sb_msg_has_token(&m->m, SB_HDR_REQUIRE, "timer"));
    }
}

/* UAC-1 for CANCEL: "each request (except ACK)" includes CANCEL. */
static void test_UAC_1_cancel_lists_timer(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    sp_t *p = sp_new(&c);
    sp_call(p, 0);
    sp_reply(p, 5, sp_must(p, "INVITE", NULL, 0), "180 Ringing", NULL, NULL);
    sp_at(p, 100);
    assert_int_equal(sb_engine_hangup(p->e, p->handle, 100), 0);
    sp_drain(p);
    const sp_msg *cancel = sp_must(p, "CANCEL", NULL, 0);
    assert_true(has_timer_tag(cancel));
}

/* UAC-2, UAC-12: the initial INVITE asks for our interval and carries our Min-SE (>= 90),
 * with Session-Expires >= Min-SE; configuration refuses Min-SE above SE. */
static void test_UAC_2_UAC_12_initial_se_and_min_se(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    c.timer.min_se_s = 1801;
    assert_int_equal(sb_config_check(&c, NULL), SB_EINVAL);
    c.timer.min_se_s = 120;
    sp_t *p = sp_new(&c);
    sp_call(p, 0);
    const sp_msg *inv = sp_must(p, "INVITE", NULL, 0);
    assert_int_equal(sp_se(inv, NULL), 1800);
    assert_int_equal(sp_min_se(inv), 120);
}

/* UAC-3: refresher=uac is our default preference (MAY); preference "none" sends no parameter
 * (the RFC's recommended form); a UAC with timers off sends no Session-Expires at all. */
static void test_UAC_3_refresher_parameter_in_initial_invite(void **state) {
    (void)state;
    static const struct {
        sb_timer_mode mode;
        sb_refresher pref;
        long se;
        sb_refresher want;
        bool param;
    } rows[] = {
        {SB_TIMER_SUPPORTED, SB_REFRESHER_UAC, 1800, SB_REFRESHER_UAC, true},
        {SB_TIMER_SUPPORTED, SB_REFRESHER_NONE, 1800, SB_REFRESHER_NONE, false},
        {SB_TIMER_OFF, SB_REFRESHER_UAC, -1, SB_REFRESHER_NONE, false},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        sb_config c = sp_cfg(rows[i].mode, rows[i].mode ? 1800 : 0, rows[i].pref);
        sp_t *p = sp_new(&c);
        sp_call(p, 0);
        const sp_msg *inv = sp_must(p, "INVITE", NULL, 0);
        sb_refresher r;
        assert_int_equal(sp_se(inv, &r), rows[i].se);
        assert_int_equal(r, rows[i].want);
        assert_int_equal(sp_has_param(inv, SB_HDR_SESSION_EXPIRES, "refresher"), rows[i].param);
        sp_free(p);
    }
}

/* UAC-4, UAC-11: required mode adds Require: timer (allowed, not recommended) and keeps
 * `timer` in Supported; no Proxy-Require is sent. */
static void test_UAC_4_UAC_11_required_mode_headers(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_REQUIRED, 1800, SB_REFRESHER_UAC);
    sp_t *p = sp_new(&c);
    sp_call(p, 0);
    const sp_msg *inv = sp_must(p, "INVITE", NULL, 0);
    assert_true(sb_msg_has_token(&inv->m, SB_HDR_REQUIRE, "timer"));
    assert_true(has_timer_tag(inv));
    assert_int_equal(sp_hcount(inv, SB_HDR_PROXY_REQUIRE), 0);
}

/* UAC-4 (policy): Require: timer is only sent in `required` mode, whose purpose is to prove
 * the far end supports timers. There a 420 fails the call (end_reason remote_unsupported_timer)
 * instead of the RFC 3261 §8.1.3.5 SHOULD-retry without Require, which would hide exactly what
 * the mode tests; `supported` mode never sends Require, so the retry question never arises.
 * The 420 is ACKed on its own transaction and no second INVITE goes out. */
static void test_UAC_4_420_fails_required_mode(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_REQUIRED, 1800, SB_REFRESHER_UAC);
    sp_t *p = sp_new(&c);
    sp_call(p, 0);
    const sp_msg *inv = sp_must(p, "INVITE", NULL, 0);
    assert_true(sb_msg_has_token(&inv->m, SB_HDR_REQUIRE, "timer"));
    assert_true(has_timer_tag(inv)); /* UAC-11: still in Supported too */
    sp_reply(p, 5, inv, "420 Bad Extension", "Unsupported: timer\n", NULL);
    sp_expect_times(p, "ACK", NULL, (uint64_t[]){5}, 1);
    sp_at(p, 60000);
    assert_int_equal(sp_count(p, "INVITE", NULL), 1);
    const sb_call_stats *end = sp_ended(p);
    assert_int_equal(end->end_reason, SB_END_REMOTE_UNSUPPORTED_TIMER);
    assert_int_equal(end->result, SB_RESULT_FAILED);
    assert_int_equal(end->final_status_code, 420);
    sp_free(p);
}

/* UAC-5, HDR-10: Require: timer in a 2xx obliges us to process its Session-Expires: a lower
 * interval with refresher=uac is adopted. Require: timer without Session-Expires is the far
 * end's error (recorded) and leaves no timer. */
static void test_UAC_5_HDR_10_require_timer_in_2xx(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_NONE);
    sp_t *p = sp_uac_answered(&c, 0, 10, "Require: timer\nSession-Expires: 600;refresher=uac\n");
    const sb_call_stats *s = sp_live(p);
    assert_int_equal(s->session_timer_negotiated_se_s, 600);
    assert_int_equal(s->session_timer_refresher, 1);
    assert_true(sp_passed(s, SB_VIO_NO_SE_WITH_REQUIRE) || !sp_vio(s, SB_VIO_NO_SE_WITH_REQUIRE));
    sp_at(p, 300010);
    sp_expect_times(p, "INVITE", NULL, (uint64_t[]){0, 300010}, 2);
    sp_free(p);

    c = sp_cfg(SB_TIMER_SUPPORTED, 90, SB_REFRESHER_UAC);
    p = sp_uac_answered(&c, 0, 10, "Supported: timer\nRequire: timer\n");
    s = sp_live(p);
    assert_true(sp_vio(s, SB_VIO_NO_SE_WITH_REQUIRE));
    assert_false(s->session_timer_active);
    const sp_ev *v = sp_event(p, SB_EV_VIOLATION, 0);
    assert_non_null(v);
    assert_int_equal(v->value, SB_VIO_NO_SE_WITH_REQUIRE);
    assert_string_equal(sb_violation_rfc_id(SB_VIO_NO_SE_WITH_REQUIRE), "UAC-5");
    sp_at(p, 3600000);
    assert_int_equal(sp_count(p, "INVITE", NULL) + sp_count(p, "BYE", NULL), 1);
}

/* UAC-5 with timers off (policy, docs/rfc4028-rules.md): incoming Session-Expires is ignored. */
static void test_UAC_5_timer_off_ignores_se_in_2xx(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_OFF, 0, SB_REFRESHER_UAC);
    sp_t *p = sp_uac_answered(&c, 0, 10, TIMER_2XX_UAC "Session-Expires: 90;refresher=uac\n");
    sp_at(p, 3600000);
    assert_int_equal(sp_count(p, "INVITE", NULL) + sp_count(p, "BYE", NULL), 1);
    assert_false(sp_live(p)->session_timer_active);
}

/* UAC-6: the 2xx is authoritative. We asked refresher=uac, the 2xx says uas with a lower
 * interval: we adopt both (no refresh from us; EXP-1 BYE at t0 + 300 - 32 s) and record the
 * Table 2 breach. With no refresher asked, the same 2xx is no breach. */
static void test_UAC_6_2xx_interval_and_refresher_are_authoritative(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    sp_t *p = sp_uac_answered(&c, 0, 10, TIMER_2XX_UAC "Session-Expires: 300;refresher=uas\n");
    const sb_call_stats *s = sp_live(p);
    assert_int_equal(s->session_timer_negotiated_se_s, 300);
    assert_int_equal(s->session_timer_refresher, 2);
    assert_true(sp_vio(s, SB_VIO_TABLE2_REFRESHER));
    assert_false(sp_vio(s, SB_VIO_SE_RAISED));
    sp_at(p, 400000);
    assert_int_equal(sp_count(p, "INVITE", NULL), 1);
    sp_expect_times(p, "BYE", NULL, (uint64_t[]){10 + 300000 - 32000}, 1);
    sp_free(p);

    c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_NONE);
    p = sp_uac_answered(&c, 0, 10, TIMER_2XX_UAC "Session-Expires: 300;refresher=uas\n");
    s = sp_live(p);
    assert_int_equal(s->session_timer_refresher, 2);
    assert_int_equal(s->violations, 0);
}

/* UAC-8: in `always` mode, a 2xx with neither Session-Expires nor Require: timer leaves us
 * refresher with our own value (refresh at t0 + 60 s, SE 120, refresher=uac). In `supported`
 * mode the same 2xx means no timer; with Require: timer (and no SE) the exception does not
 * apply either. */
static void test_UAC_8_always_mode_keeps_timer_alone(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_ALWAYS, 120, SB_REFRESHER_UAC);
    sp_t *p = sp_uac_answered(&c, 0, 10, NULL);
    const sb_call_stats *s = sp_live(p);
    assert_true(s->session_timer_active);
    assert_int_equal(s->session_timer_negotiated_se_s, 120);
    assert_int_equal(s->session_timer_refresher, 1);
    sp_at(p, 60010);
    sp_expect_times(p, "INVITE", NULL, (uint64_t[]){0, 60010}, 2);
    const sp_msg *r = sp_must(p, "INVITE", NULL, 1);
    sb_refresher who;
    assert_int_equal(sp_se(r, &who), 120);
    assert_int_equal(who, SB_REFRESHER_UAC);
    sp_free(p);

    c = sp_cfg(SB_TIMER_SUPPORTED, 120, SB_REFRESHER_UAC);
    p = sp_uac_answered(&c, 0, 10, NULL);
    assert_false(sp_live(p)->session_timer_active);
    sp_free(p);

    c = sp_cfg(SB_TIMER_ALWAYS, 120, SB_REFRESHER_UAC);
    p = sp_uac_answered(&c, 0, 10, "Require: timer\n");
    assert_false(sp_live(p)->session_timer_active);
}

/* UAC-9: the refresher refreshes at half the interval, to the millisecond (SE 91 -> 45.5 s). */
static void test_UAC_9_refresh_at_half_interval(void **state) {
    (void)state;
    static const uint32_t se[] = {90, 91, 120, 1800, 7200};
    for (size_t i = 0; i < sizeof se / sizeof se[0]; i++) {
        sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 7200, SB_REFRESHER_UAC);
        char extra[128];
        snprintf(extra, sizeof extra, TIMER_2XX_UAC "Session-Expires: %u;refresher=uac\n", se[i]);
        sp_t *p = sp_uac_answered(&c, 0, 7, extra);
        sp_at(p, 7 + se[i] * 1000ull / 2);
        sp_expect_times(p, "INVITE", NULL, (uint64_t[]){0, 7 + se[i] * 1000ull / 2}, 2);
        sp_free(p);
    }
}

/* UAC-10: the clock starts when the 2xx arrives, not when the INVITE left: ringing for 30 s
 * moves the refresh to 30000 + 45000. */
static void test_UAC_10_clock_starts_at_2xx(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 90, SB_REFRESHER_UAC);
    sp_t *p = sp_new(&c);
    sp_call(p, 0);
    sp_reply(p, 5, sp_must(p, "INVITE", NULL, 0), "180 Ringing", NULL, NULL);
    sp_ok_invite(p, 30000, 0, TIMER_2XX_UAC "Session-Expires: 90;refresher=uac\n");
    sp_at(p, 80000);
    sp_expect_times(p, "INVITE", NULL, (uint64_t[]){0, 75000}, 2);
    const sp_ev *r = sp_event(p, SB_EV_REFRESH_SENT, 0);
    assert_non_null(r);
    assert_int_equal(r->at_ms, 75000);
}

/* UAC-13, REF-7: a refresher that wants the call refreshes before each expiration. Five
 * cycles, each 2xx arriving 20 ms after the refresh: refresh k at t0(k-1) + 45 s, always
 * before t0(k-1) + 90 s; the call is never torn down. */
static void test_UAC_13_refresh_before_every_expiry(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 90, SB_REFRESHER_UAC);
    sp_t *p = sp_uac_answered(&c, 0, 10, TIMER_2XX_UAC "Session-Expires: 90;refresher=uac\n");
    uint64_t t0 = 10;
    for (int k = 1; k <= 5; k++) {
        sp_at(p, t0 + 45000);
        const sp_msg *r = sp_must(p, "INVITE", NULL, k);
        assert_int_equal(r->at_ms, t0 + 45000);
        assert_true(r->at_ms < t0 + 90000);
        sp_ok_invite(p, r->at_ms + 20, k, TIMER_2XX_UAC "Session-Expires: 90;refresher=uac\n");
        t0 = r->at_ms + 20;
    }
    assert_int_equal(sp_count(p, "BYE", NULL), 0);
    assert_int_equal(sp_live(p)->session_timer_refreshes, 5);
    assert_int_equal(sp_live(p)->session_timer_refresh_rtt_ms_max, 20);
}

/* UAC-14: timer state belongs to the dialog. A forked second 2xx (other To tag, other
 * interval) is ACKed but must not change the first dialog's timer nor its remote tag: the
 * refresh still goes at t0 + 60 s, to the first dialog's To tag. */
static void test_UAC_14_forked_2xx_does_not_touch_first_dialog(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    sp_t *p = sp_uac_answered(&c, 0, 10, TIMER_2XX_UAC "Session-Expires: 120;refresher=uac\n");
    sp_reply_tag(p, 20, sp_must(p, "INVITE", NULL, 0), "200 OK", "forktag2",
                 TIMER_2XX_UAC "Session-Expires: 300;refresher=uas\n", SP_SDP);
    assert_int_equal(sp_count(p, "ACK", NULL), 2);
    const sb_call_stats *s = sp_live(p);
    assert_int_equal(s->session_timer_negotiated_se_s, 120);
    assert_int_equal(s->session_timer_refresher, 1);
    sp_at(p, 60010);
    const sp_msg *r = sp_must(p, "INVITE", NULL, 1);
    assert_int_equal(r->at_ms, 60010);
    assert_true(sb_slice_eq(r->m.to_tag, "sptag1"));
}

/* UAC-15, REF-5, REF-7: a hold re-INVITE is a refresh too: same timer headers as a refresh
 * (Supported, Session-Expires = current interval with refresher=uac, Min-SE), and its 2xx
 * re-arms the timer with the values it carries. */
static void test_UAC_15_hold_reinvite_is_a_refresh(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    sp_t *p = sp_uac_answered(&c, 0, 10, TIMER_2XX_UAC "Session-Expires: 600;refresher=uac\n");
    sp_at(p, 5000);
    assert_int_equal(sb_engine_hold(p->e, p->handle, SB_HOLD_SENDONLY, 5000), 0);
    sp_drain(p);
    const sp_msg *h = sp_must(p, "INVITE", NULL, 1);
    sb_refresher r;
    assert_int_equal(sp_se(h, &r), 600);
    assert_int_equal(r, SB_REFRESHER_UAC);
    assert_int_equal(sp_min_se(h), 90);
    assert_true(has_timer_tag(h));
    assert_non_null(strstr(sp_body(h), "a=sendonly"));
    sp_ok_invite(p, 5010, 1, TIMER_2XX_UAC "Session-Expires: 300;refresher=uac\n");
    assert_int_equal(sp_live(p)->session_timer_negotiated_se_s, 300);
    sp_at(p, 5010 + 150000);
    sp_expect_times(p, "INVITE", NULL, (uint64_t[]){0, 5000, 155010}, 3);
}

/* ---- 422 ------------------------------------------------------------------------------------ */

static sp_t *call_422(const sb_config *c, const char *min_se_hdr) {
    sp_t *p = sp_new(c);
    sp_call(p, 0);
    sp_reply(p, 5, sp_must(p, "INVITE", NULL, 0), "422 Session Interval Too Small", min_se_hdr,
             NULL);
    return p;
}

/* 422-1: a 422 must carry Min-SE. Without it there is nothing to retry with: the call ends
 * (rejected, 422), and the far end's error is recorded. */
static void test_422_1_without_min_se_no_retry(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 900, SB_REFRESHER_UAC);
    sp_t *p = call_422(&c, NULL);
    assert_int_equal(sp_count(p, "INVITE", NULL), 1);
    sp_expect_times(p, "ACK", NULL, (uint64_t[]){5}, 1);
    const sb_call_stats *s = sp_ended(p);
    assert_int_equal(s->final_status_code, 422);
    assert_int_not_equal(s->result, SB_RESULT_ANSWERED);
    assert_true(sp_vio(s, SB_VIO_422_NO_MIN_SE));
    assert_int_equal(sp_event(p, SB_EV_CALL_ENDED, 0)->at_ms, 5);
}

/* 422-2: the retry carries Min-SE = the largest Min-SE seen in this call's 422s (1000 > 500),
 * and Session-Expires >= that Min-SE. */
static void test_422_2_retry_uses_largest_min_se(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 900, SB_REFRESHER_UAC);
    sp_t *p = call_422(&c, "Min-SE: 1000\n");
    sp_reply(p, 10, sp_must(p, "INVITE", NULL, 1), "422 Session Interval Too Small",
             "Min-SE: 500\n", NULL);
    sp_expect_times(p, "INVITE", NULL, (uint64_t[]){0, 5, 10}, 3);
    for (int i = 1; i <= 2; i++) {
        const sp_msg *r = sp_must(p, "INVITE", NULL, i);
        assert_int_equal(sp_min_se(r), 1000);
        assert_true(sp_se(r, NULL) >= 1000);
    }
    sp_ok_invite(p, 15, 2, TIMER_2XX_UAC "Session-Expires: 1000;refresher=uac\n");
    const sb_call_stats *s = sp_live(p);
    assert_int_equal(s->session_timer_422_count, 2);
    assert_int_equal(s->session_timer_min_se_s, 1000);
    assert_int_equal(s->session_timer_negotiated_se_s, 1000);
}

/* 422-3: the retry keeps Call-ID, To and From (tag included; we keep it), uses CSeq + 1, a new
 * Via branch, and the same Request-URI. */
static void test_422_3_retry_keeps_dialog_ids(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 900, SB_REFRESHER_UAC);
    sp_t *p = call_422(&c, "Min-SE: 1800\n");
    const sp_msg *a = sp_must(p, "INVITE", NULL, 0), *b = sp_must(p, "INVITE", NULL, 1);
    char x[256], y[256];
    static const sb_hdr_id same[] = {SB_HDR_CALL_ID, SB_HDR_TO, SB_HDR_FROM};
    for (size_t i = 0; i < 3; i++) {
        assert_true(sp_hval(a, same[i], x, sizeof x));
        assert_true(sp_hval(b, same[i], y, sizeof y));
        assert_string_equal(x, y);
    }
    assert_int_equal(b->m.to_tag.n, 0);
    assert_int_equal(b->m.cseq, a->m.cseq + 1);
    assert_false(sb_slice_ieq2(a->m.branch, b->m.branch));
    assert_true(sb_slice_ieq2(a->m.uri, b->m.uri));
}

/* 422-4, REF-6: a 422 to an in-dialog refresh neither ends the call nor moves the deadline;
 * the refresh is retried at once with Min-SE 120 and SE 120, and its 2xx re-arms the timer
 * (next refresh 60 s later). The next refresh still carries Min-SE 120. */
static void test_422_4_in_dialog_422_retried(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 90, SB_REFRESHER_UAC);
    sp_t *p = sp_uac_answered(&c, 0, 10, TIMER_2XX_UAC "Session-Expires: 90;refresher=uac\n");
    sp_at(p, 45010);
    sp_reply(p, 45020, sp_must(p, "INVITE", NULL, 1), "422 Session Interval Too Small",
             "Min-SE: 120\n", NULL);
    sp_expect_times(p, "INVITE", NULL, (uint64_t[]){0, 45010, 45020}, 3);
    const sp_msg *r = sp_must(p, "INVITE", NULL, 2);
    assert_int_equal(sp_min_se(r), 120);
    assert_int_equal(sp_se(r, NULL), 120);
    assert_int_equal(sp_count(p, "BYE", NULL), 0);
    sp_ok_invite(p, 45030, 2, TIMER_2XX_UAC "Session-Expires: 120;refresher=uac\n");
    sp_at(p, 45030 + 60000);
    sp_expect_times(p, "INVITE", NULL, (uint64_t[]){0, 45010, 45020, 105030}, 4);
    assert_int_equal(sp_min_se(sp_must(p, "INVITE", NULL, 3)), 120);
    assert_int_equal(sp_se(sp_must(p, "INVITE", NULL, 3), NULL), 120);
    assert_int_equal(sp_count(p, "BYE", NULL), 0);
    assert_int_equal(sp_live(p)->session_timer_422_count, 1);
}

/* 422-4, EXP-2: after the 422 the retried refresh fails too (500): the deadline is still
 * t0 + 90 s from the last 2xx, and the refresher gives up exactly then. */
static void test_422_4_deadline_not_moved(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 90, SB_REFRESHER_UAC);
    sp_t *p = sp_uac_answered(&c, 0, 10, TIMER_2XX_UAC "Session-Expires: 90;refresher=uac\n");
    sp_at(p, 45010);
    sp_reply(p, 45020, sp_must(p, "INVITE", NULL, 1), "422 Session Interval Too Small",
             "Min-SE: 120\n", NULL);
    sp_reply(p, 45030, sp_must(p, "INVITE", NULL, 2), "500 Server Internal Error", NULL, NULL);
    sp_at(p, 200000);
    sp_expect_times(p, "BYE", NULL, (uint64_t[]){90010}, 1);
    const sp_ev *x = sp_event(p, SB_EV_TIMER_EXPIRED, 0);
    assert_non_null(x);
    assert_int_equal(x->at_ms, 90010);
}

/* 422-5: 422s with growing Min-SE are retried each time with the largest value, up to the
 * policy cap max_422 (2 here): the third 422 ends the call as too_many_422. */
static void test_422_5_growing_min_se_until_cap(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 900, SB_REFRESHER_UAC);
    c.timer.max_422 = 2;
    sp_t *p = call_422(&c, "Min-SE: 1000\n");
    sp_reply(p, 10, sp_must(p, "INVITE", NULL, 1), "422 Session Interval Too Small",
             "Min-SE: 1500\n", NULL);
    sp_reply(p, 15, sp_must(p, "INVITE", NULL, 2), "422 Session Interval Too Small",
             "Min-SE: 2000\n", NULL);
    sp_expect_times(p, "INVITE", NULL, (uint64_t[]){0, 5, 10}, 3);
    assert_int_equal(sp_min_se(sp_must(p, "INVITE", NULL, 2)), 1500);
    const sb_call_stats *s = sp_ended(p);
    assert_int_equal(s->end_reason, SB_END_TOO_MANY_422);
    assert_int_equal(s->session_timer_422_count, 3);
}

/* 422-6: never retry endlessly: a peer that answers every INVITE with the same 422 gets at
 * most 1 + max_422 INVITEs; a Min-SE above our maximum ends the call at once. */
static void test_422_6_gives_up(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    sp_t *p = call_422(&c, "Min-SE: 90\n");
    for (int i = 1; i < 10 && sp_sent(p, "INVITE", NULL, i); i++)
        sp_reply(p, 5 + 5 * (uint64_t)i, sp_must(p, "INVITE", NULL, i),
                 "422 Session Interval Too Small", "Min-SE: 90\n", NULL);
    assert_true(sp_count(p, "INVITE", NULL) <= 1 + 3);
    assert_int_not_equal(sp_ended(p)->result, SB_RESULT_ANSWERED);
    sp_free(p);

    /* --timer-max-422 0 (accepted by the CLI and the engine alike): the first 422 ends it */
    c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    c.timer.max_422 = 0;
    p = call_422(&c, "Min-SE: 3600\n");
    assert_int_equal(sp_count(p, "INVITE", NULL), 1);
    assert_int_equal(sp_ended(p)->end_reason, SB_END_TOO_MANY_422);
    sp_free(p);

    c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    p = call_422(&c, "Min-SE: 86401\n");
    assert_int_equal(sp_count(p, "INVITE", NULL), 1);
    assert_int_equal(sp_ended(p)->end_reason, SB_END_MIN_SE_TOO_LARGE);
}

/* ---- PRX ------------------------------------------------------------------------------------
 * The PRX rows bind proxies, not UAs, so a UA cannot break them: PRX-1 (stateless proxies ask
 * for no timer), PRX-2 (a proxy may lower SE, never below Min-SE, never touches refresher),
 * PRX-3 (a proxy's 422 only to requests listing timer), PRX-4 (it raises Min-SE and SE for
 * requests without timer), PRX-5 (it adds SE with refresher=uac to a 2xx), PRX-7 (it never
 * changes Min-SE of requests listing timer), PRX-8 (it may add Require: timer), PRX-9 (it never
 * changes SE in a 2xx) and PRX-10 (it sends no BYE at expiry). What a UA sees because of them
 * is PRX-6, tested here (UAC side) and in test_rfc4028_uas.c; the Kamailio interop test
 * (tests/interop/test_st_kamailio_422.sh) runs a real proxy answering 422 (PRX-3). */

/* PRX-6: a 2xx from a UAS without timer support, where a proxy inserted Session-Expires
 * (lowered to 1200) with refresher=uac and Require: timer (PRX-5): we refresh at t0 + 600 s. */
static void test_PRX_6_proxy_inserted_se_in_2xx(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_NONE);
    sp_t *p = sp_uac_answered(&c, 0, 10, "Require: timer\nSession-Expires: 1200;refresher=uac\n");
    const sb_call_stats *s = sp_live(p);
    assert_int_equal(s->session_timer_negotiated_se_s, 1200);
    assert_int_equal(s->session_timer_refresher, 1);
    assert_int_equal(s->violations, 0);
    sp_at(p, 600010);
    sp_expect_times(p, "INVITE", NULL, (uint64_t[]){0, 600010}, 2);
}

/* PRX-6: a 422 from a proxy (its own To tag, no Contact of the UAS) is retried like any 422,
 * and the dialog is then made with the UAS's 2xx. */
static void test_PRX_6_422_from_proxy(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 900, SB_REFRESHER_UAC);
    sp_t *p = sp_new(&c);
    sp_call(p, 0);
    sp_reply_tag(p, 5, sp_must(p, "INVITE", NULL, 0), "422 Session Interval Too Small", "proxytag",
                 "Min-SE: 1000\n", NULL);
    sp_ok_invite(p, 10, 1, TIMER_2XX_UAC "Session-Expires: 1000;refresher=uac\n");
    sp_at(p, 500010);
    const sp_msg *r = sp_must(p, "INVITE", NULL, 2);
    assert_int_equal(r->at_ms, 500010);
    assert_true(sb_slice_eq(r->m.to_tag, "sptag1"));
    assert_int_equal(sp_min_se(r), 1000);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        sp_test(test_HDR_1_compact_and_case_forms_in_2xx),
        sp_test(test_HDR_2_bogus_refresher_in_2xx_counts_as_absent),
        sp_test(test_HDR_3_min_se_only_in_requests_and_422),
        sp_test(test_HDR_4_single_se_and_min_se),
        sp_test(test_HDR_5_min_se_never_below_90),
        sp_test(test_HDR_6_offered_interval_policy),
        sp_test(test_HDR_7_option_tag_and_free_422_phrase),
        sp_test(test_HDR_8_floor_90_and_no_upper_bound),
        sp_test(test_UAC_7_HDR_9_2xx_without_se_turns_timer_off),
        sp_test(test_UAC_7_refresh_2xx_without_se_stops_timer),
        sp_test(test_UAC_1_timer_in_supported_on_every_request_but_ack),
        sp_test(test_UAC_2_UAC_12_initial_se_and_min_se),
        sp_test(test_UAC_3_refresher_parameter_in_initial_invite),
        sp_test(test_UAC_4_UAC_11_required_mode_headers),
        sp_test(test_UAC_5_HDR_10_require_timer_in_2xx),
        sp_test(test_UAC_5_timer_off_ignores_se_in_2xx),
        sp_test(test_UAC_6_2xx_interval_and_refresher_are_authoritative),
        sp_test(test_UAC_8_always_mode_keeps_timer_alone),
        sp_test(test_UAC_9_refresh_at_half_interval),
        sp_test(test_UAC_10_clock_starts_at_2xx),
        sp_test(test_UAC_13_refresh_before_every_expiry),
        sp_test(test_UAC_15_hold_reinvite_is_a_refresh),
        sp_test(test_422_1_without_min_se_no_retry),
        sp_test(test_422_2_retry_uses_largest_min_se),
        sp_test(test_422_3_retry_keeps_dialog_ids),
        sp_test(test_422_4_in_dialog_422_retried),
        sp_test(test_422_4_deadline_not_moved),
        sp_test(test_422_5_growing_min_se_until_cap),
        sp_test(test_422_6_gives_up),
        sp_test(test_PRX_6_proxy_inserted_se_in_2xx),
        sp_test(test_PRX_6_422_from_proxy),
        sp_test(test_UAC_1_cancel_lists_timer),
        sp_test(test_UAC_4_420_fails_required_mode),
        sp_test(test_UAC_14_forked_2xx_does_not_touch_first_dialog),
    };
    return cmocka_run_group_tests_name("rfc4028_uac", tests, NULL, NULL);
}
