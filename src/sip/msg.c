/* Zero-copy SIP message parser (RFC 3261 §7, §20, §25), header value helpers and sb_buf. */
#include "sipbeat/msg.h"
#include "sipbeat/errors.h"

#include <string.h>

/* RFC 3261 §25.1 token characters: alphanum and - . ! % * _ + ` ' ~ */
static const uint8_t tok[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
    0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 0, 1, 1, 0, /* 0x20  !"#$%&'()*+,-./ */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, /* 0x30 0-9:;<=>? */
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x40 @A-O */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, /* 0x50 P-Z[\]^_ */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x60 `a-o */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, /* 0x70 p-z{|}~ */
    /* 0x80-0xff: never token characters */
};

static inline bool is_tok(char c) {
    return tok[(unsigned char)c] != 0;
}

/* Folds stay inside value slices, so every helper treats CR and LF as white space. */
static inline bool is_ws(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static inline bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

static inline sb_slice span(const char *p, const char *e) {
    return (sb_slice){p, (size_t)(e - p)};
}

/* sb_slice_trim over [p, e), inlined for the per-header path. */
static inline sb_slice trim_span(const char *p, const char *e) {
    while (p < e && is_ws(*p))
        p++;
    while (e > p && is_ws(e[-1]))
        e--;
    return span(p, e);
}

static const char *skip_ws(const char *p, const char *e) {
    while (p < e && is_ws(*p))
        p++;
    return p;
}

/* p is on an opening quote; returns the position after the closing quote (or e). A backslash
 * escapes the next character (quoted-pair, RFC 3261 §25.1). */
static const char *skip_quoted(const char *p, const char *e) {
    for (p++; p < e; p++) {
        if (*p == '\\') {
            if (++p == e) break;
        } else if (*p == '"') {
            return p + 1;
        }
    }
    return e;
}

/* Reads 1*DIGIT at *pp. Values above max set *over but the digits are still consumed, so the
 * caller can tell "too big" from "not a number". Returns the number of digits. */
static size_t read_uint(const char **pp, const char *e, uint64_t max, uint64_t *out, bool *over) {
    const char *p = *pp;
    uint64_t v = 0;
    *over = false;
    while (p < e && is_digit(*p)) {
        if (!*over) {
            v = v * 10 + (uint64_t)(*p - '0');
            if (v > max) *over = true;
        }
        p++;
    }
    size_t n = (size_t)(p - *pp);
    *pp = p;
    *out = v;
    return n;
}

/* ---- Header value helpers ---------------------------------------------------------------- */

/* The helpers below return early on empty input: an absent value is {NULL, 0}, and pointer
 * arithmetic on NULL is undefined even with a zero offset. */

bool sb_list_next(sb_slice value, size_t *pos, sb_slice *item) {
    if (value.n == 0) return false;
    const char *p = value.p + (*pos < value.n ? *pos : value.n);
    const char *e = value.p + value.n;
    /* Empty items (",,") are not valid SIP but cost nothing to skip. */
    while (p < e && (is_ws(*p) || *p == ','))
        p++;
    if (p >= e) {
        *pos = value.n;
        return false;
    }
    const char *start = p;
    bool in_angle = false;
    while (p < e) {
        char c = *p;
        if (c == '"') {
            p = skip_quoted(p, e);
            continue;
        }
        if (c == '<')
            in_angle = true;
        else if (c == '>')
            in_angle = false;
        else if (c == ',' && !in_angle)
            break;
        p++;
    }
    *item = sb_slice_trim(span(start, p));
    *pos = (size_t)(p - value.p);
    return true;
}

/* Bytes that matter when looking for the start of parameters; everything else is skipped in
 * one table test. */
static const uint8_t param_special[256] = {['"'] = 1, ['<'] = 1, ['>'] = 1, [';'] = 1, [','] = 1};

/* Position of the first ';' (or ',' ending the item) outside quotes and <...>, or e. */
static const char *params_start(const char *p, const char *e) {
    bool in_angle = false;
    while (p < e) {
        if (!param_special[(unsigned char)*p]) {
            p++;
            continue;
        }
        char c = *p;
        if (c == '"') {
            p = skip_quoted(p, e);
            continue;
        }
        if (c == '<')
            in_angle = true;
        else if (c == '>')
            in_angle = false;
        else if (!in_angle)
            break;
        p++;
    }
    return p;
}

/* One ";name[=value]" at *pp. Returns false at the end of the parameters (end of input or a
 * ',' that ends the list item). Junk after a parameter is skipped up to the next ';'. */
static bool next_param(const char **pp, const char *e, sb_slice *name, sb_slice *value) {
    const char *p = *pp;
    if (p >= e || *p != ';') return false;
    p = skip_ws(p + 1, e);
    const char *n0 = p;
    while (p < e && *p != '=' && *p != ';' && *p != ',' && !is_ws(*p))
        p++;
    *name = span(n0, p);
    p = skip_ws(p, e);
    *value = (sb_slice){p, 0};
    if (p < e && *p == '=') {
        p = skip_ws(p + 1, e);
        const char *v0 = p;
        if (p < e && *p == '"')
            p = skip_quoted(p, e);
        else
            while (p < e && *p != ';' && *p != ',' && !is_ws(*p))
                p++;
        *value = span(v0, p);
    }
    while (p < e && *p != ';' && *p != ',')
        p++;
    *pp = p;
    return true;
}

/* sb_param_get with the name's length known, so the parser's own look-ups skip strlen. */
static bool param_find(sb_slice s, const char *name, size_t name_len, sb_slice *value) {
    if (s.n == 0) return false;
    const char *e = s.p + s.n;
    /* Parameters start at the first ';' that is not part of a URI in <...> or a quoted
     * display name; a bare addr-spec's own ';' therefore counts as a header parameter, as
     * RFC 3261 §20.10 requires. */
    const char *p = params_start(s.p, e);
    sb_slice pname, pval;
    while (next_param(&p, e, &pname, &pval)) {
        if (pname.n == name_len && sb_slice_ieq(pname, name)) {
            if (value) *value = pval;
            return true;
        }
    }
    return false;
}

bool sb_param_get(sb_slice s, const char *name, sb_slice *value) {
    return param_find(s, name, strlen(name), value);
}

sb_slice sb_nameaddr_uri(sb_slice value) {
    sb_slice v = sb_slice_trim(value);
    if (v.n == 0) return v;
    const char *p = v.p, *e = v.p + v.n;
    while (p < e) {
        char c = *p;
        if (c == '"') {
            const char *q = skip_quoted(p, e);
            if (q == e && (q - p < 2 || q[-1] != '"')) return (sb_slice){v.p, 0}; /* unbalanced */
            p = q;
            continue;
        }
        if (c == '<') {
            const char *close = memchr(p + 1, '>', (size_t)(e - p - 1));
            if (close == NULL) return (sb_slice){v.p, 0};
            return sb_slice_trim(span(p + 1, close));
        }
        /* A ';' or ',' before any '<' means an addr-spec: what follows is not the URI's. */
        if (c == ';' || c == ',') break;
        p++;
    }
    return sb_slice_trim(span(v.p, p));
}

static bool is_host_char(char c) {
    return is_tok(c) && c != '!' && c != '%' && c != '*' && c != '+' && c != '`' && c != '\'' &&
           c != '~';
}

/* Host as in RFC 3261 §25.1: a bracketed IPv6 reference (kept with its brackets) or a name or
 * IPv4 address. Returns the end of the host, or NULL when there is none. */
static const char *scan_host(const char *p, const char *e) {
    if (p < e && *p == '[') {
        const char *q = p + 1;
        while (q < e && (*q == ':' || *q == '.' || is_digit(*q) ||
                         ((*q | 0x20) >= 'a' && (*q | 0x20) <= 'f')))
            q++;
        if (q == e || *q != ']' || q == p + 1) return NULL;
        return q + 1;
    }
    const char *q = p;
    while (q < e && is_host_char(*q))
        q++;
    return q == p ? NULL : q;
}

static bool read_port(const char **pp, const char *e, uint16_t *port) {
    uint64_t v;
    bool over;
    size_t n = read_uint(pp, e, 65535, &v, &over);
    if (n == 0 || over) return false;
    *port = (uint16_t)v;
    return true;
}

/* A token, with LWS allowed on both sides (SWS "/" SWS in sent-protocol). */
static const char *via_token(const char *p, const char *e, sb_slice *out) {
    p = skip_ws(p, e);
    const char *t0 = p;
    while (p < e && is_tok(*p))
        p++;
    *out = span(t0, p);
    return skip_ws(p, e);
}

int sb_via_parse(sb_slice value, sb_via *out) {
    memset(out, 0, sizeof *out);
    sb_slice v = sb_slice_trim(value);
    if (v.n == 0) return SB_EMALFORMED;
    const char *p = v.p, *e = v.p + v.n;

    sb_slice name, version;
    p = via_token(p, e, &name);
    if (!sb_slice_ieq(name, "SIP") || p == e || *p != '/') return SB_EMALFORMED;
    p = via_token(p + 1, e, &version);
    if (!sb_slice_eq(version, "2.0") || p == e || *p != '/') return SB_EMALFORMED;
    p = skip_ws(p + 1, e);
    const char *t0 = p;
    while (p < e && is_tok(*p))
        p++;
    out->transport = span(t0, p);
    if (out->transport.n == 0 || p == e || !is_ws(*p)) return SB_EMALFORMED;

    p = skip_ws(p, e);
    const char *h_end = scan_host(p, e);
    if (h_end == NULL) return SB_EMALFORMED;
    out->host = span(p, h_end);
    p = skip_ws(h_end, e);
    if (p < e && *p == ':') {
        p = skip_ws(p + 1, e);
        if (!read_port(&p, e, &out->port)) return SB_EMALFORMED;
        p = skip_ws(p, e);
    }
    /* Only the top hop is parsed; a ',' starts the next one. */
    if (p < e && *p != ';' && *p != ',') return SB_EMALFORMED;

    /* One walk over the parameters instead of one sb_param_get per name: this runs for
     * every message received. */
    sb_slice pn, pv;
    while (next_param(&p, e, &pn, &pv)) {
        if (pn.n == 0) return SB_EMALFORMED; /* ";;" (RFC 4475 badinv01) */
        if (pn.n == 6 && sb_slice_ieq(pn, "branch"))
            out->branch = pv;
        else if (pn.n == 8 && sb_slice_ieq(pn, "received"))
            out->received = pv;
        else if (pn.n == 5 && sb_slice_ieq(pn, "rport"))
            out->rport = true;
    }
    return 0;
}

int sb_uri_hostport(sb_slice uri, sb_slice *host, uint16_t *port) {
    sb_slice u = sb_slice_trim(uri);
    /* Accept a URI still wrapped in <...>: callers often hand over a Contact value. */
    if (u.n >= 2 && u.p[0] == '<' && u.p[u.n - 1] == '>')
        u = sb_slice_trim((sb_slice){u.p + 1, u.n - 2});
    size_t skip;
    if (u.n >= 4 && sb_slice_ieq((sb_slice){u.p, 4}, "sip:"))
        skip = 4;
    else if (u.n >= 5 && sb_slice_ieq((sb_slice){u.p, 5}, "sips:"))
        skip = 5;
    else
        return SB_EMALFORMED;
    const char *p = u.p + skip, *e = u.p + u.n;
    /* Userinfo may contain ';' and '?' (RFC 3261 §25.1 user-unreserved) but never a bare '@',
     * and neither may host, params or headers; so the first '@' ends the userinfo. */
    const char *at = memchr(p, '@', (size_t)(e - p));
    if (at != NULL) p = at + 1;
    const char *h_end = scan_host(p, e);
    if (h_end == NULL) return SB_EMALFORMED;
    uint16_t pt = 0;
    const char *q = h_end;
    if (q < e && *q == ':') {
        q++;
        if (!read_port(&q, e, &pt)) return SB_EMALFORMED;
    }
    if (q < e && *q != ';' && *q != '?') return SB_EMALFORMED;
    if (host) *host = span(p, h_end);
    if (port) *port = pt;
    return 0;
}

/* delta-seconds followed by nothing or by parameters (RFC 4028 §4). The ABNF has no upper
 * bound and HDR-8 says any value must be handled, so a value beyond 32 bits saturates to
 * UINT32_MAX ("longer than we will ever ask for") instead of failing the message. */
static int delta_seconds(sb_slice value, uint32_t *out, sb_slice *rest) {
    sb_slice v = sb_slice_trim(value);
    if (v.n == 0) return SB_EMALFORMED;
    const char *p = v.p, *e = v.p + v.n;
    uint64_t x;
    bool over;
    if (read_uint(&p, e, UINT32_MAX, &x, &over) == 0) return SB_EMALFORMED;
    if (over) x = UINT32_MAX;
    p = skip_ws(p, e);
    if (p < e && *p != ';') return SB_EMALFORMED;
    *out = (uint32_t)x;
    *rest = span(p, e);
    return 0;
}

int sb_parse_session_expires(sb_slice value, uint32_t *se_s, sb_refresher *refresher,
                             bool *bogus_refresher) {
    sb_slice params;
    uint32_t se;
    if (delta_seconds(value, &se, &params) != 0) return SB_EMALFORMED;
    sb_refresher r = SB_REFRESHER_NONE;
    bool bogus = false;
    sb_slice rv;
    if (sb_param_get(params, "refresher", &rv)) {
        /* An unknown refresher is not a reason to reject the request: the UAS picks one
         * itself, as if the parameter were absent (RFC 4028 §9); the caller is told. */
        if (sb_slice_ieq(rv, "uac"))
            r = SB_REFRESHER_UAC;
        else if (sb_slice_ieq(rv, "uas"))
            r = SB_REFRESHER_UAS;
        else
            bogus = true;
    }
    if (se_s) *se_s = se;
    if (refresher) *refresher = r;
    if (bogus_refresher) *bogus_refresher = bogus;
    return 0;
}

int sb_parse_min_se(sb_slice value, uint32_t *min_se_s) {
    sb_slice params;
    uint32_t v;
    if (delta_seconds(value, &v, &params) != 0) return SB_EMALFORMED;
    if (min_se_s) *min_se_s = v;
    return 0;
}

int sb_parse_retry_after(sb_slice value, uint32_t *secs) {
    sb_slice v = sb_slice_trim(value);
    const char *p = v.p, *e = v.p + v.n;
    uint64_t x;
    bool over;
    if (!v.n || read_uint(&p, e, UINT32_MAX, &x, &over) == 0) return SB_EMALFORMED;
    /* a comment or parameters may follow (RFC 3261 §20.33); only the delay matters here */
    *secs = over ? UINT32_MAX : (uint32_t)x;
    return 0;
}

/* ---- Message parser ---------------------------------------------------------------------- */

static ptrdiff_t fail_as(sb_msg *m, const char *buf, const char *at, const char *why,
                         sb_perr kind) {
    m->error = why;
    m->error_offset = (size_t)(at - buf);
    m->error_kind = kind;
    return SB_EMALFORMED;
}

static ptrdiff_t fail(sb_msg *m, const char *buf, const char *at, const char *why) {
    return fail_as(m, buf, at, why, SB_PERR_MALFORMED);
}

/* The input ended before the header block did. On a stream that means "read more", unless
 * the size cap is already reached; a datagram has nothing more to come. */
static ptrdiff_t ran_out(sb_msg *m, const char *buf, size_t len, bool is_datagram) {
    if (len >= SB_MSG_MAX_SIZE)
        return fail_as(m, buf, buf + SB_MSG_MAX_SIZE, "message too large", SB_PERR_TOO_LARGE);
    if (is_datagram) return fail(m, buf, buf + len, "truncated header block");
    return SB_EINCOMPLETE;
}

static bool is_sip_version(sb_slice s) {
    return sb_slice_ieq(s, "SIP/2.0");
}

static const char *skip_sp(const char *p, const char *e) {
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

static const char *word_end(const char *p, const char *e) {
    while (p < e && *p != ' ' && *p != '\t')
        p++;
    return p;
}

/* Start line in [p, e) without its line end. Runs of white space between elements are
 * accepted: stricter than that only rejects peers we still want to measure. */
static ptrdiff_t parse_start(sb_msg *m, const char *buf, const char *p, const char *e) {
    const char *w = word_end(p, e);
    sb_slice first = span(p, w);
    if (first.n >= 4 && sb_slice_ieq((sb_slice){first.p, 4}, "SIP/")) {
        if (!is_sip_version(first)) return fail(m, buf, p, "bad SIP version");
        const char *q = skip_sp(w, e);
        const char *d = q;
        int status = 0;
        while (q < e && is_digit(*q) && q - d < 4)
            status = status * 10 + (*q++ - '0');
        if (q - d != 3 || (q < e && *q != ' ' && *q != '\t') || status < 100 || status > 699)
            return fail(m, buf, d, "bad status code");
        m->is_request = false;
        m->status = status;
        m->reason = sb_slice_trim(span(q, e));
        return 0;
    }
    for (const char *c = p; c < w; c++)
        if (!is_tok(*c)) return fail(m, buf, c, "bad method");
    if (first.n == 0) return fail(m, buf, p, "bad request line");
    const char *u = skip_sp(w, e);
    const char *u_end = word_end(u, e);
    if (u == u_end) return fail(m, buf, u, "missing Request-URI");
    const char *v = skip_sp(u_end, e);
    const char *v_end = word_end(v, e);
    if (!is_sip_version(span(v, v_end)))
        return fail_as(m, buf, v, "bad SIP version", SB_PERR_VERSION);
    if (sb_slice_trim(span(v_end, e)).n != 0) return fail(m, buf, v_end, "bad request line");
    m->is_request = true;
    m->method_name = first;
    m->method = sb_method_lookup(first);
    m->uri = span(u, u_end);
    /* A SIP URI must have a host we can read (RFC 5118 §4.2: "sip:2001:db8::10" is not one);
     * other schemes are left to the transaction user, which answers 416. */
    bool sip = (m->uri.n > 4 && sb_slice_ieq((sb_slice){u, 4}, "sip:")) ||
               (m->uri.n > 5 && sb_slice_ieq((sb_slice){u, 5}, "sips:"));
    if (sip && sb_uri_hostport(m->uri, NULL, NULL) != 0) return fail(m, buf, u, "bad Request-URI");
    for (const char *c = u; c < u_end; c++) /* a name-addr is no Request-URI (RFC 4475 3.1.2.7) */
        if (*c == '<' || *c == '>' || *c == '"') return fail(m, buf, c, "bad Request-URI");
    return 0;
}

/* "CSeq: 4711 INVITE" (RFC 3261 §20.16): the number must fit in 31 bits. */
static bool parse_cseq(sb_msg *m, sb_slice v) {
    const char *p = v.p, *e = v.p + v.n;
    uint64_t n;
    bool over;
    if (read_uint(&p, e, 0x7fffffffu, &n, &over) == 0 || over) return false;
    if (p == e || !is_ws(*p)) return false;
    p = skip_ws(p, e);
    const char *m0 = p;
    while (p < e && is_tok(*p))
        p++;
    if (p == m0 || skip_ws(p, e) != e) return false;
    m->cseq = (uint32_t)n;
    m->cseq_method_name = span(m0, p);
    m->cseq_method = sb_method_lookup(m->cseq_method_name);
    return true;
}

/* All Content-Length lines must agree (RFC 3261 §20.14 allows one; duplicates that agree are
 * harmless, duplicates that disagree make the message boundary ambiguous). */
static ptrdiff_t content_length(sb_msg *m, const char *buf, bool *present, size_t *out) {
    *present = false;
    unsigned left = m->count[SB_HDR_CONTENT_LENGTH];
    for (unsigned i = m->first[SB_HDR_CONTENT_LENGTH] - 1u; left > 0 && i < m->nhdrs; i++) {
        const sb_hdr *h = &m->hdrs[i];
        if (h->id != SB_HDR_CONTENT_LENGTH) continue;
        left--;
        const char *p = h->value.p, *e = p + h->value.n;
        uint64_t v;
        bool over;
        if (read_uint(&p, e, SB_MSG_MAX_SIZE + 1u, &v, &over) == 0 || p != e)
            return fail(m, buf, h->name.p, "bad Content-Length");
        if (over) v = SB_MSG_MAX_SIZE + 1u;
        if (*present && v != *out) return fail(m, buf, h->name.p, "conflicting Content-Length");
        *present = true;
        *out = (size_t)v;
    }
    return 0;
}

static const sb_hdr *single(const sb_msg *m, sb_hdr_id id) {
    return m->first[id] ? &m->hdrs[m->first[id] - 1] : NULL;
}

/* The headers every message needs (RFC 3261 §8.1.1) and the fields we copy out of them. */
static ptrdiff_t check_mandatory(sb_msg *m, const char *buf, const char *at) {
    const sb_hdr *via = single(m, SB_HDR_VIA);
    const sb_hdr *from = single(m, SB_HDR_FROM);
    const sb_hdr *to = single(m, SB_HDR_TO);
    const sb_hdr *call_id = single(m, SB_HDR_CALL_ID);
    const sb_hdr *cseq = single(m, SB_HDR_CSEQ);
    if (!via) return fail(m, buf, at, "missing Via");
    if (!from) return fail(m, buf, at, "missing From");
    if (!to) return fail(m, buf, at, "missing To");
    if (!call_id) return fail(m, buf, at, "missing Call-ID");
    if (!cseq) return fail(m, buf, at, "missing CSeq");
    /* These identify the dialog and transaction; two of them would make that ambiguous. */
    if (m->count[SB_HDR_FROM] > 1) return fail(m, buf, at, "duplicate From");
    if (m->count[SB_HDR_TO] > 1) return fail(m, buf, at, "duplicate To");
    if (m->count[SB_HDR_CALL_ID] > 1) return fail(m, buf, at, "duplicate Call-ID");
    if (m->count[SB_HDR_CSEQ] > 1) return fail(m, buf, at, "duplicate CSeq");

    sb_via top;
    if (sb_via_parse(via->value, &top) != 0) return fail(m, buf, via->name.p, "bad Via");
    m->branch = top.branch;
    if (sb_nameaddr_uri(from->value).n == 0) return fail(m, buf, from->name.p, "bad From");
    if (sb_nameaddr_uri(to->value).n == 0) return fail(m, buf, to->name.p, "bad To");
    m->from_tag = (sb_slice){from->value.p, 0};
    m->to_tag = (sb_slice){to->value.p, 0};
    param_find(from->value, "tag", 3, &m->from_tag);
    param_find(to->value, "tag", 3, &m->to_tag);
    if (call_id->value.n == 0) return fail(m, buf, call_id->name.p, "bad Call-ID");
    for (size_t i = 0; i < call_id->value.n; i++) { /* word ["@" word]: visible ASCII only */
        unsigned char ch = (unsigned char)call_id->value.p[i];
        if (ch <= ' ' || ch >= 0x7f) return fail(m, buf, call_id->value.p + i, "bad Call-ID");
    }
    m->call_id = call_id->value;
    if (!parse_cseq(m, cseq->value)) return fail(m, buf, cseq->name.p, "bad CSeq");
    if (m->is_request) {
        /* Compared as bytes, not ids: extension methods must match too (§8.1.1.5). */
        if (m->cseq_method_name.n != m->method_name.n ||
            memcmp(m->cseq_method_name.p, m->method_name.p, m->method_name.n) != 0)
            return fail(m, buf, cseq->name.p, "CSeq method does not match request method");
    } else {
        m->method = m->cseq_method;
        m->method_name = m->cseq_method_name;
    }
    return 0;
}

static void reset(sb_msg *m) {
    const sb_slice none = {NULL, 0};
    m->is_request = false;
    m->method = SB_METHOD_OTHER;
    m->method_name = m->uri = m->reason = none;
    m->status = 0;
    m->nhdrs = 0;
    /* hdrs[] is not cleared: only [0, nhdrs) is meaningful, and 4 KB of memset per message
     * would cost more than the parse. */
    memset(m->first, 0, sizeof m->first);
    memset(m->count, 0, sizeof m->count);
    m->call_id = m->from_tag = m->to_tag = m->branch = none;
    m->cseq = 0;
    m->cseq_method = SB_METHOD_OTHER;
    m->cseq_method_name = m->body = none;
    m->error = NULL;
    m->error_kind = SB_PERR_NONE;
    m->error_offset = 0;
}

ptrdiff_t sb_msg_parse(sb_msg *m, const char *buf, size_t len, bool is_datagram) {
    reset(m);
    if (len == 0) return is_datagram ? fail(m, buf, buf, "empty datagram") : SB_EINCOMPLETE;
    if (is_datagram && len > SB_MSG_MAX_SIZE)
        return fail_as(m, buf, buf + SB_MSG_MAX_SIZE, "message too large", SB_PERR_TOO_LARGE);
    const char *p = buf;
    const char *end = buf + (len < SB_MSG_MAX_SIZE ? len : SB_MSG_MAX_SIZE);

    /* RFC 3261 §7.5: CRLFs before the start line are ignored; on streams they are also the
     * RFC 5626 keep-alive. They count as part of this message's bytes. */
    while (p < end && (*p == '\r' || *p == '\n'))
        p++;
    const char *lf = memchr(p, '\n', (size_t)(end - p));
    if (lf == NULL) return ran_out(m, buf, len, is_datagram);
    /* A bare LF line end is accepted throughout: RFC 4475 asks us to be liberal and it
     * costs nothing to tell the two apart. */
    const char *le = (lf > p && lf[-1] == '\r') ? lf - 1 : lf;
    ptrdiff_t rc = parse_start(m, buf, p, le);
    if (rc != 0) return rc;
    p = lf + 1;

    for (;;) {
        if (p >= end) return ran_out(m, buf, len, is_datagram);
        if (*p == '\n') {
            p++;
            break;
        }
        if (*p == '\r') {
            if (p + 1 >= end) return ran_out(m, buf, len, is_datagram);
            if (p[1] != '\n') return fail(m, buf, p, "bare CR in header block");
            p += 2;
            break;
        }
        const char *name = p;
        while (p < end && is_tok(*p))
            p++;
        if (p >= end) return ran_out(m, buf, len, is_datagram);
        if (p == name)
            return fail(m, buf, name,
                        (*p == ' ' || *p == '\t') ? "continuation line before any header"
                                                  : "bad header name");
        size_t name_len = (size_t)(p - name);
        p = skip_sp(p, end);
        if (p >= end) return ran_out(m, buf, len, is_datagram);
        if (*p != ':') return fail(m, buf, name, "header without colon");
        const char *v = p + 1;

        /* The value runs to a line end not followed by SP/HTAB; a folded continuation stays
         * inside it. Until the byte after LF has arrived we cannot know whether it folds. */
        const char *s = v;
        for (;;) {
            lf = memchr(s, '\n', (size_t)(end - s));
            if (lf == NULL || lf + 1 >= end) return ran_out(m, buf, len, is_datagram);
            if (lf[1] != ' ' && lf[1] != '\t') break;
            s = lf + 1;
        }
        if (m->nhdrs == SB_MSG_MAX_HDRS) return fail(m, buf, name, "too many headers");
        sb_hdr_id id = sb_hdr_lookup(name, name_len);
        sb_hdr *h = &m->hdrs[m->nhdrs++];
        h->id = (uint8_t)id;
        h->name = span(name, name + name_len);
        h->value = trim_span(v, lf);
        if (m->first[id] == 0) m->first[id] = (uint8_t)m->nhdrs;
        m->count[id]++; /* cannot wrap: at most SB_MSG_MAX_HDRS (96) lines */
        p = lf + 1;
    }

    rc = check_mandatory(m, buf, p);
    if (rc != 0) return rc;

    bool has_cl;
    size_t cl = 0;
    rc = content_length(m, buf, &has_cl, &cl);
    if (rc != 0) return rc;
    size_t head = (size_t)(p - buf);
    if (!has_cl) {
        /* RFC 3261 §18.3: on a stream Content-Length is mandatory, otherwise the next
         * message's start cannot be found. */
        if (!is_datagram) return fail(m, buf, p, "missing Content-Length on a stream");
        m->body = span(p, buf + len);
        return (ptrdiff_t)len;
    }
    if (cl > SB_MSG_MAX_SIZE - head)
        return fail_as(m, buf, p, "message too large", SB_PERR_TOO_LARGE);
    if (len - head < cl) {
        if (is_datagram) return fail(m, buf, buf + len, "body shorter than Content-Length");
        return SB_EINCOMPLETE;
    }
    /* Datagram bytes beyond Content-Length are discarded (RFC 3261 §18.3). */
    m->body = span(p, p + cl);
    return (ptrdiff_t)(head + cl);
}

const sb_hdr *sb_msg_hdr(const sb_msg *m, sb_hdr_id id) {
    if ((unsigned)id >= SB_HDR__COUNT || m->first[id] == 0) return NULL;
    return &m->hdrs[m->first[id] - 1];
}

bool sb_msg_has_token(const sb_msg *m, sb_hdr_id id, const char *token) {
    if ((unsigned)id >= SB_HDR__COUNT || m->first[id] == 0) return false;
    unsigned left = m->count[id];
    for (unsigned i = m->first[id] - 1u; left > 0 && i < m->nhdrs; i++) {
        if (m->hdrs[i].id != id) continue;
        left--;
        size_t pos = 0;
        sb_slice item;
        while (sb_list_next(m->hdrs[i].value, &pos, &item))
            if (sb_slice_ieq(item, token)) return true;
    }
    return false;
}

/* ---- Writer ------------------------------------------------------------------------------ */

void sb_buf_init(sb_buf *b, char *mem, size_t cap) {
    b->p = mem;
    b->len = 0;
    b->cap = cap;
    b->overflow = false;
}

void sb_buf_u64(sb_buf *b, uint64_t v) {
    char d[20];
    size_t n = 0;
    do {
        d[sizeof d - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    sb_buf_put(b, d + sizeof d - n, n);
}

void sb_buf_hdr(sb_buf *b, const char *name, sb_slice value) {
    sb_buf_str(b, name);
    sb_buf_put(b, ": ", 2);
    sb_buf_slice(b, value);
    sb_buf_put(b, "\r\n", 2);
}
