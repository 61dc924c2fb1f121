/* The digest password from a file or the environment (see credentials.h). */
#include "app/credentials.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int fail(char *err, size_t cap, const char *fmt, ...) {
    va_list ap;
    int n = snprintf(err, cap, "sipbeat: ");
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < cap) vsnprintf(err + (size_t)n, cap - (size_t)n, fmt, ap);
    va_end(ap);
    return SB_EXIT_USAGE;
}

#define ALLOWED "allowed: a password of 1..1023 bytes"
_Static_assert(SB_PASSWORD_MAX == 1023, "ALLOWED quotes SB_PASSWORD_MAX");

/* The file's first line into buf, without its CR/LF. */
static int read_first_line(const char *path, char *buf, char *err, size_t cap) {
    FILE *f = fopen(path, "rb");
    if (!f) return fail(err, cap, "--auth-password-file %s: %s", path, strerror(errno));
    size_t n = 0;
    bool nul = false, over = false;
    int ch;
    while ((ch = getc(f)) != EOF && ch != '\n') {
        if (n == SB_PASSWORD_BUF - 1) {
            over = true;
            break;
        }
        nul |= ch == '\0';
        buf[n++] = (char)ch;
    }
    int read_errno = ferror(f) ? errno : 0; /* a directory: EISDIR */
    fclose(f);
    buf[n] = '\0';
    if (read_errno)
        return fail(err, cap, "--auth-password-file %s: %s", path, strerror(read_errno));
    if (n > 0 && buf[n - 1] == '\r') buf[--n] = '\0';
    if (n == 0)
        return fail(err, cap,
                    "--auth-password-file %s: the first line is empty (" ALLOWED
                    " on the first line)",
                    path);
    if (over || n > SB_PASSWORD_MAX)
        return fail(err, cap,
                    "--auth-password-file %s: the first line is longer than %u bytes (" ALLOWED
                    " on the first line)",
                    path, SB_PASSWORD_MAX);
    if (nul)
        return fail(err, cap,
                    "--auth-password-file %s: the first line holds a NUL byte (" ALLOWED
                    " of text on the first line)",
                    path);
    return 0;
}

int sb_credentials_load(const sb_cli *cli, const char *env, sb_config *cfg, char *buf, char *err,
                        size_t err_cap) {
    cfg->auth_password = NULL;
    buf[0] = '\0';
    if (cli->auth_password_file) { /* the file wins over the environment */
        int rc = read_first_line(cli->auth_password_file, buf, err, err_cap);
        if (rc) {
            sb_credentials_wipe(buf);
            return rc;
        }
        cfg->auth_password = buf;
    } else if (env) {
        size_t n = strlen(env);
        if (n == 0)
            return fail(err, err_cap, SB_PASSWORD_ENV ": empty (" ALLOWED ", or leave it unset)");
        if (n > SB_PASSWORD_MAX)
            return fail(err, err_cap, SB_PASSWORD_ENV ": longer than %u bytes (" ALLOWED ")",
                        SB_PASSWORD_MAX);
        memcpy(buf, env, n + 1);
        cfg->auth_password = buf;
    }
    if (cli->cfg.auth_user && !cfg->auth_password)
        return fail(err, err_cap,
                    "--auth-user %s: has no effect without a password (allowed: with "
                    "--auth-password-file FILE or " SB_PASSWORD_ENV ")",
                    cli->cfg.auth_user);
    return 0;
}

void sb_credentials_wipe(char *buf) {
    explicit_bzero(buf, SB_PASSWORD_BUF);
}
