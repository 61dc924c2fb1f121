/* A best-effort 400 to a request the parser refused, built from its raw header lines.
 *
 * RFC 3261 §8.2 wants a malformed request answered, but a response can only reach the client
 * if it carries the request's Via, From, To, Call-ID and CSeq. So we answer only when all five
 * can be found as plain lines; the reason phrase names the problem the parser saw. ACKs are
 * never answered. An oversize datagram is read up to our size limit and answered 513. */
#include "dialog/ua.h"

#include <string.h>

static bool is_token_char(char ch) {
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           strchr("-.!%*_+`'~", ch) != NULL;
}

/* The request line ends in "SIP/x.y" that is not 2.0: a version we do not speak, rather than
 * a garbled line (RFC 4475 3.1.2.8 has "; lr SIP/2.0" where the URI broke in two). */
static bool speaks_other_sip(const char *p, size_t len) {
    const char *eol = memchr(p, '\r', len);
    if (!eol) eol = memchr(p, '\n', len);
    if (!eol) return false;
    const char *sp = eol;
    while (sp > p && sp[-1] != ' ')
        sp--;
    size_t n = (size_t)(eol - sp);
    int spaces = 0;
    for (const char *q = p; q < eol; q++)
        spaces += *q == ' ';
    return spaces == 2 && n > 4 && (sp[0] == 'S' || sp[0] == 's') &&
           (sp[1] == 'I' || sp[1] == 'i') && (sp[2] == 'P' || sp[2] == 'p') && sp[3] == '/';
}

void sb__reply_bad_request(sb_ua *e, const sb_addr *from, const char *data, size_t len,
                           const char *why, sb_perr kind) {
    /* 505 for a version we do not speak, 513 for what is too large, else 400 (RFC 3261 §21) */
    const char *status = "400 Bad Request: ";
    if (kind == SB_PERR_VERSION && speaks_other_sip(data, len))
        status = "505 Version Not Supported: ";
    if (kind == SB_PERR_TOO_LARGE) status = "513 Message Too Large: ";
    if (len > SB_MSG_MAX_SIZE) len = SB_MSG_MAX_SIZE;
    const char *p = data, *end = data + len;
    size_t mlen = 0;
    while (p + mlen < end && is_token_char(p[mlen]))
        mlen++;
    if (!mlen || p + mlen >= end || p[mlen] != ' ') return; /* not a request line */
    if ((mlen == 3 && memcmp(p, "ACK", 3) == 0) || (mlen >= 4 && memcmp(p, "SIP/", 4) == 0)) return;

    sb_slice vals[SB_HDR__COUNT] = {{0}};
    int found = 0;
    const char *line = memchr(p, '\n', (size_t)(end - p));
    while (line && ++line < end) {
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        const char *le = eol ? eol : end;
        if (le > line && le[-1] == '\r') le--;
        if (le == line) break; /* end of the header block */
        const char *colon = memchr(line, ':', (size_t)(le - line));
        if (colon) {
            const char *ne = colon;
            while (ne > line && (ne[-1] == ' ' || ne[-1] == '\t'))
                ne--;
            sb_hdr_id id = sb_hdr_lookup(line, (size_t)(ne - line));
            if ((id == SB_HDR_VIA || id == SB_HDR_FROM || id == SB_HDR_TO || id == SB_HDR_CALL_ID ||
                 id == SB_HDR_CSEQ) &&
                !vals[id].p) {
                vals[id] = sb_slice_trim((sb_slice){colon + 1, (size_t)(le - colon - 1)});
                found += vals[id].n > 0; /* an empty value cannot be echoed */
            }
        }
        line = eol;
    }
    if (found < 5) return;

    char out[SB_MAX_OUT], tag[12];
    sb_buf b;
    sb_buf_init(&b, out, sizeof out);
    sb_buf_str(&b, "SIP/2.0 ");
    sb_buf_str(&b, status);
    sb_buf_str(&b, why);
    sb_buf_str(&b, "\r\n");
    sb_buf_hdr(&b, "Via", vals[SB_HDR_VIA]);
    sb_buf_hdr(&b, "From", vals[SB_HDR_FROM]);
    sb_buf_str(&b, "To: ");
    sb_buf_slice(&b, vals[SB_HDR_TO]);
    sb_slice tv;
    if (!sb_param_get(vals[SB_HDR_TO], "tag", &tv)) {
        sb_rng_hex(&e->rng, tag, 10);
        sb_buf_str(&b, ";tag=");
        sb_buf_str(&b, tag);
    }
    sb_buf_str(&b, "\r\n");
    sb_buf_hdr(&b, "Call-ID", vals[SB_HDR_CALL_ID]);
    sb_buf_hdr(&b, "CSeq", vals[SB_HDR_CSEQ]);
    sb_buf_str(&b, "Server: sipbeat\r\nContent-Length: 0\r\n\r\n");
    if (!b.overflow) sb__send(e, from, out, b.len);
}
