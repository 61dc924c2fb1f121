/* HTTP digest authentication for SIP (RFC 3261 §22, RFC 2617, RFC 7616, RFC 8760): parsing
 * challenges, answering them as a client, and checking answers as a server. Pure computation
 * over slices and caller-owned buffers; hashing comes from OpenSSL's libcrypto (EVP). */
#ifndef SB_SIP_DIGEST_H
#define SB_SIP_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sipbeat/msg.h"

typedef enum { SB_DIGEST_MD5 = 0, SB_DIGEST_SHA256, SB_DIGEST_SHA512_256 } sb_digest_alg;
typedef enum { SB_QOP_NONE = 0, SB_QOP_AUTH, SB_QOP_AUTH_INT } sb_qop;

/* One challenge (a WWW-Authenticate or Proxy-Authenticate value). */
typedef struct {
    sb_digest_alg alg;
    bool sess;  /* the "-sess" variant */
    sb_qop qop; /* what we will answer with: auth when offered, else auth-int, else none (RFC 2069
                   style) */
    bool stale;
    bool proxy;    /* from Proxy-Authenticate (a 407): answered with Proxy-Authorization */
    bool userhash; /* RFC 7616 userhash=true offered (we may ignore it: answer without) */
    char realm[128];
    char nonce[256];
    char opaque[256]; /* "" when absent */
    bool has_opaque;
    sb_slice raw; /* the whole value parsed, pointing into the caller's buffer */
} sb_digest_challenge;

/* Parses one challenge value ("Digest realm=\"x\", nonce=\"y\", qop=\"auth,auth-int\", ...").
 * Returns 0, SB_EMALFORMED (not Digest, no realm or nonce, an empty nonce, a parameter given
 * twice, bad syntax, a value too long for the fields above), or SB_EINVAL (an algorithm we do
 * not know, a qop list with only unknown options, or a -sess algorithm without qop, which
 * RFC 2617 leaves no cnonce to send for). *out is written only on success.
 * Parameter names, the scheme, the algorithm and the qop options are case-insensitive; values
 * may be quoted (backslash escapes removed, folds' CRLF dropped) or bare (read leniently: any
 * visible ASCII but '"', '\' and ','). A token without '=' after a comma starts another
 * challenge in the same value: ours ends there. domain, charset and unknown parameters are
 * ignored. */
int sb_digest_parse_challenge(sb_slice value, bool proxy, sb_digest_challenge *out);

/* The strongest challenge we support among all WWW-Authenticate and Proxy-Authenticate
 * headers of a 401/407 (several realms, or MD5 and SHA-256 offered together): SHA-512-256 >
 * SHA-256 > MD5; among equals the first. 0, or SB_ENOTFOUND when none is usable (the error
 * text of SB_ENOTFOUND says "no such call": add no new code for it). */
int sb_digest_pick(const sb_msg *m, sb_digest_challenge *out);

typedef struct {
    const char *username; /* the auth user */
    const char *password;
    sb_slice method;    /* "INVITE", ... (for ACK/CANCEL the caller reuses the INVITE's) */
    sb_slice uri;       /* the Request-URI, as sent: digest-uri */
    sb_slice body;      /* the message body, for auth-int */
    const char *cnonce; /* the caller draws it (hex); used with qop auth/auth-int or -sess */
    uint32_t nc;        /* nonce count, 1 for the first use of a nonce */
} sb_digest_input;

/* Appends the full header line, CRLF included:
 *   Authorization: Digest username="..", realm="..", nonce="..", uri="..", response="..",
 *   algorithm=MD5, qop=auth, nc=00000001, cnonce="..", opaque=".."
 * (Proxy-Authorization for a proxy challenge). algorithm is always written, with its
 * registered spelling (MD5-sess, SHA-256, SHA-512-256-sess, ...); qop none (RFC 2069 form)
 * writes no qop, nc or cnonce; opaque only when the challenge had one. Quoted values get '"'
 * and '\' escaped. Overflow is reported in b, and so is a value that cannot be quoted (a
 * control byte other than HTAB), a missing or empty cnonce where one is needed, or a digest
 * libcrypto refused: b->len is then back where it was (no half header). */
void sb_digest_answer(const sb_digest_challenge *ch, const sb_digest_input *in, sb_buf *b);

/* The response value alone (lower-case hex, 32 or 64 digits) into out[129]; for test vectors.
 * "" when libcrypto fails (e.g. MD5 refused by a FIPS-only configuration). NULL username,
 * password or cnonce count as "". */
void sb_digest_response(const sb_digest_challenge *ch, const sb_digest_input *in, char out[129]);

/* Server side: parsed credentials from an Authorization or Proxy-Authorization value. */
typedef struct {
    sb_slice username, realm, nonce, uri, response, cnonce, opaque;
    sb_digest_alg alg;
    bool sess;
    sb_qop qop;
    uint32_t nc;
} sb_digest_creds;

/* 0 or SB_EMALFORMED (not Digest, no username, realm, nonce, uri or response, a parameter
 * given twice, qop without nc or cnonce, -sess without cnonce, nc not exactly 8 lower-case hex
 * digits, bad syntax) / SB_EINVAL (unknown algorithm, a qop other than "auth" or "auth-int"
 * exactly, userhash=true, which we do not support). *out is written only on success.
 * Slices point into value: a quoted value is the text between the quotes, still escaped and
 * possibly folded (sb_digest_verify undoes both); an absent one is empty. */
int sb_digest_parse_credentials(sb_slice value, sb_digest_creds *out);

/* True when the credentials' response is right for this password, method and body, computed
 * from the credentials' own username, realm, nonce, uri, cnonce and nc, and compared in
 * constant time; an upper-case hex response is accepted. Whether the realm and nonce are ours
 * and fresh, the nc new, and the uri acceptable is the caller's to check. */
bool sb_digest_verify(const sb_digest_creds *c, const char *password, sb_slice method,
                      sb_slice body);

#endif
