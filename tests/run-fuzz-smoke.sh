#!/bin/bash
# Run each libFuzzer target briefly over its seed corpus plus fresh inputs,
# so a regression that crashes a decoder fails `make test`.
cd "${SKIFF_ROOT:-.}"
secs=${FUZZ_SECONDS:-10}
passed=0 failed=0
for f in "$@"; do
    name=$(basename "$f")
    corpus=tests/fuzz/corpus/$name
    work=$(mktemp -d)
    [ -d "$corpus" ] && cp -r "$corpus"/. "$work"/ 2>/dev/null
    log=$(mktemp)
    if "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$work/" \
        "$work" >"$log" 2>&1; then
        passed=$((passed + 1)); echo "ok   $name ($(grep -oE 'Done [0-9]+ runs' "$log" | tail -1))"
    else
        failed=$((failed + 1)); echo "---- $name found a failure ----"; tail -n 40 "$log"
        ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* 2>/dev/null
    fi
    rm -rf "$work" "$log"
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
