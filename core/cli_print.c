/* The CLI's printers: kubectl's -o yaml, json, name, jsonpath and
 * custom-columns, and its column writer. */
#include "cli_int.h"
#include "json.h"
#include "gotemplate.h"
#include "jsonpath.h"
#include "mem.h"
#include "yaml.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- sorted copies ---- */

static int kv_cmp(const void *a, const void *b)
{
    const struct sk_kv *x = a, *y = b;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int c = memcmp(x->key, y->key, n);
    return c ? c : (x->klen < y->klen ? -1 : x->klen > y->klen);
}

static void sort_in_place(struct sk_val *v, int depth)
{
    if (depth > SK_VAL_MAX_DEPTH + 1) return;
    if (v->type == SK_V_MAP) {
        if (v->u.m.n > 1) qsort(v->u.m.kv, v->u.m.n, sizeof(struct sk_kv), kv_cmp);
        for (size_t i = 0; i < v->u.m.n; i++)
            sort_in_place(v->u.m.kv[i].val, depth + 1);
    } else if (v->type == SK_V_ARR) {
        for (size_t i = 0; i < v->u.a.n; i++)
            sort_in_place(v->u.a.items[i], depth + 1);
    }
}

struct sk_val *sk_cli_sorted(const struct sk_val *v)
{
    struct sk_val *c = sk_val_dup(v);
    sort_in_place(c, 0);
    return c;
}

void sk_cli_print_yaml(struct sk_cli *c, const struct sk_val *obj)
{
    struct sk_val *s = sk_cli_sorted(obj);
    struct sk_buf b = {0};
    sk_yaml_write(s, &b);
    fwrite(b.p, 1, b.len, c->out);
    sk_buf_free(&b);
    sk_val_free(s);
}

void sk_cli_print_json(struct sk_cli *c, const struct sk_val *obj)
{
    struct sk_val *s = sk_cli_sorted(obj);
    struct sk_buf b = {0};
    sk_json_write(s, SK_JSON_PRETTY, &b);
    sk_buf_putc(&b, '\n');
    fwrite(b.p, 1, b.len, c->out);
    sk_buf_free(&b);
    sk_val_free(s);
}

/* ---- column writer ---- */

struct sk_cli_tab {
    char **cells; /* row-major; NULL marks a row's end */
    size_t n, cap;
    size_t *widths; /* remembered, per column */
    size_t ncols;
    size_t row_start;
};

struct sk_cli_tab *sk_cli_tab_new(void)
{
    return sk_xcalloc(1, sizeof(struct sk_cli_tab));
}

static void tab_push(struct sk_cli_tab *t, char *s)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->cells = sk_xrealloc(t->cells, t->cap * sizeof(char *));
    }
    t->cells[t->n++] = s;
}

void sk_cli_tab_cell(struct sk_cli_tab *t, const char *s)
{
    tab_push(t, sk_xstrdup(s ? s : ""));
}

void sk_cli_tab_cellf(struct sk_cli_tab *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) abort();
    va_end(ap);
    tab_push(t, s);
}

void sk_cli_tab_end_row(struct sk_cli_tab *t)
{
    tab_push(t, NULL);
}

/* Width in runes (UTF-8 continuation bytes do not count). */
static size_t runes(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

void sk_cli_tab_flush(struct sk_cli_tab *t, FILE *f)
{
    /* widths of every cell that is followed by another in its row */
    size_t col = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (!t->cells[i]) {
            col = 0;
            continue;
        }
        if (i + 1 < t->n && t->cells[i + 1]) {
            if (col >= t->ncols) {
                t->widths = sk_xrealloc(t->widths, (col + 1) * sizeof(size_t));
                for (size_t k = t->ncols; k <= col; k++)
                    t->widths[k] = 6;
                t->ncols = col + 1;
            }
            size_t w = runes(t->cells[i]) + 3;
            if (w > t->widths[col]) t->widths[col] = w;
        }
        col++;
    }
    col = 0;
    for (size_t i = 0; i < t->n; i++) {
        char *s = t->cells[i];
        if (!s) {
            fputc('\n', f);
            col = 0;
            continue;
        }
        fputs(s, f);
        if (i + 1 < t->n && t->cells[i + 1]) {
            for (size_t w = runes(s); w < t->widths[col]; w++)
                fputc(' ', f);
        }
        free(s);
        col++;
    }
    t->n = 0;
}

void sk_cli_tab_free(struct sk_cli_tab *t)
{
    if (!t) return;
    for (size_t i = 0; i < t->n; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t->widths);
    free(t);
}

/* ---- -o formats ---- */

static const char allowed_formats[] =
        "go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,"
        "templatefile,yaml";

static bool has_pfx(const char *s, const char *p)
{
    return !strncmp(s, p, strlen(p));
}

bool sk_cli_is_obj_format(const char *fmt)
{
    if (!fmt || !*fmt) return false;
    return !strcmp(fmt, "yaml") || !strcmp(fmt, "json") || !strcmp(fmt, "name") ||
           has_pfx(fmt, "jsonpath=") || has_pfx(fmt, "jsonpath-file=") ||
           has_pfx(fmt, "jsonpath-as-json=") || has_pfx(fmt, "custom-columns=") ||
           has_pfx(fmt, "custom-columns-file=") || !strcmp(fmt, "jsonpath") ||
           !strcmp(fmt, "custom-columns") || sk_gotemplate_is_format(fmt);
}

static char *read_file(struct sk_cli *c, const char *path, const char *what)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        sk_cli_fail(c, "error reading %s %s, open %s: %s", what, path, path, strerror(errno));
        return NULL;
    }
    struct sk_buf b = {0};
    char tmp[8192];
    size_t n;
    while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0 && b.len < (1u << 20))
        sk_buf_append(&b, tmp, n);
    fclose(f);
    sk_buf_putc(&b, 0);
    return sk_buf_take(&b, NULL);
}

static struct sk_val *as_list(struct sk_val *const *objs, size_t n)
{
    struct sk_val *l = sk_val_map();
    sk_map_set(l, "apiVersion", sk_val_str("v1"));
    struct sk_val *items = sk_map_set(l, "items", sk_val_arr());
    for (size_t i = 0; i < n; i++)
        sk_arr_push(items, sk_val_dup(objs[i]));
    sk_map_set(l, "kind", sk_val_str("List"));
    sk_val_set_at(l, sk_val_str(""), "metadata", "resourceVersion", NULL);
    return l;
}

/* --allow-missing-template-keys (kubectl's default: true) */
static bool allow_missing(struct sk_cli *c)
{
    return !sk_cli_has_flag(c, "allow-missing-template-keys") ||
           sk_cli_bool(c, "allow-missing-template-keys");
}

static int print_jsonpath(struct sk_cli *c, const char *tmpl, const struct sk_val *root,
                          bool as_json)
{
    struct sk_jsonpath *jp = NULL;
    struct sk_error *e = NULL;
    if (sk_jsonpath_parse(tmpl, &jp, &e)) {
        int rc = sk_cli_fail(c, "error parsing jsonpath %s, %s", tmpl, sk_error_msg(e, SK_EINVAL));
        sk_error_free(e);
        return rc;
    }
    struct sk_buf b = {0};
    sk_err rc;
    if (as_json) {
        struct sk_val *sets = NULL;
        rc = sk_jsonpath_find(jp, root, allow_missing(c), &sets, &e);
        if (!rc) {
            struct sk_val *flat = sk_val_arr();
            for (size_t i = 0; i < sk_arr_len(sets); i++) {
                struct sk_val *s = sk_arr_get(sets, i);
                while (sk_arr_len(s))
                    sk_arr_push(flat, sk_arr_take(s, 0));
            }
            struct sk_val *sorted = sk_cli_sorted(flat);
            sk_json_write(sorted, SK_JSON_PRETTY, &b);
            sk_buf_putc(&b, '\n');
            sk_val_free(sorted);
            sk_val_free(flat);
            sk_val_free(sets);
        }
    } else {
        rc = sk_jsonpath_exec(jp, root, allow_missing(c), &b, &e);
    }
    sk_jsonpath_free(jp);
    if (rc) {
        int r = sk_cli_fail(c,
                            "error executing jsonpath \"%s\": Error executing template: %s. "
                            "Printing more information for debugging the template:\n"
                            "\ttemplate was:\n\t\t%s\n",
                            tmpl, sk_error_msg(e, rc), tmpl);
        sk_error_free(e);
        sk_buf_free(&b);
        return r;
    }
    fwrite(b.p, 1, b.len, c->out);
    sk_buf_free(&b);
    return 0;
}

struct ccol {
    char *header;
    struct sk_jsonpath *jp;
};

static void ccols_free(struct ccol *cols, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(cols[i].header);
        sk_jsonpath_free(cols[i].jp);
    }
    free(cols);
}

static int add_ccol(struct sk_cli *c, struct ccol **cols, size_t *n, const char *header, size_t hl,
                    const char *path)
{
    char *rel = sk_jsonpath_relaxed(path);
    if (!rel)
        return sk_cli_fail(c, "unexpected path string, expected a 'name1.name2' or "
                              "'.name1.name2' or '{name1.name2}' or '{.name1.name2}'");
    struct sk_jsonpath *jp = NULL;
    struct sk_error *e = NULL;
    if (sk_jsonpath_parse(rel, &jp, &e)) {
        int rc = sk_cli_fail(c, "%s", sk_error_msg(e, SK_EINVAL));
        sk_error_free(e);
        free(rel);
        return rc;
    }
    free(rel);
    *cols = sk_xrealloc(*cols, (*n + 1) * sizeof(**cols));
    (*cols)[*n].header = sk_xstrndup(header, hl);
    (*cols)[*n].jp = jp;
    (*n)++;
    return 0;
}

/* Parse "H1:path1,H2:path2" or a columns file's two lines. */
static int parse_ccols(struct sk_cli *c, const char *spec, bool file, struct ccol **cols, size_t *n)
{
    *cols = NULL;
    *n = 0;
    int rc = 0;
    if (!file) {
        if (!*spec)
            return sk_cli_fail(c, "custom-columns format specified but no custom columns given");
        for (const char *p = spec; !rc;) {
            size_t l = strcspn(p, ",");
            const char *colon = memchr(p, ':', l);
            if (!colon || memchr(colon + 1, ':', l - (size_t)(colon + 1 - p))) {
                rc = sk_cli_fail(c,
                                 "unexpected custom-columns spec: %.*s, expected "
                                 "<header>:<json-path-expr>",
                                 (int)l, p);
                break;
            }
            char *path = sk_xstrndup(colon + 1, l - (size_t)(colon + 1 - p));
            rc = add_ccol(c, cols, n, p, (size_t)(colon - p), path);
            free(path);
            if (!p[l]) break;
            p += l + 1;
        }
    } else {
        char *text = read_file(c, spec, "template");
        if (!text) return 1;
        char *save = NULL;
        char *l1 = strtok_r(text, "\n", &save);
        char *l2 = l1 ? strtok_r(NULL, "\n", &save) : NULL;
        if (!l1 || !l2) {
            free(text);
            return sk_cli_fail(c, "expected two lines in %s, header and field specs", spec);
        }
        char *s1 = NULL, *s2 = NULL;
        char *h = strtok_r(l1, " \t\r", &s1);
        char *f = strtok_r(l2, " \t\r", &s2);
        while (!rc && h && f) {
            rc = add_ccol(c, cols, n, h, strlen(h), f);
            h = strtok_r(NULL, " \t\r", &s1);
            f = strtok_r(NULL, " \t\r", &s2);
        }
        if (!rc && (h || f))
            rc = sk_cli_fail(c, "number of headers (%zu) doesn't match number of fields", *n);
        free(text);
    }
    if (rc) {
        ccols_free(*cols, *n);
        *cols = NULL;
        *n = 0;
    }
    return rc;
}

/* custom-columns over objects (each a row), headers unless no_headers. */
static int print_ccols(struct sk_cli *c, const char *spec, bool file, struct sk_val *const *objs,
                       size_t n, bool no_headers)
{
    struct ccol *cols;
    size_t nc;
    int rc = parse_ccols(c, spec, file, &cols, &nc);
    if (rc) return rc;
    struct sk_cli_tab *t = sk_cli_tab_new();
    if (!no_headers) {
        for (size_t i = 0; i < nc; i++)
            sk_cli_tab_cell(t, cols[i].header);
        sk_cli_tab_end_row(t);
    }
    for (size_t o = 0; o < n && !rc; o++) {
        for (size_t i = 0; i < nc; i++) {
            struct sk_val *sets = NULL;
            struct sk_error *e = NULL;
            if (sk_jsonpath_find(cols[i].jp, objs[o], true, &sets, &e)) {
                rc = sk_cli_fail(c, "%s", sk_error_msg(e, SK_EINVAL));
                sk_error_free(e);
                break;
            }
            struct sk_buf b = {0};
            size_t cnt = 0;
            for (size_t s = 0; s < sk_arr_len(sets); s++) {
                struct sk_val *set = sk_arr_get(sets, s);
                for (size_t j = 0; j < sk_arr_len(set); j++) {
                    if (cnt++) sk_buf_putc(&b, ',');
                    sk_go_sprint(sk_arr_get(set, j), &b);
                }
            }
            struct sk_val *first = sk_arr_get(sets, 0);
            if (!first || !sk_arr_len(first)) {
                b.len = 0;
                sk_buf_puts(&b, "<none>");
            }
            sk_buf_putc(&b, 0);
            sk_cli_tab_cell(t, b.p);
            sk_buf_free(&b);
            sk_val_free(sets);
        }
        sk_cli_tab_end_row(t);
    }
    if (!rc) sk_cli_tab_flush(t, c->out);
    sk_cli_tab_free(t);
    ccols_free(cols, nc);
    return rc;
}

/* The List kubectl prints for several objects, or the one object. */
static int print_any(struct sk_cli *c, const char *fmt, struct sk_val *const *objs,
                     const struct sk_kind *const *kinds, size_t n, bool list, bool no_headers)
{
    if (!fmt) fmt = "";
    if (!strcmp(fmt, "name")) {
        for (size_t i = 0; i < n; i++) {
            char *ref = kinds && kinds[i]
                                ? sk_cli_ref(kinds[i], sk_obj_name(objs[i]))
                                : sk_xasprintf("%s/%s", sk_obj_kind(objs[i]), sk_obj_name(objs[i]));
            if (!kinds || !kinds[i])
                for (char *p = ref; *p && *p != '/'; p++)
                    *p = (char)tolower((unsigned char)*p);
            fprintf(c->out, "%s\n", ref);
            free(ref);
        }
        return 0;
    }
    if (has_pfx(fmt, "custom-columns=") || has_pfx(fmt, "custom-columns-file=") ||
        !strcmp(fmt, "custom-columns")) {
        bool file = has_pfx(fmt, "custom-columns-file=");
        const char *eq = strchr(fmt, '=');
        return print_ccols(c, eq ? eq + 1 : "", file, objs, n, no_headers);
    }
    struct sk_val *root = list || n != 1 ? as_list(objs, n) : NULL;
    const struct sk_val *r = root ? root : objs[0];
    int rc = 0;
    if (!strcmp(fmt, "yaml")) {
        sk_cli_print_yaml(c, r);
    } else if (!strcmp(fmt, "json")) {
        sk_cli_print_json(c, r);
    } else if (has_pfx(fmt, "jsonpath=") || has_pfx(fmt, "jsonpath-as-json=")) {
        rc = print_jsonpath(c, strchr(fmt, '=') + 1, r, has_pfx(fmt, "jsonpath-as-json="));
    } else if (has_pfx(fmt, "jsonpath-file=")) {
        char *t = read_file(c, fmt + 14, "template");
        rc = t ? print_jsonpath(c, t, r, false) : 1;
        free(t);
    } else if (sk_gotemplate_is_format(fmt)) {
        rc = sk_cli_print_gotemplate(c, fmt, r);
    } else if (!strcmp(fmt, "jsonpath") && sk_cli_has_flag(c, "template") &&
               sk_cli_str(c, "template") && *sk_cli_str(c, "template")) {
        rc = print_jsonpath(c, sk_cli_str(c, "template"), r, false); /* --template */
    } else if (!strcmp(fmt, "jsonpath")) {
        rc = sk_cli_fail(c, "jsonpath template format specified but no template given");
    } else {
        rc = sk_cli_fail(c,
                         "unable to match a printer suitable for the output format \"%s\", "
                         "allowed formats are: %s",
                         fmt, allowed_formats);
    }
    sk_val_free(root);
    return rc;
}

int sk_cli_print_objs(struct sk_cli *c, const char *fmt, struct sk_val *const *objs,
                      const struct sk_kind *const *kinds, size_t n)
{
    return print_any(c, fmt, objs, kinds, n, false, false);
}

int sk_cli_print_list(struct sk_cli *c, const char *fmt, struct sk_val *const *objs,
                      const struct sk_kind *const *kinds, size_t n)
{
    return print_any(c, fmt, objs, kinds, n, true, false);
}

int sk_cli_print_get(struct sk_cli *c, const char *fmt, struct sk_val *const *objs,
                     const struct sk_kind *const *kinds, size_t n, bool list, bool no_headers)
{
    return print_any(c, fmt, objs, kinds, n, list, no_headers);
}

/* ---- Go's tabwriter, for describe ---- */

struct twline {
    size_t start; /* offset of the line in text */
    size_t ncells;
    size_t *cell_off, *cell_len; /* the last cell is the text after the last tab */
    size_t *width;               /* per cell but the last: the column's width */
};

void sk_cli_tabwrite(const char *text, size_t len, int minwidth, int padding, struct sk_buf *out)
{
    struct twline *lines = NULL;
    size_t nl = 0;
    size_t pos = 0;
    bool trailing_nl = len && text[len - 1] == '\n';
    while (pos < len || (!nl && !len)) {
        if (!len) break;
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        lines = sk_xrealloc(lines, (nl + 1) * sizeof(*lines));
        struct twline *l = &lines[nl++];
        memset(l, 0, sizeof(*l));
        l->start = pos;
        size_t cs = pos;
        for (size_t i = pos; i <= end; i++) {
            if (i == end || text[i] == '\t') {
                l->cell_off = sk_xrealloc(l->cell_off, (l->ncells + 1) * sizeof(size_t));
                l->cell_len = sk_xrealloc(l->cell_len, (l->ncells + 1) * sizeof(size_t));
                l->cell_off[l->ncells] = cs;
                l->cell_len[l->ncells++] = i - cs;
                cs = i + 1;
            }
        }
        l->width = sk_xcalloc(l->ncells, sizeof(size_t));
        pos = end + 1;
    }
    /* widths: each run of consecutive lines with a cell in column c */
    for (size_t c = 0;; c++) {
        bool any = false;
        size_t i = 0;
        while (i < nl) {
            if (lines[i].ncells - 1 <= c) {
                i++;
                continue;
            }
            any = true;
            size_t j = i, w = (size_t)minwidth;
            for (; j < nl && lines[j].ncells - 1 > c; j++) {
                size_t cw = 0;
                const char *p = text + lines[j].cell_off[c];
                for (size_t k = 0; k < lines[j].cell_len[c]; k++)
                    if (((unsigned char)p[k] & 0xC0) != 0x80) cw++;
                if (cw + (size_t)padding > w) w = cw + (size_t)padding;
            }
            for (size_t k = i; k < j; k++)
                lines[k].width[c] = w;
            i = j;
        }
        if (!any) break;
    }
    for (size_t i = 0; i < nl; i++) {
        struct twline *l = &lines[i];
        for (size_t c = 0; c < l->ncells; c++) {
            const char *p = text + l->cell_off[c];
            sk_buf_append(out, p, l->cell_len[c]);
            if (c + 1 < l->ncells) {
                size_t cw = 0;
                for (size_t k = 0; k < l->cell_len[c]; k++)
                    if (((unsigned char)p[k] & 0xC0) != 0x80) cw++;
                for (; cw < l->width[c]; cw++)
                    sk_buf_putc(out, ' ');
            }
        }
        if (i + 1 < nl || trailing_nl) sk_buf_putc(out, '\n');
        free(l->cell_off);
        free(l->cell_len);
        free(l->width);
    }
    free(lines);
}
