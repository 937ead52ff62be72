/* Tests of the garbage collector (plugins/controllers/gc/) against the
 * fake host: Background, Foreground (blockOwnerDeletion first) and Orphan
 * propagation, owners matched by uid, and dependents with several owners. */
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

static void start(void)
{
    assert_int_equal(ctl_start_module(C, &ctl_mod_gc), 0);
    fh_run();
}

static const char *uid_of(const char *resource, const char *name)
{
    return sk_val_str_at(fh_get(resource, "default", name), "metadata", "uid", NULL);
}

static void rs(const char *name, const char *owner_uid)
{
    if (owner_uid)
        fh_put("apps/replicasets",
               fh_jsonf("{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"metadata\":{"
                        "\"name\":\"%s\",\"namespace\":\"default\",\"ownerReferences\":[{"
                        "\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"name\":\"d\","
                        "\"uid\":\"%s\",\"controller\":true,\"blockOwnerDeletion\":true}]}}",
                        name, owner_uid));
    else
        fh_put("apps/replicasets",
               fh_jsonf("{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"metadata\":{"
                        "\"name\":\"%s\",\"namespace\":\"default\"}}",
                        name));
}

static void pod(const char *name, const char *rs_name, bool block)
{
    fh_put("pods",
           fh_jsonf("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":"
                    "\"%s\",\"namespace\":\"default\",\"ownerReferences\":[{"
                    "\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"%s\","
                    "\"uid\":\"%s\",\"controller\":true,\"blockOwnerDeletion\":%s}]},"
                    "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\"}]}}",
                    name, rs_name, uid_of("apps/replicasets", rs_name), block ? "true" : "false"));
}

static void tree(void)
{
    fh_put("apps/deployments",
           fh_json("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":"
                   "\"d\",\"namespace\":\"default\"}}"));
    rs("rs1", uid_of("apps/deployments", "d"));
    pod("p1", "rs1", true);
    pod("p2", "rs1", false);
}

static void test_background(void **state)
{
    (void)state;
    tree();
    pod("lonely", "rs1", true);
    start();
    /* nothing is dangling yet */
    assert_int_equal(fh_count("pods", "default"), 3);
    assert_int_equal(fh_writes(0, NULL), 0);
    assert_int_equal(fh_delete("apps/deployments", "default", "d", NULL), SKIFF_OK);
    fh_run();
    assert_int_equal(fh_count("apps/replicasets", "default"), 0);
    assert_int_equal(fh_count("pods", "default"), 0);
}

static void test_foreground(void **state)
{
    (void)state;
    tree();
    start();
    static const char *const fg[] = {"foregroundDeletion", NULL};
    fh_delete("apps/deployments", "default", "d", fg);
    /* one step at a time: the owner stays while a blocking dependent is there */
    assert_non_null(fh_get("apps/deployments", "default", "d"));
    fh_run();
    assert_null(fh_get("apps/deployments", "default", "d"));
    assert_int_equal(fh_count("apps/replicasets", "default"), 0);
    assert_int_equal(fh_count("pods", "default"), 0);
    /* the RS had dependents: it was itself deleted in the foreground,
     * after p1 (blocking) was deleted */
    size_t del_p1 = 0, del_rs = 0, upd_rs = 0;
    for (size_t i = 0; i < FH.nwrites; i++) {
        struct fh_write *w = &FH.writes[i];
        if (w->op == SKIFF_WRITE_DELETE && !strcmp(w->name, "p1")) del_p1 = i + 1;
        if (w->op == SKIFF_WRITE_DELETE && !strcmp(w->name, "rs1")) del_rs = i + 1;
        if (w->op == SKIFF_WRITE_UPDATE && !strcmp(w->name, "rs1") && !upd_rs) upd_rs = i + 1;
    }
    assert_true(del_rs && upd_rs && upd_rs < del_rs);
    assert_true(del_p1 > del_rs);
}

static void test_foreground_waits_for_blocking(void **state)
{
    (void)state;
    rs("solo", NULL);
    pod("b", "solo", true);
    pod("nb", "solo", false);
    /* b cannot be deleted at once: it has a finalizer of someone else */
    struct sk_val *b = sk_val_dup(fh_get("pods", "default", "b"));
    sk_val_set_at(b, fh_json("[\"example.com/hold\"]"), "metadata", "finalizers", NULL);
    fh_update("pods", b);
    start();
    static const char *const fg[] = {"foregroundDeletion", NULL};
    fh_delete("apps/replicasets", "default", "solo", fg);
    fh_run();
    /* b is being deleted but still there: the owner waits */
    assert_non_null(fh_get("pods", "default", "b"));
    assert_non_null(
            sk_val_at(fh_get("pods", "default", "b"), "metadata", "deletionTimestamp", NULL));
    assert_non_null(fh_get("apps/replicasets", "default", "solo"));
    /* the other finalizer goes: so do b, then the owner, then nb */
    b = sk_val_dup(fh_get("pods", "default", "b"));
    sk_map_del(sk_map_get(b, "metadata"), "finalizers");
    fh_update("pods", b);
    fh_run();
    assert_null(fh_get("pods", "default", "b"));
    assert_null(fh_get("apps/replicasets", "default", "solo"));
    assert_null(fh_get("pods", "default", "nb"));
}

static void test_orphan(void **state)
{
    (void)state;
    tree();
    start();
    static const char *const orphan[] = {"orphan", NULL};
    fh_delete("apps/replicasets", "default", "rs1", orphan);
    fh_run();
    assert_null(fh_get("apps/replicasets", "default", "rs1"));
    assert_int_equal(fh_count("pods", "default"), 2);
    assert_null(sk_val_at(fh_get("pods", "default", "p1"), "metadata", "ownerReferences", NULL));
    assert_null(sk_val_at(fh_get("pods", "default", "p2"), "metadata", "ownerReferences", NULL));
    /* the deployment was not touched */
    assert_non_null(fh_get("apps/deployments", "default", "d"));
}

static void test_owner_identity_by_uid(void **state)
{
    (void)state;
    rs("r", NULL);
    pod("p", "r", true);
    /* the owner is deleted and recreated with the same name before the
     * collector runs: the pod's owner is gone all the same */
    fh_delete("apps/replicasets", "default", "r", NULL);
    rs("r", NULL);
    start();
    assert_null(fh_get("pods", "default", "p"));
    assert_non_null(fh_get("apps/replicasets", "default", "r"));
}

static void test_other_owner_keeps_it(void **state)
{
    (void)state;
    rs("a", NULL);
    rs("b", NULL);
    fh_put("pods", fh_jsonf("{\"metadata\":{\"name\":\"shared\",\"namespace\":\"default\","
                            "\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":"
                            "\"ReplicaSet\",\"name\":\"a\",\"uid\":\"%s\"},{\"apiVersion\":"
                            "\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"b\",\"uid\":\"%s\"}]},"
                            "\"spec\":{}}",
                            uid_of("apps/replicasets", "a"), uid_of("apps/replicasets", "b")));
    /* an owner of a kind the collector does not follow is never "gone" */
    fh_put("pods", fh_json("{\"metadata\":{\"name\":\"custom\",\"namespace\":\"default\","
                           "\"ownerReferences\":[{\"apiVersion\":\"example.com/v1\",\"kind\":"
                           "\"Widget\",\"name\":\"w\",\"uid\":\"w-uid\"}]},\"spec\":{}}"));
    start();
    fh_delete("apps/replicasets", "default", "a", NULL);
    fh_run();
    const struct sk_val *p = fh_get("pods", "default", "shared");
    assert_non_null(p);
    const struct sk_val *refs = sk_val_at(p, "metadata", "ownerReferences", NULL);
    assert_int_equal(sk_arr_len(refs), 1);
    assert_string_equal(sk_val_str_at(sk_arr_get(refs, 0), "name", NULL), "b");
    assert_non_null(fh_get("pods", "default", "custom"));
    fh_delete("apps/replicasets", "default", "b", NULL);
    fh_run();
    assert_null(fh_get("pods", "default", "shared"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_background, setup, teardown),
            cmocka_unit_test_setup_teardown(test_foreground, setup, teardown),
            cmocka_unit_test_setup_teardown(test_foreground_waits_for_blocking, setup, teardown),
            cmocka_unit_test_setup_teardown(test_orphan, setup, teardown),
            cmocka_unit_test_setup_teardown(test_owner_identity_by_uid, setup, teardown),
            cmocka_unit_test_setup_teardown(test_other_owner_keeps_it, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
