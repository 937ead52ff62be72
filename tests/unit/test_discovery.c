/* Tests for core/discovery.c: legacy and aggregated discovery bodies for
 * the core and apps groups, Accept negotiation, and the cache the API
 * serves from. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "discovery.h"
#include "json.h"
#include "val.h"

#define KUBECTL_ACCEPT                                                                             \
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/"            \
    "json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"

/* The element of array a whose key k equals v. */
static struct sk_val *find(const struct sk_val *a, const char *k, const char *v)
{
    for (size_t i = 0; i < sk_arr_len(a); i++) {
        struct sk_val *e = sk_arr_get(a, i);
        const char *s = sk_val_cstr(sk_map_get(e, k));
        if (s && !strcmp(s, v)) return e;
    }
    return NULL;
}

static bool has_str(const struct sk_val *a, const char *s)
{
    for (size_t i = 0; i < sk_arr_len(a); i++)
        if (!strcmp(sk_val_cstr(sk_arr_get(a, i)) ? sk_val_cstr(sk_arr_get(a, i)) : "", s))
            return true;
    return false;
}

static void assert_verbs(const struct sk_val *a, const char *const *want)
{
    size_t n = 0;
    for (; want[n]; n++)
        assert_string_equal(sk_val_cstr(sk_arr_get(a, n)), want[n]);
    assert_int_equal(sk_arr_len(a), n);
}

static const char *const all_verbs[] = {
        "create", "delete", "deletecollection", "get", "list", "patch", "update", "watch", NULL};
static const char *const gpu[] = {"get", "patch", "update", NULL};

static void test_core_v1(void **state)
{
    (void)state;
    struct sk_val *l = sk_discovery_resource_list("", "v1");
    assert_non_null(l);
    assert_string_equal(sk_val_cstr(sk_map_get(l, "kind")), "APIResourceList");
    assert_null(sk_map_get(l, "apiVersion")); /* as kube-apiserver: absent for core */
    assert_string_equal(sk_val_cstr(sk_map_get(l, "groupVersion")), "v1");
    struct sk_val *rs = sk_map_get(l, "resources");

    struct sk_val *pods = find(rs, "name", "pods");
    assert_non_null(pods);
    assert_string_equal(sk_val_cstr(sk_map_get(pods, "singularName")), "pod");
    assert_string_equal(sk_val_cstr(sk_map_get(pods, "kind")), "Pod");
    assert_true(sk_val_to_bool(sk_map_get(pods, "namespaced"), false));
    assert_verbs(sk_map_get(pods, "verbs"), all_verbs);
    assert_true(has_str(sk_map_get(pods, "shortNames"), "po"));
    assert_true(has_str(sk_map_get(pods, "categories"), "all"));
    const char *h = sk_val_cstr(sk_map_get(pods, "storageVersionHash"));
    assert_non_null(h);
    assert_int_equal(strlen(h), 12);

    struct sk_val *log = find(rs, "name", "pods/log");
    assert_non_null(log);
    assert_string_equal(sk_val_cstr(sk_map_get(log, "kind")), "Pod");
    assert_string_equal(sk_val_cstr(sk_map_get(log, "singularName")), "");
    const char *const g[] = {"get", NULL};
    assert_verbs(sk_map_get(log, "verbs"), g);
    struct sk_val *exec = find(rs, "name", "pods/exec");
    assert_non_null(exec);
    assert_string_equal(sk_val_cstr(sk_map_get(exec, "kind")), "PodExecOptions");
    const char *const cg[] = {"create", "get", NULL};
    assert_verbs(sk_map_get(exec, "verbs"), cg);
    struct sk_val *st = find(rs, "name", "pods/status");
    assert_non_null(st);
    assert_verbs(sk_map_get(st, "verbs"), gpu);
    struct sk_val *ev = find(rs, "name", "pods/eviction");
    assert_non_null(ev);
    assert_string_equal(sk_val_cstr(sk_map_get(ev, "group")), "policy");

    struct sk_val *ns = find(rs, "name", "namespaces");
    assert_false(sk_val_to_bool(sk_map_get(ns, "namespaced"), true));
    assert_false(has_str(sk_map_get(ns, "verbs"), "deletecollection"));
    assert_non_null(find(rs, "name", "namespaces/finalize"));
    struct sk_val *svc = find(rs, "name", "services");
    assert_true(has_str(sk_map_get(svc, "shortNames"), "svc"));
    struct sk_val *rcs = find(rs, "name", "replicationcontrollers/scale");
    assert_non_null(rcs);
    assert_string_equal(sk_val_cstr(sk_map_get(rcs, "kind")), "Scale");
    struct sk_val *tok = find(rs, "name", "serviceaccounts/token");
    assert_non_null(tok);
    assert_string_equal(sk_val_cstr(sk_map_get(tok, "group")), "authentication.k8s.io");
    assert_null(find(rs, "name", "deployments"));

    /* resources come sorted by name, each followed by its subresources */
    const char *prev = "";
    for (size_t i = 0; i < sk_arr_len(rs); i++) {
        const char *n = sk_val_cstr(sk_map_get(sk_arr_get(rs, i), "name"));
        assert_true(strcmp(prev, n) < 0);
        prev = n;
    }
    sk_val_free(l);
}

static void test_apps_v1(void **state)
{
    (void)state;
    struct sk_val *l = sk_discovery_resource_list("apps", "v1");
    assert_non_null(l);
    assert_string_equal(sk_val_cstr(sk_map_get(l, "apiVersion")), "v1");
    assert_string_equal(sk_val_cstr(sk_map_get(l, "groupVersion")), "apps/v1");
    struct sk_val *rs = sk_map_get(l, "resources");
    struct sk_val *d = find(rs, "name", "deployments");
    assert_non_null(d);
    assert_string_equal(sk_val_cstr(sk_map_get(d, "kind")), "Deployment");
    assert_true(has_str(sk_map_get(d, "shortNames"), "deploy"));
    assert_verbs(sk_map_get(d, "verbs"), all_verbs);
    struct sk_val *sc = find(rs, "name", "deployments/scale");
    assert_non_null(sc);
    assert_string_equal(sk_val_cstr(sk_map_get(sc, "group")), "autoscaling");
    assert_string_equal(sk_val_cstr(sk_map_get(sc, "version")), "v1");
    assert_string_equal(sk_val_cstr(sk_map_get(sc, "kind")), "Scale");
    assert_verbs(sk_map_get(sc, "verbs"), gpu);
    struct sk_val *st = find(rs, "name", "deployments/status");
    assert_non_null(st);
    assert_null(sk_map_get(st, "group"));
    assert_string_equal(sk_val_cstr(sk_map_get(st, "kind")), "Deployment");
    assert_non_null(find(rs, "name", "statefulsets/scale"));
    assert_non_null(find(rs, "name", "replicasets/scale"));
    assert_null(find(rs, "name", "daemonsets/scale"));
    assert_non_null(find(rs, "name", "controllerrevisions"));
    sk_val_free(l);

    assert_null(sk_discovery_resource_list("apps", "v1beta1"));
    assert_null(sk_discovery_resource_list("nope.example.com", "v1"));
    assert_null(sk_discovery_resource_list(NULL, NULL));
}

static void test_versions_and_groups(void **state)
{
    (void)state;
    struct sk_val *v = sk_discovery_api_versions("10.0.0.5:6443");
    char *s = sk_json_dump(v, SK_JSON_COMPACT, NULL);
    assert_string_equal(s, "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],"
                           "\"serverAddressByClientCIDRs\":[{\"clientCIDR\":\"0.0.0.0/0\","
                           "\"serverAddress\":\"10.0.0.5:6443\"}]}");
    free(s);
    sk_val_free(v);

    struct sk_val *gl = sk_discovery_group_list();
    assert_string_equal(sk_val_cstr(sk_map_get(gl, "kind")), "APIGroupList");
    struct sk_val *groups = sk_map_get(gl, "groups");
    struct sk_val *apps = find(groups, "name", "apps");
    assert_non_null(apps);
    assert_string_equal(sk_val_str_at(apps, "preferredVersion", "groupVersion", NULL), "apps/v1");
    assert_string_equal(sk_val_str_at(apps, "preferredVersion", "version", NULL), "v1");
    assert_non_null(find(groups, "name", "batch"));
    assert_non_null(find(groups, "name", "networking.k8s.io"));
    assert_null(find(groups, "name", ""));
    sk_val_free(gl);

    struct sk_val *g = sk_discovery_group("batch");
    assert_string_equal(sk_val_cstr(sk_map_get(g, "kind")), "APIGroup");
    assert_string_equal(
            sk_val_cstr(sk_map_get(sk_arr_get(sk_map_get(g, "versions"), 0), "groupVersion")),
            "batch/v1");
    sk_val_free(g);
    assert_null(sk_discovery_group("nope"));
    assert_null(sk_discovery_group(""));
}

static void test_aggregated(void **state)
{
    (void)state;
    struct sk_val *a = sk_discovery_aggregated(true, SK_DISC_AGG_V2);
    assert_string_equal(sk_val_cstr(sk_map_get(a, "kind")), "APIGroupDiscoveryList");
    assert_string_equal(sk_val_cstr(sk_map_get(a, "apiVersion")), "apidiscovery.k8s.io/v2");
    struct sk_val *items = sk_map_get(a, "items");
    assert_int_equal(sk_arr_len(items), 1);
    struct sk_val *core = sk_arr_get(items, 0);
    assert_null(sk_val_at(core, "metadata", "name", NULL));
    struct sk_val *v1 = sk_arr_get(sk_map_get(core, "versions"), 0);
    assert_string_equal(sk_val_cstr(sk_map_get(v1, "version")), "v1");
    assert_string_equal(sk_val_cstr(sk_map_get(v1, "freshness")), "Current");
    struct sk_val *pods = find(sk_map_get(v1, "resources"), "resource", "pods");
    assert_non_null(pods);
    assert_string_equal(sk_val_str_at(pods, "responseKind", "kind", NULL), "Pod");
    assert_string_equal(sk_val_str_at(pods, "responseKind", "group", NULL), "");
    assert_string_equal(sk_val_str_at(pods, "responseKind", "version", NULL), "v1");
    assert_string_equal(sk_val_cstr(sk_map_get(pods, "scope")), "Namespaced");
    assert_string_equal(sk_val_cstr(sk_map_get(pods, "singularResource")), "pod");
    assert_true(has_str(sk_map_get(pods, "shortNames"), "po"));
    assert_null(sk_map_get(pods, "storageVersionHash"));
    struct sk_val *subs = sk_map_get(pods, "subresources");
    struct sk_val *log = find(subs, "subresource", "log");
    assert_non_null(log);
    assert_string_equal(sk_val_str_at(log, "responseKind", "kind", NULL), "Pod");
    assert_non_null(find(subs, "subresource", "status"));
    assert_non_null(find(subs, "subresource", "exec"));
    struct sk_val *nodes = find(sk_map_get(v1, "resources"), "resource", "nodes");
    assert_string_equal(sk_val_cstr(sk_map_get(nodes, "scope")), "Cluster");
    sk_val_free(a);

    a = sk_discovery_aggregated(false, SK_DISC_AGG_V2BETA1);
    assert_string_equal(sk_val_cstr(sk_map_get(a, "apiVersion")), "apidiscovery.k8s.io/v2beta1");
    items = sk_map_get(a, "items");
    struct sk_val *apps = NULL;
    for (size_t i = 0; i < sk_arr_len(items); i++) {
        const char *n = sk_val_str_at(sk_arr_get(items, i), "metadata", "name", NULL);
        assert_non_null(n); /* every /apis item names its group */
        if (!strcmp(n, "apps")) apps = sk_arr_get(items, i);
    }
    assert_non_null(apps);
    struct sk_val *av1 = sk_arr_get(sk_map_get(apps, "versions"), 0);
    struct sk_val *dep = find(sk_map_get(av1, "resources"), "resource", "deployments");
    struct sk_val *scale = find(sk_map_get(dep, "subresources"), "subresource", "scale");
    assert_string_equal(sk_val_str_at(scale, "responseKind", "group", NULL), "autoscaling");
    assert_string_equal(sk_val_str_at(scale, "responseKind", "version", NULL), "v1");
    assert_string_equal(sk_val_str_at(scale, "responseKind", "kind", NULL), "Scale");
    assert_verbs(sk_map_get(scale, "verbs"), gpu);
    sk_val_free(a);
}

static void test_accept(void **state)
{
    (void)state;
    assert_int_equal(sk_discovery_form(KUBECTL_ACCEPT), SK_DISC_AGG_V2);
    assert_int_equal(sk_discovery_form("application/json;g=apidiscovery.k8s.io;v=v2beta1;"
                                       "as=APIGroupDiscoveryList,application/json"),
                     SK_DISC_AGG_V2BETA1);
    assert_int_equal(sk_discovery_form("application/json"), SK_DISC_LEGACY);
    assert_int_equal(sk_discovery_form("application/json, */*"), SK_DISC_LEGACY);
    assert_int_equal(sk_discovery_form(NULL), SK_DISC_LEGACY);
    assert_int_equal(sk_discovery_form(""), SK_DISC_LEGACY);
    assert_int_equal(sk_discovery_form("application/json;g=apidiscovery.k8s.io;v=v2;"
                                       "as=APIGroupDiscoveryList;q=0,application/json"),
                     SK_DISC_LEGACY);
    assert_int_equal(sk_discovery_form("application/json; g=apidiscovery.k8s.io; v=v2; "
                                       "as=APIGroupDiscoveryList"),
                     SK_DISC_AGG_V2);
    assert_int_equal(sk_discovery_form("application/yaml;g=apidiscovery.k8s.io;v=v2;"
                                       "as=APIGroupDiscoveryList"),
                     SK_DISC_LEGACY);
    assert_int_equal(sk_discovery_form("application/json;g=apidiscovery.k8s.io;v=v3;"
                                       "as=APIGroupDiscoveryList"),
                     SK_DISC_LEGACY);
}

static void test_cache(void **state)
{
    (void)state;
    struct sk_discovery *d = sk_discovery_new("127.0.0.1:7443");
    struct sk_disc_body b;

    assert_true(sk_discovery_lookup(d, "/api", KUBECTL_ACCEPT, &b));
    assert_string_equal(b.content_type,
                        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
    struct sk_val *got = NULL;
    assert_int_equal(sk_json_parse(b.body, b.len, &got, NULL), SK_OK);
    struct sk_val *want = sk_discovery_aggregated(true, SK_DISC_AGG_V2);
    assert_true(sk_val_equal(got, want));
    sk_val_free(got);
    sk_val_free(want);
    assert_true(b.etag[0] == '"' && strlen(b.etag) > 2);
    const char *etag = b.etag;

    assert_true(sk_discovery_lookup(d, "/api?timeout=32s", KUBECTL_ACCEPT, &b));
    assert_ptr_equal(b.etag, etag);
    assert_true(sk_discovery_lookup(d, "/api", "application/json, */*", &b));
    assert_string_equal(b.content_type, "application/json");
    assert_non_null(strstr(b.body, "\"serverAddress\":\"127.0.0.1:7443\""));

    assert_true(sk_discovery_lookup(d, "/apis", KUBECTL_ACCEPT, &b));
    assert_non_null(strstr(b.body, "\"APIGroupDiscoveryList\""));
    assert_true(sk_discovery_lookup(d, "/apis", NULL, &b));
    assert_non_null(strstr(b.body, "\"APIGroupList\""));
    /* group-version paths are legacy whatever the client accepts */
    assert_true(sk_discovery_lookup(d, "/api/v1", KUBECTL_ACCEPT, &b));
    assert_string_equal(b.content_type, "application/json");
    assert_non_null(strstr(b.body, "\"APIResourceList\""));
    assert_true(sk_discovery_lookup(d, "/apis/apps/v1/", NULL, &b));
    assert_non_null(strstr(b.body, "\"deployments/scale\""));
    assert_true(sk_discovery_lookup(d, "/apis/apps", NULL, &b));
    assert_non_null(strstr(b.body, "\"APIGroup\""));
    assert_true(sk_discovery_lookup(d, "/apis/batch/v1", NULL, &b));
    assert_true(sk_discovery_lookup(d, "/apis/networking.k8s.io/v1", NULL, &b));

    assert_false(sk_discovery_lookup(d, "/apis/apps/v2", NULL, &b));
    assert_false(sk_discovery_lookup(d, "/apis/nope", NULL, &b));
    assert_false(sk_discovery_lookup(d, "/api/v1/pods", NULL, &b));
    assert_false(sk_discovery_lookup(d, "/apix", NULL, &b));
    assert_false(sk_discovery_lookup(d, "/", NULL, &b));
    assert_false(sk_discovery_lookup(d, "", NULL, &b));
    assert_false(sk_discovery_lookup(NULL, "/api", NULL, &b));
    sk_discovery_free(d);
    sk_discovery_free(NULL);
}

static void test_hash(void **state)
{
    (void)state;
    char a[16], b[16], c[16];
    sk_discovery_version_hash("", "v1", "Pod", a);
    sk_discovery_version_hash("", "v1", "Pod", b);
    sk_discovery_version_hash("apps", "v1", "Deployment", c);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_int_equal(strlen(a), 12);
    assert_int_equal(a[11], '=');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_core_v1),
            cmocka_unit_test(test_apps_v1),
            cmocka_unit_test(test_versions_and_groups),
            cmocka_unit_test(test_aggregated),
            cmocka_unit_test(test_accept),
            cmocka_unit_test(test_cache),
            cmocka_unit_test(test_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
