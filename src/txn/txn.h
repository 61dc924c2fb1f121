/* RFC 3261 §17 transactions: INVITE/non-INVITE, client/server (ict.c nict.c ist.c nist.c).
 *
 * A transaction owns a copy of the message it may have to send again (client: the request;
 * server: the last response) and two embedded timers. It reports to the transaction user
 * (the dialog layer) through the sb__tu_* functions below, never through user callbacks. */
#ifndef SB_TXN_TXN_H
#define SB_TXN_TXN_H

#include "base/heap.h"
#include "base/hmap.h"
#include "sipbeat/msg.h"

struct sb_engine;
struct sb_call;

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
} sb_purpose;

typedef struct sb_txn {
    sb_hnode node;
    struct sb_engine *eng;
    struct sb_call *call;     /* may be NULL */
    struct sb_txn *call_next; /* the call's list of its transactions */
    sb_tmr retx;              /* A, E, G: retransmission */
    sb_ltmr end;              /* B, D, F, H, I, J, K, L, M: fixed durations, in a heap lane */
    uint8_t kind, state, method, purpose;
    uint8_t is_refresh; /* a session refresh (RFC 4028), for metrics */
    uint8_t seen_2xx;   /* the TU got this transaction's 2xx already */
    uint16_t last_status;
    uint32_t retransmits; /* times the kept message was sent again (SB_EV_RETRANSMIT's value) */
    uint32_t interval_ms;
    uint32_t cseq;
    uint64_t started_ms;
    uint64_t seq;     /* creation order in the engine: tells older transactions from newer */
    uint64_t sent_by; /* server transactions: sb__sent_by of the request */
    sb_addr peer;
    char branch[48];
    char *msg; /* owned: client, the request; server, the last response */
    size_t len;
    char *req; /* owned: INVITE server transactions keep the request to answer it later */
    size_t req_len;
} sb_txn;

/* Client side: takes a copy of the request, sends it, arms A/B or E/F. NULL on SB_ELIMIT or
 * SB_ENOMEM (the caller treats it like a transport failure). */
sb_txn *sb__txn_client_start(struct sb_engine *e, struct sb_call *call, sb_method method,
                             sb_purpose purpose, const sb_addr *peer, const char *branch,
                             uint32_t cseq, const char *msg, size_t len, uint64_t now);
void sb__ict_recv(sb_txn *t, const sb_msg *m, uint64_t now);
void sb__nict_recv(sb_txn *t, const sb_msg *m, uint64_t now);

/* Server side: created for a request that matched no transaction; sent_by is sb__sent_by(m). */
sb_txn *sb__txn_server_new(struct sb_engine *e, const sb_msg *m, const char *raw, size_t raw_len,
                           const sb_addr *from, uint64_t sent_by, uint64_t now);
/* Sends a response (the txn keeps a copy for retransmitted requests). */
void sb__txn_respond(sb_txn *t, int status, const char *msg, size_t len, uint64_t now);
/* A retransmitted request or an ACK reached an existing server transaction. */
void sb__ist_recv(sb_txn *t, const sb_msg *m, uint64_t now);
void sb__nist_recv(sb_txn *t, const sb_msg *m, uint64_t now);

/* Matching per RFC 3261 §17.1.3 (client: branch + CSeq method) and §17.2.3 (server: branch +
 * sent-by of the top Via + method, where ACK matches INVITE). sent_by is sb__sent_by(m) for
 * server look-ups and 0 for client ones. */
sb_txn *sb__txn_find(struct sb_engine *e, sb_slice branch, sb_method method, uint64_t sent_by,
                     bool server);
/* A hash of the top Via's sent-by (host and port) of a request. */
uint64_t sb__sent_by(const sb_msg *m);

/* Links a transaction to a call (the call's list lets the call orphan them when it ends). */
void sb__txn_attach(sb_txn *t, struct sb_call *c);
/* Detaches every transaction from the call; they finish on their own. */
void sb__txn_orphan_all(struct sb_call *c);
/* Ends the transaction at once: cancels timers, unlinks, frees. */
void sb__txn_destroy(sb_txn *t);

/* A transport error for a client transaction with no final response yet (RFC 3261 §17.1.1.2,
 * §17.1.2.2): it informs its TU (sb__tu_transport_error) and terminates, so t is freed. The
 * ICMP type and code say what the error was, for the call's record. */
void sb__txn_transport_error(sb_txn *t, uint8_t icmp_type, uint8_t icmp_code, uint64_t now);
/* Gives that transport error to every client transaction of a live call that was sent to dest
 * and waits for its final response; transactions started meanwhile (a TU's reaction) are not
 * hit. One pass over the live calls and their own transaction lists: orphaned transactions
 * (their call ended) have nobody to tell and finish on their timers. Returns how many were hit. */
size_t sb__txn_unreachable(struct sb_engine *e, const sb_addr *dest, uint8_t icmp_type,
                           uint8_t icmp_code, uint64_t now);

/* Internal to txn/: shared by the four state machines (txn.c). */
void sb__txn_send(sb_txn *t, uint64_t now);
void sb__txn_terminate(sb_txn *t);

/* ---- The transaction user (dialog layer) ----
 * Each is called at most once per event; t->call may be NULL. */
void sb__tu_response(sb_txn *t, const sb_msg *m, uint64_t now);
void sb__tu_timeout(sb_txn *t, uint64_t now); /* Timer B or F fired */
void sb__tu_gone(sb_txn *t);                  /* about to be freed: drop pointers to it */

/* A transport error ended a client transaction (sb__txn_transport_error). */
void sb__tu_transport_error(sb_txn *t, uint8_t icmp_type, uint8_t icmp_code, uint64_t now);

#endif
