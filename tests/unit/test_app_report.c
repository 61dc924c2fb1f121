/* Unit tests for src/app/report.c: per-call records, summary and event lines, read back with
 * jansson from hand-made sb_call_stats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "app/report.h"

#include <string.h>

static sb_call_stats answered_uac(void) {
    sb_call_stats st;
    memset(&st, 0, sizeof st);
    strcpy(st.call_id, "abc@127.0.0.1");
    st.role = SB_ROLE_UAC;
    st.result = SB_RESULT_ANSWERED;
    st.final_status_code = 200;
    strcpy(st.final_reason_phrase, "OK");
    st.end_reason = SB_END_NORMAL;
    st.start_ms = 1000;
    st.answer_ms = 1042;
    st.end_ms = 11042;
    st.hold_count = 1;
    st.session_timer_mode = SB_TIMER_SUPPORTED;
    st.session_timer_active = true;
    st.session_timer_negotiated_se_s = 1800;
    st.session_timer_min_se_s = 90;
    st.session_timer_refresher = 1;
    st.session_timer_refresh_method = 2;
    st.session_timer_refreshes = 4;
    st.session_timer_422_count = 1;
    st.session_timer_refresh_interval_ms_min = 899000;
    st.session_timer_refresh_interval_ms_max = 900100;
    st.session_timer_refresh_rtt_ms_max = 12;
    st.violations = 1u << SB_VIO_SE_RAISED;
    st.checks_passed = (1u << SB_VIO_NO_REFRESHER_IN_2XX) | (1u << SB_VIO_SE_BELOW_90);
    return st;
}

static const char *str(json_t *o, const char *key) {
    json_t *v = json_object_get(o, key);
    assert_non_null(v);
    assert_true(json_is_string(v));
    return json_string_value(v);
}

static json_int_t num(json_t *o, const char *key) {
    json_t *v = json_object_get(o, key);
    assert_non_null(v);
    assert_true(json_is_integer(v));
    return json_integer_value(v);
}

static void call_record(void **state) {
    (void)state;
    sb_call_stats st = answered_uac();
    json_t *o = sb_report_call(&st, 400, false);
    assert_string_equal(str(o, "call_id"), "abc@127.0.0.1");
    assert_string_equal(str(o, "role"), "uac");
    assert_string_equal(str(o, "result"), "answered");
    assert_true(json_is_false(json_object_get(o, "passed")));
    assert_int_equal(num(o, "final_status_code"), 200);
    assert_string_equal(str(o, "final_reason_phrase"), "OK");
    assert_int_equal(num(o, "started_at_ms"), 600);
    assert_int_equal(num(o, "setup_time_ms"), 42);
    assert_int_equal(num(o, "call_duration_ms"), 10000);
    assert_string_equal(str(o, "ended_by"), "local");
    assert_string_equal(str(o, "end_reason"), "normal");
    assert_int_equal(num(o, "hold_count"), 1);
    assert_int_equal(num(o, "session_timer_refreshes"), 4);
    assert_string_equal(str(o, "session_timer_mode"), "supported");
    assert_true(json_is_true(json_object_get(o, "session_timer_active")));
    assert_int_equal(num(o, "session_timer_negotiated_se_s"), 1800);
    assert_int_equal(num(o, "session_timer_min_se_s"), 90);
    assert_string_equal(str(o, "session_timer_refresher"), "local");
    assert_string_equal(str(o, "session_timer_refresh_method"), "update");
    assert_int_equal(num(o, "session_timer_refresh_failures"), 0);
    assert_int_equal(num(o, "session_timer_422_count"), 1);
    assert_int_equal(num(o, "session_timer_refresh_interval_ms_min"), 899000);
    assert_int_equal(num(o, "session_timer_refresh_interval_ms_max"), 900100);
    assert_int_equal(num(o, "session_timer_refresh_rtt_ms_max"), 12);
    assert_true(json_is_false(json_object_get(o, "session_timer_expired")));
    assert_string_equal(str(o, "session_timer_expiry_action"), "none");
    json_t *v = json_object_get(o, "session_timer_violations");
    assert_int_equal(json_array_size(v), 1);
    assert_string_equal(str(json_array_get(v, 0), "id"), "UAS-2");
    assert_string_equal(str(json_array_get(v, 0), "detail"),
                        "2xx Session-Expires larger than requested");
    assert_int_equal(num(o, "icmp_type"), 0); /* no ICMP error on this call */
    assert_int_equal(num(o, "icmp_code"), 0);
    json_decref(o);
}

/* A call whose INVITE met ICMP port unreachable: 503 per RFC 3261 §8.1.3.1, the phrase naming
 * the ICMP error, and its type and code; it did not pass. */
static void unreachable_record(void **state) {
    (void)state;
    sb_call_stats st;
    memset(&st, 0, sizeof st);
    st.role = SB_ROLE_UAC;
    st.result = SB_RESULT_FAILED;
    st.final_status_code = 503;
    strcpy(st.final_reason_phrase, "ICMP port unreachable");
    st.end_reason = SB_END_UNREACHABLE;
    st.icmp_type = 3;
    st.icmp_code = 3;
    st.start_ms = st.end_ms = 5;
    sb_config cfg;
    memset(&cfg, 0, sizeof cfg);
    json_t *o = sb_report_call(&st, 0, sb_call_passed(&st, &cfg, true));
    assert_true(json_is_false(json_object_get(o, "passed")));
    assert_string_equal(str(o, "result"), "failed");
    assert_string_equal(str(o, "end_reason"), "unreachable");
    assert_int_equal(num(o, "final_status_code"), 503);
    assert_string_equal(str(o, "final_reason_phrase"), "ICMP port unreachable");
    assert_int_equal(num(o, "icmp_type"), 3);
    assert_int_equal(num(o, "icmp_code"), 3);
    assert_string_equal(str(o, "ended_by"), "local");
    json_decref(o);
}

static void unanswered_record(void **state) {
    (void)state;
    sb_call_stats st;
    memset(&st, 0, sizeof st);
    st.role = SB_ROLE_UAS;
    st.result = SB_RESULT_REJECTED;
    st.final_status_code = 486;
    strcpy(st.final_reason_phrase, "Busy Here");
    st.end_reason = SB_END_REJECTED;
    st.ended_by_remote = true;
    st.start_ms = 50;
    st.end_ms = 60;
    st.session_timer_expiry_action = 1;
    json_t *o = sb_report_call(&st, 0, true);
    assert_true(json_is_null(json_object_get(o, "setup_time_ms")));
    assert_int_equal(num(o, "call_duration_ms"), 0);
    assert_string_equal(str(o, "role"), "uas");
    assert_string_equal(str(o, "result"), "rejected");
    assert_string_equal(str(o, "ended_by"), "remote");
    assert_string_equal(str(o, "end_reason"), "rejected");
    assert_string_equal(str(o, "session_timer_refresher"), "none");
    assert_string_equal(str(o, "session_timer_refresh_method"), "none");
    assert_string_equal(str(o, "session_timer_mode"), "off");
    assert_string_equal(str(o, "session_timer_expiry_action"), "bye");
    assert_int_equal(json_array_size(json_object_get(o, "session_timer_violations")), 0);
    json_decref(o);
}

static void verdicts(void **state) {
    (void)state;
    sb_config cfg;
    memset(&cfg, 0, sizeof cfg);
    uint32_t must = sb_fail_mask(true, false), none = sb_fail_mask(false, false);
    sb_call_stats st = answered_uac();
    assert_false(sb_call_passed(&st, &cfg, must)); /* a MUST violation fails the call */
    assert_true(sb_call_passed(&st, &cfg, none));  /* --no-fail-on-violation */
    st.violations = 0;
    assert_true(sb_call_passed(&st, &cfg, must));
    st.end_reason = SB_END_SESSION_EXPIRED;
    assert_false(sb_call_passed(&st, &cfg, must));

    sb_call_stats rej;
    memset(&rej, 0, sizeof rej);
    rej.role = SB_ROLE_UAS;
    rej.result = SB_RESULT_REJECTED;
    rej.final_status_code = 486;
    rej.end_reason = SB_END_REJECTED;
    assert_false(sb_call_passed(&rej, &cfg, must));
    cfg.reject_code = 486; /* answer --reject 486: rejecting is the job */
    assert_true(sb_call_passed(&rej, &cfg, must));
    cfg.reject_code = 603;
    assert_false(sb_call_passed(&rej, &cfg, must));
}

/* A far-end BYE before the call was due to end never passes, whatever the checks say. */
static void remote_hangup_fails(void **state) {
    (void)state;
    sb_config cfg;
    memset(&cfg, 0, sizeof cfg);
    sb_call_stats st = answered_uac();
    st.violations = 0;
    st.end_reason = SB_END_REMOTE_HANGUP;
    st.ended_by_remote = true;
    assert_false(sb_call_passed(&st, &cfg, sb_fail_mask(false, false)));
    st.fault_injected = true; /* not even when a fault of ours was in play */
    assert_false(sb_call_passed(&st, &cfg, sb_fail_mask(true, false)));
}

/* Our faults explain the end they provoke; the checks still judge the far end. */
static void fault_explains_end(void **state) {
    (void)state;
    sb_config cfg;
    memset(&cfg, 0, sizeof cfg);
    uint32_t must = sb_fail_mask(true, false), should = sb_fail_mask(true, true);
    sb_call_stats st = answered_uac();
    st.violations = 0;
    st.end_reason = SB_END_SESSION_EXPIRED; /* the far end tore down our silent session */
    st.ended_by_remote = true;
    assert_false(sb_call_passed(&st, &cfg, must)); /* without a fault: a failure */
    st.fault_injected = true;
    assert_true(sb_call_passed(&st, &cfg, must));
    st.end_reason = SB_END_REFRESH_FAILED; /* it hung up after we refused its refresh */
    assert_true(sb_call_passed(&st, &cfg, must));
    st.ended_by_remote = false; /* our own refresh failed: the fault does not explain that */
    assert_false(sb_call_passed(&st, &cfg, must));
    /* SHOULD-level deviations fail the call only with --fail-on should */
    st.end_reason = SB_END_SESSION_EXPIRED;
    st.violations = 1u << SB_VIO_NO_TEARDOWN;
    assert_int_equal(sb_violation_level(SB_VIO_NO_TEARDOWN), SB_LEVEL_SHOULD);
    assert_true(sb_call_passed(&st, &cfg, must));
    assert_false(sb_call_passed(&st, &cfg, should));
    st.violations = 1u << SB_VIO_MISSED_REFRESH; /* MUST */
    assert_false(sb_call_passed(&st, &cfg, must));
}

/* The end note of a drop reads as what happened: a BYE at 1800 s with Session-Expires 1800. */
static void drop_note(void **state) {
    (void)state;
    sb_call_stats st = answered_uac();
    st.end_reason = SB_END_REMOTE_HANGUP;
    st.answer_ms = 1000;
    st.end_ms = 1000 + 1800000;
    st.session_timer_since_refresh_ms = 900000;
    st.drop_timing = SB_DROP_AT_SE;
    strcpy(st.remote_reason_protocol, "Q.850");
    st.remote_reason_cause = 102;
    strcpy(st.remote_reason_text, "Recovery on timer expiry");
    char note[256];
    assert_true(sb_call_end_note(&st, note, sizeof note) > 0);
    assert_string_equal(note, "far end hung up 1800.0 s into the call, 900.0 s after the last "
                              "session-timer 2xx (Session-Expires 1800 s): matches "
                              "session_expires; Reason: Q.850 cause 102 \"Recovery on timer "
                              "expiry\"");
    json_t *o = sb_report_call(&st, 0, false);
    assert_string_equal(str(o, "end_reason"), "remote_hangup");
    assert_string_equal(str(o, "drop_timing"), "session_expires");
    assert_string_equal(str(o, "remote_reason_protocol"), "Q.850");
    assert_int_equal(num(o, "remote_reason_cause"), 102);
    assert_string_equal(str(o, "end_note"), note);
    json_decref(o);
    st.end_reason = SB_END_NORMAL;
    assert_int_equal(sb_call_end_note(&st, note, sizeof note), 0);
}

static size_t distinct_ids(void) {
    size_t n = 0;
    for (int v = 0; v < SB_VIO__COUNT; v++) {
        bool seen = false;
        for (int w = 0; w < v; w++)
            seen |= strcmp(sb_violation_rfc_id((sb_violation)v),
                           sb_violation_rfc_id((sb_violation)w)) == 0;
        n += !seen;
    }
    return n;
}

static void summary_and_compliance(void **state) {
    (void)state;
    sb_summary s;
    sb_summary_init(&s);
    sb_call_stats a = answered_uac();
    for (int i = 0; i < 10; i++) {
        a.answer_ms = a.start_ms + 10 * (uint64_t)(i + 1); /* 10..100 ms */
        assert_int_equal(sb_summary_add(&s, &a, false), 0);
    }
    sb_call_stats r;
    memset(&r, 0, sizeof r);
    r.result = SB_RESULT_TIMEOUT;
    r.end_reason = SB_END_INVITE_TIMEOUT;
    sb_summary_add(&s, &r, false);
    s.calls_started = 12;
    s.malformed_messages = 3;

    json_t *o = sb_report_summary(&s);
    assert_int_equal(num(o, "calls_started"), 12);
    assert_int_equal(num(o, "calls_ended"), 11);
    assert_int_equal(num(o, "answered"), 10);
    assert_int_equal(num(o, "timeout"), 1);
    assert_int_equal(num(o, "rejected"), 0);
    assert_int_equal(num(o, "cancelled"), 0);
    assert_int_equal(num(o, "failed"), 0);
    json_t *p = json_object_get(o, "setup_time_ms");
    assert_int_equal(num(p, "p50"), 50);
    assert_int_equal(num(p, "p90"), 90);
    assert_int_equal(num(p, "p99"), 100);
    assert_int_equal(num(p, "max"), 100);
    /* The mergeable form beside them: ten 1-ms buckets, 10..100. */
    json_t *h = json_object_get(p, "histogram");
    assert_int_equal(num(h, "count"), 10);
    assert_int_equal(num(h, "min"), 10);
    assert_int_equal(num(h, "max"), 100);
    assert_int_equal(num(h, "clamped"), 0);
    json_t *b = json_object_get(h, "buckets");
    assert_int_equal(json_array_size(b), 10);
    for (size_t i = 0; i < 10; i++) {
        json_t *e = json_array_get(b, i);
        assert_int_equal(json_integer_value(json_array_get(e, 0)), 10 * (i + 1));
        assert_int_equal(json_integer_value(json_array_get(e, 1)), 10 * (i + 1));
        assert_int_equal(json_integer_value(json_array_get(e, 2)), 1);
    }
    assert_int_equal(num(o, "session_timer_refreshes"), 40);
    assert_int_equal(num(o, "session_timer_refresh_failures"), 0);
    assert_int_equal(num(o, "session_timer_422_count"), 10);
    assert_int_equal(num(o, "malformed_messages"), 3);
    assert_int_equal(num(o, "violations"), 10);

    /* UAS-2 has two checks (SE below Min-SE, SE raised): one call counts once per id. UAS-5
     * and HDR-8 were checked and passed; UAC-13 and EXP-1 were never checked. */
    json_t *c = json_object_get(o, "compliance");
    assert_int_equal(num(json_object_get(c, "UAS-2"), "failed"), 10);
    assert_int_equal(num(json_object_get(c, "UAS-2"), "passed"), 0);
    assert_int_equal(num(json_object_get(c, "UAS-2"), "evaluated"), 10);
    assert_string_equal(str(json_object_get(c, "UAS-2"), "level"), "MUST");
    json_t *first = json_object_get(json_object_get(c, "UAS-2"), "first_failed_call_ids");
    assert_int_equal(json_array_size(first), SB_FIRST_FAILED);
    assert_string_equal(json_string_value(json_array_get(first, 0)), "abc@127.0.0.1");
    assert_string_equal(str(json_object_get(c, "EXP-1"), "level"), "SHOULD");
    assert_int_equal(num(json_object_get(c, "UAC-13"), "evaluated"), 0);
    assert_int_equal(num(json_object_get(c, "UAS-5"), "passed"), 10);
    assert_int_equal(num(json_object_get(c, "HDR-8"), "passed"), 10);
    assert_int_equal(num(json_object_get(c, "EXP-1"), "passed"), 0);
    assert_int_equal(num(json_object_get(c, "EXP-1"), "failed"), 0);
    assert_int_equal(json_object_size(c), distinct_ids()); /* one row per RFC id */
    json_decref(o);
    sb_summary_free(&s);
}

static void no_answer_means_null_percentiles(void **state) {
    (void)state;
    sb_summary s;
    sb_summary_init(&s);
    json_t *o = sb_report_summary(&s);
    json_t *p = json_object_get(o, "setup_time_ms");
    assert_true(json_is_null(json_object_get(p, "p50")));
    assert_true(json_is_null(json_object_get(p, "max")));
    json_t *h = json_object_get(p, "histogram");
    assert_int_equal(num(h, "count"), 0);
    assert_true(json_is_null(json_object_get(h, "min")));
    assert_true(json_is_null(json_object_get(h, "max")));
    assert_int_equal(json_array_size(json_object_get(h, "buckets")), 0);
    json_decref(o);
    sb_summary_free(&s);
}

/* Above a second the percentiles come from 1/128-wide buckets: the bucket's upper bound,
 * never below the true value and < 1 % above; max stays exact. */
static void setup_times_above_a_second(void **state) {
    (void)state;
    static sb_summary s; /* 25 KiB of histogram: not on the stack */
    sb_summary_init(&s);
    sb_call_stats a = answered_uac();
    for (uint64_t i = 1; i <= 1000; i++) {
        a.answer_ms = a.start_ms + 10 * i; /* 10..10000 ms */
        assert_int_equal(sb_summary_add(&s, &a, true), 0);
    }
    sb_setup_pcts p;
    assert_true(sb_summary_setup(&s, &p));
    assert_int_equal(p.p50, 5023); /* true 5000, bucket 4992..5023 */
    assert_int_equal(p.p90, 9023); /* true 9000, bucket 8960..9023 */
    assert_int_equal(p.p99, 9919); /* true 9900, bucket 9856..9919 */
    assert_int_equal(p.max, 10000);
    sb_summary_free(&s);
    assert_false(sb_summary_setup(&s, &p)); /* free leaves an empty summary */
}

static void event_lines(void **state) {
    (void)state;
    sb_call_stats st = answered_uac();
    sb_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = SB_EV_TIMER_NEGOTIATED;
    ev.call = 7;
    ev.at_ms = 1500;
    ev.status = 2;
    ev.value = 1800;
    ev.stats = &st;
    json_t *o = sb_report_event(&ev, 1000, "uac");
    assert_int_equal(num(o, "t_ms"), 500);
    assert_string_equal(str(o, "engine"), "uac");
    assert_string_equal(str(o, "type"), "timer_negotiated");
    assert_int_equal(num(o, "call"), 7);
    assert_string_equal(str(o, "call_id"), "abc@127.0.0.1");
    assert_int_equal(num(o, "value"), 1800);
    assert_string_equal(str(o, "refresher"), "remote");
    assert_true(json_is_null(json_object_get(o, "text")));
    json_decref(o);

    ev.type = SB_EV_VIOLATION;
    ev.value = SB_VIO_MISSED_REFRESH;
    o = sb_report_event(&ev, 1000, "uas");
    assert_string_equal(str(o, "id"), "UAC-13");
    assert_string_equal(str(o, "level"), "MUST");
    json_decref(o);

    ev.type = SB_EV_CALL_ENDED;
    o = sb_report_event(&ev, 1000, "uac");
    assert_string_equal(str(o, "result"), "answered");
    assert_string_equal(str(o, "end_reason"), "normal");
    json_decref(o);

    ev.type = SB_EV_RETRANSMIT;
    ev.status = 0;
    ev.value = 3;
    ev.text = "INVITE";
    assert_int_equal(sb_addr_parse(&ev.addr, "127.0.0.2:5062", 14, 5060), 0);
    o = sb_report_event(&ev, 1000, "uac");
    assert_string_equal(str(o, "type"), "retransmit");
    assert_string_equal(str(o, "text"), "INVITE");
    assert_int_equal(num(o, "value"), 3);
    assert_int_equal(num(o, "status"), 0);
    assert_string_equal(str(o, "to"), "127.0.0.2:5062");
    json_decref(o);
}

static void config_echo(void **state) {
    (void)state;
    sb_cli c;
    memset(&c, 0, sizeof c);
    c.cmd = SB_CMD_CALL;
    c.uri = "sip:svc@127.0.0.1:5060";
    c.calls = 5;
    c.rate_cps = 2.5;
    c.duration_ms = 3000;
    c.fail_on_violation = true;
    c.cfg.timer.mode = SB_TIMER_REQUIRED;
    c.cfg.timer.se_s = 4;
    c.cfg.timer.unchecked = true;
    json_t *o = sb_report_config(&c, NULL);
    assert_string_equal(str(o, "command"), "call");
    assert_int_equal(num(o, "calls"), 5);
    assert_true(json_real_value(json_object_get(o, "rate_cps")) == 2.5);
    assert_true(json_is_null(json_object_get(o, "limit")));
    json_t *t = json_object_get(o, "timer");
    assert_string_equal(str(t, "mode"), "required");
    assert_int_equal(num(t, "se_s"), 4);
    assert_true(json_is_true(json_object_get(t, "unchecked")));
    json_decref(o);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(call_record),
        cmocka_unit_test(unanswered_record),
        cmocka_unit_test(unreachable_record),
        cmocka_unit_test(verdicts),
        cmocka_unit_test(remote_hangup_fails),
        cmocka_unit_test(fault_explains_end),
        cmocka_unit_test(drop_note),
        cmocka_unit_test(summary_and_compliance),
        cmocka_unit_test(no_answer_means_null_percentiles),
        cmocka_unit_test(setup_times_above_a_second),
        cmocka_unit_test(event_lines),
        cmocka_unit_test(config_echo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
