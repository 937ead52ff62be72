#!/bin/bash
# Deployment figures (key=value lines): one agent with the busybox fixture
# image pulled from a local docker-registry; a Deployment of busybox httpd
# at 0 replicas is scaled to N (default 100) with kubectl, and the script
# times how long until the N pods exist (the controllers' part) and until
# N are Running (controllers, scheduler and runtime), polling the API every
# 0.2 s. Also the agent's RSS with the N pods. Afterwards the Deployment
# is deleted and the script waits until its pods are gone (containers
# outlive the agent), then stops the agent and the registry by PID.
#   N=100 bench/bench_deploy.sh       SKIFF_BIN=DIR selects the binary
set -euo pipefail
cd "${SKIFF_ROOT:-$(dirname "$0")/..}"
ROOT=$PWD
BINDIR=${SKIFF_BIN:-$ROOT/bin}
N=${N:-100}
for t in /usr/bin/docker-registry skopeo /bin/busybox /usr/bin/kubectl /usr/bin/python3; do
    command -v "$t" >/dev/null || { echo "bench_deploy: skipped (no $t)"; exit 0; }
done
[ -x "$BINDIR/skiff" ] || { echo "bench_deploy: skipped (no $BINDIR/skiff)"; exit 0; }
exec /usr/bin/python3 - "$BINDIR/skiff" "$N" "$ROOT" <<'PY'
import json, os, shutil, signal, socket, subprocess, sys, tempfile, time

skiff, n, root = sys.argv[1], int(sys.argv[2]), sys.argv[3]
sys.path.insert(0, os.path.join(root, "tests", "fixtures"))
import registry as fx  # noqa: E402

work = tempfile.mkdtemp(prefix="skiff-bench-deploy-")
procs = []


def port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kubectl(*args, input=None, check=True):
    r = subprocess.run(["/usr/bin/kubectl"] + list(args), capture_output=True, text=True,
                       input=input, env=dict(os.environ, KUBECONFIG=kcfg, HOME=work))
    if check and r.returncode:
        raise SystemExit("bench_deploy: kubectl %s: %s" % (" ".join(args), r.stderr.strip()))
    return r.stdout


def pods():
    return json.loads(kubectl("get", "pods", "-l", "app=bench", "-o", "json"))["items"]


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


reg = fx.Registry()
agent = None
kcfg = os.path.join(work, "kubeconfig")
try:
    reg.start()
    layout = os.path.join(work, "oci")
    fx.build_image(layout)
    reg.push(layout, name="busybox:bench")
    image = reg.addr + "/busybox:bench"
    api = port()
    data = os.path.join(work, "data")
    log = open(os.path.join(work, "agent.log"), "wb")
    agent = subprocess.Popen([skiff, "agent", "--data-dir", data, "--node-name", "bench",
                              "--api-listen", "127.0.0.1:%d" % api], stdout=log,
                             stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 15
    while b"agent: ready" not in open(os.path.join(work, "agent.log"), "rb").read():
        if agent.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("bench_deploy: the agent did not start")
        time.sleep(0.05)
    with open(kcfg, "w") as f:
        f.write(subprocess.run([skiff, "kubeconfig", "--data-dir", data, "--server",
                                "https://127.0.0.1:%d" % api], capture_output=True, text=True,
                               check=True).stdout)
    r = subprocess.run([skiff, "image", "pull", image, "--kubeconfig", kcfg],
                       capture_output=True, text=True, env=dict(os.environ, HOME=work))
    if r.returncode:
        raise SystemExit("bench_deploy: image pull failed: " + r.stderr.strip())
    kubectl("apply", "-f", "-", input="""apiVersion: apps/v1
kind: Deployment
metadata: {name: bench}
spec:
  replicas: 0
  selector: {matchLabels: {app: bench}}
  template:
    metadata: {labels: {app: bench}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - {name: httpd, image: %s, imagePullPolicy: IfNotPresent,
         command: [httpd, -f, -p, "8080"]}
""" % image)
    t0 = time.monotonic()
    kubectl("scale", "deployment/bench", "--replicas=%d" % n)
    t_created = t_running = None
    last = -1
    deadline = t0 + 300
    while time.monotonic() < deadline:
        ps = pods()
        now = time.monotonic()
        if t_created is None and len(ps) >= n:
            t_created = now - t0
        running = sum(1 for p in ps if p.get("status", {}).get("phase") == "Running")
        if running >= n:
            t_running = now - t0
            break
        if running != last:
            last, last_change = running, now
        elif now - last_change > 60:
            break  # no progress for a minute
        time.sleep(0.2)
    print("deploy_scale_pods=%d" % n)
    print("deploy_scale_created_s=%s" % ("%.2f" % t_created if t_created else "none"))
    print("deploy_scale_running_s=%s" % ("%.2f" % t_running if t_running else
                                          "none (%d running)" % max(last, 0)))
    print("deploy_agent_rss_kib=%d" % rss_kib(agent.pid))
finally:
    if agent is not None and agent.poll() is None:
        try:
            kubectl("delete", "deployment", "bench", "--wait=false", check=False)
            end = time.monotonic() + 120
            while time.monotonic() < end and pods():
                time.sleep(0.5)
        except Exception as e:  # noqa: BLE001
            print("bench_deploy: cleanup: %s" % e, file=sys.stderr)
        agent.send_signal(signal.SIGTERM)
        try:
            agent.wait(timeout=10)
        except subprocess.TimeoutExpired:
            agent.kill()
            agent.wait()
    reg.stop()
    # pods whose teardown the stop cut short keep their namespace mounts
    # (and, in the worst case, containers) until an agent starts again
    root_runc = os.path.join(work, "data", "runtime", "runc")
    if os.path.isdir(root_runc):
        ids = subprocess.run(["/usr/sbin/runc", "--root", root_runc, "list", "-q"],
                             capture_output=True, text=True).stdout.split()
        for cid in ids:
            subprocess.run(["/usr/sbin/runc", "--root", root_runc, "delete", "--force", cid],
                           capture_output=True)
    with open("/proc/self/mountinfo") as f:
        mounts = [ln.split()[4] for ln in f if ln.split()[4].startswith(work + "/")]
    for m in sorted(mounts, key=len, reverse=True):
        subprocess.run(["umount", "-l", m], capture_output=True)
    shutil.rmtree(work, ignore_errors=True)
PY
