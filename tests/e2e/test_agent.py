"""The agent's lifetime as a user sees it: start, logs, stop, reload,
configuration errors, and the commands around it."""
import os
import re
import shutil
import signal
import subprocess

from conftest import BIN, BUILD, ROOT, SKIFF, run, wait_for


def test_version_lists_every_linked_library():
    # kubectl's layout first, then skiff's own build and libraries
    r = run("version", "--client")
    assert r.returncode == 0
    assert re.match(r"Client Version: v1\.32\.0\+skiff\.\d+\.\d+\.\d+\n", r.stdout)
    assert re.search(r"^skiff version \d+\.\d+\.\d+ \(Kubernetes API v1\.32\.0\)$", r.stdout, re.M)
    # each library the binary is built with and that reports a version is
    # listed, whether it is linked statically (the small ones) or shared
    for lib in ("libev", "nng", "libyaml", "LMDB", "mbed TLS"):
        assert re.search(r"^  %s \d+\.\d+" % re.escape(lib), r.stdout, re.M), (lib, r.stdout)
    # TLS is mbedtls's (which nng loads anyway): OpenSSL's 4.7 MiB of
    # libcrypto and libssl are never mapped into the agent or the CLI
    ldd = subprocess.run(["ldd", SKIFF], capture_output=True, text=True).stdout
    for lib in ("libcurl", "libssl", "libcrypto"):
        assert lib not in ldd, ldd


def test_help_lists_commands_and_flags():
    r = run("--help")
    assert r.returncode == 0
    assert "agent" in r.stdout and "version" in r.stdout
    r = run("agent", "--help")
    assert r.returncode == 0
    for flag in ("--config", "--data-dir", "--node-name", "--api-listen", "--plugin-dir",
                 "--log-level", "--help"):
        assert flag in r.stdout, flag


def test_unknown_command_and_flag_fail_with_message():
    r = run("frobnicate")
    assert r.returncode == 1
    assert 'unknown command "frobnicate" for "skiff"' in r.stderr
    r = run("agent", "--no-such-flag")
    assert r.returncode == 1
    assert "unknown flag: --no-such-flag" in r.stderr


def test_agent_starts_logs_plugins_and_stops_on_sigterm(agent_factory):
    a = agent_factory().start()
    log = a.log()
    assert "loaded plugin=ping role=node source=built-in" in log
    assert "started plugin=ping" in log
    rc, took = a.stop(signal.SIGTERM)
    assert rc == 0, a.log()
    assert took < 2.0, "agent took %.2fs to stop" % took
    log = a.log()
    assert "stopped plugin=ping" in log
    assert "stopped exit=0" in log


def test_agent_stops_on_sigint(agent_factory):
    a = agent_factory().start()
    rc, took = a.stop(signal.SIGINT)
    assert rc == 0 and took < 2.0


def test_data_dir_is_created_private_and_locked(agent_factory):
    a = agent_factory().start()
    st = os.stat(a.data_dir)
    assert st.st_mode & 0o777 == 0o700
    # a second agent on the same data dir is refused, naming the first's pid
    b = agent_factory()
    b.data_dir = a.data_dir
    b.args[b.args.index("--data-dir") + 1] = a.data_dir
    b.start(wait_ready=False)
    assert b.proc.wait(timeout=10) == 1
    assert "is in use by another agent (pid %d)" % a.proc.pid in b.log()
    assert a.proc.poll() is None
    assert a.stop()[0] == 0


def test_config_error_names_file_line_and_key(agent_factory):
    a = agent_factory(config="log-level: info\napi:\n  lisen: 127.0.0.1:6443\n")
    a.start(wait_ready=False)
    assert a.proc.wait(timeout=10) == 1
    log = a.log()
    assert a.config_path in log and "line 3" in log and "api.lisen" in log, log


def test_flags_override_config(agent_factory):
    a = agent_factory(config="log-level: error\n", args=["--log-level", "debug"])
    a.start()
    assert "debug" in a.log()  # debug lines only appear at debug level
    assert a.stop()[0] == 0


def test_sighup_rereads_log_level(agent_factory):
    a = agent_factory(config="log-level: info\n")
    a.start()
    with open(a.config_path, "w") as f:
        f.write("log-level: debug\n")
    a.kill(signal.SIGHUP)
    wait_for(lambda: "reloaded log-level=debug" in a.log(), 5, "reload")
    # a broken file is refused and the agent keeps running
    with open(a.config_path, "w") as f:
        f.write("log-level: loud\n")
    a.kill(signal.SIGHUP)
    wait_for(lambda: "reload refused" in a.log(), 5, "refused reload")
    assert a.proc.poll() is None
    assert a.stop()[0] == 0


def test_disabled_plugin_is_skipped(agent_factory):
    a = agent_factory(config="plugins:\n  ping:\n    enabled: false\n").start()
    assert "skipped plugin=ping: disabled in configuration" in a.log()
    assert "loaded plugin=ping" not in a.log()
    assert a.stop()[0] == 0


def test_unknown_plugin_section_is_an_error(agent_factory):
    a = agent_factory(config="plugins:\n  pnig:\n    enabled: true\n")
    a.start(wait_ready=False)
    assert a.proc.wait(timeout=10) == 1
    assert "line 2" in a.log() and "plugins.pnig: no such plugin" in a.log()


def _plugin_dir(tmp, *sos):
    d = os.path.join(tmp, "plugins")
    os.makedirs(d, exist_ok=True)
    for so in sos:
        shutil.copy(so, d)
    return d


def test_so_plugin_replaces_builtin_and_bad_abi_is_refused(agent_factory):
    a = agent_factory()
    d = _plugin_dir(a.dir, os.path.join(BIN, "plugins", "ping.so"),
                    os.path.join(BUILD, "test-plugins", "badabi.so"),
                    os.path.join(BUILD, "test-plugins", "nosym.so"),
                    os.path.join(BUILD, "test-plugins", "failinit.so"))
    a.args += ["--plugin-dir", d]
    a.start()
    log = a.log()
    assert "loaded plugin=ping role=node source=%s/ping.so" % d in log
    assert "replaces the built-in one" in log
    assert re.search(r"refused plugin %s/badabi.so: built for ABI 99\.0, this agent speaks 1\.\d+"
                     % re.escape(d), log), log
    assert "refused plugin %s/nosym.so: no skiff_plugin_entry symbol" % d in log
    assert "refused plugin %s/failinit.so: init failed" % d in log
    assert a.proc.poll() is None  # still running
    rc, took = a.stop()
    assert rc == 0 and took < 2.0


def _ping(url, endpoint, timeout="5"):
    return run("ping", "--bus", url, "--timeout", timeout, endpoint)


def test_bus_listener_reaches_builtin_and_so_plugin_alike(agent_factory):
    """The ping plugin answers over the agent's bus listener the same way,
    built in or loaded from its .so."""
    outs = []
    for use_so in (False, True):
        a = agent_factory()
        url = "ipc://%s/bus.sock" % a.dir
        with open(os.path.join(a.dir, "skiff.yaml"), "w") as f:
            f.write("bus:\n  listen: %s\n" % url)
        a.args = ["--config", os.path.join(a.dir, "skiff.yaml")] + a.args
        if use_so:
            a.args += ["--plugin-dir",
                       _plugin_dir(a.dir, os.path.join(BIN, "plugins", "ping.so"))]
        a.start()
        assert ("source=%s/plugins/ping.so" % a.dir in a.log()) == use_so
        r = _ping(url, "ping")
        assert r.returncode == 0, r.stderr
        assert re.match(r"pong from endpoint=ping node=node-a uptime=[0-9.]+s time=[0-9.]+ms",
                        r.stdout), r.stdout
        outs.append(re.sub(r"[0-9.]+(s|ms)\b", "N", r.stdout))
        r = _ping(url, "core")
        assert r.returncode == 0 and "endpoint=core" in r.stdout
        r = _ping(url, "nosuch", timeout="0.5")
        assert r.returncode == 1 and "no reply" in r.stderr
        assert a.proc.poll() is None
        assert a.stop()[0] == 0
    assert outs[0] == outs[1]


def test_store_is_opened_and_a_foreign_store_refused(agent_factory):
    a = agent_factory().start()
    assert re.search(r"store open path=%s/store/data.mdb rev=\d+" % re.escape(a.data_dir),
                     a.log()), a.log()
    assert a.stop()[0] == 0
    # a file that is not a skiff store is refused, never reset
    b = agent_factory()
    os.makedirs(os.path.join(b.data_dir, "store"), mode=0o700)
    junk = os.path.join(b.data_dir, "store", "data.mdb")
    with open(junk, "wb") as f:
        f.write(b"this is not an LMDB file" * 1000)
    b.start(wait_ready=False)
    assert b.proc.wait(timeout=10) == 1
    assert junk in b.log() and "not a skiff store" in b.log(), b.log()
    with open(junk, "rb") as f:
        assert f.read(24) == b"this is not an LMDB file"
