"""`skiff runtime-shim` against the real runc with a hand-made bundle
(`runc spec` plus a busybox rootfs): CRI log records, partial lines, size
rotation, the sync fd's "ok PID" and "error MSG", the exit record, that it
holds none of its parent's descriptors, and that it outlives a SIGKILL of
its parent's whole process group. Every container is deleted from runc's
state, every shim killed by PID, even when a test fails."""
import json
import os
import re
import shutil
import signal
import subprocess
import time

import pytest

from conftest import SKIFF, wait_for

RUNC = shutil.which("runc") or "/usr/sbin/runc"
BUSYBOX = "/bin/busybox"
RECORD = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z) (stdout|stderr) ([FP]) (.*)$")

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not os.path.exists(RUNC) or not os.path.exists(BUSYBOX),
    reason="needs root, runc and busybox-static")


class Shim:
    def __init__(self, tmp, name, args, max_size=None, max_files=None):
        self.tmp = tmp
        self.id = "skiff-e2e-shim-%d-%s" % (os.getpid(), name)
        self.root = os.path.join(tmp, "runc")
        self.bundle = os.path.join(tmp, "bundle-" + name)
        self.state = os.path.join(tmp, "state-" + name)
        self.log = os.path.join(tmp, "logs", name, "0.log")
        os.makedirs(self.state)
        os.makedirs(os.path.dirname(self.log), exist_ok=True)
        make_bundle(self.bundle, args)
        self.cmd = [SKIFF, "runtime-shim", "--id", self.id, "--bundle", self.bundle,
                    "--runtime", RUNC, "--root", self.root, "--state", self.state,
                    "--log", self.log]
        if max_size:
            self.cmd += ["--log-max-size", str(max_size)]
        if max_files:
            self.cmd += ["--log-max-files", str(max_files)]
        self.shim_pid = None

    def start(self, extra_fds=()):
        """Run the shim with a sync pipe on fd 3; returns the sync line."""
        r, w = os.pipe()
        cmd = self.cmd + ["--sync-fd", str(w)]
        p = subprocess.run(cmd, pass_fds=(w,) + tuple(extra_fds), timeout=10,
                           capture_output=True)
        os.close(w)
        assert p.returncode == 0, p.stderr
        with os.fdopen(r, "rb") as f:
            line = f.read().decode()
        self.shim_pid = self.read_shim_pid()
        return line

    def read_shim_pid(self):
        path = os.path.join(self.state, "shim.pid")
        try:
            with open(path) as f:
                return int(f.read())
        except (OSError, ValueError):
            return None

    def exit_record(self, timeout=15):
        path = os.path.join(self.state, "exit")
        wait_for(lambda: os.path.exists(path), timeout, "the exit record " + path, 0.05)
        with open(path) as f:
            return json.load(f)

    def records(self, path=None):
        with open(path or self.log) as f:
            lines = f.read().splitlines()
        out = []
        for line in lines:
            m = RECORD.match(line)
            assert m, "not a CRI record: %r" % line
            out.append((m.group(2), m.group(3), m.group(4)))
        return out

    def cleanup(self):
        if self.shim_pid:
            try:
                os.kill(self.shim_pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        subprocess.run([RUNC, "--root", self.root, "delete", "-f", self.id],
                       capture_output=True, timeout=20)


def make_bundle(bundle, args):
    rootfs = os.path.join(bundle, "rootfs")
    os.makedirs(os.path.join(rootfs, "bin"))
    for d in ("proc", "dev", "sys", "tmp"):
        os.makedirs(os.path.join(rootfs, d))
    shutil.copy(BUSYBOX, os.path.join(rootfs, "bin", "busybox"))
    for applet in ("sh", "echo", "sleep", "cat", "seq", "printf", "head", "tr", "yes"):
        os.symlink("busybox", os.path.join(rootfs, "bin", applet))
    subprocess.run([RUNC, "spec"], cwd=bundle, check=True, capture_output=True)
    path = os.path.join(bundle, "config.json")
    with open(path) as f:
        spec = json.load(f)
    spec["process"]["terminal"] = False
    spec["process"]["args"] = args
    spec["process"]["env"] = ["PATH=/bin"]
    spec["root"]["readonly"] = True
    with open(path, "w") as f:
        json.dump(spec, f)


@pytest.fixture
def shims(tmp_path):
    made = []

    def make(name, args, **kw):
        s = Shim(str(tmp_path), name, args, **kw)
        made.append(s)
        return s
    yield make
    for s in made:
        s.cleanup()


def test_log_records_and_exit(shims):
    s = shims("basic", ["sh", "-c", "echo out1; echo err1 >&2; echo; printf tail; exit 7"])
    sync = s.start()
    m = re.match(r"^ok (\d+)\n$", sync)
    assert m, sync
    ex = s.exit_record()
    assert ex["exitCode"] == 7 and ex["signal"] == 0
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$", ex["finishedAt"])
    recs = s.records()
    assert ("stdout", "F", "out1") in recs
    assert ("stderr", "F", "err1") in recs
    assert ("stdout", "F", "") in recs
    # a last line without newline is a partial record, as containerd writes it
    assert recs[-1] == ("stdout", "P", "tail") or ("stdout", "P", "tail") in recs
    # the shim is gone once the record is written
    wait_for(lambda: not os.path.exists("/proc/%d" % s.shim_pid), 5, "the shim to exit")
    # runc still knows the container (the agent deletes it, not the shim)
    st = subprocess.run([RUNC, "--root", s.root, "state", s.id], capture_output=True, text=True)
    assert st.returncode == 0 and json.loads(st.stdout)["status"] == "stopped"


def test_signal_exit(shims):
    s = shims("sig", ["sleep", "30"])
    assert s.start().startswith("ok ")
    subprocess.run([RUNC, "--root", s.root, "kill", s.id, "KILL"], check=True, timeout=10)
    ex = s.exit_record()
    assert ex["signal"] == 9 and ex["exitCode"] == 137


def test_start_error_message(shims):
    s = shims("nosuch", ["nosuch"])
    sync = s.start()
    assert sync.startswith("error "), sync
    assert 'exec: "nosuch": executable file not found in $PATH' in sync
    assert sync.endswith("\n") and sync.count("\n") == 1
    ex = s.exit_record()
    assert ex["exitCode"] == 128
    assert 'exec: "nosuch": executable file not found in $PATH' in ex["error"]
    # runc's own complaint never reaches the container's log
    assert not os.path.exists(s.log) or s.records() == []


def test_long_lines_are_split(shims):
    # 40000 bytes and a newline: 16 KiB + 16 KiB partial records, then the rest
    s = shims("long", ["sh", "-c", "head -c 40000 /dev/zero | tr '\\0' x; echo; echo short"])
    assert s.start().startswith("ok ")
    assert s.exit_record()["exitCode"] == 0
    recs = s.records()
    assert [r[1] for r in recs] == ["P", "P", "F", "F"]
    assert [len(r[2]) for r in recs] == [16384, 16384, 40000 - 32768, 5]
    assert "".join(r[2] for r in recs[:3]) == "x" * 40000


def test_rotation(shims):
    s = shims("rot", ["sh", "-c", "for i in $(seq 1 200); do echo line-$i; done"],
              max_size=1000, max_files=3)
    assert s.start().startswith("ok ")
    assert s.exit_record()["exitCode"] == 0
    d = os.path.dirname(s.log)
    assert sorted(os.listdir(d)) == ["0.log", "0.log.1", "0.log.2"]
    for name in ("0.log.2", "0.log.1"):
        size = os.path.getsize(os.path.join(d, name))
        assert 1000 <= size < 1100, (name, size)
    # the newest lines are kept, in order, ending with the last one
    kept = []
    for name in ("0.log.2", "0.log.1", "0.log"):
        kept += [r[2] for r in s.records(os.path.join(d, name))]
    assert kept[-1] == "line-200"
    first = int(kept[0].split("-")[1])
    assert kept == ["line-%d" % i for i in range(first, 201)]


def test_survives_parent_group_kill_and_holds_no_fds(shims, tmp_path):
    s = shims("survive", ["sh", "-c", "i=0; while [ $i -lt 30 ]; do echo tick-$i; "
                                      "i=$((i+1)); sleep 0.1; done; exit 3"])
    marker = open(os.path.join(str(tmp_path), "agent-only-file"), "w")
    # the "agent": a process group that starts the shim and stays alive
    script = ("import os, subprocess, sys, time\n"
              "r, w = os.pipe()\n"
              "subprocess.run(sys.argv[1:] + ['--sync-fd', str(w)], pass_fds=(w, %d))\n"
              "os.close(w)\n"
              "print(os.read(r, 100).decode(), flush=True)\n"
              "time.sleep(60)\n" % marker.fileno())
    agent = subprocess.Popen(["/usr/bin/python3", "-c", script] + s.cmd,
                             stdout=subprocess.PIPE, pass_fds=(marker.fileno(),),
                             start_new_session=True)
    try:
        line = agent.stdout.readline().decode()
        assert line.startswith("ok "), line
        s.shim_pid = s.read_shim_pid()
        assert s.shim_pid
        # the shim is in its own session, not the agent's
        assert os.getsid(s.shim_pid) == s.shim_pid != os.getsid(agent.pid)
        # it holds none of the agent's descriptors
        fds = os.listdir("/proc/%d/fd" % s.shim_pid)
        targets = [os.readlink("/proc/%d/fd/%s" % (s.shim_pid, fd)) for fd in fds]
        assert marker.name not in targets, targets
        os.killpg(agent.pid, signal.SIGTERM)
        os.killpg(agent.pid, signal.SIGKILL)
        agent.wait(timeout=5)
    finally:
        if agent.poll() is None:
            agent.kill()
            agent.wait()
        marker.close()
    assert os.path.exists("/proc/%d" % s.shim_pid), "the shim died with its parent"
    ex = s.exit_record(timeout=20)
    assert ex["exitCode"] == 3
    ticks = [r[2] for r in s.records() if r[0] == "stdout"]
    assert ticks == ["tick-%d" % i for i in range(30)]


def test_bad_arguments():
    p = subprocess.run([SKIFF, "runtime-shim", "--id", "x"], capture_output=True, text=True)
    assert p.returncode == 2
    assert "--bundle is required" in p.stderr
    p = subprocess.run([SKIFF, "runtime-shim", "--bogus"], capture_output=True, text=True)
    assert p.returncode == 2 and "unknown or incomplete flag --bogus" in p.stderr
