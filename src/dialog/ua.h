/* The UA layer: dialogs (calls and their verbs, dialog/) and their RFC 4028 session timers
 * (timer/session_timer.c), over the transaction layer. The two are one layer on purpose: the
 * timer drives the dialog's verbs (refresh, BYE) and every dialog answer re-arms the timer, so
 * hooks between them would only hide a dependency both ways. sb_ua is the state they share;
 * the engine (engine/engine.c) owns one and puts the public API on it. */
#ifndef SB_DIALOG_UA_H
#define SB_DIALOG_UA_H

#include "base/heap.h"
#include "base/hmap.h"
#include "base/rng.h"
#include "sip/sdp.h"
#include "sipbeat/engine.h"
#include "timer/session_timer.h"
#include "transport/out.h"
#include "txn/txn.h"

#define SB_TIMER_C_MS 180000 /* how long a UAC waits for a final answer after a 1xx */
#define SB_MAX_ROUTE 32      /* Record-Route entries kept for a route set */
/* A request whose echoed headers (Via, From, To, Call-ID, CSeq, Record-Route) exceed this
 * could not be answered within SB_MAX_OUT: it is refused before any state exists. */
#define SB_MAX_ECHO (SB_MAX_OUT - 2048)
/* The methods we accept, for Allow in our INVITEs, 2xx and 405s (UPD-5). */
#define SB_ALLOW_HDR "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE\r\n"

typedef enum {
    SB_CS_CALLING = 0, /* UAC: INVITE sent, no answer yet */
    SB_CS_EARLY,       /* provisional seen / sent */
    SB_CS_WAIT_ACK,    /* UAS: 2xx sent, no ACK yet */
    SB_CS_CONFIRMED,
    SB_CS_ENDING, /* BYE or CANCEL sent */
    SB_CS_ENDED,
} sb_call_state;

/* What to do next when a pending in-dialog offer can go out. */
typedef enum { SB_NEXT_NONE = 0, SB_NEXT_HOLD, SB_NEXT_RESUME } sb_next_media;

typedef struct sb_ua sb_ua;

/* UAS: our 2xx to an INVITE, kept and resent until its ACK (RFC 3261 §13.3.1.4). */
typedef struct {
    sb_tmr tmr; /* owner: the call */
    uint64_t started_ms;
    uint32_t interval_ms, retransmits;
    size_t len;
    char msg[]; /* the 2xx */
} sb_okx;

typedef struct sb_call {
    sb_hnode by_callid;
    sb_hnode by_handle;
    struct sb_call *prev, *next; /* live list */
    struct sb_ua *eng;           /* back-pointer for the call's own timers */
    uint32_t handle;
    uint8_t role, state;
    uint8_t peer_allows_update;
    uint8_t media_pending; /* sb_next_media waiting for GLR-4 or a 491 back-off */
    uint8_t remote_owns_callid;
    uint8_t upd_outstanding;
    uint8_t hold_mode;
    uint32_t local_cseq, remote_cseq, invite_cseq;
    sb_addr peer; /* next hop for in-dialog requests */
    char local_tag[20];
    /* Dialog strings, each its own allocation sized to fit (RFC 4475 longreq has 300-byte
     * URIs); NULL when not known. route is the Route header value, ready to send. */
    char *call_id, *remote_tag, *local_uri, *remote_uri, *remote_target, *route;
    sb_sdp_local sdp;
    /* Before the answer: the ring time, then the UAS sends its 200, or Timer C, then the UAC
     * gives up. After it: the talk time, then we hang up. These never overlap: one timer. */
    sb_tmr phase_tmr;
    sb_tmr media_tmr; /* hold / resume schedule and 491 back-off */
    uint32_t hold_at_ms, resume_at_ms, duration_ms;
    struct sb_txn *inv_txn; /* our open INVITE client transaction */
    struct sb_txn *srv_inv; /* the peer's INVITE server transaction while unanswered */
    sb_okx *ok;             /* UAS: our 2xx while its ACK is awaited, else NULL */
    struct sb_txn *txns;    /* every transaction that points at this call */
    sb_sdp_local sdp_prev;  /* restored when an offer of ours is refused (GLR-6) */
    uint8_t cancel_wanted;  /* UAC: hang up asked before any provisional arrived */
    uint8_t cancel_sent;
    uint8_t bye_after_ack;  /* UAS: sb_end_reason of a hangup waiting for our 2xx's ACK */
    uint8_t media_491s;     /* 491s to the current media change (GLR-3: retry once) */
    uint8_t media_inflight; /* sb_next_media of our open re-INVITE */
    uint8_t held, hold_done;
    uint8_t wish, wish_prev; /* sb_dir we want: sendrecv, or sendonly/inactive while holding */
    uint64_t resume_due_ms;
    sb_addr reply_to; /* where our kept 2xx goes (the INVITE's source) */
    sb_st st;
    sb_call_stats stats;
} sb_call;

struct sb_ua {
    sb_config cfg;
    char user[64];
    char host[64]; /* our address as a SIP host ("127.0.0.1" or "[::1]") */
    char hostport[72];
    char self_uri[140]; /* sip:user@host: From of every call we place (calls share it) */
    sb_heap heap;
    int lane_64t1, lane_t4, lane_d; /* heap lanes of the transactions' fixed-duration timers */
    sb_rng rng;
    uint64_t now;
    sb_hmap calls_by_callid, calls_by_handle;
    sb_call *live;
    uint32_t next_handle;
    sb_out out;     /* transport: datagrams and events, until drained */
    sb_txn_ctx txn; /* the transactions, reporting to the dialog layer (engine.c's ops) */
    sb_engine_stats stats;
};

/* Sets up a UA with a copy of cfg (strings too) at time now; 0 or SB_ENOMEM. */
int sb__ua_init(sb_ua *e, const sb_config *cfg, uint64_t now);
/* Frees every call and transaction, without events. */
void sb__ua_free(sb_ua *e);

/* dialog/events.c */
/* Queues an event about call c (NULL: none) with a copy of its record; returns it so that the
 * caller may fill in more (addr), or NULL when memory ran out. */
sb_qev *sb__emit(sb_ua *e, sb_event_type type, sb_call *c, int status, uint64_t value,
                 const char *text);
void sb__send(sb_ua *e, const sb_addr *to, const char *data, size_t len);

/* dialog/tu.c: the transaction user, and a transport error for every call's transactions to
 * dest that still wait for an answer (one pass over the live calls and their own lists). */
extern const sb_txn_ops sb__dialog_tu;
size_t sb__calls_unreachable(sb_ua *e, const sb_addr *dest, uint8_t icmp_type, uint8_t icmp_code,
                             uint64_t now);

/* dialog/call.c: lifecycle and message building */
sb_call *sb__call_new(sb_ua *e, sb_role role, uint64_t now);
sb_call *sb__call_find(sb_ua *e, sb_slice call_id, sb_slice local_tag, sb_slice remote_tag);
sb_call *sb__call_by_handle(const sb_ua *e, uint32_t handle);
/* Finishes the call: fills the record, emits SB_EV_CALL_ENDED and frees it. */
void sb__call_end(sb_ua *e, sb_call *c, sb_result result, sb_end_reason why, bool by_remote,
                  uint64_t now);
void sb__new_branch(sb_ua *e, char out[48]);
/* Starts an in-dialog request line + common headers; the caller adds its own and ends with
 * sb__req_finish. Returns the branch used. */
void sb__req_begin(sb_ua *e, sb_call *c, sb_buf *b, sb_method m, uint32_t cseq, const char *branch);
void sb__req_finish(sb_buf *b, const char *ctype, const char *body, size_t body_len);
/* Sends an INVITE or UPDATE of this call with the RFC 4028 request headers and, with_sdp, our
 * current SDP, in a new client transaction. Returns it, or NULL (too big, or a limit). */
sb_txn *sb__send_session_request(sb_ua *e, sb_call *c, sb_method m, sb_purpose purpose,
                                 uint32_t cseq, bool with_sdp, uint64_t now);
/* A response to m: status line, Via/From/To/Call-ID/CSeq copied, our tag on To when tag is
 * given, then the caller's extra header lines (already CRLF-terminated) and body. */
size_t sb__resp_build(sb_ua *e, const sb_msg *m, int status, const char *reason, const char *tag,
                      const char *extra, size_t extra_len, const char *ctype, const char *body,
                      size_t body_len, char *out, size_t cap);
/* Stateless reply through a new server transaction where one exists. */
void sb__reply(sb_ua *e, sb_txn *t, const sb_msg *m, const sb_addr *to, int status,
               const char *extra, uint64_t now);
/* The same with a reason phrase of our own (one that names the problem). */
void sb__reply_reason(sb_ua *e, sb_txn *t, const sb_msg *m, const sb_addr *to, int status,
                      const char *reason, const char *extra, uint64_t now);
/* A URI we can safely write back between < and > in our own messages. */
bool sb__uri_usable(sb_slice uri);
/* Replaces *dst with a NUL-terminated copy of s (NULL when s is empty). 0 or SB_ENOMEM. */
int sb__str_set(char **dst, sb_slice s);
const char *sb__reason_phrase(int status);
/* The SDP we would send now, in out[]; returns its length. */
size_t sb__sdp_body(sb_ua *e, sb_call *c, char *out, size_t cap);
/* Sets the Call-ID and indexes the call by it; 0 or SB_ENOMEM (the call cannot be found by
 * its Call-ID then: the caller ends it). */
int sb__call_index(sb_ua *e, sb_call *c, sb_slice call_id);
void sb__call_free_all(sb_ua *e);
/* Dialog state from a dialog-creating message; 0 or SB_ENOMEM (a target or route set could not
 * be kept: the caller ends the call rather than send in-dialog requests without them). */
int sb__dialog_learn(sb_call *c, const sb_msg *m, const sb_addr *from);
/* UAS: keep our 2xx and retransmit it until the ACK (RFC 3261 §13.3.1.4). */
void sb__ok_keep(sb_ua *e, sb_call *c, const sb_addr *to, const char *msg, size_t len,
                 uint64_t now);
void sb__ok_acked(sb_ua *e, sb_call *c);
/* Answers the peer's still-unanswered INVITE (c->srv_inv) with a final status. */
void sb__reply_pending(sb_ua *e, sb_call *c, int status, uint64_t now);

/* dialog/invite.c: initial INVITE both ways, ACK, CANCEL */
void sb__uas_invite(sb_ua *e, sb_txn *t, const sb_msg *m, const sb_addr *from, uint64_t now);
void sb__uac_invite_response(sb_ua *e, sb_call *c, sb_txn *t, const sb_msg *m, uint64_t now);
void sb__uac_send_invite(sb_ua *e, sb_call *c, uint64_t now);
void sb__on_ack(sb_ua *e, sb_call *c, const sb_msg *m, uint64_t now);
void sb__on_cancel(sb_ua *e, sb_txn *t, const sb_msg *m, const sb_addr *from, uint64_t now);
void sb__send_ack(sb_ua *e, sb_call *c, uint32_t cseq);
void sb__send_cancel(sb_ua *e, sb_call *c, uint64_t now);

/* dialog/reinvite.c and dialog/update.c: in-dialog session requests both ways */
/* Starts a re-INVITE (with our current SDP) or an UPDATE (no body). Returns 0 or SB_ESTATE
 * when GLR-4 forbids it now. */
int sb__send_reinvite(sb_ua *e, sb_call *c, bool refresh, uint64_t now);
int sb__send_update(sb_ua *e, sb_call *c, uint64_t now);
void sb__in_dialog_session_request(sb_ua *e, sb_call *c, sb_txn *t, const sb_msg *m, uint64_t now);
void sb__session_response(sb_ua *e, sb_call *c, sb_txn *t, const sb_msg *m, uint64_t now);
void sb__media_change(sb_ua *e, sb_call *c, sb_next_media what, uint64_t now);
uint64_t sb__glare_backoff_ms(sb_ua *e, const sb_call *c);

/* dialog/bye.c */
void sb__send_bye(sb_ua *e, sb_call *c, sb_end_reason why, uint64_t now);
void sb__on_bye(sb_ua *e, sb_call *c, sb_txn *t, const sb_msg *m, uint64_t now);
void sb__bye_done(sb_ua *e, sb_call *c, int status, uint64_t now);

/* Timer callbacks owned by the verbs (owner = the call). */
void sb__ring_due(sb_call *c, uint64_t now); /* invite.c: ring time or Timer C ran out */
void sb__talk_due(sb_call *c, uint64_t now); /* bye.c: the talk time ran out */
void sb__on_media_tmr(void *owner, sb_tmr *t, uint64_t now);

#endif
