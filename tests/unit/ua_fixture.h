/* A UA set up by hand for the UA-layer unit tests (test_ua_*.c): sb_config_init belongs to the
 * engine, a layer above, so the config is filled here. */
#ifndef SIPBEAT_TEST_UA_FIXTURE_H
#define SIPBEAT_TEST_UA_FIXTURE_H

#include "dialog/ua.h"

#include <string.h>

/* 127.0.0.1:5060, RFC 3261 timers, seed 1, 10 calls, 40 transactions, timers off. */
static inline sb_config ua_fixture_config(void) {
    sb_config cfg;
    memset(&cfg, 0, sizeof cfg);
    assert_int_equal(sb_addr_parse(&cfg.local, "127.0.0.1:5060", 14, 5060), 0);
    cfg.t1_ms = 500;
    cfg.t2_ms = 4000;
    cfg.t4_ms = 5000;
    cfg.seed = 1;
    cfg.max_calls = 10;
    cfg.max_txns = 40;
    cfg.timer.mode = SB_TIMER_OFF;
    return cfg;
}

#endif
