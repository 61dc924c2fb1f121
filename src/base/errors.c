/* Error names and messages, generated from SB_ERRNO_MAP so they cannot drift from the enum. */
#include "sipbeat/errors.h"

const char *sb_strerror(int err) {
    switch (err) {
    case SB_OK:
        return "success";
#define SB__ERR_TEXT(name, code, text)                                                             \
    case code:                                                                                     \
        return text;
        SB_ERRNO_MAP(SB__ERR_TEXT)
#undef SB__ERR_TEXT
    default:
        return "unknown error";
    }
}

const char *sb_errname(int err) {
    switch (err) {
    case SB_OK:
        return "SB_OK";
#define SB__ERR_NAME(name, code, text)                                                             \
    case code:                                                                                     \
        return "SB_E" #name;
        SB_ERRNO_MAP(SB__ERR_NAME)
#undef SB__ERR_NAME
    default:
        return "unknown error";
    }
}
