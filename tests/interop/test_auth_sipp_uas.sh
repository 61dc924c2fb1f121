# (digest) sipbeat call -> SIPp UAS (scenarios/auth_uas_401.xml) that answers the INVITE with
# 401 and qop="auth" and checks the retried INVITE's Authorization with its own digest code
# (verifyauth) before it answers 200: one challenge, answered right, the call passes.
source "$(dirname "$0")/st_lib.sh"
port=$(free_port)
printf 'sipp-secret\n' >"$TMP/pw"
sipp_bg 20 sipp auth_uas_401.xml "$port"
sipp_pid=$BG_PID
wait_udp "$port"
rc=0
timeout -k 3 15 "$SIPBEAT" call "sip:svc@127.0.0.1:$port" -d 1s --auth-user alice \
    --auth-password-file "$TMP/pw" --report "$TMP/uac.json" --trace "$TMP/uac.trace.txt" -q \
    >"$TMP/uac.log" 2>&1 || rc=$?
expect_eq "$rc" 0 "sipbeat call exit code"
wait_rc "$sipp_pid"
sipp_check "$WAIT_RC" sipp
r="$TMP/uac.json"
expect_eq "$(call_field "$r" result)" answered "result"
expect_eq "$(call_field "$r" end_reason)" normal "end_reason"
expect_eq "$(call_field "$r" auth_challenges)" 1 "challenges"
expect_eq "$(grep -c '^INVITE ' "$TMP/uac.trace.txt")" 2 "INVITEs sent"
grep -q -P '^Authorization: Digest username="alice", realm="sipp.test", .*qop=auth, nc=00000001' \
    "$TMP/uac.trace.txt" || fail "no Authorization with qop=auth in the retried INVITE"
pass "401 with qop=auth answered, SIPp verified the credentials"
