/* Node HTTP over an in-process bus: a requester (sk_nh_client) and the node
 * side (sk_node_http) with handlers registered as plugins register them.
 * Responses whole and streamed, request bodies over several messages, the
 * flow-control window, drain and gone callbacks, cancel, a plugin stopping
 * and the agent stopping with streams open, the decoder's refusals, and the
 * host table a plugin of each ABI minor receives. Every wait has a
 * deadline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "loop.h"
#include "node_http.h"
#include "plugin.h"

static struct sk_loop *L;
static struct sk_bus *B;
static struct sk_node_http *NH;
static struct sk_nh_client *C;
static bool timed_out;
static int owner_a, owner_b; /* stand-ins for plugin contexts */

static void on_deadline(void *arg)
{
    (void)arg;
    timed_out = true;
}

/* Run the loop until *flag is true, or fail after secs. */
static void run_until(const bool *flag, double secs)
{
    timed_out = false;
    struct sk_timer *t = sk_timer_add(L, secs, 0, on_deadline, NULL);
    while (!*flag && !timed_out)
        sk_loop_run_once(L, true);
    if (!timed_out) sk_timer_cancel(t);
    if (timed_out) fail_msg("timed out");
}

static void run_for(double secs)
{
    timed_out = false;
    sk_timer_add(L, secs, 0, on_deadline, NULL);
    while (!timed_out)
        sk_loop_run_once(L, true);
}

static int setup(void **state)
{
    (void)state;
    struct sk_error *err = NULL;
    L = sk_loop_new();
    B = sk_bus_new(L, "nhtest", &err);
    assert_non_null(B);
    NH = sk_node_http_new(L, B, 4u << 20, &err);
    assert_non_null(NH);
    C = sk_nh_client_new(L, B, "core.api", &err);
    assert_non_null(C);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sk_nh_client_free(C);
    sk_node_http_free(NH);
    sk_bus_free(B);
    sk_loop_free(L);
    C = NULL;
    NH = NULL;
    return 0;
}

/* ---- the requester's view ---- */

struct result {
    bool headed, ended;
    int status, code;
    long long length;
    char ctype[256];
    char message[512];
    char *data;
    size_t len;
    bool consume; /* acknowledge everything as it arrives */
    struct sk_nh_call *call;
};

static void r_head(void *arg, int status, const char *ct, long long length)
{
    struct result *r = arg;
    r->headed = true;
    r->status = status;
    r->length = length;
    snprintf(r->ctype, sizeof(r->ctype), "%s", ct);
}

static void r_data(void *arg, const void *p, size_t n)
{
    struct result *r = arg;
    r->data = realloc(r->data, r->len + n + 1);
    memcpy(r->data + r->len, p, n);
    r->len += n;
    r->data[r->len] = 0;
    if (r->consume) sk_nh_call_consumed(r->call, r->len);
}

static void r_end(void *arg, int code, const char *msg)
{
    struct result *r = arg;
    r->ended = true;
    r->code = code;
    r->call = NULL;
    snprintf(r->message, sizeof(r->message), "%s", msg);
}

static const struct sk_nh_call_ops r_ops = {.head = r_head, .data = r_data, .end = r_end};

static void start(struct result *r, const char *method, const char *path, const char *query,
                  const void *body, size_t blen, size_t window)
{
    struct sk_nh_request rq = {.method = method,
                               .path = path,
                               .query = query,
                               .content_type = body ? "application/octet-stream" : NULL,
                               .body = body,
                               .body_len = blen,
                               .window = window};
    struct sk_error *err = NULL;
    r->call = sk_nh_call_start(C, SK_NH_ENDPOINT, &rq, &r_ops, r, &err);
    if (!r->call) fail_msg("call: %s", sk_error_msg(err, SK_EINVAL));
}

/* ---- handlers ---- */

struct seen_req {
    int n;
    char method[16], path[256], query[256], ctype[64];
    char *body;
    size_t blen;
    struct skiff_http_stream *held;
};

static void h_hello(void *arg, const struct skiff_http_req *req, struct skiff_http_stream *s)
{
    struct seen_req *sr = arg;
    sr->n++;
    snprintf(sr->method, sizeof(sr->method), "%s", req->method);
    snprintf(sr->path, sizeof(sr->path), "%s", req->path);
    snprintf(sr->query, sizeof(sr->query), "%s", req->query);
    snprintf(sr->ctype, sizeof(sr->ctype), "%s", req->content_type);
    free(sr->body);
    sr->body = malloc(req->body_len + 1);
    memcpy(sr->body, req->body, req->body_len);
    sr->blen = req->body_len;
    assert_int_equal(sk_nh_write(s, "x", 1), -1); /* no head yet */
    assert_int_equal(sk_nh_head(s, 201, "text/x-test"), 0);
    assert_int_equal(sk_nh_head(s, 200, NULL), -1); /* once */
    assert_int_equal(sk_nh_write(s, "hello", 5), 0);
    sk_nh_end(s);
}

static void h_hold(void *arg, const struct skiff_http_req *req, struct skiff_http_stream *s)
{
    (void)req;
    struct seen_req *sr = arg;
    sr->n++;
    sr->held = s;
    sk_nh_head(s, 200, NULL);
}

static void test_whole_response(void **state)
{
    (void)state;
    struct seen_req sr = {0};
    assert_int_equal(sk_node_http_serve(NH, &owner_a, "a", "hello", h_hello, &sr), SKIFF_OK);
    struct result r = {.consume = true};
    start(&r, "POST", "/hello/there", "a=1&b", "body!", 5, 0);
    run_until(&r.ended, 5);
    assert_int_equal(sr.n, 1);
    assert_string_equal(sr.method, "POST");
    assert_string_equal(sr.path, "/hello/there");
    assert_string_equal(sr.query, "a=1&b");
    assert_string_equal(sr.ctype, "application/octet-stream");
    assert_int_equal(sr.blen, 5);
    assert_memory_equal(sr.body, "body!", 5);
    assert_int_equal(r.status, 201);
    assert_string_equal(r.ctype, "text/x-test");
    assert_int_equal(r.length, 5); /* the whole body was known: a length */
    assert_int_equal(r.code, 0);
    assert_int_equal(r.len, 5);
    assert_memory_equal(r.data, "hello", 5);
    assert_int_equal(sk_node_http_streams(NH), 0);
    assert_int_equal(sk_nh_client_calls(C), 0);
    free(sr.body);
    free(r.data);
}

static void test_no_handler(void **state)
{
    (void)state;
    struct seen_req sr = {0};
    sk_node_http_serve(NH, &owner_a, "a", "hello", h_hello, &sr);
    struct result r = {.consume = true};
    /* a prefix is a whole segment: /hellox is not /hello */
    start(&r, "GET", "/hellox", "", NULL, 0, 0);
    run_until(&r.ended, 5);
    assert_int_equal(sr.n, 0);
    assert_int_equal(r.status, 404);
    assert_string_equal(r.data, "404 page not found\n");
    assert_int_equal(r.code, 0);
    free(r.data);
}

static void test_serve_refusals(void **state)
{
    (void)state;
    struct seen_req sr = {0};
    assert_int_equal(sk_node_http_serve(NH, &owner_a, "a", "x", h_hello, &sr), SKIFF_OK);
    assert_int_equal(sk_node_http_serve(NH, &owner_b, "b", "x", h_hello, &sr), SKIFF_ECONFLICT);
    assert_int_equal(sk_node_http_serve(NH, &owner_b, "b", "a/b", h_hello, &sr), SKIFF_EINVAL);
    assert_int_equal(sk_node_http_serve(NH, &owner_b, "b", "", h_hello, &sr), SKIFF_EINVAL);
    assert_int_equal(sk_node_http_serve(NH, &owner_b, "b", "..", h_hello, &sr), SKIFF_EINVAL);
    assert_int_equal(sk_node_http_serve(NH, &owner_b, "b", "ok", NULL, &sr), SKIFF_EINVAL);
    assert_int_equal(sk_node_http_serve(NULL, &owner_b, "b", "ok", h_hello, &sr),
                     SKIFF_EUNAVAILABLE);
}

static void test_body_in_chunks(void **state)
{
    (void)state;
    struct seen_req sr = {0};
    sk_node_http_serve(NH, &owner_a, "a", "hello", h_hello, &sr);
    size_t n = 3 * SK_NH_BODY_CHUNK + 17;
    char *body = malloc(n);
    for (size_t i = 0; i < n; i++)
        body[i] = (char)(i * 7 + 3);
    struct result r = {.consume = true};
    start(&r, "PUT", "/hello", "", body, n, 0);
    run_until(&r.ended, 5);
    assert_int_equal(r.code, 0);
    assert_int_equal(sr.blen, n);
    assert_memory_equal(sr.body, body, n);
    free(body);
    free(sr.body);
    free(r.data);
}

static void test_body_too_big(void **state)
{
    (void)state;
    struct seen_req sr = {0};
    sk_node_http_serve(NH, &owner_a, "a", "hello", h_hello, &sr);
    size_t n = (4u << 20) + 1;
    char *body = calloc(1, n);
    struct result r = {.consume = true};
    start(&r, "POST", "/hello", "", body, n, 0);
    run_until(&r.ended, 5);
    assert_false(r.headed);
    assert_int_equal(r.code, 413);
    assert_non_null(strstr(r.message, "api.max-proxy-body"));
    assert_int_equal(sr.n, 0);
    run_for(0.05); /* the rest of the body arrives for no stream: dropped */
    assert_int_equal(sk_node_http_streams(NH), 0);
    free(body);
}

/* A producer that ignores http_pending: the window still bounds what is
 * in flight, and the rest waits on the node until acknowledged. */
static void h_flood(void *arg, const struct skiff_http_req *req, struct skiff_http_stream *s)
{
    (void)req;
    size_t total = *(size_t *)arg;
    sk_nh_head(s, 200, "application/octet-stream");
    char *buf = malloc(total);
    for (size_t i = 0; i < total; i++)
        buf[i] = (char)('a' + i % 26);
    sk_nh_write(s, buf, total);
    assert_int_equal(sk_nh_pending(s), total);
    free(buf);
    sk_nh_end(s);
}

static void test_window(void **state)
{
    (void)state;
    size_t total = 2u << 20, window = 256u * 1024;
    sk_node_http_serve(NH, &owner_a, "a", "flood", h_flood, &total);
    struct result r = {.consume = false};
    start(&r, "GET", "/flood", "", NULL, 0, window);
    run_for(0.2);
    assert_true(r.headed);
    assert_int_equal(r.length, -1);  /* too big to know in one message */
    assert_int_equal(r.len, window); /* exactly one window, then it waits */
    assert_false(r.ended);
    /* the client drains: everything arrives */
    r.consume = true;
    sk_nh_call_consumed(r.call, r.len);
    run_until(&r.ended, 5);
    assert_int_equal(r.code, 0);
    assert_int_equal(r.len, total);
    for (size_t i = 0; i < total; i++)
        if (r.data[i] != (char)('a' + i % 26)) fail_msg("byte %zu differs", i);
    free(r.data);
}

/* A producer that respects http_pending and resumes from drain. */
struct gen {
    struct skiff_http_stream *s;
    size_t left, max_pending;
    int drains;
    bool gone;
};

static void gen_more(void *arg)
{
    struct gen *g = arg;
    char chunk[16384];
    memset(chunk, 'z', sizeof(chunk));
    if (g->s && sk_nh_pending(g->s) > g->max_pending) g->max_pending = sk_nh_pending(g->s);
    while (g->left && sk_nh_pending(g->s) < 128u * 1024) {
        size_t n = g->left < sizeof(chunk) ? g->left : sizeof(chunk);
        assert_int_equal(sk_nh_write(g->s, chunk, n), 0);
        g->left -= n;
    }
    if (!g->left) {
        sk_nh_end(g->s);
        g->s = NULL;
    }
}

static void gen_drain(void *arg)
{
    struct gen *g = arg;
    g->drains++;
    gen_more(g);
}

static void gen_gone(void *arg)
{
    struct gen *g = arg;
    g->gone = true;
    sk_nh_end(g->s);
    g->s = NULL;
}

static void h_gen(void *arg, const struct skiff_http_req *req, struct skiff_http_stream *s)
{
    (void)req;
    struct gen *g = arg;
    g->s = s;
    sk_nh_head(s, 200, NULL);
    sk_nh_notify(s, gen_drain, gen_gone, g);
    gen_more(g);
}

static void test_drain(void **state)
{
    (void)state;
    struct gen g = {.left = 3u << 20};
    sk_node_http_serve(NH, &owner_a, "a", "gen", h_gen, &g);
    struct result r = {.consume = true};
    start(&r, "GET", "/gen", "", NULL, 0, 128u * 1024);
    run_until(&r.ended, 10);
    assert_int_equal(r.code, 0);
    assert_int_equal(r.len, 3u << 20);
    assert_true(g.drains > 5);
    assert_true(g.max_pending < 160u * 1024);
    assert_false(g.gone);
    free(r.data);
}

static void test_cancel_gone(void **state)
{
    (void)state;
    struct gen g = {.left = 64u << 20};
    sk_node_http_serve(NH, &owner_a, "a", "gen", h_gen, &g);
    struct result r = {.consume = false};
    start(&r, "GET", "/gen", "", NULL, 0, 0);
    run_for(0.1);
    assert_true(r.headed);
    assert_int_equal(sk_node_http_streams(NH), 1);
    sk_nh_call_cancel(r.call);
    run_until(&g.gone, 5);
    assert_null(g.s);
    assert_int_equal(sk_node_http_streams(NH), 0);
    assert_int_equal(sk_nh_client_calls(C), 0);
    assert_false(r.ended); /* no event after cancel */
    free(r.data);
}

static void test_owner_stops(void **state)
{
    (void)state;
    struct seen_req sr = {0};
    sk_node_http_serve(NH, &owner_a, "a", "hold", h_hold, &sr);
    sk_node_http_serve(NH, &owner_b, "b", "other", h_hold, &sr);
    struct result r = {.consume = true};
    start(&r, "GET", "/hold", "", NULL, 0, 0);
    run_for(0.05);
    assert_int_equal(sr.n, 1);
    assert_int_equal(sk_nh_write(sr.held, "abc", 3), 0);
    run_for(0.05);
    assert_int_equal(r.len, 3);
    sk_node_http_drop(NH, &owner_a);
    run_until(&r.ended, 5);
    assert_int_equal(r.code, 503);
    assert_non_null(strstr(r.message, "stopped"));
    assert_int_equal(sk_node_http_streams(NH), 0);
    /* its prefix went; the other owner's stayed */
    struct result r2 = {.consume = true};
    start(&r2, "GET", "/hold", "", NULL, 0, 0);
    run_until(&r2.ended, 5);
    assert_int_equal(r2.status, 404);
    assert_int_equal(sk_node_http_serve(NH, &owner_b, "b", "other", h_hold, &sr), SKIFF_ECONFLICT);
    free(r.data);
    free(r2.data);
}

static void test_agent_stops(void **state)
{
    (void)state;
    struct seen_req sr = {0};
    sk_node_http_serve(NH, &owner_a, "a", "hold", h_hold, &sr);
    struct result r = {.consume = true};
    start(&r, "GET", "/hold", "", NULL, 0, 0);
    run_for(0.05);
    assert_int_equal(sr.n, 1);
    /* a stream nobody ended: the requester still hears */
    sk_node_http_free(NH);
    NH = NULL;
    run_until(&r.ended, 5);
    assert_int_equal(r.code, 503);
    free(r.data);
}

/* ---- the decoder ---- */

static size_t pack(char *out, size_t cap, const char *fmt, ...)
{
    /* fmt: one letter per value: s string, u uint, i int, b bin (ptr,len) */
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    va_list ap;
    va_start(ap, fmt);
    size_t nkeys = strlen(fmt) / 2;
    msgpack_pack_map(&pk, nkeys);
    for (const char *f = fmt; *f; f++) {
        switch (*f) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            msgpack_pack_str(&pk, strlen(s));
            msgpack_pack_str_body(&pk, s, strlen(s));
            break;
        }
        case 'u': msgpack_pack_uint64(&pk, va_arg(ap, uint64_t)); break;
        case 'i': msgpack_pack_int64(&pk, va_arg(ap, int64_t)); break;
        case 'b': {
            const char *p = va_arg(ap, const char *);
            size_t n = va_arg(ap, size_t);
            msgpack_pack_bin(&pk, n);
            msgpack_pack_bin_body(&pk, p, n);
            break;
        }
        }
    }
    va_end(ap);
    assert_true(sb.size <= cap);
    memcpy(out, sb.data, sb.size);
    size_t n = sb.size;
    msgpack_sbuffer_destroy(&sb);
    return n;
}

static void test_decode(void **state)
{
    (void)state;
    char buf[512];
    struct sk_nh_body b;
    struct sk_error *err = NULL;
    size_t n;
    /* good, with an unknown key skipped */
    n = pack(buf, sizeof(buf), "susbssss", "sid", (uint64_t)3, "data", "ab", (size_t)2, "new", "x",
             "zz", "y");
    assert_int_equal(sk_nh_decode(SKIFF_MSG_NODE_HTTP_DATA, buf, n, &b, &err), SK_OK);
    assert_int_equal(b.sid, 3);
    assert_int_equal(b.data_len, 2);
    /* trailing byte */
    buf[n] = 0;
    assert_int_equal(sk_nh_decode(SKIFF_MSG_NODE_HTTP_DATA, buf, n + 1, &b, &err), SK_EPROTO);
    sk_error_free(err);
    err = NULL;
    /* missing key */
    n = pack(buf, sizeof(buf), "su", "sid", (uint64_t)3);
    assert_int_equal(sk_nh_decode(SKIFF_MSG_NODE_HTTP_DATA, buf, n, &b, &err), SK_EPROTO);
    assert_non_null(strstr(err->msg, "data"));
    sk_error_free(err);
    err = NULL;
    /* duplicate key */
    n = pack(buf, sizeof(buf), "susu", "sid", (uint64_t)3, "sid", (uint64_t)4);
    assert_int_equal(sk_nh_decode(SKIFF_MSG_NODE_HTTP_CANCEL, buf, n, &b, &err), SK_EPROTO);
    sk_error_free(err);
    err = NULL;
    /* wrong type */
    n = pack(buf, sizeof(buf), "ss", "sid", "3");
    assert_int_equal(sk_nh_decode(SKIFF_MSG_NODE_HTTP_CANCEL, buf, n, &b, &err), SK_EPROTO);
    sk_error_free(err);
    err = NULL;
    /* sid 0 */
    n = pack(buf, sizeof(buf), "su", "sid", (uint64_t)0);
    assert_int_equal(sk_nh_decode(SKIFF_MSG_NODE_HTTP_CANCEL, buf, n, &b, &err), SK_EPROTO);
    sk_error_free(err);
    err = NULL;
    /* a method not served, a path without '/', a window out of range */
    n = pack(buf, sizeof(buf), "sususssssssssbsu", "sid", (uint64_t)1, "blen", (uint64_t)0,
             "method", "TRACE", "path", "/x", "query", "", "ctype", "", "body", "", (size_t)0,
             "window", (uint64_t)(1u << 20));
    assert_int_equal(sk_nh_decode(SKIFF_MSG_NODE_HTTP_REQ, buf, n, &b, &err), SK_EPROTO);
    sk_error_free(err);
    err = NULL;
    n = pack(buf, sizeof(buf), "sususssssssssbsu", "sid", (uint64_t)1, "blen", (uint64_t)0,
             "method", "GET", "path", "x", "query", "", "ctype", "", "body", "", (size_t)0,
             "window", (uint64_t)(1u << 20));
    assert_int_equal(sk_nh_decode(SKIFF_MSG_NODE_HTTP_REQ, buf, n, &b, &err), SK_EPROTO);
    sk_error_free(err);
    err = NULL;
    n = pack(buf, sizeof(buf), "sususssssssssbsu", "sid", (uint64_t)1, "blen", (uint64_t)0,
             "method", "GET", "path", "/x", "query", "", "ctype", "", "body", "", (size_t)0,
             "window", (uint64_t)10);
    assert_int_equal(sk_nh_decode(SKIFF_MSG_NODE_HTTP_REQ, buf, n, &b, &err), SK_EPROTO);
    sk_error_free(err);
    err = NULL;
    n = pack(buf, sizeof(buf), "sususssssssssbsu", "sid", (uint64_t)1, "blen", (uint64_t)2,
             "method", "GET", "path", "/x", "query", "q", "ctype", "", "body", "ab", (size_t)2,
             "window", (uint64_t)(1u << 20));
    assert_int_equal(sk_nh_decode(SKIFF_MSG_NODE_HTTP_REQ, buf, n, &b, &err), SK_OK);
    assert_int_equal(b.query.n, 1);
    /* a status out of range, an END code that is no error status */
    n = pack(buf, sizeof(buf), "susiss", "sid", (uint64_t)1, "status", (int64_t)99, "ctype", "");
    assert_int_equal(sk_nh_decode(SKIFF_MSG_NODE_HTTP_HEAD, buf, n, &b, &err), SK_EPROTO);
    sk_error_free(err);
    err = NULL;
    n = pack(buf, sizeof(buf), "susiss", "sid", (uint64_t)1, "code", (int64_t)200, "message", "");
    assert_int_equal(sk_nh_decode(SKIFF_MSG_NODE_HTTP_END, buf, n, &b, &err), SK_EPROTO);
    sk_error_free(err);
    err = NULL;
    /* not a map, not a node HTTP type */
    assert_int_equal(sk_nh_decode(SKIFF_MSG_NODE_HTTP_END, "\x01", 1, &b, &err), SK_EPROTO);
    sk_error_free(err);
    err = NULL;
    assert_int_equal(sk_nh_decode(SKIFF_MSG_PING, "\x80", 1, &b, &err), SK_EPROTO);
    sk_error_free(err);
}

/* ---- the host table by ABI minor ---- */

static const struct skiff_host *seen_host;
static struct skiff_ctx *seen_ctx;
static struct seen_req plug_seen;

static int cap_init(struct skiff_ctx *ctx, const struct skiff_host *host, const void *options,
                    void **self)
{
    (void)options;
    seen_host = host;
    seen_ctx = ctx;
    *self = NULL;
    return 0;
}

static int cap_start(void *self)
{
    (void)self;
    return seen_host->http_serve(seen_ctx, "plug", h_hold, &plug_seen);
}

static void test_host_table_by_minor(void **state)
{
    (void)state;
    struct sk_plugin_env env = {.loop = L, .bus = B, .nh = NH, .node_name = "n", .data_dir = "/"};
    struct sk_plugins *ps = sk_plugins_new(&env);
    struct skiff_plugin d11 = {SKIFF_PLUGIN_HEADER, .name = "old", .role = SKIFF_ROLE_NODE,
                               .init = cap_init};
    d11.abi_minor = 1;
    struct sk_error *err = NULL;
    assert_int_equal(sk_plugins_add(ps, &d11, "built-in", &err), SK_OK);
    assert_int_equal(seen_host->abi_minor, 1);
    assert_int_equal(seen_host->struct_size, offsetof(struct skiff_host, http_serve));
    assert_null(seen_host->http_serve);
    assert_null(seen_host->http_end);
    assert_non_null(seen_host->propose);
    /* 1.0 plugins were built while the store functions already shipped */
    struct skiff_plugin d10 = {SKIFF_PLUGIN_HEADER, .name = "older", .role = SKIFF_ROLE_NODE,
                               .init = cap_init};
    d10.abi_minor = 0;
    assert_int_equal(sk_plugins_add(ps, &d10, "built-in", &err), SK_OK);
    assert_int_equal(seen_host->struct_size, offsetof(struct skiff_host, http_serve));
    assert_non_null(seen_host->subscribe);
    assert_null(seen_host->http_serve);

    struct skiff_plugin d12 = {SKIFF_PLUGIN_HEADER, .name = "new", .role = SKIFF_ROLE_NODE,
                               .init = cap_init, .start = cap_start};
    assert_int_equal(sk_plugins_add(ps, &d12, "built-in", &err), SK_OK);
    assert_int_equal(seen_host->struct_size, sizeof(struct skiff_host));
    assert_non_null(seen_host->http_serve);
    assert_ptr_equal(seen_host->http_end, sk_nh_end);
    sk_plugins_start(ps, true);
    assert_true(sk_plugins_running(ps, "new"));
    /* served through the host table; stopping the plugin ends the stream
     * it holds and drops its prefix */
    memset(&plug_seen, 0, sizeof(plug_seen));
    struct result r = {.consume = true};
    start(&r, "GET", "/plug/x", "", NULL, 0, 0);
    run_for(0.05);
    assert_int_equal(plug_seen.n, 1);
    assert_true(r.headed);
    sk_plugins_stop(ps);
    run_until(&r.ended, 5);
    assert_int_equal(r.code, 503);
    struct result r2 = {.consume = true};
    start(&r2, "GET", "/plug/x", "", NULL, 0, 0);
    run_until(&r2.ended, 5);
    assert_int_equal(r2.status, 404);
    sk_plugins_free(ps);
    free(r.data);
    free(r2.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_whole_response, setup, teardown),
            cmocka_unit_test_setup_teardown(test_no_handler, setup, teardown),
            cmocka_unit_test_setup_teardown(test_serve_refusals, setup, teardown),
            cmocka_unit_test_setup_teardown(test_body_in_chunks, setup, teardown),
            cmocka_unit_test_setup_teardown(test_body_too_big, setup, teardown),
            cmocka_unit_test_setup_teardown(test_window, setup, teardown),
            cmocka_unit_test_setup_teardown(test_drain, setup, teardown),
            cmocka_unit_test_setup_teardown(test_cancel_gone, setup, teardown),
            cmocka_unit_test_setup_teardown(test_owner_stops, setup, teardown),
            cmocka_unit_test_setup_teardown(test_agent_stops, setup, teardown),
            cmocka_unit_test(test_decode),
            cmocka_unit_test_setup_teardown(test_host_table_by_minor, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
