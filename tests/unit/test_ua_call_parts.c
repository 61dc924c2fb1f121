/* The parts of a call (src/dialog/ua.h) against the UA layer alone: the dialog's strings in
 * one block, the live record and the public one built from it, and the offer/answer state
 * machine of our holds (GLR-3, GLR-4, GLR-6). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dialog/ua.h"
#include "ua_fixture.h"

#include <stdio.h>
#include <string.h>

static sb_ua ua;

static int setup(void **state) {
    (void)state;
    sb_config cfg = ua_fixture_config();
    assert_int_equal(sb__ua_init(&ua, &cfg, 0), 0);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    sb__ua_free(&ua);
    return 0;
}

static sb_slice sl(const char *s) {
    return (sb_slice){s, strlen(s)};
}

/* Every string of the dialog lives in one block; a borrowed one (the UA's own URI) stays
 * where it points, and setting one keeps the others. */
static void dialog_strings_share_one_block(void **state) {
    (void)state;
    sb_dialog d;
    memset(&d, 0, sizeof d);
    const char *self = "sip:me@127.0.0.1";
    d.local_uri = (char *)self;
    assert_int_equal(sb__dlg_set(&d, &d.call_id, sl("abc@host")), 0);
    assert_int_equal(sb__dlg_set(&d, &d.remote_tag, sl("t1")), 0);
    assert_int_equal(sb__dlg_set(&d, &d.remote_target, sl("sip:b@127.0.0.2:5070")), 0);
    assert_string_equal(d.call_id, "abc@host");
    assert_string_equal(d.remote_tag, "t1");
    assert_string_equal(d.remote_target, "sip:b@127.0.0.2:5070");
    assert_ptr_equal(d.local_uri, self);
    assert_null(d.route);
    assert_int_equal(d.strs_len, strlen("abc@host") + 1 + 3 + strlen("sip:b@127.0.0.2:5070") + 1);
    assert_ptr_equal(d.call_id, d.strs);
    /* a new target refresh (RFC 3261 §12.2) replaces one string; an empty one clears it */
    assert_int_equal(sb__dlg_set(&d, &d.remote_target, sl("sip:c@127.0.0.3")), 0);
    assert_string_equal(d.remote_target, "sip:c@127.0.0.3");
    assert_string_equal(d.call_id, "abc@host");
    assert_int_equal(sb__dlg_set(&d, &d.remote_tag, (sb_slice){"", 0}), 0);
    assert_null(d.remote_tag);
    assert_string_equal(d.remote_target, "sip:c@127.0.0.3");
    sb__dlg_free(&d);
}

/* The public record: a standard phrase is not kept but shows; a phrase of the far end's own
 * is kept in the notes; the role, Call-ID and timer mode come from the call and the UA. */
static void record_from_the_call(void **state) {
    (void)state;
    sb_call *c = sb__call_new(&ua, SB_ROLE_UAC, 1000);
    assert_non_null(c);
    assert_int_equal(sb__call_index(&ua, c, sl("cid-1@127.0.0.1")), 0);
    sb_call_stats r;
    sb__set_final(&ua, c, 200, "OK", 2);
    assert_null(c->notes);
    sb__record(&ua, c, &r);
    assert_string_equal(r.final_reason_phrase, "OK");
    assert_string_equal(r.call_id, "cid-1@127.0.0.1");
    assert_int_equal(r.role, SB_ROLE_UAC);
    assert_int_equal(r.session_timer_mode, SB_TIMER_OFF);
    assert_int_equal(r.start_ms, 1000);
    sb__set_final(&ua, c, 486, "Gone Fishing", 12);
    assert_non_null(c->notes);
    sb__record(&ua, c, &r);
    assert_int_equal(r.final_status_code, 486);
    assert_string_equal(r.final_reason_phrase, "Gone Fishing");
    sb__set_final(&ua, c, 503, NULL, 0);
    sb__record(&ua, c, &r);
    assert_string_equal(r.final_reason_phrase, "Service Unavailable");
    assert_ptr_equal(sb__call_find(&ua, sl("cid-1@127.0.0.1"), sl(c->dlg.local_tag), sl("")), c);
}

/* A confirmed UAC call with a dialog to send re-INVITEs in. */
static sb_call *confirmed(void) {
    sb_call *c = sb__call_new(&ua, SB_ROLE_UAC, 0);
    assert_non_null(c);
    assert_int_equal(sb__call_index(&ua, c, sl("cid-2@127.0.0.1")), 0);
    c->dlg.local_uri = ua.ids[0].from_uri;
    assert_int_equal(sb__dlg_set(&c->dlg, &c->dlg.remote_uri, sl("sip:b@127.0.0.2")), 0);
    assert_int_equal(sb__dlg_set(&c->dlg, &c->dlg.remote_tag, sl("rt")), 0);
    assert_int_equal(sb_addr_parse(&c->dlg.peer, "127.0.0.2:5060", 14, 5060), 0);
    c->dlg.local_cseq = 1;
    c->state = SB_CS_CONFIRMED;
    c->stats.answer_ms = 0;
    return c;
}

/* Feeds the final response status to our open re-INVITE. */
static void answer_reinvite(sb_call *c, int status, uint64_t now) {
    sb_txn *t = c->inv_txn;
    assert_non_null(t);
    char buf[512];
    snprintf(buf, sizeof buf,
             "SIP/2.0 %d X\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=%s\r\n"
             "From: <sip:a@127.0.0.1>;tag=%s\r\nTo: <sip:b@127.0.0.2>;tag=rt\r\n"
             "Call-ID: cid-2@127.0.0.1\r\nCSeq: %u INVITE\r\nContent-Length: 0\r\n\r\n",
             status, t->branch, c->dlg.local_tag, t->cseq);
    sb_msg m;
    assert_true(sb_msg_parse(&m, buf, strlen(buf), true) > 0);
    sb__session_response(&ua, c, t, &m, now);
}

/* ACTIVE -> HOLDING -> (491, GLR-3) ACTIVE with the change waiting -> HOLDING -> HELD; the
 * refused offer left the o= version and direction as they were (GLR-6). */
static void hold_through_glare(void **state) {
    (void)state;
    sb_call *c = confirmed();
    uint64_t v0 = c->oa.sdp.version;
    c->oa.hold_mode = SB_HOLD_SENDONLY;
    sb__media_change(&ua, c, SB_NEXT_HOLD, 100);
    assert_int_equal(c->oa.state, SB_OA_HOLDING);
    assert_int_equal(c->oa.sdp.dir, SB_DIR_SENDONLY);
    assert_int_equal(c->oa.sdp.version, v0 + 1);
    assert_int_equal(sb__oa_wish(c), SB_DIR_SENDONLY);
    answer_reinvite(c, 491, 200);
    assert_int_equal(c->oa.state, SB_OA_ACTIVE);
    assert_int_equal(c->oa.sdp.dir, SB_DIR_SENDRECV);
    assert_int_equal(c->oa.sdp.version, v0);
    assert_int_equal(c->oa.next, SB_NEXT_HOLD);
    assert_true(sb_tmr_armed(&c->sc.media_tmr)); /* the GLR-3 back-off */
    sb_heap_run(&ua.heap, c->sc.media_tmr.deadline_ms);
    assert_int_equal(c->oa.state, SB_OA_HOLDING);
    assert_int_equal(c->oa.next, SB_NEXT_NONE);
    answer_reinvite(c, 200, 5000);
    assert_int_equal(c->oa.state, SB_OA_HELD);
    assert_true(sb__oa_held(c));
    assert_int_equal(c->stats.hold_count, 1);
    assert_int_equal(c->oa.sdp.version, v0 + 1);
}

/* From HELD a new hold direction is offered; refused (488), the call stays HELD with its old
 * direction. An offer that cannot go out yet (GLR-4: an INVITE transaction is open) waits. */
static void rehold_refused_stays_held(void **state) {
    (void)state;
    sb_call *c = confirmed();
    c->oa.hold_mode = SB_HOLD_SENDONLY;
    sb__media_change(&ua, c, SB_NEXT_HOLD, 0);
    answer_reinvite(c, 200, 10);
    assert_int_equal(c->oa.state, SB_OA_HELD);
    uint64_t v1 = c->oa.sdp.version;
    c->oa.hold_mode = SB_HOLD_INACTIVE;
    sb__media_change(&ua, c, SB_NEXT_HOLD, 20);
    assert_int_equal(c->oa.state, SB_OA_HOLDING);
    assert_int_equal(c->oa.sdp.dir, SB_DIR_INACTIVE);
    sb__media_change(&ua, c, SB_NEXT_RESUME, 30); /* GLR-4: waits for the open re-INVITE */
    assert_int_equal(c->oa.next, SB_NEXT_RESUME);
    assert_int_equal(c->oa.state, SB_OA_HOLDING);
    answer_reinvite(c, 488, 40);
    assert_int_equal(c->oa.state, SB_OA_HELD);
    assert_int_equal(c->oa.sdp.dir, SB_DIR_SENDONLY);
    assert_int_equal(c->oa.sdp.version, v1);
    assert_int_equal(c->stats.hold_count, 1);
    sb_heap_run(&ua.heap, c->sc.media_tmr.deadline_ms); /* the waiting resume goes out */
    assert_int_equal(c->oa.state, SB_OA_RESUMING);
    assert_int_equal(c->oa.sdp.dir, SB_DIR_SENDRECV);
    answer_reinvite(c, 200, 1000);
    assert_int_equal(c->oa.state, SB_OA_ACTIVE);
    assert_false(sb__oa_held(c));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dialog_strings_share_one_block),
        cmocka_unit_test_setup_teardown(record_from_the_call, setup, teardown),
        cmocka_unit_test_setup_teardown(hold_through_glare, setup, teardown),
        cmocka_unit_test_setup_teardown(rehold_refused_stays_held, setup, teardown),
    };
    return cmocka_run_group_tests_name("ua_call_parts", tests, NULL, NULL);
}
