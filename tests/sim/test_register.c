/* REGISTER (RFC 3261 §10) against a scripted registrar: headers, refresh timing, 423 with
 * Min-Expires, digest challenges (dialog/auth.c, shared with calls) and unregistering. */
#include "scripted_peer.h"
#include "sip/digest.h"

#define PW "Circle Of Life"
#define NONCE1 "dcd98b7102dd2f0e8b11d0f600bfb0c093"
#define NONCE2 "5ccc069c403ebaf9f0171e9517f40e41"
#define WWW(nonce)                                                                                 \
    "WWW-Authenticate: Digest realm=\"reg.test\", nonce=\"" nonce "\", qop=\"auth\"\n"
#define AOR "sip:alice@127.0.0.2"
#define OUR_CONTACT "<sip:sipbeat@127.0.0.1:5060>"

static sb_config reg_cfg(const char *password) {
    sb_config c = sp_cfg(SB_TIMER_OFF, 90, SB_REFRESHER_UAC);
    c.auth_user = "alice";
    c.auth_password = password;
    return c;
}

static uint32_t reg_start(sp_t *p, uint32_t expires_s) {
    sb_reg_opts o = {.aor = AOR, .dest = p->peer_addr, .expires_s = expires_s};
    uint32_t h = 0;
    assert_int_equal(sb_engine_register(p->e, &o, p->now, &h), 0);
    assert_int_not_equal(h, 0);
    sp_drain(p);
    return h;
}

static const sp_ev *reg_ev(const sp_t *p, sb_event_type type, int n) {
    const sp_ev *ev = sp_event(p, type, n);
    if (!ev) {
        sp_dump(p);
        fail_msg("no event %d #%d", type, n);
    }
    assert_true(ev->has_reg);
    return ev;
}

static void hval_is(const sp_msg *m, const char *name, const char *want) {
    for (uint16_t i = 0; i < m->m.nhdrs; i++)
        if (sb_slice_ieq(m->m.hdrs[i].name, name)) {
            char v[256];
            sp_slice_copy(v, sizeof v, m->m.hdrs[i].value);
            assert_string_equal(v, want);
            return;
        }
    fail_msg("no %s in %s", name, m->data);
}

/* The first REGISTER's headers, the granted 120 s from our Contact (not the other binding's
 * nor the Expires header), the refresh at max(60, 88) = 88 s with the same Call-ID and tag and
 * the next CSeq, then unregistering with expires=0. */
static void register_refresh_unregister(void **state) {
    (void)state;
    sb_config c = reg_cfg(NULL);
    sp_t *p = sp_new(&c);
    uint32_t h = reg_start(p, 0);
    const sp_msg *r0 = sp_must(p, "REGISTER", NULL, 0);
    assert_true(sp_prefix(r0, "REGISTER sip:127.0.0.2 SIP/2.0\r\n"));
    hval_is(r0, "To", "<" AOR ">");
    char from[128];
    assert_true(sp_hval(r0, SB_HDR_FROM, from, sizeof from));
    assert_int_equal(strncmp(from, "<" AOR ">;tag=", strlen("<" AOR ">;tag=")), 0);
    hval_is(r0, "Contact", OUR_CONTACT ";expires=3600");
    hval_is(r0, "Expires", "3600");
    assert_true(sb_slice_eq(r0->m.cseq_method_name, "REGISTER"));
    assert_int_equal(sp_hcount(r0, SB_HDR_AUTHORIZATION), 0);
    assert_true(sb_addr_equal(&r0->to, &p->peer_addr));

    sp_reply(p, 10, r0, "200 OK", "Contact: " OUR_CONTACT ";expires=120\nExpires: 300\n", NULL);
    const sp_ev *ev = reg_ev(p, SB_EV_REG_REGISTERED, 0);
    assert_int_equal(ev->value, 120);
    assert_int_equal(ev->call, h);
    assert_string_equal(ev->reg.aor, AOR);
    assert_int_equal(ev->reg.result, SB_REG_REGISTERED);
    assert_int_equal(ev->reg.expires_s, 120);
    assert_int_equal(sb_engine_live_registrations(p->e), 1);

    sp_at(p, 88009);
    assert_null(sp_sent(p, "REGISTER", NULL, 1));
    sp_at(p, 88010);
    const sp_msg *r1 = sp_must(p, "REGISTER", NULL, 1);
    assert_int_equal(r1->at_ms, 88010);
    assert_int_equal(r1->m.cseq, r0->m.cseq + 1);
    assert_true(sb_slice_ieq2(r1->m.call_id, r0->m.call_id));
    assert_true(sb_slice_ieq2(r1->m.from_tag, r0->m.from_tag));
    assert_false(sb_slice_ieq2(r1->m.branch, r0->m.branch));
    hval_is(r1, "Contact", OUR_CONTACT ";expires=3600");
    sp_reply(p, 88020, r1, "200 OK", "Expires: 100\n", NULL); /* no Contact of ours: Expires */
    ev = reg_ev(p, SB_EV_REG_REFRESHED, 0);
    assert_int_equal(ev->value, 100);
    assert_int_equal(ev->reg.refreshes, 1);

    sp_at(p, 90000);
    assert_int_equal(sb_engine_unregister(p->e, h, 90000), 0);
    sp_drain(p);
    const sp_msg *r2 = sp_must(p, "REGISTER", NULL, 2);
    assert_int_equal(r2->at_ms, 90000);
    assert_int_equal(r2->m.cseq, r0->m.cseq + 2);
    assert_true(sb_slice_ieq2(r2->m.call_id, r0->m.call_id));
    hval_is(r2, "Contact", OUR_CONTACT ";expires=0");
    hval_is(r2, "Expires", "0");
    sp_reply(p, 90010, r2, "200 OK", NULL, NULL);
    ev = reg_ev(p, SB_EV_REG_UNREGISTERED, 0);
    assert_int_equal(ev->reg.result, SB_REG_UNREGISTERED);
    assert_int_equal(ev->reg.final_status_code, 200);
    assert_int_equal(ev->reg.refreshes, 1);
    assert_int_equal(ev->reg.registers_sent, 3);
    assert_int_equal(sb_engine_live_registrations(p->e), 0);
    assert_int_equal(sb_engine_unregister(p->e, h, 90020), SB_ENOTFOUND);
    sp_at(p, 400000);
    assert_null(sp_sent(p, "REGISTER", NULL, 3));
    sp_free(p);
}

/* A short binding: 4 s granted, refreshed half way (max(2 s, -28 s)). */
static void short_expiry_refreshes_half_way(void **state) {
    (void)state;
    sb_config c = reg_cfg(NULL);
    sp_t *p = sp_new(&c);
    reg_start(p, 4);
    hval_is(sp_must(p, "REGISTER", NULL, 0), "Expires", "4");
    sp_reply(p, 0, sp_must(p, "REGISTER", NULL, 0), "200 OK",
             "Contact: " OUR_CONTACT ";expires=4\n", NULL);
    sp_at(p, 2000);
    assert_int_equal(sp_must(p, "REGISTER", NULL, 1)->at_ms, 2000);
    sp_free(p);
}

/* 423 Interval Too Brief: the REGISTER goes again at once asking for Min-Expires. */
static void interval_too_brief_uses_min_expires(void **state) {
    (void)state;
    sb_config c = reg_cfg(NULL);
    sp_t *p = sp_new(&c);
    reg_start(p, 30);
    const sp_msg *r0 = sp_must(p, "REGISTER", NULL, 0);
    sp_reply(p, 10, r0, "423 Interval Too Brief", "Min-Expires: 600\n", NULL);
    const sp_msg *r1 = sp_must(p, "REGISTER", NULL, 1);
    assert_int_equal(r1->at_ms, 10);
    assert_int_equal(r1->m.cseq, r0->m.cseq + 1);
    hval_is(r1, "Contact", OUR_CONTACT ";expires=600");
    hval_is(r1, "Expires", "600");
    sp_reply(p, 20, r1, "200 OK", "Contact: " OUR_CONTACT ";expires=600\n", NULL);
    assert_int_equal(reg_ev(p, SB_EV_REG_REGISTERED, 0)->value, 600);
    sp_at(p, 20 + 568000);
    assert_int_equal(sp_must(p, "REGISTER", NULL, 2)->at_ms, 568020);
    assert_int_equal(sp_count_events(p, SB_EV_REG_FAILED), 0);
    sp_free(p);
}

/* A 423 without a usable Min-Expires is a failure with its status. */
static void interval_too_brief_without_min_expires_fails(void **state) {
    (void)state;
    sb_config c = reg_cfg(NULL);
    sp_t *p = sp_new(&c);
    reg_start(p, 30);
    sp_reply(p, 10, sp_must(p, "REGISTER", NULL, 0), "423 Interval Too Brief", NULL, NULL);
    const sp_ev *ev = reg_ev(p, SB_EV_REG_FAILED, 0);
    assert_int_equal(ev->status, 423);
    assert_int_equal(ev->reg.result, SB_REG_FAILED);
    assert_int_equal(ev->reg.failures, 1);
    assert_null(sp_sent(p, "REGISTER", NULL, 1));
    sp_free(p);
}

/* 401: answered at once with the digest for REGISTER and the Request-URI; the refresh
 * pre-authenticates with the kept challenge (nc 2). */
static void www_challenge_answered(void **state) {
    (void)state;
    sb_config c = reg_cfg(PW);
    sp_t *p = sp_new(&c);
    reg_start(p, 120);
    const sp_msg *r0 = sp_must(p, "REGISTER", NULL, 0);
    sp_reply(p, 10, r0, "401 Unauthorized", WWW(NONCE1), NULL);
    const sp_msg *r1 = sp_must(p, "REGISTER", NULL, 1);
    assert_int_equal(r1->at_ms, 10);
    assert_int_equal(r1->m.cseq, r0->m.cseq + 1);
    assert_true(sb_slice_ieq2(r1->m.call_id, r0->m.call_id));
    const sb_hdr *a = sb_msg_hdr(&r1->m, SB_HDR_AUTHORIZATION);
    assert_non_null(a);
    sb_digest_creds cr;
    assert_int_equal(sb_digest_parse_credentials(a->value, &cr), 0);
    assert_true(sb_slice_eq(cr.username, "alice"));
    assert_true(sb_slice_eq(cr.realm, "reg.test"));
    assert_true(sb_slice_eq(cr.uri, "sip:127.0.0.2"));
    assert_int_equal(cr.nc, 1);
    assert_true(sb_digest_verify(&cr, PW, (sb_slice){"REGISTER", 8}, (sb_slice){"", 0}));
    sp_reply(p, 20, r1, "200 OK", "Contact: " OUR_CONTACT ";expires=120\n", NULL);
    const sp_ev *ev = reg_ev(p, SB_EV_REG_REGISTERED, 0);
    assert_int_equal(ev->reg.auth_challenges, 1);
    assert_int_equal(ev->reg.final_status_code, 200);
    sp_at(p, 88020);
    const sp_msg *r2 = sp_must(p, "REGISTER", NULL, 2);
    a = sb_msg_hdr(&r2->m, SB_HDR_AUTHORIZATION);
    assert_non_null(a);
    assert_int_equal(sb_digest_parse_credentials(a->value, &cr), 0);
    assert_int_equal(cr.nc, 2);
    /* the nonce expired on the server: a new challenge to the reused one is answered again */
    sp_reply(p, 88030, r2, "401 Unauthorized", WWW(NONCE2), NULL);
    const sp_msg *r3 = sp_must(p, "REGISTER", NULL, 3);
    a = sb_msg_hdr(&r3->m, SB_HDR_AUTHORIZATION);
    assert_int_equal(sb_digest_parse_credentials(a->value, &cr), 0);
    assert_true(sb_slice_eq(cr.nonce, NONCE2));
    assert_int_equal(cr.nc, 1);
    sp_reply(p, 88040, r3, "200 OK", "Contact: " OUR_CONTACT ";expires=120\n", NULL);
    ev = reg_ev(p, SB_EV_REG_REFRESHED, 0);
    assert_int_equal(ev->reg.auth_challenges, 2);
    assert_int_equal(ev->reg.refreshes, 1);
    sp_free(p);
}

/* Wrong password: the answered REGISTER is challenged again, and the registration ends
 * auth_failed after exactly one retry. */
static void wrong_password_auth_failed(void **state) {
    (void)state;
    sb_config c = reg_cfg("not the password");
    sp_t *p = sp_new(&c);
    reg_start(p, 120);
    sp_reply(p, 10, sp_must(p, "REGISTER", NULL, 0), "401 Unauthorized", WWW(NONCE1), NULL);
    sp_reply(p, 20, sp_must(p, "REGISTER", NULL, 1), "401 Unauthorized", WWW(NONCE2), NULL);
    sp_at(p, 60000);
    assert_int_equal(sp_count(p, "REGISTER", NULL), 2);
    const sp_ev *ev = reg_ev(p, SB_EV_REG_FAILED, 0);
    assert_int_equal(ev->at_ms, 20);
    assert_int_equal(ev->status, 401);
    assert_int_equal(ev->reg.result, SB_REG_AUTH_FAILED);
    assert_int_equal(ev->reg.final_status_code, 401);
    assert_int_equal(ev->reg.auth_challenges, 2);
    assert_int_equal(ev->reg.failures, 1);
    assert_int_equal(sb_engine_live_registrations(p->e), 0);
    sp_free(p);
}

/* No answer: Timer F (64*T1) ends the registration failed, status 0. */
static void no_answer_times_out(void **state) {
    (void)state;
    sb_config c = reg_cfg(NULL);
    sp_t *p = sp_new(&c);
    reg_start(p, 120);
    sp_at(p, 40000);
    const sp_ev *ev = reg_ev(p, SB_EV_REG_FAILED, 0);
    assert_int_equal(ev->at_ms, 32000);
    assert_int_equal(ev->status, 0);
    assert_int_equal(ev->reg.result, SB_REG_FAILED);
    sp_free(p);
}

/* Unregistering while the first REGISTER is out waits for its 2xx, then sends expires=0. */
static void unregister_while_registering(void **state) {
    (void)state;
    sb_config c = reg_cfg(NULL);
    sp_t *p = sp_new(&c);
    uint32_t h = reg_start(p, 120);
    sp_at(p, 5);
    sb_engine_unregister_all(p->e, 5);
    sp_drain(p);
    assert_null(sp_sent(p, "REGISTER", NULL, 1));
    sp_reply(p, 10, sp_must(p, "REGISTER", NULL, 0), "200 OK", NULL, NULL);
    assert_int_equal(reg_ev(p, SB_EV_REG_REGISTERED, 0)->value, 120); /* what we asked */
    const sp_msg *r1 = sp_must(p, "REGISTER", NULL, 1);
    hval_is(r1, "Expires", "0");
    sp_reply(p, 20, r1, "200 OK", NULL, NULL);
    assert_int_equal(reg_ev(p, SB_EV_REG_UNREGISTERED, 0)->call, h);
    sp_free(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        sp_test(register_refresh_unregister),
        sp_test(short_expiry_refreshes_half_way),
        sp_test(interval_too_brief_uses_min_expires),
        sp_test(interval_too_brief_without_min_expires_fails),
        sp_test(www_challenge_answered),
        sp_test(wrong_password_auth_failed),
        sp_test(no_answer_times_out),
        sp_test(unregister_while_registering),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
