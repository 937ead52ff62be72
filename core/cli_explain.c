/* skiff explain: kubectl explain's plaintext layout over the OpenAPI v3
 * document of the resource's group-version, built by the same code the
 * agent serves /openapi/v3 from (so no round trip): KIND/VERSION, the
 * FIELD line, the wrapped DESCRIPTION and the FIELDS list, --recursive. */
#include "cli_int.h"
#include "jsonpath.h"
#include "mem.h"
#include "openapi.h"

#include <stdlib.h>
#include <string.h>

struct ex {
    const struct sk_val *doc;
    bool recursive;
};

static const struct sk_val *resolve(const struct ex *x, const struct sk_val *schema)
{
    const char *ref = sk_val_str_at(schema, "$ref", NULL);
    if (!ref || strncmp(ref, "#/components/schemas/", 21)) return schema;
    const struct sk_val *r = sk_val_at(x->doc, "components", "schemas", NULL);
    const struct sk_val *t = sk_map_get(r, ref + 21);
    return t ? t : schema;
}

/* mitchellh/go-wordwrap's WrapString (sprig's wrap). */
static void wrap(const char *s, size_t lim, struct sk_buf *out)
{
    struct sk_buf word = {0}, space = {0};
    size_t cur = 0, wl = 0, sl = 0;
    for (const char *p = s; *p;) {
        size_t n = 1;
        while (((unsigned char)p[n] & 0xC0) == 0x80)
            n++;
        char ch = *p;
        if (ch == '\n') {
            if (!word.len) {
                if (cur + sl <= lim) sk_buf_append(out, space.p, space.len);
            } else {
                sk_buf_append(out, space.p, space.len);
                sk_buf_append(out, word.p, word.len);
            }
            space.len = word.len = 0;
            sl = wl = 0;
            sk_buf_putc(out, '\n');
            cur = 0;
        } else if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f') {
            if (!space.len || word.len) {
                cur += sl + wl;
                sk_buf_append(out, space.p, space.len);
                sk_buf_append(out, word.p, word.len);
                space.len = word.len = 0;
                sl = wl = 0;
            }
            sk_buf_putc(&space, ch);
            sl++;
        } else {
            sk_buf_append(&word, p, n);
            wl++;
            if (cur + sl + wl > lim && wl < lim) {
                sk_buf_putc(out, '\n');
                cur = 0;
                space.len = 0;
                sl = 0;
            }
        }
        p += n;
    }
    if (!word.len) {
        if (cur + sl <= lim) sk_buf_append(out, space.p, space.len);
    } else {
        sk_buf_append(out, space.p, space.len);
        sk_buf_append(out, word.p, word.len);
    }
    sk_buf_free(&word);
    sk_buf_free(&space);
}

/* sprig's indent: pad the start and every line after a newline. */
static void indent(const char *s, size_t n, struct sk_buf *out)
{
    for (size_t i = 0; i < n; i++)
        sk_buf_putc(out, ' ');
    for (; *s; s++) {
        sk_buf_putc(out, *s);
        if (*s == '\n')
            for (size_t i = 0; i < n; i++)
                sk_buf_putc(out, ' ');
    }
}

static void wrap_indent(const char *s, size_t lim, size_t ind, struct sk_buf *out)
{
    struct sk_buf w = {0};
    wrap(s, lim, &w);
    sk_buf_putc(&w, 0);
    indent(w.p, ind, out);
    sk_buf_free(&w);
}

static bool is_map_schema(const struct sk_val *v)
{
    return v && v->type == SK_V_MAP;
}

static void type_guess(const struct ex *x, const struct sk_val *s, struct sk_buf *out)
{
    const struct sk_val *items = sk_map_get(s, "items");
    const struct sk_val *ap = sk_map_get(s, "additionalProperties");
    const struct sk_val *all = sk_map_get(s, "allOf");
    const char *ref = sk_val_str_at(s, "$ref", NULL);
    if (is_map_schema(items)) {
        sk_buf_puts(out, "[]");
        type_guess(x, items, out);
    } else if (is_map_schema(ap)) {
        sk_buf_puts(out, "map[string]");
        type_guess(x, ap, out);
    } else if (sk_arr_len(all) == 1 && !sk_map_get(s, "properties")) {
        type_guess(x, sk_arr_get(all, 0), out);
    } else if (ref) {
        const struct sk_val *rs = resolve(x, s);
        const char *rt = rs != s ? sk_val_str_at(rs, "type", NULL) : NULL;
        if (rs == s || !rt || !strcmp(rt, "object")) {
            const char *dot = strrchr(ref, '.');
            const char *sl = strrchr(ref, '/');
            const char *name = dot ? dot + 1 : sl ? sl + 1 : ref;
            sk_buf_puts(out, *name ? name : "Object");
        } else {
            sk_buf_puts(out, rt);
        }
    } else {
        const char *t = sk_val_str_at(s, "type", NULL);
        sk_buf_puts(out, !t || !strcmp(t, "object") ? "Object" : t);
    }
}

static void enum_text(const struct sk_val *s, bool long_view, int limit, size_t ind,
                      struct sk_buf *out)
{
    const struct sk_val *e = sk_map_get(s, "enum");
    if (!sk_arr_len(e)) return;
    if (!long_view) {
        sk_buf_putc(out, '\n');
        for (size_t i = 0; i < ind; i++)
            sk_buf_putc(out, ' ');
        sk_buf_puts(out, "enum: ");
    } else {
        sk_buf_puts(out, "ENUM:");
    }
    for (size_t i = 0; i < sk_arr_len(e); i++) {
        if (limit > -1 && (int)i >= limit) {
            sk_buf_puts(out, ", ....");
            break;
        }
        if (i > 0 && !long_view)
            sk_buf_puts(out, ", ");
        else if (long_view)
            sk_buf_puts(out, "\n    ");
        const struct sk_val *v = sk_arr_get(e, i);
        const char *str = sk_val_cstr(v);
        if (str && !*str)
            sk_buf_puts(out, "\"\"");
        else
            sk_go_sprint(v, out);
    }
}

static void description(const struct ex *x, const struct sk_val *schema, struct sk_buf *out)
{
    const struct sk_val *s = resolve(x, schema);
    const char *d = sk_val_str_at(s, "description", NULL);
    if (d && *d) {
        sk_buf_puts(out, d);
        sk_buf_putc(out, '\n');
    }
    const struct sk_val *all = sk_map_get(s, "allOf");
    for (size_t i = 0; i < sk_arr_len(all); i++)
        description(x, sk_arr_get(all, i), out);
    if (is_map_schema(sk_map_get(s, "items"))) description(x, sk_map_get(s, "items"), out);
    if (is_map_schema(sk_map_get(s, "additionalProperties")))
        description(x, sk_map_get(s, "additionalProperties"), out);
}

struct hist {
    const char *refs[64];
    size_t n;
};

static bool seen(const struct hist *h, const char *ref)
{
    for (size_t i = 0; ref && i < h->n; i++)
        if (!strcmp(h->refs[i], ref)) return true;
    return false;
}

static void hist_add(struct hist *h, const char *ref)
{
    if (ref && h->n < 64) h->refs[h->n++] = ref;
}

static bool in_required(const struct sk_val *s, const char *name)
{
    const struct sk_val *r = sk_map_get(s, "required");
    for (size_t i = 0; i < sk_arr_len(r); i++) {
        const char *x = sk_val_cstr(sk_arr_get(r, i));
        if (x && !strcmp(x, name)) return true;
    }
    return false;
}

static int kv_cmp(const void *a, const void *b)
{
    return strcmp(((const struct sk_kv *)a)->key, ((const struct sk_kv *)b)->key);
}

static void field_list(const struct ex *x, const struct sk_val *schema, int level, struct hist h,
                       struct sk_buf *out)
{
    const char *ref = sk_val_str_at(schema, "$ref", NULL);
    if (ref && seen(&h, ref)) return;
    hist_add(&h, ref);
    const struct sk_val *s = resolve(x, schema);
    const struct sk_val *props = sk_map_get(s, "properties");
    if (props && props->type == SK_V_MAP) {
        struct sk_kv *kv = sk_xcalloc(props->u.m.n + 1, sizeof(*kv));
        memcpy(kv, props->u.m.kv, props->u.m.n * sizeof(*kv));
        qsort(kv, props->u.m.n, sizeof(*kv), kv_cmp);
        for (size_t i = 0; i < props->u.m.n; i++) {
            size_t ind = (size_t)level * 2;
            const struct sk_val *fs = kv[i].val;
            for (size_t k = 0; k < ind; k++)
                sk_buf_putc(out, ' ');
            sk_buf_printf(out, "%s\t<", kv[i].key);
            type_guess(x, fs, out);
            sk_buf_putc(out, '>');
            if (in_required(s, kv[i].key)) sk_buf_puts(out, " -required-");
            enum_text(fs, false, 4, ind, out);
            sk_buf_putc(out, '\n');
            if (!x->recursive) {
                const char *d = sk_val_str_at(fs, "description", NULL);
                wrap_indent(d && *d ? d : "<no description>", 78 - ind, ind + 2, out);
                sk_buf_puts(out, "\n\n");
            } else {
                field_list(x, fs, level + 1, h, out);
            }
        }
        free(kv);
    }
    const struct sk_val *all = sk_map_get(s, "allOf");
    for (size_t i = 0; i < sk_arr_len(all); i++)
        field_list(x, sk_arr_get(all, i), level, h, out);
    if (is_map_schema(sk_map_get(s, "items"))) field_list(x, sk_map_get(s, "items"), level, h, out);
    if (is_map_schema(sk_map_get(s, "additionalProperties")))
        field_list(x, sk_map_get(s, "additionalProperties"), level, h, out);
}

/* The "output" template: follow path, then print; returns whether anything was printed. */
static bool output(const struct ex *x, const struct sk_val *schema, char **path, size_t np,
                   struct hist h, struct sk_buf *out)
{
    const char *ref = sk_val_str_at(schema, "$ref", NULL);
    bool was_seen = ref && seen(&h, ref);
    struct hist next = h;
    hist_add(&next, ref);
    const struct sk_val *s = resolve(x, schema);
    size_t start = out->len;
    if (!np) {
        sk_buf_puts(out, "DESCRIPTION:\n");
        struct sk_buf d = {0};
        description(x, s, &d);
        sk_buf_putc(&d, 0);
        wrap_indent(d.len > 1 ? d.p : "<empty>", 76, 4, out);
        sk_buf_free(&d);
        sk_buf_putc(out, '\n');
        struct sk_buf fl = {0};
        struct hist fresh = {0};
        field_list(x, s, 1, fresh, &fl);
        if (fl.len) {
            sk_buf_puts(out, "FIELDS:\n");
            sk_buf_append(out, fl.p, fl.len);
        }
        sk_buf_free(&fl);
        return true;
    }
    if (was_seen) return false;
    const struct sk_val *props = sk_map_get(s, "properties");
    const struct sk_val *sub = sk_map_get(props, path[0]);
    if (sub) {
        if (np == 1) {
            sk_buf_printf(out, "FIELD: %s <", path[0]);
            type_guess(x, sub, out);
            sk_buf_puts(out, ">\n");
            enum_text(sub, true, -1, 0, out);
            sk_buf_puts(out, "\n\n");
        }
        struct hist fresh = {0};
        if (output(x, sub, path + 1, np - 1, fresh, out)) return true;
        return out->len > start;
    }
    if (is_map_schema(sk_map_get(s, "items")))
        return output(x, sk_map_get(s, "items"), path, np, next, out);
    if (is_map_schema(sk_map_get(s, "additionalProperties")))
        return output(x, sk_map_get(s, "additionalProperties"), path, np, next, out);
    const struct sk_val *all = sk_map_get(s, "allOf");
    for (size_t i = 0; i < sk_arr_len(all); i++) {
        size_t before = out->len;
        if (output(x, sk_arr_get(all, i), path, np, next, out) && out->len > before) return true;
        out->len = before;
    }
    return false;
}

static const struct sk_cli_flag explain_flags[] = {
        {"api-version", 0, SK_FLAG_STRING, "",
         "Use given api-version (group/version) of the resource."},
        {"output", 'o', SK_FLAG_STRING, "plaintext",
         "Format in which to render the schema. Valid values are: (plaintext, "
         "plaintext-openapiv2)."},
        {"recursive", 0, SK_FLAG_BOOL, "false",
         "When true, print the name of all the fields recursively. Otherwise, print the "
         "available fields with their description."},
        {0},
};

static int explain_run(struct sk_cli *c)
{
    if (c->nargs != 1) {
        if (!c->nargs)
            return sk_cli_usage_fail(c, "You must specify the type of resource to explain. Use "
                                        "\"skiff api-resources\" for a complete list of supported "
                                        "resources.");
        return sk_cli_fail(c, "We accept only this format: explain RESOURCE");
    }
    const char *o = sk_cli_str(c, "output");
    if (o && strcmp(o, "plaintext") && strcmp(o, "plaintext-openapiv2"))
        return sk_cli_fail(c, "unsupported output format: %s", o);
    /* RESOURCE[.FIELD...]: the resource is the first segment */
    char *arg = sk_xstrdup(c->args[0]);
    char *parts[128];
    size_t np = 0;
    for (char *p = arg, *save = NULL, *t; np < 128 && (t = strtok_r(p, ".", &save)); p = NULL)
        parts[np++] = t;
    int rc = 0;
    const struct sk_kind *k = np ? sk_kind_by_name(parts[0]) : NULL;
    if (!k) {
        /* kubectl words this one without "error: " */
        if (np) fprintf(c->err, "the server doesn't have a resource type \"%s\"\n", parts[0]);
        free(arg);
        return np ? 1 : sk_cli_fail(c, "We accept only this format: explain RESOURCE");
    }
    const char *av = sk_cli_str(c, "api-version");
    if (av && strcmp(av, sk_kind_api_version(k))) {
        free(arg);
        return sk_cli_fail(c, "couldn't find resource for \"%s\"", av);
    }
    struct sk_val *doc = sk_openapi_v3(k->group, k->version);
    struct ex x = {.doc = doc, .recursive = sk_cli_bool(c, "recursive")};
    /* the kind's schema: the one carrying its group-version-kind */
    const struct sk_val *schemas = sk_val_at(doc, "components", "schemas", NULL);
    const struct sk_val *root = NULL;
    for (size_t i = 0; schemas && schemas->type == SK_V_MAP && i < schemas->u.m.n && !root; i++) {
        const struct sk_val *g =
                sk_map_get(schemas->u.m.kv[i].val, "x-kubernetes-group-version-kind");
        for (size_t j = 0; j < sk_arr_len(g); j++) {
            const struct sk_val *e = sk_arr_get(g, j);
            const char *eg = sk_val_str_at(e, "group", NULL), *ek = sk_val_str_at(e, "kind", NULL),
                       *ev = sk_val_str_at(e, "version", NULL);
            if (eg && ek && ev && !strcmp(eg, k->group) && !strcmp(ek, k->kind) &&
                !strcmp(ev, k->version))
                root = schemas->u.m.kv[i].val;
        }
    }
    struct sk_buf out = {0};
    if (!root) {
        rc = sk_cli_fail(c, "GVK %s/%s, Kind=%s not found in OpenAPI schema", k->group, k->version,
                         k->kind);
    } else {
        if (*k->group) sk_buf_printf(&out, "GROUP:      %s\n", k->group);
        sk_buf_printf(&out, "KIND:       %s\nVERSION:    %s\n\n", k->kind, k->version);
        struct hist h = {0};
        size_t before = out.len;
        if (!output(&x, root, parts + 1, np - 1, h, &out) || out.len == before) {
            /* the header is out before kubectl's template fails */
            fwrite(out.p, 1, before, c->out);
            fflush(c->out);
            rc = sk_cli_fail(c, "field \"%s\" does not exist", parts[np - 1]);
        } else {
            sk_buf_putc(&out, '\n');
            fwrite(out.p, 1, out.len, c->out);
        }
    }
    sk_buf_free(&out);
    sk_val_free(doc);
    free(arg);
    return rc;
}

const struct sk_cli_verb sk_cli_verb_explain = {
        .name = "explain",
        .short_help = "Get documentation for a resource",
        .long_help =
                "Describe fields and structure of various resources.\n\n"
                " This command describes the fields associated with each supported API resource. "
                "Fields are identified via a simple JSONPath identifier:\n\n"
                "        <type>.<fieldName>[.<fieldName>]\n\n"
                " Information about each field is retrieved from the server in OpenAPI format.\n\n"
                "Use \"skiff api-resources\" for a complete list of supported resources.",
        .usage = "skiff explain TYPE [--recursive=FALSE|TRUE] [--api-version=api-version-group] "
                 "[-o|--output=plaintext|plaintext-openapiv2] [options]",
        .examples = "  # Get the documentation of the resource and its fields\n"
                    "  skiff explain pods\n\n"
                    "  # Get all the fields in the resource\n"
                    "  skiff explain pods --recursive\n\n"
                    "  # Get the documentation of a specific field of a resource\n"
                    "  skiff explain pods.spec.containers",
        .flags = explain_flags,
        .run = explain_run,
};
