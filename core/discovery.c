/* Discovery bodies derived from the schema table, in the shapes
 * kube-apiserver serves them, plus a cache that renders each body once so
 * the API can answer discovery (which kubectl asks for on every command)
 * without building trees per request. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "discovery.h"
#include "json.h"
#include "mem.h"
#include "schema.h"

#define DEFAULT_SERVER "127.0.0.1:6443"

/* ---- groups and versions in schema order ---- */

/* Group names in the order their first kind appears, which is the order
 * /apis lists them; the core group ("") is skipped. */
static size_t list_groups(const char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; sk_kinds[i]; i++) {
        const char *g = sk_kinds[i]->group;
        if (!*g) continue;
        size_t j = 0;
        while (j < n && strcmp(out[j], g))
            j++;
        if (j == n && n < max) out[n++] = g;
    }
    return n;
}

/* Versions of a group in schema order; the first is the preferred one. */
static size_t list_versions(const char *group, const char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; sk_kinds[i]; i++) {
        const struct sk_kind *k = sk_kinds[i];
        if (strcmp(k->group, group)) continue;
        size_t j = 0;
        while (j < n && strcmp(out[j], k->version))
            j++;
        if (j == n && n < max) out[n++] = k->version;
    }
    return n;
}

static bool gv_served(const char *group, const char *version)
{
    for (size_t i = 0; sk_kinds[i]; i++)
        if (!strcmp(sk_kinds[i]->group, group) && !strcmp(sk_kinds[i]->version, version))
            return true;
    return false;
}

/* Kinds of one group-version sorted by plural, as kube-apiserver lists
 * resources. Returns the count; out holds up to max. */
static int cmp_plural(const void *a, const void *b)
{
    const struct sk_kind *const *x = a, *const *y = b;
    return strcmp((*x)->plural, (*y)->plural);
}

static size_t gv_kinds(const char *group, const char *version, const struct sk_kind **out,
                       size_t max)
{
    size_t n = 0;
    for (size_t i = 0; sk_kinds[i] && n < max; i++)
        if (!strcmp(sk_kinds[i]->group, group) && !strcmp(sk_kinds[i]->version, version))
            out[n++] = sk_kinds[i];
    qsort(out, n, sizeof *out, cmp_plural);
    return n;
}

static char *group_version(const char *group, const char *version)
{
    return *group ? sk_xasprintf("%s/%s", group, version) : sk_xstrdup(version);
}

/* ---- verbs and subresources ---- */

static const char *const verbs_all[] = {
        "create", "delete", "deletecollection", "get", "list", "patch", "update", "watch", NULL};
/* Namespaces are deleted one at a time (the namespace controller drains
 * them), so kube-apiserver offers no deletecollection. */
static const char *const verbs_ns[] = {"create", "delete", "get",   "list",
                                       "patch",  "update", "watch", NULL};
static const char *const verbs_gpu[] = {"get", "patch", "update", NULL};
static const char *const verbs_cg[] = {"create", "get", NULL};
static const char *const verbs_c[] = {"create", NULL};
static const char *const verbs_g[] = {"get", NULL};
static const char *const verbs_u[] = {"update", NULL};
static const char *const verbs_proxy[] = {"create", "delete", "get", "patch", "update", NULL};

static const char *const *resource_verbs(const struct sk_kind *k)
{
    if (!*k->group && !strcmp(k->kind, "Namespace")) return verbs_ns;
    return verbs_all;
}

/* What a subresource answers with and which verbs it takes, as
 * kube-apiserver declares them. kind NULL: the parent's kind; kind "*":
 * the parent's kind followed by "ProxyOptions". */
static const struct subres_info {
    const char *name;
    const char *group, *version, *kind;
    const char *const *verbs;
} subres_table[] = {
        {"status", NULL, NULL, NULL, verbs_gpu},
        {"scale", "autoscaling", "v1", "Scale", verbs_gpu},
        {"attach", NULL, NULL, "PodAttachOptions", verbs_cg},
        {"binding", NULL, NULL, "Binding", verbs_c},
        {"ephemeralcontainers", NULL, NULL, NULL, verbs_gpu},
        {"eviction", "policy", "v1", "Eviction", verbs_c},
        {"exec", NULL, NULL, "PodExecOptions", verbs_cg},
        {"log", NULL, NULL, NULL, verbs_g},
        {"portforward", NULL, NULL, "PodPortForwardOptions", verbs_cg},
        {"proxy", NULL, NULL, "*", verbs_proxy},
        {"finalize", NULL, NULL, NULL, verbs_u},
        {"token", "authentication.k8s.io", "v1", "TokenRequest", verbs_c},
};

static const struct subres_info *subres_lookup(const char *name)
{
    for (size_t i = 0; i < sizeof subres_table / sizeof subres_table[0]; i++)
        if (!strcmp(subres_table[i].name, name)) return &subres_table[i];
    return NULL;
}

/* The subresource names of a kind, sorted. */
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static size_t kind_subresources(const struct sk_kind *k, const char **out, size_t max)
{
    size_t n = 0;
    if (k->has_status && n < max) out[n++] = "status";
    if (k->has_scale && n < max) out[n++] = "scale";
    for (const char *const *s = k->subresources; s && *s && n < max; s++)
        out[n++] = *s;
    qsort(out, n, sizeof *out, cmp_str);
    return n;
}

/* Resolve a subresource's response group/version/kind into the buffers. */
static void subres_gvk(const struct sk_kind *k, const char *name, const char **group,
                       const char **version, char *kind, size_t kindsz, const char *const **verbs)
{
    const struct subres_info *si = subres_lookup(name);
    *group = si && si->group ? si->group : k->group;
    *version = si && si->version ? si->version : k->version;
    if (si && si->kind && !strcmp(si->kind, "*"))
        snprintf(kind, kindsz, "%sProxyOptions", k->kind);
    else
        snprintf(kind, kindsz, "%s", si && si->kind ? si->kind : k->kind);
    *verbs = si ? si->verbs : verbs_g;
}

/* ---- small tree helpers ---- */

static struct sk_val *str_array(const char *const *list)
{
    struct sk_val *a = sk_val_arr();
    for (const char *const *s = list; s && *s; s++)
        sk_arr_push(a, sk_val_str(*s));
    return a;
}

static bool list_nonempty(const char *const *list)
{
    return list && list[0];
}

static struct sk_val *gv_entry(const char *group, const char *version)
{
    struct sk_val *m = sk_val_map();
    char *gv = group_version(group, version);
    sk_map_set(m, "groupVersion", sk_val_str(gv));
    sk_map_set(m, "version", sk_val_str(version));
    free(gv);
    return m;
}

/* ---- FNV-1a: stable hashes for storageVersionHash and ETags ---- */

static uint64_t fnv1a(const void *p, size_t n, uint64_t h)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}
#define FNV_SEED 0xcbf29ce484222325ULL

void sk_discovery_version_hash(const char *group, const char *version, const char *kind,
                               char out[16])
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint64_t h = FNV_SEED;
    h = fnv1a(group, strlen(group), h);
    h = fnv1a("/", 1, h);
    h = fnv1a(version, strlen(version), h);
    h = fnv1a("/", 1, h);
    h = fnv1a(kind, strlen(kind), h);
    unsigned char b[9] = {0};
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(h >> (56 - 8 * i));
    /* 8 bytes: two full groups of three, then two bytes and one '=' */
    size_t o = 0;
    for (int i = 0; i < 9; i += 3) {
        uint32_t v = (uint32_t)b[i] << 16 | (uint32_t)b[i + 1] << 8 | b[i + 2];
        out[o++] = b64[v >> 18 & 63];
        out[o++] = b64[v >> 12 & 63];
        out[o++] = b64[v >> 6 & 63];
        out[o++] = i == 6 ? '=' : b64[v & 63];
    }
    out[o] = '\0';
}

/* ---- legacy bodies ---- */

struct sk_val *sk_discovery_api_versions(const char *server_address)
{
    struct sk_val *m = sk_val_map();
    sk_map_set(m, "kind", sk_val_str("APIVersions"));
    struct sk_val *v = sk_map_set(m, "versions", sk_val_arr());
    sk_arr_push(v, sk_val_str("v1"));
    struct sk_val *cidrs = sk_map_set(m, "serverAddressByClientCIDRs", sk_val_arr());
    struct sk_val *c = sk_arr_push(cidrs, sk_val_map());
    sk_map_set(c, "clientCIDR", sk_val_str("0.0.0.0/0"));
    sk_map_set(c, "serverAddress", sk_val_str(server_address ? server_address : DEFAULT_SERVER));
    return m;
}

/* The body of one APIGroup (used in APIGroupList without kind/apiVersion). */
static struct sk_val *group_body(const char *group, bool with_kind)
{
    const char *versions[16];
    size_t nv = list_versions(group, versions, 16);
    if (!nv) return NULL;
    struct sk_val *m = sk_val_map();
    if (with_kind) {
        sk_map_set(m, "kind", sk_val_str("APIGroup"));
        sk_map_set(m, "apiVersion", sk_val_str("v1"));
    }
    sk_map_set(m, "name", sk_val_str(group));
    struct sk_val *va = sk_map_set(m, "versions", sk_val_arr());
    for (size_t i = 0; i < nv; i++)
        sk_arr_push(va, gv_entry(group, versions[i]));
    sk_map_set(m, "preferredVersion", gv_entry(group, versions[0]));
    return m;
}

struct sk_val *sk_discovery_group_list(void)
{
    const char *groups[64];
    size_t ng = list_groups(groups, 64);
    struct sk_val *m = sk_val_map();
    sk_map_set(m, "kind", sk_val_str("APIGroupList"));
    sk_map_set(m, "apiVersion", sk_val_str("v1"));
    struct sk_val *ga = sk_map_set(m, "groups", sk_val_arr());
    for (size_t i = 0; i < ng; i++)
        sk_arr_push(ga, group_body(groups[i], false));
    return m;
}

struct sk_val *sk_discovery_group(const char *group)
{
    if (!group || !*group) return NULL;
    return group_body(group, true);
}

static struct sk_val *legacy_subresource(const struct sk_kind *k, const char *name)
{
    const char *g, *v;
    char kind[96];
    const char *const *verbs;
    subres_gvk(k, name, &g, &v, kind, sizeof kind, &verbs);
    struct sk_val *r = sk_val_map();
    sk_map_set(r, "name", sk_val_strf("%s/%s", k->plural, name));
    sk_map_set(r, "singularName", sk_val_str(""));
    sk_map_set(r, "namespaced", sk_val_bool(k->namespaced));
    if (strcmp(g, k->group) || strcmp(v, k->version)) {
        sk_map_set(r, "group", sk_val_str(g));
        sk_map_set(r, "version", sk_val_str(v));
    }
    sk_map_set(r, "kind", sk_val_str(kind));
    sk_map_set(r, "verbs", str_array(verbs));
    return r;
}

struct sk_val *sk_discovery_resource_list(const char *group, const char *version)
{
    if (!group) group = "";
    if (!version || !gv_served(group, version)) return NULL;
    const struct sk_kind *kinds[128];
    size_t nk = gv_kinds(group, version, kinds, 128);
    struct sk_val *m = sk_val_map();
    sk_map_set(m, "kind", sk_val_str("APIResourceList"));
    /* kube-apiserver leaves apiVersion out of the core list only */
    if (*group) sk_map_set(m, "apiVersion", sk_val_str("v1"));
    char *gv = group_version(group, version);
    sk_map_set(m, "groupVersion", sk_val_str(gv));
    free(gv);
    struct sk_val *ra = sk_map_set(m, "resources", sk_val_arr());
    for (size_t i = 0; i < nk; i++) {
        const struct sk_kind *k = kinds[i];
        struct sk_val *r = sk_arr_push(ra, sk_val_map());
        sk_map_set(r, "name", sk_val_str(k->plural));
        sk_map_set(r, "singularName", sk_val_str(k->singular));
        sk_map_set(r, "namespaced", sk_val_bool(k->namespaced));
        sk_map_set(r, "kind", sk_val_str(k->kind));
        sk_map_set(r, "verbs", str_array(resource_verbs(k)));
        if (list_nonempty(k->short_names)) sk_map_set(r, "shortNames", str_array(k->short_names));
        if (list_nonempty(k->categories)) sk_map_set(r, "categories", str_array(k->categories));
        char hash[16];
        sk_discovery_version_hash(k->group, k->version, k->kind, hash);
        sk_map_set(r, "storageVersionHash", sk_val_str(hash));
        const char *subs[32];
        size_t ns = kind_subresources(k, subs, 32);
        for (size_t j = 0; j < ns; j++)
            sk_arr_push(ra, legacy_subresource(k, subs[j]));
    }
    return m;
}

/* ---- aggregated discovery ---- */

static struct sk_val *response_kind(const char *group, const char *version, const char *kind)
{
    struct sk_val *m = sk_val_map();
    sk_map_set(m, "group", sk_val_str(group));
    sk_map_set(m, "version", sk_val_str(version));
    sk_map_set(m, "kind", sk_val_str(kind));
    return m;
}

static struct sk_val *agg_resource(const struct sk_kind *k)
{
    struct sk_val *r = sk_val_map();
    sk_map_set(r, "resource", sk_val_str(k->plural));
    sk_map_set(r, "responseKind", response_kind(k->group, k->version, k->kind));
    sk_map_set(r, "scope", sk_val_str(k->namespaced ? "Namespaced" : "Cluster"));
    sk_map_set(r, "singularResource", sk_val_str(k->singular));
    sk_map_set(r, "verbs", str_array(resource_verbs(k)));
    if (list_nonempty(k->short_names)) sk_map_set(r, "shortNames", str_array(k->short_names));
    if (list_nonempty(k->categories)) sk_map_set(r, "categories", str_array(k->categories));
    const char *subs[32];
    size_t ns = kind_subresources(k, subs, 32);
    if (ns) {
        struct sk_val *sa = sk_map_set(r, "subresources", sk_val_arr());
        for (size_t j = 0; j < ns; j++) {
            const char *g, *v;
            char kind[96];
            const char *const *verbs;
            subres_gvk(k, subs[j], &g, &v, kind, sizeof kind, &verbs);
            struct sk_val *s = sk_arr_push(sa, sk_val_map());
            sk_map_set(s, "subresource", sk_val_str(subs[j]));
            sk_map_set(s, "responseKind", response_kind(g, v, kind));
            sk_map_set(s, "verbs", str_array(verbs));
        }
    }
    return r;
}

static struct sk_val *agg_group(const char *group)
{
    const char *versions[16];
    size_t nv = list_versions(group, versions, 16);
    struct sk_val *item = sk_val_map();
    struct sk_val *md = sk_map_set(item, "metadata", sk_val_map());
    if (*group) sk_map_set(md, "name", sk_val_str(group));
    sk_map_set(md, "creationTimestamp", sk_val_null());
    struct sk_val *va = sk_map_set(item, "versions", sk_val_arr());
    for (size_t i = 0; i < nv; i++) {
        struct sk_val *v = sk_arr_push(va, sk_val_map());
        sk_map_set(v, "version", sk_val_str(versions[i]));
        struct sk_val *ra = sk_map_set(v, "resources", sk_val_arr());
        const struct sk_kind *kinds[128];
        size_t nk = gv_kinds(group, versions[i], kinds, 128);
        for (size_t j = 0; j < nk; j++)
            sk_arr_push(ra, agg_resource(kinds[j]));
        sk_map_set(v, "freshness", sk_val_str("Current"));
    }
    return item;
}

struct sk_val *sk_discovery_aggregated(bool core, enum sk_disc_form form)
{
    struct sk_val *m = sk_val_map();
    sk_map_set(m, "kind", sk_val_str("APIGroupDiscoveryList"));
    sk_map_set(m, "apiVersion",
               sk_val_str(form == SK_DISC_AGG_V2BETA1 ? "apidiscovery.k8s.io/v2beta1"
                                                      : "apidiscovery.k8s.io/v2"));
    sk_map_set(m, "metadata", sk_val_map());
    struct sk_val *items = sk_map_set(m, "items", sk_val_arr());
    if (core) {
        sk_arr_push(items, agg_group(""));
    } else {
        const char *groups[64];
        size_t ng = list_groups(groups, 64);
        for (size_t i = 0; i < ng; i++)
            sk_arr_push(items, agg_group(groups[i]));
    }
    return m;
}

/* ---- Accept negotiation ---- */

/* Value of parameter name in one media range [p, e), copied into buf. */
static bool media_param(const char *p, const char *e, const char *name, char *buf, size_t bufsz)
{
    size_t nl = strlen(name);
    const char *s = memchr(p, ';', (size_t)(e - p));
    while (s && s < e) {
        s++;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        const char *end = memchr(s, ';', (size_t)(e - s));
        if (!end) end = e;
        if ((size_t)(end - s) > nl && !strncasecmp(s, name, nl) && s[nl] == '=') {
            const char *v = s + nl + 1;
            size_t vl = (size_t)(end - v);
            while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
                vl--;
            if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') v++, vl -= 2;
            if (vl >= bufsz) vl = bufsz - 1;
            memcpy(buf, v, vl);
            buf[vl] = '\0';
            return true;
        }
        s = end;
    }
    return false;
}

enum sk_disc_form sk_discovery_form(const char *accept)
{
    if (!accept) return SK_DISC_LEGACY;
    const char *p = accept;
    while (*p) {
        const char *e = strchr(p, ',');
        if (!e) e = p + strlen(p);
        while (p < e && (*p == ' ' || *p == '\t'))
            p++;
        char g[64], v[32], as[64], q[16];
        bool json = (size_t)(e - p) >= 16 && !strncasecmp(p, "application/json", 16) &&
                    (p + 16 == e || p[16] == ';' || p[16] == ' ');
        bool zero = media_param(p, e, "q", q, sizeof q) && strtod(q, NULL) <= 0;
        if (json && !zero && media_param(p, e, "g", g, sizeof g) &&
            media_param(p, e, "v", v, sizeof v) && media_param(p, e, "as", as, sizeof as) &&
            !strcmp(g, "apidiscovery.k8s.io") && !strcmp(as, "APIGroupDiscoveryList")) {
            if (!strcmp(v, "v2")) return SK_DISC_AGG_V2;
            if (!strcmp(v, "v2beta1")) return SK_DISC_AGG_V2BETA1;
        }
        p = *e ? e + 1 : e;
    }
    return SK_DISC_LEGACY;
}

/* ---- the cache ---- */

struct disc_entry {
    char *path; /* "/api", "/apis/apps/v1", ... */
    enum sk_disc_form form;
    char *body;
    size_t len;
    char etag[24];
};

struct sk_discovery {
    struct disc_entry *v;
    size_t n, cap;
};

static void cache_add(struct sk_discovery *d, const char *path, enum sk_disc_form form,
                      struct sk_val *tree)
{
    if (!tree) return;
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 32;
        d->v = sk_xrealloc(d->v, d->cap * sizeof *d->v);
    }
    struct disc_entry *e = &d->v[d->n++];
    e->path = sk_xstrdup(path);
    e->form = form;
    e->body = sk_json_dump(tree, SK_JSON_COMPACT, &e->len);
    snprintf(e->etag, sizeof e->etag, "\"%016llx\"",
             (unsigned long long)fnv1a(e->body, e->len, FNV_SEED));
    sk_val_free(tree);
}

struct sk_discovery *sk_discovery_new(const char *server_address)
{
    struct sk_discovery *d = sk_xcalloc(1, sizeof *d);
    cache_add(d, "/api", SK_DISC_LEGACY, sk_discovery_api_versions(server_address));
    cache_add(d, "/api", SK_DISC_AGG_V2, sk_discovery_aggregated(true, SK_DISC_AGG_V2));
    cache_add(d, "/api", SK_DISC_AGG_V2BETA1, sk_discovery_aggregated(true, SK_DISC_AGG_V2BETA1));
    cache_add(d, "/apis", SK_DISC_LEGACY, sk_discovery_group_list());
    cache_add(d, "/apis", SK_DISC_AGG_V2, sk_discovery_aggregated(false, SK_DISC_AGG_V2));
    cache_add(d, "/apis", SK_DISC_AGG_V2BETA1, sk_discovery_aggregated(false, SK_DISC_AGG_V2BETA1));
    const char *versions[16];
    size_t nv = list_versions("", versions, 16);
    for (size_t i = 0; i < nv; i++) {
        char path[64];
        snprintf(path, sizeof path, "/api/%s", versions[i]);
        cache_add(d, path, SK_DISC_LEGACY, sk_discovery_resource_list("", versions[i]));
    }
    const char *groups[64];
    size_t ng = list_groups(groups, 64);
    for (size_t i = 0; i < ng; i++) {
        char path[256];
        snprintf(path, sizeof path, "/apis/%s", groups[i]);
        cache_add(d, path, SK_DISC_LEGACY, sk_discovery_group(groups[i]));
        nv = list_versions(groups[i], versions, 16);
        for (size_t j = 0; j < nv; j++) {
            snprintf(path, sizeof path, "/apis/%s/%s", groups[i], versions[j]);
            cache_add(d, path, SK_DISC_LEGACY, sk_discovery_resource_list(groups[i], versions[j]));
        }
    }
    return d;
}

void sk_discovery_free(struct sk_discovery *d)
{
    if (!d) return;
    for (size_t i = 0; i < d->n; i++) {
        free(d->v[i].path);
        free(d->v[i].body);
    }
    free(d->v);
    free(d);
}

bool sk_discovery_lookup(const struct sk_discovery *d, const char *path, const char *accept,
                         struct sk_disc_body *out)
{
    if (!d || !path) return false;
    size_t pl = strcspn(path, "?");
    if (pl > 1 && path[pl - 1] == '/') pl--;
    bool root = (pl == 4 && !strncmp(path, "/api", 4)) || (pl == 5 && !strncmp(path, "/apis", 5));
    enum sk_disc_form form = root ? sk_discovery_form(accept) : SK_DISC_LEGACY;
    for (size_t i = 0; i < d->n; i++) {
        const struct disc_entry *e = &d->v[i];
        if (e->form != form || strlen(e->path) != pl || strncmp(e->path, path, pl)) continue;
        out->body = e->body;
        out->len = e->len;
        out->content_type = form == SK_DISC_AGG_V2        ? SK_DISC_CT_V2
                            : form == SK_DISC_AGG_V2BETA1 ? SK_DISC_CT_V2BETA1
                                                          : SK_DISC_CT_JSON;
        out->etag = e->etag;
        return true;
    }
    return false;
}
