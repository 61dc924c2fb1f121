# The digest password never comes from argv and never comes out: on the command line it is
# refused (exit 2, one line saying where it goes, before anything is written or sent); an
# unreadable --auth-password-file is exit 2 too; and with a password from a file or from
# SIPBEAT_AUTH_PASSWORD a call against `sipbeat answer` (which sends no challenge) still passes,
# while the password is in none of the report, events, trace, timeline, summary or messages.
source "$(dirname "$0")/lib.sh"
PW='pw-K7q2-must-not-leak'
unset SIPBEAT_AUTH_PASSWORD
OUT="$TMP/out" # every output of the runs below, and nothing else (the password file is not)
mkdir -p "$OUT" "$TMP/secret"
port=$(free_port)

# 1. A password on the command line: each spelling, with its value after it or after '='.
for spelling in --auth-password --password --pass; do
    for form in "$spelling $PW" "$spelling=$PW"; do
        for cmd in "call sip:svc@127.0.0.1:$port" "answer --listen 127.0.0.1:$port"; do
            rc=0
            # shellcheck disable=SC2086 # the words of $cmd and $form are meant to split
            out=$(timeout 10 "$SIPBEAT" $cmd $form --report "$OUT/refused.json" 2>&1) || rc=$?
            expect_eq "$rc" 2 "exit code of sipbeat $cmd $form"
            expect_eq "$out" "sipbeat: $spelling: passwords are not taken on the command line (they end up in shell history and ps); put it in a file with --auth-password-file FILE, or in SIPBEAT_AUTH_PASSWORD" "the line for $form"
            [ ! -e "$OUT/refused.json" ] || fail "a report was written for $form"
        done
    done
done

# 2. A password file that does not exist: exit 2 with one line, even with the variable set.
for env in "" "$PW"; do
    rc=0
    out=$(SIPBEAT_AUTH_PASSWORD=$env timeout 10 "$SIPBEAT" call "sip:svc@127.0.0.1:$port" \
        --auth-password-file /nonexistent --report "$OUT/missing.json" 2>&1) || rc=$?
    expect_eq "$rc" 2 "exit code with --auth-password-file /nonexistent"
    expect_eq "$out" "sipbeat: --auth-password-file /nonexistent: No such file or directory" \
        "the line for a missing password file"
    [ ! -e "$OUT/missing.json" ] || fail "a report was written for a missing password file"
done
# An empty one, and an empty variable, are refused the same way.
: >"$TMP/secret/empty"
rc=0
out=$(timeout 10 "$SIPBEAT" answer --listen "127.0.0.1:$port" \
    --auth-password-file "$TMP/secret/empty" 2>&1) || rc=$?
expect_eq "$rc" 2 "exit code with an empty password file"
expect_eq "$out" "sipbeat: --auth-password-file $TMP/secret/empty: the first line is empty (allowed: a password of 1..1023 bytes on the first line)" "the line for an empty password file"
rc=0
out=$(SIPBEAT_AUTH_PASSWORD='' timeout 10 "$SIPBEAT" call "sip:svc@127.0.0.1:$port" 2>&1) || rc=$?
expect_eq "$rc" 2 "exit code with an empty SIPBEAT_AUTH_PASSWORD"
expect_eq "$out" "sipbeat: SIPBEAT_AUTH_PASSWORD: empty (allowed: a password of 1..1023 bytes, or leave it unset)" "the line for an empty SIPBEAT_AUTH_PASSWORD"

# 3. Calls with a password: no challenge comes, so the calls pass as without one.
printf '%s\r\n' "$PW" >"$TMP/secret/pw"
chmod 600 "$TMP/secret/pw"

# run NAME CALLER-ENV ANSWERER-ENV FLAGS...: one call from sipbeat call (with FLAGS) to a
# sipbeat answer, both with report, events and trace in $OUT, and their stdout and stderr.
run() {
    local name=$1 call_env=$2 answer_env=$3
    shift 3
    port=$(free_port)
    bg 30 "$name-uas" env ${answer_env:+"SIPBEAT_AUTH_PASSWORD=$answer_env"} "$SIPBEAT" answer \
        --listen "127.0.0.1:$port" --max-calls 1 -v --report "$OUT/$name-uas.json" \
        --events "$OUT/$name-uas.ndjson" --trace "$OUT/$name-uas.trace"
    local uas=$BG_PID
    wait_udp "$port"
    rc=0
    env ${call_env:+"SIPBEAT_AUTH_PASSWORD=$call_env"} timeout 30 "$SIPBEAT" call \
        "sip:svc@127.0.0.1:$port" -d 300ms "$@" --report "$OUT/$name-uac.json" \
        --events "$OUT/$name-uac.ndjson" --trace "$OUT/$name-uac.trace" \
        >"$OUT/$name-uac.stdout" 2>"$OUT/$name-uac.stderr" || rc=$?
    expect_eq "$rc" 0 "$name: sipbeat call exit code"
    wait_exit "$uas"
    expect_eq "$RC" 0 "$name: sipbeat answer exit code"
    cp "$TMP/$name-uas.log" "$OUT/$name-uas.log" # answer's stdout and stderr (-v: timeline)
    expect_eq "$(jqr "$OUT/$name-uac.json" '.calls[0].passed')" true "$name: the call passed"
    expect_eq "$(jqr "$OUT/$name-uac.json" '.config.auth_password')" set "$name: config.auth_password"
}

# From the file (the variable is ignored then), with a user and a digest username of our own.
run file "$PW-env" "" --user 1001 --auth-user 1001@pbx.example --auth-password-file "$TMP/secret/pw" -v
expect_eq "$(jqr "$OUT/file-uac.json" '.config.user')" 1001 "file: config.user"
expect_eq "$(jqr "$OUT/file-uac.json" '.config.auth_user')" 1001@pbx.example "file: config.auth_user"
expect_eq "$(jqr "$OUT/file-uas.json" '.config.auth_password')" null "file: answerer's config.auth_password"
grep -q '^From: <sip:1001@127.0.0.1>' "$OUT/file-uac.trace" || fail "file: --user is not our From user"
# From the environment, on both sides; the defaults: user sipbeat, digest username the user.
run env "$PW" "$PW"
expect_eq "$(jqr "$OUT/env-uac.json" '.config.user')" sipbeat "env: config.user"
expect_eq "$(jqr "$OUT/env-uac.json" '.config.auth_user')" null "env: config.auth_user"
expect_eq "$(jqr "$OUT/env-uas.json" '.config.auth_password')" set "env: answerer's config.auth_password"

# 4. The password in none of them (nor the variable's, which the file run ignored).
n=$(find "$OUT" -type f | wc -l)
expect_eq "$n" 18 "output files to search (9 per run)"
for f in "$OUT"/*; do [ -s "$f" ] || [[ $f == *.stderr ]] || fail "$f is empty: nothing searched"; done
if grep -rlF -e "$PW" "$OUT" >"$TMP/leaks.log"; then
    fail "the password is in: $(tr '\n' ' ' <"$TMP/leaks.log")"
fi
grep -rqF "$TMP/secret" "$OUT" && fail "the password file's name is in an output"
pass "refused on the command line, $n outputs without the password"
