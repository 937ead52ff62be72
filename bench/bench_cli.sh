#!/bin/bash
# `skiff get pods` against `kubectl get pods` with 100 pods, end to end, on
# a fresh agent (the runtime and image plugins off so that nothing else
# runs). Uses hyperfine when installed, else a loop of N runs each. Prints
# key=value lines: the mean wall time of each and the ratio.
set -eu
cd "${SKIFF_ROOT:-$(dirname "$0")/..}"
BIN=${SKIFF_BIN:-bin}
SKIFF=$(readlink -f "$BIN/skiff")
KUBECTL=${KUBECTL:-/usr/bin/kubectl}
RUNS=${RUNS:-30}
PODS=${PODS:-100}

tmp=$(mktemp -d /tmp/skiff-bench-cli-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$tmp/skiff.yaml" <<EOF
plugins:
  runtime: {enabled: false}
  images: {enabled: false}
EOF
"$SKIFF" agent --config "$tmp/skiff.yaml" --data-dir "$tmp/data" --node-name bench \
    --api-listen "127.0.0.1:$port" >"$tmp/agent.log" 2>&1 &
agent=$!
cleanup() {
    kill "$agent" 2>/dev/null || true
    wait "$agent" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
for _ in $(seq 100); do
    grep -q "agent: ready" "$tmp/agent.log" 2>/dev/null && break
    sleep 0.1
done
grep -q "agent: ready" "$tmp/agent.log" || { echo "agent did not start:"; cat "$tmp/agent.log"; exit 1; }
"$SKIFF" kubeconfig --data-dir "$tmp/data" --server "https://127.0.0.1:$port" >"$tmp/kubeconfig"
export KUBECONFIG=$tmp/kubeconfig HOME=$tmp

# 100 pods in one List
{
    echo "apiVersion: v1"
    echo "kind: List"
    echo "items:"
    for i in $(seq "$PODS"); do
        cat <<EOF
- apiVersion: v1
  kind: Pod
  metadata: {name: bench-$i, labels: {app: bench}}
  spec:
    containers:
    - {name: c, image: "busybox:1.36", command: [sleep, "3600"]}
EOF
    done
} >"$tmp/pods.yaml"
"$KUBECTL" create --validate=false -f "$tmp/pods.yaml" >/dev/null
n=$("$SKIFF" get pods --no-headers | wc -l)
[ "$n" = "$PODS" ] || { echo "expected $PODS pods, skiff lists $n"; exit 1; }
n=$("$KUBECTL" get pods --no-headers | wc -l)
[ "$n" = "$PODS" ] || { echo "expected $PODS pods, kubectl lists $n"; exit 1; }

# Both tools run warm, as a user's second command does: kubectl with its
# discovery cache under $HOME/.kube/cache, skiff with its TLS session
# there. skiff's cold run (no cached session: full handshake, CA parsed)
# is measured too.
if command -v hyperfine >/dev/null; then
    hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$tmp/h.json" \
        "$SKIFF get pods" "$KUBECTL get pods" >/dev/null 2>&1
    KUBECACHEDIR=$tmp/cold hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$tmp/c.json" \
        --prepare "rm -rf $tmp/cold" "$SKIFF get pods" >/dev/null 2>&1
    python3 - "$tmp/h.json" "$tmp/c.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
s, k = r[0], r[1]
c = json.load(open(sys.argv[2]))["results"][0]
print("tool=hyperfine runs=%d" % len(s["times"]))
print("skiff_cold_get_pods_mean_ms=%.1f median_ms=%.1f user_ms=%.1f sys_ms=%.1f" % (
    c["mean"] * 1e3, c["median"] * 1e3, c["user"] * 1e3, c["system"] * 1e3))
print("skiff_get_pods_mean_ms=%.1f median_ms=%.1f user_ms=%.1f sys_ms=%.1f" % (
    s["mean"] * 1e3, s["median"] * 1e3, s["user"] * 1e3, s["system"] * 1e3))
print("kubectl_get_pods_mean_ms=%.1f median_ms=%.1f user_ms=%.1f sys_ms=%.1f" % (
    k["mean"] * 1e3, k["median"] * 1e3, k["user"] * 1e3, k["system"] * 1e3))
print("ratio_mean=%.1f ratio_median=%.1f ratio_cpu=%.1f (goal >= 10)" % (
    k["mean"] / s["mean"], k["median"] / s["median"],
    (k["user"] + k["system"]) / (s["user"] + s["system"])))
EOF
else
    t() {
        local start end
        start=$(date +%s%N)
        for _ in $(seq "$RUNS"); do "$@" >/dev/null; done
        end=$(date +%s%N)
        echo $(((end - start) / RUNS / 1000))
    }
    s=$(t "$SKIFF" get pods)
    k=$(t "$KUBECTL" get pods)
    echo "tool=loop runs=$RUNS"
    echo "skiff_get_pods_mean_ms=$(awk "BEGIN{printf \"%.1f\", $s/1000}")"
    echo "kubectl_get_pods_mean_ms=$(awk "BEGIN{printf \"%.1f\", $k/1000}")"
    echo "ratio_mean=$(awk "BEGIN{printf \"%.1f\", $k/$s}") (goal >= 10)"
fi
# Deterministic figures, whatever else the machine is doing: instructions
# (callgrind) and page faults (perf) of one warm and one cold run. INSTR=0
# skips them.
if [ "${INSTR:-1}" != 0 ] && command -v valgrind >/dev/null; then
    instr() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
        sed -n 's/.*Collected : //p'; }
    echo "skiff_get_pods_instructions=$(instr "$SKIFF" get pods)"
    rm -rf "$tmp/cold"
    echo "skiff_cold_get_pods_instructions=$(KUBECACHEDIR=$tmp/cold instr "$SKIFF" get pods)"
fi
if [ "${INSTR:-1}" != 0 ] && command -v perf >/dev/null; then
    faults() { perf stat -x, -e page-faults "$@" 2>&1 >/dev/null |
        sed -n 's/^\([0-9]*\),.*page-faults.*/\1/p'; }
    echo "skiff_get_pods_page_faults=$(faults "$SKIFF" get pods)"
    rm -rf "$tmp/cold"
    echo "skiff_cold_get_pods_page_faults=$(KUBECACHEDIR=$tmp/cold faults "$SKIFF" get pods)"
fi
echo "load_average=$(cut -d' ' -f1-3 /proc/loadavg)"
