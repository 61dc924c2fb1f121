# (6) sipbeat call -> SIPp UAS that answers refresher=uac and then 481s the first refresh.
# sipbeat must ACK the 481 and send BYE at once (REF-8, EXP-2; SIPp requires < 0.5 s), ending
# the call with refresh_failed (a failed call: exit 1) long before the 8 s talk time.
source "$(dirname "$0")/st_lib.sh"
call_vs_sipp st_uas_481.xml -d 8s --timer supported --timer-se 4 --timer-min-se 2 --timer-unchecked
expect_eq "$rc" 1 "sipbeat call exit code (1: the call failed)"
r="$TMP/uac.json"
expect_eq "$(call_field "$r" result)" answered "result"
expect_eq "$(call_field "$r" end_reason)" refresh_failed "end_reason"
expect_eq "$(call_field "$r" ended_by)" local "ended_by"
expect_eq "$(call_field "$r" session_timer_refresher)" local "refresher"
expect_eq "$(call_field "$r" session_timer_refresh_failures)" 1 "refresh failures"
expect_eq "$(call_field "$r" session_timer_refreshes)" 0 "successful refreshes"
expect_eq "$(call_field "$r" session_timer_expired)" false "session_timer_expired"
t481=$(trace_time "$TMP/trace.txt" 'RECEIVED .*\nSIP/2.0 481 ') || fail "no 481 in the trace"
tbye=$(trace_time "$TMP/trace.txt" 'SENT .*\nBYE ') || fail "no BYE in the trace"
python3 -c "import sys; sys.exit(0 if 0 <= $tbye-$t481 <= 0.2 else 1)" ||
    fail "481 at $t481 s, BYE at $tbye s: expected the BYE at once"
pass "481 to the refresh -> BYE at once, refresh_failed"
