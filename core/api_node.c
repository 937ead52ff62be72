/* The API routes that reach a node's HTTP surface over the bus
 * (node_http.h): the nodes/proxy subresource, and the HTTP side of pods/log,
 * which kube-apiserver proxies to the kubelet's /containerLogs. Responses
 * stream back with the node's window acknowledged as the client drains. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_int.h"
#include "log.h"
#include "loop.h"
#include "mem.h"
#include "node_http.h"

/* A node's error body kept for a pods/log Status message. */
#define ERR_BODY_MAX 4096
/* While the client's connection holds output, check it this often. */
#define POLL_MIN 0.002
#define POLL_MAX 0.05

struct proxy {
    struct sk_api_rq *r;
    struct sk_nh_call *call;
    struct sk_timer *poll;
    double poll_ivl;
    bool is_log;
    bool streaming; /* the HTTP head went out */
    bool hold;      /* collecting the whole body (known length, or a log error) */
    int status;
    char ctype[256];
    struct sk_buf body;
    uint64_t received;
    char *pod; /* pods/log: the pod's name for Status details */
};

static void proxy_free(struct proxy *p)
{
    sk_timer_cancel(p->poll);
    sk_buf_free(&p->body);
    free(p->pod);
    free(p);
}

static const char *reason_of(int code)
{
    switch (code) {
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 409: return "Conflict";
    case 413: return "RequestEntityTooLarge";
    case 429: return "TooManyRequests";
    case 500: return "InternalError";
    case 503: return "ServiceUnavailable";
    case 504: return "Timeout";
    default: return "";
    }
}

/* The request ends here: r is answered with a Status and freed. */
static void proxy_fail(struct proxy *p, int code, const char *message)
{
    struct sk_api_rq *r = p->r;
    p->r = NULL;
    if (code < 400 || code > 599) code = 502;
    sk_api_fail(r, code, reason_of(code), message, NULL);
}

/* The client went away: stop the node's side and release the request. */
static void proxy_close(struct sk_http_req *req, void *arg)
{
    struct proxy *p = arg;
    sk_nh_call_cancel(p->call);
    p->call = NULL;
    sk_http_req_abort(req);
    p->r->req = NULL;
    sk_api_rq_free(p->r);
    proxy_free(p);
}

/* Tell the node how much of what it sent left our connection. */
static void account(struct proxy *p, ssize_t pending)
{
    uint64_t out = pending > 0 ? (uint64_t)pending : 0;
    uint64_t consumed = out < p->received ? p->received - out : 0;
    sk_nh_call_consumed(p->call, consumed);
}

static void poll_cb(void *arg);

static void poll_arm(struct proxy *p, double after)
{
    p->poll = sk_timer_add(p->r->api->loop, after, 0, poll_cb, p);
}

static void poll_cb(void *arg)
{
    struct proxy *p = arg;
    p->poll = NULL;
    /* a zero-length write sends nothing and returns what is still queued */
    ssize_t pending = sk_http_stream_write(p->r->req, NULL, 0);
    if (pending < 0) return; /* the close callback does the rest */
    account(p, pending);
    if (pending > 0) {
        p->poll_ivl = p->poll_ivl * 2 < POLL_MAX ? p->poll_ivl * 2 : POLL_MAX;
        poll_arm(p, p->poll_ivl);
    }
}

static void on_head(void *arg, int status, const char *content_type, long long length)
{
    struct proxy *p = arg;
    p->status = status;
    /* kube-apiserver serves logs as text/plain whatever the kubelet says */
    if (p->is_log) content_type = "text/plain";
    snprintf(p->ctype, sizeof(p->ctype), "%s", content_type);
    /* kube-apiserver turns a kubelet's error for pods/log into a Status */
    bool log_error = p->is_log && (status < 200 || status > 206);
    if (log_error || length >= 0) {
        p->hold = true;
        return;
    }
    sk_err rc = sk_http_stream_begin(p->r->req, status, content_type[0] ? content_type : NULL);
    if (rc) {
        /* the client is gone (its close callback ends the request) or
         * the node sent a head HTTP cannot carry */
        if (rc != SK_ECLOSED) {
            sk_nh_call_cancel(p->call);
            p->call = NULL;
            proxy_fail(p, 502, "the node sent a response head that HTTP cannot carry");
            proxy_free(p);
        }
        return;
    }
    p->streaming = true;
}

static void on_data(void *arg, const void *d, size_t n)
{
    struct proxy *p = arg;
    p->received += n;
    if (p->hold) {
        bool log_error = p->is_log && (p->status < 200 || p->status > 206);
        if (!log_error || p->body.len < ERR_BODY_MAX) {
            size_t take = n;
            if (log_error && take > ERR_BODY_MAX - p->body.len) take = ERR_BODY_MAX - p->body.len;
            sk_buf_append(&p->body, d, take);
        }
        sk_nh_call_consumed(p->call, p->received);
        return;
    }
    if (!p->streaming) return;
    ssize_t pending = sk_http_stream_write(p->r->req, d, n);
    if (pending < 0) return; /* the close callback does the rest */
    account(p, pending);
    if (pending > 0 && !p->poll) {
        p->poll_ivl = POLL_MIN;
        poll_arm(p, p->poll_ivl);
    }
}

/* kube-apiserver's GenericHttpResponseChecker, for pods/log. */
static void log_error_status(struct proxy *p)
{
    char *text = sk_xstrndup(p->body.p ? p->body.p : "", p->body.len);
    size_t tl = strlen(text);
    while (tl && (text[tl - 1] == '\n' || text[tl - 1] == '\r'))
        text[--tl] = 0;
    struct sk_api_rq *r = p->r;
    p->r = NULL;
    if (p->status == 400) {
        sk_api_fail_badrequest(r, text);
    } else if (p->status == 500) {
        char *msg = sk_xasprintf("Internal error occurred: %s", text);
        sk_api_fail(r, 500, "InternalError", msg, NULL);
        free(msg);
    } else {
        const char *what = p->status == 404 ? "the server could not find the requested resource"
                           : p->status == 503
                                   ? "the server is currently unable to handle the request"
                                   : NULL;
        char *msg = what ? sk_xasprintf("%s ( pods/log %s)", what, p->pod)
                         : sk_xasprintf("the server responded with the status code %d but did "
                                        "not return more information ( pods/log %s)",
                                        p->status, p->pod);
        struct sk_causes c = {0};
        if (*text) sk_causes_add(&c, "", "UnexpectedServerResponse", "%s", text);
        struct sk_api_details d = {.name = p->pod, .kind = "pods/log", .causes = &c};
        int code = p->status >= 400 && p->status <= 599 ? p->status : 500;
        const char *reason = *reason_of(code) ? reason_of(code) : "InternalError";
        sk_api_fail(r, code, reason, msg, &d);
        sk_causes_free(&c);
        free(msg);
    }
    free(text);
}

static void on_end(void *arg, int code, const char *message)
{
    struct proxy *p = arg;
    p->call = NULL; /* freed by the client after this returns */
    struct sk_api_rq *r = p->r;
    if (code) {
        if (p->streaming) {
            /* the body is cut short: the client sees the connection end */
            sk_log(SK_LOG_INFO, SK_API_WHO, "proxied response cut short path=%s: %s",
                   sk_http_req_path(r->req), message);
            sk_http_req_abort(r->req);
            r->req = NULL;
            sk_api_rq_free(r);
        } else {
            proxy_fail(p, code, message);
        }
    } else if (p->streaming) {
        sk_http_stream_end(r->req);
        r->req = NULL;
        sk_api_rq_free(r);
    } else if (p->hold && p->is_log && (p->status < 200 || p->status > 206)) {
        log_error_status(p);
    } else if (p->hold) {
        sk_http_respond(r->req, p->status, p->ctype[0] ? p->ctype : NULL, NULL, p->body.p,
                        p->body.len);
        r->req = NULL;
        sk_api_rq_free(r);
    } else {
        /* stream_begin failed because the client left: its close callback
         * already ran or will; nothing to answer */
        return;
    }
    proxy_free(p);
}

static const struct sk_nh_call_ops proxy_ops = {.head = on_head, .data = on_data, .end = on_end};

/* Send the request to the node at `to` and stream its answer to r. */
static void proxy_start(struct sk_api_rq *r, const char *to, const char *path, const char *query,
                        bool is_log, const char *pod)
{
    struct sk_api *api = r->api;
    if (!api->nh) {
        sk_api_fail(r, 503, "ServiceUnavailable", "node HTTP is not available in this agent", NULL);
        return;
    }
    struct proxy *p = sk_xcalloc(1, sizeof(*p));
    p->r = r;
    p->is_log = is_log;
    p->pod = sk_xstrdup(pod ? pod : "");
    size_t blen = 0;
    const char *body = sk_http_req_body(r->req, &blen);
    struct sk_nh_request rq = {
            .method = r->method,
            .path = path,
            .query = query,
            .content_type = sk_http_req_header(r->req, "Content-Type"),
            .body = is_log ? NULL : body,
            .body_len = is_log ? 0 : blen,
    };
    struct sk_error *err = NULL;
    p->call = sk_nh_call_start(api->nh, to, &rq, &proxy_ops, p, &err);
    if (!p->call) {
        char *msg = sk_xasprintf("cannot reach the node: %s", sk_error_msg(err, SK_ENOENT));
        sk_error_free(err);
        p->r = NULL;
        sk_api_fail(r, 503, "ServiceUnavailable", msg, NULL);
        free(msg);
        proxy_free(p);
        return;
    }
    sk_http_req_on_close(r->req, proxy_close, p);
}

/* Where node `name`'s HTTP is served, or NULL after answering r (404 for
 * an unknown node, 503 for one this agent cannot reach). */
const char *sk_api_node_endpoint(struct sk_api_rq *r, const char *name)
{
    struct sk_api *api = r->api;
    if (!strcmp(name, api->node_name)) return SK_NH_ENDPOINT;
    struct sk_store_obj *o = NULL;
    sk_err rc = sk_store_get(api->store, "nodes", NULL, name, &o, NULL);
    sk_store_obj_unref(o);
    char msg[600];
    if (rc == SK_ENOENT) {
        snprintf(msg, sizeof(msg), "nodes \"%.250s\" not found", name);
        struct sk_api_details d = {.name = name, .kind = "nodes"};
        sk_api_fail(r, 404, "NotFound", msg, &d);
    } else {
        snprintf(
                msg, sizeof(msg),
                "node \"%.250s\" is not reachable from this agent (node \"%.250s\"): it has no bus "
                "connection to it",
                name, api->node_name);
        sk_api_fail(r, 503, "ServiceUnavailable", msg, NULL);
    }
    return NULL;
}

/* ---- nodes/{name}/proxy[/path] ---- */

static const char NODES_PREFIX[] = "/api/v1/nodes/";

/* Split /api/v1/nodes/NAME/proxy[/REST] into name and rest. */
static bool proxy_path(const char *path, char *name, size_t cap, const char **rest)
{
    size_t pl = sizeof(NODES_PREFIX) - 1;
    if (strncmp(path, NODES_PREFIX, pl)) return false;
    const char *n = path + pl;
    const char *slash = strchr(n, '/');
    if (!slash || slash == n || (size_t)(slash - n) >= cap) return false;
    if (strncmp(slash, "/proxy", 6) || (slash[6] && slash[6] != '/')) return false;
    memcpy(name, n, (size_t)(slash - n));
    name[slash - n] = 0;
    /* "name:port" names the kubelet port; there is one node HTTP surface */
    char *colon = strchr(name, ':');
    if (colon) *colon = 0;
    *rest = slash + 6;
    return true;
}

size_t sk_api_body_limit(const struct sk_http_req *req, void *arg)
{
    struct sk_api *api = arg;
    char name[256];
    const char *rest;
    /* only a client that may proxy gets to send that much */
    if (api->max_proxy_body && proxy_path(sk_http_req_path(req), name, sizeof(name), &rest) &&
        sk_api_authorized(api, req))
        return api->max_proxy_body;
    return 0;
}

bool sk_api_node_proxy(struct sk_api_rq *r)
{
    char name[256];
    const char *rest;
    if (!proxy_path(sk_http_req_path(r->req), name, sizeof(name), &rest)) return false;
    static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", NULL};
    bool ok = false;
    for (size_t i = 0; methods[i] && !ok; i++)
        ok = !strcmp(r->method, methods[i]);
    if (!ok) {
        sk_api_method_not_allowed(r);
        return true;
    }
    if (!*name) {
        sk_api_not_found_path(r);
        return true;
    }
    const char *to = sk_api_node_endpoint(r, name);
    if (!to) return true;
    proxy_start(r, to, *rest ? rest : "/", sk_http_req_query(r->req), false, NULL);
    return true;
}

/* ---- pods/{name}/log ---- */

struct log_opts {
    const char *container;
    bool follow, previous, timestamps;
    bool has_tail, has_limit, has_since, has_since_time;
    long long tail, limit, since;
    const char *since_time;
};

/* Go's conversion of a query value to bool: only "0" and "false" (any
 * case) are false. */
static bool go_bool(const char *v)
{
    return v && strcmp(v, "0") && strcasecmp(v, "false");
}

/* strconv.ParseInt(s, 10, 64) with its error text. */
static bool go_int(const char *s, long long *out, char *why, size_t cap)
{
    const char *p = s;
    if (*p == '+' || *p == '-') p++;
    bool digits = *p != 0;
    for (const char *q = p; *q; q++)
        if (!isdigit((unsigned char)*q)) digits = false;
    if (!digits) {
        snprintf(why, cap, "strconv.ParseInt: parsing \"%.200s\": invalid syntax", s);
        return false;
    }
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno == ERANGE) {
        snprintf(why, cap, "strconv.ParseInt: parsing \"%.200s\": value out of range", s);
        return false;
    }
    *out = v;
    return true;
}

static bool digits_at(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i])) return false;
    return true;
}

/* RFC 3339 as Go's time.RFC3339 layout reads it. */
static bool rfc3339_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 20 || !digits_at(s, 4) || s[4] != '-' || !digits_at(s + 5, 2) || s[7] != '-' ||
        !digits_at(s + 8, 2) || s[10] != 'T' || !digits_at(s + 11, 2) || s[13] != ':' ||
        !digits_at(s + 14, 2) || s[16] != ':' || !digits_at(s + 17, 2))
        return false;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p)) return false;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (!strcmp(p, "Z")) return true;
    return (p[0] == '+' || p[0] == '-') && digits_at(p + 1, 2) && p[3] == ':' &&
           digits_at(p + 4, 2) && p[6] == 0;
}

/* Decode the options as kube-apiserver's parameter codec does; a bad value
 * answers 400 and returns false. */
static bool log_parse(struct sk_api_rq *r, struct log_opts *o)
{
    struct sk_http_req *req = r->req;
    memset(o, 0, sizeof(*o));
    o->container = sk_http_req_query_param(req, "container");
    o->follow = go_bool(sk_http_req_query_param(req, "follow"));
    o->previous = go_bool(sk_http_req_query_param(req, "previous"));
    o->timestamps = go_bool(sk_http_req_query_param(req, "timestamps"));
    struct {
        const char *key;
        bool *has;
        long long *v;
    } ints[] = {
            {"tailLines", &o->has_tail, &o->tail},
            {"limitBytes", &o->has_limit, &o->limit},
            {"sinceSeconds", &o->has_since, &o->since},
    };
    char why[300];
    for (size_t i = 0; i < 3; i++) {
        const char *v = sk_http_req_query_param(req, ints[i].key);
        if (!v || !*v) continue;
        if (!go_int(v, ints[i].v, why, sizeof(why))) {
            sk_api_fail_badrequest(r, why);
            return false;
        }
        *ints[i].has = true;
    }
    const char *st = sk_http_req_query_param(req, "sinceTime");
    if (st && *st && strcmp(st, "null")) {
        if (!rfc3339_ok(st)) {
            snprintf(why, sizeof(why),
                     "parsing time \"%.100s\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
                     "\"%.100s\" as \"2006\"",
                     st, st);
            sk_api_fail_badrequest(r, why);
            return false;
        }
        o->has_since_time = true;
        o->since_time = st;
    }
    return true;
}

/* ValidatePodLogOptions: 422 PodLogOptions "NAME" is invalid. */
static bool log_validate(struct sk_api_rq *r, const struct log_opts *o)
{
    struct sk_causes c = {0};
    if (o->has_tail && o->tail < 0)
        sk_causes_add(&c, "tailLines", "FieldValueInvalid",
                      "Invalid value: %lld: must be greater than or equal to 0", o->tail);
    if (o->has_limit && o->limit < 1)
        sk_causes_add(&c, "limitBytes", "FieldValueInvalid",
                      "Invalid value: %lld: must be greater than 0", o->limit);
    if (o->has_since && o->has_since_time)
        sk_causes_add(&c, "", "FieldValueForbidden",
                      "Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified");
    else if (o->has_since && o->since < 1)
        sk_causes_add(&c, "sinceSeconds", "FieldValueInvalid",
                      "Invalid value: %lld: must be greater than 0", o->since);
    if (!c.n) return true;
    char *detail = sk_causes_string(&c);
    char *msg = sk_xasprintf("PodLogOptions \"%s\" is invalid: %s", r->name, detail);
    struct sk_api_details d = {.name = r->name, .kind = "PodLogOptions", .causes = &c};
    sk_api_fail(r, 422, "Invalid", msg, &d);
    free(msg);
    free(detail);
    sk_causes_free(&c);
    return false;
}

/* Container names in the order kube-apiserver lists them: init,
 * regular, ephemeral. */
static size_t container_names(const struct sk_val *pod, const char **names, size_t cap,
                              size_t *regular)
{
    static const char *const lists[] = {"initContainers", "containers", "ephemeralContainers"};
    size_t n = 0;
    *regular = 0;
    for (size_t l = 0; l < 3; l++) {
        const struct sk_val *a = sk_val_at(pod, "spec", lists[l], NULL);
        for (size_t i = 0; i < sk_arr_len(a) && n < cap; i++) {
            const char *name = sk_val_str_at(sk_arr_get(a, i), "name", NULL);
            if (!name) continue;
            names[n++] = name;
            if (l == 1) (*regular)++;
        }
    }
    return n;
}

static void pct_append(struct sk_buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~')
            sk_buf_putc(b, (char)ch);
        else
            sk_buf_printf(b, "%%%02X", ch);
    }
}

const char *sk_api_pod_container(const struct sk_val *pod, const char *pod_name,
                                 const char *requested, char *msg, size_t cap)
{
    const char *names[256];
    size_t regular;
    size_t n = container_names(pod, names, 256, &regular);
    const char *container = requested && *requested ? requested : NULL;
    if (!container) {
        if (regular == 1)
            return sk_val_str_at(sk_arr_get(sk_val_at(pod, "spec", "containers", NULL), 0), "name",
                                 NULL);
        if (regular == 0) {
            snprintf(msg, cap, "a container name must be specified for pod %s", pod_name);
            return NULL;
        }
        int len = snprintf(msg, cap,
                           "a container name must be specified for pod %s, choose one of: [",
                           pod_name);
        for (size_t i = 0; i < n && len > 0 && (size_t)len < cap; i++)
            len += snprintf(msg + len, cap - (size_t)len, "%s%s", i ? " " : "", names[i]);
        if (len > 0 && (size_t)len < cap - 1) snprintf(msg + len, 2, "]");
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (!strcmp(names[i], container)) return container;
    snprintf(msg, cap, "container %.200s is not valid for pod %s", container, pod_name);
    return NULL;
}

void sk_api_pod_log(struct sk_api_rq *r)
{
    struct log_opts o;
    if (!log_parse(r, &o) || !log_validate(r, &o)) return;
    struct sk_store_obj *obj = NULL;
    struct sk_error *e = NULL;
    sk_err rc = sk_store_get(r->api->store, "pods", r->ns, r->name, &obj, &e);
    if (rc) {
        sk_api_fail_err(r, rc, sk_error_msg(e, rc), r->name);
        sk_error_free(e);
        return;
    }
    const struct sk_val *pod = sk_store_obj_val(obj);
    char msg[2048];
    const char *container = sk_api_pod_container(pod, r->name, o.container, msg, sizeof(msg));
    if (!container) {
        sk_store_obj_unref(obj);
        sk_api_fail_badrequest(r, msg);
        return;
    }
    const char *node = sk_val_str_at(pod, "spec", "nodeName", NULL);
    if (!node || !*node) {
        /* kube-apiserver: a pod not yet on a node has an empty log */
        sk_store_obj_unref(obj);
        sk_http_respond(r->req, 200, "text/plain", NULL, NULL, 0);
        r->req = NULL;
        sk_api_rq_free(r);
        return;
    }
    struct sk_buf path = {0}, query = {0};
    /* the node sees a decoded path, as an HTTP server would hand it over;
     * namespace, pod and container names are DNS labels */
    sk_buf_printf(&path, "/containerLogs/%s/%s/%s", r->ns, r->name, container);
    sk_buf_putc(&path, 0);
    if (o.follow) sk_buf_puts(&query, "&follow=true");
    if (o.previous) sk_buf_puts(&query, "&previous=true");
    if (o.timestamps) sk_buf_puts(&query, "&timestamps=true");
    if (o.has_tail) sk_buf_printf(&query, "&tailLines=%lld", o.tail);
    if (o.has_limit) sk_buf_printf(&query, "&limitBytes=%lld", o.limit);
    if (o.has_since) sk_buf_printf(&query, "&sinceSeconds=%lld", o.since);
    if (o.has_since_time) {
        sk_buf_puts(&query, "&sinceTime=");
        pct_append(&query, o.since_time);
    }
    sk_buf_putc(&query, 0);
    char *node_name = sk_xstrdup(node);
    sk_store_obj_unref(obj);
    const char *to = sk_api_node_endpoint(r, node_name);
    if (to) proxy_start(r, to, path.p, query.p[0] ? query.p + 1 : "", true, r->name);
    free(node_name);
    sk_buf_free(&path);
    sk_buf_free(&query);
}
