/* A fake skiff host for the controllers' unit tests: an in-memory store
 * with resourceVersion checks, informers that deliver add/update/del and
 * synced, proposed writes with their completions, and timers that run
 * when the test advances a fake monotonic clock. Nothing runs by itself:
 * fh_run() delivers everything pending at the current time (callbacks,
 * completions, zero-delay timers such as the queues' batches) until the
 * fake loop is idle; fh_advance(s) moves the clock and does the same.
 *
 * Typical use:
 *     fh_init();
 *     struct ctl *c = ctl_new(FH_CTX, &FH.host, 1, FH_WALL0);
 *     fh_put("nodes", fh_json("{\"metadata\":{\"name\":\"n1\"}}"));   // takes the tree
 *     ctl_start_module(c, &ctl_mod_scheduler);
 *     fh_run();
 *     const struct sk_val *pod = fh_get("pods", "default", "web");
 *     ...
 *     fh_ctl_free(c);
 *     fh_fini();
 *
 * Objects written by the test (fh_put, fh_update, fh_delete) go through
 * the same store as the controllers' writes, so informers see them. One
 * fake host at a time (a global), loop thread semantics. */
#ifndef CTL_FAKEHOST_H
#define CTL_FAKEHOST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../plugins/controllers/ctl.h"
#include "json.h"
#include "mem.h"
#include "skiff_plugin.h"
#include "val.h"

#define FH_UNUSED __attribute__((unused))
/* The wall clock the controllers' clock starts at in tests:
 * 2026-01-01T00:00:00Z. */
#define FH_WALL0 1767225600.0
#define FH_CTX   ((struct skiff_ctx *)&FH)

struct fh_obj {
    char *resource, *ns, *name;
    struct sk_val *obj;
};

struct skiff_informer {
    char *resource, *ns;
    struct skiff_informer_ops ops;
    void *arg;
    bool active;
};

enum fh_ev_type { FH_EV_ADD, FH_EV_UPDATE, FH_EV_DEL, FH_EV_SYNCED, FH_EV_DONE };

struct fh_ev {
    enum fh_ev_type type;
    struct skiff_informer *inf;
    struct sk_buf old, obj;
    skiff_write_fn done;
    void *arg;
    int code;
    char *message;
    bool dropped;
};

struct skiff_timer {
    double due, repeat;
    skiff_timer_fn fn;
    void *arg;
    bool active;
    uint64_t seq;
};

/* One write a controller proposed, for assertions. */
struct fh_write {
    int op;
    char *resource, *ns, *name;
    int code;
};

struct fh {
    struct skiff_host host;
    double now; /* monotonic seconds */
    uint64_t rev, uids;
    struct fh_obj *objs;
    size_t nobjs, capobjs;
    struct skiff_informer **infs;
    size_t ninfs, capinfs;
    struct fh_ev **evs;
    size_t nevs, capevs, evhead;
    struct skiff_timer **timers;
    size_t ntimers, captimers;
    uint64_t timer_seq;
    struct fh_write *writes;
    size_t nwrites, capwrites;
    int fail_next;       /* code the next proposed write gets, then 0 */
    const char *fail_op; /* only for this resource (NULL: any) */
    bool verbose;
};

static struct fh FH;

/* ---- helpers ---- */

FH_UNUSED static struct sk_val *fh_json(const char *json)
{
    struct sk_val *v = NULL;
    struct sk_error *err = NULL;
    if (sk_json_parse(json, strlen(json), &v, &err)) {
        fprintf(stderr, "fh_json: %s\n  in: %s\n", err ? err->msg : "?", json);
        sk_error_free(err);
        abort();
    }
    return v;
}

/* Printf-style fh_json. */
FH_UNUSED __attribute__((format(printf, 1, 2))) static struct sk_val *fh_jsonf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) abort();
    va_end(ap);
    struct sk_val *v = fh_json(s);
    free(s);
    return v;
}

static void fh_fmt_time(double t, char buf[32])
{
    time_t s = (time_t)t;
    struct tm tm;
    gmtime_r(&s, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The wall time matching FH.now for a plugin started with FH_WALL0 at
 * FH.now == 0 and clock rate 1. */
FH_UNUSED static double fh_wall(void)
{
    return FH_WALL0 + FH.now;
}

static bool fh_streq(const char *a, const char *b)
{
    return !strcmp(a ? a : "", b ? b : "");
}

static struct fh_obj *fh_find(const char *resource, const char *ns, const char *name)
{
    for (size_t i = 0; i < FH.nobjs; i++)
        if (!strcmp(FH.objs[i].resource, resource) && fh_streq(FH.objs[i].ns, ns) &&
            fh_streq(FH.objs[i].name, name))
            return &FH.objs[i];
    return NULL;
}

static void fh_push_ev(struct fh_ev *e)
{
    if (FH.nevs == FH.capevs) {
        FH.capevs = FH.capevs ? FH.capevs * 2 : 64;
        FH.evs = sk_xrealloc(FH.evs, FH.capevs * sizeof(*FH.evs));
    }
    FH.evs[FH.nevs++] = e;
}

static void fh_notify(const char *resource, enum fh_ev_type type, const struct sk_val *old,
                      const struct sk_val *obj)
{
    for (size_t i = 0; i < FH.ninfs; i++) {
        struct skiff_informer *inf = FH.infs[i];
        if (!inf->active || strcmp(inf->resource, resource)) continue;
        const char *ons = sk_obj_namespace(obj ? obj : old);
        if (inf->ns && *inf->ns && !fh_streq(inf->ns, ons)) continue;
        struct fh_ev *e = sk_xcalloc(1, sizeof(*e));
        e->type = type;
        e->inf = inf;
        if (old) sk_val_to_msgpack(old, &e->old);
        if (obj) sk_val_to_msgpack(obj, &e->obj);
        fh_push_ev(e);
    }
}

/* ---- the store ---- */

/* As the store: metadata.finalizers hold an object being deleted, and so
 * do spec.finalizers of a namespace. */
static bool fh_has_finalizers(const char *resource, const struct sk_val *obj)
{
    if (!strcmp(resource, "namespaces") && sk_arr_len(sk_val_at(obj, "spec", "finalizers", NULL)))
        return true;
    return sk_arr_len(sk_val_at(obj, "metadata", "finalizers", NULL)) > 0;
}

static void fh_stamp(struct sk_val *obj)
{
    char rv[32];
    snprintf(rv, sizeof(rv), "%llu", (unsigned long long)++FH.rev);
    sk_val_set_at(obj, sk_val_str(rv), "metadata", "resourceVersion", NULL);
}

static void fh_remove(struct fh_obj *o)
{
    size_t i = (size_t)(o - FH.objs);
    fh_notify(o->resource, FH_EV_DEL, NULL, o->obj);
    sk_val_free(o->obj);
    free(o->resource);
    free(o->ns);
    free(o->name);
    FH.objs[i] = FH.objs[--FH.nobjs];
}

/* Apply one write as the store would. Returns a code; *out (borrowed) is
 * the object after the write (or its last state). */
static int fh_apply(int op, const char *resource, const char *ns, const char *name,
                    const struct sk_val *in, struct sk_val **out, char **msg)
{
    *out = NULL;
    *msg = NULL;
    if (ns && !*ns) ns = NULL;
    if (op == SKIFF_WRITE_CREATE) {
        struct sk_val *obj = sk_val_dup(in);
        const char *n = name && *name ? name : sk_obj_name(obj);
        char gen[300];
        if (!n || !*n) {
            const char *g = sk_val_str_at(obj, "metadata", "generateName", NULL);
            if (!g) {
                sk_val_free(obj);
                *msg = sk_xstrdup("name or generateName is required");
                return SKIFF_EINVAL;
            }
            snprintf(gen, sizeof(gen), "%s%05llx", g, (unsigned long long)(FH.uids + 1) * 7919);
            n = gen;
        }
        char *nm = sk_xstrdup(n);
        if (fh_find(resource, ns, nm)) {
            *msg = sk_xasprintf("%s \"%s\" already exists", resource, nm);
            sk_val_free(obj);
            free(nm);
            return SKIFF_ECONFLICT;
        }
        sk_val_set_at(obj, sk_val_str(nm), "metadata", "name", NULL);
        if (ns) sk_val_set_at(obj, sk_val_str(ns), "metadata", "namespace", NULL);
        char uid[64], ts[32];
        snprintf(uid, sizeof(uid), "uid-%llu", (unsigned long long)++FH.uids);
        sk_val_set_at(obj, sk_val_str(uid), "metadata", "uid", NULL);
        fh_fmt_time(fh_wall(), ts);
        sk_val_set_at(obj, sk_val_str(ts), "metadata", "creationTimestamp", NULL);
        fh_stamp(obj);
        if (FH.nobjs == FH.capobjs) {
            FH.capobjs = FH.capobjs ? FH.capobjs * 2 : 64;
            FH.objs = sk_xrealloc(FH.objs, FH.capobjs * sizeof(*FH.objs));
        }
        struct fh_obj *o = &FH.objs[FH.nobjs++];
        o->resource = sk_xstrdup(resource);
        o->ns = ns ? sk_xstrdup(ns) : NULL;
        o->name = nm;
        o->obj = obj;
        fh_notify(resource, FH_EV_ADD, NULL, obj);
        *out = obj;
        return SKIFF_OK;
    }
    struct fh_obj *o = fh_find(resource, ns, name);
    if (!o) {
        *msg = sk_xasprintf("%s \"%s\" not found", resource, name ? name : "");
        return SKIFF_ENOTFOUND;
    }
    if (op == SKIFF_WRITE_DELETE) {
        if (fh_has_finalizers(resource, o->obj)) {
            if (sk_val_at(o->obj, "metadata", "deletionTimestamp", NULL)) {
                *out = o->obj;
                return SKIFF_OK;
            }
            struct sk_val *old = sk_val_dup(o->obj);
            char ts[32];
            fh_fmt_time(fh_wall(), ts);
            sk_val_set_at(o->obj, sk_val_str(ts), "metadata", "deletionTimestamp", NULL);
            sk_val_set_at(o->obj, sk_val_int(0), "metadata", "deletionGracePeriodSeconds", NULL);
            fh_stamp(o->obj);
            fh_notify(resource, FH_EV_UPDATE, old, o->obj);
            sk_val_free(old);
            *out = o->obj;
            return SKIFF_OK;
        }
        fh_remove(o);
        return SKIFF_OK;
    }
    const char *rv = sk_val_str_at(in, "metadata", "resourceVersion", NULL);
    const char *cur = sk_val_str_at(o->obj, "metadata", "resourceVersion", NULL);
    if (rv && *rv && !fh_streq(rv, cur)) {
        *msg = sk_xasprintf("Operation cannot be fulfilled on %s \"%s\": the object has been "
                            "modified; please apply your changes to the latest version and try "
                            "again",
                            resource, name);
        return SKIFF_ECONFLICT;
    }
    struct sk_val *old = o->obj;
    struct sk_val *obj;
    if (op == SKIFF_WRITE_UPDATE_STATUS) {
        obj = sk_val_dup(old);
        const struct sk_val *st = sk_map_get(in, "status");
        if (st)
            sk_map_set(obj, "status", sk_val_dup(st));
        else
            sk_map_del(obj, "status");
    } else {
        obj = sk_val_dup(in);
        static const char *const keep[] = {
                "uid",  "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
                "name", "namespace"};
        struct sk_val *m = sk_map_get(obj, "metadata");
        if (!sk_val_is(m, SK_V_MAP)) m = sk_map_set(obj, "metadata", sk_val_map());
        for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
            const struct sk_val *v = sk_val_at(old, "metadata", keep[i], NULL);
            if (v)
                sk_map_set(m, keep[i], sk_val_dup(v));
            else
                sk_map_del(m, keep[i]);
        }
    }
    sk_map_set(sk_map_get(obj, "metadata"), "resourceVersion",
               sk_val_dup(sk_val_at(old, "metadata", "resourceVersion", NULL)));
    if (sk_val_equal(old, obj)) {
        sk_val_free(obj);
        *out = o->obj;
        return SKIFF_OK;
    }
    fh_stamp(obj);
    o->obj = obj;
    if (sk_val_at(obj, "metadata", "deletionTimestamp", NULL) &&
        !fh_has_finalizers(resource, obj)) {
        sk_val_free(old);
        fh_remove(o);
        return SKIFF_OK;
    }
    fh_notify(resource, FH_EV_UPDATE, old, obj);
    sk_val_free(old);
    *out = o->obj;
    return SKIFF_OK;
}

/* ---- host functions ---- */

static void fh_log(struct skiff_ctx *ctx, int level, const char *fmt, ...)
{
    (void)ctx;
    if (!FH.verbose && level > SKIFF_LOG_WARN) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "[fakehost %d] ", level);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
}

static const char *fh_node_name(struct skiff_ctx *ctx)
{
    (void)ctx;
    return "node1";
}

static const char *fh_data_dir(struct skiff_ctx *ctx)
{
    (void)ctx;
    return "/nonexistent";
}

static double fh_now(struct skiff_ctx *ctx)
{
    (void)ctx;
    return FH.now;
}

static struct skiff_timer *fh_timer_add(struct skiff_ctx *ctx, double after, double repeat,
                                        skiff_timer_fn fn, void *arg)
{
    (void)ctx;
    struct skiff_timer *t = sk_xcalloc(1, sizeof(*t));
    t->due = FH.now + (after > 0 ? after : 0);
    t->repeat = repeat;
    t->fn = fn;
    t->arg = arg;
    t->active = true;
    t->seq = ++FH.timer_seq;
    if (FH.ntimers == FH.captimers) {
        FH.captimers = FH.captimers ? FH.captimers * 2 : 64;
        FH.timers = sk_xrealloc(FH.timers, FH.captimers * sizeof(*FH.timers));
    }
    FH.timers[FH.ntimers++] = t;
    return t;
}

static void fh_timer_cancel(struct skiff_ctx *ctx, struct skiff_timer *t)
{
    (void)ctx;
    if (t) t->active = false;
}

static struct skiff_informer *fh_subscribe(struct skiff_ctx *ctx, const char *resource,
                                           const char *ns, const struct skiff_informer_ops *ops,
                                           void *arg)
{
    (void)ctx;
    struct skiff_informer *inf = sk_xcalloc(1, sizeof(*inf));
    inf->resource = sk_xstrdup(resource);
    inf->ns = ns && *ns ? sk_xstrdup(ns) : NULL;
    inf->ops = *ops;
    inf->arg = arg;
    inf->active = true;
    if (FH.ninfs == FH.capinfs) {
        FH.capinfs = FH.capinfs ? FH.capinfs * 2 : 16;
        FH.infs = sk_xrealloc(FH.infs, FH.capinfs * sizeof(*FH.infs));
    }
    FH.infs[FH.ninfs++] = inf;
    for (size_t i = 0; i < FH.nobjs; i++) {
        if (strcmp(FH.objs[i].resource, resource)) continue;
        if (inf->ns && !fh_streq(inf->ns, FH.objs[i].ns)) continue;
        struct fh_ev *e = sk_xcalloc(1, sizeof(*e));
        e->type = FH_EV_ADD;
        e->inf = inf;
        sk_val_to_msgpack(FH.objs[i].obj, &e->obj);
        fh_push_ev(e);
    }
    struct fh_ev *e = sk_xcalloc(1, sizeof(*e));
    e->type = FH_EV_SYNCED;
    e->inf = inf;
    fh_push_ev(e);
    return inf;
}

static void fh_unsubscribe(struct skiff_ctx *ctx, struct skiff_informer *inf)
{
    (void)ctx;
    if (inf) inf->active = false; /* freed by fh_fini */
}

static int fh_get_host(struct skiff_ctx *ctx, const char *resource, const char *ns,
                       const char *name, void **obj, size_t *len)
{
    (void)ctx;
    struct fh_obj *o = fh_find(resource, ns && *ns ? ns : NULL, name);
    if (!o) return SKIFF_ENOTFOUND;
    struct sk_buf b = {0};
    sk_val_to_msgpack(o->obj, &b);
    *obj = b.p;
    *len = b.len;
    return SKIFF_OK;
}

static int fh_propose(struct skiff_ctx *ctx, int op, const char *resource, const char *ns,
                      const char *name, const void *obj, size_t len, skiff_write_fn done, void *arg)
{
    (void)ctx;
    struct sk_val *in = NULL;
    if (op != SKIFF_WRITE_DELETE) {
        if (!obj || sk_val_from_msgpack(obj, len, &in, NULL) || !sk_val_is(in, SK_V_MAP)) {
            sk_val_free(in);
            return SKIFF_EINVAL;
        }
    }
    if (FH.nwrites == FH.capwrites) {
        FH.capwrites = FH.capwrites ? FH.capwrites * 2 : 64;
        FH.writes = sk_xrealloc(FH.writes, FH.capwrites * sizeof(*FH.writes));
    }
    struct fh_write *w = &FH.writes[FH.nwrites++];
    memset(w, 0, sizeof(*w));
    w->op = op;
    w->resource = sk_xstrdup(resource);
    w->ns = sk_xstrdup(ns ? ns : "");
    const char *nm = name && *name ? name : (in ? sk_obj_name(in) : NULL);
    w->name = sk_xstrdup(nm ? nm : "");
    struct fh_ev *e = sk_xcalloc(1, sizeof(*e));
    e->type = FH_EV_DONE;
    e->done = done;
    e->arg = arg;
    if (FH.fail_next && (!FH.fail_op || !strcmp(FH.fail_op, resource))) {
        e->code = FH.fail_next;
        e->message = sk_xstrdup("injected failure");
        FH.fail_next = 0;
        FH.fail_op = NULL;
    } else {
        struct sk_val *out = NULL;
        e->code = fh_apply(op, resource, ns, name, in, &out, &e->message);
        if (out) sk_val_to_msgpack(out, &e->obj);
    }
    w->code = e->code;
    if (FH.verbose)
        fprintf(stderr, "[fakehost] write op=%d %s %s/%s -> %d\n", op, resource, ns ? ns : "",
                w->name, e->code);
    /* the informer events of the write (queued by fh_apply) come first */
    fh_push_ev(e);
    sk_val_free(in);
    return SKIFF_OK;
}

/* ---- driving ---- */

static void fh_ev_free(struct fh_ev *e)
{
    sk_buf_free(&e->old);
    sk_buf_free(&e->obj);
    free(e->message);
    free(e);
}

/* Deliver one pending callback; false when none. */
static bool fh_step_event(void)
{
    if (FH.evhead >= FH.nevs) {
        FH.evhead = FH.nevs = 0;
        return false;
    }
    struct fh_ev *e = FH.evs[FH.evhead++];
    if (e->type == FH_EV_DONE) {
        if (!e->dropped && e->done)
            e->done(e->arg, e->code, e->message, e->obj.len ? e->obj.p : NULL, e->obj.len);
    } else if (e->inf->active) {
        const struct skiff_informer_ops *o = &e->inf->ops;
        if (e->type == FH_EV_ADD && o->add) o->add(e->inf->arg, e->obj.p, e->obj.len);
        if (e->type == FH_EV_UPDATE && o->update)
            o->update(e->inf->arg, e->old.p, e->old.len, e->obj.p, e->obj.len);
        if (e->type == FH_EV_DEL && o->del) o->del(e->inf->arg, e->obj.p, e->obj.len);
        if (e->type == FH_EV_SYNCED && o->synced) o->synced(e->inf->arg);
    }
    fh_ev_free(e);
    return true;
}

/* Run the earliest due timer; false when none is due. */
static bool fh_step_timer(void)
{
    struct skiff_timer *best = NULL;
    size_t bi = 0;
    for (size_t i = 0; i < FH.ntimers; i++) {
        struct skiff_timer *t = FH.timers[i];
        if (!t->active || t->due > FH.now + 1e-9) continue;
        if (!best || t->due < best->due || (t->due == best->due && t->seq < best->seq)) {
            best = t;
            bi = i;
        }
    }
    if (!best) {
        /* drop cancelled timers */
        size_t k = 0;
        for (size_t i = 0; i < FH.ntimers; i++)
            if (FH.timers[i]->active)
                FH.timers[k++] = FH.timers[i];
            else
                free(FH.timers[i]);
        FH.ntimers = k;
        return false;
    }
    if (best->repeat > 0) {
        best->due += best->repeat;
        best->fn(best->arg);
    } else {
        FH.timers[bi] = FH.timers[--FH.ntimers];
        skiff_timer_fn fn = best->fn;
        void *arg = best->arg;
        free(best);
        fn(arg);
    }
    return true;
}

/* Deliver everything pending and run every timer due now, until idle. */
FH_UNUSED static void fh_run(void)
{
    for (long guard = 0; guard < 10000000; guard++) {
        if (fh_step_event()) continue;
        if (fh_step_timer()) continue;
        return;
    }
    fail_msg("fake host: the loop never went idle");
}

/* The time of the next active timer, or -1. */
FH_UNUSED static double fh_next_timer(void)
{
    double d = -1;
    for (size_t i = 0; i < FH.ntimers; i++)
        if (FH.timers[i]->active && (d < 0 || FH.timers[i]->due < d)) d = FH.timers[i]->due;
    return d;
}

/* Move the monotonic clock forward by secs, firing timers in due order
 * (each at its own time) and delivering what they cause. */
FH_UNUSED static void fh_advance(double secs)
{
    double end = FH.now + secs;
    fh_run();
    for (;;) {
        double d = fh_next_timer();
        if (d < 0 || d > end) break;
        if (d > FH.now) FH.now = d;
        fh_run();
    }
    FH.now = end;
    fh_run();
}

/* ---- the test's own store access ---- */

/* Create obj (takes it) in resource; namespace from the object. Returns
 * the stored object (borrowed). Fails the test on error. */
FH_UNUSED static const struct sk_val *fh_put(const char *resource, struct sk_val *obj)
{
    struct sk_val *out = NULL;
    char *msg = NULL;
    int rc = fh_apply(SKIFF_WRITE_CREATE, resource, sk_obj_namespace(obj), sk_obj_name(obj), obj,
                      &out, &msg);
    if (rc) fail_msg("fh_put %s: %d %s", resource, rc, msg ? msg : "");
    free(msg);
    sk_val_free(obj);
    return out;
}

/* Borrowed, or NULL. Valid until the next write. */
FH_UNUSED static const struct sk_val *fh_get(const char *resource, const char *ns, const char *name)
{
    struct fh_obj *o = fh_find(resource, ns && *ns ? ns : NULL, name);
    return o ? o->obj : NULL;
}

/* Replace an object (takes obj; no resourceVersion check unless obj has
 * one). Returns the code. */
FH_UNUSED static int fh_update(const char *resource, struct sk_val *obj)
{
    struct sk_val *out = NULL;
    char *msg = NULL;
    int rc = fh_apply(SKIFF_WRITE_UPDATE, resource, sk_obj_namespace(obj), sk_obj_name(obj), obj,
                      &out, &msg);
    free(msg);
    sk_val_free(obj);
    return rc;
}

/* Delete as the API does: finalizers (e.g. "foregroundDeletion",
 * "orphan"; NULL-terminated, may be NULL) are added first, so the object
 * stays with a deletionTimestamp while any are left. */
FH_UNUSED static int fh_delete(const char *resource, const char *ns, const char *name,
                               const char *const *finalizers)
{
    struct fh_obj *o = fh_find(resource, ns && *ns ? ns : NULL, name);
    if (!o) return SKIFF_ENOTFOUND;
    if (finalizers && *finalizers && !sk_val_at(o->obj, "metadata", "deletionTimestamp", NULL)) {
        struct sk_val *old = sk_val_dup(o->obj);
        struct sk_val *f = sk_val_at(o->obj, "metadata", "finalizers", NULL);
        if (!sk_val_is(f, SK_V_ARR))
            f = sk_val_set_at(o->obj, sk_val_arr(), "metadata", "finalizers", NULL);
        for (const char *const *p = finalizers; *p; p++) {
            bool have = false;
            for (size_t i = 0; i < sk_arr_len(f); i++)
                if (fh_streq(sk_val_cstr(sk_arr_get(f, i)), *p)) have = true;
            if (!have) sk_arr_push(f, sk_val_str(*p));
        }
        if (!sk_val_equal(old, o->obj)) {
            fh_stamp(o->obj);
            fh_notify(resource, FH_EV_UPDATE, old, o->obj);
        }
        sk_val_free(old);
    }
    struct sk_val *out = NULL;
    char *msg = NULL;
    int rc = fh_apply(SKIFF_WRITE_DELETE, resource, ns, name, NULL, &out, &msg);
    free(msg);
    return rc;
}

struct fh_count_arg {
    const char *ns;
    size_t n;
};

/* Objects of resource (in ns, or all when NULL). */
FH_UNUSED static size_t fh_count(const char *resource, const char *ns)
{
    size_t n = 0;
    for (size_t i = 0; i < FH.nobjs; i++)
        if (!strcmp(FH.objs[i].resource, resource) && (!ns || fh_streq(FH.objs[i].ns, ns))) n++;
    return n;
}

/* The i-th object of resource (in store order), or NULL: for iteration. */
FH_UNUSED static const struct sk_val *fh_nth(const char *resource, size_t i)
{
    for (size_t k = 0; k < FH.nobjs; k++)
        if (!strcmp(FH.objs[k].resource, resource) && i-- == 0) return FH.objs[k].obj;
    return NULL;
}

/* Writes the controllers proposed of op (0: any) on resource (NULL: any). */
FH_UNUSED static size_t fh_writes(int op, const char *resource)
{
    size_t n = 0;
    for (size_t i = 0; i < FH.nwrites; i++)
        if ((!op || FH.writes[i].op == op) &&
            (!resource || !strcmp(FH.writes[i].resource, resource)))
            n++;
    return n;
}

/* The Event (borrowed) whose reason is reason about the object named
 * name, or NULL. */
FH_UNUSED static const struct sk_val *fh_event(const char *name, const char *reason)
{
    for (size_t i = 0; i < FH.nobjs; i++) {
        if (strcmp(FH.objs[i].resource, "events")) continue;
        const struct sk_val *e = FH.objs[i].obj;
        if (fh_streq(sk_val_str_at(e, "involvedObject", "name", NULL), name) &&
            fh_streq(sk_val_str_at(e, "reason", NULL), reason))
            return e;
    }
    return NULL;
}

/* Pending completions are never delivered (core drops a stopped
 * plugin's). */
FH_UNUSED static void fh_drop_dones(void)
{
    for (size_t i = FH.evhead; i < FH.nevs; i++)
        if (FH.evs[i]->type == FH_EV_DONE) FH.evs[i]->dropped = true;
}

/* Stop and free a controllers instance as core would. */
FH_UNUSED static void fh_ctl_free(struct ctl *c)
{
    ctl_free(c);
    fh_drop_dones();
}

FH_UNUSED static void fh_init(void)
{
    memset(&FH, 0, sizeof(FH));
    FH.host.abi_major = SKIFF_ABI_MAJOR;
    FH.host.abi_minor = SKIFF_ABI_MINOR;
    FH.host.struct_size = sizeof(struct skiff_host);
    FH.host.log = fh_log;
    FH.host.node_name = fh_node_name;
    FH.host.data_dir = fh_data_dir;
    FH.host.now = fh_now;
    FH.host.timer_add = fh_timer_add;
    FH.host.timer_cancel = fh_timer_cancel;
    FH.host.subscribe = fh_subscribe;
    FH.host.unsubscribe = fh_unsubscribe;
    FH.host.get = fh_get_host;
    FH.host.propose = fh_propose;
    FH.verbose = getenv("FH_VERBOSE") != NULL;
}

FH_UNUSED static void fh_fini(void)
{
    for (size_t i = FH.evhead; i < FH.nevs; i++)
        fh_ev_free(FH.evs[i]);
    free(FH.evs);
    for (size_t i = 0; i < FH.ntimers; i++)
        free(FH.timers[i]);
    free(FH.timers);
    for (size_t i = 0; i < FH.ninfs; i++) {
        free(FH.infs[i]->resource);
        free(FH.infs[i]->ns);
        free(FH.infs[i]);
    }
    free(FH.infs);
    for (size_t i = 0; i < FH.nobjs; i++) {
        sk_val_free(FH.objs[i].obj);
        free(FH.objs[i].resource);
        free(FH.objs[i].ns);
        free(FH.objs[i].name);
    }
    free(FH.objs);
    for (size_t i = 0; i < FH.nwrites; i++) {
        free(FH.writes[i].resource);
        free(FH.writes[i].ns);
        free(FH.writes[i].name);
    }
    free(FH.writes);
    memset(&FH, 0, sizeof(FH));
}

#endif
