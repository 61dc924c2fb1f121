/* Unit tests for src/app/cli.c: argv -> config, and the exact one-line exit-2 messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "app/cli.h"

#include <stdio.h>
#include <string.h>

static sb_cli cli;
static char err[512];

/* Parses a NULL-terminated list of words after "sipbeat". */
#define PARSE(...) parse((const char *[]){"sipbeat", __VA_ARGS__, NULL})

static int parse(const char **words) {
    int argc = 0;
    while (words[argc])
        argc++;
    return sb_cli_parse(&cli, argc, (char **)words, err, sizeof err);
}

static void expect_usage(int rc, const char *line) {
    assert_int_equal(rc, SB_EXIT_USAGE);
    assert_string_equal(err, line);
    assert_null(strchr(err, '\n'));
}

static void call_defaults(void **state) {
    (void)state;
    assert_int_equal(PARSE("call", "sip:svc@127.0.0.1:5070"), 0);
    assert_int_equal(cli.cmd, SB_CMD_CALL);
    assert_int_equal(cli.calls, 1);
    assert_true(cli.rate_cps == 10.0);
    assert_int_equal(cli.limit, 0);
    assert_int_equal(cli.duration_ms, 10000);
    assert_int_equal(cli.dest.family, 4);
    assert_int_equal(cli.dest.port, 5070);
    assert_int_equal(cli.cfg.local.port, 0);
    assert_int_equal(cli.cfg.timer.mode, SB_TIMER_OFF);
    assert_int_equal(cli.cfg.timer.min_se_s, 90);
    assert_int_equal(cli.cfg.timer.max_422, 3);
    assert_int_equal(cli.cfg.timer.refresher, SB_REFRESHER_UAC);
    assert_true(cli.fail_on_violation);

    assert_int_equal(PARSE("call", "sip:svc@127.0.0.1"), 0);
    assert_int_equal(cli.dest.port, 5060); /* default port */
    assert_int_equal(PARSE("call", "sip:[::1]:5062"), 0);
    assert_int_equal(cli.dest.family, 6);
    assert_int_equal(cli.cfg.local.family, 6); /* loopback of the URI's family */
}

static void call_flags(void **state) {
    (void)state;
    assert_int_equal(PARSE("call", "-m", "100", "-r", "0.5", "-l", "20", "-d", "2m",
                           "sip:svc@127.0.0.1:5060", "--local=127.0.0.1:6000", "--hold-at", "10s",
                           "--hold-mode", "inactive", "--resume-at", "20s", "-q"),
                     0);
    assert_int_equal(cli.calls, 100);
    assert_true(cli.rate_cps == 0.5);
    assert_int_equal(cli.limit, 20);
    assert_int_equal(cli.duration_ms, 120000);
    assert_int_equal(cli.cfg.local.port, 6000);
    assert_int_equal(cli.hold_at_ms, 10000);
    assert_int_equal(cli.hold_mode, SB_HOLD_INACTIVE);
    assert_int_equal(cli.resume_at_ms, 20000);
    assert_true(cli.quiet);
    assert_true(cli.cfg.max_calls >= 20);
}

static void timer_flags(void **state) {
    (void)state;
    assert_int_equal(PARSE("call", "sip:a@127.0.0.1", "--timer", "required", "--timer-se", "1800",
                           "--timer-min-se", "120", "--timer-refresher", "uas", "--timer-method",
                           "update", "--timer-soft-expiry", "--timer-max-422", "5",
                           "--timer-skip-refresh", "2", "--timer-answer-refresh", "481",
                           "--no-fail-on-violation"),
                     0);
    sb_timer_config *t = &cli.cfg.timer;
    assert_int_equal(t->mode, SB_TIMER_REQUIRED);
    assert_int_equal(t->se_s, 1800);
    assert_int_equal(t->min_se_s, 120);
    assert_int_equal(t->refresher, SB_REFRESHER_UAS);
    assert_int_equal(t->method, SB_REFRESH_UPDATE);
    assert_true(t->soft_expiry);
    assert_int_equal(t->max_422, 5);
    assert_int_equal(t->skip_refresh_from, 2);
    assert_int_equal(t->answer_refresh_code, 481);
    assert_false(cli.fail_on_violation);
    assert_false(t->unchecked);

    /* Short lab intervals need --timer-unchecked, and a matching Min-SE. */
    assert_int_equal(PARSE("answer", "--timer", "always", "--timer-se", "4", "--timer-min-se", "2",
                           "--timer-unchecked"),
                     0);
    assert_int_equal(cli.cfg.timer.se_s, 4);
    assert_int_equal(cli.cfg.timer.min_se_s, 2);
    assert_true(cli.cfg.timer.unchecked);
}

/* --timer-unchecked without --timer-min-se: the default Min-SE 90 follows a shorter SE down,
 * so README's "reproduce the drop in minutes" command is accepted as written. */
static void unchecked_min_se_follows_se(void **state) {
    (void)state;
    assert_int_equal(PARSE("call", "sip:7000@127.0.0.1", "-d", "2m", "--timer", "supported",
                           "--timer-se", "20", "--timer-unchecked"),
                     0);
    assert_int_equal(cli.cfg.timer.se_s, 20);
    assert_int_equal(cli.cfg.timer.min_se_s, 20);
    assert_int_equal(
        PARSE("answer", "--timer", "supported", "--timer-se", "1", "--timer-unchecked"), 0);
    assert_int_equal(cli.cfg.timer.min_se_s, 1);
    /* At or above 90 the default stays 90. */
    assert_int_equal(
        PARSE("answer", "--timer", "supported", "--timer-se", "120", "--timer-unchecked"), 0);
    assert_int_equal(cli.cfg.timer.min_se_s, 90);
    assert_int_equal(
        PARSE("answer", "--timer", "supported", "--timer-se", "90", "--timer-unchecked"), 0);
    assert_int_equal(cli.cfg.timer.min_se_s, 90);
    /* An explicit Min-SE is kept as given, even one below the SE... */
    assert_int_equal(PARSE("call", "sip:a@127.0.0.1", "--timer", "supported", "--timer-se", "20",
                           "--timer-min-se", "5", "--timer-unchecked"),
                     0);
    assert_int_equal(cli.cfg.timer.min_se_s, 5);
    /* ...and one above it too: unchecked sends SE < Min-SE on purpose (a negative test). */
    assert_int_equal(PARSE("call", "sip:a@127.0.0.1", "--timer", "supported", "--timer-se", "20",
                           "--timer-min-se", "30", "--timer-unchecked"),
                     0);
    assert_int_equal(cli.cfg.timer.se_s, 20);
    assert_int_equal(cli.cfg.timer.min_se_s, 30);
    /* Without --timer-unchecked nothing follows: a short SE is out of range. */
    expect_usage(
        PARSE("call", "sip:7000@127.0.0.1", "-d", "2m", "--timer", "supported", "--timer-se", "20"),
        "sipbeat: --timer-se 20: out of range (allowed: 90..7200 seconds, or "
        "1..4294967295 with --timer-unchecked)");
}

static void answer_flags(void **state) {
    (void)state;
    assert_int_equal(PARSE("answer"), 0);
    assert_int_equal(cli.cfg.local.port, 5060);
    assert_int_equal(PARSE("answer", "--listen", "[::1]:5070", "--ring-time", "500ms", "--reject",
                           "486", "--max-calls", "3", "--max-concurrent", "10"),
                     0);
    assert_int_equal(cli.cfg.local.family, 6);
    assert_int_equal(cli.cfg.local.port, 5070);
    assert_int_equal(cli.cfg.ring_time_ms, 500);
    assert_int_equal(cli.cfg.reject_code, 486);
    assert_int_equal(cli.max_calls, 3);
    assert_int_equal(cli.cfg.max_concurrent, 10);
}

/* Verdict flags: --fail-on picks the levels that fail a call; --min-duration and answer -d set
 * when a far-end hangup counts as a drop and when the answerer hangs up itself. */
static void verdict_flags(void **state) {
    (void)state;
    assert_int_equal(PARSE("call", "sip:a@127.0.0.1", "--fail-on", "should"), 0);
    assert_true(cli.fail_on_violation);
    assert_true(cli.fail_on_should);
    assert_int_equal(PARSE("call", "sip:a@127.0.0.1", "--fail-on", "none"), 0);
    assert_false(cli.fail_on_violation);
    assert_false(cli.fail_on_should);
    assert_int_equal(PARSE("call", "sip:a@127.0.0.1"), 0);
    assert_true(cli.fail_on_violation);
    assert_false(cli.fail_on_should);
    expect_usage(PARSE("call", "sip:a@127.0.0.1", "--fail-on", "may"),
                 "sipbeat: --fail-on may: not allowed (allowed: must, should, none)");
    assert_int_equal(PARSE("answer", "-d", "20s", "--min-duration", "15s"), 0);
    assert_int_equal(cli.cfg.answer_duration_ms, 20000);
    assert_int_equal(cli.cfg.min_duration_ms, 15000);
    assert_int_equal(PARSE("answer"), 0);
    assert_int_equal(cli.cfg.answer_duration_ms, 0);
    assert_int_equal(PARSE("call", "sip:a@127.0.0.1", "--min-duration", "2m"), 0);
    assert_int_equal(cli.cfg.min_duration_ms, 120000);
    expect_usage(PARSE("answer", "--min-duration", "15"),
                 "sipbeat: --min-duration 15: a duration needs a unit (allowed: a whole number "
                 "with unit ms, s, m or h, e.g. 500ms, 10s, 2m, 1h)");
}

/* --user, --auth-user and --auth-password-file, for call and answer; demo takes none. */
static void identity_flags(void **state) {
    (void)state;
    assert_int_equal(PARSE("call", "sip:a@127.0.0.1"), 0);
    assert_string_equal(cli.cfg.user, "sipbeat");
    assert_null(cli.cfg.auth_user); /* the engine then uses the user */
    assert_null(cli.cfg.auth_password);
    assert_null(cli.auth_password_file);
    assert_int_equal(PARSE("call", "sip:a@127.0.0.1", "--user", "1001", "--auth-user",
                           "1001@pbx.example", "--auth-password-file", "/run/pw"),
                     0);
    assert_string_equal(cli.cfg.user, "1001");
    assert_string_equal(cli.cfg.auth_user, "1001@pbx.example");
    assert_string_equal(cli.auth_password_file, "/run/pw");
    assert_null(cli.cfg.auth_password); /* read when the command starts, not here */
    assert_int_equal(PARSE("answer", "--user=alice", "--auth-password-file=pw.txt"), 0);
    assert_string_equal(cli.cfg.user, "alice");
    assert_null(cli.cfg.auth_user);
    assert_string_equal(cli.auth_password_file, "pw.txt");

    expect_usage(PARSE("call", "sip:a@127.0.0.1", "--user", "alice@pbx"),
                 "sipbeat: --user alice@pbx: '@' is not allowed (allowed: a SIP user part of "
                 "1..63 bytes: letters, digits, -_.!~*'()&=+$,;?/ and %HH escapes)");
    expect_usage(PARSE("answer", "--user", ""),
                 "sipbeat: --user '': empty (allowed: a SIP user part of 1..63 bytes: letters, "
                 "digits, -_.!~*'()&=+$,;?/ and %HH escapes)");
    expect_usage(PARSE("answer", "--user", "a b"),
                 "sipbeat: --user a b: a space is not allowed (allowed: a SIP user part of "
                 "1..63 bytes: letters, digits, -_.!~*'()&=+$,;?/ and %HH escapes)");
    expect_usage(
        PARSE("call", "sip:a@127.0.0.1", "--user",
              "0123456789012345678901234567890123456789012345678901234567890123"),
        "sipbeat: --user 0123456789012345678901234567890123456789012345678901234567890123: "
        "too long, 64 bytes (allowed: a SIP user part of 1..63 bytes: letters, digits, "
        "-_.!~*'()&=+$,;?/ and %HH escapes)");
    expect_usage(PARSE("call", "sip:a@127.0.0.1", "--auth-user", "sip:1001"),
                 "sipbeat: --auth-user sip:1001: ':' is not allowed (allowed: a SIP user part of "
                 "1..255 bytes: letters, digits, -_.!~*'()&=+$,;?/@ and %HH escapes)");
    expect_usage(PARSE("call", "sip:a@127.0.0.1", "--auth-password-file"),
                 "sipbeat: --auth-password-file: needs a value (see sipbeat help call)");
    expect_usage(PARSE("demo", "--user", "x"),
                 "sipbeat: --user: not a flag of 'demo' (see sipbeat help demo)");
}

/* A password is never taken from argv: each spelling a user may try, with its value after it
 * or after '=', is refused with where to put it instead (and the value is not echoed). */
static void password_on_command_line(void **state) {
    (void)state;
    static const char tail[] =
        ": passwords are not taken on the command line (they end up in shell history and ps); "
        "put it in a file with --auth-password-file FILE, or in SIPBEAT_AUTH_PASSWORD";
    static const char *const flags[] = {"--auth-password", "--password", "--pass"};
    char want[512], eq[64];
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        snprintf(want, sizeof want, "sipbeat: %s%s", flags[i], tail);
        snprintf(eq, sizeof eq, "%s=s3cret", flags[i]);
        expect_usage(PARSE("call", "sip:a@127.0.0.1", flags[i], "s3cret"), want);
        expect_usage(PARSE("call", flags[i], "s3cret", "sip:a@127.0.0.1"), want);
        expect_usage(PARSE("call", "sip:a@127.0.0.1", eq), want);
        expect_usage(PARSE("answer", flags[i], "s3cret"), want);
        expect_usage(PARSE("answer", eq), want);
        expect_usage(PARSE("answer", flags[i]), want); /* even without a value */
        assert_null(strstr(err, "s3cret"));
    }
    expect_usage(PARSE("call", "sip:a@127.0.0.1", "--auth-password", "x"),
                 "sipbeat: --auth-password: passwords are not taken on the command line (they "
                 "end up in shell history and ps); put it in a file with --auth-password-file "
                 "FILE, or in SIPBEAT_AUTH_PASSWORD");
    /* -p is no flag of ours, and demo has no credentials at all. */
    expect_usage(PARSE("call", "sip:a@127.0.0.1", "-p", "x"),
                 "sipbeat: unknown flag -p for 'call' (see sipbeat help call)");
    expect_usage(PARSE("demo", "--auth-password", "x"),
                 "sipbeat: unknown flag --auth-password for 'demo' (see sipbeat help demo)");
    assert_true(sb_cli_password_flag("--pass", 6));
    assert_true(sb_cli_password_flag("--password=x", 10));
    assert_false(sb_cli_password_flag("--auth-password-file", 20));
    assert_false(sb_cli_password_flag("--passw", 7));
}

static void help_and_version(void **state) {
    (void)state;
    assert_int_equal(PARSE("--help"), 0);
    assert_int_equal(cli.cmd, SB_CMD_HELP);
    assert_int_equal(cli.help_about, SB_CMD_NONE);
    assert_int_equal(PARSE("help", "call"), 0);
    assert_int_equal(cli.help_about, SB_CMD_CALL);
    assert_int_equal(PARSE("answer", "--help"), 0);
    assert_int_equal(cli.help_about, SB_CMD_ANSWER);
    assert_int_equal(PARSE("--version"), 0);
    assert_int_equal(cli.cmd, SB_CMD_VERSION);
    assert_non_null(strstr(sb_cli_help(SB_CMD_CALL), "--timer-se"));
    assert_non_null(strstr(sb_cli_help(SB_CMD_NONE), "exit codes"));
    assert_int_equal(PARSE("help", "parse"), 0);
    assert_int_equal(cli.help_about, SB_CMD_PARSE);
    assert_non_null(strstr(sb_cli_help(SB_CMD_PARSE), "usage: sipbeat parse"));
    expect_usage(PARSE("help", "foo"),
                 "sipbeat: help foo: unknown topic (allowed: answer, call, demo, parse, register)");
    expect_usage(PARSE("help", "call", "extra"),
                 "sipbeat: help call: unexpected argument extra (allowed: one topic)");
}

static void timer_messages(void **state) {
    (void)state;
    expect_usage(PARSE("call", "sip:a@127.0.0.1", "--timer", "supported"),
                 "sipbeat: --timer-se is required when --timer is supported (allowed: 90..7200 "
                 "seconds)");
    expect_usage(PARSE("call", "sip:a@127.0.0.1", "--timer", "supported", "--timer-se", "50"),
                 "sipbeat: --timer-se 50: out of range (allowed: 90..7200 seconds, or "
                 "1..4294967295 with --timer-unchecked)");
    expect_usage(PARSE("call", "sip:a@127.0.0.1", "--timer", "required", "--timer-se", "100",
                       "--timer-min-se", "120"),
                 "sipbeat: --timer-se 100: below --timer-min-se 120 (allowed: Session-Expires >= "
                 "Min-SE; lower --timer-min-se too)");
    expect_usage(
        PARSE("answer", "--timer", "supported", "--timer-se", "90", "--timer-min-se", "91"),
        "sipbeat: --timer-se 90: below --timer-min-se 91 (allowed: Session-Expires >= "
        "Min-SE; lower --timer-min-se too)");
    expect_usage(PARSE("call", "sip:a@127.0.0.1", "--timer", "yes"),
                 "sipbeat: --timer yes: not allowed (allowed: off, supported, required, always)");
    expect_usage(PARSE("call", "sip:a@127.0.0.1", "--timer-se", "1800"),
                 "sipbeat: --timer-se 1800: has no effect with --timer off (allowed with --timer "
                 "supported, required or always)");
    expect_usage(PARSE("answer", "--timer", "supported", "--timer-se", "30m"),
                 "sipbeat: --timer-se 30m: not allowed (allowed: whole seconds, 90..7200)");
    expect_usage(
        PARSE("answer", "--timer", "supported", "--timer-se", "90", "--timer-refresher", "me"),
        "sipbeat: --timer-refresher me: not allowed (allowed: uac, uas, none)");
    expect_usage(PARSE("answer", "--timer", "supported", "--timer-se", "90",
                       "--timer-answer-refresh", "200"),
                 "sipbeat: --timer-answer-refresh 200: not allowed (allowed: a SIP final status "
                 "code 300..699)");
}

static void duration_and_number_messages(void **state) {
    (void)state;
    expect_usage(PARSE("call", "sip:a@127.0.0.1", "-d", "10"),
                 "sipbeat: -d 10: a duration needs a unit (allowed: a whole number with unit ms, "
                 "s, m or h, e.g. 500ms, 10s, 2m, 1h)");
    expect_usage(PARSE("call", "sip:a@127.0.0.1", "--duration", "10x"),
                 "sipbeat: --duration 10x: not a duration (allowed: a whole number with unit ms, "
                 "s, m or h, e.g. 500ms, 10s, 2m, 1h)");
    expect_usage(PARSE("call", "sip:a@127.0.0.1", "-d", "0s"),
                 "sipbeat: -d 0s: out of range (allowed: 1ms..1000h)");
    expect_usage(PARSE("call", "sip:a@127.0.0.1", "-m", "0"),
                 "sipbeat: -m 0: not allowed (allowed: a whole number 1..1000000000)");
    expect_usage(PARSE("call", "sip:a@127.0.0.1", "-r", "fast"),
                 "sipbeat: -r fast: not allowed (allowed: calls per second, more than 0 and at "
                 "most 100000, e.g. 10 or 0.5)");
    expect_usage(PARSE("call", "sip:a@127.0.0.1", "-r", "0"),
                 "sipbeat: -r 0: not allowed (allowed: calls per second, more than 0 and at most "
                 "100000, e.g. 10 or 0.5)");
    expect_usage(PARSE("answer", "--reject", "200"),
                 "sipbeat: --reject 200: not allowed (allowed: a SIP final status code 300..699)");
    expect_usage(PARSE("answer", "--ring-time", "2"),
                 "sipbeat: --ring-time 2: a duration needs a unit (allowed: a whole number with "
                 "unit ms, s, m or h, e.g. 500ms, 10s, 2m, 1h)");
}

static void command_and_flag_messages(void **state) {
    (void)state;
    expect_usage(PARSE("dial"), "sipbeat: unknown command 'dial' (allowed: answer, call, demo, "
                                "parse, register, help)");
    expect_usage(
        parse((const char *[]){"sipbeat", NULL}),
        "sipbeat: missing command (allowed: answer, call, demo, parse, register, help; see "
        "sipbeat --help)");
    expect_usage(PARSE("call", "sip:a@127.0.0.1", "--frobnicate"),
                 "sipbeat: unknown flag --frobnicate for 'call' (see sipbeat help call)");
    expect_usage(PARSE("call", "sip:a@127.0.0.1", "--reject", "486"),
                 "sipbeat: --reject: not a flag of 'call' (see sipbeat help call)");
    expect_usage(PARSE("call", "sip:a@127.0.0.1", "-r"),
                 "sipbeat: -r: needs a value (see sipbeat help call)");
    expect_usage(PARSE("demo", "--timer", "supported"),
                 "sipbeat: --timer: not a flag of 'demo' (see sipbeat help demo)");
    expect_usage(PARSE("call"), "sipbeat: call needs a destination URI (allowed: e.g. sipbeat "
                                "call sip:service@127.0.0.1:5060)");
    expect_usage(PARSE("call", "sip:a@127.0.0.1", "sip:b@127.0.0.1"),
                 "sipbeat: unexpected argument 'sip:b@127.0.0.1' (see sipbeat help call)");
    expect_usage(PARSE("call", "sip:pbx@pbx.example.com"),
                 "sipbeat: URI sip:pbx@pbx.example.com: the host must be an IP address, no DNS "
                 "(allowed: e.g. sip:service@127.0.0.1:5060 or sip:service@[::1])");
    expect_usage(PARSE("call", "tel:+15551234"),
                 "sipbeat: URI tel:+15551234: not allowed (allowed: a sip: URI with an IP "
                 "address, e.g. sip:service@127.0.0.1:5060)");
    expect_usage(PARSE("answer", "--listen", "localhost:5060"),
                 "sipbeat: --listen localhost:5060: not an address (allowed: IP[:PORT], e.g. "
                 "127.0.0.1:5060 or [::1]:5060; no host names)");
    expect_usage(PARSE("call", "sip:a@[::1]", "--local", "127.0.0.1"),
                 "sipbeat: --local: IPv4 address cannot reach sip:a@[::1] (allowed: an IPv6 "
                 "address)");
    expect_usage(PARSE("answer", "--report", "-", "--trace", "-"),
                 "sipbeat: only one of --report, --events and --trace may be - (stdout)");
    expect_usage(PARSE("answer", "-q", "-v"),
                 "sipbeat: -q and -v: not allowed together (allowed: one of them)");
    expect_usage(PARSE("answer", "-q=1"), "sipbeat: unknown flag -q=1 for 'answer' (see sipbeat "
                                          "help answer)");
    expect_usage(PARSE("answer", "--quiet=yes"), "sipbeat: --quiet: takes no value, got 'yes'");
}

static void hold_messages(void **state) {
    (void)state;
    expect_usage(PARSE("call", "sip:a@127.0.0.1", "--resume-at", "2s"),
                 "sipbeat: --resume-at 2s: needs --hold-at (allowed: with --hold-at DUR)");
    expect_usage(PARSE("call", "sip:a@127.0.0.1", "-d", "10s", "--hold-at", "10s"),
                 "sipbeat: --hold-at 10s: not before the end of the talk time -d 10s (allowed: "
                 "less than -d)");
    expect_usage(PARSE("call", "sip:a@127.0.0.1", "--hold-at", "2s", "--resume-at", "1s"),
                 "sipbeat: --resume-at 1s: not after --hold-at 2s (allowed: later than "
                 "--hold-at)");
    expect_usage(PARSE("call", "sip:a@127.0.0.1", "--hold-at", "2s", "--hold-mode", "recvonly"),
                 "sipbeat: --hold-mode recvonly: not allowed (allowed: sendonly, inactive)");
}

/* Ranges the engine owns (sb_config_check) reach the user through the settings table: the
 * engine names the field (timer.max_422), the one line names the flag and the value as typed. */
static void engine_ranges_name_the_flag(void **state) {
    (void)state;
    expect_usage(PARSE("call", "sip:a@127.0.0.1", "--timer", "supported", "--timer-se", "90",
                       "--timer-max-422", "21"),
                 "sipbeat: --timer-max-422 21: out of range (allowed: 0..20 retries per call)");
    /* --timer-unchecked lifts the Session-Expires bounds, not the 422 cap */
    expect_usage(PARSE("answer", "--timer", "always", "--timer-se", "4", "--timer-unchecked",
                       "--timer-max-422=50"),
                 "sipbeat: --timer-max-422 50: out of range (allowed: 0..20 retries per call)");
    expect_usage(PARSE("answer", "--reject=700"),
                 "sipbeat: --reject 700: not allowed (allowed: a SIP final status code 300..699)");
    /* A value too large for the field is refused before the engine sees it, same words. */
    expect_usage(PARSE("answer", "--reject", "70000"),
                 "sipbeat: --reject 70000: not allowed (allowed: a SIP final status code "
                 "300..699)");
    assert_int_equal(PARSE("call", "sip:a@127.0.0.1", "--timer", "supported", "--timer-se", "90",
                           "--timer-max-422", "20"),
                     0);
    assert_int_equal(cli.cfg.timer.max_422, 20);
}

/* --fail-on and --no-fail-on-violation (= --fail-on none) set the same two fields; the last
 * one given wins. */
static void fail_on_last_wins(void **state) {
    (void)state;
    assert_int_equal(
        PARSE("call", "sip:a@127.0.0.1", "--no-fail-on-violation", "--fail-on", "should"), 0);
    assert_true(cli.fail_on_violation);
    assert_true(cli.fail_on_should);
    /* --no-fail-on-violation is --fail-on none: it does not leave SHOULD failing alone */
    assert_int_equal(
        PARSE("call", "sip:a@127.0.0.1", "--fail-on", "should", "--no-fail-on-violation"), 0);
    assert_false(cli.fail_on_violation);
    assert_false(cli.fail_on_should);
    assert_int_equal(PARSE("answer", "--fail-on", "should", "--fail-on", "must"), 0);
    assert_true(cli.fail_on_violation);
    assert_false(cli.fail_on_should);
    /* demo takes no verdict flag and judges as the default does */
    assert_int_equal(PARSE("demo"), 0);
    assert_true(cli.fail_on_violation);
}

/* --proxy, --display-name, --from, --to, --header: parsed into the engine config (and the
 * call's To), and every refusal as one exact line. */
#define URI_ALLOWED                                                                                \
    "(allowed: a sip: or sips: URI of at most 2048 bytes, no spaces, control bytes, quotes, < "    \
    "or >, e.g. sip:alice@example.com)"
#define PROXY_ALLOWED                                                                              \
    "(allowed: sip:HOST[:PORT] with an IP address, e.g. sip:192.0.2.1:5060 or sip:[::1]:5070)"
#define MANAGED                                                                                    \
    "sipbeat writes this header itself (allowed: any other header; not Via, From, To, Call-ID, "   \
    "CSeq, Contact, Content-Length, Content-Type, Max-Forwards, Route, Session-Expires, Min-SE, "  \
    "Supported, Require, Authorization, Proxy-Authorization)"
#define DISPLAY_ALLOWED                                                                            \
    "(allowed: up to 255 bytes of text without CR, LF or other control bytes; quotes and "         \
    "backslashes are escaped for you)"

static void routing_and_identity_flags(void **state) {
    (void)state;
    assert_int_equal(PARSE("call", "sip:bob@pbx.example.com", "--proxy", "sip:127.0.0.1:5070",
                           "--display-name", "Alice \"A\"", "--from", "sip:alice@example.com",
                           "--to", "sips:bob@example.com", "--header", "X-Test: 1", "--header",
                           "P-Asserted-Identity: <sip:1001@pbx>"),
                     0);
    assert_string_equal(cli.cfg.outbound_proxy, "sip:127.0.0.1:5070");
    assert_string_equal(cli.cfg.display_name, "Alice \"A\"");
    assert_string_equal(cli.cfg.from_uri, "sip:alice@example.com");
    assert_string_equal(cli.to_uri, "sips:bob@example.com");
    assert_int_equal(cli.cfg.nheaders, 2);
    assert_string_equal(cli.cfg.headers[0], "X-Test: 1");
    assert_string_equal(cli.cfg.headers[1], "P-Asserted-Identity: <sip:1001@pbx>");
    char where[64];
    sb_addr_format(&cli.dest, where, sizeof where, true);
    assert_string_equal(where, "127.0.0.1:5070"); /* the proxy, not the URI's host */
    /* without them: nothing set, the INVITE goes to the URI */
    assert_int_equal(PARSE("call", "sip:svc@127.0.0.1:5070"), 0);
    assert_null(cli.cfg.outbound_proxy);
    assert_null(cli.cfg.display_name);
    assert_null(cli.cfg.from_uri);
    assert_null(cli.to_uri);
    assert_null(cli.cfg.headers);
    assert_int_equal(cli.cfg.nheaders, 0);

    expect_usage(PARSE("call", "sip:svc@127.0.0.1", "--proxy", "sip:pbx.example.com"),
                 "sipbeat: --proxy sip:pbx.example.com: the host must be an IP address, no "
                 "DNS " PROXY_ALLOWED);
    expect_usage(PARSE("call", "sip:svc@127.0.0.1", "--proxy", "127.0.0.1:5070"),
                 "sipbeat: --proxy 127.0.0.1:5070: not a usable SIP URI " PROXY_ALLOWED);
    expect_usage(PARSE("call", "sip:svc@127.0.0.1", "--proxy", "sip:127.0.0.1\r\nX: 1"),
                 "sipbeat: --proxy sip:127.0.0.1\\r\\nX: 1: not a usable SIP URI " PROXY_ALLOWED);
    expect_usage(PARSE("answer", "--proxy", "sip:127.0.0.1"),
                 "sipbeat: --proxy: not a flag of 'answer' (see sipbeat help answer)");
    /* through a proxy the URI's host may be a name; without one it may not */
    expect_usage(PARSE("call", "sip:svc@pbx.example.com"),
                 "sipbeat: URI sip:svc@pbx.example.com: the host must be an IP address, no DNS "
                 "(allowed: e.g. sip:service@127.0.0.1:5060 or sip:service@[::1])");
    expect_usage(PARSE("call", "tel:+15551234", "--proxy", "sip:127.0.0.1"),
                 "sipbeat: URI tel:+15551234: not allowed (allowed: a sip: or sips: URI, e.g. "
                 "sip:service@pbx.example.com with --proxy)");
    expect_usage(PARSE("call", "sip:svc@127.0.0.1", "--display-name", "Alice\nX: y"),
                 "sipbeat: --display-name Alice\\nX: y: byte 0x0a is not allowed " DISPLAY_ALLOWED);
    expect_usage(PARSE("call", "sip:svc@127.0.0.1", "--display-name", "A\rB"),
                 "sipbeat: --display-name A\\rB: byte 0x0d is not allowed " DISPLAY_ALLOWED);
    expect_usage(PARSE("call", "sip:svc@127.0.0.1", "--from", "tel:+15551234"),
                 "sipbeat: --from tel:+15551234: not a sip: or sips: URI " URI_ALLOWED);
    expect_usage(PARSE("call", "sip:svc@127.0.0.1", "--from", "sip:a b@example.com"),
                 "sipbeat: --from sip:a b@example.com: byte 0x20 is not allowed " URI_ALLOWED);
    expect_usage(PARSE("call", "sip:svc@127.0.0.1", "--from", "sip:a@b>"),
                 "sipbeat: --from sip:a@b>: '>' is not allowed " URI_ALLOWED);
    expect_usage(
        PARSE("call", "sip:svc@127.0.0.1", "--to", "sip:bob@example.com\r\nVia: x"),
        "sipbeat: --to sip:bob@example.com\\r\\nVia: x: byte 0x0d is not allowed " URI_ALLOWED);
    expect_usage(PARSE("call", "sip:svc@127.0.0.1", "--header", "X-Test"),
                 "sipbeat: --header 'X-Test': no colon (allowed: Name: value)");
    expect_usage(PARSE("call", "sip:svc@127.0.0.1", "--header", ": 1"),
                 "sipbeat: --header ': 1': empty name (allowed: Name: value)");
    expect_usage(PARSE("call", "sip:svc@127.0.0.1", "--header", "X Test: 1"),
                 "sipbeat: --header 'X Test: 1': the name is not a SIP token (allowed: letters, "
                 "digits and -.!%*_+`'~, no spaces)");
    expect_usage(PARSE("call", "sip:svc@127.0.0.1", "--header", "X-A: 1\r\nVia: evil"),
                 "sipbeat: --header 'X-A: 1\\r\\nVia: evil': CR or LF inside (allowed: one line, "
                 "Name: value)");
    expect_usage(PARSE("call", "sip:svc@127.0.0.1", "--header", "X-A: 1\n"),
                 "sipbeat: --header 'X-A: 1\\n': CR or LF inside (allowed: one line, Name: value)");
    static const char *const managed[] = {"Via",
                                          "From",
                                          "To",
                                          "Call-ID",
                                          "CSeq",
                                          "Contact",
                                          "Content-Length",
                                          "Content-Type",
                                          "Max-Forwards",
                                          "Route",
                                          "Session-Expires",
                                          "Min-SE",
                                          "Supported",
                                          "Require",
                                          "Authorization",
                                          "Proxy-Authorization",
                                          "v",
                                          "f",
                                          "t",
                                          "i",
                                          "m",
                                          "l",
                                          "c",
                                          "x",
                                          "k",
                                          "call-id",
                                          "SUPPORTED"};
    for (size_t i = 0; i < sizeof managed / sizeof managed[0]; i++) {
        char h[64], want[512];
        snprintf(h, sizeof h, "%s: 1", managed[i]);
        snprintf(want, sizeof want, "sipbeat: --header '%s': " MANAGED, h);
        expect_usage(PARSE("call", "sip:svc@127.0.0.1", "--header", h), want);
    }
    /* a 33rd --header */
    const char *words[2 + 2 + 2 * 33 + 1] = {"sipbeat", "call", "sip:svc@127.0.0.1"};
    int n = 3;
    for (int i = 0; i < 33; i++) {
        words[n++] = "--header";
        words[n++] = "X-Many: 1";
    }
    words[n] = NULL;
    expect_usage(parse(words), "sipbeat: --header 'X-Many: 1': one too many (allowed: --header "
                               "given at most 32 times)");
}

/* register: the AOR is the registrar's address; -d and --expires are its own. */
static void register_flags(void **state) {
    (void)state;
    assert_int_equal(PARSE("register", "sip:alice@127.0.0.1:5070"), 0);
    assert_int_equal(cli.cmd, SB_CMD_REGISTER);
    assert_string_equal(cli.uri, "sip:alice@127.0.0.1:5070");
    assert_int_equal(cli.dest.port, 5070);
    assert_int_equal(cli.reg_duration_ms, 0);
    assert_int_equal(cli.reg_expires_s, 3600);
    assert_int_equal(cli.cfg.local.port, 0);
    assert_int_equal(PARSE("register", "sip:alice@127.0.0.1", "-d", "5s", "--expires", "4",
                           "--user", "alice", "--auth-user", "1001@pbx"),
                     0);
    assert_int_equal(cli.reg_duration_ms, 5000);
    assert_int_equal(cli.reg_expires_s, 4);
    assert_int_equal(cli.dest.port, 5060);
    assert_string_equal(cli.cfg.user, "alice");
    expect_usage(PARSE("register"), "sipbeat: register needs an address-of-record URI (allowed: "
                                    "e.g. sipbeat register sip:alice@127.0.0.1:5060)");
    assert_int_equal(PARSE("register", "sip:alice@example.com"), SB_EXIT_USAGE);
    assert_int_equal(PARSE("register", "sip:a@127.0.0.1", "--timer-se", "90"), SB_EXIT_USAGE);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(call_defaults),
        cmocka_unit_test(call_flags),
        cmocka_unit_test(timer_flags),
        cmocka_unit_test(unchecked_min_se_follows_se),
        cmocka_unit_test(answer_flags),
        cmocka_unit_test(verdict_flags),
        cmocka_unit_test(identity_flags),
        cmocka_unit_test(password_on_command_line),
        cmocka_unit_test(help_and_version),
        cmocka_unit_test(timer_messages),
        cmocka_unit_test(duration_and_number_messages),
        cmocka_unit_test(command_and_flag_messages),
        cmocka_unit_test(hold_messages),
        cmocka_unit_test(engine_ranges_name_the_flag),
        cmocka_unit_test(fail_on_last_wins),
        cmocka_unit_test(routing_and_identity_flags),
        cmocka_unit_test(register_flags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
