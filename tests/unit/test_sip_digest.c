/* Digest authentication (src/sip/digest.c) against the sip layer alone: the worked examples of
 * RFC 2617 §3.5 and RFC 7616 §3.9.1 as exact vectors, SHA-512-256 and MD5-sess/auth-int
 * against values computed independently (Python's hashlib), and the parsing of challenges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sip/digest.h"
#include "sipbeat/errors.h"

#include <stdio.h>
#include <string.h>

static sb_slice sl(const char *s) {
    return (sb_slice){s, strlen(s)};
}

static sb_digest_challenge chal(const char *v) {
    sb_digest_challenge c;
    assert_int_equal(sb_digest_parse_challenge(sl(v), false, &c), 0);
    return c;
}

static void rfc2617_md5_auth(void **state) {
    (void)state;
    sb_digest_challenge c = chal("Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
                                 "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
                                 "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
    assert_int_equal(c.qop, SB_QOP_AUTH);
    assert_int_equal(c.alg, SB_DIGEST_MD5);
    sb_digest_input in = {.username = "Mufasa",
                          .password = "Circle Of Life",
                          .method = sl("GET"),
                          .uri = sl("/dir/index.html"),
                          .cnonce = "0a4f113b",
                          .nc = 1};
    char r[129];
    sb_digest_response(&c, &in, r);
    assert_string_equal(r, "6629fae49393a05397450978507c4ef1");
}

#define RFC7616_NONCE "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
#define RFC7616_CNONCE "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"

static void rfc7616_md5_sha256_sha512_256(void **state) {
    (void)state;
    static const struct {
        const char *alg, *want;
    } v[] = {
        {"MD5", "8ca523f5e9506fed4657c9700eebdbec"},
        {"SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"},
        {"SHA-512-256", "430d05014cecc49cab6fbe03176d41a1da86cbfe24a16580e22aaad928d960d0"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char h[512];
        snprintf(h, sizeof h,
                 "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
                 "algorithm=%s, nonce=\"" RFC7616_NONCE "\", "
                 "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"",
                 v[i].alg);
        sb_digest_challenge c = chal(h);
        sb_digest_input in = {.username = "Mufasa",
                              .password = "Circle of Life",
                              .method = sl("GET"),
                              .uri = sl("/dir/index.html"),
                              .cnonce = RFC7616_CNONCE,
                              .nc = 1};
        char r[129];
        sb_digest_response(&c, &in, r);
        assert_string_equal(r, v[i].want);
    }
}

/* The whole header line, and a round trip through the server side. */
static void answer_line_and_verify(void **state) {
    (void)state;
    sb_digest_challenge c =
        chal("Digest realm=\"pbx.test\", nonce=\"n1\", algorithm=MD5-sess, qop=\"auth-int\"");
    assert_true(c.sess);
    assert_int_equal(c.qop, SB_QOP_AUTH_INT);
    const char *body = "v=0\r\n";
    sb_digest_input in = {.username = "alice",
                          .password = "pw",
                          .method = sl("INVITE"),
                          .uri = sl("sip:bob@127.0.0.2"),
                          .body = sl(body),
                          .cnonce = "c1",
                          .nc = 2};
    char out[1024];
    sb_buf b;
    sb_buf_init(&b, out, sizeof out - 1);
    sb_digest_answer(&c, &in, &b);
    assert_false(b.overflow);
    out[b.len] = '\0';
    assert_string_equal(out, "Authorization: Digest username=\"alice\", realm=\"pbx.test\", "
                             "nonce=\"n1\", uri=\"sip:bob@127.0.0.2\", "
                             "response=\"d16e1ce59e6038dc578476264a38e574\", "
                             "algorithm=MD5-sess, qop=auth-int, nc=00000002, cnonce=\"c1\"\r\n");
    sb_digest_creds cr;
    sb_slice v = {out + strlen("Authorization: "), b.len - strlen("Authorization: ") - 2};
    assert_int_equal(sb_digest_parse_credentials(v, &cr), 0);
    assert_int_equal(cr.nc, 2);
    assert_true(sb_digest_verify(&cr, "pw", sl("INVITE"), sl(body)));
    assert_false(sb_digest_verify(&cr, "pW", sl("INVITE"), sl(body)));
    assert_false(sb_digest_verify(&cr, "pw", sl("INVITE"), sl("v=1\r\n")));
    assert_false(sb_digest_verify(&cr, "pw", sl("BYE"), sl(body)));
    /* a buffer too small says so */
    char tiny[40];
    sb_buf_init(&b, tiny, sizeof tiny);
    sb_digest_answer(&c, &in, &b);
    assert_true(b.overflow);
}

/* A message with several challenges: the strongest supported one wins; an unknown algorithm
 * is skipped; a folded header, escapes in a quoted value, stale and a proxy challenge. */
static void pick_the_strongest(void **state) {
    (void)state;
    const char *resp =
        "SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1\r\n"
        "From: <sip:a@127.0.0.1>;tag=1\r\nTo: <sip:b@127.0.0.2>;tag=2\r\nCall-ID: x\r\n"
        "CSeq: 1 INVITE\r\n"
        "WWW-Authenticate: Digest realm=\"a\", nonce=\"1\", algorithm=MD5\r\n"
        "WWW-Authenticate: Digest realm=\"b\", nonce=\"2\", algorithm=FOO-1\r\n"
        "WWW-Authenticate: Digest realm=\"c\\\"q\",\r\n nonce=\"3\", algorithm=SHA-256, "
        "stale=TRUE\r\n"
        "Content-Length: 0\r\n\r\n";
    sb_msg m;
    assert_true(sb_msg_parse(&m, resp, strlen(resp), true) > 0);
    sb_digest_challenge c;
    assert_int_equal(sb_digest_pick(&m, &c), 0);
    assert_int_equal(c.alg, SB_DIGEST_SHA256);
    assert_string_equal(c.realm, "c\"q");
    assert_string_equal(c.nonce, "3");
    assert_true(c.stale);
    assert_false(c.proxy);
    assert_int_equal(c.qop, SB_QOP_NONE);

    assert_int_equal(sb_digest_parse_challenge(sl("Digest realm=\"r\""), false, &c),
                     SB_EMALFORMED); /* no nonce */
    assert_int_equal(sb_digest_parse_challenge(sl("Basic realm=\"r\""), false, &c), SB_EMALFORMED);
    assert_int_equal(
        sb_digest_parse_challenge(sl("Digest realm=\"r\", nonce=\"n\", qop=\"x\""), false, &c),
        SB_EINVAL);
    assert_int_equal(
        sb_digest_parse_challenge(sl("Digest realm=\"r\", nonce=\"unterminated"), false, &c),
        SB_EMALFORMED);
    assert_int_equal(sb_digest_parse_challenge(sl("digest REALM=r, Nonce=n"), true, &c), 0);
    assert_true(c.proxy);
    assert_string_equal(c.realm, "r");

    const char *none = "SIP/2.0 407 Proxy Authentication Required\r\nVia: SIP/2.0/UDP "
                       "127.0.0.1;branch=z9hG4bK1\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\n"
                       "Call-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
    assert_true(sb_msg_parse(&m, none, strlen(none), true) > 0);
    assert_int_equal(sb_digest_pick(&m, &c), SB_ENOTFOUND);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc2617_md5_auth),
        cmocka_unit_test(rfc7616_md5_sha256_sha512_256),
        cmocka_unit_test(answer_line_and_verify),
        cmocka_unit_test(pick_the_strongest),
    };
    return cmocka_run_group_tests_name("sip_digest", tests, NULL, NULL);
}
