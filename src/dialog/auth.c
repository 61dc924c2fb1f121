/* Digest authentication of our requests (RFC 3261 §22; the arithmetic is sip/digest.c).
 *
 * IMPLEMENTATION NOTES
 * A 401 or 407 to one of the call's INVITE, re-INVITE, UPDATE or BYE transactions reaches
 * sb__auth_challenged before the verb sees it. With credentials configured, the chosen
 * challenge (the strongest, sb_digest_pick) is kept for its realm, and the request goes again
 * with a new CSeq and branch, same Call-ID (§22.1), carrying the answer; a refresh stays a
 * refresh and a hold stays the same offer. Every later request of the dialog answers the kept
 * challenges at once (§22.3), with the nonce count going up. The ACK of a 2xx carries the same
 * credentials as its INVITE (§13.2.2.4); the ACK of a non-2xx is built by the transaction from
 * the INVITE, credentials included; a CANCEL never carries any (§22.1).
 *
 * Wrong credentials never loop: the request sent in answer to a realm's challenge, challenged
 * again for it without stale=true, ends the call auth_failed, so each request is sent at most
 * twice. A stale nonce (stale=true) is answered again with the new nonce and is not a failure,
 * up to SB_AUTH_MAX_STALE times in a row; nor is a new challenge to a later request that reused
 * the kept one (its nonce expired on the server).
 *
 * The state (sb_auth) and its two operations, sb__auth_challenge (keep a challenge, or say the
 * credentials were refused) and sb__auth_answer (write the answers), belong to no call: a
 * registration (dialog/register.c) owns one too. What "send again" and "refused" mean is the
 * owner's: for a call, resend() and refused() below. */
#include "dialog/ua.h"
#include "sip/digest.h"

#include <stdlib.h>
#include <string.h>

#define SB_AUTH_REALMS 4    /* challenges kept per call: a proxy chain rarely has more */
#define SB_AUTH_MAX_STALE 3 /* consecutive stale=true rounds answered */

typedef struct {
    char *challenge; /* the header value as received, parsed again for each answer */
    uint8_t proxy;
    uint32_t nc;        /* nonce count of its nonce (RFC 7616 §3.4) */
    uint32_t from_cseq; /* the first CSeq that carried an answer to it */
} sb_auth_realm;

struct sb_auth {
    sb_auth_realm r[SB_AUTH_REALMS];
    uint8_t n;
    uint8_t stale_rounds;
    char *invite_creds; /* a call's: the credential lines of our last INVITE, for its 2xx's ACK */
};

void sb__auth_release(sb_auth **ap) {
    sb_auth *a = *ap;
    if (!a) return;
    for (uint8_t i = 0; i < a->n; i++)
        free(a->r[i].challenge);
    free(a->invite_creds);
    free(a);
    *ap = NULL;
}

void sb__auth_free(sb_call *c) {
    sb__auth_release(&c->auth);
}

const char *sb__req_uri(const sb_call *c) {
    return c->dlg.remote_target ? c->dlg.remote_target : c->dlg.remote_uri ? c->dlg.remote_uri : "";
}

static char *dup_slice(sb_slice s) {
    char *p = malloc(s.n + 1);
    if (!p) return NULL;
    memcpy(p, s.p, s.n);
    p[s.n] = '\0';
    return p;
}

void sb__auth_answer(sb_ua *e, const sb_ident *id, sb_auth *a, sb_buf *b, sb_method m,
                     const char *uri, const char *body, size_t blen) {
    if (!a || !id->auth_password) return;
    const char *method = sb_method_name(m);
    for (uint8_t i = 0; i < a->n; i++) {
        if (!a->r[i].challenge) continue;
        sb_digest_challenge ch;
        sb_slice v = {a->r[i].challenge, strlen(a->r[i].challenge)};
        if (sb_digest_parse_challenge(v, a->r[i].proxy, &ch) != 0) continue;
        char cnonce[17];
        sb_rng_hex(&e->rng, cnonce, 16);
        sb_digest_input in = {.username = id->auth_user,
                              .password = id->auth_password,
                              .method = {method, strlen(method)},
                              .uri = {uri, strlen(uri)},
                              .body = {body, blen},
                              .cnonce = cnonce,
                              .nc = ++a->r[i].nc};
        sb_digest_answer(&ch, &in, b);
    }
}

void sb__auth_put(sb_ua *e, sb_call *c, sb_buf *b, sb_method m, const char *body, size_t blen) {
    sb_auth *a = c->auth;
    const sb_ident *id = sb__ident(e, c->ident);
    if (!a || !id->auth_password) return;
    size_t start = b->len;
    sb__auth_answer(e, id, a, b, m, sb__req_uri(c), body, blen);
    if (m != SB_METHOD_INVITE || b->overflow) return;
    free(a->invite_creds);
    a->invite_creds = dup_slice((sb_slice){b->p + start, b->len - start});
}

void sb__auth_put_ack(const sb_call *c, sb_buf *b) {
    if (c->auth && c->auth->invite_creds) sb_buf_str(b, c->auth->invite_creds);
}

/* The kept challenge of this realm and kind, or a new slot for it; NULL when memory ran out
 * or every slot is taken. */
static sb_auth_realm *realm_slot(sb_ua *e, sb_auth **ap, const sb_digest_challenge *ch) {
    if (!*ap) *ap = calloc(1, sizeof **ap);
    sb_auth *a = *ap;
    if (!a) {
        e->stats.resource_failures++;
        return NULL;
    }
    for (uint8_t i = 0; i < a->n; i++) {
        if (!a->r[i].challenge) return &a->r[i]; /* a slot left empty by a failed round */
        sb_digest_challenge old;
        sb_slice v = {a->r[i].challenge, strlen(a->r[i].challenge)};
        if (a->r[i].proxy == ch->proxy && sb_digest_parse_challenge(v, ch->proxy, &old) == 0 &&
            strcmp(old.realm, ch->realm) == 0)
            return &a->r[i];
    }
    if (a->n == SB_AUTH_REALMS) return NULL;
    sb_auth_realm *r = &a->r[a->n++];
    memset(r, 0, sizeof *r);
    r->proxy = ch->proxy;
    return r;
}

/* Sends the challenged request again (new CSeq, branch and credentials). 0, or an SB_E* when
 * it could not go (an INVITE that cannot go has ended its call already). */
static int resend(sb_ua *e, sb_call *c, sb_txn *t, uint64_t now) {
    switch (t->purpose) {
    case SB_PURPOSE_INVITE:
        c->inv_txn = NULL;
        sb__uac_send_invite(e, c, now);
        return 0;
    case SB_PURPOSE_REINVITE:
        c->inv_txn = NULL;
        return sb__send_reinvite(e, c, t->is_refresh, now);
    case SB_PURPOSE_UPDATE:
        c->upd_outstanding = 0;
        return sb__send_update(e, c, now);
    default: /* SB_PURPOSE_BYE */
        return sb__bye_request(e, c, now);
    }
}

/* Our credentials were refused: the call ends auth_failed (a BYE's answer ends it anyway). */
static bool refused(sb_ua *e, sb_call *c, sb_txn *t, const sb_msg *m, uint64_t now) {
    switch (t->purpose) {
    case SB_PURPOSE_INVITE:
        c->inv_txn = NULL;
        sb__set_final(e, c, m->status, m->reason.p, m->reason.n);
        sb__call_end(e, c, SB_RESULT_FAILED, SB_END_AUTH_FAILED, false, now);
        return true;
    case SB_PURPOSE_BYE:
        return false;
    default:
        if (t->purpose == SB_PURPOSE_REINVITE) c->inv_txn = NULL;
        if (t->purpose == SB_PURPOSE_UPDATE) c->upd_outstanding = 0;
        if (sb__oa_offering(c)) sb__oa_roll_back(c);
        sb__send_bye(e, c, SB_END_AUTH_FAILED, now);
        return true;
    }
}

sb_auth_verdict sb__auth_challenge(sb_ua *e, const sb_ident *id, sb_auth **ap, const sb_msg *m,
                                   uint32_t cseq, uint32_t next_cseq, bool answerable,
                                   uint32_t *challenges) {
    if (m->status != 401 && m->status != 407) {
        if (m->status >= 200 && *ap) (*ap)->stale_rounds = 0;
        return SB_AUTH_PASS;
    }
    (*challenges)++;
    sb_digest_challenge ch;
    if (!id->auth_password || sb_digest_pick(m, &ch) != 0) return SB_AUTH_PASS; /* the user's */
    if (!answerable) return SB_AUTH_PASS;
    sb_auth_realm *r = realm_slot(e, ap, &ch);
    if (!r) return SB_AUTH_PASS;
    sb_auth *a = *ap;
    /* Wrong credentials: the request sent in answer to this realm's challenge (its first use)
     * is challenged again. A later request that reused the challenge (§22.3) and meets a new
     * one found its nonce expired: answered like a first challenge, whether or not the server
     * says stale=true (Kamailio 5.6 does not). */
    bool answered = r->challenge && cseq == r->from_cseq;
    if (answered && (!ch.stale || a->stale_rounds >= SB_AUTH_MAX_STALE)) return SB_AUTH_REFUSED;
    a->stale_rounds = answered ? (uint8_t)(a->stale_rounds + 1) : 0;
    char *v = dup_slice(ch.raw);
    if (!v) {
        e->stats.resource_failures++;
        return SB_AUTH_PASS;
    }
    free(r->challenge);
    r->challenge = v;
    r->nc = 0;
    r->from_cseq = next_cseq; /* the resent request's */
    return SB_AUTH_RESEND;
}

bool sb__auth_challenged(sb_ua *e, sb_call *c, sb_txn *t, const sb_msg *m, uint64_t now) {
    bool challenge = m->status == 401 || m->status == 407;
    if (challenge && t->purpose != SB_PURPOSE_INVITE && t->purpose != SB_PURPOSE_REINVITE &&
        t->purpose != SB_PURPOSE_UPDATE && t->purpose != SB_PURPOSE_BYE)
        return false; /* CANCEL is never resent with credentials (§22.1) */
    bool answerable = !(t->purpose == SB_PURPOSE_INVITE && (c->cancel_wanted || c->cancel_sent));
    switch (sb__auth_challenge(e, sb__ident(e, c->ident), &c->auth, m, t->cseq,
                               c->dlg.local_cseq + 1, answerable, &c->stats.auth_challenges)) {
    case SB_AUTH_REFUSED:
        return refused(e, c, t, m, now);
    case SB_AUTH_RESEND:
        return resend(e, c, t, now) == 0;
    default:
        return false;
    }
}
