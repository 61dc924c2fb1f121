# (3) sipbeat call --timer required -> SIPp UAS that answers 420 Bad Extension + Unsupported:
# timer. SIPp checks the INVITE had Require: timer; sipbeat fails the call (exit 1) with
# end_reason remote_unsupported_timer and does not retry (one INVITE in the trace).
source "$(dirname "$0")/st_lib.sh"
port=$(free_port)
sipp_bg 20 sipp st_uas_420.xml "$port"
sipp=$BG_PID
wait_udp "$port"
rc=0
timeout -k 3 15 "$SIPBEAT" call "sip:svc@127.0.0.1:$port" -d 1s --timer required --timer-se 4 \
    --timer-min-se 2 --timer-unchecked --trace "$TMP/trace.txt" --report "$TMP/uac.json" -q \
    >"$TMP/uac.log" 2>&1 || rc=$?
wait_rc "$sipp"
sipp_check "$WAIT_RC" sipp
expect_eq "$rc" 1 "sipbeat call exit code (1: the call failed)"
r="$TMP/uac.json"
expect_eq "$(call_field "$r" final_status_code)" 420 "final status"
expect_eq "$(call_field "$r" end_reason)" remote_unsupported_timer "end_reason"
expect_eq "$(call_field "$r" passed)" false "call passed"
expect_eq "$(call_field "$r" session_timer_active)" false "session_timer_active"
expect_eq "$(jqr "$r" '.summary.failed + .summary.rejected')" 1 "failed or rejected calls"
expect_eq "$(grep -c -E '^INVITE ' "$TMP/trace.txt")" 1 "INVITEs sent (no retry)"
pass "420 Unsupported: timer -> remote_unsupported_timer, exit 1"
