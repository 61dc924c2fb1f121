/* Binary min-heap of timers embedded in their owners: arming never allocates a node. */
#ifndef SB_BASE_HEAP_H
#define SB_BASE_HEAP_H

#include <stdbool.h>
#include <stdint.h>

typedef struct sb_tmr sb_tmr;
typedef void (*sb_tmr_fn)(void *owner, sb_tmr *t, uint64_t now_ms);

/* Embed one per pending action. idx is 0 while disarmed. Ties fire in arming order: seq is
 * compared modulo 2^32, right for timers of one deadline armed fewer than 2^31 arms apart. It
 * is 32 bits so that the timer is 32 bytes: a call embeds six. */
struct sb_tmr {
    uint64_t deadline_ms;
    uint32_t seq;
    uint32_t idx;
    sb_tmr_fn fn;
    void *owner;
};

/* A timer that only ever runs for one of a few fixed durations (RFC 3261's 64*T1, T4, 32 s)
 * joins a FIFO lane of that duration instead of the heap: a lane's deadlines arrive in order,
 * so arming, cancelling and firing are O(1). On a busy engine most timers are such lingering
 * transaction timers, and they would otherwise make up most of the heap. */
#define SB_LANES 4
typedef struct sb_ltmr {
    sb_tmr t;
    struct sb_ltmr *prev, *next;
    uint8_t lane; /* lane index + 1 while armed, 0 otherwise */
} sb_ltmr;

typedef struct {
    sb_tmr **v;
    uint32_t n, cap;
    uint32_t reserved; /* slots promised to owners (sb_heap_reserve): n <= reserved <= cap */
    uint32_t seq;
    uint32_t lane_ms[SB_LANES];
    sb_ltmr *head[SB_LANES], *tail[SB_LANES];
    int nlanes;
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
/* Promises n more heap slots (an owner's timers) and grows the array now if needed: the
 * owner's timers then always arm. Returns 0 or SB_ENOMEM (nothing promised). */
int sb_heap_reserve(sb_heap *h, uint32_t n);
/* Gives back n promised slots (the owner's timers are disarmed by then). */
void sb_heap_release(sb_heap *h, uint32_t n);
/* Arms (or re-arms) t. Returns 0, or SB_ENOMEM if the heap array could not grow, which cannot
 * happen to the timers of an owner that reserved its slots. */
int sb_tmr_arm(sb_heap *h, sb_tmr *t, uint64_t deadline_ms);
void sb_tmr_cancel(sb_heap *h, sb_tmr *t);
/* Earliest armed timer, or NULL. */
static inline sb_tmr *sb_heap_top(const sb_heap *h) {
    return h->n ? h->v[0] : (sb_tmr *)0;
}
/* Fires every timer (heap and lanes) with deadline <= now, in (deadline, arming) order,
 * including ones armed while firing. */
void sb_heap_run(sb_heap *h, uint64_t now_ms);
/* Earliest deadline over the heap and the lanes, or UINT64_MAX. */
uint64_t sb_heap_next_deadline(const sb_heap *h);

/* The lane for a fixed duration (created on first use); SB_ELIMIT when all SB_LANES are taken. */
int sb_heap_lane(sb_heap *h, uint32_t duration_ms);
static inline void sb_ltmr_init(sb_ltmr *t, sb_tmr_fn fn, void *owner) {
    sb_tmr_init(&t->t, fn, owner);
    t->prev = t->next = (sb_ltmr *)0;
    t->lane = 0;
}
static inline bool sb_ltmr_armed(const sb_ltmr *t) {
    return t->lane != 0;
}
/* Arms (or re-arms) t to fire the lane's duration after now. */
void sb_ltmr_arm(sb_heap *h, sb_ltmr *t, int lane, uint64_t now_ms);
void sb_ltmr_cancel(sb_heap *h, sb_ltmr *t);

#endif
