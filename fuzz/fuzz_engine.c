/* libFuzzer target: a calling and an answering engine joined by a virtual network, fuzz-driven.
 *
 * Input: 8 configuration bytes (configure()), then records [op][len hi][len lo][len bytes].
 * op % 8 selects the step; op / 8 picks the engine (A calls, B answers, both are full UAs):
 *   0 raw datagram        data is delivered as received from the peer engine (or a stranger)
 *   1 template message    a well-formed INVITE/response/ACK/BYE/UPDATE/re-INVITE/CANCEL whose
 *                         dialog fields come from the last messages that engine sent, with
 *                         RFC 4028 headers, CSeq, tags and SDP chosen by the data bytes; the
 *                         rest of data is appended as extra header lines
 *   2 advance time        deadline to deadline, delivering what the engines send meanwhile
 *   3 place a call        4 hang up       5 hold / resume       6 network faults
 *   7 hang up every call
 * Every datagram an engine sends to the other is delivered to it, so real dialogs form. The
 * harness checks that every message an engine sends parses, that events are consistent, that
 * advance() leaves nothing due, and that every call ends after a hang-up of everything. */
#include "sipbeat/engine.h"
#include "sipbeat/errors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { A = 0, B = 1 };
#define QMAX 64
#define KEEP_MAX 8192
#define SLOTS 8

typedef struct {
    int to, from; /* engine indexes; from = 2 for the stranger */
    size_t len;
    uint8_t *data;
} pkt;

typedef struct {
    char buf[KEEP_MAX];
    size_t len;
    unsigned seq; /* when it was sent, to tell which of request/response is newer */
} kept;

typedef struct {
    const uint8_t *p;
    size_t n;
} rd;

static struct {
    sb_engine *e[2];
    sb_addr addr[3]; /* A, B, stranger */
    char hostport[3][72];
    uint64_t now;
    pkt q[QMAX];
    size_t qn;
    uint32_t calls[2][SLOTS];
    kept req[2], resp[2];
    unsigned seq;
    uint32_t cseq;
    unsigned drop, dup;
    bool reverse;
    uint64_t ended[2];
} w;

static void bug(const char *what, const void *msg, size_t len) {
    fprintf(stderr, "fuzz_engine: %s\n", what);
    if (msg)
        fprintf(stderr, "---- message (%zu bytes) ----\n%.*s\n----\n", len, (int)len,
                (const char *)msg);
    abort();
}

static uint8_t u8(rd *r) {
    if (r->n == 0) return 0;
    r->n--;
    return *r->p++;
}

static uint16_t u16(rd *r) {
    uint16_t hi = u8(r);
    return (uint16_t)(hi << 8 | u8(r));
}

/* ---- configuration -------------------------------------------------------------------------- */

static void configure(rd *r) {
    static const uint16_t rejects[] = {0, 0, 0, 0, 0, 486, 503, 603};
    static const uint16_t refresh_codes[] = {0, 0, 0, 0, 0, 491, 500, 481};
    static const uint32_t max_calls[] = {1000000, 1, 2, 4};
    for (int i = 0; i < 2; i++) {
        uint8_t c0 = u8(r), c1 = u8(r), c2 = u8(r);
        sb_config cfg;
        sb_config_init(&cfg);
        cfg.local = w.addr[i];
        cfg.seed = (uint64_t)i + 1;
        sb_timer_config *t = &cfg.timer;
        t->mode = (sb_timer_mode)(c0 & 3);
        t->refresher = (sb_refresher)(((c0 >> 2) & 3) % 3);
        t->method = (sb_refresh_method)(((c0 >> 4) & 3) % 3);
        t->soft_expiry = (c0 >> 6) & 1;
        t->se_s = 90 + (uint32_t)c1 * 7;
        if (t->se_s > 1800) t->se_s = 1800;
        t->min_se_s = 90 + (uint32_t)(c2 & 15) * 10;
        if (t->min_se_s > t->se_s) t->min_se_s = t->se_s;
        t->skip_refresh_from = (c2 >> 4) & 3;
        t->max_422 = 1 + ((c2 >> 6) & 3);
        t->max_se_s = (c0 & 0x80) ? 1800 : 86400;
        uint8_t c3 = u8(r);
        if (i == B) {
            cfg.ring_time_ms = (uint32_t)(c3 & 3) * 1500;
            cfg.reject_code = rejects[(c3 >> 2) & 7];
            cfg.max_concurrent = (c3 >> 5) & 3;
        } else {
            cfg.max_calls = max_calls[c3 & 3];
            if (c3 & 4) { /* the caller has credentials: 401/407 go through dialog/auth.c */
                cfg.auth_user = "fuzz";
                cfg.auth_password = "secret";
            }
        }
        t->answer_refresh_code = refresh_codes[(c3 >> 5) & 7];
        w.e[i] = sb_engine_new(&cfg, w.now);
        if (!w.e[i]) bug("sb_engine_new refused a valid configuration", NULL, 0);
    }
}

/* ---- events and the virtual network -----------------------------------------------------------
 */

static void keep(kept *k, const uint8_t *data, size_t len) {
    k->len = len < KEEP_MAX ? len : KEEP_MAX;
    memcpy(k->buf, data, k->len);
    k->seq = ++w.seq;
}

static void enqueue(int to, int from, const uint8_t *data, size_t len) {
    if (w.qn == QMAX) return;
    pkt *p = &w.q[w.qn];
    p->data = malloc(len ? len : 1);
    if (!p->data) return;
    memcpy(p->data, data, len);
    p->len = len;
    p->to = to;
    p->from = from;
    w.qn++;
}

static void slot_add(int i, uint32_t h) {
    for (int k = 0; k < SLOTS; k++)
        if (w.calls[i][k] == 0 || w.calls[i][k] == h) {
            w.calls[i][k] = h;
            return;
        }
    w.calls[i][h % SLOTS] = h;
}

static void slot_del(int i, uint32_t h) {
    for (int k = 0; k < SLOTS; k++)
        if (w.calls[i][k] == h) w.calls[i][k] = 0;
}

static void on_send(int i, const sb_event *ev, bool after_malformed) {
    static sb_msg m;
    if (!ev->data || ev->len == 0) bug("SEND without data", NULL, 0);
    /* The best-effort reply to a request the parser refused (src/engine/badreq.c: 400, 505,
     * 513) copies that request's header lines as they were, so only it may be unparseable;
     * it directly follows the SB_EV_MALFORMED of the same input. Everything else the engine
     * sends is built by it or echoes lines the parser accepted. */
    bool best_effort = after_malformed && ev->len > 8 && memcmp(ev->data, "SIP/2.0 ", 8) == 0;
    if (sb_msg_parse(&m, (const char *)ev->data, ev->len, true) < 0 && !best_effort) {
        fprintf(stderr, "parser says: %s at %zu\n", m.error ? m.error : "?", m.error_offset);
        bug("the engine sent a message its own parser rejects", ev->data, ev->len);
    }
    if (!best_effort) keep(m.is_request ? &w.req[i] : &w.resp[i], ev->data, ev->len);
    int to = -1;
    if (sb_addr_equal(&ev->addr, &w.addr[1 - i]))
        to = 1 - i;
    else if (sb_addr_equal(&ev->addr, &w.addr[i]))
        to = i;
    if (to < 0) return; /* to the stranger: lost */
    if (w.drop) {
        w.drop--;
        return;
    }
    enqueue(to, i, ev->data, ev->len);
    if (w.dup) {
        w.dup--;
        enqueue(to, i, ev->data, ev->len);
    }
}

static void check_stats(const sb_call_stats *s) {
    if (s->end_ms && s->end_ms < s->start_ms) bug("call ended before it started", NULL, 0);
    if (s->answer_ms && s->answer_ms < s->start_ms) bug("call answered before it started", NULL, 0);
    if (memchr(s->call_id, 0, sizeof s->call_id) == NULL) bug("call_id not terminated", NULL, 0);
    if (memchr(s->final_reason_phrase, 0, sizeof s->final_reason_phrase) == NULL)
        bug("reason phrase not terminated", NULL, 0);
}

/* FUZZ_ENGINE_TRACE=1 prints every event, to read what a crashing input does. */
static int trace = -1;

static void trace_event(int i, const sb_event *ev) {
    static const char *const names[] = {
        "?",          "SEND",  "STARTED",      "PROGRESS",   "ANSWERED",       "HOLD",
        "NEGOTIATED", "422",   "REFRESH_SENT", "REFRESH_OK", "REFRESH_FAILED", "EXPIRED",
        "VIOLATION",  "ENDED", "MALFORMED",    "RETRANSMIT"};
    fprintf(stderr, "%8llu %c %-14s call %u status %d value %llu %s", (unsigned long long)w.now,
            i == A ? 'A' : 'B', names[ev->type], ev->call, ev->status,
            (unsigned long long)ev->value, ev->text ? ev->text : "");
    if (ev->type == SB_EV_SEND) {
        const char *eol = memchr(ev->data, '\r', ev->len);
        fprintf(stderr, "| %.*s", (int)(eol ? eol - (const char *)ev->data : 0), ev->data);
    }
    fputc('\n', stderr);
}

static void drain(int i) {
    const sb_event *ev;
    bool after_malformed = false;
    if (trace < 0) trace = getenv("FUZZ_ENGINE_TRACE") != NULL;
    for (int n = 0; (ev = sb_engine_next_event(w.e[i])) != NULL; n++) {
        if (n > 1000000) bug("the event queue never empties", NULL, 0);
        if (ev->type < SB_EV_SEND || ev->type > SB_EV_RETRANSMIT) bug("bad event type", NULL, 0);
        if (ev->at_ms > w.now) bug("event from the future", NULL, 0);
        if (ev->text) (void)strlen(ev->text);
        if (ev->stats) check_stats(ev->stats);
        if (trace) trace_event(i, ev);
        if (ev->type != SB_EV_SEND) after_malformed = ev->type == SB_EV_MALFORMED;
        switch (ev->type) {
        case SB_EV_SEND:
            on_send(i, ev, after_malformed);
            break;
        case SB_EV_CALL_STARTED:
            slot_add(i, ev->call);
            break;
        case SB_EV_CALL_ENDED:
            if (!ev->stats) bug("CALL_ENDED without a record", NULL, 0);
            if (ev->stats->result == SB_RESULT_NONE) bug("ended call without a result", NULL, 0);
            if (!strcmp(sb_end_reason_name(ev->stats->end_reason), "unknown"))
                bug("bad end reason", NULL, 0);
            w.ended[i]++;
            slot_del(i, ev->call);
            break;
        case SB_EV_VIOLATION:
            if (ev->value >= SB_VIO__COUNT) bug("bad violation id", NULL, 0);
            break;
        default:
            break;
        }
    }
    sb_engine_stats st;
    sb_engine_get_stats(w.e[i], &st);
    if (st.calls_started - st.calls_ended != st.live_calls) bug("live_calls out of step", NULL, 0);
    if (st.calls_ended != w.ended[i]) bug("calls_ended differs from CALL_ENDED events", NULL, 0);
}

static void deliver(const pkt *p) {
    sb_engine_recv(w.e[p->to], &w.addr[p->from], p->data, p->len, w.now);
    free(p->data);
    drain(A);
    drain(B);
}

/* Delivers everything in flight, and what that provokes, a bounded number of rounds. */
static void pump(void) {
    drain(A);
    drain(B);
    for (int round = 0; round < 32 && w.qn; round++) {
        pkt batch[QMAX];
        size_t n = w.qn;
        memcpy(batch, w.q, n * sizeof batch[0]);
        w.qn = 0;
        for (size_t k = 0; k < n; k++)
            deliver(&batch[w.reverse ? n - 1 - k : k]);
    }
    for (size_t k = 0; k < w.qn; k++)
        free(w.q[k].data);
    w.qn = 0;
}

static void advance_both(void) {
    for (int i = 0; i < 2; i++) {
        sb_engine_advance(w.e[i], w.now);
        if (sb_engine_next_deadline(w.e[i]) <= w.now)
            bug("a timer is still due after advance", NULL, 0);
    }
    pump();
}

static void advance_to(uint64_t target) {
    for (int k = 0; k < 2048; k++) {
        uint64_t da = sb_engine_next_deadline(w.e[A]), db = sb_engine_next_deadline(w.e[B]);
        uint64_t d = da < db ? da : db;
        if (d > target) break;
        if (d > w.now) w.now = d;
        advance_both();
    }
    if (target > w.now) w.now = target;
    advance_both();
}

/* ---- template messages ---------------------------------------------------------------------- */

static void put(sb_buf *b, const char *s) {
    sb_buf_str(b, s);
}

static void putf_u(sb_buf *b, const char *pre, uint64_t v, const char *post) {
    sb_buf_str(b, pre);
    sb_buf_u64(b, v);
    sb_buf_str(b, post);
}

static void put_hex(sb_buf *b, uint64_t v) {
    static const char hex[] = "0123456789abcdef";
    char s[17];
    for (int k = 0; k < 16; k++)
        s[k] = hex[(v >> (60 - 4 * k)) & 15];
    sb_buf_put(b, s, 16);
}

/* Header value of the first header with this id, or an empty slice. */
static sb_slice hval(const sb_msg *m, sb_hdr_id id) {
    const sb_hdr *h = sb_msg_hdr(m, id);
    return h ? h->value : (sb_slice){"", 0};
}

/* RFC 4028 and extension headers, chosen by two bytes. */
static void put_timer_hdrs(sb_buf *b, uint8_t x, uint8_t y) {
    static const uint64_t se[] = {0, 90, 120, 1800, 89, 0, 4294967295ull, 7200};
    static const char *const refr[] = {"", ";refresher=uac", ";refresher=uas", ";refresher=xyz"};
    static const uint64_t min_se[] = {0, 90, 1800, 3600};
    if (x & 7) {
        const char *name = (x & 0x20) ? "x: " : "Session-Expires: ";
        putf_u(b, name, se[x & 7], refr[(x >> 3) & 3]);
        put(b, "\r\n");
        if (x & 0x40) putf_u(b, "Session-Expires: ", se[(x + 3) & 7], "\r\n");
    }
    if (y & 3) putf_u(b, "Min-SE: ", min_se[y & 3], "\r\n");
    if (y & 4) put(b, (y & 0x40) ? "k: timer\r\n" : "Supported: timer, 100rel\r\n");
    if (y & 8) put(b, "Require: timer\r\n");
    if (y & 16) put(b, "Allow: INVITE, ACK, BYE, CANCEL, UPDATE\r\n");
    if (y & 32) put(b, "Retry-After: 1\r\n");
}

/* Ends the header block with the extra lines and an SDP (or no, or a junk) body. */
static void put_tail(sb_buf *b, rd *r, uint8_t sdp, const char *ip) {
    static const char *const dirs[] = {"sendrecv", "sendonly", "recvonly", "inactive"};
    char body[512];
    sb_buf bb;
    sb_buf_init(&bb, body, sizeof body);
    if ((sdp & 7) < 4) {
        put(&bb, "v=0\r\no=peer 42 ");
        sb_buf_u64(&bb, (uint64_t)(sdp >> 3) + 1);
        put(&bb, " IN IP4 ");
        put(&bb, ip);
        put(&bb, "\r\ns=-\r\nc=IN IP4 ");
        put(&bb, ip);
        put(&bb, "\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\na=");
        put(&bb, dirs[sdp & 3]);
        put(&bb, "\r\n");
    } else if ((sdp & 7) == 5) {
        put(&bb, "v=0\r\nm=video 1 x\r\n");
    }
    /* The rest of the record: extra header lines as the fuzzer wrote them. */
    size_t extra = r->n;
    if (extra) {
        sb_buf_put(b, (const char *)r->p, extra);
        r->p += extra;
        r->n = 0;
        put(b, "\r\n");
    }
    if (bb.len) put(b, "Content-Type: application/sdp\r\n");
    uint64_t cl = bb.len;
    if (sdp & 0x40) cl += (sdp & 0x80) ? 1 : (uint64_t)-1; /* wrong on purpose */
    if (!(sdp & 0x80) || !(sdp & 0x40)) putf_u(b, "Content-Length: ", cl, "\r\n");
    put(b, "\r\n");
    sb_buf_put(b, body, bb.len);
}

/* A response to the last request engine t sent. */
static bool tpl_response(sb_buf *b, int t, rd *r, const char *ip) {
    static const uint16_t codes[] = {100, 180, 183, 200, 200, 200, 200, 422, 422, 491, 481,
                                     408, 420, 486, 487, 488, 500, 503, 603, 302, 401, 407};
    static sb_msg m;
    if (!w.req[t].len || sb_msg_parse(&m, w.req[t].buf, w.req[t].len, true) < 0) return false;
    uint8_t c = u8(r), x = u8(r), y = u8(r), sdp = u8(r), tagb = u8(r);
    uint16_t code = codes[c % (sizeof codes / sizeof codes[0])];
    putf_u(b, "SIP/2.0 ", code, " Fuzz\r\n");
    for (uint16_t i = 0; i < m.nhdrs; i++)
        if (m.hdrs[i].id == SB_HDR_VIA) sb_buf_hdr(b, "Via", m.hdrs[i].value);
    sb_buf_hdr(b, "From", hval(&m, SB_HDR_FROM));
    sb_buf_hdr(b, "To", hval(&m, SB_HDR_TO));
    if (!m.to_tag.n && code > 100 && (tagb & 3) != 3) {
        b->len -= 2;
        put(b, ";tag=peer");
        sb_buf_u64(b, tagb & 3);
        put(b, "\r\n");
    }
    sb_buf_hdr(b, "Call-ID", m.call_id);
    sb_buf_hdr(b, "CSeq", hval(&m, SB_HDR_CSEQ));
    put(b, "Contact: <sip:peer@");
    put(b, w.hostport[1 - t]);
    put(b, ">\r\n");
    if (tagb & 4)
        put(b, "Record-Route: <sip:proxy@192.0.2.1;lr>, <sip:p2@[2001:db8::1]:5062;lr>\r\n");
    put_timer_hdrs(b, x, y);
    if ((code == 401 || code == 407) && (tagb & 8)) { /* a challenge dialog/auth.c can answer */
        put(b, code == 401 ? "WWW-Authenticate: " : "Proxy-Authenticate: ");
        put(b, "Digest realm=\"fuzz\", nonce=\"n");
        sb_buf_u64(b, y);
        put(b, (tagb & 16) ? "\", algorithm=SHA-256, qop=\"auth\"" : "\", qop=\"auth,auth-int\"");
        put(b, (tagb & 32) ? ", stale=true\r\n" : "\r\n");
    }
    put_tail(b, r, code >= 200 && code < 300 ? sdp : (uint8_t)(sdp | 4), ip);
    return true;
}

/* An in-dialog request to engine t, from the newer of its last request and last response. */
static bool tpl_in_dialog(sb_buf *b, int t, rd *r, const char *method, const char *ip) {
    static sb_msg m;
    bool from_resp = w.resp[t].seq > w.req[t].seq;
    uint8_t c = u8(r), x = u8(r), y = u8(r), sdp = u8(r), tagb = u8(r);
    if (c & 0x80) from_resp = !from_resp;
    kept *k = from_resp ? &w.resp[t] : &w.req[t];
    if (!k->len || sb_msg_parse(&m, k->buf, k->len, true) < 0) return false;
    /* In a response t sent, t is the To side; in a request t sent, t is the From side. */
    sb_slice peer = from_resp ? hval(&m, SB_HDR_FROM) : hval(&m, SB_HDR_TO);
    sb_slice self = from_resp ? hval(&m, SB_HDR_TO) : hval(&m, SB_HDR_FROM);
    uint32_t cseq;
    switch (c & 7) {
    case 0:
        cseq = w.cseq;
        break;
    case 1:
        cseq = w.cseq - 5;
        break;
    case 2:
        cseq = 2147483647u;
        break;
    case 3:
        cseq = m.cseq;
        break; /* ACK of that INVITE, or a retransmission */
    default:
        cseq = ++w.cseq;
        break;
    }
    put(b, method);
    put(b, " sip:sipbeat@");
    put(b, w.hostport[t]);
    put(b, " SIP/2.0\r\nVia: SIP/2.0/UDP ");
    put(b, w.hostport[1 - t]);
    put(b, ";branch=z9hG4bK");
    put_hex(b, (c & 0x40) ? 0x1234 : (uint64_t)w.seq * 2654435761u + cseq);
    put(b, ";rport\r\nMax-Forwards: 70\r\nFrom: ");
    sb_buf_slice(b, peer);
    if (!(from_resp ? m.from_tag.n : m.to_tag.n) && !(tagb & 1)) put(b, ";tag=peer0");
    put(b, "\r\nTo: ");
    sb_buf_slice(b, self);
    put(b, "\r\n");
    if (tagb & 2)
        put(b, "Call-ID: not-this-call\r\n");
    else
        sb_buf_hdr(b, "Call-ID", m.call_id);
    putf_u(b, "CSeq: ", cseq, " ");
    put(b, method);
    put(b, "\r\nContact: <sip:peer@");
    put(b, w.hostport[1 - t]);
    put(b, ">\r\n");
    put_timer_hdrs(b, x, y);
    put_tail(b, r, sdp, ip);
    return true;
}

/* A fresh INVITE to engine t. */
static void tpl_invite(sb_buf *b, int t, rd *r, const char *ip) {
    uint8_t c = u8(r), x = u8(r), y = u8(r), sdp = u8(r);
    uint64_t id = (uint64_t)c * 2654435761u + w.seq;
    put(b, "INVITE sip:service@");
    put(b, w.hostport[t]);
    put(b, " SIP/2.0\r\nVia: SIP/2.0/UDP ");
    put(b, w.hostport[(c & 1) ? 2 : 1 - t]);
    put(b, ";branch=z9hG4bK");
    put_hex(b, id);
    put(b, ";rport\r\nMax-Forwards: 70\r\nFrom: \"Fuzz\" <sip:fuzz@example.com>;tag=f");
    put_hex(b, id);
    put(b, "\r\nTo: <sip:service@");
    put(b, w.hostport[t]);
    put(b, ">\r\nCall-ID: fz");
    put_hex(b, (c & 2) ? 7 : id);
    putf_u(b, "@example.com\r\nCSeq: ", (uint64_t)(c >> 2) + 1, " INVITE\r\nContact: <sip:fuzz@");
    put(b, w.hostport[(c & 1) ? 2 : 1 - t]);
    put(b, ">\r\n");
    put_timer_hdrs(b, x, y);
    put_tail(b, r, sdp, ip);
}

/* CANCEL of the other engine's last request (an INVITE that t probably received). */
static bool tpl_cancel(sb_buf *b, int t, rd *r) {
    static sb_msg m;
    int o = 1 - t;
    (void)r;
    if (!w.req[o].len || sb_msg_parse(&m, w.req[o].buf, w.req[o].len, true) < 0) return false;
    put(b, "CANCEL ");
    sb_buf_slice(b, m.uri);
    put(b, " SIP/2.0\r\n");
    const sb_hdr *via = sb_msg_hdr(&m, SB_HDR_VIA);
    if (via) sb_buf_hdr(b, "Via", via->value);
    put(b, "Max-Forwards: 70\r\n");
    sb_buf_hdr(b, "From", hval(&m, SB_HDR_FROM));
    sb_buf_hdr(b, "To", hval(&m, SB_HDR_TO));
    sb_buf_hdr(b, "Call-ID", m.call_id);
    putf_u(b, "CSeq: ", m.cseq, " CANCEL\r\nContent-Length: 0\r\n\r\n");
    return true;
}

static void op_template(int t, rd *r) {
    static char out[KEEP_MAX + 1024];
    static const char *const methods[] = {"BYE",     "UPDATE", "INVITE", "ACK",
                                          "OPTIONS", "INFO",   "PRACK",  "REFER"};
    const char *ip = t == A ? "192.0.2.20" : "192.0.2.10";
    uint8_t kind = u8(r);
    int from = (kind & 0x80) ? 2 : 1 - t;
    sb_buf b;
    sb_buf_init(&b, out, sizeof out);
    bool ok = true;
    switch (kind & 7) {
    case 0:
        tpl_invite(&b, t, r, ip);
        break;
    case 1:
    case 2:
        ok = tpl_response(&b, t, r, ip);
        break;
    case 3:
        ok = tpl_cancel(&b, t, r);
        break;
    case 4: /* a retransmission of what the other engine sent last */
    {
        kept *k = ((kind >> 3) & 1) ? &w.resp[1 - t] : &w.req[1 - t];
        ok = k->len > 0;
        if (ok) sb_buf_put(&b, k->buf, k->len);
        break;
    }
    default:
        ok = tpl_in_dialog(&b, t, r, methods[(kind >> 3) & 7], ip);
        break;
    }
    if (!ok || b.overflow) return;
    uint8_t *copy = malloc(b.len);
    if (!copy) return;
    memcpy(copy, out, b.len);
    pkt p = {.to = t, .from = from, .len = b.len, .data = copy};
    deliver(&p);
    pump();
}

/* ---- commands -------------------------------------------------------------------------------- */

static void op_call(int i, rd *r) {
    uint8_t c = u8(r);
    uint16_t dur = u16(r), hold = u16(r), resume = u16(r);
    char uri[128];
    int target = (c & 1) ? 2 : 1 - i;
    snprintf(uri, sizeof uri, "sip:service@%s", w.hostport[target]);
    sb_call_opts o = {.target_uri = (c & 2) ? "" : uri,
                      .dest = w.addr[target],
                      .duration_ms = (c & 4) ? (uint32_t)dur * 10 : 0,
                      .hold_at_ms = (c & 8) ? (uint32_t)hold * 10 : 0,
                      .hold_mode = (c & 16) ? SB_HOLD_INACTIVE : SB_HOLD_SENDONLY,
                      .resume_at_ms = (c & 32) ? (uint32_t)resume * 10 : 0};
    uint32_t h = 0;
    int rc = sb_engine_call(w.e[i], &o, w.now, &h);
    if (rc != 0 && rc != SB_ELIMIT && rc != SB_EINVAL) bug("sb_engine_call: bad code", NULL, 0);
    if (rc == 0 && h == 0) bug("sb_engine_call: no handle", NULL, 0);
    pump();
}

static uint32_t pick_call(int i, uint8_t b) {
    uint32_t h = w.calls[i][b % SLOTS];
    return (b & 0x80) ? b : h; /* sometimes a handle that may not exist */
}

static void op_hangup(int i, rd *r) {
    int rc = sb_engine_hangup(w.e[i], pick_call(i, u8(r)), w.now);
    if (rc != 0 && rc != SB_ENOTFOUND) bug("sb_engine_hangup: bad code", NULL, 0);
    pump();
}

static void op_hold(int i, rd *r) {
    uint8_t c = u8(r);
    uint32_t h = pick_call(i, u8(r));
    int rc = (c & 1)
                 ? sb_engine_resume(w.e[i], h, w.now)
                 : sb_engine_hold(w.e[i], h, (c & 2) ? SB_HOLD_INACTIVE : SB_HOLD_SENDONLY, w.now);
    if (rc != 0 && rc != SB_ENOTFOUND && rc != SB_ESTATE) bug("hold/resume: bad code", NULL, 0);
    (void)sb_engine_call_stats(w.e[i], h);
    pump();
}

static void op_advance(rd *r) {
    uint8_t unit = u8(r);
    uint16_t n = u16(r);
    switch (unit & 3) {
    case 0:
        advance_to(w.now + n);
        break;
    case 1:
        advance_to(w.now + (uint64_t)n * 100);
        break;
    case 2:
        advance_to(w.now + (uint64_t)n * 1000);
        break;
    default:
        for (int k = 0; k < (n & 15) + 1; k++) {
            uint64_t da = sb_engine_next_deadline(w.e[A]), db = sb_engine_next_deadline(w.e[B]);
            uint64_t d = da < db ? da : db;
            if (d == SB_NEVER) break;
            advance_to(d > w.now ? d : w.now);
        }
        break;
    }
}

static void op_net(rd *r) {
    uint8_t c = u8(r);
    w.drop = c & 3;
    w.dup = (c >> 2) & 1;
    w.reverse = (c >> 3) & 1;
}

static void op_raw(int i, rd *r, size_t len) {
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy) return;
    if (len) memcpy(copy, r->p, len);
    pkt p = {.to = i, .from = 1 - i, .len = len, .data = copy};
    if (len && (copy[0] & 0x80) == 0 && (len & 1)) p.from = 2;
    deliver(&p);
    pump();
}

/* ---- the entry point ------------------------------------------------------------------------- */

static void finish(void) {
    /* Everything hung up and ten minutes later no call may be left: nothing gets stuck. */
    w.drop = w.dup = 0;
    w.reverse = false;
    for (int round = 0; round < 2; round++) {
        sb_engine_hangup_all(w.e[A], w.now);
        sb_engine_hangup_all(w.e[B], w.now);
        pump();
        advance_to(w.now + 300000);
    }
    for (int i = 0; i < 2; i++) {
        sb_engine_stats st;
        sb_engine_get_stats(w.e[i], &st);
        if (st.live_calls != 0) bug("calls still live long after hanging up everything", NULL, 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    memset(&w, 0, sizeof w);
    rd r = {data, size};
    uint8_t net = u8(&r);
    bool v6 = net & 1;
    sb_addr_parse(&w.addr[A], v6 ? "[::1]:5070" : "127.0.0.1:5070", v6 ? 10 : 14, 5060);
    sb_addr_parse(&w.addr[B], v6 ? "[::2]:5080" : "127.0.0.2:5080", v6 ? 10 : 14, 5060);
    sb_addr_parse(&w.addr[2], "192.0.2.9:5060", 14, 5060);
    for (int i = 0; i < 3; i++)
        sb_addr_format(&w.addr[i], w.hostport[i], sizeof w.hostport[i], true);
    w.now = 1000000;
    w.cseq = 100;
    configure(&r);

    for (int steps = 0; r.n >= 3 && steps < 256; steps++) {
        uint8_t op = u8(&r);
        size_t len = u16(&r);
        if (len > r.n) len = r.n;
        rd d = {r.p, len};
        r.p += len;
        r.n -= len;
        int i = (op >> 3) & 1;
        switch (op & 7) {
        case 0:
            op_raw(i, &d, len);
            break;
        case 1:
            op_template(i, &d);
            break;
        case 2:
            op_advance(&d);
            break;
        case 3:
            op_call(i, &d);
            break;
        case 4:
            op_hangup(i, &d);
            break;
        case 5:
            op_hold(i, &d);
            break;
        case 6:
            op_net(&d);
            break;
        default:
            sb_engine_hangup_all(w.e[i], w.now);
            pump();
            break;
        }
    }
    finish();
    sb_engine_free(w.e[A]);
    sb_engine_free(w.e[B]);
    return 0;
}
