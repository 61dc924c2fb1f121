# SIPp's built-in UAC (`sipp -sn uac`) -> sipbeat answer: 200 calls, SIPp counts none failed.
source "$(dirname "$0")/lib.sh"
port=$(free_port)
bg 90 uas "$SIPBEAT" answer --listen "127.0.0.1:$port" --max-calls 200 --report "$TMP/uas.json" -q
uas=$BG_PID
wait_udp "$port"
rc=0
timeout 80 sipp -sn uac "127.0.0.1:$port" -i 127.0.0.1 -p "$(free_port)" -m 200 -r 50 -d 200 \
    -timeout 70s -nostdin -trace_stat -stf "$TMP/stat.csv" -trace_err -error_file "$TMP/sipp_err.log" \
    >"$TMP/sipp.log" 2>&1 || rc=$?
expect_eq "$rc" 0 "sipp exit code (0: every call succeeded)"
wait_exit "$uas"
expect_eq "$RC" 0 "sipbeat answer exit code"
expect_eq "$(jqr "$TMP/uas.json" '[.calls[] | select(.result=="answered" and .ended_by=="remote")] | length')" 200 "answered, ended by SIPp's BYE"
pass "200 calls from sipp -sn uac"
