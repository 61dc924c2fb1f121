/* Percentiles of a set of millisecond samples (setup times) for the report and summary. */
#include "app/percentile.h"

#include <math.h>
#include <stdlib.h>

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

void sb_sort_u64(uint64_t *v, size_t n) {
    if (n > 1) qsort(v, n, sizeof *v, cmp_u64);
}

uint64_t sb_percentile_sorted(const uint64_t *v, size_t n, double p) {
    /* rank = ceil(p/100 * n), 1-based; the small epsilon keeps 90% of 10 at rank 9, not 10,
     * when the product lands a hair above an integer in binary floating point. */
    double r = ceil(p / 100.0 * (double)n - 1e-9);
    size_t rank = r < 1.0 ? 1 : (size_t)r;
    if (rank > n) rank = n;
    return v[rank - 1];
}
