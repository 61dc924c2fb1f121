/* One run of sipbeat: engines on a loop, the outputs (report, events, trace, timeline, live
 * status) and the tally of ended calls. Shared by `call`, `answer` and `demo`. */
#ifndef SB_APP_SESSION_H
#define SB_APP_SESSION_H

#include "app/cli.h"
#include "app/report.h"
#include "net/loop.h"

#include <stdio.h>

#define SB_SESSION_MAX_ENGINES 16

typedef struct sb_session sb_session;

typedef struct {
    const char *name; /* "uac", "uas", or a demo name such as "uas-422" */
    sb_engine *engine;
    sb_config cfg;  /* as given to the engine (cfg.local holds the bound address) */
    uint64_t ended; /* calls ended on this engine */
} sb_party;

struct sb_session {
    const sb_cli *cli;
    sb_loop *loop;
    sb_party party[SB_SESSION_MAX_ENGINES]; /* indexed by loop endpoint */
    int nparty;

    FILE *report, *events, *trace;
    FILE *timeline;     /* readable event lines (-v, demo), or NULL */
    bool ladder;        /* also one line per SIP message on the timeline (demo) */
    bool status_line;   /* live one-line status on stderr */
    FILE *summary_out;  /* terminal summary, or NULL with -q */
    uint32_t fail_mask; /* violations that fail a call (sb_fail_mask) */

    uint64_t t0_ms;
    sb_summary sum;
    /* Call records are written as they end to a scratch file (flat memory at any call
     * count) and copied into the report at the end, after the summary. */
    FILE *calls_tmp;
    uint64_t ncalls;
    uint64_t start_failures;
    uint64_t answered, failed, refreshes;
    uint64_t remote_hangups;
    char first_drop_note[256]; /* sb_call_end_note of the first remote_hangup */
    uint64_t next_status_ms, status_started, status_ms;
    /* When a call last ended by the peer's BYE: our 200 may have been lost, so we stay a
     * little (sb_session_linger_until) to answer the BYE's retransmissions (§17.2.2). */
    uint64_t last_remote_end_ms;
    /* Registrations that ended (register, --register): their final records, for the report's
     * `registrations` and the summary line; the last one decides register's exit code. */
    json_t *registrations;
    sb_reg_stats last_reg;
    uint64_t regs_ended;
    uint32_t regs_settled;        /* registrations that had their first outcome (or none) */
    uint32_t regs_clean;          /* ... that ended unregistered */
    uint32_t regs_auth_failed;    /* ... that ended auth_failed */
    uint32_t regs_start_failures; /* the engine refused to start (counted as settled) */

    /* Decides whether an ended call passed; NULL: sb_call_passed (the demo has its own). */
    bool (*judge)(sb_session *s, int ep, const sb_call_stats *st);
    /* Called for each ended call after it is tallied (demo expectations, --max-calls). */
    void (*on_ended)(sb_session *s, int ep, const sb_call_stats *st, bool passed);
    /* The command's own work after each pass (pacing); returns its next wake-up. */
    uint64_t (*on_pass)(sb_session *s, uint64_t now_ms);
    void *ctx;
};

/* Creates the loop and opens the output files named in cli. Returns 0, or SB_EXIT_RUNTIME
 * with a line on stderr. */
int sb_session_init(sb_session *s, const sb_cli *cli);
/* Binds cfg->local (port 0: ephemeral, then the real port is written back), creates the
 * engine with a fresh seed and attaches it. Returns the endpoint index, or -SB_EXIT_RUNTIME
 * with a line on stderr. */
int sb_session_add_engine(sb_session *s, const char *name, sb_config *cfg);
/* Until when a run that has finished its calls should stay up to absorb retransmitted BYEs:
 * 4*T1 after the last call the peer ended (covers 3 retransmissions), else 0. */
uint64_t sb_session_linger_until(const sb_session *s);
/* Runs the loop until the command stops it, a shutdown ends or a second signal. */
void sb_session_run(sb_session *s);
/* A call we could not even start (engine refused): it is reported as a failed call. */
void sb_session_start_failed(sb_session *s, int ep, int err, uint64_t now_ms);
/* Writes the report (config is stolen) and the terminal summary. Returns the number of ended
 * calls that did not pass. */
uint64_t sb_session_finish(sb_session *s, json_t *config);
void sb_session_free(sb_session *s);

#endif
