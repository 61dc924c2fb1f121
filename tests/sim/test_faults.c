/* Seeded fault runs: calls with RFC 4028 session timers through loss, duplication, reordering,
 * delay spikes, one-way partitions and a peer that dies, with invariants checked on every run.
 *
 * Each run is a pure function of its seed: the seed draws the scenario (links, fault schedule,
 * timer settings, calls) from our own PRNG and seeds the simulator. A failing run prints its
 * seed, the scenario and the simulator log; replay one run with
 *     SB_FAULT_SEED=<seed> ./sim_test_faults
 * and change the number of runs with SB_FAULT_RUNS=<n> (default 5000) or the first seed with
 * SB_FAULT_FIRST=<seed> (default 1).
 *
 * Invariants (the brief's letters):
 *   (a) every call either engine started ends with exactly one CALL_ENDED record, with a result
 *       and a reason; no record without a start; the UAS never holds two calls for one Call-ID
 *       at the same time and never has a call the UAC did not place;
 *   (b) after the network goes idle both engines hold no call and no transaction;
 *   (c) a session_expired BYE leaves at or before t0 + SE - min(32 s, SE/3) for the
 *       non-refresher and t0 + SE for the refresher (docs/rfc4028-rules.md, Expiry: EXP-1, EXP-2).
 * t0, SE and the refresher are taken twice, and the BYE must meet both bounds:
 *         - from the wire: the last 2xx to an INVITE/UPDATE of the call that this node sent
 *           (it answered the request) or that reached it (it sent the request), first copy of
 *           each transaction, with that 2xx's Session-Expires and refresher parameter;
 *         - from the engine's own events: the last SB_EV_TIMER_NEGOTIATED / SB_EV_REFRESH_OK.
 *       Times are whole milliseconds, so SE/3 is rounded down (sub-millisecond tolerance);
 *   (d) in runs whose network only delays, duplicates and reorders (no loss, partition or
 *       crash) both sides count the same session_timer_refreshes per call, except for refresh
 *       transactions whose 2xx reached the requester only after its call record was closed
 *       (a refresh racing the BYE): each such transaction may account for one count of
 *       difference, never more.
 *
 * The dead peer: simnet cannot remove a node, so a crash takes both links of the UAS down for
 * good (datagrams already in flight still arrive). The UAS engine keeps running, isolated, so
 * the invariants are checked on it too. */
#include "simtest.h"

#include <inttypes.h>
#include <strings.h>

#define MAX_CALLS 5
#define MAX_ACTS 24
#define IDLE_LIMIT_MS (15u * 60 * 1000) /* after the last scheduled action */
#define DEFAULT_RUNS 5000
#define FIRST_SEED 1

/* ---- The test's own PRNG (splitmix64), separate from the simulator's ---- */

typedef struct {
    uint64_t s;
} prng;

static uint64_t pr_next(prng *r) {
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint32_t pr_range(prng *r, uint32_t lo, uint32_t hi) { /* inclusive */
    return lo + (uint32_t)(pr_next(r) % ((uint64_t)hi - lo + 1));
}

static double pr_unit(prng *r) {
    return (double)(pr_next(r) >> 11) * 0x1.0p-53;
}

static bool pr_chance(prng *r, double p) {
    return pr_unit(r) < p;
}

/* ---- Scenario ---- */

typedef enum {
    ACT_CALL,      /* place call `arg` */
    ACT_HANGUP,    /* sb_engine_hangup on call `arg` (CANCEL while ringing, else BYE) */
    ACT_DOWN,      /* one-way partition of direction `dir` on */
    ACT_UP,        /* ... and off */
    ACT_SPIKE_ON,  /* add `arg` ms of jitter to direction `dir` */
    ACT_SPIKE_OFF, /* ... and remove it */
    ACT_CRASH,     /* the UAS dies: both directions down for good */
} act_kind;

static const char *const act_names[] = {"call",     "hangup",    "down", "up",
                                        "spike_on", "spike_off", "crash"};

typedef struct {
    uint64_t at;
    act_kind kind;
    int dir; /* 0: UAC -> UAS, 1: UAS -> UAC */
    uint32_t arg;
} action;

typedef struct {
    uint64_t seed;
    bool lossy, partition, crash, spike; /* what the run injects */
    sb_link base[2];
    sb_config a, b;
    int ncalls;
    sb_call_opts opts[MAX_CALLS];
    action acts[MAX_ACTS];
    int nacts;
} scenario;

static void add_act(scenario *sc, uint64_t at, act_kind k, int dir, uint32_t arg) {
    assert_true(sc->nacts < MAX_ACTS);
    sc->acts[sc->nacts++] = (action){.at = at, .kind = k, .dir = dir, .arg = arg};
}

static sb_link draw_link(prng *r, bool lossy) {
    sb_link l = {.delay_ms = pr_range(r, 1, 30)};
    if (pr_chance(r, 0.6)) l.jitter_ms = pr_range(r, 1, 60);
    if (pr_chance(r, 0.5)) l.duplicate = pr_unit(r) * 0.2;
    if (pr_chance(r, 0.5)) l.reorder = pr_unit(r) * 0.3;
    if (lossy) l.loss = pr_unit(r) * 0.3;
    return l;
}

static void draw_timer(prng *r, sb_timer_config *t) {
    static const sb_refresher prefs[] = {SB_REFRESHER_UAC, SB_REFRESHER_UAS, SB_REFRESHER_NONE};
    static const sb_refresh_method methods[] = {SB_REFRESH_INVITE, SB_REFRESH_UPDATE,
                                                SB_REFRESH_AUTO};
    /* Both sides list `timer` in every mode drawn here, so nobody answers 420 or 421. */
    uint32_t m = pr_range(r, 0, 19);
    t->mode = m < 14 ? SB_TIMER_SUPPORTED : m < 17 ? SB_TIMER_REQUIRED : SB_TIMER_ALWAYS;
    t->unchecked = true;
    t->se_s = pr_range(r, 8, 20);
    t->min_se_s = pr_range(r, 2, 8);
    t->refresher = prefs[pr_range(r, 0, 2)];
    t->method = methods[pr_range(r, 0, 2)];
    t->max_422 = 3;
    t->max_se_s = 7200;
}

static void make_scenario(uint64_t seed, scenario *sc) {
    memset(sc, 0, sizeof *sc);
    sc->seed = seed;
    prng r = {seed * 0x2545f4914f6cdd1dull + 12345};

    bool clean = pr_chance(&r, 0.3);
    if (!clean) {
        sc->lossy = pr_chance(&r, 0.6);
        sc->partition = pr_chance(&r, 0.4);
        sc->crash = pr_chance(&r, 0.25);
        if (!sc->lossy && !sc->partition && !sc->crash) sc->lossy = true;
    }
    sc->spike = pr_chance(&r, 0.3);
    for (int d = 0; d < 2; d++)
        sc->base[d] = draw_link(&r, sc->lossy);

    static const uint32_t t1s[] = {100, 250, 500};
    uint32_t t1 = t1s[pr_range(&r, 0, 2)];
    sc->a = st_config(UAC_ADDR, seed * 2 + 1);
    sc->b = st_config(UAS_ADDR, seed * 2 + 2);
    sc->a.t1_ms = sc->b.t1_ms = t1;
    sc->b.ring_time_ms = pr_chance(&r, 0.3) ? 0 : pr_range(&r, 1, 3000);
    draw_timer(&r, &sc->a.timer);
    draw_timer(&r, &sc->b.timer);
    if (pr_chance(&r, 0.15)) { /* the UAS's minimum above what the UAC asks: 422 first */
        sc->b.timer.min_se_s = pr_range(&r, sc->a.timer.se_s + 1, 21);
        if (sc->b.timer.se_s < sc->b.timer.min_se_s) sc->b.timer.se_s = sc->b.timer.min_se_s;
    }

    sc->ncalls = (int)pr_range(&r, 1, MAX_CALLS);
    uint64_t last = 0;
    for (int i = 0; i < sc->ncalls; i++) {
        sb_call_opts *o = &sc->opts[i];
        *o = st_opts(pr_range(&r, 1000, 60000));
        uint64_t start = pr_range(&r, 0, 20000);
        add_act(sc, start, ACT_CALL, 0, (uint32_t)i);
        if (pr_chance(&r, 0.2) && o->duration_ms > 2000) {
            o->hold_at_ms = pr_range(&r, 500, o->duration_ms - 1000);
            o->hold_mode = pr_chance(&r, 0.5) ? SB_HOLD_SENDONLY : SB_HOLD_INACTIVE;
            if (pr_chance(&r, 0.5))
                o->resume_at_ms = pr_range(&r, o->hold_at_ms + 1, o->duration_ms - 1);
        }
        if (pr_chance(&r, 0.1))
            add_act(sc, start + pr_range(&r, 0, o->duration_ms), ACT_HANGUP, 0, (uint32_t)i);
        if (start + o->duration_ms > last) last = start + o->duration_ms;
    }
    if (sc->partition) {
        int n = (int)pr_range(&r, 1, 3);
        for (int i = 0; i < n; i++) {
            int dir = (int)pr_range(&r, 0, 1);
            uint64_t on = pr_range(&r, 0, (uint32_t)last);
            add_act(sc, on, ACT_DOWN, dir, 0);
            add_act(sc, on + pr_range(&r, 500, 40000), ACT_UP, dir, 0);
        }
    }
    if (sc->spike) {
        int n = (int)pr_range(&r, 1, 2);
        for (int i = 0; i < n; i++) {
            int dir = (int)pr_range(&r, 0, 1);
            uint64_t on = pr_range(&r, 0, (uint32_t)last);
            add_act(sc, on, ACT_SPIKE_ON, dir, pr_range(&r, 200, 3000));
            add_act(sc, on + pr_range(&r, 500, 5000), ACT_SPIKE_OFF, dir, 0);
        }
    }
    if (sc->crash) add_act(sc, pr_range(&r, 0, (uint32_t)last), ACT_CRASH, 0, 0);

    /* Stable insertion sort by time: ties keep the order they were drawn in. */
    for (int i = 1; i < sc->nacts; i++) {
        action x = sc->acts[i];
        int j = i - 1;
        while (j >= 0 && sc->acts[j].at > x.at) {
            sc->acts[j + 1] = sc->acts[j];
            j--;
        }
        sc->acts[j + 1] = x;
    }
}

static void print_link(const char *name, const sb_link *l) {
    fprintf(stderr, "  %s: delay %u jitter %u loss %.3f dup %.3f reorder %.3f\n", name, l->delay_ms,
            l->jitter_ms, l->loss, l->duplicate, l->reorder);
}

static void print_timer(const char *name, const sb_config *c) {
    static const char *const pref[] = {"none", "uac", "uas"};
    static const char *const mode[] = {"off", "supported", "required", "always"};
    static const char *const meth[] = {"invite", "update", "auto"};
    fprintf(stderr, "  %s: T1 %u ring %u timer %s SE %u Min-SE %u refresher %s method %s\n", name,
            c->t1_ms, c->ring_time_ms, mode[c->timer.mode], c->timer.se_s, c->timer.min_se_s,
            pref[c->timer.refresher], meth[c->timer.method]);
}

static void print_scenario(const scenario *sc) {
    fprintf(stderr, "scenario of seed %" PRIu64 ": lossy %d partition %d crash %d spike %d\n",
            sc->seed, sc->lossy, sc->partition, sc->crash, sc->spike);
    print_link("uac->uas", &sc->base[0]);
    print_link("uas->uac", &sc->base[1]);
    print_timer("uac", &sc->a);
    print_timer("uas", &sc->b);
    for (int i = 0; i < sc->ncalls; i++)
        fprintf(stderr, "  call %d: duration %u hold_at %u resume_at %u\n", i,
                sc->opts[i].duration_ms, sc->opts[i].hold_at_ms, sc->opts[i].resume_at_ms);
    for (int i = 0; i < sc->nacts; i++)
        fprintf(stderr, "  at %" PRIu64 ": %s dir %d arg %u\n", sc->acts[i].at,
                act_names[sc->acts[i].kind], sc->acts[i].dir, sc->acts[i].arg);
}

/* ---- Failing a run: seed, scenario and log, then the cmocka failure ---- */

static const scenario *cur_sc;

#define run_fail(sim, ...)                                                                         \
    do {                                                                                           \
        sb_sim_dump(sim);                                                                          \
        print_scenario(cur_sc);                                                                    \
        fprintf(stderr, "test_faults: seed %" PRIu64 ": ", cur_sc->seed);                          \
        fprintf(stderr, __VA_ARGS__);                                                              \
        fprintf(stderr, "\n  replay: SB_FAULT_SEED=%" PRIu64 " ./sim_test_faults\n",               \
                cur_sc->seed);                                                                     \
        fail_msg("fault run seed %" PRIu64 " failed", cur_sc->seed);                               \
    } while (0)

#define run_check(sim, cond, ...)                                                                  \
    do {                                                                                           \
        if (!(cond)) run_fail(sim, __VA_ARGS__);                                                   \
    } while (0)

/* ---- Links under the fault schedule ---- */

typedef struct {
    bool down[2], crashed;
    uint32_t spike[2];
} link_state;

static void apply_links(sb_sim *sim, const scenario *sc, const link_state *ls, int uac, int uas) {
    for (int d = 0; d < 2; d++) {
        sb_link l = sc->base[d];
        l.jitter_ms += ls->spike[d];
        l.down = ls->down[d] || ls->crashed;
        sb_sim_set_link(sim, d == 0 ? uac : uas, d == 0 ? uas : uac, &l);
    }
}

/* ---- Per-call facts gathered from the log ---- */

#define MAX_RECS 16

typedef struct {
    uint32_t handle;
    int started, ended;
    size_t start_idx, end_idx; /* log indexes of CALL_STARTED and CALL_ENDED */
    uint64_t start_at, end_at;
    sb_call_stats st;
    /* session timer as the engine's events say, up to its expiry */
    bool ev_has;
    uint64_t ev_t0;
    uint32_t ev_se;
    int ev_refresher; /* 0 none, 1 local, 2 remote */
    bool expired;
    uint64_t expired_at;
    size_t expired_idx;
} call_rec;

typedef struct {
    call_rec r[MAX_RECS];
    int n;
} node_recs;

static call_rec *rec_for(sb_sim *sim, node_recs *nr, uint32_t handle) {
    for (int i = 0; i < nr->n; i++)
        if (nr->r[i].handle == handle) return &nr->r[i];
    run_check(sim, nr->n < MAX_RECS, "more than %d calls on one node", MAX_RECS);
    call_rec *c = &nr->r[nr->n++];
    memset(c, 0, sizeof *c);
    c->handle = handle;
    return c;
}

static void gather(sb_sim *sim, int node, node_recs *nr) {
    size_t n = sb_sim_log_len(sim);
    for (size_t i = 0; i < n; i++) {
        const sb_sim_entry *en = sb_sim_log_at(sim, i);
        if (en->kind != SB_SIM_EVENT || en->node != node || en->type == SB_EV_SEND ||
            en->type == SB_EV_MALFORMED || en->call == 0)
            continue;
        call_rec *c = rec_for(sim, nr, en->call);
        switch (en->type) {
        case SB_EV_CALL_STARTED:
            c->started++;
            c->start_idx = i;
            c->start_at = en->at_ms;
            break;
        case SB_EV_CALL_ENDED:
            c->ended++;
            c->end_idx = i;
            c->end_at = en->at_ms;
            run_check(sim, en->has_stats, "node %d call %u: CALL_ENDED without stats", node,
                      en->call);
            c->st = en->stats;
            break;
        case SB_EV_TIMER_NEGOTIATED:
            if (!c->expired) {
                c->ev_has = true;
                c->ev_t0 = en->at_ms;
                c->ev_se = (uint32_t)en->value;
                c->ev_refresher = en->status;
            }
            break;
        case SB_EV_REFRESH_OK:
            if (!c->expired) {
                c->ev_has = true;
                c->ev_t0 = en->at_ms;
                c->ev_se = (uint32_t)en->value;
            }
            break;
        case SB_EV_TIMER_EXPIRED:
            if (!c->expired) {
                c->expired = true;
                c->expired_at = en->at_ms;
                c->expired_idx = i;
            }
            break;
        default:
            break;
        }
    }
}

/* ---- (c) the RFC bound from the wire ---- */

static bool is_2xx_to_refresh(const sb_sim_entry *en) {
    return strncmp(en->line, "SIP/2.0 2", 9) == 0 &&
           (strcmp(en->cseq_method, "INVITE") == 0 || strcmp(en->cseq_method, "UPDATE") == 0);
}

/* Bound for the expiry BYE of `node` in call `cid`, sent at log index `bye_idx`: the last 2xx
 * before it (first copy per transaction) sets t0, SE and the refresher. Returns SB_NEVER when
 * no 2xx carried a Session-Expires (then there is no session timer to expire). */
static uint64_t wire_bound(const sb_sim *sim, int node, const char *cid, size_t bye_idx, char *why,
                           size_t cap) {
    uint64_t t0 = 0;
    long se = -1;
    bool local = false;
    bool found = false;
    for (size_t i = 0; i < bye_idx; i++) {
        const sb_sim_entry *en = sb_sim_log_at(sim, i);
        if (!en->data || strcmp(en->call_id, cid) != 0 || !is_2xx_to_refresh(en)) continue;
        bool sent = en->kind == SB_SIM_EVENT && en->type == SB_EV_SEND && en->node == node;
        bool got = en->kind == SB_SIM_DELIVER && en->node == node;
        if (!sent && !got) continue;
        /* First copy of this transaction's 2xx on this side? (retransmissions and duplicates
         * do not move t0) */
        bool first = true;
        for (size_t j = 0; j < i && first; j++) {
            const sb_sim_entry *p = sb_sim_log_at(sim, j);
            if (!p->data || p->node != node || p->kind != en->kind || p->type != en->type ||
                p->cseq != en->cseq || strcmp(p->cseq_method, en->cseq_method) != 0 ||
                strcmp(p->call_id, cid) != 0 || strncmp(p->line, "SIP/2.0 2", 9) != 0)
                continue;
            first = false;
        }
        if (!first) continue;
        found = true;
        t0 = en->at_ms;
        char v[160];
        se = -1;
        local = false;
        if (sb_sim_hdr(en, "Session-Expires", 'x', v, sizeof v)) {
            se = strtol(v, NULL, 10);
            const char *rp = strcasestr(v, "refresher=");
            bool uas_refreshes = rp && strncasecmp(rp + 10, "uas", 3) == 0;
            /* The parameter names the UAC or UAS of this transaction (RFC 4028 section 3);
             * without it the UAC of the transaction refreshes (UAC-6 as the engine reads it). */
            local = sent ? uas_refreshes : !uas_refreshes;
        }
    }
    if (!found || se <= 0) {
        snprintf(why, cap, "no 2xx with Session-Expires before the BYE");
        return SB_NEVER;
    }
    uint64_t se_ms = (uint64_t)se * 1000;
    uint64_t margin = se_ms / 3 < 32000 ? se_ms / 3 : 32000;
    uint64_t bound = local ? t0 + se_ms : t0 + se_ms - margin;
    snprintf(why, cap, "wire: t0 %" PRIu64 " SE %ld %s -> bound %" PRIu64, t0, se,
             local ? "refresher" : "non-refresher", bound);
    return bound;
}

/* ---- Totals for the summary ---- */

typedef struct {
    uint64_t runs, calls_uac, calls_uas, crashed_runs, clean_runs, lossy_runs, partition_runs,
        spike_runs;
    uint64_t expiry_checked, refresh_compared, refresh_racy, steps, lost, duplicated;
    uint64_t reasons[2][32];
} totals;

static const sb_sim_entry *first_bye(const sb_sim *sim, int node, const char *cid, size_t *idx) {
    size_t n = sb_sim_log_len(sim);
    for (size_t i = 0; i < n; i++) {
        const sb_sim_entry *en = sb_sim_log_at(sim, i);
        if (en->kind == SB_SIM_EVENT && en->type == SB_EV_SEND && en->node == node && en->data &&
            strncmp(en->line, "BYE ", 4) == 0 && strcmp(en->call_id, cid) == 0) {
            *idx = i;
            return en;
        }
    }
    return NULL;
}

static void check_expiry(sb_sim *sim, int node, const char *who, const call_rec *c, totals *tot) {
    if (c->st.end_reason != SB_END_SESSION_EXPIRED) return;
    const char *cid = c->st.call_id;
    run_check(sim, c->expired, "%s call %u (%s) ended session_expired without TIMER_EXPIRED", who,
              c->handle, cid);
    size_t bye_idx = 0;
    const sb_sim_entry *bye = first_bye(sim, node, cid, &bye_idx);
    run_check(sim, bye != NULL, "%s call %u (%s) ended session_expired but sent no BYE", who,
              c->handle, cid);
    char why[160];
    uint64_t wb = wire_bound(sim, node, cid, bye_idx, why, sizeof why);
    run_check(sim, wb != SB_NEVER, "%s call %u (%s): session_expired BYE at %" PRIu64 ": %s", who,
              c->handle, cid, bye->at_ms, why);
    run_check(sim, bye->at_ms <= wb,
              "%s call %u (%s): expiry BYE at %" PRIu64 " is %" PRIu64
              " ms later than RFC 4028 allows (%s)",
              who, c->handle, cid, bye->at_ms, bye->at_ms - wb, why);
    run_check(sim, c->ev_has && c->ev_se > 0,
              "%s call %u (%s) expired without a negotiated interval in its events", who, c->handle,
              cid);
    uint64_t se_ms = (uint64_t)c->ev_se * 1000;
    uint64_t margin = se_ms / 3 < 32000 ? se_ms / 3 : 32000;
    uint64_t eb = c->ev_refresher == 1 ? c->ev_t0 + se_ms : c->ev_t0 + se_ms - margin;
    run_check(sim, bye->at_ms <= eb,
              "%s call %u (%s): expiry BYE at %" PRIu64 " after the bound %" PRIu64
              " from its own events (t0 %" PRIu64 " SE %u refresher %d)",
              who, c->handle, cid, bye->at_ms, eb, c->ev_t0, c->ev_se, c->ev_refresher);
    tot->expiry_checked++;
}

/* (d): in-dialog INVITE/UPDATE transactions of call cid whose 2xx reached the requester only
 * after the requester's record closed (or never): each may explain one count of difference. */
static int racy_refreshes(const sb_sim *sim, const char *cid, int uac, size_t uac_end, int uas,
                          size_t uas_end) {
    int racy = 0;
    size_t n = sb_sim_log_len(sim);
    for (size_t i = 0; i < n; i++) {
        const sb_sim_entry *en = sb_sim_log_at(sim, i);
        if (en->kind != SB_SIM_EVENT || en->type != SB_EV_SEND || !en->data ||
            strcmp(en->call_id, cid) != 0 || !is_2xx_to_refresh(en))
            continue;
        int requester = en->node == uac ? uas : uac;
        size_t req_end = requester == uac ? uac_end : uas_end;
        /* First copy only: the same transaction's retransmissions are not new refreshes. */
        bool first = true;
        for (size_t j = 0; j < i && first; j++) {
            const sb_sim_entry *p = sb_sim_log_at(sim, j);
            if (p->kind == SB_SIM_EVENT && p->type == SB_EV_SEND && p->data &&
                p->node == en->node && p->cseq == en->cseq &&
                strcmp(p->cseq_method, en->cseq_method) == 0 && strcmp(p->call_id, cid) == 0 &&
                strncmp(p->line, "SIP/2.0 2", 9) == 0)
                first = false;
        }
        if (!first) continue;
        bool in_time = false;
        for (size_t j = i + 1; j < n && j < req_end && !in_time; j++) {
            const sb_sim_entry *p = sb_sim_log_at(sim, j);
            in_time = p->kind == SB_SIM_DELIVER && p->node == requester && p->data &&
                      p->cseq == en->cseq && strcmp(p->cseq_method, en->cseq_method) == 0 &&
                      strcmp(p->call_id, cid) == 0 && strncmp(p->line, "SIP/2.0 2", 9) == 0;
        }
        racy += !in_time;
    }
    return racy;
}

/* When the UAS first sent a final response to the call's initial INVITE (the first INVITE
 * delivered to it for that Call-ID), or SB_NEVER. */
static uint64_t uas_final_at(const sb_sim *sim, int uas, const char *cid) {
    size_t n = sb_sim_log_len(sim);
    uint32_t cseq = 0;
    bool have = false;
    for (size_t i = 0; i < n; i++) {
        const sb_sim_entry *en = sb_sim_log_at(sim, i);
        if (!en->data || en->node != uas || strcmp(en->call_id, cid) != 0) continue;
        if (!have && en->kind == SB_SIM_DELIVER && strncmp(en->line, "INVITE ", 7) == 0) {
            cseq = en->cseq;
            have = true;
        }
        if (have && en->kind == SB_SIM_EVENT && en->type == SB_EV_SEND && en->cseq == cseq &&
            strcmp(en->cseq_method, "INVITE") == 0 && strncmp(en->line, "SIP/2.0 ", 8) == 0 &&
            en->line[8] >= '2' && en->line[8] <= '6')
            return en->at_ms;
    }
    return SB_NEVER;
}

/* ---- One run ---- */

static void check_node(sb_sim *sim, int node, const char *who, node_recs *nr, totals *tot, int ti) {
    for (int i = 0; i < nr->n; i++) {
        call_rec *c = &nr->r[i];
        run_check(sim, c->started == 1, "%s call %u: %d CALL_STARTED events", who, c->handle,
                  c->started);
        run_check(sim, c->ended == 1, "%s call %u: %d CALL_ENDED records (want exactly 1)", who,
                  c->handle, c->ended);
        run_check(sim, c->st.result != SB_RESULT_NONE && c->st.end_reason != SB_END_NONE,
                  "%s call %u (%s): ended with result %d end_reason %s", who, c->handle,
                  c->st.call_id, c->st.result, sb_end_reason_name(c->st.end_reason));
        run_check(sim, c->st.end_reason < 32, "%s: end_reason %d out of range", who,
                  c->st.end_reason);
        tot->reasons[ti][c->st.end_reason]++;
        check_expiry(sim, node, who, c, tot);
    }
    sb_engine_stats es;
    sb_engine_get_stats(sb_sim_engine(sim, node), &es);
    run_check(sim, es.live_calls == 0 && es.live_txns == 0,
              "%s leaks after idle: live_calls %u live_txns %u", who, es.live_calls, es.live_txns);
    run_check(sim, es.calls_started == es.calls_ended && es.calls_started == (uint64_t)nr->n,
              "%s: engine counts %" PRIu64 " started, %" PRIu64 " ended, log has %d calls", who,
              es.calls_started, es.calls_ended, nr->n);
}

static void run_one(uint64_t seed, totals *tot) {
    scenario sc;
    make_scenario(seed, &sc);
    cur_sc = &sc;
    sb_sim *sim = st_new(seed);
    int uac = st_spawn(sim, &sc.a), uas = st_spawn(sim, &sc.b);
    link_state ls = {{false, false}, false, {0, 0}};
    apply_links(sim, &sc, &ls, uac, uas);

    uint32_t handles[MAX_CALLS] = {0};
    for (int i = 0; i < sc.nacts; i++) {
        const action *a = &sc.acts[i];
        sb_sim_run_until(sim, a->at);
        run_check(sim, !sb_sim_stuck(sim), "an engine keeps a deadline in the past");
        switch (a->kind) {
        case ACT_CALL:
            handles[a->arg] = st_call_opts(sim, uac, &sc.opts[a->arg]);
            break;
        case ACT_HANGUP: {
            int rc = sb_engine_hangup(sb_sim_engine(sim, uac), handles[a->arg], sb_sim_now(sim));
            run_check(sim, rc == 0 || rc == SB_ENOTFOUND, "hangup returned %d", rc);
            sb_sim_drain(sim);
            break;
        }
        case ACT_DOWN:
            ls.down[a->dir] = true;
            break;
        case ACT_UP:
            ls.down[a->dir] = false;
            break;
        case ACT_SPIKE_ON:
            ls.spike[a->dir] = a->arg;
            break;
        case ACT_SPIKE_OFF:
            ls.spike[a->dir] = 0;
            break;
        case ACT_CRASH:
            ls.crashed = true;
            break;
        }
        apply_links(sim, &sc, &ls, uac, uas);
    }
    bool idle = sb_sim_run_idle(sim, sb_sim_now(sim) + IDLE_LIMIT_MS);
    run_check(sim, !sb_sim_stuck(sim), "an engine keeps a deadline in the past");
    run_check(sim, idle, "not idle %u s after the last action (a timer that never ends?)",
              IDLE_LIMIT_MS / 1000);

    static node_recs rc[2]; /* static: a failed check longjmps out of this function */
    memset(rc, 0, sizeof rc);
    gather(sim, uac, &rc[0]);
    gather(sim, uas, &rc[1]);

    /* (a), (b), (c) */
    run_check(sim, rc[0].n == sc.ncalls, "uac: %d calls in the log, %d placed", rc[0].n, sc.ncalls);
    for (int i = 0; i < sc.ncalls; i++) {
        bool known = false;
        for (int j = 0; j < rc[0].n; j++)
            known |= rc[0].r[j].handle == handles[i];
        run_check(sim, known, "uac: call %d (handle %u) has no record", i, handles[i]);
    }
    check_node(sim, uac, "uac", &rc[0], tot, 0);
    check_node(sim, uas, "uas", &rc[1], tot, 1);
    /* One INVITE, one UAS call: retransmissions and duplicates must meet the server
     * transaction (RFC 3261 section 17.2.3). A copy that arrives after that transaction is
     * gone (a delay spike past 64*T1 after the final response, RFC 6026 Timer L / Timer H)
     * legitimately looks like a new request, so a second call for one Call-ID is allowed after
     * the first ended, or 64*T1 after the first's final response; never earlier. */
    for (int i = 0; i < rc[1].n; i++) {
        const call_rec *s = &rc[1].r[i];
        bool placed = false;
        for (int j = 0; j < rc[0].n; j++)
            placed |= strcmp(rc[0].r[j].st.call_id, s->st.call_id) == 0;
        run_check(sim, placed, "uas: call %s was never placed by the uac", s->st.call_id);
        for (int j = i + 1; j < rc[1].n; j++) {
            const call_rec *o = &rc[1].r[j];
            if (strcmp(o->st.call_id, s->st.call_id) != 0) continue;
            const call_rec *first = s->start_idx < o->start_idx ? s : o;
            const call_rec *second = first == s ? o : s;
            if (first->end_idx < second->start_idx) continue;
            uint64_t fin = uas_final_at(sim, uas, first->st.call_id);
            run_check(sim, fin != SB_NEVER && second->start_at >= fin + 64ull * sc.b.t1_ms,
                      "uas: call %u for Call-ID %s started at %" PRIu64
                      " while call %u lives and its INVITE transaction may (final response at "
                      "%" PRIu64 ", 64*T1 = %u ms)",
                      second->handle, s->st.call_id, second->start_at, first->handle, fin,
                      64 * sc.b.t1_ms);
        }
    }

    /* (d) */
    bool clean = !sc.lossy && !sc.partition && !sc.crash;
    if (clean) {
        for (int i = 0; i < rc[0].n; i++) {
            const call_rec *c = &rc[0].r[i];
            const call_rec *s = NULL;
            for (int j = 0; j < rc[1].n; j++)
                if (strcmp(rc[1].r[j].st.call_id, c->st.call_id) == 0) s = &rc[1].r[j];
            if (!s) continue;
            uint32_t a = c->st.session_timer_refreshes, b = s->st.session_timer_refreshes;
            int racy = 0;
            if (a != b) racy = racy_refreshes(sim, c->st.call_id, uac, c->end_idx, uas, s->end_idx);
            uint32_t diff = a > b ? a - b : b - a;
            run_check(sim, diff <= (uint32_t)racy,
                      "call %s: session_timer_refreshes uac %u uas %u on a network without loss "
                      "(%d refreshes raced the end of the call)",
                      c->st.call_id, a, b, racy);
            tot->refresh_compared++;
            tot->refresh_racy += racy > 0;
        }
    }

    sb_sim_stats ss;
    sb_sim_get_stats(sim, &ss);
    tot->runs++;
    tot->calls_uac += (uint64_t)rc[0].n;
    tot->calls_uas += (uint64_t)rc[1].n;
    tot->clean_runs += clean;
    tot->lossy_runs += sc.lossy;
    tot->partition_runs += sc.partition;
    tot->crashed_runs += sc.crash;
    tot->spike_runs += sc.spike;
    tot->steps += ss.steps;
    tot->lost += ss.lost;
    tot->duplicated += ss.duplicated;
    st_free(sim);
    cur_sc = NULL;
}

static uint64_t env_u64(const char *name, uint64_t dflt) {
    const char *v = getenv(name);
    return v && *v ? strtoull(v, NULL, 10) : dflt;
}

static void print_reasons(const char *who, const uint64_t *r) {
    fprintf(stderr, " %s{", who);
    const char *sep = "";
    for (int i = 0; i < 32; i++)
        if (r[i]) {
            fprintf(stderr, "%s%s=%" PRIu64, sep, sb_end_reason_name((sb_end_reason)i), r[i]);
            sep = " ";
        }
    fprintf(stderr, "}");
}

static void test_fault_runs(void **state) {
    (void)state;
    totals tot;
    memset(&tot, 0, sizeof tot);
    const char *one = getenv("SB_FAULT_SEED");
    if (one && *one) {
        uint64_t seed = strtoull(one, NULL, 10);
        if (getenv("SB_FAULT_PRINT")) {
            scenario sc;
            make_scenario(seed, &sc);
            print_scenario(&sc);
        }
        run_one(seed, &tot);
    } else {
        uint64_t runs = env_u64("SB_FAULT_RUNS", DEFAULT_RUNS);
        uint64_t first = env_u64("SB_FAULT_FIRST", FIRST_SEED);
        for (uint64_t s = first; s < first + runs; s++)
            run_one(s, &tot);
    }
    fprintf(stderr,
            "faults: %" PRIu64 " runs (%" PRIu64 " clean, %" PRIu64 " lossy, %" PRIu64
            " partitioned, %" PRIu64 " crashed, %" PRIu64 " spiked), calls uac %" PRIu64
            " uas %" PRIu64 ", expiry BYEs checked %" PRIu64 ", refresh counts compared %" PRIu64
            " (%" PRIu64 " racing the BYE), datagrams lost %" PRIu64 " duplicated %" PRIu64
            ", steps %" PRIu64 "; end reasons",
            tot.runs, tot.clean_runs, tot.lossy_runs, tot.partition_runs, tot.crashed_runs,
            tot.spike_runs, tot.calls_uac, tot.calls_uas, tot.expiry_checked, tot.refresh_compared,
            tot.refresh_racy, tot.lost, tot.duplicated, tot.steps);
    print_reasons("uac", tot.reasons[0]);
    print_reasons("uas", tot.reasons[1]);
    fprintf(stderr, "\n");
    assert_true(tot.runs > 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        st_test(test_fault_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
