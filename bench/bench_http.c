/* HTTP server benchmark: requests per second and latency percentiles of a
 * small GET over keep-alive connections from client threads (raw OpenSSL
 * or TCP sockets) to the server on loopback, over TLS and over plain HTTP;
 * then the server's heap per idle TLS connection and per open stream, with
 * the clients in a child process so their memory is not counted.
 * Prints key=value lines.
 * Usage: bench_http [SECONDS [CONNS [IDLE_CONNS]]] (5, 16, 500) */
#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "log.h"
#include "loop.h"
#include "tls.h"

static struct sk_loop *L;
static struct sk_http_server *S;
static struct sk_tls *pki;
static struct sk_tls_server *srv_tls; /* the server's TLS: mbedtls */
static SSL_CTX *cli_ctx;              /* the clients': OpenSSL */
static int port;
static bool tls_on;
static atomic_int stop_flag, measuring, running;

/* A small Kubernetes object, as a GET of one pod would return. */
static const char OBJ[] =
        "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"web-0\","
        "\"namespace\":\"default\",\"uid\":\"0b6a4d4e-1f0c-4d59-9d0a-4e3f5e6a7b8c\","
        "\"resourceVersion\":\"1234\"},\"spec\":{\"containers\":[{\"name\":\"web\","
        "\"image\":\"busybox\"}]},\"status\":{\"phase\":\"Running\"}}";

static struct sk_http_req *streams[4096];
static int nstreams;

static void on_stream_close(struct sk_http_req *r, void *arg)
{
    (void)arg;
    for (int i = 0; i < nstreams; i++)
        if (streams[i] == r) streams[i] = streams[--nstreams];
    sk_http_req_abort(r);
}

static void handler(struct sk_http_req *req, void *arg)
{
    (void)arg;
    if (!strcmp(sk_http_req_path(req), "/watch") && nstreams < 4096) {
        sk_http_stream_begin(req, 200, "application/json");
        sk_http_stream_write(req, OBJ, sizeof(OBJ) - 1);
        sk_http_req_on_close(req, on_stream_close, NULL);
        streams[nstreams++] = req;
        return;
    }
    sk_http_req_add_header(req, "Audit-Id", "5f0c1e2d-3a4b-4c5d-8e9f-0a1b2c3d4e5f");
    sk_http_respond(req, 200, "application/json", "Cache-Control: no-cache, private\r\n", OBJ,
                    sizeof(OBJ) - 1);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_http: %s\n", what);
    exit(1);
}

/* ---- a blocking client connection ---- */

struct conn {
    int fd;
    SSL *ssl;
};

static bool c_open(struct conn *c)
{
    c->ssl = NULL;
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct timeval tv = {.tv_sec = 10};
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c->fd, (struct sockaddr *)&a, sizeof(a))) return false;
    if (!tls_on) return true;
    c->ssl = SSL_new(cli_ctx);
    SSL_set_fd(c->ssl, c->fd);
    SSL_set1_host(c->ssl, "localhost");
    return SSL_connect(c->ssl) == 1;
}

static bool c_write(struct conn *c, const char *s, size_t n)
{
    return c->ssl ? SSL_write(c->ssl, s, (int)n) == (int)n
                  : send(c->fd, s, n, MSG_NOSIGNAL) == (ssize_t)n;
}

static ssize_t c_read(struct conn *c, char *b, size_t n)
{
    return c->ssl ? SSL_read(c->ssl, b, (int)n) : recv(c->fd, b, n, 0);
}

/* Read one response with a Content-Length body. */
static bool c_response(struct conn *c)
{
    char buf[4096];
    size_t got = 0;
    for (;;) {
        ssize_t n = c_read(c, buf + got, sizeof(buf) - 1 - got);
        if (n <= 0) return false;
        got += (size_t)n;
        buf[got] = 0;
        char *end = strstr(buf, "\r\n\r\n");
        char *cl = strstr(buf, "Content-Length: ");
        if (end && cl && got >= (size_t)(end + 4 - buf) + strtoul(cl + 16, NULL, 10)) return true;
        if (got == sizeof(buf) - 1) return false;
    }
}

static void c_close(struct conn *c)
{
    SSL_free(c->ssl);
    close(c->fd);
}

/* ---- the keep-alive run ---- */

struct client {
    pthread_t t;
    uint32_t *lat;
    size_t n, cap;
    bool failed;
};

static void *client_main(void *arg)
{
    struct client *cl = arg;
    struct conn c;
    static const char req[] = "GET /api/v1/namespaces/default/pods/web-0 HTTP/1.1\r\n"
                              "Host: localhost:6443\r\nUser-Agent: bench\r\n"
                              "Accept: application/json\r\nAuthorization: Bearer x\r\n\r\n";
    if (!c_open(&c)) {
        cl->failed = true;
        atomic_fetch_sub(&running, 1);
        return NULL;
    }
    while (!atomic_load(&stop_flag)) {
        double t0 = now_s();
        if (!c_write(&c, req, sizeof(req) - 1) || !c_response(&c)) {
            cl->failed = true;
            break;
        }
        if (atomic_load(&measuring)) {
            if (cl->n == cl->cap) {
                cl->cap = cl->cap ? cl->cap * 2 : 65536;
                cl->lat = realloc(cl->lat, cl->cap * sizeof(*cl->lat));
            }
            cl->lat[cl->n++] = (uint32_t)((now_s() - t0) * 1e6);
        }
    }
    c_close(&c);
    atomic_fetch_sub(&running, 1);
    return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static double t_start, t_end;
static double warmup = 0.5, secs = 5;

static void on_phase(void *arg)
{
    (void)arg;
    if (!atomic_load(&measuring) && !t_start) {
        t_start = now_s();
        atomic_store(&measuring, 1);
        sk_timer_add(L, secs, 0, on_phase, NULL);
    } else {
        atomic_store(&measuring, 0);
        t_end = now_s();
        atomic_store(&stop_flag, 1);
    }
}

static void start_server(bool with_tls)
{
    struct sk_error *err = NULL;
    tls_on = with_tls;
    S = sk_http_server_new(L, "127.0.0.1:0", with_tls ? srv_tls : NULL, handler, NULL, NULL, &err);
    if (!S) die(sk_error_msg(err, SK_EINTERNAL));
    port = sk_http_server_port(S);
}

static void keepalive_run(bool with_tls, int nconns)
{
    start_server(with_tls);
    struct client *cl = calloc((size_t)nconns, sizeof(*cl));
    atomic_store(&stop_flag, 0);
    atomic_store(&measuring, 0);
    atomic_store(&running, nconns);
    t_start = t_end = 0;
    for (int i = 0; i < nconns; i++)
        pthread_create(&cl[i].t, NULL, client_main, &cl[i]);
    sk_timer_add(L, warmup, 0, on_phase, NULL);
    while (atomic_load(&running) > 0)
        sk_loop_run_once(L, true);
    size_t total = 0;
    int failed = 0;
    for (int i = 0; i < nconns; i++) {
        pthread_join(cl[i].t, NULL);
        total += cl[i].n;
        failed += cl[i].failed;
    }
    uint32_t *all = malloc((total ? total : 1) * sizeof(*all));
    size_t k = 0;
    for (int i = 0; i < nconns; i++) {
        memcpy(all + k, cl[i].lat, cl[i].n * sizeof(*all));
        k += cl[i].n;
        free(cl[i].lat);
    }
    qsort(all, total, sizeof(*all), cmp_u32);
    const char *p = with_tls ? "tls" : "plain";
    printf("%s_conns=%d\n", p, nconns);
    printf("%s_requests=%zu\n", p, total);
    printf("%s_requests_per_sec=%.0f\n", p, total / (t_end - t_start));
    if (total) {
        printf("%s_p50_us=%u\n", p, all[total / 2]);
        printf("%s_p99_us=%u\n", p, all[total * 99 / 100]);
        printf("%s_max_us=%u\n", p, all[total - 1]);
    }
    printf("%s_client_errors=%d\n", p, failed);
    struct sk_http_stats st;
    sk_http_server_stats(S, &st);
    printf("%s_server_conns_failed=%llu\n", p, (unsigned long long)st.conns_failed);
    free(all);
    free(cl);
    sk_http_server_free(S);
    S = NULL;
}

/* ---- memory per connection and per stream ---- */

static int child_pipe[2], parent_pipe[2];
static int child_step;

static void on_child(int fd, int events, void *arg)
{
    (void)events;
    (void)arg;
    char ch;
    if (read(fd, &ch, 1) == 1) child_step++;
}

static size_t heap_in_use(void)
{
    malloc_trim(0);
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

/* In the child: open n TLS connections, report; start a watch on each,
 * report; then wait to be told to go. */
static void idle_child(int n)
{
    struct conn *c = calloc((size_t)n, sizeof(*c));
    int ok = 0;
    for (int i = 0; i < n; i++)
        ok += c_open(&c[i]);
    if (write(child_pipe[1], "1", 1) != 1) _exit(1);
    char ch;
    if (read(parent_pipe[0], &ch, 1) != 1) _exit(1);
    static const char req[] = "GET /watch HTTP/1.1\r\nHost: localhost\r\n\r\n";
    for (int i = 0; i < n; i++) {
        char buf[1024];
        c_write(&c[i], req, sizeof(req) - 1);
        c_read(&c[i], buf, sizeof(buf));
    }
    if (write(child_pipe[1], "2", 1) != 1) _exit(1);
    if (read(parent_pipe[0], &ch, 1) != 1) _exit(1);
    for (int i = 0; i < n; i++)
        c_close(&c[i]);
    _exit(ok == n ? 0 : 2);
}

static void wait_child_step(int want)
{
    while (child_step < want)
        sk_loop_run_once(L, true);
}

static void memory_run(int n)
{
    start_server(true);
    if (pipe(child_pipe) || pipe(parent_pipe)) die("pipe");
    struct sk_io *io = sk_io_add(L, child_pipe[0], SK_IO_READ, on_child, NULL);
    size_t before = heap_in_use();
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) idle_child(n);
    wait_child_step(1);
    struct sk_http_stats st;
    sk_http_server_stats(S, &st);
    size_t idle = heap_in_use();
    if (write(parent_pipe[1], "g", 1) != 1) die("pipe");
    wait_child_step(2);
    while (nstreams < n)
        sk_loop_run_once(L, true);
    size_t streaming = heap_in_use();
    if (write(parent_pipe[1], "g", 1) != 1) die("pipe");
    while (nstreams > 0)
        sk_loop_run_once(L, true);
    int status;
    waitpid(pid, &status, 0);
    printf("idle_tls_conns=%llu\n", (unsigned long long)st.conns_open);
    printf("idle_tls_conn_heap_bytes=%zu\n", (idle - before) / (size_t)n);
    printf("open_stream_heap_bytes=%zu\n", (streaming - before) / (size_t)n);
    sk_io_del(io);
    sk_http_server_free(S);
    S = NULL;
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    sk_log_set_level(SK_LOG_WARN);
    if (argc > 1) secs = atof(argv[1]);
    int nconns = argc > 2 ? atoi(argv[2]) : 16;
    int nidle = argc > 3 ? atoi(argv[3]) : 500;
    struct rlimit rl;
    if (!getrlimit(RLIMIT_NOFILE, &rl) && (rlim_t)(2 * nidle + 64) > rl.rlim_cur)
        nidle = (int)(rl.rlim_cur - 64) / 2;
    L = sk_loop_new();
    char dir[] = "/tmp/skiff-bench-http-XXXXXX";
    if (!mkdtemp(dir)) die("mkdtemp");
    struct sk_error *err = NULL;
    if (sk_tls_ensure(dir, "bench", NULL, &pki, &err) || !(srv_tls = sk_tls_server_new(pki, &err)))
        die(sk_error_msg(err, SK_EINTERNAL));
    cli_ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(cli_ctx, pki->ca_cert, NULL);
    SSL_CTX_set_verify(cli_ctx, SSL_VERIFY_PEER, NULL);

    printf("bench=http_keepalive_get\nseconds=%.1f\nbody_bytes=%zu\n", secs, sizeof(OBJ) - 1);
    keepalive_run(true, nconns);
    keepalive_run(false, nconns);
    memory_run(nidle);

    SSL_CTX_free(cli_ctx);
    sk_tls_server_unref(srv_tls);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd)) return 1;
    sk_tls_free(pki);
    sk_loop_free(L);
    return 0;
}
