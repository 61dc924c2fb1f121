# Hostile input on real sockets: while 30 real calls run, a sprayer sends garbage, truncated
# and oversize datagrams, bad Session-Expires values, unknown methods and stray requests to
# `sipbeat answer`. Every real call must complete; the junk is counted and answered where a
# response is possible.
source "$(dirname "$0")/lib.sh"
port=$(free_port)
spray_port=$(free_port)
# No --max-calls: some sprayed INVITEs are valid and become (never ACKed) calls of their own.
bg 60 uas "$SIPBEAT" answer --listen "127.0.0.1:$port" --report "$TMP/uas.json" -q
uas=$BG_PID
wait_udp "$port"
cat >"$TMP/spray.py" <<'PY'
import random, socket, sys, time
port, me = int(sys.argv[1]), int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", me))
s.settimeout(0.01)
rnd = random.Random(7)
def req(method, extra="", cid=None, to_tag="", body=""):
    cid = cid or "spray%d" % rnd.randrange(10**9)
    return ("%s sip:svc@127.0.0.1:%d SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%d\r\n"
            "From: <sip:spray@127.0.0.1>;tag=s1\r\nTo: <sip:svc@127.0.0.1>%s\r\nCall-ID: %s\r\n"
            "CSeq: 1 %s\r\nContact: <sip:spray@127.0.0.1:%d>\r\n%sContent-Length: %d\r\n\r\n%s"
            % (method, port, me, rnd.randrange(10**9), to_tag, cid, method, me, extra,
               len(body), body)).encode()
kinds = [
    lambda: bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 400))),
    lambda: req("INVITE")[: rnd.randrange(10, 120)],
    lambda: req("INVITE") + b"x" * 70000,
    lambda: req("INVITE", "Content-Length: 999\r\n"),
    lambda: req("INVITE", "Supported: timer\r\nSession-Expires: abc\r\n"),
    lambda: req("INVITE", "Supported: timer\r\nSession-Expires: -1\r\n"),
    lambda: req("INVITE", "Session-Expires: 1800\r\nSession-Expires: 900\r\n"),
    lambda: req("INVITE", "Min-SE: 99999999999999999999;x\r\nMin-SE: 0\r\n"),
    lambda: req("FOO"),
    lambda: req("BYE", to_tag=";tag=nosuch"),
    lambda: req("CANCEL"),
    lambda: req("ACK", to_tag=";tag=nosuch"),
]
sent = answered = 0
end = time.time() + 6
while time.time() < end:
    try:
        s.sendto(rnd.choice(kinds)(), ("127.0.0.1", port))
        sent += 1
    except OSError:
        pass
    try:
        while True:
            s.recvfrom(70000)
            answered += 1
    except (socket.timeout, BlockingIOError):
        pass
print("sprayed %d datagrams, %d answers" % (sent, answered))
PY
bg 40 spray python3 "$TMP/spray.py" "$port" "$spray_port"
spray=$BG_PID
rc=0
timeout 60 "$SIPBEAT" call "sip:svc@127.0.0.1:$port" -m 30 -r 10 -d 1s -q \
    --report "$TMP/uac.json" >"$TMP/uac.log" 2>&1 || rc=$?
expect_eq "$rc" 0 "sipbeat call exit code (every real call passed)"
wait_exit "$spray"
expect_eq "$RC" 0 "sprayer exit code"
kill -TERM "$uas"
wait_exit "$uas"
expect_eq "$RC" 4 "sipbeat answer exit code after SIGTERM"
expect_eq "$(jqr "$TMP/uac.json" '[.calls[] | select(.result=="answered" and .end_reason=="normal")] | length')" 30 "real calls completed"
malformed=$(jqr "$TMP/uas.json" '.summary.malformed_messages')
[ "$malformed" -gt 10 ] || fail "malformed_messages counted: $malformed"
answers=$(sed -n 's/.*sprayed \([0-9]*\) datagrams, \([0-9]*\) answers.*/\2/p' "$TMP/spray.log")
[ "${answers:-0}" -gt 10 ] || fail "the sprayer got too few answers: ${answers:-none}"
pass "$(cat "$TMP/spray.log"), malformed_messages $malformed"
