# sipbeat call --proxy -> Kamailio (outbound proxy, kamailio/outbound_proxy.cfg: relays by
# Request-URI after loose_route, no record-routing) -> sipbeat answer. The INVITE goes to the
# proxy with Route: <sip:127.0.0.1:KPORT;lr> and the target as Request-URI; the proxy removes
# its Route and relays to the Request-URI, where the answerer gets the INVITE with our display
# name, From, To and extra header; the ACK and the BYE go straight to the answerer's Contact.
source "$(dirname "$0")/st_lib.sh"
kport=$(free_port)
uport=$(free_port)
while [ "$uport" = "$kport" ]; do uport=$(free_port); done
sed -e "s/@LISTEN_PORT@/$kport/g" "$HERE/kamailio/outbound_proxy.cfg" >"$TMP/kamailio.cfg"
kamailio_bg 25 kamailio "$kport"

answer_bg uas "$uport"
uas=$BG_PID
rc=0
timeout -k 3 15 "$SIPBEAT" call "sip:svc@127.0.0.1:$uport" --proxy "sip:127.0.0.1:$kport" -d 1s \
    --display-name 'Lab "1"' --from sip:1001@pbx.test --to sip:svc@callee.test \
    --header 'X-Sipbeat-Test: proxy-1' \
    --trace "$TMP/uac.trace.txt" --report "$TMP/uac.json" -q >"$TMP/uac.log" 2>&1 || rc=$?
expect_eq "$rc" 0 "sipbeat call exit code"
wait_rc "$uas"
expect_eq "$WAIT_RC" 0 "sipbeat answer exit code"

r="$TMP/uac.json"
expect_eq "$(call_field "$r" result)" answered "result"
expect_eq "$(call_field "$r" end_reason)" normal "end_reason"
expect_eq "$(call_field "$r" passed)" true "passed"
expect_eq "$(jqr "$r" .config.outbound_proxy)" "sip:127.0.0.1:$kport" "config.outbound_proxy"
expect_eq "$(jqr "$r" .config.destination)" "127.0.0.1:$kport" "config.destination"
expect_eq "$(jqr "$r" '.config.headers | join(",")')" "X-Sipbeat-Test: proxy-1" "config.headers"
expect_eq "$(call_field "$TMP/uas.json" result)" answered "result (callee)"

# The proxy got the INVITE with its Route and the target as Request-URI, and relayed it there.
klog="$TMP/kamailio.log"
grep -q -F "PX-REQ INVITE ruri=sip:svc@127.0.0.1:$uport route=<sip:127.0.0.1:$kport;lr> from=\"Lab \\\"1\\\"\" <sip:1001@pbx.test>;tag=" "$klog" ||
    fail "the proxy did not log the INVITE with its Route, the target as Request-URI and our From"
grep -q -F "to=<sip:svc@callee.test> x=proxy-1" "$klog" || fail "the proxy did not see our To and header"
expect_eq "$(grep -c "PX-RELAY INVITE to sip:svc@127.0.0.1:$uport" "$klog")" 1 "INVITEs relayed by the proxy"
# Not record-routed: the ACK and the BYE went straight to the answerer.
expect_eq "$(grep -c 'PX-REQ BYE' "$klog")" 0 "BYEs through the proxy"
expect_eq "$(grep -c -P "^----- .* SENT to 127\.0\.0\.1:$kport " "$TMP/uac.trace.txt")" 1 "requests the caller sent to the proxy"
expect_eq "$(grep -c -P "^----- .* SENT to 127\.0\.0\.1:$uport " "$TMP/uac.trace.txt")" 2 "requests the caller sent straight to the answerer (ACK, BYE)"

# The answerer got the INVITE from the proxy, without the Route the proxy consumed, and with our
# identity and header.
u="$TMP/uas.trace.txt"
grep -q -P "^INVITE sip:svc@127\.0\.0\.1:$uport SIP/2\.0\r?$" "$u" || fail "the answerer got no INVITE for the target"
grep -q -P "^Via: SIP/2\.0/UDP 127\.0\.0\.1:$kport;branch=" "$u" || fail "the INVITE did not come through the proxy"
grep -q -P '^Route:' "$u" && fail "the proxy left its Route in the INVITE"
grep -q -P '^From: "Lab \\"1\\"" <sip:1001@pbx\.test>;tag=' "$u" || fail "From with display name at the answerer"
grep -q -P '^To: <sip:svc@callee\.test>\r?$' "$u" || fail "To at the answerer"
expect_eq "$(grep -c -P '^X-Sipbeat-Test: proxy-1\r?$' "$u")" 1 "extra header at the answerer (INVITE only)"
pass "INVITE via the proxy with Route, relayed by Request-URI; ACK and BYE direct"
