/* libFuzzer target: the SIP message parser (datagram and stream) and every header value helper. */
#include "sip/digest.h"
#include "sipbeat/errors.h"
#include "sipbeat/msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Every slice the parser hands out must lie inside the buffer it parsed: a slice that points
 * elsewhere would not be caught by ASan when the buffer is part of a larger allocation. */
static const char *lo, *hi;
static volatile size_t sink;

static void bug(const char *what) {
    fprintf(stderr, "fuzz_msg: %s\n", what);
    abort();
}

static void touch(sb_slice s) {
    if (s.n == 0) return;
    if (s.p < lo || s.p + s.n > hi) bug("slice outside the parsed buffer");
    sink += (unsigned char)s.p[0] + (unsigned char)s.p[s.n - 1];
}

static const char *const params[] = {"tag",       "branch",  "received", "rport", "lr",
                                     "refresher", "expires", "q",        "maddr", "transport"};

static void walk_item(sb_slice item) {
    touch(item);
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++) {
        sb_slice v = {NULL, 0};
        if (sb_param_get(item, params[i], &v)) touch(v);
    }
    sb_slice uri = sb_nameaddr_uri(item);
    touch(uri);
    sb_slice host = {NULL, 0};
    uint16_t port = 0;
    if (sb_uri_hostport(uri, &host, &port) == 0) {
        touch(host);
        sink += port;
    }
}

static void walk_list(sb_slice value) {
    size_t pos = 0, prev = 0, rounds = 0;
    sb_slice item;
    while (sb_list_next(value, &pos, &item)) {
        /* Each call consumes at least one byte, so a value has at most n + 1 items. */
        if (++rounds > value.n + 1 || (rounds > 1 && pos <= prev)) bug("sb_list_next is stuck");
        if (pos > value.n) bug("sb_list_next position past the value");
        prev = pos;
        walk_item(item);
    }
}

static void walk_via(sb_slice value) {
    size_t pos = 0;
    sb_slice hop;
    while (sb_list_next(value, &pos, &hop)) {
        sb_via v;
        if (sb_via_parse(hop, &v) != 0) continue;
        touch(v.transport);
        touch(v.host);
        touch(v.branch);
        touch(v.received);
        sink += v.port + v.rport;
    }
}

/* Both digest parsers on any value; a challenge we accept must be answerable, and our answer
 * must parse back as credentials that verify. */
static void walk_digest(sb_slice value) {
    sb_digest_creds c;
    int rc = sb_digest_parse_credentials(value, &c);
    if (rc != 0 && rc != SB_EMALFORMED && rc != SB_EINVAL) bug("credentials: unexpected code");
    if (rc == 0) {
        sb_slice parts[] = {c.username, c.realm, c.nonce, c.uri, c.response, c.cnonce, c.opaque};
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
            touch(parts[i]);
        sink += sb_digest_verify(&c, "pw", (sb_slice){"INVITE", 6}, value);
    }
    sb_digest_challenge ch;
    rc = sb_digest_parse_challenge(value, false, &ch);
    if (rc != 0 && rc != SB_EMALFORMED && rc != SB_EINVAL) bug("challenge: unexpected code");
    if (rc != 0) return;
    if (!memchr(ch.realm, 0, sizeof ch.realm) || !memchr(ch.nonce, 0, sizeof ch.nonce) ||
        !memchr(ch.opaque, 0, sizeof ch.opaque))
        bug("challenge: field not terminated");
    static char mem[4096];
    sb_buf b;
    sb_buf_init(&b, mem, sizeof mem);
    sb_digest_input in = {"user", "pw", {"INVITE", 6}, {"sip:b@h", 7}, value, "0a4f113b", 1};
    sb_digest_answer(&ch, &in, &b);
    if (b.overflow) bug("challenge accepted but not answerable");
    const char *colon = memchr(mem, ':', b.len);
    if (!colon || b.len < 2) bug("answer without a header name");
    sb_slice v = {colon + 2, b.len - (size_t)(colon + 2 - mem) - 2};
    if (sb_digest_parse_credentials(v, &c) != 0) bug("our answer does not parse back");
    if (!sb_digest_verify(&c, "pw", in.method, value)) bug("our answer does not verify");
}

static void walk_msg(const sb_msg *m, ptrdiff_t n) {
    if (m->nhdrs > SB_MSG_MAX_HDRS) bug("nhdrs over the cap");
    touch(m->method_name);
    touch(m->uri);
    touch(m->reason);
    touch(m->call_id);
    touch(m->from_tag);
    touch(m->to_tag);
    touch(m->branch);
    touch(m->cseq_method_name);
    touch(m->body);
    if (m->body.n && m->body.p + m->body.n > lo + n) bug("body past the message length");
    if (m->is_request) {
        sb_slice host;
        uint16_t port;
        if (sb_uri_hostport(m->uri, &host, &port) == 0) touch(host);
    } else if (m->status < 100 || m->status > 699) {
        bug("status out of range");
    }
    for (uint16_t i = 0; i < m->nhdrs; i++) {
        const sb_hdr *h = &m->hdrs[i];
        touch(h->name);
        touch(h->value);
        if (h->id != sb_hdr_lookup(h->name.p, h->name.n)) bug("header id disagrees with name");
        walk_list(h->value);
        if (h->id == SB_HDR_VIA) walk_via(h->value);
        uint32_t v;
        sb_refresher r;
        bool bogus;
        if (h->id == SB_HDR_SESSION_EXPIRES) sb_parse_session_expires(h->value, &v, &r, &bogus);
        if (h->id == SB_HDR_MIN_SE) sb_parse_min_se(h->value, &v);
        walk_digest(h->value);
    }
    sb_digest_challenge ch;
    int rc = sb_digest_pick(m, &ch);
    if (rc != 0 && rc != SB_ENOTFOUND) bug("sb_digest_pick: unexpected code");
    for (int id = 0; id < SB_HDR__COUNT; id++) {
        const sb_hdr *h = sb_msg_hdr(m, (sb_hdr_id)id);
        if (id != SB_HDR_OTHER && (h != NULL) != (m->count[id] != 0))
            bug("sb_msg_hdr disagrees with count[]");
        if (h && h->id != id) bug("sb_msg_hdr returned another header");
    }
    sink += sb_msg_has_token(m, SB_HDR_SUPPORTED, "timer");
    sink += sb_msg_has_token(m, SB_HDR_REQUIRE, "timer");
    sink += sb_msg_has_token(m, SB_HDR_PROXY_REQUIRE, "timer");
    sink += sb_msg_has_token(m, SB_HDR_ALLOW, "UPDATE");
    sink += sb_msg_has_token(m, SB_HDR_SUPPORTED, "");
}

/* A stream parser must frame a message exactly as the datagram parser does when it carries a
 * Content-Length, and every proper prefix of a complete stream message is "incomplete". */
static void check_stream(const char *buf, size_t len, ptrdiff_t dgram, const sb_msg *dm) {
    static sb_msg m;
    ptrdiff_t s = sb_msg_parse(&m, buf, len, false);
    if (s > 0 && s != dgram) bug("stream and datagram framing disagree");
    if (dgram > 0 && dm->count[SB_HDR_CONTENT_LENGTH] && s != dgram)
        bug("datagram with Content-Length fails on a stream");
    if (s <= 0 || len >= SB_MSG_MAX_SIZE) return;
    size_t cuts[] = {(size_t)s - 1, (size_t)s / 2, (size_t)s / 3, 1,
                     (size_t)(dm->body.p - buf) > 0 ? (size_t)(dm->body.p - buf) - 1 : 0};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        if (cuts[i] >= (size_t)s) continue;
        if (sb_msg_parse(&m, buf, cuts[i], false) != SB_EINCOMPLETE)
            bug("a prefix of a complete stream message is not incomplete");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static sb_msg m;
    const char *buf = (const char *)data;
    lo = buf;
    hi = buf + size;

    ptrdiff_t n = sb_msg_parse(&m, buf, size, true);
    if (n > 0) {
        if ((size_t)n > size) bug("parsed length past the input");
        walk_msg(&m, n);
    } else if (n != SB_EMALFORMED) {
        bug("datagram parse returned neither a length nor SB_EMALFORMED");
    } else if (m.error == NULL || m.error_offset > size) {
        bug("malformed without a reason or with an offset past the input");
    }
    check_stream(buf, size, n, &m);

    /* A TCP reader: messages back to back, each framed by its Content-Length. */
    size_t off = 0;
    for (int k = 0; k < 64 && off < size; k++) {
        ptrdiff_t r = sb_msg_parse(&m, buf + off, size - off, false);
        if (r <= 0) {
            if (r != SB_EINCOMPLETE && r != SB_EMALFORMED) bug("bad stream return");
            break;
        }
        if ((size_t)r > size - off) bug("stream length past the input");
        lo = buf + off;
        walk_msg(&m, r);
        lo = buf;
        off += (size_t)r;
    }
    return 0;
}
