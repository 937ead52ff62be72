/* The StatefulSet controller (module "statefulset"), as kube-controller-
 * manager's: ControllerRevisions NAME-HASH for each template, pods and
 * their PersistentVolumeClaims created and deleted as sts_logic.c
 * decides, events in upstream's words, and status. Runs on the loop
 * thread. */
#include "../ctl.h"
#include "../job/wl_track.h"
#include "../podutil.h"
#include "sts_logic.h"

#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COMPONENT   "statefulset-controller"
#define CR_RESOURCE "apps/controllerrevisions"

enum { WR_CREATE, WR_DELETE, WR_STATUS, WR_REVISION, WR_CLAIM };

struct stsc {
    struct ctl *c;
    struct ctl_cache *pods, *sets, *revs, *pvcs;
    struct ctl_queue *q;
    struct wl_track *trk;
};

struct list {
    const char *uid;
    const struct sk_val **v;
    size_t n;
};

static bool collect(void *arg, const struct sk_val *obj)
{
    struct list *l = arg;
    const char *cu = ctl_controller_uid(obj);
    if (!cu || !l->uid || strcmp(cu, l->uid)) return true;
    l->v = sk_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
    l->v[l->n++] = obj;
    return true;
}

static const struct sk_val *set_of_key(struct stsc *s, const char *key)
{
    char ns[256], name[256];
    if (!ctl_key_split(key, ns, sizeof ns, name, sizeof name)) return NULL;
    return ctl_cache_get(s->sets, ns, name);
}

static void on_write(void *arg, const char *key, int tag, const char *objname, int code,
                     const char *message, const struct sk_val *obj)
{
    struct stsc *s = arg;
    (void)obj;
    const struct sk_val *set = set_of_key(s, key);
    const char *msg = message ? message : "unknown error";
    if (!set) return;
    const char *sn = sk_obj_name(set);
    switch (tag) {
    case WR_CREATE:
        if (code == SKIFF_OK)
            ctl_event(s->c, COMPONENT, set, "Normal", "SuccessfulCreate",
                      "create Pod %s in StatefulSet %s successful", objname, sn);
        else if (code != SKIFF_ECONFLICT)
            ctl_event(s->c, COMPONENT, set, "Warning", "FailedCreate",
                      "create Pod %s in StatefulSet %s failed error: %s", objname, sn, msg);
        break;
    case WR_DELETE:
        if (code == SKIFF_OK)
            ctl_event(s->c, COMPONENT, set, "Normal", "SuccessfulDelete",
                      "delete Pod %s in StatefulSet %s successful", objname, sn);
        else if (code != SKIFF_ENOTFOUND)
            ctl_event(s->c, COMPONENT, set, "Warning", "FailedDelete",
                      "delete Pod %s in StatefulSet %s failed error: %s", objname, sn, msg);
        break;
    case WR_CLAIM:
        /* objname is "CLAIM POD" */
        if (code == SKIFF_OK) {
            char claim[256], pod[256];
            if (sscanf(objname, "%255s %255s", claim, pod) == 2)
                ctl_event(s->c, COMPONENT, set, "Normal", "SuccessfulCreate",
                          "create Claim %s Pod %s in StatefulSet %s success", claim, pod, sn);
        } else if (code != SKIFF_ECONFLICT) {
            ctl_event(s->c, COMPONENT, set, "Warning", "FailedCreate",
                      "create Claim %s in StatefulSet %s failed error: %s", objname, sn, msg);
        }
        break;
    default:
        if (code != SKIFF_OK && code != SKIFF_ECONFLICT && code != SKIFF_ENOTFOUND)
            ctl_log(s->c, SKIFF_LOG_WARN, COMPONENT, "statefulset=%s write %s failed: %s", key,
                    objname, msg);
    }
}

static const struct wl_revision sts_rev = {.owner_resource = "apps/statefulsets",
                                           .hash_label = STS_REV_LABEL,
                                           .status_tag = WR_STATUS,
                                           .revision_tag = WR_REVISION,
                                           .copy_annotations = false};

/* The update revision's name into name; false when a write was started. */
static bool ensure_revision(struct stsc *s, const char *key, const struct sk_val *set,
                            const struct list *revs, char *name, size_t namelen)
{
    /* upstream hashes with the count, 0 until a collision */
    const struct sk_val *ccv = sk_val_at(set, "status", "collisionCount", NULL);
    int64_t cc = sk_val_is(ccv, SK_V_INT) ? ccv->u.i : 0;
    struct sk_val *data = sts_revision_data(set);
    char hash[16];
    pu_template_hash(data, cc, hash);
    snprintf(name, namelen, "%s-%s", sk_obj_name(set), hash);
    return wl_ensure_revision(s->trk, key, &sts_rev, set, name, hash, data, cc + 1,
                              (const struct sk_val *const *)revs->v, revs->n);
}

static const struct sk_val *find_rev(const struct list *revs, const char *name)
{
    for (size_t i = 0; name && i < revs->n; i++)
        if (!strcmp(sk_obj_name(revs->v[i]), name)) return revs->v[i];
    return NULL;
}

static void prune_revisions(struct stsc *s, const char *key, const struct sk_val *set,
                            const struct list *revs, const struct list *pods, const char *cur,
                            const char *upd)
{
    int64_t limit = pu_int_at(set, "spec", "revisionHistoryLimit", 10);
    const struct sk_val **old = sk_xcalloc(revs->n + 1, sizeof(*old));
    size_t n = 0;
    for (size_t i = 0; i < revs->n; i++) {
        const char *rn = sk_obj_name(revs->v[i]);
        if (!strcmp(rn, upd) || (cur && !strcmp(rn, cur))) continue;
        bool used = false;
        for (size_t k = 0; k < pods->n && !used; k++) {
            const char *pr = sk_obj_label(pods->v[k], STS_REV_LABEL);
            used = pr && !strcmp(pr, rn);
        }
        if (!used) old[n++] = revs->v[i];
    }
    if ((int64_t)n > limit) {
        wl_sort_revisions(old, n);
        for (size_t i = 0; i < n - (size_t)(limit < 0 ? 0 : limit); i++)
            wl_write(s->trk, key, WR_REVISION, SKIFF_WRITE_DELETE, CR_RESOURCE,
                     sk_obj_namespace(old[i]), sk_obj_name(old[i]), NULL, NULL);
    }
    free(old);
}

static void create_ordinal(struct stsc *s, const char *key, const struct sk_val *set,
                           const struct list *revs, const char *cur, const char *upd, int64_t ord)
{
    bool update = sts_ordinal_gets_update(set, ord);
    const char *rev = update ? upd : cur;
    const struct sk_val *tmpl = sk_val_at(set, "spec", "template", NULL);
    struct sk_val *rt = NULL;
    if (!update) {
        const struct sk_val *cr = find_rev(revs, cur);
        const struct sk_val *t = cr ? sk_val_at(cr, "data", "spec", "template", NULL) : NULL;
        if (t) {
            rt = sk_val_dup(t);
            sk_map_del(rt, "$patch");
            tmpl = rt;
        } else {
            rev = upd;
        }
    }
    struct sk_val *pod = sts_new_pod(set, tmpl, ord, rev);
    sk_val_free(rt);
    const char *ns = sk_obj_namespace(set);
    struct sk_val *claims = sts_claims(set, ord);
    for (size_t i = 0; i < sk_arr_len(claims); i++) {
        const struct sk_val *pvc = sk_arr_get(claims, i);
        if (ctl_cache_get(s->pvcs, ns, sk_obj_name(pvc))) continue;
        char tag[600];
        snprintf(tag, sizeof tag, "%s %s", sk_obj_name(pvc), sk_obj_name(pod));
        wl_write(s->trk, key, WR_CLAIM, SKIFF_WRITE_CREATE, "persistentvolumeclaims", ns, NULL, tag,
                 pvc);
    }
    sk_val_free(claims);
    wl_write(s->trk, key, WR_CREATE, SKIFF_WRITE_CREATE, "pods", ns, NULL, sk_obj_name(pod), pod);
    sk_val_free(pod);
}

/* persistentVolumeClaimRetentionPolicy: a claim is owned by the set when
 * whenDeleted is Delete, and by its pod when whenScaled is Delete and the
 * pod's ordinal is condemned, so that the garbage collector removes it
 * with its owner. References are non-controller, as upstream's. */
static void claim_refs(struct stsc *s, const char *key, const struct sk_val *set,
                       const struct list *pods)
{
    const char *wd =
            sk_val_str_at(set, "spec", "persistentVolumeClaimRetentionPolicy", "whenDeleted", NULL);
    const char *ws =
            sk_val_str_at(set, "spec", "persistentVolumeClaimRetentionPolicy", "whenScaled", NULL);
    bool del_deleted = wd && !strcmp(wd, "Delete"), del_scaled = ws && !strcmp(ws, "Delete");
    int64_t replicas = pu_int_at(set, "spec", "replicas", 1);
    int64_t start = sk_val_to_int(sk_val_at(set, "spec", "ordinals", "start", NULL), 0);
    for (size_t i = 0; i < pods->n; i++) {
        const struct sk_val *pod = pods->v[i];
        int64_t ord = sts_pod_ordinal(set, pod);
        if (ord < 0) continue;
        bool condemned = ord < start || ord >= start + replicas;
        struct sk_val *claims = sts_claims(set, ord);
        for (size_t k = 0; k < sk_arr_len(claims); k++) {
            const struct sk_val *pvc = ctl_cache_get(s->pvcs, sk_obj_namespace(set),
                                                     sk_obj_name(sk_arr_get(claims, k)));
            if (!pvc) continue;
            struct sk_val *copy = sk_val_dup(pvc);
            struct sk_val *refs = sk_val_at(copy, "metadata", "ownerReferences", NULL);
            if (!sk_val_is(refs, SK_V_ARR))
                refs = sk_val_set_at(copy, sk_val_arr(), "metadata", "ownerReferences", NULL);
            const struct sk_val *owners[2] = {set, pod};
            bool want[2] = {del_deleted, del_scaled && condemned};
            bool changed = false;
            for (int o = 0; o < 2; o++) {
                const char *uid = pu_uid(owners[o]);
                long at = -1;
                for (size_t r = 0; r < sk_arr_len(refs); r++) {
                    const char *u = sk_val_str_at(sk_arr_get(refs, r), "uid", NULL);
                    if (u && uid && !strcmp(u, uid)) at = (long)r;
                }
                if (want[o] && at < 0 && uid) {
                    struct sk_val *ref = ctl_owner_ref(owners[o]);
                    sk_map_del(ref, "controller");
                    sk_map_del(ref, "blockOwnerDeletion");
                    sk_arr_push(refs, ref);
                    changed = true;
                } else if (!want[o] && at >= 0) {
                    sk_arr_remove(refs, (size_t)at);
                    changed = true;
                }
            }
            if (!sk_arr_len(refs)) sk_map_del(sk_map_get(copy, "metadata"), "ownerReferences");
            if (changed)
                wl_write(s->trk, key, WR_REVISION, SKIFF_WRITE_UPDATE, "persistentvolumeclaims",
                         sk_obj_namespace(pvc), sk_obj_name(pvc), NULL, copy);
            sk_val_free(copy);
        }
        sk_val_free(claims);
    }
}

static int sync_set(void *arg, const char *key)
{
    struct stsc *s = arg;
    const struct sk_val *set = set_of_key(s, key);
    if (!set || wl_busy(s->trk, key) || !pu_uid(set) || pu_deleting(set)) return 0;
    if (!ctl_cache_synced(s->pods) || !ctl_cache_synced(s->revs)) {
        ctl_queue_add_after(s->q, key, 0.2);
        return 0;
    }
    struct list revs = {.uid = pu_uid(set)}, pods = {.uid = pu_uid(set)};
    ctl_cache_foreach_owned(s->revs, pu_uid(set), collect, &revs);
    char upd[320];
    if (!ensure_revision(s, key, set, &revs, upd, sizeof upd)) goto out;
    ctl_cache_foreach_owned(s->pods, pu_uid(set), collect, &pods);
    const char *cur = sk_val_str_at(set, "status", "currentRevision", NULL);
    if (!cur || !find_rev(&revs, cur)) cur = upd;
    const struct sk_val *ccv = sk_val_at(set, "status", "collisionCount", NULL);
    double now = ctl_now(s->c);
    struct sts_plan p;
    sts_plan(set, pods.v, pods.n, cur, upd, sk_val_is(ccv, SK_V_INT) ? ccv->u.i : 0, now, &p);
    claim_refs(s, key, set, &pods); /* before pods go, so claims follow them */
    for (size_t i = 0; i < p.ndel; i++)
        wl_write(s->trk, key, WR_DELETE, SKIFF_WRITE_DELETE, "pods", sk_obj_namespace(p.del[i]),
                 sk_obj_name(p.del[i]), NULL, NULL);
    for (size_t i = 0; i < p.ncreate; i++)
        create_ordinal(s, key, set, &revs, cur, upd, p.create[i]);
    if (p.status) {
        struct sk_val *copy = sk_val_dup(set);
        sk_map_set(copy, "status", p.status);
        p.status = NULL;
        wl_write(s->trk, key, WR_STATUS, SKIFF_WRITE_UPDATE_STATUS, "apps/statefulsets",
                 sk_obj_namespace(set), sk_obj_name(set), NULL, copy);
        sk_val_free(copy);
    }
    prune_revisions(s, key, set, &revs, &pods, cur, upd);
    if (p.requeue > 0) ctl_queue_add_after(s->q, key, p.requeue);
    sts_plan_free(&p);
out:
    free(revs.v);
    free(pods.v);
    return 0;
}

static void on_owned(void *arg, const struct sk_val *old, const struct sk_val *obj)
{
    struct stsc *s = arg;
    const struct sk_val *o = obj ? obj : old;
    const struct sk_val *ref = sk_obj_controller_ref(o);
    const char *kind = sk_val_str_at(ref, "kind", NULL), *name = sk_val_str_at(ref, "name", NULL);
    if (!kind || !name || strcmp(kind, "StatefulSet")) return;
    const struct sk_val *set = ctl_cache_get(s->sets, sk_obj_namespace(o), name);
    if (!set) return;
    char key[512];
    ctl_queue_add(s->q, ctl_key(set, key, sizeof key));
}

static void on_set(void *arg, const struct sk_val *old, const struct sk_val *obj)
{
    struct stsc *s = arg;
    char key[512];
    ctl_queue_add(s->q, ctl_key(obj ? obj : old, key, sizeof key));
}

static int sts_start(struct ctl *c, void **self)
{
    struct stsc *s = sk_xcalloc(1, sizeof(*s));
    s->c = c;
    s->pods = ctl_cache(c, "pods");
    s->sets = ctl_cache(c, "apps/statefulsets");
    s->revs = ctl_cache(c, CR_RESOURCE);
    s->pvcs = ctl_cache(c, "persistentvolumeclaims");
    s->q = ctl_queue_new(c, "statefulset", sync_set, s);
    s->trk = wl_track_new(c, s->q, on_write, s);
    ctl_cache_on_change(s->pods, on_owned, s);
    ctl_cache_on_change(s->revs, on_owned, s);
    ctl_cache_on_change(s->sets, on_set, s);
    *self = s;
    return 0;
}

static void sts_stop(void *self)
{
    struct stsc *s = self;
    if (!s) return;
    ctl_queue_free(s->q);
    wl_track_free(s->trk);
    free(s);
}

const struct ctl_module ctl_mod_statefulset = {
        .name = "statefulset",
        .start = sts_start,
        .stop = sts_stop,
};
