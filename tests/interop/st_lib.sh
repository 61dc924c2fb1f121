# Helpers for the RFC 4028 session-timer interop tests (test_st_*.sh): SIPp runs with their
# scenario, bounded in calls (-m 1), time (-timeout, -recv_timeout, outer timeout) and stopped
# by PID (lib.sh). Source it from a test: source "$(dirname "$0")/st_lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SCEN="$HERE/scenarios"

# sipp_bg SECS NAME SCENARIO PORT [SIPP ARGS...]: starts SIPp in the background on
# 127.0.0.1:PORT with scenarios/SCENARIO, one call; logs go to $TMP/NAME_*.
sipp_bg() {
    local secs=$1 name=$2 scen=$3 port=$4
    shift 4
    bg "$secs" "$name" sipp -sf "$SCEN/$scen" -i 127.0.0.1 -p "$port" -m 1 \
        -timeout "$((secs - 2))s" -recv_timeout 12000 -nostdin \
        -trace_err -error_file "$TMP/${name}_err.log" \
        -trace_msg -message_file "$TMP/${name}_msg.txt" \
        -trace_logs -log_file "$TMP/${name}_logs.txt" "$@"
}

# sipp_uac SECS NAME SCENARIO TARGET_PORT [SIPP ARGS...]: runs SIPp as the caller in the
# foreground against 127.0.0.1:TARGET_PORT and prints its exit code.
sipp_uac() {
    local secs=$1 name=$2 scen=$3 port=$4 rc=0
    shift 4
    timeout --signal=TERM --kill-after=5 "$secs" sipp -sf "$SCEN/$scen" "127.0.0.1:$port" \
        -i 127.0.0.1 -p "$(free_port)" -m 1 -timeout "$((secs - 2))s" -recv_timeout 12000 \
        -nostdin -trace_err -error_file "$TMP/${name}_err.log" \
        -trace_msg -message_file "$TMP/${name}_msg.txt" \
        -trace_logs -log_file "$TMP/${name}_logs.txt" "$@" >"$TMP/$name.log" 2>&1 || rc=$?
    echo "$rc"
}

# wait_rc PID: lib.sh's wait_exit, with the code in WAIT_RC as these tests read it.
wait_rc() {
    wait_exit "$1"
    WAIT_RC=$RC
}

# sipp_check RC NAME: fails the test unless SIPp exited 0; shows its own error log.
sipp_check() {
    if [ "$1" != 0 ]; then
        [ -f "$TMP/${2}_err.log" ] && tail -n 30 "$TMP/${2}_err.log" >&2
        [ -f "$TMP/${2}_logs.txt" ] && tail -n 30 "$TMP/${2}_logs.txt" >&2
        fail "SIPp ($2) exit code $1 (0: its scenario and every check in it passed)"
    fi
}

# call_vs_sipp SCENARIO [CALL FLAGS...]: SIPp plays SCENARIO as the UAS of one call; sipbeat
# calls it with the flags (plus --trace and --report into $TMP) and SIPp's own checks must
# pass. sipbeat's exit code is left in $rc, its report in $TMP/uac.json.
call_vs_sipp() {
    local scen=$1 port
    shift
    port=$(free_port)
    sipp_bg 20 sipp "$scen" "$port"
    local sipp=$BG_PID
    wait_udp "$port"
    rc=0
    timeout -k 3 15 "$SIPBEAT" call "sip:svc@127.0.0.1:$port" "$@" --trace "$TMP/trace.txt" \
        --report "$TMP/uac.json" -q >"$TMP/uac.log" 2>&1 || rc=$?
    wait_rc "$sipp"
    sipp_check "$WAIT_RC" sipp
}

# call_field FILE FIELD: one field of the first call record in a sipbeat report.
call_field() { jq -r ".calls[0].$2" "$1"; }

# has_violation FILE ID: whether the first call lists a violation with that id.
has_violation() { jq -e --arg id "$2" '.calls[0].session_timer_violations | map(.id) | index($id) != null' "$1" >/dev/null; }

# trace_time FILE REGEX: the time stamp (seconds) of the first trace block whose header and
# start line match REGEX, e.g. 'SENT .*\nBYE '.
trace_time() {
    python3 - "$1" "$2" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
for blk in re.split(r"(?m)^(?=----- )", text):
    m = re.match(r"----- ([0-9.]+) s (.*\n.*)", blk)
    if m and re.search(sys.argv[2], m.group(2)):
        print(m.group(1)); sys.exit(0)
sys.exit(1)
PY
}

# answer_bg NAME PORT [SIPBEAT ARGS...]: `sipbeat answer` for one call on 127.0.0.1:PORT in the
# background, report in $TMP/NAME.json; waits until it listens. PID in $BG_PID.
answer_bg() {
    local name=$1 port=$2
    shift 2
    bg 20 "$name" "$SIPBEAT" answer --listen "127.0.0.1:$port" --max-calls 1 \
        --report "$TMP/$name.json" --trace "$TMP/$name.trace.txt" -q "$@"
    wait_udp "$port"
}

# expect_refused_then_hung_up FILE: the first call of a sipbeat report refused the far end's
# refresh by fault (--timer-answer-refresh 481) and the far end then hung up: the call passed,
# ended refresh_failed by the far end, with REF-8 passed and no UAC-13 blamed on it.
expect_refused_then_hung_up() {
    local r=$1 c='.summary.compliance["REF-8"]'
    expect_eq "$(call_field "$r" result)" answered "result"
    expect_eq "$(call_field "$r" passed)" true "passed"
    expect_eq "$(call_field "$r" end_reason)" refresh_failed "end_reason"
    expect_eq "$(call_field "$r" ended_by)" remote "ended_by"
    expect_eq "$(call_field "$r" fault_injected)" true "fault_injected"
    expect_eq "$(call_field "$r" session_timer_refresher)" remote "refresher"
    expect_eq "$(call_field "$r" session_timer_refreshes_refused)" 1 "refreshes refused"
    expect_eq "$(call_field "$r" session_timer_refreshes)" 0 "successful refreshes"
    expect_eq "$(call_field "$r" 'session_timer_violations | length')" 0 "violations"
    has_violation "$r" UAC-13 && fail "UAC-13 blamed on the far end for the refresh we refused"
    expect_eq "$(jqr "$r" "$c.evaluated")" 1 "REF-8 evaluated"
    expect_eq "$(jqr "$r" "$c.passed")" 1 "REF-8 passed"
    expect_eq "$(jqr "$r" '.summary.compliance["UAC-13"].failed')" 0 "UAC-13 failed"
}
