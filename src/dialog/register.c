/* Registrations (RFC 3261 §10): binding our Contact to an address-of-record at a registrar.
 *
 * IMPLEMENTATION NOTES
 * A registration is its own transaction user beside the calls: its REGISTER transactions carry
 * SB_PURPOSE_REGISTER and the registration as their user pointer, and dialog/tu.c hands their
 * reports here. Every REGISTER of one registration has the same Call-ID and From tag, the next
 * CSeq (§10.2.4), To and From the AOR, the Request-URI the AOR without its user part, and our
 * Contact (the one calls carry) with ;expires= and an Expires header of the same value.
 *
 * Digest challenges go through dialog/auth.c like a call's: the registration owns an sb_auth;
 * sb__auth_challenge keeps the challenge (the REGISTER goes again, next CSeq) or says the
 * answer was refused (the registration ends auth_failed: each REGISTER is sent at most twice);
 * every later REGISTER answers the kept challenges at once (§22.3).
 *
 * A 2xx grants the expires parameter of the Contact that is ours, else the Expires header,
 * else what we asked. The refresh goes max(granted/2, granted - 32 s) after the 2xx: half way
 * for short bindings, 32 s (a non-INVITE transaction's whole life, 64*T1) ahead for long
 * ones, which is at least 5 s ahead whenever granted >= 10 s. A 423 is retried with its
 * Min-Expires when that is larger than what we asked, up to SB_REG_MAX_423 times in a row.
 * Any other failure (a final error, Timer F, a transport error) ends the registration failed:
 * a tester wants to see it, not have it papered over. Unregistering sends the same Contact with
 * expires=0 once the REGISTER in progress is answered. Memory: the struct (328 bytes on
 * x86-64, of which the record's unused aor[] is 128: its AOR is copied in only for events) and
 * one allocation for its three strings. */
#include "dialog/ua.h"

#include <stdlib.h>
#include <string.h>

static void reg_free(sb_ua *e, sb_reg *r) {
    sb_tmr_cancel(&e->heap, &r->refresh);
    sb_txn_orphan_all(&r->txns, e->now);
    if (r->prev)
        r->prev->next = r->next;
    else
        e->regs = r->next;
    if (r->next) r->next->prev = r->prev;
    e->live_regs--;
    sb_heap_release(&e->heap, 1);
    sb__auth_release(&r->auth);
    free(r->aor);
    free(r);
}

void sb__reg_free_all(sb_ua *e) {
    while (e->regs)
        reg_free(e, e->regs);
}

sb_reg *sb__reg_by_handle(const sb_ua *e, uint32_t handle) {
    for (sb_reg *r = e->regs; r; r = r->next)
        if (r->handle == handle) return r;
    return NULL;
}

static void reg_emit(sb_ua *e, sb_event_type type, sb_reg *r, int status, uint64_t value) {
    e->out.now = e->now;
    sb_qev *q = sb_out_push(&e->out);
    if (!q) return;
    q->ev.type = type;
    q->ev.call = r->handle;
    q->ev.status = status;
    q->ev.value = value;
    sb_reg_stats rec = r->stats;
    size_t n = strlen(r->aor);
    memcpy(rec.aor, r->aor, n + 1); /* checked shorter than rec.aor by sb__reg_new */
    q->stats_off = sb_out_put(&e->out, &rec, sizeof rec);
    q->has_stats = q->stats_off != SIZE_MAX;
    q->is_reg = true;
}

/* The final event (failed or unregistered) with the record, and the registration is freed. */
static void reg_end(sb_ua *e, sb_reg *r, sb_reg_result res, int status) {
    r->stats.result = res;
    reg_emit(e, res == SB_REG_UNREGISTERED ? SB_EV_REG_UNREGISTERED : SB_EV_REG_FAILED, r, status,
             0);
    reg_free(e, r);
}

static void put_contact_uri(const sb_ua *e, const sb_reg *r, sb_buf *b) {
    sb_buf_str(b, "sip:");
    sb_buf_str(b, sb__ident(e, r->ident)->user);
    sb_buf_str(b, "@");
    sb_buf_str(b, e->hostport);
}

/* Sends the next REGISTER: expires=0 when unregistering, else what we ask. 0 or SB_ELIMIT. */
static int send_register(sb_ua *e, sb_reg *r, uint64_t now) {
    uint32_t exp = r->state == SB_RS_UNREGISTERING ? 0 : r->ask_s;
    char msg[SB_MAX_OUT], branch[48];
    sb_buf b;
    sb_buf_init(&b, msg, sizeof msg);
    sb__new_branch(e, branch);
    r->cseq++;
    sb_buf_str(&b, "REGISTER ");
    sb_buf_str(&b, r->ruri);
    sb_buf_str(&b, " SIP/2.0\r\nVia: SIP/2.0/UDP ");
    sb_buf_str(&b, e->hostport);
    sb_buf_str(&b, ";branch=");
    sb_buf_str(&b, branch);
    sb_buf_str(&b, ";rport\r\nMax-Forwards: 70\r\n");
    if (e->proxy_route) {
        sb_buf_str(&b, "Route: ");
        sb_buf_str(&b, e->proxy_route);
        sb_buf_str(&b, "\r\n");
    }
    sb_buf_str(&b, "From: <");
    sb_buf_str(&b, r->aor);
    sb_buf_str(&b, ">;tag=");
    sb_buf_str(&b, r->tag);
    sb_buf_str(&b, "\r\nTo: <");
    sb_buf_str(&b, r->aor);
    sb_buf_str(&b, ">\r\nCall-ID: ");
    sb_buf_str(&b, r->call_id);
    sb_buf_str(&b, "\r\nCSeq: ");
    sb_buf_u64(&b, r->cseq);
    sb_buf_str(&b, " REGISTER\r\nContact: <");
    put_contact_uri(e, r, &b);
    sb_buf_str(&b, ">;expires=");
    sb_buf_u64(&b, exp);
    sb_buf_str(&b, "\r\nExpires: ");
    sb_buf_u64(&b, exp);
    sb_buf_str(&b, "\r\n");
    sb__auth_answer(e, sb__ident(e, r->ident), r->auth, &b, SB_METHOD_REGISTER, r->ruri, NULL, 0);
    sb_buf_str(&b, "User-Agent: sipbeat\r\n");
    sb__req_finish(&b, NULL, NULL, 0);
    if (b.overflow) return SB_ELIMIT;
    r->txn = sb_txn_client_start(&e->txn, r, &r->txns, SB_METHOD_REGISTER, SB_PURPOSE_REGISTER,
                                 &r->dest, branch, r->cseq, msg, b.len, now);
    if (!r->txn) return SB_ELIMIT;
    r->stats.registers_sent++;
    return 0;
}

static void on_refresh(void *owner, sb_tmr *t, uint64_t now) {
    (void)t;
    sb_reg *r = owner;
    sb_ua *e = r->eng;
    if (r->state != SB_RS_REGISTERED || r->txn) return;
    if (send_register(e, r, now) != 0) {
        r->stats.failures++;
        reg_end(e, r, SB_REG_FAILED, 0);
    }
}

static void start_unregister(sb_ua *e, sb_reg *r, uint64_t now) {
    sb_tmr_cancel(&e->heap, &r->refresh);
    r->state = SB_RS_UNREGISTERING;
    r->unreg_wanted = 0;
    if (send_register(e, r, now) != 0) {
        r->stats.failures++;
        reg_end(e, r, SB_REG_FAILED, 0);
    }
}

void sb__reg_unregister(sb_ua *e, sb_reg *r, uint64_t now) {
    if (r->state == SB_RS_UNREGISTERING) return;
    if (r->txn) { /* after the answer to the REGISTER in progress */
        r->unreg_wanted = 1;
        return;
    }
    start_unregister(e, r, now);
}

/* delta-seconds of a header we do not index (Expires, Min-Expires): 0 and *v, or -1. */
static int other_hdr_secs(const sb_msg *m, const char *name, uint32_t *v) {
    for (uint16_t i = 0; i < m->nhdrs; i++)
        if (m->hdrs[i].id == SB_HDR_OTHER && sb_slice_ieq(m->hdrs[i].name, name))
            return sb_parse_min_se(m->hdrs[i].value, v) == 0 ? 0 : -1;
    return -1;
}

/* The expiry a 2xx grants our binding (§10.2.4): our Contact's expires parameter, else the
 * Expires header, else what we asked. */
static uint32_t granted_expiry(const sb_ua *e, const sb_reg *r, const sb_msg *m) {
    char mine[160];
    sb_buf b;
    sb_buf_init(&b, mine, sizeof mine);
    put_contact_uri(e, r, &b);
    sb_slice own = {mine, b.len};
    for (uint16_t i = 0; i < m->nhdrs; i++) {
        if (m->hdrs[i].id != SB_HDR_CONTACT) continue;
        size_t pos = 0;
        sb_slice item, v;
        while (sb_list_next(m->hdrs[i].value, &pos, &item)) {
            sb_slice uri = sb_nameaddr_uri(item);
            /* ours, perhaps with URI parameters the registrar kept */
            if (uri.n < own.n || !sb_slice_ieq2((sb_slice){uri.p, own.n}, own) ||
                (uri.n > own.n && uri.p[own.n] != ';'))
                continue;
            uint32_t x;
            if (sb_param_get(item, "expires", &v) && sb_parse_min_se(v, &x) == 0) return x;
        }
    }
    uint32_t x;
    if (other_hdr_secs(m, "Expires", &x) == 0) return x;
    return r->ask_s;
}

/* When the binding is refreshed, granted_s after the 2xx: max(granted/2, granted - 32 s). */
static uint64_t refresh_delay_ms(uint32_t granted_s) {
    uint64_t half = (uint64_t)granted_s * 500;
    uint64_t early = granted_s > 32 ? ((uint64_t)granted_s - 32) * 1000 : 0;
    return half > early ? half : early;
}

void sb__reg_response(sb_reg *r, sb_txn *t, const sb_msg *m, uint64_t now) {
    if (m->status < 200 || t != r->txn) return;
    sb_ua *e = r->eng;
    r->txn = NULL;
    r->stats.final_status_code = (uint16_t)m->status;
    switch (sb__auth_challenge(e, sb__ident(e, r->ident), &r->auth, m, t->cseq, r->cseq + 1, true,
                               &r->stats.auth_challenges)) {
    case SB_AUTH_RESEND:
        if (send_register(e, r, now) == 0) return;
        r->stats.failures++;
        reg_end(e, r, SB_REG_FAILED, m->status);
        return;
    case SB_AUTH_REFUSED:
        r->stats.failures++;
        reg_end(e, r, SB_REG_AUTH_FAILED, m->status);
        return;
    default:
        break;
    }
    uint32_t min;
    if (m->status == 423 && r->state != SB_RS_UNREGISTERING && r->n423 < SB_REG_MAX_423 &&
        other_hdr_secs(m, "Min-Expires", &min) == 0 && min > r->ask_s) {
        r->n423++;
        r->ask_s = min;
        if (send_register(e, r, now) == 0) return;
    }
    if (m->status >= 300) {
        r->stats.failures++;
        reg_end(e, r, SB_REG_FAILED, m->status);
        return;
    }
    r->n423 = 0;
    if (r->state == SB_RS_UNREGISTERING) {
        reg_end(e, r, SB_REG_UNREGISTERED, m->status);
        return;
    }
    uint32_t granted = granted_expiry(e, r, m);
    if (granted == 0) { /* the registrar dropped the binding we asked for */
        r->stats.failures++;
        reg_end(e, r, SB_REG_FAILED, m->status);
        return;
    }
    bool first = r->state == SB_RS_REGISTERING;
    r->state = SB_RS_REGISTERED;
    r->stats.result = SB_REG_REGISTERED;
    r->stats.expires_s = granted;
    if (!first) r->stats.refreshes++;
    reg_emit(e, first ? SB_EV_REG_REGISTERED : SB_EV_REG_REFRESHED, r, m->status, granted);
    if (r->unreg_wanted) {
        start_unregister(e, r, now);
        return;
    }
    sb_tmr_arm(&e->heap, &r->refresh, now + refresh_delay_ms(granted)); /* slot reserved */
}

void sb__reg_timeout(sb_reg *r, sb_txn *t, int status, uint64_t now) {
    (void)now;
    if (t != r->txn) return;
    r->txn = NULL;
    r->stats.final_status_code = (uint16_t)status;
    r->stats.failures++;
    reg_end(r->eng, r, SB_REG_FAILED, status);
}

void sb__reg_gone(sb_reg *r, sb_txn *t) {
    if (r->txn == t) r->txn = NULL;
}

int sb__reg_new(sb_ua *e, const sb_reg_opts *o, uint64_t now, uint32_t *handle) {
    char own[160];
    sb_buf b;
    const char *aor = o->aor;
    if (o->account >= e->nids) return SB_EINVAL;
    const sb_ident *id = sb__ident(e, o->account);
    if (!aor && id->from_named) aor = id->from_uri;
    if (!aor) {
        char host[64];
        sb_addr_format(&o->dest, host, sizeof host, false);
        sb_buf_init(&b, own, sizeof own);
        sb_buf_str(&b, "sip:");
        sb_buf_str(&b, id->user);
        sb_buf_str(&b, "@");
        sb_buf_str(&b, host);
        sb_buf_put(&b, "", 1);
        if (b.overflow) return SB_EINVAL;
        aor = own;
    }
    size_t alen = strlen(aor);
    if (alen >= sizeof((sb_reg_stats){0}.aor) || !sb__sip_uri_ok(aor)) return SB_EINVAL;
    /* The Request-URI: the AOR's scheme and what follows its userinfo (§10.2) */
    const char *colon = strchr(aor, ':');
    const char *at = strchr(colon, '@');
    size_t slen = (size_t)(colon - aor) + 1;
    const char *rest = at ? at + 1 : colon + 1;
    size_t rlen = slen + strlen(rest);
    char cid[48];
    sb_rng_hex(&e->rng, cid, 20);
    size_t clen = 20 + 1 + strlen(e->host);
    sb_reg *r = calloc(1, sizeof *r);
    char *s = malloc(alen + 1 + rlen + 1 + clen + 1);
    if (!r || !s || sb_heap_reserve(&e->heap, 1) != 0) {
        free(r);
        free(s);
        e->stats.resource_failures++;
        return SB_ENOMEM;
    }
    r->aor = s;
    memcpy(s, aor, alen + 1);
    r->ruri = s + alen + 1;
    memcpy(r->ruri, aor, slen);
    memcpy(r->ruri + slen, rest, strlen(rest) + 1);
    r->call_id = r->ruri + rlen + 1;
    memcpy(r->call_id, cid, 20);
    r->call_id[20] = '@';
    memcpy(r->call_id + 21, e->host, strlen(e->host) + 1);
    r->eng = e;
    r->handle = ++e->next_handle;
    r->ident = o->account;
    sb_rng_hex(&e->rng, r->tag, 16);
    r->cseq = (uint32_t)sb_rng_range(&e->rng, 0, 9998);
    r->ask_s = o->expires_s ? o->expires_s : SB_REG_DEFAULT_EXPIRES_S;
    r->dest = e->proxy_route ? e->proxy_addr : o->dest;
    sb_tmr_init(&r->refresh, on_refresh, r);
    r->next = e->regs;
    if (e->regs) e->regs->prev = r;
    e->regs = r;
    e->live_regs++;
    if (handle) *handle = r->handle;
    if (send_register(e, r, now) != 0) {
        r->stats.failures++;
        reg_end(e, r, SB_REG_FAILED, 0);
    }
    return 0;
}
