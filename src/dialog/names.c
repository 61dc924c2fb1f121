/* The names of the public enums the UA layer reports: end reasons and the far-end checks with
 * their RFC ids and levels (the tables behind SB_END_REASON_MAP and SB_VIOLATION_MAP). */
#include "sipbeat/engine.h"

const char *sb_end_reason_name(sb_end_reason r) {
    switch (r) {
#define SB__END_NAME(id, name)                                                                     \
    case SB_END_##id:                                                                              \
        return name;
        SB_END_REASON_MAP(SB__END_NAME)
#undef SB__END_NAME
    }
    return "unknown";
}

static const char *const vio_ids[] = {
#define SB__VIO_ID(id, rfc, level, text) rfc,
    SB_VIOLATION_MAP(SB__VIO_ID)
#undef SB__VIO_ID
};
static const char *const vio_texts[] = {
#define SB__VIO_TEXT(id, rfc, level, text) text,
    SB_VIOLATION_MAP(SB__VIO_TEXT)
#undef SB__VIO_TEXT
};
static const sb_level vio_levels[] = {
#define SB__VIO_LEVEL(id, rfc, level, text) SB_LEVEL_##level,
    SB_VIOLATION_MAP(SB__VIO_LEVEL)
#undef SB__VIO_LEVEL
};

const char *sb_violation_rfc_id(sb_violation v) {
    return (unsigned)v < SB_VIO__COUNT ? vio_ids[v] : "?";
}
const char *sb_violation_text(sb_violation v) {
    return (unsigned)v < SB_VIO__COUNT ? vio_texts[v] : "?";
}
sb_level sb_violation_level(sb_violation v) {
    return (unsigned)v < SB_VIO__COUNT ? vio_levels[v] : SB_LEVEL_MUST;
}
const char *sb_level_name(sb_level l) {
    return l == SB_LEVEL_SHOULD ? "SHOULD" : "MUST";
}

/* One table per record enum, from its map in engine.h. */
#define SB__NAME(id, name) name,
#define SB__NAMER(fn, type, map)                                                                   \
    const char *fn(type v) {                                                                       \
        static const char *const names[] = {map(SB__NAME)};                                        \
        return (unsigned)v < sizeof names / sizeof names[0] ? names[v] : "unknown";                \
    }
SB__NAMER(sb_role_name, sb_role, SB_ROLE_MAP)
SB__NAMER(sb_result_name, sb_result, SB_RESULT_MAP)
SB__NAMER(sb_side_name, sb_side, SB_SIDE_MAP)
SB__NAMER(sb_refresh_via_name, sb_refresh_via, SB_REFRESH_VIA_MAP)
SB__NAMER(sb_expiry_action_name, sb_expiry_action, SB_EXPIRY_ACTION_MAP)
SB__NAMER(sb_drop_timing_name, sb_drop_timing, SB_DROP_TIMING_MAP)
SB__NAMER(sb_reg_result_name, sb_reg_result, SB_REG_RESULT_MAP)
#undef SB__NAMER
#undef SB__NAME
