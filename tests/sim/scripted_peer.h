/* Scripted SIP peer for RFC 4028 tests: one engine under test, the test plays the far end. */
#ifndef SIPBEAT_SCRIPTED_PEER_H
#define SIPBEAT_SCRIPTED_PEER_H

/* No simulator here: the test owns the virtual clock. It moves time with sp_at(), which runs
 * every engine deadline up to that instant in order, and hands the engine hand-written
 * messages with sp_recv_*() at exact times. Everything the engine emits is drained at once and
 * copied (sends parsed with sb_msg_parse, CALL_ENDED records), so assertions can look at exact
 * header values and exact times afterwards. SB_SIM_DUMP=1 prints the whole exchange. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipbeat/engine.h"
#include "sipbeat/msg.h"

#define SP_ENGINE_ADDR "127.0.0.1:5060"
#define SP_PEER_ADDR "127.0.0.2:5060"
#define SP_PEER_URI "sip:peer@127.0.0.2:5060"
#define SP_ENGINE_URI "sip:sipbeat@127.0.0.1:5060"
#define SP_MAX_MSGS 512
#define SP_MAX_EVS 1024

/* A plain SDP offer/answer of the scripted peer. */
#define SP_SDP                                                                                     \
    "v=0\r\no=peer 77 1 IN IP4 127.0.0.2\r\ns=-\r\nc=IN IP4 127.0.0.2\r\nt=0 0\r\n"                \
    "m=audio 20000 RTP/AVP 0\r\na=sendrecv\r\n"

typedef struct {
    uint64_t at_ms;
    bool from_engine; /* false: what the script sent */
    sb_addr to;       /* from the engine: where it went */
    char *data;       /* NUL-terminated copy */
    size_t len;
    sb_msg m; /* parsed; points into data */
} sp_msg;

typedef struct {
    sb_event_type type;
    uint32_t call;
    uint64_t at_ms;
    int status;
    uint64_t value;
    char text[48];
    bool has_stats;
    sb_call_stats stats;
    bool has_reg; /* SB_EV_REG_*: the registration's record */
    sb_reg_stats reg;
} sp_ev;

/* The scripted side's view of the one dialog. */
typedef struct {
    char call_id[96];
    char my_uri[128], my_tag[32];
    char eng_uri[128], eng_tag[64];
    char eng_target[128]; /* the engine's Contact */
    uint32_t cseq;        /* our last CSeq */
} sp_dlg;

typedef struct {
    sb_engine *e;
    sb_addr eng_addr, peer_addr;
    uint64_t now;
    uint32_t handle; /* the call under test */
    unsigned branch_seq;
    sp_dlg d;
    sp_msg msgs[SP_MAX_MSGS];
    int nmsgs;
    sp_ev evs[SP_MAX_EVS];
    int nevs;
} sp_t;

static sp_t *sp_current;

static inline sb_addr sp_addr(const char *s) {
    sb_addr a;
    assert_int_equal(sb_addr_parse(&a, s, strlen(s), 5060), 0);
    return a;
}

/* Defaults for an engine under test: timers in `mode`, SE se_s, refresher preference pref,
 * 200 at once, re-INVITE refreshes, max_422 3, max_se 7200. */
static inline sb_config sp_cfg(sb_timer_mode mode, uint32_t se_s, sb_refresher pref) {
    sb_config c;
    sb_config_init(&c);
    c.local = sp_addr(SP_ENGINE_ADDR);
    c.seed = 11;
    c.max_calls = 100;
    c.max_txns = 400;
    c.ring_time_ms = 0;
    c.timer.mode = mode;
    c.timer.se_s = se_s;
    c.timer.min_se_s = 90;
    c.timer.refresher = pref;
    c.timer.method = SB_REFRESH_INVITE;
    c.timer.max_422 = 3;
    c.timer.max_se_s = 7200;
    return c;
}

static inline void sp_dump(const sp_t *p) {
    for (int i = 0; i < p->nmsgs; i++)
        fprintf(stderr, "---- %8llu ms %s\n%s", (unsigned long long)p->msgs[i].at_ms,
                p->msgs[i].from_engine ? "engine ->" : "-> engine", p->msgs[i].data);
    for (int i = 0; i < p->nevs; i++)
        fprintf(stderr, "ev %8llu ms type %d call %u status %d value %llu %s\n",
                (unsigned long long)p->evs[i].at_ms, p->evs[i].type, p->evs[i].call,
                p->evs[i].status, (unsigned long long)p->evs[i].value, p->evs[i].text);
}

static inline void sp_free(sp_t *p) {
    if (!p) return;
    if (getenv("SB_SIM_DUMP")) sp_dump(p);
    for (int i = 0; i < p->nmsgs; i++)
        free(p->msgs[i].data);
    sb_engine_free(p->e);
    if (p == sp_current) sp_current = NULL;
    free(p);
}

static inline int sp_teardown(void **state) {
    (void)state;
    sp_free(sp_current);
    return 0;
}

#define sp_test(f) cmocka_unit_test_teardown(f, sp_teardown)

static inline void sp_log(sp_t *p, bool from_engine, const char *data, size_t len) {
    assert_true(p->nmsgs < SP_MAX_MSGS);
    sp_msg *s = &p->msgs[p->nmsgs++];
    s->at_ms = p->now;
    s->from_engine = from_engine;
    s->data = malloc(len + 1);
    assert_non_null(s->data);
    memcpy(s->data, data, len);
    s->data[len] = '\0';
    s->len = len;
    if (sb_msg_parse(&s->m, s->data, len, true) < 0) {
        sp_dump(p);
        fail_msg("unparsable message (%s): %s", s->m.error ? s->m.error : "?", s->data);
    }
}

static inline void sp_drain(sp_t *p) {
    const sb_event *ev;
    while ((ev = sb_engine_next_event(p->e)) != NULL) {
        if (ev->type == SB_EV_SEND) {
            sp_log(p, true, (const char *)ev->data, ev->len);
            p->msgs[p->nmsgs - 1].to = ev->addr;
            continue;
        }
        assert_true(p->nevs < SP_MAX_EVS);
        sp_ev *x = &p->evs[p->nevs++];
        memset(x, 0, sizeof *x);
        x->type = ev->type;
        x->call = ev->call;
        x->at_ms = ev->at_ms;
        x->status = ev->status;
        x->value = ev->value;
        if (ev->text) snprintf(x->text, sizeof x->text, "%s", ev->text);
        if (ev->stats) {
            x->has_stats = true;
            x->stats = *ev->stats;
        }
        if (ev->reg) {
            x->has_reg = true;
            x->reg = *ev->reg;
        }
    }
}

static inline sp_t *sp_new(const sb_config *cfg) {
    sb_config_error err;
    if (sb_config_check(cfg, &err) != 0) fail_msg("sb_config_check: %s: %s", err.field, err.why);
    sp_t *p = calloc(1, sizeof *p);
    assert_non_null(p);
    sp_current = p;
    p->e = sb_engine_new(cfg, 0);
    assert_non_null(p->e);
    p->eng_addr = cfg->local;
    p->peer_addr = sp_addr(SP_PEER_ADDR);
    snprintf(p->d.my_uri, sizeof p->d.my_uri, "%s", SP_PEER_URI);
    snprintf(p->d.my_tag, sizeof p->d.my_tag, "sptag1");
    return p;
}

/* Runs every engine deadline up to t in order, then sets the clock to t. */
static inline void sp_at(sp_t *p, uint64_t t) {
    assert_true(t >= p->now);
    for (;;) {
        uint64_t d = sb_engine_next_deadline(p->e);
        if (d == SB_NEVER || d > t) break;
        p->now = d > p->now ? d : p->now;
        sb_engine_advance(p->e, p->now);
        sp_drain(p);
    }
    p->now = t;
}

/* Delivers text (any mix of "\n" and "\r\n" line ends in the head; the body as is) at t. */
static inline int sp_recv_raw(sp_t *p, uint64_t t, const char *head, const char *body) {
    sp_at(p, t);
    char buf[8192];
    size_t o = 0;
    for (const char *s = head; *s; s++) {
        if (*s == '\n' && (s == head || s[-1] != '\r')) buf[o++] = '\r';
        buf[o++] = *s;
        assert_true(o < sizeof buf - 64);
    }
    size_t blen = body ? strlen(body) : 0;
    o += (size_t)snprintf(buf + o, sizeof buf - o, "Content-Length: %zu\r\n\r\n", blen);
    assert_true(o + blen < sizeof buf);
    if (blen) memcpy(buf + o, body, blen);
    o += blen;
    sp_log(p, false, buf, o);
    int rc = sb_engine_recv(p->e, &p->peer_addr, (const uint8_t *)buf, o, t);
    sp_drain(p);
    return rc;
}

static inline void sp_slice_copy(char *dst, size_t cap, sb_slice s) {
    size_t n = s.n < cap - 1 ? s.n : cap - 1;
    memcpy(dst, s.p, n);
    dst[n] = '\0';
}

/* Copies the first header with this id; false when absent. */
static inline bool sp_hval(const sp_msg *m, sb_hdr_id id, char *out, size_t cap) {
    const sb_hdr *h = sb_msg_hdr(&m->m, id);
    out[0] = '\0';
    if (!h) return false;
    sp_slice_copy(out, cap, h->value);
    return true;
}

static inline int sp_hcount(const sp_msg *m, sb_hdr_id id) {
    return m->m.count[id];
}

/* Session-Expires of a message: its value, or -1 when absent; *r gets the refresher. */
static inline long sp_se(const sp_msg *m, sb_refresher *r) {
    const sb_hdr *h = sb_msg_hdr(&m->m, SB_HDR_SESSION_EXPIRES);
    uint32_t v = 0;
    sb_refresher rr = SB_REFRESHER_NONE;
    if (r) *r = SB_REFRESHER_NONE;
    if (!h) return -1;
    assert_int_equal(sb_parse_session_expires(h->value, &v, &rr, NULL), 0);
    if (r) *r = rr;
    return (long)v;
}

static inline long sp_min_se(const sp_msg *m) {
    const sb_hdr *h = sb_msg_hdr(&m->m, SB_HDR_MIN_SE);
    uint32_t v = 0;
    if (!h) return -1;
    assert_int_equal(sb_parse_min_se(h->value, &v), 0);
    return (long)v;
}

static inline bool sp_has_param(const sp_msg *m, sb_hdr_id id, const char *name) {
    const sb_hdr *h = sb_msg_hdr(&m->m, id);
    sb_slice v;
    return h && sb_param_get(h->value, name, &v);
}

static inline const char *sp_body(const sp_msg *m) {
    const char *b = strstr(m->data, "\r\n\r\n");
    return b ? b + 4 : "";
}

static inline bool sp_prefix(const sp_msg *m, const char *prefix) {
    return strncmp(m->data, prefix, strlen(prefix)) == 0;
}

static inline bool sp_match(const sp_msg *s, const char *prefix, const char *method) {
    return s->from_engine && sp_prefix(s, prefix) &&
           (!method || sb_slice_eq(s->m.cseq_method_name, method));
}

/* A retransmission: an earlier send with the same start line and top Via branch. */
static inline bool sp_is_retx(const sp_t *p, const sp_msg *s) {
    size_t line = strcspn(s->data, "\r");
    for (const sp_msg *q = p->msgs; q < s; q++)
        if (q->from_engine && q->len == s->len && sb_slice_ieq2(q->m.branch, s->m.branch) &&
            strncmp(q->data, s->data, line) == 0 && q->m.status == s->m.status)
            return true;
    return false;
}

/* The nth message the engine sent whose start line begins with prefix ("INVITE",
 * "SIP/2.0 200") and, if method is not NULL, whose CSeq method is method. Retransmissions
 * (same start line and branch as an earlier send) are skipped. */
static inline const sp_msg *sp_sent(const sp_t *p, const char *prefix, const char *method, int n) {
    for (int i = 0; i < p->nmsgs; i++) {
        const sp_msg *s = &p->msgs[i];
        if (!sp_match(s, prefix, method) || sp_is_retx(p, s)) continue;
        if (n-- == 0) return s;
    }
    return NULL;
}

/* Every matching send, retransmissions included. */
static inline int sp_count_all(const sp_t *p, const char *prefix, const char *method) {
    int n = 0;
    for (int i = 0; i < p->nmsgs; i++)
        n += sp_match(&p->msgs[i], prefix, method);
    return n;
}

/* Like sp_sent, but fails the test (after a dump) when missing. */
static inline const sp_msg *sp_must(const sp_t *p, const char *prefix, const char *method, int n) {
    const sp_msg *s = sp_sent(p, prefix, method, n);
    if (!s) {
        sp_dump(p);
        fail_msg("engine sent no '%s' %s #%d", prefix, method ? method : "*", n);
    }
    return s;
}

static inline int sp_count(const sp_t *p, const char *prefix, const char *method) {
    int n = 0;
    while (sp_sent(p, prefix, method, n))
        n++;
    return n;
}

static inline const sp_ev *sp_event(const sp_t *p, sb_event_type type, int n) {
    for (int i = 0; i < p->nevs; i++)
        if (p->evs[i].type == type && n-- == 0) return &p->evs[i];
    return NULL;
}

static inline int sp_count_events(const sp_t *p, sb_event_type type) {
    int n = 0;
    for (int i = 0; i < p->nevs; i++)
        n += p->evs[i].type == type;
    return n;
}

/* The final record of the call under test, or fails. */
static inline const sb_call_stats *sp_ended(const sp_t *p) {
    const sp_ev *ev = sp_event(p, SB_EV_CALL_ENDED, 0);
    if (!ev || !ev->has_stats) {
        sp_dump(p);
        fail_msg("no CALL_ENDED");
    }
    return &ev->stats;
}

/* The live record of the call under test (NULL once it ended). */
static inline const sb_call_stats *sp_live(const sp_t *p) {
    return sb_engine_call_stats(p->e, p->handle);
}

/* The record now: live if the call is up, else the final one. */
static inline const sb_call_stats *sp_stats(const sp_t *p) {
    const sb_call_stats *s = sp_live(p);
    return s ? s : sp_ended(p);
}

static inline bool sp_vio(const sb_call_stats *s, sb_violation v) {
    return (s->violations >> v) & 1u;
}

static inline bool sp_passed(const sb_call_stats *s, sb_violation v) {
    return (s->checks_passed >> v) & 1u;
}

/* ---- the engine is the UAC; the script answers as UAS --------------------------------------- */

/* Places the call under test as account (0: the config's identity). */
static inline void sp_call_as(sp_t *p, uint32_t duration_ms, uint32_t account) {
    sb_call_opts o;
    memset(&o, 0, sizeof o);
    o.target_uri = SP_PEER_URI;
    o.dest = p->peer_addr;
    o.duration_ms = duration_ms;
    o.account = account;
    assert_int_equal(sb_engine_call(p->e, &o, p->now, &p->handle), 0);
    sp_drain(p);
    const sp_msg *inv = sp_must(p, "INVITE", NULL, 0);
    sp_slice_copy(p->d.call_id, sizeof p->d.call_id, inv->m.call_id);
    sp_slice_copy(p->d.eng_tag, sizeof p->d.eng_tag, inv->m.from_tag);
    sp_slice_copy(p->d.eng_uri, sizeof p->d.eng_uri,
                  sb_nameaddr_uri(sb_msg_hdr(&inv->m, SB_HDR_FROM)->value));
    sp_slice_copy(p->d.eng_target, sizeof p->d.eng_target,
                  sb_nameaddr_uri(sb_msg_hdr(&inv->m, SB_HDR_CONTACT)->value));
    p->d.cseq = 500;
}

static inline void sp_call(sp_t *p, uint32_t duration_ms) {
    sp_call_as(p, duration_ms, 0);
}

/* Answers request req at t: Via, From, To (+ our tag), Call-ID and CSeq copied, then our
 * Contact, then extra (header lines ending in "\n"), then body. status: "200 OK". */
static inline void sp_reply_tag(sp_t *p, uint64_t t, const sp_msg *req, const char *status,
                                const char *tag, const char *extra, const char *body) {
    char head[6144];
    size_t o = (size_t)snprintf(head, sizeof head, "SIP/2.0 %s\r\n", status);
    const sb_msg *m = &req->m;
    for (uint16_t i = 0; i < m->nhdrs; i++) {
        const sb_hdr *h = &m->hdrs[i];
        const char *name = NULL;
        switch (h->id) {
        case SB_HDR_VIA:
            name = "Via";
            break;
        case SB_HDR_FROM:
            name = "From";
            break;
        case SB_HDR_TO:
            name = "To";
            break;
        case SB_HDR_CALL_ID:
            name = "Call-ID";
            break;
        case SB_HDR_CSEQ:
            name = "CSeq";
            break;
        default:
            break;
        }
        if (!name) continue;
        o += (size_t)snprintf(head + o, sizeof head - o, "%s: %.*s", name, (int)h->value.n,
                              h->value.p);
        if (h->id == SB_HDR_TO && !m->to_tag.n && tag)
            o += (size_t)snprintf(head + o, sizeof head - o, ";tag=%s", tag);
        o += (size_t)snprintf(head + o, sizeof head - o, "\r\n");
    }
    o += (size_t)snprintf(head + o, sizeof head - o, "Contact: <%s>\r\n%s%s", SP_PEER_URI,
                          extra ? extra : "", body ? "Content-Type: application/sdp\r\n" : "");
    assert_true(o < sizeof head - 1);
    sp_recv_raw(p, t, head, body);
}

static inline void sp_reply(sp_t *p, uint64_t t, const sp_msg *req, const char *status,
                            const char *extra, const char *body) {
    sp_reply_tag(p, t, req, status, p->d.my_tag, extra, body);
}

/* Answers the engine's nth INVITE with 200 + SDP; extra are timer headers etc. */
static inline void sp_ok_invite(sp_t *p, uint64_t t, int n, const char *extra) {
    sp_reply(p, t, sp_must(p, "INVITE", NULL, n), "200 OK", extra, SP_SDP);
}

/* ---- the engine is the UAS; the script calls as UAC ----------------------------------------- */

static inline void sp_branch(sp_t *p, char *out, size_t cap) {
    snprintf(out, cap, "z9hG4bKsp%04u", ++p->branch_seq);
}

/* Sends the initial INVITE (CSeq 1) at t with extra headers and our SDP. */
static inline void sp_invite(sp_t *p, uint64_t t, const char *extra) {
    snprintf(p->d.call_id, sizeof p->d.call_id, "spcall%u@127.0.0.2", p->branch_seq + 1);
    snprintf(p->d.eng_uri, sizeof p->d.eng_uri, "%s", SP_ENGINE_URI);
    p->d.eng_tag[0] = '\0';
    p->d.cseq = 1;
    char br[32], head[4096];
    sp_branch(p, br, sizeof br);
    snprintf(head, sizeof head,
             "INVITE %s SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.2:5060;branch=%s\nMax-Forwards: 70\n"
             "From: <%s>;tag=%s\nTo: <%s>\nCall-ID: %s\nCSeq: 1 INVITE\nContact: <%s>\n%s"
             "Content-Type: application/sdp\n",
             SP_ENGINE_URI, br, p->d.my_uri, p->d.my_tag, p->d.eng_uri, p->d.call_id, SP_PEER_URI,
             extra ? extra : "");
    sp_recv_raw(p, t, head, SP_SDP);
    const sp_ev *st = sp_event(p, SB_EV_CALL_STARTED, 0);
    if (st) p->handle = st->call;
}

/* Engine as UAS: learns its tag and Contact from its first 2xx to our INVITE, once sent. */
static inline void sp_learn_uas(sp_t *p) {
    if (p->d.eng_tag[0]) return;
    const sp_msg *ok = sp_sent(p, "SIP/2.0 2", "INVITE", 0);
    if (!ok) return;
    sp_slice_copy(p->d.eng_tag, sizeof p->d.eng_tag, ok->m.to_tag);
    const sb_hdr *c = sb_msg_hdr(&ok->m, SB_HDR_CONTACT);
    if (c) sp_slice_copy(p->d.eng_target, sizeof p->d.eng_target, sb_nameaddr_uri(c->value));
}

/* ---- in-dialog requests from the script (either role) --------------------------------------- */

/* Sends METHOD in the dialog at t with a new CSeq (ACK: the given cseq) and returns the CSeq. */
static inline uint32_t sp_request(sp_t *p, uint64_t t, const char *method, uint32_t ack_cseq,
                                  const char *extra, const char *body) {
    bool ack = strcmp(method, "ACK") == 0;
    sp_learn_uas(p);
    uint32_t cseq = ack ? ack_cseq : ++p->d.cseq;
    char br[32], head[4096];
    sp_branch(p, br, sizeof br);
    snprintf(head, sizeof head,
             "%s %s SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.2:5060;branch=%s\nMax-Forwards: 70\n"
             "From: <%s>;tag=%s\nTo: <%s>%s%s\nCall-ID: %s\nCSeq: %u %s\nContact: <%s>\n%s%s",
             method, p->d.eng_target[0] ? p->d.eng_target : p->d.eng_uri, br, p->d.my_uri,
             p->d.my_tag, p->d.eng_uri, p->d.eng_tag[0] ? ";tag=" : "", p->d.eng_tag, p->d.call_id,
             cseq, method, SP_PEER_URI, extra ? extra : "",
             body ? "Content-Type: application/sdp\n" : "");
    sp_recv_raw(p, t, head, body);
    return cseq;
}

static inline void sp_ack(sp_t *p, uint64_t t, uint32_t cseq) {
    sp_request(p, t, "ACK", cseq, NULL, NULL);
}

/* The engine as UAC with its INVITE answered: it calls (talk time duration_ms, 0: until hung
 * up) and the script's 200 with extra headers and SDP arrives at t_ok. */
static inline sp_t *sp_uac_answered(const sb_config *cfg, uint32_t duration_ms, uint64_t t_ok,
                                    const char *extra) {
    sp_t *p = sp_new(cfg);
    sp_call(p, duration_ms);
    sp_ok_invite(p, t_ok, 0, extra);
    return p;
}

/* The engine as UAS: the script's INVITE at 0 with extra headers (answered at once, t0 = 0),
 * and the ACK at 5 when the engine sent a 200. */
static inline sp_t *sp_uas_answered(const sb_config *cfg, const char *extra) {
    sp_t *p = sp_new(cfg);
    sp_invite(p, 0, extra);
    if (sp_sent(p, "SIP/2.0 200", "INVITE", 0)) sp_ack(p, 5, 1);
    return p;
}

/* The engine's final response to our request with this CSeq and method, or NULL. */
static inline const sp_msg *sp_answer(const sp_t *p, uint32_t cseq, const char *method) {
    for (int i = 0; i < p->nmsgs; i++) {
        const sp_msg *s = &p->msgs[i];
        if (s->from_engine && !s->m.is_request && s->m.status >= 200 && s->m.cseq == cseq &&
            sb_slice_eq(s->m.cseq_method_name, method))
            return s;
    }
    return NULL;
}

static inline const sp_msg *sp_must_answer(const sp_t *p, uint32_t cseq, const char *method) {
    const sp_msg *s = sp_answer(p, cseq, method);
    if (!s) {
        sp_dump(p);
        fail_msg("no final answer to %s CSeq %u", method, cseq);
    }
    return s;
}

/* Asserts the engine sent exactly n matching messages (retransmissions aside) at exactly these
 * times. */
static inline void sp_expect_times(const sp_t *p, const char *prefix, const char *method,
                                   const uint64_t *times, int n) {
    int got = sp_count(p, prefix, method);
    bool ok = got == n;
    for (int i = 0; ok && i < n; i++)
        ok = sp_sent(p, prefix, method, i)->at_ms == times[i];
    if (ok) return;
    sp_dump(p);
    fprintf(stderr, "'%s' %s: expected %d at", prefix, method ? method : "*", n);
    for (int i = 0; i < n; i++)
        fprintf(stderr, " %llu", (unsigned long long)times[i]);
    fprintf(stderr, "; seen %d at", got);
    for (int i = 0; i < got; i++)
        fprintf(stderr, " %llu", (unsigned long long)sp_sent(p, prefix, method, i)->at_ms);
    fprintf(stderr, "\n");
    fail_msg("sends of '%s' differ", prefix);
}

#endif
