/* Unit tests for src/app/pacer.c: call starts against a virtual clock, no sleeping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "app/pacer.h"
#include "sipbeat/types.h"

static void ten_per_second(void **state) {
    (void)state;
    sb_pacer p;
    sb_pacer_init(&p, 10, 3, 0, 1000);
    assert_int_equal(sb_pacer_take(&p, 1000, 0), 1); /* first call at once */
    assert_int_equal(sb_pacer_next_ms(&p, 1), 1100);
    assert_int_equal(sb_pacer_take(&p, 1099, 1), 0);
    assert_int_equal(sb_pacer_take(&p, 1100, 1), 1);
    assert_int_equal(sb_pacer_next_ms(&p, 2), 1200);
    assert_int_equal(sb_pacer_take(&p, 1200, 2), 1);
    assert_true(sb_pacer_done(&p));
    assert_int_equal(sb_pacer_take(&p, 5000, 0), 0);
    assert_int_equal(sb_pacer_next_ms(&p, 0), SB_NEVER);
}

static void fractional_rate(void **state) {
    (void)state;
    sb_pacer p;
    sb_pacer_init(&p, 0.5, 10, 0, 0);
    assert_int_equal(sb_pacer_take(&p, 0, 0), 1);
    assert_int_equal(sb_pacer_next_ms(&p, 1), 2000);
    assert_int_equal(sb_pacer_take(&p, 1999, 1), 0);
    assert_int_equal(sb_pacer_take(&p, 2000, 1), 1);

    /* 3 cps: starts at 0, 333.3, 666.7, 1000 ms; wake-ups round up, never early. */
    sb_pacer_init(&p, 3, 10, 0, 0);
    assert_int_equal(sb_pacer_take(&p, 0, 0), 1);
    assert_int_equal(sb_pacer_next_ms(&p, 0), 334);
    assert_int_equal(sb_pacer_take(&p, 333, 0), 0);
    assert_int_equal(sb_pacer_take(&p, 334, 0), 1);
    assert_int_equal(sb_pacer_next_ms(&p, 0), 667);
    assert_int_equal(sb_pacer_take(&p, 1000, 0), 2); /* late wake-up: both due starts */
}

static void late_wakeup_catches_up_without_limit(void **state) {
    (void)state;
    sb_pacer p;
    sb_pacer_init(&p, 100, 1000, 0, 0);
    /* The loop was busy for 50 ms: the 6 starts due by then (0, 10, ..., 50) go now, so the
     * long-run rate stays the asked one. */
    assert_int_equal(sb_pacer_take(&p, 50, 0), 6);
    assert_int_equal(sb_pacer_next_ms(&p, 6), 60);
}

static void limit_holds_back_and_slides(void **state) {
    (void)state;
    sb_pacer p;
    sb_pacer_init(&p, 10, 10, 2, 0);
    assert_int_equal(sb_pacer_take(&p, 0, 0), 1);
    assert_int_equal(sb_pacer_take(&p, 100, 1), 1);
    /* Two live: full. Nothing due to wake for; the next call end wakes the loop. */
    assert_int_equal(sb_pacer_take(&p, 200, 2), 0);
    assert_int_equal(sb_pacer_next_ms(&p, 2), SB_NEVER);
    assert_int_equal(sb_pacer_take(&p, 900, 2), 0);
    /* At 950 one call ends: exactly one start, no burst for the 8 missed slots... */
    assert_int_equal(sb_pacer_take(&p, 950, 1), 1);
    /* ...and the grid continues from 950 at 10 cps. */
    assert_int_equal(sb_pacer_next_ms(&p, 1), 1050);
    assert_int_equal(sb_pacer_take(&p, 1049, 1), 0);
    assert_int_equal(sb_pacer_take(&p, 1050, 1), 1);
    assert_int_equal(p.started, 4);
}

static void limit_counts_starts_within_one_take(void **state) {
    (void)state;
    sb_pacer p;
    sb_pacer_init(&p, 1000, 100, 3, 0);
    /* 11 starts due at 10 ms, but only 3 may be live. */
    assert_int_equal(sb_pacer_take(&p, 10, 0), 3);
    assert_int_equal(sb_pacer_take(&p, 10, 3), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ten_per_second),
        cmocka_unit_test(fractional_rate),
        cmocka_unit_test(late_wakeup_catches_up_without_limit),
        cmocka_unit_test(limit_holds_back_and_slides),
        cmocka_unit_test(limit_counts_starts_within_one_take),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
