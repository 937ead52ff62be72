/* Scheduler figures: decisions per second for 1,000 pending pods over 50
 * Node objects, through the real controllers plugin (built in, loaded by
 * the plugin manager, only its scheduler module enabled) against a real
 * store on disk (SKIFF_BENCH_DIR, default /var/tmp). The pods belong to
 * ten ReplicaSets, so the spreading score has work to do, and request
 * cpu and memory, so the resource filter and scores do too. Printed:
 * time until the first bind (the caches' first list included), time
 * until all are bound, decisions per second, and the spread over nodes. */
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "json.h"
#include "loop.h"
#include "plugin.h"
#include "store.h"
#include "val.h"
#include "work.h"

#define NODES  50
#define PODS   1000
#define OWNERS 10

extern const struct skiff_plugin skiff_plugin_controllers;

static struct sk_loop *L;
static struct sk_store *S;
static int pending_writes;
static int bound;
static double t_start, t_first, t_last;
static int per_node[NODES];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void written(const struct sk_store_result *res, void *arg)
{
    (void)arg;
    if (res->code) {
        fprintf(stderr, "bench_scheduler: write failed: %s\n", sk_error_msg(res->err, res->code));
        exit(1);
    }
    pending_writes--;
}

static void put(const char *resource, const char *json)
{
    struct sk_val *v = NULL;
    if (sk_json_parse(json, strlen(json), &v, NULL)) abort();
    struct sk_store_cmd c = {.op = SK_STORE_CREATE,
                             .resource = resource,
                             .ns = sk_obj_namespace(v),
                             .name = sk_obj_name(v),
                             .obj = v};
    struct sk_error *err = NULL;
    if (sk_store_submit(S, &c, written, NULL, &err)) {
        fprintf(stderr, "bench_scheduler: %s\n", sk_error_msg(err, SK_EINVAL));
        exit(1);
    }
    pending_writes++;
    sk_val_free(v);
}

static void drain(void)
{
    while (pending_writes > 0)
        sk_loop_run_once(L, true);
}

static void on_update(void *arg, const struct sk_val *old, const struct sk_val *obj)
{
    (void)arg;
    const char *was = sk_val_str_at(old, "spec", "nodeName", NULL);
    const char *node = sk_val_str_at(obj, "spec", "nodeName", NULL);
    if (was || !node) return;
    double t = now_s();
    if (!bound) t_first = t;
    t_last = t;
    int n = atoi(node + 5); /* "node-N" */
    if (n >= 0 && n < NODES) per_node[n]++;
    if (++bound == PODS) sk_loop_stop(L);
}

static void on_deadline(void *arg)
{
    (void)arg;
    sk_loop_stop(L);
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    remove(p);
    return 0;
}

int main(void)
{
    const char *base = getenv("SKIFF_BENCH_DIR");
    char dir[256];
    snprintf(dir, sizeof(dir), "%s/skiff-bench-sched-XXXXXX", base ? base : "/var/tmp");
    if (!mkdtemp(dir)) return 1;
    L = sk_loop_new();
    struct sk_work_pool *pool = sk_work_pool_new(L, 2);
    struct sk_store_opts so = {.data_dir = dir, .loop = L, .pool = pool};
    struct sk_error *err = NULL;
    if (sk_store_open(&so, &S, &err)) {
        fprintf(stderr, "bench_scheduler: %s\n", sk_error_msg(err, SK_EINVAL));
        return 1;
    }
    char buf[2048];
    for (int i = 0; i < NODES; i++) {
        snprintf(buf, sizeof(buf),
                 "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"node-%d\","
                 "\"labels\":{\"kubernetes.io/hostname\":\"node-%d\",\"zone\":\"z%d\"}},"
                 "\"spec\":{},\"status\":{\"allocatable\":{\"cpu\":\"8\",\"memory\":\"16Gi\","
                 "\"pods\":\"110\"},\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}",
                 i, i, i % 3);
        put("nodes", buf);
    }
    for (int o = 0; o < OWNERS; o++) {
        snprintf(buf, sizeof(buf),
                 "{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"metadata\":{\"name\":"
                 "\"rs-%d\",\"namespace\":\"default\"},\"spec\":{\"replicas\":%d,\"selector\":{"
                 "\"matchLabels\":{\"app\":\"a%d\"}}}}",
                 o, PODS / OWNERS, o);
        put("apps/replicasets", buf);
    }
    drain();
    char uids[OWNERS][64];
    for (int o = 0; o < OWNERS; o++) {
        struct sk_store_obj *so2 = NULL;
        char name[16];
        snprintf(name, sizeof(name), "rs-%d", o);
        if (sk_store_get(S, "apps/replicasets", "default", name, &so2, NULL)) abort();
        snprintf(uids[o], sizeof(uids[o]), "%s",
                 sk_val_str_at(sk_store_obj_val(so2), "metadata", "uid", NULL));
        sk_store_obj_unref(so2);
    }
    for (int i = 0; i < PODS; i++) {
        int o = i % OWNERS;
        snprintf(buf, sizeof(buf),
                 "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p-%d\","
                 "\"namespace\":\"default\",\"labels\":{\"app\":\"a%d\"},\"ownerReferences\":[{"
                 "\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"rs-%d\",\"uid\":"
                 "\"%s\",\"controller\":true,\"blockOwnerDeletion\":true}]},\"spec\":{"
                 "\"containers\":[{\"name\":\"c\",\"image\":\"busybox\",\"resources\":{"
                 "\"requests\":{\"cpu\":\"100m\",\"memory\":\"128Mi\"}}}]},\"status\":{"
                 "\"phase\":\"Pending\"}}",
                 i, o, o, uids[o]);
        put("pods", buf);
    }
    drain();
    static const struct sk_informer_ops ops = {.update = on_update};
    struct sk_informer *inf = sk_informer_new(S, "pods", NULL, NULL, NULL, &ops, NULL);
    while (!sk_informer_synced(inf))
        sk_loop_run_once(L, true);

    static const char cfgtext[] =
            "plugins:\n  controllers:\n    disabled: \"gc,namespace,replicaset,deployment,"
            "daemonset,job,cronjob,statefulset\"\n";
    struct sk_config *cfg = NULL;
    if (sk_config_parse("bench", cfgtext, sizeof(cfgtext) - 1, &cfg, &err)) {
        fprintf(stderr, "bench_scheduler: %s\n", sk_error_msg(err, SK_EINVAL));
        return 1;
    }
    struct sk_plugin_env env = {
            .loop = L, .pool = pool, .cfg = cfg, .store = S, .node_name = "bench", .data_dir = dir};
    struct sk_plugins *ps = sk_plugins_new(&env);
    if (sk_plugins_add(ps, &skiff_plugin_controllers, "built-in", &err)) {
        fprintf(stderr, "bench_scheduler: %s\n", sk_error_msg(err, SK_EINVAL));
        return 1;
    }
    struct sk_timer *deadline = sk_timer_add(L, 120, 0, on_deadline, NULL);
    t_start = now_s();
    sk_plugins_start(ps, true);
    sk_loop_run(L);
    sk_timer_cancel(deadline);
    int lo = PODS, hi = 0;
    for (int i = 0; i < NODES; i++) {
        if (per_node[i] < lo) lo = per_node[i];
        if (per_node[i] > hi) hi = per_node[i];
    }
    printf("scheduler_pods=%d nodes=%d bound=%d\n", PODS, NODES, bound);
    printf("scheduler_first_bind_ms=%.1f\n", (t_first - t_start) * 1e3);
    printf("scheduler_all_bound_ms=%.1f\n", (t_last - t_start) * 1e3);
    printf("scheduler_decisions_per_s=%.0f (from start, caches' first list included)\n",
           bound / (t_last - t_start));
    if (t_last > t_first)
        printf("scheduler_decisions_per_s_steady=%.0f (first to last bind)\n",
               (bound - 1) / (t_last - t_first));
    printf("scheduler_pods_per_node_min=%d max=%d\n", lo, hi);
    sk_plugins_stop(ps);
    sk_plugins_free(ps);
    sk_informer_free(inf);
    sk_config_free(cfg);
    sk_store_close(S);
    sk_work_pool_free(pool);
    sk_loop_free(L);
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return bound == PODS ? 0 : 1;
}
