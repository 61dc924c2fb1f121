# (1) sipbeat call -> SIPp UAS that answers Session-Expires: 4;refresher=uac + Require: timer.
# sipbeat is the refresher: re-INVITEs at SE/2 with Session-Expires 4;refresher=uac and the same
# SDP o= line (checked by SIPp, st_uas_refresh_uac.xml); 5 s of talk time = 2 refreshes.
source "$(dirname "$0")/st_lib.sh"
call_vs_sipp st_uas_refresh_uac.xml -d 5s --timer supported --timer-se 4 --timer-min-se 2 --timer-unchecked
expect_eq "$rc" 0 "sipbeat call exit code"
r="$TMP/uac.json"
expect_eq "$(call_field "$r" result)" answered "result"
expect_eq "$(call_field "$r" end_reason)" normal "end_reason"
expect_eq "$(call_field "$r" ended_by)" local "ended_by"
expect_eq "$(call_field "$r" session_timer_active)" true "session_timer_active"
expect_eq "$(call_field "$r" session_timer_negotiated_se_s)" 4 "negotiated SE"
expect_eq "$(call_field "$r" session_timer_refresher)" local "refresher"
expect_eq "$(call_field "$r" session_timer_refreshes)" 2 "refreshes"
expect_eq "$(call_field "$r" session_timer_refresh_failures)" 0 "refresh failures"
expect_eq "$(call_field "$r" 'session_timer_violations | length')" 0 "violations"
# The first refresh leaves about SE/2 = 2 s after the 200 (UAC-9).
t200=$(trace_time "$TMP/trace.txt" 'RECEIVED .*\nSIP/2.0 200 ') || fail "no 200 in the trace"
tref=$(python3 - "$TMP/trace.txt" <<'PY'
import re, sys
blks = re.split(r"(?m)^(?=----- )", open(sys.argv[1]).read())
inv = [re.match(r"----- ([0-9.]+) s", b).group(1) for b in blks if re.match(r"----- [0-9.]+ s SENT .*\nINVITE ", b)]
print(inv[1] if len(inv) > 1 else "")
PY
)
[ -n "$tref" ] || fail "no refresh INVITE in the trace"
python3 -c "import sys; d=$tref-$t200; sys.exit(0 if 1.7 <= d <= 2.5 else 1)" ||
    fail "first refresh $tref s, 200 at $t200 s: expected about SE/2 = 2 s later"
pass "2 refreshes, refresher=uac, o= line unchanged"
