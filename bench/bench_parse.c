/* Parser throughput: one realistic ~900-byte INVITE with SDP, parsed repeatedly for ~1.5 s. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sipbeat/msg.h"

#define SDP                                                                                        \
    "v=0\r\n"                                                                                      \
    "o=sipbeat 3928173645 3928173645 IN IP4 192.0.2.10\r\n"                                        \
    "s=sipbeat\r\n"                                                                                \
    "c=IN IP4 192.0.2.10\r\n"                                                                      \
    "t=0 0\r\n"                                                                                    \
    "m=audio 40000 RTP/AVP 0 8 101\r\n"                                                            \
    "a=rtpmap:0 PCMU/8000\r\n"                                                                     \
    "a=rtpmap:8 PCMA/8000\r\n"                                                                     \
    "a=rtpmap:101 telephone-event/8000\r\n"                                                        \
    "a=fmtp:101 0-15\r\n"                                                                          \
    "a=ptime:20\r\n"                                                                               \
    "a=sendrecv\r\n"

static const char head[] =
    "INVITE sip:service@192.0.2.20:5060;transport=udp SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK-524287-1---7f3a9c1e2b4d6f80;rport\r\n"
    "Max-Forwards: 70\r\n"
    "From: \"sipbeat\" <sip:sipbeat@192.0.2.10:5060>;tag=8c2f1e7a\r\n"
    "To: <sip:service@192.0.2.20:5060>\r\n"
    "Call-ID: 5f0c3b7e9a1d4c28b6e0f7a2d9c4e1b3@192.0.2.10\r\n"
    "CSeq: 1 INVITE\r\n"
    "Contact: <sip:sipbeat@192.0.2.10:5060;transport=udp>\r\n"
    "Supported: timer, 100rel, replaces\r\n"
    "Session-Expires: 1800;refresher=uac\r\n"
    "Min-SE: 90\r\n"
    "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, PRACK, INFO, REFER, NOTIFY\r\n"
    "User-Agent: sipbeat/0.1\r\n"
    "Content-Type: application/sdp\r\n";

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 1.5;
    char msg_text[2048];
    int len = snprintf(msg_text, sizeof msg_text, "%sContent-Length: %zu\r\n\r\n%s", head,
                       strlen(SDP), SDP);
    if (len <= 0 || (size_t)len >= sizeof msg_text) return 1;

    static sb_msg m;
    /* Check once that the message is valid, so the loop measures the success path. */
    if (sb_msg_parse(&m, msg_text, (size_t)len, true) != len) {
        fprintf(stderr, "bench message does not parse: %s\n", m.error ? m.error : "?");
        return 1;
    }

    /* Read the clock every 4096 parses so timing costs nothing measurable. */
    uint64_t n = 0, sink = 0;
    double t0 = now_s(), t1;
    do {
        for (int i = 0; i < 4096; i++) {
            ptrdiff_t rc = sb_msg_parse(&m, msg_text, (size_t)len, true);
            sink += (uint64_t)rc + m.cseq;
        }
        n += 4096;
        t1 = now_s();
    } while (t1 - t0 < seconds);

    double el = t1 - t0;
    printf("message: %d bytes, %u headers\n", len, (unsigned)m.nhdrs);
    printf("parse: %.0f msgs/s, %.1f MB/s, %.1f ns/msg\n", (double)n / el,
           (double)n * (double)len / el / 1e6, el * 1e9 / (double)n);
    return sink == 0; /* keeps the loop from being optimised away */
}
