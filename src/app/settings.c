/* The settings table (see settings.h) and what is done with one setting at a time: parse a
 * value into its field, show it, say what it allows. */
#include "app/settings.h"

#include "app/duration.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Word fields are enums stored as int. */
_Static_assert(sizeof(sb_timer_mode) == sizeof(int) && sizeof(sb_refresher) == sizeof(int) &&
                   sizeof(sb_refresh_method) == sizeof(int) && sizeof(sb_hold_mode) == sizeof(int),
               "word fields are int-sized enums");

/* Every engine duration is a uint32_t of milliseconds; 1000 h stays well inside it. */
#define DUR_MAX_MS (1000ull * 3600 * 1000)

static const sb_word timer_words[] = {{"off", SB_TIMER_OFF},
                                      {"supported", SB_TIMER_SUPPORTED},
                                      {"required", SB_TIMER_REQUIRED},
                                      {"always", SB_TIMER_ALWAYS},
                                      {NULL, 0}};
static const sb_word method_words[] = {
    {"invite", SB_REFRESH_INVITE}, {"update", SB_REFRESH_UPDATE}, {"auto", SB_REFRESH_AUTO}, {0}};
static const sb_word refresher_words[] = {
    {"uac", SB_REFRESHER_UAC}, {"uas", SB_REFRESHER_UAS}, {"none", SB_REFRESHER_NONE}, {0}};
static const sb_word hold_words[] = {
    {"sendonly", SB_HOLD_SENDONLY}, {"inactive", SB_HOLD_INACTIVE}, {0}};
enum { FAIL_ON_MUST, FAIL_ON_SHOULD, FAIL_ON_NONE };
static const sb_word fail_on_words[] = {
    {"must", FAIL_ON_MUST}, {"should", FAIL_ON_SHOULD}, {"none", FAIL_ON_NONE}, {0}};

/* --fail-on sets two fields; --no-fail-on-violation is the same as --fail-on none. */
static int get_fail_on(const sb_cli *c) {
    return !c->fail_on_violation ? FAIL_ON_NONE : c->fail_on_should ? FAIL_ON_SHOULD : FAIL_ON_MUST;
}
static void set_fail_on(sb_cli *c, int v) {
    c->fail_on_violation = v != FAIL_ON_NONE;
    c->fail_on_should = v == FAIL_ON_SHOULD;
}

/* A SIP user part (RFC 3261 §25.1): user = 1*( unreserved / escaped / user-unreserved ), i.e.
 * letters, digits, the marks -_.!~*'(), the user-unreserved &=+$,;?/ and %HH escapes. A digest
 * username (--auth-user) may also hold '@': it is a quoted string, often user@domain. */
static const char user_marks[] = "-_.!~*'()&=+$,;?/";

static bool is_hex(char ch) {
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

static bool check_user_chars(const sb_setting *s, const char *v, bool at, char *why, size_t cap) {
    char allowed[160];
    snprintf(allowed, sizeof allowed,
             "allowed: a SIP user part of 1..%llu bytes: letters, digits, %s%s and %%HH escapes",
             (unsigned long long)s->hi, user_marks, at ? "@" : "");
    size_t n = strlen(v);
    if (n == 0) {
        snprintf(why, cap, "empty (%s)", allowed);
        return false;
    }
    if (n > s->hi) {
        snprintf(why, cap, "too long, %zu bytes (%s)", n, allowed);
        return false;
    }
    for (const char *p = v; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '%') {
            if (is_hex(p[1]) && is_hex(p[2])) {
                p += 2;
                continue;
            }
            snprintf(why, cap, "'%%' must start an escape such as %%40 (%s)", allowed);
            return false;
        }
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            strchr(user_marks, ch) || (at && ch == '@'))
            continue;
        if (ch == ' ')
            snprintf(why, cap, "a space is not allowed (%s)", allowed);
        else if (ch > ' ' && ch < 0x7f)
            snprintf(why, cap, "'%c' is not allowed (%s)", ch, allowed);
        else
            snprintf(why, cap, "byte 0x%02x is not allowed (%s)", ch, allowed);
        return false;
    }
    return true;
}
static bool check_user(const sb_setting *s, const char *v, char *why, size_t cap) {
    return check_user_chars(s, v, false, why, cap);
}
static bool check_auth_user(const sb_setting *s, const char *v, char *why, size_t cap) {
    return check_user_chars(s, v, true, why, cap);
}

/* ---- identity and routing of our calls ---- */

static const char uri_allowed[] =
    "allowed: a sip: or sips: URI of at most 2048 bytes, no spaces, control bytes, quotes, < or "
    ">, e.g. sip:alice@example.com";

/* A sip: or sips: URI we can write between < and > (the engine's sb__uri_usable rule). */
static bool check_sip_uri(const sb_setting *s, const char *v, char *why, size_t cap) {
    size_t n = strlen(v);
    bool sip =
        (n > 4 && strncasecmp(v, "sip:", 4) == 0) || (n > 5 && strncasecmp(v, "sips:", 5) == 0);
    if (!sip) {
        snprintf(why, cap, "not a sip: or sips: URI (%s)", uri_allowed);
        return false;
    }
    if (n > s->hi) {
        snprintf(why, cap, "too long, %zu bytes (%s)", n, uri_allowed);
        return false;
    }
    for (const char *p = v; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch <= ' ' || ch >= 0x7f || ch == '<' || ch == '>' || ch == '"') {
            if (ch > ' ' && ch < 0x7f)
                snprintf(why, cap, "'%c' is not allowed (%s)", ch, uri_allowed);
            else
                snprintf(why, cap, "byte 0x%02x is not allowed (%s)", ch, uri_allowed);
            return false;
        }
    }
    if (sb_uri_hostport((sb_slice){v, n}, NULL, NULL) != 0) {
        snprintf(why, cap, "no host:port after the user part (%s)", uri_allowed);
        return false;
    }
    return true;
}

/* The outbound proxy: a SIP URI whose host is an IP address (sipbeat resolves no names). */
static bool check_proxy(const sb_setting *s, const char *v, char *why, size_t cap) {
    static const char allowed[] =
        "allowed: sip:HOST[:PORT] with an IP address, e.g. sip:192.0.2.1:5060 or sip:[::1]:5070";
    char inner[320];
    if (!check_sip_uri(s, v, inner, sizeof inner)) {
        snprintf(why, cap, "not a usable SIP URI (%s)", allowed);
        return false;
    }
    sb_slice host;
    uint16_t port = 0;
    sb_addr a;
    if (sb_uri_hostport((sb_slice){v, strlen(v)}, &host, &port) != 0 || host.n == 0 ||
        sb_addr_parse(&a, host.p, host.n, 5060) != 0) {
        snprintf(why, cap, "the host must be an IP address, no DNS (%s)", allowed);
        return false;
    }
    return true;
}

static bool check_display_name(const sb_setting *s, const char *v, char *why, size_t cap) {
    static const char allowed[] = "allowed: up to 255 bytes of text without CR, LF or other "
                                  "control bytes; quotes and backslashes are escaped for you";
    size_t n = strlen(v);
    if (n > s->hi) {
        snprintf(why, cap, "too long, %zu bytes (%s)", n, allowed);
        return false;
    }
    for (const char *p = v; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if ((ch < ' ' && ch != '\t') || ch == 0x7f) {
            snprintf(why, cap, "byte 0x%02x is not allowed (%s)", ch, allowed);
            return false;
        }
    }
    return true;
}

/* One --header: the engine's rule (sb_extra_header_problem), which says what is allowed. */
static bool check_header(const sb_setting *s, const char *v, char *why, size_t cap) {
    (void)s;
    const char *problem = sb_extra_header_problem(v);
    if (problem) snprintf(why, cap, "%s", problem);
    return problem == NULL;
}

#define CALL SB_IN_CALL
#define ANSWER SB_IN_ANSWER
#define RUN (SB_IN_CALL | SB_IN_ANSWER)
#define REG SB_IN_REGISTER
#define ALL (SB_IN_CALL | SB_IN_ANSWER | SB_IN_DEMO | SB_IN_REGISTER)

/* A static array of rows with designated initializers rather than an X-macro: each row names
 * the members it uses and leaves the rest zero, so a row reads like a row of docs/cli.md and
 * adding a flag is adding a row. The order is the order of help and of the report. Kept out
 * of clang-format, which would put every member on a line of its own. */
/* clang-format off */
const sb_setting sb_settings[] = {
    /* ---- call: load and call flow ---- */
    {.flag = "--calls", .alias = "-m", .metavar = "N", .cmds = CALL, .section = SB_SEC_CALL,
     .unit = SB_UNIT_COUNT, SB_FIELD(calls), .lo = 1, .hi = 1000000000, .def = "1",
     .help = "calls to place in all", .report = "calls"},
    {.flag = "--rate", .alias = "-r", .metavar = "CPS", .cmds = CALL, .section = SB_SEC_CALL,
     .unit = SB_UNIT_RATE, SB_FIELD(rate_cps), .hi = 100000, .def = "10",
     .help = "calls started per second, may be fractional", .report = "rate_cps"},
    {.flag = "--limit", .alias = "-l", .metavar = "N", .cmds = CALL, .section = SB_SEC_CALL,
     .unit = SB_UNIT_COUNT, SB_FIELD(limit), .lo = 1, .hi = 10000000, .zero = "none",
     .help = "most calls live at once", .report = "limit", .report_null_zero = true},
    {.flag = "--duration", .alias = "-d", .metavar = "DUR", .cmds = CALL, .section = SB_SEC_CALL,
     .unit = SB_UNIT_DURATION, SB_FIELD(duration_ms), .lo = 1, .hi = DUR_MAX_MS, .def = "10s",
     .help = "talk time after the answer, then BYE", .report = "duration_ms"},
    /* Echoed as the report's `local`, with the port actually bound. */
    {.flag = "--local", .metavar = "ADDR[:PORT]", .cmds = CALL, .section = SB_SEC_CALL,
     .unit = SB_UNIT_ADDRESS, SB_FIELD(cfg.local), .port = 0, .def = "127.0.0.1:0",
     .help = "our address; port 0 picks a free port"},
    {.flag = "--hold-at", .metavar = "DUR", .cmds = CALL, .section = SB_SEC_CALL,
     .unit = SB_UNIT_DURATION, SB_FIELD(hold_at_ms), .lo = 1, .hi = DUR_MAX_MS, .zero = "none",
     .help = "put the call on hold this long after the answer", .report = "hold_at_ms"},
    {.flag = "--hold-mode", .metavar = "MODE", .cmds = CALL, .section = SB_SEC_CALL,
     .unit = SB_UNIT_WORD, SB_FIELD(hold_mode), .words = hold_words, .def = "sendonly",
     .help = "how to hold", .report = "hold_mode"},
    {.flag = "--resume-at", .metavar = "DUR", .cmds = CALL, .section = SB_SEC_CALL,
     .unit = SB_UNIT_DURATION, SB_FIELD(resume_at_ms), .lo = 1, .hi = DUR_MAX_MS, .zero = "none",
     .help = "take the call off hold this long after the answer", .report = "resume_at_ms"},

    /* ---- call: identity and routing ---- */
    {.flag = "--proxy", .metavar = "URI", .cmds = CALL, .section = SB_SEC_IDENTITY,
     .unit = SB_UNIT_TEXT, SB_FIELD(cfg.outbound_proxy), .hi = 2048, .check = check_proxy,
     .zero = "none", .help = "send the INVITE (CANCEL, ACK) to this proxy, with a Route to it",
     .report = "outbound_proxy"},
    {.flag = "--display-name", .metavar = "NAME", .cmds = CALL, .section = SB_SEC_IDENTITY,
     .unit = SB_UNIT_TEXT, SB_FIELD(cfg.display_name), .hi = 255, .check = check_display_name,
     .zero = "none", .help = "display name of our From, sent quoted", .report = "display_name"},
    {.flag = "--from", .metavar = "URI", .cmds = CALL, .section = SB_SEC_IDENTITY,
     .unit = SB_UNIT_TEXT, SB_FIELD(cfg.from_uri), .hi = 2048, .check = check_sip_uri,
     .zero = "sip:USER@LOCAL", .help = "From URI of our calls", .report = "from_uri"},
    {.flag = "--to", .metavar = "URI", .cmds = CALL, .section = SB_SEC_IDENTITY,
     .unit = SB_UNIT_TEXT, SB_FIELD(to_uri), .hi = 2048, .check = check_sip_uri, .zero = "URI",
     .help = "To URI of our calls; the Request-URI stays URI", .report = "to_uri"},
    {.flag = "--header", .metavar = "HEADER", .cmds = CALL, .section = SB_SEC_IDENTITY,
     .unit = SB_UNIT_LIST, SB_FIELD(headers), .hi = SB_MAX_EXTRA_HEADERS, .check = check_header,
     .zero = "none", .help = "add this header to each initial INVITE", .report = "headers"},

    /* ---- register ---- */
    {.flag = "--duration", .alias = "-d", .metavar = "DUR", .cmds = REG,
     .section = SB_SEC_REGISTER, .unit = SB_UNIT_DURATION, SB_FIELD(reg_duration_ms), .lo = 1,
     .hi = DUR_MAX_MS, .zero = "none", .help = "stay registered this long, then unregister",
     .report = "duration_ms"},
    {.flag = "--expires", .metavar = "S", .cmds = RUN | REG, .section = SB_SEC_REGISTER,
     .unit = SB_UNIT_SECONDS, SB_FIELD(reg_expires_s), .lo = 1, .hi = UINT32_MAX, .def = "3600",
     .help = "expiry asked for in each REGISTER", .report = "expires_s"},
    {.flag = "--local", .metavar = "ADDR[:PORT]", .cmds = REG, .section = SB_SEC_REGISTER,
     .unit = SB_UNIT_ADDRESS, SB_FIELD(cfg.local), .port = 0, .def = "127.0.0.1:0",
     .help = "our address (the Contact we bind); port 0 picks a free port"},

    {.flag = "--register", .cmds = RUN, .section = SB_SEC_REGISTER, .unit = SB_UNIT_SWITCH,
     SB_FIELD(register_first), .zero = "off",
     .help = "register each account (or --user) first; unregister at the end",
     .report = "register"},
    {.flag = "--registrar", .metavar = "URI", .cmds = RUN, .section = SB_SEC_REGISTER,
     .unit = SB_UNIT_TEXT, SB_FIELD(registrar_uri), .hi = 2048, .check = check_proxy,
     .zero = "URI's host", .help = "where --register sends the REGISTERs (answer: required)",
     .report = "registrar"},

    /* ---- answer ---- */
    {.flag = "--listen", .metavar = "ADDR[:PORT]", .cmds = ANSWER, .section = SB_SEC_ANSWER,
     .unit = SB_UNIT_ADDRESS, SB_FIELD(cfg.local), .port = 5060, .def = "127.0.0.1:5060",
     .help = "where to receive INVITEs"},
    {.flag = "--ring-time", .metavar = "DUR", .cmds = ANSWER, .section = SB_SEC_ANSWER,
     .unit = SB_UNIT_DURATION, SB_FIELD(cfg.ring_time_ms), .lo = 0, .hi = DUR_MAX_MS, .zero = "0",
     .help = "180 Ringing, then 200 after this long; 0 answers at once", .report = "ring_time_ms"},
    {.flag = "--reject", .metavar = "CODE", .cmds = ANSWER, .section = SB_SEC_ANSWER,
     .unit = SB_UNIT_CODE, SB_FIELD(cfg.reject_code), .lo = SB_FAIL_CODE_MIN,
     .hi = SB_FAIL_CODE_MAX, .engine_range = true, .zero = "none",
     .help = "answer every INVITE with CODE", .report = "reject_code"},
    {.flag = "--max-calls", .metavar = "N", .cmds = ANSWER, .section = SB_SEC_ANSWER,
     .unit = SB_UNIT_COUNT, SB_FIELD(max_calls), .lo = 1, .hi = UINT32_MAX, .zero = "none",
     .help = "exit after N calls have ended", .report = "max_calls", .report_null_zero = true},
    {.flag = "--max-concurrent", .metavar = "N", .cmds = ANSWER, .section = SB_SEC_ANSWER,
     .unit = SB_UNIT_COUNT, SB_FIELD(cfg.max_concurrent), .lo = 1, .hi = UINT32_MAX, .zero = "none",
     .help = "503 with Retry-After to calls beyond N live ones", .report = "max_concurrent"},
    {.flag = "--duration", .alias = "-d", .metavar = "DUR", .cmds = ANSWER,
     .section = SB_SEC_ANSWER, .unit = SB_UNIT_DURATION, SB_FIELD(cfg.answer_duration_ms), .lo = 1,
     .hi = DUR_MAX_MS, .zero = "none", .help = "hang up (BYE) this long after our 2xx",
     .report = "duration_ms"},

    /* ---- identity and credentials (digest, RFC 3261 §22) ---- */
    /* The engine keeps the user in 64 bytes (sb_ua.user). */
    {.flag = "--user", .metavar = "NAME", .cmds = RUN | REG, .section = SB_SEC_AUTH,
     .unit = SB_UNIT_TEXT, SB_FIELD(cfg.user), .hi = 63, .check = check_user,
     .help = "user part of our From and Contact", .report = "user"},
    {.flag = "--auth-user", .metavar = "NAME", .cmds = RUN | REG, .section = SB_SEC_AUTH,
     .unit = SB_UNIT_TEXT, SB_FIELD(cfg.auth_user), .hi = 255, .check = check_auth_user,
     .zero = "--user", .help = "username of our digest credentials", .report = "auth_user"},
    {.flag = "--auth-password-file", .metavar = "FILE", .cmds = RUN | REG, .section = SB_SEC_AUTH,
     .unit = SB_UNIT_PATH, SB_FIELD(auth_password_file),
     .help = "digest password: the file's first line (else $SIPBEAT_AUTH_PASSWORD)"},
    {.flag = "--accounts", .metavar = "FILE", .cmds = RUN | REG, .section = SB_SEC_AUTH,
     .unit = SB_UNIT_PATH, SB_FIELD(accounts_path), .zero = "none",
     .help = "identities from a CSV file, one per call (docs/cli.md#accounts)",
     .report = "accounts"},
    /* Read at run time from that file or the environment; echoed only as "set" or null. */
    {.cmds = RUN | REG, .section = SB_SEC_AUTH, .unit = SB_UNIT_SECRET, SB_FIELD(cfg.auth_password),
     .report = "auth_password"},

    /* ---- session timers (RFC 4028) ---- */
    {.flag = "--timer", .metavar = "MODE", .cmds = RUN, .section = SB_SEC_TIMER,
     .unit = SB_UNIT_WORD, SB_FIELD(cfg.timer.mode), .words = timer_words,
     .help = "whether to use session timers, and how", .report = "timer.mode"},
    /* The Session-Expires ranges depend on --timer-unchecked: cli.c checks them once every
     * flag is in (check_timer), and the engine has the last word. */
    {.flag = "--timer-se", .metavar = "S", .cmds = RUN, .section = SB_SEC_TIMER,
     .unit = SB_UNIT_SECONDS, SB_FIELD(cfg.timer.se_s), .lo = SB_SE_FLOOR_S, .hi = SB_SE_CEIL_S,
     .engine_range = true, .help = "Session-Expires we ask for; required with --timer",
     .report = "timer.se_s"},
    {.flag = "--timer-min-se", .metavar = "S", .cmds = RUN, .section = SB_SEC_TIMER,
     .unit = SB_UNIT_SECONDS, SB_FIELD(cfg.timer.min_se_s), .lo = SB_SE_FLOOR_S, .hi = SB_SE_CEIL_S,
     .engine_range = true, .help = "our Min-SE; as UAS we answer 422 below it",
     .report = "timer.min_se_s"},
    {.flag = "--timer-refresher", .metavar = "WHO", .cmds = RUN, .section = SB_SEC_TIMER,
     .unit = SB_UNIT_WORD, SB_FIELD(cfg.timer.refresher), .words = refresher_words,
     .help = "refresher preference", .report = "timer.refresher"},
    {.flag = "--timer-method", .metavar = "M", .cmds = RUN, .section = SB_SEC_TIMER,
     .unit = SB_UNIT_WORD, SB_FIELD(cfg.timer.method), .words = method_words,
     .help = "refresh by re-INVITE, UPDATE, or UPDATE if the far end allows it",
     .report = "timer.method"},
    {.flag = "--timer-soft-expiry", .cmds = RUN, .section = SB_SEC_TIMER, .unit = SB_UNIT_SWITCH,
     SB_FIELD(cfg.timer.soft_expiry), .zero = "off",
     .help = "on expiry log a warning instead of sending BYE", .report = "timer.soft_expiry"},
    {.flag = "--timer-max-422", .metavar = "N", .cmds = RUN, .section = SB_SEC_TIMER,
     .unit = SB_UNIT_COUNT, SB_FIELD(cfg.timer.max_422), .lo = 0, .hi = SB_MAX_422_CAP,
     .engine_range = true, .help = "422 retries per call before the call fails",
     .report = "timer.max_422"},
    /* Engine policy, no flag: the largest interval we accept after a 422. */
    {.cmds = RUN, .section = SB_SEC_TIMER, .unit = SB_UNIT_SECONDS, SB_FIELD(cfg.timer.max_se_s),
     .report = "timer.max_se_s"},
    {.flag = "--timer-unchecked", .cmds = RUN, .section = SB_SEC_TIMER, .unit = SB_UNIT_SWITCH,
     SB_FIELD(cfg.timer.unchecked), .zero = "off",
     .help = "send SE and Min-SE as given, outside the range of --timer-se too",
     .report = "timer.unchecked"},
    {.flag = "--timer-skip-refresh", .metavar = "N", .cmds = RUN, .section = SB_SEC_TIMER,
     .unit = SB_UNIT_COUNT, SB_FIELD(cfg.timer.skip_refresh_from), .lo = 1, .hi = UINT32_MAX,
     .zero = "off", .help = "fault: as refresher, go silent from the Nth refresh on",
     .report = "timer.skip_refresh_from"},
    {.flag = "--timer-answer-refresh", .metavar = "CODE", .cmds = RUN, .section = SB_SEC_TIMER,
     .unit = SB_UNIT_CODE, SB_FIELD(cfg.timer.answer_refresh_code), .lo = SB_FAIL_CODE_MIN,
     .hi = SB_FAIL_CODE_MAX, .engine_range = true, .zero = "off",
     .help = "fault: answer the far end's refreshes with CODE",
     .report = "timer.answer_refresh_code"},

    /* ---- verdicts ---- */
    {.flag = "--fail-on", .metavar = "LEVEL", .cmds = RUN, .section = SB_SEC_VERDICT,
     .unit = SB_UNIT_WORD, .words = fail_on_words, .get = get_fail_on, .set = set_fail_on,
     .def = "must", .help = "which far-end check failures fail a call", .report = "fail_on"},
    {.flag = "--no-fail-on-violation", .cmds = RUN, .section = SB_SEC_VERDICT,
     .unit = SB_UNIT_SWITCH, SB_FIELD(fail_on_violation), .set = set_fail_on, .lo = FAIL_ON_NONE,
     .clears = true, .zero = "off", .help = "the same as --fail-on none",
     .report = "fail_on_violation"},
    {.flag = "--min-duration", .metavar = "DUR", .cmds = RUN, .section = SB_SEC_VERDICT,
     .unit = SB_UNIT_DURATION, SB_FIELD(cfg.min_duration_ms), .lo = 1, .hi = DUR_MAX_MS,
     .zero = "none", .help = "a far-end BYE sooner after the answer fails the call",
     .report = "min_duration_ms"},

    /* ---- outputs ---- */
    {.flag = "--report", .metavar = "FILE|-", .cmds = ALL, .section = SB_SEC_OUTPUT,
     .unit = SB_UNIT_PATH, SB_FIELD(report_path),
     .help = "JSON report: config, summary, one record per call"},
    {.flag = "--events", .metavar = "FILE|-", .cmds = ALL, .section = SB_SEC_OUTPUT,
     .unit = SB_UNIT_PATH, SB_FIELD(events_path), .help = "NDJSON, one line per engine event"},
    {.flag = "--trace", .metavar = "FILE|-", .cmds = ALL, .section = SB_SEC_OUTPUT,
     .unit = SB_UNIT_PATH, SB_FIELD(trace_path),
     .help = "every SIP message sent and received, timestamped"},
    {.flag = "--quiet", .alias = "-q", .cmds = ALL, .section = SB_SEC_OUTPUT,
     .unit = SB_UNIT_SWITCH, SB_FIELD(quiet), .help = "print nothing but errors"},
    {.flag = "--verbose", .alias = "-v", .cmds = RUN | REG, .section = SB_SEC_OUTPUT,
     .unit = SB_UNIT_SWITCH, SB_FIELD(verbose),
     .help = "print events as a timeline on stderr, retransmissions included"},
    {.flag = "--help", .alias = "-h", .cmds = ALL, .section = SB_SEC_OUTPUT, .unit = SB_UNIT_HELP,
     .help = "print this help"},

    /* ---- echoed in the report, no flag ---- */
    {.cmds = RUN, .section = SB_SEC_OUTPUT, .unit = SB_UNIT_DURATION, SB_FIELD(cfg.t1_ms),
     .report = "t1_ms"},
    {.cmds = RUN, .section = SB_SEC_OUTPUT, .unit = SB_UNIT_COUNT, SB_FIELD(cfg.seed),
     .report = "seed"},
};
/* clang-format on */
const size_t sb_settings_count = sizeof sb_settings / sizeof sb_settings[0];
_Static_assert(sizeof sb_settings / sizeof sb_settings[0] <= SB_SETTINGS_MAX,
               "raise SB_SETTINGS_MAX");

/* ---- names of words, for the report and the timeline ---------------------------------------- */

const char *sb_word_name(const sb_word *w, int v, const char *fallback) {
    for (; w->name; w++)
        if (w->value == v) return w->name;
    return fallback;
}

const char *sb_timer_mode_name(sb_timer_mode m) {
    return sb_word_name(timer_words, (int)m, "?");
}
const char *sb_refresh_method_name(sb_refresh_method m) {
    return sb_word_name(method_words, (int)m, "?");
}
const char *sb_refresher_pref_name(sb_refresher r) {
    return sb_word_name(refresher_words, (int)r, "?");
}
const char *sb_hold_mode_name(sb_hold_mode m) {
    return sb_word_name(hold_words, (int)m, "none");
}

/* ---- lookup -----------------------------------------------------------------------------------
 */

static unsigned cmd_bit(sb_cmd c) {
    return c == SB_CMD_ANSWER     ? SB_IN_ANSWER
           : c == SB_CMD_CALL     ? SB_IN_CALL
           : c == SB_CMD_DEMO     ? SB_IN_DEMO
           : c == SB_CMD_REGISTER ? SB_IN_REGISTER
                                  : 0;
}

bool sb_setting_in(const sb_setting *s, sb_cmd cmd) {
    return (s->cmds & cmd_bit(cmd)) != 0;
}

static bool name_is(const char *want, const char *name, size_t len) {
    return want && strlen(want) == len && memcmp(want, name, len) == 0;
}

const sb_setting *sb_setting_find(const char *name, size_t len, sb_cmd cmd) {
    const sb_setting *any = NULL;
    for (size_t i = 0; i < sb_settings_count; i++) {
        const sb_setting *s = &sb_settings[i];
        if (!name_is(s->flag, name, len) && !name_is(s->alias, name, len)) continue;
        if (sb_setting_in(s, cmd)) return s;
        if (!any) any = s;
    }
    return any;
}

const sb_setting *sb_setting_of_field(const char *cfg_path, sb_cmd cmd) {
    for (size_t i = 0; i < sb_settings_count; i++) {
        const sb_setting *s = &sb_settings[i];
        if (s->field && strncmp(s->field, "cfg.", 4) == 0 && strcmp(s->field + 4, cfg_path) == 0 &&
            sb_setting_in(s, cmd))
            return s;
    }
    return NULL;
}

/* ---- field access -----------------------------------------------------------------------------
 */

static void *at(const sb_setting *s, sb_cli *c) {
    return (char *)c + s->off;
}
static const void *at_c(const sb_setting *s, const sb_cli *c) {
    return (const char *)c + s->off;
}

/* Unsigned numbers and int-sized enums, by the field's size; memcpy keeps aliasing legal. */
static void put_uint(const sb_setting *s, sb_cli *c, uint64_t v) {
    void *p = at(s, c);
    if (s->size == 1) {
        bool b = v != 0;
        memcpy(p, &b, 1);
    } else if (s->size == 2) {
        uint16_t x = (uint16_t)v;
        memcpy(p, &x, 2);
    } else if (s->size == 4) {
        uint32_t x = (uint32_t)v;
        memcpy(p, &x, 4);
    } else {
        memcpy(p, &v, 8);
    }
}

const sb_strlist *sb_setting_list(const sb_setting *s, const sb_cli *c) {
    return s->unit == SB_UNIT_LIST && s->size == sizeof(sb_strlist) ? at_c(s, c) : NULL;
}

const char *sb_setting_text(const sb_setting *s, const sb_cli *c) {
    const char *p = NULL;
    if (s->field && s->size == sizeof p) memcpy(&p, at_c(s, c), sizeof p);
    return p;
}

uint64_t sb_setting_uint(const sb_setting *s, const sb_cli *c) {
    if (s->get) return (uint64_t)s->get(c);
    if (!s->field) return 0;
    const void *p = at_c(s, c);
    if (s->size == 1) {
        bool b;
        memcpy(&b, p, 1);
        return b;
    }
    if (s->size == 2) {
        uint16_t x;
        memcpy(&x, p, 2);
        return x;
    }
    if (s->size == 4) {
        uint32_t x;
        memcpy(&x, p, 4);
        return x;
    }
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
}

/* The largest number the field holds. */
static uint64_t width_max(size_t size) {
    return size == 2 ? UINT16_MAX : size == 4 ? UINT32_MAX : UINT64_MAX;
}

/* ---- parsing ----------------------------------------------------------------------------------
 */

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

/* "1..20", or ">= 1" when the top is only the field's width. */
static const char *range_text(uint64_t lo, uint64_t hi, char *buf, size_t cap) {
    if (hi >= UINT32_MAX)
        snprintf(buf, cap, ">= %llu", (unsigned long long)lo);
    else
        snprintf(buf, cap, "%llu..%llu", (unsigned long long)lo, (unsigned long long)hi);
    return buf;
}

static const char dur_allowed[] = "a whole number with unit ms, s, m or h, e.g. 500ms, 10s, 2m, 1h";

/* The message is one line: a CR or LF in the value is written \r or \n. */
static int bad(char *err, size_t cap, const char *name, const char *val, const char *what) {
    char shown[600];
    size_t o = 0;
    for (const char *p = val; *p && o + 3 < sizeof shown; p++) {
        if (*p == '\r' || *p == '\n') {
            shown[o++] = '\\';
            shown[o++] = *p == '\r' ? 'r' : 'n';
        } else {
            shown[o++] = *p;
        }
    }
    shown[o] = '\0';
    snprintf(err, cap, "%s %s: %s", name, shown, what);
    return -1;
}

int sb_setting_parse(const sb_setting *s, const char *name, const char *val, sb_cli *c, char *err,
                     size_t cap) {
    char what[160], range[48];
    switch (s->unit) {
    case SB_UNIT_HELP:
        c->help_about = c->cmd;
        c->cmd = SB_CMD_HELP;
        return 0;
    case SB_UNIT_SWITCH:
        if (s->set)
            s->set(c, (int)s->lo);
        else
            put_uint(s, c, !s->clears);
        return 0;
    case SB_UNIT_PATH:
        memcpy(at(s, c), &val, sizeof val);
        return 0;
    case SB_UNIT_TEXT: {
        char why[256];
        if (!s->check(s, val, why, sizeof why))
            return bad(err, cap, name, val[0] ? val : "''", why);
        memcpy(at(s, c), &val, sizeof val);
        return 0;
    }
    case SB_UNIT_LIST: {
        char why[256], quoted[600];
        snprintf(quoted, sizeof quoted, "'%s'", val);
        sb_strlist *l = at(s, c);
        if (!s->check(s, val, why, sizeof why)) return bad(err, cap, name, quoted, why);
        if (l->n >= s->hi || l->n >= SB_MAX_EXTRA_HEADERS) {
            snprintf(why, sizeof why, "one too many (allowed: %s given at most %llu times)", name,
                     (unsigned long long)s->hi);
            return bad(err, cap, name, quoted, why);
        }
        l->v[l->n++] = val;
        return 0;
    }
    case SB_UNIT_SECRET: /* no flag sets a secret */
        return bad(err, cap, name, "", "not settable on the command line");
    case SB_UNIT_COUNT:
    case SB_UNIT_CODE:
    case SB_UNIT_SECONDS: {
        /* An engine range is the engine's to judge; here the value has only to fit. */
        uint64_t v = 0, lo = s->engine_range ? 0 : s->lo;
        uint64_t hi = s->engine_range ? width_max(s->size) : s->hi;
        if (!parse_u64(val, &v) || v < lo || v > hi) {
            range_text(s->lo, s->hi, range, sizeof range);
            snprintf(what, sizeof what, "not allowed (allowed: %s %s)",
                     s->unit == SB_UNIT_CODE      ? "a SIP final status code"
                     : s->unit == SB_UNIT_SECONDS ? "whole seconds,"
                                                  : "a whole number",
                     range);
            return bad(err, cap, name, val, what);
        }
        put_uint(s, c, v);
        return 0;
    }
    case SB_UNIT_DURATION: {
        uint64_t ms = 0;
        sb_dur_status st = sb_duration_parse(val, &ms);
        if (st == SB_DUR_NO_UNIT) {
            snprintf(what, sizeof what, "a duration needs a unit (allowed: %s)", dur_allowed);
            return bad(err, cap, name, val, what);
        }
        if (st != SB_DUR_OK) {
            snprintf(what, sizeof what, "not a duration (allowed: %s)", dur_allowed);
            return bad(err, cap, name, val, what);
        }
        if (ms < s->lo || ms > s->hi) {
            char lo[24], hi[24];
            if (s->lo)
                sb_duration_format(s->lo, lo, sizeof lo);
            else
                snprintf(lo, sizeof lo, "0ms");
            sb_duration_format(s->hi, hi, sizeof hi);
            snprintf(what, sizeof what, "out of range (allowed: %s..%s)", lo, hi);
            return bad(err, cap, name, val, what);
        }
        put_uint(s, c, ms);
        return 0;
    }
    case SB_UNIT_RATE: {
        char *end = NULL;
        errno = 0;
        double r = strtod(val, &end);
        if (end == val || *end != '\0' || errno || !isfinite(r) || r <= 0 || r > (double)s->hi) {
            snprintf(what, sizeof what,
                     "not allowed (allowed: calls per second, more than 0 and at most %llu, e.g. "
                     "10 or 0.5)",
                     (unsigned long long)s->hi);
            return bad(err, cap, name, val, what);
        }
        memcpy(at(s, c), &r, sizeof r);
        return 0;
    }
    case SB_UNIT_ADDRESS: {
        sb_addr a;
        if (sb_addr_parse(&a, val, strlen(val), s->port) != 0)
            return bad(err, cap, name, val,
                       "not an address (allowed: IP[:PORT], e.g. 127.0.0.1:5060 or [::1]:5060; "
                       "no host names)");
        memcpy(at(s, c), &a, sizeof a);
        return 0;
    }
    case SB_UNIT_WORD: {
        const sb_word *w = s->words;
        for (; w->name; w++)
            if (strcmp(val, w->name) == 0) break;
        if (!w->name) {
            size_t n = (size_t)snprintf(what, sizeof what, "not allowed (allowed: ");
            for (const sb_word *x = s->words; x->name && n < sizeof what; x++)
                n += (size_t)snprintf(what + n, sizeof what - n, "%s%s", x->name,
                                      x[1].name ? ", " : ")");
            return bad(err, cap, name, val, what);
        }
        if (s->set)
            s->set(c, w->value);
        else
            put_uint(s, c, (uint32_t)w->value);
        return 0;
    }
    }
    return -1;
}

void sb_settings_defaults(sb_cli *c, sb_cmd cmd) {
    char err[200];
    memset(c, 0, sizeof *c);
    sb_config_init(&c->cfg);
    for (int own = 0; own < 2; own++)
        for (size_t i = 0; i < sb_settings_count; i++) {
            const sb_setting *s = &sb_settings[i];
            /* A default that does not parse is a bug of the table: test_app_settings parses
             * every one. */
            if (s->def && sb_setting_in(s, cmd) == own)
                (void)sb_setting_parse(s, s->flag, s->def, c, err, sizeof err);
        }
}

/* ---- showing ----------------------------------------------------------------------------------
 */

const char *sb_setting_show(const sb_setting *s, const sb_cli *c, char *buf, size_t cap) {
    const char *none = s->zero ? s->zero : "";
    switch (s->unit) {
    case SB_UNIT_HELP:
        return "";
    case SB_UNIT_SWITCH: /* a switch's default is "not given" */
        return (sb_setting_uint(s, c) != 0) == !s->clears ? "on" : none;
    case SB_UNIT_PATH:
    case SB_UNIT_TEXT: {
        const char *p = sb_setting_text(s, c);
        return p ? p : none;
    }
    case SB_UNIT_SECRET: /* never the secret itself */
        return sb_setting_text(s, c) ? "set" : none;
    case SB_UNIT_LIST: { /* the values one after the other, each quoted */
        const sb_strlist *l = sb_setting_list(s, c);
        size_t o = 0;
        if (!l->n) return none;
        buf[0] = '\0';
        for (uint32_t i = 0; i < l->n && o < cap; i++)
            o += (size_t)snprintf(buf + o, cap - o, "%s'%s'", i ? " " : "", l->v[i]);
        return buf;
    }
    case SB_UNIT_ADDRESS: {
        sb_addr a;
        memcpy(&a, at_c(s, c), sizeof a);
        sb_addr_format(&a, buf, cap, true);
        return buf;
    }
    case SB_UNIT_RATE: {
        double r;
        memcpy(&r, at_c(s, c), sizeof r);
        snprintf(buf, cap, "%g", r);
        return buf;
    }
    case SB_UNIT_WORD:
        return sb_word_name(s->words, (int)sb_setting_uint(s, c), "?");
    case SB_UNIT_DURATION:
    case SB_UNIT_COUNT:
    case SB_UNIT_CODE:
    case SB_UNIT_SECONDS: {
        uint64_t v = sb_setting_uint(s, c);
        if (v == 0) return none;
        if (s->unit == SB_UNIT_DURATION)
            sb_duration_format(v, buf, (unsigned)cap);
        else
            snprintf(buf, cap, "%llu", (unsigned long long)v);
        return buf;
    }
    }
    return "";
}

const char *sb_setting_range(const sb_setting *s, char *buf, size_t cap) {
    switch (s->unit) {
    case SB_UNIT_TEXT:
        snprintf(buf, cap, "up to %llu bytes", (unsigned long long)s->hi);
        return buf;
    case SB_UNIT_LIST:
        snprintf(buf, cap, "repeatable, up to %llu times", (unsigned long long)s->hi);
        return buf;
    case SB_UNIT_COUNT:
    case SB_UNIT_CODE:
        return range_text(s->lo, s->hi, buf, cap);
    case SB_UNIT_SECONDS:
        snprintf(buf, cap, "%llu..%llu s", (unsigned long long)s->lo, (unsigned long long)s->hi);
        return buf;
    case SB_UNIT_RATE:
        snprintf(buf, cap, "up to %llu", (unsigned long long)s->hi);
        return buf;
    case SB_UNIT_WORD: {
        size_t n = 0;
        buf[0] = '\0';
        for (const sb_word *w = s->words; w->name && n < cap; w++)
            n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? " | " : "", w->name);
        return buf;
    }
    default:
        return "";
    }
}
