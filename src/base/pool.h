/* Fixed-size object pool: objects of one size carved from 256 KiB slabs.
 *
 * Why not malloc: objects that come and go in bulk (transactions linger 64*T1 after their
 * call is set up) would be allocated between long-lived ones (the calls) and leave holes the
 * allocator can never give back. A pool keeps them together, and a slab whose objects are all
 * free goes back to the OS at once (one empty slab is kept as a cushion against thrash).
 *
 * Slabs are mapped by the pool itself (mmap, aligned to their size) rather than malloc'd:
 * glibc's dynamic mmap threshold rises above the size of any mapped chunk it frees, so after
 * the first slab (or a larger hash table) was freed, malloc would serve later slabs from the
 * heap, where they cannot be returned. The alignment finds an object's slab by masking its
 * address, so an object carries no header; free objects hold the free list in their first
 * word. Under ASan or valgrind each object is reported as a heap block of its own. */
#ifndef SB_BASE_POOL_H
#define SB_BASE_POOL_H

#include <stddef.h>
#include <stdint.h>

#define SB_POOL_SLAB ((size_t)256 * 1024) /* bytes per slab, a power of two */
#define SB_POOL_ALIGN 16                  /* every object's alignment */
#define SB_POOL_HEADER 64                 /* bytes at the start of a slab for its bookkeeping */
#define SB_POOL_MAX (SB_POOL_SLAB - SB_POOL_HEADER) /* the largest object */

typedef struct sb_pool_slab sb_pool_slab;

/* The fields are the pool's; read-only for others (tests read slabs). */
typedef struct {
    size_t size;         /* object size, rounded up to SB_POOL_ALIGN */
    uint32_t per_slab;   /* objects one slab holds */
    uint32_t slabs;      /* slabs mapped, the spare included */
    size_t live;         /* objects handed out */
    sb_pool_slab *avail; /* slabs with objects both in use and free */
    sb_pool_slab *full;  /* slabs with every object in use */
    sb_pool_slab *spare; /* one empty slab kept back, or NULL */
} sb_pool;

/* Returns 0, or SB_EINVAL when size is 0 or above SB_POOL_MAX. Maps nothing yet. */
int sb_pool_init(sb_pool *p, size_t size);
/* Unmaps every slab: objects still handed out are gone with them. */
void sb_pool_free(sb_pool *p);
/* A zeroed object (like calloc), or NULL when no slab could be mapped. */
void *sb_pool_get(sb_pool *p);
/* Gives an object of this pool back; NULL is ignored. Its slab is unmapped when it was the
 * slab's last object in use and a spare is kept already. */
void sb_pool_put(sb_pool *p, void *obj);

#endif
