/* A histogram as JSON and back (the form is in hist_json.h and docs/report.md). */
#include "app/hist_json.h"

#include "sipbeat/errors.h"

_Static_assert(sizeof(json_int_t) == sizeof(int64_t), "jansson built with 64-bit integers");

static json_t *u64_json(uint64_t v) {
    return json_integer(v > INT64_MAX ? (json_int_t)INT64_MAX : (json_int_t)v);
}

json_t *sb_hist_json(const sb_hist *h) {
    json_t *buckets = json_array();
    sb_hist_iter it = {0};
    sb_hist_bucket b;
    while (buckets && sb_hist_next(h, &it, &b))
        if (json_array_append_new(buckets, json_pack("[o, o, o]", u64_json(b.lower_ms),
                                                     u64_json(b.upper_ms), u64_json(b.count)))) {
            json_decref(buckets);
            return NULL;
        }
    bool empty = sb_hist_count(h) == 0;
    return json_pack("{s:o, s:o, s:o, s:o, s:o}", "count", u64_json(sb_hist_count(h)), "min",
                     empty ? json_null() : u64_json(sb_hist_min(h)), "max",
                     empty ? json_null() : u64_json(sb_hist_max(h)), "clamped",
                     u64_json(h->clamped), "buckets", buckets);
}

/* A non-negative JSON integer. */
static bool get_u64(const json_t *j, uint64_t *out) {
    if (!json_is_integer(j) || json_integer_value(j) < 0) return false;
    *out = (uint64_t)json_integer_value(j);
    return true;
}

static int read_hist(sb_hist *h, const json_t *j) {
    const json_t *buckets = json_object_get(j, "buckets");
    uint64_t count, clamped, min_ms, max_ms;
    if (!json_is_array(buckets) || !get_u64(json_object_get(j, "count"), &count) ||
        !get_u64(json_object_get(j, "clamped"), &clamped))
        return SB_EMALFORMED;
    size_t i;
    const json_t *e;
    json_array_foreach(buckets, i, e) {
        uint64_t lower, upper, n;
        if (!json_is_array(e) || json_array_size(e) != 3 ||
            !get_u64(json_array_get(e, 0), &lower) || !get_u64(json_array_get(e, 1), &upper) ||
            !get_u64(json_array_get(e, 2), &n))
            return SB_EMALFORMED;
        /* Ascending: a bucket below the highest one so far is out of order or repeated. */
        if (sb_hist_count(h) != 0 && lower <= sb_hist_max(h)) return SB_EMALFORMED;
        if (sb_hist_add_bucket(h, lower, upper, n) != 0) return SB_EMALFORMED;
    }
    if (sb_hist_count(h) != count) return SB_EMALFORMED;
    if (count == 0)
        return json_is_null(json_object_get(j, "min")) && json_is_null(json_object_get(j, "max")) &&
                       clamped == 0
                   ? 0
                   : SB_EMALFORMED;
    if (!get_u64(json_object_get(j, "min"), &min_ms) ||
        !get_u64(json_object_get(j, "max"), &max_ms) ||
        sb_hist_set_extremes(h, min_ms, max_ms, clamped) != 0)
        return SB_EMALFORMED;
    return 0;
}

int sb_hist_from_json(sb_hist *h, const json_t *j) {
    sb_hist_init(h);
    int rc = json_is_object(j) ? read_hist(h, j) : SB_EMALFORMED;
    if (rc != 0) sb_hist_init(h);
    return rc;
}
