/* The scheduler module: binds each pending pod (no spec.nodeName, the
 * default scheduler) to the best node that fits it, as kube-scheduler's
 * default profile does, and leaves the others Pending with
 * PodScheduled=False and a FailedScheduling event in its words. Requests
 * placed on each node are kept incrementally from the pod cache, plus the
 * pods this module bound that the cache has not shown yet ("assumed"). */
#include "sched.h"
#include "../ctl_priv.h"
#include "mem.h"

#include <stdio.h>
#include <string.h>

#define COMPONENT           "default-scheduler"
#define RETRY_UNSCHEDULABLE 300.0 /* podMaxInUnschedulablePodsDuration */

struct contrib {
    char *node;
    bool assumed; /* bound by us, not yet in the cache */
    struct sched_res req, nz;
    struct sched_port *ports;
    size_t nports;
};

struct bindreq {
    struct bindreq *prev, *next;
    struct sched *s;
    char *key, *node;
};

struct sched {
    struct ctl *c;
    struct ctl_cache *pods, *nodes;
    struct ctl_queue *q;
    struct ctl_hmap infos;    /* node name -> struct sched_nodeinfo */
    struct ctl_hmap contribs; /* pod key -> struct contrib */
    struct ctl_hmap unsched;  /* pod key -> non-NULL: waits for a change */
    struct bindreq *binds;
};

static struct sched_nodeinfo *info(struct sched *s, const char *node)
{
    struct sched_nodeinfo **slot = (struct sched_nodeinfo **)ctl_hmap_put(&s->infos, node, NULL);
    if (!*slot) *slot = sk_xcalloc(1, sizeof(**slot));
    return *slot;
}

static void contrib_apply(struct sched *s, const struct contrib *k, int sign)
{
    struct sched_nodeinfo *ni = info(s, k->node);
    ni->req.milli_cpu += sign * k->req.milli_cpu;
    ni->req.memory += sign * k->req.memory;
    ni->req.pods += sign;
    ni->nonzero.milli_cpu += sign * k->nz.milli_cpu;
    ni->nonzero.memory += sign * k->nz.memory;
    ni->nonzero.pods += sign;
    for (size_t i = 0; i < k->nports; i++) {
        if (sign > 0) {
            if (ni->nports == ni->portcap) {
                ni->portcap = ni->portcap ? ni->portcap * 2 : 4;
                ni->ports = sk_xrealloc(ni->ports, ni->portcap * sizeof(*ni->ports));
            }
            ni->ports[ni->nports++] = k->ports[i];
            continue;
        }
        for (size_t j = 0; j < ni->nports; j++)
            if (!memcmp(&ni->ports[j], &k->ports[i], sizeof(k->ports[i]))) {
                ni->ports[j] = ni->ports[--ni->nports];
                break;
            }
    }
}

static void contrib_free(void *val)
{
    struct contrib *k = val;
    if (!k) return;
    free(k->node);
    free(k->ports);
    free(k);
}

static void contrib_drop(struct sched *s, const char *key)
{
    struct contrib *k = ctl_hmap_del(&s->contribs, key);
    if (!k) return;
    contrib_apply(s, k, -1);
    contrib_free(k);
}

static void contrib_set(struct sched *s, const char *key, const struct sk_val *pod,
                        const char *node, bool assumed)
{
    contrib_drop(s, key);
    struct contrib *k = sk_xcalloc(1, sizeof(*k));
    k->node = sk_xstrdup(node);
    k->assumed = assumed;
    sched_pod_requests(pod, &k->req, &k->nz);
    struct sched_port ps[32];
    k->nports = sched_pod_ports(pod, ps, 32);
    if (k->nports) {
        k->ports = sk_xcalloc(k->nports, sizeof(*k->ports));
        memcpy(k->ports, ps, k->nports * sizeof(*ps));
    }
    *ctl_hmap_put(&s->contribs, key, NULL) = k;
    contrib_apply(s, k, 1);
}

static bool finished(const struct sk_val *pod)
{
    const char *phase = sk_val_str_at(pod, "status", "phase", NULL);
    return phase && (!strcmp(phase, "Succeeded") || !strcmp(phase, "Failed"));
}

static const char *node_of(const struct sk_val *pod)
{
    const char *n = sk_val_str_at(pod, "spec", "nodeName", NULL);
    return n && *n ? n : NULL;
}

static bool needs_scheduling(const struct sk_val *pod)
{
    if (node_of(pod) || finished(pod)) return false;
    if (sk_val_at(pod, "metadata", "deletionTimestamp", NULL)) return false;
    const char *sn = sk_val_str_at(pod, "spec", "schedulerName", NULL);
    return !sn || !*sn || !strcmp(sn, COMPONENT);
}

static bool requeue_one(void *arg, const char *key, void *val)
{
    (void)val;
    ctl_queue_add(((struct sched *)arg)->q, key);
    return true;
}

/* Something changed that may let waiting pods fit. */
static void requeue_unschedulable(struct sched *s)
{
    if (!s->unsched.n) return;
    ctl_hmap_foreach(&s->unsched, requeue_one, s);
    ctl_hmap_free(&s->unsched, NULL);
}

static void on_pod(void *arg, const struct sk_val *old, const struct sk_val *obj)
{
    struct sched *s = arg;
    char key[512];
    ctl_key(obj ? obj : old, key, sizeof(key));
    struct contrib *k = ctl_hmap_get(&s->contribs, key);
    bool freed = false;
    if (!obj) {
        if (k) freed = true;
        contrib_drop(s, key);
        ctl_hmap_del(&s->unsched, key);
    } else if (node_of(obj) && !finished(obj)) {
        if (!k || k->assumed || strcmp(k->node, node_of(obj)))
            contrib_set(s, key, obj, node_of(obj), false);
    } else if (!(k && k->assumed && !node_of(obj))) {
        if (k) freed = true;
        contrib_drop(s, key);
    }
    /* like kube-scheduler's queue, a status-only change (our own
     * Unschedulable condition among them) does not retry a pod */
    bool relevant =
            obj && (!old || !sk_val_equal(sk_map_get(old, "spec"), sk_map_get(obj, "spec")) ||
                    !sk_val_equal(sk_obj_labels(old), sk_obj_labels(obj)));
    if (relevant && needs_scheduling(obj) && !(k && k->assumed)) ctl_queue_add(s->q, key);
    if (freed) requeue_unschedulable(s);
}

static void on_node(void *arg, const struct sk_val *old, const struct sk_val *obj)
{
    (void)old;
    struct sched *s = arg;
    if (!obj) return;
    /* parsed once per node change, not once per pod and node */
    struct sched_nodeinfo *ni = info(s, sk_obj_name(obj) ? sk_obj_name(obj) : "");
    sched_node_allocatable(obj, &ni->alloc);
    ni->alloc_set = true;
    requeue_unschedulable(s);
}

/* ---- decision ---- */

struct cand {
    const struct sk_val *node;
    int64_t least, balanced, affinity, prefer_taints, same_owner, total;
};

struct pick {
    struct sched *s;
    const struct sk_val *pod;
    struct sched_res req, nz;
    struct cand *v;
    size_t n, cap;
    struct sched_diag diag;
};

static bool consider(void *arg, const struct sk_val *node)
{
    struct pick *p = arg;
    const char *name = sk_obj_name(node);
    if (!name) return true;
    const struct sched_nodeinfo *ni = ctl_hmap_get(&p->s->infos, name);
    struct sched_status st;
    if (!sched_filter(p->pod, &p->req, node, ni, &st)) {
        sched_diag_add(&p->diag, &st);
        return true;
    }
    p->diag.nnodes++;
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->v = sk_xrealloc(p->v, p->cap * sizeof(*p->v));
    }
    struct cand *c = &p->v[p->n++];
    memset(c, 0, sizeof(*c));
    c->node = node;
    c->least = sched_score_least_allocated(node, ni, &p->nz);
    c->balanced = sched_score_balanced(node, ni, &p->req);
    c->affinity = sched_score_node_affinity(p->pod, node);
    c->prefer_taints = sched_count_intolerable_prefer(p->pod, node);
    return true;
}

struct owned {
    struct sched *s;
    const char *self;
    struct ctl_hmap counts; /* node -> (void *)(intptr_t)count */
};

static bool count_owned(void *arg, const struct sk_val *pod)
{
    struct owned *o = arg;
    char key[512];
    ctl_key(pod, key, sizeof(key));
    if (!strcmp(key, o->self) || finished(pod)) return true;
    const char *node = node_of(pod);
    if (!node) {
        const struct contrib *k = ctl_hmap_get(&o->s->contribs, key);
        node = k ? k->node : NULL;
    }
    if (node) {
        void **slot = ctl_hmap_put(&o->counts, node, NULL);
        *slot = (void *)((intptr_t)*slot + 1);
    }
    return true;
}

/* Weights of the default profile: TaintToleration 3, NodeAffinity 2,
 * PodTopologySpread 2, NodeResourcesFit 1, BalancedAllocation 1. */
static size_t best(struct pick *p, const char *self_key)
{
    int64_t max_aff = 0, max_taint = 0, max_same = 0;
    const char *owner = ctl_controller_uid(p->pod);
    struct owned o = {.s = p->s, .self = self_key};
    if (owner && p->n > 1) ctl_cache_foreach_owned(p->s->pods, owner, count_owned, &o);
    for (size_t i = 0; i < p->n; i++) {
        struct cand *c = &p->v[i];
        if (o.counts.n) c->same_owner = (intptr_t)ctl_hmap_get(&o.counts, sk_obj_name(c->node));
        if (c->affinity > max_aff) max_aff = c->affinity;
        if (c->prefer_taints > max_taint) max_taint = c->prefer_taints;
        if (c->same_owner > max_same) max_same = c->same_owner;
    }
    ctl_hmap_free(&o.counts, NULL);
    size_t bi = 0;
    for (size_t i = 0; i < p->n; i++) {
        struct cand *c = &p->v[i];
        int64_t aff = max_aff ? c->affinity * 100 / max_aff : 0;
        int64_t taint = max_taint ? 100 - c->prefer_taints * 100 / max_taint : 100;
        int64_t spread = max_same ? (max_same - c->same_owner) * 100 / max_same : 100;
        c->total = c->least + c->balanced + 2 * aff + 3 * taint + 2 * spread;
        if (i == 0) continue;
        struct cand *b = &p->v[bi];
        if (c->total > b->total ||
            (c->total == b->total && strcmp(sk_obj_name(c->node), sk_obj_name(b->node)) < 0))
            bi = i;
    }
    return bi;
}

static void set_condition(struct sk_val *pod, const char *status, const char *reason,
                          const char *message, double now)
{
    struct sk_val *st = sk_map_get(pod, "status");
    if (!sk_val_is(st, SK_V_MAP)) st = sk_map_set(pod, "status", sk_val_map());
    struct sk_val *conds = sk_map_get(st, "conditions");
    if (!sk_val_is(conds, SK_V_ARR)) conds = sk_map_set(st, "conditions", sk_val_arr());
    struct sk_val *c = NULL;
    for (size_t i = 0; i < sk_arr_len(conds) && !c; i++) {
        const char *t = sk_val_str_at(sk_arr_get(conds, i), "type", NULL);
        if (t && !strcmp(t, "PodScheduled")) c = sk_arr_get(conds, i);
    }
    char ts[32];
    if (!c) {
        c = sk_arr_push(conds, sk_val_map());
        sk_map_set(c, "type", sk_val_str("PodScheduled"));
    }
    const char *old = sk_val_str_at(c, "status", NULL);
    if (!old || strcmp(old, status))
        sk_map_set(c, "lastTransitionTime", sk_val_str(ctl_time_str(now, ts)));
    sk_map_set(c, "status", sk_val_str(status));
    sk_map_set(c, "lastProbeTime", sk_val_null());
    if (reason)
        sk_map_set(c, "reason", sk_val_str(reason));
    else
        sk_map_del(c, "reason");
    if (message)
        sk_map_set(c, "message", sk_val_str(message));
    else
        sk_map_del(c, "message");
}

static void bindreq_free(struct bindreq *b)
{
    struct sched *s = b->s;
    if (b->prev)
        b->prev->next = b->next;
    else
        s->binds = b->next;
    if (b->next) b->next->prev = b->prev;
    free(b->key);
    free(b->node);
    free(b);
}

static void bind_done(void *arg, int code, const char *message, const struct sk_val *obj)
{
    struct bindreq *b = arg;
    struct sched *s = b->s;
    if (code == SKIFF_OK && obj) {
        ctl_event(s->c, COMPONENT, obj, "Normal", "Scheduled", "Successfully assigned %s/%s to %s",
                  sk_obj_namespace(obj) ? sk_obj_namespace(obj) : "", sk_obj_name(obj), b->node);
    } else {
        /* a stale copy (409) or a pod gone: forget the assumption, look again */
        ctl_log(s->c, code == SKIFF_ECONFLICT ? SKIFF_LOG_DEBUG : SKIFF_LOG_WARN, "scheduler",
                "pod=%s node=%s bind failed: %s", b->key, b->node, message ? message : "");
        struct contrib *k = ctl_hmap_get(&s->contribs, b->key);
        if (k && k->assumed) contrib_drop(s, b->key);
        ctl_queue_add(s->q, b->key);
    }
    bindreq_free(b);
}

static int bind(struct sched *s, const char *key, const struct sk_val *pod, const char *node)
{
    struct sk_val *cp = sk_val_dup(pod);
    sk_val_set_at(cp, sk_val_str(node), "spec", "nodeName", NULL);
    set_condition(cp, "True", NULL, NULL, ctl_now(s->c));
    struct bindreq *b = sk_xcalloc(1, sizeof(*b));
    b->s = s;
    b->key = sk_xstrdup(key);
    b->node = sk_xstrdup(node);
    b->next = s->binds;
    if (s->binds) s->binds->prev = b;
    s->binds = b;
    int rc = ctl_write(s->c, SKIFF_WRITE_UPDATE, "pods", sk_obj_namespace(pod), sk_obj_name(pod),
                       cp, bind_done, b);
    sk_val_free(cp);
    if (rc != SKIFF_OK) {
        bindreq_free(b);
        return -1;
    }
    contrib_set(s, key, pod, node, true);
    return 0;
}

static void unschedulable(struct sched *s, const char *key, const struct sk_val *pod,
                          const char *msg)
{
    ctl_event(s->c, COMPONENT, pod, "Warning", "FailedScheduling", "%s", msg);
    const struct sk_val *conds = sk_val_at(pod, "status", "conditions", NULL);
    bool same = false;
    for (size_t i = 0; i < sk_arr_len(conds); i++) {
        const struct sk_val *c = sk_arr_get(conds, i);
        const char *t = sk_val_str_at(c, "type", NULL), *st = sk_val_str_at(c, "status", NULL);
        const char *m = sk_val_str_at(c, "message", NULL);
        if (t && !strcmp(t, "PodScheduled") && st && !strcmp(st, "False") && m && !strcmp(m, msg))
            same = true;
    }
    if (!same) {
        struct sk_val *cp = sk_val_dup(pod);
        set_condition(cp, "False", "Unschedulable", msg, ctl_now(s->c));
        ctl_write(s->c, SKIFF_WRITE_UPDATE_STATUS, "pods", sk_obj_namespace(pod), sk_obj_name(pod),
                  cp, NULL, NULL);
        sk_val_free(cp);
    }
    *ctl_hmap_put(&s->unsched, key, NULL) = s;
    ctl_queue_add_after(s->q, key, RETRY_UNSCHEDULABLE);
}

static int sync(void *arg, const char *key)
{
    struct sched *s = arg;
    char ns[254], name[254];
    if (!ctl_key_split(key, ns, sizeof(ns), name, sizeof(name))) return 0;
    const struct sk_val *pod = ctl_cache_get(s->pods, ns, name);
    const struct contrib *k = ctl_hmap_get(&s->contribs, key);
    if (!pod || !needs_scheduling(pod) || (k && k->assumed)) {
        ctl_hmap_del(&s->unsched, key);
        return 0;
    }
    struct pick p = {.s = s, .pod = pod};
    sched_pod_requests(pod, &p.req, &p.nz);
    ctl_cache_foreach(s->nodes, NULL, consider, &p);
    int rc = 0;
    if (p.n) {
        ctl_hmap_del(&s->unsched, key);
        const struct sk_val *node = p.v[best(&p, key)].node;
        rc = bind(s, key, pod, sk_obj_name(node));
    } else {
        char *msg = sched_diag_message(&p.diag);
        unschedulable(s, key, pod, msg);
        free(msg);
    }
    free(p.v);
    sched_diag_free(&p.diag);
    return rc;
}

static int sched_start(struct ctl *c, void **self)
{
    struct sched *s = sk_xcalloc(1, sizeof(*s));
    s->c = c;
    s->nodes = ctl_cache(c, "nodes");
    s->pods = ctl_cache(c, "pods");
    s->q = ctl_queue_new(c, "scheduler", sync, s);
    ctl_cache_on_change(s->nodes, on_node, s);
    ctl_cache_on_change(s->pods, on_pod, s);
    *self = s;
    return 0;
}

static void free_info(void *val)
{
    struct sched_nodeinfo *ni = val;
    sched_nodeinfo_free(ni);
    free(ni);
}

static void sched_stop(void *self)
{
    struct sched *s = self;
    if (!s) return;
    ctl_cache_off_change(s->nodes, on_node, s);
    ctl_cache_off_change(s->pods, on_pod, s);
    ctl_queue_free(s->q);
    while (s->binds)
        bindreq_free(s->binds);
    ctl_hmap_free(&s->contribs, contrib_free);
    ctl_hmap_free(&s->infos, free_info);
    ctl_hmap_free(&s->unsched, NULL);
    free(s);
}

const struct ctl_module ctl_mod_scheduler = {
        .name = "scheduler",
        .start = sched_start,
        .stop = sched_stop,
};
