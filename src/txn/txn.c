/* What the four RFC 3261 §17 state machines share: creation, matching, sending, ending. */
#include "engine/internal.h"

#include <stdlib.h>
#include <string.h>

static uint64_t key(sb_slice branch, sb_method method, bool server) {
    /* ACK belongs to its INVITE's server transaction (§17.2.3); CANCEL has its own. */
    if (method == SB_METHOD_ACK) method = SB_METHOD_INVITE;
    return sb_hash(branch.p, branch.n, (uint64_t)method * 2 + (server ? 1 : 0));
}

uint64_t sb__sent_by(const sb_msg *m) {
    sb_via v;
    const sb_hdr *h = sb_msg_hdr(m, SB_HDR_VIA);
    if (!h || sb_via_parse(h->value, &v) != 0) return 0;
    return sb_hash(v.host.p, v.host.n, v.port);
}

sb_txn *sb__txn_find(sb_engine *e, sb_slice branch, sb_method method, uint64_t sent_by,
                     bool server) {
    if (!branch.n) return NULL;
    uint64_t h = key(branch, method, server);
    sb_method want = method == SB_METHOD_ACK ? SB_METHOD_INVITE : method;
    for (sb_hnode *n = sb_hmap_first(&e->txns, h); n; n = sb_hmap_next(n, h)) {
        sb_txn *t = (sb_txn *)n;
        bool is_server = t->kind == SB_IST || t->kind == SB_NIST;
        if (is_server == server && t->method == want && (!server || t->sent_by == sent_by) &&
            strlen(t->branch) == branch.n && memcmp(t->branch, branch.p, branch.n) == 0)
            return t;
    }
    return NULL;
}

static void on_retx(void *owner, sb_tmr *tm, uint64_t now);
static void detach(sb_txn *t);
static void on_end(void *owner, sb_tmr *tm, uint64_t now);

static sb_txn *txn_new(sb_engine *e, sb_call *call, sb_txn_kind kind, sb_method method,
                       sb_slice branch, uint32_t cseq, const sb_addr *peer, uint64_t now) {
    if (e->stats.live_txns >= e->cfg.max_txns) return NULL;
    sb_txn *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->eng = e;
    if (call) sb__txn_attach(t, call);
    t->kind = (uint8_t)kind;
    t->method = (uint8_t)method;
    t->cseq = cseq;
    t->peer = *peer;
    t->started_ms = now;
    t->seq = ++e->txn_seq;
    size_t n = branch.n < sizeof t->branch - 1 ? branch.n : sizeof t->branch - 1;
    if (n) memcpy(t->branch, branch.p, n); /* an RFC 2543 Via has no branch: p may be NULL */
    sb_tmr_init(&t->retx, on_retx, t);
    sb_ltmr_init(&t->end, on_end, t);
    sb_hmap_add(&e->txns, &t->node,
                key((sb_slice){t->branch, n}, method, kind == SB_IST || kind == SB_NIST));
    e->stats.live_txns++;
    return t;
}

static void keep_msg(sb_txn *t, const char *msg, size_t len) {
    char *copy = malloc(len ? len : 1);
    if (!copy) return; /* no copy: retransmissions are skipped, the timeouts still run */
    memcpy(copy, msg, len);
    free(t->msg);
    t->msg = copy;
    t->len = len;
}

sb_txn *sb__txn_client_start(sb_engine *e, sb_call *call, sb_method method, sb_purpose purpose,
                             const sb_addr *peer, const char *branch, uint32_t cseq,
                             const char *msg, size_t len, uint64_t now) {
    sb_txn_kind kind = method == SB_METHOD_INVITE ? SB_ICT : SB_NICT;
    sb_txn *t = txn_new(e, call, kind, method, (sb_slice){branch, strlen(branch)}, cseq, peer, now);
    if (!t) return NULL;
    t->purpose = (uint8_t)purpose;
    t->state = kind == SB_ICT ? SB_TS_CALLING : SB_TS_TRYING;
    keep_msg(t, msg, len);
    t->interval_ms = e->cfg.t1_ms;
    sb__send(e, peer, msg, len);
    sb_tmr_arm(&e->heap, &t->retx, now + t->interval_ms); /* Timer A or E */
    sb_ltmr_arm(&e->heap, &t->end, e->lane_64t1, now);    /* Timer B or F */
    return t;
}

sb_txn *sb__txn_server_new(sb_engine *e, const sb_msg *m, const char *raw, size_t raw_len,
                           const sb_addr *from, uint64_t sent_by, uint64_t now) {
    sb_txn_kind kind = m->method == SB_METHOD_INVITE ? SB_IST : SB_NIST;
    sb_txn *t = txn_new(e, NULL, kind, m->method, m->branch, m->cseq, from, now);
    if (!t) return NULL;
    t->state = kind == SB_IST ? SB_TS_PROCEEDING : SB_TS_TRYING;
    t->sent_by = sent_by;
    if (kind == SB_IST && raw_len) {
        t->req = malloc(raw_len);
        if (t->req) {
            memcpy(t->req, raw, raw_len);
            t->req_len = raw_len;
        }
    }
    return t;
}

void sb__txn_respond(sb_txn *t, int status, const char *msg, size_t len, uint64_t now) {
    sb_engine *e = t->eng;
    if (t->state >= SB_TS_ACCEPTED) return; /* a final answer went out already */
    keep_msg(t, msg, len);
    t->last_status = (uint16_t)status;
    sb__send(e, &t->peer, msg, len);
    if (status < 200) {
        t->state = SB_TS_PROCEEDING;
        return;
    }
    if (t->kind == SB_IST) {
        /* Answered: the request copy is no longer needed (it served ring time and CANCEL). */
        free(t->req);
        t->req = NULL;
        t->req_len = 0;
        if (status < 300) {
            /* RFC 6026: Accepted; the TU retransmits the 2xx. Timer L absorbs late copies, so
             * nothing needs sending from here: the response copy goes too. */
            t->state = SB_TS_ACCEPTED;
            free(t->msg);
            t->msg = NULL;
            t->len = 0;
            sb_ltmr_arm(&e->heap, &t->end, e->lane_64t1, now);
        } else {
            t->state = SB_TS_COMPLETED;
            t->interval_ms = e->cfg.t1_ms;
            sb_tmr_arm(&e->heap, &t->retx, now + t->interval_ms); /* Timer G */
            sb_ltmr_arm(&e->heap, &t->end, e->lane_64t1, now);    /* Timer H */
        }
    } else {
        t->state = SB_TS_COMPLETED;
        sb_ltmr_arm(&e->heap, &t->end, e->lane_64t1, now); /* Timer J */
    }
}

void sb__txn_send(sb_txn *t, uint64_t now) {
    (void)now;
    if (!t->msg) return;
    t->eng->stats.retransmissions++;
    t->retransmits++;
    /* A client resends its request; a server resends its last response, named by its code. */
    bool server = t->kind == SB_IST || t->kind == SB_NIST;
    sb__emit_retransmit(t->eng, t->call, &t->peer, sb_method_name((sb_method)t->method),
                        server ? t->last_status : 0, t->retransmits);
    sb__send(t->eng, &t->peer, t->msg, t->len);
}

void sb__txn_destroy(sb_txn *t) {
    sb_engine *e = t->eng;
    sb__tu_gone(t);
    detach(t);
    sb_tmr_cancel(&e->heap, &t->retx);
    sb_ltmr_cancel(&e->heap, &t->end);
    sb_hmap_del(&e->txns, &t->node);
    e->stats.live_txns--;
    free(t->msg);
    free(t->req);
    free(t);
}

void sb__txn_terminate(sb_txn *t) {
    t->state = SB_TS_TERMINATED;
    sb__txn_destroy(t);
}

void sb__txn_transport_error(sb_txn *t, uint8_t icmp_type, uint8_t icmp_code, uint64_t now) {
    /* §17.1.1.2 and §17.1.2.2: tell the TU, then straight to Terminated. The TU may end the
     * call, which orphans t but never frees it, so t is still ours to terminate. */
    sb__tu_transport_error(t, icmp_type, icmp_code, now);
    sb__txn_terminate(t);
}

/* A client transaction sent to dest that has no final response yet. */
static bool waits_on(const sb_txn *t, const sb_addr *dest) {
    bool waiting = t->kind == SB_ICT    ? t->state == SB_TS_CALLING || t->state == SB_TS_PROCEEDING
                   : t->kind == SB_NICT ? t->state == SB_TS_TRYING || t->state == SB_TS_PROCEEDING
                                        : false;
    return waiting && sb_addr_equal(&t->peer, dest);
}

size_t sb__txn_unreachable(sb_engine *e, const sb_addr *dest, uint8_t icmp_type, uint8_t icmp_code,
                           uint64_t now) {
    /* The error is about datagrams sent before it arrived: a request the TU sends in reaction
     * (a newer seq) gets an ICMP error of its own if its destination is still dead, and this
     * bound keeps the walk from chasing its own tail. */
    uint64_t newest = e->txn_seq;
    size_t hit = 0;
    for (sb_call *c = e->live, *next; c; c = next) {
        /* Only c can end while its transactions are handled, and calls created meanwhile go to
         * the head of the list, which this walk has passed. */
        next = c->next;
        uint32_t handle = c->handle;
        for (;;) {
            /* The TU's reaction may add to or take from c's list: look again after each one.
             * A call has a handful of transactions, so the restart costs nothing. */
            sb_txn *t = c->txns;
            while (t && (t->seq > newest || !waits_on(t, dest)))
                t = t->call_next;
            if (!t) break;
            hit++;
            sb__txn_transport_error(t, icmp_type, icmp_code, now);
            if (!sb__call_by_handle(e, handle)) break; /* the error ended the call */
        }
    }
    return hit;
}

void sb__txn_attach(sb_txn *t, sb_call *c) {
    t->call = c;
    t->call_next = c->txns;
    c->txns = t;
}

static void detach(sb_txn *t) {
    if (!t->call) return;
    for (sb_txn **pp = &t->call->txns; *pp; pp = &(*pp)->call_next) {
        if (*pp == t) {
            *pp = t->call_next;
            break;
        }
    }
    t->call = NULL;
}

void sb__txn_orphan_all(sb_call *c) {
    while (c->txns) {
        sb_txn *t = c->txns;
        c->txns = t->call_next;
        t->call = NULL;
        /* An INVITE in Proceeding has no timer of its own (§17.1.1.2): with nobody left to
         * CANCEL it, give it 64*T1 to finish, then let it go. */
        if (t->kind == SB_ICT && t->state == SB_TS_PROCEEDING && !sb_ltmr_armed(&t->end))
            sb_ltmr_arm(&t->eng->heap, &t->end, t->eng->lane_64t1, t->eng->now);
    }
}

/* Timers dispatch to the state machine of the transaction's kind. */
void sb__ict_timer(sb_txn *t, bool retx, uint64_t now);
void sb__nict_timer(sb_txn *t, bool retx, uint64_t now);
void sb__ist_timer(sb_txn *t, bool retx, uint64_t now);
void sb__nist_timer(sb_txn *t, bool retx, uint64_t now);

static void dispatch(sb_txn *t, bool retx, uint64_t now) {
    switch (t->kind) {
    case SB_ICT:
        sb__ict_timer(t, retx, now);
        break;
    case SB_NICT:
        sb__nict_timer(t, retx, now);
        break;
    case SB_IST:
        sb__ist_timer(t, retx, now);
        break;
    default:
        sb__nist_timer(t, retx, now);
        break;
    }
}

static void on_retx(void *owner, sb_tmr *tm, uint64_t now) {
    (void)tm;
    dispatch(owner, true, now);
}

static void on_end(void *owner, sb_tmr *tm, uint64_t now) {
    (void)tm;
    dispatch(owner, false, now);
}
