/* The fixed-size object pool (src/base/pool.c): reuse, zeroed objects, slabs given back when
 * empty (one kept as a spare), FIFO and random orders across many slabs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/pool.h"
#include "sipbeat/errors.h"

#include <stdlib.h>
#include <string.h>

static void init_limits(void **state) {
    (void)state;
    sb_pool p;
    assert_int_equal(sb_pool_init(&p, 0), SB_EINVAL);
    assert_int_equal(sb_pool_init(&p, SB_POOL_MAX + 1), SB_EINVAL);
    assert_int_equal(sb_pool_init(&p, 3), 0);
    assert_int_equal(p.size, SB_POOL_ALIGN);
    assert_int_equal(p.slabs, 0);
    sb_pool_free(&p);
}

static void reuse_and_zero(void **state) {
    (void)state;
    sb_pool p;
    assert_int_equal(sb_pool_init(&p, 288), 0);
    unsigned char *a = sb_pool_get(&p);
    assert_non_null(a);
    assert_int_equal((uintptr_t)a % SB_POOL_ALIGN, 0);
    memset(a, 0xab, 288);
    sb_pool_put(&p, a);
    unsigned char *b = sb_pool_get(&p);
    assert_ptr_equal(a, b); /* the freed object comes back first */
    for (size_t i = 0; i < 288; i++)
        assert_int_equal(b[i], 0);
    assert_int_equal(p.live, 1);
    sb_pool_put(&p, b);
    sb_pool_put(&p, NULL);
    assert_int_equal(p.live, 0);
    assert_int_equal(p.slabs, 1); /* the empty slab is the spare */
    sb_pool_free(&p);
    assert_int_equal(p.slabs, 0);
}

/* n objects over several slabs, freed in order (as lingering transactions go) or at random:
 * every empty slab but one is unmapped. */
static void many_slabs_given_back(void **state) {
    (void)state;
    sb_pool p;
    assert_int_equal(sb_pool_init(&p, 288), 0);
    size_t n = (size_t)p.per_slab * 5 + 7;
    void **v = calloc(n, sizeof *v);
    assert_non_null(v);
    for (int round = 0; round < 2; round++) {
        for (size_t i = 0; i < n; i++) {
            v[i] = sb_pool_get(&p);
            assert_non_null(v[i]);
            memset(v[i], (int)i, 288);
        }
        assert_int_equal(p.slabs, 6);
        if (round == 1) { /* shuffle: a random order of frees */
            srand(7);
            for (size_t i = n - 1; i > 0; i--) {
                size_t j = (size_t)rand() % (i + 1);
                void *t = v[i];
                v[i] = v[j];
                v[j] = t;
            }
        }
        for (size_t i = 0; i < n; i++)
            sb_pool_put(&p, v[i]);
        assert_int_equal(p.live, 0);
        assert_int_equal(p.slabs, 1);
    }
    free(v);
    sb_pool_free(&p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(init_limits),
        cmocka_unit_test(reuse_and_zero),
        cmocka_unit_test(many_slabs_given_back),
    };
    return cmocka_run_group_tests_name("base_pool", tests, NULL, NULL);
}
