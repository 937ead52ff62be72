/* Tests for the runtime's probes and lifecycle hooks (plugins/runtime/
 * probe.c, hook.c, action.c) with real processes and sockets on a small
 * poll loop standing in for the agent's: exec through a stand-in OCI
 * runtime (a script that runs the command), tcpSocket and httpGet against
 * servers on 127.0.0.1, thresholds, timeouts, the startup gate, and the
 * kubelet's messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../plugins/runtime/pod.h"
#include "json.h"
#include "val.h"

/* ---- a small loop behind the host table ---- */

#define MAXT 64
struct skiff_timer {
    bool live;
    double at, repeat;
    skiff_timer_fn fn;
    void *arg;
};
struct skiff_watch {
    bool live;
    int fd, events;
    skiff_fd_fn fn;
    void *arg;
};
static struct skiff_timer timers[MAXT];
static struct skiff_watch watches[MAXT];

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void h_log(struct skiff_ctx *ctx, int level, const char *fmt, ...)
{
    (void)ctx;
    (void)level;
    (void)fmt;
}

static double h_now(struct skiff_ctx *ctx)
{
    (void)ctx;
    return mono();
}

static struct skiff_timer *h_timer_add(struct skiff_ctx *ctx, double after, double repeat,
                                       skiff_timer_fn fn, void *arg)
{
    (void)ctx;
    for (int i = 0; i < MAXT; i++)
        if (!timers[i].live) {
            timers[i] = (struct skiff_timer){true, mono() + after, repeat, fn, arg};
            return &timers[i];
        }
    fail_msg("out of timers");
    return NULL;
}

static void h_timer_cancel(struct skiff_ctx *ctx, struct skiff_timer *t)
{
    (void)ctx;
    if (t) t->live = false;
}

static struct skiff_watch *h_fd_watch(struct skiff_ctx *ctx, int fd, int events, skiff_fd_fn fn,
                                      void *arg)
{
    (void)ctx;
    for (int i = 0; i < MAXT; i++)
        if (!watches[i].live) {
            watches[i] = (struct skiff_watch){true, fd, events, fn, arg};
            return &watches[i];
        }
    fail_msg("out of watches");
    return NULL;
}

static void h_fd_unwatch(struct skiff_ctx *ctx, struct skiff_watch *w)
{
    (void)ctx;
    if (w) w->live = false;
}

static const struct skiff_host host = {
        .abi_major = SKIFF_ABI_MAJOR,
        .abi_minor = SKIFF_ABI_MINOR,
        .struct_size = sizeof(struct skiff_host),
        .log = h_log,
        .now = h_now,
        .timer_add = h_timer_add,
        .timer_cancel = h_timer_cancel,
        .fd_watch = h_fd_watch,
        .fd_unwatch = h_fd_unwatch,
};

/* Run the loop until *flag is set or secs pass; returns *flag. */
static bool run_until(const bool *flag, double secs)
{
    double end = mono() + secs;
    while (!*flag && mono() < end) {
        double next = end;
        for (int i = 0; i < MAXT; i++)
            if (timers[i].live && timers[i].at < next) next = timers[i].at;
        struct pollfd pfd[MAXT];
        int idx[MAXT], n = 0;
        for (int i = 0; i < MAXT; i++)
            if (watches[i].live) {
                pfd[n].fd = watches[i].fd;
                pfd[n].events = (short)((watches[i].events & SKIFF_FD_READ ? POLLIN : 0) |
                                        (watches[i].events & SKIFF_FD_WRITE ? POLLOUT : 0));
                idx[n++] = i;
            }
        double wait = next - mono();
        int ms = wait > 0 ? (int)(wait * 1000) + 1 : 0;
        int r = poll(pfd, (nfds_t)n, ms);
        for (int k = 0; r > 0 && k < n; k++) {
            struct skiff_watch *w = &watches[idx[k]];
            if (pfd[k].revents && w->live && w->fd == pfd[k].fd) w->fn(w->fd, w->events, w->arg);
        }
        double now = mono();
        for (int i = 0; i < MAXT; i++) {
            struct skiff_timer *t = &timers[i];
            if (!t->live || t->at > now) continue;
            if (t->repeat > 0)
                t->at = now + t->repeat;
            else
                t->live = false;
            t->fn(t->arg);
        }
    }
    return *flag;
}

/* Run the loop until nothing is watched any more (killed children reaped). */
static void settle(double secs)
{
    double end = mono() + secs;
    bool idle = false;
    while (!idle && mono() < end) {
        idle = true;
        for (int i = 0; i < MAXT; i++)
            if (watches[i].live) idle = false;
        bool never = false;
        if (!idle) run_until(&never, 0.05);
    }
    for (int i = 0; i < MAXT; i++)
        assert_false(watches[i].live);
}

/* ---- the runtime stand-in ---- */

static struct rt rt;
static char tmpdir[64];

static int setup(void **state)
{
    (void)state;
    memset(timers, 0, sizeof(timers));
    memset(watches, 0, sizeof(watches));
    memset(&rt, 0, sizeof(rt));
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/skiff-probe-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    rt.host = &host;
    snprintf(rt.dir, sizeof(rt.dir), "%s", tmpdir);
    snprintf(rt.runtime_root, sizeof(rt.runtime_root), "%s/root", tmpdir);
    /* RUNTIME --root R exec --pid-file F ID CMD...: record the pid, run CMD */
    snprintf(rt.runtime_path, sizeof(rt.runtime_path), "%s/runtime", tmpdir);
    FILE *f = fopen(rt.runtime_path, "w");
    assert_non_null(f);
    fputs("#!/bin/sh\necho $$ > \"$5\"\nshift 6\nexec \"$@\"\n", f);
    fclose(f);
    chmod(rt.runtime_path, 0755);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static struct rt_target target(const struct sk_val *spec)
{
    struct rt_target t;
    memset(&t, 0, sizeof(t));
    snprintf(t.ns, sizeof(t.ns), "default");
    snprintf(t.pod, sizeof(t.pod), "web");
    snprintf(t.uid, sizeof(t.uid), "u-1");
    snprintf(t.container, sizeof(t.container), "app");
    snprintf(t.id, sizeof(t.id), "ctr-1");
    snprintf(t.ip, sizeof(t.ip), "127.0.0.1");
    t.spec = spec;
    return t;
}

static struct sk_val *json(const char *s)
{
    struct sk_val *v = NULL;
    assert_int_equal(sk_json_parse(s, strlen(s), &v, NULL), 0);
    return v;
}

struct seen {
    int n;
    bool fired;
    enum rt_probe_kind kind[8];
    bool ok[8];
    char msg[8][1024];
    double at[8];
    struct rt_prober *stop_me; /* stop the prober from inside the callback */
};

static void on_probe(void *arg, enum rt_probe_kind kind, bool ok, const char *message)
{
    struct seen *s = arg;
    if (s->n < 8) {
        s->kind[s->n] = kind;
        s->ok[s->n] = ok;
        snprintf(s->msg[s->n], sizeof(s->msg[0]), "%s", message);
        s->at[s->n] = mono();
        s->n++;
    }
    s->fired = true;
    if (s->stop_me) {
        rt_prober_stop(s->stop_me);
        s->stop_me = NULL;
    }
}

/* ---- servers ---- */

static int listener(int *port)
{
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(s, 16), 0);
    socklen_t l = sizeof(a);
    getsockname(s, (struct sockaddr *)&a, &l);
    *port = ntohs(a.sin_port);
    return s;
}

static int closed_port(void)
{
    int port;
    int s = listener(&port);
    close(s);
    return port;
}

struct httpd {
    int sock, status, port;
    char last[2048];
    pthread_t th;
};

static void *httpd_main(void *arg)
{
    struct httpd *h = arg;
    for (;;) {
        int c = accept(h->sock, NULL, NULL);
        if (c < 0) return NULL;
        char buf[2048];
        size_t n = 0;
        while (n < sizeof(buf) - 1) {
            ssize_t r = read(c, buf + n, sizeof(buf) - 1 - n);
            if (r <= 0) break;
            n += (size_t)r;
            buf[n] = 0;
            if (strstr(buf, "\r\n\r\n")) break;
        }
        buf[n] = 0;
        memcpy(h->last, buf, n + 1);
        char resp[128];
        int rl = snprintf(resp, sizeof(resp), "HTTP/1.1 %d X\r\nContent-Length: 0\r\n\r\n",
                          h->status);
        if (write(c, resp, (size_t)rl) < 0) {
        }
        close(c);
    }
}

static void httpd_start(struct httpd *h, int status)
{
    h->status = status;
    h->sock = listener(&h->port);
    pthread_create(&h->th, NULL, httpd_main, h);
}

static void httpd_stop(struct httpd *h)
{
    shutdown(h->sock, SHUT_RDWR);
    close(h->sock);
    pthread_join(h->th, NULL);
}

/* ---- probes ---- */

static void test_exec_liveness_fails_after_threshold(void **state)
{
    (void)state;
    struct sk_val *spec = json("{\"livenessProbe\":{\"exec\":{\"command\":[\"sh\",\"-c\","
                               "\"echo broken; echo more >&2; exit 1\"]},"
                               "\"periodSeconds\":1,\"failureThreshold\":2}}");
    struct rt_target t = target(spec);
    struct seen s = {0};
    double t0 = mono();
    struct rt_prober *p = rt_prober_start(&rt, &t, spec, on_probe, &s);
    assert_non_null(p);
    assert_true(run_until(&s.fired, 6));
    assert_int_equal(s.n, 1);
    assert_int_equal(s.kind[0], RT_PROBE_LIVENESS);
    assert_false(s.ok[0]);
    assert_string_equal(s.msg[0], "Liveness probe failed: broken\nmore");
    /* the first try at once, the second a period later */
    assert_true(s.at[0] - t0 >= 0.9 && s.at[0] - t0 < 3);
    rt_prober_stop(p);
    sk_val_free(spec);
}

static void test_exec_timeout_kills(void **state)
{
    (void)state;
    char cmdjs[512];
    snprintf(cmdjs, sizeof(cmdjs),
             "{\"livenessProbe\":{\"exec\":{\"command\":[\"sh\",\"-c\",\"echo $$ > %s/inner; "
             "exec sleep 30\"]},\"timeoutSeconds\":1,\"failureThreshold\":1}}",
             tmpdir);
    struct sk_val *spec = json(cmdjs);
    struct rt_target t = target(spec);
    struct seen s = {0};
    struct rt_prober *p = rt_prober_start(&rt, &t, spec, on_probe, &s);
    assert_true(run_until(&s.fired, 5));
    assert_false(s.ok[0]);
    char want[600];
    snprintf(want, sizeof(want),
             "Liveness probe failed: command \"sh -c echo $$ > %s/inner; exec sleep 30\" timed "
             "out",
             tmpdir);
    assert_string_equal(s.msg[0], want);
    /* the command was killed with the runtime */
    char path[128], buf[32] = "";
    snprintf(path, sizeof(path), "%s/inner", tmpdir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(buf, sizeof(buf), f));
    fclose(f);
    pid_t pid = (pid_t)atoi(buf);
    bool none = false;
    for (int i = 0; i < 100 && !none; i++) {
        char st[64];
        snprintf(st, sizeof(st), "/proc/%d/stat", (int)pid);
        FILE *sf = fopen(st, "r");
        char line[256] = "";
        if (sf) {
            if (!fgets(line, sizeof(line), sf)) line[0] = 0;
            fclose(sf);
        }
        /* gone, or a zombie waiting for its reaper */
        none = !sf || strstr(line, ") Z ");
        if (!none) usleep(10000);
    }
    assert_true(none);
    rt_prober_stop(p);
    settle(3);
    sk_val_free(spec);
}

static void test_tcp_readiness_and_refused(void **state)
{
    (void)state;
    int port;
    int ls = listener(&port);
    char js[512];
    snprintf(js, sizeof(js),
             "{\"readinessProbe\":{\"tcpSocket\":{\"port\":%d},\"periodSeconds\":1,"
             "\"successThreshold\":2}}",
             port);
    struct sk_val *spec = json(js);
    struct rt_target t = target(spec);
    struct seen s = {0};
    struct rt_prober *p = rt_prober_start(&rt, &t, spec, on_probe, &s);
    assert_true(run_until(&s.fired, 5));
    assert_int_equal(s.kind[0], RT_PROBE_READINESS);
    assert_true(s.ok[0]);
    /* the port closes: three failures (the default) flip readiness */
    close(ls);
    s.fired = false;
    assert_true(run_until(&s.fired, 6));
    assert_false(s.ok[1]);
    char want[200];
    snprintf(want, sizeof(want),
             "Readiness probe failed: dial tcp 127.0.0.1:%d: connect: connection refused", port);
    assert_string_equal(s.msg[1], want);
    rt_prober_stop(p);
    sk_val_free(spec);
}

static void test_http_named_port_headers_status(void **state)
{
    (void)state;
    struct httpd h;
    httpd_start(&h, 500);
    char js[512];
    snprintf(js, sizeof(js),
             "{\"ports\":[{\"name\":\"web\",\"containerPort\":%d}],"
             "\"livenessProbe\":{\"httpGet\":{\"path\":\"/healthz\",\"port\":\"web\","
             "\"httpHeaders\":[{\"name\":\"X-Probe\",\"value\":\"yes\"}]},"
             "\"failureThreshold\":1}}",
             h.port);
    struct sk_val *spec = json(js);
    struct rt_target t = target(spec);
    struct seen s = {0};
    struct rt_prober *p = rt_prober_start(&rt, &t, spec, on_probe, &s);
    assert_true(run_until(&s.fired, 5));
    assert_false(s.ok[0]);
    assert_string_equal(s.msg[0], "Liveness probe failed: HTTP probe failed with statuscode: 500");
    assert_non_null(strstr(h.last, "GET /healthz HTTP/1.1\r\n"));
    assert_non_null(strstr(h.last, "X-Probe: yes\r\n"));
    assert_non_null(strstr(h.last, "User-Agent: kube-probe/1.32\r\n"));
    char hosthdr[64];
    snprintf(hosthdr, sizeof(hosthdr), "Host: 127.0.0.1:%d\r\n", h.port);
    assert_non_null(strstr(h.last, hosthdr));
    rt_prober_stop(p);
    httpd_stop(&h);
    sk_val_free(spec);
}

static void test_http_refused_and_startup_gate(void **state)
{
    (void)state;
    struct httpd h;
    httpd_start(&h, 204);
    int dead = closed_port();
    char js[512];
    /* startup passes, then readiness (200..399) passes; liveness on a
     * closed port fails only once startup let it run */
    snprintf(js, sizeof(js),
             "{\"startupProbe\":{\"httpGet\":{\"port\":%d}},"
             "\"readinessProbe\":{\"httpGet\":{\"port\":%d,\"path\":\"ready\"}},"
             "\"livenessProbe\":{\"httpGet\":{\"port\":%d},\"failureThreshold\":1}}",
             h.port, h.port, dead);
    struct sk_val *spec = json(js);
    struct rt_target t = target(spec);
    struct seen s = {0};
    struct rt_prober *p = rt_prober_start(&rt, &t, spec, on_probe, &s);
    for (double end = mono() + 5; s.n < 3 && mono() < end;) {
        s.fired = false;
        run_until(&s.fired, end - mono());
    }
    assert_int_equal(s.n, 3);
    assert_int_equal(s.kind[0], RT_PROBE_STARTUP);
    assert_true(s.ok[0]);
    bool saw_ready = false, saw_live = false;
    for (int i = 1; i < 3; i++) {
        if (s.kind[i] == RT_PROBE_READINESS) saw_ready = s.ok[i];
        if (s.kind[i] == RT_PROBE_LIVENESS) {
            char want[300];
            snprintf(want, sizeof(want),
                     "Liveness probe failed: Get \"http://127.0.0.1:%d/\": dial tcp "
                     "127.0.0.1:%d: connect: connection refused",
                     dead, dead);
            assert_string_equal(s.msg[i], want);
            saw_live = !s.ok[i];
        }
    }
    assert_true(saw_ready && saw_live);
    assert_non_null(strstr(h.last, "GET /ready HTTP/1.1\r\n"));
    rt_prober_stop(p);
    httpd_stop(&h);
    sk_val_free(spec);
}

static void test_stop_from_callback_and_no_probes(void **state)
{
    (void)state;
    struct sk_val *none = json("{\"name\":\"x\"}");
    struct rt_target t = target(none);
    struct seen s = {0};
    assert_null(rt_prober_start(&rt, &t, none, on_probe, &s));
    rt_prober_stop(NULL);
    sk_val_free(none);

    char js[256];
    snprintf(js, sizeof(js),
             "{\"livenessProbe\":{\"tcpSocket\":{\"port\":%d},\"failureThreshold\":1},"
             "\"readinessProbe\":{\"grpc\":{\"port\":1},\"failureThreshold\":1}}",
             closed_port());
    struct sk_val *spec = json(js);
    t = target(spec);
    struct rt_prober *p = rt_prober_start(&rt, &t, spec, on_probe, &s);
    s.stop_me = p; /* the first report stops it: nothing may follow */
    assert_true(run_until(&s.fired, 5));
    s.fired = false;
    run_until(&s.fired, 1.5);
    assert_int_equal(s.n, 1);
    for (int i = 0; i < MAXT; i++) {
        assert_false(timers[i].live);
        assert_false(watches[i].live);
    }
    sk_val_free(spec);
}

/* Network probes connect inside the pod's network namespace: a listener
 * that exists only in a namespace of the test's own is reached through
 * the namespace file, and not from the node's namespace. */
static void test_probe_in_netns(void **state)
{
    (void)state;
    char name[64], cmd[256], path[128];
    snprintf(name, sizeof(name), "skiff-probe-%d", (int)getpid());
    snprintf(cmd, sizeof(cmd), "ip netns add %s 2>/dev/null && ip -n %s link set lo up", name,
             name);
    if (system(cmd) != 0) skip(); /* needs root and iproute2 */
    snprintf(path, sizeof(path), "/run/netns/%s", name);
    int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    int ns = open(path, O_RDONLY | O_CLOEXEC);
    assert_true(self >= 0 && ns >= 0);
    assert_int_equal(setns(ns, CLONE_NEWNET), 0);
    int port;
    int ls = listener(&port);
    assert_int_equal(setns(self, CLONE_NEWNET), 0);
    close(ns);
    close(self);

    char js[256];
    snprintf(js, sizeof(js),
             "{\"readinessProbe\":{\"tcpSocket\":{\"port\":%d}},"
             "\"livenessProbe\":{\"tcpSocket\":{\"port\":%d},\"failureThreshold\":1}}",
             port, port);
    struct sk_val *spec = json(js);
    struct rt_target t = target(spec);
    snprintf(t.netns, sizeof(t.netns), "%s", path);
    struct seen s = {0};
    struct rt_prober *p = rt_prober_start(&rt, &t, spec, on_probe, &s);
    assert_true(run_until(&s.fired, 5));
    assert_int_equal(s.n, 1); /* liveness starts as passing: nothing to say */
    assert_int_equal(s.kind[0], RT_PROBE_READINESS);
    assert_true(s.ok[0]);
    rt_prober_stop(p);

    /* the same port from the node's namespace: nobody listens there */
    struct rt_target host_t = target(spec);
    memset(&s, 0, sizeof(s));
    p = rt_prober_start(&rt, &host_t, spec, on_probe, &s);
    bool live_failed = false;
    for (double end = mono() + 5; !live_failed && mono() < end;) {
        s.fired = false;
        run_until(&s.fired, end - mono());
        for (int i = 0; i < s.n; i++)
            if (s.kind[i] == RT_PROBE_LIVENESS && !s.ok[i]) live_failed = true;
    }
    assert_true(live_failed);
    rt_prober_stop(p);
    /* a namespace file that is not there is a clear failure */
    snprintf(host_t.netns, sizeof(host_t.netns), "/run/netns/%s-missing", name);
    memset(&s, 0, sizeof(s));
    p = rt_prober_start(&rt, &host_t, spec, on_probe, &s);
    assert_true(run_until(&s.fired, 5));
    assert_true(s.n >= 1);
    assert_non_null(strstr(s.msg[0], "cannot open network namespace /run/netns/"));
    rt_prober_stop(p);

    close(ls);
    snprintf(cmd, sizeof(cmd), "ip netns del %s", name);
    assert_int_equal(system(cmd), 0);
    sk_val_free(spec);
}

/* ---- hooks ---- */

struct hook_seen {
    bool fired, ok;
    char msg[2048];
};

static void on_hook(void *arg, bool ok, const char *message)
{
    struct hook_seen *h = arg;
    h->fired = true;
    h->ok = ok;
    snprintf(h->msg, sizeof(h->msg), "%s", message);
}

static void test_hooks(void **state)
{
    (void)state;
    struct sk_val *spec = json("{}");
    struct rt_target t = target(spec);
    struct hook_seen h = {0};
    struct sk_val *ex = json("{\"exec\":{\"command\":[\"sh\",\"-c\",\"echo no; exit 3\"]}}");
    assert_int_equal(rt_hook_run(&rt, &t, ex, 5, on_hook, &h), 0);
    assert_false(h.fired); /* never from inside the call */
    assert_true(run_until(&h.fired, 5));
    assert_false(h.ok);
    assert_string_equal(h.msg, "Exec lifecycle hook ([sh -c echo no; exit 3]) for Container "
                               "\"app\" in Pod \"web_default(u-1)\" failed - error: command 'sh "
                               "-c echo no; exit 3' exited with 3: no, message: \"no\"");
    sk_val_free(ex);

    memset(&h, 0, sizeof(h));
    struct sk_val *sl = json("{\"sleep\":{\"seconds\":5}}");
    double t0 = mono();
    assert_int_equal(rt_hook_run(&rt, &t, sl, 1, on_hook, &h), 0);
    assert_true(run_until(&h.fired, 5));
    assert_true(h.ok);
    assert_true(mono() - t0 < 2); /* bounded by the timeout */
    sk_val_free(sl);

    /* an HTTP hook is fine with any answer, not with no answer */
    struct httpd srv;
    httpd_start(&srv, 503);
    char js[256];
    snprintf(js, sizeof(js), "{\"httpGet\":{\"port\":%d,\"path\":\"/stop\"}}", srv.port);
    struct sk_val *hg = json(js);
    memset(&h, 0, sizeof(h));
    assert_int_equal(rt_hook_run(&rt, &t, hg, 5, on_hook, &h), 0);
    assert_true(run_until(&h.fired, 5));
    assert_true(h.ok);
    httpd_stop(&srv);
    sk_val_free(hg);
    int dead = closed_port();
    snprintf(js, sizeof(js), "{\"httpGet\":{\"port\":%d,\"path\":\"/stop\"}}", dead);
    hg = json(js);
    memset(&h, 0, sizeof(h));
    assert_int_equal(rt_hook_run(&rt, &t, hg, 5, on_hook, &h), 0);
    assert_true(run_until(&h.fired, 5));
    assert_false(h.ok);
    char want[400];
    snprintf(want, sizeof(want),
             "HTTP lifecycle hook (/stop) for Container \"app\" in Pod \"web_default(u-1)\" "
             "failed - error: Get \"http://127.0.0.1:%d/stop\": dial tcp 127.0.0.1:%d: connect: "
             "connection refused",
             dead, dead);
    assert_string_equal(h.msg, want);
    sk_val_free(hg);

    struct sk_val *empty = json("{}");
    assert_int_equal(rt_hook_run(&rt, &t, empty, 5, on_hook, &h), -1);
    sk_val_free(empty);
    sk_val_free(spec);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_exec_liveness_fails_after_threshold, setup,
                                            teardown),
            cmocka_unit_test_setup_teardown(test_exec_timeout_kills, setup, teardown),
            cmocka_unit_test_setup_teardown(test_tcp_readiness_and_refused, setup, teardown),
            cmocka_unit_test_setup_teardown(test_http_named_port_headers_status, setup, teardown),
            cmocka_unit_test_setup_teardown(test_http_refused_and_startup_gate, setup, teardown),
            cmocka_unit_test_setup_teardown(test_stop_from_callback_and_no_probes, setup, teardown),
            cmocka_unit_test_setup_teardown(test_probe_in_netns, setup, teardown),
            cmocka_unit_test_setup_teardown(test_hooks, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
