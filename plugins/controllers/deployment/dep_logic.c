/* The Deployment controller's shared decisions: the view, fenceposts,
 * the new ReplicaSet and its annotations, scaling (proportional), history
 * cleanup and status (deployment/util and sync.go upstream). The rollout
 * strategies are in dep_rollout.c. */
#include "dep_logic.h"

#include "../ctl.h"
#include "../podutil.h"
#include "mem.h"
#include "quantity.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- view ---- */

void dep_view_init(struct dep_view *v, const struct sk_val *d, double now)
{
    memset(v, 0, sizeof(*v));
    v->d = sk_val_dup(d);
    v->now = now;
    v->requeue_after = -1;
}

struct dep_rs *dep_view_add(struct dep_view *v, const struct sk_val *rs, int64_t active_pods)
{
    if (v->nrs == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 8;
        v->rs = sk_xrealloc(v->rs, v->cap * sizeof(*v->rs));
    }
    struct dep_rs *r = &v->rs[v->nrs++];
    memset(r, 0, sizeof(*r));
    r->obj = sk_val_dup(rs);
    r->active_pods = active_pods;
    return r;
}

void dep_view_free(struct dep_view *v)
{
    sk_val_free(v->d);
    for (size_t i = 0; i < v->nrs; i++)
        sk_val_free(v->rs[i].obj);
    free(v->rs);
    for (size_t i = 0; i < v->nev; i++)
        free(v->ev[i].msg);
    free(v->ev);
    memset(v, 0, sizeof(*v));
}

void dep_event(struct dep_view *v, const char *type, const char *reason, const char *fmt, ...)
{
    if (v->nev == v->evcap) {
        v->evcap = v->evcap ? 2 * v->evcap : 4;
        v->ev = sk_xrealloc(v->ev, v->evcap * sizeof(*v->ev));
    }
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0) abort();
    va_end(ap);
    v->ev[v->nev++] = (struct dep_ev){type, reason, msg};
}

/* ---- readers ---- */

int64_t dep_replicas(const struct sk_val *obj)
{
    return pu_int_at(obj, "spec", "replicas", 1);
}

static int64_t st_int(const struct sk_val *obj, const char *field)
{
    return pu_int_at(obj, "status", field, 0);
}

static bool is_rolling(const struct sk_val *d)
{
    const char *t = sk_val_str_at(d, "spec", "strategy", "type", NULL);
    return !t || !strcmp(t, "RollingUpdate");
}

static int64_t scaled(const struct sk_val *v, const char *dflt, int64_t total, bool up)
{
    struct sk_val *tmp = NULL;
    if (!v || sk_val_is(v, SK_V_NULL)) v = tmp = sk_val_str(dflt);
    int64_t out = 0;
    if (sk_intstr_scaled(v, total, up, &out, NULL)) out = 0;
    sk_val_free(tmp);
    return out < 0 ? 0 : out;
}

void dep_fenceposts(const struct sk_val *d, int64_t *surge, int64_t *unavailable)
{
    const struct sk_val *ru = sk_val_at(d, "spec", "strategy", "rollingUpdate", NULL);
    int64_t n = dep_replicas(d);
    *surge = scaled(sk_map_get(ru, "maxSurge"), "25%", n, true);
    *unavailable = scaled(sk_map_get(ru, "maxUnavailable"), "25%", n, false);
    if (*surge == 0 && *unavailable == 0) *unavailable = 1;
}

int64_t dep_max_surge(const struct sk_val *d)
{
    if (!is_rolling(d)) return 0;
    int64_t s, u;
    dep_fenceposts(d, &s, &u);
    return s;
}

int64_t dep_max_unavailable(const struct sk_val *d)
{
    int64_t n = dep_replicas(d);
    if (!is_rolling(d) || n == 0) return 0;
    int64_t s, u;
    dep_fenceposts(d, &s, &u);
    return u > n ? n : u;
}

static int64_t parse_i64(const char *s, bool *ok)
{
    char *end = NULL;
    long long x = s ? strtoll(s, &end, 10) : 0;
    *ok = s && *s && end && !*end;
    return *ok ? x : 0;
}

int64_t dep_revision(const struct sk_val *rs)
{
    bool ok;
    return parse_i64(sk_obj_annotation(rs, DEP_REVISION), &ok);
}

static int64_t rs_replicas(const struct dep_rs *r)
{
    return r ? dep_replicas(r->obj) : 0;
}

static void set_replicas(struct dep_rs *r, int64_t n)
{
    sk_val_set_at(r->obj, sk_val_int(n), "spec", "replicas", NULL);
}

/* ---- orders ---- */

static double created(const struct dep_rs *r)
{
    if (r->create) return INFINITY;
    double t = pu_obj_created(r->obj);
    return t < 0 ? 0 : t;
}

static int by_creation(const void *a, const void *b)
{
    const struct dep_rs *x = *(struct dep_rs *const *)a, *y = *(struct dep_rs *const *)b;
    double tx = created(x), ty = created(y);
    if (tx != ty) return tx < ty ? -1 : 1;
    return strcmp(sk_obj_name(x->obj), sk_obj_name(y->obj));
}

static int by_creation_rev(const void *a, const void *b)
{
    return by_creation(b, a);
}

/* ReplicaSetsBySizeOlder: larger first, then older */
static int by_size_older(const void *a, const void *b)
{
    const struct dep_rs *x = *(struct dep_rs *const *)a, *y = *(struct dep_rs *const *)b;
    if (rs_replicas(x) != rs_replicas(y)) return rs_replicas(x) > rs_replicas(y) ? -1 : 1;
    return by_creation(a, b);
}

/* ReplicaSetsBySizeNewer: larger first, then newer */
static int by_size_newer(const void *a, const void *b)
{
    const struct dep_rs *x = *(struct dep_rs *const *)a, *y = *(struct dep_rs *const *)b;
    if (rs_replicas(x) != rs_replicas(y)) return rs_replicas(x) > rs_replicas(y) ? -1 : 1;
    return by_creation(b, a);
}

static int by_revision(const void *a, const void *b)
{
    const struct dep_rs *x = *(struct dep_rs *const *)a, *y = *(struct dep_rs *const *)b;
    int64_t rx = dep_revision(x->obj), ry = dep_revision(y->obj);
    if (rx != ry) return rx < ry ? -1 : 1;
    return by_creation(a, b);
}

/* ---- sets of ReplicaSets ---- */

struct rsset {
    struct dep_rs **v;
    size_t n;
};

static void sort_set(struct dep_rs **v, size_t n, int (*cmp)(const void *, const void *))
{
    if (n > 1) qsort(v, n, sizeof(*v), cmp);
}

static void set_push(struct rsset *s, struct dep_rs *r)
{
    s->v = sk_xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
    s->v[s->n++] = r;
}

static struct rsset set_active(const struct rsset *in)
{
    struct rsset out = {0};
    for (size_t i = 0; i < in->n; i++)
        if (in->v[i] && rs_replicas(in->v[i]) > 0) set_push(&out, in->v[i]);
    return out;
}

static int64_t sum_spec(const struct rsset *s)
{
    int64_t t = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i]) t += rs_replicas(s->v[i]);
    return t;
}

static int64_t sum_status(const struct rsset *s, const char *field)
{
    int64_t t = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i] && !s->v[i]->create) t += st_int(s->v[i]->obj, field);
    return t;
}

/* ---- the new ReplicaSet ---- */

long dep_find_new(const struct dep_view *v)
{
    const struct sk_val *tmpl = sk_val_at(v->d, "spec", "template", NULL);
    long best = -1;
    for (size_t i = 0; i < v->nrs; i++) {
        const struct dep_rs *r = &v->rs[i];
        if (r->del ||
            !pu_template_equal_ignore_hash(sk_val_at(r->obj, "spec", "template", NULL), tmpl))
            continue;
        const struct dep_rs *b = best >= 0 ? &v->rs[best] : NULL;
        const struct dep_rs *pr = r;
        if (!b || by_creation(&pr, &b) < 0) best = (long)i;
    }
    return best;
}

static void set_ann(struct sk_val *obj, const char *k, const char *val)
{
    if (!sk_val_is(sk_map_get(obj, "metadata"), SK_V_MAP))
        sk_map_set(obj, "metadata", sk_val_map());
    sk_obj_set_annotation(obj, k, val);
}

/* SetReplicasAnnotations */
static bool set_replicas_annotations(struct sk_val *rs, int64_t desired, int64_t max)
{
    char a[24], b[24];
    snprintf(a, sizeof a, "%lld", (long long)desired);
    snprintf(b, sizeof b, "%lld", (long long)max);
    const char *ca = sk_obj_annotation(rs, DEP_DESIRED), *cb = sk_obj_annotation(rs, DEP_MAX);
    bool changed = false;
    if (!ca || strcmp(ca, a)) {
        set_ann(rs, DEP_DESIRED, a);
        changed = true;
    }
    if (!cb || strcmp(cb, b)) {
        set_ann(rs, DEP_MAX, b);
        changed = true;
    }
    return changed;
}

static bool skip_copy(const char *k)
{
    static const char *const skip[] = {DEP_LAST_APPLIED, DEP_REVISION, DEP_REV_HISTORY,
                                       DEP_DESIRED,      DEP_MAX,      DEP_ROLLBACK_TO};
    for (size_t i = 0; i < sizeof skip / sizeof *skip; i++)
        if (!strcmp(k, skip[i])) return true;
    return false;
}

/* copyDeploymentAnnotationsToReplicaSet */
static bool copy_annotations(const struct sk_val *d, struct sk_val *rs)
{
    const struct sk_val *ann = sk_obj_annotations(d);
    bool changed = false;
    for (size_t i = 0; sk_val_is(ann, SK_V_MAP) && i < ann->u.m.n; i++) {
        const char *k = ann->u.m.kv[i].key, *val = sk_val_cstr(ann->u.m.kv[i].val);
        if (!val || skip_copy(k)) continue;
        const char *cur = sk_obj_annotation(rs, k);
        if (cur && !strcmp(cur, val)) continue;
        set_ann(rs, k, val);
        changed = true;
    }
    return changed;
}

/* SetNewReplicaSetAnnotations */
static bool set_new_rs_annotations(const struct sk_val *d, struct sk_val *rs, int64_t new_rev,
                                   bool exists)
{
    bool changed = copy_annotations(d, rs);
    const char *old = sk_obj_annotation(rs, DEP_REVISION);
    bool had = old != NULL, ok;
    int64_t oldrev = parse_i64(old, &ok);
    if (!ok) {
        if (old && *old) return false;
        oldrev = 0;
    }
    char nr[24];
    snprintf(nr, sizeof nr, "%lld", (long long)new_rev);
    char *oldcopy = old ? sk_xstrdup(old) : NULL;
    if (oldrev < new_rev) {
        set_ann(rs, DEP_REVISION, nr);
        changed = true;
    }
    if (had && oldrev < new_rev) {
        /* rolling back to this ReplicaSet: keep its old revisions */
        const char *hist = sk_obj_annotation(rs, DEP_REV_HISTORY);
        if (!hist || !*hist) {
            set_ann(rs, DEP_REV_HISTORY, oldcopy);
        } else {
            size_t total = strlen(hist) + strlen(oldcopy) + 1;
            const char *p = hist;
            while (total > DEP_REV_HISTORY_MAX && p) {
                const char *comma = strchr(p, ',');
                size_t len = comma ? (size_t)(comma - p) : strlen(p);
                total -= len + 1;
                p = comma ? comma + 1 : NULL;
            }
            if (total <= DEP_REV_HISTORY_MAX) {
                struct sk_buf b = {0};
                if (p && *p) {
                    sk_buf_puts(&b, p);
                    sk_buf_putc(&b, ',');
                }
                sk_buf_puts(&b, oldcopy);
                char *s = sk_buf_take(&b, NULL);
                set_ann(rs, DEP_REV_HISTORY, s);
                free(s);
            }
        }
    }
    free(oldcopy);
    int64_t n = dep_replicas(d);
    if (!exists && set_replicas_annotations(rs, n, n + dep_max_surge(d))) changed = true;
    return changed;
}

static bool set_deployment_revision(struct dep_view *v, const char *rev)
{
    const char *cur = sk_obj_annotation(v->d, DEP_REVISION);
    if (!rev || (cur && !strcmp(cur, rev))) return false;
    set_ann(v->d, DEP_REVISION, rev);
    v->d_meta_dirty = true;
    return true;
}

static struct sk_val *status_of(struct sk_val *d)
{
    struct sk_val *st = sk_map_get(d, "status");
    if (!sk_val_is(st, SK_V_MAP)) st = sk_map_set(d, "status", sk_val_map());
    return st;
}

static bool has_deadline(const struct sk_val *d)
{
    const struct sk_val *p = sk_val_at(d, "spec", "progressDeadlineSeconds", NULL);
    return sk_val_is(p, SK_V_INT) && p->u.i != INT32_MAX;
}

void dep_set_cond(struct sk_val *status, const char *type, const char *cstatus, const char *reason,
                  const char *msg, double now)
{
    struct sk_val *conds = sk_map_get(status, "conditions");
    struct sk_val *cur = pu_cond_in(conds, type);
    const char *cs = sk_val_cstr(sk_map_get(cur, "status"));
    const char *cr = sk_val_cstr(sk_map_get(cur, "reason"));
    if (cur && cs && !strcmp(cs, cstatus) && cr && !strcmp(cr, reason)) return;
    char ts[32];
    ctl_time_str(now, ts);
    struct sk_val *c = sk_val_map();
    sk_map_set(c, "type", sk_val_str(type));
    sk_map_set(c, "status", sk_val_str(cstatus));
    sk_map_set(c, "lastUpdateTime", sk_val_str(ts));
    const struct sk_val *lt = sk_map_get(cur, "lastTransitionTime");
    if (cur && cs && !strcmp(cs, cstatus) && lt)
        sk_map_set(c, "lastTransitionTime", sk_val_dup(lt));
    else
        sk_map_set(c, "lastTransitionTime", sk_val_str(ts));
    sk_map_set(c, "reason", sk_val_str(reason));
    sk_map_set(c, "message", sk_val_str(msg));
    pu_cond_remove(status, type);
    conds = sk_map_get(status, "conditions");
    if (!sk_val_is(conds, SK_V_ARR)) conds = sk_map_set(status, "conditions", sk_val_arr());
    sk_arr_push(conds, c);
}

/* getNewReplicaSet: the existing new ReplicaSet brought up to date, or a
 * new one when create is set; NULL otherwise. old: every other one. */
static struct dep_rs *dep_new_rs(struct dep_view *v, const struct rsset *old, bool create)
{
    long ni = dep_find_new(v);
    int64_t maxrev = 0;
    for (size_t i = 0; i < old->n; i++)
        if (dep_revision(old->v[i]->obj) > maxrev) maxrev = dep_revision(old->v[i]->obj);
    int64_t newrev = maxrev + 1;
    char nr[24];
    snprintf(nr, sizeof nr, "%lld", (long long)newrev);
    if (ni >= 0) {
        struct dep_rs *r = &v->rs[ni];
        bool ann = set_new_rs_annotations(v->d, r->obj, newrev, true);
        int64_t dmin = pu_int_at(v->d, "spec", "minReadySeconds", 0);
        bool mrs = pu_int_at(r->obj, "spec", "minReadySeconds", 0) != dmin;
        if (ann || mrs) {
            sk_val_set_at(r->obj, sk_val_int(dmin), "spec", "minReadySeconds", NULL);
            r->dirty = true;
            return r;
        }
        set_deployment_revision(v, sk_obj_annotation(r->obj, DEP_REVISION));
        if (has_deadline(v->d) && !pu_condition(v->d, "Progressing")) {
            char msg[400];
            snprintf(msg, sizeof msg, "Found new replica set \"%s\"", sk_obj_name(r->obj));
            dep_set_cond(status_of(v->d), "Progressing", "True", "FoundNewReplicaSet", msg, v->now);
        }
        return r;
    }
    if (!create) return NULL;
    int64_t old_total = sum_spec(old); /* before dep_view_add moves the array */
    const struct sk_val *dt = sk_val_at(v->d, "spec", "template", NULL);
    const struct sk_val *cc = sk_val_at(v->d, "status", "collisionCount", NULL);
    char hash[16];
    pu_template_hash(dt, sk_val_is(cc, SK_V_INT) ? cc->u.i : -1, hash);
    struct sk_val *rs = sk_val_map();
    sk_map_set(rs, "apiVersion", sk_val_str("apps/v1"));
    sk_map_set(rs, "kind", sk_val_str("ReplicaSet"));
    struct sk_val *m = sk_map_set(rs, "metadata", sk_val_map());
    sk_map_set(m, "name", sk_val_strf("%s-%s", sk_obj_name(v->d), hash));
    const char *ns = sk_obj_namespace(v->d);
    if (ns) sk_map_set(m, "namespace", sk_val_str(ns));
    struct sk_val *tmpl = sk_val_dup(dt);
    if (!sk_val_is(sk_map_get(tmpl, "metadata"), SK_V_MAP))
        sk_map_set(tmpl, "metadata", sk_val_map());
    sk_obj_set_label(tmpl, PU_HASH_LABEL, hash);
    const struct sk_val *tl = sk_val_at(tmpl, "metadata", "labels", NULL);
    sk_map_set(m, "labels", sk_val_dup(tl));
    struct sk_val *refs = sk_map_set(m, "ownerReferences", sk_val_arr());
    sk_arr_push(refs, ctl_owner_ref(v->d));
    struct sk_val *spec = sk_map_set(rs, "spec", sk_val_map());
    sk_map_set(spec, "replicas", sk_val_int(0));
    int64_t mrs = pu_int_at(v->d, "spec", "minReadySeconds", 0);
    if (mrs) sk_map_set(spec, "minReadySeconds", sk_val_int(mrs)); /* omitempty */
    const struct sk_val *dsel = sk_val_at(v->d, "spec", "selector", NULL);
    struct sk_val *sel = sk_val_is(dsel, SK_V_MAP) ? sk_val_dup(dsel) : sk_val_map();
    struct sk_val *ml = sk_map_get(sel, "matchLabels");
    if (!sk_val_is(ml, SK_V_MAP)) ml = sk_map_set(sel, "matchLabels", sk_val_map());
    sk_map_set(ml, PU_HASH_LABEL, sk_val_str(hash));
    sk_map_set(spec, "selector", sel);
    sk_map_set(spec, "template", tmpl);
    struct dep_rs *r = dep_view_add(v, rs, 0);
    sk_val_free(rs);
    r->create = true;
    /* NewRSNewReplicas */
    int64_t n = dep_replicas(v->d), count;
    if (is_rolling(v->d)) {
        int64_t maxtotal = n + dep_max_surge(v->d);
        count = old_total >= maxtotal ? 0 : maxtotal - old_total;
        if (count > n) count = n;
    } else {
        count = n;
    }
    set_replicas(r, count);
    set_new_rs_annotations(v->d, r->obj, newrev, false);
    if (count > 0)
        dep_event(v, "Normal", "ScalingReplicaSet", "Scaled up replica set %s from 0 to %lld",
                  sk_obj_name(r->obj), (long long)count);
    if (has_deadline(v->d)) {
        char msg[400];
        snprintf(msg, sizeof msg, "Created new replica set \"%s\"", sk_obj_name(r->obj));
        dep_set_cond(status_of(v->d), "Progressing", "True", "NewReplicaSetCreated", msg, v->now);
    }
    set_deployment_revision(v, nr);
    return r;
}

/* getAllReplicaSetsAndSyncRevision: *newrs and the old ones (every other
 * owned ReplicaSet). */
static void dep_all_rs(struct dep_view *v, bool create, struct dep_rs **newrs, struct rsset *old)
{
    long ni = dep_find_new(v);
    memset(old, 0, sizeof(*old));
    for (size_t i = 0; i < v->nrs; i++)
        if ((long)i != ni && !v->rs[i].create) set_push(old, &v->rs[i]);
    /* dep_view_add may move the array: keep indices, rebuild pointers */
    size_t *idx = sk_xcalloc(old->n + 1, sizeof(*idx));
    for (size_t i = 0; i < old->n; i++)
        idx[i] = (size_t)(old->v[i] - v->rs);
    struct dep_rs *n = dep_new_rs(v, old, create);
    size_t nidx = n ? (size_t)(n - v->rs) : 0;
    for (size_t i = 0; i < old->n; i++)
        old->v[i] = &v->rs[idx[i]];
    free(idx);
    *newrs = n ? &v->rs[nidx] : NULL;
}

/* ---- scaling ---- */

/* scaleReplicaSet */
static void dep_scale_rs(struct dep_view *v, struct dep_rs *r, int64_t n, const char *op)
{
    int64_t old = rs_replicas(r);
    bool size = old != n;
    int64_t dn = dep_replicas(v->d);
    bool ann = set_replicas_annotations(r->obj, dn, dn + dep_max_surge(v->d));
    if (!size && !ann) return;
    set_replicas(r, n);
    if (!r->create) r->dirty = true;
    if (size)
        dep_event(v, "Normal", "ScalingReplicaSet", "Scaled %s replica set %s from %lld to %lld",
                  op, sk_obj_name(r->obj), (long long)old, (long long)n);
}

/* scaleReplicaSetAndRecordEvent: true when the size changed */
static bool dep_scale_event(struct dep_view *v, struct dep_rs *r, int64_t n)
{
    if (rs_replicas(r) == n) return false;
    dep_scale_rs(v, r, n, rs_replicas(r) < n ? "up" : "down");
    return true;
}

static bool desired_annotation(const struct sk_val *rs, int64_t *out)
{
    bool ok;
    *out = parse_i64(sk_obj_annotation(rs, DEP_DESIRED), &ok);
    return ok;
}

static bool saturated(const struct sk_val *d, const struct dep_rs *r)
{
    if (!r) return false;
    int64_t want;
    if (!desired_annotation(r->obj, &want)) return false;
    int64_t n = dep_replicas(d);
    return want == n && rs_replicas(r) == n && st_int(r->obj, "availableReplicas") == n;
}

/* getReplicaSetFraction and GetProportion */
static int64_t proportion(const struct sk_val *d, const struct dep_rs *r, int64_t to_add,
                          int64_t added)
{
    if (!r || rs_replicas(r) == 0 || to_add == 0 || to_add == added) return 0;
    int64_t fraction;
    if (dep_replicas(d) == 0) {
        fraction = -rs_replicas(r);
    } else {
        int64_t dr = dep_replicas(d) + dep_max_surge(d);
        bool ok;
        int64_t ann = parse_i64(sk_obj_annotation(r->obj, DEP_MAX), &ok);
        if (!ok) ann = st_int(d, "replicas");
        double size = ann ? (double)(rs_replicas(r) * dr) / (double)ann : 0;
        fraction = (int64_t)round(size) - rs_replicas(r);
    }
    int64_t allowed = to_add - added;
    if (to_add > 0) return fraction < allowed ? fraction : allowed;
    return fraction > allowed ? fraction : allowed;
}

/* FindActiveOrLatest */
static struct dep_rs *active_or_latest(struct dep_rs *newrs, const struct rsset *old)
{
    if (!newrs && !old->n) return NULL;
    struct rsset sorted = {0};
    for (size_t i = 0; i < old->n; i++)
        set_push(&sorted, old->v[i]);
    sort_set(sorted.v, sorted.n, by_creation_rev);
    struct rsset all = {0};
    for (size_t i = 0; i < sorted.n; i++)
        set_push(&all, sorted.v[i]);
    if (newrs) set_push(&all, newrs);
    struct rsset act = set_active(&all);
    struct dep_rs *out;
    if (act.n == 0)
        out = newrs ? newrs : sorted.v[0];
    else if (act.n == 1)
        out = act.v[0];
    else
        out = NULL;
    free(sorted.v);
    free(all.v);
    free(act.v);
    return out;
}

/* scale: a scaling event, with a paused or mid-rollout Deployment spread
 * proportionally over its active ReplicaSets */
static void scale(struct dep_view *v, struct dep_rs *newrs, const struct rsset *old)
{
    int64_t n = dep_replicas(v->d);
    struct dep_rs *one = active_or_latest(newrs, old);
    if (one) {
        if (rs_replicas(one) != n) dep_scale_event(v, one, n);
        return;
    }
    if (saturated(v->d, newrs)) {
        struct rsset act = set_active(old);
        for (size_t i = 0; i < act.n; i++)
            dep_scale_event(v, act.v[i], 0);
        free(act.v);
        return;
    }
    if (!is_rolling(v->d)) return;
    struct rsset all = {0};
    for (size_t i = 0; i < old->n; i++)
        set_push(&all, old->v[i]);
    if (newrs) set_push(&all, newrs);
    struct rsset act = set_active(&all);
    free(all.v);
    int64_t total = sum_spec(&act);
    int64_t allowed = n > 0 ? n + dep_max_surge(v->d) : 0;
    int64_t to_add = allowed - total;
    const char *op = "";
    if (to_add > 0) {
        sort_set(act.v, act.n, by_size_newer);
        op = "up";
    } else if (to_add < 0) {
        sort_set(act.v, act.n, by_size_older);
        op = "down";
    }
    int64_t added = 0;
    int64_t *size = sk_xcalloc(act.n + 1, sizeof(*size));
    for (size_t i = 0; i < act.n; i++) {
        if (to_add != 0) {
            int64_t p = proportion(v->d, act.v[i], to_add, added);
            size[i] = rs_replicas(act.v[i]) + p;
            added += p;
        } else {
            size[i] = rs_replicas(act.v[i]);
        }
    }
    for (size_t i = 0; i < act.n; i++) {
        if (i == 0 && to_add != 0) {
            size[0] += to_add - added;
            if (size[0] < 0) size[0] = 0;
        }
        dep_scale_rs(v, act.v[i], size[i], op);
    }
    free(size);
    free(act.v);
}

/* cleanupDeployment: delete the oldest idle ReplicaSets beyond
 * revisionHistoryLimit */
static void dep_cleanup(struct dep_view *v, const struct rsset *old)
{
    const struct sk_val *lim = sk_val_at(v->d, "spec", "revisionHistoryLimit", NULL);
    if (!sk_val_is(lim, SK_V_INT)) return;
    struct rsset alive = {0};
    for (size_t i = 0; i < old->n; i++)
        if (!pu_deleting(old->v[i]->obj) && !old->v[i]->del) set_push(&alive, old->v[i]);
    int64_t diff = (int64_t)alive.n - lim->u.i;
    if (diff > 0) {
        sort_set(alive.v, alive.n, by_revision);
        for (int64_t i = 0; i < diff; i++) {
            struct dep_rs *r = alive.v[i];
            if (st_int(r->obj, "replicas") != 0 || rs_replicas(r) != 0 ||
                pu_int_at(r->obj, "metadata", "generation", 1) >
                        st_int(r->obj, "observedGeneration") ||
                r->dirty)
                continue;
            r->del = true;
        }
    }
    free(alive.v);
}

/* ---- status ---- */

static void put_count(struct sk_val *st, const char *k, int64_t n)
{
    if (n)
        sk_map_set(st, k, sk_val_int(n));
    else
        sk_map_del(st, k);
}

/* calculateStatus */
static struct sk_val *calc_status(struct dep_view *v, const struct rsset *all,
                                  const struct dep_rs *newrs)
{
    int64_t avail = sum_status(all, "availableReplicas");
    int64_t total = sum_spec(all);
    int64_t unavail = total - avail;
    if (unavail < 0) unavail = 0;
    struct sk_val *st = sk_val_map();
    put_count(st, "observedGeneration", pu_int_at(v->d, "metadata", "generation", 1));
    put_count(st, "replicas", sum_status(all, "replicas"));
    struct rsset one = {0};
    if (newrs) set_push(&one, (struct dep_rs *)newrs);
    put_count(st, "updatedReplicas", sum_status(&one, "replicas"));
    free(one.v);
    put_count(st, "readyReplicas", sum_status(all, "readyReplicas"));
    put_count(st, "availableReplicas", avail);
    put_count(st, "unavailableReplicas", unavail);
    const struct sk_val *oc = sk_val_at(v->d, "status", "conditions", NULL);
    if (sk_arr_len(oc)) sk_map_set(st, "conditions", sk_val_dup(oc));
    const struct sk_val *cc = sk_val_at(v->d, "status", "collisionCount", NULL);
    if (cc) sk_map_set(st, "collisionCount", sk_val_dup(cc));
    if (avail >= dep_replicas(v->d) - dep_max_unavailable(v->d))
        dep_set_cond(st, "Available", "True", "MinimumReplicasAvailable",
                     "Deployment has minimum availability.", v->now);
    else
        dep_set_cond(st, "Available", "False", "MinimumReplicasUnavailable",
                     "Deployment does not have minimum availability.", v->now);
    return st;
}

static bool complete(const struct sk_val *d, const struct sk_val *st)
{
    int64_t n = dep_replicas(d);
    return pu_int_at(st, "updatedReplicas", NULL, 0) == n &&
           pu_int_at(st, "replicas", NULL, 0) == n &&
           pu_int_at(st, "availableReplicas", NULL, 0) == n &&
           pu_int_at(st, "observedGeneration", NULL, 0) >=
                   pu_int_at(d, "metadata", "generation", 1);
}

static bool progressing(const struct sk_val *d, const struct sk_val *st)
{
    int64_t oupd = st_int(d, "updatedReplicas"), oold = st_int(d, "replicas") - oupd;
    int64_t nupd = pu_int_at(st, "updatedReplicas", NULL, 0);
    int64_t nold = pu_int_at(st, "replicas", NULL, 0) - nupd;
    return nupd > oupd || nold < oold ||
           pu_int_at(st, "readyReplicas", NULL, 0) > st_int(d, "readyReplicas") ||
           pu_int_at(st, "availableReplicas", NULL, 0) > st_int(d, "availableReplicas");
}

static bool timed_out(const struct sk_val *d, const struct sk_val *st, double now)
{
    if (!has_deadline(d)) return false;
    const struct sk_val *c = pu_cond_in(sk_map_get(st, "conditions"), "Progressing");
    if (!c) return false;
    const char *reason = sk_val_cstr(sk_map_get(c, "reason"));
    if (reason && !strcmp(reason, "NewReplicaSetAvailable")) return false;
    if (reason && !strcmp(reason, "ProgressDeadlineExceeded")) return true;
    double from = ctl_time_parse(sk_val_cstr(sk_map_get(c, "lastUpdateTime")));
    int64_t dl = pu_int_at(d, "spec", "progressDeadlineSeconds", 600);
    return from >= 0 && from + (double)dl < now;
}

/* getReplicaFailures: the ReplicaFailure of the new ReplicaSet, else of
 * an old one */
static const struct sk_val *replica_failure(const struct rsset *all, const struct dep_rs *newrs)
{
    if (newrs) {
        const struct sk_val *c = pu_condition(newrs->obj, "ReplicaFailure");
        if (c) return c;
    }
    for (size_t i = 0; i < all->n; i++) {
        const struct sk_val *c = pu_condition(all->v[i]->obj, "ReplicaFailure");
        if (c) return c;
    }
    return NULL;
}

/* syncRolloutStatus */
static void dep_rollout_status(struct dep_view *v, const struct rsset *all,
                               const struct dep_rs *newrs)
{
    struct sk_val *st = calc_status(v, all, newrs);
    if (!has_deadline(v->d)) pu_cond_remove(st, "Progressing");
    const struct sk_val *cur = pu_condition(v->d, "Progressing");
    const char *cr = sk_val_cstr(sk_map_get(cur, "reason"));
    bool done = pu_int_at(st, "replicas", NULL, 0) == pu_int_at(st, "updatedReplicas", NULL, 0) &&
                cr && !strcmp(cr, "NewReplicaSetAvailable");
    const char *rsname = newrs ? sk_obj_name(newrs->obj) : NULL;
    char msg[400];
    if (has_deadline(v->d) && !done) {
        if (complete(v->d, st)) {
            if (rsname)
                snprintf(msg, sizeof msg, "ReplicaSet \"%s\" has successfully progressed.", rsname);
            else
                snprintf(msg, sizeof msg, "Deployment \"%s\" has successfully progressed.",
                         sk_obj_name(v->d));
            dep_set_cond(st, "Progressing", "True", "NewReplicaSetAvailable", msg, v->now);
        } else if (progressing(v->d, st)) {
            if (rsname)
                snprintf(msg, sizeof msg, "ReplicaSet \"%s\" is progressing.", rsname);
            else
                snprintf(msg, sizeof msg, "Deployment \"%s\" is progressing.", sk_obj_name(v->d));
            struct sk_val *lt = NULL;
            const char *cs = sk_val_cstr(sk_map_get(cur, "status"));
            if (cur && cs && !strcmp(cs, "True"))
                lt = sk_val_dup(sk_map_get(cur, "lastTransitionTime"));
            pu_cond_remove(st, "Progressing");
            dep_set_cond(st, "Progressing", "True", "ReplicaSetUpdated", msg, v->now);
            if (lt)
                sk_map_set(pu_cond_in(sk_map_get(st, "conditions"), "Progressing"),
                           "lastTransitionTime", lt);
        } else if (timed_out(v->d, st, v->now)) {
            if (rsname)
                snprintf(msg, sizeof msg, "ReplicaSet \"%s\" has timed out progressing.", rsname);
            else
                snprintf(msg, sizeof msg, "Deployment \"%s\" has timed out progressing.",
                         sk_obj_name(v->d));
            dep_set_cond(st, "Progressing", "False", "ProgressDeadlineExceeded", msg, v->now);
        }
    }
    const struct sk_val *rf = replica_failure(all, newrs);
    if (rf) {
        const char *s = sk_val_cstr(sk_map_get(rf, "status"));
        const char *r = sk_val_cstr(sk_map_get(rf, "reason"));
        const char *m = sk_val_cstr(sk_map_get(rf, "message"));
        dep_set_cond(st, "ReplicaFailure", s ? s : "True", r ? r : "", m ? m : "", v->now);
    } else {
        pu_cond_remove(st, "ReplicaFailure");
    }
    if (!sk_arr_len(sk_map_get(st, "conditions"))) sk_map_del(st, "conditions");
    if (sk_val_equal(sk_map_get(v->d, "status"), st)) {
        /* requeueStuckDeployment */
        const struct sk_val *c = pu_condition(v->d, "Progressing");
        const char *reason = sk_val_cstr(sk_map_get(c, "reason"));
        if (has_deadline(v->d) && c && !complete(v->d, st) &&
            !(reason && !strcmp(reason, "ProgressDeadlineExceeded"))) {
            double from = ctl_time_parse(sk_val_cstr(sk_map_get(c, "lastUpdateTime")));
            double after =
                    from + (double)pu_int_at(v->d, "spec", "progressDeadlineSeconds", 600) - v->now;
            v->requeue_after = after < 1 ? 0.005 : after + 1;
        }
        sk_val_free(st);
        return;
    }
    sk_map_set(v->d, "status", st);
}

/* syncDeploymentStatus */
static void dep_sync_status(struct dep_view *v, const struct rsset *all, const struct dep_rs *newrs)
{
    struct sk_val *st = calc_status(v, all, newrs);
    if (!sk_arr_len(sk_map_get(st, "conditions"))) sk_map_del(st, "conditions");
    sk_map_set(v->d, "status", st);
}

/* sync: scaling and status only (paused, or a scaling event) */
static void dep_sync_scale(struct dep_view *v)
{
    struct dep_rs *newrs;
    struct rsset old;
    dep_all_rs(v, false, &newrs, &old);
    scale(v, newrs, &old);
    if (sk_val_to_bool(sk_val_at(v->d, "spec", "paused", NULL), false)) dep_cleanup(v, &old);
    struct rsset all = {0};
    for (size_t i = 0; i < old.n; i++)
        set_push(&all, old.v[i]);
    if (newrs) set_push(&all, newrs);
    dep_sync_status(v, &all, newrs);
    free(all.v);
    free(old.v);
}

/* isScalingEvent */
static bool dep_is_scaling_event(struct dep_view *v)
{
    int64_t n = dep_replicas(v->d);
    for (size_t i = 0; i < v->nrs; i++) {
        if (rs_replicas(&v->rs[i]) <= 0) continue;
        int64_t want;
        if (!desired_annotation(v->rs[i].obj, &want)) continue;
        if (want != n) return true;
    }
    return false;
}

/* ---- rollouts (rolling.go, recreate.go) ---- */

static struct rsset with_new(const struct rsset *old, struct dep_rs *newrs)
{
    struct rsset all = {0};
    for (size_t i = 0; i < old->n; i++)
        set_push(&all, old->v[i]);
    if (newrs) set_push(&all, newrs);
    return all;
}

/* NewRSNewReplicas for an existing new ReplicaSet */
static int64_t new_rs_new_replicas(const struct sk_val *d, const struct rsset *all,
                                   const struct dep_rs *newrs)
{
    int64_t n = dep_replicas(d);
    if (!is_rolling(d)) return n;
    int64_t cur = sum_spec(all), maxtotal = n + dep_max_surge(d);
    if (cur >= maxtotal) return rs_replicas(newrs);
    int64_t up = maxtotal - cur;
    if (up > n - rs_replicas(newrs)) up = n - rs_replicas(newrs);
    return rs_replicas(newrs) + up;
}

static bool reconcile_new(struct dep_view *v, const struct rsset *all, struct dep_rs *newrs)
{
    int64_t n = dep_replicas(v->d);
    if (rs_replicas(newrs) == n) return false;
    if (rs_replicas(newrs) > n) return dep_scale_event(v, newrs, n);
    return dep_scale_event(v, newrs, new_rs_new_replicas(v->d, all, newrs));
}

/* cleanupUnhealthyReplicas: scale down old ReplicaSets' unavailable pods
 * first, so that they do not block the rollout */
static int64_t cleanup_unhealthy(struct dep_view *v, struct rsset *old, int64_t max)
{
    sort_set(old->v, old->n, by_creation);
    int64_t total = 0;
    for (size_t i = 0; i < old->n && total < max; i++) {
        struct dep_rs *r = old->v[i];
        int64_t n = rs_replicas(r), avail = st_int(r->obj, "availableReplicas");
        if (n == 0 || n == avail) continue;
        int64_t down = max - total < n - avail ? max - total : n - avail;
        dep_scale_event(v, r, n - down);
        total += down;
    }
    return total;
}

/* scaleDownOldReplicaSetsForRollingUpdate */
static int64_t scale_down_old(struct dep_view *v, const struct rsset *all, struct rsset *old)
{
    int64_t min_avail = dep_replicas(v->d) - dep_max_unavailable(v->d);
    int64_t avail = sum_status(all, "availableReplicas");
    if (avail <= min_avail) return 0;
    sort_set(old->v, old->n, by_creation);
    int64_t total = 0, want = avail - min_avail;
    for (size_t i = 0; i < old->n && total < want; i++) {
        struct dep_rs *r = old->v[i];
        int64_t n = rs_replicas(r);
        if (n == 0) continue;
        int64_t down = n < want - total ? n : want - total;
        dep_scale_event(v, r, n - down);
        total += down;
    }
    return total;
}

static bool reconcile_old(struct dep_view *v, const struct rsset *all, struct rsset *old,
                          struct dep_rs *newrs)
{
    if (sum_spec(old) == 0) return false;
    int64_t min_avail = dep_replicas(v->d) - dep_max_unavailable(v->d);
    int64_t new_unavail = rs_replicas(newrs) - st_int(newrs->obj, "availableReplicas");
    if (newrs->create) new_unavail = rs_replicas(newrs);
    int64_t max_down = sum_spec(all) - min_avail - new_unavail;
    if (max_down <= 0) return false;
    int64_t cleaned = cleanup_unhealthy(v, old, max_down);
    struct rsset all2 = with_new(old, newrs);
    int64_t down = scale_down_old(v, &all2, old);
    free(all2.v);
    return cleaned + down > 0;
}

static void rollout_rolling(struct dep_view *v)
{
    struct dep_rs *newrs;
    struct rsset old;
    dep_all_rs(v, true, &newrs, &old);
    struct rsset all = with_new(&old, newrs);
    struct rsset act = set_active(&old);
    if (!newrs || reconcile_new(v, &all, newrs) || reconcile_old(v, &all, &act, newrs)) {
        dep_rollout_status(v, &all, newrs);
    } else {
        if (complete(v->d, sk_map_get(v->d, "status"))) dep_cleanup(v, &old);
        dep_rollout_status(v, &all, newrs);
    }
    free(act.v);
    free(all.v);
    free(old.v);
}

/* oldPodsRunning */
static bool old_pods_running(const struct rsset *old)
{
    if (sum_status(old, "replicas") > 0) return true;
    for (size_t i = 0; i < old->n; i++)
        if (old->v[i]->active_pods > 0) return true;
    return false;
}

static void rollout_recreate(struct dep_view *v)
{
    struct dep_rs *newrs;
    struct rsset old;
    dep_all_rs(v, false, &newrs, &old);
    struct rsset act = set_active(&old);
    bool down = false;
    for (size_t i = 0; i < act.n; i++)
        if (dep_scale_event(v, act.v[i], 0)) down = true;
    free(act.v);
    if (!down && !old_pods_running(&old)) {
        if (!newrs) {
            free(old.v);
            dep_all_rs(v, true, &newrs, &old);
        }
        if (newrs) dep_scale_event(v, newrs, dep_replicas(v->d));
        if (complete(v->d, sk_map_get(v->d, "status"))) dep_cleanup(v, &old);
    }
    struct rsset all = with_new(&old, newrs);
    dep_rollout_status(v, &all, newrs);
    free(all.v);
    free(old.v);
}

/* checkPausedConditions */
static void check_paused(struct dep_view *v)
{
    if (!has_deadline(v->d)) return;
    const struct sk_val *c = pu_condition(v->d, "Progressing");
    const char *reason = sk_val_cstr(sk_map_get(c, "reason"));
    if (reason && !strcmp(reason, "ProgressDeadlineExceeded")) return;
    bool paused = sk_val_to_bool(sk_val_at(v->d, "spec", "paused", NULL), false);
    bool was = reason && !strcmp(reason, "DeploymentPaused");
    if (paused && !was)
        dep_set_cond(status_of(v->d), "Progressing", "Unknown", "DeploymentPaused",
                     "Deployment is paused", v->now);
    else if (!paused && was)
        dep_set_cond(status_of(v->d), "Progressing", "Unknown", "DeploymentResumed",
                     "Deployment is resumed", v->now);
}

static bool selects_all(const struct sk_val *d)
{
    const struct sk_val *sel = sk_val_at(d, "spec", "selector", NULL);
    return !sel || (!sk_map_len(sk_map_get(sel, "matchLabels")) &&
                    !sk_arr_len(sk_map_get(sel, "matchExpressions")));
}

void dep_sync(struct dep_view *v)
{
    if (selects_all(v->d)) {
        dep_event(v, "Warning", "SelectingAll",
                  "This deployment is selecting all pods. A non-empty selector is required.");
        int64_t gen = pu_int_at(v->d, "metadata", "generation", 1);
        if (gen > st_int(v->d, "observedGeneration"))
            sk_map_set(status_of(v->d), "observedGeneration", sk_val_int(gen));
        return;
    }
    if (pu_deleting(v->d)) {
        struct dep_rs *newrs;
        struct rsset old;
        dep_all_rs(v, false, &newrs, &old);
        struct rsset all = with_new(&old, newrs);
        dep_sync_status(v, &all, newrs);
        free(all.v);
        free(old.v);
        return;
    }
    check_paused(v);
    if (sk_val_to_bool(sk_val_at(v->d, "spec", "paused", NULL), false) || dep_is_scaling_event(v)) {
        dep_sync_scale(v);
        return;
    }
    const char *t = sk_val_str_at(v->d, "spec", "strategy", "type", NULL);
    if (t && !strcmp(t, "Recreate"))
        rollout_recreate(v);
    else
        rollout_rolling(v);
}
