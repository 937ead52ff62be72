"""Server-side apply and managedFields against a fresh agent: stock kubectl 1.32
(--server-side, conflicts, --force-conflicts, pruning, the upgrade from
client-side apply) and raw HTTP through python3-kubernetes (Status of a
conflict, Update entries, the manager taken from the User-Agent)."""
import json
import re
import subprocess
import textwrap

import pytest

TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: ssa-pod
  labels: {app: web}
spec:
  containers:
  - name: web
    image: busybox:1.36
    ports:
    - containerPort: 80
"""

DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ssa-dep
spec:
  replicas: %d
  selector:
    matchLabels: {app: ssa}
  template:
    metadata:
      labels: {app: ssa}
    spec:
      containers:
      - name: web
        image: busybox:1.36
"""


@pytest.fixture
def agent(agent_factory):
    a = agent_factory().start()
    yield a
    assert a.stop()[0] == 0, a.log()


def kc(agent, *args, input=None, ok=True):
    r = agent.kubectl(*args, input=input)
    if ok:
        assert r.returncode == 0, "kubectl %s: %s%s" % (" ".join(args), r.stdout, r.stderr)
    return r


def managed(agent, *what):
    r = kc(agent, "get", *what, "-o", "json", "--show-managed-fields")
    return json.loads(r.stdout)["metadata"].get("managedFields", [])


def entry(entries, manager, operation=None):
    found = [e for e in entries
             if e["manager"] == manager and (operation is None or e["operation"] == operation)]
    assert len(found) == 1, "no single %s entry in %s" % (manager, json.dumps(entries))
    return found[0]


def test_server_side_apply_twice_and_managed_fields(agent):
    for _ in range(2):
        r = kc(agent, "apply", "--server-side", "-f", "-", input=POD)
        assert r.stdout.strip() == "pod/ssa-pod serverside-applied", r.stdout
    entries = managed(agent, "pod", "ssa-pod")
    e = entry(entries, "kubectl", "Apply")
    assert e["apiVersion"] == "v1" and e["fieldsType"] == "FieldsV1"
    assert TIME_RE.match(e["time"]), e["time"]
    assert "subresource" not in e
    want = {
        "f:metadata": {"f:labels": {"f:app": {}}},
        "f:spec": {"f:containers": {'k:{"name":"web"}': {
            ".": {}, "f:image": {}, "f:name": {},
            "f:ports": {'k:{"containerPort":80,"protocol":"TCP"}': {
                ".": {}, "f:containerPort": {}}}}}},
    }
    assert e["fieldsV1"] == want, json.dumps(e["fieldsV1"])
    # kubectl hides them unless asked
    plain = kc(agent, "get", "pod", "ssa-pod", "-o", "yaml").stdout
    assert "managedFields" not in plain
    assert "managedFields" in kc(agent, "get", "pod", "ssa-pod", "-o", "yaml",
                                 "--show-managed-fields").stdout


def test_conflict_force_and_prune(agent):
    r = kc(agent, "apply", "--server-side", "-f", "-", input=DEPLOY % 2)
    assert "deployment.apps/ssa-dep serverside-applied" in r.stdout
    r = kc(agent, "apply", "--server-side", "--field-manager=other", "-f", "-",
           input=DEPLOY % 3, ok=False)
    assert r.returncode == 1, r.stdout + r.stderr
    assert 'Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas' in r.stderr, \
        r.stderr
    assert kc(agent, "get", "deploy", "ssa-dep", "-o",
              "jsonpath={.spec.replicas}").stdout == "2"
    # the same value is no conflict: both own it
    kc(agent, "apply", "--server-side", "--field-manager=same", "-f", "-", input=DEPLOY % 2)
    kc(agent, "apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", "-",
       input=DEPLOY % 3)
    assert kc(agent, "get", "deploy", "ssa-dep", "-o",
              "jsonpath={.spec.replicas}").stdout == "3"
    entries = managed(agent, "deploy", "ssa-dep")
    assert "f:replicas" in entry(entries, "other")["fieldsV1"]["f:spec"]
    assert "f:replicas" not in entry(entries, "kubectl")["fieldsV1"]["f:spec"]
    assert "f:replicas" not in entry(entries, "same")["fieldsV1"]["f:spec"]


CM = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: ssa-cm
  labels: %s
data:
%s
"""


def test_prune_fields_removed_from_config(agent):
    kc(agent, "apply", "--server-side", "-f", "-",
       input=CM % ("{a: '1', b: '2'}", "  x: '1'\n  y: '2'"))
    kc(agent, "apply", "--server-side", "-f", "-", input=CM % ("{a: '1'}", "  x: '1'"))
    got = json.loads(kc(agent, "get", "cm", "ssa-cm", "-o", "json").stdout)
    assert got["data"] == {"x": "1"}
    assert got["metadata"]["labels"] == {"a": "1"}
    # a field another manager owns too is not pruned
    kc(agent, "apply", "--server-side", "--field-manager=keeper", "-f", "-",
       input=CM % ("{a: '1'}", "  z: '3'"))
    kc(agent, "apply", "--server-side", "-f", "-", input=CM % ("{a: '1'}", "  x: '1'"))
    got = json.loads(kc(agent, "get", "cm", "ssa-cm", "-o", "json").stdout)
    assert got["data"] == {"x": "1", "z": "3"}


def test_client_side_apply_then_server_side(agent):
    kc(agent, "apply", "-f", "-", input=DEPLOY % 2)
    entries = managed(agent, "deploy", "ssa-dep")
    csa = entry(entries, "kubectl-client-side-apply", "Update")
    assert "f:kubectl.kubernetes.io/last-applied-configuration" in \
        csa["fieldsV1"]["f:metadata"]["f:annotations"]
    r = kc(agent, "apply", "--server-side", "-f", "-", input=DEPLOY % 4)
    assert "serverside-applied" in r.stdout
    assert kc(agent, "get", "deploy", "ssa-dep", "-o",
              "jsonpath={.spec.replicas}").stdout == "4"
    entries = managed(agent, "deploy", "ssa-dep")
    assert not [e for e in entries if e["manager"] == "kubectl-client-side-apply"], entries
    assert "f:replicas" in entry(entries, "kubectl", "Apply")["fieldsV1"]["f:spec"]


def test_update_entries_scale_and_edit(agent):
    kc(agent, "create", "-f", "-", input=DEPLOY % 1)
    e = entry(managed(agent, "deploy", "ssa-dep"), "kubectl-create", "Update")
    assert e["apiVersion"] == "apps/v1" and TIME_RE.match(e["time"])
    # defaults are the creator's, as kube-apiserver defaults on decoding
    assert "f:revisionHistoryLimit" in e["fieldsV1"]["f:spec"]
    assert "f:status" not in e["fieldsV1"]
    kc(agent, "scale", "deploy", "ssa-dep", "--replicas=3")
    entries = managed(agent, "deploy", "ssa-dep")
    sc = [x for x in entries if x.get("subresource") == "scale"]
    assert len(sc) == 1 and sc[0]["fieldsV1"] == {"f:spec": {"f:replicas": {}}}, entries
    assert "f:replicas" not in entry(entries, "kubectl-create")["fieldsV1"]["f:spec"]
    kc(agent, "label", "deploy", "ssa-dep", "tier=front")
    e = entry(managed(agent, "deploy", "ssa-dep"), "kubectl-label", "Update")
    assert e["fieldsV1"] == {"f:metadata": {"f:labels": {".": {}, "f:tier": {}}}}, e


RAW = textwrap.dedent("""
    import json, sys
    from kubernetes import client, config
    config.load_kube_config(config_file=sys.argv[1])
    api = client.ApiClient()
    def call(method, path, body, ctype="application/json", ua=None, query=None):
        hdr = {"Content-Type": ctype, "Accept": "application/json"}
        if ua:
            api.user_agent = ua
        try:
            r = api.call_api(path, method, query_params=query or [], header_params=hdr,
                             body=body, _preload_content=False, auth_settings=["BearerToken"])
            return r[0].status, json.loads(r[0].data)
        except client.exceptions.ApiException as e:
            return e.status, json.loads(e.body)
    base = "/api/v1/namespaces/default/configmaps"
    # no fieldManager: the User-Agent up to its first '/'
    st, o = call("POST", base, {"metadata": {"name": "raw"}, "data": {"a": "1"}},
                 ua="my-tool/1.2 (linux)")
    assert st == 201, (st, o)
    mf = o["metadata"]["managedFields"]
    assert [(e["manager"], e["operation"]) for e in mf] == [("my-tool", "Update")], mf
    assert mf[0]["fieldsV1"] == {"f:data": {".": {}, "f:a": {}}}, mf
    # apply by one manager, conflicting apply by another: 409 with causes
    cfg = "apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: raw}\\ndata: {a: '2'}\\n"
    st, o = call("PATCH", base + "/raw", cfg, "application/apply-patch+yaml",
                 query=[("fieldManager", "appl")])
    assert st == 409, (st, o)
    assert o["reason"] == "Conflict", o
    assert o["message"] == ('Apply failed with 1 conflict: conflict with "my-tool" using v1: '
                            '.data.a'), o["message"]
    assert o["details"]["causes"] == [{"reason": "FieldManagerConflict",
                                       "message": 'conflict with "my-tool" using v1',
                                       "field": ".data.a"}], o["details"]
    st, o = call("PATCH", base + "/raw", cfg, "application/apply-patch+yaml",
                 query=[("fieldManager", "appl"), ("force", "true")])
    assert st == 200 and o["data"] == {"a": "2"}, (st, o)
    mf = o["metadata"]["managedFields"]
    assert [e["manager"] for e in mf] == ["appl", "my-tool"], mf
    # the updater keeps .data itself (it added the map), no longer .data.a
    assert mf[0]["fieldsV1"] == {"f:data": {"f:a": {}}}, mf
    assert mf[1]["fieldsV1"] == {"f:data": {}}, mf
    # invalid managedFields in an update are ignored: the stored ones stay
    o["metadata"]["managedFields"] = [{"manager": "x", "operation": "Bogus"}]
    o["data"]["b"] = "2"
    st, o2 = call("PUT", base + "/raw", o, query=[("fieldManager", "putter")])
    assert st == 200, (st, o2)
    mgrs = sorted((e["manager"], e["operation"]) for e in o2["metadata"]["managedFields"])
    assert mgrs == [("appl", "Apply"), ("my-tool", "Update"), ("putter", "Update")], mgrs
    # status writes record the subresource
    st, p = call("POST", "/api/v1/namespaces/default/pods",
                 {"metadata": {"name": "st"},
                  # unscheduled, so that no runtime writes its status meanwhile
                  "spec": {"schedulerName": "nobody",
                           "containers": [{"name": "c", "image": "busybox"}]}},
                 query=[("fieldManager", "maker")])
    assert st == 201, (st, p)
    p["status"]["message"] = "hello"
    st, p2 = call("PUT", "/api/v1/namespaces/default/pods/st/status", p,
                  query=[("fieldManager", "stat")])
    assert st == 200, (st, p2)
    se = [e for e in p2["metadata"]["managedFields"] if e["manager"] == "stat"]
    assert len(se) == 1 and se[0]["subresource"] == "status", p2["metadata"]["managedFields"]
    assert se[0]["fieldsV1"] == {"f:status": {"f:message": {}}}, se[0]
    # apply to the status: conflicts name the subresource; force takes over
    scfg = ("apiVersion: v1\\nkind: Pod\\nmetadata: {name: st}\\n"
            "status: {message: applied}\\n")
    sp = "/api/v1/namespaces/default/pods/st/status"
    st, o = call("PATCH", sp, scfg, "application/apply-patch+yaml",
                 query=[("fieldManager", "sapp")])
    assert st == 409, (st, o)
    assert o["message"] == ('Apply failed with 1 conflict: conflict with "stat" with '
                            'subresource "status" using v1: .status.message'), o["message"]
    st, o = call("PATCH", sp, scfg, "application/apply-patch+yaml",
                 query=[("fieldManager", "sapp"), ("force", "true")])
    assert st == 200 and o["status"]["message"] == "applied", (st, o)
    se = [e for e in o["metadata"]["managedFields"] if e["manager"] == "sapp"]
    assert len(se) == 1 and se[0]["operation"] == "Apply", o["metadata"]["managedFields"]
    assert se[0]["subresource"] == "status", se
    assert se[0]["fieldsV1"] == {"f:status": {"f:message": {}}}, se
    assert not [e for e in o["metadata"]["managedFields"] if e["manager"] == "stat"]
    # an applied list item without its key is refused as kube-apiserver does
    bad = "apiVersion: v1\\nkind: Pod\\nmetadata: {name: st}\\nspec: {containers: [{image: x}]}\\n"
    st, o = call("PATCH", "/api/v1/namespaces/default/pods/st", bad,
                 "application/apply-patch+yaml", query=[("fieldManager", "x")])
    assert st == 500, (st, o)
    assert o["message"].startswith("failed to create typed patch object (default/st; /v1, "
                                   "Kind=Pod): .spec.containers: element 0: associative list "
                                   "with keys has an element that omits key field \\"name\\""), o
    print("OK")
""")


def test_raw_http_conflicts_and_update_entries(agent):
    r = subprocess.run(["/usr/bin/python3", "-c", RAW, agent.kubeconfig()],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "OK" in r.stdout, r.stdout + r.stderr
