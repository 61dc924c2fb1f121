#!/usr/bin/env bash
# Side by side on this machine: sipbeat and SIPp placing the same calls against the same kind
# of answerer (each its own), on loopback. Prints CPU time per call and peak memory of the
# caller and of the answerer. Figures, not a test.
#   bench/vs_sipp.sh [SIPBEAT] [CALLS] [CPS] [HOLD_MS]
set -euo pipefail
SIPBEAT=${1:-build/sipbeat}
CALLS=${2:-20000}
CPS=${3:-2000}
HOLD_MS=${4:-1000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# measure NAME CMD...: runs CMD under GNU time, prints its CPU seconds and max RSS
measure() {
    local name=$1
    shift
    /usr/bin/time -f "%U %S %M" -o "$tmp/$name.time" "$@" >"$tmp/$name.out" 2>&1 || true
    read -r u s m < <(tail -n 1 "$tmp/$name.time")
    printf '%-16s cpu %6.2f s  (%5.1f us/call)  max rss %7d KB\n' "$name" \
        "$(echo "$u + $s" | bc)" "$(echo "($u + $s) * 1000000 / $CALLS" | bc -l)" "$m"
}
echo "== $CALLS calls at $CPS cps, ${HOLD_MS} ms talk time, loopback UDP"

p=$(port)
measure "sipbeat answer" timeout 300 "$SIPBEAT" answer --listen "127.0.0.1:$p" --max-calls "$CALLS" -q &
a=$!
sleep 0.5
measure "sipbeat call" timeout 300 "$SIPBEAT" call "sip:svc@127.0.0.1:$p" -m "$CALLS" -r "$CPS" \
    -d "${HOLD_MS}ms" -q --report "$tmp/sb.json"
wait $a || true
echo "   sipbeat: $(jq -r '.summary | "\(.calls_started) started, \(.answered // .by_result.answered // "?") answered"' "$tmp/sb.json" 2>/dev/null)"

p=$(port)
measure "sipp -sn uas" timeout 300 sipp -sn uas -i 127.0.0.1 -p "$p" -m "$CALLS" -nostdin &
a=$!
sleep 0.5
measure "sipp -sn uac" timeout 300 sipp -sn uac "127.0.0.1:$p" -i 127.0.0.1 -p "$(port)" -m "$CALLS" \
    -r "$CPS" -d "$HOLD_MS" -nostdin -trace_stat -stf "$tmp/stat.csv" -trace_err -error_file "$tmp/err.log"
wait "$a" 2>/dev/null || true
echo "   sipp: $(grep -E "Successful call" "$tmp/sipp -sn uac.out" | tail -1 | tr -s " ")  $(grep -E "Failed call" "$tmp/sipp -sn uac.out" | tail -1 | tr -s " ")"
