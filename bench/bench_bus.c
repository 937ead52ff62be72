/* Bus benchmark: one-way throughput (pipelined, with a window) and
 * request/reply round-trip latency between two endpoints on one loop, over
 * inproc and over tcp://127.0.0.1. Prints key=value lines.
 * Usage: bench_bus [MESSAGES [ROUND_TRIPS]] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus.h"
#include "log.h"
#include "loop.h"

/* In flight at once in the throughput run; below the bus's inbox queue so a
 * send fails with SK_EAGAIN only when the consumer really falls behind. */
#define WINDOW 4096

static struct sk_loop *L;
static bool timed_out;

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void on_deadline(void *arg)
{
    (void)arg;
    timed_out = true;
    sk_loop_stop(L);
}

static void die(const char *what, struct sk_error *err)
{
    fprintf(stderr, "bench_bus: %s: %s\n", what, sk_error_msg(err, SK_EINTERNAL));
    exit(1);
}

/* Run until a handler stops the loop; a stuck run fails instead of hanging. */
static void run(double secs)
{
    timed_out = false;
    struct sk_timer *t = sk_timer_add(L, secs, 0, on_deadline, NULL);
    sk_loop_run(L);
    if (timed_out) {
        fprintf(stderr, "bench_bus: timed out\n");
        exit(1);
    }
    sk_timer_cancel(t);
}

/* {"n": uint32}: a small body like most control messages */
static void make_body(uint8_t body[8], uint32_t n)
{
    body[0] = 0x81;
    body[1] = 0xa1;
    body[2] = 'n';
    body[3] = 0xce;
    body[4] = (uint8_t)(n >> 24);
    body[5] = (uint8_t)(n >> 16);
    body[6] = (uint8_t)(n >> 8);
    body[7] = (uint8_t)n;
}

/* ---- one-way throughput ---- */

struct flood {
    struct sk_bus_ep *src;
    const char *to;
    long total, sent, got;
};

static void flood_fill(struct flood *f)
{
    uint8_t body[8];
    while (f->sent < f->total && f->sent - f->got < WINDOW) {
        make_body(body, (uint32_t)f->sent);
        struct sk_error *err = NULL;
        if (!sk_bus_send(f->src, f->to, 1, 1, 0, body, sizeof(body), &err)) {
            if (err->code != SK_EAGAIN) die("send", err);
            sk_error_free(err);
            return; /* full: the next delivery tops up again */
        }
        f->sent++;
    }
}

static void flood_rx(void *arg, const struct skiff_msg *m)
{
    (void)m;
    struct flood *f = arg;
    f->got++;
    if (f->got == f->total) {
        sk_loop_stop(L);
        return;
    }
    /* top up in batches: one send loop per half window, not per message */
    if (f->sent - f->got <= WINDOW / 2) flood_fill(f);
}

static void idle_rx(void *arg, const struct skiff_msg *m)
{
    (void)arg;
    (void)m;
}

static double flood_run(struct sk_bus_ep *src, struct flood *f, long total)
{
    f->src = src;
    f->total = total;
    f->sent = f->got = 0;
    double t0 = now_us();
    flood_fill(f);
    run(300);
    return (double)total / ((now_us() - t0) / 1e6);
}

/* ---- round trips ---- */

struct rtt {
    struct sk_bus_ep *cli, *srv;
    const char *to;
    long total, done;
    double t_sent;
    double *lat;
};

static void rtt_send(struct rtt *r)
{
    uint8_t body[8];
    make_body(body, (uint32_t)r->done);
    struct sk_error *err = NULL;
    r->t_sent = now_us();
    if (!sk_bus_send(r->cli, r->to, 3, 1, 0, body, sizeof(body), &err)) die("send", err);
}

static void rtt_server(void *arg, const struct skiff_msg *m)
{
    struct rtt *r = arg;
    struct sk_error *err = NULL;
    if (!sk_bus_reply(r->srv, m, 4, 1, m->body, m->body_len, &err)) die("reply", err);
}

static void rtt_client(void *arg, const struct skiff_msg *m)
{
    (void)m;
    struct rtt *r = arg;
    if (r->done >= 0) r->lat[r->done] = now_us() - r->t_sent;
    if (++r->done == r->total) {
        sk_loop_stop(L);
        return;
    }
    rtt_send(r);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* First a warm-up trip (it also waits for a tcp connection), then total
 * timed trips, one outstanding at a time. */
static void rtt_run(struct rtt *r, long total, double *p50, double *p99)
{
    r->lat = malloc((size_t)total * sizeof(double));
    if (!r->lat) die("malloc", NULL);
    r->total = 0;
    r->done = -1;
    rtt_send(r);
    run(30);
    r->total = total;
    r->done = 0;
    rtt_send(r);
    run(300);
    qsort(r->lat, (size_t)total, sizeof(double), cmp_double);
    *p50 = r->lat[total / 2];
    *p99 = r->lat[(size_t)((double)total * 0.99)];
    free(r->lat);
}

static struct sk_bus_ep *attach(struct sk_bus *bus, const char *name, sk_bus_fn fn, void *arg)
{
    struct sk_error *err = NULL;
    struct sk_bus_ep *ep = sk_bus_attach(bus, name, fn, arg, &err);
    if (!ep) die("attach", err);
    return ep;
}

int main(int argc, char **argv)
{
    long msgs = argc > 1 ? atol(argv[1]) : 1000000;
    long trips = argc > 2 ? atol(argv[2]) : 100000;
    long tcp_msgs = msgs / 5, tcp_trips = trips / 5;
    if (msgs < 1 || trips < 2) {
        fprintf(stderr, "usage: bench_bus [MESSAGES [ROUND_TRIPS]]\n");
        return 2;
    }
    sk_log_set_level(SK_LOG_WARN);
    L = sk_loop_new();
    struct sk_error *err = NULL;

    /* inproc: two endpoints on one bus */
    struct sk_bus *bus = sk_bus_new(L, "bench", &err);
    if (!bus) die("bus", err);
    struct flood f = {.to = "dst"};
    struct rtt r = {.to = "srv"};
    struct sk_bus_ep *src = attach(bus, "src", idle_rx, NULL);
    attach(bus, "dst", flood_rx, &f);
    r.cli = attach(bus, "cli", rtt_client, &r);
    r.srv = attach(bus, "srv", rtt_server, &r);

    double rate = flood_run(src, &f, msgs);
    double p50, p99;
    rtt_run(&r, trips, &p50, &p99);
    printf("bus.inproc.msgs=%ld\n", msgs);
    printf("bus.inproc.msgs_per_sec=%.0f\n", rate);
    printf("bus.inproc.round_trips=%ld\n", trips);
    printf("bus.inproc.rtt_p50_us=%.1f\n", p50);
    printf("bus.inproc.rtt_p99_us=%.1f\n", p99);
    fflush(stdout);
    sk_bus_free(bus);

    /* tcp: two buses on one loop, one dialing the other over loopback */
    struct sk_bus *sb = sk_bus_new(L, "bench-srv", &err);
    if (!sb) die("bus", err);
    struct sk_bus *cb = sk_bus_new(L, "bench-cli", &err);
    if (!cb) die("bus", err);
    if (sk_bus_listen(sb, "tcp://127.0.0.1:0", &err)) die("listen", err);
    char url[64];
    snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", sk_bus_port(sb));
    if (sk_bus_dial(cb, "srv", url, &err)) die("dial", err);
    struct flood tf = {.to = "srv/dst"};
    struct rtt tr = {.to = "srv/srv"};
    attach(sb, "dst", flood_rx, &tf);
    tr.srv = attach(sb, "srv", rtt_server, &tr);
    tr.cli = attach(cb, "cli", rtt_client, &tr);
    struct sk_bus_ep *tsrc = attach(cb, "src", idle_rx, NULL);

    rtt_run(&tr, tcp_trips, &p50, &p99);
    rate = flood_run(tsrc, &tf, tcp_msgs);
    printf("bus.tcp.msgs=%ld\n", tcp_msgs);
    printf("bus.tcp.msgs_per_sec=%.0f\n", rate);
    printf("bus.tcp.round_trips=%ld\n", tcp_trips);
    printf("bus.tcp.rtt_p50_us=%.1f\n", p50);
    printf("bus.tcp.rtt_p99_us=%.1f\n", p99);
    sk_bus_free(cb);
    sk_bus_free(sb);
    sk_loop_free(L);
    return 0;
}
