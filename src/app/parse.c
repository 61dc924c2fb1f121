/* `sipbeat parse [FILE|-]`: one SIP message in, its parsed form out as JSON. */
#include "app/cli.h"
#include "app/run.h"
#include "sipbeat/errors.h"
#include "sipbeat/msg.h"

#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *str(sb_slice s) {
    return json_stringn(s.p, s.n);
}

/* Items of every header line with this id, e.g. Supported: a, b + k: c -> [a, b, c]. */
static json_t *tokens(const sb_msg *m, sb_hdr_id id) {
    json_t *a = json_array();
    for (uint16_t i = 0; i < m->nhdrs; i++) {
        if (m->hdrs[i].id != id) continue;
        size_t pos = 0;
        sb_slice item;
        while (sb_list_next(m->hdrs[i].value, &pos, &item))
            json_array_append_new(a, str(item));
    }
    return a;
}

static json_t *session_expires(const sb_msg *m) {
    const sb_hdr *h = sb_msg_hdr(m, SB_HDR_SESSION_EXPIRES);
    if (!h) return json_null();
    uint32_t se = 0;
    sb_refresher r = SB_REFRESHER_NONE;
    bool bogus = false;
    if (sb_parse_session_expires(h->value, &se, &r, &bogus) != 0)
        return json_pack("{s:s, s:s%}", "error", "malformed Session-Expires", "raw", h->value.p,
                         h->value.n);
    static const char *const names[] = {"none", "uac", "uas"};
    return json_pack("{s:I, s:s, s:b}", "seconds", (json_int_t)se, "refresher", names[r],
                     "bogus_refresher", bogus);
}

static json_t *min_se(const sb_msg *m) {
    const sb_hdr *h = sb_msg_hdr(m, SB_HDR_MIN_SE);
    uint32_t v = 0;
    if (!h) return json_null();
    if (sb_parse_min_se(h->value, &v) != 0)
        return json_pack("{s:s, s:s%}", "error", "malformed Min-SE", "raw", h->value.p, h->value.n);
    return json_integer(v);
}

/* Room for the line --trace writes before a message, on top of the largest message. */
#define TRACE_HEAD_MAX 512

/* Is this line a --trace header, "----- 1.234 s SENT to ADDR (uac ADDR, 675 bytes)"
 * (session.c)? Then *bytes is the datagram's length as the trace recorded it. */
static bool trace_head(const char *p, size_t n, size_t *bytes) {
    static const char tail[] = " bytes)";
    size_t t = sizeof tail - 1;
    while (n && (p[n - 1] == '\r' || p[n - 1] == '\n'))
        n--;
    if (n < 6 + t || memcmp(p, "----- ", 6) != 0 || memcmp(p + n - t, tail, t) != 0) return false;
    size_t d = n - t, v = 0, mul = 1;
    while (d > 6 && p[d - 1] >= '0' && p[d - 1] <= '9' && mul <= 100000000) {
        v += (size_t)(p[d - 1] - '0') * mul;
        mul *= 10;
        d--;
    }
    if (d == n - t || p[d - 1] != ' ') return false;
    *bytes = v;
    return true;
}

/* A block pasted from a --trace file: the trace writes a header line, the datagram, and a
 * newline before the next header. Narrows [*off, *off + *len) to the datagram: it starts after
 * the header line, and ends where the header said, or before the next header line (a copy
 * whose line ends were rewritten is shorter than announced). Anything else is left as is. */
static void trace_block(const char *buf, size_t *off, size_t *len) {
    size_t p = 0, want = SIZE_MAX, end = *len;
    while (p < end && (buf[p] == '\r' || buf[p] == '\n'))
        p++;
    const char *lf = memchr(buf + p, '\n', end - p);
    if (lf && trace_head(buf + p, (size_t)(lf - buf) - p, &want))
        p = (size_t)(lf - buf) + 1; /* the message starts after the header line */
    else
        p = 0;
    for (size_t i = p; i + 6 < end; i++) {
        if (buf[i] != '\n' || memcmp(buf + i + 1, "----- ", 6) != 0) continue;
        const char *e = memchr(buf + i + 1, '\n', end - i - 1);
        size_t ignored;
        if (trace_head(buf + i + 1, e ? (size_t)(e - buf) - i - 1 : end - i - 1, &ignored)) {
            end = i; /* the newline before the next header is the trace's own */
            break;
        }
    }
    if (want < end - p) end = p + want;
    *off = p;
    *len = end - p;
}

static int parse_buf(const char *name, const char *buf, size_t len, size_t base) {
    sb_msg m;
    ptrdiff_t n = sb_msg_parse(&m, buf, len, true);
    if (n < 0) {
        printf("%s: %s at byte %zu\n", name, m.error ? m.error : sb_strerror((int)n),
               base + m.error_offset);
        return 1;
    }
    json_t *headers = json_array();
    for (uint16_t i = 0; i < m.nhdrs; i++) {
        const char *canon = sb_hdr_name((sb_hdr_id)m.hdrs[i].id);
        json_array_append_new(headers, json_pack("{s:o, s:o}", "name",
                                                 canon ? json_string(canon) : str(m.hdrs[i].name),
                                                 "value", str(m.hdrs[i].value)));
    }
    json_t *start = m.is_request ? json_pack("{s:s, s:o, s:o}", "type", "request", "method",
                                             str(m.method_name), "uri", str(m.uri))
                                 : json_pack("{s:s, s:i, s:o}", "type", "response", "status",
                                             m.status, "reason", str(m.reason));
    json_t *out = json_pack(
        "{s:o, s:o, s:I, s:o, s:o, s:o, s:o, s:o, s:I, s:s%}", "start_line", start, "headers",
        headers, "body_length", (json_int_t)m.body.n, "session_expires", session_expires(&m),
        "min_se", min_se(&m), "supported", tokens(&m, SB_HDR_SUPPORTED), "require",
        tokens(&m, SB_HDR_REQUIRE), "call_id", str(m.call_id), "cseq", (json_int_t)m.cseq,
        "cseq_method", m.cseq_method_name.p, m.cseq_method_name.n);
    char *text = json_dumps(out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(out);
    if (!text) return 3;
    puts(text);
    free(text);
    return 0;
}

int sb_run_parse(int argc, char **argv) {
    if (argc > 1) {
        fprintf(stderr, "sipbeat: parse takes one FILE or - (got %d arguments)\n", argc);
        return 2;
    }
    const char *path = argc ? argv[0] : "-";
    if (strcmp(path, "--help") == 0 || strcmp(path, "-h") == 0) {
        fputs(sb_cli_help(SB_CMD_PARSE), stdout);
        return 0;
    }
    if (path[0] == '-' && path[1] != '\0') {
        fprintf(stderr,
                "sipbeat: parse %s: unknown flag (allowed: FILE, - for stdin, --help; "
                "./%s for a file of that name)\n",
                path, path);
        return 2;
    }
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "sipbeat: cannot open %s: %s\n", path, strerror(errno));
        return 3;
    }
    static char buf[SB_MSG_MAX_SIZE + TRACE_HEAD_MAX + 1];
    size_t len = fread(buf, 1, sizeof buf, f);
    if (f != stdin) fclose(f);
    size_t off = 0;
    trace_block(buf, &off, &len);
    if (len > SB_MSG_MAX_SIZE) {
        printf("%s: message too large (more than %d bytes) at byte %zu\n", path, SB_MSG_MAX_SIZE,
               off + SB_MSG_MAX_SIZE);
        return 1;
    }
    return parse_buf(path, buf + off, len, off);
}
