/* Binary min-heap of embedded timers, ordered by (deadline, arming sequence). */
#include "base/heap.h"

#include "sipbeat/errors.h"

#include <stdlib.h>
#include <string.h>

static bool before(const sb_tmr *a, const sb_tmr *b) {
    return a->deadline_ms < b->deadline_ms ||
           (a->deadline_ms == b->deadline_ms && (int32_t)(a->seq - b->seq) < 0);
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
    memset(h, 0, sizeof *h);
}

void sb_heap_free(sb_heap *h) {
    for (uint32_t i = 0; i < h->n; i++)
        h->v[i]->idx = 0;
    for (int l = 0; l < h->nlanes; l++)
        for (sb_ltmr *t = h->head[l]; t; t = t->next)
            t->lane = 0;
    free(h->v);
    sb_heap_init(h);
}

int sb_heap_lane(sb_heap *h, uint32_t duration_ms) {
    for (int l = 0; l < h->nlanes; l++)
        if (h->lane_ms[l] == duration_ms) return l;
    if (h->nlanes == SB_LANES) return SB_ELIMIT;
    h->lane_ms[h->nlanes] = duration_ms;
    return h->nlanes++;
}

void sb_ltmr_cancel(sb_heap *h, sb_ltmr *t) {
    if (!t->lane) return;
    int l = t->lane - 1;
    if (t->prev)
        t->prev->next = t->next;
    else
        h->head[l] = t->next;
    if (t->next)
        t->next->prev = t->prev;
    else
        h->tail[l] = t->prev;
    t->prev = t->next = NULL;
    t->lane = 0;
}

void sb_ltmr_arm(sb_heap *h, sb_ltmr *t, int lane, uint64_t now_ms) {
    sb_ltmr_cancel(h, t);
    t->t.deadline_ms = now_ms + h->lane_ms[lane];
    t->t.seq = h->seq++;
    t->lane = (uint8_t)(lane + 1);
    /* Append; walk back only if the clock ever went backwards (it should not). */
    sb_ltmr *after = h->tail[lane];
    while (after && after->t.deadline_ms > t->t.deadline_ms)
        after = after->prev;
    t->prev = after;
    t->next = after ? after->next : h->head[lane];
    if (t->next)
        t->next->prev = t;
    else
        h->tail[lane] = t;
    if (after)
        after->next = t;
    else
        h->head[lane] = t;
}

uint64_t sb_heap_next_deadline(const sb_heap *h) {
    uint64_t d = h->n ? h->v[0]->deadline_ms : UINT64_MAX;
    for (int l = 0; l < h->nlanes; l++)
        if (h->head[l] && h->head[l]->t.deadline_ms < d) d = h->head[l]->t.deadline_ms;
    return d;
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

static int grow(sb_heap *h, uint32_t need) {
    if (need <= h->cap) return 0;
    uint32_t cap = h->cap ? h->cap : 64;
    while (cap < need)
        cap *= 2;
    sb_tmr **v = realloc(h->v, cap * sizeof *v);
    if (!v) return SB_ENOMEM;
    h->v = v;
    h->cap = cap;
    return 0;
}

int sb_heap_reserve(sb_heap *h, uint32_t n) {
    if (grow(h, h->reserved + n) != 0) return SB_ENOMEM;
    h->reserved += n;
    return 0;
}

void sb_heap_release(sb_heap *h, uint32_t n) {
    h->reserved = n < h->reserved ? h->reserved - n : 0;
}

int sb_tmr_arm(sb_heap *h, sb_tmr *t, uint64_t deadline_ms) {
    sb_tmr_cancel(h, t);
    if (h->n == h->cap && grow(h, h->cap + 1) != 0) return SB_ENOMEM;
    t->deadline_ms = deadline_ms;
    t->seq = h->seq++;
    place(h, h->n++, t);
    sift_up(h, h->n - 1);
    return 0;
}

void sb_heap_run(sb_heap *h, uint64_t now_ms) {
    for (;;) {
        sb_tmr *t = sb_heap_top(h);
        int from = -1; /* lane of t, or -1 for the heap */
        for (int l = 0; l < h->nlanes; l++) {
            sb_ltmr *lt = h->head[l];
            if (lt && (!t || before(&lt->t, t))) {
                t = &lt->t;
                from = l;
            }
        }
        if (!t || t->deadline_ms > now_ms) return;
        if (from >= 0)
            sb_ltmr_cancel(h, h->head[from]);
        else
            sb_tmr_cancel(h, t);
        t->fn(t->owner, t, now_ms);
    }
}
