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
expect_refused_then_hung_up "$r"
t="$TMP/trace.txt"
expect_eq "$(grep -c -E '^SIP/2.0 481 ' "$t")" 1 "481s in the trace (one: sent once, not retransmitted)"
expect_eq "$(grep -c -E '^BYE ' "$t")" 1 "BYEs in the trace (SIPp's only)"
pass "caller 481s the far-end refresher's refresh, far-end BYE: REF-8 passed, no UAC-13"
