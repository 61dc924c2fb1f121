/* Digest authentication (RFC 3261 §22, RFC 2617, RFC 7616, RFC 8760): the auth-param lexer,
 * the response computation over libcrypto's EVP digests, the client's answer header and the
 * server's check. Nothing here logs or keeps a password: it only goes into a digest. */
#include "sip/digest.h"

#include "sipbeat/errors.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>

/* ---- Lexical level (RFC 3261 §25.1, RFC 7235 §2.1) ---- */

static bool is_lws(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_wsp(char c) {
    return c == ' ' || c == '\t';
}

static bool is_tchar(unsigned char c) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* An unquoted value is read leniently (realm=host@example.com, uri=sip:bob@h are seen in the
 * wild): any visible ASCII byte but the quote, the backslash and the comma. */
static bool is_bare(unsigned char c) {
    return c > 0x20 && c < 0x7f && c != '"' && c != '\\' && c != ',';
}

static bool is_ctl(unsigned char c) {
    return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* Length of the line break of a fold (CRLF or the bare LF the message parser also accepts,
 * then SP or HTAB) at p[i], 0 when there is none. The white space itself stays. */
static size_t fold_len(const char *p, size_t n, size_t i) {
    if (p[i] == '\r' && i + 2 < n && p[i + 1] == '\n' && is_wsp(p[i + 2])) return 2;
    if (p[i] == '\n' && i + 1 < n && is_wsp(p[i + 1])) return 1;
    return 0;
}

typedef struct {
    sb_slice name;
    sb_slice value; /* a quoted value: the bytes between the quotes, still escaped */
    bool quoted;
} auth_param;

typedef struct {
    const char *p;
    size_t n, i;
    unsigned nparams;
} lexer;

static void skip_lws(lexer *lx) {
    while (lx->i < lx->n && is_lws(lx->p[lx->i]))
        lx->i++;
}

/* The scheme, "Digest" in any case, then white space or the end. */
static int lex_scheme(lexer *lx) {
    skip_lws(lx);
    size_t s = lx->i;
    while (lx->i < lx->n && is_tchar((unsigned char)lx->p[lx->i]))
        lx->i++;
    if (!sb_slice_ieq((sb_slice){lx->p + s, lx->i - s}, "Digest")) return SB_EMALFORMED;
    if (lx->i < lx->n && !is_lws(lx->p[lx->i])) return SB_EMALFORMED;
    return 0;
}

static int lex_quoted(lexer *lx, auth_param *out) {
    size_t v = ++lx->i; /* past the opening quote */
    for (;;) {
        if (lx->i >= lx->n) return SB_EMALFORMED; /* no closing quote */
        unsigned char c = (unsigned char)lx->p[lx->i];
        if (c == '"') break;
        if (c == '\\') {
            /* quoted-pair; an escaped control byte (CR, LF, NUL, ...) is refused. */
            if (lx->i + 1 >= lx->n || is_ctl((unsigned char)lx->p[lx->i + 1])) return SB_EMALFORMED;
            lx->i += 2;
            continue;
        }
        if (c == '\r' || c == '\n') {
            size_t f = fold_len(lx->p, lx->n, lx->i);
            if (f == 0) return SB_EMALFORMED;
            lx->i += f;
            continue;
        }
        if (is_ctl(c)) return SB_EMALFORMED;
        lx->i++;
    }
    out->value = (sb_slice){lx->p + v, lx->i - v};
    out->quoted = true;
    lx->i++; /* the closing quote */
    return 0;
}

/* 1 with *out: the next auth-param. 0: the end of this challenge. SB_EMALFORMED: bad syntax. */
static int lex_param(lexer *lx, auth_param *out) {
    /* Empty list elements (", ,") are allowed (RFC 7230 §7). */
    for (;;) {
        skip_lws(lx);
        if (lx->i < lx->n && lx->p[lx->i] == ',') {
            lx->i++;
            continue;
        }
        break;
    }
    if (lx->i == lx->n) return 0;
    size_t s = lx->i;
    while (lx->i < lx->n && is_tchar((unsigned char)lx->p[lx->i]))
        lx->i++;
    if (lx->i == s) return SB_EMALFORMED;
    out->name = (sb_slice){lx->p + s, lx->i - s};
    skip_lws(lx);
    if (lx->i == lx->n || lx->p[lx->i] != '=') {
        /* A token without '=' after a comma starts another challenge in the same value (an
         * HTTP list; SIP has one per header): ours ends before it. */
        return lx->nparams > 0 ? 0 : SB_EMALFORMED;
    }
    lx->i++;
    skip_lws(lx);
    out->quoted = false;
    if (lx->i < lx->n && lx->p[lx->i] == '"') {
        int rc = lex_quoted(lx, out);
        if (rc != 0) return rc;
    } else {
        size_t v = lx->i;
        while (lx->i < lx->n && is_bare((unsigned char)lx->p[lx->i]))
            lx->i++;
        if (lx->i == v) return SB_EMALFORMED;
        out->value = (sb_slice){lx->p + v, lx->i - v};
    }
    skip_lws(lx);
    if (lx->i < lx->n && lx->p[lx->i] != ',') return SB_EMALFORMED;
    lx->nparams++;
    return 1;
}

/* unq(): the value without its escapes and folds' line breaks, NUL-terminated in dst[cap].
 * False when it does not fit. */
static bool unq_copy(sb_slice v, char *dst, size_t cap) {
    size_t o = 0;
    for (size_t i = 0; i < v.n; i++) {
        size_t f = fold_len(v.p, v.n, i);
        if (f > 0) {
            i += f - 1;
            continue;
        }
        char c = v.p[i];
        if (c == '\\' && i + 1 < v.n) c = v.p[++i];
        if (o + 1 >= cap) return false;
        dst[o++] = c;
    }
    dst[o] = '\0';
    return true;
}

/* Index of name in names[] (case-insensitive), or -1. */
static int param_index(sb_slice name, const char *const *names, int count) {
    for (int k = 0; k < count; k++)
        if (sb_slice_ieq(name, names[k])) return k;
    return -1;
}

/* ---- Algorithms ---- */

static const char *const alg_names[3][2] = {
    [SB_DIGEST_MD5] = {"MD5", "MD5-sess"},
    [SB_DIGEST_SHA256] = {"SHA-256", "SHA-256-sess"},
    [SB_DIGEST_SHA512_256] = {"SHA-512-256", "SHA-512-256-sess"},
};

static bool alg_valid(sb_digest_alg a) {
    return a == SB_DIGEST_MD5 || a == SB_DIGEST_SHA256 || a == SB_DIGEST_SHA512_256;
}

/* The algorithm token (RFC 8760 §2.7 lists the six), matched case-insensitively. */
static bool parse_alg(sb_slice v, sb_digest_alg *alg, bool *sess) {
    for (int a = 0; a < 3; a++)
        for (int s = 0; s < 2; s++)
            if (sb_slice_ieq(v, alg_names[a][s])) {
                *alg = (sb_digest_alg)a;
                *sess = s == 1;
                return true;
            }
    return false;
}

/* Preference when several challenges are usable (digest.h: SHA-512-256 > SHA-256 > MD5). */
static int alg_rank(sb_digest_alg a) {
    switch (a) {
    case SB_DIGEST_SHA512_256:
        return 2;
    case SB_DIGEST_SHA256:
        return 1;
    default:
        return 0;
    }
}

static const EVP_MD *alg_md(sb_digest_alg a) {
    switch (a) {
    case SB_DIGEST_MD5:
        return EVP_md5();
    case SB_DIGEST_SHA256:
        return EVP_sha256();
    case SB_DIGEST_SHA512_256:
        return EVP_sha512_256();
    default:
        return NULL;
    }
}

/* ---- Hashing: H() and KD() of RFC 7616 §3.3, lower-case hex (§3.2) ---- */

typedef struct {
    EVP_MD_CTX *ctx;
    bool ok;
} hasher;

static void h_begin(hasher *h, sb_digest_alg a) {
    const EVP_MD *md = alg_md(a);
    h->ctx = md ? EVP_MD_CTX_new() : NULL;
    h->ok = h->ctx != NULL && EVP_DigestInit_ex(h->ctx, md, NULL) == 1;
}

static void h_put(hasher *h, const char *p, size_t n) {
    if (h->ok && n > 0) h->ok = EVP_DigestUpdate(h->ctx, p, n) == 1;
}

static void h_str(hasher *h, const char *s) {
    h_put(h, s, strlen(s));
}

/* unq() of a value still escaped, fed in runs between the escapes and folds. */
static void h_unq(hasher *h, sb_slice v) {
    size_t run = 0;
    for (size_t i = 0; i < v.n; i++) {
        size_t f = fold_len(v.p, v.n, i);
        bool esc = f == 0 && v.p[i] == '\\' && i + 1 < v.n;
        if (f == 0 && !esc) continue;
        h_put(h, v.p + run, i - run);
        if (f > 0) {
            i += f - 1;
            run = i + 1;
        } else {
            run = i + 1; /* the escaped byte starts the next run */
            i++;
        }
    }
    if (run < v.n) h_put(h, v.p + run, v.n - run);
}

/* Finishes into out[129] as lower-case hex (32 or 64 digits); "" and false on failure. */
static bool h_end(hasher *h, char out[129]) {
    static const char hex[] = "0123456789abcdef";
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    bool ok = h->ok && EVP_DigestFinal_ex(h->ctx, d, &n) == 1 && n * 2 < 129;
    EVP_MD_CTX_free(h->ctx);
    h->ctx = NULL;
    if (!ok) n = 0;
    for (unsigned int i = 0; i < n; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[2 * n] = '\0';
    OPENSSL_cleanse(d, sizeof d);
    return ok;
}

static void nc_hex(uint32_t nc, char out[9]) {
    static const char hex[] = "0123456789abcdef";
    for (int i = 7; i >= 0; i--) {
        out[i] = hex[nc & 15];
        nc >>= 4;
    }
    out[8] = '\0';
}

static const char *qop_name(sb_qop q) {
    return q == SB_QOP_AUTH_INT ? "auth-int" : "auth";
}

/* What the response is computed from. The text fields are unq()'d when escaped is set (the
 * server's view: slices of the Authorization value), taken as they are otherwise. */
typedef struct {
    sb_digest_alg alg;
    bool sess;
    sb_qop qop;
    bool escaped;
    sb_slice username, realm, nonce, cnonce, uri;
    sb_slice password, method, body;
    uint32_t nc;
} calc;

static void h_text(hasher *h, const calc *c, sb_slice s) {
    if (c->escaped)
        h_unq(h, s);
    else
        h_put(h, s.p, s.n);
}

/* RFC 7616 §3.4.1-§3.4.3 (RFC 2617 §3.2.2.1-§3.2.2.3; no qop: the RFC 2069 form). */
static bool compute(const calc *c, char out[129]) {
    char ha1[129], ha2[129], hbody[129];
    hasher h;
    bool ok = true;

    /* H(A1) = H(username ":" realm ":" passwd), and for -sess
     * H(H(username ":" realm ":" passwd) ":" nonce ":" cnonce). */
    h_begin(&h, c->alg);
    h_text(&h, c, c->username);
    h_put(&h, ":", 1);
    h_text(&h, c, c->realm);
    h_put(&h, ":", 1);
    h_put(&h, c->password.p, c->password.n);
    ok &= h_end(&h, ha1);
    if (c->sess) {
        h_begin(&h, c->alg);
        h_str(&h, ha1);
        h_put(&h, ":", 1);
        h_text(&h, c, c->nonce);
        h_put(&h, ":", 1);
        h_text(&h, c, c->cnonce);
        ok &= h_end(&h, ha1);
    }

    /* H(A2) = H(Method ":" digest-uri [":" H(entity-body)]); an empty body hashes as ""
     * with the same algorithm (RFC 8760 §2.6 item 7). */
    if (c->qop == SB_QOP_AUTH_INT) {
        h_begin(&h, c->alg);
        h_put(&h, c->body.p, c->body.n);
        ok &= h_end(&h, hbody);
    }
    h_begin(&h, c->alg);
    h_put(&h, c->method.p, c->method.n);
    h_put(&h, ":", 1);
    h_text(&h, c, c->uri);
    if (c->qop == SB_QOP_AUTH_INT) {
        h_put(&h, ":", 1);
        h_str(&h, hbody);
    }
    ok &= h_end(&h, ha2);

    /* KD(H(A1), nonce ":" nc ":" cnonce ":" qop ":" H(A2)), or KD(H(A1), nonce ":" H(A2)). */
    h_begin(&h, c->alg);
    h_str(&h, ha1);
    h_put(&h, ":", 1);
    h_text(&h, c, c->nonce);
    if (c->qop != SB_QOP_NONE) {
        char nc[9];
        nc_hex(c->nc, nc);
        h_put(&h, ":", 1);
        h_str(&h, nc);
        h_put(&h, ":", 1);
        h_text(&h, c, c->cnonce);
        h_put(&h, ":", 1);
        h_str(&h, qop_name(c->qop));
    }
    h_put(&h, ":", 1);
    h_str(&h, ha2);
    ok &= h_end(&h, out);

    OPENSSL_cleanse(ha1, sizeof ha1);
    if (!ok) out[0] = '\0';
    return ok;
}

static sb_slice cstr(const char *s) {
    return s ? (sb_slice){s, strlen(s)} : (sb_slice){"", 0};
}

/* ---- Client side ---- */

enum { CH_REALM, CH_NONCE, CH_OPAQUE, CH_ALGORITHM, CH_QOP, CH_STALE, CH_USERHASH, CH_DOMAIN };
static const char *const ch_names[] = {"realm", "nonce", "opaque",   "algorithm",
                                       "qop",   "stale", "userhash", "domain"};

/* The qop we answer with from the offered list: auth, else auth-int; SB_EINVAL when the
 * list names neither (RFC 7616 §3.3: unknown options are ignored). */
static int choose_qop(sb_slice list, sb_qop *out) {
    bool auth = false, auth_int = false;
    size_t s = 0;
    for (size_t i = 0; i <= list.n; i++) {
        if (i < list.n && list.p[i] != ',') continue;
        sb_slice item = sb_slice_trim((sb_slice){list.p + s, i - s});
        if (sb_slice_ieq(item, "auth")) auth = true;
        if (sb_slice_ieq(item, "auth-int")) auth_int = true;
        s = i + 1;
    }
    if (!auth && !auth_int) return SB_EINVAL;
    *out = auth ? SB_QOP_AUTH : SB_QOP_AUTH_INT;
    return 0;
}

int sb_digest_parse_challenge(sb_slice value, bool proxy, sb_digest_challenge *out) {
    sb_digest_challenge ch;
    memset(&ch, 0, sizeof ch);
    ch.proxy = proxy;
    ch.raw = value;
    lexer lx = {value.p, value.p ? value.n : 0, 0, 0};
    int rc = lex_scheme(&lx);
    if (rc != 0) return rc;

    unsigned seen = 0;
    bool alg_known = true;
    sb_slice qop = {NULL, 0};
    auth_param pa;
    while ((rc = lex_param(&lx, &pa)) == 1) {
        int k = param_index(pa.name, ch_names, (int)(sizeof ch_names / sizeof ch_names[0]));
        if (k < 0) continue;                        /* charset and any extension: ignored */
        if (seen & (1u << k)) return SB_EMALFORMED; /* each at most once (RFC 7235 §2.1) */
        seen |= 1u << k;
        switch (k) {
        case CH_REALM:
            if (!unq_copy(pa.value, ch.realm, sizeof ch.realm)) return SB_EMALFORMED;
            break;
        case CH_NONCE:
            if (!unq_copy(pa.value, ch.nonce, sizeof ch.nonce)) return SB_EMALFORMED;
            break;
        case CH_OPAQUE:
            if (!unq_copy(pa.value, ch.opaque, sizeof ch.opaque)) return SB_EMALFORMED;
            ch.has_opaque = true;
            break;
        case CH_ALGORITHM: /* a token, though some servers quote it */
            alg_known = parse_alg(pa.value, &ch.alg, &ch.sess);
            break;
        case CH_QOP:
            qop = pa.value;
            break;
        case CH_STALE:
            ch.stale = sb_slice_ieq(pa.value, "true");
            break;
        case CH_USERHASH:
            ch.userhash = sb_slice_ieq(pa.value, "true");
            break;
        default: /* domain: no meaning in SIP, where the realm alone is the protection space */
            break;
        }
    }
    if (rc < 0) return rc;
    if (!(seen & (1u << CH_REALM)) || !(seen & (1u << CH_NONCE)) || ch.nonce[0] == '\0')
        return SB_EMALFORMED;
    if (!alg_known) return SB_EINVAL;
    if (seen & (1u << CH_QOP)) {
        rc = choose_qop(qop, &ch.qop);
        if (rc != 0) return rc;
    } else if (ch.sess) {
        /* -sess puts the cnonce in A1, but without qop RFC 2617 forbids sending a cnonce: no
         * answer could be checked. */
        return SB_EINVAL;
    }
    *out = ch;
    return 0;
}

int sb_digest_pick(const sb_msg *m, sb_digest_challenge *out) {
    sb_digest_challenge best, cand;
    bool found = false;
    for (uint16_t i = 0; i < m->nhdrs; i++) {
        const sb_hdr *h = &m->hdrs[i];
        if (h->id != SB_HDR_WWW_AUTHENTICATE && h->id != SB_HDR_PROXY_AUTHENTICATE) continue;
        if (sb_digest_parse_challenge(h->value, h->id == SB_HDR_PROXY_AUTHENTICATE, &cand) != 0)
            continue;
        if (!found || alg_rank(cand.alg) > alg_rank(best.alg)) {
            best = cand;
            found = true;
        }
    }
    if (!found) return SB_ENOTFOUND;
    *out = best;
    return 0;
}

static bool needs_cnonce(const sb_digest_challenge *ch) {
    return ch->qop != SB_QOP_NONE || ch->sess;
}

void sb_digest_response(const sb_digest_challenge *ch, const sb_digest_input *in, char out[129]) {
    calc c = {
        .alg = ch->alg,
        .sess = ch->sess,
        .qop = ch->qop,
        .escaped = false,
        .username = cstr(in->username),
        .realm = cstr(ch->realm),
        .nonce = cstr(ch->nonce),
        .cnonce = needs_cnonce(ch) ? cstr(in->cnonce) : cstr(""),
        .uri = in->uri,
        .password = cstr(in->password),
        .method = in->method,
        .body = in->body,
        .nc = in->nc,
    };
    if (!alg_valid(ch->alg) || (unsigned)ch->qop > SB_QOP_AUTH_INT) {
        out[0] = '\0';
        return;
    }
    compute(&c, out);
}

/* "value" with '"' and '\' escaped. False (nothing sensible written) for a control byte other
 * than HTAB: a CR or LF would end the header line. */
static bool put_quoted(sb_buf *b, sb_slice v) {
    sb_buf_put(b, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < v.n; i++) {
        unsigned char c = (unsigned char)v.p[i];
        if (is_ctl(c)) return false;
        if (c != '"' && c != '\\') continue;
        sb_buf_put(b, v.p + run, i - run);
        sb_buf_put(b, "\\", 1);
        run = i;
    }
    sb_buf_put(b, v.p + run, v.n - run);
    sb_buf_put(b, "\"", 1);
    return true;
}

void sb_digest_answer(const sb_digest_challenge *ch, const sb_digest_input *in, sb_buf *b) {
    size_t start = b->len;
    char resp[129];
    sb_digest_response(ch, in, resp);
    bool ok = resp[0] != '\0';
    if (needs_cnonce(ch) && (in->cnonce == NULL || in->cnonce[0] == '\0')) ok = false;

    sb_buf_str(b, ch->proxy ? "Proxy-Authorization: Digest username="
                            : "Authorization: Digest username=");
    ok = ok && put_quoted(b, cstr(in->username));
    sb_buf_str(b, ", realm=");
    ok = ok && put_quoted(b, cstr(ch->realm));
    sb_buf_str(b, ", nonce=");
    ok = ok && put_quoted(b, cstr(ch->nonce));
    sb_buf_str(b, ", uri=");
    ok = ok && put_quoted(b, in->uri);
    sb_buf_str(b, ", response=\"");
    sb_buf_str(b, resp);
    sb_buf_str(b, "\", algorithm=");
    if (ok) sb_buf_str(b, alg_names[ch->alg][ch->sess ? 1 : 0]);
    if (ch->qop != SB_QOP_NONE) {
        char nc[9];
        nc_hex(in->nc, nc);
        sb_buf_str(b, ", qop=");
        sb_buf_str(b, qop_name(ch->qop));
        sb_buf_str(b, ", nc=");
        sb_buf_str(b, nc);
    }
    if (needs_cnonce(ch)) {
        sb_buf_str(b, ", cnonce=");
        ok = ok && put_quoted(b, cstr(in->cnonce));
    }
    if (ch->has_opaque) {
        sb_buf_str(b, ", opaque=");
        ok = ok && put_quoted(b, cstr(ch->opaque));
    }
    sb_buf_put(b, "\r\n", 2);
    if (!ok) b->overflow = true;
    if (b->overflow) b->len = start; /* no half header */
}

/* ---- Server side ---- */

enum {
    CR_USERNAME,
    CR_REALM,
    CR_NONCE,
    CR_URI,
    CR_RESPONSE,
    CR_CNONCE,
    CR_OPAQUE,
    CR_ALGORITHM,
    CR_QOP,
    CR_NC,
    CR_USERHASH
};
static const char *const cr_names[] = {"username", "realm",  "nonce",   "uri",
                                       "response", "cnonce", "opaque",  "algorithm",
                                       "qop",      "nc",     "userhash"};

/* nc-value = 8LHEX (RFC 2617 §3.2.2): lower case only, since the server hashes the count it
 * re-formats and must get the client's bytes. */
static bool parse_nc(sb_slice v, uint32_t *out) {
    if (v.n != 8) return false;
    uint32_t nc = 0;
    for (size_t i = 0; i < 8; i++) {
        char c = v.p[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else
            return false;
        nc = nc << 4 | d;
    }
    *out = nc;
    return true;
}

int sb_digest_parse_credentials(sb_slice value, sb_digest_creds *out) {
    sb_digest_creds c;
    memset(&c, 0, sizeof c);
    lexer lx = {value.p, value.p ? value.n : 0, 0, 0};
    int rc = lex_scheme(&lx);
    if (rc != 0) return rc;

    unsigned seen = 0;
    bool alg_known = true, qop_known = true, userhash = false;
    sb_slice nc = {NULL, 0};
    auth_param pa;
    while ((rc = lex_param(&lx, &pa)) == 1) {
        int k = param_index(pa.name, cr_names, (int)(sizeof cr_names / sizeof cr_names[0]));
        if (k < 0) continue;
        if (seen & (1u << k)) return SB_EMALFORMED;
        seen |= 1u << k;
        switch (k) {
        case CR_USERNAME:
            c.username = pa.value;
            break;
        case CR_REALM:
            c.realm = pa.value;
            break;
        case CR_NONCE:
            c.nonce = pa.value;
            break;
        case CR_URI:
            c.uri = pa.value;
            break;
        case CR_RESPONSE:
            c.response = pa.value;
            break;
        case CR_CNONCE:
            c.cnonce = pa.value;
            break;
        case CR_OPAQUE:
            c.opaque = pa.value;
            break;
        case CR_ALGORITHM:
            alg_known = parse_alg(pa.value, &c.alg, &c.sess);
            break;
        case CR_QOP:
            /* Hashed as sent, so matched exactly (a token; a quoted one is tolerated). */
            if (sb_slice_eq(pa.value, "auth"))
                c.qop = SB_QOP_AUTH;
            else if (sb_slice_eq(pa.value, "auth-int"))
                c.qop = SB_QOP_AUTH_INT;
            else
                qop_known = false;
            break;
        case CR_NC:
            nc = pa.value;
            break;
        default: /* userhash */
            userhash = sb_slice_ieq(pa.value, "true");
            break;
        }
    }
    if (rc < 0) return rc;
    const unsigned required =
        1u << CR_USERNAME | 1u << CR_REALM | 1u << CR_NONCE | 1u << CR_URI | 1u << CR_RESPONSE;
    if ((seen & required) != required) return SB_EMALFORMED;
    if ((seen & (1u << CR_NC)) && !parse_nc(nc, &c.nc)) return SB_EMALFORMED;
    if (!alg_known || !qop_known || userhash) return SB_EINVAL;
    /* With qop, nc and cnonce are mandatory; -sess needs the cnonce for A1. */
    if (c.qop != SB_QOP_NONE && !(seen & (1u << CR_NC))) return SB_EMALFORMED;
    if ((c.qop != SB_QOP_NONE || c.sess) && !(seen & (1u << CR_CNONCE))) return SB_EMALFORMED;
    *out = c;
    return 0;
}

bool sb_digest_verify(const sb_digest_creds *c, const char *password, sb_slice method,
                      sb_slice body) {
    if (c == NULL || password == NULL || !alg_valid(c->alg) || (unsigned)c->qop > SB_QOP_AUTH_INT)
        return false;
    calc k = {
        .alg = c->alg,
        .sess = c->sess,
        .qop = c->qop,
        .escaped = true,
        .username = c->username,
        .realm = c->realm,
        .nonce = c->nonce,
        .cnonce = c->cnonce,
        .uri = c->uri,
        .password = cstr(password),
        .method = method,
        .body = body,
        .nc = c->nc,
    };
    char want[129];
    if (!compute(&k, want)) return false;
    size_t n = strlen(want);
    if (c->response.n != n) return false;
    /* LHEX is lower case; an upper-case answer is folded before the comparison. */
    char got[128];
    for (size_t i = 0; i < n; i++) {
        char ch = c->response.p[i];
        got[i] = (ch >= 'A' && ch <= 'Z') ? (char)(ch + 32) : ch;
    }
    return CRYPTO_memcmp(got, want, n) == 0;
}
