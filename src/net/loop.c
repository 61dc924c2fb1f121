/* The libuv shell around sans-I/O engines: UDP sockets, one timer, signals, and the one clock
 * read per processing pass.
 *
 * A pass is: read the clock once -> feed the engines (a batch of datagrams, or advance on the
 * timer) -> drain every engine's events (send datagrams, hand the rest to the app) -> let the
 * app do its work -> drain again -> re-arm the single timer to the earliest deadline.
 *
 * ICMP errors. Each socket has IP_RECVERR (IPV6_RECVERR): the kernel then queues every ICMP
 * error about a datagram we sent on the socket's error queue, with the datagram's destination,
 * and the engine hears of "destination unreachable" at once (sb_engine_unreachable) instead of
 * retransmitting to a dead far end for 32 s. libuv 1.44 owns the socket and knows nothing of
 * that queue; what it does instead decides where we read it:
 *   - An ICMP error also sets the socket's pending error. The next recvmmsg returns it
 *     (ECONNREFUSED, EHOSTUNREACH...) before any queued datagram, and libuv hands it to
 *     recv_cb as nread < 0, then stops reading until the next poll; the datagrams stay queued,
 *     so nothing is lost. We read the error queue there.
 *   - The next sendmsg may return that pending error instead (the kernel checks it before
 *     sending): the datagram did not go out. We read the error queue and send it once more.
 *     libuv's queued sends fail the same way (send_done) and get the same second chance.
 *   - While the error queue is not empty, epoll reports EPOLLERR, level-triggered. libuv turns
 *     a lone EPOLLERR into a read, which finds nothing (recv_cb with nread 0 and no address):
 *     without reading the queue there, the loop would spin. So an empty read in a wake-up that
 *     brought no datagram reads the queue. Busy wake-ups (datagrams, then the empty read, or a
 *     full batch and no empty read at all) read it at most every ERRQ_POLL_MS, which costs a
 *     busy socket one extra system call per ERRQ_POLL_MS, not one per wake-up.
 * Errors read while events are being drained are given to the engine after the drain, never in
 * the middle of it (the current event's bytes die with the next engine call). */
#include "net/loop.h"

#include <errno.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <uv.h>

#define MAX_ENDPOINTS 16
/* libuv's recvmmsg hands out one 64 KiB slot per datagram from the buffer we lend it; eight
 * slots per read keep a busy socket draining in few system calls. */
#define RECV_SLOTS 8
#define RECV_BUF_SIZE (RECV_SLOTS * 64 * 1024)
/* ICMP errors kept between reading the error queue and telling the engine, one per
 * destination: more in one go wait in the kernel's queue for the next read. */
#define MAX_ICMP 16
/* How often a socket that is never idle looks at its error queue anyway (see the top). */
#define ERRQ_POLL_MS 10

typedef struct {
    sb_addr dest;
    uint8_t type, code;
} icmp_error;

typedef struct {
    uv_udp_t udp;
    sb_loop *loop;
    int index;
    sb_addr local;
    sb_engine *engine;
    char *rbuf;
    bool got_data;         /* a datagram arrived since the last empty read */
    uint64_t errq_read_ms; /* when the error queue was last read */
    icmp_error icmp[MAX_ICMP];
    int nicmp;
} endpoint;

struct sb_loop {
    uv_loop_t uv;
    uv_timer_t timer;
    uv_signal_t sigint, sigterm;
    sb_loop_hooks hooks;
    endpoint *ep[MAX_ENDPOINTS];
    int nep;

    bool in_pass;
    uint64_t now_ms; /* the pass's one clock reading */
    uint64_t app_next_ms;

    bool shutting_down;
    uint64_t shutdown_deadline_ms;
    int signals;
    sb_loop_stats stats;
};

/* A datagram the kernel could not take at once: libuv keeps the request until it is sent. */
typedef struct {
    uv_udp_send_t req;
    struct sockaddr_storage to;
    bool resent; /* already given its second chance after a pending ICMP error */
    size_t len;
    char data[];
} queued_send;

static void timer_cb(uv_timer_t *t);

uint64_t sb_loop_now(sb_loop *l) {
    if (l->in_pass) return l->now_ms;
    uv_update_time(&l->uv);
    return uv_now(&l->uv);
}

static void pass_begin(sb_loop *l) {
    if (l->in_pass) return;
    uv_update_time(&l->uv);
    l->now_ms = uv_now(&l->uv);
    l->in_pass = true;
}

/* Keeps one ICMP error for the engine; a second one for the same destination adds nothing,
 * since the first already fails every transaction waiting on it. */
static void keep_icmp(endpoint *ep, const sb_addr *dest, uint8_t type, uint8_t code) {
    for (int i = 0; i < ep->nicmp; i++)
        if (sb_addr_equal(&ep->icmp[i].dest, dest)) return;
    ep->icmp[ep->nicmp++] = (icmp_error){*dest, type, code};
}

/* Reads the socket's error queue, keeping the "destination unreachable" errors for the engine
 * (ICMPv4 type 3 but code 4, which only asks for smaller datagrams; ICMPv6 type 1). Returns
 * how many entries it took off the queue. */
static int read_errqueue(sb_loop *l, endpoint *ep) {
    uv_os_fd_t fd;
    int n = 0;
    ep->errq_read_ms = l->now_ms;
    if (uv_fileno((const uv_handle_t *)&ep->udp, &fd) != 0) return 0;
    while (ep->nicmp < MAX_ICMP) {
        struct sockaddr_storage dest; /* where the datagram the error is about was going */
        char byte;                    /* the datagram's own bytes: not needed */
        union {
            char buf[512];
            struct cmsghdr align;
        } ctl;
        struct iovec iov = {&byte, 1};
        struct msghdr mh = {.msg_name = &dest,
                            .msg_namelen = sizeof dest,
                            .msg_iov = &iov,
                            .msg_iovlen = 1,
                            .msg_control = ctl.buf,
                            .msg_controllen = sizeof ctl.buf};
        ssize_t r = recvmsg(fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) break; /* EAGAIN: the queue is empty */
        n++;
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
            if (!(cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_RECVERR) &&
                !(cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_RECVERR))
                continue;
            struct sock_extended_err ee;
            memcpy(&ee, CMSG_DATA(cm), sizeof ee);
            bool unreachable =
                (ee.ee_origin == SO_EE_ORIGIN_ICMP && ee.ee_type == 3 && ee.ee_code != 4) ||
                (ee.ee_origin == SO_EE_ORIGIN_ICMP6 && ee.ee_type == 1);
            sb_addr a;
            if (unreachable && sb_addr_from_sockaddr(&a, (const struct sockaddr *)&dest) == 0)
                keep_icmp(ep, &a, ee.ee_type, ee.ee_code);
        }
    }
    return n;
}

/* Gives the engine the ICMP errors read so far. Returns whether there were any (the engine
 * then has events to drain). */
static bool report_icmp(sb_loop *l, endpoint *ep) {
    if (!ep->nicmp) return false;
    icmp_error errs[MAX_ICMP];
    int n = ep->nicmp;
    memcpy(errs, ep->icmp, (size_t)n * sizeof errs[0]);
    ep->nicmp = 0;
    for (int i = 0; i < n; i++)
        if (ep->engine)
            sb_engine_unreachable(ep->engine, &errs[i].dest, errs[i].type, errs[i].code, l->now_ms);
    return true;
}

static void pass_end(sb_loop *l);

/* libuv calls it outside any pass, from its own queue of finished sends. */
static void send_done(uv_udp_send_t *req, int status) {
    queued_send *q = (queued_send *)req;
    endpoint *ep = req->handle->data;
    sb_loop *l = ep->loop;
    if (status < 0 && status != UV_ECANCELED) { /* cancelled: the socket is being closed */
        read_errqueue(l, ep);
        if (ep->nicmp && !l->in_pass) { /* the engine hears of them now, not at its next timer */
            pass_begin(l);
            pass_end(l);
        }
        if (!q->resent) {
            /* Most likely it failed on the pending error of an ICMP error about an earlier
             * datagram (see the top): once more. libuv fails a whole sendmmsg batch with that
             * one error, so the queue may be empty by now for the batch's other datagrams. */
            q->resent = true;
            uv_buf_t b = uv_buf_init(q->data, (unsigned)q->len);
            if (uv_udp_send(&q->req, &ep->udp, &b, 1, (const struct sockaddr *)&q->to, send_done) ==
                0)
                return;
        }
        l->stats.send_errors++;
        l->stats.last_send_error = status;
    }
    free(q);
}

static void send_datagram(sb_loop *l, endpoint *ep, const sb_event *ev) {
    struct sockaddr_storage ss;
    sb_addr_to_sockaddr(&ev->addr, &ss);
    if (l->hooks.on_datagram)
        l->hooks.on_datagram(l->hooks.ctx, ep->index, true, &ev->addr, ev->data, ev->len,
                             l->now_ms);
    uv_buf_t b = uv_buf_init((char *)ev->data, (unsigned)ev->len);
    int rc = uv_udp_try_send(&ep->udp, &b, 1, (const struct sockaddr *)&ss);
    if (rc < 0 && rc != UV_EAGAIN && rc != UV_ENOSYS) {
        /* Most likely the pending error of an ICMP error about an earlier datagram (see the
         * top), reported instead of sending this one: once more. A real failure fails again. */
        read_errqueue(l, ep);
        rc = uv_udp_try_send(&ep->udp, &b, 1, (const struct sockaddr *)&ss);
    }
    if (rc >= 0) return;
    if (rc != UV_EAGAIN && rc != UV_ENOSYS) {
        l->stats.send_errors++;
        l->stats.last_send_error = rc;
        return;
    }
    /* The event's bytes die with the next engine call, so the queued send keeps a copy. */
    queued_send *q = malloc(sizeof *q + ev->len);
    if (!q) {
        l->stats.send_errors++;
        l->stats.last_send_error = UV_ENOMEM;
        return;
    }
    memcpy(q->data, ev->data, ev->len);
    q->to = ss;
    q->resent = false;
    q->len = ev->len;
    b = uv_buf_init(q->data, (unsigned)q->len);
    rc = uv_udp_send(&q->req, &ep->udp, &b, 1, (const struct sockaddr *)&ss, send_done);
    if (rc < 0) {
        l->stats.send_errors++;
        l->stats.last_send_error = rc;
        free(q);
        return;
    }
    l->stats.queued_sends++;
}

static void drain(sb_loop *l) {
    for (int i = 0; i < l->nep; i++) {
        endpoint *ep = l->ep[i];
        if (!ep->engine) continue;
        do {
            const sb_event *ev;
            while ((ev = sb_engine_next_event(ep->engine)) != NULL) {
                if (ev->type == SB_EV_SEND)
                    send_datagram(l, ep, ev);
                else if (l->hooks.on_event)
                    l->hooks.on_event(l->hooks.ctx, ep->index, ev);
            }
        } while (report_icmp(l, ep)); /* errors read by a read or a send: their events too */
    }
}

uint64_t sb_loop_live_calls(const sb_loop *l) {
    uint64_t live = 0;
    for (int i = 0; i < l->nep; i++) {
        if (!l->ep[i]->engine) continue;
        sb_engine_stats st;
        sb_engine_get_stats(l->ep[i]->engine, &st);
        live += st.live_calls;
    }
    return live;
}

/* What a shutdown waits for: live calls, and registrations whose unregistering is out. */
static uint64_t live_work(const sb_loop *l) {
    uint64_t live = sb_loop_live_calls(l);
    for (int i = 0; i < l->nep; i++)
        if (l->ep[i]->engine) live += sb_engine_live_registrations(l->ep[i]->engine);
    return live;
}

static void rearm(sb_loop *l) {
    uint64_t next = l->app_next_ms;
    for (int i = 0; i < l->nep; i++) {
        if (!l->ep[i]->engine) continue;
        uint64_t d = sb_engine_next_deadline(l->ep[i]->engine);
        if (d < next) next = d;
    }
    if (l->shutting_down && l->shutdown_deadline_ms < next) next = l->shutdown_deadline_ms;
    if (next == SB_NEVER) {
        uv_timer_stop(&l->timer);
        return;
    }
    /* Never 0: libuv runs a timer restarted with timeout 0 from its own callback again in the
     * same pass, without reading the clock, so a deadline that stays due would spin forever.
     * 1 ms makes libuv go round its loop (clock, I/O, stop requests) first. */
    uint64_t timeout = next > l->now_ms ? next - l->now_ms : 1;
    uv_timer_start(&l->timer, timer_cb, timeout, 0);
}

static void pass_end(sb_loop *l) {
    drain(l);
    l->app_next_ms = l->hooks.on_pass ? l->hooks.on_pass(l->hooks.ctx, l->now_ms) : SB_NEVER;
    drain(l);
    if (l->hooks.on_pass_done) l->hooks.on_pass_done(l->hooks.ctx);
    if (l->shutting_down && (live_work(l) == 0 || l->now_ms >= l->shutdown_deadline_ms)) {
        uv_stop(&l->uv);
        uv_timer_stop(&l->timer); /* done: nothing to wake up for */
        l->in_pass = false;
        return;
    }
    rearm(l);
    l->in_pass = false;
}

static void timer_cb(uv_timer_t *t) {
    sb_loop *l = t->data;
    pass_begin(l);
    for (int i = 0; i < l->nep; i++) {
        sb_engine *e = l->ep[i]->engine;
        if (e && sb_engine_next_deadline(e) <= l->now_ms) sb_engine_advance(e, l->now_ms);
    }
    pass_end(l);
}

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
    (void)suggested;
    endpoint *ep = h->data;
    /* One buffer per socket, reused: libuv never asks for a second one before it is done
     * with the first, and with recvmmsg it carves the datagrams out of it. */
    *buf = uv_buf_init(ep->rbuf, RECV_BUF_SIZE);
}

static void recv_cb(uv_udp_t *h, ssize_t nread, const uv_buf_t *buf, const struct sockaddr *from,
                    unsigned flags) {
    endpoint *ep = h->data;
    sb_loop *l = ep->loop;
    /* One clock reading for the whole recvmmsg batch: the pass ends on the last callback. */
    pass_begin(l);
    if (nread < 0) {
        /* Mostly the pending error of an ICMP error (see the top); anything else is counted. */
        if (read_errqueue(l, ep) == 0) l->stats.recv_errors++;
    } else if (!from) {
        /* An empty read ends a wake-up (and UV_UDP_MMSG_FREE a batch): the moment to look at
         * the error queue when the wake-up was for it alone, or when it is due anyway. */
        bool empty = !(flags & UV_UDP_MMSG_FREE);
        if ((empty && !ep->got_data) || l->now_ms >= ep->errq_read_ms + ERRQ_POLL_MS)
            read_errqueue(l, ep);
        if (empty) ep->got_data = false;
    } else if (nread > 0) {
        ep->got_data = true;
        sb_addr peer;
        if (flags & UV_UDP_PARTIAL) {
            l->stats.truncated++;
        } else if (sb_addr_from_sockaddr(&peer, from) == 0) {
            if (l->hooks.on_datagram)
                l->hooks.on_datagram(l->hooks.ctx, ep->index, false, &peer,
                                     (const uint8_t *)buf->base, (size_t)nread, l->now_ms);
            /* Malformed input is the engine's to count and report; nothing to do here. */
            (void)sb_engine_recv(ep->engine, &peer, (const uint8_t *)buf->base, (size_t)nread,
                                 l->now_ms);
        }
    }
    if (!(flags & UV_UDP_MMSG_CHUNK)) pass_end(l);
}

static void signal_cb(uv_signal_t *s, int signum) {
    (void)signum;
    sb_loop *l = s->data;
    l->signals++;
    if (l->signals >= 2) {
        /* Second signal: the user means it. Stop now; the app still writes its report. */
        uv_stop(&l->uv);
        return;
    }
    pass_begin(l);
    sb_loop_shutdown(l, SB_SHUTDOWN_GRACE_MS);
    pass_end(l);
}

int sb_loop_new(sb_loop **out, const sb_loop_hooks *hooks) {
    sb_loop *l = calloc(1, sizeof *l);
    if (!l) return UV_ENOMEM;
    int rc = uv_loop_init(&l->uv);
    if (rc < 0) {
        free(l);
        return rc;
    }
    if (hooks) l->hooks = *hooks;
    l->app_next_ms = SB_NEVER;
    uv_timer_init(&l->uv, &l->timer);
    l->timer.data = l;
    uv_signal_init(&l->uv, &l->sigint);
    uv_signal_init(&l->uv, &l->sigterm);
    l->sigint.data = l->sigterm.data = l;
    uv_signal_start(&l->sigint, signal_cb, SIGINT);
    uv_signal_start(&l->sigterm, signal_cb, SIGTERM);
    *out = l;
    return 0;
}

static void close_ep(uv_handle_t *h) {
    endpoint *ep = h->data;
    free(ep->rbuf);
    free(ep);
}

void sb_loop_free(sb_loop *l) {
    if (!l) return;
    /* Interrupted: a late copy of the signal (a wrapper such as timeout(1) sends it to the
     * process and again to its group) must not kill the process before its report is out. */
    if (l->signals) {
        signal(SIGINT, SIG_IGN);
        signal(SIGTERM, SIG_IGN);
    }
    for (int i = 0; i < l->nep; i++)
        uv_close((uv_handle_t *)&l->ep[i]->udp, close_ep);
    uv_close((uv_handle_t *)&l->timer, NULL);
    uv_close((uv_handle_t *)&l->sigint, NULL);
    uv_close((uv_handle_t *)&l->sigterm, NULL);
    uv_run(&l->uv, UV_RUN_DEFAULT); /* runs the close callbacks and cancels queued sends */
    uv_loop_close(&l->uv);
    free(l);
}

/* ICMP errors onto the socket's error queue (see the top). Should the kernel refuse, the
 * socket works as before: unreachable far ends are found by Timer B and F, 32 s later. */
static void recv_errors_on(endpoint *ep, int af) {
    uv_os_fd_t fd;
    int on = 1;
    if (uv_fileno((const uv_handle_t *)&ep->udp, &fd) != 0) return;
    if (af == AF_INET6)
        (void)setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof on);
    else
        (void)setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof on);
}

int sb_loop_bind(sb_loop *l, const sb_addr *addr, sb_addr *bound, char *err, size_t err_cap) {
    char where[64];
    sb_addr_format(addr, where, sizeof where, true);
    if (l->nep >= MAX_ENDPOINTS) {
        snprintf(err, err_cap, "sipbeat: cannot bind UDP %s: more than %d sockets", where,
                 MAX_ENDPOINTS);
        return UV_ENOBUFS;
    }
    endpoint *ep = calloc(1, sizeof *ep);
    char *rbuf = malloc(RECV_BUF_SIZE);
    if (!ep || !rbuf) {
        free(ep);
        free(rbuf);
        snprintf(err, err_cap, "sipbeat: cannot bind UDP %s: out of memory", where);
        return UV_ENOMEM;
    }
    ep->rbuf = rbuf;
    ep->loop = l;
    ep->index = l->nep;
    int af = addr->family == 6 ? AF_INET6 : AF_INET;
    int rc = uv_udp_init_ex(&l->uv, &ep->udp, (unsigned)af | UV_UDP_RECVMMSG);
    if (rc < 0) {
        free(rbuf);
        free(ep);
        snprintf(err, err_cap, "sipbeat: cannot bind UDP %s: %s", where, uv_strerror(rc));
        return rc;
    }
    ep->udp.data = ep;
    l->ep[l->nep++] = ep; /* from here on sb_loop_free closes it */

    struct sockaddr_storage ss;
    sb_addr_to_sockaddr(addr, &ss);
    /* IPV6ONLY: [::]:5060 must not also take 0.0.0.0:5060 from a second socket. */
    rc = uv_udp_bind(&ep->udp, (const struct sockaddr *)&ss, af == AF_INET6 ? UV_UDP_IPV6ONLY : 0);
    if (rc == 0) {
        int len = sizeof ss;
        rc = uv_udp_getsockname(&ep->udp, (struct sockaddr *)&ss, &len);
    }
    if (rc == 0)
        rc = sb_addr_from_sockaddr(&ep->local, (const struct sockaddr *)&ss) == 0 ? 0 : UV_EINVAL;
    if (rc < 0) {
        snprintf(err, err_cap, "sipbeat: cannot bind UDP %s: %s", where, uv_strerror(rc));
        return rc;
    }
    recv_errors_on(ep, af);
    l->stats.recvmmsg = uv_udp_using_recvmmsg(&ep->udp) != 0;
    if (bound) *bound = ep->local;
    return ep->index;
}

int sb_loop_attach(sb_loop *l, int ep, sb_engine *e) {
    if (ep < 0 || ep >= l->nep) return UV_EINVAL;
    l->ep[ep]->engine = e;
    return uv_udp_recv_start(&l->ep[ep]->udp, alloc_cb, recv_cb);
}

int sb_loop_endpoints(const sb_loop *l) {
    return l->nep;
}

sb_engine *sb_loop_engine(const sb_loop *l, int ep) {
    return ep >= 0 && ep < l->nep ? l->ep[ep]->engine : NULL;
}

const sb_addr *sb_loop_local(const sb_loop *l, int ep) {
    return ep >= 0 && ep < l->nep ? &l->ep[ep]->local : NULL;
}

int sb_loop_find(const sb_loop *l, const sb_addr *addr) {
    for (int i = 0; i < l->nep; i++)
        if (sb_addr_equal(&l->ep[i]->local, addr)) return i;
    return -1;
}

int sb_loop_run(sb_loop *l) {
    /* The first pass runs at once so the app can start its first calls. */
    uv_timer_start(&l->timer, timer_cb, 0, 0);
    uv_run(&l->uv, UV_RUN_DEFAULT);
    return 0;
}

void sb_loop_stop(sb_loop *l) {
    uv_stop(&l->uv);
}

void sb_loop_shutdown(sb_loop *l, uint32_t grace_ms) {
    if (l->shutting_down) return;
    uint64_t now = sb_loop_now(l);
    l->shutting_down = true;
    l->shutdown_deadline_ms = now + grace_ms;
    for (int i = 0; i < l->nep; i++)
        if (l->ep[i]->engine) {
            sb_engine_hangup_all(l->ep[i]->engine, now);
            sb_engine_unregister_all(l->ep[i]->engine, now);
        }
    /* Outside a pass nobody would drain the BYEs and CANCELs: run a pass for them. */
    if (!l->in_pass) {
        pass_begin(l);
        pass_end(l);
    }
}

bool sb_loop_shutting_down(const sb_loop *l) {
    return l->shutting_down;
}

int sb_loop_interrupted(const sb_loop *l) {
    return l->signals;
}

void sb_loop_get_stats(const sb_loop *l, sb_loop_stats *out) {
    *out = l->stats;
}
