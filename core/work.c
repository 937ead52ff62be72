/* A fixed pool of threads fed from one queue. Finished jobs go on a second
 * queue and an async wake-up makes the loop run their done callbacks, so
 * done always runs on the loop thread, in completion order. */
#include "work.h"
#include "loop.h"
#include "mem.h"

#include <pthread.h>
#include <stdbool.h>

struct job {
    struct job *next;
    sk_work_fn work;
    sk_done_fn done;
    void *arg;
};

struct sk_work_pool {
    struct sk_loop *loop;
    struct sk_async *wake;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct job *q_head, *q_tail;       /* waiting to run */
    struct job *done_head, *done_tail; /* finished, waiting for the loop */
    int pending;
    bool stopping;
    int n;
    pthread_t *threads;
};

static void push(struct job **head, struct job **tail, struct job *j)
{
    j->next = NULL;
    if (*tail)
        (*tail)->next = j;
    else
        *head = j;
    *tail = j;
}

static void *worker(void *arg)
{
    struct sk_work_pool *p = arg;
    /* named, so that top -H, perf and the bench tell workers apart */
    pthread_setname_np(pthread_self(), "sk-work");
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->q_head && !p->stopping)
            pthread_cond_wait(&p->cv, &p->mu);
        if (!p->q_head) break; /* stopping and nothing left */
        struct job *j = p->q_head;
        p->q_head = j->next;
        if (!p->q_head) p->q_tail = NULL;
        pthread_mutex_unlock(&p->mu);
        j->work(j->arg);
        pthread_mutex_lock(&p->mu);
        push(&p->done_head, &p->done_tail, j);
        sk_async_send(p->wake);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void drain_done(void *arg)
{
    struct sk_work_pool *p = arg;
    pthread_mutex_lock(&p->mu);
    struct job *j = p->done_head;
    p->done_head = p->done_tail = NULL;
    pthread_mutex_unlock(&p->mu);
    while (j) {
        struct job *next = j->next;
        if (j->done) j->done(j->arg);
        free(j);
        pthread_mutex_lock(&p->mu);
        p->pending--;
        pthread_mutex_unlock(&p->mu);
        j = next;
    }
}

struct sk_work_pool *sk_work_pool_new(struct sk_loop *loop, int nthreads)
{
    struct sk_work_pool *p = sk_xcalloc(1, sizeof(*p));
    if (nthreads < 1) nthreads = 1;
    p->loop = loop;
    p->wake = sk_async_new(loop, drain_done, p);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->n = nthreads;
    p->threads = sk_xcalloc((size_t)nthreads, sizeof(pthread_t));
    for (int i = 0; i < nthreads; i++) {
        /* small stacks: workers run short blocking calls, not deep recursion */
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, 256 * 1024);
        if (pthread_create(&p->threads[i], &attr, worker, p) != 0) abort();
        pthread_attr_destroy(&attr);
    }
    return p;
}

int sk_work_submit(struct sk_work_pool *p, sk_work_fn work, sk_done_fn done, void *arg)
{
    struct job *j = sk_xcalloc(1, sizeof(*j));
    j->work = work;
    j->done = done;
    j->arg = arg;
    pthread_mutex_lock(&p->mu);
    if (p->stopping) {
        pthread_mutex_unlock(&p->mu);
        free(j);
        return -1;
    }
    push(&p->q_head, &p->q_tail, j);
    p->pending++;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return 0;
}

int sk_work_pending(struct sk_work_pool *p)
{
    pthread_mutex_lock(&p->mu);
    int n = p->pending;
    pthread_mutex_unlock(&p->mu);
    return n;
}

void sk_work_pool_free(struct sk_work_pool *p)
{
    if (!p) return;
    pthread_mutex_lock(&p->mu);
    p->stopping = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    /* Workers finish the queue before exiting: queued jobs still run, so
     * nothing handed to the pool is silently lost. */
    for (int i = 0; i < p->n; i++)
        pthread_join(p->threads[i], NULL);
    drain_done(p);
    sk_async_del(p->wake);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->threads);
    free(p);
}
