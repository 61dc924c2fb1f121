/* Unit tests for sb_config_check: it names the sb_config field that is wrong and why, and
 * never a command-line flag (the engine does not know who filled the config). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sipbeat/engine.h"

#include <string.h>

/* A valid config with timers on. */
static sb_config timers_on(void) {
    sb_config c;
    sb_config_init(&c);
    c.timer.mode = SB_TIMER_SUPPORTED;
    c.timer.se_s = 1800;
    return c;
}

static void expect_field(const sb_config *c, const char *field, const char *why_part) {
    sb_config_error err;
    memset(&err, 0, sizeof err);
    assert_int_equal(sb_config_check(c, &err), SB_EINVAL);
    assert_non_null(err.field);
    assert_string_equal(err.field, field);
    if (!strstr(err.why, why_part))
        fail_msg("%s: why \"%s\" lacks \"%s\"", field, err.why, why_part);
    assert_null(strstr(err.why, "--")); /* no flag names */
    assert_null(strchr(err.why, '\n'));
    assert_int_equal(sb_config_check(c, NULL), SB_EINVAL); /* err is optional */
}

static void valid_configs_pass(void **state) {
    (void)state;
    sb_config c;
    sb_config_init(&c);
    sb_config_error err = {.field = NULL};
    assert_int_equal(sb_config_check(&c, &err), 0);
    assert_null(err.field);
    c = timers_on();
    assert_int_equal(sb_config_check(&c, &err), 0);
    c.timer.se_s = SB_SE_FLOOR_S;
    c.timer.min_se_s = SB_SE_FLOOR_S;
    c.timer.max_422 = 0; /* no 422 retry */
    c.reject_code = SB_FAIL_CODE_MAX;
    assert_int_equal(sb_config_check(&c, NULL), 0);
    /* unchecked sends SE and Min-SE as given */
    c.timer.unchecked = true;
    c.timer.se_s = 4;
    c.timer.min_se_s = 6;
    assert_int_equal(sb_config_check(&c, NULL), 0);
}

static void names_the_field(void **state) {
    (void)state;
    sb_config c;

    sb_config_init(&c);
    c.t1_ms = 0;
    expect_field(&c, "t1_ms", "positive");
    sb_config_init(&c);
    c.t2_ms = 400;
    expect_field(&c, "t2_ms", "below t1_ms 500");
    sb_config_init(&c);
    c.t4_ms = 0;
    expect_field(&c, "t4_ms", "positive");

    sb_config_init(&c);
    c.reject_code = 200;
    expect_field(&c, "reject_code", "300..699");
    c.reject_code = 700;
    expect_field(&c, "reject_code", "300..699");

    sb_config_init(&c);
    c.timer.mode = (sb_timer_mode)7;
    expect_field(&c, "timer.mode", "off, supported, required, always");

    sb_config_init(&c);
    c.timer.answer_refresh_code = 180;
    expect_field(&c, "timer.answer_refresh_code", "300..699");

    c = timers_on();
    c.timer.se_s = 0;
    expect_field(&c, "timer.se_s", "required when timer.mode is supported");
    c.timer.se_s = SB_SE_FLOOR_S - 1;
    expect_field(&c, "timer.se_s", "90..7200");
    c.timer.se_s = SB_SE_CEIL_S + 1;
    expect_field(&c, "timer.se_s", "timer.unchecked lifts");

    c = timers_on();
    c.timer.min_se_s = 89;
    expect_field(&c, "timer.min_se_s", "below 90");
    c.timer.min_se_s = 1801;
    expect_field(&c, "timer.min_se_s", "above timer.se_s 1800");
}

/* The 422 cap bounds a loop: neither timers off nor unchecked lift it. */
static void max_422_cap_always_applies(void **state) {
    (void)state;
    sb_config c = timers_on();
    c.timer.max_422 = SB_MAX_422_CAP;
    assert_int_equal(sb_config_check(&c, NULL), 0);
    c.timer.max_422 = SB_MAX_422_CAP + 1;
    expect_field(&c, "timer.max_422", "0..20");
    c.timer.unchecked = true;
    expect_field(&c, "timer.max_422", "0..20");
    c.timer.mode = SB_TIMER_OFF;
    expect_field(&c, "timer.max_422", "0..20");
}

/* sb_engine_new refuses what sb_config_check refuses. */
static void engine_new_refuses_invalid(void **state) {
    (void)state;
    sb_config c = timers_on();
    c.timer.se_s = 10;
    assert_null(sb_engine_new(&c, 0));
    c.timer.se_s = 1800;
    sb_engine *e = sb_engine_new(&c, 0);
    assert_non_null(e);
    sb_engine_free(e);
}

/* Identity and credentials go into From, Contact and Authorization: nothing that could end
 * a header line or a quoted string gets in. */
static void identity_cannot_break_headers(void **state) {
    (void)state;
    sb_config c;
    sb_config_init(&c);
    c.user = "bob\r\nX-Evil: 1";
    expect_field(&c, "user", "SIP user part");
    c.user = "bob@pbx";
    expect_field(&c, "user", "SIP user part");
    c.user = "bob";
    c.auth_user = "bob\"x";
    c.auth_password = "pw";
    expect_field(&c, "auth_user", "digest username");
    c.auth_user = "bob@pbx.example";
    assert_int_equal(sb_config_check(&c, NULL), 0);
    c.auth_password = "";
    expect_field(&c, "auth_password", "not usable");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_configs_pass),
        cmocka_unit_test(identity_cannot_break_headers),
        cmocka_unit_test(names_the_field),
        cmocka_unit_test(max_422_cap_always_applies),
        cmocka_unit_test(engine_new_refuses_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
