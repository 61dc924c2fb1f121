# Unreachable far ends and -v retransmissions on loopback: a call to a UDP port where nothing
# listens ends `unreachable` as soon as the kernel's ICMP port unreachable is read (IPv4 and
# IPv6), not after Timer B's 32 s; a far end that listens but never answers shows each INVITE
# retransmission on the -v timeline and in the event log as it happens; a BYE to an answerer
# that crashed ends the call at once.
source "$(dirname "$0")/lib.sh"

# wait_lines FILE PATTERN N: until FILE has N lines matching PATTERN (at most 10 s).
wait_lines() {
    for _ in $(seq 200); do
        [ "$(grep -c -- "$2" "$1" 2>/dev/null)" -ge "$3" ] 2>/dev/null && return 0
        sleep 0.05
    done
    fail "$1: fewer than $3 lines matching $2"
}

# unreachable HOST PORT LOCAL TYPE CODE PHRASE: one call to a dead port, checked end to end.
unreachable() {
    local host=$1 port=$2 local_addr=$3 type=$4 code=$5 phrase=$6 tag=$7
    local rc=0 start took_ms
    start=$(date +%s%N)
    timeout 40 "$SIPBEAT" call "sip:svc@$host:$port" --local "$local_addr" -m 1 -d 1s -q \
        --report "$TMP/$tag.json" --trace "$TMP/$tag.trace" >"$TMP/$tag.log" 2>&1 || rc=$?
    took_ms=$((($(date +%s%N) - start) / 1000000))
    expect_eq "$rc" 1 "$tag: exit code"
    # Timer A would resend the INVITE at 500 ms and Timer B give up at 32 s.
    [ "$took_ms" -lt 450 ] || fail "$tag: the run took $took_ms ms"
    expect_eq "$(jqr "$TMP/$tag.json" '.calls | length')" 1 "$tag: calls"
    expect_eq "$(jqr "$TMP/$tag.json" '.calls[0].end_reason')" unreachable "$tag: end_reason"
    expect_eq "$(jqr "$TMP/$tag.json" '.calls[0].result')" failed "$tag: result"
    expect_eq "$(jqr "$TMP/$tag.json" '.calls[0].final_status_code')" 503 "$tag: final_status_code"
    expect_eq "$(jqr "$TMP/$tag.json" '.calls[0].final_reason_phrase')" "$phrase" "$tag: phrase"
    expect_eq "$(jqr "$TMP/$tag.json" '.calls[0].icmp_type')" "$type" "$tag: icmp_type"
    expect_eq "$(jqr "$TMP/$tag.json" '.calls[0].icmp_code')" "$code" "$tag: icmp_code"
    expect_eq "$(grep -c '^INVITE ' "$TMP/$tag.trace")" 1 "$tag: INVITEs sent"
}

# 1. Nothing listens on the port (free now, not bound by anyone).
port=$(free_port)
unreachable 127.0.0.1 "$port" 127.0.0.1:0 3 3 "ICMP port unreachable" v4
port6=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(("::1", 0)); print(s.getsockname()[1])')
unreachable "[::1]" "$port6" "[::1]:0" 1 4 "ICMPv6 port unreachable" v6

# 2. A far end that reads every datagram and never answers: the INVITE is retransmitted at
# T1 = 500 ms and 1500 ms; both show on stderr with -v and in --events while the call runs.
port=$(free_port)
bg 30 sink python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
while True:
    s.recv(65535)
' "$port"
sink=$BG_PID
wait_udp "$port"
bg 30 uac "$SIPBEAT" call "sip:svc@127.0.0.1:$port" -m 1 -d 1s -v --events "$TMP/uac.ndjson"
uac=$BG_PID
wait_lines "$TMP/uac.log" "retransmit INVITE #2 to 127.0.0.1:$port" 1
pkill -TERM -P "$uac" # sipbeat itself: timeout(1) would send it twice
wait_exit "$uac"
expect_eq "$RC" 4 "caller exit code after SIGTERM"
kill "$sink"
wait_exit "$sink"
grep -q "retransmit INVITE #1 to 127.0.0.1:$port" "$TMP/uac.log" || fail "no first retransmission line"
# The timeline stamps: never before the RFC times (500 and 1500 ms after the INVITE at ~0).
python3 - "$TMP/uac.log" <<'PY' || fail "retransmission times on the timeline"
import re, sys
times = [float(m.group(1)) for m in re.finditer(r"t=\+\s*([\d.]+)s.*retransmit INVITE #\d", open(sys.argv[1]).read())]
if len(times) < 2 or not (0.5 <= times[0] < 1.4 and 1.5 <= times[1] < 3.0):
    print("retransmissions at", times, file=sys.stderr)
    sys.exit(1)
PY
expect_eq "$(jq -s '[.[] | select(.type=="retransmit" and .text=="INVITE" and .to=="127.0.0.1:'"$port"'")] | length >= 2' "$TMP/uac.ndjson")" true "retransmit events in --events"
expect_eq "$(jq -s '[.[] | select(.type=="retransmit")][0:2] | map(.value)' -c "$TMP/uac.ndjson")" "[1,2]" "retransmission counts"
# 3. The answerer crashes during the call: our BYE (SIGINT hangs up) meets ICMP port
# unreachable, which counts as a 503 to it, so the call ends at once rather than after 32 s of
# BYE retransmissions, and the record keeps the ICMP error.
port=$(free_port)
bg 30 uas "$SIPBEAT" answer --listen "127.0.0.1:$port" -q
uas=$BG_PID
wait_udp "$port"
bg 30 uac3 "$SIPBEAT" call "sip:svc@127.0.0.1:$port" -m 1 -d 60s -q     --report "$TMP/uac3.json" --events "$TMP/uac3.ndjson"
uac=$BG_PID
wait_lines "$TMP/uac3.ndjson" '"call_answered"' 1
pkill -KILL -P "$uas" # the answerer itself, not its `timeout` wrapper: a crash
wait_exit "$uas"
start=$(date +%s%N)
pkill -INT -P "$uac"
wait_exit "$uac"
took_ms=$((($(date +%s%N) - start) / 1000000))
expect_eq "$RC" 4 "caller exit code after SIGINT"
[ "$took_ms" -lt 450 ] || fail "the BYE to a crashed answerer took $took_ms ms to end the call"
expect_eq "$(jqr "$TMP/uac3.json" '.calls[0].result')" answered "crashed answerer: result"
expect_eq "$(jqr "$TMP/uac3.json" '.calls[0].end_reason')" shutdown "crashed answerer: end_reason"
expect_eq "$(jqr "$TMP/uac3.json" '[.calls[0].icmp_type, .calls[0].icmp_code] | tostring')" "[3,3]" \
    "crashed answerer: ICMP error in the record"
pass "unreachable v4 and v6, -v retransmissions, BYE to a crashed answerer"
