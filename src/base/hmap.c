/* Intrusive chained hash table with power-of-two buckets: doubling when full, halving when
 * below a quarter full. */
#include "base/hmap.h"

#include "sipbeat/errors.h"

#include <stdlib.h>

void sb_hmap_init(sb_hmap *m) {
    m->b = NULL;
    m->nb = m->n = 0;
}

void sb_hmap_free(sb_hmap *m) {
    free(m->b);
    sb_hmap_init(m);
}

#define MIN_BUCKETS 256

static int grow(sb_hmap *m) {
    size_t nb = m->nb ? m->nb * 2 : MIN_BUCKETS;
    sb_hnode **b = calloc(nb, sizeof *b);
    if (!b) return SB_ENOMEM;
    for (size_t i = 0; i < m->nb; i++) {
        sb_hnode *n = m->b[i];
        while (n) {
            sb_hnode *next = n->next;
            size_t j = n->hash & (nb - 1);
            n->next = b[j];
            b[j] = n;
            n = next;
        }
    }
    free(m->b);
    m->b = b;
    m->nb = nb;
    return 0;
}

int sb_hmap_add(sb_hmap *m, sb_hnode *node, uint64_t hash) {
    int rc = 0;
    if (m->n >= m->nb) rc = grow(m);
    if (!m->nb) return SB_ENOMEM;
    node->hash = hash;
    size_t i = hash & (m->nb - 1);
    node->next = m->b[i];
    m->b[i] = node;
    m->n++;
    return rc;
}

/* Halves the table: bucket j + nb/2 joins bucket j, then the upper half is given back. Never
 * fails: if realloc cannot shrink the block, the table keeps it and uses its lower half. */
static void shrink(sb_hmap *m) {
    size_t nb = m->nb / 2;
    for (size_t j = nb; j < m->nb; j++) {
        sb_hnode *n = m->b[j];
        while (n) {
            sb_hnode *next = n->next;
            n->next = m->b[j - nb];
            m->b[j - nb] = n;
            n = next;
        }
    }
    sb_hnode **b = realloc(m->b, nb * sizeof *b);
    if (b) m->b = b;
    m->nb = nb;
}

void sb_hmap_del(sb_hmap *m, sb_hnode *node) {
    if (!m->nb) return;
    sb_hnode **pp = &m->b[node->hash & (m->nb - 1)];
    for (; *pp; pp = &(*pp)->next) {
        if (*pp == node) {
            *pp = node->next;
            m->n--;
            /* A table that grew for a peak (the transactions of a burst of calls) does not
             * keep its buckets for good. Below a quarter full it halves, leaving it under
             * half full: the next resize either way takes adds or deletes in proportion to
             * the table's size, so resizes cannot thrash and stay O(1) amortized. */
            if (m->nb > MIN_BUCKETS && m->n < m->nb / 4) shrink(m);
            return;
        }
    }
}

sb_hnode *sb_hmap_first(const sb_hmap *m, uint64_t hash) {
    if (!m->nb) return NULL;
    sb_hnode *n = m->b[hash & (m->nb - 1)];
    while (n && n->hash != hash)
        n = n->next;
    return n;
}

sb_hnode *sb_hmap_next(sb_hnode *n, uint64_t hash) {
    for (n = n->next; n && n->hash != hash; n = n->next) {
    }
    return n;
}

uint64_t sb_hash(const void *p, size_t n, uint64_t seed) {
    const unsigned char *s = p;
    uint64_t h = 1469598103934665603ULL ^ seed;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    return h;
}
