/* The DaemonSet controller's decisions (see ds_logic.h). */
#include "ds_logic.h"

#include "../ctl.h"
#include "../podutil.h"
#include "../scheduler/sched.h"
#include "mem.h"
#include "quantity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* AddOrUpdateDaemonPodTolerations */
static const struct {
    const char *key, *effect;
} default_tolerations[] = {
        {"node.kubernetes.io/not-ready", "NoExecute"},
        {"node.kubernetes.io/unreachable", "NoExecute"},
        {"node.kubernetes.io/disk-pressure", "NoSchedule"},
        {"node.kubernetes.io/memory-pressure", "NoSchedule"},
        {"node.kubernetes.io/pid-pressure", "NoSchedule"},
        {"node.kubernetes.io/unschedulable", "NoSchedule"},
};

static bool has_toleration(const struct sk_val *tols, const char *key, const char *effect)
{
    for (size_t i = 0; i < sk_arr_len(tols); i++) {
        const struct sk_val *t = sk_arr_get(tols, i);
        const char *k = sk_val_str_at(t, "key", NULL), *e = sk_val_str_at(t, "effect", NULL);
        const char *op = sk_val_str_at(t, "operator", NULL);
        if (k && !strcmp(k, key) && e && !strcmp(e, effect) && op && !strcmp(op, "Exists"))
            return true;
    }
    return false;
}

static void add_tolerations(struct sk_val *podspec)
{
    struct sk_val *tols = sk_map_get(podspec, "tolerations");
    if (!sk_val_is(tols, SK_V_ARR)) tols = sk_map_set(podspec, "tolerations", sk_val_arr());
    size_t n = sizeof(default_tolerations) / sizeof(default_tolerations[0]);
    for (size_t i = 0; i < n; i++) {
        if (has_toleration(tols, default_tolerations[i].key, default_tolerations[i].effect))
            continue;
        struct sk_val *t = sk_arr_push(tols, sk_val_map());
        sk_map_set(t, "key", sk_val_str(default_tolerations[i].key));
        sk_map_set(t, "operator", sk_val_str("Exists"));
        sk_map_set(t, "effect", sk_val_str(default_tolerations[i].effect));
    }
    if (sk_val_to_bool(sk_map_get(podspec, "hostNetwork"), false) &&
        !has_toleration(tols, "node.kubernetes.io/network-unavailable", "NoSchedule")) {
        struct sk_val *t = sk_arr_push(tols, sk_val_map());
        sk_map_set(t, "key", sk_val_str("node.kubernetes.io/network-unavailable"));
        sk_map_set(t, "operator", sk_val_str("Exists"));
        sk_map_set(t, "effect", sk_val_str("NoSchedule"));
    }
}

/* ReplaceDaemonSetPodNodeNameNodeAffinity */
static void pin_to_node(struct sk_val *podspec, const char *node)
{
    struct sk_val *req = sk_val_map();
    sk_map_set(req, "key", sk_val_str("metadata.name"));
    sk_map_set(req, "operator", sk_val_str("In"));
    sk_arr_push(sk_map_set(req, "values", sk_val_arr()), sk_val_str(node));
    struct sk_val *term = sk_val_map();
    sk_arr_push(sk_map_set(term, "matchFields", sk_val_arr()), req);
    struct sk_val *terms = sk_val_arr();
    sk_arr_push(terms, term);
    sk_val_set_at(podspec, terms, "affinity", "nodeAffinity",
                  "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms", NULL);
}

struct sk_val *ds_new_pod(const struct sk_val *ds, const char *node, const char *hash)
{
    const struct sk_val *tmpl = sk_val_at(ds, "spec", "template", NULL);
    struct sk_val *ref = ctl_owner_ref(ds);
    struct sk_val *pod = pu_pod_from_template(tmpl, sk_obj_namespace(ds), sk_obj_name(ds), ref);
    sk_val_free(ref);
    if (hash) sk_obj_set_label(pod, DS_HASH_LABEL, hash);
    const char *gen = sk_obj_annotation(ds, DS_GEN_ANNOTATION);
    if (gen) sk_obj_set_label(pod, DS_GEN_LABEL, gen);
    struct sk_val *spec = sk_map_get(pod, "spec");
    add_tolerations(spec);
    if (node) pin_to_node(spec, node);
    return pod;
}

const char *ds_pod_target_node(const struct sk_val *pod)
{
    const char *n = sk_val_str_at(pod, "spec", "nodeName", NULL);
    if (n && *n) return n;
    const struct sk_val *terms =
            sk_val_at(pod, "spec", "affinity", "nodeAffinity",
                      "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms", NULL);
    for (size_t i = 0; i < sk_arr_len(terms); i++) {
        const struct sk_val *mf = sk_map_get(sk_arr_get(terms, i), "matchFields");
        for (size_t j = 0; j < sk_arr_len(mf); j++) {
            const struct sk_val *r = sk_arr_get(mf, j);
            const char *k = sk_val_str_at(r, "key", NULL), *op = sk_val_str_at(r, "operator", NULL);
            const struct sk_val *vals = sk_map_get(r, "values");
            if (k && op && !strcmp(k, "metadata.name") && !strcmp(op, "In") &&
                sk_arr_len(vals) == 1)
                return sk_val_cstr(sk_arr_get(vals, 0));
        }
    }
    return NULL;
}

void ds_node_should_run(const struct sk_val *ds, const struct sk_val *node, bool *run, bool *keep)
{
    *run = *keep = false;
    const char *nn = sk_obj_name(node);
    const char *want = sk_val_str_at(ds, "spec", "template", "spec", "nodeName", NULL);
    if (!nn || (want && *want && strcmp(want, nn))) return;
    struct sk_val *pod = ds_new_pod(ds, nn, NULL);
    bool fits = sched_node_selector_match(pod, node);
    /* the template's own required affinity (before pinning) */
    const struct sk_val *terms =
            sk_val_at(ds, "spec", "template", "spec", "affinity", "nodeAffinity",
                      "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms", NULL);
    if (fits && sk_arr_len(terms)) {
        bool any = false;
        for (size_t i = 0; i < sk_arr_len(terms) && !any; i++)
            any = sched_node_selector_term_match(sk_arr_get(terms, i), node);
        fits = any;
    }
    if (!fits) {
        sk_val_free(pod);
        return;
    }
    const struct sk_val *tols = sk_val_at(pod, "spec", "tolerations", NULL);
    const struct sk_val *taints = sk_val_at(node, "spec", "taints", NULL);
    bool untol_sched = false, untol_exec = false;
    for (size_t i = 0; i < sk_arr_len(taints); i++) {
        const struct sk_val *t = sk_arr_get(taints, i);
        const char *eff = sk_val_str_at(t, "effect", NULL);
        if (!eff || (strcmp(eff, "NoSchedule") && strcmp(eff, "NoExecute"))) continue;
        if (sched_tolerates(tols, t)) continue;
        if (!strcmp(eff, "NoExecute"))
            untol_exec = true;
        else
            untol_sched = true;
    }
    sk_val_free(pod);
    *run = !untol_sched && !untol_exec;
    *keep = !untol_exec;
}

struct sk_val *ds_revision_data(const struct sk_val *ds)
{
    const struct sk_val *t = sk_val_at(ds, "spec", "template", NULL);
    struct sk_val *tm = sk_val_is(t, SK_V_MAP) ? sk_val_dup(t) : sk_val_map();
    sk_map_set(tm, "$patch", sk_val_str("replace"));
    struct sk_val *d = sk_val_map();
    sk_map_set(sk_map_set(d, "spec", sk_val_map()), "template", tm);
    return d;
}

void ds_plan_free(struct ds_plan *p)
{
    for (size_t i = 0; i < p->ncreate; i++)
        free(p->create[i]);
    free(p->create);
    free(p->del);
    free(p->failed);
    sk_val_free(p->status);
    memset(p, 0, sizeof(*p));
}

static void push(const struct sk_val ***a, size_t *n, const struct sk_val *v)
{
    *a = sk_xrealloc(*a, (*n + 1) * sizeof(**a));
    (*a)[(*n)++] = v;
}

static void push_create(struct ds_plan *p, const char *node)
{
    p->create = sk_xrealloc(p->create, (p->ncreate + 1) * sizeof(*p->create));
    p->create[p->ncreate++] = sk_xstrdup(node);
}

static bool pod_updated(const struct sk_val *pod, const char *hash, const char *gen)
{
    const char *h = sk_obj_label(pod, DS_HASH_LABEL);
    if (h && hash) return !strcmp(h, hash);
    const char *g = sk_obj_label(pod, DS_GEN_LABEL);
    return g && gen && !strcmp(g, gen);
}

static int by_created(const void *a, const void *b)
{
    double x = pu_obj_created(*(const struct sk_val *const *)a);
    double y = pu_obj_created(*(const struct sk_val *const *)b);
    return x < y ? -1 : x > y;
}

/* Per node: its daemon pods (not being deleted). */
struct node_pods {
    const char *node;
    const struct sk_val **v;
    size_t n;
    bool run, keep, exists;
};

void ds_plan(const struct sk_val *ds, const struct sk_val *const *nodes, size_t nnodes,
             const struct sk_val *const *pods, size_t npods, const char *hash, double now,
             struct ds_plan *out)
{
    memset(out, 0, sizeof(*out));
    size_t cap = nnodes + npods + 1, nn = 0;
    struct node_pods *np = sk_xcalloc(cap, sizeof(*np));
    for (size_t i = 0; i < nnodes; i++) {
        np[nn].node = sk_obj_name(nodes[i]);
        if (!np[nn].node) continue;
        np[nn].exists = true;
        ds_node_should_run(ds, nodes[i], &np[nn].run, &np[nn].keep);
        nn++;
    }
    for (size_t i = 0; i < npods; i++) {
        if (pu_deleting(pods[i])) continue;
        const char *t = ds_pod_target_node(pods[i]);
        if (!t) {
            push(&out->del, &out->ndel, pods[i]); /* a daemon pod with no node: not ours to keep */
            continue;
        }
        size_t k = 0;
        while (k < nn && strcmp(np[k].node, t))
            k++;
        if (k == nn) np[nn++].node = t; /* its node is gone */
        push(&np[k].v, &np[k].n, pods[i]);
    }
    const char *gen = sk_obj_annotation(ds, DS_GEN_ANNOTATION);
    int64_t min_ready = pu_int_at(ds, "spec", "minReadySeconds", 0);
    const char *strategy = sk_val_str_at(ds, "spec", "updateStrategy", "type", NULL);
    bool rolling = !strategy || !strcmp(strategy, "RollingUpdate");
    int64_t desired = 0, current = 0, miss = 0, ready = 0, avail = 0, updated = 0;
    for (size_t k = 0; k < nn; k++)
        if (np[k].run) desired++;
    int64_t max_unavail = 1, max_surge = 0;
    if (rolling) {
        const struct sk_val *ru = sk_val_at(ds, "spec", "updateStrategy", "rollingUpdate", NULL);
        const struct sk_val *mu = sk_map_get(ru, "maxUnavailable");
        const struct sk_val *ms = sk_map_get(ru, "maxSurge");
        if (mu && sk_intstr_scaled(mu, desired, true, &max_unavail, NULL)) max_unavail = 1;
        if (!mu) max_unavail = 1;
        if (ms && sk_intstr_scaled(ms, desired, true, &max_surge, NULL)) max_surge = 0;
        if (max_unavail == 0 && max_surge == 0) max_unavail = 1;
    }
    /* first pass: placement, failures and counts */
    int64_t unavailable = 0;
    for (size_t k = 0; k < nn; k++) {
        struct node_pods *x = &np[k];
        if (x->n > 1) qsort(x->v, x->n, sizeof(*x->v), by_created);
        if (x->run || (x->keep && x->n)) {
            /* failed daemon pods are killed and replaced */
            size_t live = 0, had = x->n;
            for (size_t i = 0; i < x->n; i++) {
                const char *ph = pu_pod_phase(x->v[i]);
                if (!strcmp(ph, "Failed") || !strcmp(ph, "Succeeded")) {
                    push(&out->del, &out->ndel, x->v[i]);
                    if (!strcmp(ph, "Failed")) push(&out->failed, &out->nfailed, x->v[i]);
                } else {
                    x->v[live++] = x->v[i];
                }
            }
            x->n = live;
            /* a replacement comes once the finished pod is gone */
            if (!had && x->run) push_create(out, x->node);
            /* more than one: keep the oldest (and during a surge the
             * newest updated one too) */
            if (x->n > 1) {
                size_t keep_new = 0;
                for (size_t i = x->n; i-- > 1;)
                    if (rolling && max_surge > 0 && pod_updated(x->v[i], hash, gen) &&
                        !pod_updated(x->v[0], hash, gen)) {
                        keep_new = i;
                        break;
                    }
                for (size_t i = 1; i < x->n; i++)
                    if (i != keep_new) push(&out->del, &out->ndel, x->v[i]);
                if (keep_new) {
                    x->v[1] = x->v[keep_new];
                    x->n = 2;
                } else {
                    x->n = 1;
                }
            }
        } else {
            for (size_t i = 0; i < x->n; i++)
                push(&out->del, &out->ndel, x->v[i]);
        }
        if (x->n && !x->run) miss++;
        if (x->run) {
            if (x->n) {
                current++;
                const struct sk_val *p = x->v[0];
                if (x->n > 1 && pod_updated(x->v[1], hash, gen)) p = x->v[1];
                if (pu_pod_ready(p)) ready++;
                if (pu_pod_available(p, min_ready, now)) {
                    avail++;
                } else {
                    unavailable++;
                    double at = pu_pod_available_at(p, min_ready);
                    if (at > now && (out->requeue <= 0 || at - now < out->requeue))
                        out->requeue = at - now + 0.001;
                }
                if (pod_updated(p, hash, gen)) updated++;
            } else {
                unavailable++;
            }
        }
    }
    /* second pass: the rolling update */
    if (rolling) {
        int64_t surging = 0;
        for (size_t k = 0; k < nn; k++)
            if (np[k].run && np[k].n == 2) surging++;
        for (size_t k = 0; k < nn; k++) {
            struct node_pods *x = &np[k];
            if (!x->run || !x->n) continue;
            const struct sk_val *old = x->v[0];
            if (pod_updated(old, hash, gen)) continue;
            bool old_avail = pu_pod_available(old, min_ready, now);
            if (max_surge > 0) {
                if (x->n == 2) {
                    /* the new pod is there: the old one goes once it is available */
                    if (pu_pod_available(x->v[1], min_ready, now) || !old_avail)
                        push(&out->del, &out->ndel, old);
                } else if (!old_avail) {
                    push(&out->del, &out->ndel, old);
                } else if (surging < max_surge) {
                    push_create(out, x->node);
                    surging++;
                }
                continue;
            }
            if (!old_avail) {
                push(&out->del, &out->ndel, old); /* already unavailable: costs nothing */
            } else if (unavailable < max_unavail) {
                push(&out->del, &out->ndel, old);
                unavailable++;
            }
        }
    }
    for (size_t k = 0; k < nn; k++)
        free(np[k].v);
    free(np);

    const struct sk_val *old = sk_map_get(ds, "status");
    struct sk_val *st = sk_val_is(old, SK_V_MAP) ? sk_val_dup(old) : sk_val_map();
    sk_map_set(st, "currentNumberScheduled", sk_val_int(current));
    sk_map_set(st, "numberMisscheduled", sk_val_int(miss));
    sk_map_set(st, "desiredNumberScheduled", sk_val_int(desired));
    sk_map_set(st, "numberReady", sk_val_int(ready));
    int64_t og = pu_int_at(ds, "metadata", "generation", 0);
    if (og) sk_map_set(st, "observedGeneration", sk_val_int(og));
    if (updated)
        sk_map_set(st, "updatedNumberScheduled", sk_val_int(updated));
    else
        sk_map_del(st, "updatedNumberScheduled");
    if (avail)
        sk_map_set(st, "numberAvailable", sk_val_int(avail));
    else
        sk_map_del(st, "numberAvailable");
    if (desired - avail > 0)
        sk_map_set(st, "numberUnavailable", sk_val_int(desired - avail));
    else
        sk_map_del(st, "numberUnavailable");
    if (sk_val_equal(st, old))
        sk_val_free(st);
    else
        out->status = st;
}
