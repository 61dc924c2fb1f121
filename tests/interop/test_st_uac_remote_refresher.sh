# (4) sipbeat call --timer-refresher none -> SIPp UAS that picks refresher=uas (Table 2 row 4)
# and sends the refresh re-INVITEs itself at 1.5 s and 3 s (st_uas_refresher_uas.xml checks that
# sipbeat's 200s keep refresher=uac + Require: timer). The report shows 2 refreshes received,
# refresher remote, no expiry (sipbeat's own BYE at 4 s is a normal hangup).
source "$(dirname "$0")/st_lib.sh"
call_vs_sipp st_uas_refresher_uas.xml -d 4s --timer supported --timer-se 4 --timer-refresher none --timer-min-se 2 --timer-unchecked
expect_eq "$rc" 0 "sipbeat call exit code"
r="$TMP/uac.json"
# Row 4 precondition: our INVITE lists timer and names no refresher.
grep -q -P '^Session-Expires: 4\r?$' "$TMP/trace.txt" || fail "INVITE without refresher parameter"
expect_eq "$(call_field "$r" result)" answered "result"
expect_eq "$(call_field "$r" end_reason)" normal "end_reason"
expect_eq "$(call_field "$r" ended_by)" local "ended_by"
expect_eq "$(call_field "$r" session_timer_active)" true "session_timer_active"
expect_eq "$(call_field "$r" session_timer_negotiated_se_s)" 4 "negotiated SE"
expect_eq "$(call_field "$r" session_timer_refresher)" remote "refresher"
expect_eq "$(call_field "$r" session_timer_refreshes)" 2 "refreshes (received)"
expect_eq "$(call_field "$r" session_timer_expired)" false "session_timer_expired"
expect_eq "$(call_field "$r" 'session_timer_violations | length')" 0 "violations"
# We never refreshed: the only INVITE we sent is the initial one.
expect_eq "$(grep -c -E '^INVITE ' "$TMP/trace.txt")" 3 "INVITEs in the trace (1 sent + 2 received)"
expect_eq "$(trace_time "$TMP/trace.txt" 'SENT .*\nINVITE ')" "$(trace_time "$TMP/trace.txt" '\nINVITE ')" "only INVITE sent is the first"
pass "refresher=uas chosen by SIPp, 2 refreshes received"
