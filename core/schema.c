/* The schema engine: the table of kinds and its look-ups, walks of the
 * field trees (field look-up by path for patches, unknown-field detection,
 * type checking with the wording of Kubernetes' JSON decoder), and the
 * entry points that run a kind's defaulting and validation. */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "quantity.h"
#include "schema_int.h"

const struct sk_kind *const sk_kinds[] = {
        &sk_kind_pod,
        &sk_kind_service,
        &sk_kind_endpoints,
        &sk_kind_configmap,
        &sk_kind_secret,
        &sk_kind_namespace,
        &sk_kind_node,
        &sk_kind_event,
        &sk_kind_serviceaccount,
        &sk_kind_pv,
        &sk_kind_pvc,
        &sk_kind_rc,
        &sk_kind_deployment,
        &sk_kind_replicaset,
        &sk_kind_daemonset,
        &sk_kind_statefulset,
        &sk_kind_controllerrevision,
        &sk_kind_job,
        &sk_kind_cronjob,
        &sk_kind_ingress,
        &sk_kind_ingressclass,
        &sk_kind_hpa,
        &sk_kind_storageclass,
        &sk_kind_lease,
        &sk_kind_endpointslice,
        NULL,
};

/* ---- look-ups ---- */

static bool eq(const char *a, const char *b)
{
    return a && b && !strcmp(a, b);
}

const struct sk_kind *sk_kind_by_gvk(const char *group, const char *version, const char *kind)
{
    for (size_t i = 0; sk_kinds[i]; i++) {
        const struct sk_kind *k = sk_kinds[i];
        if (eq(k->group, group ? group : "") && eq(k->version, version) && eq(k->kind, kind))
            return k;
    }
    return NULL;
}

const struct sk_kind *sk_kind_by_api_version(const char *api_version, const char *kind)
{
    if (!api_version || !kind) return NULL;
    const char *slash = strchr(api_version, '/');
    if (!slash) return sk_kind_by_gvk("", api_version, kind);
    char *group = sk_xstrndup(api_version, (size_t)(slash - api_version));
    const struct sk_kind *k = *group ? sk_kind_by_gvk(group, slash + 1, kind) : NULL;
    free(group);
    return k;
}

const struct sk_kind *sk_kind_by_resource(const char *group, const char *version,
                                          const char *plural)
{
    for (size_t i = 0; sk_kinds[i]; i++) {
        const struct sk_kind *k = sk_kinds[i];
        if (eq(k->group, group ? group : "") && eq(k->version, version) && eq(k->plural, plural))
            return k;
    }
    return NULL;
}

static bool names_kind(const struct sk_kind *k, const char *name)
{
    if (!strcasecmp(name, k->plural) || !strcasecmp(name, k->singular) ||
        !strcasecmp(name, k->kind))
        return true;
    for (const char *const *s = k->short_names; s && *s; s++)
        if (!strcasecmp(name, *s)) return true;
    return false;
}

const struct sk_kind *sk_kind_by_name(const char *name)
{
    if (!name || !*name) return NULL;
    const char *dot = strchr(name, '.');
    char *base = sk_xstrndup(name, dot ? (size_t)(dot - name) : strlen(name));
    const char *rest = dot ? dot + 1 : NULL;
    const struct sk_kind *found = NULL;
    for (size_t i = 0; sk_kinds[i] && !found; i++) {
        const struct sk_kind *k = sk_kinds[i];
        if (!names_kind(k, base)) continue;
        if (!rest) {
            found = k;
            continue;
        }
        /* "name.group", or "name.version.group" as kubectl splits it. */
        if (!strcasecmp(rest, k->group)) {
            found = k;
            continue;
        }
        size_t vl = strlen(k->version);
        if (!strncasecmp(rest, k->version, vl) &&
            ((!rest[vl] && !*k->group) ||
             (rest[vl] == '.' && !strcasecmp(rest + vl + 1, k->group))))
            found = k;
    }
    free(base);
    return found;
}

const char *sk_kind_api_version(const struct sk_kind *k)
{
    static const char *const av[] = {"v1",
                                     "apps/v1",
                                     "batch/v1",
                                     "networking.k8s.io/v1",
                                     "autoscaling/v2",
                                     "storage.k8s.io/v1",
                                     "coordination.k8s.io/v1",
                                     "discovery.k8s.io/v1",
                                     NULL};
    for (size_t i = 0; av[i]; i++) {
        const char *slash = strchr(av[i], '/');
        size_t gl = slash ? (size_t)(slash - av[i]) : 0;
        const char *v = slash ? slash + 1 : av[i];
        if (strlen(k->group) == gl && !strncmp(k->group, av[i], gl) && eq(v, k->version))
            return av[i];
    }
    return k->version;
}

/* ---- field look-up by path ---- */

static const struct sk_field *find_field(const struct sk_field *fields, const char *name, size_t n)
{
    for (const struct sk_field *f = fields; f && f->name; f++)
        if (strlen(f->name) == n && !memcmp(f->name, name, n)) return f;
    return NULL;
}

const struct sk_field *sk_field_at(const struct sk_field *fields, const char *path)
{
    const struct sk_field *f = NULL;
    const char *p = path;
    if (!p) return NULL;
    while (*p) {
        if (*p == '.') {
            p++;
            continue;
        }
        if (*p == '[') {
            const char *close = strchr(p, ']');
            if (!close) return NULL;
            p = close + 1;
            continue;
        }
        size_t n = strcspn(p, ".[");
        if (f && !fields) return NULL;
        f = find_field(fields, p, n);
        if (!f) return NULL;
        fields = f->fields;
        p += n;
    }
    return f;
}

const struct sk_field *sk_kind_field(const struct sk_kind *k, const char *path)
{
    return k ? sk_field_at(k->fields, path) : NULL;
}

/* ---- defaulting and validation entry points ---- */

void sk_kind_default(const struct sk_kind *k, struct sk_val *obj)
{
    if (k && k->defaults && obj && obj->type == SK_V_MAP) k->defaults(obj);
}

/* The status a new object starts with. The registry's PrepareForCreate
 * drops whatever status the client sent, and Kubernetes then returns the
 * Go zero value of the status type (its fields without omitempty show as 0
 * or null, a struct-typed field as {}) with the status defaults applied.
 * Pods and Jobs do this in their own hooks; a Node keeps the status its
 * kubelet registers with. */
static void start_status(const struct sk_kind *k, struct sk_val *obj)
{
    static const char *const zero_ints[][5] = {
            {"ReplicationController", "replicas", NULL},
            {"ReplicaSet", "replicas", NULL},
            {"StatefulSet", "replicas", "availableReplicas", NULL},
            {"DaemonSet", "currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled",
             "numberReady"},
            {"HorizontalPodAutoscaler", "desiredReplicas", NULL},
            {"Deployment", NULL},
            {"CronJob", NULL},
    };
    struct sk_val *st = NULL;
    for (size_t i = 0; i < sizeof zero_ints / sizeof zero_ints[0] && !st; i++) {
        if (strcmp(k->kind, zero_ints[i][0])) continue;
        st = sk_val_map();
        for (size_t j = 1; j < 5 && zero_ints[i][j]; j++)
            sk_map_set(st, zero_ints[i][j], sk_val_int(0));
    }
    if (k == &sk_kind_hpa) sk_map_set(st, "currentMetrics", sk_val_null());
    if (k == &sk_kind_service || k == &sk_kind_ingress) {
        st = sk_val_map();
        sk_map_set(st, "loadBalancer", sk_val_map());
    } else if (k == &sk_kind_pvc || k == &sk_kind_pv || k == &sk_kind_namespace) {
        st = sk_val_map();
        sk_map_set(st, "phase", sk_val_str(k == &sk_kind_namespace ? "Active" : "Pending"));
        if (k == &sk_kind_pv) {
            /* PersistentVolumeLastPhaseTransitionTime (GA in 1.31). */
            char ts[32];
            time_t now = time(NULL);
            struct tm tm;
            gmtime_r(&now, &tm);
            strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
            sk_map_set(st, "lastPhaseTransitionTime", sk_val_str(ts));
        }
    }
    if (st) sk_map_set(obj, "status", st);
}

void sk_kind_prepare_create(const struct sk_kind *k, struct sk_val *obj)
{
    if (!k || !obj || obj->type != SK_V_MAP) return;
    start_status(k, obj);
    if (k->prepare_create) k->prepare_create(obj);
}

void sk_kind_prepare_update(const struct sk_kind *k, struct sk_val *obj, const struct sk_val *old)
{
    if (k && k->prepare_update && obj && obj->type == SK_V_MAP && old) k->prepare_update(obj, old);
}

bool sk_kind_validate(const struct sk_kind *k, const struct sk_val *obj, const struct sk_val *old,
                      struct sk_causes *causes)
{
    size_t before = causes->n;
    struct sk_vctx v;
    sk_vctx_init(&v, causes);
    if (old)
        sk_validate_object_meta_update(&v, sk_getm(obj, "metadata"), sk_getm(old, "metadata"));
    else
        sk_validate_object_meta(&v, k, sk_getm(obj, "metadata"));
    sk_vctx_free(&v);
    if (k->validate) k->validate(obj, old, causes);
    return causes->n == before;
}

bool sk_kind_validate_status(const struct sk_kind *k, const struct sk_val *obj,
                             const struct sk_val *old, struct sk_causes *causes)
{
    size_t before = causes->n;
    struct sk_vctx v;
    sk_vctx_init(&v, causes);
    sk_validate_object_meta_update(&v, sk_getm(obj, "metadata"), sk_getm(old, "metadata"));
    sk_vctx_free(&v);
    if (k->validate_status) k->validate_status(obj, old, causes);
    return causes->n == before;
}

/* ---- walks ---- */

struct walk {
    struct sk_buf path;  /* "spec.containers[0].ports[1]" */
    struct sk_buf stack; /* Go's field stack: "spec.containers.ports" */
    char **out;
    size_t max, count;
    struct sk_causes *causes;
};

static size_t push_name(struct sk_buf *b, const char *name)
{
    size_t mark = b->len;
    if (b->len) sk_buf_putc(b, '.');
    sk_buf_puts(b, name);
    return mark;
}

static void pop(struct sk_buf *b, size_t mark)
{
    b->len = mark;
}

static const char *cur(struct sk_buf *b)
{
    sk_buf_putc(b, 0);
    b->len--;
    return b->p;
}

static bool has_children(const struct sk_field *f)
{
    return f->fields && (f->type == SK_F_OBJECT || f->elem == SK_F_OBJECT);
}

static void unknown_obj(struct walk *w, const struct sk_field *fields, const struct sk_val *obj);

static void unknown_value(struct walk *w, const struct sk_field *f, const struct sk_val *v)
{
    if (!has_children(f) || !v) return;
    if (f->type == SK_F_OBJECT) {
        unknown_obj(w, f->fields, v);
    } else if (f->type == SK_F_ARRAY && v->type == SK_V_ARR) {
        for (size_t i = 0; i < v->u.a.n; i++) {
            size_t mark = w->path.len;
            sk_buf_printf(&w->path, "[%zu]", i);
            unknown_obj(w, f->fields, v->u.a.items[i]);
            pop(&w->path, mark);
        }
    } else if (f->type == SK_F_MAP && v->type == SK_V_MAP) {
        for (size_t i = 0; i < v->u.m.n; i++) {
            size_t mark = push_name(&w->path, v->u.m.kv[i].key);
            unknown_obj(w, f->fields, v->u.m.kv[i].val);
            pop(&w->path, mark);
        }
    }
}

static void unknown_obj(struct walk *w, const struct sk_field *fields, const struct sk_val *obj)
{
    if (!obj || obj->type != SK_V_MAP) return;
    for (size_t i = 0; i < obj->u.m.n; i++) {
        const struct sk_kv *kv = &obj->u.m.kv[i];
        const struct sk_field *f = find_field(fields, kv->key, kv->klen);
        size_t mark = push_name(&w->path, kv->key);
        if (!f) {
            if (w->count < w->max) w->out[w->count] = sk_xstrdup(cur(&w->path));
            w->count++;
        } else {
            unknown_value(w, f, kv->val);
        }
        pop(&w->path, mark);
    }
}

size_t sk_schema_unknown_fields(const struct sk_kind *k, const struct sk_val *obj, char **out,
                                size_t max)
{
    struct walk w = {.out = out, .max = max};
    unknown_obj(&w, k->fields, obj);
    sk_buf_free(&w.path);
    return w.count;
}

/* -- type check -- */

/* "v1.PodSpec" from "io.k8s.api.core.v1.PodSpec". */
static char *go_struct_type(const char *ref)
{
    if (!ref) return sk_xstrdup("struct");
    const char *last = strrchr(ref, '.');
    const char *p = last;
    while (p > ref && p[-1] != '.')
        p--;
    return sk_xstrdup(p > ref ? p : ref);
}

static char *go_scalar_type(enum sk_ftype t, const char *ref)
{
    switch (t) {
    case SK_F_STRING: return sk_xstrdup("string");
    case SK_F_INT32: return sk_xstrdup("int32");
    case SK_F_INT64: return sk_xstrdup("int64");
    case SK_F_NUMBER: return sk_xstrdup("float64");
    case SK_F_BOOL: return sk_xstrdup("bool");
    case SK_F_QUANTITY: return sk_xstrdup("resource.Quantity");
    case SK_F_INT_OR_STRING: return sk_xstrdup("intstr.IntOrString");
    case SK_F_TIME: return sk_xstrdup("v1.Time");
    case SK_F_BYTES: return sk_xstrdup("[]uint8");
    case SK_F_ANY: return sk_xstrdup("runtime.RawExtension");
    case SK_F_OBJECT: return go_struct_type(ref);
    default: return sk_xstrdup("interface {}");
    }
}

/* The Go type of the field, or of one element when elem is set. */
static char *go_type(const struct sk_field *f, bool elem)
{
    if (f->type != SK_F_ARRAY && f->type != SK_F_MAP) {
        return f->go_type ? sk_xstrdup(f->go_type) : go_scalar_type(f->type, f->ref);
    }
    if (f->go_type && !elem) return sk_xstrdup(f->go_type);
    if (f->go_type && elem) {
        /* "[]v1.PersistentVolumeAccessMode" -> "v1.PersistentVolumeAccessMode" */
        const char *g = f->go_type;
        if (!strncmp(g, "[]", 2)) return sk_xstrdup(g + 2);
        const char *close = strchr(g, ']');
        if (!strncmp(g, "map[", 4) && close) return sk_xstrdup(close + 1);
        if (!strcmp(g, "v1.ResourceList")) return sk_xstrdup("resource.Quantity");
        return go_scalar_type(f->elem, f->ref);
    }
    char *e = go_scalar_type(f->elem, f->ref);
    if (elem) return e;
    char *t = sk_xasprintf(f->type == SK_F_ARRAY ? "[]%s" : "map[string]%s", e);
    free(e);
    return t;
}

static const char *json_kind(const struct sk_val *v)
{
    switch (v->type) {
    case SK_V_STR: return "string";
    case SK_V_INT:
    case SK_V_FLOAT: return "number";
    case SK_V_BOOL: return "bool";
    case SK_V_MAP: return "object";
    case SK_V_ARR: return "array";
    default: return "null";
    }
}

static void type_cause(struct walk *w, const char *msg)
{
    sk_causes_add(w->causes, cur(&w->path), SK_REASON_TYPE_INVALID, "%s", msg);
}

/* json: cannot unmarshal <what> into Go struct field <S>.<stack> of type <T> */
static void unmarshal_cause(struct walk *w, const char *what, const char *gostruct,
                            const struct sk_field *f, bool elem)
{
    _sk_cleanup_free_ char *t = go_type(f, elem);
    _sk_cleanup_free_ char *m =
            sk_xasprintf("json: cannot unmarshal %s into Go struct field %s.%s of type %s", what,
                         gostruct, cur(&w->stack), t);
    type_cause(w, m);
}

static void number_text(const struct sk_val *v, char *buf, size_t n)
{
    if (v->type == SK_V_INT)
        snprintf(buf, n, "number %" PRId64, v->u.i);
    else {
        char d[40];
        d[sk_fmt_double(v->u.f, d)] = 0;
        snprintf(buf, n, "number %s", d);
    }
}

static bool b64_check(const char *s, size_t n, size_t *bad)
{
    /* encoding/base64's StdEncoding, padding required; \r and \n are
     * skipped by the decoder. Reports the offset Go would. */
    size_t i = 0, q = 0, pad = 0;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r' || c == '\n') continue;
        if (c == '=') {
            if (q < 2) break;
            pad++;
            q++;
            if (q == 4) {
                q = 0;
                i++;
                while (i < n && (s[i] == '\r' || s[i] == '\n'))
                    i++;
                if (i < n) break;
                return true;
            }
            continue;
        }
        if (pad) break;
        if (!(isalnum(c) || c == '+' || c == '/')) break;
        q = (q + 1) % 4;
    }
    if (i == n && q == 0) return true;
    *bad = i == n ? n - (q ? q : 0) : i;
    if (i == n && q == 1) *bad = n - 1;
    return false;
}

static void check_obj(struct walk *w, const struct sk_field *fields, const char *gostruct,
                      const struct sk_val *obj);

/* One value against type t (the field's type, or its element type). */
static void check_scalar(struct walk *w, const struct sk_field *f, enum sk_ftype t, bool elem,
                         const char *gostruct, const struct sk_val *v)
{
    char num[64];
    if (!v || v->type == SK_V_NULL) return;
    switch (t) {
    case SK_F_STRING:
        if (v->type != SK_V_STR) unmarshal_cause(w, json_kind(v), gostruct, f, elem);
        break;
    case SK_F_INT32:
    case SK_F_INT64:
        if (v->type == SK_V_INT) {
            if (t == SK_F_INT32 && (v->u.i < INT32_MIN || v->u.i > INT32_MAX)) {
                number_text(v, num, sizeof(num));
                unmarshal_cause(w, num, gostruct, f, elem);
            }
        } else if (v->type == SK_V_FLOAT) {
            number_text(v, num, sizeof(num));
            unmarshal_cause(w, num, gostruct, f, elem);
        } else {
            unmarshal_cause(w, json_kind(v), gostruct, f, elem);
        }
        break;
    case SK_F_NUMBER:
        if (v->type != SK_V_INT && v->type != SK_V_FLOAT)
            unmarshal_cause(w, json_kind(v), gostruct, f, elem);
        break;
    case SK_F_BOOL:
        if (v->type != SK_V_BOOL) unmarshal_cause(w, json_kind(v), gostruct, f, elem);
        break;
    case SK_F_QUANTITY: {
        struct sk_quantity q;
        struct sk_error *e = NULL;
        if (sk_quantity_from_val(v, &q, NULL, &e) != SK_OK)
            type_cause(w, sk_error_msg(e, SK_EINVAL));
        sk_error_free(e);
        break;
    }
    case SK_F_INT_OR_STRING: {
        /* IntOrString decodes a string, or else an int32. */
        if (v->type == SK_V_STR) break;
        if (v->type == SK_V_INT && v->u.i >= INT32_MIN && v->u.i <= INT32_MAX) break;
        if (v->type == SK_V_INT || v->type == SK_V_FLOAT)
            number_text(v, num, sizeof(num));
        else
            snprintf(num, sizeof(num), "%s", json_kind(v));
        _sk_cleanup_free_ char *m =
                sk_xasprintf("json: cannot unmarshal %s into Go value of type int32", num);
        type_cause(w, m);
        break;
    }
    case SK_F_TIME: {
        if (v->type != SK_V_STR) {
            _sk_cleanup_free_ char *m2 = sk_xasprintf(
                    "json: cannot unmarshal %s into Go value of type string", json_kind(v));
            type_cause(w, m2);
            break;
        }
        struct sk_time tm;
        struct sk_error *e = NULL;
        bool micro = f->go_type && strstr(f->go_type, "MicroTime");
        sk_err rc =
                micro ? sk_microtime_parse(v->u.s.p, &tm, &e) : sk_time_parse(v->u.s.p, &tm, &e);
        if (rc != SK_OK) type_cause(w, sk_error_msg(e, rc));
        sk_error_free(e);
        break;
    }
    case SK_F_BYTES: {
        if (v->type != SK_V_STR) {
            unmarshal_cause(w, json_kind(v), gostruct, f, elem);
            break;
        }
        size_t bad = 0;
        if (!b64_check(v->u.s.p, v->u.s.len, &bad)) {
            snprintf(num, sizeof(num), "illegal base64 data at input byte %zu", bad);
            type_cause(w, num);
        }
        break;
    }
    case SK_F_OBJECT:
        if (v->type != SK_V_MAP) {
            unmarshal_cause(w, json_kind(v), gostruct, f, elem);
        } else if (f->fields) {
            _sk_cleanup_free_ char *st = go_struct_type(f->ref);
            const char *dot = strchr(st, '.');
            check_obj(w, f->fields, dot ? dot + 1 : st, v);
        }
        break;
    default: break;
    }
}

static void check_value(struct walk *w, const struct sk_field *f, const char *gostruct,
                        const struct sk_val *v)
{
    if (!v || v->type == SK_V_NULL || f->type == SK_F_ANY) return;
    if (f->type == SK_F_ARRAY) {
        if (v->type != SK_V_ARR) {
            unmarshal_cause(w, json_kind(v), gostruct, f, false);
            return;
        }
        for (size_t i = 0; i < v->u.a.n; i++) {
            size_t mark = w->path.len;
            sk_buf_printf(&w->path, "[%zu]", i);
            check_scalar(w, f, f->elem, true, gostruct, v->u.a.items[i]);
            pop(&w->path, mark);
        }
        return;
    }
    if (f->type == SK_F_MAP) {
        if (v->type != SK_V_MAP) {
            unmarshal_cause(w, json_kind(v), gostruct, f, false);
            return;
        }
        for (size_t i = 0; i < v->u.m.n; i++) {
            size_t mark = w->path.len;
            sk_buf_printf(&w->path, "[%s]", v->u.m.kv[i].key);
            check_scalar(w, f, f->elem, true, gostruct, v->u.m.kv[i].val);
            pop(&w->path, mark);
        }
        return;
    }
    check_scalar(w, f, f->type, false, gostruct, v);
}

static void check_obj(struct walk *w, const struct sk_field *fields, const char *gostruct,
                      const struct sk_val *obj)
{
    if (!obj || obj->type != SK_V_MAP) return;
    for (size_t i = 0; i < obj->u.m.n; i++) {
        const struct sk_kv *kv = &obj->u.m.kv[i];
        const struct sk_field *f = find_field(fields, kv->key, kv->klen);
        if (!f) continue;
        size_t pm = push_name(&w->path, kv->key), sm = push_name(&w->stack, kv->key);
        check_value(w, f, gostruct, kv->val);
        pop(&w->path, pm);
        pop(&w->stack, sm);
    }
}

bool sk_schema_check_types(const struct sk_kind *k, const struct sk_val *obj,
                           struct sk_causes *causes)
{
    size_t before = causes->n;
    struct walk w = {.causes = causes};
    check_obj(&w, k->fields, k->kind, obj);
    sk_buf_free(&w.path);
    sk_buf_free(&w.stack);
    return causes->n == before;
}

char *sk_schema_decode_message(const struct sk_kind *k, const char *detail)
{
    return sk_xasprintf("%s in version \"%s\" cannot be handled as a %s: %s", k->kind, k->version,
                        k->kind, detail ? detail : "");
}
