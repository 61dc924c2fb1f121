# (9) SIPp UAC with Supported: timer and Session-Expires: 4 without a refresher parameter ->
# sipbeat answer: Table 2 row 4 lets the UAS choose, so the 200 names sipbeat's
# --timer-refresher preference (uac, then uas), with Require: timer both times.
source "$(dirname "$0")/st_lib.sh"
port=$(free_port)
for want in uac uas; do
    answer_bg "uas_$want" "$port" --timer supported --timer-se 8 --timer-min-se 2 \
        --timer-unchecked --timer-refresher "$want"
    uas=$BG_PID
    sipp_check "$(sipp_uac 10 "sipp_$want" st_uac_norefresher.xml "$port" -set want "$want")" "sipp_$want"
    wait_rc "$uas"
    expect_eq "$WAIT_RC" 0 "sipbeat answer exit code ($want)"
    r="$TMP/uas_$want.json"
    expect_eq "$(call_field "$r" result)" answered "result ($want)"
    expect_eq "$(call_field "$r" end_reason)" normal "end_reason ($want)"
    expect_eq "$(call_field "$r" session_timer_negotiated_se_s)" 4 "negotiated SE ($want)"
    expect_eq "$(call_field "$r" session_timer_refresher)" \
        "$([ "$want" = uas ] && echo local || echo remote)" "refresher ($want)"
    grep -q "refresher $want, want $want" "$TMP/sipp_${want}_logs.txt" ||
        fail "SIPp did not log refresher=$want"
done
pass "row 4: refresher=uac and refresher=uas per --timer-refresher"
