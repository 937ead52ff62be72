/* The Kubernetes API end to end inside one process: the API on
 * 127.0.0.1 (an ephemeral port, plain HTTP) over a real store in a temp
 * dir, its loop on a thread of its own, driven with libcurl from the test
 * thread. CRUD, every error reason, list pagination and selectors, watch
 * with resume and 410, patch types, dryRun, fieldValidation, the status
 * and scale subresources, delete semantics and auth. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <ftw.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api.h"
#include "json.h"
#include "loop.h"
#include "mem.h"
#include "store.h"
#include "work.h"

#define TOKEN "test-token-0123456789"

static char dir[256];
static pthread_t srv_thread;
static atomic_int srv_ready;
static int port;
static struct sk_loop *L;
static struct sk_async *stop_async;
static struct sk_api *api;
static struct sk_store *store;
static struct sk_work_pool *pool;

/* ---- the server thread ---- */

static void on_stop(void *arg)
{
    (void)arg;
    sk_api_free(api);
    api = NULL;
    sk_loop_stop(L);
}

static void *srv_main(void *arg)
{
    (void)arg;
    L = sk_loop_new();
    pool = sk_work_pool_new(L, 2);
    struct sk_store_opts so = {.data_dir = dir, .loop = L, .pool = pool, .history = 64};
    struct sk_error *err = NULL;
    if (sk_store_open(&so, &store, &err)) {
        fprintf(stderr, "store: %s\n", sk_error_msg(err, SK_EINVAL));
        abort();
    }
    struct sk_api_opts ao = {.loop = L,
                             .pool = pool,
                             .store = store,
                             .listen = "127.0.0.1:0",
                             .token = TOKEN,
                             .max_body_bytes = 256 * 1024,
                             .bookmark_interval = 0.2};
    api = sk_api_new(&ao, &err);
    if (!api) {
        fprintf(stderr, "api: %s\n", sk_error_msg(err, SK_EINVAL));
        abort();
    }
    port = sk_api_port(api);
    sk_api_ensure_namespaces(store);
    stop_async = sk_async_new(L, on_stop, NULL);
    atomic_store(&srv_ready, 1);
    sk_loop_run(L);
    sk_async_del(stop_async);
    sk_store_close(store);
    sk_work_pool_free(pool);
    sk_loop_free(L);
    return NULL;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    remove(p);
    return 0;
}

/* ---- the client ---- */

struct resp {
    long status;
    struct sk_buf body;
    struct sk_buf hdrs;
    struct sk_val *json;
};

static size_t on_body(char *p, size_t sz, size_t n, void *arg)
{
    struct resp *r = arg;
    sk_buf_append(&r->body, p, sz * n);
    return sz * n;
}

static size_t on_hdr(char *p, size_t sz, size_t n, void *arg)
{
    struct resp *r = arg;
    sk_buf_append(&r->hdrs, p, sz * n);
    return sz * n;
}

static void resp_free(struct resp *r)
{
    sk_buf_free(&r->body);
    sk_buf_free(&r->hdrs);
    sk_val_free(r->json);
    memset(r, 0, sizeof(*r));
}

/* One request; the body (if JSON) is parsed into r->json. */
static void req_full(struct resp *r, const char *method, const char *path, const char *ctype,
                     const char *body, size_t blen, const char *token, const char *accept)
{
    memset(r, 0, sizeof(*r));
    CURL *h = curl_easy_init();
    char url[2048];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_hdr);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    struct curl_slist *hl = NULL;
    char line[512];
    if (token) {
        snprintf(line, sizeof(line), "Authorization: Bearer %s", token);
        hl = curl_slist_append(hl, line);
    }
    if (ctype) {
        snprintf(line, sizeof(line), "Content-Type: %s", ctype);
        hl = curl_slist_append(hl, line);
    }
    if (accept) {
        snprintf(line, sizeof(line), "Accept: %s", accept);
        hl = curl_slist_append(hl, line);
    }
    hl = curl_slist_append(hl, "Expect:");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)blen);
    }
    CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) fail_msg("%s %s: %s", method, path, curl_easy_strerror(rc));
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(h);
    if (r->body.len) sk_json_parse(r->body.p, r->body.len, &r->json, NULL);
}

static void req(struct resp *r, const char *method, const char *path, const char *ctype,
                const char *body)
{
    req_full(r, method, path, ctype, body, body ? strlen(body) : 0, TOKEN, NULL);
}

static const char *jstr(const struct resp *r, const char *path)
{
    const struct sk_val *v = sk_val_path(r->json, path);
    return v ? sk_val_cstr(v) : NULL;
}

static int64_t jint(const struct resp *r, const char *path)
{
    return sk_val_to_int(sk_val_path(r->json, path), -1);
}

static void expect_status(const struct resp *r, long code, const char *reason)
{
    if (r->status != code)
        fail_msg("want %ld got %ld: %.*s", code, r->status, (int)r->body.len, r->body.p);
    if (reason) {
        assert_string_equal(jstr(r, "kind"), "Status");
        assert_string_equal(jstr(r, "reason"), reason);
        assert_int_equal(jint(r, "code"), code);
    }
}

static bool has_header(const struct resp *r, const char *needle)
{
    struct sk_buf b = {0};
    sk_buf_append(&b, r->hdrs.p, r->hdrs.len);
    sk_buf_putc(&b, 0);
    bool ok = strstr(b.p, needle) != NULL;
    sk_buf_free(&b);
    return ok;
}

/* ---- fixtures ---- */

static int group_setup(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_ALL);
    snprintf(dir, sizeof(dir), "/var/tmp/skiff-test-api-XXXXXX");
    assert_non_null(mkdtemp(dir));
    pthread_create(&srv_thread, NULL, srv_main, NULL);
    while (!atomic_load(&srv_ready))
        usleep(1000);
    /* the bootstrap namespaces are written through the store's queue */
    for (int i = 0; i < 500; i++) {
        struct resp r;
        req(&r, "GET", "/api/v1/namespaces/kube-node-lease", NULL, NULL);
        long st = r.status;
        resp_free(&r);
        if (st == 200) break;
        usleep(10000);
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    sk_async_send(stop_async);
    pthread_join(srv_thread, NULL);
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    curl_global_cleanup();
    return 0;
}

/* ---- tests ---- */

static void test_auth_health_version(void **state)
{
    (void)state;
    struct resp r;
    req_full(&r, "GET", "/healthz", NULL, NULL, 0, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_memory_equal(r.body.p, "ok", 2);
    resp_free(&r);
    req_full(&r, "GET", "/readyz?verbose", NULL, NULL, 0, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(memmem(r.body.p, r.body.len, "readyz check passed", 19));
    resp_free(&r);
    req_full(&r, "GET", "/version", NULL, NULL, 0, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(&r, "major"), "1");
    assert_string_equal(jstr(&r, "minor"), "32");
    assert_non_null(strstr(jstr(&r, "gitVersion"), "v1.32.0+skiff."));
    resp_free(&r);
    req_full(&r, "GET", "/api/v1/namespaces", NULL, NULL, 0, NULL, NULL);
    expect_status(&r, 401, "Unauthorized");
    assert_string_equal(jstr(&r, "message"), "Unauthorized");
    resp_free(&r);
    req_full(&r, "GET", "/api/v1/namespaces", NULL, NULL, 0, "wrong", NULL);
    expect_status(&r, 401, "Unauthorized");
    resp_free(&r);
    req(&r, "GET", "/api/v1/namespaces", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(&r, "kind"), "NamespaceList");
    assert_true(sk_arr_len(sk_val_path(r.json, "items")) >= 4);
    assert_string_equal(jstr(&r, "items[0].kind"), "Namespace");
    resp_free(&r);
}

static void test_paths_and_methods(void **state)
{
    (void)state;
    struct resp r;
    req(&r, "GET", "/api/v1/nothings", NULL, NULL);
    expect_status(&r, 404, "NotFound");
    assert_string_equal(jstr(&r, "message"), "the server could not find the requested resource");
    resp_free(&r);
    req(&r, "GET", "/apis/apps/v1/namespaces/default/deployments/x/y/z", NULL, NULL);
    expect_status(&r, 404, "NotFound");
    resp_free(&r);
    req(&r, "GET", "/api/v1/pods/web", NULL, NULL);
    expect_status(&r, 404, "NotFound");
    resp_free(&r);
    req(&r, "PUT", "/api/v1/namespaces/default/configmaps", "application/json", "{}");
    expect_status(&r, 405, "MethodNotAllowed");
    resp_free(&r);
    req_full(&r, "GET", "/api/v1/namespaces/default/configmaps", NULL, NULL, 0, TOKEN,
             "application/vnd.kubernetes.protobuf");
    expect_status(&r, 406, "NotAcceptable");
    resp_free(&r);
    /* kubectl's list: protobuf first, then JSON; and tables with JSON */
    req_full(&r, "GET", "/api/v1/namespaces/default/configmaps", NULL, NULL, 0, TOKEN,
             "application/vnd.kubernetes.protobuf, application/json");
    assert_int_equal(r.status, 200);
    resp_free(&r);
    req_full(&r, "GET", "/api/v1/namespaces", NULL, NULL, 0, TOKEN,
             "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(&r, "kind"), "Table");
    assert_string_equal(jstr(&r, "columnDefinitions[0].name"), "Name");
    assert_non_null(jstr(&r, "metadata.resourceVersion"));
    assert_true(sk_arr_len(sk_val_path(r.json, "rows")) >= 4);
    resp_free(&r);
    req_full(&r, "GET", "/api/v1/namespaces/default", NULL, NULL, 0, TOKEN,
             "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(&r, "kind"), "Table");
    assert_string_equal(jstr(&r, "rows[0].cells[0]"), "default");
    resp_free(&r);
    req_full(&r, "GET", "/api/v1/namespaces/default", NULL, NULL, 0, TOKEN, "application/yaml");
    assert_int_equal(r.status, 200);
    assert_non_null(memmem(r.body.p, r.body.len, "kind: Namespace", 15));
    resp_free(&r);
    /* discovery and OpenAPI */
    req(&r, "GET", "/api", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(&r, "kind"), "APIVersions");
    resp_free(&r);
    req(&r, "GET", "/apis/apps/v1", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(&r, "kind"), "APIResourceList");
    resp_free(&r);
    req(&r, "GET", "/apis/nope/v1", NULL, NULL);
    expect_status(&r, 404, "NotFound");
    resp_free(&r);
    req_full(&r, "GET", "/apis", NULL, NULL, 0, TOKEN,
             "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
             "application/json");
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(&r, "kind"), "APIGroupDiscoveryList");
    resp_free(&r);
    req(&r, "GET", "/openapi/v3", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(sk_val_path(r.json, "paths"));
    resp_free(&r);
    req_full(&r, "GET", "/api", NULL, NULL, 0, NULL, NULL);
    expect_status(&r, 401, "Unauthorized");
    resp_free(&r);
}

static void test_crud_configmap(void **state)
{
    (void)state;
    struct resp r;
    const char *cm = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm1\","
                     "\"labels\":{\"app\":\"web\"}},\"data\":{\"a\":\"1\"}}";
    req(&r, "POST", "/api/v1/namespaces/default/configmaps", "application/json", cm);
    assert_int_equal(r.status, 201);
    assert_string_equal(jstr(&r, "metadata.namespace"), "default");
    assert_non_null(jstr(&r, "metadata.uid"));
    assert_non_null(jstr(&r, "metadata.resourceVersion"));
    char rv[32];
    snprintf(rv, sizeof(rv), "%s", jstr(&r, "metadata.resourceVersion"));
    resp_free(&r);

    req(&r, "POST", "/api/v1/namespaces/default/configmaps", "application/json", cm);
    expect_status(&r, 409, "AlreadyExists");
    assert_string_equal(jstr(&r, "message"), "configmaps \"cm1\" already exists");
    assert_string_equal(jstr(&r, "details.kind"), "configmaps");
    resp_free(&r);

    req(&r, "GET", "/api/v1/namespaces/default/configmaps/cm1", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(&r, "kind"), "ConfigMap");
    assert_string_equal(jstr(&r, "data.a"), "1");
    resp_free(&r);

    req(&r, "GET", "/api/v1/namespaces/default/configmaps/nope", NULL, NULL);
    expect_status(&r, 404, "NotFound");
    assert_string_equal(jstr(&r, "message"), "configmaps \"nope\" not found");
    assert_string_equal(jstr(&r, "details.name"), "nope");
    assert_string_equal(jstr(&r, "details.kind"), "configmaps");
    resp_free(&r);

    /* update with the right resourceVersion, then with the stale one */
    char body[512];
    snprintf(body, sizeof(body),
             "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm1\","
             "\"resourceVersion\":\"%s\"},\"data\":{\"a\":\"2\"}}",
             rv);
    req(&r, "PUT", "/api/v1/namespaces/default/configmaps/cm1", "application/json", body);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(&r, "data.a"), "2");
    assert_string_not_equal(jstr(&r, "metadata.resourceVersion"), rv);
    resp_free(&r);
    req(&r, "PUT", "/api/v1/namespaces/default/configmaps/cm1", "application/json", body);
    expect_status(&r, 409, "Conflict");
    assert_string_equal(jstr(&r, "message"),
                        "Operation cannot be fulfilled on configmaps \"cm1\": the object has been "
                        "modified; please apply your changes to the latest version and try again");
    resp_free(&r);
    /* unconditional update */
    req(&r, "PUT", "/api/v1/namespaces/default/configmaps/cm1", "application/json",
        "{\"metadata\":{\"name\":\"cm1\"},\"data\":{\"a\":\"3\"}}");
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(&r, "data.a"), "3");
    assert_string_equal(jstr(&r, "apiVersion"), "v1");
    resp_free(&r);
    /* name and namespace must match the URL */
    req(&r, "PUT", "/api/v1/namespaces/default/configmaps/cm1", "application/json",
        "{\"metadata\":{\"name\":\"other\"}}");
    expect_status(&r, 400, "BadRequest");
    assert_string_equal(jstr(&r, "message"),
                        "the name of the object (other) does not match the name on the URL (cm1)");
    resp_free(&r);
    req(&r, "POST", "/api/v1/namespaces/default/configmaps", "application/json",
        "{\"metadata\":{\"name\":\"x\",\"namespace\":\"kube-system\"}}");
    expect_status(&r, 400, "BadRequest");
    assert_string_equal(jstr(&r, "message"), "the namespace of the provided object does not "
                                             "match the namespace sent on the request");
    resp_free(&r);
    req(&r, "POST", "/api/v1/namespaces/nowhere/configmaps", "application/json",
        "{\"metadata\":{\"name\":\"x\"}}");
    expect_status(&r, 404, "NotFound");
    assert_string_equal(jstr(&r, "message"), "namespaces \"nowhere\" not found");
    resp_free(&r);

    req(&r, "DELETE", "/api/v1/namespaces/default/configmaps/cm1", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(&r, "status"), "Success");
    assert_string_equal(jstr(&r, "details.name"), "cm1");
    resp_free(&r);
    req(&r, "DELETE", "/api/v1/namespaces/default/configmaps/cm1", NULL, NULL);
    expect_status(&r, 404, "NotFound");
    resp_free(&r);
}

static void test_bad_bodies(void **state)
{
    (void)state;
    struct resp r;
    req(&r, "POST", "/api/v1/namespaces/default/configmaps", "application/json",
        "{\"metadata\": {\"name\": }");
    expect_status(&r, 400, "BadRequest");
    assert_non_null(strstr(jstr(&r, "message"), "line 1, column"));
    resp_free(&r);
    req(&r, "POST", "/api/v1/namespaces/default/configmaps", "text/plain", "hello");
    expect_status(&r, 415, "UnsupportedMediaType");
    resp_free(&r);
    req(&r, "POST", "/api/v1/namespaces/default/configmaps", "application/json", "[1]");
    expect_status(&r, 400, "BadRequest");
    resp_free(&r);
    /* over the body limit: the transport answers */
    size_t big = 300 * 1024;
    char *b = sk_xmalloc(big);
    memset(b, 'x', big);
    req_full(&r, "POST", "/api/v1/namespaces/default/configmaps", "application/json", b, big, TOKEN,
             NULL);
    expect_status(&r, 413, "RequestEntityTooLarge");
    free(b);
    resp_free(&r);
    /* type errors are the decoder's */
    req(&r, "POST", "/apis/apps/v1/namespaces/default/deployments", "application/json",
        "{\"metadata\":{\"name\":\"d\"},\"spec\":{\"replicas\":\"three\"}}");
    expect_status(&r, 400, "BadRequest");
    assert_non_null(strstr(jstr(&r, "message"), "cannot unmarshal string"));
    resp_free(&r);
    /* a kind that does not belong here */
    req(&r, "POST", "/api/v1/namespaces/default/configmaps", "application/json",
        "{\"kind\":\"Secret\",\"metadata\":{\"name\":\"x\"}}");
    expect_status(&r, 400, "BadRequest");
    resp_free(&r);
    req(&r, "POST", "/api/v1/namespaces/default/configmaps?dryRun=Some", "application/json",
        "{\"metadata\":{\"name\":\"x\"}}");
    expect_status(&r, 400, "BadRequest");
    resp_free(&r);
}

static const char *deploy =
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\"},"
        "\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"web\"}},"
        "\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":"
        "[{\"name\":\"c\",\"image\":\"busybox\"}]}}}}";

static void test_invalid_and_dryrun(void **state)
{
    (void)state;
    struct resp r;
    req(&r, "POST", "/apis/apps/v1/namespaces/default/deployments", "application/json",
        "{\"metadata\":{\"name\":\"web\"},\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"a\"}},"
        "\"template\":{\"metadata\":{\"labels\":{\"app\":\"b\"}},\"spec\":{\"containers\":"
        "[{\"name\":\"c\",\"image\":\"busybox\"}]}}}}");
    expect_status(&r, 422, "Invalid");
    assert_non_null(strstr(jstr(&r, "message"), "Deployment.apps \"web\" is invalid: "));
    assert_string_equal(jstr(&r, "details.kind"), "Deployment");
    assert_string_equal(jstr(&r, "details.group"), "apps");
    assert_non_null(jstr(&r, "details.causes[0].field"));
    resp_free(&r);

    req(&r, "POST", "/apis/apps/v1/namespaces/default/deployments?dryRun=All", "application/json",
        deploy);
    assert_int_equal(r.status, 201);
    assert_non_null(jstr(&r, "metadata.uid"));
    /* defaulted */
    assert_string_equal(jstr(&r, "spec.strategy.type"), "RollingUpdate");
    resp_free(&r);
    req(&r, "GET", "/apis/apps/v1/namespaces/default/deployments/web", NULL, NULL);
    expect_status(&r, 404, "NotFound");
    assert_string_equal(jstr(&r, "message"), "deployments.apps \"web\" not found");
    assert_string_equal(jstr(&r, "details.group"), "apps");
    resp_free(&r);
}

static void test_field_validation(void **state)
{
    (void)state;
    struct resp r;
    const char *b = "{\"metadata\":{\"name\":\"fv\"},\"data\":{},\"spec\":{\"foo\":1}}";
    req(&r, "POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Strict",
        "application/json", b);
    expect_status(&r, 400, "BadRequest");
    assert_non_null(strstr(jstr(&r, "message"), "strict decoding error: unknown field \"spec\""));
    resp_free(&r);
    req(&r, "POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Warn",
        "application/json", b);
    assert_int_equal(r.status, 201);
    assert_true(has_header(&r, "Warning: 299 - \"unknown field \\\"spec\\\"\""));
    resp_free(&r);
    req(&r, "DELETE", "/api/v1/namespaces/default/configmaps/fv", NULL, NULL);
    resp_free(&r);
    req(&r, "POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Ignore",
        "application/json", b);
    assert_int_equal(r.status, 201);
    assert_false(has_header(&r, "Warning:"));
    resp_free(&r);
    req(&r, "DELETE", "/api/v1/namespaces/default/configmaps/fv", NULL, NULL);
    resp_free(&r);
}

static void test_list_pagination_selectors(void **state)
{
    (void)state;
    struct resp r;
    req(&r, "POST", "/api/v1/namespaces", "application/json",
        "{\"metadata\":{\"name\":\"pages\"}}");
    assert_int_equal(r.status, 201);
    resp_free(&r);
    for (int i = 0; i < 5; i++) {
        char b[256];
        snprintf(b, sizeof(b),
                 "{\"metadata\":{\"name\":\"p%d\",\"labels\":{\"i\":\"%d\",\"%s\":\"y\"}}}", i, i,
                 i % 2 ? "odd" : "even");
        req(&r, "POST", "/api/v1/namespaces/pages/configmaps", "application/json", b);
        assert_int_equal(r.status, 201);
        resp_free(&r);
    }
    int seen = 0;
    char path[1024] = "/api/v1/namespaces/pages/configmaps?limit=2";
    for (int page = 0; page < 5; page++) {
        req(&r, "GET", path, NULL, NULL);
        assert_int_equal(r.status, 200);
        seen += (int)sk_arr_len(sk_val_path(r.json, "items"));
        const char *c = jstr(&r, "metadata.continue");
        if (!c) {
            resp_free(&r);
            break;
        }
        snprintf(path, sizeof(path), "/api/v1/namespaces/pages/configmaps?limit=2&continue=%s", c);
        resp_free(&r);
    }
    assert_int_equal(seen, 5);
    req(&r, "GET", "/api/v1/namespaces/pages/configmaps?continue=garbage", NULL, NULL);
    expect_status(&r, 400, "BadRequest");
    resp_free(&r);
    req(&r, "GET", "/api/v1/namespaces/pages/configmaps?labelSelector=odd", NULL, NULL);
    assert_int_equal(sk_arr_len(sk_val_path(r.json, "items")), 2);
    resp_free(&r);
    req(&r, "GET", "/api/v1/namespaces/pages/configmaps?labelSelector=!odd,i!=0", NULL, NULL);
    assert_int_equal(sk_arr_len(sk_val_path(r.json, "items")), 2);
    resp_free(&r);
    req(&r, "GET", "/api/v1/configmaps?fieldSelector=metadata.name=p3", NULL, NULL);
    assert_int_equal(sk_arr_len(sk_val_path(r.json, "items")), 1);
    assert_string_equal(jstr(&r, "items[0].metadata.namespace"), "pages");
    resp_free(&r);
    req(&r, "GET", "/api/v1/configmaps?fieldSelector=spec.foo=1", NULL, NULL);
    expect_status(&r, 400, "BadRequest");
    resp_free(&r);
    req(&r, "GET", "/api/v1/configmaps?labelSelector=a%20in", NULL, NULL);
    expect_status(&r, 400, "BadRequest");
    resp_free(&r);
    /* deletecollection with a selector */
    req(&r, "DELETE", "/api/v1/namespaces/pages/configmaps?labelSelector=even", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(sk_arr_len(sk_val_path(r.json, "items")), 3);
    resp_free(&r);
    req(&r, "GET", "/api/v1/namespaces/pages/configmaps", NULL, NULL);
    assert_int_equal(sk_arr_len(sk_val_path(r.json, "items")), 2);
    resp_free(&r);
}

/* A JSON list takes unchanged objects' encodings from the cache by
 * revision: the bytes are those of a cold list, and a changed object shows
 * its new version at once. */
static void test_list_cached_items(void **state)
{
    (void)state;
    struct resp r, cold, warm;
    req(&r, "POST", "/api/v1/namespaces", "application/json", "{\"metadata\":{\"name\":\"jc\"}}");
    assert_int_equal(r.status, 201);
    resp_free(&r);
    for (int i = 0; i < 4; i++) {
        char b[256];
        snprintf(b, sizeof(b), "{\"metadata\":{\"name\":\"c%d\"},\"data\":{\"k\":\"v%d\"}}", i, i);
        req(&r, "POST", "/api/v1/namespaces/jc/configmaps", "application/json", b);
        assert_int_equal(r.status, 201);
        resp_free(&r);
    }
    req(&cold, "GET", "/api/v1/namespaces/jc/configmaps", NULL, NULL);
    assert_int_equal(cold.status, 200);
    req(&warm, "GET", "/api/v1/namespaces/jc/configmaps", NULL, NULL);
    assert_int_equal(warm.status, 200);
    assert_int_equal(cold.body.len, warm.body.len);
    assert_memory_equal(cold.body.p, warm.body.p, cold.body.len);
    assert_int_equal(sk_arr_len(sk_val_path(warm.json, "items")), 4);
    /* each item as a GET gives it, from a tree built without the cache */
    for (int i = 0; i < 4; i++) {
        char path[128], item[32];
        snprintf(path, sizeof(path), "/api/v1/namespaces/jc/configmaps/c%d?pretty=true", i);
        req(&r, "GET", path, NULL, NULL);
        snprintf(item, sizeof(item), "items[%d]", i);
        assert_true(sk_val_equal(r.json, sk_val_path(warm.json, item)));
        resp_free(&r);
    }
    resp_free(&cold);
    req(&r, "PATCH", "/api/v1/namespaces/jc/configmaps/c2", "application/merge-patch+json",
        "{\"data\":{\"k\":\"changed\"}}");
    assert_int_equal(r.status, 200);
    char *rv = strdup(jstr(&r, "metadata.resourceVersion"));
    resp_free(&r);
    req(&r, "GET", "/api/v1/namespaces/jc/configmaps", NULL, NULL);
    assert_string_equal(jstr(&r, "items[2].data.k"), "changed");
    assert_string_equal(jstr(&r, "items[2].metadata.resourceVersion"), rv);
    assert_string_equal(jstr(&r, "metadata.resourceVersion"), rv);
    for (int i = 0; i < 4; i++) {
        if (i == 2) continue;
        char item[32];
        snprintf(item, sizeof(item), "items[%d]", i);
        assert_true(sk_val_equal(sk_val_path(r.json, item), sk_val_path(warm.json, item)));
    }
    free(rv);
    resp_free(&r);
    resp_free(&warm);
}

/* resourceVersion on a list: Exact serves that revision, a revision the
 * store has not reached waits and then times out as kube-apiserver does. */
static void test_list_resource_version(void **state)
{
    (void)state;
    struct resp r;
    req(&r, "POST", "/api/v1/namespaces", "application/json", "{\"metadata\":{\"name\":\"rvs\"}}");
    assert_int_equal(r.status, 201);
    resp_free(&r);
    req(&r, "POST", "/api/v1/namespaces/rvs/configmaps", "application/json",
        "{\"metadata\":{\"name\":\"a\"},\"data\":{\"k\":\"old\"}}");
    assert_int_equal(r.status, 201);
    char *rv1 = strdup(jstr(&r, "metadata.resourceVersion"));
    resp_free(&r);
    req(&r, "PATCH", "/api/v1/namespaces/rvs/configmaps/a", "application/merge-patch+json",
        "{\"data\":{\"k\":\"new\"}}");
    assert_int_equal(r.status, 200);
    char *rv2 = strdup(jstr(&r, "metadata.resourceVersion"));
    resp_free(&r);
    req(&r, "POST", "/api/v1/namespaces/rvs/configmaps", "application/json",
        "{\"metadata\":{\"name\":\"b\"}}");
    assert_int_equal(r.status, 201);
    resp_free(&r);
    char path[256];
    snprintf(path, sizeof(path),
             "/api/v1/namespaces/rvs/configmaps?resourceVersion=%s&resourceVersionMatch=Exact",
             rv1);
    req(&r, "GET", path, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(&r, "metadata.resourceVersion"), rv1);
    assert_int_equal(sk_arr_len(sk_val_path(r.json, "items")), 1); /* b came later */
    assert_string_equal(jstr(&r, "items[0].data.k"), "old");
    resp_free(&r);
    /* not older than rv2: the newest */
    snprintf(path, sizeof(path),
             "/api/v1/namespaces/rvs/configmaps?resourceVersion=%s&resourceVersionMatch="
             "NotOlderThan",
             rv2);
    req(&r, "GET", path, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(sk_arr_len(sk_val_path(r.json, "items")), 2);
    assert_string_equal(jstr(&r, "items[0].data.k"), "new");
    resp_free(&r);
    req(&r, "GET", "/api/v1/namespaces/rvs/configmaps?resourceVersion=0&resourceVersionMatch=Exact",
        NULL, NULL);
    expect_status(&r, 422, "Invalid");
    resp_free(&r);
    /* ahead of the store: about 3 s, then 504 */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    req(&r, "GET", "/api/v1/namespaces/rvs/configmaps?resourceVersion=999999999", NULL, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    expect_status(&r, 504, "Timeout");
    assert_non_null(
            strstr(jstr(&r, "message"), "Too large resource version: 999999999, current: "));
    assert_string_equal(jstr(&r, "details.causes[0].reason"), "ResourceVersionTooLarge");
    double waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(waited > 2.5 && waited < 10);
    resp_free(&r);
    free(rv1);
    free(rv2);
}

static void test_patch(void **state)
{
    (void)state;
    struct resp r;
    req(&r, "POST", "/apis/apps/v1/namespaces/default/deployments", "application/json", deploy);
    assert_int_equal(r.status, 201);
    resp_free(&r);
    const char *p = "/apis/apps/v1/namespaces/default/deployments/web";
    req(&r, "PATCH", p, "application/merge-patch+json",
        "{\"metadata\":{\"labels\":{\"tier\":\"front\"}}}");
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(&r, "metadata.labels.tier"), "front");
    resp_free(&r);
    req(&r, "PATCH", p, "application/strategic-merge-patch+json",
        "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"side\",\"image\":"
        "\"busybox\"}]}}}}");
    assert_int_equal(r.status, 200);
    assert_int_equal(sk_arr_len(sk_val_path(r.json, "spec.template.spec.containers")), 2);
    resp_free(&r);
    req(&r, "PATCH", p, "application/json-patch+json",
        "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":5}]");
    assert_int_equal(r.status, 200);
    assert_int_equal(jint(&r, "spec.replicas"), 5);
    resp_free(&r);
    req(&r, "PATCH", p, "application/json-patch+json",
        "[{\"op\":\"test\",\"path\":\"/spec/replicas\",\"value\":9}]");
    expect_status(&r, 422, "Invalid");
    resp_free(&r);
    req(&r, "PATCH", p, "application/json", "{}");
    expect_status(&r, 415, "UnsupportedMediaType");
    resp_free(&r);
    req(&r, "PATCH", p, "application/merge-patch+json", "{not json");
    expect_status(&r, 400, "BadRequest");
    resp_free(&r);
    req(&r, "PATCH", p, "application/merge-patch+json",
        "{\"metadata\":{\"resourceVersion\":\"1\"},\"spec\":{\"replicas\":1}}");
    expect_status(&r, 409, "Conflict");
    resp_free(&r);
    req(&r, "PATCH", "/apis/apps/v1/namespaces/default/deployments/none",
        "application/merge-patch+json", "{}");
    expect_status(&r, 404, "NotFound");
    resp_free(&r);
    /* server-side apply: needs a field manager; creates, then merges */
    const char *ap = "/apis/apps/v1/namespaces/default/deployments/applied";
    const char *y = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: applied\nspec:\n"
                    "  selector:\n    matchLabels: {app: a}\n  template:\n    metadata:\n"
                    "      labels: {app: a}\n    spec:\n      containers:\n      - name: c\n"
                    "        image: busybox\n";
    req(&r, "PATCH", ap, "application/apply-patch+yaml", y);
    expect_status(&r, 422, "Invalid");
    resp_free(&r);
    char path[256];
    snprintf(path, sizeof(path), "%s?fieldManager=test", ap);
    req(&r, "PATCH", path, "application/apply-patch+yaml", y);
    assert_int_equal(r.status, 201);
    resp_free(&r);
    /* the same manager applying less prunes what it dropped (here the
     * required selector, so that fails); another manager merges */
    const char *y2 = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: applied\nspec:\n"
                     "  replicas: 3\n";
    req(&r, "PATCH", path, "application/apply-patch+yaml", y2);
    expect_status(&r, 422, "Invalid");
    resp_free(&r);
    snprintf(path, sizeof(path), "%s?fieldManager=other", ap);
    req(&r, "PATCH", path, "application/apply-patch+yaml", y2);
    assert_int_equal(r.status, 200);
    assert_int_equal(jint(&r, "spec.replicas"), 3);
    resp_free(&r);
}

static void test_status_scale(void **state)
{
    (void)state;
    struct resp r;
    const char *p = "/apis/apps/v1/namespaces/default/deployments/web";
    /* main resource writes ignore status */
    req(&r, "PATCH", p, "application/merge-patch+json", "{\"status\":{\"replicas\":7}}");
    assert_int_equal(r.status, 200);
    assert_int_equal(jint(&r, "status.replicas"), -1);
    resp_free(&r);
    char sp[256];
    snprintf(sp, sizeof(sp), "%s/status", p);
    req(&r, "PATCH", sp, "application/merge-patch+json",
        "{\"spec\":{\"replicas\":1},\"status\":{\"replicas\":4}}");
    assert_int_equal(r.status, 200);
    assert_int_equal(jint(&r, "status.replicas"), 4);
    assert_int_equal(jint(&r, "spec.replicas"), 5);
    resp_free(&r);
    req(&r, "GET", sp, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(jint(&r, "status.replicas"), 4);
    resp_free(&r);

    snprintf(sp, sizeof(sp), "%s/scale", p);
    req(&r, "GET", sp, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(&r, "kind"), "Scale");
    assert_string_equal(jstr(&r, "apiVersion"), "autoscaling/v1");
    assert_int_equal(jint(&r, "spec.replicas"), 5);
    assert_int_equal(jint(&r, "status.replicas"), 4);
    assert_string_equal(jstr(&r, "status.selector"), "app=web");
    resp_free(&r);
    req(&r, "PATCH", sp, "application/merge-patch+json", "{\"spec\":{\"replicas\":2}}");
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(&r, "kind"), "Scale");
    assert_int_equal(jint(&r, "spec.replicas"), 2);
    resp_free(&r);
    req(&r, "PUT", sp, "application/json",
        "{\"kind\":\"Scale\",\"apiVersion\":\"autoscaling/v1\",\"metadata\":{\"name\":\"web\"},"
        "\"spec\":{\"replicas\":-1}}");
    expect_status(&r, 422, "Invalid");
    resp_free(&r);
    req(&r, "PUT", sp, "application/json",
        "{\"kind\":\"Scale\",\"apiVersion\":\"autoscaling/v1\",\"metadata\":{\"name\":\"web\"},"
        "\"spec\":{\"replicas\":6}}");
    assert_int_equal(r.status, 200);
    resp_free(&r);
    req(&r, "GET", p, NULL, NULL);
    assert_int_equal(jint(&r, "spec.replicas"), 6);
    resp_free(&r);
    req(&r, "GET", "/api/v1/namespaces/default/configmaps/x/scale", NULL, NULL);
    expect_status(&r, 404, "NotFound");
    resp_free(&r);
}

static void test_delete_semantics(void **state)
{
    (void)state;
    struct resp r;
    /* an unscheduled pod goes at once; a scheduled one waits its grace */
    req(&r, "POST", "/api/v1/namespaces/default/pods", "application/json",
        "{\"metadata\":{\"name\":\"p1\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":"
        "\"busybox\"}]}}");
    assert_int_equal(r.status, 201);
    assert_string_equal(jstr(&r, "status.phase"), "Pending");
    resp_free(&r);
    req(&r, "DELETE", "/api/v1/namespaces/default/pods/p1", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(&r, "kind"), "Pod");
    resp_free(&r);
    req(&r, "GET", "/api/v1/namespaces/default/pods/p1", NULL, NULL);
    expect_status(&r, 404, "NotFound");
    resp_free(&r);
    req(&r, "POST", "/api/v1/namespaces/default/pods", "application/json",
        "{\"metadata\":{\"name\":\"p2\"},\"spec\":{\"nodeName\":\"n1\",\"containers\":[{\"name\":"
        "\"c\",\"image\":\"busybox\"}]}}");
    assert_int_equal(r.status, 201);
    resp_free(&r);
    req(&r, "DELETE", "/api/v1/namespaces/default/pods/p2", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(jstr(&r, "metadata.deletionTimestamp"));
    assert_int_equal(jint(&r, "metadata.deletionGracePeriodSeconds"), 30);
    resp_free(&r);
    req(&r, "DELETE", "/api/v1/namespaces/default/pods/p2?gracePeriodSeconds=0", NULL, NULL);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    req(&r, "GET", "/api/v1/namespaces/default/pods/p2", NULL, NULL);
    expect_status(&r, 404, "NotFound");
    resp_free(&r);
    /* orphan keeps the object with its finalizer; preconditions */
    req(&r, "POST", "/api/v1/namespaces/default/configmaps", "application/json",
        "{\"metadata\":{\"name\":\"orph\"}}");
    resp_free(&r);
    req(&r, "DELETE", "/api/v1/namespaces/default/configmaps/orph", "application/json",
        "{\"preconditions\":{\"uid\":\"not-it\"}}");
    expect_status(&r, 409, "Conflict");
    resp_free(&r);
    req(&r, "DELETE", "/api/v1/namespaces/default/configmaps/orph?propagationPolicy=Sideways", NULL,
        NULL);
    expect_status(&r, 422, "Invalid");
    resp_free(&r);
    req(&r, "DELETE", "/api/v1/namespaces/default/configmaps/orph", "application/json",
        "{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"propagationPolicy\":\"Orphan\"}");
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(&r, "metadata.finalizers[0]"), "orphan");
    resp_free(&r);
    /* generateName */
    req(&r, "POST", "/api/v1/namespaces/default/configmaps", "application/json",
        "{\"metadata\":{\"generateName\":\"gen-\"}}");
    assert_int_equal(r.status, 201);
    assert_int_equal(strlen(jstr(&r, "metadata.name")), 9);
    resp_free(&r);
    /* pods/log of a pod on no node yet is empty, as kube-apiserver answers
     * (tests/unit/test_node_http.c and tests/e2e/test_api_node.py cover
     * the proxied case) */
    req(&r, "POST", "/api/v1/namespaces/default/pods", "application/json",
        "{\"metadata\":{\"name\":\"p3\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":"
        "\"busybox\"}]}}");
    resp_free(&r);
    req(&r, "GET", "/api/v1/namespaces/default/pods/p3/log", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.body.len, 0);
    resp_free(&r);
    req(&r, "GET", "/api/v1/namespaces/default/pods/p3/log?container=x", NULL, NULL);
    expect_status(&r, 400, "BadRequest");
    resp_free(&r);
    req(&r, "GET", "/api/v1/namespaces/default/pods/p9/log", NULL, NULL);
    expect_status(&r, 404, "NotFound");
    resp_free(&r);
}

static void test_events(void **state)
{
    (void)state;
    struct resp r;
    req(&r, "POST", "/api/v1/namespaces/default/events", "application/json",
        "{\"metadata\":{\"name\":\"e1\"},\"involvedObject\":{\"kind\":\"Pod\",\"name\":\"p3\","
        "\"namespace\":\"default\"},\"reason\":\"Scheduled\",\"message\":\"ok\",\"type\":"
        "\"Normal\"}");
    assert_int_equal(r.status, 201);
    resp_free(&r);
    req(&r, "GET",
        "/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dp3,"
        "involvedObject.kind%3DPod",
        NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(sk_arr_len(sk_val_path(r.json, "items")), 1);
    resp_free(&r);
    req(&r, "GET", "/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dzz", NULL,
        NULL);
    assert_int_equal(sk_arr_len(sk_val_path(r.json, "items")), 0);
    resp_free(&r);
}

/* ---- watch, from a second client thread ---- */

struct watcher {
    char path[512];
    struct resp r;
    pthread_t t;
};

static void *watch_main(void *arg)
{
    struct watcher *w = arg;
    req(&w->r, "GET", w->path, NULL, NULL);
    return NULL;
}

static int count_lines(const struct resp *r, const char *needle)
{
    int n = 0;
    struct sk_buf b = {0};
    sk_buf_append(&b, r->body.p, r->body.len);
    sk_buf_putc(&b, 0);
    for (const char *p = b.p; (p = strstr(p, needle)); p++)
        n++;
    sk_buf_free(&b);
    return n;
}

static void test_watch(void **state)
{
    (void)state;
    struct resp r;
    req(&r, "POST", "/api/v1/namespaces", "application/json", "{\"metadata\":{\"name\":\"w\"}}");
    assert_int_equal(r.status, 201);
    resp_free(&r);
    req(&r, "POST", "/api/v1/namespaces/w/configmaps", "application/json",
        "{\"metadata\":{\"name\":\"a\"}}");
    resp_free(&r);
    struct watcher w1 = {0}, w2 = {0};
    snprintf(w1.path, sizeof(w1.path),
             "/api/v1/namespaces/w/configmaps?watch=true&timeoutSeconds=2&allowWatchBookmarks="
             "true");
    snprintf(w2.path, sizeof(w2.path),
             "/api/v1/namespaces/w/configmaps?watch=1&timeoutSeconds=2&labelSelector=x%%3Dy");
    pthread_create(&w1.t, NULL, watch_main, &w1);
    pthread_create(&w2.t, NULL, watch_main, &w2);
    usleep(300000);
    req(&r, "POST", "/api/v1/namespaces/w/configmaps", "application/json",
        "{\"metadata\":{\"name\":\"b\",\"labels\":{\"x\":\"y\"}}}");
    char rv[32];
    snprintf(rv, sizeof(rv), "%s", jstr(&r, "metadata.resourceVersion"));
    resp_free(&r);
    req(&r, "PATCH", "/api/v1/namespaces/w/configmaps/b", "application/merge-patch+json",
        "{\"data\":{\"k\":\"v\"}}");
    resp_free(&r);
    req(&r, "PATCH", "/api/v1/namespaces/w/configmaps/b", "application/merge-patch+json",
        "{\"metadata\":{\"labels\":{\"x\":null}}}");
    resp_free(&r);
    pthread_join(w1.t, NULL);
    pthread_join(w2.t, NULL);
    assert_int_equal(w1.r.status, 200);
    /* a (initial) and b added, two changes */
    assert_int_equal(count_lines(&w1.r, "\"type\":\"ADDED\""), 2);
    assert_int_equal(count_lines(&w1.r, "\"type\":\"MODIFIED\""), 2);
    assert_true(count_lines(&w1.r, "\"type\":\"BOOKMARK\"") >= 1);
    /* through the selector: added, modified, then gone from view */
    assert_int_equal(count_lines(&w2.r, "\"type\":\"ADDED\""), 1);
    assert_int_equal(count_lines(&w2.r, "\"type\":\"MODIFIED\""), 1);
    assert_int_equal(count_lines(&w2.r, "\"type\":\"DELETED\""), 1);
    resp_free(&w1.r);
    resp_free(&w2.r);

    /* resume after b's creation: the two modifications only */
    char path[256];
    snprintf(path, sizeof(path),
             "/api/v1/namespaces/w/configmaps?watch=true&timeoutSeconds=1&resourceVersion=%s", rv);
    req(&r, "GET", path, NULL, NULL);
    assert_int_equal(count_lines(&r, "\"type\":\"ADDED\""), 0);
    assert_int_equal(count_lines(&r, "\"type\":\"MODIFIED\""), 2);
    resp_free(&r);
    /* a single object's watch */
    req(&r, "GET", "/api/v1/namespaces/w/configmaps/a?watch=true&timeoutSeconds=1", NULL, NULL);
    assert_int_equal(count_lines(&r, "\"type\":\"ADDED\""), 1);
    assert_int_equal(count_lines(&r, "\"name\":\"b\""), 0);
    resp_free(&r);

    /* push revision 1 out of the 64-revision window: 410 as an ERROR event */
    for (int i = 0; i < 90; i++) {
        req(&r, "PATCH", "/api/v1/namespaces/w/configmaps/a", "application/merge-patch+json",
            i % 2 ? "{\"data\":{\"n\":\"1\"}}" : "{\"data\":{\"n\":\"2\"}}");
        resp_free(&r);
    }
    req(&r, "GET", "/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=1", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(count_lines(&r, "\"type\":\"ERROR\""), 1);
    assert_int_equal(count_lines(&r, "\"code\":410"), 1);
    assert_int_equal(count_lines(&r, "\"reason\":\"Expired\""), 1);
    resp_free(&r);
}

static void test_many_watches(void **state)
{
    (void)state;
    /* many watchers of one change: encoded once, delivered to all */
    enum { N = 40 };
    static struct watcher ws[N];
    struct sk_api_stats before;
    sk_api_get_stats(api, &before);
    for (int i = 0; i < N; i++) {
        memset(&ws[i], 0, sizeof(ws[i]));
        snprintf(
                ws[i].path, sizeof(ws[i].path),
                "/api/v1/namespaces/w/secrets?watch=true&timeoutSeconds=2&resourceVersion=%" PRIu64,
                sk_store_rev(store));
        pthread_create(&ws[i].t, NULL, watch_main, &ws[i]);
    }
    usleep(500000);
    struct resp r;
    req(&r, "POST", "/api/v1/namespaces/w/secrets", "application/json",
        "{\"metadata\":{\"name\":\"s\"},\"stringData\":{\"a\":\"b\"}}");
    assert_int_equal(r.status, 201);
    resp_free(&r);
    for (int i = 0; i < N; i++) {
        pthread_join(ws[i].t, NULL);
        assert_int_equal(count_lines(&ws[i].r, "\"type\":\"ADDED\""), 1);
        resp_free(&ws[i].r);
    }
    struct sk_api_stats after;
    sk_api_get_stats(api, &after);
    assert_true(after.watch_events_encoded - before.watch_events_encoded <= 2);
}

static void test_kubeconfig(void **state)
{
    (void)state;
    char tls[300];
    snprintf(tls, sizeof(tls), "%s/tls", dir);
    mkdir(tls, 0700);
    char p[400];
    snprintf(p, sizeof(p), "%s/ca.crt", tls);
    FILE *f = fopen(p, "w");
    fputs("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", f);
    fclose(f);
    snprintf(p, sizeof(p), "%s/admin.token", tls);
    f = fopen(p, "w");
    fputs("abc123\n", f);
    fclose(f);
    struct sk_error *e = NULL;
    char *kc = sk_api_kubeconfig(dir, "https://127.0.0.1:7443", &e);
    assert_non_null(kc);
    assert_non_null(strstr(kc, "server: https://127.0.0.1:7443\n"));
    assert_non_null(strstr(kc, "token: abc123\n"));
    assert_non_null(strstr(kc, "certificate-authority-data: LS0t"));
    free(kc);
    assert_null(sk_api_kubeconfig("/nonexistent", NULL, &e));
    sk_error_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_auth_health_version),
            cmocka_unit_test(test_paths_and_methods),
            cmocka_unit_test(test_crud_configmap),
            cmocka_unit_test(test_bad_bodies),
            cmocka_unit_test(test_invalid_and_dryrun),
            cmocka_unit_test(test_field_validation),
            cmocka_unit_test(test_list_pagination_selectors),
            cmocka_unit_test(test_list_cached_items),
            cmocka_unit_test(test_list_resource_version),
            cmocka_unit_test(test_patch),
            cmocka_unit_test(test_status_scale),
            cmocka_unit_test(test_delete_semantics),
            cmocka_unit_test(test_events),
            cmocka_unit_test(test_watch),
            cmocka_unit_test(test_many_watches),
            cmocka_unit_test(test_kubeconfig),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
