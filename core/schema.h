/* The schema table: every kind skiff serves, its names and scope, the tree
 * of its fields (types, descriptions, patch merge keys), its defaulting and
 * its validation. One table feeds the store (names, scope), the API
 * (discovery, OpenAPI, explain, tables, unknown-field warnings) and the
 * strategic merge patch (merge keys). Immutable after start; any thread.
 *
 * The order the API applies it in, as kube-apiserver does: decode, then
 * sk_schema_check_types (a failure is a 400 BadRequest, see
 * sk_schema_decode_message), sk_schema_unknown_fields (warnings, or a
 * BadRequest under fieldValidation=Strict), sk_kind_default, name
 * generation and the system fields (uid, creationTimestamp, resourceVersion
 * copied from the stored object on an unconditional update),
 * sk_kind_prepare_create or sk_kind_prepare_update, the allocations
 * (a Service's cluster IPs and node ports), then sk_kind_validate (a
 * failure is a 422 Invalid carrying the causes). */
#ifndef SK_SCHEMA_H
#define SK_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "val.h"

enum sk_ftype {
    SK_F_STRING = 1,
    SK_F_INT32,
    SK_F_INT64,
    SK_F_NUMBER, /* float64 */
    SK_F_BOOL,
    SK_F_OBJECT,        /* fixed fields: `fields`; NULL fields = contents not described */
    SK_F_ARRAY,         /* elements of type `elem` (objects: `fields`) */
    SK_F_MAP,           /* map[string]elem (objects: `fields`) */
    SK_F_QUANTITY,      /* resource.Quantity: string or number */
    SK_F_INT_OR_STRING, /* intstr.IntOrString */
    SK_F_TIME,          /* RFC 3339 string (metav1.Time, or MicroTime by go_type) */
    SK_F_BYTES,         /* base64 string */
    SK_F_ANY,           /* free-form JSON (e.g. RawExtension) */
};

enum {
    SK_FF_REQUIRED = 1 << 0,  /* required in the OpenAPI schema ("-required-" in explain) */
    SK_FF_READONLY = 1 << 1,  /* set by the system (status, uid, ...) */
    SK_FF_IMMUTABLE = 1 << 2, /* may not change on update (informational; validate enforces) */
};

/* One field of an object. Tables are arrays ended by an entry whose name is
 * NULL. An OBJECT (or ARRAY/MAP of OBJECT) with NULL fields is an object
 * whose contents skiff does not describe (rare, deprecated volume sources):
 * it is type-checked as an object but unknown fields inside go unnoticed. */
struct sk_field {
    const char *name; /* NULL ends a field list */
    enum sk_ftype type;
    enum sk_ftype elem;               /* for ARRAY and MAP */
    const struct sk_field *fields;    /* children of OBJECT, or of ARRAY/MAP elements */
    const char *merge_key;            /* x-kubernetes-patch-merge-key, for ARRAY of OBJECT */
    const char *patch_strategy;       /* x-kubernetes-patch-strategy: "merge", "retainKeys", ... */
    const char *list_type;            /* x-kubernetes-list-type: "atomic", "map", "set" */
    const char *const *list_map_keys; /* x-kubernetes-list-map-keys, NULL-terminated */
    const char *description;          /* one or two sentences, ours */
    unsigned flags;                   /* SK_FF_* */
    /* OpenAPI definition of the object (for ARRAY/MAP: of the element), e.g.
     * "io.k8s.api.core.v1.PodSpec"; NULL for scalars. */
    const char *ref;
    /* The Go type Kubernetes decodes the field into, when it is not the one
     * the type implies ("v1.Protocol", "v1.ResourceList", "v1.MicroTime");
     * used only for Kubernetes' wording of type errors. Usually NULL. */
    const char *go_type;
};

/* A validation failure, as Kubernetes reports it in a Status's causes. */
struct sk_cause {
    char *field;   /* "spec.containers[0].image" */
    char *reason;  /* "FieldValueRequired", "FieldValueInvalid", ... */
    char *message; /* "Required value" / "Invalid value: \"x\": ..." */
};
struct sk_causes {
    struct sk_cause *v;
    size_t n, cap;
};
/* Append a cause (copies the strings). c must be zeroed before first use. */
void sk_causes_add(struct sk_causes *c, const char *field, const char *reason, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
void sk_causes_free(struct sk_causes *c); /* frees the entries, leaves c empty; NULL ok */
/* "field: message" joined like Kubernetes' aggregate error: one cause as is,
 * several as "[a, b]" with exact repeats dropped. Caller frees; "" when
 * there are none. The API's Invalid status message is
 * `<Kind>.<group> "<name>" is invalid: ` followed by this. */
char *sk_causes_string(const struct sk_causes *c);

/* How a kind's metadata.name is checked. */
enum sk_name_rule {
    SK_NAME_SUBDOMAIN = 0, /* DNS-1123 subdomain (most kinds) */
    SK_NAME_LABEL,         /* DNS-1123 label (Namespace, StatefulSet) */
    SK_NAME_DNS1035,       /* DNS-1035 label (Service) */
};

struct sk_kind {
    const char *group; /* "" for core */
    const char *version;
    const char *kind;                /* "Deployment" */
    const char *list_kind;           /* "DeploymentList" */
    const char *plural;              /* "deployments" */
    const char *singular;            /* "deployment" */
    const char *const *short_names;  /* NULL-terminated, may be NULL */
    const char *const *categories;   /* e.g. {"all", NULL}; may be NULL */
    const char *const *subresources; /* others than status and scale ("log", ...); may be NULL */
    bool namespaced;
    bool has_status; /* status subresource */
    bool has_scale;  /* scale subresource (spec.replicas, status.replicas) */
    enum sk_name_rule name_rule;
    const struct sk_field *fields; /* top-level fields (apiVersion, kind, metadata, spec, ...) */
    const char *description;
    const char *ref; /* OpenAPI definition name, "io.k8s.api.apps.v1.Deployment" */
    /* Fill Kubernetes' defaults in place (defaults.go of the kind's group).
     * Idempotent; tolerates wrongly typed fields. May be NULL. */
    void (*defaults)(struct sk_val *obj);
    /* What kube-apiserver's registry does to a new object beyond defaulting
     * that is the kind's own (a Pod's status.phase Pending and qosClass).
     * May be NULL. */
    void (*prepare_create)(struct sk_val *obj);
    /* The same before an update is validated, given the stored object (a
     * Service keeps its allocated cluster IPs and node ports when the new
     * object leaves them out). May be NULL. */
    void (*prepare_update)(struct sk_val *obj, const struct sk_val *old);
    /* Validate the kind's own fields (metadata is done by sk_kind_validate)
     * and, on update, the transition from old (NULL on create). Adds
     * causes. May be NULL. */
    void (*validate)(const struct sk_val *obj, const struct sk_val *old, struct sk_causes *causes);
    /* Status subresource updates: the kind's checks of the new status.
     * May be NULL. */
    void (*validate_status)(const struct sk_val *obj, const struct sk_val *old,
                            struct sk_causes *causes);
};

/* All kinds, NULL-terminated. */
extern const struct sk_kind *const sk_kinds[];

/* Look-ups; NULL when unknown. */
const struct sk_kind *sk_kind_by_gvk(const char *group, const char *version, const char *kind);
/* apiVersion as in objects: "v1", "apps/v1" */
const struct sk_kind *sk_kind_by_api_version(const char *api_version, const char *kind);
const struct sk_kind *sk_kind_by_resource(const char *group, const char *version,
                                          const char *plural);
/* kubectl-style name: plural, singular, short name or kind, any case,
 * optionally qualified as "name.group" ("deployments.apps", "deploy.apps")
 * or "name.version.group" ("deployments.v1.apps", "pods.v1"). */
const struct sk_kind *sk_kind_by_name(const char *name);
/* "v1" or "apps/v1" for k. Static. */
const char *sk_kind_api_version(const struct sk_kind *k);

/* The field descriptor at a dotted path inside a kind
 * ("spec.template.spec.containers", "spec.template.spec.containers.ports");
 * array and map levels are stepped through transparently and "[...]"
 * segments ignored. NULL if none. Borrowed from the static table. */
const struct sk_field *sk_kind_field(const struct sk_kind *k, const char *path);
/* The same below a field list: sk_field_at(k->fields, path). */
const struct sk_field *sk_field_at(const struct sk_field *fields, const char *path);

/* Run the kind's defaulting (no-op for kinds without). obj is the whole
 * object. */
void sk_kind_default(const struct sk_kind *k, struct sk_val *obj);
/* The registry's create- and update-time preparation (see prepare_create
 * and prepare_update); run after defaulting and after the uid is set (a
 * Job's generated selector is made from it), before validation. On create
 * the status the client sent is replaced by the one Kubernetes starts the
 * kind with ({} for a Deployment, {replicas: 0} for a ReplicaSet,
 * {loadBalancer: {}} for a Service, phase Pending/Active, ...); a Node
 * keeps its own. Updates keep the stored status: that is the store's
 * (SK_STORE_F_STATUS). */
void sk_kind_prepare_create(const struct sk_kind *k, struct sk_val *obj);
void sk_kind_prepare_update(const struct sk_kind *k, struct sk_val *obj, const struct sk_val *old);
/* Full validation of a create (old NULL) or an update: metadata as
 * ValidateObjectMeta / ValidateObjectMetaUpdate do it for the kind (name
 * rule, namespace required or forbidden, labels, annotations, owner
 * references, finalizers, managed fields; on update the immutable metadata
 * and "resourceVersion must be specified"), then the kind's own checks.
 * Returns true when nothing was added to causes. */
bool sk_kind_validate(const struct sk_kind *k, const struct sk_val *obj, const struct sk_val *old,
                      struct sk_causes *causes);
/* Validation of a status subresource update: metadata update checks plus
 * the kind's status checks. */
bool sk_kind_validate_status(const struct sk_kind *k, const struct sk_val *obj,
                             const struct sk_val *old, struct sk_causes *causes);

/* Unknown fields: every path in obj that the schema does not know, in the
 * form Kubernetes' strict decoding reports them ("spec.foo",
 * "spec.template.spec.containers[0].imagePullPolicyy"); the API prints each
 * as `unknown field "<path>"`. Returns the count; fills up to max entries
 * (caller frees each string). Inside SK_F_ANY values and undescribed
 * objects nothing is reported. */
size_t sk_schema_unknown_fields(const struct sk_kind *k, const struct sk_val *obj, char **out,
                                size_t max);

/* Type check against the field tree, as Kubernetes' JSON decoding into its
 * Go structs fails: one cause per wrong value, reason
 * "FieldValueTypeInvalid", field the path with indices ("spec.replicas"),
 * message the decoder's text:
 *   json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32
 *   quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'
 *   illegal base64 data at input byte 4
 * null is accepted everywhere (it decodes to the zero value). Returns true
 * when obj is well-typed. */
bool sk_schema_check_types(const struct sk_kind *k, const struct sk_val *obj,
                           struct sk_causes *causes);

/* The BadRequest message Kubernetes sends for a body it cannot decode:
 * `Deployment in version "v1" cannot be handled as a Deployment: <detail>`
 * (detail: the first type-check message, or "strict decoding error:
 * unknown field \"spec.foo\", ..."). Caller frees. */
char *sk_schema_decode_message(const struct sk_kind *k, const char *detail);

/* Kubernetes' name checks (apimachinery util/validation). Each fills msgs
 * with static messages and returns how many (0: valid). */
size_t sk_dns1123_label_msgs(const char *s, const char *msgs[2]);
size_t sk_dns1123_subdomain_msgs(const char *s, const char *msgs[2]);
size_t sk_dns1035_label_msgs(const char *s, const char *msgs[2]);
bool sk_is_dns1123_label(const char *s);
bool sk_is_dns1123_subdomain(const char *s);

#endif
