"""Node HTTP end to end: the real agent loading tests/plugins/logsrv (built as
$SKIFF_BUILD/test-plugins/logsrv.so) from a plugin dir, reached through the
API's nodes/proxy subresource and pods/log, with kubectl and plain HTTPS."""
import json
import os
import shutil
import signal
import ssl
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from conftest import BUILD, wait_for

LOGSRV = os.path.join(BUILD, "test-plugins", "logsrv.so")

PODS = """
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  nodeName: node-a
  containers:
  - {name: a, image: busybox}
  - {name: b, image: busybox}
---
apiVersion: v1
kind: Pod
metadata: {name: one}
spec:
  nodeName: node-a
  containers:
  - {name: main, image: busybox}
---
apiVersion: v1
kind: Pod
metadata: {name: pending}
spec:
  schedulerName: nobody   # no scheduler of that name: it stays unbound
  containers:
  - {name: main, image: busybox}
---
apiVersion: v1
kind: Pod
metadata: {name: far}
spec:
  nodeName: node-z
  containers:
  - {name: main, image: busybox}
---
apiVersion: v1
kind: Pod
metadata: {name: elsewhere}
spec:
  nodeName: node-b
  containers:
  - {name: main, image: busybox}
---
apiVersion: v1
kind: Pod
metadata: {name: broken}
spec:
  nodeName: node-a
  containers:
  - {name: fail, image: busybox}
---
apiVersion: v1
kind: Node
metadata: {name: node-b}
"""


def start_agent(agent_factory, config=None):
    if not os.path.exists(LOGSRV):
        pytest.skip("build the test plugins first: make unit (or e2e) builds %s" % LOGSRV)
    a = agent_factory(config=config)
    plugins = os.path.join(a.dir, "plugins")
    os.mkdir(plugins)
    shutil.copy(LOGSRV, plugins)
    a.args += ["--plugin-dir", plugins]
    a.start()
    wait_for(lambda: "serving prefix=/containerLogs plugin=logsrv" in a.log(), 10,
             "logsrv serving")
    return a


@pytest.fixture
def agent(agent_factory):
    a = start_agent(agent_factory)
    r = a.kubectl("apply", "-f", "-", input=PODS)
    assert r.returncode == 0, r.stderr
    return a


def https(a, method, path, body=None, token=True, headers=None):
    """(status, headers, body bytes) of one request to the agent's API."""
    ctx = ssl.create_default_context(cafile=os.path.join(a.data_dir, "tls", "ca.crt"))
    req = urllib.request.Request("https://127.0.0.1:%d%s" % (a.port, path), data=body,
                                 method=method)
    if token:
        with open(os.path.join(a.data_dir, "tls", "admin.token")) as f:
            req.add_header("Authorization", "Bearer " + f.read().strip())
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=60) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def status_of_upload(a, path, size, token=True):
    """Status of a POST of size bytes, by curl: it sends Expect: 100-continue,
    so a limit the server enforces on Content-Length answers before the body
    (urllib would see the connection close under its upload)."""
    body = os.path.join(a.dir, "upload.bin")
    with open(body, "wb") as f:
        f.write(b"x" * size)
    with open(os.path.join(a.data_dir, "tls", "admin.token")) as f:
        secret = f.read().strip()
    auth = "Authorization: Bearer " + secret if token else "X-No-Auth: 1"
    r = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
                        "--cacert", os.path.join(a.data_dir, "tls", "ca.crt"),
                        "-H", auth,
                        "-H", "Content-Type: application/json",
                        "--data-binary", "@" + body,
                        "https://127.0.0.1:%d%s" % (a.port, path)],
                       capture_output=True, text=True, timeout=60)
    os.unlink(body)
    return int(r.stdout or 0)


def fnv64(data):
    h = 1469598103934665603
    for b in data:
        h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def lines(name, ctr, first, last):
    return "".join("default/%s/%s line %d\n" % (name, ctr, i) for i in range(first, last + 1))


def test_logs(agent):
    r = agent.kubectl("logs", "one")
    assert r.returncode == 0, r.stderr
    assert r.stdout == lines("one", "main", 1, 5)
    r = agent.kubectl("logs", "one", "--tail=2")
    assert r.stdout == lines("one", "main", 4, 5)
    r = agent.kubectl("logs", "web", "-c", "b", "--tail=1")
    assert r.returncode == 0, r.stderr
    assert r.stdout == lines("web", "b", 5, 5)
    st, hdrs, body = https(agent, "GET", "/api/v1/namespaces/default/pods/web/log?container=a")
    assert st == 200 and hdrs["Content-Type"] == "text/plain"
    assert body.decode() == lines("web", "a", 1, 5)
    # following: chunked, lines as they come
    ctx = ssl.create_default_context(cafile=os.path.join(agent.data_dir, "tls", "ca.crt"))
    req = urllib.request.Request("https://127.0.0.1:%d/api/v1/namespaces/default/pods/one/"
                                 "log?follow=true&tailLines=0" % agent.port)
    with open(os.path.join(agent.data_dir, "tls", "admin.token")) as f:
        req.add_header("Authorization", "Bearer " + f.read().strip())
    with urllib.request.urlopen(req, context=ctx, timeout=30) as resp:
        assert resp.headers["Transfer-Encoding"] == "chunked"
        assert resp.headers["Content-Type"] == "text/plain"
        assert resp.readline() == b"default/one/main line 6\n"


def test_logs_container_errors(agent):
    # kubectl picks a default container itself; the API must still refuse
    r = agent.kubectl("get", "--raw", "/api/v1/namespaces/default/pods/web/log")
    assert r.returncode == 1
    assert ("Error from server (BadRequest): a container name must be specified for pod web, "
            "choose one of: [a b]") in r.stderr
    r = agent.kubectl("logs", "web", "-c", "zz")
    assert r.returncode == 1
    assert "container zz is not valid for pod web" in r.stderr
    st, _, body = https(agent, "GET", "/api/v1/namespaces/default/pods/web/log?container=zz")
    status = json.loads(body)
    assert st == 400 and status["reason"] == "BadRequest"
    assert status["message"] == "container zz is not valid for pod web"
    # the node's own refusal becomes a Status, as the kubelet's does
    r = agent.kubectl("logs", "broken")
    assert r.returncode == 1
    assert ('Error from server (BadRequest): container "fail" in pod "web" is waiting to '
            "start: ContainerCreating") in r.stderr


def test_logs_options(agent):
    base = "/api/v1/namespaces/default/pods/one/log"
    st, _, body = https(agent, "GET", base + "?tailLines=-1")
    s = json.loads(body)
    assert st == 422 and s["reason"] == "Invalid" and s["details"]["kind"] == "PodLogOptions"
    assert s["message"] == ('PodLogOptions "one" is invalid: tailLines: Invalid value: -1: '
                            'must be greater than or equal to 0')
    st, _, body = https(agent, "GET", base + "?tailLines=abc")
    assert st == 400
    assert json.loads(body)["message"] == 'strconv.ParseInt: parsing "abc": invalid syntax'
    st, _, body = https(agent, "GET", base + "?limitBytes=0")
    assert st == 422 and "limitBytes: Invalid value: 0: must be greater than 0" in body.decode()
    st, _, body = https(agent, "GET", base + "?sinceSeconds=5&sinceTime=2024-01-01T00:00:00Z")
    assert st == 422 and "at most one of `sinceTime` or `sinceSeconds`" in body.decode()
    st, _, body = https(agent, "GET", base + "?sinceTime=yesterday")
    assert st == 400 and json.loads(body)["message"].startswith('parsing time "yesterday"')
    # not on a node yet: an empty log, as kube-apiserver answers
    st, _, body = https(agent, "GET", "/api/v1/namespaces/default/pods/pending/log")
    assert st == 200 and body == b""
    r = agent.kubectl("logs", "far")
    assert r.returncode == 1 and 'nodes "node-z" not found' in r.stderr
    r = agent.kubectl("logs", "elsewhere")
    assert r.returncode == 1
    assert "(ServiceUnavailable)" in r.stderr and "node-b" in r.stderr
    r = agent.kubectl("logs", "nope")
    assert r.returncode == 1 and 'pods "nope" not found' in r.stderr


def test_logs_follow(agent):
    env = dict(os.environ, KUBECONFIG=agent.kubeconfig(), HOME=agent.dir)
    p = subprocess.Popen(["/usr/bin/kubectl", "logs", "-f", "one", "--tail=1"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        got = []
        t0 = time.monotonic()
        for _ in range(4):  # line 5, then lines the plugin appends every 100 ms
            got.append(p.stdout.readline())
            assert time.monotonic() - t0 < 10, "follow is not streaming"
        assert got == ["default/one/main line %d\n" % i for i in (5, 6, 7, 8)]
        assert p.poll() is None
        p.send_signal(signal.SIGINT)
        p.wait(timeout=10)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        p.stdout.close()
        p.stderr.close()
    wait_for(lambda: "stream gone path=/containerLogs/default/one/main" in agent.log(), 5,
             "the plugin to see the client go")


def test_proxy_echo(agent):
    r = agent.kubectl("get", "--raw", "/api/v1/nodes/node-a/proxy/echo/a/b?x=1&y=2")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("method=GET\npath=/echo/a/b\nquery=x=1&y=2\n")
    for m in ("POST", "PUT", "PATCH", "DELETE"):
        st, _, body = https(agent, m, "/api/v1/nodes/node-a/proxy/echo/m", body=b"xyz",
                            headers={"Content-Type": "text/x-test"})
        assert st == 200
        assert ("method=%s\npath=/echo/m\nquery=\nctype=text/x-test\nbody-length=3\n" % m) \
            in body.decode()
    st, hdrs, body = https(agent, "HEAD", "/api/v1/nodes/node-a/proxy/echo")
    assert st == 200 and body == b""
    st, _, body = https(agent, "GET", "/api/v1/nodes/node-a/proxy/echo?status=418")
    assert st == 418 and body.startswith(b"method=GET")
    # the proxy root is "/"
    st, _, body = https(agent, "GET", "/api/v1/nodes/node-a/proxy")
    assert st == 404 and body == b"404 page not found\n"


def test_proxy_big_bodies(agent):
    data = os.urandom(10 << 20)
    st, _, body = https(agent, "POST", "/api/v1/nodes/node-a/proxy/echo/big", body=data,
                        headers={"Content-Type": "application/octet-stream"})
    assert st == 200, body[:300]
    assert "body-length=%d\nbody-fnv=%s\n" % (len(data), fnv64(data)) in body.decode()
    st, _, body = https(agent, "PUT", "/api/v1/nodes/node-a/proxy/echo/big?raw=1", body=data,
                        headers={"Content-Type": "application/octet-stream"})
    assert st == 200 and body == data
    # the 3 MiB object limit still holds outside nodes/proxy
    assert status_of_upload(agent, "/api/v1/namespaces/default/configmaps", (3 << 20) + 1) == 413
    # the larger proxy limit is only for clients that may proxy
    assert status_of_upload(agent, "/api/v1/nodes/node-a/proxy/echo", 4 << 20) == 200
    assert status_of_upload(agent, "/api/v1/nodes/node-a/proxy/echo", 4 << 20,
                            token=False) == 413


def rss_kib(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for ln in f:
            if ln.startswith(key + ":"):
                return int(ln.split()[1])
    raise AssertionError(key)


def test_proxy_stream_backpressure(agent_factory):
    a = start_agent(agent_factory)
    size = 50 << 20
    with open(os.path.join(a.data_dir, "tls", "admin.token")) as f:
        token = f.read().strip()
    ctx = ssl.create_default_context(cafile=os.path.join(a.data_dir, "tls", "ca.crt"))
    req = urllib.request.Request(
        "https://127.0.0.1:%d/api/v1/nodes/node-a/proxy/echo/gen?size=%d" % (a.port, size))
    req.add_header("Authorization", "Bearer " + token)
    before = rss_kib(a.proc.pid, "VmRSS")
    peak = before
    got = 0
    with urllib.request.urlopen(req, context=ctx, timeout=60) as resp:
        assert resp.headers.get("Transfer-Encoding") == "chunked"
        first = resp.read(26)
        assert first == b"abcdefghijklmnopqrstuvwxyz"
        got = len(first)
        while True:
            chunk = resp.read(1 << 20)
            if not chunk:
                break
            got += len(chunk)
            # a slow reader: the agent must hold back, not buffer the rest
            if got < (20 << 20):
                time.sleep(0.01)
            peak = max(peak, rss_kib(a.proc.pid, "VmRSS"))
    assert got == size
    grew = peak - before
    assert grew < 12 * 1024, "agent RSS grew by %d KiB while streaming 50 MiB" % grew
    print("rss before=%d KiB peak=%d KiB grew=%d KiB" % (before, peak, grew))


def test_proxy_errors(agent):
    r = agent.kubectl("get", "--raw", "/api/v1/nodes/node-a/proxy/nothing/here")
    assert r.returncode == 1 and "NotFound" in r.stderr
    st, hdrs, body = https(agent, "GET", "/api/v1/nodes/node-a/proxy/nothing")
    assert st == 404 and body == b"404 page not found\n"
    assert hdrs["Content-Type"].startswith("text/plain")
    st, _, body = https(agent, "GET", "/api/v1/nodes/ghost/proxy/echo")
    s = json.loads(body)
    assert st == 404 and s["message"] == 'nodes "ghost" not found'
    assert s["details"] == {"name": "ghost", "kind": "nodes"}
    r = agent.kubectl("get", "--raw", "/api/v1/nodes/node-b/proxy/echo")
    assert r.returncode == 1 and "(ServiceUnavailable)" in r.stderr
    assert 'node "node-b" is not reachable' in r.stderr
    st, _, body = https(agent, "GET", "/api/v1/nodes/node-a/proxy/echo", token=False)
    assert st == 401 and json.loads(body)["reason"] == "Unauthorized"
    st, _, _ = https(agent, "OPTIONS", "/api/v1/nodes/node-a/proxy/echo")
    assert st == 405
    st, hdrs, _ = https(agent, "GET", "/version", token=False)
    assert st == 200 and hdrs["Skiff-Node"] == "node-a"


def test_proxy_body_limit(agent_factory):
    a = start_agent(agent_factory, config="api:\n  max-proxy-body: 1Mi\n")
    st, _, body = https(a, "POST", "/api/v1/nodes/node-a/proxy/echo", body=b"x" * (1 << 20))
    assert st == 200 and b"body-length=1048576" in body
    assert status_of_upload(a, "/api/v1/nodes/node-a/proxy/echo", (1 << 20) + 1) == 413


def test_proxy_body_limit_config_errors(agent_factory):
    a = agent_factory(config="api:\n  max-proxy-body: 10\n")
    a.start(wait_ready=False)
    assert a.proc.wait(timeout=10) == 1
    assert "api.max-proxy-body: must be between 1Ki and 1Gi" in a.log()


def test_plugin_stop_ends_streams(agent):
    """An agent stopping with a followed log open ends it cleanly."""
    env = dict(os.environ, KUBECONFIG=agent.kubeconfig(), HOME=agent.dir)
    p = subprocess.Popen(["/usr/bin/kubectl", "logs", "-f", "one"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert p.stdout.readline() == "default/one/main line 1\n"
        rc, secs = agent.stop()
        assert rc == 0 and secs < 3
        p.wait(timeout=10)
        assert "stream stopped path=/containerLogs/default/one/main" in agent.log()
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        p.stdout.close()
        p.stderr.close()
