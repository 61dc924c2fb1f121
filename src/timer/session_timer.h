/* RFC 4028 session timer state of one dialog, and the hooks the dialog layer calls. */
#ifndef SB_TIMER_SESSION_TIMER_H
#define SB_TIMER_SESSION_TIMER_H

#include "base/heap.h"
#include "sipbeat/msg.h"

struct sb_ua;
struct sb_call;
struct sb_txn;

enum { SB_ST_NOBODY = 0, SB_ST_LOCAL = 1, SB_ST_REMOTE = 2 };

/* What the expiry timer (sb_st.tmr) is waiting for. */
enum {
    SB_ST_IDLE = 0, /* refresher: time to refresh; non-refresher: time to hang up (EXP-1) */
    SB_ST_SENT,     /* refresher: refresh sent, the expiration deadline is armed (EXP-2) */
    SB_ST_SOFT,     /* expired with soft expiry: nothing armed */
    SB_ST_SILENT,   /* fault: we skipped our refresh; at t0 + SE + tolerance EXP-1 is judged */
    SB_ST_JUDGED,   /* fault: EXP-1 judged; we stay silent until the talk time */
};

typedef struct {
    sb_tmr tmr;             /* refresh (we refresh), expiry (peer refreshes), or an EXP-1 verdict */
    sb_tmr retry_tmr;       /* refresher: 491 back-off, Retry-After, a refresh deferred by GLR-4;
                             * non-refresher: the REF-8 verdict after we refused a refresh by fault */
    uint64_t t0_ms;         /* when the last 2xx to a refresh was received or sent */
    uint64_t last_ok_ms;    /* previous successful refresh, for spacing metrics */
    uint32_t se_s;          /* current session interval; 0 = no timer */
    uint32_t min_se_s;      /* largest Min-SE seen (422s, refresh requests): REF-6, 422-2 */
    uint32_t req_se_s;      /* what we ask for next */
    uint8_t refresher;      /* SB_ST_LOCAL / SB_ST_REMOTE */
    uint8_t phase;          /* SB_ST_IDLE ... SB_ST_JUDGED */
    uint8_t sent_refresher; /* refresher parameter we put in our last request (sb_refresher) */
    uint8_t sent_se;        /* our last INVITE/UPDATE carried Session-Expires */
    uint8_t update_refused; /* the peer answered UPDATE with 405/501: use re-INVITE (UPD-4) */
    uint8_t refused;        /* fault: we refused the peer's refresh since the last 2xx */
    uint8_t await_teardown; /* fault: we refused it with 481/408; REF-8 waits for its BYE */
    uint32_t local_refreshes; /* refreshes we started, for skip_refresh_from */
    uint64_t refused_ms;      /* when we refused the peer's refresh by fault (REF-8 evidence) */
    uint32_t sent_value_s;    /* Session-Expires of our last INVITE/UPDATE */
} sb_st;

void sb__st_init(struct sb_ua *e, struct sb_call *c);
void sb__st_stop(struct sb_ua *e, struct sb_call *c);

/* UAC side of any INVITE/UPDATE we send: adds Session-Expires, Min-SE, Require (UAC-1..12,
 * REF-4..6, REF-10). Supported: timer is written by the common request builder. */
void sb__st_request_headers(struct sb_ua *e, struct sb_call *c, sb_buf *b);
/* A 2xx to our INVITE/UPDATE (initial or in-dialog): adopt interval and role (UAC-5..8). */
void sb__st_on_2xx(struct sb_ua *e, struct sb_call *c, const sb_msg *m, bool refresh,
                   uint64_t rtt_ms, uint64_t now);
/* A 422 to our INVITE/UPDATE. Returns true if the caller should retry the request (the new
 * values are in the state); false means give up: *why is set. */
bool sb__st_on_422(struct sb_ua *e, struct sb_call *c, const sb_msg *m, int *why);
/* A non-2xx final (or timeout, status 0) to a refresh we sent (REF-8, 491 back-off). */
void sb__st_refresh_failed(struct sb_ua *e, struct sb_call *c, struct sb_txn *t, const sb_msg *m,
                           int status, uint64_t now);

/* The far end's refresh was refused by our fault knob with status (REF-8 is then judged). */
void sb__st_refused(struct sb_ua *e, struct sb_call *c, int status, uint64_t now);
/* The far end sent BYE: judges the checks waiting for it (EXP-1, REF-8) and returns the end
 * reason those explain (SB_END_SESSION_EXPIRED, SB_END_REFRESH_FAILED), or SB_END_NONE. */
int sb__st_on_remote_bye(struct sb_ua *e, struct sb_call *c, uint64_t now);
/* BRANCH-1: a new in-dialog request of the far end came with a fresh branch, or reused the
 * branch of an earlier request (RFC 3261 §8.1.1.7, unique branches). It is
 * not an RFC 4028 rule, but the verdicts live here so that every check is in one place. */
void sb__st_branch_check(struct sb_ua *e, struct sb_call *c, bool reused, uint32_t old_cseq,
                         uint32_t new_cseq);
/* Where a hangup at now falls against the session timer (sb_drop_timing). */
uint8_t sb__st_drop_timing(const struct sb_call *c, uint64_t now);

/* UAS side: may this INVITE/UPDATE be accepted? Returns 0, or a status (400, 421, 422) with
 * the extra header lines to send written into b (UAS-1, HDR-4) and, for 400, *reason set to a
 * reason phrase naming the problem. */
int sb__st_check_request(struct sb_ua *e, const sb_msg *m, sb_buf *b, const char **reason);
/* Writes our 2xx's Session-Expires/Require per Table 2 and arms the timer (UAS-2..11). */
void sb__st_answer(struct sb_ua *e, struct sb_call *c, const sb_msg *m, sb_buf *b, bool refresh,
                   uint64_t now);

#endif
