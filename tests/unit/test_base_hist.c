/* Unit tests for the log-linear histogram: layout, exactness, error bound, percentiles
 * against a sorted-array oracle, merge, clamping, import. */
#include "base/hist.h"
#include "base/rng.h"
#include "sipbeat/errors.h"

#include <math.h> /* INFINITY, NAN */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h> /* after the headers it needs */

/* 25 KiB each: static, not on the test's stack. */
static sb_hist ha, hb, hc;

static uint64_t pct_of(const sb_hist *h, double p) {
    uint64_t v = 0;
    assert_int_equal(sb_hist_percentile(h, p, &v), 0);
    return v;
}

static void same_hist(const sb_hist *x, const sb_hist *y) {
    assert_int_equal(x->count, y->count);
    assert_int_equal(x->clamped, y->clamped);
    assert_int_equal(sb_hist_min(x), sb_hist_min(y));
    assert_int_equal(sb_hist_max(x), sb_hist_max(y));
    for (size_t i = 0; i < SB_HIST_BUCKETS; i++)
        assert_int_equal(x->counts[i], y->counts[i]);
    assert_memory_equal(x, y, sizeof *x); /* no padding: nothing else differs either */
}

/* Known buckets, worked out by hand from the layout in hist.h. */
static void layout_table(void **state) {
    (void)state;
    static const struct {
        uint64_t v, lower, upper;
        size_t index;
    } cases[] = {
        {0, 0, 0, 0},
        {1, 1, 1, 1},
        {999, 999, 999, 999},
        {1023, 1023, 1023, 1023},
        {1024, 1024, 1031, 1024}, /* first log bucket: 8 ms wide */
        {1031, 1024, 1031, 1024},
        {1032, 1032, 1039, 1025},
        {2047, 2040, 2047, 1151},
        {2048, 2048, 2063, 1152},                    /* next octave: 16 ms wide */
        {60000, 59904, 60159, 1024 + 5 * 128 + 106}, /* 1 min: 256 ms wide */
        {999999, 999424, 1003519, 1024 + 9 * 128 + 116},
        {86400000, 85983232, 86507519, 1024 + 16 * 128 + 36}, /* 24 h */
        {SB_HIST_MAX_MS, 133693440, SB_HIST_MAX_MS, SB_HIST_BUCKETS - 1},
        {SB_HIST_MAX_MS + 1, 133693440, SB_HIST_MAX_MS, SB_HIST_BUCKETS - 1}, /* clamps */
        {UINT64_MAX, 133693440, SB_HIST_MAX_MS, SB_HIST_BUCKETS - 1},
    };
    assert_int_equal(SB_HIST_BUCKETS, 3200);
    assert_int_equal(SB_HIST_MAX_MS, 134217727);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t idx = sb_hist_index(cases[i].v);
        sb_hist_bucket b = sb_hist_bucket_at(idx);
        assert_int_equal(idx, cases[i].index);
        assert_int_equal(b.lower_ms, cases[i].lower);
        assert_int_equal(b.upper_ms, cases[i].upper);
        assert_int_equal(b.count, 0);
    }
}

/* The buckets tile 0..SB_HIST_MAX_MS without gap or overlap, each bound maps back to its
 * bucket, and widths are 1 below 1024 and at most lower/128 above. */
static void layout_tiles_the_range(void **state) {
    (void)state;
    uint64_t next = 0;
    for (size_t i = 0; i < SB_HIST_BUCKETS; i++) {
        sb_hist_bucket b = sb_hist_bucket_at(i);
        assert_int_equal(b.lower_ms, next);
        assert_true(b.upper_ms >= b.lower_ms);
        assert_int_equal(sb_hist_index(b.lower_ms), i);
        assert_int_equal(sb_hist_index(b.upper_ms), i);
        uint64_t width = b.upper_ms - b.lower_ms + 1;
        if (b.lower_ms < 1024)
            assert_int_equal(width, 1);
        else
            assert_true(width * 128 <= b.lower_ms);
        next = b.upper_ms + 1;
    }
    assert_int_equal(next, SB_HIST_MAX_MS + 1);
    sb_hist_bucket out = sb_hist_bucket_at(SB_HIST_BUCKETS); /* past the end: empty */
    assert_int_equal(out.lower_ms, 0);
    assert_int_equal(out.upper_ms, 0);
}

/* Every value 0..999 is its own percentile: the histogram of 0..999 answers each rank with
 * the value itself, and a lone value is every percentile of itself. */
static void exact_below_one_second(void **state) {
    (void)state;
    sb_hist_init(&ha);
    for (uint64_t v = 0; v < 1000; v++)
        sb_hist_add(&ha, v);
    for (uint64_t v = 0; v < 1000; v++) {
        assert_int_equal(pct_of(&ha, (double)(v + 1) / 10.0), v); /* rank v + 1 of 1000 */
        sb_hist_init(&hb);
        sb_hist_add(&hb, v);
        assert_int_equal(pct_of(&hb, 0), v);
        assert_int_equal(pct_of(&hb, 50), v);
        assert_int_equal(pct_of(&hb, 100), v);
    }
    assert_int_equal(sb_hist_min(&ha), 0);
    assert_int_equal(sb_hist_max(&ha), 999);
}

/* The 1 % promise over a sweep up to the max: with a value v below a much larger one, p50
 * is v's bucket's upper bound, at least v and less than 1 % (in fact 1/128) above it. */
static void error_bound_sweep(void **state) {
    (void)state;
    size_t checked = 0;
    for (uint64_t v = 1; v <= SB_HIST_MAX_MS; v += v / 331 + 1) {
        sb_hist_init(&ha);
        sb_hist_add(&ha, v);
        sb_hist_add(&ha, SB_HIST_MAX_MS);
        uint64_t got = pct_of(&ha, 50);
        assert_int_equal(got, sb_hist_bucket_at(sb_hist_index(v)).upper_ms);
        assert_true(got >= v);
        if (v < 1024)
            assert_int_equal(got, v);
        else
            assert_true((got - v) * 128 < v); /* < 0.79 %, so within 1 % */
        assert_int_equal(pct_of(&ha, 100), SB_HIST_MAX_MS);
        checked++;
    }
    assert_true(checked > 4000);
}

/* The nearest-rank cases the summary has always given (formerly percentile.c's tests). */
static void nearest_rank_small_sets(void **state) {
    (void)state;
    static const struct {
        uint64_t v[10];
        size_t n;
        double pct;
        uint64_t want;
    } cases[] = {
        {{42}, 1, 50, 42},
        {{42}, 1, 99, 42},
        {{42}, 1, 100, 42},
        {{100, 10, 90, 20, 80, 30, 70, 40, 60, 50}, 10, 50, 50}, /* rank 5 */
        {{100, 10, 90, 20, 80, 30, 70, 40, 60, 50}, 10, 90, 90}, /* rank 9, not 10 */
        {{100, 10, 90, 20, 80, 30, 70, 40, 60, 50}, 10, 99, 100},
        {{100, 10, 90, 20, 80, 30, 70, 40, 60, 50}, 10, 100, 100},
        {{100, 10, 90, 20, 80, 30, 70, 40, 60, 50}, 10, 1, 10},
        {{100, 10, 90, 20, 80, 30, 70, 40, 60, 50}, 10, 0, 10},
        {{5, 5, 5, 7}, 4, 50, 5},
        {{5, 5, 5, 7}, 4, 75, 5},
        {{5, 5, 5, 7}, 4, 76, 7},
        {{1, 2}, 2, 50, 1},
        {{1, 2}, 2, 90, 2},
        {{5000, 1030}, 2, 50, 1031}, /* bucket 1024..1031: its upper bound, 0.1 % high */
        {{5000, 1030}, 2, 100, 5000},
        {{1030}, 1, 50, 1030}, /* upper bound 1031 lowered to the exact max */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sb_hist_init(&ha);
        for (size_t j = 0; j < cases[i].n; j++)
            sb_hist_add(&ha, cases[i].v[j]);
        assert_int_equal(pct_of(&ha, cases[i].pct), cases[i].want);
    }
    sb_hist_init(&ha);
    for (uint64_t v = 100; v >= 1; v--)
        sb_hist_add(&ha, v);
    assert_int_equal(pct_of(&ha, 50), 50);
    assert_int_equal(pct_of(&ha, 90), 90);
    assert_int_equal(pct_of(&ha, 99), 99);
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The oracle: nearest rank on a sorted array, rank = ceil(q/10000 * n) (at least 1), in
 * integers: q is the percentile in hundredths of a percent. */
static uint64_t oracle(const uint64_t *sorted, size_t n, uint64_t q) {
    size_t rank = (size_t)((q * n + 9999) / 10000);
    return sorted[(rank < 1 ? 1 : rank) - 1];
}

#define NSAMPLES 20000
static uint64_t samples[NSAMPLES];

typedef enum { UNIFORM_SMALL, UNIFORM_MINUTE, LOG_UNIFORM } shape;

static uint64_t draw(sb_rng *r, shape s) {
    switch (s) {
    case UNIFORM_SMALL:
        return sb_rng_range(r, 0, 999);
    case UNIFORM_MINUTE:
        return sb_rng_range(r, 0, 60000);
    case LOG_UNIFORM: /* every octave equally likely: exercises the whole range */
        return sb_rng_range(r, 0, (UINT64_C(1) << sb_rng_range(r, 0, 27)) - 1);
    }
    return 0;
}

static void percentiles_against_oracle(void **state) {
    (void)state;
    static const struct {
        shape s;
        uint64_t seed;
        size_t n;
    } runs[] = {
        {UNIFORM_SMALL, 1, NSAMPLES}, {UNIFORM_SMALL, 2, 7},      {UNIFORM_MINUTE, 3, NSAMPLES},
        {UNIFORM_MINUTE, 4, 101},     {LOG_UNIFORM, 5, NSAMPLES}, {LOG_UNIFORM, 6, 1},
        {LOG_UNIFORM, 7, 999},
    };
    static const uint64_t q[] = {0,    10,   100,  1000, 2500, 5000, 7500,
                                 9000, 9500, 9900, 9990, 9999, 10000};
    for (size_t k = 0; k < sizeof runs / sizeof runs[0]; k++) {
        sb_rng r = {runs[k].seed};
        size_t n = runs[k].n;
        sb_hist_init(&ha);
        for (size_t i = 0; i < n; i++) {
            samples[i] = draw(&r, runs[k].s);
            sb_hist_add(&ha, samples[i]);
        }
        qsort(samples, n, sizeof samples[0], cmp_u64);
        assert_int_equal(sb_hist_count(&ha), n);
        assert_int_equal(sb_hist_min(&ha), samples[0]);
        assert_int_equal(sb_hist_max(&ha), samples[n - 1]);
        for (size_t p = 0; p < sizeof q / sizeof q[0]; p++) {
            uint64_t truth = oracle(samples, n, q[p]);
            uint64_t got = pct_of(&ha, (double)q[p] / 100.0);
            uint64_t upper = sb_hist_bucket_at(sb_hist_index(truth)).upper_ms;
            uint64_t want = upper < samples[n - 1] ? upper : samples[n - 1];
            assert_int_equal(got, want);
            assert_true(got >= truth);
            if (truth < 1024)
                assert_int_equal(got, truth);
            else
                assert_true((got - truth) * 128 < truth);
        }
        assert_int_equal(pct_of(&ha, 100), samples[n - 1]);
    }
}

static void fill(sb_hist *h, uint64_t seed, size_t n) {
    sb_rng r = {seed};
    for (size_t i = 0; i < n; i++)
        sb_hist_add(h, draw(&r, LOG_UNIFORM));
}

/* merge(A, B) is exactly the histogram fed A and B. */
static void merge_equals_union(void **state) {
    (void)state;
    sb_hist_init(&ha);
    sb_hist_init(&hb);
    sb_hist_init(&hc);
    fill(&ha, 11, 5000);
    fill(&hb, 12, 3000);
    sb_hist_add(&hb, SB_HIST_MAX_MS + 5); /* a clamped value and the max, on B's side */
    fill(&hc, 11, 5000);
    fill(&hc, 12, 3000);
    sb_hist_add(&hc, SB_HIST_MAX_MS + 5);
    assert_int_equal(sb_hist_merge(&ha, &hb), 0);
    same_hist(&ha, &hc);
    assert_int_equal(sb_hist_count(&ha), 8001);
    assert_int_equal(ha.clamped, 1);
    assert_int_equal(sb_hist_max(&ha), SB_HIST_MAX_MS + 5);

    /* The order does not matter, nor does an empty side. */
    sb_hist_init(&ha);
    fill(&ha, 11, 5000);
    sb_hist_init(&hc);
    assert_int_equal(sb_hist_merge(&hc, &hb), 0);
    assert_int_equal(sb_hist_merge(&hc, &ha), 0);
    assert_int_equal(sb_hist_merge(&ha, &hb), 0);
    same_hist(&ha, &hc);
    sb_hist_init(&hb);
    assert_int_equal(sb_hist_merge(&ha, &hb), 0);
    same_hist(&ha, &hc);

    /* A histogram merged into itself counts everything twice. */
    sb_hist_init(&ha);
    sb_hist_add(&ha, 7);
    sb_hist_add(&ha, 2000);
    assert_int_equal(sb_hist_merge(&ha, &ha), 0);
    assert_int_equal(sb_hist_count(&ha), 4);
    assert_int_equal(ha.counts[7], 2);
    assert_int_equal(ha.counts[sb_hist_index(2000)], 2);
    assert_int_equal(sb_hist_min(&ha), 7);
    assert_int_equal(sb_hist_max(&ha), 2000);
}

static void merge_overflow_is_refused(void **state) {
    (void)state;
    sb_hist_init(&ha);
    assert_int_equal(sb_hist_add_bucket(&ha, 3, 3, UINT64_MAX - 1), 0);
    sb_hist_init(&hb);
    sb_hist_add(&hb, 3);
    sb_hist_add(&hb, 4);
    memcpy(&hc, &ha, sizeof ha);
    assert_int_equal(sb_hist_merge(&ha, &hb), SB_ELIMIT);
    same_hist(&ha, &hc);
    sb_hist_init(&hb);
    sb_hist_add(&hb, 4);
    assert_int_equal(sb_hist_merge(&ha, &hb), 0); /* exactly UINT64_MAX still fits */
    assert_int_equal(sb_hist_count(&ha), UINT64_MAX);
}

/* Above SB_HIST_MAX_MS values go to the top bucket and are counted as clamped; the exact max
 * is kept, and a percentile landing among them reports it rather than understate. */
static void clamping(void **state) {
    (void)state;
    sb_hist_init(&ha);
    sb_hist_add(&ha, 5);
    sb_hist_add(&ha, SB_HIST_MAX_MS + 1);
    assert_int_equal(sb_hist_count(&ha), 2);
    assert_int_equal(ha.clamped, 1);
    assert_int_equal(ha.counts[SB_HIST_BUCKETS - 1], 1);
    assert_int_equal(pct_of(&ha, 50), 5);
    assert_int_equal(pct_of(&ha, 51), SB_HIST_MAX_MS + 1);
    assert_int_equal(sb_hist_max(&ha), SB_HIST_MAX_MS + 1);

    sb_hist_add(&ha, SB_HIST_MAX_MS); /* the top value itself is in range, not clamped */
    sb_hist_add(&ha, UINT64_MAX);
    assert_int_equal(ha.clamped, 2);
    assert_int_equal(ha.counts[SB_HIST_BUCKETS - 1], 3);
    assert_int_equal(pct_of(&ha, 50), UINT64_MAX); /* rank 2, in the top bucket */
    assert_int_equal(pct_of(&ha, 25), 5);
    assert_int_equal(sb_hist_min(&ha), 5);
    assert_int_equal(sb_hist_max(&ha), UINT64_MAX);

    sb_hist_init(&ha);
    sb_hist_add(&ha, SB_HIST_MAX_MS); /* top bucket without clamped values: its upper bound */
    sb_hist_add(&ha, SB_HIST_MAX_MS - 1000);
    assert_int_equal(ha.clamped, 0);
    assert_int_equal(pct_of(&ha, 50), SB_HIST_MAX_MS);
}

static void empty_histogram(void **state) {
    (void)state;
    sb_hist_init(&ha);
    assert_int_equal(sb_hist_count(&ha), 0);
    assert_int_equal(sb_hist_min(&ha), 0);
    assert_int_equal(sb_hist_max(&ha), 0);
    uint64_t v = 77;
    assert_int_equal(sb_hist_percentile(&ha, 50, &v), SB_EINVAL);
    assert_int_equal(v, 77);
    sb_hist_iter it = {0};
    sb_hist_bucket b;
    assert_false(sb_hist_next(&ha, &it, &b));
    assert_int_equal(sb_hist_set_extremes(&ha, 0, 0, 0), SB_EINVAL);
    sb_hist_init(&hb);
    assert_int_equal(sb_hist_merge(&hb, &ha), 0);
    same_hist(&hb, &ha);

    /* All zeros is the empty histogram, so one embedded in a memset struct is ready. */
    memset(&hb, 0, sizeof hb);
    same_hist(&hb, &ha);
    sb_hist_add(&hb, 9);
    sb_hist_add(&hb, 4);
    assert_int_equal(sb_hist_min(&hb), 4);
    assert_int_equal(sb_hist_max(&hb), 9);
    assert_int_equal(sb_hist_merge(&ha, &hb), 0); /* into an empty one: its extremes */
    same_hist(&ha, &hb);
}

static void bad_percentiles(void **state) {
    (void)state;
    sb_hist_init(&ha);
    sb_hist_add(&ha, 10);
    static const double bad[] = {-0.001, 100.001, -INFINITY, INFINITY, NAN};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t v = 77;
        assert_int_equal(sb_hist_percentile(&ha, bad[i], &v), SB_EINVAL);
        assert_int_equal(v, 77);
    }
}

/* Export with the iterator, import with add_bucket + set_extremes: the same histogram. */
static void export_import_round_trip(void **state) {
    (void)state;
    sb_hist_init(&ha);
    fill(&ha, 21, 4000);
    sb_hist_add(&ha, SB_HIST_MAX_MS + 99);
    sb_hist_add(&ha, SB_HIST_MAX_MS + 3);
    sb_hist_init(&hb);
    sb_hist_iter it = {0};
    sb_hist_bucket b;
    uint64_t prev_upper = 0, total = 0;
    size_t nb = 0;
    while (sb_hist_next(&ha, &it, &b)) {
        assert_true(nb == 0 || b.lower_ms > prev_upper); /* ascending, no repeats */
        assert_true(b.count > 0);
        assert_int_equal(b.count, ha.counts[sb_hist_index(b.lower_ms)]);
        prev_upper = b.upper_ms;
        total += b.count;
        nb++;
        assert_int_equal(sb_hist_add_bucket(&hb, b.lower_ms, b.upper_ms, b.count), 0);
    }
    assert_int_equal(total, 4002);
    assert_int_equal(prev_upper, SB_HIST_MAX_MS);
    assert_true(nb > 100 && nb < 4002);
    assert_int_equal(sb_hist_set_extremes(&hb, ha.min_ms, ha.max_ms, ha.clamped), 0);
    same_hist(&ha, &hb);
}

static void import_rejects(void **state) {
    (void)state;
    sb_hist_init(&ha);
    static const struct {
        uint64_t lower, upper, count;
        int rc;
    } buckets[] = {
        {1024, 1030, 1, SB_EINVAL}, /* not a bucket's bounds */
        {1025, 1031, 1, SB_EINVAL},
        {5, 6, 1, SB_EINVAL},
        {SB_HIST_MAX_MS + 1, UINT64_MAX, 1, SB_EINVAL},
        {5, 5, 0, SB_EINVAL}, /* empty buckets are not written */
        {5, 5, 2, 0},
        {1024, 1031, 3, 0},
        {1024, 1031, UINT64_MAX, SB_ELIMIT},
    };
    for (size_t i = 0; i < sizeof buckets / sizeof buckets[0]; i++)
        assert_int_equal(
            sb_hist_add_bucket(&ha, buckets[i].lower, buckets[i].upper, buckets[i].count),
            buckets[i].rc);
    assert_int_equal(sb_hist_count(&ha), 5);
    assert_int_equal(sb_hist_min(&ha), 5);    /* widened to the bucket bounds ... */
    assert_int_equal(sb_hist_max(&ha), 1031); /* ... until set_extremes */

    /* Values 5, 5 and 3 in 1024..1031: which extremes could have come from them. */
    static const struct {
        uint64_t min, max, clamped;
        int rc;
    } ext[] = {
        {4, 1030, 0, SB_EINVAL}, /* min not in the lowest bucket */
        {5, 1032, 0, SB_EINVAL}, /* max not in the highest */
        {5, 1023, 0, SB_EINVAL}, /* below the highest */
        {1030, 5, 0, SB_EINVAL}, /* min > max */
        {5, 1030, 1, SB_EINVAL}, /* clamped, but nothing in the top bucket */
        {5, 1024, 0, 0},         /* fine */
        {5, 1031, 0, 0},         /* fine too: any value of the bucket */
    };
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        memcpy(&hb, &ha, sizeof ha);
        assert_int_equal(sb_hist_set_extremes(&hb, ext[i].min, ext[i].max, ext[i].clamped),
                         ext[i].rc);
        if (ext[i].rc == 0) {
            assert_int_equal(sb_hist_min(&hb), ext[i].min);
            assert_int_equal(sb_hist_max(&hb), ext[i].max);
        } else {
            same_hist(&hb, &ha);
        }
    }

    /* The top bucket: clamped values need a max above the range and agree with min. */
    sb_hist_init(&ha);
    assert_int_equal(sb_hist_add_bucket(&ha, 133693440, SB_HIST_MAX_MS, 2), 0);
    static const struct {
        uint64_t min, max, clamped;
        int rc;
    } top[] = {
        {133693440, SB_HIST_MAX_MS, 1, SB_EINVAL},     /* clamped but max in range */
        {133693440, SB_HIST_MAX_MS + 1, 0, SB_EINVAL}, /* max above the range, none clamped */
        {133693440, SB_HIST_MAX_MS + 1, 3, SB_EINVAL}, /* more clamped than in the bucket */
        {SB_HIST_MAX_MS + 1, SB_HIST_MAX_MS + 2, 1, SB_EINVAL}, /* min clamped, not all are */
        {133693440, SB_HIST_MAX_MS + 1, 2, SB_EINVAL},          /* all clamped, min is not */
        {133693440, SB_HIST_MAX_MS + 1, 1, 0},
        {SB_HIST_MAX_MS + 1, SB_HIST_MAX_MS + 2, 2, 0},
        {133693440, 133693441, 0, 0},
    };
    for (size_t i = 0; i < sizeof top / sizeof top[0]; i++) {
        memcpy(&hb, &ha, sizeof ha);
        assert_int_equal(sb_hist_set_extremes(&hb, top[i].min, top[i].max, top[i].clamped),
                         top[i].rc);
        if (top[i].rc == 0) assert_int_equal(hb.clamped, top[i].clamped);
    }

    /* One value: min and max are that value. */
    sb_hist_init(&ha);
    assert_int_equal(sb_hist_add_bucket(&ha, 1024, 1031, 1), 0);
    memcpy(&hb, &ha, sizeof ha);
    assert_int_equal(sb_hist_set_extremes(&hb, 1025, 1026, 0), SB_EINVAL);
    assert_int_equal(sb_hist_set_extremes(&hb, 1026, 1026, 0), 0);
    assert_int_equal(pct_of(&hb, 50), 1026);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(layout_table),
        cmocka_unit_test(layout_tiles_the_range),
        cmocka_unit_test(exact_below_one_second),
        cmocka_unit_test(error_bound_sweep),
        cmocka_unit_test(nearest_rank_small_sets),
        cmocka_unit_test(percentiles_against_oracle),
        cmocka_unit_test(merge_equals_union),
        cmocka_unit_test(merge_overflow_is_refused),
        cmocka_unit_test(clamping),
        cmocka_unit_test(empty_histogram),
        cmocka_unit_test(bad_percentiles),
        cmocka_unit_test(export_import_round_trip),
        cmocka_unit_test(import_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
