/* Byte-slice comparisons and trimming (ASCII only: SIP tokens are ASCII). */
#include "sipbeat/types.h"

#include <string.h>

static inline unsigned char lower(unsigned char c) {
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static bool ieq_n(const char *a, const char *b, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i])) return false;
    return true;
}

bool sb_slice_eq(sb_slice a, const char *lit) {
    size_t n = strlen(lit);
    return a.n == n && (n == 0 || memcmp(a.p, lit, n) == 0);
}

bool sb_slice_ieq(sb_slice a, const char *lit) {
    size_t n = strlen(lit);
    return a.n == n && ieq_n(a.p, lit, n);
}

bool sb_slice_ieq2(sb_slice a, sb_slice b) {
    return a.n == b.n && ieq_n(a.p, b.p, a.n);
}

static inline bool is_ws(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

sb_slice sb_slice_trim(sb_slice s) {
    while (s.n > 0 && is_ws(s.p[0])) {
        s.p++;
        s.n--;
    }
    while (s.n > 0 && is_ws(s.p[s.n - 1]))
        s.n--;
    return s;
}
