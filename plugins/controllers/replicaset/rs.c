/* The ReplicaSet and ReplicationController controllers (one logic, two
 * kinds), as kube-controller-manager's replica_set.go: keep the replica
 * count of pods matching the selector, adopt and release pods, create in
 * slow-start batches and delete surplus pods in upstream's order. Writes
 * in flight stand for upstream's expectations: an owner is not synced
 * again until its writes came back. Runs on the loop thread. */
#include "../ctl.h"
#include "../podutil.h"
#include "rs_logic.h"

#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rs_kind {
    const char *resource;  /* the store's name */
    const char *kind;      /* the ownerReference kind */
    const char *component; /* events' reportingComponent */
    bool map_selector;     /* ReplicationController: spec.selector is a label map */
};

static const struct rs_kind kind_rs = {"apps/replicasets", "ReplicaSet", "replicaset-controller",
                                       false};
static const struct rs_kind kind_rc = {"replicationcontrollers", "ReplicationController",
                                       "replication-controller", true};

/* What is in flight for one owner (upstream's expectations). */
struct rs_state {
    struct rs_state *next;
    char *key;
    int inflight;       /* writes not yet answered */
    int64_t to_create;  /* creations not yet started */
    int64_t batch;      /* size of the batch in flight */
    int64_t batch_left; /* its creations not yet answered */
    bool batch_failed;  /* a creation of this batch failed: stop */
    char *err;          /* the last manage error, for the ReplicaFailure condition */
    int64_t err_diff;   /* its direction */
};

struct rsc;
/* One write's callback context; listed so stop frees what never returns. */
struct rs_wr {
    struct rs_wr *prev, *next;
    struct rsc *r;
    char *key;
    int what; /* WR_* */
    char pod[256];
};
enum { WR_CREATE, WR_DELETE, WR_CLAIM, WR_STATUS };

struct rsc {
    struct ctl *c;
    const struct rs_kind *k;
    struct ctl_cache *pods, *owners;
    struct ctl_queue *q;
    struct rs_state *states;
    struct rs_wr *wrs;
};

struct rs_mod {
    struct rsc rs, rc;
};

/* ---- state ---- */

static struct rs_state *state_get(struct rsc *r, const char *key, bool create)
{
    for (struct rs_state *s = r->states; s; s = s->next)
        if (!strcmp(s->key, key)) return s;
    if (!create) return NULL;
    struct rs_state *s = sk_xcalloc(1, sizeof(*s));
    s->key = sk_xstrdup(key);
    s->next = r->states;
    r->states = s;
    return s;
}

static void state_drop(struct rsc *r, const char *key)
{
    for (struct rs_state **p = &r->states; *p; p = &(*p)->next) {
        struct rs_state *s = *p;
        if (strcmp(s->key, key)) continue;
        *p = s->next;
        free(s->key);
        free(s->err);
        free(s);
        return;
    }
}

static void state_set_err(struct rs_state *s, const char *msg, int64_t diff)
{
    free(s->err);
    s->err = sk_xstrdup(msg);
    s->err_diff = diff;
}

/* ---- helpers ---- */

static struct sk_labelsel *owner_selector(const struct rsc *r, const struct sk_val *owner,
                                          char **why)
{
    const struct sk_val *sv = sk_val_at(owner, "spec", "selector", NULL);
    if (r->k->map_selector) {
        if (!sk_val_is(sv, SK_V_MAP) || !sk_map_len(sv)) {
            const struct sk_val *tl =
                    sk_val_at(owner, "spec", "template", "metadata", "labels", NULL);
            if (!sk_val_is(tl, SK_V_MAP) || !sk_map_len(tl)) {
                *why = sk_xstrdup("spec.selector: Required value");
                return NULL;
            }
            return sk_labelsel_from_set(tl);
        }
        return sk_labelsel_from_set(sv);
    }
    struct sk_labelsel *sel = NULL;
    struct sk_error *e = NULL;
    if (sk_labelsel_from_val(sv, &sel, &e)) {
        char buf[512];
        snprintf(buf, sizeof buf, "invalid selector: %s", sk_error_msg(e, SK_EINVAL));
        *why = sk_xstrdup(buf);
        sk_error_free(e);
        return NULL;
    }
    return sel;
}

static struct rs_wr *wr_new(struct rsc *r, const char *key, int what)
{
    struct rs_wr *w = sk_xcalloc(1, sizeof(*w));
    w->r = r;
    w->key = sk_xstrdup(key);
    w->what = what;
    w->next = r->wrs;
    if (r->wrs) r->wrs->prev = w;
    r->wrs = w;
    return w;
}

static void wr_free(struct rs_wr *w)
{
    struct rsc *r = w->r;
    if (w->prev)
        w->prev->next = w->next;
    else
        r->wrs = w->next;
    if (w->next) w->next->prev = w->prev;
    free(w->key);
    free(w);
}

static const struct sk_val *owner_of_key(struct rsc *r, const char *key)
{
    char ns[256], name[256];
    if (!ctl_key_split(key, ns, sizeof ns, name, sizeof name)) return NULL;
    return ctl_cache_get(r->owners, ns, name);
}

static void write_done(void *arg, int code, const char *message, const struct sk_val *obj);
static void create_batch(struct rsc *r, struct rs_state *st, const struct sk_val *owner);

/* A write came back: the owner is synced again once nothing is in
 * flight. */
static void settle(struct rsc *r, struct rs_state *st)
{
    if (--st->inflight > 0) return;
    st->inflight = 0;
    ctl_queue_add(r->q, st->key);
}

static void write_done(void *arg, int code, const char *message, const struct sk_val *obj)
{
    struct rs_wr *w = arg;
    struct rsc *r = w->r;
    struct rs_state *st = state_get(r, w->key, true);
    const struct sk_val *owner = owner_of_key(r, w->key);
    const char *cmp = r->k->component;
    switch (w->what) {
    case WR_CREATE:
        if (code == SKIFF_OK) {
            if (owner)
                ctl_event(r->c, cmp, owner, "Normal", "SuccessfulCreate", "Created pod: %s",
                          obj && sk_obj_name(obj) ? sk_obj_name(obj) : "");
        } else {
            if (owner)
                ctl_event(r->c, cmp, owner, "Warning", "FailedCreate", "Error creating: %s",
                          message ? message : "unknown error");
            st->batch_failed = true;
            char buf[512];
            snprintf(buf, sizeof buf, "%s", message ? message : "unknown error");
            state_set_err(st, buf, -1);
        }
        if (--st->batch_left <= 0) {
            st->batch_left = 0;
            if (st->to_create > 0 && !st->batch_failed && owner && !pu_deleting(owner)) {
                /* the batch is complete: the next one, twice as large */
                st->batch = rs_next_batch(st->batch, st->to_create);
                create_batch(r, st, owner);
            } else {
                st->to_create = 0; /* skipped after a failure */
            }
        }
        break;
    case WR_DELETE:
        if (code == SKIFF_OK || code == SKIFF_ENOTFOUND) {
            if (owner && code == SKIFF_OK)
                ctl_event(r->c, cmp, owner, "Normal", "SuccessfulDelete", "Deleted pod: %s",
                          w->pod);
        } else {
            if (owner)
                ctl_event(r->c, cmp, owner, "Warning", "FailedDelete", "Error deleting: %s",
                          message ? message : "unknown error");
            state_set_err(st, message ? message : "unknown error", 1);
        }
        break;
    case WR_CLAIM:
        if (code != SKIFF_OK && code != SKIFF_ENOTFOUND && code != SKIFF_ECONFLICT)
            ctl_log(r->c, SKIFF_LOG_WARN, cmp, "claim of pod %s failed: %s", w->pod,
                    message ? message : "");
        break;
    default: break;
    }
    wr_free(w);
    settle(r, st);
}

/* Start the current batch of st->batch creations. */
static void create_batch(struct rsc *r, struct rs_state *st, const struct sk_val *owner)
{
    const struct sk_val *tmpl = sk_val_at(owner, "spec", "template", NULL);
    struct sk_val *ref = ctl_owner_ref(owner);
    const char *ns = sk_obj_namespace(owner);
    st->batch_failed = false;
    int64_t n = st->batch;
    for (int64_t i = 0; i < n; i++) {
        struct sk_val *pod = pu_pod_from_template(tmpl, ns, sk_obj_name(owner), ref);
        struct rs_wr *w = wr_new(r, st->key, WR_CREATE);
        st->to_create--;
        st->inflight++;
        st->batch_left++;
        int rc = ctl_write(r->c, SKIFF_WRITE_CREATE, "pods", ns, NULL, pod, write_done, w);
        sk_val_free(pod);
        if (rc != SKIFF_OK) {
            st->inflight--;
            st->batch_left--;
            wr_free(w);
            char buf[128];
            snprintf(buf, sizeof buf, "pod creation not queued (code %d)", rc);
            ctl_event(r->c, r->k->component, owner, "Warning", "FailedCreate", "Error creating: %s",
                      buf);
            state_set_err(st, buf, -1);
            st->to_create = 0;
            break;
        }
    }
    sk_val_free(ref);
}

/* ---- sync ---- */

struct podlist {
    const struct sk_val **v;
    size_t n, cap;
};

static void pl_push(struct podlist *l, const struct sk_val *p)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->v = sk_xrealloc(l->v, l->cap * sizeof(*l->v));
    }
    l->v[l->n++] = p;
}

struct scan {
    const char *uid;
    bool deleting;
    struct sk_labelsel *sel;
    struct podlist owned, adopt, release;
};

static bool scan_pod(void *arg, const struct sk_val *pod)
{
    struct scan *s = arg;
    if (!pu_pod_active(pod)) return true;
    switch (pu_claim_decide(s->uid, s->deleting, s->sel, pod)) {
    case PU_CLAIM_OWNED: pl_push(&s->owned, pod); break;
    case PU_CLAIM_ADOPT: pl_push(&s->adopt, pod); break;
    case PU_CLAIM_RELEASE: pl_push(&s->release, pod); break;
    default: break;
    }
    return true;
}

/* Pods per node among the owner's related pods (its own and, for a
 * Deployment's ReplicaSet, its siblings'), for the deletion ranks. */
struct nodecount {
    char **names;
    int64_t *counts;
    size_t n, cap;
};

static void nc_add(struct nodecount *nc, const char *node)
{
    for (size_t i = 0; i < nc->n; i++)
        if (!strcmp(nc->names[i], node)) {
            nc->counts[i]++;
            return;
        }
    if (nc->n == nc->cap) {
        nc->cap = nc->cap ? 2 * nc->cap : 8;
        nc->names = sk_xrealloc(nc->names, nc->cap * sizeof(*nc->names));
        nc->counts = sk_xrealloc(nc->counts, nc->cap * sizeof(*nc->counts));
    }
    nc->names[nc->n] = sk_xstrdup(node);
    nc->counts[nc->n++] = 1;
}

static int64_t nc_get(const struct nodecount *nc, const char *node)
{
    for (size_t i = 0; i < nc->n; i++)
        if (!strcmp(nc->names[i], node)) return nc->counts[i];
    return 0;
}

static void nc_free(struct nodecount *nc)
{
    for (size_t i = 0; i < nc->n; i++)
        free(nc->names[i]);
    free(nc->names);
    free(nc->counts);
}

static bool count_pod(void *arg, const struct sk_val *pod)
{
    const char *node = sk_val_str_at(pod, "spec", "nodeName", NULL);
    if (pu_pod_active(pod)) nc_add(arg, node ? node : "");
    return true;
}

struct sibling_scan {
    struct rsc *r;
    const char *ctrl_uid;
    struct nodecount *nc;
};

static bool count_sibling(void *arg, const struct sk_val *rs)
{
    struct sibling_scan *s = arg;
    const char *cu = ctl_controller_uid(rs);
    if (cu && !strcmp(cu, s->ctrl_uid))
        ctl_cache_foreach_owned(s->r->pods, pu_uid(rs), count_pod, s->nc);
    return true;
}

static void delete_surplus(struct rsc *r, struct rs_state *st, const struct sk_val *owner,
                           const struct podlist *owned, int64_t diff, double now)
{
    struct nodecount nc = {0};
    const char *cu = ctl_controller_uid(owner);
    if (cu) {
        struct sibling_scan ss = {r, cu, &nc};
        ctl_cache_foreach(r->owners, sk_obj_namespace(owner), count_sibling, &ss);
    } else {
        for (size_t i = 0; i < owned->n; i++)
            count_pod(&nc, owned->v[i]);
    }
    struct rs_podrank *pr = sk_xcalloc(owned->n ? owned->n : 1, sizeof(*pr));
    for (size_t i = 0; i < owned->n; i++) {
        const char *node = sk_val_str_at(owned->v[i], "spec", "nodeName", NULL);
        pr[i].pod = owned->v[i];
        pr[i].rank = nc_get(&nc, node ? node : "");
    }
    nc_free(&nc);
    if ((size_t)diff < owned->n) rs_sort_for_deletion(pr, owned->n, now);
    for (int64_t i = 0; i < diff && (size_t)i < owned->n; i++) {
        const struct sk_val *pod = pr[i].pod;
        struct rs_wr *w = wr_new(r, st->key, WR_DELETE);
        snprintf(w->pod, sizeof w->pod, "%s", sk_obj_name(pod) ? sk_obj_name(pod) : "");
        st->inflight++;
        if (ctl_write(r->c, SKIFF_WRITE_DELETE, "pods", sk_obj_namespace(pod), sk_obj_name(pod),
                      NULL, write_done, w) != SKIFF_OK) {
            st->inflight--;
            wr_free(w);
        }
    }
    free(pr);
}

static void claim_writes(struct rsc *r, struct rs_state *st, const struct sk_val *owner,
                         const struct podlist *l, bool adopt)
{
    struct sk_val *ref = adopt ? ctl_owner_ref(owner) : NULL;
    for (size_t i = 0; i < l->n; i++) {
        const struct sk_val *pod = l->v[i];
        struct sk_val *c = adopt ? pu_adopted(pod, ref) : pu_released(pod, pu_uid(owner));
        struct rs_wr *w = wr_new(r, st->key, WR_CLAIM);
        snprintf(w->pod, sizeof w->pod, "%s", sk_obj_name(pod) ? sk_obj_name(pod) : "");
        st->inflight++;
        if (ctl_write(r->c, SKIFF_WRITE_UPDATE, "pods", sk_obj_namespace(pod), sk_obj_name(pod), c,
                      write_done, w) != SKIFF_OK) {
            st->inflight--;
            wr_free(w);
        }
        sk_val_free(c);
    }
    sk_val_free(ref);
}

static void write_status(struct rsc *r, struct rs_state *st, const struct sk_val *owner,
                         struct sk_val *status)
{
    struct sk_val *copy = sk_val_dup(owner);
    sk_map_set(copy, "status", status);
    struct rs_wr *w = wr_new(r, st->key, WR_STATUS);
    st->inflight++;
    if (ctl_write(r->c, SKIFF_WRITE_UPDATE_STATUS, r->k->resource, sk_obj_namespace(owner),
                  sk_obj_name(owner), copy, write_done, w) != SKIFF_OK) {
        st->inflight--;
        wr_free(w);
    }
    sk_val_free(copy);
}

static int sync_owner(void *arg, const char *key)
{
    struct rsc *r = arg;
    const struct sk_val *owner = owner_of_key(r, key);
    struct rs_state *st = state_get(r, key, false);
    if (!owner) {
        if (st && !st->inflight) state_drop(r, key);
        return 0;
    }
    if (st && st->inflight) return 0; /* the last answer queues the key again */
    if (!st) st = state_get(r, key, true);
    char *why = NULL;
    struct sk_labelsel *sel = owner_selector(r, owner, &why);
    if (!sel) {
        ctl_log(r->c, SKIFF_LOG_WARN, r->k->component, "%s %s: %s", r->k->kind, key, why);
        free(why);
        return 0;
    }
    struct scan s = {.uid = pu_uid(owner), .deleting = pu_deleting(owner), .sel = sel};
    ctl_cache_foreach(r->pods, sk_obj_namespace(owner), scan_pod, &s);
    int rc = 0;
    if (s.adopt.n || s.release.n) {
        claim_writes(r, st, owner, &s.adopt, true);
        claim_writes(r, st, owner, &s.release, false);
        if (st->inflight) goto out;
    }
    double now = ctl_now(r->c);
    int64_t replicas = pu_int_at(owner, "spec", "replicas", 1);
    int64_t min_ready = pu_int_at(owner, "spec", "minReadySeconds", 0);
    int64_t diff = (int64_t)s.owned.n - replicas;
    char *err = st->err;
    int64_t err_diff = st->err_diff;
    st->err = NULL;
    if (err) {
        /* the last manage step failed: report it and back off */
        rc = -1;
    } else if (!pu_deleting(owner) && diff < 0) {
        int64_t n = -diff < RS_BURST ? -diff : RS_BURST;
        st->to_create = n;
        st->batch = rs_first_batch(n);
        create_batch(r, st, owner);
    } else if (!pu_deleting(owner) && diff > 0) {
        delete_surplus(r, st, owner, &s.owned, diff < RS_BURST ? diff : RS_BURST, now);
    }
    /* while creations or deletions are in flight their outcome is not
     * known: a ReplicaFailure condition stays until a sync ends clean */
    const char *report = err;
    if (!err && st->inflight)
        report = sk_val_str_at(pu_condition(owner, "ReplicaFailure"), "message", NULL);
    struct sk_val *status = rs_calc_status(owner, s.owned.v, s.owned.n, min_ready, report,
                                           err ? err_diff : diff, now);
    if (rs_status_needs_update(owner, status))
        write_status(r, st, owner, status);
    else
        sk_val_free(status);
    free(err);
    double at = rs_next_available(s.owned.v, s.owned.n, min_ready, now);
    if (at > 0) ctl_queue_add_after(r->q, key, at - now + 0.001);
out:
    sk_labelsel_free(sel);
    free(s.owned.v);
    free(s.adopt.v);
    free(s.release.v);
    return rc;
}

/* ---- event handlers ---- */

struct match_scan {
    struct rsc *r;
    const struct sk_val *pod;
};

static bool enqueue_if_matches(void *arg, const struct sk_val *owner)
{
    struct match_scan *m = arg;
    char *why = NULL;
    struct sk_labelsel *sel = owner_selector(m->r, owner, &why);
    free(why);
    if (sel && sk_labelsel_matches(sel, sk_obj_labels(m->pod))) {
        char key[512];
        ctl_queue_add(m->r->q, ctl_key(owner, key, sizeof key));
    }
    sk_labelsel_free(sel);
    return true;
}

static void enqueue_for_pod(struct rsc *r, const struct sk_val *pod)
{
    const struct sk_val *ref = sk_obj_controller_ref(pod);
    if (ref) {
        const char *kind = sk_val_cstr(sk_map_get(ref, "kind"));
        const char *name = sk_val_cstr(sk_map_get(ref, "name"));
        if (!kind || !name || strcmp(kind, r->k->kind)) return;
        const struct sk_val *owner = ctl_cache_get(r->owners, sk_obj_namespace(pod), name);
        const char *uid = sk_val_cstr(sk_map_get(ref, "uid"));
        if (!owner || !uid || !pu_uid(owner) || strcmp(uid, pu_uid(owner))) return;
        char key[512];
        ctl_queue_add(r->q, ctl_key(owner, key, sizeof key));
        return;
    }
    if (pu_deleting(pod)) return;
    struct match_scan m = {r, pod};
    ctl_cache_foreach(r->owners, sk_obj_namespace(pod), enqueue_if_matches, &m);
}

static void on_pod(void *arg, const struct sk_val *old, const struct sk_val *obj)
{
    struct rsc *r = arg;
    if (obj) enqueue_for_pod(r, obj);
    if (old && (!obj || !sk_val_equal(sk_obj_labels(old), sk_obj_labels(obj)) ||
                !sk_val_equal(sk_obj_controller_ref(old), sk_obj_controller_ref(obj))))
        enqueue_for_pod(r, old);
}

static void on_owner(void *arg, const struct sk_val *old, const struct sk_val *obj)
{
    struct rsc *r = arg;
    char key[512];
    ctl_queue_add(r->q, ctl_key(obj ? obj : old, key, sizeof key));
}

/* ---- module ---- */

static void rsc_start(struct rsc *r, struct ctl *c, const struct rs_kind *k)
{
    r->c = c;
    r->k = k;
    r->pods = ctl_cache(c, "pods");
    r->owners = ctl_cache(c, k->resource);
    r->q = ctl_queue_new(c, k->kind, sync_owner, r);
    ctl_cache_on_change(r->pods, on_pod, r);
    ctl_cache_on_change(r->owners, on_owner, r);
}

static void rsc_stop(struct rsc *r)
{
    ctl_queue_free(r->q);
    r->q = NULL;
    while (r->wrs)
        wr_free(r->wrs);
    while (r->states)
        state_drop(r, r->states->key);
}

static int rs_start(struct ctl *c, void **self)
{
    struct rs_mod *m = sk_xcalloc(1, sizeof(*m));
    rsc_start(&m->rs, c, &kind_rs);
    rsc_start(&m->rc, c, &kind_rc);
    *self = m;
    return 0;
}

static void rs_stop(void *self)
{
    struct rs_mod *m = self;
    if (!m) return;
    rsc_stop(&m->rs);
    rsc_stop(&m->rc);
    free(m);
}

const struct ctl_module ctl_mod_replicaset = {
        .name = "replicaset",
        .start = rs_start,
        .stop = rs_stop,
};
