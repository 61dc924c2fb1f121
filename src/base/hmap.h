/* Intrusive hash table: owners embed an sb_hnode; the caller compares keys on collisions. */
#ifndef SB_BASE_HMAP_H
#define SB_BASE_HMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct sb_hnode {
    struct sb_hnode *next;
    uint64_t hash;
} sb_hnode;

typedef struct {
    sb_hnode **b;
    size_t nb, n;
} sb_hmap;

void sb_hmap_init(sb_hmap *m);
void sb_hmap_free(sb_hmap *m);
/* Returns 0, or SB_ENOMEM when the table could not grow (the node is inserted anyway while
 * the table has buckets at all). */
int sb_hmap_add(sb_hmap *m, sb_hnode *node, uint64_t hash);
/* Removes node; the table halves when it falls below a quarter full (never below 256
 * buckets), so a walk over the buckets must not delete as it goes. */
void sb_hmap_del(sb_hmap *m, sb_hnode *node);
/* Iterate candidates: for (n = sb_hmap_first(m, h); n; n = sb_hmap_next(n, h)) */
sb_hnode *sb_hmap_first(const sb_hmap *m, uint64_t hash);
sb_hnode *sb_hmap_next(sb_hnode *n, uint64_t hash);

/* FNV-1a over bytes, optionally ASCII-lowercased. */
uint64_t sb_hash(const void *p, size_t n, uint64_t seed);

#endif
