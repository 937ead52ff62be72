#!/bin/bash
# Run the end-to-end tests (pytest) against the real binary; print one
# summary line for the suite. pytest's "no tests ran" (exit 5) is a failure.
cd "${SKIFF_ROOT:-.}"
py=${1:-/usr/bin/python3}
log=$(mktemp)
"$py" -m pytest -q -p no:cacheprovider tests/e2e 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
p=$(grep -oE '[0-9]+ passed' "$log" | tail -1 | awk '{print $1}')
f=$(grep -oE '[0-9]+ (failed|error)' "$log" | awk '{s+=$1} END {print s+0}')
rm -f "$log"
echo "e2e: ${p:-0} passed, ${f:-0} failed"
[ "$rc" -eq 0 ]
