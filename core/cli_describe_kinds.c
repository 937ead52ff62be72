/* kubectl describe's layouts for deployments, replica sets, jobs,
 * services, config maps and nodes, and its generic describer for other
 * kinds. */
#include "cli_describe.h"
#include "json.h"
#include "jsonpath.h"
#include "mem.h"
#include "quantity.h"
#include "table.h"

#include <stdlib.h>
#include <string.h>

static bool template_equal_ignoring_hash(const struct sk_val *a, const struct sk_val *b)
{
    struct sk_val *x = sk_val_dup(a), *y = sk_val_dup(b);
    struct sk_val *lx = sk_val_path(x, "metadata.labels"), *ly = sk_val_path(y, "metadata.labels");
    if (lx) sk_map_del(lx, "pod-template-hash");
    if (ly) sk_map_del(ly, "pod-template-hash");
    bool eq = sk_val_equal(x, y);
    sk_val_free(x);
    sk_val_free(y);
    return eq;
}

static char *rs_list_text(struct sk_val *const *rs, size_t n)
{
    if (!n) return sk_xstrdup("<none>");
    struct sk_buf b = {0};
    for (size_t i = 0; i < n; i++) {
        if (i) sk_buf_puts(&b, ", ");
        sk_buf_printf(&b, "%s (%lld/%lld replicas created)", str(rs[i], "metadata.name"),
                      num(rs[i], "status.replicas"), num(rs[i], "spec.replicas"));
    }
    sk_buf_putc(&b, 0);
    return sk_buf_take(&b, NULL);
}

void describe_deployment(struct sk_cli *c, struct dw *w, const struct sk_val *o)
{
    header(w, o, true);
    char *ct = rfc1123z(str(o, "metadata.creationTimestamp"));
    dwrite(w, 0, "CreationTimestamp:\t%s\n", ct);
    free(ct);
    labels_multi(w, "", "Labels", "\t", sk_val_path(o, "metadata.labels"));
    annotations_multi(w, "Annotations", sk_val_path(o, "metadata.annotations"));
    char *sel = selector_text(sk_val_path(o, "spec.selector"), "");
    dwrite(w, 0, "Selector:\t%s\n", sel);
    dwrite(w, 0,
           "Replicas:\t%lld desired | %lld updated | %lld total | %lld available | %lld "
           "unavailable\n",
           num(o, "spec.replicas"), num(o, "status.updatedReplicas"), num(o, "status.replicas"),
           num(o, "status.availableReplicas"), num(o, "status.unavailableReplicas"));
    dwrite(w, 0, "StrategyType:\t%s\n", str(o, "spec.strategy.type"));
    dwrite(w, 0, "MinReadySeconds:\t%lld\n", num(o, "spec.minReadySeconds"));
    if (has(o, "spec.strategy.rollingUpdate")) {
        char *mu = scalar(sk_val_path(o, "spec.strategy.rollingUpdate.maxUnavailable"));
        char *ms = scalar(sk_val_path(o, "spec.strategy.rollingUpdate.maxSurge"));
        dwrite(w, 0, "RollingUpdateStrategy:\t%s max unavailable, %s max surge\n", mu, ms);
        free(mu);
        free(ms);
    }
    pod_template(w, sk_val_path(o, "spec.template"));
    conditions3(w, o);
    /* the deployment's replica sets: the one with its template is new */
    const struct sk_kind *rsk = sk_kind_by_resource("apps", "v1", "replicasets");
    char *esel = sk_kclient_escape(sel);
    char *q = sk_xasprintf("labelSelector=%s", esel);
    char *path = sk_cli_path(rsk, str(o, "metadata.namespace"), NULL, NULL, q);
    free(esel);
    free(q);
    struct sk_kresp r;
    struct sk_val *list = NULL;
    if (!sk_cli_request(c, "GET", path, NULL, NULL, 0, NULL, &r)) {
        if (r.status == 200) sk_json_parse(r.body, r.body_len, &list, NULL);
        sk_kresp_free(&r);
    }
    free(path);
    struct sk_val *items = sk_map_get(list, "items");
    struct sk_val **olds = sk_xcalloc(sk_arr_len(items) + 1, sizeof(*olds));
    struct sk_val *newrs = NULL;
    size_t nold = 0;
    const char *uid = str(o, "metadata.uid");
    for (size_t i = 0; i < sk_arr_len(items); i++) {
        struct sk_val *rs = sk_arr_get(items, i);
        const struct sk_val *ref = sk_obj_controller_ref(rs);
        if (!ref || strcmp(str(ref, "uid"), uid)) continue;
        if (!newrs && template_equal_ignoring_hash(sk_val_path(rs, "spec.template"),
                                                   sk_val_path(o, "spec.template")))
            newrs = rs;
        else
            olds[nold++] = rs;
    }
    if (nold || newrs) {
        char *ot = rs_list_text(olds, nold);
        char *nt = rs_list_text(&newrs, newrs ? 1 : 0);
        dwrite(w, 0, "OldReplicaSets:\t%s\n", ot);
        dwrite(w, 0, "NewReplicaSet:\t%s\n", nt);
        free(ot);
        free(nt);
    }
    free(olds);
    sk_val_free(list);
    free(sel);
}

/* Running / Waiting / Succeeded / Failed pods the controller owns. */
static void pod_counts(struct sk_cli *c, const struct sk_val *o, long long cnt[4])
{
    memset(cnt, 0, 4 * sizeof(long long));
    char *sel = selector_text(sk_val_path(o, "spec.selector"), "");
    char *esel = sk_kclient_escape(sel);
    char *q = sk_xasprintf("labelSelector=%s", esel);
    char *path = sk_cli_path(sk_kind_by_resource("", "v1", "pods"), str(o, "metadata.namespace"),
                             NULL, NULL, q);
    struct sk_kresp r;
    struct sk_val *list = NULL;
    if (!sk_cli_request(c, "GET", path, NULL, NULL, 0, NULL, &r)) {
        if (r.status == 200) sk_json_parse(r.body, r.body_len, &list, NULL);
        sk_kresp_free(&r);
    }
    struct sk_val *items = sk_map_get(list, "items");
    for (size_t i = 0; i < sk_arr_len(items); i++) {
        const struct sk_val *p = sk_arr_get(items, i);
        const struct sk_val *ref = sk_obj_controller_ref(p);
        if (!ref || strcmp(str(ref, "uid"), str(o, "metadata.uid"))) continue;
        const char *ph = str(p, "status.phase");
        if (!strcmp(ph, "Running"))
            cnt[0]++;
        else if (!strcmp(ph, "Pending"))
            cnt[1]++;
        else if (!strcmp(ph, "Succeeded"))
            cnt[2]++;
        else if (!strcmp(ph, "Failed"))
            cnt[3]++;
    }
    sk_val_free(list);
    free(path);
    free(q);
    free(esel);
    free(sel);
}

void describe_replicaset(struct sk_cli *c, struct dw *w, const struct sk_val *o)
{
    header(w, o, true);
    char *sel = selector_text(sk_val_path(o, "spec.selector"), "<none>");
    dwrite(w, 0, "Selector:\t%s\n", sel);
    free(sel);
    labels_multi(w, "", "Labels", "\t", sk_val_path(o, "metadata.labels"));
    annotations_multi(w, "Annotations", sk_val_path(o, "metadata.annotations"));
    controlled_by(w, o);
    dwrite(w, 0, "Replicas:\t%lld current / %lld desired\n", num(o, "status.replicas"),
           num(o, "spec.replicas"));
    long long cnt[4];
    pod_counts(c, o, cnt);
    dwrite(w, 0, "Pods Status:\t%lld Running / %lld Waiting / %lld Succeeded / %lld Failed\n",
           cnt[0], cnt[1], cnt[2], cnt[3]);
    pod_template(w, sk_val_path(o, "spec.template"));
    conditions3(w, o);
}

void describe_job(struct sk_cli *c, struct dw *w, const struct sk_val *o)
{
    (void)c;
    header(w, o, true);
    char *sel = selector_text(sk_val_path(o, "spec.selector"), "");
    dwrite(w, 0, "Selector:\t%s\n", sel);
    free(sel);
    labels_multi(w, "", "Labels", "\t", sk_val_path(o, "metadata.labels"));
    annotations_multi(w, "Annotations", sk_val_path(o, "metadata.annotations"));
    controlled_by(w, o);
    if (has(o, "spec.parallelism"))
        dwrite(w, 0, "Parallelism:\t%lld\n", num(o, "spec.parallelism"));
    if (has(o, "spec.completions"))
        dwrite(w, 0, "Completions:\t%lld\n", num(o, "spec.completions"));
    else
        dwrite(w, 0, "Completions:\t<unset>\n");
    if (has(o, "spec.completionMode"))
        dwrite(w, 0, "Completion Mode:\t%s\n", str(o, "spec.completionMode"));
    if (has(o, "spec.suspend"))
        dwrite(w, 0, "Suspend:\t%s\n",
               sk_val_to_bool(sk_val_path(o, "spec.suspend"), false) ? "true" : "false");
    if (has(o, "spec.backoffLimit"))
        dwrite(w, 0, "Backoff Limit:\t%lld\n", num(o, "spec.backoffLimit"));
    if (has(o, "spec.ttlSecondsAfterFinished"))
        dwrite(w, 0, "TTL Seconds After Finished:\t%lld\n", num(o, "spec.ttlSecondsAfterFinished"));
    if (has(o, "status.startTime")) {
        char *t = rfc1123z(str(o, "status.startTime"));
        dwrite(w, 0, "Start Time:\t%s\n", t);
        free(t);
    }
    if (has(o, "status.completionTime")) {
        char *t = rfc1123z(str(o, "status.completionTime"));
        dwrite(w, 0, "Completed At:\t%s\n", t);
        free(t);
    }
    time_t a, b;
    if (parse_time(str(o, "status.startTime"), &a) &&
        parse_time(str(o, "status.completionTime"), &b)) {
        char d[32];
        sk_human_duration((int64_t)(b - a), d);
        dwrite(w, 0, "Duration:\t%s\n", d);
    }
    if (has(o, "spec.activeDeadlineSeconds"))
        dwrite(w, 0, "Active Deadline Seconds:\t%llds\n", num(o, "spec.activeDeadlineSeconds"));
    if (!has(o, "status.ready"))
        dwrite(w, 0, "Pods Statuses:\t%lld Active / %lld Succeeded / %lld Failed\n",
               num(o, "status.active"), num(o, "status.succeeded"), num(o, "status.failed"));
    else
        dwrite(w, 0, "Pods Statuses:\t%lld Active (%lld Ready) / %lld Succeeded / %lld Failed\n",
               num(o, "status.active"), num(o, "status.ready"), num(o, "status.succeeded"),
               num(o, "status.failed"));
    if (!strcmp(str(o, "spec.completionMode"), "Indexed")) {
        const char *ci = str(o, "status.completedIndexes");
        dwrite(w, 0, "Completed Indexes:\t%s\n", *ci ? ci : "<none>");
    }
    pod_template(w, sk_val_path(o, "spec.template"));
}

static bool ep_ready(const struct sk_val *ep)
{
    const struct sk_val *r = sk_val_path(ep, "conditions.ready");
    return !r || r->type == SK_V_NULL || sk_val_to_bool(r, false);
}

/* kubectl's formatEndpointSlices for one port name: at most three
 * address:port of ready endpoints, then "+ N more...". */
static char *endpoints_text(const struct sk_val *slices, const char *port_name)
{
    if (!sk_arr_len(slices)) return sk_xstrdup("<none>");
    struct sk_buf b = {0};
    int listed = 0, count = 0;
    bool more = false;
    for (size_t i = 0; i < sk_arr_len(slices); i++) {
        const struct sk_val *sl = sk_arr_get(slices, i);
        const struct sk_val *ports = sk_map_get(sl, "ports"), *eps = sk_map_get(sl, "endpoints");
        if (!sk_arr_len(ports)) {
            for (size_t j = 0; j < sk_arr_len(eps); j++) {
                if (listed == 3) more = true;
                if (!ep_ready(sk_arr_get(eps, j))) continue;
                if (!more) {
                    const char *a =
                            sk_val_cstr(sk_arr_get(sk_map_get(sk_arr_get(eps, j), "addresses"), 0));
                    sk_buf_printf(&b, "%s%s", listed ? "," : "", a ? a : "");
                    listed++;
                }
                count++;
            }
            continue;
        }
        for (size_t k = 0; k < sk_arr_len(ports); k++) {
            const struct sk_val *pt = sk_arr_get(ports, k);
            if (strcmp(str(pt, "name"), port_name)) continue;
            for (size_t j = 0; j < sk_arr_len(eps); j++) {
                if (listed == 3) more = true;
                const char *a =
                        sk_val_cstr(sk_arr_get(sk_map_get(sk_arr_get(eps, j), "addresses"), 0));
                if (!ep_ready(sk_arr_get(eps, j))) continue;
                if (!more) {
                    bool v6 = a && strchr(a, ':');
                    sk_buf_printf(&b, "%s%s%s%s:%lld", listed ? "," : "", v6 ? "[" : "", a ? a : "",
                                  v6 ? "]" : "", num(pt, "port"));
                    listed++;
                }
                count++;
            }
        }
    }
    if (more) sk_buf_printf(&b, " + %d more...", count - 3);
    sk_buf_putc(&b, 0);
    return sk_buf_take(&b, NULL);
}

void describe_service(struct sk_cli *c, struct dw *w, const struct sk_val *o)
{
    header(w, o, true);
    labels_multi(w, "", "Labels", "\t", sk_val_path(o, "metadata.labels"));
    annotations_multi(w, "Annotations", sk_val_path(o, "metadata.annotations"));
    char *sel = map_labels_text(sk_val_path(o, "spec.selector"));
    dwrite(w, 0, "Selector:\t%s\n", sel);
    free(sel);
    dwrite(w, 0, "Type:\t%s\n", str(o, "spec.type"));
    if (has(o, "spec.ipFamilyPolicy"))
        dwrite(w, 0, "IP Family Policy:\t%s\n", str(o, "spec.ipFamilyPolicy"));
    const struct sk_val *fam = sk_val_path(o, "spec.ipFamilies");
    struct sk_buf b = {0};
    for (size_t i = 0; i < sk_arr_len(fam); i++)
        sk_buf_printf(&b, "%s%s", i ? "," : "",
                      sk_val_cstr(sk_arr_get(fam, i)) ? sk_val_cstr(sk_arr_get(fam, i)) : "");
    sk_buf_putc(&b, 0);
    dwrite(w, 0, "IP Families:\t%s\n", sk_arr_len(fam) ? b.p : "<none>");
    dwrite(w, 0, "IP:\t%s\n", str(o, "spec.clusterIP"));
    const struct sk_val *ips = sk_val_path(o, "spec.clusterIPs");
    b.len = 0;
    for (size_t i = 0; i < sk_arr_len(ips); i++)
        sk_buf_printf(&b, "%s%s", i ? "," : "",
                      sk_val_cstr(sk_arr_get(ips, i)) ? sk_val_cstr(sk_arr_get(ips, i)) : "");
    sk_buf_putc(&b, 0);
    dwrite(w, 0, "IPs:\t%s\n", sk_arr_len(ips) ? b.p : "<none>");
    const struct sk_val *eips = sk_val_path(o, "spec.externalIPs");
    if (sk_arr_len(eips)) {
        b.len = 0;
        for (size_t i = 0; i < sk_arr_len(eips); i++)
            sk_buf_printf(&b, "%s%s", i ? "," : "",
                          sk_val_cstr(sk_arr_get(eips, i)) ? sk_val_cstr(sk_arr_get(eips, i)) : "");
        sk_buf_putc(&b, 0);
        dwrite(w, 0, "External IPs:\t%s\n", b.p);
    }
    sk_buf_free(&b);
    if (*str(o, "spec.loadBalancerIP"))
        dwrite(w, 0, "Desired LoadBalancer IP:\t%s\n", str(o, "spec.loadBalancerIP"));
    if (*str(o, "spec.externalName"))
        dwrite(w, 0, "External Name:\t%s\n", str(o, "spec.externalName"));
    /* endpoints as kubectl 1.32 reads them: the service's EndpointSlices */
    const struct sk_kind *esk = sk_kind_by_resource("discovery.k8s.io", "v1", "endpointslices");
    struct sk_val *eslist = NULL;
    if (esk) {
        char *e = sk_kclient_escape(str(o, "metadata.name"));
        char *q = sk_xasprintf("labelSelector=kubernetes.io%%2Fservice-name%%3D%s", e);
        char *path = sk_cli_path(esk, str(o, "metadata.namespace"), NULL, NULL, q);
        struct sk_kresp r;
        if (!sk_cli_request(c, "GET", path, NULL, NULL, 0, NULL, &r)) {
            if (r.status == 200) sk_json_parse(r.body, r.body_len, &eslist, NULL);
            sk_kresp_free(&r);
        }
        free(path);
        free(q);
        free(e);
    }
    const struct sk_val *slices = sk_map_get(eslist, "items");
    const struct sk_val *ports = sk_val_path(o, "spec.ports");
    for (size_t i = 0; i < sk_arr_len(ports); i++) {
        const struct sk_val *p = sk_arr_get(ports, i);
        const char *name = *str(p, "name") ? str(p, "name") : "<unset>";
        dwrite(w, 0, "Port:\t%s\t%lld/%s\n", name, num(p, "port"), str(p, "protocol"));
        const struct sk_val *tp = sk_map_get(p, "targetPort");
        char *tps = scalar(tp);
        dwrite(w, 0, "TargetPort:\t%s/%s\n", tps, str(p, "protocol"));
        free(tps);
        if (num(p, "nodePort"))
            dwrite(w, 0, "NodePort:\t%s\t%lld/%s\n", name, num(p, "nodePort"), str(p, "protocol"));
        char *eps = endpoints_text(slices, str(p, "name"));
        dwrite(w, 0, "Endpoints:\t%s\n", eps);
        free(eps);
    }
    sk_val_free(eslist);
    dwrite(w, 0, "Session Affinity:\t%s\n", str(o, "spec.sessionAffinity"));
    if (*str(o, "spec.externalTrafficPolicy"))
        dwrite(w, 0, "External Traffic Policy:\t%s\n", str(o, "spec.externalTrafficPolicy"));
    if (has(o, "spec.internalTrafficPolicy"))
        dwrite(w, 0, "Internal Traffic Policy:\t%s\n", str(o, "spec.internalTrafficPolicy"));
    if (num(o, "spec.healthCheckNodePort"))
        dwrite(w, 0, "HealthCheck NodePort:\t%lld\n", num(o, "spec.healthCheckNodePort"));
}

void describe_configmap(struct sk_cli *c, struct dw *w, const struct sk_val *o)
{
    (void)c;
    header(w, o, true);
    labels_multi(w, "", "Labels", "\t", sk_val_path(o, "metadata.labels"));
    annotations_multi(w, "Annotations", sk_val_path(o, "metadata.annotations"));
    dwrite(w, 0, "\nData\n====\n");
    const struct sk_val *d = sk_map_get(o, "data");
    struct sk_val *s = d ? sk_cli_sorted(d) : NULL;
    for (size_t i = 0; s && i < s->u.m.n; i++) {
        const char *v = sk_val_cstr(s->u.m.kv[i].val);
        dwrite(w, 0, "%s:\n----\n", s->u.m.kv[i].key);
        dwrite(w, 0, "%s\n", v ? v : "");
        dwrite(w, 0, "\n");
    }
    sk_val_free(s);
    dwrite(w, 0, "\nBinaryData\n====\n");
    const struct sk_val *bd = sk_map_get(o, "binaryData");
    s = bd ? sk_cli_sorted(bd) : NULL;
    for (size_t i = 0; s && i < s->u.m.n; i++) {
        const char *v = sk_val_cstr(s->u.m.kv[i].val);
        size_t l = v ? strlen(v) : 0, pad = 0;
        while (l > pad && v[l - 1 - pad] == '=')
            pad++;
        dwrite(w, 0, "%s: %zu bytes\n", s->u.m.kv[i].key, l / 4 * 3 - pad);
    }
    sk_val_free(s);
    dwrite(w, 0, "\n");
}

/* A quantity as Go's Quantity.String() prints it ("0Ki" is "0"). */
static char *qstr(const struct sk_val *v)
{
    struct sk_quantity q;
    const char *s = sk_val_cstr(v);
    char buf[SK_QUANTITY_STRMAX];
    if (s && sk_quantity_parse(s, &q, NULL) == SK_OK) {
        sk_quantity_format(&q, buf);
        return sk_xstrdup(buf);
    }
    return scalar(v);
}

static bool qparse(const struct sk_val *v, struct sk_quantity *q)
{
    const char *s = sk_val_cstr(v);
    if (s && sk_quantity_parse(s, q, NULL) == SK_OK) return true;
    memset(q, 0, sizeof(*q));
    return false;
}

/* A pod's requests or limits of one resource: the sum over containers,
 * at least the largest init container's, plus the overhead (kubectl's
 * PodRequestsAndLimits for plain init containers). */
static struct sk_quantity pod_resource(const struct sk_val *pod, const char *which, const char *res)
{
    struct sk_quantity sum = {0}, q;
    const struct sk_val *cs = sk_val_path(pod, "spec.containers");
    for (size_t i = 0; i < sk_arr_len(cs); i++) {
        const struct sk_val *v = sk_map_get(sk_val_path(sk_arr_get(cs, i), "resources"), which);
        if (qparse(sk_map_get(v, res), &q)) sk_quantity_add(&sum, &q, NULL);
    }
    const struct sk_val *ics = sk_val_path(pod, "spec.initContainers");
    for (size_t i = 0; i < sk_arr_len(ics); i++) {
        const struct sk_val *v = sk_map_get(sk_val_path(sk_arr_get(ics, i), "resources"), which);
        if (qparse(sk_map_get(v, res), &q) && sk_quantity_cmp(&q, &sum) > 0) sum = q;
    }
    if (qparse(sk_map_get(sk_val_path(pod, "spec.overhead"), res), &q))
        sk_quantity_add(&sum, &q, NULL);
    return sum;
}

static long long percent(const struct sk_quantity *q, const struct sk_quantity *of, bool milli)
{
    double a = milli ? (double)sk_quantity_milli_value(q) : (double)sk_quantity_value(q);
    double b = milli ? (double)sk_quantity_milli_value(of) : (double)sk_quantity_value(of);
    if (b == 0) return 0;
    return (long long)(a / b * 100);
}

static void node_resources(struct sk_cli *c, struct dw *w, const struct sk_val *o)
{
    char *e = sk_kclient_escape(str(o, "metadata.name"));
    char *q = sk_xasprintf("fieldSelector=spec.nodeName%%3D%s%%2Cstatus.phase%%21%%3DSucceeded"
                           "%%2Cstatus.phase%%21%%3DFailed",
                           e);
    char *path = sk_cli_path(sk_kind_by_resource("", "v1", "pods"), NULL, NULL, NULL, q);
    struct sk_kresp r;
    struct sk_val *list = NULL;
    if (!sk_cli_request(c, "GET", path, NULL, NULL, 0, NULL, &r)) {
        if (r.status == 200) sk_json_parse(r.body, r.body_len, &list, NULL);
        sk_kresp_free(&r);
    }
    free(path);
    free(q);
    free(e);
    const struct sk_val *pods = sk_map_get(list, "items");
    const struct sk_val *alloc = sk_val_path(o, "status.allocatable");
    if (!alloc || !sk_map_len(alloc)) alloc = sk_val_path(o, "status.capacity");
    struct sk_quantity acpu, amem, aeph;
    qparse(sk_map_get(alloc, "cpu"), &acpu);
    qparse(sk_map_get(alloc, "memory"), &amem);
    qparse(sk_map_get(alloc, "ephemeral-storage"), &aeph);
    dwrite(w, 0, "Non-terminated Pods:\t(%zu in total)\n", sk_arr_len(pods));
    dwrite(w, 1,
           "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory "
           "Limits\tAge\n");
    dwrite(w, 1,
           "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n");
    struct sk_quantity tot[6] = {{0}};
    static const char *const res[3] = {"cpu", "memory", "ephemeral-storage"};
    for (size_t i = 0; i < sk_arr_len(pods); i++) {
        const struct sk_val *p = sk_arr_get(pods, i);
        struct sk_quantity v[4];
        char t[4][SK_QUANTITY_STRMAX];
        for (int k = 0; k < 4; k++) {
            v[k] = pod_resource(p, k % 2 ? "limits" : "requests", k < 2 ? "cpu" : "memory");
            sk_quantity_format(&v[k], t[k]);
        }
        char *age = since(w, str(p, "metadata.creationTimestamp"));
        dwrite(w, 1, "%s\t%s\t\t%s (%lld%%)\t%s (%lld%%)\t%s (%lld%%)\t%s (%lld%%)\t%s\n",
               str(p, "metadata.namespace"), str(p, "metadata.name"), t[0],
               percent(&v[0], &acpu, true), t[1], percent(&v[1], &acpu, true), t[2],
               percent(&v[2], &amem, false), t[3], percent(&v[3], &amem, false), age);
        free(age);
    }
    for (size_t i = 0; i < sk_arr_len(pods); i++)
        for (int k = 0; k < 6; k++) {
            struct sk_quantity x =
                    pod_resource(sk_arr_get(pods, i), k % 2 ? "limits" : "requests", res[k / 2]);
            sk_quantity_add(&tot[k], &x, NULL);
        }
    dwrite(w, 0,
           "Allocated resources:\n  (Total limits may be over 100 percent, i.e., "
           "overcommitted.)\n");
    dwrite(w, 1, "Resource\tRequests\tLimits\n");
    dwrite(w, 1, "--------\t--------\t------\n");
    const struct sk_quantity *of[3] = {&acpu, &amem, &aeph};
    for (int k = 0; k < 3; k++) {
        char a[SK_QUANTITY_STRMAX], b[SK_QUANTITY_STRMAX];
        sk_quantity_format(&tot[2 * k], a);
        sk_quantity_format(&tot[2 * k + 1], b);
        dwrite(w, 1, "%s\t%s (%lld%%)\t%s (%lld%%)\n", res[k], a,
               percent(&tot[2 * k], of[k], k == 0), b, percent(&tot[2 * k + 1], of[k], k == 0));
    }
    /* hugepages of the allocatable list, sorted */
    struct sk_val *sa = alloc ? sk_cli_sorted(alloc) : NULL;
    for (size_t i = 0; sa && i < sa->u.m.n; i++) {
        const char *name = sa->u.m.kv[i].key;
        if (strncmp(name, "hugepages-", 10)) continue;
        struct sk_quantity rq = {0}, lq = {0}, aq;
        for (size_t j = 0; j < sk_arr_len(pods); j++) {
            struct sk_quantity x = pod_resource(sk_arr_get(pods, j), "requests", name);
            struct sk_quantity y = pod_resource(sk_arr_get(pods, j), "limits", name);
            sk_quantity_add(&rq, &x, NULL);
            sk_quantity_add(&lq, &y, NULL);
        }
        qparse(sa->u.m.kv[i].val, &aq);
        char a[SK_QUANTITY_STRMAX], b[SK_QUANTITY_STRMAX];
        sk_quantity_format(&rq, a);
        sk_quantity_format(&lq, b);
        dwrite(w, 1, "%s\t%s (%lld%%)\t%s (%lld%%)\n", name, a, percent(&rq, &aq, false), b,
               percent(&lq, &aq, false));
    }
    sk_val_free(sa);
    sk_val_free(list);
}

static void node_lease(struct sk_cli *c, struct dw *w, const struct sk_val *o)
{
    const struct sk_kind *lk = sk_kind_by_resource("coordination.k8s.io", "v1", "leases");
    if (!lk) return;
    char *path = sk_cli_path(lk, "kube-node-lease", str(o, "metadata.name"), NULL, NULL);
    struct sk_kresp r;
    if (sk_cli_request(c, "GET", path, NULL, NULL, 0, NULL, &r)) {
        free(path);
        return;
    }
    free(path);
    struct sk_val *lease = NULL;
    if (r.status != 200 || sk_json_parse(r.body, r.body_len, &lease, NULL)) {
        struct sk_val *st = NULL;
        const char *msg = NULL;
        if (r.body && !sk_json_parse(r.body, r.body_len, &st, NULL))
            msg = sk_val_str_at(st, "message", NULL);
        dwrite(w, 0, "Lease:\tFailed to get lease: %s\n", msg ? msg : "unknown error");
        sk_val_free(st);
        sk_kresp_free(&r);
        return;
    }
    sk_kresp_free(&r);
    dwrite(w, 0, "Lease:\n");
    const char *h = str(lease, "spec.holderIdentity");
    dwrite(w, 1, "HolderIdentity:\t%s\n", has(lease, "spec.holderIdentity") ? h : "<unset>");
    char *a = has(lease, "spec.acquireTime") ? rfc1123z(str(lease, "spec.acquireTime"))
                                             : sk_xstrdup("<unset>");
    char *b = has(lease, "spec.renewTime") ? rfc1123z(str(lease, "spec.renewTime"))
                                           : sk_xstrdup("<unset>");
    dwrite(w, 1, "AcquireTime:\t%s\n", a);
    dwrite(w, 1, "RenewTime:\t%s\n", b);
    free(a);
    free(b);
    sk_val_free(lease);
}

void describe_node(struct sk_cli *c, struct dw *w, const struct sk_val *o)
{
    dwrite(w, 0, "Name:\t%s\n", str(o, "metadata.name"));
    /* roles from node-role.kubernetes.io/ROLE and kubernetes.io/role labels */
    const struct sk_val *lb = sk_val_path(o, "metadata.labels");
    struct sk_val *sl = lb ? sk_cli_sorted(lb) : NULL;
    struct sk_buf roles = {0};
    for (size_t i = 0; sl && i < sl->u.m.n; i++) {
        const char *k = sl->u.m.kv[i].key;
        const char *r = NULL;
        if (!strncmp(k, "node-role.kubernetes.io/", 24))
            r = k + 24;
        else if (!strcmp(k, "kubernetes.io/role"))
            r = sk_val_cstr(sl->u.m.kv[i].val);
        if (r && *r) sk_buf_printf(&roles, "%s%s", roles.len ? "," : "", r);
    }
    sk_val_free(sl);
    sk_buf_putc(&roles, 0);
    dwrite(w, 0, "Roles:\t%s\n", roles.len > 1 ? roles.p : "<none>");
    sk_buf_free(&roles);
    labels_multi(w, "", "Labels", "\t", lb);
    annotations_multi(w, "Annotations", sk_val_path(o, "metadata.annotations"));
    char *ct = rfc1123z(str(o, "metadata.creationTimestamp"));
    dwrite(w, 0, "CreationTimestamp:\t%s\n", ct);
    free(ct);
    const struct sk_val *taints = sk_val_path(o, "spec.taints");
    dwrite(w, 0, "Taints:\t");
    if (!sk_arr_len(taints)) dwrite(w, 0, "<none>\n");
    for (size_t i = 0; i < sk_arr_len(taints); i++) {
        const struct sk_val *t = sk_arr_get(taints, i);
        if (i) dwrite(w, 0, "\t");
        if (*str(t, "value"))
            dwrite(w, 0, "%s=%s:%s\n", str(t, "key"), str(t, "value"), str(t, "effect"));
        else
            dwrite(w, 0, "%s:%s\n", str(t, "key"), str(t, "effect"));
    }
    dwrite(w, 0, "Unschedulable:\t%s\n",
           sk_val_to_bool(sk_val_path(o, "spec.unschedulable"), false) ? "true" : "false");
    node_lease(c, w, o);
    const struct sk_val *conds = sk_val_path(o, "status.conditions");
    if (sk_arr_len(conds)) {
        dwrite(w, 0,
               "Conditions:\n  "
               "Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n");
        dwrite(w, 1, "----\t------\t-----------------\t------------------\t------\t-------\n");
        for (size_t i = 0; i < sk_arr_len(conds); i++) {
            const struct sk_val *cd = sk_arr_get(conds, i);
            char *hb = rfc1123z(str(cd, "lastHeartbeatTime"));
            char *tt = rfc1123z(str(cd, "lastTransitionTime"));
            dwrite(w, 1, "%s \t%s \t%s \t%s \t%s \t%s\n", str(cd, "type"), str(cd, "status"), hb,
                   tt, str(cd, "reason"), str(cd, "message"));
            free(hb);
            free(tt);
        }
    }
    dwrite(w, 0, "Addresses:\n");
    const struct sk_val *addrs = sk_val_path(o, "status.addresses");
    for (size_t i = 0; i < sk_arr_len(addrs); i++)
        dwrite(w, 1, "%s:\t%s\n", str(sk_arr_get(addrs, i), "type"),
               str(sk_arr_get(addrs, i), "address"));
    static const char *const lists[] = {"status.capacity", "Capacity", "status.allocatable",
                                        "Allocatable"};
    for (int k = 0; k < 4; k += 2) {
        const struct sk_val *m = sk_val_path(o, lists[k]);
        if (!m || !sk_map_len(m)) continue;
        dwrite(w, 0, "%s:\n", lists[k + 1]);
        struct sk_val *s = sk_cli_sorted(m);
        for (size_t i = 0; i < s->u.m.n; i++) {
            char *v = qstr(s->u.m.kv[i].val);
            dwrite(w, 0, "  %s:\t%s\n", s->u.m.kv[i].key, v);
            free(v);
        }
        sk_val_free(s);
    }
    static const char *const info[] = {"machineID",
                                       "Machine ID",
                                       "systemUUID",
                                       "System UUID",
                                       "bootID",
                                       "Boot ID",
                                       "kernelVersion",
                                       "Kernel Version",
                                       "osImage",
                                       "OS Image",
                                       "operatingSystem",
                                       "Operating System",
                                       "architecture",
                                       "Architecture",
                                       "containerRuntimeVersion",
                                       "Container Runtime Version",
                                       "kubeletVersion",
                                       "Kubelet Version",
                                       "kubeProxyVersion",
                                       "Kube-Proxy Version"};
    dwrite(w, 0, "System Info:\n");
    const struct sk_val *ni = sk_val_path(o, "status.nodeInfo");
    for (size_t k = 0; k < sizeof(info) / sizeof(info[0]); k += 2)
        dwrite(w, 0, "  %s:\t%s\n", info[k + 1], str(ni, info[k]));
    if (*str(o, "spec.podCIDR")) dwrite(w, 0, "PodCIDR:\t%s\n", str(o, "spec.podCIDR"));
    if (*str(o, "spec.providerID")) dwrite(w, 0, "ProviderID:\t%s\n", str(o, "spec.providerID"));
    node_resources(c, w, o);
}

/* kubectl's smartLabelFor: "containerPort" -> "Container Port", acronyms kept. */
static char *smart_label(const char *f)
{
    for (const char *p = f; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '-') &&
            (unsigned char)*p < 0x80)
            return sk_xstrdup(f);
    struct sk_buf b = {0};
    for (const char *p = f; *p; p++) {
        bool up = *p >= 'A' && *p <= 'Z';
        bool prev_low = p > f && p[-1] >= 'a' && p[-1] <= 'z';
        bool next_low = p[1] >= 'a' && p[1] <= 'z';
        bool prev_up = p > f && p[-1] >= 'A' && p[-1] <= 'Z';
        if (p > f && up && (prev_low || (prev_up && next_low))) sk_buf_putc(&b, ' ');
        sk_buf_putc(&b, (char)(p == f && *p >= 'a' && *p <= 'z' ? *p - 32 : *p));
    }
    sk_buf_putc(&b, 0);
    return sk_buf_take(&b, NULL);
}

static bool skipped(const char *path)
{
    static const char *const skip[] = {".metadata.managedFields", ".metadata.name",
                                       ".metadata.namespace",     ".metadata.labels",
                                       ".metadata.annotations",   NULL};
    for (int i = 0; skip[i]; i++)
        if (!strcmp(skip[i], path)) return true;
    return false;
}

static void unstructured(struct dw *w, int level, const struct sk_val *m, const char *prefix)
{
    struct sk_val *s = sk_cli_sorted(m);
    for (size_t i = 0; i < s->u.m.n; i++) {
        const char *k = s->u.m.kv[i].key;
        const struct sk_val *v = s->u.m.kv[i].val;
        char *path = sk_xasprintf("%s.%s", prefix, k);
        char *lbl = smart_label(k);
        if (skipped(path)) {
        } else if (v->type == SK_V_MAP) {
            dwrite(w, level, "%s:\n", lbl);
            unstructured(w, level + 1, v, path);
        } else if (v->type == SK_V_ARR) {
            dwrite(w, level, "%s:\n", lbl);
            for (size_t j = 0; j < v->u.a.n; j++) {
                if (v->u.a.items[j]->type == SK_V_MAP) {
                    unstructured(w, level + 1, v->u.a.items[j], path);
                } else {
                    char *t = scalar(v->u.a.items[j]);
                    dwrite(w, level + 1, "%s\n", t);
                    free(t);
                }
            }
        } else {
            char *t = scalar(v);
            dwrite(w, level, "%s:\t%s\n", lbl, t);
            free(t);
        }
        free(lbl);
        free(path);
    }
    sk_val_free(s);
}

void describe_generic(struct sk_cli *c, struct dw *w, const struct sk_val *o)
{
    (void)c;
    dwrite(w, 0, "Name:\t%s\n", str(o, "metadata.name"));
    dwrite(w, 0, "Namespace:\t%s\n", str(o, "metadata.namespace"));
    labels_multi(w, "", "Labels", "\t", sk_val_path(o, "metadata.labels"));
    annotations_multi(w, "Annotations", sk_val_path(o, "metadata.annotations"));
    unstructured(w, 0, o, "");
}
