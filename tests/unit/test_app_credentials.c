/* Unit tests for src/app/credentials.c: the digest password from --auth-password-file or
 * SIPBEAT_AUTH_PASSWORD, and the exact one-line exit-2 messages, none of which holds it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "app/credentials.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static sb_cli cli;
static sb_config cfg;
static char buf[SB_PASSWORD_BUF];
static char err[1024];
static char dir[64];
static char path[128];

static int setup(void **state) {
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/sipbeat-credentials.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    unlink(path);
    return rmdir(dir);
}

/* A file of n bytes with the given content, named in path. */
static const char *file_of(const char *content, size_t n) {
    snprintf(path, sizeof path, "%s/pw", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(content, 1, n, f), n);
    fclose(f);
    return path;
}
#define FILE_OF(lit) file_of(lit, sizeof lit - 1)

static int load(const char *file, const char *env) {
    memset(&cli, 0, sizeof cli);
    sb_config_init(&cli.cfg);
    cli.auth_password_file = file;
    cfg = cli.cfg;
    err[0] = '\0';
    return sb_credentials_load(&cli, env, &cfg, buf, err, sizeof err);
}

static void expect_password(int rc, const char *want) {
    assert_int_equal(rc, 0);
    assert_non_null(cfg.auth_password);
    assert_string_equal(cfg.auth_password, want);
}

static void expect_usage(int rc, const char *line) {
    assert_int_equal(rc, SB_EXIT_USAGE);
    assert_string_equal(err, line);
    assert_null(cfg.auth_password);
}

static void none_without_file_or_env(void **state) {
    (void)state;
    assert_int_equal(load(NULL, NULL), 0);
    assert_null(cfg.auth_password);
}

/* The first line, without its LF or CRLF; what follows it is not read. */
static void first_line_of_the_file(void **state) {
    (void)state;
    expect_password(load(FILE_OF("s3cret\n"), NULL), "s3cret");
    expect_password(load(FILE_OF("s3cret\r\n"), NULL), "s3cret");
    expect_password(load(FILE_OF("s3cret"), NULL), "s3cret");
    expect_password(load(FILE_OF("s3 cr\tet \nsecond line\n"), NULL), "s3 cr\tet ");
    expect_password(load(FILE_OF("a\rb\r\n"), NULL), "a\rb"); /* only the CR before LF goes */
    assert_true(cfg.auth_password == buf);
}

/* The file wins over the environment; the environment is taken as it is. */
static void file_then_environment(void **state) {
    (void)state;
    expect_password(load(FILE_OF("from-file\n"), "from-env"), "from-file");
    expect_password(load(NULL, "from-env"), "from-env");
    expect_password(load(NULL, "with space\n"), "with space\n");
    /* A file that cannot be read is an error even when the environment has one. */
    expect_usage(load("/nonexistent/pw", "from-env"),
                 "sipbeat: --auth-password-file /nonexistent/pw: No such file or directory");
}

static void bad_files(void **state) {
    (void)state;
    char want[512];
    expect_usage(load("/nonexistent", NULL),
                 "sipbeat: --auth-password-file /nonexistent: No such file or directory");
    snprintf(want, sizeof want, "sipbeat: --auth-password-file %s: Is a directory", dir);
    expect_usage(load(dir, NULL), want);
    static const char *const empties[] = {"", "\n", "\r\n", "\nsecond line\n"};
    for (size_t i = 0; i < sizeof empties / sizeof empties[0]; i++) {
        const char *p = file_of(empties[i], strlen(empties[i]));
        snprintf(want, sizeof want,
                 "sipbeat: --auth-password-file %s: the first line is empty (allowed: a "
                 "password of 1..1023 bytes on the first line)",
                 p);
        expect_usage(load(p, "from-env"), want);
    }
    const char *p = file_of("ab\0cd\n", 6);
    snprintf(want, sizeof want,
             "sipbeat: --auth-password-file %s: the first line holds a NUL byte (allowed: a "
             "password of 1..1023 bytes of text on the first line)",
             p);
    expect_usage(load(p, NULL), want);
    assert_int_equal(buf[0], '\0'); /* what was read is wiped */
}

/* 1023 bytes are allowed, with or without CRLF; 1024 are not. */
static void length(void **state) {
    (void)state;
    static char big[2100], want[2100];
    memset(big, 'x', sizeof big);
    memcpy(big + 1023, "\r\n", 2);
    assert_int_equal(load(file_of(big, 1025), NULL), 0);
    assert_int_equal(strlen(cfg.auth_password), 1023);
    assert_int_equal(load(file_of(big, 1023), NULL), 0);
    assert_int_equal(strlen(cfg.auth_password), 1023);
    memset(big, 'x', sizeof big);
    snprintf(want, sizeof want,
             "sipbeat: --auth-password-file %s/pw: the first line is longer than 1023 bytes "
             "(allowed: a password of 1..1023 bytes on the first line)",
             dir);
    expect_usage(load(file_of(big, 1024), NULL), want);
    expect_usage(load(file_of(big, 1025), NULL), want);
    expect_usage(load(file_of(big, sizeof big), NULL), want);
    memcpy(big + 1024, "\r\n", 2);
    expect_usage(load(file_of(big, 1026), NULL), want);

    big[1024] = '\0';
    expect_usage(load(NULL, big), "sipbeat: SIPBEAT_AUTH_PASSWORD: longer than 1023 bytes "
                                  "(allowed: a password of 1..1023 bytes)");
    big[1023] = '\0';
    expect_password(load(NULL, big), big);
}

static void empty_environment(void **state) {
    (void)state;
    expect_usage(load(NULL, ""), "sipbeat: SIPBEAT_AUTH_PASSWORD: empty (allowed: a password of "
                                 "1..1023 bytes, or leave it unset)");
}

/* --auth-user without a password would do nothing: an error, like a --timer-* flag with
 * --timer off. */
static void auth_user_needs_a_password(void **state) {
    (void)state;
    memset(&cli, 0, sizeof cli);
    sb_config_init(&cli.cfg);
    cli.cfg.auth_user = "1001@pbx.example";
    cfg = cli.cfg;
    expect_usage(sb_credentials_load(&cli, NULL, &cfg, buf, err, sizeof err),
                 "sipbeat: --auth-user 1001@pbx.example: has no effect without a password "
                 "(allowed: with --auth-password-file FILE or SIPBEAT_AUTH_PASSWORD)");
    cfg = cli.cfg;
    expect_password(sb_credentials_load(&cli, "pw", &cfg, buf, err, sizeof err), "pw");
    assert_string_equal(cfg.auth_user, "1001@pbx.example");
}

/* No message ever holds the password. */
static void messages_never_hold_it(void **state) {
    (void)state;
    assert_int_equal(load(FILE_OF("hunter2\n"), NULL), 0);
    sb_credentials_wipe(buf);
    for (size_t i = 0; i < sizeof buf; i++)
        assert_int_equal(buf[i], 0);
    assert_int_equal(load(FILE_OF("hunter2\0\n"), NULL), SB_EXIT_USAGE);
    assert_null(strstr(err, "hunter2"));
    assert_null(memmem(buf, sizeof buf, "hunter2", 7));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(none_without_file_or_env),
        cmocka_unit_test(first_line_of_the_file),
        cmocka_unit_test(file_then_environment),
        cmocka_unit_test(bad_files),
        cmocka_unit_test(length),
        cmocka_unit_test(empty_environment),
        cmocka_unit_test(auth_user_needs_a_password),
        cmocka_unit_test(messages_never_hold_it),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
