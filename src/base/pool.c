/* Fixed-size object pool on slabs mapped aligned to their size (pool.h). */
#include "base/pool.h"

#include "sipbeat/errors.h"

#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>

/* Sanitizers and valgrind see each object as a block of its own: a use after sb_pool_put or
 * a leaked object is still reported. */
#if defined(__SANITIZE_ADDRESS__)
#define SB_POOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SB_POOL_ASAN 1
#endif
#endif
#ifdef SB_POOL_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(a, n) ASAN_POISON_MEMORY_REGION(a, n)
#define UNPOISON(a, n) ASAN_UNPOISON_MEMORY_REGION(a, n)
#else
#define POISON(a, n) ((void)(a), (void)(n))
#define UNPOISON(a, n) ((void)(a), (void)(n))
#endif

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define SB_POOL_VALGRIND 1
#endif
#endif
#ifndef SB_POOL_VALGRIND
#define VALGRIND_MALLOCLIKE_BLOCK(a, n, rz, z) ((void)(a), (void)(n))
#define VALGRIND_FREELIKE_BLOCK(a, rz) ((void)(a))
#define VALGRIND_MAKE_MEM_DEFINED(a, n) ((void)(a), (void)(n))
#endif

/* At the start of every slab; its objects follow at SB_POOL_HEADER. */
struct sb_pool_slab {
    sb_pool_slab *prev, *next; /* on the pool's avail or full list */
    void *free;                /* free objects, each holding the next in its first word */
    uint32_t used;             /* objects handed out */
    uint32_t carved;           /* objects ever handed out: the rest of the slab is untouched */
};

_Static_assert(sizeof(sb_pool_slab) <= SB_POOL_HEADER, "slab header too big");
_Static_assert((SB_POOL_SLAB & (SB_POOL_SLAB - 1)) == 0, "slab size not a power of two");
_Static_assert(SB_POOL_HEADER % SB_POOL_ALIGN == 0, "objects misaligned");

int sb_pool_init(sb_pool *p, size_t size) {
    memset(p, 0, sizeof *p);
    if (size == 0 || size > SB_POOL_MAX) return SB_EINVAL;
    if (size < sizeof(void *)) size = sizeof(void *);
    p->size = (size + SB_POOL_ALIGN - 1) & ~(size_t)(SB_POOL_ALIGN - 1);
    p->per_slab = (uint32_t)((SB_POOL_SLAB - SB_POOL_HEADER) / p->size);
    return 0;
}

static void push(sb_pool_slab **list, sb_pool_slab *s) {
    s->prev = NULL;
    s->next = *list;
    if (*list) (*list)->prev = s;
    *list = s;
}

static void unlink_slab(sb_pool_slab **list, sb_pool_slab *s) {
    if (s->prev)
        s->prev->next = s->next;
    else
        *list = s->next;
    if (s->next) s->next->prev = s->prev;
    s->prev = s->next = NULL;
}

/* A fresh slab, aligned to its size. The kernel usually places a mapping right below the
 * previous one, so one of exactly a slab is tried first; otherwise two slabs' worth are
 * mapped and trimmed to an aligned one. */
static sb_pool_slab *slab_map(sb_pool *p) {
    const uintptr_t mask = SB_POOL_SLAB - 1;
    char *m = mmap(NULL, SB_POOL_SLAB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return NULL;
    if ((uintptr_t)m & mask) {
        munmap(m, SB_POOL_SLAB);
        m = mmap(NULL, 2 * SB_POOL_SLAB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
                 0);
        if (m == MAP_FAILED) return NULL;
        char *a = (char *)(((uintptr_t)m + mask) & ~mask);
        size_t head = (size_t)(a - m);
        if (head) munmap(m, head);
        if (SB_POOL_SLAB - head) munmap(a + SB_POOL_SLAB, SB_POOL_SLAB - head);
        m = a;
    }
    p->slabs++;
    POISON(m + SB_POOL_HEADER, SB_POOL_SLAB - SB_POOL_HEADER);
    return (sb_pool_slab *)m; /* anonymous memory is zeroed: an empty header */
}

/* Under valgrind, the objects of s still out (sb_pool_free) are forgotten before s goes:
 * otherwise they would overlap those of a slab mapped later at the same address. */
static void valgrind_forget(const sb_pool *p, sb_pool_slab *s) {
#ifdef SB_POOL_VALGRIND
    if (!RUNNING_ON_VALGRIND || !s->used) return;
    unsigned char is_free[(SB_POOL_MAX / SB_POOL_ALIGN + 7) / 8] = {0};
    char *base = (char *)s + SB_POOL_HEADER;
    for (char *o = s->free, *next; o; o = next) {
        VALGRIND_MAKE_MEM_DEFINED(o, sizeof next);
        memcpy(&next, o, sizeof next);
        size_t i = (size_t)(o - base) / p->size;
        is_free[i / 8] |= (unsigned char)(1u << (i % 8));
    }
    for (size_t i = 0; i < s->carved; i++)
        if (!(is_free[i / 8] & (1u << (i % 8)))) VALGRIND_FREELIKE_BLOCK(base + i * p->size, 0);
#else
    (void)p;
    (void)s;
#endif
}

static void slab_unmap(sb_pool *p, sb_pool_slab *s) {
    valgrind_forget(p, s);
    UNPOISON(s, SB_POOL_SLAB); /* the address range may be mapped again by anyone */
    munmap(s, SB_POOL_SLAB);
    p->slabs--;
}

void sb_pool_free(sb_pool *p) {
    sb_pool_slab *lists[] = {p->avail, p->full, p->spare};
    p->spare = NULL;
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        for (sb_pool_slab *s = lists[i], *next; s; s = next) {
            next = s->next;
            slab_unmap(p, s);
        }
    }
    size_t size = p->size;
    sb_pool_init(p, size);
}

void *sb_pool_get(sb_pool *p) {
    sb_pool_slab *s = p->avail;
    if (!s) {
        s = p->spare ? p->spare : slab_map(p);
        if (!s) return NULL;
        p->spare = NULL;
        push(&p->avail, s);
    }
    char *obj;
    if (s->free) {
        obj = s->free;
        UNPOISON(obj, p->size);
        VALGRIND_MAKE_MEM_DEFINED(obj, sizeof(void *));
        memcpy(&s->free, obj, sizeof(void *));
    } else {
        obj = (char *)s + SB_POOL_HEADER + (size_t)s->carved++ * p->size;
        UNPOISON(obj, p->size);
    }
    VALGRIND_MALLOCLIKE_BLOCK(obj, p->size, 0, 0);
    memset(obj, 0, p->size);
    s->used++;
    p->live++;
    if (s->used == p->per_slab) {
        unlink_slab(&p->avail, s);
        push(&p->full, s);
    }
    return obj;
}

void sb_pool_put(sb_pool *p, void *obj) {
    if (!obj) return;
    sb_pool_slab *s = (sb_pool_slab *)((uintptr_t)obj & ~(uintptr_t)(SB_POOL_SLAB - 1));
    memcpy(obj, &s->free, sizeof(void *));
    s->free = obj;
    VALGRIND_FREELIKE_BLOCK(obj, 0);
    POISON(obj, p->size);
    if (s->used == p->per_slab) {
        unlink_slab(&p->full, s);
        push(&p->avail, s);
    }
    s->used--;
    p->live--;
    if (s->used == 0) {
        unlink_slab(&p->avail, s);
        if (!p->spare)
            p->spare = s;
        else
            slab_unmap(p, s);
    }
}
