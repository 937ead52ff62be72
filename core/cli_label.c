/* `skiff label` and `skiff annotate`: KEY=VAL and KEY- changes to
 * metadata.labels or metadata.annotations, sent as a JSON merge patch under
 * kubectl's field managers, with kubectl's --overwrite rules and messages. */
#include <stdlib.h>
#include <string.h>

#include "cli_write.h"
#include "json.h"
#include "mem.h"

struct lchange {
    char *key, *val; /* val NULL: remove */
};

struct lverb {
    const char *field; /* "labels" / "annotations" */
    const char *what;  /* "label" / "annotation" */
    bool annotate;
};

static const struct sk_cli_flag label_flags[] = {
        {"all", 0, SK_FLAG_BOOL, "false",
         "Select all resources, in the namespace of the specified resource types"},
        {"all-namespaces", 'A', SK_FLAG_BOOL, "false",
         "If true, check the specified action in all namespaces."},
        {"dry-run", 0, SK_FLAG_STRING, "none",
         "Must be \"none\", \"server\", or \"client\". If client strategy, only print the object "
         "that would be sent, without sending it. If server strategy, submit server-side request "
         "without persisting the resource."},
        {"field-manager", 0, SK_FLAG_STRING, "kubectl-label",
         "Name of the manager used to track field ownership."},
        {"field-selector", 0, SK_FLAG_STRING, "",
         "Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. "
         "--field-selector key1=value1,key2=value2). The server only supports a limited number "
         "of field queries per type."},
        {"filename", 'f', SK_FLAG_STRINGS, "[]",
         "Filename, directory, or URL to files identifying the resource to update the labels"},
        {"list", 0, SK_FLAG_BOOL, "false", "If true, display the labels for a given resource."},
        {"local", 0, SK_FLAG_BOOL, "false",
         "If true, label will NOT contact api-server but run locally."},
        {"output", 'o', SK_FLAG_STRING, "",
         "Output format. One of: (json, yaml, name, go-template, go-template-file, template, "
         "templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."},
        {"overwrite", 0, SK_FLAG_BOOL, "false",
         "If true, allow labels to be overwritten, otherwise reject label updates that overwrite "
         "existing labels."},
        {"recursive", 'R', SK_FLAG_BOOL, "false",
         "Process the directory used in -f, --filename recursively. Useful when you want to "
         "manage related manifests organized within the same directory."},
        {"resource-version", 0, SK_FLAG_STRING, "",
         "If non-empty, the labels update will only succeed if this is the current "
         "resource-version for the object. Only valid when specifying a single resource."},
        {"selector", 'l', SK_FLAG_STRING, "",
         "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l "
         "key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the "
         "specified label constraints."},
        {0},
};

static const struct sk_cli_flag annotate_flags[] = {
        {"all", 0, SK_FLAG_BOOL, "false",
         "Select all resources, in the namespace of the specified resource types."},
        {"all-namespaces", 'A', SK_FLAG_BOOL, "false",
         "If true, check the specified action in all namespaces."},
        {"dry-run", 0, SK_FLAG_STRING, "none",
         "Must be \"none\", \"server\", or \"client\". If client strategy, only print the object "
         "that would be sent, without sending it. If server strategy, submit server-side request "
         "without persisting the resource."},
        {"field-manager", 0, SK_FLAG_STRING, "kubectl-annotate",
         "Name of the manager used to track field ownership."},
        {"field-selector", 0, SK_FLAG_STRING, "",
         "Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. "
         "--field-selector key1=value1,key2=value2). The server only supports a limited number "
         "of field queries per type."},
        {"filename", 'f', SK_FLAG_STRINGS, "[]",
         "Filename, directory, or URL to files identifying the resource to update the "
         "annotation"},
        {"list", 0, SK_FLAG_BOOL, "false",
         "If true, display the annotations for a given resource."},
        {"local", 0, SK_FLAG_BOOL, "false",
         "If true, annotation will NOT contact api-server but run locally."},
        {"output", 'o', SK_FLAG_STRING, "",
         "Output format. One of: (json, yaml, name, go-template, go-template-file, template, "
         "templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."},
        {"overwrite", 0, SK_FLAG_BOOL, "false",
         "If true, allow annotations to be overwritten, otherwise reject annotation updates that "
         "overwrite existing annotations."},
        {"recursive", 'R', SK_FLAG_BOOL, "false",
         "Process the directory used in -f, --filename recursively. Useful when you want to "
         "manage related manifests organized within the same directory."},
        {"resource-version", 0, SK_FLAG_STRING, "",
         "If non-empty, the annotation update will only succeed if this is the current "
         "resource-version for the object. Only valid when specifying a single resource."},
        {"selector", 'l', SK_FLAG_STRING, "",
         "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l "
         "key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the "
         "specified label constraints."},
        {0},
};

static bool is_pair(const char *s)
{
    size_t n = strlen(s);
    return (strchr(s, '=') && s[0] != '=') || (n > 0 && s[n - 1] == '-' && strcmp(s, "-"));
}

/* Apply the changes to the object's map; *changed says whether it changed.
 * Overwrite violations are appended to *conflicts. */
static void apply_changes(struct sk_cli *c, const struct lverb *lv, struct sk_val *obj,
                          const struct lchange *ch, size_t nch, bool overwrite,
                          struct sk_buf *conflicts, size_t *nconf)
{
    struct sk_val *m = sk_val_at(obj, "metadata", lv->field, NULL);
    for (size_t i = 0; i < nch; i++) {
        struct sk_val *cur = m ? sk_map_get(m, ch[i].key) : NULL;
        if (ch[i].val) {
            const char *cs = sk_val_cstr(cur);
            if (cur && !overwrite && !(cs && !strcmp(cs, ch[i].val))) {
                if (lv->annotate)
                    sk_buf_printf(conflicts, "%s'%s' already has a value (%s)",
                                  (*nconf)++ ? ", " : "", ch[i].key, cs ? cs : "");
                else
                    sk_buf_printf(conflicts,
                                  "%s'%s' already has a value (%s), and --overwrite "
                                  "is false",
                                  (*nconf)++ ? "\n" : "", ch[i].key, cs ? cs : "");
                continue;
            }
            if (!m || m->type != SK_V_MAP)
                m = sk_val_set_at(obj, sk_val_map(), "metadata", lv->field, NULL);
            sk_map_set(m, ch[i].key, sk_val_str(ch[i].val));
        } else if (cur) {
            sk_map_del(m, ch[i].key);
        } else if (!lv->annotate) {
            fprintf(c->out, "label \"%s\" not found.\n", ch[i].key);
        }
    }
}

/* The JSON merge patch for metadata.<field> from old to new. NULL when
 * they are equal. */
static struct sk_val *field_patch(const struct lverb *lv, const struct sk_val *old,
                                  const struct sk_val *nu, const char *rv)
{
    const struct sk_val *om = sk_val_at(old, "metadata", lv->field, NULL);
    const struct sk_val *nm = sk_val_at(nu, "metadata", lv->field, NULL);
    struct sk_val *p = sk_val_map();
    for (size_t i = 0; om && om->type == SK_V_MAP && i < om->u.m.n; i++)
        if (!sk_map_get(nm, om->u.m.kv[i].key)) sk_map_set(p, om->u.m.kv[i].key, sk_val_null());
    for (size_t i = 0; nm && nm->type == SK_V_MAP && i < nm->u.m.n; i++) {
        const struct sk_val *ov = sk_map_get(om, nm->u.m.kv[i].key);
        if (!ov || !sk_val_equal(ov, nm->u.m.kv[i].val))
            sk_map_set(p, nm->u.m.kv[i].key, sk_val_dup(nm->u.m.kv[i].val));
    }
    if (sk_map_len(p) == 0 && !rv) {
        sk_val_free(p);
        return NULL;
    }
    struct sk_val *patch = sk_val_map();
    struct sk_val *md = sk_map_set(patch, "metadata", sk_val_map());
    if (sk_map_len(p))
        sk_map_set(md, lv->field, p);
    else
        sk_val_free(p);
    if (rv) sk_map_set(md, "resourceVersion", sk_val_str(rv));
    return patch;
}

static int label_common(struct sk_cli *c, const struct lverb *lv)
{
    bool bad;
    const char *dry = sk_cliw_dry_run(c, &bad);
    if (bad) return 1;
    /* resources first, then KEY=VAL / KEY- */
    char **res = sk_xcalloc((size_t)c->nargs + 1, sizeof(*res));
    int nres = 0;
    struct lchange *ch = sk_xcalloc((size_t)c->nargs + 1, sizeof(*ch));
    size_t nch = 0;
    int rc = 0;
    bool found_pair = false;
    for (int i = 0; i < c->nargs && !rc; i++) {
        const char *a = c->args[i];
        if (is_pair(a)) {
            found_pair = true;
            const char *eq = strchr(a, '=');
            if (eq) {
                ch[nch].key = sk_xstrndup(a, (size_t)(eq - a));
                ch[nch].val = sk_xstrdup(eq + 1);
            } else {
                ch[nch].key = sk_xstrndup(a, strlen(a) - 1);
            }
            nch++;
        } else if (found_pair) {
            rc = sk_cli_fail(c, "all resources must be specified before %s changes: %s", lv->what,
                             a);
        } else {
            res[nres++] = c->args[i];
        }
    }
    for (size_t i = 0; !rc && i < nch; i++)
        for (size_t j = 0; j < nch; j++)
            if (i != j && !strcmp(ch[i].key, ch[j].key) && ch[i].val && !ch[j].val) {
                rc = sk_cli_fail(c,
                                 "can not both modify and remove the following %s(s) in the same "
                                 "command: %s",
                                 lv->what, ch[i].key);
                break;
            }
    bool list = sk_cli_bool(c, "list");
    const struct sk_strv *files = sk_cli_strs(c, "filename");
    bool local = sk_cli_bool(c, "local");
    if (!rc && nres < 1 && files->n == 0)
        rc = sk_cli_fail(c, "one or more resources must be specified as <resource> <name> or "
                            "<resource>/<name>");
    if (!rc && nch == 0 && !list)
        rc = sk_cli_fail(c, "at least one %s update is required", lv->what);
    if (!rc && local && files->n == 0)
        rc = sk_cli_fail(c, "one or more files must be specified as -f rsrc.yaml or "
                            "--filename=rsrc.json");
    if (!rc && local && dry && !strcmp(dry, "server"))
        rc = sk_cli_fail(c, "cannot specify --local and --dry-run=server - did you mean "
                            "--dry-run=client?");
    const char *rv = sk_cli_str(c, "resource-version");
    if (rv && !*rv) rv = NULL;
    const char *output = sk_cli_str(c, "output");
    if (output && !*output) output = NULL;
    struct sk_cliw_infos in = {0};
    struct sk_cliw_errs errs = {0};
    if (!rc) {
        struct sk_cliw_sel s = {
                .files = files,
                .recursive = sk_cli_bool(c, "recursive"),
                .selector = sk_cli_str(c, "selector"),
                .field_selector = sk_cli_str(c, "field-selector"),
                .all = sk_cli_bool(c, "all"),
                .all_ns = sk_cli_bool(c, "all-namespaces"),
                .fetch = !local,
                .names_required = true,
                .verb_ing = "retrieving",
        };
        rc = sk_cliw_collect(c, res, nres, &s, &in, &errs, NULL);
    }
    if (!rc && rv && in.n > 1)
        rc = sk_cli_fail(c, "--resource-version may only be used with a single resource");
    const char *manager = sk_cli_str(c, "field-manager");
    for (size_t i = 0; i < in.n && !rc; i++) {
        struct sk_cliw_info *it = &in.v[i];
        if (!it->obj) continue;
        struct sk_val *nu = sk_val_dup(it->obj);
        struct sk_buf conf = {0};
        size_t nconf = 0;
        apply_changes(c, lv, nu, ch, nch, sk_cli_bool(c, "overwrite"), &conf, &nconf);
        if (nconf) {
            char *msg = sk_buf_take(&conf, NULL);
            if (lv->annotate)
                sk_cliw_err_line(&errs,
                                 "error: --overwrite is false but found the following declared "
                                 "annotation(s): %s",
                                 msg);
            else
                sk_cliw_err_line(&errs, "error: %s", msg);
            free(msg);
            sk_val_free(nu);
            continue;
        }
        bool changed = !sk_val_equal(it->obj, nu);
        struct sk_val *shown = NULL;
        if (local || (dry && !strcmp(dry, "client")) || nch == 0) {
            shown = sk_val_dup(nu);
        } else {
            struct sk_val *patch = field_patch(lv, it->obj, nu, rv);
            if (!patch) {
                shown = sk_val_dup(it->obj);
            } else {
                char *q =
                        sk_cliw_query("fieldManager", manager, "dryRun", dry ? "All" : NULL, NULL);
                char *path = sk_cli_path(it->kind, it->ns, it->name, NULL, q + 1);
                free(q);
                struct sk_kresp r = {0};
                int st = sk_cliw_call(c, "PATCH", path, "application/merge-patch+json", patch,
                                      &shown, &r);
                free(path);
                sk_val_free(patch);
                if (st == 1) rc = 1;
                if (st == 2) {
                    sk_cliw_err_resp(&errs, &r, NULL, NULL);
                    sk_kresp_free(&r);
                }
            }
        }
        if (shown) {
            if (list) {
                const struct sk_val *m = sk_val_at(shown, "metadata", lv->field, NULL);
                for (size_t j = 0; m && m->type == SK_V_MAP && j < m->u.m.n; j++) {
                    const char *v = sk_val_cstr(m->u.m.kv[j].val);
                    fprintf(c->out, "%s=%s\n", m->u.m.kv[j].key, v ? v : "");
                }
            } else if (output) {
                struct sk_val *const objs[1] = {shown};
                const struct sk_kind *const kinds[1] = {it->kind};
                if (sk_cli_print_objs(c, output, objs, kinds, 1)) rc = 1;
            } else {
                bool any_new = false;
                for (size_t j = 0; j < nch; j++)
                    any_new |= ch[j].val != NULL;
                const char *act = lv->annotate ? "annotated"
                                  : !changed   ? "not labeled"
                                  : any_new    ? "labeled"
                                               : "unlabeled";
                sk_cli_print_action(c, it->kind, it->name, act, dry);
            }
            sk_val_free(shown);
        }
        sk_val_free(nu);
    }
    sk_cliw_infos_free(&in);
    for (size_t i = 0; i < nch; i++) {
        free(ch[i].key);
        free(ch[i].val);
    }
    free(ch);
    free(res);
    int erc = sk_cliw_errs_flush(c, &errs);
    return rc ? rc : erc;
}

static int label_run(struct sk_cli *c)
{
    static const struct lverb lv = {"labels", "label", false};
    return label_common(c, &lv);
}

static int annotate_run(struct sk_cli *c)
{
    static const struct lverb lv = {"annotations", "annotation", true};
    return label_common(c, &lv);
}

const struct sk_cli_verb sk_cli_verb_label = {
        .name = "label",
        .short_help = "Update the labels on a resource",
        .long_help = "Update the labels on a resource.\n\n"
                     "  *  A label key and value must begin with a letter or number, and may "
                     "contain letters, numbers, hyphens, dots, and underscores, up to 63 "
                     "characters each.\n"
                     "  *  Optionally, the key can begin with a DNS subdomain prefix and a single "
                     "'/', like example.com/my-app.\n"
                     "  *  If --overwrite is true, then existing labels can be overwritten, "
                     "otherwise attempting to overwrite a label will result in an error.\n"
                     "  *  If --resource-version is specified, then updates will use this "
                     "resource version, otherwise the existing resource-version will be used.",
        .usage = "skiff label [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... "
                 "KEY_N=VAL_N [--resource-version=version]",
        .examples = "  # Update pod 'foo' with the label 'unhealthy' and the value 'true'\n"
                    "  skiff label pods foo unhealthy=true\n\n"
                    "  # Update pod 'foo' with the label 'status' and the value 'unhealthy', "
                    "overwriting any existing value\n"
                    "  skiff label --overwrite pods foo status=unhealthy\n\n"
                    "  # Update all pods in the namespace\n"
                    "  skiff label pods --all status=unhealthy\n\n"
                    "  # Update pod 'foo' by removing a label named 'bar' if it exists\n"
                    "  skiff label pods foo bar-",
        .flags = label_flags,
        .run = label_run,
};

const struct sk_cli_verb sk_cli_verb_annotate = {
        .name = "annotate",
        .short_help = "Update the annotations on a resource",
        .long_help = "Update the annotations on one or more resources.\n\n"
                     " All Kubernetes objects support the ability to store additional data with "
                     "the object as annotations. Annotations are key/value pairs that can be "
                     "larger than labels and include arbitrary string values such as structured "
                     "JSON.\n\n"
                     " Attempting to set an annotation that already exists will fail unless "
                     "--overwrite is set. If --resource-version is specified and does not match "
                     "the current resource version on the server the command will fail.",
        .usage = "skiff annotate [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... "
                 "KEY_N=VAL_N [--resource-version=version]",
        .examples = "  # Update pod 'foo' with the annotation 'description' and the value 'my "
                    "frontend'\n"
                    "  skiff annotate pods foo description='my frontend'\n\n"
                    "  # Update all pods in the namespace\n"
                    "  skiff annotate pods --all description='my frontend running nginx'\n\n"
                    "  # Update pod 'foo' by removing an annotation named 'description' if it "
                    "exists\n"
                    "  skiff annotate pods foo description-",
        .flags = annotate_flags,
        .run = annotate_run,
};
