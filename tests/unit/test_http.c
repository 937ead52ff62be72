/* The HTTP server: the parser and responses on memory connections, then the
 * same server on 127.0.0.1 driven by real clients (libcurl, raw sockets) in
 * a thread while the test thread runs the loop: bodies, keep-alive,
 * pipelining, chunked uploads, async answers, streams read incrementally,
 * disconnects, limits, slow clients, 200 open streams; every socket test
 * runs over plain HTTP and over TLS with a CA from core/tls.c (the server's
 * TLS is mbedtls; the clients are OpenSSL, libcurl's and our own, so each
 * side is checked by an independent implementation). Every wait
 * has a deadline. Client threads never call cmocka: they record results
 * that the test thread checks after joining them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "log.h"
#include "loop.h"
#include "tls.h"
#include "val.h"

static struct sk_loop *L;
static struct sk_http_server *S;
static struct curl_slist *resolve_list;
static bool use_tls;
static struct sk_tls_server *srv_tls;
static SSL_CTX *cli_ctx;
static struct sk_tls *pki;
static char pki_dir[64];
static int port;

/* ---- the handler and what it saw (loop thread) ---- */

#define MAXS 256
static struct sk_http_req *streams[MAXS], *floods[8], *pending[8];
static int nstreams, nfloods, npending, stream_closed, flood_closed, nhandled;
static bool async_manual;
static struct sk_timer *async_timer, *flood_timer;

static struct {
    char method[16], target[256], path[128], query[128], qx[32], qy[32], qz[32], qe[32];
    char rep1[32], trail[32], body[64];
    size_t nq, blen;
    int version;
    const char *qmissing;
} seen;

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "(null)");
}

static void remove_from(struct sk_http_req **list, int *n, struct sk_http_req *r)
{
    for (int i = 0; i < *n; i++)
        if (list[i] == r) {
            list[i] = list[--*n];
            return;
        }
}

static void on_stream_close(struct sk_http_req *r, void *arg)
{
    (void)arg;
    assert_true(sk_http_req_gone(r));
    assert_int_equal(sk_http_stream_write(r, "x", 1), -1);
    remove_from(streams, &nstreams, r);
    stream_closed++;
    sk_http_req_abort(r);
}

static void on_flood_close(struct sk_http_req *r, void *arg)
{
    (void)arg;
    remove_from(floods, &nfloods, r);
    flood_closed++;
    sk_http_req_abort(r);
}

static void answer_pending(void *arg)
{
    (void)arg;
    async_timer = NULL;
    for (int i = 0; i < npending; i++)
        sk_http_respond(pending[i], 200, "text/plain", NULL, "async\n", 6);
    npending = 0;
}

static void flood(void *arg)
{
    (void)arg;
    static char chunk[64 * 1024];
    memset(chunk, 'f', sizeof(chunk));
    for (int i = 0; i < nfloods; i++)
        if (sk_http_stream_write(floods[i], chunk, 0) < 1024 * 1024)
            sk_http_stream_write(floods[i], chunk, sizeof(chunk));
}

static void handler(struct sk_http_req *req, void *arg)
{
    (void)arg;
    nhandled++;
    const char *p = sk_http_req_path(req);
    size_t blen;
    const char *body = sk_http_req_body(req, &blen);
    if (!strcmp(p, "/hello")) {
        assert_int_equal(sk_http_req_add_header(req, "Audit-Id", "a-1"), SK_OK);
        assert_int_equal(sk_http_req_add_header(req, "Bad", "x\r\ny: z"), SK_EINVAL);
        assert_int_equal(sk_http_req_add_header(req, "Content-Length", "1"), SK_EINVAL);
        sk_http_respond(req, 200, "text/plain", "Cache-Control: no-cache, private\r\n", "hello\n",
                        6);
    } else if (!strcmp(p, "/echo")) {
        char extra[128];
        snprintf(extra, sizeof(extra), "X-Method: %s\r\nX-Len: %zu\r\n", sk_http_req_method(req),
                 blen);
        sk_http_respond(req, 200, "application/octet-stream", extra, body, blen);
    } else if (!strcmp(p, "/async")) {
        pending[npending++] = req;
        if (!async_manual && !async_timer)
            async_timer = sk_timer_add(L, 0.05, 0, answer_pending, NULL);
    } else if (!strcmp(p, "/stream")) {
        assert_int_equal(sk_http_stream_begin(req, 200, "application/json"), SK_OK);
        assert_int_equal(sk_http_stream_begin(req, 200, "application/json"), SK_EINVAL);
        sk_http_stream_write(req, "{\"n\":0}\n", 8);
        sk_http_req_on_close(req, on_stream_close, NULL);
        streams[nstreams++] = req;
    } else if (!strcmp(p, "/flood")) {
        sk_http_stream_begin(req, 200, "text/plain");
        sk_http_req_on_close(req, on_flood_close, NULL);
        floods[nfloods++] = req;
        if (!flood_timer) flood_timer = sk_timer_add(L, 0.005, 0.005, flood, NULL);
    } else if (!strcmp(p, "/big")) {
        char *big = malloc(4 << 20);
        memset(big, 'b', 4 << 20);
        sk_http_respond(req, 200, "text/plain", NULL, big, 4 << 20);
        free(big);
    } else if (!strncmp(p, "/buf/", 5)) {
        /* /buf/N: N bytes of a pattern from a body buffer; ?h=K adds a
         * K-byte header, more than the headroom holds when K is big */
        size_t n = strtoul(p + 5, NULL, 10);
        const char *h = sk_http_req_query_param(req, "h");
        if (h) {
            size_t k = strtoul(h, NULL, 10);
            char *v = malloc(k + 1);
            memset(v, 'v', k);
            v[k] = 0;
            assert_int_equal(sk_http_req_add_header(req, "X-Long", v), SK_OK);
            free(v);
        }
        struct sk_buf b = {0};
        sk_http_body_init(&b, n);
        assert_int_equal(b.len, SK_HTTP_HEADROOM);
        for (size_t i = 0; i < n; i++)
            sk_buf_putc(&b, (char)('A' + i % 23));
        sk_http_respond_buf(req, 200, "text/plain", "X-Buf: yes\r\n", &b);
        assert_null(b.p);
    } else if (!strcmp(p, "/nocontent")) {
        sk_http_respond(req, 204, NULL, NULL, "ignored", 7);
    } else if (!strcmp(p, "/badextra")) {
        sk_http_respond(req, 200, "text/plain", "Set-Thing: a\r\nbroken\r\n", "x", 1);
    } else {
        copy(seen.method, sizeof(seen.method), sk_http_req_method(req));
        copy(seen.target, sizeof(seen.target), sk_http_req_target(req));
        copy(seen.path, sizeof(seen.path), p);
        copy(seen.query, sizeof(seen.query), sk_http_req_query(req));
        copy(seen.qx, sizeof(seen.qx), sk_http_req_query_param(req, "x"));
        copy(seen.qy, sizeof(seen.qy), sk_http_req_query_param(req, "y"));
        copy(seen.qz, sizeof(seen.qz), sk_http_req_query_param(req, "z"));
        copy(seen.qe, sizeof(seen.qe), sk_http_req_query_param(req, "e"));
        seen.qmissing = sk_http_req_query_param(req, "nope");
        seen.nq = sk_http_req_query_count(req);
        copy(seen.rep1, sizeof(seen.rep1), sk_http_req_header_nth(req, "x-rep", 1));
        copy(seen.trail, sizeof(seen.trail), sk_http_req_header(req, "X-TRAIL"));
        copy(seen.body, sizeof(seen.body), body);
        seen.blen = blen;
        seen.version = sk_http_req_version(req);
        sk_http_respond(req, 200, "text/plain", NULL, "info\n", 5);
    }
}

static char *status_json(int status, const char *message, const char **ctype, size_t *len,
                         void *arg)
{
    (void)arg;
    *ctype = "application/json";
    char *b = NULL;
    int n = asprintf(&b,
                     "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                     "\"message\":\"%s\",\"code\":%d}",
                     message, status);
    *len = (size_t)n;
    return b;
}

/* ---- servers ---- */

static void reset_handler_state(void)
{
    nstreams = nfloods = npending = stream_closed = flood_closed = nhandled = 0;
    async_manual = false;
    memset(&seen, 0, sizeof(seen));
}

static void stop_server(void)
{
    sk_timer_cancel(flood_timer);
    flood_timer = NULL;
    sk_http_server_free(S); /* close callbacks end the streams */
    S = NULL;
    sk_timer_cancel(async_timer);
    async_timer = NULL;
    for (int i = 0; i < npending; i++)
        sk_http_req_abort(pending[i]);
    npending = 0;
    assert_int_equal(nstreams, 0);
    assert_int_equal(nfloods, 0);
}

static void start_server_with(const char *listen, const struct sk_http_limits *lim,
                              struct sk_tls_server *tls)
{
    if (S) stop_server();
    reset_handler_state();
    struct sk_error *err = NULL;
    S = sk_http_server_new(L, listen, tls, handler, NULL, lim, &err);
    if (!S) fail_msg("server: %s", sk_error_msg(err, SK_EINTERNAL));
    sk_http_server_set_error_fn(S, status_json, NULL);
    port = sk_http_server_port(S);
    /* curl resolves these names to the server without DNS */
    char entry[64];
    curl_slist_free_all(resolve_list);
    snprintf(entry, sizeof(entry), "localhost:%d:127.0.0.1", port);
    resolve_list = curl_slist_append(NULL, entry);
    snprintf(entry, sizeof(entry), "wrong.example:%d:127.0.0.1", port);
    resolve_list = curl_slist_append(resolve_list, entry);
}

static void start_server_at(const char *listen, const struct sk_http_limits *lim)
{
    start_server_with(listen, lim, use_tls ? srv_tls : NULL);
}

static void start_server(const struct sk_http_limits *lim)
{
    start_server_at("127.0.0.1:0", lim);
}

static struct sk_http_stats stats(void)
{
    struct sk_http_stats s;
    sk_http_server_stats(S, &s);
    return s;
}

/* ---- running the loop against a client thread ---- */

static atomic_int cli_done, phase;
static pthread_t cli_thread;
static void (*cli_body)(void *);
static void *cli_arg;
static void (*step)(void);
static bool timed_out;

static void *cli_main(void *a)
{
    (void)a;
    cli_body(cli_arg);
    atomic_store(&cli_done, 1);
    return NULL;
}

static void on_deadline(void *a)
{
    (void)a;
    timed_out = true;
}

static void on_tick(void *a)
{
    (void)a;
}

/* Run the loop until the client (if any) has finished and pred() holds;
 * step() runs on the loop thread after every iteration. */
static void run(void (*client)(void *), void *arg, bool (*pred)(void), double secs)
{
    atomic_store(&cli_done, client ? 0 : 1);
    atomic_store(&phase, 0);
    if (client) {
        cli_body = client;
        cli_arg = arg;
        assert_int_equal(pthread_create(&cli_thread, NULL, cli_main, NULL), 0);
    }
    timed_out = false;
    struct sk_timer *dl = sk_timer_add(L, secs, 0, on_deadline, NULL);
    struct sk_timer *tk = sk_timer_add(L, 0.005, 0.005, on_tick, NULL);
    while (!timed_out && !(atomic_load(&cli_done) && (!pred || pred()))) {
        sk_loop_run_once(L, true);
        if (step) step();
    }
    /* a client stuck on a bug still has socket timeouts: let it end */
    while (!atomic_load(&cli_done))
        sk_loop_run_once(L, true);
    sk_timer_cancel(tk);
    if (!timed_out) sk_timer_cancel(dl);
    step = NULL;
    if (client) pthread_join(cli_thread, NULL);
    if (timed_out) fail_msg("timed out");
}

/* Let the loop turn for a while (reaps, timers). */
static void settle(double secs)
{
    struct sk_timer *dl = sk_timer_add(L, secs, 0, on_deadline, NULL);
    timed_out = false;
    while (!timed_out)
        sk_loop_run_once(L, true);
    (void)dl;
}

static void wait_phase(int want)
{
    for (int i = 0; i < 2000 && atomic_load(&phase) < want; i++)
        usleep(5000);
}

/* ---- raw client: TCP or TLS, blocking with timeouts ---- */

struct rc {
    int fd;
    SSL *ssl;
};

/* Connect; with ctx, also a TLS handshake that verifies "localhost",
 * resuming sess when given. */
static bool rc_open_ctx(struct rc *c, SSL_CTX *ctx, SSL_SESSION *sess, int rcvbuf)
{
    memset(c, 0, sizeof(*c));
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct timeval tv = {.tv_sec = 5};
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (rcvbuf) setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c->fd, (struct sockaddr *)&a, sizeof(a))) return false;
    if (!ctx) return true;
    c->ssl = SSL_new(ctx);
    SSL_set_fd(c->ssl, c->fd);
    SSL_set_tlsext_host_name(c->ssl, "localhost");
    SSL_set1_host(c->ssl, "localhost");
    if (sess) SSL_set_session(c->ssl, sess);
    bool ok = SSL_connect(c->ssl) == 1;
    ERR_clear_error();
    return ok;
}

static bool rc_open_opt(struct rc *c, int rcvbuf)
{
    return rc_open_ctx(c, use_tls ? cli_ctx : NULL, NULL, rcvbuf);
}

static bool rc_open(struct rc *c)
{
    return rc_open_opt(c, 0);
}

static bool rc_send(struct rc *c, const void *d, size_t n)
{
    const char *p = d;
    while (n) {
        ssize_t w = c->ssl ? SSL_write(c->ssl, p, (int)n) : send(c->fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

static bool rc_sends(struct rc *c, const char *s)
{
    return rc_send(c, s, strlen(s));
}

/* One read: >0 bytes, 0 at end of stream, -1 on error or timeout. */
static ssize_t rc_recv(struct rc *c, char *buf, size_t n)
{
    if (!c->ssl) return recv(c->fd, buf, n, 0);
    int r = SSL_read(c->ssl, buf, (int)n);
    if (r > 0) return r;
    int e = SSL_get_error(c->ssl, r);
    ERR_clear_error();
    return e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && errno == 0) ? 0 : -1;
}

/* Read until the peer closes; returns the bytes read; *eof tells a clean end. */
static size_t rc_read_all(struct rc *c, char *buf, size_t cap, bool *eof)
{
    size_t got = 0;
    *eof = false;
    for (;;) {
        ssize_t n = rc_recv(c, buf + got, cap - got - 1);
        if (n == 0) *eof = true;
        if (n <= 0) break;
        got += (size_t)n;
        if (got + 1 >= cap) break;
    }
    buf[got] = 0;
    return got;
}

/* Read until buf holds `want` somewhere. */
static bool rc_read_until(struct rc *c, char *buf, size_t cap, size_t *got, const char *want)
{
    while (!strstr(buf, want)) {
        ssize_t n = rc_recv(c, buf + *got, cap - *got - 1);
        if (n <= 0) return false;
        *got += (size_t)n;
        buf[*got] = 0;
    }
    return true;
}

static void rc_close(struct rc *c)
{
    if (c->ssl) SSL_free(c->ssl);
    if (c->fd >= 0) close(c->fd);
    c->ssl = NULL;
    c->fd = -1;
}

/* ---- curl client ---- */

struct cres {
    CURLcode rc;
    long status, version;
    char *body;
    size_t len;
    char hdr[4096];
    double secs;
};

static size_t cres_body(char *p, size_t sz, size_t n, void *ud)
{
    struct cres *r = ud;
    r->body = realloc(r->body, r->len + sz * n + 1);
    memcpy(r->body + r->len, p, sz * n);
    r->len += sz * n;
    r->body[r->len] = 0;
    return sz * n;
}

static size_t cres_hdr(char *p, size_t sz, size_t n, void *ud)
{
    struct cres *r = ud;
    size_t have = strlen(r->hdr);
    if (have + sz * n < sizeof(r->hdr)) {
        memcpy(r->hdr + have, p, sz * n);
        r->hdr[have + sz * n] = 0;
    }
    return sz * n;
}

static CURL *curl_new(void)
{
    CURL *h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 15L);
    curl_easy_setopt(h, CURLOPT_RESOLVE, resolve_list);
    if (use_tls) curl_easy_setopt(h, CURLOPT_CAINFO, pki->ca_cert);
    return h;
}

static void url(char *buf, size_t n, const char *host, const char *path)
{
    snprintf(buf, n, "%s://%s:%d%s", use_tls ? "https" : "http", host, port, path);
}

static void curl_go(CURL *h, const char *path, struct cres *r)
{
    char u[256];
    url(u, sizeof(u), "localhost", path);
    memset(r, 0, sizeof(*r));
    curl_easy_setopt(h, CURLOPT_URL, u);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, cres_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, cres_hdr);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    r->rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_getinfo(h, CURLINFO_HTTP_VERSION, &r->version);
    curl_easy_getinfo(h, CURLINFO_TOTAL_TIME, &r->secs);
}

static void cres_free(struct cres *r)
{
    free(r->body);
    r->body = NULL;
}

/* ---- memory connections ---- */

static struct sk_http_conn *mc;

static void mem_start(const struct sk_http_limits *lim)
{
    start_server_at(NULL, lim);
    mc = sk_http_mem_conn_new(S);
}

static void mem_stop(void)
{
    sk_http_mem_conn_free(mc);
    mc = NULL;
    stop_server();
}

static const char *mem_feed(const char *s)
{
    sk_http_mem_conn_feed(mc, s, strlen(s));
    size_t n;
    const char *out = sk_http_mem_conn_output(mc, &n);
    static char copy_[1 << 16];
    n = n < sizeof(copy_) - 1 ? n : sizeof(copy_) - 1;
    memcpy(copy_, out, n);
    copy_[n] = 0;
    return copy_;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

static void test_mem_request_parts(void **state)
{
    (void)state;
    mem_start(NULL);
    const char *out =
            mem_feed("GET /info/a%2Fb%20c?x=1&y=hello+world%21&x=2&z&e=%zz&&=v HTTP/1.1\r\n"
                     "Host: h\r\nX-Rep: 1\r\nx-rep: 2\r\nX-Trail: v  \r\nX-Empty:\r\n\r\n");
    assert_non_null(strstr(out, "HTTP/1.1 200 OK\r\n"));
    assert_non_null(strstr(out, "Content-Length: 5\r\n"));
    assert_non_null(strstr(out, "Date: "));
    assert_string_equal(seen.method, "GET");
    assert_string_equal(seen.path, "/info/a/b c");
    assert_string_equal(seen.target, "/info/a%2Fb%20c?x=1&y=hello+world%21&x=2&z&e=%zz&&=v");
    assert_string_equal(seen.query, "x=1&y=hello+world%21&x=2&z&e=%zz&&=v");
    assert_string_equal(seen.qx, "1");
    assert_string_equal(seen.qy, "hello world!");
    assert_string_equal(seen.qz, "");
    assert_string_equal(seen.qe, "%zz");
    assert_null(seen.qmissing);
    assert_int_equal(seen.nq, 6);
    assert_string_equal(seen.rep1, "2");
    assert_string_equal(seen.trail, "v");
    assert_int_equal(seen.version, 11);
    assert_false(sk_http_mem_conn_closed(mc));

    /* absolute-form, and a body */
    sk_http_mem_conn_clear_output(mc);
    out = mem_feed("POST http://h:1/info?x=9 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc");
    assert_string_equal(seen.path, "/info");
    assert_string_equal(seen.qx, "9");
    assert_string_equal(seen.body, "abc");
    assert_int_equal(seen.blen, 3);
    mem_stop();
}

static void test_mem_pipelining_split_anywhere(void **state)
{
    (void)state;
    const char *in = "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "3\r\nabc\r\n4;ext=1\r\ndefg\r\n0\r\nTrailer: x\r\n\r\n"
                     "GET /hello HTTP/1.1\r\nHost: h\r\n\r\n"
                     "HEAD /hello HTTP/1.1\r\nHost: h\r\n\r\n"
                     "GET /nocontent HTTP/1.1\r\nhost: h\r\n\r\n";
    for (size_t step_ = 1; step_ <= 7; step_ += 3) {
        mem_start(NULL);
        for (size_t i = 0; i < strlen(in); i += step_) {
            size_t n = strlen(in) - i < step_ ? strlen(in) - i : step_;
            sk_http_mem_conn_feed(mc, in + i, n);
        }
        size_t n;
        const char *o = sk_http_mem_conn_output(mc, &n);
        char *out = strndup(o, n);
        assert_int_equal(count(out, "HTTP/1.1 "), 4);
        char *a = strstr(out, "X-Len: 7"), *b = strstr(out, "hello\n"),
             *c = strstr(b ? b + 1 : out, "HTTP/1.1 200"), *d = strstr(out, "HTTP/1.1 204");
        assert_non_null(a);
        assert_non_null(strstr(out, "abcdefg"));
        assert_true(a && b && c && d && a < b && b < c && c < d);
        /* HEAD: the length of the GET body, no body */
        assert_non_null(strstr(c, "Content-Length: 6\r\n"));
        assert_null(strstr(c, "hello"));
        assert_null(strstr(d, "Content-Length"));
        assert_non_null(strstr(out, "Audit-Id: a-1\r\n"));
        assert_non_null(strstr(out, "Cache-Control: no-cache, private\r\n"));
        free(out);
        mem_stop();
    }
}

static void test_mem_async_holds_the_next_request(void **state)
{
    (void)state;
    mem_start(NULL);
    async_manual = true;
    const char *out = mem_feed("GET /async HTTP/1.1\r\nHost: h\r\n\r\n"
                               "GET /hello HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_string_equal(out, "");
    assert_int_equal(npending, 1);
    assert_int_equal(nhandled, 1); /* the second waits for the first */
    answer_pending(NULL);
    out = mem_feed("");
    assert_int_equal(count(out, "HTTP/1.1 200"), 2);
    assert_true(strstr(out, "async") < strstr(out, "hello"));
    assert_int_equal(nhandled, 2);

    /* an owned request when the connection goes: the close callback runs */
    sk_http_mem_conn_clear_output(mc);
    mem_feed("GET /stream HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_int_equal(nstreams, 1);
    assert_int_equal(stats().streams_open, 1);
    sk_http_stream_write(streams[0], "{\"n\":1}\n", 8);
    out = mem_feed("");
    assert_non_null(strstr(out, "Transfer-Encoding: chunked\r\n"));
    assert_non_null(strstr(out, "8\r\n{\"n\":0}\n\r\n8\r\n{\"n\":1}\n\r\n"));
    sk_http_mem_conn_free(mc);
    mc = NULL;
    assert_int_equal(stream_closed, 1);
    assert_int_equal(nstreams, 0);
    assert_int_equal(stats().streams_open, 0);
    stop_server();
}

/* Bodies built in a body buffer: sent without a copy when the head fits in
 * the headroom, copied when it does not, headers only for HEAD; the big
 * buffer goes back to the pool once sent. Every answer is counted in the
 * latency histogram. */
static bool body_ok(const char *out, size_t n)
{
    const char *b = strstr(out, "\r\n\r\n");
    if (!b) return false;
    b += 4;
    if (strlen(b) != n) return false;
    for (size_t i = 0; i < n; i++)
        if (b[i] != (char)('A' + i % 23)) return false;
    return true;
}

static uint64_t answered(void)
{
    struct sk_http_stats s = stats();
    uint64_t n = 0;
    for (size_t i = 0; i < SK_HTTP_LAT_BUCKETS; i++)
        n += s.latency[i];
    return n;
}

static void test_mem_respond_buf(void **state)
{
    (void)state;
    sk_http_pool_trim();
    mem_start(NULL);
    const char *out = mem_feed("GET /buf/1000 HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_non_null(strstr(out, "HTTP/1.1 200 OK\r\n"));
    assert_non_null(strstr(out, "Content-Length: 1000\r\n"));
    assert_non_null(strstr(out, "X-Buf: yes\r\n"));
    assert_true(body_ok(out, 1000));
    sk_http_mem_conn_clear_output(mc);
    /* a head longer than the headroom: the body is copied after it */
    out = mem_feed("GET /buf/5000?h=3000 HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_non_null(strstr(out, "X-Long: vvv"));
    assert_true(body_ok(out, 5000));
    sk_http_mem_conn_clear_output(mc);
    out = mem_feed("HEAD /buf/5000 HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_non_null(strstr(out, "Content-Length: 5000\r\n"));
    assert_true(body_ok(out, 0));
    sk_http_mem_conn_clear_output(mc);
    /* pipelined: both answers, in order */
    size_t n;
    out = mem_feed("GET /buf/300000 HTTP/1.1\r\nHost: h\r\n\r\n"
                   "GET /hello HTTP/1.1\r\nHost: h\r\n\r\n");
    const char *all = sk_http_mem_conn_output(mc, &n);
    assert_true(n > 300000);
    assert_int_equal(count(out, "HTTP/1.1 200"), 1); /* mem_feed keeps 64 KiB */
    assert_non_null(memmem(all, n, "hello\n", 6));
    assert_true((const char *)memmem(all, n, "hello\n", 6) > all + 300000);
    assert_int_equal(answered(), 5);
    sk_http_mem_conn_clear_output(mc);

    /* the 300 kB buffer was kept: the next body of that size gets it
     * (a fresh one would have the smallest power-of-two room) */
    struct sk_buf b = {0};
    sk_http_body_init(&b, 200000);
    assert_true(b.cap >= 300000 + SK_HTTP_HEADROOM);
    sk_http_body_release(&b);
    assert_null(b.p);
    sk_http_pool_trim();
    sk_http_body_init(&b, 200000);
    assert_int_equal(b.cap, 256 * 1024);
    sk_http_body_release(&b);
    sk_http_pool_trim();
    mem_stop();

    /* quantiles: bucket upper bounds within an eighth of the value */
    uint64_t hist[SK_HTTP_LAT_BUCKETS] = {0};
    assert_true(sk_http_lat_quantile(hist, 0.5) == 0);
    hist[6 * 8 + 4] = 90;  /* 64 us * 12/8 = 96 us .. 104 us */
    hist[13 * 8 + 2] = 10; /* 8192 us * 10/8 = 10.24 ms .. */
    assert_true(fabs(sk_http_lat_quantile(hist, 0.5) - 104e-6) < 1e-9);
    assert_true(fabs(sk_http_lat_quantile(hist, 0.99) - 11264e-6) < 1e-9);
}

/* A buffered body of megabytes, over TLS too: whole, in order, and counted. */
static void big_buf_client(void *arg)
{
    struct cres *r = arg;
    CURL *h = curl_new();
    curl_go(h, "/buf/3000001", &r[0]);
    curl_go(h, "/buf/10", &r[1]);
    curl_easy_cleanup(h);
}

static void test_big_buffered_body(void **state)
{
    (void)state;
    start_server(NULL);
    struct cres r[2];
    run(big_buf_client, r, NULL, 30);
    for (int i = 0; i < 2; i++) {
        size_t want = i ? 10 : 3000001;
        assert_int_equal(r[i].rc, CURLE_OK);
        assert_int_equal(r[i].status, 200);
        assert_int_equal(r[i].len, want);
        for (size_t k = 0; k < want; k++)
            if (r[i].body[k] != (char)('A' + k % 23)) fail_msg("byte %zu of answer %d", k, i);
        cres_free(&r[i]);
    }
    assert_int_equal(answered(), 2);
    assert_int_equal(stats().conns_failed, 0);
    stop_server();
}

static void test_mem_http10_and_close(void **state)
{
    (void)state;
    mem_start(NULL);
    const char *out = mem_feed("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    assert_non_null(strstr(out, "Connection: keep-alive\r\n"));
    assert_false(sk_http_mem_conn_closed(mc));
    sk_http_mem_conn_clear_output(mc);
    /* a stream to an HTTP/1.0 client: raw body, ended by the close */
    out = mem_feed("GET /stream HTTP/1.0\r\n\r\n");
    assert_null(strstr(out, "Transfer-Encoding"));
    assert_non_null(strstr(out, "Connection: close\r\n"));
    assert_non_null(strstr(out, "\r\n\r\n{\"n\":0}\n"));
    sk_http_stream_end(streams[0]);
    nstreams = 0;
    assert_true(sk_http_mem_conn_closed(mc));
    mem_stop();

    mem_start(NULL);
    out = mem_feed("GET /hello HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
                   "GET /hello HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_int_equal(count(out, "HTTP/1.1 200"), 1);
    assert_non_null(strstr(out, "Connection: close\r\n"));
    assert_true(sk_http_mem_conn_closed(mc));
    mem_stop();
}

/* Feed one input on a fresh connection; the answer must be `status` and
 * the connection closed. */
static void expect_reject(const struct sk_http_limits *lim, const char *in, size_t len,
                          const char *status)
{
    mem_start(lim);
    sk_http_mem_conn_feed(mc, in, len);
    size_t n;
    const char *o = sk_http_mem_conn_output(mc, &n);
    char *out = strndup(o, n);
    if (strncmp(out, status, strlen(status)))
        fail_msg("want %s for %.60s, got %.80s", status, in, out);
    assert_non_null(strstr(out, "Connection: close\r\n"));
    assert_non_null(strstr(out, "\"kind\":\"Status\""));
    assert_true(sk_http_mem_conn_closed(mc));
    assert_int_equal(nhandled, 0);
    free(out);
    mem_stop();
}

static void test_mem_rejects(void **state)
{
    (void)state;
    struct sk_http_limits lim = {
            .max_body_bytes = 1000, .max_uri_bytes = 100, .max_header_bytes = 2000};
    char big[4096];
#define R(s, st) expect_reject(&lim, s, strlen(s), st)
    R("GARBAGE\r\n\r\n", "HTTP/1.1 400");
    R("GET / HTTP/1.1\r\n\r\n", "HTTP/1.1 400"); /* no Host */
    R("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "HTTP/1.1 400");
    R("GET /%zz HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 400");
    R("GET /a%00b HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 400");
    R("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
      "HTTP/1.1 400");
    R("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
      "HTTP/1.1 400");
    R("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", "HTTP/1.1 400");
    R("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "HTTP/1.1 400");
    R("GET / HTTP/2.0\r\nHost: a\r\n\r\n", "HTTP/1.1 505");
    R("GET / HTTP/1.1\r\nHost: a\r\nExpect: magic\r\n\r\n", "HTTP/1.1 417");
    R("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n", "HTTP/1.1 413");
    snprintf(big, sizeof(big),
             "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
             "3e8\r\n%01000d\r\n1\r\nx\r\n0\r\n\r\n",
             0);
    R(big, "HTTP/1.1 413");
    snprintf(big, sizeof(big), "GET /%0200d HTTP/1.1\r\nHost: a\r\n\r\n", 0);
    R(big, "HTTP/1.1 414");
    snprintf(big, sizeof(big), "GET / HTTP/1.1\r\nHost: a\r\nX-Big: %02500d\r\n\r\n", 0);
    R(big, "HTTP/1.1 431");
    /* many small headers count too */
    strcpy(big, "GET / HTTP/1.1\r\nHost: a\r\n");
    for (int i = 0; i < 400; i++)
        strcat(big, "A: b\r\n");
    strcat(big, "\r\n");
    R(big, "HTTP/1.1 431");
#undef R
    /* NUL inside the request line */
    expect_reject(&lim, "GET /a\0b HTTP/1.1\r\nHost: a\r\n\r\n", 31, "HTTP/1.1 400");
}

static void test_mem_expect_continue_and_bad_handler_output(void **state)
{
    (void)state;
    mem_start(NULL);
    const char *out = mem_feed("POST /echo HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\n"
                               "Content-Length: 4\r\n\r\n");
    assert_string_equal(out, "HTTP/1.1 100 Continue\r\n\r\n");
    out = mem_feed("wxyz");
    assert_non_null(strstr(out, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"));
    assert_non_null(strstr(out, "wxyz"));
    sk_http_mem_conn_clear_output(mc);
    out = mem_feed("GET /badextra HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_non_null(strstr(out, "HTTP/1.1 500 "));
    assert_null(strstr(out, "broken"));
    mem_stop();
}

/* ---- socket tests (plain and TLS) ---- */

struct basic_res {
    struct cres get, post, head, again[4];
    size_t post_len;
};

static void basic_client(void *arg)
{
    struct basic_res *r = arg;
    CURL *h = curl_new();
    curl_go(h, "/hello", &r->get);
    r->post_len = 300 * 1024 + 7;
    char *body = malloc(r->post_len);
    for (size_t i = 0; i < r->post_len; i++)
        body[i] = (char)('a' + i % 26);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)r->post_len);
    curl_go(h, "/echo", &r->post);
    if (r->post.len != r->post_len || memcmp(r->post.body, body, r->post_len)) r->post.status = -1;
    free(body);
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    curl_go(h, "/hello", &r->head);
    curl_easy_setopt(h, CURLOPT_NOBODY, 0L);
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    for (int i = 0; i < 4; i++)
        curl_go(h, "/hello", &r->again[i]);
    curl_easy_cleanup(h);
}

static void test_get_post_head_keepalive(void **state)
{
    (void)state;
    start_server(NULL);
    struct basic_res r;
    run(basic_client, &r, NULL, 30);
    assert_int_equal(r.get.rc, CURLE_OK);
    assert_int_equal(r.get.status, 200);
    assert_string_equal(r.get.body, "hello\n");
    assert_non_null(strstr(r.get.hdr, "Audit-Id: a-1"));
    assert_int_equal(r.post.rc, CURLE_OK);
    assert_int_equal(r.post.status, 200);
    assert_non_null(strstr(r.post.hdr, "X-Method: POST"));
    assert_int_equal(r.head.rc, CURLE_OK);
    assert_int_equal(r.head.status, 200);
    assert_non_null(strstr(r.head.hdr, "Content-Length: 6"));
    assert_null(r.head.body);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(r.again[i].status, 200);
        cres_free(&r.again[i]);
    }
    /* one connection for all seven requests */
    struct sk_http_stats s = stats();
    assert_int_equal(s.conns_accepted, 1);
    assert_int_equal(s.requests, 7);
    assert_true(s.bytes_in > r.post_len && s.bytes_out > r.post_len);
    assert_int_equal(s.conns_failed, 0);
    cres_free(&r.get);
    cres_free(&r.post);
    cres_free(&r.head);
    stop_server();
}

struct chunk_src {
    size_t left;
};

static size_t chunk_read(char *buf, size_t sz, size_t n, void *ud)
{
    struct chunk_src *s = ud;
    size_t k = sz * n < 1000 ? sz * n : 1000;
    if (k > s->left) k = s->left;
    memset(buf, 'c', k);
    s->left -= k;
    return k;
}

struct upload_res {
    struct cres chunked, expect, async;
};

static void upload_client(void *arg)
{
    struct upload_res *r = arg;
    CURL *h = curl_new();
    struct chunk_src src = {.left = 250 * 1000};
    struct curl_slist *hd = curl_slist_append(NULL, "Transfer-Encoding: chunked");
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, chunk_read);
    curl_easy_setopt(h, CURLOPT_READDATA, &src);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_go(h, "/echo", &r->chunked);
    curl_slist_free_all(hd);
    curl_easy_cleanup(h);

    h = curl_new();
    hd = curl_slist_append(NULL, "Expect: 100-continue");
    static char body[200000];
    memset(body, 'e', sizeof(body));
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)sizeof(body));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_EXPECT_100_TIMEOUT_MS, 5000L);
    curl_go(h, "/echo", &r->expect);
    curl_slist_free_all(hd);
    curl_easy_cleanup(h);

    h = curl_new();
    curl_go(h, "/async", &r->async);
    curl_easy_cleanup(h);
}

static void test_chunked_upload_expect_and_async(void **state)
{
    (void)state;
    start_server(NULL);
    struct upload_res r;
    run(upload_client, &r, NULL, 30);
    assert_int_equal(r.chunked.status, 200);
    assert_non_null(strstr(r.chunked.hdr, "X-Len: 250000"));
    assert_int_equal(r.chunked.len, 250000);
    assert_int_equal(r.expect.status, 200);
    assert_int_equal(r.expect.len, 200000);
    /* curl waited for 100 Continue, not for its 5 s timeout */
    assert_true(r.expect.secs < 2.5);
    assert_int_equal(r.async.status, 200);
    assert_string_equal(r.async.body, "async\n");
    assert_true(r.async.secs >= 0.04);
    cres_free(&r.chunked);
    cres_free(&r.expect);
    cres_free(&r.async);
    stop_server();
}

struct pipe_res {
    char buf[8192];
    bool eof;
};

static void pipeline_client(void *arg)
{
    struct pipe_res *r = arg;
    struct rc c;
    if (!rc_open(&c)) return;
    rc_sends(&c, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
                 "GET /async HTTP/1.1\r\nHost: x\r\n\r\n"
                 "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n12345"
                 "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    rc_read_all(&c, r->buf, sizeof(r->buf), &r->eof);
    rc_close(&c);
}

static void test_pipelining_with_an_async_answer(void **state)
{
    (void)state;
    start_server(NULL);
    struct pipe_res r;
    run(pipeline_client, &r, NULL, 20);
    assert_true(r.eof);
    assert_int_equal(count(r.buf, "HTTP/1.1 200 OK"), 4);
    char *a = strstr(r.buf, "hello"), *b = strstr(r.buf, "async"), *c = strstr(r.buf, "12345"),
         *d = a ? strstr(a + 1, "hello") : NULL;
    assert_true(a && b && c && d && a < b && b < c && c < d);
    assert_non_null(strstr(r.buf, "Connection: close"));
    stop_server();
}

struct stream_res {
    CURLcode rc;
    char buf[4096];
    size_t len;
    bool abort_after_first;
};

static size_t stream_wr(char *p, size_t sz, size_t n, void *ud)
{
    struct stream_res *r = ud;
    size_t k = sz * n;
    if (r->len + k < sizeof(r->buf)) {
        memcpy(r->buf + r->len, p, k);
        r->len += k;
        r->buf[r->len] = 0;
    }
    if (strstr(r->buf, "{\"n\":0}") && atomic_load(&phase) < 1) {
        atomic_store(&phase, 1);
        if (r->abort_after_first) return 0; /* hang up mid-stream */
    }
    if (strstr(r->buf, "{\"n\":1}") && atomic_load(&phase) < 3) atomic_store(&phase, 3);
    return k;
}

static void stream_client(void *arg)
{
    struct stream_res *r = arg;
    CURL *h = curl_new();
    char u[256];
    url(u, sizeof(u), "localhost", "/stream");
    curl_easy_setopt(h, CURLOPT_URL, u);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, stream_wr);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    r->rc = curl_easy_perform(h);
    curl_easy_cleanup(h);
}

static bool sent1, ended;

/* Write the second event only once the client has the first, and end the
 * stream once it has the second: proof the body arrives as it is written. */
static void stream_step(void)
{
    if (atomic_load(&phase) == 1 && !sent1 && nstreams == 1) {
        assert_true(sk_http_stream_write(streams[0], "{\"n\":1}\n", 8) >= 0);
        sent1 = true;
    }
    if (atomic_load(&phase) == 3 && !ended && nstreams == 1) {
        struct sk_http_req *r = streams[0];
        nstreams = 0;
        sk_http_stream_end(r);
        ended = true;
    }
}

static void test_stream_read_incrementally(void **state)
{
    (void)state;
    start_server(NULL);
    struct stream_res r = {0};
    sent1 = ended = false;
    step = stream_step;
    run(stream_client, &r, NULL, 20);
    assert_int_equal(r.rc, CURLE_OK);
    assert_string_equal(r.buf, "{\"n\":0}\n{\"n\":1}\n");
    assert_true(ended);
    assert_int_equal(stream_closed, 0);
    assert_int_equal(stats().streams_open, 0);
    stop_server();
}

static bool one_stream_closed(void)
{
    return stream_closed == 1;
}

static void test_client_disconnect_fires_close_callback(void **state)
{
    (void)state;
    start_server(NULL);
    struct stream_res r = {.abort_after_first = true};
    run(stream_client, &r, one_stream_closed, 20);
    assert_int_equal(r.rc, CURLE_WRITE_ERROR);
    assert_int_equal(stream_closed, 1);
    assert_int_equal(nstreams, 0);
    settle(0.05);
    struct sk_http_stats s = stats();
    assert_int_equal(s.streams_open, 0);
    assert_int_equal(s.conns_open, 0);
    assert_int_equal(s.conns_failed, 0); /* a client leaving is no failure */
    stop_server();
}

struct raw_res {
    char buf[16][2048];
    bool eof[16];
    double secs[16];
};

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Send s on a new connection and read until the server closes. */
static void raw_exchange(struct raw_res *r, int i, const char *s, size_t len)
{
    struct rc c;
    double t0 = mono();
    if (!rc_open(&c)) {
        snprintf(r->buf[i], sizeof(r->buf[i]), "connect failed");
        return;
    }
    rc_send(&c, s, len);
    rc_read_all(&c, r->buf[i], sizeof(r->buf[i]), &r->eof[i]);
    r->secs[i] = mono() - t0;
    rc_close(&c);
}

static char *big_request(const char *head, size_t fill, const char *tail)
{
    size_t hl = strlen(head), tl = strlen(tail);
    char *s = malloc(hl + fill + tl + 1);
    memcpy(s, head, hl);
    memset(s + hl, 'a', fill);
    memcpy(s + hl + fill, tail, tl + 1);
    return s;
}

static void limits_client(void *arg)
{
    struct raw_res *r = arg;
    char *s = big_request("GET / HTTP/1.1\r\nHost: x\r\nX-Big: ", 70 * 1024, "\r\n\r\n");
    raw_exchange(r, 0, s, strlen(s));
    free(s);
    s = big_request("GET /", 17 * 1024, " HTTP/1.1\r\nHost: x\r\n\r\n");
    raw_exchange(r, 1, s, strlen(s));
    free(s);
    const char *cl = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n";
    raw_exchange(r, 2, cl, strlen(cl));
    /* a chunked body that crosses the limit */
    size_t n = 0, cap = 1200 * 1024;
    s = malloc(cap);
    n += (size_t)sprintf(s, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 17; i++) {
        n += (size_t)sprintf(s + n, "10000\r\n");
        memset(s + n, 'z', 0x10000);
        n += 0x10000;
        n += (size_t)sprintf(s + n, "\r\n");
    }
    raw_exchange(r, 3, s, n);
    free(s);
    const char *bad[] = {"GARBAGE\r\n\r\n",
                         "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: x\r\n\r\n",
                         "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n"};
    for (int i = 0; i < 3; i++)
        raw_exchange(r, 4 + i, bad[i], strlen(bad[i]));
    /* and the server still serves */
    raw_exchange(r, 7, "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 52);
}

static void test_limits_and_malformed(void **state)
{
    (void)state;
    struct sk_http_limits lim = {.max_body_bytes = 1024 * 1024};
    start_server(&lim);
    struct raw_res *r = calloc(1, sizeof(*r));
    run(limits_client, r, NULL, 30);
    const char *want[] = {"HTTP/1.1 431", "HTTP/1.1 414", "HTTP/1.1 413", "HTTP/1.1 413",
                          "HTTP/1.1 400", "HTTP/1.1 400", "HTTP/1.1 400", "HTTP/1.1 200"};
    for (int i = 0; i < 8; i++) {
        if (strncmp(r->buf[i], want[i], strlen(want[i])))
            fail_msg("case %d: want %s, got %.60s", i, want[i], r->buf[i]);
        assert_true(r->eof[i]);
    }
    assert_non_null(strstr(r->buf[2], "\"code\":413"));
    assert_non_null(strstr(r->buf[2], "Content-Type: application/json"));
    assert_int_equal(nhandled, 1);
    struct sk_http_stats s = stats();
    assert_int_equal(s.requests_rejected, 7);
    assert_int_equal(s.conns_failed, 7);
    free(r);
    stop_server();
}

struct slow_res {
    char buf[1024];
    double secs;
    bool eof;
    struct cres other;
    double idle_secs;
    bool idle_eof;
};

static void slow_client(void *arg)
{
    struct slow_res *r = arg;
    struct rc c;
    if (!rc_open(&c)) return;
    double t0 = mono();
    rc_sends(&c, "GET /hello HTTP/1.1\r\n");
    /* while this one dribbles, another client is served at once */
    CURL *h = curl_new();
    curl_go(h, "/hello", &r->other);
    curl_easy_cleanup(h);
    for (int i = 0; i < 40; i++) {
        struct pollfd p = {.fd = c.fd, .events = POLLIN};
        if (poll(&p, 1, 100) > 0) break;
        if (!rc_sends(&c, "X-Slow: 1\r\n")) break;
    }
    rc_read_all(&c, r->buf, sizeof(r->buf), &r->eof);
    r->secs = mono() - t0;
    rc_close(&c);

    /* an idle keep-alive connection is closed */
    if (!rc_open(&c)) return;
    char buf[1024] = "";
    size_t got = 0;
    rc_sends(&c, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    rc_read_until(&c, buf, sizeof(buf), &got, "hello\n");
    t0 = mono();
    char more[64];
    r->idle_eof = rc_recv(&c, more, sizeof(more)) == 0;
    r->idle_secs = mono() - t0;
    rc_close(&c);
}

static void test_slowloris_and_idle_timeout(void **state)
{
    (void)state;
    struct sk_http_limits lim = {.header_timeout = 0.5, .idle_timeout = 0.4};
    start_server(&lim);
    struct slow_res r = {0};
    run(slow_client, &r, NULL, 20);
    assert_int_equal(strncmp(r.buf, "HTTP/1.1 408", 12), 0);
    assert_true(r.eof);
    assert_true(r.secs >= 0.45 && r.secs < 2.0);
    assert_int_equal(r.other.status, 200);
    assert_true(r.idle_eof);
    assert_true(r.idle_secs >= 0.3 && r.idle_secs < 2.0);
    cres_free(&r.other);
    assert_true(stats().conns_failed >= 1);
    stop_server();
}

static void flood_client(void *arg)
{
    (void)arg;
    struct rc c;
    if (!rc_open_opt(&c, 4096)) return;
    rc_sends(&c, "GET /flood HTTP/1.1\r\nHost: x\r\n\r\n");
    wait_phase(1); /* never read: the server must give up on us */
    rc_close(&c);
    if (!rc_open_opt(&c, 4096)) return;
    rc_sends(&c, "GET /big HTTP/1.1\r\nHost: x\r\n\r\n");
    wait_phase(2);
    rc_close(&c);
}

static uint64_t failed_before;

static void flood_step(void)
{
    if (flood_closed == 1 && atomic_load(&phase) == 0) {
        failed_before = stats().conns_failed;
        atomic_store(&phase, 1);
    }
    if (atomic_load(&phase) == 1 && stats().conns_failed > failed_before) atomic_store(&phase, 2);
}

static bool big_dropped(void)
{
    return atomic_load(&phase) == 2;
}

static void test_slow_reader_is_dropped(void **state)
{
    (void)state;
    struct sk_http_limits lim = {
            .max_out_bytes = 256 * 1024, .out_limit_timeout = 0.3, .write_timeout = 0.6};
    start_server(&lim);
    step = flood_step;
    double t0 = mono();
    run(flood_client, NULL, big_dropped, 20);
    assert_int_equal(flood_closed, 1);
    assert_true(mono() - t0 < 8);
    assert_true(stats().conns_failed >= 2);
    stop_server();
}

#define NCONC 200

struct many_res {
    int opened, first, second;
};

static void many_client(void *arg)
{
    struct many_res *r = arg;
    static struct rc c[NCONC];
    static char buf[NCONC][512];
    size_t got[NCONC];
    for (int i = 0; i < NCONC; i++) {
        got[i] = 0;
        buf[i][0] = 0;
        if (!rc_open(&c[i])) break;
        r->opened++;
        rc_sends(&c[i], "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
    }
    for (int i = 0; i < r->opened; i++)
        r->first += rc_read_until(&c[i], buf[i], sizeof(buf[i]), &got[i], "{\"n\":0}");
    atomic_store(&phase, 1);
    wait_phase(2);
    for (int i = 0; i < r->opened; i++)
        r->second += rc_read_until(&c[i], buf[i], sizeof(buf[i]), &got[i], "{\"n\":1}");
    for (int i = 0; i < r->opened; i++)
        rc_close(&c[i]);
}

static void many_step(void)
{
    if (atomic_load(&phase) == 1 && nstreams == NCONC) {
        assert_int_equal(stats().streams_open, NCONC);
        assert_int_equal(stats().conns_open, NCONC);
        for (int i = 0; i < nstreams; i++)
            assert_true(sk_http_stream_write(streams[i], "{\"n\":1}\n", 8) >= 0);
        atomic_store(&phase, 2);
    }
}

static bool all_closed(void)
{
    return stream_closed == NCONC;
}

static void test_200_concurrent_streams(void **state)
{
    (void)state;
    start_server(NULL);
    struct many_res r = {0};
    step = many_step;
    run(many_client, &r, all_closed, 60);
    assert_int_equal(r.opened, NCONC);
    assert_int_equal(r.first, NCONC);
    assert_int_equal(r.second, NCONC);
    assert_int_equal(stream_closed, NCONC);
    settle(0.05);
    struct sk_http_stats s = stats();
    assert_int_equal(s.conns_open, 0);
    assert_int_equal(s.streams_open, 0);
    assert_int_equal(s.conns_accepted, NCONC);
    stop_server();
}

static void maxconn_client(void *arg)
{
    struct raw_res *r = arg;
    struct rc c[3];
    for (int i = 0; i < 3; i++) {
        char buf[512] = "";
        size_t got = 0;
        rc_open(&c[i]);
        rc_sends(&c[i], "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        rc_read_until(&c[i], buf, sizeof(buf), &got, "hello\n");
    }
    raw_exchange(r, 0, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n", 33);
    rc_close(&c[0]);
    usleep(200 * 1000);
    raw_exchange(r, 1, "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 52);
    rc_close(&c[1]);
    rc_close(&c[2]);
}

static void test_max_connections(void **state)
{
    (void)state;
    struct sk_http_limits lim = {.max_conns = 3};
    start_server(&lim);
    struct raw_res *r = calloc(1, sizeof(*r));
    run(maxconn_client, r, NULL, 20);
    assert_int_equal(strncmp(r->buf[0], "HTTP/1.1 503", 12), 0);
    assert_true(r->eof[0]);
    assert_int_equal(strncmp(r->buf[1], "HTTP/1.1 200", 12), 0);
    assert_int_equal(stats().conns_refused, 1);
    free(r);
    stop_server();
}

static void free_client(void *arg)
{
    struct raw_res *r = arg;
    struct rc c;
    if (!rc_open(&c)) return;
    size_t got = 0;
    rc_sends(&c, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n");
    rc_read_until(&c, r->buf[0], sizeof(r->buf[0]), &got, "{\"n\":0}");
    atomic_store(&phase, 1);
    char more[64];
    r->eof[0] = rc_recv(&c, more, sizeof(more)) <= 0;
    rc_close(&c);
}

static void free_step(void)
{
    if (atomic_load(&phase) == 1 && S) {
        sk_http_server_free(S); /* the stream's close callback runs in here */
        S = NULL;
        atomic_store(&phase, 2);
    }
}

static void test_server_free_with_open_stream(void **state)
{
    (void)state;
    start_server(NULL);
    struct raw_res *r = calloc(1, sizeof(*r));
    step = free_step;
    run(free_client, r, NULL, 20);
    assert_true(r->eof[0]);
    assert_int_equal(stream_closed, 1);
    assert_int_equal(nstreams, 0);
    free(r);
}

/* ---- TLS only ---- */

struct tls_res {
    struct cres by_ip, by_name, wrong_name, h2, old;
    double garbage_secs;
};

static void tls_client(void *arg)
{
    struct tls_res *r = arg;
    char u[256];
    CURL *h = curl_new();
    url(u, sizeof(u), "127.0.0.1", "/hello");
    memset(&r->by_ip, 0, sizeof(r->by_ip));
    curl_easy_setopt(h, CURLOPT_URL, u);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, cres_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &r->by_ip);
    r->by_ip.rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->by_ip.status);
    curl_easy_cleanup(h);

    h = curl_new();
    curl_go(h, "/hello", &r->by_name);
    curl_easy_cleanup(h);

    h = curl_new();
    url(u, sizeof(u), "wrong.example", "/hello");
    curl_easy_setopt(h, CURLOPT_URL, u);
    r->wrong_name.rc = curl_easy_perform(h);
    curl_easy_cleanup(h);

    /* a client that offers h2 and http/1.1 gets http/1.1 */
    h = curl_new();
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    curl_go(h, "/hello", &r->h2);
    curl_easy_cleanup(h);

    /* TLS 1.1 is refused */
    h = curl_new();
    curl_easy_setopt(h, CURLOPT_SSLVERSION,
                     (long)(CURL_SSLVERSION_TLSv1 | CURL_SSLVERSION_MAX_TLSv1_1));
    curl_go(h, "/hello", &r->old);
    curl_easy_cleanup(h);

    /* plain HTTP to the TLS port */
    struct rc c;
    bool was = use_tls;
    use_tls = false;
    r->garbage_secs = 99;
    if (rc_open(&c)) {
        char buf[512];
        bool eof;
        double t0 = mono();
        rc_sends(&c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        /* the server hangs up (an alert, a FIN or a reset) instead of waiting */
        rc_read_all(&c, buf, sizeof(buf), &eof);
        r->garbage_secs = mono() - t0;
        rc_close(&c);
    }
    use_tls = was;
}

static void test_tls_names_alpn_versions(void **state)
{
    (void)state;
    start_server(NULL);
    struct tls_res r;
    memset(&r, 0, sizeof(r));
    run(tls_client, &r, NULL, 30);
    assert_int_equal(r.by_ip.rc, CURLE_OK);
    assert_int_equal(r.by_ip.status, 200);
    assert_int_equal(r.by_name.rc, CURLE_OK);
    assert_string_equal(r.by_name.body, "hello\n");
    assert_int_equal(r.wrong_name.rc, CURLE_PEER_FAILED_VERIFICATION);
    assert_int_equal(r.h2.rc, CURLE_OK);
    assert_int_equal(r.h2.version, CURL_HTTP_VERSION_1_1);
    assert_int_not_equal(r.old.rc, CURLE_OK);
    assert_true(r.garbage_secs < 3);
    assert_true(stats().conns_failed >= 2);
    cres_free(&r.by_ip);
    cres_free(&r.by_name);
    cres_free(&r.h2);
    cres_free(&r.old);
    stop_server();
}

/* sk_http_server_set_tls: new connections get the new certificate, and a
 * connection accepted before keeps working on the old configuration after
 * everyone else let go of it (ASan sees a use after free otherwise). */
struct swap_res {
    int version;
    bool old_first, new_with_old_ca, new_with_new_ca, old_after, closed_cleanly;
};

static SSL_CTX *ctx_new_ca;
static struct sk_tls_server *swap_to;

static bool rc_hello(struct rc *c, bool close)
{
    char buf[1024] = "";
    size_t got = 0;
    return rc_sends(c, close ? "GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                             : "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n") &&
           rc_read_until(c, buf, sizeof(buf), &got, "hello\n");
}

static void swap_client(void *arg)
{
    struct swap_res *r = arg;
    struct rc old, c;
    if (!rc_open_ctx(&old, cli_ctx, NULL, 0)) return;
    r->version = SSL_version(old.ssl);
    r->old_first = rc_hello(&old, false);
    atomic_store(&phase, 1);
    wait_phase(2);
    /* a client that trusts only the old CA refuses the new certificate */
    r->new_with_old_ca = rc_open_ctx(&c, cli_ctx, NULL, 0);
    rc_close(&c);
    r->new_with_new_ca = rc_open_ctx(&c, ctx_new_ca, NULL, 0) && rc_hello(&c, false);
    rc_close(&c);
    /* the connection from before still speaks the old session, and ends
     * with a close_notify, not just a FIN */
    r->old_after = rc_hello(&old, true);
    char more[16];
    r->closed_cleanly = rc_recv(&old, more, sizeof(more)) == 0 &&
                        (SSL_get_shutdown(old.ssl) & SSL_RECEIVED_SHUTDOWN);
    rc_close(&old);
}

static void swap_step(void)
{
    if (atomic_load(&phase) != 1) return;
    sk_http_server_set_tls(S, swap_to);
    sk_tls_server_unref(swap_to); /* the server holds its own reference */
    swap_to = NULL;
    atomic_store(&phase, 2);
}

static void test_tls_renewal_swap(void **state)
{
    (void)state;
    char dir[] = "/tmp/skiff-http-renew-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct sk_error *err = NULL;
    struct sk_tls *pki_b = NULL;
    if (sk_tls_ensure(dir, "testnode", NULL, &pki_b, &err))
        fail_msg("pki: %s", sk_error_msg(err, SK_EINTERNAL));
    struct sk_tls_server *a = sk_tls_server_new(pki, &err);
    swap_to = sk_tls_server_new(pki_b, &err);
    assert_non_null(a);
    assert_non_null(swap_to);
    ctx_new_ca = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(ctx_new_ca, pki_b->ca_cert, NULL);
    SSL_CTX_set_verify(ctx_new_ca, SSL_VERIFY_PEER, NULL);
    start_server_with("127.0.0.1:0", NULL, a);
    sk_tls_server_unref(a); /* from now on the server's and its connections' */
    struct swap_res r = {0};
    step = swap_step;
    run(swap_client, &r, NULL, 30);
    assert_int_equal(r.version, TLS1_2_VERSION); /* mbedtls 2.28 has no TLS 1.3 */
    assert_true(r.old_first);
    assert_false(r.new_with_old_ca);
    assert_true(r.new_with_new_ca);
    assert_true(r.old_after);
    assert_true(r.closed_cleanly);
    assert_int_equal(stats().requests, 3);
    assert_int_equal(stats().conns_failed, 1); /* the refused handshake */
    settle(0.05);                              /* reap: the old configuration goes */
    /* back to no TLS at all for new connections */
    sk_http_server_set_tls(S, NULL);
    stop_server();
    SSL_CTX_free(ctx_new_ca);
    sk_tls_free(pki_b);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

/* A ClientHello that never completes is cut off after header_timeout; a
 * client resumes its session (a ticket or the server's cache), with the
 * full handshake skipped. */
struct hs_res {
    double stall_secs;
    bool stall_eof, first_ok, resumed, resumed_ok, fresh_not_resumed;
};

static void hs_client(void *arg)
{
    struct hs_res *r = arg;
    struct rc c;
    r->stall_secs = 99;
    if (rc_open_ctx(&c, NULL, NULL, 0)) {
        /* a handshake record header announcing 200 bytes, and 10 of them */
        static const char part[] = "\x16\x03\x01\x00\xc8\x01\x00\x00\xc4\x03\x03xxxx";
        double t0 = mono();
        rc_send(&c, part, sizeof(part) - 1);
        char buf[256];
        ssize_t n;
        while ((n = recv(c.fd, buf, sizeof(buf), 0)) > 0)
            ;
        r->stall_eof = n == 0;
        r->stall_secs = mono() - t0;
    }
    rc_close(&c);

    if (!rc_open_ctx(&c, cli_ctx, NULL, 0)) return;
    r->first_ok = rc_hello(&c, true);
    char more[16];
    rc_recv(&c, more, sizeof(more)); /* the close_notify */
    SSL_shutdown(c.ssl);             /* a clean end keeps the session resumable */
    SSL_SESSION *sess = SSL_get1_session(c.ssl);
    rc_close(&c);
    if (rc_open_ctx(&c, cli_ctx, sess, 0)) {
        r->resumed = SSL_session_reused(c.ssl);
        r->resumed_ok = rc_hello(&c, false);
    }
    rc_close(&c);
    SSL_SESSION_free(sess);
    if (rc_open_ctx(&c, cli_ctx, NULL, 0)) r->fresh_not_resumed = !SSL_session_reused(c.ssl);
    rc_close(&c);
}

static void test_tls_handshake_timeout_and_resumption(void **state)
{
    (void)state;
    struct sk_http_limits lim = {.header_timeout = 0.5};
    start_server(&lim);
    struct hs_res r = {0};
    run(hs_client, &r, NULL, 30);
    assert_true(r.stall_eof);
    assert_true(r.stall_secs >= 0.45 && r.stall_secs < 2.5);
    assert_true(r.first_ok);
    assert_true(r.resumed);
    assert_true(r.resumed_ok);
    assert_true(r.fresh_not_resumed);
    assert_true(stats().conns_failed >= 1); /* tls-timeout */
    stop_server();
}

/* ---- listening ---- */

static void v6_client(void *arg)
{
    struct cres *r = arg;
    CURL *h = curl_new();
    char u[128];
    snprintf(u, sizeof(u), "http://[::1]:%d/hello", port);
    curl_easy_setopt(h, CURLOPT_URL, u);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, cres_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    r->rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_cleanup(h);
}

static void test_listen_addresses(void **state)
{
    (void)state;
    const char *bad[] = {"nonsense", "127.0.0.1",       "::1:80",     "[::1]",
                         "[::1]80",  "127.0.0.1:99999", "127.0.0.1:", "[zz]:80"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct sk_error *err = NULL;
        assert_null(sk_http_server_new(L, bad[i], NULL, handler, NULL, NULL, &err));
        assert_non_null(err);
        sk_error_free(err);
    }
    bool was = use_tls;
    use_tls = false;
    struct sk_error *err = NULL;
    S = sk_http_server_new(L, "[::1]:0", NULL, handler, NULL, NULL, &err);
    if (!S) {
        sk_error_free(err); /* no IPv6 here */
    } else {
        port = sk_http_server_port(S);
        struct cres r = {0};
        run(v6_client, &r, NULL, 20);
        assert_int_equal(r.rc, CURLE_OK);
        assert_string_equal(r.body, "hello\n");
        cres_free(&r);
        stop_server();
    }
    use_tls = was;
}

/* ---- groups ---- */

static int group_plain(void **state)
{
    (void)state;
    use_tls = false;
    return 0;
}

static int group_tls(void **state)
{
    (void)state;
    use_tls = true;
    return 0;
}

static int test_teardown(void **state)
{
    (void)state;
    step = NULL;
    if (mc) sk_http_mem_conn_free(mc);
    mc = NULL;
    if (S) stop_server();
    return 0;
}

#define T(f) cmocka_unit_test_teardown(f, test_teardown)

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    if (getenv("SKIFF_TEST_DEBUG")) sk_log_set_level(SK_LOG_DEBUG);
    curl_global_init(CURL_GLOBAL_ALL);
    L = sk_loop_new();
    snprintf(pki_dir, sizeof(pki_dir), "/tmp/skiff-http-XXXXXX");
    if (!mkdtemp(pki_dir)) return 1;
    struct sk_error *err = NULL;
    if (sk_tls_ensure(pki_dir, "testnode", NULL, &pki, &err) ||
        !(srv_tls = sk_tls_server_new(pki, &err))) {
        fprintf(stderr, "pki: %s\n", sk_error_msg(err, SK_EINTERNAL));
        return 1;
    }
    cli_ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(cli_ctx, pki->ca_cert, NULL);
    SSL_CTX_set_verify(cli_ctx, SSL_VERIFY_PEER, NULL);

    const struct CMUnitTest mem[] = {
            T(test_mem_request_parts),
            T(test_mem_pipelining_split_anywhere),
            T(test_mem_async_holds_the_next_request),
            T(test_mem_http10_and_close),
            T(test_mem_respond_buf),
            T(test_mem_rejects),
            T(test_mem_expect_continue_and_bad_handler_output),
            T(test_listen_addresses),
    };
    const struct CMUnitTest net[] = {
            T(test_get_post_head_keepalive),
            T(test_big_buffered_body),
            T(test_chunked_upload_expect_and_async),
            T(test_pipelining_with_an_async_answer),
            T(test_stream_read_incrementally),
            T(test_client_disconnect_fires_close_callback),
            T(test_limits_and_malformed),
            T(test_slowloris_and_idle_timeout),
            T(test_slow_reader_is_dropped),
            T(test_200_concurrent_streams),
            T(test_max_connections),
            T(test_server_free_with_open_stream),
    };
    const struct CMUnitTest tls_only[] = {
            T(test_tls_names_alpn_versions),
            T(test_tls_renewal_swap),
            T(test_tls_handshake_timeout_and_resumption),
    };
    int rc = cmocka_run_group_tests_name("memory", mem, group_plain, NULL);
    rc += cmocka_run_group_tests_name("plain", net, group_plain, NULL);
    rc += cmocka_run_group_tests_name("tls", net, group_tls, NULL);
    rc += cmocka_run_group_tests_name("tls only", tls_only, group_tls, NULL);

    SSL_CTX_free(cli_ctx);
    sk_tls_server_unref(srv_tls);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", pki_dir);
    if (system(cmd)) rc++;
    sk_tls_free(pki);
    sk_loop_free(L);
    curl_slist_free_all(resolve_list);
    curl_global_cleanup();
    return rc;
}
