/* Unit tests for src/app/hist_json.c: the report's histogram form, written and read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "app/hist_json.h"
#include "base/rng.h"
#include "sipbeat/errors.h"

#include <stdlib.h>
#include <string.h>

static sb_hist ha, hb, hc; /* 25 KiB each: not on the stack */

/* Through text, as a later `sipbeat merge` will see it. */
static int via_text(const sb_hist *in, sb_hist *out) {
    json_t *j = sb_hist_json(in);
    assert_non_null(j);
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    assert_non_null(text);
    json_t *back = json_loads(text, 0, NULL);
    free(text);
    assert_non_null(back);
    int rc = sb_hist_from_json(out, back);
    json_decref(back);
    return rc;
}

static void written_form(void **state) {
    (void)state;
    sb_hist_init(&ha);
    sb_hist_add(&ha, 40);
    sb_hist_add(&ha, 12);
    sb_hist_add(&ha, 1030);
    sb_hist_add(&ha, 40);
    json_t *j = sb_hist_json(&ha);
    char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(text, "{\"buckets\":[[12,12,1],[40,40,2],[1024,1031,1]],\"clamped\":0,"
                              "\"count\":4,\"max\":1030,\"min\":12}");
    free(text);
    json_decref(j);

    sb_hist_init(&ha);
    j = sb_hist_json(&ha);
    text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(text,
                        "{\"buckets\":[],\"clamped\":0,\"count\":0,\"max\":null,\"min\":null}");
    free(text);
    json_decref(j);

    sb_hist_add(&ha, UINT64_MAX); /* above JSON's integers: written as INT64_MAX */
    j = sb_hist_json(&ha);
    text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(text, "{\"buckets\":[[133693440,134217727,1]],\"clamped\":1,\"count\":1,"
                              "\"max\":9223372036854775807,\"min\":9223372036854775807}");
    free(text);
    json_decref(j);
}

static void round_trip(void **state) {
    (void)state;
    sb_rng r = {99};
    sb_hist_init(&ha);
    for (int i = 0; i < 10000; i++)
        sb_hist_add(&ha, sb_rng_range(&r, 0, (UINT64_C(1) << sb_rng_range(&r, 0, 27)) - 1));
    sb_hist_add(&ha, SB_HIST_MAX_MS + 1000);
    sb_hist_add(&ha, SB_HIST_MAX_MS + 1);
    memset(&hb, 0xa5, sizeof hb); /* whatever was there is replaced */
    assert_int_equal(via_text(&ha, &hb), 0);
    assert_memory_equal(&ha, &hb, sizeof ha);
    assert_int_equal(hb.clamped, 2);
    assert_int_equal(sb_hist_max(&hb), SB_HIST_MAX_MS + 1000);

    sb_hist_init(&ha); /* empty */
    memset(&hb, 0xa5, sizeof hb);
    assert_int_equal(via_text(&ha, &hb), 0);
    assert_memory_equal(&ha, &hb, sizeof ha);

    sb_hist_add(&ha, 777); /* one value */
    assert_int_equal(via_text(&ha, &hb), 0);
    assert_memory_equal(&ha, &hb, sizeof ha);
}

/* Two runs' reports, read back and merged, give the histogram of both runs. */
static void merge_of_read_reports(void **state) {
    (void)state;
    sb_hist_init(&ha);
    sb_hist_init(&hb);
    sb_hist_init(&hc);
    sb_rng r = {7};
    for (int i = 0; i < 3000; i++) {
        uint64_t v = sb_rng_range(&r, 0, 20000);
        sb_hist_add(i % 3 ? &ha : &hb, v);
        sb_hist_add(&hc, v);
    }
    static sb_hist ra, rb;
    assert_int_equal(via_text(&ha, &ra), 0);
    assert_int_equal(via_text(&hb, &rb), 0);
    assert_int_equal(sb_hist_merge(&ra, &rb), 0);
    assert_memory_equal(&ra, &hc, sizeof hc);
}

static void malformed_is_refused(void **state) {
    (void)state;
    static const char *bad[] = {
        "[]",
        "{}",
        "{\"count\":0,\"min\":null,\"max\":null,\"clamped\":0}",  /* no buckets */
        "{\"count\":0,\"min\":null,\"max\":null,\"buckets\":[]}", /* no clamped */
        "{\"count\":0,\"min\":0,\"max\":null,\"clamped\":0,\"buckets\":[]}",
        "{\"count\":0,\"min\":null,\"max\":null,\"clamped\":1,\"buckets\":[]}",
        "{\"count\":1,\"min\":null,\"max\":null,\"clamped\":0,\"buckets\":[]}",
        "{\"count\":-1,\"min\":5,\"max\":5,\"clamped\":0,\"buckets\":[[5,5,-1]]}",
        "{\"count\":1,\"min\":5,\"max\":5,\"clamped\":0,\"buckets\":[[5,5,1.0]]}",
        "{\"count\":1,\"min\":5,\"max\":5,\"clamped\":0,\"buckets\":[[5,5]]}",
        "{\"count\":1,\"min\":5,\"max\":5,\"clamped\":0,\"buckets\":[[5,5,1,0]]}",
        "{\"count\":1,\"min\":5,\"max\":5,\"clamped\":0,\"buckets\":[{\"lower\":5}]}",
        "{\"count\":1,\"min\":5,\"max\":5,\"clamped\":0,\"buckets\":[[5,6,1]]}", /* layout */
        "{\"count\":1,\"min\":1024,\"max\":1024,\"clamped\":0,\"buckets\":[[1024,1027,1]]}",
        "{\"count\":1,\"min\":5,\"max\":5,\"clamped\":0,\"buckets\":[[5,5,0]]}",
        "{\"count\":2,\"min\":5,\"max\":5,\"clamped\":0,\"buckets\":[[5,5,1]]}", /* sum */
        "{\"count\":2,\"min\":5,\"max\":9,\"clamped\":0,\"buckets\":[[9,9,1],[5,5,1]]}",
        "{\"count\":2,\"min\":5,\"max\":5,\"clamped\":0,\"buckets\":[[5,5,1],[5,5,1]]}",
        "{\"count\":2,\"min\":4,\"max\":9,\"clamped\":0,\"buckets\":[[5,5,1],[9,9,1]]}",
        "{\"count\":2,\"min\":5,\"max\":\"9\",\"clamped\":0,\"buckets\":[[5,5,1],[9,9,1]]}",
        "{\"count\":1,\"min\":1024,\"max\":1025,\"clamped\":0,\"buckets\":[[1024,1031,1]]}",
        "{\"count\":1,\"min\":133693440,\"max\":133693440,\"clamped\":1,"
        "\"buckets\":[[133693440,134217727,1]]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_t *j = json_loads(bad[i], 0, NULL);
        assert_non_null(j);
        memset(&ha, 0xa5, sizeof ha);
        if (sb_hist_from_json(&ha, j) != SB_EMALFORMED) fail_msg("accepted: %s", bad[i]);
        assert_int_equal(sb_hist_count(&ha), 0); /* left empty */
        sb_hist_init(&hb);
        assert_memory_equal(&ha, &hb, sizeof ha);
        json_decref(j);
    }
    assert_int_equal(sb_hist_from_json(&ha, NULL), SB_EMALFORMED);

    /* The same shapes made right are accepted (so the refusals above are for the fault). */
    static const char *good[] = {
        "{\"count\":0,\"min\":null,\"max\":null,\"clamped\":0,\"buckets\":[]}",
        "{\"count\":1,\"min\":5,\"max\":5,\"clamped\":0,\"buckets\":[[5,5,1]]}",
        "{\"count\":2,\"min\":5,\"max\":9,\"clamped\":0,\"buckets\":[[5,5,1],[9,9,1]],\"x\":1}",
        "{\"count\":1,\"min\":1025,\"max\":1025,\"clamped\":0,\"buckets\":[[1024,1031,1]]}",
        "{\"count\":1,\"min\":134217728,\"max\":134217728,\"clamped\":1,"
        "\"buckets\":[[133693440,134217727,1]]}",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        json_t *j = json_loads(good[i], 0, NULL);
        assert_non_null(j);
        if (sb_hist_from_json(&ha, j) != 0) fail_msg("refused: %s", good[i]);
        json_decref(j);
    }
    assert_int_equal(sb_hist_count(&ha), 1);
    assert_int_equal(ha.clamped, 1);
    assert_int_equal(sb_hist_min(&ha), SB_HIST_MAX_MS + 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(written_form),
        cmocka_unit_test(round_trip),
        cmocka_unit_test(merge_of_read_reports),
        cmocka_unit_test(malformed_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
