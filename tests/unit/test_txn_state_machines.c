/* The RFC 3261 §17 transaction layer alone (links sb_txn and the layers below it, nothing
 * above): a recording transaction user, a heap run by hand on a virtual clock, and the output
 * queue read back. Exact times for Timers A, B, E, F, G, H, I, K and the RFC 6026 states. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "txn/txn.h"

#include <string.h>

/* What the TU was told, in order. */
typedef struct {
    char kind;   /* 'r' response, 't' timeout, 'e' transport error, 'x' retransmit, 'g' gone */
    int status;  /* response status */
    uint64_t at; /* when */
} tu_call;

static tu_call log_[64];
static int nlog;
static uint64_t clock_ms;

static void note(char kind, int status) {
    assert_true(nlog < 64);
    log_[nlog++] = (tu_call){kind, status, clock_ms};
}
static void on_response(sb_txn *t, const sb_msg *m, uint64_t now) {
    (void)t;
    (void)now;
    note('r', m->status);
}
static void on_timeout(sb_txn *t, uint64_t now) {
    (void)t;
    (void)now;
    note('t', 0);
}
static void on_transport_error(sb_txn *t, uint8_t type, uint8_t code, uint64_t now) {
    (void)t;
    (void)now;
    note('e', type * 100 + code);
}
static void on_retransmit(sb_txn *t, uint64_t now) {
    (void)t;
    (void)now;
    note('x', 0);
}
static void on_gone(sb_txn *t) {
    (void)t;
    note('g', 0);
}
static const sb_txn_ops ops = {on_response, on_timeout, on_transport_error, on_retransmit, on_gone};

typedef struct {
    sb_heap heap;
    sb_out out;
    sb_txn_ctx x;
    sb_addr peer;
    int tu; /* the TU's user object: only its address matters */
    sb_txn *list;
    uint64_t sent_at[64];
    int nsent;
} rig;

static void rig_init(rig *r) {
    memset(r, 0, sizeof *r);
    nlog = 0;
    clock_ms = 0;
    sb_heap_init(&r->heap);
    r->x = (sb_txn_ctx){.heap = &r->heap,
                        .lane_64t1 = sb_heap_lane(&r->heap, 32000),
                        .lane_t4 = sb_heap_lane(&r->heap, 5000),
                        .lane_d = sb_heap_lane(&r->heap, 32000),
                        .t1_ms = 500,
                        .t2_ms = 4000,
                        .max_txns = 10,
                        .out = &r->out,
                        .tu = &ops};
    sb_txn_ctx_init(&r->x);
    assert_int_equal(sb_addr_parse(&r->peer, "127.0.0.2:5060", 14, 5060), 0);
}

/* Drains the output queue, noting when each datagram went out. */
static void drain(rig *r) {
    const sb_event *ev;
    while ((ev = sb_out_next(&r->out)) != NULL) {
        assert_int_equal(ev->type, SB_EV_SEND);
        assert_true(r->nsent < 64);
        r->sent_at[r->nsent++] = ev->at_ms;
    }
}

static void run_until(rig *r, uint64_t t) {
    for (;;) {
        uint64_t d = sb_heap_next_deadline(&r->heap);
        if (d == SB_NEVER || d > t) break;
        clock_ms = r->out.now = d;
        sb_heap_run(&r->heap, d);
        drain(r);
    }
    clock_ms = r->out.now = t;
}

static void rig_free(rig *r) {
    sb_txn_ctx_free(&r->x);
    sb_heap_free(&r->heap);
    sb_out_free(&r->out);
}

static const char invite[] = "INVITE sip:a@127.0.0.2 SIP/2.0\r\n"
                             "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKt1\r\n"
                             "From: <sip:b@127.0.0.1>;tag=f\r\nTo: <sip:a@127.0.0.2>\r\n"
                             "Call-ID: c1\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
                             "Content-Length: 0\r\n\r\n";

static sb_msg response(const char *text) {
    sb_msg m;
    assert_true(sb_msg_parse(&m, text, strlen(text), true) > 0);
    return m;
}

static sb_txn *start(rig *r, sb_method method, const char *msg) {
    sb_purpose why = method == SB_METHOD_INVITE ? SB_PURPOSE_INVITE : SB_PURPOSE_BYE;
    sb_txn *t = sb_txn_client_start(&r->x, &r->tu, &r->list, method, why, &r->peer, "z9hG4bKt1", 1,
                                    msg, strlen(msg), 0);
    assert_non_null(t);
    drain(r);
    return t;
}

/* Timer A: INVITE resent at 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s (T1 doubling, no cap); Timer B
 * at 32 s tells the TU once, and the transaction is gone. */
static void ict_timer_a_and_b(void **state) {
    (void)state;
    rig r;
    rig_init(&r);
    start(&r, SB_METHOD_INVITE, invite);
    run_until(&r, 40000);
    const uint64_t want[] = {0, 500, 1500, 3500, 7500, 15500, 31500};
    assert_int_equal(r.nsent, 7);
    for (int i = 0; i < 7; i++)
        assert_int_equal(r.sent_at[i], want[i]);
    assert_int_equal(r.x.retransmissions, 6);
    assert_int_equal(log_[nlog - 2].kind, 't');
    assert_int_equal(log_[nlog - 2].at, 32000);
    assert_int_equal(log_[nlog - 1].kind, 'g');
    assert_int_equal(r.x.live, 0);
    assert_null(r.list);
    rig_free(&r);
}

/* A 486 is ACKed by the transaction on the INVITE's branch (§17.1.1.3), again for each copy of
 * it, and the TU hears of it once; Timer D (32 s) then ends it. */
static void ict_non_2xx_acked_here(void **state) {
    (void)state;
    rig r;
    rig_init(&r);
    sb_txn *t = start(&r, SB_METHOD_INVITE, invite);
    static const char busy[] = "SIP/2.0 486 Busy Here\r\n"
                               "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKt1\r\n"
                               "From: <sip:b@127.0.0.1>;tag=f\r\nTo: <sip:a@127.0.0.2>;tag=x\r\n"
                               "Call-ID: c1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
    run_until(&r, 100);
    sb_msg m = response(busy);
    sb_txn_client_recv(t, &m, 100);
    sb_txn_client_recv(t, &m, 200);
    drain(&r);
    assert_int_equal(r.nsent, 3); /* the INVITE, then one ACK per 486 */
    assert_int_equal(t->state, SB_TS_COMPLETED);
    assert_int_equal(nlog, 1);
    assert_int_equal(log_[0].kind, 'r');
    assert_int_equal(log_[0].status, 486);
    run_until(&r, 32099);
    assert_int_equal(r.x.live, 1);
    run_until(&r, 32100);
    assert_int_equal(r.x.live, 0);
    rig_free(&r);
}

/* RFC 6026: a 2xx moves the INVITE client transaction to Accepted, where further 2xx still
 * reach the TU (it ACKs them itself), for Timer M (64*T1). */
static void ict_accepted_passes_2xx_up(void **state) {
    (void)state;
    rig r;
    rig_init(&r);
    sb_txn *t = start(&r, SB_METHOD_INVITE, invite);
    static const char ok[] =
        "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKt1\r\n"
        "From: <sip:b@127.0.0.1>;tag=f\r\nTo: <sip:a@127.0.0.2>;tag=x\r\n"
        "Call-ID: c1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
    sb_msg m = response(ok);
    sb_txn_client_recv(t, &m, 10);
    sb_txn_client_recv(t, &m, 510);
    assert_int_equal(t->state, SB_TS_ACCEPTED);
    assert_int_equal(nlog, 2);
    run_until(&r, 40000);
    assert_int_equal(r.nsent, 1); /* no retransmission, no ACK from the transaction */
    assert_int_equal(r.x.live, 0);
    rig_free(&r);
}

/* Timer E: a BYE resent at 0.5, 1.5, 3.5, then every T2 = 4 s (7.5, 11.5, ... 31.5); Timer F
 * at 32 s. */
static void nict_timer_e_capped_at_t2(void **state) {
    (void)state;
    rig r;
    rig_init(&r);
    start(&r, SB_METHOD_BYE, invite);
    run_until(&r, 33000);
    const uint64_t want[] = {0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500};
    assert_int_equal(r.nsent, 11);
    for (int i = 0; i < 11; i++)
        assert_int_equal(r.sent_at[i], want[i]);
    assert_int_equal(log_[nlog - 2].kind, 't');
    assert_int_equal(log_[nlog - 2].at, 32000);
    rig_free(&r);
}

/* Timer G: a 486 from an INVITE server transaction is resent at T1 doubling capped at T2 until
 * the ACK, which moves it to Confirmed; Timer I (T4 = 5 s) then ends it. The orphan (no TU)
 * reports its retransmissions all the same. */
static void ist_timer_g_until_ack(void **state) {
    (void)state;
    rig r;
    rig_init(&r);
    sb_msg req;
    assert_true(sb_msg_parse(&req, invite, strlen(invite), true) > 0);
    sb_txn *t =
        sb_txn_server_new(&r.x, &req, invite, strlen(invite), &r.peer, sb_txn_sent_by(&req), 0);
    assert_non_null(t);
    static const char busy[] = "SIP/2.0 486 Busy Here\r\n\r\n";
    sb_txn_respond(t, 486, busy, strlen(busy), 0);
    drain(&r);
    run_until(&r, 7600);
    const uint64_t want[] = {0, 500, 1500, 3500, 7500};
    assert_int_equal(r.nsent, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(r.sent_at[i], want[i]);
    static const char ack[] = "ACK sip:a@127.0.0.2 SIP/2.0\r\n"
                              "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKt1\r\n"
                              "From: <sip:b@127.0.0.1>;tag=f\r\nTo: <sip:a@127.0.0.2>;tag=x\r\n"
                              "Call-ID: c1\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n";
    sb_msg a;
    assert_true(sb_msg_parse(&a, ack, strlen(ack), true) > 0);
    assert_ptr_equal(sb_txn_find(&r.x, a.branch, SB_METHOD_ACK, sb_txn_sent_by(&a), true), t);
    sb_txn_server_recv(t, &a, 8000);
    assert_int_equal(t->state, SB_TS_CONFIRMED);
    run_until(&r, 12999);
    assert_int_equal(r.x.live, 1);
    run_until(&r, 13000);
    assert_int_equal(r.x.live, 0);
    assert_int_equal(r.nsent, 5); /* nothing after the ACK */
    assert_int_equal(log_[0].kind, 'x');
    rig_free(&r);
}

/* A transport error ends a waiting client transaction at once: the TU hears it, then gone. */
static void transport_error_ends_it(void **state) {
    (void)state;
    rig r;
    rig_init(&r);
    sb_txn *t = start(&r, SB_METHOD_INVITE, invite);
    assert_true(sb_txn_waits_on(t, &r.peer));
    sb_txn_transport_error(t, 3, 3, 5);
    assert_int_equal(nlog, 2);
    assert_int_equal(log_[0].kind, 'e');
    assert_int_equal(log_[0].status, 303);
    assert_int_equal(log_[1].kind, 'g');
    assert_int_equal(r.x.live, 0);
    assert_null(r.list);
    rig_free(&r);
}

/* The TU may let its transactions go; an INVITE in Proceeding, which has no timer of its own,
 * then gets 64*T1 to finish. */
static void orphan_in_proceeding_gets_64t1(void **state) {
    (void)state;
    rig r;
    rig_init(&r);
    sb_txn *t = start(&r, SB_METHOD_INVITE, invite);
    static const char trying[] = "SIP/2.0 100 Trying\r\n"
                                 "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKt1\r\n"
                                 "From: <sip:b@127.0.0.1>;tag=f\r\nTo: <sip:a@127.0.0.2>\r\n"
                                 "Call-ID: c1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
    sb_msg m = response(trying);
    sb_txn_client_recv(t, &m, 10); /* Proceeding: the initial INVITE's Timer B is off */
    sb_txn_orphan_all(&r.list, 1000);
    assert_null(t->user);
    run_until(&r, 32999);
    assert_int_equal(r.x.live, 1);
    run_until(&r, 33000);
    assert_int_equal(r.x.live, 0);
    rig_free(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ict_timer_a_and_b),
        cmocka_unit_test(ict_non_2xx_acked_here),
        cmocka_unit_test(ict_accepted_passes_2xx_up),
        cmocka_unit_test(nict_timer_e_capped_at_t2),
        cmocka_unit_test(ist_timer_g_until_ack),
        cmocka_unit_test(transport_error_ends_it),
        cmocka_unit_test(orphan_in_proceeding_gets_64t1),
    };
    return cmocka_run_group_tests_name("txn", tests, NULL, NULL);
}
