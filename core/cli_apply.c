/* `skiff apply`: kubectl's client-side apply (the last-applied-configuration
 * annotation and a three-way strategic merge patch from it, the manifest
 * and the live object) and server-side apply (an apply patch under a field
 * manager). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli_write.h"
#include "json.h"
#include "mem.h"
#include "patch.h"
#include "selector.h"

/* ---- pure: the annotation and the patch ---- */

static int key_cmp(const void *a, const void *b)
{
    const struct sk_kv *x = a, *y = b;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int r = memcmp(x->key, y->key, n);
    if (r) return r;
    return x->klen < y->klen ? -1 : x->klen > y->klen;
}

/* Sort map keys as Go's encoding/json does (bytewise) and turn integral
 * floats into integers as the YAML-to-JSON step of kubectl does, in place. */
static void normalize(struct sk_val *v)
{
    if (!v) return;
    if (v->type == SK_V_MAP) {
        if (v->u.m.n > 1) qsort(v->u.m.kv, v->u.m.n, sizeof(*v->u.m.kv), key_cmp);
        for (size_t i = 0; i < v->u.m.n; i++)
            normalize(v->u.m.kv[i].val);
    } else if (v->type == SK_V_ARR) {
        for (size_t i = 0; i < v->u.a.n; i++)
            normalize(v->u.a.items[i]);
    } else if (v->type == SK_V_FLOAT) {
        double f = v->u.f;
        if (isfinite(f) && f == trunc(f) && fabs(f) < 1e18) {
            v->type = SK_V_INT;
            v->u.i = (int64_t)f;
        }
    }
}

char *sk_apply_last_applied(const struct sk_val *obj)
{
    struct sk_val *o = sk_val_dup(obj);
    if (o->type != SK_V_MAP) {
        sk_val_free(o);
        o = sk_val_map();
    }
    struct sk_val *ann = sk_val_at(o, "metadata", "annotations", NULL);
    if (ann && ann->type == SK_V_MAP)
        sk_map_del(ann, SK_LAST_APPLIED);
    else
        sk_val_set_at(o, sk_val_map(), "metadata", "annotations", NULL);
    normalize(o);
    struct sk_buf b = {0};
    sk_json_write(o, SK_JSON_COMPACT, &b);
    sk_buf_putc(&b, '\n');
    sk_val_free(o);
    return sk_buf_take(&b, NULL);
}

struct sk_val *sk_apply_modified(const struct sk_val *obj)
{
    char *la = sk_apply_last_applied(obj);
    struct sk_val *o = sk_val_dup(obj);
    if (o->type != SK_V_MAP) {
        sk_val_free(o);
        o = sk_val_map();
    }
    struct sk_val *ann = sk_val_at(o, "metadata", "annotations", NULL);
    if (!ann || ann->type != SK_V_MAP)
        ann = sk_val_set_at(o, sk_val_map(), "metadata", "annotations", NULL);
    sk_map_set(ann, SK_LAST_APPLIED, sk_val_str(la));
    free(la);
    normalize(o);
    return o;
}

sk_err sk_apply_patch(const struct sk_kind *k, const struct sk_val *modified,
                      const struct sk_val *live, bool *had_last_applied, struct sk_val **out,
                      struct sk_error **err)
{
    *out = NULL;
    const char *la = sk_obj_annotation(live, SK_LAST_APPLIED);
    struct sk_val *original = NULL;
    *had_last_applied = la != NULL;
    if (la && *la) {
        struct sk_error *e = NULL;
        if (sk_json_parse(la, strlen(la), &original, &e)) {
            sk_err rc = sk_fail(err, SK_EINVAL, "unable to decode the %s annotation: %s",
                                SK_LAST_APPLIED, sk_error_msg(e, SK_EINVAL));
            sk_error_free(e);
            return rc;
        }
    }
    struct sk_patch_schema ps = sk_patch_schema_for_kind(k);
    sk_err rc = sk_strategic_three_way(original, modified, live, &ps, out, err);
    sk_val_free(original);
    return rc;
}

/* ---- the verb ---- */

static const struct sk_cli_flag apply_flags[] = {
        {"all", 0, SK_FLAG_BOOL, "false",
         "Select all resources in the namespace of the specified resource types."},
        {"dry-run", 0, SK_FLAG_STRING, "none",
         "Must be \"none\", \"server\", or \"client\". If client strategy, only print the object "
         "that would be sent, without sending it. If server strategy, submit server-side request "
         "without persisting the resource."},
        {"field-manager", 0, SK_FLAG_STRING, "kubectl-client-side-apply",
         "Name of the manager used to track field ownership."},
        {"filename", 'f', SK_FLAG_STRINGS, "[]",
         "The files that contain the configurations to apply."},
        {"force-conflicts", 0, SK_FLAG_BOOL, "false",
         "If true, server-side apply will force the changes against conflicts."},
        {"output", 'o', SK_FLAG_STRING, "",
         "Output format. One of: (json, yaml, name, go-template, go-template-file, template, "
         "templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."},
        {"overwrite", 0, SK_FLAG_BOOL, "true",
         "Automatically resolve conflicts between the modified and live configuration by using "
         "values from the modified configuration"},
        {"prune", 0, SK_FLAG_BOOL, "false",
         "Automatically delete resource objects, that do not appear in the configs and are "
         "created by either apply or create --save-config. Not supported by skiff."},
        {"recursive", 'R', SK_FLAG_BOOL, "false",
         "Process the directory used in -f, --filename recursively. Useful when you want to "
         "manage related manifests organized within the same directory."},
        {"selector", 'l', SK_FLAG_STRING, "",
         "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l "
         "key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the "
         "specified label constraints."},
        {"server-side", 0, SK_FLAG_BOOL, "false",
         "If true, apply runs in the server instead of the client."},
        {"validate", 0, SK_FLAG_STRING, "strict",
         "Must be one of: strict (or true), warn, ignore (or false). \"true\" or \"strict\" will "
         "use a schema to validate the input and fail the request if invalid."},
        {0},
};

/* --validate as the fieldValidation query value, or NULL when bad (printed). */
static const char *field_validation(struct sk_cli *c)
{
    const char *v = sk_cli_str(c, "validate");
    if (!v || !strcmp(v, "strict") || !strcmp(v, "true")) return "Strict";
    if (!strcmp(v, "warn")) return "Warn";
    if (!strcmp(v, "ignore") || !strcmp(v, "false")) return "Ignore";
    sk_cli_fail(c,
                "invalid - validate option \"%s\"; must be one of: strict (or true), warn, ignore "
                "(or false)",
                v);
    return NULL;
}

struct apply_run {
    struct sk_cli *c;
    const char *dry;     /* NULL, "client", "server" */
    const char *fv;      /* fieldValidation */
    const char *manager; /* field manager */
    const char *output;  /* -o or NULL */
    size_t printed;
    struct sk_cliw_errs errs;
};

static void report(struct apply_run *a, const struct sk_kind *k, const struct sk_val *obj,
                   const char *name, const char *action)
{
    if (a->output) {
        struct sk_val *const objs[1] = {(struct sk_val *)obj};
        const struct sk_kind *const kinds[1] = {k};
        if (!strcmp(a->output, "yaml") && a->printed) fputs("---\n", a->c->out);
        sk_cli_print_objs(a->c, a->output, objs, kinds, 1);
        a->printed++;
        return;
    }
    sk_cli_print_action(a->c, k, name, action, a->dry);
}

static const char *conflict_help =
        "Please review the fields above--they currently have other managers. Here\n"
        "are the ways you can resolve this warning:\n"
        "* If you intend to manage all of these fields, please re-run the apply\n"
        "  command with the `--force-conflicts` flag.\n"
        "* If you do not intend to manage all of the fields, please edit your\n"
        "  manifest to remove references to the fields that should keep their\n"
        "  current managers.\n"
        "* You may co-own fields by updating your manifest to match the existing\n"
        "  value; in this case, you'll become the manager if the other manager(s)\n"
        "  stop managing the field (remove it from their configuration).\n"
        "See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts";

/* ---- server-side apply: kubectl's hand-over from client-side apply ---- */

/* Whether FieldsV1 set f holds the last-applied annotation. */
static bool owns_last_applied(const struct sk_val *f)
{
    return sk_val_at(f, "f:metadata", "f:annotations", "f:" SK_LAST_APPLIED, NULL) != NULL;
}

/* FieldsV1 union: a into *into (both sets of paths as nested maps). */
static void fields_union(struct sk_val *into, const struct sk_val *a)
{
    for (size_t i = 0; a && a->type == SK_V_MAP && i < a->u.m.n; i++) {
        struct sk_val *have = sk_map_get(into, a->u.m.kv[i].key);
        if (have && have->type == SK_V_MAP)
            fields_union(have, a->u.m.kv[i].val);
        else
            sk_map_set(into, a->u.m.kv[i].key, sk_val_dup(a->u.m.kv[i].val));
    }
}

static bool is_entry(const struct sk_val *e, const char *manager, const char *op)
{
    const char *m = sk_val_str_at(e, "manager", NULL), *o = sk_val_str_at(e, "operation", NULL);
    const char *sub = sk_val_str_at(e, "subresource", NULL);
    return m && o && !strcmp(m, manager) && !strcmp(o, op) && (!sub || !*sub);
}

/* csaupgrade.UpgradeManagedFields for one client-side manager: its Update
 * entry becomes (or is merged into) ssa's Apply entry. mf is changed in
 * place. */
static void upgrade_manager(struct sk_val *mf, const char *csa, const char *ssa)
{
    size_t n = sk_arr_len(mf), target = n;
    for (size_t i = 0; i < n && target == n; i++)
        if (is_entry(sk_arr_get(mf, i), ssa, "Apply")) target = i;
    if (target == n) {
        for (size_t i = 0; i < n && target == n; i++)
            if (is_entry(sk_arr_get(mf, i), csa, "Update")) target = i;
        if (target == n) return;
        struct sk_val *t = sk_arr_get(mf, target);
        sk_map_set(t, "manager", sk_val_str(ssa));
        sk_map_set(t, "operation", sk_val_str("Apply"));
    }
    struct sk_val *t = sk_arr_get(mf, target);
    const char *av = sk_val_str_at(t, "apiVersion", NULL) ?: "";
    struct sk_val *fs = sk_map_get(t, "fieldsV1");
    if (!fs) fs = sk_map_set(t, "fieldsV1", sk_val_map());
    for (size_t i = 0; i < n; i++) {
        const struct sk_val *e = sk_arr_get(mf, i);
        const char *eav = sk_val_str_at(e, "apiVersion", NULL) ?: "";
        if (i != target && is_entry(e, csa, "Update") && !strcmp(av, eav)) {
            fields_union(fs, sk_map_get(e, "fieldsV1"));
            break;
        }
    }
    for (size_t i = n; i-- > 0;)
        if (is_entry(sk_arr_get(mf, i), csa, "Update")) sk_arr_remove(mf, i);
}

/* After a server-side apply as "kubectl": keep the last-applied annotation
 * in step (applied as "kubectl-last-applied") and hand the client-side
 * managers' fields to the server-side one, as kubectl does. Returns 0,
 * 1 on a transport failure, 2 when managers moved (kubectl then applies
 * once more). Error answers are recorded (the apply itself is done). */
static int after_server_side(struct apply_run *a, const struct sk_kind *k, const char *ns,
                             const char *name, const struct sk_val *obj, struct sk_val **res)
{
    struct sk_cli *c = a->c;
    if (strcmp(a->manager, "kubectl") || !sk_obj_annotation(*res, SK_LAST_APPLIED)) return 0;
    struct sk_val *m = sk_val_dup(obj);
    struct sk_val *ann = sk_val_at(m, "metadata", "annotations", NULL);
    if (ann) {
        sk_map_del(ann, SK_LAST_APPLIED);
        if (sk_map_len(ann) == 0) sk_map_del(sk_map_get(m, "metadata"), "annotations");
    }
    normalize(m);
    char *la = sk_json_dump(m, SK_JSON_COMPACT, NULL);
    sk_val_free(m);
    struct sk_val *body = sk_val_map();
    sk_map_set(body, "apiVersion", sk_val_str(sk_kind_api_version(k)));
    sk_map_set(body, "kind", sk_val_str(k->kind));
    struct sk_val *md = sk_map_set(body, "metadata", sk_val_map());
    sk_map_set(md, "name", sk_val_str(name));
    if (ns) sk_map_set(md, "namespace", sk_val_str(ns));
    sk_val_set_at(md, sk_val_str(la), "annotations", SK_LAST_APPLIED, NULL);
    free(la);
    char *q = sk_cliw_query("fieldManager", "kubectl-last-applied", "fieldValidation", a->fv, NULL);
    char *path = sk_cli_path(k, ns, name, NULL, q + 1);
    free(q);
    struct sk_kresp r = {0};
    struct sk_val *got = NULL;
    int st = sk_cliw_call(c, "PATCH", path, "application/apply-patch+yaml", body, &got, &r);
    sk_val_free(body);
    if (st == 2) {
        sk_cliw_err_resp(&a->errs, &r, NULL, NULL);
        sk_kresp_free(&r);
    }
    if (st) {
        free(path);
        return st == 1;
    }
    sk_val_free(*res);
    *res = got;
    /* the client-side managers: Update entries owning the annotation */
    const struct sk_val *mf_before = sk_val_at(got, "metadata", "managedFields", NULL);
    struct sk_val *csa = sk_val_arr();
    for (size_t i = 0; i < sk_arr_len(mf_before); i++) {
        const struct sk_val *e = sk_arr_get(mf_before, i);
        const char *op = sk_val_str_at(e, "operation", NULL);
        const char *mgr = sk_val_str_at(e, "manager", NULL);
        if (mgr && op && !strcmp(op, "Update") && owns_last_applied(sk_map_get(e, "fieldsV1")))
            sk_arr_push(csa, sk_val_str(mgr));
    }
    const struct sk_val *mf0 = sk_val_at(got, "metadata", "managedFields", NULL);
    struct sk_val *mf = sk_val_dup(mf0 ? mf0 : NULL);
    bool any = sk_arr_len(csa) > 0 && mf;
    for (size_t i = 0; any && i < sk_arr_len(csa); i++)
        upgrade_manager(mf, sk_val_cstr(sk_arr_get(csa, i)), "kubectl");
    if (any && !sk_val_equal(mf, mf0)) {
        struct sk_val *ops = sk_val_arr();
        struct sk_val *op = sk_arr_push(ops, sk_val_map());
        sk_map_set(op, "op", sk_val_str("replace"));
        sk_map_set(op, "path", sk_val_str("/metadata/managedFields"));
        sk_map_set(op, "value", mf);
        mf = NULL;
        op = sk_arr_push(ops, sk_val_map());
        sk_map_set(op, "op", sk_val_str("replace"));
        sk_map_set(op, "path", sk_val_str("/metadata/resourceVersion"));
        sk_map_set(op, "value",
                   sk_val_str(sk_val_str_at(got, "metadata", "resourceVersion", NULL) ?: ""));
        char *ppath = sk_cli_path(k, ns, name, NULL, NULL);
        struct sk_val *up = NULL;
        st = sk_cliw_call(c, "PATCH", ppath, "application/json-patch+json", ops, &up, &r);
        free(ppath);
        sk_val_free(ops);
        if (st == 2) {
            sk_cliw_err_resp(&a->errs, &r, NULL, NULL);
            sk_kresp_free(&r);
        }
        if (st == 0) {
            sk_val_free(*res);
            *res = up;
            st = 3; /* migrated */
        }
    }
    sk_val_free(mf);
    sk_val_free(csa);
    free(path);
    return st == 3 ? 2 : st == 1;
}

static int apply_server_side(struct apply_run *a, const struct sk_kind *k, const char *ns,
                             const char *name, const struct sk_val *obj, const char *source)
{
    struct sk_cli *c = a->c;
    if (a->dry && !strcmp(a->dry, "client")) {
        report(a, k, obj, name, "serverside-applied");
        return 0;
    }
    char *q = sk_cliw_query("fieldManager", a->manager, "fieldValidation", a->fv, "force",
                            sk_cli_bool(c, "force-conflicts") ? "true" : "false", "dryRun",
                            a->dry ? "All" : NULL, NULL);
    char *path = sk_cli_path(k, ns, name, NULL, q + 1);
    free(q);
    /* the body as kubectl encodes it (keys sorted): the server copies it
     * into the last-applied annotation */
    struct sk_val *body = sk_val_dup(obj);
    normalize(body);
    struct sk_val *res = NULL;
    struct sk_kresp r = {0};
    int rc = sk_cliw_call(c, "PATCH", path, "application/apply-patch+yaml", body, &res, &r);
    if (rc == 0 && !a->dry) {
        int mig = after_server_side(a, k, ns, name, obj, &res);
        if (mig == 2) { /* managers moved: apply again so the set is exactly ours */
            struct sk_val *again = NULL;
            rc = sk_cliw_call(c, "PATCH", path, "application/apply-patch+yaml", body, &again, &r);
            if (rc == 0) {
                sk_val_free(res);
                res = again;
            }
        } else if (mig) {
            rc = 1;
        }
    }
    sk_val_free(body);
    free(path);
    if (rc == 1) return 1;
    if (rc == 2) {
        char *reason = sk_cliw_reason(&r);
        if (r.status == 409 && !strcmp(reason, "Conflict")) {
            struct sk_val *st = NULL;
            sk_json_parse(r.body, r.body_len, &st, NULL);
            sk_cliw_err_line(&a->errs, "error: %s\n%s", sk_val_str_at(st, "message", NULL) ?: "",
                             conflict_help);
            sk_val_free(st);
        } else {
            sk_cliw_err_resp(&a->errs, &r, "patching", source);
        }
        free(reason);
        sk_kresp_free(&r);
        return 0;
    }
    report(a, k, res, name, "serverside-applied");
    sk_val_free(res);
    return 0;
}

static int apply_one(struct apply_run *a, const struct sk_kind *k, struct sk_val *obj,
                     const char *source)
{
    struct sk_cli *c = a->c;
    const char *ns;
    if (sk_cliw_doc_ns(c, k, obj, &ns)) return 1;
    const char *name = sk_obj_name(obj);
    if (!name || !*name) {
        sk_cliw_err_line(&a->errs,
                         "error: error when retrieving current configuration of:\n"
                         "Resource: \"%s, Resource=%s\", GroupVersionKind: \"%s, Kind=%s\"\n"
                         "Name: \"\", Namespace: \"%s\"\n"
                         "from server for: \"%s\": resource name may not be empty",
                         k->group && *k->group ? k->group : "", k->plural, sk_kind_api_version(k),
                         k->kind, ns ? ns : "", source);
        return 0;
    }
    if (sk_cli_bool(c, "server-side")) return apply_server_side(a, k, ns, name, obj, source);

    /* the live object */
    char *path = sk_cli_path(k, ns, name, NULL, NULL);
    struct sk_val *live = NULL;
    struct sk_kresp r = {0};
    int rc = sk_cliw_call(c, "GET", path, NULL, NULL, &live, &r);
    free(path);
    if (rc == 1) return 1;
    struct sk_val *modified = sk_apply_modified(obj);
    if (rc == 2 && r.status != 404) {
        sk_cliw_err_resp(&a->errs, &r, "retrieving current configuration of", source);
        sk_kresp_free(&r);
        sk_val_free(modified);
        return 0;
    }
    if (rc == 2) { /* absent: create it */
        sk_kresp_free(&r);
        if (a->dry && !strcmp(a->dry, "client")) {
            report(a, k, modified, name, "created");
            sk_val_free(modified);
            return 0;
        }
        char *q = sk_cliw_query("fieldManager", a->manager, "fieldValidation", a->fv, "dryRun",
                                a->dry ? "All" : NULL, NULL);
        path = sk_cli_path(k, ns, NULL, NULL, q + 1);
        free(q);
        struct sk_val *res = NULL;
        rc = sk_cliw_call(c, "POST", path, NULL, modified, &res, &r);
        free(path);
        sk_val_free(modified);
        if (rc == 1) return 1;
        if (rc == 2) {
            sk_cliw_err_resp(&a->errs, &r, "creating", source);
            sk_kresp_free(&r);
            return 0;
        }
        report(a, k, res, name, "created");
        sk_val_free(res);
        return 0;
    }

    /* present: patch it */
    bool had = false;
    struct sk_val *patch = NULL;
    struct sk_error *e = NULL;
    if (sk_apply_patch(k, modified, live, &had, &patch, &e)) {
        sk_cliw_err_line(&a->errs,
                         "error: error when creating patch with:\noriginal:\n%s\n"
                         "for: \"%s\": %s",
                         sk_obj_annotation(live, SK_LAST_APPLIED) ?: "", source,
                         sk_error_msg(e, SK_EINVAL));
        sk_error_free(e);
        sk_val_free(modified);
        sk_val_free(live);
        return 0;
    }
    if (!had)
        fprintf(c->err,
                "Warning: resource %s/%s is missing the %s annotation which is required by "
                "kubectl apply. kubectl apply should only be used on resources created "
                "declaratively by either kubectl create --save-config or kubectl apply. The "
                "missing annotation will be patched automatically.\n",
                k->plural, name, SK_LAST_APPLIED);
    if (sk_map_len(patch) == 0) {
        report(a, k, live, name, "unchanged");
    } else if (a->dry && !strcmp(a->dry, "client")) {
        struct sk_val *res = sk_val_dup(live);
        struct sk_patch_schema ps = sk_patch_schema_for_kind(k);
        sk_strategic_merge(&res, patch, &ps, NULL);
        report(a, k, res, name, "configured");
        sk_val_free(res);
    } else {
        char *q = sk_cliw_query("fieldManager", a->manager, "fieldValidation", a->fv, "dryRun",
                                a->dry ? "All" : NULL, NULL);
        path = sk_cli_path(k, ns, name, NULL, q + 1);
        free(q);
        struct sk_val *res = NULL;
        rc = sk_cliw_call(c, "PATCH", path, "application/strategic-merge-patch+json", patch, &res,
                          &r);
        free(path);
        if (rc == 2) {
            sk_cliw_err_resp(&a->errs, &r, "patching", source);
            sk_kresp_free(&r);
        } else if (rc == 0) {
            report(a, k, res, name, "configured");
            sk_val_free(res);
        }
    }
    sk_val_free(patch);
    sk_val_free(modified);
    sk_val_free(live);
    return rc == 1 ? 1 : 0;
}

static int apply_run(struct sk_cli *c)
{
    struct apply_run a = {.c = c};
    bool bad;
    a.dry = sk_cliw_dry_run(c, &bad);
    if (bad) return 1;
    if (sk_cli_bool(c, "prune"))
        return sk_cli_fail(c, "--prune is not supported by skiff; delete objects explicitly");
    if (!(a.fv = field_validation(c))) return 1;
    a.manager = sk_cli_str(c, "field-manager");
    if (sk_cli_bool(c, "server-side") && !sk_cli_changed(c, "field-manager")) a.manager = "kubectl";
    a.output = sk_cli_str(c, "output");
    if (a.output && !*a.output) a.output = NULL;
    if (a.output && !sk_cli_is_obj_format(a.output)) {
        struct sk_val *const none[1] = {NULL};
        return sk_cli_print_objs(c, a.output, none, NULL, 0);
    }
    if (!sk_cli_bool(c, "server-side") && sk_cli_bool(c, "force-conflicts"))
        return sk_cli_fail(c, "--force-conflicts only works with --server-side");
    const struct sk_strv *files = sk_cli_strs(c, "filename");
    if (files->n == 0) return sk_cli_fail(c, "must specify one of -f and -k");
    if (c->nargs > 0) return sk_cliw_unexpected_args(c);
    struct sk_cli_docs docs = {0};
    if (sk_cli_read_docs(c, files, sk_cli_bool(c, "recursive"), &docs)) return 1;
    /* kubectl maps every document to its kind before it applies any */
    const struct sk_kind **kinds = sk_xcalloc(docs.n + 1, sizeof(*kinds));
    int rc = 0;
    for (size_t i = 0; i < docs.n && !rc; i++)
        rc = sk_cli_doc_kind(c, &docs.v[i], &kinds[i]);
    if (!rc && docs.n == 0) rc = sk_cli_fail(c, "no objects passed to apply");
    const char *sel = sk_cli_str(c, "selector");
    struct sk_labelsel *ls = NULL;
    if (!rc && sel && *sel) {
        struct sk_error *e = NULL;
        if (sk_labelsel_parse(sel, &ls, &e)) rc = sk_cli_fail(c, "%s", sk_error_msg(e, SK_EINVAL));
        sk_error_free(e);
    }
    for (size_t i = 0; i < docs.n && !rc; i++) {
        if (ls && !sk_labelsel_matches(ls, sk_obj_labels(docs.v[i].obj))) continue;
        rc = apply_one(&a, kinds[i], docs.v[i].obj, docs.v[i].source);
    }
    sk_labelsel_free(ls);
    free(kinds);
    sk_cli_docs_free(&docs);
    int erc = sk_cliw_errs_flush(c, &a.errs);
    return rc ? rc : erc;
}

const struct sk_cli_verb sk_cli_verb_apply = {
        .name = "apply",
        .short_help = "Apply a configuration to a resource by file name or stdin",
        .long_help = "Apply a configuration to a resource by file name or stdin. The resource name "
                     "must be specified. This resource will be created if it doesn't exist yet. "
                     "To use 'apply', always create the resource initially with either 'apply' or "
                     "'create --save-config'.\n\n JSON and YAML formats are accepted.",
        .usage = "skiff apply (-f FILENAME | -k DIRECTORY) [options]",
        .examples = "  # Apply the configuration in pod.json to a pod\n"
                    "  skiff apply -f ./pod.json\n\n"
                    "  # Apply the JSON passed into stdin to a pod\n"
                    "  cat pod.json | skiff apply -f -\n\n"
                    "  # Apply every manifest under a directory, recursively\n"
                    "  skiff apply -R -f ./manifests/\n\n"
                    "  # Apply on the server, taking over conflicting fields\n"
                    "  skiff apply --server-side --force-conflicts -f deploy.yaml",
        .flags = apply_flags,
        .run = apply_run,
};
