/* Validation of the core/v1 kinds other than the pod spec itself, as
 * pkg/apis/core/validation words it: services, endpoints, config maps,
 * secrets, namespaces, nodes, events, persistent volumes and claims,
 * replication controllers, and the Pod object's create, update and status
 * rules. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quantity.h"
#include "schema_int.h"

/* ---- services ---- */

static bool headless(const struct sk_val *spec)
{
    const struct sk_val *ips = sk_geta(spec, "clusterIPs");
    return sk_alen(ips) == 1 && sk_streq(sk_val_cstr(ips->u.a.items[0]), "None");
}

static bool externally_accessible(const struct sk_val *spec)
{
    const char *t = sk_gets0(spec, "type");
    return !strcmp(t, "LoadBalancer") || !strcmp(t, "NodePort") ||
           (!strcmp(t, "ClusterIP") && sk_alen(sk_geta(spec, "externalIPs")) > 0);
}

static bool needs_hc_node_port(const struct sk_val *spec)
{
    return !strcmp(sk_gets0(spec, "type"), "LoadBalancer") &&
           !strcmp(sk_gets0(spec, "externalTrafficPolicy"), "Local");
}

static const char *const protocols[] = {"SCTP", "TCP", "UDP", NULL};

/* The %#v of the (protocol, port) key Kubernetes reports duplicates with. */
static char *service_port_key(const char *proto, int64_t port)
{
    _sk_cleanup_free_ char *q = sk_gofmt_str(proto);
    return sk_xasprintf("core.ServicePort{Name:\"\", Protocol:%s, AppProtocol:(*string)(nil), "
                        "Port:%" PRId64 ", TargetPort:intstr.IntOrString{Type:0, IntVal:0, "
                        "StrVal:\"\"}, NodePort:0}",
                        q, port);
}

static void service_port(struct sk_vctx *v, const struct sk_val *sp, bool require_name,
                         const struct sk_val *ports, size_t idx)
{
    const char *name = sk_gets0(sp, "name");
    if (require_name && !*name) {
        sk_vrequired(v, "name", "%s", "");
    } else if (*name) {
        sk_vmsgs(v, "name", name, sk_dns1123_label_msgs);
        for (size_t j = 0; j < idx; j++)
            if (!strcmp(sk_gets0(ports->u.a.items[j], "name"), name)) {
                sk_vduplicate_str(v, "name", name);
                break;
            }
    }
    int64_t port = sk_geti0(sp, "port");
    if (sk_port_num_msg(port)) sk_vinvalid_int(v, "port", port, "%s", sk_port_num_msg(port));
    const char *proto = sk_gets0(sp, "protocol");
    if (!*proto)
        sk_vrequired(v, "protocol", "%s", "");
    else if (!sk_str_in(proto, protocols))
        sk_vnotsupported_str(v, "protocol", proto, protocols);
    sk_vport_num_or_name(v, "targetPort", sk_get(sp, "targetPort"));
    const char *ap = sk_gets(sp, "appProtocol");
    if (ap) sk_vqualified(v, "appProtocol", ap);
}

static void cluster_ips(struct sk_vctx *v, const struct sk_val *spec)
{
    if (!strcmp(sk_gets0(spec, "type"), "ExternalName")) return;
    const char *cip = sk_gets0(spec, "clusterIP");
    const struct sk_val *ips = sk_geta(spec, "clusterIPs");
    _sk_cleanup_free_ char *list = sk_gofmt_strlist(ips);
    if (*cip) {
        if (!sk_alen(ips))
            sk_vrequired(v, "clusterIPs", "%s", "");
        else if (!sk_streq(sk_val_cstr(ips->u.a.items[0]), cip))
            sk_vinvalid(v, "clusterIPs", list, "first value must match `clusterIP`");
    } else if (sk_alen(ips)) {
        sk_vinvalid(v, "clusterIPs", list, "must be empty when `clusterIP` is not specified");
    }
    static const char *const families[] = {"IPv4", "IPv6", NULL};
    static const char *const policies[] = {"PreferDualStack", "RequireDualStack", "SingleStack",
                                           NULL};
    const struct sk_val *fams = sk_geta(spec, "ipFamilies");
    for (size_t i = 0; i < sk_alen(fams); i++) {
        const char *f = sk_val_cstr(fams->u.a.items[i]);
        size_t mark = sk_vpush(v, "ipFamilies");
        sk_vpushi(v, i);
        if (!sk_str_in(f, families)) sk_vnotsupported_str(v, NULL, f, families);
        for (size_t j = 0; f && j < i; j++)
            if (sk_streq(sk_val_cstr(fams->u.a.items[j]), f)) {
                sk_vduplicate_str(v, NULL, f);
                break;
            }
        sk_vpop(v, mark);
    }
    const char *pol = sk_gets(spec, "ipFamilyPolicy");
    if (pol && !sk_str_in(pol, policies)) sk_vnotsupported_str(v, "ipFamilyPolicy", pol, policies);
    bool bad = false;
    for (size_t i = 0; i < sk_alen(ips); i++) {
        const char *ip = sk_val_cstr(ips->u.a.items[i]);
        if (i == 0 && sk_streq(ip, "None")) {
            if (ips->u.a.n > 1) {
                bad = true;
                sk_vinvalid(v, "clusterIPs", list, "'None' must be the first and only value");
            }
            continue;
        }
        size_t mark = sk_vpush(v, "clusterIPs");
        sk_vpushi(v, i);
        if (!sk_valid_ip(ip)) {
            bad = true;
            sk_vip(v, NULL, ip);
        }
        sk_vpop(v, mark);
    }
    if (sk_alen(ips) > 2) sk_vinvalid(v, "clusterIPs", list, "may only hold up to 2 values");
    if (bad) return;
    if (sk_alen(ips) == 2 &&
        sk_is_ipv6(sk_val_cstr(ips->u.a.items[0])) == sk_is_ipv6(sk_val_cstr(ips->u.a.items[1])))
        sk_vinvalid(v, "clusterIPs", list, "may specify no more than one IP for each IP family");
    if (!headless(spec)) {
        for (size_t i = 0; i < sk_alen(ips) && i < sk_alen(fams); i++) {
            const char *ip = sk_val_cstr(ips->u.a.items[i]), *f = sk_val_cstr(fams->u.a.items[i]);
            size_t mark = sk_vpush(v, "clusterIPs");
            sk_vpushi(v, i);
            if (sk_streq(f, "IPv4") && sk_is_ipv6(ip))
                sk_vinvalid_str(v, NULL, ip,
                                "expected an IPv4 value as indicated by `ipFamilies[%zu]`", i);
            if (sk_streq(f, "IPv6") && !sk_is_ipv6(ip))
                sk_vinvalid_str(v, NULL, ip,
                                "expected an IPv6 value as indicated by `ipFamilies[%zu]`", i);
            sk_vpop(v, mark);
        }
    }
}

static void service_spec(struct sk_vctx *v, const struct sk_val *spec)
{
    const char *type = sk_gets0(spec, "type");
    const struct sk_val *ports = sk_geta(spec, "ports");
    size_t mark = sk_vpush(v, "spec");
    if (!sk_alen(ports) && !headless(spec) && strcmp(type, "ExternalName"))
        sk_vrequired(v, "ports", "%s", "");
    if (!strcmp(type, "LoadBalancer") && headless(spec))
        sk_vinvalid_str(v, "clusterIPs[0]", "None",
                        "may not be set to 'None' for LoadBalancer services");
    if (!strcmp(type, "NodePort") && headless(spec))
        sk_vinvalid_str(v, "clusterIPs[0]", "None",
                        "may not be set to 'None' for NodePort services");
    if (!strcmp(type, "ExternalName")) {
        if (sk_alen(sk_geta(spec, "clusterIPs")))
            sk_vforbidden(v, "clusterIPs", "may not be set for ExternalName services");
        if (sk_alen(sk_geta(spec, "ipFamilies")))
            sk_vforbidden(v, "ipFamilies", "may not be set for ExternalName services");
        if (sk_has(spec, "ipFamilyPolicy"))
            sk_vforbidden(v, "ipFamilyPolicy", "may not be set for ExternalName services");
        char *cname = sk_xstrdup(sk_gets0(spec, "externalName"));
        size_t n = strlen(cname);
        if (n && cname[n - 1] == '.') cname[n - 1] = 0;
        if (*cname)
            sk_vmsgs(v, "externalName", cname, sk_dns1123_subdomain_msgs);
        else
            sk_vrequired(v, "externalName", "%s", "");
        free(cname);
    }
    for (size_t i = 0; i < sk_alen(ports); i++) {
        size_t m2 = sk_vpush(v, "ports");
        sk_vpushi(v, i);
        service_port(v, ports->u.a.items[i], ports->u.a.n > 1, ports, i);
        sk_vpop(v, m2);
    }
    if (sk_get(spec, "selector")) sk_vlabels(v, "selector", sk_getm(spec, "selector"));
    static const char *const affinities[] = {"ClientIP", "None", NULL};
    const char *sa = sk_gets0(spec, "sessionAffinity");
    if (!*sa)
        sk_vrequired(v, "sessionAffinity", "%s", "");
    else if (!sk_str_in(sa, affinities))
        sk_vnotsupported_str(v, "sessionAffinity", sa, affinities);
    const struct sk_val *sac = sk_getm(spec, "sessionAffinityConfig");
    if (!strcmp(sa, "ClientIP")) {
        const struct sk_val *cip = sk_getm(sac, "clientIP");
        int64_t t;
        if (!sac)
            sk_vrequired(v, "sessionAffinityConfig", "when session affinity type is ClientIP");
        else if (!cip)
            sk_vrequired(v, "sessionAffinityConfig.clientIP",
                         "when session affinity type is ClientIP");
        else if (!sk_geti(cip, "timeoutSeconds", &t))
            sk_vrequired(v, "sessionAffinityConfig.clientIP.timeoutSeconds",
                         "when session affinity type is ClientIP");
        else if (t <= 0 || t > 86400)
            sk_vinvalid_int(v, "sessionAffinityConfig.clientIP.timeoutSeconds", t,
                            "must be greater than 0 and less than 86400");
    } else if (!strcmp(sa, "None") && sk_has(spec, "sessionAffinityConfig")) {
        sk_vforbidden(v, "sessionAffinityConfig", "must not be set when session affinity is None");
    }
    cluster_ips(v, spec);
    const struct sk_val *eips = sk_geta(spec, "externalIPs");
    for (size_t i = 0; i < sk_alen(eips); i++) {
        const char *ip = sk_val_cstr(eips->u.a.items[i]);
        size_t m2 = sk_vpush(v, "externalIPs");
        sk_vpushi(v, i);
        if (!sk_valid_ip(ip))
            sk_vip(v, NULL, ip);
        else
            sk_vnon_special_ip(v, NULL, ip);
        sk_vpop(v, m2);
    }
    static const char *const types[] = {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort",
                                        NULL};
    if (!*type)
        sk_vrequired(v, "type", "%s", "");
    else if (!sk_str_in(type, types))
        sk_vnotsupported_str(v, "type", type, types);
    for (size_t i = 0; i < sk_alen(ports); i++) {
        const struct sk_val *p = ports->u.a.items[i];
        int64_t np = sk_geti0(p, "nodePort");
        size_t m2 = sk_vpush(v, "ports");
        sk_vpushi(v, i);
        if (!strcmp(type, "ClusterIP") && np)
            sk_vforbidden(v, "nodePort", "may not be used when `type` is 'ClusterIP'");
        for (size_t j = 0; np && j < i; j++)
            if (sk_geti0(ports->u.a.items[j], "nodePort") == np &&
                !strcmp(sk_gets0(ports->u.a.items[j], "protocol"), sk_gets0(p, "protocol"))) {
                char num[32];
                snprintf(num, sizeof(num), "%" PRId64, np);
                sk_vduplicate(v, "nodePort", num);
                break;
            }
        for (size_t j = 0; j < i; j++)
            if (sk_geti0(ports->u.a.items[j], "port") == sk_geti0(p, "port") &&
                !strcmp(sk_gets0(ports->u.a.items[j], "protocol"), sk_gets0(p, "protocol"))) {
                _sk_cleanup_free_ char *key =
                        service_port_key(sk_gets0(p, "protocol"), sk_geti0(p, "port"));
                sk_vduplicate(v, NULL, key);
                break;
            }
        sk_vpop(v, m2);
    }
    const struct sk_val *lbsr = sk_geta(spec, "loadBalancerSourceRanges");
    if (sk_alen(lbsr)) {
        /* Kubernetes spells this path with a capital L. */
        if (strcmp(type, "LoadBalancer"))
            sk_vforbidden(v, "LoadBalancerSourceRanges",
                          "may only be used when `type` is 'LoadBalancer'");
        for (size_t i = 0; i < lbsr->u.a.n; i++) {
            const char *r = sk_val_cstr(lbsr->u.a.items[i]);
            char *t = sk_xstrdup(r ? r : "");
            char *s = t;
            while (*s == ' ' || *s == '\t')
                s++;
            size_t n = strlen(s);
            while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
                s[--n] = 0;
            if (!sk_valid_cidr(s)) {
                size_t m2 = sk_vpush(v, "LoadBalancerSourceRanges");
                sk_vpushi(v, i);
                sk_vinvalid_str(v, NULL, s,
                                "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");
                sk_vpop(v, m2);
            }
            free(t);
        }
    }
    bool alloc = sk_has(spec, "allocateLoadBalancerNodePorts");
    if (alloc && strcmp(type, "LoadBalancer"))
        sk_vforbidden(v, "allocateLoadBalancerNodePorts",
                      "may only be used when `type` is 'LoadBalancer'");
    sk_vpop(v, mark);
    if (!strcmp(type, "LoadBalancer") && !alloc)
        sk_vrequired(v, "allocateLoadBalancerNodePorts", "%s", "");
    mark = sk_vpush(v, "spec");
    const char *lbc = sk_gets(spec, "loadBalancerClass");
    if (lbc && !strcmp(type, "LoadBalancer"))
        sk_vqualified(v, "loadBalancerClass", lbc);
    else if (lbc)
        sk_vforbidden(v, "loadBalancerClass", "may only be used when `type` is 'LoadBalancer'");
    static const char *const etps[] = {"Cluster", "Local", NULL};
    const char *etp = sk_gets0(spec, "externalTrafficPolicy");
    if (!externally_accessible(spec)) {
        if (*etp)
            sk_vinvalid_str(v, "externalTrafficPolicy", etp,
                            "may only be set for externally-accessible services");
    } else if (!*etp) {
        sk_vrequired(v, "externalTrafficPolicy", "%s", "");
    } else if (!sk_str_in(etp, etps)) {
        sk_vnotsupported_str(v, "externalTrafficPolicy", etp, etps);
    }
    int64_t hc = sk_geti0(spec, "healthCheckNodePort");
    if (!needs_hc_node_port(spec)) {
        if (hc)
            sk_vinvalid_int(v, "healthCheckNodePort", hc,
                            "may only be set when `type` is 'LoadBalancer' and "
                            "`externalTrafficPolicy` is 'Local'");
    } else if (!hc) {
        sk_vrequired(v, "healthCheckNodePort", "%s", "");
    } else if (sk_port_num_msg(hc)) {
        sk_vinvalid_int(v, "healthCheckNodePort", hc, "%s", sk_port_num_msg(hc));
    }
    const char *itp = sk_gets(spec, "internalTrafficPolicy");
    if (!itp &&
        (!strcmp(type, "NodePort") || !strcmp(type, "LoadBalancer") || !strcmp(type, "ClusterIP")))
        sk_vrequired(v, "internalTrafficPolicy", "%s", "");
    if (itp && !sk_str_in(itp, etps)) sk_vnotsupported_str(v, "internalTrafficPolicy", itp, etps);
    const char *td = sk_gets(spec, "trafficDistribution");
    static const char *const tds[] = {"PreferClose", NULL};
    if (td && strcmp(td, "PreferClose")) sk_vnotsupported_str(v, "trafficDistribution", td, tds);
    sk_vpop(v, mark);
}

void sk_service_validate(const struct sk_val *obj, const struct sk_val *old, struct sk_causes *c)
{
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    const struct sk_val *spec = sk_getm(obj, "spec");
    if (old) {
        const struct sk_val *os = sk_getm(old, "spec");
        bool ext = !strcmp(sk_gets0(spec, "type"), "ExternalName") ||
                   !strcmp(sk_gets0(os, "type"), "ExternalName");
        if (!ext && !(headless(spec) && headless(os))) {
            const struct sk_val *ni = sk_geta(spec, "clusterIPs"), *oi = sk_geta(os, "clusterIPs");
            _sk_cleanup_free_ char *list = sk_gofmt_strlist(ni);
            size_t mark = sk_vpush(&v, "spec.clusterIPs");
            if (sk_alen(oi) == sk_alen(ni)) {
                for (size_t i = 0; i < sk_alen(oi); i++)
                    if (!sk_streq(sk_val_cstr(oi->u.a.items[i]), sk_val_cstr(ni->u.a.items[i]))) {
                        size_t m2 = sk_vpushi(&v, i);
                        sk_vinvalid(&v, NULL, list, "may not change once set");
                        sk_vpop(&v, m2);
                    }
            } else if (sk_alen(oi) > sk_alen(ni)) {
                sk_vpushi(&v, 0);
                if (!sk_alen(ni)) sk_vinvalid(&v, NULL, list, "primary clusterIP can not be unset");
                if (sk_alen(ni) &&
                    !sk_streq(sk_val_cstr(oi->u.a.items[0]), sk_val_cstr(ni->u.a.items[0])))
                    sk_vinvalid(&v, NULL, list, "may not change once set");
            } else if (sk_alen(oi) &&
                       !sk_streq(sk_val_cstr(oi->u.a.items[0]), sk_val_cstr(ni->u.a.items[0]))) {
                sk_vpushi(&v, 0);
                sk_vinvalid(&v, NULL, list, "may not change once set");
            }
            sk_vpop(&v, mark);
        }
        if (needs_hc_node_port(spec) && needs_hc_node_port(os) &&
            sk_geti0(spec, "healthCheckNodePort") != sk_geti0(os, "healthCheckNodePort"))
            sk_vforbidden(&v, "spec.healthCheckNodePort", "field is immutable");
        if (!strcmp(sk_gets0(spec, "type"), "LoadBalancer") &&
            !strcmp(sk_gets0(os, "type"), "LoadBalancer") &&
            !sk_sem_equal(sk_get(spec, "loadBalancerClass"), sk_get(os, "loadBalancerClass"))) {
            _sk_cleanup_free_ char *val = sk_gofmt_val(sk_get(spec, "loadBalancerClass"));
            sk_vinvalid(&v, "spec.loadBalancerClass", val, "may not change once set");
        }
    }
    service_spec(&v, spec);
    sk_vctx_free(&v);
}

static bool needs_cluster_ip(const struct sk_val *spec)
{
    return strcmp(sk_gets0(spec, "type"), "ExternalName") != 0;
}

static bool needs_node_port(const struct sk_val *spec)
{
    const char *t = sk_gets0(spec, "type");
    if (!strcmp(t, "NodePort")) return true;
    const struct sk_val *a = sk_get(spec, "allocateLoadBalancerNodePorts");
    return !strcmp(t, "LoadBalancer") && (!a || a->type != SK_V_BOOL || a->u.b);
}

void sk_service_prepare_update(struct sk_val *obj, const struct sk_val *old)
{
    /* patchAllocatedValues: values the allocator handed out stay when an
     * update (kubectl apply, a PUT built from a manifest) leaves them out. */
    struct sk_val *spec = sk_map_get(obj, "spec");
    const struct sk_val *os = sk_getm(old, "spec");
    if (!spec || spec->type != SK_V_MAP || !os) return;
    if (needs_cluster_ip(os) && needs_cluster_ip(spec)) {
        const struct sk_val *ocip = sk_map_get(os, "clusterIP"),
                            *ocips = sk_map_get(os, "clusterIPs");
        if (!*sk_gets0(spec, "clusterIP") && ocip) sk_map_set(spec, "clusterIP", sk_val_dup(ocip));
        if (!sk_alen(sk_geta(spec, "clusterIPs")) && sk_alen(ocips))
            sk_map_set(spec, "clusterIPs", sk_val_dup(ocips));
        const struct sk_val *of = sk_map_get(os, "ipFamilies"),
                            *op = sk_map_get(os, "ipFamilyPolicy");
        if (!sk_alen(sk_geta(spec, "ipFamilies")) && sk_alen(of))
            sk_map_set(spec, "ipFamilies", sk_val_dup(of));
        if (!sk_has(spec, "ipFamilyPolicy") && op)
            sk_map_set(spec, "ipFamilyPolicy", sk_val_dup(op));
    }
    if (needs_node_port(os) && needs_node_port(spec)) {
        struct sk_val *np = sk_map_get(spec, "ports");
        const struct sk_val *op = sk_geta(os, "ports");
        for (size_t i = 0; i < sk_alen(np); i++) {
            struct sk_val *p = np->u.a.items[i];
            if (sk_geti0(p, "nodePort") || p->type != SK_V_MAP) continue;
            /* The old port of the same name, unless its node port is in use. */
            int64_t old_np = 0;
            for (size_t j = 0; j < sk_alen(op); j++)
                if (!strcmp(sk_gets0(op->u.a.items[j], "name"), sk_gets0(p, "name")))
                    old_np = sk_geti0(op->u.a.items[j], "nodePort");
            bool used = false;
            for (size_t j = 0; j < sk_alen(np) && !used; j++)
                used = old_np && sk_geti0(np->u.a.items[j], "nodePort") == old_np;
            if (old_np && !used) sk_map_set(p, "nodePort", sk_val_int(old_np));
        }
    }
    if (needs_hc_node_port(os) && needs_hc_node_port(spec) &&
        !sk_geti0(spec, "healthCheckNodePort")) {
        int64_t hc = sk_geti0(os, "healthCheckNodePort");
        if (hc) sk_map_set(spec, "healthCheckNodePort", sk_val_int(hc));
    }
}

void sk_service_validate_status(const struct sk_val *obj, const struct sk_val *old,
                                struct sk_causes *c)
{
    (void)old;
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    const struct sk_val *ing = sk_geta(sk_getm(sk_getm(obj, "status"), "loadBalancer"), "ingress");
    size_t mark = sk_vpush(&v, "status.loadBalancer.ingress");
    if (sk_alen(ing) && strcmp(sk_gets0(sk_getm(obj, "spec"), "type"), "LoadBalancer"))
        sk_vforbidden(&v, NULL, "may only be used when `spec.type` is 'LoadBalancer'");
    else
        for (size_t i = 0; i < sk_alen(ing); i++) {
            const struct sk_val *in = ing->u.a.items[i];
            size_t m2 = sk_vpushi(&v, i);
            const char *ip = sk_gets0(in, "ip"), *hn = sk_gets0(in, "hostname");
            const char *mode = sk_gets(in, "ipMode");
            if (*ip) sk_vip(&v, "ip", ip);
            static const char *const modes[] = {"Proxy", "VIP", NULL};
            if (!mode && *ip)
                sk_vrequired(&v, "ipMode", "must be specified when `ip` is set");
            else if (mode && !*ip)
                sk_vforbidden(&v, "ipMode", "may not be specified when `ip` is not set");
            else if (mode && !sk_str_in(mode, modes))
                sk_vnotsupported_str(&v, "ipMode", mode, modes);
            if (*hn) {
                sk_vmsgs(&v, "hostname", hn, sk_dns1123_subdomain_msgs);
                if (sk_valid_ip(hn))
                    sk_vinvalid_str(&v, "hostname", hn, "must be a DNS name, not an IP address");
            }
            sk_vpop(&v, m2);
        }
    sk_vpop(&v, mark);
    sk_vctx_free(&v);
}

/* ---- endpoints ---- */

static void endpoint_address(struct sk_vctx *v, const struct sk_val *a)
{
    const char *ip = sk_gets0(a, "ip"), *hn = sk_gets0(a, "hostname");
    sk_vip(v, "ip", ip);
    if (*hn) sk_vmsgs(v, "hostname", hn, sk_dns1123_label_msgs);
    const char *nn = sk_gets(a, "nodeName");
    if (nn) sk_vmsgs(v, "nodeName", nn, sk_dns1123_subdomain_msgs);
    sk_vnon_special_ip(v, "ip", ip);
}

void sk_endpoints_validate(const struct sk_val *obj, const struct sk_val *old, struct sk_causes *c)
{
    (void)old;
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    const struct sk_val *subsets = sk_geta(obj, "subsets");
    for (size_t i = 0; i < sk_alen(subsets); i++) {
        const struct sk_val *ss = subsets->u.a.items[i];
        size_t mark = sk_vpush(&v, "subsets");
        sk_vpushi(&v, i);
        const struct sk_val *addrs = sk_geta(ss, "addresses"),
                            *nr = sk_geta(ss, "notReadyAddresses");
        if (!sk_alen(addrs) && !sk_alen(nr))
            sk_vrequired(&v, NULL, "must specify `addresses` or `notReadyAddresses`");
        static const char *const lists[] = {"addresses", "notReadyAddresses", NULL};
        for (size_t l = 0; lists[l]; l++) {
            const struct sk_val *as = sk_geta(ss, lists[l]);
            for (size_t j = 0; j < sk_alen(as); j++) {
                size_t m2 = sk_vpush(&v, lists[l]);
                sk_vpushi(&v, j);
                endpoint_address(&v, as->u.a.items[j]);
                sk_vpop(&v, m2);
            }
        }
        const struct sk_val *ports = sk_geta(ss, "ports");
        for (size_t j = 0; j < sk_alen(ports); j++) {
            const struct sk_val *p = ports->u.a.items[j];
            size_t m2 = sk_vpush(&v, "ports");
            sk_vpushi(&v, j);
            const char *name = sk_gets0(p, "name");
            if (ports->u.a.n > 1 && !*name)
                sk_vrequired(&v, "name", "%s", "");
            else if (*name)
                sk_vmsgs(&v, "name", name, sk_dns1123_label_msgs);
            int64_t port = sk_geti0(p, "port");
            if (sk_port_num_msg(port))
                sk_vinvalid_int(&v, "port", port, "%s", sk_port_num_msg(port));
            const char *proto = sk_gets0(p, "protocol");
            if (!*proto)
                sk_vrequired(&v, "protocol", "%s", "");
            else if (!sk_str_in(proto, protocols))
                sk_vnotsupported_str(&v, "protocol", proto, protocols);
            const char *ap = sk_gets(p, "appProtocol");
            if (ap) sk_vqualified(&v, "appProtocol", ap);
            sk_vpop(&v, m2);
        }
        sk_vpop(&v, mark);
    }
    sk_vctx_free(&v);
}

/* ---- config maps and secrets ---- */

#define MAX_SECRET_SIZE (1024 * 1024)

static void immutable_data(struct sk_vctx *v, const struct sk_val *obj, const struct sk_val *old,
                           const char *const *keys)
{
    if (!sk_getb(old, "immutable")) return;
    if (!sk_getb(obj, "immutable"))
        sk_vforbidden(v, "immutable", "field is immutable when `immutable` is set");
    for (size_t i = 0; keys[i]; i++)
        if (!sk_sem_equal(sk_get(obj, keys[i]), sk_get(old, keys[i])))
            sk_vforbidden(v, keys[i], "field is immutable when `immutable` is set");
}

void sk_configmap_validate(const struct sk_val *obj, const struct sk_val *old, struct sk_causes *c)
{
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    if (old) {
        static const char *const keys[] = {"data", "binaryData", NULL};
        immutable_data(&v, obj, old, keys);
    }
    const struct sk_val *data = sk_getm(obj, "data"), *bin = sk_getm(obj, "binaryData");
    size_t total = 0;
    for (size_t i = 0; i < sk_mlen(data); i++) {
        const char *k = data->u.m.kv[i].key;
        size_t mark = sk_vpush(&v, "data");
        sk_vpushk(&v, k);
        sk_vmsgs(&v, NULL, k, sk_config_key_msgs);
        if (sk_map_get(bin, k))
            sk_vinvalid_str(&v, NULL, k, "duplicate of key present in binaryData");
        sk_vpop(&v, mark);
        const struct sk_val *val = data->u.m.kv[i].val;
        if (val->type == SK_V_STR) total += val->u.s.len;
    }
    for (size_t i = 0; i < sk_mlen(bin); i++) {
        const char *k = bin->u.m.kv[i].key;
        size_t mark = sk_vpush(&v, "binaryData");
        sk_vpushk(&v, k);
        sk_vmsgs(&v, NULL, k, sk_config_key_msgs);
        sk_vpop(&v, mark);
        const struct sk_val *val = bin->u.m.kv[i].val;
        if (val->type == SK_V_STR) total += val->u.s.len / 4 * 3;
    }
    if (total > MAX_SECRET_SIZE) sk_vtoolong(&v, NULL, MAX_SECRET_SIZE);
    sk_vctx_free(&v);
}

/* Decoded length of base64 text (the type check rejects bad text). */
static size_t b64_len(const struct sk_val *s)
{
    if (!s || s->type != SK_V_STR) return 0;
    size_t n = 0, pad = 0;
    for (size_t i = 0; i < s->u.s.len; i++) {
        char ch = s->u.s.p[i];
        if (ch == '=')
            pad++;
        else if (ch != '\n' && ch != '\r')
            n++;
    }
    (void)pad;
    return n * 3 / 4;
}

static bool has_key(const struct sk_val *m, const char *k)
{
    return sk_map_get(m, k) != NULL;
}

/* Required value at list[key]. */
static void required_key(struct sk_vctx *v, const char *list, const char *key)
{
    size_t mark = sk_vpush(v, list);
    sk_vpushk(v, key);
    sk_vrequired(v, NULL, "%s", "");
    sk_vpop(v, mark);
}

void sk_secret_validate(const struct sk_val *obj, const struct sk_val *old, struct sk_causes *c)
{
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    if (old) {
        sk_vimmutable(&v, obj, old, "type");
        static const char *const keys[] = {"data", NULL};
        immutable_data(&v, obj, old, keys);
    }
    const struct sk_val *data = sk_getm(obj, "data");
    size_t total = 0;
    for (size_t i = 0; i < sk_mlen(data); i++) {
        const char *k = data->u.m.kv[i].key;
        size_t mark = sk_vpush(&v, "data");
        sk_vpushk(&v, k);
        sk_vmsgs(&v, NULL, k, sk_config_key_msgs);
        sk_vpop(&v, mark);
        total += b64_len(data->u.m.kv[i].val);
    }
    if (total > MAX_SECRET_SIZE) sk_vtoolong(&v, "data", MAX_SECRET_SIZE);
    const char *type = sk_gets0(obj, "type");
    if (!strcmp(type, "kubernetes.io/service-account-token")) {
        const struct sk_val *ann = sk_getm(sk_getm(obj, "metadata"), "annotations");
        if (!*sk_gets0(ann, "kubernetes.io/service-account.name"))
            required_key(&v, "metadata.annotations", "kubernetes.io/service-account.name");
    } else if (!strcmp(type, "kubernetes.io/dockercfg")) {
        if (!has_key(data, ".dockercfg")) required_key(&v, "data", ".dockercfg");
    } else if (!strcmp(type, "kubernetes.io/dockerconfigjson")) {
        if (!has_key(data, ".dockerconfigjson")) required_key(&v, "data", ".dockerconfigjson");
    } else if (!strcmp(type, "kubernetes.io/basic-auth")) {
        if (!has_key(data, "username") && !has_key(data, "password")) {
            required_key(&v, "data", "username");
            required_key(&v, "data", "password");
        }
    } else if (!strcmp(type, "kubernetes.io/ssh-auth")) {
        if (!b64_len(sk_get(data, "ssh-privatekey"))) required_key(&v, "data", "ssh-privatekey");
    } else if (!strcmp(type, "kubernetes.io/tls")) {
        if (!has_key(data, "tls.crt")) required_key(&v, "data", "tls.crt");
        if (!has_key(data, "tls.key")) required_key(&v, "data", "tls.key");
    }
    sk_vctx_free(&v);
}

/* ---- namespaces ---- */

static const char *const standard_finalizers[] = {"kubernetes", "orphan", "foregroundDeletion",
                                                  NULL};

void sk_namespace_validate(const struct sk_val *obj, const struct sk_val *old, struct sk_causes *c)
{
    if (old) return; /* an update only re-checks metadata */
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    const struct sk_val *fins = sk_geta(sk_getm(obj, "spec"), "finalizers");
    size_t mark = sk_vpush(&v, "spec.finalizers");
    for (size_t i = 0; i < sk_alen(fins); i++) {
        const char *f = sk_val_cstr(fins->u.a.items[i]);
        if (!f) continue;
        sk_vqualified(&v, NULL, f);
        if (!strchr(f, '/') && !sk_str_in(f, standard_finalizers))
            sk_vinvalid_str(&v, NULL, f,
                            "name is neither a standard finalizer name nor is it fully qualified");
    }
    sk_vpop(&v, mark);
    sk_vctx_free(&v);
}

void sk_namespace_validate_status(const struct sk_val *obj, const struct sk_val *old,
                                  struct sk_causes *c)
{
    (void)old;
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    const char *phase = sk_gets0(sk_getm(obj, "status"), "phase");
    /* Kubernetes spells this path "status.Phase". */
    if (!sk_has(sk_getm(obj, "metadata"), "deletionTimestamp")) {
        if (strcmp(phase, "Active"))
            sk_vinvalid_str(&v, "status.Phase", phase,
                            "may only be 'Active' if `deletionTimestamp` is empty");
    } else if (strcmp(phase, "Terminating")) {
        sk_vinvalid_str(&v, "status.Phase", phase,
                        "may only be 'Terminating' if `deletionTimestamp` is not empty");
    }
    sk_vctx_free(&v);
}

/* ---- nodes ---- */

static void node_taints(struct sk_vctx *v, const struct sk_val *taints)
{
    /* Kubernetes reports these under metadata.taints. */
    size_t mark = sk_vpush(v, "metadata.taints");
    for (size_t i = 0; i < sk_alen(taints); i++) {
        const struct sk_val *t = taints->u.a.items[i];
        size_t m2 = sk_vpushi(v, i);
        const char *key = sk_gets0(t, "key"), *val = sk_gets0(t, "value"),
                   *eff = sk_gets0(t, "effect");
        sk_vqualified(v, "key", key);
        const char *msgs[SK_MAXMSGS];
        size_t n = sk_label_value_msgs(val, msgs);
        if (n) {
            struct sk_buf b = {0};
            for (size_t j = 0; j < n; j++)
                sk_buf_printf(&b, "%s%s", j ? ";" : "", msgs[j]);
            _sk_cleanup_free_ char *joined = sk_buf_take(&b, NULL);
            sk_vinvalid_str(v, "value", val, "%s", joined);
        }
        if (!*eff)
            sk_vrequired(v, "effect", "%s", "");
        else if (!sk_str_in(eff, sk_taint_effects))
            sk_vnotsupported_str(v, "effect", eff, sk_taint_effects);
        for (size_t j = 0; j < i; j++) {
            const struct sk_val *o = taints->u.a.items[j];
            if (strcmp(sk_gets0(o, "key"), key) || strcmp(sk_gets0(o, "effect"), eff)) continue;
            _sk_cleanup_free_ char *qk = sk_gofmt_str(key), *qv = sk_gofmt_str(val),
                                   *qe = sk_gofmt_str(eff);
            sk_causes_add(
                    v->c, v->path, SK_REASON_DUPLICATE,
                    "Duplicate value: core.Taint{Key:%s, Value:%s, Effect:%s, "
                    "TimeAdded:(*v1.Time)(nil)}: taints must be unique by key and effect pair",
                    qk, qv, qe);
            break;
        }
        sk_vpop(v, m2);
    }
    sk_vpop(v, mark);
}

static void node_resources(struct sk_vctx *v, const struct sk_val *st)
{
    static const char *const lists[] = {"capacity", "allocatable", NULL};
    for (size_t l = 0; lists[l]; l++) {
        const struct sk_val *m = sk_getm(st, lists[l]);
        for (size_t i = 0; i < sk_mlen(m); i++) {
            /* A child, not a key: status.capacity.cpu. */
            size_t mark = sk_vpush(v, "status");
            sk_vpush(v, lists[l]);
            sk_vpush(v, m->u.m.kv[i].key);
            sk_validate_resource_quantity(v, m->u.m.kv[i].key, m->u.m.kv[i].val);
            sk_vpop(v, mark);
        }
    }
}

void sk_node_validate(const struct sk_val *obj, const struct sk_val *old, struct sk_causes *c)
{
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    const struct sk_val *spec = sk_getm(obj, "spec"), *st = sk_getm(obj, "status");
    node_taints(&v, sk_geta(spec, "taints"));
    node_resources(&v, st);
    const struct sk_val *cidrs = sk_geta(spec, "podCIDRs");
    size_t mark = sk_vpush(&v, "spec.podCIDRs");
    if (!old) {
        for (size_t i = 0; i < sk_alen(cidrs); i++) {
            const char *cidr = sk_val_cstr(cidrs->u.a.items[i]);
            if (sk_valid_cidr(cidr)) continue;
            size_t m2 = sk_vpushi(&v, i);
            sk_vinvalid_str(&v, NULL, cidr,
                            "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");
            sk_vpop(&v, m2);
        }
        if (sk_alen(cidrs) > 2 ||
            (sk_alen(cidrs) == 2 && sk_is_ipv6(sk_val_cstr(cidrs->u.a.items[0])) ==
                                            sk_is_ipv6(sk_val_cstr(cidrs->u.a.items[1])))) {
            _sk_cleanup_free_ char *list = sk_gofmt_strlist(cidrs);
            sk_vinvalid(&v, NULL, list, "may specify no more than one CIDR for each IP family");
        }
    } else {
        const struct sk_val *oc = sk_geta(sk_getm(old, "spec"), "podCIDRs");
        if (sk_alen(oc) && !sk_sem_equal(oc, cidrs))
            sk_vforbidden(&v, NULL,
                          "node updates may not change podCIDR except from \"\" to valid");
    }
    sk_vpop(&v, mark);
    if (old) {
        const struct sk_val *addrs = sk_geta(st, "addresses");
        for (size_t i = 0; i < sk_alen(addrs); i++)
            for (size_t j = 0; j < i; j++)
                if (sk_sem_equal(addrs->u.a.items[i], addrs->u.a.items[j])) {
                    size_t m2 = sk_vpush(&v, "status.addresses");
                    sk_vpushi(&v, i);
                    _sk_cleanup_free_ char *t = sk_gofmt_str(sk_gets0(addrs->u.a.items[i], "type"));
                    _sk_cleanup_free_ char *a =
                            sk_gofmt_str(sk_gets0(addrs->u.a.items[i], "address"));
                    _sk_cleanup_free_ char *val =
                            sk_xasprintf("core.NodeAddress{Type:%s, Address:%s}", t, a);
                    sk_vduplicate(&v, NULL, val);
                    sk_vpop(&v, m2);
                    break;
                }
        const char *opid = sk_gets0(sk_getm(old, "spec"), "providerID");
        if (*opid && strcmp(opid, sk_gets0(spec, "providerID")))
            sk_vforbidden(&v, "spec.providerID",
                          "node updates may not change providerID except from \"\" to valid");
        if (strcmp(sk_gets0(spec, "externalID"), sk_gets0(sk_getm(old, "spec"), "externalID")))
            sk_vforbidden(&v, "spec.externalID", "may not be updated");
    }
    sk_vctx_free(&v);
}

/* ---- events ---- */

void sk_event_validate(const struct sk_val *obj, const struct sk_val *old, struct sk_causes *c)
{
    (void)old;
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    const char *ns = sk_gets0(sk_getm(obj, "metadata"), "namespace");
    const struct sk_val *io = sk_getm(obj, "involvedObject");
    const char *ions = sk_gets0(io, "namespace");
    if (!sk_has(obj, "eventTime")) {
        /* An old-style event: the namespaces must agree. */
        if (!*ions) {
            if (*ns && strcmp(ns, "default"))
                sk_vinvalid_str(&v, "involvedObject.namespace", ions,
                                "does not match event.namespace");
        } else if (strcmp(ns, ions)) {
            sk_vinvalid_str(&v, "involvedObject.namespace", ions, "does not match event.namespace");
        }
    } else {
        if (!*ions && strcmp(ns, "default") && strcmp(ns, "kube-system"))
            sk_vinvalid_str(&v, "involvedObject.namespace", ions, "does not match event.namespace");
        const char *rc = sk_gets0(obj, "reportingComponent");
        if (!*rc) sk_vrequired(&v, "reportingComponent", "%s", "");
        sk_vqualified(&v, "reportingComponent", rc);
        static const struct {
            const char *field;
            size_t limit;
            bool required;
        } lims[] = {{"reportingInstance", 128, true},
                    {"action", 128, true},
                    {"reason", 128, true},
                    {"message", 1024, false}};
        for (size_t i = 0; i < sizeof(lims) / sizeof(lims[0]); i++) {
            const char *s = sk_gets0(obj, lims[i].field);
            if (lims[i].required && !*s) sk_vrequired(&v, lims[i].field, "%s", "");
            if (strlen(s) > lims[i].limit)
                sk_vinvalid_str(&v, lims[i].field, "", "can have at most %zu characters",
                                lims[i].limit);
        }
    }
    sk_vmsgs(&v, "namespace", ns, sk_dns1123_subdomain_msgs);
    sk_vctx_free(&v);
}

/* ---- persistent volumes and claims ---- */

static const char *const pv_spec_nonsource[] = {"capacity",
                                                "accessModes",
                                                "claimRef",
                                                "persistentVolumeReclaimPolicy",
                                                "storageClassName",
                                                "mountOptions",
                                                "volumeMode",
                                                "nodeAffinity",
                                                "volumeAttributesClassName",
                                                NULL};

void sk_pv_validate(const struct sk_val *obj, const struct sk_val *old, struct sk_causes *c)
{
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    const struct sk_val *spec = sk_getm(obj, "spec");
    size_t mark = sk_vpush(&v, "spec");
    sk_validate_pv_spec(&v, spec);
    sk_vpop(&v, mark);
    if (old) {
        /* The volume source is everything in the spec but these fields. */
        const struct sk_val *os = sk_getm(old, "spec");
        struct sk_val *a = sk_val_map(), *b = sk_val_map();
        for (size_t i = 0; i < sk_mlen(spec); i++)
            if (!sk_str_in(spec->u.m.kv[i].key, pv_spec_nonsource))
                sk_map_set(a, spec->u.m.kv[i].key, sk_val_dup(spec->u.m.kv[i].val));
        for (size_t i = 0; i < sk_mlen(os); i++)
            if (!sk_str_in(os->u.m.kv[i].key, pv_spec_nonsource))
                sk_map_set(b, os->u.m.kv[i].key, sk_val_dup(os->u.m.kv[i].val));
        /* A controllerExpandSecretRef may be added to a CSI source. */
        struct sk_val *acsi = sk_map_get(a, "csi");
        if (acsi && acsi->type == SK_V_MAP &&
            !sk_has(sk_getm(b, "csi"), "controllerExpandSecretRef"))
            sk_map_del(acsi, "controllerExpandSecretRef");
        if (!sk_sem_equal(a, b)) {
            _sk_cleanup_free_ char *ov = sk_gofmt_val(b), *nv = sk_gofmt_val(a);
            sk_vforbidden(&v, "spec.persistentvolumesource",
                          "spec.persistentvolumesource is immutable after creation\n-\t%s\n+\t%s",
                          ov, nv);
        }
        sk_val_free(a);
        sk_val_free(b);
        if (!sk_sem_equal(sk_get(spec, "volumeMode"), sk_get(os, "volumeMode"))) {
            _sk_cleanup_free_ char *val = sk_gofmt_val(sk_get(spec, "volumeMode"));
            sk_vinvalid(&v, "volumeMode", val, "field is immutable");
        }
    }
    sk_vctx_free(&v);
}

void sk_pvc_validate(const struct sk_val *obj, const struct sk_val *old, struct sk_causes *c)
{
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    const struct sk_val *spec = sk_getm(obj, "spec");
    size_t mark = sk_vpush(&v, "spec");
    sk_validate_pvc_spec(&v, spec);
    sk_vpop(&v, mark);
    if (old) {
        const struct sk_val *os = sk_getm(old, "spec");
        struct sk_val *a = sk_val_dup(spec ? spec : NULL), *b = sk_val_dup(os ? os : NULL);
        if (!a) a = sk_val_map();
        if (!b) b = sk_val_map();
        /* volumeName may be set once; requests and the attributes class may
         * change on a bound claim; a storage class may be set when none was. */
        if (!*sk_gets0(os, "volumeName") && sk_map_get(a, "volumeName"))
            sk_map_set(b, "volumeName", sk_val_dup(sk_map_get(a, "volumeName")));
        if (!sk_has(os, "storageClassName") && sk_has(spec, "storageClassName"))
            sk_map_set(b, "storageClassName", sk_val_dup(sk_map_get(a, "storageClassName")));
        bool bound = !strcmp(sk_gets0(sk_getm(obj, "status"), "phase"), "Bound");
        if (bound) {
            struct sk_val *ar = sk_map_get(sk_map_get(a, "resources"), "requests");
            const struct sk_val *br = sk_get(sk_getm(b, "resources"), "requests");
            if (ar && ar->type == SK_V_MAP) {
                const struct sk_val *ost = sk_map_get(br, "storage");
                if (ost)
                    sk_map_set(ar, "storage", sk_val_dup(ost));
                else
                    sk_map_del(ar, "storage");
            }
            const struct sk_val *ovac = sk_map_get(b, "volumeAttributesClassName");
            if (sk_map_get(a, "volumeAttributesClassName")) {
                if (ovac)
                    sk_map_set(a, "volumeAttributesClassName", sk_val_dup(ovac));
                else
                    sk_map_del(a, "volumeAttributesClassName");
            }
        }
        if (!sk_sem_equal(a, b)) {
            _sk_cleanup_free_ char *ov = sk_gofmt_val(b), *nv = sk_gofmt_val(a);
            sk_vforbidden(&v, "spec",
                          "spec is immutable after creation except resources.requests and "
                          "volumeAttributesClassName for bound claims\n-\t%s\n+\t%s",
                          ov, nv);
        }
        sk_val_free(a);
        sk_val_free(b);
        struct sk_quantity nq, oq, sq;
        const struct sk_val *ns =
                sk_get(sk_getm(sk_getm(spec, "resources"), "requests"), "storage");
        const struct sk_val *osz = sk_get(sk_getm(sk_getm(os, "resources"), "requests"), "storage");
        const struct sk_val *ssz = sk_get(sk_getm(sk_getm(old, "status"), "capacity"), "storage");
        if (ns && osz && sk_quantity_from_val(ns, &nq, NULL, NULL) == SK_OK &&
            sk_quantity_from_val(osz, &oq, NULL, NULL) == SK_OK && sk_quantity_cmp(&nq, &oq) < 0) {
            /* RecoverVolumeExpansionFailure (on in 1.32): shrinking back is
             * allowed down to, not onto, the actual capacity. */
            if (sk_quantity_from_val(ssz, &sq, NULL, NULL) != SK_OK ||
                sk_quantity_cmp(&nq, &sq) <= 0)
                sk_vforbidden(&v, "spec.resources.requests.storage",
                              "field can not be less than status.capacity");
        }
        if (!sk_sem_equal(sk_get(spec, "volumeMode"), sk_get(os, "volumeMode"))) {
            _sk_cleanup_free_ char *val = sk_gofmt_val(sk_get(spec, "volumeMode"));
            sk_vinvalid(&v, "volumeMode", val, "field is immutable");
        }
    }
    sk_vctx_free(&v);
}

/* ---- replication controllers ---- */

void sk_rc_validate(const struct sk_val *obj, const struct sk_val *old, struct sk_causes *c)
{
    (void)old;
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    const struct sk_val *spec = sk_getm(obj, "spec");
    size_t mark = sk_vpush(&v, "spec");
    sk_vnonneg(&v, spec, "minReadySeconds");
    const struct sk_val *sel = sk_getm(spec, "selector");
    if (!sk_mlen(sel)) sk_vrequired(&v, "selector", "%s", "");
    sk_vnonneg(&v, spec, "replicas");
    const struct sk_val *tmpl = sk_getm(spec, "template");
    if (!tmpl) {
        sk_vrequired(&v, "template", "%s", "");
    } else {
        size_t m2 = sk_vpush(&v, "template");
        const struct sk_val *labels = sk_getm(sk_getm(tmpl, "metadata"), "labels");
        if (sk_mlen(sel) && !sk_map_selector_matches(sel, labels)) {
            _sk_cleanup_free_ char *val = sk_gofmt_strmap(labels);
            sk_vinvalid(&v, "metadata.labels", val, "`selector` does not match template `labels`");
        }
        sk_validate_pod_template(&v, tmpl);
        const struct sk_val *ts = sk_getm(tmpl, "spec");
        const char *rp = sk_gets0(ts, "restartPolicy");
        static const char *const always[] = {"Always", NULL};
        if (strcmp(rp, "Always")) sk_vnotsupported_str(&v, "spec.restartPolicy", rp, always);
        if (sk_has(ts, "activeDeadlineSeconds"))
            sk_vforbidden(&v, "spec.activeDeadlineSeconds",
                          "activeDeadlineSeconds in ReplicationController is not Supported");
        sk_vpop(&v, m2);
    }
    sk_vpop(&v, mark);
    sk_vctx_free(&v);
}

void sk_rc_validate_status(const struct sk_val *obj, const struct sk_val *old, struct sk_causes *c)
{
    (void)old;
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    const struct sk_val *st = sk_getm(obj, "status");
    size_t mark = sk_vpush(&v, "status");
    static const char *const counts[] = {"replicas",           "fullyLabeledReplicas",
                                         "readyReplicas",      "availableReplicas",
                                         "observedGeneration", NULL};
    for (size_t i = 0; counts[i]; i++)
        sk_vnonneg(&v, st, counts[i]);
    int64_t r = sk_geti0(st, "replicas"), fl = sk_geti0(st, "fullyLabeledReplicas"),
            rr = sk_geti0(st, "readyReplicas"), ar = sk_geti0(st, "availableReplicas");
    const char *msg = "cannot be greater than status.replicas";
    if (fl > r) sk_vinvalid_int(&v, "fullyLabeledReplicas", fl, "%s", msg);
    if (rr > r) sk_vinvalid_int(&v, "readyReplicas", rr, "%s", msg);
    if (ar > r) sk_vinvalid_int(&v, "availableReplicas", ar, "%s", msg);
    if (ar > rr)
        sk_vinvalid_int(&v, "availableReplicas", ar, "cannot be greater than readyReplicas");
    sk_vpop(&v, mark);
    sk_vctx_free(&v);
}

/* ---- pods ---- */

void sk_pod_defaults(struct sk_val *obj)
{
    struct sk_val *spec = sk_map_get(obj, "spec");
    sk_default_podspec(spec);
    sk_default_pod_extras(spec);
}

void sk_pod_prepare_create(struct sk_val *obj)
{
    /* The registry starts every pod Pending, with its QoS class. */
    struct sk_val *status = sk_val_map();
    sk_map_set(status, "phase", sk_val_str("Pending"));
    sk_map_set(status, "qosClass", sk_val_str(sk_pod_qos_class(sk_getm(obj, "spec"))));
    sk_map_set(obj, "status", status);
}

static void image_whitespace(struct sk_vctx *v, const char *list, const struct sk_val *cs)
{
    for (size_t i = 0; i < sk_alen(cs); i++) {
        const char *img = sk_gets0(cs->u.a.items[i], "image");
        size_t n = strlen(img);
        if (n && (strchr(" \t\n\r\v\f", img[0]) || strchr(" \t\n\r\v\f", img[n - 1]))) {
            size_t mark = sk_vpush(v, list);
            sk_vpushi(v, i);
            sk_vinvalid_str(v, "image", img, "must not have leading or trailing whitespace");
            sk_vpop(v, mark);
        }
    }
}

/* validatePodMetadataAndSpec, after the metadata. */
static void pod_spec_checks(struct sk_vctx *v, const struct sk_val *obj)
{
    const struct sk_val *spec = sk_getm(obj, "spec");
    size_t mark = sk_vpush(v, "spec");
    struct sk_podopts o = {.is_pod = true, .podname = sk_gets(sk_getm(obj, "metadata"), "name")};
    sk_validate_podspec(v, spec, &o);
    if (!*sk_gets0(spec, "serviceAccountName")) {
        const struct sk_val *vols = sk_geta(spec, "volumes");
        for (size_t i = 0; i < sk_alen(vols); i++) {
            const struct sk_val *srcs =
                    sk_geta(sk_getm(vols->u.a.items[i], "projected"), "sources");
            for (size_t j = 0; j < sk_alen(srcs); j++) {
                if (!sk_getm(srcs->u.a.items[j], "serviceAccountToken")) continue;
                size_t m2 = sk_vpush(v, "volumes");
                sk_vpushi(v, i);
                sk_vpush(v, "projected.sources");
                sk_vpushi(v, j);
                sk_vforbidden(v, "serviceAccountToken",
                              "must not be specified when serviceAccountName is not set");
                sk_vpop(v, m2);
            }
        }
    }
    image_whitespace(v, "containers", sk_geta(spec, "containers"));
    image_whitespace(v, "initContainers", sk_geta(spec, "initContainers"));
    sk_vpop(v, mark);
}

static const char *const updatable_pod_fields =
        "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
        "`spec.tolerations` (only additions to existing tolerations),"
        "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously "
        "negative)";

static bool container_count_changed(struct sk_vctx *v, const char *list, const struct sk_val *n,
                                    const struct sk_val *o)
{
    const struct sk_val *nc = sk_geta(n, list), *oc = sk_geta(o, list);
    size_t mark = sk_vpush(v, list);
    bool changed = sk_alen(nc) != sk_alen(oc);
    if (changed) sk_vforbidden(v, NULL, "pod updates may not add or remove containers");
    for (size_t i = 0; !changed && i < sk_alen(nc); i++) {
        if (!*sk_gets0(nc->u.a.items[i], "image")) {
            size_t m2 = sk_vpushi(v, i);
            sk_vrequired(v, "image", "%s", "");
            sk_vpop(v, m2);
        }
    }
    sk_vpop(v, mark);
    return changed;
}

/* Copy of new's spec with the fields a pod update may change taken from
 * old, so the rest can be compared. */
static struct sk_val *munge_spec(const struct sk_val *ns, const struct sk_val *os)
{
    struct sk_val *m = sk_val_dup(ns);
    static const char *const lists[] = {"containers", "initContainers", NULL};
    for (size_t l = 0; lists[l]; l++) {
        struct sk_val *nc = sk_map_get(m, lists[l]);
        const struct sk_val *oc = sk_geta(os, lists[l]);
        for (size_t i = 0; i < sk_alen(nc) && i < sk_alen(oc); i++) {
            const struct sk_val *img = sk_map_get(oc->u.a.items[i], "image");
            if (nc->u.a.items[i]->type != SK_V_MAP) continue;
            if (img)
                sk_map_set(nc->u.a.items[i], "image", sk_val_dup(img));
            else
                sk_map_del(nc->u.a.items[i], "image");
        }
    }
    static const char *const keep_old[] = {"activeDeadlineSeconds", "schedulingGates",
                                           "tolerations", NULL};
    for (size_t k = 0; keep_old[k]; k++) {
        const struct sk_val *ov = sk_map_get(os, keep_old[k]);
        if (ov)
            sk_map_set(m, keep_old[k], sk_val_dup(ov));
        else
            sk_map_del(m, keep_old[k]);
    }
    int64_t og, ng;
    if (sk_geti(os, "terminationGracePeriodSeconds", &og) && og < 0 &&
        sk_geti(m, "terminationGracePeriodSeconds", &ng) && ng == 1)
        sk_map_set(m, "terminationGracePeriodSeconds", sk_val_int(og));
    return m;
}

static void tolerations_only_added(struct sk_vctx *v, const struct sk_val *nt,
                                   const struct sk_val *ot)
{
    for (size_t i = 0; i < sk_alen(ot); i++) {
        bool found = false;
        for (size_t j = 0; j < sk_alen(nt) && !found; j++) {
            /* tolerationSeconds may change. */
            struct sk_val *a = sk_val_dup(ot->u.a.items[i]), *b = sk_val_dup(nt->u.a.items[j]);
            if (a->type == SK_V_MAP) sk_map_del(a, "tolerationSeconds");
            if (b->type == SK_V_MAP) sk_map_del(b, "tolerationSeconds");
            found = sk_sem_equal(a, b);
            sk_val_free(a);
            sk_val_free(b);
        }
        if (!found) {
            sk_vforbidden(v, "tolerations",
                          "existing toleration can not be modified except its tolerationSeconds");
            return;
        }
    }
    size_t mark = sk_vpush(v, "tolerations");
    sk_validate_tolerations(v, nt);
    sk_vpop(v, mark);
}

static void pod_update(struct sk_vctx *v, const struct sk_val *obj, const struct sk_val *old)
{
    const struct sk_val *ns = sk_getm(obj, "spec"), *os = sk_getm(old, "spec");
    size_t mark = sk_vpush(v, "spec");
    if (container_count_changed(v, "containers", ns, os) ||
        container_count_changed(v, "initContainers", ns, os)) {
        sk_vpop(v, mark);
        return;
    }
    int64_t nad, oad;
    bool hn = sk_geti(ns, "activeDeadlineSeconds", &nad),
         ho = sk_geti(os, "activeDeadlineSeconds", &oad);
    if (hn) {
        if (nad < 0 || nad > INT32_MAX) {
            sk_vinvalid_int(v, "activeDeadlineSeconds", nad,
                            "must be between 0 and 2147483647, inclusive");
            sk_vpop(v, mark);
            return;
        }
        if (ho && oad < nad) {
            sk_vinvalid_int(v, "activeDeadlineSeconds", nad,
                            "must be less than or equal to previous value");
            sk_vpop(v, mark);
            return;
        }
    } else if (ho) {
        sk_vinvalid(v, "activeDeadlineSeconds", "null",
                    "must not update from a positive integer to nil value");
    }
    tolerations_only_added(v, sk_geta(ns, "tolerations"), sk_geta(os, "tolerations"));
    const struct sk_val *ng = sk_geta(ns, "schedulingGates"), *og = sk_geta(os, "schedulingGates");
    for (size_t i = 0; i < sk_alen(ng); i++) {
        const char *n = sk_gets0(ng->u.a.items[i], "name");
        bool found = false;
        for (size_t j = 0; j < sk_alen(og) && !found; j++)
            found = !strcmp(sk_gets0(og->u.a.items[j], "name"), n);
        if (!found) {
            size_t m2 = sk_vpush(v, "schedulingGates");
            sk_vpushi(v, i);
            sk_vforbidden(v, "name", "only deletion is allowed, but found new scheduling gate '%s'",
                          n);
            sk_vpop(v, m2);
        }
    }
    struct sk_val *munged = munge_spec(ns, os);
    if (!sk_sem_equal(munged, os)) {
        /* Kubernetes appends a go-cmp diff; skiff lists the fields that differ. */
        struct sk_buf b = {0};
        for (size_t i = 0; i < sk_mlen(munged); i++) {
            const struct sk_kv *kv = &munged->u.m.kv[i];
            const struct sk_val *o = sk_map_get(os, kv->key);
            if (sk_sem_equal(kv->val, o)) continue;
            _sk_cleanup_free_ char *ov = sk_gofmt_val(o), *nv = sk_gofmt_val(kv->val);
            sk_buf_printf(&b, "\n-\t%s: %s\n+\t%s: %s", kv->key, ov, kv->key, nv);
        }
        for (size_t i = 0; i < sk_mlen(os); i++) {
            const struct sk_kv *kv = &os->u.m.kv[i];
            if (sk_map_get(munged, kv->key) || sk_sem_equal(kv->val, NULL)) continue;
            _sk_cleanup_free_ char *ov = sk_gofmt_val(kv->val);
            sk_buf_printf(&b, "\n-\t%s: %s\n+\t%s: null", kv->key, ov, kv->key);
        }
        _sk_cleanup_free_ char *diff = sk_buf_take(&b, NULL);
        sk_vforbidden(v, NULL, "pod updates may not change fields other than %s%s",
                      updatable_pod_fields, diff);
    }
    sk_val_free(munged);
    sk_vpop(v, mark);
}

void sk_pod_validate(const struct sk_val *obj, const struct sk_val *old, struct sk_causes *c)
{
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    pod_spec_checks(&v, obj);
    const struct sk_val *spec = sk_getm(obj, "spec");
    if (!old) {
        size_t mark = sk_vpush(&v, "spec");
        if (sk_alen(sk_geta(spec, "ephemeralContainers")))
            sk_vforbidden(&v, "ephemeralContainers", "cannot be set on create");
        if (*sk_gets0(spec, "nodeName") && sk_alen(sk_geta(spec, "schedulingGates")))
            sk_vforbidden(&v, "nodeName",
                          "cannot be set until all schedulingGates have been cleared");
        sk_vpop(&v, mark);
    } else {
        pod_update(&v, obj, old);
    }
    sk_vctx_free(&v);
}

static void ip_list(struct sk_vctx *v, const struct sk_val *st, const char *list)
{
    const struct sk_val *ips = sk_geta(st, list);
    size_t mark = sk_vpush(v, list);
    for (size_t i = 0; i < sk_alen(ips); i++) {
        const char *ip = sk_gets0(ips->u.a.items[i], "ip");
        size_t m2 = sk_vpushi(v, i);
        sk_vip(v, NULL, ip);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(sk_gets0(ips->u.a.items[j], "ip"), ip)) {
                _sk_cleanup_free_ char *val = sk_gofmt_val(ips->u.a.items[i]);
                sk_vduplicate(v, NULL, val);
                break;
            }
        sk_vpop(v, m2);
    }
    if (sk_alen(ips) > 2 ||
        (sk_alen(ips) == 2 && sk_is_ipv6(sk_gets0(ips->u.a.items[0], "ip")) ==
                                      sk_is_ipv6(sk_gets0(ips->u.a.items[1], "ip")))) {
        _sk_cleanup_free_ char *val = sk_gofmt_val(ips);
        sk_vinvalid(v, NULL, val, "may specify no more than one IP for each IP family");
    }
    sk_vpop(v, mark);
}

void sk_pod_validate_status(const struct sk_val *obj, const struct sk_val *old, struct sk_causes *c)
{
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    const struct sk_val *st = sk_getm(obj, "status"), *ost = sk_getm(old, "status");
    size_t mark = sk_vpush(&v, "status");
    if (strcmp(sk_gets0(sk_getm(obj, "spec"), "nodeName"),
               sk_gets0(sk_getm(old, "spec"), "nodeName")))
        sk_vforbidden(&v, "nodeName", "may not be changed directly");
    const char *nnn = sk_gets0(st, "nominatedNodeName");
    if (*nnn && strcmp(nnn, sk_gets0(ost, "nominatedNodeName")))
        sk_vmsgs(&v, "nominatedNodeName", nnn, sk_dns1123_subdomain_msgs);
    sk_vimmutable(&v, st, ost, "qosClass");
    ip_list(&v, st, "podIPs");
    const struct sk_val *hips = sk_geta(st, "hostIPs");
    if (sk_alen(hips)) {
        const char *first = sk_gets0(hips->u.a.items[0], "ip");
        if (strcmp(first, sk_gets0(st, "hostIP")))
            sk_vinvalid_str(&v, "hostIPs[0].ip", first, "must be equal to `hostIP`");
        ip_list(&v, st, "hostIPs");
    }
    sk_vpop(&v, mark);
    sk_vctx_free(&v);
}
