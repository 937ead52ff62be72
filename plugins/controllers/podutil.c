/* Pod and template helpers shared by the workload controllers: readiness,
 * availability, pods from templates, pod-template-hash, conditions and the
 * adopt/release decision (see podutil.h). */
#include "podutil.h"

#include "ctl.h"
#include "json.h"
#include "quantity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small readers ---- */

int64_t pu_int_at(const struct sk_val *obj, const char *a, const char *b, int64_t fallback)
{
    const struct sk_val *v = b ? sk_val_at(obj, a, b, NULL) : sk_val_at(obj, a, NULL);
    return sk_val_is(v, SK_V_INT) ? v->u.i : fallback;
}

bool pu_deleting(const struct sk_val *obj)
{
    const struct sk_val *d = sk_val_at(obj, "metadata", "deletionTimestamp", NULL);
    return d && !sk_val_is(d, SK_V_NULL);
}

const char *pu_uid(const struct sk_val *obj)
{
    return sk_val_str_at(obj, "metadata", "uid", NULL);
}

double pu_obj_created(const struct sk_val *obj)
{
    return ctl_time_parse(sk_val_str_at(obj, "metadata", "creationTimestamp", NULL));
}

/* ---- pods ---- */

const char *pu_pod_phase(const struct sk_val *pod)
{
    const char *p = sk_val_str_at(pod, "status", "phase", NULL);
    return p ? p : "";
}

bool pu_pod_terminating(const struct sk_val *pod)
{
    return pu_deleting(pod);
}

bool pu_pod_active(const struct sk_val *pod)
{
    const char *ph = pu_pod_phase(pod);
    return strcmp(ph, "Succeeded") && strcmp(ph, "Failed") && !pu_deleting(pod);
}

struct sk_val *pu_cond_in(const struct sk_val *conds, const char *type)
{
    for (size_t i = 0; i < sk_arr_len(conds); i++) {
        struct sk_val *c = sk_arr_get(conds, i);
        const char *t = sk_val_cstr(sk_map_get(c, "type"));
        if (t && !strcmp(t, type)) return c;
    }
    return NULL;
}

struct sk_val *pu_condition(const struct sk_val *obj, const char *type)
{
    return pu_cond_in(sk_val_at(obj, "status", "conditions", NULL), type);
}

bool pu_cond_remove(struct sk_val *status, const char *type)
{
    struct sk_val *conds = sk_map_get(status, "conditions");
    for (size_t i = 0; i < sk_arr_len(conds); i++) {
        const char *t = sk_val_cstr(sk_map_get(sk_arr_get(conds, i), "type"));
        if (t && !strcmp(t, type)) {
            sk_arr_remove(conds, i);
            return true;
        }
    }
    return false;
}

bool pu_pod_ready(const struct sk_val *pod)
{
    const char *s = sk_val_cstr(sk_map_get(pu_condition(pod, "Ready"), "status"));
    return s && !strcmp(s, "True");
}

double pu_pod_ready_since(const struct sk_val *pod)
{
    if (!pu_pod_ready(pod)) return -1;
    return ctl_time_parse(
            sk_val_cstr(sk_map_get(pu_condition(pod, "Ready"), "lastTransitionTime")));
}

double pu_pod_available_at(const struct sk_val *pod, int64_t min_ready)
{
    if (!pu_pod_ready(pod)) return -1;
    if (min_ready <= 0) return 0;
    double t = pu_pod_ready_since(pod);
    return t < 0 ? 0 : t + (double)min_ready;
}

bool pu_pod_available(const struct sk_val *pod, int64_t min_ready, double now)
{
    if (!pu_pod_ready(pod)) return false;
    if (min_ready <= 0) return true;
    double t = pu_pod_ready_since(pod);
    /* upstream: a zero lastTransitionTime never becomes available */
    return t >= 0 && t + (double)min_ready < now;
}

int64_t pu_pod_max_restarts(const struct sk_val *pod)
{
    int64_t m = 0;
    static const char *const lists[] = {"containerStatuses", "initContainerStatuses"};
    for (size_t l = 0; l < 2; l++) {
        const struct sk_val *a = sk_val_at(pod, "status", lists[l], NULL);
        for (size_t i = 0; i < sk_arr_len(a); i++) {
            int64_t r = sk_val_to_int(sk_map_get(sk_arr_get(a, i), "restartCount"), 0);
            if (r > m) m = r;
        }
    }
    return m;
}

/* ---- QoS ---- */

struct qos_acc {
    bool any;        /* some request or limit set */
    bool guaranteed; /* so far every container limits cpu and memory == requests */
};

static bool quantity_of(const struct sk_val *v, struct sk_quantity *q)
{
    return v && !sk_quantity_from_val(v, q, NULL, NULL);
}

static void qos_container(struct qos_acc *acc, const struct sk_val *ctr)
{
    const struct sk_val *req = sk_val_at(ctr, "resources", "requests", NULL);
    const struct sk_val *lim = sk_val_at(ctr, "resources", "limits", NULL);
    static const char *const res[] = {"cpu", "memory"};
    for (size_t i = 0; i < 2; i++) {
        struct sk_quantity rq, lq;
        bool hr = quantity_of(sk_map_get(req, res[i]), &rq) && !sk_quantity_is_zero(&rq);
        bool hl = quantity_of(sk_map_get(lim, res[i]), &lq) && !sk_quantity_is_zero(&lq);
        if (hr || hl) acc->any = true;
        if (!hl) acc->guaranteed = false;
        /* requests default to limits, so an absent request equals them */
        if (hl && hr && sk_quantity_cmp(&rq, &lq) != 0) acc->guaranteed = false;
    }
}

const char *pu_qos_class(const struct sk_val *podspec)
{
    struct qos_acc acc = {false, true};
    static const char *const lists[] = {"containers", "initContainers"};
    for (size_t l = 0; l < 2; l++) {
        const struct sk_val *a = sk_map_get(podspec, lists[l]);
        for (size_t i = 0; i < sk_arr_len(a); i++)
            qos_container(&acc, sk_arr_get(a, i));
    }
    if (!acc.any) return "BestEffort";
    return acc.guaranteed ? "Guaranteed" : "Burstable";
}

struct sk_val *pu_pod_from_template(const struct sk_val *tmpl, const char *ns,
                                    const char *owner_name, const struct sk_val *owner_ref)
{
    struct sk_val *pod = sk_val_map();
    sk_map_set(pod, "apiVersion", sk_val_str("v1"));
    sk_map_set(pod, "kind", sk_val_str("Pod"));
    struct sk_val *m = sk_map_set(pod, "metadata", sk_val_map());
    sk_map_set(m, "generateName", sk_val_strf("%s-", owner_name ? owner_name : ""));
    if (ns && *ns) sk_map_set(m, "namespace", sk_val_str(ns));
    const struct sk_val *tm = sk_map_get(tmpl, "metadata");
    static const char *const keep[] = {"labels", "annotations", "finalizers"};
    for (size_t i = 0; i < 3; i++) {
        const struct sk_val *v = sk_map_get(tm, keep[i]);
        if (v && !sk_val_is(v, SK_V_NULL)) sk_map_set(m, keep[i], sk_val_dup(v));
    }
    if (owner_ref) {
        struct sk_val *refs = sk_map_set(m, "ownerReferences", sk_val_arr());
        sk_arr_push(refs, sk_val_dup(owner_ref));
    }
    const struct sk_val *spec = sk_map_get(tmpl, "spec");
    sk_map_set(pod, "spec", spec ? sk_val_dup(spec) : sk_val_map());
    struct sk_val *st = sk_map_set(pod, "status", sk_val_map());
    sk_map_set(st, "phase", sk_val_str("Pending"));
    sk_map_set(st, "qosClass", sk_val_str(pu_qos_class(spec)));
    return pod;
}

/* ---- canonical JSON and hashes ---- */

static int cmp_kv(const void *a, const void *b)
{
    const struct sk_kv *x = *(const struct sk_kv *const *)a;
    const struct sk_kv *y = *(const struct sk_kv *const *)b;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int c = memcmp(x->key, y->key, n);
    if (c) return c;
    return x->klen < y->klen ? -1 : x->klen > y->klen;
}

static void canon(const struct sk_val *v, struct sk_buf *b)
{
    if (sk_val_is(v, SK_V_ARR)) {
        sk_buf_putc(b, '[');
        for (size_t i = 0; i < v->u.a.n; i++) {
            if (i) sk_buf_putc(b, ',');
            canon(v->u.a.items[i], b);
        }
        sk_buf_putc(b, ']');
        return;
    }
    if (!sk_val_is(v, SK_V_MAP)) {
        sk_json_write(v, 0, b);
        return;
    }
    size_t n = v->u.m.n;
    const struct sk_kv **kv = calloc(n ? n : 1, sizeof(*kv));
    if (!kv) abort();
    for (size_t i = 0; i < n; i++)
        kv[i] = &v->u.m.kv[i];
    qsort(kv, n, sizeof(*kv), cmp_kv);
    sk_buf_putc(b, '{');
    for (size_t i = 0; i < n; i++) {
        if (i) sk_buf_putc(b, ',');
        struct sk_val key = {.type = SK_V_STR, .u.s = {kv[i]->key, kv[i]->klen}};
        sk_json_write(&key, 0, b);
        sk_buf_putc(b, ':');
        canon(kv[i]->val, b);
    }
    sk_buf_putc(b, '}');
    free(kv);
}

char *pu_canonical_json(const struct sk_val *v, size_t *len)
{
    struct sk_buf b = {0};
    canon(v, &b);
    return sk_buf_take(&b, len);
}

uint32_t pu_fnv32a(const void *p, size_t n, uint32_t h)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 16777619u;
    }
    return h;
}

void pu_safe_encode(char *s)
{
    static const char alpha[] = "bcdfghjklmnpqrstvwxz2456789";
    for (; *s; s++)
        *s = alpha[(unsigned char)*s % 27];
}

/* Semantic equality as apimachinery's: a null, an empty map and an empty
 * list are the same as an absent field (kubectl sends
 * "creationTimestamp": null and "resources": {} for fields the API
 * stores without). Removes such entries of maps, depth first. */
static void prune_empty(struct sk_val *v)
{
    if (sk_val_is(v, SK_V_ARR)) {
        for (size_t i = 0; i < v->u.a.n; i++)
            prune_empty(v->u.a.items[i]);
        return;
    }
    if (!sk_val_is(v, SK_V_MAP)) return;
    for (size_t i = 0; i < v->u.m.n;) {
        struct sk_val *c = v->u.m.kv[i].val;
        prune_empty(c);
        bool empty = sk_val_is(c, SK_V_NULL) || (sk_val_is(c, SK_V_MAP) && !c->u.m.n) ||
                     (sk_val_is(c, SK_V_ARR) && !c->u.a.n);
        if (empty)
            sk_map_del(v, v->u.m.kv[i].key);
        else
            i++;
    }
}

const char *pu_template_hash(const struct sk_val *tmpl, int64_t collision_count, char out[16])
{
    size_t len = 0;
    struct sk_val *norm = tmpl ? sk_val_dup(tmpl) : sk_val_map();
    prune_empty(norm);
    char *j = pu_canonical_json(norm, &len);
    sk_val_free(norm);
    uint32_t h = pu_fnv32a(j, len, PU_FNV32_INIT);
    free(j);
    if (collision_count >= 0) {
        unsigned char b[8] = {0};
        uint32_t cc = (uint32_t)collision_count;
        for (int i = 0; i < 4; i++)
            b[i] = (unsigned char)(cc >> (8 * i));
        h = pu_fnv32a(b, sizeof b, h);
    }
    snprintf(out, 16, "%u", h);
    pu_safe_encode(out);
    return out;
}

static struct sk_val *without_hash(const struct sk_val *t)
{
    struct sk_val *c = t ? sk_val_dup(t) : sk_val_map();
    prune_empty(c);
    struct sk_val *labels = sk_val_at(c, "metadata", "labels", NULL);
    if (labels) {
        sk_map_del(labels, PU_HASH_LABEL);
        if (!sk_map_len(labels)) sk_map_del(sk_map_get(c, "metadata"), "labels");
    }
    struct sk_val *m = sk_map_get(c, "metadata");
    if (m && sk_val_is(m, SK_V_MAP) && !sk_map_len(m)) sk_map_del(c, "metadata");
    return c;
}

bool pu_template_equal_ignore_hash(const struct sk_val *a, const struct sk_val *b)
{
    struct sk_val *x = without_hash(a), *y = without_hash(b);
    bool eq = sk_val_equal(x, y);
    sk_val_free(x);
    sk_val_free(y);
    return eq;
}

/* ---- ownership ---- */

const char *pu_controller_kind(const struct sk_val *obj)
{
    return sk_val_str_at(sk_obj_controller_ref(obj), "kind", NULL);
}

const char *pu_controller_name(const struct sk_val *obj)
{
    return sk_val_str_at(sk_obj_controller_ref(obj), "name", NULL);
}

enum pu_claim pu_claim_decide(const char *owner_uid, bool owner_deleting,
                              const struct sk_labelsel *sel, const struct sk_val *obj)
{
    const struct sk_val *ref = sk_obj_controller_ref(obj);
    bool match = sk_labelsel_matches(sel, sk_obj_labels(obj));
    if (ref) {
        const char *uid = sk_val_cstr(sk_map_get(ref, "uid"));
        if (!uid || !owner_uid || strcmp(uid, owner_uid)) return PU_CLAIM_IGNORE;
        if (match) return PU_CLAIM_OWNED;
        /* a deleting owner keeps what it has; the GC deals with it */
        return owner_deleting ? PU_CLAIM_IGNORE : PU_CLAIM_RELEASE;
    }
    if (owner_deleting || !match || pu_deleting(obj)) return PU_CLAIM_IGNORE;
    return PU_CLAIM_ADOPT;
}

struct sk_val *pu_adopted(const struct sk_val *obj, const struct sk_val *owner_ref)
{
    struct sk_val *c = sk_val_dup(obj);
    struct sk_val *m = sk_map_get(c, "metadata");
    if (!sk_val_is(m, SK_V_MAP)) m = sk_map_set(c, "metadata", sk_val_map());
    struct sk_val *refs = sk_map_get(m, "ownerReferences");
    if (!sk_val_is(refs, SK_V_ARR)) refs = sk_map_set(m, "ownerReferences", sk_val_arr());
    const char *uid = sk_val_cstr(sk_map_get(owner_ref, "uid"));
    for (size_t i = 0; uid && i < sk_arr_len(refs); i++) {
        const char *u = sk_val_cstr(sk_map_get(sk_arr_get(refs, i), "uid"));
        if (u && !strcmp(u, uid)) {
            /* a plain reference to us becomes the controller reference */
            sk_arr_remove(refs, i);
            break;
        }
    }
    sk_arr_push(refs, sk_val_dup(owner_ref));
    return c;
}

struct sk_val *pu_released(const struct sk_val *obj, const char *owner_uid)
{
    struct sk_val *c = sk_val_dup(obj);
    struct sk_val *refs = sk_val_at(c, "metadata", "ownerReferences", NULL);
    for (size_t i = 0; i < sk_arr_len(refs);) {
        const char *u = sk_val_cstr(sk_map_get(sk_arr_get(refs, i), "uid"));
        if (u && owner_uid && !strcmp(u, owner_uid))
            sk_arr_remove(refs, i);
        else
            i++;
    }
    if (refs && !sk_arr_len(refs)) sk_map_del(sk_map_get(c, "metadata"), "ownerReferences");
    return c;
}
