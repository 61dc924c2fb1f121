# (digest) sipbeat call -> Kamailio 5.6.3 (authenticating, record-routing proxy,
# kamailio/auth_proxy.cfg) -> sipbeat answer. Three runs:
#  1. every INVITE is challenged with 407: 100 calls with session timers (SE 4 s, refreshes at
#     2 s) all pass with one challenge each, and their refreshes are counted;
#  2. in-dialog INVITEs are challenged too and nonces live 3 s: the cached credentials go stale
#     between refreshes, the refresh is challenged (stale=true) and answered, and every call
#     still passes with every refresh counted;
#  3. a wrong password: every call ends auth_failed after exactly one retry, exit 1, and the
#     proxy sent exactly two 407s per call.
source "$(dirname "$0")/st_lib.sh"
PW=interop-secret
printf '%s\n' "$PW" >"$TMP/pw"
printf 'not-the-password\n' >"$TMP/badpw"

# proxy NAME DLG_AUTH NONCE_EXPIRE: starts Kamailio; sets KPORT, UPORT, KPID.
proxy() {
    KPORT=$(free_port)
    UPORT=$(free_port)
    while [ "$UPORT" = "$KPORT" ]; do UPORT=$(free_port); done
    sed -e "s/@LISTEN_PORT@/$KPORT/g; s/@UAS_PORT@/$UPORT/g; s/@PASSWORD@/$PW/g" \
        -e "s/@DLG_AUTH@/$2/g; s/@NONCE_EXPIRE@/$3/g" \
        "$HERE/kamailio/auth_proxy.cfg" >"$TMP/$1.cfg"
    kamailio_bg 40 "$1" "$KPORT"
}

# run NAME N PWFILE EXPECTED_RC: sipbeat answer behind the proxy, sipbeat call through it.
run() {
    answer_bg "$1_uas" "$UPORT" --timer supported --timer-se 4 --timer-min-se 2 --timer-unchecked \
        --max-calls "$2"
    local uas=$BG_PID rc=0
    timeout -k 3 30 "$SIPBEAT" call "sip:svc@127.0.0.1:$KPORT" -m "$2" -r 20 -d 5s \
        --timer supported --timer-se 4 --timer-min-se 2 --timer-unchecked \
        --auth-user alice --auth-password-file "$3" \
        --trace "$TMP/$1.trace.txt" --report "$TMP/$1.json" -q >"$TMP/$1_uac.log" 2>&1 || rc=$?
    expect_eq "$rc" "$4" "sipbeat call exit code ($1)"
    [ "$4" = 0 ] && { wait_rc "$uas"; expect_eq "$WAIT_RC" 0 "sipbeat answer exit code ($1)"; }
    kill "$uas" 2>/dev/null || true
}

# 1. INVITEs challenged.
proxy k1 0 300
run r1 100 "$TMP/pw" 0
r="$TMP/r1.json"
expect_eq "$(jqr "$r" '[.calls[] | select(.result == "answered" and .end_reason == "normal")] | length')" 100 "answered calls (r1)"
expect_eq "$(jqr "$r" '[.calls[].auth_challenges] | add')" 100 "challenges (r1)"
expect_eq "$(jqr "$r" '[.calls[] | select(.session_timer_refreshes == 2)] | length')" 100 "calls with 2 refreshes (r1)"
expect_eq "$(grep -c 'AUTH-407 INVITE' "$TMP/k1.log")" 100 "407s sent by the proxy (r1)"
expect_eq "$(grep -c 'AUTH-OK INVITE' "$TMP/k1.log")" 100 "INVITEs let through (r1)"
grep -q -P '^Proxy-Authorization: Digest username="alice", realm="proxy.test"' "$TMP/r1.trace.txt" ||
    fail "no Proxy-Authorization in the caller's trace"
grep -q -F "$PW" "$TMP/r1.json" "$TMP/r1.trace.txt" "$TMP/r1_uac.log" && fail "the password leaked"
kill "$KPID"

# 2. Refreshes challenged once their nonce is stale.
proxy k2 1 3
run r2 5 "$TMP/pw" 0
r="$TMP/r2.json"
expect_eq "$(jqr "$r" '[.calls[] | select(.result == "answered" and .end_reason == "normal")] | length')" 5 "answered calls (r2)"
expect_eq "$(jqr "$r" '[.calls[] | select(.session_timer_refreshes == 2 and .session_timer_refresh_failures == 0)] | length')" 5 "calls with 2 good refreshes (r2)"
challenges=$(jqr "$r" '[.calls[].auth_challenges] | add')
[ "$challenges" -gt 5 ] || fail "no refresh was challenged (r2: $challenges challenges for 5 calls)"
kill "$KPID"

# 3. Wrong password.
proxy k3 0 300
run r3 3 "$TMP/badpw" 1
r="$TMP/r3.json"
expect_eq "$(jqr "$r" '[.calls[] | select(.end_reason == "auth_failed" and .final_status_code == 407)] | length')" 3 "auth_failed calls (r3)"
expect_eq "$(jqr "$r" '[.calls[].auth_challenges] | add')" 6 "challenges (r3)"
expect_eq "$(grep -c 'AUTH-407 INVITE' "$TMP/k3.log")" 6 "407s sent by the proxy (r3)"
expect_eq "$(grep -c '^INVITE ' "$TMP/r3.trace.txt")" 6 "INVITEs sent (r3): one retry each"
pass "100 calls with one 407 each and 200 refreshes; refreshes challenged once their nonce expired ($challenges challenges for 5 calls); wrong password: auth_failed after one retry"
