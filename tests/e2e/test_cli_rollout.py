"""skiff rollout history and undo for DaemonSets and StatefulSets (their
ControllerRevisions), compared with kubectl against the same agent. The
sets select no node / have no replicas, so no container has to run."""
import json
import os
import subprocess

import pytest

from conftest import SKIFF, wait_for

DS = """\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ds1}
spec:
  selector: {matchLabels: {app: ds1}}
  template:
    metadata: {labels: {app: ds1}}
    spec:
      nodeSelector: {no-such-node: "true"}
      containers:
      - {name: c, image: "busybox:1.36", command: [sleep, "3600"]}
"""

STS = """\
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  replicas: 0
  serviceName: web
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: c, image: "busybox:1.36", command: [sleep, "3600"]}
"""


def skiff(agent, *args):
    env = dict(os.environ, KUBECONFIG=agent.kubeconfig(), HOME=agent.dir)
    return subprocess.run([SKIFF] + list(args), capture_output=True, text=True, timeout=60,
                          env=env)


def revisions(agent, owner):
    r = agent.kubectl("get", "controllerrevisions", "-o", "json")
    assert r.returncode == 0, r.stderr
    out = []
    for cr in json.loads(r.stdout)["items"]:
        refs = cr["metadata"].get("ownerReferences") or []
        if any(o.get("name") == owner for o in refs):
            out.append(cr["revision"])
    return sorted(out)


def image(agent, res):
    r = agent.kubectl("get", res, "-o", "jsonpath={.spec.template.spec.containers[0].image}")
    assert r.returncode == 0, r.stderr
    return r.stdout


def same(agent, *args):
    """Run args with kubectl and skiff; both must print and exit alike."""
    k = agent.kubectl(*args)
    s = skiff(agent, *args)
    assert (s.returncode, s.stdout, s.stderr) == (k.returncode, k.stdout, k.stderr), args
    return s


@pytest.mark.parametrize("manifest,res,owner", [(DS, "daemonset/ds1", "ds1"),
                                                (STS, "statefulset/web", "web")])
def test_history_and_undo_match_kubectl(agent_factory, manifest, res, owner):
    a = agent_factory().start()
    r = a.kubectl("apply", "-f", "-", input=manifest)
    assert r.returncode == 0, r.stderr
    wait_for(lambda: revisions(a, owner) == [1], 20, "revision 1 of " + res)
    r = a.kubectl("set", "image", res, "c=busybox:1.37")
    assert r.returncode == 0, r.stderr
    wait_for(lambda: revisions(a, owner) == [1, 2], 20, "revision 2 of " + res)

    same(a, "rollout", "history", res)
    same(a, "rollout", "history", res, "--revision=1")
    same(a, "rollout", "history", res, "--revision=7")
    same(a, "rollout", "undo", res, "--to-revision=7")

    # undo goes back to the revision before the newest
    s = skiff(a, "rollout", "undo", res)
    assert s.returncode == 0, s.stderr
    kind = res.split("/")[0]
    assert s.stdout == "%s.apps/%s rolled back\n" % (kind, owner)
    assert image(a, res) == "busybox:1.36"
    wait_for(lambda: revisions(a, owner) == [2, 3], 20, "revision 3 of " + res)
    same(a, "rollout", "history", res)

    # to a named revision; and the no-op kubectl reports as skipped
    s = skiff(a, "rollout", "undo", res, "--to-revision=2")
    assert (s.returncode, s.stdout) == (0, "%s.apps/%s rolled back\n" % (kind, owner)), s.stderr
    assert image(a, res) == "busybox:1.37"
    wait_for(lambda: revisions(a, owner) == [3, 4], 20, "revision 4 of " + res)
    # kubectl compares the revision's bytes with its own encoding of the
    # set; skiff compares the templates, which is what a real cluster's
    # byte-identical encodings amount to
    s = skiff(a, "rollout", "undo", res, "--to-revision=4")
    assert (s.returncode, s.stdout) == (0, "%s.apps/%s skipped rollback (current template already "
                                           "matches revision 4)\n" % (kind, owner)), s.stderr
    assert revisions(a, owner) == [3, 4]
