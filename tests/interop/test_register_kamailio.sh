# (REGISTER) sipbeat register -> Kamailio 5.6.3 as an authenticating registrar
# (kamailio/registrar.cfg: registrar + usrloc db_mode 0, pv_www_authenticate). Two runs:
#  1. a 5 s run asking for 4 s bindings: the first REGISTER is challenged (401) and answered,
#     the binding is refreshed every 2 s (half of the granted 4 s) with the kept credentials,
#     and at the end removed with expires=0; exit 0, and Kamailio saved every REGISTER;
#  2. a wrong password: auth_failed after exactly one retry, exit 1, two 401s;
#  3. no -d: Ctrl-C (SIGINT) unregisters through the shutdown path, exit 0.
source "$(dirname "$0")/lib.sh"
PW=interop-secret
printf '%s\n' "$PW" >"$TMP/pw"
printf 'not-the-password\n' >"$TMP/badpw"

# registrar NAME: starts Kamailio; sets KPORT, KPID.
registrar() {
    KPORT=$(free_port)
    sed -e "s/@LISTEN_PORT@/$KPORT/g; s/@PASSWORD@/$PW/g" "$HERE/kamailio/registrar.cfg" \
        >"$TMP/$1.cfg"
    kamailio_bg 40 "$1" "$KPORT"
}

# register NAME PWFILE EXPECTED_RC
register() {
    local rc=0
    timeout -k 3 30 "$SIPBEAT" register "sip:alice@127.0.0.1:$KPORT" -d 5s --expires 4 \
        --user alice --auth-password-file "$2" \
        --trace "$TMP/$1.trace.txt" --report "$TMP/$1.json" >"$TMP/$1_reg.log" 2>&1 || rc=$?
    expect_eq "$rc" "$3" "sipbeat register exit code ($1)"
}

# 1. Registered, refreshed, unregistered.
registrar k1
register r1 "$TMP/pw" 0
r="$TMP/r1.json"
expect_eq "$(jqr "$r" '.registrations | length')" 1 "registrations (r1)"
expect_eq "$(jqr "$r" '.registrations[0].result')" unregistered "result (r1)"
expect_eq "$(jqr "$r" '.registrations[0].final_status_code')" 200 "final status (r1)"
expect_eq "$(jqr "$r" '.registrations[0].expires_s')" 4 "granted expiry (r1)"
expect_eq "$(jqr "$r" '.registrations[0].auth_challenges')" 1 "challenges (r1)"
expect_eq "$(jqr "$r" '.registrations[0].failures')" 0 "failures (r1)"
refreshes=$(jqr "$r" '.registrations[0].refreshes')
[ "$refreshes" -ge 1 ] || fail "no re-REGISTER in 5 s with 4 s bindings (r1)"
expect_eq "$(grep -c 'REG-401' "$TMP/k1.log")" 1 "401s sent by the registrar (r1)"
saved=$(grep -c 'REG-OK' "$TMP/k1.log")
expect_eq "$saved" $((refreshes + 2)) "REGISTERs saved (r1): first, refreshes, unregister"
grep 'REG-OK' "$TMP/k1.log" | head -n -1 | grep -q -v 'expires=4$' && fail "a REGISTER did not ask for 4 s (r1)"
grep 'REG-OK' "$TMP/k1.log" | tail -n 1 | grep -q 'expires=0$' || fail "the last REGISTER did not unregister (r1)"
expect_eq "$(grep 'REG-REQ' "$TMP/k1.log" | sed 's/.*call=\([^ ]*\).*/\1/' | sort -u | wc -l)" 1 "Call-IDs (r1)"
grep -q -P '^Contact: <sip:alice@127\.0\.0\.1:\d+>;expires=0' "$TMP/r1.trace.txt" ||
    fail "no expires=0 Contact in the trace (r1)"
grep -q -F "$PW" "$TMP/r1.json" "$TMP/r1.trace.txt" "$TMP/r1_reg.log" && fail "the password leaked"
grep -q '^registration sip:alice@' "$TMP/r1_reg.log" || fail "no summary line (r1)"
kill "$KPID"

# 2. Wrong password.
registrar k2
register r2 "$TMP/badpw" 1
r="$TMP/r2.json"
expect_eq "$(jqr "$r" '.registrations[0].result')" auth_failed "result (r2)"
expect_eq "$(jqr "$r" '.registrations[0].final_status_code')" 401 "final status (r2)"
expect_eq "$(jqr "$r" '.registrations[0].auth_challenges')" 2 "challenges (r2)"
expect_eq "$(grep -c '^REGISTER ' "$TMP/r2.trace.txt")" 2 "REGISTERs sent (r2): one retry"
expect_eq "$(grep -c 'REG-401' "$TMP/k2.log")" 2 "401s sent by the registrar (r2)"
expect_eq "$(grep -c 'REG-OK' "$TMP/k2.log")" 0 "REGISTERs saved (r2)"
kill "$KPID"

# 3. Ctrl-C ends a run without -d: the binding is removed first.
registrar k3
bg 20 r3_reg "$SIPBEAT" register "sip:alice@127.0.0.1:$KPORT" --expires 60 \
    --auth-password-file "$TMP/pw" --report "$TMP/r3.json"
reg=$BG_PID
for _ in $(seq 100); do grep -q 'REG-OK' "$TMP/k3.log" && break; sleep 0.05; done
grep -q 'REG-OK' "$TMP/k3.log" || fail "not registered before Ctrl-C (r3)"
kill -INT "$reg"
wait_exit "$reg"
expect_eq "$RC" 0 "sipbeat register exit code after Ctrl-C (r3)"
expect_eq "$(jqr "$TMP/r3.json" '.registrations[0].result')" unregistered "result (r3)"
grep 'REG-OK' "$TMP/k3.log" | tail -n 1 | grep -q 'expires=0$' || fail "Ctrl-C did not unregister (r3)"
pass "registered with one 401, $refreshes refreshes of a 4 s binding, unregistered with expires=0; wrong password: auth_failed after one retry; Ctrl-C unregistered"
