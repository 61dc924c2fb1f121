# (verdicts) REF-8 failed: SIPp UAC is the refresher (Session-Expires: 6;refresher=uac) against
# sipbeat answer --timer-answer-refresh 481 --fail-on should. sipbeat refuses SIPp's refresh 2 s
# in with 481; SIPp ACKs it and keeps the dialog (vd_uac_refresh_481_stay.xml). sipbeat's own
# expiry BYE, 4 s after its 200 (the refused refresh does not count), ends the call
# session_expired, ended by us, and judges REF-8 (SHOULD) failed. Not UAC-13: the refresh did
# come, we refused it. With --fail-on should the call fails (exit 1).
source "$(dirname "$0")/st_lib.sh"
port=$(free_port)
answer_bg uas "$port" --timer supported --timer-se 6 --timer-min-se 2 --timer-unchecked \
    --timer-answer-refresh 481 --fail-on should
uas=$BG_PID
sipp_check "$(sipp_uac 15 sipp vd_uac_refresh_481_stay.xml "$port")" sipp
wait_rc "$uas"
expect_eq "$WAIT_RC" 1 "sipbeat answer exit code (1: REF-8 failed, --fail-on should)"
r="$TMP/uas.json"
expect_eq "$(call_field "$r" role)" uas "role"
expect_eq "$(call_field "$r" result)" answered "result"
expect_eq "$(call_field "$r" passed)" false "passed"
expect_eq "$(call_field "$r" end_reason)" session_expired "end_reason"
expect_eq "$(call_field "$r" ended_by)" local "ended_by"
expect_eq "$(call_field "$r" fault_injected)" true "fault_injected"
expect_eq "$(call_field "$r" session_timer_refresher)" remote "refresher"
expect_eq "$(call_field "$r" session_timer_refreshes_refused)" 1 "refreshes refused"
expect_eq "$(call_field "$r" session_timer_refreshes)" 0 "successful refreshes"
expect_eq "$(call_field "$r" session_timer_expired)" true "session_timer_expired"
expect_eq "$(call_field "$r" session_timer_expiry_action)" bye "session_timer_expiry_action"
has_violation "$r" REF-8 || fail "no REF-8 violation in $(call_field "$r" session_timer_violations)"
has_violation "$r" UAC-13 && fail "UAC-13 blamed on the far end for the refresh we refused"
expect_eq "$(call_field "$r" 'session_timer_violations | map(.id) | join(",")')" REF-8 "violations"
expect_eq "$(call_field "$r" 'session_timer_violations[0].level')" SHOULD "REF-8 level"
c='.summary.compliance["REF-8"]'
expect_eq "$(jqr "$r" "$c.level")" SHOULD "REF-8 row level"
expect_eq "$(jqr "$r" "$c.evaluated")" 1 "REF-8 evaluated"
expect_eq "$(jqr "$r" "$c.failed")" 1 "REF-8 failed"
expect_eq "$(jqr "$r" "$c.first_failed_call_ids[0]")" "$(call_field "$r" call_id)" "REF-8 first failed call"
expect_eq "$(jqr "$r" '.summary.compliance["UAC-13"].evaluated')" 0 "UAC-13 evaluated"
t="$TMP/uas.trace.txt"
expect_eq "$(grep -c -E '^SIP/2.0 481 ' "$t")" 1 "481s in the trace (one: sent once, not retransmitted)"
t200=$(trace_time "$t" 'SENT .*\nSIP/2.0 200 ') || fail "no 200 sent"
tbye=$(trace_time "$t" 'SENT .*\nBYE ') || fail "no BYE of ours"
python3 -c "import sys; d=$tbye-$t200; sys.exit(0 if 3.8 <= d <= 4.4 else 1)" ||
    fail "200 at $t200 s, our BYE at $tbye s: expected SE - SE/3 = 4 s later"
pass "481 to the refresh, far end kept the dialog: REF-8 failed, our BYE $(python3 -c "print(round($tbye-$t200, 3))") s after the 200, no UAC-13"
