/* What the four RFC 3261 §17 state machines share: creation, matching, sending, ending. */
#include "txn/txn.h"

#include <stdlib.h>
#include <string.h>

/* Transactions come from a pool, not malloc: an INVITE transaction lingers 64*T1 after its
 * call was set up, so malloc'd ones sit between the calls' own objects and, once freed, leave
 * holes the allocator never returns to the OS (~300 B of dead heap per held call). In the
 * pool they share slabs, which are unmapped once every transaction in them has ended. */
_Static_assert(sizeof(sb_txn) <= SB_POOL_MAX, "a transaction must fit a pool slab");

void sb_txn_ctx_init(sb_txn_ctx *x) {
    sb_hmap_init(&x->map);
    (void)sb_pool_init(&x->pool, sizeof(sb_txn)); /* cannot fail: the size fits */
    x->live = 0;
    x->seq = 0;
    x->retransmissions = 0;
}

void sb_txn_ctx_free(sb_txn_ctx *x) {
    /* Each destroy deletes from the map, which may halve it and move transactions to lower
     * buckets: past the end, start again from bucket 0 until none is left. */
    for (size_t i = 0; x->map.n;) {
        if (i >= x->map.nb)
            i = 0;
        else if (x->map.b[i])
            sb_txn_destroy((sb_txn *)x->map.b[i]);
        else
            i++;
    }
    sb_hmap_free(&x->map);
    sb_pool_free(&x->pool);
}

static uint64_t key(sb_slice branch, sb_method method, bool server) {
    /* ACK belongs to its INVITE's server transaction (§17.2.3); CANCEL has its own. */
    if (method == SB_METHOD_ACK) method = SB_METHOD_INVITE;
    return sb_hash(branch.p, branch.n, (uint64_t)method * 2 + (server ? 1 : 0));
}

static bool is_server(const sb_txn *t) {
    return t->kind == SB_IST || t->kind == SB_NIST;
}

uint64_t sb_txn_sent_by(const sb_msg *m) {
    sb_via v;
    const sb_hdr *h = sb_msg_hdr(m, SB_HDR_VIA);
    if (!h || sb_via_parse(h->value, &v) != 0) return 0;
    return sb_hash(v.host.p, v.host.n, v.port);
}

sb_txn *sb_txn_find(sb_txn_ctx *x, sb_slice branch, sb_method method, uint64_t sent_by,
                    bool server) {
    if (!branch.n) return NULL;
    uint64_t h = key(branch, method, server);
    sb_method want = method == SB_METHOD_ACK ? SB_METHOD_INVITE : method;
    for (sb_hnode *n = sb_hmap_first(&x->map, h); n; n = sb_hmap_next(n, h)) {
        sb_txn *t = (sb_txn *)n;
        if (is_server(t) == server && t->method == want && (!server || t->sent_by == sent_by) &&
            strlen(t->branch) == branch.n && memcmp(t->branch, branch.p, branch.n) == 0)
            return t;
    }
    return NULL;
}

static void on_retx(void *owner, sb_tmr *tm, uint64_t now);
static void on_end(void *owner, sb_tmr *tm, uint64_t now);

static sb_txn *txn_new(sb_txn_ctx *x, sb_txn_kind kind, sb_method method, sb_slice branch,
                       uint32_t cseq, const sb_addr *peer, uint64_t now) {
    if (x->live >= x->max_txns) return NULL;
    sb_txn *t = sb_pool_get(&x->pool); /* zeroed */
    if (!t) return NULL;
    if (sb_heap_reserve(x->heap, 1) != 0) { /* Timer A/E/G's slot: re-arming never fails */
        sb_pool_put(&x->pool, t);
        return NULL;
    }
    t->ctx = x;
    t->kind = (uint8_t)kind;
    t->method = (uint8_t)method;
    t->cseq = cseq;
    t->peer = *peer;
    t->started_ms = now;
    t->seq = ++x->seq;
    size_t n = branch.n < sizeof t->branch - 1 ? branch.n : sizeof t->branch - 1;
    if (n) memcpy(t->branch, branch.p, n); /* an RFC 2543 Via has no branch: p may be NULL */
    sb_tmr_init(&t->retx, on_retx, t);
    sb_ltmr_init(&t->end, on_end, t);
    sb_hmap_add(&x->map, &t->node, key((sb_slice){t->branch, n}, method, is_server(t)));
    x->live++;
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

sb_txn *sb_txn_client_start(sb_txn_ctx *x, void *user, sb_txn **list, sb_method method,
                            sb_purpose purpose, const sb_addr *peer, const char *branch,
                            uint32_t cseq, const char *msg, size_t len, uint64_t now) {
    sb_txn_kind kind = method == SB_METHOD_INVITE ? SB_ICT : SB_NICT;
    sb_txn *t = txn_new(x, kind, method, (sb_slice){branch, strlen(branch)}, cseq, peer, now);
    if (!t) return NULL;
    if (list) sb_txn_attach(t, user, list);
    t->purpose = (uint8_t)purpose;
    t->state = kind == SB_ICT ? SB_TS_CALLING : SB_TS_TRYING;
    keep_msg(t, msg, len);
    t->interval_ms = x->t1_ms;
    sb_out_send(x->out, peer, msg, len);
    sb_tmr_arm(x->heap, &t->retx, now + t->interval_ms); /* Timer A or E */
    sb_ltmr_arm(x->heap, &t->end, x->lane_64t1, now);    /* Timer B or F */
    return t;
}

void sb_txn_client_recv(sb_txn *t, const sb_msg *m, uint64_t now) {
    if (t->kind == SB_ICT)
        sb__ict_recv(t, m, now);
    else
        sb__nict_recv(t, m, now);
}

sb_txn *sb_txn_server_new(sb_txn_ctx *x, const sb_msg *m, const char *raw, size_t raw_len,
                          const sb_addr *from, uint64_t sent_by, uint64_t now) {
    sb_txn_kind kind = m->method == SB_METHOD_INVITE ? SB_IST : SB_NIST;
    sb_txn *t = txn_new(x, kind, m->method, m->branch, m->cseq, from, now);
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

void sb_txn_server_recv(sb_txn *t, const sb_msg *m, uint64_t now) {
    if (t->kind == SB_IST)
        sb__ist_recv(t, m, now);
    else
        sb__nist_recv(t, m, now);
}

void sb_txn_respond(sb_txn *t, int status, const char *msg, size_t len, uint64_t now) {
    sb_txn_ctx *x = t->ctx;
    if (t->state >= SB_TS_ACCEPTED) return; /* a final answer went out already */
    keep_msg(t, msg, len);
    t->last_status = (uint16_t)status;
    sb_out_send(x->out, &t->peer, msg, len);
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
            sb_ltmr_arm(x->heap, &t->end, x->lane_64t1, now);
        } else {
            t->state = SB_TS_COMPLETED;
            t->interval_ms = x->t1_ms;
            sb_tmr_arm(x->heap, &t->retx, now + t->interval_ms); /* Timer G */
            sb_ltmr_arm(x->heap, &t->end, x->lane_64t1, now);    /* Timer H */
        }
    } else {
        t->state = SB_TS_COMPLETED;
        sb_ltmr_arm(x->heap, &t->end, x->lane_64t1, now); /* Timer J */
    }
}

void sb__txn_send(sb_txn *t, uint64_t now) {
    if (!t->msg) return;
    t->ctx->retransmissions++;
    t->retransmits++;
    t->ctx->tu->on_retransmit(t, now);
    sb_out_send(t->ctx->out, &t->peer, t->msg, t->len);
}

void sb__txn_backoff(sb_txn *t, bool capped, uint64_t now) {
    uint32_t next = t->interval_ms * 2;
    if (capped && next > t->ctx->t2_ms) next = t->ctx->t2_ms;
    t->interval_ms = next;
    sb_tmr_arm(t->ctx->heap, &t->retx, now + t->interval_ms);
}

static void detach(sb_txn *t) {
    if (t->list) {
        for (sb_txn **pp = t->list; *pp; pp = &(*pp)->user_next) {
            if (*pp == t) {
                *pp = t->user_next;
                break;
            }
        }
    }
    t->list = NULL;
    t->user = NULL;
}

void sb_txn_destroy(sb_txn *t) {
    sb_txn_ctx *x = t->ctx;
    x->tu->on_gone(t);
    detach(t);
    sb_tmr_cancel(x->heap, &t->retx);
    sb_ltmr_cancel(x->heap, &t->end);
    sb_hmap_del(&x->map, &t->node);
    sb_heap_release(x->heap, 1);
    x->live--;
    free(t->msg);
    free(t->req);
    sb_pool_put(&x->pool, t);
}

void sb__txn_terminate(sb_txn *t) {
    t->state = SB_TS_TERMINATED;
    sb_txn_destroy(t);
}

bool sb_txn_waits_on(const sb_txn *t, const sb_addr *dest) {
    bool waiting = t->kind == SB_ICT    ? t->state == SB_TS_CALLING || t->state == SB_TS_PROCEEDING
                   : t->kind == SB_NICT ? t->state == SB_TS_TRYING || t->state == SB_TS_PROCEEDING
                                        : false;
    return waiting && sb_addr_equal(&t->peer, dest);
}

void sb_txn_transport_error(sb_txn *t, uint8_t icmp_type, uint8_t icmp_code, uint64_t now) {
    /* §17.1.1.2 and §17.1.2.2: tell the TU, then straight to Terminated. The TU may let t go
     * (an orphan) but never frees it, so t is still ours to terminate. */
    t->ctx->tu->on_transport_error(t, icmp_type, icmp_code, now);
    sb__txn_terminate(t);
}

void sb_txn_attach(sb_txn *t, void *user, sb_txn **list) {
    t->user = user;
    t->list = list;
    t->user_next = *list;
    *list = t;
}

void sb_txn_orphan_all(sb_txn **list, uint64_t now) {
    while (*list) {
        sb_txn *t = *list;
        *list = t->user_next;
        t->user = NULL;
        t->list = NULL;
        /* An INVITE in Proceeding has no timer of its own (§17.1.1.2): with nobody left to
         * CANCEL it, give it 64*T1 to finish, then let it go. */
        if (t->kind == SB_ICT && t->state == SB_TS_PROCEEDING && !sb_ltmr_armed(&t->end))
            sb_ltmr_arm(t->ctx->heap, &t->end, t->ctx->lane_64t1, now);
    }
}

/* Timers dispatch to the state machine of the transaction's kind. */
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
