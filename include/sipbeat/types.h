/* Small value types shared by every layer: byte slices and transport addresses. */
#ifndef SIPBEAT_TYPES_H
#define SIPBEAT_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A view into bytes owned by someone else (zero-copy parsing). Not NUL-terminated. */
typedef struct {
    const char *p;
    size_t n;
} sb_slice;

#define SB_SLICE_LIT(s) ((sb_slice){(s), sizeof(s) - 1})

/* A UDP/TCP endpoint without any OS type in it. family is 4 or 6; ip in network order. */
typedef struct {
    uint8_t family;
    uint16_t port;
    uint8_t ip[16];
} sb_addr;

/* "1.2.3.4", "1.2.3.4:5060", "[::1]", "[::1]:5060", "::1". A missing port becomes
 * default_port. Returns 0 or SB_EINVAL. No name resolution. */
int sb_addr_parse(sb_addr *out, const char *text, size_t len, uint16_t default_port);
/* Writes "1.2.3.4:5060" or "[::1]:5060" (with_port) or the bare host ("[::1]" keeps its
 * brackets, as in a SIP URI). Returns the length written (NUL-terminated, truncated to cap). */
size_t sb_addr_format(const sb_addr *a, char *buf, size_t cap, bool with_port);
bool sb_addr_equal(const sb_addr *a, const sb_addr *b);

bool sb_slice_eq(sb_slice a, const char *lit);  /* exact */
bool sb_slice_ieq(sb_slice a, const char *lit); /* ASCII case-insensitive */
bool sb_slice_ieq2(sb_slice a, sb_slice b);
sb_slice sb_slice_trim(sb_slice s); /* strips SP, HTAB, CR, LF both ends */

/* Time is always an input: milliseconds on a monotonic clock chosen by the caller. */
#define SB_NEVER UINT64_MAX

#endif
