/* The RFC 4028 session timer (src/timer/session_timer.c) against its own layer (the UA) and
 * the layers below, without the engine: a UA set up by hand, a call created in it, and the
 * timer's hooks called directly with parsed requests. Rule ids: docs/rfc4028-rules.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dialog/ua.h"
#include "ua_fixture.h"

#include <stdio.h>
#include <string.h>

static sb_ua ua;

static int setup(void **state) {
    (void)state;
    sb_config cfg = ua_fixture_config();
    cfg.timer.refresher = SB_REFRESHER_UAC;
    cfg.timer.max_422 = 3;
    cfg.timer.max_se_s = 86400;
    cfg.timer.mode = SB_TIMER_SUPPORTED;
    cfg.timer.se_s = 1800;
    cfg.timer.min_se_s = 90;
    assert_int_equal(sb__ua_init(&ua, &cfg, 0), 0);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    sb__ua_free(&ua);
    return 0;
}

/* A UAS call with an INVITE carrying these timer headers, answered by the timer at now. */
static sb_call *answered(const char *timer_hdrs, uint64_t now, char *extra, size_t cap) {
    static char req[1024];
    snprintf(req, sizeof req,
             "INVITE sip:a@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2;branch=z9hG4bKu1\r\n"
             "From: <sip:b@127.0.0.2>;tag=f\r\nTo: <sip:a@127.0.0.1>\r\nCall-ID: u1\r\n"
             "CSeq: 1 INVITE\r\nContact: <sip:b@127.0.0.2>\r\n%sContent-Length: 0\r\n\r\n",
             timer_hdrs);
    sb_msg m;
    assert_true(sb_msg_parse(&m, req, strlen(req), true) > 0);
    sb_call *c = sb__call_new(&ua, SB_ROLE_UAS, now);
    assert_non_null(c);
    sb_buf b;
    sb_buf_init(&b, extra, cap - 1);
    sb__st_answer(&ua, c, &m, &b, false, now);
    extra[b.len] = '\0';
    return c;
}

/* Table 2 row 5 and EXP-1: the caller names itself refresher; our 2xx copies it with Require,
 * and as non-refresher we arm the hangup at t0 + SE - min(32 s, SE/3). */
static void table2_row5_non_refresher_deadline(void **state) {
    (void)state;
    char x[256];
    sb_call *c =
        answered("Supported: timer\r\nSession-Expires: 1800;refresher=uac\r\n", 1000, x, sizeof x);
    assert_string_equal(x, "Session-Expires: 1800;refresher=uac\r\nRequire: timer\r\n");
    assert_int_equal(c->st.refresher, SB_ST_REMOTE);
    assert_int_equal(c->st.tmr.deadline_ms, 1000 + 1800000 - 32000);
}

/* Table 2 row 6 and UAS-7: the caller makes us refresher; SE 95 refreshes at t0 + 47.5 s (in
 * milliseconds, no rounding to whole seconds). Row 4: a request naming no refresher lets us
 * choose, and our preference (uac by default) goes into the 2xx. */
static void table2_row4_and_refresher_half_interval(void **state) {
    (void)state;
    char x[256];
    sb_call *c =
        answered("Supported: timer\r\nSession-Expires: 95;refresher=uas\r\n", 0, x, sizeof x);
    assert_string_equal(x, "Session-Expires: 95;refresher=uas\r\nRequire: timer\r\n");
    assert_int_equal(c->st.refresher, SB_ST_LOCAL);
    assert_int_equal(c->st.tmr.deadline_ms, 47500);
    c = answered("Supported: timer\r\nSession-Expires: 120\r\n", 0, x, sizeof x);
    assert_string_equal(x, "Session-Expires: 120;refresher=uac\r\nRequire: timer\r\n");
}

/* UAS-3 (erratum 1687): a caller without `timer` and too small an SE is raised to our Min-SE
 * and answered, refresher=uas without Require (row 1). */
static void uas3_raise_without_timer(void **state) {
    (void)state;
    char x[256];
    sb_call *c = answered("Session-Expires: 60\r\n", 0, x, sizeof x);
    assert_string_equal(x, "Session-Expires: 90;refresher=uas\r\n");
    assert_int_equal(c->st.se_s, 90);
}

/* REF-8 after our refusal: the verdict waits 32 s, on the retry timer; UAC-13 is not judged. */
static void refused_refresh_waits_for_teardown(void **state) {
    (void)state;
    char x[256];
    sb_call *c =
        answered("Supported: timer\r\nSession-Expires: 1800;refresher=uac\r\n", 0, x, sizeof x);
    sb__st_refused(&ua, c, 481, 900000);
    assert_true(c->stats.fault_injected);
    assert_int_equal(c->st.retry_tmr.deadline_ms, 900000 + 32000);
    assert_int_equal(sb__st_on_remote_bye(&ua, c, 900100), SB_END_REFRESH_FAILED);
    assert_true(c->stats.checks_passed & (1u << SB_VIO_KEPT_DIALOG));
    assert_int_equal(c->stats.violations, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(table2_row5_non_refresher_deadline, setup, teardown),
        cmocka_unit_test_setup_teardown(table2_row4_and_refresher_half_interval, setup, teardown),
        cmocka_unit_test_setup_teardown(uas3_raise_without_timer, setup, teardown),
        cmocka_unit_test_setup_teardown(refused_refresh_waits_for_teardown, setup, teardown),
    };
    return cmocka_run_group_tests_name("ua_session_timer", tests, NULL, NULL);
}
