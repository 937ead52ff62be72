"""pods/exec end to end with real kubectl (WebSocket, v5.channel.k8s.io)
and `skiff exec`: the API's WebSocket bridge to a node's upgraded node-HTTP
stream. The first tests run against tests/plugins/exececho (a fake /exec,
built as $SKIFF_BUILD/test-plugins/exececho.so), so the bridge is tested
without containers; the last ones exec into real pods under runc."""
import base64
import fcntl
import os
import pty
import select
import shutil
import socket
import ssl
import struct
import subprocess
import termios
import time

import pytest

from conftest import BUILD, SKIFF, wait_for

EXECECHO = os.path.join(BUILD, "test-plugins", "exececho.so")

PODS = """
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
metadata: {name: web}
spec:
  nodeName: node-a
  containers:
  - {name: a, image: busybox}
  - {name: b, image: busybox}
---
apiVersion: v1
kind: Pod
metadata: {name: gone}
spec:
  nodeName: node-a
  containers:
  - {name: missing, image: busybox}
---
apiVersion: v1
kind: Pod
metadata: {name: pending}
spec:
  containers:
  - {name: main, image: busybox}
"""


@pytest.fixture
def agent(agent_factory):
    if not os.path.exists(EXECECHO):
        pytest.skip("build the test plugins first: make unit (or e2e) builds %s" % EXECECHO)
    # the built-in runtime serves /exec itself and would run these pods
    a = agent_factory(config="plugins:\n  runtime: {enabled: false}\n")
    plugins = os.path.join(a.dir, "plugins")
    os.mkdir(plugins)
    shutil.copy(EXECECHO, plugins)
    a.args += ["--plugin-dir", plugins]
    a.start()
    wait_for(lambda: "serving prefix=/exec plugin=exececho" in a.log(), 10, "exececho serving")
    r = a.kubectl("apply", "-f", "-", input=PODS)
    assert r.returncode == 0, r.stderr
    return a


def kubectl_bytes(a, *args, input=None, timeout=60):
    env = dict(os.environ, KUBECONFIG=a.kubeconfig())
    return subprocess.run(["kubectl"] + list(args), input=input, capture_output=True,
                          timeout=timeout, env=env)


def skiff(a, *args, input=None, timeout=60):
    env = dict(os.environ, KUBECONFIG=a.kubeconfig())
    return subprocess.run([SKIFF] + list(args), input=input, capture_output=True,
                          timeout=timeout, env=env)


CLIENTS = ["kubectl", "skiff"]


def run_client(a, client, *args, input=None, timeout=60):
    if client == "kubectl":
        return kubectl_bytes(a, *args, input=input, timeout=timeout)
    return skiff(a, *args, input=input, timeout=timeout)


def need_skiff_exec():
    r = subprocess.run([SKIFF, "exec", "--help"], capture_output=True, timeout=10)
    if r.returncode != 0 or b"exec" not in r.stdout:
        pytest.skip("this build has no `skiff exec` (the CLI framework is missing)")


@pytest.mark.parametrize("client", CLIENTS)
def test_exec_output_and_exit_code(agent, client):
    if client == "skiff":
        need_skiff_exec()
    r = run_client(agent, client, "exec", "one", "--", "echo", "hello", "world")
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"hello world\n"
    assert r.stderr == b""
    r = run_client(agent, client, "exec", "one", "--", "exit", "3", "oops")
    assert r.returncode == 3
    assert r.stdout == b""
    assert r.stderr == b"oops\ncommand terminated with exit code 3\n"
    # a multi-container pod: the first is used, with kubectl's note
    r = run_client(agent, client, "exec", "web", "--", "echo", "x")
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"x\n"
    assert r.stderr == b'Defaulted container "a" out of: a, b\n'
    r = run_client(agent, client, "exec", "web", "-c", "b", "--", "echo", "y")
    assert (r.returncode, r.stdout, r.stderr) == (0, b"y\n", b"")


@pytest.mark.parametrize("client", CLIENTS)
def test_exec_stdin(agent, client):
    if client == "skiff":
        need_skiff_exec()
    # 3 MiB through stdin and back: more than the input and output windows
    data = base64.b64encode(os.urandom(3 * 1024 * 1024 // 4 * 3))
    r = run_client(agent, client, "exec", "-i", "one", "--", "cat", input=data, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout == data
    r = run_client(agent, client, "exec", "-i", "one", "--", "cat", input=b"")
    assert (r.returncode, r.stdout) == (0, b"")


@pytest.mark.parametrize("client", CLIENTS)
def test_exec_errors(agent, client):
    if client == "skiff":
        need_skiff_exec()
    r = run_client(agent, client, "exec", "nope", "--", "echo")
    assert r.returncode == 1
    assert r.stderr == b'Error from server (NotFound): pods "nope" not found\n'
    r = run_client(agent, client, "exec", "web", "-c", "zz", "--", "echo")
    assert r.returncode == 1
    assert r.stderr == b"Error from server (BadRequest): container zz is not valid for pod web\n"
    # the node refuses: the kubelet's text, as kube-apiserver relays it
    r = run_client(agent, client, "exec", "gone", "--", "echo")
    assert r.returncode == 1
    assert r.stderr == (b"error: Internal error occurred: unable to upgrade connection: "
                        b'container not found ("missing")\n')
    r = run_client(agent, client, "exec", "one")
    assert r.returncode == 1
    assert b"error: you must specify at least one command for the container" in r.stderr
    r = run_client(agent, client, "exec", "one", "--", "nosuch")
    assert r.returncode == 127
    assert r.stderr == b"exececho: nosuch: not found\ncommand terminated with exit code 127\n"


def test_exec_big_output(agent):
    # 8 MiB out: the node's window and the client's pace bound the memory
    r = kubectl_bytes(agent, "exec", "one", "--", "big", str(8 << 20), timeout=120)
    assert r.returncode == 0, r.stderr
    assert len(r.stdout) == 8 << 20
    assert r.stdout[:30] == b"abcdefghijklmnopqrstuvwxyzabcd"


def run_in_pty(argv, env, steps, rows=24, cols=80, timeout=15):
    """Run argv on a pty of rows x cols; steps is a list of (wait_for_bytes,
    bytes_to_write). Returns (output, exit status)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(env)
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    out = b""
    deadline = time.monotonic() + timeout
    try:
        for want, send in steps + [(None, None)]:
            while time.monotonic() < deadline and (want is None or want not in out):
                r, _, _ = select.select([fd], [], [], 0.1)
                if r:
                    try:
                        chunk = os.read(fd, 4096)
                    except OSError:
                        chunk = b""
                    if not chunk:
                        break
                    out += chunk
                elif want is None and os.waitpid(pid, os.WNOHANG) != (0, 0):
                    return out, None
            if send:
                os.write(fd, send)
        _, st = os.waitpid(pid, 0)
        return out, os.waitstatus_to_exitcode(st)
    finally:
        try:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(fd)


@pytest.mark.parametrize("client", CLIENTS)
def test_exec_tty(agent, client):
    if client == "skiff":
        need_skiff_exec()
    argv = (["kubectl"] if client == "kubectl" else [SKIFF]) + ["exec", "-ti", "one", "--", "tty"]
    out, rc = run_in_pty(argv, {"KUBECONFIG": agent.kubeconfig()},
                         [(b"size=80x24", b"abc"), (b"abc", b"q")])
    assert b"tty=1 size=80x24" in out, out
    assert b"abcq" in out, out
    assert rc == 0, out
    # -ti with stdin not a terminal: kubectl's note, and no tty
    r = run_client(agent, client, "exec", "-ti", "one", "--", "echo", "plain", input=b"")
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"plain\n"
    assert r.stderr == b"Unable to use a TTY - input is not a terminal or the right kind of file\n"
    # -t without -i: no tty, silently
    r = run_client(agent, client, "exec", "-t", "one", "--", "echo", "plain")
    assert (r.returncode, r.stdout, r.stderr) == (0, b"plain\n", b""), r.stderr


def raw_upgrade(a, query, headers=None):
    """The status line and the whole answer to a hand-made upgrade request."""
    ctx = ssl.create_default_context(cafile=os.path.join(a.data_dir, "tls", "ca.crt"))
    with open(os.path.join(a.data_dir, "tls", "admin.token")) as f:
        token = f.read().strip()
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", a.port)),
                        server_hostname="127.0.0.1")
    h = {"Host": "127.0.0.1", "Connection": "Upgrade", "Upgrade": "websocket",
         "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
         "Sec-WebSocket-Protocol": "v5.channel.k8s.io", "Authorization": "Bearer " + token}
    h.update(headers or {})
    req = "GET /api/v1/namespaces/default/pods/one/exec?%s HTTP/1.1\r\n" % query
    req += "".join("%s: %s\r\n" % kv for kv in h.items() if kv[1] is not None) + "\r\n"
    s.sendall(req.encode())
    data = b""
    s.settimeout(5)
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
            if data.startswith(b"HTTP/1.1 101") and b"\r\n\r\n" in data:
                break
    except (socket.timeout, ssl.SSLError):
        pass
    s.close()
    return data.split(b"\r\n", 1)[0], data


def test_exec_request_errors(agent):
    """What kube-apiserver answers before any upgrade, as Status objects."""
    line, body = raw_upgrade(agent, "stdout=true")
    assert line == b"HTTP/1.1 400 Bad Request"
    assert b'"message":"you must specify at least 1 command"' in body
    line, body = raw_upgrade(agent, "command=echo")
    assert line == b"HTTP/1.1 400 Bad Request"
    assert b'"message":"you must specify at least 1 of stdin, stdout, stderr"' in body
    # SPDY, kubectl's fallback, is not served: an answer kubectl prints
    line, body = raw_upgrade(agent, "command=echo&stdout=true",
                             {"Upgrade": "SPDY/3.1", "Sec-WebSocket-Version": None})
    assert line == b"HTTP/1.1 400 Bad Request"
    assert b"Upgrade request required" in body
    line, body = raw_upgrade(agent, "command=echo&stdout=true",
                             {"Sec-WebSocket-Protocol": "base64.channel.k8s.io"})
    assert line == b"HTTP/1.1 400 Bad Request"
    assert b"requested protocol(s) are not supported: [base64.channel.k8s.io]" in body
    line, body = raw_upgrade(agent, "command=echo&stdout=true")
    assert line == b"HTTP/1.1 101 Switching Protocols"
    assert b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" in body
    assert b"Sec-WebSocket-Protocol: v5.channel.k8s.io\r\n" in body
    r = kubectl_bytes(agent, "exec", "pending", "--", "echo")
    assert r.returncode == 1
    assert r.stderr == b"Error from server (BadRequest): pod pending does not have a host assigned\n"


def test_exec_client_goes_away(agent):
    """kubectl killed mid-session: the node's plugin hears of it."""
    env = dict(os.environ, KUBECONFIG=agent.kubeconfig())
    p = subprocess.Popen(["kubectl", "exec", "-i", "one", "--", "cat"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, env=env)
    try:
        p.stdin.write(b"ping\n")
        p.stdin.flush()
        assert p.stdout.readline() == b"ping\n"
        p.kill()
        p.wait()
        wait_for(lambda: "exec gone cmd=cat" in agent.log(), 10, "the plugin to see the client go")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()



def test_exec_python_client(agent):
    """The python client's stream() (v4.channel.k8s.io over WebSocket)."""
    code = (
        "from kubernetes import client, config\n"
        "from kubernetes.stream import stream\n"
        "config.load_kube_config(%r)\n"
        "v1 = client.CoreV1Api()\n"
        "print(repr(stream(v1.connect_get_namespaced_pod_exec, 'one', 'default',\n"
        "      command=['echo', 'hi', 'py'], stderr=True, stdin=False, stdout=True, tty=False)))\n"
        "r = stream(v1.connect_get_namespaced_pod_exec, 'one', 'default', command=['exit', '5'],\n"
        "           stderr=True, stdin=False, stdout=True, tty=False, _preload_content=False)\n"
        "r.run_forever(timeout=10)\n"
        "print(r.returncode)\n") % agent.kubeconfig()
    r = subprocess.run(["/usr/bin/python3", "-c", code], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "'hi py\\n'\n5\n"

# ---- real pods: the runtime's /exec (plugins/runtime/exec.c) under runc ----

import json  # noqa: E402
import sys  # noqa: E402
import uuid  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_runtime import (  # noqa: E402,F401
    mounts_under, needs_tools, pod_yaml, reg, scrub, wait_phase)


@pytest.fixture
def rt_agent(agent_factory, reg):  # noqa: F811
    node = "rt-" + uuid.uuid4().hex[:8]
    a = agent_factory(name=node)
    a.node = node
    a.start()
    try:
        docs = [pod_yaml(a, reg, "shell", [{"name": "main", "command": ["sleep", "3600"]}]),
                pod_yaml(a, reg, "two", [{"name": "a", "command": ["sleep", "3600"]},
                                         {"name": "b", "command": ["sleep", "3600"]}]),
                pod_yaml(a, reg, "done", [{"name": "c", "command": ["true"]}],
                         restart="Never")]
        for d in docs:
            r = a.kubectl("apply", "-f", "-", input=d)
            assert r.returncode == 0, r.stderr
        wait_phase(a, "shell", "Running")
        wait_phase(a, "two", "Running")
        wait_phase(a, "done", "Succeeded")
        yield a
    finally:
        # a sandbox helper of the killed agent may still be mounting
        deadline = time.monotonic() + 5
        while True:
            scrub(a, node)
            if not mounts_under(a.dir) or time.monotonic() > deadline:
                break
            time.sleep(0.2)


@needs_tools
@pytest.mark.parametrize("client", CLIENTS)
def test_exec_real_pod(rt_agent, client):
    a = rt_agent
    if client == "skiff":
        need_skiff_exec()
    r = run_client(a, client, "exec", "shell", "--", "cat", "/etc/hostname")
    assert (r.returncode, r.stdout, r.stderr) == (0, b"shell\n", b"")
    r = run_client(a, client, "exec", "shell", "--", "sh", "-c", "echo out; echo err >&2; exit 3")
    assert r.returncode == 3
    assert r.stdout == b"out\n"
    assert r.stderr == b"err\ncommand terminated with exit code 3\n"
    data = base64.b64encode(os.urandom(768 * 1024)) + b"\n"
    r = run_client(a, client, "exec", "-i", "shell", "--", "sh", "-c", "cat; echo end",
                   input=data, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout == data + b"end\n"
    r = run_client(a, client, "exec", "two", "-c", "b", "--", "sh", "-c", "echo $HOSTNAME")
    assert (r.returncode, r.stdout) == (0, b"two\n")
    # the command is missing from the image: the runtime's words, exit 1
    r = run_client(a, client, "exec", "shell", "--", "nosuchcmd")
    assert r.returncode == 1
    assert r.stderr.startswith(b"error: Internal error occurred: error executing command in "
                               b"container: OCI runtime exec failed: exec failed: ")
    assert b'exec: "nosuchcmd": executable file not found in $PATH' in r.stderr
    # a finished pod: kubectl's own check
    r = run_client(a, client, "exec", "done", "--", "true")
    assert r.returncode == 1
    assert r.stderr == (b"error: cannot exec into a container in a completed pod; current phase "
                        b"is Succeeded\n")


@needs_tools
@pytest.mark.parametrize("client", CLIENTS)
def test_exec_real_tty(rt_agent, client):
    if client == "skiff":
        need_skiff_exec()
    argv = (["kubectl"] if client == "kubectl" else [SKIFF]) + ["exec", "-ti", "shell", "--",
                                                                "sh"]
    out, rc = run_in_pty(argv, {"KUBECONFIG": rt_agent.kubeconfig()},
                         [(b"# ", b"stty size; tty; exit 7\r")], rows=33, cols=101)
    assert b"33 101" in out, out
    assert b"/dev/pts/" in out, out
    assert rc == 7, out
