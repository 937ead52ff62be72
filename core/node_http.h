/* Node HTTP over the bus: the requests that reach a node through the API's
 * nodes/proxy subresource and pods/log, carried as bus messages between a
 * requester (the API, on any node) and the node's "core.node-http"
 * endpoint, which hands each one to the plugin serving its path prefix
 * (ABI 1.2: http_serve ... http_end).
 *
 * Protocol (types in skiff_msgtypes.h; every body is one msgpack map, "sid"
 * names the stream and is chosen by the requester):
 *   requester -> node  NODE_HTTP_REQ   method, path, query, ctype, blen,
 *                                      window, body (first <= 256 KiB)
 *   requester -> node  NODE_HTTP_BODY  off, data: the rest of the body
 *   node -> requester  NODE_HTTP_HEAD  status, ctype, [length, data: the
 *                                      whole response; nothing follows]
 *   node -> requester  NODE_HTTP_DATA  data (<= SK_NH_DATA_CHUNK)
 *   node -> requester  NODE_HTTP_END   code (0 complete), message
 *   requester -> node  NODE_HTTP_ACK   bytes: taken by the HTTP client
 *   requester -> node  NODE_HTTP_CANCEL
 * The node keeps sent - acked <= window, so a stream's bytes in flight stay
 * bounded whatever the producer does with http_pending.
 *
 * Upgraded streams (pods/exec, pods/attach; ABI 1.3): REQ carries
 * "upgrade": 1 and the stream is bidirectional:
 *   requester -> node  NODE_HTTP_INPUT data: one client frame (channel
 *                                      byte first), in order
 *   node -> requester  NODE_HTTP_ACK   bytes: input the plugin took in all
 * The requester keeps input sent - acked <= window. A 2xx response's body
 * is a sequence of frames, each a 4-byte big-endian length and the bytes
 * of one http_write, so frame boundaries survive the DATA chunking.
 *
 * Threads: everything here runs on the loop thread. */
#ifndef SK_NODE_HTTP_H
#define SK_NODE_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "skiff_plugin.h"

struct sk_loop;
struct sk_bus;
struct sk_node_http;
struct sk_nh_client;
struct sk_nh_call;

/* The node side's bus endpoint (a dotted name: no plugin can take it). */
#define SK_NH_ENDPOINT "core.node-http"
/* Request body bytes per REQ or BODY message. */
#define SK_NH_BODY_CHUNK (256u * 1024)
/* Response bytes per DATA message. */
#define SK_NH_DATA_CHUNK (64u * 1024)
/* Default and bounds of a stream's window (bytes sent, not acknowledged). */
#define SK_NH_WINDOW_DEFAULT (1024u * 1024)
#define SK_NH_WINDOW_MIN     SK_NH_DATA_CHUNK
#define SK_NH_WINDOW_MAX     (16u * 1024 * 1024)
/* Largest frame of an upgraded stream (one http_write). */
#define SK_NH_FRAME_MAX (256u * 1024)
/* Largest request path, query and content type. */
#define SK_NH_STR_MAX (16u * 1024)

/* ---- node side ---- */

/* Attach SK_NH_ENDPOINT to bus. max_body is the largest request body
 * accepted (api.max-proxy-body). Returns the registry (free with
 * sk_node_http_free) or NULL with *err. */
struct sk_node_http *sk_node_http_new(struct sk_loop *loop, struct sk_bus *bus, size_t max_body,
                                      struct sk_error **err);
/* End every open stream (requesters get END with code 503; plugins get no
 * more callbacks), detach and free. Call after the plugins stopped. NULL
 * ok. */
void sk_node_http_free(struct sk_node_http *nh);

/* Register prefix for owner (a plugin context; owner_name for logs).
 * Returns SKIFF_OK, SKIFF_EINVAL (prefix not one segment of [A-Za-z0-9._-],
 * no fn) or SKIFF_ECONFLICT (taken). */
int sk_node_http_serve(struct sk_node_http *nh, const void *owner, const char *owner_name,
                       const char *prefix, skiff_http_fn fn, void *arg);
/* The owner stopped: its prefixes go, and its streams end (requesters see
 * END code 503 "... stopped"); no callback reaches the owner afterwards. */
void sk_node_http_drop(struct sk_node_http *nh, const void *owner);
/* Streams open now (tests). */
size_t sk_node_http_streams(const struct sk_node_http *nh);

/* The ABI's stream functions (host table entries). */
int sk_nh_head(struct skiff_http_stream *s, int status, const char *content_type);
int sk_nh_write(struct skiff_http_stream *s, const void *data, size_t len);
size_t sk_nh_pending(struct skiff_http_stream *s);
void sk_nh_notify(struct skiff_http_stream *s, void (*drain)(void *arg), void (*gone)(void *arg),
                  void *arg);
void sk_nh_end(struct skiff_http_stream *s);
/* ABI 1.3: an upgraded stream's input frames go to input (NULL: held),
 * on the loop, never inside a plugin's own call; pause holds them (and,
 * past the window, the client). */
void sk_nh_on_input(struct skiff_http_stream *s,
                    void (*input)(void *arg, const void *data, size_t len), void *arg);
void sk_nh_input_pause(struct skiff_http_stream *s, bool paused);

/* ---- requester side ---- */

/* A requester endpoint named ep_name on bus. NULL with *err on failure. */
struct sk_nh_client *sk_nh_client_new(struct sk_loop *loop, struct sk_bus *bus, const char *ep_name,
                                      struct sk_error **err);
/* Cancel every call (nodes get CANCEL; no callbacks run) and free. NULL
 * ok. */
void sk_nh_client_free(struct sk_nh_client *c);

struct sk_nh_request {
    const char *method;
    const char *path; /* starts with '/' */
    const char *query;
    const char *content_type;
    const void *body;
    size_t body_len;
    size_t window; /* 0: SK_NH_WINDOW_DEFAULT */
    bool upgrade;  /* a bidirectional stream: sk_nh_call_input, framed data */
};

/* A call's events, on the loop. length is the body's length when the node
 * knew it (the whole response fitted one message), else -1. end's code is
 * 0 when the response is complete; otherwise an HTTP status (503, 413, ...)
 * saying why it failed, before or after head. The call is freed after
 * end; no event runs after sk_nh_call_cancel. */
struct sk_nh_call_ops {
    void (*head)(void *arg, int status, const char *content_type, long long length);
    void (*data)(void *arg, const void *p, size_t n);
    void (*end)(void *arg, int code, const char *message);
    /* upgraded calls: the input window opened again (may be NULL) */
    void (*input_drain)(void *arg);
};

/* Send a request to the node endpoint at `to` (SK_NH_ENDPOINT, or
 * "peer/core.node-http"). The request is copied. Returns the call or NULL
 * with *err (the bus refused; no event runs). */
struct sk_nh_call *sk_nh_call_start(struct sk_nh_client *c, const char *to,
                                    const struct sk_nh_request *rq,
                                    const struct sk_nh_call_ops *ops, void *arg,
                                    struct sk_error **err);
/* The caller's client took bytes of the data delivered so far (cumulative
 * count); acknowledgements go to the node as the window requires. */
void sk_nh_call_consumed(struct sk_nh_call *call, uint64_t total);
/* Upgraded calls: queue one client frame (1..SK_NH_BODY_CHUNK bytes,
 * copied) for the node; it leaves as the window allows. SK_EINVAL for a
 * bad length, SK_ECLOSED once the call is over. */
sk_err sk_nh_call_input(struct sk_nh_call *call, const void *frame, size_t len);
/* Input queued or not yet taken by the node's plugin: a caller pauses its
 * client above the window and resumes from input_drain. */
size_t sk_nh_call_input_pending(const struct sk_nh_call *call);
/* Stop the call: the node is told (its plugin sees gone), the call freed. */
void sk_nh_call_cancel(struct sk_nh_call *call);
/* Calls open now (tests). */
size_t sk_nh_client_calls(const struct sk_nh_client *c);

/* ---- message bodies (exposed for the fuzzer and tests) ---- */

struct sk_nh_str {
    const char *p; /* into the decoded buffer, not NUL-terminated */
    size_t n;
};

struct sk_nh_body {
    uint64_t sid;
    struct sk_nh_str method, path, query, ctype, message;
    uint64_t blen, window, off, bytes;
    uint64_t upgrade;             /* REQ: 1 for an upgraded (bidirectional) stream */
    int64_t status, code, length; /* length -1 when absent */
    const void *data;             /* body chunk (REQ, BODY) or response bytes (DATA, HEAD) */
    size_t data_len;
    bool has_data; /* HEAD: the whole response came with it */
};

/* Decode the body of a NODE_HTTP_* message of the given type: every field
 * the type requires present with the right type and in range, no
 * duplicate keys, unknown keys skipped, every byte consumed. Strings point
 * into buf. Returns SK_OK or SK_EPROTO with *err. Pure; any thread. */
sk_err sk_nh_decode(uint32_t type, const void *buf, size_t len, struct sk_nh_body *out,
                    struct sk_error **err);

#endif
