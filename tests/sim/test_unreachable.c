/* Unreachable far ends and retransmissions on the virtual clock: ICMP errors given to the engine
 * (sb_engine_unreachable, as the shell does from the socket's error queue) end the transactions
 * waiting on that destination at once (RFC 3261 §18.4, §17.1.1.2, §17.1.2.2) and count as a 503
 * (§8.1.3.1); every retransmission is reported as SB_EV_RETRANSMIT, at the RFC's times. */
#include "simtest.h"

#define ICMP_DEST_UNREACH 3 /* ICMPv4 type */
#define ICMP_PORT_UNREACH 3 /* and code */

/* What the shell does when the error queue says the datagram to dest met an ICMP error. */
static int icmp(sb_sim *sim, int node, const char *dest, uint8_t type, uint8_t code) {
    sb_addr a = st_addr(dest);
    int hit = sb_engine_unreachable(sb_sim_engine(sim, node), &a, type, code, sb_sim_now(sim));
    sb_sim_drain(sim);
    return hit;
}

/* A UAC alone: nothing listens at UAS_ADDR, so every INVITE is lost. */
static sb_sim *lone_uac(int *uac) {
    sb_sim *sim = st_new(1);
    sb_config c = st_config(UAC_ADDR, 7);
    *uac = st_spawn(sim, &c);
    return sim;
}

/* The INVITE at 0 meets "port unreachable" at 3: the call ends at 3, not at Timer B (32 s),
 * with the new end reason, a failed result, 503 and the ICMP type and code in the record. */
static void test_invite_unreachable_ends_at_once(void **state) {
    (void)state;
    int uac;
    sb_sim *sim = lone_uac(&uac);
    st_call(sim, uac, 1000);
    sb_sim_run_until(sim, 3);
    assert_int_equal(icmp(sim, uac, UAS_ADDR, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH), 1);
    const sb_call_stats *s = st_ended(sim, uac, 0);
    assert_int_equal(st_ended_at(sim, uac, 0), 3);
    assert_int_equal(s->result, SB_RESULT_FAILED);
    assert_int_equal(s->end_reason, SB_END_UNREACHABLE);
    assert_string_equal(sb_end_reason_name(s->end_reason), "unreachable");
    assert_int_equal(s->final_status_code, 503);
    assert_string_equal(s->final_reason_phrase, "ICMP port unreachable");
    assert_int_equal(s->icmp_type, 3);
    assert_int_equal(s->icmp_code, 3);
    assert_false(s->ended_by_remote);
    assert_int_equal(s->answer_ms, 0);
    /* The transaction is gone: no retransmission at T1, no CANCEL, nothing left behind. */
    assert_true(sb_sim_run_idle(sim, 100000));
    st_expect_sends(sim, uac, "INVITE", NULL, (uint64_t[]){0}, 1);
    assert_int_equal(sb_sim_count_sent(sim, uac, "CANCEL", NULL), 0);
    assert_int_equal(sb_sim_count_events(sim, uac, SB_EV_CALL_ENDED), 1);
    st_expect_no_leaks(sim, uac);
    st_free(sim);
}

/* An error about another address or port touches nothing: the INVITE goes on to Timer B. */
static void test_other_destination_untouched(void **state) {
    (void)state;
    int uac;
    sb_sim *sim = lone_uac(&uac);
    st_call(sim, uac, 1000);
    sb_sim_run_until(sim, 3);
    assert_int_equal(icmp(sim, uac, "127.0.0.2:5061", ICMP_DEST_UNREACH, ICMP_PORT_UNREACH), 0);
    assert_int_equal(icmp(sim, uac, "127.0.0.3:5060", ICMP_DEST_UNREACH, ICMP_PORT_UNREACH), 0);
    assert_true(sb_sim_run_idle(sim, 100000));
    const sb_call_stats *s = st_ended(sim, uac, 0);
    assert_int_equal(st_ended_at(sim, uac, 0), 64 * 500);
    assert_int_equal(s->end_reason, SB_END_INVITE_TIMEOUT);
    assert_int_equal(s->icmp_type, 0);
    assert_int_equal(s->icmp_code, 0);
    st_expect_no_leaks(sim, uac);
    st_free(sim);
}

/* Three calls to the dead address and one elsewhere: one error ends the three at once, each
 * with its own record; the fourth call is not touched. Any ICMPv4 unreachable code names
 * itself in the reason phrase (here 1, host unreachable). */
static void test_every_call_to_the_destination(void **state) {
    (void)state;
    int uac;
    sb_sim *sim = lone_uac(&uac);
    for (uint64_t t = 0; t < 3; t++) {
        sb_sim_run_until(sim, t);
        st_call(sim, uac, 1000);
    }
    sb_call_opts other = st_opts(1000);
    other.target_uri = "sip:service@127.0.0.9:5060";
    other.dest = st_addr("127.0.0.9:5060");
    uint32_t elsewhere = st_call_opts(sim, uac, &other);
    sb_sim_run_until(sim, 10);
    assert_int_equal(icmp(sim, uac, UAS_ADDR, ICMP_DEST_UNREACH, 1), 3);
    assert_int_equal(sb_sim_count_events(sim, uac, SB_EV_CALL_ENDED), 3);
    for (int i = 0; i < 3; i++) {
        const sb_call_stats *s = st_ended(sim, uac, i);
        assert_int_equal(st_ended_at(sim, uac, i), 10);
        assert_int_equal(s->end_reason, SB_END_UNREACHABLE);
        assert_string_equal(s->final_reason_phrase, "ICMP host unreachable");
        assert_int_equal(s->icmp_code, 1);
    }
    const sb_call_stats *live = sb_engine_call_stats(sb_sim_engine(sim, uac), elsewhere);
    assert_non_null(live);
    assert_int_equal(live->result, SB_RESULT_NONE);
    /* A second error for the same address finds nothing left to fail. */
    assert_int_equal(icmp(sim, uac, UAS_ADDR, ICMP_DEST_UNREACH, 1), 0);
    st_free(sim);
}

/* Over IPv6 the type and code are ICMPv6's (1, 4: port unreachable) and the phrase says so. */
static void test_ipv6_port_unreachable(void **state) {
    (void)state;
    sb_sim *sim = st_new(1);
    sb_config c = st_config("[::1]:5060", 7);
    int uac = st_spawn(sim, &c);
    sb_call_opts o = st_opts(1000);
    o.target_uri = "sip:service@[::2]:5060";
    o.dest = st_addr("[::2]:5060");
    st_call_opts(sim, uac, &o);
    sb_sim_run_until(sim, 1);
    assert_int_equal(icmp(sim, uac, "[::2]:5060", 1, 4), 1);
    const sb_call_stats *s = st_ended(sim, uac, 0);
    assert_int_equal(s->end_reason, SB_END_UNREACHABLE);
    assert_string_equal(s->final_reason_phrase, "ICMPv6 port unreachable");
    assert_int_equal(s->icmp_type, 1);
    assert_int_equal(s->icmp_code, 4);
    st_expect_no_leaks(sim, uac);
    st_free(sim);
}

static sb_sim *answered_pair(int *uac, int *uas, const sb_timer_config *timer) {
    sb_config a = st_config(UAC_ADDR, 7), b = st_config(UAS_ADDR, 8);
    if (timer) a.timer = b.timer = *timer;
    sb_sim *sim = st_pair(3, &a, &b, uac, uas);
    return sim;
}

/* Ringing (the UAS rings 10 s), then hung up at 100: INVITE in Proceeding and its CANCEL both
 * wait on the far end, which dies at 100. One error fails both (the CANCEL has nobody to tell),
 * and the call ends as unreachable rather than after the CANCEL's 64*T1. */
static void test_invite_and_cancel_unreachable(void **state) {
    (void)state;
    sb_config a = st_config(UAC_ADDR, 7), b = st_config(UAS_ADDR, 8);
    b.ring_time_ms = 10000;
    int uac, uas;
    sb_sim *sim = st_pair(3, &a, &b, &uac, &uas);
    uint32_t h = st_call(sim, uac, 1000);
    sb_sim_run_until(sim, 100);
    sb_sim_set_link_both(sim, uac, uas, &(sb_link){.down = true});
    assert_int_equal(sb_engine_hangup(sb_sim_engine(sim, uac), h, 100), 0);
    sb_sim_drain(sim);
    st_expect_sends(sim, uac, "CANCEL", NULL, (uint64_t[]){100}, 1);
    assert_int_equal(icmp(sim, uac, UAS_ADDR, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH), 2);
    const sb_call_stats *s = st_ended(sim, uac, 0);
    assert_int_equal(st_ended_at(sim, uac, 0), 100);
    assert_int_equal(s->end_reason, SB_END_UNREACHABLE);
    assert_int_equal(s->final_status_code, 503);
    st_expect_no_leaks(sim, uac);
    sb_sim_run_until(sim, 40000);
    st_expect_sends(sim, uac, "CANCEL", NULL, (uint64_t[]){100}, 1);
    st_free(sim);
}

/* Answered at 2 (1 ms links), the INVITE transaction has its final answer: an error then
 * touches no transaction. The BYE after the 1 s talk time (at 1002) is lost on a dead link,
 * and its ICMP error at 1003 counts as a 503 to the BYE: the call ends at once, as a 503
 * ends it (normally: the far end is gone either way), with the ICMP error in the record. */
static void test_bye_unreachable_is_a_503(void **state) {
    (void)state;
    int uac, uas;
    sb_sim *sim = answered_pair(&uac, &uas, NULL);
    st_call(sim, uac, 1000);
    sb_sim_run_until(sim, 10);
    assert_int_equal(sb_sim_count_events(sim, uac, SB_EV_CALL_ANSWERED), 1);
    assert_int_equal(icmp(sim, uac, UAS_ADDR, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH), 0);
    sb_sim_set_link(sim, uac, uas, &(sb_link){.down = true});
    sb_sim_run_until(sim, 1003);
    st_expect_sends(sim, uac, "BYE", NULL, (uint64_t[]){1002}, 1);
    assert_int_equal(icmp(sim, uac, UAS_ADDR, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH), 1);
    const sb_call_stats *s = st_ended(sim, uac, 0);
    assert_int_equal(st_ended_at(sim, uac, 0), 1003);
    assert_int_equal(s->result, SB_RESULT_ANSWERED);
    assert_int_equal(s->end_reason, SB_END_NORMAL);
    assert_int_equal(s->final_status_code, 200); /* the INVITE's answer, not the BYE's */
    assert_int_equal(s->icmp_type, 3);
    assert_int_equal(s->icmp_code, 3);
    sb_sim_run_until(sim, 40000);
    st_expect_sends(sim, uac, "BYE", NULL, (uint64_t[]){1002}, 1); /* no retransmission */
    st_expect_no_leaks(sim, uac);
    st_free(sim);
}

/* Session timers, SE 90 s, we refresh: t0 = 2 (the 2xx). The UAS dies at 45000 (both links
 * down), and the refresh re-INVITE at 45002 meets an ICMP error. It counts as a 503: REFRESH_FAILED
 * with status 503 at once, no retransmission, and no BYE yet (RFC 4028: only 408/481 and timeouts
 * end the call; a 503 leaves the session until it runs out). At t0 + SE = 90002 the session is
 * given up with a BYE (session_expired), whose own ICMP error ends the call there. */
static void test_refresh_unreachable_is_a_503(void **state) {
    (void)state;
    sb_timer_config t = st_config(UAC_ADDR, 1).timer;
    t.mode = SB_TIMER_SUPPORTED;
    t.se_s = 90;
    t.min_se_s = 90;
    t.refresher = SB_REFRESHER_UAC;
    int uac, uas;
    sb_sim *sim = answered_pair(&uac, &uas, &t);
    st_call(sim, uac, 0);
    sb_sim_run_until(sim, 45000);
    sb_sim_set_link_both(sim, uac, uas, &(sb_link){.down = true});
    sb_sim_run_until(sim, 45002);
    st_expect_sends(sim, uac, "INVITE", NULL, (uint64_t[]){0, 45002}, 2);
    assert_int_equal(icmp(sim, uac, UAS_ADDR, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH), 1);
    const sb_sim_entry *f = sb_sim_event(sim, uac, SB_EV_REFRESH_FAILED, 0);
    assert_non_null(f);
    assert_int_equal(f->at_ms, 45002);
    assert_int_equal(f->status, 503);
    assert_string_equal(f->text, "INVITE");
    const sb_call_stats *live = sb_engine_call_stats(sb_sim_engine(sim, uac), 1);
    assert_non_null(live);
    assert_int_equal(live->session_timer_refresh_failures, 1);
    assert_int_equal(live->icmp_type, 3);
    sb_sim_run_until(sim, 90002);
    st_expect_sends(sim, uac, "INVITE", NULL, (uint64_t[]){0, 45002}, 2);
    st_expect_sends(sim, uac, "BYE", NULL, (uint64_t[]){90002}, 1);
    assert_int_equal(sb_sim_count_events(sim, uac, SB_EV_CALL_ENDED), 0);
    assert_int_equal(icmp(sim, uac, UAS_ADDR, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH), 1);
    const sb_call_stats *s = st_ended(sim, uac, 0);
    assert_int_equal(st_ended_at(sim, uac, 0), 90002);
    assert_int_equal(s->end_reason, SB_END_SESSION_EXPIRED);
    assert_int_equal(s->session_timer_refresh_failures, 1);
    st_expect_no_leaks(sim, uac);
    st_free(sim);
}

/* The address of every RETRANSMIT event, which the simulator's log does not keep. */
typedef struct {
    int node;
    int n;
    sb_addr addr[16];
} retx_addrs;

static void on_event(sb_sim *sim, int node, const sb_event *ev, void *ud) {
    (void)sim;
    retx_addrs *r = ud;
    if (node == r->node && ev->type == SB_EV_RETRANSMIT && r->n < 16) r->addr[r->n++] = ev->addr;
}

/* An INVITE nobody answers: sent again after T1, 2*T1, 4*T1... (Timer A, §17.1.1.2), so at
 * 500, 1500, 3500, 7500, 15500, 31500, and each time a RETRANSMIT event says which request,
 * to where and how many times so far, just before the copy goes out. */
static void test_retransmit_events_follow_timer_a(void **state) {
    (void)state;
    int uac;
    sb_sim *sim = lone_uac(&uac);
    retx_addrs r = {.node = uac};
    sb_sim_set_event_cb(sim, on_event, &r);
    uint32_t h = st_call(sim, uac, 1000);
    assert_true(sb_sim_run_idle(sim, 100000));
    static const uint64_t at[] = {500, 1500, 3500, 7500, 15500, 31500};
    assert_int_equal(sb_sim_count_events(sim, uac, SB_EV_RETRANSMIT), 6);
    st_expect_sends(sim, uac, "INVITE", NULL, (uint64_t[]){0, 500, 1500, 3500, 7500, 15500, 31500},
                    7);
    sb_addr dest = st_addr(UAS_ADDR);
    for (int i = 0; i < 6; i++) {
        const sb_sim_entry *en = sb_sim_event(sim, uac, SB_EV_RETRANSMIT, i);
        assert_int_equal(en->at_ms, at[i]);
        assert_int_equal(en->call, h);
        assert_string_equal(en->text, "INVITE");
        assert_int_equal(en->status, 0);
        assert_int_equal(en->value, (uint64_t)i + 1);
        assert_true(sb_addr_equal(&r.addr[i], &dest));
    }
    sb_engine_stats es;
    sb_engine_get_stats(sb_sim_engine(sim, uac), &es);
    assert_int_equal(es.retransmissions, 6);
    assert_int_equal(st_ended(sim, uac, 0)->end_reason, SB_END_INVITE_TIMEOUT);
    st_free(sim);
}

/* The UAS's 2xx is never ACKed (the UAC's ACKs are lost): the dialog sends it again after T1,
 * doubling to T2 (§13.3.1.4), and reports each one as RETRANSMIT "2xx" with status 200. The
 * 200 goes out at 1: copies at 501, 1501, 3501, 7501, 11501. */
static void test_retransmit_events_for_the_uas_2xx(void **state) {
    (void)state;
    int uac, uas;
    sb_sim *sim = answered_pair(&uac, &uas, NULL);
    retx_addrs r = {.node = uas};
    sb_sim_set_event_cb(sim, on_event, &r);
    st_call(sim, uac, 60000);
    sb_sim_run_until(sim, 1);
    sb_sim_set_link(sim, uac, uas, &(sb_link){.down = true});
    sb_sim_run_until(sim, 12000);
    static const uint64_t at[] = {501, 1501, 3501, 7501, 11501};
    assert_int_equal(sb_sim_count_events(sim, uas, SB_EV_RETRANSMIT), 5);
    sb_addr caller = st_addr(UAC_ADDR);
    for (int i = 0; i < 5; i++) {
        const sb_sim_entry *en = sb_sim_event(sim, uas, SB_EV_RETRANSMIT, i);
        assert_int_equal(en->at_ms, at[i]);
        assert_string_equal(en->text, "2xx");
        assert_int_equal(en->status, 200);
        assert_int_equal(en->value, (uint64_t)i + 1);
        assert_true(sb_addr_equal(&r.addr[i], &caller));
    }
    st_free(sim);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        st_test(test_invite_unreachable_ends_at_once),
        st_test(test_other_destination_untouched),
        st_test(test_every_call_to_the_destination),
        st_test(test_ipv6_port_unreachable),
        st_test(test_invite_and_cancel_unreachable),
        st_test(test_bye_unreachable_is_a_503),
        st_test(test_refresh_unreachable_is_a_503),
        st_test(test_retransmit_events_follow_timer_a),
        st_test(test_retransmit_events_for_the_uas_2xx),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
