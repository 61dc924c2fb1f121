/* Load pacing: when to start the next call, at a rate, under a concurrency limit, up to a
 * total. Pure: the loop's clock comes in as now_ms, so tests drive it with a virtual clock. */
#include "app/pacer.h"

#include "sipbeat/types.h"

#include <math.h>

void sb_pacer_init(sb_pacer *p, double rate_cps, uint64_t total, uint64_t limit, uint64_t now_ms) {
    p->rate_cps = rate_cps;
    p->total = total;
    p->limit = limit;
    p->started = 0;
    p->anchor_ms = (double)now_ms;
    p->anchor_k = 0;
    p->held_back = false;
}

static double due_ms(const sb_pacer *p) {
    return p->anchor_ms + (double)(p->started - p->anchor_k) * 1000.0 / p->rate_cps;
}

static bool full(const sb_pacer *p, uint64_t live) {
    return p->limit != 0 && live >= p->limit;
}

uint64_t sb_pacer_take(sb_pacer *p, uint64_t now_ms, uint64_t live) {
    uint64_t n = 0;
    while (p->started < p->total && due_ms(p) <= (double)now_ms) {
        if (full(p, live + n)) {
            p->held_back = true;
            break;
        }
        if (p->held_back) {
            p->anchor_ms = (double)now_ms;
            p->anchor_k = p->started;
            p->held_back = false;
        }
        p->started++;
        n++;
    }
    return n;
}

uint64_t sb_pacer_next_ms(const sb_pacer *p, uint64_t live) {
    if (p->started >= p->total || full(p, live)) return SB_NEVER;
    double d = ceil(due_ms(p));
    return d < 0 ? 0 : (uint64_t)d;
}

bool sb_pacer_done(const sb_pacer *p) {
    return p->started >= p->total;
}
