# `sipbeat parse`: valid messages as JSON, malformed ones as one line with the byte offset.
source "$(dirname "$0")/lib.sh"
printf 'INVITE sip:a@127.0.0.1 SIP/2.0\r\nv: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKab\r\nf: <sip:x@127.0.0.1>;tag=1\r\nt: <sip:a@127.0.0.1>\r\ni: c1\r\nCSeq: 7 INVITE\r\nk: timer\r\nx: 1800;refresher=uac\r\nMin-SE: 120\r\nl: 0\r\n\r\n' >"$TMP/ok.sip"
rc=0
"$SIPBEAT" parse "$TMP/ok.sip" >"$TMP/ok.json" || rc=$?
expect_eq "$rc" 0 "exit code for a valid message"
expect_eq "$(jqr "$TMP/ok.json" '.start_line.method')" INVITE "method"
expect_eq "$(jqr "$TMP/ok.json" '.session_expires.seconds')" 1800 "Session-Expires from its compact form"
expect_eq "$(jqr "$TMP/ok.json" '.session_expires.refresher')" uac "refresher"
expect_eq "$(jqr "$TMP/ok.json" '.min_se')" 120 "Min-SE"
expect_eq "$(jqr "$TMP/ok.json" '.supported[0]')" timer "Supported from k:"
expect_eq "$(jqr "$TMP/ok.json" '.headers[0].name')" Via "canonical name of v:"

printf 'INVITE sip:a@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1\r\nFrom: <sip:x@h>;tag=1\r\nTo: <sip:a@h>\r\nCall-ID: c2\r\nCSeq: 1 INVITE\r\nContent-Length: abc\r\n\r\n' >"$TMP/bad.sip"
rc=0
out=$("$SIPBEAT" parse - <"$TMP/bad.sip") || rc=$?
expect_eq "$rc" 1 "exit code for a malformed message"
expect_eq "$(printf '%s\n' "$out" | wc -l)" 1 "one line for a malformed message"
case "$out" in *"Content-Length"*"at byte "[0-9]*) ;; *) fail "reason and offset missing: $out" ;; esac

rc=0
"$SIPBEAT" parse "$TMP/none.sip" 2>/dev/null || rc=$?
expect_eq "$rc" 3 "exit code for an unreadable file"

# --help and -h print parse's help; they are not file names. Other flags are usage errors.
for h in --help -h; do
    rc=0
    out=$("$SIPBEAT" parse "$h" 2>&1) || rc=$?
    expect_eq "$rc" 0 "exit code of parse $h"
    case "$out" in "usage: sipbeat parse"*) ;; *) fail "parse $h printed: $out" ;; esac
done
rc=0
out=$("$SIPBEAT" parse --frobnicate 2>&1) || rc=$?
expect_eq "$rc" 2 "exit code of parse --frobnicate"
expect_eq "$(printf '%s\n' "$out" | wc -l)" 1 "one line for a bad parse flag"

# Messages pasted from a real --trace: the trace's header line before the message, its newline
# after it and the next header line are not part of the message.
port=$(free_port)
bg 30 uas "$SIPBEAT" answer --listen "127.0.0.1:$port" --max-calls 1 -q
uas=$BG_PID
wait_udp "$port"
timeout 30 "$SIPBEAT" call "sip:svc@127.0.0.1:$port" -d 200ms -q --trace "$TMP/call.trace" ||
    fail "the call that makes the trace"
wait_exit "$uas"
# From the caller's trace: the 200 OK with SDP, cut four ways (files named after the case),
# and the last message of the trace with what follows it. Prints the 200's Content-Length.
cl=$(python3 - "$TMP/call.trace" "$TMP" <<'PY'
import re, sys
t = open(sys.argv[1], "rb").read()
heads = [m.start() for m in re.finditer(rb"^----- .* bytes\)\n", t, re.M)] + [len(t)]
blocks = [t[a:b] for a, b in zip(heads, heads[1:])]
i = next(k for k, b in enumerate(blocks) if b.split(b"\n", 2)[1].startswith(b"SIP/2.0 200")
         and b"application/sdp" in b)
blk, nxt = blocks[i], blocks[i + 1].split(b"\n", 1)[0] + b"\n"
head, msg = blk.split(b"\n", 1)
cl = re.search(rb"\r\nContent-Length: (\d+)\r\n", msg)
nocl = msg.replace(cl.group(0), b"\r\n", 1)  # as from a peer that sends no Content-Length
out = {"block": blk + nxt,                   # header, message, blank line, next header
       "block-nocl": head + b"\n" + nocl + nxt,  # the header's byte count is now too large
       "msg-nocl": nocl + nxt,                # no header line: cut at the next header
       "last": blocks[-1]}                    # the trace's last message and its newline
for name, data in out.items():
    open(f"{sys.argv[2]}/{name}.sip", "wb").write(data)
print(cl.group(1).decode())
PY
) || fail "no 200 OK with SDP in the trace"
[ "$cl" -gt 0 ] || fail "Content-Length of the 200 OK: $cl"
for f in block block-nocl msg-nocl; do
    rc=0
    "$SIPBEAT" parse "$TMP/$f.sip" >"$TMP/$f.json" 2>&1 || rc=$?
    expect_eq "$rc" 0 "parse of the trace block $f ($(head -c 200 "$TMP/$f.json"))"
    expect_eq "$(jqr "$TMP/$f.json" '.start_line.status')" 200 "status line of $f"
    expect_eq "$(jqr "$TMP/$f.json" '.body_length')" "$cl" "body length of $f"
    expect_eq "$(jqr "$TMP/$f.json" '.cseq_method')" INVITE "CSeq of $f"
done
rc=0
"$SIPBEAT" parse - <"$TMP/last.sip" >"$TMP/last.json" 2>&1 || rc=$?
expect_eq "$rc" 0 "parse of the trace's last block"
last_cl=$(sed -n 's/^Content-Length: \([0-9]*\)\r$/\1/p' "$TMP/last.sip")
expect_eq "$(jqr "$TMP/last.json" '.body_length')" "$last_cl" "body length of the last block"
pass
