/* Tests of the StatefulSet controller (plugins/controllers/statefulset)
 * against the fake host: OrderedReady creation (web-0 Running and Ready
 * before web-1) and reverse-order scale-down, Parallel, identities
 * (hostname, subdomain, labels), PVCs from volumeClaimTemplates, a rolling
 * update with partition from the highest ordinal, OnDelete, and status. */
#include "ctl_fakehost.h"

#include "../../plugins/controllers/podutil.h"
#include "../../plugins/controllers/statefulset/sts_logic.h"

static struct ctl *start(void)
{
    fh_init();
    struct ctl *c = ctl_new(FH_CTX, &FH.host, 1, FH_WALL0);
    assert_int_equal(ctl_start_module(c, &ctl_mod_statefulset), 0);
    return c;
}

static void put_set(int replicas, const char *policy, const char *strategy)
{
    fh_put("apps/statefulsets",
           fh_jsonf("{\"apiVersion\":\"apps/v1\",\"kind\":\"StatefulSet\",\"metadata\":{\"name\":"
                    "\"web\",\"namespace\":\"default\",\"generation\":1},\"spec\":{\"replicas\":%d,"
                    "\"serviceName\":\"nginx\",\"podManagementPolicy\":\"%s\","
                    "\"updateStrategy\":%s,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
                    "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{"
                    "\"containers\":[{\"name\":\"c\",\"image\":\"web:1\",\"volumeMounts\":[{"
                    "\"name\":\"data\",\"mountPath\":\"/data\"}]}]}},"
                    "\"volumeClaimTemplates\":[{\"metadata\":{\"name\":\"data\"},\"spec\":{"
                    "\"accessModes\":[\"ReadWriteOnce\"],\"resources\":{\"requests\":{"
                    "\"storage\":\"1Gi\"}}}}]}}",
                    replicas, policy, strategy));
}

static const struct sk_val *pod(int i)
{
    char n[32];
    snprintf(n, sizeof n, "web-%d", i);
    return fh_get("pods", "default", n);
}

static const struct sk_val *set(void)
{
    return fh_get("apps/statefulsets", "default", "web");
}

static void make_ready(int i)
{
    struct sk_val *p = sk_val_dup(pod(i));
    char ts[32];
    fh_fmt_time(fh_wall(), ts);
    sk_map_del(sk_map_get(p, "metadata"), "resourceVersion");
    sk_val_set_at(p, sk_val_str("node1"), "spec", "nodeName", NULL);
    sk_val_set_at(p, sk_val_str("Running"), "status", "phase", NULL);
    sk_val_set_at(p,
                  fh_jsonf("[{\"type\":\"Ready\",\"status\":\"True\",\"lastTransitionTime\":"
                           "\"%s\"}]",
                           ts),
                  "status", "conditions", NULL);
    assert_int_equal(fh_update("pods", p), 0);
    fh_run();
}

static int64_t st(const char *f)
{
    return sk_val_to_int(sk_val_at(set(), "status", f, NULL), -1);
}

static void set_spec(const char *field, struct sk_val *v)
{
    struct sk_val *s = sk_val_dup(set());
    sk_map_del(sk_map_get(s, "metadata"), "resourceVersion");
    sk_val_set_at(s, v, "spec", field, NULL);
    assert_int_equal(fh_update("apps/statefulsets", s), 0);
    fh_run();
}

static const char *image_of(int i)
{
    const struct sk_val *cs = sk_val_at(pod(i), "spec", "containers", NULL);
    return sk_val_str_at(sk_arr_get(cs, 0), "image", NULL);
}

static void test_ordered_ready(void **state)
{
    (void)state;
    struct ctl *c = start();
    put_set(3, "OrderedReady", "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"partition\":0}}");
    fh_run();
    assert_non_null(pod(0));
    assert_null(pod(1)); /* web-1 waits for web-0 to be Running and Ready */
    const struct sk_val *p0 = pod(0);
    assert_string_equal(sk_val_str_at(p0, "spec", "hostname", NULL), "web-0");
    assert_string_equal(sk_val_str_at(p0, "spec", "subdomain", NULL), "nginx");
    assert_string_equal(sk_obj_label(p0, "statefulset.kubernetes.io/pod-name"), "web-0");
    assert_string_equal(sk_obj_label(p0, "apps.kubernetes.io/pod-index"), "0");
    assert_non_null(sk_obj_label(p0, "controller-revision-hash"));
    char *rev = sk_xstrdup(sk_obj_label(p0, "controller-revision-hash"));
    assert_non_null(fh_get("apps/controllerrevisions", "default", rev));
    /* the claim and the volume that uses it */
    assert_non_null(fh_get("persistentvolumeclaims", "default", "data-web-0"));
    const struct sk_val *vols = sk_val_at(p0, "spec", "volumes", NULL);
    assert_int_equal(sk_arr_len(vols), 1);
    assert_string_equal(
            sk_val_str_at(sk_arr_get(vols, 0), "persistentVolumeClaim", "claimName", NULL),
            "data-web-0");
    const struct sk_val *ev = fh_event("web", "SuccessfulCreate");
    assert_non_null(ev);
    fh_advance(5);
    assert_null(pod(1));
    make_ready(0);
    assert_non_null(pod(1));
    assert_null(pod(2));
    make_ready(1);
    assert_non_null(pod(2));
    make_ready(2);
    assert_int_equal(st("replicas"), 3);
    assert_int_equal(st("readyReplicas"), 3);
    assert_int_equal(st("availableReplicas"), 3);
    assert_int_equal(st("currentReplicas"), 3);
    assert_int_equal(st("updatedReplicas"), 3);
    assert_string_equal(sk_val_str_at(set(), "status", "currentRevision", NULL), rev);
    assert_string_equal(sk_val_str_at(set(), "status", "updateRevision", NULL), rev);
    assert_int_equal(st("collisionCount"), 0);
    assert_int_equal(st("observedGeneration"), 1);
    /* scale down: highest ordinal first, one at a time; claims stay */
    struct sk_val *hold = sk_val_dup(pod(2));
    sk_map_del(sk_map_get(hold, "metadata"), "resourceVersion");
    sk_val_set_at(hold, fh_json("[\"test/hold\"]"), "metadata", "finalizers", NULL);
    assert_int_equal(fh_update("pods", hold), 0);
    fh_run();
    set_spec("replicas", sk_val_int(1));
    /* web-2 is terminating (held by a finalizer): web-1 waits for it */
    assert_non_null(sk_val_at(pod(2), "metadata", "deletionTimestamp", NULL));
    assert_non_null(pod(1));
    assert_null(sk_val_at(pod(1), "metadata", "deletionTimestamp", NULL));
    fh_advance(5);
    assert_null(sk_val_at(pod(1), "metadata", "deletionTimestamp", NULL));
    hold = sk_val_dup(pod(2));
    sk_map_del(sk_map_get(hold, "metadata"), "resourceVersion");
    sk_map_del(sk_map_get(hold, "metadata"), "finalizers");
    assert_int_equal(fh_update("pods", hold), 0);
    fh_run();
    assert_null(pod(2));
    assert_null(pod(1));
    assert_non_null(pod(0));
    assert_non_null(fh_get("persistentvolumeclaims", "default", "data-web-2"));
    assert_int_equal(st("replicas"), 1);
    free(rev);
    fh_ctl_free(c);
    fh_fini();
}

static void test_parallel(void **state)
{
    (void)state;
    struct ctl *c = start();
    put_set(3, "Parallel", "{\"type\":\"RollingUpdate\"}");
    fh_run();
    assert_non_null(pod(0));
    assert_non_null(pod(1));
    assert_non_null(pod(2));
    assert_non_null(fh_get("persistentvolumeclaims", "default", "data-web-2"));
    /* a failed pod is deleted and created again under the same name */
    struct sk_val *p = sk_val_dup(pod(1));
    sk_map_del(sk_map_get(p, "metadata"), "resourceVersion");
    sk_val_set_at(p, sk_val_str("Failed"), "status", "phase", NULL);
    char *uid = sk_xstrdup(sk_val_str_at(p, "metadata", "uid", NULL));
    fh_update("pods", p);
    fh_run();
    assert_non_null(pod(1));
    assert_string_not_equal(sk_val_str_at(pod(1), "metadata", "uid", NULL), uid);
    free(uid);
    fh_ctl_free(c);
    fh_fini();
}

static void test_partition_rollout(void **state)
{
    (void)state;
    struct ctl *c = start();
    put_set(3, "OrderedReady", "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"partition\":1}}");
    fh_run();
    make_ready(0);
    make_ready(1);
    make_ready(2);
    char *rev1 = sk_xstrdup(sk_obj_label(pod(0), "controller-revision-hash"));
    /* a new image: web-2 first, then web-1; web-0 stays below the partition */
    struct sk_val *s = sk_val_dup(set());
    sk_map_del(sk_map_get(s, "metadata"), "resourceVersion");
    struct sk_val *cs = sk_val_at(s, "spec", "template", "spec", "containers", NULL);
    sk_map_set(sk_arr_get(cs, 0), "image", sk_val_str("web:2"));
    sk_val_set_at(s, sk_val_int(2), "metadata", "generation", NULL);
    assert_int_equal(fh_update("apps/statefulsets", s), 0);
    fh_run();
    assert_string_equal(image_of(2), "web:2");
    assert_string_equal(image_of(1), "web:1");
    make_ready(2);
    assert_string_equal(image_of(1), "web:2");
    make_ready(1);
    fh_advance(5);
    assert_string_equal(image_of(0), "web:1");
    const char *upd = sk_val_str_at(set(), "status", "updateRevision", NULL);
    assert_string_not_equal(upd, rev1);
    assert_string_equal(sk_val_str_at(set(), "status", "currentRevision", NULL), rev1);
    assert_int_equal(st("updatedReplicas"), 2);
    assert_int_equal(st("currentReplicas"), 1);
    assert_int_equal(fh_count("apps/controllerrevisions", NULL), 2);
    /* web-0 recreated by hand keeps the current revision (below the partition) */
    fh_delete("pods", "default", "web-0", NULL);
    fh_run();
    assert_string_equal(image_of(0), "web:1");
    /* partition 0 finishes the rollout */
    make_ready(0);
    set_spec("updateStrategy", fh_json("{\"type\":\"RollingUpdate\",\"rollingUpdate\":{"
                                       "\"partition\":0}}"));
    assert_string_equal(image_of(0), "web:2");
    make_ready(0);
    assert_string_equal(sk_val_str_at(set(), "status", "currentRevision", NULL),
                        sk_val_str_at(set(), "status", "updateRevision", NULL));
    assert_int_equal(st("currentReplicas"), 3);
    free(rev1);
    fh_ctl_free(c);
    fh_fini();
}

static void test_on_delete(void **state)
{
    (void)state;
    struct ctl *c = start();
    put_set(2, "OrderedReady", "{\"type\":\"OnDelete\"}");
    fh_run();
    make_ready(0);
    make_ready(1);
    struct sk_val *s = sk_val_dup(set());
    sk_map_del(sk_map_get(s, "metadata"), "resourceVersion");
    struct sk_val *cs = sk_val_at(s, "spec", "template", "spec", "containers", NULL);
    sk_map_set(sk_arr_get(cs, 0), "image", sk_val_str("web:2"));
    assert_int_equal(fh_update("apps/statefulsets", s), 0);
    fh_advance(5);
    assert_string_equal(image_of(0), "web:1");
    assert_string_equal(image_of(1), "web:1");
    fh_delete("pods", "default", "web-1", NULL);
    fh_run();
    assert_string_equal(image_of(1), "web:2");
    fh_ctl_free(c);
    fh_fini();
}

static void test_ordinal_parse(void **state)
{
    (void)state;
    struct sk_val *s = fh_json("{\"metadata\":{\"name\":\"web\"}}");
    static const struct {
        const char *name;
        int64_t want;
    } cases[] = {{"web-0", 0},   {"web-12", 12}, {"web-", -1}, {"web-01", -1},
                 {"webx-1", -1}, {"web-1a", -1}, {"we-1", -1}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sk_val *p = fh_jsonf("{\"metadata\":{\"name\":\"%s\"}}", cases[i].name);
        assert_int_equal(sts_pod_ordinal(s, p), cases[i].want);
        sk_val_free(p);
    }
    sk_val_free(s);
}

static bool claim_owned_by(const char *claim, const char *kind, const char *name)
{
    const struct sk_val *refs = sk_val_at(fh_get("persistentvolumeclaims", "default", claim),
                                          "metadata", "ownerReferences", NULL);
    for (size_t i = 0; i < sk_arr_len(refs); i++) {
        const struct sk_val *r = sk_arr_get(refs, i);
        const char *k = sk_val_str_at(r, "kind", NULL), *n = sk_val_str_at(r, "name", NULL);
        if (k && n && !strcmp(k, kind) && !strcmp(n, name)) return true;
    }
    return false;
}

static void test_claim_retention(void **state)
{
    (void)state;
    struct ctl *c = start();
    put_set(2, "Parallel", "{\"type\":\"RollingUpdate\"}");
    set_spec("persistentVolumeClaimRetentionPolicy",
             fh_json("{\"whenDeleted\":\"Delete\",\"whenScaled\":\"Delete\"}"));
    fh_run();
    assert_true(claim_owned_by("data-web-0", "StatefulSet", "web"));
    assert_true(claim_owned_by("data-web-1", "StatefulSet", "web"));
    assert_false(claim_owned_by("data-web-1", "Pod", "web-1"));
    /* scaled away: the claim follows its pod (the garbage collector
     * deletes it with the pod) */
    set_spec("replicas", sk_val_int(1));
    assert_null(pod(1));
    assert_true(claim_owned_by("data-web-1", "Pod", "web-1"));
    assert_false(claim_owned_by("data-web-0", "Pod", "web-0"));
    /* back to Retain: the references go */
    set_spec("persistentVolumeClaimRetentionPolicy",
             fh_json("{\"whenDeleted\":\"Retain\",\"whenScaled\":\"Retain\"}"));
    assert_false(claim_owned_by("data-web-0", "StatefulSet", "web"));
    fh_ctl_free(c);
    fh_fini();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_ordinal_parse), cmocka_unit_test(test_ordered_ready),
            cmocka_unit_test(test_parallel),      cmocka_unit_test(test_partition_rollout),
            cmocka_unit_test(test_on_delete),     cmocka_unit_test(test_claim_retention),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
