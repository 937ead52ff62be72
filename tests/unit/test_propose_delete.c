/* A plugin's delete through propose is a Kubernetes client's delete: a pod
 * bound to a node and not finished gets its grace period (deletionTimestamp,
 * deletionGracePeriodSeconds) and stays; DeleteOptions give the grace
 * period and a uid precondition (the runtime's final delete); an unbound or
 * finished pod goes at once; bad options are refused. A Job a plugin
 * creates gets the generated selector of its uid. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus.h"
#include "loop.h"
#include "plugin.h"
#include "store.h"
#include "val.h"
#include "work.h"

static struct sk_loop *L;
static struct sk_bus *bus;
static struct sk_work_pool *pool;
static struct sk_plugins *ps;
static struct sk_store *store;
static char dir[64];

static struct skiff_ctx *pctx;
static const struct skiff_host *phost;
static int last_code;

static int p_init(struct skiff_ctx *ctx, const struct skiff_host *host, const void *o, void **self)
{
    (void)o;
    pctx = ctx;
    phost = host;
    *self = &pctx;
    return 0;
}

static int p_start(void *self)
{
    (void)self;
    return 0;
}

static const struct skiff_plugin plug = {SKIFF_PLUGIN_HEADER, .name = "propdel",
                                         .role = SKIFF_ROLE_NODE, .init = p_init, .start = p_start};

static void deadline(void *arg)
{
    (void)arg;
    fail_msg("no write result within the deadline");
}

static void written(void *arg, int code, const char *msg, const void *obj, size_t len)
{
    (void)arg, (void)msg, (void)obj, (void)len;
    last_code = code;
    sk_loop_stop(L);
}

static void wait_write(void)
{
    struct sk_timer *t = sk_timer_add(L, 10, 0, deadline, NULL);
    sk_loop_run(L);
    sk_timer_cancel(t);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/skiff-propdel-XXXXXX");
    assert_non_null(mkdtemp(dir));
    L = sk_loop_new();
    pool = sk_work_pool_new(L, 1);
    bus = sk_bus_new(L, "propdel", NULL);
    struct sk_store_opts so = {.data_dir = dir, .loop = L, .pool = pool};
    assert_int_equal(sk_store_open(&so, &store, NULL), SK_OK);
    struct sk_plugin_env env = {.loop = L,
                                .bus = bus,
                                .pool = pool,
                                .store = store,
                                .node_name = "n1",
                                .data_dir = dir};
    ps = sk_plugins_new(&env);
    assert_int_equal(sk_plugins_add(ps, &plug, "built-in", NULL), SK_OK);
    sk_plugins_start(ps, true);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sk_plugins_stop(ps);
    sk_plugins_free(ps);
    sk_store_close(store);
    sk_work_pool_free(pool);
    sk_bus_free(bus);
    sk_loop_free(L);
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static int propose_val(int op, const char *res, const char *name, const struct sk_val *v)
{
    struct sk_buf b = {0};
    if (v) sk_val_to_msgpack(v, &b);
    last_code = -1;
    int rc = phost->propose(pctx, op, res, "default", name, v ? b.p : NULL, v ? b.len : 0, written,
                            NULL);
    sk_buf_free(&b);
    if (rc == SKIFF_OK) wait_write();
    return rc == SKIFF_OK ? last_code : rc;
}

static void make_pod(const char *name, const char *node, const char *phase, int grace)
{
    struct sk_val *p = sk_val_map();
    sk_map_set(p, "apiVersion", sk_val_str("v1"));
    sk_map_set(p, "kind", sk_val_str("Pod"));
    sk_val_set_at(p, sk_val_str(name), "metadata", "name", NULL);
    sk_val_set_at(p, sk_val_str("default"), "metadata", "namespace", NULL);
    if (node) sk_val_set_at(p, sk_val_str(node), "spec", "nodeName", NULL);
    if (grace >= 0)
        sk_val_set_at(p, sk_val_int(grace), "spec", "terminationGracePeriodSeconds", NULL);
    if (phase) sk_val_set_at(p, sk_val_str(phase), "status", "phase", NULL);
    assert_int_equal(propose_val(SKIFF_WRITE_CREATE, "pods", name, p), SKIFF_OK);
    sk_val_free(p);
}

/* The pod as stored, or NULL when it is gone. */
static struct sk_val *pod(const char *name)
{
    void *obj = NULL;
    size_t len = 0;
    if (phost->get(pctx, "pods", "default", name, &obj, &len) != SKIFF_OK) return NULL;
    struct sk_val *v = NULL;
    assert_int_equal(sk_val_from_msgpack(obj, len, &v, NULL), SK_OK);
    free(obj);
    return v;
}

static int64_t grace_of(const char *name)
{
    struct sk_val *v = pod(name);
    assert_non_null(v);
    assert_non_null(sk_val_at(v, "metadata", "deletionTimestamp", NULL));
    int64_t g = sk_val_to_int(sk_val_at(v, "metadata", "deletionGracePeriodSeconds", NULL), -1);
    sk_val_free(v);
    return g;
}

static struct sk_val *opts(int grace, const char *uid)
{
    struct sk_val *o = sk_val_map();
    if (grace >= 0) sk_map_set(o, "gracePeriodSeconds", sk_val_int(grace));
    if (uid) sk_val_set_at(o, sk_val_str(uid), "preconditions", "uid", NULL);
    return o;
}

static void test_pod_deletes(void **state)
{
    (void)state;
    /* bound and running: the pod's own grace period, then only shorter */
    make_pod("run", "n1", "Running", 7);
    assert_int_equal(propose_val(SKIFF_WRITE_DELETE, "pods", "run", NULL), SKIFF_OK);
    assert_int_equal(grace_of("run"), 7);
    assert_int_equal(propose_val(SKIFF_WRITE_DELETE, "pods", "run", NULL), SKIFF_OK);
    assert_int_equal(grace_of("run"), 7);
    struct sk_val *o = opts(3, NULL);
    assert_int_equal(propose_val(SKIFF_WRITE_DELETE, "pods", "run", o), SKIFF_OK);
    sk_val_free(o);
    assert_int_equal(grace_of("run"), 3);
    /* the node's final delete: grace 0 for this uid only */
    o = opts(0, "not-the-uid");
    assert_int_equal(propose_val(SKIFF_WRITE_DELETE, "pods", "run", o), SKIFF_ECONFLICT);
    sk_val_free(o);
    struct sk_val *v = pod("run");
    o = opts(0, sk_val_str_at(v, "metadata", "uid", NULL));
    sk_val_free(v);
    assert_int_equal(propose_val(SKIFF_WRITE_DELETE, "pods", "run", o), SKIFF_OK);
    sk_val_free(o);
    assert_null(pod("run"));

    /* no terminationGracePeriodSeconds: 30, as the API defaults it */
    make_pod("dflt", "n1", NULL, -1);
    assert_int_equal(propose_val(SKIFF_WRITE_DELETE, "pods", "dflt", NULL), SKIFF_OK);
    assert_int_equal(grace_of("dflt"), 30);

    /* unbound, or finished: gone at once, whatever the options say */
    make_pod("pending", NULL, "Pending", 7);
    o = opts(20, NULL);
    assert_int_equal(propose_val(SKIFF_WRITE_DELETE, "pods", "pending", o), SKIFF_OK);
    sk_val_free(o);
    assert_null(pod("pending"));
    make_pod("done", "n1", "Succeeded", 7);
    assert_int_equal(propose_val(SKIFF_WRITE_DELETE, "pods", "done", NULL), SKIFF_OK);
    assert_null(pod("done"));

    /* bad options are refused, never half applied */
    make_pod("keep", "n1", "Running", 7);
    o = sk_val_map();
    sk_map_set(o, "propagationPolicy", sk_val_str("Foreground"));
    assert_int_equal(propose_val(SKIFF_WRITE_DELETE, "pods", "keep", o), SKIFF_EINVAL);
    sk_val_free(o);
    o = sk_val_map();
    sk_map_set(o, "gracePeriodSeconds", sk_val_str("0"));
    assert_int_equal(propose_val(SKIFF_WRITE_DELETE, "pods", "keep", o), SKIFF_EINVAL);
    sk_val_free(o);
    o = sk_val_map();
    sk_val_set_at(o, sk_val_str("12x"), "preconditions", "resourceVersion", NULL);
    assert_int_equal(propose_val(SKIFF_WRITE_DELETE, "pods", "keep", o), SKIFF_EINVAL);
    sk_val_free(o);
    assert_int_equal(phost->propose(pctx, SKIFF_WRITE_DELETE, "pods", "default", "keep", "\xc1", 1,
                                    written, NULL),
                     SKIFF_EINVAL);
    v = pod("keep");
    assert_null(sk_val_at(v, "metadata", "deletionTimestamp", NULL));
    sk_val_free(v);
}

/* Other kinds take no grace period: a ConfigMap goes at once. */
static void test_other_kinds(void **state)
{
    (void)state;
    struct sk_val *cm = sk_val_map();
    sk_map_set(cm, "apiVersion", sk_val_str("v1"));
    sk_map_set(cm, "kind", sk_val_str("ConfigMap"));
    sk_val_set_at(cm, sk_val_str("cm"), "metadata", "name", NULL);
    sk_val_set_at(cm, sk_val_str("default"), "metadata", "namespace", NULL);
    assert_int_equal(propose_val(SKIFF_WRITE_CREATE, "configmaps", "cm", cm), SKIFF_OK);
    sk_val_free(cm);
    struct sk_val *o = opts(30, NULL);
    assert_int_equal(propose_val(SKIFF_WRITE_DELETE, "configmaps", "cm", o), SKIFF_OK);
    sk_val_free(o);
    void *obj = NULL;
    size_t len = 0;
    assert_int_equal(phost->get(pctx, "configmaps", "default", "cm", &obj, &len), SKIFF_ENOTFOUND);
}

/* A Job a plugin creates gets its defaults and the selector of its uid. */
static void test_job_create(void **state)
{
    (void)state;
    struct sk_val *j = sk_val_map();
    sk_map_set(j, "apiVersion", sk_val_str("batch/v1"));
    sk_map_set(j, "kind", sk_val_str("Job"));
    sk_val_set_at(j, sk_val_str("cron-1"), "metadata", "name", NULL);
    sk_val_set_at(j, sk_val_str("default"), "metadata", "namespace", NULL);
    sk_val_set_at(j, sk_val_str("Never"), "spec", "template", "spec", "restartPolicy", NULL);
    assert_int_equal(propose_val(SKIFF_WRITE_CREATE, "batch/jobs", "cron-1", j), SKIFF_OK);
    sk_val_free(j);
    void *obj = NULL;
    size_t len = 0;
    assert_int_equal(phost->get(pctx, "batch/jobs", "default", "cron-1", &obj, &len), SKIFF_OK);
    struct sk_val *v = NULL;
    assert_int_equal(sk_val_from_msgpack(obj, len, &v, NULL), SK_OK);
    free(obj);
    const char *uid = sk_val_str_at(v, "metadata", "uid", NULL);
    assert_non_null(uid);
    assert_int_equal(strlen(uid), 36);
    assert_string_equal(sk_val_str_at(v, "spec", "selector", "matchLabels",
                                      "batch.kubernetes.io/controller-uid", NULL),
                        uid);
    assert_string_equal(
            sk_val_str_at(v, "spec", "template", "metadata", "labels", "job-name", NULL), "cron-1");
    assert_int_equal(sk_val_to_int(sk_val_at(v, "spec", "backoffLimit", NULL), -1), 6);
    sk_val_free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_pod_deletes, setup, teardown),
            cmocka_unit_test_setup_teardown(test_other_kinds, setup, teardown),
            cmocka_unit_test_setup_teardown(test_job_create, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
