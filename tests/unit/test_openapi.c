/* Tests for core/openapi.c: the v2 document's definitions and extensions,
 * the v3 index and a group-version document, the paths kubectl relies on
 * (explain's GVK lookup, apply's fieldValidation and strategic merge
 * checks), and the cache's answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "openapi.h"
#include "schema.h"
#include "val.h"

static bool has_str(const struct sk_val *a, const char *s)
{
    for (size_t i = 0; i < sk_arr_len(a); i++) {
        const char *e = sk_val_cstr(sk_arr_get(a, i));
        if (e && !strcmp(e, s)) return true;
    }
    return false;
}

static void assert_gvk(const struct sk_val *g, const char *group, const char *version,
                       const char *kind)
{
    assert_non_null(g);
    assert_string_equal(sk_val_cstr(sk_map_get(g, "group")), group);
    assert_string_equal(sk_val_cstr(sk_map_get(g, "version")), version);
    assert_string_equal(sk_val_cstr(sk_map_get(g, "kind")), kind);
}

/* Every "$ref" under v must name an entry of defs (after prefix). */
static size_t check_refs(const struct sk_val *v, const struct sk_val *defs, const char *prefix)
{
    size_t n = 0;
    if (!v) return 0;
    if (v->type == SK_V_MAP) {
        for (size_t i = 0; i < v->u.m.n; i++) {
            const struct sk_kv *kv = &v->u.m.kv[i];
            if (!strcmp(kv->key, "$ref")) {
                const char *r = sk_val_cstr(kv->val);
                assert_non_null(r);
                assert_int_equal(strncmp(r, prefix, strlen(prefix)), 0);
                if (!sk_map_get(defs, r + strlen(prefix))) fail_msg("dangling %s", r);
                n++;
            } else {
                n += check_refs(kv->val, defs, prefix);
            }
        }
    } else if (v->type == SK_V_ARR) {
        for (size_t i = 0; i < v->u.a.n; i++)
            n += check_refs(v->u.a.items[i], defs, prefix);
    }
    return n;
}

static struct sk_val *param(const struct sk_val *op, const char *name)
{
    const struct sk_val *ps = sk_map_get(op, "parameters");
    for (size_t i = 0; i < sk_arr_len(ps); i++)
        if (!strcmp(sk_val_str_at(sk_arr_get(ps, i), "name", NULL), name)) return sk_arr_get(ps, i);
    return NULL;
}

static void test_v2_definitions(void **state)
{
    (void)state;
    struct sk_val *doc = sk_openapi_v2();
    assert_string_equal(sk_val_cstr(sk_map_get(doc, "swagger")), "2.0");
    struct sk_val *defs = sk_map_get(doc, "definitions");
    assert_non_null(defs);

    for (size_t i = 0; sk_kinds[i]; i++) {
        const struct sk_kind *k = sk_kinds[i];
        struct sk_val *d = sk_map_get(defs, k->ref);
        if (!d) fail_msg("no definition for %s", k->ref);
        assert_string_equal(sk_val_cstr(sk_map_get(d, "type")), "object");
        assert_non_null(sk_map_get(d, "description"));
        struct sk_val *g = sk_map_get(d, "x-kubernetes-group-version-kind");
        assert_int_equal(sk_arr_len(g), 1);
        assert_gvk(sk_arr_get(g, 0), k->group, k->version, k->kind);
        assert_non_null(sk_val_at(d, "properties", "metadata", NULL));
        char list[256];
        snprintf(list, sizeof list, "%sList", k->ref);
        struct sk_val *l = sk_map_get(defs, list);
        if (!l) fail_msg("no definition for %s", list);
        assert_gvk(sk_arr_get(sk_map_get(l, "x-kubernetes-group-version-kind"), 0), k->group,
                   k->version, k->list_kind);
        assert_string_equal(sk_val_str_at(l, "properties", "items", "items", "$ref", NULL) + 14,
                            k->ref);
    }

    /* merge keys and list types on PodSpec.containers */
    struct sk_val *c =
            sk_val_at(defs, "io.k8s.api.core.v1.PodSpec", "properties", "containers", NULL);
    assert_non_null(c);
    assert_string_equal(sk_val_cstr(sk_map_get(c, "type")), "array");
    assert_string_equal(sk_val_cstr(sk_map_get(c, "x-kubernetes-patch-merge-key")), "name");
    assert_string_equal(sk_val_cstr(sk_map_get(c, "x-kubernetes-patch-strategy")), "merge");
    assert_string_equal(sk_val_cstr(sk_map_get(c, "x-kubernetes-list-type")), "map");
    assert_true(has_str(sk_map_get(c, "x-kubernetes-list-map-keys"), "name"));
    assert_string_equal(sk_val_str_at(c, "items", "$ref", NULL),
                        "#/definitions/io.k8s.api.core.v1.Container");
    assert_non_null(sk_map_get(c, "description"));
    struct sk_val *ctr = sk_map_get(defs, "io.k8s.api.core.v1.Container");
    assert_true(has_str(sk_map_get(ctr, "required"), "name"));
    struct sk_val *ports = sk_val_at(ctr, "properties", "ports", NULL);
    assert_true(has_str(sk_map_get(ports, "x-kubernetes-list-map-keys"), "containerPort"));
    assert_true(has_str(sk_map_get(ports, "x-kubernetes-list-map-keys"), "protocol"));
    /* $ref with a description beside it in v2 */
    struct sk_val *md = sk_val_at(defs, "io.k8s.api.core.v1.Pod", "properties", "metadata", NULL);
    assert_string_equal(sk_val_str_at(md, "$ref", NULL),
                        "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    assert_non_null(sk_map_get(md, "description"));
    struct sk_val *strat =
            sk_val_at(defs, "io.k8s.api.apps.v1.DeploymentSpec", "properties", "strategy", NULL);
    assert_string_equal(sk_val_cstr(sk_map_get(strat, "x-kubernetes-patch-strategy")),
                        "retainKeys");

    /* value types */
    struct sk_val *is = sk_map_get(defs, "io.k8s.apimachinery.pkg.util.intstr.IntOrString");
    assert_string_equal(sk_val_cstr(sk_map_get(is, "format")), "int-or-string");
    assert_string_equal(sk_val_cstr(sk_map_get(is, "type")), "string");
    struct sk_val *q = sk_map_get(defs, "io.k8s.apimachinery.pkg.api.resource.Quantity");
    assert_string_equal(sk_val_cstr(sk_map_get(q, "type")), "string");
    struct sk_val *t = sk_map_get(defs, "io.k8s.apimachinery.pkg.apis.meta.v1.Time");
    assert_string_equal(sk_val_cstr(sk_map_get(t, "format")), "date-time");
    struct sk_val *rep =
            sk_val_at(defs, "io.k8s.api.apps.v1.DeploymentSpec", "properties", "replicas", NULL);
    assert_string_equal(sk_val_cstr(sk_map_get(rep, "type")), "integer");
    assert_string_equal(sk_val_cstr(sk_map_get(rep, "format")), "int32");
    struct sk_val *gen = sk_val_at(defs, "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
                                   "properties", "generation", NULL);
    assert_string_equal(sk_val_cstr(sk_map_get(gen, "format")), "int64");
    struct sk_val *lim = sk_val_at(defs, "io.k8s.api.core.v1.ResourceRequirements", "properties",
                                   "limits", NULL);
    assert_string_equal(sk_val_str_at(lim, "additionalProperties", "$ref", NULL),
                        "#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity");
    assert_non_null(sk_map_get(defs, "io.k8s.apimachinery.pkg.apis.meta.v1.Status"));
    assert_non_null(sk_map_get(defs, "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"));
    struct sk_val *scale = sk_map_get(defs, "io.k8s.api.autoscaling.v1.Scale");
    assert_gvk(sk_arr_get(sk_map_get(scale, "x-kubernetes-group-version-kind"), 0), "autoscaling",
               "v1", "Scale");

    assert_true(check_refs(doc, defs, "#/definitions/") > 100);
    sk_val_free(doc);
}

static void test_v2_paths(void **state)
{
    (void)state;
    struct sk_val *doc = sk_openapi_v2();
    struct sk_val *paths = sk_map_get(doc, "paths");
    struct sk_val *item = sk_map_get(paths, "/api/v1/namespaces/{namespace}/pods/{name}");
    assert_non_null(item);
    struct sk_val *patch = sk_map_get(item, "patch");
    assert_gvk(sk_map_get(patch, "x-kubernetes-group-version-kind"), "", "v1", "Pod");
    assert_string_equal(sk_val_cstr(sk_map_get(patch, "x-kubernetes-action")), "patch");
    assert_string_equal(sk_val_cstr(sk_map_get(patch, "operationId")), "patchCoreV1NamespacedPod");
    struct sk_val *fv = param(patch, "fieldValidation");
    assert_non_null(fv);
    assert_string_equal(sk_val_cstr(sk_map_get(fv, "in")), "query");
    assert_true(has_str(sk_map_get(patch, "consumes"), "application/strategic-merge-patch+json"));
    assert_true(has_str(sk_map_get(patch, "consumes"), "application/apply-patch+yaml"));
    assert_non_null(param(patch, "body"));
    assert_non_null(sk_map_get(item, "get"));
    assert_non_null(sk_map_get(item, "put"));
    assert_non_null(sk_map_get(item, "delete"));

    struct sk_val *coll = sk_map_get(paths, "/api/v1/namespaces/{namespace}/pods");
    struct sk_val *list = sk_map_get(coll, "get");
    assert_string_equal(sk_val_cstr(sk_map_get(list, "x-kubernetes-action")), "list");
    assert_non_null(param(list, "watch"));
    assert_non_null(param(list, "labelSelector"));
    assert_string_equal(sk_val_str_at(list, "responses", "200", "schema", "$ref", NULL),
                        "#/definitions/io.k8s.api.core.v1.PodList");
    assert_non_null(sk_map_get(paths, "/api/v1/pods"));
    assert_non_null(sk_map_get(paths, "/api/v1/namespaces/{namespace}/pods/{name}/status"));
    /* cluster-scoped kinds have no namespace segment */
    assert_non_null(sk_map_get(paths, "/api/v1/nodes/{name}"));
    assert_null(sk_map_get(paths, "/api/v1/namespaces/{namespace}/nodes"));
    struct sk_val *sc =
            sk_map_get(paths, "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale");
    assert_gvk(sk_val_at(sc, "patch", "x-kubernetes-group-version-kind", NULL), "autoscaling", "v1",
               "Scale");
    assert_non_null(param(sk_map_get(sc, "patch"), "fieldValidation"));
    assert_non_null(sk_map_get(paths, "/apis/batch/v1/namespaces/{namespace}/cronjobs"));
    sk_val_free(doc);
}

static struct sk_val *v3_doc(const struct sk_openapi *o, const char *url)
{
    struct sk_openapi_body b;
    assert_true(sk_openapi_lookup(o, url, NULL, "application/json", &b));
    assert_int_equal(b.status, 200);
    assert_string_equal(b.cache_control, "public, immutable");
    struct sk_val *d = NULL;
    assert_int_equal(sk_json_parse(b.body, b.len, &d, NULL), SK_OK);
    return d;
}

static void test_v3(void **state)
{
    (void)state;
    struct sk_openapi *o = sk_openapi_new();
    struct sk_openapi_body b;
    assert_true(sk_openapi_lookup(o, "/openapi/v3", NULL, "application/json, */*", &b));
    assert_int_equal(b.status, 200);
    struct sk_val *index = NULL;
    assert_int_equal(sk_json_parse(b.body, b.len, &index, NULL), SK_OK);
    const char *core = sk_val_str_at(index, "paths", "api/v1", "serverRelativeURL", NULL);
    const char *apps = sk_val_str_at(index, "paths", "apis/apps/v1", "serverRelativeURL", NULL);
    assert_non_null(core);
    assert_non_null(apps);
    assert_int_equal(strncmp(core, "/openapi/v3/api/v1?hash=", 24), 0);
    assert_int_equal(strncmp(apps, "/openapi/v3/apis/apps/v1?hash=", 30), 0);
    assert_non_null(sk_val_at(index, "paths", "apis/batch/v1", NULL));
    assert_non_null(sk_val_at(index, "paths", "apis/networking.k8s.io/v1", NULL));

    struct sk_val *d = v3_doc(o, apps);
    assert_string_equal(sk_val_cstr(sk_map_get(d, "openapi")), "3.0.0");
    struct sk_val *schemas = sk_val_at(d, "components", "schemas", NULL);
    struct sk_val *dep = sk_map_get(schemas, "io.k8s.api.apps.v1.Deployment");
    assert_gvk(sk_arr_get(sk_map_get(dep, "x-kubernetes-group-version-kind"), 0), "apps", "v1",
               "Deployment");
    /* a described reference is wrapped in allOf in v3 */
    struct sk_val *md = sk_val_at(dep, "properties", "metadata", NULL);
    assert_null(sk_map_get(md, "$ref"));
    assert_string_equal(sk_val_str_at(sk_arr_get(sk_map_get(md, "allOf"), 0), "$ref", NULL),
                        "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    assert_non_null(sk_map_get(md, "description"));
    /* the pod template's schemas travel with the apps document */
    assert_non_null(sk_map_get(schemas, "io.k8s.api.core.v1.PodSpec"));
    assert_non_null(sk_map_get(schemas, "io.k8s.api.core.v1.Container"));
    assert_null(sk_map_get(schemas, "io.k8s.api.core.v1.Pod"));
    struct sk_val *is = sk_map_get(schemas, "io.k8s.apimachinery.pkg.util.intstr.IntOrString");
    assert_string_equal(sk_val_cstr(sk_map_get(is, "format")), "int-or-string");
    assert_int_equal(sk_arr_len(sk_map_get(is, "oneOf")), 2);
    assert_true(check_refs(d, schemas, "#/components/schemas/") > 50);

    struct sk_val *paths = sk_map_get(d, "paths");
    struct sk_val *patch = sk_val_at(
            paths, "/apis/apps/v1/namespaces/{namespace}/deployments/{name}", "patch", NULL);
    assert_gvk(sk_map_get(patch, "x-kubernetes-group-version-kind"), "apps", "v1", "Deployment");
    struct sk_val *fv = param(patch, "fieldValidation");
    assert_string_equal(sk_val_cstr(sk_map_get(fv, "in")), "query");
    assert_string_equal(sk_val_str_at(fv, "schema", "type", NULL), "string");
    assert_non_null(sk_val_at(patch, "requestBody", "content",
                              "application/strategic-merge-patch+json", NULL));
    struct sk_val *list =
            sk_val_at(paths, "/apis/apps/v1/namespaces/{namespace}/deployments", "get", NULL);
    assert_gvk(sk_map_get(list, "x-kubernetes-group-version-kind"), "apps", "v1", "Deployment");
    assert_non_null(sk_val_at(list, "responses", "200", "content", "application/json", NULL));
    assert_null(sk_val_at(paths, "/api/v1/namespaces/{namespace}/pods", NULL));
    sk_val_free(d);

    d = v3_doc(o, core);
    schemas = sk_val_at(d, "components", "schemas", NULL);
    struct sk_val *pod = sk_map_get(schemas, "io.k8s.api.core.v1.Pod");
    assert_gvk(sk_arr_get(sk_map_get(pod, "x-kubernetes-group-version-kind"), 0), "", "v1", "Pod");
    struct sk_val *c =
            sk_val_at(schemas, "io.k8s.api.core.v1.PodSpec", "properties", "containers", NULL);
    assert_string_equal(sk_val_cstr(sk_map_get(c, "x-kubernetes-patch-merge-key")), "name");
    assert_null(sk_map_get(schemas, "io.k8s.api.apps.v1.Deployment"));
    assert_non_null(sk_val_at(d, "paths", "/api/v1/namespaces/{namespace}/pods", "get",
                              "x-kubernetes-group-version-kind", NULL));
    check_refs(d, schemas, "#/components/schemas/");
    sk_val_free(d);
    sk_val_free(index);

    /* without the hash the answer is the same but not cacheable for good */
    assert_true(sk_openapi_lookup(o, "/openapi/v3/apis/apps/v1", NULL, NULL, &b));
    assert_string_equal(b.cache_control, "no-cache, private");
    assert_true(sk_openapi_lookup(o, "/openapi/v3/apis/apps/v1", "hash=0000", NULL, &b));
    assert_string_equal(b.cache_control, "no-cache, private");
    assert_false(sk_openapi_lookup(o, "/openapi/v3/apis/apps/v2", NULL, NULL, &b));
    assert_false(sk_openapi_lookup(o, "/openapi/v4", NULL, NULL, &b));
    assert_false(sk_openapi_lookup(o, "/openapi", NULL, NULL, &b));

    /* v2: JSON when JSON is acceptable, 406 for protobuf only */
    assert_true(sk_openapi_lookup(o, "/openapi/v2", NULL, "application/json", &b));
    assert_int_equal(b.status, 200);
    assert_true(b.len > 1000);
    assert_non_null(b.etag);
    assert_true(sk_openapi_lookup(o, "/openapi/v2?timeout=32s", NULL,
                                  "application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
                                  &b));
    assert_int_equal(b.status, 406);
    assert_null(b.body);
    assert_true(sk_openapi_lookup(o, "/openapi/v2", NULL, NULL, &b));
    assert_int_equal(b.status, 200);
    sk_openapi_free(o);
    sk_openapi_free(NULL);

    assert_null(sk_openapi_v3("nope", "v1"));
    assert_null(sk_openapi_v3("apps", NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_v2_definitions),
            cmocka_unit_test(test_v2_paths),
            cmocka_unit_test(test_v3),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
