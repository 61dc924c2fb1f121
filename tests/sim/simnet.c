/* Deterministic simulated network: engines joined by seeded lossy links on one virtual clock. */
#include "simnet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Tests use a handful of nodes; a fixed link matrix keeps lookups trivial. */
#define SIM_MAX_NODES 16
/* Advances in a row that leave an engine's deadline at or before now before we call it stuck. */
#define SIM_STUCK_LIMIT 1000

typedef struct {
    sb_engine *engine; /* NULL for a script node */
    bool owned;
    sb_addr addr;
} sim_node;

typedef struct {
    uint64_t at_ms, seq; /* seq breaks ties in insertion order, so runs are reproducible */
    int to;
    int from_node; /* -1 for injected bytes from an address that is no node */
    sb_addr from;
    char *data;
    size_t len;
} sim_pkt;

struct sb_sim {
    uint64_t now, rng, seq;
    sim_node nodes[SIM_MAX_NODES];
    int nnodes;
    sb_link links[SIM_MAX_NODES][SIM_MAX_NODES];

    sim_pkt *heap;
    size_t nheap, capheap;

    bool logging;
    sb_sim_entry *log;
    size_t nlog, caplog;

    sb_sim_event_cb event_cb;
    void *event_ud;
    sb_sim_recv_cb recv_cb;
    void *recv_ud;

    sb_sim_stats st;
    uint32_t repeat_advances;
    bool stuck;
};

/* splitmix64: small, good enough for loss draws, and ours alone (never rand()). */
static uint64_t rng_next(sb_sim *sim) {
    uint64_t z = (sim->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double rng_unit(sb_sim *sim) {
    return (double)(rng_next(sim) >> 11) * 0x1.0p-53;
}

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n);
    if (!q) {
        fprintf(stderr, "simnet: out of memory\n");
        abort();
    }
    return q;
}

static char *dup_bytes(const void *data, size_t len) {
    char *p = xrealloc(NULL, len + 1);
    memcpy(p, data, len);
    p[len] = '\0';
    return p;
}

/* ---- Datagram heap, ordered by (at_ms, seq) ---- */

static bool pkt_before(const sim_pkt *a, const sim_pkt *b) {
    return a->at_ms < b->at_ms || (a->at_ms == b->at_ms && a->seq < b->seq);
}

static void heap_push(sb_sim *sim, sim_pkt p) {
    if (sim->nheap == sim->capheap) {
        sim->capheap = sim->capheap ? sim->capheap * 2 : 64;
        sim->heap = xrealloc(sim->heap, sim->capheap * sizeof *sim->heap);
    }
    size_t i = sim->nheap++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!pkt_before(&p, &sim->heap[parent])) break;
        sim->heap[i] = sim->heap[parent];
        i = parent;
    }
    sim->heap[i] = p;
    if (sim->nheap > sim->st.peak_in_flight) sim->st.peak_in_flight = sim->nheap;
}

static sim_pkt heap_pop(sb_sim *sim) {
    sim_pkt top = sim->heap[0];
    sim_pkt last = sim->heap[--sim->nheap];
    size_t i = 0, n = sim->nheap;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && pkt_before(&sim->heap[c + 1], &sim->heap[c])) c++;
        if (!pkt_before(&sim->heap[c], &last)) break;
        sim->heap[i] = sim->heap[c];
        i = c;
    }
    if (n > 0) sim->heap[i] = last;
    return top;
}

/* ---- Message peeking for the log (no dependency on the parser under test) ---- */

/* Finds header `name` (or its compact letter) in a datagram; sets *v,*vn to the trimmed value. */
static bool find_hdr(const char *d, size_t len, const char *name, char compact, const char **v,
                     size_t *vn) {
    const char *end = d + len;
    const char *p = memchr(d, '\n', len);
    size_t nlen = strlen(name);
    while (p && ++p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol) eol = end;
        const char *le = eol > p && eol[-1] == '\r' ? eol - 1 : eol;
        if (le == p) return false; /* blank line: end of headers */
        const char *colon = memchr(p, ':', (size_t)(le - p));
        if (colon) {
            const char *ne = colon;
            while (ne > p && (ne[-1] == ' ' || ne[-1] == '\t'))
                ne--;
            size_t n = (size_t)(ne - p);
            bool match = (n == nlen && strncasecmp(p, name, n) == 0) ||
                         (compact && n == 1 && (*p | 0x20) == (compact | 0x20));
            if (match) {
                const char *vs = colon + 1;
                while (vs < le && (*vs == ' ' || *vs == '\t'))
                    vs++;
                const char *ve = le;
                while (ve > vs && (ve[-1] == ' ' || ve[-1] == '\t'))
                    ve--;
                *v = vs;
                *vn = (size_t)(ve - vs);
                return true;
            }
        }
        p = eol < end ? eol : NULL;
    }
    return false;
}

static void copy_cap(char *out, size_t cap, const char *s, size_t n) {
    if (cap == 0) return;
    if (n >= cap) n = cap - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

static void peek_msg(sb_sim_entry *en) {
    const char *d = en->data;
    size_t len = en->len;
    const char *eol = memchr(d, '\r', len);
    copy_cap(en->line, sizeof en->line, d, eol ? (size_t)(eol - d) : len);
    const char *v;
    size_t vn;
    if (find_hdr(d, len, "CSeq", 0, &v, &vn)) {
        char tmp[40];
        copy_cap(tmp, sizeof tmp, v, vn);
        char *sp = NULL;
        en->cseq = (uint32_t)strtoul(tmp, &sp, 10);
        while (sp && *sp == ' ')
            sp++;
        if (sp) copy_cap(en->cseq_method, sizeof en->cseq_method, sp, strlen(sp));
    }
    if (find_hdr(d, len, "Call-ID", 'i', &v, &vn)) copy_cap(en->call_id, sizeof en->call_id, v, vn);
}

/* ---- Log ---- */

static sb_sim_entry *log_push(sb_sim *sim, sb_sim_kind kind, int node, int peer) {
    if (sim->nlog == sim->caplog) {
        sim->caplog = sim->caplog ? sim->caplog * 2 : 256;
        sim->log = xrealloc(sim->log, sim->caplog * sizeof *sim->log);
    }
    sb_sim_entry *en = &sim->log[sim->nlog++];
    memset(en, 0, sizeof *en);
    en->kind = kind;
    en->node = node;
    en->peer = peer;
    en->at_ms = sim->now;
    return en;
}

static void log_datagram(sb_sim *sim, sb_sim_kind kind, int node, int peer, const void *data,
                         size_t len) {
    if (!sim->logging) return;
    sb_sim_entry *en = log_push(sim, kind, node, peer);
    en->data = dup_bytes(data, len);
    en->len = len;
    peek_msg(en);
}

/* ---- Nodes and links ---- */

sb_sim *sb_sim_new(uint64_t seed) {
    sb_sim *sim = calloc(1, sizeof *sim);
    if (!sim) return NULL;
    sim->rng = seed;
    sim->logging = true;
    for (int i = 0; i < SIM_MAX_NODES; i++)
        for (int j = 0; j < SIM_MAX_NODES; j++)
            sim->links[i][j] = (sb_link){.delay_ms = 1};
    return sim;
}

void sb_sim_free(sb_sim *sim) {
    if (!sim) return;
    if (getenv("SB_SIM_DUMP")) /* for reading a passing scenario, not only a failing one */
        sb_sim_dump(sim);
    for (int i = 0; i < sim->nnodes; i++)
        if (sim->nodes[i].owned) sb_engine_free(sim->nodes[i].engine);
    for (size_t i = 0; i < sim->nheap; i++)
        free(sim->heap[i].data);
    for (size_t i = 0; i < sim->nlog; i++)
        free(sim->log[i].data);
    free(sim->heap);
    free(sim->log);
    free(sim);
}

static int add_node(sb_sim *sim, sb_engine *e, const sb_addr *addr, bool owned) {
    if (sim->nnodes == SIM_MAX_NODES) return -1;
    sim->nodes[sim->nnodes] = (sim_node){.engine = e, .owned = owned, .addr = *addr};
    return sim->nnodes++;
}

int sb_sim_add(sb_sim *sim, sb_engine *e, const sb_addr *local) {
    return add_node(sim, e, local, false);
}

int sb_sim_spawn(sb_sim *sim, const sb_config *cfg) {
    sb_engine *e = sb_engine_new(cfg, sim->now);
    if (!e) return -1;
    int node = add_node(sim, e, &cfg->local, true);
    if (node < 0) sb_engine_free(e);
    return node;
}

int sb_sim_add_script(sb_sim *sim, const sb_addr *addr) {
    return add_node(sim, NULL, addr, false);
}

sb_engine *sb_sim_engine(const sb_sim *sim, int node) {
    return node >= 0 && node < sim->nnodes ? sim->nodes[node].engine : NULL;
}

const sb_addr *sb_sim_addr(const sb_sim *sim, int node) {
    return node >= 0 && node < sim->nnodes ? &sim->nodes[node].addr : NULL;
}

void sb_sim_set_link(sb_sim *sim, int from, int to, const sb_link *link) {
    sim->links[from][to] = *link;
}

void sb_sim_set_link_both(sb_sim *sim, int a, int b, const sb_link *link) {
    sim->links[a][b] = *link;
    sim->links[b][a] = *link;
}

sb_link sb_sim_link(const sb_sim *sim, int from, int to) {
    return sim->links[from][to];
}

void sb_sim_set_event_cb(sb_sim *sim, sb_sim_event_cb cb, void *ud) {
    sim->event_cb = cb;
    sim->event_ud = ud;
}

void sb_sim_set_recv_cb(sb_sim *sim, sb_sim_recv_cb cb, void *ud) {
    sim->recv_cb = cb;
    sim->recv_ud = ud;
}

void sb_sim_set_logging(sb_sim *sim, bool on) {
    sim->logging = on;
}

uint64_t sb_sim_now(const sb_sim *sim) {
    return sim->now;
}

bool sb_sim_stuck(const sb_sim *sim) {
    return sim->stuck;
}

void sb_sim_get_stats(const sb_sim *sim, sb_sim_stats *out) {
    *out = sim->st;
    out->in_flight = sim->nheap;
}

static int node_by_addr(const sb_sim *sim, const sb_addr *a) {
    for (int i = 0; i < sim->nnodes; i++)
        if (sb_addr_equal(&sim->nodes[i].addr, a)) return i;
    return -1;
}

/* ---- Sending ---- */

static void enqueue(sb_sim *sim, int from_node, const sb_addr *from, int to, const void *data,
                    size_t len, uint64_t at_ms) {
    heap_push(sim, (sim_pkt){.at_ms = at_ms,
                             .seq = sim->seq++,
                             .to = to,
                             .from_node = from_node,
                             .from = *from,
                             .data = dup_bytes(data, len),
                             .len = len});
}

/* One copy through the link: loss, then delay with jitter and maybe a hold-back. Draws happen
 * only for features the link uses, so adding a lossy link elsewhere does not shift the draws
 * of a clean one. */
static void transmit(sb_sim *sim, int from, int to, const void *data, size_t len) {
    const sb_link *l = &sim->links[from][to];
    if (l->down || (l->loss > 0 && rng_unit(sim) < l->loss)) {
        sim->st.lost++;
        log_datagram(sim, SB_SIM_DROP, from, to, data, len);
        return;
    }
    uint64_t delay = l->delay_ms;
    if (l->jitter_ms) delay += rng_next(sim) % ((uint64_t)l->jitter_ms + 1);
    if (l->reorder > 0 && rng_unit(sim) < l->reorder)
        delay += l->reorder_ms ? l->reorder_ms : (uint64_t)l->delay_ms + l->jitter_ms + 1;
    enqueue(sim, from, &sim->nodes[from].addr, to, data, len, sim->now + delay);
}

static void route(sb_sim *sim, int from, const sb_addr *dest, const void *data, size_t len) {
    sim->st.sent++;
    int to = node_by_addr(sim, dest);
    if (to < 0) {
        sim->st.unroutable++;
        log_datagram(sim, SB_SIM_DROP, from, -1, data, len);
        return;
    }
    transmit(sim, from, to, data, len);
    const sb_link *l = &sim->links[from][to];
    if (l->duplicate > 0 && rng_unit(sim) < l->duplicate) {
        sim->st.duplicated++;
        transmit(sim, from, to, data, len);
    }
}

void sb_sim_send(sb_sim *sim, int from, const sb_addr *to, const void *data, size_t len) {
    log_datagram(sim, SB_SIM_EVENT, from, node_by_addr(sim, to), data, len);
    if (sim->logging) sim->log[sim->nlog - 1].type = SB_EV_SEND;
    route(sim, from, to, data, len);
}

void sb_sim_inject(sb_sim *sim, const sb_addr *from, int to, const void *data, size_t len,
                   uint32_t delay_ms) {
    enqueue(sim, node_by_addr(sim, from), from, to, data, len, sim->now + delay_ms);
}

/* ---- Draining engine events ---- */

static void log_event(sb_sim *sim, int node, const sb_event *ev) {
    sb_sim_entry *en = log_push(sim, SB_SIM_EVENT, node, -1);
    en->type = ev->type;
    en->call = ev->call;
    en->status = ev->status;
    en->value = ev->value;
    if (ev->text) copy_cap(en->text, sizeof en->text, ev->text, strlen(ev->text));
    if (ev->type == SB_EV_SEND && ev->data) {
        en->peer = node_by_addr(sim, &ev->addr);
        en->data = dup_bytes(ev->data, ev->len);
        en->len = ev->len;
        peek_msg(en);
    }
    if (ev->type == SB_EV_CALL_ENDED && ev->stats) {
        en->has_stats = true;
        en->stats = *ev->stats;
    }
}

static void drain_node(sb_sim *sim, int node) {
    sb_engine *e = sim->nodes[node].engine;
    const sb_event *ev;
    while ((ev = sb_engine_next_event(e)) != NULL) {
        if (sim->logging) log_event(sim, node, ev);
        if (ev->type == SB_EV_SEND) route(sim, node, &ev->addr, ev->data, ev->len);
        if (sim->event_cb) sim->event_cb(sim, node, ev, sim->event_ud);
    }
}

void sb_sim_drain(sb_sim *sim) {
    for (int i = 0; i < sim->nnodes; i++)
        if (sim->nodes[i].engine) drain_node(sim, i);
}

/* ---- The loop ---- */

static void deliver(sb_sim *sim, sim_pkt *p) {
    sim_node *n = &sim->nodes[p->to];
    sim->st.delivered++;
    log_datagram(sim, SB_SIM_DELIVER, p->to, p->from_node, p->data, p->len);
    if (n->engine)
        sb_engine_recv(n->engine, &p->from, (const uint8_t *)p->data, p->len, sim->now);
    else if (sim->recv_cb)
        sim->recv_cb(sim, p->to, &p->from, p->data, p->len, sim->recv_ud);
    free(p->data);
}

/* Earliest pending thing: a datagram (returns -1 in *node) or an engine deadline. */
static uint64_t next_due(const sb_sim *sim, int *node) {
    uint64_t t = sim->nheap ? sim->heap[0].at_ms : SB_NEVER;
    *node = -1;
    for (int i = 0; i < sim->nnodes; i++) {
        if (!sim->nodes[i].engine) continue;
        uint64_t d = sb_engine_next_deadline(sim->nodes[i].engine);
        if (d < t) { /* strict: datagrams win ties, then lower node index */
            t = d;
            *node = i;
        }
    }
    return t;
}

/* One iteration. Returns false when the next thing is after limit (or there is none). */
static bool step(sb_sim *sim, uint64_t limit) {
    sb_sim_drain(sim);
    int node;
    uint64_t t = next_due(sim, &node);
    if (t == SB_NEVER || t > limit || sim->stuck) return false;
    if (t > sim->now) sim->now = t;
    sim->st.steps++;
    if (node < 0) {
        sim_pkt p = heap_pop(sim);
        deliver(sim, &p);
        sim->repeat_advances = 0;
    } else {
        sb_engine *e = sim->nodes[node].engine;
        sb_engine_advance(e, sim->now);
        if (sb_engine_next_deadline(e) <= sim->now) {
            if (++sim->repeat_advances > SIM_STUCK_LIMIT) {
                fprintf(stderr, "simnet: node %d keeps a deadline <= now (%llu)\n", node,
                        (unsigned long long)sim->now);
                sim->stuck = true;
            }
        } else {
            sim->repeat_advances = 0;
        }
    }
    sb_sim_drain(sim);
    return true;
}

void sb_sim_run_until(sb_sim *sim, uint64_t t_ms) {
    while (step(sim, t_ms))
        ;
    if (t_ms > sim->now && !sim->stuck) sim->now = t_ms;
}

bool sb_sim_run_idle(sb_sim *sim, uint64_t limit_ms) {
    while (step(sim, limit_ms))
        ;
    int node;
    if (next_due(sim, &node) == SB_NEVER) return true;
    if (limit_ms > sim->now && !sim->stuck) sim->now = limit_ms;
    return false;
}

/* ---- Queries ---- */

size_t sb_sim_log_len(const sb_sim *sim) {
    return sim->nlog;
}

const sb_sim_entry *sb_sim_log_at(const sb_sim *sim, size_t i) {
    return i < sim->nlog ? &sim->log[i] : NULL;
}

static bool match_msg(const sb_sim_entry *en, int node, const char *prefix, const char *method) {
    if (!en->data || (node >= 0 && en->node != node)) return false;
    if (prefix && strncmp(en->line, prefix, strlen(prefix)) != 0) return false;
    return !method || strcmp(en->cseq_method, method) == 0;
}

static const sb_sim_entry *nth_msg(const sb_sim *sim, bool sent, int node, const char *prefix,
                                   const char *method, int n, int *count) {
    int seen = 0;
    for (size_t i = 0; i < sim->nlog; i++) {
        const sb_sim_entry *en = &sim->log[i];
        bool kind_ok = sent ? (en->kind == SB_SIM_EVENT && en->type == SB_EV_SEND)
                            : en->kind == SB_SIM_DELIVER;
        if (!kind_ok || !match_msg(en, node, prefix, method)) continue;
        if (seen++ == n && n >= 0) return en;
    }
    if (count) *count = seen;
    return NULL;
}

const sb_sim_entry *sb_sim_sent(const sb_sim *sim, int node, const char *line_prefix,
                                const char *cseq_method, int n) {
    return nth_msg(sim, true, node, line_prefix, cseq_method, n, NULL);
}

int sb_sim_count_sent(const sb_sim *sim, int node, const char *line_prefix,
                      const char *cseq_method) {
    int c = 0;
    nth_msg(sim, true, node, line_prefix, cseq_method, -1, &c);
    return c;
}

const sb_sim_entry *sb_sim_delivered(const sb_sim *sim, int node, const char *line_prefix,
                                     const char *cseq_method, int n) {
    return nth_msg(sim, false, node, line_prefix, cseq_method, n, NULL);
}

int sb_sim_count_delivered(const sb_sim *sim, int node, const char *line_prefix,
                           const char *cseq_method) {
    int c = 0;
    nth_msg(sim, false, node, line_prefix, cseq_method, -1, &c);
    return c;
}

uint64_t sb_sim_find(const sb_sim *sim, int node, const char *line_prefix, int n) {
    const sb_sim_entry *en = sb_sim_sent(sim, node, line_prefix, NULL, n);
    return en ? en->at_ms : SB_NEVER;
}

const sb_sim_entry *sb_sim_event(const sb_sim *sim, int node, sb_event_type type, int n) {
    int seen = 0;
    for (size_t i = 0; i < sim->nlog; i++) {
        const sb_sim_entry *en = &sim->log[i];
        if (en->kind == SB_SIM_EVENT && en->type == type && (node < 0 || en->node == node))
            if (seen++ == n) return en;
    }
    return NULL;
}

int sb_sim_count_events(const sb_sim *sim, int node, sb_event_type type) {
    int seen = 0;
    for (size_t i = 0; i < sim->nlog; i++) {
        const sb_sim_entry *en = &sim->log[i];
        seen += en->kind == SB_SIM_EVENT && en->type == type && (node < 0 || en->node == node);
    }
    return seen;
}

bool sb_sim_hdr(const sb_sim_entry *en, const char *name, char compact, char *out, size_t cap) {
    const char *v;
    size_t vn;
    if (!en || !en->data || !find_hdr(en->data, en->len, name, compact, &v, &vn)) return false;
    copy_cap(out, cap, v, vn);
    return true;
}

const char *sb_sim_body(const sb_sim_entry *en) {
    if (!en || !en->data) return "";
    const char *b = strstr(en->data, "\r\n\r\n");
    return b ? b + 4 : "";
}

static const char *kind_name(const sb_sim_entry *en) {
    static const char *ev[] = {"?",         "SEND",       "STARTED",        "PROGRESS",
                               "ANSWERED",  "HOLD",       "TIMER",          "422",
                               "REFRESH>",  "REFRESH_OK", "REFRESH_FAILED", "EXPIRED",
                               "VIOLATION", "ENDED",      "MALFORMED",      "RETRANSMIT"};
    if (en->kind == SB_SIM_DELIVER) return "recv";
    if (en->kind == SB_SIM_DROP) return "DROP";
    return (unsigned)en->type < sizeof ev / sizeof *ev ? ev[en->type] : "?";
}

void sb_sim_dump(const sb_sim *sim) {
    for (size_t i = 0; i < sim->nlog; i++) {
        const sb_sim_entry *en = &sim->log[i];
        fprintf(stderr, "%10llu n%d %-14s", (unsigned long long)en->at_ms, en->node, kind_name(en));
        if (en->data)
            fprintf(stderr, " -> n%d %s | %u %s | %.12s", en->peer, en->line, en->cseq,
                    en->cseq_method, en->call_id);
        else
            fprintf(stderr, " call=%u status=%d value=%llu %s", en->call, en->status,
                    (unsigned long long)en->value, en->text);
        if (en->has_stats)
            fprintf(stderr, " [result=%d end=%s remote=%d]", en->stats.result,
                    sb_end_reason_name(en->stats.end_reason), en->stats.ended_by_remote);
        fputc('\n', stderr);
    }
}
