# (7) SIPp UAC (Supported: timer, Session-Expires: 4;refresher=uac) -> sipbeat answer. SIPp
# checks the 200 names refresher=uac with Require: timer, then refreshes twice and checks each
# 200 again (st_uac_refresh.xml). sipbeat's report: 2 refreshes received, refresher remote.
source "$(dirname "$0")/st_lib.sh"
port=$(free_port)
answer_bg uas "$port" --timer supported --timer-se 8 --timer-min-se 2 --timer-unchecked
uas=$BG_PID
sipp_check "$(sipp_uac 15 sipp st_uac_refresh.xml "$port")" sipp
wait_rc "$uas"
expect_eq "$WAIT_RC" 0 "sipbeat answer exit code"
r="$TMP/uas.json"
expect_eq "$(call_field "$r" role)" uas "role"
expect_eq "$(call_field "$r" result)" answered "result"
expect_eq "$(call_field "$r" end_reason)" normal "end_reason"
expect_eq "$(call_field "$r" ended_by)" remote "ended_by"
expect_eq "$(call_field "$r" session_timer_active)" true "session_timer_active"
expect_eq "$(call_field "$r" session_timer_negotiated_se_s)" 4 "negotiated SE"
expect_eq "$(call_field "$r" session_timer_refresher)" remote "refresher"
expect_eq "$(call_field "$r" session_timer_refreshes)" 2 "refreshes received"
expect_eq "$(call_field "$r" session_timer_expired)" false "session_timer_expired"
expect_eq "$(call_field "$r" 'session_timer_violations | length')" 0 "violations"
pass "200 with refresher=uac + Require: timer, 2 refreshes answered"
