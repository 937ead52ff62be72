"""kubectl-compatibility gaps of the skiff CLI, each compared with kubectl
1.32: -o go-template (offline through create --dry-run=client, and with
get against an agent), jsonpath bracket keys, $KUBECONFIG lists merged,
and run's attach checks."""
import os
import re
import subprocess

import pytest

from conftest import SKIFF

DEPLOY = ["create", "deployment", "d", "--image=busybox", "--replicas=3", "--dry-run=client"]
CM = ["create", "configmap", "c", "--from-literal=a=b", "--from-literal=x.y=aGVsbG8=",
      "--dry-run=client"]

TEMPLATES = [
    '{{.metadata.name}}',
    '{{range .spec.template.spec.containers}}{{.name}}={{.image}}{{"\\n"}}{{end}}',
    '{{if eq .kind "X"}}1{{else if eq .kind "Deployment"}}2{{else}}3{{end}}',
    '{{index .metadata.labels "app"}} {{len .spec.template.spec.containers}}',
    '{{printf "%s\\n" .metadata.name}}{{.spec.replicas | printf "%05d"}}',
    '{{$x := .metadata.name}}{{$x}} a  {{- .kind -}}  b {{/* c */}}',
    '{{eq .kind "Deployment"}} {{ne .kind "x"}} {{lt 1 2}} {{and 1 0 2}} {{or 0 "" "x"}} '
    '{{not .nope}}',
    '{{base64decode "aGVsbG8="}} {{index .data "x.y" | base64decode}}',
    '{{.nope}} {{.metadata.creationTimestamp}} {{printf "%s %d" .nope}} {{.spec}} {{.data}}',
    '{{printf "%s|%T|%v|%q|%-5d|%x" .spec.replicas .spec.replicas 1e6 "a\\tb" 7 255}}',
    '{{range $k, $v := .data}}{{$k}}={{$v}};{{else}}none{{end}}',
    '{{define "x"}}[{{.}}]{{end}}{{template "x" .kind}}{{with .nope}}a{{else with .kind}}{{.}}'
    '{{end}}',
    '{{range .spec.template.spec.containers}}{{break}}{{end}}{{exists . "spec" "replicas"}}',
    # errors: parse (exit 1, nothing printed) and execution (debugging text, exit 1)
    '{{.x',
    '{{foo}}',
    '{{range .items}}',
    '{{.metadata.name.foo}}',
    '{{eq .spec.replicas 3.0}}',
    '{{index .spec.template.spec.containers 5}}',
    '{{base64decode "aGVsbG8"}}',
    '{{template "nope"}}',
]


def both(args, env=None):
    env = dict(os.environ, KUBECONFIG="/dev/null", **(env or {}))
    k = subprocess.run(["/usr/bin/kubectl"] + args, capture_output=True, text=True, env=env,
                       timeout=60)
    s = subprocess.run([SKIFF] + args, capture_output=True, text=True, env=env, timeout=60)
    return k, s


def mask_raw(out):
    # kubectl's "raw data" is its typed object's JSON: field order differs
    return re.sub(r"\traw data was:\n\t\t.*\n", "\traw data was: X\n", out)


@pytest.mark.parametrize("tmpl", TEMPLATES)
def test_go_template_matches_kubectl(tmpl):
    for base in (DEPLOY, CM):
        k, s = both(base + ["-o", "go-template=" + tmpl])
        assert (s.returncode, mask_raw(s.stdout), s.stderr) == \
            (k.returncode, mask_raw(k.stdout), k.stderr), (tmpl, base[1])


def test_go_template_file_and_missing_keys(tmp_path):
    f = tmp_path / "t.tmpl"
    f.write_text('{{.metadata.name}}\n{{range .spec.template.spec.containers}}{{.image}}{{end}}')
    for fmt in ("go-template-file=" + str(f), "templatefile=" + str(f),
                "go-template-file=" + str(tmp_path / "nope"), "go-template", "go-template=",
                "template={{.kind}}"):
        k, s = both(DEPLOY + ["-o", fmt])
        assert (s.returncode, s.stdout, s.stderr) == (k.returncode, k.stdout, k.stderr), fmt


@pytest.mark.parametrize("path", [
    "{.data['x\\.y']}", "{.data['x.y']}", "{['spec.replicas']}",
    "{.spec['selector.matchLabels'].app}", "{.spec['replicas','strategy']}",
    "{.data['a','x.y']}", "{range .spec.template.spec.containers[*]}{.name}{'\\n'}{end}",
    "{.spec.template.spec.containers[?(@.name==\"busybox\")].image}", "{..app}",
    "{.spec.template.spec.containers[0:1].name}", '{.spec["replicas"]}',
])
def test_jsonpath_matches_kubectl(path):
    for base in (DEPLOY, CM):
        k, s = both(base + ["-o", "jsonpath=" + path])
        assert (s.returncode, s.stdout, s.stderr) == (k.returncode, k.stdout, k.stderr), path


KC_A = """\
apiVersion: v1
kind: Config
clusters:
- cluster: {server: "https://a.example:6443", certificate-authority: ca-a.crt}
  name: ca
- cluster: {server: "https://shared-a:6443"}
  name: shared
contexts:
- context: {cluster: ca, user: ua, namespace: nsa}
  name: ctx-a
users:
- name: ua
  user: {token: tok-a}
"""
KC_B = """\
apiVersion: v1
kind: Config
current-context: ctx-b
clusters:
- cluster: {server: "https://b.example:6443", certificate-authority: ca-b.crt}
  name: cb
- cluster: {server: "https://shared-b:6443"}
  name: shared
contexts:
- context: {cluster: cb, user: ub}
  name: ctx-b
- context: {cluster: shared, user: ua}
  name: ctx-a
users:
- name: ub
  user: {client-certificate: b.crt, client-key: b.key}
- name: ua
  user: {token: tok-b}
"""


def test_kubeconfig_list_is_merged_like_kubectl(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.yaml").write_text(KC_A)
    (tmp_path / "sub" / "b.yaml").write_text(KC_B)
    (tmp_path / "c.yaml").write_text("current-context: ctx-c\n")
    a, b, c = (str(tmp_path / "a.yaml"), str(tmp_path / "sub" / "b.yaml"),
               str(tmp_path / "c.yaml"))
    # one file whose entries are out of name order: kubectl sorts them
    z = str(tmp_path / "z.yaml")
    (tmp_path / "z.yaml").write_text(KC_B.replace("name: cb", "name: zz"))
    for lst in (a + ":" + b, b + ":" + a, str(tmp_path / "none") + ":" + a + ":" + b,
                c + ":" + a + ":" + b, z):
        for cmd in (["config", "view"], ["config", "view", "--minify"], ["config", "view", "--raw"],
                    ["config", "current-context"], ["config", "get-contexts"]):
            env = dict(os.environ, KUBECONFIG=lst)
            k = subprocess.run(["/usr/bin/kubectl"] + cmd, capture_output=True, text=True, env=env)
            s = subprocess.run([SKIFF] + cmd, capture_output=True, text=True, env=env)
            assert (s.returncode, s.stdout, s.stderr) == (k.returncode, k.stdout, k.stderr), \
                (lst, cmd)


def test_kubeconfig_merge_connects(agent_factory, tmp_path):
    """The context lives in the second file of $KUBECONFIG; the first only
    names it as current-context."""
    ag = agent_factory().start()
    first = tmp_path / "first.yaml"
    first.write_text("apiVersion: v1\nkind: Config\ncurrent-context: skiff\n")
    env = dict(os.environ, KUBECONFIG="%s:%s" % (first, ag.kubeconfig()), HOME=str(tmp_path))
    r = subprocess.run([SKIFF, "get", "namespace", "default", "-o",
                        "go-template={{.metadata.name}} {{.status.phase}}"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert (r.returncode, r.stdout, r.stderr) == (0, "default Active", "")
    k = subprocess.run(["/usr/bin/kubectl", "get", "namespaces", "-o",
                        "go-template={{range .items}}{{.metadata.name}} {{end}}"],
                       capture_output=True, text=True, env=env, timeout=60)
    s = subprocess.run([SKIFF, "get", "namespaces", "-o",
                        "go-template={{range .items}}{{.metadata.name}} {{end}}"],
                       capture_output=True, text=True, env=env, timeout=60)
    assert k.returncode == 0, k.stderr
    assert (s.returncode, s.stdout) == (0, k.stdout), s.stderr
    # --template with -o go-template / template, and alone
    for extra in (["-o", "go-template", "--template={{.metadata.name}}"],
                  ["-o", "template", "--template={{.kind}}"],
                  ["--template={{.metadata.name}}"],
                  ["-o", "jsonpath", "--template={.metadata.name}"]):
        args = ["get", "namespace", "default"] + extra
        k = subprocess.run(["/usr/bin/kubectl"] + args, capture_output=True, text=True, env=env)
        s = subprocess.run([SKIFF] + args, capture_output=True, text=True, env=env)
        assert k.returncode == 0, k.stderr
        assert (s.returncode, s.stdout, s.stderr) == (0, k.stdout, ""), extra
    # get's --allow-missing-template-keys=false, debugging text and all
    args = ["get", "namespace", "default", "-o", "go-template={{.metadata.name}} {{.nope}}",
            "--allow-missing-template-keys=false"]
    k = subprocess.run(["/usr/bin/kubectl"] + args, capture_output=True, text=True, env=env)
    s = subprocess.run([SKIFF] + args, capture_output=True, text=True, env=env)
    assert k.returncode == 1 and 'map has no entry for key "nope"' in k.stderr
    assert (s.returncode, s.stdout, s.stderr) == (k.returncode, k.stdout, k.stderr)


def test_run_attach_checks():
    env = dict(os.environ, KUBECONFIG="/dev/null")
    for args in (["run", "x", "--image=busybox", "--rm"],
                 ["run", "x", "--image=busybox", "-t"],
                 ["run", "x", "--image=busybox", "-i", "--rm", "--dry-run=client"]):
        k = subprocess.run(["/usr/bin/kubectl"] + args, capture_output=True, text=True, env=env)
        s = subprocess.run([SKIFF] + args, capture_output=True, text=True, env=env)
        assert k.returncode == s.returncode == 1, args
        assert s.stderr.splitlines()[0] == k.stderr.splitlines()[0], args
    # attaching itself is not served yet: said plainly, before any pod is made
    s = subprocess.run([SKIFF, "run", "x", "--image=busybox", "-i", "-t", "--rm",
                        "--restart=Never", "--", "sh"], capture_output=True, text=True, env=env)
    assert s.returncode == 1
    assert s.stderr.startswith("error: skiff run cannot attach to the container")
