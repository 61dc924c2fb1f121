/* libFuzzer target: the SDP reader on arbitrary bodies, and write-then-read of our own SDP. */
#include "sip/sdp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void bug(const char *what) {
    fprintf(stderr, "fuzz_sdp: %s\n", what);
    abort();
}

static uint64_t take(const uint8_t **p, size_t *n, size_t k) {
    uint64_t v = 0;
    for (size_t i = 0; i<k && * n> 0; i++, (*p)++, (*n)--)
        v = v << 8 | **p;
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* Exactly size bytes, so reading one byte too far is an ASan report. */
    char *buf = malloc(size ? size : 1);
    if (!buf) return 0;
    if (size) memcpy(buf, data, size);
    sb_sdp_remote r;
    sb_sdp_read((sb_slice){buf, size}, &r);
    if ((unsigned)r.dir > SB_DIR_INACTIVE) bug("direction out of range");
    if (!r.valid && size == 0 && (r.version || r.port)) bug("values from an empty body");
    free(buf);

    /* Our own SDP, from fields the input picks, must read back exactly (REF-13). */
    const uint8_t *p = data;
    size_t n = size;
    sb_sdp_local l = {.sess_id = take(&p, &n, 8),
                      .version = take(&p, &n, 8),
                      .port = (uint16_t)take(&p, &n, 2),
                      .dir = (sb_dir)(take(&p, &n, 1) & 3)};
    sb_addr a = {0};
    a.family = (take(&p, &n, 1) & 1) ? 6 : 4;
    a.port = (uint16_t)take(&p, &n, 2);
    for (size_t i = 0; i < (a.family == 6 ? 16u : 4u); i++)
        a.ip[i] = (uint8_t)take(&p, &n, 1);
    char mem[1024];
    sb_buf b;
    sb_buf_init(&b, mem, sizeof mem);
    sb_sdp_write(&b, &l, &a);
    if (b.overflow) bug("our SDP does not fit 1 KB");
    sb_sdp_read((sb_slice){mem, b.len}, &r);
    if (!r.valid || r.version != l.version || r.port != l.port || r.dir != l.dir)
        bug("our SDP does not read back");
    for (int o = 0; o < 4; o++)
        for (int w = 0; w < 4; w++)
            if ((unsigned)sb_dir_answer((sb_dir)o, (sb_dir)w) > SB_DIR_INACTIVE)
                bug("answer direction out of range");
    return 0;
}
