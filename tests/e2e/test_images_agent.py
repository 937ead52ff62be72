"""End-to-end tests of `skiff image ...` in agent mode: the CLI talks to a
running agent through the Kubernetes API (nodes/NODE/proxy/images/...) and
the agent's image service does the work, against the busybox fixture in
Debian's docker-registry on 127.0.0.1. Output must match the offline
(--data-dir) commands'. Every process started here is stopped by PID and
every temp dir removed."""
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import urllib.request

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
import registry as fx  # noqa: E402
from conftest import SKIFF, free_port  # noqa: E402

needs_tools = pytest.mark.skipif(
    not (os.path.exists("/usr/bin/docker-registry") and shutil.which("skopeo")
         and os.path.exists("/bin/busybox")),
    reason="needs docker-registry, skopeo and busybox-static")


@pytest.fixture(scope="module")
def image():
    d = tempfile.mkdtemp(prefix="skiff-imga-")
    layout = os.path.join(d, "oci")
    digest = fx.build_image(layout)
    yield {"dir": d, "layout": layout, "digest": digest}
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def reg(image):
    with fx.Registry() as r:
        r.push(image["layout"])
        yield r


@pytest.fixture
def agent(agent_factory):
    a = agent_factory(name="img-node")
    a.start()
    r = subprocess.run([SKIFF, "image", "ls", "--kubeconfig", a.kubeconfig()],
                       capture_output=True, text=True, timeout=60)
    if "node HTTP" in r.stderr or "ServiceUnavailable" in r.stderr:
        pytest.skip("this agent has no node HTTP surface yet: " + r.stderr)
    return a


def cli(a, *args, timeout=120, kubeconfig=True):
    """skiff image ARGS through the agent, with its kubeconfig in $KUBECONFIG
    and an empty HOME (so nothing else is picked up)."""
    env = dict(os.environ, HOME=a.dir)
    env.pop("SKIFF_CONFIG", None)
    if kubeconfig:
        env["KUBECONFIG"] = a.kubeconfig()
    return subprocess.run([SKIFF, "image"] + list(args), capture_output=True, text=True,
                          timeout=timeout, env=env)


def offline(a, *args):
    return subprocess.run([SKIFF, "image"] + list(args) + ["--data-dir", a.data_dir],
                          capture_output=True, text=True, timeout=60)


def refs(a):
    p = os.path.join(a.data_dir, "images", "refs.json")
    if not os.path.exists(p):
        return {}
    with open(p) as f:
        return json.load(f)


@needs_tools
def test_pull_ls_inspect(image, reg, agent):
    name = "%s/busybox:latest" % reg.addr
    r = cli(agent, "pull", name)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "%s\nDigest: %s\n" % (name, image["digest"])
    assert "resolved" in r.stderr and "fetched" in r.stderr  # plain progress lines: no tty
    assert refs(agent)[name]["manifest"] == image["digest"]
    assert "image pull finished" in agent.log()

    by_digest = "%s/busybox@%s" % (reg.addr, image["digest"])
    r = cli(agent, "pull", by_digest)
    assert r.returncode == 0, r.stderr
    assert "Digest: %s" % image["digest"] in r.stdout
    assert "present" in r.stderr  # nothing fetched twice
    assert refs(agent)[by_digest]["manifest"] == image["digest"]

    # the same output as the offline commands
    for args in (["ls"], ["ls", "-q"], ["inspect", name, by_digest]):
        on, off = cli(agent, *args), offline(agent, *args)
        assert on.returncode == 0 and off.returncode == 0, on.stderr + off.stderr
        assert on.stdout == off.stdout, args
    doc = json.loads(cli(agent, "inspect", name).stdout)[0]
    assert doc["manifest"] == image["digest"] and doc["config"]["config"]["Cmd"] == ["sh"]

    r = cli(agent, "inspect", "nothing-here", name)
    assert r.returncode == 1
    assert 'image "nothing-here" not found' in r.stderr, r.stderr
    assert json.loads(r.stdout)[0]["name"] == name

    r = cli(agent, "pull", "%s/busybox:nope" % reg.addr)
    assert r.returncode == 1 and "manifest not found" in r.stderr, r.stderr


@needs_tools
def test_export_import_rm_prune(image, reg, agent):
    name = "%s/busybox:latest" % reg.addr
    assert cli(agent, "pull", name, "-q").returncode == 0
    before = refs(agent)[name]
    out = os.path.join(agent.dir, "export.tar")
    r = cli(agent, "export", name, out)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "exported 1 image to %s\n" % out
    assert not [f for f in os.listdir(agent.dir) if ".part-" in f]

    r = cli(agent, "rm", name)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "Untagged: %s\n" % name
    assert name not in refs(agent)
    r = cli(agent, "rm", name)
    assert r.returncode == 1 and ('image "%s" not found' % name) in r.stderr, r.stderr

    # the agent runs here: the file goes by path
    r = cli(agent, "import", out)
    assert r.returncode == 0, r.stderr
    assert image["digest"] in r.stdout and r.stdout.startswith("imported ")
    after = refs(agent)[name]
    assert after["manifest"] == before["manifest"] and after["config"] == before["config"]

    # the same archive as a request body (what a remote CLI sends)
    assert cli(agent, "rm", name).returncode == 0
    node = "img-node"
    with open(out, "rb") as f:
        body = f.read()
    st, text = api(agent, "POST", "/api/v1/nodes/%s/proxy/images/import" % node, body)
    assert st == 200, text
    assert json.loads(text)["images"][0]["manifest"] == before["manifest"]
    assert refs(agent)[name]["manifest"] == before["manifest"]
    incoming = os.path.join(agent.data_dir, "images", "incoming")
    assert not os.path.exists(incoming) or os.listdir(incoming) == []

    r = cli(agent, "prune", "--all")
    assert r.returncode == 0, r.stderr
    assert ("Untagged: %s\n" % name) in r.stdout and "Total reclaimed space:" in r.stdout
    assert refs(agent) == {}
    assert os.listdir(os.path.join(agent.data_dir, "images", "blobs", "sha256")) == []


def api(a, method, path, body=None):
    """One request with the admin kubeconfig's CA and token."""
    import base64
    import yaml
    with open(a.kubeconfig()) as f:
        kc = yaml.safe_load(f)
    ca = base64.b64decode(kc["clusters"][0]["cluster"]["certificate-authority-data"]).decode()
    ctx = ssl.create_default_context(cadata=ca)
    req = urllib.request.Request("https://127.0.0.1:%d%s" % (a.port, path), data=body,
                                 method=method)
    req.add_header("Authorization", "Bearer " + kc["users"][0]["user"]["token"])
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=60) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_errors(agent):
    r = cli(agent, "ls", "--node", "nope")
    assert r.returncode == 1
    assert r.stderr.startswith('Error from server (NotFound): nodes "nope" not found'), r.stderr

    r = cli(agent, "ls", "--token", "wrong")
    assert r.returncode == 1
    assert r.stderr == "error: You must be logged in to the server (Unauthorized)\n", r.stderr
    r = cli(agent, "ls", "--token", "")
    assert r.returncode == 1 and "(Unauthorized)" in r.stderr, r.stderr

    dead = "https://127.0.0.1:%d" % free_port()
    r = cli(agent, "ls", "--server", dead)
    assert r.returncode == 1 and r.stderr.startswith("Unable to connect to the server: "), r.stderr

    r = cli(agent, "ls", "--kubeconfig", os.path.join(agent.dir, "nope"), kubeconfig=False)
    assert r.returncode == 1 and "cannot read kubeconfig" in r.stderr and "nope" in r.stderr

    r = cli(agent, "import", os.path.join(agent.dir, "no-such.tar"))
    assert r.returncode == 1 and "no-such.tar" in r.stderr
    r = cli(agent, "pull", "busybox", "--registries", "/x")
    assert r.returncode == 1 and "--data-dir only" in r.stderr

    for verb in ("pull", "ls", "inspect", "rm", "import", "export", "prune"):
        h = cli(agent, verb, "--help")
        assert h.returncode == 0 and "--node" in h.stdout and "--kubeconfig" in h.stdout, verb

    # the agent's own credentials when nothing else is configured (root on the node)
    conf = os.path.join(agent.dir, "skiff.yaml")
    with open(conf, "w") as f:
        f.write("data-dir: %s\napi:\n  listen: 127.0.0.1:%d\n" % (agent.data_dir, agent.port))
    r = cli(agent, "ls", "--config", conf, kubeconfig=False)
    assert r.returncode == 0 and r.stdout.startswith("IMAGE"), r.stderr


@needs_tools
def test_concurrent_pulls_fetch_each_blob_once(image, agent):
    with fx.Registry() as r:
        r.push(image["layout"], name="solo:latest")
        before = r.blob_gets()
        outs = [None, None]

        def go(i):
            outs[i] = cli(agent, "pull", "%s/solo:latest" % r.addr)
        ts = [threading.Thread(target=go, args=(i,)) for i in range(2)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        for o in outs:
            assert o.returncode == 0, o.stderr
            assert image["digest"] in o.stdout
        after = r.blob_gets()
        fetched = {d: after.get(d, 0) - before.get(d, 0) for d in after}
        assert fetched and all(n == 1 for n in fetched.values()), fetched
        assert len(fetched) == 3  # config + 2 layers
    assert os.listdir(os.path.join(agent.data_dir, "images", "tmp")) == []


def global_ipv4():
    r = subprocess.run(["ip", "-4", "-o", "addr", "show", "scope", "global"],
                       capture_output=True, text=True)
    for line in r.stdout.splitlines():
        parts = line.split()
        if "inet" in parts:
            return parts[parts.index("inet") + 1].split("/")[0]
    return None


@needs_tools
def test_import_uploads_when_the_agent_is_elsewhere(image, agent_factory):
    """Through a non-loopback address the CLI cannot assume the agent sees
    its files: the tarball is the request body, bounded by
    api.max-proxy-body."""
    ip = global_ipv4()
    if not ip:
        pytest.skip("no global IPv4 address to reach the agent by")
    a = agent_factory(name="img-node", config="api:\n  max-proxy-body: 2Mi\n")
    a.args += ["--api-listen", "0.0.0.0:%d" % a.port]
    a.start()
    small = os.path.join(a.dir, "bb.tar")
    fx.oci_archive(image["layout"], small)
    server = "https://%s:%d" % (ip, a.port)
    r = cli(a, "import", small, "--server", server)
    if "certificate" in r.stderr or "SSL" in r.stderr:
        pytest.skip("the serving certificate does not name %s: %s" % (ip, r.stderr))
    assert r.returncode == 0, r.stderr
    assert image["digest"] in r.stdout
    assert "image import finished" in a.log()
    incoming = os.path.join(a.data_dir, "images", "incoming")
    assert os.listdir(incoming) == []  # the upload is gone once imported

    big = os.path.join(a.dir, "big.tar")
    with open(big, "wb") as f:
        f.write(os.urandom(3 << 20))
    r = cli(a, "import", big, "--server", server)
    assert r.returncode == 1
    assert "RequestEntityTooLarge" in r.stderr or "too large" in r.stderr, r.stderr


@needs_tools
def test_agent_never_maps_libcurl_and_progress_bar(image, reg, agent):
    """The agent pulls through children: its own process never maps
    libcurl. On a terminal the CLI draws the same progress bar as offline."""
    import pty
    name = "%s/busybox:latest" % reg.addr
    master, slave = pty.openpty()
    try:
        env = dict(os.environ, HOME=agent.dir, KUBECONFIG=agent.kubeconfig())
        p = subprocess.run([SKIFF, "image", "pull", name, "--node", "img-node"],
                           stdout=subprocess.PIPE, stderr=slave, text=True, timeout=120, env=env)
        os.close(slave)
        slave = None
        out = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    finally:
        if slave is not None:
            os.close(slave)
        os.close(master)
    assert p.returncode == 0, out
    assert p.stdout == "%s\nDigest: %s\n" % (name, image["digest"])
    assert b"\r[" in out and b"3/3 blobs" in out, out
    with open("/proc/%d/maps" % agent.proc.pid) as f:
        assert "libcurl" not in f.read()


def big_archive(out, size):
    """An oci-archive with one layer holding `size` random bytes, named
    example.com/big:1; returns its manifest digest."""
    import hashlib
    import io
    import tarfile
    data = os.urandom(size)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        ti = tarfile.TarInfo("big.bin")
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
    blobs = {}

    def put(b):
        h = hashlib.sha256(b).hexdigest()
        blobs[h] = b
        return "sha256:" + h, len(b)
    ld, ls = put(buf.getvalue())
    cd, cs = put(json.dumps({"architecture": "amd64", "os": "linux",
                             "rootfs": {"type": "layers", "diff_ids": [ld]}}).encode())
    md, ms = put(json.dumps({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd,
                   "size": cs},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": ld,
                    "size": ls}]}).encode())
    idx = json.dumps({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": ms,
        "annotations": {"io.containerd.image.name": "example.com/big:1"}}]}).encode()
    with tarfile.open(out, "w") as t:
        members = [("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'), ("index.json", idx)]
        members += [("blobs/sha256/" + h, b) for h, b in blobs.items()]
        for n, b in members:
            ti = tarfile.TarInfo(n)
            ti.size = len(b)
            t.addfile(ti, io.BytesIO(b))
    return md


def test_export_waits_for_a_slow_client_and_stops_when_it_leaves(agent):
    """A client that stops reading holds the export child (backpressure
    through the pipe, not the agent's memory); one that leaves cancels it."""
    import socket
    import time
    from conftest import wait_for
    arc = os.path.join(agent.dir, "big.tar")
    big_archive(arc, 24 << 20)
    r = cli(agent, "import", arc)
    assert r.returncode == 0, r.stderr
    with open(agent.kubeconfig()) as f:
        token = [ln.split()[-1] for ln in f if "token:" in ln][0]
    ctx = ssl.create_default_context(
        cafile=os.path.join(agent.data_dir, "tls", "ca.crt"))
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", agent.port)),
                        server_hostname="127.0.0.1")
    try:
        s.sendall(("GET /api/v1/nodes/img-node/proxy/images/export?image=example.com/big:1 "
                   "HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n" % token).encode())
        assert s.recv(64).startswith(b"HTTP/1.1 200")
        wait_for(lambda: "image export started" in agent.log(), 10, "export started")
        time.sleep(1.5)  # unthrottled, the child is done in a fraction of this
        assert "image export finished" not in agent.log()
        rss = int([ln.split()[1] for ln in open("/proc/%d/status" % agent.proc.pid)
                   if ln.startswith("VmRSS")][0])
        assert rss < 64 << 10, "agent RSS %d KiB while an export is held" % rss
    finally:
        s.close()
    wait_for(lambda: "image export cancelled" in agent.log(), 10, "export cancelled")
    assert os.listdir(os.path.join(agent.data_dir, "images", "tmp")) == []


def test_pull_failing_mid_stream(image, agent):
    """A pull that fails after its progress stream started ends with an
    error line: the CLI prints it as the offline pull would, exits 1, and
    nothing is left in the store."""
    with fx.FakeRegistry(image["layout"], mode="tamper") as fr:
        r = cli(agent, "pull", "%s/busybox:latest" % fr.addr)
    assert r.returncode == 1, r.stdout
    assert "resolved" in r.stderr  # the stream had started
    assert r.stderr.rstrip().splitlines()[-1].startswith("error: pull ")
    assert "digest mismatch" in r.stderr, r.stderr
    assert r.stdout == ""
    assert refs(agent) == {}
    assert os.listdir(os.path.join(agent.data_dir, "images", "tmp")) == []
