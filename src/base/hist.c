/* Log-linear millisecond histogram: a fixed bucket layout, exact below 1024 ms. */
#include "base/hist.h"

#include "sipbeat/errors.h"

#include <string.h>

#define TOP (SB_HIST_BUCKETS - 1)
#define SUB_BITS 7     /* log2(SB_HIST_SUB) */
#define LINEAR_BITS 10 /* log2(SB_HIST_LINEAR) */

_Static_assert(SB_HIST_SUB == 1u << SUB_BITS, "SB_HIST_SUB is 2^SUB_BITS");
_Static_assert(SB_HIST_LINEAR == 1u << LINEAR_BITS, "SB_HIST_LINEAR is 2^LINEAR_BITS");
_Static_assert(SB_HIST_MAX_MS == (UINT64_C(1) << (LINEAR_BITS + SB_HIST_OCTAVES)) - 1,
               "the top octave ends at SB_HIST_MAX_MS");

void sb_hist_init(sb_hist *h) {
    memset(h, 0, sizeof *h);
}

size_t sb_hist_index(uint64_t v) {
    if (v < SB_HIST_LINEAR) return (size_t)v;
    if (v > SB_HIST_MAX_MS) return TOP;
    /* k = floor(log2 v) in 10..26; the SUB_BITS bits below the leading one pick the bucket. */
    unsigned k = 63u - (unsigned)__builtin_clzll(v);
    uint64_t sub = (v >> (k - SUB_BITS)) - SB_HIST_SUB;
    return SB_HIST_LINEAR + (size_t)(k - LINEAR_BITS) * SB_HIST_SUB + (size_t)sub;
}

sb_hist_bucket sb_hist_bucket_at(size_t i) {
    sb_hist_bucket b = {0, 0, 0};
    if (i < SB_HIST_LINEAR) {
        b.lower_ms = b.upper_ms = i;
    } else if (i < SB_HIST_BUCKETS) {
        size_t j = i - SB_HIST_LINEAR;
        unsigned shift = (unsigned)(j / SB_HIST_SUB) + LINEAR_BITS - SUB_BITS;
        b.lower_ms = (uint64_t)(SB_HIST_SUB + j % SB_HIST_SUB) << shift;
        b.upper_ms = b.lower_ms + (UINT64_C(1) << shift) - 1;
    }
    return b;
}

void sb_hist_add(sb_hist *h, uint64_t v) {
    if (v < h->min_ms || h->count == 0) h->min_ms = v;
    if (v > h->max_ms) h->max_ms = v;
    h->counts[sb_hist_index(v)]++;
    h->count++;
    h->clamped += v > SB_HIST_MAX_MS;
}

int sb_hist_merge(sb_hist *dst, const sb_hist *src) {
    /* Every bucket and clamped are at most count, so checking the total covers them all. */
    if (src->count > UINT64_MAX - dst->count) return SB_ELIMIT;
    if (src->count == 0) return 0;
    for (size_t i = 0; i < SB_HIST_BUCKETS; i++)
        dst->counts[i] += src->counts[i];
    if (src->min_ms < dst->min_ms || dst->count == 0) dst->min_ms = src->min_ms;
    if (src->max_ms > dst->max_ms) dst->max_ms = src->max_ms;
    dst->count += src->count;
    dst->clamped += src->clamped;
    return 0;
}

int sb_hist_percentile(const sb_hist *h, double pct, uint64_t *value_ms) {
    if (h->count == 0 || !(pct >= 0.0 && pct <= 100.0)) return SB_EINVAL;
    /* rank = ceil(pct/100 * n), 1-based; the small epsilon keeps 90% of 10 at rank 9, not 10,
     * when the product lands a hair above an integer in binary floating point. Rounded up
     * by hand: base does not link libm. */
    double x = pct / 100.0 * (double)h->count - 1e-9;
    uint64_t rank = h->count;
    if (x < (double)h->count) {
        rank = x > 0.0 ? (uint64_t)x : 0;
        if ((double)rank < x) rank++;
        if (rank == 0) rank = 1;
    }
    uint64_t seen = 0;
    size_t i = 0;
    for (; i < TOP; i++) {
        seen += h->counts[i];
        if (seen >= rank) break;
    }
    if (i == TOP && h->clamped) {
        *value_ms = h->max_ms;
        return 0;
    }
    uint64_t upper = sb_hist_bucket_at(i).upper_ms;
    *value_ms = upper < h->max_ms ? upper : h->max_ms;
    return 0;
}

bool sb_hist_next(const sb_hist *h, sb_hist_iter *it, sb_hist_bucket *b) {
    while (it->next < SB_HIST_BUCKETS) {
        size_t i = it->next++;
        if (h->counts[i] == 0) continue;
        *b = sb_hist_bucket_at(i);
        b->count = h->counts[i];
        return true;
    }
    return false;
}

int sb_hist_add_bucket(sb_hist *h, uint64_t lower_ms, uint64_t upper_ms, uint64_t count) {
    size_t i = sb_hist_index(lower_ms);
    sb_hist_bucket b = sb_hist_bucket_at(i);
    if (count == 0 || b.lower_ms != lower_ms || b.upper_ms != upper_ms) return SB_EINVAL;
    if (count > UINT64_MAX - h->count) return SB_ELIMIT;
    if (lower_ms < h->min_ms || h->count == 0) h->min_ms = lower_ms;
    if (upper_ms > h->max_ms) h->max_ms = upper_ms;
    h->counts[i] += count;
    h->count += count;
    return 0;
}

int sb_hist_set_extremes(sb_hist *h, uint64_t min_ms, uint64_t max_ms, uint64_t clamped) {
    if (h->count == 0 || min_ms > max_ms) return SB_EINVAL;
    size_t lo = 0, hi = TOP;
    while (h->counts[lo] == 0)
        lo++;
    while (h->counts[hi] == 0)
        hi--;
    if (sb_hist_index(min_ms) != lo || sb_hist_index(max_ms) != hi) return SB_EINVAL;
    if (clamped > h->counts[TOP]) return SB_EINVAL;
    if ((max_ms > SB_HIST_MAX_MS) != (clamped > 0)) return SB_EINVAL;
    if ((min_ms > SB_HIST_MAX_MS) != (clamped == h->count)) return SB_EINVAL;
    if (h->count == 1 && min_ms != max_ms) return SB_EINVAL;
    h->min_ms = min_ms;
    h->max_ms = max_ms;
    h->clamped = clamped;
    return 0;
}
