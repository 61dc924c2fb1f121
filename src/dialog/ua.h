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

/* ---- The four parts of a call ---------------------------------------------------------------- */

/* 1. The dialog (RFC 3261 §12): what every in-dialog request is built from. The strings live
 * in one allocation (strs) and point into it; NULL when not known. local_uri may instead
 * point at the UA's own URI, shared by every call we place (borrowed, not in strs). route is
 * the Route header value, ready to send. Set them with sb__dlg_set. */
typedef struct {
    char *call_id, *remote_tag, *local_uri, *remote_uri, *remote_target, *route;
    char *strs;
    uint32_t strs_len;
    uint32_t local_cseq, remote_cseq, invite_cseq;
    sb_addr peer; /* next hop for in-dialog requests */
    char local_tag[20];
    uint8_t remote_owns_callid; /* the far end made the Call-ID (we are the UAS): GLR-3 */
    uint8_t peer_allows_update;
} sb_dialog;

/* 2. Offer/answer and hold (RFC 3264 §8.4), as a state machine over our own offers:
 *
 *   ACTIVE --hold--> HOLDING --2xx--> HELD --resume--> RESUMING --2xx--> ACTIVE
 *
 * and HELD --hold--> HOLDING (a new hold direction). An offer that is refused or times out
 * rolls back to the snapshot taken when it went out (GLR-6): state, o= version and direction.
 * One wanted change may wait (next) while an INVITE transaction is open (GLR-4) or after a
 * 491 (GLR-3). The direction we answer the far end's offers with follows the state. */
typedef enum {
    SB_OA_ACTIVE = 0, /* sendrecv wanted and, as far as we ask, in force */
    SB_OA_HOLDING,    /* our hold offer is out */
    SB_OA_HELD,
    SB_OA_RESUMING, /* our resume offer is out */
} sb_oa_state;

typedef struct {
    sb_sdp_local sdp;      /* ours, as last offered or answered */
    uint64_t prev_version; /* the snapshot a refused offer restores */
    uint8_t prev_dir, prev_state;
    uint8_t state;      /* sb_oa_state */
    uint8_t next;       /* sb_next_media waiting to go out */
    uint8_t glare_491s; /* 491s to the current change (GLR-3: retry once) */
    uint8_t hold_mode;  /* sb_hold_mode of our holds */
} sb_media;

/* 3. UAS: our 2xx to an INVITE, kept and resent until its ACK (RFC 3261 §13.3.1.4). It exists
 * only while the ACK is awaited, so a held call carries none of it. */
typedef struct {
    sb_tmr tmr; /* owner: the call */
    uint64_t started_ms;
    uint32_t interval_ms, retransmits;
    sb_addr reply_to; /* where the 2xx goes (the INVITE's source) */
    size_t len;
    char msg[]; /* the 2xx */
} sb_okx;

/* The scenario steps a call has left (sb_scenario.step). */
typedef enum { SB_STEP_NONE = 0, SB_STEP_HOLD, SB_STEP_RESUME } sb_step;

/* 4. The scenario: what the test asked of this call, and its timers. Before the answer the
 * phase timer is the ring time, then the UAS sends its 200, or Timer C, then the UAC gives up;
 * after it, the talk time, then we hang up: these never overlap, so one timer. The media timer runs
 * the hold/resume schedule and carries the retries of a deferred or 491-refused offer. The
 * fault knobs (skip_refresh_from, answer_refresh_code) are the UA's, the same for every call;
 * what they did to this call is session-timer state (sb_st). */
typedef struct {
    sb_tmr phase_tmr;
    sb_tmr media_tmr;
    uint32_t duration_ms;  /* the UAC's talk time; 0: until hung up */
    uint32_t hold_at_ms;   /* 0: no scheduled hold; else this long after the answer */
    uint32_t resume_at_ms; /* 0: stay on hold */
    uint8_t step;          /* sb_step: the next scheduled media change */
} sb_scenario;

/* The call's record while it lives: sb_call_stats without its text and without what the call
 * knows anyway (role, Call-ID, timer mode). sb__record builds the public record from it when an
 * event or sb_engine_call_stats needs one: the text alone would cost 216 bytes per held call.
 * Names and meanings are sb_call_stats's. */
#define SB_REC_FIELDS(X)                                                                           \
    X(uint64_t, start_ms)                                                                          \
    X(uint64_t, answer_ms)                                                                         \
    X(uint64_t, end_ms)                                                                            \
    X(uint32_t, hold_count)                                                                        \
    X(uint32_t, auth_challenges)                                                                   \
    X(uint32_t, session_timer_negotiated_se_s)                                                     \
    X(uint32_t, session_timer_min_se_s)                                                            \
    X(uint32_t, session_timer_refreshes)                                                           \
    X(uint32_t, session_timer_refresh_failures)                                                    \
    X(int32_t, session_timer_refresh_failure_status)                                               \
    X(uint32_t, session_timer_refresh_fallbacks)                                                   \
    X(uint32_t, session_timer_refreshes_refused)                                                   \
    X(uint32_t, session_timer_422_count)                                                           \
    X(uint32_t, session_timer_refresh_interval_ms_min)                                             \
    X(uint32_t, session_timer_refresh_interval_ms_max)                                             \
    X(uint32_t, session_timer_refresh_rtt_ms_max)                                                  \
    X(uint32_t, session_timer_since_refresh_ms)                                                    \
    X(uint32_t, session_timer_soft_expiries)                                                       \
    X(uint32_t, violations)                                                                        \
    X(uint32_t, checks_passed)                                                                     \
    X(uint16_t, final_status_code)                                                                 \
    X(uint16_t, remote_reason_cause)                                                               \
    X(uint8_t, result)                                                                             \
    X(uint8_t, end_reason)                                                                         \
    X(bool, ended_by_remote)                                                                       \
    X(uint8_t, drop_timing)                                                                        \
    X(bool, fault_injected)                                                                        \
    X(bool, session_timer_active)                                                                  \
    X(uint8_t, session_timer_refresher)                                                            \
    X(uint8_t, session_timer_refresh_method)                                                       \
    X(uint8_t, session_timer_refresh_method_local)                                                 \
    X(uint8_t, session_timer_refresh_method_remote)                                                \
    X(bool, session_timer_expired)                                                                 \
    X(uint8_t, session_timer_expiry_action)                                                        \
    X(uint8_t, evidence_of)                                                                        \
    X(uint8_t, icmp_type)                                                                          \
    X(uint8_t, icmp_code)

typedef struct {
#define SB__REC_FIELD(type, name) type name;
    SB_REC_FIELDS(SB__REC_FIELD)
#undef SB__REC_FIELD
    uint8_t own_phrase; /* final_reason_phrase is in the notes, not the status's standard one */
} sb_call_rec;

/* The record's text, allocated the first time one is needed: a 2xx says "OK" (the standard
 * phrase, not kept), and a far-end Reason or a violation's evidence is rare. */
typedef struct {
    char final_reason_phrase[40];
    char remote_reason_protocol[8];
    char remote_reason_text[32];
    char evidence[64];
} sb_call_notes;

/* Digest challenges kept for the requests of one owner, a call or a registration
 * (dialog/auth.c); NULL until challenged. */
typedef struct sb_auth sb_auth;

typedef struct sb_call {
    sb_hnode by_callid;
    sb_hnode by_handle;
    struct sb_call *prev, *next; /* live list */
    struct sb_ua *eng;           /* back-pointer for the call's own timers */
    uint32_t handle;
    uint8_t role, state;
    uint8_t upd_outstanding; /* our UPDATE is out */
    uint8_t cancel_wanted;   /* UAC: hang up asked before any provisional arrived */
    uint8_t cancel_sent;
    uint8_t bye_after_ack;  /* UAS: sb_end_reason of a hangup waiting for our 2xx's ACK */
    uint32_t ident;         /* who we are in this call: an index into sb_ua.ids */
    struct sb_txn *inv_txn; /* our open INVITE client transaction */
    struct sb_txn *srv_inv; /* the peer's INVITE server transaction while unanswered */
    struct sb_txn *txns;    /* every transaction that points at this call */
    sb_dialog dlg;
    sb_media oa;
    sb_okx *ok; /* UAS: our 2xx while its ACK is awaited, else NULL */
    sb_scenario sc;
    sb_st st;
    sb_call_rec stats;
    sb_call_notes *notes; /* NULL until some text is kept */
    sb_auth *auth;
} sb_call;

/* A registration (dialog/register.c): one binding of our Contact at a registrar. */
typedef struct sb_reg {
    struct sb_reg *prev, *next; /* live list */
    struct sb_ua *eng;
    uint32_t handle;
    uint8_t state; /* sb_reg_state */
    uint8_t unreg_wanted;
    uint8_t n423;
    uint32_t ident; /* whose binding: an index into sb_ua.ids */
    uint32_t cseq;
    uint32_t ask_s; /* the expiry the next REGISTER asks for */
    sb_addr dest;
    char *aor, *ruri, *call_id; /* one allocation, aor first */
    char tag[20];
    sb_tmr refresh;
    struct sb_txn *txn;  /* our REGISTER in progress */
    struct sb_txn *txns; /* every transaction that points at this registration */
    sb_auth *auth;
    sb_reg_stats stats; /* aor[] is filled only when an event needs it */
} sb_reg;

typedef enum { SB_RS_REGISTERING = 0, SB_RS_REGISTERED, SB_RS_UNREGISTERING } sb_reg_state;

/* Who our requests say we are, and what answers their challenges: ids[0] is the config's,
 * sb_engine_add_account adds the others. Every string is an owned copy in the form the request
 * builders write; a call or registration names its identity by index. */
typedef struct {
    char *user;          /* From and Contact user part */
    char *auth_user;     /* digest username (NULL when there is no password) */
    char *auth_password; /* NULL: no credentials, challenges are the user's to see */
    char *display_name;  /* quoted and escaped (RFC 3261 §25.1), or NULL */
    char *from_uri;      /* From of the calls we place: the given URI or sip:user@domain */
    bool from_named;     /* from_uri or domain was given: From is not made of our address */
} sb_ident;

struct sb_ua {
    sb_config cfg;
    char host[64]; /* our address as a SIP host ("127.0.0.1" or "[::1]") */
    char hostport[72];
    sb_ident *ids; /* ids[0]: the config's identity; then the accounts */
    uint32_t nids;
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
    sb_call_stats rec; /* sb_engine_call_stats's answer, valid until the next engine call */
    /* Owned copies of the config's (NULL: none): the extra headers of the calls we place as
     * CRLF-ended lines ready to append, the outbound proxy as the Route value `<URI;lr>`, with
     * its address. */
    char *headers, *proxy_route;
    sb_addr proxy_addr;
    sb_reg *regs; /* live registrations */
    uint32_t live_regs;
};

/* Sets up a UA with a copy of cfg (strings too) at time now; 0 or SB_ENOMEM. */
int sb__ua_init(sb_ua *e, const sb_config *cfg, uint64_t now);
/* Adds an identity (its strings checked by the caller; from_uri NULL: sip:user@domain, domain
 * NULL: our address). *id is its index. 0, or SB_ENOMEM. */
int sb__ua_add_ident(sb_ua *e, const sb_account *a, uint32_t *id);
static inline const sb_ident *sb__ident(const sb_ua *e, uint32_t id) {
    return &e->ids[id];
}
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
/* A sip: or sips: URI that sb__uri_usable accepts (a NUL-terminated string). */
bool sb__sip_uri_ok(const char *uri);
/* The address of a sip: or sips: URI whose host is an IP address (port 5060 when none): the
 * outbound proxy's. 0, or SB_EINVAL. */
int sb__proxy_addr(const char *uri, sb_addr *out);
/* Sets one of the dialog's strings (a field of d) to a copy of s (NULL when s is empty): the
 * strings are rebuilt into one allocation. 0, or SB_ENOMEM with everything as it was. */
int sb__dlg_set(sb_dialog *d, char **field, sb_slice s);
/* The same for n fields at once: one rebuild. */
int sb__dlg_set_many(sb_dialog *d, size_t n, char **const fields[], const sb_slice vals[]);
void sb__dlg_free(sb_dialog *d);
/* The public record of call c, built from its record, notes and dialog. */
void sb__record(const sb_ua *e, const sb_call *c, sb_call_stats *out);
/* The call's notes, allocated on first use; NULL when memory ran out (the text is lost and
 * the loss counted in resource_failures: the call itself goes on). */
sb_call_notes *sb__notes(sb_ua *e, sb_call *c);
/* The final status of the INVITE and its phrase (NULL: the standard one for the status). */
void sb__set_final(sb_ua *e, sb_call *c, int status, const char *phrase, size_t n);
/* The direction we want while in the current offer/answer state: sendrecv, or the hold
 * direction (sendonly or inactive) while holding or held. */
sb_dir sb__oa_wish(const sb_call *c);
/* Our hold or resume offer is out. */
bool sb__oa_offering(const sb_call *c);
/* It was refused or timed out: back to the snapshot (GLR-6). Returns the change it carried. */
sb_next_media sb__oa_roll_back(sb_call *c);
/* Whether the call is on hold by us (held, or our resume offer is still out). */
static inline bool sb__oa_held(const sb_call *c) {
    return c->oa.state == SB_OA_HELD || c->oa.state == SB_OA_RESUMING;
}
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

/* dialog/auth.c: digest credentials (RFC 3261 §22). The first block serves any owner of
 * requests (a call, a registration): it keeps the challenges and answers them; the owner
 * decides what "send again" and "refused" mean for its request. */
typedef enum {
    SB_AUTH_PASS = 0, /* not a challenge we answer: the owner treats it as any response */
    SB_AUTH_RESEND,   /* kept: send the request again (CSeq next_cseq) with sb__auth_answer */
    SB_AUTH_REFUSED,  /* the answer to this challenge was challenged again: wrong credentials */
} sb_auth_verdict;
/* A final response to the owner's request with CSeq cseq; next_cseq is the CSeq the resent
 * request will carry; id the owner's identity. A 401/407 counts in *challenges; answerable
 * false: counted, not answered. Any other final response resets the stale count. */
sb_auth_verdict sb__auth_challenge(sb_ua *e, const sb_ident *id, sb_auth **ap, const sb_msg *m,
                                   uint32_t cseq, uint32_t next_cseq, bool answerable,
                                   uint32_t *challenges);
/* Appends id's answers to every kept challenge for a request of method m to uri with this body
 * (nonce counts go up). Nothing when a is NULL or id has no password. */
void sb__auth_answer(sb_ua *e, const sb_ident *id, sb_auth *a, sb_buf *b, sb_method m,
                     const char *uri, const char *body, size_t blen);
void sb__auth_release(sb_auth **ap);
/* The call's use of it: */
/* A final 401/407 to one of the call's requests: answered (the request goes again with
 * credentials) or refused (the call ends auth_failed); true when handled, false when the verb
 * should treat it as any failure (no credentials, no usable challenge). Any other final
 * response resets the stale count. */
bool sb__auth_challenged(sb_ua *e, sb_call *c, sb_txn *t, const sb_msg *m, uint64_t now);
/* Appends the credentials the call keeps for a request of method m with this body. */
void sb__auth_put(sb_ua *e, sb_call *c, sb_buf *b, sb_method m, const char *body, size_t blen);
/* The ACK of a 2xx: the same credentials as its INVITE (§13.2.2.4). */
void sb__auth_put_ack(const sb_call *c, sb_buf *b);
void sb__auth_free(sb_call *c);
/* The Request-URI of the call's in-dialog requests: the remote target, else the remote URI. */
const char *sb__req_uri(const sb_call *c);

/* dialog/register.c: registrations (RFC 3261 §10) */
int sb__reg_new(sb_ua *e, const sb_reg_opts *o, uint64_t now, uint32_t *handle);
sb_reg *sb__reg_by_handle(const sb_ua *e, uint32_t handle);
void sb__reg_unregister(sb_ua *e, sb_reg *r, uint64_t now);
void sb__reg_free_all(sb_ua *e);
/* The transaction user's reports for SB_PURPOSE_REGISTER transactions (dialog/tu.c). */
void sb__reg_response(sb_reg *r, sb_txn *t, const sb_msg *m, uint64_t now);
void sb__reg_timeout(sb_reg *r, sb_txn *t, int status, uint64_t now);
void sb__reg_gone(sb_reg *r, sb_txn *t);

/* dialog/bye.c */
/* Sends a BYE request in a new client transaction; 0 or SB_ELIMIT (too big, or a limit). */
int sb__bye_request(sb_ua *e, sb_call *c, uint64_t now);
void sb__send_bye(sb_ua *e, sb_call *c, sb_end_reason why, uint64_t now);
void sb__on_bye(sb_ua *e, sb_call *c, sb_txn *t, const sb_msg *m, uint64_t now);
void sb__bye_done(sb_ua *e, sb_call *c, int status, uint64_t now);

/* Timer callbacks owned by the verbs (owner = the call). */
void sb__ring_due(sb_call *c, uint64_t now); /* invite.c: ring time or Timer C ran out */
void sb__talk_due(sb_call *c, uint64_t now); /* bye.c: the talk time ran out */
void sb__on_media_tmr(void *owner, sb_tmr *t, uint64_t now);

#endif
