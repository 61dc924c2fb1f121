/* Limits: an INVITE flood stays within the engine's caps (calls, transactions, memory), the
 * excess is answered 503 with Retry-After, and --max-concurrent turns calls away the same way. */
#include "simtest.h"

#include <malloc.h>

/* Final answers per flooded INVITE, counted once each (a 503 is retransmitted until ACKed,
 * and the flooder never ACKs). */
enum { MAX_FLOOD = 20000 };
typedef struct {
    int r503, r503_retry_after, r200, other;
    uint8_t seen[MAX_FLOOD];
} counts;

static void on_recv(sb_sim *sim, int node, const sb_addr *from, const char *data, size_t len,
                    void *ud) {
    (void)sim;
    (void)node;
    (void)from;
    counts *c = ud;
    sb_msg m;
    if (sb_msg_parse(&m, data, len, true) < 0 || m.is_request || m.status < 200) return;
    unsigned i = 0;
    if (sscanf(m.call_id.p, "flood%u@", &i) != 1 || i >= MAX_FLOOD || c->seen[i]) return;
    c->seen[i] = 1;
    if (m.status == 503) {
        c->r503++;
        c->r503_retry_after += sb_msg_hdr(&m, SB_HDR_RETRY_AFTER) != NULL;
    } else if (m.status == 200) {
        c->r200++;
    } else if (m.status >= 200) {
        c->other++;
    }
}

static size_t flood_invite(char *buf, size_t cap, unsigned i) {
    return (size_t)snprintf(
        buf, cap,
        "INVITE sip:service@127.0.0.2:5060 SIP/2.0\r\n"
        "Via: SIP/2.0/UDP 127.0.0.9:5060;branch=z9hG4bKflood%u\r\n"
        "Max-Forwards: 70\r\nFrom: <sip:flood@127.0.0.9>;tag=f%u\r\n"
        "To: <sip:service@127.0.0.2>\r\nCall-ID: flood%u@127.0.0.9\r\nCSeq: 1 INVITE\r\n"
        "Contact: <sip:flood@127.0.0.9:5060>\r\nContent-Length: 0\r\n\r\n",
        i, i, i);
}

/* 20 000 INVITEs in 10 s of virtual time, never ACKed: the UAS holds at most max_calls calls
 * and max_txns transactions, answers the rest 503 + Retry-After, and its heap grows by a
 * bounded amount; once the flood stops, every call ends (ACK timeout) and nothing is left. */
static void test_invite_flood_is_bounded(void **state) {
    (void)state;
    sb_config uas = st_config(UAS_ADDR, 3);
    uas.max_calls = 200;
    uas.max_txns = 1000;
    sb_sim *sim = st_new(5);
    int n = st_spawn(sim, &uas);
    sb_addr flooder = st_addr("127.0.0.9:5060");
    int script = sb_sim_add_script(sim, &flooder);
    (void)script;
    static counts c;
    memset(&c, 0, sizeof c);
    sb_sim_set_recv_cb(sim, on_recv, &c);
    sb_sim_set_logging(sim, false);
    sb_engine *e = sb_sim_engine(sim, n);

    size_t heap0 = mallinfo2().uordblks, heap_peak = heap0;
    uint32_t peak_calls = 0, peak_txns = 0;
    char buf[1024];
    for (unsigned i = 0; i < 20000; i++) {
        size_t len = flood_invite(buf, sizeof buf, i);
        sb_sim_inject(sim, &flooder, n, buf, len, 0);
        if (i % 40 == 39) sb_sim_run_until(sim, sb_sim_now(sim) + 20);
        sb_engine_stats st;
        sb_engine_get_stats(e, &st);
        if (st.live_calls > peak_calls) peak_calls = st.live_calls;
        if (st.live_txns > peak_txns) peak_txns = st.live_txns;
        size_t heap = mallinfo2().uordblks;
        if (heap > heap_peak) heap_peak = heap;
    }
    assert_true(peak_calls <= 200);
    assert_true(peak_txns <= 1000);
    assert_int_equal(peak_calls, 200); /* the cap was reached, not just never approached */
    assert_true(c.r503 > 10000);
    assert_int_equal(c.r503 + c.r200 + c.other, 20000); /* every INVITE got an answer */
    assert_int_equal(c.r503, c.r503_retry_after);
    sb_engine_stats st;
    sb_engine_get_stats(e, &st);
    assert_true(st.invites_503 >= (uint64_t)c.r503);
    /* Caps bound memory: 200 calls and 1000 transactions, plus the simulator's queues. */
    assert_true(heap_peak - heap0 < 16u * 1024 * 1024);

    assert_true(sb_sim_run_idle(sim, sb_sim_now(sim) + 120000));
    sb_engine_get_stats(e, &st);
    assert_int_equal(st.live_calls, 0);
    assert_int_equal(st.live_txns, 0);
    st_free(sim);
}

/* max_concurrent 5 with a 10 s ring time: 20 INVITEs give 5 ringing calls and 15 × 503 with
 * Retry-After; the 5 are answered later. */
static void test_max_concurrent_503(void **state) {
    (void)state;
    sb_config uas = st_config(UAS_ADDR, 3);
    uas.max_concurrent = 5;
    uas.ring_time_ms = 10000;
    sb_sim *sim = st_new(6);
    int n = st_spawn(sim, &uas);
    sb_addr flooder = st_addr("127.0.0.9:5060");
    sb_sim_add_script(sim, &flooder);
    static counts c;
    memset(&c, 0, sizeof c);
    sb_sim_set_recv_cb(sim, on_recv, &c);
    char buf[1024];
    for (unsigned i = 0; i < 20; i++) {
        size_t len = flood_invite(buf, sizeof buf, i);
        sb_sim_inject(sim, &flooder, n, buf, len, i);
    }
    sb_sim_run_until(sim, 1000);
    assert_int_equal(c.r503, 15);
    assert_int_equal(c.r503_retry_after, 15);
    assert_int_equal(c.r200, 0);
    sb_sim_run_until(sim, 11000);
    assert_int_equal(c.r200 > 0, 1);
    sb_engine_stats st;
    sb_engine_get_stats(sb_sim_engine(sim, n), &st);
    assert_int_equal(st.invites_503, 15);
    assert_true(sb_sim_run_idle(sim, 200000));
    st_free(sim);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        st_test(test_invite_flood_is_bounded),
        st_test(test_max_concurrent_503),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
