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
    before = os.stat(path)
    for _ in range(2):
        r = skiff(a, "get", "namespaces", "-v=7")
        assert r.returncode == 0, r.stderr
        assert tls_line(r).endswith("session resumed from " + path)
    # a resumed run writes nothing (flash wear), even when the agent
    # renewed the ticket
    after = os.stat(path)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
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


# ---- against a TLS server of another implementation (Python's ssl, i.e.
# OpenSSL), with certificates made for each case: the host checks the CLI
# makes itself (mbedtls 2.28 matches dNSName SANs and the CN only) ----

def openssl(*args, cwd):
    subprocess.run(["openssl"] + list(args), cwd=cwd, check=True, capture_output=True)


def make_ca(d):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=test-ca", "-days", "2", cwd=d)
    return os.path.join(d, "ca.crt")


def make_leaf(d, name, cn, san=None):
    """A server certificate signed by d's CA; san like "IP:127.0.0.1,DNS:x"."""
    args = ["req", "-x509", "-CA", "ca.crt", "-CAkey", "ca.key", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key", "-out",
            name + ".crt", "-subj", "/CN=" + cn, "-days", "2"]
    if san:
        args += ["-addext", "subjectAltName=" + san]
    openssl(*args, cwd=d)
    return os.path.join(d, name + ".crt"), os.path.join(d, name + ".key")


class TLSServer:
    """A one-thread HTTPS server answering every request with 200 "ok";
    records the SNI each handshake carried and how many handshakes
    resumed a session."""

    def __init__(self, cert, key):
        import socket
        import ssl
        import threading
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(cert, key)
        self.sni = []
        self.resumed = []
        self.ctx.sni_callback = lambda sock, name, ctx: self.sni.append(name)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.stop = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stop:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            c.settimeout(10)
            try:
                s = self.ctx.wrap_socket(c, server_side=True)
            except OSError:  # the client refused the certificate
                c.close()
                continue
            try:
                self.resumed.append(s.session_reused)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                if data:
                    s.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                              b"Content-Length: 2\r\nConnection: close\r\n\r\nok")
            except OSError:
                pass
            finally:
                s.close()

    def close(self):
        self.stop = True
        self.sock.close()
        self.thread.join(5)


def kubeconfig_for(d, server, ca, sni=None):
    path = os.path.join(d, "kc-%d" % len(os.listdir(d)))
    with open(path, "w") as f:
        f.write("apiVersion: v1\nkind: Config\ncurrent-context: t\n"
                "clusters:\n- name: t\n  cluster:\n    server: %s\n"
                "    certificate-authority: %s\n%s"
                "contexts:\n- name: t\n  context: {cluster: t, user: t}\n"
                "users:\n- name: t\n  user: {token: secret}\n" %
                (server, ca, "    tls-server-name: %s\n" % sni if sni else ""))
    return path


def raw(d, kc, *extra):
    env = dict(os.environ, KUBECONFIG=kc, HOME=d)
    env.pop("KUBECACHEDIR", None)
    return subprocess.run([SKIFF, "get", "--raw", "/healthz"] + list(extra),
                          capture_output=True, text=True, timeout=30, env=env)


def kubectl_raw(d, kc):
    env = dict(os.environ, KUBECONFIG=kc, HOME=d)
    return subprocess.run(["/usr/bin/kubectl", "get", "--raw", "/healthz"],
                          capture_output=True, text=True, timeout=30, env=env)


PRE = "Unable to connect to the server: tls: failed to verify certificate: x509: "


def host_case(tmp_path, san, host, cn="server"):
    d = str(tmp_path)
    ca = make_ca(d)
    cert, key = make_leaf(d, "leaf", cn, san)
    srv = TLSServer(cert, key)
    kc = kubeconfig_for(d, "https://%s:%d" % (host, srv.port), ca)
    return d, srv, kc


def test_ip_host_needs_the_ip_in_the_certificate(tmp_path):
    d, srv, kc = host_case(tmp_path, "DNS:localhost,IP:10.9.8.7", "127.0.0.1")
    try:
        r = raw(d, kc)
        assert (r.returncode, r.stdout) == (1, "")
        assert r.stderr == PRE + "certificate is valid for 10.9.8.7, not 127.0.0.1\n"
        k = kubectl_raw(d, kc)
        assert k.returncode == 1 and k.stderr.endswith(r.stderr), k.stderr
        # no session from a refused handshake, and no SNI for an address
        assert not os.path.exists(os.path.join(d, ".kube", "cache", "skiff-tls")) or \
            not os.listdir(os.path.join(d, ".kube", "cache", "skiff-tls"))
        assert srv.sni == [None] * len(srv.sni)
    finally:
        srv.close()


def test_ip_host_without_ip_sans(tmp_path):
    d, srv, kc = host_case(tmp_path, "DNS:localhost", "127.0.0.1", cn="127.0.0.1")
    try:
        r = raw(d, kc)
        assert r.returncode == 1
        assert r.stderr == (PRE + "cannot validate certificate for 127.0.0.1 because it "
                            "doesn't contain any IP SANs\n")
        k = kubectl_raw(d, kc)
        assert k.returncode == 1 and k.stderr.endswith(r.stderr), k.stderr
    finally:
        srv.close()


def test_ip_host_with_its_ip_connects_and_resumes(tmp_path):
    d, srv, kc = host_case(tmp_path, "DNS:localhost,IP:::1,IP:127.0.0.1", "127.0.0.1")
    try:
        for i in range(3):
            r = raw(d, kc, "-v=7")
            assert (r.returncode, r.stdout) == (0, "ok"), r.stderr
            assert ("full handshake" if i == 0 else "session resumed") in tls_line(r)
        assert srv.resumed == [False, True, True]
        assert srv.sni == [None] * len(srv.sni)
        # the cache holds mbedtls's session bytes (its version header,
        # 2.28), not OpenSSL's DER, and not the server's certificate
        cache = os.path.join(d, ".kube", "cache", "skiff-tls")
        [name] = os.listdir(cache)
        with open(os.path.join(cache, name), "rb") as f:
            blob = f.read()
        assert blob[:2] == bytes([2, 28]), blob[:8]
        der = subprocess.run(["openssl", "x509", "-in", os.path.join(d, "leaf.crt"), "-outform",
                              "DER"], capture_output=True, check=True).stdout
        assert der[-64:] not in blob
        # an expired session (its start time, after the 5-byte header, set
        # to 1970) is not offered: a full handshake, then a fresh session
        with open(os.path.join(cache, name), "wb") as f:
            f.write(blob[:5] + bytes(8) + blob[13:])
        r = raw(d, kc, "-v=7")
        assert r.returncode == 0 and "full handshake" in tls_line(r), r.stderr
        assert srv.resumed[-1] is False
        assert "session resumed" in tls_line(raw(d, kc, "-v=7"))
        # a ticket the server cannot decrypt is refused: full handshake
        with open(os.path.join(cache, name), "rb") as f:
            blob = f.read()
        with open(os.path.join(cache, name), "wb") as f:
            f.write(blob[:-40] + bytes(b ^ 0x55 for b in blob[-40:-20]) + blob[-20:])
        r = raw(d, kc, "-v=7")
        assert r.returncode == 0 and "full handshake" in tls_line(r), r.stderr
        assert "session resumed" in tls_line(raw(d, kc, "-v=7"))
    finally:
        srv.close()


def test_dns_host_is_sni_and_checked(tmp_path):
    d, srv, kc = host_case(tmp_path, "DNS:other.example,DNS:*.example.org", "localhost")
    try:
        r = raw(d, kc)
        assert r.returncode == 1
        assert r.stderr == (PRE + "certificate is valid for other.example, *.example.org, "
                            "not localhost\n")
        k = kubectl_raw(d, kc)
        assert k.returncode == 1 and k.stderr.endswith(r.stderr), k.stderr
        assert srv.sni and srv.sni[0] == "localhost"
    finally:
        srv.close()
    d2 = os.path.join(d, "ok")
    os.mkdir(d2)
    ca = make_ca(d2)
    cert, key = make_leaf(d2, "leaf", "x", "DNS:localhost")
    srv = TLSServer(cert, key)
    try:
        r = raw(d2, kubeconfig_for(d2, "https://localhost:%d" % srv.port, ca))
        assert (r.returncode, r.stdout) == (0, "ok"), r.stderr
    finally:
        srv.close()


def test_common_name_alone_is_not_enough(tmp_path):
    # Go (and so kubectl) ignores the CN; mbedtls would accept it
    d, srv, kc = host_case(tmp_path, None, "localhost", cn="localhost")
    try:
        r = raw(d, kc)
        assert r.returncode == 1
        assert r.stderr == (PRE + "certificate relies on legacy Common Name field, "
                            "use SANs instead\n")
        k = kubectl_raw(d, kc)
        assert k.returncode == 1 and k.stderr.endswith(r.stderr), k.stderr
    finally:
        srv.close()


def test_tls_server_name(tmp_path):
    # the kubeconfig's tls-server-name is the SNI and the name verified,
    # instead of the URL's address
    d, srv, _ = host_case(tmp_path, "DNS:kube.example", "127.0.0.1")
    try:
        ca = os.path.join(d, "ca.crt")
        url = "https://127.0.0.1:%d" % srv.port
        r = raw(d, kubeconfig_for(d, url, ca, sni="kube.example"))
        assert (r.returncode, r.stdout) == (0, "ok"), r.stderr
        assert srv.sni[-1] == "kube.example"
        kc = kubeconfig_for(d, url, ca, sni="other.example")
        r = raw(d, kc)
        assert r.returncode == 1
        assert r.stderr == PRE + "certificate is valid for kube.example, not other.example\n"
        k = kubectl_raw(d, kc)
        assert k.returncode == 1 and k.stderr.endswith(r.stderr), k.stderr
    finally:
        srv.close()
