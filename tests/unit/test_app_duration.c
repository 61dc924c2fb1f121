/* Unit tests for src/app/duration.c: command-line durations with units. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "app/duration.h"

static void parses_each_unit(void **state) {
    (void)state;
    uint64_t ms = 0;
    assert_int_equal(sb_duration_parse("500ms", &ms), SB_DUR_OK);
    assert_int_equal(ms, 500);
    assert_int_equal(sb_duration_parse("10s", &ms), SB_DUR_OK);
    assert_int_equal(ms, 10000);
    assert_int_equal(sb_duration_parse("2m", &ms), SB_DUR_OK);
    assert_int_equal(ms, 120000);
    assert_int_equal(sb_duration_parse("1h", &ms), SB_DUR_OK);
    assert_int_equal(ms, 3600000);
    assert_int_equal(sb_duration_parse("0s", &ms), SB_DUR_OK);
    assert_int_equal(ms, 0);
}

static void bare_number_needs_unit(void **state) {
    (void)state;
    uint64_t ms = 7;
    assert_int_equal(sb_duration_parse("10", &ms), SB_DUR_NO_UNIT);
    assert_int_equal(ms, 7); /* untouched on error */
}

static void rejects_garbage(void **state) {
    (void)state;
    uint64_t ms = 0;
    const char *bad[] = {"",
                         "s",
                         "-1s",
                         "+1s",
                         " 1s",
                         "1 s",
                         "1S",
                         "1sec",
                         "1.5s",
                         "1d",
                         "1mss",
                         "99999999999999999999ms",
                         "18446744073709551615h"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(sb_duration_parse(bad[i], &ms), SB_DUR_BAD);
}

static void formats_shortest_exact(void **state) {
    (void)state;
    char b[32];
    sb_duration_format(1500, b, sizeof b);
    assert_string_equal(b, "1500ms");
    sb_duration_format(10000, b, sizeof b);
    assert_string_equal(b, "10s");
    sb_duration_format(120000, b, sizeof b);
    assert_string_equal(b, "2m");
    sb_duration_format(7200000, b, sizeof b);
    assert_string_equal(b, "2h");
    sb_duration_format(0, b, sizeof b);
    assert_string_equal(b, "0s");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_each_unit),
        cmocka_unit_test(bare_number_needs_unit),
        cmocka_unit_test(rejects_garbage),
        cmocka_unit_test(formats_shortest_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
