/* Object metadata: the field tables of ObjectMeta, LabelSelector and the
 * small reference types every kind shares, and the metadata validation
 * apimachinery applies to every object on create and on update. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quantity.h"
#include "schema_int.h"

const char *const sk_lmk_containerPort_protocol[] = {"containerPort", "protocol", NULL};
const char *const sk_lmk_devicePath[] = {"devicePath", NULL};
const char *const sk_lmk_ip[] = {"ip", NULL};
const char *const sk_lmk_mountPath[] = {"mountPath", NULL};
const char *const sk_lmk_name[] = {"name", NULL};
const char *const sk_lmk_port_protocol[] = {"port", "protocol", NULL};
const char *const sk_lmk_resourceID[] = {"resourceID", NULL};
const char *const sk_lmk_topologyKey_whenUnsatisfiable[] = {"topologyKey", "whenUnsatisfiable",
                                                            NULL};
const char *const sk_lmk_type[] = {"type", NULL};
const char *const sk_lmk_uid[] = {"uid", NULL};

/* ---- field tables ---- */

static const struct sk_field f_meta_OwnerReference[] = {
        SK_FLD("apiVersion", SK_F_STRING, "API version of the owner.", .flags = SK_FF_REQUIRED),
        SK_FLD("kind", SK_F_STRING, "Kind of the owner.", .flags = SK_FF_REQUIRED),
        SK_FLD("name", SK_F_STRING, "Name of the owner.", .flags = SK_FF_REQUIRED),
        SK_FLD("uid", SK_F_STRING, "UID of the owner.", .go_type = "types.UID",
               .flags = SK_FF_REQUIRED),
        SK_FLD("controller", SK_F_BOOL,
               "True if the owner is the managing controller; at most one reference may say so."),
        SK_FLD("blockOwnerDeletion", SK_F_BOOL,
               "If true, foreground deletion of the owner waits until this object is gone."),
        {0},
};

static const struct sk_field f_meta_ManagedFieldsEntry[] = {
        SK_FLD("manager", SK_F_STRING, "Name of the workflow that manages these fields."),
        SK_FLD("operation", SK_F_STRING, "Operation that set the fields: Apply or Update.",
               .go_type = "v1.ManagedFieldsOperationType"),
        SK_FLD("apiVersion", SK_F_STRING, "Version of the resource the fields were set through."),
        SK_FLD("time", SK_F_TIME, "When these fields were last changed by this manager."),
        SK_FLD("fieldsType", SK_F_STRING, "Format of fieldsV1; only \"FieldsV1\"."),
        SK_FLD("fieldsV1", SK_F_OBJECT, "The set of managed fields, as a trie of field paths.",
               .ref = SK_REF_META "FieldsV1"),
        SK_FLD("subresource", SK_F_STRING,
               "Subresource the fields were set through, empty for the main resource."),
        {0},
};

const struct sk_field sk_f_meta_ObjectMeta[] = {
        SK_FLD("name", SK_F_STRING,
               "Name, unique among objects of this kind in the namespace; cannot be changed."),
        SK_FLD("generateName", SK_F_STRING,
               "Prefix from which the server builds a unique name when name is empty."),
        SK_FLD("namespace", SK_F_STRING,
               "Namespace the object lives in; empty for cluster-scoped kinds. Defaults to "
               "\"default\"."),
        SK_FLD("selfLink", SK_F_STRING, "Deprecated and no longer set.", .flags = SK_FF_READONLY),
        SK_FLD("uid", SK_F_STRING, "Unique ID assigned by the server on creation; never reused.",
               .go_type = "types.UID", .flags = SK_FF_READONLY),
        SK_FLD("resourceVersion", SK_F_STRING,
               "Opaque version of the object, changed on every write; used for optimistic "
               "concurrency and watches.",
               .flags = SK_FF_READONLY),
        SK_FLD("generation", SK_F_INT64,
               "Sequence number of the desired state, bumped by the server when the spec changes.",
               .flags = SK_FF_READONLY),
        SK_FLD("creationTimestamp", SK_F_TIME, "When the server created the object.",
               .flags = SK_FF_READONLY),
        SK_FLD("deletionTimestamp", SK_F_TIME,
               "When deletion was requested; set by the server, the object goes away once its "
               "finalizers are gone.",
               .flags = SK_FF_READONLY),
        SK_FLD("deletionGracePeriodSeconds", SK_F_INT64,
               "Seconds granted to finish before the object is removed; set with "
               "deletionTimestamp.",
               .flags = SK_FF_READONLY),
        SK_FLD("labels", SK_F_MAP, "Key/value pairs used to organize and select objects.",
               .elem = SK_F_STRING),
        SK_FLD("annotations", SK_F_MAP,
               "Key/value pairs for tools and extensions; not used for selection.",
               .elem = SK_F_STRING),
        SK_FLD("ownerReferences", SK_F_ARRAY,
               "Objects this one depends on; it is garbage-collected when all owners are gone.",
               .elem = SK_F_OBJECT, .fields = f_meta_OwnerReference,
               .ref = SK_REF_META "OwnerReference", .merge_key = "uid", .patch_strategy = "merge",
               .list_type = "map", .list_map_keys = sk_lmk_uid),
        SK_FLD("finalizers", SK_F_ARRAY,
               "Names of pending cleanup steps; deletion waits until the list is empty.",
               .elem = SK_F_STRING, .patch_strategy = "merge", .list_type = "set"),
        SK_FLD("managedFields", SK_F_ARRAY,
               "Which field manager set which fields, by operation; kept by the server for "
               "server-side apply.",
               .elem = SK_F_OBJECT, .fields = f_meta_ManagedFieldsEntry,
               .ref = SK_REF_META "ManagedFieldsEntry", .list_type = "atomic"),
        {0},
};

static const struct sk_field f_meta_LabelSelectorRequirement[] = {
        SK_FLD("key", SK_F_STRING, "Label key the requirement applies to.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("operator", SK_F_STRING, "In, NotIn, Exists or DoesNotExist.",
               .go_type = "v1.LabelSelectorOperator", .flags = SK_FF_REQUIRED),
        SK_FLD("values", SK_F_ARRAY,
               "Values for In and NotIn; must be empty for Exists and DoesNotExist.",
               .elem = SK_F_STRING, .list_type = "atomic"),
        {0},
};

const struct sk_field sk_f_meta_LabelSelector[] = {
        SK_FLD("matchLabels", SK_F_MAP,
               "Labels that must all be present with these values; same as In requirements.",
               .elem = SK_F_STRING),
        SK_FLD("matchExpressions", SK_F_ARRAY, "Label requirements; all must hold.",
               .elem = SK_F_OBJECT, .fields = f_meta_LabelSelectorRequirement,
               .ref = SK_REF_META "LabelSelectorRequirement", .list_type = "atomic"),
        {0},
};

const struct sk_field sk_f_core_LocalObjectReference[] = {
        SK_FLD("name", SK_F_STRING, "Name of the referenced object in the same namespace."),
        {0},
};

const struct sk_field sk_f_core_TypedLocalObjectReference[] = {
        SK_FLD("apiGroup", SK_F_STRING,
               "API group of the referenced object; empty means the core group."),
        SK_FLD("kind", SK_F_STRING, "Kind of the referenced object.", .flags = SK_FF_REQUIRED),
        SK_FLD("name", SK_F_STRING, "Name of the referenced object.", .flags = SK_FF_REQUIRED),
        {0},
};

const struct sk_field sk_f_core_TypedObjectReference[] = {
        SK_FLD("apiGroup", SK_F_STRING,
               "API group of the referenced object; empty means the core group."),
        SK_FLD("kind", SK_F_STRING, "Kind of the referenced object.", .flags = SK_FF_REQUIRED),
        SK_FLD("name", SK_F_STRING, "Name of the referenced object.", .flags = SK_FF_REQUIRED),
        SK_FLD("namespace", SK_F_STRING,
               "Namespace of the referenced object; needs a ReferenceGrant when it differs from "
               "the claim's."),
        {0},
};

static const struct sk_field f_core_NodeSelectorRequirement[] = {
        SK_FLD("key", SK_F_STRING, "Label (or field) key the requirement applies to.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("operator", SK_F_STRING, "In, NotIn, Exists, DoesNotExist, Gt or Lt.",
               .go_type = "v1.NodeSelectorOperator", .flags = SK_FF_REQUIRED),
        SK_FLD("values", SK_F_ARRAY,
               "Values to compare with; one integer for Gt and Lt, empty for Exists and "
               "DoesNotExist.",
               .elem = SK_F_STRING, .list_type = "atomic"),
        {0},
};

const struct sk_field sk_f_core_NodeSelectorTerm[] = {
        SK_FLD("matchExpressions", SK_F_ARRAY, "Requirements on node labels; all must hold.",
               .elem = SK_F_OBJECT, .fields = f_core_NodeSelectorRequirement,
               .ref = SK_REF_CORE "NodeSelectorRequirement", .list_type = "atomic"),
        SK_FLD("matchFields", SK_F_ARRAY,
               "Requirements on node fields (only metadata.name); all must hold.",
               .elem = SK_F_OBJECT, .fields = f_core_NodeSelectorRequirement,
               .ref = SK_REF_CORE "NodeSelectorRequirement", .list_type = "atomic"),
        {0},
};

const struct sk_field sk_f_core_NodeSelector[] = {
        SK_FLD("nodeSelectorTerms", SK_F_ARRAY,
               "Terms ORed together; a node matches if any term matches.", .elem = SK_F_OBJECT,
               .fields = sk_f_core_NodeSelectorTerm, .ref = SK_REF_CORE "NodeSelectorTerm",
               .list_type = "atomic", .flags = SK_FF_REQUIRED),
        {0},
};

const struct sk_field sk_f_meta_Condition[] = {
        SK_FLD("type", SK_F_STRING,
               "Type of condition, in CamelCase or as foo.example.com/CamelCase.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("status", SK_F_STRING, "True, False or Unknown.", .go_type = "v1.ConditionStatus",
               .flags = SK_FF_REQUIRED),
        SK_FLD("observedGeneration", SK_F_INT64,
               "The metadata.generation the condition was based on."),
        SK_FLD("lastTransitionTime", SK_F_TIME, "When the condition last changed status.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("reason", SK_F_STRING, "Short machine-readable CamelCase reason.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("message", SK_F_STRING, "Human-readable explanation.", .flags = SK_FF_REQUIRED),
        {0},
};

const struct sk_field sk_f_core_ObjectReference[] = {
        SK_FLD("kind", SK_F_STRING, "Kind of the referenced object."),
        SK_FLD("namespace", SK_F_STRING, "Namespace of the referenced object."),
        SK_FLD("name", SK_F_STRING, "Name of the referenced object."),
        SK_FLD("uid", SK_F_STRING, "UID of the referenced object.", .go_type = "types.UID"),
        SK_FLD("apiVersion", SK_F_STRING, "API version of the referenced object."),
        SK_FLD("resourceVersion", SK_F_STRING,
               "Resource version of the referenced object, when a specific version is meant."),
        SK_FLD("fieldPath", SK_F_STRING,
               "Path to a field inside the referenced object, e.g. \"spec.containers{web}\"."),
        {0},
};

const struct sk_field sk_f_core_SecretReference[] = {
        SK_FLD("name", SK_F_STRING, "Name of the Secret."),
        SK_FLD("namespace", SK_F_STRING, "Namespace of the Secret."),
        {0},
};

static const struct sk_field f_core_TopologySelectorLabelRequirement[] = {
        SK_FLD("key", SK_F_STRING, "Topology label key.", .flags = SK_FF_REQUIRED),
        SK_FLD("values", SK_F_ARRAY, "Allowed values; the label must have one of them.",
               .elem = SK_F_STRING, .list_type = "atomic", .flags = SK_FF_REQUIRED),
        {0},
};

const struct sk_field sk_f_core_TopologySelectorTerm[] = {
        SK_FLD("matchLabelExpressions", SK_F_ARRAY,
               "Requirements on topology labels; all must hold.", .elem = SK_F_OBJECT,
               .fields = f_core_TopologySelectorLabelRequirement,
               .ref = SK_REF_CORE "TopologySelectorLabelRequirement", .list_type = "atomic"),
        {0},
};

/* ---- validation ---- */

static void validate_owner_refs(struct sk_vctx *v, const struct sk_val *refs)
{
    size_t mark = sk_vpush(v, "ownerReferences");
    const char *first = NULL;
    char *firstbuf = NULL;
    for (size_t i = 0; i < sk_alen(refs); i++) {
        const struct sk_val *r = refs->u.a.items[i];
        const char *av = sk_gets0(r, "apiVersion"), *kind = sk_gets0(r, "kind");
        /* schema.FromAPIVersionAndKind: "group/version" or "version". */
        const char *slash = strchr(av, '/');
        bool noversion = !*av || (slash && (strchr(slash + 1, '/') || !slash[1]));
        /* The paths carry no index: apimachinery reports them that way. */
        if (noversion) sk_vinvalid_str(v, "apiVersion", av, "version must not be empty");
        if (!*kind) sk_vinvalid_str(v, "kind", kind, "kind must not be empty");
        if (!*sk_gets0(r, "name")) sk_vinvalid_str(v, "name", "", "name must not be empty");
        if (!*sk_gets0(r, "uid")) sk_vinvalid_str(v, "uid", "", "uid must not be empty");
        if (!strcmp(av, "v1") && !strcmp(kind, "Event")) {
            _sk_cleanup_free_ char *val = sk_gofmt_val(r);
            sk_vinvalid(v, NULL, val, "/v1, Kind=Event is disallowed from being an owner");
        }
        if (sk_getb(r, "controller")) {
            char *cur = sk_xasprintf("%s/%s", kind, sk_gets0(r, "name"));
            if (first) {
                _sk_cleanup_free_ char *val = sk_gofmt_val(refs);
                sk_vinvalid(v, NULL, val,
                            "Only one reference can have Controller set to true. Found \"true\" in "
                            "references for %s and %s",
                            first, cur);
                free(cur);
            } else {
                first = firstbuf = cur;
            }
        }
    }
    free(firstbuf);
    sk_vpop(v, mark);
}

static const char *const standard_finalizers[] = {"kubernetes", "orphan", "foregroundDeletion",
                                                  NULL};

static void validate_finalizers(struct sk_vctx *v, const struct sk_val *fins, bool kube)
{
    size_t mark = sk_vpush(v, "finalizers");
    bool orphan = false, foreground = false;
    for (size_t i = 0; i < sk_alen(fins); i++) {
        const char *f = sk_val_cstr(fins->u.a.items[i]);
        if (!f) continue;
        sk_vqualified(v, NULL, f);
        orphan |= !strcmp(f, "orphan");
        foreground |= !strcmp(f, "foregroundDeletion");
    }
    if (orphan && foreground) {
        _sk_cleanup_free_ char *val = sk_gofmt_strlist(fins);
        sk_vinvalid(v, NULL, val, "finalizer orphan and foregroundDeletion cannot be both set");
    }
    /* pkg/apis/core/validation adds: short names must be the standard ones. */
    for (size_t i = 0; kube && i < sk_alen(fins); i++) {
        const char *f = sk_val_cstr(fins->u.a.items[i]);
        if (!f || strchr(f, '/') || sk_str_in(f, standard_finalizers)) continue;
        size_t m2 = sk_vpushi(v, i);
        sk_vinvalid_str(v, NULL, f,
                        "name is neither a standard finalizer name nor is it fully qualified");
        sk_vpop(v, m2);
    }
    sk_vpop(v, mark);
}

static void validate_managed_fields(struct sk_vctx *v, const struct sk_val *mf)
{
    for (size_t i = 0; i < sk_alen(mf); i++) {
        const struct sk_val *e = mf->u.a.items[i];
        size_t mark = sk_vpush(v, "managedFields");
        sk_vpushi(v, i);
        const char *op = sk_gets0(e, "operation");
        if (strcmp(op, "Apply") && strcmp(op, "Update"))
            sk_vinvalid_str(v, "operation", op, "must be `Apply` or `Update`");
        const char *ft = sk_gets0(e, "fieldsType");
        if (*ft && strcmp(ft, "FieldsV1"))
            sk_vinvalid_str(v, "fieldsType", ft, "must be `FieldsV1`");
        const char *mgr = sk_gets0(e, "manager");
        if (strlen(mgr) > 128) sk_vtoolong(v, "manager", 128);
        for (size_t j = 0; mgr[j]; j++) {
            unsigned char ch = (unsigned char)mgr[j];
            if (ch < 0x20 || ch == 0x7f) {
                sk_vinvalid_str(v, "manager", mgr, "invalid character U+%04X (at position %zu)", ch,
                                j);
                break;
            }
        }
        if (strlen(sk_gets0(e, "subresource")) > 256) sk_vtoolong(v, "subresource", 256);
        sk_vpop(v, mark);
    }
}

void sk_validate_object_meta(struct sk_vctx *v, const struct sk_kind *k, const struct sk_val *meta)
{
    size_t mark = sk_vpush(v, "metadata");
    const char *msgs[SK_MAXMSGS];
    const char *gen = sk_gets0(meta, "generateName"), *name = sk_gets0(meta, "name");
    if (*gen) {
        size_t n = sk_name_msgs(k->name_rule, gen, true, msgs);
        for (size_t i = 0; i < n; i++)
            sk_vinvalid_str(v, "generateName", gen, "%s", msgs[i]);
    }
    if (!*name) {
        sk_vrequired(v, "name", "name or generateName is required");
    } else {
        size_t n = sk_name_msgs(k->name_rule, name, false, msgs);
        for (size_t i = 0; i < n; i++)
            sk_vinvalid_str(v, "name", name, "%s", msgs[i]);
    }
    const char *ns = sk_gets0(meta, "namespace");
    if (k->namespaced) {
        if (!*ns)
            sk_vrequired(v, "namespace", "%s", "");
        else
            sk_vmsgs(v, "namespace", ns, sk_dns1123_label_msgs);
    } else if (*ns) {
        sk_vforbidden(v, "namespace", "not allowed on this type");
    }
    sk_vnonneg(v, meta, "generation");
    sk_vlabels(v, "labels", sk_getm(meta, "labels"));
    sk_vannotations(v, "annotations", sk_getm(meta, "annotations"));
    validate_owner_refs(v, sk_geta(meta, "ownerReferences"));
    validate_finalizers(v, sk_geta(meta, "finalizers"), true);
    validate_managed_fields(v, sk_geta(meta, "managedFields"));
    sk_vpop(v, mark);
}

/* metav1.Time's String(): Go's default time layout, in UTC. */
static char *gofmt_time(const struct sk_val *t)
{
    const char *s = sk_val_cstr(t);
    struct sk_time tm;
    if (!s || sk_time_parse(s, &tm, NULL) != SK_OK) return sk_gofmt_val(t);
    char buf[SK_TIME_STRMAX];
    sk_time_format(tm, buf); /* 2006-01-02T15:04:05Z */
    buf[10] = ' ';
    buf[19] = 0;
    return sk_xasprintf("%s +0000 UTC", buf);
}

static void immutable_time(struct sk_vctx *v, const struct sk_val *nm, const struct sk_val *om,
                           const char *k)
{
    const struct sk_val *a = sk_get(nm, k), *b = sk_get(om, k);
    if ((!a && !b) || (a && b && sk_val_equal(a, b))) return;
    _sk_cleanup_free_ char *val = a ? gofmt_time(a) : sk_xstrdup("null");
    sk_vinvalid(v, k, val, "field is immutable");
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void sk_validate_object_meta_update(struct sk_vctx *v, const struct sk_val *meta,
                                    const struct sk_val *old)
{
    size_t mark = sk_vpush(v, "metadata");
    if (sk_has(old, "deletionTimestamp")) {
        /* New finalizers are refused once deletion has started. */
        const struct sk_val *nf = sk_geta(meta, "finalizers"), *of = sk_geta(old, "finalizers");
        const char **extra = sk_xcalloc(sk_alen(nf) + 1, sizeof(*extra));
        size_t ne = 0;
        for (size_t i = 0; i < sk_alen(nf); i++) {
            const char *f = sk_val_cstr(nf->u.a.items[i]);
            bool found = false;
            for (size_t j = 0; f && j < sk_alen(of) && !found; j++)
                found = sk_streq(f, sk_val_cstr(of->u.a.items[j]));
            for (size_t j = 0; f && j < ne && !found; j++)
                found = !strcmp(f, extra[j]);
            if (f && !found) extra[ne++] = f;
        }
        if (ne) {
            qsort(extra, ne, sizeof(*extra), str_cmp);
            struct sk_buf b = {0};
            sk_buf_puts(&b, "[]string{");
            for (size_t i = 0; i < ne; i++) {
                _sk_cleanup_free_ char *q = sk_gofmt_str(extra[i]);
                sk_buf_printf(&b, "%s%s", i ? ", " : "", q);
            }
            sk_buf_putc(&b, '}');
            _sk_cleanup_free_ char *list = sk_buf_take(&b, NULL);
            sk_vforbidden(
                    v, "finalizers",
                    "no new finalizers can be added if the object is being deleted, found new "
                    "finalizers %s",
                    list);
        }
        free(extra);
    }
    if (!*sk_gets0(meta, "resourceVersion"))
        sk_vinvalid_str(v, "resourceVersion", "", "must be specified for an update");
    int64_t ng = sk_geti0(meta, "generation"), og = sk_geti0(old, "generation");
    if (ng < og) sk_vinvalid_int(v, "generation", ng, "must not be decremented");
    static const char *const same[] = {"name", "namespace", "uid", NULL};
    for (size_t i = 0; same[i]; i++) {
        const char *a = sk_gets0(meta, same[i]), *b = sk_gets0(old, same[i]);
        if (strcmp(a, b)) sk_vinvalid_str(v, same[i], a, "field is immutable");
    }
    immutable_time(v, meta, old, "creationTimestamp");
    immutable_time(v, meta, old, "deletionTimestamp");
    int64_t a = 0, b = 0;
    bool ha = sk_geti(meta, "deletionGracePeriodSeconds", &a),
         hb = sk_geti(old, "deletionGracePeriodSeconds", &b);
    if (ha != hb || a != b) {
        if (ha)
            sk_vinvalid_int(v, "deletionGracePeriodSeconds", a, "field is immutable");
        else
            sk_vinvalid(v, "deletionGracePeriodSeconds", "null", "field is immutable");
    }
    sk_vlabels(v, "labels", sk_getm(meta, "labels"));
    sk_vannotations(v, "annotations", sk_getm(meta, "annotations"));
    validate_owner_refs(v, sk_geta(meta, "ownerReferences"));
    /* ValidateObjectMetaUpdate of pkg/apis/core re-checks finalizer names. */
    const struct sk_val *fins = sk_geta(meta, "finalizers");
    for (size_t i = 0; i < sk_alen(fins); i++) {
        const char *f = sk_val_cstr(fins->u.a.items[i]);
        if (!f || strchr(f, '/') || sk_str_in(f, standard_finalizers)) continue;
        size_t m2 = sk_vpush(v, "finalizers");
        sk_vpushi(v, i);
        sk_vinvalid_str(v, NULL, f,
                        "name is neither a standard finalizer name nor is it fully qualified");
        sk_vpop(v, m2);
    }
    validate_managed_fields(v, sk_geta(meta, "managedFields"));
    sk_vpop(v, mark);
}

/* Go's zero value: what reflect.DeepEqual with the zero value accepts. */
static bool zero_val(const struct sk_val *x)
{
    switch (x->type) {
    case SK_V_NULL: return true;
    case SK_V_BOOL: return !x->u.b;
    case SK_V_INT: return !x->u.i;
    case SK_V_FLOAT: return x->u.f == 0;
    case SK_V_STR: return !x->u.s.len;
    case SK_V_ARR: return !x->u.a.n;
    case SK_V_MAP: return !x->u.m.n;
    }
    return false;
}

void sk_validate_template_meta(struct sk_vctx *v, const struct sk_val *meta)
{
    size_t mark = sk_vpush(v, "metadata");
    sk_vannotations(v, "annotations", sk_getm(meta, "annotations"));
    sk_vlabels(v, "labels", sk_getm(meta, "labels"));
    /* Only labels and annotations may be set on such templates. */
    for (size_t i = 0; i < sk_mlen(meta); i++) {
        const struct sk_kv *kv = &meta->u.m.kv[i];
        if (!strcmp(kv->key, "labels") || !strcmp(kv->key, "annotations")) continue;
        if (zero_val(kv->val)) continue;
        /* The path names the Go field with its first letter lowered. */
        sk_vforbidden(v, strcmp(kv->key, "uid") ? kv->key : "uID", "cannot be set");
    }
    sk_vpop(v, mark);
}
