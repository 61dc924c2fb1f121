/* The UA's shared state: set up and torn down (the engine owns one, tests may own one too). */
#include "dialog/ua.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void sb__ua_free_strings(sb_ua *e) {
    free(e->auth_user);
    if (e->auth_password) explicit_bzero(e->auth_password, strlen(e->auth_password));
    free(e->auth_password);
    free(e->display_name);
    free(e->from_uri);
    free(e->headers);
    free(e->proxy_route);
    e->auth_user = e->auth_password = e->display_name = e->from_uri = e->headers = e->proxy_route =
        NULL;
}

/* The identity and route strings, in the forms the request builders write (ua.h). The config
 * was checked (sb_config_check): only memory can fail here. */
static int copy_identity(sb_ua *e, const sb_config *cfg) {
    size_t n = 0;
    if (cfg->display_name) { /* quoted-string: `"` and `\` escaped (RFC 3261 §25.1) */
        const char *d = cfg->display_name;
        if (!(e->display_name = malloc(2 * strlen(d) + 3))) return SB_ENOMEM;
        char *w = e->display_name;
        *w++ = '"';
        for (; *d; d++) {
            if (*d == '"' || *d == '\\') *w++ = '\\';
            *w++ = *d;
        }
        *w++ = '"';
        *w = '\0';
    }
    if (cfg->from_uri && !(e->from_uri = strdup(cfg->from_uri))) return SB_ENOMEM;
    for (uint32_t i = 0; i < cfg->nheaders; i++)
        n += strlen(cfg->headers[i]) + 2;
    if (n) {
        if (!(e->headers = malloc(n + 1))) return SB_ENOMEM;
        char *w = e->headers;
        for (uint32_t i = 0; i < cfg->nheaders; i++)
            w += sprintf(w, "%s\r\n", cfg->headers[i]);
    }
    if (cfg->outbound_proxy) {
        const char *u = cfg->outbound_proxy;
        sb_slice lr;
        /* the URI's own parameters come after its host; lr is added unless it is there */
        bool has_lr = sb_param_get((sb_slice){u, strlen(u)}, "lr", &lr);
        if (!(e->proxy_route = malloc(strlen(u) + 6))) return SB_ENOMEM;
        sprintf(e->proxy_route, "<%s%s>", u, has_lr ? "" : ";lr");
        if (sb__proxy_addr(u, &e->proxy_addr) != 0) return SB_EINVAL;
    }
    /* The copy of the config keeps no pointer into the caller's memory: the builders read
     * e->display_name, e->headers and e->proxy_route, in their written forms. */
    e->cfg.display_name = NULL;
    e->cfg.from_uri = e->from_uri;
    e->cfg.headers = NULL;
    e->cfg.nheaders = 0;
    e->cfg.outbound_proxy = NULL;
    return 0;
}

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
    if (copy_identity(e, cfg) != 0) {
        sb__ua_free_strings(e);
        return SB_ENOMEM;
    }
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
    sb__reg_free_all(e);
    sb_txn_ctx_free(&e->txn);
    sb_heap_free(&e->heap);
    sb_hmap_free(&e->calls_by_callid);
    sb_hmap_free(&e->calls_by_handle);
    sb_out_free(&e->out);
    sb__ua_free_strings(e);
}
