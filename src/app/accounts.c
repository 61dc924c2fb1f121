/* The accounts file (accounts.h): read, checked row by row, kept in one block. */
#include "app/accounts.h"

#include "app/cli.h"
#include "app/settings.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const col_names[SB_COL__COUNT] = {"user",   "auth_user",    "password",
                                                     "domain", "display_name", "target"};
#define COLUMNS "user, auth_user, password, domain, display_name, target"

static int fail(char *err, size_t cap, const char *fmt, ...) {
    va_list ap;
    int n = snprintf(err, cap, "sipbeat: ");
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < cap) vsnprintf(err + (size_t)n, cap - (size_t)n, fmt, ap);
    va_end(ap);
    return SB_EXIT_USAGE;
}

/* The whole file, NUL-terminated. */
static char *slurp(const char *path, size_t *len, char *err, size_t cap, int *rc) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        *rc = fail(err, cap, "--accounts %s: %s", path, strerror(errno));
        return NULL;
    }
    size_t n = 0, room = 4096;
    char *buf = malloc(room);
    while (buf) {
        if (n + 1 >= room) {
            char *b = room > ((size_t)1 << 30) ? NULL : realloc(buf, room * 2);
            if (!b) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = b;
            room *= 2;
        }
        size_t got = fread(buf + n, 1, room - n - 1, f);
        n += got;
        if (got == 0) break;
    }
    int read_errno = ferror(f) ? errno : 0; /* a directory: EISDIR */
    fclose(f);
    if (!buf || read_errno) {
        free(buf);
        *rc = fail(err, cap, "--accounts %s: %s", path,
                   read_errno ? strerror(read_errno) : "too large to read");
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Splits one line (without its end) into fields, unquoting them in place: each field becomes
 * a NUL-terminated string inside line. Returns the number of fields, or -1 with why. */
static int split(char *line, char **field, int max, const char **why) {
    int n = 0;
    char *r = line, *w = line;
    for (;;) {
        if (n == max) {
            *why = "more fields than the six columns (allowed: " COLUMNS ")";
            return -1;
        }
        field[n++] = w;
        if (*r == '"') { /* quoted: up to the closing quote, "" is one quote */
            r++;
            for (;;) {
                if (*r == '\0') {
                    *why = "a quoted field is not closed (allowed: \"text\", with \"\" for a "
                           "quote inside, on one line)";
                    return -1;
                }
                if (*r == '"' && r[1] == '"') {
                    *w++ = '"';
                    r += 2;
                } else if (*r == '"') {
                    r++;
                    break;
                } else {
                    *w++ = *r++;
                }
            }
            if (*r != ',' && *r != '\0') {
                *why = "text after a closing quote (allowed: a comma or the end of the line)";
                return -1;
            }
        } else {
            while (*r && *r != ',') {
                if (*r == '"') {
                    *why = "a quote inside an unquoted field (allowed: quote the whole field, "
                           "with \"\" for the quote)";
                    return -1;
                }
                *w++ = *r++;
            }
        }
        bool more = *r == ',';
        *w++ = '\0';
        if (!more) return n;
        r++;
    }
}

static int column(const char *name) {
    for (int c = 0; c < SB_COL__COUNT; c++)
        if (strcasecmp(name, col_names[c]) == 0) return c;
    return -1;
}

/* A first row whose first field is a column name is a header: every field must then be one,
 * each once, user among them. Returns the number of columns mapped into map, 0 when the line is
 * not a header, -1 with why for a header that is wrong. */
static int header(char **field, int n, int map[SB_COL__COUNT], char *why, size_t cap) {
    if (column(field[0]) < 0) return 0;
    bool named[SB_COL__COUNT] = {0};
    for (int i = 0; i < n; i++) {
        int col = column(field[i]);
        if (col < 0) {
            snprintf(why, cap, "header: unknown column '%.40s' (allowed: " COLUMNS ")", field[i]);
            return -1;
        }
        if (named[col]) {
            snprintf(why, cap, "header: column %s named twice (allowed: each column once)",
                     col_names[col]);
            return -1;
        }
        named[col] = true;
        map[i] = col;
    }
    if (!named[SB_COL_USER]) {
        snprintf(why, cap, "header: no user column (allowed: " COLUMNS ", user among them)");
        return -1;
    }
    return n;
}

static bool check_password(const char *v, char *why, size_t cap) {
    if (strlen(v) > 1023) {
        snprintf(why, cap, "too long (allowed: 1..1023 bytes)");
        return false;
    }
    for (const char *p = v; *p; p++)
        if ((unsigned char)*p < ' ' && *p != '\t') {
            snprintf(why, cap, "a control byte (allowed: 1..1023 bytes of text)");
            return false;
        }
    return true;
}

static bool check_domain(const char *v, char *why, size_t cap) {
    static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.:[]";
    size_t n = strlen(v), good = strspn(v, ok);
    if (n > 255 || good != n) {
        snprintf(why, cap,
                 "not a host (allowed: a host name or IP address, with an optional :port, of "
                 "at most 255 bytes: letters, digits, - . : [ ])");
        return false;
    }
    return true;
}

/* The value's check: the rule of the flag that sets the same thing for one identity. */
static bool check_value(int col, const char *v, char *why, size_t cap) {
    static const char *const flag[SB_COL__COUNT] = {"--user", "--auth-user",    NULL,
                                                    NULL,     "--display-name", "--user"};
    if (col == SB_COL_PASSWORD) return check_password(v, why, cap);
    if (col == SB_COL_DOMAIN) return check_domain(v, why, cap);
    const sb_setting *s = sb_setting_find(flag[col], strlen(flag[col]), SB_CMD_CALL);
    return s && s->check && s->check(s, v, why, cap);
}

int sb_accounts_load(const char *path, sb_accounts *out, char *err, size_t cap) {
    memset(out, 0, sizeof *out);
    int rc = 0;
    size_t len = 0;
    char *text = slurp(path, &len, err, cap, &rc);
    if (!text) return rc;
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        uint32_t at = 1;
        for (const char *p = text; p < nul; p++)
            at += *p == '\n';
        explicit_bzero(text, len);
        free(text);
        return fail(err, cap, "%s:%u: a NUL byte (allowed: text)", path, at);
    }
    /* Rows point into text, which split() rewrites in place: unquoting only shortens. */
    uint32_t room = 0, line_no = 0;
    int map[SB_COL__COUNT] = {0, 1, 2, 3, 4, 5};
    bool first = true;
    char why[320];
    for (char *line = text; line && *line; line_no++) {
        char *end = strchr(line, '\n');
        char *next = end ? end + 1 : NULL;
        if (end) *end = '\0';
        size_t n = strlen(line);
        if (n && line[n - 1] == '\r') line[--n] = '\0';
        uint32_t at = line_no + 1;
        if (n > SB_ACCOUNT_LINE_MAX) {
            rc = fail(err, cap, "%s:%u: longer than %u bytes (allowed: one account per line)", path,
                      at, SB_ACCOUNT_LINE_MAX);
            break;
        }
        if (n == 0 || line[0] == '#') {
            line = next;
            continue;
        }
        char *field[SB_COL__COUNT];
        const char *bad = NULL;
        int nf = split(line, field, SB_COL__COUNT, &bad);
        if (nf < 0) {
            rc = fail(err, cap, "%s:%u: %s", path, at, bad);
            break;
        }
        if (first) {
            first = false;
            int h = header(field, nf, map, why, sizeof why);
            if (h < 0) {
                rc = fail(err, cap, "%s:%u: %s", path, at, why);
                break;
            }
            if (h > 0) {
                line = next;
                continue;
            }
        }
        if (out->n == SB_ACCOUNTS_MAX) {
            rc = fail(err, cap, "%s:%u: more than %u accounts (allowed: at most %u rows)", path, at,
                      SB_ACCOUNTS_MAX, SB_ACCOUNTS_MAX);
            break;
        }
        if (out->n == room) {
            uint32_t r2 = room ? room * 2 : 64;
            sb_account_row *rows = realloc(out->rows, r2 * sizeof *rows);
            if (!rows) {
                rc = fail(err, cap, "%s: out of memory", path);
                break;
            }
            out->rows = rows;
            room = r2;
        }
        sb_account_row *row = &out->rows[out->n];
        memset(row, 0, sizeof *row);
        row->line = at;
        for (int i = 0; i < nf && !rc; i++) {
            int col = map[i];
            if (!field[i][0]) continue;
            if (!check_value(col, field[i], why, sizeof why))
                rc = col == SB_COL_PASSWORD ? fail(err, cap, "%s:%u: password: %s", path, at, why)
                                            : fail(err, cap, "%s:%u: %s '%.64s': %s", path, at,
                                                   col_names[col], field[i], why);
            row->v[col] = field[i];
        }
        if (rc) break;
        if (!row->v[SB_COL_USER]) {
            rc = fail(err, cap,
                      "%s:%u: no user (allowed: a row starts with the user, e.g. "
                      "alice,,secret)",
                      path, at);
            break;
        }
        out->n++;
        line = next;
    }
    if (!rc && out->n == 0)
        rc = fail(err, cap, "%s: no accounts (allowed: one row per account: " COLUMNS ")", path);
    out->text = text;
    out->text_len = len;
    if (rc) sb_accounts_free(out);
    return rc;
}

int sb_accounts_require(const sb_accounts *a, unsigned cols, const char *path, const char *uri,
                        char *err, size_t cap) {
    for (uint32_t i = 0; i < a->n; i++)
        for (int c = 0; c < SB_COL__COUNT; c++)
            if ((cols >> c & 1u) && !a->rows[i].v[c])
                return fail(err, cap, "%s:%u: no %s, which %s needs (allowed: a %s on every row)",
                            path, a->rows[i].line, col_names[c], uri, col_names[c]);
    return 0;
}

void sb_accounts_free(sb_accounts *a) {
    if (a->text) explicit_bzero(a->text, a->text_len);
    free(a->text);
    free(a->rows);
    memset(a, 0, sizeof *a);
}

sb_account sb_account_of_row(const sb_account_row *r) {
    return (sb_account){.user = r->v[SB_COL_USER],
                        .auth_user = r->v[SB_COL_AUTH_USER],
                        .auth_password = r->v[SB_COL_PASSWORD],
                        .domain = r->v[SB_COL_DOMAIN],
                        .display_name = r->v[SB_COL_DISPLAY_NAME]};
}

static const struct {
    const char *tag;
    sb_account_col col;
} placeholders[] = {
    {"[user]", SB_COL_USER}, {"[target]", SB_COL_TARGET}, {"[domain]", SB_COL_DOMAIN}};
#define NPH (sizeof placeholders / sizeof placeholders[0])

unsigned sb_uri_placeholders(const char *uri) {
    unsigned bits = 0;
    for (size_t i = 0; i < NPH; i++)
        if (strstr(uri, placeholders[i].tag)) bits |= 1u << placeholders[i].col;
    return bits;
}

int sb_uri_fill(const char *tmpl, const sb_account_row *r, char *out, size_t cap) {
    size_t w = 0;
    for (const char *p = tmpl; *p;) {
        const char *val = NULL;
        size_t skip = 1;
        for (size_t i = 0; i < NPH; i++) {
            size_t tl = strlen(placeholders[i].tag);
            if (strncmp(p, placeholders[i].tag, tl) == 0) {
                val = r->v[placeholders[i].col] ? r->v[placeholders[i].col] : "";
                skip = tl;
            }
        }
        size_t vl = val ? strlen(val) : 1;
        if (w + vl + 1 > cap) return -1;
        memcpy(out + w, val ? val : p, vl);
        w += vl;
        p += skip;
    }
    out[w] = '\0';
    return 0;
}
