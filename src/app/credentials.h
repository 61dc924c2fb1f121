/* Digest credentials from outside argv: the password is read where `call` and `answer` start
 * (cli.c opens no file), from the first line of --auth-password-file or, without that flag,
 * from the environment's SIPBEAT_AUTH_PASSWORD. Nothing here prints the password: an error
 * line names the file or the variable, never what it holds. */
#ifndef SB_APP_CREDENTIALS_H
#define SB_APP_CREDENTIALS_H

#include "app/cli.h"

#include <stddef.h>

#define SB_PASSWORD_ENV "SIPBEAT_AUTH_PASSWORD"
#define SB_PASSWORD_MAX 1023 /* bytes */
/* A buffer for the password: SB_PASSWORD_MAX bytes, a CR before the newline, and the NUL. */
#define SB_PASSWORD_BUF (SB_PASSWORD_MAX + 2)

/* Sets cfg->auth_password from cli->auth_password_file, else from env (the value of
 * SIPBEAT_AUTH_PASSWORD, NULL when unset), else NULL (no credentials). The password is kept in
 * buf (SB_PASSWORD_BUF bytes), which must outlive cfg's use. Returns 0, or SB_EXIT_USAGE with
 * one line in err (no newline, starting "sipbeat: "): the file cannot be read, the password is
 * empty or too long, or --auth-user was given without any password. */
int sb_credentials_load(const sb_cli *cli, const char *env, sb_config *cfg, char *buf, char *err,
                        size_t err_cap);

/* Clears the password from buf once the engines are gone (they keep their own copies). */
void sb_credentials_wipe(char *buf);

#endif
