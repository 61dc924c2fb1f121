/* Durations with units on the command line: "500ms", "10s", "2m", "1h". */
#include "app/duration.h"

#include <stdio.h>
#include <string.h>

sb_dur_status sb_duration_parse(const char *text, uint64_t *out_ms) {
    const char *p = text;
    uint64_t n = 0;
    if (*p < '0' || *p > '9') return SB_DUR_BAD;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (n > (UINT64_MAX - 9) / 10) return SB_DUR_BAD;
        n = n * 10 + (uint64_t)(*p - '0');
    }
    if (*p == '\0') return SB_DUR_NO_UNIT;

    uint64_t scale;
    if (strcmp(p, "ms") == 0)
        scale = 1;
    else if (strcmp(p, "s") == 0)
        scale = 1000;
    else if (strcmp(p, "m") == 0)
        scale = 60 * 1000;
    else if (strcmp(p, "h") == 0)
        scale = 3600 * 1000;
    else
        return SB_DUR_BAD;
    if (n > UINT64_MAX / scale) return SB_DUR_BAD;
    *out_ms = n * scale;
    return SB_DUR_OK;
}

void sb_duration_format(uint64_t ms, char *buf, unsigned cap) {
    if (ms != 0 && ms % 3600000 == 0)
        snprintf(buf, cap, "%lluh", (unsigned long long)(ms / 3600000));
    else if (ms != 0 && ms % 60000 == 0)
        snprintf(buf, cap, "%llum", (unsigned long long)(ms / 60000));
    else if (ms % 1000 == 0)
        snprintf(buf, cap, "%llus", (unsigned long long)(ms / 1000));
    else
        snprintf(buf, cap, "%llums", (unsigned long long)ms);
}
