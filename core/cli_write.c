/* What the CLI's write verbs share: kubectl's resource builder (-f files,
 * TYPE NAME, TYPE/NAME, -l, --all, -A), error lines that name the file the
 * object came from, and small request helpers. */
#include "cli_write.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mem.h"
#include "selector.h"

/* ---- errors ---- */

static void errs_push(struct sk_cliw_errs *e, char *line)
{
    e->lines = sk_xrealloc(e->lines, (e->n + 1) * sizeof(*e->lines));
    e->lines[e->n++] = line;
}

/* kubectl's CheckErr text for a lone Invalid answer: "The Kind \"name\" is
 * invalid: field: message" (several causes one per line under "* "). */
static char *invalid_text(const struct sk_val *st)
{
    const struct sk_val *d = sk_map_get(st, "details");
    if (!d) return NULL;
    const char *kind = sk_val_str_at(d, "kind", NULL);
    const char *name = sk_val_str_at(d, "name", NULL);
    struct sk_buf b = {0};
    if ((kind && *kind) || (name && *name))
        sk_buf_printf(&b, "The %s \"%s\" is invalid", kind ? kind : "", name ? name : "");
    else
        sk_buf_puts(&b, "The request is invalid");
    const struct sk_val *causes = sk_map_get(d, "causes");
    size_t n = sk_arr_len(causes);
    if (n == 1) {
        const struct sk_val *cs = sk_arr_get(causes, 0);
        sk_buf_printf(&b, ": %s: %s", sk_val_str_at(cs, "field", NULL) ?: "",
                      sk_val_str_at(cs, "message", NULL) ?: "");
    } else if (n > 1) {
        sk_buf_puts(&b, ": ");
        for (size_t i = 0; i < n; i++) {
            const struct sk_val *cs = sk_arr_get(causes, i);
            sk_buf_printf(&b, "\n* %s: %s", sk_val_str_at(cs, "field", NULL) ?: "",
                          sk_val_str_at(cs, "message", NULL) ?: "");
        }
    }
    return sk_buf_take(&b, NULL);
}

void sk_cliw_err_resp(struct sk_cliw_errs *e, const struct sk_kresp *r, const char *verb_ing,
                      const char *source)
{
    struct sk_val *st = NULL;
    if (r->body) sk_json_parse(r->body, r->body_len, &st, NULL);
    const char *kind = sk_val_str_at(st, "kind", NULL);
    const char *msg = sk_val_str_at(st, "message", NULL);
    const char *reason = sk_val_str_at(st, "reason", NULL);
    if (r->status != 401 && kind && !strcmp(kind, "Status") && msg) {
        if (source && verb_ing)
            errs_push(e,
                      sk_xasprintf("Error from server (%s): error when %s \"%s\": %s",
                                   reason && *reason ? reason : "Unknown", verb_ing, source, msg));
        else
            errs_push(e, sk_xasprintf("Error from server (%s): %s",
                                      reason && *reason ? reason : "Unknown", msg));
        if (e->n == 1 && reason && !strcmp(reason, "Invalid")) e->invalid = invalid_text(st);
    } else {
        errs_push(e, sk_kclient_error_line(r));
    }
    sk_val_free(st);
}

void sk_cliw_err_line(struct sk_cliw_errs *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) abort();
    va_end(ap);
    errs_push(e, s);
}

int sk_cliw_errs_flush(struct sk_cli *c, struct sk_cliw_errs *e)
{
    int rc = e->n ? 1 : 0;
    fflush(c->out); /* what was done comes before the errors, as kubectl prints */
    if (e->n == 1 && e->invalid)
        fprintf(c->err, "%s\n", e->invalid);
    else
        for (size_t i = 0; i < e->n; i++)
            fprintf(c->err, "%s\n", e->lines[i]);
    for (size_t i = 0; i < e->n; i++)
        free(e->lines[i]);
    free(e->lines);
    free(e->invalid);
    memset(e, 0, sizeof(*e));
    return rc;
}

int sk_cliw_unexpected_args(struct sk_cli *c)
{
    fprintf(c->err, "error: Unexpected args: [");
    for (int i = 0; i < c->nargs; i++)
        fprintf(c->err, "%s%s", i ? " " : "", c->args[i]);
    fprintf(c->err, "]\nSee '%s -h' for help and examples\n", c->cmd_path);
    return 1;
}

/* ---- requests ---- */

int sk_cliw_call(struct sk_cli *c, const char *method, const char *path, const char *ctype,
                 const struct sk_val *body, struct sk_val **out, struct sk_kresp *resp)
{
    size_t blen = 0;
    char *b = body ? sk_json_dump(body, SK_JSON_COMPACT, &blen) : NULL;
    struct sk_kresp r = {0};
    int rc = sk_cli_request(c, method, path, body ? (ctype ? ctype : "application/json") : NULL, b,
                            blen, NULL, &r);
    free(b);
    if (rc) return 1;
    if (r.status < 200 || r.status > 299) {
        *resp = r;
        return 2;
    }
    if (out) {
        *out = NULL;
        if (r.body && r.body_len) sk_json_parse(r.body, r.body_len, out, NULL);
        if (!*out) *out = sk_val_map();
    }
    sk_kresp_free(&r);
    return 0;
}

char *sk_cliw_reason(const struct sk_kresp *r)
{
    struct sk_val *st = NULL;
    if (r->body) sk_json_parse(r->body, r->body_len, &st, NULL);
    const char *reason = sk_val_str_at(st, "reason", NULL);
    char *s = sk_xstrdup(reason ? reason : (r->status == 404 ? "NotFound" : ""));
    sk_val_free(st);
    return s;
}

char *sk_cliw_query(const char *first_key, ...)
{
    struct sk_buf b = {0};
    va_list ap;
    va_start(ap, first_key);
    for (const char *k = first_key; k; k = va_arg(ap, const char *)) {
        const char *v = va_arg(ap, const char *);
        if (!v) continue;
        char *ev = sk_kclient_escape(v);
        sk_buf_printf(&b, "%c%s=%s", b.len ? '&' : '?', k, ev);
        free(ev);
    }
    va_end(ap);
    if (!b.len) return sk_xstrdup("");
    return sk_buf_take(&b, NULL);
}

const char *sk_cliw_dry_run(struct sk_cli *c, bool *bad)
{
    *bad = false;
    const char *d = sk_cli_str(c, "dry-run");
    if (!d || !*d || !strcmp(d, "none")) return NULL;
    if (!strcmp(d, "client") || !strcmp(d, "server")) return d;
    if (!strcmp(d, "true") || !strcmp(d, "false")) {
        *bad = true;
        sk_cli_fail(c, "Invalid dry-run value (%s). Must be \"none\", \"server\", or \"client\".",
                    d);
        return NULL;
    }
    *bad = true;
    sk_cli_fail(c, "Invalid dry-run value (%s). Must be \"none\", \"server\", or \"client\".", d);
    return NULL;
}

const char *sk_cliw_resource_group(const struct sk_kind *k, char *buf, size_t n)
{
    if (k->group && *k->group)
        snprintf(buf, n, "%s.%s", k->plural, k->group);
    else
        snprintf(buf, n, "%s", k->plural);
    return buf;
}

/* ---- the resource builder ---- */

static void info_push(struct sk_cliw_infos *in, const struct sk_kind *k, const char *ns,
                      const char *name, struct sk_val *obj, const char *source)
{
    in->v = sk_xrealloc(in->v, (in->n + 1) * sizeof(*in->v));
    in->v[in->n++] = (struct sk_cliw_info){
            .kind = k,
            .ns = k->namespaced && ns ? sk_xstrdup(ns) : NULL,
            .name = sk_xstrdup(name ? name : ""),
            .obj = obj,
            .source = source,
    };
}

void sk_cliw_infos_free(struct sk_cliw_infos *in)
{
    for (size_t i = 0; i < in->n; i++) {
        free(in->v[i].ns);
        free(in->v[i].name);
        sk_val_free(in->v[i].obj);
    }
    free(in->v);
    sk_cli_docs_free(&in->docs);
    memset(in, 0, sizeof(*in));
}

int sk_cliw_doc_ns(struct sk_cli *c, const struct sk_kind *k, struct sk_val *obj,
                   const char **ns_out)
{
    *ns_out = NULL;
    if (!k->namespaced) return 0;
    const char *own = sk_obj_namespace(obj);
    const char *def = sk_cli_namespace(c);
    if (own && *own) {
        if (sk_cli_namespace_explicit(c) && strcmp(own, def))
            return sk_cli_fail(c,
                               "the namespace from the provided object \"%s\" does not match "
                               "the namespace \"%s\". You must pass '--namespace=%s' to perform "
                               "this operation.",
                               own, def, own);
        *ns_out = own;
        return 0;
    }
    sk_val_set_at(obj, sk_val_str(def), "metadata", "namespace", NULL);
    *ns_out = sk_obj_namespace(obj);
    return 0;
}

/* GET one object; 0 with *out, 2 after recording the error (or skipping a
 * NotFound), 1 on transport failure. */
static int fetch_one(struct sk_cli *c, const struct sk_kind *k, const char *ns, const char *name,
                     const struct sk_cliw_sel *s, const char *source, struct sk_cliw_errs *errs,
                     struct sk_val **out)
{
    char *path = sk_cli_path(k, ns, name, NULL, NULL);
    struct sk_kresp r = {0};
    int rc = sk_cliw_call(c, "GET", path, NULL, NULL, out, &r);
    free(path);
    if (rc == 2) {
        if (!(s->ignore_not_found && r.status == 404))
            sk_cliw_err_resp(errs, &r, source ? "retrieving current configuration of" : NULL,
                             source);
        sk_kresp_free(&r);
    }
    return rc;
}

static int list_kind(struct sk_cli *c, const struct sk_kind *k, const struct sk_cliw_sel *s,
                     struct sk_cliw_infos *out, struct sk_cliw_errs *errs)
{
    char *q = sk_cliw_query(
            "labelSelector", s->selector && *s->selector ? s->selector : NULL, "fieldSelector",
            s->field_selector && *s->field_selector ? s->field_selector : NULL, NULL);
    const char *ns = s->all_ns ? NULL : sk_cli_namespace(c);
    char *path = sk_cli_path(k, ns, NULL, NULL, *q ? q + 1 : NULL);
    free(q);
    struct sk_val *list = NULL;
    struct sk_kresp r = {0};
    int rc = sk_cliw_call(c, "GET", path, NULL, NULL, &list, &r);
    free(path);
    if (rc == 2) {
        sk_cliw_err_resp(errs, &r, NULL, NULL);
        sk_kresp_free(&r);
        return 0;
    }
    if (rc) return 1;
    struct sk_val *items = sk_map_get(list, "items");
    for (size_t i = 0; i < sk_arr_len(items); i++) {
        struct sk_val *it = sk_val_dup(sk_arr_get(items, i));
        if (!sk_map_get(it, "kind")) {
            sk_map_set(it, "kind", sk_val_str(k->kind));
            sk_map_set(it, "apiVersion", sk_val_str(sk_kind_api_version(k)));
        }
        info_push(out, k, sk_obj_namespace(it), sk_obj_name(it), it, NULL);
    }
    sk_val_free(list);
    return 0;
}

int sk_cliw_collect(struct sk_cli *c, char **args, int nargs, const struct sk_cliw_sel *s,
                    struct sk_cliw_infos *out, struct sk_cliw_errs *errs, bool *empty_list)
{
    memset(out, 0, sizeof(*out));
    if (empty_list) *empty_list = false;
    bool have_files = s->files && s->files->n > 0;
    bool have_sel = s->selector && *s->selector;
    if (have_files) {
        if (nargs > 0)
            return sk_cli_fail(c, "Unexpected args: [%s%s]", args[0], nargs > 1 ? " ..." : "");
        if (sk_cli_read_docs(c, s->files, s->recursive, &out->docs)) return 1;
        for (size_t i = 0; i < out->docs.n; i++) {
            const struct sk_kind *k;
            struct sk_cli_doc *d = &out->docs.v[i];
            if (sk_cli_doc_kind(c, d, &k)) return 1;
            const char *ns;
            if (sk_cliw_doc_ns(c, k, d->obj, &ns)) return 1;
            const char *name = sk_obj_name(d->obj);
            if (have_sel) {
                /* kubectl filters -f documents by their own labels */
                struct sk_labelsel *ls = NULL;
                struct sk_error *e = NULL;
                if (sk_labelsel_parse(s->selector, &ls, &e)) {
                    int rc = sk_cli_fail(c, "%s", sk_error_msg(e, SK_EINVAL));
                    sk_error_free(e);
                    return rc;
                }
                bool m = sk_labelsel_matches(ls, sk_obj_labels(d->obj));
                sk_labelsel_free(ls);
                if (!m) continue;
            }
            struct sk_val *obj = NULL;
            if (s->fetch) {
                int rc = fetch_one(c, k, ns, name, s, d->source, errs, &obj);
                if (rc == 1) return 1;
                if (rc == 2) continue;
            } else {
                obj = sk_val_dup(d->obj);
            }
            info_push(out, k, ns, name, obj, d->source);
        }
        return 0;
    }
    if (nargs == 0)
        return sk_cli_fail(c, "You must provide one or more resources by argument or filename.\n"
                              "Example resource specifications include:\n"
                              "   '-f rsrc.yaml'\n"
                              "   '--filename=rsrc.json'\n"
                              "   '<resource> <name>'\n"
                              "   '<resource>'");
    struct sk_cli_targets t = {0};
    if (sk_cli_targets(c, args, nargs, &t)) return 1;
    bool any_name = false, any_type = false;
    for (size_t i = 0; i < t.n; i++) {
        if (t.v[i].name)
            any_name = true;
        else
            any_type = true;
    }
    int rc = 0;
    if (any_name && (have_sel || s->all)) {
        rc = sk_cli_fail(c, "name cannot be provided when a selector is specified");
    } else if (any_type && !have_sel && !s->all && s->names_required) {
        rc = sk_cli_fail(c, "resource(s) were provided, but no name was specified");
    } else {
        bool listed = false;
        const char *ns = sk_cli_namespace(c);
        for (size_t i = 0; i < t.n && !rc; i++) {
            const struct sk_kind *k = t.v[i].kind;
            if (!t.v[i].name) {
                listed = true;
                rc = list_kind(c, k, s, out, errs);
                continue;
            }
            struct sk_val *obj = NULL;
            if (s->fetch) {
                int r2 = fetch_one(c, k, ns, t.v[i].name, s, NULL, errs, &obj);
                if (r2 == 1) rc = 1;
                if (r2) continue;
            }
            info_push(out, k, ns, t.v[i].name, obj, NULL);
        }
        if (!rc && listed && out->n == 0 && empty_list) *empty_list = true;
    }
    sk_cli_targets_free(&t);
    return rc;
}
