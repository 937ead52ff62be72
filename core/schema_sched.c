/* The scheduling constraints of a pod spec as Kubernetes validates them:
 * node selectors and affinity, pod (anti-)affinity, tolerations and
 * topology spread constraints. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_int.h"

/* ---- scheduling ---- */

static void node_selector_requirement(struct sk_vctx *v, const struct sk_val *rq,
                                      bool allow_bad_values)
{
    const char *op = sk_gets0(rq, "operator");
    const struct sk_val *vals = sk_geta(rq, "values");
    size_t nv = sk_alen(vals);
    if (!strcmp(op, "In") || !strcmp(op, "NotIn")) {
        if (nv == 0)
            sk_vrequired(v, "values", "must be specified when `operator` is 'In' or 'NotIn'");
    } else if (!strcmp(op, "Exists") || !strcmp(op, "DoesNotExist")) {
        if (nv > 0)
            sk_vforbidden(v, "values",
                          "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
    } else if (!strcmp(op, "Gt") || !strcmp(op, "Lt")) {
        if (nv != 1)
            sk_vrequired(v, "values",
                         "must be specified single value when `operator` is 'Lt' or 'Gt'");
    } else {
        sk_vinvalid_str(v, "operator", op, "not a valid selector operator");
    }
    sk_vqualified(v, "key", sk_gets0(rq, "key"));
    for (size_t i = 0; !allow_bad_values && i < nv; i++) {
        const char *s = sk_val_cstr(vals->u.a.items[i]);
        if (!s) continue;
        size_t mark = sk_vpush(v, "values");
        sk_vpushi(v, i);
        sk_vmsgs(v, NULL, s, sk_label_value_msgs);
        sk_vpop(v, mark);
    }
}

static void node_selector_term(struct sk_vctx *v, const struct sk_val *term, bool allow_bad_values)
{
    const struct sk_val *me = sk_geta(term, "matchExpressions"), *mf = sk_geta(term, "matchFields");
    for (size_t j = 0; j < sk_alen(me); j++) {
        size_t mark = sk_vpush(v, "matchExpressions");
        sk_vpushi(v, j);
        node_selector_requirement(v, me->u.a.items[j], allow_bad_values);
        sk_vpop(v, mark);
    }
    for (size_t j = 0; j < sk_alen(mf); j++) {
        const struct sk_val *rq = mf->u.a.items[j];
        size_t mark = sk_vpush(v, "matchFields");
        sk_vpushi(v, j);
        const char *op = sk_gets0(rq, "operator"), *key = sk_gets0(rq, "key");
        const struct sk_val *vals = sk_geta(rq, "values");
        if (!strcmp(op, "In") || !strcmp(op, "NotIn")) {
            if (sk_alen(vals) != 1)
                sk_vrequired(v, "values",
                             "must be only one value when `operator` is 'In' or 'NotIn' for node "
                             "field selector");
        } else {
            sk_vinvalid_str(v, "operator", op, "not a valid selector operator");
        }
        if (strcmp(key, "metadata.name")) {
            sk_vinvalid_str(v, "key", key, "not a valid field selector key");
        } else {
            for (size_t i = 0; i < sk_alen(vals); i++) {
                size_t m2 = sk_vpush(v, "values");
                sk_vpushi(v, i);
                sk_vmsgs(v, NULL, sk_val_cstr(vals->u.a.items[i]), sk_dns1123_subdomain_msgs);
                sk_vpop(v, m2);
            }
        }
        sk_vpop(v, mark);
    }
}

void sk_validate_node_selector(struct sk_vctx *v, const struct sk_val *ns)
{
    const struct sk_val *terms = sk_geta(ns, "nodeSelectorTerms");
    size_t mark = sk_vpush(v, "nodeSelectorTerms");
    if (sk_alen(terms) == 0) sk_vrequired(v, NULL, "must have at least one node selector term");
    for (size_t i = 0; i < sk_alen(terms); i++) {
        size_t m2 = sk_vpushi(v, i);
        node_selector_term(v, terms->u.a.items[i], false);
        sk_vpop(v, m2);
    }
    sk_vpop(v, mark);
}

static void weight(struct sk_vctx *v, const struct sk_val *m)
{
    int64_t w = sk_geti0(m, "weight");
    if (w <= 0 || w > 100) sk_vinvalid_int(v, "weight", w, "must be in the range 1-100");
}

static void pod_affinity_term(struct sk_vctx *v, const struct sk_val *t)
{
    sk_vlabelsel(v, "labelSelector", sk_get(t, "labelSelector"));
    sk_vlabelsel(v, "namespaceSelector", sk_get(t, "namespaceSelector"));
    const struct sk_val *nss = sk_geta(t, "namespaces");
    for (size_t i = 0; i < sk_alen(nss); i++)
        sk_vmsgs(v, "namespace", sk_val_cstr(nss->u.a.items[i]), sk_dns1123_label_msgs);
    const struct sk_val *ls = sk_getm(t, "labelSelector");
    static const char *const kl[] = {"matchLabelKeys", "mismatchLabelKeys", NULL};
    for (size_t k = 0; kl[k]; k++) {
        const struct sk_val *keys = sk_geta(t, kl[k]);
        if (!sk_alen(keys)) continue;
        if (!ls) {
            sk_vforbidden(v, kl[k], "must not be specified when labelSelector is not set");
            continue;
        }
        for (size_t i = 0; i < keys->u.a.n; i++) {
            size_t mark = sk_vpush(v, kl[k]);
            sk_vpushi(v, i);
            sk_vqualified(v, NULL, sk_val_cstr(keys->u.a.items[i]));
            sk_vpop(v, mark);
        }
    }
    const char *tk = sk_gets0(t, "topologyKey");
    if (!*tk) sk_vrequired(v, "topologyKey", "can not be empty");
    sk_vqualified(v, "topologyKey", tk);
}

static void pod_affinity(struct sk_vctx *v, const char *child, const struct sk_val *pa)
{
    if (!pa) return;
    size_t mark = sk_vpush(v, child);
    const struct sk_val *req = sk_geta(pa, "requiredDuringSchedulingIgnoredDuringExecution");
    for (size_t i = 0; i < sk_alen(req); i++) {
        size_t m2 = sk_vpush(v, "requiredDuringSchedulingIgnoredDuringExecution");
        sk_vpushi(v, i);
        pod_affinity_term(v, req->u.a.items[i]);
        sk_vpop(v, m2);
    }
    const struct sk_val *pref = sk_geta(pa, "preferredDuringSchedulingIgnoredDuringExecution");
    for (size_t i = 0; i < sk_alen(pref); i++) {
        size_t m2 = sk_vpush(v, "preferredDuringSchedulingIgnoredDuringExecution");
        sk_vpushi(v, i);
        weight(v, pref->u.a.items[i]);
        sk_vpush(v, "podAffinityTerm");
        pod_affinity_term(v, sk_getm(pref->u.a.items[i], "podAffinityTerm"));
        sk_vpop(v, m2);
    }
    sk_vpop(v, mark);
}

void sk_validate_affinity(struct sk_vctx *v, const struct sk_val *af)
{
    if (!af) return;
    size_t mark = sk_vpush(v, "affinity");
    const struct sk_val *na = sk_getm(af, "nodeAffinity");
    if (na) {
        size_t m2 = sk_vpush(v, "nodeAffinity");
        const struct sk_val *req = sk_getm(na, "requiredDuringSchedulingIgnoredDuringExecution");
        if (req) {
            size_t m3 = sk_vpush(v, "requiredDuringSchedulingIgnoredDuringExecution");
            sk_validate_node_selector(v, req);
            sk_vpop(v, m3);
        }
        const struct sk_val *pref = sk_geta(na, "preferredDuringSchedulingIgnoredDuringExecution");
        for (size_t i = 0; i < sk_alen(pref); i++) {
            size_t m3 = sk_vpush(v, "preferredDuringSchedulingIgnoredDuringExecution");
            sk_vpushi(v, i);
            weight(v, pref->u.a.items[i]);
            sk_vpush(v, "preference");
            /* Preferred terms may name label values that do not exist yet. */
            node_selector_term(v, sk_getm(pref->u.a.items[i], "preference"), true);
            sk_vpop(v, m3);
        }
        sk_vpop(v, m2);
    }
    pod_affinity(v, "podAffinity", sk_getm(af, "podAffinity"));
    pod_affinity(v, "podAntiAffinity", sk_getm(af, "podAntiAffinity"));
    sk_vpop(v, mark);
}

const char *const sk_taint_effects[] = {"NoSchedule", "PreferNoSchedule", "NoExecute", NULL};

void sk_validate_tolerations(struct sk_vctx *v, const struct sk_val *tols)
{
    for (size_t i = 0; i < sk_alen(tols); i++) {
        const struct sk_val *t = tols->u.a.items[i];
        size_t mark = sk_vpushi(v, i);
        const char *key = sk_gets0(t, "key"), *op = sk_gets0(t, "operator");
        const char *val = sk_gets0(t, "value"), *eff = sk_gets0(t, "effect");
        if (*key) sk_vqualified(v, "key", key);
        if (!*key && strcmp(op, "Exists"))
            sk_vinvalid_str(
                    v, "operator", op,
                    "operator must be Exists when `key` is empty, which means \"match all values "
                    "and all keys\"");
        if (sk_has(t, "tolerationSeconds") && strcmp(eff, "NoExecute"))
            sk_vinvalid_str(v, "effect", eff,
                            "effect must be 'NoExecute' when `tolerationSeconds` is set");
        if (!*op || !strcmp(op, "Equal")) {
            const char *msgs[SK_MAXMSGS];
            size_t n = sk_label_value_msgs(val, msgs);
            if (n) {
                struct sk_buf b = {0};
                for (size_t j = 0; j < n; j++)
                    sk_buf_printf(&b, "%s%s", j ? ";" : "", msgs[j]);
                _sk_cleanup_free_ char *joined = sk_buf_take(&b, NULL);
                sk_vinvalid_str(v, "operator", val, "%s", joined);
            }
        } else if (!strcmp(op, "Exists")) {
            if (*val)
                sk_vinvalid_str(v, "operator", val,
                                "value must be empty when `operator` is 'Exists'");
        } else {
            static const char *const ops[] = {"Equal", "Exists", NULL};
            sk_vnotsupported_str(v, "operator", op, ops);
        }
        if (*eff && !sk_str_in(eff, sk_taint_effects))
            sk_vnotsupported_str(v, "effect", eff, sk_taint_effects);
        sk_vpop(v, mark);
    }
}

void sk_validate_topology_spread(struct sk_vctx *v, const struct sk_val *tscs)
{
    static const char *const actions[] = {"DoNotSchedule", "ScheduleAnyway", NULL};
    static const char *const policies[] = {"Honor", "Ignore", NULL};
    for (size_t i = 0; i < sk_alen(tscs); i++) {
        const struct sk_val *c = tscs->u.a.items[i];
        size_t mark = sk_vpush(v, "topologySpreadConstraints");
        sk_vpushi(v, i);
        int64_t skew = sk_geti0(c, "maxSkew");
        if (skew <= 0) sk_vinvalid_int(v, "maxSkew", skew, "must be greater than zero");
        const char *tk = sk_gets0(c, "topologyKey"), *wu = sk_gets0(c, "whenUnsatisfiable");
        if (!*tk) sk_vrequired(v, "topologyKey", "can not be empty");
        if (!sk_str_in(wu, actions)) sk_vnotsupported_str(v, "whenUnsatisfiable", wu, actions);
        for (size_t j = i + 1; j < tscs->u.a.n; j++) {
            const struct sk_val *o = tscs->u.a.items[j];
            if (!strcmp(sk_gets0(o, "topologyKey"), tk) &&
                !strcmp(sk_gets0(o, "whenUnsatisfiable"), wu)) {
                char *pair = sk_xasprintf("{%s, %s}", tk, wu);
                sk_vduplicate_str(v, "{topologyKey, whenUnsatisfiable}", pair);
                free(pair);
                break;
            }
        }
        int64_t md;
        if (sk_geti(c, "minDomains", &md)) {
            if (md <= 0) sk_vinvalid_int(v, "minDomains", md, "must be greater than zero");
            if (strcmp(wu, "DoNotSchedule"))
                sk_vinvalid_int(
                        v, "minDomains", md,
                        "can only use minDomains if whenUnsatisfiable=DoNotSchedule, not %s", wu);
        }
        static const char *const pol[] = {"nodeAffinityPolicy", "nodeTaintsPolicy", NULL};
        for (size_t k = 0; pol[k]; k++) {
            const char *p = sk_gets(c, pol[k]);
            if (p && !sk_str_in(p, policies)) sk_vnotsupported_str(v, pol[k], p, policies);
        }
        const struct sk_val *mlk = sk_geta(c, "matchLabelKeys");
        const struct sk_val *ls = sk_getm(c, "labelSelector");
        if (sk_alen(mlk) && !ls)
            sk_vforbidden(v, "matchLabelKeys",
                          "must not be specified when labelSelector is not set");
        for (size_t j = 0; j < sk_alen(mlk); j++) {
            const char *key = sk_val_cstr(mlk->u.a.items[j]);
            size_t m2 = sk_vpush(v, "matchLabelKeys");
            sk_vpushi(v, j);
            sk_vqualified(v, NULL, key);
            if (key && (sk_get(sk_getm(ls, "matchLabels"), key)))
                sk_vinvalid_str(v, NULL, key, "exists in both matchLabelKeys and labelSelector");
            sk_vpop(v, m2);
        }
        sk_vlabelsel(v, "labelSelector", sk_get(c, "labelSelector"));
        sk_vpop(v, mark);
    }
}
