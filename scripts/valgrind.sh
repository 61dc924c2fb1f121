#!/usr/bin/env bash
# valgrind over end-to-end calls: the simulated call flows, and a real sipbeat call against
# sipbeat answer on loopback. Any leak or error fails.
set -euo pipefail
build=${1:-build}
vg=(valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible
    --errors-for-leak-kinds=definite,indirect,possible)

"${vg[@]}" "$build/tests/sim_test_core" >/dev/null
echo "valgrind: sim_test_core clean"

port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
tmp=$(mktemp -d)
trap 'kill "$uas" 2>/dev/null || true; rm -rf "$tmp"' EXIT
timeout 120 "${vg[@]}" "$build/sipbeat" answer --listen "127.0.0.1:$port" --max-calls 3 -q \
    --report "$tmp/uas.json" 2>"$tmp/uas.err" &
uas=$!
for _ in $(seq 200); do # wait until the answerer (slow under valgrind) has bound its port
    ss -Hlun "sport = :$port" | grep -q . && break
    sleep 0.05
done
rc=0
timeout 120 "${vg[@]}" "$build/sipbeat" call "sip:svc@127.0.0.1:$port" -m 3 -r 10 -d 500ms \
    --hold-at 100ms --resume-at 300ms --timer supported --timer-se 90 -q \
    --report "$tmp/uac.json" 2>"$tmp/uac.err" || rc=$?
urc=0
wait "$uas" || urc=$?
if [ "$rc" != 0 ] || [ "$urc" != 0 ]; then
    echo "valgrind: sipbeat call exit $rc, answer exit $urc" >&2
    cat "$tmp/uac.err" "$tmp/uas.err" >&2
    exit 1
fi
echo "valgrind: sipbeat call <-> sipbeat answer (3 calls with hold and timers) clean"
