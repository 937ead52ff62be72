/* Tests of the Job controller (plugins/controllers/job) against the fake
 * host: completions with parallelism, pod tracking through the
 * batch.kubernetes.io/job-tracking finalizer, the pod-failure back-off
 * and backoffLimit, activeDeadlineSeconds, suspend, Indexed jobs and
 * ttlSecondsAfterFinished; and the index formatting as a pure function. */
#include "ctl_fakehost.h"

#include "../../plugins/controllers/job/job_logic.h"
#include "../../plugins/controllers/podutil.h"

static struct ctl *start(void)
{
    fh_init();
    struct ctl *c = ctl_new(FH_CTX, &FH.host, 1, FH_WALL0);
    assert_int_equal(ctl_start_module(c, &ctl_mod_job), 0);
    return c;
}

static void put_job(const char *name, const char *spec_extra)
{
    fh_put("batch/jobs",
           fh_jsonf("{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"metadata\":{\"name\":\"%s\","
                    "\"namespace\":\"default\",\"generation\":1},\"spec\":{%s%s"
                    "\"template\":{\"metadata\":{\"labels\":{\"job-name\":\"%s\"}},\"spec\":{"
                    "\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}],"
                    "\"restartPolicy\":\"Never\"}}}}",
                    name, spec_extra, *spec_extra ? "," : "", name));
}

static const struct sk_val *job(const char *name)
{
    return fh_get("batch/jobs", "default", name);
}

static bool has_finalizer(const struct sk_val *pod)
{
    return job_pod_has_finalizer(pod);
}

/* Pods of the job that are active (not finished, not terminating). */
static size_t active_pods(const char *name, const struct sk_val **out, size_t max)
{
    size_t n = 0;
    const char *uid = sk_val_str_at(job(name), "metadata", "uid", NULL);
    for (size_t i = 0; i < fh_count("pods", NULL); i++) {
        const struct sk_val *p = fh_nth("pods", i);
        const char *cu = sk_val_str_at(sk_obj_controller_ref(p), "uid", NULL);
        if (!cu || !uid || strcmp(cu, uid) || !pu_pod_active(p)) continue;
        if (n < max) out[n] = p;
        n++;
    }
    return n;
}

/* The runtime reports the pod's end. */
static void finish(const struct sk_val *pod, const char *phase, int code)
{
    struct sk_val *p = sk_val_dup(pod);
    char ts[32];
    fh_fmt_time(fh_wall(), ts);
    sk_map_del(sk_map_get(p, "metadata"), "resourceVersion");
    sk_val_set_at(p, sk_val_str("node1"), "spec", "nodeName", NULL);
    sk_val_set_at(p, sk_val_str(phase), "status", "phase", NULL);
    sk_val_set_at(p,
                  fh_jsonf("[{\"name\":\"c\",\"state\":{\"terminated\":{\"exitCode\":%d,"
                           "\"finishedAt\":\"%s\"}}}]",
                           code, ts),
                  "status", "containerStatuses", NULL);
    assert_int_equal(fh_update("pods", p), 0);
}

static const char *cond_status(const char *name, const char *type)
{
    const struct sk_val *c = pu_condition(job(name), type);
    return c ? sk_val_str_at(c, "status", NULL) : NULL;
}

static int64_t st_int(const char *name, const char *field)
{
    return sk_val_to_int(sk_val_at(job(name), "status", field, NULL), 0);
}

static void test_format_indexes(void **state)
{
    (void)state;
    int64_t a[] = {0, 1, 2, 4, 6, 7};
    char *s = job_format_indexes(a, 6);
    assert_string_equal(s, "0-2,4,6-7");
    free(s);
    s = job_format_indexes(a, 0);
    assert_string_equal(s, "");
    free(s);
}

static void test_completions_parallelism(void **state)
{
    (void)state;
    struct ctl *c = start();
    put_job("pi", "\"completions\":5,\"parallelism\":2,\"backoffLimit\":6,"
                  "\"completionMode\":\"NonIndexed\"");
    fh_run();
    const struct sk_val *act[8];
    assert_int_equal(active_pods("pi", act, 8), 2);
    assert_true(has_finalizer(act[0]));
    assert_non_null(sk_val_at(job("pi"), "status", "startTime", NULL));
    assert_int_equal(st_int("pi", "active"), 2);
    assert_non_null(fh_event("pi", "SuccessfulCreate"));
    int rounds = 0;
    while (!cond_status("pi", "Complete") && rounds++ < 10) {
        size_t n = active_pods("pi", act, 8);
        assert_true(n <= 2);
        assert_true(n >= 1);
        finish(act[0], "Succeeded", 0);
        fh_run();
    }
    assert_string_equal(cond_status("pi", "Complete"), "True");
    assert_string_equal(cond_status("pi", "SuccessCriteriaMet"), "True");
    assert_int_equal(st_int("pi", "succeeded"), 5);
    assert_int_equal(st_int("pi", "active"), 0);
    assert_int_equal(st_int("pi", "failed"), 0);
    assert_non_null(sk_val_at(job("pi"), "status", "completionTime", NULL));
    assert_int_equal(sk_map_len(sk_val_at(job("pi"), "status", "uncountedTerminatedPods", NULL)),
                     0);
    assert_int_equal(fh_count("pods", NULL), 5);
    for (size_t i = 0; i < fh_count("pods", NULL); i++)
        assert_false(has_finalizer(fh_nth("pods", i)));
    const struct sk_val *ev = fh_event("pi", "Completed");
    assert_non_null(ev);
    assert_string_equal(sk_val_str_at(ev, "message", NULL), "Job completed");
    const struct sk_val *cc = pu_condition(job("pi"), "Complete");
    assert_string_equal(sk_val_str_at(cc, "reason", NULL), "CompletionsReached");
    assert_string_equal(sk_val_str_at(cc, "message", NULL),
                        "Reached expected number of succeeded pods");
    fh_ctl_free(c);
    fh_fini();
}

static void test_backoff_and_limit(void **state)
{
    (void)state;
    struct ctl *c = start();
    put_job("flaky", "\"completions\":1,\"parallelism\":1,\"backoffLimit\":2");
    fh_run();
    const struct sk_val *act[4];
    assert_int_equal(active_pods("flaky", act, 4), 1);
    /* first failure: counted, its finalizer removed, replacement after 10 s */
    finish(act[0], "Failed", 1);
    fh_run();
    assert_int_equal(st_int("flaky", "failed"), 1);
    assert_int_equal(active_pods("flaky", act, 4), 0);
    for (size_t i = 0; i < fh_count("pods", NULL); i++)
        assert_false(has_finalizer(fh_nth("pods", i)));
    fh_advance(9);
    assert_int_equal(active_pods("flaky", act, 4), 0);
    fh_advance(2);
    assert_int_equal(active_pods("flaky", act, 4), 1);
    /* second failure: 20 s */
    finish(act[0], "Failed", 1);
    fh_run();
    assert_int_equal(st_int("flaky", "failed"), 2);
    fh_advance(19);
    assert_int_equal(active_pods("flaky", act, 4), 0);
    fh_advance(2);
    assert_int_equal(active_pods("flaky", act, 4), 1);
    assert_null(cond_status("flaky", "Failed"));
    /* third failure exceeds backoffLimit 2 */
    finish(act[0], "Failed", 1);
    fh_run();
    assert_int_equal(st_int("flaky", "failed"), 3);
    assert_string_equal(cond_status("flaky", "Failed"), "True");
    assert_string_equal(cond_status("flaky", "FailureTarget"), "True");
    const struct sk_val *fc = pu_condition(job("flaky"), "Failed");
    assert_string_equal(sk_val_str_at(fc, "reason", NULL), "BackoffLimitExceeded");
    assert_string_equal(sk_val_str_at(fc, "message", NULL),
                        "Job has reached the specified backoff limit");
    const struct sk_val *ev = fh_event("flaky", "BackoffLimitExceeded");
    assert_non_null(ev);
    assert_string_equal(sk_val_str_at(ev, "type", NULL), "Warning");
    fh_advance(400);
    assert_int_equal(active_pods("flaky", act, 4), 0);
    assert_int_equal(fh_count("pods", NULL), 3);
    fh_ctl_free(c);
    fh_fini();
}

static void test_deadline(void **state)
{
    (void)state;
    struct ctl *c = start();
    put_job("slow", "\"completions\":4,\"parallelism\":2,\"activeDeadlineSeconds\":30");
    fh_run();
    const struct sk_val *act[4];
    assert_int_equal(active_pods("slow", act, 4), 2);
    fh_advance(29);
    assert_null(cond_status("slow", "Failed"));
    fh_advance(2);
    /* the running pods were deleted; with the finalizer they are counted
     * as failed and let go */
    assert_int_equal(active_pods("slow", act, 4), 0);
    assert_int_equal(fh_count("pods", NULL), 0);
    assert_string_equal(cond_status("slow", "Failed"), "True");
    const struct sk_val *fc = pu_condition(job("slow"), "Failed");
    assert_string_equal(sk_val_str_at(fc, "reason", NULL), "DeadlineExceeded");
    assert_string_equal(sk_val_str_at(fc, "message", NULL),
                        "Job was active longer than specified deadline");
    assert_int_equal(st_int("slow", "failed"), 2);
    assert_non_null(fh_event("slow", "DeadlineExceeded"));
    fh_ctl_free(c);
    fh_fini();
}

static void test_parallelism_change_and_suspend(void **state)
{
    (void)state;
    struct ctl *c = start();
    put_job("par", "\"completions\":10,\"parallelism\":3");
    fh_run();
    const struct sk_val *act[8];
    assert_int_equal(active_pods("par", act, 8), 3);
    struct sk_val *j = sk_val_dup(job("par"));
    sk_map_del(sk_map_get(j, "metadata"), "resourceVersion");
    sk_val_set_at(j, sk_val_int(1), "spec", "parallelism", NULL);
    assert_int_equal(fh_update("batch/jobs", j), 0);
    fh_run();
    assert_int_equal(active_pods("par", act, 8), 1);
    /* suspend: no pods, the Suspended condition */
    j = sk_val_dup(job("par"));
    sk_map_del(sk_map_get(j, "metadata"), "resourceVersion");
    sk_val_set_at(j, sk_val_bool(true), "spec", "suspend", NULL);
    assert_int_equal(fh_update("batch/jobs", j), 0);
    fh_run();
    assert_int_equal(active_pods("par", act, 8), 0);
    assert_string_equal(cond_status("par", "Suspended"), "True");
    assert_non_null(fh_event("par", "Suspended"));
    /* resume */
    j = sk_val_dup(job("par"));
    sk_map_del(sk_map_get(j, "metadata"), "resourceVersion");
    sk_val_set_at(j, sk_val_bool(false), "spec", "suspend", NULL);
    assert_int_equal(fh_update("batch/jobs", j), 0);
    fh_advance(400); /* deleted pods count as failures: wait out the back-off */
    assert_int_equal(active_pods("par", act, 8), 1);
    assert_string_equal(cond_status("par", "Suspended"), "False");
    fh_ctl_free(c);
    fh_fini();
}

static void test_indexed(void **state)
{
    (void)state;
    struct ctl *c = start();
    put_job("ix", "\"completions\":3,\"parallelism\":2,\"completionMode\":\"Indexed\"");
    fh_run();
    const struct sk_val *act[8];
    assert_int_equal(active_pods("ix", act, 8), 2);
    bool seen[3] = {0};
    for (size_t i = 0; i < 2; i++) {
        const char *ix = sk_obj_annotation(act[i], JOB_INDEX_KEY);
        assert_non_null(ix);
        assert_string_equal(ix, sk_obj_label(act[i], JOB_INDEX_KEY));
        int v = atoi(ix);
        assert_true(v >= 0 && v < 2);
        seen[v] = true;
        char host[32];
        snprintf(host, sizeof host, "ix-%d", v);
        assert_string_equal(sk_val_str_at(act[i], "spec", "hostname", NULL), host);
        const struct sk_val *env = sk_val_at(act[i], "spec", "containers", NULL);
        env = sk_map_get(sk_arr_get(env, 0), "env");
        assert_string_equal(sk_val_str_at(sk_arr_get(env, 0), "name", NULL),
                            "JOB_COMPLETION_INDEX");
    }
    assert_true(seen[0] && seen[1]);
    /* index 1 succeeds: index 2 starts */
    const struct sk_val *one = act[0];
    if (strcmp(sk_obj_annotation(one, JOB_INDEX_KEY), "1")) one = act[1];
    finish(one, "Succeeded", 0);
    fh_run();
    assert_string_equal(sk_val_str_at(job("ix"), "status", "completedIndexes", NULL), "1");
    assert_int_equal(active_pods("ix", act, 8), 2);
    for (int round = 0; round < 4 && !cond_status("ix", "Complete"); round++) {
        size_t n = active_pods("ix", act, 8);
        for (size_t i = 0; i < n; i++)
            finish(act[i], "Succeeded", 0);
        fh_run();
    }
    assert_string_equal(cond_status("ix", "Complete"), "True");
    assert_string_equal(sk_val_str_at(job("ix"), "status", "completedIndexes", NULL), "0-2");
    assert_int_equal(st_int("ix", "succeeded"), 3);
    fh_ctl_free(c);
    fh_fini();
}

static void test_ttl_after_finished(void **state)
{
    (void)state;
    struct ctl *c = start();
    put_job("short", "\"completions\":1,\"parallelism\":1,\"ttlSecondsAfterFinished\":60");
    fh_run();
    const struct sk_val *act[2];
    assert_int_equal(active_pods("short", act, 2), 1);
    finish(act[0], "Succeeded", 0);
    fh_run();
    assert_string_equal(cond_status("short", "Complete"), "True");
    fh_advance(59);
    assert_non_null(job("short"));
    fh_advance(2);
    assert_null(job("short"));
    fh_ctl_free(c);
    fh_fini();
}

static void test_orphan_finalizer(void **state)
{
    (void)state;
    struct ctl *c = start();
    put_job("gone", "\"completions\":1,\"parallelism\":1");
    fh_run();
    const struct sk_val *act[2];
    assert_int_equal(active_pods("gone", act, 2), 1);
    char pod[128];
    snprintf(pod, sizeof pod, "%s", sk_obj_name(act[0]));
    /* the job is deleted and the garbage collector deletes its pod: the
     * tracking finalizer must not keep the pod forever */
    fh_delete("batch/jobs", "default", "gone", NULL);
    fh_run();
    fh_delete("pods", "default", pod, NULL);
    fh_run();
    assert_null(fh_get("pods", "default", pod));
    fh_ctl_free(c);
    fh_fini();
}

static void test_pod_failure_policy(void **state)
{
    (void)state;
    struct ctl *c = start();
    put_job("pfp", "\"completions\":1,\"parallelism\":1,\"backoffLimit\":6,"
                   "\"podFailurePolicy\":{\"rules\":[{\"action\":\"Ignore\",\"onExitCodes\":{"
                   "\"operator\":\"In\",\"values\":[42]}},{\"action\":\"FailJob\","
                   "\"onExitCodes\":{\"containerName\":\"c\",\"operator\":\"In\","
                   "\"values\":[3]}}]}");
    fh_run();
    const struct sk_val *act[2];
    assert_int_equal(active_pods("pfp", act, 2), 1);
    /* exit 42 is ignored: not counted, replaced at once (no back-off) */
    finish(act[0], "Failed", 42);
    fh_run();
    assert_int_equal(st_int("pfp", "failed"), 0);
    assert_int_equal(active_pods("pfp", act, 2), 1);
    /* exit 3 fails the job */
    char name[128];
    snprintf(name, sizeof name, "%s", sk_obj_name(act[0]));
    finish(act[0], "Failed", 3);
    fh_run();
    assert_string_equal(cond_status("pfp", "Failed"), "True");
    const struct sk_val *fc = pu_condition(job("pfp"), "Failed");
    assert_string_equal(sk_val_str_at(fc, "reason", NULL), "PodFailurePolicy");
    char want[256];
    snprintf(want, sizeof want,
             "Container c for pod default/%s failed with exit code 3 matching FailJob rule at "
             "index 1",
             name);
    assert_string_equal(sk_val_str_at(fc, "message", NULL), want);
    assert_int_equal(st_int("pfp", "failed"), 1);
    fh_ctl_free(c);
    fh_fini();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_format_indexes),
            cmocka_unit_test(test_completions_parallelism),
            cmocka_unit_test(test_backoff_and_limit),
            cmocka_unit_test(test_deadline),
            cmocka_unit_test(test_parallelism_change_and_suspend),
            cmocka_unit_test(test_indexed),
            cmocka_unit_test(test_ttl_after_finished),
            cmocka_unit_test(test_orphan_finalizer),
            cmocka_unit_test(test_pod_failure_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
