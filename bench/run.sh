#!/bin/bash
# Run every benchmark and print its figures as key=value lines. These are
# measurements for the closing notes, not pass/fail tests.
set -u
cd "${SKIFF_ROOT:-.}"
B=${B:-build}
for b in bench/bench_*.sh; do
    [ -x "$b" ] && { echo "== $b"; "$b"; }
done
for b in "$B"/bench/bench_*; do
    [ -x "$b" ] && { echo "== $b"; "$b"; }
done
