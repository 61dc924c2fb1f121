/* The settings table: every flag of call, answer and demo, declared once, with the field it
 * sets, its default, range, unit, help line and report key. From it come the command-line
 * parsing (cli.c), `sipbeat help CMD` (help.c), the defaults, the report's `config` echo
 * (report.c) and the check of docs/cli.md (tests/unit/test_app_settings.c).
 *
 * One row is one flag of one or more commands. A row without a flag is a setting the report
 * echoes but no flag sets (t1_ms, seed). Where two commands give one flag different meanings
 * (-d: call's talk time, answer's hang-up time), each has its own row. */
#ifndef SB_APP_SETTINGS_H
#define SB_APP_SETTINGS_H

#include "app/cli.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Which commands take a setting: a bit per command. */
enum { SB_IN_ANSWER = 1, SB_IN_CALL = 2, SB_IN_DEMO = 4, SB_IN_REGISTER = 8 };

typedef enum {
    SB_UNIT_SWITCH,   /* no value: sets a bool (clears it with .clears) */
    SB_UNIT_COUNT,    /* a whole number */
    SB_UNIT_SECONDS,  /* whole seconds, as in the Session-Expires header */
    SB_UNIT_DURATION, /* a number with a unit (500ms, 10s, 2m, 1h), stored in ms */
    SB_UNIT_CODE,     /* a SIP status code */
    SB_UNIT_RATE,     /* calls per second, may be fractional (a double) */
    SB_UNIT_ADDRESS,  /* IP[:PORT], no host names (an sb_addr) */
    SB_UNIT_WORD,     /* one of .words */
    SB_UNIT_PATH,     /* a file name, or - for stdout */
    SB_UNIT_TEXT,     /* a string of at most .hi bytes that .check accepts (cfg.user) */
    /* A string never shown: sb_setting_show and the report say only whether it is set ("set"
     * or null). No flag sets one (cfg.auth_password is read at run time, credentials.h). */
    SB_UNIT_SECRET,
    /* A repeatable text: each time the flag is given, one more value that .check accepts, at
     * most .hi of them, kept in order (an sb_strlist). Help and docs/cli.md say "repeatable". */
    SB_UNIT_LIST,
    SB_UNIT_HELP, /* --help: no field */
} sb_unit;

/* Help groups flags under these headings, in this order. */
typedef enum {
    SB_SEC_CALL,
    SB_SEC_IDENTITY, /* who our calls are from and to, and the way they take */
    SB_SEC_ANSWER,
    SB_SEC_REGISTER,
    SB_SEC_AUTH,
    SB_SEC_TIMER,
    SB_SEC_VERDICT,
    SB_SEC_OUTPUT,
    SB_SEC__COUNT
} sb_section;

/* A word a flag accepts and the value it stands for; lists end with {NULL}. */
typedef struct {
    const char *name;
    int value;
} sb_word;

typedef struct sb_setting sb_setting;
struct sb_setting {
    const char *flag;    /* long form, "--timer-se"; NULL: not a flag, only echoed in the report */
    const char *alias;   /* short form, "-d", or NULL */
    const char *metavar; /* what the value is called in help: "S", "DUR"; NULL for a switch */
    unsigned cmds;       /* SB_IN_* bits */
    sb_section section;
    sb_unit unit;
    /* The sb_cli member it sets, by name ("cfg.timer.se_s": the engine's field "timer.se_s"),
     * offset and size. Filled by SB_FIELD(member). */
    const char *field;
    size_t off, size;
    /* Allowed range: count, code and seconds as numbers, durations in ms, a rate's hi in calls
     * per second, a text's hi in bytes. engine_range: lo..hi is a rule sb_config_check enforces
     * (quoted from engine.h); the CLI then checks only that the value fits the field and leaves the
     * verdict to the engine, whose answer it maps back to this flag. */
    uint64_t lo, hi;
    bool engine_range;
    bool clears;          /* switch: sets the bool false */
    uint16_t port;        /* address: the port when the value has none */
    const sb_word *words; /* word: the accepted words, in the order help lists them */
    /* word: a value spread over several fields (--fail-on) is read and written by these
     * instead of through .field. switch: with .set, giving it calls set(c, lo) (the field is
     * then only read, for the report). */
    int (*get)(const sb_cli *c);
    void (*set)(sb_cli *c, int value);
    /* text: whether val is allowed (not empty, at most .hi bytes, and the row's own rule); if
     * not, false and one line in why: "what is wrong (allowed: ...)". */
    bool (*check)(const sb_setting *s, const char *val, char *why, size_t cap);
    /* The default the CLI sets, as a user would type it; NULL: the field keeps the value it
     * has (sb_config_init's for an engine field, zero otherwise). */
    const char *def;
    /* How a zero (or false, or no path) value reads in help and docs/cli.md: "none", "off";
     * NULL: it is no default worth showing (docs/cli.md writes "—"). */
    const char *zero;
    const char *help;   /* one short line for `sipbeat help CMD`; docs/cli.md has the long form */
    const char *report; /* key in the report's config ("timer.se_s": nested); NULL: not echoed */
    bool report_null_zero; /* the report writes 0 as null ("no limit") */
};

#define SB_FIELD(m) .field = #m, .off = offsetof(sb_cli, m), .size = sizeof(((sb_cli *)0)->m)

#define SB_SETTINGS_MAX 64
extern const sb_setting sb_settings[];
extern const size_t sb_settings_count;

/* True if the row is for cmd (SB_CMD_CALL, _ANSWER, _DEMO). */
bool sb_setting_in(const sb_setting *s, sb_cmd cmd);
/* The row of a flag (long or short form, the first len bytes of name) for cmd; when no row of
 * cmd has it, any row of that name, so that the caller can say "not a flag of cmd"; NULL if
 * no row has it. */
const sb_setting *sb_setting_find(const char *name, size_t len, sb_cmd cmd);
/* The row of cmd that sets the sb_config member at path ("timer.se_s"), or NULL. */
const sb_setting *sb_setting_of_field(const char *cfg_path, sb_cmd cmd);

/* Clears c and fills in every default: sb_config_init's, then each row's .def. Every row's
 * default is set whatever the command, so the struct is whole (demo judges its calls with
 * --fail-on's default); the rows of cmd go last, so that where two commands' flags set one
 * field (--local for call, --listen for answer: cfg.local) cmd's default wins. */
void sb_settings_defaults(sb_cli *c, sb_cmd cmd);

/* Parses val (NULL for a switch) into c's field. name is the flag as the user spelled it.
 * Returns 0, or -1 with one line in err: "NAME VAL: what is wrong (allowed: ...)". */
int sb_setting_parse(const sb_setting *s, const char *name, const char *val, sb_cli *c, char *err,
                     size_t cap);

/* The row's current value in c as help and docs/cli.md write it ("10s", "uac", "none").
 * Returns "" when there is nothing to show (a zero with .zero NULL, a switch without .zero).
 * The result is buf or a static string. */
const char *sb_setting_show(const sb_setting *s, const sb_cli *c, char *buf, size_t cap);
/* The row's allowed values, short, for help: "90..7200", ">= 1", "uac | uas | none"; "" for
 * units whose help says it all (durations, addresses, paths, switches). */
const char *sb_setting_range(const sb_setting *s, char *buf, size_t cap);

/* A list row's values (SB_UNIT_LIST), or NULL for any other row. */
const sb_strlist *sb_setting_list(const sb_setting *s, const sb_cli *c);
/* A path, text or secret row's string (NULL: not set). A secret's is the secret: test it, never
 * print it. */
const char *sb_setting_text(const sb_setting *s, const sb_cli *c);
/* The row's field as a number (count, code, seconds, duration, word, switch). */
uint64_t sb_setting_uint(const sb_setting *s, const sb_cli *c);
/* The word of value v in a list, or fallback. */
const char *sb_word_name(const sb_word *w, int v, const char *fallback);

#endif
