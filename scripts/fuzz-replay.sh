#!/usr/bin/env bash
# Replays every fuzz/corpus/<target>/ file through its fuzz entry point, without libFuzzer:
# the harnesses are linked with fuzz/replay_main.c under ASan+UBSan (gcc by default, whose
# sanitizer runtimes come with the compiler; clang's need libclang-rt-*-dev). Used by check.sh.
#   scripts/fuzz-replay.sh [BUILD]   BUILD is accepted for check.sh; objects go to build-fuzz-replay
# FUZZ_REPLAY_CC=clang picks the compiler. Exits non-zero when any input crashes.
set -euo pipefail
cd "$(dirname "$0")/.."

CC=${FUZZ_REPLAY_CC:-gcc}
out=build-fuzz-replay
start=$(date +%s%N)
targets=$(for f in fuzz/fuzz_*.c; do basename "$f" .c | sed 's/^fuzz_//'; done)
cflags=(-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1 -fno-omit-frame-pointer
    -fsanitize=address,undefined -fno-sanitize-recover=all -Iinclude -Isrc)

# Rebuild when any source, header or this script is newer than the last build.
stamp=$out/.stamp-$CC
missing=0
for t in $targets; do [ -x "$out/replay_$t" ] || missing=1; done
if [ "$missing" -eq 1 ] || [ ! -f "$stamp" ] ||
    [ -n "$(find src include fuzz scripts/fuzz-replay.sh -newer "$stamp" \
        \( -name '*.c' -o -name '*.h' -o -name 'fuzz-replay.sh' \) | head -1)" ]; then
    mkdir -p "$out/obj"
    rm -f "$out"/obj/*.o "$out"/replay_* "$out"/.stamp-* "$out/libsb_replay.a"
    pids=()
    fail=0
    for s in src/base/*.c src/sip/*.c src/transport/*.c src/txn/*.c src/dialog/*.c src/timer/*.c src/engine/*.c \
        fuzz/replay_main.c; do
        o=$out/obj/$(echo "${s%.c}" | tr / _).o
        "$CC" "${cflags[@]}" -c "$s" -o "$o" &
        pids+=($!)
        # Keep at most nproc compilers running.
        if [ ${#pids[@]} -ge "$(nproc 2>/dev/null || echo 2)" ]; then
            wait "${pids[0]}" || fail=1
            pids=("${pids[@]:1}")
        fi
    done
    for p in "${pids[@]}"; do wait "$p" || fail=1; done
    [ "$fail" -eq 0 ] || { echo "fuzz replay: build failed" >&2; exit 1; }
    ar rcs "$out/libsb_replay.a" $(ls "$out"/obj/*.o | grep -v fuzz_replay_main)
    for t in $targets; do
        "$CC" "${cflags[@]}" "fuzz/fuzz_$t.c" "$out/obj/fuzz_replay_main.o" \
            "$out/libsb_replay.a" -lcrypto -o "$out/replay_$t"
    done
    touch "$stamp"
fi

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
total=0
crashes=0
for t in $targets; do
    files=()
    while IFS= read -r -d '' f; do files+=("$f"); done \
        < <(find "fuzz/corpus/$t" -type f -print0 2>/dev/null | sort -z)
    [ ${#files[@]} -gt 0 ] || continue
    total=$((total + ${#files[@]}))
    # One process for the whole corpus; on failure, one per file to name the culprits.
    if ! "$out/replay_$t" "${files[@]}" >"$out/$t.log" 2>&1; then
        for f in "${files[@]}"; do
            if ! "$out/replay_$t" "$f" >"$out/$t.one.log" 2>&1; then
                crashes=$((crashes + 1))
                echo "fuzz replay: $t crashes on $f" >&2
                sed -n '1,40p' "$out/$t.one.log" >&2
            fi
        done
    fi
done
ms=$((($(date +%s%N) - start) / 1000000))
echo "fuzz replay: $total inputs, $crashes crashes ($ms ms)"
[ "$crashes" -eq 0 ]
