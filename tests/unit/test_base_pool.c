/* Unit tests for the fixed-size object pool: reuse, zeroing, slabs given back, many objects
 * across slabs freed in FIFO and random order. */
#include "base/pool.h"
#include "base/rng.h"
#include "sipbeat/errors.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h> /* after the headers it needs */

#define OBJ 288 /* the size of a transaction */

static void init_checks_the_size(void **state) {
    (void)state;
    sb_pool p;
    assert_int_equal(sb_pool_init(&p, 0), SB_EINVAL);
    assert_int_equal(sb_pool_init(&p, SB_POOL_MAX + 1), SB_EINVAL);
    assert_int_equal(sb_pool_init(&p, SB_POOL_MAX), 0);
    assert_int_equal(p.per_slab, 1);
    sb_pool_free(&p);
    assert_int_equal(sb_pool_init(&p, 1), 0);
    assert_int_equal(p.size, SB_POOL_ALIGN);
    assert_int_equal(sb_pool_init(&p, OBJ + 1), 0);
    assert_int_equal(p.size, OBJ + SB_POOL_ALIGN);
    assert_int_equal(sb_pool_init(&p, OBJ), 0);
    assert_int_equal(p.size, OBJ);
    assert_int_equal(p.per_slab, (SB_POOL_SLAB - SB_POOL_HEADER) / OBJ);
    assert_int_equal(p.slabs, 0); /* nothing mapped before the first object */
    sb_pool_free(&p);
}

static void put_then_get_reuses_and_zeroes(void **state) {
    (void)state;
    sb_pool p;
    assert_int_equal(sb_pool_init(&p, OBJ), 0);
    unsigned char *a = sb_pool_get(&p);
    unsigned char *b = sb_pool_get(&p);
    assert_non_null(a);
    assert_non_null(b);
    assert_ptr_not_equal(a, b);
    assert_int_equal((uintptr_t)a % SB_POOL_ALIGN, 0);
    assert_int_equal((uintptr_t)b % SB_POOL_ALIGN, 0);
    assert_int_equal(p.live, 2);
    assert_int_equal(p.slabs, 1);
    memset(a, 0xa5, OBJ);
    memset(b, 0x5a, OBJ);
    sb_pool_put(&p, a);
    sb_pool_put(&p, NULL); /* ignored */
    assert_int_equal(p.live, 1);
    unsigned char *c = sb_pool_get(&p);
    assert_ptr_equal(c, a); /* the object just given back */
    for (size_t i = 0; i < OBJ; i++)
        assert_int_equal(c[i], 0);
    for (size_t i = 0; i < OBJ; i++)
        assert_int_equal(b[i], 0x5a); /* its neighbour untouched */
    sb_pool_put(&p, b);
    sb_pool_put(&p, c);
    assert_int_equal(p.live, 0);
    assert_int_equal(p.slabs, 1); /* the spare */
    sb_pool_free(&p);
    assert_int_equal(p.slabs, 0);
}

/* One empty slab stays as a spare; any other slab is unmapped as soon as it is empty. */
static void empty_slab_given_back(void **state) {
    (void)state;
    sb_pool p;
    assert_int_equal(sb_pool_init(&p, OBJ), 0);
    uint32_t k = p.per_slab;
    void **v = calloc(3 * (size_t)k, sizeof *v);
    assert_non_null(v);
    for (uint32_t i = 0; i < 3 * k; i++) {
        v[i] = sb_pool_get(&p);
        assert_non_null(v[i]);
        assert_int_equal(p.slabs, i / k + 1);
    }
    /* Empty the middle slab: it becomes the spare. */
    for (uint32_t i = k; i < 2 * k; i++)
        sb_pool_put(&p, v[i]);
    assert_int_equal(p.slabs, 3);
    assert_ptr_not_equal(p.spare, NULL);
    /* Empty the first one: unmapped at once, a spare is kept already. */
    for (uint32_t i = 0; i < k; i++) {
        assert_int_equal(p.slabs, 3);
        sb_pool_put(&p, v[i]);
    }
    assert_int_equal(p.slabs, 2);
    /* The spare serves the next objects before anything new is mapped. */
    for (uint32_t i = 0; i < k; i++) {
        v[i] = sb_pool_get(&p);
        assert_int_equal(p.slabs, 2);
    }
    assert_null(p.spare);
    void *extra = sb_pool_get(&p);
    assert_int_equal(p.slabs, 3);
    sb_pool_put(&p, extra);
    assert_int_equal(p.slabs, 3); /* its slab is the spare now */
    for (uint32_t i = 0; i < k; i++)
        sb_pool_put(&p, v[i]);
    for (uint32_t i = 2 * k; i < 3 * k; i++)
        sb_pool_put(&p, v[i]);
    assert_int_equal(p.live, 0);
    assert_int_equal(p.slabs, 1);
    free(v);
    sb_pool_free(&p);
}

/* Fills n objects, each stamped with its index; checks they do not overlap. */
static void fill(sb_pool *p, uint32_t **v, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        v[i] = sb_pool_get(p);
        assert_non_null(v[i]);
        for (size_t w = 0; w < OBJ / sizeof(uint32_t); w++)
            v[i][w] = i;
    }
    for (uint32_t i = 0; i < n; i++)
        for (size_t w = 0; w < OBJ / sizeof(uint32_t); w++)
            assert_int_equal(v[i][w], i);
    assert_int_equal(p->live, n);
    assert_int_equal(p->slabs, (n + p->per_slab - 1) / p->per_slab);
}

static void many_objects_fifo_and_random(void **state) {
    (void)state;
    sb_pool p;
    assert_int_equal(sb_pool_init(&p, OBJ), 0);
    uint32_t n = 5 * p.per_slab + 17;
    uint32_t **v = calloc(n, sizeof *v);
    assert_non_null(v);

    /* FIFO, the way lingering transactions end: slabs go back in the order they filled. */
    fill(&p, v, n);
    for (uint32_t i = 0; i < n; i++) {
        sb_pool_put(&p, v[i]);
        /* the slabs of objects i+1 .. n-1, and the spare once a slab was emptied */
        uint32_t k = p.per_slab, next = i + 1;
        uint32_t in_use = next < n ? (n - 1) / k - next / k + 1 : 0;
        assert_int_equal(p.slabs, in_use + (next >= k ? 1 : 0));
    }
    assert_int_equal(p.live, 0);
    assert_int_equal(p.slabs, 1);

    /* Random order, twice over the same pool (the free lists are reused). */
    sb_rng r = {.s = 42};
    for (int round = 0; round < 2; round++) {
        fill(&p, v, n);
        for (uint32_t i = n - 1; i > 0; i--) { /* shuffle */
            uint32_t j = (uint32_t)sb_rng_range(&r, 0, i);
            uint32_t *t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        for (uint32_t i = 0; i < n; i++) {
            for (size_t w = 0; w < OBJ / sizeof(uint32_t); w++)
                assert_int_equal(v[i][w], v[i][0]); /* untouched by the puts before it */
            sb_pool_put(&p, v[i]);
        }
        assert_int_equal(p.live, 0);
        assert_int_equal(p.slabs, 1);
    }
    free(v);
    sb_pool_free(&p);
}

/* sb_pool_free unmaps slabs that still hold objects. */
static void free_with_objects_out(void **state) {
    (void)state;
    sb_pool p;
    assert_int_equal(sb_pool_init(&p, OBJ), 0);
    for (uint32_t i = 0; i < 2 * p.per_slab + 1; i++)
        assert_non_null(sb_pool_get(&p));
    assert_int_equal(p.slabs, 3);
    sb_pool_free(&p);
    assert_int_equal(p.slabs, 0);
    assert_int_equal(p.live, 0);
    assert_non_null(sb_pool_get(&p)); /* usable again */
    assert_int_equal(p.slabs, 1);
    sb_pool_free(&p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(init_checks_the_size),  cmocka_unit_test(put_then_get_reuses_and_zeroes),
        cmocka_unit_test(empty_slab_given_back), cmocka_unit_test(many_objects_fifo_and_random),
        cmocka_unit_test(free_with_objects_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
