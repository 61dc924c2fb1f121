/* Help texts for `sipbeat --help` and `sipbeat help COMMAND`; docs/cli.md is the long form. */
#include "app/cli.h"

static const char overview[] =
    "sipbeat " SB_VERSION " - SIP call-testing agent with RFC 4028 session timers\n"
    "\n"
    "usage: sipbeat COMMAND [FLAGS]\n"
    "\n"
    "commands:\n"
    "  call URI     place calls (UAC) to URI, e.g. sip:service@127.0.0.1:5060\n"
    "  answer       answer calls (UAS) on --listen ADDR:PORT\n"
    "  demo         a UAC and a UAS on loopback showing hold, timers, 422 and expiry\n"
    "  parse FILE   parse one SIP message (FILE or - for stdin) and print it as JSON;\n"
    "               malformed: one line with the reason and byte offset, exit 1\n"
    "  help CMD     flags of one command\n"
    "\n"
    "  --help, --version\n"
    "\n"
    "exit codes: 0 all calls passed, 1 a call failed, 2 usage or configuration error,\n"
    "            3 runtime error, 4 interrupted (after BYE and a written report)\n";

static const char outputs[] =
    "outputs:\n"
    "  --report FILE|-        JSON report: config, summary, one record per call\n"
    "  --events FILE|-        NDJSON, one line per engine event\n"
    "  --trace FILE|-         every SIP message sent and received, timestamped\n"
    "  -q, --quiet            print nothing but errors\n";

static const char run_outputs[] =
    "  -v, --verbose          print events as a timeline on stderr\n"
    "  --no-fail-on-violation RFC 4028 violations by the far end do not fail the run\n";

static const char timers[] =
    "session timers (RFC 4028):\n"
    "  --timer MODE               off | supported | required | always (default off)\n"
    "  --timer-se S               Session-Expires in seconds, 90..7200; required with --timer\n"
    "  --timer-min-se S           our Min-SE in seconds (default 90, or a lower SE if unchecked)\n"
    "  --timer-refresher WHO      uac | uas | none (default uac)\n"
    "  --timer-method M           invite | update | auto (default invite)\n"
    "  --timer-soft-expiry        on expiry log instead of sending BYE\n"
    "  --timer-max-422 N          422 retries per call (default 3)\n"
    "  --timer-unchecked          send SE and Min-SE as given, even outside 90..7200\n"
    "  --timer-skip-refresh N     fault: as refresher, go silent from the Nth refresh\n"
    "  --timer-answer-refresh C   fault: answer incoming refreshes with status C\n";

static const char call_help[] =
    "usage: sipbeat call URI [FLAGS]\n"
    "\n"
    "Places calls to URI (host must be an IP address; default port 5060). Durations take a\n"
    "unit: 500ms, 10s, 2m, 1h.\n"
    "\n"
    "load:\n"
    "  -m, --calls N          calls to place (default 1)\n"
    "  -r, --rate CPS         calls started per second, may be fractional (default 10)\n"
    "  -l, --limit N          most calls live at once (default no limit)\n"
    "  -d, --duration DUR     talk time after the answer, then BYE (default 10s)\n"
    "  --local ADDR[:PORT]    local address (default 127.0.0.1:0, an ephemeral port)\n"
    "  --hold-at DUR          put the call on hold this long after the answer\n"
    "  --hold-mode MODE       sendonly | inactive (default sendonly)\n"
    "  --resume-at DUR        take it off hold this long after the answer\n"
    "\n"
    "example: sipbeat call sip:service@127.0.0.1:5060 -m 100 -r 5 -l 20 -d 30s \\\n"
    "             --timer supported --timer-se 90 --report run.json\n";

static const char answer_help[] =
    "usage: sipbeat answer [FLAGS]\n"
    "\n"
    "Answers calls until interrupted (exit 4) or until --max-calls calls have ended.\n"
    "\n"
    "  --listen ADDR:PORT     where to listen (default 127.0.0.1:5060)\n"
    "  --ring-time DUR        180 Ringing, then 200 after this long (default 0: 200 at once)\n"
    "  --reject CODE          answer every INVITE with CODE (300..699)\n"
    "  --max-calls N          exit after N calls have ended\n"
    "  --max-concurrent N     503 to calls beyond N live ones\n";

static const char demo_help[] =
    "usage: sipbeat demo [--report FILE] [--trace FILE] [--events FILE] [-q]\n"
    "\n"
    "Runs five calls between UAC and UAS engines on 127.0.0.1 over real UDP (about 20 s):\n"
    "a plain call, hold and resume, session refreshes, a 422 retry, and an expiry BYE\n"
    "after the refresher goes silent. Exit 0 if every call ended as expected.\n";

static const char parse_help[] =
    "usage: sipbeat parse [FILE|-]\n"
    "\n"
    "Parses one SIP message from FILE (- or nothing: standard input) and prints it as JSON:\n"
    "start line, headers, body length, and Session-Expires, Min-SE, Supported and Require\n"
    "decoded. A block pasted from a --trace file may keep its \"----- ... bytes)\" line: the\n"
    "message is then exactly the bytes that line announces. Exit 0 valid, 1 malformed (one\n"
    "line: the reason and the byte offset), 2 usage error, 3 the file cannot be read.\n";

static char buf[4096];

const char *sb_cli_help(sb_cmd about) {
    const char *parts[6] = {0};
    switch (about) {
    case SB_CMD_CALL:
        parts[0] = call_help, parts[1] = "\n", parts[2] = timers, parts[3] = "\n",
        parts[4] = outputs, parts[5] = run_outputs;
        break;
    case SB_CMD_ANSWER:
        parts[0] = answer_help, parts[1] = "\n", parts[2] = timers, parts[3] = "\n",
        parts[4] = outputs, parts[5] = run_outputs;
        break;
    case SB_CMD_DEMO:
        parts[0] = demo_help, parts[1] = "\n", parts[2] = outputs;
        break;
    case SB_CMD_PARSE:
        return parse_help;
    default:
        return overview;
    }
    buf[0] = '\0';
    size_t len = 0;
    for (int i = 0; i < 6 && parts[i]; i++) {
        for (const char *p = parts[i]; *p && len + 1 < sizeof buf; p++)
            buf[len++] = *p;
    }
    buf[len] = '\0';
    return buf;
}
