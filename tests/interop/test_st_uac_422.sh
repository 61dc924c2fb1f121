# (2) sipbeat call (SE 3, Min-SE 2) -> SIPp UAS that answers 422 with Min-SE: 5 and accepts the
# retry. SIPp checks the retry (Min-SE 5, SE >= 5, CSeq + 1: 422-2, 422-3); sipbeat's report
# shows one 422 and the negotiated SE of the retry.
source "$(dirname "$0")/st_lib.sh"
call_vs_sipp st_uas_422.xml -d 1s --timer supported --timer-se 3 --timer-min-se 2 --timer-unchecked
expect_eq "$rc" 0 "sipbeat call exit code"
r="$TMP/uac.json"
expect_eq "$(call_field "$r" result)" answered "result"
expect_eq "$(call_field "$r" final_status_code)" 200 "final status"
expect_eq "$(call_field "$r" end_reason)" normal "end_reason"
expect_eq "$(call_field "$r" session_timer_422_count)" 1 "session_timer_422_count"
expect_eq "$(call_field "$r" session_timer_negotiated_se_s)" 5 "negotiated SE (the retry's)"
expect_eq "$(call_field "$r" session_timer_min_se_s)" 5 "Min-SE after the 422"
expect_eq "$(call_field "$r" session_timer_refresher)" local "refresher"
expect_eq "$(call_field "$r" 'session_timer_violations | length')" 0 "violations"
pass "422 Min-SE 5, retry with Min-SE 5 and SE 5 answered"
