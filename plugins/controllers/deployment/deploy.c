/* The Deployment controller's glue: caches, queue, ReplicaSet adoption,
 * and turning the decisions of dep_sync (dep_logic.c) into writes and
 * events. A Deployment is not synced again while its writes are in
 * flight; the last answer queues it again. Runs on the loop thread. */
#include "../ctl.h"
#include "../podutil.h"
#include "dep_logic.h"

#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COMPONENT "deployment-controller"

struct dstate {
    struct dstate *next;
    char *key;
    int inflight;
};

struct depc;
struct dwr {
    struct dwr *prev, *next;
    struct depc *dc;
    char *key;
    int what; /* DW_* */
    char name[256];
};
enum { DW_RS_CREATE, DW_OTHER };

struct depc {
    struct ctl *c;
    struct ctl_cache *deps, *rss, *pods;
    struct ctl_queue *q;
    struct dstate *states;
    struct dwr *wrs;
};

static struct dstate *state_get(struct depc *dc, const char *key, bool create)
{
    for (struct dstate *s = dc->states; s; s = s->next)
        if (!strcmp(s->key, key)) return s;
    if (!create) return NULL;
    struct dstate *s = sk_xcalloc(1, sizeof(*s));
    s->key = sk_xstrdup(key);
    s->next = dc->states;
    dc->states = s;
    return s;
}

static void state_drop(struct depc *dc, const char *key)
{
    for (struct dstate **p = &dc->states; *p; p = &(*p)->next) {
        struct dstate *s = *p;
        if (strcmp(s->key, key)) continue;
        *p = s->next;
        free(s->key);
        free(s);
        return;
    }
}

static void wr_free(struct dwr *w)
{
    struct depc *dc = w->dc;
    if (w->prev)
        w->prev->next = w->next;
    else
        dc->wrs = w->next;
    if (w->next) w->next->prev = w->prev;
    free(w->key);
    free(w);
}

static const struct sk_val *dep_of_key(struct depc *dc, const char *key)
{
    char ns[256], name[256];
    if (!ctl_key_split(key, ns, sizeof ns, name, sizeof name)) return NULL;
    return ctl_cache_get(dc->deps, ns, name);
}

/* An already existing ReplicaSet of the new one's name: ours with the
 * same template is fine; anything else is a hash collision, which bumps
 * status.collisionCount so that the next name differs. */
static void rs_exists(struct depc *dc, struct dstate *st, const char *rsname)
{
    const struct sk_val *d = dep_of_key(dc, st->key);
    if (!d) return;
    const struct sk_val *rs = ctl_cache_get(dc->rss, sk_obj_namespace(d), rsname);
    const char *cu = rs ? ctl_controller_uid(rs) : NULL;
    if (rs && cu && pu_uid(d) && !strcmp(cu, pu_uid(d)) &&
        pu_template_equal_ignore_hash(sk_val_at(rs, "spec", "template", NULL),
                                      sk_val_at(d, "spec", "template", NULL)))
        return;
    struct sk_val *copy = sk_val_dup(d);
    int64_t cc = pu_int_at(d, "status", "collisionCount", 0);
    sk_val_set_at(copy, sk_val_int(cc + 1), "status", "collisionCount", NULL);
    ctl_log(dc->c, SKIFF_LOG_INFO, COMPONENT,
            "found a hash collision for deployment %s, bumping collisionCount to %lld", st->key,
            (long long)(cc + 1));
    ctl_write(dc->c, SKIFF_WRITE_UPDATE_STATUS, "apps/deployments", sk_obj_namespace(d),
              sk_obj_name(d), copy, NULL, NULL);
    sk_val_free(copy);
}

static void rs_create_failed(struct depc *dc, struct dstate *st, const char *rsname,
                             const char *message)
{
    const struct sk_val *d = dep_of_key(dc, st->key);
    if (!d) return;
    char msg[600];
    snprintf(msg, sizeof msg, "Failed to create new replica set \"%s\": %s", rsname,
             message ? message : "unknown error");
    ctl_event(dc->c, COMPONENT, d, "Warning", "ReplicaSetCreateError", "%s", msg);
    const struct sk_val *pd = sk_val_at(d, "spec", "progressDeadlineSeconds", NULL);
    if (!sk_val_is(pd, SK_V_INT)) return;
    struct sk_val *copy = sk_val_dup(d);
    struct sk_val *status = sk_map_get(copy, "status");
    if (!sk_val_is(status, SK_V_MAP)) status = sk_map_set(copy, "status", sk_val_map());
    dep_set_cond(status, "Progressing", "False", "ReplicaSetCreateError", msg, ctl_now(dc->c));
    ctl_write(dc->c, SKIFF_WRITE_UPDATE_STATUS, "apps/deployments", sk_obj_namespace(d),
              sk_obj_name(d), copy, NULL, NULL);
    sk_val_free(copy);
}

static void write_done(void *arg, int code, const char *message, const struct sk_val *obj)
{
    (void)obj;
    struct dwr *w = arg;
    struct depc *dc = w->dc;
    struct dstate *st = state_get(dc, w->key, true);
    if (w->what == DW_RS_CREATE && code == SKIFF_ECONFLICT)
        rs_exists(dc, st, w->name);
    else if (w->what == DW_RS_CREATE && code != SKIFF_OK)
        rs_create_failed(dc, st, w->name, message);
    else if (code != SKIFF_OK && code != SKIFF_ECONFLICT && code != SKIFF_ENOTFOUND)
        ctl_log(dc->c, SKIFF_LOG_WARN, COMPONENT, "deployment %s: write of %s failed: %s", w->key,
                w->name, message ? message : "");
    wr_free(w);
    if (--st->inflight <= 0) {
        st->inflight = 0;
        ctl_queue_add(dc->q, st->key);
    }
}

static void put(struct depc *dc, struct dstate *st, int op, int what, const char *resource,
                const struct sk_val *obj, const char *ns, const char *name)
{
    struct dwr *w = sk_xcalloc(1, sizeof(*w));
    w->dc = dc;
    w->key = sk_xstrdup(st->key);
    w->what = what;
    snprintf(w->name, sizeof w->name, "%s", name ? name : "");
    w->next = dc->wrs;
    if (dc->wrs) dc->wrs->prev = w;
    dc->wrs = w;
    st->inflight++;
    if (ctl_write(dc->c, op, resource, ns, name, obj, write_done, w) != SKIFF_OK) {
        st->inflight--;
        wr_free(w);
    }
}

/* ---- sync ---- */

struct rs_scan {
    struct depc *dc;
    const struct sk_val *d;
    struct sk_labelsel *sel;
    struct dstate *st;
    struct dep_view *v;
    bool claimed; /* adoption or release writes went out */
};

static bool count_active(void *arg, const struct sk_val *pod)
{
    int64_t *n = arg;
    /* terminating pods still run: Recreate waits for them too */
    const char *ph = pu_pod_phase(pod);
    if (strcmp(ph, "Succeeded") && strcmp(ph, "Failed")) (*n)++;
    return true;
}

static bool scan_rs(void *arg, const struct sk_val *rs)
{
    struct rs_scan *s = arg;
    enum pu_claim cl = pu_claim_decide(pu_uid(s->d), pu_deleting(s->d), s->sel, rs);
    if (cl == PU_CLAIM_OWNED) {
        int64_t n = 0;
        ctl_cache_foreach_owned(s->dc->pods, pu_uid(rs), count_active, &n);
        dep_view_add(s->v, rs, n);
    } else if (cl == PU_CLAIM_ADOPT || cl == PU_CLAIM_RELEASE) {
        struct sk_val *ref = ctl_owner_ref(s->d);
        struct sk_val *c =
                cl == PU_CLAIM_ADOPT ? pu_adopted(rs, ref) : pu_released(rs, pu_uid(s->d));
        put(s->dc, s->st, SKIFF_WRITE_UPDATE, DW_OTHER, "apps/replicasets", c, sk_obj_namespace(rs),
            sk_obj_name(rs));
        sk_val_free(c);
        sk_val_free(ref);
        s->claimed = true;
    }
    return true;
}

static void apply_view(struct depc *dc, struct dstate *st, const struct sk_val *d,
                       struct dep_view *v)
{
    const char *ns = sk_obj_namespace(d);
    for (size_t i = 0; i < v->nrs; i++) {
        struct dep_rs *r = &v->rs[i];
        const char *name = sk_obj_name(r->obj);
        if (r->create)
            put(dc, st, SKIFF_WRITE_CREATE, DW_RS_CREATE, "apps/replicasets", r->obj, ns, name);
        else if (r->del)
            put(dc, st, SKIFF_WRITE_DELETE, DW_OTHER, "apps/replicasets", NULL, ns, name);
        else if (r->dirty)
            put(dc, st, SKIFF_WRITE_UPDATE, DW_OTHER, "apps/replicasets", r->obj, ns, name);
    }
    for (size_t i = 0; i < v->nev; i++)
        ctl_event(dc->c, COMPONENT, d, v->ev[i].type, v->ev[i].reason, "%s", v->ev[i].msg);
    if (v->d_meta_dirty) {
        /* annotations only: status stays as stored so generation holds */
        struct sk_val *copy = sk_val_dup(d);
        struct sk_val *ann = sk_obj_annotations(v->d);
        sk_val_set_at(copy, ann ? sk_val_dup(ann) : sk_val_map(), "metadata", "annotations", NULL);
        put(dc, st, SKIFF_WRITE_UPDATE, DW_OTHER, "apps/deployments", copy, ns, sk_obj_name(d));
        sk_val_free(copy);
    }
    if (!sk_val_equal(sk_map_get(d, "status"), sk_map_get(v->d, "status"))) {
        struct sk_val *copy = sk_val_dup(d);
        const struct sk_val *nst = sk_map_get(v->d, "status");
        sk_map_set(copy, "status", nst ? sk_val_dup(nst) : sk_val_map());
        /* after the annotation update the stored version moves on; status
         * writes carry no precondition then */
        if (v->d_meta_dirty) sk_map_del(sk_map_get(copy, "metadata"), "resourceVersion");
        put(dc, st, SKIFF_WRITE_UPDATE_STATUS, DW_OTHER, "apps/deployments", copy, ns,
            sk_obj_name(d));
        sk_val_free(copy);
    }
}

static int sync_deployment(void *arg, const char *key)
{
    struct depc *dc = arg;
    const struct sk_val *d = dep_of_key(dc, key);
    struct dstate *st = state_get(dc, key, false);
    if (!d) {
        if (st && !st->inflight) state_drop(dc, key);
        return 0;
    }
    if (st && st->inflight) return 0;
    if (!st) st = state_get(dc, key, true);
    struct sk_labelsel *sel = NULL;
    struct sk_error *e = NULL;
    if (sk_labelsel_from_val(sk_val_at(d, "spec", "selector", NULL), &sel, &e)) {
        ctl_log(dc->c, SKIFF_LOG_WARN, COMPONENT, "deployment %s: invalid selector: %s", key,
                sk_error_msg(e, SK_EINVAL));
        sk_error_free(e);
        return 0;
    }
    struct dep_view v;
    dep_view_init(&v, d, ctl_now(dc->c));
    struct rs_scan s = {dc, d, sel, st, &v, false};
    if (sk_labelsel_empty(sel)) {
        /* selecting everything: dep_sync reports it and touches nothing */
    } else {
        ctl_cache_foreach(dc->rss, sk_obj_namespace(d), scan_rs, &s);
    }
    if (!s.claimed) {
        dep_sync(&v);
        apply_view(dc, st, d, &v);
        if (v.requeue_after >= 0) ctl_queue_add_after(dc->q, key, v.requeue_after);
    }
    dep_view_free(&v);
    sk_labelsel_free(sel);
    return 0;
}

/* ---- event handlers ---- */

struct match_scan {
    struct depc *dc;
    const struct sk_val *obj;
};

static bool enqueue_if_matches(void *arg, const struct sk_val *d)
{
    struct match_scan *m = arg;
    struct sk_labelsel *sel = NULL;
    if (sk_labelsel_from_val(sk_val_at(d, "spec", "selector", NULL), &sel, NULL)) return true;
    if (!sk_labelsel_empty(sel) && sk_labelsel_matches(sel, sk_obj_labels(m->obj))) {
        char key[512];
        ctl_queue_add(m->dc->q, ctl_key(d, key, sizeof key));
    }
    sk_labelsel_free(sel);
    return true;
}

static void enqueue_for_rs(struct depc *dc, const struct sk_val *rs)
{
    const struct sk_val *ref = sk_obj_controller_ref(rs);
    if (ref) {
        const char *kind = sk_val_cstr(sk_map_get(ref, "kind"));
        const char *name = sk_val_cstr(sk_map_get(ref, "name"));
        if (!kind || !name || strcmp(kind, "Deployment")) return;
        const struct sk_val *d = ctl_cache_get(dc->deps, sk_obj_namespace(rs), name);
        const char *uid = sk_val_cstr(sk_map_get(ref, "uid"));
        if (!d || !uid || !pu_uid(d) || strcmp(uid, pu_uid(d))) return;
        char key[512];
        ctl_queue_add(dc->q, ctl_key(d, key, sizeof key));
        return;
    }
    if (pu_deleting(rs)) return;
    struct match_scan m = {dc, rs};
    ctl_cache_foreach(dc->deps, sk_obj_namespace(rs), enqueue_if_matches, &m);
}

static void on_rs(void *arg, const struct sk_val *old, const struct sk_val *obj)
{
    struct depc *dc = arg;
    if (obj) enqueue_for_rs(dc, obj);
    if (old && (!obj || !sk_val_equal(sk_obj_labels(old), sk_obj_labels(obj)) ||
                !sk_val_equal(sk_obj_controller_ref(old), sk_obj_controller_ref(obj))))
        enqueue_for_rs(dc, old);
}

/* A Recreate rollout waits for old pods to go: their deletion matters. */
static void on_pod(void *arg, const struct sk_val *old, const struct sk_val *obj)
{
    struct depc *dc = arg;
    if (obj || !old) return;
    const char *kind = pu_controller_kind(old), *name = pu_controller_name(old);
    if (!kind || !name || strcmp(kind, "ReplicaSet")) return;
    const struct sk_val *rs = ctl_cache_get(dc->rss, sk_obj_namespace(old), name);
    if (rs) enqueue_for_rs(dc, rs);
}

static void on_dep(void *arg, const struct sk_val *old, const struct sk_val *obj)
{
    struct depc *dc = arg;
    char key[512];
    ctl_queue_add(dc->q, ctl_key(obj ? obj : old, key, sizeof key));
}

static int dep_start(struct ctl *c, void **self)
{
    struct depc *dc = sk_xcalloc(1, sizeof(*dc));
    dc->c = c;
    dc->deps = ctl_cache(c, "apps/deployments");
    dc->rss = ctl_cache(c, "apps/replicasets");
    dc->pods = ctl_cache(c, "pods");
    dc->q = ctl_queue_new(c, "deployment", sync_deployment, dc);
    ctl_cache_on_change(dc->deps, on_dep, dc);
    ctl_cache_on_change(dc->rss, on_rs, dc);
    ctl_cache_on_change(dc->pods, on_pod, dc);
    *self = dc;
    return 0;
}

static void dep_stop(void *self)
{
    struct depc *dc = self;
    if (!dc) return;
    ctl_queue_free(dc->q);
    while (dc->wrs)
        wr_free(dc->wrs);
    while (dc->states)
        state_drop(dc, dc->states->key);
    free(dc);
}

const struct ctl_module ctl_mod_deployment = {
        .name = "deployment",
        .start = dep_start,
        .stop = dep_stop,
};
