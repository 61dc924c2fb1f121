# (11) sipbeat call -> Kamailio 5.6.3 (record-routing proxy, kamailio/st_422_proxy.cfg) ->
# sipbeat answer. The proxy answers 422 with Min-SE: 5 to INVITEs whose Session-Expires is below
# 5 and relays the rest. sipbeat call offers SE 3: one 422 round, retry with SE >= 5 answered,
# and both refreshes (at SE/2) and the BYE go through the proxy (Route from Record-Route).
source "$(dirname "$0")/st_lib.sh"
kport=$(free_port)
uport=$(free_port)
while [ "$uport" = "$kport" ]; do uport=$(free_port); done
sed -e "s/@LISTEN_PORT@/$kport/g; s/@UAS_PORT@/$uport/g; s/@MIN_SE@/5/g" \
    "$HERE/kamailio/st_422_proxy.cfg" >"$TMP/kamailio.cfg"
kamailio_bg 25 kamailio "$kport"

answer_bg uas "$uport" --timer supported --timer-se 8 --timer-min-se 2 --timer-unchecked
uas=$BG_PID
rc=0
timeout -k 3 15 "$SIPBEAT" call "sip:svc@127.0.0.1:$kport" -d 6s --timer supported --timer-se 3 \
    --timer-min-se 2 --timer-unchecked --trace "$TMP/uac.trace.txt" --report "$TMP/uac.json" -q \
    >"$TMP/uac.log" 2>&1 || rc=$?
expect_eq "$rc" 0 "sipbeat call exit code"
wait_rc "$uas"
expect_eq "$WAIT_RC" 0 "sipbeat answer exit code"

r="$TMP/uac.json"
expect_eq "$(call_field "$r" result)" answered "result"
expect_eq "$(call_field "$r" end_reason)" normal "end_reason"
expect_eq "$(call_field "$r" session_timer_422_count)" 1 "422s seen by the caller"
se=$(call_field "$r" session_timer_negotiated_se_s)
[ "$se" -ge 5 ] || fail "negotiated SE $se below the proxy's Min-SE 5"
expect_eq "$(call_field "$r" session_timer_refresher)" local "refresher"
expect_eq "$(call_field "$r" session_timer_refreshes)" 2 "refreshes sent"
expect_eq "$(call_field "$r" 'session_timer_violations | length')" 0 "violations (caller)"
u="$TMP/uas.json"
expect_eq "$(call_field "$u" result)" answered "result (callee)"
expect_eq "$(call_field "$u" session_timer_negotiated_se_s)" "$se" "negotiated SE (callee)"
expect_eq "$(call_field "$u" session_timer_refreshes)" 2 "refreshes received by the callee"
expect_eq "$(call_field "$u" session_timer_422_count)" 0 "422s from the callee"

# The retry carried Min-SE: 5 (422-2).
grep -q -P '^Min-SE: 5\r?$' "$TMP/uac.trace.txt" || fail "no retry with Min-SE: 5 in the caller's trace"
# The proxy saw: the INVITE with SE 3 (422), the retry, and the refreshes and BYE in the dialog.
klog="$TMP/kamailio.log"
expect_eq "$(grep -c 'ST-422 se=3 below 5' "$klog")" 1 "422s sent by the proxy"
expect_eq "$(grep -c 'ST-REQ initial INVITE' "$klog")" 2 "initial INVITEs through the proxy"
expect_eq "$(grep -c 'ST-REQ in-dialog INVITE' "$klog")" 2 "refresh re-INVITEs through the proxy"
expect_eq "$(grep -c 'ST-REQ in-dialog BYE' "$klog")" 1 "BYEs through the proxy"
# The callee saw the proxy's Record-Route and the caller sent its refreshes with a Route to it.
grep -q -P "^Record-Route: <sip:127\.0\.0\.1:$kport;" "$TMP/uas.trace.txt" || fail "no Record-Route at the callee"
# In-dialog requests from the caller: ACK to the 200, 2 refreshes + their ACKs, the BYE.
expect_eq "$(grep -c -P "^Route: <sip:127\.0\.0\.1:$kport;" "$TMP/uac.trace.txt")" 6 "caller's in-dialog requests with a Route to the proxy"
expect_eq "$(grep -c '^----- .* SENT to ' "$TMP/uac.trace.txt")" \
    "$(grep -c "^----- .* SENT to 127.0.0.1:$kport " "$TMP/uac.trace.txt")" "caller sent everything to the proxy"
pass "one 422 round (SE $se), 2 refreshes and the BYE via the proxy"
