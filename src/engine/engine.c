/* The engine's public entry points: configuration, lifecycle, input dispatch and commands. */
#include "engine/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sb_config_init(sb_config *cfg) {
    memset(cfg, 0, sizeof *cfg);
    sb_addr_parse(&cfg->local, "127.0.0.1:5060", 14, 5060);
    cfg->user = "sipbeat";
    cfg->t1_ms = 500;
    cfg->t2_ms = 4000;
    cfg->t4_ms = 5000;
    cfg->seed = 1;
    cfg->max_calls = 1000000;
    cfg->max_txns = 4000000;
    cfg->timer.mode = SB_TIMER_OFF;
    cfg->timer.min_se_s = SB_SE_FLOOR_S;
    cfg->timer.refresher = SB_REFRESHER_UAC;
    cfg->timer.method = SB_REFRESH_INVITE;
    cfg->timer.max_422 = 3;
    cfg->timer.max_se_s = 86400;
}

/* A SIP token character (RFC 3261 §25.1): what a header name is made of. */
static bool token_char(unsigned char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           (ch && strchr("-.!%*_+`'~", ch));
}

const char *sb_extra_header_problem(const char *line) {
    static const sb_hdr_id managed[] = {SB_HDR_VIA,
                                        SB_HDR_FROM,
                                        SB_HDR_TO,
                                        SB_HDR_CALL_ID,
                                        SB_HDR_CSEQ,
                                        SB_HDR_CONTACT,
                                        SB_HDR_CONTENT_LENGTH,
                                        SB_HDR_CONTENT_TYPE,
                                        SB_HDR_MAX_FORWARDS,
                                        SB_HDR_ROUTE,
                                        SB_HDR_SESSION_EXPIRES,
                                        SB_HDR_MIN_SE,
                                        SB_HDR_SUPPORTED,
                                        SB_HDR_REQUIRE,
                                        SB_HDR_AUTHORIZATION,
                                        SB_HDR_PROXY_AUTHORIZATION};
    if (!line) return "missing (allowed: Name: value)";
    for (const char *p = line; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '\r' || ch == '\n') return "CR or LF inside (allowed: one line, Name: value)";
        if ((ch < ' ' && ch != '\t') || ch == 0x7f)
            return "a control byte inside (allowed: one line, Name: value)";
    }
    if (strlen(line) > SB_MAX_EXTRA_HEADER) return "too long (allowed: at most 1024 bytes)";
    const char *colon = strchr(line, ':');
    if (!colon) return "no colon (allowed: Name: value)";
    size_t n = (size_t)(colon - line);
    while (n && (line[n - 1] == ' ' || line[n - 1] == '\t'))
        n--; /* "Name : value" is legal SIP (HCOLON) */
    if (n == 0) return "empty name (allowed: Name: value)";
    for (size_t i = 0; i < n; i++)
        if (!token_char((unsigned char)line[i]))
            return "the name is not a SIP token (allowed: letters, digits and -.!%*_+`'~, no "
                   "spaces)";
    sb_hdr_id id = sb_hdr_lookup(line, n);
    for (size_t i = 0; i < sizeof managed / sizeof managed[0]; i++)
        if (id != SB_HDR_OTHER && id == managed[i])
            return "sipbeat writes this header itself (allowed: any other header; not Via, From, "
                   "To, Call-ID, CSeq, Contact, Content-Length, Content-Type, Max-Forwards, "
                   "Route, Session-Expires, Min-SE, Supported, Require, Authorization, "
                   "Proxy-Authorization)";
    return NULL;
}

/* The identity fields, the config's or an account's: written into From, Contact and
 * Authorization, so nothing that could end a header or a quoted string there. The CLI checks
 * the SIP user-part grammar itself. */
static int check_identity(const sb_account *a, sb_config_error *err) {
#define FAIL(f, ...)                                                                               \
    do {                                                                                           \
        if (err) {                                                                                 \
            err->field = f;                                                                        \
            snprintf(err->why, sizeof err->why, __VA_ARGS__);                                      \
        }                                                                                          \
        return SB_EINVAL;                                                                          \
    } while (0)
    if (a->user && (!a->user[0] || strlen(a->user) > 63 || strpbrk(a->user, "\r\n\"<>@: ")))
        FAIL("user",
             "not a SIP user part (allowed: 1..63 bytes, no space, CR, LF, quote, <, >, @ or :)");
    if (a->auth_user &&
        (!a->auth_user[0] || strlen(a->auth_user) > 255 || strpbrk(a->auth_user, "\r\n\"\\")))
        FAIL("auth_user",
             "not a digest username (allowed: 1..255 bytes, no CR, LF, quote or backslash)");
    if (a->auth_password && (!a->auth_password[0] || strpbrk(a->auth_password, "\r\n")))
        FAIL("auth_password", "not usable (allowed: 1 byte or more, no CR or LF)");
    if (a->display_name) {
        size_t n = strlen(a->display_name);
        bool ctl = false;
        for (const char *p = a->display_name; *p; p++)
            ctl |= ((unsigned char)*p < ' ' && *p != '\t') || *p == 0x7f;
        if (ctl || n > 255)
            FAIL("display_name", "not usable (allowed: at most 255 bytes, no CR, LF or other "
                                 "control byte)");
    }
    if (a->domain && (!a->domain[0] || strlen(a->domain) > 255 ||
                      strspn(a->domain, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789-.:[]") != strlen(a->domain)))
        FAIL("domain", "not a host (allowed: 1..255 bytes of letters, digits, - . : [ ])");
    if (a->from_uri && !sb__sip_uri_ok(a->from_uri))
        FAIL("from_uri", "not usable (allowed: a sip: or sips: URI of at most 2048 bytes, no "
                         "space, CR, LF, quote, < or >)");
    return 0;
#undef FAIL
}

int sb_config_check(const sb_config *cfg, sb_config_error *err) {
    const sb_timer_config *t = &cfg->timer;
    static const char *const modes[] = {"off", "supported", "required", "always"};
    /* Names a field, never a flag: the engine does not know who filled the config. */
#define FAIL(f, ...)                                                                               \
    do {                                                                                           \
        if (err) {                                                                                 \
            err->field = f;                                                                        \
            snprintf(err->why, sizeof err->why, __VA_ARGS__);                                      \
        }                                                                                          \
        return SB_EINVAL;                                                                          \
    } while (0)
    if (!cfg->t1_ms)
        FAIL("t1_ms", "must be positive (allowed: 1 ms or more; RFC 3261 default 500)");
    sb_account self = {.user = cfg->user,
                       .auth_user = cfg->auth_user,
                       .auth_password = cfg->auth_password,
                       .display_name = cfg->display_name,
                       .from_uri = cfg->from_uri};
    if (check_identity(&self, err) != 0) return SB_EINVAL;
    if (cfg->outbound_proxy) {
        sb_addr a;
        if (sb__proxy_addr(cfg->outbound_proxy, &a) != 0)
            FAIL("outbound_proxy", "not usable (allowed: a sip: or sips: URI whose host is an IP "
                                   "address, e.g. sip:192.0.2.1:5060; no CR, LF or space)");
    }
    if (cfg->nheaders > SB_MAX_EXTRA_HEADERS || (cfg->nheaders && !cfg->headers))
        FAIL("headers", "too many (allowed: at most %u header lines)", SB_MAX_EXTRA_HEADERS);
    for (uint32_t i = 0; i < cfg->nheaders; i++) {
        const char *why = sb_extra_header_problem(cfg->headers[i]);
        if (why) FAIL("headers", "line %u: %s", i + 1, why);
    }
    if (cfg->t2_ms < cfg->t1_ms)
        FAIL("t2_ms", "below t1_ms %u (allowed: at least T1; RFC 3261 default 4000)", cfg->t1_ms);
    if (!cfg->t4_ms)
        FAIL("t4_ms", "must be positive (allowed: 1 ms or more; RFC 3261 default 5000)");
    if (cfg->reject_code &&
        (cfg->reject_code < SB_FAIL_CODE_MIN || cfg->reject_code > SB_FAIL_CODE_MAX))
        FAIL("reject_code", "not allowed (allowed: a SIP final status code %u..%u)",
             SB_FAIL_CODE_MIN, SB_FAIL_CODE_MAX);
    if (t->mode > SB_TIMER_ALWAYS)
        FAIL("timer.mode", "unknown mode (allowed: off, supported, required, always)");
    if (t->answer_refresh_code &&
        (t->answer_refresh_code < SB_FAIL_CODE_MIN || t->answer_refresh_code > SB_FAIL_CODE_MAX))
        FAIL("timer.answer_refresh_code", "not allowed (allowed: a SIP final status code %u..%u)",
             SB_FAIL_CODE_MIN, SB_FAIL_CODE_MAX);
    /* 0: a 422 ends the call, no retry (422-2 makes retrying a MAY). A cap whatever the mode:
     * it bounds a loop, it is not one of the values unchecked sends as given. */
    if (t->max_422 > SB_MAX_422_CAP)
        FAIL("timer.max_422", "out of range (allowed: 0..%u retries per call)", SB_MAX_422_CAP);
    if (t->mode == SB_TIMER_OFF) return 0;
    if (!t->se_s && !t->unchecked)
        FAIL("timer.se_s", "required when timer.mode is %s (allowed: %u..%u seconds)",
             modes[t->mode], SB_SE_FLOOR_S, SB_SE_CEIL_S);
    if (t->unchecked) return 0;
    if (t->se_s < SB_SE_FLOOR_S || t->se_s > SB_SE_CEIL_S)
        FAIL("timer.se_s",
             "out of range (allowed: %u..%u seconds; timer.unchecked lifts the check)",
             SB_SE_FLOOR_S, SB_SE_CEIL_S);
    if (t->min_se_s < SB_SE_FLOOR_S)
        FAIL("timer.min_se_s", "below %u (allowed: %u..timer.se_s seconds; RFC 4028 §5)",
             SB_SE_FLOOR_S, SB_SE_FLOOR_S);
    if (t->min_se_s > t->se_s)
        FAIL("timer.min_se_s", "above timer.se_s %u (Min-SE must not exceed Session-Expires)",
             t->se_s);
    return 0;
#undef FAIL
}

/* ---- lifecycle ------------------------------------------------------------------------------ */

sb_engine *sb_engine_new(const sb_config *cfg, uint64_t now_ms) {
    if (sb_config_check(cfg, NULL) != 0) return NULL;
    sb_engine *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    if (sb__ua_init(&e->ua, cfg, now_ms) != 0) {
        free(e);
        return NULL;
    }
    return e;
}

void sb_engine_free(sb_engine *e) {
    if (!e) return;
    sb__ua_free(&e->ua);
    free(e);
}

const sb_event *sb_engine_next_event(sb_engine *e) {
    return sb_out_next(&e->ua.out);
}

void sb_engine_get_stats(const sb_engine *eng, sb_engine_stats *out) {
    const sb_ua *e = &eng->ua;
    *out = e->stats;
    out->msgs_sent = e->out.msgs_sent;
    out->live_txns = e->txn.live;
    out->retransmissions = e->stats.retransmissions + e->txn.retransmissions; /* 2xx + txns */
}

size_t sb_engine_awaiting_ack(const sb_engine *eng) {
    const sb_ua *e = &eng->ua;
    size_t n = 0;
    for (size_t i = 0; i < e->txn.map.nb; i++)
        for (const sb_hnode *h = e->txn.map.b[i]; h; h = h->next) {
            const sb_txn *t = (const sb_txn *)h;
            n += t->kind == SB_IST && t->state == SB_TS_COMPLETED;
        }
    return n;
}

size_t sb_engine_live_calls(const sb_engine *eng, uint32_t *out, size_t cap) {
    const sb_ua *e = &eng->ua;
    size_t n = 0;
    for (const sb_call *c = e->live; c; c = c->next, n++)
        if (n < cap) out[n] = c->handle;
    return n;
}

const sb_call_stats *sb_engine_call_stats(sb_engine *eng, uint32_t handle) {
    sb_ua *e = &eng->ua;
    sb_call *c = sb__call_by_handle(e, handle);
    if (!c) return NULL;
    sb__record(e, c, &e->rec);
    return &e->rec;
}

int sb_engine_unreachable(sb_engine *eng, const sb_addr *dest, uint8_t icmp_type, uint8_t icmp_code,
                          uint64_t now_ms) {
    sb_ua *e = &eng->ua;
    e->now = now_ms;
    return dest ? (int)sb__calls_unreachable(e, dest, icmp_type, icmp_code, now_ms) : 0;
}

void sb_engine_advance(sb_engine *eng, uint64_t now_ms) {
    sb_ua *e = &eng->ua;
    e->now = now_ms;
    sb_heap_run(&e->heap, now_ms);
}

uint64_t sb_engine_next_deadline(const sb_engine *eng) {
    const sb_ua *e = &eng->ua;
    return sb_heap_next_deadline(&e->heap);
}

/* ---- input ---------------------------------------------------------------------------------- */

static void malformed(sb_ua *e, const sb_addr *from, const char *why) {
    e->stats.malformed_messages++;
    sb_qev *q = sb__emit(e, SB_EV_MALFORMED, NULL, 0, 0, why);
    if (q) q->ev.addr = *from;
}

static void in_dialog_request(sb_ua *e, sb_call *c, sb_txn *t, const sb_msg *m, uint64_t now) {
    sb__st_branch_check(e, c, false, 0, 0); /* BRANCH-1 held for this request */
    if (m->cseq <= c->dlg.remote_cseq && m->method != SB_METHOD_ACK) {
        /* RFC 3261 §12.2.2: a lower CSeq is out of order */
        sb__reply(e, t, m, &t->peer, 500, "Retry-After: 1\r\n", now);
        return;
    }
    switch (m->method) {
    case SB_METHOD_INVITE:
    case SB_METHOD_UPDATE:
        sb__in_dialog_session_request(e, c, t, m, now);
        break;
    case SB_METHOD_BYE:
        c->dlg.remote_cseq = m->cseq;
        sb__on_bye(e, c, t, m, now);
        break;
    case SB_METHOD_OPTIONS:
    case SB_METHOD_INFO:
        c->dlg.remote_cseq = m->cseq;
        sb__reply(e, t, m, &t->peer, 200, NULL, now);
        break;
    case SB_METHOD_OTHER:
        sb__reply(e, t, m, &t->peer, 501, NULL, now);
        break;
    default:
        sb__reply(e, t, m, &t->peer, 405, SB_ALLOW_HDR, now);
        break;
    }
}

/* RFC 3261 §8.2.1-8.2.3: what a UAS checks before a request reaches its method. Returns 0 or
 * the status to answer, with its reason phrase and extra header lines (CRLF-terminated). */
static int admit(const sb_ua *e, const sb_msg *m, const char **reason, sb_buf *x) {
    sb_slice u = m->uri;
    if (!((u.n > 4 && sb_slice_ieq((sb_slice){u.p, 4}, "sip:")) ||
          (u.n > 5 && sb_slice_ieq((sb_slice){u.p, 5}, "sips:")))) {
        *reason = "Unsupported URI Scheme";
        return 416;
    }
    /* Option tags we support: `timer` while session timers are on (UAS-8 when they are off). */
    bool unsupported = false;
    for (uint16_t i = 0; i < m->nhdrs; i++) {
        if (m->hdrs[i].id != SB_HDR_REQUIRE) continue;
        size_t pos = 0;
        sb_slice tag;
        while (sb_list_next(m->hdrs[i].value, &pos, &tag)) {
            if (sb_slice_ieq(tag, "timer") && e->cfg.timer.mode != SB_TIMER_OFF) continue;
            sb_buf_str(x, unsupported ? ", " : "Unsupported: ");
            sb_buf_slice(x, tag);
            unsupported = true;
        }
    }
    if (unsupported) {
        sb_buf_str(x, "\r\n");
        *reason = "Bad Extension";
        return 420;
    }
    if (m->method != SB_METHOD_INVITE && m->method != SB_METHOD_UPDATE) return 0;
    const sb_hdr *ct = sb_msg_hdr(m, SB_HDR_CONTENT_TYPE);
    if (m->body.n) {
        sb_slice type = ct ? ct->value : (sb_slice){"", 0};
        const char *semi = type.n ? memchr(type.p, ';', type.n) : NULL;
        if (semi) type.n = (size_t)(semi - type.p);
        if (!sb_slice_ieq(sb_slice_trim(type), "application/sdp")) {
            sb_buf_str(x, "Accept: application/sdp\r\n");
            *reason = "Unsupported Media Type";
            return 415;
        }
    }
    /* We answer with SDP: an Accept that rules it out gets 406 (RFC 3261 §21.4.7). */
    if (m->first[SB_HDR_ACCEPT] && !sb_msg_has_token(m, SB_HDR_ACCEPT, "application/sdp") &&
        !sb_msg_has_token(m, SB_HDR_ACCEPT, "application/*") &&
        !sb_msg_has_token(m, SB_HDR_ACCEPT, "*/*")) {
        *reason = "Not Acceptable";
        return 406;
    }
    return 0;
}

/* The bytes every response to m repeats: more than SB_MAX_ECHO and no answer could be built. */
static bool too_big_to_answer(const sb_msg *m) {
    size_t n = 0;
    for (uint16_t i = 0; i < m->nhdrs; i++) {
        switch (m->hdrs[i].id) {
        case SB_HDR_VIA:
        case SB_HDR_FROM:
        case SB_HDR_TO:
        case SB_HDR_CALL_ID:
        case SB_HDR_CSEQ:
        case SB_HDR_RECORD_ROUTE:
            n += m->hdrs[i].value.n + 24;
            break;
        default:
            break;
        }
    }
    return n > SB_MAX_ECHO;
}

static void request(sb_ua *e, const sb_msg *m, const char *raw, size_t len, const sb_addr *from,
                    uint64_t now) {
    if (m->method != SB_METHOD_ACK && too_big_to_answer(m)) {
        malformed(e, from, "headers too large to answer");
        return;
    }
    if (m->method == SB_METHOD_ACK) {
        sb_txn *t = sb_txn_find(&e->txn, m->branch, SB_METHOD_ACK, sb_txn_sent_by(m), true);
        if (t && t->state != SB_TS_ACCEPTED) {
            sb_txn_server_recv(t, m, now); /* ACK of a non-2xx */
            return;
        }
        sb_call *c = sb__call_find(e, m->call_id, m->to_tag, m->from_tag);
        if (c) sb__on_ack(e, c, m, now);
        return; /* a stray ACK gets no answer (RFC 3261 §17) */
    }
    uint64_t sent_by = sb_txn_sent_by(m); /* once per request: matching and the new transaction */
    sb_txn *t = sb_txn_find(&e->txn, m->branch, m->method, sent_by, true);
    if (t && t->cseq != m->cseq) {
        /* Same branch, another CSeq: a new request from a peer that reuses branches (RFC 3261
         * §8.1.1.7 wants them unique; SIPp loops do this). Answer it as new, and record the
         * breach on its dialog. The old transaction only absorbed retransmissions by now. */
        sb_call *c = m->to_tag.n ? sb__call_find(e, m->call_id, m->to_tag, m->from_tag) : NULL;
        if (c) sb__st_branch_check(e, c, true, t->cseq, m->cseq);
        sb_txn_destroy(t);
        t = NULL;
    }
    if (t) { /* a retransmission */
        sb_txn_server_recv(t, m, now);
        return;
    }
    t = sb_txn_server_new(&e->txn, m, raw, len, from, sent_by, now);
    if (!t) {
        if (m->method == SB_METHOD_INVITE) e->stats.invites_503++;
        sb__reply(e, NULL, m, from, 503, "Retry-After: 5\r\n", now);
        return;
    }
    if (m->method == SB_METHOD_CANCEL) {
        sb__on_cancel(e, t, m, from, now);
        return;
    }
    char extra[256];
    sb_buf x;
    sb_buf_init(&x, extra, sizeof extra - 1);
    const char *reason = NULL;
    int status = admit(e, m, &reason, &x);
    if (status) {
        extra[x.overflow ? 0 : x.len] = '\0';
        sb__reply_reason(e, t, m, from, status, reason, extra, now);
        return;
    }
    if (m->to_tag.n) {
        sb_call *c = sb__call_find(e, m->call_id, m->to_tag, m->from_tag);
        if (!c) {
            e->stats.unknown_dialog_requests++;
            sb__reply(e, t, m, from, 481, NULL, now);
            return;
        }
        in_dialog_request(e, c, t, m, now);
        return;
    }
    switch (m->method) {
    case SB_METHOD_INVITE:
        sb__uas_invite(e, t, m, from, now);
        break;
    case SB_METHOD_OPTIONS:
        sb__reply(e, t, m, from, 200, NULL, now);
        break;
    case SB_METHOD_BYE:
    case SB_METHOD_UPDATE:
    case SB_METHOD_INFO:
        e->stats.unknown_dialog_requests++;
        sb__reply(e, t, m, from, 481, NULL, now);
        break;
    case SB_METHOD_OTHER:
        sb__reply(e, t, m, from, 501, NULL, now);
        break;
    default:
        sb__reply(e, t, m, from, 405, SB_ALLOW_HDR, now);
        break;
    }
}

int sb_engine_recv(sb_engine *eng, const sb_addr *from, const uint8_t *data, size_t len,
                   uint64_t now_ms) {
    sb_ua *e = &eng->ua;
    e->now = now_ms;
    e->stats.msgs_received++;
    if (len > SB_MSG_MAX_SIZE) {
        malformed(e, from, "message too large");
        sb__reply_bad_request(e, from, (const char *)data, len, "message too large",
                              SB_PERR_TOO_LARGE);
        return SB_ETOOBIG;
    }
    /* keep-alives (CRLF pings, RFC 5626 §4.4.1) are not messages */
    size_t skip = 0;
    while (skip < len && (data[skip] == '\r' || data[skip] == '\n'))
        skip++;
    if (skip == len) return 0;
    sb_msg m;
    const char *raw = (const char *)data;
    ptrdiff_t n = sb_msg_parse(&m, raw, len, true);
    if (n < 0) {
        const char *why = m.error ? m.error : "malformed message";
        malformed(e, from, why);
        sb__reply_bad_request(e, from, raw, len, why, m.error_kind);
        return SB_EMALFORMED;
    }
    if (m.is_request) {
        request(e, &m, raw, len, from, now_ms);
        return 0;
    }
    sb_txn *t = sb_txn_find(&e->txn, m.branch, m.cseq_method, 0, false);
    if (!t) {
        e->stats.unmatched_responses++;
        return 0;
    }
    sb_txn_client_recv(t, &m, now_ms);
    return 0;
}

/* ---- commands ------------------------------------------------------------------------------- */

int sb_engine_call(sb_engine *eng, const sb_call_opts *o, uint64_t now_ms, uint32_t *handle) {
    sb_ua *e = &eng->ua;
    e->now = now_ms;
    if (!o || !o->target_uri || !o->target_uri[0] || strlen(o->target_uri) > 2048) return SB_EINVAL;
    /* Written as the Request-URI and, without to_uri, between < and > in To */
    if (!sb__uri_usable((sb_slice){o->target_uri, strlen(o->target_uri)})) return SB_EINVAL;
    const char *to = o->to_uri && strcmp(o->to_uri, o->target_uri) ? o->to_uri : NULL;
    if (to && !sb__sip_uri_ok(to)) return SB_EINVAL;
    if (o->account >= e->nids) return SB_EINVAL;
    sb_call *c = sb__call_new(e, SB_ROLE_UAC, now_ms);
    if (!c) return SB_ELIMIT;
    char rnd[24];
    sb_rng_hex(&e->rng, rnd, 20);
    sb_buf b;
    char cid[96];
    sb_buf_init(&b, cid, sizeof cid);
    sb_buf_str(&b, rnd);
    sb_buf_str(&b, "@");
    sb_buf_str(&b, e->host);
    size_t cid_len = b.len;
    /* The same for every call we place: shared, not copied. So is the outbound proxy's Route,
     * until the 2xx's route set replaces it (sb__dialog_learn). */
    c->ident = o->account;
    c->dlg.local_uri = e->ids[o->account].from_uri;
    sb_slice target = {o->target_uri, strlen(o->target_uri)};
    int rc;
    if (to) /* the Request-URI stays the target: it is the remote target until the 2xx's */
        rc = sb__dlg_set_many(&c->dlg, 2,
                              (char **const[]){&c->dlg.remote_uri, &c->dlg.remote_target},
                              (sb_slice[]){{to, strlen(to)}, target});
    else
        rc = sb__dlg_set(&c->dlg, &c->dlg.remote_uri, target);
    c->dlg.peer = o->dest;
    if (e->proxy_route) {
        c->dlg.route = e->proxy_route;
        c->dlg.peer = e->proxy_addr;
    }
    c->sc.duration_ms = o->duration_ms;
    c->sc.hold_at_ms = o->hold_at_ms;
    c->oa.hold_mode = (uint8_t)(o->hold_mode ? o->hold_mode : SB_HOLD_SENDONLY);
    c->sc.resume_at_ms = o->resume_at_ms;
    c->dlg.local_cseq = (uint32_t)sb_rng_range(&e->rng, 1, 9999);
    rc |= sb__call_index(e, c, (sb_slice){cid, cid_len});
    if (handle) *handle = c->handle;
    sb__emit(e, SB_EV_CALL_STARTED, c, 0, 0, "INVITE");
    if (rc) { /* out of memory: the call is reported, ended before its INVITE went out */
        e->stats.resource_failures++;
        sb__call_end(e, c, SB_RESULT_FAILED, SB_END_ENGINE_LIMIT, false, now_ms);
        return 0;
    }
    sb__uac_send_invite(e, c, now_ms);
    return 0;
}

static void hangup(sb_ua *e, sb_call *c, sb_end_reason why, uint64_t now) {
    switch (c->state) {
    case SB_CS_CALLING:
        if (c->inv_txn && c->inv_txn->state == SB_TS_PROCEEDING) { /* a 100 came: CANCEL now */
            c->stats.end_reason = why;
            sb__send_cancel(e, c, now);
            break;
        }
        if (why == SB_END_SHUTDOWN) { /* no 1xx yet, so no CANCEL allowed (§9.1), and we stop */
            sb__call_end(e, c, SB_RESULT_CANCELLED, SB_END_SHUTDOWN, false, now);
            break;
        }
        c->cancel_wanted = 1; /* CANCEL once a 1xx arrives (§9.1) */
        c->stats.end_reason = why;
        break;
    case SB_CS_EARLY:
        if (c->role == SB_ROLE_UAC) {
            sb__send_cancel(e, c, now);
            c->stats.end_reason = why;
        } else { /* we are ringing: decline */
            sb__reply_pending(e, c, 480, now);
            c->stats.final_status_code = 480;
            sb__call_end(e, c, SB_RESULT_FAILED, why, false, now);
        }
        break;
    case SB_CS_WAIT_ACK: /* RFC 3261 §15: no BYE before the ACK of our 2xx (or its timeout) */
        c->bye_after_ack = (uint8_t)why;
        break;
    case SB_CS_CONFIRMED:
        sb__send_bye(e, c, why, now);
        break;
    default:
        break;
    }
}

int sb_engine_hangup(sb_engine *eng, uint32_t handle, uint64_t now_ms) {
    sb_ua *e = &eng->ua;
    e->now = now_ms;
    sb_call *c = sb__call_by_handle(e, handle);
    if (!c) return SB_ENOTFOUND;
    hangup(e, c, SB_END_NORMAL, now_ms);
    return 0;
}

void sb_engine_hangup_all(sb_engine *eng, uint64_t now_ms) {
    sb_ua *e = &eng->ua;
    e->now = now_ms;
    sb_call *c = e->live;
    while (c) {
        sb_call *next = c->next; /* c may end (and be freed) inside hangup */
        hangup(e, c, SB_END_SHUTDOWN, now_ms);
        c = next;
    }
}

int sb_engine_add_account(sb_engine *eng, const sb_account *a, uint32_t *id, sb_config_error *err) {
    if (!eng || !a) return SB_EINVAL;
    int rc = check_identity(a, err);
    return rc ? rc : sb__ua_add_ident(&eng->ua, a, id);
}

int sb_engine_register(sb_engine *eng, const sb_reg_opts *o, uint64_t now_ms, uint32_t *handle) {
    sb_ua *e = &eng->ua;
    e->now = now_ms;
    if (!o) return SB_EINVAL;
    return sb__reg_new(e, o, now_ms, handle);
}

int sb_engine_unregister(sb_engine *eng, uint32_t handle, uint64_t now_ms) {
    sb_ua *e = &eng->ua;
    e->now = now_ms;
    sb_reg *r = sb__reg_by_handle(e, handle);
    if (!r) return SB_ENOTFOUND;
    sb__reg_unregister(e, r, now_ms);
    return 0;
}

void sb_engine_unregister_all(sb_engine *eng, uint64_t now_ms) {
    sb_ua *e = &eng->ua;
    e->now = now_ms;
    for (sb_reg *r = e->regs, *next; r; r = next) {
        next = r->next; /* r may end inside */
        sb__reg_unregister(e, r, now_ms);
    }
}

size_t sb_engine_live_registrations(const sb_engine *eng) {
    return eng->ua.live_regs;
}

int sb_engine_hold(sb_engine *eng, uint32_t handle, sb_hold_mode mode, uint64_t now_ms) {
    sb_ua *e = &eng->ua;
    e->now = now_ms;
    sb_call *c = sb__call_by_handle(e, handle);
    if (!c) return SB_ENOTFOUND;
    if (c->state != SB_CS_CONFIRMED && c->state != SB_CS_WAIT_ACK) return SB_ESTATE;
    c->oa.hold_mode = (uint8_t)mode;
    sb__media_change(e, c, SB_NEXT_HOLD, now_ms);
    return 0;
}

int sb_engine_resume(sb_engine *eng, uint32_t handle, uint64_t now_ms) {
    sb_ua *e = &eng->ua;
    e->now = now_ms;
    sb_call *c = sb__call_by_handle(e, handle);
    if (!c) return SB_ENOTFOUND;
    if (c->state != SB_CS_CONFIRMED && c->state != SB_CS_WAIT_ACK) return SB_ESTATE;
    sb__media_change(e, c, SB_NEXT_RESUME, now_ms);
    return 0;
}
