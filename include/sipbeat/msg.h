/* SIP message parsing (zero-copy, no allocation) and encoding (RFC 3261 §7, §20, §25).
 *
 * A parsed sb_msg points into the caller's buffer: it is valid as long as that buffer is.
 * Header names are matched case-insensitively and compact forms map to the same id
 * (x = Session-Expires, k = Supported, ...). Folded lines are kept inside the value slice;
 * the value helpers below treat a fold as white space. */
#ifndef SIPBEAT_MSG_H
#define SIPBEAT_MSG_H

#include "sipbeat/types.h"
#include <string.h>
#include <sys/types.h>

/* Known headers. SB_HDR_OTHER is any other name (still stored, with its name). */
#define SB_HDR_MAP(X)                                                                              \
    X(VIA, "Via", 'v')                                                                             \
    X(FROM, "From", 'f')                                                                           \
    X(TO, "To", 't')                                                                               \
    X(CALL_ID, "Call-ID", 'i')                                                                     \
    X(CSEQ, "CSeq", 0)                                                                             \
    X(CONTACT, "Contact", 'm')                                                                     \
    X(MAX_FORWARDS, "Max-Forwards", 0)                                                             \
    X(CONTENT_LENGTH, "Content-Length", 'l')                                                       \
    X(CONTENT_TYPE, "Content-Type", 'c')                                                           \
    X(CONTENT_ENCODING, "Content-Encoding", 'e')                                                   \
    X(ROUTE, "Route", 0)                                                                           \
    X(RECORD_ROUTE, "Record-Route", 0)                                                             \
    X(SUPPORTED, "Supported", 'k')                                                                 \
    X(REQUIRE, "Require", 0)                                                                       \
    X(PROXY_REQUIRE, "Proxy-Require", 0)                                                           \
    X(UNSUPPORTED, "Unsupported", 0)                                                               \
    X(ALLOW, "Allow", 0)                                                                           \
    X(SESSION_EXPIRES, "Session-Expires", 'x')                                                     \
    X(MIN_SE, "Min-SE", 0)                                                                         \
    X(RETRY_AFTER, "Retry-After", 0)                                                               \
    X(REASON, "Reason", 0)                                                                         \
    X(SUBJECT, "Subject", 's')                                                                     \
    X(EVENT, "Event", 'o')                                                                         \
    X(ALLOW_EVENTS, "Allow-Events", 'u')                                                           \
    X(REFER_TO, "Refer-To", 'r')                                                                   \
    X(REFERRED_BY, "Referred-By", 'b')                                                             \
    X(USER_AGENT, "User-Agent", 0)                                                                 \
    X(SERVER, "Server", 0)                                                                         \
    X(ACCEPT, "Accept", 0)                                                                         \
    X(WWW_AUTHENTICATE, "WWW-Authenticate", 0)                                                     \
    X(PROXY_AUTHENTICATE, "Proxy-Authenticate", 0)                                                 \
    X(AUTHORIZATION, "Authorization", 0)                                                           \
    X(PROXY_AUTHORIZATION, "Proxy-Authorization", 0)

typedef enum {
    SB_HDR_OTHER = 0,
#define SB__HDR_ENUM(id, name, compact) SB_HDR_##id,
    SB_HDR_MAP(SB__HDR_ENUM)
#undef SB__HDR_ENUM
        SB_HDR__COUNT
} sb_hdr_id;

/* Canonical name of a known header ("Session-Expires"), or NULL for SB_HDR_OTHER. */
const char *sb_hdr_name(sb_hdr_id id);
/* Id of a header name, long or compact, any case. SB_HDR_OTHER when unknown. */
sb_hdr_id sb_hdr_lookup(const char *name, size_t len);

typedef enum {
    SB_METHOD_OTHER = 0,
    SB_METHOD_INVITE,
    SB_METHOD_ACK,
    SB_METHOD_BYE,
    SB_METHOD_CANCEL,
    SB_METHOD_OPTIONS,
    SB_METHOD_UPDATE,
    SB_METHOD_REGISTER,
    SB_METHOD_INFO,
    SB_METHOD_PRACK,
    SB_METHOD_SUBSCRIBE,
    SB_METHOD_NOTIFY,
    SB_METHOD_REFER,
    SB_METHOD_MESSAGE,
} sb_method;

sb_method sb_method_lookup(sb_slice s);  /* methods are case-sensitive (RFC 3261 §7.1) */
const char *sb_method_name(sb_method m); /* "INVITE"; NULL for OTHER */

typedef struct {
    uint8_t id; /* sb_hdr_id */
    sb_slice name;
    sb_slice value; /* trimmed; may contain folds (CRLF + WSP) */
} sb_hdr;

#define SB_MSG_MAX_HDRS 96
#define SB_MSG_MAX_SIZE 65535

/* Why the parser refused a message, as far as an answer depends on it (RFC 3261 §21). */
typedef enum {
    SB_PERR_NONE = 0,
    SB_PERR_MALFORMED, /* 400 */
    SB_PERR_VERSION,   /* a SIP version we do not speak: 505 */
    SB_PERR_TOO_LARGE, /* over SB_MSG_MAX_SIZE: 513 */
} sb_perr;

typedef struct {
    bool is_request;
    /* Request line */
    sb_method method; /* for responses: the CSeq method */
    sb_slice method_name;
    sb_slice uri;
    /* Status line */
    int status;
    sb_slice reason;

    sb_hdr hdrs[SB_MSG_MAX_HDRS];
    uint16_t nhdrs;
    uint8_t first[SB_HDR__COUNT]; /* index+1 of first occurrence, 0 = absent */
    uint8_t count[SB_HDR__COUNT]; /* occurrences (header lines, not list items) */

    /* Filled by sb_msg_parse for every valid message (mandatory headers). */
    sb_slice call_id;
    sb_slice from_tag; /* empty when absent */
    sb_slice to_tag;   /* empty when absent */
    sb_slice branch;   /* top Via branch, empty when absent */
    uint32_t cseq;
    sb_method cseq_method;
    sb_slice cseq_method_name;

    sb_slice body;

    /* Set when parsing fails: what and where (byte offset into the buffer), and the kind of
     * failure for those who answer it (400, 505 or 513). */
    const char *error;
    size_t error_offset;
    sb_perr error_kind;
} sb_msg;

/* Parses one message in buf[0..len).
 * Returns the number of bytes the message occupies (start line + headers + body), or
 *   SB_EINCOMPLETE  the header block has no end yet, or the body is shorter than
 *                   Content-Length (stream transports: read more);
 *   SB_EMALFORMED   anything else wrong; m->error and m->error_offset say what and where.
 * For a datagram (UDP) pass is_datagram=true: a missing Content-Length means "the rest of the
 * datagram" and a short body is SB_EMALFORMED, not incomplete (RFC 3261 §18.3).
 * Never allocates; m points into buf. */
ptrdiff_t sb_msg_parse(sb_msg *m, const char *buf, size_t len, bool is_datagram);

/* First header with this id, or NULL. */
const sb_hdr *sb_msg_hdr(const sb_msg *m, sb_hdr_id id);
/* True if any header line with this id lists token (comma-separated, case-insensitive),
 * e.g. sb_msg_has_token(m, SB_HDR_SUPPORTED, "timer"). */
bool sb_msg_has_token(const sb_msg *m, sb_hdr_id id, const char *token);

/* Iterates comma-separated items of one header value, respecting quotes and <...>.
 * Start with *pos = 0; returns false when done. Items are trimmed. */
bool sb_list_next(sb_slice value, size_t *pos, sb_slice *item);

/* Finds ;name[=value] among the parameters following the first ';' of s that is outside
 * <...> and quotes. value is empty for a flag parameter. Name match is case-insensitive. */
bool sb_param_get(sb_slice s, const char *name, sb_slice *value);

/* From a name-addr or addr-spec ("Bob" <sip:b@h>;tag=1 | sip:b@h;tag=1) returns the URI. */
sb_slice sb_nameaddr_uri(sb_slice value);

/* A parsed top Via (RFC 3261 §20.42). */
typedef struct {
    sb_slice transport; /* "UDP" */
    sb_slice host;      /* v6 with brackets */
    uint16_t port;      /* 0 when absent */
    sb_slice branch, received;
    bool rport;
} sb_via;
int sb_via_parse(sb_slice value, sb_via *out); /* 0 or SB_EMALFORMED */

/* SIP URI host and port ("sip:user@host:port;params"); port 0 when absent. */
int sb_uri_hostport(sb_slice uri, sb_slice *host, uint16_t *port);

/* RFC 4028 §4 headers. delta-seconds has no upper bound: values above UINT32_MAX saturate to
 * UINT32_MAX (HDR-8). Anything but 1*DIGIT is SB_EMALFORMED.
 * refresher: 0 absent or not uac/uas (HDR-2), 1 uac, 2 uas. */
typedef enum { SB_REFRESHER_NONE = 0, SB_REFRESHER_UAC = 1, SB_REFRESHER_UAS = 2 } sb_refresher;
int sb_parse_session_expires(sb_slice value, uint32_t *se_s, sb_refresher *refresher,
                             bool *bogus_refresher);
int sb_parse_min_se(sb_slice value, uint32_t *min_se_s);
/* Retry-After's delay (RFC 3261 §20.33), saturating at UINT32_MAX; a comment or parameters
 * after it are ignored. 0 or SB_EMALFORMED. */
int sb_parse_retry_after(sb_slice value, uint32_t *secs);

/* Simple appending writer over a caller-owned fixed buffer. On overflow it sets
 * overflow=true and stops writing; check it once at the end. */
typedef struct {
    char *p;
    size_t len, cap;
    bool overflow;
} sb_buf;

void sb_buf_init(sb_buf *b, char *mem, size_t cap);
/* Inline so that the compiler sees the copy length (a constant for literals) at each call. */
static inline void sb_buf_put(sb_buf *b, const char *s, size_t n) {
    if (b->overflow || n > b->cap - b->len) {
        b->overflow = true;
        return;
    }
    if (n > 0) memcpy(b->p + b->len, s, n);
    b->len += n;
}
static inline void sb_buf_str(sb_buf *b, const char *s) {
    sb_buf_put(b, s, strlen(s));
}
static inline void sb_buf_slice(sb_buf *b, sb_slice s) {
    sb_buf_put(b, s.p, s.n);
}
void sb_buf_u64(sb_buf *b, uint64_t v);
void sb_buf_hdr(sb_buf *b, const char *name, sb_slice value); /* "Name: value\r\n" */

#endif
