/* Tests for core/patch.c: RFC 7386 and RFC 6902 (their appendix examples),
 * and strategic merge patch as kube-apiserver and kubectl apply it. JSON in
 * this file uses ' for " to stay readable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"
#include "patch.h"
#include "schema.h"

/* ---- helpers ---- */

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

/* Deep equality (map key order ignored, list order kept). */
static void expect(const struct sk_val *got, const char *want)
{
    struct sk_val *w = J(want);
    if (!sk_val_equal(got, w)) {
        char *g = sk_json_dump(got, 0, NULL), *x = sk_json_dump(w, 0, NULL);
        print_error("got:  %s\nwant: %s\n", g, x);
        free(g);
        free(x);
        sk_val_free(w);
        fail();
    }
    sk_val_free(w);
}

static void expect_err(sk_err rc, sk_err code, struct sk_error *e, const char *substr)
{
    if (rc != code || !e || !strstr(e->msg, substr)) {
        print_error("rc=%d (want %d) msg=%s\nwant substring: %s\n", rc, code, e ? e->msg : "-",
                    substr);
        fail();
    }
    sk_error_free(e);
}

static void merge_ok(const char *target, const char *patch, const char *want)
{
    struct sk_val *t = J(target), *p = J(patch);
    assert_int_equal(sk_merge_patch(&t, p, NULL), SK_OK);
    expect(t, want);
    sk_val_free(t);
    sk_val_free(p);
}

static void jp_ok(const char *target, const char *ops, const char *want)
{
    struct sk_val *t = J(target), *p = J(ops);
    struct sk_error *e = NULL;
    sk_err rc = sk_json_patch(&t, p, &e);
    if (rc) fail_msg("json patch failed: %s", e->msg);
    expect(t, want);
    sk_val_free(t);
    sk_val_free(p);
}

/* A failing patch must leave the target exactly as it was. */
static void jp_err(const char *target, const char *ops, sk_err code, const char *substr)
{
    struct sk_val *t = J(target), *p = J(ops), *before = sk_val_dup(t);
    struct sk_error *e = NULL;
    sk_err rc = sk_json_patch(&t, p, &e);
    expect_err(rc, code, e, substr);
    assert_true(sk_val_equal(t, before));
    sk_val_free(t);
    sk_val_free(p);
    sk_val_free(before);
}

/* A fake schema with the Pod and Deployment fields the cases use. */
struct fake {
    const char *path;
    struct sk_field f;
};
#define LIST(p, key, strat)                                                                        \
    {                                                                                              \
        p,                                                                                         \
        {                                                                                          \
            .type = SK_F_ARRAY, .merge_key = key, .patch_strategy = strat                          \
        }                                                                                          \
    }
static const struct fake fakes[] = {
        LIST("metadata.finalizers", NULL, "merge"),
        LIST("metadata.ownerReferences", "uid", "merge"),
        {"metadata.labels", {.type = SK_F_MAP}},
        {"metadata.annotations", {.type = SK_F_MAP}},
        LIST("spec.containers", "name", "merge"),
        LIST("spec.initContainers", "name", "merge"),
        LIST("spec.containers.env", "name", "merge"),
        LIST("spec.containers.ports", "containerPort", "merge"),
        LIST("spec.containers.volumeMounts", "mountPath", "merge"),
        LIST("spec.containers.args", NULL, NULL),
        LIST("spec.volumes", "name", "merge,retainKeys"),
        LIST("spec.tolerations", NULL, NULL),
        LIST("spec.hostAliases", "ip", "merge"),
        LIST("spec.hostAliases.hostnames", NULL, NULL),
        {"spec.strategy", {.type = SK_F_OBJECT, .patch_strategy = "retainKeys"}},
        {"spec.selector", {.type = SK_F_OBJECT, .patch_strategy = "replace"}},
        {"spec.nodeSelector", {.type = SK_F_MAP}},
        LIST("spec.template.spec.containers", "name", "merge"),
        LIST("spec.template.spec.containers.env", "name", "merge"),
        LIST("spec.template.spec.volumes", "name", "merge,retainKeys"),
        {"data", {.type = SK_F_MAP}},
        LIST("data.items", "id", "merge"),
};

static const struct sk_field *fake_lookup(void *ctx, const char *path)
{
    (void)ctx;
    for (size_t i = 0; i < sizeof(fakes) / sizeof(fakes[0]); i++)
        if (!strcmp(fakes[i].path, path)) return &fakes[i].f;
    return NULL;
}

static const struct sk_patch_schema fake = {fake_lookup, NULL};

static void smp_ok(const char *target, const char *patch, const char *want)
{
    struct sk_val *t = J(target), *p = J(patch);
    struct sk_error *e = NULL;
    sk_err rc = sk_strategic_merge(&t, p, &fake, &e);
    if (rc) fail_msg("strategic merge failed: %s", e->msg);
    expect(t, want);
    sk_val_free(t);
    sk_val_free(p);
}

static void smp_err(const char *target, const char *patch, const char *substr)
{
    struct sk_val *t = J(target), *p = J(patch), *before = sk_val_dup(t);
    struct sk_error *e = NULL;
    sk_err rc = sk_strategic_merge(&t, p, &fake, &e);
    expect_err(rc, SK_EINVAL, e, substr);
    assert_true(sk_val_equal(t, before));
    sk_val_free(t);
    sk_val_free(p);
    sk_val_free(before);
}

/* ---- RFC 7386 ---- */

static void test_merge_rfc7386_appendix(void **state)
{
    (void)state;
    merge_ok("{'a':'b'}", "{'a':'c'}", "{'a':'c'}");
    merge_ok("{'a':'b'}", "{'b':'c'}", "{'a':'b','b':'c'}");
    merge_ok("{'a':'b'}", "{'a':null}", "{}");
    merge_ok("{'a':'b','b':'c'}", "{'a':null}", "{'b':'c'}");
    merge_ok("{'a':['b']}", "{'a':'c'}", "{'a':'c'}");
    merge_ok("{'a':'c'}", "{'a':['b']}", "{'a':['b']}");
    merge_ok("{'a':{'b':'c'}}", "{'a':{'b':'d','c':null}}", "{'a':{'b':'d'}}");
    merge_ok("{'a':[{'b':'c'}]}", "{'a':[1]}", "{'a':[1]}");
    merge_ok("['a','b']", "['c','d']", "['c','d']");
    merge_ok("{'a':'b'}", "['c']", "['c']");
    merge_ok("{'a':'foo'}", "null", "null");
    merge_ok("{'a':'foo'}", "'bar'", "'bar'");
    merge_ok("{'e':null}", "{'a':1}", "{'e':null,'a':1}");
    merge_ok("[1,2]", "{'a':'b','c':null}", "{'a':'b'}");
    merge_ok("{}", "{'a':{'bb':{'ccc':null}}}", "{'a':{'bb':{}}}");
}

static void test_merge_rfc7386_example(void **state)
{
    (void)state;
    merge_ok("{'title':'Goodbye!','author':{'givenName':'John','familyName':'Doe'},"
             "'tags':['example','sample'],'content':'This will be unchanged'}",
             "{'title':'Hello!','phoneNumber':'+01-123-456-7890','author':{'familyName':null},"
             "'tags':['example']}",
             "{'title':'Hello!','author':{'givenName':'John'},'tags':['example'],"
             "'content':'This will be unchanged','phoneNumber':'+01-123-456-7890'}");
}

static void test_merge_edge(void **state)
{
    (void)state;
    struct sk_val *t = NULL, *p = J("{'metadata':{'labels':{'a':'1','b':null}}}");
    assert_int_equal(sk_merge_patch(&t, p, NULL), SK_OK);
    expect(t, "{'metadata':{'labels':{'a':'1'}}}");
    /* the patch is only read; key order of the target is kept */
    sk_val_free(p);
    p = J("{'metadata':{'labels':{'a':'2','c':'3'}},'kind':'Pod'}");
    assert_int_equal(sk_merge_patch(&t, p, NULL), SK_OK);
    expect(t, "{'metadata':{'labels':{'a':'2','c':'3'}},'kind':'Pod'}");
    assert_string_equal(t->u.m.kv[0].key, "metadata");
    sk_val_free(p);
    struct sk_error *e = NULL;
    sk_err rc = sk_merge_patch(&t, NULL, &e);
    expect_err(rc, SK_EINVAL, e, "no patch");
    sk_val_free(t);
}

/* ---- RFC 6902 ---- */

static void test_json_patch_rfc6902_appendix(void **state)
{
    (void)state;
    /* A.1 - A.8, A.10, A.11, A.14, A.16 */
    jp_ok("{'foo':'bar'}", "[{'op':'add','path':'/baz','value':'qux'}]",
          "{'baz':'qux','foo':'bar'}");
    jp_ok("{'foo':['bar','baz']}", "[{'op':'add','path':'/foo/1','value':'qux'}]",
          "{'foo':['bar','qux','baz']}");
    jp_ok("{'baz':'qux','foo':'bar'}", "[{'op':'remove','path':'/baz'}]", "{'foo':'bar'}");
    jp_ok("{'foo':['bar','qux','baz']}", "[{'op':'remove','path':'/foo/1'}]",
          "{'foo':['bar','baz']}");
    jp_ok("{'baz':'qux','foo':'bar'}", "[{'op':'replace','path':'/baz','value':'boo'}]",
          "{'baz':'boo','foo':'bar'}");
    jp_ok("{'foo':{'bar':'baz','waldo':'fred'},'qux':{'corge':'grault'}}",
          "[{'op':'move','from':'/foo/waldo','path':'/qux/thud'}]",
          "{'foo':{'bar':'baz'},'qux':{'corge':'grault','thud':'fred'}}");
    jp_ok("{'foo':['all','grass','cows','eat']}", "[{'op':'move','from':'/foo/1','path':'/foo/3'}]",
          "{'foo':['all','cows','eat','grass']}");
    jp_ok("{'baz':'qux','foo':['a',2,'c']}",
          "[{'op':'test','path':'/baz','value':'qux'},{'op':'test','path':'/foo/1','value':2}]",
          "{'baz':'qux','foo':['a',2,'c']}");
    jp_ok("{'foo':'bar'}", "[{'op':'add','path':'/child','value':{'grandchild':{}}}]",
          "{'foo':'bar','child':{'grandchild':{}}}");
    jp_ok("{'foo':'bar'}", "[{'op':'add','path':'/baz','value':'qux','xyz':123}]",
          "{'foo':'bar','baz':'qux'}");
    jp_ok("{'/':9,'~1':10}", "[{'op':'test','path':'/~01','value':10}]", "{'/':9,'~1':10}");
    jp_ok("{'foo':['bar']}", "[{'op':'add','path':'/foo/-','value':['abc','def']}]",
          "{'foo':['bar',['abc','def']]}");
}

static void test_json_patch_rfc6902_errors(void **state)
{
    (void)state;
    /* A.9 a failed test */
    jp_err("{'baz':'qux'}", "[{'op':'test','path':'/baz','value':'bar'}]", SK_EINVAL,
           "testing value /baz failed: test failed");
    /* A.12 adding to a nonexistent target */
    jp_err("{'foo':'bar'}", "[{'op':'add','path':'/baz/bat','value':'qux'}]", SK_EINVAL,
           "add operation does not apply: doc is missing path: \"/baz/bat\": missing value");
    /* A.13 an operation with two "op" members never decodes */
    const char *dup = "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\",\"op\":\"remove\"}]";
    struct sk_val *v = NULL;
    struct sk_error *e = NULL;
    assert_int_not_equal(sk_json_parse(dup, strlen(dup), &v, &e), SK_OK);
    assert_null(v);
    sk_error_free(e);
    /* A.15 comparing strings and numbers */
    jp_err("{'/':9,'~1':10}", "[{'op':'test','path':'/~01','value':'10'}]", SK_EINVAL,
           "testing value /~01 failed: test failed");
}

static void test_json_patch_errors(void **state)
{
    (void)state;
    const char *doc = "{'a':{'b':[1,2,3]},'c':'x'}";
    jp_err(doc, "[{'op':'remove','path':'/nope'}]", SK_EINVAL,
           "error in remove for path: '/nope': Unable to remove nonexistent key: nope: missing "
           "value");
    jp_err(doc, "[{'op':'replace','path':'/nope','value':1}]", SK_EINVAL,
           "replace operation does not apply: doc is missing key: /nope: missing value");
    jp_err(doc, "[{'op':'replace','path':'/x/y','value':1}]", SK_EINVAL,
           "replace operation does not apply: doc is missing path: /x/y: missing value");
    jp_err(doc, "[{'op':'add','path':'/a/b/5','value':1}]", SK_EINVAL,
           "error in add for path: '/a/b/5': Unable to access invalid index: 5: invalid index "
           "referenced");
    jp_err(doc, "[{'op':'add','path':'/a/b/x','value':1}]", SK_EINVAL,
           "value was not a proper array index: 'x': strconv.Atoi: parsing \"x\": invalid syntax");
    jp_err(doc, "[{'op':'remove','path':'/a/b/3'}]", SK_EINVAL,
           "error in remove for path: '/a/b/3': Unable to access invalid index: 3");
    jp_err(doc, "[{'op':'remove','path':'/a/b/-'}]", SK_EINVAL, "invalid syntax");
    jp_err(doc, "[{'op':'add','value':1}]", SK_EINVAL,
           "add operation failed to decode path: missing value");
    jp_err(doc, "[{'op':'add','path':'/q'}]", SK_EINVAL, "missing value field");
    jp_err(doc, "[{'op':'frobnicate','path':'/a'}]", SK_EINVAL, "Unexpected kind: frobnicate");
    jp_err(doc, "[{'path':'/a'}]", SK_EINVAL, "Unexpected kind: unknown");
    jp_err(doc, "[{'op':'move','from':'/a','path':'/a/b/0'}]", SK_EINVAL,
           "is a proper prefix of path");
    jp_err(doc, "[{'op':'move','from':'/zz','path':'/c'}]", SK_EINVAL,
           "error in move for path: '/zz'");
    jp_err(doc, "[{'op':'move','path':'/c'}]", SK_EINVAL,
           "move operation failed to decode from: operation, missing from field: missing value");
    jp_err(doc, "[{'op':'copy','from':'/a/q','path':'/c'}]", SK_EINVAL, "error in copy for from");
    jp_err(doc, "[{'op':'copy','from':'/a','path':'/q/r'}]", SK_EINVAL,
           "copy operation does not apply: doc is missing destination path: /q/r: missing value");
    jp_err(doc, "[{'op':'test','path':'/q/r','value':1}]", SK_EINVAL,
           "test operation does not apply: is missing path: /q/r: missing value");
    jp_err(doc, "[{'op':'test','path':'/c/x','value':1}]", SK_EINVAL, "is missing path");
    jp_err(doc, "[{'op':'add','path':'a','value':1}]", SK_EINVAL, "doc is missing path");
    jp_err(doc, "[{'op':'add','path':'/a/~2','value':1}]", SK_EINVAL, "doc is missing path");
    jp_err(doc, "[{'op':'remove','path':''}]", SK_EINVAL, "doc is missing path");
    /* the body is not a list of operations: a decoding error (400) */
    jp_err(doc, "{'op':'add'}", SK_EPROTO, "cannot unmarshal object into Go value of type");
    jp_err(doc, "[1]", SK_EPROTO, "jsonpatch.Operation");
}

static void test_json_patch_atomic(void **state)
{
    (void)state;
    /* the first two operations apply, the third fails: nothing changes */
    jp_err("{'a':1,'l':[1]}",
           "[{'op':'add','path':'/b','value':2},{'op':'remove','path':'/l/0'},"
           "{'op':'test','path':'/a','value':2}]",
           SK_EINVAL, "testing value /a failed");
    struct sk_val *t = NULL, *p = J("[{'op':'add','path':'','value':{'x':1}}]");
    assert_int_equal(sk_json_patch(&t, p, NULL), SK_OK);
    expect(t, "{'x':1}");
    sk_val_free(t);
    sk_val_free(p);
}

static void test_json_patch_more(void **state)
{
    (void)state;
    /* negative indices count from the end, as Kubernetes allows */
    jp_ok("{'l':[1,2,3]}", "[{'op':'remove','path':'/l/-1'}]", "{'l':[1,2]}");
    jp_ok("{'l':[1,2,3]}", "[{'op':'add','path':'/l/-1','value':9}]", "{'l':[1,2,3,9]}");
    jp_ok("{'l':[1,2,3]}", "[{'op':'replace','path':'/l/-3','value':0}]", "{'l':[0,2,3]}");
    jp_ok("{'l':[1,2]}", "[{'op':'add','path':'/l/2','value':3}]", "{'l':[1,2,3]}");
    /* the whole document */
    jp_ok("{'a':1}", "[{'op':'replace','path':'','value':[1]}]", "[1]");
    jp_ok("{'a':1}", "[{'op':'test','path':'','value':{'a':1.0}}]", "{'a':1}");
    jp_ok("{'a':{'b':1}}", "[{'op':'move','from':'/a','path':''}]", "{'b':1}");
    /* RFC 6902 4.6: numbers are equal by value */
    jp_ok("{'n':1,'f':[1.5]}",
          "[{'op':'test','path':'/n','value':1.0},{'op':'test','path':'/f','value':[1.5]}]",
          "{'n':1,'f':[1.5]}");
    jp_ok("{'a':{'b':[1]}}",
          "[{'op':'copy','from':'/a','path':'/c'},{'op':'add','path':'/c/b/-','value':2}]",
          "{'a':{'b':[1]},'c':{'b':[1,2]}}");
    jp_ok("{'a':'x'}", "[{'op':'move','from':'/a','path':'/a'}]", "{'a':'x'}");
    jp_ok("{'a/b':{'m~n':1}}", "[{'op':'replace','path':'/a~1b/m~0n','value':2}]",
          "{'a/b':{'m~n':2}}");
    jp_ok("{'':{'':1}}", "[{'op':'add','path':'//','value':2}]", "{'':{'':2}}");
    jp_ok("{'metadata':{'labels':{'app':'web'}}}",
          "[{'op':'add','path':'/metadata/labels/app.kubernetes.io~1name','value':'web'}]",
          "{'metadata':{'labels':{'app':'web','app.kubernetes.io/name':'web'}}}");
    jp_ok("{'a':1}", "null", "{'a':1}");
    jp_ok("{'a':1}", "[]", "{'a':1}");
}

static void test_json_patch_limits(void **state)
{
    (void)state;
    struct sk_val *t = J("{'a':'0123456789012345678901234567890123456789'}"), *ops = sk_val_arr();
    /* copies that double the document hit the copy growth limit */
    for (int i = 0; i < 40; i++) {
        struct sk_val *op = J("{'op':'copy','from':'','path':'/a'}");
        sk_map_set(op, "path", sk_val_strf("/k%d", i));
        sk_arr_push(ops, op);
    }
    struct sk_error *e = NULL;
    sk_err rc = sk_json_patch(&t, ops, &e);
    expect_err(rc, SK_EINVAL, e,
               "Unable to complete the copy, the accumulated size increase of copy is");
    sk_val_free(ops);
    ops = sk_val_arr();
    for (int i = 0; i <= SK_JSON_PATCH_MAX_OPS; i++)
        sk_arr_push(ops, J("{'op':'test','path':'/a','value':0}"));
    e = NULL;
    rc = sk_json_patch(&t, ops, &e);
    expect_err(rc, SK_ETOOBIG, e,
               "The allowed maximum operations in a JSON patch is 10000, got 10001");
    expect(t, "{'a':'0123456789012345678901234567890123456789'}");
    sk_val_free(ops);
    sk_val_free(t);
}

/* ---- strategic merge patch: apply ---- */

#define POD                                                                                        \
    "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'web','labels':{'app':'web'}},"            \
    "'spec':{'containers':["                                                                       \
    "{'name':'app','image':'nginx:1.25','env':[{'name':'A','value':'1'},{'name':'B','value':'2'}]" \
    ","                                                                                            \
    "'ports':[{'containerPort':80,'protocol':'TCP'},{'containerPort':443}]},"                      \
    "{'name':'sidecar','image':'busybox','args':['sleep','1d']}],"                                 \
    "'volumes':[{'name':'data','emptyDir':{}},{'name':'cfg','configMap':{'name':'c'}}]}}"

static void test_smp_containers_by_name(void **state)
{
    (void)state;
    /* update the image of one container; the other is untouched */
    smp_ok(POD, "{'spec':{'containers':[{'name':'sidecar','image':'busybox:1.36'}]}}",
           "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'web','labels':{'app':'web'}},"
           "'spec':{'containers':["
           "{'name':'app','image':'nginx:1.25','env':[{'name':'A','value':'1'},{'name':'B',"
           "'value':'2'}],'ports':[{'containerPort':80,'protocol':'TCP'},{'containerPort':443}]},"
           "{'name':'sidecar','image':'busybox:1.36','args':['sleep','1d']}],"
           "'volumes':[{'name':'data','emptyDir':{}},{'name':'cfg','configMap':{'name':'c'}}]}}");
    /* a new container goes in front of the server's list (Kubernetes' order) */
    smp_ok("{'spec':{'containers':[{'name':'a'},{'name':'b'}]}}",
           "{'spec':{'containers':[{'name':'c','image':'x'}]}}",
           "{'spec':{'containers':[{'name':'c','image':'x'},{'name':'a'},{'name':'b'}]}}");
    /* patch order wins for the patch's elements, server-only ones keep
     * their place relative to them */
    smp_ok("{'spec':{'containers':[{'name':'a'},{'name':'b','v':1},{'name':'c'}]}}",
           "{'spec':{'containers':[{'name':'c','v':3},{'name':'a','v':1}]}}",
           "{'spec':{'containers':[{'name':'b','v':1},{'name':'c','v':3},{'name':'a','v':1}]}}");
    /* delete one with $patch: delete, add another in the same patch */
    smp_ok("{'spec':{'containers':[{'name':'a'},{'name':'b'}]}}",
           "{'spec':{'containers':[{'name':'a','$patch':'delete'},{'name':'z'}]}}",
           "{'spec':{'containers':[{'name':'z'},{'name':'b'}]}}");
    /* deleting a name that is not there is no error */
    smp_ok("{'spec':{'containers':[{'name':'a'}]}}",
           "{'spec':{'containers':[{'name':'q','$patch':'delete'}]}}",
           "{'spec':{'containers':[{'name':'a'}]}}");
    /* a list the target lacks is taken from the patch, without directives */
    smp_ok("{'spec':{}}",
           "{'spec':{'initContainers':[{'name':'i','image':'x','skip':null},"
           "{'name':'gone','$patch':'delete'}]}}",
           "{'spec':{'initContainers':[{'name':'i','image':'x'}]}}");
}

static void test_smp_env_ports_volumes(void **state)
{
    (void)state;
    /* env by name: change one, add one, delete one, drop a field with null */
    smp_ok("{'spec':{'containers':[{'name':'app','env':[{'name':'A','value':'1'},"
           "{'name':'B','value':'2'},{'name':'C','valueFrom':{'x':1},'value':'3'}]}]}}",
           "{'spec':{'containers':[{'name':'app','env':[{'name':'B','value':'20'},"
           "{'name':'D','value':'4'},{'name':'A','$patch':'delete'},"
           "{'name':'C','valueFrom':null}]}]}}",
           "{'spec':{'containers':[{'name':'app','env':[{'name':'B','value':'20'},"
           "{'name':'D','value':'4'},{'name':'C','value':'3'}]}]}}");
    /* ports by containerPort (an integer merge key) */
    smp_ok("{'spec':{'containers':[{'name':'app','ports':[{'containerPort':80,'name':'http'},"
           "{'containerPort':443}]}]}}",
           "{'spec':{'containers':[{'name':'app','ports':[{'containerPort':443,'name':'https'},"
           "{'containerPort':8080}]}]}}",
           "{'spec':{'containers':[{'name':'app','ports':[{'containerPort':80,'name':'http'},"
           "{'containerPort':443,'name':'https'},{'containerPort':8080}]}]}}");
    /* volumes by name, merged */
    smp_ok(POD, "{'spec':{'volumes':[{'name':'cfg','configMap':{'defaultMode':420}}]}}",
           "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'web','labels':{'app':'web'}},"
           "'spec':{'containers':["
           "{'name':'app','image':'nginx:1.25','env':[{'name':'A','value':'1'},{'name':'B',"
           "'value':'2'}],'ports':[{'containerPort':80,'protocol':'TCP'},{'containerPort':443}]},"
           "{'name':'sidecar','image':'busybox','args':['sleep','1d']}],"
           "'volumes':[{'name':'data','emptyDir':{}},{'name':'cfg','configMap':{'name':'c',"
           "'defaultMode':420}}]}}");
    /* a non-merge list nested in a merged element is replaced */
    smp_ok("{'spec':{'containers':[{'name':'s','args':['sleep','1d'],'image':'b'}]}}",
           "{'spec':{'containers':[{'name':'s','args':['sleep','2d']}]}}",
           "{'spec':{'containers':[{'name':'s','args':['sleep','2d'],'image':'b'}]}}");
}

static void test_smp_replace_and_delete_directives(void **state)
{
    (void)state;
    /* $patch: replace on a list: exactly the patch's other elements */
    smp_ok("{'spec':{'containers':[{'name':'a','image':'1'},{'name':'b'}]}}",
           "{'spec':{'containers':[{'name':'c','image':'3'},{'$patch':'replace'}]}}",
           "{'spec':{'containers':[{'name':'c','image':'3'}]}}");
    smp_ok("{'spec':{'containers':[{'name':'a'}]}}",
           "{'spec':{'containers':[{'$patch':'replace'}]}}", "{'spec':{'containers':[]}}");
    /* $patch: replace on a map */
    smp_ok("{'metadata':{'labels':{'a':'1','b':'2'}}}",
           "{'metadata':{'labels':{'$patch':'replace','c':'3'}}}",
           "{'metadata':{'labels':{'c':'3'}}}");
    smp_ok("{'a':1,'b':2}", "{'$patch':'replace','c':3}", "{'c':3}");
    /* $patch: delete on a map empties it */
    smp_ok("{'metadata':{'labels':{'a':'1'}},'x':1}", "{'metadata':{'labels':{'$patch':'delete'}}}",
           "{'metadata':{'labels':{}},'x':1}");
    /* a patchStrategy "replace" field is replaced, not merged */
    smp_ok("{'spec':{'selector':{'matchLabels':{'a':'1'}}}}",
           "{'spec':{'selector':{'matchExpressions':[]}}}",
           "{'spec':{'selector':{'matchExpressions':[]}}}");
    /* $patch: merge is the default for maps only */
    smp_err("{'spec':{'containers':[{'name':'a'}]}}",
            "{'spec':{'containers':[{'$patch':'merge'}]}}",
            "merging lists cannot yet be specified in the patch");
    smp_err("{'a':{}}", "{'a':{'$patch':'merge'}}",
            "unknown patch type: merge in map: map[$patch:merge]");
    smp_err("{'spec':{'containers':[{'name':'a'}]}}",
            "{'spec':{'containers':[{'name':'a','$patch':'bogus'}]}}",
            "unknown patch type: bogus in map: map[$patch:bogus name:a]");
    smp_err("{'spec':{'containers':[{'name':'a'}]}}",
            "{'spec':{'containers':[{'$patch':'delete','image':'x'}]}}",
            "map: map[$patch:delete image:x] does not contain declared merge key: name");
}

static void test_smp_nulls_and_maps(void **state)
{
    (void)state;
    /* null deletes; a null for an absent key is dropped; nulls inside new
     * maps are dropped too */
    smp_ok("{'metadata':{'labels':{'a':'1','b':'2'}},'spec':{'x':1}}",
           "{'metadata':{'labels':{'a':null,'zz':null}},'spec':null,"
           "'status':{'phase':'Running','reason':null}}",
           "{'metadata':{'labels':{'b':'2'}},'status':{'phase':'Running'}}");
    /* a value of another type replaces */
    smp_ok("{'a':{'b':1},'c':[1],'d':'s'}", "{'a':'x','c':{'k':null,'v':1},'d':[1]}",
           "{'a':'x','c':{'v':1},'d':[1]}");
    /* map-typed fields: the entries are data, so the path of a field in
     * an entry skips the entry's key ("data.items") */
    smp_ok("{'data':{'k':{'items':[{'id':1,'v':1}]}}}", "{'data':{'k':{'items':[{'id':2}]}}}",
           "{'data':{'k':{'items':[{'id':2},{'id':1,'v':1}]}}}");
    /* without a schema every list is replaced and maps merge */
    struct sk_val *t = J("{'spec':{'containers':[{'name':'a'}],'m':{'x':1}}}");
    struct sk_val *p = J("{'spec':{'containers':[{'name':'b'}],'m':{'y':2}}}");
    assert_int_equal(sk_strategic_merge(&t, p, NULL, NULL), SK_OK);
    expect(t, "{'spec':{'containers':[{'name':'b'}],'m':{'x':1,'y':2}}}");
    sk_val_free(t);
    sk_val_free(p);
    /* a NULL target is {} */
    t = NULL;
    p = J("{'a':{'b':null,'c':1}}");
    assert_int_equal(sk_strategic_merge(&t, p, &fake, NULL), SK_OK);
    expect(t, "{'a':{'c':1}}");
    sk_val_free(t);
    sk_val_free(p);
}

static void test_smp_primitive_lists(void **state)
{
    (void)state;
    /* finalizers is a merge list: a union, patch order first */
    smp_ok("{'metadata':{'finalizers':['a','b']}}", "{'metadata':{'finalizers':['c','a']}}",
           "{'metadata':{'finalizers':['c','a','b']}}");
    smp_ok("{'metadata':{'finalizers':['a','b','c']}}", "{'metadata':{'finalizers':['c','a']}}",
           "{'metadata':{'finalizers':['b','c','a']}}");
    smp_ok("{'metadata':{'finalizers':['a']}}", "{'metadata':{'finalizers':[]}}",
           "{'metadata':{'finalizers':['a']}}");
    /* args is not: replaced */
    smp_ok("{'spec':{'containers':[{'name':'a','args':['x','y']}]}}",
           "{'spec':{'containers':[{'name':'a','args':['z']}]}}",
           "{'spec':{'containers':[{'name':'a','args':['z']}]}}");
    /* tolerations (a list of maps without a strategy) is replaced too */
    smp_ok("{'spec':{'tolerations':[{'key':'a'},{'key':'b'}]}}",
           "{'spec':{'tolerations':[{'key':'c'}]}}", "{'spec':{'tolerations':[{'key':'c'}]}}");
    /* $deleteFromPrimitiveList */
    smp_ok("{'metadata':{'finalizers':['a','b','c']}}",
           "{'metadata':{'$deleteFromPrimitiveList/finalizers':['b','zz']}}",
           "{'metadata':{'finalizers':['a','c']}}");
    smp_ok("{'metadata':{'finalizers':['a']}}",
           "{'metadata':{'$deleteFromPrimitiveList/finalizers':['a'],'finalizers':['d']}}",
           "{'metadata':{'finalizers':['d']}}");
    smp_ok("{'metadata':{}}", "{'metadata':{'$deleteFromPrimitiveList/finalizers':['a']}}",
           "{'metadata':{}}");
    smp_ok("{'spec':{'containers':[{'name':'a','args':['x','y']}]}}",
           "{'spec':{'containers':[{'name':'a','$deleteFromPrimitiveList/args':['x']}]}}",
           "{'spec':{'containers':[{'name':'a','args':['y']}]}}");
    smp_err("{'metadata':{}}", "{'metadata':{'$deleteFromPrimitiveList':['a']}}",
            "invalid patch format of primitive list");
    smp_err("{'metadata':{'finalizers':['a',1]}}", "{'metadata':{'finalizers':['b']}}",
            "list element types are not identical: [[a 1] [b]]");
    smp_err("{'metadata':{'finalizers':[['a']]}}", "{'metadata':{'finalizers':[['b']]}}",
            "lists of lists are not supported");
}

static void test_smp_retain_keys(void **state)
{
    (void)state;
    /* switch a volume's source: the old one must go */
    smp_ok("{'spec':{'volumes':[{'name':'data','emptyDir':{'medium':'Memory'}},{'name':'x'}]}}",
           "{'spec':{'volumes':[{'name':'data','hostPath':{'path':'/srv'},"
           "'$retainKeys':['hostPath','name']}]}}",
           "{'spec':{'volumes':[{'name':'data','hostPath':{'path':'/srv'}},{'name':'x'}]}}");
    /* deployment strategy: Recreate drops rollingUpdate */
    smp_ok("{'spec':{'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':1}}}}",
           "{'spec':{'strategy':{'type':'Recreate','$retainKeys':['type']}}}",
           "{'spec':{'strategy':{'type':'Recreate'}}}");
    /* nulls and parallel lists need not be listed */
    smp_ok("{'spec':{'strategy':{'type':'A','x':1}}}",
           "{'spec':{'strategy':{'x':null,'$retainKeys':['type']}}}",
           "{'spec':{'strategy':{'type':'A'}}}");
    smp_err("{'spec':{'strategy':{'type':'A'}}}",
            "{'spec':{'strategy':{'type':'B','other':1,'$retainKeys':['type']}}}",
            "invalid patch format of retainKeys");
    smp_err("{'spec':{'strategy':{'type':'A'}}}", "{'spec':{'strategy':{'$retainKeys':'type'}}}",
            "invalid patch format of retainKeys");
}

static void test_smp_set_element_order(void **state)
{
    (void)state;
    /* reorder without changing content */
    smp_ok("{'spec':{'containers':[{'name':'a','i':1},{'name':'b','i':2},{'name':'c'}]}}",
           "{'spec':{'$setElementOrder/containers':[{'name':'c'},{'name':'a'},{'name':'b'}]}}",
           "{'spec':{'containers':[{'name':'c'},{'name':'a','i':1},{'name':'b','i':2}]}}");
    /* kubectl's form: the order list with the changed element only */
    smp_ok("{'spec':{'containers':[{'name':'a'},{'name':'b','v':2}]}}",
           "{'spec':{'$setElementOrder/containers':[{'name':'a'},{'name':'n'},{'name':'b'}],"
           "'containers':[{'name':'n','v':9}]}}",
           "{'spec':{'containers':[{'name':'a'},{'name':'n','v':9},{'name':'b','v':2}]}}");
    /* a server-only element goes before the first listed element that
     * followed it on the server */
    smp_ok("{'spec':{'containers':[{'name':'a'},{'name':'b'},{'name':'s'},{'name':'c'}]}}",
           "{'spec':{'$setElementOrder/containers':[{'name':'c'},{'name':'b'},{'name':'a'}]}}",
           "{'spec':{'containers':[{'name':'s'},{'name':'c'},{'name':'b'},{'name':'a'}]}}");
    smp_ok("{'spec':{'containers':[{'name':'a'},{'name':'s'},{'name':'b'}]}}",
           "{'spec':{'$setElementOrder/containers':[{'name':'b'},{'name':'a'}]}}",
           "{'spec':{'containers':[{'name':'s'},{'name':'b'},{'name':'a'}]}}");
    /* with a deletion and an addition (the backing-array order Kubernetes uses) */
    smp_ok("{'spec':{'containers':[{'name':'1'},{'name':'2','o':'b'},{'name':'4','o':'c'}]}}",
           "{'spec':{'$setElementOrder/containers':[{'name':'2'},{'name':'3'}],"
           "'containers':[{'name':'3'},{'name':'1','$patch':'delete'}]}}",
           "{'spec':{'containers':[{'name':'2','o':'b'},{'name':'4','o':'c'},{'name':'3'}]}}");
    /* primitives */
    smp_ok("{'metadata':{'finalizers':['a','b','c']}}",
           "{'metadata':{'$setElementOrder/finalizers':['c','a','b']}}",
           "{'metadata':{'finalizers':['c','a','b']}}");
    smp_ok("{'metadata':{'finalizers':['a','c']}}",
           "{'metadata':{'$setElementOrder/finalizers':['c','b','a'],'finalizers':['b']}}",
           "{'metadata':{'finalizers':['c','b','a']}}");
    /* a list the target lacks */
    smp_ok("{'metadata':{}}",
           "{'metadata':{'$setElementOrder/finalizers':['b','c','a'],'finalizers':['b','a']}}",
           "{'metadata':{'finalizers':['b','a']}}");
    smp_err("{}", "{'$setElementOrder/spec':[],'spec':null}",
            "expected a []interface {}, but received a %!s(<nil>)");
    smp_err("{'spec':{'containers':[{'name':'a'},{'name':'b'}]}}",
            "{'spec':{'$setElementOrder/containers':[{'name':'a'},{'name':'b'}],"
            "'containers':[{'name':'b','v':1},{'name':'a','v':1}]}}",
            "doesn't match $setElementOrder list");
    smp_err("{'spec':{'containers':[{'name':'a'}]}}",
            "{'spec':{'$setElementOrder/containers':[{'x':'a'}]}}",
            "map: map[x:a] does not contain declared merge key: name");
    smp_err("{'spec':{}}", "{'spec':{'$setElementOrder/containers':'a'}}",
            "expected a []interface {}, but received a string");
    smp_err("{'spec':{}}", "{'spec':{'$setElementOrderX/containers':[]}}",
            "invalid patch format of setElementOrder list");
}

static void test_smp_errors(void **state)
{
    (void)state;
    smp_err("{'spec':{'containers':[{'name':'a','image':'x'}]}}",
            "{'spec':{'containers':[{'image':'y'}]}}",
            "map: map[image:y] does not contain declared merge key: name");
    smp_err("{'spec':{'containers':[{'image':'x'}]}}", "{'spec':{'containers':[{'name':'y'}]}}",
            "map: map[image:x] does not contain declared merge key: name");
    smp_err("{'spec':{'containers':[{'name':'a'}]}}", "{'spec':{'containers':['a']}}",
            "list element types are not identical: [[map[name:a]] [a]]");
    struct sk_val *t = J("{}"), *p = J("[1]");
    struct sk_error *e = NULL;
    sk_err rc = sk_strategic_merge(&t, p, &fake, &e);
    expect_err(rc, SK_EINVAL, e,
               "json: cannot unmarshal array into Go value of type map[string]interface {}");
    sk_val_free(t);
    sk_val_free(p);
}

/* ---- strategic merge patch: diff and three-way ---- */

static void roundtrip(const char *orig, const char *mod, const char *want_patch)
{
    struct sk_val *o = J(orig), *m = J(mod), *p = NULL;
    struct sk_error *e = NULL;
    if (sk_strategic_diff(o, m, &fake, &p, &e)) fail_msg("diff failed: %s", e->msg);
    if (want_patch) expect(p, want_patch);
    if (sk_strategic_merge(&o, p, &fake, &e)) fail_msg("apply failed: %s", e->msg);
    expect(o, mod);
    /* and nothing to do between equal documents */
    sk_val_free(p);
    p = NULL;
    assert_int_equal(sk_strategic_diff(m, m, &fake, &p, NULL), SK_OK);
    expect(p, "{}");
    sk_val_free(o);
    sk_val_free(m);
    sk_val_free(p);
}

static void test_diff_roundtrips(void **state)
{
    (void)state;
    roundtrip(
            POD,
            "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'web','labels':{'app':'web'}},"
            "'spec':{'containers':["
            "{'name':'app','image':'nginx:1.26','env':[{'name':'A','value':'1'},{'name':'B',"
            "'value':'2'}],'ports':[{'containerPort':80,'protocol':'TCP'},{'containerPort':443}]},"
            "{'name':'sidecar','image':'busybox','args':['sleep','1d']}],"
            "'volumes':[{'name':'data','emptyDir':{}},{'name':'cfg','configMap':{'name':'c'}}]}}",
            "{'spec':{'$setElementOrder/containers':[{'name':'app'},{'name':'sidecar'}],"
            "'containers':[{'name':'app','image':'nginx:1.26'}]}}");
    /* reorder, add, remove elements of merge lists */
    roundtrip("{'spec':{'containers':[{'name':'a','env':[{'name':'X','value':'1'},{'name':'Y'}]},"
              "{'name':'b'},{'name':'c'}]}}",
              "{'spec':{'containers':[{'name':'c'},{'name':'d','image':'i'},{'name':'a','env':"
              "[{'name':'Z'},{'name':'X','value':'2'}]}]}}",
              NULL);
    /* finalizers: add and remove, parallel deletion list */
    roundtrip("{'metadata':{'finalizers':['a','b','c']}}", "{'metadata':{'finalizers':['c','d']}}",
              "{'metadata':{'$setElementOrder/finalizers':['c','d'],'finalizers':['d'],"
              "'$deleteFromPrimitiveList/finalizers':['a','b']}}");
    roundtrip("{'metadata':{'finalizers':['a','b']}}", "{'metadata':{'finalizers':[]}}", NULL);
    roundtrip("{'metadata':{'finalizers':[]}}", "{'metadata':{'finalizers':['x']}}", NULL);
    /* volumes change source: $retainKeys on the element */
    roundtrip("{'spec':{'volumes':[{'name':'d','emptyDir':{}}]}}",
              "{'spec':{'volumes':[{'name':'d','hostPath':{'path':'/x'}}]}}",
              "{'spec':{'$setElementOrder/volumes':[{'name':'d'}],'volumes':[{'name':'d',"
              "'hostPath':{'path':'/x'},'emptyDir':null,'$retainKeys':['hostPath','name']}]}}");
    roundtrip("{'spec':{'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':1}}}}",
              "{'spec':{'strategy':{'type':'Recreate'}}}",
              "{'spec':{'strategy':{'type':'Recreate','rollingUpdate':null,'$retainKeys':['type']}}"
              "}");
    /* deleted fields, type changes, replaced lists and maps */
    roundtrip("{'a':{'b':1,'c':[1,2]},'d':'x','e':[{'k':1}],'spec':{'selector':{'m':{'a':'1'}},"
              "'tolerations':[{'key':'a'}],'hostAliases':[{'ip':'1','hostnames':['a','b']}]}}",
              "{'a':{'c':[2]},'d':{'x':1},'e':[],'spec':{'selector':{'n':1},'tolerations':[],"
              "'hostAliases':[{'ip':'1','hostnames':['b']}]}}",
              NULL);
    roundtrip("{}", "{'spec':{'containers':[{'name':'a'}]},'n':1.5}", NULL);
    roundtrip("{'spec':{'containers':[{'name':'a'}]},'n':1.5}", "{}", NULL);
    struct sk_val *o = J("{'spec':{'containers':[{'name':'a'},{'image':'x'}]}}");
    struct sk_val *m = J("{'spec':{'containers':[{'name':'a','image':'y'}]}}"), *p = NULL;
    struct sk_error *e = NULL;
    sk_err rc = sk_strategic_diff(o, m, &fake, &p, &e);
    expect_err(rc, SK_EINVAL, e, "does not contain declared merge key: name");
    assert_null(p);
    sk_val_free(o);
    sk_val_free(m);
}

static void test_three_way(void **state)
{
    (void)state;
    /* kubectl apply: last-applied, the new file, the live object */
    struct sk_val *orig =
            J("{'metadata':{'name':'d','labels':{'app':'d','tier':'web'}},"
              "'spec':{'replicas':2,'template':{'spec':{'containers':["
              "{'name':'app','image':'nginx:1.25','env':[{'name':'A','value':'1'}]}]}}}}");
    struct sk_val *mod = J("{'metadata':{'name':'d','labels':{'app':'d'}},"
                           "'spec':{'replicas':2,'template':{'spec':{'containers':["
                           "{'name':'app','image':'nginx:1.26'}]}}}}");
    struct sk_val *cur = J("{'metadata':{'name':'d','uid':'u1','labels':{'app':'d','tier':'web',"
                           "'added-by':'ops'}},'spec':{'replicas':5,'template':{'spec':{"
                           "'containers':[{'name':'app','image':'nginx:1.25','env':[{'name':'A',"
                           "'value':'1'}],'imagePullPolicy':'IfNotPresent'},{'name':'injected'}],"
                           "'dnsPolicy':'ClusterFirst'}}},'status':{'replicas':5}}");
    struct sk_val *p = NULL;
    struct sk_error *e = NULL;
    if (sk_strategic_three_way(orig, mod, cur, &fake, &p, &e))
        fail_msg("three-way failed: %s", e->msg);
    /* replicas goes back to 2 (modified sets it), tier and env go (dropped
     * from last-applied), what others added stays */
    expect(p, "{'metadata':{'labels':{'tier':null}},'spec':{'replicas':2,'template':{'spec':{"
              "'$setElementOrder/containers':[{'name':'app'}],"
              "'containers':[{'name':'app','image':'nginx:1.26','env':null}]}}}}");
    assert_int_equal(sk_strategic_merge(&cur, p, &fake, NULL), SK_OK);
    expect(cur, "{'metadata':{'name':'d','uid':'u1','labels':{'app':'d','added-by':'ops'}},"
                "'spec':{'replicas':2,'template':{'spec':{'containers':[{'name':'app',"
                "'image':'nginx:1.26','imagePullPolicy':'IfNotPresent'},{'name':'injected'}],"
                "'dnsPolicy':'ClusterFirst'}}},'status':{'replicas':5}}");
    sk_val_free(p);
    /* applying the same file again: only the order list, since the live
     * list has an element more (as kubectl sends with injected sidecars),
     * and it changes nothing */
    p = NULL;
    assert_int_equal(sk_strategic_three_way(mod, mod, cur, &fake, &p, NULL), SK_OK);
    expect(p, "{'spec':{'template':{'spec':{'$setElementOrder/containers':[{'name':'app'}]}}}}");
    struct sk_val *before = sk_val_dup(cur);
    assert_int_equal(sk_strategic_merge(&cur, p, &fake, NULL), SK_OK);
    assert_true(sk_val_equal(cur, before));
    sk_val_free(before);
    sk_val_free(p);
    p = NULL;
    assert_int_equal(sk_strategic_three_way(mod, mod, mod, &fake, &p, NULL), SK_OK);
    expect(p, "{}");
    sk_val_free(p);
    /* modified wins over a change made on the server */
    struct sk_val *o2 = J("{'spec':{'replicas':1}}"), *m2 = J("{'spec':{'replicas':3}}");
    struct sk_val *c2 = J("{'spec':{'replicas':2}}");
    p = NULL;
    assert_int_equal(sk_strategic_three_way(o2, m2, c2, &fake, &p, NULL), SK_OK);
    expect(p, "{'spec':{'replicas':3}}");
    sk_val_free(p);
    /* an element someone else added to a merge list stays */
    sk_val_free(o2);
    sk_val_free(m2);
    sk_val_free(c2);
    o2 = J("{'spec':{'containers':[{'name':'a','image':'1'}]}}");
    m2 = J("{'spec':{'containers':[{'name':'a','image':'2'}]}}");
    c2 = J("{'spec':{'containers':[{'name':'a','image':'1'},{'name':'b'}]}}");
    p = NULL;
    assert_int_equal(sk_strategic_three_way(o2, m2, c2, &fake, &p, NULL), SK_OK);
    assert_int_equal(sk_strategic_merge(&c2, p, &fake, NULL), SK_OK);
    expect(c2, "{'spec':{'containers':[{'name':'a','image':'2'},{'name':'b'}]}}");
    sk_val_free(p);
    sk_val_free(o2);
    sk_val_free(m2);
    sk_val_free(c2);
    sk_val_free(orig);
    sk_val_free(mod);
    sk_val_free(cur);
}

/* ---- the real kinds table ---- */

static void real_ok(const struct sk_patch_schema *sc, const char *target, const char *patch,
                    const char *want)
{
    struct sk_val *t = J(target), *p = J(patch), *d = NULL, *o = J(target);
    struct sk_error *e = NULL;
    if (sk_strategic_merge(&t, p, sc, &e)) fail_msg("strategic merge failed: %s", e->msg);
    expect(t, want);
    /* and the diff back from the result reproduces it */
    if (sk_strategic_diff(o, t, sc, &d, &e)) fail_msg("diff failed: %s", e->msg);
    if (sk_strategic_merge(&o, d, sc, &e)) fail_msg("apply of diff failed: %s", e->msg);
    expect(o, want);
    sk_val_free(t);
    sk_val_free(p);
    sk_val_free(d);
    sk_val_free(o);
}

static void test_real_schema_pod(void **state)
{
    (void)state;
    const struct sk_kind *k = sk_kind_by_api_version("v1", "Pod");
    assert_non_null(k);
    struct sk_patch_schema sc = sk_patch_schema_for_kind(k);
    real_ok(&sc, POD,
            "{'metadata':{'labels':{'tier':'fe'},'finalizers':['f']},'spec':{'containers':["
            "{'name':'app','env':[{'name':'B','$patch':'delete'},{'name':'C','value':'3'}],"
            "'ports':[{'containerPort':443,'name':'https'}]}],"
            "'volumes':[{'name':'data','hostPath':{'path':'/"
            "srv'},'$retainKeys':['hostPath','name']}]}}",
            "{'apiVersion':'v1','kind':'Pod','metadata':{'name':'web','labels':{'app':'web',"
            "'tier':'fe'},'finalizers':['f']},'spec':{'containers':["
            "{'name':'app','image':'nginx:1.25','env':[{'name':'C','value':'3'},{'name':'A','value'"
            ":"
            "'1'}],'ports':[{'containerPort':80,'protocol':'TCP'},{'containerPort':443,'name':"
            "'https'}]},{'name':'sidecar','image':'busybox','args':['sleep','1d']}],"
            "'volumes':[{'name':'data','hostPath':{'path':'/srv'}},{'name':'cfg','configMap':"
            "{'name':'c'}}]}}");
}

static void test_real_schema_deployment(void **state)
{
    (void)state;
    const struct sk_kind *k = sk_kind_by_api_version("apps/v1", "Deployment");
    if (!k) skip(); /* the kinds table does not have Deployment yet */
    struct sk_patch_schema sc = sk_patch_schema_for_kind(k);
    const char *deploy =
            "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{"
            "'replicas':2,'selector':{'matchLabels':{'app':'web'}},"
            "'strategy':{'type':'RollingUpdate','rollingUpdate':{'maxSurge':1}},"
            "'template':{'metadata':{'labels':{'app':'web'}},'spec':{'containers':["
            "{'name':'app','image':'nginx:1.25','env':[{'name':'A','value':'1'}],"
            "'ports':[{'containerPort':80}]},{'name':'log','image':'busybox','args':['tail']}],"
            "'volumes':[{'name':'data','emptyDir':{}}],'tolerations':[{'key':'a'}]}}}}";
    /* kubectl set image, kubectl patch of env and tolerations, and a switch
     * to Recreate (kubectl sends $retainKeys for it) */
    real_ok(&sc, deploy,
            "{'spec':{'strategy':{'type':'Recreate','$retainKeys':['type']},'template':{'spec':{"
            "'containers':[{'name':'app','image':'nginx:1.26','env':[{'name':'B','value':'2'}]}],"
            "'tolerations':[{'key':'b'}]}}}}",
            "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{"
            "'replicas':2,'selector':{'matchLabels':{'app':'web'}},'strategy':{'type':'Recreate'},"
            "'template':{'metadata':{'labels':{'app':'web'}},'spec':{'containers':["
            "{'name':'app','image':'nginx:1.26','env':[{'name':'B','value':'2'},{'name':'A',"
            "'value':'1'}],'ports':[{'containerPort':80}]},{'name':'log','image':'busybox','args':"
            "['tail']}],'volumes':[{'name':'data','emptyDir':{}}],'tolerations':[{'key':'b'}]}}}}");
    /* kubectl apply's three-way patch against the live object */
    struct sk_val *last = J(deploy), *mod = J(deploy), *live = J(deploy), *p = NULL;
    sk_val_free(mod);
    mod = J("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{"
            "'replicas':2,'selector':{'matchLabels':{'app':'web'}},'template':{'metadata':{"
            "'labels':{'app':'web'}},'spec':{'containers':[{'name':'app','image':'nginx:1.27'}]}}}"
            "}");
    sk_val_set_at(live, sk_val_int(7), "status", "observedGeneration", NULL);
    assert_int_equal(sk_strategic_three_way(last, mod, live, &sc, &p, NULL), SK_OK);
    assert_int_equal(sk_strategic_merge(&live, p, &sc, NULL), SK_OK);
    expect(live, "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'web'},'spec':{"
                 "'replicas':2,'selector':{'matchLabels':{'app':'web'}},'template':{'metadata':{"
                 "'labels':{'app':'web'}},'spec':{'containers':[{'name':'app','image':'nginx:1.27'"
                 "}]}}},'status':{'observedGeneration':7}}");
    sk_val_free(p);
    sk_val_free(last);
    sk_val_free(mod);
    sk_val_free(live);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_merge_rfc7386_appendix),
            cmocka_unit_test(test_merge_rfc7386_example),
            cmocka_unit_test(test_merge_edge),
            cmocka_unit_test(test_json_patch_rfc6902_appendix),
            cmocka_unit_test(test_json_patch_rfc6902_errors),
            cmocka_unit_test(test_json_patch_errors),
            cmocka_unit_test(test_json_patch_atomic),
            cmocka_unit_test(test_json_patch_more),
            cmocka_unit_test(test_json_patch_limits),
            cmocka_unit_test(test_smp_containers_by_name),
            cmocka_unit_test(test_smp_env_ports_volumes),
            cmocka_unit_test(test_smp_replace_and_delete_directives),
            cmocka_unit_test(test_smp_nulls_and_maps),
            cmocka_unit_test(test_smp_primitive_lists),
            cmocka_unit_test(test_smp_retain_keys),
            cmocka_unit_test(test_smp_set_element_order),
            cmocka_unit_test(test_smp_errors),
            cmocka_unit_test(test_diff_roundtrips),
            cmocka_unit_test(test_three_way),
            cmocka_unit_test(test_real_schema_pod),
            cmocka_unit_test(test_real_schema_deployment),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
