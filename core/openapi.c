/* OpenAPI v2 and v3 generated from the schema's field trees. One walker
 * serves both versions; they differ only in where definitions live, how a
 * described reference is written ($ref with siblings in v2, allOf in v3,
 * where siblings of $ref are ignored), parameters and request bodies. The
 * documents are rendered once into a cache because they are large and
 * never change while the agent runs. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mem.h"
#include "openapi.h"
#include "schema.h"

#define META       "io.k8s.apimachinery.pkg.apis.meta.v1."
#define REF_QTY    "io.k8s.apimachinery.pkg.api.resource.Quantity"
#define REF_INTSTR "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
#define REF_TIME   META "Time"
#define REF_MTIME  META "MicroTime"
#define REF_RAW    "io.k8s.apimachinery.pkg.runtime.RawExtension"
#define REF_SCALE  "io.k8s.api.autoscaling.v1.Scale"
#define K8S_LEVEL  "v1.32.0"

/* ---- supporting types kubectl and clients expect next to the kinds ---- */

#define FLD(n, t, d, ...)                                                                          \
    {                                                                                              \
        .name = (n), .type = (t), .description = (d), __VA_ARGS__                                  \
    }

static const struct sk_field f_ListMeta[] = {
        FLD("continue", SK_F_STRING, "Token for the next page of a paginated list."),
        FLD("remainingItemCount", SK_F_INT64, "How many items the rest of the list holds."),
        FLD("resourceVersion", SK_F_STRING, "Store revision at which the list was read."),
        FLD("selfLink", SK_F_STRING, "Deprecated and no longer set."),
        {0},
};

static const struct sk_field f_StatusCause[] = {
        FLD("field", SK_F_STRING, "Path of the field at fault, e.g. spec.replicas."),
        FLD("message", SK_F_STRING, "Human-readable explanation."),
        FLD("reason", SK_F_STRING, "Machine-readable cause, e.g. FieldValueInvalid."),
        {0},
};

static const struct sk_field f_StatusDetails[] = {
        FLD("causes", SK_F_ARRAY, "Individual causes of the failure.", .elem = SK_F_OBJECT,
            .fields = f_StatusCause, .ref = META "StatusCause", .list_type = "atomic"),
        FLD("group", SK_F_STRING, "Group of the resource concerned."),
        FLD("kind", SK_F_STRING, "Kind or resource of the object concerned."),
        FLD("name", SK_F_STRING, "Name of the object concerned."),
        FLD("retryAfterSeconds", SK_F_INT32, "Seconds to wait before retrying."),
        FLD("uid", SK_F_STRING, "UID of the object concerned."),
        {0},
};

static const struct sk_field f_Status[] = {
        FLD("apiVersion", SK_F_STRING, "Version of the schema of this object."),
        FLD("code", SK_F_INT32, "HTTP status code."),
        FLD("details", SK_F_OBJECT, "Extra data about the failure.", .fields = f_StatusDetails,
            .ref = META "StatusDetails"),
        FLD("kind", SK_F_STRING, "Kind of the object: Status."),
        FLD("message", SK_F_STRING, "Human-readable description of the outcome."),
        FLD("metadata", SK_F_OBJECT, "List metadata.", .fields = f_ListMeta,
            .ref = META "ListMeta"),
        FLD("reason", SK_F_STRING, "Machine-readable reason, e.g. NotFound or AlreadyExists."),
        FLD("status", SK_F_STRING, "Success or Failure."),
        {0},
};

static const struct sk_field f_Preconditions[] = {
        FLD("resourceVersion", SK_F_STRING, "The object must still have this resourceVersion."),
        FLD("uid", SK_F_STRING, "The object must still have this UID."),
        {0},
};

static const struct sk_field f_DeleteOptions[] = {
        FLD("apiVersion", SK_F_STRING, "Version of the schema of this object."),
        FLD("dryRun", SK_F_ARRAY, "All: run every stage but persist nothing.", .elem = SK_F_STRING,
            .list_type = "atomic"),
        FLD("gracePeriodSeconds", SK_F_INT64,
            "Seconds granted before the object is removed; 0 deletes at once."),
        FLD("kind", SK_F_STRING, "Kind of the object: DeleteOptions."),
        FLD("orphanDependents", SK_F_BOOL, "Deprecated: use propagationPolicy Orphan."),
        FLD("preconditions", SK_F_OBJECT, "Conditions the object must meet to be deleted.",
            .fields = f_Preconditions, .ref = META "Preconditions"),
        FLD("propagationPolicy", SK_F_STRING,
            "What happens to dependents: Foreground, Background or Orphan."),
        {0},
};

static const struct sk_field f_WatchEvent[] = {
        FLD("object", SK_F_ANY,
            "The object after the change (ADDED, MODIFIED), its last state (DELETED), a Status "
            "(ERROR) or an object carrying only a resourceVersion (BOOKMARK).",
            .ref = REF_RAW, .flags = SK_FF_REQUIRED),
        FLD("type", SK_F_STRING, "ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.",
            .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_ScaleSpec[] = {
        FLD("replicas", SK_F_INT32, "Desired number of replicas."),
        {0},
};

static const struct sk_field f_ScaleStatus[] = {
        FLD("replicas", SK_F_INT32, "Observed number of replicas.", .flags = SK_FF_REQUIRED),
        FLD("selector", SK_F_STRING, "Label selector of the pods counted, in string form."),
        {0},
};

/* ---- generation context ---- */

enum oa_ver { OA_V2 = 2, OA_V3 = 3 };

struct gen {
    enum oa_ver ver;
    struct sk_val *defs;            /* name -> schema */
    const struct sk_field *objmeta; /* the schema's ObjectMeta fields */
};

static const char *ref_prefix(const struct gen *g)
{
    return g->ver == OA_V2 ? "#/definitions/" : "#/components/schemas/";
}

static struct sk_val *ref_val(const struct gen *g, const char *name)
{
    struct sk_val *m = sk_val_map();
    sk_map_set(m, "$ref", sk_val_strf("%s%s", ref_prefix(g), name));
    return m;
}

static struct sk_val *str_array(const char *const *list)
{
    struct sk_val *a = sk_val_arr();
    for (const char *const *s = list; s && *s; s++)
        sk_arr_push(a, sk_val_str(*s));
    return a;
}

static struct sk_val *gvk_val(const char *group, const char *version, const char *kind)
{
    struct sk_val *m = sk_val_map();
    sk_map_set(m, "group", sk_val_str(group));
    sk_map_set(m, "kind", sk_val_str(kind));
    sk_map_set(m, "version", sk_val_str(version));
    return m;
}

static void def_object(struct gen *g, const char *name, const struct sk_field *fields,
                       const char *desc);

/* The definitions of Kubernetes' scalar wrapper types, written once. */
static void def_value_type(struct gen *g, const char *name)
{
    if (sk_map_get(g->defs, name)) return;
    struct sk_val *d = sk_map_set(g->defs, name, sk_val_map());
    if (!strcmp(name, REF_QTY)) {
        sk_map_set(d, "description",
                   sk_val_str("A fixed-point number with an optional suffix: 100m, 0.5, 128Mi, "
                              "1G, 2e3. Written as a string; numbers are accepted."));
        if (g->ver == OA_V2) {
            sk_map_set(d, "type", sk_val_str("string"));
        } else {
            struct sk_val *one = sk_map_set(d, "oneOf", sk_val_arr());
            sk_map_set(sk_arr_push(one, sk_val_map()), "type", sk_val_str("string"));
            sk_map_set(sk_arr_push(one, sk_val_map()), "type", sk_val_str("number"));
        }
    } else if (!strcmp(name, REF_INTSTR)) {
        sk_map_set(d, "description",
                   sk_val_str("An integer or a string, such as a port number or a port name, "
                              "or a count or a percentage."));
        sk_map_set(d, "format", sk_val_str("int-or-string"));
        if (g->ver == OA_V2) {
            sk_map_set(d, "type", sk_val_str("string"));
        } else {
            struct sk_val *one = sk_map_set(d, "oneOf", sk_val_arr());
            sk_map_set(sk_arr_push(one, sk_val_map()), "type", sk_val_str("integer"));
            sk_map_set(sk_arr_push(one, sk_val_map()), "type", sk_val_str("string"));
        }
    } else if (!strcmp(name, REF_TIME) || !strcmp(name, REF_MTIME)) {
        sk_map_set(d, "description",
                   sk_val_str(!strcmp(name, REF_TIME)
                                      ? "A point in time in RFC 3339 form, to the second."
                                      : "A point in time in RFC 3339 form, to the microsecond."));
        sk_map_set(d, "format", sk_val_str("date-time"));
        sk_map_set(d, "type", sk_val_str("string"));
    } else { /* RawExtension and other free-form values */
        sk_map_set(d, "description", sk_val_str("An embedded object of any kind."));
        sk_map_set(d, "type", sk_val_str("object"));
        sk_map_set(d, "x-kubernetes-preserve-unknown-fields", sk_val_bool(true));
    }
}

static struct sk_val *object_schema(struct gen *g, const struct sk_field *fields, const char *desc);

/* Schema of a value of type t without description: scalars inline,
 * Kubernetes' wrapper types and named objects by reference, anonymous
 * objects inline. fields, ref and go_type are the object's or element's. */
static struct sk_val *type_schema(struct gen *g, enum sk_ftype t, const struct sk_field *fields,
                                  const char *ref, const char *go_type)
{
    struct sk_val *s;
    const char *r;
    switch (t) {
    case SK_F_QUANTITY: def_value_type(g, REF_QTY); return ref_val(g, REF_QTY);
    case SK_F_INT_OR_STRING: def_value_type(g, REF_INTSTR); return ref_val(g, REF_INTSTR);
    case SK_F_TIME:
        r = go_type && strstr(go_type, "MicroTime") ? REF_MTIME : REF_TIME;
        def_value_type(g, r);
        return ref_val(g, r);
    case SK_F_ANY:
        r = ref ? ref : REF_RAW;
        def_value_type(g, r);
        return ref_val(g, r);
    case SK_F_OBJECT:
        if (ref) {
            def_object(g, ref, fields, NULL);
            return ref_val(g, ref);
        }
        return object_schema(g, fields, NULL);
    default: break;
    }
    s = sk_val_map();
    switch (t) {
    case SK_F_INT32:
    case SK_F_INT64:
        sk_map_set(s, "type", sk_val_str("integer"));
        sk_map_set(s, "format", sk_val_str(t == SK_F_INT32 ? "int32" : "int64"));
        break;
    case SK_F_NUMBER:
        sk_map_set(s, "type", sk_val_str("number"));
        sk_map_set(s, "format", sk_val_str("double"));
        break;
    case SK_F_BOOL: sk_map_set(s, "type", sk_val_str("boolean")); break;
    case SK_F_BYTES:
        sk_map_set(s, "type", sk_val_str("string"));
        sk_map_set(s, "format", sk_val_str("byte"));
        break;
    case SK_F_ARRAY: /* arrays of arrays do not occur in the schema */
        sk_map_set(s, "type", sk_val_str("array"));
        sk_map_set(sk_map_set(s, "items", sk_val_map()), "type", sk_val_str("string"));
        break;
    case SK_F_MAP:
        sk_map_set(s, "type", sk_val_str("object"));
        sk_map_set(sk_map_set(s, "additionalProperties", sk_val_map()), "type",
                   sk_val_str("string"));
        break;
    default: sk_map_set(s, "type", sk_val_str("string")); break;
    }
    return s;
}

/* Put a description next to a schema. A bare $ref gets wrapped: v3
 * ignores siblings of $ref, so kube-apiserver writes {"allOf":[{"$ref"}]}
 * there, and kubectl explain and the v3 patch code both read that. */
static struct sk_val *describe(struct gen *g, struct sk_val *s, const char *desc)
{
    if (g->ver == OA_V3 && sk_map_get(s, "$ref")) {
        struct sk_val *w = sk_val_map();
        sk_arr_push(sk_map_set(w, "allOf", sk_val_arr()), s);
        s = w;
    }
    if (desc && *desc) sk_map_set(s, "description", sk_val_str(desc));
    return s;
}

/* The schema of one field, with its description and extensions. */
static struct sk_val *prop_schema(struct gen *g, const struct sk_field *f)
{
    struct sk_val *s;
    if (f->type == SK_F_ARRAY || f->type == SK_F_MAP) {
        s = sk_val_map();
        struct sk_val *el =
                type_schema(g, f->elem ? f->elem : SK_F_STRING, f->fields, f->ref, f->go_type);
        if (f->type == SK_F_ARRAY) {
            sk_map_set(s, "type", sk_val_str("array"));
            sk_map_set(s, "items", el);
        } else {
            sk_map_set(s, "type", sk_val_str("object"));
            sk_map_set(s, "additionalProperties", el);
        }
    } else {
        s = type_schema(g, f->type, f->fields, f->ref, f->go_type);
    }
    s = describe(g, s, f->description);
    if (f->list_map_keys) sk_map_set(s, "x-kubernetes-list-map-keys", str_array(f->list_map_keys));
    if (f->list_type) sk_map_set(s, "x-kubernetes-list-type", sk_val_str(f->list_type));
    if (f->merge_key) sk_map_set(s, "x-kubernetes-patch-merge-key", sk_val_str(f->merge_key));
    if (f->patch_strategy)
        sk_map_set(s, "x-kubernetes-patch-strategy", sk_val_str(f->patch_strategy));
    return s;
}

static struct sk_val *object_schema(struct gen *g, const struct sk_field *fields, const char *desc)
{
    struct sk_val *s = sk_val_map();
    if (desc && *desc) sk_map_set(s, "description", sk_val_str(desc));
    if (fields && fields->name) {
        struct sk_val *props = sk_map_set(s, "properties", sk_val_map());
        struct sk_val *req = sk_val_arr();
        for (const struct sk_field *f = fields; f->name; f++) {
            sk_map_set(props, f->name, prop_schema(g, f));
            if (f->flags & SK_FF_REQUIRED) sk_arr_push(req, sk_val_str(f->name));
        }
        if (sk_arr_len(req))
            sk_map_set(s, "required", req);
        else
            sk_val_free(req);
    }
    sk_map_set(s, "type", sk_val_str("object"));
    /* an object skiff does not describe keeps whatever it holds */
    if (!fields) sk_map_set(s, "x-kubernetes-preserve-unknown-fields", sk_val_bool(true));
    return s;
}

/* Add the definition `name` once. A placeholder goes in first so that
 * recursive types (JSONSchemaProps-like trees) terminate. */
static void def_object(struct gen *g, const char *name, const struct sk_field *fields,
                       const char *desc)
{
    if (sk_map_get(g->defs, name)) return;
    sk_map_set(g->defs, name, sk_val_null());
    sk_map_set(g->defs, name, object_schema(g, fields, desc));
}

/* A kind, its List kind, and their group-version-kind extensions. */
static void def_kind(struct gen *g, const struct sk_kind *k)
{
    def_object(g, k->ref, k->fields, k->description);
    struct sk_val *d = sk_map_get(g->defs, k->ref);
    /* the kind may have been reached first as another kind's field */
    if (!sk_map_get(d, "description") && k->description)
        sk_map_set(d, "description", sk_val_str(k->description));
    struct sk_val *ga = sk_map_set(d, "x-kubernetes-group-version-kind", sk_val_arr());
    sk_arr_push(ga, gvk_val(k->group, k->version, k->kind));

    char *lname = sk_xasprintf("%sList", k->ref);
    struct sk_val *l = sk_map_set(g->defs, lname, sk_val_map());
    sk_map_set(l, "description", sk_val_strf("A list of %s objects.", k->kind));
    struct sk_val *props = sk_map_set(l, "properties", sk_val_map());
    struct sk_val *p = sk_map_set(props, "apiVersion", sk_val_map());
    sk_map_set(p, "description", sk_val_str("Version of the schema of this object."));
    sk_map_set(p, "type", sk_val_str("string"));
    p = sk_map_set(props, "items", sk_val_map());
    sk_map_set(p, "description", sk_val_strf("The %s objects.", k->kind));
    sk_map_set(p, "items", ref_val(g, k->ref));
    sk_map_set(p, "type", sk_val_str("array"));
    p = sk_map_set(props, "kind", sk_val_map());
    sk_map_set(p, "description", sk_val_str("Kind of the object."));
    sk_map_set(p, "type", sk_val_str("string"));
    def_object(g, META "ListMeta", f_ListMeta, "Metadata of a list: its version and paging.");
    sk_map_set(props, "metadata",
               describe(g, ref_val(g, META "ListMeta"), "Standard list metadata."));
    sk_arr_push(sk_map_set(l, "required", sk_val_arr()), sk_val_str("items"));
    sk_map_set(l, "type", sk_val_str("object"));
    ga = sk_map_set(l, "x-kubernetes-group-version-kind", sk_val_arr());
    sk_arr_push(ga, gvk_val(k->group, k->version, k->list_kind));
    free(lname);
}

static void def_support(struct gen *g, bool scale)
{
    def_object(g, META "Status", f_Status, "The outcome of an operation that returns no object.");
    def_object(g, META "DeleteOptions", f_DeleteOptions, "Options of a delete request.");
    def_object(g, META "WatchEvent", f_WatchEvent, "One event of a watch stream.");
    if (!sk_map_get(g->defs, META "Patch")) {
        struct sk_val *p = sk_map_set(g->defs, META "Patch", sk_val_map());
        sk_map_set(p, "description",
                   sk_val_str("A patch body; its form is given by the request's Content-Type."));
        sk_map_set(p, "type", sk_val_str("object"));
    }
    if (scale && !sk_map_get(g->defs, REF_SCALE)) {
        const struct sk_field f_Scale[] = {
                FLD("apiVersion", SK_F_STRING, "Version of the schema of this object."),
                FLD("kind", SK_F_STRING, "Kind of the object: Scale."),
                FLD("metadata", SK_F_OBJECT, "Metadata of the scaled object.", .fields = g->objmeta,
                    .ref = META "ObjectMeta"),
                FLD("spec", SK_F_OBJECT, "Desired replicas.", .fields = f_ScaleSpec,
                    .ref = "io.k8s.api.autoscaling.v1.ScaleSpec"),
                FLD("status", SK_F_OBJECT, "Observed replicas.", .fields = f_ScaleStatus,
                    .ref = "io.k8s.api.autoscaling.v1.ScaleStatus"),
                {0},
        };
        def_object(g, REF_SCALE, f_Scale, "The scale subresource of a workload.");
        struct sk_val *ga = sk_map_set(sk_map_get(g->defs, REF_SCALE),
                                       "x-kubernetes-group-version-kind", sk_val_arr());
        sk_arr_push(ga, gvk_val("autoscaling", "v1", "Scale"));
    }
}

/* ---- paths ---- */

enum {
    P_BOOKMARKS = 1 << 0,
    P_CONTINUE = 1 << 1,
    P_DRYRUN = 1 << 2,
    P_FIELDMANAGER = 1 << 3,
    P_FIELDSELECTOR = 1 << 4,
    P_FIELDVALIDATION = 1 << 5,
    P_FORCE = 1 << 6,
    P_GRACE = 1 << 7,
    P_LABELSELECTOR = 1 << 8,
    P_LIMIT = 1 << 9,
    P_ORPHAN = 1 << 10,
    P_PROPAGATION = 1 << 11,
    P_RV = 1 << 12,
    P_RVMATCH = 1 << 13,
    P_SENDINITIAL = 1 << 14,
    P_TIMEOUT = 1 << 15,
    P_WATCH = 1 << 16,
};

static const struct qparam {
    unsigned bit;
    const char *name, *type, *desc;
} qparams[] = {
        {P_BOOKMARKS, "allowWatchBookmarks", "boolean",
         "Ask for BOOKMARK events carrying the current resourceVersion during a watch."},
        {P_CONTINUE, "continue", "string", "Token from a previous page to fetch the next one."},
        {P_DRYRUN, "dryRun", "string", "All: run every stage of the request but persist nothing."},
        {P_FIELDMANAGER, "fieldManager", "string",
         "Name of the actor making the change, recorded in managedFields."},
        {P_FIELDSELECTOR, "fieldSelector", "string",
         "Only objects whose fields match, e.g. status.phase=Running."},
        {P_FIELDVALIDATION, "fieldValidation", "string",
         "What to do with unknown or duplicate fields: Ignore, Warn (the default) or Strict."},
        {P_FORCE, "force", "boolean",
         "Apply only: take over fields owned by other managers instead of failing."},
        {P_GRACE, "gracePeriodSeconds", "integer",
         "Seconds granted before the object is removed; 0 deletes at once."},
        {P_LABELSELECTOR, "labelSelector", "string",
         "Only objects whose labels match, e.g. app=web,tier!=db."},
        {P_LIMIT, "limit", "integer", "Most objects to return; the rest come with continue."},
        {P_ORPHAN, "orphanDependents", "boolean", "Deprecated: use propagationPolicy=Orphan."},
        {P_PROPAGATION, "propagationPolicy", "string",
         "What happens to dependents: Foreground, Background or Orphan."},
        {P_RV, "resourceVersion", "string",
         "Serve from this revision or later (list), or start the watch after it."},
        {P_RVMATCH, "resourceVersionMatch", "string",
         "How resourceVersion applies to a list: Exact or NotOlderThan."},
        {P_SENDINITIAL, "sendInitialEvents", "boolean",
         "Start a watch with ADDED events for the current objects."},
        {P_TIMEOUT, "timeoutSeconds", "integer", "End the list or watch after this many seconds."},
        {P_WATCH, "watch", "boolean", "Stream changes instead of returning a list."},
};

#define PARAMS_LIST                                                                                \
    (P_BOOKMARKS | P_CONTINUE | P_FIELDSELECTOR | P_LABELSELECTOR | P_LIMIT | P_RV | P_RVMATCH |   \
     P_SENDINITIAL | P_TIMEOUT | P_WATCH)
#define PARAMS_WRITE (P_DRYRUN | P_FIELDMANAGER | P_FIELDVALIDATION)
#define PARAMS_DELCOLL                                                                             \
    (P_CONTINUE | P_DRYRUN | P_FIELDSELECTOR | P_GRACE | P_LABELSELECTOR | P_LIMIT | P_ORPHAN |    \
     P_PROPAGATION | P_RV | P_RVMATCH | P_SENDINITIAL | P_TIMEOUT)
#define PARAMS_DELETE (P_DRYRUN | P_GRACE | P_ORPHAN | P_PROPAGATION)

static struct sk_val *param_val(const struct gen *g, const char *name, const char *in,
                                const char *type, const char *desc, bool required)
{
    struct sk_val *p = sk_val_map();
    sk_map_set(p, "description", sk_val_str(desc));
    sk_map_set(p, "in", sk_val_str(in));
    sk_map_set(p, "name", sk_val_str(name));
    if (required) sk_map_set(p, "required", sk_val_bool(true));
    if (g->ver == OA_V2) {
        sk_map_set(p, "type", sk_val_str(type));
        sk_map_set(p, "uniqueItems", sk_val_bool(true));
    } else {
        struct sk_val *s = sk_map_set(p, "schema", sk_val_map());
        sk_map_set(s, "type", sk_val_str(type));
        sk_map_set(s, "uniqueItems", sk_val_bool(true));
    }
    return p;
}

enum op_kind { OP_LIST, OP_CREATE, OP_DELCOLL, OP_READ, OP_REPLACE, OP_PATCH, OP_DELETE };

static const char *const patch_types[] = {
        "application/apply-patch+yaml",
        "application/json-patch+json",
        "application/merge-patch+json",
        "application/strategic-merge-patch+json",
        NULL,
};

static void add_response(const struct gen *g, struct sk_val *resp, const char *code,
                         const char *desc, const char *ref)
{
    struct sk_val *r = sk_map_set(resp, code, sk_val_map());
    if (g->ver == OA_V2) {
        sk_map_set(r, "description", sk_val_str(desc));
        sk_map_set(r, "schema", ref_val(g, ref));
    } else {
        struct sk_val *c = sk_map_set(r, "content", sk_val_map());
        sk_map_set(sk_map_set(c, "application/json", sk_val_map()), "schema", ref_val(g, ref));
        sk_map_set(sk_map_set(c, "application/yaml", sk_val_map()), "schema", ref_val(g, ref));
        sk_map_set(r, "description", sk_val_str(desc));
    }
}

/* What one operation names: its id parts and the objects it moves. */
struct op_spec {
    enum op_kind op;
    const char *id;        /* operationId */
    const char *desc;      /* description */
    const char *body_ref;  /* request body definition, or NULL */
    const char *resp_ref;  /* 200 response definition */
    const char *g, *v, *k; /* x-kubernetes-group-version-kind */
    const char *tag;       /* "core_v1" */
};

static struct sk_val *make_op(const struct gen *g, const struct op_spec *s)
{
    static const char *const actions[] = {"list",  "post",  "deletecollection", "get", "put",
                                          "patch", "delete"};
    static const unsigned params[] = {PARAMS_LIST,  PARAMS_WRITE,           PARAMS_DELCOLL, 0,
                                      PARAMS_WRITE, PARAMS_WRITE | P_FORCE, PARAMS_DELETE};
    struct sk_val *o = sk_val_map();
    if (g->ver == OA_V2) {
        struct sk_val *c = sk_map_set(o, "consumes", sk_val_arr());
        if (s->op == OP_PATCH)
            for (const char *const *t = patch_types; *t; t++)
                sk_arr_push(c, sk_val_str(*t));
        else
            sk_arr_push(c, sk_val_str("*/*"));
    }
    sk_map_set(o, "description", sk_val_str(s->desc));
    sk_map_set(o, "operationId", sk_val_str(s->id));
    struct sk_val *pa = sk_val_arr();
    if (g->ver == OA_V2 && s->body_ref) {
        struct sk_val *b = sk_arr_push(pa, sk_val_map());
        sk_map_set(b, "in", sk_val_str("body"));
        sk_map_set(b, "name", sk_val_str("body"));
        sk_map_set(b, "required", sk_val_bool(s->op != OP_DELETE && s->op != OP_DELCOLL));
        sk_map_set(b, "schema", ref_val(g, s->body_ref));
    }
    for (size_t i = 0; i < sizeof qparams / sizeof qparams[0]; i++)
        if (params[s->op] & qparams[i].bit)
            sk_arr_push(pa, param_val(g, qparams[i].name, "query", qparams[i].type, qparams[i].desc,
                                      false));
    if (sk_arr_len(pa))
        sk_map_set(o, "parameters", pa);
    else
        sk_val_free(pa);
    if (g->ver == OA_V2) {
        struct sk_val *p = sk_map_set(o, "produces", sk_val_arr());
        sk_arr_push(p, sk_val_str("application/json"));
        sk_arr_push(p, sk_val_str("application/yaml"));
        if (s->op == OP_LIST) sk_arr_push(p, sk_val_str("application/json;stream=watch"));
    } else if (s->body_ref) {
        struct sk_val *rb = sk_map_set(o, "requestBody", sk_val_map());
        struct sk_val *c = sk_map_set(rb, "content", sk_val_map());
        if (s->op == OP_PATCH)
            for (const char *const *t = patch_types; *t; t++)
                sk_map_set(sk_map_set(c, *t, sk_val_map()), "schema", ref_val(g, s->body_ref));
        else
            sk_map_set(sk_map_set(c, "*/*", sk_val_map()), "schema", ref_val(g, s->body_ref));
        if (s->op != OP_DELETE && s->op != OP_DELCOLL)
            sk_map_set(rb, "required", sk_val_bool(true));
    }
    struct sk_val *resp = sk_map_set(o, "responses", sk_val_map());
    add_response(g, resp, "200", "OK", s->resp_ref);
    if (s->op == OP_CREATE || s->op == OP_REPLACE || s->op == OP_PATCH)
        add_response(g, resp, "201", "Created", s->resp_ref);
    if (s->op == OP_CREATE || s->op == OP_DELETE)
        add_response(g, resp, "202", "Accepted", s->resp_ref);
    sk_map_set(sk_map_set(resp, "401", sk_val_map()), "description", sk_val_str("Unauthorized"));
    if (g->ver == OA_V2) sk_arr_push(sk_map_set(o, "schemes", sk_val_arr()), sk_val_str("https"));
    sk_arr_push(sk_map_set(o, "tags", sk_val_arr()), sk_val_str(s->tag));
    sk_map_set(o, "x-kubernetes-action", sk_val_str(actions[s->op]));
    sk_map_set(o, "x-kubernetes-group-version-kind", gvk_val(s->g, s->v, s->k));
    return o;
}

/* "CoreV1", "AppsV1", "NetworkingV1" as in kube-apiserver's operation ids,
 * and the matching tag "core_v1", "networking_v1". */
static void op_prefix(const struct sk_kind *k, char *pre, size_t presz, char *tag, size_t tagsz)
{
    char grp[32];
    const char *gsrc = *k->group ? k->group : "core";
    size_t n = strcspn(gsrc, ".");
    if (n >= sizeof grp) n = sizeof grp - 1;
    memcpy(grp, gsrc, n);
    grp[n] = '\0';
    snprintf(tag, tagsz, "%s_%s", grp, k->version);
    grp[0] = (char)toupper((unsigned char)grp[0]);
    snprintf(pre, presz, "%s%c%s", grp, toupper((unsigned char)k->version[0]), k->version + 1);
}

static struct sk_val *path_item(const struct gen *g, struct sk_val *paths, const char *path,
                                bool name, bool ns)
{
    struct sk_val *it = sk_map_set(paths, path, sk_val_map());
    struct sk_val *pa = sk_map_set(it, "parameters", sk_val_arr());
    if (name) sk_arr_push(pa, param_val(g, "name", "path", "string", "Name of the object.", true));
    if (ns)
        sk_arr_push(pa,
                    param_val(g, "namespace", "path", "string", "Namespace of the object.", true));
    sk_arr_push(pa, param_val(g, "pretty", "query", "string", "If 'true', the output is indented.",
                              false));
    return it;
}

static void kind_paths(struct gen *g, struct sk_val *paths, const struct sk_kind *k)
{
    char pre[128], tag[128], base[256], p[640], id[256], desc[256];
    op_prefix(k, pre, sizeof pre, tag, sizeof tag);
    if (*k->group)
        snprintf(base, sizeof base, "/apis/%s/%s", k->group, k->version);
    else
        snprintf(base, sizeof base, "/api/%s", k->version);
    const char *nsw = k->namespaced ? "Namespaced" : "";
    char *list_ref = sk_xasprintf("%sList", k->ref);
    struct op_spec s = {.g = k->group, .v = k->version, .k = k->kind, .tag = tag};

    /* collection */
    if (k->namespaced)
        snprintf(p, sizeof p, "%s/namespaces/{namespace}/%s", base, k->plural);
    else
        snprintf(p, sizeof p, "%s/%s", base, k->plural);
    struct sk_val *it = path_item(g, paths, p, false, k->namespaced);
    s.id = id, s.desc = desc;
    snprintf(id, sizeof id, "list%s%s%s", pre, nsw, k->kind);
    snprintf(desc, sizeof desc, "list or watch objects of kind %s", k->kind);
    s.op = OP_LIST, s.body_ref = NULL, s.resp_ref = list_ref;
    sk_map_set(it, "get", make_op(g, &s));
    snprintf(id, sizeof id, "create%s%s%s", pre, nsw, k->kind);
    snprintf(desc, sizeof desc, "create a %s", k->kind);
    s.op = OP_CREATE, s.body_ref = k->ref, s.resp_ref = k->ref;
    sk_map_set(it, "post", make_op(g, &s));
    snprintf(id, sizeof id, "delete%sCollection%s%s", pre, nsw, k->kind);
    snprintf(desc, sizeof desc, "delete collection of %s", k->kind);
    s.op = OP_DELCOLL, s.body_ref = META "DeleteOptions", s.resp_ref = META "Status";
    sk_map_set(it, "delete", make_op(g, &s));

    /* item */
    snprintf(p + strlen(p), sizeof p - strlen(p), "/{name}");
    it = path_item(g, paths, p, true, k->namespaced);
    snprintf(id, sizeof id, "read%s%s%s", pre, nsw, k->kind);
    snprintf(desc, sizeof desc, "read the specified %s", k->kind);
    s.op = OP_READ, s.body_ref = NULL, s.resp_ref = k->ref;
    sk_map_set(it, "get", make_op(g, &s));
    snprintf(id, sizeof id, "replace%s%s%s", pre, nsw, k->kind);
    snprintf(desc, sizeof desc, "replace the specified %s", k->kind);
    s.op = OP_REPLACE, s.body_ref = k->ref;
    sk_map_set(it, "put", make_op(g, &s));
    snprintf(id, sizeof id, "patch%s%s%s", pre, nsw, k->kind);
    snprintf(desc, sizeof desc, "partially update the specified %s", k->kind);
    s.op = OP_PATCH, s.body_ref = META "Patch";
    sk_map_set(it, "patch", make_op(g, &s));
    snprintf(id, sizeof id, "delete%s%s%s", pre, nsw, k->kind);
    snprintf(desc, sizeof desc, "delete a %s", k->kind);
    s.op = OP_DELETE, s.body_ref = META "DeleteOptions", s.resp_ref = META "Status";
    sk_map_set(it, "delete", make_op(g, &s));

    /* subresources with a schema of their own */
    size_t plen = strlen(p);
    for (int sub = 0; sub < 2; sub++) {
        if (sub == 0 ? !k->has_status : !k->has_scale) continue;
        const char *sname = sub == 0 ? "status" : "scale";
        const char *sref = sub == 0 ? k->ref : REF_SCALE;
        const char *sword = sub == 0 ? "Status" : "Scale";
        if (sub == 1) s.g = "autoscaling", s.v = "v1", s.k = "Scale";
        snprintf(p + plen, sizeof p - plen, "/%s", sname);
        it = path_item(g, paths, p, true, k->namespaced);
        snprintf(id, sizeof id, "read%s%s%s%s", pre, nsw, k->kind, sword);
        snprintf(desc, sizeof desc, "read %s of the specified %s", sname, k->kind);
        s.op = OP_READ, s.body_ref = NULL, s.resp_ref = sref;
        sk_map_set(it, "get", make_op(g, &s));
        snprintf(id, sizeof id, "replace%s%s%s%s", pre, nsw, k->kind, sword);
        snprintf(desc, sizeof desc, "replace %s of the specified %s", sname, k->kind);
        s.op = OP_REPLACE, s.body_ref = sref;
        sk_map_set(it, "put", make_op(g, &s));
        snprintf(id, sizeof id, "patch%s%s%s%s", pre, nsw, k->kind, sword);
        snprintf(desc, sizeof desc, "partially update %s of the specified %s", sname, k->kind);
        s.op = OP_PATCH, s.body_ref = META "Patch";
        sk_map_set(it, "patch", make_op(g, &s));
        s.g = k->group, s.v = k->version, s.k = k->kind;
    }

    /* list across namespaces */
    if (k->namespaced) {
        snprintf(p, sizeof p, "%s/%s", base, k->plural);
        it = path_item(g, paths, p, false, false);
        snprintf(id, sizeof id, "list%s%sForAllNamespaces", pre, k->kind);
        snprintf(desc, sizeof desc, "list or watch objects of kind %s", k->kind);
        s.op = OP_LIST, s.body_ref = NULL, s.resp_ref = list_ref;
        sk_map_set(it, "get", make_op(g, &s));
    }
    free(list_ref);
}

/* ---- documents ---- */

static const struct sk_field *find_objmeta(void)
{
    for (size_t i = 0; sk_kinds[i]; i++) {
        const struct sk_field *f = sk_kind_field(sk_kinds[i], "metadata");
        if (f && f->fields) return f->fields;
    }
    return NULL;
}

static struct sk_val *security_scheme(void)
{
    struct sk_val *b = sk_val_map();
    sk_map_set(b, "description", sk_val_str("Bearer token: \"Authorization: Bearer <token>\"."));
    sk_map_set(b, "in", sk_val_str("header"));
    sk_map_set(b, "name", sk_val_str("authorization"));
    sk_map_set(b, "type", sk_val_str("apiKey"));
    return b;
}

static struct sk_val *info_val(void)
{
    struct sk_val *i = sk_val_map();
    sk_map_set(i, "title", sk_val_str("Kubernetes"));
    sk_map_set(i, "version", sk_val_str(K8S_LEVEL));
    return i;
}

static bool kind_in(const struct sk_kind *k, const char *group, const char *version)
{
    return !group || (!strcmp(k->group, group) && !strcmp(k->version, version));
}

/* Definitions and paths for the kinds of one group-version (group NULL:
 * every kind). */
static void fill(struct gen *g, struct sk_val *paths, const char *group, const char *version)
{
    bool scale = false;
    for (size_t i = 0; sk_kinds[i]; i++) {
        const struct sk_kind *k = sk_kinds[i];
        if (!kind_in(k, group, version)) continue;
        def_kind(g, k);
        scale |= k->has_scale;
    }
    def_support(g, scale);
    for (size_t i = 0; sk_kinds[i]; i++)
        if (kind_in(sk_kinds[i], group, version)) kind_paths(g, paths, sk_kinds[i]);
}

struct sk_val *sk_openapi_v2(void)
{
    struct gen g = {.ver = OA_V2, .objmeta = find_objmeta()};
    struct sk_val *doc = sk_val_map();
    sk_map_set(doc, "swagger", sk_val_str("2.0"));
    sk_map_set(doc, "info", info_val());
    struct sk_val *paths = sk_map_set(doc, "paths", sk_val_map());
    g.defs = sk_map_set(doc, "definitions", sk_val_map());
    fill(&g, paths, NULL, NULL);
    sk_map_set(sk_map_set(doc, "securityDefinitions", sk_val_map()), "BearerToken",
               security_scheme());
    struct sk_val *sec = sk_arr_push(sk_map_set(doc, "security", sk_val_arr()), sk_val_map());
    sk_map_set(sec, "BearerToken", sk_val_arr());
    return doc;
}

struct sk_val *sk_openapi_v3(const char *group, const char *version)
{
    if (!group) group = "";
    if (!version) return NULL;
    bool served = false;
    for (size_t i = 0; sk_kinds[i]; i++)
        served |= kind_in(sk_kinds[i], group, version);
    if (!served) return NULL;
    struct gen g = {.ver = OA_V3, .objmeta = find_objmeta()};
    struct sk_val *doc = sk_val_map();
    sk_map_set(doc, "openapi", sk_val_str("3.0.0"));
    sk_map_set(doc, "info", info_val());
    struct sk_val *paths = sk_map_set(doc, "paths", sk_val_map());
    struct sk_val *comp = sk_map_set(doc, "components", sk_val_map());
    g.defs = sk_map_set(comp, "schemas", sk_val_map());
    fill(&g, paths, group, version);
    sk_map_set(sk_map_set(comp, "securitySchemes", sk_val_map()), "BearerToken", security_scheme());
    struct sk_val *sec = sk_arr_push(sk_map_set(doc, "security", sk_val_arr()), sk_val_map());
    sk_map_set(sec, "BearerToken", sk_val_arr());
    return doc;
}

/* ---- the cache ---- */

struct oa_doc {
    char *path; /* "/openapi/v2", "/openapi/v3", "/openapi/v3/apis/apps/v1" */
    char *body;
    size_t len;
    char hash[17]; /* upper-case hex, as the index's ?hash= carries it */
    char etag[20];
};

struct sk_openapi {
    struct oa_doc *v;
    size_t n;
};

static uint64_t fnv1a(const char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static void doc_add(struct sk_openapi *o, const char *path, struct sk_val *tree)
{
    o->v = sk_xrealloc(o->v, (o->n + 1) * sizeof *o->v);
    struct oa_doc *d = &o->v[o->n++];
    d->path = sk_xstrdup(path);
    d->body = sk_json_dump(tree, SK_JSON_COMPACT, &d->len);
    uint64_t h = fnv1a(d->body, d->len);
    snprintf(d->hash, sizeof d->hash, "%016llX", (unsigned long long)h);
    snprintf(d->etag, sizeof d->etag, "\"%s\"", d->hash);
    sk_val_free(tree);
}

struct sk_openapi *sk_openapi_new(void)
{
    struct sk_openapi *o = sk_xcalloc(1, sizeof *o);
    doc_add(o, "/openapi/v2", sk_openapi_v2());
    struct sk_val *index = sk_val_map();
    struct sk_val *ip = sk_map_set(index, "paths", sk_val_map());
    for (size_t i = 0; sk_kinds[i]; i++) {
        const struct sk_kind *k = sk_kinds[i];
        char rel[256];
        if (*k->group)
            snprintf(rel, sizeof rel, "apis/%s/%s", k->group, k->version);
        else
            snprintf(rel, sizeof rel, "api/%s", k->version);
        if (sk_map_get(ip, rel)) continue;
        char path[300];
        snprintf(path, sizeof path, "/openapi/v3/%s", rel);
        doc_add(o, path, sk_openapi_v3(k->group, k->version));
        struct sk_val *e = sk_map_set(ip, rel, sk_val_map());
        sk_map_set(e, "serverRelativeURL", sk_val_strf("%s?hash=%s", path, o->v[o->n - 1].hash));
    }
    doc_add(o, "/openapi/v3", index);
    return o;
}

void sk_openapi_free(struct sk_openapi *o)
{
    if (!o) return;
    for (size_t i = 0; i < o->n; i++) {
        free(o->v[i].path);
        free(o->v[i].body);
    }
    free(o->v);
    free(o);
}

/* Whether accept admits JSON: absent, or any range naming JSON or a
 * wildcard. */
static bool accepts_json(const char *accept)
{
    if (!accept || !*accept) return true;
    return strstr(accept, "application/json") || strstr(accept, "*/*") ||
           strstr(accept, "application/*");
}

static bool query_hash(const char *query, const char *hash)
{
    if (!query) return false;
    for (const char *q = query; q && *q;) {
        if (!strncmp(q, "hash=", 5)) {
            size_t n = strcspn(q + 5, "&");
            return n == strlen(hash) && !strncmp(q + 5, hash, n);
        }
        q = strchr(q, '&');
        if (q) q++;
    }
    return false;
}

bool sk_openapi_lookup(const struct sk_openapi *o, const char *path, const char *query,
                       const char *accept, struct sk_openapi_body *out)
{
    if (!o || !path) return false;
    size_t pl = strcspn(path, "?");
    if (!query && path[pl] == '?') query = path + pl + 1;
    if (pl > 1 && path[pl - 1] == '/') pl--;
    for (size_t i = 0; i < o->n; i++) {
        const struct oa_doc *d = &o->v[i];
        if (strlen(d->path) != pl || strncmp(d->path, path, pl)) continue;
        memset(out, 0, sizeof *out);
        out->content_type = "application/json";
        if (!strcmp(d->path, "/openapi/v2") && !accepts_json(accept)) {
            out->status = 406;
            return true;
        }
        out->status = 200;
        out->body = d->body;
        out->len = d->len;
        out->etag = d->etag;
        /* a request that names the current hash may be cached for good,
         * since a different document would have a different hash */
        out->cache_control = query_hash(query, d->hash) ? "public, immutable" : "no-cache, private";
        return true;
    }
    return false;
}
