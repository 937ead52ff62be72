/* Tests of the ReplicaSet / ReplicationController controller
 * (plugins/controllers/replicaset): the surplus-pod order, slow-start
 * batches and status as pure functions, then scale up and down, adoption
 * and release, replacement and failures against the fake host. */
#include "ctl_fakehost.h"

#include "../../plugins/controllers/podutil.h"
#include "../../plugins/controllers/replicaset/rs_logic.h"
#include "ctl_apps.h"

static struct sk_val *podf(const char *name, const char *node, const char *phase, bool ready,
                           double ready_at, int restarts, double created)
{
    char rt[32], ct[32];
    fh_fmt_time(ready_at, rt);
    fh_fmt_time(created, ct);
    return fh_jsonf("{\"metadata\":{\"name\":\"%s\",\"uid\":\"u-%s\",\"creationTimestamp\":\"%s\"},"
                    "\"spec\":{\"nodeName\":\"%s\"},"
                    "\"status\":{\"phase\":\"%s\",\"conditions\":[{\"type\":\"Ready\",\"status\":"
                    "\"%s\",\"lastTransitionTime\":\"%s\"}],"
                    "\"containerStatuses\":[{\"name\":\"c\",\"restartCount\":%d}]}}",
                    name, name, ct, node, phase, ready ? "True" : "False", rt, restarts);
}

/* ---- pure ---- */

static void test_surplus_order(void **state)
{
    (void)state;
    double now = FH_WALL0 + 100000;
    struct sk_val *p[8];
    /* expected deletion order: a (unassigned) < b (Pending) < c (Unknown)
     * < d (not ready) < e (ready for a short time) < f (ready long, more
     * restarts) < g (ready long, newer) < h (ready long, older) */
    p[0] = podf("h", "n1", "Running", true, now - 60000, 0, now - 90000);
    p[1] = podf("g", "n1", "Running", true, now - 60000, 0, now - 70000);
    p[2] = podf("a", "", "Pending", false, now, 0, now - 10);
    p[3] = podf("f", "n1", "Running", true, now - 60000, 5, now - 90000);
    p[4] = podf("c", "n1", "Unknown", false, now, 0, now - 10);
    p[5] = podf("e", "n1", "Running", true, now - 10, 0, now - 90000);
    p[6] = podf("b", "n1", "Pending", false, now, 0, now - 10);
    p[7] = podf("d", "n1", "Running", false, now, 0, now - 10);
    struct rs_podrank pr[8];
    for (size_t i = 0; i < 8; i++)
        pr[i] = (struct rs_podrank){p[i], 1};
    rs_sort_for_deletion(pr, 8, now);
    char got[9] = {0};
    for (size_t i = 0; i < 8; i++)
        got[i] = sk_obj_name(pr[i].pod)[0];
    assert_string_equal(got, "abcdefgh");
    /* more pods on the same node go first among otherwise equal pods */
    pr[0] = (struct rs_podrank){p[0], 1};
    pr[1] = (struct rs_podrank){p[1], 3};
    rs_sort_for_deletion(pr, 2, now);
    assert_string_equal(sk_obj_name(pr[0].pod), "g");
    pr[0] = (struct rs_podrank){p[0], 3};
    pr[1] = (struct rs_podrank){p[1], 1};
    rs_sort_for_deletion(pr, 2, now);
    assert_string_equal(sk_obj_name(pr[0].pod), "h");
    for (size_t i = 0; i < 8; i++)
        sk_val_free(p[i]);
}

static void test_slow_start(void **state)
{
    (void)state;
    int64_t total = 10, left = total, b = rs_first_batch(total), seen[8], n = 0;
    while (b > 0) {
        seen[n++] = b;
        left -= b;
        b = rs_next_batch(b, left);
    }
    assert_int_equal(n, 4); /* 1, 2, 4, 3 */
    assert_int_equal(seen[0], 1);
    assert_int_equal(seen[1], 2);
    assert_int_equal(seen[2], 4);
    assert_int_equal(seen[3], 3);
    assert_int_equal(rs_first_batch(0), 0);
}

static void test_status_pure(void **state)
{
    (void)state;
    double now = FH_WALL0 + 1000;
    struct sk_val *rs = fh_json("{\"metadata\":{\"name\":\"r\",\"generation\":4},\"spec\":{"
                                "\"replicas\":3,\"minReadySeconds\":30,\"template\":" TMPL(
                                        "x") "},\"status\":{\"replicas\":1}}");
    struct sk_val *a = podf("a", "n1", "Running", true, now - 100, 0, now - 200);
    struct sk_val *b = podf("b", "n1", "Running", true, now - 5, 0, now - 200);
    struct sk_val *c = podf("c", "n1", "Pending", false, now, 0, now - 200);
    sk_obj_set_label(a, "app", "web");
    sk_obj_set_label(b, "app", "web");
    const struct sk_val *pods[3] = {a, b, c};
    struct sk_val *st = rs_calc_status(rs, pods, 3, 30, NULL, 0, now);
    assert_int_equal(pu_int_at(st, "replicas", NULL, 0), 3);
    assert_int_equal(pu_int_at(st, "fullyLabeledReplicas", NULL, 0), 2);
    assert_int_equal(pu_int_at(st, "readyReplicas", NULL, 0), 2);
    assert_int_equal(pu_int_at(st, "availableReplicas", NULL, 0), 1);
    assert_true(rs_status_needs_update(rs, st));
    assert_int_equal(pu_int_at(st, "observedGeneration", NULL, 0), 4);
    /* b becomes available 30 s after it got ready */
    assert_true(rs_next_available(pods, 3, 30, now) == now - 5 + 30);
    sk_val_free(st);
    st = rs_calc_status(rs, pods, 3, 30, "pods \"x\" is forbidden", -2, now);
    const struct sk_val *cond = pu_cond_in(sk_map_get(st, "conditions"), "ReplicaFailure");
    assert_non_null(cond);
    assert_string_equal(sk_val_str_at(cond, "reason", NULL), "FailedCreate");
    sk_val_free(st);
    sk_val_free(a);
    sk_val_free(b);
    sk_val_free(c);
    sk_val_free(rs);
}

static void test_claim_pure(void **state)
{
    (void)state;
    struct sk_labelsel *sel = NULL;
    struct sk_val *ls = fh_json("{\"matchLabels\":{\"app\":\"web\"}}");
    assert_int_equal(sk_labelsel_from_val(ls, &sel, NULL), 0);
    struct sk_val *orphan = fh_json("{\"metadata\":{\"name\":\"o\",\"labels\":{\"app\":\"web\"}}}");
    struct sk_val *mine = fh_json("{\"metadata\":{\"name\":\"m\",\"labels\":{\"app\":\"db\"},"
                                  "\"ownerReferences\":[{\"uid\":\"U\",\"controller\":true,"
                                  "\"kind\":\"ReplicaSet\",\"name\":\"r\"}]}}");
    struct sk_val *other = fh_json("{\"metadata\":{\"name\":\"x\",\"labels\":{\"app\":\"web\"},"
                                   "\"ownerReferences\":[{\"uid\":\"V\",\"controller\":true}]}}");
    assert_int_equal(pu_claim_decide("U", false, sel, orphan), PU_CLAIM_ADOPT);
    assert_int_equal(pu_claim_decide("U", true, sel, orphan), PU_CLAIM_IGNORE);
    assert_int_equal(pu_claim_decide("U", false, sel, mine), PU_CLAIM_RELEASE);
    assert_int_equal(pu_claim_decide("U", false, sel, other), PU_CLAIM_IGNORE);
    struct sk_val *rel = pu_released(mine, "U");
    assert_null(sk_val_at(rel, "metadata", "ownerReferences", NULL));
    struct sk_val *ref = fh_json("{\"uid\":\"U\",\"controller\":true}");
    struct sk_val *ad = pu_adopted(orphan, ref);
    assert_string_equal(sk_val_str_at(sk_obj_controller_ref(ad), "uid", NULL), "U");
    sk_val_free(ad);
    sk_val_free(ref);
    sk_val_free(rel);
    sk_val_free(orphan);
    sk_val_free(mine);
    sk_val_free(other);
    sk_val_free(ls);
    sk_labelsel_free(sel);
}

static void test_template_hash(void **state)
{
    (void)state;
    struct sk_val *a = fh_json(TMPL("busybox:1"));
    struct sk_val *b = fh_json("{\"spec\":{\"restartPolicy\":\"Always\",\"containers\":[{"
                               "\"image\":\"busybox:1\",\"name\":\"c\"}]},\"metadata\":{"
                               "\"labels\":{\"app\":\"web\"}}}");
    struct sk_val *c = fh_json(TMPL("busybox:2"));
    char h1[16], h2[16], h3[16], h4[16];
    pu_template_hash(a, -1, h1);
    pu_template_hash(b, -1, h2);
    pu_template_hash(c, -1, h3);
    pu_template_hash(a, 1, h4);
    assert_string_equal(h1, h2); /* key order does not matter */
    assert_string_not_equal(h1, h3);
    assert_string_not_equal(h1, h4);
    for (const char *p = h1; *p; p++)
        assert_non_null(strchr("bcdfghjklmnpqrstvwxz2456789", *p));
    sk_obj_set_label(b, PU_HASH_LABEL, h1);
    assert_true(pu_template_equal_ignore_hash(a, b));
    assert_false(pu_template_equal_ignore_hash(a, c));
    /* what kubectl rollout undo sends back equals what was stored */
    struct sk_val *d = fh_json("{\"metadata\":{\"creationTimestamp\":null,\"labels\":{"
                               "\"app\":\"web\"}},\"spec\":{\"containers\":[{\"name\":\"c\","
                               "\"image\":\"busybox:1\",\"resources\":{}}],\"restartPolicy\":"
                               "\"Always\"}}");
    assert_true(pu_template_equal_ignore_hash(a, d));
    char h5[16];
    assert_string_equal(pu_template_hash(d, -1, h5), h1);
    sk_val_free(d);
    sk_val_free(a);
    sk_val_free(b);
    sk_val_free(c);
}

/* ---- against the fake host ---- */

static struct ctl *start(void)
{
    fh_init();
    struct ctl *c = ctl_new(FH_CTX, &FH.host, 1, FH_WALL0);
    assert_int_equal(ctl_start_module(c, &ctl_mod_replicaset), 0);
    return c;
}

static void put_rs(const char *name, int replicas, int min_ready)
{
    fh_put("apps/replicasets",
           fh_jsonf("{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"metadata\":{\"name\":"
                    "\"%s\",\"namespace\":\"default\",\"generation\":1},\"spec\":{\"replicas\":%d,"
                    "\"minReadySeconds\":%d,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
                    "\"template\":" TMPL("busybox:1") "}}",
                    name, replicas, min_ready));
}

static void set_replicas(const char *res, const char *name, int n)
{
    struct sk_val *rs = sk_val_dup(fh_get(res, "default", name));
    sk_val_set_at(rs, sk_val_int(n), "spec", "replicas", NULL);
    sk_map_del(sk_map_get(rs, "metadata"), "resourceVersion");
    assert_int_equal(fh_update(res, rs), 0);
}

static void test_scale_up_down(void **state)
{
    (void)state;
    struct ctl *c = start();
    put_rs("web", 7, 0);
    fh_run();
    char *uid = sk_xstrdup(ca_uid("apps/replicasets", "default", "web"));
    assert_int_equal(ca_pods_of(uid), 7);
    assert_int_equal(fh_writes(SKIFF_WRITE_CREATE, "pods"), 7);
    /* every pod: generateName, labels, the controller reference */
    for (size_t i = 0; i < fh_count("pods", NULL); i++) {
        const struct sk_val *p = fh_nth("pods", i);
        assert_string_equal(sk_val_str_at(p, "metadata", "generateName", NULL), "web-");
        assert_int_equal(strncmp(sk_obj_name(p), "web-", 4), 0);
        assert_string_equal(sk_obj_label(p, "app"), "web");
        const struct sk_val *ref = sk_obj_controller_ref(p);
        assert_string_equal(sk_val_str_at(ref, "kind", NULL), "ReplicaSet");
        assert_true(sk_val_to_bool(sk_map_get(ref, "blockOwnerDeletion"), false));
        assert_string_equal(sk_val_str_at(p, "status", "phase", NULL), "Pending");
        assert_string_equal(sk_val_cstr(sk_val_path(p, "spec.containers[0].image")), "busybox:1");
    }
    const struct sk_val *ev = fh_event("web", "SuccessfulCreate");
    assert_non_null(ev);
    assert_int_equal(strncmp(sk_val_str_at(ev, "message", NULL), "Created pod: web-", 17), 0);
    const struct sk_val *rs = fh_get("apps/replicasets", "default", "web");
    assert_int_equal(pu_int_at(rs, "status", "replicas", 0), 7);
    assert_int_equal(pu_int_at(rs, "status", "observedGeneration", 0), 1);
    assert_int_equal(pu_int_at(rs, "status", "readyReplicas", 0), 0);

    /* readiness shows in the status */
    ca_ready_all(uid);
    fh_run();
    rs = fh_get("apps/replicasets", "default", "web");
    assert_int_equal(pu_int_at(rs, "status", "readyReplicas", 0), 7);
    assert_int_equal(pu_int_at(rs, "status", "availableReplicas", 0), 7);

    /* scale down: unready pods go first */
    const struct sk_val *p0 = fh_nth("pods", 0);
    struct sk_val *nr = sk_val_dup(p0);
    char *keep_unready = sk_xstrdup(sk_obj_name(p0));
    sk_val_set_at(nr, fh_json("[{\"type\":\"Ready\",\"status\":\"False\"}]"), "status",
                  "conditions", NULL);
    sk_map_del(sk_map_get(nr, "metadata"), "resourceVersion");
    fh_update("pods", nr);
    fh_run();
    set_replicas("apps/replicasets", "web", 2);
    fh_run();
    assert_int_equal(ca_pods_of(uid), 2);
    assert_null(fh_get("pods", "default", keep_unready));
    assert_non_null(fh_event("web", "SuccessfulDelete"));
    rs = fh_get("apps/replicasets", "default", "web");
    assert_int_equal(pu_int_at(rs, "status", "replicas", 0), 2);

    /* a deleted pod is replaced, a failed one too */
    char *victim = sk_xstrdup(sk_obj_name(fh_nth("pods", 0)));
    fh_delete("pods", "default", victim, NULL);
    fh_run();
    assert_int_equal(ca_pods_of(uid), 2);
    struct sk_val *failed = sk_val_dup(fh_nth("pods", 0));
    sk_val_set_at(failed, sk_val_str("Failed"), "status", "phase", NULL);
    sk_map_del(sk_map_get(failed, "metadata"), "resourceVersion");
    fh_update("pods", failed);
    fh_run();
    size_t active = 0;
    for (size_t i = 0; i < fh_count("pods", NULL); i++)
        if (pu_pod_active(fh_nth("pods", i))) active++;
    assert_int_equal(active, 2);
    assert_int_equal(fh_count("pods", NULL), 3);
    free(victim);
    free(keep_unready);
    free(uid);
    fh_ctl_free(c);
    fh_fini();
}

static void test_slow_start_batches(void **state)
{
    (void)state;
    struct ctl *c = start();
    put_rs("web", 10, 0);
    /* run until the first batch (one pod) went out */
    while (fh_writes(SKIFF_WRITE_CREATE, "pods") == 0)
        if (!fh_step_event()) assert_true(fh_step_timer());
    assert_int_equal(fh_writes(SKIFF_WRITE_CREATE, "pods"), 1);
    /* its answer starts the next batch of two, whose first creation
     * fails: the run stops there, no batch of four follows */
    FH.fail_next = 500;
    FH.fail_op = "pods";
    while (fh_step_event())
        ;
    assert_int_equal(fh_writes(SKIFF_WRITE_CREATE, "pods"), 3);
    assert_int_equal(fh_count("pods", NULL), 2);
    assert_non_null(fh_event("web", "FailedCreate"));
    /* the next sync creates the rest in batches of 1, 2, 4, 1 */
    fh_run();
    assert_int_equal(fh_count("pods", NULL), 10);
    assert_int_equal(fh_writes(SKIFF_WRITE_CREATE, "pods"), 11);
    fh_ctl_free(c);
    fh_fini();
}

/* Creations keep failing: FailedCreate events, the ReplicaFailure
 * condition, retries with back-off; once they succeed the pods come and
 * the condition goes. */
static void test_create_failure(void **state)
{
    (void)state;
    struct ctl *c = start();
    put_rs("web", 5, 0);
    for (int guard = 0; guard < 100000; guard++) {
        if (!FH.fail_next) {
            FH.fail_next = 403;
            FH.fail_op = "pods";
        }
        if (!fh_step_event() && !fh_step_timer()) break;
    }
    FH.fail_next = 0;
    FH.fail_op = NULL;
    /* each sync tried one pod (the first batch) and stopped */
    assert_int_equal(fh_count("pods", NULL), 0);
    assert_int_equal(fh_writes(SKIFF_WRITE_CREATE, "pods"), 2);
    const struct sk_val *ev = fh_event("web", "FailedCreate");
    assert_non_null(ev);
    assert_string_equal(sk_val_str_at(ev, "message", NULL), "Error creating: injected failure");
    const struct sk_val *cond =
            pu_condition(fh_get("apps/replicasets", "default", "web"), "ReplicaFailure");
    assert_non_null(cond);
    assert_string_equal(sk_val_str_at(cond, "reason", NULL), "FailedCreate");
    assert_string_equal(sk_val_str_at(cond, "message", NULL), "injected failure");
    /* after the back-off the pods come, and the condition goes */
    fh_advance(5);
    assert_int_equal(fh_count("pods", NULL), 5);
    assert_null(pu_condition(fh_get("apps/replicasets", "default", "web"), "ReplicaFailure"));
    fh_ctl_free(c);
    fh_fini();
}

static void test_adopt_release(void **state)
{
    (void)state;
    struct ctl *c = start();
    fh_put("pods", fh_json("{\"metadata\":{\"name\":\"orphan\",\"namespace\":\"default\","
                           "\"labels\":{\"app\":\"web\"}},\"spec\":{},\"status\":{\"phase\":"
                           "\"Running\"}}"));
    fh_put("pods", fh_json("{\"metadata\":{\"name\":\"other\",\"namespace\":\"default\","
                           "\"labels\":{\"app\":\"db\"}},\"spec\":{},\"status\":{\"phase\":"
                           "\"Running\"}}"));
    put_rs("web", 2, 0);
    fh_run();
    char *uid = sk_xstrdup(ca_uid("apps/replicasets", "default", "web"));
    assert_true(ca_owned_by(fh_get("pods", "default", "orphan"), uid));
    assert_false(ca_owned_by(fh_get("pods", "default", "other"), uid));
    assert_int_equal(ca_pods_of(uid), 2); /* the orphan and one new pod */
    /* relabel the adopted pod: released, and replaced */
    struct sk_val *p = sk_val_dup(fh_get("pods", "default", "orphan"));
    sk_obj_set_label(p, "app", "debug");
    sk_map_del(sk_map_get(p, "metadata"), "resourceVersion");
    fh_update("pods", p);
    fh_run();
    assert_null(sk_obj_controller_ref(fh_get("pods", "default", "orphan")));
    assert_int_equal(ca_pods_of(uid), 2);
    free(uid);
    fh_ctl_free(c);
    fh_fini();
}

static void test_min_ready(void **state)
{
    (void)state;
    struct ctl *c = start();
    put_rs("web", 2, 10);
    fh_run();
    char *uid = sk_xstrdup(ca_uid("apps/replicasets", "default", "web"));
    ca_ready_all(uid);
    fh_run();
    const struct sk_val *rs = fh_get("apps/replicasets", "default", "web");
    assert_int_equal(pu_int_at(rs, "status", "readyReplicas", 0), 2);
    assert_int_equal(pu_int_at(rs, "status", "availableReplicas", 0), 0);
    fh_advance(11);
    rs = fh_get("apps/replicasets", "default", "web");
    assert_int_equal(pu_int_at(rs, "status", "availableReplicas", 0), 2);
    free(uid);
    fh_ctl_free(c);
    fh_fini();
}

static void test_replication_controller(void **state)
{
    (void)state;
    struct ctl *c = start();
    fh_put("replicationcontrollers",
           fh_json("{\"apiVersion\":\"v1\",\"kind\":\"ReplicationController\",\"metadata\":{"
                   "\"name\":\"rc\",\"namespace\":\"default\",\"generation\":1},\"spec\":{"
                   "\"replicas\":3,\"selector\":{\"app\":\"web\"},\"template\":" TMPL(
                           "busybox:1") "}}"));
    fh_run();
    char *uid = sk_xstrdup(ca_uid("replicationcontrollers", "default", "rc"));
    assert_int_equal(ca_pods_of(uid), 3);
    const struct sk_val *p = fh_nth("pods", 0);
    assert_string_equal(sk_val_str_at(sk_obj_controller_ref(p), "kind", NULL),
                        "ReplicationController");
    assert_int_equal(strncmp(sk_obj_name(p), "rc-", 3), 0);
    assert_non_null(fh_event("rc", "SuccessfulCreate"));
    set_replicas("replicationcontrollers", "rc", 1);
    fh_run();
    assert_int_equal(ca_pods_of(uid), 1);
    assert_int_equal(
            pu_int_at(fh_get("replicationcontrollers", "default", "rc"), "status", "replicas", 0),
            1);
    free(uid);
    fh_ctl_free(c);
    fh_fini();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_surplus_order),
            cmocka_unit_test(test_slow_start),
            cmocka_unit_test(test_status_pure),
            cmocka_unit_test(test_claim_pure),
            cmocka_unit_test(test_template_hash),
            cmocka_unit_test(test_scale_up_down),
            cmocka_unit_test(test_slow_start_batches),
            cmocka_unit_test(test_create_failure),
            cmocka_unit_test(test_adopt_release),
            cmocka_unit_test(test_min_ready),
            cmocka_unit_test(test_replication_controller),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
