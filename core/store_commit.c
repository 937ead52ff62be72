/* Group commit: writers queue commands from the loop; one committer thread
 * takes everything queued, applies it in one LMDB write transaction and
 * commits it durably; then the loop publishes the events and runs every
 * writer's callback. The more writers wait, the bigger the batch, so
 * throughput grows with concurrency while fsyncs (and flash wear) do not. */
#include "store_priv.h"
#include "log.h"
#include "loop.h"
#include "mem.h"

#include <string.h>
#include <time.h>

struct sk_store_req {
    struct sk_store_req *next;
    char *cmd;
    size_t len;
    sk_store_done_fn done;
    void *arg;
    struct sk_store_result res;
};

struct sk_store_batch {
    struct sk_store_batch *next;
    struct sk_store_req *reqs;
    struct sk_store_ev *evs;
};

static void free_reqs(struct sk_store_req *r)
{
    while (r) {
        struct sk_store_req *next = r->next;
        sk_store_result_clear(&r->res);
        free(r->cmd);
        free(r);
        r = next;
    }
}

static void push_batch(struct sk_store *s, struct sk_store_req *reqs, struct sk_store_ev *evs)
{
    struct sk_store_batch *b = sk_xcalloc(1, sizeof(*b));
    b->reqs = reqs;
    b->evs = evs;
    pthread_mutex_lock(&s->mu);
    if (s->done_tail)
        s->done_tail->next = b;
    else
        s->done_head = b;
    s->done_tail = b;
    pthread_mutex_unlock(&s->mu);
    sk_async_send(s->wake);
}

void sk_store_handoff(struct sk_store *s, struct sk_store_ev *evs)
{
    if (!evs) return;
    if (!s->wake) {
        sk_store_ev_free_list(evs);
        return;
    }
    push_batch(s, NULL, evs);
}

/* One transaction for the whole list. On failure every result says so and
 * nothing was written. */
static sk_err run_txn(struct sk_store *s, struct sk_store_req *reqs)
{
    struct sk_store_txn *t;
    struct sk_error *e = NULL;
    size_t n = 0;
    sk_err rc = sk_store_txn_begin(s, &t, &e);
    for (struct sk_store_req *r = reqs; !rc && r; r = r->next, n++)
        rc = sk_store_apply(t, r->cmd, r->len, &r->res);
    if (rc)
        sk_store_txn_abort(t);
    else
        rc = sk_store_txn_commit(t, &e);
    if (rc) {
        for (struct sk_store_req *r = reqs; r; r = r->next) {
            sk_store_result_clear(&r->res);
            r->res.code = rc;
            sk_fail(&r->res.err, rc, "%s", e ? e->msg : "store: write failed");
        }
    } else {
        atomic_fetch_add(&s->n_writes, n);
    }
    sk_error_free(e);
    return rc;
}

static void run_batch(struct sk_store *s, struct sk_store_req *reqs)
{
    if (run_txn(s, reqs) != SK_OK && reqs->next) {
        /* One bad apple (a full map, say) must not fail its neighbours:
         * retry each on its own. Apply is deterministic, so the survivors
         * get the results they would have had. */
        for (struct sk_store_req *r = reqs; r; r = r->next) {
            struct sk_store_req *next = r->next;
            r->next = NULL;
            sk_store_result_clear(&r->res);
            run_txn(s, r);
            r->next = next;
        }
    }
    /* The events went ahead when the transaction committed. */
    push_batch(s, reqs, NULL);
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Writers that wait for their ack before writing again split into groups
 * that alternate between commits (those acked by commit N queue up during
 * commit N+1). When a commit is slow, waiting a little for the writers
 * just acked lets them share the next fsync: the expected number is what
 * the last commit carried plus what queued meanwhile. The wait is half the
 * last commit's time, at least 0.5 ms (what the loop needs to hand a dozen
 * writers their acks and take their next writes) and at most 2 ms; it ends
 * as soon as the expected writers are in. */
static void gather(struct sk_store *s, size_t expect, double last_commit)
{
    if (last_commit < 0.0002 || s->q_n >= expect) return;
    double wait = last_commit / 2;
    if (wait < 0.0005) wait = 0.0005;
    if (wait > 0.002) wait = 0.002;
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    long ns = dl.tv_nsec + (long)(wait * 1e9);
    dl.tv_sec += ns / 1000000000;
    dl.tv_nsec = ns % 1000000000;
    while (s->q_n < expect && !s->stopping)
        if (pthread_cond_timedwait(&s->cv, &s->mu, &dl) != 0) break;
}

static void *committer(void *arg)
{
    struct sk_store *s = arg;
    size_t expect = 0;
    double last_commit = 0;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->q_head && !s->stopping)
            pthread_cond_wait(&s->cv, &s->mu);
        if (!s->q_head) break;
        gather(s, expect, last_commit);
        struct sk_store_req *reqs = s->q_head;
        size_t n = s->q_n;
        s->q_head = s->q_tail = NULL;
        s->q_n = 0;
        pthread_mutex_unlock(&s->mu);
        double t0 = mono_now();
        run_batch(s, reqs);
        last_commit = mono_now() - t0;
        pthread_mutex_lock(&s->mu);
        expect = n + s->q_n;
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* On the loop: events first, so that a writer whose callback reads an
 * informer cache already sees its own write; then the callbacks. */
static void drain(void *arg)
{
    struct sk_store *s = arg;
    pthread_mutex_lock(&s->mu);
    struct sk_store_batch *b = s->done_head;
    s->done_head = s->done_tail = NULL;
    pthread_mutex_unlock(&s->mu);
    while (b) {
        struct sk_store_batch *next = b->next;
        if (b->evs) sk_store_publish(s, b->evs);
        for (struct sk_store_req *r = b->reqs; r; r = r->next)
            if (r->done) r->done(&r->res, r->arg);
        free_reqs(b->reqs);
        free(b);
        b = next;
    }
}

void sk_store_commit_start(struct sk_store *s)
{
    /* One flush per commit instead of two: LMDB writes the meta page
     * without its own O_DSYNC write; the next commit's flush carries it.
     * A power cut can undo the last commit (writes acknowledged in it are
     * lost, the store stays consistent); a crash of the process loses
     * nothing (the page cache survives it). docs/architecture.md, "Group
     * commit and durability", weighs this. */
    int mrc = mdb_env_set_flags(s->env, MDB_NOMETASYNC, 1);
    if (mrc)
        sk_log(SK_LOG_WARN, "store", "cannot defer LMDB's meta page flush: %s; commits flush twice",
               mdb_strerror(mrc));
    s->wake = sk_async_new(s->loop, drain, s);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    if (pthread_create(&s->thr, &attr, committer, s) != 0) abort();
    pthread_attr_destroy(&attr);
    s->thr_started = true;
}

void sk_store_commit_stop(struct sk_store *s)
{
    if (!s->thr_started) return;
    pthread_mutex_lock(&s->mu);
    s->stopping = true;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    /* The committer finishes what is queued before it exits, so every
     * accepted write still gets its callback. */
    pthread_join(s->thr, NULL);
    s->thr_started = false;
    drain(s);
    sk_async_del(s->wake);
    s->wake = NULL;
}

/* Takes cmd (malloc'd). */
static sk_err enqueue(struct sk_store *s, char *cmd, size_t len, sk_store_done_fn done, void *arg,
                      struct sk_error **err)
{
    if (!s->thr_started) {
        free(cmd);
        return sk_fail(err, SK_ECLOSED, "store: not open for writes");
    }
    struct sk_store_req *r = sk_xcalloc(1, sizeof(*r));
    r->cmd = cmd;
    r->len = len;
    r->done = done;
    r->arg = arg;
    pthread_mutex_lock(&s->mu);
    if (s->stopping) {
        pthread_mutex_unlock(&s->mu);
        free(r->cmd);
        free(r);
        return sk_fail(err, SK_ECLOSED, "store: closing");
    }
    if (s->q_tail)
        s->q_tail->next = r;
    else
        s->q_head = r;
    s->q_tail = r;
    s->q_n++;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    return SK_OK;
}

sk_err sk_store_submit_raw(struct sk_store *s, const void *cmd, size_t len, sk_store_done_fn done,
                           void *arg, struct sk_error **err)
{
    char *copy = sk_xmalloc(len ? len : 1);
    if (len) memcpy(copy, cmd, len);
    return enqueue(s, copy, len, done, arg, err);
}

sk_err sk_store_submit(struct sk_store *s, const struct sk_store_cmd *c, sk_store_done_fn done,
                       void *arg, struct sk_error **err)
{
    struct sk_buf b = {0};
    sk_err rc = sk_store_cmd_encode(c, &b, err);
    if (rc) {
        sk_buf_free(&b);
        return rc;
    }
    size_t len = b.len;
    return enqueue(s, sk_buf_take(&b, NULL), len, done, arg, err);
}
