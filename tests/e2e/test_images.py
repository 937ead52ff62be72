"""End-to-end tests of `skiff image ... --data-dir D` against the fixture:
the busybox image (tests/fixtures/make_image.sh) in Debian's docker-registry
on 127.0.0.1, plus a fake registry for 401, bearer tokens, tampered and
truncated blobs. Every process started here is stopped by PID and every
temp dir removed."""
import glob
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
import registry as fx  # noqa: E402
from conftest import SKIFF  # noqa: E402

# Until `skiff image` is wired into core/main.c a scratch binary can stand in.
BIN = os.environ.get("SKIFF_IMAGE_BIN", SKIFF)

needs_tools = pytest.mark.skipif(
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
        pytest.skip("`skiff image` is not wired into this binary yet")
    d = tempfile.mkdtemp(prefix="skiff-img-")
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
def data():
    d = tempfile.mkdtemp(prefix="skiff-imgdata-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


def images_dir(data):
    return os.path.join(data, "images")


def refs(data):
    p = os.path.join(images_dir(data), "refs.json")
    if not os.path.exists(p):
        return {}
    with open(p) as f:
        return json.load(f)


def assert_no_debris(data):
    root = images_dir(data)
    assert os.listdir(os.path.join(root, "tmp")) == [], "temp files left behind"
    for b in glob.glob(os.path.join(root, "blobs", "sha256", "*")):
        # every stored blob is complete and verified
        import hashlib
        with open(b, "rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == os.path.basename(b)


def layer_dirs(data):
    return sorted(os.listdir(os.path.join(images_dir(data), "layers", "sha256")))


@needs_tools
def test_pull_by_tag_and_digest(image, reg, data):
    r = skiff_image("pull", "%s/busybox:latest" % reg.addr, "--data-dir", data)
    assert r.returncode == 0, r.stderr
    assert image["digest"] in r.stdout
    name = "%s/busybox:latest" % reg.addr
    assert refs(data)[name]["manifest"] == image["digest"]
    assert len(layer_dirs(data)) == 2
    # the unpacked layers: busybox with its applet symlinks, and the whiteouts
    lay = os.path.join(images_dir(data), "layers", "sha256")
    bb = [d for d in layer_dirs(data) if os.path.exists(os.path.join(lay, d, "bin", "busybox"))]
    assert bb and os.readlink(os.path.join(lay, bb[0], "bin", "sh")) == "/bin/busybox"
    top = [d for d in layer_dirs(data) if d not in bb][0]
    st = os.lstat(os.path.join(lay, top, "etc", "motd"))
    assert (st.st_mode & 0o170000) == 0o020000 and st.st_rdev == 0  # overlay whiteout
    assert os.getxattr(os.path.join(lay, top, "var", "cache"), "trusted.overlay.opaque") == b"y"

    by_digest = "%s/busybox@%s" % (reg.addr, image["digest"])
    r = skiff_image("pull", by_digest, "--data-dir", data)
    assert r.returncode == 0, r.stderr
    assert refs(data)[by_digest]["manifest"] == image["digest"]
    assert "present" in r.stderr  # nothing fetched twice

    ls = skiff_image("ls", "--data-dir", data)
    assert ls.returncode == 0 and name in ls.stdout and by_digest in ls.stdout
    ins = skiff_image("inspect", name, "--data-dir", data)
    doc = json.loads(ins.stdout)[0]
    assert doc["manifest"] == image["digest"] and len(doc["layers"]) == 2
    assert doc["config"]["config"]["Cmd"] == ["sh"]
    assert_no_debris(data)


@needs_tools
def test_import_both_kinds_and_export_roundtrip(image, data):
    d = image["dir"]
    oci = os.path.join(d, "busybox-oci.tar")
    dock = os.path.join(d, "busybox-docker.tar")
    fx.oci_archive(image["layout"], oci)
    fx.docker_archive(image["layout"], dock, "example.com/tools/busybox:1.35")

    r = skiff_image("import", oci, "--data-dir", data)
    assert r.returncode == 0, r.stderr
    assert image["digest"] in r.stdout
    r = skiff_image("import", dock, "--data-dir", data)
    assert r.returncode == 0, r.stderr
    assert "example.com/tools/busybox:1.35" in r.stdout
    rs = refs(data)
    assert rs["example.com/tools/busybox:1.35"]["config"] in \
        [v["config"] for k, v in rs.items() if k != "example.com/tools/busybox:1.35"]
    assert len(layer_dirs(data)) == 2  # same diff_ids, unpacked once

    out = os.path.join(d, "export.tar")
    r = skiff_image("export", "example.com/tools/busybox:1.35", out, "--data-dir", data)
    assert r.returncode == 0, r.stderr
    with tarfile.open(out) as t:
        names = t.getnames()
        assert "oci-layout" in names and "index.json" in names
    before = refs(data)["example.com/tools/busybox:1.35"]

    data2 = tempfile.mkdtemp(prefix="skiff-imgdata-")
    try:
        r = skiff_image("import", out, "--data-dir", data2)
        assert r.returncode == 0, r.stderr
        after = refs(data2)["example.com/tools/busybox:1.35"]
        assert after["manifest"] == before["manifest"]
        assert after["config"] == before["config"]
        # skopeo reads our export too
        s = subprocess.run(["skopeo", "inspect", "--raw", "oci-archive:%s" % out],
                           capture_output=True, text=True)
        assert s.returncode == 0, s.stderr
    finally:
        shutil.rmtree(data2, ignore_errors=True)


def write_tar(path, members):
    """members: (name, kind, payload) with kind file|symlink|hardlink|dir."""
    import io
    with tarfile.open(path, "w") as t:
        for name, kind, payload in members:
            ti = tarfile.TarInfo(name)
            if kind == "file":
                data = payload.encode()
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
                continue
            ti.type = {"symlink": tarfile.SYMTYPE, "hardlink": tarfile.LNKTYPE,
                       "dir": tarfile.DIRTYPE}[kind]
            if kind in ("symlink", "hardlink"):
                ti.linkname = payload
            t.addfile(ti)


def evil_layout(tmp, members):
    """An OCI layout whose one layer is the given tar; returns the archive."""
    import hashlib
    lay = os.path.join(tmp, "evil")
    os.makedirs(os.path.join(lay, "blobs", "sha256"))
    layer = os.path.join(tmp, "layer.tar")
    write_tar(layer, members)
    with open(layer, "rb") as f:
        lb = f.read()
    ld = hashlib.sha256(lb).hexdigest()

    def put(b):
        h = hashlib.sha256(b).hexdigest()
        with open(os.path.join(lay, "blobs", "sha256", h), "wb") as f:
            f.write(b)
        return h, len(b)
    put(lb)
    cfg = json.dumps({"architecture": "amd64", "os": "linux",
                      "rootfs": {"type": "layers", "diff_ids": ["sha256:" + ld]}}).encode()
    ch, cs = put(cfg)
    man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                      "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                 "digest": "sha256:" + ch, "size": cs},
                      "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                                  "digest": "sha256:" + ld, "size": len(lb)}]}).encode()
    mh, ms = put(man)
    with open(os.path.join(lay, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    with open(os.path.join(lay, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + mh,
            "size": ms, "annotations": {"io.containerd.image.name": "evil.example/x:1"}}]}, f)
    out = os.path.join(tmp, "evil.tar")
    with tarfile.open(out, "w") as t:
        for n in ("oci-layout", "index.json", "blobs"):
            t.add(os.path.join(lay, n), arcname=n)
    return out


@pytest.mark.parametrize("members,why", [
    ([("../etc/passwd", "file", "pwned\n")], ".."),
    ([("/etc/passwd", "file", "pwned\n")], "absolute"),
    ([("a", "symlink", "/etc"), ("a/passwd", "file", "pwned\n")], "symlink"),
    ([("a", "symlink", "/etc"), ("x", "hardlink", "a/passwd")], "symlink"),
])
def test_traversal_layers_refused(image, data, members, why):
    tmp = tempfile.mkdtemp(prefix="skiff-evil-")
    try:
        with open("/etc/passwd", "rb") as f:
            passwd = f.read()
        arc = evil_layout(tmp, members)
        r = skiff_image("import", arc, "--data-dir", data)
        assert r.returncode == 1, r.stdout
        assert r.stderr.startswith("error: ") and "refused" in r.stderr or why in r.stderr, r.stderr
        with open("/etc/passwd", "rb") as f:
            assert f.read() == passwd
        assert refs(data) == {}
        assert layer_dirs(data) == []
        assert_no_debris(data)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.mark.parametrize("mode,expect", [
    ("tamper", "digest mismatch"),
    ("truncate", "blob"),
    ("401", "unauthorized"),
])
def test_bad_registry_leaves_nothing(image, data, mode, expect):
    with fx.FakeRegistry(image["layout"], mode=mode) as fr:
        r = skiff_image("pull", "%s/busybox:latest" % fr.addr, "--data-dir", data)
    assert r.returncode == 1, r.stdout
    assert expect in r.stderr, r.stderr
    assert refs(data) == {}
    assert layer_dirs(data) == []
    assert_no_debris(data)


def test_bearer_token_auth(image, data):
    with fx.FakeRegistry(image["layout"], mode="token") as fr:
        r = skiff_image("pull", "%s/busybox:latest" % fr.addr, "--data-dir", data)
        assert r.returncode == 1 and "unauthorized" in r.stderr, r.stderr
        auth = os.path.join(data, "auth.json")
        with open(auth, "w") as f:
            json.dump({"auths": {fr.addr: {"auth": "dTpw"}}}, f)  # u:p
        r = skiff_image("pull", "%s/busybox:latest" % fr.addr, "--data-dir", data,
                        "--auth-file", auth)
        assert r.returncode == 0, r.stderr
        assert any(p.startswith("/token") for _, p in fr.requests)


@needs_tools
def test_registry_down_and_unknown_manifest(image, reg, data):
    port = fx.free_port()
    r = skiff_image("pull", "127.0.0.1:%d/busybox:latest" % port, "--data-dir", data)
    assert r.returncode == 1
    assert "cannot reach the registry" in r.stderr, r.stderr
    r = skiff_image("pull", "%s/busybox:nope" % reg.addr, "--data-dir", data)
    assert r.returncode == 1
    assert "manifest not found" in r.stderr and "MANIFEST_UNKNOWN" in r.stderr, r.stderr
    r = skiff_image("pull", "Not/A:Valid:Ref", "--data-dir", data)
    assert r.returncode == 1 and "invalid reference" in r.stderr
    assert refs(data) == {}
    assert_no_debris(data)


@needs_tools
def test_concurrent_pulls_fetch_each_blob_once(image, data):
    with fx.Registry() as r:
        r.push(image["layout"], name="solo:latest")
        before = r.blob_gets()
        outs = [None, None]

        def go(i):
            outs[i] = skiff_image("pull", "%s/solo:latest" % r.addr, "--data-dir", data)
        ts = [threading.Thread(target=go, args=(i,)) for i in range(2)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        for o in outs:
            assert o.returncode == 0, o.stderr
        after = r.blob_gets()
        fetched = {d: after.get(d, 0) - before.get(d, 0) for d in after}
        assert fetched and all(n == 1 for n in fetched.values()), fetched
        assert len(fetched) == 3  # config + 2 layers
    assert_no_debris(data)


def test_rm_and_prune(image, data):
    d = image["dir"]
    oci = os.path.join(d, "prune-oci.tar")
    fx.oci_archive(image["layout"], oci)
    r = skiff_image("import", oci, "--data-dir", data)
    assert r.returncode == 0, r.stderr
    name = list(refs(data))[0]
    r = skiff_image("rm", name, "--data-dir", data)
    assert r.returncode == 0, r.stderr
    assert refs(data) == {}
    assert layer_dirs(data) == []
    assert os.listdir(os.path.join(images_dir(data), "blobs", "sha256")) == []
    r = skiff_image("rm", "nothing-here", "--data-dir", data)
    assert r.returncode == 1 and 'image "nothing-here" not found' in r.stderr


def test_cli_errors(data):
    r = skiff_image("pull", "busybox")
    assert r.returncode == 1 and "--data-dir" in r.stderr
    r = skiff_image("frobnicate", "--data-dir", data)
    assert r.returncode == 1 and 'unknown command "frobnicate"' in r.stderr
    for verb in ("pull", "ls", "inspect", "rm", "import", "export", "prune"):
        r = skiff_image(verb, "--help")
        assert r.returncode == 0 and "Usage:" in r.stdout, verb


def test_agent_imports_tarballs_at_start(image, agent_factory):
    """The images plugin imports DATA_DIR/images/*.tar through a child
    `skiff image import` when the agent starts (needs bin/skiff with the
    image command built in)."""
    r = subprocess.run([SKIFF, "image", "--help"], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip("bin/skiff has no `image` command yet")
    a = agent_factory(args=["--api-listen", "127.0.0.1:%d" % fx.free_port()])
    os.makedirs(os.path.join(a.data_dir, "images"), exist_ok=True)
    fx.oci_archive(image["layout"], os.path.join(a.data_dir, "images", "seed.tar"))
    a.start()
    from conftest import wait_for
    wait_for(lambda: "image import finished" in a.log(), 30, "import at start")
    assert any(v["manifest"] == image["digest"] for v in refs(a.data_dir).values())
    rc, _ = a.stop()
    assert rc == 0


@needs_tools
def test_mirror_for_docker_hub(image, data):
    """registries.yaml: `busybox` (docker.io) comes from the configured
    mirrors; a dead mirror first in the list is skipped."""
    with fx.Registry() as r:
        r.push(image["layout"], name="library/busybox:latest")
        conf = os.path.join(data, "registries.yaml")
        with open(conf, "w") as f:
            f.write("mirrors:\n  docker.io:\n    endpoint:\n"
                    "      - http://127.0.0.1:%d\n      - http://%s\n" % (fx.free_port(), r.addr))
        p = skiff_image("pull", "busybox", "--data-dir", data, "--registries", conf)
        assert p.returncode == 0, p.stderr
        assert refs(data)["docker.io/library/busybox:latest"]["manifest"] == image["digest"]
        assert "ns=docker.io" in r.log()
        with open(conf, "w") as f:
            f.write("mirrors:\n  docker.io:\n    endpoints: []\n")
        p = skiff_image("pull", "busybox", "--data-dir", data, "--registries", conf)
        assert p.returncode == 1 and 'unknown key "endpoints"' in p.stderr, p.stderr


def _fill(path, leave):
    """Fill the filesystem holding path until `leave` bytes stay free."""
    st = os.statvfs(path)
    free = st.f_bavail * st.f_frsize
    with open(os.path.join(path, "filler"), "wb") as f:
        f.write(b"\0" * max(0, free - leave))
        f.flush()
        os.fsync(f.fileno())


@pytest.mark.parametrize("leave,where", [
    (512 << 10, "blob"),         # the layer's blob itself does not fit
    (2560 << 10, "unpack"),      # the blob fits, its unpacked files do not
])
def test_full_disk_leaves_stored_images_alone(image, leave, where):
    """A full disk fails the import with ENOSPC's message, leaves no partial
    blob or layer, and the image stored before it still reads back whole."""
    import hashlib
    mnt = tempfile.mkdtemp(prefix="skiff-full-")
    tmp = tempfile.mkdtemp(prefix="skiff-full-src-")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mnt], check=True)
    try:
        data = os.path.join(mnt, "d")
        oci = os.path.join(tmp, "busybox-oci.tar")
        fx.oci_archive(image["layout"], oci)
        r = skiff_image("import", oci, "--data-dir", data)
        assert r.returncode == 0, r.stderr
        before, layers_before = refs(data), layer_dirs(data)
        bb = [d for d in layer_dirs(data)
              if os.path.exists(os.path.join(images_dir(data), "layers", "sha256", d, "bin",
                                             "busybox"))][0]
        bb_path = os.path.join(images_dir(data), "layers", "sha256", bb, "bin", "busybox")
        with open(bb_path, "rb") as f:
            bb_sum = hashlib.sha256(f.read()).hexdigest()

        # a 2 MiB layer of incompressible text, another image entirely
        big = evil_layout(tmp, [("data/blob.txt", "file", os.urandom(1 << 20).hex())])
        _fill(mnt, leave)
        r = skiff_image("import", big, "--data-dir", data)
        assert r.returncode == 1, (where, r.stdout)
        assert "No space left on device" in r.stderr, (where, r.stderr)
        assert refs(data) == before
        assert layer_dirs(data) == layers_before
        assert_no_debris(data)
        with open(bb_path, "rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == bb_sum
        r = skiff_image("inspect", "evil.example/x:1", "--data-dir", data)
        assert r.returncode != 0
        os.remove(os.path.join(mnt, "filler"))
        # with room again the same import works
        r = skiff_image("import", big, "--data-dir", data)
        assert r.returncode == 0, r.stderr
    finally:
        subprocess.run(["umount", mnt], check=False)
        os.rmdir(mnt)
        shutil.rmtree(tmp, ignore_errors=True)
