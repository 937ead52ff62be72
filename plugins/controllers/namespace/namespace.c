/* The namespace controller: empties a namespace being deleted, then
 * removes its "kubernetes" finalizer so the store lets it go, reporting
 * progress in the conditions kube-controller-manager's namespace
 * controller writes. While a namespace terminates, the module follows
 * every namespaced resource of that namespace only (an informer per
 * resource, scoped to it), so nothing beyond the namespaces themselves is
 * cached when no namespace is being deleted. */
#include "../ctl_priv.h"
#include "mem.h"

#include <stdio.h>
#include <string.h>

#define FINALIZER "kubernetes"
#define RECHECK   5.0 /* clock seconds between condition refreshes while content remains */

/* The namespaced resources skiff stores (core/schema_*.c). */
static const char *const resources[] = {
        "pods",
        "apps/deployments",
        "apps/replicasets",
        "apps/daemonsets",
        "apps/statefulsets",
        "apps/controllerrevisions",
        "batch/cronjobs",
        "batch/jobs",
        "services",
        "endpoints",
        "discovery.k8s.io/endpointslices",
        "configmaps",
        "secrets",
        "serviceaccounts",
        "persistentvolumeclaims",
        "replicationcontrollers",
        "networking.k8s.io/ingresses",
        "autoscaling/horizontalpodautoscalers",
        "coordination.k8s.io/leases",
        "events",
};
#define NRES (sizeof(resources) / sizeof(resources[0]))

struct nsc;
struct term;

struct watch {
    struct term *t;
    size_t idx;
    struct skiff_informer *inf;
    bool synced;
};

/* What is left of one object: its resource and its finalizers. */
struct rem {
    size_t idx;
    char *finalizers; /* comma-joined, or NULL */
};

struct term {
    struct nsc *m;
    char *ns;
    struct watch w[NRES];
    struct ctl_hmap left; /* "IDX NAME" -> struct rem */
    char *failure;        /* the last delete error, for NamespaceDeletionContentFailure */
};

struct nsc {
    struct ctl *c;
    struct ctl_cache *nss;
    struct ctl_queue *q;
    struct ctl_hmap terms; /* ns -> struct term */
};

static bool has_finalizer(const struct sk_val *ns)
{
    const struct sk_val *f = sk_val_at(ns, "spec", "finalizers", NULL);
    for (size_t i = 0; i < sk_arr_len(f); i++) {
        const char *s = sk_val_cstr(sk_arr_get(f, i));
        if (s && !strcmp(s, FINALIZER)) return true;
    }
    return false;
}

static void rem_free(void *val)
{
    struct rem *r = val;
    if (!r) return;
    free(r->finalizers);
    free(r);
}

static void delete_done(void *arg, int code, const char *message, const struct sk_val *obj)
{
    struct nsc *m = arg;
    (void)obj;
    if (code == SKIFF_OK || code == SKIFF_ENOTFOUND) return;
    ctl_log(m->c, SKIFF_LOG_WARN, "namespace", "delete failed: code %d: %s", code,
            message ? message : "");
}

static void obj_seen(struct term *t, size_t idx, const struct sk_val *obj)
{
    const char *name = sk_obj_name(obj);
    if (!name) return;
    char key[400];
    snprintf(key, sizeof(key), "%zu %s", idx, name);
    struct rem **slot = (struct rem **)ctl_hmap_put(&t->left, key, NULL);
    if (!*slot) *slot = sk_xcalloc(1, sizeof(**slot));
    struct rem *r = *slot;
    r->idx = idx;
    free(r->finalizers);
    r->finalizers = NULL;
    const struct sk_val *f = sk_val_at(obj, "metadata", "finalizers", NULL);
    if (sk_arr_len(f)) {
        struct sk_buf b = {0};
        for (size_t i = 0; i < sk_arr_len(f); i++) {
            const char *s = sk_val_cstr(sk_arr_get(f, i));
            if (s) sk_buf_printf(&b, "%s%s", b.len ? ", " : "", s);
        }
        r->finalizers = sk_buf_take(&b, NULL);
    }
    if (sk_val_at(obj, "metadata", "deletionTimestamp", NULL)) return;
    int rc = ctl_write(t->m->c, SKIFF_WRITE_DELETE, resources[idx], t->ns, name, NULL, delete_done,
                       t->m);
    if (rc != SKIFF_OK) {
        free(t->failure);
        t->failure = sk_xasprintf("%s \"%s\": code %d", resources[idx], name, rc);
    }
}

static struct sk_val *decode(const void *p, size_t len)
{
    struct sk_val *v = NULL;
    if (sk_val_from_msgpack(p, len, &v, NULL) || !sk_val_is(v, SK_V_MAP)) {
        sk_val_free(v);
        return NULL;
    }
    return v;
}

static void w_add(void *arg, const void *obj, size_t len)
{
    struct watch *w = arg;
    struct sk_val *v = decode(obj, len);
    if (v) obj_seen(w->t, w->idx, v);
    sk_val_free(v);
}

static void w_update(void *arg, const void *old_obj, size_t old_len, const void *obj, size_t len)
{
    (void)old_obj;
    (void)old_len;
    w_add(arg, obj, len);
}

static void w_del(void *arg, const void *obj, size_t len)
{
    struct watch *w = arg;
    struct sk_val *v = decode(obj, len);
    if (v && sk_obj_name(v)) {
        char key[400];
        snprintf(key, sizeof(key), "%zu %s", w->idx, sk_obj_name(v));
        rem_free(ctl_hmap_del(&w->t->left, key));
        if (!w->t->left.n) ctl_queue_add(w->t->m->q, w->t->ns);
    }
    sk_val_free(v);
}

static void w_synced(void *arg)
{
    struct watch *w = arg;
    w->synced = true;
    ctl_queue_add(w->t->m->q, w->t->ns);
}

static const struct skiff_informer_ops wops = {
        .add = w_add, .update = w_update, .del = w_del, .synced = w_synced};

static void term_free(void *val)
{
    struct term *t = val;
    if (!t) return;
    struct ctl *c = t->m->c;
    for (size_t i = 0; i < NRES; i++)
        if (t->w[i].inf) c->host->unsubscribe(c->ctx, t->w[i].inf);
    ctl_hmap_free(&t->left, rem_free);
    free(t->failure);
    free(t->ns);
    free(t);
}

static struct term *term_start(struct nsc *m, const char *ns)
{
    struct term *t = sk_xcalloc(1, sizeof(*t));
    t->m = m;
    t->ns = sk_xstrdup(ns);
    *ctl_hmap_put(&m->terms, ns, NULL) = t;
    ctl_log(m->c, SKIFF_LOG_INFO, "namespace", "namespace=%s terminating: deleting its content",
            ns);
    for (size_t i = 0; i < NRES; i++) {
        t->w[i].t = t;
        t->w[i].idx = i;
        t->w[i].inf = m->c->host->subscribe(m->c->ctx, resources[i], ns, &wops, &t->w[i]);
        if (!t->w[i].inf) t->w[i].synced = true; /* a resource this store lacks */
    }
    return t;
}

/* ---- conditions ---- */

static void cond(struct sk_val *arr, const char *type, bool on, const char *reason, const char *msg,
                 const struct sk_val *old, const char *now)
{
    struct sk_val *c = sk_arr_push(arr, sk_val_map());
    sk_map_set(c, "type", sk_val_str(type));
    sk_map_set(c, "status", sk_val_str(on ? "True" : "False"));
    const char *ts = now;
    for (size_t i = 0; i < sk_arr_len(old); i++) {
        const struct sk_val *o = sk_arr_get(old, i);
        const char *ot = sk_val_str_at(o, "type", NULL), *os = sk_val_str_at(o, "status", NULL);
        if (ot && !strcmp(ot, type) && os && !strcmp(os, on ? "True" : "False") &&
            sk_val_str_at(o, "lastTransitionTime", NULL))
            ts = sk_val_str_at(o, "lastTransitionTime", NULL);
    }
    sk_map_set(c, "lastTransitionTime", sk_val_str(ts));
    sk_map_set(c, "reason", sk_val_str(reason));
    sk_map_set(c, "message", sk_val_str(msg));
}

struct tally {
    size_t count[NRES];
    char **fins;
    size_t *fincount;
    size_t nfins;
};

static bool tally_one(void *arg, const char *key, void *val)
{
    (void)key;
    struct tally *t = arg;
    struct rem *r = val;
    t->count[r->idx]++;
    if (r->finalizers) {
        size_t i = 0;
        while (i < t->nfins && strcmp(t->fins[i], r->finalizers))
            i++;
        if (i == t->nfins) {
            t->fins = sk_xrealloc(t->fins, (t->nfins + 1) * sizeof(char *));
            t->fincount = sk_xrealloc(t->fincount, (t->nfins + 1) * sizeof(size_t));
            t->fins[i] = r->finalizers;
            t->fincount[i] = 0;
            t->nfins++;
        }
        t->fincount[i]++;
    }
    return true;
}

/* Write the five conditions upstream keeps while content remains. */
static void report(struct nsc *m, struct term *t, const struct sk_val *ns)
{
    struct tally ty = {0};
    ctl_hmap_foreach(&t->left, tally_one, &ty);
    struct sk_buf res = {0}, fin = {0};
    for (size_t i = 0; i < NRES; i++) {
        if (!ty.count[i]) continue;
        const char *slash = strrchr(resources[i], '/');
        const char *plural = slash ? slash + 1 : resources[i];
        char grp[128] = "";
        if (slash) snprintf(grp, sizeof(grp), ".%.*s", (int)(slash - resources[i]), resources[i]);
        /* upstream prints "pods. has 1 resource instances" (resource.group) */
        sk_buf_printf(&res, "%s%s%s has %zu resource instances", res.len ? ", " : "", plural,
                      slash ? grp : ".", ty.count[i]);
    }
    for (size_t i = 0; i < ty.nfins; i++)
        sk_buf_printf(&fin, "%s%s in %zu resource instances", fin.len ? ", " : "", ty.fins[i],
                      ty.fincount[i]);
    char now[32];
    ctl_time_str(ctl_now(m->c), now);
    const struct sk_val *old = sk_val_at(ns, "status", "conditions", NULL);
    struct sk_val *arr = sk_val_arr();
    cond(arr, "NamespaceDeletionDiscoveryFailure", false, "ResourcesDiscovered",
         "All resources successfully discovered", old, now);
    cond(arr, "NamespaceDeletionGroupVersionParsingFailure", false, "ParsedGroupVersions",
         "All legacy kube types successfully parsed", old, now);
    if (t->failure) {
        char *msg =
                sk_xasprintf("Failed to delete all resource types, 1 remaining: %s", t->failure);
        cond(arr, "NamespaceDeletionContentFailure", true, "ContentDeletionFailed", msg, old, now);
        free(msg);
    } else {
        cond(arr, "NamespaceDeletionContentFailure", false, "ContentDeleted",
             "All content successfully deleted, may be waiting on finalization", old, now);
    }
    if (res.len) {
        char *msg = sk_xasprintf("Some resources are remaining: %s", res.p);
        cond(arr, "NamespaceContentRemaining", true, "SomeResourcesRemain", msg, old, now);
        free(msg);
    } else {
        cond(arr, "NamespaceContentRemaining", false, "ContentRemoved",
             "All content successfully removed", old, now);
    }
    if (fin.len) {
        char *msg =
                sk_xasprintf("Some content in the namespace has finalizers remaining: %s", fin.p);
        cond(arr, "NamespaceFinalizersRemaining", true, "SomeFinalizersRemain", msg, old, now);
        free(msg);
    } else {
        cond(arr, "NamespaceFinalizersRemaining", false, "ContentHasNoFinalizers",
             "All content-preserving finalizers finished", old, now);
    }
    sk_buf_free(&res);
    sk_buf_free(&fin);
    free(ty.fins);
    free(ty.fincount);
    if (!sk_val_equal(arr, old)) {
        struct sk_val *cp = sk_val_dup(ns);
        sk_val_set_at(cp, arr, "status", "conditions", NULL);
        ctl_write(m->c, SKIFF_WRITE_UPDATE_STATUS, "namespaces", NULL, sk_obj_name(ns), cp, NULL,
                  NULL);
        sk_val_free(cp);
    } else {
        sk_val_free(arr);
    }
}

static void finalize_done(void *arg, int code, const char *message, const struct sk_val *obj)
{
    struct nsc *m = arg;
    (void)obj;
    if (code != SKIFF_OK && code != SKIFF_ENOTFOUND)
        ctl_log(m->c, SKIFF_LOG_WARN, "namespace", "finalize failed: code %d: %s", code,
                message ? message : "");
}

static int sync(void *arg, const char *name)
{
    struct nsc *m = arg;
    const struct sk_val *ns = ctl_cache_get(m->nss, NULL, name);
    struct term *t = ctl_hmap_get(&m->terms, name);
    if (!ns || !sk_val_at(ns, "metadata", "deletionTimestamp", NULL) || !has_finalizer(ns)) {
        if (t) term_free(ctl_hmap_del(&m->terms, name));
        return 0;
    }
    if (!t) t = term_start(m, name);
    for (size_t i = 0; i < NRES; i++)
        if (!t->w[i].synced) return 0; /* w_synced queues the namespace again */
    if (t->left.n) {
        report(m, t, ns);
        ctl_queue_add_after(m->q, name, RECHECK);
        return 0;
    }
    /* empty: the finalize step (the namespaces/finalize subresource's effect) */
    struct sk_val *cp = sk_val_dup(ns);
    struct sk_val *f = sk_val_at(cp, "spec", "finalizers", NULL);
    for (size_t i = sk_arr_len(f); i-- > 0;) {
        const char *s = sk_val_cstr(sk_arr_get(f, i));
        if (s && !strcmp(s, FINALIZER)) sk_arr_remove(f, i);
    }
    ctl_log(m->c, SKIFF_LOG_INFO, "namespace", "namespace=%s empty: finalized", name);
    int rc = ctl_write(m->c, SKIFF_WRITE_UPDATE, "namespaces", NULL, name, cp, finalize_done, m);
    sk_val_free(cp);
    term_free(ctl_hmap_del(&m->terms, name));
    return rc == SKIFF_OK ? 0 : -1;
}

static void on_ns(void *arg, const struct sk_val *old, const struct sk_val *obj)
{
    struct nsc *m = arg;
    (void)old;
    if (obj && sk_val_at(obj, "metadata", "deletionTimestamp", NULL))
        ctl_queue_add(m->q, sk_obj_name(obj));
    if (!obj && old) ctl_queue_add(m->q, sk_obj_name(old)); /* drops its state */
}

static int ns_start(struct ctl *c, void **self)
{
    struct nsc *m = sk_xcalloc(1, sizeof(*m));
    m->c = c;
    m->nss = ctl_cache(c, "namespaces");
    m->q = ctl_queue_new(c, "namespace", sync, m);
    ctl_cache_on_change(m->nss, on_ns, m);
    *self = m;
    return 0;
}

static void ns_stop(void *self)
{
    struct nsc *m = self;
    if (!m) return;
    ctl_cache_off_change(m->nss, on_ns, m);
    ctl_queue_free(m->q);
    ctl_hmap_free(&m->terms, term_free);
    free(m);
}

const struct ctl_module ctl_mod_namespace = {
        .name = "namespace",
        .start = ns_start,
        .stop = ns_stop,
};
