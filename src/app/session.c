/* One run of sipbeat: engines on a loop, the outputs (report, events, trace, timeline, live
 * status) and the tally of ended calls. Shared by `call`, `answer` and `demo`. */
#include "app/session.h"

#include "app/timeline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>
#include <uv.h>

static uint64_t rel(const sb_session *s, uint64_t t_ms) {
    return t_ms >= s->t0_ms ? t_ms - s->t0_ms : 0;
}

/* One call record into the scratch file, one compact JSON object per line. */
static void add_call(sb_session *s, const sb_call_stats *st, bool passed) {
    if (!s->calls_tmp) return;
    json_t *j = sb_report_call(st, s->t0_ms, passed);
    if (s->ncalls++) fputs(",\n", s->calls_tmp);
    json_dumpf(j, s->calls_tmp, JSON_COMPACT);
    json_decref(j);
}

static void on_event(void *ctx, int ep, const sb_event *ev) {
    sb_session *s = ctx;
    sb_party *p = &s->party[ep];
    if (s->events) {
        json_t *j = sb_report_event(ev, s->t0_ms, p->name);
        json_dumpf(j, s->events, JSON_COMPACT);
        fputc('\n', s->events);
        json_decref(j);
    }
    if (s->timeline) sb_timeline_event(s->timeline, rel(s, ev->at_ms), p->name, ev);
    if (ev->type == SB_EV_REG_REGISTERED) s->regs_settled++;
    if ((ev->type == SB_EV_REG_FAILED || ev->type == SB_EV_REG_UNREGISTERED) && ev->reg) {
        s->last_reg = *ev->reg;
        s->regs_ended++;
        s->regs_clean += ev->type == SB_EV_REG_UNREGISTERED;
        s->regs_auth_failed += ev->reg->result == SB_REG_AUTH_FAILED;
        if (ev->reg->expires_s == 0) s->regs_settled++; /* ended before it was ever bound */
        if (s->registrations)
            json_array_append_new(s->registrations, sb_report_registration(ev->reg));
    }
    if (ev->type == SB_EV_CALL_ANSWERED)
        s->answered++;
    else if (ev->type == SB_EV_REFRESH_OK)
        s->refreshes++;
    if (ev->type != SB_EV_CALL_ENDED || !ev->stats) return;

    const sb_call_stats *st = ev->stats;
    if (st->ended_by_remote) s->last_remote_end_ms = ev->at_ms;
    bool passed = s->judge ? s->judge(s, ep, st) : sb_call_passed(st, &p->cfg, s->fail_mask);
    if (st->end_reason == SB_END_REMOTE_HANGUP && s->remote_hangups++ == 0) {
        size_t n = sb_call_end_note(st, s->first_drop_note, sizeof s->first_drop_note);
        snprintf(s->first_drop_note + n, sizeof s->first_drop_note - n, " (Call-ID %s)",
                 st->call_id);
    }
    p->ended++;
    s->failed += !passed;
    sb_summary_add(&s->sum, st, passed);
    add_call(s, st, passed);
    if (s->on_ended) s->on_ended(s, ep, st, passed);
}

static void on_datagram(void *ctx, int ep, bool sent, const sb_addr *peer, const uint8_t *data,
                        size_t len, uint64_t now_ms) {
    sb_session *s = ctx;
    if (s->trace) {
        char a[64], b[64];
        sb_addr_format(peer, a, sizeof a, true);
        sb_addr_format(&s->party[ep].cfg.local, b, sizeof b, true);
        uint64_t t = rel(s, now_ms);
        fprintf(s->trace, "----- %llu.%03llu s %s %s %s (%s %s, %zu bytes)\n%.*s\n",
                (unsigned long long)(t / 1000), (unsigned long long)(t % 1000),
                sent ? "SENT" : "RECEIVED", sent ? "to" : "from", a, s->party[ep].name, b, len,
                (int)len, (const char *)data);
    }
    /* The ladder names both ends; a datagram between two of our engines appears once, when
     * it is sent. */
    if (s->timeline && s->ladder && sent) {
        int to = sb_loop_find(s->loop, peer);
        char a[64];
        sb_addr_format(peer, a, sizeof a, true);
        sb_timeline_message(s->timeline, rel(s, now_ms), s->party[ep].name,
                            to >= 0 ? s->party[to].name : a, data, len);
    }
}

static uint64_t live_status(sb_session *s, uint64_t now_ms) {
    if (now_ms < s->next_status_ms) return s->next_status_ms;
    uint64_t started = s->start_failures;
    for (int i = 0; i < s->nparty; i++) {
        sb_engine_stats st;
        sb_engine_get_stats(s->party[i].engine, &st);
        started += st.calls_started;
    }
    double secs = s->status_ms ? (double)(now_ms - s->status_ms) / 1000.0 : 0;
    double cps = secs > 0 ? (double)(started - s->status_started) / secs : 0;
    fprintf(stderr,
            "\r\033[K%llu started  %llu answered  %llu failed  %llu live  %.1f cps  "
            "%llu refreshes",
            (unsigned long long)started, (unsigned long long)s->answered,
            (unsigned long long)s->failed, (unsigned long long)sb_loop_live_calls(s->loop), cps,
            (unsigned long long)s->refreshes);
    fflush(stderr);
    s->status_started = started;
    s->status_ms = now_ms;
    s->next_status_ms = now_ms + 1000;
    return s->next_status_ms;
}

static uint64_t on_pass(void *ctx, uint64_t now_ms) {
    sb_session *s = ctx;
    uint64_t next = s->on_pass ? s->on_pass(s, now_ms) : SB_NEVER;
    if (s->status_line) {
        uint64_t st = live_status(s, now_ms);
        if (st < next) next = st;
    }
    return next;
}

static void on_pass_done(void *ctx) {
    sb_session *s = ctx;
    if (s->events) fflush(s->events);
    if (s->trace) fflush(s->trace);
}

static FILE *open_out(const char *flag, const char *path, FILE *dash) {
    if (!path) return NULL;
    if (strcmp(path, "-") == 0) return dash;
    FILE *f = fopen(path, "w");
    if (!f) fprintf(stderr, "sipbeat: %s %s: %s\n", flag, path, strerror(errno));
    return f;
}

int sb_session_init(sb_session *s, const sb_cli *cli) {
    memset(s, 0, sizeof *s);
    s->cli = cli;
    s->fail_mask = sb_fail_mask(cli->fail_on_violation, cli->fail_on_should);
    sb_summary_init(&s->sum);

    /* Whatever owns stdout for "-" pushes the human-readable summary to stderr. */
    bool dash = (cli->report_path && !strcmp(cli->report_path, "-")) ||
                (cli->events_path && !strcmp(cli->events_path, "-")) ||
                (cli->trace_path && !strcmp(cli->trace_path, "-"));
    s->summary_out = cli->quiet ? NULL : dash ? stderr : stdout;
    s->timeline = cli->verbose ? stderr : NULL;
    s->status_line = !cli->quiet && !cli->verbose && isatty(2);

    /* Files are opened before any call so that a typo in a path costs nothing. */
    if ((cli->report_path && !(s->report = open_out("--report", cli->report_path, stdout))) ||
        (cli->events_path && !(s->events = open_out("--events", cli->events_path, stdout))) ||
        (cli->trace_path && !(s->trace = open_out("--trace", cli->trace_path, stdout))))
        return SB_EXIT_RUNTIME;
    if (s->report && !(s->calls_tmp = tmpfile())) {
        fprintf(stderr, "sipbeat: --report: no scratch file for call records: %s\n",
                strerror(errno));
        return SB_EXIT_RUNTIME;
    }

    sb_loop_hooks h = {.ctx = s,
                       .on_event = on_event,
                       .on_datagram = on_datagram,
                       .on_pass = on_pass,
                       .on_pass_done = on_pass_done};
    int rc = sb_loop_new(&s->loop, &h);
    if (rc < 0) {
        fprintf(stderr, "sipbeat: cannot start the event loop: %s\n", uv_strerror(rc));
        return SB_EXIT_RUNTIME;
    }
    s->t0_ms = sb_loop_now(s->loop);
    if (cli->cmd == SB_CMD_REGISTER || cli->register_first) s->registrations = json_array();
    return 0;
}

/* Tags, branches and Call-IDs come from the engine's seed: two runs against the same PBX must
 * not reuse them, so each engine gets fresh OS randomness. */
static uint64_t fresh_seed(void) {
    uint64_t seed = 0;
    if (getrandom(&seed, sizeof seed, 0) != (ssize_t)sizeof seed)
        seed = uv_hrtime() ^ ((uint64_t)getpid() << 32);
    return seed;
}

int sb_session_add_engine(sb_session *s, const char *name, sb_config *cfg) {
    char err[160];
    if (s->nparty >= SB_SESSION_MAX_ENGINES) {
        fprintf(stderr, "sipbeat: too many engines\n");
        return -SB_EXIT_RUNTIME;
    }
    int ep = sb_loop_bind(s->loop, &cfg->local, &cfg->local, err, sizeof err);
    if (ep < 0) {
        fprintf(stderr, "%s\n", err);
        return -SB_EXIT_RUNTIME;
    }
    cfg->seed = fresh_seed();
    sb_party *p = &s->party[ep];
    p->name = name;
    p->cfg = *cfg;
    p->engine = sb_engine_new(&p->cfg, sb_loop_now(s->loop));
    if (!p->engine) {
        sb_config_error ce;
        if (sb_config_check(&p->cfg, &ce) != 0)
            fprintf(stderr, "sipbeat: cannot create the %s engine: %s: %s\n", name, ce.field,
                    ce.why);
        else
            fprintf(stderr, "sipbeat: cannot create the %s engine: out of memory\n", name);
        return -SB_EXIT_RUNTIME;
    }
    s->nparty = ep + 1;
    sb_loop_attach(s->loop, ep, p->engine);
    return ep;
}

uint64_t sb_session_linger_until(const sb_session *s) {
    if (!s->last_remote_end_ms) return 0;
    uint32_t t1 = 500;
    for (int i = 0; i < s->nparty; i++)
        if (s->party[i].cfg.t1_ms > t1) t1 = s->party[i].cfg.t1_ms;
    return s->last_remote_end_ms + 4ull * t1;
}

void sb_session_run(sb_session *s) {
    sb_loop_run(s->loop);
    if (s->status_line) fputs("\r\033[K", stderr);
}

void sb_session_start_failed(sb_session *s, int ep, int err, uint64_t now_ms) {
    sb_call_stats st;
    memset(&st, 0, sizeof st);
    st.role = SB_ROLE_UAC;
    st.result = SB_RESULT_FAILED;
    st.end_reason = err == SB_ELIMIT ? SB_END_ENGINE_LIMIT : SB_END_NONE;
    snprintf(st.final_reason_phrase, sizeof st.final_reason_phrase, "not started: %s",
             sb_strerror(err));
    st.start_ms = st.end_ms = now_ms;
    s->start_failures++;
    s->failed++;
    s->party[ep].ended++;
    sb_summary_add(&s->sum, &st, false);
    add_call(s, &st, false);
    if (s->on_ended) s->on_ended(s, ep, &st, false);
}

/* register: one line for its registration, or the counts of many (--accounts, --register). */
static void print_reg_summary(sb_session *s, FILE *f) {
    const sb_reg_stats *r = &s->last_reg;
    if (s->cli->accounts_path || s->cli->register_first) {
        uint64_t failed = s->regs_ended - s->regs_clean + s->regs_start_failures;
        fprintf(f, "\nregistrations: %llu unregistered cleanly, %llu failed (%u auth_failed)\n",
                (unsigned long long)s->regs_clean, (unsigned long long)failed, s->regs_auth_failed);
        return;
    }
    if (!s->regs_ended) {
        fprintf(f, "\nregistration %s: still live when the run stopped\n", s->cli->uri);
        return;
    }
    fprintf(f,
            "\nregistration %s: %s (last status %u), expires %u s, %u refreshes, %u failures, "
            "%u auth challenges\n",
            r->aor, sb_reg_result_name(r->result), r->final_status_code, r->expires_s, r->refreshes,
            r->failures, r->auth_challenges);
}

static void print_summary(sb_session *s, FILE *f, uint64_t not_passed) {
    if (s->cli->cmd == SB_CMD_REGISTER) {
        print_reg_summary(s, f);
        return;
    }
    if (s->cli->register_first) print_reg_summary(s, f);
    sb_summary *u = &s->sum;
    fprintf(f,
            "\n%llu calls started, %llu ended: %llu answered, %llu rejected, %llu timeout, "
            "%llu cancelled, %llu failed\n",
            (unsigned long long)u->calls_started, (unsigned long long)u->calls_ended,
            (unsigned long long)u->by_result[SB_RESULT_ANSWERED],
            (unsigned long long)u->by_result[SB_RESULT_REJECTED],
            (unsigned long long)u->by_result[SB_RESULT_TIMEOUT],
            (unsigned long long)u->by_result[SB_RESULT_CANCELLED],
            (unsigned long long)u->by_result[SB_RESULT_FAILED]);
    sb_setup_pcts p;
    if (sb_summary_setup(u, &p))
        fprintf(f, "setup time ms: p50 %llu  p90 %llu  p99 %llu  max %llu\n",
                (unsigned long long)p.p50, (unsigned long long)p.p90, (unsigned long long)p.p99,
                (unsigned long long)p.max);
    fprintf(f, "session timers: %llu refreshes, %llu refresh failures, %llu x 422\n",
            (unsigned long long)u->refreshes, (unsigned long long)u->refresh_failures,
            (unsigned long long)u->count_422);
    if (u->resource_failures)
        fprintf(f, "calls ended for lack of memory (engine_limit): %llu\n",
                (unsigned long long)u->resource_failures);
    if (u->invites_422 || u->invites_503)
        fprintf(f, "INVITEs answered before a call existed: %llu x 422, %llu x 503\n",
                (unsigned long long)u->invites_422, (unsigned long long)u->invites_503);
    if (u->malformed_messages)
        fprintf(f, "malformed messages received: %llu\n",
                (unsigned long long)u->malformed_messages);
    sb_loop_stats ls;
    sb_loop_get_stats(s->loop, &ls);
    if (ls.send_errors)
        fprintf(f, "datagrams the OS refused to send: %llu (last: %s)\n",
                (unsigned long long)ls.send_errors, uv_strerror(ls.last_send_error));

    if (s->remote_hangups)
        fprintf(f, "calls the far end hung up early (remote_hangup): %llu; first: %s\n",
                (unsigned long long)s->remote_hangups, s->first_drop_note);

    sb_compliance_row rows[SB_VIO__COUNT];
    size_t n = sb_summary_compliance(u, rows, SB_VIO__COUNT);
    bool any = false;
    for (size_t i = 0; i < n; i++)
        any |= rows[i].passed || rows[i].failed;
    if (any) {
        fprintf(f,
                "Far-end compliance, per call (rules: docs/rfc4028-rules.md):\n"
                "  %-9s %-6s %9s %8s %8s  %s\n",
                "check", "level", "evaluated", "passed", "failed", "first failing Call-IDs");
        for (size_t i = 0; i < n; i++) {
            if (!rows[i].passed && !rows[i].failed) continue;
            fprintf(f, "  %-9s %-6s %9llu %8llu %8llu ", rows[i].id, sb_level_name(rows[i].level),
                    (unsigned long long)(rows[i].passed + rows[i].failed),
                    (unsigned long long)rows[i].passed, (unsigned long long)rows[i].failed);
            for (int k = 0; k < SB_FIRST_FAILED && rows[i].first_failed[k]; k++)
                fprintf(f, " %s", rows[i].first_failed[k]);
            fputc('\n', f);
        }
        if (!s->cli->fail_on_should)
            fprintf(f, "  SHOULD-level failures are reported, not failed (--fail-on should)\n");
    } else {
        fprintf(f, "RFC 4028 compliance of the far end: nothing checked (no session timer)\n");
    }
    fprintf(f, "%llu of %llu calls passed\n", (unsigned long long)(u->calls_ended - not_passed),
            (unsigned long long)u->calls_ended);
}

/* Calls still up when the run stops (a second signal, or the shutdown grace ran out) get a
 * record too: every call that started appears in the report with how it ended. */
static void report_live_calls(sb_session *s) {
    uint64_t now = sb_loop_now(s->loop);
    for (int i = 0; i < s->nparty; i++) {
        sb_engine *e = s->party[i].engine;
        size_t n = sb_engine_live_calls(e, NULL, 0);
        if (!n) continue;
        uint32_t *h = calloc(n, sizeof *h);
        if (!h) continue;
        n = sb_engine_live_calls(e, h, n);
        for (size_t k = 0; k < n; k++) {
            const sb_call_stats *live = sb_engine_call_stats(e, h[k]);
            if (!live) continue;
            sb_call_stats st = *live;
            if (st.result == SB_RESULT_NONE) st.result = SB_RESULT_FAILED;
            st.end_reason = SB_END_SHUTDOWN;
            st.end_ms = now;
            s->party[i].ended++;
            s->failed++;
            sb_summary_add(&s->sum, &st, false);
            add_call(s, &st, false);
        }
        free(h);
    }
}

/* {"sipbeat", "config", "summary", "calls": [records...]}: the head is built with jansson,
 * the records are copied from the scratch file. */
static int write_report(sb_session *s, json_t *config) {
    json_t *head = sb_report_document(json_incref(config), sb_report_summary(&s->sum), NULL);
    if (s->registrations) json_object_set_new(head, "registrations", json_incref(s->registrations));
    char *text = json_dumps(head, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(head);
    if (!text) return -1;
    size_t n = strlen(text);
    /* text ends with "\n}": reopen the object to append the calls array */
    while (n && text[n - 1] != '}')
        n--;
    if (n) n--;
    fwrite(text, 1, n, s->report);
    free(text);
    fputs(",\n  \"calls\": [\n", s->report);
    if (s->calls_tmp) {
        char buf[65536];
        size_t got;
        rewind(s->calls_tmp);
        while ((got = fread(buf, 1, sizeof buf, s->calls_tmp)) > 0)
            fwrite(buf, 1, got, s->report);
    }
    fputs("\n  ]\n}\n", s->report);
    return fflush(s->report) == 0 && !ferror(s->report) ? 0 : -1;
}

uint64_t sb_session_finish(sb_session *s, json_t *config) {
    report_live_calls(s);
    for (int i = 0; i < s->nparty; i++) {
        sb_engine_stats st;
        sb_engine_get_stats(s->party[i].engine, &st);
        s->sum.calls_started += st.calls_started;
        s->sum.malformed_messages += st.malformed_messages;
        s->sum.invites_422 += st.invites_422;
        s->sum.invites_503 += st.invites_503;
        s->sum.resource_failures += st.resource_failures;
    }
    s->sum.calls_started += s->start_failures;
    uint64_t not_passed = s->sum.calls_ended - s->sum.passed;

    if (s->report && write_report(s, config) != 0)
        fprintf(stderr, "sipbeat: --report %s: %s\n", s->cli->report_path, strerror(errno));
    json_decref(config);
    if (s->summary_out) print_summary(s, s->summary_out, not_passed);
    return not_passed;
}

static void close_out(FILE *f) {
    if (f && f != stdout && f != stderr)
        fclose(f);
    else if (f)
        fflush(f);
}

void sb_session_free(sb_session *s) {
    sb_loop_free(s->loop); /* first: closing sockets must not race the engines' memory */
    for (int i = 0; i < s->nparty; i++)
        sb_engine_free(s->party[i].engine);
    close_out(s->report);
    close_out(s->events);
    close_out(s->trace);
    if (s->calls_tmp) fclose(s->calls_tmp);
    json_decref(s->registrations);
    sb_summary_free(&s->sum);
}
