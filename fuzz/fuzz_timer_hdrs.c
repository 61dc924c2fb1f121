/* libFuzzer target: RFC 4028 Session-Expires and Min-SE value parsers, against a reference. */
#include "sipbeat/errors.h"
#include "sipbeat/msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void bug(const char *what, const uint8_t *data, size_t size) {
    fprintf(stderr, "fuzz_timer_hdrs: %s (input %zu bytes)\n", what, size);
    (void)data;
    abort();
}

static bool lws(uint8_t c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* delta-seconds *(SEMI param) with LWS around, as msg.h documents it: 1*DIGIT, saturating
 * at UINT32_MAX (the ABNF has no upper bound, HDR-8), then nothing or a ';'. Written from the
 * grammar, not from the parser. */
static int reference(const uint8_t *p, size_t n, uint32_t *out) {
    size_t i = 0;
    while (i < n && lws(p[i]))
        i++;
    size_t d0 = i;
    uint64_t v = 0;
    bool over = false;
    for (; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
        if (!over) v = v * 10 + (uint64_t)(p[i] - '0');
        if (v > UINT32_MAX) over = true;
    }
    if (i == d0) return SB_EMALFORMED;
    if (over) v = UINT32_MAX;
    while (i < n && lws(p[i]))
        i++;
    if (i < n && p[i] != ';') return SB_EMALFORMED;
    *out = (uint32_t)v;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* A private copy of exactly size bytes: any read past the value is an ASan report. */
    char *buf = malloc(size ? size : 1);
    if (!buf) return 0;
    if (size) memcpy(buf, data, size);
    sb_slice v = {buf, size};

    uint32_t se = 0, min_se = 0, want = 0;
    sb_refresher r = SB_REFRESHER_NONE;
    bool bogus = false;
    int rc_se = sb_parse_session_expires(v, &se, &r, &bogus);
    int rc_min = sb_parse_min_se(v, &min_se);
    int rc_ref = reference(data, size, &want);

    if (rc_se != 0 && rc_se != SB_EMALFORMED) bug("Session-Expires: unexpected code", data, size);
    if (rc_min != 0 && rc_min != SB_EMALFORMED) bug("Min-SE: unexpected code", data, size);
    /* Both headers share the grammar delta-seconds *(SEMI generic-param). */
    if ((rc_se == 0) != (rc_min == 0)) bug("Session-Expires and Min-SE disagree", data, size);
    if ((rc_se == 0) != (rc_ref == 0)) bug("parser and reference disagree on validity", data, size);
    if (rc_se == 0 && (se != want || min_se != want))
        bug("parser and reference disagree on value", data, size);
    if (rc_se == 0) {
        if (r > SB_REFRESHER_UAS) bug("refresher out of range", data, size);
        if (bogus && r != SB_REFRESHER_NONE)
            bug("bogus refresher with a refresher set", data, size);
        /* Outputs are optional. */
        if (sb_parse_session_expires(v, NULL, NULL, NULL) != 0 || sb_parse_min_se(v, NULL) != 0)
            bug("result depends on NULL outputs", data, size);
        /* What we send must read back the same. */
        char out[64];
        static const char *const names[] = {"", ";refresher=uac", ";refresher=uas"};
        int n = snprintf(out, sizeof out, "%u%s", se, names[r]);
        uint32_t se2 = 0;
        sb_refresher r2 = SB_REFRESHER_NONE;
        bool bogus2 = true;
        if (sb_parse_session_expires((sb_slice){out, (size_t)n}, &se2, &r2, &bogus2) != 0 ||
            se2 != se || r2 != r || bogus2)
            bug("Session-Expires does not round-trip", data, size);
    }
    free(buf);
    return 0;
}
