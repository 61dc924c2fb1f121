/* Durations with units on the command line: "500ms", "10s", "2m", "1h". */
#ifndef SB_APP_DURATION_H
#define SB_APP_DURATION_H

#include <stdint.h>

typedef enum {
    SB_DUR_OK = 0,
    SB_DUR_NO_UNIT, /* a bare number: we refuse to guess between SIPp's ms and seconds */
    SB_DUR_BAD,     /* anything else: empty, sign, unknown unit, overflow */
} sb_dur_status;

/* Parses a whole number followed by ms, s, m or h into milliseconds. *out_ms is written only
 * on SB_DUR_OK. Pure: no allocation, no locale. */
sb_dur_status sb_duration_parse(const char *text, uint64_t *out_ms);

/* Writes the shortest exact spelling of ms ("1500ms", "10s", "2m", "1h") into buf. */
void sb_duration_format(uint64_t ms, char *buf, unsigned cap);

#endif
