# `answer --max-calls 1 --reject 486` stays for the ACK of its 486 before it exits, so the
# caller's INVITE transaction ends properly (RFC 3261 §17.2.1): the ACK is in answer's own
# trace, and the caller received the 486 once (no retransmission for want of the ACK).
source "$(dirname "$0")/lib.sh"
port=$(free_port)
bg 60 uas "$SIPBEAT" answer --listen "127.0.0.1:$port" --max-calls 1 --reject 486 -q \
    --trace "$TMP/uas.trace" --report "$TMP/uas.json"
uas=$BG_PID
wait_udp "$port"
rc=0
timeout 30 "$SIPBEAT" call "sip:svc@127.0.0.1:$port" -q --trace "$TMP/uac.trace" \
    --report "$TMP/uac.json" >"$TMP/uac.log" 2>&1 || rc=$?
expect_eq "$rc" 1 "sipbeat call exit code (its call was rejected)"
wait_exit "$uas"
expect_eq "$RC" 0 "sipbeat answer exit code (rejected with the --reject code passes)"
expect_eq "$(jqr "$TMP/uas.json" '.calls[0].final_status_code')" 486 "final status (uas)"
expect_eq "$(jqr "$TMP/uac.json" '.calls[0].final_status_code')" 486 "final status (uac)"

# The answerer's trace, message by message: direction and first line.
ladder=$(awk '/^----- /{d=$4; getline; sub(/\r$/, ""); print d, $0}' "$TMP/uas.trace")
printf '%s\n' "$ladder" >"$TMP/ladder.log"
sent486=$(printf '%s\n' "$ladder" | grep -n '^SENT SIP/2.0 486' | head -1 | cut -d: -f1 || true)
ack=$(printf '%s\n' "$ladder" | grep -n '^RECEIVED ACK ' | head -1 | cut -d: -f1 || true)
[ -n "$sent486" ] || fail "answer sent no 486 (see ladder.log)"
[ -n "$ack" ] || fail "answer exited before the ACK of its 486 reached it (see ladder.log)"
[ "$ack" -gt "$sent486" ] || fail "the ACK is before the 486 in answer's trace"
expect_eq "$(printf '%s\n' "$ladder" | grep -c '^SENT SIP/2.0 486')" 1 "486s answer sent"
expect_eq "$(grep -c '^SIP/2.0 486' "$TMP/uac.trace")" 1 "486s the caller received"
pass "ACK received before exit, one 486"
