/* Verdicts on the far end against a scripted peer, at exact virtual times: early hangups
 * (remote_hangup, Reason, drop timing), the checks that judge the far end's reaction to our own
 * faults (EXP-1 after our silence, REF-8 after our refusal), UAC-13 counted both ways, REF-5,
 * BRANCH-1, and the refresh counters split by cause. Rule ids: docs/rfc4028-rules.md. */
#include "scripted_peer.h"

#define T2XX "Supported: timer\nRequire: timer\n"

static const sp_ev *violation_event(const sp_t *p, sb_violation v) {
    for (int i = 0; i < p->nevs; i++)
        if (p->evs[i].type == SB_EV_VIOLATION && p->evs[i].value == (uint64_t)v) return &p->evs[i];
    return NULL;
}

/* ---- remote_hangup ------------------------------------------------------------------------- */

/* A -d 50 s call that the far end hangs up at 31 s (an RTP timeout, say) is a drop: the record
 * says remote_hangup with the far end's Reason, not normal. */
static void test_remote_hangup_before_talk_time(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_OFF, 0, SB_REFRESHER_UAC);
    sp_t *p = sp_uac_answered(&c, 50000, 10, NULL);
    uint32_t cs = sp_request(p, 31010, "BYE", 0,
                             "Reason: Q.850;cause=16;text=\"Normal call clearing\"\n", NULL);
    assert_int_equal(sp_must_answer(p, cs, "BYE")->m.status, 200);
    const sb_call_stats *s = sp_ended(p);
    assert_int_equal(sp_event(p, SB_EV_CALL_ENDED, 0)->at_ms, 31010);
    assert_int_equal(s->end_reason, SB_END_REMOTE_HANGUP);
    assert_true(s->ended_by_remote);
    assert_string_equal(s->remote_reason_protocol, "Q.850");
    assert_int_equal(s->remote_reason_cause, 16);
    assert_string_equal(s->remote_reason_text, "Normal call clearing");
    assert_int_equal(s->drop_timing, SB_DROP_NONE);
    assert_int_equal(sp_count(p, "BYE", NULL), 0);
}

/* A far-end BYE within SB_HANGUP_TOLERANCE_MS of our talk time is the normal end of a call both
 * sides timed (talk time ends at 50010). */
static void test_remote_bye_at_talk_time_is_normal(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_OFF, 0, SB_REFRESHER_UAC);
    sp_t *p = sp_uac_answered(&c, 50000, 10, NULL);
    sp_request(p, 50010 - SB_HANGUP_TOLERANCE_MS, "BYE", 0, NULL, NULL);
    const sb_call_stats *s = sp_ended(p);
    assert_int_equal(s->end_reason, SB_END_NORMAL);
    assert_true(s->ended_by_remote);
    assert_string_equal(s->remote_reason_protocol, "");
}

/* The "30-minute drop" fingerprint with SE 90: we refresh at 45010 (2xx at 45020); the far end
 * hangs up 90 s after the answer, i.e. at Session-Expires: drop_timing session_expires, 44990 ms
 * after the last refresh 2xx. A BYE 500 ms after a refresh 2xx reads after_refresh. */
static void test_remote_hangup_drop_timing(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 90, SB_REFRESHER_UAC);
    sp_t *p = sp_uac_answered(&c, 600000, 10, T2XX "Session-Expires: 90;refresher=uac\n");
    sp_at(p, 45010);
    sp_reply(p, 45020, sp_must(p, "INVITE", NULL, 1), "200 OK",
             T2XX "Session-Expires: 90;refresher=uac\n", SP_SDP);
    sp_request(p, 90010, "BYE", 0, NULL, NULL);
    const sb_call_stats *s = sp_ended(p);
    assert_int_equal(s->end_reason, SB_END_REMOTE_HANGUP);
    assert_int_equal(s->drop_timing, SB_DROP_AT_SE);
    assert_int_equal(s->session_timer_since_refresh_ms, 90010 - 45020);
    assert_int_equal(s->session_timer_refresh_method_local, SB_VIA_INVITE);
    assert_int_equal(s->session_timer_refresh_method_remote, SB_VIA_NONE);
    sp_free(p);

    p = sp_uac_answered(&c, 600000, 10, T2XX "Session-Expires: 90;refresher=uac\n");
    sp_at(p, 45010);
    sp_reply(p, 45020, sp_must(p, "INVITE", NULL, 1), "200 OK",
             T2XX "Session-Expires: 90;refresher=uac\n", SP_SDP);
    sp_request(p, 45520, "BYE", 0, NULL, NULL);
    assert_int_equal(sp_ended(p)->drop_timing, SB_DROP_AFTER_REFRESH);
    sp_free(p);

    /* The tolerance is a tenth of a short interval: with SE 6 a BYE 3 s after the answer is at
     * SE/2, not at SE (3 s is within 3 s of 6 s, but not within 0.6 s). */
    c = sp_cfg(SB_TIMER_SUPPORTED, 6, SB_REFRESHER_UAC);
    c.timer.min_se_s = 2;
    c.timer.unchecked = true;
    p = sp_uac_answered(&c, 600000, 10, T2XX "Session-Expires: 6;refresher=uac\n");
    sp_request(p, 3010, "BYE", 0, NULL, NULL);
    assert_int_equal(sp_ended(p)->drop_timing, SB_DROP_AT_HALF_SE);
}

/* A retransmitted 2xx after the answer is ACKed again and leaves the talk time alone (the ring
 * or Timer C and the talk time share one timer: only the first must be stopped by a final). */
static void test_retransmitted_2xx_keeps_talk_time(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_OFF, 0, SB_REFRESHER_UAC);
    sp_t *p = sp_uac_answered(&c, 10000, 10, NULL);
    sp_ok_invite(p, 1000, 0, NULL);
    sp_at(p, 11000);
    sp_expect_times(p, "ACK", NULL, (uint64_t[]){10, 1000}, 2);
    sp_expect_times(p, "BYE", NULL, (uint64_t[]){10010}, 1);
}

/* ---- EXP-1: the far end as non-refresher, after our silence -------------------------------- */

static sp_t *silent_refresher(void) {
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 90, SB_REFRESHER_UAC);
    c.timer.skip_refresh_from = 1;
    sp_t *p = sp_uac_answered(&c, 120000, 10, T2XX "Session-Expires: 90;refresher=uac\n");
    sp_at(p, 45010);
    assert_int_equal(sp_count(p, "INVITE", NULL), 1); /* the refresh due at 45010 is skipped */
    return p;
}

/* t0 = 10, SE 90: the far end's BYE is due in [10 + 90000 - 30000 - 2000, 10 + 90000 + 2000].
 * A BYE at 60010 passes EXP-1; the call ends session_expired, by the far end, and we never
 * expired on our own (a refresher that forgot its timer). */
static void test_EXP_1_far_end_tears_down_in_window(void **state) {
    (void)state;
    sp_t *p = silent_refresher();
    sp_request(p, 60010, "BYE", 0, NULL, NULL);
    const sb_call_stats *s = sp_ended(p);
    assert_true(sp_passed(s, SB_VIO_NO_TEARDOWN));
    assert_false(sp_vio(s, SB_VIO_NO_TEARDOWN));
    assert_false(sp_vio(s, SB_VIO_MISSED_REFRESH));
    assert_int_equal(s->end_reason, SB_END_SESSION_EXPIRED);
    assert_true(s->ended_by_remote);
    assert_true(s->fault_injected);
    assert_false(s->session_timer_expired);
    assert_int_equal(sp_count(p, "BYE", NULL), 0);
}

/* The window opens at 58010: a BYE there still passes, one at 58009 is far too early. */
static void test_EXP_1_window_edge(void **state) {
    (void)state;
    sp_t *p = silent_refresher();
    sp_request(p, 58010, "BYE", 0, NULL, NULL);
    assert_true(sp_passed(sp_ended(p), SB_VIO_NO_TEARDOWN));
    sp_free(p);

    p = silent_refresher();
    sp_request(p, 58009, "BYE", 0, NULL, NULL);
    const sb_call_stats *s = sp_ended(p);
    assert_true(sp_vio(s, SB_VIO_NO_TEARDOWN));
    assert_int_equal(s->end_reason, SB_END_REMOTE_HANGUP);
    assert_int_equal(s->evidence_of, SB_VIO_NO_TEARDOWN);
    assert_string_equal(s->evidence, "BYE 57999 ms after the last 2xx, window from 58000");
}

/* No BYE at all: EXP-1 fails at exactly t0 + SE + 2 s = 92010; we stay silent and hang up at
 * the end of the talk time (120010) as a normal call would. */
static void test_EXP_1_far_end_never_tears_down(void **state) {
    (void)state;
    sp_t *p = silent_refresher();
    sp_at(p, 120015);
    const sp_ev *v = violation_event(p, SB_VIO_NO_TEARDOWN);
    assert_non_null(v);
    assert_int_equal(v->at_ms, 92010);
    assert_int_equal(sb_violation_level(SB_VIO_NO_TEARDOWN), SB_LEVEL_SHOULD);
    sp_expect_times(p, "BYE", NULL, (uint64_t[]){120010}, 1);
    sp_reply(p, 120020, sp_must(p, "BYE", NULL, 0), "200 OK", NULL, NULL);
    const sb_call_stats *s = sp_ended(p);
    assert_int_equal(s->end_reason, SB_END_NORMAL);
    assert_false(s->session_timer_expired);
    assert_string_equal(s->evidence, "no BYE by 92000 ms after the last 2xx (SE 90 s)");
}

/* ---- UAC-13 both ways, REF-5, REF-8, BRANCH-1 (engine as UAS) ------------------------------ */

#define REQ90 "Supported: timer\nSession-Expires: 90;refresher=uac\n"

/* UAC-13 passes each time the far-end refresher's refresh arrives in time, and the record says
 * the far end refreshed by UPDATE. */
static void test_UAC_13_counted_when_refresh_arrives(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 90, SB_REFRESHER_UAC);
    sp_t *p = sp_uas_answered(&c, REQ90);
    uint32_t cs = sp_request(p, 45000, "UPDATE", 0, REQ90, NULL);
    assert_int_equal(sp_must_answer(p, cs, "UPDATE")->m.status, 200);
    const sb_call_stats *s = sp_stats(p);
    assert_true(sp_passed(s, SB_VIO_MISSED_REFRESH));
    assert_false(sp_vio(s, SB_VIO_MISSED_REFRESH));
    assert_int_equal(s->session_timer_refresh_method_remote, SB_VIA_UPDATE);
    assert_int_equal(s->session_timer_refresh_method_local, SB_VIA_NONE);
    assert_int_equal(s->session_timer_refresh_method, SB_VIA_UPDATE);
    sp_at(p, 45000 + 60001);
    assert_true(sp_vio(sp_stats(p), SB_VIO_MISSED_REFRESH)); /* the next one never came */
}

/* REF-5: the far end is the refresher; a refresh saying refresher=uac keeps the role (passed),
 * one saying refresher=uas hands it to us without need (a SHOULD-level deviation). */
static void test_REF_5_refresher_moved(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 90, SB_REFRESHER_UAC);
    sp_t *p = sp_uas_answered(&c, REQ90);
    sp_request(p, 40000, "UPDATE", 0, REQ90, NULL);
    assert_true(sp_passed(sp_stats(p), SB_VIO_REFRESHER_MOVED));
    assert_false(sp_vio(sp_stats(p), SB_VIO_REFRESHER_MOVED));
    sp_request(p, 80000, "UPDATE", 0, "Supported: timer\nSession-Expires: 90;refresher=uas\n",
               NULL);
    const sb_call_stats *s = sp_stats(p);
    assert_true(sp_vio(s, SB_VIO_REFRESHER_MOVED));
    assert_int_equal(sb_violation_level(SB_VIO_REFRESHER_MOVED), SB_LEVEL_SHOULD);
    assert_int_equal(s->session_timer_refresher, SB_SIDE_LOCAL); /* the request binds us */
}

/* REF-8 fails: our fault answers the far end's refresh at 45000 with 481 and it does nothing.
 * Its refresh was refused, so UAC-13 is not judged; REF-8 fails at our own expiry BYE at
 * 60000, which comes before the 32 s bound (77000). */
static void test_REF_8_far_end_keeps_dialog_after_481(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 90, SB_REFRESHER_UAC);
    c.timer.answer_refresh_code = 481;
    sp_t *p = sp_uas_answered(&c, REQ90);
    uint32_t cs = sp_request(p, 45000, "INVITE", 0, REQ90, SP_SDP);
    assert_int_equal(sp_must_answer(p, cs, "INVITE")->m.status, 481);
    sp_at(p, 70000);
    const sp_ev *v = violation_event(p, SB_VIO_KEPT_DIALOG);
    assert_non_null(v);
    assert_int_equal(v->at_ms, 60000);
    assert_null(violation_event(p, SB_VIO_MISSED_REFRESH));
    sp_expect_times(p, "BYE", NULL, (uint64_t[]){60000}, 1);
    const sb_call_stats *s = sp_stats(p);
    assert_int_equal(s->session_timer_refreshes_refused, 1);
    assert_int_equal(s->session_timer_refreshes, 0);
    assert_true(s->fault_injected);
    assert_string_equal(s->evidence, "no BYE 15000 ms after our refusal of its refresh");
}

/* With SE 1800 the 32 s bound comes first: refresh at 900 s refused, REF-8 fails at 932 s. */
static void test_REF_8_32s_bound(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    c.timer.answer_refresh_code = 408;
    sp_t *p = sp_uas_answered(&c, "Supported: timer\nSession-Expires: 1800;refresher=uac\n");
    sp_request(p, 900000, "UPDATE", 0, "Supported: timer\nSession-Expires: 1800;refresher=uac\n",
               NULL);
    sp_at(p, 1000000);
    const sp_ev *v = violation_event(p, SB_VIO_KEPT_DIALOG);
    assert_non_null(v);
    assert_int_equal(v->at_ms, 932000);
    assert_int_equal(sp_count(p, "BYE", NULL), 0); /* our expiry BYE is due at 1768000 */
}

/* REF-8 passes: the far end hangs up after the 481; the call ended refresh_failed by the far
 * end, and the end is ours to explain, not its failure. */
static void test_REF_8_far_end_hangs_up_after_481(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 90, SB_REFRESHER_UAC);
    c.timer.answer_refresh_code = 481;
    sp_t *p = sp_uas_answered(&c, REQ90);
    sp_request(p, 45000, "UPDATE", 0, REQ90, NULL);
    sp_request(p, 45100, "BYE", 0, NULL, NULL);
    const sb_call_stats *s = sp_ended(p);
    assert_true(sp_passed(s, SB_VIO_KEPT_DIALOG));
    assert_false(sp_vio(s, SB_VIO_KEPT_DIALOG));
    assert_int_equal(s->end_reason, SB_END_REFRESH_FAILED);
    assert_true(s->ended_by_remote);
    assert_int_equal(s->violations, 0);
}

/* BRANCH-1: a refresh re-INVITE that reuses the branch of the previous one (a SIPp loop with
 * [branch]) is a new request: answered 200, not absorbed as a retransmission, and recorded. */
static void test_BRANCH_1_reused_branch_is_a_new_request(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 90, SB_REFRESHER_UAC);
    sp_t *p = sp_uas_answered(&c, REQ90);
    uint32_t cs1 = sp_request(p, 40000, "INVITE", 0, REQ90, SP_SDP);
    assert_int_equal(sp_must_answer(p, cs1, "INVITE")->m.status, 200);
    sp_ack(p, 40010, cs1);
    assert_true(sp_passed(sp_stats(p), SB_VIO_BRANCH_REUSED));
    p->branch_seq -= 2; /* the next request reuses the re-INVITE's branch, while its server
                         * transaction still absorbs retransmissions (64*T1 after the 2xx) */
    uint32_t cs2 = sp_request(p, 60000, "INVITE", 0, REQ90, SP_SDP);
    assert_int_equal(sp_must_answer(p, cs2, "INVITE")->m.status, 200);
    const sb_call_stats *s = sp_stats(p);
    assert_true(sp_vio(s, SB_VIO_BRANCH_REUSED));
    assert_int_equal(s->session_timer_refreshes, 2);
    assert_int_equal(sb_violation_level(SB_VIO_BRANCH_REUSED), SB_LEVEL_MUST);
}

/* ---- refresh counters split by cause (engine as UAC, refresher) ---------------------------- */

/* UPDATE answered 501: a fallback to re-INVITE, not a failure. */
static void test_refresh_fallback_counted_apart(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 90, SB_REFRESHER_UAC);
    c.timer.method = SB_REFRESH_UPDATE;
    sp_t *p = sp_uac_answered(&c, 600000, 10, T2XX "Session-Expires: 90;refresher=uac\n");
    sp_at(p, 45010);
    sp_reply(p, 45020, sp_must(p, "UPDATE", NULL, 0), "501 Not Implemented", NULL, NULL);
    sp_expect_times(p, "INVITE", NULL, (uint64_t[]){0, 45020}, 2);
    sp_reply(p, 45030, sp_must(p, "INVITE", NULL, 1), "200 OK",
             T2XX "Session-Expires: 90;refresher=uac\n", SP_SDP);
    const sb_call_stats *s = sp_stats(p);
    assert_int_equal(s->session_timer_refresh_fallbacks, 1);
    assert_int_equal(s->session_timer_refresh_failures, 0);
    assert_int_equal(s->session_timer_refresh_failure_status, -1);
    assert_int_equal(s->session_timer_refreshes, 1);
    assert_int_equal(s->session_timer_refresh_method_local, SB_VIA_INVITE);
}

/* A 500 is a failure with its status; a Retry-After beyond 32 bits saturates (no wrap-around
 * into an early retry): nothing is resent before the expiry BYE at t0 + SE = 90010. */
static void test_refresh_failure_status_and_huge_retry_after(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 90, SB_REFRESHER_UAC);
    sp_t *p = sp_uac_answered(&c, 600000, 10, T2XX "Session-Expires: 90;refresher=uac\n");
    sp_at(p, 45010);
    sp_reply(p, 45020, sp_must(p, "INVITE", NULL, 1), "500 Server Error",
             "Retry-After: 18446744073709551617\n", NULL);
    sp_at(p, 95000);
    sp_expect_times(p, "INVITE", NULL, (uint64_t[]){0, 45010}, 2);
    sp_expect_times(p, "BYE", NULL, (uint64_t[]){90010}, 1);
    const sb_call_stats *s = sp_stats(p);
    assert_int_equal(s->session_timer_refresh_failures, 1);
    assert_int_equal(s->session_timer_refresh_failure_status, 500);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        sp_test(test_remote_hangup_before_talk_time),
        sp_test(test_remote_bye_at_talk_time_is_normal),
        sp_test(test_remote_hangup_drop_timing),
        sp_test(test_retransmitted_2xx_keeps_talk_time),
        sp_test(test_EXP_1_far_end_tears_down_in_window),
        sp_test(test_EXP_1_window_edge),
        sp_test(test_EXP_1_far_end_never_tears_down),
        sp_test(test_UAC_13_counted_when_refresh_arrives),
        sp_test(test_REF_5_refresher_moved),
        sp_test(test_REF_8_far_end_keeps_dialog_after_481),
        sp_test(test_REF_8_32s_bound),
        sp_test(test_REF_8_far_end_hangs_up_after_481),
        sp_test(test_BRANCH_1_reused_branch_is_a_new_request),
        sp_test(test_refresh_fallback_counted_apart),
        sp_test(test_refresh_failure_status_and_huge_retry_after),
    };
    return cmocka_run_group_tests_name("verdicts", tests, NULL, NULL);
}
