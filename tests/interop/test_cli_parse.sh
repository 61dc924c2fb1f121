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
pass
