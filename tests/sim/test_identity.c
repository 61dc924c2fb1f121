/* Identity and routing of the calls we place, with a scripted far end: an outbound proxy
 * (RFC 3261 §8.1.2, loose routing §16.12) and what happens to in-dialog requests with and
 * without its Record-Route; the From display name and URI, the To URI, and extra headers on
 * the initial INVITE only. Exact header values throughout. */
#include "scripted_peer.h"

#define PROXY_URI "sip:127.0.0.3:5070"
#define PROXY_ADDR "127.0.0.3:5070"
#define PROXY_ROUTE "<sip:127.0.0.3:5070;lr>"

static sb_config proxy_cfg(void) {
    sb_config c = sp_cfg(SB_TIMER_OFF, 0, SB_REFRESHER_UAC);
    c.outbound_proxy = PROXY_URI;
    return c;
}

/* The request line's URI of a message the engine sent. */
static void ruri(const sp_msg *m, char *out, size_t cap) {
    sp_slice_copy(out, cap, m->m.uri);
}

static void expect_to(const sp_msg *m, const char *addr) {
    sb_addr want = sp_addr(addr);
    if (!sb_addr_equal(&m->to, &want)) {
        char got[64];
        sb_addr_format(&m->to, got, sizeof got, true);
        fail_msg("%.*s sent to %s, expected %s", (int)strcspn(m->data, "\r"), m->data, got, addr);
    }
}

static void expect_hdr(const sp_msg *m, sb_hdr_id id, const char *want) {
    char v[512];
    if (!sp_hval(m, id, v, sizeof v)) fail_msg("no %s in %s", sb_hdr_name(id), m->data);
    assert_string_equal(v, want);
}

/* The INVITE goes to the proxy with a Route to it and the target as Request-URI, whatever
 * sb_call_opts.dest says; its CANCEL carries the same Route (§9.1), and so does the ACK the
 * transaction builds for the 487 (§17.1.1.3), all to the proxy. */
static void proxy_invite_cancel_ack(void **state) {
    (void)state;
    sb_config c = proxy_cfg();
    sp_t *p = sp_new(&c);
    sp_call(p, 5000);
    char u[256];
    const sp_msg *inv = sp_must(p, "INVITE", NULL, 0);
    expect_to(inv, PROXY_ADDR);
    ruri(inv, u, sizeof u);
    assert_string_equal(u, SP_PEER_URI);
    expect_hdr(inv, SB_HDR_ROUTE, PROXY_ROUTE);
    assert_int_equal(sp_hcount(inv, SB_HDR_ROUTE), 1);
    expect_hdr(inv, SB_HDR_TO, "<" SP_PEER_URI ">");
    sp_reply(p, 10, inv, "100 Trying", NULL, NULL);
    assert_int_equal(sb_engine_hangup(p->e, p->handle, 20), 0);
    sp_drain(p);
    const sp_msg *can = sp_must(p, "CANCEL", NULL, 0);
    expect_to(can, PROXY_ADDR);
    ruri(can, u, sizeof u);
    assert_string_equal(u, SP_PEER_URI);
    expect_hdr(can, SB_HDR_ROUTE, PROXY_ROUTE);
    char f1[256], f2[256];
    assert_true(sp_hval(inv, SB_HDR_FROM, f1, sizeof f1));
    assert_true(sp_hval(can, SB_HDR_FROM, f2, sizeof f2));
    assert_string_equal(f1, f2);
    sp_reply(p, 30, can, "200 OK", NULL, NULL);
    sp_reply(p, 40, inv, "487 Request Terminated", NULL, NULL);
    const sp_msg *ack = sp_must(p, "ACK", NULL, 0);
    expect_to(ack, PROXY_ADDR);
    ruri(ack, u, sizeof u);
    assert_string_equal(u, SP_PEER_URI);
    expect_hdr(ack, SB_HDR_ROUTE, PROXY_ROUTE);
    const sb_call_stats *s = sp_ended(p);
    assert_int_equal(s->result, SB_RESULT_CANCELLED);
    sp_free(p);
}

/* A proxy that record-routes: the ACK of the 2xx and the BYE go to it with the route set as
 * Route, and the far end's Contact as Request-URI (§12.2.1.1). */
static void proxy_record_routes(void **state) {
    (void)state;
    sb_config c = proxy_cfg();
    sp_t *p = sp_new(&c);
    sp_call(p, 5000);
    sp_reply(p, 10, sp_must(p, "INVITE", NULL, 0), "200 OK",
             "Record-Route: <sip:127.0.0.3:5070;lr;ftag=x>\n", SP_SDP);
    sp_at(p, 5010);
    const sp_msg *reqs[] = {sp_must(p, "ACK", NULL, 0), sp_must(p, "BYE", NULL, 0)};
    for (size_t i = 0; i < 2; i++) {
        char u[256];
        expect_to(reqs[i], PROXY_ADDR);
        ruri(reqs[i], u, sizeof u);
        assert_string_equal(u, SP_PEER_URI);
        expect_hdr(reqs[i], SB_HDR_ROUTE, "<sip:127.0.0.3:5070;lr;ftag=x>");
    }
    sp_reply(p, 5020, sp_must(p, "BYE", NULL, 0), "200 OK", NULL, NULL);
    assert_int_equal(sp_ended(p)->end_reason, SB_END_NORMAL);
    sp_free(p);
}

/* A proxy that does not record-route: in-dialog requests go straight to the remote target
 * (the 2xx's Contact), without any Route. */
static void proxy_without_record_route(void **state) {
    (void)state;
    sb_config c = proxy_cfg();
    sp_t *p = sp_new(&c);
    sp_call(p, 5000);
    sp_ok_invite(p, 10, 0, NULL);
    sp_at(p, 5010);
    const sp_msg *reqs[] = {sp_must(p, "ACK", NULL, 0), sp_must(p, "BYE", NULL, 0)};
    for (size_t i = 0; i < 2; i++) {
        char u[256];
        expect_to(reqs[i], SP_PEER_ADDR);
        ruri(reqs[i], u, sizeof u);
        assert_string_equal(u, SP_PEER_URI);
        assert_int_equal(sp_hcount(reqs[i], SB_HDR_ROUTE), 0);
    }
    sp_free(p);
}

/* Without a proxy nothing changes: the INVITE goes to dest, without Route. */
static void no_proxy_no_route(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_OFF, 0, SB_REFRESHER_UAC);
    sp_t *p = sp_new(&c);
    sp_call(p, 5000);
    const sp_msg *inv = sp_must(p, "INVITE", NULL, 0);
    expect_to(inv, SP_PEER_ADDR);
    assert_int_equal(sp_hcount(inv, SB_HDR_ROUTE), 0);
    char f[256];
    assert_true(sp_hval(inv, SB_HDR_FROM, f, sizeof f));
    assert_true(strncmp(f, "<sip:sipbeat@127.0.0.1>;tag=", 28) == 0);
    sp_free(p);
}

/* The display name quoted and escaped, our own From URI, a To that is not the target: on the
 * INVITE and on every later request of the call; the Request-URI stays the target until the
 * 2xx's Contact replaces it. */
static void display_name_from_and_to(void **state) {
    (void)state;
    sb_config c = sp_cfg(SB_TIMER_OFF, 0, SB_REFRESHER_UAC);
    c.display_name = "Alice \"A\" \\o/";
    c.from_uri = "sip:alice@example.com";
    sp_t *p = sp_new(&c);
    sb_call_opts o;
    memset(&o, 0, sizeof o);
    o.target_uri = SP_PEER_URI;
    o.to_uri = "sip:bob@example.com";
    o.dest = p->peer_addr;
    o.duration_ms = 5000;
    assert_int_equal(sb_engine_call(p->e, &o, 0, &p->handle), 0);
    sp_drain(p);
    const sp_msg *inv = sp_must(p, "INVITE", NULL, 0);
    char u[256], f[256], want[256];
    ruri(inv, u, sizeof u);
    assert_string_equal(u, SP_PEER_URI);
    snprintf(want, sizeof want, "\"Alice \\\"A\\\" \\\\o/\" <sip:alice@example.com>;tag=%.*s",
             (int)inv->m.from_tag.n, inv->m.from_tag.p);
    expect_hdr(inv, SB_HDR_FROM, want);
    expect_hdr(inv, SB_HDR_TO, "<sip:bob@example.com>");
    /* the parser reads the display name back: the URI is the one we set */
    sp_slice_copy(f, sizeof f, sb_nameaddr_uri(sb_msg_hdr(&inv->m, SB_HDR_FROM)->value));
    assert_string_equal(f, "sip:alice@example.com");
    /* Contact keeps our user and address */
    expect_hdr(inv, SB_HDR_CONTACT, "<sip:sipbeat@127.0.0.1:5060>");
    sp_ok_invite(p, 10, 0, NULL);
    sp_at(p, 5010);
    const sp_msg *bye = sp_must(p, "BYE", NULL, 0);
    expect_hdr(bye, SB_HDR_FROM, want);
    snprintf(want, sizeof want, "<sip:bob@example.com>;tag=%s", p->d.my_tag);
    expect_hdr(bye, SB_HDR_TO, want);
    ruri(bye, u, sizeof u);
    assert_string_equal(u, SP_PEER_URI); /* the Contact of the 2xx */
    sp_reply(p, 5020, bye, "200 OK", NULL, NULL);
    assert_int_equal(sp_ended(p)->end_reason, SB_END_NORMAL);
    /* a To that cannot be written back is refused */
    o.to_uri = "sip:bob@example.com\r\nX: y";
    assert_int_equal(sb_engine_call(p->e, &o, 6000, NULL), SB_EINVAL);
    o.to_uri = "tel:+15551234";
    assert_int_equal(sb_engine_call(p->e, &o, 6000, NULL), SB_EINVAL);
    o.to_uri = NULL; /* and so is a target that could not be */
    o.target_uri = "sip:peer@127.0.0.2\r\nX: y";
    assert_int_equal(sb_engine_call(p->e, &o, 6000, NULL), SB_EINVAL);
    sp_free(p);
}

/* Extra headers go on the initial INVITE and its 422 retry, in order, and on nothing else:
 * not the ACK, the refresh re-INVITE, the BYE. */
static void extra_headers_initial_invite_only(void **state) {
    (void)state;
    static const char *const hdrs[] = {"X-Test: 1", "P-Asserted-Identity: <sip:1001@pbx.test>"};
    sb_config c = sp_cfg(SB_TIMER_SUPPORTED, 90, SB_REFRESHER_UAC);
    c.headers = hdrs;
    c.nheaders = 2;
    sp_t *p = sp_new(&c);
    sp_call(p, 100000);
    const sp_msg *i0 = sp_must(p, "INVITE", NULL, 0);
    assert_non_null(
        strstr(i0->data, "\r\nX-Test: 1\r\nP-Asserted-Identity: <sip:1001@pbx.test>\r\n"));
    sp_reply(p, 10, i0, "422 Session Interval Too Small", "Min-SE: 120\n", NULL);
    const sp_msg *i1 = sp_must(p, "INVITE", NULL, 1);
    assert_int_equal(sp_se(i1, NULL), 120);
    assert_non_null(
        strstr(i1->data, "\r\nX-Test: 1\r\nP-Asserted-Identity: <sip:1001@pbx.test>\r\n"));
    sp_ok_invite(p, 20, 1,
                 "Supported: timer\nRequire: timer\nSession-Expires: 120;refresher=uac\n");
    sp_at(p, 60020);
    const sp_msg *re = sp_must(p, "INVITE", NULL, 2); /* the refresh at SE/2 */
    assert_true(re->m.to_tag.n > 0);
    sp_ok_invite(p, 60030, 2,
                 "Supported: timer\nRequire: timer\nSession-Expires: 120;refresher=uac\n");
    assert_int_equal(sb_engine_hangup(p->e, p->handle, 61000), 0);
    sp_drain(p);
    const sp_msg *bye = sp_must(p, "BYE", NULL, 0);
    assert_non_null(bye);
    int with = 0;
    for (int i = 0; i < p->nmsgs; i++)
        with += p->msgs[i].from_engine && strstr(p->msgs[i].data, "X-Test:") != NULL;
    assert_int_equal(with, 2); /* the INVITE and its retry, nothing else (ACKs included) */
    sp_free(p);
}

/* Hostile strings in the identity fields never reach the wire: sb_config_check names the
 * field, and sb_engine_new refuses the config. */
static void identity_config_checked(void **state) {
    (void)state;
    static const char *const crlf[] = {"X-A: 1\r\nVia: evil"};
    static const char *const managed[] = {"X-Ok: 1", "v: SIP/2.0/UDP 1.2.3.4"};
    static const char *const nocolon[] = {"X-A 1"};
    static const struct {
        const char *field;
        sb_config c;
    } cases[] = {
        {"display_name", {.display_name = "Alice\r\nX: y"}},
        {"from_uri", {.from_uri = "sip:a@b\r\nX: y"}},
        {"from_uri", {.from_uri = "http://example.com/"}},
        {"outbound_proxy", {.outbound_proxy = "sip:proxy.example.com"}},
        {"outbound_proxy", {.outbound_proxy = "sip:127.0.0.1\n"}},
        {"headers", {.headers = crlf, .nheaders = 1}},
        {"headers", {.headers = managed, .nheaders = 2}},
        {"headers", {.headers = nocolon, .nheaders = 1}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sb_config c = sp_cfg(SB_TIMER_OFF, 0, SB_REFRESHER_UAC);
        c.display_name = cases[i].c.display_name;
        c.from_uri = cases[i].c.from_uri;
        c.outbound_proxy = cases[i].c.outbound_proxy;
        c.headers = cases[i].c.headers;
        c.nheaders = cases[i].c.nheaders;
        sb_config_error err = {0};
        assert_int_equal(sb_config_check(&c, &err), SB_EINVAL);
        assert_string_equal(err.field, cases[i].field);
        assert_null(strpbrk(err.why, "\r\n"));
        assert_null(sb_engine_new(&c, 0));
    }
    assert_string_equal(sb_extra_header_problem("v: x"),
                        "sipbeat writes this header itself (allowed: any other header; not Via, "
                        "From, To, Call-ID, CSeq, Contact, Content-Length, Content-Type, "
                        "Max-Forwards, Route, Session-Expires, Min-SE, Supported, Require, "
                        "Authorization, Proxy-Authorization)");
    assert_null(sb_extra_header_problem("X-Empty:"));
    assert_null(sb_extra_header_problem("Subject : hello\tthere"));
    assert_non_null(sb_extra_header_problem(": x"));
    assert_non_null(sb_extra_header_problem("X Y: x"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        sp_test(proxy_invite_cancel_ack),    sp_test(proxy_record_routes),
        sp_test(proxy_without_record_route), sp_test(no_proxy_no_route),
        sp_test(display_name_from_and_to),   sp_test(extra_headers_initial_invite_only),
        sp_test(identity_config_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
