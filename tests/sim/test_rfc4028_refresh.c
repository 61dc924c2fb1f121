/* RFC 4028 refresh and expiry rules (REF, EXP, GLR, UPD, §1.10) with a scripted peer; ids
 * from docs/rfc4028-rules.md. */
#include "scripted_peer.h"

/* Engine as UAC unless a test says otherwise: INVITE at 0, 200 at 10 ms, so t0 = 10; with
 * SE 90 the refresh is due at 45010 and the session expires at 90010. */

#define T2XX "Supported: timer\nRequire: timer\n"
#define SE90_UAC T2XX "Session-Expires: 90;refresher=uac\n"

static sb_config cfg90(void) {
    return sp_cfg(SB_TIMER_SUPPORTED, 90, SB_REFRESHER_UAC);
}

/* ---- REF ------------------------------------------------------------------------------------ */

/* REF-1: a refresh is a normal in-dialog re-INVITE: Request-URI = the peer's Contact, Route
 * from the Record-Route of the 2xx, same Call-ID and tags, CSeq + 1, an SDP offer. */
static void test_REF_1_refresh_is_a_normal_reinvite(void **state) {
    (void)state;
    sb_config c = cfg90();
    sp_t *p = sp_uac_answered(&c, 0, 10, "Record-Route: <sip:127.0.0.3:5070;lr>\n" SE90_UAC);
    sp_at(p, 45010);
    const sp_msg *inv = sp_must(p, "INVITE", NULL, 0), *r = sp_must(p, "INVITE", NULL, 1);
    assert_int_equal(r->at_ms, 45010);
    assert_true(sb_slice_eq(r->m.uri, SP_PEER_URI));
    char v[256];
    assert_true(sp_hval(r, SB_HDR_ROUTE, v, sizeof v));
    assert_string_equal(v, "<sip:127.0.0.3:5070;lr>");
    assert_true(sb_slice_ieq2(r->m.call_id, inv->m.call_id));
    assert_true(sb_slice_ieq2(r->m.from_tag, inv->m.from_tag));
    assert_true(sb_slice_eq(r->m.to_tag, "sptag1"));
    assert_int_equal(r->m.cseq, inv->m.cseq + 1);
    assert_non_null(strstr(sp_body(r), "m=audio"));
}

/* REF-2, UPD-6: in auto mode a peer whose Allow lists UPDATE is refreshed with UPDATE; one
 * whose Allow does not is refreshed with re-INVITE. */
static void test_REF_2_update_only_when_peer_allows_it(void **state) {
    (void)state;
    sb_config c = cfg90();
    c.timer.method = SB_REFRESH_AUTO;
    sp_t *p = sp_uac_answered(&c, 0, 10, "Allow: INVITE, ACK, BYE, CANCEL, UPDATE\n" SE90_UAC);
    sp_at(p, 45010);
    sp_expect_times(p, "UPDATE", NULL, (uint64_t[]){45010}, 1);
    assert_int_equal(sp_count(p, "INVITE", NULL), 1);
    assert_string_equal(sp_event(p, SB_EV_REFRESH_SENT, 0)->text, "UPDATE");
    sp_free(p);

    c = cfg90();
    c.timer.method = SB_REFRESH_AUTO;
    p = sp_uac_answered(&c, 0, 10, "Allow: INVITE, ACK, BYE, CANCEL\n" SE90_UAC);
    sp_at(p, 45010);
    sp_expect_times(p, "INVITE", NULL, (uint64_t[]){0, 45010}, 2);
    assert_int_equal(sp_count(p, "UPDATE", NULL), 0);
}

/* REF-3, REF-13, UPD-2, §1.10: a refresh UPDATE carries no offer (no body, no Content-Type);
 * a refresh re-INVITE carries an offer, byte-identical to the last one with the same o=
 * version. */
static void test_REF_3_REF_13_offer_in_reinvite_none_in_update(void **state) {
    (void)state;
    sb_config c = cfg90();
    c.timer.method = SB_REFRESH_UPDATE;
    sp_t *p = sp_uac_answered(&c, 0, 10, "Allow: INVITE, ACK, BYE, UPDATE\n" SE90_UAC);
    sp_at(p, 45010);
    const sp_msg *u = sp_must(p, "UPDATE", NULL, 0);
    assert_int_equal(u->m.body.n, 0);
    assert_int_equal(sp_hcount(u, SB_HDR_CONTENT_TYPE), 0);
    sp_free(p);

    c = cfg90();
    p = sp_uac_answered(&c, 0, 10, SE90_UAC);
    sp_at(p, 45010);
    const sp_msg *i0 = sp_must(p, "INVITE", NULL, 0), *i1 = sp_must(p, "INVITE", NULL, 1);
    assert_true(i1->m.body.n > 0);
    assert_string_equal(sp_body(i1), sp_body(i0));
}

/* REF-4: every refresh carries Session-Expires = max(Min-SE, current interval): after a 2xx
 * lowered 1800 to 120, the refresh says 120 (not our configured 1800). */
static void test_REF_4_refresh_se_is_current_interval(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    sp_t *p = sp_uac_answered(&c, 0, 10, T2XX "Session-Expires: 120;refresher=uac\n");
    sp_at(p, 60010);
    const sp_msg *r = sp_must(p, "INVITE", NULL, 1);
    assert_int_equal(r->at_ms, 60010);
    assert_int_equal(sp_se(r, NULL), 120);
    assert_int_equal(sp_min_se(r), 90);
}

/* REF-5, REF-12: in a refresh the sender writes refresher=uac when it refreshes and uas when
 * its peer does, so the role stays put. The peer (UAS, listing `timer`) refreshes: our hold
 * re-INVITE says refresher=uas. Engine as UAS with the caller refreshing (row 5): its hold
 * re-INVITE also says uas, now naming the caller, who is the UAS of that transaction. */
static void test_REF_5_REF_12_refresher_param_keeps_role(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_NONE);
    sp_t *p = sp_uac_answered(&c, 0, 10, T2XX "Session-Expires: 600;refresher=uas\n");
    sp_at(p, 1000);
    assert_int_equal(sb_engine_hold(p->e, p->handle, SB_HOLD_SENDONLY, 1000), 0);
    sp_drain(p);
    sb_refresher r;
    assert_int_equal(sp_se(sp_must(p, "INVITE", NULL, 1), &r), 600);
    assert_int_equal(r, SB_REFRESHER_UAS);
    sp_free(p);

    c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_UAC);
    p = sp_uas_answered(&c, "Supported: timer\nSession-Expires: 600;refresher=uac\n");
    sp_at(p, 1000);
    assert_int_equal(sb_engine_hold(p->e, p->handle, SB_HOLD_SENDONLY, 1000), 0);
    sp_drain(p);
    assert_int_equal(sp_se(sp_must(p, "INVITE", NULL, 0), &r), 600);
    assert_int_equal(r, SB_REFRESHER_UAS);
}

/* REF-6, REF-7: the peer's UPDATE refresh carries Min-SE 150 (and SE 150, we refresh): our
 * 2xx re-arms the timer from 30000, and our next refresh (at 30000 + 75 s) carries Min-SE 150
 * and SE 150. */
static void test_REF_6_min_se_from_peer_refresh_kept(void **state) {
    (void)state;
    sb_config c = cfg90();
    sp_t *p = sp_uac_answered(&c, 0, 10, SE90_UAC);
    uint32_t cs =
        sp_request(p, 30000, "UPDATE", 0,
                   "Supported: timer\nSession-Expires: 150;refresher=uas\nMin-SE: 150\n", NULL);
    const sp_msg *ok = sp_must_answer(p, cs, "UPDATE");
    sb_refresher r;
    assert_int_equal(ok->m.status, 200);
    assert_int_equal(sp_se(ok, &r), 150);
    assert_int_equal(r, SB_REFRESHER_UAS);
    sp_at(p, 105000);
    sp_expect_times(p, "INVITE", NULL, (uint64_t[]){0, 105000}, 2);
    const sp_msg *ref = sp_must(p, "INVITE", NULL, 1);
    assert_int_equal(sp_min_se(ref), 150);
    assert_int_equal(sp_se(ref, NULL), 150);
}

/* REF-7: a 2xx in either direction re-arms the timer: the peer's UPDATE at 30000 moves our
 * refresh from 45010 to 75000. A non-2xx never does: when we answer the peer's refresh 500
 * (fault knob), our BYE as non-refresher stays at t0 + 60 s. */
static void test_REF_7_only_2xx_rearm(void **state) {
    (void)state;
    sb_config c = cfg90();
    sp_t *p = sp_uac_answered(&c, 0, 10, SE90_UAC);
    uint32_t cs = sp_request(p, 30000, "UPDATE", 0,
                             "Supported: timer\nSession-Expires: 90;refresher=uas\n", NULL);
    assert_int_equal(sp_must_answer(p, cs, "UPDATE")->m.status, 200);
    sp_at(p, 80000);
    sp_expect_times(p, "INVITE", NULL, (uint64_t[]){0, 75000}, 2);
    assert_int_equal(sp_live(p)->session_timer_refreshes, 1);
    sp_free(p);

    c = cfg90();
    c.timer.answer_refresh_code = 500;
    p = sp_uas_answered(&c, "Supported: timer\nSession-Expires: 90;refresher=uac\n");
    cs = sp_request(p, 30000, "UPDATE", 0, "Supported: timer\nSession-Expires: 90;refresher=uac\n",
                    NULL);
    assert_int_equal(sp_must_answer(p, cs, "UPDATE")->m.status, 500);
    sp_at(p, 100000);
    sp_expect_times(p, "BYE", NULL, (uint64_t[]){60000}, 1);
}

/* REF-8, EXP-2: 408 to our refresh: BYE at once (refresh_failed). */
static void test_REF_8_EXP_2_408_bye_at_once(void **state) {
    (void)state;
    sb_config c = cfg90();
    sp_t *p = sp_uac_answered(&c, 0, 10, SE90_UAC);
    sp_at(p, 45010);
    sp_reply(p, 45020, sp_must(p, "INVITE", NULL, 1), "408 Request Timeout", NULL, NULL);
    sp_expect_times(p, "BYE", NULL, (uint64_t[]){45020}, 1);
    const sp_ev *f = sp_event(p, SB_EV_REFRESH_FAILED, 0);
    assert_non_null(f);
    assert_int_equal(f->status, 408);
    sp_reply(p, 45030, sp_must(p, "BYE", NULL, 0), "200 OK", NULL, NULL);
    assert_int_equal(sp_ended(p)->end_reason, SB_END_REFRESH_FAILED);
}

/* REF-8: 500 with Retry-After: 5 is retried once after 5 s (before the deadline); when the
 * retry fails the same way nothing more is tried and, EXP-2, BYE goes at expiration. */
static void test_REF_8_EXP_2_500_retry_after_then_expiry(void **state) {
    (void)state;
    sb_config c = cfg90();
    sp_t *p = sp_uac_answered(&c, 0, 10, SE90_UAC);
    sp_at(p, 45010);
    sp_reply(p, 45020, sp_must(p, "INVITE", NULL, 1), "500 Server Internal Error",
             "Retry-After: 5\n", NULL);
    sp_at(p, 50020);
    sp_expect_times(p, "INVITE", NULL, (uint64_t[]){0, 45010, 50020}, 3);
    sp_reply(p, 50030, sp_must(p, "INVITE", NULL, 2), "503 Service Unavailable", NULL, NULL);
    sp_at(p, 100000);
    assert_int_equal(sp_count(p, "INVITE", NULL), 3);
    sp_expect_times(p, "BYE", NULL, (uint64_t[]){90010}, 1);
    assert_int_equal(sp_stats(p)->session_timer_refresh_failures, 2);
}

/* REF-8: errors without a retry rule we can apply (401: no credentials) are not retried
 * endlessly: no further refresh, BYE at expiration (EXP-2). */
static void test_REF_8_401_not_retried(void **state) {
    (void)state;
    sb_config c = cfg90();
    sp_t *p = sp_uac_answered(&c, 0, 10, SE90_UAC);
    sp_at(p, 45010);
    sp_reply(p, 45020, sp_must(p, "INVITE", NULL, 1), "401 Unauthorized",
             "WWW-Authenticate: Digest realm=\"x\", nonce=\"1\"\n", NULL);
    sp_at(p, 100000);
    assert_int_equal(sp_count(p, "INVITE", NULL), 2);
    sp_expect_times(p, "BYE", NULL, (uint64_t[]){90010}, 1);
}

/* REF-9, EXP-4: a refresh that is never answered: Timer B (64*T1 = 32 s) ends it at
 * 45010 + 32000 = 77010, and the refresher sends BYE then, 13 s before expiration (90010). */
static void test_REF_9_EXP_4_unanswered_refresh_bye_before_expiry(void **state) {
    (void)state;
    sb_config c = cfg90();
    sp_t *p = sp_uac_answered(&c, 0, 10, SE90_UAC);
    sp_at(p, 100000);
    sp_expect_times(p, "INVITE", NULL, (uint64_t[]){0, 45010}, 2);
    /* Timer A retransmissions at +0.5, 1.5, 3.5, 7.5, 15.5 and 31.5 s, T2 capping at 4 s */
    assert_int_equal(sp_count_all(p, "INVITE", NULL), 2 + 6);
    sp_expect_times(p, "BYE", NULL, (uint64_t[]){77010}, 1); /* before expiration at 90010 */
    const sp_ev *f = sp_event(p, SB_EV_REFRESH_FAILED, 0);
    assert_non_null(f);
    assert_int_equal(f->status, 0);
}

/* REF-10, UAC-11: refreshes reuse the initial request's Supported and Require (required
 * mode: Supported: timer and Require: timer on both); no Proxy-Require on either. */
static void test_REF_10_refresh_reuses_option_tags(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_REQUIRED, 90, SB_REFRESHER_UAC);
    sp_t *p = sp_uac_answered(&c, 0, 10, SE90_UAC);
    sp_at(p, 45010);
    for (int i = 0; i < 2; i++) {
        const sp_msg *m = sp_must(p, "INVITE", NULL, i);
        assert_true(sb_msg_has_token(&m->m, SB_HDR_SUPPORTED, "timer"));
        assert_true(sb_msg_has_token(&m->m, SB_HDR_REQUIRE, "timer"));
        assert_int_equal(sp_hcount(m, SB_HDR_PROXY_REQUIRE), 0);
    }
}

/* REF-11: Min-SE from a 422 before the dialog existed need not be carried into it: the refresh
 * carries either our own Min-SE (90) or that value (1000), and SE >= Min-SE. */
static void test_REF_11_pre_dialog_min_se(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 900, SB_REFRESHER_UAC);
    sp_t *p = sp_new(&c);
    sp_call(p, 0);
    sp_reply(p, 5, sp_must(p, "INVITE", NULL, 0), "422 Session Interval Too Small",
             "Min-SE: 1000\n", NULL);
    sp_ok_invite(p, 10, 1, T2XX "Session-Expires: 1000;refresher=uac\n");
    sp_at(p, 500010);
    const sp_msg *r = sp_must(p, "INVITE", NULL, 2);
    assert_int_equal(r->at_ms, 500010);
    long m = sp_min_se(r);
    assert_true(m == 90 || m == 1000);
    assert_true(sp_se(r, NULL) >= m);
}

/* REF-13, §1.10 (answerer side): the peer re-offers its SDP unchanged; our answer is
 * byte-identical to our first one (same o= version). */
static void test_REF_13_unchanged_answer(void **state) {
    (void)state;
    sb_config c = cfg90();
    sp_t *p = sp_uas_answered(&c, "Supported: timer\nSession-Expires: 90;refresher=uac\n");
    uint32_t cs = sp_request(p, 30000, "INVITE", 0,
                             "Supported: timer\nSession-Expires: 90;refresher=uac\n", SP_SDP);
    sp_ack(p, 30005, cs);
    const sp_msg *a0 = sp_must(p, "SIP/2.0 200", "INVITE", 0);
    const sp_msg *a1 = sp_must_answer(p, cs, "INVITE");
    assert_int_equal(a1->m.status, 200);
    assert_string_equal(sp_body(a1), sp_body(a0));
}

/* REF-14, UAC-7: the callee refreshes (Table 2 row 1) and follows the UAC rules for its
 * transaction: a 422 to its refresh is retried with the new Min-SE (200) and SE >= 200, and a
 * 2xx without Session-Expires to that refresh turns the timer off. */
static void test_REF_14_callee_refresher_follows_uac_rules(void **state) {
    (void)state;
    sb_config c = cfg90();
    sp_t *p = sp_uas_answered(&c, "Session-Expires: 90\n");
    sp_at(p, 45000);
    const sp_msg *r = sp_must(p, "INVITE", NULL, 0);
    assert_int_equal(r->at_ms, 45000);
    sp_reply(p, 45010, r, "422 Session Interval Too Small", "Min-SE: 200\n", NULL);
    const sp_msg *r2 = sp_must(p, "INVITE", NULL, 1);
    assert_int_equal(r2->at_ms, 45010);
    assert_int_equal(sp_min_se(r2), 200);
    assert_true(sp_se(r2, NULL) >= 200);
    assert_int_equal(r2->m.cseq, r->m.cseq + 1);
    sp_reply(p, 45020, r2, "200 OK", NULL, SP_SDP);
    sp_at(p, 3600000);
    assert_int_equal(sp_count(p, "INVITE", NULL) + sp_count(p, "BYE", NULL), 2);
    assert_false(sp_live(p)->session_timer_active);
}

/* REF-15: an UPDATE refresh carries Supported: timer, Session-Expires with refresher, and
 * Min-SE. Our 2xx to the peer's UPDATE refresh is built like one to INVITE (SE with
 * refresher, Require: timer) but has no SDP and no Min-SE. A 2xx without SE to our UPDATE
 * turns the timer off. */
static void test_REF_15_update_refresh_headers(void **state) {
    (void)state;
    sb_config c = cfg90();
    c.timer.method = SB_REFRESH_UPDATE;
    sp_t *p = sp_uac_answered(&c, 0, 10, "Allow: INVITE, ACK, BYE, UPDATE\n" SE90_UAC);
    sp_at(p, 45010);
    const sp_msg *u = sp_must(p, "UPDATE", NULL, 0);
    sb_refresher r;
    assert_true(sb_msg_has_token(&u->m, SB_HDR_SUPPORTED, "timer"));
    assert_int_equal(sp_se(u, &r), 90);
    assert_int_equal(r, SB_REFRESHER_UAC);
    assert_int_equal(sp_min_se(u), 90);
    sp_reply(p, 45020, u, "200 OK", "Supported: timer\n", NULL);
    assert_false(sp_live(p)->session_timer_active);
    sp_at(p, 3600000);
    assert_int_equal(sp_count(p, "UPDATE", NULL) + sp_count(p, "BYE", NULL), 1);
    sp_free(p);

    c = cfg90();
    p = sp_uas_answered(&c, "Supported: timer\nSession-Expires: 90;refresher=uac\n");
    uint32_t cs =
        sp_request(p, 30000, "UPDATE", 0,
                   "Supported: timer\nSession-Expires: 90;refresher=uac\nMin-SE: 90\n", NULL);
    const sp_msg *ok = sp_must_answer(p, cs, "UPDATE");
    assert_int_equal(ok->m.status, 200);
    assert_int_equal(sp_se(ok, &r), 90);
    assert_int_equal(r, SB_REFRESHER_UAC);
    assert_true(sb_msg_has_token(&ok->m, SB_HDR_REQUIRE, "timer"));
    assert_int_equal(sp_hcount(ok, SB_HDR_MIN_SE), 0);
    assert_int_equal(ok->m.body.n, 0);
}

/* ---- EXP ------------------------------------------------------------------------------------ */

/* EXP-1 (UAC side), EXP-3: the peer refreshes (uas) and goes silent; we send BYE at
 * t0 + 120 - 32 = 88010 s. The BYE is a plain well-formed BYE without timer headers; a Reason
 * header is optional (not checked beyond being well-formed when present). */
static void test_EXP_1_EXP_3_non_refresher_bye(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 1800, SB_REFRESHER_NONE);
    sp_t *p = sp_uac_answered(&c, 0, 10, T2XX "Session-Expires: 120;refresher=uas\n");
    sp_at(p, 88010);
    sp_expect_times(p, "BYE", NULL, (uint64_t[]){88010}, 1);
    const sp_msg *bye = sp_must(p, "BYE", NULL, 0);
    assert_int_equal(sp_hcount(bye, SB_HDR_SESSION_EXPIRES) + sp_hcount(bye, SB_HDR_MIN_SE), 0);
    char v[128];
    if (sp_hval(bye, SB_HDR_REASON, v, sizeof v))
        assert_true(strncmp(v, "SIP", 3) == 0 || strncmp(v, "Q.850", 5) == 0);
    const sp_ev *x = sp_event(p, SB_EV_TIMER_EXPIRED, 0);
    assert_non_null(x);
    assert_string_equal(x->text, "bye");
    assert_int_equal(x->at_ms, 88010);
    sp_reply(p, 88020, bye, "200 OK", NULL, NULL);
    const sb_call_stats *s = sp_ended(p);
    assert_int_equal(s->end_reason, SB_END_SESSION_EXPIRED);
    assert_true(sp_vio(s, SB_VIO_MISSED_REFRESH));
    assert_int_equal(s->session_timer_expiry_action, 1);
}

/* ---- GLR, UPD ------------------------------------------------------------------------------- */

/* GLR-2: the peer's re-INVITE arrives while our refresh re-INVITE is pending: 491. */
static void test_GLR_2_crossing_reinvite_gets_491(void **state) {
    (void)state;
    sb_config c = cfg90();
    sp_t *p = sp_uac_answered(&c, 0, 10, SE90_UAC);
    sp_at(p, 45010);
    sp_reply(p, 45015, sp_must(p, "INVITE", NULL, 1), "100 Trying", NULL, NULL);
    uint32_t cs = sp_request(p, 45020, "INVITE", 0, T2XX "Session-Expires: 90\n", SP_SDP);
    assert_int_equal(sp_must_answer(p, cs, "INVITE")->m.status, 491);
}

/* GLR-3: 491 to our refresh re-INVITE. We own the Call-ID, so we wait 2.1-4.0 s (10 ms steps)
 * and try once more; the 491 does not move the deadline. As callee (not owning it) the wait is
 * 0-2.0 s. */
static void test_GLR_3_491_backoff_then_retry(void **state) {
    (void)state;
    sb_config c = cfg90();
    sp_t *p = sp_uac_answered(&c, 0, 10, SE90_UAC);
    sp_at(p, 45010);
    sp_reply(p, 45020, sp_must(p, "INVITE", NULL, 1), "491 Request Pending", NULL, NULL);
    sp_at(p, 50000);
    const sp_msg *r = sp_must(p, "INVITE", NULL, 2);
    uint64_t wait = r->at_ms - 45020;
    assert_true(wait >= 2100 && wait <= 4000);
    assert_int_equal(wait % 10, 0);
    assert_int_equal(sp_count(p, "INVITE", NULL), 3);
    sp_free(p);

    c = cfg90();
    p = sp_uas_answered(&c, "Session-Expires: 90\n");
    sp_at(p, 45000);
    sp_reply(p, 45010, sp_must(p, "INVITE", NULL, 0), "491 Request Pending", NULL, NULL);
    sp_at(p, 48000);
    r = sp_must(p, "INVITE", NULL, 1);
    wait = r->at_ms - 45010;
    assert_true(wait <= 2000);
    assert_int_equal(wait % 10, 0);
}

/* GLR-4: no re-INVITE refresh while our hold re-INVITE is still open (100 Trying only); the
 * hold's 2xx is itself the refresh and re-arms the timer (next refresh 45 s after it). An
 * UPDATE refresh, a non-INVITE request, may go while the INVITE transaction is open. */
static void test_GLR_4_no_reinvite_while_invite_open(void **state) {
    (void)state;
    sb_config c = cfg90();
    sp_t *p = sp_uac_answered(&c, 0, 10, SE90_UAC);
    sp_at(p, 40000);
    assert_int_equal(sb_engine_hold(p->e, p->handle, SB_HOLD_SENDONLY, 40000), 0);
    sp_drain(p);
    sp_reply(p, 40005, sp_must(p, "INVITE", NULL, 1), "100 Trying", NULL, NULL);
    sp_at(p, 50000);
    assert_int_equal(sp_count(p, "INVITE", NULL), 2);
    sp_ok_invite(p, 50000, 1, SE90_UAC);
    sp_at(p, 95000);
    sp_expect_times(p, "INVITE", NULL, (uint64_t[]){0, 40000, 95000}, 3);
    sp_free(p);

    c = cfg90();
    c.timer.method = SB_REFRESH_UPDATE;
    p = sp_uac_answered(&c, 0, 10, "Allow: INVITE, ACK, BYE, UPDATE\n" SE90_UAC);
    sp_at(p, 40000);
    assert_int_equal(sb_engine_hold(p->e, p->handle, SB_HOLD_SENDONLY, 40000), 0);
    sp_drain(p);
    sp_reply(p, 40005, sp_must(p, "INVITE", NULL, 1), "100 Trying", NULL, NULL);
    sp_at(p, 45010);
    sp_expect_times(p, "UPDATE", NULL, (uint64_t[]){45010}, 1);
}

/* GLR-5: the same back-off applies to a 491 answer to our UPDATE refresh. */
static void test_GLR_5_491_to_update_backoff(void **state) {
    (void)state;
    sb_config c = cfg90();
    c.timer.method = SB_REFRESH_UPDATE;
    sp_t *p = sp_uac_answered(&c, 0, 10, "Allow: INVITE, ACK, BYE, UPDATE\n" SE90_UAC);
    sp_at(p, 45010);
    sp_reply(p, 45020, sp_must(p, "UPDATE", NULL, 0), "491 Request Pending", NULL, NULL);
    sp_at(p, 50000);
    const sp_msg *r = sp_must(p, "UPDATE", NULL, 1);
    uint64_t wait = r->at_ms - 45020;
    assert_true(wait >= 2100 && wait <= 4000);
    assert_int_equal(wait % 10, 0);
}

/* GLR-6, §1.10: a refused hold re-INVITE (488) leaves the session as it was: the next refresh
 * offers the original SDP byte for byte, and the deadline (from the last 2xx) is unchanged. */
static void test_GLR_6_refused_offer_leaves_session(void **state) {
    (void)state;
    sb_config c = cfg90();
    sp_t *p = sp_uac_answered(&c, 0, 10, SE90_UAC);
    sp_at(p, 20000);
    assert_int_equal(sb_engine_hold(p->e, p->handle, SB_HOLD_SENDONLY, 20000), 0);
    sp_drain(p);
    const sp_msg *h = sp_must(p, "INVITE", NULL, 1);
    assert_non_null(strstr(sp_body(h), "a=sendonly"));
    sp_reply(p, 20010, h, "488 Not Acceptable Here", NULL, NULL);
    sp_at(p, 45010);
    sp_expect_times(p, "INVITE", NULL, (uint64_t[]){0, 20000, 45010}, 3);
    assert_string_equal(sp_body(sp_must(p, "INVITE", NULL, 2)),
                        sp_body(sp_must(p, "INVITE", NULL, 0)));
}

/* §1.10: a changed offer bumps the o= version by one and a later unchanged refresh keeps the
 * hold attributes and that version. */
static void test_S1_10_changed_offer_version_plus_one(void **state) {
    (void)state;
    sb_config c = cfg90();
    sp_t *p = sp_uac_answered(&c, 0, 10, SE90_UAC);
    sp_at(p, 20000);
    assert_int_equal(sb_engine_hold(p->e, p->handle, SB_HOLD_SENDONLY, 20000), 0);
    sp_drain(p);
    sp_ok_invite(p, 20010, 1, SE90_UAC);
    sp_at(p, 65010);
    const sp_msg *i0 = sp_must(p, "INVITE", NULL, 0), *h = sp_must(p, "INVITE", NULL, 1);
    const sp_msg *r = sp_must(p, "INVITE", NULL, 2);
    assert_int_equal(r->at_ms, 65010);
    unsigned long long v0 = 0, v1 = 0, v2 = 0;
    assert_int_equal(sscanf(strstr(sp_body(i0), "o="), "o=%*s %*s %llu", &v0), 1);
    assert_int_equal(sscanf(strstr(sp_body(h), "o="), "o=%*s %*s %llu", &v1), 1);
    assert_int_equal(sscanf(strstr(sp_body(r), "o="), "o=%*s %*s %llu", &v2), 1);
    assert_int_equal(v1, v0 + 1);
    assert_int_equal(v2, v1);
    assert_string_equal(sp_body(r), sp_body(h));
}

/* UPD-3: the peer's UPDATE with an offer crosses our pending re-INVITE offer: 491. */
static void test_UPD_3_offer_crossing_gets_491(void **state) {
    (void)state;
    sb_config c = cfg90();
    sp_t *p = sp_uac_answered(&c, 0, 10, SE90_UAC);
    sp_at(p, 45010);
    sp_reply(p, 45015, sp_must(p, "INVITE", NULL, 1), "100 Trying", NULL, NULL);
    uint32_t cs = sp_request(p, 45020, "UPDATE", 0, T2XX "Session-Expires: 90\n", SP_SDP);
    assert_int_equal(sp_must_answer(p, cs, "UPDATE")->m.status, 491);
}

/* UPD-4: a 405 (or 501) to our UPDATE refresh falls back to re-INVITE at once, and later
 * refreshes stay re-INVITEs. */
static void test_UPD_4_405_falls_back_to_reinvite(void **state) {
    (void)state;
    static const char *const codes[] = {"405 Method Not Allowed", "501 Not Implemented"};
    for (size_t i = 0; i < 2; i++) {
        sb_config c = cfg90();
        c.timer.method = SB_REFRESH_UPDATE;
        sp_t *p = sp_uac_answered(&c, 0, 10, SE90_UAC);
        sp_at(p, 45010);
        sp_reply(p, 45020, sp_must(p, "UPDATE", NULL, 0), codes[i],
                 "Allow: INVITE, ACK, BYE, CANCEL\n", NULL);
        sp_ok_invite(p, 45030, 1, SE90_UAC);
        sp_at(p, 90030);
        sp_expect_times(p, "INVITE", NULL, (uint64_t[]){0, 45020, 90030}, 3);
        assert_int_equal(sp_count(p, "UPDATE", NULL), 1);
        assert_int_equal(sp_count(p, "BYE", NULL), 0);
        sp_free(p);
    }
}

/* UPD-5: our INVITE and our 2xx list UPDATE in Allow. */
static void test_UPD_5_allow_lists_update(void **state) {
    (void)state;
    sb_config c = cfg90();
    sp_t *p = sp_uac_answered(&c, 0, 10, SE90_UAC);
    assert_true(sb_msg_has_token(&sp_must(p, "INVITE", NULL, 0)->m, SB_HDR_ALLOW, "UPDATE"));
    sp_free(p);
    c = cfg90();
    p = sp_uas_answered(&c, "Session-Expires: 90\n");
    assert_true(
        sb_msg_has_token(&sp_must(p, "SIP/2.0 200", "INVITE", 0)->m, SB_HDR_ALLOW, "UPDATE"));
}

/* GLR-1 (RFC 3261 §14.2): a second INVITE on the dialog while we have not answered the first
 * (we are still ringing, the early dialog has our tag from the 180) gets 500 with a
 * Retry-After of 0..10 s; the first INVITE is still answered when the ring time ends. */
static void test_GLR_1_second_invite_while_first_unanswered(void **state) {
    (void)state;
    sb_config c = cfg90();
    c.ring_time_ms = 10000;
    sp_t *p = sp_new(&c);
    sp_invite(p, 0, "Supported: timer\nSession-Expires: 90\n");
    const sp_msg *ringing = sp_must(p, "SIP/2.0 180", "INVITE", 0);
    sp_slice_copy(p->d.eng_tag, sizeof p->d.eng_tag, ringing->m.to_tag);
    uint32_t cs = sp_request(p, 1000, "INVITE", 0, "Supported: timer\n", SP_SDP);
    const sp_msg *r = sp_must_answer(p, cs, "INVITE");
    assert_int_equal(r->m.status, 500);
    char ra[32];
    assert_true(sp_hval(r, SB_HDR_RETRY_AFTER, ra, sizeof ra));
    long secs = strtol(ra, NULL, 10);
    assert_true(secs >= 0 && secs <= 10);
    sp_at(p, 10000);
    assert_int_equal(sp_must_answer(p, 1, "INVITE")->m.status, 200);
    sp_free(p);
}

/* UPD-1 (RFC 3311): UPDATE works in a confirmed dialog from either side and needs no ACK: our
 * 200 to the peer's UPDATE is sent once and never retransmitted, in both roles. */
static void test_UPD_1_update_from_either_side_no_ack(void **state) {
    (void)state;
    sb_config c = cfg90();
    sp_t *p = sp_uas_answered(&c, "Supported: timer\nSession-Expires: 90;refresher=uac\n");
    uint32_t cs =
        sp_request(p, 20000, "UPDATE", 0, "Supported: timer\nSession-Expires: 90\n", NULL);
    assert_int_equal(sp_must_answer(p, cs, "UPDATE")->m.status, 200);
    sp_at(p, 40000);
    assert_int_equal(sp_count_all(p, "SIP/2.0 200", "UPDATE"), 1);
    sp_free(p);

    c = cfg90();
    c.timer.refresher = SB_REFRESHER_UAS;
    p = sp_uac_answered(
        &c, 0, 10, T2XX "Allow: INVITE, ACK, BYE, UPDATE\nSession-Expires: 90;refresher=uas\n");
    cs = sp_request(p, 20000, "UPDATE", 0, "Supported: timer\nSession-Expires: 90;refresher=uac\n",
                    NULL);
    assert_int_equal(sp_must_answer(p, cs, "UPDATE")->m.status, 200);
    sp_at(p, 40000);
    assert_int_equal(sp_count_all(p, "SIP/2.0 200", "UPDATE"), 1);
    assert_int_equal(sp_live(p)->session_timer_refreshes, 1);
}

/* UPD-7: a non-2xx to our UPDATE leaves the session unchanged (500: BYE only at expiration);
 * 481 ends the dialog at once. */
static void test_UPD_7_update_failures(void **state) {
    (void)state;
    sb_config c = cfg90();
    c.timer.method = SB_REFRESH_UPDATE;
    sp_t *p = sp_uac_answered(&c, 0, 10, SE90_UAC);
    sp_at(p, 45010);
    sp_reply(p, 45020, sp_must(p, "UPDATE", NULL, 0), "500 Server Internal Error", NULL, NULL);
    sp_at(p, 100000);
    sp_expect_times(p, "BYE", NULL, (uint64_t[]){90010}, 1);
    assert_int_equal(sp_count(p, "UPDATE", NULL), 1);
    sp_free(p);

    c = cfg90();
    c.timer.method = SB_REFRESH_UPDATE;
    p = sp_uac_answered(&c, 0, 10, SE90_UAC);
    sp_at(p, 45010);
    sp_reply(p, 45020, sp_must(p, "UPDATE", NULL, 0), "481 Call/Transaction Does Not Exist", NULL,
             NULL);
    sp_expect_times(p, "BYE", NULL, (uint64_t[]){45020}, 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        sp_test(test_REF_1_refresh_is_a_normal_reinvite),
        sp_test(test_REF_2_update_only_when_peer_allows_it),
        sp_test(test_REF_3_REF_13_offer_in_reinvite_none_in_update),
        sp_test(test_REF_4_refresh_se_is_current_interval),
        sp_test(test_REF_5_REF_12_refresher_param_keeps_role),
        sp_test(test_REF_6_min_se_from_peer_refresh_kept),
        sp_test(test_REF_7_only_2xx_rearm),
        sp_test(test_REF_8_EXP_2_408_bye_at_once),
        sp_test(test_REF_8_EXP_2_500_retry_after_then_expiry),
        sp_test(test_REF_8_401_not_retried),
        sp_test(test_REF_9_EXP_4_unanswered_refresh_bye_before_expiry),
        sp_test(test_REF_10_refresh_reuses_option_tags),
        sp_test(test_REF_11_pre_dialog_min_se),
        sp_test(test_REF_13_unchanged_answer),
        sp_test(test_REF_14_callee_refresher_follows_uac_rules),
        sp_test(test_REF_15_update_refresh_headers),
        sp_test(test_EXP_1_EXP_3_non_refresher_bye),
        sp_test(test_GLR_2_crossing_reinvite_gets_491),
        sp_test(test_GLR_3_491_backoff_then_retry),
        sp_test(test_GLR_4_no_reinvite_while_invite_open),
        sp_test(test_GLR_5_491_to_update_backoff),
        sp_test(test_GLR_6_refused_offer_leaves_session),
        sp_test(test_S1_10_changed_offer_version_plus_one),
        sp_test(test_UPD_3_offer_crossing_gets_491),
        sp_test(test_UPD_4_405_falls_back_to_reinvite),
        sp_test(test_UPD_5_allow_lists_update),
        sp_test(test_UPD_7_update_failures),
        sp_test(test_GLR_1_second_invite_while_first_unanswered),
        sp_test(test_UPD_1_update_from_either_side_no_ack),
    };
    return cmocka_run_group_tests_name("rfc4028_refresh", tests, NULL, NULL);
}
