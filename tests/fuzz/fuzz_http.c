/* Fuzz target for the HTTP server's connection state machine, without
 * sockets: the first byte seeds how the rest is cut into pieces, the pieces
 * are fed to a memory connection, and the handler answers at once, later,
 * as a stream, with odd headers or not at all, as the request's path says.
 * Besides not crashing, leaking or hanging, everything the server writes
 * must parse as a valid sequence of HTTP/1.1 responses. */
#include <http_parser.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "log.h"
#include "loop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sk_loop *L;
static struct sk_http_server *S;

#define MAXH 8
static struct sk_http_req *held[MAXH];
static bool held_stream[MAXH];
static int nheld;

/* which responses answer HEAD requests, in order (a HEAD response has no
 * body whatever its headers say) */
static bool head_q[4096];
static size_t head_in, head_out;

static void drop_held(struct sk_http_req *r)
{
    for (int i = 0; i < nheld; i++)
        if (held[i] == r) {
            held[i] = held[nheld - 1];
            held_stream[i] = held_stream[nheld - 1];
            nheld--;
            return;
        }
    abort(); /* a close callback for a request we do not hold */
}

static void on_close(struct sk_http_req *r, void *arg)
{
    (void)arg;
    if (!sk_http_req_gone(r) || sk_http_stream_write(r, "x", 1) != -1) abort();
    drop_held(r);
    sk_http_req_abort(r);
}

static void hold(struct sk_http_req *r, bool stream)
{
    if (nheld == MAXH) {
        sk_http_req_abort(r);
        return;
    }
    sk_http_req_on_close(r, on_close, NULL);
    held_stream[nheld] = stream;
    held[nheld++] = r;
}

static void handler(struct sk_http_req *req, void *arg)
{
    (void)arg;
    size_t blen;
    const char *body = sk_http_req_body(req, &blen);
    const char *path = sk_http_req_path(req);
    const char *query = sk_http_req_query(req);
    if (body[blen] || !*path || !sk_http_req_method(req) || !sk_http_req_target(req)) abort();
    for (size_t i = 0; i < sk_http_req_query_count(req); i++) {
        const char *n, *v;
        sk_http_req_query_at(req, i, &n, &v);
        if (!n || !v || sk_http_req_query_param(req, n) == NULL) abort();
    }
    for (size_t i = 0; i < sk_http_req_header_count(req); i++) {
        const char *n, *v;
        sk_http_req_header_at(req, i, &n, &v);
        if (!n || !v || !sk_http_req_header(req, n)) abort();
    }
    sk_http_req_header_nth(req, "x", 1);
    if (head_in < sizeof(head_q)) head_q[head_in++] = !strcmp(sk_http_req_method(req), "HEAD");
    switch (path[1]) {
    case 'a': hold(req, false); break;
    case 's':
        if (sk_http_stream_begin(req, path[2] == 'n' ? 204 : 200, "text/plain")) abort();
        sk_http_stream_write(req, body, blen);
        hold(req, true);
        break;
    case 'h':
        sk_http_req_add_header(req, query, body);
        sk_http_respond(req, 200, query, NULL, body, blen);
        break;
    case 'x': sk_http_respond(req, 200, NULL, query, body, blen); break;
    case 'n': sk_http_respond(req, path[2] == '3' ? 304 : 204, NULL, NULL, body, blen); break;
    case 'q': sk_http_respond(req, (int)blen * 37, "a/b", NULL, body, blen); break;
    case 'b': sk_http_req_abort(req); break;
    default: sk_http_respond(req, 200, "application/octet-stream", NULL, body, blen); break;
    }
}

/* ---- the oracle: parse the output as responses ---- */

static http_parser rp;
static bool rp_dead;

static int r_headers(http_parser *p)
{
    if (p->status_code < 200) return 0;
    bool head = head_out < head_in && head_q[head_out];
    head_out++;
    return head ? 1 : 0;
}

static const http_parser_settings rsettings = {.on_headers_complete = r_headers};

static void check_output(struct sk_http_conn *c)
{
    size_t n;
    const char *out = sk_http_mem_conn_output(c, &n);
    if (n && !rp_dead) {
        size_t done = http_parser_execute(&rp, &rsettings, out, n);
        enum http_errno e = HTTP_PARSER_ERRNO(&rp);
        if (e == HPE_CLOSED_CONNECTION) {
            rp_dead = true; /* bytes after a message that ended the connection */
            fprintf(stderr, "output after the connection should have closed\n");
            abort();
        }
        if (e != HPE_OK || done != n) {
            fprintf(stderr, "invalid response stream: %s\n%.*s\n", http_errno_name(e), (int)n, out);
            abort();
        }
    }
    sk_http_mem_conn_clear_output(c);
}

/* The owner gets round to the oldest held request. */
static void answer_one(uint32_t r)
{
    if (!nheld) return;
    struct sk_http_req *q = held[0];
    bool stream = held_stream[0];
    drop_held(q);
    if (!stream)
        sk_http_respond(q, 200 + (int)(r % 3), "text/plain", "X-Late: 1\r\n", "late", 4);
    else if (r & 1)
        sk_http_stream_end(q);
    else if (r & 2)
        sk_http_req_abort(q);
    else {
        sk_http_stream_write(q, "more", 4);
        sk_http_stream_end(q);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!L) {
        sk_log_set_level(-1); /* the handler's bad responses are logged as errors */
        L = sk_loop_new();
        struct sk_http_limits lim = {
                .max_header_bytes = 2048, .max_uri_bytes = 512, .max_body_bytes = 4096};
        S = sk_http_server_new(L, NULL, NULL, handler, NULL, &lim, NULL);
    }
    if (!size) return 0;
    uint32_t seed = data[0] * 2654435761u + 1;
    data++;
    size--;
    nheld = 0;
    head_in = head_out = 0;
    rp_dead = false;
    http_parser_init(&rp, HTTP_RESPONSE);
    struct sk_http_conn *c = sk_http_mem_conn_new(S);
    size_t off = 0;
    while (off < size) {
        seed = seed * 1103515245u + 12345u;
        uint32_t r = seed >> 8;
        size_t left = size - off;
        size_t n = (r & 3) == 0 ? left : 1 + (r >> 2) % (left < 97 ? left : 97);
        sk_http_mem_conn_feed(c, data + off, n);
        off += n;
        if (r & 0x10000) {
            answer_one(r >> 17);
            sk_http_mem_conn_feed(c, NULL, 0);
        }
        check_output(c);
    }
    while (nheld && (seed & 1)) {
        answer_one(seed >>= 1);
        sk_http_mem_conn_feed(c, NULL, 0);
        check_output(c);
    }
    check_output(c);
    sk_http_mem_conn_free(c); /* the close callbacks end what is still held */
    if (nheld) abort();
    return 0;
}
