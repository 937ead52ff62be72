"""The CLI's TLS session cache: the first run makes a full, verified
handshake and keeps the agent's session ticket under the kubectl cache
dir; later runs resume it; a refused ticket (agent restarted), a broken
cache file or other trust material fall back to a full handshake that
verifies the server again."""
import os
import stat
import subprocess

from conftest import SKIFF, wait_for


def skiff(agent, *args, env_extra=None, kubeconfig=None):
    env = dict(os.environ, KUBECONFIG=kubeconfig or agent.kubeconfig(), HOME=agent.dir)
    env.pop("KUBECACHEDIR", None)
    if env_extra:
        env.update(env_extra)
    return subprocess.run([SKIFF] + list(args), capture_output=True, text=True, timeout=30,
                          env=env)


def tls_line(r):
    lines = [ln for ln in r.stderr.splitlines() if " tls: " in ln]
    assert len(lines) == 1, r.stderr
    return lines[0]


def cache_files(d):
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def test_session_is_cached_and_resumed(agent_factory):
    a = agent_factory().start()
    cache = os.path.join(a.dir, ".kube", "cache", "skiff-tls")
    r = skiff(a, "get", "namespaces", "-v=7")
    assert r.returncode == 0, r.stderr
    assert "full handshake" in tls_line(r)
    files = cache_files(cache)
    assert len(files) == 1 and files[0].startswith("127.0.0.1_%d-" % a.port), files
    path = os.path.join(cache, files[0])
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(cache).st_mode) == 0o700
    for _ in range(2):
        r = skiff(a, "get", "namespaces", "-v=7")
        assert r.returncode == 0, r.stderr
        assert tls_line(r).endswith("session resumed from " + path)
    # resumed runs print what a full handshake prints, and what kubectl prints
    k = a.kubectl("get", "namespaces", "--no-headers", "-o", "name")
    s = skiff(a, "get", "namespaces", "--no-headers", "-o", "name")
    assert (s.returncode, s.stdout) == (0, k.stdout)


def test_refused_or_broken_session_falls_back(agent_factory):
    a = agent_factory().start()
    cache = os.path.join(a.dir, ".kube", "cache", "skiff-tls")
    assert skiff(a, "get", "namespaces").returncode == 0
    assert "resumed" in tls_line(skiff(a, "get", "namespaces", "-v=7"))
    # a restarted agent has new ticket keys: the ticket is refused
    a.stop()
    ready = a.log().count("agent: ready")
    a.start(wait_ready=False)
    wait_for(lambda: a.log().count("agent: ready") > ready or a.proc.poll() is not None, 10,
             "agent ready again")
    assert a.proc.poll() is None, a.log()
    r = skiff(a, "get", "namespaces", "-v=7")
    assert r.returncode == 0, r.stderr
    assert "full handshake" in tls_line(r)
    assert "resumed" in tls_line(skiff(a, "get", "namespaces", "-v=7"))
    # garbage in the cache file is ignored and replaced
    path = os.path.join(cache, cache_files(cache)[0])
    with open(path, "wb") as f:
        f.write(b"\x30\x82\xff\xffnot a session")
    r = skiff(a, "get", "namespaces", "-v=7")
    assert r.returncode == 0, r.stderr
    assert "full handshake" in tls_line(r)
    assert "resumed" in tls_line(skiff(a, "get", "namespaces", "-v=7"))
    # a cache file others may read is not trusted
    os.chmod(path, 0o644)
    r = skiff(a, "get", "namespaces", "-v=7")
    assert r.returncode == 0 and "full handshake" in tls_line(r), r.stderr


def test_other_trust_material_does_not_reuse_a_session(agent_factory):
    a = agent_factory().start()
    assert skiff(a, "get", "namespaces").returncode == 0
    assert "resumed" in tls_line(skiff(a, "get", "namespaces", "-v=7"))
    # the same server with a CA that did not sign it: the cached session
    # (made with the right CA) must not let this run through
    other_ca = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-keyout", "/dev/null", "-subj", "/CN=other-ca", "-days", "1"],
        capture_output=True, text=True, check=True).stdout
    ca_path = os.path.join(a.dir, "other-ca.crt")
    with open(ca_path, "w") as f:
        f.write(other_ca)
    with open(a.kubeconfig()) as f:
        kc = f.read()
    lines = [ln for ln in kc.splitlines() if "certificate-authority-data" not in ln]
    bad = "\n".join(ln + ("\n    certificate-authority: " + ca_path if "server:" in ln else "")
                    for ln in lines) + "\n"
    bad_path = os.path.join(a.dir, "bad-kubeconfig")
    with open(bad_path, "w") as f:
        f.write(bad)
    for _ in range(2):
        r = skiff(a, "get", "namespaces", kubeconfig=bad_path)
        assert r.returncode == 1
        assert r.stderr == ("Unable to connect to the server: tls: failed to verify "
                            "certificate: x509: certificate signed by unknown authority\n")
    # insecure-skip-tls-verify sessions are kept apart from verified ones
    r = skiff(a, "get", "namespaces", "--insecure-skip-tls-verify", "-v=7", kubeconfig=bad_path)
    assert r.returncode == 0, r.stderr
    assert "full handshake" in tls_line(r)


def test_kubecachedir_is_used(agent_factory):
    a = agent_factory().start()
    d = os.path.join(a.dir, "elsewhere")
    r = skiff(a, "get", "namespaces", "-v=7", env_extra={"KUBECACHEDIR": d})
    assert r.returncode == 0, r.stderr
    assert len(cache_files(os.path.join(d, "skiff-tls"))) == 1
    assert not os.path.exists(os.path.join(a.dir, ".kube", "cache"))
    r = skiff(a, "get", "namespaces", "-v=7", env_extra={"KUBECACHEDIR": d})
    assert "resumed" in tls_line(r)
