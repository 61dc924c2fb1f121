# (verdicts) EXP-1 failed: sipbeat call --timer-skip-refresh 1 is the refresher (SIPp's 200 says
# Session-Expires: 6;refresher=uac) and never refreshes; SIPp never ends the session either
# (vd_uas_keeps_session.xml). By SE + 2 s = 8 s sipbeat records EXP-1 (SHOULD) as violated, does
# not expire the session itself, and hangs up at its 10 s talk time: end_reason normal, ended
# by us. With --fail-on should the call fails (exit 1); without it the same call passes (exit 0)
# and still lists the violation.
source "$(dirname "$0")/st_lib.sh"
flags=(-d 10s --timer supported --timer-se 6 --timer-min-se 2 --timer-unchecked --timer-skip-refresh 1)

check_run() { # REPORT: what both runs must show
    local r=$1
    expect_eq "$(call_field "$r" result)" answered "result"
    expect_eq "$(call_field "$r" end_reason)" normal "end_reason"
    expect_eq "$(call_field "$r" ended_by)" local "ended_by"
    expect_eq "$(call_field "$r" fault_injected)" true "fault_injected"
    expect_eq "$(call_field "$r" session_timer_refresher)" local "refresher"
    expect_eq "$(call_field "$r" session_timer_refreshes)" 0 "refreshes"
    expect_eq "$(call_field "$r" session_timer_expired)" false "session_timer_expired (never ours)"
    has_violation "$r" EXP-1 || fail "no EXP-1 violation in $(call_field "$r" session_timer_violations)"
    expect_eq "$(call_field "$r" 'session_timer_violations | map(.id) | join(",")')" EXP-1 "violations"
    expect_eq "$(call_field "$r" 'session_timer_violations[0].level')" SHOULD "EXP-1 level"
    local c='.summary.compliance["EXP-1"]'
    expect_eq "$(jqr "$r" "$c.level")" SHOULD "EXP-1 row level"
    expect_eq "$(jqr "$r" "$c.evaluated")" 1 "EXP-1 evaluated"
    expect_eq "$(jqr "$r" "$c.passed")" 0 "EXP-1 passed"
    expect_eq "$(jqr "$r" "$c.failed")" 1 "EXP-1 failed"
    expect_eq "$(jqr "$r" "$c.first_failed_call_ids[0]")" "$(call_field "$r" call_id)" "EXP-1 first failed call"
    local dur
    dur=$(call_field "$r" call_duration_ms)
    python3 -c "import sys; sys.exit(0 if 9700 <= $dur <= 10600 else 1)" ||
        fail "call_duration_ms $dur: expected our BYE at the 10 s talk time"
    expect_eq "$(grep -c -E '^INVITE ' "$TMP/trace.txt")" 1 "INVITEs sent (the initial one only: no refresh)"
}

call_vs_sipp vd_uas_keeps_session.xml "${flags[@]}" --fail-on should
expect_eq "$rc" 1 "sipbeat call --fail-on should exit code (1: EXP-1 failed)"
check_run "$TMP/uac.json"
expect_eq "$(call_field "$TMP/uac.json" passed)" false "passed with --fail-on should"
mv "$TMP/uac.json" "$TMP/uac_should.json"

call_vs_sipp vd_uas_keeps_session.xml "${flags[@]}"
expect_eq "$rc" 0 "sipbeat call exit code without --fail-on should (EXP-1 is a SHOULD)"
check_run "$TMP/uac.json"
expect_eq "$(call_field "$TMP/uac.json" passed)" true "passed without --fail-on should"
pass "far end kept the unrefreshed session: EXP-1 (SHOULD) failed; exit 1 with --fail-on should, 0 without"
