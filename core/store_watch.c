/* Watch: committed changes become events on the loop, shared by reference
 * between a ring of recent events and every watcher, so a change fans out
 * without copies. A watcher resuming from an older revision replays the
 * ring, or reads the records back from LMDB (on the worker pool when the
 * store has one) until it meets the ring. Loop thread only. */
#include "store_priv.h"
#include "loop.h"
#include "mem.h"
#include "work.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Memory bounds: events read back per catch-up round, and object bytes
 * the ring may hold besides its event count (objects go up to 1.5 MiB). */
#define CATCHUP_CHUNK 512
#define CATCHUP_BYTES (16u << 20)
#define RING_BYTES    (16u << 20)

enum { W_PENDING, W_CATCHUP, W_LIVE, W_DONE };

struct sk_store_watch {
    struct sk_store *s;
    struct sk_store_watch *next;
    char *resource, *ns; /* NULL = any */
    sk_store_match_fn match;
    void *match_arg;
    sk_store_watch_fn fn;
    void *arg;
    uint64_t after; /* every event up to here was considered */
    int state;
    bool closed;
    bool job; /* a catch-up read is in flight */
    struct sk_timer *kick;
};

/* ---- events ---- */

struct sk_store_ev *sk_store_ev_new(int type, uint64_t rev, const char *key, size_t klen,
                                    struct sk_store_obj *obj, struct sk_store_obj *prev)
{
    struct sk_store_ev *ev = sk_xcalloc(1, sizeof(*ev) + klen + 1);
    memcpy(ev->key, key, klen);
    ev->key[klen] = 0;
    ev->refs = 1;
    ev->pub.type = type;
    ev->pub.rev = rev;
    ev->pub.resource = ev->key;
    ev->pub.ns = ev->key + strlen(ev->key) + 1;
    ev->pub.name = ev->pub.ns + strlen(ev->pub.ns) + 1;
    ev->pub.obj = obj ? sk_store_obj_ref(obj) : NULL;
    ev->pub.prev = prev ? sk_store_obj_ref(prev) : NULL;
    return ev;
}

void sk_store_ev_unref(struct sk_store_ev *ev)
{
    if (!ev || --ev->refs > 0) return;
    sk_store_obj_unref(ev->pub.obj);
    sk_store_obj_unref(ev->pub.prev);
    free(ev);
}

void sk_store_ev_free_list(struct sk_store_ev *ev)
{
    while (ev) {
        struct sk_store_ev *next = ev->next;
        sk_store_ev_unref(ev);
        ev = next;
    }
}

/* ---- ring ---- */

static struct sk_store_ev *ring_at(struct sk_store *s, size_t i)
{
    return s->ring[(s->ring_head + i) % s->ring_cap];
}

static size_t ev_bytes(const struct sk_store_ev *ev)
{
    return (ev->pub.obj ? ev->pub.obj->len : 0) + (ev->pub.prev ? ev->pub.prev->len : 0);
}

static void ring_drop_oldest(struct sk_store *s)
{
    struct sk_store_ev *old = s->ring[s->ring_head];
    s->ring_bytes -= ev_bytes(old);
    sk_store_ev_unref(old);
    s->ring_head = (s->ring_head + 1) % s->ring_cap;
    s->ring_n--;
}

static void ring_push(struct sk_store *s, struct sk_store_ev *ev)
{
    if (s->ring_n == s->ring_cap) ring_drop_oldest(s);
    ev->refs++;
    s->ring[(s->ring_head + s->ring_n) % s->ring_cap] = ev;
    s->ring_n++;
    s->ring_bytes += ev_bytes(ev);
    while (s->ring_n > 1 && s->ring_bytes > RING_BYTES)
        ring_drop_oldest(s);
}

/* ---- watchers ---- */

static bool matches(struct sk_store_watch *w, struct sk_store_obj *o)
{
    /* a private tree: ring objects keep only their bytes */
    struct sk_val *tmp = NULL;
    const struct sk_val *v = o ? sk_store_obj_peek(o, &tmp) : NULL;
    bool m = v && w->match(v, w->match_arg);
    sk_val_free(tmp);
    return m;
}

static void deliver(struct sk_store_watch *w, const struct sk_store_ev *ev)
{
    const struct sk_store_event *e = &ev->pub;
    if (w->closed || w->state == W_DONE || e->rev <= w->after) return;
    w->after = e->rev;
    if (w->resource && strcmp(w->resource, e->resource) != 0) return;
    if (w->ns && strcmp(w->ns, e->ns) != 0) return;
    struct sk_store_event out = *e;
    if (w->match) {
        /* Through a selector, a change that makes an object match is an
         * ADDED and one that makes it stop matching is a DELETED. */
        bool now = matches(w, e->obj);
        if (e->type == SK_STORE_MODIFIED) {
            bool before = matches(w, e->prev);
            if (!now && !before) return;
            if (now && !before)
                out.type = SK_STORE_ADDED;
            else if (!now) {
                out.type = SK_STORE_DELETED;
                out.obj = e->prev;
            }
        } else if (!now) {
            return;
        }
    }
    w->fn(&out, w->arg);
}

static void watch_free(struct sk_store_watch *w)
{
    sk_timer_cancel(w->kick);
    free(w->resource);
    free(w->ns);
    free(w);
}

static void reap(struct sk_store *s)
{
    if (s->dispatch_depth > 0 || !s->reap) return;
    s->reap = false;
    struct sk_store_watch **p = &s->watchers;
    while (*p) {
        struct sk_store_watch *w = *p;
        if (w->closed && !w->job) {
            *p = w->next;
            watch_free(w);
        } else {
            p = &w->next;
        }
    }
}

static void fail_watch(struct sk_store_watch *w, sk_err code, const char *msg)
{
    struct sk_store *s = w->s;
    w->state = W_DONE;
    struct sk_store_event ev = {
            .type = SK_STORE_ERROR, .rev = w->after, .code = code, .message = msg};
    s->dispatch_depth++;
    w->fn(&ev, w->arg);
    s->dispatch_depth--;
    reap(s);
}

static void gone(struct sk_store_watch *w, uint64_t ws)
{
    char msg[128];
    snprintf(msg, sizeof(msg), "too old resource version: %" PRIu64 " (%" PRIu64 ")", w->after,
             ws ? ws - 1 : 0);
    fail_watch(w, SK_EGONE, msg);
}

struct catchup {
    struct sk_store_watch *w;
    struct sk_store *s;
    uint64_t after;
    bool want_prev;
    struct sk_store_ev *head, *tail;
    uint64_t ws;
    sk_err rc;
    struct sk_error *err;
};

static void catchup_work(void *arg)
{
    struct catchup *j = arg;
    struct sk_store *s = j->s;
    MDB_txn *txn;
    int mrc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
    if (mrc) {
        j->rc = sk_store_lmdb_fail(&j->err, mrc, "watch");
        return;
    }
    uint64_t cur;
    j->rc = sk_store_txn_revs(s, txn, &cur, &j->ws, &j->err);
    if (!j->rc && j->after + 1 < j->ws) j->rc = SK_EGONE;
    size_t bytes = 0;
    for (uint64_t rev = j->after + 1;
         !j->rc && rev <= cur && rev - j->after <= CATCHUP_CHUNK && bytes < CATCHUP_BYTES; rev++) {
        struct sk_store_rec r, p;
        j->rc = sk_store_rec_get(txn, s->dbi, rev, &r, &j->err);
        if (j->rc) break;
        struct sk_store_obj *obj = sk_store_obj_new(rev, r.obj, r.olen), *prev = NULL;
        if (j->want_prev && r.prev && sk_store_rec_get(txn, s->dbi, r.prev, &p, NULL) == SK_OK)
            prev = sk_store_obj_new(p.rev, p.obj, p.olen);
        bytes += r.olen + (prev ? prev->len : 0);
        struct sk_store_ev *ev = sk_store_ev_new(r.type, rev, r.key, r.klen, obj, prev);
        sk_store_obj_unref(obj);
        sk_store_obj_unref(prev);
        if (j->tail)
            j->tail->next = ev;
        else
            j->head = ev;
        j->tail = ev;
    }
    mdb_txn_abort(txn);
}

static void kick(struct sk_store_watch *w);

static void catchup_done(void *arg)
{
    struct catchup *j = arg;
    struct sk_store_watch *w = j->w;
    struct sk_store *s = j->s;
    bool again = false;
    s->jobs--;
    w->job = false;
    if (w->closed) {
        s->reap = true;
    } else if (j->rc == SK_EGONE) {
        gone(w, j->ws);
    } else if (j->rc) {
        fail_watch(w, j->rc, sk_error_msg(j->err, j->rc));
    } else {
        s->dispatch_depth++;
        for (struct sk_store_ev *ev = j->head; ev && !w->closed; ev = ev->next)
            deliver(w, ev);
        s->dispatch_depth--;
        again = !w->closed && w->state == W_CATCHUP;
    }
    sk_store_ev_free_list(j->head);
    sk_error_free(j->err);
    free(j);
    reap(s); /* frees w only if it was closed, and then again is false */
    if (again) kick(w);
}

static void start_catchup(struct sk_store_watch *w)
{
    struct sk_store *s = w->s;
    struct catchup *j = sk_xcalloc(1, sizeof(*j));
    j->w = w;
    j->s = s;
    j->after = w->after;
    j->want_prev = w->match != NULL;
    w->state = W_CATCHUP;
    w->job = true;
    s->jobs++;
    if (!s->pool || sk_work_submit(s->pool, catchup_work, catchup_done, j) != 0) {
        catchup_work(j);
        catchup_done(j);
    }
}

static void kick(struct sk_store_watch *w)
{
    struct sk_store *s = w->s;
    if (w->closed || w->state == W_DONE) return;
    if (w->after >= s->loop_rev) {
        w->state = W_LIVE;
        return;
    }
    if (s->ring_n && w->after + 1 >= ring_at(s, 0)->pub.rev) {
        /* Nothing can be published while we replay: publication only
         * happens from the loop's own wake-up. */
        s->dispatch_depth++;
        for (size_t i = 0; i < s->ring_n && !w->closed; i++)
            deliver(w, ring_at(s, i));
        s->dispatch_depth--;
        if (w->state != W_DONE) w->state = W_LIVE;
        reap(s);
        return;
    }
    uint64_t ws = atomic_load(&s->window_start);
    if (w->after + 1 < ws) {
        gone(w, ws);
        return;
    }
    start_catchup(w);
}

static void kick_timer(void *arg)
{
    struct sk_store_watch *w = arg;
    w->kick = NULL;
    kick(w);
}

sk_err sk_store_watch(struct sk_store *s, const struct sk_store_watch_opts *o, sk_store_watch_fn fn,
                      void *arg, struct sk_store_watch **out, struct sk_error **err)
{
    *out = NULL;
    if (!s->loop) return sk_fail(err, SK_EINVAL, "store: watch needs a loop");
    uint64_t ws = atomic_load(&s->window_start);
    if (o->from_rev && o->from_rev + 1 < ws)
        return sk_fail(err, SK_EGONE, "too old resource version: %" PRIu64 " (%" PRIu64 ")",
                       o->from_rev, ws - 1);
    struct sk_store_watch *w = sk_xcalloc(1, sizeof(*w));
    w->s = s;
    w->resource = o->resource && *o->resource ? sk_xstrdup(o->resource) : NULL;
    w->ns = o->ns && *o->ns ? sk_xstrdup(o->ns) : NULL;
    w->match = o->match;
    w->match_arg = o->match_arg;
    w->fn = fn;
    w->arg = arg;
    w->after = o->from_rev ? o->from_rev : s->loop_rev;
    w->state = W_PENDING;
    w->next = s->watchers;
    s->watchers = w;
    /* Events never arrive from inside this call: the caller has not even
     * got its handle yet. */
    w->kick = sk_timer_add(s->loop, 0, 0, kick_timer, w);
    *out = w;
    return SK_OK;
}

void sk_store_watch_close(struct sk_store_watch *w)
{
    if (!w || w->closed) return;
    struct sk_store *s = w->s;
    w->closed = true;
    sk_timer_cancel(w->kick);
    w->kick = NULL;
    s->reap = true;
    reap(s);
}

void sk_store_publish(struct sk_store *s, struct sk_store_ev *evs)
{
    s->dispatch_depth++;
    while (evs) {
        struct sk_store_ev *ev = evs;
        evs = ev->next;
        ev->next = NULL;
        if (ev->pub.rev > s->loop_rev) {
            ring_push(s, ev);
            s->loop_rev = ev->pub.rev;
            for (struct sk_store_watch *w = s->watchers; w; w = w->next)
                if (w->state == W_LIVE) deliver(w, ev);
        }
        sk_store_ev_unref(ev);
    }
    s->dispatch_depth--;
    reap(s);
}

void sk_store_wait_jobs(struct sk_store *s)
{
    while (s->jobs > 0)
        sk_loop_run_once(s->loop, true);
}

void sk_store_watch_init(struct sk_store *s)
{
    s->ring = sk_xcalloc(s->ring_cap, sizeof(*s->ring));
}

void sk_store_watch_fini(struct sk_store *s)
{
    while (s->watchers) {
        struct sk_store_watch *w = s->watchers;
        s->watchers = w->next;
        watch_free(w);
    }
    for (size_t i = 0; i < s->ring_n; i++)
        sk_store_ev_unref(ring_at(s, i));
    free(s->ring);
    s->ring = NULL;
    s->ring_n = 0;
    s->ring_bytes = 0;
}
