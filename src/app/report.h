/* The JSON report and the NDJSON event lines, built with jansson from engine records. Pure:
 * nothing here opens a file or reads a clock, so tests feed it hand-made sb_call_stats. */
#ifndef SB_APP_REPORT_H
#define SB_APP_REPORT_H

#include "app/cli.h"
#include "base/hist.h"
#include "sipbeat/engine.h"

#include <jansson.h>
#include <stddef.h>

/* Report names of engine enums (the values documented in docs/report.md); the record's own
 * enums are named in engine.h (sb_result_name, sb_side_name, ...). */
const char *sb_event_type_name(sb_event_type t); /* "call_answered", ... */
/* One line on how a remote_hangup call ended: time into the call, against the session timer,
 * and the far end's Reason. Empty for other ends. Returns the length. */
size_t sb_call_end_note(const sb_call_stats *st, char *out,
                        size_t cap); /* "none" "after_refresh" "session_expires" ... */

/* The violations that fail a call: MUST-level ones when fail_on_violation, SHOULD-level ones
 * too with fail_on_should (--fail-on should). */
uint32_t sb_fail_mask(bool fail_on_violation, bool fail_on_should);

/* A call's verdict for the exit code. It passes when no violation in fail_mask was seen and
 * either it was answered and ended normally, or a fault we injected explains its end (the far
 * end tore down the session we stopped refreshing, or the dialog whose refresh we refused);
 * or, as UAS with --reject, it was rejected with that code. A far-end hangup before the call
 * was due to end (remote_hangup) never passes. */
bool sb_call_passed(const sb_call_stats *st, const sb_config *cfg, uint32_t fail_mask);

/* One flat record per call. t0_ms is the run's start on the engine clock; it gives the record
 * a started_at_ms relative to the run. Returns a new reference (NULL on ENOMEM). */
json_t *sb_report_call(const sb_call_stats *st, uint64_t t0_ms, bool passed);

/* One registration's record (the report's `registrations` array, the reg_* events). */
json_t *sb_report_registration(const sb_reg_stats *st);

/* How many failing Call-IDs the compliance table names per check. */
#define SB_FIRST_FAILED 3

/* Totals over the ended calls, in fixed memory at any call count: setup times go to a
 * histogram (base/hist.h), which sb_hist_merge can add to another run's. */
typedef struct {
    uint64_t calls_started, calls_ended, passed;
    uint64_t by_result[SB_RESULT_FAILED + 1];
    sb_hist setup_ms; /* of the answered calls */
    uint64_t refreshes, refresh_failures, count_422, violations, malformed_messages;
    uint64_t invites_422, invites_503; /* INVITEs we turned away before a call existed */
    uint64_t resource_failures;        /* calls ended for lack of memory (engine stats) */
    uint64_t compliance_passed[SB_VIO__COUNT], compliance_failed[SB_VIO__COUNT];
    char first_failed[SB_VIO__COUNT][SB_FIRST_FAILED][sizeof(((sb_call_stats *)0)->call_id)];
} sb_summary;

void sb_summary_init(sb_summary *s);
void sb_summary_free(sb_summary *s);
/* Adds one ended call. Returns 0: fixed memory, it cannot fail. */
int sb_summary_add(sb_summary *s, const sb_call_stats *st, bool passed);

/* Setup-time nearest-rank percentiles of the calls added so far, from the histogram: exact
 * below 1024 ms, above that never below the true percentile and less than 1 % over it; max
 * is exact. False when no call was answered. */
typedef struct {
    uint64_t p50, p90, p99, max;
} sb_setup_pcts;
bool sb_summary_setup(sb_summary *s, sb_setup_pcts *out);

/* The compliance table: one row per distinct RFC 4028 check id ("EXP-1", "UAS-2", ...) in
 * SB_VIOLATION_MAP order. A call counts once per id: failed if any check with that id found a
 * violation, passed if one was checked and none failed. Returns the number of rows. */
typedef struct {
    const char *id;
    sb_level level;
    uint64_t passed, failed;                   /* evaluated = passed + failed */
    const char *first_failed[SB_FIRST_FAILED]; /* Call-IDs, NULL past the last */
} sb_compliance_row;
size_t sb_summary_compliance(const sb_summary *s, sb_compliance_row *rows, size_t cap);

json_t *sb_report_summary(sb_summary *s);

/* Echo of every setting of a call/answer run. local is the bound address (real port). */
json_t *sb_report_config(const sb_cli *cli, const sb_addr *local);

/* {"sipbeat": version, "config": config, "summary": summary, "calls": calls}; steals the
 * three references. */
/* The report object; calls may be NULL when the caller streams the array itself. */
json_t *sb_report_document(json_t *config, json_t *summary, json_t *calls);

/* One NDJSON object for an engine event (never SB_EV_SEND). engine names the engine in a
 * multi-engine run ("uac", "uas" or a demo name). */
json_t *sb_report_event(const sb_event *ev, uint64_t t0_ms, const char *engine);

#endif
