# (5) sipbeat call --timer-refresher none -> SIPp UAS that answers Session-Expires:
# 6;refresher=uas and then never refreshes. sipbeat must send BYE at SE - min(32, SE/3) = 4 s
# after the 200 (EXP-1): SIPp checks 3.6..4.6 s after its ACK, and the trace is checked too.
# The report: session_expired, ended by us, violation UAC-13: the far-end refresher missed its
# refresh (a MUST, so exit code 1).
source "$(dirname "$0")/st_lib.sh"
call_vs_sipp st_uas_silent.xml -d 10s --timer supported --timer-se 6 --timer-refresher none --timer-min-se 2 --timer-unchecked
expect_eq "$rc" 1 "sipbeat call exit code (1: far-end violation UAC-13)"
r="$TMP/uac.json"
expect_eq "$(call_field "$r" result)" answered "result"
expect_eq "$(call_field "$r" end_reason)" session_expired "end_reason"
expect_eq "$(call_field "$r" ended_by)" local "ended_by"
expect_eq "$(call_field "$r" session_timer_refresher)" remote "refresher"
expect_eq "$(call_field "$r" session_timer_negotiated_se_s)" 6 "negotiated SE"
expect_eq "$(call_field "$r" session_timer_expired)" true "session_timer_expired"
expect_eq "$(call_field "$r" session_timer_expiry_action)" bye "session_timer_expiry_action"
expect_eq "$(call_field "$r" session_timer_refreshes)" 0 "refreshes"
has_violation "$r" UAC-13 || fail "no UAC-13 violation in $(call_field "$r" session_timer_violations)"
t200=$(trace_time "$TMP/trace.txt" 'RECEIVED .*\nSIP/2.0 200 ') || fail "no 200 in the trace"
tbye=$(trace_time "$TMP/trace.txt" 'SENT .*\nBYE ') || fail "no BYE in the trace"
python3 -c "import sys; d=$tbye-$t200; sys.exit(0 if 3.8 <= d <= 4.4 else 1)" ||
    fail "BYE at $tbye s, 200 at $t200 s: expected SE - SE/3 = 4 s later"
expect_eq "$(grep -c -E '^INVITE ' "$TMP/trace.txt")" 1 "INVITEs (we never refresh as non-refresher)"
pass "BYE $(python3 -c "print(round($tbye-$t200, 3))") s after the 200, EXP-1 timing, UAC-13 violation"
