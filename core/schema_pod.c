/* The pod spec, shared by Pods and every workload's template: Kubernetes'
 * defaults for it (SetDefaults_PodSpec, _Container, _Probe, ...) and its
 * validation (ValidatePodSpec and the container, probe, resource, security
 * and scheduling checks it calls), plus what is particular to Pod objects:
 * create-time status, QoS class, and the rules for updating a pod. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quantity.h"
#include "schema_int.h"

/* ---- defaults ---- */

static bool lower_path_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* parsers.ParseImageName's tag: "" when the reference does not parse (the
 * kubelet then never assumes "latest"), "latest" when it names neither a
 * tag nor a digest. Returns true for a pull policy of Always. */
static bool image_wants_always(const char *image)
{
    if (!image || !*image) return false;
    const char *at = strchr(image, '@');
    size_t n = at ? (size_t)(at - image) : strlen(image);
    if (at && (!strchr(at, ':') || !at[1])) return false;
    const char *slash = NULL;
    for (size_t i = 0; i < n; i++)
        if (image[i] == '/') slash = image + i;
    const char *colon =
            memchr(slash ? slash : image, ':', n - (size_t)((slash ? slash : image) - image));
    size_t namelen = colon ? (size_t)(colon - image) : n;
    if (namelen == 0) return false;
    /* The first component is a registry when it looks like a host. */
    const char *first_end = memchr(image, '/', namelen);
    size_t start = 0;
    if (first_end) {
        size_t fl = (size_t)(first_end - image);
        bool host = memchr(image, '.', fl) || memchr(image, ':', fl) ||
                    (fl == 9 && !strncmp(image, "localhost", 9));
        if (host) start = fl + 1;
    }
    for (size_t i = start; i < namelen; i++)
        if (!lower_path_char(image[i]) && image[i] != '/') return false;
    if (colon) {
        size_t tl = n - namelen - 1;
        if (tl == 0 || tl > 128) return false;
        return tl == 6 && !strncmp(colon + 1, "latest", 6);
    }
    return !at;
}

static void default_http_get(struct sk_val *h)
{
    if (!h || h->type != SK_V_MAP) return;
    sk_dstr0(h, "path", "/");
    sk_dstr0(h, "scheme", "HTTP");
}

static void default_probe(struct sk_val *p)
{
    if (!p || p->type != SK_V_MAP) return;
    sk_dint0(p, "timeoutSeconds", 1);
    sk_dint0(p, "periodSeconds", 10);
    sk_dint0(p, "successThreshold", 1);
    sk_dint0(p, "failureThreshold", 3);
    default_http_get(sk_map_get(p, "httpGet"));
    /* GRPCAction.service carries +default="" (and no omitempty). */
    struct sk_val *g = sk_map_get(p, "grpc");
    if (g && g->type == SK_V_MAP) sk_dstr(g, "service", "");
}

static void default_container(struct sk_val *c)
{
    if (!c || c->type != SK_V_MAP) return;
    const struct sk_val *pp = sk_map_get(c, "imagePullPolicy");
    if (!pp || pp->type == SK_V_NULL || (pp->type == SK_V_STR && !pp->u.s.len))
        sk_map_set(c, "imagePullPolicy",
                   sk_val_str(image_wants_always(sk_gets(c, "image")) ? "Always" : "IfNotPresent"));
    sk_dstr0(c, "terminationMessagePath", "/dev/termination-log");
    sk_dstr0(c, "terminationMessagePolicy", "File");
    struct sk_val *ports = sk_map_get(c, "ports");
    for (size_t i = 0; i < sk_alen(ports); i++)
        sk_dstr0(ports->u.a.items[i], "protocol", "TCP");
    default_probe(sk_map_get(c, "livenessProbe"));
    default_probe(sk_map_get(c, "readinessProbe"));
    default_probe(sk_map_get(c, "startupProbe"));
    struct sk_val *lc = sk_map_get(c, "lifecycle");
    default_http_get(sk_map_get(sk_map_get(lc, "postStart"), "httpGet"));
    default_http_get(sk_map_get(sk_map_get(lc, "preStop"), "httpGet"));
    struct sk_val *env = sk_map_get(c, "env");
    for (size_t i = 0; i < sk_alen(env); i++) {
        struct sk_val *fr = sk_map_get(sk_map_get(env->u.a.items[i], "valueFrom"), "fieldRef");
        if (fr && fr->type == SK_V_MAP) sk_dstr0(fr, "apiVersion", "v1");
    }
    struct sk_val *res = sk_map_get(c, "resources");
    sk_default_resource_list(sk_map_get(res, "limits"));
    sk_default_resource_list(sk_map_get(res, "requests"));
}

void sk_default_podspec(struct sk_val *spec)
{
    if (!spec || spec->type != SK_V_MAP) return;
    sk_dstr0(spec, "dnsPolicy", "ClusterFirst");
    sk_dstr0(spec, "restartPolicy", "Always");
    sk_dmap(spec, "securityContext");
    sk_dint(spec, "terminationGracePeriodSeconds", 30);
    sk_dstr0(spec, "schedulerName", "default-scheduler");
    static const char *const lists[] = {"containers", "initContainers", "ephemeralContainers",
                                        NULL};
    for (size_t l = 0; lists[l]; l++) {
        struct sk_val *cs = sk_map_get(spec, lists[l]);
        for (size_t i = 0; i < sk_alen(cs); i++)
            default_container(cs->u.a.items[i]);
    }
    struct sk_val *vols = sk_map_get(spec, "volumes");
    for (size_t i = 0; i < sk_alen(vols); i++)
        sk_default_volume(vols->u.a.items[i]);
    sk_default_resource_list(sk_map_get(spec, "overhead"));
    struct sk_val *res = sk_map_get(spec, "resources");
    sk_default_resource_list(sk_map_get(res, "limits"));
    sk_default_resource_list(sk_map_get(res, "requests"));
}

void sk_default_pod_extras(struct sk_val *spec)
{
    if (!spec || spec->type != SK_V_MAP) return;
    static const char *const lists[] = {"containers", "initContainers", NULL};
    for (size_t l = 0; lists[l]; l++) {
        struct sk_val *cs = sk_map_get(spec, lists[l]);
        for (size_t i = 0; i < sk_alen(cs); i++) {
            /* Requests default to the limits, resource by resource. */
            struct sk_val *res = sk_map_get(cs->u.a.items[i], "resources");
            struct sk_val *lim = sk_map_get(res, "limits");
            if (!lim || lim->type != SK_V_MAP) continue;
            struct sk_val *req = sk_dmap(res, "requests");
            for (size_t j = 0; req && j < lim->u.m.n; j++)
                if (!sk_map_get(req, lim->u.m.kv[j].key))
                    sk_map_set(req, lim->u.m.kv[j].key, sk_val_dup(lim->u.m.kv[j].val));
        }
    }
    sk_dbool(spec, "enableServiceLinks", true);
    if (sk_getb(spec, "hostNetwork")) {
        /* With the host's network, container ports are host ports. */
        for (size_t l = 0; lists[l]; l++) {
            struct sk_val *cs = sk_map_get(spec, lists[l]);
            for (size_t i = 0; i < sk_alen(cs); i++) {
                struct sk_val *ports = sk_map_get(cs->u.a.items[i], "ports");
                for (size_t j = 0; j < sk_alen(ports); j++) {
                    struct sk_val *p = ports->u.a.items[j];
                    int64_t cp;
                    if (sk_geti0(p, "hostPort") == 0 && sk_geti(p, "containerPort", &cp))
                        sk_map_set(p, "hostPort", sk_val_int(cp));
                }
            }
        }
    }
}

/* ---- resources ---- */

static const char *const standard_resources[] = {"cpu",
                                                 "memory",
                                                 "ephemeral-storage",
                                                 "requests.cpu",
                                                 "requests.memory",
                                                 "requests.ephemeral-storage",
                                                 "limits.cpu",
                                                 "limits.memory",
                                                 "limits.ephemeral-storage",
                                                 "pods",
                                                 "resourcequotas",
                                                 "services",
                                                 "replicationcontrollers",
                                                 "secrets",
                                                 "configmaps",
                                                 "persistentvolumeclaims",
                                                 "storage",
                                                 "requests.storage",
                                                 "services.nodeports",
                                                 "services.loadbalancers",
                                                 NULL};

static bool is_hugepages(const char *n)
{
    return !strncmp(n, "hugepages-", 10);
}

static bool is_native(const char *n)
{
    return !strchr(n, '/') || strstr(n, "kubernetes.io/");
}

static bool is_extended(const char *n)
{
    if (is_native(n) || !strncmp(n, "requests.", 9)) return false;
    char *q = sk_xasprintf("requests.%s", n);
    const char *msgs[SK_MAXMSGS];
    bool ok = sk_qualified_name_msgs(q, msgs) == 0;
    free(q);
    return ok;
}

static bool overcommit_allowed(const char *n)
{
    return is_native(n) && !is_hugepages(n);
}

/* validateContainerResourceName at the current path. */
static void container_resource_name(struct sk_vctx *v, const char *n)
{
    const char *msgs[SK_MAXMSGS];
    size_t k = sk_qualified_name_msgs(n, msgs);
    for (size_t i = 0; i < k; i++)
        sk_vinvalid_str(v, NULL, n, "%s", msgs[i]);
    if (k == 0 && !strchr(n, '/') && !sk_str_in(n, standard_resources) && !is_hugepages(n) &&
        strncmp(n, "requests.hugepages-", 19))
        sk_vinvalid_str(v, NULL, n, "must be a standard resource type or fully qualified");
    if (!strchr(n, '/')) {
        if (strcmp(n, "cpu") && strcmp(n, "memory") && strcmp(n, "ephemeral-storage") &&
            !is_hugepages(n))
            sk_vinvalid_str(v, NULL, n, "must be a standard resource for containers");
    } else if (!is_native(n) && !is_extended(n)) {
        sk_vinvalid_str(v, NULL, n, "doesn't follow extended resource name standard");
    }
}

static void resource_requirements(struct sk_vctx *v, const struct sk_val *res)
{
    const struct sk_val *lim = sk_getm(res, "limits"), *req = sk_getm(res, "requests");
    bool lim_cm = false, req_cm = false, lim_hp = false, req_hp = false;
    for (size_t i = 0; i < sk_mlen(lim); i++) {
        const char *n = lim->u.m.kv[i].key;
        size_t mark = sk_vpush(v, "limits");
        sk_vpushk(v, n);
        container_resource_name(v, n);
        sk_validate_resource_quantity(v, n, lim->u.m.kv[i].val);
        sk_vpop(v, mark);
        lim_hp |= is_hugepages(n);
        lim_cm |= !strcmp(n, "cpu") || !strcmp(n, "memory");
    }
    for (size_t i = 0; i < sk_mlen(req); i++) {
        const char *n = req->u.m.kv[i].key;
        size_t mark = sk_vpush(v, "requests");
        sk_vpushk(v, n);
        container_resource_name(v, n);
        sk_validate_resource_quantity(v, n, req->u.m.kv[i].val);
        sk_vpop(v, mark);
        struct sk_quantity rq, lq;
        const struct sk_val *lv = sk_get(lim, n);
        if (lv) {
            if (sk_quantity_from_val(req->u.m.kv[i].val, &rq, NULL, NULL) == SK_OK &&
                sk_quantity_from_val(lv, &lq, NULL, NULL) == SK_OK) {
                char rb[SK_QUANTITY_STRMAX], lb[SK_QUANTITY_STRMAX];
                sk_quantity_format(&rq, rb);
                sk_quantity_format(&lq, lb);
                int c = sk_quantity_cmp(&rq, &lq);
                if (c != 0 && !overcommit_allowed(n))
                    sk_vinvalid_str(v, "requests", rb, "must be equal to %s limit of %s", n, lb);
                else if (c > 0)
                    sk_vinvalid_str(v, "requests", rb,
                                    "must be less than or equal to %s limit of %s", n, lb);
            }
        } else if (!overcommit_allowed(n)) {
            sk_vrequired(v, "limits", "Limit must be set for non overcommitable resources");
        }
        req_hp |= is_hugepages(n);
        req_cm |= !strcmp(n, "cpu") || !strcmp(n, "memory");
    }
    if (!lim_cm && !req_cm && (req_hp || lim_hp))
        sk_vforbidden(v, NULL, "HugePages require cpu or memory");
}

/* ---- containers ---- */

struct pod_ctx {
    const struct sk_val *spec;
    const struct sk_volset *vols;
    const struct sk_val *claims; /* spec.resourceClaims */
    bool has_grace;
    int64_t grace;
    bool is_pod;
    bool host_users;
};

static const char *const protocols[] = {"SCTP", "TCP", "UDP", NULL};

static void container_ports(struct sk_vctx *v, const struct sk_val *ports)
{
    const char **names = sk_xcalloc(sk_alen(ports) + 1, sizeof(*names));
    size_t nn = 0;
    for (size_t i = 0; i < sk_alen(ports); i++) {
        const struct sk_val *p = ports->u.a.items[i];
        size_t mark = sk_vpush(v, "ports");
        sk_vpushi(v, i);
        const char *name = sk_gets0(p, "name");
        if (*name) {
            const char *msgs[SK_MAXMSGS];
            size_t k = sk_port_name_msgs(name, msgs);
            bool dup = false;
            for (size_t j = 0; j < nn && !dup; j++)
                dup = !strcmp(names[j], name);
            for (size_t j = 0; j < k; j++)
                sk_vinvalid_str(v, "name", name, "%s", msgs[j]);
            if (!k && dup)
                sk_vduplicate_str(v, "name", name);
            else if (!k)
                names[nn++] = name;
        }
        int64_t cp = sk_geti0(p, "containerPort"), hp = sk_geti0(p, "hostPort");
        if (cp == 0)
            sk_vrequired(v, "containerPort", "%s", "");
        else if (sk_port_num_msg(cp))
            sk_vinvalid_int(v, "containerPort", cp, "%s", sk_port_num_msg(cp));
        if (hp != 0 && sk_port_num_msg(hp))
            sk_vinvalid_int(v, "hostPort", hp, "%s", sk_port_num_msg(hp));
        const char *proto = sk_gets0(p, "protocol");
        if (!*proto)
            sk_vrequired(v, "protocol", "%s", "");
        else if (!sk_str_in(proto, protocols))
            sk_vnotsupported_str(v, "protocol", proto, protocols);
        sk_vpop(v, mark);
    }
    free(names);
}

static const char *const env_field_paths[] = {"metadata.name",
                                              "metadata.namespace",
                                              "metadata.uid",
                                              "spec.nodeName",
                                              "spec.serviceAccountName",
                                              "status.hostIP",
                                              "status.hostIPs",
                                              "status.podIP",
                                              "status.podIPs",
                                              NULL};

static void key_selector(struct sk_vctx *v, const char *child, const struct sk_val *s)
{
    size_t mark = sk_vpush(v, child);
    sk_vmsgs(v, "name", sk_gets0(s, "name"), sk_dns1123_subdomain_msgs);
    const char *key = sk_gets0(s, "key");
    if (!*key)
        sk_vrequired(v, "key", "%s", "");
    else
        sk_vmsgs(v, "key", key, sk_config_key_msgs);
    sk_vpop(v, mark);
}

static void env_vars(struct sk_vctx *v, const struct sk_val *env)
{
    for (size_t i = 0; i < sk_alen(env); i++) {
        const struct sk_val *e = env->u.a.items[i];
        size_t mark = sk_vpush(v, "env");
        sk_vpushi(v, i);
        const char *name = sk_gets0(e, "name");
        if (!*name)
            sk_vrequired(v, "name", "%s", "");
        else
            sk_vmsgs(v, "name", name, sk_env_var_name_msgs);
        const struct sk_val *vf = sk_getm(e, "valueFrom");
        if (vf) {
            size_t m2 = sk_vpush(v, "valueFrom");
            int num = 0;
            const struct sk_val *s;
            if ((s = sk_getm(vf, "fieldRef"))) {
                num++;
                size_t m3 = sk_vpush(v, "fieldRef");
                sk_validate_field_selector(v, s, env_field_paths);
                sk_vpop(v, m3);
            }
            if ((s = sk_getm(vf, "resourceFieldRef"))) {
                num++;
                size_t m3 = sk_vpush(v, "resourceFieldRef");
                sk_validate_resource_field_selector(v, s, false);
                sk_vpop(v, m3);
            }
            if ((s = sk_getm(vf, "configMapKeyRef"))) {
                num++;
                key_selector(v, "configMapKeyRef", s);
            }
            if ((s = sk_getm(vf, "secretKeyRef"))) {
                num++;
                key_selector(v, "secretKeyRef", s);
            }
            if (num == 0)
                sk_vinvalid_str(
                        v, NULL, "",
                        "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or "
                        "`secretKeyRef`");
            else if (*sk_gets0(e, "value"))
                sk_vinvalid_str(v, NULL, "", "may not be specified when `value` is not empty");
            else if (num > 1)
                sk_vinvalid_str(v, NULL, "",
                                "may not have more than one field specified at a time");
            sk_vpop(v, m2);
        }
        sk_vpop(v, mark);
    }
}

static void env_from(struct sk_vctx *v, const struct sk_val *ef)
{
    for (size_t i = 0; i < sk_alen(ef); i++) {
        const struct sk_val *e = ef->u.a.items[i];
        size_t mark = sk_vpush(v, "envFrom");
        sk_vpushi(v, i);
        const char *prefix = sk_gets0(e, "prefix");
        if (*prefix) sk_vmsgs(v, "prefix", prefix, sk_env_var_name_msgs);
        int num = 0;
        static const char *const refs[] = {"configMapRef", "secretRef", NULL};
        for (size_t k = 0; refs[k]; k++) {
            const struct sk_val *r = sk_getm(e, refs[k]);
            if (!r) continue;
            num++;
            size_t m2 = sk_vpush(v, refs[k]);
            const char *name = sk_gets0(r, "name");
            if (!*name) {
                sk_vrequired(v, "name", "%s", "");
            } else {
                const char *msgs[SK_MAXMSGS];
                size_t n = sk_name_msgs(SK_NAME_SUBDOMAIN, name, true, msgs);
                for (size_t j = 0; j < n; j++)
                    sk_vinvalid_str(v, "name", name, "%s", msgs[j]);
            }
            sk_vpop(v, m2);
        }
        sk_vpop(v, mark);
        /* These two are reported at envFrom itself, without the index. */
        size_t m3 = sk_vpush(v, "envFrom");
        if (num == 0)
            sk_vinvalid_str(v, NULL, "", "must specify one of: `configMapRef` or `secretRef`");
        else if (num > 1)
            sk_vinvalid_str(v, NULL, "", "may not have more than one field specified at a time");
        sk_vpop(v, m3);
    }
}

static bool str_in_arr(const char **list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(list[i], s)) return true;
    return false;
}

static void volume_mounts(struct sk_vctx *v, const struct sk_val *c, const struct pod_ctx *pc)
{
    const struct sk_val *mounts = sk_geta(c, "volumeMounts"), *devs = sk_geta(c, "volumeDevices");
    const char **mpaths = sk_xcalloc(sk_alen(mounts) + 1, sizeof(*mpaths));
    size_t nmp = 0;
    bool privileged = sk_getb(sk_getm(c, "securityContext"), "privileged");
    for (size_t i = 0; i < sk_alen(mounts); i++) {
        const struct sk_val *m = mounts->u.a.items[i];
        const char *name = sk_gets0(m, "name"), *mp = sk_gets0(m, "mountPath");
        size_t mark = sk_vpush(v, "volumeMounts");
        size_t idx = sk_vpushi(v, i);
        if (!*name) sk_vrequired(v, "name", "%s", "");
        const struct sk_volinfo *vi = sk_volset_find(pc->vols, name);
        if (!vi) sk_vnotfound_str(v, "name", name);
        if (!*mp) sk_vrequired(v, "mountPath", "%s", "");
        if (str_in_arr(mpaths, nmp, mp)) sk_vinvalid_str(v, "mountPath", mp, "must be unique");
        mpaths[nmp++] = mp;
        for (size_t j = 0; j < sk_alen(devs); j++) {
            if (!strcmp(sk_gets0(devs->u.a.items[j], "name"), name))
                sk_vinvalid_str(v, "name", name, "must not already exist in volumeDevices");
            if (!strcmp(sk_gets0(devs->u.a.items[j], "devicePath"), mp))
                sk_vinvalid_str(v, "mountPath", mp,
                                "must not already exist as a path in volumeDevices");
        }
        const char *sp = sk_gets0(m, "subPath"), *spe = sk_gets0(m, "subPathExpr");
        if (vi && vi->image) {
            if (*sp) sk_vinvalid_str(v, "subPath", sp, "not allowed in image volume sources");
            if (*spe) sk_vinvalid_str(v, "subPathExpr", spe, "not allowed in image volume sources");
        }
        if (*spe && *sp)
            sk_vinvalid_str(v, "subPathExpr", spe,
                            "subPathExpr and subPath are mutually exclusive");
        /* The remaining checks name the list, not the entry, as Kubernetes does. */
        sk_vpop(v, idx);
        if (*sp) sk_vlocal_descending_path(v, "subPath", sp);
        if (*spe) sk_vlocal_descending_path(v, "subPathExpr", spe);
        const char *prop = sk_gets(m, "mountPropagation");
        static const char *const props[] = {"Bidirectional", "HostToContainer", "None", NULL};
        if (prop) {
            if (!sk_str_in(prop, props)) sk_vnotsupported_str(v, "mountPropagation", prop, props);
            if (!strcmp(prop, "Bidirectional") && !privileged)
                sk_vforbidden(v, "mountPropagation",
                              "Bidirectional mount propagation is available only to privileged "
                              "containers");
        }
        const char *rro = sk_gets(m, "recursiveReadOnly");
        static const char *const rros[] = {"Disabled", "Enabled", "IfPossible", NULL};
        if (rro && strcmp(rro, "Disabled")) {
            if (!strcmp(rro, "Enabled") || !strcmp(rro, "IfPossible")) {
                if (!sk_getb(m, "readOnly"))
                    sk_vforbidden(v, "recursiveReadOnly",
                                  "may only be specified when readOnly is true");
                if (prop && strcmp(prop, "None"))
                    sk_vforbidden(
                            v, "recursiveReadOnly",
                            "may only be specified when mountPropagation is None or not specified");
            } else {
                sk_vnotsupported_str(v, "recursiveReadOnly", rro, rros);
            }
        }
        sk_vpop(v, mark);
    }
    free(mpaths);
    const char **dnames = sk_xcalloc(sk_alen(devs) + 1, sizeof(*dnames));
    const char **dpaths = sk_xcalloc(sk_alen(devs) + 1, sizeof(*dpaths));
    size_t ndn = 0, ndp = 0;
    for (size_t i = 0; i < sk_alen(devs); i++) {
        const struct sk_val *d = devs->u.a.items[i];
        const char *name = sk_gets0(d, "name"), *dp = sk_gets0(d, "devicePath");
        size_t mark = sk_vpush(v, "volumeDevices");
        sk_vpushi(v, i);
        const struct sk_volinfo *vi = sk_volset_find(pc->vols, name);
        if (!*name) sk_vrequired(v, "name", "%s", "");
        if (str_in_arr(dnames, ndn, name)) sk_vinvalid_str(v, "name", name, "must be unique");
        if (vi && !vi->pvc)
            sk_vinvalid_str(
                    v, "name", name,
                    "can only use volume source type of PersistentVolumeClaim or Ephemeral for "
                    "block mode");
        if (!vi) sk_vnotfound_str(v, "name", name);
        if (!*dp) sk_vrequired(v, "devicePath", "%s", "");
        if (str_in_arr(dpaths, ndp, dp)) sk_vinvalid_str(v, "devicePath", dp, "must be unique");
        struct sk_causes scratch = {0};
        struct sk_vctx sv;
        sk_vctx_init(&sv, &scratch);
        sk_vno_backsteps(&sv, NULL, dp);
        if (*dp && scratch.n)
            sk_vinvalid_str(v, "devicePath", dp, "can not contain backsteps ('..')");
        else
            dpaths[ndp++] = dp;
        sk_causes_free(&scratch);
        sk_vctx_free(&sv);
        for (size_t j = 0; j < sk_alen(mounts); j++) {
            if (!strcmp(sk_gets0(mounts->u.a.items[j], "name"), name))
                sk_vinvalid_str(v, "name", name, "must not already exist in volumeMounts");
            if (!strcmp(sk_gets0(mounts->u.a.items[j], "mountPath"), dp))
                sk_vinvalid_str(v, "devicePath", dp,
                                "must not already exist as a path in volumeMounts");
        }
        if (*name) dnames[ndn++] = name;
        sk_vpop(v, mark);
    }
    free(dnames);
    free(dpaths);
}

static const char *const schemes[] = {"HTTP", "HTTPS", NULL};

static void handler(struct sk_vctx *v, const struct sk_val *h, const struct pod_ctx *pc,
                    bool lifecycle)
{
    int num = 0;
    static const char *const kinds[] = {"exec", "httpGet", "tcpSocket", "grpc", "sleep", NULL};
    for (size_t k = 0; kinds[k]; k++) {
        const struct sk_val *a = sk_getm(h, kinds[k]);
        if (!a) continue;
        if (!strcmp(kinds[k], "grpc") && lifecycle) continue;
        if (!strcmp(kinds[k], "sleep") && !lifecycle) continue;
        if (num > 0) {
            sk_vforbidden(v, kinds[k], "may not specify more than 1 handler type");
            continue;
        }
        num++;
        size_t mark = sk_vpush(v, kinds[k]);
        switch (k) {
        case 0:
            if (sk_alen(sk_geta(a, "command")) == 0) sk_vrequired(v, "command", "%s", "");
            break;
        case 1: {
            const char *scheme = sk_gets0(a, "scheme");
            if (!*sk_gets0(a, "path")) sk_vrequired(v, "path", "%s", "");
            sk_vport_num_or_name(v, "port", sk_get(a, "port"));
            if (!sk_str_in(scheme, schemes)) sk_vnotsupported_str(v, "scheme", scheme, schemes);
            const struct sk_val *hdrs = sk_geta(a, "httpHeaders");
            for (size_t i = 0; i < sk_alen(hdrs); i++)
                sk_vmsgs(v, "httpHeaders", sk_gets0(hdrs->u.a.items[i], "name"),
                         sk_http_header_name_msgs);
            break;
        }
        case 2: sk_vport_num_or_name(v, "port", sk_get(a, "port")); break;
        case 3: {
            int64_t p = sk_geti0(a, "port");
            if (sk_port_num_msg(p)) sk_vinvalid_int(v, "port", p, "%s", sk_port_num_msg(p));
            break;
        }
        case 4: {
            int64_t s = sk_geti0(a, "seconds");
            /* Kubernetes 1.32: zero seconds needs a feature gate that is off. */
            if (pc->has_grace && (s <= 0 || s > pc->grace))
                sk_vinvalid_int(
                        v, NULL, s,
                        "must be greater than 0 and less than terminationGracePeriodSeconds "
                        "(%" PRId64 "). Enable AllowPodLifecycleSleepActionZeroValue feature gate "
                        "for zero sleep.",
                        pc->grace);
            break;
        }
        }
        sk_vpop(v, mark);
    }
    if (num == 0) sk_vrequired(v, NULL, "must specify a handler type");
}

static void lifecycle_hooks(struct sk_vctx *v, const struct sk_val *lc, const struct pod_ctx *pc)
{
    static const char *const hooks[] = {"postStart", "preStop", NULL};
    for (size_t i = 0; hooks[i]; i++) {
        const struct sk_val *h = sk_getm(lc, hooks[i]);
        if (!h) continue;
        size_t mark = sk_vpush(v, hooks[i]);
        handler(v, h, pc, true);
        sk_vpop(v, mark);
    }
}

/* which: 'l'iveness, 'r'eadiness or 's'tartup. */
static void probe(struct sk_vctx *v, const char *child, const struct sk_val *p,
                  const struct pod_ctx *pc, char which)
{
    if (!p) return;
    size_t mark = sk_vpush(v, child);
    handler(v, p, pc, false);
    static const char *const nonneg[] = {"initialDelaySeconds", "timeoutSeconds",   "periodSeconds",
                                         "successThreshold",    "failureThreshold", NULL};
    for (size_t i = 0; nonneg[i]; i++)
        sk_vnonneg(v, p, nonneg[i]);
    int64_t tg;
    if (sk_geti(p, "terminationGracePeriodSeconds", &tg) && tg <= 0)
        sk_vinvalid_int(v, "terminationGracePeriodSeconds", tg, "must be greater than 0");
    int64_t st = sk_geti0(p, "successThreshold");
    if ((which == 'l' || which == 's') && st != 1)
        sk_vinvalid_int(v, "successThreshold", st, "must be 1");
    if (which == 'r' && sk_geti(p, "terminationGracePeriodSeconds", &tg))
        sk_vinvalid_int(v, "terminationGracePeriodSeconds", tg,
                        "must not be set for readinessProbes");
    sk_vpop(v, mark);
}

static const char *const proc_mounts[] = {"Default", "Unmasked", NULL};
static const char *const seccomp_types[] = {"Localhost", "RuntimeDefault", "Unconfined", NULL};

static void seccomp(struct sk_vctx *v, const struct sk_val *sp)
{
    if (!sp) return;
    size_t mark = sk_vpush(v, "seccompProfile");
    const char *t = sk_gets0(sp, "type");
    if (!*t)
        sk_vrequired(v, "type", "type is required when seccompProfile is set");
    else if (!sk_str_in(t, seccomp_types))
        sk_vnotsupported_str(v, "type", t, seccomp_types);
    const char *lp = sk_gets(sp, "localhostProfile");
    if (!strcmp(t, "Localhost")) {
        if (!lp)
            sk_vrequired(v, "localhostProfile", "must be set when seccomp type is Localhost");
        else
            sk_vlocal_descending_path(v, "localhostProfile", lp);
    } else if (lp) {
        _sk_cleanup_free_ char *val = sk_gofmt_val(sp);
        sk_vinvalid(v, "localhostProfile", val, "can only be set when seccomp type is Localhost");
    }
    sk_vpop(v, mark);
}

static void apparmor(struct sk_vctx *v, const struct sk_val *ap)
{
    if (!ap) return;
    size_t mark = sk_vpush(v, "appArmorProfile");
    const char *t = sk_gets0(ap, "type");
    const char *lp = sk_gets(ap, "localhostProfile");
    if (!strcmp(t, "Localhost")) {
        if (!lp || !*lp)
            sk_vrequired(v, "localhostProfile", "must be set when AppArmor type is Localhost");
        else if (strlen(lp) > 4095)
            sk_vtoolong(v, "localhostProfile", 4095);
    } else if (!strcmp(t, "RuntimeDefault") || !strcmp(t, "Unconfined")) {
        if (lp) {
            _sk_cleanup_free_ char *q = sk_gofmt_str(lp);
            sk_vinvalid(v, "localhostProfile", q,
                        "can only be set when AppArmor type is Localhost");
        }
    } else if (!*t) {
        sk_vrequired(v, "type", "type is required when appArmorProfile is set");
    } else {
        sk_vnotsupported_str(v, "type", t, seccomp_types);
    }
    sk_vpop(v, mark);
}

static void id_range(struct sk_vctx *v, const struct sk_val *m, const char *k)
{
    int64_t id;
    if (sk_geti(m, k, &id) && (id < 0 || id > INT32_MAX))
        sk_vinvalid_int(v, k, id, "must be between 0 and 2147483647, inclusive");
}

static void container_security(struct sk_vctx *v, const struct sk_val *sc, bool host_users)
{
    if (!sc) return;
    size_t mark = sk_vpush(v, "securityContext");
    id_range(v, sc, "runAsUser");
    id_range(v, sc, "runAsGroup");
    const char *pm = sk_gets(sc, "procMount");
    if (pm) {
        if (!sk_str_in(pm, proc_mounts)) sk_vnotsupported_str(v, "procMount", pm, proc_mounts);
        if (host_users && !strcmp(pm, "Unmasked"))
            sk_vinvalid_str(v, "procMount", pm, "`hostUsers` must be false to use `Unmasked`");
    }
    seccomp(v, sk_getm(sc, "seccompProfile"));
    const struct sk_val *ape = sk_get(sc, "allowPrivilegeEscalation");
    if (ape && ape->type == SK_V_BOOL && !ape->u.b) {
        _sk_cleanup_free_ char *val = sk_gofmt_val(sc);
        if (sk_getb(sc, "privileged"))
            sk_vinvalid(v, NULL, val,
                        "cannot set `allowPrivilegeEscalation` to false and `privileged` to true");
        const struct sk_val *add = sk_geta(sk_getm(sc, "capabilities"), "add");
        for (size_t i = 0; i < sk_alen(add); i++)
            if (sk_streq(sk_val_cstr(add->u.a.items[i]), "CAP_SYS_ADMIN"))
                sk_vinvalid(v, NULL, val,
                            "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` "
                            "CAP_SYS_ADMIN");
    }
    apparmor(v, sk_getm(sc, "appArmorProfile"));
    sk_vpop(v, mark);
}

static const char *const pull_policies[] = {"Always", "IfNotPresent", "Never", NULL};
static const char *const term_policies[] = {"File", "FallbackToLogsOnError", NULL};

static void container_common(struct sk_vctx *v, const struct sk_val *c, const struct pod_ctx *pc)
{
    const char *name = sk_gets0(c, "name");
    if (!*name)
        sk_vrequired(v, "name", "%s", "");
    else
        sk_vmsgs(v, "name", name, sk_dns1123_label_msgs);
    if (!*sk_gets0(c, "image")) sk_vrequired(v, "image", "%s", "");
    const char *tmp = sk_gets0(c, "terminationMessagePolicy");
    if (!*tmp)
        sk_vrequired(v, "terminationMessagePolicy", "%s", "");
    else if (!sk_str_in(tmp, term_policies)) {
        static const char *const order[] = {"File", "FallbackToLogsOnError", NULL};
        sk_vnotsupported_str(v, "terminationMessagePolicy", tmp, order);
    }
    container_ports(v, sk_geta(c, "ports"));
    env_vars(v, sk_geta(c, "env"));
    env_from(v, sk_geta(c, "envFrom"));
    volume_mounts(v, c, pc);
    const char *pp = sk_gets0(c, "imagePullPolicy");
    if (!*pp)
        sk_vrequired(v, "imagePullPolicy", "%s", "");
    else if (!sk_str_in(pp, pull_policies))
        sk_vnotsupported_str(v, "imagePullPolicy", pp, pull_policies);
    size_t mark = sk_vpush(v, "resources");
    resource_requirements(v, sk_getm(c, "resources"));
    const struct sk_val *claims = sk_geta(sk_getm(c, "resources"), "claims");
    for (size_t i = 0; i < sk_alen(claims); i++) {
        const char *cn = sk_gets0(claims->u.a.items[i], "name");
        size_t m2 = sk_vpush(v, "claims");
        sk_vpushi(v, i);
        if (!*cn) {
            sk_vrequired(v, NULL, "%s", "");
        } else {
            bool found = false;
            for (size_t j = 0; j < sk_alen(pc->claims) && !found; j++)
                found = !strcmp(sk_gets0(pc->claims->u.a.items[j], "name"), cn);
            if (!found) {
                _sk_cleanup_free_ char *q = sk_gofmt_str(cn);
                struct sk_buf b = {0};
                sk_buf_puts(&b, sk_alen(pc->claims) ? ": " : " which is empty");
                for (size_t j = 0; j < sk_alen(pc->claims); j++)
                    sk_buf_printf(&b, "%s%s", j ? ", " : "",
                                  sk_gets0(pc->claims->u.a.items[j], "name"));
                _sk_cleanup_free_ char *names = sk_buf_take(&b, NULL);
                sk_causes_add(
                        v->c, v->path, SK_REASON_NOT_FOUND,
                        "Not found: %s: must be one of the names in pod.spec.resourceClaims%s", q,
                        names);
            }
        }
        sk_vpop(v, m2);
    }
    sk_vpop(v, mark);
    container_security(v, sk_getm(c, "securityContext"), pc->host_users);
}

/* AccumulateUniqueHostPorts over containers of one list, path at the list. */
static void host_port_conflicts(struct sk_vctx *v, const struct sk_val *cs, size_t from, size_t to,
                                bool index_zero)
{
    char **seen = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = from; i < to; i++) {
        const struct sk_val *ports = sk_geta(cs->u.a.items[i], "ports");
        for (size_t j = 0; j < sk_alen(ports); j++) {
            const struct sk_val *p = ports->u.a.items[j];
            int64_t hp = sk_geti0(p, "hostPort");
            if (!hp) continue;
            char *key = sk_xasprintf("%s/%s/%" PRId64, sk_gets0(p, "protocol"),
                                     sk_gets0(p, "hostIP"), hp);
            bool dup = false;
            for (size_t k = 0; k < n && !dup; k++)
                dup = !strcmp(seen[k], key);
            if (dup) {
                /* Init containers are checked one by one, each as a list of
                 * one: Kubernetes then reports index 0. */
                size_t mark = sk_vpushi(v, index_zero ? 0 : i);
                sk_vpush(v, "ports");
                sk_vpushi(v, j);
                sk_vduplicate_str(v, "hostPort", key);
                sk_vpop(v, mark);
                free(key);
            } else {
                if (n == cap) seen = sk_xrealloc(seen, (cap = cap ? cap * 2 : 8) * sizeof(*seen));
                seen[n++] = key;
            }
        }
    }
    for (size_t k = 0; k < n; k++)
        free(seen[k]);
    free(seen);
}

static void containers(struct sk_vctx *v, const struct pod_ctx *pc)
{
    const struct sk_val *cs = sk_geta(pc->spec, "containers");
    size_t mark = sk_vpush(v, "containers");
    if (sk_alen(cs) == 0) {
        sk_vrequired(v, NULL, "%s", "");
        sk_vpop(v, mark);
        return;
    }
    for (size_t i = 0; i < cs->u.a.n; i++) {
        const struct sk_val *c = cs->u.a.items[i];
        size_t m2 = sk_vpushi(v, i);
        container_common(v, c, pc);
        const char *name = sk_gets0(c, "name");
        for (size_t j = 0; j < i; j++)
            if (!strcmp(sk_gets0(cs->u.a.items[j], "name"), name)) {
                sk_vduplicate_str(v, "name", name);
                break;
            }
        const struct sk_val *lc = sk_getm(c, "lifecycle");
        if (lc) {
            size_t m3 = sk_vpush(v, "lifecycle");
            lifecycle_hooks(v, lc, pc);
            sk_vpop(v, m3);
        }
        probe(v, "livenessProbe", sk_getm(c, "livenessProbe"), pc, 'l');
        probe(v, "readinessProbe", sk_getm(c, "readinessProbe"), pc, 'r');
        probe(v, "startupProbe", sk_getm(c, "startupProbe"), pc, 's');
        if (sk_has(c, "restartPolicy"))
            sk_vforbidden(v, "restartPolicy", "may not be set for non-init containers");
        sk_vpop(v, m2);
    }
    host_port_conflicts(v, cs, 0, cs->u.a.n, false);
    sk_vpop(v, mark);
}

static void init_containers(struct sk_vctx *v, const struct pod_ctx *pc)
{
    const struct sk_val *cs = sk_geta(pc->spec, "initContainers");
    const struct sk_val *regular = sk_geta(pc->spec, "containers");
    size_t mark = sk_vpush(v, "initContainers");
    for (size_t i = 0; i < sk_alen(cs); i++) {
        const struct sk_val *c = cs->u.a.items[i];
        size_t m2 = sk_vpushi(v, i);
        container_common(v, c, pc);
        bool always = false;
        const char *rp = sk_gets(c, "restartPolicy");
        if (rp) {
            static const char *const only[] = {"Always", NULL};
            if (strcmp(rp, "Always")) sk_vnotsupported_str(v, "restartPolicy", rp, only);
            always = !strcmp(rp, "Always");
        }
        const char *name = sk_gets0(c, "name");
        bool dup = false;
        for (size_t j = 0; j < sk_alen(regular) && !dup; j++)
            dup = !strcmp(sk_gets0(regular->u.a.items[j], "name"), name);
        for (size_t j = 0; j < i && !dup; j++)
            dup = *sk_gets0(cs->u.a.items[j], "name") &&
                  !strcmp(sk_gets0(cs->u.a.items[j], "name"), name);
        if (dup) sk_vduplicate_str(v, "name", name);
        sk_vpop(v, m2);
        host_port_conflicts(v, cs, i, i + 1, true);
        sk_vpushi(v, i);
        if (always) {
            const struct sk_val *lc = sk_getm(c, "lifecycle");
            if (lc) {
                size_t m3 = sk_vpush(v, "lifecycle");
                lifecycle_hooks(v, lc, pc);
                sk_vpop(v, m3);
            }
            probe(v, "livenessProbe", sk_getm(c, "livenessProbe"), pc, 'l');
            probe(v, "readinessProbe", sk_getm(c, "readinessProbe"), pc, 'r');
            probe(v, "startupProbe", sk_getm(c, "startupProbe"), pc, 's');
        } else {
            static const char *const notallowed[] = {"lifecycle", "livenessProbe", "readinessProbe",
                                                     "startupProbe", NULL};
            for (size_t k = 0; notallowed[k]; k++)
                if (sk_has(c, notallowed[k]))
                    sk_vforbidden(
                            v, notallowed[k],
                            "may not be set for init containers without restartPolicy=Always");
        }
        sk_vpop(v, m2);
    }
    sk_vpop(v, mark);
}

static void ephemeral_containers(struct sk_vctx *v, const struct pod_ctx *pc)
{
    const struct sk_val *es = sk_geta(pc->spec, "ephemeralContainers");
    const struct sk_val *cs = sk_geta(pc->spec, "containers"),
                        *ics = sk_geta(pc->spec, "initContainers");
    size_t mark = sk_vpush(v, "ephemeralContainers");
    for (size_t i = 0; i < sk_alen(es); i++) {
        const struct sk_val *e = es->u.a.items[i];
        size_t m2 = sk_vpushi(v, i);
        container_common(v, e, pc);
        const char *name = sk_gets0(e, "name"), *target = sk_gets0(e, "targetContainerName");
        bool dup = false, found = false;
        for (size_t j = 0; j < sk_alen(cs); j++) {
            dup |= !strcmp(sk_gets0(cs->u.a.items[j], "name"), name);
            found |= !strcmp(sk_gets0(cs->u.a.items[j], "name"), target);
        }
        for (size_t j = 0; j < sk_alen(ics); j++) {
            dup |= !strcmp(sk_gets0(ics->u.a.items[j], "name"), name);
            found |= !strcmp(sk_gets0(ics->u.a.items[j], "name"), target);
        }
        for (size_t j = 0; j < i; j++)
            dup |= !strcmp(sk_gets0(es->u.a.items[j], "name"), name);
        if (dup) sk_vduplicate_str(v, "name", name);
        if (*target && !found) sk_vnotfound_str(v, "targetContainerName", target);
        static const char *const notallowed[] = {"ports",         "resources",      "lifecycle",
                                                 "livenessProbe", "readinessProbe", "startupProbe",
                                                 "restartPolicy", "resizePolicy",   NULL};
        for (size_t k = 0; notallowed[k]; k++) {
            const struct sk_val *x = sk_get(e, notallowed[k]);
            if (x && sk_alen(x) + sk_mlen(x) + (x->type != SK_V_ARR && x->type != SK_V_MAP))
                sk_vforbidden(v, notallowed[k], "cannot be set for an Ephemeral Container");
        }
        const struct sk_val *mounts = sk_geta(e, "volumeMounts");
        for (size_t j = 0; j < sk_alen(mounts); j++) {
            size_t m3 = sk_vpush(v, "volumeMounts");
            sk_vpushi(v, j);
            if (*sk_gets0(mounts->u.a.items[j], "subPath"))
                sk_vforbidden(v, "subPath", "cannot be set for an Ephemeral Container");
            if (*sk_gets0(mounts->u.a.items[j], "subPathExpr"))
                sk_vforbidden(v, "subPathExpr", "cannot be set for an Ephemeral Container");
            sk_vpop(v, m3);
        }
        sk_vpop(v, m2);
    }
    sk_vpop(v, mark);
}

/* ---- the pod spec ---- */

static const char *const restart_policies[] = {"Always", "OnFailure", "Never", NULL};
static const char *const dns_policies[] = {"ClusterFirstWithHostNet", "ClusterFirst", "Default",
                                           "None", NULL};

static void pod_security(struct sk_vctx *v, const struct sk_val *sc)
{
    if (!sc) return;
    size_t mark = sk_vpush(v, "securityContext");
    id_range(v, sc, "fsGroup");
    id_range(v, sc, "runAsUser");
    id_range(v, sc, "runAsGroup");
    const struct sk_val *sg = sk_geta(sc, "supplementalGroups");
    for (size_t i = 0; i < sk_alen(sg); i++) {
        const struct sk_val *g = sg->u.a.items[i];
        if (g->type == SK_V_INT && (g->u.i < 0 || g->u.i > INT32_MAX)) {
            size_t m2 = sk_vpush(v, "supplementalGroups");
            sk_vpushi(v, i);
            sk_vinvalid_int(v, NULL, g->u.i, "must be between 0 and 2147483647, inclusive");
            sk_vpop(v, m2);
        }
    }
    const struct sk_val *sysctls = sk_geta(sc, "sysctls");
    for (size_t i = 0; i < sk_alen(sysctls); i++) {
        const char *n = sk_gets0(sysctls->u.a.items[i], "name");
        size_t m2 = sk_vpush(v, "sysctls");
        sk_vpushi(v, i);
        bool ok = *n && strlen(n) <= 253;
        for (const char *p = n; *p && ok; p++)
            ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
                 *p == '.' || *p == '/';
        if (!*n)
            sk_vrequired(v, "name", "%s", "");
        else if (!ok)
            sk_vinvalid_str(
                    v, "name", n,
                    "must have at most 253 characters and match regex "
                    "^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$");
        else
            for (size_t j = 0; j < i; j++)
                if (!strcmp(sk_gets0(sysctls->u.a.items[j], "name"), n)) {
                    sk_vduplicate_str(v, "name", n);
                    break;
                }
        sk_vpop(v, m2);
    }
    const char *fgcp = sk_gets(sc, "fsGroupChangePolicy");
    static const char *const fgcps[] = {"Always", "OnRootMismatch", NULL};
    if (fgcp && !sk_str_in(fgcp, fgcps))
        sk_vnotsupported_str(v, "fsGroupChangePolicy", fgcp, fgcps);
    seccomp(v, sk_getm(sc, "seccompProfile"));
    apparmor(v, sk_getm(sc, "appArmorProfile"));
    const char *sgp = sk_gets(sc, "supplementalGroupsPolicy");
    static const char *const sgps[] = {"Merge", "Strict", NULL};
    if (sgp && !sk_str_in(sgp, sgps))
        sk_vnotsupported_str(v, "supplementalGroupsPolicy", sgp, sgps);
    const char *slcp = sk_gets(sc, "seLinuxChangePolicy");
    static const char *const slcps[] = {"MountOption", "Recursive", NULL};
    if (slcp && !sk_str_in(slcp, slcps))
        sk_vnotsupported_str(v, "seLinuxChangePolicy", slcp, slcps);
    sk_vpop(v, mark);
}

static void dns_config(struct sk_vctx *v, const struct sk_val *spec)
{
    const struct sk_val *dc = sk_getm(spec, "dnsConfig");
    size_t mark = sk_vpush(v, "dnsConfig");
    if (!strcmp(sk_gets0(spec, "dnsPolicy"), "None")) {
        if (!dc) {
            sk_vrequired(v, NULL, "must provide `dnsConfig` when `dnsPolicy` is None");
            sk_vpop(v, mark);
            return;
        }
        if (sk_alen(sk_geta(dc, "nameservers")) == 0) {
            sk_vrequired(v, "nameservers",
                         "must provide at least one DNS nameserver when `dnsPolicy` is None");
            sk_vpop(v, mark);
            return;
        }
    }
    if (dc) {
        const struct sk_val *ns = sk_geta(dc, "nameservers"), *se = sk_geta(dc, "searches");
        if (sk_alen(ns) > 3) {
            _sk_cleanup_free_ char *val = sk_gofmt_strlist(ns);
            sk_vinvalid(v, "nameservers", val, "must not have more than 3 nameservers");
        }
        for (size_t i = 0; i < sk_alen(ns); i++) {
            size_t m2 = sk_vpush(v, "nameservers");
            sk_vpushi(v, i);
            sk_vip(v, NULL, sk_val_cstr(ns->u.a.items[i]));
            sk_vpop(v, m2);
        }
        size_t total = 0;
        for (size_t i = 0; i < sk_alen(se); i++)
            total += strlen(sk_val_cstr(se->u.a.items[i]) ? sk_val_cstr(se->u.a.items[i]) : "") +
                     (i ? 1 : 0);
        if (sk_alen(se) > 32) {
            _sk_cleanup_free_ char *val = sk_gofmt_strlist(se);
            sk_vinvalid(v, "searches", val, "must not have more than 32 search paths");
        }
        if (total > 2048) {
            _sk_cleanup_free_ char *val = sk_gofmt_strlist(se);
            sk_vinvalid(v, "searches", val,
                        "must not have more than 2048 characters (including spaces) in the search "
                        "list");
        }
        for (size_t i = 0; i < sk_alen(se); i++) {
            const char *s = sk_val_cstr(se->u.a.items[i]);
            if (!s) continue;
            /* RelaxedDNSSearchValidation is off in 1.32: plain subdomains. */
            char *t = sk_xstrdup(s);
            size_t n = strlen(t);
            if (n && t[n - 1] == '.') t[n - 1] = 0;
            size_t m2 = sk_vpush(v, "searches");
            sk_vpushi(v, i);
            sk_vmsgs(v, NULL, t, sk_dns1123_subdomain_msgs);
            sk_vpop(v, m2);
            free(t);
        }
        const struct sk_val *opts = sk_geta(dc, "options");
        for (size_t i = 0; i < sk_alen(opts); i++)
            if (!*sk_gets0(opts->u.a.items[i], "name")) {
                size_t m2 = sk_vpush(v, "options");
                sk_vpushi(v, i);
                sk_vrequired(v, NULL, "must not be empty");
                sk_vpop(v, m2);
            }
    }
    sk_vpop(v, mark);
}

void sk_validate_podspec(struct sk_vctx *v, const struct sk_val *spec, const struct sk_podopts *o)
{
    struct pod_ctx pc = {.spec = spec, .is_pod = o->is_pod};
    pc.has_grace = sk_geti(spec, "terminationGracePeriodSeconds", &pc.grace);
    const struct sk_val *sc = sk_getm(spec, "securityContext");
    const struct sk_val *hu = sk_get(spec, "hostUsers");
    pc.host_users = !hu || hu->type != SK_V_BOOL || hu->u.b;
    pc.claims = sk_geta(spec, "resourceClaims");
    if (!sk_has(spec, "terminationGracePeriodSeconds"))
        sk_vrequired(v, "terminationGracePeriodSeconds", "%s", "");
    struct sk_volset vols;
    sk_validate_volumes(v, sk_geta(spec, "volumes"), o->podname, o->is_pod, &vols);
    pc.vols = &vols;
    const struct sk_val *rcs = sk_geta(spec, "resourceClaims");
    for (size_t i = 0; i < sk_alen(rcs); i++) {
        const struct sk_val *rc = rcs->u.a.items[i];
        size_t mark = sk_vpush(v, "resourceClaims");
        sk_vpushi(v, i);
        const char *n = sk_gets0(rc, "name");
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++)
            dup = !strcmp(sk_gets0(rcs->u.a.items[j], "name"), n);
        if (!*n)
            sk_vrequired(v, "name", "%s", "");
        else if (dup)
            sk_vduplicate_str(v, "name", n);
        else
            sk_vmsgs(v, "name", n, sk_dns1123_label_msgs);
        bool a = sk_has(rc, "resourceClaimName"), b = sk_has(rc, "resourceClaimTemplateName");
        if (a && b) {
            _sk_cleanup_free_ char *val = sk_gofmt_val(rc);
            sk_vinvalid(v, NULL, val,
                        "at most one of `resourceClaimName` or `resourceClaimTemplateName` may be "
                        "specified");
        }
        if (!a && !b) {
            _sk_cleanup_free_ char *val = sk_gofmt_val(rc);
            sk_vinvalid(v, NULL, val,
                        "must specify one of: `resourceClaimName`, `resourceClaimTemplateName`");
        }
        if (a)
            sk_vmsgs(v, "resourceClaimName", sk_gets0(rc, "resourceClaimName"),
                     sk_dns1123_subdomain_msgs);
        if (b)
            sk_vmsgs(v, "resourceClaimTemplateName", sk_gets0(rc, "resourceClaimTemplateName"),
                     sk_dns1123_subdomain_msgs);
        sk_vpop(v, mark);
    }
    containers(v, &pc);
    init_containers(v, &pc);
    ephemeral_containers(v, &pc);
    sk_volset_free(&vols);
    if (sk_getb(spec, "hostNetwork")) {
        const struct sk_val *cs = sk_geta(spec, "containers");
        for (size_t i = 0; i < sk_alen(cs); i++) {
            const struct sk_val *ports = sk_geta(cs->u.a.items[i], "ports");
            for (size_t j = 0; j < sk_alen(ports); j++) {
                int64_t hp = sk_geti0(ports->u.a.items[j], "hostPort");
                int64_t cp = sk_geti0(ports->u.a.items[j], "containerPort");
                if ((o->is_pod || hp != 0) && hp != cp) {
                    size_t mark = sk_vpush(v, "containers");
                    sk_vpushi(v, i);
                    sk_vpush(v, "ports");
                    sk_vpushi(v, j);
                    sk_vinvalid_int(v, "hostPort", hp,
                                    "must match `containerPort` when `hostNetwork` is true");
                    sk_vpop(v, mark);
                }
            }
        }
    }
    const char *rp = sk_gets0(spec, "restartPolicy");
    if (!*rp)
        sk_vrequired(v, "restartPolicy", "%s", "");
    else if (!sk_str_in(rp, restart_policies))
        sk_vnotsupported_str(v, "restartPolicy", rp, restart_policies);
    const char *dp = sk_gets0(spec, "dnsPolicy");
    if (!*dp)
        sk_vrequired(v, "dnsPolicy", "%s", "");
    else if (!sk_str_in(dp, dns_policies))
        sk_vnotsupported_str(v, "dnsPolicy", dp, dns_policies);
    sk_vlabels(v, "nodeSelector", sk_getm(spec, "nodeSelector"));
    pod_security(v, sc);
    sk_validate_affinity(v, sk_getm(spec, "affinity"));
    dns_config(v, spec);
    const struct sk_val *rg = sk_geta(spec, "readinessGates");
    for (size_t i = 0; i < sk_alen(rg); i++) {
        size_t mark = sk_vpush(v, "readinessGates");
        sk_vpushi(v, i);
        sk_vqualified(v, "conditionType", sk_gets0(rg->u.a.items[i], "conditionType"));
        sk_vpop(v, mark);
    }
    const struct sk_val *sg = sk_geta(spec, "schedulingGates");
    for (size_t i = 0; i < sk_alen(sg); i++) {
        const char *n = sk_gets0(sg->u.a.items[i], "name");
        size_t mark = sk_vpush(v, "schedulingGates");
        sk_vpushi(v, i);
        sk_vqualified(v, NULL, n);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(sk_gets0(sg->u.a.items[j], "name"), n)) {
                sk_vduplicate_str(v, NULL, n);
                break;
            }
        sk_vpop(v, mark);
    }
    sk_validate_topology_spread(v, sk_geta(spec, "topologySpreadConstraints"));
    if (!pc.host_users) {
        if (sk_getb(spec, "hostNetwork"))
            sk_vforbidden(v, "hostNetwork", "when `pod.Spec.HostUsers` is false");
        if (sk_getb(spec, "hostPID"))
            sk_vforbidden(v, "HostPID", "when `pod.Spec.HostUsers` is false");
        if (sk_getb(spec, "hostIPC"))
            sk_vforbidden(v, "HostIPC", "when `pod.Spec.HostUsers` is false");
    }
    const char *san = sk_gets0(spec, "serviceAccountName");
    if (*san) sk_vmsgs(v, "serviceAccountName", san, sk_dns1123_subdomain_msgs);
    const char *nn = sk_gets0(spec, "nodeName");
    if (*nn) sk_vmsgs(v, "nodeName", nn, sk_dns1123_subdomain_msgs);
    int64_t ads;
    if (sk_geti(spec, "activeDeadlineSeconds", &ads) && (ads < 1 || ads > INT32_MAX))
        sk_vinvalid_int(v, "activeDeadlineSeconds", ads,
                        "must be between 1 and 2147483647, inclusive");
    const char *hn = sk_gets0(spec, "hostname"), *sd = sk_gets0(spec, "subdomain");
    if (*hn) sk_vmsgs(v, "hostname", hn, sk_dns1123_label_msgs);
    if (*sd) sk_vmsgs(v, "subdomain", sd, sk_dns1123_label_msgs);
    const struct sk_val *tols = sk_geta(spec, "tolerations");
    if (sk_alen(tols)) {
        size_t mark = sk_vpush(v, "tolerations");
        sk_validate_tolerations(v, tols);
        sk_vpop(v, mark);
    }
    const struct sk_val *has = sk_geta(spec, "hostAliases");
    for (size_t i = 0; i < sk_alen(has); i++) {
        const struct sk_val *ha = has->u.a.items[i];
        size_t mark = sk_vpush(v, "hostAliases");
        sk_vpushi(v, i);
        sk_vip(v, "ip", sk_gets0(ha, "ip"));
        const struct sk_val *hns = sk_geta(ha, "hostnames");
        for (size_t j = 0; j < sk_alen(hns); j++) {
            size_t m2 = sk_vpush(v, "hostnames");
            sk_vpushi(v, j);
            sk_vmsgs(v, NULL, sk_val_cstr(hns->u.a.items[j]), sk_dns1123_subdomain_msgs);
            sk_vpop(v, m2);
        }
        sk_vpop(v, mark);
    }
    const char *pcn = sk_gets0(spec, "priorityClassName");
    if (*pcn) sk_vmsgs(v, "priorityClassName", pcn, sk_dns1123_subdomain_msgs);
    const char *rcn = sk_gets(spec, "runtimeClassName");
    if (rcn) sk_vmsgs(v, "runtimeClassName", rcn, sk_dns1123_subdomain_msgs);
    const char *pp = sk_gets(spec, "preemptionPolicy");
    static const char *const pps[] = {"PreemptLowerPriority", "Never", NULL};
    if (pp && !*pp)
        sk_vrequired(v, "preemptionPolicy", "%s", "");
    else if (pp && !sk_str_in(pp, pps))
        sk_vnotsupported_str(v, "preemptionPolicy", pp, pps);
    const struct sk_val *oh = sk_getm(spec, "overhead");
    if (oh) {
        size_t mark = sk_vpush(v, "overhead");
        struct sk_val *wrap = sk_val_map();
        sk_map_set(wrap, "limits", sk_val_dup(oh));
        resource_requirements(v, wrap);
        sk_val_free(wrap);
        sk_vpop(v, mark);
    }
    const struct sk_val *os = sk_getm(spec, "os");
    if (os) {
        static const char *const oses[] = {"linux", "windows", NULL};
        const char *osn = sk_gets0(os, "name");
        if (!*osn)
            sk_vrequired(v, "os.name", "cannot be empty");
        else if (!sk_str_in(osn, oses))
            sk_vnotsupported_str(v, "os", osn, oses);
    }
}

void sk_validate_pod_template(struct sk_vctx *v, const struct sk_val *tmpl)
{
    const struct sk_val *meta = sk_getm(tmpl, "metadata");
    size_t mark = sk_vpush(v, "metadata");
    sk_vlabels(v, "labels", sk_getm(meta, "labels"));
    sk_vannotations(v, "annotations", sk_getm(meta, "annotations"));
    sk_vpop(v, mark);
    const struct sk_val *spec = sk_getm(tmpl, "spec");
    mark = sk_vpush(v, "spec");
    struct sk_podopts o = {0};
    sk_validate_podspec(v, spec, &o);
    if (sk_alen(sk_geta(spec, "ephemeralContainers")))
        sk_vforbidden(v, "ephemeralContainers", "ephemeral containers not allowed in pod template");
    sk_vpop(v, mark);
}

/* ---- Pod objects ---- */

/* qos.GetPodQOS: sums of the positive cpu and memory requests and limits
 * over the regular and init containers. */
const char *sk_pod_qos_class(const struct sk_val *spec)
{
    static const char *const rs[] = {"cpu", "memory", NULL};
    static const char *const lists[] = {"containers", "initContainers", NULL};
    struct sk_quantity req[2], lim[2];
    bool hreq[2] = {false, false}, hlim[2] = {false, false}, guaranteed = true;
    for (size_t l = 0; lists[l]; l++) {
        const struct sk_val *cs = sk_geta(spec, lists[l]);
        for (size_t i = 0; i < sk_alen(cs); i++) {
            const struct sk_val *res = sk_getm(cs->u.a.items[i], "resources");
            int found = 0;
            for (size_t r = 0; rs[r]; r++) {
                struct sk_quantity q;
                const struct sk_val *qv = sk_get(sk_getm(res, "requests"), rs[r]);
                if (qv && sk_quantity_from_val(qv, &q, NULL, NULL) == SK_OK &&
                    sk_quantity_sign(&q) > 0) {
                    if (hreq[r])
                        sk_quantity_add(&req[r], &q, NULL);
                    else
                        req[r] = q;
                    hreq[r] = true;
                }
                qv = sk_get(sk_getm(res, "limits"), rs[r]);
                if (qv && sk_quantity_from_val(qv, &q, NULL, NULL) == SK_OK &&
                    sk_quantity_sign(&q) > 0) {
                    found++;
                    if (hlim[r])
                        sk_quantity_add(&lim[r], &q, NULL);
                    else
                        lim[r] = q;
                    hlim[r] = true;
                }
            }
            if (found < 2) guaranteed = false;
        }
    }
    if (!hreq[0] && !hreq[1] && !hlim[0] && !hlim[1]) return "BestEffort";
    for (size_t r = 0; r < 2 && guaranteed; r++)
        if (hreq[r] && (!hlim[r] || sk_quantity_cmp(&lim[r], &req[r]) != 0)) guaranteed = false;
    if (guaranteed && hreq[0] + hreq[1] == hlim[0] + hlim[1]) return "Guaranteed";
    return "Burstable";
}
