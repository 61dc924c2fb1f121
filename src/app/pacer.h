/* Load pacing: when to start the next call, at a rate, under a concurrency limit, up to a
 * total. Pure: the loop's clock comes in as now_ms, so tests drive it with a virtual clock. */
#ifndef SB_APP_PACER_H
#define SB_APP_PACER_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    double rate_cps;  /* calls per second, > 0, may be fractional */
    uint64_t total;   /* -m: calls to start in all */
    uint64_t limit;   /* -l: most calls live at once, 0 = no limit */
    uint64_t started; /* calls started so far */
    /* Start k is due at anchor_ms + (k - anchor_k) * 1000 / rate. The anchor moves only when
     * the limit held a due call back: we then start it at once and continue the grid from
     * there instead of bursting to catch up, so -r stays an upper bound on the rate. */
    double anchor_ms;
    uint64_t anchor_k;
    bool held_back;
} sb_pacer;

void sb_pacer_init(sb_pacer *p, double rate_cps, uint64_t total, uint64_t limit, uint64_t now_ms);

/* Number of calls to start now, given `live` calls in progress. They count as started: the
 * caller starts exactly that many (a start that fails is still a started call, reported as
 * failed). */
uint64_t sb_pacer_take(sb_pacer *p, uint64_t now_ms, uint64_t live);

/* When the next start is due (ms, may be in the past), or SB_NEVER when all calls have been
 * started or the limit is full (a call ending wakes the loop anyway). */
uint64_t sb_pacer_next_ms(const sb_pacer *p, uint64_t live);

bool sb_pacer_done(const sb_pacer *p);

#endif
