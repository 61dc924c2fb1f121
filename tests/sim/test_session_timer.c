/* RFC 4028 session timer scenarios on the simulated network; rule ids are docs/rfc4028-rules.md's.
 */
#include "simtest.h"

#include <strings.h>

/* Links are 1 ms, so with ring_time 0 the UAS sends its 2xx at 1 and the UAC receives it at 2.
 * RFC 4028 §7.2/§9 start the clock (t0) at 2xx receipt for the UAC side of a transaction and
 * at 2xx sending for the UAS side: that 1 ms difference shows in every expected time below. */

static sb_config timer_config(const char *local, uint64_t seed, uint32_t se_s, sb_refresher pref) {
    sb_config c = st_config(local, seed);
    c.ring_time_ms = 0;
    c.timer.mode = SB_TIMER_SUPPORTED;
    c.timer.se_s = se_s;
    c.timer.min_se_s = 90;
    c.timer.refresher = pref;
    c.timer.method = SB_REFRESH_INVITE;
    c.timer.max_422 = 3;
    c.timer.max_se_s = 7200;
    return c;
}

static bool has_hdr_value(const sb_sim_entry *en, const char *name, char compact,
                          const char *needle) {
    char v[160];
    return sb_sim_hdr(en, name, compact, v, sizeof v) && strstr(v, needle) != NULL;
}

static long se_value(const sb_sim_entry *en) {
    char v[160];
    return sb_sim_hdr(en, "Session-Expires", 'x', v, sizeof v) ? strtol(v, NULL, 10) : -1;
}

static long min_se_value(const sb_sim_entry *en) {
    char v[160];
    return sb_sim_hdr(en, "Min-SE", 0, v, sizeof v) ? strtol(v, NULL, 10) : -1;
}

/* UAC-9, UAC-10, REF-5, REF-7, UAS-6: a two-hour call with SE 1800 and refresher=uac. Each
 * refresh leaves at t0 + 900 s where t0 is the previous 2xx's arrival (2 ms RTT later than
 * the request), so refresh k goes at 900000k + 2k ms: k = 1..7. The 8th would be at 7200016,
 * after the BYE at 7200002 (answer at 2 + 2 h), so there is none. */
static void test_two_hour_call_uac_refresher_UAC9_UAC10_REF7(void **state) {
    (void)state;
    sb_config a = timer_config(UAC_ADDR, 1, 1800, SB_REFRESHER_UAC);
    sb_config b = timer_config(UAS_ADDR, 2, 1800, SB_REFRESHER_UAC);
    int uac, uas;
    sb_sim *sim = st_pair(7, &a, &b, &uac, &uas);
    st_call(sim, uac, 2u * 3600 * 1000);
    assert_true(sb_sim_run_idle(sim, 3u * 3600 * 1000));

    const sb_sim_entry *inv = sb_sim_sent(sim, uac, "INVITE", NULL, 0);
    assert_true(has_hdr_value(inv, "Supported", 'k', "timer")); /* UAC-1 */
    assert_int_equal(se_value(inv), 1800);
    const sb_sim_entry *ok = sb_sim_sent(sim, uas, "SIP/2.0 200", "INVITE", 0);
    assert_true(has_hdr_value(ok, "Session-Expires", 'x', "refresher=uac")); /* UAS-5 */
    assert_true(has_hdr_value(ok, "Require", 0, "timer"));                   /* UAS-6 */

    uint64_t refresh[8] = {0};
    for (int k = 1; k <= 7; k++)
        refresh[k] = 900000ull * k + 2ull * k;
    st_expect_sends(sim, uac, "INVITE", NULL, refresh, 8);
    for (int k = 1; k <= 7; k++) {
        const sb_sim_entry *r = sb_sim_sent(sim, uac, "INVITE", NULL, k);
        assert_int_equal(r->cseq, inv->cseq + (uint32_t)k);
        assert_true(has_hdr_value(r, "Session-Expires", 'x', "refresher=uac")); /* REF-5 */
        assert_int_equal(se_value(r), 1800);                                    /* REF-4 */
        assert_true(has_hdr_value(r, "Supported", 'k', "timer"));               /* REF-10 */
        const sb_sim_entry *ev = sb_sim_event(sim, uac, SB_EV_REFRESH_SENT, k - 1);
        assert_non_null(ev);
        assert_int_equal(ev->at_ms, refresh[k]);
        assert_string_equal(ev->text, "INVITE");
    }
    assert_int_equal(sb_sim_count_sent(sim, uas, "INVITE", NULL), 0);
    st_expect_sends(sim, uac, "BYE", NULL, (uint64_t[]){7200002}, 1);
    assert_int_equal(sb_sim_count_sent(sim, uas, "BYE", NULL), 0);

    const sb_call_stats *c = st_ended(sim, uac, 0), *s = st_ended(sim, uas, 0);
    assert_int_equal(c->end_reason, SB_END_NORMAL);
    assert_int_equal(s->end_reason, SB_END_NORMAL);
    assert_true(c->session_timer_active);
    assert_int_equal(c->session_timer_negotiated_se_s, 1800);
    assert_int_equal(c->session_timer_refresher, 1); /* local */
    assert_int_equal(s->session_timer_refresher, 2); /* remote */
    assert_int_equal(c->session_timer_refreshes, 7);
    assert_int_equal(s->session_timer_refreshes, 7);
    assert_int_equal(c->session_timer_refresh_failures, 0);
    assert_false(c->session_timer_expired);
    assert_false(s->session_timer_expired);
    assert_int_equal(c->violations, 0);
    assert_int_equal(s->violations, 0);
    /* Two hours of virtual time cost a few dozen loop steps, not 7.2 million. */
    sb_sim_stats ss;
    sb_sim_get_stats(sim, &ss);
    assert_true(ss.steps < 400);
    st_expect_no_leaks(sim, uac);
    st_expect_no_leaks(sim, uas);
    st_free(sim);
}

/* UAS-5 (Table 2 row 6), UAS-7, REF-5, REF-14: the UAC asks for refresher=uas; the UAS
 * refreshes at t0 + SE/2 from the moment it *sent* its 2xx, and writes refresher=uac in its own
 * refresh because it is the UAC of that transaction and the refresher. */
static void test_uas_refresher_UAS5_UAS7_REF14(void **state) {
    (void)state;
    sb_config a = timer_config(UAC_ADDR, 1, 1800, SB_REFRESHER_UAS);
    sb_config b = timer_config(UAS_ADDR, 2, 1800, SB_REFRESHER_UAC);
    int uac, uas;
    sb_sim *sim = st_pair(7, &a, &b, &uac, &uas);
    st_call(sim, uac, 2000 * 1000);
    assert_true(sb_sim_run_idle(sim, 3u * 3600 * 1000));

    assert_true(has_hdr_value(sb_sim_sent(sim, uac, "INVITE", NULL, 0), "Session-Expires", 'x',
                              "refresher=uas"));
    const sb_sim_entry *ok = sb_sim_sent(sim, uas, "SIP/2.0 200", "INVITE", 0);
    assert_int_equal(ok->at_ms, 1);
    assert_true(has_hdr_value(ok, "Session-Expires", 'x', "refresher=uas"));
    /* t0 = 1 (2xx sent); the refresh's 2xx arrives 2 ms later and becomes the next t0. */
    st_expect_sends(sim, uas, "INVITE", NULL, (uint64_t[]){900001, 1800003}, 2);
    assert_int_equal(sb_sim_count_sent(sim, uac, "INVITE", NULL), 1);
    for (int k = 0; k < 2; k++) {
        const sb_sim_entry *r = sb_sim_sent(sim, uas, "INVITE", NULL, k);
        assert_true(has_hdr_value(r, "Session-Expires", 'x', "refresher=uac"));
        const sb_sim_entry *ans = sb_sim_sent(sim, uac, "SIP/2.0 200", "INVITE", k);
        assert_non_null(ans);
        assert_true(has_hdr_value(ans, "Session-Expires", 'x', "refresher=uac"));
    }
    st_expect_sends(sim, uac, "BYE", NULL, (uint64_t[]){2000002}, 1);
    const sb_call_stats *c = st_ended(sim, uac, 0), *s = st_ended(sim, uas, 0);
    assert_int_equal(c->session_timer_refresher, 2);
    assert_int_equal(s->session_timer_refresher, 1);
    assert_int_equal(c->session_timer_refreshes, 2);
    assert_int_equal(s->session_timer_refreshes, 2);
    /* the method per direction: the far end refreshed by re-INVITE, we never did */
    assert_int_equal(c->session_timer_refresh_method_remote, SB_VIA_INVITE);
    assert_int_equal(c->session_timer_refresh_method_local, SB_VIA_NONE);
    assert_int_equal(s->session_timer_refresh_method_local, SB_VIA_INVITE);
    assert_true(c->checks_passed & (1u << SB_VIO_MISSED_REFRESH)); /* UAC-13 held */
    assert_int_equal(c->end_reason, SB_END_NORMAL);
    assert_int_equal(s->end_reason, SB_END_NORMAL);
    assert_int_equal(sb_sim_count_events(sim, uas, SB_EV_REFRESH_SENT), 2);
    assert_int_equal(sb_sim_count_events(sim, uac, SB_EV_REFRESH_SENT), 0);
    st_free(sim);
}

/* EXP-1: the refresher goes silent (skip_refresh_from = 1); the non-refresher UAS sends BYE at
 * t0 + SE - min(32, SE/3), t0 = its 2xx at 1 ms. */
static void run_silent_refresher(uint32_t se_s, uint64_t expect_bye) {
    sb_config a = timer_config(UAC_ADDR, 1, se_s, SB_REFRESHER_UAC);
    a.timer.skip_refresh_from = 1;
    sb_config b = timer_config(UAS_ADDR, 2, se_s, SB_REFRESHER_UAC);
    int uac, uas;
    sb_sim *sim = st_pair(7, &a, &b, &uac, &uas);
    st_call(sim, uac, 3u * 3600 * 1000);
    sb_sim_run_until(sim, expect_bye + 60000);

    assert_int_equal(sb_sim_count_sent(sim, uac, "INVITE", NULL), 1);
    st_expect_sends(sim, uas, "BYE", NULL, (uint64_t[]){expect_bye}, 1);
    const sb_sim_entry *ex = sb_sim_event(sim, uas, SB_EV_TIMER_EXPIRED, 0);
    assert_non_null(ex);
    assert_int_equal(ex->at_ms, expect_bye);
    assert_string_equal(ex->text, "bye");
    const sb_call_stats *s = st_ended(sim, uas, 0);
    assert_int_equal(s->end_reason, SB_END_SESSION_EXPIRED);
    assert_false(s->ended_by_remote);
    assert_true(s->session_timer_expired);
    assert_int_equal(s->session_timer_expiry_action, 1);
    assert_true(s->violations & (1u << SB_VIO_MISSED_REFRESH));
    const sb_call_stats *c = st_ended(sim, uac, 0);
    assert_true(c->ended_by_remote);
    assert_int_equal(st_ended_at(sim, uac, 0), expect_bye + 1);
    /* The silent side is judging the far end as non-refresher (EXP-1): it tore down in time, so
     * the check passed, and the fault, not the far end, explains the end of the call. */
    assert_true(c->checks_passed & (1u << SB_VIO_NO_TEARDOWN));
    assert_int_equal(c->violations, 0);
    assert_int_equal(c->end_reason, SB_END_SESSION_EXPIRED);
    assert_true(c->fault_injected);
    assert_false(c->session_timer_expired);
    st_free(sim);
}

static void test_silent_refresher_bye_se90_EXP1(void **state) {
    (void)state;
    run_silent_refresher(90, 1 + 90000 - 30000); /* margin SE/3 = 30 s */
}

static void test_silent_refresher_bye_se1800_EXP1(void **state) {
    (void)state;
    run_silent_refresher(1800, 1 + 1800000 - 32000); /* margin 32 s */
}

/* EXP-1 with soft expiry (product knob): the UAS only reports the expiry; the call goes on
 * until the UAC's own BYE at 80002 (talk 80 s, inside the UAC's own 90 s interval). */
static void test_silent_refresher_soft_expiry_EXP1(void **state) {
    (void)state;
    sb_config a = timer_config(UAC_ADDR, 1, 90, SB_REFRESHER_UAC);
    a.timer.skip_refresh_from = 1;
    sb_config b = timer_config(UAS_ADDR, 2, 90, SB_REFRESHER_UAC);
    b.timer.soft_expiry = true;
    int uac, uas;
    sb_sim *sim = st_pair(7, &a, &b, &uac, &uas);
    st_call(sim, uac, 80000);
    sb_sim_run_until(sim, 200000);

    const sb_sim_entry *ex = sb_sim_event(sim, uas, SB_EV_TIMER_EXPIRED, 0);
    assert_non_null(ex);
    assert_int_equal(ex->at_ms, 60001);
    assert_string_equal(ex->text, "soft");
    assert_int_equal(sb_sim_count_sent(sim, uas, "BYE", NULL), 0);
    st_expect_sends(sim, uac, "BYE", NULL, (uint64_t[]){80002}, 1);
    const sb_call_stats *s = st_ended(sim, uas, 0);
    assert_int_equal(st_ended_at(sim, uas, 0), 80003);
    assert_int_equal(s->end_reason, SB_END_NORMAL);
    assert_true(s->ended_by_remote);
    assert_true(s->session_timer_expired);
    assert_int_equal(s->session_timer_expiry_action, 2);
    assert_int_equal(s->session_timer_soft_expiries, 1);
    st_free(sim);
}

/* UAS-1, 422-1, 422-2, 422-3: SE 900 against a UAS minimum of 1800. The 422 carries
 * Min-SE: 1800; the retry keeps Call-ID and From tag, takes CSeq + 1 and a new branch, and
 * carries Min-SE 1800 with SE >= 1800. The negotiated interval is then 1800. */
static void test_422_retry_UAS1_4222_4223(void **state) {
    (void)state;
    sb_config a = timer_config(UAC_ADDR, 1, 900, SB_REFRESHER_UAC);
    sb_config b = timer_config(UAS_ADDR, 2, 1800, SB_REFRESHER_UAC);
    b.timer.min_se_s = 1800;
    int uac, uas;
    sb_sim *sim = st_pair(7, &a, &b, &uac, &uas);
    st_call(sim, uac, 10000);
    assert_true(sb_sim_run_idle(sim, 200000));

    st_expect_sends(sim, uas, "SIP/2.0 422", "INVITE", (uint64_t[]){1}, 1);
    assert_int_equal(min_se_value(sb_sim_sent(sim, uas, "SIP/2.0 422", NULL, 0)), 1800);
    st_expect_sends(sim, uac, "INVITE", NULL, (uint64_t[]){0, 2}, 2);
    const sb_sim_entry *i1 = sb_sim_sent(sim, uac, "INVITE", NULL, 0);
    const sb_sim_entry *i2 = sb_sim_sent(sim, uac, "INVITE", NULL, 1);
    assert_int_equal(se_value(i1), 900);
    assert_string_equal(i2->call_id, i1->call_id);
    assert_int_equal(i2->cseq, i1->cseq + 1);
    assert_int_equal(min_se_value(i2), 1800);
    assert_true(se_value(i2) >= 1800);
    char v1[160], v2[160], f1[160], f2[160];
    assert_true(sb_sim_hdr(i1, "Via", 'v', v1, sizeof v1));
    assert_true(sb_sim_hdr(i2, "Via", 'v', v2, sizeof v2));
    assert_string_not_equal(v1, v2); /* new branch */
    assert_true(sb_sim_hdr(i1, "From", 'f', f1, sizeof f1));
    assert_true(sb_sim_hdr(i2, "From", 'f', f2, sizeof f2));
    assert_string_equal(f1, f2); /* we keep the From tag (erratum 1681 allows either) */
    /* The 422 is ACKed in its own transaction at its arrival. */
    st_expect_sends(sim, uac, "ACK", NULL, (uint64_t[]){2, 4}, 2);
    const sb_sim_entry *e422 = sb_sim_event(sim, uac, SB_EV_TIMER_422, 0);
    assert_non_null(e422);
    assert_int_equal(e422->value, 1800);

    const sb_call_stats *c = st_ended(sim, uac, 0);
    assert_int_equal(c->result, SB_RESULT_ANSWERED);
    assert_int_equal(c->answer_ms, 4);
    assert_int_equal(c->session_timer_422_count, 1);
    assert_int_equal(c->session_timer_negotiated_se_s, 1800);
    assert_int_equal(c->session_timer_min_se_s, 1800);
    assert_int_equal(sb_sim_count_events(sim, uac, SB_EV_CALL_ENDED), 1);
    st_expect_no_leaks(sim, uac);
    st_expect_no_leaks(sim, uas);
    st_free(sim);
}

/* ---- A scripted UAS that answers every INVITE with 422 and a growing Min-SE ---- */

typedef struct {
    const uint32_t *min_se;
    int n, next;
} script422;

static bool line_is(const char *p, size_t n, const char *name, char compact) {
    size_t ln = strlen(name);
    const char *colon = memchr(p, ':', n);
    if (!colon) return false;
    size_t k = (size_t)(colon - p);
    while (k > 0 && (p[k - 1] == ' ' || p[k - 1] == '\t'))
        k--;
    return (k == ln && strncasecmp(p, name, ln) == 0) || (k == 1 && (p[0] | 0x20) == compact);
}

/* Builds a response from a request: Via, From, To (+tag), Call-ID and CSeq copied (§8.2.6.2). */
static size_t build_response(const char *req, size_t len, const char *status_line,
                             const char *extra, char *out, size_t cap) {
    size_t o = (size_t)snprintf(out, cap, "%s\r\n", status_line);
    const char *p = memchr(req, '\n', len), *end = req + len;
    while (p && ++p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((eol ? eol : end) - p);
        if (n > 0 && p[n - 1] == '\r') n--;
        if (n == 0) break;
        bool to = line_is(p, n, "To", 't');
        if (to || line_is(p, n, "Via", 'v') || line_is(p, n, "From", 'f') ||
            line_is(p, n, "Call-ID", 'i') || line_is(p, n, "CSeq", 0))
            o += (size_t)snprintf(out + o, cap - o, "%.*s%s\r\n", (int)n, p,
                                  to && !memmem(p, n, ";tag=", 5) ? ";tag=script422" : "");
        p = eol;
    }
    o += (size_t)snprintf(out + o, cap - o, "%sContent-Length: 0\r\n\r\n", extra);
    assert_true(o < cap);
    return o;
}

static void on_script_recv(sb_sim *sim, int node, const sb_addr *from, const char *data, size_t len,
                           void *ud) {
    script422 *s = ud;
    if (len < 7 || strncmp(data, "INVITE ", 7) != 0) return; /* ACKs need no answer */
    assert_true(s->next < s->n);
    char extra[64], out[2048];
    snprintf(extra, sizeof extra, "Min-SE: %u\r\n", s->min_se[s->next++]);
    size_t n =
        build_response(data, len, "SIP/2.0 422 Session Interval Too Small", extra, out, sizeof out);
    sb_sim_send(sim, node, from, out, n);
}

/* 422-5, 422-6: three 422s in a row with Min-SE 1000, 1500, 2000 and our max_se_s 1800. We
 * retry with the largest Min-SE each time, and give up on the third: min_se_too_large. */
static void test_422_chain_min_se_too_large_4225_4226(void **state) {
    (void)state;
    sb_config a = timer_config(UAC_ADDR, 1, 900, SB_REFRESHER_UAC);
    a.timer.max_se_s = 1800;
    a.timer.max_422 = 5;
    sb_sim *sim = st_new(7);
    int uac = st_spawn(sim, &a);
    sb_addr pa = st_addr(UAS_ADDR);
    int peer = sb_sim_add_script(sim, &pa);
    static const uint32_t mins[] = {1000, 1500, 2000};
    script422 s = {mins, 3, 0};
    sb_sim_set_recv_cb(sim, on_script_recv, &s);
    st_call(sim, uac, 10000);
    assert_true(sb_sim_run_idle(sim, 200000));

    st_expect_sends(sim, uac, "INVITE", NULL, (uint64_t[]){0, 2, 4}, 3);
    st_expect_sends(sim, uac, "ACK", NULL, (uint64_t[]){2, 4, 6}, 3);
    assert_int_equal(sb_sim_count_delivered(sim, peer, "SIP/2.0", NULL), 0);
    const sb_sim_entry *i2 = sb_sim_sent(sim, uac, "INVITE", NULL, 1);
    const sb_sim_entry *i3 = sb_sim_sent(sim, uac, "INVITE", NULL, 2);
    assert_int_equal(min_se_value(i2), 1000);
    assert_true(se_value(i2) >= 1000);
    assert_int_equal(min_se_value(i3), 1500);
    assert_true(se_value(i3) >= 1500);
    assert_int_equal(i3->cseq, i2->cseq + 1);
    assert_int_equal(sb_sim_count_events(sim, uac, SB_EV_TIMER_422), 3);

    const sb_call_stats *c = st_ended(sim, uac, 0);
    assert_int_equal(st_ended_at(sim, uac, 0), 6);
    assert_int_equal(c->end_reason, SB_END_MIN_SE_TOO_LARGE);
    assert_int_not_equal(c->result, SB_RESULT_ANSWERED);
    assert_int_equal(c->final_status_code, 422);
    assert_int_equal(c->session_timer_422_count, 3);
    st_expect_no_leaks(sim, uac);
    st_free(sim);
}

/* REF-8, EXP-2: the UAS answers our refresh with 481 (fault knob). The refresher ACKs it and
 * sends BYE at once: refresh at 45002, 481 back at 45004, BYE at 45004. */
static void test_refresh_481_bye_REF8(void **state) {
    (void)state;
    sb_config a = timer_config(UAC_ADDR, 1, 90, SB_REFRESHER_UAC);
    sb_config b = timer_config(UAS_ADDR, 2, 90, SB_REFRESHER_UAC);
    b.timer.answer_refresh_code = 481;
    int uac, uas;
    sb_sim *sim = st_pair(7, &a, &b, &uac, &uas);
    st_call(sim, uac, 600000);
    assert_true(sb_sim_run_idle(sim, 1000000));

    st_expect_sends(sim, uac, "INVITE", NULL, (uint64_t[]){0, 45002}, 2);
    st_expect_sends(sim, uas, "SIP/2.0 481", "INVITE", (uint64_t[]){45003}, 1);
    st_expect_sends(sim, uac, "ACK", NULL, (uint64_t[]){2, 45004}, 2);
    st_expect_sends(sim, uac, "BYE", NULL, (uint64_t[]){45004}, 1);
    const sb_sim_entry *f = sb_sim_event(sim, uac, SB_EV_REFRESH_FAILED, 0);
    assert_non_null(f);
    assert_int_equal(f->at_ms, 45004);
    assert_int_equal(f->status, 481);
    const sb_call_stats *c = st_ended(sim, uac, 0);
    assert_int_equal(c->end_reason, SB_END_REFRESH_FAILED);
    assert_false(c->ended_by_remote);
    assert_int_equal(c->session_timer_refresh_failures, 1);
    assert_int_equal(c->session_timer_refresh_failure_status, 481);
    assert_int_equal(c->session_timer_refreshes, 0);
    /* The refusing side never blames the far end for the refresh it refused (no UAC-13), and
     * REF-8 passes: the far end hung up at once. */
    const sb_call_stats *s = st_ended(sim, uas, 0);
    assert_int_equal(s->session_timer_refreshes_refused, 1);
    assert_true(s->checks_passed & (1u << SB_VIO_KEPT_DIALOG));
    assert_int_equal(s->violations, 0);
    assert_int_equal(s->end_reason, SB_END_REFRESH_FAILED);
    assert_true(s->ended_by_remote);
    st_expect_no_leaks(sim, uac);
    st_expect_no_leaks(sim, uas);
    st_free(sim);
}

/* answer -d: the answerer hangs up 31 s after its 2xx (at 31001); the caller, whose talk time
 * is 50 s, records the drop as remote_hangup. The answerer's own end is normal. */
static void test_answer_duration_is_a_drop_for_the_caller(void **state) {
    (void)state;
    sb_config a = st_config(UAC_ADDR, 1), b = st_config(UAS_ADDR, 2);
    b.answer_duration_ms = 31000;
    int uac, uas;
    sb_sim *sim = st_pair(7, &a, &b, &uac, &uas);
    st_call(sim, uac, 50000);
    assert_true(sb_sim_run_idle(sim, 100000));
    st_expect_sends(sim, uas, "BYE", NULL, (uint64_t[]){31001}, 1);
    const sb_call_stats *c = st_ended(sim, uac, 0), *s = st_ended(sim, uas, 0);
    assert_int_equal(c->end_reason, SB_END_REMOTE_HANGUP);
    assert_true(c->ended_by_remote);
    assert_int_equal(s->end_reason, SB_END_NORMAL);
    assert_false(s->ended_by_remote);
    st_free(sim);
}

/* --min-duration on the answerer: a caller that hangs up after 5 s of the 15 s asked for ends
 * remote_hangup on the answering side. */
static void test_min_duration_on_the_answerer(void **state) {
    (void)state;
    sb_config a = st_config(UAC_ADDR, 1), b = st_config(UAS_ADDR, 2);
    b.min_duration_ms = 15000;
    int uac, uas;
    sb_sim *sim = st_pair(7, &a, &b, &uac, &uas);
    st_call(sim, uac, 5000);
    assert_true(sb_sim_run_idle(sim, 100000));
    assert_int_equal(st_ended(sim, uas, 0)->end_reason, SB_END_REMOTE_HANGUP);
    assert_int_equal(st_ended(sim, uac, 0)->end_reason, SB_END_NORMAL);
    st_free(sim);
}

/* REF-8, REF-9, EXP-4: the network dies after setup. The refresh re-INVITE follows Timer A
 * from 45002, Timer B fires at 45002 + 32000 = 77002 and the refresher sends BYE then, still
 * before expiration at 90002. The silent side gives up by EXP-1 at 60001. */
static void test_refresh_timeout_bye_REF8_EXP4(void **state) {
    (void)state;
    sb_config a = timer_config(UAC_ADDR, 1, 90, SB_REFRESHER_UAC);
    sb_config b = timer_config(UAS_ADDR, 2, 90, SB_REFRESHER_UAC);
    int uac, uas;
    sb_sim *sim = st_pair(7, &a, &b, &uac, &uas);
    st_call(sim, uac, 600000);
    sb_sim_run_until(sim, 10000);
    sb_sim_set_link_both(sim, uac, uas, &(sb_link){.down = true});
    assert_true(sb_sim_run_idle(sim, 1000000));

    uint64_t inv[8] = {0};
    const uint64_t offs[] = {0, 500, 1500, 3500, 7500, 15500, 31500};
    for (int i = 0; i < 7; i++)
        inv[i + 1] = 45002 + offs[i];
    st_expect_sends(sim, uac, "INVITE", NULL, inv, 8);
    assert_int_equal(sb_sim_find(sim, uac, "BYE", 0), 77002);
    const sb_sim_entry *f = sb_sim_event(sim, uac, SB_EV_REFRESH_FAILED, 0);
    assert_non_null(f);
    assert_int_equal(f->at_ms, 77002);
    assert_int_equal(f->status, 0);
    assert_int_equal(sb_sim_find(sim, uas, "BYE", 0), 60001);

    const sb_call_stats *c = st_ended(sim, uac, 0), *s = st_ended(sim, uas, 0);
    assert_int_equal(c->end_reason, SB_END_REFRESH_FAILED);
    assert_int_equal(s->end_reason, SB_END_SESSION_EXPIRED);
    st_expect_no_leaks(sim, uac);
    st_expect_no_leaks(sim, uas);
    st_free(sim);
}

/* UAC-15, REF-7, REF-13: a hold re-INVITE is a session refresh: it carries the timer headers
 * and its 2xx (arriving at 10004) restarts the interval, so the first refresh goes at
 * 10004 + 45000 = 55004, not 45002. The refresh offer is the hold offer unchanged: a=sendonly,
 * same o= line (version not incremented) and byte-identical SDP; the answer likewise. */
static void test_hold_kept_through_refresh_UAC15_REF7_REF13(void **state) {
    (void)state;
    sb_config a = timer_config(UAC_ADDR, 1, 90, SB_REFRESHER_UAC);
    sb_config b = timer_config(UAS_ADDR, 2, 90, SB_REFRESHER_UAC);
    int uac, uas;
    sb_sim *sim = st_pair(7, &a, &b, &uac, &uas);
    sb_call_opts o = st_opts(120000);
    o.hold_at_ms = 10000;
    o.hold_mode = SB_HOLD_SENDONLY;
    st_call_opts(sim, uac, &o);
    assert_true(sb_sim_run_idle(sim, 1000000));

    st_expect_sends(sim, uac, "INVITE", NULL, (uint64_t[]){0, 10002, 55004, 100006}, 4);
    const sb_sim_entry *inv = sb_sim_sent(sim, uac, "INVITE", NULL, 0);
    const sb_sim_entry *hold = sb_sim_sent(sim, uac, "INVITE", NULL, 1);
    assert_int_equal(se_value(hold), 90);
    assert_true(has_hdr_value(hold, "Session-Expires", 'x', "refresher=uac"));
    assert_non_null(strstr(sb_sim_body(hold), "a=sendonly"));
    assert_int_equal(st_sdp_version(sb_sim_body(hold)), st_sdp_version(sb_sim_body(inv)) + 1);
    char oh[160], or [160];
    st_sdp_oline(sb_sim_body(hold), oh, sizeof oh);
    for (int k = 2; k <= 3; k++) {
        const sb_sim_entry *r = sb_sim_sent(sim, uac, "INVITE", NULL, k);
        st_sdp_oline(sb_sim_body(r), or, sizeof or);
        assert_string_equal(or, oh);
        assert_string_equal(sb_sim_body(r), sb_sim_body(hold));
    }
    const sb_sim_entry *ah = sb_sim_sent(sim, uas, "SIP/2.0 200", "INVITE", 1);
    const sb_sim_entry *ar = sb_sim_sent(sim, uas, "SIP/2.0 200", "INVITE", 2);
    assert_non_null(ar);
    assert_non_null(strstr(sb_sim_body(ah), "a=recvonly"));
    assert_string_equal(sb_sim_body(ar), sb_sim_body(ah));

    const sb_call_stats *c = st_ended(sim, uac, 0);
    assert_int_equal(c->hold_count, 1);
    assert_int_equal(c->end_reason, SB_END_NORMAL);
    assert_int_equal(sb_sim_count_sent(sim, uas, "BYE", NULL), 0);
    st_free(sim);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        st_test(test_two_hour_call_uac_refresher_UAC9_UAC10_REF7),
        st_test(test_uas_refresher_UAS5_UAS7_REF14),
        st_test(test_silent_refresher_bye_se90_EXP1),
        st_test(test_silent_refresher_bye_se1800_EXP1),
        st_test(test_silent_refresher_soft_expiry_EXP1),
        st_test(test_422_retry_UAS1_4222_4223),
        st_test(test_422_chain_min_se_too_large_4225_4226),
        st_test(test_refresh_481_bye_REF8),
        st_test(test_answer_duration_is_a_drop_for_the_caller),
        st_test(test_min_duration_on_the_answerer),
        st_test(test_refresh_timeout_bye_REF8_EXP4),
        st_test(test_hold_kept_through_refresh_UAC15_REF7_REF13),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
