/* `sipbeat call` (UAC load with pacing) and `sipbeat answer` (UAS until signal or
 * --max-calls). Both are one engine on one socket; the session does the outputs. */
#include "app/run.h"

#include "app/accounts.h"
#include "app/credentials.h"
#include "app/pacer.h"
#include "app/session.h"

#include <stdio.h>
#include <stdlib.h>

/* --accounts, read where the command starts (a bad file is a usage error); wiped at the end. */
static sb_accounts accounts;
static uint32_t first_account; /* the engine's id of row 0 (ids are consecutive) */

static int load_accounts(const sb_cli *cli) {
    if (!cli->accounts_path) return 0;
    char err[512];
    int rc = sb_accounts_load(cli->accounts_path, &accounts, err, sizeof err);
    unsigned need = cli->cmd == SB_CMD_CALL && cli->uri ? sb_uri_placeholders(cli->uri) : 0;
    if (!rc && need)
        rc = sb_accounts_require(&accounts, need, cli->accounts_path, cli->uri, err, sizeof err);
    if (rc) fprintf(stderr, "%s\n", err);
    return rc;
}

/* Gives the engine every row (checked when the file was read: only memory can fail). */
static int add_accounts(sb_engine *e) {
    for (uint32_t i = 0; i < accounts.n; i++) {
        sb_account a = sb_account_of_row(&accounts.rows[i]);
        sb_config_error ce;
        uint32_t id;
        int rc = sb_engine_add_account(e, &a, &id, &ce);
        if (rc) {
            fprintf(stderr, "sipbeat: account on line %u: %s\n", accounts.rows[i].line,
                    rc == SB_EINVAL ? ce.why : sb_strerror(rc));
            return SB_EXIT_RUNTIME;
        }
        if (i == 0) first_account = id;
    }
    return 0;
}

/* Registrations before the calls (call/answer --register) or as the whole run (register):
 * one per account, or the config's identity without --accounts; at most REG_WINDOW REGISTERs
 * waiting for their first answer at once, so that thousands of accounts do not flood the
 * registrar. */
#define REG_WINDOW 64u

typedef struct {
    uint32_t total, started;
    const char *aor; /* the config identity's AOR (register URI), or NULL */
    sb_addr dest;
    uint32_t expires_s;
} reg_plan;

static void reg_plan_init(reg_plan *r, const sb_cli *cli, const char *aor, sb_addr dest) {
    r->total = accounts.n ? accounts.n : 1;
    r->started = 0;
    r->aor = accounts.n ? NULL : aor;
    r->dest = dest;
    r->expires_s = cli->reg_expires_s;
}

/* Starts what the window allows; true once every registration has had its first outcome. */
static bool reg_plan_step(sb_session *s, int ep, reg_plan *r, uint64_t now_ms) {
    sb_engine *e = s->party[ep].engine;
    while (r->started < r->total && r->started - s->regs_settled < REG_WINDOW) {
        sb_reg_opts o = {.aor = r->aor,
                         .dest = r->dest,
                         .expires_s = r->expires_s,
                         .account = accounts.n ? first_account + r->started : 0};
        r->started++;
        int rc = sb_engine_register(e, &o, now_ms, NULL);
        if (rc != 0) {
            fprintf(stderr, "sipbeat: register %s: %s\n", r->aor ? r->aor : "account",
                    sb_strerror(rc));
            s->regs_settled++;
            s->regs_start_failures++;
        }
    }
    return s->regs_settled >= r->total;
}

typedef struct {
    int ep;
    sb_pacer pacer;
    sb_call_opts opts;
    uint64_t placed;   /* calls placed: the next takes row placed % accounts.n */
    char target[2100]; /* the Request-URI filled in from the row */
    bool registering;  /* --register: the calls wait for the registrations */
    reg_plan reg;
} call_run;

static int place_call(sb_session *s, call_run *r, uint64_t now_ms, uint32_t *handle) {
    sb_call_opts o = r->opts;
    if (accounts.n) {
        const sb_account_row *row = &accounts.rows[r->placed % accounts.n];
        o.account = first_account + (uint32_t)(r->placed % accounts.n);
        if (sb_uri_placeholders(o.target_uri)) {
            if (sb_uri_fill(o.target_uri, row, r->target, sizeof r->target) != 0) return SB_EINVAL;
            o.target_uri = r->target;
        }
    }
    r->placed++;
    return sb_engine_call(s->party[r->ep].engine, &o, now_ms, handle);
}

static uint64_t call_pass(sb_session *s, uint64_t now_ms) {
    call_run *r = s->ctx;
    sb_party *p = &s->party[r->ep];
    if (sb_loop_shutting_down(s->loop))
        return SB_NEVER; /* interrupted: no new calls; the loop ends the run */

    /* Live calls by our own count: started minus ended, so the pacer never depends on how the
     * engine counts a call that is still tearing down. */
    if (r->registering) {
        if (!reg_plan_step(s, r->ep, &r->reg, now_ms)) return SB_NEVER; /* woken by answers */
        r->registering = false;
        /* the pacing starts now: registering is not time the calls were late */
        sb_pacer_init(&r->pacer, s->cli->rate_cps, s->cli->calls, s->cli->limit, now_ms);
    }
    uint64_t n = sb_pacer_take(&r->pacer, now_ms, r->pacer.started - p->ended);
    for (uint64_t i = 0; i < n; i++) {
        uint32_t handle;
        int rc = place_call(s, r, now_ms, &handle);
        if (rc != 0) sb_session_start_failed(s, r->ep, rc, now_ms);
    }
    if (sb_pacer_done(&r->pacer) && p->ended >= r->pacer.started) {
        uint64_t linger = sb_session_linger_until(s);
        if (now_ms < linger) return linger; /* answer a retransmitted BYE first */
        if (s->cli->register_first)         /* unregisters, then ends the run */
            sb_loop_shutdown(s->loop, SB_SHUTDOWN_GRACE_MS);
        else
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

/* Registrations that did not end cleanly unregistered (call/answer --register). */
static uint64_t regs_not_clean(const sb_session *s, uint32_t total) {
    return s->regs_clean >= total ? 0 : total - s->regs_clean;
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
    if (r.ep < 0 || (rc = add_accounts(s.party[r.ep].engine)) != 0) {
        sb_session_free(&s);
        return r.ep < 0 ? -r.ep : rc;
    }
    r.opts.target_uri = cli->uri;
    r.opts.dest = cli->dest;
    r.opts.to_uri = cli->to_uri;
    r.opts.duration_ms = cli->duration_ms;
    r.opts.hold_at_ms = cli->hold_at_ms;
    r.opts.hold_mode = cli->hold_mode;
    r.opts.resume_at_ms = cli->resume_at_ms;
    sb_pacer_init(&r.pacer, cli->rate_cps, cli->calls, cli->limit, sb_loop_now(s.loop));
    r.registering = cli->register_first;
    if (r.registering) reg_plan_init(&r.reg, cli, NULL, cli->registrar);
    s.ctx = &r;
    s.on_pass = call_pass;

    sb_session_run(&s);
    uint64_t not_passed = sb_session_finish(&s, config_echo(cli, &cfg));
    if (cli->register_first) not_passed += regs_not_clean(&s, r.reg.total);
    rc = exit_code(&s, not_passed);
    sb_session_free(&s);
    return rc;
}

typedef struct {
    int ep;
    uint64_t max_calls;
    uint64_t ack_wait_until; /* 0 until --max-calls is reached */
    bool registering;        /* --register: registrations still starting */
    reg_plan reg;
} answer_run;

static uint64_t answer_pass(sb_session *s, uint64_t now_ms) {
    answer_run *r = s->ctx;
    sb_party *p = &s->party[r->ep];
    /* Calls are answered meanwhile: a registrar may route one as soon as its binding exists */
    if (r->registering && !sb_loop_shutting_down(s->loop))
        r->registering = !reg_plan_step(s, r->ep, &r->reg, now_ms);
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
    if (r.ep < 0 || (rc = add_accounts(s.party[r.ep].engine)) != 0) {
        sb_session_free(&s);
        return r.ep < 0 ? -r.ep : rc;
    }
    r.max_calls = cli->max_calls;
    r.registering = cli->register_first;
    if (r.registering) reg_plan_init(&r.reg, cli, NULL, cli->registrar);
    s.ctx = &r;
    s.on_pass = answer_pass;
    if (!cli->quiet) {
        char where[64];
        sb_addr_format(&cfg.local, where, sizeof where, true);
        fprintf(stderr, "sipbeat: answering on udp %s\n", where);
    }

    sb_session_run(&s);
    uint64_t not_passed = sb_session_finish(&s, config_echo(cli, &cfg));
    if (cli->register_first) not_passed += regs_not_clean(&s, r.reg.total);
    rc = exit_code(&s, not_passed);
    sb_session_free(&s);
    return rc;
}

typedef struct {
    int ep;
    bool unregistering;
    reg_plan plan;
    uint64_t until_ms; /* -d: when to unregister (SB_NEVER: at a signal) */
} reg_run;

static uint64_t reg_pass(sb_session *s, uint64_t now_ms) {
    reg_run *r = s->ctx;
    sb_engine *e = s->party[r->ep].engine;
    /* A signal's shutdown unregisters through the loop (sb_loop_shutdown) */
    if (sb_loop_shutting_down(s->loop)) return SB_NEVER;
    if (!r->unregistering) reg_plan_step(s, r->ep, &r->plan, now_ms);
    if (r->plan.started == r->plan.total && sb_engine_live_registrations(e) == 0) {
        sb_loop_stop(s->loop); /* every one ended: unregistered, or failed */
        return SB_NEVER;
    }
    if (!r->unregistering && now_ms >= r->until_ms) {
        r->unregistering = true;
        r->plan.total = r->plan.started; /* -d is over: no more start */
        sb_engine_unregister_all(e, now_ms);
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
    if (r.ep < 0 || (rc = add_accounts(s.party[r.ep].engine)) != 0) {
        sb_session_free(&s);
        return r.ep < 0 ? -r.ep : rc;
    }
    reg_plan_init(&r.plan, cli, cli->uri, cli->dest);
    uint64_t now = sb_loop_now(s.loop);
    r.until_ms = cli->reg_duration_ms ? now + cli->reg_duration_ms : SB_NEVER;
    s.ctx = &r;
    s.on_pass = reg_pass;
    sb_session_run(&s);
    sb_session_finish(&s, config_echo(cli, &cfg));
    /* Ctrl-C is the ordinary end of a run without -d: a clean unregister still passes */
    rc = regs_not_clean(&s, r.plan.total) ? SB_EXIT_FAIL : SB_EXIT_PASS;
    sb_session_free(&s);
    return rc;
}

int sb_run_register(const sb_cli *cli) {
    sb_config cfg = cli->cfg;
    int rc = load_credentials(cli, &cfg);
    if (!rc) rc = load_accounts(cli);
    if (!rc) rc = run_register(cli, cfg);
    sb_credentials_wipe(password);
    sb_accounts_free(&accounts);
    return rc;
}

int sb_run_call(const sb_cli *cli) {
    sb_config cfg = cli->cfg;
    int rc = load_credentials(cli, &cfg);
    if (!rc) rc = load_accounts(cli);
    if (!rc) rc = run_call(cli, cfg);
    sb_credentials_wipe(password);
    sb_accounts_free(&accounts);
    return rc;
}

int sb_run_answer(const sb_cli *cli) {
    sb_config cfg = cli->cfg;
    int rc = load_credentials(cli, &cfg);
    if (!rc) rc = load_accounts(cli);
    if (!rc) rc = run_answer(cli, cfg);
    sb_credentials_wipe(password);
    sb_accounts_free(&accounts);
    return rc;
}
