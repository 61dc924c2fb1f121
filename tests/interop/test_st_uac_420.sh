# (3) sipbeat call --timer required -> SIPp UAS that answers 420 Bad Extension + Unsupported:
# timer. SIPp checks the INVITE had Require: timer; sipbeat fails the call (exit 1) with
# end_reason remote_unsupported_timer and does not retry (one INVITE in the trace).
source "$(dirname "$0")/st_lib.sh"
call_vs_sipp st_uas_420.xml -d 1s --timer required --timer-se 4 --timer-min-se 2 --timer-unchecked
expect_eq "$rc" 1 "sipbeat call exit code (1: the call failed)"
r="$TMP/uac.json"
expect_eq "$(call_field "$r" final_status_code)" 420 "final status"
expect_eq "$(call_field "$r" end_reason)" remote_unsupported_timer "end_reason"
expect_eq "$(call_field "$r" passed)" false "call passed"
expect_eq "$(call_field "$r" session_timer_active)" false "session_timer_active"
expect_eq "$(jqr "$r" '.summary.failed + .summary.rejected')" 1 "failed or rejected calls"
expect_eq "$(grep -c -E '^INVITE ' "$TMP/trace.txt")" 1 "INVITEs sent (no retry)"
pass "420 Unsupported: timer -> remote_unsupported_timer, exit 1"
