/* Binary min-heap of embedded timers, ordered by (deadline, arming sequence). */
#include "base/heap.h"

#include <stdlib.h>

static bool before(const sb_tmr *a, const sb_tmr *b) {
    return a->deadline_ms < b->deadline_ms || (a->deadline_ms == b->deadline_ms && a->seq < b->seq);
}

static void place(sb_heap *h, uint32_t i, sb_tmr *t) {
    h->v[i] = t;
    t->idx = i + 1;
}

static void sift_up(sb_heap *h, uint32_t i) {
    sb_tmr *t = h->v[i];
    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (!before(t, h->v[parent])) break;
        place(h, i, h->v[parent]);
        i = parent;
    }
    place(h, i, t);
}

static void sift_down(sb_heap *h, uint32_t i) {
    sb_tmr *t = h->v[i];
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= h->n) break;
        if (c + 1 < h->n && before(h->v[c + 1], h->v[c])) c++;
        if (!before(h->v[c], t)) break;
        place(h, i, h->v[c]);
        i = c;
    }
    place(h, i, t);
}

void sb_heap_init(sb_heap *h) {
    h->v = NULL;
    h->n = h->cap = 0;
    h->seq = 0;
}

void sb_heap_free(sb_heap *h) {
    for (uint32_t i = 0; i < h->n; i++)
        h->v[i]->idx = 0;
    free(h->v);
    sb_heap_init(h);
}

void sb_tmr_cancel(sb_heap *h, sb_tmr *t) {
    if (!t->idx) return;
    uint32_t i = t->idx - 1;
    t->idx = 0;
    h->n--;
    if (i == h->n) return;
    sb_tmr *last = h->v[h->n];
    place(h, i, last);
    if (i > 0 && before(last, h->v[(i - 1) / 2]))
        sift_up(h, i);
    else
        sift_down(h, i);
}

int sb_tmr_arm(sb_heap *h, sb_tmr *t, uint64_t deadline_ms) {
    sb_tmr_cancel(h, t);
    if (h->n == h->cap) {
        uint32_t cap = h->cap ? h->cap * 2 : 64;
        sb_tmr **v = realloc(h->v, cap * sizeof *v);
        if (!v) return -1;
        h->v = v;
        h->cap = cap;
    }
    t->deadline_ms = deadline_ms;
    t->seq = h->seq++;
    place(h, h->n++, t);
    sift_up(h, h->n - 1);
    return 0;
}

void sb_heap_run(sb_heap *h, uint64_t now_ms) {
    sb_tmr *t;
    while ((t = sb_heap_top(h)) != NULL && t->deadline_ms <= now_ms) {
        sb_tmr_cancel(h, t);
        t->fn(t->owner, t, now_ms);
    }
}
