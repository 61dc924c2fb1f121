/* Fixed-size, mergeable log-linear histogram of millisecond values (HdrHistogram's idea). */
#ifndef SB_BASE_HIST_H
#define SB_BASE_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bucket layout, the same for every sb_hist (so two always merge bucket by bucket):
 *
 *   0 .. 1023 ms                one bucket per millisecond: exact
 *   [2^k, 2^(k+1)), k = 10..26  SB_HIST_SUB buckets of 2^(k-7) ms each
 *
 * A value v >= 1024 lands in a bucket of width w = 2^(k-7) <= v / 128, so any value reported
 * for it (a bucket bound) is off by at most w - 1 < v / 128: under 0.79 %, inside the 1 %
 * promised. Values above SB_HIST_MAX_MS (2^27 - 1 ms, 37 h 16 min) are counted in the top
 * bucket and in `clamped`; no error bound holds for them, only the exact max below. */
#define SB_HIST_LINEAR 1024u /* values below have a bucket each */
#define SB_HIST_SUB 128u     /* buckets per power of two above */
#define SB_HIST_OCTAVES 17u  /* 2^10 .. 2^27 */
#define SB_HIST_BUCKETS (SB_HIST_LINEAR + SB_HIST_SUB * SB_HIST_OCTAVES) /* 3200 */
#define SB_HIST_MAX_MS ((UINT64_C(1) << 27) - 1)                         /* 134217727 */

/* Plain data, no allocation: embed it, copy it with =; all zeros is the empty histogram.
 * Fields may be read; write them only through the functions below. Invariant:
 * counts[] sums to count; clamped <= counts[SB_HIST_BUCKETS - 1]. Only uint64_t members, so
 * the struct has no padding and two equal histograms compare equal with memcmp. */
typedef struct {
    uint64_t count;   /* values recorded */
    uint64_t clamped; /* of them, above SB_HIST_MAX_MS (counted in the top bucket) */
    uint64_t min_ms;  /* exact smallest value recorded; 0 while empty */
    uint64_t max_ms;  /* exact largest value recorded, even above SB_HIST_MAX_MS; 0 while empty */
    uint64_t counts[SB_HIST_BUCKETS];
} sb_hist;

/* One bucket: the values lower_ms..upper_ms (both inclusive) and how many were recorded. */
typedef struct {
    uint64_t lower_ms, upper_ms, count;
} sb_hist_bucket;

/* Empties h (the same as zeroing it). */
void sb_hist_init(sb_hist *h);

/* Records one value. Never fails: a value above SB_HIST_MAX_MS goes to the top bucket and
 * is counted in h->clamped; the count cannot overflow in 2^64 calls. */
void sb_hist_add(sb_hist *h, uint64_t value_ms);

/* Adds every value of src to dst, bucket by bucket: the result is exactly the histogram that
 * recorded both sets of values (counts, clamped, min and max). src may be dst. Returns 0, or
 * SB_ELIMIT if the total count would pass UINT64_MAX (dst is then unchanged). */
int sb_hist_merge(sb_hist *dst, const sb_hist *src);

static inline uint64_t sb_hist_count(const sb_hist *h) {
    return h->count;
}
/* Exact smallest and largest values recorded; 0 when h is empty. */
static inline uint64_t sb_hist_min(const sb_hist *h) {
    return h->min_ms;
}
static inline uint64_t sb_hist_max(const sb_hist *h) {
    return h->max_ms;
}

/* The nearest-rank percentile pct (0..100) of the values recorded: with n values, the
 * sample of rank r = ceil(pct / 100 * n) (at least 1) in ascending order is the true
 * percentile v. It lies in some bucket; *value_ms is that bucket's upper bound, lowered to
 * the exact max if the max is smaller. Hence the value is never below v, it is v exactly when
 * v < 1024, and it exceeds v by less than v / 128 up to SB_HIST_MAX_MS; pct 100 gives the
 * exact max. If the rank lands in the top bucket while it holds clamped values, *value_ms is
 * the exact max (never an understatement). Returns 0, or SB_EINVAL if h is empty or pct is
 * not in [0, 100] (NaN included); *value_ms is then untouched. */
int sb_hist_percentile(const sb_hist *h, double pct, uint64_t *value_ms);

/* The layout: the bucket index of a value (values above SB_HIST_MAX_MS give the top bucket)
 * and the bounds of bucket i < SB_HIST_BUCKETS. */
size_t sb_hist_index(uint64_t value_ms);
sb_hist_bucket sb_hist_bucket_at(size_t i); /* count is 0: the layout only */

/* Iteration over the non-empty buckets in ascending order, for export:
 *     sb_hist_iter it = {0};
 *     sb_hist_bucket b;
 *     while (sb_hist_next(h, &it, &b)) ...
 * h must not change during the iteration. The top bucket is reported with its layout bounds
 * even when it holds clamped values (see h->clamped and h->max_ms). */
typedef struct {
    size_t next; /* next bucket index to look at */
} sb_hist_iter;
bool sb_hist_next(const sb_hist *h, sb_hist_iter *it, sb_hist_bucket *b);

/* Import, the reverse of the iteration: adds count values to the bucket lower_ms..upper_ms,
 * which must be exactly one bucket of the layout. min and max widen to the bucket's bounds;
 * call sb_hist_set_extremes once all buckets are in to restore the exact ones. Returns 0,
 * SB_EINVAL if the bounds are not a bucket or count is 0, or SB_ELIMIT if the total count
 * would overflow; h is unchanged on error. */
int sb_hist_add_bucket(sb_hist *h, uint64_t lower_ms, uint64_t upper_ms, uint64_t count);

/* Sets the exact min, max and clamped count of a histogram whose buckets were imported,
 * after checking that some set of values gives exactly these buckets and these three
 * figures: min in the lowest non-empty bucket and max in the highest (clamped values belong
 * above SB_HIST_MAX_MS), clamped 0 unless max is above it, min above it only if every value
 * is clamped, min == max if there is one value. Returns 0, or SB_EINVAL (h unchanged) when
 * they disagree or h is empty. */
int sb_hist_set_extremes(sb_hist *h, uint64_t min_ms, uint64_t max_ms, uint64_t clamped);

#endif
