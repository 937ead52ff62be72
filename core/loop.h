/* The event loop: the only file that touches libev. One loop runs the agent;
 * timers, fd watches, signals and cross-thread wake-ups are registered here.
 * Unless noted, every function must be called from the loop's thread. */
#ifndef SK_LOOP_H
#define SK_LOOP_H

#include <stdbool.h>
#include <stddef.h>

struct sk_loop;
struct sk_timer;
struct sk_io;
struct sk_async;
struct sk_sig;

enum { SK_IO_READ = 1, SK_IO_WRITE = 2 };

typedef void (*sk_timer_fn)(void *arg);
typedef void (*sk_io_fn)(int fd, int events, void *arg);
typedef void (*sk_async_fn)(void *arg);
typedef void (*sk_sig_fn)(int signum, void *arg);

/* The default loop (owns SIGCHLD handling) the first time, then new loops. */
struct sk_loop *sk_loop_new(void);
void sk_loop_free(struct sk_loop *loop);
/* Runs until sk_loop_stop; returns 0. */
int sk_loop_run(struct sk_loop *loop);
/* Run one iteration, blocking when block is true (tests use it). */
void sk_loop_run_once(struct sk_loop *loop, bool block);
void sk_loop_stop(struct sk_loop *loop);
/* Loop time in seconds (monotonic, cached per iteration). */
double sk_loop_now(struct sk_loop *loop);

/* One-shot (repeat 0) or repeating timer. Freed by sk_timer_cancel, or
 * automatically after a one-shot fires (then the pointer is dead). */
struct sk_timer *sk_timer_add(struct sk_loop *loop, double after, double repeat, sk_timer_fn fn,
                              void *arg);
void sk_timer_cancel(struct sk_timer *t); /* NULL ok */

struct sk_io *sk_io_add(struct sk_loop *loop, int fd, int events, sk_io_fn fn, void *arg);
void sk_io_set(struct sk_io *io, int events);
void sk_io_del(struct sk_io *io); /* NULL ok */

/* Signal delivered on the loop (not in a signal handler). */
struct sk_sig *sk_sig_add(struct sk_loop *loop, int signum, sk_sig_fn fn, void *arg);
void sk_sig_del(struct sk_sig *s);

/* A wake-up that any thread may trigger with sk_async_send; fn then runs on
 * the loop (several sends may coalesce into one call). */
struct sk_async *sk_async_new(struct sk_loop *loop, sk_async_fn fn, void *arg);
void sk_async_send(struct sk_async *a); /* any thread */
void sk_async_del(struct sk_async *a);

/* "libev 4.33" for `skiff version`. Any thread. */
void sk_loop_lib_version(char *buf, size_t len);

#endif
