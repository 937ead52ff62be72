/* Plugin loading and lifecycle. Each plugin instance gets a context that
 * carries its bus endpoint and tracks the timers and fd watches it made
 * through the host table, so a plugin that forgets one on stop cannot leave
 * a callback pointing into freed memory. */
#include "plugin.h"
#include "bus.h"
#include "config.h"
#include "log.h"
#include "loop.h"
#include "mem.h"
#include "node_http.h"
#include "schema.h"
#include "store.h"
#include "val.h"
#include "work.h"

#include <dirent.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct skiff_timer {
    struct skiff_timer *prev, *next;
    struct skiff_ctx *ctx;
    struct sk_timer *t;
    skiff_timer_fn fn;
    void *arg;
    bool oneshot;
};

struct skiff_watch {
    struct skiff_watch *prev, *next;
    struct skiff_ctx *ctx;
    struct sk_io *io;
    skiff_fd_fn fn;
    void *arg;
};

/* An informer a plugin subscribed through the host table. */
struct skiff_informer {
    struct skiff_informer *prev, *next;
    struct skiff_ctx *ctx;
    struct sk_informer *inf;
    struct skiff_informer_ops ops;
    void *arg;
};

/* A write a plugin proposed; outlives the plugin if it must, then its
 * callback is simply not called (ctx is cleared). */
struct pending_write {
    struct pending_write *prev, *next;
    struct skiff_ctx *ctx;
    skiff_write_fn done;
    void *arg;
};

struct skiff_ctx {
    struct sk_plugins *ps;
    const struct skiff_plugin *desc;
    char *source;
    void *dl;
    void *opts;
    void *self;
    struct sk_bus_ep *ep;
    bool running;
    int start_seq; /* order of start, for reverse-order stop */
    struct skiff_timer *timers;
    struct skiff_watch *watches;
    struct skiff_informer *informers;
    struct pending_write *writes;
};

struct sk_plugins {
    struct sk_plugin_env env;
    struct skiff_ctx **v;
    size_t n, cap;
    bool leader;
    int seq;
};

static const struct skiff_host host_table;

/* ---- host table ---- */

static void host_log(struct skiff_ctx *ctx, int level, const char *fmt, ...)
{
    if (level > sk_log_get_level()) return;
    char buf[1536];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    sk_log(level, ctx->desc->name, "%s", buf);
}

static const char *host_node_name(struct skiff_ctx *ctx)
{
    return ctx->ps->env.node_name;
}

static const char *host_data_dir(struct skiff_ctx *ctx)
{
    return ctx->ps->env.data_dir;
}

static double host_now(struct skiff_ctx *ctx)
{
    return sk_loop_now(ctx->ps->env.loop);
}

static void timer_unlink(struct skiff_timer *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        t->ctx->timers = t->next;
    if (t->next) t->next->prev = t->prev;
}

static void timer_fire(void *arg)
{
    struct skiff_timer *t = arg;
    skiff_timer_fn fn = t->fn;
    void *a = t->arg;
    if (t->oneshot) {
        /* the loop already freed the underlying one-shot timer */
        timer_unlink(t);
        free(t);
    }
    fn(a);
}

static struct skiff_timer *host_timer_add(struct skiff_ctx *ctx, double after, double repeat,
                                          skiff_timer_fn fn, void *arg)
{
    if (!fn) return NULL;
    struct skiff_timer *t = sk_xcalloc(1, sizeof(*t));
    t->ctx = ctx;
    t->fn = fn;
    t->arg = arg;
    t->oneshot = repeat <= 0;
    t->next = ctx->timers;
    if (ctx->timers) ctx->timers->prev = t;
    ctx->timers = t;
    t->t = sk_timer_add(ctx->ps->env.loop, after, repeat, timer_fire, t);
    return t;
}

static void host_timer_cancel(struct skiff_ctx *ctx, struct skiff_timer *t)
{
    (void)ctx;
    if (!t) return;
    sk_timer_cancel(t->t);
    timer_unlink(t);
    free(t);
}

static void watch_fire(int fd, int events, void *arg)
{
    struct skiff_watch *w = arg;
    int ev = ((events & SK_IO_READ) ? SKIFF_FD_READ : 0) |
             ((events & SK_IO_WRITE) ? SKIFF_FD_WRITE : 0);
    w->fn(fd, ev, w->arg);
}

static struct skiff_watch *host_fd_watch(struct skiff_ctx *ctx, int fd, int events, skiff_fd_fn fn,
                                         void *arg)
{
    if (!fn || fd < 0) return NULL;
    struct skiff_watch *w = sk_xcalloc(1, sizeof(*w));
    w->ctx = ctx;
    w->fn = fn;
    w->arg = arg;
    w->next = ctx->watches;
    if (ctx->watches) ctx->watches->prev = w;
    ctx->watches = w;
    int ev = ((events & SKIFF_FD_READ) ? SK_IO_READ : 0) |
             ((events & SKIFF_FD_WRITE) ? SK_IO_WRITE : 0);
    w->io = sk_io_add(ctx->ps->env.loop, fd, ev, watch_fire, w);
    return w;
}

static void host_fd_unwatch(struct skiff_ctx *ctx, struct skiff_watch *w)
{
    if (!w) return;
    sk_io_del(w->io);
    if (w->prev)
        w->prev->next = w->next;
    else
        ctx->watches = w->next;
    if (w->next) w->next->prev = w->prev;
    free(w);
}

static int host_work(struct skiff_ctx *ctx, skiff_work_fn work, skiff_done_fn done, void *arg)
{
    if (!work || !ctx->ps->env.pool) return -1;
    return sk_work_submit(ctx->ps->env.pool, work, done, arg);
}

static uint64_t host_send(struct skiff_ctx *ctx, const char *to, uint32_t type, uint32_t version,
                          const void *body, size_t len)
{
    _sk_cleanup_error_ struct sk_error *err = NULL;
    if (!ctx->ep) return 0;
    uint64_t id = sk_bus_send(ctx->ep, to, type, version, 0, body, len, &err);
    if (!id)
        sk_log(SK_LOG_WARN, ctx->desc->name, "send failed to=%s type=%u: %s", to, type,
               sk_error_msg(err, SK_EPROTO));
    return id;
}

static uint64_t host_reply(struct skiff_ctx *ctx, const struct skiff_msg *req, uint32_t type,
                           uint32_t version, const void *body, size_t len)
{
    _sk_cleanup_error_ struct sk_error *err = NULL;
    if (!ctx->ep || !req) return 0;
    uint64_t id = sk_bus_send(ctx->ep, req->from, type, version, req->id, body, len, &err);
    if (!id)
        sk_log(SK_LOG_WARN, ctx->desc->name, "reply failed to=%s type=%u: %s", req->from, type,
               sk_error_msg(err, SK_EPROTO));
    return id;
}

/* ---- the object store (ABI 1.1) ---- */

/* Informer callbacks get sk_val trees; plugins get msgpack bytes, the
 * ABI's stable form. */
static void with_bytes(const struct sk_val *v, struct sk_buf *b)
{
    b->len = 0;
    sk_val_to_msgpack(v, b);
}

static void inf_add(void *arg, const struct sk_val *obj)
{
    struct skiff_informer *si = arg;
    if (!si->ops.add) return;
    struct sk_buf b = {0};
    with_bytes(obj, &b);
    si->ops.add(si->arg, b.p, b.len);
    sk_buf_free(&b);
}

static void inf_update(void *arg, const struct sk_val *old_obj, const struct sk_val *new_obj)
{
    struct skiff_informer *si = arg;
    if (!si->ops.update) return;
    struct sk_buf o = {0}, n = {0};
    with_bytes(old_obj, &o);
    with_bytes(new_obj, &n);
    si->ops.update(si->arg, o.p, o.len, n.p, n.len);
    sk_buf_free(&o);
    sk_buf_free(&n);
}

static void inf_del(void *arg, const struct sk_val *obj)
{
    struct skiff_informer *si = arg;
    if (!si->ops.del) return;
    struct sk_buf b = {0};
    with_bytes(obj, &b);
    si->ops.del(si->arg, b.p, b.len);
    sk_buf_free(&b);
}

static void inf_synced(void *arg)
{
    struct skiff_informer *si = arg;
    if (si->ops.synced) si->ops.synced(si->arg);
}

static const struct sk_informer_ops inf_ops = {
        .add = inf_add, .update = inf_update, .del = inf_del, .synced = inf_synced};

static struct skiff_informer *host_subscribe(struct skiff_ctx *ctx, const char *resource,
                                             const char *ns, const struct skiff_informer_ops *ops,
                                             void *arg)
{
    if (!ctx->ps->env.store || !resource || !*resource || !ops) return NULL;
    struct skiff_informer *si = sk_xcalloc(1, sizeof(*si));
    si->ctx = ctx;
    si->ops = *ops;
    si->arg = arg;
    si->inf = sk_informer_new(ctx->ps->env.store, resource, ns, NULL, NULL, &inf_ops, si);
    if (!si->inf) {
        free(si);
        return NULL;
    }
    si->next = ctx->informers;
    if (ctx->informers) ctx->informers->prev = si;
    ctx->informers = si;
    return si;
}

static void host_unsubscribe(struct skiff_ctx *ctx, struct skiff_informer *si)
{
    if (!si) return;
    sk_informer_free(si->inf);
    if (si->prev)
        si->prev->next = si->next;
    else
        ctx->informers = si->next;
    if (si->next) si->next->prev = si->prev;
    free(si);
}

static int code_of(sk_err e)
{
    switch (e) {
    case SK_OK: return SKIFF_OK;
    case SK_ENOENT: return SKIFF_ENOTFOUND;
    case SK_EEXIST:
    case SK_ECONFLICT: return SKIFF_ECONFLICT;
    case SK_ETOOBIG: return SKIFF_ETOOBIG;
    case SK_ECLOSED:
    case SK_EAGAIN: return SKIFF_EUNAVAILABLE;
    default: return SKIFF_EINVAL;
    }
}

static int host_get(struct skiff_ctx *ctx, const char *resource, const char *ns, const char *name,
                    void **obj, size_t *len)
{
    if (!ctx->ps->env.store || !resource || !name || !obj || !len) return SKIFF_EINVAL;
    struct sk_store_obj *o = NULL;
    sk_err rc = sk_store_get(ctx->ps->env.store, resource, ns, name, &o, NULL);
    if (rc) return code_of(rc);
    *obj = sk_xmalloc(o->len);
    memcpy(*obj, o->data, o->len);
    *len = o->len;
    sk_store_obj_unref(o);
    return SKIFF_OK;
}

static void write_unlink(struct pending_write *pw)
{
    if (!pw->ctx) return;
    if (pw->prev)
        pw->prev->next = pw->next;
    else
        pw->ctx->writes = pw->next;
    if (pw->next) pw->next->prev = pw->prev;
    pw->ctx = NULL;
}

static void write_done(const struct sk_store_result *res, void *arg)
{
    struct pending_write *pw = arg;
    struct skiff_ctx *ctx = pw->ctx;
    write_unlink(pw);
    if (ctx && pw->done)
        pw->done(pw->arg, code_of(res->code), res->code ? sk_error_msg(res->err, res->code) : NULL,
                 res->obj ? res->obj->data : NULL, res->obj ? res->obj->len : 0);
    free(pw);
}

/* A plugin's delete is a Kubernetes client's delete: obj is NULL or a
 * DeleteOptions map with gracePeriodSeconds and preconditions (uid,
 * resourceVersion). Anything else in it is refused rather than ignored. */
struct del_opts {
    bool grace_set;
    int64_t grace;
    const char *uid;
    uint64_t rv;
};

static sk_err parse_del_opts(const struct sk_val *v, struct del_opts *o, struct sk_error **err)
{
    for (size_t i = 0; i < sk_map_len(v); i++) {
        const char *k = v->u.m.kv[i].key;
        const struct sk_val *x = v->u.m.kv[i].val;
        if (sk_val_is(x, SK_V_NULL) || !strcmp(k, "kind") || !strcmp(k, "apiVersion")) continue;
        if (!strcmp(k, "gracePeriodSeconds") && sk_val_is(x, SK_V_INT)) {
            o->grace_set = true;
            o->grace = x->u.i < 0 ? 0 : x->u.i;
            continue;
        }
        if (!strcmp(k, "preconditions") && sk_val_is(x, SK_V_MAP)) {
            o->uid = sk_val_str_at(x, "uid", NULL);
            const char *rv = sk_val_str_at(x, "resourceVersion", NULL);
            char *end = NULL;
            if (rv && *rv) o->rv = strtoull(rv, &end, 10);
            if (rv && *rv && (*end || !o->rv))
                return sk_fail(err, SK_EINVAL,
                               "preconditions.resourceVersion: Invalid value: \"%s\"", rv);
            continue;
        }
        return sk_fail(err, SK_EINVAL,
                       "%s: not supported or of the wrong type (a plugin's delete takes "
                       "gracePeriodSeconds and preconditions)",
                       k);
    }
    return SK_OK;
}

/* The grace period of a plugin's delete of a pod, as kube-apiserver
 * decides it for a delete through the API: a pod bound to a node ends
 * there gracefully (the given gracePeriodSeconds, else the pod's
 * terminationGracePeriodSeconds, else 30), and the node's runtime finishes
 * the delete with grace 0 once its containers are gone. A pod that is
 * unbound or finished goes at once. A second delete may only shorten a
 * running grace period (the store keeps the shorter one). */
static int64_t pod_delete_grace(struct sk_store *s, const char *ns, const char *name,
                                const struct del_opts *o)
{
    struct sk_store_obj *obj = NULL;
    if (!name || sk_store_get(s, "pods", ns, name, &obj, NULL)) return 0;
    const struct sk_val *v = sk_store_obj_val(obj);
    const char *node = sk_val_str_at(v, "spec", "nodeName", NULL);
    const char *phase = sk_val_str_at(v, "status", "phase", NULL);
    int64_t g = 0;
    if (node && *node && !(phase && (!strcmp(phase, "Succeeded") || !strcmp(phase, "Failed")))) {
        const struct sk_val *t = sk_val_at(v, "spec", "terminationGracePeriodSeconds", NULL);
        g = o->grace_set ? o->grace : sk_val_is(t, SK_V_INT) && t->u.i >= 0 ? t->u.i : 30;
    }
    sk_store_obj_unref(obj);
    return g;
}

/* A Job a plugin creates (the CronJob controller's) gets what
 * kube-apiserver gives a Job created through the API: its defaults, and
 * the selector and template labels generated from its uid, which is
 * therefore decided here (uid: room for the text, kept until the submit). */
static void job_create_defaults(struct sk_val *v, struct sk_store_cmd *c, char uid[37])
{
    const struct sk_kind *k = sk_kind_by_resource("batch", "v1", "jobs");
    if (!k) return;
    sk_store_new_uid(uid);
    sk_val_set_at(v, sk_val_str(uid), "metadata", "uid", NULL);
    sk_kind_default(k, v);
    sk_kind_prepare_create(k, v);
    c->new_uid = uid;
}

static int host_propose(struct skiff_ctx *ctx, int op, const char *resource, const char *ns,
                        const char *name, const void *obj, size_t len, skiff_write_fn done,
                        void *arg)
{
    if (!ctx->ps->env.store) return SKIFF_EUNAVAILABLE;
    if (op < SKIFF_WRITE_CREATE || op > SKIFF_WRITE_DELETE || !resource) return SKIFF_EINVAL;
    struct sk_val *v = NULL;
    struct sk_error *err = NULL;
    struct del_opts dopt = {0};
    if (op != SKIFF_WRITE_DELETE || obj) {
        /* bytes from a plugin are checked like bytes from the wire */
        if (!obj || sk_val_from_msgpack(obj, len, &v, &err) || !sk_val_is(v, SK_V_MAP) ||
            (op == SKIFF_WRITE_DELETE && parse_del_opts(v, &dopt, &err))) {
            sk_log(SK_LOG_WARN, ctx->desc->name, "propose refused: bad %s: %s",
                   op == SKIFF_WRITE_DELETE ? "delete options" : "object",
                   sk_error_msg(err, SK_EINVAL));
            sk_error_free(err);
            sk_val_free(v);
            return SKIFF_EINVAL;
        }
    }
    struct sk_store_cmd c = {
            .op = (enum sk_store_op)op,
            .resource = resource,
            .ns = ns,
            .name = name,
            .obj = op == SKIFF_WRITE_DELETE ? NULL : v,
    };
    char uid[37];
    if (op == SKIFF_WRITE_CREATE && !strcmp(resource, "batch/jobs"))
        job_create_defaults(v, &c, uid);
    if (op == SKIFF_WRITE_DELETE) {
        c.uid = dopt.uid && *dopt.uid ? dopt.uid : NULL;
        c.rv = dopt.rv;
        if (!strcmp(resource, "pods"))
            c.grace = pod_delete_grace(ctx->ps->env.store, ns, name, &dopt);
    }
    struct pending_write *pw = sk_xcalloc(1, sizeof(*pw));
    pw->ctx = ctx;
    pw->done = done;
    pw->arg = arg;
    sk_err rc = sk_store_submit(ctx->ps->env.store, &c, write_done, pw, &err);
    sk_val_free(v);
    if (rc) {
        sk_log(SK_LOG_WARN, ctx->desc->name, "propose refused: %s", sk_error_msg(err, rc));
        sk_error_free(err);
        free(pw);
        return code_of(rc);
    }
    pw->next = ctx->writes;
    if (ctx->writes) ctx->writes->prev = pw;
    ctx->writes = pw;
    return SKIFF_OK;
}

/* ---- node HTTP (ABI 1.2) ---- */

static int host_http_serve(struct skiff_ctx *ctx, const char *prefix, skiff_http_fn fn, void *arg)
{
    int rc = sk_node_http_serve(ctx->ps->env.nh, ctx, ctx->desc->name, prefix, fn, arg);
    if (rc)
        sk_log(SK_LOG_WARN, ctx->desc->name, "http_serve prefix=%s refused: %s",
               prefix ? prefix : "",
               rc == SKIFF_ECONFLICT ? "served by another plugin"
               : rc == SKIFF_EINVAL  ? "want one path segment of [A-Za-z0-9._-] and a handler"
                                     : "no node HTTP in this agent");
    return rc;
}

static const struct skiff_host host_table = {
        .abi_major = SKIFF_ABI_MAJOR,
        .abi_minor = SKIFF_ABI_MINOR,
        .struct_size = sizeof(struct skiff_host),
        .log = host_log,
        .node_name = host_node_name,
        .data_dir = host_data_dir,
        .now = host_now,
        .timer_add = host_timer_add,
        .timer_cancel = host_timer_cancel,
        .fd_watch = host_fd_watch,
        .fd_unwatch = host_fd_unwatch,
        .work = host_work,
        .send = host_send,
        .reply = host_reply,
        .subscribe = host_subscribe,
        .unsubscribe = host_unsubscribe,
        .get = host_get,
        .propose = host_propose,
        .http_serve = host_http_serve,
        .http_head = sk_nh_head,
        .http_write = sk_nh_write,
        .http_pending = sk_nh_pending,
        .http_notify = sk_nh_notify,
        .http_end = sk_nh_end,
        .http_on_input = sk_nh_on_input,
        .http_input_pause = sk_nh_input_pause,
};

/* A plugin built for an older minor gets the table as that minor defined
 * it: struct_size ends where its header's struct ended and the newer
 * members are NULL, so a plugin that checks struct_size (or reads past its
 * own struct by mistake) cannot reach functions it was not built for.
 * Minor 0 gets the 1.1 table: the store functions shipped while
 * SKIFF_ABI_MINOR still read 0, so plugins built then declare 1.0 and use
 * them. */
static struct skiff_host host_table_1_1, host_table_1_2;

static const struct skiff_host *host_for(uint32_t minor)
{
    if (minor >= 3) return &host_table;
    if (minor == 2) {
        struct skiff_host *h2 = &host_table_1_2;
        if (!h2->struct_size) {
            *h2 = host_table;
            h2->abi_minor = 2;
            h2->http_on_input = NULL;
            h2->http_input_pause = NULL;
            h2->struct_size = offsetof(struct skiff_host, http_on_input);
        }
        return h2;
    }
    struct skiff_host *h = &host_table_1_1;
    if (!h->struct_size) {
        *h = host_table;
        h->abi_minor = 1;
        h->http_serve = NULL;
        h->http_head = NULL;
        h->http_write = NULL;
        h->http_pending = NULL;
        h->http_notify = NULL;
        h->http_end = NULL;
        h->http_on_input = NULL;
        h->http_input_pause = NULL;
        h->struct_size = offsetof(struct skiff_host, http_serve);
    }
    return h;
}

/* ---- lifecycle ---- */

struct sk_plugins *sk_plugins_new(const struct sk_plugin_env *env)
{
    struct sk_plugins *ps = sk_xcalloc(1, sizeof(*ps));
    ps->env = *env;
    return ps;
}

static struct skiff_ctx *find(const struct sk_plugins *ps, const char *name)
{
    for (size_t i = 0; i < ps->n; i++)
        if (!strcmp(ps->v[i]->desc->name, name)) return ps->v[i];
    return NULL;
}

static bool valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 63) return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    }
    return s[0] != '-' && s[n - 1] != '-' && strcmp(s, "core") != 0;
}

static void on_bus_msg(void *arg, const struct skiff_msg *m)
{
    struct skiff_ctx *ctx = arg;
    /* messages for a stopped plugin are dropped: it has no running state */
    if (!ctx->running || !ctx->desc->on_msg) {
        SK_DEBUG(ctx->desc->name, "dropped message type=%u from=%s: plugin not running", m->type,
                 m->from);
        return;
    }
    ctx->desc->on_msg(ctx->self, m);
}

/* A stopped plugin gets no more store callbacks: its informers end and
 * its pending writes complete without calling it. */
static void ctx_drop_store(struct skiff_ctx *ctx)
{
    while (ctx->informers)
        host_unsubscribe(ctx, ctx->informers);
    while (ctx->writes)
        write_unlink(ctx->writes);
}

static void ctx_release(struct skiff_ctx *ctx)
{
    ctx_drop_store(ctx);
    sk_node_http_drop(ctx->ps->env.nh, ctx);
    while (ctx->timers)
        host_timer_cancel(ctx, ctx->timers);
    while (ctx->watches)
        host_fd_unwatch(ctx, ctx->watches);
    sk_bus_detach(ctx->ep);
    ctx->ep = NULL;
    if (ctx->opts) sk_config_options_free(ctx->desc->options, ctx->opts);
    if (ctx->dl) dlclose(ctx->dl);
    free(ctx->source);
    free(ctx);
}

sk_err sk_plugins_add(struct sk_plugins *ps, const struct skiff_plugin *d, const char *source,
                      struct sk_error **err)
{
    if (!d) return sk_fail(err, SK_EINVAL, "plugin %s: no descriptor", source);
    if (d->abi_major != SKIFF_ABI_MAJOR)
        return sk_fail(err, SK_EABI, "plugin %s: built for ABI %u.%u, this agent speaks %u.%u",
                       source, d->abi_major, d->abi_minor, SKIFF_ABI_MAJOR, SKIFF_ABI_MINOR);
    if (d->abi_minor > SKIFF_ABI_MINOR)
        return sk_fail(err, SK_EABI, "plugin %s: needs ABI %u.%u, newer than this agent's %u.%u",
                       source, d->abi_major, d->abi_minor, SKIFF_ABI_MAJOR, SKIFF_ABI_MINOR);
    if (d->struct_size < sizeof(struct skiff_plugin))
        return sk_fail(err, SK_EABI, "plugin %s: descriptor is %zu bytes, want %zu", source,
                       d->struct_size, sizeof(struct skiff_plugin));
    if (!d->name || !valid_name(d->name))
        return sk_fail(err, SK_EINVAL, "plugin %s: bad name \"%s\" (want [a-z0-9-], 1-63 chars)",
                       source, d->name ? d->name : "");
    if (d->role != SKIFF_ROLE_NODE && d->role != SKIFF_ROLE_LEADER)
        return sk_fail(err, SK_EINVAL, "plugin %s: bad role %d", source, (int)d->role);
    if (!d->init) return sk_fail(err, SK_EINVAL, "plugin %s: no init function", source);
    if (find(ps, d->name))
        return sk_fail(err, SK_EEXIST, "plugin %s: name \"%s\" already loaded from %s", source,
                       d->name, sk_plugins_source(ps, d->name));

    struct skiff_ctx *ctx = sk_xcalloc(1, sizeof(*ctx));
    ctx->ps = ps;
    ctx->desc = d;
    ctx->source = sk_xstrdup(source);
    sk_err rc = SK_OK;
    if (ps->env.cfg) {
        rc = sk_config_plugin_options(ps->env.cfg, d->name, d->options, d->options_size, &ctx->opts,
                                      err);
    } else if (d->options_size) {
        /* no configuration (tests): defaults only */
        rc = sk_config_plugin_options(NULL, d->name, d->options, d->options_size, &ctx->opts, err);
    }
    if (rc) {
        sk_error_prefix(err, "plugin %s", source);
        ctx_release(ctx);
        return rc;
    }
    if (ps->env.bus) {
        ctx->ep = sk_bus_attach(ps->env.bus, d->name, on_bus_msg, ctx, err);
        if (!ctx->ep) {
            sk_error_prefix(err, "plugin %s", source);
            ctx_release(ctx);
            return SK_EINVAL;
        }
    }
    int irc = d->init(ctx, host_for(d->abi_minor), ctx->opts, &ctx->self);
    if (irc != 0) {
        ctx_release(ctx);
        return sk_fail(err, SK_EINVAL, "plugin %s: init failed (code %d)", source, irc);
    }
    if (ps->n == ps->cap) {
        ps->cap = ps->cap ? ps->cap * 2 : 8;
        ps->v = sk_xrealloc(ps->v, ps->cap * sizeof(*ps->v));
    }
    ps->v[ps->n++] = ctx;
    sk_log(SK_LOG_INFO, "plugin", "loaded plugin=%s role=%s source=%s", d->name,
           d->role == SKIFF_ROLE_LEADER ? "leader" : "node", source);
    return SK_OK;
}

sk_err sk_plugins_add_so(struct sk_plugins *ps, const char *path, struct sk_error **err)
{
    /* RTLD_LOCAL: a plugin's symbols never leak into core or other plugins */
    void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!dl) return sk_fail(err, SK_EINVAL, "plugin %s: dlopen failed: %s", path, dlerror());
    const struct skiff_plugin *d = dlsym(dl, "skiff_plugin_entry");
    if (!d) {
        dlclose(dl);
        return sk_fail(err, SK_EINVAL, "plugin %s: no skiff_plugin_entry symbol", path);
    }
    sk_err rc = sk_plugins_add(ps, d, path, err);
    if (rc) {
        dlclose(dl);
        return rc;
    }
    ps->v[ps->n - 1]->dl = dl;
    return SK_OK;
}

static bool has_so_suffix(const char *s)
{
    size_t n = strlen(s);
    return n > 3 && !strcmp(s + n - 3, ".so");
}

sk_err sk_plugins_load(struct sk_plugins *ps, const struct skiff_plugin *const *builtins,
                       const char *dir, struct sk_error **err)
{
    const struct sk_config *cfg = ps->env.cfg;
    /* names seen, enabled or not, loaded or refused: for the typo check */
    const char *seen[256];
    char *seen_owned[256];
    size_t nseen = 0, nowned = 0;

    DIR *d = dir && *dir ? opendir(dir) : NULL;
    if (d) {
        struct dirent *de;
        char *names[256];
        size_t nn = 0;
        while ((de = readdir(d)) && nn < 256)
            if (has_so_suffix(de->d_name)) names[nn++] = sk_xstrdup(de->d_name);
        closedir(d);
        /* stable order regardless of the directory's */
        for (size_t i = 1; i < nn; i++)
            for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
                char *t = names[j];
                names[j] = names[j - 1];
                names[j - 1] = t;
            }
        for (size_t i = 0; i < nn; i++) {
            char *stem = sk_xstrndup(names[i], strlen(names[i]) - 3);
            if (nowned < 256) {
                seen_owned[nowned++] = stem;
                seen[nseen++] = stem;
            }
            if (cfg && !sk_config_plugin_enabled(cfg, stem)) {
                sk_log(SK_LOG_INFO, "plugin", "skipped plugin=%s: disabled in configuration", stem);
            } else {
                char *path = sk_xasprintf("%s/%s", dir, names[i]);
                struct sk_error *e = NULL;
                if (sk_plugins_add_so(ps, path, &e))
                    sk_log(SK_LOG_ERROR, "plugin", "refused %s", sk_error_msg(e, SK_EINVAL));
                sk_error_free(e);
                free(path);
            }
            free(names[i]);
        }
    } else if (dir && *dir) {
        SK_DEBUG("plugin", "no plugin directory %s", dir);
    }

    for (const struct skiff_plugin *const *b = builtins; b && *b; b++) {
        const struct skiff_plugin *p = *b;
        if (nseen < 256) seen[nseen++] = p->name;
        struct skiff_ctx *have = find(ps, p->name);
        if (have) {
            sk_log(SK_LOG_INFO, "plugin", "plugin=%s from %s replaces the built-in one", p->name,
                   have->source);
            continue;
        }
        if (cfg && !sk_config_plugin_enabled(cfg, p->name)) {
            sk_log(SK_LOG_INFO, "plugin", "skipped plugin=%s: disabled in configuration", p->name);
            continue;
        }
        struct sk_error *e = NULL;
        if (sk_plugins_add(ps, p, "built-in", &e))
            sk_log(SK_LOG_ERROR, "plugin", "refused %s", sk_error_msg(e, SK_EINVAL));
        sk_error_free(e);
    }

    sk_err rc = SK_OK;
    if (cfg) {
        const char *sections[64];
        size_t ns = sk_config_plugin_sections(cfg, sections, 64);
        for (size_t i = 0; i < ns && !rc; i++) {
            bool known = false;
            for (size_t j = 0; j < nseen && !known; j++)
                known = !strcmp(seen[j], sections[i]);
            if (!known)
                rc = sk_fail(err, SK_EINVAL, "%s: line %d: plugins.%s: no such plugin",
                             cfg->path ? cfg->path : "config",
                             sk_config_plugin_line(cfg, sections[i]), sections[i]);
        }
    }
    for (size_t i = 0; i < nowned; i++)
        free(seen_owned[i]);
    return rc;
}

static void start_one(struct sk_plugins *ps, struct skiff_ctx *ctx)
{
    if (ctx->running) return;
    int rc = ctx->desc->start ? ctx->desc->start(ctx->self) : 0;
    if (rc) {
        sk_log(SK_LOG_ERROR, "plugin", "start failed plugin=%s code=%d", ctx->desc->name, rc);
        return;
    }
    ctx->running = true;
    ctx->start_seq = ++ps->seq;
    sk_log(SK_LOG_INFO, "plugin", "started plugin=%s", ctx->desc->name);
}

static void stop_one(struct skiff_ctx *ctx)
{
    if (!ctx->running) return;
    if (ctx->desc->stop) ctx->desc->stop(ctx->self);
    ctx_drop_store(ctx);
    /* its prefixes go and the streams it still holds end with an error */
    sk_node_http_drop(ctx->ps->env.nh, ctx);
    ctx->running = false;
    sk_log(SK_LOG_INFO, "plugin", "stopped plugin=%s", ctx->desc->name);
}

void sk_plugins_start(struct sk_plugins *ps, bool leader)
{
    ps->leader = leader;
    for (size_t i = 0; i < ps->n; i++)
        if (ps->v[i]->desc->role == SKIFF_ROLE_NODE || leader) start_one(ps, ps->v[i]);
}

static void notify_leader(struct sk_plugins *ps, bool leader)
{
    /* body {"leader": bool} as msgpack: fixmap(1) fixstr(6) bool */
    unsigned char body[] = {0x81, 0xa6, 'l', 'e', 'a', 'd', 'e', 'r', leader ? 0xc3 : 0xc2};
    for (size_t i = 0; i < ps->n; i++) {
        struct skiff_ctx *ctx = ps->v[i];
        if (!ctx->running || !ctx->desc->on_msg) continue;
        struct skiff_msg m = {.type = SKIFF_MSG_LEADER_CHANGED,
                              .version = 1,
                              .from = "core",
                              .to = ctx->desc->name,
                              .body = body,
                              .body_len = sizeof(body)};
        ctx->desc->on_msg(ctx->self, &m);
    }
}

void sk_plugins_set_leader(struct sk_plugins *ps, bool leader)
{
    if (ps->leader == leader) return;
    ps->leader = leader;
    sk_log(SK_LOG_INFO, "plugin", "leadership %s", leader ? "gained" : "lost");
    if (leader) {
        for (size_t i = 0; i < ps->n; i++)
            if (ps->v[i]->desc->role == SKIFF_ROLE_LEADER) start_one(ps, ps->v[i]);
    } else {
        for (size_t i = ps->n; i-- > 0;)
            if (ps->v[i]->desc->role == SKIFF_ROLE_LEADER) stop_one(ps->v[i]);
    }
    notify_leader(ps, leader);
}

void sk_plugins_stop(struct sk_plugins *ps)
{
    if (!ps) return;
    /* reverse order of start: later plugins may depend on earlier ones */
    for (;;) {
        struct skiff_ctx *last = NULL;
        for (size_t i = 0; i < ps->n; i++)
            if (ps->v[i]->running && (!last || ps->v[i]->start_seq > last->start_seq))
                last = ps->v[i];
        if (!last) break;
        stop_one(last);
    }
}

void sk_plugins_free(struct sk_plugins *ps)
{
    if (!ps) return;
    sk_plugins_stop(ps);
    for (size_t i = ps->n; i-- > 0;) {
        struct skiff_ctx *ctx = ps->v[i];
        if (ctx->desc->fini) ctx->desc->fini(ctx->self);
        ctx_release(ctx);
    }
    free(ps->v);
    free(ps);
}

size_t sk_plugins_count(const struct sk_plugins *ps)
{
    return ps->n;
}

const char *sk_plugins_name(const struct sk_plugins *ps, size_t i)
{
    return i < ps->n ? ps->v[i]->desc->name : NULL;
}

bool sk_plugins_running(const struct sk_plugins *ps, const char *name)
{
    struct skiff_ctx *ctx = find(ps, name);
    return ctx && ctx->running;
}

const char *sk_plugins_source(const struct sk_plugins *ps, const char *name)
{
    struct skiff_ctx *ctx = find(ps, name);
    return ctx ? ctx->source : NULL;
}
