/* The accounts file (app/accounts.c): columns, header rows, RFC 4180 quoting, comments, and
 * the one-line errors with FILE:LINE; the Request-URI placeholders. */
#include "app/accounts.h"
#include "app/cli.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static char path[] = "/tmp/sb_accounts_XXXXXX";

static const char *write_file(const char *text, size_t len) {
    strcpy(path, "/tmp/sb_accounts_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    fclose(f);
    return path;
}

static int load(const char *text, sb_accounts *a, char *err, size_t cap) {
    int rc = sb_accounts_load(write_file(text, strlen(text)), a, err, cap);
    remove(path);
    return rc;
}

static void v_is(const sb_account_row *r, sb_account_col c, const char *want) {
    if (!want) {
        assert_null(r->v[c]);
        return;
    }
    assert_non_null(r->v[c]);
    assert_string_equal(r->v[c], want);
}

/* Six columns in order, empty fields absent, quotes with commas and doubled quotes, comments,
 * blank lines and CRLF line ends; line numbers kept for messages. */
static void columns_quotes_comments(void **state) {
    (void)state;
    sb_accounts a;
    char err[512] = "";
    assert_int_equal(load("# user,auth_user,password,domain,display_name,target\r\n"
                          "1001,,s3cret,pbx.example,\"Desk, 1001\",2001\r\n"
                          "\r\n"
                          "1002,auth-1002,\"say \"\"hi\"\"\",,,\n"
                          "1003\n",
                          &a, err, sizeof err),
                     0);
    assert_int_equal(a.n, 3);
    v_is(&a.rows[0], SB_COL_USER, "1001");
    v_is(&a.rows[0], SB_COL_AUTH_USER, NULL);
    v_is(&a.rows[0], SB_COL_PASSWORD, "s3cret");
    v_is(&a.rows[0], SB_COL_DOMAIN, "pbx.example");
    v_is(&a.rows[0], SB_COL_DISPLAY_NAME, "Desk, 1001");
    v_is(&a.rows[0], SB_COL_TARGET, "2001");
    assert_int_equal(a.rows[0].line, 2);
    v_is(&a.rows[1], SB_COL_AUTH_USER, "auth-1002");
    v_is(&a.rows[1], SB_COL_PASSWORD, "say \"hi\"");
    v_is(&a.rows[1], SB_COL_DOMAIN, NULL);
    assert_int_equal(a.rows[1].line, 4);
    v_is(&a.rows[2], SB_COL_USER, "1003");
    v_is(&a.rows[2], SB_COL_PASSWORD, NULL);
    assert_int_equal(a.rows[2].line, 5);
    sb_account acc = sb_account_of_row(&a.rows[1]);
    assert_string_equal(acc.user, "1002");
    assert_string_equal(acc.auth_password, "say \"hi\"");
    assert_null(acc.domain);
    sb_accounts_free(&a);
    assert_null(a.rows);
    assert_int_equal(a.n, 0);
}

/* A header names the columns in its own order; a first field that is not a column name is
 * data, even if a later one is ("password" as a password). */
static void header_orders_columns(void **state) {
    (void)state;
    sb_accounts a;
    char err[512] = "";
    assert_int_equal(load("target,USER,password\n2001,alice,pw\n", &a, err, sizeof err), 0);
    assert_int_equal(a.n, 1);
    v_is(&a.rows[0], SB_COL_USER, "alice");
    v_is(&a.rows[0], SB_COL_TARGET, "2001");
    v_is(&a.rows[0], SB_COL_PASSWORD, "pw");
    v_is(&a.rows[0], SB_COL_DOMAIN, NULL);
    sb_accounts_free(&a);
    assert_int_equal(load("alice,,password\n", &a, err, sizeof err), 0);
    v_is(&a.rows[0], SB_COL_PASSWORD, "password");
    sb_accounts_free(&a);
}

/* Each mistake: exit 2 and one line with FILE:LINE and what is allowed; a password's value is
 * never quoted. */
static void bad_files(void **state) {
    (void)state;
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"alice,,pw\n10 02,,x\n", ":2: user '10 02': a space is not allowed (allowed: "},
        {"alice,,\"pw\n", ":1: a quoted field is not closed (allowed: "},
        {"alice,,\"pw\"x\n", ":1: text after a closing quote (allowed: "},
        {"alice,,p\"w\n", ":1: a quote inside an unquoted field (allowed: "},
        {"a,b,c,d,e,f,g\n", ":1: more fields than the six columns (allowed: user, auth_user, "},
        {"user,pasword\n", ":1: header: unknown column 'pasword' (allowed: "},
        {"user,user\n", ":1: header: column user named twice (allowed: "},
        {"password,target\n", ":1: header: no user column (allowed: "},
        {"# only a comment\n\n", ": no accounts (allowed: "},
        {"user,password\n", ": no accounts (allowed: "},
        {",,pw\n", ":1: no user (allowed: "},
        {"alice,,pw,pbx example\n", ":1: domain 'pbx example': not a host (allowed: "},
        {"alice,a\"b\n", ":1: a quote inside an unquoted field"},
        {"alice,,pw\tok\nbob,,bad\x01pw\n", ":2: password: a control byte (allowed: "},
        {"alice,,,,Al\x01"
         "ce\n",
         ":1: display_name 'Al\x01"
         "ce': byte 0x01 is not allowed (allowed: "},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sb_accounts a;
        char err[512] = "";
        assert_int_equal(load(bad[i].text, &a, err, sizeof err), SB_EXIT_USAGE);
        if (strncmp(err, "sipbeat: /tmp/sb_accounts_", 26) != 0 || !strstr(err, bad[i].want))
            fail_msg("case %zu: got '%s', want '%s'", i, err, bad[i].want);
        assert_null(strchr(err, '\n'));
        assert_null(strstr(err, "bad\x01pw"));
        assert_null(a.rows);
    }
    /* a NUL byte, on its line */
    sb_accounts a;
    char err[512] = "";
    static const char nul[] = "alice,,pw\nbob,,p\0w\n";
    assert_int_equal(sb_accounts_load(write_file(nul, sizeof nul - 1), &a, err, sizeof err),
                     SB_EXIT_USAGE);
    remove(path);
    assert_non_null(strstr(err, ":2: a NUL byte"));
    assert_int_equal(sb_accounts_load("/nonexistent/accounts.csv", &a, err, sizeof err),
                     SB_EXIT_USAGE);
    assert_string_equal(err, "sipbeat: --accounts /nonexistent/accounts.csv: No such file or "
                             "directory");
}

/* Rows the URI's placeholders need must have the column. */
static void required_columns(void **state) {
    (void)state;
    sb_accounts a;
    char err[512] = "";
    assert_int_equal(load("alice,,,,,2001\nbob\n", &a, err, sizeof err), 0);
    unsigned need = sb_uri_placeholders("sip:[target]@192.0.2.1");
    assert_int_equal(need, 1u << SB_COL_TARGET);
    assert_int_equal(
        sb_accounts_require(&a, need, "f.csv", "sip:[target]@192.0.2.1", err, sizeof err),
        SB_EXIT_USAGE);
    assert_string_equal(err, "sipbeat: f.csv:2: no target, which sip:[target]@192.0.2.1 needs "
                             "(allowed: a target on every row)");
    assert_int_equal(sb_accounts_require(&a, 1u << SB_COL_USER, "f.csv", "u", err, sizeof err), 0);
    sb_accounts_free(&a);
}

static void placeholders_filled(void **state) {
    (void)state;
    sb_account_row r = {
        .v = {[SB_COL_USER] = "1001", [SB_COL_TARGET] = "2001", [SB_COL_DOMAIN] = "pbx.example"}};
    char out[64];
    assert_int_equal(sb_uri_placeholders("sip:svc@1.2.3.4"), 0);
    assert_int_equal(sb_uri_placeholders("sip:[user]-[target]@[domain]"),
                     (1u << SB_COL_USER) | (1u << SB_COL_TARGET) | (1u << SB_COL_DOMAIN));
    assert_int_equal(sb_uri_fill("sip:[target]@[domain];x=[user]", &r, out, sizeof out), 0);
    assert_string_equal(out, "sip:2001@pbx.example;x=1001");
    assert_int_equal(sb_uri_fill("sip:[x]@[::1]", &r, out, sizeof out), 0);
    assert_string_equal(out, "sip:[x]@[::1]"); /* not a placeholder: kept */
    assert_int_equal(sb_uri_fill("sip:[target]@192.0.2.1", &r, out, 20), 0);
    assert_string_equal(out, "sip:2001@192.0.2.1");
    assert_int_equal(sb_uri_fill("sip:[target]@192.0.2.1", &r, out, 18), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(columns_quotes_comments),
        cmocka_unit_test(header_orders_columns),
        cmocka_unit_test(bad_files),
        cmocka_unit_test(required_columns),
        cmocka_unit_test(placeholders_filled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
