"""skiff get (and the read-side verbs) against a real agent, output
compared with kubectl's byte for byte where both can run, and skiff's own
errors and exit codes checked as kubectl gives them."""
import os
import re
import signal
import subprocess
import time

import pytest

from conftest import SKIFF, wait_for

MANIFESTS = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm1
  labels: {app: web, tier: fe}
data: {a: "1", b: two}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm2
  labels: {app: db}
data: {x: "y"}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  labels: {app: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080, name: http}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 0
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: c
        image: busybox:1.36
        command: ["sleep", "3600"]
        env: [{name: A, value: "1"}]
        resources: {limits: {memory: 64Mi}}
"""


def skiff(agent, *args, input=None, timeout=30, env_extra=None):
    env = dict(os.environ, KUBECONFIG=agent.kubeconfig(), HOME=agent.dir)
    if env_extra:
        env.update(env_extra)
    return subprocess.run([SKIFF] + list(args), capture_output=True, text=True, input=input,
                          timeout=timeout, env=env)


def same(agent, *args):
    """Run kubectl and skiff with args; outputs must be identical (retried a
    few times so that an age ticking over between the two runs is not a
    difference)."""
    for _ in range(4):
        k = agent.kubectl(*args)
        s = skiff(agent, *args)
        kerr = k.stderr.replace("kubectl", "skiff")
        if (k.returncode, k.stdout, kerr) == (s.returncode, s.stdout, s.stderr):
            return s
        time.sleep(0.3)
    assert s.returncode == k.returncode, (args, k.stderr, s.stderr)
    assert s.stdout == k.stdout, args
    assert s.stderr == kerr, args


@pytest.fixture
def agent(agent_factory):
    a = agent_factory()
    a.start()
    r = a.kubectl("apply", "-f", "-", input=MANIFESTS)
    assert r.returncode == 0, r.stderr
    return a


def test_get_matches_kubectl(agent):
    for args in (["get", "cm"], ["get", "configmaps", "cm1", "cm2"], ["get", "cm,svc"],
                 ["get", "cm/cm1", "svc/web"], ["get", "deploy", "-o", "wide"],
                 ["get", "deployments.apps"], ["get", "deployment.v1.apps", "web"],
                 ["get", "all"], ["get", "cm", "--show-labels"], ["get", "cm", "-L", "app,tier"],
                 ["get", "cm", "-l", "app=web"], ["get", "cm", "-l", "app!=web", "--no-headers"],
                 ["get", "cm", "--field-selector", "metadata.name=cm2"],
                 ["get", "cm", "-A", "--sort-by", ".metadata.name"], ["get", "ns"],
                 ["get", "nodes"], ["get", "cm", "--show-kind"],
                 ["get", "pods"], ["get", "pods", "-A"], ["get", "nodes", "-o", "wide"]):
        same(agent, *args)


def test_get_output_formats_match_kubectl(agent):
    for args in (["get", "cm", "cm1", "-o", "yaml"], ["get", "cm", "-o", "json"],
                 ["get", "cm,svc", "-o", "yaml"], ["get", "cm,svc,deploy", "-o", "name"],
                 ["get", "cm", "-o", "jsonpath={.items[*].metadata.name}"],
                 ["get", "cm", "-o",
                  'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.data}{"\\n"}{end}'],
                 ["get", "cm", "-o", "jsonpath={.items[?(@.metadata.name==\"cm2\")].data.x}"],
                 ["get", "cm", "cm1", "-o", "jsonpath={.metadata.labels}"],
                 ["get", "cm", "-o", "custom-columns=NAME:.metadata.name,APP:.metadata.labels.app"],
                 ["get", "cm", "-o", "custom-columns=N:.metadata.name,D:.data", "--no-headers"],
                 ["get", "cm", "--sort-by", "{.metadata.name}", "-o", "name"],
                 ["get", "svc", "web", "-o", "jsonpath-as-json={.spec.ports}"],
                 ["get", "pods", "-o", "json"], ["get", "pods", "-o", "yaml"]):
        same(agent, *args)


def test_get_errors_match_kubectl(agent):
    for args in (["get", "cm", "nope"], ["get", "cm", "cm1", "nope"],
                 ["get", "cm", "nope", "--ignore-not-found"], ["get", "cm", "-o", "foo"],
                 ["get", "cm", "-o", "jsonpath={.a"], ["get", "cm", "-o", "jsonpath={.a[}"],
                 ["get", "pods", "pod/x"], ["get", "po,svc", "x"]):
        same(agent, *args)


def test_get_unknown_kind_and_flag(agent):
    r = skiff(agent, "get", "foo")
    assert r.returncode == 1
    assert r.stderr == 'error: the server doesn\'t have a resource type "foo"\n'
    assert r.stdout == ""
    r = skiff(agent, "get", "pods", "--frobnicate")
    assert r.returncode == 1
    assert r.stderr == "error: unknown flag: --frobnicate\nSee 'skiff get --help' for usage.\n"
    r = skiff(agent, "get")
    assert r.returncode == 1
    assert "You must specify the type of resource to get." in r.stderr
    assert "error: Required resource not specified." in r.stderr
    r = skiff(agent, "get", "pods", "--watch=maybe")
    assert r.returncode == 1
    assert 'invalid argument "maybe" for "-w, --watch" flag' in r.stderr


def test_get_files_and_namespaces(agent):
    path = os.path.join(agent.dir, "m.yaml")
    with open(path, "w") as f:
        f.write(MANIFESTS)
    same(agent, "get", "-f", path)
    same(agent, "get", "-f", path, "-o", "name")
    r = agent.kubectl("create", "namespace", "other")
    assert r.returncode == 0, r.stderr
    r = agent.kubectl("create", "configmap", "o1", "-n", "other", "--from-literal=k=v")
    assert r.returncode == 0, r.stderr
    same(agent, "get", "cm", "-n", "other")
    same(agent, "get", "cm", "--namespace=other", "-o", "name")
    same(agent, "get", "cm", "-A")
    # the kubeconfig context's namespace is the default
    kc = os.path.join(agent.dir, "kc-other")
    with open(agent.kubeconfig()) as f:
        text = f.read()
    assert "    user: " in text
    text = re.sub(r"(\n    user: [^\n]*\n)", r"\1    namespace: other\n", text, count=1)
    with open(kc, "w") as f:
        f.write(text)
    r = skiff(agent, "get", "cm", "-o", "name", env_extra={"KUBECONFIG": kc})
    assert r.returncode == 0, r.stderr
    assert r.stdout == "configmap/o1\n"
    r = skiff(agent, "get", "pods", env_extra={"KUBECONFIG": kc})
    assert r.stderr == "No resources found in other namespace.\n"
    # -n wins over the context's namespace
    r = skiff(agent, "get", "cm", "-o", "name", "--kubeconfig", kc, "-n", "default")
    assert r.stdout == agent.kubectl("get", "cm", "-o", "name").stdout


def test_get_watch_prints_rows(agent):
    env = dict(os.environ, KUBECONFIG=agent.kubeconfig(), HOME=agent.dir)
    p = subprocess.Popen([SKIFF, "get", "cm", "-w", "-l", "w=1"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
    try:
        time.sleep(0.5)
        r = agent.kubectl("create", "configmap", "watched", "--from-literal=a=b")
        assert r.returncode == 0
        r = agent.kubectl("label", "configmap", "watched", "w=1")
        assert r.returncode == 0
        lines = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(lines) < 2:
            line = p.stdout.readline()
            if not line:
                break
            lines.append(line)
        assert lines[0].split() == ["NAME", "DATA", "AGE"], lines
        assert lines[1].split()[:2] == ["watched", "1"], lines
        # the row is aligned under the header
        assert lines[1].index("1") == lines[0].index("DATA")
    finally:
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=5)


def test_describe_matches_kubectl(agent):
    for args in (["describe", "cm", "cm1"], ["describe", "svc", "web"],
                 ["describe", "deploy", "web"], ["describe", "deploy"],
                 ["describe", "cm", "cm"], ["describe", "cm", "nope"],
                 ["describe", "cm", "-l", "app=db"]):
        same(agent, *args)


def test_api_resources_and_versions_match_kubectl(agent):
    for args in (["api-resources"], ["api-resources", "-o", "wide"], ["api-resources", "-o", "name"],
                 ["api-resources", "--namespaced=false"], ["api-resources", "--api-group=apps"],
                 ["api-resources", "--sort-by=kind", "--no-headers"], ["api-versions"]):
        same(agent, *args)


def test_help_documents_every_flag(agent):
    r = skiff(agent, "--help")
    assert r.returncode == 0
    for verb in ("get", "describe", "explain", "api-resources", "version"):
        assert "\n  %-15s " % verb in r.stdout or ("  " + verb + " ") in r.stdout, verb
    for verb in ("get", "describe", "api-resources", "version"):
        r = skiff(agent, verb, "--help")
        assert r.returncode == 0, verb
        flags = re.findall(r"^    (?:-\w, )?--([\w-]+)=", r.stdout, re.M)
        assert flags, verb
        assert flags == sorted(flags), verb
        for name in flags:
            # each documented flag has a help line under it
            assert re.search(r"--%s=[^\n]*:\n\t\S" % re.escape(name), r.stdout), (verb, name)
    r = skiff(agent, "get", "--help")
    for name in ("all-namespaces", "output", "selector", "watch", "sort-by", "label-columns",
                 "show-labels", "field-selector", "no-headers", "watch-only", "filename"):
        assert "--%s=" % name in r.stdout, name
    r = skiff(agent, "options")
    for name in ("kubeconfig", "context", "server", "token", "namespace", "request-timeout"):
        assert "--%s=" % name in r.stdout, name


def test_connection_flags_and_errors(agent):
    with open(agent.kubeconfig()) as f:
        text = f.read()
    token = re.search(r"token: (\S+)", text).group(1)
    server = "https://127.0.0.1:%d" % agent.port
    # --server and --token override the kubeconfig's (TLS still verified by its CA)
    r = skiff(agent, "get", "cm", "cm1", "-o", "name", "--server", server, "--token", token)
    assert r.returncode == 0, r.stderr
    r = skiff(agent, "get", "cm", "--token", "wrong")
    assert r.returncode == 1
    assert r.stderr == "error: You must be logged in to the server (Unauthorized)\n"
    r = skiff(agent, "get", "cm", "-s", "https://127.0.0.1:1")
    assert r.returncode == 1
    assert r.stderr.startswith("Unable to connect to the server: dial tcp 127.0.0.1:1: "), r.stderr
    r = skiff(agent, "get", "cm", "--kubeconfig", "/nonexistent")
    assert r.returncode == 1
    assert "/nonexistent" in r.stderr
    r = skiff(agent, "get", "cm", "--context", "nope")
    assert r.returncode == 1
    assert 'context "nope" does not exist' in r.stderr
