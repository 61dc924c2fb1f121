#!/usr/bin/env bash
# Runs every test tier: the plain build (unit, sim, interop), an ASan+UBSan build (unit, sim),
# a valgrind run of an end-to-end call, and the fuzz corpus replay. Used by `make check`.
set -euo pipefail
build=${1:-build}
asan=${2:-build-asan}
jobs=$(nproc 2>/dev/null || echo 2)
cd "$(dirname "$0")/.."

section() { printf '\n=== %s\n' "$*"; }

section "tests (release build)"
ctest --test-dir "$build" --output-on-failure -j"$jobs" -LE interop

section "interop on loopback (sipbeat, SIPp, Kamailio)"
ctest --test-dir "$build" --output-on-failure -L interop

section "ASan + UBSan build"
[ -f "$asan/CMakeCache.txt" ] || cmake -S . -B "$asan" -DCMAKE_BUILD_TYPE=Debug -DSB_SANITIZE=ON >/dev/null
cmake --build "$asan" -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$asan" --output-on-failure -j"$jobs" -LE interop

if [ -x scripts/valgrind.sh ]; then
    section "valgrind: end-to-end calls"
    scripts/valgrind.sh "$build"
fi

if [ -x scripts/fuzz-replay.sh ]; then
    section "fuzz corpus replay"
    scripts/fuzz-replay.sh "$build"
fi

section "format (clang-format, .clang-format)"
git ls-files '*.c' '*.h' | xargs clang-format --dry-run --Werror
echo "formatted"

section "sans-I/O check of the core"
if grep -rnE '\b(clock_gettime|gettimeofday|time|socket|sendto|sendmsg|recvfrom|recvmsg|rand|srand|printf|fprintf|puts)\s*\(' \
    src/base src/sip src/transport src/txn src/dialog src/timer src/engine; then
    echo "the core must not read clocks, touch sockets, draw OS randomness or print" >&2
    exit 1
fi
echo "core is sans-I/O"

section "layers (no include points up)"
scripts/check-layers.sh
