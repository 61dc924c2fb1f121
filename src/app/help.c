/* Help texts for `sipbeat --help` and `sipbeat help COMMAND`; docs/cli.md is the long form.
 * Each command's intro is written here; its flags are listed from the settings table. */
#include "app/cli.h"

#include "app/settings.h"

#include <stdio.h>
#include <string.h>

static const char overview[] =
    "sipbeat " SB_VERSION " - SIP call-testing agent with RFC 4028 session timers\n"
    "\n"
    "usage: sipbeat COMMAND [FLAGS]\n"
    "\n"
    "commands:\n"
    "  call URI     place calls (UAC) to URI, e.g. sip:service@127.0.0.1:5060\n"
    "  answer       answer calls (UAS) on --listen ADDR:PORT\n"
    "  register URI bind our Contact to the address-of-record URI at its registrar, stay\n"
    "               registered (-d), then unregister\n"
    "  demo         a UAC and a UAS on loopback showing hold, timers, 422 and expiry\n"
    "  parse FILE   parse one SIP message (FILE or - for stdin) and print it as JSON;\n"
    "               malformed: one line with the reason and byte offset, exit 1\n"
    "  help CMD     flags of one command\n"
    "\n"
    "  --help, --version\n"
    "\n"
    "exit codes: 0 all calls passed, 1 a call failed, 2 usage or configuration error,\n"
    "            3 runtime error, 4 interrupted (after BYE and a written report)\n";

static const char call_help[] =
    "usage: sipbeat call URI [FLAGS]\n"
    "\n"
    "Places calls to URI (host must be an IP address; default port 5060). Durations take a\n"
    "unit: 500ms, 10s, 2m, 1h.\n"
    "\n"
    "example: sipbeat call sip:service@127.0.0.1:5060 -m 100 -r 5 -l 20 -d 30s \\\n"
    "             --timer supported --timer-se 90 --report run.json\n"
    "\n";

static const char answer_help[] =
    "usage: sipbeat answer [FLAGS]\n"
    "\n"
    "Answers calls until interrupted (exit 4) or until --max-calls calls have ended.\n"
    "\n";

static const char register_help[] =
    "usage: sipbeat register URI [FLAGS]\n"
    "\n"
    "Registers our Contact for the address-of-record URI (sip:user@IP[:PORT]) at the\n"
    "registrar at URI's host, refreshes the binding before it expires, and after -d (or at\n"
    "Ctrl-C) unregisters it (expires=0). A 401/407 is answered with the credentials, a 423\n"
    "with its Min-Expires. Exit 0 when registered and then unregistered cleanly, 1 otherwise.\n"
    "\n"
    "example: sipbeat register sip:alice@192.0.2.10 --auth-password-file pw -d 1m --expires 60\n"
    "\n";

static const char demo_help[] =
    "usage: sipbeat demo [--report FILE] [--trace FILE] [--events FILE] [-q]\n"
    "\n"
    "Runs five calls between UAC and UAS engines on 127.0.0.1 over real UDP (about 20 s):\n"
    "a plain call, hold and resume, session refreshes, a 422 retry, and an expiry BYE\n"
    "after the refresher goes silent. Exit 0 if every call ended as expected.\n"
    "\n";

static const char parse_help[] =
    "usage: sipbeat parse [FILE|-]\n"
    "\n"
    "Parses one SIP message from FILE (- or nothing: standard input) and prints it as JSON:\n"
    "start line, headers, body length, and Session-Expires, Min-SE, Supported and Require\n"
    "decoded. A block pasted from a --trace file may keep its \"----- ... bytes)\" line: the\n"
    "message is then exactly the bytes that line announces. Exit 0 valid, 1 malformed (one\n"
    "line: the reason and the byte offset), 2 usage error, 3 the file cannot be read.\n";

static const char *const headings[SB_SEC__COUNT] = {
    [SB_SEC_CALL] = "calls:",
    [SB_SEC_IDENTITY] = "identity and routing of our calls:",
    [SB_SEC_ANSWER] = "answering:",
    [SB_SEC_REGISTER] = "registering:",
    [SB_SEC_AUTH] = "identity and credentials (digest auth):",
    [SB_SEC_TIMER] = "session timers (RFC 4028):",
    [SB_SEC_VERDICT] = "verdicts:",
    [SB_SEC_OUTPUT] = "outputs:",
};

#define FLAG_COLUMN 31 /* where help lines start */
#define WIDTH 100

static char buf[8192];
static size_t len;

static void put(const char *text, size_t n) {
    if (len + n >= sizeof buf) n = sizeof buf - 1 - len;
    memcpy(buf + len, text, n);
    len += n;
    buf[len] = '\0';
}

static void indent(void) {
    for (int i = 0; i < FLAG_COLUMN; i++)
        put(" ", 1);
}

/* Writes text from column col, wrapped at WIDTH onto lines that start at FLAG_COLUMN; returns
 * the column where it ended. */
static size_t put_wrapped(size_t col, const char *text) {
    while (*text) {
        size_t room = col < WIDTH ? WIDTH - col : 0, n = strlen(text);
        if (n > room) {
            n = room;
            while (n > 0 && text[n] != ' ')
                n--;
            if (n == 0) n = strcspn(text, " ");
        }
        put(text, n);
        col += n;
        text += n;
        while (*text == ' ')
            text++;
        if (*text) {
            put("\n", 1);
            indent();
            col = FLAG_COLUMN;
        }
    }
    return col;
}

/* "  -d, --duration DUR           talk time ... (default 10s)": the help line, then what is
 * allowed and the default, in parentheses that never break across lines. */
static void put_setting(const sb_setting *s, const sb_cli *defaults) {
    char left[64], range[96], shown[64], tail[192];
    int n =
        snprintf(left, sizeof left, "  %s%s%s%s%s", s->alias ? s->alias : "", s->alias ? ", " : "",
                 s->flag, s->metavar ? " " : "", s->metavar ? s->metavar : "");
    put(left, strlen(left));
    for (; n < FLAG_COLUMN - 1; n++)
        put(" ", 1);
    put(" ", 1);
    const char *r = sb_setting_range(s, range, sizeof range);
    const char *d = sb_setting_show(s, defaults, shown, sizeof shown);
    if (s->unit == SB_UNIT_SWITCH) d = ""; /* a switch is off until given */
    tail[0] = '\0';
    if (r[0] || d[0])
        snprintf(tail, sizeof tail, "(%s%s%s%s)", r, r[0] && d[0] ? "; " : "",
                 d[0] ? "default " : "", d);
    size_t col = put_wrapped((size_t)(n + 1), s->help);
    if (tail[0]) {
        if (col + 1 + strlen(tail) > WIDTH) {
            put("\n", 1);
            indent();
        } else {
            put(" ", 1);
        }
        put(tail, strlen(tail));
    }
    put("\n", 1);
}

/* The flags of cmd, section by section, in table order. */
static void put_flags(sb_cmd cmd) {
    static sb_cli defaults;
    sb_settings_defaults(&defaults, cmd);
    for (int sec = 0; sec < SB_SEC__COUNT; sec++) {
        bool any = false;
        for (size_t i = 0; i < sb_settings_count; i++) {
            const sb_setting *s = &sb_settings[i];
            if (!s->flag || s->section != (sb_section)sec || !sb_setting_in(s, cmd)) continue;
            if (!any) {
                if (len && buf[len - 2] != '\n') put("\n", 1);
                put(headings[sec], strlen(headings[sec]));
                put("\n", 1);
                any = true;
            }
            put_setting(s, &defaults);
        }
    }
}

const char *sb_cli_help(sb_cmd about) {
    const char *intro;
    switch (about) {
    case SB_CMD_CALL:
        intro = call_help;
        break;
    case SB_CMD_ANSWER:
        intro = answer_help;
        break;
    case SB_CMD_DEMO:
        intro = demo_help;
        break;
    case SB_CMD_REGISTER:
        intro = register_help;
        break;
    case SB_CMD_PARSE:
        return parse_help;
    default:
        return overview;
    }
    len = 0;
    put(intro, strlen(intro));
    put_flags(about);
    return buf;
}
