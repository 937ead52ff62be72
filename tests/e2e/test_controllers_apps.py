"""End-to-end tests of the ReplicaSet, ReplicationController and
Deployment controllers with stock kubectl against one agent.

Two variants of the same Deployment scenario:
- test_deployment_real_runtime: busybox httpd pods really run under runc
  (the busybox fixture image from a local registry). It is skipped, with
  the reason, while this build's runtime cannot run a pod.
- test_deployment_simulated_*: SIMULATED READINESS. The runtime plugin is
  switched off and the test sets each pod's status (phase Running,
  Ready=True) through the status subresource, as the runtime would. These
  check the controllers' objects without depending on containers.
Every process started here is stopped by PID; temp dirs are removed."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
import registry as fx  # noqa: E402
from conftest import SKIFF, wait_for  # noqa: E402

SIM_CONFIG = """plugins:
  runtime:
    enabled: false
  controllers:
    disabled: scheduler
"""

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    kubernetes.io/change-cause: first httpd
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: httpd
        image: %(image)s
        imagePullPolicy: IfNotPresent
        command: ["httpd", "-f", "-p", "8080"]
"""


def kj(a, *args):
    """kubectl ... -o json, parsed."""
    r = a.kubectl(*args, "-o", "json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def ok(r):
    assert r.returncode == 0, "kubectl failed (%d):\n%s\n%s" % (r.returncode, r.stdout, r.stderr)
    return r.stdout


def owned(items, uid):
    return [o for o in items
            if any(ref.get("uid") == uid and ref.get("controller")
                   for ref in o["metadata"].get("ownerReferences", []))]


def deployment_rss(a):
    d = kj(a, "get", "deployment", "web")
    return owned(kj(a, "get", "replicasets")["items"], d["metadata"]["uid"])


def active_pods(a):
    return [p for p in kj(a, "get", "pods")["items"]
            if not p["metadata"].get("deletionTimestamp")
            and p.get("status", {}).get("phase") not in ("Succeeded", "Failed")]


def now_rfc3339():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def simulate_ready(a):
    """SIMULATED: what the runtime reports for a started pod, written
    through pods/status for every active pod that is not Ready yet."""
    n = 0
    for p in active_pods(a):
        conds = {c["type"]: c["status"] for c in p.get("status", {}).get("conditions", [])}
        if conds.get("Ready") == "True":
            continue
        t = now_rfc3339()
        patch = {"status": {"phase": "Running", "conditions": [
            {"type": "Ready", "status": "True", "lastTransitionTime": t},
            {"type": "ContainersReady", "status": "True", "lastTransitionTime": t}]}}
        r = a.kubectl("patch", "pod", p["metadata"]["name"], "--subresource=status",
                      "--type=merge", "-p", json.dumps(patch))
        if r.returncode == 0:
            n += 1
    return n


def rollout_status(a, helper, timeout=90):
    """kubectl rollout status until it reports success; helper() runs
    meanwhile (the simulated variant makes pods ready)."""
    env = dict(os.environ, KUBECONFIG=a.kubeconfig(), HOME=a.dir)
    p = subprocess.Popen(["/usr/bin/kubectl", "rollout", "status", "deployment/web",
                          "--timeout=%ds" % timeout], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + timeout + 10
        while p.poll() is None and time.monotonic() < deadline:
            helper()
            time.sleep(0.2)
        out, err = p.communicate(timeout=10)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == 0, "rollout status failed:\n%s\n%s" % (out, err)
    assert 'deployment "web" successfully rolled out' in out, out
    return out


def template_image(obj):
    return obj["spec"]["template"]["spec"]["containers"][0]["image"]


def scenario(a, image1, image2, helper):
    """The issue's Deployment scenario; helper() stands for the runtime."""
    ok(a.kubectl("apply", "-f", "-", input=DEPLOYMENT % {"image": image1}))
    # the ReplicaSet and its pods, with owners and labels
    rss = wait_for(lambda: deployment_rss(a), 20, "the first ReplicaSet")
    rs = rss[0]
    h = rs["metadata"]["labels"]["pod-template-hash"]
    assert rs["metadata"]["name"] == "web-" + h
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    assert rs["spec"]["selector"]["matchLabels"] == {"app": "web", "pod-template-hash": h}
    pods = wait_for(lambda: len(owned(active_pods(a), rs["metadata"]["uid"])) == 2
                    and owned(active_pods(a), rs["metadata"]["uid"]), 20, "2 pods")
    for p in pods:
        # the API gave each a random suffix from upstream's alphabet
        assert re.fullmatch(r"web-%s-[bcdfghjklmnpqrstvwxz2456789]{5}" % h,
                            p["metadata"]["name"]), p["metadata"]["name"]
        assert p["metadata"]["generateName"] == "web-%s-" % h
        assert p["metadata"]["labels"] == {"app": "web", "pod-template-hash": h}
        ref = p["metadata"]["ownerReferences"][0]
        assert (ref["kind"], ref["name"], ref["controller"], ref["blockOwnerDeletion"]) == \
            ("ReplicaSet", rs["metadata"]["name"], True, True)
    rollout_status(a, helper)
    d = kj(a, "get", "deployment", "web")
    assert d["status"]["availableReplicas"] == 2
    assert d["status"]["observedGeneration"] == d["metadata"]["generation"]
    conds = {c["type"]: c["reason"] for c in d["status"]["conditions"]}
    assert conds == {"Available": "MinimumReplicasAvailable",
                     "Progressing": "NewReplicaSetAvailable"}
    events = ok(a.kubectl("get", "events", "--field-selector", "involvedObject.name=web"))
    assert "Scaled up replica set web-%s from 0 to 2" % h in events

    # a new image rolls out a new ReplicaSet
    ok(a.kubectl("set", "image", "deployment/web", "httpd=" + image2))
    ok(a.kubectl("annotate", "deployment/web", "kubernetes.io/change-cause=second httpd",
                 "--overwrite"))
    rollout_status(a, helper)
    rss = deployment_rss(a)
    assert len(rss) == 2
    by_image = {template_image(r): r for r in rss}
    assert by_image[image1]["spec"]["replicas"] == 0
    assert by_image[image2]["spec"]["replicas"] == 2
    assert by_image[image2]["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    hist = ok(a.kubectl("rollout", "history", "deployment/web"))
    lines = [ln.split() for ln in hist.splitlines()[2:] if ln.strip()]
    assert [ln[0] for ln in lines] == ["1", "2"], hist

    # undo to revision 1 brings back the first template (its old ReplicaSet)
    ok(a.kubectl("rollout", "undo", "deployment/web", "--to-revision=1"))
    rollout_status(a, helper)
    d = kj(a, "get", "deployment", "web")
    assert template_image(d) == image1
    assert d["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"
    rss = deployment_rss(a)
    assert len(rss) == 2
    back = [r for r in rss if template_image(r) == image1][0]
    assert back["metadata"]["name"] == "web-" + h
    assert back["spec"]["replicas"] == 2
    hist = ok(a.kubectl("rollout", "history", "deployment/web"))
    assert [ln.split()[0] for ln in hist.splitlines()[2:] if ln.strip()] == ["2", "3"], hist

    # scale to 5, then 1
    ok(a.kubectl("scale", "deployment/web", "--replicas=5"))
    wait_for(lambda: len(active_pods(a)) == 5, 30, "5 pods")
    rollout_status(a, helper)
    ok(a.kubectl("scale", "deployment/web", "--replicas=1"))
    wait_for(lambda: len(active_pods(a)) == 1, 30, "1 pod")
    rollout_status(a, helper)

    # a deleted pod is replaced
    victim = active_pods(a)[0]["metadata"]["name"]
    ok(a.kubectl("delete", "pod", victim, "--wait=false"))
    wait_for(lambda: [p for p in active_pods(a) if p["metadata"]["name"] != victim], 30,
             "a replacement pod")
    rollout_status(a, helper)

    # paused: a template change rolls out nothing until resumed
    ok(a.kubectl("rollout", "pause", "deployment/web"))
    ok(a.kubectl("set", "image", "deployment/web", "httpd=" + image2))
    wait_for(lambda: {c["type"]: c["reason"] for c in
                      kj(a, "get", "deployment", "web")["status"]["conditions"]}
             .get("Progressing") == "DeploymentPaused", 20, "Progressing DeploymentPaused")
    assert len(deployment_rss(a)) == 2
    assert sorted(r["spec"]["replicas"] for r in deployment_rss(a)) == [0, 1]
    ok(a.kubectl("rollout", "resume", "deployment/web"))
    rollout_status(a, helper)
    rss = deployment_rss(a)
    assert len(rss) == 2
    assert {template_image(r): r["spec"]["replicas"] for r in rss} == {image1: 0, image2: 1}
    # restart: a template annotation, so a third ReplicaSet
    ok(a.kubectl("rollout", "restart", "deployment/web"))
    rollout_status(a, helper)
    hist = ok(a.kubectl("rollout", "history", "deployment/web"))
    assert [ln.split()[0] for ln in hist.splitlines()[2:] if ln.strip()] == ["3", "4", "5"], hist
    assert len(deployment_rss(a)) == 3

    # deleting the Deployment removes its ReplicaSets and pods
    ok(a.kubectl("delete", "deployment", "web"))
    wait_for(lambda: not kj(a, "get", "replicasets")["items"], 60, "ReplicaSets gone")
    wait_for(lambda: not active_pods(a), 60, "pods gone")


@pytest.fixture
def sim_agent(agent_factory):
    a = agent_factory(config=SIM_CONFIG, name="apps-sim")
    a.start()
    return a


def test_deployment_simulated_readiness(sim_agent):
    """SIMULATED READINESS (no runtime): the whole scenario, with the test
    making pods Ready through pods/status."""
    scenario(sim_agent, "registry.invalid/busybox:1", "registry.invalid/busybox:2",
             lambda: simulate_ready(sim_agent))


def test_replicaset_and_rc_simulated(sim_agent):
    """SIMULATED READINESS: a bare ReplicaSet adopts a matching orphan pod,
    scales down unready pods first, and a ReplicationController keeps its
    count."""
    a = sim_agent
    ok(a.kubectl("run", "orphan", "--image=registry.invalid/x", "--labels=app=rs"))
    ok(a.kubectl("apply", "-f", "-", input="""apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs}
spec:
  replicas: 3
  selector: {matchLabels: {app: rs}}
  template:
    metadata: {labels: {app: rs}}
    spec: {containers: [{name: c, image: registry.invalid/x}]}
"""))
    uid = kj(a, "get", "rs", "rs")["metadata"]["uid"]
    wait_for(lambda: len(owned(active_pods(a), uid)) == 3, 20, "3 pods of rs")
    orphan = kj(a, "get", "pod", "orphan")
    assert orphan["metadata"]["ownerReferences"][0]["uid"] == uid
    # make the orphan ready only: scaling down to 1 keeps it
    t = now_rfc3339()
    ok(a.kubectl("patch", "pod", "orphan", "--subresource=status", "--type=merge", "-p",
                 json.dumps({"status": {"phase": "Running", "conditions": [
                     {"type": "Ready", "status": "True", "lastTransitionTime": t}]}})))
    wait_for(lambda: kj(a, "get", "rs", "rs")["status"].get("readyReplicas") == 1, 20,
             "readyReplicas 1")
    ok(a.kubectl("scale", "rs/rs", "--replicas=1"))
    wait_for(lambda: [p["metadata"]["name"] for p in owned(active_pods(a), uid)] == ["orphan"],
             20, "only the ready pod left")
    ev = ok(a.kubectl("get", "events", "--field-selector", "involvedObject.name=rs"))
    assert "SuccessfulCreate" in ev and "SuccessfulDelete" in ev
    # release: a relabelled pod leaves the ReplicaSet, which replaces it
    ok(a.kubectl("label", "pod", "orphan", "app=gone", "--overwrite"))
    wait_for(lambda: not kj(a, "get", "pod", "orphan")["metadata"].get("ownerReferences"), 20,
             "orphan released")
    wait_for(lambda: len(owned(active_pods(a), uid)) == 1, 20, "a replacement")

    ok(a.kubectl("apply", "-f", "-", input="""apiVersion: v1
kind: ReplicationController
metadata: {name: rc}
spec:
  replicas: 2
  selector: {app: rc}
  template:
    metadata: {labels: {app: rc}}
    spec: {containers: [{name: c, image: registry.invalid/x}]}
"""))
    rcuid = kj(a, "get", "rc", "rc")["metadata"]["uid"]
    wait_for(lambda: len(owned(active_pods(a), rcuid)) == 2, 20, "2 pods of rc")
    wait_for(lambda: kj(a, "get", "rc", "rc").get("status", {}).get("replicas") == 2, 20,
             "rc status")
    ok(a.kubectl("scale", "rc/rc", "--replicas=0"))
    wait_for(lambda: not owned(active_pods(a), rcuid), 20, "rc scaled to 0")


# ---- the real runtime ----

needs_tools = pytest.mark.skipif(
    not (os.path.exists("/usr/bin/docker-registry") and shutil.which("skopeo")
         and os.path.exists("/bin/busybox") and os.path.exists("/usr/sbin/runc")),
    reason="needs docker-registry, skopeo, busybox-static and runc")


@pytest.fixture(scope="module")
def reg():
    d = tempfile.mkdtemp(prefix="skiff-apps-img-")
    try:
        layout = os.path.join(d, "oci")
        fx.build_image(layout)
        with fx.Registry() as r:
            r.push(layout, name="busybox:1")
            r.push(layout, name="busybox:2")
            yield r
    finally:
        shutil.rmtree(d, ignore_errors=True)


def runtime_runs_pods(a, image):
    """Whether this build's runtime runs a pod: one test pod must reach
    Running within 30 s (else the test is skipped, not failed)."""
    r = a.kubectl("run", "probe", "--image=" + image, "--image-pull-policy=IfNotPresent",
                  "--restart=Never", "--command", "--", "sleep", "60")
    if r.returncode != 0:
        return False
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        p = kj(a, "get", "pod", "probe")
        if p.get("status", {}).get("phase") == "Running":
            a.kubectl("delete", "pod", "probe", "--wait=false")
            return True
        time.sleep(0.5)
    a.kubectl("delete", "pod", "probe", "--wait=false")
    return False


def scrub(a, node):
    """Remove what the runtime of a test's agent may have left: its runc
    containers, mounts under the agent's dir and its pod cgroups."""
    if a.proc and a.proc.poll() is None:
        a.proc.kill()
        a.proc.wait()
    root = os.path.join(a.data_dir, "runtime", "runc")
    if os.path.isdir(root):
        r = subprocess.run(["/usr/sbin/runc", "--root", root, "list", "-q"],
                           capture_output=True, text=True, timeout=30)
        for cid in r.stdout.split():
            subprocess.run(["/usr/sbin/runc", "--root", root, "delete", "--force", cid],
                           capture_output=True, timeout=30)
    with open("/proc/self/mountinfo") as f:
        mounts = [ln.split()[4] for ln in f if ln.split()[4].startswith(a.dir)]
    for m in sorted(mounts, key=len, reverse=True):
        subprocess.run(["umount", "-l", m], capture_output=True)
    for ctl in os.listdir("/sys/fs/cgroup"):
        top = os.path.join("/sys/fs/cgroup", ctl, "skiff-" + node)
        for dirpath, _, _ in sorted(os.walk(top), key=lambda x: -len(x[0])):
            try:
                os.rmdir(dirpath)
            except OSError:
                pass


@pytest.fixture
def real_agent(agent_factory):
    node = "apps-real-%d" % os.getpid()
    a = agent_factory(name=node)
    a.start()
    yield a
    scrub(a, node)


@needs_tools
def test_deployment_real_runtime(real_agent, reg):
    """The scenario with real busybox httpd pods under runc."""
    a = real_agent
    image1, image2 = reg.addr + "/busybox:1", reg.addr + "/busybox:2"
    for im in (image1, image2):
        r = subprocess.run([SKIFF, "image", "pull", im, "--kubeconfig", a.kubeconfig()],
                           capture_output=True, text=True, timeout=120,
                           env=dict(os.environ, HOME=a.dir))
        if r.returncode != 0:
            pytest.skip("image pull through the agent failed: " + r.stderr.strip())
    if not runtime_runs_pods(a, image1):
        pytest.skip("the runtime of this build does not run pods yet")
    wait_for(lambda: not [p for p in kj(a, "get", "pods")["items"]
                          if p["metadata"]["name"] == "probe"], 60, "probe pod gone")
    scenario(a, image1, image2, lambda: None)
