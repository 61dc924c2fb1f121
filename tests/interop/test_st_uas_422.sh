# (10) SIPp UAC with Session-Expires: 3 (Min-SE 2) -> sipbeat answer --timer-min-se 5: 422 with
# Min-SE: 5 (UAS-1); SIPp ACKs and retries with Min-SE and Session-Expires 5, gets 200 with
# Session-Expires: 5;refresher=uac + Require: timer (st_uac_422.xml).
source "$(dirname "$0")/st_lib.sh"
port=$(free_port)
answer_bg uas "$port" --timer supported --timer-se 8 --timer-min-se 5 --timer-unchecked
uas=$BG_PID
sipp_check "$(sipp_uac 10 sipp st_uac_422.xml "$port")" sipp
wait_rc "$uas"
expect_eq "$WAIT_RC" 0 "sipbeat answer exit code"
r="$TMP/uas.json"
expect_eq "$(jqr "$r" '.calls | length')" 1 "call records (the 422'd INVITE and its retry are one call)"
expect_eq "$(call_field "$r" result)" answered "result"
expect_eq "$(call_field "$r" end_reason)" normal "end_reason"
expect_eq "$(call_field "$r" session_timer_negotiated_se_s)" 5 "negotiated SE"
expect_eq "$(call_field "$r" session_timer_refresher)" remote "refresher"
expect_eq "$(grep -c -E '^SIP/2.0 422 ' "$TMP/uas.trace.txt")" 1 "422s sent"
pass "422 Min-SE 5, retry answered with SE 5"
