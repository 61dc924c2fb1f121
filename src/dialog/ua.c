/* The UA's shared state: set up and torn down (the engine owns one, tests may own one too). */
#include "dialog/ua.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sb__ua_init(sb_ua *e, const sb_config *cfg, uint64_t now) {
    memset(e, 0, sizeof *e);
    e->cfg = *cfg;
    snprintf(e->user, sizeof e->user, "%s", cfg->user ? cfg->user : "sipbeat");
    e->cfg.user = e->user;
    if (cfg->auth_password) {
        const char *u = cfg->auth_user ? cfg->auth_user : e->user;
        e->auth_user = strdup(u);
        e->auth_password = strdup(cfg->auth_password);
        if (!e->auth_user || !e->auth_password) {
            free(e->auth_user);
            free(e->auth_password);
            return SB_ENOMEM;
        }
    }
    e->cfg.auth_user = e->auth_user;
    e->cfg.auth_password = e->auth_password;
    sb_addr_format(&cfg->local, e->host, sizeof e->host, false);
    sb_addr_format(&cfg->local, e->hostport, sizeof e->hostport, true);
    snprintf(e->self_uri, sizeof e->self_uri, "sip:%s@%s", e->user, e->host);
    e->rng.s = cfg->seed;
    e->now = now;
    sb_heap_init(&e->heap);
    e->lane_64t1 = sb_heap_lane(&e->heap, 64 * cfg->t1_ms);
    e->lane_t4 = sb_heap_lane(&e->heap, cfg->t4_ms);
    e->lane_d = sb_heap_lane(&e->heap, 32000); /* Timer D: at least 32 s on UDP */
    sb_hmap_init(&e->calls_by_callid);
    sb_hmap_init(&e->calls_by_handle);
    e->txn = (sb_txn_ctx){.heap = &e->heap,
                          .lane_64t1 = e->lane_64t1,
                          .lane_t4 = e->lane_t4,
                          .lane_d = e->lane_d,
                          .t1_ms = cfg->t1_ms,
                          .t2_ms = cfg->t2_ms,
                          .max_txns = cfg->max_txns,
                          .out = &e->out,
                          .tu = &sb__dialog_tu,
                          .tu_ctx = e};
    sb_txn_ctx_init(&e->txn);
    return 0;
}

void sb__ua_free(sb_ua *e) {
    sb__call_free_all(e);
    sb_txn_ctx_free(&e->txn);
    sb_heap_free(&e->heap);
    sb_hmap_free(&e->calls_by_callid);
    sb_hmap_free(&e->calls_by_handle);
    sb_out_free(&e->out);
    free(e->auth_user);
    if (e->auth_password) explicit_bzero(e->auth_password, strlen(e->auth_password));
    free(e->auth_password);
}
