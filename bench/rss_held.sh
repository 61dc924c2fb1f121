#!/usr/bin/env bash
# Memory per held call, as the OS sees it: the resident set (VmRSS) of `sipbeat call` and
# `sipbeat answer` with N1 and then N2 calls established and held (talk time 1 h, SE 1800 s),
# after the setup transactions have ended (64*T1 = 32 s after the last call was answered).
# Prints both RSS values and the slope per call for each side. A figure, not a test.
#   bench/rss_held.sh [SIPBEAT] [N1] [N2] [CPS]
set -euo pipefail
SIPBEAT=${1:-build/sipbeat}
N1=${2:-1000}
N2=${3:-20000}
CPS=${4:-2000}
tmp=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$tmp"' EXIT
port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# held N: prints "caller_kb answerer_kb" with N calls up and their setup transactions gone.
held() {
    local n=$1 p a c
    p=$(port)
    "$SIPBEAT" answer --listen "127.0.0.1:$p" -q --timer supported --timer-se 1800 &
    a=$!
    pids+=("$a")
    sleep 0.3
    "$SIPBEAT" call "sip:svc@127.0.0.1:$p" -m "$n" -r "$CPS" -d 1h -q \
        --timer supported --timer-se 1800 &
    c=$!
    pids+=("$c")
    # every call answered after n/CPS s; then 64*T1 for the INVITE transactions to end
    sleep "$(echo "$n / $CPS + 34" | bc -l)"
    echo "$(rss_kb "$c") $(rss_kb "$a")"
    kill -9 "$c" "$a" 2>/dev/null || true
    wait "$c" "$a" 2>/dev/null || true
}

read -r c1 a1 < <(held "$N1")
read -r c2 a2 < <(held "$N2")
slope() { echo "scale=2; ($2 - $1) * 1024 / ($N2 - $N1)" | bc; }
echo "== RSS with calls held (SE 1800 s, -d 1h), $N1 and $N2 calls at $CPS cps"
printf 'sipbeat call    %7d KB -> %7d KB   %s bytes per held call\n' "$c1" "$c2" "$(slope "$c1" "$c2")"
printf 'sipbeat answer  %7d KB -> %7d KB   %s bytes per held call\n' "$a1" "$a2" "$(slope "$a1" "$a2")"
