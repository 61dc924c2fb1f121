/* sipbeat engine: a SIP user agent (UAC and UAS) with RFC 4028 session timers, as a pure
 * state machine. Read this header as the design.
 *
 *   - Inputs:  received datagrams (sb_engine_recv), commands (sb_engine_call, _hangup, _hold,
 *              _resume), and the time `now_ms` passed to every call. The engine never reads a
 *              clock, opens a socket, draws OS randomness or prints.
 *   - Outputs: events drained with sb_engine_next_event(): datagrams to send, call progress,
 *              refreshes, expiries, and one final record per call (SB_EV_CALL_ENDED).
 *   - Time:    sb_engine_next_deadline() says when the engine next needs sb_engine_advance().
 *              Every protocol timer (RFC 3261 A..K, 2xx retransmission, ring time, talk time,
 *              session refresh and expiry, 491 back-off) lives in one heap.
 *
 * The shell (src/net) loops: recv -> sb_engine_recv; timer fires -> sb_engine_advance; then
 * drain events, send datagrams, re-arm one OS timer to sb_engine_next_deadline(). The test
 * simulator does the same with a virtual clock.
 *
 * Layers below (docs/ARCHITECTURE.md), each only using the ones under it: base (heap, rng, map)
 * <- sip (parser, SDP) <- transport (the output queue) <- txn (RFC 3261 §17, one state machine
 * per file, reporting through an ops table) <- ua: dialog (one file per verb) with the RFC 4028
 * session timer (session_timer.c) <- engine (this API). */
#ifndef SIPBEAT_ENGINE_H
#define SIPBEAT_ENGINE_H

#include "sipbeat/errors.h"
#include "sipbeat/msg.h"
#include "sipbeat/types.h"

typedef struct sb_engine sb_engine;

/* ---- Configuration ------------------------------------------------------------------------ */

typedef enum {
    SB_TIMER_OFF = 0,   /* no `timer` in Supported; Require: timer is answered 420 */
    SB_TIMER_SUPPORTED, /* Supported: timer + Session-Expires; peer may decline */
    SB_TIMER_REQUIRED,  /* adds Require: timer; as UAS, 421 to requests without timer */
    SB_TIMER_ALWAYS,    /* as supported, and keep a timer as refresher if the peer ignores it */
} sb_timer_mode;

typedef enum {
    SB_REFRESH_INVITE = 0,
    SB_REFRESH_UPDATE,
    SB_REFRESH_AUTO, /* UPDATE if the peer's Allow lists it, else re-INVITE */
} sb_refresh_method;

typedef struct {
    sb_timer_mode mode;
    uint32_t se_s;          /* interval we ask for (90..7200 unless unchecked) */
    uint32_t min_se_s;      /* our minimum (>= 90 unless unchecked) */
    sb_refresher refresher; /* preference: UAC (default), UAS or NONE */
    sb_refresh_method method;
    bool soft_expiry;  /* on expiry emit SB_EV_TIMER_EXPIRED and keep the call */
    uint32_t max_422;  /* 422 retries per call before giving up (default 3) */
    uint32_t max_se_s; /* largest interval we accept after 422 (policy) */
    bool unchecked;    /* send values as given (negative tests, fast lab runs) */
    /* fault: as refresher, go silent from the Nth refresh on (0 = never). We play a refresher
     * that forgot its timer: we neither refresh nor expire, and keep the call until its talk
     * time, judging the far end as non-refresher (EXP-1). */
    uint32_t skip_refresh_from;
    /* fault: answer the far end's refreshes with this code (0 = no). 481/408 are judged by
     * REF-8 (the far end should end the dialog); the far end is never blamed for the refresh
     * we refused. */
    uint16_t answer_refresh_code;
} sb_timer_config;

typedef enum { SB_HOLD_SENDONLY = 1, SB_HOLD_INACTIVE = 2 } sb_hold_mode;

typedef struct {
    sb_addr local;                /* our address, for Via, Contact and SDP */
    const char *user;             /* user part of From/Contact; default "sipbeat" */
    uint32_t t1_ms, t2_ms, t4_ms; /* RFC 3261 timers; defaults 500, 4000, 5000 */
    uint64_t seed;                /* drives tags, branches, Call-IDs and back-off draws */
    uint32_t max_calls;           /* concurrent calls (dialogs) the engine will hold */
    uint32_t max_txns;            /* concurrent transactions */
    /* UAS behaviour for incoming INVITEs */
    uint32_t ring_time_ms;       /* 180 Ringing then 200 after this long (0: 200 at once) */
    uint16_t reject_code;        /* answer every INVITE with this final code (0: accept) */
    uint32_t max_concurrent;     /* 503 + Retry-After beyond this many incoming calls (0: none) */
    uint32_t answer_duration_ms; /* UAS: send BYE this long after our 2xx (0: never) */
    /* A far-end BYE earlier than this after the answer ends the call remote_hangup (0: only a
     * UAC's talk time sets the bar). */
    uint32_t min_duration_ms;
    /* Digest credentials (RFC 3261 §22) for the 401/407 challenges to our requests. NULL
     * password: none, and a challenged INVITE ends rejected with the challenge's status. */
    const char *auth_user; /* NULL: user */
    const char *auth_password;
    /* Identity of the calls we place (RFC 3261 §8.1.1.3). The From header of each of their
     * requests is `"display_name" <from_uri>;tag=...`: the display name quoted, with `"` and `\`
     * escaped (NULL: none); from_uri NULL is sip:user@our address. Calls we answer take their
     * identity from the INVITE's To. */
    const char *display_name; /* at most 255 bytes, no control bytes (CR, LF, ...) */
    const char *from_uri;     /* a sip: or sips: URI writable between < and > */
    /* Header lines ("Name: value", no CRLF) added to the initial INVITE of every call we place
     * (its 422 and 401/407 retries too), never to in-dialog requests or the CANCEL. A header
     * the engine writes itself is refused: sb_extra_header_problem says which. */
    const char *const *headers;
    uint32_t nheaders; /* at most SB_MAX_EXTRA_HEADERS */
    /* Outbound proxy (RFC 3261 §8.1.2): a sip: or sips: URI whose host is an IP address, e.g.
     * "sip:192.0.2.1:5060" (NULL: none). The out-of-dialog requests of the calls we place (the
     * INVITE, its CANCEL, the ACK of a non-2xx) go to that address instead of sb_call_opts.dest
     * and carry `Route: <URI;lr>` (loose routing, §16.12), the Request-URI staying the target.
     * In-dialog requests follow the route set the 2xx's Record-Route makes, or go straight to
     * the remote target when the proxy did not record-route. */
    const char *outbound_proxy;
    sb_timer_config timer;
} sb_config;

/* Bounds sb_config_check enforces, for callers that quote them (the CLI's help and messages).
 * RFC 4028 §4/§5: Session-Expires and Min-SE are at least 90 s, which is also the default
 * Min-SE; 7200 s is the top of the interval we offer (policy). timer.unchecked lifts both. */
#define SB_SE_FLOOR_S 90u
#define SB_SE_CEIL_S 7200u
#define SB_MAX_422_CAP 20u        /* timer.max_422: 0..20 */
#define SB_MAX_EXTRA_HEADERS 32u  /* headers: at most this many lines */
#define SB_MAX_EXTRA_HEADER 1024u /* headers: at most this many bytes per line */
/* reject_code and timer.answer_refresh_code: a final error status, or 0 for none */
#define SB_FAIL_CODE_MIN 300u
#define SB_FAIL_CODE_MAX 699u

/* Fills defaults: timers off, T1 500 ms, 127.0.0.1:5060, user "sipbeat". */
void sb_config_init(sb_config *cfg);

/* What sb_config_check found wrong. field is the sb_config member as a path ("timer.se_s",
 * "reject_code"), a static string. why is one line: what is wrong and what is allowed. It
 * names neither that field nor its value (the caller has both, and knows what the user called
 * them), and never a command-line flag; it may name other fields by path ("timer.unchecked"). */
typedef struct {
    const char *field;
    char why[128];
} sb_config_error;

/* Checks ranges and combinations. Returns 0, or SB_EINVAL and, when err is not NULL, the first
 * wrong field and why. */
int sb_config_check(const sb_config *cfg, sb_config_error *err);

/* Whether line ("Name: value") may go into sb_config.headers: NULL if so, else a static
 * string saying what is wrong and what is allowed ("no colon (allowed: Name: value)"). Refused:
 * no colon, an empty name, a name that is not a SIP token (spaces included), CR, LF or another
 * control byte anywhere (tabs aside), more than SB_MAX_EXTRA_HEADER bytes, and the headers the
 * engine writes itself, by long or compact name: Via, From, To, Call-ID, CSeq, Contact,
 * Content-Length, Content-Type, Max-Forwards, Route, Session-Expires, Min-SE, Supported,
 * Require, Authorization, Proxy-Authorization. */
const char *sb_extra_header_problem(const char *line);

/* ---- Accounts ------------------------------------------------------------------------------ */

/* Another identity for the calls we place and the registrations we make (a row of an accounts
 * file): sb_call_opts.account and sb_reg_opts.account name it by the id sb_engine_add_account
 * gives; 0 is the config's own (user, auth_user, auth_password, display_name, from_uri). The
 * fields obey the rules of their sb_config namesakes. */
typedef struct {
    const char *user;          /* From and Contact user part (NULL: "sipbeat") */
    const char *auth_user;     /* digest username (NULL: user) */
    const char *auth_password; /* NULL: none (a challenge ends the call rejected) */
    const char *display_name;  /* NULL: none */
    /* From is from_uri when given, else sip:user@domain (domain NULL: our address). domain is
     * a host or host:port (at most 255 bytes: letters, digits, and - . : [ ]). */
    const char *domain;
    const char *from_uri;
} sb_account;

/* Adds an account; *id (from 1) names it. Returns 0, SB_ENOMEM, or SB_EINVAL with err (when
 * not NULL) naming the field ("user", "domain", ...) like sb_config_check. The engine keeps
 * copies; the password is wiped when the engine is freed. */
int sb_engine_add_account(sb_engine *e, const sb_account *a, uint32_t *id, sb_config_error *err);

/* ---- Per-call record ------------------------------------------------------------------------ */

/* The record's enums, each with the name the report uses (sb_<enum>_name, dialog/names.c),
 * generated from one map like SB_END_REASON_MAP: no hand-written decoders elsewhere. */
#define SB_ROLE_MAP(X) X(ROLE_UAC, "uac") X(ROLE_UAS, "uas")
#define SB_RESULT_MAP(X)                                                                           \
    X(RESULT_NONE, "none") /* still running */                                                     \
    X(RESULT_ANSWERED, "answered")                                                                 \
    X(RESULT_REJECTED, "rejected")                                                                 \
    X(RESULT_TIMEOUT, "timeout")                                                                   \
    X(RESULT_CANCELLED, "cancelled")                                                               \
    X(RESULT_FAILED, "failed")
/* Who: the values of the record's side fields (refresher, who hung up). */
#define SB_SIDE_MAP(X) X(SIDE_NONE, "none") X(SIDE_LOCAL, "local") X(SIDE_REMOTE, "remote")
/* How a refresh was sent. */
#define SB_REFRESH_VIA_MAP(X) X(VIA_NONE, "none") X(VIA_INVITE, "invite") X(VIA_UPDATE, "update")
/* What our session timer did when the interval ran out. */
#define SB_EXPIRY_ACTION_MAP(X) X(EXPIRY_NONE, "none") X(EXPIRY_BYE, "bye") X(EXPIRY_SOFT, "soft")
/* Where a far-end hangup falls against the session timer, within min(SB_DROP_TOLERANCE_MS,
 * SE/10): the fingerprint of a "30-minute drop". Checked in this order; the first match is
 * recorded. */
#define SB_DROP_TIMING_MAP(X)                                                                      \
    X(DROP_NONE, "none")                                                                           \
    X(DROP_AFTER_REFRESH, "after_refresh") /* right after a refresh transaction succeeded */       \
    X(DROP_AT_SE, "session_expires")       /* Session-Expires after the answer */                  \
    X(DROP_AT_SE_SINCE_REFRESH, "session_expires_since_refresh") /* SE after the last 2xx */       \
    X(DROP_AT_HALF_SE, "half_session_expires") /* SE/2 after the answer or the last 2xx */

#define SB__ENUM(id, name) SB_##id,
typedef enum { SB_ROLE_MAP(SB__ENUM) } sb_role;
typedef enum { SB_RESULT_MAP(SB__ENUM) } sb_result;
typedef enum { SB_SIDE_MAP(SB__ENUM) } sb_side;
typedef enum { SB_REFRESH_VIA_MAP(SB__ENUM) } sb_refresh_via;
typedef enum { SB_EXPIRY_ACTION_MAP(SB__ENUM) } sb_expiry_action;
typedef enum { SB_DROP_TIMING_MAP(SB__ENUM) } sb_drop_timing;
#undef SB__ENUM
const char *sb_role_name(sb_role v);
const char *sb_result_name(sb_result v);
const char *sb_side_name(sb_side v);
const char *sb_refresh_via_name(sb_refresh_via v);
const char *sb_expiry_action_name(sb_expiry_action v);
const char *sb_drop_timing_name(sb_drop_timing v);

/* Why a call ended. Names (sb_end_reason_name) are the report's end_reason values. */
#define SB_END_REASON_MAP(X)                                                                       \
    X(NONE, "none")                                                                                \
    X(NORMAL, "normal") /* BYE after the talk time, or a far-end BYE no earlier than expected */   \
    X(REMOTE_HANGUP, "remote_hangup")   /* far-end BYE before our talk time or --min-duration */   \
    X(REJECTED, "rejected")             /* final non-2xx to the INVITE */                          \
    X(INVITE_TIMEOUT, "invite_timeout") /* Timer B */                                              \
    X(CANCELLED, "cancelled")                                                                      \
    X(ACK_TIMEOUT, "ack_timeout") /* our 2xx never ACKed (RFC 3261 §13.3.1.4) */                  \
    X(BYE_TIMEOUT, "bye_timeout")                                                                  \
    X(SESSION_EXPIRED, "session_expired")                   /* RFC 4028: no refresh in time */     \
    X(REFRESH_FAILED, "refresh_failed")                     /* 408/481/timeout to our refresh */   \
    X(REMOTE_UNSUPPORTED_TIMER, "remote_unsupported_timer") /* 420 in required mode */             \
    X(TOO_MANY_422, "too_many_422")                                                                \
    X(MIN_SE_TOO_LARGE, "min_se_too_large")                                                        \
    X(SHUTDOWN, "shutdown")                                                                        \
    X(ENGINE_LIMIT, "engine_limit")                                                                \
    X(UNREACHABLE, "unreachable") /* ICMP: nothing reachable at the INVITE's destination */        \
    X(AUTH_FAILED, "auth_failed") /* our credentials were refused: challenged again */

typedef enum {
#define SB__END_ENUM(id, name) SB_END_##id,
    SB_END_REASON_MAP(SB__END_ENUM)
#undef SB__END_ENUM
} sb_end_reason;
const char *sb_end_reason_name(sb_end_reason r);

/* Checks the engine applies to the far end: id (docs/rfc4028-rules.md), level, what failed.
 * MUST checks fail the call by default; SHOULD checks are reported apart and fail it only when
 * asked (--fail-on should). A check is recorded as passed when it was evaluated and held, as a
 * violation when it did not, and not at all when it did not apply. A fault we inject ourselves
 * never makes a check fail: the check that judges the far end's reaction to it runs instead. */
typedef enum { SB_LEVEL_MUST = 0, SB_LEVEL_SHOULD } sb_level;

#define SB_VIOLATION_MAP(X)                                                                        \
    X(MISSED_REFRESH, "UAC-13", MUST, "far-end refresher sent no refresh before the deadline")     \
    X(NO_SE_WITH_REQUIRE, "UAC-5", MUST, "2xx has Require: timer but no Session-Expires")          \
    X(422_NO_MIN_SE, "422-1", MUST, "422 without Min-SE")                                          \
    X(TABLE2_REFRESHER, "UAS-5", MUST, "2xx refresher contrary to RFC 4028 Table 2")               \
    X(SE_BELOW_MIN_SE, "UAS-2", MUST, "2xx Session-Expires below the request's Min-SE")            \
    X(SE_RAISED, "UAS-2", MUST, "2xx Session-Expires larger than requested")                       \
    X(SE_BELOW_90, "HDR-8", MUST, "Session-Expires below 90 s")                                    \
    X(NO_REFRESHER_IN_2XX, "UAS-5", MUST, "2xx Session-Expires without refresher parameter")       \
    X(MIN_SE_IN_RESPONSE, "HDR-3", MUST, "Min-SE in a response other than 422")                    \
    X(DUPLICATE_SE, "HDR-4", MUST, "more than one Session-Expires")                                \
    X(422_WITHOUT_TIMER, "UAS-1", MUST, "422 to a request that did not list timer")                \
    X(REFRESHER_WITHOUT_TIMER, "UAS-11", MUST, "refresher parameter without Supported: timer")     \
    X(NO_TEARDOWN, "EXP-1", SHOULD, "far-end non-refresher did not end the unrefreshed session")   \
    X(KEPT_DIALOG, "REF-8", SHOULD, "far end kept the dialog after its refresh got 481/408")       \
    X(REFRESHER_MOVED, "REF-5", SHOULD, "far-end refresh moved the refresher role")                \
    X(BRANCH_REUSED, "BRANCH-1", MUST, "far end reused the Via branch of an earlier request")

typedef enum {
#define SB__VIO_ENUM(id, rfc, level, text) SB_VIO_##id,
    SB_VIOLATION_MAP(SB__VIO_ENUM)
#undef SB__VIO_ENUM
        SB_VIO__COUNT
} sb_violation;
const char *sb_violation_rfc_id(sb_violation v); /* "UAC-13" */
sb_level sb_violation_level(sb_violation v);
const char *sb_level_name(sb_level l); /* "MUST" "SHOULD" */
const char *sb_violation_text(sb_violation v);

#define SB_DROP_TOLERANCE_MS 3000
/* A far-end BYE this close to the end of our talk time counts as normal (two agents started
 * together hang up together); earlier, it is a remote_hangup. */
#define SB_HANGUP_TOLERANCE_MS 1000
/* Slack on the windows in which the far end must act (EXP-1 BYE window, REF-8 teardown). */
#define SB_VERDICT_TOLERANCE_MS 2000

typedef struct {
    char call_id[72];
    sb_role role;
    sb_result result;
    uint16_t final_status_code;
    char final_reason_phrase[40];
    sb_end_reason end_reason;
    bool ended_by_remote;
    uint64_t start_ms, answer_ms, end_ms; /* engine time; answer_ms 0 if never answered */
    uint32_t hold_count;
    /* 401/407 challenges to the call's requests, answered or not (RFC 3261 §22) */
    uint32_t auth_challenges;
    /* The far end's BYE: its Reason header (RFC 3326), and where it fell (sb_drop_timing). */
    char remote_reason_protocol[8]; /* "SIP", "Q.850", ... ("" without Reason) */
    uint16_t remote_reason_cause;
    char remote_reason_text[32];
    uint8_t drop_timing;
    bool fault_injected; /* a fault of ours (skip_refresh_from, answer_refresh_code) took effect */

    /* RFC 4028 */
    sb_timer_mode session_timer_mode;
    bool session_timer_active;
    uint32_t session_timer_negotiated_se_s; /* last negotiated interval, 0 if none */
    uint32_t session_timer_min_se_s;
    uint8_t session_timer_refresher;      /* sb_side */
    uint8_t session_timer_refresh_method; /* sb_refresh_via, last refresh either way */
    uint8_t session_timer_refresh_method_local, session_timer_refresh_method_remote;
    uint32_t session_timer_refreshes; /* successful refresh transactions, either way */
    uint32_t
        session_timer_refresh_failures; /* our refreshes that failed (final non-2xx, timeout) */
    int32_t session_timer_refresh_failure_status; /* last one: status, 0 timeout, -1 none */
    uint32_t session_timer_refresh_fallbacks;     /* UPDATE answered 405/501, re-INVITE used */
    uint32_t session_timer_refreshes_refused;     /* far-end refreshes we refused by fault */
    uint32_t session_timer_422_count;
    uint32_t session_timer_refresh_interval_ms_min, session_timer_refresh_interval_ms_max;
    uint32_t session_timer_refresh_rtt_ms_max;
    uint32_t session_timer_since_refresh_ms; /* at the end: since the last 2xx that set it */
    bool session_timer_expired;
    uint8_t session_timer_expiry_action; /* sb_expiry_action */
    uint32_t session_timer_soft_expiries;
    uint32_t violations;    /* bit per sb_violation that failed */
    uint32_t checks_passed; /* bit per sb_violation evaluated that held */
    uint8_t evidence_of;    /* the sb_violation that evidence describes */
    char evidence[64];      /* what the first violation of this call saw, with times */
    /* The last ICMP error (sb_engine_unreachable) that hit one of the call's requests: type and
     * code as on the wire, ICMPv4 or ICMPv6 after the call's address family; 0 when none. */
    uint8_t icmp_type, icmp_code;
} sb_call_stats;

/* ---- Engine lifecycle and inputs ------------------------------------------------------------ */

/* Copies cfg (strings too). Returns NULL on SB_ENOMEM or an invalid cfg. */
sb_engine *sb_engine_new(const sb_config *cfg, uint64_t now_ms);
/* Frees everything, live calls included, without emitting events. */
void sb_engine_free(sb_engine *e);

/* Feeds one received datagram. Malformed input is answered 400 where possible and reported
 * as SB_EV_MALFORMED; it never fails the engine. Returns 0, or SB_EMALFORMED / SB_ETOOBIG
 * (already counted and reported). */
int sb_engine_recv(sb_engine *e, const sb_addr *from, const uint8_t *data, size_t len,
                   uint64_t now_ms);

/* Feeds an ICMP error that the shell read for a datagram it had sent to dest (on Linux, from the
 * socket's error queue with IP_RECVERR / IPV6_RECVERR). icmp_type and icmp_code are as on the
 * wire: ICMPv4 for an IPv4 dest, ICMPv6 for an IPv6 one. The shell calls it for "destination
 * unreachable" errors only (ICMPv4 type 3 except code 4, which asks for a smaller datagram;
 * ICMPv6 type 1); the engine takes every call as meaning that nothing answers at dest.
 *
 * Every client transaction sent to dest (address and port) that has no final response yet gets
 * a transport error (RFC 3261 §18.4, §17.1.1.2, §17.1.2.2): it ends at once, and its request is
 * treated as answered with 503 (Service Unavailable, §8.1.3.1). For the initial INVITE the call
 * ends at once: result SB_RESULT_FAILED, end reason SB_END_UNREACHABLE, final status 503 with a
 * reason phrase naming the ICMP error ("ICMP port unreachable"). A BYE, re-INVITE or UPDATE
 * goes the way a 503 response to it goes. Either way icmp_type and icmp_code land in the call's
 * record. Server transactions, transactions that have their final response, transactions of
 * calls that already ended, and requests sent from inside this call (in reaction to it) are
 * left alone. Cost: one pass over the live calls and their transactions.
 * Returns how many transactions got the error (0 when none was waiting on dest). */
int sb_engine_unreachable(sb_engine *e, const sb_addr *dest, uint8_t icmp_type, uint8_t icmp_code,
                          uint64_t now_ms);

/* Runs every timer due at or before now_ms. */
void sb_engine_advance(sb_engine *e, uint64_t now_ms);
/* Earliest time the engine needs sb_engine_advance(), or SB_NEVER. */
uint64_t sb_engine_next_deadline(const sb_engine *e);

typedef struct {
    const char *target_uri; /* Request-URI and To, e.g. "sip:service@127.0.0.1:5060" */
    /* where to send (usually the URI's host:port); unused with sb_config.outbound_proxy */
    sb_addr dest;
    /* The To URI when it is not the target (NULL: target_uri): sip: or sips:, writable between
     * < and >. The Request-URI stays target_uri. */
    const char *to_uri;
    uint32_t duration_ms; /* talk time after answer, then BYE (0: until sb_engine_hangup); a
                           * far-end BYE before it ends the call remote_hangup */
    uint32_t hold_at_ms;  /* 0: no hold; else re-INVITE with hold_mode this long after answer */
    sb_hold_mode hold_mode;
    uint32_t resume_at_ms; /* 0: stay on hold; else resume this long after answer */
    uint32_t account;      /* whose call: 0 the config's identity, else sb_engine_add_account's */
} sb_call_opts;

/* Places a call (sends the INVITE). *handle identifies it in events. Returns 0, SB_ELIMIT
 * (max_calls), SB_EINVAL. */
int sb_engine_call(sb_engine *e, const sb_call_opts *opts, uint64_t now_ms, uint32_t *handle);
/* Ends a call the proper way for its state: CANCEL before a final answer, BYE after. */
int sb_engine_hangup(sb_engine *e, uint32_t handle, uint64_t now_ms);
/* Hangs up every call (shutdown); calls end with SB_END_SHUTDOWN. */
void sb_engine_hangup_all(sb_engine *e, uint64_t now_ms);
int sb_engine_hold(sb_engine *e, uint32_t handle, sb_hold_mode mode, uint64_t now_ms);
int sb_engine_resume(sb_engine *e, uint32_t handle, uint64_t now_ms);

/* ---- Registrations (RFC 3261 §10) ----------------------------------------------------------- */

/* Binding our Contact (sip:user@our address) to an address-of-record at a registrar. Every
 * REGISTER of one registration has the same Call-ID and From tag and the next CSeq; To and From
 * are the AOR, the Request-URI is the AOR without its user part (§10.2), and Contact carries
 * ;expires= with an Expires header of the same value. Digest challenges are answered with the
 * config's credentials like a call's; the answer to a realm's challenge challenged again ends
 * the registration auth_failed. A 423 is retried once per step with its Min-Expires (at most
 * SB_REG_MAX_423 times). After a 2xx the granted expiry is the expires parameter of the Contact
 * that is ours, else the Expires header, else what we asked; the binding is refreshed after
 * max(granted/2, granted - 32 s) (so at least 5 s before it runs out whenever granted >= 10 s). */
#define SB_REG_DEFAULT_EXPIRES_S 3600u
#define SB_REG_MAX_423 3u

#define SB_REG_RESULT_MAP(X)                                                                       \
    X(REG_NONE, "none")                 /* not registered yet */                                   \
    X(REG_REGISTERED, "registered")     /* the binding is in place (live record) */                \
    X(REG_UNREGISTERED, "unregistered") /* registered, then removed cleanly */                     \
    X(REG_FAILED, "failed")             /* a final error (status) or a timeout (status 0) */       \
    X(REG_AUTH_FAILED, "auth_failed")   /* our credentials were refused */
#define SB__ENUM(id, name) SB_##id,
typedef enum { SB_REG_RESULT_MAP(SB__ENUM) } sb_reg_result;
#undef SB__ENUM
const char *sb_reg_result_name(sb_reg_result v);

typedef struct {
    char aor[128];
    sb_reg_result result;
    uint16_t final_status_code; /* of the last REGISTER's final response; 0: timeout or none */
    uint32_t expires_s;         /* last granted expiry (0: never registered) */
    uint32_t refreshes;         /* successful re-REGISTERs */
    uint32_t failures;          /* REGISTERs that ended in an error or timeout (not 401/407/423
                                 * that were answered) */
    uint32_t auth_challenges;   /* 401/407 received, answered or not */
    uint32_t registers_sent;    /* REGISTER requests (retransmissions aside) */
} sb_reg_stats;

typedef struct {
    /* The address-of-record, a sip: URI whose host names the registrar's domain, e.g.
     * "sip:alice@192.0.2.1" (NULL: the account's From URI when it has a domain or from_uri,
     * else sip:user@dest's address). */
    const char *aor;
    sb_addr dest;       /* where the REGISTERs go (unused with sb_config.outbound_proxy) */
    uint32_t expires_s; /* requested expiry (0: SB_REG_DEFAULT_EXPIRES_S) */
    /* whose binding: 0 the config's identity, else sb_engine_add_account's; its user is the
     * Contact's, its credentials answer the challenges */
    uint32_t account;
} sb_reg_opts;

/* Starts a registration (sends the first REGISTER). *handle names it in events (SB_EV_REG_*,
 * whose `stats` is NULL and `reg` points at its record); handles are never a call's. Returns 0,
 * SB_EINVAL (an AOR that is not a usable sip:/sips: URI) or SB_ENOMEM. */
int sb_engine_register(sb_engine *e, const sb_reg_opts *opts, uint64_t now_ms, uint32_t *handle);
/* Removes the binding: a REGISTER with the same Contact and expires=0 (Expires: 0), once the
 * REGISTER in progress (if any) is answered; the registration ends with SB_EV_REG_UNREGISTERED
 * (or SB_EV_REG_FAILED). Returns 0 or SB_ENOTFOUND (no such live registration). */
int sb_engine_unregister(sb_engine *e, uint32_t handle, uint64_t now_ms);
/* Unregisters every live registration (shutdown). */
void sb_engine_unregister_all(sb_engine *e, uint64_t now_ms);
/* Live registrations. */
size_t sb_engine_live_registrations(const sb_engine *e);

/* ---- Outputs --------------------------------------------------------------------------------- */

typedef enum {
    SB_EV_SEND = 1,         /* datagram: addr, data, len */
    SB_EV_CALL_STARTED,     /* call created (outgoing INVITE sent, or incoming INVITE) */
    SB_EV_CALL_PROGRESS,    /* provisional response: status */
    SB_EV_CALL_ANSWERED,    /* 2xx to the initial INVITE: status */
    SB_EV_CALL_HOLD,        /* hold or resume done: text "sendonly"/"inactive"/"sendrecv" */
    SB_EV_TIMER_NEGOTIATED, /* session interval set: value = SE s, status = refresher (0/1/2) */
    SB_EV_TIMER_422,        /* 422 received: value = Min-SE */
    SB_EV_REFRESH_SENT,     /* we sent a refresh: text "INVITE"/"UPDATE" */
    SB_EV_REFRESH_OK,       /* a refresh transaction succeeded: text says who sent it */
    SB_EV_REFRESH_FAILED,   /* our refresh failed: status (0 = timeout) */
    SB_EV_TIMER_EXPIRED,    /* session expired: text "bye" or "soft" */
    SB_EV_VIOLATION,        /* far end broke an RFC 4028 rule: value = sb_violation */
    SB_EV_CALL_ENDED,       /* final record in stats */
    SB_EV_MALFORMED,        /* bad input: addr, text = reason */
    /* A request or response sent again, just before the copy goes out: addr, text = the
     * method ("2xx" for the UAS's 2xx kept until the ACK), status = the response's code (0 for
     * a request), value = times this message has been sent again, this one included. */
    SB_EV_RETRANSMIT,
    /* Registrations: call = the registration's handle, reg = its record. */
    SB_EV_REG_REGISTERED,   /* first 2xx: value = granted expiry (s) */
    SB_EV_REG_REFRESHED,    /* 2xx to a re-REGISTER: value = granted expiry (s) */
    SB_EV_REG_FAILED,       /* final: status (0 = timeout), reg->result failed or auth_failed */
    SB_EV_REG_UNREGISTERED, /* final: the binding was removed (2xx to expires=0) */
} sb_event_type;

typedef struct {
    sb_event_type type;
    uint32_t call; /* handle; 0 when not about a call */
    uint64_t at_ms;
    sb_addr addr;        /* SEND: destination; MALFORMED: source */
    const uint8_t *data; /* SEND */
    size_t len;
    int status;
    uint64_t value;
    const char *text;
    const sb_call_stats *stats; /* CALL_ENDED, and the live record for other call events */
    const sb_reg_stats *reg;    /* SB_EV_REG_*: the registration's record */
} sb_event;

/* Next queued event, or NULL when the queue is empty. The event and everything it points to
 * stay valid until the next call to any sb_engine_* function other than this one. */
const sb_event *sb_engine_next_event(sb_engine *e);

/* Engine-wide counters for the report. */
typedef struct {
    uint64_t msgs_received, msgs_sent, malformed_messages, retransmissions;
    uint64_t calls_started, calls_ended;
    uint32_t live_calls, live_txns, peak_calls;
    uint64_t unmatched_responses, unknown_dialog_requests;
    /* INVITEs turned away before a call existed: 422 (a negotiation step, RFC 4028 UAS-1)
     * and 503 (max_concurrent or max_calls reached). They have no per-call record. */
    uint64_t invites_422, invites_503;
    /* Calls ended engine_limit because memory for their state ran out (strings, timers). */
    uint64_t resource_failures;
} sb_engine_stats;
void sb_engine_get_stats(const sb_engine *e, sb_engine_stats *out);

/* INVITE server transactions whose final non-2xx response (a reject, 422, 503, ...) still waits
 * for its ACK: RFC 3261 §17.2.1 retransmits it until then. A shell about to exit waits for 0,
 * so the caller's INVITE transaction ends with its ACK instead of losing our retransmissions. */
size_t sb_engine_awaiting_ack(const sb_engine *e);

/* Writes the handles of up to cap live calls into out; returns how many calls are live.
 * Lets a shell that must stop at once still report the calls in progress. */
size_t sb_engine_live_calls(const sb_engine *e, uint32_t *out, size_t cap);

/* The live record of a call, or NULL. Valid until the next engine call. */
const sb_call_stats *sb_engine_call_stats(sb_engine *e, uint32_t handle);

#endif
