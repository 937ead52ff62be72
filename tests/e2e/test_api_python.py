"""The official python client (python3-kubernetes) against a fresh agent."""
import subprocess
import sys
import textwrap

import pytest


@pytest.fixture
def agent(agent_factory):
    a = agent_factory().start()
    yield a
    assert a.stop()[0] == 0, a.log()


SCRIPT = textwrap.dedent("""
    import sys, threading
    from kubernetes import client, config, watch
    config.load_kube_config(config_file=sys.argv[1])
    v1 = client.CoreV1Api()
    ns = "default"
    body = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py", labels={"a": "b"}),
                              data={"k": "v"})
    created = v1.create_namespaced_config_map(ns, body)
    assert created.metadata.uid
    got = v1.read_namespaced_config_map("py", ns)
    assert got.data == {"k": "v"}
    names = [c.metadata.name for c in v1.list_namespaced_config_map(ns, label_selector="a=b").items]
    assert names == ["py"], names
    v1.patch_namespaced_config_map("py", ns, {"data": {"k": "w"}})
    assert v1.read_namespaced_config_map("py", ns).data == {"k": "w"}
    seen = []
    w = watch.Watch()
    def change():
        import time; time.sleep(0.5)
        v1.create_namespaced_config_map(ns, client.V1ConfigMap(
            metadata=client.V1ObjectMeta(name="py2")))
    threading.Thread(target=change).start()
    for ev in w.stream(v1.list_namespaced_config_map, ns, timeout_seconds=10):
        seen.append((ev["type"], ev["object"].metadata.name))
        if ("ADDED", "py2") in seen:
            w.stop()
    assert ("ADDED", "py2") in seen, seen
    v1.delete_namespaced_config_map("py", ns)
    try:
        v1.read_namespaced_config_map("py", ns)
        raise SystemExit("still there")
    except client.exceptions.ApiException as e:
        assert e.status == 404, e.status
    print("OK")
""")


def test_python_client_crud_and_watch(agent):
    r = subprocess.run(["/usr/bin/python3", "-c", SCRIPT, agent.kubeconfig()],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "OK" in r.stdout, r.stdout + r.stderr
