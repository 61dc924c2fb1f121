# (verdicts) EXP-1 passed: sipbeat call --timer-skip-refresh 1 is the refresher (SIPp's 200 says
# Session-Expires: 6;refresher=uac) and never refreshes; SIPp, a correct non-refresher, sends BYE
# 4 s after its 200 (vd_uas_nonrefresher_bye.xml), inside EXP-1's window [SE - min(32, SE/3) -
# 2 s, SE + 2 s] = [2 s, 8 s]. The session ended as our fault made it: session_expired, ended by
# the far end, fault_injected, the call passes (exit 0), no violation, EXP-1 counted as passed.
source "$(dirname "$0")/st_lib.sh"
call_vs_sipp vd_uas_nonrefresher_bye.xml -d 12s --timer supported --timer-se 6 --timer-min-se 2 \
    --timer-unchecked --timer-skip-refresh 1
expect_eq "$rc" 0 "sipbeat call exit code (0: the far end ended the session in time)"
r="$TMP/uac.json"
expect_eq "$(call_field "$r" result)" answered "result"
expect_eq "$(call_field "$r" passed)" true "passed"
expect_eq "$(call_field "$r" end_reason)" session_expired "end_reason"
expect_eq "$(call_field "$r" ended_by)" remote "ended_by"
expect_eq "$(call_field "$r" fault_injected)" true "fault_injected"
expect_eq "$(call_field "$r" session_timer_refresher)" local "refresher"
expect_eq "$(call_field "$r" session_timer_negotiated_se_s)" 6 "negotiated SE"
expect_eq "$(call_field "$r" session_timer_refreshes)" 0 "refreshes"
expect_eq "$(call_field "$r" 'session_timer_violations | length')" 0 "violations"
expect_eq "$(call_field "$r" 'checks_passed | index("EXP-1") != null')" true "EXP-1 in checks_passed"
c='.summary.compliance["EXP-1"]'
expect_eq "$(jqr "$r" "$c.level")" SHOULD "EXP-1 level"
expect_eq "$(jqr "$r" "$c.evaluated")" 1 "EXP-1 evaluated"
expect_eq "$(jqr "$r" "$c.passed")" 1 "EXP-1 passed"
expect_eq "$(jqr "$r" "$c.failed")" 0 "EXP-1 failed"
expect_eq "$(jqr "$r" .summary.calls_passed)" 1 "summary calls_passed"
expect_eq "$(grep -c -E '^INVITE ' "$TMP/trace.txt")" 1 "INVITEs sent (the initial one only: no refresh)"
t200=$(trace_time "$TMP/trace.txt" 'RECEIVED .*\nSIP/2.0 200 ') || fail "no 200 in the trace"
tbye=$(trace_time "$TMP/trace.txt" 'RECEIVED .*\nBYE ') || fail "no BYE from SIPp in the trace"
python3 -c "import sys; d=$tbye-$t200; sys.exit(0 if 3.5 <= d <= 5.0 else 1)" ||
    fail "200 at $t200 s, SIPp's BYE at $tbye s: expected about 4 s later"
pass "no refresh, far-end BYE $(python3 -c "print(round($tbye-$t200, 3))") s after the 200: EXP-1 passed"
