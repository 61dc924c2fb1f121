/* RFC 3261 §17 transactions: INVITE/non-INVITE, client/server (ict.c nict.c ist.c nist.c).
 *
 * The transaction layer sits on base (heap, map), sip (the parser) and transport (the output
 * queue) and knows nothing above it. A transaction owns a copy of the message it may have to
 * send again (client: the request; server: the last response) and two embedded timers. It
 * reports upward to its transaction user (TU) through the ops table of its context, with the
 * TU's own opaque pointer (t->user): what the TU is (a call) is not the layer's business. */
#ifndef SB_TXN_TXN_H
#define SB_TXN_TXN_H

#include "base/heap.h"
#include "base/hmap.h"
#include "base/pool.h"
#include "sipbeat/msg.h"

#include "transport/out.h"

typedef struct sb_txn sb_txn;

typedef enum { SB_ICT = 0, SB_NICT, SB_IST, SB_NIST } sb_txn_kind;

typedef enum {
    SB_TS_CALLING = 0, /* ICT */
    SB_TS_TRYING,      /* NICT, NIST */
    SB_TS_PROCEEDING,
    SB_TS_ACCEPTED, /* RFC 6026, ICT and IST after a 2xx */
    SB_TS_COMPLETED,
    SB_TS_CONFIRMED, /* IST */
    SB_TS_TERMINATED,
} sb_txn_state;

/* What the transaction user started a client transaction for. */
typedef enum {
    SB_PURPOSE_NONE = 0,
    SB_PURPOSE_INVITE, /* initial INVITE */
    SB_PURPOSE_REINVITE,
    SB_PURPOSE_UPDATE,
    SB_PURPOSE_BYE,
    SB_PURPOSE_CANCEL,
    SB_PURPOSE_OTHER,
    SB_PURPOSE_REGISTER, /* the user is a registration (dialog/register.c), not a call */
} sb_purpose;

/* The transaction user: how a transaction reports upward. Each is called at most once per
 * event; t->user may be NULL (an orphan: its TU let it go). */
typedef struct {
    void (*on_response)(sb_txn *t, const sb_msg *m, uint64_t now);
    void (*on_timeout)(sb_txn *t, uint64_t now); /* Timer B or F fired */
    /* A transport error ended a client transaction (sb_txn_transport_error). */
    void (*on_transport_error)(sb_txn *t, uint8_t icmp_type, uint8_t icmp_code, uint64_t now);
    void (*on_retransmit)(sb_txn *t, uint64_t now); /* the kept message goes out again */
    void (*on_gone)(sb_txn *t);                     /* about to be freed: drop pointers to it */
} sb_txn_ops;

/* What the layers below lend the transactions, and the layer's own state. The owner fills in
 * the first block and calls sb_txn_ctx_init; the rest is the layer's. */
typedef struct {
    sb_heap *heap;
    int lane_64t1, lane_t4, lane_d; /* heap lanes of the fixed durations (64*T1, T4, Timer D) */
    uint32_t t1_ms, t2_ms;
    uint32_t max_txns;
    sb_out *out;          /* where datagrams go */
    const sb_txn_ops *tu; /* the transaction user */
    void *tu_ctx;         /* the TU's own context, for reports about orphans (t->user NULL) */

    sb_hmap map;              /* every live transaction, by branch and method */
    uint32_t live;            /* live transactions */
    uint64_t seq;             /* transactions created so far: the newest one's seq */
    uint64_t retransmissions; /* messages sent again, all transactions together */
    /* The transactions themselves: most linger 64*T1 after their call is set up and then go
     * in bulk; from a pool of their own they leave no holes between the calls' memory. */
    sb_pool pool;
} sb_txn_ctx;

void sb_txn_ctx_init(sb_txn_ctx *x);
/* Frees every transaction (no TU calls but on_gone) and the map. */
void sb_txn_ctx_free(sb_txn_ctx *x);

struct sb_txn {
    sb_hnode node;
    sb_txn_ctx *ctx;
    void *user;        /* the TU's, may be NULL */
    sb_txn **list;     /* the TU's list this transaction is on (sb_txn_attach), or NULL */
    sb_txn *user_next; /* next on that list */
    sb_tmr retx;       /* A, E, G: retransmission */
    sb_ltmr end;       /* B, D, F, H, I, J, K, L, M: fixed durations, in a heap lane */
    uint8_t kind, state, method, purpose;
    uint8_t is_refresh; /* a session refresh (RFC 4028), for metrics */
    uint8_t seen_2xx;   /* the TU got this transaction's 2xx already */
    uint16_t last_status;
    uint32_t retransmits; /* times the kept message was sent again (SB_EV_RETRANSMIT's value) */
    uint32_t interval_ms;
    uint32_t cseq;
    uint64_t started_ms;
    uint64_t seq;     /* creation order in the context: tells older transactions from newer */
    uint64_t sent_by; /* server transactions: sb_txn_sent_by of the request */
    sb_addr peer;
    char branch[48];
    char *msg; /* owned: client, the request; server, the last response */
    size_t len;
    char *req; /* owned: INVITE server transactions keep the request to answer it later */
    size_t req_len;
};

/* Client side: takes a copy of the request, sends it, arms A/B or E/F, and puts it on the TU's
 * list (list may be NULL: nobody waits for the answer). NULL on SB_ELIMIT or SB_ENOMEM (the
 * caller treats it like a transport failure). */
sb_txn *sb_txn_client_start(sb_txn_ctx *x, void *user, sb_txn **list, sb_method method,
                            sb_purpose purpose, const sb_addr *peer, const char *branch,
                            uint32_t cseq, const char *msg, size_t len, uint64_t now);
/* A response matched a client transaction (sb_txn_find). */
void sb_txn_client_recv(sb_txn *t, const sb_msg *m, uint64_t now);

/* Server side: created for a request that matched no transaction; sent_by is
 * sb_txn_sent_by(m). It belongs to no TU until sb_txn_attach. */
sb_txn *sb_txn_server_new(sb_txn_ctx *x, const sb_msg *m, const char *raw, size_t raw_len,
                          const sb_addr *from, uint64_t sent_by, uint64_t now);
/* Sends a response (the txn keeps a copy for retransmitted requests). */
void sb_txn_respond(sb_txn *t, int status, const char *msg, size_t len, uint64_t now);
/* A retransmitted request or an ACK reached an existing server transaction. */
void sb_txn_server_recv(sb_txn *t, const sb_msg *m, uint64_t now);

/* Matching per RFC 3261 §17.1.3 (client: branch + CSeq method) and §17.2.3 (server: branch +
 * sent-by of the top Via + method, where ACK matches INVITE). sent_by is sb_txn_sent_by(m) for
 * server look-ups and 0 for client ones. */
sb_txn *sb_txn_find(sb_txn_ctx *x, sb_slice branch, sb_method method, uint64_t sent_by,
                    bool server);
/* A hash of the top Via's sent-by (host and port) of a request. */
uint64_t sb_txn_sent_by(const sb_msg *m);

/* Hands a transaction to a TU: t->user = user, and t goes on the TU's list (so the TU can let
 * all of its transactions go at once). */
void sb_txn_attach(sb_txn *t, void *user, sb_txn **list);
/* Lets every transaction on the list go: they finish on their own timers, as orphans. */
void sb_txn_orphan_all(sb_txn **list, uint64_t now);
/* Ends the transaction at once: cancels timers, unlinks, frees. */
void sb_txn_destroy(sb_txn *t);

/* A client transaction sent to dest still waiting for its final response. */
bool sb_txn_waits_on(const sb_txn *t, const sb_addr *dest);
/* A transport error for such a transaction (RFC 3261 §17.1.1.2, §17.1.2.2): it informs its TU
 * (on_transport_error) and terminates, so t is freed. The ICMP type and code say what the
 * error was, for the TU's records. */
void sb_txn_transport_error(sb_txn *t, uint8_t icmp_type, uint8_t icmp_code, uint64_t now);

/* Internal to txn/: shared by the four state machines (txn.c). */
void sb__txn_send(sb_txn *t, uint64_t now);
void sb__txn_terminate(sb_txn *t);
void sb__ict_recv(sb_txn *t, const sb_msg *m, uint64_t now);
void sb__nict_recv(sb_txn *t, const sb_msg *m, uint64_t now);
void sb__ist_recv(sb_txn *t, const sb_msg *m, uint64_t now);
void sb__nist_recv(sb_txn *t, const sb_msg *m, uint64_t now);
void sb__ict_timer(sb_txn *t, bool retx, uint64_t now);
void sb__nict_timer(sb_txn *t, bool retx, uint64_t now);
void sb__ist_timer(sb_txn *t, bool retx, uint64_t now);
void sb__nist_timer(sb_txn *t, bool retx, uint64_t now);
/* Timer A/E/G: T1 doubling, capped at T2 unless uncapped (Timer A has no cap, §17.1.1.2). */
void sb__txn_backoff(sb_txn *t, bool capped, uint64_t now);

#endif
