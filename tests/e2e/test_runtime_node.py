"""The runtime plugin's Node object, through kubectl: registration with the
kubelet's labels, capacity and allocatable from the machine, addresses,
conditions with the kubelet's reasons, nodeInfo with runc's version; that
the status is written only when something changes; and that users' spec
edits (cordon, taints) are left alone."""
import json
import os
import platform
import re
import time
import uuid

import pytest

from conftest import wait_for

ARCH = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())


def node_json(a, name=None):
    r = a.kubectl("get", "node", name or a.node, "-o", "json")
    return json.loads(r.stdout) if r.returncode == 0 else None


@pytest.fixture
def agent(agent_factory):
    a = agent_factory(name="node-" + uuid.uuid4().hex[:8])
    a.node = a.args[a.args.index("--node-name") + 1]
    a.start()
    wait_for(lambda: node_json(a) and node_json(a).get("status", {}).get("nodeInfo"), 20,
             "the Node object")
    return a


def test_node_registered(agent):
    n = node_json(agent)
    labels = n["metadata"]["labels"]
    assert labels["kubernetes.io/hostname"] == agent.node
    assert labels["kubernetes.io/os"] == "linux"
    assert labels["kubernetes.io/arch"] == ARCH
    st = n["status"]
    cap, alloc = st["capacity"], st["allocatable"]
    assert cap["cpu"] == str(os.cpu_count())
    assert cap["pods"] == "110" and alloc["pods"] == "110"
    with open("/proc/meminfo") as f:
        total = int(re.search(r"MemTotal:\s+(\d+) kB", f.read()).group(1))
    assert cap["memory"] == "%dKi" % total
    assert alloc["memory"] == "%dKi" % (total - 100 * 1024)
    assert re.match(r"^\d+Ki$", cap["ephemeral-storage"])
    assert int(alloc["ephemeral-storage"]) < int(cap["ephemeral-storage"][:-2]) * 1024
    conds = {c["type"]: c for c in st["conditions"]}
    assert [c["type"] for c in st["conditions"]] == [
        "MemoryPressure", "DiskPressure", "PIDPressure", "Ready"]
    assert conds["Ready"]["status"] == "True"
    assert conds["Ready"]["reason"] == "KubeletReady"
    assert conds["Ready"]["message"] == "kubelet is posting ready status"
    assert conds["MemoryPressure"]["reason"] == "KubeletHasSufficientMemory"
    assert conds["DiskPressure"]["reason"] == "KubeletHasNoDiskPressure"
    assert conds["PIDPressure"]["reason"] == "KubeletHasSufficientPID"
    for c in st["conditions"]:
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", c["lastHeartbeatTime"])
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", c["lastTransitionTime"])
    addrs = {a["type"]: a["address"] for a in st["addresses"]}
    assert addrs["Hostname"] == agent.node
    assert re.match(r"^\d+\.\d+\.\d+\.\d+$", addrs["InternalIP"])
    info = st["nodeInfo"]
    assert re.match(r"^runc://\d+\.\d+\.\d+", info["containerRuntimeVersion"])
    assert info["kubeletVersion"].startswith("v1.32.")
    assert info["operatingSystem"] == "linux" and info["architecture"] == ARCH
    assert info["kernelVersion"] == platform.release()
    with open("/etc/os-release") as f:
        pretty = re.search(r'^PRETTY_NAME="?([^"\n]*)"?$', f.read(), re.M).group(1)
    assert info["osImage"] == pretty
    with open("/proc/sys/kernel/random/boot_id") as f:
        assert info["bootID"] == f.read().strip()
    assert st["daemonEndpoints"]["kubeletEndpoint"]["Port"] == 10250


def test_kubectl_views(agent):
    r = agent.kubectl("get", "nodes")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    row = lines[1].split()
    assert row[0] == agent.node and row[1] == "Ready" and row[4].startswith("v1.32.")
    r = agent.kubectl("get", "nodes", "-o", "wide")
    assert r.returncode == 0, r.stderr
    head = r.stdout.splitlines()[0]
    assert "INTERNAL-IP" in head and "CONTAINER-RUNTIME" in head
    assert "runc://" in r.stdout
    r = agent.kubectl("describe", "node", agent.node)
    assert r.returncode == 0, r.stderr
    assert "KubeletReady" in r.stdout and "kubelet is posting ready status" in r.stdout
    assert re.search(r"Container Runtime Version:\s+runc://", r.stdout)


def test_status_written_only_on_change(agent):
    n1 = node_json(agent)
    rv = n1["metadata"]["resourceVersion"]
    # the agent re-checks every 10 s; a stable machine gives no write
    time.sleep(12)
    n2 = node_json(agent)
    assert n2["metadata"]["resourceVersion"] == rv
    hb = [c["lastHeartbeatTime"] for c in n2["status"]["conditions"]]
    assert hb == [c["lastHeartbeatTime"] for c in n1["status"]["conditions"]]


def test_spec_left_to_users(agent):
    r = agent.kubectl("cordon", agent.node)
    assert r.returncode == 0, r.stderr
    r = agent.kubectl("taint", "node", agent.node, "dedicated=edge:NoSchedule")
    assert r.returncode == 0, r.stderr
    # a status change (labels the kubelet owns, removed by a user, come back)
    r = agent.kubectl("label", "node", agent.node, "kubernetes.io/os-")
    assert r.returncode == 0, r.stderr
    wait_for(lambda: node_json(agent)["metadata"]["labels"].get("kubernetes.io/os") == "linux",
             25, "the os label back")
    spec = node_json(agent)["spec"]
    assert spec.get("unschedulable") is True
    assert spec["taints"][0]["key"] == "dedicated"


def test_restart_keeps_node(agent_factory):
    a = agent_factory(name="node-" + uuid.uuid4().hex[:8])
    a.node = a.args[a.args.index("--node-name") + 1]
    a.start()
    wait_for(lambda: node_json(a) and node_json(a)["status"].get("nodeInfo"),
             20, "the Node object")
    first = node_json(a)
    a.stop()
    a.start()
    time.sleep(3)
    again = node_json(a)
    assert again["metadata"]["uid"] == first["metadata"]["uid"]
    # nothing changed on the machine: the restart wrote nothing
    assert again["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]
    assert a.log().count("registering node=" + a.node) == 1
