/* The worker pool: runs blocking jobs (disk, network, child processes) off
 * the loop and hands each result back to the loop thread. */
#ifndef SK_WORK_H
#define SK_WORK_H

struct sk_loop;
struct sk_work_pool;

typedef void (*sk_work_fn)(void *arg); /* on a worker thread */
typedef void (*sk_done_fn)(void *arg); /* on the loop thread */

/* Start n worker threads (n >= 1). Loop thread. */
struct sk_work_pool *sk_work_pool_new(struct sk_loop *loop, int nthreads);
/* Queue a job. done may be NULL. Returns 0, or -1 once shutdown began.
 * Loop thread or worker thread. */
int sk_work_submit(struct sk_work_pool *p, sk_work_fn work, sk_done_fn done, void *arg);
/* Stop taking jobs, run every queued job to its end, run the done
 * callbacks, join the threads and free the pool. Blocks until the queue is
 * empty, so keep jobs short or give them their own deadline. Loop thread. */
void sk_work_pool_free(struct sk_work_pool *p);
/* Jobs queued or running (for tests and stats). */
int sk_work_pending(struct sk_work_pool *p);

#endif
