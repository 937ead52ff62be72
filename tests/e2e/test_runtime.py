"""End-to-end tests of the pod runtime (plugins/runtime): real pods from
the busybox fixture image, served by Debian's docker-registry on
127.0.0.1, run under the real runc, driven with kubectl. Each test's agent
has its own data dir and node name; whatever the test leaves (runc
containers, mounts, cgroups) is removed by PID, path and name at the end."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
import registry as fx  # noqa: E402
from conftest import scrub_runtime, wait_for  # noqa: E402

RUNC = "/usr/sbin/runc"

needs_tools = pytest.mark.skipif(
    not (os.path.exists("/usr/bin/docker-registry") and shutil.which("skopeo")
         and os.path.exists("/bin/busybox") and os.path.exists(RUNC) and os.geteuid() == 0),
    reason="needs root, runc, docker-registry, skopeo and busybox-static")


@pytest.fixture(scope="module")
def reg():
    d = tempfile.mkdtemp(prefix="skiff-rtimg-")
    layout = os.path.join(d, "oci")
    fx.build_image(layout)
    with fx.Registry() as r:
        r.push(layout)
        yield r
    shutil.rmtree(d, ignore_errors=True)


def runc_root(a):
    return os.path.join(a.data_dir, "runtime", "runc")


def runc_ids(a):
    r = subprocess.run([RUNC, "--root", runc_root(a), "list", "-q"], capture_output=True,
                       text=True, timeout=30)
    return [x for x in r.stdout.split() if x]


def mounts_under(path):
    with open("/proc/self/mountinfo") as f:
        return [ln.split()[4] for ln in f if ln.split()[4].startswith(path)]


def cgroups_of(node):
    """Pod cgroups the agent made, under every v1 controller."""
    found = []
    for ctl in os.listdir("/sys/fs/cgroup"):
        d = os.path.join("/sys/fs/cgroup", ctl, "skiff-" + node)
        if os.path.isdir(d):
            found += [os.path.join(d, x) for x in os.listdir(d)
                      if os.path.isdir(os.path.join(d, x))]
    return found


def scrub(a, node):
    """Remove what a test's agent left: containers, mounts, cgroups."""
    if a.proc and a.proc.poll() is None:
        a.proc.kill()
        a.proc.wait()
    scrub_runtime(a.dir, a.data_dir, node)


@pytest.fixture
def agent(agent_factory):
    node = "rt-" + uuid.uuid4().hex[:8]
    a = agent_factory(name=node)
    a.node = node
    a.start()
    yield a
    scrub(a, node)


def pod_yaml(a, reg, name, containers, init=None, restart="Always", extra=""):
    doc = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
           "spec": {"nodeName": a.node, "restartPolicy": restart,
                    "terminationGracePeriodSeconds": 2, "containers": containers}}
    if init:
        doc["spec"]["initContainers"] = init
    for c in containers + (init or []):
        c.setdefault("image", "%s/busybox:latest" % reg.addr)
    return json.dumps(doc)


def apply(a, text):
    r = a.kubectl("apply", "-f", "-", input=text)
    assert r.returncode == 0, r.stderr


def pod(a, name):
    r = a.kubectl("get", "pod", name, "-o", "json")
    return json.loads(r.stdout) if r.returncode == 0 else None


def status(a, name):
    p = pod(a, name)
    return p.get("status", {}) if p else {}


def cstatus(a, name, ctr, init=False):
    for s in status(a, name).get("initContainerStatuses" if init else "containerStatuses", []):
        if s["name"] == ctr:
            return s
    return {}


def events(a, name):
    r = a.kubectl("get", "events", "--field-selector", "involvedObject.name=" + name,
                  "-o", "json")
    return json.loads(r.stdout)["items"] if r.returncode == 0 else []


def reasons(a, name):
    return [e["reason"] for e in events(a, name)]


def wait_phase(a, name, phase, timeout=60):
    return wait_for(lambda: status(a, name).get("phase") == phase, timeout,
                    "pod %s phase %s (now %s)" % (name, phase, json.dumps(status(a, name))))


@needs_tools
def test_shared_localhost_after_init(agent, reg):
    apply(agent, pod_yaml(agent, reg, "web", init=[
        {"name": "init", "command": ["sh", "-c", "sleep 1; echo init done"]}], containers=[
        {"name": "server", "command": ["httpd", "-f", "-p", "8080", "-h", "/etc"]},
        {"name": "client", "command": ["sh", "-c",
                                       "until wget -q -O- http://127.0.0.1:8080/hostname; "
                                       "do sleep 0.2; done; sleep 3600"]}]))
    wait_phase(agent, "web", "Running")
    init = cstatus(agent, "web", "init", init=True)
    assert init["state"]["terminated"]["reason"] == "Completed"
    assert init["state"]["terminated"]["exitCode"] == 0
    started = cstatus(agent, "web", "server")["state"]["running"]["startedAt"]
    assert started >= init["state"]["terminated"]["finishedAt"]
    # the client fetched the pod's /etc/hostname from the server over loopback;
    # earlier attempts may have logged "connection refused" while httpd started
    wait_for(lambda: agent.kubectl("logs", "web", "-c", "client").stdout.splitlines()[-1:] ==
             ["web"], 30, "client output")
    st = status(agent, "web")
    conds = {c["type"]: c["status"] for c in st["conditions"]}
    assert conds["Initialized"] == "True" and conds["Ready"] == "True", st["conditions"]
    assert st["qosClass"] == "BestEffort"
    assert st["hostIP"] and st["startTime"]
    assert "podIP" not in st
    for c in st["containerStatuses"]:
        assert c["ready"] and c["started"] and c["restartCount"] == 0
        assert c["containerID"].startswith("runc://")
        assert "@sha256:" in c["imageID"]
    assert {"Pulled", "Created", "Started"} <= set(reasons(agent, "web"))


@needs_tools
def test_restart_policies(agent, reg):
    exit3 = [{"name": "c", "command": ["sh", "-c", "exit 3"]}]
    apply(agent, pod_yaml(agent, reg, "never", exit3, restart="Never"))
    apply(agent, pod_yaml(agent, reg, "onfail", exit3, restart="OnFailure"))
    ok = [{"name": "c", "command": ["sh", "-c", "echo bye"]}]
    apply(agent, pod_yaml(agent, reg, "onfail-ok", ok, restart="OnFailure"))
    apply(agent, pod_yaml(agent, reg, "always", ok, restart="Always"))
    wait_phase(agent, "never", "Failed")
    t = cstatus(agent, "never", "c")
    assert t["state"]["terminated"]["exitCode"] == 3
    assert t["state"]["terminated"]["reason"] == "Error"
    assert t["restartCount"] == 0
    wait_phase(agent, "onfail-ok", "Succeeded")
    assert cstatus(agent, "onfail-ok", "c")["restartCount"] == 0
    assert cstatus(agent, "onfail-ok", "c")["state"]["terminated"]["reason"] == "Completed"
    # failing under OnFailure and exiting 0 under Always both restart, with back-off
    for name in ("onfail", "always"):
        wait_for(lambda: cstatus(agent, name, "c").get("restartCount", 0) >= 1, 30,
                 name + " restarted")
        wait_for(lambda: cstatus(agent, name, "c").get("state", {}).get("waiting", {})
                 .get("reason") == "CrashLoopBackOff", 30, name + " CrashLoopBackOff")
        s = cstatus(agent, name, "c")
        assert "terminated" in s["lastState"]
        assert status(agent, name)["phase"] == "Running"
    assert cstatus(agent, "onfail", "c")["lastState"]["terminated"]["exitCode"] == 3
    assert "BackOff" in reasons(agent, "onfail")


@needs_tools
def test_oom_killed(agent, reg):
    apply(agent, pod_yaml(agent, reg, "oom", [
        {"name": "hog", "command": ["dd", "if=/dev/zero", "of=/dev/null", "bs=256M", "count=1"],
         "resources": {"limits": {"memory": "16Mi"}}}], restart="Never"))
    wait_phase(agent, "oom", "Failed")
    t = cstatus(agent, "oom", "hog")["state"]["terminated"]
    assert t["reason"] == "OOMKilled", t
    assert t["exitCode"] == 137
    assert status(agent, "oom")["qosClass"] == "Burstable"


@needs_tools
def test_bad_input_reasons(agent, reg):
    apply(agent, pod_yaml(agent, reg, "noimage", [
        {"name": "c", "image": "%s/nosuch:latest" % reg.addr}]))
    apply(agent, pod_yaml(agent, reg, "nocmd", [
        {"name": "c", "command": ["/no/such/command"]}], restart="Never"))
    apply(agent, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"},'
                 '"data":{"present":"yes"}}')
    apply(agent, pod_yaml(agent, reg, "nokey", [
        {"name": "c", "command": ["sleep", "3600"],
         "env": [{"name": "X", "valueFrom": {"configMapKeyRef": {"name": "cm",
                                                                  "key": "absent"}}}]}]))
    apply(agent, pod_yaml(agent, reg, "healthy", [{"name": "c", "command": ["sleep", "3600"]}]))
    wait_for(lambda: cstatus(agent, "noimage", "c").get("state", {}).get("waiting", {})
             .get("reason") in ("ErrImagePull", "ImagePullBackOff"), 60, "ErrImagePull")
    wait_for(lambda: cstatus(agent, "noimage", "c").get("state", {}).get("waiting", {})
             .get("reason") == "ImagePullBackOff", 30, "ImagePullBackOff")
    assert "Failed" in reasons(agent, "noimage") and "BackOff" in reasons(agent, "noimage")
    wait_phase(agent, "nocmd", "Failed")
    t = cstatus(agent, "nocmd", "c")["state"]["terminated"]
    assert t["reason"] == "StartError" and t["exitCode"] == 128, t
    assert "/no/such/command" in t["message"]
    wait_for(lambda: cstatus(agent, "nokey", "c").get("state", {}).get("waiting", {})
             .get("reason") == "CreateContainerConfigError", 60, "CreateContainerConfigError")
    w = cstatus(agent, "nokey", "c")["state"]["waiting"]
    assert w["message"] == "couldn't find key absent in ConfigMap default/cm"
    # none of it harmed the other pod
    wait_phase(agent, "healthy", "Running")
    assert cstatus(agent, "healthy", "c")["restartCount"] == 0


@needs_tools
def test_delete_cleans_up(agent, reg):
    apply(agent, pod_yaml(agent, reg, "gone", [
        {"name": "a", "command": ["sleep", "3600"]},
        {"name": "b", "command": ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]}]))
    wait_phase(agent, "gone", "Running")
    assert len(runc_ids(agent)) == 2
    assert mounts_under(agent.data_dir)
    assert cgroups_of(agent.node)
    r = agent.kubectl("delete", "pod", "gone", "--grace-period=2", timeout=60)
    assert r.returncode == 0, r.stderr
    wait_for(lambda: pod(agent, "gone") is None, 30, "pod gone from the store")
    assert runc_ids(agent) == []
    assert mounts_under(agent.data_dir) == []
    assert cgroups_of(agent.node) == []
    assert os.listdir(os.path.join(agent.data_dir, "runtime", "pods")) == []
    assert "Killing" in reasons(agent, "gone")


@needs_tools
def test_agent_sigkill_adopts(agent, reg):
    names = ["p%d" % i for i in range(10)]
    for n in names:
        apply(agent, pod_yaml(agent, reg, n, [
            {"name": "c", "command": ["sh", "-c", "i=0; while :; do echo line $i; i=$((i+1)); "
                                                  "sleep 0.2; done"]}]))
    for n in names:
        wait_phase(agent, n, "Running", timeout=120)
    before = {n: cstatus(agent, n, "c")["containerID"] for n in names}
    agent.kill(signal.SIGKILL)
    agent.proc.wait()
    time.sleep(1)  # the containers go on without the agent
    assert len(runc_ids(agent)) == 10
    agent.start()
    time.sleep(2)
    for n in names:
        s = cstatus(agent, n, "c")
        assert s["containerID"] == before[n]
        assert s["restartCount"] == 0
        assert "running" in s["state"]
        assert status(agent, n)["phase"] == "Running"
    # logs continue across the restart: the counter keeps rising with no gap
    out = agent.kubectl("logs", "p0").stdout.split("\n")
    nums = [int(x.split()[1]) for x in out if x.startswith("line ")]
    assert nums == list(range(nums[0], nums[0] + len(nums))) and len(nums) > 10
    # and the adopted containers are still ours to stop
    r = agent.kubectl("delete", "pod", "p3", "--grace-period=1", timeout=60)
    assert r.returncode == 0, r.stderr
    wait_for(lambda: pod(agent, "p3") is None, 30, "p3 deleted")
    assert len(runc_ids(agent)) == 9


def log_file(a, name, ctr, attempt=0):
    p = pod(a, name)
    uid = p["metadata"]["uid"] if p else "?"
    return os.path.join(a.data_dir, "pods", "default_%s_%s" % (name, uid), ctr,
                        "%d.log" % attempt)


@needs_tools
def test_probes_and_prestop(agent, reg):
    apply(agent, pod_yaml(agent, reg, "live", [
        {"name": "c", "command": ["sh", "-c", "touch /tmp/healthy; sleep 2; rm /tmp/healthy; "
                                              "sleep 3600"],
         "livenessProbe": {"exec": {"command": ["cat", "/tmp/healthy"]},
                           "periodSeconds": 1, "failureThreshold": 1}}]))
    apply(agent, pod_yaml(agent, reg, "ready", [
        {"name": "c", "command": ["sh", "-c", "mkdir /tmp/www; (sleep 6; echo ok > /tmp/www/r; "
                                              "sleep 6; rm /tmp/www/r) & "
                                              "exec httpd -f -p 8080 -h /tmp/www"],
         "readinessProbe": {"httpGet": {"path": "/r", "port": 8080}, "periodSeconds": 1}}]))
    apply(agent, pod_yaml(agent, reg, "stop", [
        {"name": "c", "command": ["sh", "-c", "trap 'echo got TERM; sleep 1; exit 0' TERM; "
                                              "while :; do sleep 0.1; done"],
         "lifecycle": {"preStop": {"exec": {"command": [
             "sh", "-c", "echo prestop > /proc/1/fd/1"]}}}}]))
    # readiness: not ready, then ready, then not ready again
    def ready_cond():
        return {c["type"]: c["status"]
                for c in status(agent, "ready").get("conditions", [])}.get("Ready")
    wait_phase(agent, "ready", "Running")
    assert ready_cond() == "False"
    wait_for(lambda: ready_cond() == "True", 30, "Ready=True")
    assert cstatus(agent, "ready", "c")["ready"]
    wait_for(lambda: ready_cond() == "False", 30, "Ready=False again")
    assert cstatus(agent, "ready", "c")["restartCount"] == 0
    # liveness: restarted once the file is gone
    wait_for(lambda: cstatus(agent, "live", "c").get("restartCount", 0) >= 1, 60,
             "liveness restart")
    msgs = [e["message"] for e in events(agent, "live") if e["reason"] == "Killing"]
    assert "Container c failed liveness probe, will be restarted" in msgs, msgs
    assert "Unhealthy" in reasons(agent, "live")
    # preStop runs before SIGTERM
    wait_phase(agent, "stop", "Running")
    lf = log_file(agent, "stop", "c")
    r = agent.kubectl("delete", "pod", "stop", "--wait=false")
    assert r.returncode == 0, r.stderr

    def both():
        try:
            with open(lf) as f:
                t = f.read()
        except OSError:
            return None
        return t if "got TERM" in t else None
    text = wait_for(both, 30, "TERM handled", interval=0.02)
    assert "prestop" in text and text.index("prestop") < text.index("got TERM"), (
        text, [(e["reason"], e["message"]) for e in events(agent, "stop")])
    wait_for(lambda: pod(agent, "stop") is None, 30, "stop deleted")
    assert not os.path.exists(os.path.dirname(os.path.dirname(lf)))


@needs_tools
def test_scheduled_pod_runs(agent, reg):
    """A pod without nodeName: the scheduler binds it, the runtime runs it."""
    doc = json.loads(pod_yaml(agent, reg, "sched", [{"name": "c", "command": ["sleep", "3600"]}]))
    del doc["spec"]["nodeName"]
    apply(agent, json.dumps(doc))
    wait_phase(agent, "sched", "Running", timeout=60)
    assert pod(agent, "sched")["spec"]["nodeName"] == agent.node


@needs_tools
def test_https_readiness_probe(agent, reg, tmp_path):
    """scheme: HTTPS probes as the kubelet does: TLS without verifying the
    certificate, the probe's headers, Ready following the answer."""
    import http.server
    import ssl
    import threading
    crt, key = str(tmp_path / "probe.crt"), str(tmp_path / "probe.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", "/CN=probe",
                    "-keyout", key, "-out", crt], check=True, capture_output=True)
    state = {"code": 200, "seen": []}

    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            state["seen"].append((self.path, self.headers.get("User-Agent"),
                                  self.headers.get("X-Probe")))
            self.send_response(state["code"])
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(crt, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        port = srv.server_address[1]
        doc = json.loads(pod_yaml(agent, reg, "tlsready", [
            {"name": "c", "command": ["sleep", "3600"],
             "readinessProbe": {"httpGet": {"scheme": "HTTPS", "host": "127.0.0.1",
                                            "port": port, "path": "/healthz",
                                            "httpHeaders": [{"name": "X-Probe", "value": "yes"}]},
                                "periodSeconds": 1}}]))
        # the node's network, and host 127.0.0.1: the probe reaches this
        # test's server on loopback
        doc["spec"]["hostNetwork"] = True
        apply(agent, json.dumps(doc))

        def ready():
            return {c["type"]: c["status"]
                    for c in status(agent, "tlsready").get("conditions", [])}.get("Ready")
        try:
            wait_for(lambda: ready() == "True", 60, "Ready=True over HTTPS")
        except AssertionError as e:
            raise AssertionError((str(e), state["seen"], status(agent, "tlsready"),
                                  [(x["reason"], x["message"]) for x in events(agent, "tlsready")]))
        assert ("/healthz", "kube-probe/1.32", "yes") in state["seen"], state["seen"]
        state["code"] = 503
        wait_for(lambda: ready() == "False", 30, "Ready=False after a 503")
        msgs = [e["message"] for e in events(agent, "tlsready") if e["reason"] == "Unhealthy"]
        assert any("HTTP probe failed with statuscode: 503" in m for m in msgs), msgs
    finally:
        srv.shutdown()
        srv.server_close()
