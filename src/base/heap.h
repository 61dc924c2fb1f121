/* Binary min-heap of timers embedded in their owners: arming never allocates a node. */
#ifndef SB_BASE_HEAP_H
#define SB_BASE_HEAP_H

#include <stdbool.h>
#include <stdint.h>

typedef struct sb_tmr sb_tmr;
typedef void (*sb_tmr_fn)(void *owner, sb_tmr *t, uint64_t now_ms);

/* Embed one per pending action. idx is 0 while disarmed. Ties fire in arming order. */
struct sb_tmr {
    uint64_t deadline_ms;
    uint64_t seq;
    uint32_t idx;
    sb_tmr_fn fn;
    void *owner;
};

typedef struct {
    sb_tmr **v;
    uint32_t n, cap;
    uint64_t seq;
} sb_heap;

void sb_heap_init(sb_heap *h);
void sb_heap_free(sb_heap *h);
static inline void sb_tmr_init(sb_tmr *t, sb_tmr_fn fn, void *owner) {
    t->idx = 0;
    t->fn = fn;
    t->owner = owner;
    t->deadline_ms = 0;
    t->seq = 0;
}
static inline bool sb_tmr_armed(const sb_tmr *t) {
    return t->idx != 0;
}
/* Arms (or re-arms) t. Returns 0, or -1 if the heap array could not grow. */
int sb_tmr_arm(sb_heap *h, sb_tmr *t, uint64_t deadline_ms);
void sb_tmr_cancel(sb_heap *h, sb_tmr *t);
/* Earliest armed timer, or NULL. */
static inline sb_tmr *sb_heap_top(const sb_heap *h) {
    return h->n ? h->v[0] : (sb_tmr *)0;
}
/* Fires every timer with deadline <= now, in order, including ones armed while firing. */
void sb_heap_run(sb_heap *h, uint64_t now_ms);

#endif
