#!/usr/bin/env bash
# Registrations per second against Kamailio 5.6.3 as an authenticating registrar
# (tests/interop/kamailio/registrar.cfg: one child process, usrloc in memory, every first
# REGISTER challenged with 401): `sipbeat register --accounts` with N accounts, at most 64
# REGISTERs waiting for their first answer. Prints the span from the first REGISTER to the last
# binding and the rate: each registration is two REGISTERs (the challenged one and its answer).
# A figure, not a test.
#   bench/reg_kamailio.sh [SIPBEAT] [N]
set -euo pipefail
SIPBEAT=$(readlink -f "${1:-build/sipbeat}")
N=${2:-5000}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; sleep 0.5; for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$tmp"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed -e "s/@LISTEN_PORT@/$port/g; s/@PASSWORD@/bench-pw/g" -e '/xlog(/d' \
    "$here/../tests/interop/kamailio/registrar.cfg" >"$tmp/k.cfg"
mkdir -p "$tmp/run"
kamailio -f "$tmp/k.cfg" -DD -E -m 256 -M 16 -P "$tmp/run/pid" -Y "$tmp/run" -w "$tmp/run" \
    >"$tmp/k.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do ss -Hlun "sport = :$port" | grep -q . && break; sleep 0.05; done
for i in $(seq "$N"); do echo "u$i,,bench-pw"; done >"$tmp/accounts.csv"
"$SIPBEAT" register "sip:127.0.0.1:$port" --accounts "$tmp/accounts.csv" --expires 3600 -d 60s \
    --events "$tmp/ev.ndjson" -q >"$tmp/reg.log" 2>&1 &
reg=$!
pids+=("$reg")
# wait until every account is bound (or 60 s), then end the run: unregistering is not measured
for _ in $(seq 1200); do
    done_n=$(grep -c '"type":"reg_registered"' "$tmp/ev.ndjson" 2>/dev/null) || done_n=0
    [ "$done_n" -ge "$N" ] && break
    sleep 0.05
done
kill -INT "$reg"
wait "$reg" || true
jq -rs --argjson n "$N" '
  [.[] | select(.type == "reg_registered")] as $ok
  | ($ok | map(.t_ms) | max) as $last
  | "\($ok | length) of \($n) registered in \($last) ms (from the start of the run): \(if $last > 0 then (($ok | length) * 1000 / $last | floor) else "-" end) registrations/s, \(if $last > 0 then (($ok | length) * 2000 / $last | floor) else "-" end) REGISTERs/s"' \
    "$tmp/ev.ndjson"
