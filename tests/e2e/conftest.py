"""Fixtures for the end-to-end tests: the real bin/skiff, a fresh data dir
per agent, and cleanup of every process a test started (by PID)."""
import os
import signal
import socket
import subprocess
import tempfile
import time

import pytest

ROOT = os.environ.get("SKIFF_ROOT") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("SKIFF_BUILD", os.path.join(ROOT, "build"))
BIN = os.environ.get("SKIFF_BIN") or os.path.join(ROOT, "bin")
SKIFF = os.path.join(BIN, "skiff")


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(cond, timeout, what, interval=0.02):
    """Poll cond() until it returns a truthy value or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %.1fs waiting for %s" % (timeout, what))
        time.sleep(interval)


class Agent:
    """One `skiff agent` process with its own data dir and log file."""

    def __init__(self, tmp, args=(), config=None, name="node-a"):
        self.dir = tmp
        self.data_dir = os.path.join(tmp, "data")
        self.log_path = os.path.join(tmp, "agent.log")
        self.port = free_port()
        self.args = ["--data-dir", self.data_dir, "--node-name", name,
                     "--api-listen", "127.0.0.1:%d" % self.port] + list(args)
        self._kubeconfig = None
        self.config_path = None
        if config is not None:
            self.config_path = os.path.join(tmp, "skiff.yaml")
            with open(self.config_path, "w") as f:
                f.write(config)
            self.args = ["--config", self.config_path] + self.args
        self.proc = None
        self.node_name = name

    def start(self, wait_ready=True):
        self.logf = open(self.log_path, "ab")
        env = dict(os.environ)
        env.pop("SKIFF_CONFIG", None)
        self.proc = subprocess.Popen([SKIFF, "agent"] + self.args, stdout=self.logf,
                                     stderr=subprocess.STDOUT, env=env)
        if wait_ready:
            wait_for(lambda: "agent: ready" in self.log() or self.proc.poll() is not None,
                     10, "agent ready")
            assert self.proc.poll() is None, "agent exited early:\n" + self.log()
        return self

    def kubeconfig(self):
        """Path of the admin kubeconfig, written by `skiff kubeconfig`."""
        if not self._kubeconfig:
            r = run("kubeconfig", "--data-dir", self.data_dir, "--server",
                    "https://127.0.0.1:%d" % self.port)
            assert r.returncode == 0, r.stderr
            self._kubeconfig = os.path.join(self.dir, "kubeconfig")
            with open(self._kubeconfig, "w") as f:
                f.write(r.stdout)
        return self._kubeconfig

    def kubectl(self, *args, input=None, timeout=60):
        env = dict(os.environ, KUBECONFIG=self.kubeconfig(), HOME=self.dir)
        return subprocess.run(["/usr/bin/kubectl"] + list(args), capture_output=True,
                              text=True, input=input, timeout=timeout, env=env)

    def log(self):
        with open(self.log_path, "r", errors="replace") as f:
            return f.read()

    def kill(self, sig):
        self.proc.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=2.0):
        """Signal the agent; return (exit code, seconds it took)."""
        t0 = time.monotonic()
        self.proc.send_signal(sig)
        rc = self.proc.wait(timeout=timeout + 5)
        return rc, time.monotonic() - t0

    def cleanup(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if getattr(self, "logf", None):
            self.logf.close()
        scrub_runtime(self.dir, self.data_dir, self.node_name)


def scrub_runtime(tmp, data_dir, node):
    """Remove what a killed agent's pod runtime leaves by design (containers
    outlive the agent): its runc containers, the mounts under tmp (pod
    namespaces, overlays) and its cgroups. The agent must be stopped."""
    root = os.path.join(data_dir, "runtime", "runc")
    if os.path.isdir(root) and os.path.exists("/usr/sbin/runc"):
        r = subprocess.run(["/usr/sbin/runc", "--root", root, "list", "-q"],
                           capture_output=True, text=True, timeout=30)
        for cid in r.stdout.split():
            subprocess.run(["/usr/sbin/runc", "--root", root, "delete", "--force", cid],
                           capture_output=True, timeout=30)
    with open("/proc/self/mountinfo") as f:
        mounts = [ln.split()[4] for ln in f if ln.split()[4].startswith(tmp + "/")]
    for m in sorted(mounts, key=len, reverse=True):
        subprocess.run(["umount", "-l", m], capture_output=True)
    if os.path.isdir("/sys/fs/cgroup"):
        for ctl in os.listdir("/sys/fs/cgroup"):
            top = os.path.join("/sys/fs/cgroup", ctl, "skiff-" + node)
            if os.path.isdir(top):
                for d, _, _ in sorted(os.walk(top), key=lambda x: -len(x[0])):
                    try:
                        os.rmdir(d)
                    except OSError:
                        pass


@pytest.fixture
def agent_factory():
    made = []
    tmps = []

    def make(args=(), config=None, name="node-a"):
        tmp = tempfile.mkdtemp(prefix="skiff-e2e-")
        tmps.append(tmp)
        a = Agent(tmp, args=args, config=config, name=name)
        made.append(a)
        return a

    yield make
    for a in made:
        a.cleanup()
    for t in tmps:
        subprocess.run(["rm", "-rf", t])


def run(*args, input=None, timeout=30):
    return subprocess.run([SKIFF] + list(args), capture_output=True, text=True, input=input,
                          timeout=timeout)
