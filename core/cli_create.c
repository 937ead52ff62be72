/* `skiff create`: -f manifests, and kubectl's generators (namespace,
 * configmap, secret generic and docker-registry, deployment, service
 * clusterip and nodeport, job) whose --dry-run=client -o yaml prints what
 * kubectl prints. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_write.h"
#include "json.h"
#include "mem.h"
#include "selector.h"

/* ---- pure: data sources ---- */

char *sk_gen_base64(const void *p, size_t n)
{
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *s = p;
    char *out = sk_xmalloc(4 * ((n + 2) / 3) + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)s[i] << 16;
        if (i + 1 < n) v |= (unsigned)s[i + 1] << 8;
        if (i + 2 < n) v |= s[i + 2];
        out[o++] = t[(v >> 18) & 63];
        out[o++] = t[(v >> 12) & 63];
        out[o++] = i + 1 < n ? t[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? t[v & 63] : '=';
    }
    out[o] = 0;
    return out;
}

static bool valid_utf8(const char *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t l = sk_utf8_len((const unsigned char *)p + i, n - i);
        if (!l) return false;
        i += l;
    }
    return true;
}

/* IsConfigMapKey: [-._a-zA-Z0-9]+, at most 253. */
static bool valid_key(const char *k)
{
    size_t n = strlen(k);
    if (!n || n > 253) return false;
    for (const char *p = k; *p; p++)
        if (!(*p == '-' || *p == '.' || *p == '_' || (*p >= 'a' && *p <= 'z') ||
              (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            return false;
    return strcmp(k, ".") && strcmp(k, "..") && strncmp(k, "..", 2);
}

static sk_err add_kv(struct sk_gen_data *g, const char *key, const char *val, size_t len,
                     struct sk_error **err)
{
    if (!valid_key(key))
        return sk_fail(err, SK_EINVAL,
                       "\"%s\" is not a valid key name for a %s: a valid config key must consist "
                       "of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or "
                       "'KEY_NAME',  or 'key-name', regex used for validation is "
                       "'[-._a-zA-Z0-9]+')",
                       key, g->kind);
    if (sk_map_get(g->data, key) || (g->binary && sk_map_get(g->binary, key)))
        return sk_fail(err, SK_EEXIST,
                       "cannot add key \"%s\", another key by that name already exists in Data "
                       "for %s \"%s\"",
                       key, g->kind, g->name);
    if (g->secret) {
        char *b = sk_gen_base64(val, len);
        sk_map_set(g->data, key, sk_val_str(b));
        free(b);
    } else if (valid_utf8(val, len)) {
        sk_map_set(g->data, key, sk_val_strn(val, len));
    } else {
        char *b = sk_gen_base64(val, len);
        sk_map_set(g->binary, key, sk_val_str(b));
        free(b);
    }
    return SK_OK;
}

sk_err sk_gen_from_literal(struct sk_gen_data *g, const char *arg, struct sk_error **err)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg)
        return sk_fail(err, SK_EINVAL, "invalid literal source %s, expected key=value", arg);
    char *key = sk_xstrndup(arg, (size_t)(eq - arg));
    const char *v = eq + 1;
    /* kubectl trims every leading and trailing quote of either kind */
    while (*v == '"' || *v == '\'')
        v++;
    size_t vl = strlen(v);
    while (vl && (v[vl - 1] == '"' || v[vl - 1] == '\''))
        vl--;
    char *val = sk_xstrndup(v, vl);
    sk_err rc = add_kv(g, key, val, strlen(val), err);
    free(key);
    free(val);
    return rc;
}

/* strerror as Go words it (lowercase). Static buffer. */
static const char *go_strerror(int e)
{
    static char buf[128];
    snprintf(buf, sizeof(buf), "%s", strerror(e));
    if (buf[0] >= 'A' && buf[0] <= 'Z') buf[0] = (char)(buf[0] - 'A' + 'a');
    return buf;
}

static sk_err read_file(const char *path, char **out, size_t *len, struct sk_error **err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return sk_fail(err, SK_ENOENT, "error reading %s: %s", path, go_strerror(errno));
    struct sk_buf b = {0};
    char tmp[8192];
    size_t n;
    while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
        sk_buf_append(&b, tmp, n);
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        sk_buf_free(&b);
        return sk_fail(err, SK_ESYS, "error reading %s: input/output error", path);
    }
    *out = sk_buf_take(&b, len);
    return SK_OK;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

sk_err sk_gen_from_file(struct sk_gen_data *g, const char *arg, struct sk_error **err)
{
    const char *eq = strchr(arg, '=');
    char *key = NULL;
    const char *path = arg;
    if (eq) {
        if (eq == arg) return sk_fail(err, SK_EINVAL, "key name for file path %s missing", eq + 1);
        if (!eq[1])
            return sk_fail(err, SK_EINVAL, "file path for key name %.*s missing", (int)(eq - arg),
                           arg);
        if (strchr(eq + 1, '='))
            return sk_fail(err, SK_EINVAL, "key names or file paths cannot contain '='");
        key = sk_xstrndup(arg, (size_t)(eq - arg));
        path = eq + 1;
    }
    struct stat st;
    if (stat(path, &st)) {
        free(key);
        return sk_fail(err, SK_ENOENT, "error reading %s: %s", path, go_strerror(errno));
    }
    sk_err rc = SK_OK;
    if (S_ISDIR(st.st_mode)) {
        if (key) {
            free(key);
            return sk_fail(err, SK_EINVAL, "cannot give a key name for a directory path");
        }
        DIR *d = opendir(path);
        if (!d) return sk_fail(err, SK_ENOENT, "error reading %s: %s", path, go_strerror(errno));
        char **names = NULL;
        size_t n = 0;
        for (struct dirent *de; (de = readdir(d));) {
            if (de->d_name[0] == '.' && (!de->d_name[1] || !strcmp(de->d_name, ".."))) continue;
            names = sk_xrealloc(names, (n + 1) * sizeof(*names));
            names[n++] = sk_xstrdup(de->d_name);
        }
        closedir(d);
        qsort(names, n, sizeof(*names), name_cmp);
        for (size_t i = 0; i < n; i++) {
            char *fp = sk_xasprintf("%s/%s", path, names[i]);
            struct stat fs;
            if (!rc && !stat(fp, &fs) && S_ISREG(fs.st_mode)) {
                char *data = NULL;
                size_t len = 0;
                rc = read_file(fp, &data, &len, err);
                if (!rc) rc = add_kv(g, names[i], data, len, err);
                free(data);
            }
            free(fp);
            free(names[i]);
        }
        free(names);
        return rc;
    }
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char *data = NULL;
    size_t len = 0;
    rc = read_file(path, &data, &len, err);
    if (!rc) rc = add_kv(g, key ? key : base, data, len, err);
    free(data);
    free(key);
    return rc;
}

/* IsEnvVarName: [-._a-zA-Z][-._a-zA-Z0-9]* */
static bool env_name_ok(const char *k)
{
    if (!*k || (*k >= '0' && *k <= '9')) return false;
    for (const char *p = k; *p; p++)
        if (!(*p == '-' || *p == '.' || *p == '_' || (*p >= 'a' && *p <= 'z') ||
              (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            return false;
    return true;
}

sk_err sk_gen_from_env_file(struct sk_gen_data *g, const char *path, struct sk_error **err)
{
    char *text = NULL;
    size_t len = 0;
    sk_err rc = read_file(path, &text, &len, err);
    if (rc) return rc;
    if (!valid_utf8(text, len)) {
        free(text);
        return sk_fail(err, SK_EINVAL, "env file %s contains invalid utf8 bytes", path);
    }
    char *save = NULL;
    int lineno = 0;
    for (char *line = strtok_r(text, "\n", &save); line && !rc;
         line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        size_t l = strlen(line);
        if (l && line[l - 1] == '\r') line[--l] = 0;
        while (*line == ' ' || *line == '\t' || *line == '\v' || *line == '\f')
            line++;
        if (lineno == 1 && !strncmp(line, "\xef\xbb\xbf", 3)) line += 3;
        if (!*line || *line == '#') continue;
        char *eq = strchr(line, '=');
        char *key = eq ? sk_xstrndup(line, (size_t)(eq - line)) : sk_xstrdup(line);
        if (!env_name_ok(key)) {
            rc = sk_fail(err, SK_EINVAL,
                         "\"%s\" is not a valid key name: a valid environment variable name must "
                         "consist of alphabetic characters, digits, '_', '-', or '.', and must "
                         "not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or "
                         "'MyEnvName1', regex used for validation is "
                         "'[-._a-zA-Z][-._a-zA-Z0-9]*')",
                         key);
        } else {
            const char *val = eq ? eq + 1 : getenv(key);
            if (!val) val = "";
            rc = add_kv(g, key, val, strlen(val), err);
        }
        free(key);
    }
    free(text);
    return rc;
}

/* ---- pure: objects ---- */

static struct sk_val *new_obj(const char *api_version, const char *kind, const char *name)
{
    /* Go's struct order (TypeMeta, ObjectMeta, ...), as kubectl's typed
     * generators serialize: it shows in -o json and in --save-config */
    struct sk_val *o = sk_val_map();
    sk_map_set(o, "kind", sk_val_str(kind));
    sk_map_set(o, "apiVersion", sk_val_str(api_version));
    struct sk_val *md = sk_map_set(o, "metadata", sk_val_map());
    sk_map_set(md, "name", sk_val_str(name));
    sk_map_set(md, "creationTimestamp", sk_val_null());
    return o;
}

char *sk_gen_image_name(const char *image)
{
    const char *s = strrchr(image, '/');
    s = s ? s + 1 : image;
    size_t n = strcspn(s, ":@");
    char *name = sk_xstrndup(s, n);
    if (strpbrk(name, "_.")) {
        /* kubectl makes such names valid and unique with a random suffix */
        for (char *p = name; *p; p++)
            if (*p == '_' || *p == '.') *p = '-';
        static const char al[] = "bcdfghjklmnpqrstvwxz2456789";
        char sfx[6];
        for (int i = 0; i < 5; i++)
            sfx[i] = al[(unsigned)random() % (sizeof(al) - 1)];
        sfx[5] = 0;
        char *t = sk_xasprintf("%s-%s", name, sfx);
        free(name);
        name = t;
    }
    return name;
}

struct sk_val *sk_gen_deployment(const char *name, const char *ns, const char *const *images,
                                 size_t nimages, int replicas, int port)
{
    struct sk_val *d = new_obj("apps/v1", "Deployment", name);
    struct sk_val *md = sk_map_get(d, "metadata");
    if (ns) sk_map_set(md, "namespace", sk_val_str(ns));
    sk_val_set_at(md, sk_val_str(name), "labels", "app", NULL);
    struct sk_val *spec = sk_map_set(d, "spec", sk_val_map());
    sk_map_set(spec, "replicas", sk_val_int(replicas));
    sk_val_set_at(spec, sk_val_str(name), "selector", "matchLabels", "app", NULL);
    struct sk_val *tpl = sk_map_set(spec, "template", sk_val_map());
    struct sk_val *tmd = sk_map_set(tpl, "metadata", sk_val_map());
    sk_map_set(tmd, "creationTimestamp", sk_val_null());
    sk_val_set_at(tmd, sk_val_str(name), "labels", "app", NULL);
    struct sk_val *cs = sk_val_set_at(tpl, sk_val_arr(), "spec", "containers", NULL);
    for (size_t i = 0; i < nimages; i++) {
        struct sk_val *ct = sk_arr_push(cs, sk_val_map());
        char *cn = sk_gen_image_name(images[i]);
        sk_map_set(ct, "name", sk_val_str(cn));
        free(cn);
        sk_map_set(ct, "image", sk_val_str(images[i]));
        if (i == 0 && port >= 0) {
            struct sk_val *ports = sk_map_set(ct, "ports", sk_val_arr());
            struct sk_val *p = sk_arr_push(ports, sk_val_map());
            sk_map_set(p, "containerPort", sk_val_int(port));
        }
        sk_map_set(ct, "resources", sk_val_map());
    }
    sk_map_set(spec, "strategy", sk_val_map());
    sk_map_set(d, "status", sk_val_map());
    return d;
}

/* Put metadata's keys in ObjectMeta's field order. */
static void meta_order(struct sk_val *obj)
{
    static const char *const order[] = {"name",
                                        "generateName",
                                        "namespace",
                                        "selfLink",
                                        "uid",
                                        "resourceVersion",
                                        "generation",
                                        "creationTimestamp",
                                        "deletionTimestamp",
                                        "deletionGracePeriodSeconds",
                                        "labels",
                                        "annotations",
                                        "ownerReferences",
                                        "finalizers",
                                        "managedFields",
                                        NULL};
    struct sk_val *md = sk_map_get(obj, "metadata");
    if (!md || md->type != SK_V_MAP) return;
    struct sk_val *n = sk_val_map();
    for (const char *const *k = order; *k; k++) {
        struct sk_val *v = sk_map_take(md, *k);
        if (v) sk_map_set(n, *k, v);
    }
    for (size_t i = 0; i < md->u.m.n; i++)
        sk_map_set(n, md->u.m.kv[i].key, sk_val_dup(md->u.m.kv[i].val));
    sk_map_set(obj, "metadata", n);
}

/* ---- sending what a generator made ---- */

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

/* The last-applied annotation of a typed object, as kubectl's
 * --save-config writes it for its generators: the JSON in field order. */
static void typed_save_config(struct sk_val *obj)
{
    struct sk_val *ann = sk_val_at(obj, "metadata", "annotations", NULL);
    if (ann) sk_map_del(ann, SK_LAST_APPLIED);
    if (ann && sk_map_len(ann) == 0) sk_map_del(sk_map_get(obj, "metadata"), "annotations");
    struct sk_buf b = {0};
    sk_json_write(obj, SK_JSON_COMPACT, &b);
    sk_buf_putc(&b, '\n');
    char *la = sk_buf_take(&b, NULL);
    sk_obj_set_annotation(obj, SK_LAST_APPLIED, la);
    free(la);
    meta_order(obj);
}

/* A typed object as kubectl -o json prints it: field order, 4 spaces. */
static void print_typed_json(struct sk_cli *c, const struct sk_val *obj)
{
    struct sk_buf b = {0};
    sk_json_write(obj, SK_JSON_PRETTY, &b);
    fwrite(b.p, 1, b.len, c->out);
    fputc('\n', c->out);
    sk_buf_free(&b);
}

/* Create obj (owned) as kubectl's create does: a manifest from source, or
 * a generator's typed object (gen_fail: kubectl's "failed to create
 * configmap: " prefix of its errors, "" for none). */
static int create_obj(struct sk_cli *c, struct sk_val *obj, const char *source,
                      const char *gen_fail, const char *action, struct sk_cliw_errs *errs)
{
    bool bad;
    const char *dry = sk_cliw_dry_run(c, &bad);
    const char *fv = bad ? NULL : field_validation(c);
    const char *output = sk_cli_str(c, "output");
    if (output && !*output) output = NULL;
    if (bad || !fv || (output && !sk_cli_is_obj_format(output))) {
        if (output && !bad && fv && !sk_cli_is_obj_format(output)) {
            struct sk_val *const none[1] = {NULL};
            sk_cli_print_objs(c, output, none, NULL, 0);
        }
        sk_val_free(obj);
        return 1;
    }
    const struct sk_kind *k = sk_kind_by_api_version(sk_obj_api_version(obj), sk_obj_kind(obj));
    if (!k) {
        sk_val_free(obj);
        return sk_cli_fail(c, "no matches for kind \"%s\" in version \"%s\"",
                           sk_obj_kind(obj) ?: "", sk_obj_api_version(obj) ?: "");
    }
    const char *ns = NULL;
    if (k->namespaced) {
        ns = sk_obj_namespace(obj);
        if (!ns || !*ns) ns = sk_cli_namespace(c);
        /* kubectl's generators print no namespace unless -n was given */
        if (gen_fail && sk_cli_namespace_explicit(c) && !sk_obj_namespace(obj)) {
            sk_val_set_at(obj, sk_val_str(ns), "metadata", "namespace", NULL);
            meta_order(obj);
        }
    }
    if (sk_cli_bool(c, "save-config")) {
        if (gen_fail) {
            typed_save_config(obj);
        } else {
            struct sk_val *m = sk_apply_modified(obj);
            sk_val_free(obj);
            obj = m;
        }
    }
    const char *name = sk_obj_name(obj);
    int rc = 0;
    if (dry && !strcmp(dry, "client")) {
        if (output && gen_fail && !strcmp(output, "json")) {
            print_typed_json(c, obj);
        } else if (output) {
            struct sk_val *const objs[1] = {obj};
            const struct sk_kind *const kinds[1] = {k};
            rc = sk_cli_print_objs(c, output, objs, kinds, 1);
        } else {
            sk_cli_print_action(c, k, name ? name : "", action, dry);
        }
        sk_val_free(obj);
        return rc;
    }
    char *q = sk_cliw_query("fieldManager", sk_cli_str(c, "field-manager"), "fieldValidation", fv,
                            "dryRun", dry ? "All" : NULL, NULL);
    char *path = sk_cli_path(k, ns, NULL, NULL, q + 1);
    free(q);
    struct sk_val *res = NULL;
    struct sk_kresp r = {0};
    int st = sk_cliw_call(c, "POST", path, NULL, obj, &res, &r);
    free(path);
    if (st == 1) rc = 1;
    if (st == 2) {
        struct sk_val *sv = NULL;
        if (r.body) sk_json_parse(r.body, r.body_len, &sv, NULL);
        const char *msg = sk_val_str_at(sv, "message", NULL);
        if (gen_fail && *gen_fail && msg)
            sk_cliw_err_line(errs, "error: %s%s", gen_fail, msg);
        else
            sk_cliw_err_resp(errs, &r, source ? "creating" : NULL, source);
        sk_val_free(sv);
        sk_kresp_free(&r);
    }
    if (st == 0) {
        if (output) {
            struct sk_val *const objs[1] = {res};
            const struct sk_kind *const kinds[1] = {k};
            rc = sk_cli_print_objs(c, output, objs, kinds, 1);
        } else {
            const char *rn = sk_obj_name(res);
            sk_cli_print_action(c, k, rn ? rn : (name ? name : ""), action, dry);
        }
    }
    sk_val_free(res);
    sk_val_free(obj);
    return rc;
}

int sk_cliw_create_typed(struct sk_cli *c, struct sk_val *obj, const char *fail, const char *action)
{
    struct sk_cliw_errs errs = {0};
    int rc = create_obj(c, obj, NULL, fail, action, &errs);
    int erc = sk_cliw_errs_flush(c, &errs);
    return rc ? rc : erc;
}

static int create_gen(struct sk_cli *c, struct sk_val *obj, const char *fail)
{
    struct sk_cliw_errs errs = {0};
    int rc = create_obj(c, obj, NULL, fail, "created", &errs);
    int erc = sk_cliw_errs_flush(c, &errs);
    return rc ? rc : erc;
}

/* "exactly one NAME is required, got N" as kubectl words it. */
static int need_name(struct sk_cli *c)
{
    int n = c->dash_at >= 0 ? c->dash_at : c->nargs;
    if (n == 1) return 0;
    fprintf(c->err,
            "error: exactly one NAME is required, got %d\nSee '%s -h' for help and "
            "examples\n",
            n, c->cmd_path);
    return 1;
}

#define GEN_FLAGS                                                                                  \
    {"dry-run", 0, SK_FLAG_STRING, "none",                                                         \
     "Must be \"none\", \"server\", or \"client\". If client strategy, only print the object "     \
     "that would be sent, without sending it. If server strategy, submit server-side request "     \
     "without persisting the resource."},                                                          \
            {"field-manager", 0, SK_FLAG_STRING, "kubectl-create",                                 \
             "Name of the manager used to track field ownership."},                                \
            {"output", 'o', SK_FLAG_STRING, "",                                                    \
             "Output format. One of: (json, yaml, name, go-template, go-template-file, "           \
             "template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."},               \
            {"save-config", 0, SK_FLAG_BOOL, "false",                                              \
             "If true, the configuration of current object will be saved in its annotation. "      \
             "Otherwise, the annotation will be unchanged. This flag is useful when you want to "  \
             "perform kubectl apply on this object in the future."},                               \
    {                                                                                              \
        "validate", 0, SK_FLAG_STRING, "strict",                                                   \
                "Must be one of: strict (or true), warn, ignore (or false). \"true\" or "          \
                "\"strict\" "                                                                      \
                "will use a schema to validate the input and fail the request if invalid."         \
    }

/* ---- create -f ---- */

static const struct sk_cli_flag create_flags[] = {
        {"edit", 0, SK_FLAG_BOOL, "false",
         "Edit the API resource before creating (not supported "
         "by skiff)"},
        {"filename", 'f', SK_FLAG_STRINGS, "[]",
         "Filename, directory, or URL to files to use to "
         "create the resource"},
        {"recursive", 'R', SK_FLAG_BOOL, "false",
         "Process the directory used in -f, --filename recursively. Useful when you want to "
         "manage related manifests organized within the same directory."},
        {"selector", 'l', SK_FLAG_STRING, "",
         "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l "
         "key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the "
         "specified label constraints."},
        GEN_FLAGS,
        {0},
};

static int create_run(struct sk_cli *c)
{
    const struct sk_strv *files = sk_cli_strs(c, "filename");
    if (files->n == 0) {
        fprintf(c->err, "error: must specify one of -f and -k\n\n");
        return 1;
    }
    if (c->nargs > 0) return sk_cliw_unexpected_args(c);
    if (sk_cli_bool(c, "edit")) return sk_cli_fail(c, "--edit is not supported by skiff");
    struct sk_cli_docs docs = {0};
    if (sk_cli_read_docs(c, files, sk_cli_bool(c, "recursive"), &docs)) return 1;
    int rc = 0;
    const struct sk_kind **kinds = sk_xcalloc(docs.n + 1, sizeof(*kinds));
    for (size_t i = 0; i < docs.n && !rc; i++)
        rc = sk_cli_doc_kind(c, &docs.v[i], &kinds[i]);
    struct sk_labelsel *ls = NULL;
    const char *sel = sk_cli_str(c, "selector");
    if (!rc && sel && *sel) {
        struct sk_error *e = NULL;
        if (sk_labelsel_parse(sel, &ls, &e)) rc = sk_cli_fail(c, "%s", sk_error_msg(e, SK_EINVAL));
        sk_error_free(e);
    }
    struct sk_cliw_errs errs = {0};
    for (size_t i = 0; i < docs.n && !rc; i++) {
        if (ls && !sk_labelsel_matches(ls, sk_obj_labels(docs.v[i].obj))) continue;
        const char *ns;
        if ((rc = sk_cliw_doc_ns(c, kinds[i], docs.v[i].obj, &ns))) break;
        rc = create_obj(c, sk_val_dup(docs.v[i].obj), docs.v[i].source, NULL, "created", &errs);
    }
    sk_labelsel_free(ls);
    free(kinds);
    sk_cli_docs_free(&docs);
    int erc = sk_cliw_errs_flush(c, &errs);
    return rc ? rc : erc;
}

/* ---- namespace ---- */

static const struct sk_cli_flag ns_flags[] = {GEN_FLAGS, {0}};

static int ns_run(struct sk_cli *c)
{
    if (need_name(c)) return 1;
    struct sk_val *o = new_obj("v1", "Namespace", c->args[0]);
    sk_map_set(o, "spec", sk_val_map());
    sk_map_set(o, "status", sk_val_map());
    return create_gen(c, o, "");
}

/* ---- configmap and secret generic ---- */

static const struct sk_cli_flag cm_flags[] = {
        {"append-hash", 0, SK_FLAG_BOOL, "false", "Append a hash of the configmap to its name."},
        {"from-env-file", 0, SK_FLAG_STRINGS, "[]",
         "Specify the path to a file to read lines of key=val pairs to create a configmap."},
        {"from-file", 0, SK_FLAG_STRINGS, "[]",
         "Key file can be specified using its file path, in which case file basename will be "
         "used as configmap key, or optionally with a key and file path, in which case the given "
         "key will be used.  Specifying a directory will iterate each named file in the "
         "directory whose basename is a valid configmap key."},
        {"from-literal", 0, SK_FLAG_ARRAY, "[]",
         "Specify a key and literal value to insert in configmap (i.e. mykey=somevalue)"},
        GEN_FLAGS,
        {0},
};

static const struct sk_cli_flag secret_flags[] = {
        {"append-hash", 0, SK_FLAG_BOOL, "false", "Append a hash of the secret to its name."},
        {"from-env-file", 0, SK_FLAG_STRINGS, "[]",
         "Specify the path to a file to read lines of key=val pairs to create a secret."},
        {"from-file", 0, SK_FLAG_STRINGS, "[]",
         "Key files can be specified using their file path, in which case a default name will be "
         "given to them, or optionally with a name and file path, in which case the given name "
         "will be used.  Specifying a directory will iterate each named file in the directory "
         "that is a valid secret key."},
        {"from-literal", 0, SK_FLAG_ARRAY, "[]",
         "Specify a key and literal value to insert in secret (i.e. mykey=somevalue)"},
        {"type", 0, SK_FLAG_STRING, "", "The type of secret to create"},
        GEN_FLAGS,
        {0},
};

/* FNV-1a based name suffix for --append-hash (kubectl uses a SHA-256 of
 * the object; the suffix differs but has the same shape). */
static void append_hash(struct sk_val *o)
{
    char *j = sk_json_dump(o, SK_JSON_COMPACT, NULL);
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = j; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    free(j);
    static const char al[] = "bcdfghkmt256789";
    char sfx[11];
    for (int i = 0; i < 10; i++) {
        sfx[i] = al[h % (sizeof(al) - 1)];
        h /= (sizeof(al) - 1);
    }
    sfx[10] = 0;
    char *n = sk_xasprintf("%s-%s", sk_obj_name(o), sfx);
    sk_val_set_at(o, sk_val_str(n), "metadata", "name", NULL);
    free(n);
}

static int data_run(struct sk_cli *c, bool secret)
{
    if (need_name(c)) return 1;
    const char *name = c->args[0];
    struct sk_val *o = new_obj("v1", secret ? "Secret" : "ConfigMap", name);
    struct sk_val *data = sk_val_map(), *bin = secret ? NULL : sk_val_map();
    struct sk_gen_data g = {.data = data,
                            .binary = bin,
                            .secret = secret,
                            .kind = secret ? "Secret" : "ConfigMap",
                            .name = name};
    struct sk_error *e = NULL;
    sk_err err = SK_OK;
    const struct sk_strv *envf = sk_cli_strs(c, "from-env-file");
    const struct sk_strv *ff = sk_cli_strs(c, "from-file");
    const struct sk_strv *lit = sk_cli_strs(c, "from-literal");
    if (envf->n && (ff->n || lit->n)) {
        sk_val_free(o);
        sk_val_free(data);
        sk_val_free(bin);
        return sk_cli_fail(c, "from-env-file cannot be combined with from-file or from-literal");
    }
    for (size_t i = 0; !err && i < ff->n; i++)
        err = sk_gen_from_file(&g, ff->v[i], &e);
    for (size_t i = 0; !err && i < lit->n; i++)
        err = sk_gen_from_literal(&g, lit->v[i], &e);
    for (size_t i = 0; !err && i < envf->n; i++)
        err = sk_gen_from_env_file(&g, envf->v[i], &e);
    if (err) {
        int rc = sk_cli_fail(c, "%s", sk_error_msg(e, err));
        sk_error_free(e);
        sk_val_free(o);
        sk_val_free(data);
        sk_val_free(bin);
        return rc;
    }
    if (sk_map_len(data))
        sk_map_set(o, "data", data);
    else
        sk_val_free(data);
    if (bin && sk_map_len(bin))
        sk_map_set(o, "binaryData", bin);
    else
        sk_val_free(bin);
    if (secret) {
        const char *t = sk_cli_str(c, "type");
        if (t && *t) sk_map_set(o, "type", sk_val_str(t));
    }
    if (sk_cli_bool(c, "append-hash")) append_hash(o);
    return create_gen(c, o, secret ? "failed to create secret " : "failed to create configmap: ");
}

static int cm_run(struct sk_cli *c)
{
    return data_run(c, false);
}

static int secret_generic_run(struct sk_cli *c)
{
    return data_run(c, true);
}

/* ---- secret docker-registry ---- */

static const struct sk_cli_flag dockerreg_flags[] = {
        {"append-hash", 0, SK_FLAG_BOOL, "false", "Append a hash of the secret to its name."},
        {"docker-email", 0, SK_FLAG_STRING, "", "Email for Docker registry"},
        {"docker-password", 0, SK_FLAG_STRING, "", "Password for Docker registry authentication"},
        {"docker-server", 0, SK_FLAG_STRING, "https://index.docker.io/v1/",
         "Server location for Docker registry"},
        {"docker-username", 0, SK_FLAG_STRING, "", "Username for Docker registry authentication"},
        {"from-file", 0, SK_FLAG_STRINGS, "[]",
         "Key files can be specified using their file path, in which case a default name of "
         ".dockerconfigjson will be given to them, or optionally with a name and file path, in "
         "which case the given name will be used. The only supported key is .dockerconfigjson."},
        GEN_FLAGS,
        {0},
};

static int dockerreg_run(struct sk_cli *c)
{
    if (need_name(c)) return 1;
    const struct sk_strv *ff = sk_cli_strs(c, "from-file");
    struct sk_val *o = new_obj("v1", "Secret", c->args[0]);
    struct sk_val *data = sk_map_set(o, "data", sk_val_map());
    if (ff->n) {
        struct sk_gen_data g = {.data = data, .secret = true, .kind = "Secret", .name = c->args[0]};
        struct sk_error *e = NULL;
        sk_err err = SK_OK;
        for (size_t i = 0; !err && i < ff->n; i++) {
            char *arg = strchr(ff->v[i], '=') ? sk_xstrdup(ff->v[i])
                                              : sk_xasprintf(".dockerconfigjson=%s", ff->v[i]);
            err = sk_gen_from_file(&g, arg, &e);
            free(arg);
        }
        if (err) {
            int rc = sk_cli_fail(c, "%s", sk_error_msg(e, err));
            sk_error_free(e);
            sk_val_free(o);
            return rc;
        }
    } else {
        const char *user = sk_cli_str(c, "docker-username");
        const char *pass = sk_cli_str(c, "docker-password");
        if (!user || !*user) {
            sk_val_free(o);
            return sk_cli_usage_fail(c, "missing required flag(s): \"docker-username\"");
        }
        if (!pass || !*pass) {
            sk_val_free(o);
            return sk_cli_usage_fail(c, "missing required flag(s): \"docker-password\"");
        }
        const char *email = sk_cli_str(c, "docker-email");
        char *up = sk_xasprintf("%s:%s", user, pass);
        char *auth = sk_gen_base64(up, strlen(up));
        free(up);
        struct sk_val *cfg = sk_val_map();
        struct sk_val *ent = sk_val_map();
        sk_map_set(ent, "username", sk_val_str(user));
        sk_map_set(ent, "password", sk_val_str(pass));
        if (email && *email) sk_map_set(ent, "email", sk_val_str(email));
        sk_map_set(ent, "auth", sk_val_str(auth));
        free(auth);
        struct sk_val *auths = sk_map_set(cfg, "auths", sk_val_map());
        sk_map_set(auths, sk_cli_str(c, "docker-server"), ent);
        size_t jl = 0;
        char *j = sk_json_dump(cfg, SK_JSON_COMPACT, &jl);
        sk_val_free(cfg);
        char *b = sk_gen_base64(j, jl);
        free(j);
        sk_map_set(data, ".dockerconfigjson", sk_val_str(b));
        free(b);
    }
    sk_map_set(o, "type", sk_val_str("kubernetes.io/dockerconfigjson"));
    if (sk_cli_bool(c, "append-hash")) append_hash(o);
    return create_gen(c, o, "failed to create secret ");
}

/* ---- deployment ---- */

static const struct sk_cli_flag deploy_flags[] = {
        {"image", 0, SK_FLAG_STRINGS, "[]",
         "Image names to run. A deployment can have multiple "
         "images set for multi-container pod."},
        {"port", 0, SK_FLAG_INT, "-1", "The containerPort that this deployment exposes."},
        {"replicas", 'r', SK_FLAG_INT, "1", "Number of replicas to create. Default is 1."},
        GEN_FLAGS,
        {0},
};

static int deploy_run(struct sk_cli *c)
{
    const struct sk_strv *img = sk_cli_strs(c, "image");
    if (img->n == 0) return sk_cli_fail(c, "required flag(s) \"image\" not set");
    if (need_name(c)) return 1;
    if (c->dash_at >= 0 && img->n > 1)
        return sk_cli_fail(c, "cannot specify multiple --image options and command");
    struct sk_val *d =
            sk_gen_deployment(c->args[0], NULL, (const char *const *)img->v, img->n,
                              (int)sk_cli_int(c, "replicas"), (int)sk_cli_int(c, "port"));
    if (c->dash_at >= 0 && c->dash_at < c->nargs) {
        struct sk_val *cs = sk_val_at(d, "spec", "template", "spec", "containers", NULL);
        struct sk_val *ct = sk_arr_get(cs, 0);
        struct sk_val *cmd = sk_val_arr();
        for (int i = c->dash_at; i < c->nargs; i++)
            sk_arr_push(cmd, sk_val_str(c->args[i]));
        /* Container's field order: name, image, command, ports, resources */
        struct sk_val *copy = sk_val_map();
        sk_map_set(copy, "name", sk_map_take(ct, "name"));
        sk_map_set(copy, "image", sk_map_take(ct, "image"));
        sk_map_set(copy, "command", cmd);
        for (size_t i = 0; i < ct->u.m.n; i++)
            sk_map_set(copy, ct->u.m.kv[i].key, sk_val_dup(ct->u.m.kv[i].val));
        sk_arr_remove(cs, 0);
        sk_arr_insert(cs, 0, copy);
    }
    return create_gen(c, d, "failed to create deployment: ");
}

/* ---- service clusterip | nodeport ---- */

static const struct sk_cli_flag svc_cip_flags[] = {
        {"clusterip", 0, SK_FLAG_STRING, "",
         "Assign your own ClusterIP or set to 'None' for a 'headless' service (no "
         "loadbalancing)."},
        {"tcp", 0, SK_FLAG_STRINGS, "[]", "Port pairs can be specified as '<port>:<targetPort>'."},
        GEN_FLAGS,
        {0},
};

static const struct sk_cli_flag svc_np_flags[] = {
        {"node-port", 0, SK_FLAG_INT, "0",
         "Port used to expose the service on each node in a "
         "cluster."},
        {"tcp", 0, SK_FLAG_STRINGS, "[]", "Port pairs can be specified as '<port>:<targetPort>'."},
        GEN_FLAGS,
        {0},
};

static int svc_run(struct sk_cli *c, const char *type)
{
    if (need_name(c)) return 1;
    const char *name = c->args[0];
    const struct sk_strv *tcp = sk_cli_strs(c, "tcp");
    const char *cip = !strcmp(type, "ClusterIP") ? sk_cli_str(c, "clusterip") : NULL;
    if (tcp->n == 0 && !(cip && !strcmp(cip, "None")))
        return sk_cli_fail(c, "at least one tcp port specifier must be provided");
    struct sk_val *o = new_obj("v1", "Service", name);
    sk_val_set_at(o, sk_val_str(name), "metadata", "labels", "app", NULL);
    struct sk_val *spec = sk_map_set(o, "spec", sk_val_map());
    struct sk_val *ports = sk_map_set(spec, "ports", sk_val_arr());
    for (size_t i = 0; i < tcp->n; i++) {
        const char *s = tcp->v[i];
        const char *colon = strchr(s, ':');
        char *ps = colon ? sk_xstrndup(s, (size_t)(colon - s)) : sk_xstrdup(s);
        char *end;
        long port = strtol(ps, &end, 10);
        if (*end || !*ps || port < 1 || port > 65535) {
            free(ps);
            sk_val_free(o);
            return sk_cli_fail(c, "strconv.Atoi: parsing \"%s\": invalid syntax", s);
        }
        struct sk_val *p = sk_arr_push(ports, sk_val_map());
        char *pn = colon ? sk_xasprintf("%s-%s", ps, colon + 1) : sk_xstrdup(ps);
        sk_map_set(p, "name", sk_val_str(pn));
        free(pn);
        sk_map_set(p, "protocol", sk_val_str("TCP"));
        sk_map_set(p, "port", sk_val_int(port));
        const char *tp = colon ? colon + 1 : ps;
        long tpi = strtol(tp, &end, 10);
        if (*tp && !*end)
            sk_map_set(p, "targetPort", sk_val_int(tpi));
        else
            sk_map_set(p, "targetPort", sk_val_str(tp));
        if (!strcmp(type, "NodePort") && sk_cli_int(c, "node-port") > 0)
            sk_map_set(p, "nodePort", sk_val_int(sk_cli_int(c, "node-port")));
        free(ps);
    }
    sk_val_set_at(spec, sk_val_str(name), "selector", "app", NULL);
    if (cip && *cip) sk_map_set(spec, "clusterIP", sk_val_str(cip));
    sk_map_set(spec, "type", sk_val_str(type));
    sk_val_set_at(o, sk_val_map(), "status", "loadBalancer", NULL);
    char *fail = sk_xasprintf("failed to create %s service: ", type);
    int rc = create_gen(c, o, fail);
    free(fail);
    return rc;
}

static int svc_cip_run(struct sk_cli *c)
{
    return svc_run(c, "ClusterIP");
}

static int svc_np_run(struct sk_cli *c)
{
    return svc_run(c, "NodePort");
}

/* ---- job ---- */

static const struct sk_cli_flag job_flags[] = {
        {"from", 0, SK_FLAG_STRING, "",
         "The name of the resource to create a Job from (only cronjob is supported)."},
        {"image", 0, SK_FLAG_STRING, "", "Image name to run."},
        GEN_FLAGS,
        {0},
};

static int job_run(struct sk_cli *c)
{
    if (need_name(c)) return 1;
    const char *name = c->args[0];
    const char *image = sk_cli_str(c, "image");
    const char *from = sk_cli_str(c, "from");
    struct sk_val *o = NULL;
    if (from && *from) {
        if (image && *image) return sk_cli_fail(c, "either --image or --from must be specified");
        if (strncmp(from, "cronjob/", 8) && strncmp(from, "cronjobs/", 9) &&
            strncmp(from, "cj/", 3))
            return sk_cli_fail(c, "from must be an existing cronjob: %s", from);
        const struct sk_kind *cjk = sk_kind_by_api_version("batch/v1", "CronJob");
        char *path = sk_cli_path(cjk, sk_cli_namespace(c), strchr(from, '/') + 1, NULL, NULL);
        struct sk_val *cj = NULL;
        int rc = sk_cli_get_json(c, path, &cj);
        free(path);
        if (rc) return rc;
        o = new_obj("batch/v1", "Job", name);
        struct sk_val *md = sk_map_get(o, "metadata");
        struct sk_val *ann = sk_map_set(md, "annotations", sk_val_map());
        sk_map_set(ann, "cronjob.kubernetes.io/instantiate", sk_val_str("manual"));
        const struct sk_val *tl = sk_val_at(cj, "spec", "jobTemplate", "metadata", "labels", NULL);
        if (tl) sk_map_set(md, "labels", sk_val_dup(tl));
        struct sk_val *refs = sk_map_set(md, "ownerReferences", sk_val_arr());
        struct sk_val *ref = sk_arr_push(refs, sk_val_map());
        sk_map_set(ref, "apiVersion", sk_val_str("batch/v1"));
        sk_map_set(ref, "controller", sk_val_bool(true));
        sk_map_set(ref, "kind", sk_val_str("CronJob"));
        sk_map_set(ref, "name", sk_val_str(sk_obj_name(cj) ?: ""));
        sk_map_set(ref, "uid", sk_val_str(sk_val_str_at(cj, "metadata", "uid", NULL) ?: ""));
        const struct sk_val *js = sk_val_at(cj, "spec", "jobTemplate", "spec", NULL);
        sk_map_set(o, "spec", js ? sk_val_dup(js) : sk_val_map());
        sk_map_set(o, "status", sk_val_map());
        sk_val_free(cj);
        return create_gen(c, o, "failed to create job: ");
    }
    if (!image || !*image) return sk_cli_fail(c, "either --image or --from must be specified");
    o = new_obj("batch/v1", "Job", name);
    struct sk_val *spec = sk_map_set(o, "spec", sk_val_map());
    struct sk_val *tpl = sk_map_set(spec, "template", sk_val_map());
    sk_val_set_at(tpl, sk_val_null(), "metadata", "creationTimestamp", NULL);
    struct sk_val *ps = sk_map_set(tpl, "spec", sk_val_map());
    struct sk_val *cs = sk_map_set(ps, "containers", sk_val_arr());
    struct sk_val *ct = sk_arr_push(cs, sk_val_map());
    sk_map_set(ct, "name", sk_val_str(name));
    sk_map_set(ct, "image", sk_val_str(image));
    if (c->dash_at >= 0 && c->dash_at < c->nargs) {
        struct sk_val *cmd = sk_map_set(ct, "command", sk_val_arr());
        for (int i = c->dash_at; i < c->nargs; i++)
            sk_arr_push(cmd, sk_val_str(c->args[i]));
    }
    sk_map_set(ct, "resources", sk_val_map());
    sk_map_set(ps, "restartPolicy", sk_val_str("Never"));
    sk_map_set(o, "status", sk_val_map());
    return create_gen(c, o, "failed to create job: ");
}

/* ---- the verb table ---- */

static const struct sk_cli_verb v_ns = {
        .name = "namespace",
        .aliases = (const char *const[]){"ns", NULL},
        .short_help = "Create a namespace with the specified name",
        .usage = "skiff create namespace NAME [--dry-run=server|client|none]",
        .examples = "  # Create a new namespace named my-namespace\n"
                    "  skiff create namespace my-namespace",
        .flags = ns_flags,
        .run = ns_run,
};
static const struct sk_cli_verb v_cm = {
        .name = "configmap",
        .aliases = (const char *const[]){"cm", NULL},
        .short_help = "Create a config map from a local file, directory or literal value",
        .long_help = "Create a config map based on a file, directory, or specified literal "
                     "value.\n\n A single config map may package one or more key/value pairs.\n\n"
                     " When creating a config map based on a file, the key will default to the "
                     "basename of the file, and the value will default to the file content.  If "
                     "the basename is an invalid key, you may specify an alternate key.\n\n When "
                     "creating a config map based on a directory, each file whose basename is a "
                     "valid key in the directory will be packaged into the config map.  Any "
                     "directory entries except regular files are ignored (e.g. subdirectories, "
                     "symlinks, devices, pipes, etc).",
        .usage = "skiff create configmap NAME [--from-file=[key=]source] "
                 "[--from-literal=key1=value1] [--dry-run=server|client|none]",
        .examples = "  # Create a new config map named my-config based on folder bar\n"
                    "  skiff create configmap my-config --from-file=path/to/bar\n\n"
                    "  # Create a new config map named my-config with key1=config1 and "
                    "key2=config2\n"
                    "  skiff create configmap my-config --from-literal=key1=config1 "
                    "--from-literal=key2=config2\n\n"
                    "  # Create a new config map named my-config from an env file\n"
                    "  skiff create configmap my-config --from-env-file=path/to/foo.env",
        .flags = cm_flags,
        .run = cm_run,
};
static const struct sk_cli_verb v_secret_generic = {
        .name = "generic",
        .short_help = "Create a secret from a local file, directory, or literal value",
        .usage = "skiff create secret generic NAME [--type=string] [--from-file=[key=]source] "
                 "[--from-literal=key1=value1] [--dry-run=server|client|none]",
        .examples = "  # Create a new secret named my-secret with key1=supersecret and "
                    "key2=topsecret\n"
                    "  skiff create secret generic my-secret --from-literal=key1=supersecret "
                    "--from-literal=key2=topsecret",
        .flags = secret_flags,
        .run = secret_generic_run,
};
static const struct sk_cli_verb v_secret_docker = {
        .name = "docker-registry",
        .short_help = "Create a secret for use with a Docker registry",
        .usage = "skiff create secret docker-registry NAME --docker-username=user "
                 "--docker-password=password --docker-email=email [--docker-server=string] "
                 "[--from-file=[key=]source] [--dry-run=server|client|none]",
        .examples = "  # Create a new secret for use with Docker registries\n"
                    "  skiff create secret docker-registry my-secret "
                    "--docker-server=DOCKER_REGISTRY_SERVER --docker-username=DOCKER_USER "
                    "--docker-password=DOCKER_PASSWORD --docker-email=DOCKER_EMAIL",
        .flags = dockerreg_flags,
        .run = dockerreg_run,
};
static const struct sk_cli_verb v_secret = {
        .name = "secret",
        .short_help = "Create a secret using a specified subcommand",
        .usage = "skiff create secret (docker-registry | generic | tls) [options]",
        .subs = (const struct sk_cli_verb *const[]){&v_secret_docker, &v_secret_generic, NULL},
};
static const struct sk_cli_verb v_deploy = {
        .name = "deployment",
        .aliases = (const char *const[]){"deploy", NULL},
        .short_help = "Create a deployment with the specified name",
        .usage = "skiff create deployment NAME --image=image -- [COMMAND] [args...]",
        .examples = "  # Create a deployment named my-dep that runs the busybox image\n"
                    "  skiff create deployment my-dep --image=busybox\n\n"
                    "  # Create a deployment named my-dep that runs the nginx image with 3 "
                    "replicas\n"
                    "  skiff create deployment my-dep --image=nginx --replicas=3\n\n"
                    "  # Create a deployment named my-dep that runs the busybox image and expose "
                    "port 5701\n"
                    "  skiff create deployment my-dep --image=busybox --port=5701",
        .flags = deploy_flags,
        .run = deploy_run,
};
static const struct sk_cli_verb v_svc_cip = {
        .name = "clusterip",
        .short_help = "Create a ClusterIP service",
        .usage = "skiff create service clusterip NAME [--tcp=<port>:<targetPort>] "
                 "[--dry-run=server|client|none]",
        .examples = "  # Create a new ClusterIP service named my-cs\n"
                    "  skiff create service clusterip my-cs --tcp=5678:8080",
        .flags = svc_cip_flags,
        .run = svc_cip_run,
};
static const struct sk_cli_verb v_svc_np = {
        .name = "nodeport",
        .short_help = "Create a NodePort service",
        .usage = "skiff create service nodeport NAME [--tcp=port:targetPort] "
                 "[--dry-run=server|client|none]",
        .examples = "  # Create a new NodePort service named my-ns\n"
                    "  skiff create service nodeport my-ns --tcp=5678:8080",
        .flags = svc_np_flags,
        .run = svc_np_run,
};
static const struct sk_cli_verb v_svc = {
        .name = "service",
        .aliases = (const char *const[]){"svc", NULL},
        .short_help = "Create a service using a specified subcommand",
        .usage = "skiff create service (clusterip | nodeport) [options]",
        .subs = (const struct sk_cli_verb *const[]){&v_svc_cip, &v_svc_np, NULL},
};
static const struct sk_cli_verb v_job = {
        .name = "job",
        .short_help = "Create a job with the specified name",
        .usage = "skiff create job NAME --image=image [--from=cronjob/name] -- [COMMAND] "
                 "[args...]",
        .examples = "  # Create a job\n"
                    "  skiff create job my-job --image=busybox\n\n"
                    "  # Create a job with a command\n"
                    "  skiff create job my-job --image=busybox -- date\n\n"
                    "  # Create a job from a cron job named \"a-cronjob\"\n"
                    "  skiff create job test-job --from=cronjob/a-cronjob",
        .flags = job_flags,
        .run = job_run,
};

const struct sk_cli_verb sk_cli_verb_create = {
        .name = "create",
        .short_help = "Create a resource from a file or from stdin",
        .long_help = "Create a resource from a file or from stdin.\n\n JSON and YAML formats are "
                     "accepted.",
        .usage = "skiff create -f FILENAME",
        .examples = "  # Create a pod using the data in pod.json\n"
                    "  skiff create -f ./pod.json\n\n"
                    "  # Create a pod based on the JSON passed into stdin\n"
                    "  cat pod.json | skiff create -f -",
        .flags = create_flags,
        .run = create_run,
        .subs = (const struct sk_cli_verb *const[]){&v_cm, &v_deploy, &v_job, &v_ns, &v_secret,
                                                    &v_svc, NULL},
};
