/* Private to the schema files (schema*.c, validate.c): the macros the
 * field tables are written with, the tables and kinds shared between files,
 * and the helpers every kind's defaulting and validation use. */
#ifndef SK_SCHEMA_INT_H
#define SK_SCHEMA_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "mem.h"
#include "schema.h"
#include "val.h"

/* ---- writing field tables ---- */

#define SK_REF_CORE        "io.k8s.api.core.v1."
#define SK_REF_APPS        "io.k8s.api.apps.v1."
#define SK_REF_BATCH       "io.k8s.api.batch.v1."
#define SK_REF_NET         "io.k8s.api.networking.v1."
#define SK_REF_AUTOSCALING "io.k8s.api.autoscaling.v2."
#define SK_REF_STORAGE     "io.k8s.api.storage.v1."
#define SK_REF_COORD       "io.k8s.api.coordination.v1."
#define SK_REF_DISCOVERY   "io.k8s.api.discovery.v1."
#define SK_REF_META        "io.k8s.apimachinery.pkg.apis.meta.v1."

/* One entry: name, type, description, then designated initializers for the
 * rest (.elem, .fields, .ref, .merge_key, .flags, ...). */
#define SK_FLD(n, t, d, ...)                                                                       \
    {                                                                                              \
        .name = (n), .type = (t), .description = (d), __VA_ARGS__                                  \
    }

/* x-kubernetes-list-map-keys values shared by the tables. */
extern const char *const sk_lmk_containerPort_protocol[];
extern const char *const sk_lmk_devicePath[];
extern const char *const sk_lmk_ip[];
extern const char *const sk_lmk_mountPath[];
extern const char *const sk_lmk_name[];
extern const char *const sk_lmk_port_protocol[];
extern const char *const sk_lmk_resourceID[];
extern const char *const sk_lmk_topologyKey_whenUnsatisfiable[];
extern const char *const sk_lmk_type[];
extern const char *const sk_lmk_uid[];

/* Tables used across files. */
extern const struct sk_field sk_f_meta_ObjectMeta[];
extern const struct sk_field sk_f_core_HostPathVolumeSource[];
extern const struct sk_field sk_f_core_NFSVolumeSource[];
extern const struct sk_field sk_f_core_ObjectFieldSelector[];
extern const struct sk_field sk_f_core_ResourceFieldSelector[];
extern const struct sk_field sk_f_meta_LabelSelector[];
extern const struct sk_field sk_f_core_LocalObjectReference[];
extern const struct sk_field sk_f_core_TypedLocalObjectReference[];
extern const struct sk_field sk_f_core_TypedObjectReference[];
extern const struct sk_field sk_f_core_PersistentVolumeClaimSpec[];
extern const struct sk_field sk_f_core_Volume[];
extern const struct sk_field sk_f_core_ResourceRequirements[];
extern const struct sk_field sk_f_core_SELinuxOptions[];
extern const struct sk_field sk_f_core_WindowsSecurityContextOptions[];
extern const struct sk_field sk_f_core_SeccompProfile[];
extern const struct sk_field sk_f_core_AppArmorProfile[];
extern const struct sk_field sk_f_core_Container[];
extern const struct sk_field sk_f_core_EphemeralContainer[];
extern const struct sk_field sk_f_core_NodeSelectorTerm[];
extern const struct sk_field sk_f_core_NodeSelector[];
extern const struct sk_field sk_f_core_PodSpec[];
extern const struct sk_field sk_f_core_PodStatus[];
extern const struct sk_field sk_f_meta_Condition[];
extern const struct sk_field sk_f_core_ObjectReference[];
extern const struct sk_field sk_f_core_LocalVolumeSource[];
extern const struct sk_field sk_f_core_SecretReference[];
extern const struct sk_field sk_f_core_CSIPersistentVolumeSource[];
extern const struct sk_field sk_f_core_VolumeNodeAffinity[];
extern const struct sk_field sk_f_core_PersistentVolumeClaim[];
extern const struct sk_field sk_f_core_PodTemplateSpec[];
extern const struct sk_field sk_f_core_TopologySelectorTerm[];

/* The kinds (schema_core.c, schema_apps.c, schema_batch.c, schema_misc.c). */
extern const struct sk_kind sk_kind_pod, sk_kind_service, sk_kind_endpoints, sk_kind_configmap,
        sk_kind_secret, sk_kind_namespace, sk_kind_node, sk_kind_event, sk_kind_serviceaccount,
        sk_kind_pv, sk_kind_pvc, sk_kind_rc;
extern const struct sk_kind sk_kind_deployment, sk_kind_replicaset, sk_kind_daemonset,
        sk_kind_statefulset, sk_kind_controllerrevision;
extern const struct sk_kind sk_kind_job, sk_kind_cronjob;
extern const struct sk_kind sk_kind_ingress, sk_kind_ingressclass, sk_kind_hpa,
        sk_kind_storageclass, sk_kind_lease, sk_kind_endpointslice;

/* The kinds' hooks that live apart from their tables (validate_core.c). */
void sk_service_validate(const struct sk_val *obj, const struct sk_val *old, struct sk_causes *c);
void sk_service_prepare_update(struct sk_val *obj, const struct sk_val *old);
void sk_service_validate_status(const struct sk_val *obj, const struct sk_val *old,
                                struct sk_causes *c);
void sk_endpoints_validate(const struct sk_val *obj, const struct sk_val *old, struct sk_causes *c);
void sk_configmap_validate(const struct sk_val *obj, const struct sk_val *old, struct sk_causes *c);
void sk_secret_validate(const struct sk_val *obj, const struct sk_val *old, struct sk_causes *c);
void sk_namespace_validate(const struct sk_val *obj, const struct sk_val *old, struct sk_causes *c);
void sk_namespace_validate_status(const struct sk_val *obj, const struct sk_val *old,
                                  struct sk_causes *c);
void sk_node_validate(const struct sk_val *obj, const struct sk_val *old, struct sk_causes *c);
void sk_event_validate(const struct sk_val *obj, const struct sk_val *old, struct sk_causes *c);
void sk_pv_validate(const struct sk_val *obj, const struct sk_val *old, struct sk_causes *c);
void sk_pvc_validate(const struct sk_val *obj, const struct sk_val *old, struct sk_causes *c);
void sk_rc_validate(const struct sk_val *obj, const struct sk_val *old, struct sk_causes *c);
void sk_rc_validate_status(const struct sk_val *obj, const struct sk_val *old, struct sk_causes *c);

/* ---- reading trees without trusting their types ---- */

static inline const struct sk_val *sk_get(const struct sk_val *m, const char *k)
{
    const struct sk_val *v = sk_map_get(m, k);
    return v && v->type != SK_V_NULL ? v : NULL;
}
static inline const char *sk_gets(const struct sk_val *m, const char *k)
{
    return sk_val_cstr(sk_map_get(m, k));
}
/* "" for absent, null or not a string (Go's zero string). */
static inline const char *sk_gets0(const struct sk_val *m, const char *k)
{
    const char *s = sk_gets(m, k);
    return s ? s : "";
}
static inline const struct sk_val *sk_getm(const struct sk_val *m, const char *k)
{
    const struct sk_val *v = sk_map_get(m, k);
    return v && v->type == SK_V_MAP ? v : NULL;
}
static inline const struct sk_val *sk_geta(const struct sk_val *m, const char *k)
{
    const struct sk_val *v = sk_map_get(m, k);
    return v && v->type == SK_V_ARR ? v : NULL;
}
static inline bool sk_geti(const struct sk_val *m, const char *k, int64_t *out)
{
    const struct sk_val *v = sk_map_get(m, k);
    if (!v || v->type != SK_V_INT) return false;
    *out = v->u.i;
    return true;
}
/* Go's zero int for anything but an integer. */
static inline int64_t sk_geti0(const struct sk_val *m, const char *k)
{
    int64_t i = 0;
    return sk_geti(m, k, &i) ? i : 0;
}
static inline bool sk_getb(const struct sk_val *m, const char *k)
{
    const struct sk_val *v = sk_map_get(m, k);
    return v && v->type == SK_V_BOOL && v->u.b;
}
static inline bool sk_has(const struct sk_val *m, const char *k)
{
    return sk_get(m, k) != NULL;
}
static inline size_t sk_alen(const struct sk_val *a)
{
    return a && a->type == SK_V_ARR ? a->u.a.n : 0;
}
static inline size_t sk_mlen(const struct sk_val *m)
{
    return m && m->type == SK_V_MAP ? m->u.m.n : 0;
}
static inline bool sk_streq(const char *a, const char *b)
{
    return a && b && !strcmp(a, b);
}
/* s is one of the NULL-terminated list. */
bool sk_str_in(const char *s, const char *const *list);

/* ---- defaulting ---- */

/* The map at m[k], created when absent or null; NULL when m is not a map or
 * m[k] has another type (the type check reports that). */
struct sk_val *sk_dmap(struct sk_val *m, const char *k);
/* Set m[k] when absent or null (a Go pointer left nil). */
void sk_dstr(struct sk_val *m, const char *k, const char *s);
void sk_dint(struct sk_val *m, const char *k, int64_t i);
void sk_dbool(struct sk_val *m, const char *k, bool b);
/* Set m[k] when absent, null or "" (a Go string left empty). */
void sk_dstr0(struct sk_val *m, const char *k, const char *s);
/* Set m[k] when absent, null or 0 (a Go int left zero). */
void sk_dint0(struct sk_val *m, const char *k, int64_t i);

/* ---- validation ---- */

#define SK_REASON_REQUIRED      "FieldValueRequired"
#define SK_REASON_INVALID       "FieldValueInvalid"
#define SK_REASON_NOT_SUPPORTED "FieldValueNotSupported"
#define SK_REASON_DUPLICATE     "FieldValueDuplicate"
#define SK_REASON_FORBIDDEN     "FieldValueForbidden"
#define SK_REASON_TOO_LONG      "FieldValueTooLong"
#define SK_REASON_NOT_FOUND     "FieldValueNotFound"
#define SK_REASON_TYPE_INVALID  "FieldValueTypeInvalid"

/* Where validation is: the causes and the field path of the current node,
 * built like Kubernetes' field.Path ("spec.containers[0]",
 * "data[key]"). */
struct sk_vctx {
    struct sk_causes *c;
    char *path;
    size_t len, cap;
};
void sk_vctx_init(struct sk_vctx *v, struct sk_causes *c);
void sk_vctx_free(struct sk_vctx *v);
/* Step down; each returns a mark for sk_vpop. */
size_t sk_vpush(struct sk_vctx *v, const char *child); /* ".child"; may hold dots */
size_t sk_vpushi(struct sk_vctx *v, size_t i);         /* "[i]" */
size_t sk_vpushk(struct sk_vctx *v, const char *key);  /* "[key]" */
void sk_vpop(struct sk_vctx *v, size_t mark);
/* Append text to the path as it is (a suffix saved from the path). */
void sk_vraw(struct sk_vctx *v, const char *s);

/* Report at the current path, or below it at child (NULL: here). The
 * detail formats may be "" for none. value is already in Go's %v form
 * (see sk_gofmt_*); the _str and _int variants format for you. */
void sk_vrequired(struct sk_vctx *v, const char *child, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
void sk_vinvalid(struct sk_vctx *v, const char *child, const char *value, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
void sk_vinvalid_str(struct sk_vctx *v, const char *child, const char *s, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
void sk_vinvalid_int(struct sk_vctx *v, const char *child, int64_t i, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
void sk_vnotsupported(struct sk_vctx *v, const char *child, const char *value,
                      const char *const *supported);
void sk_vnotsupported_str(struct sk_vctx *v, const char *child, const char *s,
                          const char *const *supported);
void sk_vduplicate(struct sk_vctx *v, const char *child, const char *value);
void sk_vduplicate_str(struct sk_vctx *v, const char *child, const char *s);
void sk_vforbidden(struct sk_vctx *v, const char *child, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
void sk_vtoolong(struct sk_vctx *v, const char *child, long max);
void sk_vnotfound_str(struct sk_vctx *v, const char *child, const char *s);
/* Each message of a name check as Invalid value: "<s>": <msg>. */
/* Message lists hold at most SK_MAXMSGS entries. */
#define SK_MAXMSGS 8
typedef size_t sk_msgs_fn(const char *s, const char *msgs[SK_MAXMSGS]);
void sk_vmsgs(struct sk_vctx *v, const char *child, const char *s, sk_msgs_fn *fn);
/* IsQualifiedName (label keys, finalizers, condition types). */
void sk_vqualified(struct sk_vctx *v, const char *child, const char *s);
/* ValidateNonnegativeField on an integer field of m (absent counts as 0). */
void sk_vnonneg(struct sk_vctx *v, const struct sk_val *m, const char *k);
/* ValidateImmutableField: Invalid value: <new>: field is immutable, when
 * m[k] differs between the new and old trees (absent equals null). */
void sk_vimmutable(struct sk_vctx *v, const struct sk_val *nm, const struct sk_val *om,
                   const char *k);
/* Kubernetes' semantic equality: nil and empty maps and lists are equal, a
 * null map entry equals a missing one. */
bool sk_sem_equal(const struct sk_val *a, const struct sk_val *b);
/* Label maps and LabelSelector objects (apimachinery's messages). */
void sk_vlabels(struct sk_vctx *v, const char *child, const struct sk_val *labels);
void sk_vlabelsel(struct sk_vctx *v, const char *child, const struct sk_val *sel);
/* Annotations: key syntax and the 256 KiB total. */
void sk_vannotations(struct sk_vctx *v, const char *child, const struct sk_val *ann);

/* Go %v / %#v renderings of values, as Kubernetes prints them in
 * "Invalid value: ..." (all malloc'd; use _sk_cleanup_free_). */
char *sk_gofmt_str(const char *s);               /* "x" quoted like strconv.Quote */
char *sk_gofmt_val(const struct sk_val *v);      /* scalars as %v, null "null", else JSON */
char *sk_gofmt_strmap(const struct sk_val *m);   /* map[string]string{"a":"b"} */
char *sk_gofmt_selector(const struct sk_val *s); /* v1.LabelSelector{...} */
char *sk_gofmt_intstr(const struct sk_val *v);   /* intstr.IntOrString{Type:1, ...} */
char *sk_gofmt_strlist(const struct sk_val *a);  /* []string{"a", "b"} */

/* ---- shared checks (validate.c) ---- */

size_t sk_qualified_name_msgs(const char *s, const char *msgs[SK_MAXMSGS]);
size_t sk_label_value_msgs(const char *s, const char *msgs[SK_MAXMSGS]);
size_t sk_config_key_msgs(const char *s, const char *msgs[SK_MAXMSGS]);
size_t sk_env_var_name_msgs(const char *s, const char *msgs[SK_MAXMSGS]);
size_t sk_port_name_msgs(const char *s, const char *msgs[SK_MAXMSGS]);
size_t sk_percent_msgs(const char *s, const char *msgs[SK_MAXMSGS]);
size_t sk_http_header_name_msgs(const char *s, const char *msgs[SK_MAXMSGS]);
size_t sk_path_segment_msgs(const char *s, const char *msgs[SK_MAXMSGS]);
size_t sk_wildcard_subdomain_msgs(const char *s, const char *msgs[SK_MAXMSGS]);
/* Names with the trailing-dash mask generateName gets. */
size_t sk_name_msgs(enum sk_name_rule rule, const char *s, bool prefix,
                    const char *msgs[SK_MAXMSGS]);
bool sk_valid_ip(const char *s);
bool sk_valid_cidr(const char *s);
bool sk_is_ipv6(const char *s);
/* "must be between 1 and 65535, inclusive" unless 1 <= p <= 65535. */
const char *sk_port_num_msg(int64_t p);
/* validateLocalDescendingPath / validatePathNoBacksteps /
 * ValidateLocalNonReservedPath at the current path + child. */
void sk_vlocal_descending_path(struct sk_vctx *v, const char *child, const char *p);
void sk_vno_backsteps(struct sk_vctx *v, const char *child, const char *p);
void sk_vlocal_nonreserved_path(struct sk_vctx *v, const char *child, const char *p);
/* ValidatePortNumOrName for an IntOrString value. */
void sk_vport_num_or_name(struct sk_vctx *v, const char *child, const struct sk_val *port);
/* ValidateNonSpecialIP. */
void sk_vnon_special_ip(struct sk_vctx *v, const char *child, const char *ip);
/* IsValidIP: "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)". */
void sk_vip(struct sk_vctx *v, const char *child, const char *ip);
/* Standard selector-matches-labels test for a LabelSelector object or a map
 * selector (RC, Service). false when the selector is malformed. */
bool sk_selector_matches(const struct sk_val *selector, const struct sk_val *labels);
bool sk_map_selector_matches(const struct sk_val *selector, const struct sk_val *labels);

/* ---- metadata (schema_meta.c) ---- */

/* ValidateObjectMeta for kind k at "metadata". */
void sk_validate_object_meta(struct sk_vctx *v, const struct sk_kind *k, const struct sk_val *meta);
/* ValidateObjectMetaUpdate at "metadata". */
void sk_validate_object_meta_update(struct sk_vctx *v, const struct sk_val *meta,
                                    const struct sk_val *old);

/* ---- the pod template, shared by the workload kinds (schema_pod.c) ---- */

struct sk_podopts {
    bool is_pod;         /* a Pod, not a template: hostPort must equal containerPort, ... */
    const char *podname; /* for the names of ephemeral volumes' claims; may be NULL */
};
/* Kubernetes' SetDefaults_PodSpec and the defaults of everything inside a
 * PodSpec (containers, probes, volumes, ports). spec may be any value. */
void sk_default_podspec(struct sk_val *spec);
/* SetDefaults_Pod's extras (requests from limits, enableServiceLinks,
 * hostNetwork ports), Pods only. */
void sk_default_pod_extras(struct sk_val *spec);
/* ValidatePodSpec at the current path (which is the spec). */
void sk_validate_podspec(struct sk_vctx *v, const struct sk_val *spec, const struct sk_podopts *o);
/* ValidatePodTemplateSpec at the current path (the template). */
void sk_validate_pod_template(struct sk_vctx *v, const struct sk_val *tmpl);
/* Volumes of a pod spec (schema_volume.c). The valid volumes end up in a
 * set that volumeMounts and volumeDevices are checked against. */
struct sk_volinfo {
    const char *name; /* borrowed from the tree */
    bool pvc;         /* persistentVolumeClaim or ephemeral: may be a block device */
    bool image;       /* image volume: no subPath */
};
struct sk_volset {
    struct sk_volinfo *v;
    size_t n;
};
void sk_validate_volumes(struct sk_vctx *v, const struct sk_val *vols, const char *podname,
                         bool is_pod, struct sk_volset *out);
void sk_volset_free(struct sk_volset *s);
const struct sk_volinfo *sk_volset_find(const struct sk_volset *s, const char *name);
void sk_default_volume(struct sk_val *vol);
/* Defaults of the volume sources a Volume and a PersistentVolumeSpec share
 * (hostPath type, iscsi, rbd, scaleIO, azureDisk); src holds them. */
void sk_default_legacy_sources(struct sk_val *src);
/* Round and re-spell every quantity in a ResourceList map the way the API
 * server stores it ("0.5" -> "500m"). */
void sk_default_resource_list(struct sk_val *list);
/* PersistentVolumeClaimSpec validation and defaults, shared with
 * StatefulSet's volumeClaimTemplates and ephemeral volumes. */
void sk_validate_pvc_spec(struct sk_vctx *v, const struct sk_val *spec);
void sk_default_pvc_spec(struct sk_val *spec);
void sk_validate_node_selector(struct sk_vctx *v, const struct sk_val *ns);
void sk_validate_tolerations(struct sk_vctx *v, const struct sk_val *tols);
void sk_validate_affinity(struct sk_vctx *v, const struct sk_val *affinity);
void sk_validate_topology_spread(struct sk_vctx *v, const struct sk_val *constraints);
/* "NoSchedule", "PreferNoSchedule", "NoExecute" */
extern const char *const sk_taint_effects[];
/* ValidateTemplateObjectMeta: labels and annotations only. */
void sk_validate_template_meta(struct sk_vctx *v, const struct sk_val *meta);
/* Resource lists: names and quantities (ValidateResourceQuantityValue). */
void sk_validate_resource_quantity(struct sk_vctx *v, const char *name, const struct sk_val *q);
/* The Pod kind's hooks. */
void sk_pod_defaults(struct sk_val *obj);
void sk_pod_prepare_create(struct sk_val *obj);
void sk_pod_validate(const struct sk_val *obj, const struct sk_val *old, struct sk_causes *c);
void sk_pod_validate_status(const struct sk_val *obj, const struct sk_val *old,
                            struct sk_causes *c);
/* Downward API selectors (schema_volume.c), at the current path. */
void sk_validate_field_selector(struct sk_vctx *v, const struct sk_val *fs,
                                const char *const *supported);
void sk_validate_resource_field_selector(struct sk_vctx *v, const struct sk_val *fs, bool volume);
/* ValidatePersistentVolumeSpec at the current path (the spec). */
void sk_validate_pv_spec(struct sk_vctx *v, const struct sk_val *spec);
/* Pod QoS class of a pod spec: "Guaranteed", "Burstable" or "BestEffort". */
const char *sk_pod_qos_class(const struct sk_val *spec);

#endif
