/* Tests for core/cli.c and core/cli_res.c: kubectl's flag rules (--x=v,
 * --x v, -x v, -xv, bool flags, repeatable and comma lists, "--", flags
 * among positional args), their errors and exit codes, generated help,
 * durations, and resource arguments resolved from the schema table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "val.h"

/* What the test verb saw. */
static struct {
    char args[8][64];
    int nargs, dash_at;
    char out[64], ns[64];
    bool watch, changed_out;
    int64_t replicas;
    char files[8][64];
    size_t nfiles;
    char lits[4][64];
    size_t nlits;
    double timeout;
} seen;

static int probe_run(struct sk_cli *c)
{
    memset(&seen, 0, sizeof(seen));
    seen.nargs = c->nargs;
    seen.dash_at = c->dash_at;
    for (int i = 0; i < c->nargs && i < 8; i++)
        snprintf(seen.args[i], 64, "%s", c->args[i]);
    const char *o = sk_cli_str(c, "output");
    snprintf(seen.out, 64, "%s", o ? o : "(null)");
    seen.changed_out = sk_cli_changed(c, "output");
    seen.watch = sk_cli_bool(c, "watch");
    seen.replicas = sk_cli_int(c, "replicas");
    const struct sk_strv *f = sk_cli_strs(c, "filename");
    seen.nfiles = f->n;
    for (size_t i = 0; i < f->n && i < 8; i++)
        snprintf(seen.files[i], 64, "%s", f->v[i]);
    const struct sk_strv *l = sk_cli_strs(c, "from-literal");
    seen.nlits = l->n;
    for (size_t i = 0; i < l->n && i < 4; i++)
        snprintf(seen.lits[i], 64, "%s", l->v[i]);
    const char *n = sk_cli_str(c, "namespace");
    snprintf(seen.ns, 64, "%s", n ? n : "(null)");
    seen.timeout = sk_cli_duration(c, "wait-for");
    return 0;
}

static const struct sk_cli_flag probe_flags[] = {
        {"output", 'o', SK_FLAG_STRING, "", "Output format."},
        {"watch", 'w', SK_FLAG_BOOL, "false", "Watch."},
        {"all", 'a', SK_FLAG_BOOL, "false", "All."},
        {"replicas", 0, SK_FLAG_INT, "3", "Replicas."},
        {"filename", 'f', SK_FLAG_STRINGS, "[]", "Files."},
        {"from-literal", 0, SK_FLAG_ARRAY, "[]", "Literals."},
        {"wait-for", 0, SK_FLAG_DURATION, "30s", "A duration."},
        {0},
};

static const struct sk_cli_verb probe = {
        .name = "probe",
        .short_help = "A verb for tests",
        .usage = "skiff probe [flags]",
        .examples = "  # probe\n  skiff probe x",
        .flags = probe_flags,
        .run = probe_run,
};

struct result {
    int rc;
    char *out, *err;
};

static struct result run(const char *first, ...)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)"probe";
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a; a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    struct result r = {0};
    size_t ol, el;
    FILE *o = open_memstream(&r.out, &ol), *e = open_memstream(&r.err, &el);
    r.rc = sk_cli_run_verb(&probe, "skiff probe", argc, argv, o, e);
    fclose(o);
    fclose(e);
    return r;
}

static void result_free(struct result *r)
{
    free(r->out);
    free(r->err);
}

static void test_forms(void **state)
{
    (void)state;
    struct result r = run("a", "-o", "yaml", "b", "--watch", "--replicas=5", NULL);
    assert_int_equal(r.rc, 0);
    assert_int_equal(seen.nargs, 2);
    assert_string_equal(seen.args[0], "a");
    assert_string_equal(seen.args[1], "b");
    assert_string_equal(seen.out, "yaml");
    assert_true(seen.changed_out);
    assert_true(seen.watch);
    assert_int_equal(seen.replicas, 5);
    result_free(&r);

    r = run("-ojson", "--output=wide", "-nkube-system", NULL); /* last one wins */
    assert_int_equal(r.rc, 0);
    assert_string_equal(seen.out, "wide");
    assert_string_equal(seen.ns, "kube-system");
    assert_int_equal(seen.replicas, 3); /* the default */
    result_free(&r);

    r = run("--output", "name", "-n=ns1", "--watch=false", NULL);
    assert_string_equal(seen.out, "name");
    assert_string_equal(seen.ns, "ns1");
    assert_false(seen.watch);
    result_free(&r);

    /* clustered shorthand bools, then one taking the rest as its value */
    r = run("-wa", "-wojson", NULL);
    assert_int_equal(r.rc, 0);
    assert_true(seen.watch);
    assert_string_equal(seen.out, "json");
    result_free(&r);

    r = run(NULL);
    assert_string_equal(seen.out, "(null)");
    assert_false(seen.changed_out);
    assert_string_equal(seen.ns, "(null)");
    assert_true(seen.timeout == 30.0);
    result_free(&r);
}

static void test_lists_and_dash(void **state)
{
    (void)state;
    struct result r = run("-f", "a.yaml,b.yaml", "--filename=c.yaml", "-fd.yaml",
                          "--from-literal=k=a,b", "--from-literal", "x=y", NULL);
    assert_int_equal(r.rc, 0);
    assert_int_equal(seen.nfiles, 4);
    assert_string_equal(seen.files[0], "a.yaml");
    assert_string_equal(seen.files[1], "b.yaml");
    assert_string_equal(seen.files[2], "c.yaml");
    assert_string_equal(seen.files[3], "d.yaml");
    assert_int_equal(seen.nlits, 2);
    assert_string_equal(seen.lits[0], "k=a,b");
    assert_string_equal(seen.lits[1], "x=y");
    result_free(&r);

    /* "--" ends flags: what follows is positional, -o included */
    r = run("pod", "--", "sh", "-o", "x", "--watch", NULL);
    assert_int_equal(r.rc, 0);
    assert_int_equal(seen.nargs, 5);
    assert_int_equal(seen.dash_at, 1);
    assert_string_equal(seen.args[2], "-o");
    assert_false(seen.watch);
    result_free(&r);

    /* a lone "-" is an argument (stdin) */
    r = run("-", NULL);
    assert_int_equal(seen.nargs, 1);
    assert_string_equal(seen.args[0], "-");
    assert_int_equal(seen.dash_at, -1);
    result_free(&r);

    r = run("--wait-for=1m30s", NULL);
    assert_true(seen.timeout == 90.0);
    result_free(&r);
}

static void test_errors(void **state)
{
    (void)state;
    struct result r = run("--foo", NULL);
    assert_int_equal(r.rc, 1);
    assert_string_equal(r.err, "error: unknown flag: --foo\nSee 'skiff probe --help' for usage.\n");
    assert_string_equal(r.out, "");
    result_free(&r);

    r = run("-x", NULL);
    assert_int_equal(r.rc, 1);
    assert_string_equal(
            r.err,
            "error: unknown shorthand flag: 'x' in -x\nSee 'skiff probe --help' for usage.\n");
    result_free(&r);

    r = run("--output", NULL);
    assert_int_equal(r.rc, 1);
    assert_string_equal(
            r.err,
            "error: flag needs an argument: --output\nSee 'skiff probe --help' for usage.\n");
    result_free(&r);

    r = run("-o", NULL);
    assert_string_equal(
            r.err,
            "error: flag needs an argument: 'o' in -o\nSee 'skiff probe --help' for usage.\n");
    result_free(&r);

    r = run("--replicas=x", NULL);
    assert_int_equal(r.rc, 1);
    assert_string_equal(r.err,
                        "error: invalid argument \"x\" for \"--replicas\" flag: strconv.ParseInt: "
                        "parsing \"x\": invalid syntax\nSee 'skiff probe --help' for usage.\n");
    result_free(&r);

    r = run("--watch=maybe", NULL);
    assert_string_equal(r.err,
                        "error: invalid argument \"maybe\" for \"-w, --watch\" flag: "
                        "strconv.ParseBool: parsing \"maybe\": invalid syntax\nSee 'skiff probe "
                        "--help' for usage.\n");
    result_free(&r);

    r = run("--request-timeout=abc", NULL);
    assert_int_equal(r.rc, 1);
    assert_non_null(strstr(r.err, "Invalid timeout value"));
    result_free(&r);
}

static void test_help(void **state)
{
    (void)state;
    struct result r = run("x", "--help", NULL);
    assert_int_equal(r.rc, 0);
    /* every flag documented, sorted, kubectl's layout */
    const char *o = r.out;
    assert_non_null(
            strstr(o, "A verb for tests\n\nExamples:\n  # probe\n  skiff probe x\n\nOptions:\n"));
    assert_non_null(strstr(o, "    -a, --all=false:\n\tAll.\n\n"));
    assert_non_null(strstr(o, "    -f, --filename=[]:\n\tFiles.\n\n"));
    assert_non_null(strstr(o, "    -o, --output='':\n\tOutput format.\n\n"));
    assert_non_null(strstr(o, "    --replicas=3:\n\tReplicas.\n\n"));
    assert_true(strstr(o, "--all=") < strstr(o, "--filename=")); /* sorted by name */
    assert_true(strstr(o, "--replicas") < strstr(o, "--wait-for"));
    assert_non_null(strstr(o, "Usage:\n  skiff probe [flags]\n\n"));
    assert_non_null(strstr(o, "Use \"skiff options\" for a list of global command-line options"));
    result_free(&r);
    r = run("-h", NULL);
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.out, "Options:"));
    result_free(&r);
    /* the global flags are documented by `skiff options` */
    const struct sk_cli_verb *opts = sk_cli_find_verb("options");
    assert_non_null(opts);
    char *out = NULL, *err = NULL;
    size_t ol, el;
    FILE *fo = open_memstream(&out, &ol), *fe = open_memstream(&err, &el);
    char *argv[] = {(char *)"options", NULL};
    assert_int_equal(sk_cli_run_verb(opts, "skiff options", 1, argv, fo, fe), 0);
    fclose(fo);
    fclose(fe);
    assert_non_null(strstr(out, "    -n, --namespace='':\n"));
    assert_non_null(strstr(out, "    --kubeconfig='':\n"));
    assert_non_null(strstr(out, "    -s, --server='':\n"));
    assert_non_null(strstr(out, "    --request-timeout='0':\n"));
    free(out);
    free(err);
}

static void test_durations(void **state)
{
    (void)state;
    double d;
    assert_true(sk_cli_parse_duration("0", &d) && d == 0);
    assert_true(sk_cli_parse_duration("5", &d) && d == 5);
    assert_true(sk_cli_parse_duration("1h2m3s", &d) && d == 3723);
    assert_true(sk_cli_parse_duration("300ms", &d) && d > 0.2999 && d < 0.3001);
    assert_true(sk_cli_parse_duration("1.5s", &d) && d == 1.5);
    assert_true(sk_cli_parse_duration("-2s", &d) && d == -2);
    assert_false(sk_cli_parse_duration("", &d));
    assert_false(sk_cli_parse_duration("abc", &d));
    assert_false(sk_cli_parse_duration("5x", &d));
    assert_false(sk_cli_parse_duration("s", &d));
}

/* ---- resources ---- */

static struct sk_cli *dummy_cli(FILE **errf, char **errbuf)
{
    static size_t el;
    *errf = open_memstream(errbuf, &el);
    struct sk_cli *c = calloc(1, sizeof(*c));
    c->verb = &probe;
    c->cmd_path = "skiff probe";
    c->out = stdout;
    c->err = *errf;
    return c;
}

static void test_targets(void **state)
{
    (void)state;
    FILE *ef;
    char *eb = NULL;
    struct sk_cli *c = dummy_cli(&ef, &eb);
    struct sk_cli_targets t;
    char *a1[] = {(char *)"po,svc,deployments.apps"};
    assert_int_equal(sk_cli_targets(c, a1, 1, &t), 0);
    assert_int_equal(t.n, 3);
    assert_int_equal(t.ntypes, 3);
    assert_string_equal(t.v[0].kind->kind, "Pod");
    assert_string_equal(t.v[1].kind->kind, "Service");
    assert_string_equal(t.v[2].kind->kind, "Deployment");
    assert_null(t.v[0].name);
    sk_cli_targets_free(&t);

    char *a2[] = {(char *)"deployment.v1.apps", (char *)"web", (char *)"db"};
    assert_int_equal(sk_cli_targets(c, a2, 3, &t), 0);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.ntypes, 1);
    assert_string_equal(t.v[1].name, "db");
    assert_string_equal(t.v[0].kind->plural, "deployments");
    sk_cli_targets_free(&t);

    char *a3[] = {(char *)"pod/web", (char *)"svc/db", (char *)"Deployment/x"};
    assert_int_equal(sk_cli_targets(c, a3, 3, &t), 0);
    assert_true(t.typed_names);
    assert_int_equal(t.ntypes, 3);
    assert_string_equal(t.v[2].kind->kind, "Deployment");
    assert_string_equal(t.v[2].name, "x");
    sk_cli_targets_free(&t);

    char *a4[] = {(char *)"all"};
    assert_int_equal(sk_cli_targets(c, a4, 1, &t), 0);
    assert_true(t.n >= 5);
    assert_string_equal(t.v[0].kind->plural, "pods");
    sk_cli_targets_free(&t);

    char *bad1[] = {(char *)"foo"};
    assert_int_equal(sk_cli_targets(c, bad1, 1, &t), 1);
    char *bad2[] = {(char *)"pods", (char *)"pod/x"};
    assert_int_equal(sk_cli_targets(c, bad2, 2, &t), 1);
    char *a5[] = {(char *)"po,svc", (char *)"x", (char *)"y"};
    assert_int_equal(sk_cli_targets(c, a5, 3, &t), 0);
    assert_int_equal(t.n, 4);
    assert_int_equal(t.ntypes, 2);
    assert_string_equal(t.v[1].kind->kind, "Pod");
    assert_string_equal(t.v[1].name, "y");
    assert_string_equal(t.v[2].kind->kind, "Service");
    assert_string_equal(t.v[2].name, "x");
    sk_cli_targets_free(&t);
    char *bad4[] = {(char *)"pod/"};
    assert_int_equal(sk_cli_targets(c, bad4, 1, &t), 1);
    fclose(ef);
    assert_string_equal(eb, "error: the server doesn't have a resource type \"foo\"\n"
                            "error: there is no need to specify a resource type as a separate "
                            "argument when passing arguments in resource/name form (e.g. 'skiff "
                            "get resource/<resource_name>' instead of 'skiff get resource "
                            "resource/<resource_name>'\n"
                            "error: arguments in resource/name form must have a single resource "
                            "and name\n");
    free(eb);
    free(c);
}

static void test_paths_and_refs(void **state)
{
    (void)state;
    const struct sk_kind *po = sk_kind_by_name("po"), *dep = sk_kind_by_name("deploy"),
                         *no = sk_kind_by_name("nodes");
    char *p = sk_cli_path(po, "default", "web", "log", "tailLines=1");
    assert_string_equal(p, "/api/v1/namespaces/default/pods/web/log?tailLines=1");
    free(p);
    p = sk_cli_path(dep, NULL, NULL, NULL, NULL);
    assert_string_equal(p, "/apis/apps/v1/deployments");
    free(p);
    p = sk_cli_path(no, "default", "n 1", NULL, NULL); /* cluster-scoped: no namespace */
    assert_string_equal(p, "/api/v1/nodes/n%201");
    free(p);
    char *r = sk_cli_ref(dep, "web");
    assert_string_equal(r, "deployment.apps/web");
    free(r);
    r = sk_cli_ref(po, "x");
    assert_string_equal(r, "pod/x");
    free(r);
}

static void test_manifests(void **state)
{
    (void)state;
    char dir[] = "/tmp/skiff-cli-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof(path), "%s/a.yaml", dir);
    FILE *f = fopen(path, "w");
    fputs("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\napiVersion: v1\n"
          "kind: List\nitems:\n- {apiVersion: v1, kind: Secret, metadata: {name: s}}\n",
          f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/b.json", dir);
    f = fopen(path, "w");
    fputs("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}}", f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/c.txt", dir); /* not a manifest extension */
    f = fopen(path, "w");
    fputs("garbage: [", f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/sub", dir);
    mkdir(path, 0700);
    snprintf(path, sizeof(path), "%s/sub/d.yml", dir);
    f = fopen(path, "w");
    fputs("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n", f);
    fclose(f);

    FILE *ef;
    char *eb = NULL;
    struct sk_cli *c = dummy_cli(&ef, &eb);
    char *files[] = {dir};
    struct sk_strv fv = {.v = files, .n = 1};
    struct sk_cli_docs d;
    assert_int_equal(sk_cli_read_docs(c, &fv, false, &d), 0);
    assert_int_equal(d.n, 3);
    assert_string_equal(sk_obj_kind(d.v[0].obj), "ConfigMap");
    assert_string_equal(sk_obj_kind(d.v[1].obj), "Secret");
    assert_string_equal(sk_obj_kind(d.v[2].obj), "Pod");
    const struct sk_kind *k;
    assert_int_equal(sk_cli_doc_kind(c, &d.v[2], &k), 0);
    assert_string_equal(k->plural, "pods");
    sk_cli_docs_free(&d);
    assert_int_equal(sk_cli_read_docs(c, &fv, true, &d), 0);
    assert_int_equal(d.n, 4);
    assert_string_equal(sk_obj_kind(d.v[3].obj), "Deployment");
    sk_cli_docs_free(&d);

    /* errors name the file and line as kubectl does */
    snprintf(path, sizeof(path), "%s/bad.yaml", dir);
    f = fopen(path, "w");
    fputs("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n   y: z\n", f);
    fclose(f);
    char *bad[] = {path};
    struct sk_strv bv = {.v = bad, .n = 1};
    assert_int_equal(sk_cli_read_docs(c, &bv, false, &d), 1);
    char *missing[] = {(char *)"/nonexistent/x.yaml"};
    struct sk_strv mv = {.v = missing, .n = 1};
    assert_int_equal(sk_cli_read_docs(c, &mv, false, &d), 1);
    fflush(ef);
    char want[512];
    snprintf(want, sizeof(want),
             "error: error parsing %s: error converting YAML to JSON: yaml: line 5: mapping "
             "values are not allowed in this context\n"
             "error: the path \"/nonexistent/x.yaml\" does not exist\n",
             path);
    assert_string_equal(eb, want);
    fclose(ef);
    free(eb);
    free(c);
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_forms),          cmocka_unit_test(test_lists_and_dash),
            cmocka_unit_test(test_errors),         cmocka_unit_test(test_help),
            cmocka_unit_test(test_durations),      cmocka_unit_test(test_targets),
            cmocka_unit_test(test_paths_and_refs), cmocka_unit_test(test_manifests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
