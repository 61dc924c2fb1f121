/* Seeded pseudo-random numbers (splitmix64): the engine's only source of randomness. */
#ifndef SB_BASE_RNG_H
#define SB_BASE_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t s;
} sb_rng;

static inline uint64_t sb_rng_next(sb_rng *r) {
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static inline uint64_t sb_rng_range(sb_rng *r, uint64_t lo, uint64_t hi) {
    return lo + sb_rng_next(r) % (hi - lo + 1);
}

/* Writes n lowercase hex digits and a NUL into out (out holds n + 1). */
void sb_rng_hex(sb_rng *r, char *out, size_t n);

#endif
