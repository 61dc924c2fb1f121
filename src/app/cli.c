/* Command line: argv -> sb_cli (engine config plus what the app does around it). Each flag
 * is parsed by its row of the settings table (settings.c); what needs several flags at once
 * is explicit code below, and the engine's sb_config_check has the last word. */
#include "app/cli.h"

#include "app/accounts.h"
#include "app/duration.h"
#include "app/settings.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
    case SB_CMD_REGISTER:
        return "register";
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
    if (strcmp(s, "register") == 0) return SB_CMD_REGISTER;
    return SB_CMD_NONE;
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

/* What the user typed, per row of the settings table, for the checks that need several flags
 * and for messages that quote a value as typed. */
typedef struct {
    sb_cmd cmd;
    const char *val[SB_SETTINGS_MAX];          /* the value; "" for a switch; NULL: not given */
    const char *name[SB_SETTINGS_MAX];         /* the flag as spelled: "-d" or "--duration" */
    const char *first_timer, *first_timer_val; /* first --timer-* flag other than --timer */
} seen;

static size_t row(const sb_setting *s) {
    return (size_t)(s - sb_settings);
}

/* The value typed for a flag of this command, or NULL. */
static const char *given(const seen *s, const char *flag) {
    const sb_setting *r = sb_setting_find(flag, strlen(flag), s->cmd);
    return r && sb_setting_in(r, s->cmd) ? s->val[row(r)] : NULL;
}

/* Session-Expires and Min-SE: their ranges depend on --timer-unchecked, and an unchecked
 * Min-SE left at its default follows a lower SE down. */
static int check_timer(errbuf *e, sb_cli *c, const seen *s) {
    sb_timer_config *t = &c->cfg.timer;
    if (t->mode == SB_TIMER_OFF) {
        if (s->first_timer)
            return fail(e,
                        "%s%s%s: has no effect with --timer off (allowed with --timer "
                        "supported, required or always)",
                        s->first_timer, s->first_timer_val ? " " : "",
                        s->first_timer_val ? s->first_timer_val : "");
        return 0;
    }
    const char *se = given(s, "--timer-se"), *min_se = given(s, "--timer-min-se");
    if (!se)
        return fail(e, "--timer-se is required when --timer is %s (allowed: %u..%u seconds)",
                    sb_timer_mode_name(t->mode), SB_SE_FLOOR_S, SB_SE_CEIL_S);
    uint64_t lo = t->unchecked ? 1 : SB_SE_FLOOR_S, hi = t->unchecked ? UINT32_MAX : SB_SE_CEIL_S;
    if (t->se_s < lo || t->se_s > hi)
        return fail(e,
                    "--timer-se %s: out of range (allowed: %u..%u seconds, or 1..%u with "
                    "--timer-unchecked)",
                    se, SB_SE_FLOOR_S, SB_SE_CEIL_S, UINT32_MAX);
    if (min_se && (t->min_se_s < lo || t->min_se_s > hi))
        return fail(e,
                    "--timer-min-se %s: out of range (allowed: %u..%u seconds, or 1..%u "
                    "with --timer-unchecked)",
                    min_se, SB_SE_FLOOR_S, SB_SE_CEIL_S, UINT32_MAX);
    if (!min_se && t->unchecked && t->se_s < t->min_se_s)
        t->min_se_s = t->se_s; /* a short lab interval: the default Min-SE 90 follows it down */
    /* Unchecked values go out as given: SE below Min-SE is then a deliberate negative test. */
    if (t->se_s < t->min_se_s && !t->unchecked)
        return fail(e,
                    "--timer-se %u: below --timer-min-se %u (allowed: Session-Expires >= "
                    "Min-SE; lower --timer-min-se too)",
                    t->se_s, t->min_se_s);
    return 0;
}

/* register: the AOR's host is the registrar's IP address, reached from --local's family. */
static int check_register(errbuf *e, sb_cli *c, const seen *s) {
    if (!c->uri)
        return fail(e, "register needs an address-of-record URI (allowed: e.g. sipbeat register "
                       "sip:alice@127.0.0.1:5060)");
    int rc = parse_uri(e, c->uri, &c->dest);
    if (rc) return rc;
    if (!given(s, "--local") && c->dest.family == 6) sb_addr_parse(&c->cfg.local, "[::1]:0", 7, 0);
    if (c->cfg.local.family != c->dest.family)
        return fail(e, "--local: IPv%u address cannot reach %s (allowed: an IPv%u address)",
                    c->cfg.local.family, c->uri, c->dest.family);
    return 0;
}

/* call and answer --register: where the REGISTERs go. */
static int check_register_first(errbuf *e, sb_cli *c, const seen *s) {
    const char *registrar = given(s, "--registrar");
    if (!c->register_first) {
        if (registrar)
            return fail(e,
                        "--registrar %s: has no effect without --register (allowed: with "
                        "--register)",
                        registrar);
        return 0;
    }
    if (!c->registrar_uri) {
        if (c->cmd == SB_CMD_ANSWER)
            return fail(e, "answer --register needs --registrar URI (allowed: e.g. --registrar "
                           "sip:192.0.2.10:5060)");
        c->registrar = c->dest; /* the URI's host, or the proxy (which the engine uses anyway) */
        return 0;
    }
    int rc = parse_uri(e, c->registrar_uri, &c->registrar);
    if (rc) return rc;
    if (c->registrar.family != c->cfg.local.family)
        return fail(e,
                    "--registrar %s: not reachable from an IPv%u --local (allowed: an IPv%u "
                    "address)",
                    c->registrar_uri, c->cfg.local.family, c->cfg.local.family);
    return 0;
}

/* The URI, the local address's family, and hold times against each other and -d. */
static int check_call(errbuf *e, sb_cli *c, const seen *s) {
    char dur[32];
    const char *duration = given(s, "-d");
    if (!duration) { /* messages quote -d even when it was left at its default */
        sb_duration_format(c->duration_ms, dur, sizeof dur);
        duration = dur;
    }
    const char *hold_at = given(s, "--hold-at"), *resume_at = given(s, "--resume-at");
    const char *hold_mode = given(s, "--hold-mode");
    if (!c->uri)
        return fail(e, "call needs a destination URI (allowed: e.g. sipbeat call "
                       "sip:service@127.0.0.1:5060)");
    /* [user], [target], [domain] come from --accounts: checked here with a stand-in value */
    char probe[2100];
    const char *uri = c->uri;
    if (sb_uri_placeholders(c->uri)) {
        if (!c->accounts_path)
            return fail(e,
                        "URI %s: [user], [target] and [domain] need --accounts (allowed: "
                        "--accounts FILE.csv, whose rows fill them in)",
                        c->uri);
        sb_account_row stand_in = {
            .v = {[SB_COL_USER] = "x", [SB_COL_DOMAIN] = "x", [SB_COL_TARGET] = "x"}};
        if (sb_uri_fill(c->uri, &stand_in, probe, sizeof probe) != 0)
            return fail(e, "URI %s: too long (allowed: at most 2048 bytes)", c->uri);
        uri = probe;
    }
    int rc = 0;
    if (c->cfg.outbound_proxy) {
        /* Through a proxy the URI is only written, never reached: its host may be a name.
         * The INVITEs go to the proxy, the report's destination. */
        sb_slice host;
        uint16_t port = 0;
        bool writable = true; /* between < and >, as the engine writes the To */
        for (const char *p = uri; *p; p++)
            writable &= (unsigned char)*p > ' ' && (unsigned char)*p < 0x7f && !strchr("<>\"", *p);
        if (!((strncmp(uri, "sip:", 4) == 0 || strncmp(uri, "sips:", 5) == 0) && writable &&
              sb_uri_hostport((sb_slice){uri, strlen(uri)}, NULL, NULL) == 0))
            return fail(e,
                        "URI %s: not allowed (allowed: a sip: or sips: URI, e.g. "
                        "sip:service@pbx.example.com with --proxy)",
                        uri);
        if (sb_uri_hostport((sb_slice){c->cfg.outbound_proxy, strlen(c->cfg.outbound_proxy)}, &host,
                            &port) != 0 ||
            sb_addr_parse(&c->dest, host.p, host.n, 5060) != 0)
            return fail(e, "--proxy %s: the host must be an IP address", c->cfg.outbound_proxy);
        if (port) c->dest.port = port;
    } else {
        rc = parse_uri(e, uri, &c->dest);
        if (rc) return rc;
    }
    c->cfg.headers = c->headers.n ? c->headers.v : NULL;
    c->cfg.nheaders = c->headers.n;
    if (!given(s, "--local") && c->dest.family == 6)
        sb_addr_parse(&c->cfg.local, "[::1]:0", 7, 0); /* loopback of the URI's family */
    if (c->cfg.local.family != c->dest.family)
        return fail(e, "--local: IPv%u address cannot reach %s (allowed: an IPv%u address)",
                    c->cfg.local.family, c->cfg.outbound_proxy ? c->cfg.outbound_proxy : c->uri,
                    c->dest.family);
    if (hold_mode && !c->hold_at_ms)
        return fail(e, "--hold-mode %s: needs --hold-at (allowed: with --hold-at DUR)", hold_mode);
    if (c->resume_at_ms && !c->hold_at_ms)
        return fail(e, "--resume-at %s: needs --hold-at (allowed: with --hold-at DUR)", resume_at);
    if (c->hold_at_ms && c->hold_at_ms >= c->duration_ms)
        return fail(e,
                    "--hold-at %s: not before the end of the talk time -d %s (allowed: "
                    "less than -d)",
                    hold_at, duration);
    if (c->resume_at_ms && c->resume_at_ms <= c->hold_at_ms)
        return fail(e,
                    "--resume-at %s: not after --hold-at %s (allowed: later than "
                    "--hold-at)",
                    resume_at, hold_at);
    if (c->resume_at_ms && c->resume_at_ms >= c->duration_ms)
        return fail(e,
                    "--resume-at %s: not before the end of the talk time -d %s (allowed: "
                    "less than -d)",
                    resume_at, duration);
    if (c->limit && c->cfg.max_calls < c->limit)
        c->cfg.max_calls = (uint32_t)c->limit; /* the engine must hold what -l lets live */
    return 0;
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

/* The engine judges the ranges it owns (engine_range rows) and any combination not checked
 * above. It names a field; the table names the flag, and the user gets the flag and the value
 * as typed, or as it stands when it was left at its default. */
static int check_engine(errbuf *e, const sb_cli *c, const seen *s) {
    sb_config_error ce = {0};
    if (sb_config_check(&c->cfg, &ce) == 0) return 0;
    const sb_setting *r = sb_setting_of_field(ce.field, c->cmd);
    if (!r || !r->flag) return fail(e, "invalid configuration: %s: %s", ce.field, ce.why);
    const char *name = s->name[row(r)] ? s->name[row(r)] : r->flag;
    char buf[64];
    const char *val = s->val[row(r)] ? s->val[row(r)] : sb_setting_show(r, c, buf, sizeof buf);
    return fail(e, "%s%s%s: %s", name, val[0] ? " " : "", val, ce.why);
}

bool sb_cli_password_flag(const char *name, size_t len) {
    static const char *const names[] = {"--password", "--auth-password", "--pass"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0) return true;
    return false;
}

int sb_cli_parse(sb_cli *c, int argc, char **argv, char *err, size_t err_cap) {
    errbuf e = {err, err_cap};
    seen s;
    memset(&s, 0, sizeof s);
    sb_settings_defaults(c, SB_CMD_NONE);
    if (err_cap) err[0] = '\0';

    if (argc < 2)
        return fail(&e, "missing command (allowed: answer, call, demo, parse, register, help; see "
                        "sipbeat --help)");
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
            return fail(&e, "help %s: unknown topic (allowed: answer, call, demo, parse, register)",
                        argv[2]);
        if (argc > 3)
            return fail(&e, "help %s: unexpected argument %s (allowed: one topic)", argv[2],
                        argv[3]);
        return 0;
    }
    sb_cmd cmd = cmd_lookup(first);
    if (cmd == SB_CMD_NONE)
        return fail(&e, "unknown command '%s' (allowed: answer, call, demo, parse, register, help)",
                    first);
    sb_settings_defaults(c, cmd);
    c->cmd = s.cmd = cmd;
    const char *cmd_name = sb_cmd_name(cmd);

    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        if (arg[0] != '-' || arg[1] == '\0') {
            if ((cmd == SB_CMD_CALL || cmd == SB_CMD_REGISTER) && !c->uri) {
                c->uri = arg;
                continue;
            }
            return fail(&e, "unexpected argument '%s' (see sipbeat help %s)", arg, cmd_name);
        }
        const char *eq = arg[1] == '-' ? strchr(arg, '=') : NULL;
        size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
        if (cmd != SB_CMD_DEMO && sb_cli_password_flag(arg, nlen))
            return fail(&e,
                        "%.*s: passwords are not taken on the command line (they end up in "
                        "shell history and ps); put it in a file with --auth-password-file "
                        "FILE, or in SIPBEAT_AUTH_PASSWORD",
                        (int)nlen, arg);
        const sb_setting *f = sb_setting_find(arg, nlen, cmd);
        if (!f)
            return fail(&e, "unknown flag %.*s for '%s' (see sipbeat help %s)", (int)nlen, arg,
                        cmd_name, cmd_name);
        if (!sb_setting_in(f, cmd))
            return fail(&e, "%.*s: not a flag of '%s' (see sipbeat help %s)", (int)nlen, arg,
                        cmd_name, cmd_name);
        /* The flag's own spelling, a static string, for messages that quote it. */
        const char *name = f->alias && strlen(f->alias) == nlen && !memcmp(f->alias, arg, nlen)
                               ? f->alias
                               : f->flag;
        const char *val = NULL;
        if (f->metavar) {
            if (eq)
                val = eq + 1;
            else if (i + 1 < argc)
                val = argv[++i];
            else
                return fail(&e, "%s: needs a value (see sipbeat help %s)", name, cmd_name);
        } else if (eq) {
            return fail(&e, "%s: takes no value, got '%s'", name, eq + 1);
        }
        char why[512];
        if (sb_setting_parse(f, name, val, c, why, sizeof why) != 0) return fail(&e, "%s", why);
        if (c->cmd == SB_CMD_HELP) return 0;
        s.val[row(f)] = val ? val : "";
        s.name[row(f)] = name;
        if (f->section == SB_SEC_TIMER && strcmp(f->flag, "--timer") != 0 && !s.first_timer) {
            s.first_timer = name;
            s.first_timer_val = val;
        }
    }

    int rc = check_outputs(&e, c);
    if (!rc && cmd != SB_CMD_DEMO) rc = check_timer(&e, c, &s);
    if (!rc && cmd == SB_CMD_CALL) rc = check_call(&e, c, &s);
    if (!rc && cmd == SB_CMD_REGISTER) rc = check_register(&e, c, &s);
    if (!rc && (cmd == SB_CMD_CALL || cmd == SB_CMD_ANSWER)) rc = check_register_first(&e, c, &s);
    if (!rc && cmd != SB_CMD_DEMO) rc = check_engine(&e, c, &s);
    return rc;
}
