/* Unit tests for src/app/percentile.c: nearest-rank percentiles of setup times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "app/percentile.h"

static void one_sample_is_every_percentile(void **state) {
    (void)state;
    uint64_t v[] = {42};
    assert_int_equal(sb_percentile_sorted(v, 1, 50), 42);
    assert_int_equal(sb_percentile_sorted(v, 1, 99), 42);
    assert_int_equal(sb_percentile_sorted(v, 1, 100), 42);
}

static void ten_samples(void **state) {
    (void)state;
    uint64_t v[] = {100, 10, 90, 20, 80, 30, 70, 40, 60, 50};
    sb_sort_u64(v, 10);
    assert_int_equal(v[0], 10);
    assert_int_equal(v[9], 100);
    assert_int_equal(sb_percentile_sorted(v, 10, 50), 50); /* rank 5 */
    assert_int_equal(sb_percentile_sorted(v, 10, 90), 90); /* rank 9, not 10 */
    assert_int_equal(sb_percentile_sorted(v, 10, 99), 100);
    assert_int_equal(sb_percentile_sorted(v, 10, 100), 100);
    assert_int_equal(sb_percentile_sorted(v, 10, 1), 10);
}

static void hundred_samples(void **state) {
    (void)state;
    uint64_t v[100];
    for (int i = 0; i < 100; i++)
        v[i] = (uint64_t)(100 - i); /* 100..1 */
    sb_sort_u64(v, 100);
    assert_int_equal(sb_percentile_sorted(v, 100, 50), 50);
    assert_int_equal(sb_percentile_sorted(v, 100, 90), 90);
    assert_int_equal(sb_percentile_sorted(v, 100, 99), 99);
}

static void ties_and_small_sets(void **state) {
    (void)state;
    uint64_t v[] = {5, 5, 5, 7};
    assert_int_equal(sb_percentile_sorted(v, 4, 50), 5);
    assert_int_equal(sb_percentile_sorted(v, 4, 75), 5);
    assert_int_equal(sb_percentile_sorted(v, 4, 76), 7);
    uint64_t w[] = {1, 2};
    assert_int_equal(sb_percentile_sorted(w, 2, 50), 1);
    assert_int_equal(sb_percentile_sorted(w, 2, 90), 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_sample_is_every_percentile),
        cmocka_unit_test(ten_samples),
        cmocka_unit_test(hundred_samples),
        cmocka_unit_test(ties_and_small_sets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
