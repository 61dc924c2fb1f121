# Shutdown: SIGINT stops new calls, BYEs every live call, writes the report and exits 4; a second
# signal exits at once and still writes the report with every call in it.
source "$(dirname "$0")/lib.sh"
port=$(free_port)

# wait_lines FILE PATTERN N: until FILE has N lines matching PATTERN (at most 10 s).
wait_lines() {
    for _ in $(seq 200); do
        [ "$(grep -c -- "$2" "$1" 2>/dev/null)" -ge "$3" ] 2>/dev/null && return 0
        sleep 0.05
    done
    fail "$1: fewer than $3 lines matching $2"
}

# 1. Graceful: five answered calls, one SIGINT.
bg 60 uas "$SIPBEAT" answer --listen "127.0.0.1:$port" --report "$TMP/uas.json" -q
uas=$BG_PID
wait_udp "$port"
bg 60 uac "$SIPBEAT" call "sip:svc@127.0.0.1:$port" -m 8 -r 50 -l 5 -d 60s -q \
    --report "$TMP/uac.json" --events "$TMP/uac.ndjson"
uac=$BG_PID
wait_lines "$TMP/uac.ndjson" '"call_answered"' 5
kill -INT "$uac"
wait_exit "$uac"
expect_eq "$RC" 4 "caller exit code after SIGINT"
expect_eq "$(jqr "$TMP/uac.json" '.calls | length')" 5 "calls in the report (no new ones after the signal)"
expect_eq "$(jqr "$TMP/uac.json" '[.calls[] | select(.end_reason=="shutdown" and .ended_by=="local" and .result=="answered")] | length')" 5 "calls hung up by BYE"
kill -TERM "$uas"
wait_exit "$uas"
expect_eq "$RC" 4 "answerer exit code after SIGTERM"
expect_eq "$(jqr "$TMP/uas.json" '[.calls[] | select(.end_reason=="normal" and .ended_by=="remote")] | length')" 5 "the answerer saw five BYEs"

# 2. A second signal: the answerer hangs (stopped), so our BYEs go unanswered; the second
# SIGINT must end the run at once, report included. (A killed answerer would not do: its
# closed port answers every BYE with ICMP port unreachable, which ends the calls at once.)
bg 60 uas2 "$SIPBEAT" answer --listen "127.0.0.1:$port" -q
uas=$BG_PID
wait_udp "$port"
# Not under `timeout`, which passes on only the first signal; cleanup still kills it by PID,
# and ctest's limit bounds the test.
"$SIPBEAT" call "sip:svc@127.0.0.1:$port" -m 3 -r 50 -d 60s -q \
    --report "$TMP/uac2.json" --events "$TMP/uac2.ndjson" >"$TMP/uac2.log" 2>&1 &
uac=$!
PIDS+=("$uac")
wait_lines "$TMP/uac2.ndjson" '"call_answered"' 3
pkill -STOP -P "$uas" # the answerer itself, not its `timeout` wrapper: it hangs, port bound
kill -INT "$uac"
sleep 0.3 # let the first signal's BYEs go out before the second (not a protocol timer)
start=$(date +%s%N)
kill -INT "$uac"
wait_exit "$uac"
took_ms=$((($(date +%s%N) - start) / 1000000))
expect_eq "$RC" 4 "caller exit code after a second SIGINT"
[ "$took_ms" -lt 2000 ] || fail "the second signal took $took_ms ms to end the run"
expect_eq "$(jqr "$TMP/uac2.json" '.calls | length')" 3 "every call is in the report"
expect_eq "$(jqr "$TMP/uac2.json" '[.calls[] | select(.end_reason=="shutdown")] | length')" 3 "end_reason shutdown"
pkill -KILL -P "$uas" # a stopped process would not act on cleanup's TERM
wait_exit "$uas"
pass "graceful and forced"
