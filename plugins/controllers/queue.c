/* Work queues as client-go's: a key waits at most once, is never synced
 * twice at once (a key added while its sync runs waits until it ends),
 * delayed adds keep the earliest due time, and failures retry with
 * per-key exponential back-off on the controller clock. Syncs run from a
 * zero-delay timer, in batches, so callbacks that add keys return first.
 * A queue is freed from its module's stop, never from inside its sync. */
#include "ctl_priv.h"
#include "mem.h"

#include <math.h>
#include <string.h>

#define BATCH        256
#define BACKOFF_BASE 0.005
#define BACKOFF_MAX  1000.0

struct item {
    struct ctl_queue *q;
    char *key;
    bool queued;     /* in the FIFO */
    bool dirty;      /* added while processing: queue again after */
    bool processing; /* sync running */
    unsigned failures;
    struct skiff_timer *delay; /* pending add_after */
    double due;                /* host->now() of the delay */
};

struct ctl_queue {
    struct ctl_queue *next;
    struct ctl *c;
    char *name;
    ctl_sync_fn sync;
    void *arg;
    struct ctl_hmap items; /* key -> item */
    struct item **fifo;
    size_t head, tail, cap;
    struct skiff_timer *run;
};

static void item_maybe_drop(struct item *it)
{
    if (it->queued || it->dirty || it->processing || it->failures || it->delay) return;
    ctl_hmap_del(&it->q->items, it->key);
    free(it->key);
    free(it);
}

static void run_batch(void *arg);

static void schedule(struct ctl_queue *q)
{
    if (q->run || q->head == q->tail || !q->c->running) return;
    if (!ctl_caches_all_synced(q->c)) return; /* kicked when the caches sync */
    q->run = q->c->host->timer_add(q->c->ctx, 0, 0, run_batch, q);
}

static void push(struct ctl_queue *q, struct item *it)
{
    if (q->tail == q->cap) {
        if (q->head > 0) {
            memmove(q->fifo, q->fifo + q->head, (q->tail - q->head) * sizeof(*q->fifo));
            q->tail -= q->head;
            q->head = 0;
        }
        if (q->tail == q->cap) {
            q->cap = q->cap ? q->cap * 2 : 64;
            q->fifo = sk_xrealloc(q->fifo, q->cap * sizeof(*q->fifo));
        }
    }
    q->fifo[q->tail++] = it;
    it->queued = true;
    schedule(q);
}

static struct item *item_get(struct ctl_queue *q, const char *key)
{
    bool created;
    struct item **slot = (struct item **)ctl_hmap_put(&q->items, key, &created);
    if (created) {
        *slot = sk_xcalloc(1, sizeof(**slot));
        (*slot)->q = q;
        (*slot)->key = sk_xstrdup(key);
    }
    return *slot;
}

void ctl_queue_add(struct ctl_queue *q, const char *key)
{
    if (!q || !key) return;
    struct item *it = item_get(q, key);
    if (it->queued) return;
    if (it->processing) {
        it->dirty = true;
        return;
    }
    push(q, it);
}

static void delay_fire(void *arg)
{
    struct item *it = arg;
    it->delay = NULL;
    struct ctl_queue *q = it->q;
    if (it->queued) return;
    if (it->processing) {
        it->dirty = true;
        return;
    }
    push(q, it);
}

void ctl_queue_add_after(struct ctl_queue *q, const char *key, double clock_seconds)
{
    if (!q || !key) return;
    if (clock_seconds <= 0) {
        ctl_queue_add(q, key);
        return;
    }
    struct item *it = item_get(q, key);
    double real = ctl_after(q->c, clock_seconds);
    double due = q->c->host->now(q->c->ctx) + real;
    if (it->delay) {
        if (it->due <= due) return; /* the earlier one stands */
        q->c->host->timer_cancel(q->c->ctx, it->delay);
    }
    it->due = due;
    it->delay = q->c->host->timer_add(q->c->ctx, real, 0, delay_fire, it);
}

void ctl_queue_forget(struct ctl_queue *q, const char *key)
{
    if (!q || !key) return;
    struct item *it = ctl_hmap_get(&q->items, key);
    if (!it) return;
    it->failures = 0;
    item_maybe_drop(it);
}

unsigned ctl_queue_failures(struct ctl_queue *q, const char *key)
{
    struct item *it = q ? ctl_hmap_get(&q->items, key) : NULL;
    return it ? it->failures : 0;
}

size_t ctl_queue_len(const struct ctl_queue *q)
{
    return q ? q->tail - q->head : 0;
}

double ctl_backoff(unsigned failures)
{
    if (failures > 30) return BACKOFF_MAX;
    double d = BACKOFF_BASE * ldexp(1.0, (int)failures);
    return d > BACKOFF_MAX ? BACKOFF_MAX : d;
}

static void run_batch(void *arg)
{
    struct ctl_queue *q = arg;
    q->run = NULL;
    for (int n = 0; n < BATCH && q->head < q->tail; n++) {
        struct item *it = q->fifo[q->head++];
        it->queued = false;
        it->processing = true;
        int rc = q->sync(q->arg, it->key);
        it->processing = false;
        if (rc) {
            double d = ctl_backoff(it->failures);
            it->failures++;
            if (it->dirty) {
                it->dirty = false;
                push(q, it);
            } else {
                ctl_queue_add_after(q, it->key, d);
            }
        } else {
            it->failures = 0;
            if (it->dirty) {
                it->dirty = false;
                push(q, it);
            }
        }
        item_maybe_drop(it);
    }
    if (q->head == q->tail) q->head = q->tail = 0;
    schedule(q);
}

struct ctl_queue *ctl_queue_new(struct ctl *c, const char *name, ctl_sync_fn sync, void *arg)
{
    struct ctl_queue *q = sk_xcalloc(1, sizeof(*q));
    q->c = c;
    q->name = sk_xstrdup(name);
    q->sync = sync;
    q->arg = arg;
    q->next = c->queues;
    c->queues = q;
    return q;
}

void ctl_queues_kick(struct ctl *c)
{
    for (struct ctl_queue *q = c->queues; q; q = q->next)
        schedule(q);
}

static void free_item(void *val)
{
    struct item *it = val;
    if (it->delay) it->q->c->host->timer_cancel(it->q->c->ctx, it->delay);
    free(it->key);
    free(it);
}

void ctl_queue_free(struct ctl_queue *q)
{
    if (!q) return;
    struct ctl *c = q->c;
    for (struct ctl_queue **p = &c->queues; *p; p = &(*p)->next)
        if (*p == q) {
            *p = q->next;
            break;
        }
    if (q->run) c->host->timer_cancel(c->ctx, q->run);
    ctl_hmap_free(&q->items, free_item);
    free(q->fifo);
    free(q->name);
    free(q);
}
