"""End-to-end tests of image pull secrets (issue 6): a real agent, Secrets of
type kubernetes.io/dockerconfigjson made by stock kubectl, and `skiff image
pull --pull-secret` through the agent's image service against the fake
registry (tests/fixtures/registry.py) demanding basic or bearer-token auth.
Every process started here is stopped by PID and every temp dir removed."""
import base64
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
import registry as fx  # noqa: E402
from conftest import SKIFF  # noqa: E402

needs_tools = pytest.mark.skipif(
    not (os.path.exists("/bin/busybox") and os.path.exists("/usr/bin/kubectl")),
    reason="needs busybox-static and kubectl")

PASSWORD = "pw-7Qx9-secret"  # distinctive, to look for leaks
WARNING = ("Warning: Unable to retrieve some image pull secrets (%s); attempting to pull the "
           "image may not succeed.")


class BasicRegistry(fx.FakeRegistry):
    """The fake registry, behind HTTP basic auth (user "u", PASSWORD)."""

    def _handler(self):
        base = super()._handler()
        want = "Basic " + base64.b64encode(("u:" + PASSWORD).encode()).decode()
        reg = self

        class H(base):
            def do_GET(self):
                if self.headers.get("Authorization") != want:
                    reg.requests.append((self.command, self.path))
                    return self.send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}',
                                     extra=[("WWW-Authenticate", 'Basic realm="fake"')])
                return base.do_GET(self)
        return H


@pytest.fixture(scope="module")
def image():
    d = tempfile.mkdtemp(prefix="skiff-imgs-")
    layout = os.path.join(d, "oci")
    digest = fx.build_image(layout)
    yield {"dir": d, "layout": layout, "digest": digest}
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def agent(agent_factory):
    a = agent_factory(name="sec-node")
    a.start()
    return a


def cli(a, *args, timeout=120):
    env = dict(os.environ, HOME=a.dir, KUBECONFIG=a.kubeconfig())
    env.pop("SKIFF_CONFIG", None)
    return subprocess.run([SKIFF, "image"] + list(args), capture_output=True, text=True,
                          timeout=timeout, env=env)


def kubectl_ok(a, *args):
    r = a.kubectl(*args)
    assert r.returncode == 0, r.stderr
    return r.stdout


def regcred(a, name, server, password, ns="default"):
    kubectl_ok(a, "create", "secret", "docker-registry", name, "-n", ns,
               "--docker-server=" + server, "--docker-username=u",
               "--docker-password=" + password)


def no_leak(a, secret):
    """secret appears in no file of the agent's data dir and not in its log."""
    for root, _, files in os.walk(a.data_dir):
        for f in files:
            p = os.path.join(root, f)
            if f.startswith("data.mdb") or not os.path.isfile(p):
                continue  # the store holds the Secret itself
            with open(p, "rb") as fh:
                assert secret.encode() not in fh.read(), p
    assert secret not in a.log()


@needs_tools
@pytest.mark.parametrize("mode", ["basic", "token"])
def test_pull_secret_auth(image, agent, mode):
    fr = BasicRegistry(image["layout"]) if mode == "basic" else fx.FakeRegistry(
        image["layout"], mode="token")
    password = PASSWORD if mode == "basic" else "p"
    with fr:
        name = "%s/busybox:latest" % fr.addr
        regcred(agent, "regcred", fr.addr, password)
        r = cli(agent, "pull", name)
        assert r.returncode == 1 and "unauthorized" in r.stderr, r.stderr

        r = cli(agent, "pull", name, "--pull-secret", "regcred")
        assert r.returncode == 0, r.stderr + agent.log()
        assert r.stdout == "%s\nDigest: %s\n" % (name, image["digest"])
        assert "Warning" not in r.stderr
        if mode == "token":
            assert any(p.startswith("/token") for _, p in fr.requests)
    no_leak(agent, PASSWORD)
    incoming = os.path.join(agent.data_dir, "images")
    assert not [f for f in os.listdir(incoming) if "cred" in f]


@needs_tools
def test_missing_wrong_type_and_order(image, agent):
    with BasicRegistry(image["layout"]) as fr:
        name = "%s/busybox:latest" % fr.addr
        # a missing secret: the kubelet's warning, then the pull goes on (and fails)
        r = cli(agent, "pull", name, "--pull-secret", "nope")
        assert r.returncode == 1, r.stderr
        assert WARNING % "nope" in r.stderr, r.stderr
        assert r.stderr.index("Warning:") < r.stderr.index("unauthorized"), r.stderr

        # a Secret of another type: the same warning, with the reason
        kubectl_ok(agent, "create", "secret", "generic", "plain", "--from-literal=a=b")
        r = cli(agent, "pull", name, "--pull-secret", "plain")
        assert r.returncode == 1 and "unauthorized" in r.stderr, r.stderr
        assert WARNING % "plain" in r.stderr
        assert 'plain: type is "Opaque", want kubernetes.io/dockerconfigjson' in r.stderr

        # wrong credentials first, then good ones: each is tried in turn
        regcred(agent, "stale", fr.addr, "wrong")
        regcred(agent, "regcred", fr.addr, PASSWORD)
        r = cli(agent, "pull", name, "--pull-secret", "stale")
        assert r.returncode == 1 and "unauthorized" in r.stderr, r.stderr
        assert "default/stale" in r.stderr  # which credentials were tried
        r = cli(agent, "pull", name, "--pull-secret", "nope", "--pull-secret", "stale",
                "--pull-secret", "regcred", "-q")
        assert r.returncode == 0, r.stderr
        assert WARNING % "nope" in r.stderr
        assert r.stdout == "%s\nDigest: %s\n" % (name, image["digest"])

        # credentials for another registry are not sent to this one
        regcred(agent, "elsewhere", "other.example.com", PASSWORD)
        r = cli(agent, "pull", name, "--pull-secret", "elsewhere")
        assert r.returncode == 1 and "unauthorized" in r.stderr, r.stderr
        assert "Warning" not in r.stderr
    no_leak(agent, PASSWORD)


@needs_tools
def test_other_namespace(image, agent):
    with BasicRegistry(image["layout"]) as fr:
        name = "%s/busybox:latest" % fr.addr
        kubectl_ok(agent, "create", "namespace", "shop")
        regcred(agent, "regcred", fr.addr, PASSWORD, ns="shop")
        r = cli(agent, "pull", name, "--pull-secret", "regcred")  # -n default
        assert r.returncode == 1, r.stderr
        assert WARNING % "regcred" in r.stderr and "unauthorized" in r.stderr, r.stderr
        r = cli(agent, "pull", name, "--pull-secret", "regcred", "-n", "default")
        assert r.returncode == 1 and WARNING % "regcred" in r.stderr, r.stderr
        r = cli(agent, "pull", name, "--pull-secret", "regcred", "--namespace", "shop")
        assert r.returncode == 0, r.stderr
        assert "Warning" not in r.stderr


@needs_tools
def test_flags_offline_and_help(agent):
    data = os.path.join(agent.dir, "offline")
    r = subprocess.run([SKIFF, "image", "pull", "127.0.0.1:1/busybox", "--pull-secret", "x",
                        "--data-dir", data], capture_output=True, text=True, timeout=30)
    assert r.returncode == 1
    assert "--pull-secret needs an agent" in r.stderr and "--auth-file" in r.stderr, r.stderr
    r = cli(agent, "pull", "127.0.0.1:1/busybox", "-n", "shop")
    assert r.returncode == 1 and "give --pull-secret NAME too" in r.stderr, r.stderr
    r = cli(agent, "pull", "127.0.0.1:1/busybox", "--pull-secret", "Bad_Name")
    assert r.returncode == 1 and 'secret "Bad_Name": not a valid Secret name' in r.stderr, \
        r.stderr
    r = cli(agent, "ls", "--pull-secret", "regcred")
    assert r.returncode == 1 and 'is a flag of "skiff image pull" only' in r.stderr, r.stderr
    r = subprocess.run([SKIFF, "image", "pull", "--help"], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 0
    assert "--pull-secret NAME" in r.stdout and "-n, --namespace NS" in r.stdout
