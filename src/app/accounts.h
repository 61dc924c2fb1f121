/* --accounts FILE.csv: many identities, one per row, each call taking the next (SIPp's -inf).
 *
 * Columns, in this order unless a header row names them: user, auth_user, password, domain,
 * display_name, target. A first row whose first field is a column name is a header: its
 * fields name the columns (any order, any subset that has user). Fields are separated by commas and
 * may be quoted as in RFC 4180 ("a, b", "say ""hi"""); nothing is trimmed. Empty lines and lines
 * starting with # are skipped. An empty field is an absent one: auth_user defaults to user, an
 * empty password means no credentials, no domain means our address in From.
 *
 * The Request-URI of `call` may hold [user], [target] and [domain], replaced by the row's
 * values: sip:[target]@192.0.2.10. The file is read where the command starts; a bad one is a
 * usage error naming FILE:LINE. Passwords are wiped when the accounts are freed. */
#ifndef SB_APP_ACCOUNTS_H
#define SB_APP_ACCOUNTS_H

#include "sipbeat/engine.h"

#include <stddef.h>
#include <stdint.h>

#define SB_ACCOUNTS_MAX 1000000u /* rows */
#define SB_ACCOUNT_LINE_MAX 4096 /* bytes per line */

typedef enum {
    SB_COL_USER,
    SB_COL_AUTH_USER,
    SB_COL_PASSWORD,
    SB_COL_DOMAIN,
    SB_COL_DISPLAY_NAME,
    SB_COL_TARGET,
    SB_COL__COUNT
} sb_account_col;

typedef struct {
    const char *v[SB_COL__COUNT]; /* NULL: empty or absent */
    uint32_t line;                /* in the file, for messages */
} sb_account_row;

typedef struct {
    sb_account_row *rows;
    uint32_t n;
    char *text; /* every value, NUL-terminated, one block */
    size_t text_len;
} sb_accounts;

/* Reads and checks the file (the values as the engine and the CLI's own flags would check them).
 * Returns 0, or SB_EXIT_USAGE with one line in err ("sipbeat: FILE:LINE: ..."): a file that
 * cannot be read, no rows, an unterminated quote, too many fields, an unknown header, a bad
 * value (naming its column and what is allowed), more than SB_ACCOUNTS_MAX rows. */
int sb_accounts_load(const char *path, sb_accounts *out, char *err, size_t cap);
/* Every row has the columns in cols (bits 1 << column), which uri's placeholders need. Returns
 * 0 or SB_EXIT_USAGE with "sipbeat: FILE:LINE: no target, which URI needs ...". */
int sb_accounts_require(const sb_accounts *a, unsigned cols, const char *path, const char *uri,
                        char *err, size_t cap);
/* Wipes the passwords and frees. */
void sb_accounts_free(sb_accounts *a);

/* The row as an engine account. */
sb_account sb_account_of_row(const sb_account_row *r);

/* Which placeholders a Request-URI template holds: bit (1 << column) for [user], [target],
 * [domain]. */
unsigned sb_uri_placeholders(const char *uri);
/* The template with the row's values in place of its placeholders, into out. Returns 0, or -1
 * when it does not fit. */
int sb_uri_fill(const char *tmpl, const sb_account_row *r, char *out, size_t cap);

#endif
