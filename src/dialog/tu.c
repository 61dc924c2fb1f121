/* The transaction user: where the transaction layer's reports (txn/txn.h ops) reach the
 * dialogs. Each report finds its call through the transaction's user pointer and goes to the
 * verb that started the transaction (t->purpose). A REGISTER transaction's user is a
 * registration instead (dialog/register.c), which gets its reports directly. */
#include "dialog/ua.h"

#include <stdio.h>
#include <string.h>

static void on_response(sb_txn *t, const sb_msg *m, uint64_t now) {
    if (t->user && t->purpose == SB_PURPOSE_REGISTER) {
        sb__reg_response(t->user, t, m, now);
        return;
    }
    sb_call *c = t->user;
    if (!c) return;
    sb_ua *e = c->eng;
    if (m->status >= 200 && sb__auth_challenged(e, c, t, m, now)) return;
    switch (t->purpose) {
    case SB_PURPOSE_INVITE:
        sb__uac_invite_response(e, c, t, m, now);
        break;
    case SB_PURPOSE_REINVITE:
    case SB_PURPOSE_UPDATE:
        sb__session_response(e, c, t, m, now);
        break;
    case SB_PURPOSE_BYE:
        if (m->status >= 200) sb__bye_done(e, c, m->status, now);
        break;
    default:
        break;
    }
}

static void on_timeout(sb_txn *t, uint64_t now) {
    if (t->user && t->purpose == SB_PURPOSE_REGISTER) {
        sb__reg_timeout(t->user, t, 0, now);
        return;
    }
    sb_call *c = t->user;
    if (!c) return;
    sb_ua *e = c->eng;
    switch (t->purpose) {
    case SB_PURPOSE_INVITE:
        c->inv_txn = NULL;
        if (c->state == SB_CS_ENDING && c->stats.end_reason == SB_END_INVITE_TIMEOUT)
            sb__call_end(e, c, SB_RESULT_TIMEOUT, SB_END_INVITE_TIMEOUT, false, now);
        else if (c->state == SB_CS_ENDING)
            sb__call_end(e, c, SB_RESULT_CANCELLED, SB_END_CANCELLED, false, now);
        else
            sb__call_end(e, c, SB_RESULT_TIMEOUT, SB_END_INVITE_TIMEOUT, false, now);
        break;
    case SB_PURPOSE_REINVITE:
        c->inv_txn = NULL;
        if (sb__oa_offering(c)) {
            sb__oa_roll_back(c);
            sb__send_bye(e, c, SB_END_REFRESH_FAILED, now);
        } else {
            sb__st_refresh_failed(e, c, t, NULL, 0, now);
        }
        break;
    case SB_PURPOSE_UPDATE:
        c->upd_outstanding = 0;
        sb__st_refresh_failed(e, c, t, NULL, 0, now);
        break;
    case SB_PURPOSE_BYE:
        sb__bye_done(e, c, 0, now);
        break;
    default:
        break;
    }
}

/* The reason phrase of an unreachable call's record: what the ICMP error said. */
static void icmp_phrase(const sb_addr *dest, uint8_t type, uint8_t code, char *out, size_t cap) {
    const char *what = NULL;
    if (dest->family == 6) {
        static const char *const v6[] = {"no route",
                                         "administratively prohibited",
                                         NULL,
                                         "address unreachable",
                                         "port unreachable",
                                         "source address failed policy",
                                         "reject route"};
        if (type == 1 && code < sizeof v6 / sizeof v6[0]) what = v6[code];
    } else if (type == 3) {
        static const char *const v4[] = {"net unreachable", "host unreachable",
                                         "protocol unreachable", "port unreachable"};
        if (code < sizeof v4 / sizeof v4[0])
            what = v4[code];
        else if (code == 9 || code == 10 || code == 13)
            what = "administratively prohibited";
    }
    const char *proto = dest->family == 6 ? "ICMPv6" : "ICMP";
    if (what)
        snprintf(out, cap, "%s %s", proto, what);
    else
        snprintf(out, cap, "%s type %u code %u", proto, type, code);
}

static void on_transport_error(sb_txn *t, uint8_t icmp_type, uint8_t icmp_code, uint64_t now) {
    if (t->user && t->purpose == SB_PURPOSE_REGISTER) { /* as a 503 received (§8.1.3.1) */
        sb__reg_timeout(t->user, t, 503, now);
        return;
    }
    sb_call *c = t->user;
    if (!c) return;
    sb_ua *e = c->eng;
    c->stats.icmp_type = icmp_type;
    c->stats.icmp_code = icmp_code;
    char phrase[40];
    icmp_phrase(&t->peer, icmp_type, icmp_code, phrase, sizeof phrase);
    switch (t->purpose) {
    case SB_PURPOSE_INVITE:
        /* Its own end reason rather than `rejected`: nobody answered; the far end is not there.
         * The status is the 503 of §8.1.3.1, the phrase says what really happened. */
        c->inv_txn = NULL;
        sb__set_final(e, c, 503, phrase, strlen(phrase));
        sb__call_end(e, c, SB_RESULT_FAILED, SB_END_UNREACHABLE, false, now);
        break;
    case SB_PURPOSE_REINVITE:
    case SB_PURPOSE_UPDATE:
    case SB_PURPOSE_BYE: {
        /* §8.1.3.1: handled as a 503 received, through the paths a real one takes. This one
         * has no header lines, so no Retry-After: a refresh is not retried. */
        sb_msg m;
        memset(&m, 0, sizeof m);
        m.status = 503;
        m.reason = (sb_slice){phrase, strlen(phrase)};
        m.method = m.cseq_method = (sb_method)t->method;
        m.cseq = t->cseq;
        on_response(t, &m, now);
        break;
    }
    default: /* CANCEL: the INVITE it cancels gets the same error and ends the call */
        break;
    }
}

static void on_gone(sb_txn *t) {
    if (t->user && t->purpose == SB_PURPOSE_REGISTER) {
        sb__reg_gone(t->user, t);
        return;
    }
    sb_call *c = t->user;
    if (!c) return;
    if (c->inv_txn == t) c->inv_txn = NULL;
    if (c->srv_inv == t) c->srv_inv = NULL;
}

/* The retransmission of a transaction's message, on the event log (SB_EV_RETRANSMIT). */
static void on_retransmit(sb_txn *t, uint64_t now) {
    (void)now;
    /* NULL for an orphan, and a registration's: reported without a call */
    sb_call *c = t->purpose == SB_PURPOSE_REGISTER ? NULL : t->user;
    sb_ua *e = t->ctx->tu_ctx;
    /* A client resends its request; a server resends its last response, named by its code. */
    bool server = t->kind == SB_IST || t->kind == SB_NIST;
    sb_qev *q = sb__emit(e, SB_EV_RETRANSMIT, c, server ? t->last_status : 0, t->retransmits,
                         sb_method_name((sb_method)t->method));
    if (q) q->ev.addr = t->peer;
}

const sb_txn_ops sb__dialog_tu = {
    .on_response = on_response,
    .on_timeout = on_timeout,
    .on_transport_error = on_transport_error,
    .on_retransmit = on_retransmit,
    .on_gone = on_gone,
};

size_t sb__calls_unreachable(sb_ua *e, const sb_addr *dest, uint8_t icmp_type, uint8_t icmp_code,
                             uint64_t now) {
    /* The error is about datagrams sent before it arrived: a request the TU sends in reaction
     * (a newer seq) gets an ICMP error of its own if its destination is still dead, and this
     * bound keeps the walk from chasing its own tail. */
    uint64_t newest = e->txn.seq;
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
            while (t && (t->seq > newest || !sb_txn_waits_on(t, dest)))
                t = t->user_next;
            if (!t) break;
            hit++;
            sb_txn_transport_error(t, icmp_type, icmp_code, now);
            if (!sb__call_by_handle(e, handle)) break; /* the error ended the call */
        }
    }
    return hit;
}
