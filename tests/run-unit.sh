#!/bin/bash
# Run each cmocka unit-test program; print one summary line for the suite.
cd "${SKIFF_ROOT:-.}"
passed=0 failed=0 failed_names=()
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for t in "$@"; do
    log=$(mktemp)
    if timeout 300 "$t" >"$log" 2>&1; then rc=0; else rc=$?; fi
    # cmocka prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)"
    p=$(grep -oE '^\[  PASSED  \] [0-9]+' "$log" | awk '{s+=$NF} END {print s+0}')
    f=$(grep -oE '^\[  FAILED  \] [0-9]+ test' "$log" | awk '{s+=$(NF-1)} END {print s+0}')
    if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi   # crashed or sanitizer abort
    passed=$((passed + p)); failed=$((failed + f))
    if [ "$rc" != 0 ]; then
        failed_names+=("$(basename "$t")")
        echo "---- $(basename "$t") failed (exit $rc) ----"
        tail -n 60 "$log"
    else
        echo "ok   $(basename "$t") ($p tests)"
    fi
    rm -f "$log"
done
[ ${#failed_names[@]} -eq 0 ] || echo "failing programs: ${failed_names[*]}"
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
