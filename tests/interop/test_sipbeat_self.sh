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
# the report echoes the seed the engine really drew (each run its own), not the default 1
[ "$(jqr "$TMP/uac.json" .config.seed)" != 1 ] || fail "config.seed is the default 1, not the drawn seed"
[ "$(jqr "$TMP/uac.json" .config.seed)" != "$(jqr "$TMP/uas.json" .config.seed)" ] || fail "caller and answerer report the same seed"

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
# Our offers: initial (v1, sendrecv), hold (v2, sendonly), resume (v3, sendrecv); each
# answer bumps the answerer's own version when it changes: sendrecv, recvonly, sendrecv.
python3 - "$TMP/trace.txt" <<'PY' || fail "SDP directions / o= versions in the trace"
import re, sys
# The caller's trace: each block is one message sent or received. Keep those with SDP.
seen = []
for block in open(sys.argv[1]).read().split("----- ")[1:]:
    head, _, msg = block.partition("\n")
    o = re.search(r"^o=\S+ \d+ (\d+) ", msg, re.M)
    d = re.search(r"^a=(sendrecv|sendonly|recvonly|inactive)", msg, re.M)
    if o and d:
        seen.append((head.split()[2], msg.split(" ")[0], int(o.group(1)), d.group(1)))
want = [("SENT", "INVITE", 1, "sendrecv"), ("RECEIVED", "SIP/2.0", 1, "sendrecv"),
        ("SENT", "INVITE", 2, "sendonly"), ("RECEIVED", "SIP/2.0", 2, "recvonly"),
        ("SENT", "INVITE", 3, "sendrecv"), ("RECEIVED", "SIP/2.0", 3, "sendrecv")]
if seen != want:
    print("SDP seen:", seen, file=sys.stderr)
    sys.exit(1)
PY
pass "20 calls, hold/resume"
