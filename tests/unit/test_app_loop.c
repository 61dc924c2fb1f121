/* Unit tests for the ICMP handling of src/net/loop.c, on real loopback sockets: an INVITE to a
 * port where nothing listens ends as unreachable as soon as the kernel's ICMP error is read, and
 * the pending socket error that the ICMP error leaves does not cost the next datagram to a live
 * peer (it would be lost, and retransmitted only after T1). No protocol timer is waited for:
 * each run stops when its calls have ended, with a 5 s guard against a hang. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "net/loop.h"

#include <stdio.h>
#include <string.h>

#define GUARD_MS 5000

typedef struct {
    sb_loop *loop;
    sb_engine *uac;
    const char *host;   /* "127.0.0.1" or "[::1]": every socket of the run */
    sb_addr dead, live; /* where the calls go */
    bool with_live;     /* also place a call to the live peer, right after the dead one */
    bool started;
    uint64_t deadline_ms;
    bool timed_out;
    int ended, want_ended;
    sb_call_stats st[2]; /* UAC records, in the order the calls ended */
    sb_loop_stats loop_stats;
    uint64_t retransmissions; /* by the UAC */
} run;

static void on_event(void *ctx, int ep, const sb_event *ev) {
    run *r = ctx;
    if (ev->type != SB_EV_CALL_ENDED || !ev->stats || sb_loop_engine(r->loop, ep) != r->uac) return;
    if (r->ended < 2) r->st[r->ended] = *ev->stats;
    if (++r->ended == r->want_ended) sb_loop_stop(r->loop);
}

static void place(run *r, const sb_addr *dest, uint32_t duration_ms, uint64_t now) {
    char uri[64];
    snprintf(uri, sizeof uri, "sip:svc@%s", r->host);
    sb_call_opts o;
    memset(&o, 0, sizeof o);
    o.target_uri = uri;
    o.dest = *dest;
    o.duration_ms = duration_ms;
    assert_int_equal(sb_engine_call(r->uac, &o, now, NULL), 0);
}

static uint64_t on_pass(void *ctx, uint64_t now) {
    run *r = ctx;
    if (!r->started) {
        r->started = true;
        r->deadline_ms = now + GUARD_MS;
        /* Both INVITEs go out in the same pass, the dead one first: the second sendmsg is the
         * one the dead port's ICMP error would make fail. */
        place(r, &r->dead, 0, now);
        if (r->with_live) place(r, &r->live, 50, now);
    }
    if (now >= r->deadline_ms) {
        r->timed_out = true;
        sb_loop_stop(r->loop);
        return SB_NEVER;
    }
    return r->deadline_ms;
}

/* A port that is free now: bound, read back, closed. */
static sb_addr free_addr(const char *host) {
    sb_loop *l;
    assert_int_equal(sb_loop_new(&l, NULL), 0);
    sb_addr a, bound;
    assert_int_equal(sb_addr_parse(&a, host, strlen(host), 0), 0);
    char err[160];
    assert_true(sb_loop_bind(l, &a, &bound, err, sizeof err) >= 0);
    sb_loop_free(l);
    return bound;
}

static sb_engine *engine_at(sb_loop *l, const char *host, int *ep) {
    sb_addr a;
    assert_int_equal(sb_addr_parse(&a, host, strlen(host), 0), 0);
    sb_config cfg;
    sb_config_init(&cfg);
    char err[160];
    *ep = sb_loop_bind(l, &a, &cfg.local, err, sizeof err);
    assert_true(*ep >= 0);
    sb_engine *e = sb_engine_new(&cfg, sb_loop_now(l));
    assert_non_null(e);
    assert_int_equal(sb_loop_attach(l, *ep, e), 0);
    return e;
}

static void run_calls(run *r, const char *host) {
    r->host = host;
    sb_loop_hooks h = {.ctx = r, .on_event = on_event, .on_pass = on_pass};
    assert_int_equal(sb_loop_new(&r->loop, &h), 0);
    int ep_uac, ep_uas = -1;
    r->uac = engine_at(r->loop, host, &ep_uac);
    sb_engine *uas = NULL;
    if (r->with_live) {
        uas = engine_at(r->loop, host, &ep_uas);
        r->live = *sb_loop_local(r->loop, ep_uas);
    }
    sb_loop_run(r->loop);
    sb_loop_get_stats(r->loop, &r->loop_stats);
    sb_engine_stats es;
    sb_engine_get_stats(r->uac, &es);
    r->retransmissions = es.retransmissions;
    sb_loop_free(r->loop);
    sb_engine_free(r->uac);
    sb_engine_free(uas);
}

static void dead_port_is_unreachable(void **state) {
    (void)state;
    run r;
    memset(&r, 0, sizeof r);
    r.dead = free_addr("127.0.0.1");
    r.want_ended = 1;
    run_calls(&r, "127.0.0.1");
    assert_false(r.timed_out);
    assert_int_equal(r.st[0].end_reason, SB_END_UNREACHABLE);
    assert_int_equal(r.st[0].result, SB_RESULT_FAILED);
    assert_int_equal(r.st[0].icmp_type, 3); /* ICMP destination unreachable */
    assert_int_equal(r.st[0].icmp_code, 3); /* port unreachable */
    assert_string_equal(r.st[0].final_reason_phrase, "ICMP port unreachable");
    /* Long before T1: nothing was retransmitted. */
    assert_true(r.st[0].end_ms - r.st[0].start_ms < 500);
    assert_int_equal(r.retransmissions, 0);
    assert_int_equal(r.loop_stats.recv_errors, 0); /* the ICMP error is no receive error */
}

static void dead_port_is_unreachable_v6(void **state) {
    (void)state;
    run r;
    memset(&r, 0, sizeof r);
    r.dead = free_addr("[::1]");
    r.want_ended = 1;
    run_calls(&r, "[::1]");
    assert_false(r.timed_out);
    assert_int_equal(r.st[0].end_reason, SB_END_UNREACHABLE);
    assert_int_equal(r.st[0].icmp_type, 1); /* ICMPv6 destination unreachable */
    assert_int_equal(r.st[0].icmp_code, 4); /* port unreachable */
    assert_string_equal(r.st[0].final_reason_phrase, "ICMPv6 port unreachable");
}

/* The live call is answered on its first INVITE although the dead port's ICMP error was
 * pending when it was sent: no retransmission, no send error, setup well below T1. */
static void pending_error_costs_no_datagram(void **state) {
    (void)state;
    run r;
    memset(&r, 0, sizeof r);
    r.dead = free_addr("127.0.0.1");
    r.with_live = true;
    r.want_ended = 2;
    run_calls(&r, "127.0.0.1");
    assert_false(r.timed_out);
    const sb_call_stats *dead = r.st[0].end_reason == SB_END_UNREACHABLE ? &r.st[0] : &r.st[1];
    const sb_call_stats *live = dead == &r.st[0] ? &r.st[1] : &r.st[0];
    assert_int_equal(dead->end_reason, SB_END_UNREACHABLE);
    assert_int_equal(live->result, SB_RESULT_ANSWERED);
    assert_int_equal(live->end_reason, SB_END_NORMAL);
    assert_true(live->answer_ms - live->start_ms < 500);
    assert_int_equal(r.retransmissions, 0);
    assert_int_equal(r.loop_stats.send_errors, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dead_port_is_unreachable),
        cmocka_unit_test(dead_port_is_unreachable_v6),
        cmocka_unit_test(pending_error_costs_no_datagram),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
