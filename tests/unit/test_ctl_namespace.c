/* Tests of the namespace controller (plugins/controllers/namespace/)
 * against the fake host: a terminating namespace is emptied, reports what
 * remains in upstream's conditions, and is finalized once empty. */
#include "ctl_fakehost.h"

static struct ctl *C;

static int setup(void **state)
{
    (void)state;
    fh_init();
    C = ctl_new(FH_CTX, &FH.host, 1, FH_WALL0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fh_ctl_free(C);
    fh_fini();
    return 0;
}

static const struct sk_val *condition(const char *ns, const char *type)
{
    const struct sk_val *cs =
            sk_val_at(fh_get("namespaces", NULL, ns), "status", "conditions", NULL);
    for (size_t i = 0; i < sk_arr_len(cs); i++)
        if (fh_streq(sk_val_str_at(sk_arr_get(cs, i), "type", NULL), type))
            return sk_arr_get(cs, i);
    return NULL;
}

static void test_empties_and_finalizes(void **state)
{
    (void)state;
    fh_put("namespaces", fh_json("{\"metadata\":{\"name\":\"keep\"},\"spec\":{\"finalizers\":["
                                 "\"kubernetes\"]}}"));
    fh_put("namespaces", fh_json("{\"metadata\":{\"name\":\"shop\",\"deletionTimestamp\":"
                                 "\"2026-01-01T00:00:00Z\"},\"spec\":{\"finalizers\":["
                                 "\"kubernetes\"]},\"status\":{\"phase\":\"Terminating\"}}"));
    fh_put("pods", fh_json("{\"metadata\":{\"name\":\"p\",\"namespace\":\"shop\"}}"));
    fh_put("configmaps", fh_json("{\"metadata\":{\"name\":\"c\",\"namespace\":\"shop\"}}"));
    fh_put("apps/deployments", fh_json("{\"metadata\":{\"name\":\"d\",\"namespace\":\"shop\","
                                       "\"finalizers\":[\"example.com/hold\"]}}"));
    fh_put("configmaps", fh_json("{\"metadata\":{\"name\":\"c\",\"namespace\":\"keep\"}}"));
    assert_int_equal(ctl_start_module(C, &ctl_mod_namespace), 0);
    fh_run();
    assert_int_equal(fh_count("pods", "shop"), 0);
    assert_int_equal(fh_count("configmaps", "shop"), 0);
    assert_int_equal(fh_count("configmaps", "keep"), 1);
    /* the deployment is held by its finalizer: the namespace waits and says why */
    assert_non_null(fh_get("namespaces", NULL, "shop"));
    const struct sk_val *c = condition("shop", "NamespaceContentRemaining");
    assert_non_null(c);
    assert_string_equal(sk_val_str_at(c, "status", NULL), "True");
    assert_string_equal(sk_val_str_at(c, "reason", NULL), "SomeResourcesRemain");
    assert_string_equal(sk_val_str_at(c, "message", NULL),
                        "Some resources are remaining: deployments.apps has 1 resource instances");
    c = condition("shop", "NamespaceFinalizersRemaining");
    assert_string_equal(sk_val_str_at(c, "message", NULL),
                        "Some content in the namespace has finalizers remaining: example.com/hold "
                        "in 1 resource instances");
    c = condition("shop", "NamespaceDeletionContentFailure");
    assert_string_equal(sk_val_str_at(c, "status", NULL), "False");
    assert_string_equal(sk_val_str_at(c, "reason", NULL), "ContentDeleted");
    assert_non_null(condition("shop", "NamespaceDeletionDiscoveryFailure"));
    assert_non_null(condition("shop", "NamespaceDeletionGroupVersionParsingFailure"));
    /* the finalizer goes: so does the deployment, then the namespace */
    struct sk_val *d = sk_val_dup(fh_get("apps/deployments", "shop", "d"));
    sk_map_del(sk_map_get(d, "metadata"), "finalizers");
    fh_update("apps/deployments", d);
    fh_run();
    assert_null(fh_get("apps/deployments", "shop", "d"));
    assert_null(fh_get("namespaces", NULL, "shop"));
    assert_non_null(fh_get("namespaces", NULL, "keep"));
    /* content written later into another namespace is not touched */
    fh_advance(10);
    assert_int_equal(fh_count("configmaps", "keep"), 1);
}

static void test_empty_namespace_goes_at_once(void **state)
{
    (void)state;
    assert_int_equal(ctl_start_module(C, &ctl_mod_namespace), 0);
    fh_run();
    fh_put("namespaces", fh_json("{\"metadata\":{\"name\":\"e\",\"deletionTimestamp\":"
                                 "\"2026-01-01T00:00:00Z\"},\"spec\":{\"finalizers\":["
                                 "\"kubernetes\",\"example.com/other\"]}}"));
    fh_run();
    /* only its own finalizer is removed */
    const struct sk_val *ns = fh_get("namespaces", NULL, "e");
    assert_non_null(ns);
    const struct sk_val *f = sk_val_at(ns, "spec", "finalizers", NULL);
    assert_int_equal(sk_arr_len(f), 1);
    assert_string_equal(sk_val_cstr(sk_arr_get(f, 0)), "example.com/other");
    assert_int_equal(fh_writes(SKIFF_WRITE_DELETE, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_empties_and_finalizes, setup, teardown),
            cmocka_unit_test_setup_teardown(test_empty_namespace_goes_at_once, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
