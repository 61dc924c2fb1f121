# sipbeat call -> SIPp's built-in UAS (`sipp -sn uas`): 200 calls at 50 cps, all answered.
source "$(dirname "$0")/lib.sh"
port=$(free_port)
bg 90 sipp sipp -sn uas -i 127.0.0.1 -p "$port" -m 200 -timeout 80s -nostdin \
    -trace_err -error_file "$TMP/sipp_err.log"
sipp=$BG_PID
wait_udp "$port"
rc=0
timeout 60 "$SIPBEAT" call "sip:svc@127.0.0.1:$port" -m 200 -r 50 -d 200ms -q \
    --report "$TMP/uac.json" >"$TMP/uac.log" 2>&1 || rc=$?
expect_eq "$rc" 0 "sipbeat call exit code"
expect_eq "$(jqr "$TMP/uac.json" '.summary.calls_started')" 200 "calls started"
expect_eq "$(jqr "$TMP/uac.json" '[.calls[] | select(.result=="answered" and .end_reason=="normal")] | length')" 200 "answered and ended normally"
wait_exit "$sipp"
expect_eq "$RC" 0 "sipp exit code"
pass "200 calls at 50 cps"
