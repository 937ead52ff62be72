/* Handlers shared by probes and lifecycle hooks, each run on the loop
 * without blocking it:
 *   exec      `RUNTIME --root ROOT exec --pid-file F ID CMD...` as a child
 *             watched through its pidfd, output through a pipe, killed
 *             (with the process it started) at the timeout;
 *   httpGet   a non-blocking socket made inside the pod's network namespace
 *             (setns on the loop thread only around socket(): the socket
 *             keeps the namespace, the thread returns to its own at once),
 *             then connect, request and status line under fd watches;
 *             scheme HTTPS adds a TLS client (mbedtls, as the agent's
 *             API) that, as the kubelet's, verifies no certificate;
 *   tcpSocket the same socket, successful once connected. */
#include "action.h"
#include "mem.h"
#include "pod.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The kubelet keeps this much of a probe command's output. */
#define OUT_MAX  (10 * 1024)
#define RESP_MAX 4096
#define PROBE_UA "kube-probe/1.32"

enum { ACT_EXEC = 1, ACT_HTTP, ACT_TCP, ACT_NONE };

struct rt_action {
    struct rt *rt;
    int type;
    rt_action_fn fn;
    void *arg;
    struct skiff_timer *timer, *defer;
    /* exec */
    pid_t pid;
    int pidfd, outfd;
    struct skiff_watch *pw, *ow;
    char pidfile[PATH_MAX];
    char cmdline[1024];
    char out[OUT_MAX + 1];
    size_t outlen;
    /* network */
    int sock;
    struct skiff_watch *sw;
    bool connected;
    char addr[128]; /* "IP:PORT" as Go prints it */
    bool https, hs_done;
    mbedtls_ssl_context *ssl; /* HTTPS, once connected */
    mbedtls_net_context net;  /* its view of sock */
    char url[1100];
    char req[4096];
    size_t reqlen, sent;
    char resp[RESP_MAX + 1];
    size_t resplen;
    /* a result decided before any I/O, delivered from a timer */
    bool d_ok;
    int d_code;
    char d_msg[1024];
};

struct reaper {
    struct rt *rt;
    int pidfd;
    struct skiff_watch *w;
};

static void reaper_cb(int fd, int events, void *arg)
{
    (void)fd;
    (void)events;
    struct reaper *r = arg;
    if (rt_reap(r->pidfd) == -2) return;
    rt_host(r->rt)->fd_unwatch(rt_ctx(r->rt), r->w);
    close(r->pidfd);
    free(r);
}

/* A killed child is collected when it is gone, off the caller's path. */
static void reap_later(struct rt *rt, int pidfd)
{
    struct reaper *r = sk_xcalloc(1, sizeof(*r));
    r->rt = rt;
    r->pidfd = pidfd;
    r->w = rt_host(rt)->fd_watch(rt_ctx(rt), pidfd, SKIFF_FD_READ, reaper_cb, r);
    if (!r->w) {
        close(pidfd);
        free(r);
    }
}

static void act_free(struct rt_action *a)
{
    const struct skiff_host *h = rt_host(a->rt);
    struct skiff_ctx *ctx = rt_ctx(a->rt);
    if (a->timer) h->timer_cancel(ctx, a->timer);
    if (a->defer) h->timer_cancel(ctx, a->defer);
    if (a->pw) h->fd_unwatch(ctx, a->pw);
    if (a->ow) h->fd_unwatch(ctx, a->ow);
    if (a->sw) h->fd_unwatch(ctx, a->sw);
    if (a->outfd >= 0) close(a->outfd);
    if (a->ssl) {
        mbedtls_ssl_free(a->ssl);
        free(a->ssl);
    }
    if (a->sock >= 0) close(a->sock);
    if (a->pidfd >= 0) {
        /* still running: the command in the container first, then the
         * runtime; the pidfd is reaped when it is gone */
        if (a->pidfile[0]) {
            char *s = rt_read_file(a->pidfile, 64, NULL);
            long pid = s ? atol(s) : 0;
            free(s);
            if (pid > 1) kill((pid_t)pid, SIGKILL);
        }
        if (rt_reap(a->pidfd) == -2) {
            syscall(SYS_pidfd_send_signal, a->pidfd, SIGKILL, NULL, 0);
            reap_later(a->rt, a->pidfd);
        } else {
            close(a->pidfd);
        }
    }
    if (a->pidfile[0]) unlink(a->pidfile);
    free(a);
}

static void finish(struct rt_action *a, bool ok, int code, const char *out)
{
    rt_action_fn fn = a->fn;
    void *arg = a->arg;
    char *copy = sk_xstrdup(out ? out : "");
    act_free(a);
    fn(arg, ok, code, copy);
    free(copy);
}

void rt_action_cancel(struct rt_action *a)
{
    if (a) act_free(a);
}

static void deferred(void *arg)
{
    struct rt_action *a = arg;
    a->defer = NULL;
    finish(a, a->d_ok, a->d_code, a->d_msg);
}

/* Report a result decided now, from the loop's next turn. */
static struct rt_action *decide(struct rt_action *a, bool ok, int code, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static struct rt_action *decide(struct rt_action *a, bool ok, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->d_msg, sizeof(a->d_msg), fmt, ap);
    va_end(ap);
    a->d_ok = ok;
    a->d_code = code;
    if (a->timer) rt_host(a->rt)->timer_cancel(rt_ctx(a->rt), a->timer);
    a->timer = NULL;
    a->defer = rt_host(a->rt)->timer_add(rt_ctx(a->rt), 0, 0, deferred, a);
    return a;
}

/* Go's text for an errno ("connection refused"). */
static void go_errno(int e, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s", strerror(e));
    if (buf[0] && isupper((unsigned char)buf[0]) && !isupper((unsigned char)buf[1]))
        buf[0] = (char)tolower((unsigned char)buf[0]);
}

/* ---- exec ---- */

static void exec_output(struct rt_action *a)
{
    char buf[4096];
    for (;;) {
        ssize_t n = read(a->outfd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        size_t take = (size_t)n;
        if (take > OUT_MAX - a->outlen) take = OUT_MAX - a->outlen;
        memcpy(a->out + a->outlen, buf, take);
        a->outlen += take;
    }
    a->out[a->outlen] = 0;
}

static void exec_out_cb(int fd, int events, void *arg)
{
    (void)fd;
    (void)events;
    struct rt_action *a = arg;
    exec_output(a);
}

static void exec_exit_cb(int fd, int events, void *arg)
{
    (void)fd;
    (void)events;
    struct rt_action *a = arg;
    int st = rt_reap(a->pidfd);
    if (st == -2) return;
    close(a->pidfd);
    a->pidfd = -1;
    exec_output(a); /* what the pipe still holds */
    while (a->outlen && (a->out[a->outlen - 1] == '\n' || a->out[a->outlen - 1] == ' '))
        a->out[--a->outlen] = 0;
    finish(a, st == 0, st, a->out);
}

static void exec_timeout(void *arg)
{
    struct rt_action *a = arg;
    a->timer = NULL;
    char msg[1200];
    snprintf(msg, sizeof(msg), "command \"%s\" timed out", a->cmdline);
    finish(a, false, -1, msg);
}

static struct rt_action *start_exec(struct rt_action *a, const struct rt_target *t,
                                    const struct sk_val *cmd)
{
    size_t n = sk_arr_len(cmd);
    size_t cl = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = sk_val_cstr(sk_arr_get(cmd, i));
        if (!s) return decide(a, false, -1, "exec command[%zu]: not a string", i);
        cl += (size_t)snprintf(a->cmdline + cl,
                               cl < sizeof(a->cmdline) ? sizeof(a->cmdline) - cl : 0, "%s%s",
                               i ? " " : "", s);
        if (cl >= sizeof(a->cmdline)) cl = sizeof(a->cmdline) - 1;
    }
    if (!n) return decide(a, false, -1, "exec: the command is empty");
    static unsigned long seq;
    snprintf(a->pidfile, sizeof(a->pidfile), "%s/exec-%d-%lu.pid", rt_dir(a->rt), (int)getpid(),
             ++seq);
    char **argv = sk_xcalloc(n + 8, sizeof(char *));
    size_t k = 0;
    argv[k++] = (char *)rt_runtime_path(a->rt);
    argv[k++] = "--root";
    argv[k++] = (char *)rt_runtime_root(a->rt);
    argv[k++] = "exec";
    argv[k++] = "--pid-file";
    argv[k++] = a->pidfile;
    argv[k++] = (char *)t->id;
    for (size_t i = 0; i < n; i++)
        argv[k++] = (char *)sk_val_cstr(sk_arr_get(cmd, i));
    argv[k] = NULL;
    int p[2];
    if (pipe2(p, O_CLOEXEC | O_NONBLOCK)) {
        free(argv);
        return decide(a, false, -1, "exec: pipe: %s", strerror(errno));
    }
    int fds[3] = {-1, p[1], p[1]};
    int rc = rt_spawn(argv, fds, -1, &a->pid, &a->pidfd);
    free(argv);
    close(p[1]);
    if (rc) {
        close(p[0]);
        a->pidfd = -1;
        a->pidfile[0] = 0;
        return decide(a, false, -1, "exec: cannot start %s: %s", rt_runtime_path(a->rt),
                      strerror(rc));
    }
    a->outfd = p[0];
    const struct skiff_host *h = rt_host(a->rt);
    struct skiff_ctx *ctx = rt_ctx(a->rt);
    a->ow = h->fd_watch(ctx, a->outfd, SKIFF_FD_READ, exec_out_cb, a);
    a->pw = h->fd_watch(ctx, a->pidfd, SKIFF_FD_READ, exec_exit_cb, a);
    return a;
}

/* ---- network ---- */

int rt_action_port(const struct sk_val *port, const struct sk_val *spec, char *msg, size_t msglen)
{
    if (sk_val_is(port, SK_V_INT)) {
        int64_t v = port->u.i;
        if (v >= 1 && v <= 65535) return (int)v;
        snprintf(msg, msglen, "invalid port number: %lld", (long long)v);
        return 0;
    }
    const char *name = sk_val_cstr(port);
    if (!name || !*name) {
        snprintf(msg, msglen, "port is required");
        return 0;
    }
    char *end;
    long v = strtol(name, &end, 10);
    if (!*end) {
        if (v >= 1 && v <= 65535) return (int)v;
        snprintf(msg, msglen, "invalid port number: %s", name);
        return 0;
    }
    const struct sk_val *ports = sk_map_get(spec, "ports");
    for (size_t i = 0; i < sk_arr_len(ports); i++) {
        const struct sk_val *p = sk_arr_get(ports, i);
        const char *pn = sk_val_str_at(p, "name", NULL);
        int64_t cp = sk_val_to_int(sk_map_get(p, "containerPort"), 0);
        if (pn && !strcmp(pn, name) && cp >= 1 && cp <= 65535) return (int)cp;
    }
    snprintf(msg, msglen, "port %s not found", name);
    return 0;
}

int rt_http_status(const char *p, size_t n)
{
    const char *eol = memchr(p, '\n', n);
    if (!eol) return -1;
    size_t l = (size_t)(eol - p);
    if (l < 12 || memcmp(p, "HTTP/", 5)) return -1;
    const char *sp = memchr(p, ' ', l);
    if (!sp || (size_t)(sp - p) + 4 > l) return -1;
    if (!isdigit((unsigned char)sp[1]) || !isdigit((unsigned char)sp[2]) ||
        !isdigit((unsigned char)sp[3]) || (sp[4] != ' ' && sp[4] != '\r' && sp[4] != '\n'))
        return -1;
    return (sp[1] - '0') * 100 + (sp[2] - '0') * 10 + (sp[3] - '0');
}

/* "Get \"URL\": " before an HTTP probe's network errors, as Go's client
 * words them. */
static void net_fail(struct rt_action *a, const char *fmt, const char *detail)
{
    char msg[1600], inner[400];
    snprintf(inner, sizeof(inner), fmt, a->addr, detail);
    if (a->type == ACT_HTTP)
        snprintf(msg, sizeof(msg), "Get \"%s\": %s", a->url, inner);
    else
        snprintf(msg, sizeof(msg), "%s", inner);
    finish(a, false, -1, msg);
}

static void net_io(int fd, int events, void *arg);

static void net_timeout(void *arg)
{
    struct rt_action *a = arg;
    a->timer = NULL;
    char msg[1400];
    if (a->type == ACT_HTTP)
        snprintf(msg, sizeof(msg),
                 "Get \"%s\": context deadline exceeded (Client.Timeout exceeded while awaiting "
                 "headers)",
                 a->url);
    else
        snprintf(msg, sizeof(msg), "dial tcp %s: i/o timeout", a->addr);
    finish(a, false, -1, msg);
}

static void net_rearm(struct rt_action *a, int events)
{
    const struct skiff_host *h = rt_host(a->rt);
    struct skiff_ctx *ctx = rt_ctx(a->rt);
    if (a->sw) h->fd_unwatch(ctx, a->sw);
    a->sw = h->fd_watch(ctx, a->sock, events, net_io, a);
}

/* The kubelet's HTTPS probes and hooks skip certificate verification
 * (InsecureSkipVerify): the point is the container's answer, not its
 * identity. One client configuration for every probe, made on first use. */
static mbedtls_ssl_config probe_tls;
static int probe_tls_rc = -1;
static pthread_once_t probe_tls_once = PTHREAD_ONCE_INIT;

/* The kernel's random bytes (the runtime is also built as a .so without
 * core/tls.c's sk_tls_random). Requests of up to 256 bytes from getrandom
 * are never cut short. */
static int probe_rng(void *p, unsigned char *out, size_t len)
{
    (void)p;
    for (size_t k; len; out += k, len -= k) {
        k = len > 256 ? 256 : len;
        if (getrandom(out, k, 0) != (ssize_t)k) return MBEDTLS_ERR_SSL_INTERNAL_ERROR;
    }
    return 0;
}

static void probe_tls_init(void)
{
    mbedtls_ssl_config_init(&probe_tls);
    probe_tls_rc =
            mbedtls_ssl_config_defaults(&probe_tls, MBEDTLS_SSL_IS_CLIENT,
                                        MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
    if (probe_tls_rc) return;
    mbedtls_ssl_conf_authmode(&probe_tls, MBEDTLS_SSL_VERIFY_NONE);
    mbedtls_ssl_conf_rng(&probe_tls, probe_rng, NULL);
}

/* Go's words for a TLS failure, with mbedtls's reason. */
static void tls_fail(struct rt_action *a, const char *what, int rc)
{
    char e[160], msg[1600];
    mbedtls_strerror(rc, e, sizeof(e));
    snprintf(msg, sizeof(msg), "Get \"%.1100s\": %s %.128s: tls: %.159s", a->url, what, a->addr, e);
    finish(a, false, -1, msg);
}

/* The HTTPS half of a connected probe: the handshake, then the request
 * and the status line, each step waiting for what mbedtls wants. */
static void tls_io(struct rt_action *a)
{
    int rc;
    if (!a->ssl) {
        pthread_once(&probe_tls_once, probe_tls_init);
        a->ssl = sk_xcalloc(1, sizeof(*a->ssl));
        mbedtls_ssl_init(a->ssl);
        if ((rc = probe_tls_rc) || (rc = mbedtls_ssl_setup(a->ssl, &probe_tls)))
            return tls_fail(a, "dial tcp", rc);
        a->net.fd = a->sock;
        mbedtls_ssl_set_bio(a->ssl, &a->net, mbedtls_net_send, mbedtls_net_recv, NULL);
    }
    if (!a->hs_done) {
        rc = mbedtls_ssl_handshake(a->ssl);
        if (rc == MBEDTLS_ERR_SSL_WANT_READ) return net_rearm(a, SKIFF_FD_READ);
        if (rc == MBEDTLS_ERR_SSL_WANT_WRITE) return net_rearm(a, SKIFF_FD_WRITE);
        if (rc) return tls_fail(a, "remote", rc);
        a->hs_done = true;
    }
    while (a->sent < a->reqlen) {
        rc = mbedtls_ssl_write(a->ssl, (const unsigned char *)a->req + a->sent,
                               a->reqlen - a->sent);
        if (rc == MBEDTLS_ERR_SSL_WANT_WRITE) return net_rearm(a, SKIFF_FD_WRITE);
        if (rc == MBEDTLS_ERR_SSL_WANT_READ) return net_rearm(a, SKIFF_FD_READ);
        if (rc < 0) return tls_fail(a, "write tcp", rc);
        a->sent += (size_t)rc;
    }
    for (;;) {
        rc = mbedtls_ssl_read(a->ssl, (unsigned char *)a->resp + a->resplen, RESP_MAX - a->resplen);
        if (rc == MBEDTLS_ERR_SSL_WANT_READ) return net_rearm(a, SKIFF_FD_READ);
        if (rc == MBEDTLS_ERR_SSL_WANT_WRITE) return net_rearm(a, SKIFF_FD_WRITE);
        if (rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || rc == MBEDTLS_ERR_NET_CONN_RESET) rc = 0;
        if (rc < 0) return tls_fail(a, "read tcp", rc);
        a->resplen += (size_t)rc;
        int code = rt_http_status(a->resp, a->resplen);
        if (code < 0 && rc > 0 && a->resplen < RESP_MAX) continue;
        char msg[1400];
        if (code < 0) {
            snprintf(msg, sizeof(msg), "Get \"%s\": %s", a->url,
                     rc == 0 && !a->resplen ? "EOF" : "malformed HTTP response");
            return finish(a, false, -1, msg);
        }
        if (code >= 200 && code < 400) return finish(a, true, code, "");
        snprintf(msg, sizeof(msg), "HTTP probe failed with statuscode: %d", code);
        return finish(a, false, code, msg);
    }
}

static void net_io(int fd, int events, void *arg)
{
    (void)events;
    struct rt_action *a = arg;
    char e[128];
    if (!a->connected) {
        int err = 0;
        socklen_t el = sizeof(err);
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
        if (err == EINPROGRESS || err == EALREADY) return;
        if (err) {
            go_errno(err, e, sizeof(e));
            return net_fail(a, "dial tcp %s: connect: %s", e);
        }
        a->connected = true;
        if (a->type == ACT_TCP) return finish(a, true, 0, "");
        if (a->https) return tls_io(a);
        net_rearm(a, SKIFF_FD_WRITE);
        return;
    }
    if (a->https) return tls_io(a);
    if (a->sent < a->reqlen) {
        ssize_t n = send(fd, a->req + a->sent, a->reqlen - a->sent, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
        if (n < 0) {
            go_errno(errno, e, sizeof(e));
            char msg[1400];
            snprintf(msg, sizeof(msg), "Get \"%s\": write tcp %s: %s", a->url, a->addr, e);
            return finish(a, false, -1, msg);
        }
        a->sent += (size_t)n;
        if (a->sent == a->reqlen) net_rearm(a, SKIFF_FD_READ);
        return;
    }
    ssize_t n = recv(fd, a->resp + a->resplen, RESP_MAX - a->resplen, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    char msg[1400];
    if (n < 0) {
        go_errno(errno, e, sizeof(e));
        snprintf(msg, sizeof(msg), "Get \"%s\": read tcp %s: %s", a->url, a->addr, e);
        return finish(a, false, -1, msg);
    }
    a->resplen += (size_t)n;
    int code = rt_http_status(a->resp, a->resplen);
    if (code < 0 && n > 0 && a->resplen < RESP_MAX) return;
    if (code < 0) {
        snprintf(msg, sizeof(msg), "Get \"%s\": %s", a->url,
                 n == 0 && !a->resplen ? "EOF" : "malformed HTTP response");
        return finish(a, false, -1, msg);
    }
    if (code >= 200 && code < 400) return finish(a, true, code, "");
    snprintf(msg, sizeof(msg), "HTTP probe failed with statuscode: %d", code);
    finish(a, false, code, msg);
}

/* A socket in the pod's network namespace (netns "" = the node's). */
static int netns_socket(const char *netns, int family, char *msg, size_t msglen)
{
    if (!netns || !*netns) return socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    int target = open(netns, O_RDONLY | O_CLOEXEC);
    if (self < 0 || target < 0) {
        snprintf(msg, msglen, "cannot open network namespace %.300s: %s",
                 target < 0 ? netns : "of self", strerror(errno));
        if (self >= 0) close(self);
        if (target >= 0) close(target);
        return -1;
    }
    if (setns(target, CLONE_NEWNET)) {
        snprintf(msg, msglen, "cannot enter network namespace %.300s: %s", netns, strerror(errno));
        close(self);
        close(target);
        return -1;
    }
    int s = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int e = errno;
    /* the loop thread must be back in its own namespace before anything
     * else runs on it */
    if (setns(self, CLONE_NEWNET)) abort();
    close(self);
    close(target);
    if (s < 0) snprintf(msg, msglen, "socket: %s", strerror(e));
    return s;
}

static struct rt_action *start_net(struct rt_action *a, const struct rt_target *t,
                                   const struct sk_val *h, double timeout)
{
    char msg[512];
    const char *host = sk_val_str_at(h, "host", NULL);
    if (!host || !*host) host = t->ip[0] ? t->ip : "127.0.0.1";
    int port = rt_action_port(sk_map_get(h, "port"), t->spec, msg, sizeof(msg));
    if (!port) return decide(a, false, -1, "%s", msg);
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    socklen_t sl;
    int family;
    bool v6 = false;
    if (inet_pton(AF_INET, host, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
        struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
        s4->sin_family = family = AF_INET;
        s4->sin_port = htons((uint16_t)port);
        sl = sizeof(*s4);
    } else if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
        struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
        s6->sin6_family = family = AF_INET6;
        s6->sin6_port = htons((uint16_t)port);
        sl = sizeof(*s6);
        v6 = true;
    } else {
        return decide(a, false, -1,
                      "dial tcp: lookup %s: probes and hooks take an IP address as host, not a "
                      "name",
                      host);
    }
    snprintf(a->addr, sizeof(a->addr), v6 ? "[%s]:%d" : "%s:%d", host, port);
    if (a->type == ACT_HTTP) {
        const char *scheme = sk_val_str_at(h, "scheme", NULL);
        if (scheme && strcasecmp(scheme, "HTTP")) {
            if (strcasecmp(scheme, "HTTPS"))
                return decide(a, false, -1, "unsupported scheme %s", scheme);
            a->https = true;
        }
        const char *path = sk_val_str_at(h, "path", NULL);
        if (!path || !*path) path = "/";
        snprintf(a->url, sizeof(a->url), "%s://%s%s%.900s", a->https ? "https" : "http", a->addr,
                 path[0] == '/' ? "" : "/", path);
        bool has_host = false, has_ua = false, has_accept = false;
        struct sk_buf hb = {0};
        const struct sk_val *hdrs = sk_map_get(h, "httpHeaders");
        for (size_t i = 0; i < sk_arr_len(hdrs); i++) {
            const char *hn = sk_val_str_at(sk_arr_get(hdrs, i), "name", NULL);
            const char *hv = sk_val_str_at(sk_arr_get(hdrs, i), "value", NULL);
            if (!hn || !*hn || strpbrk(hn, "\r\n:") || (hv && strpbrk(hv, "\r\n"))) continue;
            if (!strcasecmp(hn, "Host")) has_host = true;
            if (!strcasecmp(hn, "User-Agent")) has_ua = true;
            if (!strcasecmp(hn, "Accept")) has_accept = true;
            sk_buf_printf(&hb, "%s: %s\r\n", hn, hv ? hv : "");
        }
        int n = snprintf(a->req, sizeof(a->req), "GET %s%.1000s HTTP/1.1\r\n",
                         path[0] == '/' ? "" : "/", path);
        if (!has_host)
            n += snprintf(a->req + n, sizeof(a->req) - (size_t)n, "Host: %s\r\n", a->addr);
        if (!has_ua)
            n += snprintf(a->req + n, sizeof(a->req) - (size_t)n, "User-Agent: " PROBE_UA "\r\n");
        if (!has_accept) n += snprintf(a->req + n, sizeof(a->req) - (size_t)n, "Accept: */*\r\n");
        if (hb.len && (size_t)n + hb.len < sizeof(a->req) - 64) {
            memcpy(a->req + n, hb.p, hb.len);
            n += (int)hb.len;
        }
        sk_buf_free(&hb);
        n += snprintf(a->req + n, sizeof(a->req) - (size_t)n, "Connection: close\r\n\r\n");
        a->reqlen = (size_t)n < sizeof(a->req) ? (size_t)n : sizeof(a->req) - 1;
    }
    a->sock = netns_socket(t->netns, family, msg, sizeof(msg));
    if (a->sock < 0) return decide(a, false, -1, "%s", msg);
    if (connect(a->sock, (struct sockaddr *)&ss, sl) && errno != EINPROGRESS) {
        char e[128];
        go_errno(errno, e, sizeof(e));
        if (a->type == ACT_HTTP)
            return decide(a, false, -1, "Get \"%s\": dial tcp %s: connect: %s", a->url, a->addr, e);
        return decide(a, false, -1, "dial tcp %s: connect: %s", a->addr, e);
    }
    (void)timeout;
    net_rearm(a, SKIFF_FD_WRITE);
    return a;
}

struct rt_action *rt_action_start(struct rt *rt, const struct rt_target *t, const struct sk_val *h,
                                  double timeout, rt_action_fn fn, void *arg, const char **kind,
                                  char *msg, size_t msglen)
{
    const struct sk_val *ex = sk_map_get(h, "exec");
    const struct sk_val *hg = sk_map_get(h, "httpGet");
    const struct sk_val *ts = sk_map_get(h, "tcpSocket");
    const struct sk_val *gr = sk_map_get(h, "grpc");
    int type = ex ? ACT_EXEC : hg ? ACT_HTTP : ts ? ACT_TCP : gr ? ACT_NONE : 0;
    if (kind) *kind = ex ? "exec" : hg ? "http" : ts ? "tcp" : gr ? "grpc" : NULL;
    if (!type) {
        snprintf(msg, msglen, "no handler: want exec, httpGet, tcpSocket or grpc");
        return NULL;
    }
    if (timeout <= 0) timeout = 1;
    struct rt_action *a = sk_xcalloc(1, sizeof(*a));
    a->rt = rt;
    a->type = type;
    a->fn = fn;
    a->arg = arg;
    a->pidfd = a->outfd = a->sock = -1;
    const struct skiff_host *host = rt_host(rt);
    a->timer = host->timer_add(rt_ctx(rt), timeout, 0,
                               type == ACT_EXEC ? exec_timeout : net_timeout, a);
    switch (type) {
    case ACT_EXEC: return start_exec(a, t, sk_map_get(ex, "command"));
    case ACT_HTTP: return start_net(a, t, hg, timeout);
    case ACT_TCP: return start_net(a, t, ts, timeout);
    default:
        return decide(a, false, -1,
                      "gRPC probes are not supported by skiff: use exec, httpGet or tcpSocket");
    }
}
