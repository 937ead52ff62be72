/* The StatefulSet controller's decisions (see sts_logic.h). */
#include "sts_logic.h"

#include "../ctl.h"
#include "../podutil.h"
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t start_ordinal(const struct sk_val *set)
{
    return sk_val_to_int(sk_val_at(set, "spec", "ordinals", "start", NULL), 0);
}

int64_t sts_pod_ordinal(const struct sk_val *set, const struct sk_val *pod)
{
    const char *sn = sk_obj_name(set), *pn = sk_obj_name(pod);
    if (!sn || !pn) return -1;
    size_t l = strlen(sn);
    if (strncmp(pn, sn, l) || pn[l] != '-' || !pn[l + 1]) return -1;
    const char *p = pn + l + 1;
    if (*p == '0' && p[1]) return -1;
    int64_t v = 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9' || v > 100000000) return -1;
        v = v * 10 + (*p - '0');
    }
    return v;
}

bool sts_ordinal_gets_update(const struct sk_val *set, int64_t ordinal)
{
    const char *type = sk_val_str_at(set, "spec", "updateStrategy", "type", NULL);
    if (type && !strcmp(type, "OnDelete")) return true;
    const struct sk_val *part =
            sk_val_at(set, "spec", "updateStrategy", "rollingUpdate", "partition", NULL);
    int64_t p = sk_val_is(part, SK_V_INT) ? part->u.i : 0;
    return ordinal >= p;
}

static bool running_ready(const struct sk_val *pod)
{
    return !strcmp(pu_pod_phase(pod), "Running") && pu_pod_ready(pod);
}

static bool pod_done(const struct sk_val *pod)
{
    const char *ph = pu_pod_phase(pod);
    return !strcmp(ph, "Failed") || !strcmp(ph, "Succeeded");
}

struct sk_val *sts_claims(const struct sk_val *set, int64_t ordinal)
{
    struct sk_val *out = sk_val_arr();
    const struct sk_val *vcts = sk_val_at(set, "spec", "volumeClaimTemplates", NULL);
    const struct sk_val *ml = sk_val_at(set, "spec", "selector", "matchLabels", NULL);
    for (size_t i = 0; i < sk_arr_len(vcts); i++) {
        const struct sk_val *t = sk_arr_get(vcts, i);
        const char *tn = sk_val_str_at(t, "metadata", "name", NULL);
        if (!tn) continue;
        struct sk_val *pvc = sk_arr_push(out, sk_val_map());
        sk_map_set(pvc, "apiVersion", sk_val_str("v1"));
        sk_map_set(pvc, "kind", sk_val_str("PersistentVolumeClaim"));
        const struct sk_val *tm = sk_map_get(t, "metadata");
        struct sk_val *m = sk_map_set(pvc, "metadata", sk_val_map());
        sk_map_set(m, "name", sk_val_strf("%s-%s-%lld", tn, sk_obj_name(set), (long long)ordinal));
        sk_map_set(m, "namespace",
                   sk_val_str(sk_obj_namespace(set) ? sk_obj_namespace(set) : "default"));
        const struct sk_val *l = sk_map_get(tm, "labels");
        struct sk_val *labels =
                sk_map_set(m, "labels", sk_val_is(l, SK_V_MAP) ? sk_val_dup(l) : sk_val_map());
        for (size_t k = 0; sk_val_is(ml, SK_V_MAP) && k < ml->u.m.n; k++)
            sk_map_set(labels, ml->u.m.kv[k].key, sk_val_dup(ml->u.m.kv[k].val));
        const struct sk_val *a = sk_map_get(tm, "annotations");
        if (sk_val_is(a, SK_V_MAP)) sk_map_set(m, "annotations", sk_val_dup(a));
        const struct sk_val *spec = sk_map_get(t, "spec");
        sk_map_set(pvc, "spec", spec ? sk_val_dup(spec) : sk_val_map());
    }
    return out;
}

struct sk_val *sts_new_pod(const struct sk_val *set, const struct sk_val *tmpl, int64_t ordinal,
                           const char *rev)
{
    struct sk_val *ref = ctl_owner_ref(set);
    struct sk_val *pod = pu_pod_from_template(tmpl, sk_obj_namespace(set), sk_obj_name(set), ref);
    sk_val_free(ref);
    struct sk_val *m = sk_map_get(pod, "metadata");
    sk_map_del(m, "generateName");
    char name[320], ix[32];
    snprintf(name, sizeof name, "%s-%lld", sk_obj_name(set), (long long)ordinal);
    snprintf(ix, sizeof ix, "%lld", (long long)ordinal);
    sk_map_set(m, "name", sk_val_str(name));
    sk_obj_set_label(pod, STS_POD_NAME_LABEL, name);
    sk_obj_set_label(pod, STS_POD_INDEX_LABEL, ix);
    if (rev) sk_obj_set_label(pod, STS_REV_LABEL, rev);
    struct sk_val *spec = sk_map_get(pod, "spec");
    sk_map_set(spec, "hostname", sk_val_str(name));
    const char *svc = sk_val_str_at(set, "spec", "serviceName", NULL);
    if (svc && *svc) sk_map_set(spec, "subdomain", sk_val_str(svc));
    /* updateStorage: each claim template becomes a volume of that name */
    const struct sk_val *vcts = sk_val_at(set, "spec", "volumeClaimTemplates", NULL);
    if (sk_arr_len(vcts)) {
        struct sk_val *vols = sk_map_get(spec, "volumes");
        if (!sk_val_is(vols, SK_V_ARR)) vols = sk_map_set(spec, "volumes", sk_val_arr());
        for (size_t i = 0; i < sk_arr_len(vcts); i++) {
            const char *tn = sk_val_str_at(sk_arr_get(vcts, i), "metadata", "name", NULL);
            if (!tn) continue;
            for (size_t k = sk_arr_len(vols); k-- > 0;) {
                const char *vn = sk_val_str_at(sk_arr_get(vols, k), "name", NULL);
                if (vn && !strcmp(vn, tn)) sk_arr_remove(vols, k);
            }
            struct sk_val *v = sk_arr_push(vols, sk_val_map());
            sk_map_set(v, "name", sk_val_str(tn));
            sk_val_set_at(v, sk_val_strf("%s-%s-%lld", tn, sk_obj_name(set), (long long)ordinal),
                          "persistentVolumeClaim", "claimName", NULL);
        }
    }
    return pod;
}

struct sk_val *sts_revision_data(const struct sk_val *set)
{
    const struct sk_val *t = sk_val_at(set, "spec", "template", NULL);
    struct sk_val *tm = sk_val_is(t, SK_V_MAP) ? sk_val_dup(t) : sk_val_map();
    sk_map_set(tm, "$patch", sk_val_str("replace"));
    struct sk_val *d = sk_val_map();
    sk_map_set(sk_map_set(d, "spec", sk_val_map()), "template", tm);
    return d;
}

void sts_plan_free(struct sts_plan *p)
{
    free(p->create);
    free(p->del);
    sk_val_free(p->status);
    memset(p, 0, sizeof(*p));
}

static void push_del(struct sts_plan *p, const struct sk_val *pod)
{
    for (size_t i = 0; i < p->ndel; i++)
        if (p->del[i] == pod) return;
    p->del = sk_xrealloc(p->del, (p->ndel + 1) * sizeof(*p->del));
    p->del[p->ndel++] = pod;
}

static void push_create(struct sts_plan *p, int64_t ord)
{
    p->create = sk_xrealloc(p->create, (p->ncreate + 1) * sizeof(*p->create));
    p->create[p->ncreate++] = ord;
}

static bool rev_is(const struct sk_val *pod, const char *rev)
{
    const char *r = sk_obj_label(pod, STS_REV_LABEL);
    return r && rev && !strcmp(r, rev);
}

void sts_plan(const struct sk_val *set, const struct sk_val *const *pods, size_t npods,
              const char *cur_rev, const char *upd_rev, int64_t collision, double now,
              struct sts_plan *out)
{
    memset(out, 0, sizeof(*out));
    int64_t replicas = pu_int_at(set, "spec", "replicas", 1);
    int64_t start = start_ordinal(set);
    int64_t min_ready = pu_int_at(set, "spec", "minReadySeconds", 0);
    const char *pmp = sk_val_str_at(set, "spec", "podManagementPolicy", NULL);
    bool parallel = pmp && !strcmp(pmp, "Parallel");
    const char *type = sk_val_str_at(set, "spec", "updateStrategy", "type", NULL);
    bool rolling = !type || !strcmp(type, "RollingUpdate");
    if (replicas < 0) replicas = 0;
    if (replicas > 100000) replicas = 100000;
    const struct sk_val **slot = sk_xcalloc((size_t)replicas + 1, sizeof(*slot));
    const struct sk_val **condemned = sk_xcalloc(npods + 1, sizeof(*condemned));
    int64_t ncond = 0;
    int64_t st_repl = 0, st_ready = 0, st_avail = 0, st_cur = 0, st_upd = 0;
    for (size_t i = 0; i < npods; i++) {
        const struct sk_val *pod = pods[i];
        int64_t ord = sts_pod_ordinal(set, pod);
        if (ord < 0) continue;
        st_repl++;
        if (running_ready(pod)) st_ready++;
        if (running_ready(pod) && pu_pod_available(pod, min_ready, now)) st_avail++;
        if (rev_is(pod, cur_rev)) st_cur++;
        if (rev_is(pod, upd_rev)) st_upd++;
        if (ord >= start && ord < start + replicas && !slot[ord - start])
            slot[ord - start] = pod;
        else
            condemned[ncond++] = pod;
    }
    /* replicas, in ordinal order */
    bool blocked = false;
    for (int64_t i = 0; i < replicas && !blocked; i++) {
        const struct sk_val *pod = slot[i];
        if (!pod) {
            push_create(out, start + i);
            if (!parallel) blocked = true;
            continue;
        }
        if (pod_done(pod)) {
            /* a failed (or finished) pod is deleted and created again */
            if (!pu_deleting(pod)) push_del(out, pod);
            if (!parallel) blocked = true;
            continue;
        }
        if (!parallel && (pu_deleting(pod) || !running_ready(pod))) blocked = true;
        if (!parallel && !blocked && min_ready > 0 && !pu_pod_available(pod, min_ready, now)) {
            double at = pu_pod_available_at(pod, min_ready);
            if (at > now) out->requeue = at - now + 0.001;
            blocked = true;
        }
    }
    /* condemned pods: highest ordinal first; OrderedReady waits for
     * every other pod to be healthy and removes one at a time */
    for (int64_t a = 0; a < ncond; a++) /* sort descending by ordinal */
        for (int64_t b = a + 1; b < ncond; b++)
            if (sts_pod_ordinal(set, condemned[b]) > sts_pod_ordinal(set, condemned[a])) {
                const struct sk_val *t = condemned[a];
                condemned[a] = condemned[b];
                condemned[b] = t;
            }
    if (!blocked || parallel) {
        for (int64_t i = 0; i < ncond; i++) {
            if (pu_deleting(condemned[i])) {
                if (!parallel) break;
                continue;
            }
            if (!parallel) {
                bool others_ok = true;
                for (int64_t k = i + 1; k < ncond && others_ok; k++)
                    others_ok = running_ready(condemned[k]) && !pu_deleting(condemned[k]);
                if (!others_ok && !pod_done(condemned[i])) break;
            }
            push_del(out, condemned[i]);
            if (!parallel) break;
        }
    }
    /* the rolling update: highest ordinal first, down to the partition,
     * one pod at a time and only when every replica is healthy */
    bool all_healthy = ncond == 0;
    for (int64_t i = 0; i < replicas && all_healthy; i++)
        all_healthy = slot[i] && running_ready(slot[i]) && !pu_deleting(slot[i]);
    if (rolling && all_healthy && !out->ndel && !out->ncreate) {
        for (int64_t i = replicas; i-- > 0;) {
            if (!sts_ordinal_gets_update(set, start + i)) break;
            if (!rev_is(slot[i], upd_rev)) {
                push_del(out, slot[i]);
                break;
            }
        }
    }
    free(slot);
    free(condemned);

    const struct sk_val *old = sk_map_get(set, "status");
    struct sk_val *st = sk_val_is(old, SK_V_MAP) ? sk_val_dup(old) : sk_val_map();
    int64_t og = pu_int_at(set, "metadata", "generation", 0);
    if (og) sk_map_set(st, "observedGeneration", sk_val_int(og));
    sk_map_set(st, "replicas", sk_val_int(st_repl));
    if (st_ready)
        sk_map_set(st, "readyReplicas", sk_val_int(st_ready));
    else
        sk_map_del(st, "readyReplicas");
    const char *cr = cur_rev && *cur_rev ? cur_rev : upd_rev;
    if (cr && upd_rev && rolling && st_upd == replicas && st_ready == st_repl &&
        st_repl == replicas)
        cr = upd_rev; /* the rollout is complete */
    int64_t cur_count = cr && upd_rev && !strcmp(cr, upd_rev) ? st_upd : st_cur;
    if (cur_count)
        sk_map_set(st, "currentReplicas", sk_val_int(cur_count));
    else
        sk_map_del(st, "currentReplicas");
    if (st_upd)
        sk_map_set(st, "updatedReplicas", sk_val_int(st_upd));
    else
        sk_map_del(st, "updatedReplicas");
    sk_map_set(st, "availableReplicas", sk_val_int(st_avail));
    if (cr) sk_map_set(st, "currentRevision", sk_val_str(cr));
    if (upd_rev) sk_map_set(st, "updateRevision", sk_val_str(upd_rev));
    sk_map_set(st, "collisionCount", sk_val_int(collision < 0 ? 0 : collision));
    if (sk_val_equal(st, old))
        sk_val_free(st);
    else
        out->status = st;
}
