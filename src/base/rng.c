/* Random tokens for tags, branches and Call-IDs. */
#include "base/rng.h"

void sb_rng_hex(sb_rng *r, char *out, size_t n) {
    static const char hex[] = "0123456789abcdef";
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (i % 16 == 0) v = sb_rng_next(r);
        out[i] = hex[v & 15];
        v >>= 4;
    }
    out[n] = '\0';
}
