# Shared helpers for the interop tests: scratch dir, free loopback ports, processes started
# in the background and stopped by PID on exit, and checks on sipbeat's JSON report.
# Every test bounds its calls (-m) and its time (timeout), and only uses 127.0.0.1.
set -euo pipefail
SIPBEAT=$(readlink -f "${1:?usage: $0 path/to/sipbeat}")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NAME=$(basename "$0" .sh)
TMP=$(mktemp -d "/tmp/sipbeat-$NAME.XXXXXX")
PIDS=()

cleanup() {
    local rc=$?
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null || true
    done
    if [ $rc -ne 0 ]; then
        echo "--- $NAME failed; logs from $TMP:"
        for f in "$TMP"/*.log "$TMP"/*err*; do
            [ -f "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }
        done
    fi
    rm -rf "$TMP"
    exit $rc
}
trap cleanup EXIT

fail() {
    echo "FAIL: $NAME: $*" >&2
    exit 1
}

# A UDP port on 127.0.0.1 that is free right now.
free_port() {
    python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# bg SECONDS LOGNAME CMD...: starts CMD under `timeout`, remembers its PID in PIDS and $BG_PID.
# A signal sent to $BG_PID reaches CMD (timeout passes it on), and its exit code comes back.
bg() {
    local secs=$1 log=$2
    shift 2
    timeout --signal=TERM --kill-after=10 "$secs" "$@" >"$TMP/$log.log" 2>&1 &
    BG_PID=$!
    PIDS+=("$BG_PID")
}

# wait_exit PID: waits for a background process of this shell; its exit code is in $RC.
# (Not inside $(...): a subshell cannot wait for its parent's children.)
wait_exit() {
    RC=0
    wait "$1" || RC=$?
}

# Waits until something listens on UDP port $1 (at most 5 s).
wait_udp() {
    for _ in $(seq 100); do
        ss -Hlun "sport = :$1" 2>/dev/null | grep -q . && return 0
        sleep 0.05
    done
    fail "nothing listens on udp port $1"
}

# kamailio_bg SECS NAME PORT: checks and starts Kamailio in the foreground on $TMP/NAME.cfg (the
# test fills in its placeholders), logs to $TMP/NAME.log, PID in $BG_PID and $KPID, and waits
# until it listens on udp PORT.
kamailio_bg() {
    local secs=$1 name=$2 port=$3
    kamailio -f "$TMP/$name.cfg" -c >"$TMP/${name}_check.log" 2>&1 || fail "kamailio config check ($name)"
    mkdir -p "$TMP/$name.run"
    bg "$secs" "$name" kamailio -f "$TMP/$name.cfg" -DD -E -m 64 -M 8 -P "$TMP/$name.run/pid" \
        -Y "$TMP/$name.run" -w "$TMP/$name.run"
    KPID=$BG_PID
    wait_udp "$port"
}

# jqr FILE FILTER: one value from a JSON report.
jqr() { jq -r "$2" "$1"; }

expect_eq() { [ "$1" = "$2" ] || fail "$3: expected $2, got $1"; }

pass() { echo "interop $NAME: passed${1:+ ($1)}"; }
