/* Digest authentication of our requests (RFC 3261 §22) with a scripted challenger: the
 * engine calls, the script answers 401/407 and checks the credentials with sip/digest.c's
 * server side. */
#include "scripted_peer.h"
#include "sip/digest.h"

#define PW "Circle Of Life"
#define NONCE1 "dcd98b7102dd2f0e8b11d0f600bfb0c093"
#define NONCE2 "5ccc069c403ebaf9f0171e9517f40e41"
#define WWW(nonce, extra)                                                                          \
    "WWW-Authenticate: Digest realm=\"pbx.test\", nonce=\"" nonce "\", qop=\"auth\"" extra "\n"
#define PROXY(nonce, extra)                                                                        \
    "Proxy-Authenticate: Digest realm=\"proxy.test\", nonce=\"" nonce                              \
    "\", algorithm=SHA-256, qop=\"auth\"" extra "\n"

static sb_config auth_cfg(const char *password) {
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 90, SB_REFRESHER_UAC);
    c.auth_user = "alice";
    c.auth_password = password;
    return c;
}

/* The credentials of a request (Authorization, or Proxy-Authorization when proxy), checked
 * against the password; the parsed values are copied into *out. */
static bool creds_ok(const sp_msg *r, bool proxy, const char *password, sb_digest_creds *out) {
    const sb_hdr *h = sb_msg_hdr(&r->m, proxy ? SB_HDR_PROXY_AUTHORIZATION : SB_HDR_AUTHORIZATION);
    if (!h || sb_digest_parse_credentials(h->value, out) != 0) return false;
    return sb_digest_verify(out, password, r->m.method_name, r->m.body);
}

/* §22.1 with a 401: the INVITE goes again with Authorization, a new CSeq and the same
 * Call-ID; the 401 is ACKed by the transaction, the 2xx's ACK carries the INVITE's credentials
 * (§13.2.2.4), and the BYE pre-authenticates with the next nonce count (§22.3). */
static void www_challenge_then_answered(void **state) {
    (void)state;
    sb_config c = auth_cfg(PW);
    sp_t *p = sp_new(&c);
    sp_call(p, 5000);
    sp_reply(p, 10, sp_must(p, "INVITE", NULL, 0), "401 Unauthorized", WWW(NONCE1, ""), NULL);
    const sp_msg *i0 = sp_must(p, "INVITE", NULL, 0), *i1 = sp_must(p, "INVITE", NULL, 1);
    assert_int_equal(i1->at_ms, 10);
    assert_int_equal(i1->m.cseq, i0->m.cseq + 1);
    assert_true(sb_slice_ieq2(i1->m.call_id, i0->m.call_id));
    assert_false(sb_slice_ieq2(i1->m.branch, i0->m.branch));
    assert_int_equal(sp_hcount(i0, SB_HDR_AUTHORIZATION), 0);
    sb_digest_creds cr;
    assert_true(creds_ok(i1, false, PW, &cr));
    assert_true(sb_slice_eq(cr.username, "alice"));
    assert_true(sb_slice_eq(cr.realm, "pbx.test"));
    assert_int_equal(cr.nc, 1);
    assert_false(creds_ok(i1, false, "wrong", &cr));
    const sp_msg *ack401 = sp_must(p, "ACK", NULL, 0);
    assert_int_equal(ack401->m.cseq, i0->m.cseq);
    sp_ok_invite(p, 20, 1, NULL);
    const sp_msg *ack = sp_must(p, "ACK", NULL, 1);
    char a1[512], a2[512];
    assert_true(sp_hval(i1, SB_HDR_AUTHORIZATION, a1, sizeof a1));
    assert_true(sp_hval(ack, SB_HDR_AUTHORIZATION, a2, sizeof a2));
    assert_string_equal(a1, a2);
    sp_at(p, 5020);
    const sp_msg *bye = sp_must(p, "BYE", NULL, 0);
    assert_true(creds_ok(bye, false, PW, &cr));
    assert_int_equal(cr.nc, 2);
    sp_reply(p, 5030, bye, "200 OK", NULL, NULL);
    const sb_call_stats *s = sp_ended(p);
    assert_int_equal(s->result, SB_RESULT_ANSWERED);
    assert_int_equal(s->end_reason, SB_END_NORMAL);
    assert_int_equal(s->auth_challenges, 1);
    assert_int_equal(s->final_status_code, 200);
    sp_free(p);
}

/* Wrong credentials: the retried INVITE is challenged again with a fresh nonce and no stale:
 * the call ends auth_failed after exactly one retry, the status of the second challenge kept. */
static void wrong_password_one_retry(void **state) {
    (void)state;
    sb_config c = auth_cfg("not the password");
    sp_t *p = sp_new(&c);
    sp_call(p, 5000);
    sp_reply(p, 10, sp_must(p, "INVITE", NULL, 0), "407 Proxy Authentication Required",
             PROXY(NONCE1, ""), NULL);
    sb_digest_creds cr;
    assert_false(creds_ok(sp_must(p, "INVITE", NULL, 1), true, PW, &cr));
    sp_reply(p, 20, sp_must(p, "INVITE", NULL, 1), "407 Proxy Authentication Required",
             PROXY(NONCE2, ""), NULL);
    sp_at(p, 60000);
    assert_int_equal(sp_count(p, "INVITE", NULL), 2);
    const sb_call_stats *s = sp_ended(p);
    assert_int_equal(s->result, SB_RESULT_FAILED);
    assert_int_equal(s->end_reason, SB_END_AUTH_FAILED);
    assert_int_equal(s->final_status_code, 407);
    assert_int_equal(s->auth_challenges, 2);
    assert_int_equal(sp_count(p, "ACK", NULL), 2); /* each 407 ACKed, with the INVITE's creds */
    sp_free(p);
}

/* A stale nonce (stale=true) is answered again with the new nonce (nc back to 1) and is not a
 * failure. */
static void stale_nonce_is_answered(void **state) {
    (void)state;
    sb_config c = auth_cfg(PW);
    sp_t *p = sp_new(&c);
    sp_call(p, 5000);
    sp_reply(p, 10, sp_must(p, "INVITE", NULL, 0), "407 Proxy Authentication Required",
             PROXY(NONCE1, ""), NULL);
    sp_reply(p, 20, sp_must(p, "INVITE", NULL, 1), "407 Proxy Authentication Required",
             PROXY(NONCE2, ", stale=true"), NULL);
    const sp_msg *i2 = sp_must(p, "INVITE", NULL, 2);
    sb_digest_creds cr;
    assert_true(creds_ok(i2, true, PW, &cr));
    assert_true(sb_slice_eq(cr.nonce, NONCE2));
    assert_int_equal(cr.nc, 1);
    assert_int_equal(cr.alg, SB_DIGEST_SHA256);
    sp_ok_invite(p, 30, 2, NULL);
    assert_int_equal(sp_live(p)->result, SB_RESULT_ANSWERED);
    assert_int_equal(sp_live(p)->auth_challenges, 2);
    sp_free(p);
}

/* The refresh re-INVITE challenged (some SBCs do): answered with credentials, the refresh
 * counts once and succeeds; no refresh_failed, no violation. */
static void challenged_refresh_counts_as_refresh(void **state) {
    (void)state;
    sb_config c = auth_cfg(PW);
    sp_t *p = sp_uac_answered(&c, 0, 10,
                              "Supported: timer\nRequire: timer\n"
                              "Session-Expires: 90;refresher=uac\n");
    sp_at(p, 45010);
    const sp_msg *r1 = sp_must(p, "INVITE", NULL, 1);
    sp_reply(p, 45020, r1, "401 Unauthorized", WWW(NONCE1, ""), NULL);
    const sp_msg *r2 = sp_must(p, "INVITE", NULL, 2);
    sb_digest_creds cr;
    assert_true(creds_ok(r2, false, PW, &cr));
    assert_int_equal(r2->m.cseq, r1->m.cseq + 1);
    assert_string_equal(sp_body(r2), sp_body(r1)); /* the same offer, same o= version */
    sp_reply(p, 45030, r2, "200 OK",
             "Supported: timer\nRequire: timer\nSession-Expires: 90;refresher=uac\n", SP_SDP);
    const sb_call_stats *s = sp_live(p);
    assert_int_equal(s->session_timer_refreshes, 1);
    assert_int_equal(s->session_timer_refresh_failures, 0);
    assert_int_equal(s->auth_challenges, 1);
    assert_int_equal(s->violations, 0);
    assert_int_equal(sp_count_events(p, SB_EV_REFRESH_SENT), 1);
    sp_free(p);
}

/* §22.3: a later request reuses the kept challenge (nc 2, 3, ...). When the server has let
 * that nonce expire and challenges it with a new one, without stale=true (Kamailio 5.6 does
 * this), the request is answered again: not an auth failure. A second challenge to that
 * answer would be. */
static void reused_nonce_expired_is_answered(void **state) {
    (void)state;
    sb_config c = auth_cfg(PW);
    sp_t *p = sp_new(&c);
    sp_call(p, 0);
    sp_reply(p, 10, sp_must(p, "INVITE", NULL, 0), "407 Proxy Authentication Required",
             PROXY(NONCE1, ""), NULL);
    sp_reply(p, 20, sp_must(p, "INVITE", NULL, 1), "200 OK",
             "Supported: timer\nRequire: timer\nSession-Expires: 90;refresher=uac\n", SP_SDP);
    sp_at(p, 45020);
    const sp_msg *r1 = sp_must(p, "INVITE", NULL, 2);
    sb_digest_creds cr;
    assert_true(creds_ok(r1, true, PW, &cr));
    assert_int_equal(cr.nc, 2); /* pre-authenticated with the kept nonce */
    sp_reply(p, 45030, r1, "407 Proxy Authentication Required", PROXY(NONCE2, ""), NULL);
    const sp_msg *r2 = sp_must(p, "INVITE", NULL, 3);
    assert_true(creds_ok(r2, true, PW, &cr));
    assert_true(sb_slice_eq(cr.nonce, NONCE2));
    assert_int_equal(cr.nc, 1);
    sp_reply(p, 45040, r2, "200 OK",
             "Supported: timer\nRequire: timer\nSession-Expires: 90;refresher=uac\n", SP_SDP);
    assert_int_equal(sp_live(p)->session_timer_refreshes, 1);
    assert_int_equal(sp_live(p)->auth_challenges, 2);
    /* the next refresh's answer challenged twice: now the credentials are wrong */
    sp_at(p, 90040);
    const sp_msg *r3 = sp_must(p, "INVITE", NULL, 4);
    sp_reply(p, 90050, r3, "407 Proxy Authentication Required", PROXY("n3", ""), NULL);
    sp_reply(p, 90060, sp_must(p, "INVITE", NULL, 5), "407 Proxy Authentication Required",
             PROXY("n4", ""), NULL);
    const sp_msg *bye = sp_must(p, "BYE", NULL, 0);
    sp_reply(p, 90070, bye, "200 OK", NULL, NULL);
    const sb_call_stats *s = sp_ended(p);
    assert_int_equal(s->end_reason, SB_END_AUTH_FAILED);
    assert_int_equal(s->auth_challenges, 4);
    assert_int_equal(sp_count(p, "INVITE", NULL), 6);
    sp_free(p);
}

/* No credentials configured: the challenge is the INVITE's final answer, as before. */
static void no_credentials_rejected(void **state) {
    (void)state;
    sb_config c = auth_cfg(NULL);
    sp_t *p = sp_new(&c);
    sp_call(p, 5000);
    sp_reply(p, 10, sp_must(p, "INVITE", NULL, 0), "401 Unauthorized", WWW(NONCE1, ""), NULL);
    assert_int_equal(sp_count(p, "INVITE", NULL), 1);
    const sb_call_stats *s = sp_ended(p);
    assert_int_equal(s->result, SB_RESULT_REJECTED);
    assert_int_equal(s->end_reason, SB_END_REJECTED);
    assert_int_equal(s->final_status_code, 401);
    assert_int_equal(s->auth_challenges, 1);
    sp_free(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(www_challenge_then_answered, sp_teardown),
        cmocka_unit_test_teardown(wrong_password_one_retry, sp_teardown),
        cmocka_unit_test_teardown(stale_nonce_is_answered, sp_teardown),
        cmocka_unit_test_teardown(challenged_refresh_counts_as_refresh, sp_teardown),
        cmocka_unit_test_teardown(reused_nonce_expired_is_answered, sp_teardown),
        cmocka_unit_test_teardown(no_credentials_rejected, sp_teardown),
    };
    return cmocka_run_group_tests_name("auth", tests, NULL, NULL);
}
