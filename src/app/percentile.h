/* Percentiles of a set of millisecond samples (setup times) for the report and summary. */
#ifndef SB_APP_PERCENTILE_H
#define SB_APP_PERCENTILE_H

#include <stddef.h>
#include <stdint.h>

/* Sorts v[0..n) in place, ascending. */
void sb_sort_u64(uint64_t *v, size_t n);

/* Nearest-rank percentile of an ascending array: the smallest sample such that at least p
 * percent of the samples are <= it (p in (0, 100]). Nearest rank always returns a sample
 * that really happened, which is what an engineer expects to find in the call list.
 * n must be > 0. */
uint64_t sb_percentile_sorted(const uint64_t *v, size_t n, double p);

#endif
