/* Tests of the DaemonSet controller (plugins/controllers/daemonset)
 * against the fake host: eligible nodes (nodeSelector, taints and the
 * default daemon tolerations), pods pinned by node affinity, nodes coming
 * and going, ControllerRevisions, a rolling update within maxUnavailable,
 * OnDelete, and status. */
#include "ctl_fakehost.h"

#include "../../plugins/controllers/daemonset/ds_logic.h"
#include "../../plugins/controllers/podutil.h"

static struct ctl *start(void)
{
    fh_init();
    struct ctl *c = ctl_new(FH_CTX, &FH.host, 1, FH_WALL0);
    assert_int_equal(ctl_start_module(c, &ctl_mod_daemonset), 0);
    return c;
}

static void put_node(const char *name, const char *labels, const char *spec)
{
    fh_put("nodes", fh_jsonf("{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":"
                             "\"%s\",\"labels\":{%s}},\"spec\":{%s}}",
                             name, labels, spec));
}

#define DS_JSON(image, strategy, extra)                                                            \
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"DaemonSet\",\"metadata\":{\"name\":\"agent\","         \
    "\"namespace\":\"default\",\"generation\":1,\"annotations\":{"                                 \
    "\"deprecated.daemonset.template.generation\":\"1\"}},\"spec\":{\"selector\":{"                \
    "\"matchLabels\":{\"app\":\"agent\"}},\"updateStrategy\":" strategy ","                        \
    "\"template\":{\"metadata\":{\"labels\":{\"app\":\"agent\"}},\"spec\":{" extra                 \
    "\"containers\":[{\"name\":\"c\",\"image\":\"" image "\"}]}}}}"

#define ROLLING                                                                                    \
    "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxUnavailable\":1,\"maxSurge\":0}}"

static const struct sk_val *ds(void)
{
    return fh_get("apps/daemonsets", "default", "agent");
}

/* Live daemon pods targeting node (or any node when NULL). */
static size_t pods_on(const char *node)
{
    size_t n = 0;
    for (size_t i = 0; i < fh_count("pods", NULL); i++) {
        const struct sk_val *p = fh_nth("pods", i);
        const char *t = ds_pod_target_node(p);
        if (sk_val_at(p, "metadata", "deletionTimestamp", NULL)) continue;
        if (!node || (t && !strcmp(t, node))) n++;
    }
    return n;
}

static const struct sk_val *pod_on(const char *node)
{
    for (size_t i = 0; i < fh_count("pods", NULL); i++) {
        const struct sk_val *p = fh_nth("pods", i);
        const char *t = ds_pod_target_node(p);
        if (t && !strcmp(t, node)) return p;
    }
    return NULL;
}

static void make_ready(const struct sk_val *pod)
{
    struct sk_val *p = sk_val_dup(pod);
    char ts[32];
    fh_fmt_time(fh_wall(), ts);
    sk_map_del(sk_map_get(p, "metadata"), "resourceVersion");
    sk_val_set_at(p, sk_val_str(ds_pod_target_node(pod)), "spec", "nodeName", NULL);
    sk_val_set_at(p, sk_val_str("Running"), "status", "phase", NULL);
    sk_val_set_at(p,
                  fh_jsonf("[{\"type\":\"Ready\",\"status\":\"True\",\"lastTransitionTime\":"
                           "\"%s\"}]",
                           ts),
                  "status", "conditions", NULL);
    assert_int_equal(fh_update("pods", p), 0);
}

static void make_all_ready(void)
{
    for (size_t i = 0; i < fh_count("pods", NULL); i++) {
        const struct sk_val *p = fh_nth("pods", i);
        if (!pu_pod_ready(p)) make_ready(p);
    }
    fh_run();
}

static int64_t st(const char *field)
{
    return sk_val_to_int(sk_val_at(ds(), "status", field, NULL), -1);
}

static bool tolerates(const struct sk_val *pod, const char *key, const char *effect)
{
    const struct sk_val *t = sk_val_at(pod, "spec", "tolerations", NULL);
    for (size_t i = 0; i < sk_arr_len(t); i++) {
        const struct sk_val *x = sk_arr_get(t, i);
        const char *k = sk_val_str_at(x, "key", NULL), *e = sk_val_str_at(x, "effect", NULL);
        if (k && e && !strcmp(k, key) && !strcmp(e, effect)) return true;
    }
    return false;
}

static void test_placement(void **state)
{
    (void)state;
    struct ctl *c = start();
    put_node("n1", "\"role\":\"edge\"", "");
    put_node("n2", "\"role\":\"edge\"",
             "\"taints\":[{\"key\":\"dedicated\",\"value\":\"db\",\"effect\":\"NoSchedule\"}]");
    put_node("n3", "", "");
    put_node("n4", "\"role\":\"edge\"",
             "\"unschedulable\":true,\"taints\":[{\"key\":\"node.kubernetes.io/unschedulable\","
             "\"effect\":\"NoSchedule\"}]");
    fh_put("apps/daemonsets",
           fh_json(DS_JSON("agent:1", ROLLING, "\"nodeSelector\":{\"role\":\"edge\"},")));
    fh_run();
    /* n1, and the cordoned n4 (the default tolerations); not the tainted
     * n2 nor the unlabelled n3 */
    assert_int_equal(pods_on("n1"), 1);
    assert_int_equal(pods_on("n2"), 0);
    assert_int_equal(pods_on("n3"), 0);
    assert_int_equal(pods_on("n4"), 1);
    const struct sk_val *p = pod_on("n1");
    assert_null(sk_val_str_at(p, "spec", "nodeName", NULL)); /* the scheduler binds it */
    assert_true(tolerates(p, "node.kubernetes.io/not-ready", "NoExecute"));
    assert_true(tolerates(p, "node.kubernetes.io/unreachable", "NoExecute"));
    assert_true(tolerates(p, "node.kubernetes.io/disk-pressure", "NoSchedule"));
    assert_true(tolerates(p, "node.kubernetes.io/memory-pressure", "NoSchedule"));
    assert_true(tolerates(p, "node.kubernetes.io/pid-pressure", "NoSchedule"));
    assert_true(tolerates(p, "node.kubernetes.io/unschedulable", "NoSchedule"));
    assert_string_equal(sk_obj_label(p, "pod-template-generation"), "1");
    const char *hash = sk_obj_label(p, "controller-revision-hash");
    assert_non_null(hash);
    /* the ControllerRevision NAME-HASH, revision 1 */
    char crname[64];
    snprintf(crname, sizeof crname, "agent-%s", hash);
    const struct sk_val *cr = fh_get("apps/controllerrevisions", "default", crname);
    assert_non_null(cr);
    assert_int_equal(sk_val_to_int(sk_map_get(cr, "revision"), 0), 1);
    assert_string_equal(sk_val_str_at(cr, "data", "spec", "template", "$patch", NULL), "replace");
    assert_int_equal(st("desiredNumberScheduled"), 2);
    assert_int_equal(st("currentNumberScheduled"), 2);
    assert_int_equal(st("numberReady"), 0);
    assert_int_equal(st("updatedNumberScheduled"), 2);
    assert_int_equal(st("numberMisscheduled"), 0);
    assert_int_equal(st("observedGeneration"), 1);
    make_all_ready();
    assert_int_equal(st("numberReady"), 2);
    assert_int_equal(st("numberAvailable"), 2);
    assert_non_null(fh_event("agent", "SuccessfulCreate"));
    /* a node comes and goes */
    put_node("n5", "\"role\":\"edge\"", "");
    fh_run();
    assert_int_equal(pods_on("n5"), 1);
    assert_int_equal(st("desiredNumberScheduled"), 3);
    struct sk_val *n5 = sk_val_dup(fh_get("nodes", NULL, "n5"));
    sk_map_del(sk_map_get(n5, "metadata"), "resourceVersion");
    sk_obj_set_label(n5, "role", NULL);
    assert_int_equal(fh_update("nodes", n5), 0);
    fh_run();
    assert_int_equal(pods_on("n5"), 0);
    assert_int_equal(st("desiredNumberScheduled"), 2);
    /* an untolerated NoExecute taint evicts the daemon pod */
    struct sk_val *n1 = sk_val_dup(fh_get("nodes", NULL, "n1"));
    sk_map_del(sk_map_get(n1, "metadata"), "resourceVersion");
    sk_val_set_at(n1, fh_json("[{\"key\":\"x\",\"effect\":\"NoExecute\"}]"), "spec", "taints",
                  NULL);
    assert_int_equal(fh_update("nodes", n1), 0);
    fh_run();
    assert_int_equal(pods_on("n1"), 0);
    assert_non_null(fh_event("agent", "SuccessfulDelete"));
    /* a failed daemon pod is replaced */
    struct sk_val *f = sk_val_dup(pod_on("n4"));
    sk_map_del(sk_map_get(f, "metadata"), "resourceVersion");
    sk_val_set_at(f, sk_val_str("Failed"), "status", "phase", NULL);
    fh_update("pods", f);
    fh_run();
    assert_non_null(fh_event("agent", "FailedDaemonPod"));
    assert_int_equal(pods_on("n4"), 1);
    assert_string_equal(pu_pod_phase(pod_on("n4")), "Pending");
    fh_ctl_free(c);
    fh_fini();
}

static void set_image(const char *image, int gen)
{
    struct sk_val *d = sk_val_dup(ds());
    sk_map_del(sk_map_get(d, "metadata"), "resourceVersion");
    struct sk_val *cs = sk_val_at(d, "spec", "template", "spec", "containers", NULL);
    sk_map_set(sk_arr_get(cs, 0), "image", sk_val_str(image));
    char g[16];
    snprintf(g, sizeof g, "%d", gen);
    sk_obj_set_annotation(d, "deprecated.daemonset.template.generation", g);
    sk_val_set_at(d, sk_val_int(gen), "metadata", "generation", NULL);
    assert_int_equal(fh_update("apps/daemonsets", d), 0);
}

static size_t pods_with_image(const char *image)
{
    size_t n = 0;
    for (size_t i = 0; i < fh_count("pods", NULL); i++) {
        const struct sk_val *p = fh_nth("pods", i);
        const struct sk_val *cs = sk_val_at(p, "spec", "containers", NULL);
        const char *im = sk_val_str_at(sk_arr_get(cs, 0), "image", NULL);
        if (im && !strcmp(im, image)) n++;
    }
    return n;
}

static void test_rolling_update(void **state)
{
    (void)state;
    struct ctl *c = start();
    for (int i = 1; i <= 4; i++) {
        char n[16];
        snprintf(n, sizeof n, "n%d", i);
        put_node(n, "", "");
    }
    fh_put("apps/daemonsets", fh_json(DS_JSON("agent:1", ROLLING, "")));
    fh_run();
    assert_int_equal(pods_on(NULL), 4);
    make_all_ready();
    set_image("agent:2", 2);
    fh_run();
    /* maxUnavailable 1: exactly one old pod goes at a time */
    int steps = 0;
    while (pods_with_image("agent:2") < 4 && steps++ < 20) {
        size_t ready = 0;
        for (size_t i = 0; i < fh_count("pods", NULL); i++)
            if (pu_pod_ready(fh_nth("pods", i))) ready++;
        assert_true(ready >= 3); /* never more than one unavailable */
        assert_true(pods_on(NULL) <= 4);
        make_all_ready();
    }
    assert_int_equal(pods_with_image("agent:2"), 4);
    assert_int_equal(pods_with_image("agent:1"), 0);
    assert_int_equal(st("updatedNumberScheduled"), 4);
    assert_int_equal(st("observedGeneration"), 2);
    assert_int_equal(fh_count("apps/controllerrevisions", NULL), 2);
    /* the new revision is number 2 */
    const char *hash = sk_obj_label(fh_nth("pods", 0), "controller-revision-hash");
    char crname[64];
    snprintf(crname, sizeof crname, "agent-%s", hash);
    assert_int_equal(sk_val_to_int(sk_map_get(fh_get("apps/controllerrevisions", "default", crname),
                                              "revision"),
                                   0),
                     2);
    assert_string_equal(sk_obj_label(fh_nth("pods", 0), "pod-template-generation"), "2");
    /* back to the first template (rollout undo): its revision is reused
     * and renumbered 3, no third revision appears */
    set_image("agent:1", 3);
    fh_run();
    for (int i = 0; i < 20 && pods_with_image("agent:1") < 4; i++)
        make_all_ready();
    assert_int_equal(pods_with_image("agent:1"), 4);
    assert_int_equal(fh_count("apps/controllerrevisions", NULL), 2);
    hash = sk_obj_label(fh_nth("pods", 0), "controller-revision-hash");
    snprintf(crname, sizeof crname, "agent-%s", hash);
    assert_int_equal(sk_val_to_int(sk_map_get(fh_get("apps/controllerrevisions", "default", crname),
                                              "revision"),
                                   0),
                     3);
    fh_ctl_free(c);
    fh_fini();
}

static void test_on_delete(void **state)
{
    (void)state;
    struct ctl *c = start();
    put_node("n1", "", "");
    put_node("n2", "", "");
    fh_put("apps/daemonsets", fh_json(DS_JSON("agent:1", "{\"type\":\"OnDelete\"}", "")));
    fh_run();
    make_all_ready();
    set_image("agent:2", 2);
    fh_run();
    fh_advance(5);
    assert_int_equal(pods_with_image("agent:1"), 2); /* nothing moves by itself */
    assert_int_equal(st("updatedNumberScheduled"), -1);
    fh_delete("pods", "default", sk_obj_name(pod_on("n1")), NULL);
    fh_run();
    assert_int_equal(pods_with_image("agent:2"), 1);
    assert_int_equal(pods_with_image("agent:1"), 1);
    fh_ctl_free(c);
    fh_fini();
}

static void test_surge(void **state)
{
    (void)state;
    struct ctl *c = start();
    put_node("n1", "", "");
    put_node("n2", "", "");
    fh_put("apps/daemonsets", fh_json(DS_JSON("agent:1",
                                              "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{"
                                              "\"maxUnavailable\":0,\"maxSurge\":1}}",
                                              "")));
    fh_run();
    make_all_ready();
    set_image("agent:2", 2);
    fh_run();
    /* maxSurge 1: one node gets a new pod beside its old one; no old pod
     * goes before its replacement is available */
    assert_int_equal(pods_with_image("agent:2"), 1);
    assert_int_equal(pods_with_image("agent:1"), 2);
    make_all_ready();
    assert_int_equal(pods_with_image("agent:1"), 1);
    assert_int_equal(pods_with_image("agent:2"), 2);
    make_all_ready();
    assert_int_equal(pods_with_image("agent:1"), 0);
    assert_int_equal(pods_with_image("agent:2"), 2);
    assert_int_equal(pods_on("n1"), 1);
    assert_int_equal(pods_on("n2"), 1);
    assert_int_equal(st("numberAvailable"), 2);
    fh_ctl_free(c);
    fh_fini();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_placement),
            cmocka_unit_test(test_rolling_update),
            cmocka_unit_test(test_on_delete),
            cmocka_unit_test(test_surge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
