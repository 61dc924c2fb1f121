# (8) SIPp UAC without timer support (no Supported, no Session-Expires) -> sipbeat answer.
# --timer supported: the 200 has no Session-Expires, Require: timer or Min-SE.
# --timer always: the 200 adds Session-Expires with refresher=uas and no Require (UAS-10, UAS-6).
source "$(dirname "$0")/st_lib.sh"
port=$(free_port)

answer_bg uas1 "$port" --timer supported --timer-se 8 --timer-min-se 2 --timer-unchecked
uas=$BG_PID
sipp_check "$(sipp_uac 10 sipp1 st_uac_plain_nose.xml "$port")" sipp1
wait_rc "$uas"
expect_eq "$WAIT_RC" 0 "sipbeat answer exit code (supported)"
r="$TMP/uas1.json"
expect_eq "$(call_field "$r" result)" answered "result (supported)"
expect_eq "$(call_field "$r" end_reason)" normal "end_reason (supported)"
expect_eq "$(call_field "$r" session_timer_active)" false "session_timer_active (supported)"
expect_eq "$(call_field "$r" session_timer_refresher)" none "refresher (supported)"

answer_bg uas2 "$port" --timer always --timer-se 8 --timer-min-se 2 --timer-unchecked
uas=$BG_PID
sipp_check "$(sipp_uac 10 sipp2 st_uac_plain_always.xml "$port")" sipp2
wait_rc "$uas"
expect_eq "$WAIT_RC" 0 "sipbeat answer exit code (always)"
r="$TMP/uas2.json"
expect_eq "$(call_field "$r" result)" answered "result (always)"
expect_eq "$(call_field "$r" end_reason)" normal "end_reason (always)"
expect_eq "$(call_field "$r" session_timer_active)" true "session_timer_active (always)"
# The caller sent no Min-SE, which means 90 (HDR-5) in a checked run; --timer-unchecked sends
# our --timer-se as given, so the interval we insert is 8 s.
expect_eq "$(call_field "$r" session_timer_negotiated_se_s)" 8 "negotiated SE (always, unchecked: our 8 s)"
expect_eq "$(call_field "$r" session_timer_refresher)" local "refresher (always)"
grep -q -P '^Session-Expires: 8;refresher=uas\r?$' "$TMP/uas2.trace.txt" || fail "200 without Session-Expires: 8;refresher=uas"
pass "no SE in supported mode, refresher=uas without Require in always mode"
