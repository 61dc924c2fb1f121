/* Call (dialog) lifecycle and the message builders every verb uses (RFC 3261 §8, §12). */
#include "dialog/ua.h"

#include <stdlib.h>
#include <string.h>

/* A field points into the block, or at a string that outlives the dialog (borrowed). */
static bool in_block(const sb_dialog *d, const char *p) {
    uintptr_t a = (uintptr_t)p, lo = (uintptr_t)d->strs;
    return p && d->strs && a >= lo && a < lo + d->strs_len;
}

int sb__dlg_set_many(sb_dialog *d, size_t n, char **const fields[], const sb_slice vals[]) {
    char **f[] = {&d->call_id,    &d->remote_tag,    &d->local_uri,
                  &d->remote_uri, &d->remote_target, &d->route};
    enum { N = sizeof f / sizeof f[0] };
    const char *src[N];
    size_t len[N], total = 0;
    for (size_t i = 0; i < N; i++) {
        src[i] = in_block(d, *f[i]) ? *f[i] : NULL; /* NULL or borrowed: kept as is */
        len[i] = src[i] ? strlen(src[i]) : 0;
        for (size_t k = 0; k < n; k++) {
            if (fields[k] != f[i]) continue;
            src[i] = vals[k].p ? vals[k].p : "";
            len[i] = vals[k].n;
        }
        total += src[i] && len[i] ? len[i] + 1 : 0;
    }
    if (total > UINT32_MAX) return SB_ENOMEM;
    char *blk = total ? malloc(total) : NULL;
    if (total && !blk) return SB_ENOMEM;
    char *w = blk;
    for (size_t i = 0; i < N; i++) {
        if (!src[i]) continue;
        if (!len[i]) {
            *f[i] = NULL;
            continue;
        }
        memcpy(w, src[i], len[i]);
        w[len[i]] = '\0';
        *f[i] = w;
        w += len[i] + 1;
    }
    free(d->strs);
    d->strs = blk;
    d->strs_len = (uint32_t)total;
    return 0;
}

int sb__dlg_set(sb_dialog *d, char **field, sb_slice s) {
    return sb__dlg_set_many(d, 1, (char **const[]){field}, &s);
}

void sb__dlg_free(sb_dialog *d) {
    free(d->strs);
    d->strs = NULL;
    d->strs_len = 0;
}

sb_call_notes *sb__notes(sb_ua *e, sb_call *c) {
    if (!c->notes) c->notes = calloc(1, sizeof *c->notes);
    if (!c->notes) e->stats.resource_failures++;
    return c->notes;
}

void sb__set_final(sb_ua *e, sb_call *c, int status, const char *phrase, size_t n) {
    c->stats.final_status_code = (uint16_t)status;
    const char *std = sb__reason_phrase(status);
    c->stats.own_phrase = phrase && !(strlen(std) == n && memcmp(std, phrase, n) == 0);
    if (!c->stats.own_phrase) return;
    sb_call_notes *x = sb__notes(e, c);
    if (!x) {
        c->stats.own_phrase = 0;
        return;
    }
    if (n > sizeof x->final_reason_phrase - 1) n = sizeof x->final_reason_phrase - 1;
    memcpy(x->final_reason_phrase, phrase, n);
    x->final_reason_phrase[n] = '\0';
}

static void copy_str(char *dst, size_t cap, const char *s) {
    size_t n = s ? strlen(s) : 0;
    if (n > cap - 1) n = cap - 1;
    memcpy(dst, s ? s : "", n);
    dst[n] = '\0';
}

void sb__record(const sb_ua *e, const sb_call *c, sb_call_stats *o) {
    memset(o, 0, sizeof *o);
    const sb_call_rec *r = &c->stats;
#define SB__REC_COPY(type, name) o->name = r->name;
    SB_REC_FIELDS(SB__REC_COPY)
#undef SB__REC_COPY
    o->role = (sb_role)c->role;
    o->session_timer_mode = e->cfg.timer.mode;
    copy_str(o->call_id, sizeof o->call_id, c->dlg.call_id);
    const sb_call_notes *x = c->notes;
    if (r->own_phrase && x)
        copy_str(o->final_reason_phrase, sizeof o->final_reason_phrase, x->final_reason_phrase);
    else if (r->final_status_code)
        copy_str(o->final_reason_phrase, sizeof o->final_reason_phrase,
                 sb__reason_phrase(r->final_status_code));
    if (x) {
        copy_str(o->remote_reason_protocol, sizeof o->remote_reason_protocol,
                 x->remote_reason_protocol);
        copy_str(o->remote_reason_text, sizeof o->remote_reason_text, x->remote_reason_text);
        copy_str(o->evidence, sizeof o->evidence, x->evidence);
    }
}

static void on_ok_retx(void *owner, sb_tmr *t, uint64_t now);

static void on_phase_tmr(void *owner, sb_tmr *t, uint64_t now) {
    (void)t;
    sb_call *c = owner;
    if (c->stats.answer_ms)
        sb__talk_due(c, now);
    else
        sb__ring_due(c, now);
}

/* The heap timers a call embeds (ok, phase, media, and the session timer's two): their
 * slots are reserved when the call is made, so arming them never fails later. */
#define CALL_TIMERS 5

sb_call *sb__call_new(sb_ua *e, sb_role role, uint64_t now) {
    if (e->stats.live_calls >= e->cfg.max_calls) return NULL;
    sb_call *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    if (sb_heap_reserve(&e->heap, CALL_TIMERS) != 0) {
        free(c);
        return NULL;
    }
    c->eng = e;
    c->handle = ++e->next_handle;
    c->role = (uint8_t)role;
    c->stats.start_ms = now;
    sb_rng_hex(&e->rng, c->dlg.local_tag, 16);
    c->oa.sdp.sess_id = sb_rng_next(&e->rng) % 1000000000ull + 1;
    c->oa.sdp.version = 1;
    c->oa.sdp.port = (uint16_t)(10000 + 2 * (c->handle % 20000));
    sb_tmr_init(&c->sc.phase_tmr, on_phase_tmr, c);
    sb_tmr_init(&c->sc.media_tmr, sb__on_media_tmr, c);
    sb__st_init(e, c);
    sb_hmap_add(&e->calls_by_handle, &c->by_handle, c->handle);
    c->next = e->live;
    if (e->live) e->live->prev = c;
    e->live = c;
    e->stats.live_calls++;
    e->stats.calls_started++;
    if (e->stats.live_calls > e->stats.peak_calls) e->stats.peak_calls = e->stats.live_calls;
    return c;
}

/* Sets the call's Call-ID (the public record gets a copy cut to fit) and indexes the call. */
int sb__call_index(sb_ua *e, sb_call *c, sb_slice call_id) {
    bool indexed = c->dlg.call_id != NULL;
    int rc = sb__dlg_set(&c->dlg, &c->dlg.call_id, call_id);
    if (rc) return rc;
    if (indexed) sb_hmap_del(&e->calls_by_callid, &c->by_callid);
    if (c->dlg.call_id)
        sb_hmap_add(&e->calls_by_callid, &c->by_callid,
                    sb_hash(c->dlg.call_id, strlen(c->dlg.call_id), 0));
    return 0;
}

sb_call *sb__call_find(sb_ua *e, sb_slice call_id, sb_slice local_tag, sb_slice remote_tag) {
    (void)remote_tag; /* one dialog per Call-ID and local tag: forks are not followed (UAC-14) */
    uint64_t h = sb_hash(call_id.p, call_id.n, 0);
    for (sb_hnode *n = sb_hmap_first(&e->calls_by_callid, h); n; n = sb_hmap_next(n, h)) {
        sb_call *c = (sb_call *)((char *)n - offsetof(sb_call, by_callid));
        if (strlen(c->dlg.call_id) == call_id.n &&
            memcmp(c->dlg.call_id, call_id.p, call_id.n) == 0 &&
            strlen(c->dlg.local_tag) == local_tag.n &&
            memcmp(c->dlg.local_tag, local_tag.p, local_tag.n) == 0)
            return c;
    }
    return NULL;
}

sb_call *sb__call_by_handle(const sb_ua *e, uint32_t handle) {
    for (sb_hnode *n = sb_hmap_first(&e->calls_by_handle, handle); n; n = sb_hmap_next(n, handle)) {
        sb_call *c = (sb_call *)((char *)n - offsetof(sb_call, by_handle));
        if (c->handle == handle) return c;
    }
    return NULL;
}

static void call_free(sb_ua *e, sb_call *c) {
    sb__ok_acked(e, c);
    sb_tmr_cancel(&e->heap, &c->sc.phase_tmr);
    sb_tmr_cancel(&e->heap, &c->sc.media_tmr);
    sb__st_stop(e, c);
    sb_txn_orphan_all(&c->txns, e->now);
    if (c->dlg.call_id) sb_hmap_del(&e->calls_by_callid, &c->by_callid);
    sb_hmap_del(&e->calls_by_handle, &c->by_handle);
    if (c->prev)
        c->prev->next = c->next;
    else
        e->live = c->next;
    if (c->next) c->next->prev = c->prev;
    e->stats.live_calls--;
    sb_heap_release(&e->heap, CALL_TIMERS);
    sb__dlg_free(&c->dlg);
    sb__auth_free(c);
    free(c->notes);
    free(c);
}

void sb__call_end(sb_ua *e, sb_call *c, sb_result result, sb_end_reason why, bool by_remote,
                  uint64_t now) {
    if (c->state == SB_CS_ENDED) return;
    c->state = SB_CS_ENDED;
    if (result == SB_RESULT_NONE) /* ended before any answer we know of */
        result = c->cancel_sent ? SB_RESULT_CANCELLED : SB_RESULT_FAILED;
    if (c->stats.result == SB_RESULT_NONE || result != SB_RESULT_ANSWERED) c->stats.result = result;
    c->stats.end_reason = why;
    c->stats.ended_by_remote = by_remote;
    c->stats.end_ms = now;
    if (c->st.se_s && now >= c->st.t0_ms) {
        uint64_t since = now - c->st.t0_ms;
        c->stats.session_timer_since_refresh_ms = since > UINT32_MAX ? UINT32_MAX : (uint32_t)since;
    }
    e->stats.calls_ended++;
    sb__emit(e, SB_EV_CALL_ENDED, c, c->stats.final_status_code, 0, sb_end_reason_name(why));
    call_free(e, c);
}

/* Hangs up the whole engine (shutdown, engine free). */
void sb__call_free_all(sb_ua *e) {
    while (e->live)
        call_free(e, e->live);
}

void sb__new_branch(sb_ua *e, char out[48]) {
    memcpy(out, "z9hG4bK", 7);
    sb_rng_hex(&e->rng, out + 7, 20);
}

/* name: [display ]<uri>[;tag=tag]; display is already a quoted string, or NULL. */
static void put_uri_hdr(sb_buf *b, const char *name, const char *display, const char *uri,
                        const char *tag) {
    sb_buf_str(b, name);
    sb_buf_str(b, ": ");
    if (display) {
        sb_buf_str(b, display);
        sb_buf_str(b, " ");
    }
    sb_buf_str(b, "<");
    sb_buf_str(b, uri ? uri : "");
    sb_buf_str(b, ">");
    if (tag && tag[0]) {
        sb_buf_str(b, ";tag=");
        sb_buf_str(b, tag);
    }
    sb_buf_str(b, "\r\n");
}

/* Contact (with user: the identity's), Allow, Supported. */
static void put_common(sb_ua *e, sb_buf *b, const char *user, bool supported) {
    sb_buf_str(b, "Contact: <sip:");
    sb_buf_str(b, user);
    sb_buf_str(b, "@");
    sb_buf_str(b, e->hostport);
    sb_buf_str(b, ">\r\n" SB_ALLOW_HDR);
    /* UAC-1: `timer` in Supported whenever timers are enabled; never when disabled. */
    if (supported && e->cfg.timer.mode != SB_TIMER_OFF) sb_buf_str(b, "Supported: timer\r\n");
}

void sb__req_begin(sb_ua *e, sb_call *c, sb_buf *b, sb_method m, uint32_t cseq,
                   const char *branch) {
    const char *name = sb_method_name(m);
    const char *ruri = sb__req_uri(c);
    sb_buf_str(b, name);
    sb_buf_str(b, " ");
    sb_buf_str(b, ruri);
    sb_buf_str(b, " SIP/2.0\r\nVia: SIP/2.0/UDP ");
    sb_buf_str(b, e->hostport);
    sb_buf_str(b, ";branch=");
    sb_buf_str(b, branch);
    sb_buf_str(b, ";rport\r\nMax-Forwards: 70\r\n");
    /* Our display name on every request of a call we place, so the CANCEL's From is the
     * INVITE's (§9.1) */
    const sb_ident *id = sb__ident(e, c->ident);
    put_uri_hdr(b, "From", c->role == SB_ROLE_UAC ? id->display_name : NULL, c->dlg.local_uri,
                c->dlg.local_tag);
    put_uri_hdr(b, "To", NULL, c->dlg.remote_uri, c->dlg.remote_tag);
    sb_buf_str(b, "Call-ID: ");
    sb_buf_str(b, c->dlg.call_id ? c->dlg.call_id : "");
    sb_buf_str(b, "\r\nCSeq: ");
    sb_buf_u64(b, cseq);
    sb_buf_str(b, " ");
    sb_buf_str(b, name);
    sb_buf_str(b, "\r\n");
    if (c->dlg.route) {
        sb_buf_str(b, "Route: ");
        sb_buf_str(b, c->dlg.route);
        sb_buf_str(b, "\r\n");
    }
    if (m == SB_METHOD_CANCEL) {
        /* UAC-1: `timer` in Supported on every request but ACK, CANCEL included */
        if (e->cfg.timer.mode != SB_TIMER_OFF) sb_buf_str(b, "Supported: timer\r\n");
    } else if (m != SB_METHOD_ACK) {
        put_common(e, b, id->user, true);
    }
    sb_buf_str(b, "User-Agent: sipbeat\r\n");
}

void sb__req_finish(sb_buf *b, const char *ctype, const char *body, size_t body_len) {
    if (body_len) {
        sb_buf_str(b, "Content-Type: ");
        sb_buf_str(b, ctype);
        sb_buf_str(b, "\r\n");
    }
    sb_buf_str(b, "Content-Length: ");
    sb_buf_u64(b, body_len);
    sb_buf_str(b, "\r\n\r\n");
    sb_buf_put(b, body, body_len);
}

const char *sb__reason_phrase(int status) {
    switch (status) {
    case 100:
        return "Trying";
    case 180:
        return "Ringing";
    case 183:
        return "Session Progress";
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 420:
        return "Bad Extension";
    case 421:
        return "Extension Required";
    case 422:
        return "Session Interval Too Small";
    case 480:
        return "Temporarily Unavailable";
    case 481:
        return "Call/Transaction Does Not Exist";
    case 486:
        return "Busy Here";
    case 487:
        return "Request Terminated";
    case 488:
        return "Not Acceptable Here";
    case 491:
        return "Request Pending";
    case 500:
        return "Server Internal Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 600:
        return "Busy Everywhere";
    case 603:
        return "Decline";
    default:
        return status < 300 ? "OK" : "Error";
    }
}

size_t sb__resp_build(sb_ua *e, const sb_msg *m, int status, const char *reason, const char *tag,
                      const char *extra, size_t extra_len, const char *ctype, const char *body,
                      size_t body_len, char *out, size_t cap) {
    sb_buf b;
    sb_buf_init(&b, out, cap);
    sb_buf_str(&b, "SIP/2.0 ");
    sb_buf_u64(&b, (uint64_t)status);
    sb_buf_str(&b, " ");
    sb_buf_str(&b, reason ? reason : sb__reason_phrase(status));
    sb_buf_str(&b, "\r\n");
    bool dialog = (m->method == SB_METHOD_INVITE && status > 100 && status < 300) ||
                  (m->method == SB_METHOD_UPDATE && status >= 200 && status < 300);
    for (uint16_t i = 0; i < m->nhdrs; i++) {
        const sb_hdr *h = &m->hdrs[i];
        switch (h->id) {
        case SB_HDR_VIA:
            sb_buf_hdr(&b, "Via", h->value);
            break;
        case SB_HDR_FROM:
            sb_buf_hdr(&b, "From", h->value);
            break;
        case SB_HDR_CALL_ID:
            sb_buf_hdr(&b, "Call-ID", h->value);
            break;
        case SB_HDR_CSEQ:
            sb_buf_hdr(&b, "CSeq", h->value);
            break;
        case SB_HDR_RECORD_ROUTE:
            if (dialog && m->method == SB_METHOD_INVITE) sb_buf_hdr(&b, "Record-Route", h->value);
            break;
        case SB_HDR_TO:
            sb_buf_hdr(&b, "To", h->value);
            if (tag && status > 100 && !m->to_tag.n) {
                b.len -= 2; /* append the tag before the CRLF */
                sb_buf_str(&b, ";tag=");
                sb_buf_str(&b, tag);
                sb_buf_str(&b, "\r\n");
            }
            break;
        default:
            break;
        }
    }
    /* Calls we answer speak as the config's identity */
    if (dialog || (m->method == SB_METHOD_OPTIONS && status < 300))
        put_common(e, &b, e->ids[0].user, true);
    sb_buf_str(&b, "Server: sipbeat\r\n");
    sb_buf_put(&b, extra, extra_len);
    sb__req_finish(&b, ctype, body, body_len);
    return b.overflow ? 0 : b.len;
}

bool sb__uri_usable(sb_slice uri) {
    if (uri.n == 0 || uri.n > 2048) return false;
    for (size_t i = 0; i < uri.n; i++) {
        unsigned char ch = (unsigned char)uri.p[i];
        if (ch <= ' ' || ch >= 0x7f || ch == '<' || ch == '>' || ch == '"') return false;
    }
    const char *colon = memchr(uri.p, ':', uri.n);
    if (!colon || colon == uri.p) return false; /* a scheme */
    /* the same test the parser applies to a Request-URI, so what we send parses */
    size_t scheme = (size_t)(colon - uri.p);
    bool sip = (scheme == 3 && sb_slice_ieq((sb_slice){uri.p, 3}, "sip")) ||
               (scheme == 4 && sb_slice_ieq((sb_slice){uri.p, 4}, "sips"));
    return !sip || sb_uri_hostport(uri, NULL, NULL) == 0;
}

bool sb__sip_uri_ok(const char *u) {
    size_t n = strlen(u);
    sb_slice s = {u, n};
    bool sip = (n > 4 && sb_slice_ieq((sb_slice){u, 4}, "sip:")) ||
               (n > 5 && sb_slice_ieq((sb_slice){u, 5}, "sips:"));
    return sip && sb__uri_usable(s);
}

int sb__proxy_addr(const char *uri, sb_addr *out) {
    sb_slice host;
    uint16_t port = 0;
    if (!sb__sip_uri_ok(uri) || sb_uri_hostport((sb_slice){uri, strlen(uri)}, &host, &port) != 0 ||
        host.n == 0 || sb_addr_parse(out, host.p, host.n, 5060) != 0)
        return SB_EINVAL;
    if (port) out->port = port;
    return 0;
}

void sb__reply(sb_ua *e, sb_txn *t, const sb_msg *m, const sb_addr *to, int status,
               const char *extra, uint64_t now) {
    sb__reply_reason(e, t, m, to, status, NULL, extra, now);
}

void sb__reply_reason(sb_ua *e, sb_txn *t, const sb_msg *m, const sb_addr *to, int status,
                      const char *reason, const char *extra, uint64_t now) {
    char out[SB_MAX_OUT];
    char tag[12];
    sb_rng_hex(&e->rng, tag, 10);
    size_t n = sb__resp_build(e, m, status, reason, tag, extra, extra ? strlen(extra) : 0, NULL,
                              NULL, 0, out, sizeof out);
    if (!n) return;
    if (t)
        sb_txn_respond(t, status, out, n, now);
    else
        sb__send(e, to, out, n);
}

size_t sb__sdp_body(sb_ua *e, sb_call *c, char *out, size_t cap) {
    sb_buf b;
    sb_buf_init(&b, out, cap);
    sb_sdp_write(&b, &c->oa.sdp, &e->cfg.local);
    return b.overflow ? 0 : b.len;
}

/* Dialog state from a dialog-creating message (RFC 3261 §12.1). For the UAS, m is the INVITE:
 * the remote tag and URI from From, the local URI from To; for the UAC, the 2xx: the remote
 * tag from To. Then both: the remote target and the route set (Record-Route reversed for the
 * UAC). The strings go into the dialog's block in one step. */
int sb__dialog_learn(sb_call *c, const sb_msg *m, const sb_addr *from) {
    sb_dialog *d = &c->dlg;
    char **fields[5];
    sb_slice vals[5];
    size_t nf = 0;
    if (c->role == SB_ROLE_UAS) {
        fields[nf] = &d->remote_tag, vals[nf++] = m->from_tag;
        fields[nf] = &d->local_uri, vals[nf++] = sb_nameaddr_uri(sb_msg_hdr(m, SB_HDR_TO)->value);
        fields[nf] = &d->remote_uri,
        vals[nf++] = sb_nameaddr_uri(sb_msg_hdr(m, SB_HDR_FROM)->value);
    } else {
        fields[nf] = &d->remote_tag, vals[nf++] = m->to_tag;
    }
    const sb_hdr *ct = sb_msg_hdr(m, SB_HDR_CONTACT);
    if (ct) {
        size_t pos = 0;
        sb_slice first;
        /* a Contact we cannot write back as a Request-URI is ignored (the remote URI serves) */
        if (sb_list_next(ct->value, &pos, &first) && sb__uri_usable(sb_nameaddr_uri(first)))
            fields[nf] = &d->remote_target, vals[nf++] = sb_nameaddr_uri(first);
    }
    /* Route set: every Record-Route entry, in order for the UAS, reversed for the UAC. */
    sb_slice items[SB_MAX_ROUTE];
    size_t n = 0;
    for (uint16_t i = 0; i < m->nhdrs && n < SB_MAX_ROUTE; i++) {
        if (m->hdrs[i].id != SB_HDR_RECORD_ROUTE) continue;
        size_t pos = 0;
        sb_slice it;
        while (n < SB_MAX_ROUTE && sb_list_next(m->hdrs[i].value, &pos, &it))
            items[n++] = it;
    }
    char route[SB_MAX_OUT]; /* more would not fit the requests that carry it anyway */
    sb_buf b;
    sb_buf_init(&b, route, sizeof route);
    for (size_t k = 0; k < n; k++) {
        sb_slice it = c->role == SB_ROLE_UAC ? items[n - 1 - k] : items[k];
        if (k) sb_buf_str(&b, ", ");
        sb_buf_slice(&b, it);
    }
    fields[nf] = &d->route, vals[nf++] = (sb_slice){route, b.overflow ? 0 : b.len};
    int rc = sb__dlg_set_many(d, nf, fields, vals);
    /* Next hop: the first route, else the remote target; IP literals only, else the source. */
    sb_slice hop = n ? sb_nameaddr_uri(c->role == SB_ROLE_UAC ? items[n - 1] : items[0])
                   : c->dlg.remote_target
                       ? (sb_slice){c->dlg.remote_target, strlen(c->dlg.remote_target)}
                       : (sb_slice){"", 0};
    sb_slice host;
    uint16_t port = 0;
    sb_addr a;
    if (hop.n && sb_uri_hostport(hop, &host, &port) == 0 &&
        sb_addr_parse(&a, host.p, host.n, port ? port : 5060) == 0)
        c->dlg.peer = a;
    else if (from)
        c->dlg.peer = *from;
    c->dlg.peer_allows_update = sb_msg_has_token(m, SB_HDR_ALLOW, "UPDATE");
    return rc;
}

/* 2xx retransmission until the ACK (RFC 3261 §13.3.1.4): T1 doubling to T2, 64*T1 at most;
 * with no ACK the dialog is confirmed and then ended with a BYE. The kept 2xx and its timer
 * exist only while the ACK is awaited (sb_okx), so a held call carries none of it. */
static void on_ok_retx(void *owner, sb_tmr *t, uint64_t now) {
    (void)t;
    sb_call *c = owner;
    sb_ua *e = c->eng;
    sb_okx *ok = c->ok;
    if (!ok) return;
    if (now - ok->started_ms >= 64ull * e->cfg.t1_ms) {
        sb__ok_acked(e, c);
        c->state = SB_CS_CONFIRMED;
        sb__send_bye(e, c, SB_END_ACK_TIMEOUT, now);
        return;
    }
    e->stats.retransmissions++;
    sb_qev *q = sb__emit(e, SB_EV_RETRANSMIT, c, 200, ++ok->retransmits, "2xx");
    if (q) q->ev.addr = ok->reply_to;
    sb__send(e, &ok->reply_to, ok->msg, ok->len);
    ok->interval_ms = ok->interval_ms * 2 < e->cfg.t2_ms ? ok->interval_ms * 2 : e->cfg.t2_ms;
    uint64_t next = now + ok->interval_ms;
    uint64_t last = ok->started_ms + 64ull * e->cfg.t1_ms;
    sb_tmr_arm(&e->heap, &ok->tmr, next < last ? next : last);
}

void sb__ok_keep(sb_ua *e, sb_call *c, const sb_addr *to, const char *msg, size_t len,
                 uint64_t now) {
    sb__ok_acked(e, c);
    sb_okx *ok = malloc(sizeof *ok + len);
    if (!ok) return; /* no copy: the 2xx is not resent; the ACK is still awaited for nothing */
    memcpy(ok->msg, msg, len);
    ok->len = len;
    ok->started_ms = now;
    ok->interval_ms = e->cfg.t1_ms;
    ok->retransmits = 0;
    sb_tmr_init(&ok->tmr, on_ok_retx, c);
    ok->reply_to = *to;
    c->ok = ok;
    sb_tmr_arm(&e->heap, &ok->tmr, now + ok->interval_ms); /* a slot the call reserved */
}

void sb__ok_acked(sb_ua *e, sb_call *c) {
    if (!c->ok) return;
    sb_tmr_cancel(&e->heap, &c->ok->tmr);
    free(c->ok);
    c->ok = NULL;
}

void sb__reply_pending(sb_ua *e, sb_call *c, int status, uint64_t now) {
    sb_txn *t = c->srv_inv;
    sb_msg m;
    c->srv_inv = NULL;
    if (t && t->req && sb_msg_parse(&m, t->req, t->req_len, true) >= 0) {
        char out[SB_MAX_OUT];
        size_t n = sb__resp_build(e, &m, status, NULL, c->dlg.local_tag, NULL, 0, NULL, NULL, 0,
                                  out, sizeof out);
        if (n) sb_txn_respond(t, status, out, n, now);
    }
}

sb_txn *sb__send_session_request(sb_ua *e, sb_call *c, sb_method m, sb_purpose purpose,
                                 uint32_t cseq, bool with_sdp, uint64_t now) {
    char out[SB_MAX_OUT], body[1024], branch[48];
    sb_buf b;
    sb__new_branch(e, branch);
    sb_buf_init(&b, out, sizeof out);
    sb__req_begin(e, c, &b, m, cseq, branch);
    sb__st_request_headers(e, c, &b);
    if (purpose == SB_PURPOSE_INVITE && e->headers) sb_buf_str(&b, e->headers);
    size_t blen = with_sdp ? sb__sdp_body(e, c, body, sizeof body) : 0;
    sb__auth_put(e, c, &b, m, body, blen);
    sb__req_finish(&b, "application/sdp", body, blen);
    if (b.overflow) return NULL;
    return sb_txn_client_start(&e->txn, c, &c->txns, m, purpose, &c->dlg.peer, branch, cseq, out,
                               b.len, now);
}
