"""End-to-end tests of the Job, CronJob, DaemonSet and StatefulSet
controllers with stock kubectl against one agent.

Two variants:
- test_*_simulated: SIMULATED POD STATUS. The runtime plugin is switched
  off and the test writes what the runtime would report (phase Succeeded,
  Running and Ready) through the pods/status subresource. These check the
  controllers' objects without depending on containers.
- test_batch_real_runtime: the same checks with busybox pods really run
  under runc (the busybox fixture image from a local registry); skipped,
  with the reason, while this build's runtime cannot run a pod.
The CronJob runs on an accelerated clock (plugins.controllers.clock-rate).
Every process started here is stopped by PID; temp dirs are removed."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
import registry as fx  # noqa: E402
from conftest import SKIFF, wait_for  # noqa: E402
from test_runtime import scrub  # noqa: E402

# one accelerated minute every 1.5 s of real time
CLOCK_RATE = 40

SIM_CONFIG = """plugins:
  runtime:
    enabled: false
  controllers:
    disabled: scheduler
    clock-rate: %d
""" % CLOCK_RATE

REAL_CONFIG = """plugins:
  controllers:
    clock-rate: %d
""" % CLOCK_RATE


def kj(a, *args):
    """kubectl ... -o json, parsed."""
    r = a.kubectl(*args, "-o", "json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def ok(r):
    assert r.returncode == 0, "kubectl failed (%d):\n%s\n%s" % (r.returncode, r.stdout, r.stderr)
    return r.stdout


def now_rfc3339():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def owned(items, uid):
    return [o for o in items
            if any(ref.get("uid") == uid and ref.get("controller")
                   for ref in o["metadata"].get("ownerReferences", []))]


def active(pods):
    return [p for p in pods if not p["metadata"].get("deletionTimestamp")
            and p.get("status", {}).get("phase") not in ("Succeeded", "Failed")]


def pods_of(a, uid):
    return owned(kj(a, "get", "pods")["items"], uid)


def cond(obj, type_):
    for c in obj.get("status", {}).get("conditions", []) or []:
        if c["type"] == type_:
            return c
    return None


def sim_finish(a, pod, phase="Succeeded", code=0):
    """SIMULATED: the runtime reports the pod's container exited."""
    t = now_rfc3339()
    patch = {"status": {"phase": phase, "containerStatuses": [{
        "name": pod["spec"]["containers"][0]["name"], "image": "x", "imageID": "",
        "ready": False, "restartCount": 0,
        "state": {"terminated": {"exitCode": code, "startedAt": t, "finishedAt": t,
                                 "reason": "Completed" if code == 0 else "Error"}}}]}}
    return a.kubectl("patch", "pod", pod["metadata"]["name"], "--subresource=status",
                     "--type=merge", "-p", json.dumps(patch))


def sim_ready(a, name):
    """SIMULATED: the runtime reports the pod Running and Ready."""
    t = now_rfc3339()
    patch = {"status": {"phase": "Running", "conditions": [
        {"type": "Ready", "status": "True", "lastTransitionTime": t},
        {"type": "ContainersReady", "status": "True", "lastTransitionTime": t}]}}
    return a.kubectl("patch", "pod", name, "--subresource=status", "--type=merge", "-p",
                     json.dumps(patch))


JOB = """apiVersion: batch/v1
kind: Job
metadata: {name: pi}
spec:
  completions: 5
  parallelism: 2
  template:
    spec:
      restartPolicy: Never
      terminationGracePeriodSeconds: 1
      containers:
      - name: c
        image: %(image)s
        imagePullPolicy: IfNotPresent
        command: ["sh", "-c", "echo done"]
"""

CRONJOB = """apiVersion: batch/v1
kind: CronJob
metadata: {name: tick}
spec:
  schedule: "*/1 * * * *"
  concurrencyPolicy: Forbid
  successfulJobsHistoryLimit: 2
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          terminationGracePeriodSeconds: 1
          containers:
          - name: c
            image: %(image)s
            imagePullPolicy: IfNotPresent
            command: ["sh", "-c", "echo tick"]
"""

DAEMONSET = """apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: c
        image: %(image)s
        imagePullPolicy: IfNotPresent
        command: ["sleep", "3600"]
"""

STATEFULSET = """apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: nginx
  replicas: 2
  selector: {matchLabels: {app: sts}}
  template:
    metadata: {labels: {app: sts}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: c
        image: %(image)s
        imagePullPolicy: IfNotPresent
        command: ["sleep", "3600"]
"""


def check_job(a, image, helper):
    """A Job with completions 5 and parallelism 2 completes with 5
    successful pods; helper(pods) plays the runtime for active pods."""
    ok(a.kubectl("apply", "-f", "-", input=JOB % {"image": image}))
    job = kj(a, "get", "job", "pi")
    uid = job["metadata"]["uid"]
    most = 0

    def done():
        nonlocal most
        pods = pods_of(a, uid)
        act = active(pods)
        most = max(most, len(act))
        helper(act)
        j = kj(a, "get", "job", "pi")
        c = cond(j, "Complete")
        return c and c["status"] == "True" and j
    job = wait_for(done, 120, "job pi Complete", interval=0.3)
    assert most <= 2, "more than parallelism pods ran at once: %d" % most
    pods = pods_of(a, uid)
    assert len([p for p in pods if p["status"]["phase"] == "Succeeded"]) == 5
    for p in pods:
        assert "batch.kubernetes.io/job-tracking" not in p["metadata"].get("finalizers", [])
        assert p["metadata"]["labels"]["job-name"] == "pi"
        assert p["metadata"]["labels"]["batch.kubernetes.io/controller-uid"] == uid
        assert p["metadata"]["generateName"] == "pi-"
    st = job["status"]
    assert st["succeeded"] == 5 and not st.get("failed") and not st.get("active")
    assert st["completionTime"] and st["startTime"]
    assert cond(job, "SuccessCriteriaMet")["status"] == "True"
    assert cond(job, "Complete")["reason"] == "CompletionsReached"
    ok(a.kubectl("wait", "--for=condition=complete", "job/pi", "--timeout=10s"))
    ev = ok(a.kubectl("get", "events", "--field-selector", "involvedObject.name=pi"))
    assert "SuccessfulCreate" in ev and "Completed" in ev and "Job completed" in ev
    out = ok(a.kubectl("get", "job", "pi"))
    assert "5/5" in out and "Complete" in out, out


def check_cronjob(a, image, helper):
    """A CronJob runs on schedule: a job per (accelerated) minute, named
    NAME-<minutes since the epoch>, the next one once the first is done
    (Forbid)."""
    ok(a.kubectl("apply", "-f", "-", input=CRONJOB % {"image": image}))
    cj = kj(a, "get", "cronjob", "tick")
    uid = cj["metadata"]["uid"]

    def jobs():
        return owned(kj(a, "get", "jobs")["items"], uid)
    first = wait_for(jobs, 30, "the first scheduled job")[0]
    name = first["metadata"]["name"]
    minute = int(name.split("-")[-1])
    stamp = first["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"]
    assert time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(minute * 60)) == stamp
    cj = wait_for(lambda: (lambda c: c.get("status", {}).get("active") and c)(
        kj(a, "get", "cronjob", "tick")), 20, "status.active")
    # the first job may already be done and the next one active: an
    # accelerated minute is short; status names the newest scheduled job
    act = cj["status"]["active"][0]["name"]
    later = int(act.split("-")[-1])
    assert act.startswith("tick-") and later >= minute, act
    assert cj["status"]["lastScheduleTime"] == time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                             time.gmtime(later * 60))

    def second():
        for j in jobs():
            helper(active(pods_of(a, j["metadata"]["uid"])))
        return [j for j in jobs() if int(j["metadata"]["name"].split("-")[-1]) > minute]
    wait_for(second, 60, "a later scheduled job", interval=0.3)
    cj = kj(a, "get", "cronjob", "tick")
    assert cj["status"].get("lastSuccessfulTime")
    ev = ok(a.kubectl("get", "events", "--field-selector", "involvedObject.name=tick"))
    assert "Created job " + name in ev
    assert "SawCompletedJob" in ev
    ok(a.kubectl("patch", "cronjob", "tick", "--type=merge", "-p", '{"spec":{"suspend":true}}'))


def check_daemonset(a, image, helper, node):
    """A DaemonSet runs one pod on the node."""
    ok(a.kubectl("apply", "-f", "-", input=DAEMONSET % {"image": image}))
    uid = kj(a, "get", "ds", "agent")["metadata"]["uid"]
    pods = wait_for(lambda: active(pods_of(a, uid)), 30, "the daemon pod")
    assert len(pods) == 1
    p = pods[0]
    term = p["spec"]["affinity"]["nodeAffinity"][
        "requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0]
    assert term["matchFields"] == [{"key": "metadata.name", "operator": "In", "values": [node]}]
    tols = {(t.get("key"), t.get("effect")) for t in p["spec"]["tolerations"]}
    assert ("node.kubernetes.io/unschedulable", "NoSchedule") in tols
    assert p["metadata"]["labels"]["pod-template-generation"] == "1"
    h = p["metadata"]["labels"]["controller-revision-hash"]
    cr = kj(a, "get", "controllerrevisions", "agent-" + h)
    assert cr["revision"] == 1
    helper([p])

    def ready():
        d = kj(a, "get", "ds", "agent")
        s = d.get("status", {})
        return s.get("numberReady") == 1 and s.get("desiredNumberScheduled") == 1 and d
    d = wait_for(ready, 60, "numberReady 1", interval=0.3)
    assert d["status"]["currentNumberScheduled"] == 1
    assert d["status"]["updatedNumberScheduled"] == 1
    assert d["status"]["numberMisscheduled"] == 0
    time.sleep(1)
    assert len(active(pods_of(a, uid))) == 1, "more than one daemon pod"


def check_statefulset(a, image, helper, simulated):
    """A StatefulSet creates web-0, and web-1 only once web-0 is Running
    and Ready."""
    ok(a.kubectl("apply", "-f", "-", input=STATEFULSET % {"image": image}))
    wait_for(lambda: a.kubectl("get", "pod", "web-0").returncode == 0, 30, "web-0")
    p0 = kj(a, "get", "pod", "web-0")
    assert p0["spec"]["hostname"] == "web-0" and p0["spec"]["subdomain"] == "nginx"
    assert p0["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"] == "web-0"
    assert p0["metadata"]["labels"]["apps.kubernetes.io/pod-index"] == "0"
    if simulated:
        # nothing makes web-0 ready until the test does: web-1 must wait
        time.sleep(1)
        assert a.kubectl("get", "pod", "web-1").returncode != 0, "web-1 before web-0 was ready"

    def both():
        for n in ("web-0", "web-1"):
            r = a.kubectl("get", "pod", n, "-o", "json")
            if r.returncode == 0:
                helper([json.loads(r.stdout)])
        s = kj(a, "get", "sts", "web").get("status", {})
        return s.get("readyReplicas") == 2 and s
    st = wait_for(both, 90, "2 ready replicas", interval=0.3)
    p0 = kj(a, "get", "pod", "web-0")
    p1 = kj(a, "get", "pod", "web-1")
    # web-1 was created only once web-0 was Ready
    assert cond(p0, "Ready")["lastTransitionTime"] <= p1["metadata"]["creationTimestamp"]
    assert st["currentRevision"] == st["updateRevision"]
    assert p1["metadata"]["labels"]["controller-revision-hash"] == st["updateRevision"]
    ev = ok(a.kubectl("get", "events", "--field-selector", "involvedObject.name=web"))
    assert "create Pod web-0 in StatefulSet web successful" in ev
    assert "create Pod web-1 in StatefulSet web successful" in ev
    # scale down removes the highest ordinal
    ok(a.kubectl("scale", "sts/web", "--replicas=1"))
    wait_for(lambda: a.kubectl("get", "pod", "web-1").returncode != 0
             or kj(a, "get", "pod", "web-1")["metadata"].get("deletionTimestamp"),
             60, "web-1 gone")
    assert a.kubectl("get", "pod", "web-0").returncode == 0


# ---- simulated pod status ----

@pytest.fixture
def sim_agent(agent_factory):
    a = agent_factory(config=SIM_CONFIG, name="batch-sim")
    a.start()
    return a


def sim_complete(a):
    """SIMULATED runtime for batch pods: every active pod succeeds."""
    def run(pods):
        for p in pods:
            sim_finish(a, p)
    return run


def sim_make_ready(a):
    def run(pods):
        for p in pods:
            c = cond(p, "Ready")
            if not (c and c["status"] == "True"):
                sim_ready(a, p["metadata"]["name"])
    return run


def test_job_simulated(sim_agent):
    """SIMULATED POD STATUS: completions 5, parallelism 2."""
    check_job(sim_agent, "registry.invalid/busybox", sim_complete(sim_agent))


def test_job_backoff_limit_simulated(sim_agent):
    """SIMULATED POD STATUS: a pod that fails past backoffLimit fails the
    job with BackoffLimitExceeded."""
    a = sim_agent
    ok(a.kubectl("apply", "-f", "-", input="""apiVersion: batch/v1
kind: Job
metadata: {name: bad}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: c, image: registry.invalid/x}]
"""))
    uid = kj(a, "get", "job", "bad")["metadata"]["uid"]
    p = wait_for(lambda: active(pods_of(a, uid)), 20, "the job's pod")[0]
    ok(sim_finish(a, p, "Failed", 1))
    j = wait_for(lambda: (lambda j: cond(j, "Failed") and j)(kj(a, "get", "job", "bad")), 20,
                 "job Failed")
    c = cond(j, "Failed")
    assert (c["reason"], c["message"]) == ("BackoffLimitExceeded",
                                           "Job has reached the specified backoff limit")
    assert j["status"]["failed"] == 1
    ev = ok(a.kubectl("get", "events", "--field-selector", "involvedObject.name=bad"))
    assert "BackoffLimitExceeded" in ev


def test_cronjob_simulated(sim_agent):
    """SIMULATED POD STATUS, accelerated clock."""
    check_cronjob(sim_agent, "registry.invalid/busybox", sim_complete(sim_agent))


def test_daemonset_simulated(sim_agent):
    """SIMULATED POD STATUS. Without the runtime no Node registers, so the
    test creates the Node object the runtime would."""
    a = sim_agent
    if a.kubectl("get", "node", "batch-sim").returncode != 0:
        ok(a.kubectl("apply", "-f", "-", input="""apiVersion: v1
kind: Node
metadata: {name: batch-sim}
"""))
    check_daemonset(a, "registry.invalid/busybox", sim_make_ready(a), "batch-sim")


def test_statefulset_simulated(sim_agent):
    """SIMULATED POD STATUS: OrderedReady."""
    check_statefulset(sim_agent, "registry.invalid/busybox", sim_make_ready(sim_agent), True)


def test_statefulset_requires_service_name(sim_agent):
    r = sim_agent.kubectl("apply", "-f", "-", input="""apiVersion: apps/v1
kind: StatefulSet
metadata: {name: nosvc}
spec:
  selector: {matchLabels: {app: x}}
  template:
    metadata: {labels: {app: x}}
    spec: {containers: [{name: c, image: x}]}
""")
    assert r.returncode != 0
    assert "spec.serviceName: Required value" in r.stderr, r.stderr


# ---- the real runtime ----

needs_tools = pytest.mark.skipif(
    not (os.path.exists("/usr/bin/docker-registry") and shutil.which("skopeo")
         and os.path.exists("/bin/busybox") and os.path.exists("/usr/sbin/runc")),
    reason="needs docker-registry, skopeo, busybox-static and runc")


@pytest.fixture(scope="module")
def reg():
    d = tempfile.mkdtemp(prefix="skiff-batch-img-")
    try:
        layout = os.path.join(d, "oci")
        fx.build_image(layout)
        with fx.Registry() as r:
            r.push(layout, name="busybox:1")
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
    try:
        while time.monotonic() < deadline:
            p = kj(a, "get", "pod", "probe")
            if p.get("status", {}).get("phase") == "Running":
                return True
            time.sleep(0.5)
        return False
    finally:
        a.kubectl("delete", "pod", "probe", "--wait=false")


@pytest.fixture
def real_agent(agent_factory):
    """An agent with the runtime on; containers, mounts and cgroups it
    leaves are removed afterwards (they outlive the agent by design)."""
    node = "batch-" + uuid.uuid4().hex[:8]
    a = agent_factory(config=REAL_CONFIG, name=node)
    a.node = node
    a.start()
    yield a
    scrub(a, node)


@needs_tools
def test_batch_real_runtime(real_agent, reg):
    """Job, CronJob, DaemonSet and StatefulSet with real busybox pods."""
    a = real_agent
    image = reg.addr + "/busybox:1"
    r = subprocess.run([SKIFF, "image", "pull", image, "--kubeconfig", a.kubeconfig()],
                       capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, HOME=a.dir))
    if r.returncode != 0:
        pytest.skip("image pull through the agent failed: " + r.stderr.strip())
    if not runtime_runs_pods(a, image):
        pytest.skip("the runtime of this build does not run pods yet")
    nothing = lambda pods: None  # noqa: E731
    check_job(a, image, nothing)
    check_cronjob(a, image, nothing)
    check_daemonset(a, image, nothing, a.node)
    check_statefulset(a, image, nothing, False)
