/* Human-readable timeline lines: engine events (-v, demo) and one-line SIP messages (demo). */
#ifndef SB_APP_TIMELINE_H
#define SB_APP_TIMELINE_H

#include "sipbeat/engine.h"

#include <stdio.h>

/* "t=+1.234s  UAC   call 3  session timer: SE 4 s, refresher local" */
void sb_timeline_event(FILE *f, uint64_t t_ms, const char *who, const sb_event *ev);

/* "t=+1.234s  UAC -> UAS   INVITE  Session-Expires: 4;refresher=uac" from the raw datagram. */
void sb_timeline_message(FILE *f, uint64_t t_ms, const char *from, const char *to,
                         const uint8_t *data, size_t len);

#endif
