/* The JSON report and the NDJSON event lines, built with jansson from engine records. */
#include "app/report.h"

#include "app/hist_json.h"
#include "app/settings.h"

#include <stdio.h>
#include <string.h>

const char *sb_event_type_name(sb_event_type t) {
    switch (t) {
    case SB_EV_SEND:
        return "send";
    case SB_EV_CALL_STARTED:
        return "call_started";
    case SB_EV_CALL_PROGRESS:
        return "call_progress";
    case SB_EV_CALL_ANSWERED:
        return "call_answered";
    case SB_EV_CALL_HOLD:
        return "call_hold";
    case SB_EV_TIMER_NEGOTIATED:
        return "timer_negotiated";
    case SB_EV_TIMER_422:
        return "timer_422";
    case SB_EV_REFRESH_SENT:
        return "refresh_sent";
    case SB_EV_REFRESH_OK:
        return "refresh_ok";
    case SB_EV_REFRESH_FAILED:
        return "refresh_failed";
    case SB_EV_TIMER_EXPIRED:
        return "timer_expired";
    case SB_EV_VIOLATION:
        return "violation";
    case SB_EV_CALL_ENDED:
        return "call_ended";
    case SB_EV_MALFORMED:
        return "malformed";
    case SB_EV_RETRANSMIT:
        return "retransmit";
    case SB_EV_REG_REGISTERED:
        return "reg_registered";
    case SB_EV_REG_REFRESHED:
        return "reg_refreshed";
    case SB_EV_REG_FAILED:
        return "reg_failed";
    case SB_EV_REG_UNREGISTERED:
        return "reg_unregistered";
    }
    return "unknown";
}

uint32_t sb_fail_mask(bool fail_on_violation, bool fail_on_should) {
    uint32_t m = 0;
    for (int v = 0; v < SB_VIO__COUNT; v++) {
        bool should = sb_violation_level((sb_violation)v) == SB_LEVEL_SHOULD;
        if (should ? fail_on_should : fail_on_violation) m |= 1u << v;
    }
    return m;
}

/* Our fault knobs end calls on purpose: the far end tore down the session we stopped
 * refreshing (session_expired, remote), the dialog whose refresh we refused (refresh_failed,
 * remote), or we hung up at our own expiry after refusing its refresh. The checks judge the
 * far end's part in that; the end itself is not its failure. */
static bool fault_explains_end(const sb_call_stats *st) {
    if (!st->fault_injected) return false;
    return st->end_reason == SB_END_SESSION_EXPIRED ||
           (st->end_reason == SB_END_REFRESH_FAILED && st->ended_by_remote);
}

bool sb_call_passed(const sb_call_stats *st, const sb_config *cfg, uint32_t fail_mask) {
    if (st->violations & fail_mask) return false;
    if (st->result == SB_RESULT_ANSWERED &&
        (st->end_reason == SB_END_NORMAL || fault_explains_end(st)))
        return true;
    /* A UAS told to reject did its job when it rejected with the configured code. */
    return st->role == SB_ROLE_UAS && cfg->reject_code != 0 && st->result == SB_RESULT_REJECTED &&
           st->final_status_code == cfg->reject_code;
}

/* Call-IDs and reason phrases come from the far end; jansson refuses invalid UTF-8, and a
 * report with a key missing would be worse than one with a placeholder. */
static json_t *text_json(const char *s) {
    json_t *j = json_string(s);
    return j ? j : json_string("(not UTF-8)");
}

static json_t *violation_list(const sb_call_stats *st) {
    json_t *a = json_array();
    for (int v = 0; v < SB_VIO__COUNT; v++) {
        if (!(st->violations & (1u << v))) continue;
        json_t *o = json_pack("{s:s, s:s, s:s}", "id", sb_violation_rfc_id((sb_violation)v),
                              "level", sb_level_name(sb_violation_level((sb_violation)v)), "detail",
                              sb_violation_text((sb_violation)v));
        if (st->evidence_of == v && st->evidence[0])
            json_object_set_new(o, "evidence", text_json(st->evidence));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *passed_list(const sb_call_stats *st) {
    json_t *a = json_array();
    for (int v = 0; v < SB_VIO__COUNT; v++) {
        if (!(st->checks_passed & (1u << v)) || (st->violations & (1u << v))) continue;
        const char *id = sb_violation_rfc_id((sb_violation)v);
        bool dup = false; /* several checks share an id (UAS-2, UAS-5) */
        for (size_t i = 0; i < json_array_size(a); i++)
            dup |= strcmp(json_string_value(json_array_get(a, i)), id) == 0;
        if (!dup) json_array_append_new(a, json_string(id));
    }
    return a;
}

size_t sb_call_end_note(const sb_call_stats *st, char *out, size_t cap) {
    if (cap) out[0] = '\0';
    if (st->end_reason != SB_END_REMOTE_HANGUP || !st->answer_ms || !cap) return 0;
    uint64_t in_call = st->end_ms >= st->answer_ms ? st->end_ms - st->answer_ms : 0;
    int n = snprintf(out, cap, "far end hung up %.1f s into the call", (double)in_call / 1000);
    if (st->session_timer_negotiated_se_s && n > 0 && (size_t)n < cap)
        n += snprintf(out + n, cap - (size_t)n,
                      ", %.1f s after the last session-timer 2xx (Session-Expires %u s)%s%s",
                      (double)st->session_timer_since_refresh_ms / 1000,
                      st->session_timer_negotiated_se_s, st->drop_timing ? ": matches " : "",
                      st->drop_timing ? sb_drop_timing_name((sb_drop_timing)st->drop_timing) : "");
    if (st->remote_reason_protocol[0] && n > 0 && (size_t)n < cap)
        n += snprintf(out + n, cap - (size_t)n, "; Reason: %s cause %u \"%s\"",
                      st->remote_reason_protocol, st->remote_reason_cause, st->remote_reason_text);
    return n > 0 ? (size_t)n : 0;
}

json_t *sb_report_call(const sb_call_stats *st, uint64_t t0_ms, bool passed) {
    bool answered = st->answer_ms != 0;
    json_t *o = json_object();
    if (!o) return NULL;
    json_object_set_new(o, "call_id", text_json(st->call_id));
    json_object_set_new(o, "role", json_string(sb_role_name(st->role)));
    json_object_set_new(o, "result", json_string(sb_result_name(st->result)));
    json_object_set_new(o, "passed", json_boolean(passed));
    json_object_set_new(o, "final_status_code", json_integer(st->final_status_code));
    json_object_set_new(o, "final_reason_phrase", text_json(st->final_reason_phrase));
    json_object_set_new(
        o, "started_at_ms",
        json_integer(st->start_ms >= t0_ms ? (json_int_t)(st->start_ms - t0_ms) : 0));
    json_object_set_new(o, "setup_time_ms",
                        answered ? json_integer((json_int_t)(st->answer_ms - st->start_ms))
                                 : json_null());
    json_object_set_new(o, "call_duration_ms",
                        json_integer(answered && st->end_ms >= st->answer_ms
                                         ? (json_int_t)(st->end_ms - st->answer_ms)
                                         : 0));
    json_object_set_new(o, "ended_by", json_string(st->ended_by_remote ? "remote" : "local"));
    json_object_set_new(o, "end_reason", json_string(sb_end_reason_name(st->end_reason)));
    char note[256];
    sb_call_end_note(st, note, sizeof note);
    json_object_set_new(o, "end_note", note[0] ? text_json(note) : json_null());
    json_object_set_new(o, "remote_reason_protocol",
                        st->remote_reason_protocol[0] ? text_json(st->remote_reason_protocol)
                                                      : json_null());
    json_object_set_new(o, "remote_reason_cause", json_integer(st->remote_reason_cause));
    json_object_set_new(o, "remote_reason_text", text_json(st->remote_reason_text));
    json_object_set_new(o, "drop_timing",
                        json_string(sb_drop_timing_name((sb_drop_timing)st->drop_timing)));
    json_object_set_new(o, "fault_injected", json_boolean(st->fault_injected));
    json_object_set_new(o, "hold_count", json_integer(st->hold_count));
    json_object_set_new(o, "auth_challenges", json_integer(st->auth_challenges));

    json_object_set_new(o, "session_timer_refreshes", json_integer(st->session_timer_refreshes));
    json_object_set_new(o, "session_timer_mode",
                        json_string(sb_timer_mode_name(st->session_timer_mode)));
    json_object_set_new(o, "session_timer_active", json_boolean(st->session_timer_active));
    json_object_set_new(o, "session_timer_negotiated_se_s",
                        json_integer(st->session_timer_negotiated_se_s));
    json_object_set_new(o, "session_timer_min_se_s", json_integer(st->session_timer_min_se_s));
    json_object_set_new(o, "session_timer_refresher",
                        json_string(sb_side_name((sb_side)st->session_timer_refresher)));
    json_object_set_new(
        o, "session_timer_refresh_method",
        json_string(sb_refresh_via_name((sb_refresh_via)st->session_timer_refresh_method)));
    json_object_set_new(
        o, "session_timer_refresh_method_local",
        json_string(sb_refresh_via_name((sb_refresh_via)st->session_timer_refresh_method_local)));
    json_object_set_new(
        o, "session_timer_refresh_method_remote",
        json_string(sb_refresh_via_name((sb_refresh_via)st->session_timer_refresh_method_remote)));
    json_object_set_new(o, "session_timer_refresh_failures",
                        json_integer(st->session_timer_refresh_failures));
    json_object_set_new(o, "session_timer_refresh_failure_status",
                        st->session_timer_refresh_failure_status < 0
                            ? json_null()
                            : json_integer(st->session_timer_refresh_failure_status));
    json_object_set_new(o, "session_timer_refresh_fallbacks",
                        json_integer(st->session_timer_refresh_fallbacks));
    json_object_set_new(o, "session_timer_refreshes_refused",
                        json_integer(st->session_timer_refreshes_refused));
    json_object_set_new(o, "session_timer_since_refresh_ms",
                        json_integer(st->session_timer_since_refresh_ms));
    json_object_set_new(o, "session_timer_422_count", json_integer(st->session_timer_422_count));
    json_object_set_new(o, "session_timer_refresh_interval_ms_min",
                        json_integer(st->session_timer_refresh_interval_ms_min));
    json_object_set_new(o, "session_timer_refresh_interval_ms_max",
                        json_integer(st->session_timer_refresh_interval_ms_max));
    json_object_set_new(o, "session_timer_refresh_rtt_ms_max",
                        json_integer(st->session_timer_refresh_rtt_ms_max));
    json_object_set_new(o, "session_timer_expired", json_boolean(st->session_timer_expired));
    json_object_set_new(
        o, "session_timer_expiry_action",
        json_string(sb_expiry_action_name((sb_expiry_action)st->session_timer_expiry_action)));
    json_object_set_new(o, "session_timer_soft_expiries",
                        json_integer(st->session_timer_soft_expiries));
    json_object_set_new(o, "session_timer_violations", violation_list(st));
    json_object_set_new(o, "checks_passed", passed_list(st));
    json_object_set_new(o, "icmp_type", json_integer(st->icmp_type));
    json_object_set_new(o, "icmp_code", json_integer(st->icmp_code));
    return o;
}

void sb_summary_init(sb_summary *s) {
    memset(s, 0, sizeof *s);
}

void sb_summary_free(sb_summary *s) {
    memset(s, 0, sizeof *s);
}

/* Index of the first violation sharing v's RFC id: the compliance row it counts in. */
static int row_of(int v) {
    const char *id = sb_violation_rfc_id((sb_violation)v);
    for (int r = 0; r < v; r++)
        if (strcmp(sb_violation_rfc_id((sb_violation)r), id) == 0) return r;
    return v;
}

int sb_summary_add(sb_summary *s, const sb_call_stats *st, bool passed) {
    s->calls_ended++;
    s->passed += passed;
    if ((unsigned)st->result <= SB_RESULT_FAILED) s->by_result[st->result]++;
    if (st->answer_ms != 0) sb_hist_add(&s->setup_ms, st->answer_ms - st->start_ms);
    s->refreshes += st->session_timer_refreshes;
    s->refresh_failures += st->session_timer_refresh_failures;
    s->count_422 += st->session_timer_422_count;

    uint32_t failed_rows = 0, checked_rows = 0;
    for (int v = 0; v < SB_VIO__COUNT; v++) {
        if (st->violations & (1u << v)) {
            s->violations++;
            failed_rows |= 1u << row_of(v);
        }
        if (st->checks_passed & (1u << v)) checked_rows |= 1u << row_of(v);
    }
    for (int r = 0; r < SB_VIO__COUNT; r++) {
        if (failed_rows & (1u << r)) {
            if (s->compliance_failed[r] < SB_FIRST_FAILED)
                memcpy(s->first_failed[r][s->compliance_failed[r]], st->call_id,
                       sizeof st->call_id);
            s->compliance_failed[r]++;
        } else if (checked_rows & (1u << r)) {
            s->compliance_passed[r]++;
        }
    }
    return 0;
}

bool sb_summary_setup(sb_summary *s, sb_setup_pcts *out) {
    const sb_hist *h = &s->setup_ms;
    if (sb_hist_count(h) == 0) return false;
    /* Cannot fail: the histogram is not empty and the percentiles are in range. */
    sb_hist_percentile(h, 50, &out->p50);
    sb_hist_percentile(h, 90, &out->p90);
    sb_hist_percentile(h, 99, &out->p99);
    out->max = sb_hist_max(h);
    return true;
}

size_t sb_summary_compliance(const sb_summary *s, sb_compliance_row *rows, size_t cap) {
    size_t n = 0;
    for (int v = 0; v < SB_VIO__COUNT && n < cap; v++) {
        if (row_of(v) != v) continue;
        rows[n].id = sb_violation_rfc_id((sb_violation)v);
        rows[n].level = sb_violation_level((sb_violation)v);
        rows[n].passed = s->compliance_passed[v];
        rows[n].failed = s->compliance_failed[v];
        for (int k = 0; k < SB_FIRST_FAILED; k++)
            rows[n].first_failed[k] = (uint64_t)k < rows[n].failed ? s->first_failed[v][k] : NULL;
        n++;
    }
    return n;
}

json_t *sb_report_summary(sb_summary *s) {
    json_t *o = json_object();
    json_object_set_new(o, "calls_started", json_integer((json_int_t)s->calls_started));
    json_object_set_new(o, "calls_ended", json_integer((json_int_t)s->calls_ended));
    json_object_set_new(o, "calls_passed", json_integer((json_int_t)s->passed));
    for (int r = SB_RESULT_ANSWERED; r <= SB_RESULT_FAILED; r++)
        json_object_set_new(o, sb_result_name((sb_result)r),
                            json_integer((json_int_t)s->by_result[r]));
    sb_setup_pcts p;
    if (sb_summary_setup(s, &p))
        json_object_set_new(o, "setup_time_ms",
                            json_pack("{s:I, s:I, s:I, s:I}", "p50", (json_int_t)p.p50, "p90",
                                      (json_int_t)p.p90, "p99", (json_int_t)p.p99, "max",
                                      (json_int_t)p.max));
    else
        json_object_set_new(o, "setup_time_ms",
                            json_pack("{s:n, s:n, s:n, s:n}", "p50", "p90", "p99", "max"));
    json_object_set_new(json_object_get(o, "setup_time_ms"), "histogram",
                        sb_hist_json(&s->setup_ms));
    json_object_set_new(o, "session_timer_refreshes", json_integer((json_int_t)s->refreshes));
    json_object_set_new(o, "session_timer_refresh_failures",
                        json_integer((json_int_t)s->refresh_failures));
    json_object_set_new(o, "session_timer_422_count", json_integer((json_int_t)s->count_422));
    json_object_set_new(o, "malformed_messages", json_integer((json_int_t)s->malformed_messages));
    json_object_set_new(o, "invites_answered_422", json_integer((json_int_t)s->invites_422));
    json_object_set_new(o, "invites_answered_503", json_integer((json_int_t)s->invites_503));
    json_object_set_new(o, "resource_failures", json_integer((json_int_t)s->resource_failures));
    json_object_set_new(o, "violations", json_integer((json_int_t)s->violations));
    sb_compliance_row rows[SB_VIO__COUNT];
    size_t n = sb_summary_compliance(s, rows, SB_VIO__COUNT);
    json_t *table = json_object();
    for (size_t i = 0; i < n; i++) {
        json_t *first = json_array();
        for (int k = 0; k < SB_FIRST_FAILED && rows[i].first_failed[k]; k++)
            json_array_append_new(first, text_json(rows[i].first_failed[k]));
        json_object_set_new(table, rows[i].id,
                            json_pack("{s:s, s:I, s:I, s:I, s:o}", "level",
                                      sb_level_name(rows[i].level), "evaluated",
                                      (json_int_t)(rows[i].passed + rows[i].failed), "passed",
                                      (json_int_t)rows[i].passed, "failed",
                                      (json_int_t)rows[i].failed, "first_failed_call_ids", first));
    }
    json_object_set_new(o, "compliance", table);
    json_object_set_new(o, "rules", json_string("docs/rfc4028-rules.md"));
    return o;
}

static json_t *addr_json(const sb_addr *a) {
    char buf[64];
    sb_addr_format(a, buf, sizeof buf, true);
    return json_string(buf);
}

/* One setting's value as the report writes it: numbers as numbers (durations in ms), words and
 * texts as strings, switches as booleans, a secret as "set" or null. */
static json_t *setting_json(const sb_setting *s, const sb_cli *c) {
    char buf[64];
    switch (s->unit) {
    case SB_UNIT_SWITCH:
        return json_boolean(sb_setting_uint(s, c) != 0);
    case SB_UNIT_WORD:
        return json_string(sb_setting_show(s, c, buf, sizeof buf));
    case SB_UNIT_RATE:
        return json_real(c->rate_cps);
    case SB_UNIT_COUNT:
    case SB_UNIT_CODE:
    case SB_UNIT_SECONDS:
    case SB_UNIT_DURATION: {
        uint64_t v = sb_setting_uint(s, c);
        return v == 0 && s->report_null_zero ? json_null() : json_integer((json_int_t)v);
    }
    case SB_UNIT_TEXT: {
        const char *v = sb_setting_text(s, c);
        return v ? text_json(v) : json_null();
    }
    case SB_UNIT_LIST: {
        json_t *a = json_array();
        const sb_strlist *l = sb_setting_list(s, c);
        for (uint32_t i = 0; l && i < l->n; i++)
            json_array_append_new(a, text_json(l->v[i]));
        return a;
    }
    case SB_UNIT_SECRET: /* whether there is one, never what it is */
        return sb_setting_text(s, c) ? json_string("set") : json_null();
    default: /* addresses and paths are not echoed through the table */
        return json_null();
    }
}

json_t *sb_report_config(const sb_cli *c, const sb_addr *local) {
    json_t *o = json_object();
    json_object_set_new(o, "command", json_string(sb_cmd_name(c->cmd)));
    json_object_set_new(o, "local", addr_json(local ? local : &c->cfg.local));
    if (c->cmd == SB_CMD_CALL || c->cmd == SB_CMD_REGISTER) {
        json_object_set_new(o, "uri", json_string(c->uri));
        json_object_set_new(o, "destination", addr_json(&c->dest));
    }
    /* Then every setting of the command with a report key, in table order; "timer.se_s" goes
     * into the object "timer". */
    for (size_t i = 0; i < sb_settings_count; i++) {
        const sb_setting *s = &sb_settings[i];
        if (!s->report || !sb_setting_in(s, c->cmd)) continue;
        const char *dot = strchr(s->report, '.');
        json_t *into = o;
        const char *key = s->report;
        if (dot) {
            char outer[32];
            snprintf(outer, sizeof outer, "%.*s", (int)(dot - s->report), s->report);
            if (!(into = json_object_get(o, outer))) {
                into = json_object();
                json_object_set_new(o, outer, into);
            }
            key = dot + 1;
        }
        json_object_set_new(into, key, setting_json(s, c));
    }
    /* A hold mode without --hold-at holds nothing. */
    if (c->cmd == SB_CMD_CALL && !c->hold_at_ms)
        json_object_set_new(o, "hold_mode", json_string("none"));
    return o;
}

json_t *sb_report_registration(const sb_reg_stats *st) {
    json_t *o = json_object();
    json_object_set_new(o, "aor", json_string(st->aor));
    json_object_set_new(o, "result", json_string(sb_reg_result_name(st->result)));
    json_object_set_new(o, "final_status_code", json_integer(st->final_status_code));
    json_object_set_new(o, "expires_s", json_integer(st->expires_s));
    json_object_set_new(o, "refreshes", json_integer(st->refreshes));
    json_object_set_new(o, "failures", json_integer(st->failures));
    json_object_set_new(o, "auth_challenges", json_integer(st->auth_challenges));
    json_object_set_new(o, "registers_sent", json_integer(st->registers_sent));
    return o;
}

json_t *sb_report_document(json_t *config, json_t *summary, json_t *calls) {
    json_t *o = json_object();
    json_object_set_new(o, "sipbeat", json_string(SB_VERSION));
    json_object_set_new(o, "config", config);
    json_object_set_new(o, "summary", summary);
    if (calls) json_object_set_new(o, "calls", calls);
    return o;
}

json_t *sb_report_event(const sb_event *ev, uint64_t t0_ms, const char *engine) {
    json_t *o = json_object();
    json_object_set_new(o, "t_ms",
                        json_integer(ev->at_ms >= t0_ms ? (json_int_t)(ev->at_ms - t0_ms) : 0));
    json_object_set_new(o, "engine", json_string(engine));
    json_object_set_new(o, "type", json_string(sb_event_type_name(ev->type)));
    json_object_set_new(o, "call", json_integer(ev->call));
    if (ev->stats && ev->stats->call_id[0])
        json_object_set_new(o, "call_id", text_json(ev->stats->call_id));
    json_object_set_new(o, "status", json_integer(ev->status));
    json_object_set_new(o, "value", json_integer((json_int_t)ev->value));
    json_object_set_new(o, "text", ev->text ? text_json(ev->text) : json_null());
    /* A few types carry codes a reader should not have to decode. */
    switch (ev->type) {
    case SB_EV_TIMER_NEGOTIATED:
        json_object_set_new(o, "refresher", json_string(sb_side_name((sb_side)ev->status)));
        break;
    case SB_EV_VIOLATION:
        if (ev->value < SB_VIO__COUNT) {
            sb_violation v = (sb_violation)ev->value;
            json_object_set_new(o, "id", json_string(sb_violation_rfc_id(v)));
            json_object_set_new(o, "level", json_string(sb_level_name(sb_violation_level(v))));
            json_object_set_new(o, "detail", json_string(sb_violation_text(v)));
            if (ev->stats && ev->stats->evidence_of == v && ev->stats->evidence[0])
                json_object_set_new(o, "evidence", text_json(ev->stats->evidence));
        }
        break;
    case SB_EV_CALL_ENDED:
        if (ev->stats) {
            json_object_set_new(o, "result", json_string(sb_result_name(ev->stats->result)));
            json_object_set_new(o, "end_reason",
                                json_string(sb_end_reason_name(ev->stats->end_reason)));
        }
        break;
    case SB_EV_MALFORMED:
        json_object_set_new(o, "from", addr_json(&ev->addr));
        break;
    case SB_EV_RETRANSMIT:
        json_object_set_new(o, "to", addr_json(&ev->addr));
        break;
    case SB_EV_REG_REGISTERED:
    case SB_EV_REG_REFRESHED:
    case SB_EV_REG_FAILED:
    case SB_EV_REG_UNREGISTERED:
        if (ev->reg) json_object_set_new(o, "registration", sb_report_registration(ev->reg));
        break;
    default:
        break;
    }
    return o;
}
