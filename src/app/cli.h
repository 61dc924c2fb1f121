/* Command line: argv -> sb_cli (engine config plus what the app does around it). Pure apart
 * from reading argv: it opens no file and touches no socket, so every exit-2 case is testable. */
#ifndef SB_APP_CLI_H
#define SB_APP_CLI_H

#include "sipbeat/engine.h"

#include <stddef.h>
#include <stdint.h>

#define SB_VERSION "0.1.0"

typedef enum {
    SB_CMD_NONE = 0,
    SB_CMD_HELP,    /* --help, help [COMMAND] */
    SB_CMD_VERSION, /* --version */
    SB_CMD_ANSWER,
    SB_CMD_CALL,
    SB_CMD_DEMO,
    SB_CMD_PARSE, /* only as a help topic: main() hands `parse` to sb_run_parse directly */
    SB_CMD_REGISTER,
} sb_cmd;

/* The values of a repeatable flag (--header), in the order given. */
typedef struct {
    const char *v[SB_MAX_EXTRA_HEADERS];
    uint32_t n;
} sb_strlist;

typedef struct {
    sb_cmd cmd;
    sb_cmd help_about; /* for SB_CMD_HELP: the command asked about, or SB_CMD_NONE */
    sb_config cfg;     /* engine configuration; cfg.local is the listen / local address */

    /* call */
    const char *uri;
    sb_addr dest;
    uint64_t calls;       /* -m */
    double rate_cps;      /* -r */
    uint64_t limit;       /* -l, 0 = no limit */
    uint32_t duration_ms; /* -d */
    uint32_t hold_at_ms, resume_at_ms;
    sb_hold_mode hold_mode;
    const char *to_uri; /* --to: NULL, the URI */
    /* --header, each a "Name: value" line; sb_cli_parse points cfg.headers at them */
    sb_strlist headers;

    /* register (uri and dest as for call) */
    uint32_t reg_duration_ms; /* -d: stay registered this long, then unregister; 0: until signal */
    uint32_t reg_expires_s;   /* --expires (call and answer with --register too) */
    /* call, answer: --register binds each account (or --user) first, at --registrar (call's
     * default: the URI's host, or the --proxy) */
    bool register_first;
    const char *registrar_uri;
    sb_addr registrar;

    /* --accounts FILE.csv (accounts.h): read where the command starts */
    const char *accounts_path;

    /* answer */
    uint64_t max_calls; /* --max-calls: exit after this many calls ended, 0 = run until signal */

    /* credentials: the digest password is read from this file (or SIPBEAT_AUTH_PASSWORD)
     * where the command starts, into cfg.auth_password (credentials.h) */
    const char *auth_password_file;

    /* outputs and verdict */
    const char *report_path, *events_path, *trace_path; /* NULL = none, "-" = stdout */
    bool quiet, verbose;
    bool fail_on_violation; /* false with --no-fail-on-violation (or --fail-on none) */
    bool fail_on_should;    /* --fail-on should: SHOULD-level deviations fail calls too */
} sb_cli;

/* Exit codes shared by every command (PRODUCT.md). */
enum {
    SB_EXIT_PASS = 0,
    SB_EXIT_FAIL = 1,
    SB_EXIT_USAGE = 2,
    SB_EXIT_RUNTIME = 3,
    SB_EXIT_INTERRUPTED = 4
};

/* Parses argv (argv[0] is the program) into out. Returns 0, or SB_EXIT_USAGE with one line in
 * err (no trailing newline, starting "sipbeat: ") naming the flag, the value and what is
 * allowed. Strings in out point into argv. */
int sb_cli_parse(sb_cli *out, int argc, char **argv, char *err, size_t err_cap);

/* True for the flags a user may try for a password (--auth-password, --password, --pass, the
 * first len bytes of name). None is ours: a password in argv ends up in shell history and in
 * ps, so sb_cli_parse refuses them for call and answer with a line saying where it goes. */
bool sb_cli_password_flag(const char *name, size_t len);

/* Help text for a command (SB_CMD_NONE: the overview): the command's intro, then its flags
 * from the settings table (settings.h) with what each allows and its default. A static buffer,
 * valid until the next call. */
const char *sb_cli_help(sb_cmd about);

const char *sb_cmd_name(sb_cmd c);
const char *sb_timer_mode_name(sb_timer_mode m); /* "off" ... "always" */
const char *sb_refresh_method_name(sb_refresh_method m);
const char *sb_refresher_pref_name(sb_refresher r); /* "uac" "uas" "none" */
const char *sb_hold_mode_name(sb_hold_mode m);

#endif
