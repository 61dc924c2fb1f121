/* Unit tests for the embedded timer heap: order, ties, re-arm, cancel, firing while running. */
#include "base/heap.h"
#include "base/rng.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h> /* after the headers it needs */

static int order[64];
static int norder;
static sb_heap *g_heap;

static void record(void *owner, sb_tmr *t, uint64_t now) {
    (void)t;
    (void)now;
    order[norder++] = (int)(intptr_t)owner;
}

static void test_fires_in_deadline_order_ties_by_arming(void **s) {
    (void)s;
    sb_heap h;
    sb_tmr t[5];
    sb_heap_init(&h);
    norder = 0;
    uint64_t when[5] = {30, 10, 20, 10, 5};
    for (int i = 0; i < 5; i++) {
        sb_tmr_init(&t[i], record, (void *)(intptr_t)i);
        sb_tmr_arm(&h, &t[i], when[i]);
    }
    assert_int_equal(sb_heap_top(&h)->deadline_ms, 5);
    sb_heap_run(&h, 15);
    assert_int_equal(norder, 3);
    assert_int_equal(order[0], 4);
    assert_int_equal(order[1], 1); /* 10 armed before the other 10 */
    assert_int_equal(order[2], 3);
    sb_heap_run(&h, 100);
    assert_int_equal(norder, 5);
    assert_int_equal(order[3], 2);
    assert_int_equal(order[4], 0);
    assert_null(sb_heap_top(&h));
    sb_heap_free(&h);
}

/* The arming sequence is 32 bits and compared modulo 2^32: ties still fire in arming order
 * across its wrap. */
static void test_ties_in_order_across_seq_wrap(void **s) {
    (void)s;
    sb_heap h;
    sb_tmr t[4];
    sb_heap_init(&h);
    h.seq = UINT32_MAX - 1;
    norder = 0;
    for (int i = 0; i < 4; i++) {
        sb_tmr_init(&t[i], record, (void *)(intptr_t)i);
        sb_tmr_arm(&h, &t[i], 10);
    }
    sb_heap_run(&h, 10);
    assert_int_equal(norder, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(order[i], i);
    assert_int_equal(sizeof(sb_tmr), 32);
    sb_heap_free(&h);
}

static void test_rearm_and_cancel(void **s) {
    (void)s;
    sb_heap h;
    sb_tmr a, b, c;
    sb_heap_init(&h);
    norder = 0;
    sb_tmr_init(&a, record, (void *)1);
    sb_tmr_init(&b, record, (void *)2);
    sb_tmr_init(&c, record, (void *)3);
    sb_tmr_arm(&h, &a, 10);
    sb_tmr_arm(&h, &b, 20);
    sb_tmr_arm(&h, &c, 30);
    sb_tmr_arm(&h, &a, 40); /* re-arm moves it, no duplicate */
    sb_tmr_cancel(&h, &b);
    assert_false(sb_tmr_armed(&b));
    sb_tmr_cancel(&h, &b); /* cancelling twice is harmless */
    sb_heap_run(&h, 100);
    assert_int_equal(norder, 2);
    assert_int_equal(order[0], 3);
    assert_int_equal(order[1], 1);
    sb_heap_free(&h);
}

static sb_tmr chain;
static void rearm_self(void *owner, sb_tmr *t, uint64_t now) {
    (void)owner;
    order[norder++] = (int)now;
    if (norder < 3) sb_tmr_arm(g_heap, t, now + 5);
}

static void test_timer_armed_while_running_fires_if_due(void **s) {
    (void)s;
    sb_heap h;
    sb_heap_init(&h);
    g_heap = &h;
    norder = 0;
    sb_tmr_init(&chain, rearm_self, NULL);
    sb_tmr_arm(&h, &chain, 10);
    sb_heap_run(&h, 10); /* fires at 10 and re-arms itself for 15: not due yet */
    assert_int_equal(norder, 1);
    assert_true(sb_tmr_armed(&chain));
    sb_heap_run(&h, 40); /* 15 is due, fires, re-arms for 45: not due */
    assert_int_equal(norder, 2);
    assert_int_equal(order[1], 40);
    chain.fn = rearm_self;
    sb_heap_run(&h, 45);
    assert_int_equal(norder, 3);
    assert_false(sb_tmr_armed(&chain));
    sb_heap_free(&h);
}

static void nop(void *o, sb_tmr *t, uint64_t now) {
    (void)o;
    (void)t;
    (void)now;
    norder++;
}

static void test_random_heap_stays_ordered(void **s) {
    (void)s;
    enum { N = 5000 };
    sb_heap h;
    sb_tmr *t = calloc(N, sizeof *t);
    sb_rng r = {7};
    sb_heap_init(&h);
    for (int i = 0; i < N; i++) {
        sb_tmr_init(&t[i], nop, NULL);
        sb_tmr_arm(&h, &t[i], sb_rng_range(&r, 0, 1000));
    }
    for (int i = 0; i < N; i += 3)
        sb_tmr_cancel(&h, &t[i]);
    for (int i = 1; i < N; i += 7)
        sb_tmr_arm(&h, &t[i], sb_rng_range(&r, 0, 1000));
    int armed = 0;
    for (int i = 0; i < N; i++)
        armed += sb_tmr_armed(&t[i]);
    assert_true(armed > N / 2 && armed < N);
    uint64_t last = 0;
    int n = 0;
    sb_tmr *top;
    while ((top = sb_heap_top(&h)) != NULL) {
        assert_true(top->deadline_ms >= last);
        last = top->deadline_ms;
        sb_tmr_cancel(&h, top);
        n++;
    }
    assert_int_equal(n, armed);
    sb_heap_free(&h);
    free(t);
}

/* Lanes: fixed-duration timers fire in order with heap timers, ties by arming order, and
 * cancel/re-arm work; the earliest deadline covers both. */
static void test_lanes_merge_with_heap(void **s) {
    (void)s;
    sb_heap h;
    sb_tmr a;
    sb_ltmr x, y, z;
    sb_heap_init(&h);
    norder = 0;
    int l32 = sb_heap_lane(&h, 32000), l5 = sb_heap_lane(&h, 5000);
    assert_int_equal(sb_heap_lane(&h, 32000), l32); /* the same duration shares its lane */
    sb_tmr_init(&a, record, (void *)1);
    sb_ltmr_init(&x, record, (void *)2);
    sb_ltmr_init(&y, record, (void *)3);
    sb_ltmr_init(&z, record, (void *)4);
    sb_ltmr_arm(&h, &x, l32, 0);   /* 32000 */
    sb_tmr_arm(&h, &a, 32000);     /* 32000, armed after x */
    sb_ltmr_arm(&h, &y, l5, 1000); /* 6000 */
    sb_ltmr_arm(&h, &z, l32, 100); /* 32100 */
    assert_int_equal(sb_heap_next_deadline(&h), 6000);
    sb_ltmr_arm(&h, &y, l5, 30000); /* re-armed: 35000 */
    assert_int_equal(sb_heap_next_deadline(&h), 32000);
    sb_heap_run(&h, 40000);
    assert_int_equal(norder, 4);
    assert_int_equal(order[0], 2); /* x before a: same deadline, armed first */
    assert_int_equal(order[1], 1);
    assert_int_equal(order[2], 4);
    assert_int_equal(order[3], 3);
    sb_ltmr_arm(&h, &x, l32, 50000);
    sb_ltmr_cancel(&h, &x);
    assert_false(sb_ltmr_armed(&x));
    assert_int_equal(sb_heap_next_deadline(&h), UINT64_MAX);
    sb_heap_free(&h);
}

/* Reserved slots: the array grows when they are promised, never when their timers arm. */
static void reserve_then_arm_never_grows(void **state) {
    (void)state;
    sb_heap h;
    sb_heap_init(&h);
    assert_int_equal(sb_heap_reserve(&h, 100), 0);
    uint32_t cap = h.cap;
    assert_true(cap >= 100);
    void *before = h.v;
    sb_tmr t[100];
    for (int i = 0; i < 100; i++) {
        sb_tmr_init(&t[i], NULL, NULL);
        assert_int_equal(sb_tmr_arm(&h, &t[i], (uint64_t)(100 - i)), 0);
    }
    assert_ptr_equal(h.v, before);
    assert_int_equal(h.cap, cap);
    assert_int_equal(sb_heap_top(&h)->deadline_ms, 1);
    for (int i = 0; i < 100; i++)
        sb_tmr_cancel(&h, &t[i]);
    sb_heap_release(&h, 100);
    assert_int_equal(h.reserved, 0);
    sb_heap_free(&h);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reserve_then_arm_never_grows),
        cmocka_unit_test(test_fires_in_deadline_order_ties_by_arming),
        cmocka_unit_test(test_ties_in_order_across_seq_wrap),
        cmocka_unit_test(test_rearm_and_cancel),
        cmocka_unit_test(test_timer_armed_while_running_fires_if_due),
        cmocka_unit_test(test_random_heap_stays_ordered),
        cmocka_unit_test(test_lanes_merge_with_heap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
