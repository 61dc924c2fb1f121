/* Real calls through the simulator while a third address sprays hostile datagrams at the UAS. */
#include "simtest.h"

/* A UAC places 50 calls to a UAS (ring time 0, session timers supported). Meanwhile a script
 * node at ATK_ADDR hands the UAS, at many virtual times, garbage, truncated and oversize
 * datagrams, lying Content-Lengths, broken Session-Expires / Min-SE, unknown methods and
 * requests for dialogs that do not exist. The attacker behaves like a UA otherwise: it ACKs
 * every final response to its INVITEs and hangs up any it gets a 2xx for, so what is left at
 * the end is the engine's doing.
 *
 * Checked: every real call is answered and ends normally on both sides; every hostile
 * datagram got exactly the answer it deserves (or none), with nothing sent to the attacker
 * that is not an answer to something it sent; malformed_messages counts exactly the datagrams
 * the parser must refuse; nothing leaks once the network is idle. */

#define ATK_ADDR "127.0.0.3:5070"
#define NCALLS 50
#define STEP_MS 250
#define NSTEPS 140
#define MAX_RECS 512

#define SDP_OFFER                                                                                  \
    "v=0\r\n"                                                                                      \
    "o=mallory 1 1 IN IP4 127.0.0.3\r\n"                                                           \
    "s=-\r\n"                                                                                      \
    "c=IN IP4 127.0.0.3\r\n"                                                                       \
    "t=0 0\r\n"                                                                                    \
    "m=audio 30000 RTP/AVP 0\r\n"                                                                  \
    "a=rtpmap:0 PCMU/8000\r\n"                                                                     \
    "a=sendrecv\r\n"

/* What one hostile datagram must lead to. */
typedef struct {
    const char *name;
    const char *method; /* CSeq method of the answers; NULL: no Call-ID at all */
    bool malformed;     /* the parser must refuse it: counted in malformed_messages */
    int allowed[3];     /* acceptable final statuses; {0}: no answer at all */
    const char *reason; /* the 400's reason phrase must contain this */
} kind_spec;

enum {
    K_GARBAGE,
    K_TRUNC_EARLY,    /* cut inside Via: no From/To/Call-ID/CSeq to answer with */
    K_TRUNC_HEADERS,  /* all headers there, no blank line */
    K_CL_LONGER,      /* Content-Length 150 bytes beyond the body */
    K_CL_SHORTER,     /* Content-Length 100 of a longer body: the rest is dropped (§18.3) */
    K_OVERSIZE,       /* > 64 KiB with intact headers */
    K_SE_ZERO,        /* Session-Expires: 0 (below Min-SE: 422) */
    K_SE_NEG,         /* -1 */
    K_SE_HUGE,        /* 99999999999 */
    K_SE_ABC,         /* abc */
    K_SE_BOGUS,       /* refresher=bogus: treated as absent (RFC 4028 §9) */
    K_SE_DUP,         /* two Session-Expires headers */
    K_MINSE_ZERO,     /* Min-SE: 0 with Session-Expires: 1800 */
    K_MINSE_NEG,      /* Min-SE: -1 */
    K_MINSE_HUGE,     /* Min-SE: 99999999999 */
    K_MINSE_ABC,      /* Min-SE: abc */
    K_FOO,            /* unknown method */
    K_BYE_UNKNOWN,    /* made-up Call-ID and To tag */
    K_BYE_NOTAG,      /* made-up Call-ID, no To tag */
    K_BYE_REAL_WRONG, /* a live real call's Call-ID and From tag, a wrong To tag */
    K_CANCEL_STRAY,   /* matches no INVITE transaction */
    K_ACK_STRAY,      /* matches nothing: no answer */
    K_RESPONSE_STRAY, /* a 200 for a transaction that never was */
    K_OPTIONS,        /* a plain OPTIONS: the UAS must still answer the attacker normally */
    K__COUNT
};

/* clang-format off */
static const kind_spec kinds[K__COUNT] = {
    [K_GARBAGE] = {"garbage", NULL, true, {0}, NULL},
    [K_TRUNC_EARLY] = {"truncated-in-via", "INVITE", true, {0}, NULL},
    [K_TRUNC_HEADERS] = {"truncated-header-block", "INVITE", true, {400}, "truncated header block"},
    [K_CL_LONGER] = {"content-length-longer", "INVITE", true, {400},
                     "body shorter than Content-Length"},
    [K_CL_SHORTER] = {"content-length-shorter", "INVITE", false, {200, 400, 488}, NULL},
    [K_OVERSIZE] = {"oversize", "INVITE", true, {400, 513}, "too large"},
    [K_SE_ZERO] = {"se-0", "INVITE", false, {422}, NULL},
    [K_SE_NEG] = {"se-minus-1", "INVITE", false, {400}, NULL},
    /* RFC 4028's delta-seconds has no upper bound: refuse, or saturate and answer. */
    [K_SE_HUGE] = {"se-99999999999", "INVITE", false, {400, 200}, NULL},
    [K_SE_ABC] = {"se-abc", "INVITE", false, {400}, NULL},
    [K_SE_BOGUS] = {"se-refresher-bogus", "INVITE", false, {200}, NULL},
    [K_SE_DUP] = {"se-twice", "INVITE", false, {400}, NULL},
    [K_MINSE_ZERO] = {"min-se-0", "INVITE", false, {200}, NULL},
    /* A broken Min-SE may be refused, or ignored as if absent (the UAS then assumes 90). */
    [K_MINSE_NEG] = {"min-se-minus-1", "INVITE", false, {400, 200}, NULL},
    [K_MINSE_HUGE] = {"min-se-99999999999", "INVITE", false, {400, 200}, NULL},
    [K_MINSE_ABC] = {"min-se-abc", "INVITE", false, {400, 200}, NULL},
    [K_FOO] = {"unknown-method", "FOO", false, {501, 405}, NULL},
    [K_BYE_UNKNOWN] = {"bye-unknown-dialog", "BYE", false, {481}, NULL},
    [K_BYE_NOTAG] = {"bye-no-dialog", "BYE", false, {481}, NULL},
    [K_BYE_REAL_WRONG] = {"bye-real-call-wrong-tag", "BYE", false, {481}, NULL},
    [K_CANCEL_STRAY] = {"stray-cancel", "CANCEL", false, {481}, NULL},
    [K_ACK_STRAY] = {"stray-ack", "ACK", false, {0}, NULL},
    [K_RESPONSE_STRAY] = {"stray-response", "INVITE", false, {0}, NULL},
    [K_OPTIONS] = {"options", "OPTIONS", false, {200}, NULL},
};
/* clang-format on */

typedef struct {
    int kind;
    uint64_t at_ms;
    char call_id[80];
    size_t len;
    char head[120]; /* the first line sent, for the report */
} hrec;

typedef struct {
    sb_sim *sim;
    int uac, uas, atk;
    sb_addr uas_addr, atk_addr;
    uint64_t rng;
    hrec recs[MAX_RECS];
    int nrecs;
    int sent_by_kind[K__COUNT];
    /* attacker-side bookkeeping */
    char byed[64][80];
    int nbyed, acks, byes, serial;
    /* UAS events about the attacker */
    int malformed_from_atk, malformed_other;
} hctx;

/* Static: a failed assertion longjmps out of the test, and this must not leak then. */
static hctx the_ctx;

static hctx *ctx_new(void) {
    memset(&the_ctx, 0, sizeof the_ctx);
    return &the_ctx;
}

static uint64_t rnd(hctx *h) {
    uint64_t x = h->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return h->rng = x;
}

/* ---- Building the hostile datagrams ------------------------------------------------------- */

/* A complete out-of-dialog request from the attacker. extra: header lines; cl < 0: the
 * body's real length. */
static size_t build_request(char *out, size_t cap, const char *method, const char *call_id,
                            const char *branch, const char *from_tag, const char *to_tag,
                            const char *extra, const char *body, long cl) {
    size_t blen = body ? strlen(body) : 0;
    int n = snprintf(out, cap,
                     "%s sip:service@127.0.0.2:5060 SIP/2.0\r\n"
                     "Via: SIP/2.0/UDP 127.0.0.3:5070;branch=%s\r\n"
                     "Max-Forwards: 70\r\n"
                     "From: <sip:mallory@127.0.0.3:5070>;tag=%s\r\n"
                     "To: <sip:service@127.0.0.2:5060>%s%s\r\n"
                     "Call-ID: %s\r\n"
                     "CSeq: 1 %s\r\n"
                     "Contact: <sip:mallory@127.0.0.3:5070>\r\n"
                     "%s"
                     "%s"
                     "Content-Length: %ld\r\n"
                     "\r\n"
                     "%s",
                     method, branch, from_tag, to_tag ? ";tag=" : "", to_tag ? to_tag : "", call_id,
                     method, extra ? extra : "", blen ? "Content-Type: application/sdp\r\n" : "",
                     cl >= 0 ? cl : (long)blen, body ? body : "");
    assert_true(n > 0 && (size_t)n < cap);
    return (size_t)n;
}

static size_t build_invite(char *out, size_t cap, const char *call_id, const char *branch,
                           const char *extra) {
    char hdrs[512];
    snprintf(hdrs, sizeof hdrs, "Supported: timer\r\n%s", extra ? extra : "");
    return build_request(out, cap, "INVITE", call_id, branch, "mal1", NULL, hdrs, SDP_OFFER, -1);
}

/* The Call-ID and From tag of a real call that is up now (its INVITE left 1..1.5 s ago and
 * every call talks for at least 2 s), or false. */
static bool live_real_call(hctx *h, char *call_id, size_t cid_cap, char *from_tag, size_t ft_cap) {
    uint64_t now = sb_sim_now(h->sim);
    int n = sb_sim_count_sent(h->sim, h->uac, "INVITE", NULL);
    for (int i = n - 1; i >= 0; i--) {
        const sb_sim_entry *en = sb_sim_sent(h->sim, h->uac, "INVITE", NULL, i);
        if (en->at_ms + 1000 > now) continue;
        if (en->at_ms + 1500 < now) return false;
        char from[160];
        if (!sb_sim_hdr(en, "From", 'f', from, sizeof from)) return false;
        const char *tag = strstr(from, "tag=");
        if (!tag) return false;
        snprintf(call_id, cid_cap, "%s", en->call_id);
        snprintf(from_tag, ft_cap, "%.*s", (int)strcspn(tag + 4, ";> "), tag + 4);
        return true;
    }
    return false;
}

static void record(hctx *h, int kind, const char *call_id, const char *data, size_t len,
                   uint32_t delay) {
    assert_true(h->nrecs < MAX_RECS);
    hrec *r = &h->recs[h->nrecs++];
    r->kind = kind;
    r->at_ms = sb_sim_now(h->sim) + delay;
    snprintf(r->call_id, sizeof r->call_id, "%s", call_id ? call_id : "");
    r->len = len;
    size_t l = 0;
    while (l < len && l < sizeof r->head - 1 && data[l] != '\r' && data[l] != '\n') {
        unsigned char ch = (unsigned char)data[l];
        r->head[l] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '.';
        l++;
    }
    r->head[l] = '\0';
    h->sent_by_kind[kind]++;
    sb_sim_inject(h->sim, &h->atk_addr, h->uas, data, len, delay);
}

static void send_garbage(hctx *h, uint32_t delay) {
    char buf[2048];
    size_t len = 1 + rnd(h) % (sizeof buf - 1);
    bool text = rnd(h) % 2;
    for (size_t i = 0; i < len; i++) {
        uint64_t r = rnd(h);
        if (text) /* printable lines: looks like SIP from afar */
            buf[i] = (r % 23 == 0) ? '\n' : (r % 29 == 0) ? '\r' : (char)(0x20 + r % 95);
        else
            buf[i] = (char)(r & 0xff);
    }
    if (buf[0] == '\r' || buf[0] == '\n') buf[0] = 'X'; /* not a CRLF keep-alive */
    record(h, K_GARBAGE, NULL, buf, len, delay);
}

static void send_hostile(hctx *h, int kind, int k, uint32_t delay) {
    static char big[70 * 1024];
    char buf[4096], call_id[80], branch[40], extra[256];
    snprintf(call_id, sizeof call_id, "h%d-%s@127.0.0.3", k, kinds[kind].name);
    snprintf(branch, sizeof branch, "z9hG4bKh%d", k);
    size_t n = 0;
    switch (kind) {
    case K_TRUNC_EARLY:
        n = build_invite(buf, sizeof buf, call_id, branch, NULL);
        n = (size_t)(strstr(buf, "Max-Forwards") - buf) - 10; /* inside the Via line */
        break;
    case K_TRUNC_HEADERS:
        build_invite(buf, sizeof buf, call_id, branch, NULL);
        n = (size_t)(strstr(buf, "\r\n\r\n") - buf) + 2;
        break;
    case K_CL_LONGER:
        n = build_request(buf, sizeof buf, "INVITE", call_id, branch, "mal1", NULL,
                          "Supported: timer\r\n", SDP_OFFER, (long)strlen(SDP_OFFER) + 150);
        break;
    case K_CL_SHORTER:
        n = build_request(buf, sizeof buf, "INVITE", call_id, branch, "mal1", NULL,
                          "Supported: timer\r\n", SDP_OFFER, 100);
        break;
    case K_OVERSIZE: {
        /* Intact headers, then a body that takes the datagram past 64 KiB. */
        size_t body = 66 * 1024;
        char *pad = malloc(body + 1);
        assert_non_null(pad);
        for (size_t i = 0; i < body; i++)
            pad[i] = (i % 64 == 63) ? '\n' : 'a';
        pad[body] = '\0';
        n = build_request(big, sizeof big, "INVITE", call_id, branch, "mal1", NULL,
                          "Supported: timer\r\n", pad, -1);
        free(pad);
        assert_true(n > 65536);
        record(h, kind, call_id, big, n, delay);
        return;
    }
    case K_SE_ZERO:
        n = build_invite(buf, sizeof buf, call_id, branch, "Session-Expires: 0\r\n");
        break;
    case K_SE_NEG:
        n = build_invite(buf, sizeof buf, call_id, branch, "Session-Expires: -1\r\n");
        break;
    case K_SE_HUGE:
        n = build_invite(buf, sizeof buf, call_id, branch, "Session-Expires: 99999999999\r\n");
        break;
    case K_SE_ABC:
        n = build_invite(buf, sizeof buf, call_id, branch, "Session-Expires: abc\r\n");
        break;
    case K_SE_BOGUS:
        n = build_invite(buf, sizeof buf, call_id, branch,
                         "Session-Expires: 1800;refresher=bogus\r\n");
        break;
    case K_SE_DUP:
        n = build_invite(buf, sizeof buf, call_id, branch,
                         "Session-Expires: 1800\r\nSession-Expires: 900\r\n");
        break;
    case K_MINSE_ZERO:
    case K_MINSE_NEG:
    case K_MINSE_HUGE:
    case K_MINSE_ABC: {
        const char *v = kind == K_MINSE_ZERO   ? "0"
                        : kind == K_MINSE_NEG  ? "-1"
                        : kind == K_MINSE_HUGE ? "99999999999"
                                               : "abc";
        snprintf(extra, sizeof extra, "Session-Expires: 1800\r\nMin-SE: %s\r\n", v);
        n = build_invite(buf, sizeof buf, call_id, branch, extra);
        break;
    }
    case K_FOO:
        n = build_request(buf, sizeof buf, "FOO", call_id, branch, "mal1", NULL, NULL, NULL, -1);
        break;
    case K_BYE_UNKNOWN:
        n = build_request(buf, sizeof buf, "BYE", call_id, branch, "mal1", "nosuchtag", NULL, NULL,
                          -1);
        break;
    case K_BYE_NOTAG:
        n = build_request(buf, sizeof buf, "BYE", call_id, branch, "mal1", NULL, NULL, NULL, -1);
        break;
    case K_BYE_REAL_WRONG: {
        char ft[64];
        if (!live_real_call(h, call_id, sizeof call_id, ft, sizeof ft)) return;
        n = build_request(buf, sizeof buf, "BYE", call_id, branch, ft, "notthecallstag", NULL, NULL,
                          -1);
        break;
    }
    case K_CANCEL_STRAY:
        n = build_request(buf, sizeof buf, "CANCEL", call_id, branch, "mal1", NULL, NULL, NULL, -1);
        break;
    case K_ACK_STRAY:
        n = build_request(buf, sizeof buf, "ACK", call_id, branch, "mal1", "nosuchtag", NULL, NULL,
                          -1);
        break;
    case K_RESPONSE_STRAY:
        n = (size_t)snprintf(buf, sizeof buf,
                             "SIP/2.0 200 OK\r\n"
                             "Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bKneversent%d\r\n"
                             "From: <sip:sipbeat@127.0.0.2:5060>;tag=x%d\r\n"
                             "To: <sip:mallory@127.0.0.3:5070>;tag=y%d\r\n"
                             "Call-ID: %s\r\n"
                             "CSeq: 1 INVITE\r\n"
                             "Content-Length: 0\r\n\r\n",
                             k, k, k, call_id);
        break;
    case K_OPTIONS:
        n = build_request(buf, sizeof buf, "OPTIONS", call_id, branch, "mal1", NULL, NULL, NULL,
                          -1);
        break;
    default:
        fail_msg("kind %d", kind);
    }
    record(h, kind, call_id, buf, n, delay);
}

/* ---- The attacker as a UA: ACK every final, hang up every 2xx ------------------------------ */

static bool byed(hctx *h, sb_slice cid) {
    for (int i = 0; i < h->nbyed; i++)
        if (sb_slice_eq(cid, h->byed[i])) return true;
    return false;
}

static void atk_recv(sb_sim *sim, int node, const sb_addr *from, const char *data, size_t len,
                     void *ud) {
    hctx *h = ud;
    (void)from;
    if (node != h->atk) return;
    sb_msg m;
    if (sb_msg_parse(&m, data, len, true) < 0 || m.is_request) return;
    if (m.cseq_method != SB_METHOD_INVITE || m.status < 200) return;
    const sb_hdr *hv = sb_msg_hdr(&m, SB_HDR_VIA), *hf = sb_msg_hdr(&m, SB_HDR_FROM),
                 *ht = sb_msg_hdr(&m, SB_HDR_TO);
    char out[2048], via[128];
    bool ok = m.status < 300;
    if (ok) /* an ACK to a 2xx is a new transaction (RFC 3261 §13.2.2.4) */
        snprintf(via, sizeof via, "SIP/2.0/UDP 127.0.0.3:5070;branch=z9hG4bKatk%d", h->serial++);
    else
        snprintf(via, sizeof via, "%.*s", (int)hv->value.n, hv->value.p);
    int n = snprintf(out, sizeof out,
                     "ACK sip:service@127.0.0.2:5060 SIP/2.0\r\nVia: %s\r\nMax-Forwards: 70\r\n"
                     "From: %.*s\r\nTo: %.*s\r\nCall-ID: %.*s\r\nCSeq: %u ACK\r\n"
                     "Content-Length: 0\r\n\r\n",
                     via, (int)hf->value.n, hf->value.p, (int)ht->value.n, ht->value.p,
                     (int)m.call_id.n, m.call_id.p, m.cseq);
    assert_true(n > 0 && (size_t)n < sizeof out);
    sb_sim_send(sim, h->atk, &h->uas_addr, out, (size_t)n);
    h->acks++;
    if (!ok || byed(h, m.call_id)) return;
    assert_true(h->nbyed < 64);
    snprintf(h->byed[h->nbyed++], sizeof h->byed[0], "%.*s", (int)m.call_id.n, m.call_id.p);
    n = snprintf(out, sizeof out,
                 "BYE sip:service@127.0.0.2:5060 SIP/2.0\r\n"
                 "Via: SIP/2.0/UDP 127.0.0.3:5070;branch=z9hG4bKatk%d\r\nMax-Forwards: 70\r\n"
                 "From: %.*s\r\nTo: %.*s\r\nCall-ID: %.*s\r\nCSeq: %u BYE\r\n"
                 "Content-Length: 0\r\n\r\n",
                 h->serial++, (int)hf->value.n, hf->value.p, (int)ht->value.n, ht->value.p,
                 (int)m.call_id.n, m.call_id.p, m.cseq + 1);
    assert_true(n > 0 && (size_t)n < sizeof out);
    sb_sim_send(sim, h->atk, &h->uas_addr, out, (size_t)n);
    h->byes++;
}

static void on_event(sb_sim *sim, int node, const sb_event *ev, void *ud) {
    hctx *h = ud;
    (void)sim;
    if (node != h->uas || ev->type != SB_EV_MALFORMED) return;
    if (sb_addr_equal(&ev->addr, &h->atk_addr))
        h->malformed_from_atk++;
    else
        h->malformed_other++;
}

/* ---- Checking the answers ----------------------------------------------------------------- */

static int status_of(const sb_sim_entry *en) {
    return strncmp(en->line, "SIP/2.0 ", 8) == 0 ? atoi(en->line + 8) : 0;
}

static bool is_uas_to_atk(const hctx *h, const sb_sim_entry *en) {
    return en->kind == SB_SIM_EVENT && en->type == SB_EV_SEND && en->node == h->uas &&
           en->peer == h->atk;
}

/* Appends one problem to the report; returns the count so far. */
static int problem(char *rep, size_t cap, int nprob, const char *fmt, ...) {
    size_t used = strlen(rep);
    if (used + 2 < cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(rep + used, cap - used, fmt, ap);
        va_end(ap);
        used = strlen(rep);
        if (used + 1 < cap) strcat(rep, "\n");
    }
    return nprob + 1;
}

/* Every hostile datagram against its kind's expectation. Returns the number of problems. */
static int check_answers(hctx *h, char *rep, size_t cap) {
    int nprob = 0;
    const sb_sim *sim = h->sim;
    size_t nlog = sb_sim_log_len(sim);
    for (int i = 0; i < h->nrecs; i++) {
        const hrec *r = &h->recs[i];
        const kind_spec *k = &kinds[r->kind];
        if (!k->method) continue; /* garbage: checked by the global count below */
        int finals = 0, first = 0, provisional = 0;
        char first_line[96] = "";
        const sb_sim_entry *first_en = NULL;
        bool mixed = false;
        for (size_t j = 0; j < nlog; j++) {
            const sb_sim_entry *en = sb_sim_log_at(sim, j);
            if (!is_uas_to_atk(h, en) || strcmp(en->call_id, r->call_id) != 0) continue;
            if (en->at_ms < r->at_ms || strcmp(en->cseq_method, k->method) != 0) continue;
            int st = status_of(en);
            if (st < 200) {
                provisional++;
                continue;
            }
            if (!finals++) {
                first = st;
                first_en = en;
                snprintf(first_line, sizeof first_line, "%s", en->line);
            } else if (st != first) {
                mixed = true;
            }
        }
        bool want_answer = k->allowed[0] != 0;
        if (!want_answer) {
            if (finals || provisional)
                nprob = problem(rep, cap, nprob,
                                "%s at %llu ms (\"%s\", %zu bytes): expected no answer, got "
                                "\"%s\"",
                                k->name, (unsigned long long)r->at_ms, r->head, r->len, first_line);
            continue;
        }
        bool allowed = false;
        for (int a = 0; a < 3 && k->allowed[a]; a++)
            allowed |= first == k->allowed[a];
        if (!finals || !allowed || mixed) {
            nprob = problem(rep, cap, nprob,
                            "%s at %llu ms (\"%s\", %zu bytes): expected %d%s%s, got %s%s", k->name,
                            (unsigned long long)r->at_ms, r->head, r->len, k->allowed[0],
                            k->allowed[1] ? " or another listed code" : "",
                            k->reason ? " naming the problem" : "",
                            finals ? first_line : "no answer", mixed ? " (and others)" : "");
            continue;
        }
        if (k->reason && first == 400 && !strstr(first_line, k->reason))
            nprob = problem(rep, cap, nprob, "%s at %llu ms: 400 reason \"%s\" does not say \"%s\"",
                            k->name, (unsigned long long)r->at_ms, first_line, k->reason);
        if (first == 422) {
            char v[64];
            if (!sb_sim_hdr(first_en, "Min-SE", 0, v, sizeof v) || atol(v) < 90)
                nprob = problem(rep, cap, nprob, "%s: 422 without a Min-SE >= 90", k->name);
        }
        if (first >= 200 && first < 300 && strcmp(k->method, "INVITE") == 0) {
            /* The attacker hung up: its BYE must have been answered 200. */
            int bye_ok = 0;
            for (size_t j = 0; j < nlog; j++) {
                const sb_sim_entry *en = sb_sim_log_at(sim, j);
                if (is_uas_to_atk(h, en) && strcmp(en->call_id, r->call_id) == 0 &&
                    strcmp(en->cseq_method, "BYE") == 0 && status_of(en) == 200)
                    bye_ok++;
            }
            if (!bye_ok)
                nprob = problem(rep, cap, nprob, "%s: the attacker's BYE after the 2xx got no 200",
                                k->name);
        }
    }
    /* Nothing went to the attacker that is not an answer to one of its own requests. */
    for (size_t j = 0; j < nlog; j++) {
        const sb_sim_entry *en = sb_sim_log_at(sim, j);
        if (!is_uas_to_atk(h, en)) continue;
        bool known = false;
        for (int i = 0; i < h->nrecs && !known; i++)
            known = h->recs[i].call_id[0] && strcmp(h->recs[i].call_id, en->call_id) == 0;
        if (!known)
            nprob = problem(rep, cap, nprob, "unexpected datagram to the attacker at %llu: \"%s\"",
                            (unsigned long long)en->at_ms, en->line);
    }
    return nprob;
}

/* ---- The scenario ------------------------------------------------------------------------- */

static void run_hostile(uint64_t seed) {
    hctx *h = ctx_new();
    h->rng = seed * 0x9E3779B97F4A7C15ull + 1;
    sb_config a = st_config(UAC_ADDR, seed + 1), b = st_config(UAS_ADDR, seed + 2);
    b.ring_time_ms = 0;
    b.timer.mode = SB_TIMER_SUPPORTED;
    b.timer.se_s = 1800;
    b.timer.min_se_s = 90;
    int uac, uas;
    sb_sim *sim = st_pair(seed, &a, &b, &uac, &uas);
    h->sim = sim;
    h->uac = uac;
    h->uas = uas;
    h->uas_addr = st_addr(UAS_ADDR);
    h->atk_addr = st_addr(ATK_ADDR);
    h->atk = sb_sim_add_script(sim, &h->atk_addr);
    assert_true(h->atk >= 0);
    sb_sim_set_recv_cb(sim, atk_recv, h);
    sb_sim_set_event_cb(sim, on_event, h);

    int placed = 0;
    for (int k = 0; k < NSTEPS; k++) {
        sb_sim_run_until(sim, (uint64_t)k * STEP_MS);
        if (k % 2 == 0 && placed < NCALLS) {
            st_call(sim, uac, 2000 + (uint32_t)(placed % 5) * 700);
            placed++;
        }
        send_garbage(h, (uint32_t)(rnd(h) % STEP_MS));
        /* Every kind but garbage in turn (the seed picks where the turn starts), at a random
         * offset within the step. */
        int kind = 1 + (int)((k + seed * 7) % (K__COUNT - 1));
        send_hostile(h, kind, k, (uint32_t)(rnd(h) % STEP_MS));
    }
    assert_int_equal(placed, NCALLS);
    assert_true(sb_sim_run_idle(sim, 600000));
    assert_false(sb_sim_stuck(sim));

    /* Every real call: answered and ended normally, on both sides. */
    assert_int_equal(sb_sim_count_events(sim, uac, SB_EV_CALL_ENDED), NCALLS);
    for (int i = 0; i < NCALLS; i++) {
        const sb_call_stats *c = st_ended(sim, uac, i);
        if (c->result != SB_RESULT_ANSWERED || c->end_reason != SB_END_NORMAL) {
            sb_sim_dump(sim);
            fail_msg("real call %s: result %d, end_reason %s", c->call_id, c->result,
                     sb_end_reason_name(c->end_reason));
        }
        bool seen = false;
        int ended = sb_sim_count_events(sim, uas, SB_EV_CALL_ENDED);
        for (int j = 0; j < ended && !seen; j++) {
            const sb_call_stats *s = st_ended(sim, uas, j);
            if (strcmp(s->call_id, c->call_id) != 0) continue;
            seen = true;
            if (s->result != SB_RESULT_ANSWERED || s->end_reason != SB_END_NORMAL)
                fail_msg("UAS side of %s: result %d, end_reason %s", c->call_id, s->result,
                         sb_end_reason_name(s->end_reason));
        }
        if (!seen) fail_msg("UAS has no record of real call %s", c->call_id);
    }

    /* Counters. */
    int want_malformed = 0, want_unknown_dialog = 0;
    for (int kd = 0; kd < K__COUNT; kd++) {
        if (kinds[kd].malformed) want_malformed += h->sent_by_kind[kd];
        if (kd == K_BYE_UNKNOWN || kd == K_BYE_NOTAG || kd == K_BYE_REAL_WRONG)
            want_unknown_dialog += h->sent_by_kind[kd];
    }
    for (int kd = 0; kd < K__COUNT; kd++) /* the run covered every kind */
        if (h->sent_by_kind[kd] == 0) fail_msg("no %s was sent", kinds[kd].name);
    sb_engine_stats us, cs;
    sb_engine_get_stats(sb_sim_engine(sim, uas), &us);
    sb_engine_get_stats(sb_sim_engine(sim, uac), &cs);

    char rep[8192] = "";
    int nprob = check_answers(h, rep, sizeof rep);
    if (us.malformed_messages != (uint64_t)want_malformed)
        nprob = problem(rep, sizeof rep, nprob, "UAS malformed_messages %llu, expected %d",
                        (unsigned long long)us.malformed_messages, want_malformed);
    if (h->malformed_from_atk != want_malformed || h->malformed_other != 0)
        nprob = problem(rep, sizeof rep, nprob,
                        "SB_EV_MALFORMED: %d from the attacker (expected %d), %d from elsewhere",
                        h->malformed_from_atk, want_malformed, h->malformed_other);
    if (us.unknown_dialog_requests != (uint64_t)want_unknown_dialog)
        nprob = problem(rep, sizeof rep, nprob, "UAS unknown_dialog_requests %llu, expected %d",
                        (unsigned long long)us.unknown_dialog_requests, want_unknown_dialog);
    if (us.unmatched_responses != (uint64_t)h->sent_by_kind[K_RESPONSE_STRAY])
        nprob =
            problem(rep, sizeof rep, nprob, "UAS unmatched_responses %llu, expected %d",
                    (unsigned long long)us.unmatched_responses, h->sent_by_kind[K_RESPONSE_STRAY]);
    if (cs.malformed_messages != 0)
        nprob = problem(rep, sizeof rep, nprob, "UAC saw %llu malformed messages",
                        (unsigned long long)cs.malformed_messages);
    if (us.live_calls || us.live_txns || cs.live_calls || cs.live_txns)
        nprob = problem(rep, sizeof rep, nprob,
                        "leaks after idle: UAS %u calls %u txns, UAC %u calls %u txns",
                        us.live_calls, us.live_txns, cs.live_calls, cs.live_txns);
    if (nprob) {
        if (getenv("SB_SIM_DUMP")) sb_sim_dump(sim);
        fprintf(stderr, "seed %llu: %d problem(s) over %d hostile datagrams:\n%s",
                (unsigned long long)seed, nprob, h->nrecs, rep);
        fail_msg("hostile traffic mishandled (see above)");
    }

    st_expect_no_leaks(sim, uac);
    st_expect_no_leaks(sim, uas);
    /* The attacker did its part: ACKs and hang-ups happened. */
    assert_true(h->acks > 0 && h->byes > 0);
    st_free(sim);
}

/* ---- RFC 4475 requests handed to the UAS ------------------------------------------------- */

/* The RFC 4475 torture requests (tests/data/torture, see test_sip_torture.c for the parser's
 * side), each as one datagram from the attacker's address, and the final answer RFC 4475 says
 * an endpoint gives. {0}: no answer is possible (or wanted). Several codes: any of them. */
typedef struct {
    const char *file;
    const char *call_id;
    int allowed[3];
    const char *why;
} rfc_req;

/* clang-format off */
static const rfc_req rfc_reqs[] = {
    {"wsinv", "wsinv.ndaksdj@192.0.2.1", {481}, "3.1.1.1 valid, but its To tag names no dialog"},
    {"intmeth", "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{", {501}, "3.1.1.2 unknown method"},
    {"esc01", "esc01.239409asdfakjkn23onasd0-3234", {200}, "3.1.1.3 valid INVITE"},
    {"esc02", "esc02.asdfnqwo34rq23i34jrjasdcnl23nrlknsdf", {501}, "3.1.1.5 RE%47IST%45R"},
    {"lwsdisp", "lwsdisp.1234abcd@funky.example.com", {200}, "3.1.1.6 valid OPTIONS"},
    {"longreq", "longreq.onereallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreally"
                "reallyreallyreallyreallyreallyreallyreallyreallyreallylongcallid",
     {200}, "3.1.1.7 valid INVITE"},
    {"semiuri", "semiuri.0ha0isndaksdj", {200}, "3.1.1.9 valid OPTIONS"},
    {"transports", "transports.kijh4akdnaqjkwendsasfdj", {200}, "3.1.1.10 valid OPTIONS"},
    {"mpart01", "3d9485ad0c49859b@Zmx1ZmZ5LW1hYy0xNi5sb2NhbA..", {405, 501, 200},
     "3.1.1.11 MESSAGE"},
    {"badinv01", "badinv01.0ha0isndaksdjasdf3234nas", {400}, "3.1.2.1 should 400"},
    {"clerr", "clerr.0ha0isndaksdjweiafasdk3", {400}, "3.1.2.2 over UDP: 400"},
    {"ncl", "ncl.0ha0isndaksdj2193423r542w35", {400}, "3.1.2.3 an error"},
    {"scalar02", "scalar02.23o0pd9vanlq3wnrlnewofjas9ui32", {400}, "3.1.2.4 400 for the CSeq"},
    {"quotbal", "quotbal.aksdj", {400}, "3.1.2.6 should 400"},
    {"ltgtruri", "ltgtruri.1@192.0.2.5", {400, 200}, "3.1.2.7 400, or ignore the <>"},
    {"lwsruri", "lwsruri.asdfasdoeoi2323-asdfwrn23-asd834rk423", {400, 481},
     "3.1.2.8 400, or ignore the LWS (then: To tag, no dialog)"},
    {"lwsstart", "lwsstart.dfknq234oi243099adsdfnawe3@example.com", {400, 200},
     "3.1.2.9 reject, or ignore the SPs"},
    {"trws", "trws.oicu34958239neffasdhr2345r", {400, 200}, "3.1.2.10 reject, or ignore"},
    {"escruri", "escruri.23940-asdfhj-aje3br-234q098w-fawerh2q-h4n5", {400, 200},
     "3.1.2.11 400, or ignore the headers"},
    {"baddate", "baddate.239423mnsadf3j23lj42--sedfnm234", {400, 200}, "3.1.2.12 either"},
    {"regbadct", "regbadct.k345asrl3fdbv@10.0.0.1", {400, 405}, "3.1.2.13 400, or 405"},
    {"badaspec", "badaspec.sdf0234n2nds0a099u23h3hnnw009cdkne3", {400, 200}, "3.1.2.14 either"},
    {"badvers", "badvers.31417@c.example.com", {505}, "3.1.2.16 should 505"},
    {"mismatch01", "mismatch01.dj0234sxdfl3", {400}, "3.1.2.17 400"},
    {"mismatch02", "mismatch02.dj0234sxdfl3", {501, 400}, "3.1.2.18 501 (or 400)"},
    {"badbranch", "badbranch.sadonfo23i420jv0as0derf3j3n", {200, 400}, "3.2.1 either"},
    {"insuf", "", {0}, "3.3.1 no Call-ID/From/To: nothing to answer with"},
    {"unkscm", "unkscm.nasdfasser0q239nwsdfasdkl34", {416}, "3.3.2 416"},
    {"novelsc", "novelsc.asdfasser0q239nwsdfasdkl34", {416, 404}, "3.3.3 416 (or 404)"},
    {"unksm2", "unksm2.daksdj@hyphenated-host.example.com", {405, 400}, "3.3.4 not a registrar"},
    {"bext01", "bext01.0ha0isndaksdj", {420}, "3.3.5 420 Bad Extension"},
    {"invut", "invut.0ha0isndaksdjadsfij34n23d", {415}, "3.3.6 415"},
    {"regaut01", "regaut01.0ha0isndaksdj", {405}, "3.3.7 endpoint: 405"},
    {"multi01", "", {0, 400}, "3.3.8 400 (two Call-IDs: none to name)"},
    {"mcl01", "mcl01.fhn2323orihawfdoa3o4r52o3irsdf", {400}, "3.3.9 an error"},
    {"zeromf", "zeromf.jfasdlfnm2o2l43r5u0asdfas", {200}, "3.3.11 endpoint: as usual"},
    {"cparam01", "cparam01.70710@saturn.example.com", {405}, "3.3.12 endpoint: 405"},
    {"sdp01", "sdp01.ndaksdj9342dasdd", {406, 400}, "3.3.15 406 (or 400)"},
    /* Accepted "by RFC 3261 elements that want to maintain backwards compatibility"; it has no
     * Contact, which RFC 3261 §8.1.1.8 requires, so a 400 is fair too. */
    {"inv2543", "inv2543.1717@ift.client.example.com", {200, 400},
     "3.4.1 RFC 2543 INVITE (accept, or 400: no Contact)"},
};
/* clang-format on */

static size_t load_torture(const char *name, char *out, size_t cap) {
    const char *self = __FILE__;
    const char *tail = strstr(self, "sim/test_hostile.c");
    char path[1024];
    snprintf(path, sizeof path, "%.*sdata/torture/%s.sip", tail ? (int)(tail - self) : 0, self,
             name);
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s", path);
    size_t n = fread(out, 1, cap, f);
    fclose(f);
    assert_true(n > 0 && n < cap);
    return n;
}

/* The first final answer the UAS sent with this Call-ID, or 0. multi01 has two Call-IDs: its
 * "" matches any answer to an unlisted Call-ID. */
static int answer_to(const hctx *h, const char *call_id, char *line, size_t cap) {
    size_t nlog = sb_sim_log_len(h->sim);
    for (size_t j = 0; j < nlog; j++) {
        const sb_sim_entry *en = sb_sim_log_at(h->sim, j);
        if (en->kind != SB_SIM_EVENT || en->type != SB_EV_SEND || en->node != h->uas) continue;
        /* The log keeps 79 bytes of a Call-ID (longreq's is longer). */
        if (strncmp(en->call_id, call_id, sizeof en->call_id - 1) != 0 || status_of(en) < 200)
            continue;
        if (strcmp(en->cseq_method, "BYE") == 0 || strcmp(en->cseq_method, "ACK") == 0) continue;
        snprintf(line, cap, "%s", en->line);
        return status_of(en);
    }
    snprintf(line, cap, "no answer");
    return 0;
}

static void test_rfc4475_requests_at_the_uas(void **state) {
    (void)state;
    hctx *h = ctx_new();
    sb_config a = st_config(UAC_ADDR, 1), b = st_config(UAS_ADDR, 2);
    b.ring_time_ms = 0;
    int uac, uas;
    sb_sim *sim = st_pair(3, &a, &b, &uac, &uas);
    h->sim = sim;
    h->uac = uac;
    h->uas = uas;
    h->uas_addr = st_addr(UAS_ADDR);
    h->atk_addr = st_addr(ATK_ADDR);
    h->atk = sb_sim_add_script(sim, &h->atk_addr);
    sb_sim_set_recv_cb(sim, atk_recv, h);
    sb_sim_set_event_cb(sim, on_event, h);

    const size_t n = sizeof rfc_reqs / sizeof rfc_reqs[0];
    int refused = 0;
    for (size_t i = 0; i < n; i++) {
        char buf[8192];
        size_t len = load_torture(rfc_reqs[i].file, buf, sizeof buf);
        sb_msg m;
        if (sb_msg_parse(&m, buf, len, true) < 0) refused++;
        /* 40 s apart: many share the branch z9hG4bKkdjuw, and each transaction must be gone
         * (Timer J/H/I: 64*T1 at most) before the next arrives, or it is a retransmission. */
        sb_sim_inject(sim, &h->atk_addr, uas, buf, len, (uint32_t)(40000 * i));
    }
    assert_true(sb_sim_run_idle(sim, 40000 * n + 600000));

    char rep[8192] = "";
    int nprob = 0;
    for (size_t i = 0; i < n; i++) {
        const rfc_req *r = &rfc_reqs[i];
        char line[96];
        int st = r->call_id[0] ? answer_to(h, r->call_id, line, sizeof line) : 0;
        if (!r->call_id[0]) snprintf(line, sizeof line, "(not looked for)");
        bool ok = false;
        for (int k = 0; k < 3; k++)
            ok |= (k == 0 || r->allowed[k]) && st == r->allowed[k];
        if (!ok)
            nprob =
                problem(rep, sizeof rep, nprob, "%s (RFC 4475 %s): expected %d%s, got \"%s\"",
                        r->file, r->why, r->allowed[0], r->allowed[1] ? " or listed" : "", line);
    }
    sb_engine_stats us;
    sb_engine_get_stats(sb_sim_engine(sim, uas), &us);
    if (us.malformed_messages != (uint64_t)refused)
        nprob = problem(rep, sizeof rep, nprob, "malformed_messages %llu, parser refuses %d",
                        (unsigned long long)us.malformed_messages, refused);
    if (us.live_calls || us.live_txns)
        nprob = problem(rep, sizeof rep, nprob, "leaks after idle: %u calls, %u txns",
                        us.live_calls, us.live_txns);
    if (nprob) {
        fprintf(stderr, "%d of %zu RFC 4475 requests answered differently:\n%s", nprob, n, rep);
        fail_msg("RFC 4475 requests mishandled (see above)");
    }
    st_free(sim);
}

static void test_hostile_seed_1(void **state) {
    (void)state;
    run_hostile(1);
}

static void test_hostile_seed_2(void **state) {
    (void)state;
    run_hostile(2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        st_test(test_hostile_seed_1),
        st_test(test_hostile_seed_2),
        st_test(test_rfc4475_requests_at_the_uas),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
