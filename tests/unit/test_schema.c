/* The schema table: kind names and look-ups, the field tree (types, merge
 * keys, descriptions), Kubernetes' defaulting per kind, validation messages
 * and field paths, update rules, unknown fields and type errors. Objects
 * are written as flow-style YAML, the way they arrive from kubectl. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "schema.h"
#include "yaml.h"

/* ---- helpers ---- */

static struct sk_val *yaml(const char *text)
{
    struct sk_val *v = NULL;
    struct sk_error *err = NULL;
    if (sk_yaml_parse_one(text, strlen(text), "test", &v, &err) != SK_OK) {
        fprintf(stderr, "bad test YAML: %s\n", err ? err->msg : "?");
        sk_error_free(err);
        fail();
    }
    return v;
}

static const struct sk_kind *kind_of(const struct sk_val *obj)
{
    const struct sk_kind *k = sk_kind_by_api_version(sk_obj_api_version(obj), sk_obj_kind(obj));
    assert_non_null(k);
    return k;
}

/* What the registry does before validating a create. */
static struct sk_val *created(const char *text)
{
    struct sk_val *obj = yaml(text);
    const struct sk_kind *k = kind_of(obj);
    sk_kind_default(k, obj);
    sk_kind_prepare_create(k, obj);
    return obj;
}

/* Default, prepare and validate text (an update of old_text when that is
 * not NULL); the causes go to *out. */
static void run_validation(const char *text, const char *old_text, struct sk_causes *out)
{
    struct sk_val *obj = yaml(text);
    const struct sk_kind *k = kind_of(obj);
    sk_kind_default(k, obj);
    struct sk_val *old = NULL;
    if (old_text) {
        old = created(old_text);
        sk_kind_prepare_update(k, obj, old);
    } else {
        sk_kind_prepare_create(k, obj);
    }
    bool ok = sk_kind_validate(k, obj, old, out);
    assert_true(ok == (out->n == 0));
    sk_val_free(obj);
    sk_val_free(old);
}

static void dump_causes(const struct sk_causes *c)
{
    for (size_t i = 0; i < c->n; i++)
        fprintf(stderr, "  cause %s | %s | %s\n", c->v[i].reason, c->v[i].field, c->v[i].message);
}

/* message: exact, or "^text" for a prefix, or "$text" for a suffix (for
 * Go %#v renderings of structs, which carry pointer addresses and which
 * skiff renders as JSON). */
static bool message_matches(const char *got, const char *want)
{
    if (*want == '^') return !strncmp(got, want + 1, strlen(want + 1));
    if (*want == '$') {
        size_t g = strlen(got), w = strlen(want + 1);
        return g >= w && !strcmp(got + g - w, want + 1);
    }
    return !strcmp(got, want);
}

static bool has_cause(const struct sk_causes *c, const char *field, const char *reason,
                      const char *message)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->v[i].field, field) && !strcmp(c->v[i].reason, reason) &&
            message_matches(c->v[i].message, message))
            return true;
    return false;
}

/* ---- the kind table ---- */

struct kind_row {
    const char *plural, *group, *version, *kind, *singular;
    const char *shorts; /* space separated, "" for none */
    bool all, namespaced, status, scale;
    enum sk_name_rule rule;
};

static const struct kind_row kind_rows[] = {
        {"pods", "", "v1", "Pod", "pod", "po", true, true, true, false, SK_NAME_SUBDOMAIN},
        {"services", "", "v1", "Service", "service", "svc", true, true, true, false,
         SK_NAME_DNS1035},
        {"endpoints", "", "v1", "Endpoints", "endpoints", "ep", false, true, false, false,
         SK_NAME_SUBDOMAIN},
        {"configmaps", "", "v1", "ConfigMap", "configmap", "cm", false, true, false, false,
         SK_NAME_SUBDOMAIN},
        {"secrets", "", "v1", "Secret", "secret", "", false, true, false, false, SK_NAME_SUBDOMAIN},
        {"namespaces", "", "v1", "Namespace", "namespace", "ns", false, false, true, false,
         SK_NAME_LABEL},
        {"nodes", "", "v1", "Node", "node", "no", false, false, true, false, SK_NAME_SUBDOMAIN},
        {"events", "", "v1", "Event", "event", "ev", false, true, false, false, SK_NAME_SUBDOMAIN},
        {"serviceaccounts", "", "v1", "ServiceAccount", "serviceaccount", "sa", false, true, false,
         false, SK_NAME_SUBDOMAIN},
        {"persistentvolumes", "", "v1", "PersistentVolume", "persistentvolume", "pv", false, false,
         true, false, SK_NAME_SUBDOMAIN},
        {"persistentvolumeclaims", "", "v1", "PersistentVolumeClaim", "persistentvolumeclaim",
         "pvc", false, true, true, false, SK_NAME_SUBDOMAIN},
        {"replicationcontrollers", "", "v1", "ReplicationController", "replicationcontroller", "rc",
         true, true, true, true, SK_NAME_SUBDOMAIN},
        {"deployments", "apps", "v1", "Deployment", "deployment", "deploy", true, true, true, true,
         SK_NAME_SUBDOMAIN},
        {"replicasets", "apps", "v1", "ReplicaSet", "replicaset", "rs", true, true, true, true,
         SK_NAME_SUBDOMAIN},
        {"daemonsets", "apps", "v1", "DaemonSet", "daemonset", "ds", true, true, true, false,
         SK_NAME_SUBDOMAIN},
        {"statefulsets", "apps", "v1", "StatefulSet", "statefulset", "sts", true, true, true, true,
         SK_NAME_LABEL},
        {"controllerrevisions", "apps", "v1", "ControllerRevision", "controllerrevision", "", false,
         true, false, false, SK_NAME_SUBDOMAIN},
        {"jobs", "batch", "v1", "Job", "job", "", true, true, true, false, SK_NAME_SUBDOMAIN},
        {"cronjobs", "batch", "v1", "CronJob", "cronjob", "cj", true, true, true, false,
         SK_NAME_SUBDOMAIN},
        {"ingresses", "networking.k8s.io", "v1", "Ingress", "ingress", "ing", false, true, true,
         false, SK_NAME_SUBDOMAIN},
        {"ingressclasses", "networking.k8s.io", "v1", "IngressClass", "ingressclass", "", false,
         false, false, false, SK_NAME_SUBDOMAIN},
        {"horizontalpodautoscalers", "autoscaling", "v2", "HorizontalPodAutoscaler",
         "horizontalpodautoscaler", "hpa", true, true, true, false, SK_NAME_SUBDOMAIN},
        {"storageclasses", "storage.k8s.io", "v1", "StorageClass", "storageclass", "sc", false,
         false, false, false, SK_NAME_SUBDOMAIN},
        {"leases", "coordination.k8s.io", "v1", "Lease", "lease", "", false, true, false, false,
         SK_NAME_SUBDOMAIN},
        {"endpointslices", "discovery.k8s.io", "v1", "EndpointSlice", "endpointslice", "", false,
         true, false, false, SK_NAME_SUBDOMAIN},
};
#define NKINDS (sizeof kind_rows / sizeof kind_rows[0])

static void test_kind_table(void **state)
{
    (void)state;
    size_t n = 0;
    while (sk_kinds[n])
        n++;
    assert_int_equal(n, NKINDS);
    for (size_t i = 0; i < NKINDS; i++) {
        const struct kind_row *r = &kind_rows[i];
        const struct sk_kind *k = sk_kind_by_resource(r->group, r->version, r->plural);
        if (!k) fprintf(stderr, "missing %s\n", r->plural);
        assert_non_null(k);
        assert_string_equal(k->group, r->group);
        assert_string_equal(k->version, r->version);
        assert_string_equal(k->kind, r->kind);
        assert_string_equal(k->singular, r->singular);
        char list[64];
        snprintf(list, sizeof list, "%sList", r->kind);
        assert_string_equal(k->list_kind, list);
        char shorts[64] = "";
        for (const char *const *s = k->short_names; s && *s; s++) {
            if (*shorts) strcat(shorts, " ");
            strcat(shorts, *s);
        }
        assert_string_equal(shorts, r->shorts);
        bool all = false;
        for (const char *const *c = k->categories; c && *c; c++)
            all |= !strcmp(*c, "all");
        assert_int_equal(all, r->all);
        assert_int_equal(k->namespaced, r->namespaced);
        assert_int_equal(k->has_status, r->status);
        assert_int_equal(k->has_scale, r->scale);
        assert_int_equal(k->name_rule, r->rule);
        assert_non_null(k->fields);
        assert_non_null(k->description);
        assert_non_null(k->ref);
        /* Every kind starts with the type meta and the object meta. */
        assert_non_null(sk_kind_field(k, "apiVersion"));
        assert_non_null(sk_kind_field(k, "kind"));
        assert_non_null(sk_kind_field(k, "metadata.name"));
        assert_non_null(sk_kind_field(k, "metadata.managedFields.fieldsV1"));
    }
    const struct sk_kind *pod = sk_kind_by_name("pods");
    bool log = false;
    for (const char *const *s = pod->subresources; s && *s; s++)
        log |= !strcmp(*s, "log");
    assert_true(log);
    assert_string_equal(pod->ref, "io.k8s.api.core.v1.Pod");
    assert_string_equal(sk_kind_by_name("deploy")->ref, "io.k8s.api.apps.v1.Deployment");
}

static void test_lookups(void **state)
{
    (void)state;
    for (size_t i = 0; i < NKINDS; i++) {
        const struct kind_row *r = &kind_rows[i];
        const struct sk_kind *k = sk_kind_by_gvk(r->group, r->version, r->kind);
        assert_non_null(k);
        assert_ptr_equal(sk_kind_by_resource(r->group, r->version, r->plural), k);
        const char *av = sk_kind_api_version(k);
        assert_ptr_equal(sk_kind_by_api_version(av, r->kind), k);
        if (*r->group) {
            char want[64];
            snprintf(want, sizeof want, "%s/%s", r->group, r->version);
            assert_string_equal(av, want);
        } else {
            assert_string_equal(av, "v1");
        }
        /* kubectl-style: plural, singular, kind in any case, short names,
         * and each qualified by group or version.group. */
        char buf[128];
        assert_ptr_equal(sk_kind_by_name(r->plural), k);
        assert_ptr_equal(sk_kind_by_name(r->singular), k);
        assert_ptr_equal(sk_kind_by_name(r->kind), k);
        snprintf(buf, sizeof buf, "%s", r->plural);
        for (char *p = buf; *p; p++)
            if (*p >= 'a' && *p <= 'z') *p -= 32;
        assert_ptr_equal(sk_kind_by_name(buf), k);
        if (*r->shorts) {
            char shorts[64];
            snprintf(shorts, sizeof shorts, "%s", r->shorts);
            for (char *save = NULL, *s = strtok_r(shorts, " ", &save); s;
                 s = strtok_r(NULL, " ", &save)) {
                assert_ptr_equal(sk_kind_by_name(s), k);
                if (*r->group) {
                    snprintf(buf, sizeof buf, "%s.%s", s, r->group);
                    assert_ptr_equal(sk_kind_by_name(buf), k);
                }
            }
        }
        if (*r->group) {
            snprintf(buf, sizeof buf, "%s.%s", r->plural, r->group);
            assert_ptr_equal(sk_kind_by_name(buf), k);
            snprintf(buf, sizeof buf, "%s.%s.%s", r->plural, r->version, r->group);
            assert_ptr_equal(sk_kind_by_name(buf), k);
            snprintf(buf, sizeof buf, "%s.%s", r->kind, r->group);
            assert_ptr_equal(sk_kind_by_name(buf), k);
            /* The wrong group finds nothing. */
            snprintf(buf, sizeof buf, "%s.nosuch.io", r->plural);
            assert_null(sk_kind_by_name(buf));
        } else {
            snprintf(buf, sizeof buf, "%s.%s", r->plural, r->version);
            assert_ptr_equal(sk_kind_by_name(buf), k);
        }
    }
    assert_ptr_equal(sk_kind_by_name("deploy"), sk_kind_by_name("deployments.apps"));
    assert_ptr_equal(sk_kind_by_name("Deployments.Apps"), sk_kind_by_name("deployment"));
    assert_ptr_equal(sk_kind_by_name("hpa.autoscaling"), sk_kind_by_name("hpa"));
    assert_ptr_equal(sk_kind_by_name("ing.networking.k8s.io"), sk_kind_by_name("ingress"));
    assert_null(sk_kind_by_name(""));
    assert_null(sk_kind_by_name(NULL));
    assert_null(sk_kind_by_name("foo"));
    assert_null(sk_kind_by_name("deployments.batch"));
    assert_null(sk_kind_by_name("deployments.v2.apps"));
    assert_null(sk_kind_by_name("pods.v2"));
    assert_null(sk_kind_by_name("pod.apps"));
    assert_null(sk_kind_by_gvk("apps", "v1beta1", "Deployment"));
    assert_null(sk_kind_by_gvk("", "v1", "Deployment"));
    assert_null(sk_kind_by_api_version("extensions/v1beta1", "Ingress"));
    assert_null(sk_kind_by_api_version("v1", "pod")); /* kinds are exact */
    assert_null(sk_kind_by_api_version(NULL, "Pod"));
    assert_null(sk_kind_by_resource("", "v1", "po"));
    assert_null(sk_kind_by_resource("apps", "v1", "pods"));
}

/* ---- the field tree ---- */

struct field_row {
    const char *kind, *path;
    enum sk_ftype type, elem;
    const char *merge_key, *strategy, *list_type, *map_keys; /* map_keys: space separated */
};

static const struct field_row field_rows[] = {
        {"Pod", "spec.containers", SK_F_ARRAY, SK_F_OBJECT, "name", "merge", "map", "name"},
        {"Pod", "spec.initContainers", SK_F_ARRAY, SK_F_OBJECT, "name", "merge", "map", "name"},
        {"Pod", "spec.ephemeralContainers", SK_F_ARRAY, SK_F_OBJECT, "name", "merge", "map",
         "name"},
        {"Pod", "spec.volumes", SK_F_ARRAY, SK_F_OBJECT, "name", "merge,retainKeys", "map", "name"},
        {"Pod", "spec.imagePullSecrets", SK_F_ARRAY, SK_F_OBJECT, "name", "merge", "map", "name"},
        {"Pod", "spec.tolerations", SK_F_ARRAY, SK_F_OBJECT, NULL, NULL, "atomic", NULL},
        {"Pod", "spec.containers.env", SK_F_ARRAY, SK_F_OBJECT, "name", "merge", "map", "name"},
        {"Pod", "spec.containers.volumeMounts", SK_F_ARRAY, SK_F_OBJECT, "mountPath", "merge",
         "map", "mountPath"},
        {"Pod", "spec.containers.volumeDevices", SK_F_ARRAY, SK_F_OBJECT, "devicePath", "merge",
         "map", "devicePath"},
        {"Pod", "spec.containers.ports", SK_F_ARRAY, SK_F_OBJECT, "containerPort", "merge", "map",
         "containerPort protocol"},
        {"Pod", "spec.containers.args", SK_F_ARRAY, SK_F_STRING, NULL, NULL, "atomic", NULL},
        {"Pod", "spec.containers.resources.limits", SK_F_MAP, SK_F_QUANTITY, NULL, NULL, NULL,
         NULL},
        {"Pod", "spec.topologySpreadConstraints", SK_F_ARRAY, SK_F_OBJECT, "topologyKey", "merge",
         "map", "topologyKey whenUnsatisfiable"},
        {"Pod", "spec.hostAliases", SK_F_ARRAY, SK_F_OBJECT, "ip", "merge", "map", "ip"},
        {"Pod", "spec.nodeSelector", SK_F_MAP, SK_F_STRING, NULL, NULL, NULL, NULL},
        {"Pod", "spec.terminationGracePeriodSeconds", SK_F_INT64, 0, NULL, NULL, NULL, NULL},
        {"Pod", "spec.containers.livenessProbe.httpGet.port", SK_F_INT_OR_STRING, 0, NULL, NULL,
         NULL, NULL},
        {"Pod", "status.conditions", SK_F_ARRAY, SK_F_OBJECT, "type", "merge", "map", "type"},
        {"Pod", "metadata.ownerReferences", SK_F_ARRAY, SK_F_OBJECT, "uid", "merge", "map", "uid"},
        {"Pod", "metadata.finalizers", SK_F_ARRAY, SK_F_STRING, NULL, "merge", "set", NULL},
        {"Pod", "metadata.managedFields", SK_F_ARRAY, SK_F_OBJECT, NULL, NULL, "atomic", NULL},
        {"Pod", "metadata.labels", SK_F_MAP, SK_F_STRING, NULL, NULL, NULL, NULL},
        {"Pod", "metadata.creationTimestamp", SK_F_TIME, 0, NULL, NULL, NULL, NULL},
        {"Service", "spec.ports", SK_F_ARRAY, SK_F_OBJECT, "port", "merge", "map", "port protocol"},
        {"Service", "spec.ports.targetPort", SK_F_INT_OR_STRING, 0, NULL, NULL, NULL, NULL},
        {"Service", "spec.ports.port", SK_F_INT32, 0, NULL, NULL, NULL, NULL},
        {"Service", "spec.externalIPs", SK_F_ARRAY, SK_F_STRING, NULL, NULL, "atomic", NULL},
        {"Secret", "data", SK_F_MAP, SK_F_BYTES, NULL, NULL, NULL, NULL},
        {"Secret", "stringData", SK_F_MAP, SK_F_STRING, NULL, NULL, NULL, NULL},
        {"ConfigMap", "binaryData", SK_F_MAP, SK_F_BYTES, NULL, NULL, NULL, NULL},
        {"Deployment", "spec.template.spec.containers", SK_F_ARRAY, SK_F_OBJECT, "name", "merge",
         "map", "name"},
        {"Deployment", "spec.template.spec.containers.ports", SK_F_ARRAY, SK_F_OBJECT,
         "containerPort", "merge", "map", "containerPort protocol"},
        {"Deployment", "spec.strategy.rollingUpdate.maxSurge", SK_F_INT_OR_STRING, 0, NULL, NULL,
         NULL, NULL},
        {"Deployment", "spec.selector.matchExpressions", SK_F_ARRAY, SK_F_OBJECT, NULL, NULL,
         "atomic", NULL},
        {"Deployment", "status.conditions", SK_F_ARRAY, SK_F_OBJECT, "type", "merge", "map",
         "type"},
        {"StatefulSet", "spec.volumeClaimTemplates", SK_F_ARRAY, SK_F_OBJECT, NULL, NULL, "atomic",
         NULL},
        {"CronJob", "spec.jobTemplate.spec.template.spec.containers", SK_F_ARRAY, SK_F_OBJECT,
         "name", "merge", "map", "name"},
        {"Job", "status.conditions", SK_F_ARRAY, SK_F_OBJECT, "type", "merge", "atomic", NULL},
        {"Node", "spec.taints", SK_F_ARRAY, SK_F_OBJECT, NULL, NULL, "atomic", NULL},
        {"Node", "status.addresses", SK_F_ARRAY, SK_F_OBJECT, "type", "merge", "map", "type"},
        {"Node", "status.capacity", SK_F_MAP, SK_F_QUANTITY, NULL, NULL, NULL, NULL},
        {"Endpoints", "subsets", SK_F_ARRAY, SK_F_OBJECT, NULL, NULL, "atomic", NULL},
        {"Event", "eventTime", SK_F_TIME, 0, NULL, NULL, NULL, NULL},
        {"Lease", "spec.renewTime", SK_F_TIME, 0, NULL, NULL, NULL, NULL},
        {"ControllerRevision", "data", SK_F_ANY, 0, NULL, NULL, NULL, NULL},
        {"EndpointSlice", "endpoints", SK_F_ARRAY, SK_F_OBJECT, NULL, NULL, "atomic", NULL},
        {"Ingress", "spec.rules", SK_F_ARRAY, SK_F_OBJECT, NULL, NULL, "atomic", NULL},
        {"HorizontalPodAutoscaler", "spec.metrics", SK_F_ARRAY, SK_F_OBJECT, NULL, NULL, "atomic",
         NULL},
        {"PersistentVolumeClaim", "spec.resources.requests", SK_F_MAP, SK_F_QUANTITY, NULL, NULL,
         NULL, NULL},
};

static void test_fields(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof field_rows / sizeof field_rows[0]; i++) {
        const struct field_row *r = &field_rows[i];
        const struct sk_kind *k = sk_kind_by_name(r->kind);
        assert_non_null(k);
        const struct sk_field *f = sk_kind_field(k, r->path);
        if (!f) fprintf(stderr, "no field %s.%s\n", r->kind, r->path);
        if (f && ((r->list_type && (!f->list_type || strcmp(f->list_type, r->list_type))) ||
                  (r->merge_key && (!f->merge_key || strcmp(f->merge_key, r->merge_key)))))
            fprintf(stderr, "field row %zu: %s.%s\n", i, r->kind, r->path);
        assert_non_null(f);
        assert_int_equal(f->type, r->type);
        if (r->elem) assert_int_equal(f->elem, r->elem);
#define STR_OR_NULL(got, want)                                                                     \
    do {                                                                                           \
        if (want)                                                                                  \
            assert_string_equal((got), (want));                                                    \
        else                                                                                       \
            assert_null(got);                                                                      \
    } while (0)
        STR_OR_NULL(f->merge_key, r->merge_key);
        STR_OR_NULL(f->patch_strategy, r->strategy);
        STR_OR_NULL(f->list_type, r->list_type);
        char keys[64] = "";
        for (const char *const *mk = f->list_map_keys; mk && *mk; mk++) {
            if (*keys) strcat(keys, " ");
            strcat(keys, *mk);
        }
        if (r->map_keys)
            assert_string_equal(keys, r->map_keys);
        else
            assert_string_equal(keys, "");
    }
    const struct sk_kind *pod = sk_kind_by_name("po");
    /* Index segments are ignored, as the patch code writes paths. */
    assert_ptr_equal(sk_kind_field(pod, "spec.containers[0].ports"),
                     sk_kind_field(pod, "spec.containers.ports"));
    assert_null(sk_kind_field(pod, "spec.nosuch"));
    assert_null(sk_kind_field(pod, "spec.containers.name.more"));
    /* Shared sub-trees: a Deployment's pod spec is the Pod's. */
    const struct sk_field *a = sk_kind_field(pod, "spec");
    const struct sk_field *b = sk_kind_field(sk_kind_by_name("deploy"), "spec.template.spec");
    assert_ptr_equal(a->fields, b->fields);
    assert_string_equal(a->ref, "io.k8s.api.core.v1.PodSpec");
    assert_ptr_equal(sk_field_at(a->fields, "containers"), sk_kind_field(pod, "spec.containers"));
    assert_true(sk_kind_field(pod, "spec.containers.name")->flags & SK_FF_REQUIRED);
    assert_true(sk_kind_field(pod, "spec.containers")->flags & SK_FF_REQUIRED);
    assert_true(sk_kind_field(pod, "metadata.uid")->flags & SK_FF_READONLY);
    assert_string_equal(sk_kind_field(pod, "spec.containers.ports.protocol")->go_type,
                        "v1.Protocol");
}

/* Every field in every kind has a type and a description; objects say
 * which OpenAPI definition they are. */
static size_t walk_fields(const struct sk_field *fields, int depth)
{
    size_t n = 0;
    if (!fields || depth > 40) return 0;
    for (const struct sk_field *f = fields; f->name; f++) {
        n++;
        if (!f->description || !*f->description) fprintf(stderr, "no description: %s\n", f->name);
        assert_non_null(f->description);
        assert_true(strlen(f->description) > 3);
        assert_true(f->type >= SK_F_STRING && f->type <= SK_F_ANY);
        bool obj = f->type == SK_F_OBJECT ||
                   ((f->type == SK_F_ARRAY || f->type == SK_F_MAP) && f->elem == SK_F_OBJECT);
        if (obj) assert_non_null(f->ref);
        if (f->fields) assert_true(obj);
        if (f->merge_key) assert_true(f->type == SK_F_ARRAY && f->elem == SK_F_OBJECT);
        /* The depth guard only protects against a cycle creeping into
         * the tables; the deepest real path is far shallower. */
        n += walk_fields(f->fields, depth + 1);
    }
    return n;
}

static void test_field_descriptions(void **state)
{
    (void)state;
    size_t total = 0;
    for (size_t i = 0; sk_kinds[i]; i++)
        total += walk_fields(sk_kinds[i]->fields, 0);
    assert_true(total > 2000);
}

/* ---- defaulting ---- */

static const char *const minimal[] = {
        "{apiVersion: v1, kind: Pod, metadata: {name: p, namespace: default}, spec: {containers: "
        "[{name: c, image: nginx}]}}",
        "{apiVersion: v1, kind: Service, metadata: {name: s, namespace: default}, spec: {selector: "
        "{app: web}, ports: [{port: 80}]}}",
        "{apiVersion: v1, kind: Endpoints, metadata: {name: s, namespace: default}, subsets: "
        "[{addresses: [{ip: 10.0.0.1}], ports: [{port: 80}]}]}",
        "{apiVersion: v1, kind: ConfigMap, metadata: {name: cm, namespace: default}, data: "
        "{a.conf: "
        "x}}",
        "{apiVersion: v1, kind: Secret, metadata: {name: s, namespace: default}, data: {k: "
        "dmFsdWU=}}",
        "{apiVersion: v1, kind: Namespace, metadata: {name: team-a}}",
        "{apiVersion: v1, kind: Node, metadata: {name: node-1}}",
        "{apiVersion: v1, kind: Event, metadata: {name: e.1, namespace: default}, involvedObject: "
        "{kind: Pod, name: p, namespace: default}, reason: Started, message: hi, type: Normal}",
        "{apiVersion: v1, kind: ServiceAccount, metadata: {name: sa, namespace: default}}",
        "{apiVersion: v1, kind: PersistentVolume, metadata: {name: pv1}, spec: {capacity: "
        "{storage: "
        "1Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /data}}}",
        "{apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: c, namespace: default}, "
        "spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}",
        "{apiVersion: v1, kind: ReplicationController, metadata: {name: rc, namespace: default}, "
        "spec: {selector: {app: a}, template: {metadata: {labels: {app: a}}, spec: {containers: "
        "[{name: c, image: nginx}]}}}}",
        "{apiVersion: apps/v1, kind: Deployment, metadata: {name: d, namespace: default}, spec: "
        "{selector: {matchLabels: {app: a}}, template: {metadata: {labels: {app: a}}, spec: "
        "{containers: [{name: c, image: nginx}]}}}}",
        "{apiVersion: apps/v1, kind: ReplicaSet, metadata: {name: d, namespace: default}, spec: "
        "{selector: {matchLabels: {app: a}}, template: {metadata: {labels: {app: a}}, spec: "
        "{containers: [{name: c, image: nginx}]}}}}",
        "{apiVersion: apps/v1, kind: DaemonSet, metadata: {name: d, namespace: default}, spec: "
        "{selector: {matchLabels: {app: a}}, template: {metadata: {labels: {app: a}}, spec: "
        "{containers: [{name: c, image: nginx}]}}}}",
        "{apiVersion: apps/v1, kind: StatefulSet, metadata: {name: d, namespace: default}, spec: "
        "{serviceName: d, selector: {matchLabels: {app: a}}, template: {metadata: {labels: {app: "
        "a}}, spec: {containers: [{name: c, image: nginx}]}}}}",
        "{apiVersion: apps/v1, kind: ControllerRevision, metadata: {name: d-1, namespace: "
        "default}, "
        "revision: 1, data: {spec: {x: 1}}}",
        "{apiVersion: batch/v1, kind: Job, metadata: {name: j, namespace: default}, spec: "
        "{template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}}}",
        "{apiVersion: batch/v1, kind: CronJob, metadata: {name: cj, namespace: default}, spec: "
        "{schedule: '*/5 * * * *', jobTemplate: {spec: {template: {spec: {restartPolicy: "
        "OnFailure, containers: [{name: c, image: busybox}]}}}}}}",
        "{apiVersion: networking.k8s.io/v1, kind: Ingress, metadata: {name: i, namespace: "
        "default}, "
        "spec: {rules: [{host: example.com, http: {paths: [{path: /, pathType: Prefix, backend: "
        "{service: {name: web, port: {number: 80}}}}]}}]}}",
        "{apiVersion: networking.k8s.io/v1, kind: IngressClass, metadata: {name: nginx}, spec: "
        "{controller: example.com/ingress}}",
        "{apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, metadata: {name: h, "
        "namespace: "
        "default}, spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, "
        "maxReplicas: 5, metrics: [{type: Resource, resource: {name: cpu, target: {type: "
        "Utilization, averageUtilization: 80}}}]}}",
        "{apiVersion: storage.k8s.io/v1, kind: StorageClass, metadata: {name: local}, provisioner: "
        "rancher.io/local-path}",
        "{apiVersion: coordination.k8s.io/v1, kind: Lease, metadata: {name: l, namespace: "
        "kube-system}, spec: {holderIdentity: n1, leaseDurationSeconds: 40}}",
        "{apiVersion: discovery.k8s.io/v1, kind: EndpointSlice, metadata: {name: s-abc, namespace: "
        "default}, addressType: IPv4, endpoints: [{addresses: [10.0.0.1]}], ports: [{port: 80}]}",
};

/* Each kind's minimal manifest is well-typed, known, defaults
 * idempotently, validates clean and updates onto itself clean. */
static void test_minimal_objects(void **state)
{
    (void)state;
    assert_int_equal(sizeof minimal / sizeof minimal[0], NKINDS);
    for (size_t i = 0; i < NKINDS; i++) {
        struct sk_val *obj = yaml(minimal[i]);
        const struct sk_kind *k = kind_of(obj);
        struct sk_causes c = {0};
        assert_true(sk_schema_check_types(k, obj, &c));
        char *unknown[4];
        assert_int_equal(sk_schema_unknown_fields(k, obj, unknown, 4), 0);
        sk_kind_default(k, obj);
        sk_kind_prepare_create(k, obj);
        struct sk_val *again = sk_val_dup(obj);
        sk_kind_default(k, again);
        if (!sk_val_equal(obj, again)) fprintf(stderr, "%s: defaulting not idempotent\n", k->kind);
        assert_true(sk_val_equal(obj, again));
        sk_val_free(again);
        /* Defaults are well-typed and known too. */
        assert_true(sk_schema_check_types(k, obj, &c));
        assert_int_equal(sk_schema_unknown_fields(k, obj, unknown, 4), 0);
        if (!sk_kind_validate(k, obj, NULL, &c)) {
            fprintf(stderr, "%s:\n", k->kind);
            dump_causes(&c);
        }
        assert_int_equal(c.n, 0);
        /* An update that changes nothing but carries the resourceVersion. */
        struct sk_val *upd = sk_val_dup(obj);
        sk_val_set_at(upd, sk_val_str("7"), "metadata", "resourceVersion", NULL);
        sk_val_set_at(obj, sk_val_str("7"), "metadata", "resourceVersion", NULL);
        sk_kind_prepare_update(k, upd, obj);
        if (!sk_kind_validate(k, upd, obj, &c)) {
            fprintf(stderr, "%s update:\n", k->kind);
            dump_causes(&c);
        }
        assert_int_equal(c.n, 0);
        if (k->has_status) {
            assert_true(sk_kind_validate_status(k, upd, obj, &c));
            if (c.n) dump_causes(&c);
        }
        sk_val_free(upd);
        sk_val_free(obj);
    }
}

struct default_row {
    const char *obj;
    const char *path; /* sk_val_path syntax */
    const char *want; /* YAML of the value; NULL: must stay absent */
};

#define POD_WITH(extra)                                                                            \
    "{apiVersion: v1, kind: Pod, metadata: {name: p, namespace: default}, spec: {" extra "}}"
#define POD1            POD_WITH("containers: [{name: c, image: nginx}]")
#define CTR_WITH(extra) POD_WITH("containers: [{name: c, " extra "}]")
#define TPL                                                                                        \
    "template: {metadata: {labels: {app: a}}, spec: {containers: [{name: c, image: nginx}]}}"
#define APPS(kind, extra)                                                                          \
    "{apiVersion: apps/v1, kind: " kind ", metadata: {name: d, namespace: default}, spec: {"       \
    "selector: {matchLabels: {app: a}}, " TPL extra "}}"
#define JOB(extra)                                                                                 \
    "{apiVersion: batch/v1, kind: Job, metadata: {name: j, namespace: default}, spec: {"           \
    "template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}" extra "}}"
#define SVC(spec)                                                                                  \
    "{apiVersion: v1, kind: Service, metadata: {name: s, namespace: default}, spec: {" spec "}}"

static const struct default_row default_rows[] = {
        /* Pod (SetDefaults_Pod / PodSpec / Container and the pod registry) */
        {POD1, "spec.restartPolicy", "Always"},
        {POD1, "spec.dnsPolicy", "ClusterFirst"},
        {POD1, "spec.terminationGracePeriodSeconds", "30"},
        {POD1, "spec.schedulerName", "default-scheduler"},
        {POD1, "spec.securityContext", "{}"},
        {POD1, "spec.enableServiceLinks", "true"},
        {POD1, "spec.preemptionPolicy", NULL},
        {POD1, "spec.priority", NULL},
        {POD1, "spec.hostNetwork", NULL},
        {POD1, "status.phase", "Pending"},
        {POD1, "status.qosClass", "BestEffort"},
        {POD1, "spec.containers[0].imagePullPolicy", "Always"},
        {POD1, "spec.containers[0].terminationMessagePath", "/dev/termination-log"},
        {POD1, "spec.containers[0].terminationMessagePolicy", "File"},
        {POD1, "spec.containers[0].resources", NULL},
        {CTR_WITH("image: nginx:latest"), "spec.containers[0].imagePullPolicy", "Always"},
        {CTR_WITH("image: nginx:1.25"), "spec.containers[0].imagePullPolicy", "IfNotPresent"},
        {CTR_WITH("image: 'registry:5000/nginx'"), "spec.containers[0].imagePullPolicy", "Always"},
        {CTR_WITH("image: 'registry:5000/nginx:1'"), "spec.containers[0].imagePullPolicy",
         "IfNotPresent"},
        {CTR_WITH("image: 'nginx@sha256:0123'"), "spec.containers[0].imagePullPolicy",
         "IfNotPresent"},
        {CTR_WITH("image: nginx, imagePullPolicy: Never"), "spec.containers[0].imagePullPolicy",
         "Never"},
        {POD_WITH("restartPolicy: Never, containers: [{name: c, image: x}]"), "spec.restartPolicy",
         "Never"},
        {CTR_WITH("image: x, ports: [{containerPort: 80}]"), "spec.containers[0].ports[0].protocol",
         "TCP"},
        {CTR_WITH("image: x, ports: [{containerPort: 80}]"), "spec.containers[0].ports[0].hostPort",
         NULL},
        {POD_WITH("hostNetwork: true, containers: [{name: c, image: x, ports: [{containerPort: "
                  "80}]}]"),
         "spec.containers[0].ports[0].hostPort", "80"},
        {CTR_WITH("image: x, livenessProbe: {httpGet: {port: 80}}"),
         "spec.containers[0].livenessProbe",
         "{httpGet: {port: 80, path: /, scheme: HTTP}, timeoutSeconds: 1, periodSeconds: 10, "
         "successThreshold: 1, failureThreshold: 3}"},
        {CTR_WITH("image: x, readinessProbe: {tcpSocket: {port: 80}, periodSeconds: 5}"),
         "spec.containers[0].readinessProbe",
         "{tcpSocket: {port: 80}, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, "
         "failureThreshold: 3}"},
        {CTR_WITH("image: x, startupProbe: {grpc: {port: 9000}}"),
         "spec.containers[0].startupProbe.grpc.service", "''"},
        {CTR_WITH("image: x, lifecycle: {preStop: {httpGet: {port: 8080}}}"),
         "spec.containers[0].lifecycle.preStop.httpGet", "{port: 8080, path: /, scheme: HTTP}"},
        {CTR_WITH("image: x, env: [{name: A, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]"),
         "spec.containers[0].env[0].valueFrom.fieldRef.apiVersion", "v1"},
        /* Requests default from limits (pod only), then QoS follows. */
        {CTR_WITH("image: x, resources: {limits: {cpu: 500m, memory: 1Gi}}"),
         "spec.containers[0].resources.requests", "{cpu: 500m, memory: 1Gi}"},
        {CTR_WITH("image: x, resources: {limits: {cpu: 500m, memory: 1Gi}}"), "status.qosClass",
         "Guaranteed"},
        {CTR_WITH("image: x, resources: {limits: {cpu: '1'}, requests: {cpu: 100m}}"),
         "status.qosClass", "Burstable"},
        {CTR_WITH("image: x, resources: {requests: {cpu: '0.5'}}"),
         "spec.containers[0].resources.requests.cpu", "500m"},
        {CTR_WITH("image: x, resources: {requests: {memory: 1.5Gi}}"),
         "spec.containers[0].resources.requests.memory", "1536Mi"},
        {CTR_WITH("image: x, resources: {requests: {cpu: 100m}}"),
         "spec.containers[0].resources.requests.cpu", "100m"},
        {POD_WITH("initContainers: [{name: i, image: busybox}], containers: [{name: c, image: x}]"),
         "spec.initContainers[0].terminationMessagePolicy", "File"},
        {POD_WITH("initContainers: [{name: i, image: busybox:1}], containers: [{name: c, image: "
                  "x}]"),
         "spec.initContainers[0].imagePullPolicy", "IfNotPresent"},
        /* Volumes */
        {POD_WITH("containers: [{name: c, image: x}], volumes: [{name: v}]"), "spec.volumes[0]",
         "{name: v, emptyDir: {}}"},
        {POD_WITH("containers: [{name: c, image: x}], volumes: [{name: v, hostPath: {path: /x}}]"),
         "spec.volumes[0].hostPath.type", "''"},
        {POD_WITH("containers: [{name: c, image: x}], volumes: [{name: v, configMap: {name: cm}}]"),
         "spec.volumes[0].configMap.defaultMode", "420"},
        {POD_WITH("containers: [{name: c, image: x}], volumes: [{name: v, secret: {secretName: "
                  "s}}]"),
         "spec.volumes[0].secret.defaultMode", "420"},
        {POD_WITH("containers: [{name: c, image: x}], volumes: [{name: v, secret: {secretName: s, "
                  "defaultMode: 256}}]"),
         "spec.volumes[0].secret.defaultMode", "256"},
        {POD_WITH("containers: [{name: c, image: x}], volumes: [{name: v, downwardAPI: {items: "
                  "[{path: n, fieldRef: {fieldPath: metadata.name}}]}}]"),
         "spec.volumes[0].downwardAPI",
         "{items: [{path: n, fieldRef: {fieldPath: metadata.name, apiVersion: v1}}], defaultMode: "
         "420}"},
        {POD_WITH(
                 "serviceAccountName: default, containers: [{name: c, image: x}], volumes: [{name: "
                 "v, projected: {sources: [{serviceAccountToken: {path: t}}]}}]"),
         "spec.volumes[0].projected",
         "{sources: [{serviceAccountToken: {path: t, expirationSeconds: 3600}}], defaultMode: "
         "420}"},
        {POD_WITH("containers: [{name: c, image: x}], volumes: [{name: v, persistentVolumeClaim: "
                  "{claimName: c}}]"),
         "spec.volumes[0]", "{name: v, persistentVolumeClaim: {claimName: c}}"},
        {POD_WITH("containers: [{name: c, image: x}], volumes: [{name: v, nfs: {server: s, path: "
                  "/}}]"),
         "spec.volumes[0]", "{name: v, nfs: {server: s, path: /}}"},
        {POD_WITH("containers: [{name: c, image: x}], volumes: [{name: v, iscsi: {targetPortal: t, "
                  "iqn: 'iqn.2001-04.com.example:x', lun: 0}}]"),
         "spec.volumes[0].iscsi.iscsiInterface", "default"},
        {POD_WITH("containers: [{name: c, image: x}], volumes: [{name: v, emptyDir: {sizeLimit: "
                  "'0.5Gi'}}]"),
         "spec.volumes[0].emptyDir.sizeLimit", "512Mi"},
        /* Service */
        {SVC("ports: [{port: 80}]"), "spec.type", "ClusterIP"},
        {SVC("ports: [{port: 80}]"), "spec.sessionAffinity", "None"},
        {SVC("ports: [{port: 80}]"), "spec.internalTrafficPolicy", "Cluster"},
        {SVC("ports: [{port: 80}]"), "spec.ports[0]", "{port: 80, protocol: TCP, targetPort: 80}"},
        {SVC("ports: [{port: 80, targetPort: http}]"), "spec.ports[0].targetPort", "http"},
        {SVC("ports: [{port: 80}]"), "spec.externalTrafficPolicy", NULL},
        {SVC("ports: [{port: 80}]"), "status", "{loadBalancer: {}}"},
        {SVC("type: NodePort, ports: [{port: 80}]"), "spec.externalTrafficPolicy", "Cluster"},
        {SVC("type: LoadBalancer, ports: [{port: 80}]"), "spec.allocateLoadBalancerNodePorts",
         "true"},
        {SVC("type: ExternalName, externalName: example.com"), "spec.internalTrafficPolicy", NULL},
        {SVC("sessionAffinity: ClientIP, ports: [{port: 80}]"), "spec.sessionAffinityConfig",
         "{clientIP: {timeoutSeconds: 10800}}"},
        /* Other core kinds */
        {"{apiVersion: v1, kind: Secret, metadata: {name: s, namespace: default}}", "type",
         "Opaque"},
        {"{apiVersion: v1, kind: Secret, metadata: {name: s, namespace: default}, type: "
         "kubernetes.io/tls, data: {tls.crt: '', tls.key: ''}}",
         "type", "kubernetes.io/tls"},
        {"{apiVersion: v1, kind: Secret, metadata: {name: s, namespace: default}, stringData: {u: "
         "admin}}",
         "data.u", "YWRtaW4="},
        {"{apiVersion: v1, kind: Secret, metadata: {name: s, namespace: default}, stringData: {u: "
         "admin}}",
         "stringData", NULL},
        {"{apiVersion: v1, kind: Namespace, metadata: {name: team-a}}", "status.phase", "Active"},
        {"{apiVersion: v1, kind: Namespace, metadata: {name: team-a}}",
         "metadata.labels['kubernetes.io/metadata.name']", "team-a"},
        {"{apiVersion: v1, kind: Namespace, metadata: {name: team-a}}", "spec.finalizers",
         "[kubernetes]"},
        {"{apiVersion: v1, kind: Namespace, metadata: {name: team-a}, spec: {finalizers: "
         "[example.com/x]}}",
         "spec.finalizers", "[example.com/x, kubernetes]"},
        {"{apiVersion: v1, kind: Node, metadata: {name: n1}, status: {capacity: {cpu: '4'}}}",
         "status.allocatable", "{cpu: '4'}"},
        {"{apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: c, namespace: default}, "
         "spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}",
         "spec.volumeMode", "Filesystem"},
        {"{apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: c, namespace: default}, "
         "spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}",
         "status.phase", "Pending"},
        {"{apiVersion: v1, kind: PersistentVolume, metadata: {name: v}, spec: {capacity: {storage: "
         "1Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /d}}}",
         "spec",
         "{capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /d, type: "
         "''}, persistentVolumeReclaimPolicy: Retain, volumeMode: Filesystem}"},
        {"{apiVersion: v1, kind: PersistentVolume, metadata: {name: v}, spec: {capacity: {storage: "
         "1Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /d}}}",
         "status.phase", "Pending"},
        {"{apiVersion: v1, kind: Endpoints, metadata: {name: s, namespace: default}, subsets: "
         "[{addresses: [{ip: 10.0.0.1}], ports: [{port: 80}]}]}",
         "subsets[0].ports[0].protocol", "TCP"},
        /* ReplicationController: replicas, and labels from the template. */
        {"{apiVersion: v1, kind: ReplicationController, metadata: {name: r, namespace: default}, "
         "spec: {" TPL "}}",
         "spec.replicas", "1"},
        {"{apiVersion: v1, kind: ReplicationController, metadata: {name: r, namespace: default}, "
         "spec: {" TPL "}}",
         "spec.selector", "{app: a}"},
        {"{apiVersion: v1, kind: ReplicationController, metadata: {name: r, namespace: default}, "
         "spec: {" TPL "}}",
         "status", "{replicas: 0}"},
        {"{apiVersion: v1, kind: ReplicationController, metadata: {name: r, namespace: default}, "
         "spec: {" TPL "}}",
         "metadata.labels", "{app: a}"},
        /* Deployment */
        {APPS("Deployment", ""), "spec.replicas", "1"},
        {APPS("Deployment", ", replicas: 0"), "spec.replicas", "0"},
        {APPS("Deployment", ""), "spec.strategy",
         "{type: RollingUpdate, rollingUpdate: {maxUnavailable: 25%, maxSurge: 25%}}"},
        {APPS("Deployment", ", strategy: {type: Recreate}"), "spec.strategy", "{type: Recreate}"},
        {APPS("Deployment", ", strategy: {rollingUpdate: {maxSurge: 1}}"), "spec.strategy",
         "{rollingUpdate: {maxSurge: 1, maxUnavailable: 25%}, type: RollingUpdate}"},
        {APPS("Deployment", ""), "spec.revisionHistoryLimit", "10"},
        {APPS("Deployment", ""), "spec.progressDeadlineSeconds", "600"},
        {APPS("Deployment", ""), "spec.template.spec.restartPolicy", "Always"},
        {APPS("Deployment", ""), "spec.template.spec.containers[0].imagePullPolicy", "Always"},
        {APPS("Deployment", ""), "spec.template.spec.enableServiceLinks", NULL},
        {APPS("Deployment", ""), "status", "{}"},
        {APPS("Deployment", ", replicas: 2}, status: {replicas: 5, readyReplicas: 5"), "status",
         "{}"},
        /* ReplicaSet, DaemonSet, StatefulSet */
        {APPS("ReplicaSet", ""), "spec.replicas", "1"},
        {APPS("ReplicaSet", ""), "status", "{replicas: 0}"},
        {APPS("DaemonSet", ""), "status",
         "{currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, "
         "numberReady: 0}"},
        {APPS("StatefulSet", ""), "status", "{replicas: 0, availableReplicas: 0}"},
        {APPS("DaemonSet", ""), "spec.updateStrategy",
         "{type: RollingUpdate, rollingUpdate: {maxUnavailable: 1, maxSurge: 0}}"},
        {APPS("DaemonSet", ", updateStrategy: {type: OnDelete}"), "spec.updateStrategy",
         "{type: OnDelete}"},
        {APPS("DaemonSet", ""), "spec.revisionHistoryLimit", "10"},
        {APPS("DaemonSet", ""), "metadata.annotations['deprecated.daemonset.template.generation']",
         "'1'"},
        {APPS("StatefulSet", ""), "spec.replicas", "1"},
        {APPS("StatefulSet", ""), "spec.podManagementPolicy", "OrderedReady"},
        {APPS("StatefulSet", ""), "spec.updateStrategy",
         "{type: RollingUpdate, rollingUpdate: {partition: 0}}"},
        {APPS("StatefulSet", ""), "spec.revisionHistoryLimit", "10"},
        {APPS("StatefulSet", ""), "spec.persistentVolumeClaimRetentionPolicy",
         "{whenDeleted: Retain, whenScaled: Retain}"},
        {APPS("StatefulSet",
              ", volumeClaimTemplates: [{metadata: {name: data}, spec: {accessModes: "
              "[ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}]"),
         "spec.volumeClaimTemplates[0].spec.volumeMode", "Filesystem"},
        {APPS("StatefulSet",
              ", volumeClaimTemplates: [{metadata: {name: data}, spec: {accessModes: "
              "[ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}]"),
         "spec.volumeClaimTemplates[0].status.phase", "Pending"},
        /* Job */
        {JOB(""), "spec.completions", "1"},
        {JOB(""), "spec.parallelism", "1"},
        {JOB(", parallelism: 3"), "spec.completions", NULL},
        {JOB(", completions: 5"), "spec.parallelism", "1"},
        {JOB(""), "spec.backoffLimit", "6"},
        {JOB(""), "spec.completionMode", "NonIndexed"},
        {JOB(", completionMode: Indexed, completions: 3"), "spec.backoffLimitPerIndex", NULL},
        {JOB(""), "spec.suspend", "false"},
        {JOB(""), "spec.manualSelector", "false"},
        {JOB(""), "spec.podReplacementPolicy", "TerminatingOrFailed"},
        {JOB(""), "spec.template.spec.restartPolicy", "Never"},
        {JOB(", podFailurePolicy: {rules: [{action: FailJob, onExitCodes: {operator: In, values: "
             "[42]}}]}"),
         "spec.podReplacementPolicy", "Failed"},
        {JOB(", podFailurePolicy: {rules: [{action: Ignore, onPodConditions: [{type: "
             "DisruptionTarget}]}]}"),
         "spec.podFailurePolicy.rules[0].onPodConditions[0].status", "'True'"},
        {JOB(""), "status", "{}"},
        /* CronJob */
        {"{apiVersion: batch/v1, kind: CronJob, metadata: {name: c, namespace: default}, spec: "
         "{schedule: '@hourly', jobTemplate: {spec: {template: {spec: {restartPolicy: Never, "
         "containers: [{name: c, image: x}]}}}}}}",
         "spec",
         "{schedule: '@hourly', jobTemplate: {spec: {template: {spec: {restartPolicy: Never, "
         "containers: [{name: c, image: x, imagePullPolicy: Always, terminationMessagePath: "
         "/dev/termination-log, terminationMessagePolicy: File}], dnsPolicy: ClusterFirst, "
         "securityContext: {}, terminationGracePeriodSeconds: 30, schedulerName: "
         "default-scheduler}}}}, concurrencyPolicy: Allow, suspend: false, "
         "successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1}"},
        {"{apiVersion: batch/v1, kind: CronJob, metadata: {name: c, namespace: default}, spec: "
         "{schedule: '@hourly', jobTemplate: {spec: {template: {spec: {restartPolicy: Never, "
         "containers: [{name: c, image: x}]}}}}}, status: {active: []}}",
         "status", "{}"},
        /* networking, autoscaling, storage, discovery */
        {"{apiVersion: networking.k8s.io/v1, kind: Ingress, metadata: {name: i, namespace: "
         "default}, "
         "spec: {defaultBackend: {service: {name: s, port: {number: 80}}}}}",
         "status", "{loadBalancer: {}}"},
        {"{apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, metadata: {name: h, "
         "namespace: "
         "default}, spec: {scaleTargetRef: {kind: Deployment, name: web}, maxReplicas: 3}}",
         "spec.minReplicas", "1"},
        {"{apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, metadata: {name: h, "
         "namespace: "
         "default}, spec: {scaleTargetRef: {kind: Deployment, name: web}, maxReplicas: 3}}",
         "status", "{desiredReplicas: 0, currentMetrics: null}"},
        {"{apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, metadata: {name: h, "
         "namespace: "
         "default}, spec: {scaleTargetRef: {kind: Deployment, name: web}, maxReplicas: 3}}",
         "spec.metrics",
         "[{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: "
         "80}}}]"},
        {"{apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, metadata: {name: h, "
         "namespace: "
         "default}, spec: {scaleTargetRef: {kind: Deployment, name: web}, maxReplicas: 3, "
         "behavior: "
         "{scaleUp: {}}}}",
         "spec.behavior",
         "{scaleUp: {stabilizationWindowSeconds: 0, selectPolicy: Max, policies: [{type: Pods, "
         "value: 4, periodSeconds: 15}, {type: Percent, value: 100, periodSeconds: 15}]}, "
         "scaleDown: {selectPolicy: Max, policies: [{type: Percent, value: 100, periodSeconds: "
         "15}]}}"},
        {"{apiVersion: storage.k8s.io/v1, kind: StorageClass, metadata: {name: s}, provisioner: p}",
         "reclaimPolicy", "Delete"},
        {"{apiVersion: storage.k8s.io/v1, kind: StorageClass, metadata: {name: s}, provisioner: p}",
         "volumeBindingMode", "Immediate"},
        {"{apiVersion: discovery.k8s.io/v1, kind: EndpointSlice, metadata: {name: s, namespace: "
         "default}, addressType: IPv4, endpoints: [], ports: [{port: 80}]}",
         "ports[0]", "{port: 80, protocol: TCP, name: ''}"},
};

static void test_defaults(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t i = 0; i < sizeof default_rows / sizeof default_rows[0]; i++) {
        const struct default_row *r = &default_rows[i];
        struct sk_val *obj = created(r->obj);
        struct sk_val *got = sk_val_path(obj, r->path);
        struct sk_val *want = r->want ? yaml(r->want) : NULL;
        bool ok = want ? got && sk_val_equal(got, want) : !got;
        if (!ok) {
            char *g = got ? sk_yaml_dump(got, NULL) : strdup("<absent>\n");
            fprintf(stderr, "default row %zu (%s): got %s", i, r->path, g);
            free(g);
            bad++;
        }
        sk_val_free(want);
        sk_val_free(obj);
    }
    assert_int_equal(bad, 0);
}

/* Defaulting leaves what the user set, and survives wrong types. */
static void test_defaults_robust(void **state)
{
    (void)state;
    static const char *const odd[] = {
            "{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: []}",
            "{apiVersion: v1, kind: Pod, metadata: [], spec: {containers: 3, volumes: {a: 1}}}",
            "{apiVersion: v1, kind: Pod, spec: {containers: [1, null, {ports: 5, resources: "
            "{limits: "
            "[]}}]}}",
            "{apiVersion: apps/v1, kind: Deployment, spec: {strategy: 1, template: []}}",
            "{apiVersion: apps/v1, kind: Deployment, spec: {strategy: {rollingUpdate: 3}}}",
            "{apiVersion: batch/v1, kind: Job, spec: {template: {spec: {containers: [{}]}}}}",
            "{apiVersion: batch/v1, kind: CronJob, spec: {jobTemplate: 7}}",
            "{apiVersion: v1, kind: Service, spec: {ports: [null, 3, {port: '80'}]}}",
            "{apiVersion: v1, kind: Secret, stringData: {a: 1}, data: 3}",
            "{apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, spec: {behavior: "
            "{scaleUp: "
            "[]}}}",
            "{apiVersion: v1, kind: Namespace}",
            "{apiVersion: v1, kind: Node, status: {capacity: 1}}",
    };
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        struct sk_val *obj = yaml(odd[i]);
        const struct sk_kind *k = kind_of(obj);
        sk_kind_default(k, obj);
        sk_kind_prepare_create(k, obj);
        struct sk_causes c = {0};
        sk_kind_validate(k, obj, NULL, &c);
        assert_true(c.n > 0);
        sk_causes_free(&c);
        sk_val_free(obj);
    }
    /* Values the user set stay. */
    struct sk_val *d = created(APPS("Deployment", ", replicas: 3, revisionHistoryLimit: 2, "
                                                  "progressDeadlineSeconds: 60"));
    assert_int_equal(sk_val_path(d, "spec.replicas")->u.i, 3);
    assert_int_equal(sk_val_path(d, "spec.revisionHistoryLimit")->u.i, 2);
    assert_int_equal(sk_val_path(d, "spec.progressDeadlineSeconds")->u.i, 60);
    sk_val_free(d);
}

/* A Job's selector and template labels come from its uid when the user
 * does not choose them (manualSelector). */
static void test_job_selector(void **state)
{
    (void)state;
    struct sk_val *job = yaml(JOB(""));
    const struct sk_kind *k = kind_of(job);
    sk_val_set_at(job, sk_val_str("1f2e"), "metadata", "uid", NULL);
    sk_kind_default(k, job);
    sk_kind_prepare_create(k, job);
    struct sk_val *want = yaml("{batch.kubernetes.io/controller-uid: 1f2e}");
    assert_true(sk_val_equal(sk_val_path(job, "spec.selector.matchLabels"), want));
    sk_val_free(want);
    want = yaml("{controller-uid: 1f2e, batch.kubernetes.io/controller-uid: 1f2e, job-name: j, "
                "batch.kubernetes.io/job-name: j}");
    assert_true(sk_val_equal(sk_val_path(job, "spec.template.metadata.labels"), want));
    sk_val_free(want);
    struct sk_causes c = {0};
    assert_true(sk_kind_validate(k, job, NULL, &c));
    sk_val_free(job);

    /* manualSelector: the user's selector must match the template. */
    struct sk_causes out = {0};
    run_validation(JOB(", manualSelector: true, selector: {matchLabels: {app: b}}"), NULL, &out);
    assert_true(has_cause(&out, "spec.template.metadata.labels", "FieldValueInvalid",
                          "Invalid value: map[string]string(nil): `selector` does not match "
                          "template `labels`"));
    sk_causes_free(&out);
    /* A selector without manualSelector is refused once the uid is known. */
    job = yaml(JOB(", selector: {matchLabels: {app: b}}"));
    sk_val_set_at(job, sk_val_str("u9"), "metadata", "uid", NULL);
    sk_kind_default(k, job);
    sk_kind_prepare_create(k, job);
    assert_false(sk_kind_validate(k, job, NULL, &out));
    sk_causes_free(&out);
    sk_val_free(job);
}

/* ---- validation ---- */

struct invalid_row {
    const char *obj, *old; /* old: NULL for a create */
    const char *field, *reason, *message;
};

#define DNS1123_SUB                                                                                \
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "      \
    "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "          \
    "regex used for validation is "                                                                \
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define DNS1123_LABEL                                                                              \
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "       \
    "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "       \
    "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
#define DNS1035                                                                                    \
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "      \
    "an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "        \
    "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
#define PORT_RANGE "must be between 1 and 65535, inclusive"
#define CM(meta, rest)                                                                             \
    "{apiVersion: v1, kind: ConfigMap, metadata: {namespace: default, " meta "}" rest "}"
#define OLD_META "name: d, namespace: default, uid: u1, resourceVersion: '5'"
#define DEPLOY_AT(meta, spec)                                                                      \
    "{apiVersion: apps/v1, kind: Deployment, metadata: {" meta "}, spec: {" spec "}}"
#define DSPEC(lbl)                                                                                 \
    "selector: {matchLabels: {app: " lbl "}}, template: {metadata: {labels: {app: " lbl            \
    "}}, spec: {containers: [{name: c, image: nginx}]}}"

static const struct invalid_row invalid_rows[] = {
        /* ObjectMeta */
        {"{apiVersion: v1, kind: Pod, metadata: {name: Web, namespace: default}, spec: "
         "{containers: "
         "[{name: c, image: x}]}}",
         NULL, "metadata.name", "FieldValueInvalid", "Invalid value: \"Web\": " DNS1123_SUB},
        {CM("", ""), NULL, "metadata.name", "FieldValueRequired",
         "Required value: name or generateName is required"},
        {"{apiVersion: v1, kind: ConfigMap, metadata: {name: c}}", NULL, "metadata.namespace",
         "FieldValueRequired", "Required value"},
        {"{apiVersion: v1, kind: Node, metadata: {name: n1, namespace: default}}", NULL,
         "metadata.namespace", "FieldValueForbidden", "Forbidden: not allowed on this type"},
        {CM("name: c, generateName: Bad-", ""), NULL, "metadata.generateName", "FieldValueInvalid",
         "Invalid value: \"Bad-\": " DNS1123_SUB},
        {"{apiVersion: v1, kind: ConfigMap, metadata: {name: c, namespace: Default}}", NULL,
         "metadata.namespace", "FieldValueInvalid", "Invalid value: \"Default\": " DNS1123_LABEL},
        {"{apiVersion: v1, kind: Namespace, metadata: {name: a.b}}", NULL, "metadata.name",
         "FieldValueInvalid", "Invalid value: \"a.b\": must not contain dots"},
        {"{apiVersion: v1, kind: Namespace, metadata: {name: Team}}", NULL, "metadata.name",
         "FieldValueInvalid", "Invalid value: \"Team\": " DNS1123_LABEL},
        {"{apiVersion: v1, kind: Service, metadata: {name: 1web, namespace: default}, spec: "
         "{ports: "
         "[{port: 80}]}}",
         NULL, "metadata.name", "FieldValueInvalid", "Invalid value: \"1web\": " DNS1035},
        {"{apiVersion: apps/v1, kind: StatefulSet, metadata: {name: a.b, namespace: default}, "
         "spec: "
         "{serviceName: s, " DSPEC("a") "}}",
         NULL, "metadata.name", "FieldValueInvalid",
         "Invalid value: \"a.b\": must not contain dots"},
        {"{apiVersion: apps/v1, kind: StatefulSet, metadata: {name: Web, namespace: default}, "
         "spec: "
         "{serviceName: s, " DSPEC("a") "}}",
         NULL, "metadata.name", "FieldValueInvalid", "Invalid value: \"Web\": " DNS1123_LABEL},
        {CM("name: c, labels: {'-bad': x}", ""), NULL, "metadata.labels", "FieldValueInvalid",
         "Invalid value: \"-bad\": name part must consist of alphanumeric characters, '-', '_' or "
         "'.', and must start and end with an alphanumeric character (e.g. 'MyName',  or "
         "'my.name',  or '123-abc', regex used for validation is "
         "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"},
        {CM("name: c, labels: {ok: '-bad-'}", ""), NULL, "metadata.labels", "FieldValueInvalid",
         "Invalid value: \"-bad-\": a valid label must be an empty string or consist of "
         "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
         "character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
         "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"},
        {CM("name: c, labels: {'Example.com/x': a}", ""), NULL, "metadata.labels",
         "FieldValueInvalid", "Invalid value: \"Example.com/x\": prefix part " DNS1123_SUB},
        {CM("name: c, labels: {'x': "
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}",
            ""),
         NULL, "metadata.labels", "FieldValueInvalid",
         "^Invalid value: "
         "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\": must be "
         "no "
         "more than 63 "},
        {CM("name: c, annotations: {'Bad Key': x}", ""), NULL, "metadata.annotations",
         "FieldValueInvalid",
         "Invalid value: \"Bad Key\": name part must consist of alphanumeric characters, '-', '_' "
         "or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or "
         "'my.name',  or '123-abc', regex used for validation is "
         "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"},
        {CM("name: c, finalizers: [foo]", ""), NULL, "metadata.finalizers[0]", "FieldValueInvalid",
         "Invalid value: \"foo\": name is neither a standard finalizer name nor is it fully "
         "qualified"},
        {CM("name: c, finalizers: [orphan, foregroundDeletion]", ""), NULL, "metadata.finalizers",
         "FieldValueInvalid",
         "Invalid value: []string{\"orphan\", \"foregroundDeletion\"}: finalizer orphan and "
         "foregroundDeletion cannot be both set"},
        {CM("name: c, ownerReferences: [{apiVersion: v1, kind: Pod, name: p}]", ""), NULL,
         "metadata.ownerReferences.uid", "FieldValueInvalid",
         "Invalid value: \"\": uid must not be "
         "empty"},
        {CM("name: c, ownerReferences: [{apiVersion: v1, kind: Pod, name: a, uid: '1', controller: "
            "true}, {apiVersion: v1, kind: Pod, name: b, uid: '2', controller: true}]",
            ""),
         NULL, "metadata.ownerReferences", "FieldValueInvalid",
         "$: Only one reference can have Controller set to true. Found \"true\" in references for "
         "Pod/a and Pod/b"},
        /* Pod and containers */
        {POD_WITH("containers: []"), NULL, "spec.containers", "FieldValueRequired",
         "Required value"},
        {POD_WITH("containers: [{name: c}]"), NULL, "spec.containers[0].image",
         "FieldValueRequired", "Required value"},
        {POD_WITH("containers: [{image: x}]"), NULL, "spec.containers[0].name",
         "FieldValueRequired", "Required value"},
        {POD_WITH("containers: [{name: C_1, image: x}]"), NULL, "spec.containers[0].name",
         "FieldValueInvalid", "Invalid value: \"C_1\": " DNS1123_LABEL},
        {POD_WITH("containers: [{name: c, image: x}, {name: c, image: y}]"), NULL,
         "spec.containers[1].name", "FieldValueDuplicate", "Duplicate value: \"c\""},
        {POD_WITH("initContainers: [{name: c, image: x}], containers: [{name: c, image: web}]"),
         NULL, "spec.initContainers[0].name", "FieldValueDuplicate", "Duplicate value: \"c\""},
        {POD_WITH("restartPolicy: Sometimes, containers: [{name: c, image: x}]"), NULL,
         "spec.restartPolicy", "FieldValueNotSupported",
         "Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", "
         "\"Never\""},
        {POD_WITH("dnsPolicy: Foo, containers: [{name: c, image: x}]"), NULL, "spec.dnsPolicy",
         "FieldValueNotSupported",
         "Unsupported value: \"Foo\": supported values: \"ClusterFirstWithHostNet\", "
         "\"ClusterFirst\", \"Default\", \"None\""},
        {CTR_WITH("image: x, imagePullPolicy: Sometimes"), NULL,
         "spec.containers[0].imagePullPolicy", "FieldValueNotSupported",
         "Unsupported value: \"Sometimes\": supported values: \"Always\", \"IfNotPresent\", "
         "\"Never\""},
        {CTR_WITH("image: x, ports: [{containerPort: 70000}]"), NULL,
         "spec.containers[0].ports[0].containerPort", "FieldValueInvalid",
         "Invalid value: 70000: " PORT_RANGE},
        {CTR_WITH("image: x, ports: [{containerPort: 0}]"), NULL,
         "spec.containers[0].ports[0].containerPort", "FieldValueRequired", "Required value"},
        {CTR_WITH("image: x, ports: [{containerPort: 80, hostPort: -1}]"), NULL,
         "spec.containers[0].ports[0].hostPort", "FieldValueInvalid",
         "Invalid value: -1: " PORT_RANGE},
        {CTR_WITH("image: x, ports: [{containerPort: 80, protocol: tcp}]"), NULL,
         "spec.containers[0].ports[0].protocol", "FieldValueNotSupported",
         "Unsupported value: \"tcp\": supported values: \"SCTP\", \"TCP\", \"UDP\""},
        {CTR_WITH("image: x, ports: [{containerPort: 80, name: http}, {containerPort: 81, name: "
                  "http}]"),
         NULL, "spec.containers[0].ports[1].name", "FieldValueDuplicate",
         "Duplicate value: \"http\""},
        {CTR_WITH("image: x, ports: [{containerPort: 80, name: Http_1}]"), NULL,
         "spec.containers[0].ports[0].name", "FieldValueInvalid",
         "Invalid value: \"Http_1\": must contain only alpha-numeric characters (a-z, 0-9), and "
         "hyphens (-)"},
        {CTR_WITH("image: x, resources: {limits: {cpu: 500m}, requests: {cpu: '1'}}"), NULL,
         "spec.containers[0].resources.requests", "FieldValueInvalid",
         "Invalid value: \"1\": must be less than or equal to cpu limit of 500m"},
        {CTR_WITH("image: x, resources: {requests: {cpu: -1}}"), NULL,
         "spec.containers[0].resources.requests[cpu]", "FieldValueInvalid",
         "Invalid value: \"-1\": must be greater than or equal to 0"},
        {CTR_WITH("image: x, resources: {limits: {example.com/gpu: 500m}}"), NULL,
         "spec.containers[0].resources.limits[example.com/gpu]", "FieldValueInvalid",
         "Invalid value: \"500m\": must be an integer"},
        {CTR_WITH("image: x, resources: {limits: {example.com/gpu: 2}, requests: {example.com/gpu: "
                  "1}}"),
         NULL, "spec.containers[0].resources.requests", "FieldValueInvalid",
         "Invalid value: \"1\": must be equal to example.com/gpu limit of 2"},
        {CTR_WITH("image: x, resources: {requests: {foo: 1}}"), NULL,
         "spec.containers[0].resources.requests[foo]", "FieldValueInvalid",
         "Invalid value: \"foo\": must be a standard resource type or fully qualified"},
        {CTR_WITH("image: x, env: [{name: '1A=B'}]"), NULL, "spec.containers[0].env[0].name",
         "FieldValueInvalid",
         "Invalid value: \"1A=B\": a valid environment variable name must consist only of "
         "printable ASCII characters other than '='"},
        {CTR_WITH("image: x, env: [{name: A, value: v, valueFrom: {fieldRef: {fieldPath: "
                  "metadata.name}}}]"),
         NULL, "spec.containers[0].env[0].valueFrom", "FieldValueInvalid",
         "Invalid value: \"\": may not be specified when `value` is not empty"},
        {CTR_WITH("image: x, env: [{name: A, valueFrom: {fieldRef: {fieldPath: spec.foo}}}]"), NULL,
         "spec.containers[0].env[0].valueFrom.fieldRef.fieldPath", "FieldValueInvalid",
         "Invalid value: \"spec.foo\": error converting fieldPath: field label not supported: "
         "spec.foo"},
        {CTR_WITH("image: x, env: [{name: A, valueFrom: {fieldRef: {fieldPath: "
                  "spec.restartPolicy}}}]"),
         NULL, "spec.containers[0].env[0].valueFrom.fieldRef.fieldPath", "FieldValueNotSupported",
         "Unsupported value: \"spec.restartPolicy\": supported values: \"metadata.name\", "
         "\"metadata.namespace\", \"metadata.uid\", \"spec.nodeName\", "
         "\"spec.serviceAccountName\", \"status.hostIP\", \"status.hostIPs\", \"status.podIP\", "
         "\"status.podIPs\""},
        {CTR_WITH("image: x, volumeMounts: [{name: data, mountPath: /d}]"), NULL,
         "spec.containers[0].volumeMounts[0].name", "FieldValueNotFound", "Not found: \"data\""},
        {POD_WITH(
                 "containers: [{name: c, image: x, volumeMounts: [{name: v, mountPath: /d}, {name: "
                 "v, mountPath: /d}]}], volumes: [{name: v}]"),
         NULL, "spec.containers[0].volumeMounts[1].mountPath", "FieldValueInvalid",
         "Invalid value: \"/d\": must be unique"},
        {CTR_WITH("image: x, livenessProbe: {httpGet: {port: 0}}"), NULL,
         "spec.containers[0].livenessProbe.httpGet.port", "FieldValueInvalid",
         "Invalid value: 0: " PORT_RANGE},
        {CTR_WITH("image: x, livenessProbe: {periodSeconds: 10}"), NULL,
         "spec.containers[0].livenessProbe", "FieldValueRequired",
         "Required value: must specify a handler type"},
        {CTR_WITH("image: x, livenessProbe: {exec: {command: [x]}, tcpSocket: {port: 1}}"), NULL,
         "spec.containers[0].livenessProbe.tcpSocket", "FieldValueForbidden",
         "Forbidden: may not specify more than 1 handler type"},
        {CTR_WITH("image: x, livenessProbe: {exec: {command: [x]}, successThreshold: 2}"), NULL,
         "spec.containers[0].livenessProbe.successThreshold", "FieldValueInvalid",
         "Invalid value: 2: must be 1"},
        {CTR_WITH("image: x, readinessProbe: {exec: {command: [x]}, timeoutSeconds: -1}"), NULL,
         "spec.containers[0].readinessProbe.timeoutSeconds", "FieldValueInvalid",
         "Invalid value: -1: must be greater than or equal to 0"},
        {CTR_WITH(
                 "image: x, securityContext: {allowPrivilegeEscalation: false, capabilities: {add: "
                 "[CAP_SYS_ADMIN]}}"),
         NULL, "spec.containers[0].securityContext", "FieldValueInvalid",
         "$: cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN"},
        {POD_WITH("containers: [{name: c, image: x}], securityContext: {runAsUser: -1}"), NULL,
         "spec.securityContext.runAsUser", "FieldValueInvalid",
         "Invalid value: -1: must be between 0 and 2147483647, inclusive"},
        {POD_WITH("containers: [{name: c, image: x}], volumes: [{name: v}, {name: v}]"), NULL,
         "spec.volumes[1].name", "FieldValueDuplicate", "Duplicate value: \"v\""},
        {POD_WITH("containers: [{name: c, image: x}], volumes: [{name: v, emptyDir: {}, hostPath: "
                  "{path: /x}}]"),
         NULL, "spec.volumes[0].hostPath", "FieldValueForbidden",
         "Forbidden: may not specify more than 1 volume type"},
        {POD_WITH("containers: [{name: c, image: x}], volumes: [{name: v, hostPath: {path: /x, "
                  "type: "
                  "Dir}}]"),
         NULL, "spec.volumes[0].hostPath.type", "FieldValueNotSupported",
         "Unsupported value: \"Dir\": supported values: \"\", \"BlockDevice\", \"CharDevice\", "
         "\"Directory\", \"DirectoryOrCreate\", \"File\", \"FileOrCreate\", \"Socket\""},
        {POD_WITH("containers: [{name: c, image: x}], volumes: [{name: v, configMap: {name: c, "
                  "defaultMode: 01000}}]"),
         NULL, "spec.volumes[0].configMap.defaultMode", "FieldValueInvalid",
         "Invalid value: 512: must be a number between 0 and 0777 (octal), both inclusive"},
        {POD_WITH("containers: [{name: c, image: x}], volumes: [{name: v, secret: {secretName: s, "
                  "items: [{key: k, path: ../x}]}}]"),
         NULL, "spec.volumes[0].secret.items[0].path", "FieldValueInvalid",
         "Invalid value: \"../x\": must not contain '..'"},
        {POD_WITH("containers: [{name: c, image: x}], volumes: [{name: v, persistentVolumeClaim: "
                  "{}}]"),
         NULL, "spec.volumes[0].persistentVolumeClaim.claimName", "FieldValueRequired",
         "Required value"},
        {POD_WITH("containers: [{name: c, image: x}], volumes: [{name: v, nfs: {server: s, path: "
                  "x}}]"),
         NULL, "spec.volumes[0].nfs.path", "FieldValueInvalid",
         "Invalid value: \"x\": must be an absolute path"},
        {POD_WITH("containers: [{name: c, image: x}], tolerations: [{key: a, operator: Exists, "
                  "value: b}]"),
         NULL, "spec.tolerations[0].operator", "FieldValueInvalid",
         "Invalid value: \"b\": value must be empty when `operator` is 'Exists'"},
        {POD_WITH("containers: [{name: c, image: x}], tolerations: [{key: a, effect: Sometimes}]"),
         NULL, "spec.tolerations[0].effect", "FieldValueNotSupported",
         "Unsupported value: \"Sometimes\": supported values: \"NoSchedule\", "
         "\"PreferNoSchedule\", "
         "\"NoExecute\""},
        {POD_WITH("containers: [{name: c, image: x}], affinity: {nodeAffinity: "
                  "{requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: "
                  "[{matchExpressions: [{key: k, operator: Foo}]}]}}}"),
         NULL,
         "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution."
         "nodeSelectorTerms[0].matchExpressions[0].operator",
         "FieldValueInvalid", "Invalid value: \"Foo\": not a valid selector operator"},
        {POD_WITH("containers: [{name: c, image: x}], topologySpreadConstraints: [{maxSkew: 0, "
                  "topologyKey: zone, whenUnsatisfiable: DoNotSchedule}]"),
         NULL, "spec.topologySpreadConstraints[0].maxSkew", "FieldValueInvalid",
         "Invalid value: 0: must be greater than zero"},
        {POD_WITH("containers: [{name: c, image: x}], activeDeadlineSeconds: 0"), NULL,
         "spec.activeDeadlineSeconds", "FieldValueInvalid",
         "Invalid value: 0: must be between 1 and 2147483647, inclusive"},
        {POD_WITH("containers: [{name: c, image: x}], nodeSelector: {'a b': c}"), NULL,
         "spec.nodeSelector", "FieldValueInvalid",
         "Invalid value: \"a b\": name part must consist of alphanumeric characters, '-', '_' or "
         "'.', and must start and end with an alphanumeric character (e.g. 'MyName',  or "
         "'my.name',  or '123-abc', regex used for validation is "
         "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"},
        {POD_WITH("containers: [{name: c, image: x}], serviceAccountName: Bad"), NULL,
         "spec.serviceAccountName", "FieldValueInvalid", "Invalid value: \"Bad\": " DNS1123_SUB},
        {POD_WITH("containers: [{name: c, image: x}], hostname: Bad_Host"), NULL, "spec.hostname",
         "FieldValueInvalid", "Invalid value: \"Bad_Host\": " DNS1123_LABEL},
        /* Pod update: only a few spec fields may change. */
        {"{apiVersion: v1, kind: Pod, metadata: {name: p, namespace: default, uid: u, "
         "resourceVersion: '2'}, spec: {containers: [{name: c, image: x}], restartPolicy: Never}}",
         "{apiVersion: v1, kind: Pod, metadata: {name: p, namespace: default, uid: u, "
         "resourceVersion: '2'}, spec: {containers: [{name: c, image: x}]}}",
         "spec", "FieldValueForbidden", NULL},
        /* Service */
        {SVC("ports: [{port: 70000}]"), NULL, "spec.ports[0].port", "FieldValueInvalid",
         "Invalid value: 70000: " PORT_RANGE},
        {SVC("ports: [{port: 80}, {port: 81, name: b}]"), NULL, "spec.ports[0].name",
         "FieldValueRequired", "Required value"},
        {SVC("ports: [{port: 80, name: a}, {port: 81, name: a}]"), NULL, "spec.ports[1].name",
         "FieldValueDuplicate", "Duplicate value: \"a\""},
        {SVC("ports: [{port: 80, name: a}, {port: 80, name: b}]"), NULL, "spec.ports[1]",
         "FieldValueDuplicate",
         "Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\", "
         "AppProtocol:(*string)(nil), "
         "Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}"},
        {SVC("ports: [{port: 80, protocol: HTTP}]"), NULL, "spec.ports[0].protocol",
         "FieldValueNotSupported",
         "Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\""},
        {SVC("type: Foo, ports: [{port: 80}]"), NULL, "spec.type", "FieldValueNotSupported",
         "Unsupported value: \"Foo\": supported values: \"ClusterIP\", \"ExternalName\", "
         "\"LoadBalancer\", \"NodePort\""},
        {SVC("selector: {app: a}"), NULL, "spec.ports", "FieldValueRequired", "Required value"},
        {SVC("ports: [{port: 80, targetPort: Bad_Name}]"), NULL, "spec.ports[0].targetPort",
         "FieldValueInvalid",
         "Invalid value: \"Bad_Name\": must contain only alpha-numeric characters (a-z, 0-9), and "
         "hyphens (-)"},
        {SVC("ports: [{port: 80, nodePort: 30001}]"), NULL, "spec.ports[0].nodePort",
         "FieldValueForbidden", "Forbidden: may not be used when `type` is 'ClusterIP'"},
        {SVC("type: ExternalName"), NULL, "spec.externalName", "FieldValueRequired",
         "Required value"},
        {SVC("sessionAffinity: Sticky, ports: [{port: 80}]"), NULL, "spec.sessionAffinity",
         "FieldValueNotSupported",
         "Unsupported value: \"Sticky\": supported values: \"ClientIP\", \"None\""},
        {SVC("clusterIP: 10.0.0.300, ports: [{port: 80}]"), NULL, "spec.clusterIPs[0]",
         "FieldValueInvalid",
         "Invalid value: \"10.0.0.300\": must be a valid IP address, (e.g. 10.9.8.7 or "
         "2001:db8::ffff)"},
        {SVC("clusterIP: 10.0.0.5, ports: [{port: 80}]"),
         SVC("clusterIP: 10.0.0.4, ports: [{port: 80}]"), "spec.clusterIPs[0]", "FieldValueInvalid",
         "Invalid value: []string{\"10.0.0.5\"}: may not change once set"},
        /* ConfigMap and Secret */
        {CM("name: c", ", data: {'a b': x}"), NULL, "data[a b]", "FieldValueInvalid",
         "Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', "
         "'_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation "
         "is '[-._a-zA-Z0-9]+')"},
        {CM("name: c", ", data: {a: x}, binaryData: {a: eA==}"), NULL, "data[a]",
         "FieldValueInvalid", "Invalid value: \"a\": duplicate of key present in binaryData"},
        {CM("name: c", ", data: {'..': x}"), NULL, "data[..]", "FieldValueInvalid",
         "Invalid value: \"..\": must not be '..'"},
        {"{apiVersion: v1, kind: Secret, metadata: {name: s, namespace: default}, data: {'a/b': "
         "eA==}}",
         NULL, "data[a/b]", "FieldValueInvalid",
         "Invalid value: \"a/b\": a valid config key must consist of alphanumeric characters, '-', "
         "'_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation "
         "is '[-._a-zA-Z0-9]+')"},
        {"{apiVersion: v1, kind: Secret, metadata: {name: s, namespace: default}, type: "
         "kubernetes.io/tls, data: {tls.crt: eA==}}",
         NULL, "data[tls.key]", "FieldValueRequired", "Required value"},
        {"{apiVersion: v1, kind: Secret, metadata: {name: s, namespace: default, resourceVersion: "
         "'3'}, type: kubernetes.io/tls, data: {tls.crt: eA==, tls.key: eA==}}",
         "{apiVersion: v1, kind: Secret, metadata: {name: s, namespace: default, resourceVersion: "
         "'3'}, data: {tls.crt: eA==, tls.key: eA==}}",
         "type", "FieldValueInvalid", "Invalid value: \"kubernetes.io/tls\": field is immutable"},
        {"{apiVersion: v1, kind: Secret, metadata: {name: s, namespace: default, resourceVersion: "
         "'3'}, immutable: true, data: {a: eQ==}}",
         "{apiVersion: v1, kind: Secret, metadata: {name: s, namespace: default, resourceVersion: "
         "'3'}, immutable: true, data: {a: eA==}}",
         "data", "FieldValueForbidden", "Forbidden: field is immutable when `immutable` is set"},
        /* Workloads */
        {DEPLOY_AT("name: d, namespace: default",
                   "selector: {matchLabels: {app: web}}, template: {metadata: {labels: {app: x}}, "
                   "spec: {containers: [{name: c, image: nginx}]}}"),
         NULL, "spec.template.metadata.labels", "FieldValueInvalid",
         "Invalid value: map[string]string{\"app\":\"x\"}: `selector` does not match template "
         "`labels`"},
        {DEPLOY_AT("name: d, namespace: default",
                   "template: {metadata: {labels: {app: a}}, spec: {containers: [{name: c, image: "
                   "nginx}]}}"),
         NULL, "spec.selector", "FieldValueRequired", "Required value"},
        {DEPLOY_AT("name: d, namespace: default", "replicas: -1, " DSPEC("a")), NULL,
         "spec.replicas", "FieldValueInvalid",
         "Invalid value: -1: must be greater than or equal to 0"},
        {DEPLOY_AT("name: d, namespace: default", "selector: {}, template: {metadata: {labels: "
                                                  "{app: a}}, spec: {containers: [{name: "
                                                  "c, image: nginx}]}}"),
         NULL, "spec.selector", "FieldValueInvalid",
         "Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), "
         "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for "
         "deployment"},
        {DEPLOY_AT(OLD_META, DSPEC("b")), DEPLOY_AT(OLD_META, DSPEC("a")), "spec.selector",
         "FieldValueInvalid",
         "Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"b\"}, "
         "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"},
        {DEPLOY_AT("name: d, namespace: default",
                   "strategy: {type: Recreate, rollingUpdate: {maxSurge: 1}}, " DSPEC("a")),
         NULL, "spec.strategy.rollingUpdate", "FieldValueForbidden",
         "Forbidden: may not be specified when strategy `type` is 'Recreate'"},
        {DEPLOY_AT("name: d, namespace: default",
                   "strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 0}}, " DSPEC("a")),
         NULL, "spec.strategy.rollingUpdate.maxUnavailable", "FieldValueInvalid",
         "Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}: may not be 0 when "
         "`maxSurge` is 0"},
        {DEPLOY_AT("name: d, namespace: default",
                   "strategy: {rollingUpdate: {maxUnavailable: 110%}}, " DSPEC("a")),
         NULL, "spec.strategy.rollingUpdate.maxUnavailable", "FieldValueInvalid",
         "Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"110%\"}: must not be "
         "greater "
         "than 100%"},
        {DEPLOY_AT("name: d, namespace: default",
                   "strategy: {rollingUpdate: {maxSurge: -1}}, " DSPEC("a")),
         NULL, "spec.strategy.rollingUpdate.maxSurge", "FieldValueInvalid",
         "Invalid value: -1: must be greater than or equal to 0"},
        {DEPLOY_AT("name: d, namespace: default", "strategy: {type: Blue}, " DSPEC("a")), NULL,
         "spec.strategy", "FieldValueNotSupported",
         "Unsupported value: apps.DeploymentStrategy{Type:\"Blue\", "
         "RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: \"Recreate\", "
         "\"RollingUpdate\""},
        {DEPLOY_AT("name: d, namespace: default",
                   "progressDeadlineSeconds: 5, minReadySeconds: 10, "
                   "" DSPEC("a")),
         NULL, "spec.progressDeadlineSeconds", "FieldValueInvalid",
         "Invalid value: 5: must be greater than minReadySeconds"},
        {DEPLOY_AT("name: d, namespace: default",
                   "selector: {matchLabels: {app: a}}, template: {metadata: {labels: {app: a}}, "
                   "spec: {restartPolicy: Never, containers: [{name: c, image: nginx}]}}"),
         NULL, "spec.template.spec.restartPolicy", "FieldValueNotSupported",
         "Unsupported value: \"Never\": supported values: \"Always\""},
        {"{apiVersion: apps/v1, kind: ReplicaSet, metadata: {" OLD_META
         "}, spec: {" DSPEC("b") "}}",
         "{apiVersion: apps/v1, kind: ReplicaSet, metadata: {" OLD_META
         "}, spec: {" DSPEC("a") "}}",
         "spec.selector", "FieldValueInvalid",
         "Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"b\"}, "
         "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"},
        {"{apiVersion: apps/v1, kind: DaemonSet, metadata: {" OLD_META "}, spec: {" DSPEC("b") "}}",
         "{apiVersion: apps/v1, kind: DaemonSet, metadata: {" OLD_META "}, spec: {" DSPEC("a") "}}",
         "spec.selector", "FieldValueInvalid",
         "Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"b\"}, "
         "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"},
        {"{apiVersion: apps/v1, kind: DaemonSet, metadata: {name: d, namespace: default}, spec: "
         "{updateStrategy: {rollingUpdate: {maxUnavailable: 0}}, " DSPEC("a") "}}",
         NULL, "spec.updateStrategy.rollingUpdate.maxUnavailable", "FieldValueRequired",
         "Required value: cannot be 0 when maxSurge is 0"},
        {"{apiVersion: apps/v1, kind: StatefulSet, metadata: {" OLD_META
         "}, spec: {serviceName: s, "
         "" DSPEC("b") "}}",
         "{apiVersion: apps/v1, kind: StatefulSet, metadata: {" OLD_META
         "}, spec: {serviceName: s, "
         "" DSPEC("a") "}}",
         "spec", "FieldValueForbidden",
         "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', "
         "'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and "
         "'minReadySeconds' are forbidden"},
        {"{apiVersion: apps/v1, kind: StatefulSet, metadata: {name: d, namespace: default}, spec: "
         "{podManagementPolicy: Random, " DSPEC("a") "}}",
         NULL, "spec.podManagementPolicy", "FieldValueInvalid",
         "Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'"},
        {"{apiVersion: apps/v1, kind: StatefulSet, metadata: {name: d, namespace: default}, spec: "
         "{replicas: -2, " DSPEC("a") "}}",
         NULL, "spec.replicas", "FieldValueInvalid",
         "Invalid value: -2: must be greater than or equal to 0"},
        {"{apiVersion: v1, kind: ReplicationController, metadata: {name: r, namespace: default}, "
         "spec: {selector: {app: b}, " TPL "}}",
         NULL, "spec.template.metadata.labels", "FieldValueInvalid",
         "Invalid value: map[string]string{\"app\":\"a\"}: `selector` does not match template "
         "`labels`"},
        /* Job and CronJob */
        {JOB(", parallelism: -1"), NULL, "spec.parallelism", "FieldValueInvalid",
         "Invalid value: -1: must be greater than or equal to 0"},
        {JOB(", backoffLimit: -1"), NULL, "spec.backoffLimit", "FieldValueInvalid",
         "Invalid value: -1: must be greater than or equal to 0"},
        {JOB(", completionMode: Foo"), NULL, "spec.completionMode", "FieldValueNotSupported",
         "Unsupported value: \"Foo\": supported values: \"NonIndexed\", \"Indexed\""},
        {JOB(", completionMode: Indexed, parallelism: 2"), NULL, "spec.completions",
         "FieldValueRequired", "Required value: when completion mode is Indexed"},
        {"{apiVersion: batch/v1, kind: Job, metadata: {name: j, namespace: default}, spec: "
         "{template: {spec: {containers: [{name: c, image: busybox}]}}}}",
         NULL, "spec.template.spec.restartPolicy", "FieldValueNotSupported",
         "Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\""},
        {"{apiVersion: batch/v1, kind: Job, metadata: {name: j, namespace: default}, spec: "
         "{template: {spec: {restartPolicy: Always, containers: [{name: c, image: busybox}]}}}}",
         NULL, "spec.template.spec.restartPolicy", "FieldValueNotSupported",
         "Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\""},
        {"{apiVersion: batch/v1, kind: CronJob, metadata: {name: c, namespace: default}, spec: "
         "{schedule: 'every minute', jobTemplate: {spec: {template: {spec: {restartPolicy: Never, "
         "containers: [{name: c, image: x}]}}}}}}",
         NULL, "spec.schedule", "FieldValueInvalid",
         "Invalid value: \"every minute\": expected exactly 5 fields, found 2: [every minute]"},
        {"{apiVersion: batch/v1, kind: CronJob, metadata: {name: c, namespace: default}, spec: "
         "{jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, "
         "image: x}]}}}}}}",
         NULL, "spec.schedule", "FieldValueRequired", "Required value"},
        {"{apiVersion: batch/v1, kind: CronJob, metadata: {name: c, namespace: default}, spec: "
         "{schedule: '@hourly', concurrencyPolicy: Sometimes, jobTemplate: {spec: {template: "
         "{spec: "
         "{restartPolicy: Never, containers: [{name: c, image: x}]}}}}}}",
         NULL, "spec.concurrencyPolicy", "FieldValueNotSupported",
         "Unsupported value: \"Sometimes\": supported values: \"Allow\", \"Forbid\", \"Replace\""},
        {"{apiVersion: batch/v1, kind: CronJob, metadata: {name: "
         "a-very-long-cronjob-name-that-is-too-long-for-job-names-x, namespace: default}, spec: "
         "{schedule: '@hourly', jobTemplate: {spec: {template: {spec: {restartPolicy: Never, "
         "containers: [{name: c, image: x}]}}}}}}",
         NULL, "metadata.name", "FieldValueInvalid",
         "Invalid value: \"a-very-long-cronjob-name-that-is-too-long-for-job-names-x\": must be no "
         "more than 52 characters"},
        /* PV, PVC, Node, Namespace, Event */
        {"{apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: c, namespace: default}, "
         "spec: {resources: {requests: {storage: 1Gi}}}}",
         NULL, "spec.accessModes", "FieldValueRequired",
         "Required value: at least 1 access mode is required"},
        {"{apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: c, namespace: default}, "
         "spec: {accessModes: [ReadWriteOnce]}}",
         NULL, "spec.resources[storage]", "FieldValueRequired", "Required value"},
        {"{apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: c, namespace: default}, "
         "spec: {accessModes: [ReadWriteSometimes], resources: {requests: {storage: 1Gi}}}}",
         NULL, "spec.accessModes", "FieldValueNotSupported",
         "Unsupported value: \"ReadWriteSometimes\": supported values: \"ReadOnlyMany\", "
         "\"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\""},
        {"{apiVersion: v1, kind: PersistentVolume, metadata: {name: v}, spec: {accessModes: "
         "[ReadWriteOnce], hostPath: {path: /d}}}",
         NULL, "spec.capacity", "FieldValueRequired", "Required value"},
        {"{apiVersion: v1, kind: PersistentVolume, metadata: {name: v}, spec: {capacity: {storage: "
         "1Gi}, accessModes: [ReadWriteOnce]}}",
         NULL, "spec", "FieldValueRequired", "Required value: must specify a volume type"},
        {"{apiVersion: v1, kind: Node, metadata: {name: n1}, spec: {taints: [{key: k, effect: "
         "Foo}]}}",
         NULL, "metadata.taints[0].effect", "FieldValueNotSupported",
         "Unsupported value: \"Foo\": supported values: \"NoSchedule\", \"PreferNoSchedule\", "
         "\"NoExecute\""},
        {"{apiVersion: v1, kind: Node, metadata: {name: n1}, spec: {podCIDR: '10.0.0.0/33'}}", NULL,
         "spec.podCIDRs[0]", "FieldValueInvalid",
         "Invalid value: \"10.0.0.0/33\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or "
         "2001:db8::/64)"},
        {"{apiVersion: v1, kind: Event, metadata: {name: e, namespace: default}, involvedObject: "
         "{kind: Pod, name: p, namespace: other}, type: Normal}",
         NULL, "involvedObject.namespace", "FieldValueInvalid",
         "Invalid value: \"other\": does not match event.namespace"},
        /* networking, autoscaling, storage, coordination, discovery */
        {"{apiVersion: networking.k8s.io/v1, kind: Ingress, metadata: {name: i, namespace: "
         "default}, "
         "spec: {rules: [{http: {paths: [{path: /, backend: {service: {name: s, port: {number: "
         "80}}}}]}}]}}",
         NULL, "spec.rules[0].http.paths[0].pathType", "FieldValueRequired",
         "Required value: pathType must be specified"},
        {"{apiVersion: networking.k8s.io/v1, kind: Ingress, metadata: {name: i, namespace: "
         "default}, "
         "spec: {rules: [{host: 'Example.com', http: {paths: [{path: /, pathType: Prefix, backend: "
         "{service: {name: s, port: {number: 80}}}}]}}]}}",
         NULL, "spec.rules[0].host", "FieldValueInvalid",
         "Invalid value: \"Example.com\": " DNS1123_SUB},
        {"{apiVersion: networking.k8s.io/v1, kind: Ingress, metadata: {name: i, namespace: "
         "default}, "
         "spec: {rules: [{http: {paths: [{path: x, pathType: Prefix, backend: {service: {name: s, "
         "port: {number: 80}}}}]}}]}}",
         NULL, "spec.rules[0].http.paths[0].path", "FieldValueInvalid",
         "Invalid value: \"x\": must be an absolute path"},
        {"{apiVersion: networking.k8s.io/v1, kind: Ingress, metadata: {name: i, namespace: "
         "default}, "
         "spec: {}}",
         NULL, "spec", "FieldValueInvalid",
         "Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be "
         "specified"},
        {"{apiVersion: networking.k8s.io/v1, kind: IngressClass, metadata: {name: c}, spec: {}}",
         NULL, "spec.controller", "FieldValueRequired", "Required value"},
        {"{apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, metadata: {name: h, "
         "namespace: "
         "default}, spec: {scaleTargetRef: {kind: Deployment, name: web}, minReplicas: 5, "
         "maxReplicas: 3}}",
         NULL, "spec.maxReplicas", "FieldValueInvalid",
         "Invalid value: 3: must be greater than or equal to `minReplicas`"},
        {"{apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, metadata: {name: h, "
         "namespace: "
         "default}, spec: {scaleTargetRef: {name: web}, maxReplicas: 3}}",
         NULL, "spec.scaleTargetRef.kind", "FieldValueRequired", "Required value"},
        {"{apiVersion: storage.k8s.io/v1, kind: StorageClass, metadata: {name: s}}", NULL,
         "provisioner", "FieldValueRequired", "Required value"},
        {"{apiVersion: storage.k8s.io/v1, kind: StorageClass, metadata: {name: s}, provisioner: p, "
         "reclaimPolicy: Keep}",
         NULL, "reclaimPolicy", "FieldValueNotSupported",
         "Unsupported value: \"Keep\": supported values: \"Delete\", \"Retain\""},
        {"{apiVersion: coordination.k8s.io/v1, kind: Lease, metadata: {name: l, namespace: "
         "default}, spec: {leaseDurationSeconds: 0}}",
         NULL, "spec.leaseDurationSeconds", "FieldValueInvalid",
         "Invalid value: 0: must be greater than 0"},
        {"{apiVersion: discovery.k8s.io/v1, kind: EndpointSlice, metadata: {name: s, namespace: "
         "default}, addressType: IPv4, endpoints: [{addresses: [fe80::1]}]}",
         NULL, "endpoints[0].addresses[0]", "FieldValueInvalid",
         "Invalid value: \"fe80::1\": must be a valid IPv4 address"},
        {"{apiVersion: discovery.k8s.io/v1, kind: EndpointSlice, metadata: {name: s, namespace: "
         "default}, addressType: IPv5, endpoints: []}",
         NULL, "addressType", "FieldValueNotSupported",
         "Unsupported value: \"IPv5\": supported values: \"FQDN\", \"IPv4\", \"IPv6\""},
};

static void test_invalid(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t i = 0; i < sizeof invalid_rows / sizeof invalid_rows[0]; i++) {
        const struct invalid_row *r = &invalid_rows[i];
        struct sk_causes c = {0};
        run_validation(r->obj, r->old, &c);
        bool ok;
        if (r->message) {
            ok = has_cause(&c, r->field, r->reason, r->message);
        } else {
            ok = false;
            for (size_t j = 0; j < c.n; j++)
                ok |= !strcmp(c.v[j].field, r->field) && !strcmp(c.v[j].reason, r->reason);
        }
        if (!ok) {
            fprintf(stderr, "invalid row %zu: want %s | %s | %s\n", i, r->reason, r->field,
                    r->message ? r->message : "*");
            dump_causes(&c);
            bad++;
        }
        sk_causes_free(&c);
    }
    assert_int_equal(bad, 0);
}

/* A whole message, as the Invalid status carries it. */
static void test_causes_string(void **state)
{
    (void)state;
    struct sk_causes c = {0};
    char *s = sk_causes_string(&c);
    assert_string_equal(s, "");
    free(s);
    run_validation(POD_WITH("containers: [{name: c}]"), NULL, &c);
    s = sk_causes_string(&c);
    assert_string_equal(s, "spec.containers[0].image: Required value");
    free(s);
    sk_causes_free(&c);
    assert_int_equal(c.n, 0);
    run_validation(POD_WITH("restartPolicy: Sometimes, containers: [{name: c}, {name: c, image: "
                            "x}]"),
                   NULL, &c);
    s = sk_causes_string(&c);
    assert_string_equal(s, "[spec.containers[0].image: Required value, spec.containers[1].name: "
                           "Duplicate value: \"c\", spec.restartPolicy: Unsupported value: "
                           "\"Sometimes\": supported values: \"Always\", \"OnFailure\", "
                           "\"Never\"]");
    free(s);
    sk_causes_free(&c);
    /* Exact repeats are dropped from the aggregate. */
    sk_causes_add(&c, "a", "FieldValueRequired", "Required value");
    sk_causes_add(&c, "a", "FieldValueRequired", "Required value");
    sk_causes_add(&c, "b", "FieldValueInvalid", "Invalid value: %d: bad", 3);
    s = sk_causes_string(&c);
    assert_string_equal(s, "[a: Required value, b: Invalid value: 3: bad]");
    free(s);
    sk_causes_free(&c);
    sk_causes_free(NULL);
}

/* Metadata on update: immutable fields and the resourceVersion. */
static void test_metadata_update(void **state)
{
    (void)state;
    const char *old = DEPLOY_AT("name: d, namespace: default, uid: u1, resourceVersion: '5', "
                                "creationTimestamp: '2024-01-01T00:00:00Z'",
                                DSPEC("a"));
    struct sk_causes c = {0};
    run_validation(DEPLOY_AT("name: e, namespace: default, uid: u2, creationTimestamp: "
                             "'2024-01-02T00:00:00Z'",
                             DSPEC("a")),
                   old, &c);
    assert_true(has_cause(&c, "metadata.resourceVersion", "FieldValueInvalid",
                          "Invalid value: \"\": must be specified for an update"));
    assert_true(has_cause(&c, "metadata.name", "FieldValueInvalid",
                          "Invalid value: \"e\": field is immutable"));
    assert_true(has_cause(&c, "metadata.uid", "FieldValueInvalid",
                          "Invalid value: \"u2\": field is immutable"));
    assert_true(has_cause(&c, "metadata.creationTimestamp", "FieldValueInvalid",
                          "Invalid value: 2024-01-02 00:00:00 +0000 UTC: field is immutable"));
    sk_causes_free(&c);
    /* Labels, annotations and the spec (but the selector) may change. */
    run_validation(DEPLOY_AT("name: d, namespace: default, uid: u1, resourceVersion: '5', "
                             "creationTimestamp: '2024-01-01T00:00:00Z', labels: {x: y}",
                             "replicas: 4, " DSPEC("a")),
                   old, &c);
    if (c.n) dump_causes(&c);
    assert_int_equal(c.n, 0);
    /* Job: the pod template is immutable. */
    const char *job = "{apiVersion: batch/v1, kind: Job, metadata: {name: j, namespace: default, "
                      "uid: u, resourceVersion: '1'}, spec: {template: {spec: {restartPolicy: "
                      "Never, containers: [{name: c, image: %s}]}}}}";
    char a[512], b[512];
    snprintf(a, sizeof a, job, "busybox");
    snprintf(b, sizeof b, job, "busybox:2");
    struct sk_val *o = created(a), *n = created(b);
    const struct sk_kind *k = kind_of(o);
    assert_false(sk_kind_validate(k, n, o, &c));
    bool found = false;
    for (size_t i = 0; i < c.n; i++)
        found |= !strcmp(c.v[i].field, "spec.template") &&
                 strstr(c.v[i].message, ": field is immutable") != NULL;
    assert_true(found);
    sk_causes_free(&c);
    sk_val_free(n);
    /* The same template (and a changed parallelism) is fine. */
    n = created(a);
    sk_val_set_at(n, sk_val_int(2), "spec", "parallelism", NULL);
    assert_true(sk_kind_validate(k, n, o, &c));
    sk_val_free(n);
    sk_val_free(o);
}

/* A Service keeps its allocated addresses and node ports on an update that
 * leaves them out (as kubectl apply and replace do). */
static void test_service_update(void **state)
{
    (void)state;
    const char *old = "{apiVersion: v1, kind: Service, metadata: {name: s, namespace: default, "
                      "resourceVersion: '1'}, spec: {type: NodePort, clusterIP: 10.0.0.9, "
                      "clusterIPs: [10.0.0.9], ports: [{port: 80, nodePort: 30080}]}}";
    struct sk_val *o = created(old);
    struct sk_val *n = yaml("{apiVersion: v1, kind: Service, metadata: {name: s, namespace: "
                            "default, resourceVersion: '1'}, spec: {type: NodePort, ports: "
                            "[{port: 80}]}}");
    const struct sk_kind *k = kind_of(n);
    sk_kind_default(k, n);
    sk_kind_prepare_update(k, n, o);
    assert_string_equal(sk_val_str_at(n, "spec", "clusterIP", NULL), "10.0.0.9");
    assert_int_equal(sk_val_path(n, "spec.ports[0].nodePort")->u.i, 30080);
    struct sk_causes c = {0};
    if (!sk_kind_validate(k, n, o, &c)) dump_causes(&c);
    assert_int_equal(c.n, 0);
    sk_val_free(n);
    sk_val_free(o);
}

/* A DaemonSet's template generation moves with its template. */
static void test_daemonset_generation(void **state)
{
    (void)state;
    const char *ds = "{apiVersion: apps/v1, kind: DaemonSet, metadata: {name: d, namespace: "
                     "default, resourceVersion: '1'}, spec: {selector: {matchLabels: {app: a}}, "
                     "template: {metadata: {labels: {app: a}}, spec: {containers: [{name: c, "
                     "image: %s}]}}}}";
    char a[512], b[512];
    snprintf(a, sizeof a, ds, "nginx:1");
    snprintf(b, sizeof b, ds, "nginx:2");
    struct sk_val *o = created(a);
    const struct sk_kind *k = kind_of(o);
    const char *key = "deprecated.daemonset.template.generation";
    assert_string_equal(sk_obj_annotation(o, key), "1");
    struct sk_val *n = yaml(a);
    sk_kind_default(k, n);
    sk_kind_prepare_update(k, n, o);
    assert_string_equal(sk_obj_annotation(n, key), "1");
    sk_val_free(n);
    n = yaml(b);
    sk_kind_default(k, n);
    sk_kind_prepare_update(k, n, o);
    assert_string_equal(sk_obj_annotation(n, key), "2");
    struct sk_causes c = {0};
    assert_true(sk_kind_validate(k, n, o, &c));
    sk_val_free(n);
    sk_val_free(o);
}

/* Status updates check the status. */
static void test_status_validation(void **state)
{
    (void)state;
    const char *old = DEPLOY_AT(OLD_META, DSPEC("a"));
    struct sk_val *o = created(old), *n = created(old);
    sk_val_set_at(n, sk_val_int(-1), "status", "replicas", NULL);
    const struct sk_kind *k = kind_of(n);
    struct sk_causes c = {0};
    assert_false(sk_kind_validate_status(k, n, o, &c));
    assert_true(has_cause(&c, "status.replicas", "FieldValueInvalid",
                          "Invalid value: -1: must be greater than or equal to 0"));
    sk_causes_free(&c);
    sk_val_free(n);
    sk_val_free(o);

    old = "{apiVersion: v1, kind: Namespace, metadata: {name: ns1, resourceVersion: '1'}}";
    o = created(old);
    n = created(old);
    sk_val_set_at(n, sk_val_str("Gone"), "status", "phase", NULL);
    k = kind_of(n);
    assert_false(sk_kind_validate_status(k, n, o, &c));
    sk_causes_free(&c);
    sk_val_free(n);
    sk_val_free(o);
}

/* ---- unknown fields and type errors ---- */

static void test_unknown_fields(void **state)
{
    (void)state;
    struct sk_val *obj = yaml(
            "{apiVersion: apps/v1, kind: Deployment, metadata: {name: d, labelz: {a: b}, "
            "annotations: {any.key/x: v}}, spec: {foo: 1, replicas: 1, selector: {matchLabels: "
            "{app: a}}, template: {metadata: {labels: {app: a}}, spec: {containers: [{name: c, "
            "image: x, imagePullPolicyy: Always, env: [{name: A, value: b}, {name: B, valu: "
            "c}], resources: {limits: {anything: '1'}}}], volumes: [{name: v, configMap: {nam: "
            "x}}]}}}, status: {bogus: true}}");
    const struct sk_kind *k = kind_of(obj);
    char *out[16];
    size_t n = sk_schema_unknown_fields(k, obj, out, 16);
    static const char *const want[] = {
            "metadata.labelz",
            "spec.foo",
            "spec.template.spec.containers[0].imagePullPolicyy",
            "spec.template.spec.containers[0].env[1].valu",
            "spec.template.spec.volumes[0].configMap.nam",
            "status.bogus",
    };
    assert_int_equal(n, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(out[i], want[i]);
        free(out[i]);
    }
    /* Fewer slots than findings: still the full count. */
    n = sk_schema_unknown_fields(k, obj, out, 2);
    assert_int_equal(n, 6);
    free(out[0]);
    free(out[1]);
    sk_val_free(obj);

    /* Free-form places report nothing: ControllerRevision data, a
     * managedFields entry's fieldsV1. */
    obj = yaml("{apiVersion: apps/v1, kind: ControllerRevision, metadata: {name: r, "
               "managedFields: [{manager: m, fieldsV1: {'f:spec': {}}}]}, revision: 1, data: "
               "{anything: {goes: 1}}}");
    assert_int_equal(sk_schema_unknown_fields(kind_of(obj), obj, out, 16), 0);
    sk_val_free(obj);
}

struct type_row {
    const char *obj, *field, *message;
};

static const struct type_row type_rows[] = {
        {APPS("Deployment", ", replicas: '3'"), "spec.replicas",
         "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type "
         "int32"},
        {CTR_WITH("image: x, ports: [{containerPort: '80'}]"),
         "spec.containers[0].ports[0].containerPort",
         "json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports."
         "containerPort of type int32"},
        {CTR_WITH("image: x, env: [{name: A, value: 1}]"), "spec.containers[0].env[0].value",
         "json: cannot unmarshal number into Go struct field EnvVar.spec.containers.env.value of "
         "type string"},
        {CTR_WITH("image: x, resources: {limits: {cpu: abc}}"),
         "spec.containers[0].resources.limits[cpu]",
         "quantities must match the regular expression "
         "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"},
        {POD_WITH("containers: {name: c}"), "spec.containers",
         "json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type "
         "[]v1.Container"},
        {POD_WITH("containers: [{name: c, image: x}], hostNetwork: 'true'"), "spec.hostNetwork",
         "json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type "
         "bool"},
        {POD_WITH("containers: [{name: c, image: x}], terminationGracePeriodSeconds: 1.5"),
         "spec.terminationGracePeriodSeconds",
         "json: cannot unmarshal number 1.5 into Go struct field "
         "PodSpec.spec.terminationGracePeriodSeconds of type int64"},
        {POD_WITH("containers: [{name: c, image: x}], nodeSelector: {a: 1}"),
         "spec.nodeSelector[a]",
         "json: cannot unmarshal number into Go struct field PodSpec.spec.nodeSelector of type "
         "string"},
        {"{apiVersion: v1, kind: Pod, metadata: {name: p, labels: [a]}}", "metadata.labels",
         "json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type "
         "map[string]string"},
        {"{apiVersion: v1, kind: Secret, metadata: {name: s}, data: {k: 'not base64!'}}", "data[k]",
         "illegal base64 data at input byte 3"},
        {"{apiVersion: v1, kind: ConfigMap, metadata: {name: s}, data: {k: true}}", "data[k]",
         "json: cannot unmarshal bool into Go struct field ConfigMap.data of type string"},
        {"{apiVersion: v1, kind: Pod, metadata: {name: p}, spec: 3}", "spec",
         "json: cannot unmarshal number into Go struct field Pod.spec of type v1.PodSpec"},
};

static void test_type_errors(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t i = 0; i < sizeof type_rows / sizeof type_rows[0]; i++) {
        const struct type_row *r = &type_rows[i];
        struct sk_val *obj = yaml(r->obj);
        struct sk_causes c = {0};
        bool ok = sk_schema_check_types(kind_of(obj), obj, &c);
        if (ok || !has_cause(&c, r->field, "FieldValueTypeInvalid", r->message)) {
            fprintf(stderr, "type row %zu: want %s | %s\n", i, r->field, r->message);
            dump_causes(&c);
            bad++;
        }
        sk_causes_free(&c);
        sk_val_free(obj);
    }
    assert_int_equal(bad, 0);
    /* null decodes to the zero value everywhere; quantities may be numbers;
     * int-or-string takes either. */
    struct sk_val *obj = yaml(CTR_WITH("image: x, ports: null, resources: {limits: {cpu: 1, "
                                       "memory: 0.5}}, livenessProbe: {httpGet: {port: http}}"));
    struct sk_causes c = {0};
    assert_true(sk_schema_check_types(kind_of(obj), obj, &c));
    sk_val_free(obj);
}

static void test_decode_message(void **state)
{
    (void)state;
    char *m = sk_schema_decode_message(sk_kind_by_name("deploy"),
                                       "json: cannot unmarshal string into Go struct field "
                                       "DeploymentSpec.spec.replicas of type int32");
    assert_string_equal(m, "Deployment in version \"v1\" cannot be handled as a Deployment: json: "
                           "cannot unmarshal string into Go struct field "
                           "DeploymentSpec.spec.replicas of type int32");
    free(m);
    m = sk_schema_decode_message(sk_kind_by_name("po"), "strict decoding error: unknown field "
                                                        "\"spec.foo\"");
    assert_string_equal(m, "Pod in version \"v1\" cannot be handled as a Pod: strict decoding "
                           "error: unknown field \"spec.foo\"");
    free(m);
}

static void test_name_checks(void **state)
{
    (void)state;
    const char *msgs[2];
    assert_int_equal(sk_dns1123_subdomain_msgs("example.com", msgs), 0);
    assert_int_equal(sk_dns1123_subdomain_msgs("Example", msgs), 1);
    assert_string_equal(msgs[0], DNS1123_SUB);
    char longname[300];
    memset(longname, 'a', 254);
    longname[254] = 0;
    assert_int_equal(sk_dns1123_subdomain_msgs(longname, msgs), 1);
    assert_string_equal(msgs[0], "must be no more than 253 characters");
    assert_int_equal(sk_dns1123_label_msgs("my-name", msgs), 0);
    assert_int_equal(sk_dns1123_label_msgs("a.b", msgs), 1);
    assert_string_equal(msgs[0], "must not contain dots");
    assert_int_equal(sk_dns1123_label_msgs("a_b", msgs), 1);
    assert_string_equal(msgs[0], DNS1123_LABEL);
    memset(longname, 'a', 64);
    longname[64] = 0;
    assert_int_equal(sk_dns1123_label_msgs(longname, msgs), 1);
    assert_string_equal(msgs[0], "must be no more than 63 characters");
    longname[0] = '-';
    assert_int_equal(sk_dns1123_label_msgs(longname, msgs), 2);
    assert_int_equal(sk_dns1035_label_msgs("abc-1", msgs), 0);
    assert_int_equal(sk_dns1035_label_msgs("1abc", msgs), 1);
    assert_string_equal(msgs[0], DNS1035);
    assert_true(sk_is_dns1123_label("a1"));
    assert_false(sk_is_dns1123_label(""));
    assert_false(sk_is_dns1123_label("a_b"));
    assert_true(sk_is_dns1123_subdomain("a.b-c.d"));
    assert_false(sk_is_dns1123_subdomain("a..b"));
    assert_false(sk_is_dns1123_subdomain(".a"));
}

/* Annotations may total at most 256 KiB. */
static void test_annotation_size(void **state)
{
    (void)state;
    struct sk_val *obj = yaml(CM("name: c", ""));
    size_t n = 256 * 1024 + 1;
    char *big = malloc(n + 1);
    memset(big, 'x', n);
    big[n] = 0;
    sk_obj_set_annotation(obj, "a", big);
    free(big);
    const struct sk_kind *k = kind_of(obj);
    struct sk_causes c = {0};
    assert_false(sk_kind_validate(k, obj, NULL, &c));
    assert_int_equal(c.n, 1);
    assert_string_equal(c.v[0].field, "metadata.annotations");
    assert_string_equal(c.v[0].reason, "FieldValueTooLong");
    assert_string_equal(c.v[0].message, "Too long: may not be more than 262144 bytes");
    sk_causes_free(&c);
    sk_val_free(obj);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_kind_table),
            cmocka_unit_test(test_lookups),
            cmocka_unit_test(test_fields),
            cmocka_unit_test(test_field_descriptions),
            cmocka_unit_test(test_minimal_objects),
            cmocka_unit_test(test_defaults),
            cmocka_unit_test(test_defaults_robust),
            cmocka_unit_test(test_job_selector),
            cmocka_unit_test(test_invalid),
            cmocka_unit_test(test_causes_string),
            cmocka_unit_test(test_metadata_update),
            cmocka_unit_test(test_service_update),
            cmocka_unit_test(test_daemonset_generation),
            cmocka_unit_test(test_status_validation),
            cmocka_unit_test(test_unknown_fields),
            cmocka_unit_test(test_type_errors),
            cmocka_unit_test(test_decode_message),
            cmocka_unit_test(test_name_checks),
            cmocka_unit_test(test_annotation_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
