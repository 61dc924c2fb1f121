# sipbeat call -> udpfw (10 % loss each way, 10 ms delay + 0..10 ms jitter) -> sipbeat answer,
# with short RFC 4028 session timers on both sides (SE 6 s: a refresh re-INVITE at 3 s of each
# 5 s call, non-refresher BYE deadline at 4 s). udpfw inserts a Record-Route so every
# in-dialog request (ACK, refresh, BYE) crosses the lossy hop too, not only the INVITE.
# Checked on both JSON reports: every call is in both, every call ends with a definite
# end_reason, at least 90 % end normally, refreshes happened, and the forwarder really lost
# datagrams. The impairment draws are seeded (SB_LOSSY_SEED, default 4028); socket timing is
# real, so a run is not bit-for-bit reproducible, only its fault pattern is.
source "$(dirname "$0")/lib.sh"
TOOLS=${SB_TOOLS_DIR:-$(dirname "$SIPBEAT")/tests}
UDPFW="$TOOLS/udpfw"
[ -x "$UDPFW" ] || fail "no udpfw at $UDPFW (built from tests/tools/udpfw.c; set SB_TOOLS_DIR)"

N=30
SEED=${SB_LOSSY_SEED:-4028}
TIMER=(--timer supported --timer-se 6 --timer-unchecked --timer-min-se 2)
uas_port=$(free_port)
fw_port=$(free_port)
while [ "$fw_port" = "$uas_port" ]; do fw_port=$(free_port); done

# The answerer is stopped by PID once the caller is done, not by --max-calls N: with
# --max-calls it exits the moment its Nth call ends, so when the 200 to the last BYE is lost
# nobody answers the BYE's retransmissions and the caller waits 32 s for bye_timeout.
# --max-calls is only a bound here.
bg 45 uas "$SIPBEAT" answer --listen "127.0.0.1:$uas_port" --max-calls $((N * 2)) \
    --report "$TMP/uas.json" -q "${TIMER[@]}"
uas=$BG_PID
wait_udp "$uas_port"
bg 45 udpfw "$UDPFW" --listen "127.0.0.1:$fw_port" --to "127.0.0.1:$uas_port" --loss 0.1 \
    --delay-ms 10 --jitter-ms 10 --seed "$SEED" --record-route --duration 42s
fw=$BG_PID
wait_udp "$fw_port"

rc=0
timeout --kill-after=5 30 "$SIPBEAT" call "sip:svc@127.0.0.1:$fw_port" -m "$N" -r 10 -d 5s \
    --report "$TMP/uac.json" -q "${TIMER[@]}" >"$TMP/uac.log" 2>&1 || rc=$?
# 0: every call passed; 1: some call did not pass (loss can do that). Anything else (usage,
# runtime error, timeout 124, a signal) is a failure of the run itself.
[ "$rc" -le 1 ] || fail "sipbeat call exit code $rc (seed $SEED)"

# Every call has ended on the caller's side; let the answerer see the last ACKs and BYEs
# through the forwarder's delay, then stop it. The TERM goes to sipbeat itself, not to its
# `timeout` wrapper, which would deliver it twice (to the child and to its process group) and
# turn the second copy into an immediate stop. One TERM: hang up what is live, write the
# report once no call is left (5 s grace), exit code 4.
sleep 1
uas_pid=$(pgrep -P "$uas" || true)
[ -n "$uas_pid" ] || fail "sipbeat answer exited before it was stopped (see uas.log)"
kill -TERM "$uas_pid" 2>/dev/null || true
for _ in $(seq 40); do kill -0 "$uas_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$uas_pid" 2>/dev/null; then
    # Still a live call 4 s into the grace period: e.g. the answerer's BYE whose 200 was lost,
    # while the caller, gone, no longer answers the retransmissions. A second TERM stops it
    # now; the report still lists such a call (end_reason shutdown).
    echo "note: sipbeat answer still had live calls 4 s after SIGTERM; stopping it" >&2
    kill -TERM "$uas_pid" 2>/dev/null || true
fi
urc=0
wait "$uas" || urc=$?
[ "$urc" -le 1 ] || [ "$urc" -eq 4 ] || fail "sipbeat answer exit code $urc (seed $SEED)"
kill -TERM "$fw" 2>/dev/null || true
wait "$fw" || true
[ -s "$TMP/uac.json" ] || fail "no caller report"
[ -s "$TMP/uas.json" ] || fail "no answerer report"

python3 - "$TMP/uac.json" "$TMP/uas.json" "$TMP/udpfw.log" "$N" "$SEED" <<'PY' || fail "report checks (seed $SEED)"
import json, re, sys
uac_f, uas_f, fw_f, n, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
uac, uas = json.load(open(uac_f)), json.load(open(uas_f))
fw_text = open(fw_f).read()
errors = []
def check(cond, msg):
    if not cond:
        errors.append(msg)

# remote_hangup: the answerer's expiry BYE (its refreshes lost) reaches the caller before
# the caller's talk time ends; that is a drop as the caller sees it, and a definite reason.
REASONS = {"normal", "remote_hangup", "rejected", "invite_timeout", "cancelled", "ack_timeout",
           "bye_timeout", "session_expired", "refresh_failed", "remote_unsupported_timer",
           "too_many_422", "min_se_too_large", "shutdown", "engine_limit", "unreachable"}
ucalls, scalls = uac["calls"], uas["calls"]
uids = [c["call_id"] for c in ucalls]
sids = [c["call_id"] for c in scalls]
check(len(ucalls) == n, f"caller report has {len(ucalls)} calls, want {n}")
check(uac["summary"]["calls_started"] == n, f"caller started {uac['summary']['calls_started']}")
check(uac["summary"]["calls_ended"] == uac["summary"]["calls_started"], "caller: started != ended")
check(uas["summary"]["calls_ended"] == uas["summary"]["calls_started"], "answerer: started != ended")
check(len(set(uids)) == len(uids), "caller report repeats a Call-ID")
check(len(set(sids)) == len(sids), "answerer report repeats a Call-ID (one INVITE, two calls)")
missing = sorted(set(uids) - set(sids))
extra = sorted(set(sids) - set(uids))
check(not missing, f"{len(missing)} calls missing from the answerer report: {missing[:3]}")
check(not extra, f"{len(extra)} answerer calls the caller never placed: {extra[:3]}")

hist = {}
for side, calls in (("uac", ucalls), ("uas", scalls)):
    h = hist.setdefault(side, {})
    for c in calls:
        r = c.get("end_reason")
        h[r] = h.get(r, 0) + 1
        check(r in REASONS, f"{side} call {c['call_id']}: end_reason {r!r} is not a definite reason")
        if c.get("result") == "answered":
            check(r in REASONS and r != "none", f"{side} answered call {c['call_id']} ended with {r!r}")
    normal = h.get("normal", 0)
    check(normal * 10 >= 9 * n, f"{side}: only {normal}/{n} calls ended normally (want >= 90 %)")

answered = sum(1 for c in ucalls if c.get("result") == "answered")
refreshes = sum(c.get("session_timer_refreshes", 0) for c in ucalls)
check(answered * 10 >= 9 * n, f"only {answered}/{n} calls answered")
check(refreshes * 2 >= answered, f"only {refreshes} successful refreshes over {answered} answered calls (want >= half)")

m = re.search(r"udpfw: forwarded=(\d+) dropped=(\d+) duplicated=(\d+).*?record_routed=(\d+)", fw_text)
check(m is not None, "no udpfw counters in its log")
if m:
    fwd, dropped, dup, rr = map(int, m.groups())
    check(dropped > 0, "udpfw dropped nothing: the run was not lossy")
    check(rr >= n, f"udpfw record-routed {rr} INVITEs, want >= {n}")
fmt = lambda h: " ".join(f"{k}={v}" for k, v in sorted(h.items()))
print(f"lossy loopback (seed {seed}): uac {{{fmt(hist['uac'])}}} uas {{{fmt(hist['uas'])}}} "
      f"refreshes {refreshes}; {m.group(0) if m else 'no udpfw counters'}")
if errors:
    print("\n".join("  " + e for e in errors), file=sys.stderr)
    sys.exit(1)
PY
pass "$N calls through 10 % loss with session timers"
