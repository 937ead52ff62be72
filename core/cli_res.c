/* The CLI's resources: kubectl's resource arguments resolved against the
 * built-in schema table (no discovery round trip), API paths, kubectl's
 * object references, and manifests read for -f. */
#include "cli.h"
#include "json.h"
#include "mem.h"
#include "yaml.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

int sk_cli_kind(struct sk_cli *c, const char *arg, const struct sk_kind **out)
{
    const struct sk_kind *k = sk_kind_by_name(arg);
    if (!k) return sk_cli_fail(c, "the server doesn't have a resource type \"%s\"", arg);
    *out = k;
    return 0;
}

static void push_target(struct sk_cli_targets *t, const struct sk_kind *k, const char *name)
{
    bool seen = false;
    for (size_t i = 0; i < t->n; i++)
        seen = seen || t->v[i].kind == k;
    if (!seen) t->ntypes++;
    t->v = sk_xrealloc(t->v, (t->n + 1) * sizeof(*t->v));
    t->v[t->n].kind = k;
    t->v[t->n].name = name ? sk_xstrdup(name) : NULL;
    t->n++;
}

/* Kinds of category cat ("all"), in kubectl's order for "all". */
static void push_category(struct sk_cli_targets *t, const char *cat)
{
    static const char *const order[] = {"pods",
                                        "replicationcontrollers",
                                        "services",
                                        "daemonsets",
                                        "deployments",
                                        "replicasets",
                                        "statefulsets",
                                        "horizontalpodautoscalers",
                                        "cronjobs",
                                        "jobs",
                                        NULL};
    for (size_t o = 0; order[o]; o++)
        for (size_t i = 0; sk_kinds[i]; i++) {
            const struct sk_kind *k = sk_kinds[i];
            if (strcmp(k->plural, order[o])) continue;
            for (const char *const *cp = k->categories; cp && *cp; cp++)
                if (!strcmp(*cp, cat)) {
                    push_target(t, k, NULL);
                    break;
                }
            break;
        }
}

int sk_cli_targets(struct sk_cli *c, char **args, int nargs, struct sk_cli_targets *out)
{
    memset(out, 0, sizeof(*out));
    if (nargs <= 0) return 0;
    bool slash = false;
    for (int i = 0; i < nargs; i++)
        slash = slash || strchr(args[i], '/');
    int rc = 0;
    if (slash) {
        out->typed_names = true;
        for (int i = 0; i < nargs && !rc; i++) {
            const char *sl = strchr(args[i], '/');
            if (!sl) {
                rc = sk_cli_fail(c, "there is no need to specify a resource type as a separate "
                                    "argument when passing arguments in resource/name form (e.g. "
                                    "'skiff get resource/<resource_name>' instead of 'skiff get "
                                    "resource resource/<resource_name>'");
                break;
            }
            if (sl == args[i] || !sl[1] || strchr(sl + 1, '/')) {
                rc = sk_cli_fail(c, "arguments in resource/name form must have a single resource "
                                    "and name");
                break;
            }
            char *type = sk_xstrndup(args[i], (size_t)(sl - args[i]));
            const struct sk_kind *k = NULL;
            rc = sk_cli_kind(c, type, &k);
            free(type);
            if (!rc) push_target(out, k, sl + 1);
        }
    } else {
        const char *p = args[0];
        while (!rc) {
            size_t n = strcspn(p, ",");
            if (n) {
                char *type = sk_xstrndup(p, n);
                if (!strcmp(type, "all")) {
                    push_category(out, "all");
                } else {
                    const struct sk_kind *k = NULL;
                    rc = sk_cli_kind(c, type, &k);
                    if (!rc) push_target(out, k, NULL);
                }
                free(type);
            }
            if (!p[n]) break;
            p += n + 1;
        }
        if (!rc && nargs > 1) {
            /* every type with every name, types first (kubectl's order) */
            struct sk_cli_targets types = *out;
            memset(out, 0, sizeof(*out));
            for (size_t t = 0; t < types.n; t++)
                for (int i = 1; i < nargs; i++)
                    push_target(out, types.v[t].kind, args[i]);
            sk_cli_targets_free(&types);
        }
    }
    if (rc) sk_cli_targets_free(out);
    return rc;
}

void sk_cli_targets_free(struct sk_cli_targets *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].name);
    free(t->v);
    memset(t, 0, sizeof(*t));
}

char *sk_cli_path(const struct sk_kind *k, const char *ns, const char *name, const char *sub,
                  const char *query)
{
    struct sk_buf b = {0};
    if (*k->group)
        sk_buf_printf(&b, "/apis/%s/%s", k->group, k->version);
    else
        sk_buf_printf(&b, "/api/%s", k->version);
    if (k->namespaced && ns && *ns) {
        char *e = sk_kclient_escape(ns);
        sk_buf_printf(&b, "/namespaces/%s", e);
        free(e);
    }
    sk_buf_printf(&b, "/%s", k->plural);
    if (name) {
        char *e = sk_kclient_escape(name);
        sk_buf_printf(&b, "/%s", e);
        free(e);
    }
    if (sub && *sub) sk_buf_printf(&b, "/%s", sub);
    if (query && *query) sk_buf_printf(&b, "?%s", query);
    return sk_buf_take(&b, NULL);
}

char *sk_cli_ref(const struct sk_kind *k, const char *name)
{
    struct sk_buf b = {0};
    for (const char *p = k->kind; *p; p++)
        sk_buf_putc(&b, (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p));
    if (*k->group) sk_buf_printf(&b, ".%s", k->group);
    sk_buf_printf(&b, "/%s", name ? name : "");
    return sk_buf_take(&b, NULL);
}

void sk_cli_print_action(struct sk_cli *c, const struct sk_kind *k, const char *name,
                         const char *action, const char *dry_run)
{
    char *ref = sk_cli_ref(k, name);
    const char *dr = "";
    if (dry_run && !strcmp(dry_run, "client")) dr = " (dry run)";
    if (dry_run && !strcmp(dry_run, "server")) dr = " (server dry run)";
    fprintf(c->out, "%s %s%s\n", ref, action, dr);
    free(ref);
}

/* ---- manifests ---- */

#define MAX_MANIFEST (64u << 20)

static char *read_stream(FILE *f, size_t *len)
{
    struct sk_buf b = {0};
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0) {
        if (b.len + n > MAX_MANIFEST) {
            sk_buf_free(&b);
            errno = EFBIG;
            return NULL;
        }
        sk_buf_append(&b, tmp, n);
    }
    if (ferror(f)) {
        sk_buf_free(&b);
        return NULL;
    }
    return sk_buf_take(&b, len);
}

static void add_doc(struct sk_cli_docs *d, struct sk_val *obj, const char *source)
{
    d->v = sk_xrealloc(d->v, (d->n + 1) * sizeof(*d->v));
    d->v[d->n].obj = obj;
    d->v[d->n].source = sk_xstrdup(source);
    d->n++;
}

/* "deploy.yaml: line 4, column 3: what" -> "yaml: line 4: what", as
 * go-yaml words it (kubectl prints that after the file name). */
static char *goyaml_msg(const char *msg, const char *fname)
{
    const char *m = msg;
    size_t fl = strlen(fname);
    if (!strncmp(m, fname, fl) && m[fl] == ':') m += fl + 1;
    while (*m == ' ')
        m++;
    int line = 0;
    int used = 0;
    if (sscanf(m, "line %d, column %*d: %n", &line, &used) >= 1 && used > 0)
        return sk_xasprintf("yaml: line %d: %s", line, m + used);
    return sk_xasprintf("yaml: %s", m);
}

static int parse_text(struct sk_cli *c, const char *text, size_t len, const char *source,
                      struct sk_cli_docs *out)
{
    struct sk_val *docs = NULL;
    struct sk_error *e = NULL;
    const char *p = text;
    while (p < text + len && strchr(" \t\r\n", *p))
        p++;
    if (p < text + len && (*p == '{' || *p == '[')) {
        struct sk_val *one = NULL;
        if (sk_json_parse(text, len, &one, NULL) == SK_OK) {
            docs = sk_val_arr();
            sk_arr_push(docs, one);
        }
    }
    if (!docs && sk_yaml_parse_all(text, len, source, &docs, &e)) {
        char *m = goyaml_msg(sk_error_msg(e, SK_EINVAL), source);
        sk_cli_fail(c, "error parsing %s: error converting YAML to JSON: %s", source, m);
        free(m);
        sk_error_free(e);
        return 1;
    }
    int rc = 0;
    for (size_t i = 0; i < sk_arr_len(docs) && !rc; i++) {
        struct sk_val *d = sk_arr_get(docs, i);
        if (!sk_val_is(d, SK_V_MAP)) {
            char *j = sk_json_dump(d, SK_JSON_COMPACT, NULL);
            rc = sk_cli_fail(c,
                             "error parsing %s: error converting YAML to JSON: json: cannot "
                             "unmarshal %s into Go value of type map[string]interface {}",
                             source, sk_vtype_name(d->type));
            free(j);
            break;
        }
        const char *kind = sk_obj_kind(d);
        const char *av = sk_obj_api_version(d);
        if (!kind || !*kind || !av || !*av) {
            char *j = sk_json_dump(d, SK_JSON_COMPACT, NULL);
            rc = sk_cli_fail(c, "unable to decode \"%s\": Object '%s' is missing in '%s'", source,
                             !kind || !*kind ? "Kind" : "apiVersion", j);
            free(j);
            break;
        }
        struct sk_val *items = sk_map_get(d, "items");
        size_t kl = strlen(kind);
        if (kl >= 4 && !strcmp(kind + kl - 4, "List") && sk_val_is(items, SK_V_ARR)) {
            for (size_t j = 0; j < sk_arr_len(items); j++)
                add_doc(out, sk_val_dup(sk_arr_get(items, j)), source);
            continue;
        }
        add_doc(out, sk_val_dup(d), source);
    }
    sk_val_free(docs);
    return rc;
}

static bool manifest_ext(const char *name)
{
    size_t n = strlen(name);
    return (n > 5 && !strcmp(name + n - 5, ".yaml")) || (n > 4 && !strcmp(name + n - 4, ".yml")) ||
           (n > 5 && !strcmp(name + n - 5, ".json"));
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_path(struct sk_cli *c, const char *path, bool recursive, bool top,
                     struct sk_cli_docs *out)
{
    if (!strcmp(path, "-")) {
        size_t len = 0;
        char *text = read_stream(stdin, &len);
        if (!text) return sk_cli_fail(c, "reading STDIN: %s", strerror(errno));
        int rc = parse_text(c, text, len, "STDIN", out);
        free(text);
        return rc;
    }
    if (!strncmp(path, "http://", 7) || !strncmp(path, "https://", 8))
        return sk_cli_fail(c, "unable to read URL \"%s\": skiff reads local files and stdin only",
                           path);
    struct stat st;
    if (stat(path, &st)) {
        if (errno == ENOENT) return sk_cli_fail(c, "the path \"%s\" does not exist", path);
        return sk_cli_fail(c, "the path \"%s\" cannot be accessed: %s", path, strerror(errno));
    }
    if (S_ISDIR(st.st_mode)) {
        if (!top && !recursive) return 0;
        DIR *d = opendir(path);
        if (!d) return sk_cli_fail(c, "error reading %s: %s", path, strerror(errno));
        char **names = NULL;
        size_t n = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
            if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) continue;
            names = sk_xrealloc(names, (n + 1) * sizeof(char *));
            names[n++] = sk_xstrdup(de->d_name);
        }
        closedir(d);
        qsort(names, n, sizeof(char *), name_cmp);
        int rc = 0;
        for (size_t i = 0; i < n; i++) {
            char *full = sk_xasprintf("%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/",
                                      names[i]);
            struct stat cs;
            if (!rc && !stat(full, &cs)) {
                if (S_ISDIR(cs.st_mode)) {
                    if (recursive) rc = read_path(c, full, recursive, false, out);
                } else if (manifest_ext(names[i])) {
                    rc = read_path(c, full, recursive, false, out);
                }
            }
            free(full);
            free(names[i]);
        }
        free(names);
        return rc;
    }
    FILE *f = fopen(path, "rb");
    if (!f) return sk_cli_fail(c, "open %s: %s", path, strerror(errno));
    size_t len = 0;
    char *text = read_stream(f, &len);
    int e = errno;
    fclose(f);
    if (!text) return sk_cli_fail(c, "read %s: %s", path, strerror(e));
    int rc = parse_text(c, text, len, path, out);
    free(text);
    return rc;
}

int sk_cli_read_docs(struct sk_cli *c, const struct sk_strv *files, bool recursive,
                     struct sk_cli_docs *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < files->n; i++) {
        int rc = read_path(c, files->v[i], recursive, true, out);
        if (rc) {
            sk_cli_docs_free(out);
            return rc;
        }
    }
    return 0;
}

void sk_cli_docs_free(struct sk_cli_docs *d)
{
    for (size_t i = 0; i < d->n; i++) {
        sk_val_free(d->v[i].obj);
        free(d->v[i].source);
    }
    free(d->v);
    memset(d, 0, sizeof(*d));
}

int sk_cli_doc_kind(struct sk_cli *c, const struct sk_cli_doc *d, const struct sk_kind **out)
{
    const char *av = sk_obj_api_version(d->obj), *kind = sk_obj_kind(d->obj);
    const struct sk_kind *k = sk_kind_by_api_version(av ? av : "", kind ? kind : "");
    if (!k) {
        const char *name = sk_obj_name(d->obj), *ns = sk_obj_namespace(d->obj);
        sk_cli_fail(c,
                    "resource mapping not found for name: \"%s\" namespace: \"%s\" from \"%s\": "
                    "no matches for kind \"%s\" in version \"%s\"",
                    name ? name : "", ns ? ns : "", d->source, kind ? kind : "", av ? av : "");
        fprintf(c->err, "ensure CRDs are installed first\n");
        return 1;
    }
    *out = k;
    return 0;
}
