/* The HTTP/1.1 server under the Kubernetes API: HTTPS (or plain HTTP for
 * tests) on the loop thread, non-blocking from accept to the last byte, with
 * keep-alive, sequential pipelining, chunked request bodies, streaming
 * (chunked) responses for watches, and limits that turn abusive clients away
 * without hurting the rest.
 *
 * Threads: every function here runs on the loop thread.
 *
 * Requests and who owns them
 * - The handler is called once per request, when its headers and whole body
 *   have arrived. From then on the request belongs to the handler's side
 *   (the "owner") until the owner ends it with exactly one of
 *   sk_http_respond, sk_http_stream_end (after sk_http_stream_begin) or
 *   sk_http_req_abort. The pointer is dead once that call returns. The
 *   owner may end it inside the handler or any time later.
 * - If the client goes away (or the server is freed) first, the close
 *   callback set with sk_http_req_on_close runs, once, on the loop; never
 *   from inside an sk_http_* call the owner is making, except
 *   sk_http_server_free. The request stays valid after that: sk_http_respond
 *   and sk_http_stream_* on it do nothing, sk_http_stream_write returns -1,
 *   and the owner must still end it (sk_http_req_abort is the usual call,
 *   from the close callback or later). No close callback runs after the
 *   owner ended the request.
 * - While a request is owned, the connection reads no further request
 *   (pipelined requests wait). The transport sets no deadline on the owner:
 *   the API applies its own request timeouts.
 *
 * Errors the transport answers itself (400 malformed, 408 slow headers, 413
 * body over the limit, 414 URI too long, 417 unknown Expect, 431 headers too
 * large, 503 over the connection limit) close the connection after the
 * response. Their body comes from the error hook (sk_http_server_set_error_fn)
 * so the API can send a Kubernetes Status object.
 *
 * TLS is mbedtls 2.28, so TLS 1.2 only (no 1.3 in that library); each
 * connection costs mbedtls's two record buffers (2 x 16.3 KiB) for its
 * whole life, plus a read-ahead buffer of ours only while it reads.
 *
 * Every send(2), TLS records included, uses MSG_NOSIGNAL: a client that
 * went away raises no SIGPIPE here (the agent ignores it anyway). */
#ifndef SK_HTTP_H
#define SK_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

struct sk_loop;
struct sk_http_server;
struct sk_http_req;
struct sk_buf;
struct sk_tls_server;

/* Limits; a field left 0 takes its default (see sk_http_limits_default). */
struct sk_http_limits {
    size_t max_header_bytes;  /* request line + headers; 64 KiB; over: 431 */
    size_t max_uri_bytes;     /* request-target; 16 KiB; over: 414 */
    size_t max_body_bytes;    /* 3 MiB; over: 413 */
    int max_conns;            /* open connections; 1024; over: 503 then close */
    double header_timeout;    /* TLS handshake, and first byte to end of headers;
                                 10 s; over: 408 (slowloris) */
    double body_timeout;      /* end of headers to end of body; 60 s; over: 408 */
    double idle_timeout;      /* keep-alive connection with nothing to do; 90 s */
    double write_timeout;     /* output pending and none of it sent; 60 s */
    size_t max_out_bytes;     /* output buffered for one connection... 16 MiB */
    double out_limit_timeout; /* ...for longer than this closes it; 60 s */
};

/* Fill l with the defaults above. */
void sk_http_limits_default(struct sk_http_limits *l);

/* A complete request, on the loop thread. The handler now owns req (see
 * the top of this file). */
typedef void (*sk_http_handler_fn)(struct sk_http_req *req, void *arg);

/* The client went away while the owner still held req; see the top. */
typedef void (*sk_http_close_fn)(struct sk_http_req *req, void *arg);

/* Body for an error the transport answers itself: status is 400..503 and
 * message a lowercase phrase ("request header fields too large"). Return a
 * malloc'd body of *len bytes (the server frees it) and set *content_type
 * to a static string, or return NULL for the default text/plain body. */
typedef char *(*sk_http_error_fn)(int status, const char *message, const char **content_type,
                                  size_t *len, void *arg);

/* Listen on `listen` ("127.0.0.1:6443", "[::1]:6443", "0.0.0.0:6443"; port
 * 0 picks a free port, see sk_http_server_port; a host name is resolved
 * with getaddrinfo and may block) and serve HTTPS with tls, or plain HTTP
 * when tls is NULL. The server takes its own reference to tls, from
 * sk_tls_server_new (its ALPN selects "http/1.1" only, so Go clients
 * offering h2 speak HTTP/1.1 here), and every connection takes one for
 * as long as it lives. limits may be NULL (defaults). listen may be NULL:
 * no socket at all, only memory connections (sk_http_mem_conn_new) for
 * tests and fuzzing. Returns the server (free with sk_http_server_free) or
 * NULL with *err. Loop thread. */
struct sk_http_server *sk_http_server_new(struct sk_loop *loop, const char *listen,
                                          struct sk_tls_server *tls, sk_http_handler_fn handler,
                                          void *arg, const struct sk_http_limits *limits,
                                          struct sk_error **err);

/* Close the listener and every connection (close callbacks of owned
 * requests run inside this call; those requests stay valid until their
 * owners end them, see the top) and free the server. Memory connections
 * must be freed first. NULL ok. Loop thread, not from a handler. */
void sk_http_server_free(struct sk_http_server *srv);

/* The TCP port the server listens on (the one picked for port 0); 0 for a
 * server without a socket. */
int sk_http_server_port(const struct sk_http_server *srv);

/* Use fn for the bodies of the transport's own error responses. */
void sk_http_server_set_error_fn(struct sk_http_server *srv, sk_http_error_fn fn, void *arg);

/* The body limit of one request, asked once its headers are in (the
 * request's method, path and headers may be read; nothing else): an
 * authenticated nodes/proxy request takes larger bodies than objects. 0
 * keeps limits.max_body_bytes. */
typedef size_t (*sk_http_body_limit_fn)(const struct sk_http_req *req, void *arg);
void sk_http_server_set_body_limit_fn(struct sk_http_server *srv, sk_http_body_limit_fn fn,
                                      void *arg);

/* Serve new connections with tls from now on (a renewed certificate);
 * connections already open keep theirs (each holds a reference to the
 * one it was accepted with). Takes a reference to tls and drops the one
 * to the previous; tls may be NULL (plain HTTP from now on). */
void sk_http_server_set_tls(struct sk_http_server *srv, struct sk_tls_server *tls);

struct sk_http_stats {
    uint64_t conns_accepted;    /* accepted since start (refused ones too) */
    uint64_t conns_refused;     /* turned away over max_conns */
    uint64_t conns_failed;      /* closed on an error: TLS handshake, bad request,
                                   limit, timeout, slow reader, I/O error */
    uint64_t conns_open;        /* open now */
    uint64_t requests;          /* handed to the handler */
    uint64_t requests_rejected; /* answered by the transport (4xx, 503) */
    uint64_t streams_open;      /* streaming responses open now */
    uint64_t bytes_in;          /* request bytes (after TLS) */
    uint64_t bytes_out;         /* response bytes (before TLS) */
    /* Answers (sk_http_respond*, not streams) by server-side latency, the
     * Kubernetes API SLO's measure: from the request's last byte read to
     * the response's last byte handed to the kernel. Bucket i holds
     * [2^(i/8) * (8 + i%8) / 8, the next) microseconds. */
#define SK_HTTP_LAT_BUCKETS 256
    uint64_t latency[SK_HTTP_LAT_BUCKETS];
};

/* The q-quantile (0..1) of a latency histogram (such as the difference of
 * two sk_http_stats.latency snapshots) in seconds, as its bucket's upper
 * bound; 0 for an empty one. */
double sk_http_lat_quantile(const uint64_t *hist, double q);

/* Counters since the server started. */
void sk_http_server_stats(const struct sk_http_server *srv, struct sk_http_stats *out);

/* ---- the request: every string below is NUL-terminated and lives as long
 * as the request ---- */

const char *sk_http_req_method(const struct sk_http_req *req); /* "GET" */
/* The request-target as sent ("/api/v1/pods?watch=1"). */
const char *sk_http_req_target(const struct sk_http_req *req);
/* The path, percent-decoded (%2F becomes '/'), not normalised. */
const char *sk_http_req_path(const struct sk_http_req *req);
/* The raw query string, without '?'; "" when there is none. */
const char *sk_http_req_query(const struct sk_http_req *req);
/* The first value of query parameter name, decoded ('+' is a space); ""
 * for "?name" or "?name="; NULL when absent. */
const char *sk_http_req_query_param(const struct sk_http_req *req, const char *name);
/* Decoded query parameters in order, for repeated names. */
size_t sk_http_req_query_count(const struct sk_http_req *req);
void sk_http_req_query_at(const struct sk_http_req *req, size_t i, const char **name,
                          const char **value);
/* The first value of header name (case-insensitive), NULL when absent. */
const char *sk_http_req_header(const struct sk_http_req *req, const char *name);
/* The n-th (0-based) value of a repeated header, NULL past the last. */
const char *sk_http_req_header_nth(const struct sk_http_req *req, const char *name, size_t n);
/* All headers in the order received (names as sent). */
size_t sk_http_req_header_count(const struct sk_http_req *req);
void sk_http_req_header_at(const struct sk_http_req *req, size_t i, const char **name,
                           const char **value);
/* The body (NUL-terminated; may contain NULs); "" and 0 when there is none. */
const char *sk_http_req_body(const struct sk_http_req *req, size_t *len);
/* "127.0.0.1:50412", "[::1]:50412", or "mem" for a memory connection. */
const char *sk_http_req_remote(const struct sk_http_req *req);
bool sk_http_req_is_tls(const struct sk_http_req *req);
/* 10 for HTTP/1.0, 11 for HTTP/1.1. */
int sk_http_req_version(const struct sk_http_req *req);
/* Loop time (sk_loop_now) at which the request's first byte arrived. */
double sk_http_req_started(const struct sk_http_req *req);
/* True once the client went away (the close callback ran or is due). */
bool sk_http_req_gone(const struct sk_http_req *req);

/* Call fn(req, arg) if the client goes away while the owner holds req. */
void sk_http_req_on_close(struct sk_http_req *req, sk_http_close_fn fn, void *arg);

/* Add a response header (Warning, Audit-Id, Cache-Control, ...) sent with
 * the response or stream head. SK_EINVAL when name is not an HTTP token,
 * is Content-Length, Transfer-Encoding or Connection (the transport writes
 * those, and Date), or value holds a control character other than HTAB;
 * SK_EINVAL too once the head was sent. */
sk_err sk_http_req_add_header(struct sk_http_req *req, const char *name, const char *value);

/* Send the whole response and end the owner's use of req. status is
 * 200..599. content_type may be NULL (no header). extra_headers is NULL or
 * complete "Name: value\r\n" lines, checked like sk_http_req_add_header.
 * A bad status, content type or header line sends a 500 instead (and logs
 * an error: it is a bug in the caller). body is copied; HEAD gets the
 * headers only, 204 and 304 never carry a body. */
void sk_http_respond(struct sk_http_req *req, int status, const char *content_type,
                     const char *extra_headers, const void *body, size_t len);

/* ---- bodies built off the loop (LIST answers): any thread ----
 * sk_http_body_init starts b as a body buffer: SK_HTTP_HEADROOM bytes in
 * front (b->len starts there) leave room for the head, and a big buffer
 * comes from a small pool of recycled ones, so megabyte answers neither
 * fault in fresh pages nor get copied. hint is the expected body size. */
#define SK_HTTP_HEADROOM 1024
void sk_http_body_init(struct sk_buf *b, size_t hint); /* b empty or zeroed */
/* Give b's storage back (a body that is not sent); b is left empty. */
void sk_http_body_release(struct sk_buf *b);
/* Free the recycled buffers now (idle ones also go after 10 s, or when
 * a server has no connection left). */
void sk_http_pool_trim(void);

/* sk_http_respond with the body b->p[SK_HTTP_HEADROOM..b->len) of a buffer
 * from sk_http_body_init, which it takes (b is left empty). Loop thread. */
void sk_http_respond_buf(struct sk_http_req *req, int status, const char *content_type,
                         const char *extra_headers, struct sk_buf *body);

/* Start a streaming response: the head now, the body as chunks (HTTP/1.0
 * clients get a raw body ended by closing the connection). SK_EINVAL if
 * the head was already sent or status (200..599) or content_type is bad,
 * SK_ECLOSED if the client is gone; req is still the owner's to end. */
sk_err sk_http_stream_begin(struct sk_http_req *req, int status, const char *content_type);

/* Queue data as one chunk and try to send it. Returns the bytes now waiting
 * in this connection's output buffer (0 when everything went out), so the
 * owner can hold back or drop a slow reader; -1 when the client is gone or
 * no stream was begun. len 0 is a no-op. */
ssize_t sk_http_stream_write(struct sk_http_req *req, const void *data, size_t len);

/* Finish the stream (the terminating chunk) and end the owner's use of req.
 * On a request without sk_http_stream_begin this is sk_http_req_abort. */
void sk_http_stream_end(struct sk_http_req *req);

/* End the owner's use of req without a complete response: a request that
 * was never answered or a stream cut short closes its connection (the
 * client sees the connection end). Also the way to release a request after
 * its close callback. */
void sk_http_req_abort(struct sk_http_req *req);

/* ---- upgraded connections (HTTP/1.1 Upgrade; http_upgrade.c builds
 * WebSocket on these) ----
 * The client's bytes after the request, in order, on the loop. The handler
 * may call sk_http_raw_write, sk_http_raw_pause and sk_http_req_abort. */
typedef void (*sk_http_raw_fn)(struct sk_http_req *req, const void *data, size_t len, void *arg);

/* Answer an owned request that asked to upgrade (Connection: Upgrade)
 * with "101 Switching Protocols", "Connection: Upgrade", the headers added
 * so far and extra_headers (complete "Name: value\r\n" lines: Upgrade,
 * Sec-WebSocket-Accept, ...), then hand every byte the client sends from
 * now on to fn. The owner still ends req, with sk_http_req_abort (output
 * queued by then still goes out, then the connection closes); the close
 * callback tells it that the client went away. SK_EINVAL when req is not
 * an owned upgrade request or a header line is bad, SK_ECLOSED when the
 * client is gone. */
sk_err sk_http_upgrade(struct sk_http_req *req, const char *extra_headers, sk_http_raw_fn fn,
                       void *arg);
/* Queue bytes on an upgraded connection and try to send them. Returns the
 * bytes waiting in the connection's output (0 when all went out), or -1
 * when the client is gone or req is not upgraded. len 0 only asks. */
ssize_t sk_http_raw_write(struct sk_http_req *req, const void *data, size_t len);
/* Stop (true) or resume (false) reading the client's bytes: the way an
 * owner whose consumer is slow pushes back on the client (TCP fills up). */
void sk_http_raw_pause(struct sk_http_req *req, bool paused);

/* ---- memory connections: the whole connection state machine without a
 * socket, for unit tests and fuzzing ---- */

struct sk_http_conn;

/* A connection on srv fed from memory; its output is collected. */
struct sk_http_conn *sk_http_mem_conn_new(struct sk_http_server *srv);
/* Process data as if it had just been read from the socket; handlers run
 * inside this call. len 0 lets a connection parse input it held back while
 * a request was owned (after an asynchronous response). */
void sk_http_mem_conn_feed(struct sk_http_conn *c, const void *data, size_t len);
/* Everything the connection wrote so far (not NUL-terminated). */
const char *sk_http_mem_conn_output(const struct sk_http_conn *c, size_t *len);
void sk_http_mem_conn_clear_output(struct sk_http_conn *c);
/* True once the server closed the connection (or decided to, after its
 * output). */
bool sk_http_mem_conn_closed(const struct sk_http_conn *c);
/* Close (close callbacks of an owned request run) and free. NULL ok. */
void sk_http_mem_conn_free(struct sk_http_conn *c);

#endif
