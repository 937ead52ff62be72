/* Tests of the scheduler module (plugins/controllers/scheduler/) against
 * the fake host: binding, each filter, the scores, and kube-scheduler's
 * unschedulable message, condition and events. */
#include "ctl_fakehost.h"

#include "../../plugins/controllers/scheduler/sched.h"

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
    assert_int_equal(ctl_start_module(C, &ctl_mod_scheduler), 0);
    fh_run();
}

static void node(const char *name, const char *cpu, const char *mem, const char *extra)
{
    fh_put("nodes", fh_jsonf("{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":"
                             "\"%s\",\"labels\":{\"kubernetes.io/hostname\":\"%s\"}},"
                             "\"spec\":{%s},\"status\":{\"allocatable\":{\"cpu\":\"%s\","
                             "\"memory\":\"%s\",\"pods\":\"110\"}}}",
                             name, name, extra ? extra : "", cpu, mem));
}

static void pod(const char *name, const char *spec_extra, const char *cpu, const char *mem)
{
    fh_put("pods",
           fh_jsonf("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s\","
                    "\"namespace\":\"default\"},\"spec\":{%s%s\"containers\":[{\"name\":\"c\","
                    "\"image\":\"busybox\",\"resources\":{\"requests\":{\"cpu\":\"%s\","
                    "\"memory\":\"%s\"}}}]}}",
                    name, spec_extra ? spec_extra : "", spec_extra && *spec_extra ? "," : "", cpu,
                    mem));
}

static const char *bound_to(const char *name)
{
    return sk_val_str_at(fh_get("pods", "default", name), "spec", "nodeName", NULL);
}

static const struct sk_val *cond(const char *name)
{
    const struct sk_val *cs =
            sk_val_at(fh_get("pods", "default", name), "status", "conditions", NULL);
    for (size_t i = 0; i < sk_arr_len(cs); i++)
        if (fh_streq(sk_val_str_at(sk_arr_get(cs, i), "type", NULL), "PodScheduled"))
            return sk_arr_get(cs, i);
    return NULL;
}

static void test_binds_to_the_only_node(void **state)
{
    (void)state;
    node("n1", "2", "4Gi", NULL);
    pod("web", NULL, "100m", "64Mi");
    start();
    assert_string_equal(bound_to("web"), "n1");
    assert_string_equal(sk_val_str_at(cond("web"), "status", NULL), "True");
    const struct sk_val *ev = fh_event("web", "Scheduled");
    assert_non_null(ev);
    assert_string_equal(sk_val_str_at(ev, "message", NULL),
                        "Successfully assigned default/web to n1");
    assert_string_equal(sk_val_str_at(ev, "type", NULL), "Normal");
    assert_string_equal(sk_val_str_at(ev, "source", "component", NULL), "default-scheduler");
    assert_string_equal(sk_val_str_at(ev, "reportingComponent", NULL), "default-scheduler");
    assert_string_equal(sk_val_str_at(ev, "involvedObject", "kind", NULL), "Pod");
    assert_int_equal(sk_val_to_int(sk_map_get(ev, "count"), 0), 1);
    /* a pod created later is bound too; a bound pod is left alone */
    pod("api", NULL, "100m", "64Mi");
    fh_run();
    assert_string_equal(bound_to("api"), "n1");
    assert_int_equal(fh_writes(SKIFF_WRITE_UPDATE, "pods"), 2);
}

static void test_no_nodes_then_a_node(void **state)
{
    (void)state;
    pod("web", NULL, "100m", "64Mi");
    start();
    assert_null(bound_to("web"));
    assert_string_equal(sk_val_str_at(cond("web"), "status", NULL), "False");
    assert_string_equal(sk_val_str_at(cond("web"), "reason", NULL), "Unschedulable");
    assert_string_equal(sk_val_str_at(cond("web"), "message", NULL),
                        "no nodes available to schedule pods");
    node("n1", "1", "1Gi", NULL);
    fh_run();
    assert_string_equal(bound_to("web"), "n1");
}

static void test_unschedulable_message(void **state)
{
    (void)state;
    node("a", "2", "1Gi", NULL);
    node("b", "2", "8Gi", NULL);
    fh_put("nodes", fh_json("{\"metadata\":{\"name\":\"c\",\"labels\":{\"disk\":\"ssd\"}},"
                            "\"status\":{\"allocatable\":{\"cpu\":\"2\",\"memory\":\"8Gi\","
                            "\"pods\":\"110\"}}}"));
    /* a's memory is too small, b and c lack the label */
    pod("big", "\"nodeSelector\":{\"disk\":\"hdd\"}", "100m", "2Gi");
    start();
    const char *want = "0/3 nodes are available: 1 Insufficient memory, 2 node(s) didn't match "
                       "Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 "
                       "Preemption is not helpful for scheduling.";
    /* nodeSelector fails on all three: a's memory is never reached */
    const char *got = sk_val_str_at(cond("big"), "message", NULL);
    assert_non_null(got);
    assert_string_equal(got, "0/3 nodes are available: 3 node(s) didn't match Pod's node "
                             "affinity/selector. preemption: 0/3 nodes are available: 3 "
                             "Preemption is not helpful for scheduling.");
    /* label a and b: now a fails on memory (beyond its allocatable:
     * unresolvable), b and c on the selector */
    fh_update("nodes", fh_json("{\"metadata\":{\"name\":\"a\",\"labels\":{\"disk\":\"hdd\"}},"
                               "\"status\":{\"allocatable\":{\"cpu\":\"2\",\"memory\":\"1Gi\","
                               "\"pods\":\"110\"}}}"));
    fh_run();
    assert_string_equal(sk_val_str_at(cond("big"), "message", NULL), want);
    const struct sk_val *ev = fh_event("big", "FailedScheduling");
    assert_non_null(ev);
    assert_string_equal(sk_val_str_at(ev, "type", NULL), "Warning");
    assert_null(bound_to("big"));
}

static void test_resources_count_bound_pods(void **state)
{
    (void)state;
    node("n1", "1", "1Gi", NULL);
    pod("p1", NULL, "600m", "100Mi");
    pod("p2", NULL, "600m", "100Mi");
    start();
    /* only one fits; the other is told why (preemption might help) */
    int bound = (bound_to("p1") != NULL) + (bound_to("p2") != NULL);
    assert_int_equal(bound, 1);
    const char *loser = bound_to("p1") ? "p2" : "p1";
    assert_string_equal(sk_val_str_at(cond(loser), "message", NULL),
                        "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are "
                        "available: 1 No preemption victims found for incoming pod.");
    /* the winner finishes: its requests no longer count */
    const char *winner = bound_to("p1") ? "p1" : "p2";
    struct sk_val *w = sk_val_dup(fh_get("pods", "default", winner));
    sk_val_set_at(w, sk_val_str("Succeeded"), "status", "phase", NULL);
    fh_update("pods", w);
    fh_run();
    assert_string_equal(bound_to(loser), "n1");
}

static void test_taints_and_tolerations(void **state)
{
    (void)state;
    node("t", "2", "2Gi",
         "\"taints\":[{\"key\":\"dedicated\",\"value\":\"gpu\",\"effect\":\"NoSchedule\"}]");
    pod("plain", NULL, "10m", "10Mi");
    pod("tol",
        "\"tolerations\":[{\"key\":\"dedicated\",\"operator\":\"Equal\",\"value\":\"gpu\","
        "\"effect\":\"NoSchedule\"}]",
        "10m", "10Mi");
    start();
    assert_null(bound_to("plain"));
    assert_string_equal(bound_to("tol"), "t");
    assert_string_equal(sk_val_str_at(cond("plain"), "message", NULL),
                        "0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: "
                        "gpu}. preemption: 0/1 nodes are available: 1 Preemption is not helpful "
                        "for scheduling.");
    /* tolerations matching rules */
    struct sk_val *taint = fh_json("{\"key\":\"k\",\"value\":\"v\",\"effect\":\"NoExecute\"}");
    struct sk_val *t1 = fh_json("[{\"operator\":\"Exists\"}]");
    struct sk_val *t2 =
            fh_json("[{\"key\":\"k\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]");
    struct sk_val *t3 = fh_json("[{\"key\":\"k\",\"value\":\"w\"}]");
    struct sk_val *t4 = fh_json("[{\"key\":\"k\",\"value\":\"v\"}]");
    assert_true(sched_tolerates(t1, taint));
    assert_false(sched_tolerates(t2, taint));
    assert_false(sched_tolerates(t3, taint));
    assert_true(sched_tolerates(t4, taint));
    sk_val_free(taint);
    sk_val_free(t1);
    sk_val_free(t2);
    sk_val_free(t3);
    sk_val_free(t4);
}

static void test_cordoned_and_not_ready(void **state)
{
    (void)state;
    node("cordoned", "2", "2Gi", "\"unschedulable\":true");
    fh_put("nodes", fh_json("{\"metadata\":{\"name\":\"down\"},\"status\":{\"conditions\":[{"
                            "\"type\":\"Ready\",\"status\":\"False\"}]}}"));
    pod("p", NULL, "10m", "10Mi");
    start();
    assert_null(bound_to("p"));
    assert_string_equal(sk_val_str_at(cond("p"), "message", NULL),
                        "0/2 nodes are available: 1 node(s) had untolerated taint "
                        "{node.kubernetes.io/not-ready: }, 1 node(s) were unschedulable. "
                        "preemption: 0/2 nodes are available: 2 Preemption is not helpful for "
                        "scheduling.");
    /* uncordon: bound */
    fh_update("nodes", fh_json("{\"metadata\":{\"name\":\"cordoned\"},\"spec\":{}}"));
    fh_run();
    assert_string_equal(bound_to("p"), "cordoned");
}

static void test_required_affinity(void **state)
{
    (void)state;
    fh_put("nodes", fh_json("{\"metadata\":{\"name\":\"n1\",\"labels\":{\"zone\":\"a\","
                            "\"cores\":\"4\"}}}"));
    fh_put("nodes", fh_json("{\"metadata\":{\"name\":\"n2\",\"labels\":{\"zone\":\"b\","
                            "\"cores\":\"16\"}}}"));
    fh_put("nodes", fh_json("{\"metadata\":{\"name\":\"n3\",\"labels\":{\"zone\":\"b\"}}}"));
    const struct sk_val *n1 = fh_get("nodes", NULL, "n1"), *n2 = fh_get("nodes", NULL, "n2"),
                        *n3 = fh_get("nodes", NULL, "n3");
    struct {
        const char *term;
        bool m1, m2, m3;
    } cases[] = {
            {"{\"matchExpressions\":[{\"key\":\"zone\",\"operator\":\"In\",\"values\":[\"b\"]}]}",
             false, true, true},
            {"{\"matchExpressions\":[{\"key\":\"zone\",\"operator\":\"NotIn\",\"values\":[\"b\"]}]"
             "}",
             true, false, false},
            {"{\"matchExpressions\":[{\"key\":\"cores\",\"operator\":\"Exists\"}]}", true, true,
             false},
            {"{\"matchExpressions\":[{\"key\":\"cores\",\"operator\":\"DoesNotExist\"}]}", false,
             false, true},
            {"{\"matchExpressions\":[{\"key\":\"cores\",\"operator\":\"Gt\",\"values\":[\"8\"]}]}",
             false, true, false},
            {"{\"matchExpressions\":[{\"key\":\"cores\",\"operator\":\"Lt\",\"values\":[\"8\"]}]}",
             true, false, false},
            {"{\"matchFields\":[{\"key\":\"metadata.name\",\"operator\":\"In\",\"values\":[\"n3\"]}"
             "]}",
             false, false, true},
            {"{\"matchFields\":[{\"key\":\"metadata.name\",\"operator\":\"NotIn\",\"values\":["
             "\"n3\"]}"
             "],\"matchExpressions\":[{\"key\":\"zone\",\"operator\":\"In\",\"values\":[\"b\"]}]}",
             false, true, false},
            {"{}", false, false, false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sk_val *t = fh_json(cases[i].term);
        assert_int_equal(sched_node_selector_term_match(t, n1), cases[i].m1);
        assert_int_equal(sched_node_selector_term_match(t, n2), cases[i].m2);
        assert_int_equal(sched_node_selector_term_match(t, n3), cases[i].m3);
        sk_val_free(t);
    }
    /* through the module: terms are ORed */
    pod("p",
        "\"affinity\":{\"nodeAffinity\":{\"requiredDuringSchedulingIgnoredDuringExecution\":"
        "{\"nodeSelectorTerms\":[{\"matchExpressions\":[{\"key\":\"zone\",\"operator\":"
        "\"In\",\"values\":[\"x\"]}]},{\"matchFields\":[{\"key\":\"metadata.name\","
        "\"operator\":\"In\",\"values\":[\"n2\"]}]}]}}}",
        "10m", "10Mi");
    start();
    assert_string_equal(bound_to("p"), "n2");
}

static void test_host_ports(void **state)
{
    (void)state;
    node("n1", "4", "4Gi", NULL);
    node("n2", "4", "4Gi", NULL);
    const char *port = "\"containers\":[{\"name\":\"c\",\"image\":\"x\",\"ports\":[{"
                       "\"containerPort\":80,\"hostPort\":8080}]}]";
    for (int i = 0; i < 3; i++) {
        char name[16];
        snprintf(name, sizeof(name), "hp%d", i);
        fh_put("pods", fh_jsonf("{\"metadata\":{\"name\":\"%s\",\"namespace\":\"default\"},"
                                "\"spec\":{%s}}",
                                name, port));
    }
    start();
    const char *a = bound_to("hp0"), *b = bound_to("hp1"), *c = bound_to("hp2");
    int n = (a != NULL) + (b != NULL) + (c != NULL);
    assert_int_equal(n, 2);
    const char *x = a ? a : b, *y = c ? c : b;
    assert_string_not_equal(x, y);
    const char *left = !a ? "hp0" : !b ? "hp1" : "hp2";
    assert_string_equal(sk_val_str_at(cond(left), "message", NULL),
                        "0/2 nodes are available: 2 node(s) didn't have free ports for the "
                        "requested pod ports. preemption: 0/2 nodes are available: 2 No "
                        "preemption victims found for incoming pod.");
}

static void test_scores_spread_and_preference(void **state)
{
    (void)state;
    node("n1", "4", "8Gi", NULL);
    node("n2", "4", "8Gi", NULL);
    node("n3", "4", "8Gi", NULL);
    /* six replicas of one owner: two per node */
    for (int i = 0; i < 6; i++)
        fh_put("pods",
               fh_jsonf("{\"metadata\":{\"name\":\"r%d\",\"namespace\":\"default\","
                        "\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\","
                        "\"name\":\"rs\",\"uid\":\"rs-uid\",\"controller\":true}]},\"spec\":{"
                        "\"containers\":[{\"name\":\"c\",\"image\":\"x\"}]}}",
                        i));
    start();
    int per[3] = {0};
    for (int i = 0; i < 6; i++) {
        char name[16];
        snprintf(name, sizeof(name), "r%d", i);
        const char *n = bound_to(name);
        assert_non_null(n);
        per[n[1] - '1']++;
    }
    assert_int_equal(per[0], 2);
    assert_int_equal(per[1], 2);
    assert_int_equal(per[2], 2);
    /* a preferred term wins over an emptier node */
    pod("pref",
        "\"affinity\":{\"nodeAffinity\":{\"preferredDuringSchedulingIgnoredDuringExecution\":"
        "[{\"weight\":50,\"preference\":{\"matchFields\":[{\"key\":\"metadata.name\","
        "\"operator\":\"In\",\"values\":[\"n3\"]}]}}]}}",
        "10m", "10Mi");
    fh_run();
    assert_string_equal(bound_to("pref"), "n3");
}

static void test_scores_pure(void **state)
{
    (void)state;
    struct sk_val *n = fh_json("{\"metadata\":{\"name\":\"n\"},\"status\":{\"allocatable\":{"
                               "\"cpu\":\"4\",\"memory\":\"4Gi\",\"pods\":\"10\"}}}");
    struct sched_nodeinfo ni = {0};
    struct sched_res r = {1000, 1024ll * 1024 * 1024, 1};
    /* empty node, pod 1/4 cpu and 1/4 memory: 75 free of each */
    assert_int_equal(sched_score_least_allocated(n, &ni, &r), 75);
    assert_int_equal(sched_score_balanced(n, &ni, &r), 100);
    struct sched_res skew = {4000, 0, 1};
    assert_int_equal(sched_score_balanced(n, &ni, &skew), 50);
    /* requests: containers summed, the largest init container wins if larger */
    struct sk_val *p = fh_json(
            "{\"spec\":{\"initContainers\":[{\"resources\":{\"requests\":{\"cpu\":\"3\"}}}],"
            "\"containers\":[{\"resources\":{\"requests\":{\"cpu\":\"500m\",\"memory\":\"1Gi\"}}},"
            "{\"resources\":{\"limits\":{\"cpu\":\"1\",\"memory\":\"128Mi\"}}},{}]}}");
    struct sched_res req, nz;
    sched_pod_requests(p, &req, &nz);
    assert_int_equal(req.milli_cpu, 3000);
    assert_int_equal(req.memory, 1024ll * 1024 * 1024 + 128ll * 1024 * 1024);
    assert_int_equal(nz.milli_cpu, 3000);
    assert_int_equal(nz.memory, 1024ll * 1024 * 1024 + 128ll * 1024 * 1024 + 200ll * 1024 * 1024);
    sched_nodeinfo_add(&ni, p, 1);
    assert_int_equal(ni.req.pods, 1);
    sched_nodeinfo_add(&ni, p, -1);
    assert_int_equal(ni.req.milli_cpu, 0);
    sched_nodeinfo_free(&ni);
    sk_val_free(p);
    sk_val_free(n);
}

static void test_event_aggregation(void **state)
{
    (void)state;
    pod("p", "\"nodeSelector\":{\"x\":\"y\"}", "10m", "10Mi");
    node("n1", "1", "1Gi", NULL);
    start();
    const struct sk_val *ev = fh_event("p", "FailedScheduling");
    assert_non_null(ev);
    assert_int_equal(sk_val_to_int(sk_map_get(ev, "count"), 0), 1);
    /* a node change retries; the same message bumps the same Event */
    node("n2", "1", "1Gi", NULL);
    fh_advance(1);
    ev = fh_event("p", "FailedScheduling");
    assert_int_equal(sk_val_to_int(sk_map_get(ev, "count"), 0), 1);
    assert_string_equal(sk_val_str_at(cond("p"), "message", NULL),
                        "0/2 nodes are available: 2 node(s) didn't match Pod's node "
                        "affinity/selector. preemption: 0/2 nodes are available: 2 Preemption "
                        "is not helpful for scheduling.");
    node("n3", "1", "1Gi", NULL);
    fh_advance(1);
    /* the message changed twice: three Events; retry after 5 minutes bumps */
    fh_advance(301);
    size_t n = 0;
    for (size_t i = 0; fh_nth("events", i); i++)
        if (fh_streq(sk_val_str_at(fh_nth("events", i), "reason", NULL), "FailedScheduling")) n++;
    assert_int_equal(n, 3);
    int64_t maxc = 0;
    for (size_t i = 0; fh_nth("events", i); i++) {
        int64_t c = sk_val_to_int(sk_map_get(fh_nth("events", i), "count"), 0);
        if (c > maxc) maxc = c;
    }
    assert_int_equal(maxc, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_binds_to_the_only_node, setup, teardown),
            cmocka_unit_test_setup_teardown(test_no_nodes_then_a_node, setup, teardown),
            cmocka_unit_test_setup_teardown(test_unschedulable_message, setup, teardown),
            cmocka_unit_test_setup_teardown(test_resources_count_bound_pods, setup, teardown),
            cmocka_unit_test_setup_teardown(test_taints_and_tolerations, setup, teardown),
            cmocka_unit_test_setup_teardown(test_cordoned_and_not_ready, setup, teardown),
            cmocka_unit_test_setup_teardown(test_required_affinity, setup, teardown),
            cmocka_unit_test_setup_teardown(test_host_ports, setup, teardown),
            cmocka_unit_test_setup_teardown(test_scores_spread_and_preference, setup, teardown),
            cmocka_unit_test_setup_teardown(test_scores_pure, setup, teardown),
            cmocka_unit_test_setup_teardown(test_event_aggregation, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
