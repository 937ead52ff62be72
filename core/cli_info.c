/* skiff version, api-resources, api-versions, explain and cluster-info.
 * Discovery and OpenAPI come from the same builders the agent serves them
 * from (discovery.c, openapi.c): the answer is the server's, with no round
 * trip. */
#include "cli_int.h"
#include "discovery.h"
#include "json.h"
#include "mem.h"
#include "openapi.h"
#include "version.h"
#include "yaml.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- version ---- */

static const struct sk_cli_flag version_flags[] = {
        {"client", 0, SK_FLAG_BOOL, "false",
         "If true, shows client version only (no server required)."},
        {"output", 'o', SK_FLAG_STRING, "", "One of 'yaml' or 'json'."},
        {0},
};

static struct sk_val *client_version(void)
{
    struct sk_val *v = sk_val_map();
    sk_map_set(v, "major", sk_val_str(SK_KUBE_MAJOR));
    sk_map_set(v, "minor", sk_val_str(SK_KUBE_MINOR));
    sk_map_set(v, "gitVersion", sk_val_strf("%s+skiff.%s", SK_KUBE_VERSION, sk_version()));
    sk_map_set(v, "gitCommit", sk_val_str(""));
    sk_map_set(v, "gitTreeState", sk_val_str(""));
    sk_map_set(v, "buildDate", sk_val_str(__DATE__ " " __TIME__));
    sk_map_set(v, "goVersion", sk_val_str(""));
    sk_map_set(v, "compiler", sk_val_str("gcc"));
    sk_map_set(v, "platform", sk_val_str("linux/amd64"));
    return v;
}

static int version_run(struct sk_cli *c)
{
    const char *o = sk_cli_str(c, "output");
    if (o && strcmp(o, "yaml") && strcmp(o, "json"))
        return sk_cli_fail(c, "--output must be 'yaml' or 'json'");
    bool client_only = sk_cli_bool(c, "client");
    struct sk_val *doc = sk_val_map();
    sk_map_set(doc, "clientVersion", client_version());
    int rc = 0;
    struct sk_val *server = NULL;
    if (!client_only) {
        struct sk_kresp r;
        if (sk_cli_request(c, "GET", "/version", NULL, NULL, 0, NULL, &r)) {
            rc = 1;
        } else if (r.status != 200 || sk_json_parse(r.body, r.body_len, &server, NULL)) {
            rc = sk_cli_fail_resp(c, &r);
        }
        sk_kresp_free(&r);
    }
    if (server) sk_map_set(doc, "serverVersion", server);
    if (o) {
        /* kubectl prints these in its struct's order, not sorted */
        struct sk_buf b = {0};
        if (!strcmp(o, "json")) {
            sk_json_write(doc, SK_JSON_PRETTY, &b);
            sk_buf_putc(&b, '\n');
        } else {
            sk_yaml_write(doc, &b);
        }
        fwrite(b.p, 1, b.len, c->out);
        sk_buf_free(&b);
    } else {
        fprintf(c->out, "Client Version: %s\n",
                sk_val_str_at(doc, "clientVersion", "gitVersion", NULL));
        if (server)
            fprintf(c->out, "Server Version: %s\n",
                    sk_val_str_at(server, "gitVersion", NULL)
                            ? sk_val_str_at(server, "gitVersion", NULL)
                            : "");
        /* skiff's own build and the libraries it links */
        sk_version_print(c->out);
    }
    sk_val_free(doc);
    return rc;
}

const struct sk_cli_verb sk_cli_verb_version = {
        .name = "version",
        .short_help = "Print the client and server version information",
        .long_help = "Print the client and server version information for the current context, "
                     "and the versions of the libraries skiff is linked with.",
        .usage = "skiff version [flags] [options]",
        .examples = "  # Print the client and server versions for the current context\n"
                    "  skiff version",
        .flags = version_flags,
        .run = version_run,
};

/* ---- api-versions and api-resources ---- */

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int api_versions_run(struct sk_cli *c)
{
    struct sk_val *groups = sk_discovery_group_list();
    struct sk_val *gl = sk_map_get(groups, "groups");
    char **v = sk_xcalloc(1, sizeof(char *));
    size_t n = 0;
    v[n++] = sk_xstrdup("v1");
    for (size_t i = 0; i < sk_arr_len(gl); i++) {
        struct sk_val *vs = sk_map_get(sk_arr_get(gl, i), "versions");
        for (size_t j = 0; j < sk_arr_len(vs); j++) {
            v = sk_xrealloc(v, (n + 1) * sizeof(char *));
            const char *gv = sk_val_str_at(sk_arr_get(vs, j), "groupVersion", NULL);
            v[n++] = sk_xstrdup(gv ? gv : "");
        }
    }
    qsort(v, n, sizeof(char *), str_cmp);
    for (size_t i = 0; i < n; i++) {
        fprintf(c->out, "%s\n", v[i]);
        free(v[i]);
    }
    free(v);
    sk_val_free(groups);
    return 0;
}

const struct sk_cli_verb sk_cli_verb_api_versions = {
        .name = "api-versions",
        .short_help =
                "Print the supported API versions on the server, in the form of \"group/version\"",
        .usage = "skiff api-versions",
        .examples = "  # Print the supported API versions\n  skiff api-versions",
        .run = api_versions_run,
};

struct ares {
    char *group;
    struct sk_val *r; /* APIResource, borrowed */
    const char *gv;
};

static const char *ares_sort_by;

static int ares_cmp(const void *a, const void *b)
{
    const struct ares *x = a, *y = b;
    const char *kx = x->group, *ky = y->group;
    if (ares_sort_by && !strcmp(ares_sort_by, "name")) {
        kx = sk_val_str_at(x->r, "name", NULL);
        ky = sk_val_str_at(y->r, "name", NULL);
    } else if (ares_sort_by && !strcmp(ares_sort_by, "kind")) {
        kx = sk_val_str_at(x->r, "kind", NULL);
        ky = sk_val_str_at(y->r, "kind", NULL);
    }
    int cmp = strcmp(kx ? kx : "", ky ? ky : "");
    if (cmp) return cmp;
    return strcmp(sk_val_str_at(x->r, "name", NULL), sk_val_str_at(y->r, "name", NULL));
}

static void join_arr(const struct sk_val *a, struct sk_buf *b)
{
    for (size_t i = 0; i < sk_arr_len(a); i++) {
        if (i) sk_buf_putc(b, ',');
        const char *s = sk_val_cstr(sk_arr_get(a, i));
        sk_buf_puts(b, s ? s : "");
    }
}

static const struct sk_cli_flag api_resources_flags[] = {
        {"api-group", 0, SK_FLAG_STRING, "", "Limit to resources in the specified API group."},
        {"cached", 0, SK_FLAG_BOOL, "false",
         "Use the cached list of resources if available (skiff keeps no cache: its list is always "
         "the built-in one the agent serves)."},
        {"categories", 0, SK_FLAG_STRINGS, "[]",
         "Limit to resources that belong to the specified categories."},
        {"namespaced", 0, SK_FLAG_BOOL, "true",
         "If false, non-namespaced resources will be returned, otherwise returning namespaced "
         "resources by default."},
        {"no-headers", 0, SK_FLAG_BOOL, "false",
         "When using the default or custom-column output format, don't print headers (default "
         "print headers)."},
        {"output", 'o', SK_FLAG_STRING, "", "Output format. One of: (wide, name)."},
        {"sort-by", 0, SK_FLAG_STRING, "",
         "If non-empty, sort list of resources using specified field. The field can be either "
         "'name' or 'kind'."},
        {"verbs", 0, SK_FLAG_STRINGS, "[]", "Limit to resources that support the specified verbs."},
        {0},
};

static bool arr_has(const struct sk_val *a, const char *s)
{
    for (size_t i = 0; i < sk_arr_len(a); i++) {
        const char *x = sk_val_cstr(sk_arr_get(a, i));
        if (x && !strcmp(x, s)) return true;
    }
    return false;
}

static int api_resources_run(struct sk_cli *c)
{
    const char *out = sk_cli_str(c, "output");
    if (out && strcmp(out, "wide") && strcmp(out, "name"))
        return sk_cli_fail(c, "--output %s is not available", out);
    ares_sort_by = sk_cli_str(c, "sort-by");
    if (ares_sort_by && strcmp(ares_sort_by, "name") && strcmp(ares_sort_by, "kind"))
        return sk_cli_fail(c, "--sort-by accepts only name or kind");
    const char *group = sk_cli_str(c, "api-group");
    bool ns_given = sk_cli_changed(c, "namespaced");
    bool ns_want = sk_cli_bool(c, "namespaced");
    const struct sk_strv *verbs = sk_cli_strs(c, "verbs");
    const struct sk_strv *cats = sk_cli_strs(c, "categories");
    struct sk_val *lists = sk_val_arr();
    sk_arr_push(lists, sk_discovery_resource_list("", "v1"));
    struct sk_val *groups = sk_discovery_group_list();
    struct sk_val *gl = sk_map_get(groups, "groups");
    for (size_t i = 0; i < sk_arr_len(gl); i++) {
        /* kubectl lists each group at its preferred version */
        const char *g = sk_val_str_at(sk_arr_get(gl, i), "name", NULL);
        const char *pv = sk_val_str_at(sk_arr_get(gl, i), "preferredVersion", "version", NULL);
        struct sk_val *rl = sk_discovery_resource_list(g, pv);
        if (rl) sk_arr_push(lists, rl);
    }
    struct ares *rs = NULL;
    size_t n = 0;
    for (size_t i = 0; i < sk_arr_len(lists); i++) {
        struct sk_val *l = sk_arr_get(lists, i);
        const char *gv = sk_val_str_at(l, "groupVersion", NULL);
        const char *sl = gv ? strchr(gv, '/') : NULL;
        char *g = sl ? sk_xstrndup(gv, (size_t)(sl - gv)) : sk_xstrdup("");
        struct sk_val *res = sk_map_get(l, "resources");
        for (size_t j = 0; j < sk_arr_len(res); j++) {
            struct sk_val *r = sk_arr_get(res, j);
            const char *name = sk_val_str_at(r, "name", NULL);
            if (!name || strchr(name, '/')) continue;
            if (group && strcmp(group, g)) continue;
            if (ns_given && sk_val_to_bool(sk_map_get(r, "namespaced"), false) != ns_want) continue;
            bool ok = true;
            for (size_t k = 0; k < verbs->n && ok; k++)
                ok = arr_has(sk_map_get(r, "verbs"), verbs->v[k]);
            for (size_t k = 0; k < cats->n && ok; k++)
                ok = arr_has(sk_map_get(r, "categories"), cats->v[k]);
            if (!ok) continue;
            rs = sk_xrealloc(rs, (n + 1) * sizeof(*rs));
            rs[n].group = sk_xstrdup(g);
            rs[n].r = r;
            rs[n].gv = gv;
            n++;
        }
        free(g);
    }
    if (n > 1) qsort(rs, n, sizeof(*rs), ares_cmp);
    struct sk_cli_tab *t = sk_cli_tab_new();
    bool wide = out && !strcmp(out, "wide");
    if (out && !strcmp(out, "name")) {
        for (size_t i = 0; i < n; i++) {
            const char *name = sk_val_str_at(rs[i].r, "name", NULL);
            if (*rs[i].group)
                fprintf(c->out, "%s.%s\n", name, rs[i].group);
            else
                fprintf(c->out, "%s\n", name);
        }
    } else {
        if (!sk_cli_bool(c, "no-headers")) {
            sk_cli_tab_cell(t, "NAME");
            sk_cli_tab_cell(t, "SHORTNAMES");
            sk_cli_tab_cell(t, "APIVERSION");
            sk_cli_tab_cell(t, "NAMESPACED");
            sk_cli_tab_cell(t, "KIND");
            if (wide) {
                sk_cli_tab_cell(t, "VERBS");
                sk_cli_tab_cell(t, "CATEGORIES");
            }
            sk_cli_tab_end_row(t);
        }
        for (size_t i = 0; i < n; i++) {
            struct sk_buf b = {0};
            sk_cli_tab_cell(t, sk_val_str_at(rs[i].r, "name", NULL));
            join_arr(sk_map_get(rs[i].r, "shortNames"), &b);
            sk_buf_putc(&b, 0);
            sk_cli_tab_cell(t, b.p);
            sk_cli_tab_cell(t, rs[i].gv);
            sk_cli_tab_cell(t, sk_val_to_bool(sk_map_get(rs[i].r, "namespaced"), false) ? "true"
                                                                                        : "false");
            sk_cli_tab_cell(t, sk_val_str_at(rs[i].r, "kind", NULL));
            if (wide) {
                b.len = 0;
                join_arr(sk_map_get(rs[i].r, "verbs"), &b);
                sk_buf_putc(&b, 0);
                sk_cli_tab_cell(t, b.p);
                b.len = 0;
                join_arr(sk_map_get(rs[i].r, "categories"), &b);
                sk_buf_putc(&b, 0);
                sk_cli_tab_cell(t, b.p);
            }
            sk_buf_free(&b);
            sk_cli_tab_end_row(t);
        }
        sk_cli_tab_flush(t, c->out);
    }
    sk_cli_tab_free(t);
    for (size_t i = 0; i < n; i++)
        free(rs[i].group);
    free(rs);
    sk_val_free(lists);
    sk_val_free(groups);
    return 0;
}

const struct sk_cli_verb sk_cli_verb_api_resources = {
        .name = "api-resources",
        .short_help = "Print the supported API resources on the server",
        .long_help = "Print the supported API resources on the server.",
        .usage = "skiff api-resources [flags] [options]",
        .examples = "  # Print the supported API resources\n  skiff api-resources\n\n"
                    "  # Print the supported API resources with more information\n"
                    "  skiff api-resources -o wide\n\n"
                    "  # Print the supported API resources sorted by a column\n"
                    "  skiff api-resources --sort-by=name\n\n"
                    "  # Print the supported namespaced resources\n"
                    "  skiff api-resources --namespaced=true\n\n"
                    "  # Print the supported non-namespaced resources\n"
                    "  skiff api-resources --namespaced=false\n\n"
                    "  # Print the supported API resources with a specific APIGroup\n"
                    "  skiff api-resources --api-group=rbac.authorization.k8s.io",
        .flags = api_resources_flags,
        .run = api_resources_run,
};

/* ---- cluster-info ---- */

static int cluster_info_run(struct sk_cli *c)
{
    const struct sk_kconn *conn = sk_cli_conn(c);
    if (!conn) return 1;
    struct sk_kresp r;
    if (sk_cli_request(c, "GET", "/version", NULL, NULL, 0, NULL, &r)) return 1;
    int rc = 0;
    if (r.status != 200) {
        rc = sk_cli_fail_resp(c, &r);
    } else {
        fprintf(c->out,
                "\033[0;32mKubernetes control plane\033[0m is running at \033[0;33m%s\033[0m\n",
                conn->server);
        fprintf(c->out, "\nTo further debug and diagnose cluster problems, use 'skiff cluster-info "
                        "dump'.\n");
    }
    sk_kresp_free(&r);
    return rc;
}

const struct sk_cli_verb sk_cli_verb_cluster_info = {
        .name = "cluster-info",
        .short_help = "Display cluster information",
        .long_help = "Display addresses of the control plane and services with label "
                     "kubernetes.io/cluster-service=true.",
        .usage = "skiff cluster-info [flags] [options]",
        .examples = "  # Print the address of the control plane and cluster services\n"
                    "  skiff cluster-info",
        .run = cluster_info_run,
};
