/* RFC 4475 and RFC 5118 torture messages through the SIP parser (src/sip/msg.c). */
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

/* The messages live in tests/data/torture/<name>.sip, bit-exact from the RFCs' appendix
 * archives (see the README there). CMake passes unit tests no arguments, so the directory is
 * found from this file's own path: CMake compiles with absolute paths, which also holds for
 * out-of-tree builds. */

/* What the parser must do with a whole message in one transport mode. */
typedef enum {
    SAME = 0,   /* stream: same as datagram */
    VALID,      /* must parse, with the fields in the row */
    INVALID,    /* must be SB_EMALFORMED */
    EITHER,     /* RFC 4475 lets a liberal parser accept it; when accepted, the row holds */
    INCOMPLETE, /* must be SB_EINCOMPLETE (stream only) */
} expect;

typedef struct {
    const char *name; /* file stem */
    const char *ref;  /* RFC section */
    expect dg, st;
    /* Checked whenever the message is accepted; NULL / -1 = not checked. */
    const char *method; /* request method; NULL for a response */
    int status;         /* response status; 0 for a request */
    const char *uri;
    const char *call_id;
    long cseq;
    const char *cseq_method;
    int vias; /* Via values, over all Via lines */
    const char *branch, *from_tag, *to_tag;
    long body;                     /* body length */
    long bytes;                    /* return value: bytes the message occupies */
    const char *from_uri, *to_uri; /* sb_nameaddr_uri of From/To: "reasonable inference" */
} tcase;

#define NOCHECK .cseq = -1, .vias = -1, .body = -1, .bytes = -1

/* clang-format off */
static const tcase cases[] = {
    /* ---- RFC 4475 §3.1.1: valid messages ------------------------------------------------- */
    {"wsinv", "4475 3.1.1.1 short tortuous INVITE", VALID, SAME, "INVITE", 0,
     "sip:vivekg@chair-dnrc.example.com;unknownparam", "wsinv.ndaksdj@192.0.2.1", 9, "INVITE",
     3, "390skdjuw", "98asjd8", "1918181833n", 150, 1001,
     "sip:jdrosen@example.com", "sip:vivekg@chair-dnrc.example.com"},
    {"intmeth", "4475 3.1.1.2 wide range of valid characters", VALID, SAME,
     "!interesting-Method0123456789_*+`.%indeed'~", 0,
     "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too."
     "(doesn't-it)@example.com",
     "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{", 139122385,
     "!interesting-Method0123456789_*+`.%indeed'~", 1, "z9hG4bK-.!%66*_+`'~",
     "_token~1'+`*%!-.", "", 0, 641, "sip:mundane@example.com",
     "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com"},
    {"esc01", "4475 3.1.1.3 valid % escaping", VALID, SAME, "INVITE", 0,
     "sip:sips%3Auser%40example.com@example.net", "esc01.239409asdfakjkn23onasd0-3234", 234234,
     "INVITE", 1, "z9hG4bKkdjuw", "938", "", 150, 543,
     "sip:I%20have%20spaces@example.net", "sip:%75se%72@example.com"},
    {"escnull", "4475 3.1.1.4 escaped nulls in URIs", VALID, SAME, "REGISTER", 0,
     "sip:example.com", "escnull.39203ndfvkjdasfkq3w4otrq0adsfdfnavd", 14398234, "REGISTER", 1,
     "z9hG4bKkdjuw", "839923423", "", 0, 359, NULL, "sip:null-%00-null@example.com"},
    {"esc02", "4475 3.1.1.5 % that is not an escape", VALID, SAME, "RE%47IST%45R", 0,
     "sip:registrar.example.com", "esc02.asdfnqwo34rq23i34jrjasdcnl23nrlknsdf", 29344,
     "RE%47IST%45R", 1, "z9hG4bK209%fzsnel234", "f232jadfj23", "", 0, 439,
     "sip:resource@example.com", "sip:resource@example.com"},
    {"lwsdisp", "4475 3.1.1.6 no LWS between display name and <", VALID, SAME, "OPTIONS", 0,
     "sip:user@example.com", "lwsdisp.1234abcd@funky.example.com", 60, "OPTIONS", 1,
     "z9hG4bKkdjuw", "323", "", 0, 255, "sip:caller@example.com", NULL},
    {"longreq", "4475 3.1.1.7 long values in header fields", VALID, SAME, "INVITE", 0,
     "sip:user@example.com",
     "longreq.onereallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreallyreally"
     "reallyreallyreallyreallyreallyreallyreallyreallylongcallid",
     3882340, "INVITE", 34, "", NULL, "", 150, 3515, NULL, NULL},
    /* The REGISTER ends at byte 300; the rest of the datagram must be ignored. */
    {"dblreq", "4475 3.1.1.8 extra trailing octets in a UDP datagram", VALID, SAME, "REGISTER",
     0, "sip:example.com", "dblreq.0ha0isndaksdj99sdfafnl3lk233412", 8, "REGISTER", 1,
     "z9hG4bKkdjuw23492", "43251j3j324", "", 0, 300, NULL, NULL},
    {"semiuri", "4475 3.1.1.9 semicolons in URI user part", VALID, SAME, "OPTIONS", 0,
     "sip:user;par=u%40example.net@example.com", "semiuri.0ha0isndaksdj", 8, "OPTIONS", 1,
     "z9hG4bKkdjuw", "33242", "", 0, 380, NULL, NULL},
    {"transports", "4475 3.1.1.10 varied and unknown transports", VALID, SAME, "OPTIONS", 0,
     "sip:user@example.com", "transports.kijh4akdnaqjkwendsasfdj", 60, "OPTIONS", 5,
     "z9hG4bKkdjuw", "323", "", 0, 503, NULL, NULL},
    {"mpart01", "4475 3.1.1.11 multipart MIME with binary body", VALID, SAME, "MESSAGE", 0,
     "sip:kumiko@example.org", "3d9485ad0c49859b@Zmx1ZmZ5LW1hYy0xNi5sb2NhbA..", 1, "MESSAGE", 1,
     "z9hG4bK-d87543-4dade06d0bdb11ee-1--d87543-", "2fb0dcc9", "", 553, 1290, NULL, NULL},
    {"unreason", "4475 3.1.1.12 unusual reason phrase", VALID, SAME, NULL, 200, NULL,
     "unreason.1234ksdfak3j2erwedfsASdf", 35, "INVITE", 1, "z9hG4bK1324923", "11141343", "2229",
     154, 526, NULL, NULL},
    {"noreason", "4475 3.1.1.13 empty reason phrase", VALID, SAME, NULL, 100, NULL,
     "noreason.asndj203insdf99223ndf", 35, "INVITE", 1, "z9hG4bK2398ndaoe", "39ansfi3",
     "902jndnke3", 0, 274, NULL, NULL},

    /* ---- RFC 4475 §3.1.2: invalid messages ----------------------------------------------- */
    {"badinv01", "4475 3.1.2.1 extraneous header field separators (should 400)", INVALID, SAME,
     NOCHECK},
    /* Over UDP a 400; over a stream there is nothing to do but wait for more bytes. */
    {"clerr", "4475 3.1.2.2 Content-Length larger than message", INVALID, INCOMPLETE, NOCHECK},
    {"ncl", "4475 3.1.2.3 negative Content-Length", INVALID, SAME, NOCHECK},
    {"scalar02", "4475 3.1.2.4 request scalar fields overlarge (CSeq: 400)", INVALID, SAME,
     NOCHECK},
    {"scalarlg", "4475 3.1.2.5 response scalar fields overlarge (discard)", INVALID, SAME,
     NOCHECK},
    /* Liberal acceptance is allowed only with a reasonable inference of the closing quote. */
    {"quotbal", "4475 3.1.2.6 unterminated quoted string (400, or infer the quote)", EITHER,
     SAME, "INVITE", 0, "sip:user@example.com", "quotbal.aksdj", 8, "INVITE", 1,
     "z9hG4bKkdjuw39234", "93334", "", 152, 485, NULL, "sip:j.user@example.com"},
    {"ltgtruri", "4475 3.1.2.7 <> around Request-URI (400, or ignore them)", EITHER, SAME,
     "INVITE", 0, NULL, "ltgtruri.1@192.0.2.5", 1, "INVITE", 1, "", "39291", "", 159, 452, NULL,
     NULL},
    {"lwsruri", "4475 3.1.2.8 LWS inside Request-URI (400, or ignore it)", EITHER, SAME,
     "INVITE", 0, NULL, "lwsruri.asdfasdoeoi2323-asdfwrn23-asd834rk423", 2130706432, "INVITE",
     1, "z9hG4bKkdjuw2395", "231413434", "3xfe-9921883-z9f", 159, 541, NULL, NULL},
    {"lwsstart", "4475 3.1.2.9 multiple SP in Request-Line (reject, or ignore)", EITHER, SAME,
     "INVITE", 0, "sip:user@example.com", "lwsstart.dfknq234oi243099adsdfnawe3@example.com",
     1893884, "INVITE", 1, "z9hG4bKkdjuw3923", "8814", "", 150, 506, NULL, NULL},
    {"trws", "4475 3.1.2.10 SP at end of Request-Line (reject, or ignore)", EITHER, SAME,
     "OPTIONS", 0, "sip:remote-target@example.com", "trws.oicu34958239neffasdhr2345r", 238923,
     "OPTIONS", 1, "z9hG4bK299342093", "329429089", "", 0, 327, NULL, NULL},
    {"escruri", "4475 3.1.2.11 escaped headers in Request-URI (400, or ignore)", EITHER, SAME,
     "INVITE", 0, NULL, "escruri.23940-asdfhj-aje3br-234q098w-fawerh2q-h4n5", 149209342,
     "INVITE", 1, "z9hG4bKkdjuw", "341518", "", 150, 550, NULL, NULL},
    {"baddate", "4475 3.1.2.12 non-GMT Date (reject, or ignore Date)", EITHER, SAME, "INVITE",
     0, "sip:user@example.com", "baddate.239423mnsadf3j23lj42--sedfnm234", 1392934, "INVITE", 1,
     "z9hG4bKkdjuw", "2234923", "", 150, 532, NULL, NULL},
    {"regbadct", "4475 3.1.2.13 name-addr URI not in <> (400, or infer)", EITHER, SAME,
     "REGISTER", 0, "sip:example.com", "regbadct.k345asrl3fdbv@10.0.0.1", 1, "REGISTER", 1,
     "z9hG4bKkdjuw", "998332", "", 0, 307, NULL, NULL},
    {"badaspec", "4475 3.1.2.14 spaces within addr-spec (400, or ignore)", EITHER, SAME,
     "OPTIONS", 0, "sip:user@example.org", "badaspec.sdf0234n2nds0a099u23h3hnnw009cdkne3",
     3923239, "OPTIONS", 1, "z9hG4bKkdju43234", "433423", "", 0, 346,
     "sip:a.g.bell@example.com", "sip:t.watson@example.org"},
    /* The archive's baddn.dat has no blank line after the last header: as a datagram it is
     * truncated, as a stream it is incomplete. */
    {"baddn", "4475 3.1.2.15 non-token display name (400, or infer quotes)", EITHER,
     INCOMPLETE, NOCHECK},
    {"badvers", "4475 3.1.2.16 unknown protocol version (505)", INVALID, SAME, NOCHECK},
    {"mismatch01", "4475 3.1.2.17 start line / CSeq method mismatch (400)", INVALID, SAME,
     NOCHECK},
    {"mismatch02", "4475 3.1.2.18 unknown method, CSeq mismatch (501 or 400)", INVALID, SAME,
     NOCHECK},
    {"bigcode", "4475 3.1.2.19 overlarge response code (drop)", INVALID, SAME, NOCHECK},

    /* ---- RFC 4475 §3.2 - 3.4: parser must accept; the layers above decide ---------------- */
    {"badbranch", "4475 3.2.1 branch is just the magic cookie", VALID, SAME, "OPTIONS", 0,
     "sip:user@example.com", "badbranch.sadonfo23i420jv0as0derf3j3n", 8, "OPTIONS", 1,
     "z9hG4bK", "33242", "", 0, 262, NULL, NULL},
    {"insuf", "4475 3.3.1 missing Call-ID, From, To (400)", INVALID, SAME, NOCHECK},
    {"unkscm", "4475 3.3.2 unknown Request-URI scheme (parse; 416 above)", VALID, SAME,
     "OPTIONS", 0, "nobodyKnowsThisScheme:totallyopaquecontent",
     "unkscm.nasdfasser0q239nwsdfasdkl34", 3923423, "OPTIONS", 1, "z9hG4bKkdjuw39234", "384", "",
     0, 291, NULL, NULL},
    {"novelsc", "4475 3.3.3 atypical Request-URI scheme (parse; 416 above)", VALID, SAME,
     "OPTIONS", 0, "soap.beep://192.0.2.103:3002", "novelsc.asdfasser0q239nwsdfasdkl34",
     3923423, "OPTIONS", 1, "z9hG4bKkdjuw39234", "384", "", 0, 277, NULL, NULL},
    {"unksm2", "4475 3.3.4 unknown schemes in header fields", VALID, SAME, "REGISTER", 0,
     "sip:example.com", "unksm2.daksdj@hyphenated-host.example.com", 234902, "REGISTER", 1,
     "z9hG4bKkdjuw", "3234233", "", 0, 282, "http://www.example.com", "isbn:2983792873"},
    {"bext01", "4475 3.3.5 Proxy-Require and Require (420 above)", VALID, SAME, "OPTIONS", 0,
     "sip:user@example.com", "bext01.0ha0isndaksdj", 8, "OPTIONS", 1, "z9hG4bKkdjuw", "242etr",
     "", 0, 381, NULL, NULL},
    {"invut", "4475 3.3.6 unknown Content-Type (415 above)", VALID, SAME, "INVITE", 0,
     "sip:user@example.com", "invut.0ha0isndaksdjadsfij34n23d", 235448, "INVITE", 1,
     "z9hG4bKkdjuw", "8392034", "", 40, 391, NULL, NULL},
    {"regaut01", "4475 3.3.7 unknown Authorization scheme", VALID, SAME, "REGISTER", 0,
     "sip:example.com", "regaut01.0ha0isndaksdj", 9338, "REGISTER", 1, "z9hG4bKkdjuw",
     "87321hj23128", "", 0, 304, NULL, NULL},
    {"multi01", "4475 3.3.8 multiple values in single-value fields (400)", INVALID, SAME,
     NOCHECK},
    {"mcl01", "4475 3.3.9 conflicting Content-Length values", INVALID, SAME, NOCHECK},
    {"bcast", "4475 3.3.10 200 OK with broadcast Via (parse; discard above)", VALID, SAME, NULL,
     200, NULL, "bcast.0384840201234ksdfak3j2erwedfsASdf", 35, "INVITE", 2, "z9hG4bK1324923",
     "11141343", "2229", 154, 516, NULL, NULL},
    {"zeromf", "4475 3.3.11 Max-Forwards of zero", VALID, SAME, "OPTIONS", 0,
     "sip:user@example.com", "zeromf.jfasdlfnm2o2l43r5u0asdfas", 39234321, "OPTIONS", 1,
     "z9hG4bKkdjuw2349i", "3ghsd41", "", 0, 272, NULL, NULL},
    {"cparam01", "4475 3.3.12 REGISTER with a Contact header parameter", VALID, SAME,
     "REGISTER", 0, "sip:example.com", "cparam01.70710@saturn.example.com", 2, "REGISTER", 1,
     "z9hG4bKkdjuw", "DkfVgjkrtMwaerKKpe", "", 0, 321, NULL, NULL},
    {"cparam02", "4475 3.3.13 REGISTER with a url-parameter", VALID, SAME, "REGISTER", 0,
     "sip:example.com", "cparam02.70710@saturn.example.com", 3, "REGISTER", 1, "z9hG4bKkdjuw",
     "838293", "", 0, 311, NULL, NULL},
    {"regescrt", "4475 3.3.14 REGISTER with a URL escaped header", VALID, SAME, "REGISTER", 0,
     "sip:example.com", "regescrt.k345asrl3fdbv@192.0.2.1", 14398234, "REGISTER", 1,
     "z9hG4bKkdjuw", "8", "", 0, 302, NULL, NULL},
    {"sdp01", "4475 3.3.15 unacceptable Accept offering", VALID, SAME, "INVITE", 0,
     "sip:user@example.com", "sdp01.ndaksdj9342dasdd", 8, "INVITE", 1, "z9hG4bKkdjuw", "234",
     "", 150, 494, NULL, NULL},
    /* No Content-Length: the body is the rest of the datagram; on a stream Content-Length is
     * mandatory (RFC 3261 §18.3), so there the message cannot be framed. */
    {"inv2543", "4475 3.4.1 RFC 2543 syntax", VALID, INVALID, "INVITE", 0,
     "sip:UserB@example.com", "inv2543.1717@ift.client.example.com", 56, "INVITE", 1, "", "", "",
     105, 445, "sip:+13035551111@ift.client.example.net;user=phone",
     "sip:+16505552222@ss1.example.net"},
    /* In the appendix archive but not in the RFC text: no SIP-Version, a header without ':'. */
    {"test", "4475 appendix archive test.dat", INVALID, SAME, NOCHECK},

    /* ---- RFC 5118 (line ends and Content-Length normalised, see README) ------------------ */
    {"v6-ipv6-good", "5118 4.1 valid IPv6 reference", VALID, SAME, "REGISTER", 0,
     "sip:[2001:db8::10]", "SSG9559905523997077@hlau_4100", 98176, "REGISTER", 1,
     "z9hG4bKas3-111", "81x2", "", 0, 303, NULL, NULL},
    {"v6-ipv6-bad", "5118 4.2 IPv6 Request-URI without [] (400)", INVALID, SAME, NOCHECK},
    {"v6-port-ambiguous", "5118 4.3 port inside the brackets (well-formed)", VALID, SAME,
     "REGISTER", 0, "sip:[2001:db8::10:5070]", "SSG9559905523997077@hlau_4100", 98176,
     "REGISTER", 1, "z9hG4bKas3-111", "81x2", "", 0, 308, NULL, NULL},
    {"v6-port-unambiguous", "5118 4.4 port outside the brackets", VALID, SAME, "REGISTER", 0,
     "sip:[2001:db8::10]:5070", "SSG9559905523997077@hlau_4100", 98176, "REGISTER", 1,
     "z9hG4bKas3-111", "81x2", "", 0, 308, NULL, NULL},
    {"v6-via-received-param-with-delim", "5118 4.5 received=[v6] (must parse)", VALID, SAME,
     "BYE", 0, "sip:[2001:db8::10]", "SSG9559905523997077@hlau_4100", 321, "BYE", 1,
     "z9hG4bKas3-111", "81x2", "bd76ya", 0, 283, NULL, NULL},
    {"v6-via-received-param-no-delim", "5118 4.5 received=v6 (must parse)", VALID, SAME,
     "OPTIONS", 0, "sip:[2001:db8::10]", "SSG95523997077@hlau_4100", 921, "OPTIONS", 1,
     "z9hG4bKas3", "81x2", "", 0, 317, NULL, NULL},
    {"v6-ipv6-in-sdp", "5118 4.6 IPv6 addresses in SDP", VALID, SAME, "INVITE", 0,
     "sip:user@[2001:db8::10]", "SSG9559905523997077@hlau_4100", 8612, "INVITE", 1,
     "z9hG4bKas3-111", "81x2", "", 251, 590, NULL, "sip:user@[2001:db8::10]"},
    {"v6-mult-ip-in-header", "5118 4.7 IPv4 and IPv6 mixed in Via", VALID, SAME, "BYE", 0,
     "sip:user@host.example.net", "997077@lau_4100", 89187, "BYE", 3, "z9hG4bKas3-111", "81x2",
     "9817--94", 0, 397, NULL, NULL},
    {"v6-mult-ip-in-sdp", "5118 4.8 multiple addresses in SDP", VALID, SAME, "INVITE", 0,
     "sip:user@[2001:db8::10]", "SSG9559905523997077@hlau_4100", 8912, "INVITE", 1,
     "z9hG4bKas3-111", "81x2", "", 189, 530, NULL, NULL},
    {"v6-ipv4-mapped-ipv6", "5118 4.9 IPv4-mapped IPv6", VALID, SAME, "INVITE", 0,
     "sip:user@example.com", "SSG9559905523997077@hlau_4100", 612, "INVITE", 2, "z9hG4bKbh19",
     "81x2", "", 245, 657, "sip:user@east.example.com", NULL},
    /* The archive file as is: bare LF line ends (accepted, RFC 4475 §3 asks for liberality). */
    {"v6-ipv4-mapped-ipv6-lf", "5118 4.9 archive bytes, LF line ends", VALID, SAME, "INVITE", 0,
     "sip:user@example.com", "SSG9559905523997077@hlau_4100", 612, "INVITE", 2, "z9hG4bKbh19",
     "81x2", "", 236, 636, NULL, NULL},
    {"v6-ipv6-bug-abnf-3-colons", "5118 4.10 three colons (may be tolerated)", EITHER, SAME,
     "OPTIONS", 0, "sip:user@[2001:db8:::192.0.2.1]", "G9559905523997077@hlau_4100", 689,
     "OPTIONS", 1, "z9hG4bKas3-111", "810x2", "", 0, 282, NULL, NULL},
    {"v6-ipv6-correct-abnf-2-colons", "5118 4.10 two colons", VALID, SAME, "OPTIONS", 0,
     "sip:user@[2001:db8::192.0.2.1]", "G9559905523997077@hlau_4100", 689, "OPTIONS", 1,
     "z9hG4bKas3-111", "810x2", "", 0, 280, NULL, "sip:user@[2001:db8::192.0.2.1]"},

    /* ---- sipbeat's own IPv6 forms (RFC 3261 §25.1 sent-by is host [":" port]) ------------ */
    {"v6-loopback", "[::1]:port in R-URI, Via, Contact; received=::1", VALID, SAME, "INVITE", 0,
     "sip:service@[::1]:5062;transport=udp", "v6loop.1@[::1]", 1, "INVITE", 1, "z9hG4bKv6loop1",
     "v6a", "", 0, 309, "sip:alice@[::1]:5060", "sip:service@[::1]:5062"},
    {"v6-bare-sentby-loopback", "Via sent-by ::1:5060 without []", INVALID, SAME, NOCHECK},
    {"v6-bare-sentby-global", "Via sent-by 2001:db8::9:1 without []", INVALID, SAME, NOCHECK},
    {"v6-unclosed-bracket", "Via sent-by [2001:db8::9:1 unclosed", INVALID, SAME, NOCHECK},
    {"v6-empty-brackets", "Via sent-by []:5060", INVALID, SAME, NOCHECK},
};
/* clang-format on */

#define NCASES (sizeof cases / sizeof cases[0])

static sb_msg msg; /* 4 KB: keep it off the test's stack */

/* ---- Loading ------------------------------------------------------------------------------ */

typedef struct {
    char *p; /* exact-size heap copy, so ASan sees any read past the end */
    size_t n;
} blob;

/* Buffers still held by the running test: a failed assertion longjmps out of it, so the
 * teardown frees them (otherwise LeakSanitizer buries the failure). */
static char *held[8];

static char *hold(size_t n) {
    char *p = malloc(n ? n : 1);
    assert_non_null(p);
    for (size_t i = 0; i < sizeof held / sizeof held[0]; i++)
        if (!held[i]) return held[i] = p;
    fail_msg("too many buffers held");
    return NULL;
}

static void drop(blob *b) {
    for (size_t i = 0; i < sizeof held / sizeof held[0]; i++)
        if (held[i] == b->p) held[i] = NULL;
    free(b->p);
    b->p = NULL;
}

static int drop_all(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof held / sizeof held[0]; i++) {
        free(held[i]);
        held[i] = NULL;
    }
    return 0;
}

static void data_path(const char *name, char *out, size_t cap) {
    const char *self = __FILE__;
    const char *tail = strstr(self, "unit/test_sip_torture.c");
    size_t dir = tail ? (size_t)(tail - self) : 0;
    int n = snprintf(out, cap, "%.*sdata/torture/%s.sip", (int)dir, self, name);
    assert_true(n > 0 && (size_t)n < cap);
}

static blob load(const char *name) {
    char path[1024];
    data_path(name, path, sizeof path);
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s", path);
    char tmp[8192];
    size_t n = fread(tmp, 1, sizeof tmp, f);
    assert_true(feof(f)); /* every message is well under 8 KB */
    fclose(f);
    blob b = {hold(n), n};
    memcpy(b.p, tmp, n);
    return b;
}

static blob copy_prefix(const blob *src, size_t n) {
    blob b = {hold(n), n};
    if (n) memcpy(b.p, src->p, n);
    return b;
}

static const tcase *find(const char *name) {
    for (size_t i = 0; i < NCASES; i++)
        if (strcmp(cases[i].name, name) == 0) return &cases[i];
    fail_msg("no case %s", name);
    return NULL;
}

/* ---- Checks ------------------------------------------------------------------------------- */

#define expect_slice(what, sl, lit)                                                                \
    do {                                                                                           \
        sb_slice _s = (sl);                                                                        \
        if (!sb_slice_eq(_s, lit))                                                                 \
            fail_msg("%s: %s \"%.*s\" != \"%s\"", c->name, what, (int)_s.n, _s.p ? _s.p : "",      \
                     lit);                                                                         \
    } while (0)

static int count_vias(const sb_msg *m) {
    int n = 0;
    for (unsigned i = 0; i < m->nhdrs; i++) {
        if (m->hdrs[i].id != SB_HDR_VIA) continue;
        size_t pos = 0;
        sb_slice item;
        while (sb_list_next(m->hdrs[i].value, &pos, &item))
            n++;
    }
    return n;
}

/* The row's fields against an accepted message. */
static void check_fields(const tcase *c, const blob *b, ptrdiff_t rc) {
    if (c->bytes >= 0 && rc != c->bytes)
        fail_msg("%s: parse returned %td, expected %ld", c->name, rc, c->bytes);
    if (c->method) {
        if (!msg.is_request) fail_msg("%s: parsed as a response", c->name);
        expect_slice("method", msg.method_name, c->method);
        if (c->uri) expect_slice("Request-URI", msg.uri, c->uri);
    } else if (c->status) {
        if (msg.is_request) fail_msg("%s: parsed as a request", c->name);
        assert_int_equal(msg.status, c->status);
    }
    if (c->call_id) expect_slice("Call-ID", msg.call_id, c->call_id);
    if (c->cseq >= 0) assert_int_equal(msg.cseq, c->cseq);
    if (c->cseq_method) expect_slice("CSeq method", msg.cseq_method_name, c->cseq_method);
    if (c->vias >= 0 && count_vias(&msg) != c->vias)
        fail_msg("%s: %d Via values, expected %d", c->name, count_vias(&msg), c->vias);
    if (c->branch) expect_slice("top branch", msg.branch, c->branch);
    if (c->from_tag) expect_slice("From tag", msg.from_tag, c->from_tag);
    if (c->to_tag) expect_slice("To tag", msg.to_tag, c->to_tag);
    if (c->body >= 0) {
        if ((long)msg.body.n != c->body)
            fail_msg("%s: body %zu bytes, expected %ld", c->name, msg.body.n, c->body);
        /* The body is the tail of the message, inside the buffer. */
        assert_true(msg.body.n == 0 || msg.body.p + msg.body.n == b->p + rc);
    }
    if (c->from_uri)
        expect_slice("From URI", sb_nameaddr_uri(sb_msg_hdr(&msg, SB_HDR_FROM)->value),
                     c->from_uri);
    if (c->to_uri)
        expect_slice("To URI", sb_nameaddr_uri(sb_msg_hdr(&msg, SB_HDR_TO)->value), c->to_uri);
}

static const char *expect_name(expect e) {
    static const char *names[] = {"same", "valid", "invalid", "either", "incomplete"};
    return names[e];
}

static void run_mode(const tcase *c, const blob *b, bool datagram) {
    expect e = datagram ? c->dg : (c->st == SAME ? c->dg : c->st);
    ptrdiff_t rc = sb_msg_parse(&msg, b->p, b->n, datagram);
    const char *mode = datagram ? "datagram" : "stream";
    if (rc == SB_EMALFORMED) {
        /* Every rejection says what and where. */
        assert_non_null(msg.error);
        assert_true(msg.error_offset <= b->n);
    }
    switch (e) {
    case VALID:
        if (rc < 0)
            fail_msg("%s (%s, RFC %s): must parse, got %td \"%s\" at %zu", c->name, mode, c->ref,
                     rc, msg.error ? msg.error : "", msg.error_offset);
        check_fields(c, b, rc);
        break;
    case EITHER:
        if (rc >= 0)
            check_fields(c, b, rc);
        else if (rc != SB_EMALFORMED)
            fail_msg("%s (%s): got %td, expected a message or SB_EMALFORMED", c->name, mode, rc);
        break;
    case INVALID:
        if (rc != SB_EMALFORMED)
            fail_msg("%s (%s, RFC %s): must be rejected, parse returned %td", c->name, mode, c->ref,
                     rc);
        break;
    case INCOMPLETE:
        if (rc != SB_EINCOMPLETE)
            fail_msg("%s (%s): expected SB_EINCOMPLETE, got %td \"%s\"", c->name, mode, rc,
                     msg.error ? msg.error : "");
        break;
    case SAME:
        fail_msg("%s: bad expectation %s", c->name, expect_name(e));
    }
}

/* One cmocka test per message, so a failure names it. */
static void test_case(void **state) {
    const tcase *c = *state;
    blob b = load(c->name);
    run_mode(c, &b, true);
    run_mode(c, &b, false);
    drop(&b);
}

/* ---- Details the table cannot express ----------------------------------------------------- */

static blob parse_file(const char *name, bool datagram) {
    blob b = load(name);
    ptrdiff_t rc = sb_msg_parse(&msg, b.p, b.n, datagram);
    if (rc < 0) fail_msg("%s: %td %s", name, rc, msg.error ? msg.error : "");
    return b;
}

static sb_slice hdr_value(sb_hdr_id id) {
    const sb_hdr *h = sb_msg_hdr(&msg, id);
    if (!h) fail_msg("header %s absent", sb_hdr_name(id));
    return h->value;
}

/* RFC 4475 §3.1.1.1: folding, LWS around every separator, compact and long forms mixed. */
static void test_wsinv_details(void **state) {
    (void)state;
    blob b = parse_file("wsinv", true);
    /* "Via  : SIP  /   2.0\r\n /UDP\r\n    192.0.2.2;branch=390skdjuw" */
    sb_via v;
    assert_int_equal(sb_via_parse(hdr_value(SB_HDR_VIA), &v), 0);
    assert_true(sb_slice_eq(v.transport, "UDP"));
    assert_true(sb_slice_eq(v.host, "192.0.2.2"));
    assert_int_equal(v.port, 0);
    /* Two Via lines (one compact), three values; the second line's first value is folded. */
    assert_int_equal(msg.count[SB_HDR_VIA], 2);
    const sb_hdr *second = NULL;
    for (unsigned i = 0; i < msg.nhdrs; i++)
        if (msg.hdrs[i].id == SB_HDR_VIA) second = &msg.hdrs[i];
    assert_true(sb_slice_eq(second->name, "v"));
    assert_int_equal(sb_via_parse(second->value, &v), 0);
    assert_true(sb_slice_eq(v.transport, "TCP"));
    assert_true(sb_slice_eq(v.host, "spindle.example.com"));
    assert_true(sb_slice_eq(v.branch, "z9hG4bK9ikj8"));
    /* "s :" is an empty Subject; "m:" the Contact with q = 0.33 after a fold. */
    assert_int_equal(msg.count[SB_HDR_SUBJECT], 1);
    assert_int_equal(hdr_value(SB_HDR_SUBJECT).n, 0);
    sb_slice q;
    assert_true(sb_param_get(hdr_value(SB_HDR_CONTACT), "q", &q));
    assert_true(sb_slice_eq(q, "0.33"));
    assert_true(sb_param_get(hdr_value(SB_HDR_CONTACT), "secondparam", &q));
    assert_int_equal(q.n, 0);
    assert_true(sb_slice_eq(sb_nameaddr_uri(hdr_value(SB_HDR_CONTACT)), "sip:jdrosen@example.com"));
    /* Unknown headers are kept whole, whatever their syntax. */
    bool unusual = false, newfangled = false;
    for (unsigned i = 0; i < msg.nhdrs; i++) {
        const sb_hdr *h = &msg.hdrs[i];
        if (sb_slice_eq(h->name, "UnknownHeaderWithUnusualValue")) {
            assert_int_equal(h->id, SB_HDR_OTHER);
            assert_true(sb_slice_eq(h->value, ";;,,;;,;"));
            unusual = true;
        }
        if (sb_slice_eq(h->name, "NewFangledHeader")) {
            assert_true(sb_slice_eq(h->value, "newfangled value\r\n continued newfangled value"));
            newfangled = true;
        }
    }
    assert_true(unusual && newfangled);
    assert_true(sb_slice_eq(sb_nameaddr_uri(hdr_value(SB_HDR_ROUTE)),
                            "sip:services.example.com;lr;unknownwith=value;unknown-no-value"));
    assert_int_equal(msg.method, SB_METHOD_INVITE);
    assert_int_equal(msg.cseq_method, SB_METHOD_INVITE);
    drop(&b);
}

/* Compact forms in either case resolve to the same header ids. */
static void test_compact_forms(void **state) {
    (void)state;
    /* dblreq: "I:" is Call-ID. */
    blob b = parse_file("dblreq", true);
    assert_true(sb_slice_eq(sb_msg_hdr(&msg, SB_HDR_CALL_ID)->name, "I"));
    drop(&b);
    /* esc01: "i:" Call-ID, "C:" Content-Type. */
    b = parse_file("esc01", true);
    assert_true(sb_slice_eq(sb_msg_hdr(&msg, SB_HDR_CALL_ID)->name, "i"));
    assert_true(sb_slice_eq(hdr_value(SB_HDR_CONTENT_TYPE), "application/sdp"));
    assert_true(sb_slice_eq(sb_nameaddr_uri(hdr_value(SB_HDR_CONTACT)),
                            "sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31"));
    drop(&b);
    /* longreq: "F:" From, Via as v, V, ViA, VIa, ... and with spaces before the colon. */
    b = parse_file("longreq", true);
    assert_true(sb_slice_eq(sb_msg_hdr(&msg, SB_HDR_FROM)->name, "F"));
    assert_int_equal(msg.count[SB_HDR_VIA], 34);
    assert_int_equal(msg.from_tag.n, 155);
    assert_memory_equal(msg.from_tag.p, "12982982", 8);
    assert_memory_equal(msg.from_tag.p + 151, "2424", 4);
    drop(&b);
    /* regescrt: "M:" Contact, "L:0" Content-Length without a space. */
    b = parse_file("regescrt", true);
    assert_true(sb_slice_eq(sb_msg_hdr(&msg, SB_HDR_CONTACT)->name, "M"));
    assert_true(sb_slice_eq(sb_msg_hdr(&msg, SB_HDR_CONTENT_LENGTH)->name, "L"));
    drop(&b);
    /* esc02: "C%6Fntact" is not Contact; % in a method is not an escape either. */
    b = parse_file("esc02", true);
    assert_int_equal(msg.count[SB_HDR_CONTACT], 2);
    assert_int_equal(msg.method, SB_METHOD_OTHER);
    assert_int_equal(msg.cseq_method, SB_METHOD_OTHER);
    drop(&b);
    b = parse_file("intmeth", true);
    assert_int_equal(msg.method, SB_METHOD_OTHER);
    assert_int_equal(msg.hdrs[msg.nhdrs - 2].id, SB_HDR_OTHER); /* extensionHeader-!.%*+_`'~ */
    drop(&b);
}

/* RFC 4475 §3.1.1.11: a body with NULs is framed by Content-Length, not by strings. */
static void test_mpart01_binary_body(void **state) {
    (void)state;
    blob b = parse_file("mpart01", false);
    assert_int_equal(msg.body.n, 553);
    assert_non_null(memchr(msg.body.p, '\0', msg.body.n));
    const char *tail = "--7a9cbec02ceef655--\r\n";
    assert_memory_equal(msg.body.p + msg.body.n - strlen(tail), tail, strlen(tail));
    assert_true(
        sb_slice_eq(hdr_value(SB_HDR_CONTENT_TYPE), "multipart/mixed;boundary=7a9cbec02ceef655"));
    drop(&b);
}

/* RFC 4475 §3.1.1.12-13: reason phrases are opaque bytes, possibly none. */
static void test_reason_phrases(void **state) {
    (void)state;
    blob b = parse_file("unreason", true);
    const char *want = "= 2**3 * 5**2 "
                       "\xD0\xBD\xD0\xBE\x20\xD1\x81\xD1\x82\xD0\xBE\x20\xD0\xB4\xD0\xB5\xD0\xB2"
                       "\xD1\x8F\xD0\xBD\xD0\xBE\xD1\x81\xD1\x82\xD0\xBE\x20\xD0\xB4\xD0\xB5\xD0"
                       "\xB2\xD1\x8F\xD1\x82\xD1\x8C\x20\x2D\x20\xD0\xBF\xD1\x80\xD0\xBE\xD1\x81"
                       "\xD1\x82\xD0\xBE\xD0\xB5";
    assert_int_equal(msg.reason.n, strlen(want));
    assert_memory_equal(msg.reason.p, want, strlen(want));
    assert_int_equal(msg.method, SB_METHOD_INVITE); /* a response's method is its CSeq's */
    drop(&b);
    b = parse_file("noreason", true);
    assert_int_equal(msg.status, 100);
    assert_int_equal(msg.reason.n, 0);
    drop(&b);
}

/* RFC 4475 §3.1.1.8: the datagram's trailing INVITE is not part of the REGISTER. On a stream
 * the same bytes are two messages back to back. */
static void test_dblreq_trailing_octets(void **state) {
    (void)state;
    blob b = parse_file("dblreq", true);
    assert_int_equal(sb_msg_parse(&msg, b.p, b.n, true), 300);
    assert_int_equal(msg.method, SB_METHOD_REGISTER);
    assert_int_equal(msg.body.n, 0);
    assert_int_equal(sb_msg_parse(&msg, b.p, b.n, false), 300);
    /* The rest starts with CRLF (skipped) and is an INVITE with a 150-byte body. */
    ptrdiff_t rc = sb_msg_parse(&msg, b.p + 300, b.n - 300, false);
    assert_true(rc > 0);
    assert_int_equal(msg.method, SB_METHOD_INVITE);
    assert_true(sb_slice_eq(sb_msg_hdr(&msg, SB_HDR_TO)->name, "t"));
    assert_true(sb_slice_eq(msg.call_id, "dblreq.0ha0isnda977644900765@192.0.2.15"));
    assert_int_equal(msg.body.n, 150);
    drop(&b);
}

/* RFC 5118: IPv6 references keep their brackets; ports are read outside them only. */
static void test_ipv6_hostports(void **state) {
    (void)state;
    static const struct {
        const char *name;
        const char *via_host;
        uint16_t via_port;
        const char *received; /* NULL: none */
        const char *ruri_host;
        uint16_t ruri_port;
        const char *contact_host; /* NULL: no Contact */
        uint16_t contact_port;
    } rows[] = {
        {"v6-ipv6-good", "[2001:db8::9:1]", 0, NULL, "[2001:db8::10]", 0, "[2001:db8::1]", 0},
        {"v6-port-ambiguous", "[2001:db8::9:1]", 0, NULL, "[2001:db8::10:5070]", 0, "[2001:db8::1]",
         0},
        {"v6-port-unambiguous", "[2001:db8::9:1]", 0, NULL, "[2001:db8::10]", 5070, "[2001:db8::1]",
         0},
        {"v6-via-received-param-with-delim", "[2001:db8::9:1]", 0, "[2001:db8::9:255]",
         "[2001:db8::10]", 0, NULL, 0},
        {"v6-via-received-param-no-delim", "[2001:db8::9:1]", 0, "2001:db8::9:255",
         "[2001:db8::10]", 0, "[2001:db8::9:1]", 0},
        {"v6-ipv6-in-sdp", "[2001:db8::20]", 0, NULL, "[2001:db8::10]", 0, "[2001:db8::20]", 0},
        {"v6-mult-ip-in-header", "[2001:db8::9:1]", 6050, NULL, "host.example.net", 0, NULL, 0},
        {"v6-ipv4-mapped-ipv6", "[::ffff:192.0.2.10]", 19823, NULL, "example.com", 0,
         "[::ffff:192.0.2.2]", 0},
        {"v6-ipv6-correct-abnf-2-colons", "lab1.east.example.com", 0, NULL, "[2001:db8::192.0.2.1]",
         0, NULL, 0},
        {"v6-loopback", "[::1]", 5060, "::1", "[::1]", 5062, "[::1]", 5060},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const tcase *c = find(rows[i].name);
        blob b = parse_file(rows[i].name, true);
        sb_via v;
        assert_int_equal(sb_via_parse(hdr_value(SB_HDR_VIA), &v), 0);
        expect_slice("Via host", v.host, rows[i].via_host);
        assert_int_equal(v.port, rows[i].via_port);
        if (rows[i].received)
            expect_slice("received", v.received, rows[i].received);
        else
            assert_int_equal(v.received.n, 0);
        sb_slice host;
        uint16_t port = 1;
        assert_int_equal(sb_uri_hostport(msg.uri, &host, &port), 0);
        expect_slice("Request-URI host", host, rows[i].ruri_host);
        assert_int_equal(port, rows[i].ruri_port);
        if (rows[i].contact_host) {
            sb_slice curi = sb_nameaddr_uri(hdr_value(SB_HDR_CONTACT));
            assert_int_equal(sb_uri_hostport(curi, &host, &port), 0);
            expect_slice("Contact host", host, rows[i].contact_host);
            assert_int_equal(port, rows[i].contact_port);
        }
        drop(&b);
    }
    /* RFC 5118 §4.2: without brackets the host cannot be told from the port. */
    const char *ruri = "sip:2001:db8::10";
    sb_slice host;
    uint16_t port;
    assert_int_equal(sb_uri_hostport((sb_slice){ruri, strlen(ruri)}, &host, &port), SB_EMALFORMED);
}

/* ---- Robustness over every message -------------------------------------------------------- */

/* The stream-valid length of a message, or -1 when it is not valid as a stream. */
static ptrdiff_t stream_len(const blob *b) {
    ptrdiff_t rc = sb_msg_parse(&msg, b->p, b->n, false);
    return rc > 0 ? rc : -1;
}

/* Every prefix of every message, in both modes, from an exact-size copy (ASan/UBSan watch the
 * reads). Beyond not crashing: a strict prefix of a message that is valid on a stream must be
 * SB_EINCOMPLETE there (never malformed, never a message), and as a datagram it can only be a
 * message when the original has no Content-Length. */
static void test_every_truncation(void **state) {
    (void)state;
    size_t prefixes = 0;
    for (size_t i = 0; i < NCASES; i++) {
        const tcase *c = &cases[i];
        blob full = load(c->name);
        ptrdiff_t total = stream_len(&full);
        bool has_cl = total > 0 && msg.count[SB_HDR_CONTENT_LENGTH] > 0;
        for (size_t n = 0; n <= full.n; n++) {
            blob p = copy_prefix(&full, n);
            for (int dg = 0; dg < 2; dg++) {
                ptrdiff_t rc = sb_msg_parse(&msg, p.p, p.n, dg != 0);
                assert_true(rc == SB_EINCOMPLETE || rc == SB_EMALFORMED ||
                            (rc > 0 && (size_t)rc <= n));
                if (rc == SB_EMALFORMED) assert_true(msg.error && msg.error_offset <= n);
                if (dg && rc == SB_EINCOMPLETE)
                    fail_msg("%s[..%zu]: datagram incomplete", c->name, n);
                if (total < 0 || (ptrdiff_t)n >= total) continue;
                if (!dg && rc != SB_EINCOMPLETE)
                    fail_msg("%s[..%zu] of %td (stream): got %td \"%s\"", c->name, n, total, rc,
                             msg.error ? msg.error : "");
                if (dg && has_cl && rc >= 0)
                    fail_msg("%s[..%zu] of %td (datagram): accepted a cut message", c->name, n,
                             total);
            }
            drop(&p);
            prefixes++;
        }
        if (total > 0 && (size_t)total <= full.n) {
            /* At exactly the message's length both modes frame it the same way. */
            blob p = copy_prefix(&full, (size_t)total);
            assert_int_equal(sb_msg_parse(&msg, p.p, p.n, false), total);
            drop(&p);
        }
        drop(&full);
    }
    assert_true(prefixes > 30000);
}

/* Stream framing: each stream-valid message twice back to back parses as two messages. */
static void test_pipelined_pairs(void **state) {
    (void)state;
    int pairs = 0;
    for (size_t i = 0; i < NCASES; i++) {
        blob one = load(cases[i].name);
        ptrdiff_t t = stream_len(&one);
        if (t > 0) {
            blob two = {hold(2 * (size_t)t), 2 * (size_t)t};
            memcpy(two.p, one.p, (size_t)t);
            memcpy(two.p + t, one.p, (size_t)t);
            assert_int_equal(sb_msg_parse(&msg, two.p, two.n, false), t);
            sb_slice cid1 = msg.call_id;
            assert_int_equal(sb_msg_parse(&msg, two.p + t, two.n - (size_t)t, false), t);
            assert_true(msg.call_id.p >= two.p + t);
            assert_int_equal(msg.call_id.n, cid1.n);
            assert_memory_equal(msg.call_id.p, cid1.p, cid1.n);
            drop(&two);
            pairs++;
        }
        drop(&one);
    }
    assert_true(pairs >= 40);
}

/* Every file in the table exists and is what the RFC archive holds (sizes pin the bytes that
 * matter: line ends and trailing CRLFs). */
static void test_files_present(void **state) {
    (void)state;
    long total = 0;
    for (size_t i = 0; i < NCASES; i++) {
        blob b = load(cases[i].name);
        assert_true(b.n > 0);
        total += (long)b.n;
        drop(&b);
    }
    assert_int_equal(NCASES, 68);
    assert_true(total > 30000);
}

int main(void) {
    static struct CMUnitTest tests[NCASES + 9];
    static char names[NCASES][64];
    size_t n = 0;
    for (size_t i = 0; i < NCASES; i++) {
        snprintf(names[i], sizeof names[i], "torture/%s", cases[i].name);
        tests[n++] = (struct CMUnitTest){names[i], test_case, NULL, drop_all, (void *)&cases[i]};
    }
    const struct CMUnitTest more[] = {
        cmocka_unit_test(test_files_present),   cmocka_unit_test(test_wsinv_details),
        cmocka_unit_test(test_compact_forms),   cmocka_unit_test(test_mpart01_binary_body),
        cmocka_unit_test(test_reason_phrases),  cmocka_unit_test(test_dblreq_trailing_octets),
        cmocka_unit_test(test_ipv6_hostports),  cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_pipelined_pairs),
    };
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) {
        tests[n] = more[i];
        tests[n++].teardown_func = drop_all;
    }
    return _cmocka_run_group_tests("sip_torture", tests, n, NULL, NULL);
}
