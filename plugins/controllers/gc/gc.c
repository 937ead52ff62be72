/* The garbage collector: deletes objects whose owners (ownerReferences,
 * matched by uid) are gone, and carries out the Foreground and Orphan
 * propagation policies that the API records as the owner's
 * "foregroundDeletion" and "orphan" finalizers, as kube-controller-
 * manager's garbagecollector does. Two queues: dependents to check
 * (attemptToDelete) and owners being deleted (foreground / orphan). Keys
 * are "RESOURCE NS/NAME". */
#include "../ctl_priv.h"
#include "mem.h"

#include <stdio.h>
#include <string.h>

#define FG_FINALIZER     "foregroundDeletion"
#define ORPHAN_FINALIZER "orphan"

/* The namespaced kinds controllers create or own, and the resource each
 * is stored under. */
static const struct kindres {
    const char *kind, *resource;
} kinds[] = {
        {"Pod", "pods"},
        {"ReplicaSet", "apps/replicasets"},
        {"Deployment", "apps/deployments"},
        {"StatefulSet", "apps/statefulsets"},
        {"DaemonSet", "apps/daemonsets"},
        {"ControllerRevision", "apps/controllerrevisions"},
        {"Job", "batch/jobs"},
        {"CronJob", "batch/cronjobs"},
        {"ReplicationController", "replicationcontrollers"},
        {"PersistentVolumeClaim", "persistentvolumeclaims"},
        {"Endpoints", "endpoints"},
        {"EndpointSlice", "discovery.k8s.io/endpointslices"},
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

struct gc;
struct handler_arg {
    struct gc *g;
    size_t idx;
};

struct gc {
    struct ctl *c;
    struct handler_arg hargs[NKINDS];
    struct ctl_cache *caches[NKINDS];
    struct ctl_queue *dependents, *owners;
    uint64_t deleted, orphaned;
};

static int kind_index(const char *kind)
{
    for (size_t i = 0; kind && i < NKINDS; i++)
        if (!strcmp(kinds[i].kind, kind)) return (int)i;
    return -1;
}

static void qkey(char *buf, size_t len, const char *resource, const struct sk_val *obj)
{
    char k[512];
    snprintf(buf, len, "%s %s", resource, ctl_key(obj, k, sizeof(k)));
}

static bool split(const char *key, char *res, size_t reslen, char *ns, size_t nslen, char *name,
                  size_t namelen)
{
    const char *sp = strchr(key, ' ');
    if (!sp || (size_t)(sp - key) >= reslen) return false;
    memcpy(res, key, (size_t)(sp - key));
    res[sp - key] = 0;
    return ctl_key_split(sp + 1, ns, nslen, name, namelen);
}

static bool has_finalizer(const struct sk_val *obj, const char *f)
{
    const struct sk_val *fs = sk_val_at(obj, "metadata", "finalizers", NULL);
    for (size_t i = 0; i < sk_arr_len(fs); i++) {
        const char *s = sk_val_cstr(sk_arr_get(fs, i));
        if (s && !strcmp(s, f)) return true;
    }
    return false;
}

static bool deleting(const struct sk_val *obj)
{
    return sk_val_at(obj, "metadata", "deletionTimestamp", NULL) != NULL;
}

/* ---- change handlers ---- */

static void queue_owner_if_deleting(struct gc *g, const struct sk_val *ref, const char *ns)
{
    int ki = kind_index(sk_val_str_at(ref, "kind", NULL));
    const char *name = sk_val_str_at(ref, "name", NULL);
    if (ki < 0 || !name) return;
    const struct sk_val *o = ctl_cache_get(g->caches[ki], ns, name);
    if (o && deleting(o)) {
        char key[600];
        qkey(key, sizeof(key), kinds[ki].resource, o);
        ctl_queue_add(g->owners, key);
    }
}

struct depq {
    struct gc *g;
    size_t idx;
};

static bool queue_dep(void *arg, const struct sk_val *obj)
{
    struct depq *d = arg;
    char key[600];
    qkey(key, sizeof(key), kinds[d->idx].resource, obj);
    ctl_queue_add(d->g->dependents, key);
    return true;
}

static void queue_dependents_of(struct gc *g, const char *uid)
{
    if (!uid) return;
    for (size_t i = 0; i < NKINDS; i++) {
        struct depq d = {g, i};
        ctl_cache_foreach_owned(g->caches[i], uid, queue_dep, &d);
    }
}

static void on_change(void *arg, const struct sk_val *old, const struct sk_val *obj)
{
    struct handler_arg *h = arg;
    struct gc *g = h->g;
    const struct sk_val *cur = obj ? obj : old;
    const char *ns = sk_obj_namespace(cur);
    char key[600];
    qkey(key, sizeof(key), kinds[h->idx].resource, cur);
    /* an object with owners: are they all still there? */
    if (obj && sk_arr_len(sk_val_at(obj, "metadata", "ownerReferences", NULL)))
        ctl_queue_add(g->dependents, key);
    /* an owner being deleted with a policy to carry out */
    if (obj && deleting(obj) &&
        (has_finalizer(obj, FG_FINALIZER) || has_finalizer(obj, ORPHAN_FINALIZER)))
        ctl_queue_add(g->owners, key);
    /* a dependent changed or went: an owner waiting for it may go on */
    for (int pass = 0; pass < 2; pass++) {
        const struct sk_val *v = pass ? old : obj;
        const struct sk_val *refs = sk_val_at(v, "metadata", "ownerReferences", NULL);
        for (size_t i = 0; i < sk_arr_len(refs); i++)
            queue_owner_if_deleting(g, sk_arr_get(refs, i), ns);
    }
    /* an owner went: its dependents are dangling now */
    if (!obj) queue_dependents_of(g, sk_val_str_at(old, "metadata", "uid", NULL));
}

/* ---- dependents ---- */

enum owner_state { OWNER_SOLID, OWNER_DANGLING, OWNER_WAITING, OWNER_UNKNOWN };

static enum owner_state classify(struct gc *g, const struct sk_val *ref, const char *ns)
{
    int ki = kind_index(sk_val_str_at(ref, "kind", NULL));
    /* an owner of a kind skiff does not track here (a cluster-scoped one,
     * a custom resource): never assume it is gone */
    if (ki < 0) return OWNER_UNKNOWN;
    const char *name = sk_val_str_at(ref, "name", NULL);
    const char *uid = sk_val_str_at(ref, "uid", NULL);
    const struct sk_val *o = name ? ctl_cache_get(g->caches[ki], ns, name) : NULL;
    const char *ouid = sk_val_str_at(o, "metadata", "uid", NULL);
    /* a recreated owner with the same name is another object */
    if (!o || !uid || !ouid || strcmp(uid, ouid)) return OWNER_DANGLING;
    if (deleting(o) && has_finalizer(o, FG_FINALIZER)) return OWNER_WAITING;
    return OWNER_SOLID;
}

static bool stop_at_first(void *arg, const struct sk_val *obj)
{
    (void)obj;
    *(bool *)arg = true;
    return false;
}

static bool has_dependents(struct gc *g, const struct sk_val *obj)
{
    const char *uid = sk_val_str_at(obj, "metadata", "uid", NULL);
    bool any = false;
    for (size_t i = 0; i < NKINDS && uid && !any; i++)
        ctl_cache_foreach_owned(g->caches[i], uid, stop_at_first, &any);
    return any;
}

static void log_write(void *arg, int code, const char *message, const struct sk_val *obj)
{
    struct gc *g = arg;
    (void)obj;
    if (code != SKIFF_OK && code != SKIFF_ENOTFOUND && code != SKIFF_ECONFLICT)
        ctl_log(g->c, SKIFF_LOG_WARN, "gc", "write failed: code %d: %s", code,
                message ? message : "");
}

/* Delete obj; foreground adds the foregroundDeletion finalizer first, so
 * obj waits for its own dependents (the API would, given the policy). */
static void delete_obj(struct gc *g, const char *resource, const struct sk_val *obj,
                       bool foreground)
{
    if (deleting(obj)) return;
    const char *ns = sk_obj_namespace(obj), *name = sk_obj_name(obj);
    if (foreground && !has_finalizer(obj, FG_FINALIZER)) {
        struct sk_val *cp = sk_val_dup(obj);
        struct sk_val *fs = sk_val_at(cp, "metadata", "finalizers", NULL);
        if (!sk_val_is(fs, SK_V_ARR))
            fs = sk_val_set_at(cp, sk_val_arr(), "metadata", "finalizers", NULL);
        sk_arr_push(fs, sk_val_str(FG_FINALIZER));
        ctl_write(g->c, SKIFF_WRITE_UPDATE, resource, ns, name, cp, log_write, g);
        sk_val_free(cp);
    }
    ctl_log(g->c, SKIFF_LOG_INFO, "gc", "deleting object=%s/%s/%s propagation=%s", resource,
            ns ? ns : "", name, foreground ? "Foreground" : "Background");
    g->deleted++;
    ctl_write(g->c, SKIFF_WRITE_DELETE, resource, ns, name, NULL, log_write, g);
}

/* Drop the ownerReferences whose uid is in drop (or set
 * blockOwnerDeletion false on those in unblock). */
static void patch_refs(struct gc *g, const char *resource, const struct sk_val *obj,
                       const char *const *drop, size_t ndrop, const char *const *unblock,
                       size_t nunblock)
{
    struct sk_val *cp = sk_val_dup(obj);
    struct sk_val *refs = sk_val_at(cp, "metadata", "ownerReferences", NULL);
    for (size_t i = sk_arr_len(refs); i-- > 0;) {
        struct sk_val *r = sk_arr_get(refs, i);
        const char *uid = sk_val_str_at(r, "uid", NULL);
        bool gone = false;
        for (size_t j = 0; j < ndrop && uid; j++)
            if (!strcmp(uid, drop[j])) gone = true;
        if (gone) {
            sk_arr_remove(refs, i);
            continue;
        }
        for (size_t j = 0; j < nunblock && uid; j++)
            if (!strcmp(uid, unblock[j])) sk_map_set(r, "blockOwnerDeletion", sk_val_bool(false));
    }
    if (!sk_arr_len(refs)) sk_map_del(sk_map_get(cp, "metadata"), "ownerReferences");
    if (!sk_val_equal(cp, obj))
        ctl_write(g->c, SKIFF_WRITE_UPDATE, resource, sk_obj_namespace(obj), sk_obj_name(obj), cp,
                  log_write, g);
    sk_val_free(cp);
}

static int sync_dependent(void *arg, const char *key)
{
    struct gc *g = arg;
    char res[128], ns[254], name[254];
    if (!split(key, res, sizeof(res), ns, sizeof(ns), name, sizeof(name))) return 0;
    size_t ri = 0;
    while (ri < NKINDS && strcmp(kinds[ri].resource, res))
        ri++;
    if (ri == NKINDS) return 0;
    const struct sk_val *obj = ctl_cache_get(g->caches[ri], ns, name);
    if (!obj || deleting(obj)) return 0;
    const struct sk_val *refs = sk_val_at(obj, "metadata", "ownerReferences", NULL);
    size_t n = sk_arr_len(refs);
    if (!n) return 0;
    size_t solid = 0, dangling = 0, waiting = 0;
    const char *dang[64], *wait[64];
    for (size_t i = 0; i < n && i < 64; i++) {
        const struct sk_val *r = sk_arr_get(refs, i);
        const char *uid = sk_val_str_at(r, "uid", NULL);
        switch (classify(g, r, ns)) {
        case OWNER_SOLID:
        case OWNER_UNKNOWN: solid++; break;
        case OWNER_DANGLING:
            if (uid) dang[dangling++] = uid;
            break;
        case OWNER_WAITING:
            if (uid) wait[waiting++] = uid;
            break;
        }
    }
    if (solid) {
        /* another owner keeps it: only forget the gone ones and stop
         * blocking the ones waiting for their dependents */
        if (dangling || waiting) patch_refs(g, res, obj, dang, dangling, wait, waiting);
        return 0;
    }
    if (waiting) {
        /* every owner left waits on its dependents (Foreground): go,
         * taking own dependents first if there are any */
        delete_obj(g, res, obj, has_dependents(g, obj));
        return 0;
    }
    if (dangling) delete_obj(g, res, obj, has_finalizer(obj, FG_FINALIZER));
    return 0;
}

/* ---- owners being deleted ---- */

struct deps {
    struct gc *g;
    const char *uid;
    size_t idx;
    size_t n, blocking;
    bool orphan, issue;
    int pass; /* foreground: 0 deletes blocking dependents, 1 the rest */
};

static const struct sk_val *ref_to(const struct sk_val *obj, const char *uid)
{
    const struct sk_val *refs = sk_val_at(obj, "metadata", "ownerReferences", NULL);
    for (size_t i = 0; i < sk_arr_len(refs); i++) {
        const char *u = sk_val_str_at(sk_arr_get(refs, i), "uid", NULL);
        if (u && !strcmp(u, uid)) return sk_arr_get(refs, i);
    }
    return NULL;
}

static bool each_dep(void *arg, const struct sk_val *obj)
{
    struct deps *d = arg;
    const struct sk_val *r = ref_to(obj, d->uid);
    if (!r) return true;
    d->n++;
    bool block = sk_val_to_bool(sk_map_get(r, "blockOwnerDeletion"), false);
    if (block) d->blocking++;
    if (!d->issue) return true;
    if (d->orphan) {
        const char *u = d->uid;
        patch_refs(d->g, kinds[d->idx].resource, obj, &u, 1, NULL, 0);
        d->g->orphaned++;
    } else if ((d->pass == 0) == block) {
        /* as sync_dependent would decide, without waiting for the queue:
         * a dependent with other solid owners only stops blocking */
        const char *ns = sk_obj_namespace(obj);
        const struct sk_val *refs = sk_val_at(obj, "metadata", "ownerReferences", NULL);
        bool other = false;
        for (size_t i = 0; i < sk_arr_len(refs); i++) {
            const struct sk_val *o = sk_arr_get(refs, i);
            if (o == r) continue;
            enum owner_state st = classify(d->g, o, ns);
            if (st == OWNER_SOLID || st == OWNER_UNKNOWN) other = true;
        }
        if (other) {
            const char *u = d->uid;
            patch_refs(d->g, kinds[d->idx].resource, obj, NULL, 0, &u, 1);
        } else {
            delete_obj(d->g, kinds[d->idx].resource, obj, has_dependents(d->g, obj));
        }
    }
    return true;
}

static void scan(struct deps *d)
{
    for (size_t i = 0; i < NKINDS; i++) {
        d->idx = i;
        ctl_cache_foreach_owned(d->g->caches[i], d->uid, each_dep, d);
    }
}

static void remove_finalizer(struct gc *g, const char *resource, const struct sk_val *obj,
                             const char *f)
{
    struct sk_val *cp = sk_val_dup(obj);
    struct sk_val *fs = sk_val_at(cp, "metadata", "finalizers", NULL);
    for (size_t i = sk_arr_len(fs); i-- > 0;) {
        const char *s = sk_val_cstr(sk_arr_get(fs, i));
        if (s && !strcmp(s, f)) sk_arr_remove(fs, i);
    }
    ctl_log(g->c, SKIFF_LOG_DEBUG, "gc", "object=%s/%s/%s finalizer=%s removed", resource,
            sk_obj_namespace(obj) ? sk_obj_namespace(obj) : "", sk_obj_name(obj), f);
    ctl_write(g->c, SKIFF_WRITE_UPDATE, resource, sk_obj_namespace(obj), sk_obj_name(obj), cp,
              log_write, g);
    sk_val_free(cp);
}

static int sync_owner(void *arg, const char *key)
{
    struct gc *g = arg;
    char res[128], ns[254], name[254];
    if (!split(key, res, sizeof(res), ns, sizeof(ns), name, sizeof(name))) return 0;
    size_t ri = 0;
    while (ri < NKINDS && strcmp(kinds[ri].resource, res))
        ri++;
    if (ri == NKINDS) return 0;
    const struct sk_val *obj = ctl_cache_get(g->caches[ri], ns, name);
    if (!obj || !deleting(obj)) return 0;
    const char *uid = sk_val_str_at(obj, "metadata", "uid", NULL);
    if (!uid) return 0;
    if (has_finalizer(obj, ORPHAN_FINALIZER)) {
        struct deps d = {.g = g, .uid = uid, .orphan = true, .issue = true};
        scan(&d);
        /* the finalizer goes once no dependent names the owner any more */
        if (!d.n) remove_finalizer(g, res, obj, ORPHAN_FINALIZER);
        return 0;
    }
    if (has_finalizer(obj, FG_FINALIZER)) {
        struct deps d = {.g = g, .uid = uid, .issue = true, .pass = 0};
        scan(&d);
        if (!d.blocking) {
            /* the blocking dependents are gone: the rest go in the
             * background, and so does the owner */
            d.pass = 1;
            d.n = 0;
            scan(&d);
            remove_finalizer(g, res, obj, FG_FINALIZER);
        }
    }
    return 0;
}

static int gc_start(struct ctl *c, void **self)
{
    struct gc *g = sk_xcalloc(1, sizeof(*g));
    g->c = c;
    g->dependents = ctl_queue_new(c, "gc-dependents", sync_dependent, g);
    g->owners = ctl_queue_new(c, "gc-owners", sync_owner, g);
    for (size_t i = 0; i < NKINDS; i++) {
        g->caches[i] = ctl_cache(c, kinds[i].resource);
        g->hargs[i].g = g;
        g->hargs[i].idx = i;
        ctl_cache_on_change(g->caches[i], on_change, &g->hargs[i]);
    }
    *self = g;
    return 0;
}

static void gc_stop(void *self)
{
    struct gc *g = self;
    if (!g) return;
    for (size_t i = 0; i < NKINDS; i++)
        ctl_cache_off_change(g->caches[i], on_change, &g->hargs[i]);
    ctl_queue_free(g->dependents);
    ctl_queue_free(g->owners);
    free(g);
}

const struct ctl_module ctl_mod_gc = {
        .name = "gc",
        .start = gc_start,
        .stop = gc_stop,
};
