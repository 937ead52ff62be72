"""End-to-end tests of registry mirrors with k3s-style rewrites and of the
registry settings written inline in skiff.yaml (plugins.images.registries
as a mapping): offline pulls with `skiff image pull --registries
skiff.yaml` from the fixture registry (Debian's docker-registry on
127.0.0.1) under another registry's name, the order endpoints are tried
in, and an agent that checks the settings when it starts. Every process
started here is stopped by PID and every temp dir removed."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
import registry as fx  # noqa: E402
from conftest import SKIFF, wait_for  # noqa: E402

BIN = os.environ.get("SKIFF_IMAGE_BIN", SKIFF)

pytestmark = pytest.mark.skipif(
    not (os.path.exists("/usr/bin/docker-registry") and shutil.which("skopeo")
         and os.path.exists("/bin/busybox")),
    reason="needs docker-registry, skopeo and busybox-static")


def skiff_image(*args, timeout=120):
    return subprocess.run([BIN, "image"] + list(args), capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def image():
    r = subprocess.run([BIN, "image", "--help"], capture_output=True, text=True)
    if r.returncode != 0 or "pull" not in r.stdout:
        pytest.skip("`skiff image` is not wired into this binary")
    d = tempfile.mkdtemp(prefix="skiff-imgmirror-")
    layout = os.path.join(d, "oci")
    digest = fx.build_image(layout)
    yield {"dir": d, "layout": layout, "digest": digest}
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="module")
def reg(image):
    """The fixture image as mirror/busybox:latest."""
    with fx.Registry() as r:
        r.push(image["layout"], name="mirror/busybox:latest")
        yield r


@pytest.fixture
def data():
    d = tempfile.mkdtemp(prefix="skiff-imgdata-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def refs(data):
    import json
    with open(os.path.join(data, "images", "refs.json")) as f:
        return json.load(f)


def manifest_gets(r):
    """(path, query) of every manifest GET in the registry's access log."""
    return re.findall(r'"GET (/v2/[^ ?]*/manifests/[^ ?]*)\??([^ ]*) HTTP', r.log())


def write_skiff_yaml(data, body):
    p = os.path.join(data, "skiff.yaml")
    with open(p, "w") as f:
        f.write(body)
    return p


def test_mirror_with_rewrite_inline_in_skiff_yaml(image, reg, data):
    """registry.example.invalid/library/busybox comes from the fixture
    registry through a mirror whose rewrite maps library/* to mirror/*; a
    dead mirror listed first is skipped; the registry itself (which does
    not resolve) is never needed."""
    dead = fx.free_port()
    conf = write_skiff_yaml(data, (
        "data-dir: %s\n"
        "plugins:\n"
        "  images:\n"
        "    registries:\n"
        "      mirrors:\n"
        "        registry.example.invalid:\n"
        "          endpoint:\n"
        "            - http://127.0.0.1:%d\n"
        "            - http://%s\n"
        "          rewrite:\n"
        "            \"^library/(.*)$\": \"mirror/$1\"\n") % (data, dead, reg.addr))
    name = "registry.example.invalid/library/busybox:latest"
    p = skiff_image("pull", name, "--data-dir", data, "--registries", conf)
    assert p.returncode == 0, p.stderr
    assert refs(data)[name]["manifest"] == image["digest"]
    gets = manifest_gets(reg)
    assert ("/v2/mirror/busybox/manifests/latest", "ns=registry.example.invalid") in gets, gets
    assert not any("library" in g[0] for g in gets), gets


def test_rewrite_not_applied_to_the_registry_itself(image, reg, data):
    """Mirrors fail (dead endpoint), so the pull falls back to the registry
    itself, which gets the repository as written, without ?ns=."""
    dead = fx.free_port()
    conf = write_skiff_yaml(data, (
        "plugins:\n"
        "  images:\n"
        "    registries:\n"
        "      mirrors:\n"
        "        \"%s\":\n"
        "          endpoint: [\"http://127.0.0.1:%d\"]\n"
        "          rewrite: {\"^mirror/(.*)\": \"elsewhere/$1\"}\n") % (reg.addr, dead))
    before = len(manifest_gets(reg))
    p = skiff_image("pull", "%s/mirror/busybox:latest" % reg.addr, "--data-dir", data,
                    "--registries", conf)
    assert p.returncode == 0, p.stderr
    gets = manifest_gets(reg)[before:]
    assert gets and gets[0] == ("/v2/mirror/busybox/manifests/latest", ""), gets


def test_mirror_that_lacks_the_image_falls_through(image, reg, data):
    """A mirror answering 404 (a rewrite to a repository it lacks) is not
    final: the next endpoint serves the image."""
    conf = write_skiff_yaml(data, (
        "plugins:\n"
        "  images:\n"
        "    registries:\n"
        "      mirrors:\n"
        "        hub.example.invalid:\n"
        "          endpoint: [\"http://%s\", \"http://%s/\"]\n"
        "          rewrite: {\"^(.*)$\": \"mirror/$1\"}\n") % (reg.addr, reg.addr))
    # the first endpoint is asked for mirror/busybox, found; now ask for a
    # name that maps to a missing repository on both: a clean not-found
    p = skiff_image("pull", "hub.example.invalid/nothing:latest", "--data-dir", data,
                    "--registries", conf)
    assert p.returncode == 1
    assert "hub.example.invalid/nothing:latest" in p.stderr, p.stderr
    p = skiff_image("pull", "hub.example.invalid/busybox:latest", "--data-dir", data,
                    "--registries", conf)
    assert p.returncode == 0, p.stderr
    assert refs(data)["hub.example.invalid/busybox:latest"]["manifest"] == image["digest"]


def test_bad_rewrite_named_with_file_and_key(data):
    conf = write_skiff_yaml(data, (
        "plugins:\n"
        "  images:\n"
        "    registries:\n"
        "      mirrors:\n"
        "        docker.io:\n"
        "          endpoint: [\"http://127.0.0.1:1\"]\n"
        "          rewrite: {\"(oops\": \"x\"}\n"))
    p = skiff_image("pull", "busybox", "--data-dir", data, "--registries", conf)
    assert p.returncode == 1
    assert conf in p.stderr, p.stderr
    assert ("plugins.images.registries.mirrors.docker.io.rewrite: bad pattern \"(oops\""
            in p.stderr), p.stderr


def test_agent_checks_inline_settings(agent_factory):
    """The agent accepts the inline mapping and hands it to its pull
    children as DATA_DIR/images/registries.json (0600); a bad pattern
    refuses the plugin at start, naming the file, line and key."""
    good = ("plugins:\n"
            "  images:\n"
            "    registries:\n"
            "      mirrors:\n"
            "        docker.io:\n"
            "          endpoint: [\"http://127.0.0.1:5000\"]\n"
            "          rewrite: {\"^library/(.*)\": \"mirror/$1\"}\n"
            "      configs:\n"
            "        127.0.0.1:5000: {auth: {username: u, password: p}}\n")
    a = agent_factory(config=good)
    a.start()
    p = os.path.join(a.data_dir, "images", "registries.json")
    wait_for(lambda: os.path.exists(p), 10, "registries.json")
    assert os.stat(p).st_mode & 0o777 == 0o600
    with open(p) as f:
        body = f.read()
    assert "mirror/$1" in body and "127.0.0.1:5000" in body
    rc, _ = a.stop()
    assert rc == 0

    # core refuses a plugin whose init fails and runs on without it
    bad = good.replace("^library/(.*)", "^library/(.*")
    b = agent_factory(config=bad)
    b.start()
    log = b.log()
    assert "plugins.images.registries.mirrors.docker.io.rewrite: bad pattern" in log, log
    assert "%s: line 4, column 7" % b.config_path in log, log
    assert "refused plugin" in log and "started plugin=images" not in log, log
    assert not os.path.exists(os.path.join(b.data_dir, "images", "registries.json"))
    rc, _ = b.stop()
    assert rc == 0
