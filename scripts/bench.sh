#!/usr/bin/env bash
# Prints the benchmark figures (not tests): parser, timer heap, setup-time histogram, calls
# through the simulator.
set -euo pipefail
build=${1:-build}
for b in "$build"/bench/bench_*; do
    [ -x "$b" ] || continue
    echo "== $(basename "$b")"
    "$b"
done
