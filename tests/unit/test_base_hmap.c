/* Unit tests for the intrusive hash map: growth, shrinking after a peak (with hysteresis), and
 * every node still found through both. */
#include "base/hmap.h"
#include "base/rng.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h> /* after the headers it needs */

typedef struct {
    sb_hnode node; /* first: a node is its item */
    uint64_t key;
    int in;
} item;

static bool has(const sb_hmap *m, const item *it) {
    for (sb_hnode *n = sb_hmap_first(m, it->key); n; n = sb_hmap_next(n, it->key))
        if (n == &it->node) return true;
    return false;
}

static void check_all(const sb_hmap *m, const item *v, size_t n) {
    size_t in = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(has(m, &v[i]), v[i].in);
        in += (size_t)v[i].in;
    }
    assert_int_equal(m->n, in);
}

static void add_find_del(void **state) {
    (void)state;
    sb_hmap m;
    sb_hmap_init(&m);
    item v[3] = {{.key = 7}, {.key = 7}, {.key = 7 + 256}}; /* two equal hashes, one collision */
    for (int i = 0; i < 3; i++) {
        assert_int_equal(sb_hmap_add(&m, &v[i].node, v[i].key), 0);
        v[i].in = 1;
    }
    assert_int_equal(m.nb, 256);
    check_all(&m, v, 3);
    sb_hmap_del(&m, &v[0].node);
    v[0].in = 0;
    check_all(&m, v, 3);
    sb_hmap_free(&m);
    assert_null(m.b);
}

/* Up to a peak and back down: the buckets double on the way up, halve on the way down once
 * below a quarter full, never go under 256, and every node stays findable. */
static void shrinks_after_a_peak(void **state) {
    (void)state;
    enum { N = 20000 };
    item *v = calloc(N, sizeof *v);
    assert_non_null(v);
    sb_rng r = {.s = 7};
    for (size_t i = 0; i < N; i++)
        v[i].key = i % 3 ? sb_rng_next(&r) : 1234; /* a third share one hash: long chains */
    sb_hmap m;
    sb_hmap_init(&m);
    int resizes = 0;
    size_t nb = 0;
    for (size_t i = 0; i < N; i++) {
        assert_int_equal(sb_hmap_add(&m, &v[i].node, v[i].key), 0);
        v[i].in = 1;
        if (m.nb != nb) {
            resizes++;
            nb = m.nb;
        }
        assert_true(m.n <= m.nb);
    }
    assert_int_equal(m.nb, 32768);
    assert_int_equal(resizes, 8); /* 256, 512, ... 32768 */
    check_all(&m, v, N);

    /* Down in random order. */
    size_t *order = calloc(N, sizeof *order);
    assert_non_null(order);
    for (size_t i = 0; i < N; i++)
        order[i] = i;
    for (size_t i = N - 1; i > 0; i--) {
        size_t j = (size_t)sb_rng_range(&r, 0, i);
        size_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    nb = m.nb;
    resizes = 0;
    for (size_t i = 0; i < N; i++) {
        sb_hmap_del(&m, &v[order[i]].node);
        v[order[i]].in = 0;
        if (m.nb != nb) {
            assert_int_equal(m.nb, nb / 2);
            assert_true(m.n < m.nb / 2); /* under half full after a halving */
            resizes++;
            nb = m.nb;
            check_all(&m, v, N);
        }
        assert_true(m.nb == 256 || m.n >= m.nb / 4);
    }
    assert_int_equal(m.nb, 256);
    assert_int_equal(resizes, 7); /* 32768 down to 256 */
    assert_int_equal(m.n, 0);
    sb_hmap_free(&m);
    free(order);
    free(v);
}

/* Hysteresis: adds and deletes going back and forth around either threshold resize the table
 * at most once. */
static void no_thrash_at_the_thresholds(void **state) {
    (void)state;
    enum { N = 4096 };
    item *v = calloc(N, sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < N; i++)
        v[i].key = i * 0x9e3779b97f4a7c15ULL;
    sb_hmap m;
    sb_hmap_init(&m);
    size_t n = 0;
    for (; m.nb < 2048; n++) /* just grown to 2048 buckets... */
        sb_hmap_add(&m, &v[n].node, v[n].key);
    assert_int_equal(n, 1025);
    int resizes = 0;
    size_t nb = m.nb;
    for (int k = 0; k < 1000; k++) { /* ...then back and forth around it */
        sb_hmap_del(&m, &v[--n].node);
        sb_hmap_add(&m, &v[n].node, v[n].key);
        n++;
        resizes += m.nb != nb;
        nb = m.nb;
    }
    assert_int_equal(resizes, 0);
    while (m.nb == 2048) /* just halved... */
        sb_hmap_del(&m, &v[--n].node);
    assert_int_equal(m.nb, 1024);
    assert_int_equal(n, 511);
    nb = m.nb;
    for (int k = 0; k < 1000; k++) { /* ...and back and forth around that */
        sb_hmap_add(&m, &v[n].node, v[n].key);
        n++;
        sb_hmap_del(&m, &v[--n].node);
        resizes += m.nb != nb;
        nb = m.nb;
    }
    assert_int_equal(resizes, 0);
    for (size_t i = 0; i < N; i++)
        v[i].in = i < n;
    check_all(&m, v, N);
    sb_hmap_free(&m);
    free(v);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(add_find_del),
        cmocka_unit_test(shrinks_after_a_peak),
        cmocka_unit_test(no_thrash_at_the_thresholds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
