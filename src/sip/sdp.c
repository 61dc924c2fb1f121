/* One-stream SDP: our offers and answers, and the few fields we read from the peer's. */
#include "sip/sdp.h"

#include <string.h>

static const char *const dir_names[] = {"sendrecv", "sendonly", "recvonly", "inactive"};

const char *sb_dir_name(sb_dir d) {
    return dir_names[d & 3];
}

static bool sends(sb_dir d) {
    return d == SB_DIR_SENDRECV || d == SB_DIR_SENDONLY;
}
static bool receives(sb_dir d) {
    return d == SB_DIR_SENDRECV || d == SB_DIR_RECVONLY;
}

sb_dir sb_dir_answer(sb_dir offered, sb_dir wish) {
    bool send = sends(wish) && receives(offered);
    bool recv = receives(wish) && sends(offered);
    if (send && recv) return SB_DIR_SENDRECV;
    if (send) return SB_DIR_SENDONLY;
    if (recv) return SB_DIR_RECVONLY;
    return SB_DIR_INACTIVE;
}

void sb_sdp_write(sb_buf *b, const sb_sdp_local *s, const sb_addr *addr) {
    char host[64];
    sb_addr_format(addr, host, sizeof host, false);
    const char *ip = host;
    size_t iplen = strlen(host);
    if (addr->family == 6 && iplen >= 2) { /* SDP wants the bare address, no brackets */
        ip++;
        iplen -= 2;
    }
    const char *af = addr->family == 6 ? " IN IP6 " : " IN IP4 ";
    sb_buf_str(b, "v=0\r\no=sipbeat ");
    sb_buf_u64(b, s->sess_id);
    sb_buf_str(b, " ");
    sb_buf_u64(b, s->version);
    sb_buf_str(b, af);
    sb_buf_put(b, ip, iplen);
    sb_buf_str(b, "\r\ns=sipbeat\r\nc=");
    sb_buf_str(b, af + 1);
    sb_buf_put(b, ip, iplen);
    sb_buf_str(b, "\r\nt=0 0\r\nm=audio ");
    sb_buf_u64(b, s->port);
    sb_buf_str(b, " RTP/AVP 0 8 101\r\n"
                  "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
                  "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=");
    sb_buf_str(b, sb_dir_name(s->dir));
    sb_buf_str(b, "\r\n");
}

static uint64_t num(const char *p, const char *end, const char **stop) {
    uint64_t v = 0;
    while (p < end && *p >= '0' && *p <= '9')
        v = v * 10 + (uint64_t)(*p++ - '0');
    *stop = p;
    return v;
}

static bool dir_attr(const char *p, size_t n, sb_dir *d) {
    for (int i = 0; i < 4; i++) {
        if (n == strlen(dir_names[i]) && memcmp(p, dir_names[i], n) == 0) {
            *d = (sb_dir)i;
            return true;
        }
    }
    return false;
}

void sb_sdp_read(sb_slice body, sb_sdp_remote *out) {
    bool have_o = false, have_m = false, session_dir_set = false, media_dir_set = false;
    sb_dir session_dir = SB_DIR_SENDRECV, media_dir = SB_DIR_SENDRECV;
    memset(out, 0, sizeof *out);
    const char *p = body.p, *end = body.p + body.n;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *le = eol ? eol : end;
        const char *lend = (le > p && le[-1] == '\r') ? le - 1 : le;
        size_t n = (size_t)(lend - p);
        if (n >= 2 && p[1] == '=') {
            const char *v = p + 2, *stop;
            if (p[0] == 'o') {
                /* o=<user> <sess-id> <sess-version> ... : version is the third field */
                int field = 0;
                const char *q = v;
                while (q < lend && field < 2) {
                    while (q < lend && *q != ' ')
                        q++;
                    while (q < lend && *q == ' ')
                        q++;
                    field++;
                }
                if (field == 2 && q < lend) {
                    out->version = num(q, lend, &stop);
                    have_o = stop > q;
                }
            } else if (p[0] == 'm' && n > 8 && memcmp(v, "audio ", 6) == 0 && !have_m) {
                out->port = (uint16_t)num(v + 6, lend, &stop);
                have_m = true;
            } else if (p[0] == 'a') {
                sb_dir d;
                if (dir_attr(v, n - 2, &d)) {
                    if (have_m && !media_dir_set) {
                        media_dir = d;
                        media_dir_set = true;
                    } else if (!have_m) {
                        session_dir = d;
                        session_dir_set = true;
                    }
                }
            }
        }
        p = le + (eol ? 1 : 0);
    }
    out->valid = have_o && have_m;
    out->dir = media_dir_set ? media_dir : (session_dir_set ? session_dir : SB_DIR_SENDRECV);
}
