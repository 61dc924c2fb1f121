/* The libuv shell around sans-I/O engines: UDP sockets, one timer, signals, and the one clock
 * read per processing pass. The only code in sipbeat that touches the OS besides main(). */
#ifndef SB_NET_LOOP_H
#define SB_NET_LOOP_H

#include "sipbeat/engine.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sb_loop sb_loop;

/* What the app hears from the loop. Every hook is optional. They run inside a processing pass,
 * after the engine call that produced them returned, so they may call engine commands. */
typedef struct {
    void *ctx;
    /* Every engine event except SB_EV_SEND, in engine order. ep is the endpoint index. The
     * event is valid only during the call. */
    void (*on_event)(void *ctx, int ep, const sb_event *ev);
    /* Every datagram: sent (just before it goes out) or received (before sb_engine_recv). */
    void (*on_datagram)(void *ctx, int ep, bool sent, const sb_addr *peer, const uint8_t *data,
                        size_t len, uint64_t now_ms);
    /* After each pass's events are drained: the app's own work (start calls, status line).
     * Returns the next time it wants a pass, or SB_NEVER. */
    uint64_t (*on_pass)(void *ctx, uint64_t now_ms);
    /* After every pass, once all events are drained: the place to flush buffered outputs, so
     * that logs can be followed live at one write per pass, not one per event. */
    void (*on_pass_done)(void *ctx);
} sb_loop_hooks;

/* Creates a loop with SIGINT/SIGTERM handling (see sb_loop_interrupted). Returns 0 or a
 * negative libuv error. The hooks are copied. */
int sb_loop_new(sb_loop **out, const sb_loop_hooks *hooks);
/* Closes every socket and handle (queued sends are dropped) and frees the loop. Engines are
 * not freed: the caller owns them. */
void sb_loop_free(sb_loop *l);

/* Binds a UDP socket (IPv4 or IPv6) at addr; port 0 picks an ephemeral port. *bound gets the
 * real address, which is what the engine's cfg.local must say. Returns the endpoint index
 * (>= 0) or a negative libuv error, with one line in err naming the address and the reason. */
int sb_loop_bind(sb_loop *l, const sb_addr *addr, sb_addr *bound, char *err, size_t err_cap);
/* Gives the endpoint its engine (owned by the caller, must outlive the loop run) and starts
 * receiving. Returns 0 or a negative libuv error. */
int sb_loop_attach(sb_loop *l, int ep, sb_engine *e);
int sb_loop_endpoints(const sb_loop *l);
sb_engine *sb_loop_engine(const sb_loop *l, int ep);
const sb_addr *sb_loop_local(const sb_loop *l, int ep);
/* Endpoint bound at addr, or -1: lets the app name both ends of a loopback datagram. */
int sb_loop_find(const sb_loop *l, const sb_addr *addr);

/* Reads the monotonic clock (ms). Inside a pass, returns the pass's single reading. */
uint64_t sb_loop_now(sb_loop *l);

/* Runs passes until sb_loop_stop, the end of a shutdown, or a second signal. Returns 0. */
int sb_loop_run(sb_loop *l);
/* Ends sb_loop_run after the current pass. */
void sb_loop_stop(sb_loop *l);
/* Hangs up every call and unregisters every registration on every engine and ends the run
 * when no call or registration is live, or after grace_ms at the latest. Idempotent. */
/* How long a graceful shutdown waits for live calls to end (a signal's, and the commands'). */
#define SB_SHUTDOWN_GRACE_MS 5000
void sb_loop_shutdown(sb_loop *l, uint32_t grace_ms);
bool sb_loop_shutting_down(const sb_loop *l);
/* Signals received: 0 none, 1 graceful shutdown under way, 2 or more forced stop. */
int sb_loop_interrupted(const sb_loop *l);
/* Calls live over all engines (sb_engine_get_stats). */
uint64_t sb_loop_live_calls(const sb_loop *l);

/* Datagrams the OS refused (not EAGAIN, which queues) and the last such error, for the
 * summary. Received datagrams cut short by the buffer are counted as truncated. */
typedef struct {
    uint64_t send_errors, recv_errors, truncated, queued_sends;
    int last_send_error; /* libuv error code */
    bool recvmmsg;       /* batched receive in use */
} sb_loop_stats;
void sb_loop_get_stats(const sb_loop *l, sb_loop_stats *out);

/* sb_addr <-> struct sockaddr (IPv4 / IPv6). to_sockaddr returns the length used. */
struct sockaddr;
struct sockaddr_storage;
unsigned sb_addr_to_sockaddr(const sb_addr *a, struct sockaddr_storage *ss);
int sb_addr_from_sockaddr(sb_addr *a, const struct sockaddr *sa);

#endif
