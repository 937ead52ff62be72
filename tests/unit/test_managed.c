/* Tests for core/managed.c: field-set algebra, FieldsV1 parsing and
 * writing, ToFieldSet and Compare on real kinds, the apply merge, pruning,
 * conflicts, force and the managedFields bookkeeping. JSON in this file
 * uses ' for " to stay readable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"
#include "managed.h"
#include "schema.h"

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

/* Exact text, key order included (FieldsV1 order matters). */
static void expect_text(const struct sk_val *got, const char *want)
{
    char *g = sk_json_dump(got, 0, NULL);
    char *w = strdup(want);
    for (char *p = w; *p; p++)
        if (*p == '\'') *p = '"';
    if (strcmp(g, w) != 0) {
        print_error("got:  %s\nwant: %s\n", g, w);
        free(g);
        free(w);
        fail();
    }
    free(g);
    free(w);
}

static struct sk_fset *F(const char *fields)
{
    struct sk_val *v = J(fields);
    struct sk_fset *s = NULL;
    struct sk_error *e = NULL;
    if (sk_fset_from_val(v, &s, &e)) fail_msg("bad fieldsV1 %s: %s", fields, e->msg);
    sk_val_free(v);
    return s;
}

static void expect_set(const struct sk_fset *s, const char *want)
{
    struct sk_val *v = sk_fset_to_val(s);
    expect_text(v, want);
    sk_val_free(v);
}

static const struct sk_kind *kind(const char *av, const char *k)
{
    const struct sk_kind *r = sk_kind_by_api_version(av, k);
    assert_non_null(r);
    return r;
}

/* ---- set algebra and FieldsV1 ---- */

static void test_fieldsv1_roundtrip(void **state)
{
    (void)state;
    /* out-of-order input comes back in the apiserver's order: f: before
     * k: before v:, keys by value, "." first */
    struct sk_fset *s =
            F("{'f:spec':{'f:ports':{'k:{\\'protocol\\':\\'TCP\\',\\'port\\':80}':{'f:x':{},"
              "'.':{}},'k:{\\'port\\':8,\\'protocol\\':\\'TCP\\'}':{}},'f:a':{}},"
              "'f:metadata':{'f:finalizers':{'v:\\'b\\'':{},'v:\\'a\\'':{}}}}");
    expect_set(s, "{'f:metadata':{'f:finalizers':{'v:\\'a\\'':{},'v:\\'b\\'':{}}},"
                  "'f:spec':{'f:a':{},'f:ports':{'k:{\\'port\\':8,\\'protocol\\':\\'TCP\\'}':{},"
                  "'k:{\\'port\\':80,\\'protocol\\':\\'TCP\\'}':{'.':{},'f:x':{}}}}}");
    struct sk_val *v = sk_fset_to_val(s);
    struct sk_fset *again = NULL;
    assert_int_equal(sk_fset_from_val(v, &again, NULL), SK_OK);
    assert_true(sk_fset_equal(s, again));
    sk_val_free(v);
    sk_fset_free(again);
    sk_fset_free(s);
}

static void test_fieldsv1_errors(void **state)
{
    (void)state;
    static const char *const bad[] = {
            "{'k:[1]':{}}",       /* key element that is not an object */
            "{'k:{':{}}",         /* not JSON */
            "{'v:':{}}",          /* empty value */
            "{'i:x':{}}",         /* not an index */
            "{'f:a':1}",          /* not an object */
            "{'f:a':{'f:b':[]}}", /* deeper */
            "[]",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct sk_val *v = J(bad[i]);
        struct sk_fset *s = NULL;
        struct sk_error *e = NULL;
        if (sk_fset_from_val(v, &s, &e) != SK_EINVAL) fail_msg("accepted %s", bad[i]);
        assert_null(s);
        assert_non_null(e);
        sk_error_free(e);
        sk_val_free(v);
    }
    /* unknown element kinds are skipped; null is a member */
    struct sk_fset *s = F("{'x:what':{},'f:a':null}");
    expect_set(s, "{'f:a':{}}");
    sk_fset_free(s);
    struct sk_fset *j = NULL;
    assert_int_equal(sk_fset_from_json("{\"f:a\":", 7, &j, NULL), SK_EINVAL);
}

static void test_set_algebra(void **state)
{
    (void)state;
    struct sk_fset *a = F("{'f:a':{'.':{},'f:b':{},'f:c':{}},'f:d':{}}");
    struct sk_fset *b = F("{'f:a':{'f:b':{}},'f:e':{}}");
    struct sk_fset *u = sk_fset_dup(a);
    sk_fset_union(u, b);
    expect_set(u, "{'f:a':{'.':{},'f:b':{},'f:c':{}},'f:d':{},'f:e':{}}");
    struct sk_fset *d = sk_fset_dup(a);
    sk_fset_difference(d, b);
    expect_set(d, "{'f:a':{'.':{},'f:c':{}},'f:d':{}}");
    struct sk_fset *x = sk_fset_dup(a);
    sk_fset_intersect(x, b);
    expect_set(x, "{'f:a':{'f:b':{}}}");
    struct sk_fset *r = sk_fset_dup(a);
    struct sk_fset *pre = F("{'f:a':{}}");
    sk_fset_recursive_difference(r, pre);
    expect_set(r, "{'f:d':{}}");
    const char *p[] = {"f:a", "f:c"};
    assert_true(sk_fset_has(a, p, 2));
    assert_false(sk_fset_has(b, p, 2));
    sk_fset_difference(b, b);
    assert_true(sk_fset_empty(b));
    sk_fset_free(a);
    sk_fset_free(b);
    sk_fset_free(u);
    sk_fset_free(d);
    sk_fset_free(x);
    sk_fset_free(r);
    sk_fset_free(pre);
}

struct paths {
    char buf[512];
};

static void add_path(const char *path, void *arg)
{
    struct paths *p = arg;
    strcat(p->buf, path);
    strcat(p->buf, " ");
}

static void test_path_text(void **state)
{
    (void)state;
    struct sk_fset *s =
            F("{'f:spec':{'f:replicas':{},'f:ports':{'k:{\\'port\\':80,"
              "\\'protocol\\':\\'TCP\\'}':{'.':{},'f:name':{}}},'f:f':{'v:\\'x\\'':{}}}}");
    struct paths p = {{0}};
    sk_fset_paths(s, add_path, &p);
    assert_string_equal(p.buf, ".spec.f[=\"x\"] .spec.ports[port=80,protocol=\"TCP\"] "
                               ".spec.ports[port=80,protocol=\"TCP\"].name .spec.replicas ");
    sk_fset_free(s);
}

/* ---- ToFieldSet and Compare with the schema's list types ---- */

static void test_fset_of_pod(void **state)
{
    (void)state;
    struct sk_mschema sc = {kind("v1", "Pod")};
    struct sk_val *pod = J("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','labels':{'a':"
                           "'1'},'finalizers':['x']},'spec':{'containers':[{'name':'c','image':'i',"
                           "'args':['1','2'],'ports':[{'containerPort':80}],'env':[{'name':'E',"
                           "'value':'v'}],'resources':{}}],'volumes':[{'name':'v','emptyDir':{}}],"
                           "'tolerations':[{'key':'k'}]}}");
    struct sk_fset *s = NULL;
    assert_int_equal(sk_fset_of(&sc, pod, &s, NULL), SK_OK);
    expect_set(
            s,
            "{'f:apiVersion':{},'f:kind':{},'f:metadata':{'f:finalizers':{'v:\\'x\\'':{}},"
            "'f:labels':{'f:a':{}},'f:name':{}},'f:spec':{'f:containers':{'k:{\\'name\\':\\'c\\'}':"
            "{'.':{},'f:args':{},'f:env':{'k:{\\'name\\':\\'E\\'}':{'.':{},'f:name':{},"
            "'f:value':{}}},'f:image':{},'f:name':{},'f:ports':{'k:{\\'containerPort\\':80,"
            "\\'protocol\\':\\'TCP\\'}':{'.':{},'f:containerPort':{}}},'f:resources':{}}},"
            "'f:tolerations':{},'f:volumes':{'k:{\\'name\\':\\'v\\'}':{'.':{},'f:emptyDir':{},"
            "'f:name':{}}}}}");
    sk_fset_free(s);
    /* a keyed item without its key, and a repeated key, are errors */
    struct sk_val *bad = J("{'spec':{'containers':[{'image':'i'}]}}");
    struct sk_error *e = NULL;
    assert_int_equal(sk_fset_of(&sc, bad, &s, &e), SK_EINVAL);
    assert_non_null(strstr(e->msg, ".spec.containers: element 0: associative list with keys has "
                                   "an element that omits key field \"name\""));
    sk_error_free(e);
    sk_val_free(bad);
    bad = J("{'spec':{'containers':[{'name':'a'},{'name':'a'}]}}");
    e = NULL;
    assert_int_equal(sk_fset_of(&sc, bad, &s, &e), SK_EINVAL);
    assert_non_null(strstr(e->msg, "duplicate entries for key [name=\"a\"]"));
    sk_error_free(e);
    sk_val_free(bad);
    sk_val_free(pod);
}

static void test_compare(void **state)
{
    (void)state;
    struct sk_mschema sc = {kind("apps/v1", "Deployment")};
    struct sk_val *a = J("{'spec':{'replicas':1,'template':{'spec':{'containers':[{'name':'a',"
                         "'image':'x'},{'name':'b','image':'y'}]}}}}");
    struct sk_val *b = J("{'metadata':{'labels':{'l':'1'}},'spec':{'replicas':2,'template':{'spec':"
                         "{'containers':[{'name':'b','image':'y'},{'name':'c','image':'z'}]}}}}");
    struct sk_fcompare c;
    sk_fcompare(&sc, a, b, &c);
    expect_set(c.modified, "{'f:spec':{'f:replicas':{}}}");
    expect_set(c.added, "{'f:metadata':{'f:labels':{'.':{},'f:l':{}}},'f:spec':{'f:template':"
                        "{'f:spec':{'f:containers':{'k:{\\'name\\':\\'c\\'}':{'.':{},'f:image':{},"
                        "'f:name':{}}}}}}}");
    expect_set(c.removed, "{'f:spec':{'f:template':{'f:spec':{'f:containers':{'k:{\\'name\\':"
                          "\\'a\\'}':{'.':{},'f:image':{},'f:name':{}}}}}}}");
    sk_fcompare_free(&c);
    /* reordering a keyed list changes nothing; an atomic list is a value */
    struct sk_val *a2 = J("{'spec':{'template':{'spec':{'containers':[{'name':'b','image':'y'},"
                          "{'name':'c','image':'z','args':['1']}]}}}}");
    struct sk_val *b2 = J("{'spec':{'template':{'spec':{'containers':[{'name':'c','image':'z',"
                          "'args':['2']},{'name':'b','image':'y'}]}}}}");
    sk_fcompare(&sc, a2, b2, &c);
    assert_true(sk_fset_empty(c.added));
    assert_true(sk_fset_empty(c.removed));
    expect_set(c.modified, "{'f:spec':{'f:template':{'f:spec':{'f:containers':{'k:{\\'name\\':"
                           "\\'c\\'}':{'f:args':{}}}}}}}");
    sk_fcompare_free(&c);
    /* a label selector is an atomic struct: owned as one value */
    struct sk_val *sel = J("{'spec':{'selector':{'matchLabels':{'a':'1'}}}}");
    struct sk_fset *ss = NULL;
    assert_int_equal(sk_fset_of(&sc, sel, &ss, NULL), SK_OK);
    expect_set(ss, "{'f:spec':{'f:selector':{}}}");
    sk_fset_free(ss);
    sk_val_free(sel);
    struct sk_mschema svc = {kind("v1", "Service")};
    sel = J("{'spec':{'selector':{'app':'a'},'ports':[{'port':80}]}}");
    assert_int_equal(sk_fset_of(&svc, sel, &ss, NULL), SK_OK);
    expect_set(ss, "{'f:spec':{'f:ports':{'k:{\\'port\\':80,\\'protocol\\':\\'TCP\\'}':{'.':{},"
                   "'f:port':{}}},'f:selector':{}}}");
    sk_fset_free(ss);
    sk_val_free(sel);
    sk_val_free(a);
    sk_val_free(b);
    sk_val_free(a2);
    sk_val_free(b2);
}

/* ---- the apply merge ---- */

static void test_apply_merge_order_and_atomic(void **state)
{
    (void)state;
    struct sk_mschema sc = {kind("v1", "Pod")};
    struct sk_val *live = J("{'metadata':{'labels':{'a':'1','b':'2'}},'spec':{'containers':["
                            "{'name':'x','image':'1','args':['a','b']},{'name':'y','image':'2'},"
                            "{'name':'z','image':'3'}]}}");
    struct sk_val *cfg = J("{'metadata':{'labels':{'b':'3'}},'spec':{'containers':[{'name':'z',"
                           "'image':'4'},{'name':'new','image':'5'},{'name':'x','args':['c']}]}}");
    struct sk_val *out = NULL;
    assert_int_equal(sk_apply_merge(&sc, live, cfg, &out, NULL), SK_OK);
    /* live-only items stay put, shared ones follow the config, new ones
     * come where the config has them; args is atomic */
    expect_text(out, "{'metadata':{'labels':{'a':'1','b':'3'}},'spec':{'containers':["
                     "{'name':'y','image':'2'},{'name':'z','image':'4'},{'name':'new','image':'5'},"
                     "{'name':'x','image':'1','args':['c']}]}}");
    sk_val_free(out);
    sk_val_free(live);
    sk_val_free(cfg);
}

/* ---- apply with managers ---- */

static const struct sk_mop OP_A = {"alice", "apps/v1", "", "2026-01-01T00:00:00Z"};
static const struct sk_mop OP_B = {"bob", "apps/v1", "", "2026-01-01T00:00:01Z"};

static struct sk_val *dep(int replicas, const char *image, const char *extra)
{
    char buf[1024];
    snprintf(buf, sizeof(buf),
             "{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'d'%s},'spec':{"
             "'replicas':%d,'template':{'spec':{'containers':[{'name':'c','image':'%s'}]}}}}",
             extra, replicas, image);
    return J(buf);
}

static struct sk_val *apply_ok(const struct sk_val *live, const struct sk_val *cfg,
                               const struct sk_mop *op, bool force)
{
    struct sk_mschema sc = {kind("apps/v1", "Deployment")};
    struct sk_val *out = NULL;
    struct sk_mconflicts mc = {0};
    struct sk_error *e = NULL;
    sk_err rc = sk_managed_apply(&sc, live, cfg, op, force, &out, &mc, &e);
    if (rc) fail_msg("apply failed: %s (%zu conflicts)", sk_error_msg(e, rc), mc.n);
    return out;
}

static void test_apply_conflict_and_force(void **state)
{
    (void)state;
    struct sk_mschema sc = {kind("apps/v1", "Deployment")};
    struct sk_val *c1 = dep(1, "x", "");
    struct sk_val *o1 = apply_ok(NULL, c1, &OP_A, false);
    struct sk_val *mf = sk_val_at(o1, "metadata", "managedFields", NULL);
    expect_text(mf, "[{'manager':'alice','operation':'Apply','apiVersion':'apps/v1','time':"
                    "'2026-01-01T00:00:00Z','fieldsType':'FieldsV1','fieldsV1':{'f:spec':"
                    "{'f:replicas':{},'f:template':{'f:spec':{'f:containers':{'k:{\\'name\\':"
                    "\\'c\\'}':{'.':{},'f:image':{},'f:name':{}}}}}}}}]");
    /* same values: no conflict, shared ownership */
    struct sk_val *o2 = apply_ok(o1, c1, &OP_B, false);
    assert_int_equal(sk_arr_len(sk_val_at(o2, "metadata", "managedFields", NULL)), 2);
    /* different values: two conflicts with alice, nothing changes */
    struct sk_val *c2 = dep(3, "y", "");
    struct sk_val *out = NULL;
    struct sk_mconflicts mc = {0};
    struct sk_error *e = NULL;
    struct sk_val *o1b = sk_val_dup(o1);
    assert_int_equal(sk_managed_apply(&sc, o1b, c2, &OP_B, false, &out, &mc, &e), SK_ECONFLICT);
    sk_error_free(e);
    assert_null(out);
    assert_int_equal(mc.n, 2);
    assert_string_equal(mc.v[0].manager, "\"alice\"");
    assert_string_equal(mc.v[0].path, ".spec.replicas");
    assert_string_equal(mc.v[1].path, ".spec.template.spec.containers[name=\"c\"].image");
    char *msg = sk_mconflicts_message(&mc);
    assert_string_equal(msg, "Apply failed with 2 conflicts: conflicts with \"alice\":\n"
                             "- .spec.replicas\n"
                             "- .spec.template.spec.containers[name=\"c\"].image");
    free(msg);
    sk_mconflicts_free(&mc);
    /* force takes them over */
    struct sk_val *o3 = apply_ok(o1b, c2, &OP_B, true);
    assert_int_equal(sk_val_to_int(sk_val_at(o3, "spec", "replicas", NULL), 0), 3);
    expect(sk_val_at(o3, "metadata", "managedFields", NULL),
           "[{'manager':'alice','operation':'Apply','apiVersion':'apps/v1','time':"
           "'2026-01-01T00:00:00Z','fieldsType':'FieldsV1','fieldsV1':{'f:spec':{'f:template':"
           "{'f:spec':{'f:containers':{'k:{\\'name\\':\\'c\\'}':{'.':{},'f:name':{}}}}}}}},"
           "{'manager':'bob','operation':'Apply','apiVersion':'apps/v1','time':"
           "'2026-01-01T00:00:01Z','fieldsType':'FieldsV1','fieldsV1':{'f:spec':{'f:replicas':{},"
           "'f:template':{'f:spec':{'f:containers':{'k:{\\'name\\':\\'c\\'}':{'.':{},'f:image':{},"
           "'f:name':{}}}}}}}}]");
    sk_val_free(c1);
    sk_val_free(c2);
    sk_val_free(o1);
    sk_val_free(o1b);
    sk_val_free(o2);
    sk_val_free(o3);
}

static void test_apply_prune(void **state)
{
    (void)state;
    struct sk_val *c1 = dep(1, "x", ",'labels':{'a':'1','b':'2'}");
    struct sk_val *o1 = apply_ok(NULL, c1, &OP_A, false);
    /* bob owns label b too */
    struct sk_val *cb = J("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'d',"
                          "'labels':{'b':'2'}}}");
    struct sk_val *o2 = apply_ok(o1, cb, &OP_B, false);
    /* alice drops both labels and replicas: a goes, b stays (bob's) */
    struct sk_val *c2 =
            J("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'d'},"
              "'spec':{'template':{'spec':{'containers':[{'name':'c','image':'x'}]}}}}");
    struct sk_val *o3 = apply_ok(o2, c2, &OP_A, false);
    expect(sk_val_at(o3, "metadata", "labels", NULL), "{'b':'2'}");
    assert_null(sk_val_at(o3, "spec", "replicas", NULL));
    /* a list item the applier no longer applies is removed */
    struct sk_val *c3 = J("{'apiVersion':'apps/v1','kind':'Deployment','metadata':{'name':'d'},"
                          "'spec':{'template':{'spec':{'containers':[{'name':'c','image':'x'},"
                          "{'name':'s','image':'side'}]}}}}");
    struct sk_val *o4 = apply_ok(o3, c3, &OP_A, false);
    assert_int_equal(sk_arr_len(sk_val_at(o4, "spec", "template", "spec", "containers", NULL)), 2);
    struct sk_val *o5 = apply_ok(o4, c2, &OP_A, false);
    expect(sk_val_at(o5, "spec", "template", "spec", "containers", NULL),
           "[{'name':'c','image':'x'}]");
    sk_val_free(c1);
    sk_val_free(cb);
    sk_val_free(c2);
    sk_val_free(c3);
    sk_val_free(o1);
    sk_val_free(o2);
    sk_val_free(o3);
    sk_val_free(o4);
    sk_val_free(o5);
}

/* ---- Update bookkeeping ---- */

static void test_update_entries(void **state)
{
    (void)state;
    struct sk_mschema sc = {kind("apps/v1", "Deployment")};
    struct sk_val *o = dep(1, "x", "");
    struct sk_mop create = {"creator", "apps/v1", "", "2026-01-01T00:00:00Z"};
    sk_managed_update(&sc, NULL, o, &create);
    /* the system's metadata fields are nobody's */
    struct sk_val *n = sk_val_dup(o);
    sk_val_set_at(n, sk_val_int(5), "spec", "replicas", NULL);
    sk_val_set_at(n, sk_val_str("u"), "metadata", "uid", NULL);
    struct sk_mop scale = {"scaler", "apps/v1", "scale", "2026-01-01T00:00:02Z"};
    sk_managed_update(&sc, o, n, &scale);
    expect_text(
            sk_val_at(n, "metadata", "managedFields", NULL),
            "[{'manager':'creator','operation':'Update','apiVersion':'apps/v1','time':"
            "'2026-01-01T00:00:00Z','fieldsType':'FieldsV1','fieldsV1':{'f:spec':{'f:template':"
            "{'f:spec':{'f:containers':{'k:{\\'name\\':\\'c\\'}':{'.':{},'f:image':{},"
            "'f:name':{}}}}}}}},{'manager':'scaler','operation':'Update','apiVersion':'apps/v1',"
            "'time':'2026-01-01T00:00:02Z','fieldsType':'FieldsV1','fieldsV1':{'f:spec':"
            "{'f:replicas':{}}},'subresource':'scale'}]");
    /* a client rewriting valid managedFields is believed; invalid ones are
     * ignored and the stored ones kept */
    struct sk_val *n2 = sk_val_dup(n);
    sk_val_set_at(n2,
                  J("[{'manager':'x','operation':'Nope','apiVersion':'v1',"
                    "'fieldsType':'FieldsV1','fieldsV1':{}}]"),
                  "metadata", "managedFields", NULL);
    struct sk_mop noop = {"other", "apps/v1", "", "2026-01-01T00:00:03Z"};
    sk_managed_update(&sc, n, n2, &noop);
    assert_true(sk_val_equal(sk_val_at(n2, "metadata", "managedFields", NULL),
                             sk_val_at(n, "metadata", "managedFields", NULL)));
    struct sk_val *n3 = sk_val_dup(n);
    sk_val_set_at(n3,
                  J("[{'manager':'only','operation':'Apply','apiVersion':'apps/v1',"
                    "'fieldsType':'FieldsV1','fieldsV1':{'f:spec':{'f:replicas':{}}}}]"),
                  "metadata", "managedFields", NULL);
    sk_managed_update(&sc, n, n3, &noop);
    expect(sk_val_at(n3, "metadata", "managedFields", NULL),
           "[{'manager':'only','operation':'Apply','apiVersion':'apps/v1',"
           "'fieldsType':'FieldsV1','fieldsV1':{'f:spec':{'f:replicas':{}}}}]");
    sk_val_free(o);
    sk_val_free(n);
    sk_val_free(n2);
    sk_val_free(n3);
}

static void test_cap_updaters(void **state)
{
    (void)state;
    struct sk_mschema sc = {kind("v1", "ConfigMap")};
    struct sk_val *o = J("{'apiVersion':'v1','kind':'ConfigMap','metadata':{'name':'c'}}");
    /* twelve managers each write their own key: the three oldest fold
     * into one "ancient-changes" entry, ten Update entries stay */
    for (int i = 0; i < 12; i++) {
        struct sk_val *n = sk_val_dup(o);
        char key[16], mgr[16], now[48];
        snprintf(key, sizeof(key), "k%02d", i);
        snprintf(mgr, sizeof(mgr), "m%02d", i);
        snprintf(now, sizeof(now), "2026-01-01T00:00:%02dZ", i);
        sk_val_set_at(n, sk_val_str("v"), "data", key, NULL);
        struct sk_mop op = {mgr, "v1", "", now};
        sk_managed_update(&sc, o, n, &op);
        sk_val_free(o);
        o = n;
    }
    struct sk_val *mf = sk_val_at(o, "metadata", "managedFields", NULL);
    assert_int_equal(sk_arr_len(mf), 10);
    const struct sk_val *a = sk_arr_get(mf, 0);
    assert_string_equal(sk_val_str_at(a, "manager", NULL), "ancient-changes");
    assert_string_equal(sk_val_str_at(a, "time", NULL), "2026-01-01T00:00:02Z");
    expect(sk_map_get(a, "fieldsV1"), "{'f:data':{'.':{},'f:k00':{},'f:k01':{},'f:k02':{}}}");
    assert_string_equal(sk_val_str_at(sk_arr_get(mf, 1), "manager", NULL), "m03");
    sk_val_free(o);
}

static void test_manager_name(void **state)
{
    (void)state;
    char *m = sk_managed_manager_name(NULL, "kubectl/v1.32.0 (linux/amd64) kubernetes/abc");
    assert_string_equal(m, "kubectl");
    free(m);
    m = sk_managed_manager_name("given", "kubectl/v1.32.0");
    assert_string_equal(m, "given");
    free(m);
    m = sk_managed_manager_name("", "a\tb\x01"
                                    "c");
    assert_string_equal(m, "abc");
    free(m);
    char ua[300];
    memset(ua, 'x', sizeof(ua) - 1);
    ua[sizeof(ua) - 1] = 0;
    m = sk_managed_manager_name(NULL, ua);
    assert_int_equal(strlen(m), 128);
    free(m);
    m = sk_managed_manager_name(NULL, "a\xff"
                                      "b/c");
    assert_string_equal(m, "a\xef\xbf\xbd"
                           "b");
    free(m);
    m = sk_managed_manager_name(NULL, NULL);
    assert_string_equal(m, "");
    free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_fieldsv1_roundtrip),
            cmocka_unit_test(test_fieldsv1_errors),
            cmocka_unit_test(test_set_algebra),
            cmocka_unit_test(test_path_text),
            cmocka_unit_test(test_fset_of_pod),
            cmocka_unit_test(test_compare),
            cmocka_unit_test(test_apply_merge_order_and_atomic),
            cmocka_unit_test(test_apply_conflict_and_force),
            cmocka_unit_test(test_apply_prune),
            cmocka_unit_test(test_update_entries),
            cmocka_unit_test(test_cap_updaters),
            cmocka_unit_test(test_manager_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
