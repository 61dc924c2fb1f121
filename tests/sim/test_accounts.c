/* Accounts (sb_engine_add_account): each call and registration speaks as its own identity —
 * From (display name, user, domain), Contact user and the digest credentials that answer its
 * challenges — while account 0 stays the config's. Exact header values throughout. */
#include "scripted_peer.h"
#include "sip/digest.h"

#define NONCE1 "dcd98b7102dd2f0e8b11d0f600bfb0c093"
#define WWW "WWW-Authenticate: Digest realm=\"pbx.test\", nonce=\"" NONCE1 "\", qop=\"auth\"\n"

static void hval_is(const sp_msg *m, sb_hdr_id id, const char *want) {
    char v[512];
    if (!sp_hval(m, id, v, sizeof v)) fail_msg("no %s in %s", sb_hdr_name(id), m->data);
    assert_string_equal(v, want);
}

/* The From header up to its tag. */
static void from_is(const sp_msg *m, const char *want) {
    char v[512];
    assert_true(sp_hval(m, SB_HDR_FROM, v, sizeof v));
    char *tag = strstr(v, ";tag=");
    assert_non_null(tag);
    *tag = '\0';
    assert_string_equal(v, want);
}

static uint32_t add(sp_t *p, const sb_account *a) {
    uint32_t id = 0;
    sb_config_error err = {0};
    assert_int_equal(sb_engine_add_account(p->e, a, &id, &err), 0);
    return id;
}

static const sb_account BOB = {.user = "bob",
                               .auth_user = "bob-auth",
                               .auth_password = "bob's secret",
                               .display_name = "Bob \"B\" Smith",
                               .domain = "pbx.example"};
static const sb_account CAROL = {.user = "carol", .auth_password = "carol's"};

/* A call as an account: From with its display name and domain, Contact with its user, and its
 * own username and password in the answer to the challenge; the next account's call is its. */
static void call_speaks_as_its_account(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_OFF, 0, SB_REFRESHER_UAC);
    c.auth_password = "the config's";
    sp_t *p = sp_new(&c);
    uint32_t bob = add(p, &BOB), carol = add(p, &CAROL);
    assert_int_equal(bob, 1);
    assert_int_equal(carol, 2);
    sp_call_as(p, 5000, bob);
    const sp_msg *i0 = sp_must(p, "INVITE", NULL, 0);
    from_is(i0, "\"Bob \\\"B\\\" Smith\" <sip:bob@pbx.example>");
    hval_is(i0, SB_HDR_CONTACT, "<sip:bob@127.0.0.1:5060>");
    sp_reply(p, 10, i0, "401 Unauthorized", WWW, NULL);
    const sp_msg *i1 = sp_must(p, "INVITE", NULL, 1);
    from_is(i1, "\"Bob \\\"B\\\" Smith\" <sip:bob@pbx.example>");
    const sb_hdr *h = sb_msg_hdr(&i1->m, SB_HDR_AUTHORIZATION);
    assert_non_null(h);
    sb_digest_creds cr;
    assert_int_equal(sb_digest_parse_credentials(h->value, &cr), 0);
    assert_true(sb_slice_eq(cr.username, "bob-auth"));
    assert_true(sb_digest_verify(&cr, "bob's secret", i1->m.method_name, i1->m.body));
    assert_false(sb_digest_verify(&cr, "the config's", i1->m.method_name, i1->m.body));
    sp_ok_invite(p, 20, 1, NULL);
    sp_at(p, 5020);
    const sp_msg *bye = sp_must(p, "BYE", NULL, 0);
    from_is(bye, "\"Bob \\\"B\\\" Smith\" <sip:bob@pbx.example>");
    hval_is(bye, SB_HDR_CONTACT, "<sip:bob@127.0.0.1:5060>");
    assert_int_equal(
        sb_digest_parse_credentials(sb_msg_hdr(&bye->m, SB_HDR_AUTHORIZATION)->value, &cr), 0);
    assert_true(sb_slice_eq(cr.username, "bob-auth"));
    sp_reply(p, 5030, bye, "200 OK", NULL, NULL);
    assert_int_equal(sp_ended(p)->result, SB_RESULT_ANSWERED);
    sp_free(p);

    /* carol: no domain (our address), no display name, username = user */
    p = sp_new(&c);
    add(p, &BOB);
    sp_call_as(p, 5000, add(p, &CAROL));
    i0 = sp_must(p, "INVITE", NULL, 0);
    from_is(i0, "<sip:carol@127.0.0.1>");
    hval_is(i0, SB_HDR_CONTACT, "<sip:carol@127.0.0.1:5060>");
    sp_reply(p, 10, i0, "401 Unauthorized", WWW, NULL);
    i1 = sp_must(p, "INVITE", NULL, 1);
    assert_int_equal(
        sb_digest_parse_credentials(sb_msg_hdr(&i1->m, SB_HDR_AUTHORIZATION)->value, &cr), 0);
    assert_true(sb_slice_eq(cr.username, "carol"));
    assert_true(sb_digest_verify(&cr, "carol's", i1->m.method_name, i1->m.body));
    sp_free(p);
}

/* Account 0 is the config's identity, untouched by the accounts added beside it. */
static void account_zero_is_the_config(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_OFF, 0, SB_REFRESHER_UAC);
    c.user = "alice";
    sp_t *p = sp_new(&c);
    add(p, &BOB);
    sp_call_as(p, 5000, 0);
    const sp_msg *i0 = sp_must(p, "INVITE", NULL, 0);
    from_is(i0, "<sip:alice@127.0.0.1>");
    hval_is(i0, SB_HDR_CONTACT, "<sip:alice@127.0.0.1:5060>");
    sp_free(p);
}

/* An account that does not exist, or a field the engine would write badly, is refused. */
static void bad_accounts_refused(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_OFF, 0, SB_REFRESHER_UAC);
    sp_t *p = sp_new(&c);
    sb_call_opts o = {.target_uri = SP_PEER_URI, .dest = p->peer_addr, .account = 1};
    uint32_t h;
    assert_int_equal(sb_engine_call(p->e, &o, 0, &h), SB_EINVAL);
    sb_reg_opts r = {.dest = p->peer_addr, .account = 1};
    assert_int_equal(sb_engine_register(p->e, &r, 0, &h), SB_EINVAL);
    struct {
        sb_account a;
        const char *field;
    } bad[] = {
        {{.user = "bo b"}, "user"},
        {{.user = "bob", .domain = "pbx example"}, "domain"},
        {{.user = "bob", .domain = ""}, "domain"},
        {{.user = "bob", .auth_user = "b\"ob", .auth_password = "x"}, "auth_user"},
        {{.user = "bob", .auth_password = "line\r\nbreak"}, "auth_password"},
        {{.user = "bob", .display_name = "Bob\nSmith"}, "display_name"},
        {{.user = "bob", .from_uri = "http://x"}, "from_uri"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sb_config_error err = {0};
        uint32_t id = 99;
        assert_int_equal(sb_engine_add_account(p->e, &bad[i].a, &id, &err), SB_EINVAL);
        assert_string_equal(err.field, bad[i].field);
        assert_true(err.why[0]);
        assert_int_equal(id, 99);
    }
    sp_free(p);
}

/* A registration as an account: the AOR defaults to its From URI, the Contact carries its
 * user and its credentials answer the registrar's challenge. */
static void registration_as_account(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_OFF, 0, SB_REFRESHER_UAC);
    sp_t *p = sp_new(&c);
    sb_reg_opts o = {.dest = p->peer_addr, .expires_s = 60, .account = add(p, &BOB)};
    uint32_t h;
    assert_int_equal(sb_engine_register(p->e, &o, 0, &h), 0);
    sp_drain(p);
    const sp_msg *r0 = sp_must(p, "REGISTER", NULL, 0);
    assert_true(sp_prefix(r0, "REGISTER sip:pbx.example SIP/2.0\r\n"));
    hval_is(r0, SB_HDR_TO, "<sip:bob@pbx.example>");
    hval_is(r0, SB_HDR_CONTACT, "<sip:bob@127.0.0.1:5060>;expires=60");
    sp_reply(p, 10, r0, "401 Unauthorized", WWW, NULL);
    const sp_msg *r1 = sp_must(p, "REGISTER", NULL, 1);
    sb_digest_creds cr;
    assert_int_equal(
        sb_digest_parse_credentials(sb_msg_hdr(&r1->m, SB_HDR_AUTHORIZATION)->value, &cr), 0);
    assert_true(sb_slice_eq(cr.username, "bob-auth"));
    assert_true(sb_digest_verify(&cr, "bob's secret", r1->m.method_name, r1->m.body));
    sp_free(p);

    /* an account without a domain: sip:user@the registrar's address */
    p = sp_new(&c);
    o.account = add(p, &CAROL);
    assert_int_equal(sb_engine_register(p->e, &o, 0, &h), 0);
    sp_drain(p);
    hval_is(sp_must(p, "REGISTER", NULL, 0), SB_HDR_TO, "<sip:carol@127.0.0.2>");
    sp_free(p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(call_speaks_as_its_account, sp_teardown),
        cmocka_unit_test_teardown(account_zero_is_the_config, sp_teardown),
        cmocka_unit_test_teardown(bad_accounts_refused, sp_teardown),
        cmocka_unit_test_teardown(registration_as_account, sp_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
