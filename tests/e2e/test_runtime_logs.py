"""The node side of pods/log (plugins/runtime/logs.c) through kubectl.

The first tests write CRI log files by hand where the runtime keeps them
(DATA/pods/NS_POD_UID/CTR/N.log) for a pod whose container never starts,
so every option is checked against known bytes: record framing stripped,
partial records joined, garbage skipped, --tail, --since-time, --since,
--timestamps, --limit-bytes, --previous and the kubelet's error texts. The
last ones run real containers (busybox fixture, runc) and follow them."""
import json
import os
import select
import subprocess
import sys
import time
import uuid

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures"))
import registry as fx  # noqa: E402
from conftest import SKIFF, wait_for  # noqa: E402

POD = """apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  nodeName: %s
  containers:
  - {name: app, image: "nosuch.invalid/none:1", imagePullPolicy: Never}
"""

FILE0 = "".join([
    "2026-11-26T01:00:00.000000001Z stdout F first\n",
    "2026-11-26T01:00:01.500000000Z stderr F second from stderr\n",
    "this is not a record\n",
    "2026-11-26T01:00:02.000000000Z stdout P joined-\n",
    "2026-11-26T01:00:02.100000000Z stdout P across-\n",
    "2026-11-26T01:00:02.200000000Z stdout F records\n",
    "2026-11-26T01:00:03.000000000Z stdout F \n",
    "2026-11-26T01:00:04.120000000Z stdout F last line\n",
])
MSG0 = "first\nsecond from stderr\njoined-across-records\n\nlast line\n"
FILE1 = "2026-11-26T01:10:00Z stdout F attempt one\n"


RUNC = "/usr/sbin/runc"


def release(a):
    """Remove what the test's agent left: its pods (through the agent), then
    runc containers, mounts and cgroups by path and node name (sandboxes
    outlive the agent by design)."""
    if a.proc and a.proc.poll() is None:
        a.kubectl("delete", "pods", "--all", "--grace-period=0", "--force", "--wait=false")
        try:
            wait_for(lambda: not a.kubectl("get", "pods", "-o", "name").stdout.strip(), 20,
                     "the pods to go")
        except AssertionError:
            pass
        a.proc.kill()
        a.proc.wait()
    root = os.path.join(a.data_dir, "runtime", "runc")
    if os.path.isdir(root):
        r = subprocess.run([RUNC, "--root", root, "list", "-q"], capture_output=True, text=True)
        for cid in r.stdout.split():
            subprocess.run([RUNC, "--root", root, "delete", "--force", cid], capture_output=True)
    with open("/proc/self/mountinfo") as f:
        points = [line.split()[4] for line in f]
    for mp in sorted((m for m in points if m.startswith(a.dir + "/")), key=len, reverse=True):
        subprocess.run(["umount", "-l", mp], capture_output=True)
    for ctl in os.listdir("/sys/fs/cgroup"):
        top = os.path.join("/sys/fs/cgroup", ctl, "skiff-" + a.node)
        if os.path.isdir(top):
            for dirpath, _, _ in sorted(os.walk(top), key=lambda x: -len(x[0])):
                try:
                    os.rmdir(dirpath)
                except OSError:
                    pass


@pytest.fixture
def agent(agent_factory):
    a = agent_factory(name="logs-" + uuid.uuid4().hex[:8])
    a.node = a.args[a.args.index("--node-name") + 1]
    a.start()
    r = a.kubectl("apply", "-f", "-", input=POD % a.node)
    assert r.returncode == 0, r.stderr
    pod = json.loads(a.kubectl("get", "pod", "web", "-o", "json").stdout)
    a.logdir = os.path.join(a.data_dir, "pods", "default_web_" + pod["metadata"]["uid"], "app")
    yield a
    release(a)


def write_logs(a, files):
    os.makedirs(a.logdir, exist_ok=True)
    for name, text in files.items():
        with open(os.path.join(a.logdir, name), "w") as f:
            f.write(text)


def logs(a, *args):
    r = a.kubectl("logs", "web", *args)
    return r.returncode, r.stdout, r.stderr


def test_no_log_yet(agent):
    rc, out, err = logs(agent)
    assert rc == 1
    assert 'container "app" in pod "web" is waiting to start' in err, err
    rc, out, err = logs(agent, "-p")
    assert rc == 1
    assert 'previous terminated container "app" in pod "web" not found' in err, err


def test_framing_stripped(agent):
    write_logs(agent, {"0.log": FILE0})
    assert logs(agent) == (0, MSG0, "")


def test_tail(agent):
    write_logs(agent, {"0.log": FILE0})
    assert logs(agent, "--tail=2")[1] == "\nlast line\n"
    assert logs(agent, "--tail=1")[1] == "last line\n"
    assert logs(agent, "--tail=0")[1] == ""
    assert logs(agent, "--tail=100")[1] == MSG0


def test_since_time_and_timestamps(agent):
    write_logs(agent, {"0.log": FILE0})
    rc, out, _ = logs(agent, "--since-time=2026-11-26T01:00:03Z")
    assert out == "\nlast line\n"
    rc, out, _ = logs(agent, "--timestamps", "--tail=2")
    assert out == "2026-11-26T01:00:03Z \n2026-11-26T01:00:04.12Z last line\n"
    rc, out, _ = logs(agent, "--timestamps", "--tail=7")
    assert out.splitlines()[0] == "2026-11-26T01:00:01.5Z second from stderr"
    assert out.splitlines()[1] == "2026-11-26T01:00:02Z joined-across-records"
    # everything is older than an hour
    assert logs(agent, "--since=1h") == (0, "", "")


def test_limit_bytes(agent):
    write_logs(agent, {"0.log": FILE0})
    assert logs(agent, "--limit-bytes=8")[1] == "first\nse"
    assert logs(agent, "--limit-bytes=1000")[1] == MSG0


def test_previous_and_current(agent):
    write_logs(agent, {"0.log": FILE0, "1.log": FILE1})
    assert logs(agent)[1] == "attempt one\n"
    assert logs(agent, "-p")[1] == MSG0


def test_follow_of_a_stopped_container_ends(agent):
    write_logs(agent, {"0.log": FILE0})
    r = agent.kubectl("logs", "-f", "web", timeout=20)
    assert r.returncode == 0 and r.stdout == MSG0


def test_big_file_streams(agent):
    line = "x" * 1000
    rec = "2026-11-26T01:00:00.000000001Z stdout F %s\n" % line
    write_logs(agent, {"0.log": rec * 20000})   # 20 MB of records
    env = dict(os.environ, KUBECONFIG=agent.kubeconfig(), HOME=agent.dir)
    p = subprocess.run(["/usr/bin/kubectl", "logs", "web"], capture_output=True, env=env,
                       timeout=120)
    assert p.returncode == 0
    assert len(p.stdout) == 20000 * 1001
    assert p.stdout[:1001] == (line + "\n").encode()


def test_unknown_container_and_pod(agent):
    rc, _, err = logs(agent, "-c", "nope")
    assert rc == 1 and "container nope is not valid for pod web" in err
    r = agent.kubectl("logs", "ghost")
    assert r.returncode == 1 and 'pods "ghost" not found' in r.stderr


# ---- real containers ----

@pytest.fixture(scope="module")
def image_archive(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("img"))
    layout = os.path.join(d, "layout")
    fx.build_image(layout)
    arc = os.path.join(d, "busybox.tar")
    fx.docker_archive(layout, arc, "docker.io/library/busybox:1.35")
    return arc


def running_agent(agent_factory, image_archive):
    a = agent_factory(name="logs-" + uuid.uuid4().hex[:8])
    a.node = a.args[a.args.index("--node-name") + 1]
    r = subprocess.run([SKIFF, "image", "import", image_archive, "--data-dir", a.data_dir],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    a.start()
    return a


TALK = """apiVersion: v1
kind: Pod
metadata: {name: talk}
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: busybox:1.35
    command: ["sh", "-c", "echo one; echo two >&2; sleep 2; echo three; sleep 1; echo four"]
"""


@pytest.fixture
def live_agent(agent_factory, image_archive):
    a = running_agent(agent_factory, image_archive)
    yield a
    release(a)


def test_follow_real_container(live_agent):
    a = live_agent
    r = a.kubectl("apply", "-f", "-", input=TALK)
    assert r.returncode == 0, r.stderr
    wait_for(lambda: a.kubectl("get", "pod", "talk", "-o",
                               "jsonpath={.status.phase}").stdout in ("Running", "Succeeded"),
             60, "the pod to run")
    env = dict(os.environ, KUBECONFIG=a.kubeconfig(), HOME=a.dir)
    p = subprocess.Popen(["/usr/bin/kubectl", "logs", "-f", "talk"], env=env,
                         stdout=subprocess.PIPE)
    out = b""
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and p.poll() is None:
            rr, _, _ = select.select([p.stdout], [], [], 0.2)
            if rr:
                out += os.read(p.stdout.fileno(), 4096)
        out += p.stdout.read()
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    # -f ended by itself once the container ended, with every line
    assert p.returncode == 0
    assert out.decode().splitlines() == ["one", "two", "three", "four"]


ROTATE = """apiVersion: v1
kind: Pod
metadata: {name: spin}
spec:
  restartPolicy: OnFailure
  containers:
  - name: c
    image: busybox:1.35
    command: ["sh", "-c", "sleep 1; for i in $(seq 1 300); do echo line-$i; sleep 0.005; done; exit 1"]
"""


def test_follow_through_rotation(agent_factory, image_archive):
    """-f keeps up while the shim rotates the file every 2 KiB, sees every
    line in order, and ends with the container."""
    a = agent_factory(name="logs-" + uuid.uuid4().hex[:8],
                      config="plugins:\n  runtime:\n    log-max-size: 2Ki\n"
                             "    log-max-files: 3\n")
    a.node = a.args[a.args.index("--node-name") + 1]
    r = subprocess.run([SKIFF, "image", "import", image_archive, "--data-dir", a.data_dir],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    a.start()
    try:
        r = a.kubectl("apply", "-f", "-", input=ROTATE.replace("spin", "spin"))
        assert r.returncode == 0, r.stderr
        wait_for(lambda: a.kubectl("get", "pod", "spin", "-o",
                                   "jsonpath={.status.phase}").stdout == "Running",
                 60, "the pod to run")
        env = dict(os.environ, KUBECONFIG=a.kubeconfig(), HOME=a.dir)
        p = subprocess.run(["/usr/bin/kubectl", "logs", "-f", "spin"], env=env,
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p.stderr
        lines = p.stdout.splitlines()
        first = int(lines[0].split("-")[1])
        want = ["line-%d" % i for i in range(first, 301)]
        # when the restart comes before -f ends, it follows the new attempt
        # too: then a complete second run follows the first
        assert lines in (want, want + ["line-%d" % i for i in range(1, 301)]), lines[-3:]
        # the shim kept three files: the current one and two rotated ones
        pod = json.loads(a.kubectl("get", "pod", "spin", "-o", "json").stdout)
        d = os.path.join(a.data_dir, "pods", "default_spin_" + pod["metadata"]["uid"], "c")
        assert sorted(f for f in os.listdir(d) if f.startswith("0.log")) == \
            ["0.log", "0.log.1", "0.log.2"]
        # the restart (OnFailure, exit 1) writes attempt 1: it is the current
        # log once it exists, and -p shows attempt 0's
        wait_for(lambda: os.path.exists(os.path.join(d, "1.log")), 60, "the second attempt")
        wait_for(lambda: a.kubectl("logs", "spin", "--tail=1").stdout == "line-300\n", 30,
                 "the second attempt's last line")
        r = a.kubectl("logs", "spin", "--tail=2")
        assert r.stdout == "line-299\nline-300\n"
        r = a.kubectl("logs", "spin", "-p", "--tail=1")
        assert r.returncode == 0 and r.stdout == "line-300\n", (r.stdout, r.stderr)
    finally:
        release(a)
