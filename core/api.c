/* The API server: the HTTPS listener, bearer-token authentication, the
 * unauthenticated health and version endpoints, and the router that turns
 * a Kubernetes request path and method into a verb on a kind. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <mbedtls/platform_util.h>

#include "api_int.h"
#include "work.h"
#include "discovery.h"
#include "log.h"
#include "loop.h"
#include "mem.h"
#include "node_http.h"
#include "openapi.h"
#include "table.h"
#include "tls.h"
#include "version.h"

/* ---- lifetime ---- */

void sk_api_ref(struct sk_api *api)
{
    api->refs++;
}

void sk_api_unref(struct sk_api *api)
{
    if (--api->refs > 0) return;
    sk_api_enc_clear(api);
    sk_api_jcache_free(&api->jc);
    sk_buf_free(&api->scratch);
    sk_discovery_free(api->disc);
    sk_openapi_free(api->oapi);
    if (api->token) mbedtls_platform_zeroize(api->token, api->token_len);
    free(api->token);
    free(api->node_name);
    free(api);
}

void sk_api_rq_free(struct sk_api_rq *r)
{
    if (!r) return;
    free(r->ns);
    free(r->name);
    free(r->sub);
    sk_val_free(r->body);
    sk_val_free(r->obj);
    sk_val_free(r->scale);
    sk_labelsel_free(r->lsel);
    sk_fieldsel_free(r->fsel);
    struct sk_api *api = r->api;
    free(r);
    sk_api_unref(api);
}

void sk_api_qualified_kind(const struct sk_kind *k, char *buf, size_t cap)
{
    if (k->group[0])
        snprintf(buf, cap, "%s.%s", k->kind, k->group);
    else
        snprintf(buf, cap, "%s", k->kind);
}

static void on_rq_close(struct sk_http_req *req, void *arg)
{
    (void)req;
    struct sk_api_rq *r = arg;
    /* The owner of the request (a store write or a worker job) ends it
     * when it completes; the response then goes nowhere. */
    r->gone = true;
}

/* ---- unauthenticated endpoints ---- */

static const char *platform(void)
{
#if defined(__x86_64__)
    return "linux/amd64";
#elif defined(__aarch64__)
    return "linux/arm64";
#elif defined(__arm__)
    return "linux/arm";
#elif defined(__riscv)
    return "linux/riscv64";
#else
    return "linux/unknown";
#endif
}

/* __DATE__ ("Jan  2 2025") and __TIME__ as RFC 3339, like Go's build date. */
static void build_date(char *out, size_t cap)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    const char *d = __DATE__;
    char mon[4] = {d[0], d[1], d[2], 0};
    const char *m = strstr(months, mon);
    int mi = m ? (int)(m - months) / 3 + 1 : 1;
    snprintf(out, cap, "%.4s-%02d-%02dT%sZ", d + 7, mi, atoi(d + 4), __TIME__);
}

static void serve_version(struct sk_api_rq *r)
{
    char date[32];
    build_date(date, sizeof(date));
    struct sk_val *v = sk_val_map();
    sk_map_set(v, "major", sk_val_str(SK_KUBE_MAJOR));
    sk_map_set(v, "minor", sk_val_str(SK_KUBE_MINOR));
    sk_map_set(v, "gitVersion", sk_val_strf("%s+skiff.%s", SK_KUBE_VERSION, sk_version()));
    sk_map_set(v, "gitCommit", sk_val_str(""));
    sk_map_set(v, "gitTreeState", sk_val_str(""));
    sk_map_set(v, "buildDate", sk_val_str(date));
    sk_map_set(v, "goVersion", sk_val_str(""));
    sk_map_set(v, "compiler", sk_val_str("gcc"));
    sk_map_set(v, "platform", sk_val_str(platform()));
    r->out = SK_API_OUT_JSON;
    r->pretty = true; /* kube-apiserver indents /version */
    /* the CLI learns which node it talks to */
    if (r->api->node_name[0]) sk_http_req_add_header(r->req, "Skiff-Node", r->api->node_name);
    sk_api_respond_val(r, 200, v);
    sk_val_free(v);
}

static void serve_health(struct sk_api_rq *r, const char *which)
{
    struct sk_http_req *req = r->req;
    if (!sk_http_req_query_param(req, "verbose")) {
        sk_http_respond(req, 200, "text/plain; charset=utf-8",
                        "X-Content-Type-Options: nosniff\r\n", "ok", 2);
    } else {
        char body[256];
        int n = snprintf(body, sizeof(body),
                         "[+]ping ok\n[+]log ok\n[+]store ok\n%s check passed\n", which);
        sk_http_respond(req, 200, "text/plain; charset=utf-8",
                        "X-Content-Type-Options: nosniff\r\n", body, (size_t)n);
    }
    r->req = NULL;
    sk_api_rq_free(r);
}

/* ---- request options ---- */

static bool param_true(const char *v)
{
    /* Go's strconv.ParseBool */
    return v && (!strcmp(v, "1") || !strcmp(v, "t") || !strcmp(v, "T") || !strcmp(v, "true") ||
                 !strcmp(v, "TRUE") || !strcmp(v, "True"));
}

/* One media range of an Accept header: can we answer it, and how? */
static int accept_one(const char *s, size_t n, bool *ok)
{
    char buf[256];
    if (n >= sizeof(buf)) n = sizeof(buf) - 1;
    memcpy(buf, s, n);
    buf[n] = 0;
    char *save = NULL;
    char *type = strtok_r(buf, ";", &save);
    *ok = false;
    if (!type) return 0;
    while (*type == ' ')
        type++;
    size_t tl = strlen(type);
    while (tl && type[tl - 1] == ' ')
        type[--tl] = 0;
    const char *as = NULL, *g = NULL, *v = NULL;
    for (char *p = strtok_r(NULL, ";", &save); p; p = strtok_r(NULL, ";", &save)) {
        while (*p == ' ')
            p++;
        size_t pl = strlen(p);
        while (pl && p[pl - 1] == ' ')
            p[--pl] = 0;
        if (!strncmp(p, "as=", 3)) as = p + 3;
        if (!strncmp(p, "g=", 2)) g = p + 2;
        if (!strncmp(p, "v=", 2)) v = p + 2;
    }
    bool json = !strcasecmp(type, "application/json") || !strcasecmp(type, "application/*") ||
                !strcmp(type, "*/*");
    bool yaml = !strcasecmp(type, "application/yaml");
    if (as) {
        /* Tables yes; other conversions (PartialObjectMetadata) are not
         * served, and the client's next choice is tried */
        if (json && !strcmp(as, "Table") && g && !strcmp(g, "meta.k8s.io") && v &&
            (!strcmp(v, "v1") || !strcmp(v, "v1beta1"))) {
            *ok = true;
            return SK_API_OUT_TABLE;
        }
        return 0;
    }
    if (json) {
        *ok = true;
        return SK_API_OUT_JSON;
    }
    if (yaml) {
        *ok = true;
        return SK_API_OUT_YAML;
    }
    return 0;
}

/* Accept negotiation; false when nothing in the header can be served. */
static bool negotiate(struct sk_api_rq *r)
{
    const char *acc = sk_http_req_header(r->req, "Accept");
    r->out = SK_API_OUT_JSON;
    if (!acc || !*acc) return true;
    const char *p = acc;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        bool ok;
        int form = accept_one(p, n, &ok);
        if (ok) {
            r->out = form;
            return true;
        }
        if (!e) break;
        p = e + 1;
    }
    return false;
}

static bool parse_options(struct sk_api_rq *r)
{
    struct sk_http_req *req = r->req;
    r->pretty = param_true(sk_http_req_query_param(req, "pretty"));
    r->fv = SK_API_FV_WARN;
    for (size_t i = 0, n = sk_http_req_query_count(req); i < n; i++) {
        const char *k, *v;
        sk_http_req_query_at(req, i, &k, &v);
        if (!strcmp(k, "dryRun")) {
            if (strcmp(v, "All") != 0) {
                char msg[300];
                snprintf(msg, sizeof(msg),
                         "dryRun: Unsupported value: \"%.200s\": supported values: \"All\"", v);
                sk_api_fail_badrequest(r, msg);
                return false;
            }
            r->dry_run = true;
        } else if (!strcmp(k, "fieldValidation")) {
            if (!strcmp(v, "Ignore"))
                r->fv = SK_API_FV_IGNORE;
            else if (!strcmp(v, "Warn") || !*v)
                r->fv = SK_API_FV_WARN;
            else if (!strcmp(v, "Strict"))
                r->fv = SK_API_FV_STRICT;
            else {
                char msg[300];
                snprintf(msg, sizeof(msg),
                         "fieldValidation: Unsupported value: \"%.200s\": supported values: "
                         "\"Ignore\", \"Strict\", \"Warn\"",
                         v);
                sk_api_fail_badrequest(r, msg);
                return false;
            }
        }
    }
    return true;
}

/* ---- routing ---- */

#define MAX_SEGS 12

static size_t split_path(char *p, char **seg)
{
    size_t n = 0;
    while (*p == '/')
        p++;
    while (*p && n < MAX_SEGS) {
        seg[n++] = p;
        char *e = strchr(p, '/');
        if (!e) break;
        *e = 0;
        p = e + 1;
    }
    /* a trailing slash leaves no empty segment behind */
    if (n && !*seg[n - 1]) n--;
    return n;
}

static void not_available(struct sk_api_rq *r, const char *what)
{
    struct sk_store_obj *o = NULL;
    struct sk_error *e = NULL;
    sk_err rc = sk_store_get(r->api->store, r->res, r->ns, r->name, &o, &e);
    if (rc) {
        sk_api_fail_err(r, rc, sk_error_msg(e, rc), r->name);
    } else {
        char msg[600];
        snprintf(msg, sizeof(msg),
                 "%s for pods \"%s\" is not available: skiff does not serve %s yet (exec is "
                 "served)",
                 what, r->name, what);
        sk_api_fail(r, 503, "ServiceUnavailable", msg, NULL);
    }
    sk_error_free(e);
    sk_store_obj_unref(o);
}

static void dispatch_subresource(struct sk_api_rq *r)
{
    const char *m = r->method;
    const struct sk_kind *k = r->kind;
    bool get = !strcmp(m, "GET") || !strcmp(m, "HEAD");
    if (!strcmp(r->sub, "status") && k->has_status) {
        if (get)
            sk_api_get(r);
        else if (!strcmp(m, "PUT"))
            sk_api_update(r);
        else if (!strcmp(m, "PATCH"))
            sk_api_patch(r);
        else
            sk_api_method_not_allowed(r);
        return;
    }
    if (!strcmp(r->sub, "scale") && k->has_scale) {
        if (get)
            sk_api_get(r);
        else if (!strcmp(m, "PUT"))
            sk_api_update(r);
        else if (!strcmp(m, "PATCH"))
            sk_api_patch(r);
        else
            sk_api_method_not_allowed(r);
        return;
    }
    if (!strcmp(r->sub, "finalize") && !strcmp(k->plural, "namespaces") && !k->group[0]) {
        if (strcmp(m, "PUT") != 0) return sk_api_method_not_allowed(r);
        return sk_api_namespace_finalize(r);
    }
    if (!strcmp(k->plural, "pods") && !k->group[0]) {
        if (!strcmp(r->sub, "log")) {
            if (!get) return sk_api_method_not_allowed(r);
            return sk_api_pod_log(r);
        }
        if (!strcmp(r->sub, "exec") || !strcmp(r->sub, "attach") ||
            !strcmp(r->sub, "portforward")) {
            if (!get && strcmp(m, "POST") != 0) return sk_api_method_not_allowed(r);
            if (!strcmp(r->sub, "exec")) return sk_api_pod_stream(r);
            return not_available(r, r->sub);
        }
    }
    sk_api_not_found_path(r);
}

static void dispatch_resource(struct sk_api_rq *r)
{
    const char *m = r->method;
    bool get = !strcmp(m, "GET") || !strcmp(m, "HEAD");
    if (!negotiate(r)) {
        sk_api_fail(r, 406, "NotAcceptable",
                    "only the following media types are accepted: application/json, "
                    "application/yaml",
                    NULL);
        return;
    }
    if (!parse_options(r)) return;
    if (r->out == SK_API_OUT_TABLE) {
        int inc = sk_table_include_parse(sk_http_req_query_param(r->req, "includeObject"));
        if (inc < 0) {
            sk_api_fail_badrequest(r, "includeObject: Unsupported value: supported values: "
                                      "\"None\", \"Metadata\", \"Object\"");
            return;
        }
        r->include = inc;
        /* only reads are printed as tables */
        if (!get || (r->sub && strcmp(r->sub, "status") != 0)) r->out = SK_API_OUT_JSON;
    }
    if (r->sub) return dispatch_subresource(r);
    if (!r->name) {
        if (get) {
            if (param_true(sk_http_req_query_param(r->req, "watch")))
                sk_api_watch(r);
            else
                sk_api_list(r);
        } else if (!strcmp(m, "POST")) {
            sk_api_create(r);
        } else if (!strcmp(m, "DELETE")) {
            sk_api_delete_collection(r);
        } else {
            sk_api_method_not_allowed(r);
        }
        return;
    }
    if (get) {
        if (param_true(sk_http_req_query_param(r->req, "watch")))
            sk_api_watch(r);
        else
            sk_api_get(r);
    } else if (!strcmp(m, "PUT")) {
        sk_api_update(r);
    } else if (!strcmp(m, "PATCH")) {
        sk_api_patch(r);
    } else if (!strcmp(m, "DELETE")) {
        sk_api_delete(r);
    } else {
        sk_api_method_not_allowed(r);
    }
}

/* /api/v1/..., /apis/GROUP/VERSION/...: the resource part, as
 * kube-apiserver's RequestInfoFactory splits it. */
static void route_resource(struct sk_api_rq *r, const char *group, const char *version, char **seg,
                           size_t n)
{
    const char *ns = NULL, *resource, *name = NULL, *sub = NULL;
    if (!strcmp(seg[0], "namespaces") && n >= 2 &&
        !(n == 3 && (!strcmp(seg[2], "status") || !strcmp(seg[2], "finalize")))) {
        if (n == 2) {
            resource = "namespaces";
            name = seg[1];
        } else {
            ns = seg[1];
            resource = seg[2];
            if (n > 3) name = seg[3];
            if (n > 4) sub = seg[4];
            if (n > 5) return sk_api_not_found_path(r);
        }
    } else {
        resource = seg[0];
        if (n > 1) name = seg[1];
        if (n > 2) sub = seg[2];
        if (n > 3) return sk_api_not_found_path(r);
    }
    const struct sk_kind *k = sk_kind_by_resource(group, version, resource);
    if (!k) return sk_api_not_found_path(r);
    /* a namespaced kind is only addressed by name inside its namespace;
     * a cluster-scoped one never inside a namespace */
    if (k->namespaced && name && !ns) return sk_api_not_found_path(r);
    if (!k->namespaced && ns) return sk_api_not_found_path(r);
    if ((name && !*name) || (ns && !*ns)) return sk_api_not_found_path(r);
    r->kind = k;
    if (k->group[0])
        snprintf(r->res, sizeof(r->res), "%s/%s", k->group, k->plural);
    else
        snprintf(r->res, sizeof(r->res), "%s", k->plural);
    r->ns = ns ? sk_xstrdup(ns) : NULL;
    r->name = name ? sk_xstrdup(name) : NULL;
    r->sub = sub ? sk_xstrdup(sub) : NULL;
    dispatch_resource(r);
}

static void serve_discovery(struct sk_api_rq *r)
{
    struct sk_http_req *req = r->req;
    bool get = !strcmp(r->method, "GET") || !strcmp(r->method, "HEAD");
    struct sk_disc_body d;
    if (!sk_discovery_lookup(r->api->disc, sk_http_req_path(req), sk_http_req_header(req, "Accept"),
                             &d))
        return sk_api_not_found_path(r);
    if (!get) return sk_api_method_not_allowed(r);
    char hdr[256];
    snprintf(hdr, sizeof(hdr), "ETag: %s\r\nVary: Accept\r\n", d.etag);
    const char *inm = sk_http_req_header(req, "If-None-Match");
    if (inm && !strcmp(inm, d.etag))
        sk_http_respond(req, 304, NULL, hdr, NULL, 0);
    else
        sk_http_respond(req, 200, d.content_type, hdr, d.body, d.len);
    sk_api_rq_free(r);
}

static void serve_openapi_built(struct sk_api_rq *r)
{
    struct sk_http_req *req = r->req;
    bool get = !strcmp(r->method, "GET") || !strcmp(r->method, "HEAD");
    struct sk_openapi_body o;
    if (!sk_openapi_lookup(r->api->oapi, sk_http_req_path(req), sk_http_req_query(req),
                           sk_http_req_header(req, "Accept"), &o))
        return sk_api_not_found_path(r);
    if (!get) return sk_api_method_not_allowed(r);
    if (o.status != 200) {
        sk_api_fail(r, 406, "NotAcceptable",
                    "only the following media types are accepted: application/json", NULL);
        return;
    }
    char hdr[512];
    snprintf(hdr, sizeof(hdr), "ETag: %s\r\nCache-Control: %s\r\nVary: Accept\r\n", o.etag,
             o.cache_control ? o.cache_control : "no-cache, private");
    const char *inm = sk_http_req_header(req, "If-None-Match");
    if (inm && !strcmp(inm, o.etag))
        sk_http_respond(req, 304, NULL, hdr, NULL, 0);
    else
        sk_http_respond(req, 200, o.content_type, hdr, o.body, o.len);
    sk_api_rq_free(r);
}

/* The documents are built on first use: several MiB that an edge node
 * serving no `kubectl explain` or client-side apply never needs to hold.
 * Building takes ~25 ms, so it runs on the worker pool, not the loop. */
struct openapi_job {
    struct sk_api_rq *r;
    struct sk_openapi *built;
};

static void openapi_work(void *arg)
{
    struct openapi_job *j = arg;
    j->built = sk_openapi_new(); /* a pure function of the schema table */
}

static void openapi_done(void *arg)
{
    struct openapi_job *j = arg;
    struct sk_api *api = j->r->api;
    if (!api->oapi)
        api->oapi = j->built;
    else
        sk_openapi_free(j->built); /* two first requests raced: keep one */
    serve_openapi_built(j->r);
    free(j);
}

static void serve_openapi(struct sk_api_rq *r)
{
    if (r->api->oapi) return serve_openapi_built(r);
    struct openapi_job *j = sk_xcalloc(1, sizeof(*j));
    j->r = r;
    if (!r->api->pool || sk_work_submit(r->api->pool, openapi_work, openapi_done, j) != 0) {
        openapi_work(j);
        openapi_done(j);
    }
}

bool sk_api_authorized(const struct sk_api *api, const struct sk_http_req *req)
{
    if (!api->token) return true;
    const char *h = sk_http_req_header(req, "Authorization");
    if (!h) return false;
    if (strncasecmp(h, "Bearer ", 7) != 0) return false;
    h += 7;
    while (*h == ' ')
        h++;
    size_t n = strlen(h);
    while (n && h[n - 1] == ' ')
        n--;
    if (!n) return false;
    return sk_tls_token_equal(h, n, api->token, api->token_len);
}

static void handle(struct sk_http_req *req, void *arg)
{
    struct sk_api *api = arg;
    api->st.requests++;
    struct sk_api_rq *r = sk_xcalloc(1, sizeof(*r));
    r->api = api;
    sk_api_ref(api);
    r->req = req;
    r->method = sk_http_req_method(req);
    sk_http_req_on_close(req, on_rq_close, r);

    char *path = sk_xstrdup(sk_http_req_path(req));
    char *seg[MAX_SEGS];
    size_t n = split_path(path, seg);
    bool get = !strcmp(r->method, "GET") || !strcmp(r->method, "HEAD");
    if (n >= 1 &&
        (!strcmp(seg[0], "healthz") || !strcmp(seg[0], "livez") || !strcmp(seg[0], "readyz"))) {
        if (!get)
            sk_api_method_not_allowed(r);
        else
            serve_health(r, seg[0]);
        goto out;
    }
    if (n == 1 && !strcmp(seg[0], "version")) {
        if (!get)
            sk_api_method_not_allowed(r);
        else
            serve_version(r);
        goto out;
    }
    if (!sk_api_authorized(api, req)) {
        sk_api_fail(r, 401, "Unauthorized", "Unauthorized", NULL);
        goto out;
    }
    if (sk_api_node_proxy(r)) goto out;
    if ((n >= 1 && n <= 2 && !strcmp(seg[0], "api")) ||
        (n >= 1 && n <= 3 && !strcmp(seg[0], "apis"))) {
        serve_discovery(r);
        goto out;
    }
    if (n >= 1 && !strcmp(seg[0], "openapi")) {
        serve_openapi(r);
        goto out;
    }
    if (n >= 2 && !strcmp(seg[0], "api") && !strcmp(seg[1], "v1") && n >= 3) {
        route_resource(r, "", "v1", seg + 2, n - 2);
        goto out;
    }
    if (n >= 4 && !strcmp(seg[0], "apis")) {
        route_resource(r, seg[1], seg[2], seg + 3, n - 3);
        goto out;
    }
    sk_api_not_found_path(r);
out:
    free(path);
}

/* ---- public ---- */

struct sk_api *sk_api_new(const struct sk_api_opts *o, struct sk_error **err)
{
    if (!o || !o->loop || !o->store) {
        sk_fail(err, SK_EINVAL, "api: loop and store are required");
        return NULL;
    }
    struct sk_api *api = sk_xcalloc(1, sizeof(*api));
    api->loop = o->loop;
    api->pool = o->pool;
    api->store = o->store;
    api->refs = 1;
    sk_api_jcache_init(&api->jc);
    if (o->token && *o->token) {
        api->token = sk_xstrdup(o->token);
        api->token_len = strlen(o->token);
    }
    api->node_name = sk_xstrdup(o->node_name ? o->node_name : "");
    api->bookmark_interval = o->bookmark_interval > 0 ? o->bookmark_interval : 60.0;
    struct sk_http_limits lim;
    sk_http_limits_default(&lim);
    if (o->max_body_bytes) lim.max_body_bytes = o->max_body_bytes;
    /* a watch is a long-lived request; its stream carries its own deadline */
    api->srv = sk_http_server_new(o->loop, o->listen ? o->listen : "127.0.0.1:6443", o->tls, handle,
                                  api, &lim, err);
    if (!api->srv) {
        sk_error_prefix(err, "api");
        sk_api_unref(api);
        return NULL;
    }
    sk_http_server_set_error_fn(api->srv, sk_api_http_error, api);
    api->max_proxy_body = o->max_proxy_body ? o->max_proxy_body : (size_t)64 << 20;
    sk_http_server_set_body_limit_fn(api->srv, sk_api_body_limit, api);
    if (o->bus) {
        api->nh = sk_nh_client_new(o->loop, o->bus, "core.api", err);
        if (!api->nh) {
            sk_error_prefix(err, "api");
            sk_http_server_free(api->srv);
            api->srv = NULL;
            sk_api_unref(api);
            return NULL;
        }
    }
    /* discovery names the address clients reach us at */
    char addr[300];
    const char *l = o->listen ? o->listen : "127.0.0.1:6443";
    const char *colon = strrchr(l, ':');
    int hl = colon ? (int)(colon - l) : (int)strlen(l);
    snprintf(addr, sizeof(addr), "%.*s:%d", hl, l, sk_http_server_port(api->srv));
    if (!strncmp(addr, "0.0.0.0:", 8) || !strncmp(addr, "[::]:", 5))
        snprintf(addr, sizeof(addr), "127.0.0.1:%d", sk_http_server_port(api->srv));
    api->disc = sk_discovery_new(addr);
    sk_log(SK_LOG_INFO, SK_API_WHO, "listening addr=%s port=%d tls=%s auth=%s",
           o->listen ? o->listen : "127.0.0.1:6443", sk_http_server_port(api->srv),
           o->tls ? "yes" : "no", api->token ? "token" : "none");
    return api;
}

void sk_api_free(struct sk_api *api)
{
    if (!api) return;
    api->closing = true;
    sk_api_watch_close_all(api);
    sk_http_server_free(api->srv);
    api->srv = NULL;
    /* proxied requests ended with their connections above */
    sk_nh_client_free(api->nh);
    api->nh = NULL;
    sk_api_unref(api);
}

int sk_api_port(const struct sk_api *api)
{
    return api && api->srv ? sk_http_server_port(api->srv) : 0;
}

void sk_api_set_tls(struct sk_api *api, struct sk_tls_server *tls)
{
    if (api->srv) sk_http_server_set_tls(api->srv, tls);
}

void sk_api_get_stats(const struct sk_api *api, struct sk_api_stats *out)
{
    *out = api->st;
}

/* ---- bootstrap ---- */

static void ns_done(const struct sk_store_result *res, void *arg)
{
    char *name = arg;
    if (res->code == SK_OK)
        sk_log(SK_LOG_INFO, SK_API_WHO, "created namespace=%s", name);
    else if (res->code != SK_EEXIST)
        sk_log(SK_LOG_WARN, SK_API_WHO, "cannot create namespace=%s: %s", name,
               sk_error_msg(res->err, res->code));
    free(name);
}

void sk_api_ensure_namespaces(struct sk_store *store)
{
    static const char *const names[] = {"default", "kube-system", "kube-public", "kube-node-lease",
                                        NULL};
    const struct sk_kind *k = sk_kind_by_resource("", "v1", "namespaces");
    for (size_t i = 0; names[i]; i++) {
        struct sk_store_obj *o = NULL;
        if (sk_store_get(store, "namespaces", NULL, names[i], &o, NULL) == SK_OK) {
            sk_store_obj_unref(o);
            continue;
        }
        struct sk_val *obj = sk_val_map();
        sk_map_set(obj, "apiVersion", sk_val_str("v1"));
        sk_map_set(obj, "kind", sk_val_str("Namespace"));
        sk_val_set_at(obj, sk_val_str(names[i]), "metadata", "name", NULL);
        if (k) {
            sk_kind_default(k, obj);
            sk_kind_prepare_create(k, obj);
        }
        struct sk_store_cmd c = {
                .op = SK_STORE_CREATE, .resource = "namespaces", .name = names[i], .obj = obj};
        struct sk_error *e = NULL;
        char *arg = sk_xstrdup(names[i]);
        if (sk_store_submit(store, &c, ns_done, arg, &e)) {
            sk_log(SK_LOG_WARN, SK_API_WHO, "cannot create namespace=%s: %s", names[i],
                   sk_error_msg(e, SK_EINVAL));
            free(arg);
        }
        sk_error_free(e);
        sk_val_free(obj);
    }
}
