/* Helpers shared by the simulated-network scenario tests (static inline: one header, no lib). */
#ifndef SIPBEAT_SIMTEST_H
#define SIPBEAT_SIMTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simnet.h"

#define UAC_ADDR "127.0.0.1:5060"
#define UAS_ADDR "127.0.0.2:5060"
#define UAS_URI "sip:service@127.0.0.2:5060"

/* The simulator of the running test. A failed assertion longjmps out of the test, so the
 * teardown frees what the test could not (otherwise LeakSanitizer buries the failure). */
static sb_sim *st_current;

static inline sb_sim *st_new(uint64_t seed) {
    sb_sim *sim = sb_sim_new(seed);
    assert_non_null(sim);
    st_current = sim;
    return sim;
}

static inline void st_free(sb_sim *sim) {
    if (sim == st_current) st_current = NULL;
    sb_sim_free(sim);
}

static inline int st_teardown(void **state) {
    (void)state;
    st_free(st_current);
    return 0;
}

#define st_test(f) cmocka_unit_test_teardown(f, st_teardown)

static inline sb_addr st_addr(const char *s) {
    sb_addr a;
    assert_int_equal(sb_addr_parse(&a, s, strlen(s), 5060), 0);
    return a;
}

/* A config for a test node: defaults plus an address, a seed and roomy limits. */
static inline sb_config st_config(const char *local, uint64_t seed) {
    sb_config c;
    sb_config_init(&c);
    c.local = st_addr(local);
    c.seed = seed;
    c.max_calls = 1000;
    c.max_txns = 4000;
    return c;
}

static inline int st_spawn(sb_sim *sim, const sb_config *cfg) {
    sb_config_error err;
    if (sb_config_check(cfg, &err) != 0) fail_msg("sb_config_check: %s: %s", err.field, err.why);
    int node = sb_sim_spawn(sim, cfg);
    assert_true(node >= 0);
    return node;
}

/* Places a call from node to UAS_ADDR at the current virtual time; returns the handle. */
static inline uint32_t st_call_opts(sb_sim *sim, int node, const sb_call_opts *o) {
    uint32_t h = 0;
    assert_int_equal(sb_engine_call(sb_sim_engine(sim, node), o, sb_sim_now(sim), &h), 0);
    sb_sim_drain(sim);
    return h;
}

static inline sb_call_opts st_opts(uint32_t duration_ms) {
    sb_call_opts o;
    memset(&o, 0, sizeof o);
    o.target_uri = UAS_URI;
    o.dest = st_addr(UAS_ADDR);
    o.duration_ms = duration_ms;
    return o;
}

static inline uint32_t st_call(sb_sim *sim, int node, uint32_t duration_ms) {
    sb_call_opts o = st_opts(duration_ms);
    return st_call_opts(sim, node, &o);
}

/* The final record of the nth call that ended on node, or fails the test. */
static inline const sb_call_stats *st_ended(const sb_sim *sim, int node, int n) {
    const sb_sim_entry *en = sb_sim_event(sim, node, SB_EV_CALL_ENDED, n);
    if (!en || !en->has_stats) {
        sb_sim_dump(sim);
        fail_msg("node %d: no CALL_ENDED #%d", node, n);
    }
    return &en->stats;
}

static inline uint64_t st_ended_at(const sb_sim *sim, int node, int n) {
    const sb_sim_entry *en = sb_sim_event(sim, node, SB_EV_CALL_ENDED, n);
    return en ? en->at_ms : SB_NEVER;
}

/* Asserts that node sent exactly n datagrams matching (prefix, method), at exactly these
 * times. Dumps the log on mismatch so the failure shows what happened instead. */
static inline void st_expect_sends(const sb_sim *sim, int node, const char *prefix,
                                   const char *method, const uint64_t *times, int n) {
    int got = sb_sim_count_sent(sim, node, prefix, method);
    bool ok = got == n;
    for (int i = 0; ok && i < n; i++)
        ok = sb_sim_sent(sim, node, prefix, method, i)->at_ms == times[i];
    if (ok) return;
    sb_sim_dump(sim);
    fprintf(stderr, "node %d '%s' %s: expected %d sends at", node, prefix, method ? method : "*",
            n);
    for (int i = 0; i < n; i++)
        fprintf(stderr, " %llu", (unsigned long long)times[i]);
    fprintf(stderr, "\n  seen %d at", got);
    for (int i = 0; i < got; i++)
        fprintf(stderr, " %llu",
                (unsigned long long)sb_sim_sent(sim, node, prefix, method, i)->at_ms);
    fprintf(stderr, "\n");
    fail_msg("sends of '%s' differ", prefix);
}

static inline void st_expect_no_leaks(const sb_sim *sim, int node) {
    sb_engine_stats es;
    sb_engine_get_stats(sb_sim_engine(sim, node), &es);
    if (es.live_calls != 0 || es.live_txns != 0) sb_sim_dump(sim);
    assert_int_equal(es.live_calls, 0);
    assert_int_equal(es.live_txns, 0);
}

/* The o= line's session version (third field) of an SDP body, or -1. */
static inline long long st_sdp_version(const char *body) {
    const char *o = strncmp(body, "o=", 2) == 0 ? body : strstr(body, "\no=");
    if (!o) return -1;
    o += o[0] == '\n' ? 3 : 2;
    unsigned long long sess_id = 0, version = 0;
    char user[64];
    if (sscanf(o, "%63s %llu %llu", user, &sess_id, &version) != 3) return -1;
    return (long long)version;
}

/* The o= line itself, for "unchanged offer" checks (REF-13). */
static inline void st_sdp_oline(const char *body, char *out, size_t cap) {
    const char *o = strncmp(body, "o=", 2) == 0 ? body : strstr(body, "\no=");
    out[0] = '\0';
    if (!o) return;
    o += o[0] == '\n' ? 1 : 0;
    size_t n = strcspn(o, "\r\n");
    if (n >= cap) n = cap - 1;
    memcpy(out, o, n);
    out[n] = '\0';
}

/* The handle of the nth call that started on node (UAS side handles come from events). */
static inline uint32_t st_started_handle(const sb_sim *sim, int node, int n) {
    const sb_sim_entry *en = sb_sim_event(sim, node, SB_EV_CALL_STARTED, n);
    assert_non_null(en);
    return en->call;
}

/* A fresh simulator with a UAC at UAC_ADDR and a UAS at UAS_ADDR. */
static inline sb_sim *st_pair(uint64_t seed, const sb_config *uac, const sb_config *uas, int *n_uac,
                              int *n_uas) {
    sb_sim *sim = st_new(seed);
    *n_uac = st_spawn(sim, uac);
    *n_uas = st_spawn(sim, uas);
    return sim;
}

#endif
