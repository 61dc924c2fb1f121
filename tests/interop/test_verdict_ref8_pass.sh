# (verdicts) REF-8 passed: SIPp UAC is the refresher (Session-Expires: 6;refresher=uac) against
# sipbeat answer --timer-answer-refresh 481. sipbeat refuses SIPp's refresh 2 s in with 481; SIPp
# ACKs it and ends the dialog with BYE 0.8 s later (vd_uac_refresh_481_bye.xml), before
# sipbeat's own expiry BYE at 4 s. The report: REF-8 passed, end_reason refresh_failed, ended
# by the far end, the refused refresh counted, no UAC-13 (the refresh did come: we refused it),
# the call passes (exit 0). The trace: one 481, never retransmitted (the ACK matched), no BYE
# of ours.
source "$(dirname "$0")/st_lib.sh"
port=$(free_port)
answer_bg uas "$port" --timer supported --timer-se 6 --timer-min-se 2 --timer-unchecked \
    --timer-answer-refresh 481
uas=$BG_PID
sipp_check "$(sipp_uac 15 sipp vd_uac_refresh_481_bye.xml "$port")" sipp
wait_rc "$uas"
expect_eq "$WAIT_RC" 0 "sipbeat answer exit code (0: the far end ended the dialog after our 481)"
r="$TMP/uas.json"
expect_eq "$(call_field "$r" role)" uas "role"
expect_refused_then_hung_up "$r"
expect_eq "$(call_field "$r" session_timer_expired)" false "session_timer_expired"
expect_eq "$(call_field "$r" 'checks_passed | index("REF-8") != null')" true "REF-8 in checks_passed"
c='.summary.compliance["REF-8"]'
expect_eq "$(jqr "$r" "$c.level")" SHOULD "REF-8 level"
expect_eq "$(jqr "$r" "$c.failed")" 0 "REF-8 failed"
t="$TMP/uas.trace.txt"
expect_eq "$(grep -c -E '^SIP/2.0 481 ' "$t")" 1 "481s in the trace (one: sent once, not retransmitted)"
expect_eq "$(grep -c -E '^BYE ' "$t")" 1 "BYEs in the trace (SIPp's only)"
t481=$(trace_time "$t" 'SENT .*\nSIP/2.0 481 ') || fail "no 481 sent"
tbye=$(trace_time "$t" 'RECEIVED .*\nBYE ') || fail "no BYE from SIPp"
pass "481 to the refresh, far-end BYE $(python3 -c "print(round($tbye-$t481, 3))") s later: REF-8 passed, no UAC-13"
