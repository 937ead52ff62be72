"""Stock kubectl 1.32 against a fresh agent: the everyday commands of issue 4."""
import json
import re
import subprocess
import threading
import time

import pytest

from conftest import wait_for

MANIFEST = """\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: Pod
metadata:
  name: web-0
  namespace: shop
  labels: {app: web, env: prod}
spec:
  containers:
  - name: web
    image: busybox:1.36
    command: ["httpd", "-f"]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: busybox:1.36
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports:
  - port: 80
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: shop
data:
  color: blue
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
  namespace: shop
stringData:
  password: hunter2
"""


@pytest.fixture
def agent(agent_factory):
    a = agent_factory().start()
    yield a
    rc, _ = a.stop()
    assert rc == 0, a.log()


def ok(r):
    assert r.returncode == 0, "exit %d\nstdout:\n%s\nstderr:\n%s" % (
        r.returncode, r.stdout, r.stderr)
    return r.stdout


def test_version_api_resources_explain(agent):
    out = ok(agent.kubectl("version", "-o", "json"))
    v = json.loads(out)
    assert v["serverVersion"]["major"] == "1" and v["serverVersion"]["minor"] == "32"
    assert "+skiff." in v["serverVersion"]["gitVersion"]
    out = ok(agent.kubectl("api-resources"))
    for row in ("pods", "po", "deployments", "deploy", "apps/v1", "cronjobs", "cj"):
        assert row in out, row
    out = ok(agent.kubectl("explain", "pods.spec"))
    assert "containers" in out and "restartPolicy" in out


def test_apply_twice_then_configured(agent, tmp_path):
    f = tmp_path / "m.yaml"
    f.write_text(MANIFEST)
    out = ok(agent.kubectl("apply", "-f", str(f)))
    for line in ("namespace/shop created", "pod/web-0 created", "deployment.apps/web created",
                 "service/web created", "configmap/settings created", "secret/creds created"):
        assert line in out, out
    out = ok(agent.kubectl("apply", "-f", str(f)))
    assert "pod/web-0 unchanged" in out and "deployment.apps/web unchanged" in out, out
    f.write_text(MANIFEST.replace("color: blue", "color: green"))
    out = ok(agent.kubectl("apply", "-f", str(f)))
    assert "configmap/settings configured" in out, out
    assert ok(agent.kubectl("get", "cm", "settings", "-n", "shop",
                            "-o", "jsonpath={.data.color}")) == "green"


def test_server_side_apply(agent, tmp_path):
    f = tmp_path / "m.yaml"
    f.write_text(MANIFEST)
    out = ok(agent.kubectl("apply", "--server-side", "-f", str(f)))
    assert "pod/web-0 serverside-applied" in out, out
    out = ok(agent.kubectl("apply", "--server-side", "-f", str(f)))
    assert "serverside-applied" in out


def test_get_forms_and_selectors(agent, tmp_path):
    f = tmp_path / "m.yaml"
    f.write_text(MANIFEST)
    ok(agent.kubectl("apply", "-f", str(f)))
    ok(agent.kubectl("run", "lonely", "-n", "shop", "--image=busybox", "--labels=tier=x"))
    out = ok(agent.kubectl("get", "pods", "-n", "shop", "-o", "wide"))
    assert re.search(r"^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE", out, re.M), out
    assert "web-0" in out
    y = ok(agent.kubectl("get", "pod", "web-0", "-n", "shop", "-o", "yaml"))
    assert "name: web-0" in y and "uid:" in y and "resourceVersion:" in y
    j = json.loads(ok(agent.kubectl("get", "pods", "-n", "shop", "-o", "json")))
    assert j["kind"] == "List" or j["kind"] == "PodList"
    # the Deployment's pods carry app=web too, but not env
    out = ok(agent.kubectl("get", "pods", "-n", "shop", "-l", "app=web,env=prod", "-o", "name"))
    assert out.split() == ["pod/web-0"]
    out = ok(agent.kubectl("get", "pods", "-n", "shop", "-l", "!env,!app", "-o", "name"))
    assert out.split() == ["pod/lonely"]
    out = ok(agent.kubectl("get", "pods", "-n", "shop", "--show-labels"))
    assert "app=web,env=prod" in out
    out = ok(agent.kubectl("get", "pods", "-n", "shop", "-L", "app"))
    assert re.search(r"^NAME.*\bAPP\b", out, re.M)
    out = ok(agent.kubectl("get", "pods", "-A"))
    assert re.search(r"^NAMESPACE\s+NAME", out, re.M) and "shop" in out
    out = ok(agent.kubectl("get", "all", "-n", "shop"))
    assert "pod/web-0" in out and "service/web" in out and "deployment.apps/web" in out


def test_watch_prints_change_by_another_client(agent):
    ok(agent.kubectl("apply", "-f", "-", input="apiVersion: v1\nkind: Namespace\n"
                     "metadata: {name: w}\n"))
    env_cmd = ["/usr/bin/kubectl", "get", "configmaps", "-n", "w", "-w"]
    import os
    env = dict(os.environ, KUBECONFIG=agent.kubeconfig(), HOME=agent.dir)
    p = subprocess.Popen(env_cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=env)
    try:
        lines = []
        t = threading.Thread(target=lambda: [lines.append(l) for l in p.stdout], daemon=True)
        t.start()
        time.sleep(0.5)
        ok(agent.kubectl("apply", "-n", "w", "-f", "-", input="apiVersion: v1\n"
                         "kind: ConfigMap\nmetadata: {name: later}\ndata: {a: b}\n"))
        wait_for(lambda: any("later" in l for l in lines), 10, "watch line for 'later'")
    finally:
        p.kill()
        p.wait()


def test_label_annotate_scale_delete(agent, tmp_path):
    f = tmp_path / "m.yaml"
    f.write_text(MANIFEST)
    ok(agent.kubectl("apply", "-f", str(f)))
    assert "pod/web-0 labeled" in ok(agent.kubectl("label", "pod", "web-0", "-n", "shop",
                                                   "tier=front"))
    r = agent.kubectl("label", "pod", "web-0", "-n", "shop", "tier=back")
    assert r.returncode != 0 and "already has a value" in r.stderr
    ok(agent.kubectl("label", "pod", "web-0", "-n", "shop", "tier=back", "--overwrite"))
    ok(agent.kubectl("label", "pod", "web-0", "-n", "shop", "tier-"))
    assert "tier" not in ok(agent.kubectl("get", "pod", "web-0", "-n", "shop", "--show-labels"))
    assert "annotated" in ok(agent.kubectl("annotate", "pod", "web-0", "-n", "shop", "note=hi"))
    out = ok(agent.kubectl("scale", "deployment", "web", "-n", "shop", "--replicas=5"))
    assert "deployment.apps/web scaled" in out
    assert ok(agent.kubectl("get", "deploy", "web", "-n", "shop",
                            "-o", "jsonpath={.spec.replicas}")) == "5"
    out = ok(agent.kubectl("delete", "pod", "-n", "shop", "-l", "app=web"))
    assert 'pod "web-0" deleted' in out
    ok(agent.kubectl("apply", "-f", str(f)))
    # without the Namespace: its deletion would race the deletes of its contents
    g = tmp_path / "contents.yaml"
    g.write_text(MANIFEST.split("---\n", 1)[1])
    out = ok(agent.kubectl("delete", "-f", str(g)))
    assert 'deployment.apps "web" deleted' in out
    r = agent.kubectl("get", "pod", "web-0", "-n", "shop")
    assert r.returncode == 1
    assert 'Error from server (NotFound)' in r.stderr


def test_missing_and_wrong_token_get_401(agent):
    import ssl
    import urllib.request
    import urllib.error
    ctx = ssl.create_default_context(cafile=agent.data_dir + "/tls/ca.crt")
    url = "https://127.0.0.1:%d/api/v1/namespaces" % agent.port
    for hdr in (None, "Bearer wrong"):
        req = urllib.request.Request(url)
        if hdr:
            req.add_header("Authorization", hdr)
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(req, context=ctx, timeout=10)
        assert e.value.code == 401
        body = json.loads(e.value.read())
        assert body["kind"] == "Status" and body["reason"] == "Unauthorized"
    # health and version answer without a token
    for path in ("/healthz", "/livez", "/readyz", "/version"):
        with urllib.request.urlopen("https://127.0.0.1:%d%s" % (agent.port, path), context=ctx,
                                    timeout=10) as r:
            assert r.status == 200
