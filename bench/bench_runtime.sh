#!/bin/bash
# Pod runtime figures (key=value lines), all in one run on this machine:
#   - time from creating a pod to Running (image present), p50 and p99 over
#     N pods created one after another, through the API (python client:
#     POST, then a watch until status.phase is Running); then again with a
#     lean client (one keep-alive connection for the POSTs, one watch open
#     throughout, json.loads instead of the client's models), which
#     leaves out the python client's own ~ms per request;
#   - the same image under bare `runc run -d` (a bundle unpacked from the
#     same OCI layout), per container, as the floor;
#   - `ctr run -d` of the same image under containerd, started here with
#     its own root, state and socket under a temp dir and stopped after;
#   - N pods created at once: time until all are Running, and the agent's
#     RSS with them running (plus one shim's RSS and PSS).
# Requires root, runc, busybox-static and the python kubernetes
# client; containerd only for the ctr figure (skipped without it).
# Everything it makes lives under one temp dir and the agent's node name,
# and is removed at the end: pods, runc containers, containerd and its
# shims (by PID), mounts, cgroups.
set -euo pipefail
cd "${SKIFF_ROOT:-$(dirname "$0")/..}"
ROOT=$PWD
SKIFF=${SKIFF_RUNTIME_BIN:-$ROOT/bin/skiff}
N=${N:-100}
RUNC=${RUNC:-/usr/sbin/runc}
PY=${PYTHON:-/usr/bin/python3}
for t in "$RUNC" /bin/busybox "$PY"; do
    command -v "$t" >/dev/null || { echo "bench_runtime: skipped (no $t)"; exit 0; }
done
[ "$(id -u)" = 0 ] || { echo "bench_runtime: skipped (needs root)"; exit 0; }

work=$(mktemp -d /tmp/skiff-bench-rt-XXXXXX)
node=bench-rt-$$
agentpid= ctrdpid=
cleanup() {
    set +e
    if [ -n "$agentpid" ]; then kill -KILL "$agentpid" 2>/dev/null; wait "$agentpid" 2>/dev/null; fi
    for r in "$work/runc-bare" "$work/data/runtime/runc"; do
        [ -d "$r" ] || continue
        for id in $("$RUNC" --root "$r" list -q 2>/dev/null); do
            "$RUNC" --root "$r" delete -f "$id" >/dev/null 2>&1
        done
    done
    # skiff shims and containerd shims started for this run, by PID
    for p in /proc/[0-9]*; do
        cl=$( { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null) || continue
        case "$cl" in *"$work"*) kill -KILL "${p#/proc/}" 2>/dev/null ;; esac
    done
    if [ -n "$ctrdpid" ]; then kill -TERM "$ctrdpid" 2>/dev/null; wait "$ctrdpid" 2>/dev/null; fi
    awk -v w="$work/" 'index($5, w) == 1 {print $5}' /proc/self/mountinfo | sort -r |
        while read -r m; do umount -l "$m" 2>/dev/null; done
    for c in /sys/fs/cgroup/*/"skiff-$node" /sys/fs/cgroup/*/"skiffbench$$"; do
        [ -d "$c" ] && find "$c" -depth -type d -exec rmdir {} + 2>/dev/null
    done
    rm -rf "$work"
}
trap cleanup EXIT

# ---- the image: the busybox fixture as an OCI layout, a docker archive
# for `skiff image import` and ctr, a bundle for bare runc ----
layout=$work/layout
tests/fixtures/make_image.sh "$layout" 1.35 >/dev/null
"$PY" - "$layout" "$work/busybox.tar" <<'PY'
import sys
sys.path.insert(0, "tests/fixtures")
import registry as fx
fx.docker_archive(sys.argv[1], sys.argv[2], "docker.io/library/busybox:1.35")
PY
"$PY" - "$layout" "$work/bundle" "$RUNC" <<'PY'
# the bundle: every layer of the manifest unpacked in order (GNU tar reads
# gzip and zstd by their magic), whiteouts applied, and `runc spec`
import json, os, shutil, subprocess, sys
layout, bundle, runc = sys.argv[1:4]
rootfs = os.path.join(bundle, "rootfs")
os.makedirs(rootfs)
blob = lambda d: os.path.join(layout, "blobs", *d.split(":"))
index = json.load(open(os.path.join(layout, "index.json")))
manifest = json.load(open(blob(index["manifests"][0]["digest"])))
for layer in manifest["layers"]:
    subprocess.run(["tar", "-xf", blob(layer["digest"]), "-C", rootfs], check=True)
    for d, dirs, files in os.walk(rootfs):
        for f in files:
            if f == ".wh..wh..opq":
                os.unlink(os.path.join(d, f))
            elif f.startswith(".wh."):
                os.unlink(os.path.join(d, f))
                target = os.path.join(d, f[4:])
                if os.path.isdir(target) and not os.path.islink(target):
                    shutil.rmtree(target)
                elif os.path.lexists(target):
                    os.unlink(target)
subprocess.run([runc, "spec"], cwd=bundle, check=True)
p = os.path.join(bundle, "config.json")
c = json.load(open(p))
c["process"]["terminal"] = False
c["process"]["args"] = ["sleep", "3600"]
c["root"]["readonly"] = True
json.dump(c, open(p, "w"))
PY

now() { date +%s.%N; }
pct() { # P < values: the P-th percentile (nearest rank)
    sort -g | awk -v p="$1" '{a[NR]=$1} END {i=int((p*NR+99)/100); if (i<1) i=1; print a[i]}'
}

# ---- bare runc ----
# SKIP_BASELINES=1 leaves out bare runc and containerd (for iterating on
# the skiff figures alone; the ratio to runc is then not printed).
if [ -n "${SKIP_BASELINES:-}" ]; then
    runc_p50=0
    echo "runc_run=skipped ctr_run=skipped (SKIP_BASELINES)"
else
mkdir -p "$work/runc-bare"
: >"$work/runc.times"
for i in $(seq 1 "$N"); do
    t0=$(now)
    "$RUNC" --root "$work/runc-bare" run -d --bundle "$work/bundle" "bare-$$-$i" \
        </dev/null >/dev/null 2>&1
    t1=$(now)
    awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}' >>"$work/runc.times"
done
for id in $("$RUNC" --root "$work/runc-bare" list -q); do
    "$RUNC" --root "$work/runc-bare" delete -f "$id" >/dev/null 2>&1
done
runc_p50=$(pct 50 <"$work/runc.times")
runc_p99=$(pct 99 <"$work/runc.times")
echo "runc_run_p50_s=$runc_p50"
echo "runc_run_p99_s=$runc_p99"
fi

# ---- containerd: ctr run ----
if [ -n "${SKIP_BASELINES:-}" ]; then
    :
elif [ -z "${SKIP_CTR:-}" ] && command -v containerd >/dev/null && command -v ctr >/dev/null; then
    sock=$work/ctrd/containerd.sock
    mkdir -p "$work/ctrd"
    cat >"$work/ctrd/config.toml" <<EOF
version = 2
root = "$work/ctrd/root"
state = "$work/ctrd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$sock"
[plugins."io.containerd.runtime.v1.linux"]
  runtime = "$RUNC"
EOF
    containerd -c "$work/ctrd/config.toml" >"$work/ctrd/log" 2>&1 &
    ctrdpid=$!
    for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
    ctr() { command ctr -a "$sock" -n "skiffbench$$" "$@"; }
    ctr images import "$work/busybox.tar" >/dev/null
    : >"$work/ctr.times"
    for i in $(seq 1 "$N"); do
        t0=$(now)
        ctr run -d docker.io/library/busybox:1.35 "ctr-$i" sleep 3600 >/dev/null
        t1=$(now)
        awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}' >>"$work/ctr.times"
    done
    for i in $(seq 1 "$N"); do
        ctr task kill -s KILL "ctr-$i" >/dev/null 2>&1 || true
    done
    sleep 1
    for i in $(seq 1 "$N"); do
        ctr task rm -f "ctr-$i" >/dev/null 2>&1 || true
        ctr containers rm "ctr-$i" >/dev/null 2>&1 || true
    done
    echo "ctr_run_p50_s=$(pct 50 <"$work/ctr.times")"
    echo "ctr_run_p99_s=$(pct 99 <"$work/ctr.times")"
    kill -TERM "$ctrdpid" 2>/dev/null || true
    wait "$ctrdpid" 2>/dev/null || true
    ctrdpid=
else
    echo "ctr_run=skipped (SKIP_CTR set, or no containerd: apt-get install containerd)"
fi

# ---- skiff ----
"$SKIFF" image import "$work/busybox.tar" --data-dir "$work/data" >/dev/null
port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$SKIFF" agent --data-dir "$work/data" --node-name "$node" --api-listen "127.0.0.1:$port" \
    >"$work/agent.log" 2>&1 &
agentpid=$!
for _ in $(seq 200); do grep -q "agent: ready" "$work/agent.log" && break; sleep 0.05; done
"$SKIFF" kubeconfig --data-dir "$work/data" --server "https://127.0.0.1:$port" >"$work/kubeconfig"

RUNC="$RUNC" "$PY" - "$work/kubeconfig" "$N" "$node" "$agentpid" "$runc_p50" "$work" <<'PY'
import os, subprocess, sys, threading, time
from kubernetes import client, config, watch

kc, n, node, agentpid = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
runc_p50, work = float(sys.argv[5]), sys.argv[6]
config.load_kube_config(kc)
v1 = client.CoreV1Api()


def pod(name):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": {"b": "1"}},
            "spec": {"nodeName": node, "terminationGracePeriodSeconds": 0,
                     "containers": [{"name": "c", "image": "busybox:1.35",
                                     "command": ["sleep", "3600"]}]}}


def running(p):
    return p.status is not None and p.status.phase == "Running"


def pct(vals, p):
    s = sorted(vals)
    return s[max(0, min(len(s) - 1, (p * len(s) + 99) // 100 - 1))]


def wait_running(names, deadline):
    """Watch until every name is Running; returns {name: time seen}."""
    left, seen = set(names), {}
    lst = v1.list_namespaced_pod("default", label_selector="b=1")
    for p in lst.items:
        if p.metadata.name in left and running(p):
            seen[p.metadata.name] = time.monotonic()
            left.discard(p.metadata.name)
    rv = lst.metadata.resource_version
    w = watch.Watch()
    while left and time.monotonic() < deadline:
        for ev in w.stream(v1.list_namespaced_pod, "default", label_selector="b=1",
                           resource_version=rv, timeout_seconds=5):
            p = ev["object"]
            rv = p.metadata.resource_version
            if p.metadata.name in left and running(p):
                seen[p.metadata.name] = time.monotonic()
                left.discard(p.metadata.name)
                if not left:
                    w.stop()
                    break
    if left:
        for nm in sorted(left)[:3]:
            st = v1.read_namespaced_pod(nm, "default").status
            print("bench_runtime: %s not Running: phase=%s %s" % (nm, st.phase,
                  [(c.name, c.state) for c in (st.container_statuses or [])]), file=sys.stderr)
        raise SystemExit("bench_runtime: pods not Running in time: %s" % sorted(left)[:5])
    return seen


def delete_all():
    v1.delete_collection_namespaced_pod("default", label_selector="b=1", grace_period_seconds=0)
    end = time.monotonic() + 120
    while v1.list_namespaced_pod("default", label_selector="b=1").items:
        if time.monotonic() > end:
            raise SystemExit("bench_runtime: pods not deleted in time")
        time.sleep(0.2)


# one after another; with INTERLEAVE=1 (the default when the baselines
# ran) each pod follows one bare `runc run -d` timed the same way, so that
# the ratio holds on a machine whose load changes during the run
interleave = runc_p50 > 0 and os.environ.get("INTERLEAVE", "1") == "1"
runc_bin, runc_root = os.environ.get("RUNC", "/usr/sbin/runc"), os.path.join(work, "runc-bare")


def bare_runc(cid):
    """One bare `runc run -d`, timed from this process as the pods are."""
    t0 = time.monotonic()
    subprocess.run([runc_bin, "--root", runc_root, "run", "-d", "--bundle",
                    os.path.join(work, "bundle"), "%s-%d" % (cid, os.getpid())],
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    return time.monotonic() - t0


def report(what, times, rtimes):
    """Print a series' p50/p99 and its ratios; remove the bare containers."""
    p50 = pct(times, 50)
    print("skiff_pod_running%s_p50_s=%.4f" % (what, p50))
    print("skiff_pod_running%s_p99_s=%.4f" % (what, pct(times, 99)))
    if runc_p50 > 0:
        print("skiff%s_p50_vs_runc_p50=%.2fx" % (what, p50 / runc_p50))
    if rtimes:
        r50 = pct(rtimes, 50)
        print("runc_run_interleaved%s_p50_s=%.4f" % ("2" if what else "", r50))
        print("skiff%s_p50_vs_interleaved_runc_p50=%.2fx" % (what, p50 / r50))
        ids = subprocess.run([runc_bin, "--root", runc_root, "list", "-q"],
                             capture_output=True, text=True).stdout.split()
        for cid in ids:
            subprocess.run([runc_bin, "--root", runc_root, "delete", "-f", cid],
                           capture_output=True)


times, rtimes = [], []
for i in range(n):
    if interleave:
        rtimes.append(bare_runc("il-%d" % i))
    name = "seq-%d" % i
    t0 = time.monotonic()
    v1.create_namespaced_pod("default", pod(name))
    seen = wait_running([name], t0 + 60)
    times.append(seen[name] - t0)
report("", times, rtimes)
delete_all()

# all at once
names = ["all-%d" % i for i in range(n)]
t0 = time.monotonic()
for nm in names:
    v1.create_namespaced_pod("default", pod(nm))
t_created = time.monotonic() - t0
seen = wait_running(names, t0 + 300)
print("skiff_%d_pods_created_s=%.3f" % (n, t_created))
print("skiff_%d_pods_all_running_s=%.3f" % (n, max(seen.values()) - t0))
time.sleep(2)
with open("/proc/%d/status" % agentpid) as f:
    st = dict(l.split(":", 1) for l in f if ":" in l)
print("agent_rss_kib_with_%d_pods=%s" % (n, st["VmRSS"].split()[0]))
# anonymous (heap) against file-backed (the binary, libraries, LMDB's map)
print("agent_rss_anon_kib=%s agent_rss_file_kib=%s" % (st["RssAnon"].split()[0],
                                                     st["RssFile"].split()[0]))
# where the agent's RSS is, by mapping (docs/architecture.md, "Memory")
rss = {"heap": 0, "anon_other": 0, "lmdb": 0, "binary": 0, "libs": 0, "other": 0}
exe = os.path.realpath("/proc/%d/exe" % agentpid)
with open("/proc/%d/smaps" % agentpid) as f:
    name = None
    for line in f:
        parts = line.split()
        if "-" in parts[0] and not parts[0].endswith(":"):
            path = parts[5] if len(parts) > 5 else ""
            name = ("heap" if path == "[heap]" else "anon_other" if path in ("", "[stack]")
                    else "lmdb" if path.endswith(".mdb") else "binary" if path == exe
                    else "libs" if ".so" in path else "other")
        elif parts[0] == "Rss:" and name:
            rss[name] += int(parts[1])
print(" ".join("agent_rss_%s_kib=%d" % kv for kv in rss.items()))
# one shim's own cost
for p in os.listdir("/proc"):
    if not p.isdigit():
        continue
    try:
        with open("/proc/%s/comm" % p) as f:
            if f.read().strip() != "skiff-shim":
                continue
        with open("/proc/%s/cmdline" % p) as f:
            if work not in f.read():
                continue
        with open("/proc/%s/smaps_rollup" % p) as f:
            kv = {l.split(":")[0]: l.split()[1] for l in f if ":" in l}
        print("shim_rss_kib=%s shim_pss_kib=%s" % (kv.get("Rss"), kv.get("Pss")))
        break
    except OSError:
        continue
delete_all()

# The one-by-one figure again with a lean client, interleaved with bare
# runc again, after the RSS figure (so that it is taken as in earlier
# runs, with the agent's store having seen 200 pods, not 300) and with no
# other pods running, as for the python client's series. The
# python client spends milliseconds of its own per pod (building the
# request, turning answers into model objects, a new TLS connection for
# every watch); here one keep-alive connection POSTs and one watch, open
# before the first pod, sees each pod turn Running.
import http.client, json, socket, ssl, urllib.parse
cfg = client.Configuration.get_default_copy()
u = urllib.parse.urlsplit(cfg.host)
sslctx = ssl.create_default_context(cafile=cfg.ssl_ca_cert)
auth = cfg.api_key.get("authorization") or cfg.api_key.get("BearerToken") or ""
hdrs = {"Authorization": auth if auth.startswith("Bearer") else "Bearer " + auth,
        "Content-Type": "application/json", "Accept": "application/json"}
post = http.client.HTTPSConnection(u.hostname, u.port, context=sslctx)
wconn = http.client.HTTPSConnection(u.hostname, u.port, context=sslctx)
wconn.request("GET", "/api/v1/namespaces/default/pods?watch=1&labelSelector=b%3D1",
              headers=hdrs)
wresp = wconn.getresponse()
seen_raw, cond = {}, threading.Condition()


def watcher():
    try:
        lines = list_lines()
    except OSError:
        return
    for line in lines:
        ev = json.loads(line)
        o = ev.get("object", {})
        if (o.get("status") or {}).get("phase") == "Running":
            with cond:
                seen_raw.setdefault(o["metadata"]["name"], time.monotonic())
                cond.notify_all()


def list_lines():
    try:
        for line in wresp:
            yield line
    except (OSError, ValueError, http.client.HTTPException):
        return  # the watch ends when the bench shuts its socket


wthread = threading.Thread(target=watcher, daemon=True)
wthread.start()
ltimes, lrtimes = [], []
for i in range(n):
    if interleave:
        lrtimes.append(bare_runc("il2-%d" % i))
    name = "lean-%d" % i
    body = json.dumps(pod(name))
    t0 = time.monotonic()
    post.request("POST", "/api/v1/namespaces/default/pods", body=body, headers=hdrs)
    r = post.getresponse()
    r.read()
    if r.status != 201:
        raise SystemExit("bench_runtime: create %s: HTTP %d" % (name, r.status))
    with cond:
        if not cond.wait_for(lambda: name in seen_raw, 60):
            raise SystemExit("bench_runtime: %s not Running in time (lean client)" % name)
    ltimes.append(seen_raw[name] - t0)
# the watcher thread is blocked reading: end its socket under it first
wconn.sock.shutdown(socket.SHUT_RDWR)
wthread.join(10)
wconn.close()
post.close()
report("_lean", ltimes, lrtimes)
delete_all()
PY
