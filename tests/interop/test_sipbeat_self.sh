# sipbeat call <-> sipbeat answer on loopback: plain calls, then a hold/resume whose SDP
# directions and o= versions are checked in the --trace.
source "$(dirname "$0")/lib.sh"
port=$(free_port)

# 1. Twenty plain calls.
bg 60 uas "$SIPBEAT" answer --listen "127.0.0.1:$port" --max-calls 20 --report "$TMP/uas.json" -q
uas=$BG_PID
wait_udp "$port"
rc=0
timeout 60 "$SIPBEAT" call "sip:svc@127.0.0.1:$port" -m 20 -r 40 -d 300ms -q \
    --report "$TMP/uac.json" >"$TMP/uac.log" 2>&1 || rc=$?
expect_eq "$rc" 0 "sipbeat call exit code"
wait_exit "$uas"
expect_eq "$RC" 0 "sipbeat answer exit code"
expect_eq "$(jqr "$TMP/uac.json" '[.calls[] | select(.result=="answered")] | length')" 20 "answered (uac)"
expect_eq "$(jqr "$TMP/uas.json" '[.calls[] | select(.result=="answered")] | length')" 20 "answered (uas)"
expect_eq "$(jqr "$TMP/uac.json" '[.calls[] | select(.end_reason=="normal" and .ended_by=="local")] | length')" 20 "ended normally by us"

# 2. Hold at 300 ms (sendonly), resume at 600 ms, hang up at 900 ms.
bg 60 uas2 "$SIPBEAT" answer --listen "127.0.0.1:$port" --max-calls 1 --report "$TMP/uas2.json" -q
uas=$BG_PID
wait_udp "$port"
rc=0
timeout 30 "$SIPBEAT" call "sip:svc@127.0.0.1:$port" -d 900ms --hold-at 300ms --hold-mode sendonly \
    --resume-at 600ms --trace "$TMP/trace.txt" --report "$TMP/uac2.json" -q >"$TMP/uac2.log" 2>&1 || rc=$?
expect_eq "$rc" 0 "hold call exit code"
wait_exit "$uas"
expect_eq "$RC" 0 "answer exit code (hold)"
expect_eq "$(jqr "$TMP/uac2.json" '.calls[0].hold_count')" 1 "hold_count"
# Our offers in order: initial (v1, sendrecv), hold (v2, sendonly), resume (v3, sendrecv);
# the answers: sendrecv, recvonly, sendrecv.
python3 - "$TMP/trace.txt" <<'PY' || fail "SDP directions / o= versions in the trace"
import re, sys
text = open(sys.argv[1]).read()
# Every SDP body in order of appearance: (o= version, direction)
sdps = re.findall(r"o=sipbeat \d+ (\d+) IN IP4.*?a=(sendrecv|sendonly|recvonly|inactive)", text, re.S)
dirs = [d for _, d in sdps]
# initial offer+answer, hold offer+answer, resume offer+answer (sent and received copies)
want = ["sendrecv", "sendrecv", "sendonly", "recvonly", "sendrecv", "sendrecv"]
seen = [d for i, d in enumerate(dirs) if i == 0 or (dirs[i], sdps[i][0]) != (dirs[i-1], sdps[i-1][0])]
if seen[:6] != want:
    print("directions:", seen, file=sys.stderr); sys.exit(1)
offers = [int(v) for v, d in sdps]
if not (1 in offers and 2 in offers and 3 in offers):
    print("versions:", offers, file=sys.stderr); sys.exit(1)
PY
pass "20 calls, hold/resume"
