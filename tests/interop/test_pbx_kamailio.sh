# (accounts, --register) Extension to extension through Kamailio 5.6.3 as a small PBX
# (kamailio/pbx.cfg: authenticating registrar, location lookup, record-routing proxy; each
# extension's own password from an htable).
#  1. `sipbeat answer --register --accounts` registers two extensions (2001, 2002), each with its
#     own password, and answers the calls the PBX routes to them;
#  2. `sipbeat call 'sip:[target]@PBX' --accounts --register` registers two callers (1001,
#     1002), then places 10 calls with session timers, alternating rows: each INVITE is
#     challenged (407) and answered with its row's credentials, routed by the PBX to the
#     registered callee the row names, refreshed through the record-route, and passes;
#  3. at the end both sides unregister every binding (expires=0);
#  4. `sipbeat register --accounts` with one row's password wrong: that registration ends
#     auth_failed after one retry, the other is registered and removed, and the run exits 1.
source "$(dirname "$0")/st_lib.sh"

users=""
for u in 1001:pw-1001 1002:pw-1002 2001:pw-2001 2002:pw-2002; do
    users+="    \$sht(users=>${u%%:*}) = \"${u#*:}\";\\n"
done
KPORT=$(free_port)
UPORT=$(free_port)
while [ "$UPORT" = "$KPORT" ]; do UPORT=$(free_port); done
sed -e "s/@LISTEN_PORT@/$KPORT/g; s/@USERS@/$users/" "$HERE/kamailio/pbx.cfg" >"$TMP/pbx.cfg"
kamailio_bg 60 pbx "$KPORT"

cat >"$TMP/callees.csv" <<'EOF'
user,password,display_name
2001,pw-2001,Desk 2001
2002,pw-2002,Desk 2002
EOF
cat >"$TMP/callers.csv" <<'EOF'
# user,auth_user,password,domain,display_name,target
1001,,pw-1001,,Caller 1001,2001
1002,,pw-1002,,Caller 1002,2002
EOF
ST="--timer supported --timer-se 4 --timer-min-se 2 --timer-unchecked"

# 1. The callees register and wait for calls.
bg 40 uas "$SIPBEAT" answer --listen "127.0.0.1:$UPORT" --register \
    --registrar "sip:127.0.0.1:$KPORT" --accounts "$TMP/callees.csv" --expires 30 $ST \
    --max-calls 10 --report "$TMP/uas.json" --trace "$TMP/uas.trace.txt" -q
uas=$BG_PID
for _ in $(seq 100); do [ "$(grep -c 'PBX-REG-OK user=200' "$TMP/pbx.log")" = 2 ] && break; sleep 0.05; done
expect_eq "$(grep -c 'PBX-REG-OK user=200' "$TMP/pbx.log")" 2 "callee bindings saved"
expect_eq "$(grep -c 'PBX-REG-401 user=200' "$TMP/pbx.log")" 2 "401s to the callees' REGISTERs"

# 2. The callers register, then call.
rc=0
timeout -k 3 40 "$SIPBEAT" call "sip:[target]@127.0.0.1:$KPORT" --accounts "$TMP/callers.csv" \
    --register --expires 30 -m 10 -r 10 -d 5s $ST \
    --trace "$TMP/uac.trace.txt" --report "$TMP/uac.json" >"$TMP/uac.log" 2>&1 || rc=$?
expect_eq "$rc" 0 "sipbeat call exit code"
wait_exit "$uas"
expect_eq "$RC" 0 "sipbeat answer exit code"
r="$TMP/uac.json"
expect_eq "$(jqr "$r" '[.calls[] | select(.result == "answered" and .end_reason == "normal")] | length')" 10 "answered calls"
expect_eq "$(jqr "$r" '[.calls[] | select(.auth_challenges == 1)] | length')" 10 "calls with one 407"
expect_eq "$(jqr "$r" '[.calls[] | select(.session_timer_refreshes == 2)] | length')" 10 "calls with 2 refreshes"
expect_eq "$(grep -c 'PBX-INV-407 from=1001 to=2001' "$TMP/pbx.log")" 5 "407s to 1001's INVITEs"
expect_eq "$(grep -c 'PBX-INV-407 from=1002 to=2002' "$TMP/pbx.log")" 5 "407s to 1002's INVITEs"
expect_eq "$(grep -c "PBX-INV-ROUTED from=1001 to=2001 via sip:2001@127.0.0.1:$UPORT" "$TMP/pbx.log")" 5 "calls routed to 2001's binding"
expect_eq "$(grep -c "PBX-INV-ROUTED from=1002 to=2002 via sip:2002@127.0.0.1:$UPORT" "$TMP/pbx.log")" 5 "calls routed to 2002's binding"
grep -q -P '^From: "Caller 1001" <sip:1001@127\.0\.0\.1>' "$TMP/uac.trace.txt" || fail "no From of caller 1001"
grep -q -P '^Proxy-Authorization: Digest username="1002", realm="pbx.test"' "$TMP/uac.trace.txt" ||
    fail "no credentials of 1002"
expect_eq "$(grep -c "^INVITE sip:2001@127.0.0.1:$UPORT " "$TMP/uas.trace.txt")" 5 "INVITEs reaching 2001 (answer's trace)"
u="$TMP/uas.json"
expect_eq "$(jqr "$u" '[.calls[] | select(.result == "answered")] | length')" 10 "calls answered by the extensions"

# 3. Every binding registered and removed.
for f in "$r" "$u"; do
    expect_eq "$(jqr "$f" '.registrations | length')" 2 "registrations in $(basename "$f")"
    expect_eq "$(jqr "$f" '[.registrations[] | select(.result == "unregistered" and .auth_challenges == 1)] | length')" 2 "unregistered cleanly ($(basename "$f"))"
done
expect_eq "$(grep -c 'PBX-REG-OK user=[12]00[12] expires=0$' "$TMP/pbx.log")" 4 "bindings removed with expires=0"
grep -q '^registrations: 2 unregistered cleanly, 0 failed' "$TMP/uac.log" || fail "no registrations line in the summary"
grep -q -F -e pw-1001 -e pw-2001 "$r" "$u" "$TMP/uac.trace.txt" "$TMP/uas.trace.txt" "$TMP/uac.log" &&
    fail "a password leaked"

# 4. One row's password is wrong.
cat >"$TMP/bad.csv" <<'EOF'
1001,,pw-1001
1002,,not-the-password
EOF
rc=0
timeout -k 3 30 "$SIPBEAT" register "sip:127.0.0.1:$KPORT" --accounts "$TMP/bad.csv" -d 1s \
    --expires 30 --report "$TMP/bad.json" >"$TMP/bad.log" 2>&1 || rc=$?
expect_eq "$rc" 1 "sipbeat register exit code with a wrong password"
expect_eq "$(jqr "$TMP/bad.json" '[.registrations[] | select(.aor == "sip:1002@127.0.0.1" and .result == "auth_failed" and .auth_challenges == 2)] | length')" 1 "1002 auth_failed after one retry"
expect_eq "$(jqr "$TMP/bad.json" '[.registrations[] | select(.aor == "sip:1001@127.0.0.1" and .result == "unregistered")] | length')" 1 "1001 registered and removed"
grep -q '^registrations: 1 unregistered cleanly, 1 failed (1 auth_failed)' "$TMP/bad.log" || fail "summary line (bad)"
kill "$KPID"
pass "2 extensions registered by answer, 2 callers by call; 10 calls with one 407 each routed to the right binding, 20 refreshes; 4 bindings removed; a wrong password: auth_failed"
