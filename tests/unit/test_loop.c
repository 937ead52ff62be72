/* The loop and the worker pool: timers fire in order, async wake-ups cross
 * threads, and blocking jobs run off the loop with their done callbacks
 * back on the loop thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "loop.h"
#include "work.h"

static struct sk_loop *L;

static int setup(void **state)
{
    (void)state;
    L = sk_loop_new();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sk_loop_free(L);
    L = NULL;
    return 0;
}

static int order[8], norder;

static void rec(void *arg)
{
    order[norder++] = (int)(intptr_t)arg;
    if (norder == 3) sk_loop_stop(L);
}

static void test_timers_fire_in_deadline_order(void **state)
{
    (void)state;
    norder = 0;
    sk_timer_add(L, 0.03, 0, rec, (void *)3);
    sk_timer_add(L, 0.01, 0, rec, (void *)1);
    sk_timer_add(L, 0.02, 0, rec, (void *)2);
    sk_loop_run(L);
    assert_int_equal(norder, 3);
    assert_int_equal(order[0], 1);
    assert_int_equal(order[1], 2);
    assert_int_equal(order[2], 3);
}

static int ticks;
static struct sk_timer *rep;

static void tick(void *arg)
{
    (void)arg;
    if (++ticks == 5) {
        sk_timer_cancel(rep);
        sk_loop_stop(L);
    }
}

static void test_repeating_timer_and_cancel(void **state)
{
    (void)state;
    ticks = 0;
    rep = sk_timer_add(L, 0.001, 0.001, tick, NULL);
    sk_loop_run(L);
    assert_int_equal(ticks, 5);
}

static pthread_t loop_thread;
static int done_count, done_on_loop_thread, work_off_loop;
static const int NJOBS = 200;

static void job(void *arg)
{
    (void)arg;
    if (!pthread_equal(pthread_self(), loop_thread)) __atomic_add_fetch(&work_off_loop, 1, 0);
    usleep(100);
}

static void job_done(void *arg)
{
    (void)arg;
    if (pthread_equal(pthread_self(), loop_thread)) done_on_loop_thread++;
    if (++done_count == NJOBS) sk_loop_stop(L);
}

static void deadline(void *arg)
{
    (void)arg;
    fail_msg("deadline passed");
}

static void test_work_pool_runs_off_loop_and_returns_on_loop(void **state)
{
    (void)state;
    loop_thread = pthread_self();
    done_count = done_on_loop_thread = work_off_loop = 0;
    struct sk_work_pool *p = sk_work_pool_new(L, 4);
    for (int i = 0; i < NJOBS; i++)
        assert_int_equal(sk_work_submit(p, job, job_done, NULL), 0);
    struct sk_timer *t = sk_timer_add(L, 10, 0, deadline, NULL);
    sk_loop_run(L);
    sk_timer_cancel(t);
    assert_int_equal(done_count, NJOBS);
    assert_int_equal(done_on_loop_thread, NJOBS);
    assert_int_equal(work_off_loop, NJOBS);
    assert_int_equal(sk_work_pending(p), 0);
    sk_work_pool_free(p);
}

static int late_done;
static void late(void *arg)
{
    (void)arg;
    late_done++;
}

static void slow(void *arg)
{
    (void)arg;
    usleep(20000);
}

static void test_pool_free_finishes_queued_jobs(void **state)
{
    (void)state;
    late_done = 0;
    struct sk_work_pool *p = sk_work_pool_new(L, 1);
    for (int i = 0; i < 5; i++)
        sk_work_submit(p, slow, late, NULL);
    sk_work_pool_free(p); /* nothing handed to the pool is lost */
    assert_int_equal(late_done, 5);
}

static struct sk_async *as;
static int async_hits;

static void on_async(void *arg)
{
    (void)arg;
    async_hits++;
    sk_loop_stop(L);
}

static void *poke(void *arg)
{
    (void)arg;
    usleep(5000);
    sk_async_send(as);
    return NULL;
}

static void test_async_wakes_loop_from_another_thread(void **state)
{
    (void)state;
    async_hits = 0;
    as = sk_async_new(L, on_async, NULL);
    pthread_t th;
    pthread_create(&th, NULL, poke, NULL);
    struct sk_timer *t = sk_timer_add(L, 5, 0, deadline, NULL);
    sk_loop_run(L);
    sk_timer_cancel(t);
    pthread_join(th, NULL);
    assert_int_equal(async_hits, 1);
    sk_async_del(as);
}

static int got_sig;
static void on_sig(int signum, void *arg)
{
    (void)arg;
    got_sig = signum;
    sk_loop_stop(L);
}

static void test_signal_delivered_on_loop(void **state)
{
    (void)state;
    struct sk_sig *s = sk_sig_add(L, SIGUSR1, on_sig, NULL);
    kill(getpid(), SIGUSR1);
    struct sk_timer *t = sk_timer_add(L, 5, 0, deadline, NULL);
    sk_loop_run(L);
    sk_timer_cancel(t);
    sk_sig_del(s);
    assert_int_equal(got_sig, SIGUSR1);
}

static int pipe_read;
static void on_readable(int fd, int events, void *arg)
{
    (void)arg;
    char c;
    assert_true(events & SK_IO_READ);
    assert_int_equal(read(fd, &c, 1), 1);
    pipe_read = c;
    sk_loop_stop(L);
}

static void test_io_watch(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    struct sk_io *io = sk_io_add(L, fds[0], SK_IO_READ, on_readable, NULL);
    assert_int_equal(write(fds[1], "x", 1), 1);
    sk_loop_run(L);
    sk_io_del(io);
    close(fds[0]);
    close(fds[1]);
    assert_int_equal(pipe_read, 'x');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_timers_fire_in_deadline_order, setup, teardown),
            cmocka_unit_test_setup_teardown(test_repeating_timer_and_cancel, setup, teardown),
            cmocka_unit_test_setup_teardown(test_work_pool_runs_off_loop_and_returns_on_loop, setup,
                                            teardown),
            cmocka_unit_test_setup_teardown(test_pool_free_finishes_queued_jobs, setup, teardown),
            cmocka_unit_test_setup_teardown(test_async_wakes_loop_from_another_thread, setup,
                                            teardown),
            cmocka_unit_test_setup_teardown(test_signal_delivered_on_loop, setup, teardown),
            cmocka_unit_test_setup_teardown(test_io_watch, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
