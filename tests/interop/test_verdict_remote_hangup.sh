# (verdicts) sipbeat call -d 8s (no timer) -> SIPp UAS that hangs up 2 s after the answer with
# Reason: Q.850;cause=16 (vd_uas_bye_2s.xml). A far-end BYE long before the talk time is a drop:
# end_reason remote_hangup, ended by the far end, the call fails (exit 1), and the record keeps
# the Reason (RFC 3326) and a call duration of about 2 s.
source "$(dirname "$0")/st_lib.sh"
call_vs_sipp vd_uas_bye_2s.xml -d 8s
expect_eq "$rc" 1 "sipbeat call exit code (1: the call failed)"
r="$TMP/uac.json"
expect_eq "$(call_field "$r" result)" answered "result"
expect_eq "$(call_field "$r" end_reason)" remote_hangup "end_reason"
expect_eq "$(call_field "$r" ended_by)" remote "ended_by"
expect_eq "$(call_field "$r" passed)" false "passed"
expect_eq "$(call_field "$r" remote_reason_protocol)" Q.850 "remote_reason_protocol"
expect_eq "$(call_field "$r" remote_reason_cause)" 16 "remote_reason_cause"
expect_eq "$(call_field "$r" remote_reason_text)" "Normal call clearing" "remote_reason_text"
expect_eq "$(call_field "$r" drop_timing)" none "drop_timing (no session timer)"
expect_eq "$(call_field "$r" session_timer_active)" false "session_timer_active"
expect_eq "$(call_field "$r" 'session_timer_violations | length')" 0 "violations"
note=$(call_field "$r" end_note)
case "$note" in
*"far end hung up"*Q.850*16*) ;;
*) fail "end_note: $note" ;;
esac
dur=$(call_field "$r" call_duration_ms)
python3 -c "import sys; sys.exit(0 if 1800 <= $dur <= 2600 else 1)" ||
    fail "call_duration_ms $dur: expected about 2000 (SIPp's BYE 2 s after the ACK)"
expect_eq "$(jqr "$r" .summary.calls_passed)" 0 "summary calls_passed"
pass "far-end BYE at $dur ms -> remote_hangup, Reason Q.850 cause 16"
