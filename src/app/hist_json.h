/* A histogram (base/hist.h) as JSON and back: the mergeable form the report carries. */
#ifndef SB_APP_HIST_JSON_H
#define SB_APP_HIST_JSON_H

#include "base/hist.h"

#include <jansson.h>

/* The form, documented in docs/report.md:
 *     {"count": 3, "min": 12, "max": 1030, "clamped": 0,
 *      "buckets": [[12, 12, 1], [40, 40, 1], [1024, 1031, 1]]}
 * buckets lists the non-empty buckets in ascending order as [lower_ms, upper_ms, count],
 * bounds inclusive; min and max are exact (null when count is 0); clamped counts the values
 * above SB_HIST_MAX_MS, which sit in the top bucket. Figures above INT64_MAX (JSON's
 * integers) are written as INT64_MAX. Returns a new reference, or NULL on ENOMEM. */
json_t *sb_hist_json(const sb_hist *h);

/* Reads that form back into h, so that reports of several runs can be merged with
 * sb_hist_merge. Every bucket must be one of this build's layout (a report written with
 * another layout is refused rather than misread), in ascending order, and count, min, max
 * and clamped must agree with the buckets (sb_hist_set_extremes). Keys other than these five
 * are ignored. Returns 0, or SB_EMALFORMED with h empty. j is only read. */
int sb_hist_from_json(sb_hist *h, const json_t *j);

#endif
