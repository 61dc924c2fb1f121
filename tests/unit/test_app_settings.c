/* Unit tests for src/app/settings.c: the settings table agrees with what is generated from it
 * (help, defaults, the report's config) and with what is written by hand (sb_config_init,
 * docs/cli.md). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "app/report.h"
#include "app/settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const sb_cmd cmds[] = {SB_CMD_CALL, SB_CMD_ANSWER, SB_CMD_DEMO, SB_CMD_REGISTER};
#define NCMDS (sizeof cmds / sizeof cmds[0])

static sb_cli cli;

/* "  -d, --duration DUR" as help and docs write a row's flags. */
static void flag_text(const sb_setting *s, char *buf, size_t cap) {
    snprintf(buf, cap, "%s%s%s%s%s", s->alias ? s->alias : "", s->alias ? ", " : "", s->flag,
             s->metavar ? " " : "", s->metavar ? s->metavar : "");
}

/* ---- the table itself ----------------------------------------------------------------------- */

static void table_is_consistent(void **state) {
    (void)state;
    for (size_t i = 0; i < sb_settings_count; i++) {
        const sb_setting *s = &sb_settings[i];
        const char *what = s->flag ? s->flag : s->report;
        assert_non_null(what);
        assert_true(s->cmds != 0);
        if (s->flag) {
            assert_non_null(s->help);
            assert_true(strncmp(s->flag, "--", 2) == 0);
            /* A value is asked for exactly when the unit has one. */
            bool valued = s->unit != SB_UNIT_SWITCH && s->unit != SB_UNIT_HELP;
            if (valued != (s->metavar != NULL)) fail_msg("%s: metavar", what);
        } else {
            assert_non_null(s->report); /* a row without a flag is there for the report */
        }
        /* The field's size is the one its unit writes. */
        size_t want = 0;
        switch (s->unit) {
        case SB_UNIT_SWITCH:
            want = sizeof(bool);
            break;
        case SB_UNIT_RATE:
            want = sizeof(double);
            break;
        case SB_UNIT_PATH:
        case SB_UNIT_SECRET:
            want = sizeof(const char *);
            break;
        case SB_UNIT_TEXT:
            want = sizeof(const char *);
            if (!s->check || !s->hi) fail_msg("%s: text without check or length", what);
            break;
        case SB_UNIT_LIST:
            want = sizeof(sb_strlist);
            if (!s->check || !s->hi || s->hi > SB_MAX_EXTRA_HEADERS)
                fail_msg("%s: list without check or count", what);
            break;
        case SB_UNIT_ADDRESS:
            want = sizeof(sb_addr);
            break;
        case SB_UNIT_WORD:
            want = s->get ? 0 : sizeof(int);
            if (!s->words) fail_msg("%s: word without words", what);
            break;
        case SB_UNIT_HELP:
            break;
        default:
            if (s->size != 2 && s->size != 4 && s->size != 8) fail_msg("%s: size", what);
            want = s->size;
            if (s->lo > s->hi && s->flag) fail_msg("%s: lo > hi", what);
            break;
        }
        if (s->size != want) fail_msg("%s: field size %zu, unit wants %zu", what, s->size, want);
        if (s->unit == SB_UNIT_SECRET && s->flag) fail_msg("%s: a secret from argv", what);
        if (s->unit == SB_UNIT_WORD && (s->get == NULL) != (s->set == NULL))
            fail_msg("%s: get without set", what);
        /* Every default parses. */
        if (s->def) {
            char err[256];
            sb_settings_defaults(&cli, SB_CMD_CALL);
            if (sb_setting_parse(s, s->flag, s->def, &cli, err, sizeof err) != 0)
                fail_msg("%s: default does not parse: %s", what, err);
        }
        /* No flag twice in one command. */
        for (size_t j = i + 1; j < sb_settings_count; j++) {
            const sb_setting *t = &sb_settings[j];
            if (!s->flag || !t->flag || !(s->cmds & t->cmds)) continue;
            if (!strcmp(s->flag, t->flag) || (s->alias && t->alias && !strcmp(s->alias, t->alias)))
                fail_msg("%s twice for one command", s->flag);
        }
    }
}

/* The engine's field names lead back to the flags: what sb_config_check names, the CLI finds. */
static void fields_map_to_flags(void **state) {
    (void)state;
    static const struct {
        const char *field;
        sb_cmd cmd;
        const char *flag;
    } cases[] = {
        {"timer.se_s", SB_CMD_CALL, "--timer-se"},
        {"timer.min_se_s", SB_CMD_ANSWER, "--timer-min-se"},
        {"timer.max_422", SB_CMD_CALL, "--timer-max-422"},
        {"timer.answer_refresh_code", SB_CMD_ANSWER, "--timer-answer-refresh"},
        {"timer.mode", SB_CMD_CALL, "--timer"},
        {"reject_code", SB_CMD_ANSWER, "--reject"},
        {"answer_duration_ms", SB_CMD_ANSWER, "--duration"},
        {"local", SB_CMD_CALL, "--local"},
        {"local", SB_CMD_ANSWER, "--listen"},
        {"outbound_proxy", SB_CMD_CALL, "--proxy"},
        {"display_name", SB_CMD_CALL, "--display-name"},
        {"from_uri", SB_CMD_CALL, "--from"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const sb_setting *s = sb_setting_of_field(cases[i].field, cases[i].cmd);
        assert_non_null(s);
        assert_string_equal(s->flag, cases[i].flag);
    }
    assert_null(sb_setting_of_field("reject_code", SB_CMD_CALL)); /* answer's only */
    assert_null(sb_setting_of_field("timer.se_s", SB_CMD_DEMO));
    const sb_setting *t1 = sb_setting_of_field("t1_ms", SB_CMD_CALL);
    assert_non_null(t1);
    assert_null(t1->flag); /* echoed, no flag: the CLI names the field itself */
}

/* ---- defaults ---------------------------------------------------------------------------------
 */

/* The engine's defaults are written once, in sb_config_init; the table adds only the CLI's own
 * (-m 1, -r 10, -d 10s, ...) and, for call, an ephemeral local port. */
static void defaults_equal_sb_config_init(void **state) {
    (void)state;
    sb_config init;
    sb_config_init(&init);
    for (size_t k = 0; k < NCMDS; k++) {
        sb_settings_defaults(&cli, cmds[k]);
        sb_config cfg = cli.cfg;
        if (cmds[k] == SB_CMD_CALL || cmds[k] == SB_CMD_REGISTER) {
            /* --local is the one engine field the CLI sets otherwise, for call and register. */
            char where[64];
            sb_addr_format(&cfg.local, where, sizeof where, true);
            assert_string_equal(where, "127.0.0.1:0");
            cfg.local = init.local;
        }
        if (memcmp(&cfg, &init, sizeof cfg) != 0)
            fail_msg("%s: the table's defaults differ from sb_config_init's", sb_cmd_name(cmds[k]));
        /* Row by row too, so that a failure names the flag. */
        for (size_t i = 0; i < sb_settings_count; i++) {
            const sb_setting *s = &sb_settings[i];
            if (!s->field || strncmp(s->field, "cfg.", 4) || !sb_setting_in(s, cmds[k])) continue;
            if (s->def && strcmp(s->flag, "--local") && strcmp(s->flag, "--listen"))
                fail_msg("%s: an engine default belongs in sb_config_init", s->flag);
            size_t off = s->off - offsetof(sb_cli, cfg);
            if (s->unit != SB_UNIT_ADDRESS &&
                memcmp((char *)&cli.cfg + off, (char *)&init + off, s->size) != 0)
                fail_msg("%s %s: default differs from sb_config_init's", sb_cmd_name(cmds[k]),
                         s->field);
        }
    }
    /* And the app's own, as sb_cli_parse leaves them. */
    sb_settings_defaults(&cli, SB_CMD_CALL);
    assert_int_equal(cli.calls, 1);
    assert_true(cli.rate_cps == 10.0);
    assert_int_equal(cli.duration_ms, 10000);
    assert_int_equal(cli.hold_mode, SB_HOLD_SENDONLY);
    assert_true(cli.fail_on_violation);
    assert_false(cli.fail_on_should);
    /* demo takes none of the verdict flags, and judges as call and answer do by default. */
    sb_settings_defaults(&cli, SB_CMD_DEMO);
    assert_true(cli.fail_on_violation);
    sb_settings_defaults(&cli, SB_CMD_ANSWER);
    assert_int_equal(cli.cfg.local.port, 5060);
    /* Identity and credentials: user "sipbeat" (sb_config_init's), the digest username that
     * user, no password, and no file to read one from. */
    for (size_t k = 0; k < NCMDS; k++) {
        sb_settings_defaults(&cli, cmds[k]);
        assert_string_equal(cli.cfg.user, "sipbeat");
        assert_null(cli.cfg.auth_user);
        assert_null(cli.cfg.auth_password);
        assert_null(cli.auth_password_file);
    }
}

/* --user and --auth-user: a SIP user part (RFC 3261 §25.1), --auth-user with '@' too. */
static void user_values(void **state) {
    (void)state;
    const sb_setting *user = sb_setting_find("--user", 6, SB_CMD_CALL);
    const sb_setting *auth = sb_setting_find("--auth-user", 11, SB_CMD_ANSWER);
    assert_non_null(user);
    assert_non_null(auth);
    char err[512];
    static const char *const good[] = {"sipbeat",  "1001",    "a.b-c_d!e~f*g'h(i)j",
                                       "&=+$,;?/", "%41lice", "%4a%4A"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        sb_settings_defaults(&cli, SB_CMD_CALL);
        if (sb_setting_parse(user, "--user", good[i], &cli, err, sizeof err) != 0)
            fail_msg("--user %s refused: %s", good[i], err);
        assert_string_equal(cli.cfg.user, good[i]);
        assert_int_equal(sb_setting_parse(auth, "--auth-user", good[i], &cli, err, sizeof err), 0);
    }
    assert_int_equal(
        sb_setting_parse(auth, "--auth-user", "1001@pbx.example", &cli, err, sizeof err), 0);
    assert_string_equal(cli.cfg.auth_user, "1001@pbx.example");
    char at63[64], at64[65], at255[256], at256[257];
    memset(at63, 'u', 63), at63[63] = '\0';
    memset(at64, 'u', 64), at64[64] = '\0';
    memset(at255, 'u', 255), at255[255] = '\0';
    memset(at256, 'u', 256), at256[256] = '\0';
    assert_int_equal(sb_setting_parse(user, "--user", at63, &cli, err, sizeof err), 0);
    assert_int_equal(sb_setting_parse(auth, "--auth-user", at255, &cli, err, sizeof err), 0);

    static const char allowed_user[] = "(allowed: a SIP user part of 1..63 bytes: letters, "
                                       "digits, -_.!~*'()&=+$,;?/ and %HH escapes)";
    static const char allowed_auth[] = "(allowed: a SIP user part of 1..255 bytes: letters, "
                                       "digits, -_.!~*'()&=+$,;?/@ and %HH escapes)";
    static const struct {
        bool auth;
        const char *val, *line; /* line: without the allowed part */
    } bad[] = {
        {false, "", "--user '': empty "},
        {false, "alice@pbx", "--user alice@pbx: '@' is not allowed "},
        {false, "al ice", "--user al ice: a space is not allowed "},
        {false, "a:b", "--user a:b: ':' is not allowed "},
        {false, "a<b", "--user a<b: '<' is not allowed "},
        {false, "a\"b", "--user a\"b: '\"' is not allowed "},
        {false, "caf\xc3\xa9", "--user caf\xc3\xa9: byte 0xc3 is not allowed "},
        {false, "a\tb", "--user a\tb: byte 0x09 is not allowed "},
        {false, "100%", "--user 100%: '%' must start an escape such as %40 "},
        {false, "%4g", "--user %4g: '%' must start an escape such as %40 "},
        {true, "", "--auth-user '': empty "},
        {true, "a b@c", "--auth-user a b@c: a space is not allowed "},
        {true, "sip:1001@pbx", "--auth-user sip:1001@pbx: ':' is not allowed "},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char want[512];
        snprintf(want, sizeof want, "%s%s", bad[i].line, bad[i].auth ? allowed_auth : allowed_user);
        sb_settings_defaults(&cli, SB_CMD_CALL);
        const sb_setting *s = bad[i].auth ? auth : user;
        assert_int_equal(sb_setting_parse(s, s->flag, bad[i].val, &cli, err, sizeof err), -1);
        assert_string_equal(err, want);
        assert_string_equal(cli.cfg.user, "sipbeat"); /* left as it was */
        assert_null(cli.cfg.auth_user);
    }
    char want[512];
    assert_int_equal(sb_setting_parse(user, "--user", at64, &cli, err, sizeof err), -1);
    snprintf(want, sizeof want, "--user %s: too long, 64 bytes %s", at64, allowed_user);
    assert_string_equal(err, want);
    assert_int_equal(sb_setting_parse(auth, "--auth-user", at256, &cli, err, sizeof err), -1);
    snprintf(want, sizeof want, "--auth-user %s: too long, 256 bytes %s", at256, allowed_auth);
    assert_string_equal(err, want);
}

/* ---- help -------------------------------------------------------------------------------------
 */

/* `sipbeat help CMD` lists every flag of CMD with its default, and nothing else. */
static void help_lists_every_flag(void **state) {
    (void)state;
    static char help[8192];
    for (size_t k = 0; k < NCMDS; k++) {
        sb_cmd cmd = cmds[k];
        snprintf(help, sizeof help, "%s", sb_cli_help(cmd));
        sb_settings_defaults(&cli, cmd);
        for (size_t i = 0; i < sb_settings_count; i++) {
            const sb_setting *s = &sb_settings[i];
            if (!s->flag || !sb_setting_in(s, cmd)) continue;
            char want[96], shown[64], def[96];
            flag_text(s, want + 3, sizeof want - 3);
            memcpy(want, "\n  ", 3);
            const char *line = strstr(help, want);
            if (!line) fail_msg("help %s lacks %s", sb_cmd_name(cmd), want + 3);
            const char *d = sb_setting_show(s, &cli, shown, sizeof shown);
            if (s->unit == SB_UNIT_SWITCH || !d[0]) continue;
            /* The default is on that row (which may wrap onto one more line). */
            snprintf(def, sizeof def, "default %s)", d);
            const char *end = strstr(line + 1, "\n  -");
            const char *at = strstr(line, def);
            if (!at || (end && at > end))
                fail_msg("help %s: %s without (%s", sb_cmd_name(cmd), s->flag, def);
        }
        /* Every flag line names a flag of this command. */
        for (const char *p = strstr(help, "\n  -"); p; p = strstr(p + 1, "\n  -")) {
            char first[48];
            sscanf(p + 3, "%47[^ ,]", first);
            const sb_setting *s = sb_setting_find(first, strlen(first), cmd);
            if (!s || !sb_setting_in(s, cmd))
                fail_msg("help %s lists %s, not its flag", sb_cmd_name(cmd), first);
        }
    }
    /* The drift the table fixed: flags help.c once forgot. */
    assert_non_null(strstr(sb_cli_help(SB_CMD_CALL), "--fail-on LEVEL"));
    assert_non_null(strstr(sb_cli_help(SB_CMD_ANSWER), "--min-duration DUR"));
    assert_non_null(strstr(sb_cli_help(SB_CMD_ANSWER), "-d, --duration DUR"));
    assert_null(strstr(sb_cli_help(SB_CMD_DEMO), "--timer"));
}

/* ---- the report -------------------------------------------------------------------------------
 */

static void report_echoes_every_key(void **state) {
    (void)state;
    for (size_t k = 0; k < 2; k++) {
        sb_settings_defaults(&cli, cmds[k]);
        cli.cmd = cmds[k];
        cli.uri = "sip:svc@127.0.0.1";
        json_t *o = sb_report_config(&cli, NULL);
        for (size_t i = 0; i < sb_settings_count; i++) {
            const sb_setting *s = &sb_settings[i];
            if (!s->report) continue;
            char outer[32] = "";
            const char *key = s->report, *dot = strchr(key, '.');
            json_t *in = o;
            if (dot) {
                snprintf(outer, sizeof outer, "%.*s", (int)(dot - key), key);
                in = json_object_get(o, outer);
                assert_non_null(in);
                key = dot + 1;
            }
            /* A key two commands' rows share (duration_ms) is there if one row is the command's. */
            bool want = false;
            for (size_t j = 0; j < sb_settings_count; j++)
                want |= sb_settings[j].report && !strcmp(sb_settings[j].report, s->report) &&
                        sb_setting_in(&sb_settings[j], cmds[k]);
            bool has = json_object_get(in, key) != NULL;
            if (has != want)
                fail_msg("%s report: %s %s", sb_cmd_name(cmds[k]), s->report,
                         has ? "echoed for a command that does not take it" : "missing");
        }
        json_decref(o);
    }
}

/* The report echoes the user and whether there is a password, never the password. */
static void report_hides_the_password(void **state) {
    (void)state;
    sb_settings_defaults(&cli, SB_CMD_CALL);
    cli.cmd = SB_CMD_CALL;
    cli.uri = "sip:svc@127.0.0.1";
    json_t *o = sb_report_config(&cli, NULL);
    assert_string_equal(json_string_value(json_object_get(o, "user")), "sipbeat");
    assert_true(json_is_null(json_object_get(o, "auth_user")));
    assert_true(json_is_null(json_object_get(o, "auth_password")));
    json_decref(o);

    cli.cfg.user = "1001";
    cli.cfg.auth_user = "1001@pbx.example";
    cli.cfg.auth_password = "hunter2-not-echoed";
    cli.auth_password_file = "/secret/path.pw";
    o = sb_report_config(&cli, NULL);
    assert_string_equal(json_string_value(json_object_get(o, "user")), "1001");
    assert_string_equal(json_string_value(json_object_get(o, "auth_user")), "1001@pbx.example");
    assert_string_equal(json_string_value(json_object_get(o, "auth_password")), "set");
    char *text = json_dumps(o, JSON_COMPACT);
    assert_null(strstr(text, "hunter2"));
    assert_null(strstr(text, "/secret/path.pw"));
    free(text);
    json_decref(o);

    /* Nor does anything that shows a row: no row with a flag sets the password, and the row
     * that holds it shows "set". */
    char buf[64];
    for (size_t i = 0; i < sb_settings_count; i++) {
        const sb_setting *s = &sb_settings[i];
        const char *shown = sb_setting_show(s, &cli, buf, sizeof buf);
        assert_null(strstr(shown, "hunter2"));
        if (s->unit == SB_UNIT_SECRET) assert_string_equal(shown, "set");
    }
}

/* ---- docs/cli.md ------------------------------------------------------------------------------
 */

/* docs/cli.md, found from this file's path (CMake compiles it by its absolute path). */
static char *read_docs(void) {
    const char *self = __FILE__, *cut = strstr(self, "tests/unit/");
    char path[1024];
    if (!cut) fail_msg("cannot locate docs/cli.md from %s", self);
    snprintf(path, sizeof path, "%.*sdocs/cli.md", (int)(cut - self), self);
    FILE *f = fopen(path, "rb");
    if (!f) fail_msg("cannot open %s", path);
    static char text[65536];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    return text;
}

typedef struct {
    char flag[40], alias[40], metavar[40]; /* from "`-m`, `--calls N`" */
    char def[40];                          /* second cell; "" in a table without defaults */
    bool has_def;
} doc_row;

/* The cells of a table line, split at | not escaped as \|. Returns the count. */
static int cells(char *line, char **out, int cap) {
    int n = 0;
    char *p = line + 1, *start = p;
    for (; *p && n < cap; p++) {
        if (*p == '\\' && p[1] == '|') {
            memmove(p, p + 1, strlen(p)); /* unescape */
            continue;
        }
        if (*p == '|') {
            *p = '\0';
            out[n++] = start;
            start = p + 1;
        }
    }
    for (int i = 0; i < n; i++) { /* trim */
        while (*out[i] == ' ')
            out[i]++;
        for (char *e = out[i] + strlen(out[i]); e > out[i] && e[-1] == ' ';)
            *--e = '\0';
    }
    return n;
}

/* Reads the flag tables (rows starting "| `-") of docs/cli.md. */
static size_t doc_rows(char *text, doc_row *rows, size_t cap, size_t *columns_checked) {
    size_t n = 0;
    *columns_checked = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "| `-", 4) != 0 || n == cap) continue;
        char copy[1024], *cell[8] = {0};
        snprintf(copy, sizeof copy, "%s", line);
        int nc = cells(copy, cell, 8);
        if (nc < 2) fail_msg("docs/cli.md: not a table row: %s", line);
        doc_row *r = &rows[n++];
        memset(r, 0, sizeof *r);
        /* "`-m`, `--calls N`": the long form carries the metavar */
        for (char *q = strchr(cell[0], '`'); q; q = strchr(q + 1, '`')) {
            char span[64] = "";
            sscanf(q + 1, "%63[^`]", span);
            q = strchr(q + 1, '`');
            if (!q) break;
            char name[40] = "", meta[40] = "";
            sscanf(span, "%39s %39s", name, meta);
            if (strncmp(name, "--", 2) == 0) {
                snprintf(r->flag, sizeof r->flag, "%s", name);
                snprintf(r->metavar, sizeof r->metavar, "%s", meta);
            } else {
                snprintf(r->alias, sizeof r->alias, "%s", name);
            }
        }
        if (nc >= 3) {
            r->has_def = true;
            snprintf(r->def, sizeof r->def, "%s", cell[1]);
            (*columns_checked)++;
        }
    }
    return n;
}

/* Every flag of the table is in docs/cli.md with its metavar and default, and every flag in
 * docs/cli.md is one of the table's. */
static void docs_agree_with_table(void **state) {
    (void)state;
    static char text[65536];
    snprintf(text, sizeof text, "%s", read_docs());
    static char prose[65536];
    memcpy(prose, text, sizeof prose);
    static doc_row rows[128];
    size_t with_default = 0, n = doc_rows(text, rows, 128, &with_default);
    assert_true(n >= 30);
    assert_true(with_default >= 25);

    /* docs -> table */
    for (size_t i = 0; i < n; i++) {
        const doc_row *d = &rows[i];
        const sb_setting *s = sb_setting_find(d->flag, strlen(d->flag), SB_CMD_NONE);
        if (!s) fail_msg("docs/cli.md: %s is not a flag of the table", d->flag);
        if (strcmp(d->alias, s->alias ? s->alias : ""))
            fail_msg("docs/cli.md: %s has alias '%s', the table '%s'", d->flag, d->alias,
                     s->alias ? s->alias : "");
        if (strcmp(d->metavar, s->metavar ? s->metavar : ""))
            fail_msg("docs/cli.md: %s %s, the table says %s", d->flag, d->metavar,
                     s->metavar ? s->metavar : "(no value)");
    }
    /* table -> docs: each row, for each of its commands, has a docs row with the same default
     * (a table without a default column only lists the flag). */
    for (size_t i = 0; i < sb_settings_count; i++) {
        const sb_setting *s = &sb_settings[i];
        if (!s->flag) continue;
        for (size_t k = 0; k < NCMDS; k++) {
            if (!sb_setting_in(s, cmds[k])) continue;
            char shown[64];
            sb_settings_defaults(&cli, cmds[k]);
            const char *want = sb_setting_show(s, &cli, shown, sizeof shown);
            if (!want[0]) want = "—";
            bool found = false, listed = false;
            for (size_t j = 0; j < n && !found; j++) {
                if (strcmp(rows[j].flag, s->flag)) continue;
                listed = true;
                found = !rows[j].has_def || strcmp(rows[j].def, want) == 0;
            }
            if (!listed) fail_msg("docs/cli.md does not list %s", s->flag);
            if (!found)
                fail_msg("docs/cli.md: %s (%s) should have the default %s", s->flag,
                         sb_cmd_name(cmds[k]), want);
        }
    }
    /* Flags named in the prose: `--timer-se 20`, `-d`. */
    size_t spans = 0;
    for (char *q = strstr(prose, "`-"); q; q = strstr(q + 1, "`-")) {
        char name[40] = "";
        sscanf(q + 1, "%39[-a-z0-9]", name);
        /* A flag is -x or --x...; `-` alone is stdout, `-----` a trace's separator. */
        const char *letter = name[1] == '-' ? name + 2 : name + 1;
        if (*letter < 'a' || *letter > 'z') continue;
        if (!strcmp(name, "--version")) continue; /* of sipbeat itself, not of a command */
        spans++;
        if (q[1 + strlen(name)] == '*') { /* `--timer-*`: some flag starts so */
            bool any = false;
            for (size_t i = 0; i < sb_settings_count; i++)
                any |= sb_settings[i].flag && !strncmp(sb_settings[i].flag, name, strlen(name));
            if (!any) fail_msg("docs/cli.md names %s*, no flag of the table", name);
            continue;
        }
        /* Flags we refuse (a password on the command line) are named to say so. */
        if (!sb_setting_find(name, strlen(name), SB_CMD_NONE) &&
            !sb_cli_password_flag(name, strlen(name)))
            fail_msg("docs/cli.md names %s, not a flag of the table", name);
    }
    assert_true(spans > 50);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_is_consistent),
        cmocka_unit_test(fields_map_to_flags),
        cmocka_unit_test(defaults_equal_sb_config_init),
        cmocka_unit_test(help_lists_every_flag),
        cmocka_unit_test(report_echoes_every_key),
        cmocka_unit_test(docs_agree_with_table),
        cmocka_unit_test(user_values),
        cmocka_unit_test(report_hides_the_password),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
