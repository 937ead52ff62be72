/* pods/exec and pods/attach: kubectl's WebSocket streams (the k8s.io
 * channel protocols v1..v5), bridged to the pod's node as the kubelet's
 * /exec/NS/POD/CONTAINER and /attach/... paths over an upgraded node HTTP
 * stream (node_http.h). Like kube-apiserver's stream translator, the
 * client's WebSocket is accepted first; what the node answers then reaches
 * the client as frames, and a node that refuses becomes a Failure Status
 * on the error channel. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api_int.h"
#include "http_upgrade.h"
#include "log.h"
#include "loop.h"
#include "mem.h"
#include "node_http.h"
#include "websocket.h"

/* A node's refusal kept for the Status message. */
#define ERR_BODY_MAX 4096
/* While the client's connection holds output, check it this often. */
#define POLL_MIN 0.002
#define POLL_MAX 0.05
/* Channels of the k8s.io stream protocols. */
#define CH_ERROR    3
#define SETTLE_SECS 0.1

/* In kube-apiserver's order of preference. */
static const char *const protocols[] = {
        "v5.channel.k8s.io", "v4.channel.k8s.io", "v3.channel.k8s.io",
        "v2.channel.k8s.io", "channel.k8s.io",    NULL,
};

struct xs {
    struct sk_api_rq *r;
    struct sk_ws_conn *ws;
    struct sk_nh_call *call;
    struct sk_timer *poll;
    double poll_ivl;
    int status;       /* the node's head; 0 before */
    bool sent_status; /* a frame went out on the error channel */
    bool paused;      /* reading the client is held for the input window */
    /* client-go starts reading before it has set up its streams, and drops
     * frames for a stream it does not know yet: output waits for the
     * client's first frame or SETTLE_SECS after the upgrade, about what a
     * kubelet takes to start the command */
    bool released;
    struct sk_timer *settle;
    struct sk_buf rec; /* node bytes: [u32 length][frame]..., or an error body */
    size_t rec_off;
    uint64_t received;
    char what[16]; /* "exec" or "attach" */
};

static void xs_free(struct xs *x)
{
    sk_timer_cancel(x->poll);
    sk_timer_cancel(x->settle);
    sk_buf_free(&x->rec);
    if (x->r) {
        x->r->req = NULL;
        sk_api_rq_free(x->r);
    }
    free(x);
}

/* The session is over: tell the node (if still there), close the
 * WebSocket and free everything. */
static void xs_end(struct xs *x, int ws_code)
{
    if (x->call) sk_nh_call_cancel(x->call);
    x->call = NULL;
    if (x->ws) sk_ws_close(x->ws, ws_code, NULL);
    x->ws = NULL;
    xs_free(x);
}

/* A Failure Status on the error channel, as kube-apiserver's translator
 * writes one for an error that is not the command's exit code. */
static void send_failure(struct xs *x, const char *message)
{
    if (x->sent_status || !x->ws) return;
    struct sk_buf b = {0};
    sk_buf_putc(&b, (char)CH_ERROR);
    struct sk_causes c = {0};
    sk_causes_add(&c, "", "", "%s", message);
    struct sk_api_details d = {.causes = &c};
    char *msg = sk_xasprintf("Internal error occurred: %s", message);
    sk_api_status_json(&b, false, 500, "InternalError", msg, &d);
    free(msg);
    sk_causes_free(&c);
    sk_ws_send(x->ws, b.p, b.len);
    sk_buf_free(&b);
    x->sent_status = true;
}

/* Tell the node how much of what it sent left our connection. */
static void account(struct xs *x, ssize_t pending)
{
    uint64_t out = pending > 0 ? (uint64_t)pending : 0;
    sk_nh_call_consumed(x->call, out < x->received ? x->received - out : 0);
}

static void poll_cb(void *arg);

static void poll_arm(struct xs *x, double after)
{
    x->poll = sk_timer_add(x->r->api->loop, after, 0, poll_cb, x);
}

static void poll_cb(void *arg)
{
    struct xs *x = arg;
    x->poll = NULL;
    if (!x->ws || !x->call) return;
    ssize_t pending = sk_ws_send_pending(x->ws);
    if (pending < 0) return; /* closed() follows */
    account(x, pending);
    if (pending > 0) {
        x->poll_ivl = x->poll_ivl * 2 < POLL_MAX ? x->poll_ivl * 2 : POLL_MAX;
        poll_arm(x, x->poll_ivl);
    }
}

/* ---- the node's side ---- */

static bool pump(struct xs *x);

static void on_head(void *arg, int status, const char *content_type, long long length)
{
    (void)content_type;
    (void)length;
    struct xs *x = arg;
    x->status = status;
}

static void on_data(void *arg, const void *d, size_t n)
{
    struct xs *x = arg;
    x->received += n;
    if (x->status < 200 || x->status > 299) {
        /* a refusal: its text becomes the Status message */
        if (x->rec.len < ERR_BODY_MAX)
            sk_buf_append(&x->rec, d,
                          n < ERR_BODY_MAX - x->rec.len ? n : ERR_BODY_MAX - x->rec.len);
        sk_nh_call_consumed(x->call, x->received);
        return;
    }
    sk_buf_append(&x->rec, d, n);
    if (x->released) pump(x);
}

/* Send the whole frames received so far. Returns false when the session
 * ended (x is freed). */
static bool pump(struct xs *x)
{
    ssize_t pending = 0;
    for (;;) {
        size_t avail = x->rec.len - x->rec_off;
        const uint8_t *p = (const uint8_t *)x->rec.p + x->rec_off;
        if (avail < 4) break;
        size_t len = ((size_t)p[0] << 24) | ((size_t)p[1] << 16) | ((size_t)p[2] << 8) | p[3];
        if (len > SK_NH_FRAME_MAX || !len) {
            sk_log(SK_LOG_WARN, SK_API_WHO, "%s stream: the node sent a frame of %zu bytes",
                   x->what, len);
            send_failure(x, "the node sent a malformed stream");
            xs_end(x, SK_WS_CLOSE_INTERNAL);
            return false;
        }
        if (avail - 4 < len) break;
        if (p[4] == CH_ERROR) x->sent_status = true;
        pending = sk_ws_send(x->ws, p + 4, len);
        x->rec_off += 4 + len;
        if (pending < 0) return true; /* closed() follows */
    }
    if (x->rec_off == x->rec.len) {
        x->rec.len = x->rec_off = 0;
    } else if (x->rec_off > 64 * 1024) {
        memmove(x->rec.p, x->rec.p + x->rec_off, x->rec.len - x->rec_off);
        x->rec.len -= x->rec_off;
        x->rec_off = 0;
    }
    /* bytes still in a partial frame count as taken: they are in memory
     * here, bounded by the frame size */
    account(x, pending);
    if (pending > 0 && !x->poll) {
        x->poll_ivl = POLL_MIN;
        poll_arm(x, x->poll_ivl);
    }
    return true;
}

/* Output may flow: the client has had time to set up its streams. */
static bool release(struct xs *x)
{
    if (x->released) return true;
    x->released = true;
    sk_timer_cancel(x->settle);
    x->settle = NULL;
    return x->status < 200 || x->status > 299 || pump(x);
}

static void settle_cb(void *arg)
{
    struct xs *x = arg;
    x->settle = NULL;
    release(x);
}

static void on_end(void *arg, int code, const char *message)
{
    struct xs *x = arg;
    x->call = NULL; /* freed by the client after this returns */
    if (!release(x)) return;
    if (x->status && (x->status < 200 || x->status > 299)) {
        char *text = sk_xstrndup(x->rec.p ? x->rec.p : "", x->rec.len);
        size_t tl = strlen(text);
        while (tl && isspace((unsigned char)text[tl - 1]))
            text[--tl] = 0;
        char *m = sk_xasprintf("unable to upgrade connection: %s", text);
        send_failure(x, m);
        free(m);
        free(text);
    } else if (code) {
        send_failure(x, message && *message ? message : "the node ended the stream");
    }
    xs_end(x, SK_WS_CLOSE_NORMAL);
}

static void on_input_drain(void *arg)
{
    struct xs *x = arg;
    if (x->paused && x->ws && sk_nh_call_input_pending(x->call) <= SK_NH_WINDOW_DEFAULT / 2) {
        x->paused = false;
        sk_ws_pause(x->ws, false);
    }
}

static const struct sk_nh_call_ops call_ops = {
        .head = on_head, .data = on_data, .end = on_end, .input_drain = on_input_drain};

/* ---- the client's side ---- */

static void ws_message(void *arg, const uint8_t *data, size_t len)
{
    struct xs *x = arg;
    if (!release(x)) return;
    if (!len || !x->call) return; /* an empty message names no channel */
    /* one frame per INPUT message, the channel byte repeated per piece */
    uint8_t ch = data[0];
    const uint8_t *p = data + 1;
    size_t left = len - 1;
    static uint8_t piece[SK_NH_BODY_CHUNK]; /* loop thread only */
    do {
        size_t n = left < SK_NH_BODY_CHUNK - 1 ? left : SK_NH_BODY_CHUNK - 1;
        piece[0] = ch;
        memcpy(piece + 1, p, n);
        if (sk_nh_call_input(x->call, piece, n + 1)) return;
        p += n;
        left -= n;
    } while (left);
    if (!x->paused && sk_nh_call_input_pending(x->call) > SK_NH_WINDOW_DEFAULT) {
        x->paused = true;
        sk_ws_pause(x->ws, true);
    }
}

static void ws_closed(void *arg, int code)
{
    struct xs *x = arg;
    SK_DEBUG(SK_API_WHO, "%s stream closed by the client code=%d", x->what, code);
    xs_end(x, code == 1002 || code == 1009 ? code : SK_WS_CLOSE_NORMAL);
}

static const struct sk_ws_ops ws_ops = {.message = ws_message, .closed = ws_closed};

/* ---- the route ---- */

static bool go_bool(const char *v)
{
    return v && strcmp(v, "0") && strcasecmp(v, "false");
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

/* The kubelet-style query for the node: command=...&input=1&output=1&
 * error=1&tty=1 (kube-apiserver's streamParams). */
static void node_query(struct sk_http_req *req, bool exec, bool in, bool out, bool err, bool tty,
                       struct sk_buf *q)
{
    if (exec) {
        size_t n = sk_http_req_query_count(req);
        for (size_t i = 0; i < n; i++) {
            const char *k, *v;
            sk_http_req_query_at(req, i, &k, &v);
            if (strcmp(k, "command") != 0) continue;
            sk_buf_puts(q, "&command=");
            pct_append(q, v);
        }
    }
    if (in) sk_buf_puts(q, "&input=1");
    if (out) sk_buf_puts(q, "&output=1");
    if (err) sk_buf_puts(q, "&error=1");
    if (tty) sk_buf_puts(q, "&tty=1");
    sk_buf_putc(q, 0);
}

void sk_api_pod_stream(struct sk_api_rq *r)
{
    struct sk_http_req *req = r->req;
    bool exec = !strcmp(r->sub, "exec");
    bool in = go_bool(sk_http_req_query_param(req, "stdin"));
    bool out = go_bool(sk_http_req_query_param(req, "stdout"));
    bool err = go_bool(sk_http_req_query_param(req, "stderr"));
    bool tty = go_bool(sk_http_req_query_param(req, "tty"));
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
    const char *container = sk_api_pod_container(
            pod, r->name, sk_http_req_query_param(req, "container"), msg, sizeof(msg));
    const char *node = sk_val_str_at(pod, "spec", "nodeName", NULL);
    if (container && (!node || !*node)) {
        snprintf(msg, sizeof(msg), "pod %s does not have a host assigned", r->name);
        container = NULL;
    }
    if (container && !in && !out && !err) {
        snprintf(msg, sizeof(msg), "you must specify at least 1 of stdin, stdout, stderr");
        container = NULL;
    }
    if (container && exec && !sk_http_req_query_param(req, "command")) {
        snprintf(msg, sizeof(msg), "you must specify at least 1 command");
        container = NULL;
    }
    const char *chosen = NULL;
    char why[600];
    if (container && !sk_ws_is_upgrade(req)) {
        /* SPDY (kubectl's fallback) and plain requests: only WebSocket is
         * served */
        snprintf(msg, sizeof(msg),
                 "Upgrade request required: %s is served over WebSocket (%s), not SPDY", r->sub,
                 protocols[0]);
        container = NULL;
    } else if (container && sk_ws_check(req, protocols, &chosen, why, sizeof(why))) {
        snprintf(msg, sizeof(msg), "%s", why);
        container = NULL;
    }
    if (!container) {
        sk_store_obj_unref(obj);
        sk_api_fail_badrequest(r, msg);
        return;
    }
    struct sk_buf path = {0}, query = {0};
    sk_buf_printf(&path, "/%s/%s/%s/%s", exec ? "exec" : "attach", r->ns, r->name, container);
    sk_buf_putc(&path, 0);
    node_query(req, exec, in, out, err && !tty, tty, &query);
    char *node_name = sk_xstrdup(node);
    sk_store_obj_unref(obj);
    const char *to = sk_api_node_endpoint(r, node_name);
    free(node_name);
    if (!to) {
        sk_buf_free(&path);
        sk_buf_free(&query);
        return;
    }
    if (!r->api->nh) {
        sk_buf_free(&path);
        sk_buf_free(&query);
        sk_api_fail(r, 503, "ServiceUnavailable", "node HTTP is not available in this agent", NULL);
        return;
    }
    struct xs *x = sk_xcalloc(1, sizeof(*x));
    snprintf(x->what, sizeof(x->what), "%s", r->sub);
    struct sk_nh_request rq = {
            .method = "GET",
            .path = path.p,
            .query = query.p[0] ? query.p + 1 : "",
            .upgrade = true,
    };
    struct sk_error *cerr = NULL;
    x->call = sk_nh_call_start(r->api->nh, to, &rq, &call_ops, x, &cerr);
    sk_buf_free(&path);
    sk_buf_free(&query);
    if (!x->call) {
        char *m = sk_xasprintf("cannot reach the node: %s", sk_error_msg(cerr, SK_ENOENT));
        sk_error_free(cerr);
        sk_api_fail(r, 503, "ServiceUnavailable", m, NULL);
        free(m);
        free(x);
        return;
    }
    x->r = r;
    x->ws = sk_ws_accept(req, chosen, &ws_ops, x);
    r->req = NULL; /* the WebSocket session owns it now */
    if (!x->ws) {
        xs_end(x, SK_WS_CLOSE_NORMAL);
        return;
    }
    x->settle = sk_timer_add(r->api->loop, SETTLE_SECS, 0, settle_cb, x);
}
