#!/bin/bash
# Footprint of the agent: idle RSS with every plugin loaded, stripped binary
# size, and the shared libraries it links.
set -eu
cd "${SKIFF_ROOT:-.}"
BIN=${SKIFF_BIN:-bin}
tmp=$(mktemp -d)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
"$BIN/skiff" agent --data-dir "$tmp/data" --node-name bench --plugin-dir "$tmp/none" \
    >"$tmp/log" 2>&1 &
pid=$!
for _ in $(seq 200); do grep -q "agent: ready" "$tmp/log" && break; sleep 0.05; done
grep -q "agent: ready" "$tmp/log" || { echo "agent did not start"; cat "$tmp/log"; exit 1; }
sleep 1 # idle
plugins=$(grep -c "loaded plugin=" "$tmp/log")
rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
pss=$(awk '/^Pss:/ {s+=$2} END {print s}' /proc/$pid/smaps_rollup 2>/dev/null || echo "?")
echo "agent.plugins_loaded=$plugins"
echo "agent.idle_rss_kib=$rss"
echo "agent.idle_pss_kib=$pss"
cp "$BIN/skiff" "$tmp/skiff.stripped" && strip "$tmp/skiff.stripped"
echo "binary.size_bytes=$(stat -c %s "$BIN/skiff")"
echo "binary.stripped_size_bytes=$(stat -c %s "$tmp/skiff.stripped")"
echo "binary.ldd_libs=$(ldd "$BIN/skiff" | wc -l)"
ldd "$BIN/skiff" | sed 's/^/  ldd: /'
t0=$(date +%s.%N)
kill -TERM $pid; wait $pid || true
t1=$(date +%s.%N)
echo "agent.stop_seconds=$(awk "BEGIN {printf \"%.3f\", $t1 - $t0}")"
