/* Tests for core/table.c and core/table_kinds.c: column definitions and
 * cells for pods in many states, workloads, services, nodes, events, jobs
 * and cron jobs, the includeObject forms, list metadata, and apimachinery's
 * human durations. Time is fixed: NOW is 2024-01-01T00:10:00Z. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "schema.h"
#include "table.h"
#include "val.h"

#define NOW   1704067800LL /* 2024-01-01T00:10:00Z */
#define T0500 "2024-01-01T00:05:00Z"
#define T0000 "2024-01-01T00:00:00Z"
#define T0008 "2024-01-01T00:08:00Z"

static struct sk_val *J(const char *text)
{
    struct sk_val *v = NULL;
    struct sk_error *err = NULL;
    if (sk_json_parse(text, strlen(text), &v, &err) != SK_OK)
        fail_msg("bad test JSON: %s", sk_error_msg(err, SK_EINVAL));
    return v;
}

static const struct sk_kind *kind(const char *name)
{
    const struct sk_kind *k = sk_kind_by_name(name);
    assert_non_null(k);
    return k;
}

/* JSON text with Go's \u003c and \u003e escapes turned back into < and >
 * so expectations read like kubectl output. */
static char *unescape_angles(char *s)
{
    char *w = s;
    for (const char *r = s; *r;) {
        if (!strncmp(r, "\\u003c", 6) || !strncmp(r, "\\u003e", 6)) {
            *w++ = r[5] == 'c' ? '<' : '>';
            r += 6;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    return s;
}

/* The cells of a one-object table, as compact JSON. */
static char *cells_of(const char *kname, const char *obj_json)
{
    struct sk_val *obj = J(obj_json), *t = NULL;
    assert_int_equal(sk_table_build(kind(kname), &obj, 1, SK_TABLE_INCLUDE_NONE, NOW, &t), SK_OK);
    struct sk_val *rows = sk_map_get(t, "rows");
    assert_int_equal(sk_arr_len(rows), 1);
    char *s = sk_json_dump(sk_map_get(sk_arr_get(rows, 0), "cells"), SK_JSON_COMPACT, NULL);
    sk_val_free(t);
    sk_val_free(obj);
    return unescape_angles(s);
}

#define CHECK_CELLS(kname, obj, want)                                                              \
    do {                                                                                           \
        char *got_ = cells_of(kname, obj);                                                         \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

/* Column names and priorities "Name:0,Ready:0,..." */
static char *columns_of(const struct sk_kind *k)
{
    struct sk_val *t = NULL;
    assert_int_equal(sk_table_build(k, NULL, 0, SK_TABLE_INCLUDE_METADATA, NOW, &t), SK_OK);
    struct sk_buf b = {0};
    struct sk_val *cols = sk_map_get(t, "columnDefinitions");
    for (size_t i = 0; i < sk_arr_len(cols); i++) {
        struct sk_val *c = sk_arr_get(cols, i);
        /* every definition has all five fields */
        assert_non_null(sk_val_cstr(sk_map_get(c, "type")));
        assert_non_null(sk_val_cstr(sk_map_get(c, "format")));
        assert_non_null(sk_val_cstr(sk_map_get(c, "description")));
        sk_buf_printf(&b, "%s%s:%d", i ? "," : "", sk_val_cstr(sk_map_get(c, "name")),
                      (int)sk_val_to_int(sk_map_get(c, "priority"), -1));
    }
    sk_buf_putc(&b, '\0');
    sk_val_free(t);
    return b.p;
}

#define CHECK_COLUMNS(kname, want)                                                                 \
    do {                                                                                           \
        char *got_ = columns_of(kind(kname));                                                      \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

/* ---- durations ---- */

static void test_human_duration(void **state)
{
    (void)state;
    static const struct {
        int64_t s;
        const char *want;
    } cases[] = {
            {-5, "<invalid>"},
            {-2, "<invalid>"},
            {-1, "0s"},
            {0, "0s"},
            {5, "5s"},
            {119, "119s"},
            {120, "2m"},
            {184, "3m4s"},
            {599, "9m59s"},
            {600, "10m"},
            {179 * 60 + 59, "179m"},
            {3 * 3600, "3h"},
            {5 * 3600 + 3 * 60, "5h3m"},
            {8 * 3600 - 1, "7h59m"},
            {8 * 3600, "8h"},
            {47 * 3600, "47h"},
            {48 * 3600, "2d"},
            {2 * 86400 + 3 * 3600, "2d3h"},
            {7 * 86400 + 23 * 3600, "7d23h"},
            {8 * 86400, "8d"},
            {729 * 86400, "729d"},
            {730 * 86400, "2y"},
            {744 * 86400, "2y14d"},
            {8 * 365 * 86400, "8y"},
            {20 * 365 * 86400, "20y"},
    };
    char buf[32];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = sk_human_duration(cases[i].s, buf);
        assert_string_equal(buf, cases[i].want);
        assert_int_equal(n, strlen(cases[i].want));
    }
}

/* ---- pods ---- */

static void test_pod_columns(void **state)
{
    (void)state;
    CHECK_COLUMNS("pods", "Name:0,Ready:0,Status:0,Restarts:0,Age:0,IP:1,Node:1,Nominated Node:1,"
                          "Readiness Gates:1");
    struct sk_val *t = NULL;
    assert_int_equal(sk_table_build(kind("pods"), NULL, 0, SK_TABLE_INCLUDE_METADATA, NOW, &t),
                     SK_OK);
    struct sk_val *name = sk_arr_get(sk_map_get(t, "columnDefinitions"), 0);
    assert_string_equal(sk_val_cstr(sk_map_get(name, "format")), "name");
    assert_string_equal(sk_val_cstr(sk_map_get(t, "kind")), "Table");
    assert_string_equal(sk_val_cstr(sk_map_get(t, "apiVersion")), "meta.k8s.io/v1");
    assert_int_equal(sk_arr_len(sk_map_get(t, "rows")), 0);
    sk_val_free(t);
}

static void test_pod_states(void **state)
{
    (void)state;
    /* running and ready */
    CHECK_CELLS("pods",
                "{\"metadata\":{\"name\":\"web\",\"creationTimestamp\":\"" T0500 "\"},"
                "\"spec\":{\"nodeName\":\"n1\",\"containers\":[{\"name\":\"c\"}]},"
                "\"status\":{\"phase\":\"Running\",\"podIPs\":[{\"ip\":\"10.42.0.5\"}],"
                "\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}],"
                "\"containerStatuses\":[{\"name\":\"c\",\"ready\":true,\"restartCount\":0,"
                "\"state\":{\"running\":{\"startedAt\":\"" T0500 "\"}}}]}}",
                "[\"web\",\"1/1\",\"Running\",\"0\",\"5m\",\"10.42.0.5\",\"n1\",\"<none>\","
                "\"<none>\"]");
    /* pending, not yet scheduled */
    CHECK_CELLS("pods",
                "{\"metadata\":{\"name\":\"p\",\"creationTimestamp\":\"" T0500 "\"},"
                "\"spec\":{\"containers\":[{\"name\":\"c\"}]},\"status\":{\"phase\":\"Pending\"}}",
                "[\"p\",\"0/1\",\"Pending\",\"0\",\"5m\",\"<none>\",\"<none>\",\"<none>\","
                "\"<none>\"]");
    /* container being created */
    CHECK_CELLS("pods",
                "{\"metadata\":{\"name\":\"p\",\"creationTimestamp\":\"" T0008 "\"},"
                "\"spec\":{\"nodeName\":\"n1\",\"containers\":[{\"name\":\"c\"}]},"
                "\"status\":{\"phase\":\"Pending\",\"containerStatuses\":[{\"name\":\"c\","
                "\"ready\":false,\"restartCount\":0,\"state\":{\"waiting\":{\"reason\":"
                "\"ContainerCreating\"}}}]}}",
                "[\"p\",\"0/1\",\"ContainerCreating\",\"0\",\"2m\",\"<none>\",\"n1\","
                "\"<none>\",\"<none>\"]");
    /* crash loop with restarts and the time of the last one */
    CHECK_CELLS("pods",
                "{\"metadata\":{\"name\":\"cl\",\"creationTimestamp\":\"" T0000 "\"},"
                "\"spec\":{\"containers\":[{\"name\":\"c\"}]},\"status\":{\"phase\":\"Running\","
                "\"containerStatuses\":[{\"name\":\"c\",\"ready\":false,\"restartCount\":5,"
                "\"state\":{\"waiting\":{\"reason\":\"CrashLoopBackOff\"}},\"lastState\":{"
                "\"terminated\":{\"exitCode\":1,\"finishedAt\":\"" T0500 "\"}}}]}}",
                "[\"cl\",\"0/1\",\"CrashLoopBackOff\",\"5 (5m ago)\",\"10m\",\"<none>\","
                "\"<none>\",\"<none>\",\"<none>\"]");
    /* completed */
    CHECK_CELLS("pods",
                "{\"metadata\":{\"name\":\"done\",\"creationTimestamp\":\"" T0000 "\"},"
                "\"spec\":{\"containers\":[{\"name\":\"c\"}]},\"status\":{\"phase\":"
                "\"Succeeded\",\"containerStatuses\":[{\"name\":\"c\",\"ready\":false,"
                "\"restartCount\":0,\"state\":{\"terminated\":{\"exitCode\":0,\"reason\":"
                "\"Completed\"}}}]}}",
                "[\"done\",\"0/1\",\"Completed\",\"0\",\"10m\",\"<none>\",\"<none>\",\"<none>\","
                "\"<none>\"]");
    /* failed without a reason: exit code, and a signal */
    CHECK_CELLS("pods",
                "{\"metadata\":{\"name\":\"f\"},\"spec\":{\"containers\":[{\"name\":\"c\"}]},"
                "\"status\":{\"phase\":\"Failed\",\"containerStatuses\":[{\"name\":\"c\","
                "\"state\":{\"terminated\":{\"exitCode\":3}}}]}}",
                "[\"f\",\"0/1\",\"ExitCode:3\",\"0\",\"<unknown>\",\"<none>\",\"<none>\","
                "\"<none>\",\"<none>\"]");
    CHECK_CELLS("pods",
                "{\"metadata\":{\"name\":\"f\"},\"spec\":{\"containers\":[{\"name\":\"c\"}]},"
                "\"status\":{\"phase\":\"Failed\",\"containerStatuses\":[{\"name\":\"c\","
                "\"state\":{\"terminated\":{\"exitCode\":137,\"signal\":9}}}]}}",
                "[\"f\",\"0/1\",\"Signal:9\",\"0\",\"<unknown>\",\"<none>\",\"<none>\","
                "\"<none>\",\"<none>\"]");
    /* init containers */
    CHECK_CELLS("pods",
                "{\"metadata\":{\"name\":\"i\",\"creationTimestamp\":\"" T0500 "\"},"
                "\"spec\":{\"initContainers\":[{\"name\":\"init\"}],\"containers\":[{\"name\":"
                "\"c\"}]},\"status\":{\"phase\":\"Pending\",\"initContainerStatuses\":[{"
                "\"name\":\"init\",\"restartCount\":0,\"state\":{\"running\":{}}}],"
                "\"containerStatuses\":[{\"name\":\"c\",\"state\":{\"waiting\":{\"reason\":"
                "\"PodInitializing\"}}}]}}",
                "[\"i\",\"0/1\",\"Init:0/1\",\"0\",\"5m\",\"<none>\",\"<none>\",\"<none>\","
                "\"<none>\"]");
    CHECK_CELLS("pods",
                "{\"metadata\":{\"name\":\"i\",\"creationTimestamp\":\"" T0500 "\"},"
                "\"spec\":{\"initContainers\":[{\"name\":\"a\"},{\"name\":\"b\"}],\"containers\""
                ":[{\"name\":\"c\"}]},\"status\":{\"phase\":\"Pending\",\"initContainerStatuses"
                "\":[{\"name\":\"a\",\"state\":{\"terminated\":{\"exitCode\":0,\"reason\":"
                "\"Completed\"}}},{\"name\":\"b\",\"restartCount\":2,\"state\":{\"waiting\":{"
                "\"reason\":\"CrashLoopBackOff\"}}}]}}",
                "[\"i\",\"0/1\",\"Init:CrashLoopBackOff\",\"2\",\"5m\",\"<none>\",\"<none>\","
                "\"<none>\",\"<none>\"]");
    CHECK_CELLS("pods",
                "{\"metadata\":{\"name\":\"i\"},\"spec\":{\"initContainers\":[{\"name\":\"a\"}],"
                "\"containers\":[{\"name\":\"c\"}]},\"status\":{\"phase\":\"Failed\","
                "\"initContainerStatuses\":[{\"name\":\"a\",\"state\":{\"terminated\":{"
                "\"exitCode\":2}}}]}}",
                "[\"i\",\"0/1\",\"Init:ExitCode:2\",\"0\",\"<unknown>\",\"<none>\",\"<none>\","
                "\"<none>\",\"<none>\"]");
    /* a sidecar (restartable init container) counts as a container */
    CHECK_CELLS("pods",
                "{\"metadata\":{\"name\":\"s\"},\"spec\":{\"initContainers\":[{\"name\":\"side\","
                "\"restartPolicy\":\"Always\"}],\"containers\":[{\"name\":\"c\"}]},\"status\":{"
                "\"phase\":\"Running\",\"conditions\":[{\"type\":\"Initialized\",\"status\":"
                "\"True\"}],\"initContainerStatuses\":[{\"name\":\"side\",\"started\":true,"
                "\"ready\":true,\"restartCount\":1,\"state\":{\"running\":{}}}],"
                "\"containerStatuses\":[{\"name\":\"c\",\"ready\":true,\"state\":{\"running\":{}"
                "}}]}}",
                "[\"s\",\"2/2\",\"Running\",\"1\",\"<unknown>\",\"<none>\",\"<none>\",\"<none>\","
                "\"<none>\"]");
    /* one container done, one still running, pod not ready */
    CHECK_CELLS("pods",
                "{\"metadata\":{\"name\":\"m\"},\"spec\":{\"containers\":[{\"name\":\"a\"},{"
                "\"name\":\"b\"}]},\"status\":{\"phase\":\"Running\",\"containerStatuses\":[{"
                "\"name\":\"a\",\"ready\":true,\"state\":{\"running\":{}}},{\"name\":\"b\","
                "\"state\":{\"terminated\":{\"exitCode\":0,\"reason\":\"Completed\"}}}]}}",
                "[\"m\",\"1/2\",\"NotReady\",\"0\",\"<unknown>\",\"<none>\",\"<none>\","
                "\"<none>\",\"<none>\"]");
    /* terminating, and lost with its node */
    CHECK_CELLS("pods",
                "{\"metadata\":{\"name\":\"t\",\"creationTimestamp\":\"" T0000 "\","
                "\"deletionTimestamp\":\"" T0008 "\"},\"spec\":{\"containers\":[{\"name\":\"c\""
                "}]},\"status\":{\"phase\":\"Running\",\"containerStatuses\":[{\"name\":\"c\","
                "\"ready\":true,\"state\":{\"running\":{}}}]}}",
                "[\"t\",\"1/1\",\"Terminating\",\"0\",\"10m\",\"<none>\",\"<none>\",\"<none>\","
                "\"<none>\"]");
    CHECK_CELLS("pods",
                "{\"metadata\":{\"name\":\"t\",\"deletionTimestamp\":\"" T0008 "\"},\"spec\":{"
                "\"containers\":[{\"name\":\"c\"}]},\"status\":{\"phase\":\"Running\","
                "\"reason\":\"NodeLost\"}}",
                "[\"t\",\"0/1\",\"Unknown\",\"0\",\"<unknown>\",\"<none>\",\"<none>\",\"<none>\","
                "\"<none>\"]");
    /* a finished pod being deleted keeps its phase */
    CHECK_CELLS("pods",
                "{\"metadata\":{\"name\":\"t\",\"deletionTimestamp\":\"" T0008 "\"},\"spec\":{"
                "\"containers\":[{\"name\":\"c\"}]},\"status\":{\"phase\":\"Succeeded\"}}",
                "[\"t\",\"0/1\",\"Succeeded\",\"0\",\"<unknown>\",\"<none>\",\"<none>\","
                "\"<none>\",\"<none>\"]");
    /* scheduling gates, nominated node, readiness gates */
    CHECK_CELLS("pods",
                "{\"metadata\":{\"name\":\"g\"},\"spec\":{\"containers\":[{\"name\":\"c\"}],"
                "\"readinessGates\":[{\"conditionType\":\"x/one\"},{\"conditionType\":\"x/two\"}"
                "]},\"status\":{\"phase\":\"Pending\",\"nominatedNodeName\":\"n2\","
                "\"conditions\":[{\"type\":\"PodScheduled\",\"status\":\"False\",\"reason\":"
                "\"SchedulingGated\"},{\"type\":\"x/one\",\"status\":\"True\"},{\"type\":"
                "\"x/two\",\"status\":\"False\"}]}}",
                "[\"g\",\"0/1\",\"SchedulingGated\",\"0\",\"<unknown>\",\"<none>\",\"<none>\","
                "\"n2\",\"1/2\"]");
    /* status.reason overrides the phase (evicted) */
    CHECK_CELLS("pods",
                "{\"metadata\":{\"name\":\"e\"},\"spec\":{\"containers\":[{\"name\":\"c\"}]},"
                "\"status\":{\"phase\":\"Failed\",\"reason\":\"Evicted\"}}",
                "[\"e\",\"0/1\",\"Evicted\",\"0\",\"<unknown>\",\"<none>\",\"<none>\",\"<none>\","
                "\"<none>\"]");
}

static void test_pod_row_conditions_and_objects(void **state)
{
    (void)state;
    struct sk_val *objs[3] = {
            J("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\","
              "\"namespace\":\"default\",\"resourceVersion\":\"7\",\"labels\":{\"app\":\"web\"}},"
              "\"spec\":{\"containers\":[{\"name\":\"c\"}]},\"status\":{\"phase\":"
              "\"Succeeded\"}}"),
            J("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"b\"},"
              "\"spec\":{\"containers\":[]},\"status\":{\"phase\":\"Failed\"}}"),
            J("{\"metadata\":{\"name\":\"c\"},\"spec\":{},\"status\":{}}"),
    };
    struct sk_val *t = NULL;
    assert_int_equal(sk_table_build(kind("pods"), objs, 3, SK_TABLE_INCLUDE_METADATA, NOW, &t),
                     SK_OK);
    struct sk_val *rows = sk_map_get(t, "rows");
    assert_int_equal(sk_arr_len(rows), 3);
    struct sk_val *r0 = sk_arr_get(rows, 0);
    struct sk_val *c0 = sk_arr_get(sk_map_get(r0, "conditions"), 0);
    assert_string_equal(sk_val_cstr(sk_map_get(c0, "type")), "Completed");
    assert_string_equal(sk_val_cstr(sk_map_get(c0, "status")), "True");
    assert_string_equal(sk_val_cstr(sk_map_get(c0, "reason")), "Succeeded");
    struct sk_val *o0 = sk_map_get(r0, "object");
    assert_string_equal(sk_val_cstr(sk_map_get(o0, "kind")), "PartialObjectMetadata");
    assert_string_equal(sk_val_cstr(sk_map_get(o0, "apiVersion")), "meta.k8s.io/v1");
    assert_string_equal(sk_val_str_at(o0, "metadata", "labels", "app", NULL), "web");
    assert_string_equal(sk_val_str_at(o0, "metadata", "namespace", NULL), "default");
    assert_null(sk_map_get(o0, "spec"));
    assert_string_equal(
            sk_val_cstr(sk_map_get(
                    sk_arr_get(sk_val_at(sk_arr_get(rows, 1), "conditions", NULL), 0), "reason")),
            "Failed");
    assert_null(sk_map_get(sk_arr_get(rows, 2), "conditions"));
    /* an empty pod prints zero values, not garbage */
    char *s = unescape_angles(
            sk_json_dump(sk_map_get(sk_arr_get(rows, 2), "cells"), SK_JSON_COMPACT, NULL));
    assert_string_equal(s, "[\"c\",\"0/0\",\"\",\"0\",\"<unknown>\",\"<none>\",\"<none>\","
                           "\"<none>\",\"<none>\"]");
    free(s);

    sk_table_set_list_meta(t, "42", "tok", 3);
    assert_string_equal(sk_val_str_at(t, "metadata", "resourceVersion", NULL), "42");
    assert_string_equal(sk_val_str_at(t, "metadata", "continue", NULL), "tok");
    assert_int_equal(sk_val_to_int(sk_val_at(t, "metadata", "remainingItemCount", NULL), 0), 3);
    sk_table_set_list_meta(t, "43", NULL, -1);
    assert_null(sk_val_at(t, "metadata", "continue", NULL));
    assert_null(sk_val_at(t, "metadata", "remainingItemCount", NULL));
    sk_table_drop_headers(t);
    assert_true(sk_val_is(sk_map_get(t, "columnDefinitions"), SK_V_NULL));
    sk_val_free(t);

    assert_int_equal(sk_table_build(kind("pods"), objs, 1, SK_TABLE_INCLUDE_NONE, NOW, &t), SK_OK);
    assert_true(sk_val_is(sk_map_get(sk_arr_get(sk_map_get(t, "rows"), 0), "object"), SK_V_NULL));
    sk_val_free(t);
    assert_int_equal(sk_table_build(kind("pods"), objs, 1, SK_TABLE_INCLUDE_OBJECT, NOW, &t),
                     SK_OK);
    assert_true(sk_val_equal(sk_map_get(sk_arr_get(sk_map_get(t, "rows"), 0), "object"), objs[0]));
    sk_val_free(t);
    for (int i = 0; i < 3; i++)
        sk_val_free(objs[i]);

    assert_int_equal(sk_table_build(NULL, NULL, 0, SK_TABLE_INCLUDE_NONE, NOW, &t), SK_EINVAL);
    assert_int_equal(sk_table_build(kind("pods"), NULL, 2, SK_TABLE_INCLUDE_NONE, NOW, &t),
                     SK_EINVAL);

    assert_int_equal(sk_table_include_parse(NULL), SK_TABLE_INCLUDE_METADATA);
    assert_int_equal(sk_table_include_parse(""), SK_TABLE_INCLUDE_METADATA);
    assert_int_equal(sk_table_include_parse("Metadata"), SK_TABLE_INCLUDE_METADATA);
    assert_int_equal(sk_table_include_parse("None"), SK_TABLE_INCLUDE_NONE);
    assert_int_equal(sk_table_include_parse("Object"), SK_TABLE_INCLUDE_OBJECT);
    assert_int_equal(sk_table_include_parse("object"), -1);
}

/* ---- workloads ---- */

static void test_deployments_and_sets(void **state)
{
    (void)state;
    CHECK_COLUMNS("deployments", "Name:0,Ready:0,Up-to-date:0,Available:0,Age:0,Containers:1,"
                                 "Images:1,Selector:1");
    CHECK_CELLS("deployments",
                "{\"metadata\":{\"name\":\"web\",\"creationTimestamp\":\"" T0500 "\"},"
                "\"spec\":{\"replicas\":3,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
                "\"template\":{\"spec\":{\"containers\":[{\"name\":\"nginx\",\"image\":"
                "\"nginx:1.25\"},{\"name\":\"side\",\"image\":\"busybox\"}]}}},\"status\":{"
                "\"readyReplicas\":2,\"updatedReplicas\":3,\"availableReplicas\":2}}",
                "[\"web\",\"2/3\",3,2,\"5m\",\"nginx,side\",\"nginx:1.25,busybox\",\"app=web\"]");
    CHECK_CELLS("deployments",
                "{\"metadata\":{\"name\":\"e\"},\"spec\":{\"replicas\":0,\"selector\":{"
                "\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"In\",\"values\":[\"b\","
                "\"a\"]}]},\"template\":{\"spec\":{\"containers\":[]}}}}",
                "[\"e\",\"0/0\",0,0,\"<unknown>\",\"\",\"\",\"tier in (a,b)\"]");
    CHECK_COLUMNS("replicasets",
                  "Name:0,Desired:0,Current:0,Ready:0,Age:0,Containers:1,Images:1,Selector:1");
    CHECK_CELLS("replicasets",
                "{\"metadata\":{\"name\":\"web-1\",\"creationTimestamp\":\"" T0500 "\"},"
                "\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"web\","
                "\"pod-template-hash\":\"1\"}},\"template\":{\"spec\":{\"containers\":[{\"name\""
                ":\"c\",\"image\":\"i\"}]}}},\"status\":{\"replicas\":2,\"readyReplicas\":1}}",
                "[\"web-1\",2,2,1,\"5m\",\"c\",\"i\",\"app=web,pod-template-hash=1\"]");
    CHECK_COLUMNS("daemonsets", "Name:0,Desired:0,Current:0,Ready:0,Up-to-date:0,Available:0,"
                                "Node Selector:0,Age:0,Containers:1,Images:1,Selector:1");
    CHECK_CELLS("daemonsets",
                "{\"metadata\":{\"name\":\"ds\",\"creationTimestamp\":\"" T0500 "\"},\"spec\":{"
                "\"selector\":{\"matchLabels\":{\"a\":\"b\"}},\"template\":{\"spec\":{"
                "\"nodeSelector\":{\"kubernetes.io/os\":\"linux\"},\"containers\":[{\"name\":"
                "\"c\",\"image\":\"i\"}]}}},\"status\":{\"desiredNumberScheduled\":3,"
                "\"currentNumberScheduled\":3,\"numberReady\":2,\"updatedNumberScheduled\":3,"
                "\"numberAvailable\":2}}",
                "[\"ds\",3,3,2,3,2,\"kubernetes.io/os=linux\",\"5m\",\"c\",\"i\",\"a=b\"]");
    CHECK_COLUMNS("statefulsets", "Name:0,Ready:0,Age:0,Containers:1,Images:1");
    CHECK_CELLS("statefulsets",
                "{\"metadata\":{\"name\":\"db\"},\"spec\":{\"replicas\":3,\"template\":{\"spec\":"
                "{\"containers\":[{\"name\":\"pg\",\"image\":\"postgres\"}]}}},\"status\":{"
                "\"readyReplicas\":1}}",
                "[\"db\",\"1/3\",\"<unknown>\",\"pg\",\"postgres\"]");
    CHECK_CELLS("rc",
                "{\"metadata\":{\"name\":\"rc\"},\"spec\":{\"replicas\":1,\"selector\":{\"app\":"
                "\"x\"}},\"status\":{\"replicas\":1}}",
                "[\"rc\",1,1,0,\"<unknown>\",\"\",\"\",\"app=x\"]");
    CHECK_CELLS("controllerrevisions",
                "{\"metadata\":{\"name\":\"ds-123\",\"ownerReferences\":[{\"apiVersion\":"
                "\"apps/v1\",\"kind\":\"DaemonSet\",\"name\":\"ds\",\"uid\":\"u\",\"controller\":"
                "true}]},\"revision\":2}",
                "[\"ds-123\",\"daemonset.apps/ds\",2,\"<unknown>\"]");
}

static void test_jobs(void **state)
{
    (void)state;
    CHECK_COLUMNS("jobs", "Name:0,Status:0,Completions:0,Duration:0,Age:0,Containers:1,Images:1,"
                          "Selector:1");
    CHECK_CELLS("jobs",
                "{\"metadata\":{\"name\":\"pi\",\"creationTimestamp\":\"" T0000 "\"},\"spec\":{"
                "\"completions\":1,\"parallelism\":1,\"selector\":{\"matchLabels\":{"
                "\"batch.kubernetes.io/controller-uid\":\"u\"}},\"template\":{\"spec\":{"
                "\"containers\":[{\"name\":\"pi\",\"image\":\"perl\"}]}}},\"status\":{"
                "\"succeeded\":1,\"startTime\":\"" T0000 "\",\"completionTime\":\"2024-01-01T00:"
                "02:04Z\",\"conditions\":[{\"type\":\"Complete\",\"status\":\"True\"}]}}",
                "[\"pi\",\"Complete\",\"1/1\",\"2m4s\",\"10m\",\"pi\",\"perl\","
                "\"batch.kubernetes.io/controller-uid=u\"]");
    CHECK_CELLS("jobs",
                "{\"metadata\":{\"name\":\"w\",\"creationTimestamp\":\"" T0000 "\"},\"spec\":{"
                "\"parallelism\":3,\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\","
                "\"image\":\"i\"}]}}},\"status\":{\"startTime\":\"" T0500 "\"}}",
                "[\"w\",\"Running\",\"0/1 of 3\",\"5m\",\"10m\",\"c\",\"i\",\"<none>\"]");
    CHECK_CELLS("jobs",
                "{\"metadata\":{\"name\":\"f\"},\"spec\":{\"completions\":2},\"status\":{"
                "\"succeeded\":1,\"conditions\":[{\"type\":\"Complete\",\"status\":\"False\"},{"
                "\"type\":\"Failed\",\"status\":\"True\"}]}}",
                "[\"f\",\"Failed\",\"1/2\",\"\",\"<unknown>\",\"\",\"\",\"<none>\"]");
    CHECK_CELLS("jobs",
                "{\"metadata\":{\"name\":\"s\"},\"spec\":{},\"status\":{\"conditions\":[{"
                "\"type\":\"Suspended\",\"status\":\"True\"}]}}",
                "[\"s\",\"Suspended\",\"0/1\",\"\",\"<unknown>\",\"\",\"\",\"<none>\"]");
    CHECK_COLUMNS("cronjobs", "Name:0,Schedule:0,Timezone:0,Suspend:0,Active:0,Last Schedule:0,"
                              "Age:0,Containers:1,Images:1,Selector:1");
    CHECK_CELLS("cronjobs",
                "{\"metadata\":{\"name\":\"hello\",\"creationTimestamp\":\"" T0000 "\"},"
                "\"spec\":{\"schedule\":\"*/1 * * * *\",\"suspend\":false,\"jobTemplate\":{"
                "\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"hello\",\"image\":"
                "\"busybox\"}]}}}}},\"status\":{\"active\":[{\"name\":\"hello-1\"}],"
                "\"lastScheduleTime\":\"" T0008 "\"}}",
                "[\"hello\",\"*/1 * * * *\",\"<none>\",\"False\",1,\"2m\",\"10m\",\"hello\","
                "\"busybox\",\"<none>\"]");
    CHECK_CELLS("cronjobs",
                "{\"metadata\":{\"name\":\"n\"},\"spec\":{\"schedule\":\"@daily\",\"timeZone\":"
                "\"Etc/UTC\",\"suspend\":true}}",
                "[\"n\",\"@daily\",\"Etc/UTC\",\"True\",0,\"<none>\",\"<unknown>\",\"\",\"\","
                "\"<none>\"]");
    CHECK_CELLS("cronjobs", "{\"metadata\":{\"name\":\"u\"},\"spec\":{\"schedule\":\"@daily\"}}",
                "[\"u\",\"@daily\",\"<none>\",\"<unset>\",0,\"<none>\",\"<unknown>\",\"\",\"\","
                "\"<none>\"]");
}

/* ---- services, nodes, events and the rest ---- */

static void test_services(void **state)
{
    (void)state;
    CHECK_COLUMNS("services", "Name:0,Type:0,Cluster-IP:0,External-IP:0,Port(s):0,Age:0,"
                              "Selector:1");
    CHECK_CELLS("services",
                "{\"metadata\":{\"name\":\"web\",\"creationTimestamp\":\"" T0500 "\"},\"spec\":{"
                "\"type\":\"ClusterIP\",\"clusterIP\":\"10.43.0.10\",\"clusterIPs\":["
                "\"10.43.0.10\"],\"selector\":{\"app\":\"web\",\"tier\":\"fe\"},\"ports\":[{"
                "\"port\":80,\"protocol\":\"TCP\"},{\"port\":53,\"protocol\":\"UDP\"}]}}",
                "[\"web\",\"ClusterIP\",\"10.43.0.10\",\"<none>\",\"80/TCP,53/UDP\",\"5m\","
                "\"app=web,tier=fe\"]");
    CHECK_CELLS("services",
                "{\"metadata\":{\"name\":\"np\"},\"spec\":{\"type\":\"NodePort\",\"clusterIPs\":["
                "\"10.43.0.11\"],\"externalIPs\":[\"192.168.1.5\"],\"ports\":[{\"port\":80,"
                "\"nodePort\":30080,\"protocol\":\"TCP\"}]}}",
                "[\"np\",\"NodePort\",\"10.43.0.11\",\"192.168.1.5\",\"80:30080/TCP\","
                "\"<unknown>\",\"<none>\"]");
    CHECK_CELLS("services",
                "{\"metadata\":{\"name\":\"lb\"},\"spec\":{\"type\":\"LoadBalancer\","
                "\"clusterIPs\":[\"10.43.0.12\"],\"ports\":[{\"port\":443,\"nodePort\":31443,"
                "\"protocol\":\"TCP\"}]}}",
                "[\"lb\",\"LoadBalancer\",\"10.43.0.12\",\"<pending>\",\"443:31443/TCP\","
                "\"<unknown>\",\"<none>\"]");
    CHECK_CELLS("services",
                "{\"metadata\":{\"name\":\"lb\"},\"spec\":{\"type\":\"LoadBalancer\","
                "\"clusterIPs\":[\"10.43.0.12\"]},\"status\":{\"loadBalancer\":{\"ingress\":[{"
                "\"ip\":\"192.168.1.9\"},{\"hostname\":\"a.example\"},{\"ip\":\"192.168.1.9\"}]}"
                "}}",
                "[\"lb\",\"LoadBalancer\",\"10.43.0.12\",\"192.168.1.9,a.example\",\"<none>\","
                "\"<unknown>\",\"<none>\"]");
    CHECK_CELLS("services",
                "{\"metadata\":{\"name\":\"ext\"},\"spec\":{\"type\":\"ExternalName\","
                "\"externalName\":\"db.example.com\"}}",
                "[\"ext\",\"ExternalName\",\"<none>\",\"db.example.com\",\"<none>\","
                "\"<unknown>\",\"<none>\"]");
    CHECK_CELLS("endpoints",
                "{\"metadata\":{\"name\":\"web\"},\"subsets\":[{\"addresses\":[{\"ip\":"
                "\"10.42.0.5\"},{\"ip\":\"10.42.0.6\"}],\"ports\":[{\"port\":80},{\"port\":443}"
                "]}]}",
                "[\"web\",\"10.42.0.5:80,10.42.0.6:80,10.42.0.5:443 + 1 more...\","
                "\"<unknown>\"]");
    CHECK_CELLS("endpoints", "{\"metadata\":{\"name\":\"none\"}}",
                "[\"none\",\"<none>\",\"<unknown>\"]");
    CHECK_CELLS("endpointslices",
                "{\"metadata\":{\"name\":\"web-abc\"},\"addressType\":\"IPv4\",\"ports\":[{"
                "\"port\":80},{\"name\":\"x\"}],\"endpoints\":[{\"addresses\":[\"10.42.0.5\"]}]}",
                "[\"web-abc\",\"IPv4\",\"80,x\",\"10.42.0.5\",\"<unknown>\"]");
    CHECK_CELLS("ingresses",
                "{\"metadata\":{\"name\":\"ing\"},\"spec\":{\"ingressClassName\":\"traefik\","
                "\"rules\":[{\"host\":\"a.example\"},{\"host\":\"b.example\"}],\"tls\":[{}]}}",
                "[\"ing\",\"traefik\",\"a.example,b.example\",\"\",\"80, 443\",\"<unknown>\"]");
    CHECK_CELLS("ingressclasses",
                "{\"metadata\":{\"name\":\"c\"},\"spec\":{\"controller\":\"x.io/ctl\","
                "\"parameters\":{\"apiGroup\":\"k8s.example.com\",\"kind\":\"Params\",\"name\":"
                "\"p\"}}}",
                "[\"c\",\"x.io/ctl\",\"Params.k8s.example.com/p\",\"<unknown>\"]");
}

static void test_nodes(void **state)
{
    (void)state;
    CHECK_COLUMNS("nodes", "Name:0,Status:0,Roles:0,Age:0,Version:0,Internal-IP:1,External-IP:1,"
                           "OS-Image:1,Kernel-Version:1,Container-Runtime:1");
    CHECK_CELLS("nodes",
                "{\"metadata\":{\"name\":\"n1\",\"creationTimestamp\":\"2023-12-30T00:00:00Z\","
                "\"labels\":{\"node-role.kubernetes.io/control-plane\":\"\","
                "\"node-role.kubernetes.io/master\":\"true\",\"kubernetes.io/os\":\"linux\"}},"
                "\"status\":{\"conditions\":[{\"type\":\"MemoryPressure\",\"status\":\"False\"},"
                "{\"type\":\"Ready\",\"status\":\"True\"}],\"addresses\":[{\"type\":\"Hostname\","
                "\"address\":\"n1\"},{\"type\":\"InternalIP\",\"address\":\"192.168.1.10\"}],"
                "\"nodeInfo\":{\"kubeletVersion\":\"v1.32.0+skiff\",\"osImage\":\"Debian GNU/"
                "Linux 12\",\"kernelVersion\":\"6.1.0\",\"containerRuntimeVersion\":\"runc://"
                "1.1\"}}}",
                "[\"n1\",\"Ready\",\"control-plane,master\",\"2d\",\"v1.32.0+skiff\","
                "\"192.168.1.10\",\"<none>\",\"Debian GNU/Linux 12\",\"6.1.0\",\"runc://1.1\"]");
    CHECK_CELLS("nodes",
                "{\"metadata\":{\"name\":\"n2\",\"labels\":{\"kubernetes.io/role\":\"edge\"}},"
                "\"spec\":{\"unschedulable\":true},\"status\":{\"conditions\":[{\"type\":"
                "\"Ready\",\"status\":\"Unknown\"}]}}",
                "[\"n2\",\"NotReady,SchedulingDisabled\",\"edge\",\"<unknown>\",\"\",\"<none>\","
                "\"<none>\",\"<unknown>\",\"<unknown>\",\"<unknown>\"]");
    CHECK_CELLS("nodes", "{\"metadata\":{\"name\":\"n3\"}}",
                "[\"n3\",\"Unknown\",\"<none>\",\"<unknown>\",\"\",\"<none>\",\"<none>\","
                "\"<unknown>\",\"<unknown>\",\"<unknown>\"]");
}

static void test_events(void **state)
{
    (void)state;
    CHECK_COLUMNS("events", "Last Seen:0,Type:0,Reason:0,Object:0,Subobject:1,Source:1,Message:0,"
                            "First Seen:1,Count:1,Name:1");
    CHECK_CELLS("events",
                "{\"metadata\":{\"name\":\"web.17a\"},\"involvedObject\":{\"kind\":\"Pod\","
                "\"name\":\"web\",\"fieldPath\":\"spec.containers{c}\"},\"reason\":\"Pulled\","
                "\"message\":\"  Pulled image \\\"nginx\\\"\\n\",\"type\":\"Normal\","
                "\"source\":{\"component\":\"kubelet\",\"host\":\"n1\"},\"firstTimestamp\":"
                "\"" T0000 "\",\"lastTimestamp\":\"" T0500 "\",\"count\":3}",
                "[\"5m\",\"Normal\",\"Pulled\",\"pod/web\",\"spec.containers{c}\",\"kubelet, n1\","
                "\"Pulled image \\\"nginx\\\"\",\"10m\",3,\"web.17a\"]");
    /* an event of the newer API: eventTime, reporting controller, no count */
    CHECK_CELLS("events",
                "{\"metadata\":{\"name\":\"e2\"},\"involvedObject\":{\"kind\":\"Deployment\","
                "\"name\":\"web\"},\"reason\":\"ScalingReplicaSet\",\"message\":\"Scaled up\","
                "\"type\":\"Normal\",\"eventTime\":\"2024-01-01T00:08:00.000000Z\","
                "\"reportingComponent\":\"deployment-controller\"}",
                "[\"2m\",\"Normal\",\"ScalingReplicaSet\",\"deployment/web\",\"\","
                "\"deployment-controller\",\"Scaled up\",\"2m\",1,\"e2\"]");
    /* a series overrides last seen and count */
    CHECK_CELLS("events",
                "{\"metadata\":{\"name\":\"e3\"},\"involvedObject\":{\"kind\":\"Node\"},"
                "\"reason\":\"R\",\"type\":\"Warning\",\"firstTimestamp\":\"" T0000 "\","
                "\"series\":{\"count\":7,\"lastObservedTime\":\"2024-01-01T00:09:30.000000Z\"}}",
                "[\"30s\",\"Warning\",\"R\",\"node\",\"\",\"\",\"\",\"10m\",7,\"e3\"]");
}

static void test_config_storage_misc(void **state)
{
    (void)state;
    CHECK_COLUMNS("configmaps", "Name:0,Data:0,Age:0");
    CHECK_CELLS("configmaps",
                "{\"metadata\":{\"name\":\"cm\",\"creationTimestamp\":\"" T0500 "\"},\"data\":{"
                "\"a\":\"1\",\"b\":\"2\"},\"binaryData\":{\"c\":\"AA==\"}}",
                "[\"cm\",3,\"5m\"]");
    CHECK_COLUMNS("secrets", "Name:0,Type:0,Data:0,Age:0");
    CHECK_CELLS("secrets",
                "{\"metadata\":{\"name\":\"s\"},\"type\":\"Opaque\",\"data\":{\"k\":\"dg==\"}}",
                "[\"s\",\"Opaque\",1,\"<unknown>\"]");
    CHECK_COLUMNS("namespaces", "Name:0,Status:0,Age:0");
    CHECK_CELLS("namespaces",
                "{\"metadata\":{\"name\":\"default\",\"creationTimestamp\":\"" T0000 "\"},"
                "\"status\":{\"phase\":\"Active\"}}",
                "[\"default\",\"Active\",\"10m\"]");
    CHECK_CELLS("serviceaccounts", "{\"metadata\":{\"name\":\"default\"}}",
                "[\"default\",0,\"<unknown>\"]");
    CHECK_COLUMNS("pv", "Name:0,Capacity:0,Access Modes:0,Reclaim Policy:0,Status:0,Claim:0,"
                        "StorageClass:0,VolumeAttributesClass:0,Reason:0,Age:0,VolumeMode:1");
    CHECK_CELLS("pv",
                "{\"metadata\":{\"name\":\"pv1\"},\"spec\":{\"capacity\":{\"storage\":"
                "\"1024Mi\"},\"accessModes\":[\"ReadWriteMany\",\"ReadWriteOnce\"],"
                "\"persistentVolumeReclaimPolicy\":\"Retain\",\"claimRef\":{\"namespace\":"
                "\"default\",\"name\":\"data\"},\"storageClassName\":\"local\",\"volumeMode\":"
                "\"Filesystem\"},\"status\":{\"phase\":\"Bound\"}}",
                "[\"pv1\",\"1Gi\",\"RWO,RWX\",\"Retain\",\"Bound\",\"default/data\",\"local\","
                "\"<unset>\",\"\",\"<unknown>\",\"Filesystem\"]");
    CHECK_COLUMNS("pvc", "Name:0,Status:0,Volume:0,Capacity:0,Access Modes:0,StorageClass:0,"
                         "VolumeAttributesClass:0,Age:0,VolumeMode:1");
    CHECK_CELLS("pvc",
                "{\"metadata\":{\"name\":\"data\"},\"spec\":{\"volumeName\":\"pv1\","
                "\"storageClassName\":\"local\"},\"status\":{\"phase\":\"Bound\",\"capacity\":{"
                "\"storage\":\"1Gi\"},\"accessModes\":[\"ReadWriteOnce\"]}}",
                "[\"data\",\"Bound\",\"pv1\",\"1Gi\",\"RWO\",\"local\",\"<unset>\",\"<unknown>\","
                "\"<unset>\"]");
    CHECK_CELLS("pvc",
                "{\"metadata\":{\"name\":\"p\",\"deletionTimestamp\":\"" T0008 "\"},\"spec\":{},"
                "\"status\":{\"phase\":\"Pending\"}}",
                "[\"p\",\"Terminating\",\"\",\"\",\"\",\"\",\"<unset>\",\"<unknown>\","
                "\"<unset>\"]");
    CHECK_CELLS("storageclasses",
                "{\"metadata\":{\"name\":\"local\",\"annotations\":{\"storageclass.kubernetes.io/"
                "is-default-class\":\"true\"}},\"provisioner\":\"skiff.io/local\"}",
                "[\"local (default)\",\"skiff.io/local\",\"Delete\",\"Immediate\",false,"
                "\"<unknown>\"]");
    CHECK_CELLS("leases", "{\"metadata\":{\"name\":\"n1\"},\"spec\":{\"holderIdentity\":\"n1\"}}",
                "[\"n1\",\"n1\",\"<unknown>\"]");
    CHECK_COLUMNS("hpa", "Name:0,Reference:0,Targets:0,MinPods:0,MaxPods:0,Replicas:0,Age:0");
    CHECK_CELLS("hpa",
                "{\"metadata\":{\"name\":\"web\"},\"spec\":{\"scaleTargetRef\":{\"kind\":"
                "\"Deployment\",\"name\":\"web\"},\"minReplicas\":1,\"maxReplicas\":5,"
                "\"metrics\":[{\"type\":\"Resource\",\"resource\":{\"name\":\"cpu\",\"target\":{"
                "\"type\":\"Utilization\",\"averageUtilization\":80}}}]},\"status\":{"
                "\"currentReplicas\":2,\"currentMetrics\":[{\"type\":\"Resource\",\"resource\":{"
                "\"name\":\"cpu\",\"current\":{\"averageUtilization\":35}}}]}}",
                "[\"web\",\"Deployment/web\",\"cpu: 35%/80%\",\"1\",5,2,\"<unknown>\"]");
    CHECK_CELLS("hpa",
                "{\"metadata\":{\"name\":\"w\"},\"spec\":{\"scaleTargetRef\":{\"kind\":"
                "\"Deployment\",\"name\":\"w\"},\"maxReplicas\":3}}",
                "[\"w\",\"Deployment/w\",\"<none>\",\"<unset>\",3,0,\"<unknown>\"]");
}

static void test_default_printer(void **state)
{
    (void)state;
    /* a kind without printer columns gets kube-apiserver's fallback */
    struct sk_kind widget = {.group = "example.com", .version = "v1", .kind = "Widget"};
    struct sk_val *obj = J("{\"metadata\":{\"name\":\"w\",\"creationTimestamp\":\"" T0000 "\"}}");
    struct sk_val *t = NULL;
    assert_int_equal(sk_table_build(&widget, &obj, 1, SK_TABLE_INCLUDE_METADATA, NOW, &t), SK_OK);
    char *cols = columns_of(&widget);
    assert_string_equal(cols, "Name:0,Created At:0");
    free(cols);
    char *cells = sk_json_dump(sk_map_get(sk_arr_get(sk_map_get(t, "rows"), 0), "cells"),
                               SK_JSON_COMPACT, NULL);
    assert_string_equal(cells, "[\"w\",\"" T0000 "\"]");
    free(cells);
    sk_val_free(t);
    sk_val_free(obj);

    /* every served kind has its own printer */
    for (size_t i = 0; sk_kinds[i]; i++) {
        char *c = columns_of(sk_kinds[i]);
        if (!strcmp(c, "Name:0,Created At:0")) fail_msg("no printer for %s", sk_kinds[i]->kind);
        free(c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_human_duration),
            cmocka_unit_test(test_pod_columns),
            cmocka_unit_test(test_pod_states),
            cmocka_unit_test(test_pod_row_conditions_and_objects),
            cmocka_unit_test(test_deployments_and_sets),
            cmocka_unit_test(test_jobs),
            cmocka_unit_test(test_services),
            cmocka_unit_test(test_nodes),
            cmocka_unit_test(test_events),
            cmocka_unit_test(test_config_storage_misc),
            cmocka_unit_test(test_default_printer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
