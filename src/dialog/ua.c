/* The UA's shared state: set up and torn down (the engine owns one, tests may own one too). */
#include "dialog/ua.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void ident_free(sb_ident *id) {
    if (id->auth_password) explicit_bzero(id->auth_password, strlen(id->auth_password));
    free(id->auth_password);
    free(id->user);
    free(id->auth_user);
    free(id->display_name);
    free(id->from_uri);
}

static void sb__ua_free_strings(sb_ua *e) {
    for (uint32_t i = 0; i < e->nids; i++)
        ident_free(&e->ids[i]);
    free(e->ids);
    free(e->headers);
    free(e->proxy_route);
    e->ids = NULL;
    e->nids = 0;
    e->headers = e->proxy_route = NULL;
}

/* A display name as a quoted-string: `"` and `\` escaped (RFC 3261 §25.1). */
static char *quote(const char *d) {
    char *q = malloc(2 * strlen(d) + 3), *w = q;
    if (!q) return NULL;
    *w++ = '"';
    for (; *d; d++) {
        if (*d == '"' || *d == '\\') *w++ = '\\';
        *w++ = *d;
    }
    *w++ = '"';
    *w = '\0';
    return q;
}

int sb__ua_add_ident(sb_ua *e, const sb_account *a, uint32_t *id) {
    if (e->nids == UINT32_MAX) return SB_ENOMEM;
    sb_ident *ids = realloc(e->ids, (e->nids + 1) * sizeof *ids);
    if (!ids) return SB_ENOMEM;
    e->ids = ids;
    sb_ident *n = &ids[e->nids];
    memset(n, 0, sizeof *n);
    const char *user = a->user ? a->user : "sipbeat";
    n->user = strdup(user);
    bool ok = n->user != NULL;
    if (a->auth_password) {
        ok &= (n->auth_user = strdup(a->auth_user ? a->auth_user : user)) != NULL;
        ok &= (n->auth_password = strdup(a->auth_password)) != NULL;
    }
    if (a->display_name) ok &= (n->display_name = quote(a->display_name)) != NULL;
    n->from_named = a->from_uri || a->domain;
    if (a->from_uri) {
        ok &= (n->from_uri = strdup(a->from_uri)) != NULL;
    } else {
        const char *dom = a->domain ? a->domain : e->host;
        size_t len = strlen(user) + strlen(dom) + 6;
        if ((n->from_uri = malloc(len))) snprintf(n->from_uri, len, "sip:%s@%s", user, dom);
        ok &= n->from_uri != NULL;
    }
    if (!ok) {
        ident_free(n);
        return SB_ENOMEM;
    }
    if (id) *id = e->nids;
    e->nids++;
    return 0;
}

/* The config's identity (ids[0]) and the route strings, in the forms the request builders write
 * (ua.h). The config was checked (sb_config_check): only memory can fail here. */
static int copy_identity(sb_ua *e, const sb_config *cfg) {
    sb_account self = {.user = cfg->user,
                       .auth_user = cfg->auth_user,
                       .auth_password = cfg->auth_password,
                       .display_name = cfg->display_name,
                       .from_uri = cfg->from_uri};
    if (sb__ua_add_ident(e, &self, NULL) != 0) return SB_ENOMEM;
    size_t n = 0;
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
     * e->ids, e->headers and e->proxy_route, in their written forms. */
    e->cfg.user = e->ids[0].user;
    e->cfg.auth_user = e->ids[0].auth_user;
    e->cfg.auth_password = e->ids[0].auth_password;
    e->cfg.display_name = NULL;
    e->cfg.from_uri = NULL;
    e->cfg.headers = NULL;
    e->cfg.nheaders = 0;
    e->cfg.outbound_proxy = NULL;
    return 0;
}

int sb__ua_init(sb_ua *e, const sb_config *cfg, uint64_t now) {
    memset(e, 0, sizeof *e);
    e->cfg = *cfg;
    sb_addr_format(&cfg->local, e->host, sizeof e->host, false);
    sb_addr_format(&cfg->local, e->hostport, sizeof e->hostport, true);
    if (copy_identity(e, cfg) != 0) {
        sb__ua_free_strings(e);
        return SB_ENOMEM;
    }
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
