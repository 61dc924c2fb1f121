# (verdicts) REF-8 passed with sipbeat as the caller: sipbeat call --timer-refresher uas
# --timer-answer-refresh 481 -> SIPp UAS, the refresher (Session-Expires: 6;refresher=uas), whose
# refresh 2 s in gets our 481; SIPp ACKs it and hangs up 0.8 s later (vd_uas_refresh_481_bye.xml).
# That BYE, long before the 10 s talk time, is the far end's correct reaction to our refusal, not
# a drop: end_reason refresh_failed, ended by the far end, REF-8 passed, no UAC-13, exit 0.
source "$(dirname "$0")/st_lib.sh"
call_vs_sipp vd_uas_refresh_481_bye.xml -d 10s --timer supported --timer-se 6 --timer-min-se 2 \
    --timer-unchecked --timer-refresher uas --timer-answer-refresh 481
expect_eq "$rc" 0 "sipbeat call exit code (0: the far end ended the dialog after our 481)"
r="$TMP/uac.json"
expect_eq "$(call_field "$r" result)" answered "result"
expect_eq "$(call_field "$r" passed)" true "passed"
expect_eq "$(call_field "$r" end_reason)" refresh_failed "end_reason"
expect_eq "$(call_field "$r" ended_by)" remote "ended_by"
expect_eq "$(call_field "$r" fault_injected)" true "fault_injected"
expect_eq "$(call_field "$r" session_timer_refresher)" remote "refresher"
expect_eq "$(call_field "$r" session_timer_refreshes_refused)" 1 "refreshes refused"
expect_eq "$(call_field "$r" session_timer_refreshes)" 0 "successful refreshes"
expect_eq "$(call_field "$r" 'session_timer_violations | length')" 0 "violations"
has_violation "$r" UAC-13 && fail "UAC-13 blamed on the far end for the refresh we refused"
c='.summary.compliance["REF-8"]'
expect_eq "$(jqr "$r" "$c.evaluated")" 1 "REF-8 evaluated"
expect_eq "$(jqr "$r" "$c.passed")" 1 "REF-8 passed"
expect_eq "$(jqr "$r" '.summary.compliance["UAC-13"].failed')" 0 "UAC-13 failed"
t="$TMP/trace.txt"
expect_eq "$(grep -c -E '^SIP/2.0 481 ' "$t")" 1 "481s in the trace (one: sent once, not retransmitted)"
expect_eq "$(grep -c -E '^BYE ' "$t")" 1 "BYEs in the trace (SIPp's only)"
pass "caller 481s the far-end refresher's refresh, far-end BYE: REF-8 passed, no UAC-13"
