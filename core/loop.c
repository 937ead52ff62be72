/* The event loop, on libev. Only this file includes ev.h; the rest of skiff
 * sees timers, fd watches, signals and async wake-ups through loop.h. */
#include "loop.h"
#include "mem.h"

#include <ev.h>
#include <stdio.h>

struct sk_loop {
    struct ev_loop *ev;
    bool is_default;
};

struct sk_timer {
    ev_timer w;
    struct sk_loop *loop;
    sk_timer_fn fn;
    void *arg;
    bool oneshot;
};

struct sk_io {
    ev_io w;
    struct sk_loop *loop;
    sk_io_fn fn;
    void *arg;
};

struct sk_sig {
    ev_signal w;
    struct sk_loop *loop;
    sk_sig_fn fn;
    void *arg;
};

struct sk_async {
    ev_async w;
    struct sk_loop *loop;
    sk_async_fn fn;
    void *arg;
};

static int default_taken;

struct sk_loop *sk_loop_new(void)
{
    struct sk_loop *l = sk_xcalloc(1, sizeof(*l));
    /* Signals can only be watched on the default loop; the first loop of
     * the process (the agent's) takes it. */
    if (!default_taken) {
        l->ev = ev_default_loop(EVFLAG_AUTO);
        l->is_default = true;
        default_taken = 1;
    } else {
        l->ev = ev_loop_new(EVFLAG_AUTO);
    }
    if (!l->ev) abort();
    return l;
}

void sk_loop_free(struct sk_loop *loop)
{
    if (!loop) return;
    if (loop->is_default) {
        ev_loop_destroy(loop->ev);
        default_taken = 0;
    } else {
        ev_loop_destroy(loop->ev);
    }
    free(loop);
}

int sk_loop_run(struct sk_loop *loop)
{
    ev_run(loop->ev, 0);
    return 0;
}

void sk_loop_run_once(struct sk_loop *loop, bool block)
{
    ev_run(loop->ev, block ? EVRUN_ONCE : EVRUN_NOWAIT);
}

void sk_loop_stop(struct sk_loop *loop)
{
    ev_break(loop->ev, EVBREAK_ALL);
}

double sk_loop_now(struct sk_loop *loop)
{
    return ev_now(loop->ev);
}

static void timer_cb(struct ev_loop *ev, ev_timer *w, int revents)
{
    (void)ev;
    (void)revents;
    struct sk_timer *t = (struct sk_timer *)w;
    sk_timer_fn fn = t->fn;
    void *arg = t->arg;
    if (t->oneshot) {
        ev_timer_stop(t->loop->ev, &t->w);
        free(t);
    }
    fn(arg);
}

struct sk_timer *sk_timer_add(struct sk_loop *loop, double after, double repeat, sk_timer_fn fn,
                              void *arg)
{
    struct sk_timer *t = sk_xcalloc(1, sizeof(*t));
    t->loop = loop;
    t->fn = fn;
    t->arg = arg;
    t->oneshot = repeat <= 0;
    ev_timer_init(&t->w, timer_cb, after < 0 ? 0 : after, repeat > 0 ? repeat : 0);
    ev_timer_start(loop->ev, &t->w);
    return t;
}

void sk_timer_cancel(struct sk_timer *t)
{
    if (!t) return;
    ev_timer_stop(t->loop->ev, &t->w);
    free(t);
}

static void io_cb(struct ev_loop *ev, ev_io *w, int revents)
{
    (void)ev;
    struct sk_io *io = (struct sk_io *)w;
    int events = 0;
    if (revents & EV_READ) events |= SK_IO_READ;
    if (revents & EV_WRITE) events |= SK_IO_WRITE;
    io->fn(io->w.fd, events, io->arg);
}

static int to_ev(int events)
{
    return ((events & SK_IO_READ) ? EV_READ : 0) | ((events & SK_IO_WRITE) ? EV_WRITE : 0);
}

struct sk_io *sk_io_add(struct sk_loop *loop, int fd, int events, sk_io_fn fn, void *arg)
{
    struct sk_io *io = sk_xcalloc(1, sizeof(*io));
    io->loop = loop;
    io->fn = fn;
    io->arg = arg;
    ev_io_init(&io->w, io_cb, fd, to_ev(events));
    if (events) ev_io_start(loop->ev, &io->w);
    return io;
}

void sk_io_set(struct sk_io *io, int events)
{
    ev_io_stop(io->loop->ev, &io->w);
    ev_io_set(&io->w, io->w.fd, to_ev(events));
    if (events) ev_io_start(io->loop->ev, &io->w);
}

void sk_io_del(struct sk_io *io)
{
    if (!io) return;
    ev_io_stop(io->loop->ev, &io->w);
    free(io);
}

static void sig_cb(struct ev_loop *ev, ev_signal *w, int revents)
{
    (void)ev;
    (void)revents;
    struct sk_sig *s = (struct sk_sig *)w;
    s->fn(s->w.signum, s->arg);
}

struct sk_sig *sk_sig_add(struct sk_loop *loop, int signum, sk_sig_fn fn, void *arg)
{
    struct sk_sig *s = sk_xcalloc(1, sizeof(*s));
    s->loop = loop;
    s->fn = fn;
    s->arg = arg;
    ev_signal_init(&s->w, sig_cb, signum);
    ev_signal_start(loop->ev, &s->w);
    return s;
}

void sk_sig_del(struct sk_sig *s)
{
    if (!s) return;
    ev_signal_stop(s->loop->ev, &s->w);
    free(s);
}

static void async_cb(struct ev_loop *ev, ev_async *w, int revents)
{
    (void)ev;
    (void)revents;
    struct sk_async *a = (struct sk_async *)w;
    a->fn(a->arg);
}

struct sk_async *sk_async_new(struct sk_loop *loop, sk_async_fn fn, void *arg)
{
    struct sk_async *a = sk_xcalloc(1, sizeof(*a));
    a->loop = loop;
    a->fn = fn;
    a->arg = arg;
    ev_async_init(&a->w, async_cb);
    ev_async_start(loop->ev, &a->w);
    return a;
}

void sk_async_send(struct sk_async *a)
{
    ev_async_send(a->loop->ev, &a->w);
}

void sk_async_del(struct sk_async *a)
{
    if (!a) return;
    ev_async_stop(a->loop->ev, &a->w);
    free(a);
}

void sk_loop_lib_version(char *buf, size_t len)
{
    snprintf(buf, len, "libev %d.%d", ev_version_major(), ev_version_minor());
}
