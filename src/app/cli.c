/* Command line: argv -> sb_cli (engine config plus what the app does around it). */
#include "app/cli.h"

#include "app/duration.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Which commands accept a flag. */
enum { C_ANSWER = 1, C_CALL = 2, C_DEMO = 4, C_RUN = C_ANSWER | C_CALL, C_ALL = 7 };

typedef enum {
    O_HELP,
    O_REPORT,
    O_EVENTS,
    O_TRACE,
    O_QUIET,
    O_VERBOSE,
    O_NO_FAIL_VIOLATION,
    O_FAIL_ON,
    O_MIN_DURATION,
    O_LISTEN,
    O_RING_TIME,
    O_REJECT,
    O_MAX_CALLS,
    O_MAX_CONCURRENT,
    O_CALLS,
    O_RATE,
    O_LIMIT,
    O_DURATION,
    O_LOCAL,
    O_HOLD_AT,
    O_HOLD_MODE,
    O_RESUME_AT,
    O_TIMER,
    O_TIMER_SE,
    O_TIMER_MIN_SE,
    O_TIMER_REFRESHER,
    O_TIMER_METHOD,
    O_TIMER_SOFT_EXPIRY,
    O_TIMER_MAX_422,
    O_TIMER_UNCHECKED,
    O_TIMER_SKIP_REFRESH,
    O_TIMER_ANSWER_REFRESH,
} opt_id;

typedef struct {
    const char *name;  /* long form */
    const char *alias; /* short form or NULL */
    bool has_value;
    unsigned cmds;
    opt_id id;
} flag_def;

static const flag_def flags[] = {
    {"--help", "-h", false, C_ALL, O_HELP},
    {"--report", NULL, true, C_ALL, O_REPORT},
    {"--events", NULL, true, C_ALL, O_EVENTS},
    {"--trace", NULL, true, C_ALL, O_TRACE},
    {"--quiet", "-q", false, C_ALL, O_QUIET},
    {"--verbose", "-v", false, C_RUN, O_VERBOSE},
    {"--no-fail-on-violation", NULL, false, C_RUN, O_NO_FAIL_VIOLATION},
    {"--fail-on", NULL, true, C_RUN, O_FAIL_ON},
    {"--min-duration", NULL, true, C_RUN, O_MIN_DURATION},
    {"--listen", NULL, true, C_ANSWER, O_LISTEN},
    {"--ring-time", NULL, true, C_ANSWER, O_RING_TIME},
    {"--reject", NULL, true, C_ANSWER, O_REJECT},
    {"--max-calls", NULL, true, C_ANSWER, O_MAX_CALLS},
    {"--max-concurrent", NULL, true, C_ANSWER, O_MAX_CONCURRENT},
    {"--calls", "-m", true, C_CALL, O_CALLS},
    {"--rate", "-r", true, C_CALL, O_RATE},
    {"--limit", "-l", true, C_CALL, O_LIMIT},
    {"--duration", "-d", true, C_RUN, O_DURATION},
    {"--local", NULL, true, C_CALL, O_LOCAL},
    {"--hold-at", NULL, true, C_CALL, O_HOLD_AT},
    {"--hold-mode", NULL, true, C_CALL, O_HOLD_MODE},
    {"--resume-at", NULL, true, C_CALL, O_RESUME_AT},
    {"--timer", NULL, true, C_RUN, O_TIMER},
    {"--timer-se", NULL, true, C_RUN, O_TIMER_SE},
    {"--timer-min-se", NULL, true, C_RUN, O_TIMER_MIN_SE},
    {"--timer-refresher", NULL, true, C_RUN, O_TIMER_REFRESHER},
    {"--timer-method", NULL, true, C_RUN, O_TIMER_METHOD},
    {"--timer-soft-expiry", NULL, false, C_RUN, O_TIMER_SOFT_EXPIRY},
    {"--timer-max-422", NULL, true, C_RUN, O_TIMER_MAX_422},
    {"--timer-unchecked", NULL, false, C_RUN, O_TIMER_UNCHECKED},
    {"--timer-skip-refresh", NULL, true, C_RUN, O_TIMER_SKIP_REFRESH},
    {"--timer-answer-refresh", NULL, true, C_RUN, O_TIMER_ANSWER_REFRESH},
};

/* RFC 4028 bounds for Session-Expires and Min-SE. 90 is the RFC's floor; 7200 is the upper
 * end of the range the product page documents. --timer-unchecked lifts both. */
#define SE_FLOOR_S 90u
#define SE_CEIL_S 7200u
/* Every engine duration is a uint32_t of milliseconds; 1000 h stays well inside it. */
#define DUR_MAX_MS (1000ull * 3600 * 1000)

static const char dur_allowed[] = "a whole number with unit ms, s, m or h, e.g. 500ms, 10s, 2m, 1h";

typedef struct {
    char *err;
    size_t cap;
} errbuf;

static int fail(errbuf *e, const char *fmt, ...) {
    va_list ap;
    int n = snprintf(e->err, e->cap, "sipbeat: ");
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < e->cap) vsnprintf(e->err + n, e->cap - (size_t)n, fmt, ap);
    va_end(ap);
    return SB_EXIT_USAGE;
}

/* Strict unsigned decimal: digits only, no sign, no spaces, no overflow. */
static bool parse_u64(const char *s, uint64_t *out) {
    uint64_t v = 0;
    if (*s == '\0') return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10) return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return true;
}

static int int_in(errbuf *e, const char *flag, const char *val, uint64_t lo, uint64_t hi,
                  const char *what, uint64_t *out) {
    if (!parse_u64(val, out) || *out < lo || *out > hi)
        return fail(e, "%s %s: not allowed (allowed: %s)", flag, val, what);
    return 0;
}

static int duration_in(errbuf *e, const char *flag, const char *val, uint64_t lo_ms,
                       uint32_t *out) {
    uint64_t ms = 0;
    sb_dur_status st = sb_duration_parse(val, &ms);
    if (st == SB_DUR_NO_UNIT)
        return fail(e, "%s %s: a duration needs a unit (allowed: %s)", flag, val, dur_allowed);
    if (st != SB_DUR_OK)
        return fail(e, "%s %s: not a duration (allowed: %s)", flag, val, dur_allowed);
    if (ms < lo_ms || ms > DUR_MAX_MS)
        return fail(e, "%s %s: out of range (allowed: %s..1000h)", flag, val,
                    lo_ms == 0 ? "0ms" : "1ms");
    *out = (uint32_t)ms;
    return 0;
}

/* Index of the word in a NULL-terminated list, or -1. */
static int pick(const char *val, const char *const *words) {
    for (int i = 0; words[i]; i++)
        if (strcmp(val, words[i]) == 0) return i;
    return -1;
}

static const char *const timer_words[] = {"off", "supported", "required", "always", NULL};
static const char *const method_words[] = {"invite", "update", "auto", NULL};
static const char *const refresher_words[] = {"none", "uac", "uas", NULL};  /* sb_refresher */
static const char *const hold_words[] = {"", "sendonly", "inactive", NULL}; /* sb_hold_mode */
static const char *const fail_on_words[] = {"must", "should", "none", NULL};

const char *sb_timer_mode_name(sb_timer_mode m) {
    return (unsigned)m < 4 ? timer_words[m] : "?";
}
const char *sb_refresh_method_name(sb_refresh_method m) {
    return (unsigned)m < 3 ? method_words[m] : "?";
}
const char *sb_refresher_pref_name(sb_refresher r) {
    return (unsigned)r < 3 ? refresher_words[r] : "?";
}
const char *sb_hold_mode_name(sb_hold_mode m) {
    return m == SB_HOLD_SENDONLY ? "sendonly" : m == SB_HOLD_INACTIVE ? "inactive" : "none";
}

const char *sb_cmd_name(sb_cmd c) {
    switch (c) {
    case SB_CMD_ANSWER:
        return "answer";
    case SB_CMD_CALL:
        return "call";
    case SB_CMD_DEMO:
        return "demo";
    case SB_CMD_PARSE:
        return "parse";
    case SB_CMD_HELP:
        return "help";
    case SB_CMD_VERSION:
        return "version";
    default:
        return "";
    }
}

static sb_cmd cmd_lookup(const char *s) {
    if (strcmp(s, "answer") == 0) return SB_CMD_ANSWER;
    if (strcmp(s, "call") == 0) return SB_CMD_CALL;
    if (strcmp(s, "demo") == 0) return SB_CMD_DEMO;
    return SB_CMD_NONE;
}

static unsigned cmd_bit(sb_cmd c) {
    return c == SB_CMD_ANSWER ? C_ANSWER : c == SB_CMD_CALL ? C_CALL : C_DEMO;
}

static const flag_def *flag_lookup(const char *name, size_t len) {
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        const flag_def *f = &flags[i];
        if ((strlen(f->name) == len && memcmp(f->name, name, len) == 0) ||
            (f->alias && strlen(f->alias) == len && memcmp(f->alias, name, len) == 0))
            return f;
    }
    return NULL;
}

/* The URI's host must be an IP literal: sipbeat never resolves names, so a test never
 * depends on DNS and never reaches a host the user did not spell out. */
static int parse_uri(errbuf *e, const char *uri, sb_addr *dest) {
    if (strncmp(uri, "sip:", 4) != 0)
        return fail(e,
                    "URI %s: not allowed (allowed: a sip: URI with an IP address, e.g. "
                    "sip:service@127.0.0.1:5060)",
                    uri);
    sb_slice host;
    uint16_t port = 0;
    if (sb_uri_hostport((sb_slice){uri, strlen(uri)}, &host, &port) != 0 || host.n == 0 ||
        sb_addr_parse(dest, host.p, host.n, 5060) != 0)
        return fail(e,
                    "URI %s: the host must be an IP address, no DNS (allowed: e.g. "
                    "sip:service@127.0.0.1:5060 or sip:service@[::1])",
                    uri);
    if (port != 0) dest->port = port;
    return 0;
}

static int parse_addr(errbuf *e, const char *flag, const char *val, uint16_t default_port,
                      sb_addr *out) {
    if (sb_addr_parse(out, val, strlen(val), default_port) != 0)
        return fail(e,
                    "%s %s: not an address (allowed: IP[:PORT], e.g. 127.0.0.1:5060 or "
                    "[::1]:5060; no host names)",
                    flag, val);
    return 0;
}

/* Validation that needs every flag: timer ranges depend on --timer-unchecked, hold times on
 * -d, and so on. */
typedef struct {
    const char *se_flag, *se_val; /* as typed, for messages */
    const char *min_se_val;
    const char *timer_flag_seen; /* first --timer-* flag other than --timer */
    const char *timer_flag_val;
    const char *hold_at_val, *resume_at_val, *duration_val, *hold_mode_val;
    bool local_given;
    uint64_t se, min_se;
    bool se_given;
} seen;

static int check_timer(errbuf *e, sb_cli *c, const seen *s) {
    sb_timer_config *t = &c->cfg.timer;
    if (t->mode == SB_TIMER_OFF) {
        if (s->timer_flag_seen)
            return fail(e,
                        "%s%s%s: has no effect with --timer off (allowed with --timer "
                        "supported, required or always)",
                        s->timer_flag_seen, s->timer_flag_val ? " " : "",
                        s->timer_flag_val ? s->timer_flag_val : "");
        return 0;
    }
    const char *mode = sb_timer_mode_name(t->mode);
    if (!s->se_given)
        return fail(e, "--timer-se is required when --timer is %s (allowed: %u..%u seconds)", mode,
                    SE_FLOOR_S, SE_CEIL_S);
    uint64_t lo = t->unchecked ? 1 : SE_FLOOR_S, hi = t->unchecked ? UINT32_MAX : SE_CEIL_S;
    if (s->se < lo || s->se > hi)
        return fail(e,
                    "--timer-se %s: out of range (allowed: %u..%u seconds, or 1..%u with "
                    "--timer-unchecked)",
                    s->se_val, SE_FLOOR_S, SE_CEIL_S, UINT32_MAX);
    if (s->min_se_val && (s->min_se < lo || s->min_se > hi))
        return fail(e,
                    "--timer-min-se %s: out of range (allowed: %u..%u seconds, or 1..%u "
                    "with --timer-unchecked)",
                    s->min_se_val, SE_FLOOR_S, SE_CEIL_S, UINT32_MAX);
    t->se_s = (uint32_t)s->se;
    if (s->min_se_val)
        t->min_se_s = (uint32_t)s->min_se;
    else if (t->unchecked && t->se_s < t->min_se_s)
        t->min_se_s = t->se_s; /* a short lab interval: the default Min-SE 90 follows it down */
    /* Unchecked values go out as given: SE below Min-SE is then a deliberate negative test. */
    if (t->se_s < t->min_se_s && !t->unchecked)
        return fail(e,
                    "--timer-se %u: below --timer-min-se %u (allowed: Session-Expires >= "
                    "Min-SE; lower --timer-min-se too)",
                    t->se_s, t->min_se_s);
    return 0;
}

static int check_call(errbuf *e, sb_cli *c, seen *s) {
    char dur[32];
    if (!s->duration_val) { /* messages quote -d even when it was left at its default */
        sb_duration_format(c->duration_ms, dur, sizeof dur);
        s->duration_val = dur;
    }
    if (!c->uri)
        return fail(e, "call needs a destination URI (allowed: e.g. sipbeat call "
                       "sip:service@127.0.0.1:5060)");
    int rc = parse_uri(e, c->uri, &c->dest);
    if (rc) return rc;
    if (!s->local_given && c->dest.family == 6)
        sb_addr_parse(&c->cfg.local, "[::1]:0", 7, 0); /* loopback of the URI's family */
    if (c->cfg.local.family != c->dest.family)
        return fail(e, "--local: IPv%u address cannot reach %s (allowed: an IPv%u address)",
                    c->cfg.local.family, c->uri, c->dest.family);
    if (s->hold_mode_val && !c->hold_at_ms)
        return fail(e, "--hold-mode %s: needs --hold-at (allowed: with --hold-at DUR)",
                    s->hold_mode_val);
    if (c->resume_at_ms && !c->hold_at_ms)
        return fail(e, "--resume-at %s: needs --hold-at (allowed: with --hold-at DUR)",
                    s->resume_at_val);
    if (c->hold_at_ms && c->hold_at_ms >= c->duration_ms)
        return fail(e,
                    "--hold-at %s: not before the end of the talk time -d %s (allowed: "
                    "less than -d)",
                    s->hold_at_val, s->duration_val);
    if (c->resume_at_ms && c->resume_at_ms <= c->hold_at_ms)
        return fail(e,
                    "--resume-at %s: not after --hold-at %s (allowed: later than "
                    "--hold-at)",
                    s->resume_at_val, s->hold_at_val);
    if (c->resume_at_ms && c->resume_at_ms >= c->duration_ms)
        return fail(e,
                    "--resume-at %s: not before the end of the talk time -d %s (allowed: "
                    "less than -d)",
                    s->resume_at_val, s->duration_val);
    if (c->limit && c->cfg.max_calls < c->limit)
        c->cfg.max_calls = (uint32_t)c->limit; /* the engine must hold what -l lets live */
    return 0;
}

static void defaults(sb_cli *c) {
    memset(c, 0, sizeof *c);
    sb_config_init(&c->cfg);
    c->calls = 1;
    c->rate_cps = 10;
    c->duration_ms = 10000;
    c->hold_mode = SB_HOLD_SENDONLY;
    c->fail_on_violation = true;
    c->cfg.timer.min_se_s = SE_FLOOR_S;
    c->cfg.timer.refresher = SB_REFRESHER_UAC;
    c->cfg.timer.max_422 = 3;
}

/* One flag with its value (NULL for a switch). */
static int apply(errbuf *e, sb_cli *c, seen *s, const flag_def *f, const char *name,
                 const char *val) {
    sb_timer_config *t = &c->cfg.timer;
    uint64_t n = 0;
    int rc = 0, i;
    if (f->id >= O_TIMER_SE && !s->timer_flag_seen) {
        s->timer_flag_seen = f->name;
        s->timer_flag_val = val;
    }
    switch (f->id) {
    case O_HELP:
        c->help_about = c->cmd;
        c->cmd = SB_CMD_HELP;
        break;
    case O_REPORT:
        c->report_path = val;
        break;
    case O_EVENTS:
        c->events_path = val;
        break;
    case O_TRACE:
        c->trace_path = val;
        break;
    case O_QUIET:
        c->quiet = true;
        break;
    case O_VERBOSE:
        c->verbose = true;
        break;
    case O_NO_FAIL_VIOLATION:
        c->fail_on_violation = false;
        break;
    case O_FAIL_ON:
        if ((i = pick(val, fail_on_words)) < 0)
            return fail(e, "%s %s: not allowed (allowed: must, should, none)", name, val);
        c->fail_on_violation = i != 2;
        c->fail_on_should = i == 1;
        break;
    case O_MIN_DURATION:
        rc = duration_in(e, name, val, 1, &c->cfg.min_duration_ms);
        break;
    case O_LISTEN:
        rc = parse_addr(e, name, val, 5060, &c->cfg.local);
        break;
    case O_LOCAL:
        rc = parse_addr(e, name, val, 0, &c->cfg.local);
        s->local_given = true;
        break;
    case O_RING_TIME:
        rc = duration_in(e, name, val, 0, &c->cfg.ring_time_ms);
        break;
    case O_REJECT:
        rc = int_in(e, name, val, 300, 699, "a SIP final status code 300..699", &n);
        c->cfg.reject_code = (uint16_t)n;
        break;
    case O_MAX_CALLS:
        rc = int_in(e, name, val, 1, UINT32_MAX, "a whole number >= 1", &c->max_calls);
        break;
    case O_MAX_CONCURRENT:
        rc = int_in(e, name, val, 1, UINT32_MAX, "a whole number >= 1", &n);
        c->cfg.max_concurrent = (uint32_t)n;
        break;
    case O_CALLS:
        rc = int_in(e, name, val, 1, 1000000000, "a whole number 1..1000000000", &c->calls);
        break;
    case O_RATE: {
        char *end = NULL;
        errno = 0;
        double r = strtod(val, &end);
        if (end == val || *end != '\0' || errno || !isfinite(r) || r <= 0 || r > 100000)
            return fail(e,
                        "%s %s: not allowed (allowed: calls per second, more than 0 and at "
                        "most 100000, e.g. 10 or 0.5)",
                        name, val);
        c->rate_cps = r;
        break;
    }
    case O_LIMIT:
        rc = int_in(e, name, val, 1, 10000000, "a whole number 1..10000000", &c->limit);
        break;
    case O_DURATION: /* call: talk time; answer: we hang up this long after our 2xx */
        rc = duration_in(e, name, val, 1,
                         c->cmd == SB_CMD_ANSWER ? &c->cfg.answer_duration_ms : &c->duration_ms);
        s->duration_val = val;
        break;
    case O_HOLD_AT:
        rc = duration_in(e, name, val, 1, &c->hold_at_ms);
        s->hold_at_val = val;
        break;
    case O_RESUME_AT:
        rc = duration_in(e, name, val, 1, &c->resume_at_ms);
        s->resume_at_val = val;
        break;
    case O_HOLD_MODE:
        if ((i = pick(val, hold_words)) <= 0)
            return fail(e, "%s %s: not allowed (allowed: sendonly, inactive)", name, val);
        c->hold_mode = (sb_hold_mode)i;
        s->hold_mode_val = val;
        break;
    case O_TIMER:
        if ((i = pick(val, timer_words)) < 0)
            return fail(e, "%s %s: not allowed (allowed: off, supported, required, always)", name,
                        val);
        t->mode = (sb_timer_mode)i;
        break;
    case O_TIMER_SE:
        /* Plain seconds, as in the Session-Expires header and pjsua's --timer-se; the range
         * check waits until --timer-unchecked may have been seen. */
        if (!parse_u64(val, &s->se) || s->se > UINT32_MAX)
            return fail(e, "%s %s: not allowed (allowed: whole seconds, %u..%u)", name, val,
                        SE_FLOOR_S, SE_CEIL_S);
        s->se_given = true;
        s->se_val = val;
        break;
    case O_TIMER_MIN_SE:
        if (!parse_u64(val, &s->min_se) || s->min_se > UINT32_MAX)
            return fail(e, "%s %s: not allowed (allowed: whole seconds, %u..%u)", name, val,
                        SE_FLOOR_S, SE_CEIL_S);
        s->min_se_val = val;
        break;
    case O_TIMER_REFRESHER:
        if ((i = pick(val, refresher_words)) < 0)
            return fail(e, "%s %s: not allowed (allowed: uac, uas, none)", name, val);
        t->refresher = (sb_refresher)i;
        break;
    case O_TIMER_METHOD:
        if ((i = pick(val, method_words)) < 0)
            return fail(e, "%s %s: not allowed (allowed: invite, update, auto)", name, val);
        t->method = (sb_refresh_method)i;
        break;
    case O_TIMER_SOFT_EXPIRY:
        t->soft_expiry = true;
        break;
    case O_TIMER_UNCHECKED:
        t->unchecked = true;
        break;
    case O_TIMER_MAX_422:
        rc = int_in(e, name, val, 0, 20, "a whole number 0..20", &n);
        t->max_422 = (uint32_t)n;
        break;
    case O_TIMER_SKIP_REFRESH:
        rc = int_in(e, name, val, 1, UINT32_MAX, "a whole number >= 1: stop at that refresh", &n);
        t->skip_refresh_from = (uint32_t)n;
        break;
    case O_TIMER_ANSWER_REFRESH:
        rc = int_in(e, name, val, 300, 699, "a SIP final status code 300..699", &n);
        t->answer_refresh_code = (uint16_t)n;
        break;
    }
    return rc;
}

static int check_outputs(errbuf *e, const sb_cli *c) {
    int dashes = (c->report_path && strcmp(c->report_path, "-") == 0) +
                 (c->events_path && strcmp(c->events_path, "-") == 0) +
                 (c->trace_path && strcmp(c->trace_path, "-") == 0);
    if (dashes > 1) return fail(e, "only one of --report, --events and --trace may be - (stdout)");
    if (c->quiet && c->verbose)
        return fail(e, "-q and -v: not allowed together (allowed: one of them)");
    return 0;
}

int sb_cli_parse(sb_cli *c, int argc, char **argv, char *err, size_t err_cap) {
    errbuf e = {err, err_cap};
    seen s;
    memset(&s, 0, sizeof s);
    defaults(c);
    if (err_cap) err[0] = '\0';

    if (argc < 2)
        return fail(
            &e, "missing command (allowed: answer, call, demo, parse, help; see sipbeat --help)");
    const char *first = argv[1];
    if (strcmp(first, "--help") == 0 || strcmp(first, "-h") == 0) {
        c->cmd = SB_CMD_HELP;
        return argc == 2 ? 0 : fail(&e, "%s: unexpected argument %s", first, argv[2]);
    }
    if (strcmp(first, "--version") == 0) {
        c->cmd = SB_CMD_VERSION;
        return argc == 2 ? 0 : fail(&e, "%s: unexpected argument %s", first, argv[2]);
    }
    if (strcmp(first, "help") == 0) {
        c->cmd = SB_CMD_HELP;
        if (argc == 2) return 0;
        c->help_about = strcmp(argv[2], "parse") == 0 ? SB_CMD_PARSE : cmd_lookup(argv[2]);
        if (c->help_about == SB_CMD_NONE)
            return fail(&e, "help %s: unknown topic (allowed: answer, call, demo, parse)", argv[2]);
        if (argc > 3)
            return fail(&e, "help %s: unexpected argument %s (allowed: one topic)", argv[2],
                        argv[3]);
        return 0;
    }
    c->cmd = cmd_lookup(first);
    if (c->cmd == SB_CMD_NONE)
        return fail(&e, "unknown command '%s' (allowed: answer, call, demo, parse, help)", first);
    if (c->cmd == SB_CMD_CALL) sb_addr_parse(&c->cfg.local, "127.0.0.1:0", 11, 0);

    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-' || arg[1] == '\0') {
            if (c->cmd == SB_CMD_CALL && !c->uri) {
                c->uri = arg;
                continue;
            }
            return fail(&e, "unexpected argument '%s' (see sipbeat help %s)", arg,
                        sb_cmd_name(c->cmd));
        }
        const char *eq = arg[1] == '-' ? strchr(arg, '=') : NULL;
        size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
        char name[48];
        snprintf(name, sizeof name, "%.*s", (int)nlen, arg);
        const flag_def *f = flag_lookup(arg, nlen);
        if (!f)
            return fail(&e, "unknown flag %s for '%s' (see sipbeat help %s)", name,
                        sb_cmd_name(c->cmd), sb_cmd_name(c->cmd));
        if (!(f->cmds & cmd_bit(c->cmd)))
            return fail(&e, "%s: not a flag of '%s' (see sipbeat help %s)", name,
                        sb_cmd_name(c->cmd), sb_cmd_name(c->cmd));
        const char *val = NULL;
        if (f->has_value) {
            if (eq)
                val = eq + 1;
            else if (i + 1 < argc)
                val = argv[++i];
            else
                return fail(&e, "%s: needs a value (see sipbeat help %s)", name,
                            sb_cmd_name(c->cmd));
        } else if (eq) {
            return fail(&e, "%s: takes no value, got '%s'", name, eq + 1);
        }
        int rc = apply(&e, c, &s, f, name, val);
        if (rc) return rc;
        if (c->cmd == SB_CMD_HELP) return 0;
    }

    int rc = check_outputs(&e, c);
    if (!rc && c->cmd != SB_CMD_DEMO) rc = check_timer(&e, c, &s);
    if (!rc && c->cmd == SB_CMD_CALL) rc = check_call(&e, c, &s);
    if (rc) return rc;

    /* The engine has the last word on combinations we do not know about. */
    sb_config_error ce;
    if (c->cmd != SB_CMD_DEMO && sb_config_check(&c->cfg, &ce) != 0)
        return fail(&e, "invalid configuration: %s: %s", ce.field, ce.why);
    return 0;
}
