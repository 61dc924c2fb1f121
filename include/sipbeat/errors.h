/* sipbeat error codes: 0 is success, every error is negative. */
#ifndef SIPBEAT_ERRORS_H
#define SIPBEAT_ERRORS_H

/* One table feeds the enum, sb_strerror() and sb_errname() (libuv's UV_ERRNO_MAP idea). */
#define SB_ERRNO_MAP(X)                                                                            \
    X(INCOMPLETE, -1, "message incomplete: more bytes needed")                                     \
    X(MALFORMED, -2, "malformed message")                                                          \
    X(NOMEM, -3, "out of memory")                                                                  \
    X(LIMIT, -4, "a configured limit was reached")                                                 \
    X(INVAL, -5, "invalid argument")                                                               \
    X(NOTFOUND, -6, "no such call")                                                                \
    X(STATE, -7, "not allowed in the call's current state")                                        \
    X(TOOBIG, -8, "message too large")

typedef enum {
    SB_OK = 0,
#define SB__ERR_ENUM(name, code, text) SB_E##name = (code),
    SB_ERRNO_MAP(SB__ERR_ENUM)
#undef SB__ERR_ENUM
} sb_err;

/* Static strings; never NULL (unknown codes give "unknown error"). */
const char *sb_strerror(int err);
const char *sb_errname(int err);

#endif
