/* skiff get: kubectl get's resolution, server-side Tables printed with
 * kubectl's layout, the -o printers, --sort-by and --watch. */
#include "cli_int.h"
#include "json.h"
#include "jsonpath.h"
#include "mem.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TABLE_ACCEPT                                                                               \
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s." \
    "io,application/json"

static const struct sk_cli_flag get_flags[] = {
        {"all-namespaces", 'A', SK_FLAG_BOOL, "false",
         "If present, list the requested object(s) across all namespaces. Namespace in current "
         "context is ignored even if specified with --namespace."},
        {"allow-missing-template-keys", 0, SK_FLAG_BOOL, "true",
         "If true, ignore any errors in templates when a field or map key is missing in the "
         "template. Only applies to golang and jsonpath output formats."},
        {"chunk-size", 0, SK_FLAG_INT, "500",
         "Return large lists in chunks rather than all at once. Pass 0 to disable."},
        {"field-selector", 0, SK_FLAG_STRING, "",
         "Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. "
         "--field-selector key1=value1,key2=value2). The server only supports a limited number "
         "of field queries per type."},
        {"filename", 'f', SK_FLAG_STRINGS, "[]",
         "Filename, directory, or URL to files identifying the resource to get from a server."},
        {"ignore-not-found", 0, SK_FLAG_BOOL, "false",
         "If set to true, suppresses NotFound error for specific objects that do not exist. Using "
         "this flag with commands that query for collections of resources has no effect when no "
         "resources are found."},
        {"label-columns", 'L', SK_FLAG_STRINGS, "[]",
         "Accepts a comma separated list of labels that are going to be presented as columns. "
         "Names are case-sensitive. You can also use multiple flag options like -L label1 -L "
         "label2..."},
        {"no-headers", 0, SK_FLAG_BOOL, "false",
         "When using the default or custom-column output format, don't print headers (default "
         "print headers)."},
        {"output", 'o', SK_FLAG_STRING, "",
         "Output format. One of: (json, yaml, name, go-template, go-template-file, template, "
         "templatefile, jsonpath, jsonpath-as-json, jsonpath-file, custom-columns, "
         "custom-columns-file, wide). See custom columns "
         "[https://kubernetes.io/docs/reference/kubectl/#custom-columns], golang template "
         "[http://golang.org/pkg/text/template/#pkg-overview] and jsonpath template "
         "[https://kubernetes.io/docs/reference/kubectl/jsonpath/]."},
        {"raw", 0, SK_FLAG_STRING, "",
         "Raw URI to request from the server.  Uses the transport specified by the kubeconfig "
         "file."},
        {"recursive", 'R', SK_FLAG_BOOL, "false",
         "Process the directory used in -f, --filename recursively. Useful when you want to "
         "manage related manifests organized within the same directory."},
        {"selector", 'l', SK_FLAG_STRING, "",
         "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l "
         "key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the "
         "specified label constraints."},
        {"show-kind", 0, SK_FLAG_BOOL, "false",
         "If present, list the resource type for the requested object(s)."},
        {"show-labels", 0, SK_FLAG_BOOL, "false",
         "When printing, show all labels as the last column (default hide labels column)"},
        {"show-managed-fields", 0, SK_FLAG_BOOL, "false",
         "If true, keep the managedFields when printing objects in JSON or YAML format."},
        {"sort-by", 0, SK_FLAG_STRING, "",
         "If non-empty, sort list types using this field specification.  The field "
         "specification is expressed as a JSONPath expression (e.g. '{.metadata.name}'). The "
         "field in the API resource specified by this JSONPath expression must be an integer or "
         "a string."},
        {"subresource", 0, SK_FLAG_STRING, "",
         "If specified, gets the subresource of the requested object. Must be one of [status "
         "scale]."},
        {"template", 0, SK_FLAG_STRING, "",
         "Template string or path to template file to use when -o=go-template, "
         "-o=go-template-file. The template format is golang templates "
         "[http://golang.org/pkg/text/template/#pkg-overview]."},
        {"watch", 'w', SK_FLAG_BOOL, "false",
         "After listing/getting the requested object, watch for changes."},
        {"watch-only", 0, SK_FLAG_BOOL, "false",
         "Watch for changes to the requested object(s), without listing/getting first."},
        {0},
};

/* One fetched group: the objects (or table) of one kind. */
struct fetched {
    const struct sk_kind *kind;
    struct sk_val *table; /* human output: Table (rows merged), or NULL */
    struct sk_val **objs; /* other output */
    size_t nobjs;
    char *rv; /* list resourceVersion for --watch */
};

struct getctx {
    struct sk_cli *c;
    const char *out;
    bool human, wide, all_ns, show_kind, no_headers, show_labels, ignore_nf, managed;
    const struct sk_strv *label_cols;
    const char *selector, *fselector, *sort_by;
    const char *ns;
    struct sk_cli_tab *tab;
    int64_t chunk;
    bool printed;
};

static void strip_managed(struct getctx *g, struct sk_val *obj)
{
    if (g->managed) return;
    struct sk_val *md = sk_map_get(obj, "metadata");
    if (md) sk_map_del(md, "managedFields");
}

/* Whether the printed table uses each row's object metadata: the
 * NAMESPACE column and the label columns come from it. */
static bool table_needs_metadata(const struct getctx *g)
{
    return g->all_ns || g->show_labels || g->label_cols->n;
}

static char *query(struct getctx *g, bool list, const char *cont, bool human)
{
    struct sk_buf b = {0};
    if (list) {
        if (g->selector && *g->selector) {
            char *e = sk_kclient_escape(g->selector);
            sk_buf_printf(&b, "&labelSelector=%s", e);
            free(e);
        }
        if (g->fselector && *g->fselector) {
            char *e = sk_kclient_escape(g->fselector);
            sk_buf_printf(&b, "&fieldSelector=%s", e);
            free(e);
        }
        if (g->chunk > 0) sk_buf_printf(&b, "&limit=%lld", (long long)g->chunk);
        if (cont && *cont) {
            char *e = sk_kclient_escape(cont);
            sk_buf_printf(&b, "&continue=%s", e);
            free(e);
        }
    }
    if (human && g->sort_by)
        sk_buf_puts(&b, "&includeObject=Object");
    else if (human && !table_needs_metadata(g))
        sk_buf_puts(&b, "&includeObject=None"); /* 100 pods: 15 KB, not 94 KB */
    if (!b.len) return NULL;
    char *s = sk_buf_take(&b, NULL);
    memmove(s, s + 1, strlen(s));
    return s;
}

static int fetch_json(struct getctx *g, const char *path, bool human, struct sk_val **out,
                      int *status)
{
    struct sk_kresp r;
    int rc = sk_cli_request(g->c, "GET", path, NULL, NULL, 0, human ? TABLE_ACCEPT : NULL, &r);
    if (rc) return rc;
    *status = r.status;
    if (r.status < 200 || r.status >= 300) {
        bool nf = r.status == 404;
        if (!(nf && g->ignore_nf)) sk_cli_fail_resp(g->c, &r);
        sk_kresp_free(&r);
        return nf && g->ignore_nf ? -1 : 1;
    }
    struct sk_error *e = NULL;
    if (sk_json_parse(r.body ? r.body : "", r.body_len, out, &e)) {
        rc = sk_cli_fail(g->c, "the server's answer to GET %s is not JSON: %s", path,
                         sk_error_msg(e, SK_EINVAL));
        sk_error_free(e);
    }
    sk_kresp_free(&r);
    return rc;
}

static void fill_type(const struct sk_kind *k, struct sk_val *obj)
{
    if (!sk_map_get(obj, "apiVersion") || !sk_map_get(obj, "kind")) {
        /* list items come without them; kubectl fills them in, first */
        struct sk_val *nv = sk_val_map();
        sk_map_set(nv, "apiVersion", sk_val_str(sk_kind_api_version(k)));
        sk_map_set(nv, "kind", sk_val_str(k->kind));
        for (size_t i = 0; i < obj->u.m.n; i++) {
            const char *key = obj->u.m.kv[i].key;
            if (!strcmp(key, "apiVersion") || !strcmp(key, "kind")) continue;
            sk_map_set(nv, key, obj->u.m.kv[i].val);
            obj->u.m.kv[i].val = NULL;
        }
        for (size_t i = 0; i < obj->u.m.n; i++) {
            sk_val_key_free(obj->u.m.kv[i].key);
            sk_val_free(obj->u.m.kv[i].val);
        }
        free(obj->u.m.kv);
        obj->u.m = nv->u.m;
        free(nv);
    }
}

/* Merge the rows of t into acc (the first table becomes acc). */
static void merge_table(struct sk_val **acc, struct sk_val *t)
{
    if (!*acc) {
        *acc = t;
        return;
    }
    struct sk_val *rows = sk_map_get(*acc, "rows");
    struct sk_val *more = sk_map_get(t, "rows");
    if (!rows) rows = sk_map_set(*acc, "rows", sk_val_arr());
    while (sk_arr_len(more))
        sk_arr_push(rows, sk_arr_take(more, 0));
    sk_val_free(t);
}

/* Fetch one target (a name, or the whole kind) into f. Returns 0, 1 on a
 * printed error, -1 on an ignored NotFound. */
static int fetch(struct getctx *g, const struct sk_cli_target *t, struct fetched *f)
{
    const char *ns = g->all_ns && !t->name ? NULL : g->ns;
    int status = 0;
    if (t->name) {
        char *q = query(g, false, NULL, g->human);
        char *path = sk_cli_path(t->kind, ns, t->name, NULL, q);
        struct sk_val *v = NULL;
        int rc = fetch_json(g, path, g->human, &v, &status);
        free(path);
        free(q);
        if (rc) return rc;
        if (g->human) {
            merge_table(&f->table, v);
        } else {
            fill_type(t->kind, v);
            strip_managed(g, v);
            f->objs = sk_xrealloc(f->objs, (f->nobjs + 1) * sizeof(*f->objs));
            f->objs[f->nobjs++] = v;
        }
        return 0;
    }
    char *cont = NULL;
    do {
        char *q = query(g, true, cont, g->human);
        char *path = sk_cli_path(t->kind, ns, NULL, NULL, q);
        free(q);
        struct sk_val *v = NULL;
        int rc = fetch_json(g, path, g->human, &v, &status);
        free(path);
        free(cont);
        cont = NULL;
        if (rc) return rc;
        const char *c2 = sk_val_str_at(v, "metadata", "continue", NULL);
        if (c2 && *c2) cont = sk_xstrdup(c2);
        const char *rv = sk_val_str_at(v, "metadata", "resourceVersion", NULL);
        if (rv) {
            free(f->rv);
            f->rv = sk_xstrdup(rv);
        }
        if (g->human) {
            merge_table(&f->table, v);
            continue;
        }
        struct sk_val *items = sk_map_get(v, "items");
        for (size_t i = 0; i < sk_arr_len(items); i++) {
            struct sk_val *o = sk_val_dup(sk_arr_get(items, i));
            fill_type(t->kind, o);
            strip_managed(g, o);
            f->objs = sk_xrealloc(f->objs, (f->nobjs + 1) * sizeof(*f->objs));
            f->objs[f->nobjs++] = o;
        }
        sk_val_free(v);
    } while (cont);
    return 0;
}

/* ---- sorting ---- */

struct sortkey {
    struct sk_val *key; /* the first result, or NULL */
    size_t idx;
};

static int val_order(const struct sk_val *a, const struct sk_val *b)
{
    if (!a || !b) return a ? 1 : b ? -1 : 0;
    if (a->type == SK_V_INT && b->type == SK_V_INT) return a->u.i < b->u.i ? -1 : a->u.i > b->u.i;
    if ((a->type == SK_V_INT || a->type == SK_V_FLOAT) &&
        (b->type == SK_V_INT || b->type == SK_V_FLOAT)) {
        double x = a->type == SK_V_INT ? (double)a->u.i : a->u.f;
        double y = b->type == SK_V_INT ? (double)b->u.i : b->u.f;
        return x < y ? -1 : x > y;
    }
    struct sk_buf x = {0}, y = {0};
    sk_go_sprint(a, &x);
    sk_go_sprint(b, &y);
    sk_buf_putc(&x, 0);
    sk_buf_putc(&y, 0);
    int c = strcmp(x.p, y.p);
    sk_buf_free(&x);
    sk_buf_free(&y);
    return c;
}

static int sortkey_cmp(const void *a, const void *b)
{
    const struct sortkey *x = a, *y = b;
    int c = val_order(x->key, y->key);
    return c ? c : (x->idx < y->idx ? -1 : x->idx > y->idx);
}

/* The permutation that sorts objs by the --sort-by expression. */
static int sort_order(struct getctx *g, const struct sk_val *const *objs, size_t n, size_t *perm)
{
    char *rel = sk_jsonpath_relaxed(g->sort_by);
    if (!rel)
        return sk_cli_fail(g->c, "unexpected path string, expected a 'name1.name2' or "
                                 "'.name1.name2' or '{name1.name2}' or '{.name1.name2}'");
    struct sk_jsonpath *jp = NULL;
    struct sk_error *e = NULL;
    if (sk_jsonpath_parse(rel, &jp, &e)) {
        int rc = sk_cli_fail(g->c, "%s", sk_error_msg(e, SK_EINVAL));
        sk_error_free(e);
        free(rel);
        return rc;
    }
    free(rel);
    struct sortkey *keys = sk_xcalloc(n + 1, sizeof(*keys));
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        struct sk_val *sets = NULL;
        keys[i].idx = i;
        if (sk_jsonpath_find(jp, objs[i], true, &sets, &e)) {
            rc = sk_cli_fail(g->c, "%s", sk_error_msg(e, SK_EINVAL));
            sk_error_free(e);
            break;
        }
        struct sk_val *first = sk_arr_get(sets, 0);
        if (first && sk_arr_len(first)) keys[i].key = sk_arr_take(first, 0);
        sk_val_free(sets);
    }
    if (!rc) {
        qsort(keys, n, sizeof(*keys), sortkey_cmp);
        for (size_t i = 0; i < n; i++)
            perm[i] = keys[i].idx;
    }
    for (size_t i = 0; i < n; i++)
        sk_val_free(keys[i].key);
    free(keys);
    sk_jsonpath_free(jp);
    return rc;
}

/* ---- tables ---- */

static void upper(char *s)
{
    for (; *s; s++)
        if (*s >= 'a' && *s <= 'z') *s = (char)(*s - 32);
}

static char *labels_text(const struct sk_val *labels)
{
    if (!labels || !sk_map_len(labels)) return sk_xstrdup("<none>");
    struct sk_val *s = sk_cli_sorted(labels);
    struct sk_buf b = {0};
    for (size_t i = 0; i < s->u.m.n; i++) {
        if (i) sk_buf_putc(&b, ',');
        sk_buf_printf(&b, "%s=", s->u.m.kv[i].key);
        const char *v = sk_val_cstr(s->u.m.kv[i].val);
        sk_buf_puts(&b, v ? v : "");
    }
    sk_val_free(s);
    sk_buf_putc(&b, 0);
    return sk_buf_take(&b, NULL);
}

static void cell_text(const struct sk_val *v, struct sk_buf *b)
{
    if (!v || v->type == SK_V_NULL) return;
    if (v->type == SK_V_STR) {
        size_t n = strcspn(v->u.s.p, "\f\n\r");
        sk_buf_append(b, v->u.s.p, n);
        if (n < v->u.s.len) sk_buf_puts(b, "...");
        return;
    }
    sk_go_sprint(v, b);
}

/* Add the header row (unless no_headers) and one row per table row. */
static void table_rows(struct getctx *g, const struct sk_kind *k, const struct sk_val *table,
                       bool headers, bool with_kind)
{
    struct sk_val *cols = sk_map_get(table, "columnDefinitions");
    struct sk_val *rows = sk_map_get(table, "rows");
    size_t ncols = sk_arr_len(cols);
    int name_col = -1;
    for (size_t i = 0; i < ncols; i++) {
        const char *nm = sk_val_str_at(sk_arr_get(cols, i), "name", NULL);
        if (name_col < 0 && nm && !strcmp(nm, "Name")) name_col = (int)i;
    }
    if (headers && !g->no_headers) {
        if (g->all_ns && k->namespaced) sk_cli_tab_cell(g->tab, "NAMESPACE");
        for (size_t i = 0; i < ncols; i++) {
            struct sk_val *cd = sk_arr_get(cols, i);
            if (sk_val_to_int(sk_map_get(cd, "priority"), 0) != 0 && !g->wide) continue;
            const char *nm = sk_val_str_at(cd, "name", NULL);
            char *u = sk_xstrdup(nm ? nm : "");
            upper(u);
            sk_cli_tab_cell(g->tab, u);
            free(u);
        }
        for (size_t i = 0; i < g->label_cols->n; i++) {
            const char *l = g->label_cols->v[i];
            const char *sl = strrchr(l, '/');
            char *u = sk_xstrdup(sl ? sl + 1 : l);
            upper(u);
            sk_cli_tab_cell(g->tab, u);
            free(u);
        }
        if (g->show_labels) sk_cli_tab_cell(g->tab, "LABELS");
        sk_cli_tab_end_row(g->tab);
    }
    size_t n = sk_arr_len(rows);
    size_t *perm = sk_xcalloc(n + 1, sizeof(size_t));
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    if (g->sort_by && n > 1) {
        const struct sk_val **objs = sk_xcalloc(n, sizeof(*objs));
        struct sk_val nullv = {.type = SK_V_NULL};
        for (size_t i = 0; i < n; i++) {
            const struct sk_val *o = sk_map_get(sk_arr_get(rows, i), "object");
            objs[i] = o ? o : &nullv;
        }
        if (sort_order(g, objs, n, perm))
            for (size_t i = 0; i < n; i++)
                perm[i] = i;
        free(objs);
    }
    for (size_t ri = 0; ri < n; ri++) {
        struct sk_val *row = sk_arr_get(rows, perm[ri]);
        struct sk_val *cells = sk_map_get(row, "cells");
        struct sk_val *obj = sk_map_get(row, "object");
        if (g->all_ns && k->namespaced) {
            const char *ns = sk_val_str_at(obj, "metadata", "namespace", NULL);
            sk_cli_tab_cell(g->tab, ns ? ns : "");
        }
        for (size_t i = 0; i < ncols; i++) {
            struct sk_val *cd = sk_arr_get(cols, i);
            if (sk_val_to_int(sk_map_get(cd, "priority"), 0) != 0 && !g->wide) continue;
            struct sk_buf b = {0};
            if ((int)i == name_col && with_kind) {
                char *ref = sk_cli_ref(k, "");
                sk_buf_puts(&b, ref);
                free(ref);
            }
            cell_text(sk_arr_get(cells, i), &b);
            sk_buf_putc(&b, 0);
            sk_cli_tab_cell(g->tab, b.p);
            sk_buf_free(&b);
        }
        for (size_t i = 0; i < g->label_cols->n; i++) {
            const char *v =
                    sk_val_cstr(sk_val_at(obj, "metadata", "labels", NULL)
                                        ? sk_map_get(sk_val_at(obj, "metadata", "labels", NULL),
                                                     g->label_cols->v[i])
                                        : NULL);
            sk_cli_tab_cell(g->tab, v ? v : "");
        }
        if (g->show_labels) {
            char *l = labels_text(sk_val_at(obj, "metadata", "labels", NULL));
            sk_cli_tab_cell(g->tab, l);
            free(l);
        }
        sk_cli_tab_end_row(g->tab);
        g->printed = true;
    }
    free(perm);
}

/* ---- watch ---- */

struct wstate {
    struct getctx *g;
    const struct sk_kind *kind;
    struct sk_buf line;
    bool with_kind;
    bool headers_due;
    int rc;
};

static int on_event(struct wstate *w, const char *p, size_t n)
{
    struct sk_val *ev = NULL;
    if (sk_json_parse(p, n, &ev, NULL)) return 0;
    const char *type = sk_val_str_at(ev, "type", NULL);
    struct sk_val *obj = sk_map_get(ev, "object");
    struct getctx *g = w->g;
    if (type && !strcmp(type, "ERROR")) {
        const char *msg = sk_val_str_at(obj, "message", NULL);
        fprintf(g->c->err, "error: %s\n", msg ? msg : "watch error");
        sk_val_free(ev);
        w->rc = 1;
        return 1;
    }
    if (type && !strcmp(type, "BOOKMARK")) {
        sk_val_free(ev);
        return 0;
    }
    if (g->human) {
        table_rows(g, w->kind, obj, w->headers_due, w->with_kind);
        w->headers_due = false;
        sk_cli_tab_flush(g->tab, g->c->out);
    } else {
        fill_type(w->kind, obj);
        strip_managed(g, obj);
        struct sk_val *one[1] = {obj};
        const struct sk_kind *ks[1] = {w->kind};
        if (!strcmp(g->out, "json") || !strcmp(g->out, "yaml")) {
            sk_cli_print_get(g->c, g->out, one, ks, 1, false, true);
            if (!strcmp(g->out, "yaml")) fputs("---\n", g->c->out);
        } else {
            sk_cli_print_get(g->c, g->out, one, ks, 1, false, true);
        }
    }
    fflush(g->c->out);
    sk_val_free(ev);
    return 0;
}

static int on_watch_data(void *arg, const void *p, size_t n)
{
    struct wstate *w = arg;
    sk_buf_append(&w->line, p, n);
    for (;;) {
        char *nl = memchr(w->line.p, '\n', w->line.len);
        if (!nl) break;
        size_t l = (size_t)(nl - w->line.p);
        int stop = l ? on_event(w, w->line.p, l) : 0;
        memmove(w->line.p, nl + 1, w->line.len - l - 1);
        w->line.len -= l + 1;
        if (stop) return 1;
    }
    return 0;
}

static int watch(struct getctx *g, const struct sk_cli_target *t, const char *rv, bool with_kind,
                 bool headers_due)
{
    struct sk_kclient *k = sk_cli_client(g->c);
    if (!k) return 1;
    struct sk_buf q = {0};
    sk_buf_puts(&q, "watch=true");
    if (rv && *rv) sk_buf_printf(&q, "&resourceVersion=%s", rv);
    if (t->name) {
        char *e = sk_kclient_escape(t->name);
        sk_buf_printf(&q, "&fieldSelector=metadata.name%%3D%s", e);
        free(e);
    } else if (g->fselector && *g->fselector) {
        char *e = sk_kclient_escape(g->fselector);
        sk_buf_printf(&q, "&fieldSelector=%s", e);
        free(e);
    }
    if (g->selector && *g->selector) {
        char *e = sk_kclient_escape(g->selector);
        sk_buf_printf(&q, "&labelSelector=%s", e);
        free(e);
    }
    sk_buf_putc(&q, 0);
    char *path = sk_cli_path(t->kind, g->all_ns ? NULL : g->ns, NULL, NULL, q.p);
    sk_buf_free(&q);
    struct wstate w = {.g = g, .kind = t->kind, .with_kind = with_kind, .headers_due = headers_due};
    struct sk_kreq req = {.path = path,
                          .on_data = on_watch_data,
                          .arg = &w,
                          .accept = g->human ? TABLE_ACCEPT : "application/json"};
    struct sk_kresp resp;
    struct sk_error *e = NULL;
    sk_err rc = sk_kclient_do(k, &req, &resp, &e);
    free(path);
    sk_buf_free(&w.line);
    if (rc && !(rc == SK_ECLOSED && w.rc)) {
        fprintf(g->c->err, "%s\n", sk_error_msg(e, rc));
        sk_error_free(e);
        return 1;
    }
    sk_error_free(e);
    if (!rc && (resp.status < 200 || resp.status >= 300)) {
        int r = sk_cli_fail_resp(g->c, &resp);
        sk_kresp_free(&resp);
        return r;
    }
    sk_kresp_free(&resp);
    return w.rc;
}

/* ---- get ---- */

static int raw_get(struct sk_cli *c, const char *raw)
{
    struct sk_kresp r;
    int rc = sk_cli_request(c, "GET", raw, NULL, NULL, 0, "application/json, */*", &r);
    if (rc) return rc;
    if (r.status < 200 || r.status >= 300) {
        rc = sk_cli_fail_resp(c, &r);
    } else {
        fwrite(r.body, 1, r.body_len, c->out);
    }
    sk_kresp_free(&r);
    return rc;
}

static int targets_from_files(struct sk_cli *c, struct getctx *g, struct sk_cli_targets *ts)
{
    struct sk_cli_docs docs;
    int rc = sk_cli_read_docs(c, sk_cli_strs(c, "filename"), sk_cli_bool(c, "recursive"), &docs);
    if (rc) return rc;
    memset(ts, 0, sizeof(*ts));
    for (size_t i = 0; i < docs.n && !rc; i++) {
        const struct sk_kind *k;
        rc = sk_cli_doc_kind(c, &docs.v[i], &k);
        if (rc) break;
        bool seen = false;
        for (size_t j = 0; j < ts->n; j++)
            seen = seen || ts->v[j].kind == k;
        if (!seen) ts->ntypes++;
        ts->v = sk_xrealloc(ts->v, (ts->n + 1) * sizeof(*ts->v));
        ts->v[ts->n].kind = k;
        const char *nm = sk_obj_name(docs.v[i].obj);
        ts->v[ts->n].name = sk_xstrdup(nm ? nm : "");
        ts->n++;
        const char *ns = sk_obj_namespace(docs.v[i].obj);
        if (ns && *ns && !sk_cli_namespace_explicit(c)) g->ns = sk_cli_namespace(c);
    }
    ts->typed_names = true;
    sk_cli_docs_free(&docs);
    if (rc) sk_cli_targets_free(ts);
    return rc;
}

static int get_run(struct sk_cli *c)
{
    const char *raw = sk_cli_str(c, "raw");
    if (raw) {
        if (c->nargs) return sk_cli_fail(c, "arguments may not be passed when --raw is specified");
        return raw_get(c, raw);
    }
    struct getctx g = {
            .c = c,
            .out = sk_cli_str(c, "output"),
            .all_ns = sk_cli_bool(c, "all-namespaces"),
            .no_headers = sk_cli_bool(c, "no-headers"),
            .show_labels = sk_cli_bool(c, "show-labels"),
            .ignore_nf = sk_cli_bool(c, "ignore-not-found"),
            .managed = sk_cli_bool(c, "show-managed-fields"),
            .label_cols = sk_cli_strs(c, "label-columns"),
            .selector = sk_cli_str(c, "selector"),
            .fselector = sk_cli_str(c, "field-selector"),
            .sort_by = sk_cli_str(c, "sort-by"),
            .chunk = sk_cli_int(c, "chunk-size"),
    };
    if (!g.out) g.out = "";
    if (!*g.out && sk_cli_changed(c, "template")) g.out = "go-template"; /* as kubectl */
    g.wide = !strcmp(g.out, "wide");
    g.human = !*g.out || g.wide;
    if (!g.human && !sk_cli_is_obj_format(g.out))
        return sk_cli_fail(c,
                           "unable to match a printer suitable for the output format \"%s\", "
                           "allowed formats are: custom-columns,custom-columns-file,go-template,"
                           "go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,"
                           "template,templatefile,wide,yaml",
                           g.out);
    if (g.sort_by && !*g.sort_by) g.sort_by = NULL;
    bool watch_on = sk_cli_bool(c, "watch"), watch_only = sk_cli_bool(c, "watch-only");
    g.ns = sk_cli_namespace(c);
    struct sk_cli_targets ts;
    const struct sk_strv *files = sk_cli_strs(c, "filename");
    int rc;
    if (files->n) {
        if (c->nargs)
            return sk_cli_fail(c, "when paths, URLs, or stdin is provided as input, you may not "
                                  "specify a resource by arguments as well");
        rc = targets_from_files(c, &g, &ts);
    } else {
        if (!c->nargs) {
            fprintf(c->err,
                    "You must specify the type of resource to get. Use \"skiff api-resources\" "
                    "for a complete list of supported resources.\n\n"
                    "error: Required resource not specified.\n"
                    "Use \"skiff explain <resource>\" for a detailed description of that "
                    "resource (e.g. skiff explain pods).\n"
                    "See 'skiff get -h' for help and examples\n");
            return 1;
        }
        rc = sk_cli_targets(c, c->args, c->nargs, &ts);
    }
    if (rc) return rc;
    g.show_kind = sk_cli_bool(c, "show-kind") || ts.ntypes > 1 || (ts.typed_names && ts.ntypes > 1);
    bool single = ts.n == 1 && ts.v[0].name && !files->n;
    if ((watch_on || watch_only) && ts.ntypes > 1) {
        sk_cli_targets_free(&ts);
        return sk_cli_fail(c, "you may only specify a single resource type");
    }
    g.tab = sk_cli_tab_new();
    int final = 0;
    struct sk_val **objs = NULL;
    const struct sk_kind **kinds = NULL;
    size_t nobjs = 0;
    const struct sk_kind *last_kind = NULL;
    bool any_group_printed = false;
    char *watch_rv = NULL;
    for (size_t i = 0; i < ts.n; i++) {
        if (watch_only) break;
        /* consecutive targets of one kind print as one table */
        struct fetched f = {.kind = ts.v[i].kind};
        size_t j = i;
        for (; j < ts.n && ts.v[j].kind == ts.v[i].kind; j++) {
            int r = fetch(&g, &ts.v[j], &f);
            if (r > 0) final = 1;
        }
        if (f.rv) {
            free(watch_rv);
            watch_rv = f.rv;
            f.rv = NULL;
        }
        if (g.human && f.table) {
            size_t nrows = sk_arr_len(sk_map_get(f.table, "rows"));
            if (nrows) {
                bool new_group = last_kind && last_kind != f.kind;
                if (new_group && any_group_printed) {
                    sk_cli_tab_flush(g.tab, c->out);
                    sk_cli_tab_free(g.tab);
                    g.tab = sk_cli_tab_new();
                    if (!g.no_headers) fputc('\n', c->out);
                }
                table_rows(&g, f.kind, f.table, true, g.show_kind);
                any_group_printed = true;
                last_kind = f.kind;
            }
            sk_val_free(f.table);
        } else {
            for (size_t k = 0; k < f.nobjs; k++) {
                objs = sk_xrealloc(objs, (nobjs + 1) * sizeof(*objs));
                kinds = sk_xrealloc(kinds, (nobjs + 1) * sizeof(*kinds));
                objs[nobjs] = f.objs[k];
                kinds[nobjs++] = f.kind;
            }
            free(f.objs);
        }
        i = j - 1;
    }
    if (g.human) {
        sk_cli_tab_flush(g.tab, c->out);
        if (!g.printed && !final && !watch_only && !(g.ignore_nf && single)) {
            bool namespaced = !g.all_ns;
            for (size_t i = 0; i < ts.n; i++)
                namespaced = namespaced && ts.v[i].kind->namespaced;
            if (namespaced)
                fprintf(c->err, "No resources found in %s namespace.\n", g.ns);
            else
                fprintf(c->err, "No resources found\n");
        }
    } else if (!watch_only && (nobjs || !single)) {
        size_t *perm = sk_xcalloc(nobjs + 1, sizeof(size_t));
        for (size_t i = 0; i < nobjs; i++)
            perm[i] = i;
        int r = 0;
        if (g.sort_by && nobjs > 1)
            r = sort_order(&g, (const struct sk_val *const *)objs, nobjs, perm);
        if (!r) {
            struct sk_val **so = sk_xcalloc(nobjs + 1, sizeof(*so));
            const struct sk_kind **sk = sk_xcalloc(nobjs + 1, sizeof(*sk));
            for (size_t i = 0; i < nobjs; i++) {
                so[i] = objs[perm[i]];
                sk[i] = kinds[perm[i]];
            }
            bool as_list = !(single && nobjs == 1);
            if (!(g.ignore_nf && nobjs == 0 && single))
                r = sk_cli_print_get(c, g.out, so, sk, nobjs, as_list, g.no_headers);
            free(so);
            free(sk);
        }
        free(perm);
        if (r) final = 1;
    }
    for (size_t i = 0; i < nobjs; i++)
        sk_val_free(objs[i]);
    free(objs);
    free(kinds);
    if ((watch_on || watch_only) && !final && ts.n) {
        fflush(c->out);
        /* a watch of names follows each; kubectl watches one */
        rc = watch(&g, &ts.v[0], watch_rv, g.show_kind, watch_only || !g.printed);
        if (rc) final = 1;
    }
    free(watch_rv);
    sk_cli_tab_free(g.tab);
    sk_cli_targets_free(&ts);
    return final;
}

const struct sk_cli_verb sk_cli_verb_get = {
        .name = "get",
        .short_help = "Display one or many resources",
        .long_help =
                "Display one or many resources.\n\n"
                " Prints a table of the most important information about the specified "
                "resources. You can filter the list using a label selector and the --selector "
                "flag. If the desired resource type is namespaced you will only see results in "
                "the current namespace unless you pass --all-namespaces.\n\n"
                " By specifying the output as 'template' and providing a Go template as the "
                "value of the --template flag, you can filter the attributes of the fetched "
                "resources.\n\n"
                "Use \"skiff api-resources\" for a complete list of supported resources.",
        .usage = "skiff get "
                 "[(-o|--output=)json|yaml|name|go-template|go-template-file|template|templatefile|"
                 "jsonpath|jsonpath-as-json|jsonpath-file|custom-columns|custom-columns-file|wide] "
                 "(TYPE[.VERSION][.GROUP] [NAME | -l label] | "
                 "TYPE[.VERSION][.GROUP]/NAME ...) [flags] [options]",
        .examples = "  # List all pods in ps output format\n"
                    "  skiff get pods\n\n"
                    "  # List all pods in ps output format with more information (such as node "
                    "name)\n"
                    "  skiff get pods -o wide\n\n"
                    "  # List deployments in JSON output format, in the \"v1\" version of the "
                    "\"apps\" API group\n"
                    "  skiff get deployments.v1.apps -o json\n\n"
                    "  # List a single pod in JSON output format\n"
                    "  skiff get -o json pod web-pod-13je7\n\n"
                    "  # Return only the phase value of the specified pod\n"
                    "  skiff get -o template pod/web-pod-13je7 --template={{.status.phase}}\n\n"
                    "  # List resource information in custom columns\n"
                    "  skiff get pod test-pod -o "
                    "custom-columns=CONTAINER:.spec.containers[0].name,IMAGE:.spec.containers[0]."
                    "image\n\n"
                    "  # List all replication controllers and services together in ps output "
                    "format\n"
                    "  skiff get rc,services\n\n"
                    "  # List one or more resources by their type and names\n"
                    "  skiff get rc/web service/frontend pods/web-pod-13je7",
        .flags = get_flags,
        .run = get_run,
};
