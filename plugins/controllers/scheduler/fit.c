/* Filters and scores of kube-scheduler's default profile, on sk_val
 * objects: which nodes a pod fits, why the others do not (in the
 * scheduler's exact words), and how well it fits each one. */
#include "sched.h"
#include "mem.h"
#include "quantity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MILLI_CPU 100
#define DEFAULT_MEMORY    (200ll * 1024 * 1024)

static int64_t qty(const struct sk_val *v, bool milli)
{
    struct sk_quantity q;
    if (!v || sk_quantity_from_val(v, &q, NULL, NULL)) return 0;
    return milli ? sk_quantity_milli_value(&q) : sk_quantity_value(&q);
}

/* One container's request of a resource: request, else limit. */
static int64_t creq(const struct sk_val *c, const char *res, bool milli, bool *given)
{
    const struct sk_val *r = sk_val_at(c, "resources", "requests", res, NULL);
    if (!r) r = sk_val_at(c, "resources", "limits", res, NULL);
    *given = r != NULL;
    return qty(r, milli);
}

void sched_pod_requests(const struct sk_val *pod, struct sched_res *req, struct sched_res *nonzero)
{
    struct sched_res r = {0, 0, 1}, nz = {0, 0, 1};
    const struct sk_val *cs = sk_val_at(pod, "spec", "containers", NULL);
    for (size_t i = 0; i < sk_arr_len(cs); i++) {
        const struct sk_val *c = sk_arr_get(cs, i);
        bool g;
        int64_t cpu = creq(c, "cpu", true, &g);
        r.milli_cpu += cpu;
        nz.milli_cpu += g ? cpu : DEFAULT_MILLI_CPU;
        int64_t mem = creq(c, "memory", false, &g);
        r.memory += mem;
        nz.memory += g ? mem : DEFAULT_MEMORY;
    }
    const struct sk_val *ics = sk_val_at(pod, "spec", "initContainers", NULL);
    for (size_t i = 0; i < sk_arr_len(ics); i++) {
        const struct sk_val *c = sk_arr_get(ics, i);
        bool g;
        int64_t cpu = creq(c, "cpu", true, &g);
        if (cpu > r.milli_cpu) r.milli_cpu = cpu;
        if (cpu > nz.milli_cpu) nz.milli_cpu = cpu;
        int64_t mem = creq(c, "memory", false, &g);
        if (mem > r.memory) r.memory = mem;
        if (mem > nz.memory) nz.memory = mem;
    }
    const struct sk_val *oh = sk_val_at(pod, "spec", "overhead", NULL);
    if (oh) {
        r.milli_cpu += qty(sk_map_get(oh, "cpu"), true);
        r.memory += qty(sk_map_get(oh, "memory"), false);
        nz.milli_cpu += qty(sk_map_get(oh, "cpu"), true);
        nz.memory += qty(sk_map_get(oh, "memory"), false);
    }
    if (req) *req = r;
    if (nonzero) *nonzero = nz;
}

size_t sched_pod_ports(const struct sk_val *pod, struct sched_port *out, size_t n)
{
    size_t k = 0;
    const struct sk_val *cs = sk_val_at(pod, "spec", "containers", NULL);
    for (size_t i = 0; i < sk_arr_len(cs); i++) {
        const struct sk_val *ps = sk_map_get(sk_arr_get(cs, i), "ports");
        for (size_t j = 0; j < sk_arr_len(ps); j++) {
            const struct sk_val *p = sk_arr_get(ps, j);
            int64_t hp = sk_val_to_int(sk_map_get(p, "hostPort"), 0);
            if (hp <= 0 || k >= n) continue;
            const char *proto = sk_val_str_at(p, "protocol", NULL);
            const char *ip = sk_val_str_at(p, "hostIP", NULL);
            snprintf(out[k].proto, sizeof(out[k].proto), "%s", proto && *proto ? proto : "TCP");
            snprintf(out[k].ip, sizeof(out[k].ip), "%s", ip && *ip ? ip : "0.0.0.0");
            out[k].port = hp;
            k++;
        }
    }
    return k;
}

void sched_nodeinfo_add(struct sched_nodeinfo *ni, const struct sk_val *pod, int sign)
{
    struct sched_res r, nz;
    sched_pod_requests(pod, &r, &nz);
    ni->req.milli_cpu += sign * r.milli_cpu;
    ni->req.memory += sign * r.memory;
    ni->req.pods += sign;
    ni->nonzero.milli_cpu += sign * nz.milli_cpu;
    ni->nonzero.memory += sign * nz.memory;
    ni->nonzero.pods += sign;
    struct sched_port ps[32];
    size_t np = sched_pod_ports(pod, ps, 32);
    for (size_t i = 0; i < np; i++) {
        if (sign > 0) {
            if (ni->nports == ni->portcap) {
                ni->portcap = ni->portcap ? ni->portcap * 2 : 4;
                ni->ports = sk_xrealloc(ni->ports, ni->portcap * sizeof(*ni->ports));
            }
            ni->ports[ni->nports++] = ps[i];
            continue;
        }
        for (size_t j = 0; j < ni->nports; j++)
            if (ni->ports[j].port == ps[i].port && !strcmp(ni->ports[j].proto, ps[i].proto) &&
                !strcmp(ni->ports[j].ip, ps[i].ip)) {
                ni->ports[j] = ni->ports[--ni->nports];
                break;
            }
    }
}

void sched_nodeinfo_free(struct sched_nodeinfo *ni)
{
    free(ni->ports);
    memset(ni, 0, sizeof(*ni));
}

void sched_node_allocatable(const struct sk_val *node, struct sched_res *out)
{
    const struct sk_val *a = sk_val_at(node, "status", "allocatable", NULL);
    const struct sk_val *cap = sk_val_at(node, "status", "capacity", NULL);
    static const char *const names[] = {"cpu", "memory", "pods"};
    int64_t *dst[] = {&out->milli_cpu, &out->memory, &out->pods};
    for (int i = 0; i < 3; i++) {
        const struct sk_val *v = sk_map_get(a, names[i]);
        if (!v) v = sk_map_get(cap, names[i]);
        /* a Node written by hand without a status: no limit to check */
        *dst[i] = v ? qty(v, i == 0) : INT64_MAX;
    }
}

void sched_alloc_of(const struct sk_val *node, const struct sched_nodeinfo *ni,
                    struct sched_res *out)
{
    if (ni && ni->alloc_set)
        *out = ni->alloc;
    else
        sched_node_allocatable(node, out);
}

/* ---- filters ---- */

static void reason(struct sched_status *st, const char *fmt, const char *a, const char *b)
{
    if (st->n >= 4) return;
    snprintf(st->reasons[st->n++], sizeof(st->reasons[0]), fmt, a, b);
}

static bool str_in(const struct sk_val *arr, const char *s)
{
    for (size_t i = 0; i < sk_arr_len(arr); i++) {
        const char *x = sk_val_cstr(sk_arr_get(arr, i));
        if (x && s && !strcmp(x, s)) return true;
    }
    return false;
}

bool sched_tolerates(const struct sk_val *tolerations, const struct sk_val *taint)
{
    const char *tkey = sk_val_str_at(taint, "key", NULL);
    const char *tval = sk_val_str_at(taint, "value", NULL);
    const char *teff = sk_val_str_at(taint, "effect", NULL);
    for (size_t i = 0; i < sk_arr_len(tolerations); i++) {
        const struct sk_val *t = sk_arr_get(tolerations, i);
        const char *eff = sk_val_str_at(t, "effect", NULL);
        if (eff && *eff && (!teff || strcmp(eff, teff))) continue;
        const char *key = sk_val_str_at(t, "key", NULL);
        const char *op = sk_val_str_at(t, "operator", NULL);
        bool exists = op && !strcmp(op, "Exists");
        if (key && *key) {
            if (!tkey || strcmp(key, tkey)) continue;
        } else if (!exists) {
            continue; /* an empty key needs operator Exists */
        }
        if (exists) return true;
        if (op && *op && strcmp(op, "Equal")) continue;
        const char *val = sk_val_str_at(t, "value", NULL);
        if (!strcmp(val ? val : "", tval ? tval : "")) return true;
    }
    return false;
}

/* The taints of node, plus those the node lifecycle controller would put
 * on it for its Ready condition and spec.unschedulable (skiff has no such
 * controller yet, so they are derived here). */
static size_t node_taints(const struct sk_val *node, const struct sk_val **out, size_t n,
                          struct sk_val *scratch)
{
    size_t k = 0;
    const struct sk_val *ts = sk_val_at(node, "spec", "taints", NULL);
    for (size_t i = 0; i < sk_arr_len(ts) && k < n; i++)
        out[k++] = sk_arr_get(ts, i);
    const struct sk_val *conds = sk_val_at(node, "status", "conditions", NULL);
    for (size_t i = 0; i < sk_arr_len(conds); i++) {
        const struct sk_val *c = sk_arr_get(conds, i);
        const char *type = sk_val_str_at(c, "type", NULL);
        const char *status = sk_val_str_at(c, "status", NULL);
        if (!type || strcmp(type, "Ready") || !status || !strcmp(status, "True")) continue;
        const char *key = !strcmp(status, "False") ? "node.kubernetes.io/not-ready"
                                                   : "node.kubernetes.io/unreachable";
        bool have = false;
        for (size_t j = 0; j < k; j++)
            if (!strcmp(sk_val_str_at(out[j], "key", NULL) ? sk_val_str_at(out[j], "key", NULL)
                                                           : "",
                        key))
                have = true;
        if (!have && k < n) {
            sk_map_set(scratch, "key", sk_val_str(key));
            sk_map_set(scratch, "effect", sk_val_str("NoSchedule"));
            out[k++] = scratch;
        }
    }
    return k;
}

static bool f_unschedulable(const struct sk_val *pod, const struct sk_val *node,
                            struct sched_status *st)
{
    if (!sk_val_to_bool(sk_val_at(node, "spec", "unschedulable", NULL), false)) return true;
    struct sk_val *t = sk_val_map();
    sk_map_set(t, "key", sk_val_str("node.kubernetes.io/unschedulable"));
    sk_map_set(t, "effect", sk_val_str("NoSchedule"));
    bool ok = sched_tolerates(sk_val_at(pod, "spec", "tolerations", NULL), t);
    sk_val_free(t);
    if (ok) return true;
    reason(st, "node(s) were unschedulable", NULL, NULL);
    st->unresolvable = true;
    return false;
}

static bool f_node_name(const struct sk_val *pod, const struct sk_val *node,
                        struct sched_status *st)
{
    const char *want = sk_val_str_at(pod, "spec", "nodeName", NULL);
    if (!want || !*want || !strcmp(want, sk_obj_name(node) ? sk_obj_name(node) : "")) return true;
    reason(st, "node(s) didn't match the requested node name", NULL, NULL);
    st->unresolvable = true;
    return false;
}

static bool f_taints(const struct sk_val *pod, const struct sk_val *node, struct sched_status *st)
{
    const struct sk_val *taints[64];
    struct sk_val *scratch = sk_val_map();
    size_t n = node_taints(node, taints, 64, scratch);
    const struct sk_val *tols = sk_val_at(pod, "spec", "tolerations", NULL);
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        const char *eff = sk_val_str_at(taints[i], "effect", NULL);
        if (!eff || (strcmp(eff, "NoSchedule") && strcmp(eff, "NoExecute"))) continue;
        if (sched_tolerates(tols, taints[i])) continue;
        const char *k = sk_val_str_at(taints[i], "key", NULL);
        const char *v = sk_val_str_at(taints[i], "value", NULL);
        reason(st, "node(s) had untolerated taint {%s: %s}", k ? k : "", v ? v : "");
        st->unresolvable = true;
        ok = false;
    }
    sk_val_free(scratch);
    return ok;
}

bool sched_node_selector_match(const struct sk_val *pod, const struct sk_val *node)
{
    const struct sk_val *sel = sk_val_at(pod, "spec", "nodeSelector", NULL);
    for (size_t i = 0; sk_val_is(sel, SK_V_MAP) && i < sel->u.m.n; i++) {
        const char *want = sk_val_cstr(sel->u.m.kv[i].val);
        const char *have = sk_obj_label(node, sel->u.m.kv[i].key);
        if (!have || !want || strcmp(have, want)) return false;
    }
    return true;
}

static bool parse_int(const char *s, int64_t *out)
{
    if (!s || !*s) return false;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*end) return false;
    *out = v;
    return true;
}

static bool expr_match(const struct sk_val *e, const char *have, bool present)
{
    const char *op = sk_val_str_at(e, "operator", NULL);
    const struct sk_val *vals = sk_map_get(e, "values");
    if (!op) return false;
    if (!strcmp(op, "In")) return present && str_in(vals, have);
    if (!strcmp(op, "NotIn")) return !present || !str_in(vals, have);
    if (!strcmp(op, "Exists")) return present;
    if (!strcmp(op, "DoesNotExist")) return !present;
    if (!strcmp(op, "Gt") || !strcmp(op, "Lt")) {
        int64_t a, b;
        if (!present || sk_arr_len(vals) != 1 || !parse_int(have, &a) ||
            !parse_int(sk_val_cstr(sk_arr_get(vals, 0)), &b))
            return false;
        return !strcmp(op, "Gt") ? a > b : a < b;
    }
    return false;
}

bool sched_node_selector_term_match(const struct sk_val *term, const struct sk_val *node)
{
    const struct sk_val *exprs = sk_map_get(term, "matchExpressions");
    const struct sk_val *fields = sk_map_get(term, "matchFields");
    if (!sk_arr_len(exprs) && !sk_arr_len(fields)) return false; /* matches no objects */
    for (size_t i = 0; i < sk_arr_len(exprs); i++) {
        const struct sk_val *e = sk_arr_get(exprs, i);
        const char *key = sk_val_str_at(e, "key", NULL);
        const char *have = key ? sk_obj_label(node, key) : NULL;
        if (!expr_match(e, have, have != NULL)) return false;
    }
    for (size_t i = 0; i < sk_arr_len(fields); i++) {
        const struct sk_val *e = sk_arr_get(fields, i);
        const char *key = sk_val_str_at(e, "key", NULL);
        if (!key || strcmp(key, "metadata.name")) return false;
        const char *op = sk_val_str_at(e, "operator", NULL);
        if (!op || (strcmp(op, "In") && strcmp(op, "NotIn"))) return false;
        if (!expr_match(e, sk_obj_name(node), true)) return false;
    }
    return true;
}

static bool f_affinity(const struct sk_val *pod, const struct sk_val *node, struct sched_status *st)
{
    bool ok = sched_node_selector_match(pod, node);
    const struct sk_val *terms =
            sk_val_at(pod, "spec", "affinity", "nodeAffinity",
                      "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms", NULL);
    if (ok && terms) {
        ok = false;
        for (size_t i = 0; i < sk_arr_len(terms) && !ok; i++)
            ok = sched_node_selector_term_match(sk_arr_get(terms, i), node);
    }
    if (ok) return true;
    reason(st, "node(s) didn't match Pod's node affinity/selector", NULL, NULL);
    st->unresolvable = true;
    return false;
}

static bool ports_conflict(const struct sched_port *a, const struct sched_port *b)
{
    if (a->port != b->port || strcmp(a->proto, b->proto)) return false;
    return !strcmp(a->ip, "0.0.0.0") || !strcmp(b->ip, "0.0.0.0") || !strcmp(a->ip, b->ip);
}

static bool f_ports(const struct sk_val *pod, const struct sched_nodeinfo *ni,
                    struct sched_status *st)
{
    if (!ni || !ni->nports) return true;
    struct sched_port ps[32];
    size_t np = sched_pod_ports(pod, ps, 32);
    for (size_t i = 0; i < np; i++)
        for (size_t j = 0; j < ni->nports; j++)
            if (ports_conflict(&ps[i], &ni->ports[j])) {
                reason(st, "node(s) didn't have free ports for the requested pod ports", NULL,
                       NULL);
                return false;
            }
    return true;
}

static bool f_resources(const struct sk_val *pod, const struct sched_res *req,
                        const struct sk_val *node, const struct sched_nodeinfo *ni,
                        struct sched_status *st)
{
    struct sched_res alloc, r, used = {0, 0, 0};
    sched_alloc_of(node, ni, &alloc);
    if (req)
        r = *req;
    else
        sched_pod_requests(pod, &r, NULL);
    if (ni) used = ni->req;
    bool ok = true;
    if (alloc.pods != INT64_MAX && used.pods + 1 > alloc.pods) {
        reason(st, "Too many pods", NULL, NULL);
        ok = false;
    }
    if (r.milli_cpu > 0 && alloc.milli_cpu != INT64_MAX &&
        r.milli_cpu > alloc.milli_cpu - used.milli_cpu) {
        reason(st, "Insufficient cpu", NULL, NULL);
        if (r.milli_cpu > alloc.milli_cpu) st->unresolvable = true;
        ok = false;
    }
    if (r.memory > 0 && alloc.memory != INT64_MAX && r.memory > alloc.memory - used.memory) {
        reason(st, "Insufficient memory", NULL, NULL);
        if (r.memory > alloc.memory) st->unresolvable = true;
        ok = false;
    }
    return ok;
}

bool sched_filter(const struct sk_val *pod, const struct sched_res *req, const struct sk_val *node,
                  const struct sched_nodeinfo *ni, struct sched_status *st)
{
    memset(st, 0, sizeof(*st));
    return f_unschedulable(pod, node, st) && f_node_name(pod, node, st) &&
           f_taints(pod, node, st) && f_affinity(pod, node, st) && f_ports(pod, ni, st) &&
           f_resources(pod, req, node, ni, st);
}

/* ---- scores ---- */

static int64_t least(int64_t req, int64_t cap)
{
    if (cap == 0 || cap == INT64_MAX) return cap == INT64_MAX ? 100 : 0;
    if (req > cap) return 0;
    return (cap - req) * 100 / cap;
}

int64_t sched_score_least_allocated(const struct sk_val *node, const struct sched_nodeinfo *ni,
                                    const struct sched_res *pod_nonzero)
{
    struct sched_res alloc;
    sched_alloc_of(node, ni, &alloc);
    int64_t cpu = pod_nonzero->milli_cpu + (ni ? ni->nonzero.milli_cpu : 0);
    int64_t mem = pod_nonzero->memory + (ni ? ni->nonzero.memory : 0);
    return (least(cpu, alloc.milli_cpu) + least(mem, alloc.memory)) / 2;
}

static double fraction(int64_t req, int64_t cap)
{
    if (cap == INT64_MAX) return 0;
    if (cap <= 0) return 1;
    double f = (double)req / (double)cap;
    return f > 1 ? 1 : f;
}

int64_t sched_score_balanced(const struct sk_val *node, const struct sched_nodeinfo *ni,
                             const struct sched_res *pod_req)
{
    struct sched_res alloc;
    sched_alloc_of(node, ni, &alloc);
    double fc = fraction(pod_req->milli_cpu + (ni ? ni->req.milli_cpu : 0), alloc.milli_cpu);
    double fm = fraction(pod_req->memory + (ni ? ni->req.memory : 0), alloc.memory);
    /* the standard deviation of two fractions is half their distance */
    double sd = (fc > fm ? fc - fm : fm - fc) / 2;
    return (int64_t)((1 - sd) * 100);
}

int64_t sched_score_node_affinity(const struct sk_val *pod, const struct sk_val *node)
{
    const struct sk_val *prefs = sk_val_at(pod, "spec", "affinity", "nodeAffinity",
                                           "preferredDuringSchedulingIgnoredDuringExecution", NULL);
    int64_t sum = 0;
    for (size_t i = 0; i < sk_arr_len(prefs); i++) {
        const struct sk_val *p = sk_arr_get(prefs, i);
        int64_t w = sk_val_to_int(sk_map_get(p, "weight"), 0);
        if (w && sched_node_selector_term_match(sk_map_get(p, "preference"), node)) sum += w;
    }
    return sum;
}

int64_t sched_count_intolerable_prefer(const struct sk_val *pod, const struct sk_val *node)
{
    const struct sk_val *ts = sk_val_at(node, "spec", "taints", NULL);
    const struct sk_val *tols = sk_val_at(pod, "spec", "tolerations", NULL);
    int64_t n = 0;
    for (size_t i = 0; i < sk_arr_len(ts); i++) {
        const struct sk_val *t = sk_arr_get(ts, i);
        const char *eff = sk_val_str_at(t, "effect", NULL);
        if (eff && !strcmp(eff, "PreferNoSchedule") && !sched_tolerates(tols, t)) n++;
    }
    return n;
}

/* ---- the FitError message ---- */

void sched_diag_add(struct sched_diag *d, const struct sched_status *st)
{
    d->nnodes++;
    if (st->unresolvable)
        d->unresolvable++;
    else
        d->resolvable++;
    for (size_t i = 0; i < st->n; i++) {
        size_t j = 0;
        while (j < d->n && strcmp(d->keys[j], st->reasons[i]))
            j++;
        if (j == d->n) {
            if (d->n == d->cap) {
                d->cap = d->cap ? d->cap * 2 : 8;
                d->keys = sk_xrealloc(d->keys, d->cap * sizeof(*d->keys));
                d->counts = sk_xrealloc(d->counts, d->cap * sizeof(*d->counts));
            }
            d->keys[d->n] = sk_xstrdup(st->reasons[i]);
            d->counts[d->n++] = 0;
        }
        d->counts[j]++;
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *sched_diag_message(const struct sched_diag *d)
{
    /* kube-scheduler's words when the cluster has no node at all */
    if (d->nnodes == 0) return sk_xstrdup("no nodes available to schedule pods");
    struct sk_buf b = {0};
    sk_buf_printf(&b, "0/%zu nodes are available:", d->nnodes);
    char **items = sk_xcalloc(d->n ? d->n : 1, sizeof(char *));
    for (size_t i = 0; i < d->n; i++)
        items[i] = sk_xasprintf("%lld %s", (long long)d->counts[i], d->keys[i]);
    /* Go sorts the "count reason" strings as strings */
    qsort(items, d->n, sizeof(char *), cmp_str);
    for (size_t i = 0; i < d->n; i++) {
        sk_buf_printf(&b, "%s%s", i ? ", " : " ", items[i]);
        free(items[i]);
    }
    free(items);
    sk_buf_printf(&b, ". preemption: 0/%zu nodes are available:", d->nnodes);
    char *p[2];
    size_t np = 0;
    if (d->resolvable)
        p[np++] = sk_xasprintf("%lld No preemption victims found for incoming pod",
                               (long long)d->resolvable);
    if (d->unresolvable)
        p[np++] = sk_xasprintf("%lld Preemption is not helpful for scheduling",
                               (long long)d->unresolvable);
    qsort(p, np, sizeof(char *), cmp_str);
    for (size_t i = 0; i < np; i++) {
        sk_buf_printf(&b, "%s%s", i ? ", " : " ", p[i]);
        free(p[i]);
    }
    sk_buf_putc(&b, '.');
    return sk_buf_take(&b, NULL);
}

void sched_diag_free(struct sched_diag *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->keys[i]);
    free(d->keys);
    free(d->counts);
    memset(d, 0, sizeof(*d));
}
