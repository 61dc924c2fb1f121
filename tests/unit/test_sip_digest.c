/* Unit tests for digest authentication (src/sip/digest.c): RFC 2617 and RFC 7616 vectors,
 * challenge and credentials parsing, the answer header's text, auth-int and -sess against a
 * reference written here from the RFC formulas, and buffer overflow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "sip/digest.h"
#include "sipbeat/errors.h"
#include "sipbeat/msg.h"

static sb_slice S(const char *s) {
    return (sb_slice){s, strlen(s)};
}

static sb_msg msg; /* 4 KB: keep it off the test's stack */

/* Parses a literal response from an exact-size heap copy (ASan sees any read past its end).
 * The copy stays alive until the next call: the challenges point into it. */
static void parse_msg(const char *text) {
    static char *copy;
    free(copy);
    size_t n = strlen(text);
    copy = malloc(n);
    assert_non_null(copy);
    memcpy(copy, text, n);
    assert_int_equal(sb_msg_parse(&msg, copy, n, true), (ptrdiff_t)n);
}

static int parse_ch(const char *value, sb_digest_challenge *ch) {
    /* Exact-size copy again, so the lexer's bounds are checked. */
    size_t n = strlen(value);
    char *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, value, n);
    int rc = sb_digest_parse_challenge((sb_slice){copy, n}, false, ch);
    free(copy);
    return rc;
}

/* ---- A reference: H() over a formatted string, straight from RFC 7616 §3.4 ---------------- */

static void ref_h(sb_digest_alg alg, char out[129], const char *fmt, ...) {
    char text[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof text);
    const EVP_MD *md = alg == SB_DIGEST_MD5      ? EVP_md5()
                       : alg == SB_DIGEST_SHA256 ? EVP_sha256()
                                                 : EVP_sha512_256();
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    assert_int_equal(EVP_Digest(text, (size_t)n, d, &len, md, NULL), 1);
    for (unsigned int i = 0; i < len; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}

/* The response for user/realm/password, nonce, nc, cnonce, method, uri, body. */
static void ref_response(sb_digest_alg alg, bool sess, sb_qop qop, const char *user,
                         const char *realm, const char *pass, const char *nonce, uint32_t nc,
                         const char *cnonce, const char *method, const char *uri, const char *body,
                         char out[129]) {
    char ha1[129], ha2[129], hb[129];
    ref_h(alg, ha1, "%s:%s:%s", user, realm, pass);
    if (sess) ref_h(alg, ha1, "%s:%s:%s", ha1, nonce, cnonce);
    if (qop == SB_QOP_AUTH_INT) {
        ref_h(alg, hb, "%s", body);
        ref_h(alg, ha2, "%s:%s:%s", method, uri, hb);
    } else {
        ref_h(alg, ha2, "%s:%s", method, uri);
    }
    if (qop == SB_QOP_NONE)
        ref_h(alg, out, "%s:%s:%s", ha1, nonce, ha2);
    else
        ref_h(alg, out, "%s:%s:%08x:%s:%s:%s", ha1, nonce, nc, cnonce,
              qop == SB_QOP_AUTH ? "auth" : "auth-int", ha2);
}

static sb_digest_challenge challenge(sb_digest_alg alg, bool sess, sb_qop qop, const char *realm,
                                     const char *nonce) {
    sb_digest_challenge ch;
    memset(&ch, 0, sizeof ch);
    ch.alg = alg;
    ch.sess = sess;
    ch.qop = qop;
    snprintf(ch.realm, sizeof ch.realm, "%s", realm);
    snprintf(ch.nonce, sizeof ch.nonce, "%s", nonce);
    return ch;
}

/* ---- Published vectors --------------------------------------------------------------------- */

/* RFC 2617 §3.5: MD5, qop=auth. */
static void test_rfc2617_vector(void **state) {
    (void)state;
    sb_digest_challenge ch = challenge(SB_DIGEST_MD5, false, SB_QOP_AUTH, "testrealm@host.com",
                                       "dcd98b7102dd2f0e8b11d0f600bfb0c093");
    sb_digest_input in = {.username = "Mufasa",
                          .password = "Circle Of Life",
                          .method = S("GET"),
                          .uri = S("/dir/index.html"),
                          .cnonce = "0a4f113b",
                          .nc = 1};
    char resp[129];
    sb_digest_response(&ch, &in, resp);
    assert_string_equal(resp, "6629fae49393a05397450978507c4ef1");

    /* The same from the RFC's own challenge text, folded as printed there. */
    sb_digest_challenge parsed;
    assert_int_equal(parse_ch("Digest\r\n        realm=\"testrealm@host.com\",\r\n"
                              "        qop=\"auth,auth-int\",\r\n"
                              "        nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\",\r\n"
                              "        opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
                              &parsed),
                     0);
    assert_int_equal(parsed.alg, SB_DIGEST_MD5);
    assert_false(parsed.sess);
    assert_int_equal(parsed.qop, SB_QOP_AUTH);
    assert_string_equal(parsed.realm, "testrealm@host.com");
    assert_string_equal(parsed.nonce, "dcd98b7102dd2f0e8b11d0f600bfb0c093");
    assert_true(parsed.has_opaque);
    assert_string_equal(parsed.opaque, "5ccc069c403ebaf9f0171e9517f40e41");
    sb_digest_response(&parsed, &in, resp);
    assert_string_equal(resp, "6629fae49393a05397450978507c4ef1");
}

#define R7616_NONCE "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
#define R7616_OPAQUE "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"
#define R7616_CNONCE "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"

#define RESP401_HEAD                                                                               \
    "SIP/2.0 401 Unauthorized\r\n"                                                                 \
    "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds\r\n"                                 \
    "From: <sip:alice@example.org>;tag=1928301774\r\n"                                             \
    "To: <sip:bob@example.org>;tag=a6c85cf\r\n"                                                    \
    "Call-ID: a84b4c76e66710@192.0.2.10\r\n"                                                       \
    "CSeq: 1 REGISTER\r\n"

/* RFC 7616 §3.9.1: the example's two challenges in one 401, folded as printed but MD5 first,
 * so that SHA-256 is picked for its strength, not its place; both the MD5 and the SHA-256
 * responses match the RFC's. */
static void test_rfc7616_vectors(void **state) {
    (void)state;
    parse_msg(RESP401_HEAD "WWW-Authenticate: Digest\r\n"
                           "    realm=\"http-auth@example.org\",\r\n"
                           "    qop=\"auth, auth-int\",\r\n"
                           "    algorithm=MD5,\r\n"
                           "    nonce=\"" R7616_NONCE "\",\r\n"
                           "    opaque=\"" R7616_OPAQUE "\"\r\n"
                           "WWW-Authenticate: Digest\r\n"
                           "    realm=\"http-auth@example.org\",\r\n"
                           "    qop=\"auth, auth-int\",\r\n"
                           "    algorithm=SHA-256,\r\n"
                           "    nonce=\"" R7616_NONCE "\",\r\n"
                           "    opaque=\"" R7616_OPAQUE "\"\r\n"
                           "Content-Length: 0\r\n\r\n");
    sb_digest_challenge ch;
    assert_int_equal(sb_digest_pick(&msg, &ch), 0);
    assert_int_equal(ch.alg, SB_DIGEST_SHA256);
    assert_false(ch.sess);
    assert_false(ch.proxy);
    assert_int_equal(ch.qop, SB_QOP_AUTH);
    assert_string_equal(ch.realm, "http-auth@example.org");
    assert_string_equal(ch.nonce, R7616_NONCE);
    assert_string_equal(ch.opaque, R7616_OPAQUE);

    sb_digest_input in = {.username = "Mufasa",
                          .password = "Circle of Life",
                          .method = S("GET"),
                          .uri = S("/dir/index.html"),
                          .cnonce = R7616_CNONCE,
                          .nc = 1};
    char resp[129];
    sb_digest_response(&ch, &in, resp);
    assert_string_equal(resp, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");

    ch.alg = SB_DIGEST_MD5;
    sb_digest_response(&ch, &in, resp);
    assert_string_equal(resp, "8ca523f5e9506fed4657c9700eebdbec");
}

/* ---- Challenge parsing ----------------------------------------------------------------------- */

/* Several challenges, some unusable: Basic, an unknown algorithm, a Digest without nonce, an
 * MD5 and a SHA-256 one; the SHA-256 wins though it comes last. */
static void test_pick_strongest(void **state) {
    (void)state;
    parse_msg(RESP401_HEAD
              "WWW-Authenticate: Basic realm=\"old\"\r\n"
              "WWW-Authenticate: Digest realm=\"a\", nonce=\"n0\", algorithm=SHA3-256\r\n"
              "WWW-Authenticate: Digest realm=\"a\", qop=\"auth\"\r\n"
              "WWW-Authenticate: Digest realm=\"a\", nonce=\"n1\", algorithm=MD5\r\n"
              "WWW-Authenticate: Digest realm=\"b\", nonce=\"n2\", qop=auth, "
              "algorithm=SHA-256\r\n"
              "WWW-Authenticate: Digest realm=\"c\", nonce=\"n3\", algorithm=SHA-256\r\n"
              "Content-Length: 0\r\n\r\n");
    sb_digest_challenge ch;
    assert_int_equal(sb_digest_pick(&msg, &ch), 0);
    assert_int_equal(ch.alg, SB_DIGEST_SHA256);
    assert_string_equal(ch.realm, "b"); /* among equals, the first */
    assert_string_equal(ch.nonce, "n2");
    assert_false(ch.proxy);

    /* SHA-512-256 beats SHA-256; a 407's Proxy-Authenticate is answered as a proxy. */
    parse_msg(
        "SIP/2.0 407 Proxy Authentication Required\r\n"
        "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKp\r\n"
        "From: <sip:alice@example.org>;tag=1\r\n"
        "To: <sip:bob@example.org>;tag=2\r\n"
        "Call-ID: p@192.0.2.10\r\n"
        "CSeq: 2 INVITE\r\n"
        "Proxy-Authenticate: Digest realm=\"p\", nonce=\"x\", algorithm=SHA-256, qop=\"auth\"\r\n"
        "Proxy-Authenticate: Digest realm=\"p\", nonce=\"y\", algorithm=SHA-512-256-sess, "
        "qop=\"auth\"\r\n"
        "Content-Length: 0\r\n\r\n");
    assert_int_equal(sb_digest_pick(&msg, &ch), 0);
    assert_int_equal(ch.alg, SB_DIGEST_SHA512_256);
    assert_true(ch.sess);
    assert_true(ch.proxy);
    assert_string_equal(ch.nonce, "y");

    /* Nothing usable. */
    parse_msg(RESP401_HEAD
              "WWW-Authenticate: Basic realm=\"old\"\r\n"
              "WWW-Authenticate: Digest realm=\"a\", nonce=\"n\", algorithm=MD6\r\n"
              "WWW-Authenticate: Digest realm=\"a\", nonce=\"n\", qop=\"auth-conf\"\r\n"
              "Content-Length: 0\r\n\r\n");
    assert_int_equal(sb_digest_pick(&msg, &ch), SB_ENOTFOUND);
    parse_msg(RESP401_HEAD "Content-Length: 0\r\n\r\n");
    assert_int_equal(sb_digest_pick(&msg, &ch), SB_ENOTFOUND);
}

static void test_parse_params(void **state) {
    (void)state;
    sb_digest_challenge ch;

    /* Names, scheme, algorithm and stale in any case; bare and quoted values; unknown
     * parameters, charset and domain ignored; empty list elements allowed. */
    assert_int_equal(parse_ch("digest REALM=\"r\",, Nonce=abc, ALGORITHM=sha-256-SESS, "
                              "Stale=TRUE, charset=UTF-8, domain=\"sip:a sip:b\", x-ext=\"1\", "
                              "qop=\"auth-int\", userhash=true",
                              &ch),
                     0);
    assert_string_equal(ch.realm, "r");
    assert_string_equal(ch.nonce, "abc");
    assert_int_equal(ch.alg, SB_DIGEST_SHA256);
    assert_true(ch.sess);
    assert_true(ch.stale);
    assert_true(ch.userhash);
    assert_false(ch.has_opaque);
    assert_string_equal(ch.opaque, "");
    assert_int_equal(ch.qop, SB_QOP_AUTH_INT);

    /* No algorithm: MD5. stale=false and any other value are false. No qop: none. */
    assert_int_equal(parse_ch("Digest realm=\"r\", nonce=\"n\", stale=false", &ch), 0);
    assert_int_equal(ch.alg, SB_DIGEST_MD5);
    assert_false(ch.sess);
    assert_false(ch.stale);
    assert_int_equal(ch.qop, SB_QOP_NONE);
    assert_int_equal(parse_ch("Digest realm=\"r\", nonce=\"n\", stale=\"yes\"", &ch), 0);
    assert_false(ch.stale);

    /* qop choice: auth when offered, else auth-int; unknown options ignored. */
    assert_int_equal(parse_ch("Digest realm=\"r\", nonce=\"n\", qop=\"auth,auth-int\"", &ch), 0);
    assert_int_equal(ch.qop, SB_QOP_AUTH);
    assert_int_equal(parse_ch("Digest realm=\"r\", nonce=\"n\", qop=\"auth-int, auth\"", &ch), 0);
    assert_int_equal(ch.qop, SB_QOP_AUTH);
    assert_int_equal(parse_ch("Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\"", &ch), 0);
    assert_int_equal(ch.qop, SB_QOP_AUTH_INT);
    assert_int_equal(parse_ch("Digest realm=\"r\", nonce=\"n\", qop=\"x-new, auth-int\"", &ch), 0);
    assert_int_equal(ch.qop, SB_QOP_AUTH_INT);
    assert_int_equal(parse_ch("Digest realm=\"r\", nonce=\"n\", qop=auth", &ch), 0);
    assert_int_equal(ch.qop, SB_QOP_AUTH);
    assert_int_equal(parse_ch("Digest realm=\"r\", nonce=\"n\", qop=\"auth-conf\"", &ch),
                     SB_EINVAL);
    assert_int_equal(parse_ch("Digest realm=\"r\", nonce=\"n\", qop=\"\"", &ch), SB_EINVAL);

    /* Every algorithm of RFC 8760 §2.7; others are refused as unknown. */
    static const struct {
        const char *name;
        sb_digest_alg alg;
        bool sess;
    } algs[] = {{"MD5", SB_DIGEST_MD5, false},
                {"MD5-sess", SB_DIGEST_MD5, true},
                {"SHA-256", SB_DIGEST_SHA256, false},
                {"SHA-256-sess", SB_DIGEST_SHA256, true},
                {"SHA-512-256", SB_DIGEST_SHA512_256, false},
                {"SHA-512-256-sess", SB_DIGEST_SHA512_256, true}};
    for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++) {
        char v[128];
        snprintf(v, sizeof v, "Digest realm=\"r\", nonce=\"n\", qop=\"auth\", algorithm=%s",
                 algs[i].name);
        assert_int_equal(parse_ch(v, &ch), 0);
        assert_int_equal(ch.alg, algs[i].alg);
        assert_int_equal(ch.sess, algs[i].sess);
    }
    assert_int_equal(parse_ch("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512", &ch),
                     SB_EINVAL);
    assert_int_equal(parse_ch("Digest realm=\"r\", nonce=\"n\", algorithm=AKAv1-MD5", &ch),
                     SB_EINVAL);
    /* -sess without qop: A1 needs a cnonce that RFC 2617 forbids sending. */
    assert_int_equal(parse_ch("Digest realm=\"r\", nonce=\"n\", algorithm=MD5-sess", &ch),
                     SB_EINVAL);

    /* A second challenge in the same value ends ours. */
    assert_int_equal(parse_ch("Digest realm=\"r\", nonce=\"n\", Basic realm=\"x\"", &ch), 0);
    assert_string_equal(ch.realm, "r");
}

/* Quoted-strings: backslash escapes removed; commas, '=' and folds inside quotes. */
static void test_parse_quoting(void **state) {
    (void)state;
    sb_digest_challenge ch;
    assert_int_equal(parse_ch("Digest realm=\"a \\\"quoted\\\" \\\\ realm, x=y\", "
                              "nonce=\"n\\o\\nce\", opaque=\"\"",
                              &ch),
                     0);
    assert_string_equal(ch.realm, "a \"quoted\" \\ realm, x=y");
    assert_string_equal(ch.nonce, "nonce");
    assert_true(ch.has_opaque);
    assert_string_equal(ch.opaque, "");

    /* A fold inside a quoted value: the CRLF goes, the white space stays. */
    assert_int_equal(parse_ch("Digest realm=\"two\r\n words\", nonce=\"n\"", &ch), 0);
    assert_string_equal(ch.realm, "two words");

    /* A folded header through the message parser: folds between the parameters, around '='
     * and inside the qop list. */
    parse_msg(RESP401_HEAD "WWW-Authenticate: Digest realm=\"folded\",\r\n"
                           "\tnonce\r\n  =\r\n \"n1\", qop=\"auth-int,\r\n auth\"\r\n"
                           "Content-Length: 0\r\n\r\n");
    sb_digest_challenge picked;
    assert_int_equal(sb_digest_pick(&msg, &picked), 0);
    assert_string_equal(picked.realm, "folded");
    assert_string_equal(picked.nonce, "n1");
    assert_int_equal(picked.qop, SB_QOP_AUTH);
}

static void test_parse_malformed(void **state) {
    (void)state;
    static const char *const bad[] = {
        "",
        "Digest",
        "Basic realm=\"r\"",
        "Digestrealm=\"r\", nonce=\"n\"",
        "Digest realm=\"r\"",                           /* no nonce */
        "Digest nonce=\"n\"",                           /* no realm */
        "Digest realm=\"r\", nonce=\"\"",               /* empty nonce */
        "Digest realm=\"r\", nonce=\"n\", nonce=\"m\"", /* twice */
        "Digest realm=\"r\", nonce=\"n",                /* unterminated */
        "Digest realm=\"r\" nonce=\"n\"",               /* no comma */
        "Digest realm=\"r\", nonce=\"n\"x",
        "Digest realm=, nonce=\"n\"",
        "Digest realm",
        "Digest =\"r\", nonce=\"n\"",
        "Digest realm=\"r\", nonce=\"n\\",
        "Digest realm=\"a\r\nb\", nonce=\"n\"", /* a line break that is no fold */
        "Digest realm=\"a\\\r\n b\", nonce=\"n\"",
        "Digest realm=\"a\x01\", nonce=\"n\"",
        "Digest realm=\"a\\\x01\", nonce=\"n\"",
        "Digest realm=a\\b, nonce=\"n\"",
    };
    sb_digest_challenge ch;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (parse_ch(bad[i], &ch) != SB_EMALFORMED) fail_msg("accepted: \"%s\"", bad[i]);

    /* Values too long for the fields: realm[128], nonce[256], opaque[256] with their NUL. */
    char v[1024];
    char big[300];
    memset(big, 'x', sizeof big);
    big[127] = '\0';
    snprintf(v, sizeof v, "Digest realm=\"%s\", nonce=\"n\"", big);
    assert_int_equal(parse_ch(v, &ch), 0);
    assert_int_equal(strlen(ch.realm), 127);
    big[127] = 'x';
    big[128] = '\0';
    snprintf(v, sizeof v, "Digest realm=\"%s\", nonce=\"n\"", big);
    assert_int_equal(parse_ch(v, &ch), SB_EMALFORMED);
    big[128] = 'x';
    big[256] = '\0';
    snprintf(v, sizeof v, "Digest realm=\"r\", nonce=\"%s\"", big);
    assert_int_equal(parse_ch(v, &ch), SB_EMALFORMED);
    snprintf(v, sizeof v, "Digest realm=\"r\", nonce=\"n\", opaque=\"%s\"", big);
    assert_int_equal(parse_ch(v, &ch), SB_EMALFORMED);
    big[255] = '\0';
    snprintf(v, sizeof v, "Digest realm=\"r\", nonce=\"%s\", opaque=\"%s\"", big, big);
    assert_int_equal(parse_ch(v, &ch), 0);

    /* A slice that is not NUL-terminated, cut in the middle of a value. */
    const char *full = "Digest realm=\"r\", nonce=\"n\"";
    for (size_t n = 0; n < strlen(full); n++) {
        char *copy = malloc(n ? n : 1);
        assert_non_null(copy);
        memcpy(copy, full, n);
        assert_int_equal(sb_digest_parse_challenge((sb_slice){copy, n}, false, &ch), SB_EMALFORMED);
        free(copy);
    }
}

/* ---- The answer ---------------------------------------------------------------------------- */

static const char *answer(const sb_digest_challenge *ch, const sb_digest_input *in) {
    static char mem[2048];
    sb_buf b;
    sb_buf_init(&b, mem, sizeof mem - 1);
    sb_digest_answer(ch, in, &b);
    assert_false(b.overflow);
    mem[b.len] = '\0';
    return mem;
}

static void test_answer_text(void **state) {
    (void)state;
    /* RFC 2617 §3.5, from its challenge (opaque included), as one line in our order. */
    sb_digest_challenge ch;
    assert_int_equal(parse_ch("Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
                              "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
                              "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
                              &ch),
                     0);
    sb_digest_input in = {.username = "Mufasa",
                          .password = "Circle Of Life",
                          .method = S("GET"),
                          .uri = S("/dir/index.html"),
                          .cnonce = "0a4f113b",
                          .nc = 1};
    assert_string_equal(answer(&ch, &in),
                        "Authorization: Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
                        "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", "
                        "response=\"6629fae49393a05397450978507c4ef1\", algorithm=MD5, qop=auth, "
                        "nc=00000001, cnonce=\"0a4f113b\", "
                        "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"\r\n");

    /* A proxy challenge without qop (the RFC 2069 form): no qop, nc or cnonce; quotes and
     * backslashes escaped again; the algorithm with its registered spelling. */
    assert_int_equal(sb_digest_parse_challenge(S("Digest realm=\"a\\\"b\\\\c\", nonce=\"n\\\"1\", "
                                                 "algorithm=sha-256"),
                                               true, &ch),
                     0);
    sb_digest_input in2 = {.username = "bob \"the\" \\user",
                           .password = "secret",
                           .method = S("INVITE"),
                           .uri = S("sip:bob@biloxi.com"),
                           .cnonce = "unused",
                           .nc = 7};
    char want_resp[129], want[1024];
    ref_response(SB_DIGEST_SHA256, false, SB_QOP_NONE, "bob \"the\" \\user", "a\"b\\c", "secret",
                 "n\"1", 0, "", "INVITE", "sip:bob@biloxi.com", "", want_resp);
    snprintf(want, sizeof want,
             "Proxy-Authorization: Digest username=\"bob \\\"the\\\" \\\\user\", "
             "realm=\"a\\\"b\\\\c\", nonce=\"n\\\"1\", uri=\"sip:bob@biloxi.com\", "
             "response=\"%s\", algorithm=SHA-256\r\n",
             want_resp);
    assert_string_equal(answer(&ch, &in2), want);

    /* nc as 8 hex digits, -sess spelled as offered, auth-int. */
    ch = challenge(SB_DIGEST_SHA512_256, true, SB_QOP_AUTH_INT, "r", "n");
    in2.nc = 0xabc;
    in2.cnonce = "c0ffee";
    in2.body = S("v=0\r\n");
    ref_response(SB_DIGEST_SHA512_256, true, SB_QOP_AUTH_INT, "bob \"the\" \\user", "r", "secret",
                 "n", 0xabc, "c0ffee", "INVITE", "sip:bob@biloxi.com", "v=0\r\n", want_resp);
    snprintf(want, sizeof want,
             "Authorization: Digest username=\"bob \\\"the\\\" \\\\user\", realm=\"r\", "
             "nonce=\"n\", uri=\"sip:bob@biloxi.com\", response=\"%s\", "
             "algorithm=SHA-512-256-sess, qop=auth-int, nc=00000abc, cnonce=\"c0ffee\"\r\n",
             want_resp);
    assert_string_equal(answer(&ch, &in2), want);
}

/* Every algorithm and qop against the reference; auth-int with an empty body hashes "" with
 * the chosen algorithm (RFC 8760 §2.6 item 7; for MD5, RFC 3261 §22.4 item 7's constant). */
static void test_against_reference(void **state) {
    (void)state;
    /* The reference's own hashes: FIPS 180-4's "abc" examples and RFC 1321's MD5("abc"), so a
     * wrong algorithm cannot hide on both sides (SHA-512/256 is not SHA-512 truncated). */
    char h[129];
    ref_h(SB_DIGEST_MD5, h, "abc");
    assert_string_equal(h, "900150983cd24fb0d6963f7d28e17f72");
    ref_h(SB_DIGEST_SHA256, h, "abc");
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    ref_h(SB_DIGEST_SHA512_256, h, "abc");
    assert_string_equal(h, "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23");

    static const sb_qop qops[] = {SB_QOP_NONE, SB_QOP_AUTH, SB_QOP_AUTH_INT};
    static const char *const bodies[] = {"", "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n"};
    for (int alg = 0; alg < 3; alg++)
        for (int sess = 0; sess < 2; sess++)
            for (int q = 0; q < 3; q++)
                for (int bd = 0; bd < 2; bd++) {
                    sb_digest_challenge ch =
                        challenge((sb_digest_alg)alg, sess, qops[q], "biloxi.com", "abc123");
                    sb_digest_input in = {.username = "bob",
                                          .password = "zanzibar",
                                          .method = S("INVITE"),
                                          .uri = S("sip:bob@biloxi.com"),
                                          .body = S(bodies[bd]),
                                          .cnonce = "0a4f113b",
                                          .nc = 2};
                    char got[129], want[129];
                    sb_digest_response(&ch, &in, got);
                    ref_response((sb_digest_alg)alg, sess, qops[q], "bob", "biloxi.com", "zanzibar",
                                 "abc123", 2, "0a4f113b", "INVITE", "sip:bob@biloxi.com",
                                 bodies[bd], want);
                    assert_string_equal(got, want);
                    assert_int_equal(strlen(got), alg == SB_DIGEST_MD5 ? 32 : 64);
                }
    /* The MD5 hash of the empty body is RFC 3261's d41d8cd98f00b204e9800998ecf8427e. */
    char want[129], ha1[129], ha2[129];
    ref_h(SB_DIGEST_MD5, ha1, "bob:biloxi.com:zanzibar");
    ref_h(SB_DIGEST_MD5, ha2, "INVITE:sip:bob@biloxi.com:d41d8cd98f00b204e9800998ecf8427e");
    ref_h(SB_DIGEST_MD5, want, "%s:abc123:00000001:c:auth-int:%s", ha1, ha2);
    sb_digest_challenge ch =
        challenge(SB_DIGEST_MD5, false, SB_QOP_AUTH_INT, "biloxi.com", "abc123");
    sb_digest_input in = {.username = "bob",
                          .password = "zanzibar",
                          .method = S("INVITE"),
                          .uri = S("sip:bob@biloxi.com"),
                          .cnonce = "c",
                          .nc = 1};
    char got[129];
    sb_digest_response(&ch, &in, got);
    assert_string_equal(got, want);
}

/* ---- Server side --------------------------------------------------------------------------- */

/* The value of the answer's header line (after "Name: ", without the CRLF). */
static sb_slice header_value(const char *line) {
    const char *v = strstr(line, ": ");
    assert_non_null(v);
    v += 2;
    size_t n = strlen(v);
    assert_true(n >= 2 && v[n - 2] == '\r' && v[n - 1] == '\n');
    return (sb_slice){v, n - 2};
}

static void test_credentials_rfc2617(void **state) {
    (void)state;
    /* RFC 2617 §3.5's Authorization value, folded as printed. */
    const char *v = "Digest username=\"Mufasa\",\r\n"
                    "        realm=\"testrealm@host.com\",\r\n"
                    "        nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\",\r\n"
                    "        uri=\"/dir/index.html\",\r\n"
                    "        qop=auth,\r\n"
                    "        nc=00000001,\r\n"
                    "        cnonce=\"0a4f113b\",\r\n"
                    "        response=\"6629fae49393a05397450978507c4ef1\",\r\n"
                    "        opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"";
    sb_digest_creds c;
    assert_int_equal(sb_digest_parse_credentials(S(v), &c), 0);
    assert_true(sb_slice_eq(c.username, "Mufasa"));
    assert_true(sb_slice_eq(c.realm, "testrealm@host.com"));
    assert_true(sb_slice_eq(c.uri, "/dir/index.html"));
    assert_true(sb_slice_eq(c.cnonce, "0a4f113b"));
    assert_true(sb_slice_eq(c.opaque, "5ccc069c403ebaf9f0171e9517f40e41"));
    assert_int_equal(c.alg, SB_DIGEST_MD5);
    assert_false(c.sess);
    assert_int_equal(c.qop, SB_QOP_AUTH);
    assert_int_equal(c.nc, 1);
    assert_true(sb_digest_verify(&c, "Circle Of Life", S("GET"), S("")));
    assert_false(sb_digest_verify(&c, "Circle of Life", S("GET"), S("")));
    assert_false(sb_digest_verify(&c, "Circle Of Life", S("POST"), S("")));
    assert_false(sb_digest_verify(&c, NULL, S("GET"), S("")));

    /* An upper-case response is the same number. */
    const char *up = "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
                     "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", "
                     "qop=auth, nc=00000001, cnonce=\"0a4f113b\", "
                     "response=\"6629FAE49393A05397450978507C4EF1\"";
    assert_int_equal(sb_digest_parse_credentials(S(up), &c), 0);
    assert_true(sb_digest_verify(&c, "Circle Of Life", S("GET"), S("")));
}

static void test_credentials_malformed(void **state) {
    (void)state;
#define BASE "username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:x@y\", response=\"00\""
    static const struct {
        const char *v;
        int rc;
    } cases[] = {
        {"Digest " BASE, 0},
        {"Basic dXNlcjpwYXNz", SB_EMALFORMED},
        {"Digest realm=\"r\", nonce=\"n\", uri=\"sip:x@y\", response=\"00\"", SB_EMALFORMED},
        {"Digest username=\"u\", nonce=\"n\", uri=\"sip:x@y\", response=\"00\"", SB_EMALFORMED},
        {"Digest username=\"u\", realm=\"r\", uri=\"sip:x@y\", response=\"00\"", SB_EMALFORMED},
        {"Digest username=\"u\", realm=\"r\", nonce=\"n\", response=\"00\"", SB_EMALFORMED},
        {"Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:x@y\"", SB_EMALFORMED},
        {"Digest " BASE ", username=\"v\"", SB_EMALFORMED},
        {"Digest " BASE ", qop=auth, cnonce=\"c\"", SB_EMALFORMED}, /* no nc */
        {"Digest " BASE ", qop=auth, nc=00000001", SB_EMALFORMED},  /* no cnonce */
        {"Digest " BASE ", algorithm=MD5-sess", SB_EMALFORMED},     /* no cnonce */
        {"Digest " BASE ", algorithm=MD5-sess, cnonce=\"c\"", 0},   /* -sess, RFC 2069 style */
        {"Digest " BASE ", qop=auth, nc=0000000A, cnonce=\"c\"", SB_EMALFORMED},
        {"Digest " BASE ", qop=auth, nc=1, cnonce=\"c\"", SB_EMALFORMED},
        {"Digest " BASE ", qop=auth, nc=000000001, cnonce=\"c\"", SB_EMALFORMED},
        {"Digest " BASE ", qop=auth, nc=0000000a, cnonce=\"c\"", 0},
        {"Digest " BASE ", qop=\"auth\", nc=0000000a, cnonce=\"c\"", 0},
        {"Digest " BASE ", qop=AUTH, nc=0000000a, cnonce=\"c\"", SB_EINVAL},
        {"Digest " BASE ", qop=auth-conf, nc=0000000a, cnonce=\"c\"", SB_EINVAL},
        {"Digest " BASE ", algorithm=SHA-1", SB_EINVAL},
        {"Digest " BASE ", userhash=true", SB_EINVAL},
        {"Digest " BASE ", userhash=false", 0},
        {"Digest " BASE ", response=\"01\"", SB_EMALFORMED},
        {"Digest " BASE ",", 0},
        {"Digest " BASE " x", SB_EMALFORMED},
    };
#undef BASE
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sb_digest_creds c;
        int rc = sb_digest_parse_credentials(S(cases[i].v), &c);
        if (rc != cases[i].rc) fail_msg("\"%s\": %d, expected %d", cases[i].v, rc, cases[i].rc);
    }
}

/* Answer, parse the answer back as the server, verify; for every algorithm and qop, with a
 * body, and escapes in the username. */
static void test_round_trip(void **state) {
    (void)state;
    static const sb_qop qops[] = {SB_QOP_NONE, SB_QOP_AUTH, SB_QOP_AUTH_INT};
    const char *sdp = "v=0\r\no=alice 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\n"
                      "t=0 0\r\nm=audio 49170 RTP/AVP 0\r\n";
    for (int alg = 0; alg < 3; alg++)
        for (int sess = 0; sess < 2; sess++)
            for (int q = 0; q < 3; q++) {
                if (sess && qops[q] == SB_QOP_NONE) continue; /* refused at parse time */
                sb_digest_challenge ch =
                    challenge((sb_digest_alg)alg, sess, qops[q], "realm \"x\"", "nonce\\1");
                ch.has_opaque = true;
                snprintf(ch.opaque, sizeof ch.opaque, "op\"aque");
                sb_digest_input in = {.username = "al\"ice\\",
                                      .password = "p4ss, word",
                                      .method = S("INVITE"),
                                      .uri = S("sip:bob@biloxi.com;transport=tcp"),
                                      .body = S(sdp),
                                      .cnonce = "6d0c3b1a",
                                      .nc = 3};
                const char *line = answer(&ch, &in);
                sb_digest_creds c;
                assert_int_equal(sb_digest_parse_credentials(header_value(line), &c), 0);
                assert_int_equal(c.alg, alg);
                assert_int_equal(c.sess, sess);
                assert_int_equal(c.qop, qops[q]);
                if (qops[q] != SB_QOP_NONE) assert_int_equal(c.nc, 3);
                assert_true(sb_slice_eq(c.opaque, "op\\\"aque")); /* still escaped */
                assert_true(sb_digest_verify(&c, "p4ss, word", S("INVITE"), S(sdp)));
                assert_false(sb_digest_verify(&c, "p4ss, word!", S("INVITE"), S(sdp)));
                assert_false(sb_digest_verify(&c, "", S("INVITE"), S(sdp)));
                assert_false(sb_digest_verify(&c, "p4ss, word", S("ACK"), S(sdp)));
                /* Only auth-int covers the body. */
                bool body_counts = qops[q] == SB_QOP_AUTH_INT;
                assert_int_equal(sb_digest_verify(&c, "p4ss, word", S("INVITE"), S("v=1\r\n")),
                                 !body_counts);
                assert_int_equal(sb_digest_verify(&c, "p4ss, word", S("INVITE"), S("")),
                                 !body_counts);
            }

    /* auth-int with no body: verified with no body, refused with one. */
    sb_digest_challenge ch = challenge(SB_DIGEST_SHA256, false, SB_QOP_AUTH_INT, "r", "n");
    sb_digest_input in = {.username = "u",
                          .password = "pw",
                          .method = S("BYE"),
                          .uri = S("sip:a@b"),
                          .cnonce = "c",
                          .nc = 1};
    sb_digest_creds c;
    assert_int_equal(sb_digest_parse_credentials(header_value(answer(&ch, &in)), &c), 0);
    assert_true(sb_digest_verify(&c, "pw", S("BYE"), S("")));
    assert_false(sb_digest_verify(&c, "pw", S("BYE"), S("x")));
}

/* ---- Failures of the writer ---------------------------------------------------------------- */

static void test_overflow(void **state) {
    (void)state;
    sb_digest_challenge ch = challenge(SB_DIGEST_SHA256, false, SB_QOP_AUTH, "biloxi.com", "n");
    sb_digest_input in = {.username = "bob",
                          .password = "zanzibar",
                          .method = S("REGISTER"),
                          .uri = S("sip:biloxi.com"),
                          .cnonce = "c",
                          .nc = 1};
    size_t need = strlen(answer(&ch, &in));

    char mem[512];
    sb_buf b;
    for (size_t cap = 0; cap < need; cap++) {
        sb_buf_init(&b, mem, cap);
        sb_digest_answer(&ch, &in, &b);
        assert_true(b.overflow);
        assert_int_equal(b.len, 0); /* no half header */
    }
    sb_buf_init(&b, mem, need);
    sb_digest_answer(&ch, &in, &b);
    assert_false(b.overflow);
    assert_int_equal(b.len, need);

    /* After what is already in the buffer: that stays. */
    sb_buf_init(&b, mem, 40);
    sb_buf_str(&b, "REGISTER sip:biloxi.com SIP/2.0\r\n");
    size_t before = b.len;
    sb_digest_answer(&ch, &in, &b);
    assert_true(b.overflow);
    assert_int_equal(b.len, before);

    /* A value that cannot be quoted (a CR/LF would end the header) fails the same way. */
    sb_digest_input evil = in;
    evil.username = "bob\r\nX-Injected: 1";
    sb_buf_init(&b, mem, sizeof mem);
    sb_digest_answer(&ch, &evil, &b);
    assert_true(b.overflow);
    assert_int_equal(b.len, 0);
    evil = in;
    evil.uri = S("sip:a@b\n");
    sb_buf_init(&b, mem, sizeof mem);
    sb_digest_answer(&ch, &evil, &b);
    assert_true(b.overflow);

    /* qop needs a cnonce. */
    evil = in;
    evil.cnonce = NULL;
    sb_buf_init(&b, mem, sizeof mem);
    sb_digest_answer(&ch, &evil, &b);
    assert_true(b.overflow);
    evil.cnonce = "";
    sb_buf_init(&b, mem, sizeof mem);
    sb_digest_answer(&ch, &evil, &b);
    assert_true(b.overflow);
    /* ... which qop none ignores. */
    ch.qop = SB_QOP_NONE;
    sb_buf_init(&b, mem, sizeof mem - 1);
    sb_digest_answer(&ch, &evil, &b);
    assert_false(b.overflow);
    mem[b.len] = '\0';
    assert_null(strstr(mem, "cnonce"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc2617_vector),      cmocka_unit_test(test_rfc7616_vectors),
        cmocka_unit_test(test_pick_strongest),      cmocka_unit_test(test_parse_params),
        cmocka_unit_test(test_parse_quoting),       cmocka_unit_test(test_parse_malformed),
        cmocka_unit_test(test_answer_text),         cmocka_unit_test(test_against_reference),
        cmocka_unit_test(test_credentials_rfc2617), cmocka_unit_test(test_credentials_malformed),
        cmocka_unit_test(test_round_trip),          cmocka_unit_test(test_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
