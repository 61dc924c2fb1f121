/* `sipbeat call` (UAC load with pacing) and `sipbeat answer` (UAS until signal or
 * --max-calls). Both are one engine on one socket; the session does the outputs. */
#include "app/run.h"

#include "app/credentials.h"
#include "app/pacer.h"
#include "app/session.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct {
    int ep;
    sb_pacer pacer;
    sb_call_opts opts;
} call_run;

static uint64_t call_pass(sb_session *s, uint64_t now_ms) {
    call_run *r = s->ctx;
    sb_party *p = &s->party[r->ep];
    if (sb_loop_shutting_down(s->loop))
        return SB_NEVER; /* interrupted: no new calls; the loop ends the run */

    /* Live calls by our own count: started minus ended, so the pacer never depends on how the
     * engine counts a call that is still tearing down. */
    uint64_t n = sb_pacer_take(&r->pacer, now_ms, r->pacer.started - p->ended);
    for (uint64_t i = 0; i < n; i++) {
        uint32_t handle;
        int rc = sb_engine_call(p->engine, &r->opts, now_ms, &handle);
        if (rc != 0) sb_session_start_failed(s, r->ep, rc, now_ms);
    }
    if (sb_pacer_done(&r->pacer) && p->ended >= r->pacer.started) {
        uint64_t linger = sb_session_linger_until(s);
        if (now_ms < linger) return linger; /* answer a retransmitted BYE first */
        sb_loop_stop(s->loop);
        return SB_NEVER;
    }
    return sb_pacer_next_ms(&r->pacer, r->pacer.started - p->ended);
}

/* The report's config: the settings as given, with what the run really used: the bound address,
 * the seed drawn for the engine (its tags, branches and Call-IDs) and whether it had a password
 * (echoed as "set" or null, never the password). */
static json_t *config_echo(const sb_cli *cli, const sb_config *used) {
    sb_cli echo = *cli;
    echo.cfg = *used;
    return sb_report_config(&echo, NULL);
}

/* The digest password (credentials.h), read before anything is opened or sent: a bad one is a
 * usage error (exit 2). It lives here until the run is over, then is wiped. */
static char password[SB_PASSWORD_BUF];

static int load_credentials(const sb_cli *cli, sb_config *cfg) {
    char err[512];
    int rc = sb_credentials_load(cli, getenv(SB_PASSWORD_ENV), cfg, password, err, sizeof err);
    if (rc) fprintf(stderr, "%s\n", err);
    return rc;
}

static int exit_code(sb_session *s, uint64_t not_passed) {
    if (sb_loop_interrupted(s->loop)) return SB_EXIT_INTERRUPTED;
    return not_passed ? SB_EXIT_FAIL : SB_EXIT_PASS;
}

static int run_call(const sb_cli *cli, sb_config cfg) {
    sb_session s;
    call_run r = {0};
    int rc = sb_session_init(&s, cli);
    if (rc) {
        sb_session_free(&s);
        return rc;
    }
    r.ep = sb_session_add_engine(&s, "uac", &cfg);
    if (r.ep < 0) {
        sb_session_free(&s);
        return -r.ep;
    }
    r.opts.target_uri = cli->uri;
    r.opts.dest = cli->dest;
    r.opts.to_uri = cli->to_uri;
    r.opts.duration_ms = cli->duration_ms;
    r.opts.hold_at_ms = cli->hold_at_ms;
    r.opts.hold_mode = cli->hold_mode;
    r.opts.resume_at_ms = cli->resume_at_ms;
    sb_pacer_init(&r.pacer, cli->rate_cps, cli->calls, cli->limit, sb_loop_now(s.loop));
    s.ctx = &r;
    s.on_pass = call_pass;

    sb_session_run(&s);
    uint64_t not_passed = sb_session_finish(&s, config_echo(cli, &cfg));
    rc = exit_code(&s, not_passed);
    sb_session_free(&s);
    return rc;
}

typedef struct {
    int ep;
    uint64_t max_calls;
    uint64_t ack_wait_until; /* 0 until --max-calls is reached */
} answer_run;

static uint64_t answer_pass(sb_session *s, uint64_t now_ms) {
    answer_run *r = s->ctx;
    sb_party *p = &s->party[r->ep];
    /* After the Nth call, hang up whatever is still live and end once it is gone; but first
     * stay to answer the BYE retransmissions of a peer whose 200 we may have lost. */
    if (r->max_calls && p->ended >= r->max_calls) {
        uint64_t linger = sb_session_linger_until(s);
        if (now_ms < linger) return linger;
        /* A call we turned down (--reject) ended when its final response went out, but that
         * response's transaction lasts until the caller's ACK (RFC 3261 §17.2.1): stay for the
         * ACK, at most as long as the engine would retransmit (Timer H, 64*T1). */
        if (!r->ack_wait_until) r->ack_wait_until = now_ms + 64ull * p->cfg.t1_ms;
        if (now_ms < r->ack_wait_until && sb_engine_awaiting_ack(p->engine) > 0)
            return r->ack_wait_until;
        sb_loop_shutdown(s->loop, SB_SHUTDOWN_GRACE_MS);
    }
    return SB_NEVER;
}

static int run_answer(const sb_cli *cli, sb_config cfg) {
    sb_session s;
    answer_run r = {0};
    int rc = sb_session_init(&s, cli);
    if (rc) {
        sb_session_free(&s);
        return rc;
    }
    r.ep = sb_session_add_engine(&s, "uas", &cfg);
    if (r.ep < 0) {
        sb_session_free(&s);
        return -r.ep;
    }
    r.max_calls = cli->max_calls;
    s.ctx = &r;
    s.on_pass = answer_pass;
    if (!cli->quiet) {
        char where[64];
        sb_addr_format(&cfg.local, where, sizeof where, true);
        fprintf(stderr, "sipbeat: answering on udp %s\n", where);
    }

    sb_session_run(&s);
    uint64_t not_passed = sb_session_finish(&s, config_echo(cli, &cfg));
    rc = exit_code(&s, not_passed);
    sb_session_free(&s);
    return rc;
}

typedef struct {
    int ep;
    bool started, unregistering;
    uint32_t handle;
    uint64_t until_ms; /* -d: when to unregister (SB_NEVER: at a signal) */
} reg_run;

static uint64_t reg_pass(sb_session *s, uint64_t now_ms) {
    reg_run *r = s->ctx;
    sb_engine *e = s->party[r->ep].engine;
    if (!r->started) {
        r->started = true;
        sb_reg_opts o = {
            .aor = s->cli->uri, .dest = s->cli->dest, .expires_s = s->cli->reg_expires_s};
        int rc = sb_engine_register(e, &o, now_ms, &r->handle);
        if (rc != 0) {
            fprintf(stderr, "sipbeat: register %s: %s\n", s->cli->uri, sb_strerror(rc));
            sb_loop_stop(s->loop);
            return SB_NEVER;
        }
    }
    /* A signal's shutdown unregisters through the loop (sb_loop_shutdown) */
    if (sb_loop_shutting_down(s->loop)) return SB_NEVER;
    if (sb_engine_live_registrations(e) == 0) { /* ended: unregistered, or failed */
        sb_loop_stop(s->loop);
        return SB_NEVER;
    }
    if (!r->unregistering && now_ms >= r->until_ms) {
        r->unregistering = true;
        sb_engine_unregister(e, r->handle, now_ms);
    }
    return r->unregistering ? SB_NEVER : r->until_ms;
}

static int run_register(const sb_cli *cli, sb_config cfg) {
    sb_session s;
    reg_run r = {0};
    int rc = sb_session_init(&s, cli);
    if (rc) {
        sb_session_free(&s);
        return rc;
    }
    r.ep = sb_session_add_engine(&s, "reg", &cfg);
    if (r.ep < 0) {
        sb_session_free(&s);
        return -r.ep;
    }
    uint64_t now = sb_loop_now(s.loop);
    r.until_ms = cli->reg_duration_ms ? now + cli->reg_duration_ms : SB_NEVER;
    s.ctx = &r;
    s.on_pass = reg_pass;
    sb_session_run(&s);
    sb_session_finish(&s, config_echo(cli, &cfg));
    /* Ctrl-C is the ordinary end of a run without -d: a clean unregister still passes */
    rc = s.regs_ended && s.last_reg.result == SB_REG_UNREGISTERED ? SB_EXIT_PASS : SB_EXIT_FAIL;
    sb_session_free(&s);
    return rc;
}

int sb_run_register(const sb_cli *cli) {
    sb_config cfg = cli->cfg;
    int rc = load_credentials(cli, &cfg);
    if (!rc) rc = run_register(cli, cfg);
    sb_credentials_wipe(password);
    return rc;
}

int sb_run_call(const sb_cli *cli) {
    sb_config cfg = cli->cfg;
    int rc = load_credentials(cli, &cfg);
    if (!rc) rc = run_call(cli, cfg);
    sb_credentials_wipe(password);
    return rc;
}

int sb_run_answer(const sb_cli *cli) {
    sb_config cfg = cli->cfg;
    int rc = load_credentials(cli, &cfg);
    if (!rc) rc = run_answer(cli, cfg);
    sb_credentials_wipe(password);
    return rc;
}
