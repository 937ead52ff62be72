/* API latency over TLS: the API and store on a loop thread of their own,
 * 16 client threads with keep-alive libcurl handles. Measures create, GET
 * of one pod and LIST of 1,000 pods (p50/p99), and the time from a write
 * being sent to its watch event reaching a watching client. Prints
 * key=value lines.
 *
 * The p50/p99 figures are end to end, as a client sees them (the clients
 * share the two cores with the server). The *_server_* figures are the
 * server's own, the way the Kubernetes API SLO measures: from the request's
 * last byte read to the response's last byte handed to the kernel. cpu_ms
 * is the CPU time of the whole process (server and clients) per request,
 * page_faults its minor page faults per request. */
#include <curl/curl.h>
#include <dirent.h>
#include <ftw.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "api_int.h" /* the API's HTTP server, for its latency figures */
#include "http.h"
#include "log.h"
#include "loop.h"
#include "store.h"
#include "tls.h"
#include "work.h"

#define CLIENTS     16 /* SKIFF_BENCH_CLIENTS=N (1..64) overrides, to see contention */
#define MAX_CLIENTS 64
#define PODS        1000

static char dir[256];
static struct sk_loop *L;
static struct sk_api *api;
static struct sk_store *store;
static struct sk_work_pool *pool;
static struct sk_tls *tls;
static struct sk_async *stop_async;
static atomic_int ready;
static int port;
static int clients = CLIENTS;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_stop(void *arg)
{
    (void)arg;
    sk_api_free(api);
    sk_loop_stop(L);
}

static void *server(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "sk-loop");
    struct sk_error *err = NULL;
    L = sk_loop_new();
    pool = sk_work_pool_new(L, 4);
    struct sk_store_opts so = {.data_dir = dir, .loop = L, .pool = pool};
    if (sk_store_open(&so, &store, &err)) abort();
    if (sk_tls_ensure(dir, "bench", NULL, &tls, &err)) abort();
    struct sk_tls_server *ctx = sk_tls_server_new(tls, &err);
    if (!ctx) abort();
    struct sk_api_opts ao = {.loop = L,
                             .pool = pool,
                             .store = store,
                             .listen = "127.0.0.1:0",
                             .tls = ctx,
                             .token = tls->token};
    api = sk_api_new(&ao, &err);
    if (!api) abort();
    sk_tls_server_unref(ctx); /* the API holds its own reference */
    port = sk_api_port(api);
    sk_api_ensure_namespaces(store);
    stop_async = sk_async_new(L, on_stop, NULL);
    atomic_store(&ready, 1);
    sk_loop_run(L);
    sk_async_del(stop_async);
    sk_store_close(store);
    sk_work_pool_free(pool);
    sk_loop_free(L);
    return NULL;
}

/* ---- client ---- */

struct cli {
    CURL *h;
    struct curl_slist *hdrs;
    size_t got;
};

static size_t sink(char *p, size_t sz, size_t n, void *arg)
{
    (void)p;
    ((struct cli *)arg)->got += sz * n;
    return sz * n;
}

static void cli_init(struct cli *c)
{
    memset(c, 0, sizeof(*c));
    c->h = curl_easy_init();
    char auth[300];
    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tls->token);
    c->hdrs = curl_slist_append(NULL, auth);
    c->hdrs = curl_slist_append(c->hdrs, "Content-Type: application/json");
    c->hdrs = curl_slist_append(c->hdrs, "Expect:");
    curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, c->hdrs);
    curl_easy_setopt(c->h, CURLOPT_CAINFO, tls->ca_cert);
    curl_easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->h, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c->h, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(c->h, CURLOPT_WRITEDATA, c);
}

static void cli_free(struct cli *c)
{
    curl_slist_free_all(c->hdrs);
    curl_easy_cleanup(c->h);
}

static long call(struct cli *c, const char *method, const char *path, const char *ctype,
                 const char *body)
{
    char url[512];
    snprintf(url, sizeof(url), "https://127.0.0.1:%d%s", port, path);
    curl_easy_setopt(c->h, CURLOPT_URL, url);
    curl_easy_setopt(c->h, CURLOPT_CUSTOMREQUEST, method);
    if (ctype) {
        struct curl_slist *h2 = curl_slist_append(NULL, "Expect:");
        char ct[128];
        snprintf(ct, sizeof(ct), "Content-Type: %s", ctype);
        h2 = curl_slist_append(h2, ct);
        char auth[300];
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tls->token);
        h2 = curl_slist_append(h2, auth);
        curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, h2);
        curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, body);
        curl_easy_perform(c->h);
        curl_easy_setopt(c->h, CURLOPT_HTTPHEADER, c->hdrs);
        curl_slist_free_all(h2);
    } else {
        curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, body);
        if (!body) curl_easy_setopt(c->h, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(c->h, CURLOPT_CUSTOMREQUEST, method);
        curl_easy_perform(c->h);
    }
    long st = 0;
    curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &st);
    return st;
}

/* ---- phases ---- */

enum { PH_CREATE, PH_GET, PH_LIST };
struct worker {
    int id, phase, n;
    double *lat;
    int errors;
    pthread_t t;
};

static const char *pod_fmt =
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"pod-%d\",\"labels\":"
        "{\"app\":\"web\",\"tier\":\"front\",\"pod-template-hash\":\"5d8f7c9b6\"},"
        "\"annotations\":{\"note\":\"benchmark pod\"}},\"spec\":{\"nodeName\":\"bench\","
        "\"containers\":[{\"name\":\"web\",\"image\":\"registry.local/busybox:1.36\",\"command\":"
        "[\"httpd\",\"-f\",\"-p\",\"8080\"],\"ports\":[{\"containerPort\":8080,\"name\":\"http\"}],"
        "\"env\":[{\"name\":\"MODE\",\"value\":\"bench\"}],\"resources\":{\"requests\":{\"cpu\":"
        "\"100m\",\"memory\":\"64Mi\"},\"limits\":{\"memory\":\"128Mi\"}}}]}}";

static void *work(void *arg)
{
    struct worker *w = arg;
    pthread_setname_np(pthread_self(), "bench-cli");
    struct cli c;
    cli_init(&c);
    char body[2048], path[256];
    for (int i = 0; i < w->n; i++) {
        double t0 = now();
        long st;
        if (w->phase == PH_CREATE) {
            int idx = w->id + i * clients;
            if (idx >= PODS) {
                w->lat[i] = 0;
                continue;
            }
            snprintf(body, sizeof(body), pod_fmt, idx);
            st = call(&c, "POST", "/api/v1/namespaces/bench/pods", NULL, body);
            if (st != 201) w->errors++;
        } else if (w->phase == PH_GET) {
            snprintf(path, sizeof(path), "/api/v1/namespaces/bench/pods/pod-%d",
                     (w->id * 7) % PODS);
            st = call(&c, "GET", path, NULL, NULL);
            if (st != 200) w->errors++;
        } else {
            st = call(&c, "GET", "/api/v1/namespaces/bench/pods", NULL, NULL);
            if (st != 200) w->errors++;
        }
        w->lat[i] = now() - t0;
    }
    cli_free(&c);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static long faults_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

static double cpu_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* Seconds spent so far by the live threads named `name` (the loop
 * thread, or the worker pool), from the scheduler's own accounting: on a
 * CPU (field 0) or runnable but waiting for one (field 1). */
static double thread_sched(const char *name, int field)
{
    double sum = 0;
    DIR *d = opendir("/proc/self/task");
    if (!d) return 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[300], comm[64] = "";
        snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        if (!fgets(comm, sizeof(comm), f)) comm[0] = 0;
        fclose(f);
        comm[strcspn(comm, "\n")] = 0;
        if (strcmp(comm, name) != 0) continue;
        snprintf(path, sizeof(path), "/proc/self/task/%s/schedstat", e->d_name);
        f = fopen(path, "r");
        if (!f) continue;
        unsigned long long ns[2] = {0, 0};
        if (fscanf(f, "%llu %llu", &ns[0], &ns[1]) == 2) sum += (double)ns[field] / 1e9;
        fclose(f);
    }
    closedir(d);
    return sum;
}

static void run_phase(const char *name, int phase, int per_client)
{
    struct worker w[MAX_CLIENTS];
    double *all = calloc((size_t)clients * (size_t)per_client, sizeof(double));
    /* read between phases, when the server thread has nothing to update */
    struct sk_http_stats before, after;
    sk_http_server_stats(api->srv, &before);
    double c0 = cpu_now(), l0 = thread_sched("sk-loop", 0), w0 = thread_sched("sk-work", 0);
    double lw0 = thread_sched("sk-loop", 1);
    long f0 = faults_now();
    double t0 = now();
    for (int i = 0; i < clients; i++) {
        w[i] = (struct worker){.id = i,
                               .phase = phase,
                               .n = per_client,
                               .lat = all + (size_t)i * (size_t)per_client};
        pthread_create(&w[i].t, NULL, work, &w[i]);
    }
    int errors = 0;
    for (int i = 0; i < clients; i++) {
        pthread_join(w[i].t, NULL);
        errors += w[i].errors;
    }
    double wall = now() - t0;
    double cpu = cpu_now() - c0;
    double loop_cpu = thread_sched("sk-loop", 0) - l0, work_cpu = thread_sched("sk-work", 0) - w0;
    double loop_wait = thread_sched("sk-loop", 1) - lw0;
    long faults = faults_now() - f0;
    size_t n = (size_t)clients * (size_t)per_client;
    usleep(20000); /* the last answers' bookkeeping */
    sk_http_server_stats(api->srv, &after);
    uint64_t hist[SK_HTTP_LAT_BUCKETS];
    for (size_t i = 0; i < SK_HTTP_LAT_BUCKETS; i++)
        hist[i] = after.latency[i] - before.latency[i];
    qsort(all, n, sizeof(double), cmp);
    printf("api_%s_clients=%d\napi_%s_requests=%zu\napi_%s_errors=%d\n", name, clients, name, n,
           name, errors);
    printf("api_%s_p50_ms=%.3f\napi_%s_p99_ms=%.3f\napi_%s_max_ms=%.3f\napi_%s_rps=%.0f\n", name,
           all[n / 2] * 1e3, name, all[n * 99 / 100] * 1e3, name, all[n - 1] * 1e3, name,
           (double)n / wall);
    printf("api_%s_p90_ms=%.3f\napi_%s_p95_ms=%.3f\n", name, all[n * 90 / 100] * 1e3, name,
           all[n * 95 / 100] * 1e3);
    printf("api_%s_page_faults=%.1f\napi_%s_response_bytes=%.0f\n", name,
           (double)faults / (double)n, name,
           (double)(after.bytes_out - before.bytes_out) / (double)n);
    printf("api_%s_cpu_ms=%.3f\napi_%s_server_p50_ms=%.3f\napi_%s_server_p99_ms=%.3f\n", name,
           cpu * 1e3 / (double)n, name, sk_http_lat_quantile(hist, 0.5) * 1e3, name,
           sk_http_lat_quantile(hist, 0.99) * 1e3);
    /* where the CPU went: the loop thread, the worker pool, the clients */
    printf("api_%s_loop_cpu_ms=%.3f\napi_%s_work_cpu_ms=%.3f\napi_%s_loop_busy=%.2f\n"
           "api_%s_loop_runnable_waiting=%.2f\n",
           name, loop_cpu * 1e3 / (double)n, name, work_cpu * 1e3 / (double)n, name,
           loop_cpu / wall, name, loop_wait / wall);
    fflush(stdout); /* a profiler can attach when a phase ends */
    free(all);
}

/* ---- watch latency ---- */

static atomic_int events;
static double ev_time[1024];

static size_t on_watch(char *p, size_t sz, size_t n, void *arg)
{
    (void)arg;
    size_t len = sz * n;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '\n') {
            int k = atomic_load(&events);
            if (k < 1024) ev_time[k] = now();
            atomic_store(&events, k + 1);
        }
    }
    return len;
}

static atomic_int watch_stop;

static int watch_progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
    (void)arg;
    (void)a;
    (void)b;
    (void)c;
    (void)d;
    return atomic_load(&watch_stop) ? 1 : 0;
}

static void *watcher(void *arg)
{
    char *path = arg;
    struct cli c;
    cli_init(&c);
    curl_easy_setopt(c.h, CURLOPT_WRITEFUNCTION, on_watch);
    curl_easy_setopt(c.h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c.h, CURLOPT_XFERINFOFUNCTION, watch_progress);
    curl_easy_setopt(c.h, CURLOPT_TIMEOUT, 60L);
    call(&c, "GET", path, NULL, NULL);
    cli_free(&c);
    return NULL;
}

static void watch_latency(void)
{
    enum { N = 200 };
    char path[256];
    snprintf(path, sizeof(path),
             "/api/v1/namespaces/bench/pods?watch=true&fieldSelector=metadata.name%%3Dpod-1&"
             "resourceVersion=%" PRIu64,
             sk_store_rev(store));
    pthread_t t;
    pthread_create(&t, NULL, watcher, path);
    usleep(300000);
    struct cli c;
    cli_init(&c);
    double lat[N];
    int got = 0;
    for (int i = 0; i < N; i++) {
        char body[128];
        snprintf(body, sizeof(body), "{\"metadata\":{\"annotations\":{\"n\":\"%d\"}}}", i);
        int before = atomic_load(&events);
        double t0 = now();
        call(&c, "PATCH", "/api/v1/namespaces/bench/pods/pod-1", "application/merge-patch+json",
             body);
        while (atomic_load(&events) == before && now() - t0 < 5)
            usleep(20);
        if (atomic_load(&events) > before && before < 1024) lat[got++] = ev_time[before] - t0;
    }
    atomic_store(&watch_stop, 1);
    pthread_join(t, NULL);
    cli_free(&c);
    qsort(lat, (size_t)got, sizeof(double), cmp);
    printf("api_watch_events=%d\n", got);
    if (got)
        printf("api_watch_latency_p50_ms=%.3f\napi_watch_latency_p99_ms=%.3f\n", lat[got / 2] * 1e3,
               lat[got * 99 / 100] * 1e3);
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
    sk_log_set_level(SK_LOG_WARN);
    const char *nc = getenv("SKIFF_BENCH_CLIENTS");
    if (nc && atoi(nc) >= 1 && atoi(nc) <= MAX_CLIENTS) clients = atoi(nc);
    curl_global_init(CURL_GLOBAL_ALL);
    snprintf(dir, sizeof(dir), "/var/tmp/skiff-bench-api-XXXXXX");
    if (!mkdtemp(dir)) return 1;
    pthread_t st;
    pthread_create(&st, NULL, server, NULL);
    while (!atomic_load(&ready))
        usleep(1000);
    struct cli c;
    cli_init(&c);
    for (int i = 0; i < 500 && call(&c, "GET", "/api/v1/namespaces/default", NULL, NULL) != 200;
         i++)
        usleep(10000);
    call(&c, "POST", "/api/v1/namespaces", NULL, "{\"metadata\":{\"name\":\"bench\"}}");
    cli_free(&c);
    run_phase("create", PH_CREATE, PODS / clients + (PODS % clients ? 1 : 0));
    run_phase("get", PH_GET, 8000 / clients);
    run_phase("list1000", PH_LIST, 320 / clients);
    watch_latency();
    sk_async_send(stop_async);
    pthread_join(st, NULL);
    sk_tls_free(tls);
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    curl_global_cleanup();
    return 0;
}
