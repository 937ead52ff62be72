"""Pods deleted by the controllers end gracefully, as on Kubernetes (issue
8): a ReplicaSet scaling down and the garbage collector collecting a
Deployment's pods delete them with the pod's grace period, so each pod
shows a deletionTimestamp (Terminating) while its node runs preStop, sends
SIGTERM and waits, and it is gone once its container has exited. Real
busybox pods under runc from the fixture registry on 127.0.0.1; whatever a
test leaves (containers, mounts, cgroups) is removed by path and name."""
import json
import os
import shutil
import sys
import tempfile
import time
import uuid

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
import registry as fx  # noqa: E402
from conftest import scrub_runtime, wait_for  # noqa: E402

needs_tools = pytest.mark.skipif(
    not (os.path.exists("/usr/bin/docker-registry") and shutil.which("skopeo")
         and os.path.exists("/bin/busybox") and os.path.exists("/usr/sbin/runc")
         and os.geteuid() == 0),
    reason="needs root, runc, docker-registry, skopeo and busybox-static")

GRACE = 20

# preStop leaves a file that the SIGTERM trap reports, so the log shows
# both ran and in that order; the container takes 2 s to exit after
# SIGTERM, far less than its grace period.
CONTAINER = {
    "name": "c",
    "imagePullPolicy": "IfNotPresent",
    "command": ["sh", "-c", "echo started; trap '[ -f /tmp/prestop ] && echo prestop-ran; "
                            "echo got TERM; sleep 2; echo bye; exit 0' TERM; "
                            "while :; do sleep 0.1; done"],
    "lifecycle": {"preStop": {"exec": {"command": ["sh", "-c", "touch /tmp/prestop"]}}},
}


@pytest.fixture(scope="module")
def reg():
    d = tempfile.mkdtemp(prefix="skiff-grace-img-")
    try:
        layout = os.path.join(d, "oci")
        fx.build_image(layout)
        with fx.Registry() as r:
            r.push(layout)
            yield r
    finally:
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def agent(agent_factory):
    node = "gr-" + uuid.uuid4().hex[:8]
    a = agent_factory(name=node)
    a.start()
    yield a
    if a.proc and a.proc.poll() is None:
        a.proc.kill()
        a.proc.wait()
    scrub_runtime(a.dir, a.data_dir, node)


def ok(r):
    assert r.returncode == 0, "rc=%d\nstdout:\n%s\nstderr:\n%s" % (r.returncode, r.stdout,
                                                                  r.stderr)
    return r.stdout


def kj(a, *args):
    return json.loads(ok(a.kubectl("get", "-o", "json", *args)))


def pods_of(a, label):
    return kj(a, "pods", "-l", label)["items"]


def template(reg, app):
    c = dict(CONTAINER, image="%s/busybox:latest" % reg.addr)
    return {"metadata": {"labels": {"app": app}},
            "spec": {"terminationGracePeriodSeconds": GRACE, "containers": [c]}}


def log_path(a, p):
    m = p["metadata"]
    return os.path.join(a.data_dir, "pods", "%s_%s_%s" % (m["namespace"], m["name"], m["uid"]),
                        "c", "0.log")


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def running_pod(a, label):
    def one():
        ps = [p for p in pods_of(a, label) if p.get("status", {}).get("phase") == "Running"
              and "started" in read(log_path(a, p))]
        return ps[0] if len(ps) == 1 else None
    return wait_for(one, 90, "one Running pod with label " + label, interval=0.2)


def watch_graceful_end(a, p):
    """Follow p from its deletion by a controller to its removal: it must
    be Terminating with the pod's grace period, run preStop before SIGTERM,
    and go once its container exits, well before the grace period ends."""
    name, uid = p["metadata"]["name"], p["metadata"]["uid"]
    lf = log_path(a, p)

    def terminating():
        r = a.kubectl("get", "pod", name, "-o", "json")
        if r.returncode:
            return None
        m = json.loads(r.stdout)["metadata"]
        return m if m["uid"] == uid and m.get("deletionTimestamp") else None
    meta = wait_for(terminating, 20, "%s terminating" % name, interval=0.05)
    t0 = time.monotonic()
    assert meta["deletionGracePeriodSeconds"] == GRACE, meta
    out = a.kubectl("get", "pod", name)
    assert out.returncode == 0 and "Terminating" in out.stdout, out.stdout + out.stderr
    # the log goes with the pod: keep what it said last
    seen = {"text": ""}

    def gone():
        t = read(lf)
        if t:
            seen["text"] = t
        r = a.kubectl("get", "pod", name, "-o", "json")
        if r.returncode:
            return "NotFound" in r.stderr
        return json.loads(r.stdout)["metadata"]["uid"] != uid
    wait_for(gone, GRACE, "%s deleted" % name, interval=0.02)
    text = seen["text"]
    assert "prestop-ran" in text and text.index("prestop-ran") < text.index("got TERM"), text
    assert time.monotonic() - t0 < GRACE - 5, "the pod waited for its grace period"
    assert not os.path.exists(os.path.dirname(os.path.dirname(lf)))
    ev = kj(a, "events", "--field-selector", "involvedObject.uid=" + uid)["items"]
    assert [e for e in ev if e["reason"] == "Killing"
            and e["message"] == "Stopping container c"], ev


@needs_tools
def test_replicaset_scale_down_is_graceful(agent, reg):
    rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "rs"},
          "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "rs"}},
                   "template": template(reg, "rs")}}
    ok(agent.kubectl("apply", "-f", "-", input=json.dumps(rs)))
    p = running_pod(agent, "app=rs")
    ok(agent.kubectl("scale", "rs/rs", "--replicas=0"))
    watch_graceful_end(agent, p)
    assert pods_of(agent, "app=rs") == []
    st = kj(agent, "rs", "rs")["status"]
    assert st.get("replicas", 0) == 0, st


@needs_tools
def test_collected_deployment_pods_end_gracefully(agent, reg):
    d = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
         "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                  "template": template(reg, "web")}}
    ok(agent.kubectl("apply", "-f", "-", input=json.dumps(d)))
    p = running_pod(agent, "app=web")
    # the ReplicaSet and then its pod go through the garbage collector
    ok(agent.kubectl("delete", "deployment", "web", "--wait=false"))
    watch_graceful_end(agent, p)
    assert kj(agent, "replicasets")["items"] == []
    assert pods_of(agent, "app=web") == []


# ---- Job defaulting (kube-apiserver's generateSelector) ----

SIM = """plugins:
  runtime: {enabled: false}
  controllers: {disabled: scheduler, clock-rate: 40}
"""

JOB = """apiVersion: batch/v1
kind: Job
metadata: {name: %(name)s}
spec:
  parallelism: 2
  completions: 2
  template:
    %(meta)s
    spec:
      restartPolicy: Never
      containers: [{name: c, image: registry.invalid/busybox}]
"""


def generated(uid, name):
    return {"batch.kubernetes.io/controller-uid": uid, "batch.kubernetes.io/job-name": name,
            "controller-uid": uid, "job-name": name}


def test_job_gets_its_generated_selector_and_labels(agent_factory):
    a = agent_factory(config=SIM)
    a.start()
    ok(a.kubectl("apply", "-f", "-", input=JOB % {"name": "pi", "meta": ""}))
    job = kj(a, "job", "pi")
    uid = job["metadata"]["uid"]
    assert job["spec"]["selector"] == {
        "matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    assert job["spec"]["manualSelector"] is False
    assert job["spec"]["template"]["metadata"]["labels"] == generated(uid, "pi")
    # a job without labels of its own shows its template's, as on Kubernetes
    assert job["metadata"]["labels"] == generated(uid, "pi")
    desc = ok(a.kubectl("describe", "job", "pi"))
    assert "batch.kubernetes.io/controller-uid=" + uid in [
        ln.split(None, 1)[1] for ln in desc.splitlines() if ln.startswith("Selector:")], desc
    # the selector finds the job's pods
    pods = wait_for(lambda: len(p := kj(a, "pods", "-l", "batch.kubernetes.io/controller-uid="
                                        + uid)["items"]) == 2 and p, 20, "2 pods of pi")
    for p in pods:
        assert p["metadata"]["labels"] == generated(uid, "pi")
        assert p["metadata"]["ownerReferences"][0]["uid"] == uid

    # the user's own template labels stay, and are the job's labels
    ok(a.kubectl("apply", "-f", "-",
                 input=JOB % {"name": "mine", "meta": "metadata: {labels: {app: mine}}"}))
    job = kj(a, "job", "mine")
    uid = job["metadata"]["uid"]
    assert job["metadata"]["labels"] == {"app": "mine"}
    assert job["spec"]["template"]["metadata"]["labels"] == dict(generated(uid, "mine"),
                                                                 app="mine")
    assert job["spec"]["selector"]["matchLabels"] == {"batch.kubernetes.io/controller-uid": uid}

    # a server-side dry run shows the selector of the uid it answers with
    r = ok(a.kubectl("create", "--dry-run=server", "-o", "json", "-f", "-",
                     input=JOB % {"name": "dry", "meta": ""}))
    dry = json.loads(r)
    uid = dry["metadata"]["uid"]
    assert dry["spec"]["selector"]["matchLabels"] == {"batch.kubernetes.io/controller-uid": uid}
    assert a.kubectl("get", "job", "dry").returncode == 1

    # manualSelector: the user's selector is kept and nothing is generated
    ok(a.kubectl("apply", "-f", "-", input="""apiVersion: batch/v1
kind: Job
metadata: {name: manual}
spec:
  manualSelector: true
  selector: {matchLabels: {app: manual}}
  template:
    metadata: {labels: {app: manual}}
    spec:
      restartPolicy: Never
      containers: [{name: c, image: registry.invalid/busybox}]
"""))
    job = kj(a, "job", "manual")
    assert job["spec"]["selector"] == {"matchLabels": {"app": "manual"}}
    assert job["spec"]["template"]["metadata"]["labels"] == {"app": "manual"}

    # a CronJob's Job gets the same as one created through the API
    ok(a.kubectl("apply", "-f", "-", input="""apiVersion: batch/v1
kind: CronJob
metadata: {name: tick}
spec:
  schedule: "*/1 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: c, image: registry.invalid/busybox}]
"""))
    cj_uid = kj(a, "cronjob", "tick")["metadata"]["uid"]
    job = wait_for(lambda: [j for j in kj(a, "jobs")["items"]
                            if j["metadata"].get("ownerReferences", [{}])[0].get("uid")
                            == cj_uid], 20, "a job of the cronjob")[0]
    uid, name = job["metadata"]["uid"], job["metadata"]["name"]
    assert job["spec"]["selector"] == {
        "matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
    assert job["spec"]["template"]["metadata"]["labels"] == generated(uid, name)
    assert job["metadata"]["labels"] == generated(uid, name)
    assert (job["spec"]["backoffLimit"], job["spec"]["completions"],
            job["spec"]["parallelism"], job["spec"]["completionMode"]) == (6, 1, 1, "NonIndexed")
