/* Decisions of the ReplicaSet / ReplicationController controller, as
 * kube-controller-manager's replica_set.go and controller_utils.go make
 * them: deletion order, slow-start batches and status (rs_logic.h). */
#include "rs_logic.h"

#include "../ctl.h"
#include "../podutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int phase_ordinal(const struct sk_val *pod)
{
    const char *ph = pu_pod_phase(pod);
    if (!strcmp(ph, "Unknown")) return 1;
    if (!strcmp(ph, "Running")) return 2;
    return 0; /* Pending, and anything else */
}

static int64_t deletion_cost(const struct sk_val *pod)
{
    const char *s = sk_obj_annotation(pod, "controller.kubernetes.io/pod-deletion-cost");
    if (!s) return 0;
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v > INT32_MAX || v < INT32_MIN) return 0;
    return v;
}

/* log2 bucket of now - t (upstream counts nanoseconds), -1 when not
 * after t */
static int64_t log_bucket(double t, double now)
{
    double d = (now - t) * 1e9;
    if (d <= 0) return -1;
    return (int64_t)log2(d);
}

static int cmp_uid(const struct sk_val *a, const struct sk_val *b)
{
    const char *x = pu_uid(a), *y = pu_uid(b);
    return strcmp(x ? x : "", y ? y : "");
}

/* Less(i, j) of ActivePodsWithRanks as a three-way compare */
static int cmp_rank(const void *pa, const void *pb, void *arg)
{
    double now = *(const double *)arg;
    const struct rs_podrank *a = pa, *b = pb;
    const struct sk_val *x = a->pod, *y = b->pod;
    const char *nx = sk_val_str_at(x, "spec", "nodeName", NULL);
    const char *ny = sk_val_str_at(y, "spec", "nodeName", NULL);
    bool ax = nx && *nx, ay = ny && *ny;
    if (ax != ay) return ax ? 1 : -1;
    int ox = phase_ordinal(x), oy = phase_ordinal(y);
    if (ox != oy) return ox < oy ? -1 : 1;
    bool rx = pu_pod_ready(x), ry = pu_pod_ready(y);
    if (rx != ry) return rx ? 1 : -1;
    int64_t cx = deletion_cost(x), cy = deletion_cost(y);
    if (cx != cy) return cx < cy ? -1 : 1;
    if (a->rank != b->rank) return a->rank > b->rank ? -1 : 1;
    if (rx && ry) {
        double tx = pu_pod_ready_since(x), ty = pu_pod_ready_since(y);
        if (tx != ty) {
            if (tx < 0 || ty < 0) return tx < 0 ? -1 : 1; /* zero time first */
            int64_t d = log_bucket(tx, now) - log_bucket(ty, now);
            if (d == 0) return cmp_uid(x, y) < 0 ? -1 : (cmp_uid(x, y) > 0);
            return d < 0 ? -1 : 1;
        }
    }
    int64_t sx = pu_pod_max_restarts(x), sy = pu_pod_max_restarts(y);
    if (sx != sy) return sx > sy ? -1 : 1;
    double tx = pu_obj_created(x), ty = pu_obj_created(y);
    if (tx != ty) {
        if (tx < 0 || ty < 0) return tx < 0 ? -1 : 1;
        int64_t d = log_bucket(tx, now) - log_bucket(ty, now);
        if (d == 0) return cmp_uid(x, y) < 0 ? -1 : (cmp_uid(x, y) > 0);
        return d < 0 ? -1 : 1;
    }
    return 0;
}

void rs_sort_for_deletion(struct rs_podrank *p, size_t n, double now)
{
    /* qsort is not stable; ties keep no meaning upstream either (sort.Sort) */
    if (n > 1) qsort_r(p, n, sizeof(*p), cmp_rank, &now);
}

int64_t rs_first_batch(int64_t total)
{
    return total < 1 ? total : 1;
}

int64_t rs_next_batch(int64_t done, int64_t remaining)
{
    int64_t b = 2 * done;
    return b < remaining ? b : remaining;
}

struct sk_val *rs_calc_status(const struct sk_val *owner, const struct sk_val *const *pods,
                              size_t n, int64_t min_ready, const char *manage_err, int64_t diff,
                              double now)
{
    const struct sk_val *old = sk_map_get(owner, "status");
    struct sk_val *st = sk_val_is(old, SK_V_MAP) ? sk_val_dup(old) : sk_val_map();
    const struct sk_val *tl = sk_val_at(owner, "spec", "template", "metadata", "labels", NULL);
    int64_t full = 0, ready = 0, avail = 0;
    for (size_t i = 0; i < n; i++) {
        bool all = true;
        for (size_t k = 0; tl && sk_val_is(tl, SK_V_MAP) && k < tl->u.m.n; k++) {
            const char *want = sk_val_cstr(tl->u.m.kv[k].val);
            const char *have = sk_obj_label(pods[i], tl->u.m.kv[k].key);
            if (!want || !have || strcmp(want, have)) all = false;
        }
        if (all) full++;
        if (pu_pod_ready(pods[i])) {
            ready++;
            if (pu_pod_available(pods[i], min_ready, now)) avail++;
        }
    }
    struct sk_val *fc = pu_condition(owner, "ReplicaFailure");
    if (manage_err && !fc) {
        struct sk_val *conds = sk_map_get(st, "conditions");
        if (!sk_val_is(conds, SK_V_ARR)) conds = sk_map_set(st, "conditions", sk_val_arr());
        struct sk_val *c = sk_arr_push(conds, sk_val_map());
        char ts[32];
        sk_map_set(c, "type", sk_val_str("ReplicaFailure"));
        sk_map_set(c, "status", sk_val_str("True"));
        sk_map_set(c, "lastTransitionTime", sk_val_str(ctl_time_str(now, ts)));
        sk_map_set(c, "reason",
                   sk_val_str(diff < 0   ? "FailedCreate"
                              : diff > 0 ? "FailedDelete"
                                         : ""));
        sk_map_set(c, "message", sk_val_str(manage_err));
    } else if (!manage_err && fc) {
        pu_cond_remove(st, "ReplicaFailure");
        if (!sk_arr_len(sk_map_get(st, "conditions"))) sk_map_del(st, "conditions");
    }
    sk_map_set(st, "replicas", sk_val_int((int64_t)n));
    /* the API omits zero counts (omitempty) */
    if (full)
        sk_map_set(st, "fullyLabeledReplicas", sk_val_int(full));
    else
        sk_map_del(st, "fullyLabeledReplicas");
    if (ready)
        sk_map_set(st, "readyReplicas", sk_val_int(ready));
    else
        sk_map_del(st, "readyReplicas");
    if (avail)
        sk_map_set(st, "availableReplicas", sk_val_int(avail));
    else
        sk_map_del(st, "availableReplicas");
    return st;
}

bool rs_status_needs_update(const struct sk_val *owner, struct sk_val *new_status)
{
    int64_t gen = pu_int_at(owner, "metadata", "generation", 1);
    const struct sk_val *old = sk_map_get(owner, "status");
    sk_map_set(new_status, "observedGeneration", sk_val_int(gen));
    return !(old && sk_val_equal(old, new_status));
}

double rs_next_available(const struct sk_val *const *pods, size_t n, int64_t min_ready, double now)
{
    double best = -1;
    for (size_t i = 0; min_ready > 0 && i < n; i++) {
        if (!pu_pod_ready(pods[i]) || pu_pod_available(pods[i], min_ready, now)) continue;
        double at = pu_pod_available_at(pods[i], min_ready);
        if (at > 0 && (best < 0 || at < best)) best = at;
    }
    return best;
}
