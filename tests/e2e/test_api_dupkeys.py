"""Request bodies with a repeated JSON key, per fieldValidation: Ignore takes
the last value silently, Warn (the default) takes it with a Warning header
naming the key's path, Strict refuses with kube-apiserver's strict decoding
error. Raw HTTPS, so the exact status, headers and body are checked."""
import base64
import http.client
import json
import ssl
import tempfile

import pytest
import yaml


@pytest.fixture
def agent(agent_factory):
    a = agent_factory().start()
    yield a
    assert a.stop()[0] == 0, a.log()


class Api:
    def __init__(self, agent):
        with open(agent.kubeconfig()) as f:
            kc = yaml.safe_load(f)
        self.token = kc["users"][0]["user"]["token"]
        ca = base64.b64decode(kc["clusters"][0]["cluster"]["certificate-authority-data"])
        self.cafile = tempfile.NamedTemporaryFile(suffix=".crt", dir=agent.dir, delete=False)
        self.cafile.write(ca)
        self.cafile.close()
        self.ctx = ssl.create_default_context(cafile=self.cafile.name)
        self.port = agent.port

    def call(self, method, path, body, ctype="application/json"):
        conn = http.client.HTTPSConnection("127.0.0.1", self.port, context=self.ctx, timeout=30)
        try:
            conn.request(method, path, body=body.encode(),
                         headers={"Authorization": "Bearer " + self.token,
                                  "Content-Type": ctype})
            r = conn.getresponse()
            data = r.read()
            return r.status, r.headers.get_all("Warning") or [], json.loads(data)
        finally:
            conn.close()


CM = ('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"%s","name":"%s",'
      '"labels":{"a":"1","a":"2"}},"data":{"k":"x"}}')
PATH = "/api/v1/namespaces/default/configmaps"


def test_create_ignore_keeps_last_value_silently(agent):
    api = Api(agent)
    st, warn, obj = api.call("POST", PATH + "?fieldValidation=Ignore", CM % ("first", "ign"))
    assert st == 201, obj
    assert warn == []
    assert obj["metadata"]["name"] == "ign"
    assert obj["metadata"]["labels"] == {"a": "2"}


def test_create_warn_names_each_repeat(agent):
    api = Api(agent)
    for query in ("", "?fieldValidation=Warn"):
        name = "warn" + str(len(query))
        st, warn, obj = api.call("POST", PATH + query, CM % ("first", name))
        assert st == 201, obj
        assert obj["metadata"]["name"] == name
        # in the order the repeats appear in the text
        assert warn == ['299 - "duplicate field \\"metadata.name\\""',
                        '299 - "duplicate field \\"metadata.labels.a\\""'], warn


def test_create_strict_refuses_with_every_strict_error(agent):
    api = Api(agent)
    st, warn, obj = api.call("POST", PATH + "?fieldValidation=Strict", CM % ("first", "strict"))
    assert st == 400, obj
    assert obj["kind"] == "Status" and obj["reason"] == "BadRequest"
    assert obj["message"] == (
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: '
        'duplicate field "metadata.name", duplicate field "metadata.labels.a"')
    # repeated and unknown fields are reported together
    body = ('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"s2"},'
            '"data":{"k":"x","k":"y"},"bogus":1}')
    st, warn, obj = api.call("POST", PATH + "?fieldValidation=Strict", body)
    assert st == 400, obj
    assert obj["message"].endswith(
        'strict decoding error: duplicate field "data.k", unknown field "bogus"'), obj["message"]
    # in the order the decoder meets them (upstream's integration test shape);
    # a repeated unknown field is named once, as unknown
    body = ('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"s3","unknownMeta":1,'
            '"name":"s3"},"data":{"k":"x"},"zz":1,"zz":2,"binaryData":{},"data":{}}')
    st, warn, obj = api.call("POST", PATH + "?fieldValidation=Strict", body)
    assert st == 400, obj
    assert obj["message"].endswith(
        'strict decoding error: unknown field "metadata.unknownMeta", '
        'duplicate field "metadata.name", unknown field "zz", duplicate field "data"'), \
        obj["message"]
    # nothing was created
    st, _, obj = api.call("GET", PATH + "/strict", "")
    assert st == 404, obj


def test_update_and_merge_patch(agent):
    api = Api(agent)
    st, _, obj = api.call("POST", PATH, '{"metadata":{"name":"up"},"data":{"k":"x"}}')
    assert st == 201, obj
    put = ('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"up"},'
           '"data":{"k":"1","k":"2"}}')
    st, warn, obj = api.call("PUT", PATH + "/up", put)
    assert st == 200, obj
    assert obj["data"] == {"k": "2"}
    assert warn == ['299 - "duplicate field \\"data.k\\""'], warn
    st, warn, obj = api.call("PUT", PATH + "/up?fieldValidation=Strict", put)
    assert st == 400 and 'duplicate field \\"data.k\\"' in json.dumps(obj["message"]), obj

    patch = '{"data":{"k":"3","k":"4"}}'
    st, warn, obj = api.call("PATCH", PATH + "/up", patch, "application/merge-patch+json")
    assert st == 200, obj
    assert obj["data"] == {"k": "4"}
    assert warn == ['299 - "duplicate field \\"data.k\\""'], warn
    st, warn, obj = api.call("PATCH", PATH + "/up?fieldValidation=Ignore", patch,
                             "application/strategic-merge-patch+json")
    assert st == 200 and warn == [], (obj, warn)
    st, warn, obj = api.call("PATCH", PATH + "/up?fieldValidation=Strict", patch,
                             "application/merge-patch+json")
    assert st == 400, obj
    assert 'strict decoding error: duplicate field "data.k"' in obj["message"], obj
    # JSON patches are not read strictly (as upstream): the last op wins
    st, warn, obj = api.call("PATCH", PATH + "/up?fieldValidation=Strict",
                             '[{"op":"add","path":"/data/k","value":"5","value":"6"}]',
                             "application/json-patch+json")
    assert st == 200 and warn == [], (obj, warn)
    assert obj["data"] == {"k": "6"}
