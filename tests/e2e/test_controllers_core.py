"""The controllers plugin's scheduler, garbage collector and namespace
controller against one agent, driven with stock kubectl (issue 8)."""
import json
import time

import pytest

from conftest import wait_for


def ok(r):
    assert r.returncode == 0, "rc=%d\nstdout:\n%s\nstderr:\n%s" % (r.returncode, r.stdout,
                                                                  r.stderr)
    return r.stdout


@pytest.fixture
def agent(agent_factory):
    a = agent_factory()
    a.start()
    return a


NODE = """apiVersion: v1
kind: Node
metadata:
  name: %(name)s
  labels: {kubernetes.io/hostname: %(name)s, disk: %(disk)s}
status:
  allocatable: {cpu: "2", memory: 2Gi, pods: "110"}
  capacity: {cpu: "2", memory: 2Gi, pods: "110"}
  conditions:
  - {type: Ready, status: "True", reason: KubeletReady, message: ready}
"""


def make_node(agent, name, disk="ssd"):
    ok(agent.kubectl("create", "-f", "-", input=NODE % {"name": name, "disk": disk}))


def get(agent, *args):
    return json.loads(ok(agent.kubectl("get", "-o", "json", *args)))


def node_count(agent):
    return len(get(agent, "nodes")["items"])


def test_pod_is_bound_with_a_scheduled_event(agent):
    make_node(agent, "edge-1")
    ok(agent.kubectl("run", "web", "--image=busybox",
                     "--overrides", json.dumps({"spec": {"nodeSelector": {"disk": "ssd"}}})))
    wait_for(lambda: get(agent, "pod", "web")["spec"].get("nodeName"), 10, "web bound")
    pod = get(agent, "pod", "web")
    assert pod["spec"]["nodeName"] == "edge-1"
    cond = [c for c in pod["status"]["conditions"] if c["type"] == "PodScheduled"]
    assert cond and cond[0]["status"] == "True"
    out = wait_for(lambda: "Scheduled" in (s := ok(agent.kubectl("describe", "pod", "web")))
                   and s, 10, "Scheduled event")
    assert "default-scheduler  Successfully assigned default/web to edge-1" in out
    ev = get(agent, "events", "--field-selector", "involvedObject.name=web")["items"]
    ev = [e for e in ev if e["reason"] == "Scheduled"]
    assert ev[0]["source"]["component"] == "default-scheduler"
    assert ev[0]["type"] == "Normal" and ev[0]["count"] == 1
    assert ev[0]["involvedObject"]["uid"] == pod["metadata"]["uid"]


def test_unschedulable_pod_says_why(agent):
    make_node(agent, "edge-1")
    ok(agent.kubectl("run", "nowhere", "--image=busybox",
                     "--overrides", json.dumps({"spec": {"nodeSelector": {"disk": "tape"}}})))
    n = node_count(agent)
    want = ("0/%d nodes are available: %d node(s) didn't match Pod's node affinity/selector. "
            "preemption: 0/%d nodes are available: %d Preemption is not helpful for "
            "scheduling." % (n, n, n, n))
    out = wait_for(lambda: "FailedScheduling" in (s := ok(agent.kubectl(
        "describe", "pod", "nowhere"))) and s, 10, "FailedScheduling event")
    assert "Warning  FailedScheduling" in out and want in out, out
    pod = get(agent, "pod", "nowhere")
    assert not pod["spec"].get("nodeName")
    cond = [c for c in pod["status"]["conditions"] if c["type"] == "PodScheduled"][0]
    assert (cond["status"], cond["reason"], cond["message"]) == ("False", "Unschedulable", want)
    # a node that matches arrives: the pod is retried and bound
    make_node(agent, "tape-1", disk="tape")
    wait_for(lambda: get(agent, "pod", "nowhere")["spec"].get("nodeName") == "tape-1", 10,
             "bound after the node came")


OWNER = """apiVersion: apps/v1
kind: ControllerRevision
metadata: {name: %(name)s}
revision: 1
data: {}
"""

# The dependents are bound to the agent's own node, whose runtime ends them:
# the collector deletes a bound pod gracefully, as Kubernetes' does, and the
# pod goes once its node has stopped it (here while its image cannot be
# pulled). A pod bound to a node that does not exist stays Terminating
# (test_collected_pod_of_an_absent_node_stays_terminating).
DEPENDENT = """apiVersion: v1
kind: Pod
metadata:
  name: %(name)s
  ownerReferences:
  - {apiVersion: apps/v1, kind: ControllerRevision, name: %(owner)s, uid: "%(uid)s",
     blockOwnerDeletion: true}
spec:
  nodeName: %(node)s
  containers: [{name: c, image: registry.invalid/busybox}]
"""


def owner_with_pods(agent, name, n=2, node=None):
    ok(agent.kubectl("create", "-f", "-", input=OWNER % {"name": name}))
    uid = get(agent, "controllerrevision", name)["metadata"]["uid"]
    for i in range(n):
        ok(agent.kubectl("create", "-f", "-", input=DEPENDENT % {
            "name": "%s-%d" % (name, i), "owner": name, "uid": uid,
            "node": node or agent.node_name}))
    return uid


def pod_names(agent, prefix):
    return sorted(p["metadata"]["name"] for p in get(agent, "pods")["items"]
                  if p["metadata"]["name"].startswith(prefix))


@pytest.mark.parametrize("cascade", ["background", "foreground"])
def test_delete_owner_deletes_dependents(agent, cascade):
    owner_with_pods(agent, "own")
    assert pod_names(agent, "own-") == ["own-0", "own-1"]
    ok(agent.kubectl("delete", "controllerrevision", "own", "--cascade=" + cascade,
                     timeout=30))
    wait_for(lambda: pod_names(agent, "own-") == [], 10, "dependents deleted")
    r = agent.kubectl("get", "controllerrevision", "own")
    assert r.returncode == 1 and "NotFound" in r.stderr


def test_delete_owner_orphan_keeps_dependents(agent):
    owner_with_pods(agent, "orph")
    ok(agent.kubectl("delete", "controllerrevision", "orph", "--cascade=orphan", timeout=30))
    wait_for(lambda: agent.kubectl("get", "controllerrevision", "orph").returncode == 1, 10,
             "owner gone")
    time.sleep(0.5)  # the collector had its chance to (wrongly) delete them
    assert pod_names(agent, "orph-") == ["orph-0", "orph-1"]
    for n in ("orph-0", "orph-1"):
        assert not get(agent, "pod", n)["metadata"].get("ownerReferences")


def test_recreated_owner_is_not_the_owner(agent):
    uid = owner_with_pods(agent, "same", n=1)
    # the owner goes and comes back under the same name before anything runs:
    # the pod names the old uid, so it is garbage
    ok(agent.kubectl("delete", "controllerrevision", "same", "--cascade=orphan", "--wait=false"))
    wait_for(lambda: agent.kubectl("get", "controllerrevision", "same").returncode == 1, 10,
             "owner gone")
    ok(agent.kubectl("create", "-f", "-", input=OWNER % {"name": "same"}))
    assert get(agent, "controllerrevision", "same")["metadata"]["uid"] != uid
    ok(agent.kubectl("create", "-f", "-", input=DEPENDENT % {
        "name": "same-x", "owner": "same", "uid": uid, "node": agent.node_name}))
    wait_for(lambda: pod_names(agent, "same-x") == [], 10, "dangling dependent deleted")


def test_collected_pod_of_an_absent_node_stays_terminating(agent):
    # Kubernetes: the collector's delete gives a bound pod its grace period;
    # only the kubelet of its node finishes the delete, so a pod bound to a
    # node that does not exist stays Terminating.
    owner_with_pods(agent, "lost", n=1, node="ghost-node")
    ok(agent.kubectl("delete", "controllerrevision", "lost", "--cascade=background"))
    meta = wait_for(lambda: (m := get(agent, "pod", "lost-0")["metadata"]).get(
        "deletionTimestamp") and m, 10, "lost-0 terminating")
    assert meta["deletionGracePeriodSeconds"] == 30
    time.sleep(1)
    assert get(agent, "pod", "lost-0")["metadata"]["deletionTimestamp"] == meta[
        "deletionTimestamp"]
    out = ok(agent.kubectl("get", "pod", "lost-0"))
    assert "Terminating" in out, out


def test_namespace_deletion_empties_it(agent):
    ok(agent.kubectl("create", "namespace", "shop"))
    ok(agent.kubectl("create", "configmap", "cfg", "-n", "shop", "--from-literal=a=b"))
    ok(agent.kubectl("create", "secret", "generic", "s", "-n", "shop", "--from-literal=a=b"))
    ok(agent.kubectl("run", "web", "-n", "shop", "--image=registry.invalid/busybox"))
    # a finalizer of someone else holds a configmap: the namespace waits
    ok(agent.kubectl("create", "-n", "shop", "-f", "-", input="""apiVersion: v1
kind: ConfigMap
metadata: {name: held, finalizers: [example.com/hold]}
"""))
    ok(agent.kubectl("delete", "namespace", "shop", "--wait=false"))
    ns = get(agent, "namespace", "shop")
    assert ns["status"]["phase"] == "Terminating"
    assert ns["metadata"].get("deletionTimestamp")
    # no new content while terminating, in kube-apiserver's words
    r = agent.kubectl("create", "configmap", "late", "-n", "shop")
    assert r.returncode == 1
    assert ('configmaps "late" is forbidden: unable to create new content in namespace shop '
            'because it is being terminated') in r.stderr

    def conds():
        c = get(agent, "namespace", "shop")["status"].get("conditions", [])
        return {x["type"]: x for x in c}
    # the pod ends gracefully on the node, and is counted while it does (as
    # in Kubernetes); the controller reports again until only the held
    # configmap is left
    c = wait_for(lambda: (c := conds()).get("NamespaceFinalizersRemaining", {}).get(
        "status") == "True" and c.get("NamespaceContentRemaining", {}).get(
        "message", "").startswith("Some resources are remaining: configmaps.") and c, 20,
        "finalizers-remaining condition with only the held configmap left")
    assert c["NamespaceFinalizersRemaining"]["message"] == (
        "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource "
        "instances")
    assert c["NamespaceContentRemaining"]["message"] == (
        "Some resources are remaining: configmaps. has 1 resource instances")
    assert c["NamespaceDeletionContentFailure"]["status"] == "False"
    assert ok(agent.kubectl("get", "pods,secrets", "-n", "shop", "-o", "name")).strip() == ""
    ok(agent.kubectl("patch", "configmap", "held", "-n", "shop", "--type=merge",
                     "-p", '{"metadata":{"finalizers":null}}'))
    wait_for(lambda: agent.kubectl("get", "namespace", "shop").returncode == 1, 15,
             "namespace gone")
    r = agent.kubectl("get", "namespace", "shop")
    assert 'namespaces "shop" not found' in r.stderr
    # the name can be used again at once
    ok(agent.kubectl("create", "namespace", "shop"))
    assert ok(agent.kubectl("get", "configmaps", "-n", "shop", "-o", "name")).find("cfg") < 0


@pytest.mark.parametrize("name", ["default", "kube-system", "kube-public", "kube-node-lease"])
def test_system_namespaces_cannot_be_deleted(agent, name):
    r = agent.kubectl("delete", "namespace", name)
    assert r.returncode == 1
    assert r.stderr.strip() == ('Error from server (Forbidden): namespaces "%s" is forbidden: '
                                'this namespace may not be deleted' % name)
    assert get(agent, "namespace", name)["status"]["phase"] == "Active"


def test_finalize_subresource(agent_factory, tmp_path):
    # without the namespace controller, a deleted namespace waits for its
    # "kubernetes" finalizer until a client finalizes it
    a = agent_factory(config="plugins:\n  controllers: {disabled: namespace}\n")
    a.start()
    ok(a.kubectl("create", "namespace", "fin"))
    ok(a.kubectl("delete", "namespace", "fin", "--wait=false"))
    ns = get(a, "namespace", "fin")
    assert ns["status"]["phase"] == "Terminating"
    assert ns["spec"]["finalizers"] == ["kubernetes"]
    ns["spec"]["finalizers"] = []
    ns["metadata"]["labels"]["ignored"] = "yes"
    body = tmp_path / "fin.json"
    body.write_text(json.dumps(ns))
    ok(a.kubectl("replace", "--raw", "/api/v1/namespaces/fin/finalize", "-f", str(body)))
    r = a.kubectl("get", "namespace", "fin")
    assert r.returncode == 1 and 'namespaces "fin" not found' in r.stderr
    # on a live namespace only spec.finalizers changes
    ok(a.kubectl("create", "namespace", "live"))
    ns = get(a, "namespace", "live")
    ns["spec"]["finalizers"] = ["kubernetes", "example.com/extra"]
    ns["metadata"]["labels"]["ignored"] = "yes"
    body.write_text(json.dumps(ns))
    ok(a.kubectl("replace", "--raw", "/api/v1/namespaces/live/finalize", "-f", str(body)))
    ns = get(a, "namespace", "live")
    assert ns["spec"]["finalizers"] == ["kubernetes", "example.com/extra"]
    assert "ignored" not in ns["metadata"]["labels"]
