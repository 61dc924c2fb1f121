/* Deterministic simulated network for sipbeat engines: one virtual clock, seeded lossy links. */
#ifndef SIPBEAT_SIMNET_H
#define SIPBEAT_SIMNET_H

#include "sipbeat/engine.h"

/* The simulator drives engines exactly as the shell in src/net does, but with a virtual clock:
 * it jumps from the earliest in-flight datagram or engine deadline to the next, so a two-hour
 * call costs a few hundred loop iterations. Everything random (loss, jitter, duplication,
 * reordering) comes from the simulator's own PRNG seeded by sb_sim_new(), so a run is a pure
 * function of the seed and the test's commands (the idea of quicly's t/simulator.c). */

typedef struct sb_sim sb_sim;

/* One direction of a link. The default is 1 ms delay and nothing else. */
typedef struct {
    uint32_t delay_ms;
    uint32_t jitter_ms;  /* uniform extra delay in [0, jitter_ms] */
    double loss;         /* probability a datagram is dropped */
    double duplicate;    /* probability a second copy is sent (with its own delay draw) */
    double reorder;      /* probability a datagram is held back by reorder_ms */
    uint32_t reorder_ms; /* 0: delay_ms + jitter_ms + 1, just enough to be overtaken */
    bool down;           /* one-way partition: everything is dropped */
} sb_link;

typedef enum {
    SB_SIM_EVENT = 1, /* an engine event (SB_EV_SEND included), logged when drained */
    SB_SIM_DELIVER,   /* a datagram handed to a node (engine or script) */
    SB_SIM_DROP,      /* lost on a link, link down, or no node at the destination */
} sb_sim_kind;

/* One log line. For SEND, DELIVER and DROP entries the datagram is kept (NUL-terminated) and
 * line/cseq/call_id are pre-extracted so tests can match without parsing. */
typedef struct {
    sb_sim_kind kind;
    int node; /* the node the entry is about: sender for SEND/DROP, receiver for DELIVER */
    int peer; /* the other node, -1 if unknown */
    uint64_t at_ms;
    sb_event_type type; /* SB_SIM_EVENT only */
    uint32_t call;
    int status;
    uint64_t value;
    char text[32];
    char *data; /* the datagram, NUL-terminated; NULL for non-datagram events */
    size_t len;
    char line[96]; /* start line without CRLF */
    uint32_t cseq;
    char cseq_method[16];
    char call_id[80];
    bool has_stats; /* CALL_ENDED: stats copied (the engine's pointer dies with the event) */
    sb_call_stats stats;
} sb_sim_entry;

typedef void (*sb_sim_event_cb)(sb_sim *sim, int node, const sb_event *ev, void *ud);
/* Called when a datagram reaches a script node (a node without an engine). */
typedef void (*sb_sim_recv_cb)(sb_sim *sim, int node, const sb_addr *from, const char *data,
                               size_t len, void *ud);

sb_sim *sb_sim_new(uint64_t seed);
/* Frees the simulator, its log, in-flight datagrams and the engines it spawned (not the ones
 * added with sb_sim_add, which stay the caller's). With SB_SIM_DUMP set in the environment it
 * prints the log first. */
void sb_sim_free(sb_sim *sim);

/* Adds an engine as a node. The engine header has no accessor for its configuration, so the
 * caller passes the address the engine was configured with (cfg.local). Returns the node. */
int sb_sim_add(sb_sim *sim, sb_engine *e, const sb_addr *local);
/* Creates an engine from cfg at the current virtual time and adds it; the simulator owns it.
 * Returns the node, or -1 if sb_engine_new failed. */
int sb_sim_spawn(sb_sim *sim, const sb_config *cfg);
/* Adds a script node: a bare address whose deliveries are logged and passed to the recv
 * callback, so a test can play a hand-written peer. */
int sb_sim_add_script(sb_sim *sim, const sb_addr *addr);
sb_engine *sb_sim_engine(const sb_sim *sim, int node);
const sb_addr *sb_sim_addr(const sb_sim *sim, int node);

/* Sets the link from -> to (one direction). Takes effect for datagrams sent from now on. */
void sb_sim_set_link(sb_sim *sim, int from, int to, const sb_link *link);
void sb_sim_set_link_both(sb_sim *sim, int a, int b, const sb_link *link);
sb_link sb_sim_link(const sb_sim *sim, int from, int to);

void sb_sim_set_event_cb(sb_sim *sim, sb_sim_event_cb cb, void *ud);
void sb_sim_set_recv_cb(sb_sim *sim, sb_sim_recv_cb cb, void *ud);
/* Logging is on by default; benchmarks turn it off (counters still run). */
void sb_sim_set_logging(sb_sim *sim, bool on);

/* Sends bytes from node `from` (usually a script node) to `to`, through the link model. */
void sb_sim_send(sb_sim *sim, int from, const sb_addr *to, const void *data, size_t len);
/* Delivers bytes to node `to` as if from address `from`, delay_ms from now, bypassing links.
 * Answers go to `from`: to a node if one has that address, else they are dropped. */
void sb_sim_inject(sb_sim *sim, const sb_addr *from, int to, const void *data, size_t len,
                   uint32_t delay_ms);

uint64_t sb_sim_now(const sb_sim *sim);
/* Drains every engine's queued events (after a command such as sb_engine_call). run_* calls
 * do this themselves before looking at the queue. */
void sb_sim_drain(sb_sim *sim);
/* Processes everything due at or before t_ms, then sets the clock to t_ms. */
void sb_sim_run_until(sb_sim *sim, uint64_t t_ms);
/* Runs until nothing is in flight and every engine's deadline is SB_NEVER, or until the clock
 * would pass limit_ms. Returns true if the network went idle. */
bool sb_sim_run_idle(sb_sim *sim, uint64_t limit_ms);
/* True if an engine kept a deadline at or before now after being advanced 1000 times in a row
 * (a timer that never disarms); the run loop stops instead of spinning. */
bool sb_sim_stuck(const sb_sim *sim);

/* Counters. */
typedef struct {
    uint64_t steps; /* loop iterations: deliveries plus engine advances */
    uint64_t sent, delivered, lost, unroutable, duplicated;
    size_t in_flight, peak_in_flight;
} sb_sim_stats;
void sb_sim_get_stats(const sb_sim *sim, sb_sim_stats *out);

/* ---- Log queries. node -1 matches any node. n counts from 0. ---- */

size_t sb_sim_log_len(const sb_sim *sim);
const sb_sim_entry *sb_sim_log_at(const sb_sim *sim, size_t i);
/* The nth datagram sent by node whose start line begins with line_prefix ("INVITE",
 * "SIP/2.0 200") and, if cseq_method is not NULL, whose CSeq method is cseq_method. */
const sb_sim_entry *sb_sim_sent(const sb_sim *sim, int node, const char *line_prefix,
                                const char *cseq_method, int n);
int sb_sim_count_sent(const sb_sim *sim, int node, const char *line_prefix,
                      const char *cseq_method);
/* The same, for datagrams delivered to node. */
const sb_sim_entry *sb_sim_delivered(const sb_sim *sim, int node, const char *line_prefix,
                                     const char *cseq_method, int n);
int sb_sim_count_delivered(const sb_sim *sim, int node, const char *line_prefix,
                           const char *cseq_method);
/* Time of the nth matching send, or SB_NEVER. */
uint64_t sb_sim_find(const sb_sim *sim, int node, const char *line_prefix, int n);
/* The nth engine event of a type from node (SB_EV_SEND included). */
const sb_sim_entry *sb_sim_event(const sb_sim *sim, int node, sb_event_type type, int n);
int sb_sim_count_events(const sb_sim *sim, int node, sb_event_type type);

/* Copies the (first) header `name` of a logged datagram into out, trimmed. Matches the long
 * name case-insensitively, and `compact` (0 for none). Returns false when absent. */
bool sb_sim_hdr(const sb_sim_entry *en, const char *name, char compact, char *out, size_t cap);
/* The body of a logged datagram (after the blank line), or "" when none. */
const char *sb_sim_body(const sb_sim_entry *en);

/* Prints the log to stderr (for a failing test). */
void sb_sim_dump(const sb_sim *sim);

#endif
