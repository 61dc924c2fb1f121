/* Header and method ids: canonical names, compact forms and fast case-insensitive lookup. */
#include "sipbeat/msg.h"

#include <string.h>

static const char *const hdr_names[SB_HDR__COUNT] = {[SB_HDR_OTHER] = NULL,
#define SB__HDR_NAME(id, name, compact) [SB_HDR_##id] = name,
                                                     SB_HDR_MAP(SB__HDR_NAME)
#undef SB__HDR_NAME
};

const char *sb_hdr_name(sb_hdr_id id) {
    return (unsigned)id < SB_HDR__COUNT ? hdr_names[id] : NULL;
}

static inline unsigned char lower(unsigned char c) {
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* name has exactly the length of the canonical name of id (the switch below guarantees it). */
static bool is(const char *name, size_t len, sb_hdr_id id) {
    const char *canon = hdr_names[id];
    for (size_t i = 0; i < len; i++)
        if (lower((unsigned char)name[i]) != lower((unsigned char)canon[i])) return false;
    return true;
}

/* Compact forms (RFC 3261 §7.3.3 and the extensions' RFCs). The X-macro cannot generate this
 * switch because headers without a compact form would all become "case 0"; the unit test
 * checks that this list agrees with SB_HDR_MAP. */
static sb_hdr_id compact(unsigned char c) {
    switch (lower(c)) {
    case 'v':
        return SB_HDR_VIA;
    case 'f':
        return SB_HDR_FROM;
    case 't':
        return SB_HDR_TO;
    case 'i':
        return SB_HDR_CALL_ID;
    case 'm':
        return SB_HDR_CONTACT;
    case 'l':
        return SB_HDR_CONTENT_LENGTH;
    case 'c':
        return SB_HDR_CONTENT_TYPE;
    case 'e':
        return SB_HDR_CONTENT_ENCODING;
    case 'k':
        return SB_HDR_SUPPORTED;
    case 'x':
        return SB_HDR_SESSION_EXPIRES;
    case 's':
        return SB_HDR_SUBJECT;
    case 'o':
        return SB_HDR_EVENT;
    case 'u':
        return SB_HDR_ALLOW_EVENTS;
    case 'r':
        return SB_HDR_REFER_TO;
    case 'b':
        return SB_HDR_REFERRED_BY;
    default:
        return SB_HDR_OTHER;
    }
}

/* The length picks a bucket of at most four candidates; each candidate is rejected on its
 * first differing byte, so a lookup costs a handful of compares, never a table walk. */
sb_hdr_id sb_hdr_lookup(const char *name, size_t len) {
#define TRY(id)                                                                                    \
    if (is(name, len, SB_HDR_##id)) return SB_HDR_##id;
    switch (len) {
    case 1:
        return compact((unsigned char)name[0]);
    case 2:
        TRY(TO) break;
    case 3:
        TRY(VIA) break;
    case 4:
        TRY(FROM) TRY(CSEQ) break;
    case 5:
        TRY(ROUTE) TRY(ALLOW) TRY(EVENT) break;
    case 6:
        TRY(MIN_SE) TRY(REASON) TRY(SERVER) TRY(ACCEPT) break;
    case 7:
        TRY(CALL_ID) TRY(CONTACT) TRY(REQUIRE) TRY(SUBJECT) break;
    case 8:
        TRY(REFER_TO) break;
    case 9:
        TRY(SUPPORTED) break;
    case 10:
        TRY(USER_AGENT) break;
    case 11:
        TRY(UNSUPPORTED) TRY(RETRY_AFTER) TRY(REFERRED_BY) break;
    case 12:
        TRY(MAX_FORWARDS) TRY(CONTENT_TYPE) TRY(RECORD_ROUTE) TRY(ALLOW_EVENTS) break;
    case 13:
        TRY(PROXY_REQUIRE) TRY(AUTHORIZATION) break;
    case 14:
        TRY(CONTENT_LENGTH) break;
    case 15:
        TRY(SESSION_EXPIRES) break;
    case 16:
        TRY(CONTENT_ENCODING) TRY(WWW_AUTHENTICATE) break;
    case 18:
        TRY(PROXY_AUTHENTICATE) break;
    case 19:
        TRY(PROXY_AUTHORIZATION) break;
    default:
        break;
    }
#undef TRY
    return SB_HDR_OTHER;
}

static const char *const method_names[] = {
    [SB_METHOD_OTHER] = NULL,
    [SB_METHOD_INVITE] = "INVITE",
    [SB_METHOD_ACK] = "ACK",
    [SB_METHOD_BYE] = "BYE",
    [SB_METHOD_CANCEL] = "CANCEL",
    [SB_METHOD_OPTIONS] = "OPTIONS",
    [SB_METHOD_UPDATE] = "UPDATE",
    [SB_METHOD_REGISTER] = "REGISTER",
    [SB_METHOD_INFO] = "INFO",
    [SB_METHOD_PRACK] = "PRACK",
    [SB_METHOD_SUBSCRIBE] = "SUBSCRIBE",
    [SB_METHOD_NOTIFY] = "NOTIFY",
    [SB_METHOD_REFER] = "REFER",
    [SB_METHOD_MESSAGE] = "MESSAGE",
};

const char *sb_method_name(sb_method m) {
    return (unsigned)m < sizeof method_names / sizeof method_names[0] ? method_names[m] : NULL;
}

sb_method sb_method_lookup(sb_slice s) {
#define M(id)                                                                                      \
    if (memcmp(s.p, method_names[SB_METHOD_##id], s.n) == 0) return SB_METHOD_##id;
    switch (s.n) {
    case 3:
        M(ACK) M(BYE) break;
    case 4:
        M(INFO) break;
    case 5:
        M(PRACK) M(REFER) break;
    case 6:
        M(INVITE) M(CANCEL) M(UPDATE) M(NOTIFY) break;
    case 7:
        M(OPTIONS) M(MESSAGE) break;
    case 8:
        M(REGISTER) break;
    case 9:
        M(SUBSCRIBE) break;
    default:
        break;
    }
#undef M
    return SB_METHOD_OTHER;
}
