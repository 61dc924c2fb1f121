/* Unit tests for the SIP parser, header ids, value helpers and sb_buf (src/sip/msg.c, hdr.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sipbeat/errors.h"
#include "sipbeat/msg.h"

static sb_slice S(const char *s) {
    return (sb_slice){s, strlen(s)};
}

#define assert_slice(sl, lit)                                                                      \
    do {                                                                                           \
        sb_slice _s = (sl);                                                                        \
        if (!sb_slice_eq(_s, lit))                                                                 \
            fail_msg("slice \"%.*s\" != \"%s\"", (int)_s.n, _s.p ? _s.p : "", lit);                \
    } while (0)

#define SDP                                                                                        \
    "v=0\r\n"                                                                                      \
    "o=alice 2890844526 2890844526 IN IP4 192.0.2.10\r\n"                                          \
    "s=-\r\n"                                                                                      \
    "c=IN IP4 192.0.2.10\r\n"                                                                      \
    "t=0 0\r\n"                                                                                    \
    "m=audio 49170 RTP/AVP 0 8 101\r\n"                                                            \
    "a=rtpmap:0 PCMU/8000\r\n"                                                                     \
    "a=rtpmap:8 PCMA/8000\r\n"                                                                     \
    "a=rtpmap:101 telephone-event/8000\r\n"                                                        \
    "a=sendrecv\r\n"

/* SDP is 209 bytes; the test below checks that, so a typo here cannot go unnoticed. */
#define INVITE                                                                                     \
    "INVITE sip:bob@192.0.2.20:5060 SIP/2.0\r\n"                                                   \
    "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r\n"                           \
    "Max-Forwards: 70\r\n"                                                                         \
    "From: \"Alice, A.\" <sip:alice@192.0.2.10:5060>;tag=1928301774\r\n"                           \
    "To: Bob <sip:bob@192.0.2.20:5060>\r\n"                                                        \
    "Call-ID: a84b4c76e66710@192.0.2.10\r\n"                                                       \
    "CSeq: 314159 INVITE\r\n"                                                                      \
    "Contact: <sip:alice@192.0.2.10:5060;transport=udp>\r\n"                                       \
    "Supported: timer, 100rel\r\n"                                                                 \
    "Session-Expires: 1800;refresher=uac\r\n"                                                      \
    "Min-SE: 90\r\n"                                                                               \
    "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, PRACK\r\n"                                  \
    "Content-Type: application/sdp\r\n"                                                            \
    "Content-Length: 209\r\n"                                                                      \
    "\r\n" SDP

/* Mandatory headers for an OPTIONS request, reused by the table cases. */
#define VIA1 "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc\r\n"
#define FROM1 "From: <sip:a@x>;tag=f1\r\n"
#define TO1 "To: <sip:b@y>\r\n"
#define CID1 "Call-ID: c1@x\r\n"
#define CSEQ1 "CSeq: 1 OPTIONS\r\n"
#define RL "OPTIONS sip:b@y SIP/2.0\r\n"
#define END "Content-Length: 0\r\n\r\n"
#define OPT RL VIA1 FROM1 TO1 CID1 CSEQ1 END

static sb_msg msg; /* 4 KB: keep it off the test's stack */

/* Parses from an exact-size heap copy so ASan catches any read past the end. */
static ptrdiff_t parse(const char *text, size_t len, bool datagram) {
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, text, len);
    ptrdiff_t rc = sb_msg_parse(&msg, copy, len, datagram);
    /* Slices point into copy; the table tests only look at rc and msg.error after this. */
    free(copy);
    return rc;
}

/* ---- Header and method ids ---------------------------------------------------------------- */

static void upper_lower(const char *in, char *up, char *low) {
    size_t i = 0;
    for (; in[i]; i++) {
        up[i] = (char)((in[i] >= 'a' && in[i] <= 'z') ? in[i] - 32 : in[i]);
        low[i] = (char)((in[i] >= 'A' && in[i] <= 'Z') ? in[i] + 32 : in[i]);
    }
    up[i] = low[i] = '\0';
}

static void test_hdr_lookup(void **state) {
    (void)state;
    static const struct {
        sb_hdr_id id;
        const char *name;
        char compact;
    } map[] = {
#define ROW(id, name, compact) {SB_HDR_##id, name, compact},
        SB_HDR_MAP(ROW)
#undef ROW
    };
    int compacts = 0;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        char up[32], low[32];
        upper_lower(map[i].name, up, low);
        assert_int_equal(sb_hdr_lookup(map[i].name, strlen(map[i].name)), map[i].id);
        assert_int_equal(sb_hdr_lookup(up, strlen(up)), map[i].id);
        assert_int_equal(sb_hdr_lookup(low, strlen(low)), map[i].id);
        assert_string_equal(sb_hdr_name(map[i].id), map[i].name);
        /* One byte short or one byte off must not match ("T" is To's compact form). */
        if (strlen(map[i].name) > 2)
            assert_int_not_equal(sb_hdr_lookup(map[i].name, strlen(map[i].name) - 1), map[i].id);
        low[strlen(low) - 1] = '#';
        assert_int_equal(sb_hdr_lookup(low, strlen(low)), SB_HDR_OTHER);
        if (map[i].compact) {
            char c = map[i].compact, cu = (char)(c - 32);
            assert_int_equal(sb_hdr_lookup(&c, 1), map[i].id);
            assert_int_equal(sb_hdr_lookup(&cu, 1), map[i].id);
            compacts++;
        }
    }
    assert_int_equal(compacts, 15);
    assert_int_equal(sb_hdr_lookup("a", 1), SB_HDR_OTHER);
    assert_int_equal(sb_hdr_lookup("X-Custom", 8), SB_HDR_OTHER);
    assert_int_equal(sb_hdr_lookup("", 0), SB_HDR_OTHER);
    assert_null(sb_hdr_name(SB_HDR_OTHER));
    assert_null(sb_hdr_name(SB_HDR__COUNT));
}

static void test_method_lookup(void **state) {
    (void)state;
    for (int m = SB_METHOD_INVITE; m <= SB_METHOD_MESSAGE; m++) {
        const char *name = sb_method_name((sb_method)m);
        assert_non_null(name);
        assert_int_equal(sb_method_lookup(S(name)), m);
    }
    assert_string_equal(sb_method_name(SB_METHOD_PRACK), "PRACK");
    assert_null(sb_method_name(SB_METHOD_OTHER));
    /* Methods are case-sensitive (RFC 3261 §7.1). */
    assert_int_equal(sb_method_lookup(S("invite")), SB_METHOD_OTHER);
    assert_int_equal(sb_method_lookup(S("INVITEX")), SB_METHOD_OTHER);
    assert_int_equal(sb_method_lookup(S("PUBLISH")), SB_METHOD_OTHER);
    assert_int_equal(sb_method_lookup(S("")), SB_METHOD_OTHER);
}

/* ---- Whole messages ----------------------------------------------------------------------- */

static void check_invite(const char *buf) {
    assert_true(msg.is_request);
    assert_int_equal(msg.method, SB_METHOD_INVITE);
    assert_slice(msg.method_name, "INVITE");
    assert_slice(msg.uri, "sip:bob@192.0.2.20:5060");
    assert_int_equal(msg.nhdrs, 13);
    assert_slice(msg.call_id, "a84b4c76e66710@192.0.2.10");
    assert_slice(msg.from_tag, "1928301774");
    assert_int_equal(msg.to_tag.n, 0);
    assert_slice(msg.branch, "z9hG4bK776asdhds");
    assert_int_equal(msg.cseq, 314159);
    assert_int_equal(msg.cseq_method, SB_METHOD_INVITE);
    assert_slice(msg.cseq_method_name, "INVITE");
    assert_slice(msg.body, SDP);
    assert_ptr_equal(msg.body.p, buf + strlen(INVITE) - strlen(SDP));
    assert_null(msg.error);

    const sb_hdr *h = sb_msg_hdr(&msg, SB_HDR_SESSION_EXPIRES);
    assert_non_null(h);
    assert_slice(h->name, "Session-Expires");
    assert_slice(h->value, "1800;refresher=uac");
    assert_slice(sb_msg_hdr(&msg, SB_HDR_MAX_FORWARDS)->value, "70");
    assert_slice(sb_msg_hdr(&msg, SB_HDR_FROM)->value,
                 "\"Alice, A.\" <sip:alice@192.0.2.10:5060>;tag=1928301774");
    assert_null(sb_msg_hdr(&msg, SB_HDR_ROUTE));
    assert_null(sb_msg_hdr(&msg, SB_HDR_OTHER));
    assert_int_equal(msg.count[SB_HDR_VIA], 1);
    assert_int_equal(msg.count[SB_HDR_ROUTE], 0);
    assert_true(sb_msg_has_token(&msg, SB_HDR_SUPPORTED, "timer"));
    assert_true(sb_msg_has_token(&msg, SB_HDR_SUPPORTED, "100REL"));
    assert_false(sb_msg_has_token(&msg, SB_HDR_SUPPORTED, "time"));
    assert_false(sb_msg_has_token(&msg, SB_HDR_REQUIRE, "timer"));
    assert_true(sb_msg_has_token(&msg, SB_HDR_ALLOW, "PRACK"));
}

static void test_invite(void **state) {
    (void)state;
    const char *text = INVITE;
    size_t len = strlen(text);
    assert_int_equal(strlen(SDP), 209);
    assert_true(len > 700);
    assert_int_equal(sb_msg_parse(&msg, text, len, false), (ptrdiff_t)len);
    check_invite(text);
    assert_int_equal(sb_msg_parse(&msg, text, len, true), (ptrdiff_t)len);
    check_invite(text);
}

/* Every proper prefix of a valid message is incomplete on a stream, and malformed as a
 * datagram; neither may read past the end (the exact-size copy lets ASan check). */
static void test_every_truncation(void **state) {
    (void)state;
    const char *msgs[] = {INVITE, OPT,
                          "SIP/2.0 200 OK\r\n" VIA1 FROM1 "To: <sip:b@y>;tag=t9\r\n" CID1 CSEQ1
                          "Content-Length: 4\r\n\r\nabcd"};
    for (size_t k = 0; k < sizeof msgs / sizeof msgs[0]; k++) {
        size_t len = strlen(msgs[k]);
        for (size_t n = 0; n < len; n++) {
            ptrdiff_t rc = parse(msgs[k], n, false);
            if (rc != SB_EINCOMPLETE) fail_msg("msg %zu prefix %zu: stream rc %td", k, n, rc);
            rc = parse(msgs[k], n, true);
            if (rc != SB_EMALFORMED) fail_msg("msg %zu prefix %zu: datagram rc %td", k, n, rc);
            assert_non_null(msg.error);
        }
        assert_int_equal(parse(msgs[k], len, false), (ptrdiff_t)len);
        assert_int_equal(parse(msgs[k], len, true), (ptrdiff_t)len);
    }
}

static void test_response(void **state) {
    (void)state;
    const char *text =
        "SIP/2.0 180 Ringing\r\n"
        "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;received=192.0.2.9\r\n"
        "From: \"Alice\" <sip:alice@192.0.2.10>;tag=1928301774\r\n"
        "To: <sip:bob@192.0.2.20>;tag=a6c85cf\r\n"
        "Call-ID: a84b4c76e66710@192.0.2.10\r\n"
        "CSeq: 314159 INVITE\r\n"
        "Content-Length: 0\r\n\r\n";
    size_t len = strlen(text);
    assert_int_equal(sb_msg_parse(&msg, text, len, false), (ptrdiff_t)len);
    assert_false(msg.is_request);
    assert_int_equal(msg.status, 180);
    assert_slice(msg.reason, "Ringing");
    assert_int_equal(msg.method, SB_METHOD_INVITE);
    assert_slice(msg.to_tag, "a6c85cf");
    assert_slice(msg.from_tag, "1928301774");
    assert_int_equal(msg.body.n, 0);

    text = "SIP/2.0 422 Session Interval Too Small\r\n" VIA1 FROM1 "To: <sip:b@y>;tag=9\r\n" CID1
           "CSeq: 7 UPDATE\r\nMin-SE: 1800\r\n" END;
    len = strlen(text);
    assert_int_equal(sb_msg_parse(&msg, text, len, true), (ptrdiff_t)len);
    assert_int_equal(msg.status, 422);
    assert_slice(msg.reason, "Session Interval Too Small");
    assert_int_equal(msg.method, SB_METHOD_UPDATE);
    assert_int_equal(msg.cseq, 7);

    /* An empty reason phrase is legal (Reason-Phrase = *(...)). */
    text = "SIP/2.0 200 \r\n" VIA1 FROM1 TO1 CID1 CSEQ1 END;
    len = strlen(text);
    assert_int_equal(sb_msg_parse(&msg, text, len, false), (ptrdiff_t)len);
    assert_int_equal(msg.status, 200);
    assert_int_equal(msg.reason.n, 0);
    assert_int_equal(msg.method, SB_METHOD_OPTIONS);
}

static void test_compact_forms(void **state) {
    (void)state;
    const char *text = "INVITE sip:b@y SIP/2.0\r\n"
                       "v: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bKc1\r\n"
                       "f: <sip:a@x>;tag=ff\r\n"
                       "t: <sip:b@y>;tag=tt\r\n"
                       "i: cid-compact\r\n"
                       "CSeq: 2 INVITE\r\n"
                       "m: <sip:a@192.0.2.1;transport=tcp>\r\n"
                       "k: timer\r\n"
                       "x: 600;Refresher=UAS\r\n"
                       "c: application/sdp\r\n"
                       "l: 3\r\n"
                       "\r\nabc";
    size_t len = strlen(text);
    assert_int_equal(sb_msg_parse(&msg, text, len, false), (ptrdiff_t)len);
    assert_slice(msg.call_id, "cid-compact");
    assert_slice(msg.from_tag, "ff");
    assert_slice(msg.to_tag, "tt");
    assert_slice(msg.branch, "z9hG4bKc1");
    assert_slice(msg.body, "abc");
    assert_slice(msg.hdrs[0].name, "v");
    assert_int_equal(msg.hdrs[0].id, SB_HDR_VIA);
    assert_true(sb_msg_has_token(&msg, SB_HDR_SUPPORTED, "timer"));
    const sb_hdr *x = sb_msg_hdr(&msg, SB_HDR_SESSION_EXPIRES);
    assert_non_null(x);
    uint32_t se = 0;
    sb_refresher r = SB_REFRESHER_NONE;
    assert_int_equal(sb_parse_session_expires(x->value, &se, &r, NULL), 0);
    assert_int_equal(se, 600);
    assert_int_equal(r, SB_REFRESHER_UAS);
    assert_non_null(sb_msg_hdr(&msg, SB_HDR_CONTACT));
    assert_non_null(sb_msg_hdr(&msg, SB_HDR_CONTENT_TYPE));
}

static void test_folding_and_lws(void **state) {
    (void)state;
    const char *text = "OPTIONS sip:b@y SIP/2.0\r\n"
                       "Via  :  SIP/2.0/UDP\r\n 192.0.2.1:5060\r\n\t;branch=z9hG4bKfold\r\n"
                       "From:<sip:a@x>;tag=f1\r\n"
                       "TO :\r\n <sip:b@y>\r\n"
                       "call-id:   c1@x   \r\n"
                       "cseq: 1\r\n  OPTIONS\r\n"
                       "Supported: 100rel,\r\n timer\r\n"
                       "Subject: first line\r\n\tsecond line\r\n"
                       "Content-Length: 0\r\n\r\n";
    size_t len = strlen(text);
    assert_int_equal(sb_msg_parse(&msg, text, len, false), (ptrdiff_t)len);
    assert_slice(msg.branch, "z9hG4bKfold");
    assert_slice(msg.call_id, "c1@x");
    assert_int_equal(msg.cseq, 1);
    assert_slice(msg.cseq_method_name, "OPTIONS");
    assert_slice(sb_msg_hdr(&msg, SB_HDR_TO)->value, "<sip:b@y>");
    assert_slice(sb_msg_hdr(&msg, SB_HDR_SUBJECT)->value, "first line\r\n\tsecond line");
    assert_true(sb_msg_has_token(&msg, SB_HDR_SUPPORTED, "timer"));
    assert_true(sb_msg_has_token(&msg, SB_HDR_SUPPORTED, "100rel"));
    sb_via v;
    assert_int_equal(sb_via_parse(sb_msg_hdr(&msg, SB_HDR_VIA)->value, &v), 0);
    assert_slice(v.host, "192.0.2.1");
    assert_int_equal(v.port, 5060);
}

static void test_ipv6_and_multi_via(void **state) {
    (void)state;
    const char *text = "BYE sip:bob@[2001:db8::20]:5070;transport=udp SIP/2.0\r\n"
                       "Via: SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bKv6a;rport=5061,"
                       " SIP/2.0/UDP [2001:db8::2];branch=z9hG4bKv6b\r\n"
                       "Via: SIP/2.0/TCP proxy.example.com:5060;branch=z9hG4bKv6c\r\n"
                       "From: <sip:alice@[2001:db8::1]>;tag=a\r\n"
                       "To: <sip:bob@[2001:db8::20]:5070>;tag=b\r\n"
                       "Call-ID: v6@[2001:db8::1]\r\n"
                       "CSeq: 2 BYE\r\n"
                       "Content-Length: 0\r\n\r\n";
    size_t len = strlen(text);
    assert_int_equal(sb_msg_parse(&msg, text, len, false), (ptrdiff_t)len);
    assert_int_equal(msg.method, SB_METHOD_BYE);
    assert_int_equal(msg.count[SB_HDR_VIA], 2);
    assert_slice(msg.branch, "z9hG4bKv6a");
    sb_slice host;
    uint16_t port;
    assert_int_equal(sb_uri_hostport(msg.uri, &host, &port), 0);
    assert_slice(host, "[2001:db8::20]");
    assert_int_equal(port, 5070);

    /* Walk every Via hop: both list items of the first line, then the second line. */
    const char *want[] = {"z9hG4bKv6a", "z9hG4bKv6b", "z9hG4bKv6c"};
    size_t k = 0;
    for (unsigned i = 0; i < msg.nhdrs; i++) {
        if (msg.hdrs[i].id != SB_HDR_VIA) continue;
        size_t pos = 0;
        sb_slice item;
        while (sb_list_next(msg.hdrs[i].value, &pos, &item)) {
            sb_via v;
            assert_int_equal(sb_via_parse(item, &v), 0);
            assert_true(k < 3);
            assert_slice(v.branch, want[k]);
            k++;
        }
    }
    assert_int_equal(k, 3);
}

static void test_two_messages_on_a_stream(void **state) {
    (void)state;
    const char *text = "\r\n\r\n" OPT "SIP/2.0 100 Trying\r\n" VIA1 FROM1 TO1 CID1 CSEQ1 END;
    size_t len = strlen(text);
    ptrdiff_t n1 = sb_msg_parse(&msg, text, len, false);
    /* The leading keep-alive CRLFs belong to the first message's byte count. */
    assert_int_equal(n1, (ptrdiff_t)(4 + strlen(OPT)));
    assert_true(msg.is_request);
    ptrdiff_t n2 = sb_msg_parse(&msg, text + n1, len - (size_t)n1, false);
    assert_int_equal(n2, (ptrdiff_t)(len - (size_t)n1));
    assert_int_equal(msg.status, 100);
    assert_int_equal(sb_msg_parse(&msg, "\r\n\r\n", 4, false), SB_EINCOMPLETE);
}

typedef struct {
    const char *name;
    const char *text;
    bool datagram;
    ptrdiff_t want; /* > 0: bytes consumed; 0: the whole text; < 0: that error */
    const char *err;
} pcase;

static const pcase cases[] = {
    {"options", OPT, false, 0, NULL},
    {"options datagram", OPT, true, 0, NULL},
    {"bare LF line ends",
     "OPTIONS sip:b@y SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nFrom: <sip:a@x>;tag=1\n"
     "To: <sip:b@y>\nCall-ID: 1\nCSeq: 1 OPTIONS\nContent-Length: 2\n\nhi",
     false, 0, NULL},
    {"extra spaces in request line",
     "OPTIONS  sip:b@y   SIP/2.0 \r\n" VIA1 FROM1 TO1 CID1 CSEQ1 END, false, 0, NULL},
    {"lowercase version", "OPTIONS sip:b@y sip/2.0\r\n" VIA1 FROM1 TO1 CID1 CSEQ1 END, false, 0,
     NULL},
    {"unknown method", "FOO sip:b@y SIP/2.0\r\n" VIA1 FROM1 TO1 CID1 "CSeq: 1 FOO\r\n" END, false,
     0, NULL},
    {"unknown header kept", RL VIA1 FROM1 TO1 CID1 CSEQ1 "X-Thing: a, \"b,c\"\r\n" END, false, 0,
     NULL},
    {"datagram without Content-Length", RL VIA1 FROM1 TO1 CID1 CSEQ1 "\r\nbody", true, 0, NULL},
    {"datagram bytes past Content-Length dropped",
     RL VIA1 FROM1 TO1 CID1 CSEQ1 "Content-Length: 2\r\n\r\nhijunk", true,
     (ptrdiff_t)(sizeof(RL VIA1 FROM1 TO1 CID1 CSEQ1 "Content-Length: 2\r\n\r\nhi") - 1), NULL},
    {"agreeing duplicate Content-Length", RL VIA1 FROM1 TO1 CID1 CSEQ1 "l: 0\r\n" END, false, 0,
     NULL},
    {"stream body incomplete", RL VIA1 FROM1 TO1 CID1 CSEQ1 "Content-Length: 10\r\n\r\nabc", false,
     SB_EINCOMPLETE, NULL},
    {"datagram body short", RL VIA1 FROM1 TO1 CID1 CSEQ1 "Content-Length: 10\r\n\r\nabc", true,
     SB_EMALFORMED, "body shorter than Content-Length"},
    {"conflicting Content-Length", RL VIA1 FROM1 TO1 CID1 CSEQ1 "l: 1\r\n" END, false,
     SB_EMALFORMED, "conflicting Content-Length"},
    {"non-numeric Content-Length", RL VIA1 FROM1 TO1 CID1 CSEQ1 "Content-Length: ten\r\n\r\n",
     false, SB_EMALFORMED, "bad Content-Length"},
    {"negative Content-Length", RL VIA1 FROM1 TO1 CID1 CSEQ1 "Content-Length: -1\r\n\r\n", true,
     SB_EMALFORMED, "bad Content-Length"},
    {"huge Content-Length",
     RL VIA1 FROM1 TO1 CID1 CSEQ1 "Content-Length: 99999999999999999999\r\n\r\n", false,
     SB_EMALFORMED, "message too large"},
    {"stream without Content-Length", RL VIA1 FROM1 TO1 CID1 CSEQ1 "\r\n", false, SB_EMALFORMED,
     "missing Content-Length on a stream"},
    {"missing Via", RL FROM1 TO1 CID1 CSEQ1 END, false, SB_EMALFORMED, "missing Via"},
    {"missing From", RL VIA1 TO1 CID1 CSEQ1 END, false, SB_EMALFORMED, "missing From"},
    {"missing To", RL VIA1 FROM1 CID1 CSEQ1 END, false, SB_EMALFORMED, "missing To"},
    {"missing Call-ID", RL VIA1 FROM1 TO1 CSEQ1 END, false, SB_EMALFORMED, "missing Call-ID"},
    {"missing CSeq", RL VIA1 FROM1 TO1 CID1 END, false, SB_EMALFORMED, "missing CSeq"},
    {"response missing Via", "SIP/2.0 200 OK\r\n" FROM1 TO1 CID1 CSEQ1 END, true, SB_EMALFORMED,
     "missing Via"},
    {"duplicate Call-ID", RL VIA1 FROM1 TO1 CID1 "i: other\r\n" CSEQ1 END, false, SB_EMALFORMED,
     "duplicate Call-ID"},
    {"empty Call-ID", RL VIA1 FROM1 TO1 "Call-ID:\r\n" CSEQ1 END, false, SB_EMALFORMED,
     "bad Call-ID"},
    {"CSeq without method", RL VIA1 FROM1 TO1 CID1 "CSeq: 1\r\n" END, false, SB_EMALFORMED,
     "bad CSeq"},
    {"CSeq not a number", RL VIA1 FROM1 TO1 CID1 "CSeq: one OPTIONS\r\n" END, false, SB_EMALFORMED,
     "bad CSeq"},
    {"CSeq 2^31", RL VIA1 FROM1 TO1 CID1 "CSeq: 2147483648 OPTIONS\r\n" END, false, SB_EMALFORMED,
     "bad CSeq"},
    {"CSeq 2^31-1", RL VIA1 FROM1 TO1 CID1 "CSeq: 2147483647 OPTIONS\r\n" END, false, 0, NULL},
    {"CSeq trailing junk", RL VIA1 FROM1 TO1 CID1 "CSeq: 1 OPTIONS x\r\n" END, false, SB_EMALFORMED,
     "bad CSeq"},
    {"CSeq method mismatch", RL VIA1 FROM1 TO1 CID1 "CSeq: 1 INVITE\r\n" END, false, SB_EMALFORMED,
     "CSeq method does not match request method"},
    {"CSeq method case differs", RL VIA1 FROM1 TO1 CID1 "CSeq: 1 options\r\n" END, false,
     SB_EMALFORMED, "CSeq method does not match request method"},
    {"bad Via protocol", RL "Via: SIP/3.0/UDP h;branch=z9hG4bK1\r\n" FROM1 TO1 CID1 CSEQ1 END,
     false, SB_EMALFORMED, "bad Via"},
    {"bad version", "OPTIONS sip:b@y SIP/3.0\r\n" VIA1 FROM1 TO1 CID1 CSEQ1 END, false,
     SB_EMALFORMED, "bad SIP version"},
    {"missing version", "OPTIONS sip:b@y\r\n" VIA1 FROM1 TO1 CID1 CSEQ1 END, false, SB_EMALFORMED,
     "bad SIP version"},
    {"junk after version", "OPTIONS sip:b@y SIP/2.0 x\r\n" VIA1 FROM1 TO1 CID1 CSEQ1 END, false,
     SB_EMALFORMED, "bad request line"},
    {"bad method char", "OPT(ONS sip:b@y SIP/2.0\r\n" VIA1 FROM1 TO1 CID1 CSEQ1 END, false,
     SB_EMALFORMED, "bad method"},
    {"response version", "SIP/2.1 200 OK\r\n" VIA1 FROM1 TO1 CID1 CSEQ1 END, false, SB_EMALFORMED,
     "bad SIP version"},
    {"status 2 digits", "SIP/2.0 20 OK\r\n" VIA1 FROM1 TO1 CID1 CSEQ1 END, false, SB_EMALFORMED,
     "bad status code"},
    {"status 4 digits", "SIP/2.0 2000 OK\r\n" VIA1 FROM1 TO1 CID1 CSEQ1 END, false, SB_EMALFORMED,
     "bad status code"},
    {"status 099", "SIP/2.0 099 OK\r\n" VIA1 FROM1 TO1 CID1 CSEQ1 END, false, SB_EMALFORMED,
     "bad status code"},
    {"status 700", "SIP/2.0 700 OK\r\n" VIA1 FROM1 TO1 CID1 CSEQ1 END, false, SB_EMALFORMED,
     "bad status code"},
    {"header without colon", RL VIA1 "From <sip:a@x>;tag=1\r\n" TO1 CID1 CSEQ1 END, false,
     SB_EMALFORMED, "header without colon"},
    {"space inside header name", RL VIA1 "Call ID: x\r\n" FROM1 TO1 CID1 CSEQ1 END, false,
     SB_EMALFORMED, "header without colon"},
    {"bad header name", RL VIA1 "@x: y\r\n" FROM1 TO1 CID1 CSEQ1 END, false, SB_EMALFORMED,
     "bad header name"},
    {"fold before any header", RL " Via: SIP/2.0/UDP h\r\n" FROM1 TO1 CID1 CSEQ1 END, false,
     SB_EMALFORMED, "continuation line before any header"},
    {"bare CR ends headers", RL VIA1 FROM1 TO1 CID1 CSEQ1 "Content-Length: 0\r\n\rx\r\n", false,
     SB_EMALFORMED, "bare CR in header block"},
    {"empty datagram", "", true, SB_EMALFORMED, "empty datagram"},
    {"headers cut in datagram", RL VIA1 FROM1, true, SB_EMALFORMED, "truncated header block"},
};

static void test_table(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const pcase *c = &cases[i];
        size_t len = strlen(c->text);
        ptrdiff_t want = c->want == 0 ? (ptrdiff_t)len : c->want;
        ptrdiff_t rc = parse(c->text, len, c->datagram);
        if (rc != want)
            fail_msg("case \"%s\": rc %td, want %td (error: %s)", c->name, rc, want,
                     msg.error ? msg.error : "-");
        if (c->err != NULL) {
            if (msg.error == NULL || strcmp(msg.error, c->err) != 0)
                fail_msg("case \"%s\": error \"%s\", want \"%s\"", c->name,
                         msg.error ? msg.error : "(null)", c->err);
            assert_true(msg.error_offset <= len);
        } else if (rc >= 0) {
            assert_null(msg.error);
        }
    }
}

static void test_error_offset(void **state) {
    (void)state;
    const char *text = RL VIA1 FROM1 TO1 CID1 "CSeq: x OPTIONS\r\n" END;
    assert_int_equal(sb_msg_parse(&msg, text, strlen(text), false), SB_EMALFORMED);
    assert_string_equal(msg.error, "bad CSeq");
    assert_int_equal(msg.error_offset, strlen(RL VIA1 FROM1 TO1 CID1));
}

/* Builds a request with extra_hdrs additional "X-N: v" lines into a heap buffer. */
static char *with_extra_headers(int extra_hdrs, size_t *len) {
    size_t cap = 200 + (size_t)extra_hdrs * 16 + sizeof(OPT);
    char *buf = malloc(cap);
    assert_non_null(buf);
    size_t n = (size_t)snprintf(buf, cap, "%s", RL VIA1 FROM1 TO1 CID1 CSEQ1);
    for (int i = 0; i < extra_hdrs; i++)
        n += (size_t)snprintf(buf + n, cap - n, "X-%d: v\r\n", i);
    n += (size_t)snprintf(buf + n, cap - n, "%s", END);
    *len = n;
    return buf;
}

static void test_limits(void **state) {
    (void)state;
    size_t len;
    /* 6 mandatory lines incl. Content-Length: 90 extra lines reach the cap exactly. */
    char *buf = with_extra_headers(SB_MSG_MAX_HDRS - 6, &len);
    assert_int_equal(sb_msg_parse(&msg, buf, len, false), (ptrdiff_t)len);
    assert_int_equal(msg.nhdrs, SB_MSG_MAX_HDRS);
    assert_int_equal(msg.count[SB_HDR_OTHER], SB_MSG_MAX_HDRS - 6);
    free(buf);
    buf = with_extra_headers(SB_MSG_MAX_HDRS - 5, &len);
    assert_int_equal(sb_msg_parse(&msg, buf, len, false), SB_EMALFORMED);
    assert_string_equal(msg.error, "too many headers");
    free(buf);

    /* A body that makes the whole message one byte over the cap. */
    size_t head = strlen(RL VIA1 FROM1 TO1 CID1 CSEQ1) + strlen("Content-Length: 65535\r\n\r\n");
    size_t body = SB_MSG_MAX_SIZE - head + 1;
    size_t total = head + body;
    buf = malloc(total);
    assert_non_null(buf);
    int h =
        snprintf(buf, total, "%sContent-Length: %5zu\r\n\r\n", RL VIA1 FROM1 TO1 CID1 CSEQ1, body);
    assert_int_equal((size_t)h, head);
    memset(buf + head, 'a', body);
    assert_int_equal(sb_msg_parse(&msg, buf, total, false), SB_EMALFORMED);
    assert_string_equal(msg.error, "message too large");
    assert_int_equal(sb_msg_parse(&msg, buf, total, true), SB_EMALFORMED);
    assert_string_equal(msg.error, "message too large");
    /* One byte less fits exactly. */
    snprintf(buf, total, "%sContent-Length: %5zu\r\n\r\n", RL VIA1 FROM1 TO1 CID1 CSEQ1, body - 1);
    assert_int_equal(sb_msg_parse(&msg, buf, total - 1, true), (ptrdiff_t)(total - 1));
    assert_int_equal(msg.body.n, body - 1);
    free(buf);

    /* A stream that never ends its header block must not be waited on forever. */
    buf = malloc(SB_MSG_MAX_SIZE + 10);
    assert_non_null(buf);
    memcpy(buf, RL, strlen(RL));
    memset(buf + strlen(RL), 'X', SB_MSG_MAX_SIZE + 10 - strlen(RL));
    assert_int_equal(sb_msg_parse(&msg, buf, SB_MSG_MAX_SIZE - 1, false), SB_EINCOMPLETE);
    assert_int_equal(sb_msg_parse(&msg, buf, SB_MSG_MAX_SIZE + 10, false), SB_EMALFORMED);
    assert_string_equal(msg.error, "message too large");
    free(buf);
}

/* ---- Value helpers ------------------------------------------------------------------------ */

static void test_list_next(void **state) {
    (void)state;
    static const struct {
        const char *value;
        const char *items[5];
    } cases[] = {
        {"100rel, timer", {"100rel", "timer"}},
        {"timer", {"timer"}},
        {"  a ,b,,  c  ", {"a", "b", "c"}},
        {"", {NULL}},
        {" , ", {NULL}},
        {"\"Doe, John\" <sip:j@x>;tag=1, <sip:k@y>",
         {"\"Doe, John\" <sip:j@x>;tag=1", "<sip:k@y>"}},
        {"<sip:a@x;p=1,2>, <sip:b@y>", {"<sip:a@x;p=1,2>", "<sip:b@y>"}},
        {"\"esc \\\" ,q\" <sip:a@x>,b", {"\"esc \\\" ,q\" <sip:a@x>", "b"}},
        {"a,\r\n b", {"a", "b"}},
        {"\"unterminated, x", {"\"unterminated, x"}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t pos = 0, k = 0;
        sb_slice item;
        sb_slice v = S(cases[i].value);
        while (sb_list_next(v, &pos, &item)) {
            assert_true(k < 5);
            assert_non_null(cases[i].items[k]);
            assert_slice(item, cases[i].items[k]);
            k++;
        }
        assert_null(cases[i].items[k]);
        assert_false(sb_list_next(v, &pos, &item)); /* stays done */
    }
}

static void test_param_get(void **state) {
    (void)state;
    static const struct {
        const char *s, *name, *value; /* value NULL: absent */
    } cases[] = {
        {"<sip:a@x>;tag=abc", "tag", "abc"},
        {"<sip:a@x>;TAG=abc", "tag", "abc"},
        {"<sip:a@x;tag=inner>;tag=outer", "tag", "outer"},
        {"<sip:a@x;tag=inner>", "tag", NULL},
        {"sip:a@x;tag=bare", "tag", "bare"}, /* addr-spec: params are the header's */
        {"\"a;tag=q\" <sip:a@x>", "tag", NULL},
        {"\"a;tag=q\" <sip:a@x> ; tag = sp ", "tag", "sp"},
        {"SIP/2.0/UDP h;rport;branch=z9hG4bK1", "rport", ""},
        {"SIP/2.0/UDP h;rport;branch=z9hG4bK1", "branch", "z9hG4bK1"},
        {"SIP/2.0/UDP h;branch=z9hG4bK1", "branc", NULL},
        {"SIP/2.0/UDP h;branch=z9hG4bK1", "branch1", NULL},
        {"1800;refresher=uac", "refresher", "uac"},
        {"x;a=\"quoted;v\";b=2", "a", "\"quoted;v\""},
        {"x;a=\"quoted;v\";b=2", "b", "2"},
        {"x;a=1, y;b=2", "b", NULL}, /* stops at the end of the first list item */
        {"no params", "tag", NULL},
        {"", "tag", NULL},
        {"x;", "tag", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sb_slice v = {NULL, 99};
        bool found = sb_param_get(S(cases[i].s), cases[i].name, &v);
        if (found != (cases[i].value != NULL))
            fail_msg("param case %zu (%s / %s): found=%d", i, cases[i].s, cases[i].name, found);
        if (found) assert_slice(v, cases[i].value);
    }
    assert_true(sb_param_get(S("a;lr"), "lr", NULL));

    /* Absent values are {NULL, 0}; every helper must accept them. */
    const sb_slice none = {NULL, 0};
    size_t pos = 0;
    sb_slice item;
    sb_via via;
    uint32_t n;
    assert_false(sb_param_get(none, "tag", &item));
    assert_false(sb_list_next(none, &pos, &item));
    assert_int_equal(sb_nameaddr_uri(none).n, 0);
    assert_int_equal(sb_via_parse(none, &via), SB_EMALFORMED);
    assert_int_equal(sb_uri_hostport(none, &item, NULL), SB_EMALFORMED);
    assert_int_equal(sb_parse_min_se(none, &n), SB_EMALFORMED);
}

static void test_nameaddr_uri(void **state) {
    (void)state;
    static const struct {
        const char *in, *uri;
    } cases[] = {
        {"\"Bob\" <sip:bob@biloxi.com>;tag=a6c85cf", "sip:bob@biloxi.com"},
        {"Bob Smith <sip:bob@biloxi.com;transport=tcp>;tag=1", "sip:bob@biloxi.com;transport=tcp"},
        {"<sip:bob@biloxi.com>", "sip:bob@biloxi.com"},
        {"  < sip:bob@biloxi.com >  ", "sip:bob@biloxi.com"},
        {"sip:bob@biloxi.com;tag=1", "sip:bob@biloxi.com"},
        {"sip:bob@biloxi.com", "sip:bob@biloxi.com"},
        {"\"<not> a uri, ;\" <sip:c@d>", "sip:c@d"},
        {"\"quote \\\" <x>\" <sip:e@f>", "sip:e@f"},
        {"<sip:[2001:db8::1]:5060>;tag=9", "sip:[2001:db8::1]:5060"},
        {"*", "*"},
        {"<sip:unterminated", ""},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_slice(sb_nameaddr_uri(S(cases[i].in)), cases[i].uri);
}

static void test_via_parse(void **state) {
    (void)state;
    sb_via v;
    assert_int_equal(
        sb_via_parse(S("SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK77;rport;received=192.0.2.9"), &v),
        0);
    assert_slice(v.transport, "UDP");
    assert_slice(v.host, "192.0.2.1");
    assert_int_equal(v.port, 5060);
    assert_slice(v.branch, "z9hG4bK77");
    assert_slice(v.received, "192.0.2.9");
    assert_true(v.rport);

    assert_int_equal(sb_via_parse(S("SIP / 2.0 / TCP  [2001:db8::1]:5070 ;branch=z9hG4bKx"), &v),
                     0);
    assert_slice(v.transport, "TCP");
    assert_slice(v.host, "[2001:db8::1]");
    assert_int_equal(v.port, 5070);
    assert_slice(v.branch, "z9hG4bKx");
    assert_false(v.rport);
    assert_int_equal(v.received.n, 0);

    assert_int_equal(sb_via_parse(S("sip/2.0/tls host.example.com : 5061"), &v), 0);
    assert_slice(v.host, "host.example.com");
    assert_int_equal(v.port, 5061);
    assert_int_equal(v.branch.n, 0);

    assert_int_equal(sb_via_parse(S("SIP/2.0/UDP [::1];rport=5062"), &v), 0);
    assert_slice(v.host, "[::1]");
    assert_int_equal(v.port, 0);
    assert_true(v.rport);

    /* Only the top hop of a comma list is parsed. */
    assert_int_equal(
        sb_via_parse(S("SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2"), &v), 0);
    assert_slice(v.host, "a");
    assert_slice(v.branch, "z9hG4bK1");

    const char *bad[] = {
        "",
        "SIP/2.0/UDP",
        "SIP/2.0/UDP ",
        "SIP/2.0 192.0.2.1",
        "SIP/1.0/UDP h",
        "HTTP/2.0/UDP h",
        "SIP/2.0/UDPh",
        "SIP/2.0/UDP h:",
        "SIP/2.0/UDP h:65536",
        "SIP/2.0/UDP h:50x60",
        "SIP/2.0/UDP [2001:db8::1",
        "SIP/2.0/UDP []",
        "SIP/2.0/UDP h junk",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (sb_via_parse(S(bad[i]), &v) != SB_EMALFORMED) fail_msg("via \"%s\" accepted", bad[i]);
}

static void test_uri_hostport(void **state) {
    (void)state;
    static const struct {
        const char *uri, *host;
        uint16_t port;
    } good[] = {
        {"sip:user@host.example.com:5080;transport=tcp?Subject=x", "host.example.com", 5080},
        {"sip:host.example.com", "host.example.com", 0},
        {"sips:alice@192.0.2.4", "192.0.2.4", 0},
        {"SIP:alice@192.0.2.4:5060", "192.0.2.4", 5060},
        {"sip:[::1]:5070", "[::1]", 5070},
        {"sip:bob@[2001:db8::20];lr", "[2001:db8::20]", 0},
        {"sip:alice:secret@atlanta.com;maddr=1.2.3.4", "atlanta.com", 0},
        {"sip:+1-212-555-1212;npdi@gw.example.com;user=phone", "gw.example.com", 0},
        {"<sip:a@b:1>", "b", 1},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        sb_slice host;
        uint16_t port = 1234;
        if (sb_uri_hostport(S(good[i].uri), &host, &port) != 0)
            fail_msg("uri \"%s\" rejected", good[i].uri);
        assert_slice(host, good[i].host);
        assert_int_equal(port, good[i].port);
    }
    const char *bad[] = {"",        "tel:+12125551212", "sip:",       "sip:user@", "sip:h:99999",
                         "sip:h:x", "sip:[::1",         "sip:h junk", "http://x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sb_slice host;
        uint16_t port;
        if (sb_uri_hostport(S(bad[i]), &host, &port) != SB_EMALFORMED)
            fail_msg("uri \"%s\" accepted", bad[i]);
    }
}

static void test_session_expires(void **state) {
    (void)state;
    static const struct {
        const char *v;
        int rc;
        uint32_t se;
        sb_refresher r;
        bool bogus;
    } cases[] = {
        {"1800;refresher=uac", 0, 1800, SB_REFRESHER_UAC, false},
        {"1800;refresher=uas", 0, 1800, SB_REFRESHER_UAS, false},
        {"1800", 0, 1800, SB_REFRESHER_NONE, false},
        {" 90 ", 0, 90, SB_REFRESHER_NONE, false},
        {"1800;refresher=UAC", 0, 1800, SB_REFRESHER_UAC, false},
        {"1800;REFRESHER=Uas", 0, 1800, SB_REFRESHER_UAS, false},
        {"1800 ; refresher = uac", 0, 1800, SB_REFRESHER_UAC, false},
        {"1800;refresher=bogus", 0, 1800, SB_REFRESHER_NONE, true},
        {"1800;refresher", 0, 1800, SB_REFRESHER_NONE, true},
        {"1800;foo=bar;refresher=uas;baz", 0, 1800, SB_REFRESHER_UAS, false},
        {"1800;foo=bar", 0, 1800, SB_REFRESHER_NONE, false},
        {"0", 0, 0, SB_REFRESHER_NONE, false}, /* syntax only: the 90 s floor is policy */
        {"4294967295", 0, UINT32_MAX, SB_REFRESHER_NONE, false},
        {"4294967296", 0, UINT32_MAX, SB_REFRESHER_NONE, false}, /* HDR-8: saturates */
        {"99999999999999999999999;refresher=uas", 0, UINT32_MAX, SB_REFRESHER_UAS, false},
        {"-1", SB_EMALFORMED, 0, 0, false},
        {"+5", SB_EMALFORMED, 0, 0, false},
        {"abc", SB_EMALFORMED, 0, 0, false},
        {"18 00", SB_EMALFORMED, 0, 0, false},
        {"1800x", SB_EMALFORMED, 0, 0, false},
        {"", SB_EMALFORMED, 0, 0, false},
        {";refresher=uac", SB_EMALFORMED, 0, 0, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t se = 7;
        sb_refresher r = (sb_refresher)9;
        bool bogus = !cases[i].bogus;
        int rc = sb_parse_session_expires(S(cases[i].v), &se, &r, &bogus);
        if (rc != cases[i].rc) fail_msg("SE \"%s\": rc %d", cases[i].v, rc);
        if (rc == 0) {
            assert_int_equal(se, cases[i].se);
            assert_int_equal(r, cases[i].r);
            assert_int_equal(bogus, cases[i].bogus);
        } else {
            assert_int_equal(se, 7); /* outputs untouched on error */
        }
        /* Min-SE shares the delta-seconds rule; its parameters are ignored. */
        uint32_t min_se = 7;
        assert_int_equal(sb_parse_min_se(S(cases[i].v), &min_se), cases[i].rc);
        if (rc == 0) assert_int_equal(min_se, cases[i].se);
    }
    /* bogus_refresher may be NULL. */
    uint32_t se;
    sb_refresher r;
    assert_int_equal(sb_parse_session_expires(S("600;refresher=xyz"), &se, &r, NULL), 0);
    assert_int_equal(se, 600);
    assert_int_equal(r, SB_REFRESHER_NONE);
}

static void test_buf(void **state) {
    (void)state;
    char mem[64];
    sb_buf b;
    sb_buf_init(&b, mem, sizeof mem);
    sb_buf_str(&b, "INVITE ");
    sb_buf_slice(&b, S("sip:b@y"));
    sb_buf_put(&b, " SIP/2.0\r\n", 10);
    sb_buf_hdr(&b, "CSeq", S("1 INVITE"));
    sb_buf_u64(&b, 0);
    sb_buf_str(&b, " ");
    sb_buf_u64(&b, UINT64_MAX);
    assert_false(b.overflow);
    const char *want = "INVITE sip:b@y SIP/2.0\r\nCSeq: 1 INVITE\r\n0 18446744073709551615";
    assert_int_equal(b.len, strlen(want));
    assert_memory_equal(mem, want, b.len);

    /* Overflow: nothing partial is written and the flag sticks. */
    sb_buf_init(&b, mem, 8);
    sb_buf_str(&b, "12345");
    sb_buf_str(&b, "6789");
    assert_true(b.overflow);
    assert_int_equal(b.len, 5);
    sb_buf_str(&b, "a");
    assert_int_equal(b.len, 5);
    assert_true(b.overflow);

    sb_buf_init(&b, mem, 2);
    sb_buf_u64(&b, 123);
    assert_true(b.overflow);
    assert_int_equal(b.len, 0);

    /* What we write, we parse back. */
    char out[512];
    sb_buf_init(&b, out, sizeof out);
    sb_buf_str(&b, "BYE sip:b@y SIP/2.0\r\n");
    sb_buf_hdr(&b, "Via", S("SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKw"));
    sb_buf_hdr(&b, "From", S("<sip:a@x>;tag=1"));
    sb_buf_hdr(&b, "To", S("<sip:b@y>;tag=2"));
    sb_buf_hdr(&b, "Call-ID", S("w@x"));
    sb_buf_str(&b, "CSeq: ");
    sb_buf_u64(&b, 2147483647);
    sb_buf_str(&b, " BYE\r\n");
    sb_buf_hdr(&b, "Content-Length", S("0"));
    sb_buf_str(&b, "\r\n");
    assert_false(b.overflow);
    assert_int_equal(sb_msg_parse(&msg, out, b.len, false), (ptrdiff_t)b.len);
    assert_int_equal(msg.cseq, 2147483647u);
    assert_slice(msg.to_tag, "2");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hdr_lookup),
        cmocka_unit_test(test_method_lookup),
        cmocka_unit_test(test_invite),
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_response),
        cmocka_unit_test(test_compact_forms),
        cmocka_unit_test(test_folding_and_lws),
        cmocka_unit_test(test_ipv6_and_multi_via),
        cmocka_unit_test(test_two_messages_on_a_stream),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_error_offset),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_list_next),
        cmocka_unit_test(test_param_get),
        cmocka_unit_test(test_nameaddr_uri),
        cmocka_unit_test(test_via_parse),
        cmocka_unit_test(test_uri_hostport),
        cmocka_unit_test(test_session_expires),
        cmocka_unit_test(test_buf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
