/* HTTP digest for SIP (digest.h): challenges and credentials parsed as auth-param lists,
 * responses computed per RFC 2617 §3.2.2 and RFC 7616 §3.4.1. Hashes from libcrypto. */
#include "sip/digest.h"

#include "sipbeat/errors.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *alg_name(sb_digest_alg a) {
    return a == SB_DIGEST_SHA256 ? "SHA-256" : a == SB_DIGEST_SHA512_256 ? "SHA-512-256" : "MD5";
}

/* "MD5", "MD5-sess", "SHA-256", ... (case-insensitive); false when unknown. */
static bool alg_parse(sb_slice v, sb_digest_alg *alg, bool *sess) {
    static const struct {
        const char *name;
        sb_digest_alg alg;
    } t[] = {{"MD5", SB_DIGEST_MD5},
             {"SHA-256", SB_DIGEST_SHA256},
             {"SHA-512-256", SB_DIGEST_SHA512_256}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        size_t n = strlen(t[i].name);
        if (v.n < n || strncasecmp(v.p, t[i].name, n) != 0) continue;
        if (v.n == n) {
            *alg = t[i].alg;
            *sess = false;
            return true;
        }
        if (v.n == n + 5 && strncasecmp(v.p + n, "-sess", 5) == 0) {
            *alg = t[i].alg;
            *sess = true;
            return true;
        }
    }
    return false;
}

static bool is_ws(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Walks an auth-param list: name = token | quoted-string, separated by commas. The value of
 * a quoted string is returned without its quotes, escapes still in it (unquote() resolves them
 * into a buffer). Returns 1 with a pair, 0 at the end, SB_EMALFORMED on bad syntax. */
static int next_param(sb_slice s, size_t *pos, sb_slice *name, sb_slice *val, bool *quoted) {
    size_t i = *pos;
    while (i < s.n && (is_ws(s.p[i]) || s.p[i] == ','))
        i++;
    if (i >= s.n) return 0;
    size_t n0 = i;
    while (i < s.n && s.p[i] != '=' && !is_ws(s.p[i]) && s.p[i] != ',')
        i++;
    *name = (sb_slice){s.p + n0, i - n0};
    while (i < s.n && is_ws(s.p[i]))
        i++;
    if (i >= s.n || s.p[i] != '=' || !name->n) return SB_EMALFORMED;
    i++;
    while (i < s.n && is_ws(s.p[i]))
        i++;
    *quoted = i < s.n && s.p[i] == '"';
    if (*quoted) {
        size_t v0 = ++i;
        while (i < s.n && s.p[i] != '"')
            i += s.p[i] == '\\' && i + 1 < s.n ? 2 : 1;
        if (i >= s.n) return SB_EMALFORMED;
        *val = (sb_slice){s.p + v0, i - v0};
        i++;
    } else {
        size_t v0 = i;
        while (i < s.n && s.p[i] != ',' && !is_ws(s.p[i]))
            i++;
        *val = (sb_slice){s.p + v0, i - v0};
    }
    while (i < s.n && is_ws(s.p[i]))
        i++;
    if (i < s.n && s.p[i] != ',') return SB_EMALFORMED;
    *pos = i;
    return 1;
}

/* Copies v into out[cap] resolving backslash escapes; false when it does not fit. */
static bool unquote(sb_slice v, char *out, size_t cap) {
    size_t o = 0;
    for (size_t i = 0; i < v.n; i++) {
        char c = v.p[i];
        if (c == '\\' && i + 1 < v.n) c = v.p[++i];
        if (o + 1 >= cap) return false;
        out[o++] = c;
    }
    out[o] = '\0';
    return true;
}

static bool name_is(sb_slice n, const char *s) {
    return n.n == strlen(s) && strncasecmp(n.p, s, n.n) == 0;
}

/* The scheme "Digest" and the rest after it; false when the scheme is another. */
static bool digest_scheme(sb_slice value, sb_slice *rest) {
    if (value.n < 7 || strncasecmp(value.p, "Digest", 6) != 0 || !is_ws(value.p[6])) return false;
    *rest = (sb_slice){value.p + 7, value.n - 7};
    return true;
}

int sb_digest_parse_challenge(sb_slice value, bool proxy, sb_digest_challenge *out) {
    memset(out, 0, sizeof *out);
    out->proxy = proxy;
    out->raw = value;
    sb_slice rest, name, val;
    if (!digest_scheme(value, &rest)) return SB_EMALFORMED;
    bool got_realm = false, got_nonce = false, qop_given = false, auth = false, auth_int = false;
    size_t pos = 0;
    bool q;
    int rc;
    while ((rc = next_param(rest, &pos, &name, &val, &q)) == 1) {
        if (name_is(name, "realm")) {
            if (!unquote(val, out->realm, sizeof out->realm)) return SB_EMALFORMED;
            got_realm = true;
        } else if (name_is(name, "nonce")) {
            if (!unquote(val, out->nonce, sizeof out->nonce)) return SB_EMALFORMED;
            got_nonce = true;
        } else if (name_is(name, "opaque")) {
            if (!unquote(val, out->opaque, sizeof out->opaque)) return SB_EMALFORMED;
            out->has_opaque = true;
        } else if (name_is(name, "algorithm")) {
            if (!alg_parse(val, &out->alg, &out->sess)) return SB_EINVAL;
        } else if (name_is(name, "stale")) {
            out->stale = name_is(val, "true");
        } else if (name_is(name, "userhash")) {
            out->userhash = name_is(val, "true");
        } else if (name_is(name, "qop")) {
            qop_given = true;
            size_t i = 0;
            while (i < val.n) {
                while (i < val.n && (is_ws(val.p[i]) || val.p[i] == ','))
                    i++;
                size_t t0 = i;
                while (i < val.n && !is_ws(val.p[i]) && val.p[i] != ',')
                    i++;
                sb_slice tok = {val.p + t0, i - t0};
                auth |= name_is(tok, "auth");
                auth_int |= name_is(tok, "auth-int");
            }
        }
    }
    if (rc < 0 || !got_realm || !got_nonce) return SB_EMALFORMED;
    if (qop_given && !auth && !auth_int) return SB_EINVAL;
    out->qop = auth ? SB_QOP_AUTH : auth_int ? SB_QOP_AUTH_INT : SB_QOP_NONE;
    return 0;
}

int sb_digest_pick(const sb_msg *m, sb_digest_challenge *out) {
    bool found = false;
    sb_digest_challenge c;
    for (uint16_t i = 0; i < m->nhdrs; i++) {
        uint8_t id = m->hdrs[i].id;
        if (id != SB_HDR_WWW_AUTHENTICATE && id != SB_HDR_PROXY_AUTHENTICATE) continue;
        if (sb_digest_parse_challenge(m->hdrs[i].value, id == SB_HDR_PROXY_AUTHENTICATE, &c) != 0)
            continue;
        if (!found || c.alg > out->alg) *out = c; /* the enum is ordered weakest first */
        found = true;
    }
    return found ? 0 : SB_ENOTFOUND;
}

/* Lower-case hex of the hash of the parts, joined by ':'. */
static void hash_hex(sb_digest_alg alg, const sb_slice *parts, size_t n, char out[129]) {
    const EVP_MD *md = alg == SB_DIGEST_SHA256       ? EVP_sha256()
                       : alg == SB_DIGEST_SHA512_256 ? EVP_sha512_256()
                                                     : EVP_md5();
    unsigned char h[EVP_MAX_MD_SIZE];
    unsigned int hn = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    out[0] = '\0';
    if (!ctx) return;
    if (EVP_DigestInit_ex(ctx, md, NULL) == 1) {
        for (size_t i = 0; i < n; i++) {
            if (i) EVP_DigestUpdate(ctx, ":", 1);
            if (parts[i].n) EVP_DigestUpdate(ctx, parts[i].p, parts[i].n);
        }
        if (EVP_DigestFinal_ex(ctx, h, &hn) != 1) hn = 0;
    }
    EVP_MD_CTX_free(ctx);
    static const char hex[] = "0123456789abcdef";
    for (unsigned int i = 0; i < hn; i++) {
        out[2 * i] = hex[h[i] >> 4];
        out[2 * i + 1] = hex[h[i] & 15];
    }
    out[2 * hn] = '\0';
}

static sb_slice sl(const char *s) {
    return (sb_slice){s, strlen(s)};
}

/* RFC 7616 §3.4.1 (RFC 2617 §3.2.2 for MD5): the response from its inputs. */
static void response(sb_digest_alg alg, bool sess, sb_qop qop, sb_slice user, sb_slice realm,
                     const char *password, sb_slice nonce, sb_slice cnonce, const char *nc,
                     sb_slice method, sb_slice uri, sb_slice body, char out[129]) {
    char ha1[129], ha2[129], hb[129];
    hash_hex(alg, (sb_slice[]){user, realm, sl(password)}, 3, ha1);
    if (sess) {
        char tmp[129];
        memcpy(tmp, ha1, sizeof tmp);
        hash_hex(alg, (sb_slice[]){sl(tmp), nonce, cnonce}, 3, ha1);
    }
    if (qop == SB_QOP_AUTH_INT) {
        hash_hex(alg, &body, 1, hb);
        hash_hex(alg, (sb_slice[]){method, uri, sl(hb)}, 3, ha2);
    } else {
        hash_hex(alg, (sb_slice[]){method, uri}, 2, ha2);
    }
    if (qop == SB_QOP_NONE)
        hash_hex(alg, (sb_slice[]){sl(ha1), nonce, sl(ha2)}, 3, out);
    else
        hash_hex(alg,
                 (sb_slice[]){sl(ha1), nonce, sl(nc), cnonce,
                              sl(qop == SB_QOP_AUTH ? "auth" : "auth-int"), sl(ha2)},
                 6, out);
}

void sb_digest_response(const sb_digest_challenge *ch, const sb_digest_input *in, char out[129]) {
    char nc[9];
    snprintf(nc, sizeof nc, "%08x", in->nc);
    response(ch->alg, ch->sess, ch->qop, sl(in->username), sl(ch->realm), in->password,
             sl(ch->nonce), sl(in->cnonce ? in->cnonce : ""), nc, in->method, in->uri, in->body,
             out);
}

/* name="value" with " and \ escaped. */
static void put_quoted(sb_buf *b, const char *name, sb_slice v) {
    sb_buf_str(b, name);
    sb_buf_str(b, "=\"");
    for (size_t i = 0; i < v.n; i++) {
        if (v.p[i] == '"' || v.p[i] == '\\') sb_buf_put(b, "\\", 1);
        sb_buf_put(b, v.p + i, 1);
    }
    sb_buf_str(b, "\"");
}

void sb_digest_answer(const sb_digest_challenge *ch, const sb_digest_input *in, sb_buf *b) {
    char resp[129], nc[9];
    sb_digest_response(ch, in, resp);
    snprintf(nc, sizeof nc, "%08x", in->nc);
    sb_buf_str(b, ch->proxy ? "Proxy-Authorization: Digest " : "Authorization: Digest ");
    put_quoted(b, "username", sl(in->username));
    put_quoted(b, ", realm", sl(ch->realm));
    put_quoted(b, ", nonce", sl(ch->nonce));
    put_quoted(b, ", uri", in->uri);
    put_quoted(b, ", response", sl(resp));
    sb_buf_str(b, ", algorithm=");
    sb_buf_str(b, alg_name(ch->alg));
    if (ch->sess) sb_buf_str(b, "-sess");
    if (ch->qop != SB_QOP_NONE) {
        sb_buf_str(b, ch->qop == SB_QOP_AUTH ? ", qop=auth, nc=" : ", qop=auth-int, nc=");
        sb_buf_str(b, nc);
        put_quoted(b, ", cnonce", sl(in->cnonce ? in->cnonce : ""));
    }
    if (ch->has_opaque) put_quoted(b, ", opaque", sl(ch->opaque));
    sb_buf_str(b, "\r\n");
}

int sb_digest_parse_credentials(sb_slice value, sb_digest_creds *out) {
    memset(out, 0, sizeof *out);
    sb_slice rest, name, val;
    if (!digest_scheme(value, &rest)) return SB_EMALFORMED;
    size_t pos = 0;
    bool q;
    int rc;
    while ((rc = next_param(rest, &pos, &name, &val, &q)) == 1) {
        if (name_is(name, "username"))
            out->username = val;
        else if (name_is(name, "realm"))
            out->realm = val;
        else if (name_is(name, "nonce"))
            out->nonce = val;
        else if (name_is(name, "uri"))
            out->uri = val;
        else if (name_is(name, "response"))
            out->response = val;
        else if (name_is(name, "cnonce"))
            out->cnonce = val;
        else if (name_is(name, "opaque"))
            out->opaque = val;
        else if (name_is(name, "algorithm")) {
            if (!alg_parse(val, &out->alg, &out->sess)) return SB_EINVAL;
        } else if (name_is(name, "qop")) {
            if (name_is(val, "auth"))
                out->qop = SB_QOP_AUTH;
            else if (name_is(val, "auth-int"))
                out->qop = SB_QOP_AUTH_INT;
            else
                return SB_EINVAL;
        } else if (name_is(name, "nc")) {
            uint32_t x = 0;
            if (val.n != 8) return SB_EMALFORMED;
            for (size_t i = 0; i < 8; i++) {
                char c = val.p[i];
                int d = c >= '0' && c <= '9'   ? c - '0'
                        : c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                               : -1;
                if (d < 0) return SB_EMALFORMED;
                x = x * 16 + (uint32_t)d;
            }
            out->nc = x;
        }
    }
    if (rc < 0 || !out->username.n || !out->realm.n || !out->nonce.n || !out->response.n)
        return SB_EMALFORMED;
    return 0;
}

bool sb_digest_verify(const sb_digest_creds *c, const char *password, sb_slice method,
                      sb_slice body) {
    /* The quoted values may hold escapes: resolve them (none of ours do). */
    char user[256], realm[256], nonce[256], uri[1024], cnonce[256];
    if (!unquote(c->username, user, sizeof user) || !unquote(c->realm, realm, sizeof realm) ||
        !unquote(c->nonce, nonce, sizeof nonce) || !unquote(c->uri, uri, sizeof uri) ||
        !unquote(c->cnonce, cnonce, sizeof cnonce))
        return false;
    char nc[9], want[129];
    snprintf(nc, sizeof nc, "%08x", c->nc);
    response(c->alg, c->sess, c->qop, sl(user), sl(realm), password, sl(nonce), sl(cnonce), nc,
             method, sl(uri), body, want);
    size_t n = strlen(want);
    return n && c->response.n == n && CRYPTO_memcmp(want, c->response.p, n) == 0;
}
