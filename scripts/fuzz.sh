#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/fuzz_*.c) into build-fuzz and runs each for N seconds.
#   scripts/fuzz.sh [N]        build, then run every target N seconds (default 60) over its corpus
#   scripts/fuzz.sh merge      add to fuzz/corpus/<t> what the runs found that adds coverage
#   scripts/fuzz.sh build      build only
# FUZZ_TARGETS="msg sdp" picks targets. New inputs go to build-fuzz/new/<t> (not git); crash
# inputs to build-fuzz/artifacts/. Exits non-zero when a target crashed. FUZZ_FORK=1 keeps
# fuzzing past crashes (libFuzzer -fork=1 -ignore_crashes=1), to find more than the first.
set -euo pipefail
cd "$(dirname "$0")/.."

cmd=${1:-60}
out=build-fuzz
CC=${FUZZ_CC:-clang}
targets=${FUZZ_TARGETS:-$(for f in fuzz/fuzz_*.c; do basename "$f" .c | sed 's/^fuzz_//'; done)}
jobs=$(nproc 2>/dev/null || echo 2)

# libFuzzer ships in libclang-rt-14-dev, which Debian's clang only recommends.
need_libfuzzer() {
    if ! command -v "$CC" >/dev/null; then
        echo "fuzz: $CC not found (apt-get install clang)" >&2
        exit 1
    fi
    local rt
    rt=$("$CC" -print-resource-dir)/lib/linux/libclang_rt.fuzzer-x86_64.a
    [ -f "$rt" ] && return 0
    local ver pkg line
    ver=$("$CC" -dumpversion | cut -d. -f1)
    pkg=libclang-rt-$ver-dev
    line="apt-get install -y --no-install-recommends $pkg"
    if [ "$(id -u)" -ne 0 ]; then
        echo "fuzz: libFuzzer runtime missing; run as root: $line" >&2
        exit 1
    fi
    echo "fuzz: installing $pkg" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$pkg" >/dev/null
}

build() {
    need_libfuzzer
    local srcs stamp=$out/.stamp
    srcs=$(ls src/base/*.c src/sip/*.c src/transport/*.c src/txn/*.c src/dialog/*.c src/timer/*.c src/engine/*.c)
    mkdir -p "$out/obj"
    local t missing=0
    for t in $targets; do [ -x "$out/fuzz_$t" ] || missing=1; done
    if [ "$missing" -eq 0 ] && [ -f "$stamp" ] && [ -z "$(find src include fuzz scripts/fuzz.sh \
        -newer "$stamp" \( -name '*.c' -o -name '*.h' -o -name fuzz.sh \) | head -1)" ]; then
        return 0
    fi
    local cflags="-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O1 -fno-omit-frame-pointer
        -Iinclude -Isrc"
    echo "fuzz: building $(echo "$srcs" | wc -l) sources with $CC" >&2
    rm -f "$out"/obj/*.o "$out/libsb_fuzz.a"
    local s o pids=() fail=0
    for s in $srcs; do
        o=$out/obj/$(echo "${s%.c}" | tr / _).o
        # shellcheck disable=SC2086
        $CC $cflags -fsanitize=fuzzer-no-link,address,undefined -c "$s" -o "$o" &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || fail=1; done
    [ "$fail" -eq 0 ] || { echo "fuzz: build failed" >&2; exit 1; }
    ar rcs "$out/libsb_fuzz.a" "$out"/obj/*.o
    for t in $targets; do
        # shellcheck disable=SC2086
        $CC $cflags -fsanitize=fuzzer,address,undefined "fuzz/fuzz_$t.c" "$out/libsb_fuzz.a" -lcrypto \
            -o "$out/fuzz_$t"
    done
    touch "$stamp"
}

max_len() {
    case $1 in
        timer_hdrs) echo 256 ;;
        engine) echo 16384 ;;
        *) echo 8192 ;;
    esac
}

run() {
    local secs=$1 t log crashed=0
    mkdir -p "$out/artifacts" "$out/logs"
    for t in $targets; do
        mkdir -p "$out/new/$t" "fuzz/corpus/$t"
        log=$out/logs/$t.log
        local before
        before=$(ls "$out/artifacts" | grep -c "^$t-" || true)
        local fork=()
        [ -z "${FUZZ_FORK:-}" ] || fork=(-fork="$FUZZ_FORK" -ignore_crashes=1)
        set +e
        ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
        UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
            "$out/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
            -max_len="$(max_len "$t")" -dict=fuzz/dict/sip.dict -print_final_stats=1 \
            "${fork[@]}" -artifact_prefix="$out/artifacts/$t-" "$out/new/$t" "fuzz/corpus/$t" \
            >"$log" 2>&1
        local rc=$?
        set -e
        local runs eps cov ft art
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
        # -fork prints no final stats: take them from its last status line.
        [ -n "$runs" ] || runs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
        [ -n "$eps" ] || eps=$(grep -oE 'exec/s:? [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$')
        cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
        ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
        art=$(ls -t "$out/artifacts" | grep "^$t-" | head -1 || true)
        if [ "$rc" -ne 0 ] || [ "$(ls "$out/artifacts" | grep -c "^$t-" || true)" -gt "$before" ]
        then
            crashed=1
            printf '%-11s %ss  runs %s  %s exec/s  cov %s  ft %s  CRASH: %s (log %s)\n' "$t" \
                "$secs" "${runs:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}" \
                "${art:+$out/artifacts/$art}" "$log"
        else
            printf '%-11s %ss  runs %s  %s exec/s  cov %s  ft %s  no crash\n' "$t" "$secs" \
                "${runs:-?}" "${eps:-?}" "${cov:-?}" "${ft:-?}"
        fi
    done
    return $crashed
}

merge() {
    for t in $targets; do
        local tmp=$out/merge/$t f
        rm -rf "$tmp"
        mkdir -p "$tmp" "$out/new/$t"
        # Named files (hand-made seeds, RFC 4475 messages, regression inputs) always stay;
        # fuzzer finds (named by their SHA-1) are added only for coverage the rest lacks.
        for f in "fuzz/corpus/$t"/*; do
            [ -f "$f" ] || continue
            basename "$f" | grep -qE '^[0-9a-f]{40}$' || cp "$f" "$tmp/"
        done
        "$out/fuzz_$t" -set_cover_merge=1 -max_len="$(max_len "$t")" "$tmp" "fuzz/corpus/$t" \
            "$out/new/$t" >"$out/logs/merge-$t.log" 2>&1
        rm -f "fuzz/corpus/$t"/*
        cp "$tmp"/* "fuzz/corpus/$t/"
        echo "fuzz: $t corpus: $(ls "fuzz/corpus/$t" | wc -l) files," \
            "$(cat "fuzz/corpus/$t"/* | wc -c) bytes"
    done
}

case $cmd in
    build) build ;;
    merge) build && mkdir -p "$out/logs" && merge ;;
    *[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS|build|merge]" >&2; exit 2 ;;
    *) build && run "$cmd" ;;
esac
