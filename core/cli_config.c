/* skiff config: view, current-context, get-contexts and use-context on
 * the kubeconfig kubectl would use (--kubeconfig, the files of $KUBECONFIG
 * merged, ~/.kube/config). */
#include "cli_int.h"
#include "cli_kubeconfig.h"
#include "mem.h"
#include "yaml.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *config_path(struct sk_cli *c)
{
    const char *k = sk_cli_str(c, "kubeconfig");
    if (k && *k) return sk_xstrdup(k);
    const char *env = getenv("KUBECONFIG");
    if (env && *env) {
        /* the first file of the list that exists, else the first */
        char *list = sk_xstrdup(env), *save = NULL, *first = NULL;
        for (char *t = strtok_r(list, ":", &save); t; t = strtok_r(NULL, ":", &save)) {
            if (!first) first = t;
            if (!access(t, F_OK)) {
                char *r = sk_xstrdup(t);
                free(list);
                return r;
            }
        }
        char *r = first ? sk_xstrdup(first) : NULL;
        free(list);
        if (r) return r;
    }
    const char *home = getenv("HOME");
    return sk_xasprintf("%s/.kube/config", home ? home : "");
}

/* The file as a tree (a missing file is an empty config), or with merge
 * and no --kubeconfig, every file of $KUBECONFIG merged as kubectl does.
 * NULL after an error. */
static struct sk_val *load_any(struct sk_cli *c, char **path_out, bool merge)
{
    char *path = config_path(c);
    struct sk_val *doc = NULL;
    const char *k = sk_cli_str(c, "kubeconfig"), *env = getenv("KUBECONFIG");
    FILE *f = NULL;
    if (merge && !(k && *k) && env && *env) {
        char *first = NULL;
        struct sk_error *e = NULL;
        doc = sk_kubeconfig_merge(env, false, &first, &e);
        free(first);
        if (e) {
            sk_cli_fail(c, "%s", sk_error_msg(e, SK_EINVAL));
            sk_error_free(e);
            free(path);
            return NULL;
        }
    } else {
        f = fopen(path, "rb");
    }
    if (f) {
        struct sk_buf b = {0};
        char tmp[8192];
        size_t n;
        while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0 && b.len < (4u << 20))
            sk_buf_append(&b, tmp, n);
        fclose(f);
        struct sk_error *e = NULL;
        if (sk_yaml_parse_one(b.p ? b.p : "", b.len, path, &doc, &e)) {
            sk_cli_fail(c, "%s", sk_error_msg(e, SK_EINVAL));
            sk_error_free(e);
            sk_buf_free(&b);
            free(path);
            return NULL;
        }
        sk_buf_free(&b);
    } else if (!doc && !(merge && !(k && *k) && env && *env) && errno != ENOENT) {
        sk_cli_fail(c, "open %s: %s", path, strerror(errno));
        free(path);
        return NULL;
    }
    if (!doc || doc->type != SK_V_MAP) {
        sk_val_free(doc);
        doc = sk_val_map();
    }
    /* kubectl always shows these keys */
    static const char *const lists[] = {"clusters", "contexts", "users"};
    for (int i = 0; i < 3; i++)
        if (!sk_val_is(sk_map_get(doc, lists[i]), SK_V_ARR))
            sk_map_set(doc, lists[i], sk_val_null());
    if (!sk_map_get(doc, "current-context")) sk_map_set(doc, "current-context", sk_val_str(""));
    if (!sk_map_get(doc, "preferences")) sk_map_set(doc, "preferences", sk_val_map());
    sk_map_set(doc, "apiVersion", sk_val_str("v1"));
    sk_map_set(doc, "kind", sk_val_str("Config"));
    if (path_out)
        *path_out = path;
    else
        free(path);
    return doc;
}

static int by_name(const void *a, const void *b)
{
    const char *x = sk_val_str_at(*(struct sk_val *const *)a, "name", NULL);
    const char *y = sk_val_str_at(*(struct sk_val *const *)b, "name", NULL);
    return strcmp(x ? x : "", y ? y : "");
}

/* What kubectl reads: merged, and (as it keeps them in maps) clusters,
 * contexts and users sorted by name. */
static struct sk_val *load(struct sk_cli *c, char **path_out)
{
    struct sk_val *doc = load_any(c, path_out, true);
    static const char *const named[] = {"clusters", "contexts", "users"};
    for (int l = 0; doc && l < 3; l++) {
        struct sk_val *a = sk_map_get(doc, named[l]);
        if (sk_val_is(a, SK_V_ARR) && a->u.a.n > 1)
            qsort(a->u.a.items, a->u.a.n, sizeof(*a->u.a.items), by_name);
    }
    return doc;
}

static const struct sk_val *find(const struct sk_val *doc, const char *list, const char *name)
{
    const struct sk_val *a = sk_map_get(doc, list);
    for (size_t i = 0; i < sk_arr_len(a); i++) {
        const char *n = sk_val_str_at(sk_arr_get(a, i), "name", NULL);
        if (n && name && !strcmp(n, name)) return sk_arr_get(a, i);
    }
    return NULL;
}

static void redact(struct sk_val *doc)
{
    static const char *const data[] = {"certificate-authority-data", "client-certificate-data",
                                       "client-key-data"};
    static const char *const secret[] = {"token", "password"};
    static const char *const lists[] = {"clusters", "cluster", "users", "user"};
    for (int l = 0; l < 4; l += 2) {
        struct sk_val *a = sk_map_get(doc, lists[l]);
        for (size_t i = 0; i < sk_arr_len(a); i++) {
            struct sk_val *m = sk_map_get(sk_arr_get(a, i), lists[l + 1]);
            for (int k = 0; k < 3; k++)
                if (sk_map_get(m, data[k])) sk_map_set(m, data[k], sk_val_str("DATA+OMITTED"));
            for (int k = 0; k < 2; k++)
                if (sk_map_get(m, secret[k])) sk_map_set(m, secret[k], sk_val_str("REDACTED"));
        }
    }
}

static const struct sk_cli_flag view_flags[] = {
        {"minify", 0, SK_FLAG_BOOL, "false",
         "Remove all information not used by current-context from the output"},
        {"output", 'o', SK_FLAG_STRING, "yaml",
         "Output format. One of: (json, yaml, name, go-template, go-template-file, template, "
         "templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."},
        {"raw", 0, SK_FLAG_BOOL, "false", "Display raw byte data and sensitive data"},
        {0},
};

static int view_run(struct sk_cli *c)
{
    struct sk_val *doc = load(c, NULL);
    if (!doc) return 1;
    if (sk_cli_bool(c, "minify")) {
        const char *cur = sk_val_str_at(doc, "current-context", NULL);
        const struct sk_val *cx = find(doc, "contexts", cur);
        if (!cx) {
            int rc = cur && *cur ? sk_cli_fail(c, "cannot locate context %s", cur)
                                 : sk_cli_fail(c, "current-context must exist in order to minify");
            sk_val_free(doc);
            return rc;
        }
        const char *cl = sk_val_str_at(cx, "context", "cluster", NULL);
        const char *us = sk_val_str_at(cx, "context", "user", NULL);
        const char *missing = cl && *cl && !find(doc, "clusters", cl) ? "cluster"
                              : us && *us && !find(doc, "users", us)  ? "user"
                                                                      : NULL;
        if (missing) {
            int rc = sk_cli_fail(c, "cannot locate %s %s", missing, missing[0] == 'c' ? cl : us);
            sk_val_free(doc);
            return rc;
        }
        static const char *const lists[] = {"contexts", "clusters", "users"};
        const char *keep[] = {cur, cl, us};
        for (int l = 0; l < 3; l++) {
            struct sk_val *a = sk_map_get(doc, lists[l]);
            for (size_t i = sk_arr_len(a); i-- > 0;) {
                const char *n = sk_val_str_at(sk_arr_get(a, i), "name", NULL);
                if (!n || !keep[l] || strcmp(n, keep[l])) sk_arr_remove(a, i);
            }
        }
    }
    if (!sk_cli_bool(c, "raw")) redact(doc);
    const char *o = sk_cli_str(c, "output");
    int rc = sk_cli_print_objs(c, o ? o : "yaml", &doc, NULL, 1);
    sk_val_free(doc);
    return rc;
}

static int current_context_run(struct sk_cli *c)
{
    struct sk_val *doc = load(c, NULL);
    if (!doc) return 1;
    const char *cur = sk_val_str_at(doc, "current-context", NULL);
    int rc = 0;
    if (!cur || !*cur)
        rc = sk_cli_fail(c, "current-context is not set");
    else
        fprintf(c->out, "%s\n", cur);
    sk_val_free(doc);
    return rc;
}

static const struct sk_cli_flag get_contexts_flags[] = {
        {"no-headers", 0, SK_FLAG_BOOL, "false",
         "When using the default or custom-column output format, don't print headers (default "
         "print headers)."},
        {"output", 'o', SK_FLAG_STRING, "", "Output format. One of: (name)."},
        {0},
};

static int get_contexts_run(struct sk_cli *c)
{
    struct sk_val *doc = load(c, NULL);
    if (!doc) return 1;
    const char *o = sk_cli_str(c, "output");
    if (o && strcmp(o, "name")) {
        sk_val_free(doc);
        return sk_cli_fail(c, "output must be one of '' or 'name'");
    }
    const char *cur = sk_val_str_at(doc, "current-context", NULL);
    const struct sk_val *a = sk_map_get(doc, "contexts");
    int rc = 0;
    /* named contexts only, sorted by name */
    size_t n = sk_arr_len(a);
    const struct sk_val **v = sk_xcalloc(n + 1, sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = sk_arr_get(a, i);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            const char *x = sk_val_str_at(v[i], "name", NULL),
                       *y = sk_val_str_at(v[j], "name", NULL);
            if (x && y && strcmp(x, y) > 0) {
                const struct sk_val *t = v[i];
                v[i] = v[j];
                v[j] = t;
            }
        }
    for (size_t i = 1; i < (size_t)c->nargs + 1 && c->nargs; i++)
        if (!find(doc, "contexts", c->args[i - 1])) {
            rc = sk_cli_fail(c, "context %s not found", c->args[i - 1]);
        }
    if (!rc && o) {
        for (size_t i = 0; i < n; i++)
            fprintf(c->out, "%s\n", sk_val_str_at(v[i], "name", NULL));
    } else if (!rc) {
        struct sk_cli_tab *t = sk_cli_tab_new();
        if (!sk_cli_bool(c, "no-headers")) {
            static const char *const h[] = {"CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"};
            for (int k = 0; k < 5; k++)
                sk_cli_tab_cell(t, h[k]);
            sk_cli_tab_end_row(t);
        }
        for (size_t i = 0; i < n; i++) {
            const char *name = sk_val_str_at(v[i], "name", NULL);
            bool want = !c->nargs;
            for (int k = 0; k < c->nargs; k++)
                want = want || (name && !strcmp(name, c->args[k]));
            if (!want) continue;
            sk_cli_tab_cell(t, cur && name && !strcmp(cur, name) ? "*" : "");
            sk_cli_tab_cell(t, name);
            sk_cli_tab_cell(t, sk_val_str_at(v[i], "context", "cluster", NULL));
            sk_cli_tab_cell(t, sk_val_str_at(v[i], "context", "user", NULL));
            sk_cli_tab_cell(t, sk_val_str_at(v[i], "context", "namespace", NULL));
            sk_cli_tab_end_row(t);
        }
        sk_cli_tab_flush(t, c->out);
        sk_cli_tab_free(t);
    }
    free(v);
    sk_val_free(doc);
    return rc;
}

static int use_context_run(struct sk_cli *c)
{
    if (c->nargs != 1)
        return sk_cli_usage_fail(c, "Unexpected args: need exactly one context name");
    char *path = NULL;
    /* the context may come from any file of $KUBECONFIG; the first file
     * (the one kubectl writes current-context to) is what changes */
    struct sk_val *all = load(c, NULL);
    if (!all) return 1;
    bool known = find(all, "contexts", c->args[0]) != NULL;
    sk_val_free(all);
    struct sk_val *doc = load_any(c, &path, false);
    if (!doc) return 1;
    int rc = 0;
    if (!known) {
        rc = sk_cli_fail(c, "no context exists with the name: \"%s\"", c->args[0]);
    } else {
        sk_map_set(doc, "current-context", sk_val_str(c->args[0]));
        struct sk_val *s = sk_cli_sorted(doc);
        char *text = sk_yaml_dump(s, NULL);
        char *tmp = sk_xasprintf("%s.skiff-tmp", path);
        FILE *f = fopen(tmp, "wb");
        if (!f || fputs(text, f) < 0 || fclose(f) || rename(tmp, path)) {
            rc = sk_cli_fail(c, "write %s: %s", path, strerror(errno));
            unlink(tmp);
        } else {
            fprintf(c->out, "Switched to context \"%s\".\n", c->args[0]);
        }
        free(tmp);
        free(text);
        sk_val_free(s);
    }
    free(path);
    sk_val_free(doc);
    return rc;
}

static const struct sk_cli_verb config_view = {
        .name = "view",
        .short_help = "Display merged kubeconfig settings or a specified kubeconfig file",
        .usage = "skiff config view [flags] [options]",
        .examples = "  # Show merged kubeconfig settings\n  skiff config view\n\n"
                    "  # Show only the current context's settings\n  skiff config view --minify",
        .flags = view_flags,
        .run = view_run,
};
static const struct sk_cli_verb config_current = {
        .name = "current-context",
        .short_help = "Display the current-context",
        .usage = "skiff config current-context [options]",
        .run = current_context_run,
};
static const struct sk_cli_verb config_get_contexts = {
        .name = "get-contexts",
        .short_help = "Describe one or many contexts",
        .usage = "skiff config get-contexts [(-o|--output=)name)] [options]",
        .flags = get_contexts_flags,
        .run = get_contexts_run,
};
static const struct sk_cli_verb config_use = {
        .name = "use-context",
        .aliases = (const char *const[]){"use", NULL},
        .short_help = "Set the current-context in a kubeconfig file",
        .usage = "skiff config use-context CONTEXT_NAME [options]",
        .run = use_context_run,
};

static const struct sk_cli_verb *const config_subs[] = {&config_current, &config_get_contexts,
                                                        &config_use, &config_view, NULL};

const struct sk_cli_verb sk_cli_verb_config = {
        .name = "config",
        .short_help = "Modify kubeconfig files",
        .long_help =
                "Modify kubeconfig files using subcommands like \"skiff config use-context "
                "my-context\".\n\n The loading order follows these rules:\n\n  1.  If the "
                "--kubeconfig flag is set, then only that file is loaded.\n  2.  If $KUBECONFIG "
                "is set, then it is used as a list of paths (normal path delimiting rules for "
                "your system). These paths are merged. When a value is modified, it is "
                "modified in the file that defines the stanza. When a value is created, it is "
                "created in the first file that exists.\n  3.  Otherwise, "
                "${HOME}/.kube/config is used and no merging takes place.",
        .usage = "skiff config SUBCOMMAND [options]",
        .subs = config_subs,
};
