/* Transport addresses: numeric text to sb_addr and back, without name resolution. */
#include "sipbeat/errors.h"
#include "sipbeat/types.h"

#include <arpa/inet.h>
#include <string.h>

/* inet_pton wants a NUL-terminated string; the longest IPv6 text (with an embedded IPv4 tail)
 * is 45 characters, so anything longer cannot be an address. */
static bool host_to_ip(sb_addr *out, const char *p, size_t n, bool v6_only) {
    char tmp[48];
    if (n == 0 || n >= sizeof tmp) return false;
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    if (!v6_only && inet_pton(AF_INET, tmp, out->ip) == 1) {
        out->family = 4;
        memset(out->ip + 4, 0, 12);
        return true;
    }
    if (inet_pton(AF_INET6, tmp, out->ip) == 1) {
        out->family = 6;
        return true;
    }
    return false;
}

static bool parse_port(const char *p, size_t n, uint16_t *port) {
    if (n == 0 || n > 5) return false;
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return false;
        v = v * 10 + (uint32_t)(p[i] - '0');
    }
    if (v > 65535) return false;
    *port = (uint16_t)v;
    return true;
}

int sb_addr_parse(sb_addr *out, const char *text, size_t len, uint16_t default_port) {
    sb_addr a;
    memset(&a, 0, sizeof a);
    a.port = default_port;
    if (text == NULL || len == 0) return SB_EINVAL;

    if (text[0] == '[') {
        const char *close = memchr(text, ']', len);
        if (close == NULL) return SB_EINVAL;
        size_t hlen = (size_t)(close - text) - 1;
        if (!host_to_ip(&a, text + 1, hlen, true)) return SB_EINVAL;
        size_t rest = len - (size_t)(close - text) - 1;
        if (rest > 0) {
            if (close[1] != ':' || !parse_port(close + 2, rest - 1, &a.port)) return SB_EINVAL;
        }
    } else {
        /* One colon separates an IPv4 host from its port; more than one means bare IPv6,
         * which cannot carry a port without brackets. */
        const char *colon = memchr(text, ':', len);
        const char *colon2 =
            colon ? memchr(colon + 1, ':', len - (size_t)(colon - text) - 1) : NULL;
        if (colon != NULL && colon2 == NULL) {
            size_t hlen = (size_t)(colon - text);
            if (!host_to_ip(&a, text, hlen, false) || a.family != 4) return SB_EINVAL;
            if (!parse_port(colon + 1, len - hlen - 1, &a.port)) return SB_EINVAL;
        } else if (!host_to_ip(&a, text, len, false)) {
            return SB_EINVAL;
        }
    }
    *out = a;
    return 0;
}

/* Appends without ever writing past cap - 1, so the result is always NUL-terminated. */
static void put(char *buf, size_t cap, size_t *at, const char *s, size_t n) {
    while (n-- > 0 && *at + 1 < cap)
        buf[(*at)++] = *s++;
}

size_t sb_addr_format(const sb_addr *a, char *buf, size_t cap, bool with_port) {
    char host[INET6_ADDRSTRLEN];
    if (cap == 0) return 0;
    int af = a->family == 6 ? AF_INET6 : AF_INET;
    if (inet_ntop(af, a->ip, host, sizeof host) == NULL) host[0] = '\0';

    size_t at = 0;
    if (a->family == 6) put(buf, cap, &at, "[", 1);
    put(buf, cap, &at, host, strlen(host));
    if (a->family == 6) put(buf, cap, &at, "]", 1);
    if (with_port) {
        char digits[6];
        size_t nd = 0;
        unsigned v = a->port;
        do {
            digits[sizeof digits - 1 - nd++] = (char)('0' + v % 10);
            v /= 10;
        } while (v != 0);
        put(buf, cap, &at, ":", 1);
        put(buf, cap, &at, digits + sizeof digits - nd, nd);
    }
    buf[at] = '\0';
    return at;
}

bool sb_addr_equal(const sb_addr *a, const sb_addr *b) {
    if (a->family != b->family || a->port != b->port) return false;
    return memcmp(a->ip, b->ip, a->family == 6 ? 16 : 4) == 0;
}
