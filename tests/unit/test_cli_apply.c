/* Tests for the pure parts of the CLI's write verbs: the annotation and
 * three-way patch of client-side apply (core/cli_apply.c), the generators'
 * data sources and objects (core/cli_create.c) and the rollout status and
 * history helpers (core/cli_rollout.c). Expected strings are what kubectl
 * 1.32 writes for the same input. JSON here uses ' for ". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli_write.h"
#include "json.h"
#include "patch.h"
#include "schema.h"
#include "yaml.h"

static struct sk_val *J(const char *s)
{
    char *t = strdup(s);
    for (char *p = t; *p; p++)
        if (*p == '\'') *p = '"';
    struct sk_val *v = NULL;
    struct sk_error *e = NULL;
    if (sk_json_parse(t, strlen(t), &v, &e)) fail_msg("bad test JSON %s: %s", s, e->msg);
    free(t);
    return v;
}

static struct sk_val *Y(const char *s)
{
    struct sk_val *v = NULL;
    struct sk_error *e = NULL;
    if (sk_yaml_parse_one(s, strlen(s), "test", &v, &e)) fail_msg("bad test YAML: %s", e->msg);
    return v;
}

static void expect(const struct sk_val *got, const char *want)
{
    struct sk_val *w = J(want);
    if (!sk_val_equal(got, w)) {
        char *g = sk_json_dump(got, 0, NULL), *x = sk_json_dump(w, 0, NULL);
        print_error("got:  %s\nwant: %s\n", g, x);
        free(g);
        free(x);
        fail();
    }
    sk_val_free(w);
}

static const char *DEPLOY_YAML = "apiVersion: apps/v1\n"
                                 "kind: Deployment\n"
                                 "metadata:\n"
                                 "  name: web\n"
                                 "  namespace: default\n"
                                 "  labels: {app: web}\n"
                                 "spec:\n"
                                 "  replicas: 2\n"
                                 "  selector:\n"
                                 "    matchLabels: {app: web}\n"
                                 "  template:\n"
                                 "    metadata:\n"
                                 "      labels: {app: web}\n"
                                 "    spec:\n"
                                 "      containers:\n"
                                 "      - name: c\n"
                                 "        image: busybox\n"
                                 "        ports:\n"
                                 "        - containerPort: 80\n";

/* ---- the annotation ---- */

static void test_last_applied_as_kubectl_writes_it(void **state)
{
    (void)state;
    struct sk_val *d = Y(DEPLOY_YAML);
    char *la = sk_apply_last_applied(d);
    /* taken from `kubectl apply` of the same manifest */
    assert_string_equal(
            la, "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"annotations\":"
                "{},\"labels\":{\"app\":\"web\"},\"name\":\"web\",\"namespace\":\"default\"},"
                "\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
                "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{"
                "\"containers\":[{\"image\":\"busybox\",\"name\":\"c\",\"ports\":[{"
                "\"containerPort\":80}]}]}}}}\n");
    /* modified carries exactly la, and applying it again changes nothing */
    struct sk_val *m = sk_apply_modified(d);
    assert_string_equal(sk_obj_annotation(m, SK_LAST_APPLIED), la);
    struct sk_val *m2 = sk_apply_modified(m);
    assert_true(sk_val_equal(m, m2));
    sk_val_free(m2);
    /* the annotation never nests itself; other annotations stay, Go-escaped */
    sk_obj_set_annotation(m, "team", "a<b>&c");
    char *la2 = sk_apply_last_applied(m);
    assert_non_null(strstr(la2, "\"annotations\":{\"team\":\"a\\u003cb\\u003e\\u0026c\"}"));
    assert_null(strstr(la2, "last-applied"));
    free(la2);
    sk_val_free(m);
    free(la);
    sk_val_free(d);
}

static void test_last_applied_numbers_and_empty(void **state)
{
    (void)state;
    /* YAML 1.0 becomes 1 through kubectl's YAML-to-JSON step */
    struct sk_val *o = Y("apiVersion: v1\nkind: X\nmetadata: {name: x1}\nspec: {a: 1.0, b: 0.5, "
                         "c: 1e3, s: '1.0'}\n");
    char *la = sk_apply_last_applied(o);
    assert_string_equal(la, "{\"apiVersion\":\"v1\",\"kind\":\"X\",\"metadata\":{\"annotations\":"
                            "{},\"name\":\"x1\"},\"spec\":{\"a\":1,\"b\":0.5,\"c\":1000,\"s\":"
                            "\"1.0\"}}\n");
    free(la);
    sk_val_free(o);
    /* not an object at all: still a well-formed annotation */
    struct sk_val *n = sk_val_null();
    la = sk_apply_last_applied(n);
    assert_string_equal(la, "{\"metadata\":{\"annotations\":{}}}\n");
    free(la);
    sk_val_free(n);
}

/* ---- the patch ---- */

static const struct sk_kind *kind(const char *av, const char *k)
{
    const struct sk_kind *r = sk_kind_by_api_version(av, k);
    assert_non_null(r);
    return r;
}

static void test_patch_unchanged_and_configured(void **state)
{
    (void)state;
    const struct sk_kind *cm = kind("v1", "ConfigMap");
    struct sk_val *man = J("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c',"
                           "'namespace':'default'},'data':{'a':'1','b':'x'}}");
    struct sk_val *mod = sk_apply_modified(man);
    /* the live object: what was applied plus the server's fields */
    struct sk_val *live = sk_val_dup(mod);
    sk_val_set_at(live, sk_val_str("12"), "metadata", "resourceVersion", NULL);
    sk_val_set_at(live, sk_val_str("u-1"), "metadata", "uid", NULL);
    bool had = false;
    struct sk_val *p = NULL;
    assert_int_equal(sk_apply_patch(cm, mod, live, &had, &p, NULL), SK_OK);
    assert_true(had);
    expect(p, "{}");
    sk_val_free(p);
    /* a value changes and a key goes: set one, delete the other */
    struct sk_val *man2 = J("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c',"
                            "'namespace':'default'},'data':{'a':'2'}}");
    struct sk_val *mod2 = sk_apply_modified(man2);
    assert_int_equal(sk_apply_patch(cm, mod2, live, &had, &p, NULL), SK_OK);
    char *la2 = sk_apply_last_applied(man2);
    struct sk_val *want = J("{'data':{'a':'2','b':null},'metadata':{'annotations':{}}}");
    sk_val_set_at(want, sk_val_str(la2), "metadata", "annotations", SK_LAST_APPLIED, NULL);
    assert_true(sk_val_equal(p, want));
    sk_val_free(want);
    free(la2);
    sk_val_free(p);
    sk_val_free(mod2);
    sk_val_free(man2);
    sk_val_free(live);
    sk_val_free(mod);
    sk_val_free(man);
}

static void test_patch_keeps_fields_of_others(void **state)
{
    (void)state;
    const struct sk_kind *dk = kind("apps/v1", "Deployment");
    struct sk_val *man = Y(DEPLOY_YAML);
    struct sk_val *mod = sk_apply_modified(man);
    /* the live object: defaulted by the server, labelled and scaled by others */
    struct sk_val *live = sk_val_dup(mod);
    sk_obj_set_label(live, "extra", "yes");
    sk_val_set_at(live, sk_val_int(30), "spec", "template", "spec", "terminationGracePeriodSeconds",
                  NULL);
    struct sk_val *c0 =
            sk_arr_get(sk_val_at(live, "spec", "template", "spec", "containers", NULL), 0);
    sk_map_set(c0, "imagePullPolicy", sk_val_str("Always"));
    /* the new manifest changes the image and drops the ports */
    struct sk_val *man2 = sk_val_dup(man);
    struct sk_val *mc =
            sk_arr_get(sk_val_at(man2, "spec", "template", "spec", "containers", NULL), 0);
    sk_map_set(mc, "image", sk_val_str("busybox:1.36"));
    sk_map_del(mc, "ports");
    struct sk_val *mod2 = sk_apply_modified(man2);
    bool had;
    struct sk_val *p = NULL;
    assert_int_equal(sk_apply_patch(dk, mod2, live, &had, &p, NULL), SK_OK);
    /* containers merge by name: the patch names c, sets the image, drops ports */
    struct sk_val *pc = sk_val_at(p, "spec", "template", "spec", "containers", NULL);
    assert_int_equal(sk_arr_len(pc), 1);
    expect(sk_map_get(sk_arr_get(pc, 0), "name"), "'c'");
    expect(sk_map_get(sk_arr_get(pc, 0), "image"), "'busybox:1.36'");
    expect(sk_map_get(sk_arr_get(pc, 0), "ports"), "null");
    assert_null(sk_val_at(p, "metadata", "labels", NULL));
    /* applying it keeps what others set */
    struct sk_patch_schema ps = sk_patch_schema_for_kind(dk);
    assert_int_equal(sk_strategic_merge(&live, p, &ps, NULL), SK_OK);
    expect(sk_obj_labels(live), "{'app':'web','extra':'yes'}");
    struct sk_val *lc =
            sk_arr_get(sk_val_at(live, "spec", "template", "spec", "containers", NULL), 0);
    expect(sk_map_get(lc, "imagePullPolicy"), "'Always'");
    expect(sk_map_get(lc, "image"), "'busybox:1.36'");
    assert_null(sk_map_get(lc, "ports"));
    expect(sk_val_at(live, "spec", "template", "spec", "terminationGracePeriodSeconds", NULL),
           "30");
    sk_val_free(p);
    sk_val_free(mod2);
    sk_val_free(man2);
    sk_val_free(live);
    sk_val_free(mod);
    sk_val_free(man);
}

static void test_patch_without_last_applied(void **state)
{
    (void)state;
    const struct sk_kind *cm = kind("v1", "ConfigMap");
    struct sk_val *live = J("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c'},"
                            "'data':{'a':'1','z':'keep'}}");
    struct sk_val *man = J("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c'},"
                           "'data':{'a':'1'}}");
    struct sk_val *mod = sk_apply_modified(man);
    bool had = true;
    struct sk_val *p = NULL;
    assert_int_equal(sk_apply_patch(cm, mod, live, &had, &p, NULL), SK_OK);
    assert_false(had);
    /* nothing was applied before, so nothing is deleted: only the annotation */
    assert_null(sk_map_get(p, "data"));
    assert_non_null(sk_val_at(p, "metadata", "annotations", SK_LAST_APPLIED, NULL));
    sk_val_free(p);
    /* a broken annotation is an error naming it */
    sk_obj_set_annotation(live, SK_LAST_APPLIED, "{not json");
    struct sk_error *e = NULL;
    assert_int_equal(sk_apply_patch(cm, mod, live, &had, &p, &e), SK_EINVAL);
    assert_non_null(strstr(e->msg, SK_LAST_APPLIED));
    sk_error_free(e);
    sk_val_free(mod);
    sk_val_free(man);
    sk_val_free(live);
}

/* ---- generators ---- */

static char tmpdir[64];

static char *tpath(const char *name)
{
    char *p = NULL;
    if (asprintf(&p, "%s/%s", tmpdir, name) < 0) abort();
    return p;
}

static void put(const char *name, const void *data, size_t n)
{
    char *p = tpath(name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fwrite(data, 1, n, f);
    fclose(f);
    free(p);
}

static int setup_files(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/skiff-test-gen-XXXXXX");
    if (!mkdtemp(tmpdir)) return -1;
    put("f1.txt", "hello\n", 6);
    put("bin.dat", "\xff\xfe\x00", 3);
    char *d = tpath("dd");
    mkdir(d, 0700);
    free(d);
    put("dd/k1", "a\n", 2);
    put("dd/k2", "b\n", 2);
    char *sub = tpath("dd/sub");
    mkdir(sub, 0700);
    free(sub);
    put("e.env", "A=1\n# c\nB=2 \n\nC\n  D=x\r\n", 23);
    put("bad.env", "B = 2\n", 6);
    return 0;
}

static int teardown_files(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_base64(void **state)
{
    (void)state;
    const char *in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    const char *out[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (size_t i = 0; i < 7; i++) {
        char *b = sk_gen_base64(in[i], strlen(in[i]));
        assert_string_equal(b, out[i]);
        free(b);
    }
}

static void test_from_literal_and_files(void **state)
{
    (void)state;
    struct sk_val *data = sk_val_map(), *bin = sk_val_map();
    struct sk_gen_data g = {data, bin, false, "ConfigMap", "c1"};
    assert_int_equal(sk_gen_from_literal(&g, "a=1", NULL), SK_OK);
    assert_int_equal(sk_gen_from_literal(&g, "q=\"'quoted=yes\"", NULL), SK_OK);
    struct sk_error *e = NULL;
    assert_int_equal(sk_gen_from_literal(&g, "a=2", &e), SK_EEXIST);
    assert_string_equal(e->msg, "cannot add key \"a\", another key by that name already exists "
                                "in Data for ConfigMap \"c1\"");
    sk_error_free(e);
    e = NULL;
    assert_int_equal(sk_gen_from_literal(&g, "bad", &e), SK_EINVAL);
    assert_string_equal(e->msg, "invalid literal source bad, expected key=value");
    sk_error_free(e);
    e = NULL;
    char *f1 = tpath("f1.txt"), *dd = tpath("dd"), *bd = tpath("bin.dat");
    char *kk = NULL;
    if (asprintf(&kk, "kk=%s", f1) < 0) abort();
    assert_int_equal(sk_gen_from_file(&g, f1, NULL), SK_OK);
    assert_int_equal(sk_gen_from_file(&g, kk, NULL), SK_OK);
    assert_int_equal(sk_gen_from_file(&g, dd, NULL), SK_OK);
    assert_int_equal(sk_gen_from_file(&g, bd, NULL), SK_OK);
    expect(data, "{'a':'1','q':'quoted=yes','f1.txt':'hello\\n','kk':'hello\\n','k1':'a\\n',"
                 "'k2':'b\\n'}");
    expect(bin, "{'bin.dat':'//4A'}");
    assert_int_equal(sk_gen_from_file(&g, "/nonexistent/x", &e), SK_ENOENT);
    assert_string_equal(e->msg, "error reading /nonexistent/x: no such file or directory");
    sk_error_free(e);
    e = NULL;
    assert_int_equal(sk_gen_from_file(&g, "=x", &e), SK_EINVAL);
    sk_error_free(e);
    free(kk);
    free(f1);
    free(dd);
    free(bd);
    sk_val_free(data);
    sk_val_free(bin);

    /* a secret's values are base64, binary or not */
    struct sk_val *sd = sk_val_map();
    struct sk_gen_data sg = {sd, NULL, true, "Secret", "s1"};
    bd = tpath("bin.dat");
    assert_int_equal(sk_gen_from_literal(&sg, "a=1", NULL), SK_OK);
    assert_int_equal(sk_gen_from_file(&sg, bd, NULL), SK_OK);
    expect(sd, "{'a':'MQ==','bin.dat':'//4A'}");
    free(bd);
    sk_val_free(sd);
}

static void test_from_env_file(void **state)
{
    (void)state;
    setenv("C", "from-env", 1);
    struct sk_val *data = sk_val_map(), *bin = sk_val_map();
    struct sk_gen_data g = {data, bin, false, "ConfigMap", "c2"};
    char *p = tpath("e.env");
    assert_int_equal(sk_gen_from_env_file(&g, p, NULL), SK_OK);
    expect(data, "{'A':'1','B':'2 ','C':'from-env','D':'x'}");
    free(p);
    unsetenv("C");
    p = tpath("bad.env");
    struct sk_error *e = NULL;
    assert_int_equal(sk_gen_from_env_file(&g, p, &e), SK_EINVAL);
    assert_non_null(strstr(e->msg, "\"B \" is not a valid key name: a valid environment variable "
                                   "name must consist of"));
    sk_error_free(e);
    free(p);
    sk_val_free(data);
    sk_val_free(bin);
}

static void test_deployment_generator(void **state)
{
    (void)state;
    const char *imgs[] = {"reg:5000/lib/busybox:1.36", "nginx@sha256:abc"};
    struct sk_val *d = sk_gen_deployment("web", NULL, imgs, 2, 3, 8080);
    expect(d, "{'kind':'Deployment','apiVersion':'apps/v1','metadata':{'name':'web',"
              "'creationTimestamp':null,'labels':{'app':'web'}},'spec':{'replicas':3,"
              "'selector':{'matchLabels':{'app':'web'}},'template':{'metadata':{"
              "'creationTimestamp':null,'labels':{'app':'web'}},'spec':{'containers':[{"
              "'name':'busybox','image':'reg:5000/lib/busybox:1.36','ports':[{'containerPort':"
              "8080}],'resources':{}},{'name':'nginx','image':'nginx@sha256:abc','resources':{}}"
              "]}},'strategy':{}},'status':{}}");
    /* Go's field order: kind before apiVersion, name before creationTimestamp */
    assert_string_equal(d->u.m.kv[0].key, "kind");
    assert_string_equal(sk_map_get(d, "metadata")->u.m.kv[0].key, "name");
    sk_val_free(d);
    char *n = sk_gen_image_name("my_image.v2:latest");
    assert_int_equal(strncmp(n, "my-image-v2-", 12), 0);
    assert_int_equal(strlen(n), 17);
    free(n);
    n = sk_gen_image_name("busybox");
    assert_string_equal(n, "busybox");
    free(n);
}

/* ---- rollout ---- */

static void status_is(const char *obj, const char *want, bool want_done)
{
    struct sk_val *d = J(obj);
    bool done = !want_done;
    char *err = NULL;
    char *s = sk_rollout_status_deployment(d, &done, &err);
    assert_null(err);
    assert_string_equal(s, want);
    assert_int_equal(done, want_done);
    free(s);
    sk_val_free(d);
}

static void test_rollout_status_lines(void **state)
{
    (void)state;
    status_is("{'metadata':{'name':'web','generation':2},'status':{'observedGeneration':1}}",
              "Waiting for deployment spec update to be observed...\n", false);
    status_is("{'metadata':{'name':'web','generation':2},'spec':{'replicas':3},'status':{"
              "'observedGeneration':2,'updatedReplicas':1}}",
              "Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have "
              "been updated...\n",
              false);
    status_is("{'metadata':{'name':'web','generation':2},'spec':{'replicas':2},'status':{"
              "'observedGeneration':2,'updatedReplicas':2,'replicas':3}}",
              "Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending "
              "termination...\n",
              false);
    status_is("{'metadata':{'name':'web','generation':2},'spec':{'replicas':2},'status':{"
              "'observedGeneration':2,'updatedReplicas':2,'replicas':2,'availableReplicas':1}}",
              "Waiting for deployment \"web\" rollout to finish: 1 of 2 updated replicas are "
              "available...\n",
              false);
    status_is("{'metadata':{'name':'web','generation':2},'spec':{'replicas':2},'status':{"
              "'observedGeneration':2,'updatedReplicas':2,'replicas':2,'availableReplicas':2}}",
              "deployment \"web\" successfully rolled out\n", true);
    struct sk_val *d = J("{'metadata':{'name':'web','generation':1},'status':{"
                         "'observedGeneration':1,'conditions':[{'type':'Progressing',"
                         "'reason':'ProgressDeadlineExceeded'}]}}");
    bool done;
    char *err = NULL;
    assert_null(sk_rollout_status_deployment(d, &done, &err));
    assert_string_equal(err, "deployment \"web\" exceeded its progress deadline");
    free(err);
    sk_val_free(d);
}

static void test_rollout_owned_and_revision(void **state)
{
    (void)state;
    struct sk_val *dep = J("{'metadata':{'name':'web','uid':'u1'}}");
    struct sk_val *rss =
            J("[{'metadata':{'name':'a','annotations':{'deployment.kubernetes.io/revision':'3'},"
              "'ownerReferences':[{'uid':'u1','controller':true}]}},"
              "{'metadata':{'name':'b','annotations':{'deployment.kubernetes.io/revision':'x'},"
              "'ownerReferences':[{'uid':'u1','controller':true}]}},"
              "{'metadata':{'name':'c','ownerReferences':[{'uid':'u2','controller':true}]}},"
              "{'metadata':{'name':'d','ownerReferences':[{'uid':'u1','controller':false}]}},"
              "{'metadata':{'name':'e'}}]");
    size_t n = 0;
    const struct sk_val **own = sk_rollout_owned(dep, rss, &n);
    assert_int_equal(n, 2);
    assert_string_equal(sk_obj_name(own[0]), "a");
    assert_string_equal(sk_obj_name(own[1]), "b");
    assert_int_equal(sk_rollout_revision(own[0]), 3);
    assert_int_equal(sk_rollout_revision(own[1]), -1);
    assert_int_equal(sk_rollout_revision(sk_arr_get(rss, 4)), -1);
    free(own);
    sk_val_free(rss);
    sk_val_free(dep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_last_applied_as_kubectl_writes_it),
            cmocka_unit_test(test_last_applied_numbers_and_empty),
            cmocka_unit_test(test_patch_unchanged_and_configured),
            cmocka_unit_test(test_patch_keeps_fields_of_others),
            cmocka_unit_test(test_patch_without_last_applied),
            cmocka_unit_test(test_base64),
            cmocka_unit_test(test_from_literal_and_files),
            cmocka_unit_test(test_from_env_file),
            cmocka_unit_test(test_deployment_generator),
            cmocka_unit_test(test_rollout_status_lines),
            cmocka_unit_test(test_rollout_owned_and_revision),
    };
    return cmocka_run_group_tests(tests, setup_files, teardown_files);
}
