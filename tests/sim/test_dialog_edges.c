/* Dialog edge cases found in review, each with a scripted peer: CANCEL after 100, a CANCEL the
 * peer never answers, a re-INVITE stuck in Proceeding, a UAS hangup before the ACK, and a
 * request too large to answer. RFC 3261 sections in each comment. */
#include "scripted_peer.h"

/* §9.1: CANCEL may follow any provisional, 100 included: INVITE at 0, 100 at 5, hangup at
 * 1000 -> CANCEL at 1000; the 487 ends the call as cancelled. */
static void test_cancel_after_100(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_OFF, 0, SB_REFRESHER_UAC);
    sp_t *p = sp_new(&c);
    sp_call(p, 0);
    const sp_msg *inv = sp_must(p, "INVITE", NULL, 0);
    sp_reply_tag(p, 5, inv, "100 Trying", NULL, NULL, NULL);
    sp_at(p, 1000);
    assert_int_equal(sb_engine_hangup(p->e, p->handle, 1000), 0);
    sp_drain(p);
    sp_expect_times(p, "CANCEL", NULL, (uint64_t[]){1000}, 1);
    sp_reply(p, 1010, inv, "487 Request Terminated", NULL, NULL);
    const sb_call_stats *s = sp_ended(p);
    assert_int_equal(s->result, SB_RESULT_CANCELLED);
    assert_int_equal(s->end_reason, SB_END_CANCELLED);
    sp_free(p);
}

/* §9.1: after our CANCEL the peer keeps ringing (180 every 10 s) and never answers: 64*T1
 * after the CANCEL the INVITE is over and the call ends; later 180s do not extend it. */
static void test_unanswered_cancel_ends_after_64_t1(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_OFF, 0, SB_REFRESHER_UAC);
    sp_t *p = sp_new(&c);
    sp_call(p, 0);
    const sp_msg *inv = sp_must(p, "INVITE", NULL, 0);
    sp_reply(p, 5, inv, "180 Ringing", NULL, NULL);
    sp_at(p, 1000);
    assert_int_equal(sb_engine_hangup(p->e, p->handle, 1000), 0);
    for (uint64_t t = 10000; t <= 60000; t += 10000)
        sp_reply(p, t, inv, "180 Ringing", NULL, NULL);
    sp_at(p, 200000);
    const sp_ev *end = sp_event(p, SB_EV_CALL_ENDED, 0);
    assert_non_null(end);
    assert_int_equal(end->at_ms, 1000 + 64 * 500);
    assert_int_equal(end->stats.result, SB_RESULT_CANCELLED);
    assert_int_equal(sp_count(p, "CANCEL", NULL), 1); /* Timer C sends no second one */
    sp_free(p);
}

/* GLR-4 with §17.1.1.2: our hold re-INVITE gets 100 and nothing else. The in-dialog INVITE
 * is bounded by 64*T1 after the 100; then the dialog is given up with a BYE (the peer cannot
 * finish a session change), instead of every later re-INVITE being refused forever. */
static void test_reinvite_stuck_in_proceeding(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_OFF, 0, SB_REFRESHER_UAC);
    sp_t *p = sp_uac_answered(&c, 0, 10, NULL);
    assert_int_equal(sb_engine_hold(p->e, p->handle, SB_HOLD_SENDONLY, 1000), 0);
    sp_drain(p);
    const sp_msg *re = sp_must(p, "INVITE", NULL, 1);
    sp_reply(p, 1005, re, "100 Trying", NULL, NULL);
    sp_at(p, 40000);
    sp_expect_times(p, "BYE", NULL, (uint64_t[]){1005 + 64 * 500}, 1);
    sp_free(p);
}

/* §15: the callee must not send BYE before the ACK of its 2xx. Hangup at 100 ms while the
 * 200 is un-ACKed: the 200 keeps being retransmitted, the BYE waits for the ACK at 1600. */
static void test_uas_hangup_waits_for_ack(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_OFF, 0, SB_REFRESHER_UAC);
    sp_t *p = sp_new(&c);
    sp_invite(p, 0, NULL);
    sp_at(p, 100);
    uint32_t h = sp_event(p, SB_EV_CALL_STARTED, 0)->call;
    assert_int_equal(sb_engine_hangup(p->e, h, 100), 0);
    sp_at(p, 1600);
    assert_int_equal(sp_count(p, "BYE", NULL), 0);
    assert_true(sp_count_all(p, "SIP/2.0 200", "INVITE") >= 3); /* 0, 500, 1500 */
    sp_ack(p, 1600, 1);
    sp_expect_times(p, "BYE", NULL, (uint64_t[]){1600}, 1);
    sp_free(p);
}

/* A request whose Via alone is 7 KB could not be answered within our largest message: it is
 * counted as malformed and dropped before any transaction or call exists. */
static void test_request_too_big_to_answer(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_OFF, 0, SB_REFRESHER_UAC);
    sp_t *p = sp_new(&c);
    static char head[9000];
    size_t o = (size_t)snprintf(head, sizeof head,
                                "OPTIONS sip:svc@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP "
                                "127.0.0.2:5060;branch=z9hG4bKbig;x=");
    memset(head + o, 'a', 7000);
    o += 7000;
    snprintf(head + o, sizeof head - o,
             "\r\nFrom: <sip:a@127.0.0.2>;tag=1\r\nTo: <sip:svc@127.0.0.1>\r\n"
             "Call-ID: big@127.0.0.2\r\nCSeq: 1 OPTIONS\r\n");
    sp_recv_raw(p, 10, head, NULL);
    sb_engine_stats st;
    sb_engine_get_stats(p->e, &st);
    assert_int_equal(st.malformed_messages, 1);
    assert_int_equal(st.live_txns, 0);
    assert_int_equal(sp_count_all(p, "SIP/2.0", NULL), 0);
    sp_free(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        sp_test(test_cancel_after_100),
        sp_test(test_unanswered_cancel_ends_after_64_t1),
        sp_test(test_reinvite_stuck_in_proceeding),
        sp_test(test_uas_hangup_waits_for_ack),
        sp_test(test_request_too_big_to_answer),
    };
    return cmocka_run_group_tests_name("dialog_edges", tests, NULL, NULL);
}
