/* Benchmark: whole calls between two engines through the simulated network (CPU and memory). */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "simnet.h"

/* Usage: bench_calls [calls (200000)] [calls started per virtual ms (5)]
 *
 * Every call is INVITE / 100 / 180 / 200 / ACK, 1 s of talk, BYE / 200, on 1 ms links with
 * the simulator's log off. Virtual time is free, so the figure is pure engine + simulator CPU
 * per call: parsing, building, transactions, timers and routing, both sides. */

typedef struct {
    uint64_t ended, answered_normal;
} tally;

static void on_event(sb_sim *sim, int node, const sb_event *ev, void *ud) {
    (void)sim;
    (void)node;
    tally *t = ud;
    if (ev->type != SB_EV_CALL_ENDED || !ev->stats) return;
    t->ended++;
    t->answered_normal +=
        ev->stats->result == SB_RESULT_ANSWERED && ev->stats->end_reason == SB_END_NORMAL;
}

static double cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static sb_config node_config(const char *addr, uint64_t seed, uint32_t max_calls,
                             uint32_t max_txns) {
    sb_config c;
    sb_config_init(&c);
    sb_addr_parse(&c.local, addr, strlen(addr), 5060);
    c.seed = seed;
    c.max_calls = max_calls;
    c.max_txns = max_txns;
    c.ring_time_ms = 10; /* so the UAS sends 180 before its 200 */
    return c;
}

typedef struct {
    sb_sim *sim;
    int uac, uas;
    sb_call_opts opts;
    tally t;
} pair;

/* Finished transactions linger for Timer J/M (64*T1 = 32 s of virtual time), about four per
 * call at `rate` calls per ms, so size the transaction table for 40 s of them. */
static int pair_init(pair *p, uint32_t max_calls, uint32_t rate) {
    uint32_t max_txns = rate * 4 * 40000 + 10000;
    memset(p, 0, sizeof *p);
    p->sim = sb_sim_new(42);
    sb_config a = node_config("127.0.0.1:5060", 1, max_calls, max_txns);
    sb_config b = node_config("127.0.0.2:5060", 2, max_calls, max_txns);
    p->uac = sb_sim_spawn(p->sim, &a);
    p->uas = sb_sim_spawn(p->sim, &b);
    if (p->uac < 0 || p->uas < 0) {
        fprintf(stderr, "bench_calls: sb_engine_new failed\n");
        return -1;
    }
    sb_sim_set_logging(p->sim, false);
    sb_sim_set_event_cb(p->sim, on_event, &p->t);
    p->opts.target_uri = "sip:service@127.0.0.2:5060";
    p->opts.dest = b.local;
    return 0;
}

/* Starts `calls` calls, `rate` per virtual millisecond. Returns the calls placed. */
static uint64_t place(pair *p, uint64_t calls, uint32_t rate, uint32_t duration_ms) {
    p->opts.duration_ms = duration_ms;
    sb_engine *e = sb_sim_engine(p->sim, p->uac);
    uint64_t placed = 0;
    for (uint64_t t = sb_sim_now(p->sim); placed < calls; t++) {
        sb_sim_run_until(p->sim, t);
        for (uint32_t i = 0; i < rate && placed < calls; i++) {
            uint32_t h;
            if (sb_engine_call(e, &p->opts, t, &h) != 0) {
                fprintf(stderr, "bench_calls: sb_engine_call failed after %llu calls\n",
                        (unsigned long long)placed);
                return placed;
            }
            placed++;
        }
    }
    return placed;
}

int main(int argc, char **argv) {
    uint64_t calls = argc > 1 ? strtoull(argv[1], NULL, 10) : 200000;
    uint32_t rate = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 5;
    if (calls == 0 || rate == 0) {
        fprintf(stderr, "usage: bench_calls [calls] [calls per virtual ms]\n");
        return 2;
    }

    /* Throughput: complete calls, many in flight at once. */
    pair p;
    if (pair_init(&p, rate * 2000 + 1000, rate) != 0) return 1;
    double c0 = cpu_s();
    uint64_t placed = place(&p, calls, rate, 1000);
    bool idle = sb_sim_run_idle(p.sim, sb_sim_now(p.sim) + 3600 * 1000);
    double cpu = cpu_s() - c0;
    sb_engine_stats su, ss;
    sb_engine_get_stats(sb_sim_engine(p.sim, p.uac), &su);
    sb_engine_get_stats(sb_sim_engine(p.sim, p.uas), &ss);
    sb_sim_stats sst;
    sb_sim_get_stats(p.sim, &sst);
    printf("sim calls: %.0f calls/s (%.2f \xc2\xb5s CPU per call)\n", (double)placed / cpu,
           cpu * 1e6 / (double)placed);
    printf("  %llu calls placed, %llu records ended, %llu answered+normal (both sides), "
           "idle=%d, virtual %.1f s, %.2f datagrams per call\n",
           (unsigned long long)placed, (unsigned long long)p.t.ended,
           (unsigned long long)p.t.answered_normal, idle, (double)sb_sim_now(p.sim) / 1000.0,
           (double)sst.sent / (double)placed);
    printf("  peak live calls: uac %u, uas %u; live at end: calls %u/%u txns %u/%u\n",
           su.peak_calls, ss.peak_calls, su.live_calls, ss.live_calls, su.live_txns, ss.live_txns);
    sb_sim_free(p.sim);

    /* Memory: establish long calls, let every setup transaction expire, compare the heap. */
    uint64_t hold_calls = calls < 100000 ? calls : 100000;
    if (pair_init(&p, (uint32_t)hold_calls + 1000, 10) != 0) return 1;
    sb_sim_run_until(p.sim, 1);
    struct mallinfo2 m0 = mallinfo2();
    place(&p, hold_calls, 10, 3600 * 1000);
    sb_sim_run_until(p.sim, sb_sim_now(p.sim) + 40000); /* past Timer M/J/K: 64*T1 + slack */
    struct mallinfo2 m1 = mallinfo2();
    sb_engine_get_stats(sb_sim_engine(p.sim, p.uac), &su);
    sb_engine_get_stats(sb_sim_engine(p.sim, p.uas), &ss);
    double delta = (double)m1.uordblks - (double)m0.uordblks;
    if (delta > 0)
        printf("heap per established call: %.0f bytes (UAC + UAS dialogs, %llu calls, "
               "live txns %u/%u)\n",
               delta / (double)hold_calls, (unsigned long long)hold_calls, su.live_txns,
               ss.live_txns);
    else
        printf("heap per established call: n/a (mallinfo2 sees no growth: sanitizer build?)\n");
    printf("  live calls: uac %u, uas %u\n", su.live_calls, ss.live_calls);
    sb_sim_free(p.sim);
    return 0;
}
