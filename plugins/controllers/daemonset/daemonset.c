/* The DaemonSet controller (module "daemonset"), as kube-controller-
 * manager's daemon controller: keeps one daemon pod per eligible node
 * (decisions in ds_logic.c), records each template as a ControllerRevision
 * named NAME-HASH, prunes revisions beyond revisionHistoryLimit and writes
 * status. Runs on the loop thread. */
#include "../ctl.h"
#include "../job/wl_track.h"
#include "../podutil.h"
#include "ds_logic.h"

#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COMPONENT   "daemonset-controller"
#define CR_RESOURCE "apps/controllerrevisions"

enum { WR_CREATE, WR_DELETE, WR_STATUS, WR_REVISION };

struct dsc {
    struct ctl *c;
    struct ctl_cache *pods, *nodes, *dss, *revs;
    struct ctl_queue *q;
    struct wl_track *trk;
};

struct list {
    const char *uid; /* filter: controller uid, or NULL for all */
    const struct sk_val **v;
    size_t n;
};

static bool collect(void *arg, const struct sk_val *obj)
{
    struct list *l = arg;
    if (l->uid) {
        const char *cu = ctl_controller_uid(obj);
        if (!cu || strcmp(cu, l->uid)) return true;
    }
    l->v = sk_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
    l->v[l->n++] = obj;
    return true;
}

static const struct sk_val *ds_of_key(struct dsc *d, const char *key)
{
    char ns[256], name[256];
    if (!ctl_key_split(key, ns, sizeof ns, name, sizeof name)) return NULL;
    return ctl_cache_get(d->dss, ns, name);
}

static void on_write(void *arg, const char *key, int tag, const char *objname, int code,
                     const char *message, const struct sk_val *obj)
{
    struct dsc *d = arg;
    const struct sk_val *ds = ds_of_key(d, key);
    const char *msg = message ? message : "unknown error";
    if (!ds) return;
    if (tag == WR_CREATE) {
        if (code == SKIFF_OK)
            ctl_event(d->c, COMPONENT, ds, "Normal", "SuccessfulCreate", "Created pod: %s",
                      obj && sk_obj_name(obj) ? sk_obj_name(obj) : objname);
        else
            ctl_event(d->c, COMPONENT, ds, "Warning", "FailedCreate", "Error creating: %s", msg);
    } else if (tag == WR_DELETE) {
        if (code == SKIFF_OK)
            ctl_event(d->c, COMPONENT, ds, "Normal", "SuccessfulDelete", "Deleted pod: %s",
                      objname);
        else if (code != SKIFF_ENOTFOUND)
            ctl_event(d->c, COMPONENT, ds, "Warning", "FailedDelete", "Error deleting: %s", msg);
    } else if (tag == WR_REVISION && code != SKIFF_OK && code != SKIFF_ECONFLICT) {
        ctl_log(d->c, SKIFF_LOG_WARN, COMPONENT, "daemonset=%s revision %s: %s", key, objname, msg);
    }
}

static const struct wl_revision ds_rev = {.owner_resource = "apps/daemonsets",
                                          .hash_label = DS_HASH_LABEL,
                                          .status_tag = WR_STATUS,
                                          .revision_tag = WR_REVISION,
                                          .copy_annotations = true};

/* Make sure the current template has its ControllerRevision with the
 * highest revision number. Returns true when the hash is settled, false
 * when a write was started (the answer syncs again). */
static bool ensure_revision(struct dsc *d, const char *key, const struct sk_val *ds,
                            const struct list *revs, char hash[16])
{
    const struct sk_val *ccv = sk_val_at(ds, "status", "collisionCount", NULL);
    int64_t cc = sk_val_is(ccv, SK_V_INT) ? ccv->u.i : -1;
    pu_template_hash(sk_val_at(ds, "spec", "template", NULL), cc, hash);
    char name[320];
    snprintf(name, sizeof name, "%s-%s", sk_obj_name(ds), hash);
    return wl_ensure_revision(d->trk, key, &ds_rev, ds, name, hash, ds_revision_data(ds),
                              cc < 0 ? 1 : cc + 1, (const struct sk_val *const *)revs->v, revs->n);
}

/* cleanupHistory: old revisions no live pod uses, beyond the limit. */
static void prune_revisions(struct dsc *d, const char *key, const struct sk_val *ds,
                            const struct list *revs, const struct list *pods, const char *hash)
{
    int64_t limit = pu_int_at(ds, "spec", "revisionHistoryLimit", 10);
    const struct sk_val **old = sk_xcalloc(revs->n + 1, sizeof(*old));
    size_t n = 0;
    for (size_t i = 0; i < revs->n; i++) {
        const char *h = sk_obj_label(revs->v[i], DS_HASH_LABEL);
        if (h && !strcmp(h, hash)) continue;
        bool used = false;
        for (size_t k = 0; k < pods->n && !used; k++) {
            const char *ph = sk_obj_label(pods->v[k], DS_HASH_LABEL);
            used = h && ph && !strcmp(ph, h) && !pu_deleting(pods->v[k]);
        }
        if (!used) old[n++] = revs->v[i];
    }
    if ((int64_t)n > limit) {
        wl_sort_revisions(old, n);
        for (size_t i = 0; i < n - (size_t)(limit < 0 ? 0 : limit); i++)
            wl_write(d->trk, key, WR_REVISION, SKIFF_WRITE_DELETE, CR_RESOURCE,
                     sk_obj_namespace(old[i]), sk_obj_name(old[i]), NULL, NULL);
    }
    free(old);
}

static int sync_ds(void *arg, const char *key)
{
    struct dsc *d = arg;
    const struct sk_val *ds = ds_of_key(d, key);
    if (!ds || wl_busy(d->trk, key) || !pu_uid(ds) || pu_deleting(ds)) return 0;
    if (!ctl_cache_synced(d->nodes) || !ctl_cache_synced(d->pods)) {
        ctl_queue_add_after(d->q, key, 0.2);
        return 0;
    }
    struct list revs = {.uid = pu_uid(ds)}, pods = {.uid = pu_uid(ds)}, nodes = {0};
    ctl_cache_foreach_owned(d->revs, pu_uid(ds), collect, &revs);
    char hash[16];
    if (!ensure_revision(d, key, ds, &revs, hash)) goto out;
    ctl_cache_foreach_owned(d->pods, pu_uid(ds), collect, &pods);
    ctl_cache_foreach(d->nodes, NULL, collect, &nodes);
    double now = ctl_now(d->c);
    struct ds_plan p;
    ds_plan(ds, nodes.v, nodes.n, pods.v, pods.n, hash, now, &p);
    for (size_t i = 0; i < p.nfailed; i++)
        ctl_event(d->c, COMPONENT, ds, "Warning", "FailedDaemonPod",
                  "Found failed daemon pod %s/%s on node %s, will try to kill it",
                  sk_obj_namespace(p.failed[i]), sk_obj_name(p.failed[i]),
                  ds_pod_target_node(p.failed[i]) ? ds_pod_target_node(p.failed[i]) : "");
    for (size_t i = 0; i < p.ndel; i++)
        wl_write(d->trk, key, WR_DELETE, SKIFF_WRITE_DELETE, "pods", sk_obj_namespace(p.del[i]),
                 sk_obj_name(p.del[i]), NULL, NULL);
    for (size_t i = 0; i < p.ncreate; i++) {
        struct sk_val *pod = ds_new_pod(ds, p.create[i], hash);
        wl_write(d->trk, key, WR_CREATE, SKIFF_WRITE_CREATE, "pods", sk_obj_namespace(ds), NULL,
                 sk_val_str_at(pod, "metadata", "generateName", NULL), pod);
        sk_val_free(pod);
    }
    if (p.status) {
        struct sk_val *copy = sk_val_dup(ds);
        sk_map_set(copy, "status", p.status);
        p.status = NULL;
        wl_write(d->trk, key, WR_STATUS, SKIFF_WRITE_UPDATE_STATUS, "apps/daemonsets",
                 sk_obj_namespace(ds), sk_obj_name(ds), NULL, copy);
        sk_val_free(copy);
    }
    prune_revisions(d, key, ds, &revs, &pods, hash);
    if (p.requeue > 0) ctl_queue_add_after(d->q, key, p.requeue);
    ds_plan_free(&p);
out:
    free(revs.v);
    free(pods.v);
    free(nodes.v);
    return 0;
}

static void enqueue_owner(struct dsc *d, const struct sk_val *obj)
{
    const struct sk_val *ref = sk_obj_controller_ref(obj);
    const char *kind = sk_val_str_at(ref, "kind", NULL), *name = sk_val_str_at(ref, "name", NULL);
    if (!kind || !name || strcmp(kind, "DaemonSet")) return;
    const struct sk_val *ds = ctl_cache_get(d->dss, sk_obj_namespace(obj), name);
    if (!ds) return;
    char key[512];
    ctl_queue_add(d->q, ctl_key(ds, key, sizeof key));
}

static void on_owned(void *arg, const struct sk_val *old, const struct sk_val *obj)
{
    enqueue_owner(arg, obj ? obj : old);
}

static bool enqueue_ds(void *arg, const struct sk_val *ds)
{
    struct dsc *d = arg;
    char key[512];
    ctl_queue_add(d->q, ctl_key(ds, key, sizeof key));
    return true;
}

static void on_node(void *arg, const struct sk_val *old, const struct sk_val *obj)
{
    struct dsc *d = arg;
    /* only changes that can move eligibility matter */
    if (old && obj && sk_val_equal(sk_obj_labels(old), sk_obj_labels(obj)) &&
        sk_val_equal(sk_val_at(old, "spec", NULL), sk_val_at(obj, "spec", NULL)))
        return;
    ctl_cache_foreach(d->dss, NULL, enqueue_ds, d);
}

static void on_ds(void *arg, const struct sk_val *old, const struct sk_val *obj)
{
    struct dsc *d = arg;
    char key[512];
    ctl_queue_add(d->q, ctl_key(obj ? obj : old, key, sizeof key));
}

static int ds_start(struct ctl *c, void **self)
{
    struct dsc *d = sk_xcalloc(1, sizeof(*d));
    d->c = c;
    d->pods = ctl_cache(c, "pods");
    d->nodes = ctl_cache(c, "nodes");
    d->dss = ctl_cache(c, "apps/daemonsets");
    d->revs = ctl_cache(c, CR_RESOURCE);
    d->q = ctl_queue_new(c, "daemonset", sync_ds, d);
    d->trk = wl_track_new(c, d->q, on_write, d);
    ctl_cache_on_change(d->pods, on_owned, d);
    ctl_cache_on_change(d->revs, on_owned, d);
    ctl_cache_on_change(d->nodes, on_node, d);
    ctl_cache_on_change(d->dss, on_ds, d);
    *self = d;
    return 0;
}

static void ds_stop(void *self)
{
    struct dsc *d = self;
    if (!d) return;
    ctl_queue_free(d->q);
    wl_track_free(d->trk);
    free(d);
}

const struct ctl_module ctl_mod_daemonset = {
        .name = "daemonset",
        .start = ds_start,
        .stop = ds_stop,
};
