"""One scenario, run twice against a fresh agent: once with kubectl and
once with skiff. Outputs (stdout, stderr, exit code) must be the same after
masking what differs between two runs by nature: ages, uids,
resourceVersions, timestamps, generated name suffixes. Each step runs once
its verb exists in skiff (`skiff VERB --help` succeeds) and once the
agent can carry it (rollout needs the Deployment controller)."""
import json
import os
import re
import subprocess
import time

from conftest import SKIFF, wait_for

CONFIG = """\
plugins:
  runtime: {enabled: false}
  images: {enabled: false}
"""

APP = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: c
        image: busybox:%s
        command: ["sleep", "3600"]
        ports: [{containerPort: 8080, name: http}]
        env: [{name: MODE, value: demo}]
        resources: {limits: {memory: 64Mi, cpu: 100m}}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  labels: {app: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http, name: http}]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
  labels: {app: web}
data:
  # one key: kubectl describe prints data in Go's random map order
  multi: |
    line one
    line two
"""

# (step name, args); "{app}" / "{app2}" are the manifest paths.
STEPS = [
    ("apply", ["apply", "-f", "{app}"]),
    ("get", ["get", "deploy,svc,cm"]),
    ("get-wide", ["get", "deploy", "web", "-o", "wide"]),
    ("get-yaml", ["get", "deploy", "web", "-o", "yaml"]),
    ("get-json", ["get", "cm", "cfg", "-o", "json"]),
    ("get-list-yaml", ["get", "svc,cm", "-o", "yaml"]),
    ("get-name", ["get", "deploy,svc,cm", "-o", "name"]),
    ("get-jsonpath", ["get", "deploy", "-o",
                      'jsonpath={range .items[*]}{.metadata.name}:{.spec.replicas}{"\\n"}{end}']),
    ("get-custom-columns", ["get", "deploy,svc", "-o",
                            "custom-columns=NAME:.metadata.name,KIND:.kind,LABELS:.metadata.labels"]),
    ("get-pods", ["get", "pods", "-l", "app=web", "-o", "name"]),
    ("describe-deploy", ["describe", "deploy", "web"]),
    ("describe-svc", ["describe", "svc", "web"]),
    ("describe-cm", ["describe", "cm", "cfg"]),
    ("label", ["label", "deploy", "web", "tier=frontend"]),
    ("label-show", ["get", "deploy", "web", "--show-labels"]),
    ("label-overwrite-error", ["label", "deploy", "web", "tier=backend"]),
    ("annotate", ["annotate", "deploy", "web", "note=hello"]),
    ("annotate-show", ["get", "deploy", "web", "-o", "jsonpath={.metadata.annotations.note}"]),
    ("scale", ["scale", "deploy", "web", "--replicas=3"]),
    ("scale-show", ["get", "deploy", "web", "-o", "jsonpath={.spec.replicas}"]),
    ("apply-v2", ["apply", "-f", "{app2}"]),
    ("rollout-history", ["rollout", "history", "deploy/web"]),
    ("rollout-undo", ["rollout", "undo", "deploy/web", "--to-revision=1"]),
    ("rollout-history-2", ["rollout", "history", "deploy/web"]),
    ("image-after-undo", ["get", "deploy", "web", "-o",
                          "jsonpath={.spec.template.spec.containers[0].image}"]),
    ("delete", ["delete", "-f", "{app}"]),
    ("delete-again", ["delete", "deploy", "web"]),
    ("get-after", ["get", "deploy,svc,cm"]),
]

# steps that need the Deployment controller's revisions
NEEDS_CONTROLLER = {"rollout-history", "rollout-undo", "rollout-history-2", "image-after-undo"}

MASKS = [
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "UID"),
    (re.compile(r'("?resourceVersion"?:\s*)"\d+"'), r'\1"RV"'),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"), "TIME"),
    (re.compile(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}"), "TIME"),
    (re.compile(r"\b(web-[a-z0-9]{6,10})-[a-z0-9]{5}\b"), r"\1-RAND"),
    (re.compile(r"\b\d+(\.\d+)?[smhdy](\d+[smh])?\b"), "AGE"),
    (re.compile(r"\b10\.\d+\.\d+\.\d+\b"), "IP"),
    (re.compile(r" {2,}"), "  "),
    (re.compile(r"kubectl"), "CLI"),
    (re.compile(r"skiff"), "CLI"),
]


def mask(text):
    for rx, rep in MASKS:
        text = rx.sub(rep, text)
    return text


def tool_env(agent):
    return dict(os.environ, KUBECONFIG=agent.kubeconfig(), HOME=agent.dir)


def run_tool(tool, agent, args):
    exe = "/usr/bin/kubectl" if tool == "kubectl" else SKIFF
    return subprocess.run([exe] + args, capture_output=True, text=True, timeout=60,
                          env=tool_env(agent))


def settle(agent):
    """Wait until the deployment (if any) has caught up with its spec, so
    that both runs print the same state."""
    def done():
        r = agent.kubectl("get", "deploy", "-o", "json")
        if r.returncode != 0:
            return False
        for d in json.loads(r.stdout)["items"]:
            st = d.get("status", {})
            if st.get("observedGeneration", 0) < d["metadata"].get("generation", 0):
                return False
            if st.get("replicas", 0) != d["spec"].get("replicas", 1):
                return False
            if st.get("updatedReplicas", 0) != d["spec"].get("replicas", 1):
                return False
        return True
    try:
        wait_for(done, 15, "deployments settled", interval=0.1)
    except AssertionError:
        pass  # no Deployment controller yet: both runs see the same unsettled state


def has_verb(verb):
    r = subprocess.run([SKIFF, verb, "--help"], capture_output=True, text=True)
    return r.returncode == 0


def controller_running(agent):
    r = agent.kubectl("get", "rs", "-o", "name")
    return r.returncode == 0 and "replicaset" in r.stdout


def scenario(tool, agent, paths, steps):
    out = {}
    for name, args in steps:
        a = [paths.get(x[1:-1], x) if x in ("{app}", "{app2}") else x for x in args]
        r = run_tool(tool, agent, a)
        out[name] = (r.returncode, mask(r.stdout), mask(r.stderr))
        settle(agent)
        if name == "apply":
            # let the controller create its replica set before the gets
            try:
                wait_for(lambda: controller_running(agent), 5, "replica set")
            except AssertionError:
                pass
            settle(agent)
    return out


def test_kubectl_and_skiff_agree(agent_factory, tmp_path):
    paths = {"app": str(tmp_path / "app.yaml"), "app2": str(tmp_path / "app2.yaml")}
    (tmp_path / "app.yaml").write_text(APP % "1.36")
    (tmp_path / "app2.yaml").write_text(APP % "1.37")

    # which steps skiff can run today
    probe = agent_factory(config=CONFIG)
    probe.start()
    r = probe.kubectl("apply", "-f", paths["app"])
    assert r.returncode == 0, r.stderr
    have_controller = True
    try:
        wait_for(lambda: controller_running(probe), 10, "deployment controller")
    except AssertionError:
        have_controller = False
    probe.cleanup()
    steps = [(n, a) for n, a in STEPS
             if has_verb(a[0]) and (have_controller or n not in NEEDS_CONTROLLER)]
    skipped = [n for n, a in STEPS if (n, a) not in steps]
    assert any(n.startswith("get") for n, _ in steps)

    results = {}
    for tool in ("kubectl", "skiff"):
        agent = agent_factory(config=CONFIG)
        agent.start()
        results[tool] = scenario(tool, agent, paths, steps)
        agent.cleanup()

    diffs = []
    for name, _ in steps:
        k, s = results["kubectl"][name], results["skiff"][name]
        if k != s:
            diffs.append("step %s:\n  kubectl: %r\n  skiff:   %r" % (name, k, s))
    print("compared %d steps; not run yet: %s" % (len(steps), ", ".join(skipped) or "none"))
    assert not diffs, "\n".join(diffs)
