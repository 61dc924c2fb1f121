/* The engine layer: the public API of include/sipbeat/engine.h, put on one UA (dialog/ua.h). */
#ifndef SB_ENGINE_INTERNAL_H
#define SB_ENGINE_INTERNAL_H

#include "dialog/ua.h"

struct sb_engine {
    sb_ua ua;
};

/* engine/badreq.c: a best-effort 400/505/513 to a request the parser refused. */
void sb__reply_bad_request(sb_ua *e, const sb_addr *from, const char *data, size_t len,
                           const char *why, sb_perr kind);

#endif
