/* Benchmark: the setup-time histogram (base/hist.h): ns per add, per percentile, per merge,
 * and the bytes it takes at any call count. */
#include "base/hist.h"
#include "base/rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define NVALUES 65536 /* a power of two: the loop indexes with a mask */
static uint64_t values[NVALUES];
static sb_hist h, other;

int main(int argc, char **argv) {
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 50000000;
    /* Setup times as a real run sees them: mostly 20..2000 ms, a tail up to a minute. Drawn
     * beforehand so the loop measures the histogram, not the generator. */
    sb_rng rng = {42};
    for (size_t i = 0; i < NVALUES; i++)
        values[i] = sb_rng_range(&rng, 0, 99) < 95 ? sb_rng_range(&rng, 20, 2000)
                                                   : sb_rng_range(&rng, 2000, 60000);
    sb_hist_init(&h);
    double t0 = now_s();
    for (size_t i = 0; i < n; i++)
        sb_hist_add(&h, values[i & (NVALUES - 1)]);
    double t1 = now_s();

    size_t np = 100000;
    uint64_t sink = 0, v = 0;
    for (size_t i = 0; i < np; i++) {
        sb_hist_percentile(&h, i & 1 ? 99.0 : 50.0, &v);
        sink += v;
    }
    double t2 = now_s();

    size_t nm = 100000;
    sb_hist_init(&other);
    for (size_t i = 0; i < nm; i++)
        sb_hist_merge(&other, &h); /* counts grow by n each time: far from overflow */
    double t3 = now_s();

    uint64_t p50 = 0, p99 = 0;
    sb_hist_percentile(&h, 50, &p50);
    sb_hist_percentile(&h, 99, &p99);
    printf("hist: %zu adds in %.1f ms (%.2f ns each)\n", n, (t1 - t0) * 1e3,
           (t1 - t0) * 1e9 / (double)n);
    printf("hist: %zu percentiles in %.1f ms (%.0f ns each; p50 %llu ms, p99 %llu ms)\n", np,
           (t2 - t1) * 1e3, (t2 - t1) * 1e9 / (double)np, (unsigned long long)p50,
           (unsigned long long)p99);
    printf("hist: %zu merges in %.1f ms (%.0f ns each)\n", nm, (t3 - t2) * 1e3,
           (t3 - t2) * 1e9 / (double)nm);
    printf("hist: %zu bytes per histogram (%u buckets), whatever the call count\n", sizeof(sb_hist),
           (unsigned)SB_HIST_BUCKETS);
    return sink == 0 || sb_hist_count(&h) != n; /* keeps the loops from being optimised away */
}
