/* udpfw: a lossy UDP forwarder for loopback tests (the idea of quicly's t/udpfw.c).
 *
 *   udpfw --listen 127.0.0.1:A --to 127.0.0.1:B [--loss P] [--delay-ms N] [--jitter-ms N]
 *         [--dup P] [--seed N] [--duration DUR] [--record-route]
 *
 * Datagrams from clients to A go to B from an ephemeral loopback port; datagrams from B (to
 * that port, or to A itself) go back to the client that sent last. Every datagram, either
 * way, is dropped with probability --loss, else delayed by --delay-ms plus a uniform draw in
 * [0, --jitter-ms] (so jitter reorders), and with probability --dup a second copy follows
 * with its own draws. All draws come from one splitmix64 stream seeded by --seed, never
 * rand(). One poll() loop, a small delay queue (a binary heap ordered by due time, then
 * arrival). Runs until --duration has passed (e.g. 30s, 500ms, 2m; default: forever) or
 * SIGTERM/SIGINT, then prints its counters on stdout as key=value pairs.
 *
 * --record-route inserts `Record-Route: <sip:A;lr>` into every SIP INVITE without a To tag that
 * it forwards, so two SIP user agents keep routing their in-dialog requests (ACK, BYE,
 * re-INVITE, UPDATE) through the forwarder instead of going to each other's Contact. Nothing
 * else of a datagram is ever changed.
 *
 * Only loopback addresses are accepted (127.0.0.0/8 and ::1): this is a test tool and must never
 * send anything off the machine. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "base/rng.h"
#include "sipbeat/types.h"

#define MAX_DGRAM 65535
#define QUEUE_CAP 4096 /* datagrams waiting for their delay; beyond that they are dropped */
#define RR_MAX 128     /* room for the inserted Record-Route line */

typedef struct {
    uint64_t due_ms, seq;
    bool to_server; /* else to the client */
    struct sockaddr_storage dest;
    socklen_t dest_len;
    size_t len;
    char *data;
} pkt;

typedef struct {
    uint64_t received, forwarded, dropped, duplicated, queue_full, send_errors, no_client,
        record_routed;
} dir_counters;

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig) {
    (void)sig;
    stop_flag = 1;
}

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static _Noreturn void die(const char *fmt, const char *arg) {
    fprintf(stderr, "udpfw: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    exit(2);
}

static double unit(sb_rng *r) {
    return (double)(sb_rng_next(r) >> 11) * 0x1.0p-53;
}

/* ---- Addresses: loopback only ---- */

static bool is_loopback(const sb_addr *a) {
    if (a->family == 4) return a->ip[0] == 127;
    static const uint8_t v6_loop[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    return a->family == 6 && memcmp(a->ip, v6_loop, 16) == 0;
}

static socklen_t to_sockaddr(const sb_addr *a, struct sockaddr_storage *ss) {
    memset(ss, 0, sizeof *ss);
    if (a->family == 4) {
        struct sockaddr_in *s = (struct sockaddr_in *)ss;
        s->sin_family = AF_INET;
        s->sin_port = htons(a->port);
        memcpy(&s->sin_addr, a->ip, 4);
        return sizeof *s;
    }
    struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;
    s->sin6_family = AF_INET6;
    s->sin6_port = htons(a->port);
    memcpy(&s->sin6_addr, a->ip, 16);
    return sizeof *s;
}

static sb_addr parse_loopback(const char *opt, const char *text) {
    sb_addr a;
    if (sb_addr_parse(&a, text, strlen(text), 0) != 0 || a.port == 0) {
        fprintf(stderr, "udpfw: %s %s: not ADDR:PORT (e.g. 127.0.0.1:5060 or [::1]:5060)\n", opt,
                text);
        exit(2);
    }
    if (!is_loopback(&a)) {
        fprintf(stderr, "udpfw: %s %s: refused, only loopback addresses (127.0.0.0/8, ::1)\n", opt,
                text);
        exit(2);
    }
    return a;
}

static bool same_sockaddr(const struct sockaddr_storage *a, const struct sockaddr_storage *b) {
    if (a->ss_family != b->ss_family) return false;
    if (a->ss_family == AF_INET) {
        const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
    return x->sin6_port == y->sin6_port && memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
}

/* A source address must be loopback too: we never answer anything else. */
static bool sockaddr_loopback(const struct sockaddr_storage *ss) {
    if (ss->ss_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
    if (ss->ss_family == AF_INET6)
        return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)ss)->sin6_addr);
    return false;
}

/* ---- Option values ---- */

static double parse_prob(const char *opt, const char *v) {
    char *end = NULL;
    double p = strtod(v, &end);
    if (!end || *end || !(p >= 0.0 && p <= 1.0)) die("%s: not a probability in [0, 1]", opt);
    return p;
}

static uint64_t parse_u64(const char *opt, const char *v) {
    char *end = NULL;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (errno || !end || *end || v[0] == '-' || v[0] == '\0') die("%s: not a whole number", opt);
    return x;
}

/* "30s", "500ms", "2m", "1h" or a bare number of seconds, to milliseconds. */
static uint64_t parse_duration(const char *v) {
    char *end = NULL;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    if (errno || end == v || v[0] == '-') die("--duration %s: not a duration (e.g. 30s)", v);
    if (!*end || strcmp(end, "s") == 0) return x * 1000;
    if (strcmp(end, "ms") == 0) return x;
    if (strcmp(end, "m") == 0) return x * 60000;
    if (strcmp(end, "h") == 0) return x * 3600000;
    die("--duration %s: unknown unit (allowed: ms, s, m, h)", v);
}

/* ---- Delay queue: a binary heap on (due_ms, seq) ---- */

typedef struct {
    pkt items[QUEUE_CAP];
    size_t n;
    uint64_t seq;
} queue;

static bool before(const pkt *a, const pkt *b) {
    return a->due_ms < b->due_ms || (a->due_ms == b->due_ms && a->seq < b->seq);
}

static bool q_push(queue *q, pkt p) {
    if (q->n == QUEUE_CAP) return false;
    p.seq = q->seq++;
    size_t i = q->n++;
    while (i > 0 && before(&p, &q->items[(i - 1) / 2])) {
        q->items[i] = q->items[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    q->items[i] = p;
    return true;
}

static pkt q_pop(queue *q) {
    pkt top = q->items[0];
    pkt last = q->items[--q->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= q->n) break;
        if (c + 1 < q->n && before(&q->items[c + 1], &q->items[c])) c++;
        if (!before(&q->items[c], &last)) break;
        q->items[i] = q->items[c];
        i = c;
    }
    if (q->n > 0) q->items[i] = last;
    return top;
}

/* ---- Record-Route ---- */

/* True for a SIP INVITE request whose To header has no tag (one that creates a dialog). */
static bool initial_invite(const char *d, size_t len) {
    if (len < 7 || memcmp(d, "INVITE ", 7) != 0) return false;
    const char *p = d, *end = d + len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol) eol = end;
        size_t n = (size_t)(eol - p);
        if (n > 0 && p[n - 1] == '\r') n--;
        if (n == 0) break; /* end of headers */
        bool to = (n > 3 && strncasecmp(p, "To:", 3) == 0) ||
                  (n > 2 && (p[0] == 't' || p[0] == 'T') && (p[1] == ':' || p[1] == ' ')) ||
                  (n > 3 && strncasecmp(p, "To ", 3) == 0);
        if (to) {
            for (size_t i = 0; i + 4 <= n; i++)
                if (strncasecmp(p + i, "tag=", 4) == 0) return false;
            return true;
        }
        p = eol + 1;
    }
    return true;
}

/* Copies d into out with a Record-Route line after the request line. Returns the new length,
 * or 0 when the datagram has no request line end (then it is forwarded unchanged). */
static size_t add_record_route(const char *d, size_t len, const char *rr, char *out) {
    const char *eol = memchr(d, '\n', len);
    if (!eol) return 0;
    size_t head = (size_t)(eol - d) + 1, rrn = strlen(rr);
    if (len + rrn > MAX_DGRAM) return 0;
    memcpy(out, d, head);
    memcpy(out + head, rr, rrn);
    memcpy(out + head + rrn, d + head, len - head);
    return len + rrn;
}

/* ---- Forwarding ---- */

typedef struct {
    double loss, dup;
    uint64_t delay_ms, jitter_ms;
    sb_rng rng;
    queue q;
    dir_counters c[2]; /* 0: client -> server, 1: server -> client */
} fw;

static void schedule_copy(fw *f, bool to_server, const struct sockaddr_storage *dest,
                          socklen_t dest_len, const char *data, size_t len, uint64_t now) {
    dir_counters *c = &f->c[to_server ? 0 : 1];
    if (f->loss > 0 && unit(&f->rng) < f->loss) {
        c->dropped++;
        return;
    }
    uint64_t delay = f->delay_ms;
    if (f->jitter_ms) delay += sb_rng_range(&f->rng, 0, f->jitter_ms);
    pkt p = {.due_ms = now + delay,
             .to_server = to_server,
             .dest = *dest,
             .dest_len = dest_len,
             .len = len};
    p.data = malloc(len ? len : 1);
    if (p.data) memcpy(p.data, data, len);
    if (!p.data || !q_push(&f->q, p)) {
        free(p.data);
        c->queue_full++;
    }
}

static void impair(fw *f, bool to_server, const struct sockaddr_storage *dest, socklen_t dest_len,
                   const char *data, size_t len, uint64_t now) {
    bool twice = f->dup > 0 && unit(&f->rng) < f->dup;
    schedule_copy(f, to_server, dest, dest_len, data, len, now);
    if (twice) {
        f->c[to_server ? 0 : 1].duplicated++;
        schedule_copy(f, to_server, dest, dest_len, data, len, now);
    }
}

static int open_socket(const sb_addr *bind_to) {
    struct sockaddr_storage ss;
    socklen_t sl = to_sockaddr(bind_to, &ss);
    int fd = socket(ss.ss_family, SOCK_DGRAM, 0);
    if (fd < 0) {
        perror("udpfw: socket");
        exit(1);
    }
    if (bind(fd, (struct sockaddr *)&ss, sl) != 0) {
        char buf[64];
        sb_addr_format(bind_to, buf, sizeof buf, true);
        fprintf(stderr, "udpfw: bind %s: %s\n", buf, strerror(errno));
        exit(1);
    }
    return fd;
}

static _Noreturn void usage(void) {
    fprintf(stderr, "usage: udpfw --listen ADDR:PORT --to ADDR:PORT [--loss P] [--delay-ms N] "
                    "[--jitter-ms N] [--dup P] [--seed N] [--duration DUR] [--record-route]\n"
                    "       (loopback addresses only: 127.0.0.0/8, ::1)\n");
    exit(2);
}

static void print_counters(const fw *f) {
    const dir_counters *a = &f->c[0], *b = &f->c[1];
    printf("udpfw: forwarded=%llu dropped=%llu duplicated=%llu queue_full=%llu "
           "send_errors=%llu no_client=%llu record_routed=%llu | to_server received=%llu "
           "forwarded=%llu dropped=%llu duplicated=%llu | to_client received=%llu "
           "forwarded=%llu dropped=%llu duplicated=%llu\n",
           (unsigned long long)(a->forwarded + b->forwarded),
           (unsigned long long)(a->dropped + b->dropped),
           (unsigned long long)(a->duplicated + b->duplicated),
           (unsigned long long)(a->queue_full + b->queue_full),
           (unsigned long long)(a->send_errors + b->send_errors), (unsigned long long)b->no_client,
           (unsigned long long)a->record_routed, (unsigned long long)a->received,
           (unsigned long long)a->forwarded, (unsigned long long)a->dropped,
           (unsigned long long)a->duplicated, (unsigned long long)b->received,
           (unsigned long long)b->forwarded, (unsigned long long)b->dropped,
           (unsigned long long)b->duplicated);
    fflush(stdout);
}

int main(int argc, char **argv) {
    static fw f; /* the queue is large: keep it off the stack */
    const char *listen_s = NULL, *to_s = NULL;
    uint64_t seed = 1, duration_ms = 0;
    bool record_route = false;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--record-route") == 0) {
            record_route = true;
            continue;
        }
        if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) usage();
        if (i + 1 >= argc) {
            fprintf(stderr, "udpfw: %s needs a value\n", o);
            usage();
        }
        const char *v = argv[++i];
        if (strcmp(o, "--listen") == 0)
            listen_s = v;
        else if (strcmp(o, "--to") == 0)
            to_s = v;
        else if (strcmp(o, "--loss") == 0)
            f.loss = parse_prob(o, v);
        else if (strcmp(o, "--dup") == 0)
            f.dup = parse_prob(o, v);
        else if (strcmp(o, "--delay-ms") == 0)
            f.delay_ms = parse_u64(o, v);
        else if (strcmp(o, "--jitter-ms") == 0)
            f.jitter_ms = parse_u64(o, v);
        else if (strcmp(o, "--seed") == 0)
            seed = parse_u64(o, v);
        else if (strcmp(o, "--duration") == 0)
            duration_ms = parse_duration(v);
        else {
            fprintf(stderr, "udpfw: unknown option %s\n", o);
            usage();
        }
    }
    if (!listen_s || !to_s) usage();
    sb_addr la = parse_loopback("--listen", listen_s), ta = parse_loopback("--to", to_s);
    f.rng.s = seed;

    struct sockaddr_storage to_ss;
    socklen_t to_len = to_sockaddr(&ta, &to_ss);
    int lfd = open_socket(&la);
    sb_addr up_bind;
    sb_addr_parse(&up_bind, ta.family == 4 ? "127.0.0.1" : "[::1]", ta.family == 4 ? 9 : 5, 0);
    up_bind.port = 0; /* an ephemeral loopback port towards the server */
    int ufd = open_socket(&up_bind);

    char rr[RR_MAX] = "";
    if (record_route) {
        char host[64];
        sb_addr_format(&la, host, sizeof host, true);
        snprintf(rr, sizeof rr, "Record-Route: <sip:%s;lr>\r\n", host);
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    fprintf(stderr, "udpfw: %s -> %s loss %.3f delay %llu ms jitter %llu ms dup %.3f seed %llu%s\n",
            listen_s, to_s, f.loss, (unsigned long long)f.delay_ms, (unsigned long long)f.jitter_ms,
            f.dup, (unsigned long long)seed, record_route ? " record-route" : "");

    struct sockaddr_storage client;
    socklen_t client_len = 0;
    static char buf[MAX_DGRAM + 1], rrbuf[MAX_DGRAM + RR_MAX];
    uint64_t start = now_ms(), end = duration_ms ? start + duration_ms : UINT64_MAX;

    while (!stop_flag) {
        uint64_t now = now_ms();
        if (now >= end) break;
        /* Send what is due. */
        while (f.q.n && f.q.items[0].due_ms <= now) {
            pkt p = q_pop(&f.q);
            dir_counters *c = &f.c[p.to_server ? 0 : 1];
            ssize_t n = sendto(p.to_server ? ufd : lfd, p.data, p.len, 0,
                               (struct sockaddr *)&p.dest, p.dest_len);
            if (n < 0)
                c->send_errors++;
            else
                c->forwarded++;
            free(p.data);
        }
        uint64_t wake = end;
        if (f.q.n && f.q.items[0].due_ms < wake) wake = f.q.items[0].due_ms;
        uint64_t wait = wake > now ? wake - now : 0;
        struct pollfd pfd[2] = {{.fd = lfd, .events = POLLIN}, {.fd = ufd, .events = POLLIN}};
        int rc = poll(pfd, 2, wait > 1000 ? 1000 : (int)wait);
        if (rc < 0) {
            if (errno == EINTR) continue;
            perror("udpfw: poll");
            break;
        }
        now = now_ms();
        for (int k = 0; k < 2; k++) {
            if (!(pfd[k].revents & POLLIN)) continue;
            struct sockaddr_storage from;
            socklen_t from_len = sizeof from;
            ssize_t n = recvfrom(pfd[k].fd, buf, MAX_DGRAM, 0, (struct sockaddr *)&from, &from_len);
            if (n < 0 || !sockaddr_loopback(&from)) continue;
            bool from_server = k == 1 || same_sockaddr(&from, &to_ss);
            if (from_server) {
                f.c[1].received++;
                if (!client_len) {
                    f.c[1].no_client++;
                    continue;
                }
                impair(&f, false, &client, client_len, buf, (size_t)n, now);
                continue;
            }
            f.c[0].received++;
            client = from;
            client_len = from_len;
            const char *data = buf;
            size_t len = (size_t)n;
            if (record_route && initial_invite(buf, len)) {
                size_t m = add_record_route(buf, len, rr, rrbuf);
                if (m) {
                    data = rrbuf;
                    len = m;
                    f.c[0].record_routed++;
                }
            }
            impair(&f, true, &to_ss, to_len, data, len, now);
        }
    }
    while (f.q.n) {
        pkt p = q_pop(&f.q);
        free(p.data);
    }
    close(lfd);
    close(ufd);
    print_counters(&f);
    return 0;
}
