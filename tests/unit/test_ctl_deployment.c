/* Tests of the Deployment controller (plugins/controllers/deployment)
 * with the ReplicaSet controller running beside it on the fake host:
 * creation, a rolling update step by step within maxSurge and
 * maxUnavailable, Recreate, undo, pause, restart, revisionHistoryLimit,
 * the progress deadline, hash collisions, and proportional scaling and
 * fenceposts as pure functions. Pods become ready when the test says so,
 * as the runtime would report them. */
#include "ctl_fakehost.h"

#include "../../plugins/controllers/deployment/dep_logic.h"
#include "../../plugins/controllers/podutil.h"
#include "ctl_apps.h"

static struct ctl *start(void)
{
    fh_init();
    struct ctl *c = ctl_new(FH_CTX, &FH.host, 1, FH_WALL0);
    assert_int_equal(ctl_start_module(c, &ctl_mod_replicaset), 0);
    assert_int_equal(ctl_start_module(c, &ctl_mod_deployment), 0);
    return c;
}

static void put_dep(int replicas, const char *strategy, const char *extra)
{
    fh_put("apps/deployments",
           fh_jsonf("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":"
                    "\"web\",\"namespace\":\"default\",\"generation\":1,\"annotations\":{"
                    "\"kubernetes.io/change-cause\":\"first\"}},\"spec\":{\"replicas\":%d,"
                    "\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":" TMPL(
                            "busybox:1") ",\"strategy\":%s,\"revisionHistoryLimit\":10,"
                                         "\"progressDeadlineSeconds\":600%s}}",
                    replicas, strategy, extra ? extra : ""));
}

#define ROLLING(s, u)                                                                              \
    "{\"type\":\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":" s ",\"maxUnavailable\":" u "}}"

static const struct sk_val *dep(void)
{
    return fh_get("apps/deployments", "default", "web");
}

/* Change the Deployment as the API would (generation moves with spec). */
static void set_dep(const char *path_json_key, struct sk_val *v, const char *k2, const char *k3)
{
    struct sk_val *d = sk_val_dup(dep());
    if (k3)
        sk_val_set_at(d, v, "spec", path_json_key, k2, k3, NULL);
    else if (k2)
        sk_val_set_at(d, v, "spec", path_json_key, k2, NULL);
    else
        sk_val_set_at(d, v, "spec", path_json_key, NULL);
    sk_val_set_at(d, sk_val_int(pu_int_at(d, "metadata", "generation", 1) + 1), "metadata",
                  "generation", NULL);
    sk_map_del(sk_map_get(d, "metadata"), "resourceVersion");
    assert_int_equal(fh_update("apps/deployments", d), 0);
}

static void set_image(const char *image)
{
    struct sk_val *d = sk_val_dup(dep());
    struct sk_val *c = sk_val_path(d, "spec.template.spec.containers[0]");
    sk_map_set(c, "image", sk_val_str(image));
    sk_val_set_at(d, sk_val_int(pu_int_at(d, "metadata", "generation", 1) + 1), "metadata",
                  "generation", NULL);
    sk_map_del(sk_map_get(d, "metadata"), "resourceVersion");
    assert_int_equal(fh_update("apps/deployments", d), 0);
}

/* The ReplicaSet the Deployment owns whose template runs image, or
 * NULL. */
static const struct sk_val *rs_of(const char *image)
{
    const char *duid = pu_uid(dep());
    for (size_t i = 0; i < fh_count("apps/replicasets", NULL); i++) {
        const struct sk_val *rs = fh_nth("apps/replicasets", i);
        const char *im = sk_val_cstr(sk_val_path(rs, "spec.template.spec.containers[0].image"));
        if (ca_owned_by(rs, duid) && im && !strcmp(im, image)) return rs;
    }
    return NULL;
}

static size_t owned_rs(void)
{
    size_t n = 0;
    for (size_t i = 0; i < fh_count("apps/replicasets", NULL); i++)
        if (ca_owned_by(fh_nth("apps/replicasets", i), pu_uid(dep()))) n++;
    return n;
}

static int64_t rs_n(const char *image)
{
    const struct sk_val *rs = rs_of(image);
    return rs ? pu_int_at(rs, "spec", "replicas", -1) : -1;
}

static const char *cond_reason(const char *type)
{
    return sk_val_str_at(pu_condition(dep(), type), "reason", NULL);
}

/* Make one not-ready pod of the ReplicaSet running image ready; false
 * when none is left. */
static bool ready_one(const char *image)
{
    const struct sk_val *rs = rs_of(image);
    if (!rs) return false;
    for (size_t i = 0; i < fh_count("pods", NULL); i++) {
        const struct sk_val *p = fh_nth("pods", i);
        if (!ca_owned_by(p, pu_uid(rs)) || pu_pod_ready(p)) continue;
        ca_make_ready(p);
        return true;
    }
    return false;
}

static void ready_all(const char *image)
{
    while (ready_one(image))
        fh_run();
    fh_run();
}

static size_t pods_where(bool ready_only)
{
    size_t n = 0;
    for (size_t i = 0; i < fh_count("pods", NULL); i++) {
        const struct sk_val *p = fh_nth("pods", i);
        if (pu_pod_active(p) && (!ready_only || pu_pod_ready(p))) n++;
    }
    return n;
}

/* ---- pure ---- */

static void test_fenceposts(void **state)
{
    (void)state;
    struct sk_val *d = fh_json("{\"spec\":{\"replicas\":10,\"strategy\":{\"type\":"
                               "\"RollingUpdate\",\"rollingUpdate\":{\"maxSurge\":\"25%\","
                               "\"maxUnavailable\":\"25%\"}}}}");
    int64_t s, u;
    dep_fenceposts(d, &s, &u);
    assert_int_equal(s, 3); /* 2.5 up */
    assert_int_equal(u, 2); /* 2.5 down */
    sk_val_free(d);
    d = fh_json("{\"spec\":{\"replicas\":1,\"strategy\":{\"type\":\"RollingUpdate\","
                "\"rollingUpdate\":{\"maxSurge\":0,\"maxUnavailable\":\"10%\"}}}}");
    dep_fenceposts(d, &s, &u);
    assert_int_equal(s, 0);
    assert_int_equal(u, 1); /* both zero: one may be unavailable */
    assert_int_equal(dep_max_unavailable(d), 1);
    sk_val_free(d);
    d = fh_json("{\"spec\":{\"replicas\":3,\"strategy\":{\"type\":\"Recreate\"}}}");
    assert_int_equal(dep_max_surge(d), 0);
    assert_int_equal(dep_max_unavailable(d), 0);
    sk_val_free(d);
}

/* A Deployment at 5 replicas (surge 3: at most 8 pods) in the middle of a
 * rollout is scaled to 10 (at most 13): the 5 extra replicas are spread
 * in proportion to the ReplicaSets' sizes, newer first on ties. */
static void test_proportional_scaling(void **state)
{
    (void)state;
    char c1[32], c2[32];
    fh_fmt_time(FH_WALL0 - 100, c1);
    fh_fmt_time(FH_WALL0 - 50, c2);
    struct sk_val *d = fh_json(
            "{\"metadata\":{\"name\":\"web\",\"namespace\":\"default\",\"uid\":\"D\","
            "\"generation\":3},\"spec\":{\"replicas\":10,\"selector\":{\"matchLabels\":{\"app\":"
            "\"web\"}},\"template\":" TMPL("busybox:2") ",\"strategy\":" ROLLING(
                    "3", "2") ",\"progressDeadlineSeconds\":600},\"status\":{\"replicas\":8}}");
    struct dep_view v;
    dep_view_init(&v, d, FH_WALL0);
    struct sk_val *old = fh_jsonf(
            "{\"metadata\":{\"name\":\"web-old\",\"creationTimestamp\":\"%s\",\"annotations\":{"
            "\"deployment.kubernetes.io/revision\":\"1\",\"deployment.kubernetes.io/"
            "desired-replicas\":\"5\",\"deployment.kubernetes.io/max-replicas\":\"8\"}},"
            "\"spec\":{\"replicas\":4,\"template\":" TMPL("busybox:1") "},\"status\":{"
                                                                       "\"replicas\":4}}",
            c1);
    struct sk_val *nw = fh_jsonf(
            "{\"metadata\":{\"name\":\"web-new\",\"creationTimestamp\":\"%s\",\"annotations\":{"
            "\"deployment.kubernetes.io/revision\":\"2\",\"deployment.kubernetes.io/"
            "desired-replicas\":\"5\",\"deployment.kubernetes.io/max-replicas\":\"8\"}},"
            "\"spec\":{\"replicas\":4,\"template\":" TMPL("busybox:2") "},\"status\":{"
                                                                       "\"replicas\":4}}",
            c2);
    dep_view_add(&v, old, 4);
    dep_view_add(&v, nw, 4);
    dep_sync(&v);
    /* each gets round(4 * 13 / 8) = 7 at most: new +3, old +2 (the rest) */
    assert_int_equal(pu_int_at(v.rs[1].obj, "spec", "replicas", 0), 7);
    assert_int_equal(pu_int_at(v.rs[0].obj, "spec", "replicas", 0), 6);
    assert_true(v.rs[0].dirty && v.rs[1].dirty);
    assert_string_equal(sk_obj_annotation(v.rs[0].obj, DEP_DESIRED), "10");
    assert_string_equal(sk_obj_annotation(v.rs[0].obj, DEP_MAX), "13");
    bool seen = false;
    for (size_t i = 0; i < v.nev; i++)
        if (!strcmp(v.ev[i].msg, "Scaled up replica set web-new from 4 to 7")) seen = true;
    assert_true(seen);
    dep_view_free(&v);
    sk_val_free(old);
    sk_val_free(nw);
    sk_val_free(d);
}

/* ---- against the fake host ---- */

static void test_create(void **state)
{
    (void)state;
    struct ctl *c = start();
    put_dep(3, ROLLING("1", "1"), NULL);
    fh_run();
    assert_int_equal(owned_rs(), 1);
    const struct sk_val *rs = rs_of("busybox:1");
    assert_non_null(rs);
    const char *hash = sk_obj_label(rs, PU_HASH_LABEL);
    assert_non_null(hash);
    char name[64];
    snprintf(name, sizeof name, "web-%s", hash);
    assert_string_equal(sk_obj_name(rs), name);
    assert_string_equal(sk_val_str_at(rs, "spec", "selector", "matchLabels", PU_HASH_LABEL, NULL),
                        hash);
    assert_string_equal(
            sk_val_str_at(rs, "spec", "template", "metadata", "labels", PU_HASH_LABEL, NULL), hash);
    assert_string_equal(sk_obj_annotation(rs, DEP_REVISION), "1");
    assert_string_equal(sk_obj_annotation(rs, DEP_DESIRED), "3");
    assert_string_equal(sk_obj_annotation(rs, DEP_MAX), "4");
    assert_string_equal(sk_obj_annotation(rs, "kubernetes.io/change-cause"), "first");
    assert_string_equal(sk_obj_annotation(dep(), DEP_REVISION), "1");
    assert_int_equal(pu_int_at(rs, "spec", "replicas", 0), 3);
    char msg[128];
    snprintf(msg, sizeof msg, "Scaled up replica set %s from 0 to 3", name);
    assert_string_equal(sk_val_str_at(fh_event("web", "ScalingReplicaSet"), "message", NULL), msg);
    assert_int_equal(ca_pods_of(pu_uid(rs)), 3);
    assert_string_equal(sk_obj_label(fh_nth("pods", 0), PU_HASH_LABEL), hash);
    /* created, then progressing as the pods came */
    assert_string_equal(cond_reason("Progressing"), "ReplicaSetUpdated");
    assert_string_equal(cond_reason("Available"), "MinimumReplicasUnavailable");

    ready_all("busybox:1");
    const struct sk_val *d = dep();
    assert_int_equal(pu_int_at(d, "status", "replicas", 0), 3);
    assert_int_equal(pu_int_at(d, "status", "updatedReplicas", 0), 3);
    assert_int_equal(pu_int_at(d, "status", "readyReplicas", 0), 3);
    assert_int_equal(pu_int_at(d, "status", "availableReplicas", 0), 3);
    assert_int_equal(pu_int_at(d, "status", "unavailableReplicas", -1), -1);
    assert_int_equal(pu_int_at(d, "status", "observedGeneration", 0), 1);
    assert_string_equal(cond_reason("Available"), "MinimumReplicasAvailable");
    assert_string_equal(cond_reason("Progressing"), "NewReplicaSetAvailable");
    snprintf(msg, sizeof msg, "ReplicaSet \"%s\" has successfully progressed.", name);
    assert_string_equal(sk_val_str_at(pu_condition(d, "Progressing"), "message", NULL), msg);

    /* scaling changes the one ReplicaSet */
    set_dep("replicas", sk_val_int(5), NULL, NULL);
    fh_run();
    assert_int_equal(rs_n("busybox:1"), 5);
    assert_string_equal(sk_obj_annotation(rs_of("busybox:1"), DEP_DESIRED), "5");
    assert_int_equal(pods_where(false), 5);
    assert_int_equal(owned_rs(), 1);
    fh_ctl_free(c);
    fh_fini();
}

static void test_rolling_update_steps(void **state)
{
    (void)state;
    struct ctl *c = start();
    put_dep(4, ROLLING("1", "1"), NULL);
    fh_run();
    ready_all("busybox:1");
    set_image("busybox:2");
    fh_run();
    /* first steps: one surge pod and one old pod down, then the room that
     * made is the new ReplicaSet's: 5 pods, 3 of them available */
    assert_int_equal(rs_n("busybox:2"), 2);
    assert_int_equal(rs_n("busybox:1"), 3);
    assert_string_equal(sk_obj_annotation(rs_of("busybox:2"), DEP_REVISION), "2");
    assert_string_equal(sk_obj_annotation(dep(), DEP_REVISION), "2");
    int steps = 0;
    while (steps < 40) {
        /* the limits hold at every step */
        assert_true(pods_where(false) <= 5);
        assert_true(pods_where(true) >= 3);
        assert_true(rs_n("busybox:1") + rs_n("busybox:2") <= 5);
        if (!ready_one("busybox:2")) break;
        fh_run();
        steps++;
    }
    assert_int_equal(rs_n("busybox:2"), 4);
    assert_int_equal(rs_n("busybox:1"), 0);
    assert_int_equal(pods_where(false), 4);
    assert_true(steps >= 4);
    const struct sk_val *d = dep();
    assert_int_equal(pu_int_at(d, "status", "updatedReplicas", 0), 4);
    assert_int_equal(pu_int_at(d, "status", "availableReplicas", 0), 4);
    assert_int_equal(pu_int_at(d, "status", "observedGeneration", 0), 2);
    assert_string_equal(cond_reason("Progressing"), "NewReplicaSetAvailable");
    assert_int_equal(owned_rs(), 2);
    fh_ctl_free(c);
    fh_fini();
}

static size_t write_index(int op, const char *resource, size_t nth)
{
    for (size_t i = 0; i < FH.nwrites; i++)
        if (FH.writes[i].op == op && !strcmp(FH.writes[i].resource, resource) && nth-- == 0)
            return i;
    return SIZE_MAX;
}

static void test_recreate(void **state)
{
    (void)state;
    struct ctl *c = start();
    put_dep(3, "{\"type\":\"Recreate\"}", NULL);
    fh_run();
    ready_all("busybox:1");
    set_image("busybox:2");
    fh_run();
    assert_int_equal(rs_n("busybox:1"), 0);
    assert_int_equal(rs_n("busybox:2"), 3);
    /* every old pod was deleted before the new ReplicaSet was created */
    size_t created = write_index(SKIFF_WRITE_CREATE, "apps/replicasets", 1);
    size_t last_del = write_index(SKIFF_WRITE_DELETE, "pods", 2);
    assert_true(created != SIZE_MAX && last_del != SIZE_MAX);
    assert_true(last_del < created);
    assert_int_equal(write_index(SKIFF_WRITE_DELETE, "pods", 3), SIZE_MAX);
    fh_ctl_free(c);
    fh_fini();
}

static void test_undo_and_history(void **state)
{
    (void)state;
    struct ctl *c = start();
    put_dep(2, ROLLING("1", "0"), NULL);
    fh_run();
    ready_all("busybox:1");
    set_image("busybox:2");
    fh_run();
    ready_all("busybox:2");
    assert_int_equal(rs_n("busybox:1"), 0);
    char *first = sk_xstrdup(sk_obj_name(rs_of("busybox:1")));
    /* kubectl rollout undo --to-revision=1 puts back revision 1's template */
    set_image("busybox:1");
    fh_run();
    ready_all("busybox:1");
    assert_int_equal(owned_rs(), 2); /* the old ReplicaSet came back, no third */
    const struct sk_val *rs = rs_of("busybox:1");
    assert_string_equal(sk_obj_name(rs), first);
    assert_string_equal(sk_obj_annotation(rs, DEP_REVISION), "3");
    assert_string_equal(sk_obj_annotation(rs, DEP_REV_HISTORY), "1");
    assert_int_equal(rs_n("busybox:1"), 2);
    assert_int_equal(rs_n("busybox:2"), 0);
    assert_string_equal(sk_obj_annotation(dep(), DEP_REVISION), "3");
    free(first);
    fh_ctl_free(c);
    fh_fini();
}

static void test_paused(void **state)
{
    (void)state;
    struct ctl *c = start();
    put_dep(2, ROLLING("1", "0"), NULL);
    fh_run();
    ready_all("busybox:1");
    set_dep("paused", sk_val_bool(true), NULL, NULL);
    fh_run();
    assert_string_equal(cond_reason("Progressing"), "DeploymentPaused");
    set_image("busybox:2");
    fh_run();
    assert_null(rs_of("busybox:2")); /* no rollout while paused */
    set_dep("replicas", sk_val_int(4), NULL, NULL);
    fh_run();
    assert_int_equal(rs_n("busybox:1"), 4); /* scaling still works */
    set_dep("paused", sk_val_bool(false), NULL, NULL);
    fh_run();
    assert_non_null(rs_of("busybox:2"));
    assert_int_equal(rs_n("busybox:2"), 1);
    ready_all("busybox:2");
    assert_int_equal(rs_n("busybox:2"), 4);
    assert_int_equal(rs_n("busybox:1"), 0);
    fh_ctl_free(c);
    fh_fini();
}

/* Paused in the middle of a rollout, then scaled from 4 to 8: the room
 * (8 + 1 surge - 5 pods = 4) is shared in proportion to the ReplicaSets'
 * sizes against their max-replicas annotation (5). */
static void test_paused_proportional(void **state)
{
    (void)state;
    struct ctl *c = start();
    put_dep(4, ROLLING("1", "1"), NULL);
    fh_run();
    ready_all("busybox:1");
    set_image("busybox:2");
    fh_run();
    assert_int_equal(rs_n("busybox:1"), 3);
    assert_int_equal(rs_n("busybox:2"), 2);
    set_dep("paused", sk_val_bool(true), NULL, NULL);
    fh_run();
    set_dep("replicas", sk_val_int(8), NULL, NULL);
    fh_run();
    /* old: round(3 * 9 / 5) = 5; new: round(2 * 9 / 5) = 4 */
    assert_int_equal(rs_n("busybox:1"), 5);
    assert_int_equal(rs_n("busybox:2"), 4);
    assert_string_equal(sk_obj_annotation(rs_of("busybox:2"), DEP_MAX), "9");
    assert_string_equal(sk_obj_annotation(rs_of("busybox:1"), DEP_DESIRED), "8");
    fh_ctl_free(c);
    fh_fini();
}

static void test_restart(void **state)
{
    (void)state;
    struct ctl *c = start();
    put_dep(1, ROLLING("1", "0"), NULL);
    fh_run();
    ready_all("busybox:1");
    /* kubectl rollout restart: a template annotation */
    struct sk_val *d = sk_val_dup(dep());
    sk_val_set_at(d, sk_val_str("2026-01-01T00:00:10Z"), "spec", "template", "metadata",
                  "annotations", "kubectl.kubernetes.io/restartedAt", NULL);
    sk_val_set_at(d, sk_val_int(2), "metadata", "generation", NULL);
    sk_map_del(sk_map_get(d, "metadata"), "resourceVersion");
    fh_update("apps/deployments", d);
    fh_run();
    assert_int_equal(owned_rs(), 2);
    assert_string_equal(sk_obj_annotation(dep(), DEP_REVISION), "2");
    fh_ctl_free(c);
    fh_fini();
}

static void test_history_limit(void **state)
{
    (void)state;
    struct ctl *c = start();
    put_dep(1, ROLLING("1", "0"), NULL);
    set_dep("revisionHistoryLimit", sk_val_int(1), NULL, NULL);
    fh_run();
    ready_all("busybox:1");
    static const char *const images[] = {"busybox:2", "busybox:3", "busybox:4"};
    for (size_t i = 0; i < 3; i++) {
        set_image(images[i]);
        fh_run();
        ready_all(images[i]);
    }
    assert_int_equal(owned_rs(), 2); /* the new one and one old */
    assert_null(rs_of("busybox:1"));
    assert_null(rs_of("busybox:2"));
    assert_non_null(rs_of("busybox:3"));
    assert_string_equal(sk_obj_annotation(rs_of("busybox:4"), DEP_REVISION), "4");
    fh_ctl_free(c);
    fh_fini();
}

static void test_progress_deadline(void **state)
{
    (void)state;
    struct ctl *c = start();
    put_dep(2, ROLLING("1", "0"), NULL);
    set_dep("progressDeadlineSeconds", sk_val_int(30), NULL, NULL);
    fh_run();
    assert_string_equal(cond_reason("Progressing"), "ReplicaSetUpdated");
    fh_advance(20);
    assert_string_equal(cond_reason("Progressing"), "ReplicaSetUpdated");
    fh_advance(15);
    assert_string_equal(cond_reason("Progressing"), "ProgressDeadlineExceeded");
    const struct sk_val *cond = pu_condition(dep(), "Progressing");
    assert_string_equal(sk_val_str_at(cond, "status", NULL), "False");
    char msg[128];
    snprintf(msg, sizeof msg, "ReplicaSet \"%s\" has timed out progressing.",
             sk_obj_name(rs_of("busybox:1")));
    assert_string_equal(sk_val_str_at(cond, "message", NULL), msg);
    fh_ctl_free(c);
    fh_fini();
}

static void test_hash_collision(void **state)
{
    (void)state;
    struct ctl *c = start();
    /* a ReplicaSet nobody owns already has the name the template hashes
     * to (and selects other pods) */
    struct sk_val *t = fh_json(TMPL("busybox:1"));
    char h[16];
    pu_template_hash(t, -1, h);
    sk_val_free(t);
    fh_put("apps/replicasets",
           fh_jsonf("{\"metadata\":{\"name\":\"web-%s\",\"namespace\":\"default\",\"labels\":{"
                    "\"app\":\"other\"}},\"spec\":{\"replicas\":0,\"selector\":{\"matchLabels\":{"
                    "\"app\":\"other\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":"
                    "\"other\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\"}]}}}}",
                    h));
    put_dep(1, ROLLING("1", "0"), NULL);
    fh_run();
    fh_advance(1);
    assert_int_equal(pu_int_at(dep(), "status", "collisionCount", 0), 1);
    const struct sk_val *rs = rs_of("busybox:1");
    assert_non_null(rs);
    char other[64];
    snprintf(other, sizeof other, "web-%s", h);
    assert_string_not_equal(sk_obj_name(rs), other);
    assert_int_equal(rs_n("busybox:1"), 1);
    fh_ctl_free(c);
    fh_fini();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_fenceposts),
            cmocka_unit_test(test_proportional_scaling),
            cmocka_unit_test(test_create),
            cmocka_unit_test(test_rolling_update_steps),
            cmocka_unit_test(test_recreate),
            cmocka_unit_test(test_undo_and_history),
            cmocka_unit_test(test_paused),
            cmocka_unit_test(test_paused_proportional),
            cmocka_unit_test(test_restart),
            cmocka_unit_test(test_history_limit),
            cmocka_unit_test(test_progress_deadline),
            cmocka_unit_test(test_hash_collision),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
