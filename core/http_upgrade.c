/* WebSocket sessions on upgraded HTTP requests: handshake, ping/pong,
 * the closing handshake and flow control, on top of the pure framing in
 * websocket.c and the raw connection mode of http.c. */
#include "http_upgrade.h"
#include "log.h"
#include "mem.h"
#include "websocket.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#define WHO "websocket"
/* Largest message a client may send (kubectl sends stdin in 32 KiB). */
#define MAX_MESSAGE (1024u * 1024)

struct sk_ws_conn {
    struct sk_http_req *req;
    struct sk_ws_decoder dec;
    struct sk_ws_ops ops;
    void *arg;
    bool in_cb;          /* inside a callback from our input path */
    bool close_deferred; /* sk_ws_close was called from inside it */
    bool close_sent;     /* our close frame is queued */
    bool notified;       /* closed() ran */
    bool gone;           /* the client went away */
    int close_code;
    char reason[124];
    struct sk_buf out; /* scratch for framing */
};

bool sk_ws_is_upgrade(const struct sk_http_req *req)
{
    return sk_ws_header_has(sk_http_req_header(req, "Connection"), "upgrade") &&
           sk_ws_header_has(sk_http_req_header(req, "Upgrade"), "websocket");
}

const char *sk_ws_check(const struct sk_http_req *req, const char *const *supported,
                        const char **chosen, char *why, size_t whylen)
{
    *chosen = NULL;
    if (strcmp(sk_http_req_method(req), "GET") != 0) {
        snprintf(why, whylen,
                 "websocket: the client is not using the websocket protocol: "
                 "request method is not GET");
        return why;
    }
    const char *ver = sk_http_req_header(req, "Sec-WebSocket-Version");
    if (!ver || strcmp(ver, "13") != 0) {
        snprintf(why, whylen,
                 "websocket: unsupported version: 13 not found in "
                 "'Sec-Websocket-Version' header");
        return why;
    }
    char accept[SK_WS_ACCEPT_LEN + 1];
    if (!sk_ws_accept_key(sk_http_req_header(req, "Sec-WebSocket-Key"), accept)) {
        snprintf(why, whylen,
                 "websocket: not a websocket handshake: 'Sec-WebSocket-Key' header "
                 "must be Base64 encoded value of 16-byte in length");
        return why;
    }
    /* the offered protocols may come in several headers */
    for (size_t i = 0; supported[i]; i++)
        for (size_t n = 0;; n++) {
            const char *h = sk_http_req_header_nth(req, "Sec-WebSocket-Protocol", n);
            if (!h) break;
            if (sk_ws_header_has(h, supported[i])) {
                *chosen = supported[i];
                return NULL;
            }
        }
    int len = snprintf(why, whylen, "requested protocol(s) are not supported: [");
    for (size_t n = 0; len > 0 && (size_t)len < whylen; n++) {
        const char *h = sk_http_req_header_nth(req, "Sec-WebSocket-Protocol", n);
        if (!h) break;
        len += snprintf(why + len, whylen - (size_t)len, "%s%s", n ? " " : "", h);
    }
    if (len > 0 && (size_t)len < whylen)
        len += snprintf(why + len, whylen - (size_t)len, "]; supports [");
    for (size_t i = 0; supported[i] && len > 0 && (size_t)len < whylen; i++)
        len += snprintf(why + len, whylen - (size_t)len, "%s%s", i ? " " : "", supported[i]);
    if (len > 0 && (size_t)len < whylen) snprintf(why + len, whylen - (size_t)len, "]");
    return why;
}

static void ws_free(struct sk_ws_conn *ws)
{
    sk_ws_decoder_free(&ws->dec);
    sk_buf_free(&ws->out);
    free(ws);
}

static ssize_t send_frame(struct sk_ws_conn *ws, enum sk_ws_op op, const void *p, size_t n)
{
    if (ws->gone) return -1;
    ws->out.len = 0;
    sk_ws_frame(&ws->out, op, true, p, n, NULL);
    ssize_t r = sk_http_raw_write(ws->req, ws->out.p, ws->out.len);
    /* a big message should not pin its buffer for the session's life */
    if (ws->out.cap > 64 * 1024) sk_buf_free(&ws->out);
    return r;
}

static void send_close(struct sk_ws_conn *ws, int code, const char *reason)
{
    if (ws->close_sent || ws->gone) return;
    ws->close_sent = true;
    uint8_t p[2 + 123];
    size_t n = 0;
    if (code && code != 1005 && code != 1006) {
        p[0] = (uint8_t)(code >> 8);
        p[1] = (uint8_t)code;
        n = 2;
        size_t rl = reason ? strlen(reason) : 0;
        if (rl > 123) rl = 123;
        if (rl) memcpy(p + 2, reason, rl);
        n += rl;
    }
    send_frame(ws, SK_WS_CLOSE, p, n);
}

static void finish(struct sk_ws_conn *ws)
{
    send_close(ws, ws->close_code, ws->reason);
    sk_http_req_abort(ws->req);
    ws_free(ws);
}

static void notify_closed(struct sk_ws_conn *ws, int code)
{
    if (ws->notified) return;
    ws->notified = true;
    if (ws->ops.closed) ws->ops.closed(ws->arg, code);
}

static void raw_in(struct sk_http_req *req, const void *data, size_t len, void *arg)
{
    (void)req;
    struct sk_ws_conn *ws = arg;
    if (ws->notified) return; /* after a close: input is dropped */
    ws->in_cb = true;
    sk_ws_feed(&ws->dec, data, len);
    for (;;) {
        struct sk_ws_msg m;
        int code = 0;
        const char *why = NULL;
        enum sk_ws_result r = sk_ws_next(&ws->dec, &m, &code, &why);
        if (r == SK_WS_MORE) break;
        if (r == SK_WS_ERROR) {
            SK_DEBUG(WHO, "protocol error remote=%s: %s", sk_http_req_remote(ws->req), why);
            send_close(ws, code, why);
            notify_closed(ws, code);
            break;
        }
        if (m.op == SK_WS_PING) {
            send_frame(ws, SK_WS_PONG, m.data, m.len);
        } else if (m.op == SK_WS_CLOSE) {
            /* echo the code, as the closing handshake asks */
            send_close(ws, m.close_code == 1005 ? 0 : m.close_code, NULL);
            notify_closed(ws, m.close_code);
            break;
        } else if (m.op == SK_WS_TEXT || m.op == SK_WS_BINARY) {
            if (ws->ops.message && !ws->close_deferred) ws->ops.message(ws->arg, m.data, m.len);
        }
        if (ws->close_deferred || ws->notified) break;
    }
    ws->in_cb = false;
    if (ws->close_deferred) finish(ws);
}

static void on_gone(struct sk_http_req *req, void *arg)
{
    (void)req;
    struct sk_ws_conn *ws = arg;
    ws->gone = true;
    notify_closed(ws, 1006);
}

struct sk_ws_conn *sk_ws_accept(struct sk_http_req *req, const char *protocol,
                                const struct sk_ws_ops *ops, void *arg)
{
    char accept[SK_WS_ACCEPT_LEN + 1];
    if (!sk_ws_accept_key(sk_http_req_header(req, "Sec-WebSocket-Key"), accept)) {
        sk_http_req_abort(req);
        return NULL;
    }
    struct sk_ws_conn *ws = sk_xcalloc(1, sizeof(*ws));
    ws->req = req;
    ws->ops = *ops;
    ws->arg = arg;
    ws->dec.server = true;
    ws->dec.max_message = MAX_MESSAGE;
    char *hdr = sk_xasprintf("Upgrade: websocket\r\n"
                             "Sec-WebSocket-Accept: %s\r\n%s%s%s",
                             accept, protocol ? "Sec-WebSocket-Protocol: " : "",
                             protocol ? protocol : "", protocol ? "\r\n" : "");
    sk_err rc = sk_http_upgrade(req, hdr, raw_in, ws);
    free(hdr);
    if (rc) {
        sk_http_req_abort(req);
        ws_free(ws);
        return NULL;
    }
    sk_http_req_on_close(req, on_gone, ws);
    return ws;
}

ssize_t sk_ws_send(struct sk_ws_conn *ws, const void *data, size_t len)
{
    if (ws->close_sent || ws->close_deferred) return -1;
    return send_frame(ws, SK_WS_BINARY, data, len);
}

ssize_t sk_ws_send_pending(struct sk_ws_conn *ws)
{
    return ws->gone ? -1 : sk_http_raw_write(ws->req, NULL, 0);
}

void sk_ws_pause(struct sk_ws_conn *ws, bool paused)
{
    if (!ws->gone) sk_http_raw_pause(ws->req, paused);
}

void sk_ws_close(struct sk_ws_conn *ws, int code, const char *reason)
{
    if (!ws) return;
    ws->close_code = code;
    snprintf(ws->reason, sizeof(ws->reason), "%s", reason ? reason : "");
    if (ws->in_cb) {
        ws->close_deferred = true;
        return;
    }
    finish(ws);
}
