/* The apps/v1 kinds: Deployment, ReplicaSet, DaemonSet, StatefulSet and
 * ControllerRevision, with their field tables, defaults
 * (pkg/apis/apps/v1/defaults.go) and validation
 * (pkg/apis/apps/validation and the strategies' update rules). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_int.h"
#include "selector.h"

/* ---- field tables ---- */

static const struct sk_field f_apps_RollingUpdateDeployment[] = {
        SK_FLD("maxUnavailable", SK_F_INT_OR_STRING,
               "Pods (or percentage, rounded down) that may be unavailable during the update. "
               "Defaults to 25%."),
        SK_FLD("maxSurge", SK_F_INT_OR_STRING,
               "Pods (or percentage, rounded up) that may exist above replicas during the update. "
               "Defaults to 25%."),
        {0},
};

static const struct sk_field f_apps_DeploymentStrategy[] = {
        SK_FLD("type", SK_F_STRING, "Recreate or RollingUpdate. Defaults to RollingUpdate.",
               .go_type = "v1.DeploymentStrategyType"),
        SK_FLD("rollingUpdate", SK_F_OBJECT, "Parameters of a rolling update.",
               .fields = f_apps_RollingUpdateDeployment,
               .ref = SK_REF_APPS "RollingUpdateDeployment"),
        {0},
};

static const struct sk_field f_apps_DeploymentSpec[] = {
        SK_FLD("replicas", SK_F_INT32, "Desired number of pods. Defaults to 1."),
        SK_FLD("selector", SK_F_OBJECT,
               "Labels of the pods this deployment manages; must match the template's labels and "
               "cannot change.",
               .fields = sk_f_meta_LabelSelector, .ref = SK_REF_META "LabelSelector",
               .flags = SK_FF_REQUIRED),
        SK_FLD("template", SK_F_OBJECT, "Template for new pods; changing it starts a rollout.",
               .fields = sk_f_core_PodTemplateSpec, .ref = SK_REF_CORE "PodTemplateSpec",
               .flags = SK_FF_REQUIRED),
        SK_FLD("strategy", SK_F_OBJECT,
               "How old pods are replaced. Defaults to RollingUpdate with 25% surge and 25% "
               "unavailable.",
               .fields = f_apps_DeploymentStrategy, .ref = SK_REF_APPS "DeploymentStrategy",
               .patch_strategy = "retainKeys"),
        SK_FLD("minReadySeconds", SK_F_INT32,
               "Seconds a new pod must be ready without crashing before it counts as available. "
               "Defaults to 0."),
        SK_FLD("revisionHistoryLimit", SK_F_INT32,
               "How many old revisions to keep for rollback. Defaults to 10."),
        SK_FLD("paused", SK_F_BOOL, "If true, template changes do not start a rollout."),
        SK_FLD("progressDeadlineSeconds", SK_F_INT32,
               "Seconds without progress after which the rollout is reported as failed. Defaults "
               "to 600."),
        {0},
};

static const struct sk_field f_apps_DeploymentCondition[] = {
        SK_FLD("type", SK_F_STRING, "Type of condition: Available, Progressing or ReplicaFailure.",
               .go_type = "v1.DeploymentConditionType", .flags = SK_FF_REQUIRED),
        SK_FLD("status", SK_F_STRING, "True, False or Unknown.", .go_type = "v1.ConditionStatus",
               .flags = SK_FF_REQUIRED),
        SK_FLD("lastUpdateTime", SK_F_TIME, "When the condition was last updated."),
        SK_FLD("lastTransitionTime", SK_F_TIME, "When the condition last changed status."),
        SK_FLD("reason", SK_F_STRING, "Short machine-readable CamelCase reason."),
        SK_FLD("message", SK_F_STRING, "Human-readable explanation."),
        {0},
};

static const struct sk_field f_apps_DeploymentStatus[] = {
        SK_FLD("observedGeneration", SK_F_INT64,
               "The metadata.generation the controller last acted on."),
        SK_FLD("replicas", SK_F_INT32, "Pods targeted by the deployment."),
        SK_FLD("updatedReplicas", SK_F_INT32, "Pods already at the current template revision."),
        SK_FLD("readyReplicas", SK_F_INT32, "Pods with a Ready condition."),
        SK_FLD("availableReplicas", SK_F_INT32, "Pods ready for at least minReadySeconds."),
        SK_FLD("unavailableReplicas", SK_F_INT32,
               "Pods still needed for the deployment to have full capacity."),
        SK_FLD("conditions", SK_F_ARRAY, "Current conditions of the deployment.",
               .elem = SK_F_OBJECT, .fields = f_apps_DeploymentCondition,
               .ref = SK_REF_APPS "DeploymentCondition", .merge_key = "type",
               .patch_strategy = "merge", .list_type = "map", .list_map_keys = sk_lmk_type),
        SK_FLD("collisionCount", SK_F_INT32,
               "Counter the controller uses to avoid name collisions of revisions."),
        {0},
};

static const struct sk_field f_apps_Deployment[] = {
        SK_FLD("kind", SK_F_STRING, "Kind of the object, in CamelCase, e.g. \"Pod\"."),
        SK_FLD("apiVersion", SK_F_STRING,
               "Version of the schema this object is written against, e.g. \"v1\" or \"apps/v1\"."),
        SK_FLD("metadata", SK_F_OBJECT,
               "Standard object metadata: name, namespace, labels, annotations and the fields the "
               "system keeps.",
               .fields = sk_f_meta_ObjectMeta, .ref = SK_REF_META "ObjectMeta"),
        SK_FLD("spec", SK_F_OBJECT, "Desired state of the Deployment.",
               .fields = f_apps_DeploymentSpec, .ref = SK_REF_APPS "DeploymentSpec"),
        SK_FLD("status", SK_F_OBJECT, "Most recently observed state of the Deployment.",
               .fields = f_apps_DeploymentStatus, .ref = SK_REF_APPS "DeploymentStatus",
               .flags = SK_FF_READONLY),
        {0},
};

static const struct sk_field f_apps_ReplicaSetSpec[] = {
        SK_FLD("replicas", SK_F_INT32, "Desired number of pods. Defaults to 1."),
        SK_FLD("minReadySeconds", SK_F_INT32,
               "Seconds a new pod must be ready without crashing before it counts as available. "
               "Defaults to 0."),
        SK_FLD("selector", SK_F_OBJECT,
               "Labels of the pods this replica set manages; must match the template's labels.",
               .fields = sk_f_meta_LabelSelector, .ref = SK_REF_META "LabelSelector",
               .flags = SK_FF_REQUIRED),
        SK_FLD("template", SK_F_OBJECT, "Template for new pods.",
               .fields = sk_f_core_PodTemplateSpec, .ref = SK_REF_CORE "PodTemplateSpec"),
        {0},
};

static const struct sk_field f_apps_ReplicaSetCondition[] = {
        SK_FLD("type", SK_F_STRING, "Type of condition.", .go_type = "v1.ReplicaSetConditionType",
               .flags = SK_FF_REQUIRED),
        SK_FLD("status", SK_F_STRING, "True, False or Unknown.", .go_type = "v1.ConditionStatus",
               .flags = SK_FF_REQUIRED),
        SK_FLD("lastTransitionTime", SK_F_TIME, "When the condition last changed status."),
        SK_FLD("reason", SK_F_STRING, "Short machine-readable CamelCase reason."),
        SK_FLD("message", SK_F_STRING, "Human-readable explanation."),
        {0},
};

static const struct sk_field f_apps_ReplicaSetStatus[] = {
        SK_FLD("replicas", SK_F_INT32, "Most recently observed number of pods.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("fullyLabeledReplicas", SK_F_INT32,
               "Pods whose labels match the template's labels."),
        SK_FLD("readyReplicas", SK_F_INT32, "Pods with a Ready condition."),
        SK_FLD("availableReplicas", SK_F_INT32, "Pods ready for at least minReadySeconds."),
        SK_FLD("observedGeneration", SK_F_INT64,
               "The metadata.generation the controller last acted on."),
        SK_FLD("conditions", SK_F_ARRAY,
               "Latest observations of the object's state, one entry per condition type.",
               .elem = SK_F_OBJECT, .fields = f_apps_ReplicaSetCondition,
               .ref = SK_REF_APPS "ReplicaSetCondition", .merge_key = "type",
               .patch_strategy = "merge", .list_type = "map", .list_map_keys = sk_lmk_type),
        {0},
};

static const struct sk_field f_apps_ReplicaSet[] = {
        SK_FLD("kind", SK_F_STRING, "Kind of the object, in CamelCase, e.g. \"Pod\"."),
        SK_FLD("apiVersion", SK_F_STRING,
               "Version of the schema this object is written against, e.g. \"v1\" or \"apps/v1\"."),
        SK_FLD("metadata", SK_F_OBJECT,
               "Standard object metadata: name, namespace, labels, annotations and the fields the "
               "system keeps.",
               .fields = sk_f_meta_ObjectMeta, .ref = SK_REF_META "ObjectMeta"),
        SK_FLD("spec", SK_F_OBJECT, "Desired state of the ReplicaSet.",
               .fields = f_apps_ReplicaSetSpec, .ref = SK_REF_APPS "ReplicaSetSpec"),
        SK_FLD("status", SK_F_OBJECT, "Most recently observed state of the ReplicaSet.",
               .fields = f_apps_ReplicaSetStatus, .ref = SK_REF_APPS "ReplicaSetStatus",
               .flags = SK_FF_READONLY),
        {0},
};

static const struct sk_field f_apps_RollingUpdateDaemonSet[] = {
        SK_FLD("maxUnavailable", SK_F_INT_OR_STRING,
               "Nodes (or percentage) whose pod may be unavailable during the update. Defaults to "
               "1."),
        SK_FLD("maxSurge", SK_F_INT_OR_STRING,
               "Nodes (or percentage) that may run a new pod next to the old one during the "
               "update. Defaults to 0."),
        {0},
};

static const struct sk_field f_apps_DaemonSetUpdateStrategy[] = {
        SK_FLD("type", SK_F_STRING, "RollingUpdate or OnDelete. Defaults to RollingUpdate.",
               .go_type = "v1.DaemonSetUpdateStrategyType"),
        SK_FLD("rollingUpdate", SK_F_OBJECT, "Parameters of a rolling update.",
               .fields = f_apps_RollingUpdateDaemonSet,
               .ref = SK_REF_APPS "RollingUpdateDaemonSet"),
        {0},
};

static const struct sk_field f_apps_DaemonSetSpec[] = {
        SK_FLD("selector", SK_F_OBJECT,
               "Labels of the pods this daemon set manages; must match the template's labels and "
               "cannot change.",
               .fields = sk_f_meta_LabelSelector, .ref = SK_REF_META "LabelSelector",
               .flags = SK_FF_REQUIRED),
        SK_FLD("template", SK_F_OBJECT, "Template of the pod run on each eligible node.",
               .fields = sk_f_core_PodTemplateSpec, .ref = SK_REF_CORE "PodTemplateSpec",
               .flags = SK_FF_REQUIRED),
        SK_FLD("updateStrategy", SK_F_OBJECT,
               "How pods are replaced when the template changes. Defaults to RollingUpdate with "
               "maxUnavailable 1.",
               .fields = f_apps_DaemonSetUpdateStrategy,
               .ref = SK_REF_APPS "DaemonSetUpdateStrategy"),
        SK_FLD("minReadySeconds", SK_F_INT32,
               "Seconds a new pod must be ready without crashing before it counts as available. "
               "Defaults to 0."),
        SK_FLD("revisionHistoryLimit", SK_F_INT32,
               "How many old revisions to keep for rollback. Defaults to 10."),
        {0},
};

static const struct sk_field f_apps_DaemonSetCondition[] = {
        SK_FLD("type", SK_F_STRING, "Type of condition.", .go_type = "v1.DaemonSetConditionType",
               .flags = SK_FF_REQUIRED),
        SK_FLD("status", SK_F_STRING, "True, False or Unknown.", .go_type = "v1.ConditionStatus",
               .flags = SK_FF_REQUIRED),
        SK_FLD("lastTransitionTime", SK_F_TIME, "When the condition last changed status."),
        SK_FLD("reason", SK_F_STRING, "Short machine-readable CamelCase reason."),
        SK_FLD("message", SK_F_STRING, "Human-readable explanation."),
        {0},
};

static const struct sk_field f_apps_DaemonSetStatus[] = {
        SK_FLD("currentNumberScheduled", SK_F_INT32,
               "Nodes running at least one daemon pod that should.", .flags = SK_FF_REQUIRED),
        SK_FLD("numberMisscheduled", SK_F_INT32, "Nodes running a daemon pod that should not.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("desiredNumberScheduled", SK_F_INT32, "Nodes that should run the daemon pod.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("numberReady", SK_F_INT32, "Nodes whose daemon pod is ready.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("observedGeneration", SK_F_INT64,
               "The metadata.generation the controller last acted on."),
        SK_FLD("updatedNumberScheduled", SK_F_INT32, "Nodes running the updated daemon pod."),
        SK_FLD("numberAvailable", SK_F_INT32,
               "Nodes whose daemon pod has been ready for minReadySeconds."),
        SK_FLD("numberUnavailable", SK_F_INT32,
               "Nodes that should run an available daemon pod and do not."),
        SK_FLD("collisionCount", SK_F_INT32,
               "Counter the controller uses to avoid name collisions of revisions."),
        SK_FLD("conditions", SK_F_ARRAY,
               "Latest observations of the object's state, one entry per condition type.",
               .elem = SK_F_OBJECT, .fields = f_apps_DaemonSetCondition,
               .ref = SK_REF_APPS "DaemonSetCondition", .merge_key = "type",
               .patch_strategy = "merge", .list_type = "map", .list_map_keys = sk_lmk_type),
        {0},
};

static const struct sk_field f_apps_DaemonSet[] = {
        SK_FLD("kind", SK_F_STRING, "Kind of the object, in CamelCase, e.g. \"Pod\"."),
        SK_FLD("apiVersion", SK_F_STRING,
               "Version of the schema this object is written against, e.g. \"v1\" or \"apps/v1\"."),
        SK_FLD("metadata", SK_F_OBJECT,
               "Standard object metadata: name, namespace, labels, annotations and the fields the "
               "system keeps.",
               .fields = sk_f_meta_ObjectMeta, .ref = SK_REF_META "ObjectMeta"),
        SK_FLD("spec", SK_F_OBJECT, "Desired state of the DaemonSet.",
               .fields = f_apps_DaemonSetSpec, .ref = SK_REF_APPS "DaemonSetSpec"),
        SK_FLD("status", SK_F_OBJECT, "Most recently observed state of the DaemonSet.",
               .fields = f_apps_DaemonSetStatus, .ref = SK_REF_APPS "DaemonSetStatus",
               .flags = SK_FF_READONLY),
        {0},
};

static const struct sk_field f_apps_RollingUpdateStatefulSetStrategy[] = {
        SK_FLD("partition", SK_F_INT32,
               "Only pods with an ordinal at or above this are updated. Defaults to 0."),
        SK_FLD("maxUnavailable", SK_F_INT_OR_STRING,
               "Pods (or percentage) that may be unavailable during the update. Defaults to 1."),
        {0},
};

static const struct sk_field f_apps_StatefulSetUpdateStrategy[] = {
        SK_FLD("type", SK_F_STRING, "RollingUpdate or OnDelete. Defaults to RollingUpdate.",
               .go_type = "v1.StatefulSetUpdateStrategyType"),
        SK_FLD("rollingUpdate", SK_F_OBJECT, "Parameters of a rolling update.",
               .fields = f_apps_RollingUpdateStatefulSetStrategy,
               .ref = SK_REF_APPS "RollingUpdateStatefulSetStrategy"),
        {0},
};

static const struct sk_field f_apps_StatefulSetPersistentVolumeClaimRetentionPolicy[] = {
        SK_FLD("whenDeleted", SK_F_STRING,
               "Retain or Delete the claims when the stateful set is deleted.",
               .go_type = "v1.PersistentVolumeClaimRetentionPolicyType"),
        SK_FLD("whenScaled", SK_F_STRING,
               "Retain or Delete the claims of pods removed by scaling down.",
               .go_type = "v1.PersistentVolumeClaimRetentionPolicyType"),
        {0},
};

static const struct sk_field f_apps_StatefulSetOrdinals[] = {
        SK_FLD("start", SK_F_INT32, "Ordinal of the first pod. Defaults to 0."),
        {0},
};

static const struct sk_field f_apps_StatefulSetSpec[] = {
        SK_FLD("replicas", SK_F_INT32, "Desired number of pods. Defaults to 1."),
        SK_FLD("selector", SK_F_OBJECT,
               "Labels of the pods this stateful set manages; must match the template's labels.",
               .fields = sk_f_meta_LabelSelector, .ref = SK_REF_META "LabelSelector",
               .flags = SK_FF_REQUIRED),
        SK_FLD("template", SK_F_OBJECT,
               "Template for the pods, each named <statefulset>-<ordinal>.",
               .fields = sk_f_core_PodTemplateSpec, .ref = SK_REF_CORE "PodTemplateSpec",
               .flags = SK_FF_REQUIRED),
        SK_FLD("volumeClaimTemplates", SK_F_ARRAY,
               "Claims made for each pod, named <template>-<statefulset>-<ordinal>.",
               .elem = SK_F_OBJECT, .fields = sk_f_core_PersistentVolumeClaim,
               .ref = SK_REF_CORE "PersistentVolumeClaim", .list_type = "atomic"),
        SK_FLD("serviceName", SK_F_STRING, "Headless service giving the pods their DNS names.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("podManagementPolicy", SK_F_STRING,
               "OrderedReady (the default: one pod at a time, in order) or Parallel.",
               .go_type = "v1.PodManagementPolicyType"),
        SK_FLD("updateStrategy", SK_F_OBJECT,
               "How pods are replaced when the template changes. Defaults to RollingUpdate.",
               .fields = f_apps_StatefulSetUpdateStrategy,
               .ref = SK_REF_APPS "StatefulSetUpdateStrategy"),
        SK_FLD("revisionHistoryLimit", SK_F_INT32,
               "How many old revisions to keep for rollback. Defaults to 10."),
        SK_FLD("minReadySeconds", SK_F_INT32,
               "Seconds a new pod must be ready without crashing before it counts as available. "
               "Defaults to 0."),
        SK_FLD("persistentVolumeClaimRetentionPolicy", SK_F_OBJECT,
               "What happens to the claims from volumeClaimTemplates when pods are removed. "
               "Defaults to Retain.",
               .fields = f_apps_StatefulSetPersistentVolumeClaimRetentionPolicy,
               .ref = SK_REF_APPS "StatefulSetPersistentVolumeClaimRetentionPolicy"),
        SK_FLD("ordinals", SK_F_OBJECT, "Numbering of the pods.",
               .fields = f_apps_StatefulSetOrdinals, .ref = SK_REF_APPS "StatefulSetOrdinals"),
        {0},
};

static const struct sk_field f_apps_StatefulSetCondition[] = {
        SK_FLD("type", SK_F_STRING, "Type of condition.", .go_type = "v1.StatefulSetConditionType",
               .flags = SK_FF_REQUIRED),
        SK_FLD("status", SK_F_STRING, "True, False or Unknown.", .go_type = "v1.ConditionStatus",
               .flags = SK_FF_REQUIRED),
        SK_FLD("lastTransitionTime", SK_F_TIME, "When the condition last changed status."),
        SK_FLD("reason", SK_F_STRING, "Short machine-readable CamelCase reason."),
        SK_FLD("message", SK_F_STRING, "Human-readable explanation."),
        {0},
};

static const struct sk_field f_apps_StatefulSetStatus[] = {
        SK_FLD("observedGeneration", SK_F_INT64,
               "The metadata.generation the controller last acted on."),
        SK_FLD("replicas", SK_F_INT32, "Pods created by the stateful set.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("readyReplicas", SK_F_INT32, "Pods with a Ready condition."),
        SK_FLD("currentReplicas", SK_F_INT32, "Current number of pods."),
        SK_FLD("updatedReplicas", SK_F_INT32, "Pods already at the current template revision."),
        SK_FLD("currentRevision", SK_F_STRING, "Revision the current pods were created from."),
        SK_FLD("updateRevision", SK_F_STRING, "Revision of the current template."),
        SK_FLD("collisionCount", SK_F_INT32,
               "Counter the controller uses to avoid name collisions of revisions."),
        SK_FLD("conditions", SK_F_ARRAY,
               "Latest observations of the object's state, one entry per condition type.",
               .elem = SK_F_OBJECT, .fields = f_apps_StatefulSetCondition,
               .ref = SK_REF_APPS "StatefulSetCondition", .merge_key = "type",
               .patch_strategy = "merge", .list_type = "map", .list_map_keys = sk_lmk_type),
        SK_FLD("availableReplicas", SK_F_INT32, "Pods ready for at least minReadySeconds."),
        {0},
};

static const struct sk_field f_apps_StatefulSet[] = {
        SK_FLD("kind", SK_F_STRING, "Kind of the object, in CamelCase, e.g. \"Pod\"."),
        SK_FLD("apiVersion", SK_F_STRING,
               "Version of the schema this object is written against, e.g. \"v1\" or \"apps/v1\"."),
        SK_FLD("metadata", SK_F_OBJECT,
               "Standard object metadata: name, namespace, labels, annotations and the fields the "
               "system keeps.",
               .fields = sk_f_meta_ObjectMeta, .ref = SK_REF_META "ObjectMeta"),
        SK_FLD("spec", SK_F_OBJECT, "Desired state of the StatefulSet.",
               .fields = f_apps_StatefulSetSpec, .ref = SK_REF_APPS "StatefulSetSpec"),
        SK_FLD("status", SK_F_OBJECT, "Most recently observed state of the StatefulSet.",
               .fields = f_apps_StatefulSetStatus, .ref = SK_REF_APPS "StatefulSetStatus",
               .flags = SK_FF_READONLY),
        {0},
};

static const struct sk_field f_apps_ControllerRevision[] = {
        SK_FLD("kind", SK_F_STRING, "Kind of the object, in CamelCase, e.g. \"Pod\"."),
        SK_FLD("apiVersion", SK_F_STRING,
               "Version of the schema this object is written against, e.g. \"v1\" or \"apps/v1\"."),
        SK_FLD("metadata", SK_F_OBJECT,
               "Standard object metadata: name, namespace, labels, annotations and the fields the "
               "system keeps.",
               .fields = sk_f_meta_ObjectMeta, .ref = SK_REF_META "ObjectMeta"),
        SK_FLD("data", SK_F_ANY, "Serialized state of the revision."),
        SK_FLD("revision", SK_F_INT64, "Revision number.", .flags = SK_FF_REQUIRED),
        {0},
};

/* ---- defaults ---- */

static void template_defaults(struct sk_val *spec)
{
    sk_default_podspec(sk_map_get(sk_map_get(spec, "template"), "spec"));
}

static void deployment_defaults(struct sk_val *obj)
{
    struct sk_val *spec = sk_dmap(obj, "spec");
    if (!spec) return;
    sk_dint(spec, "replicas", 1);
    struct sk_val *st = sk_dmap(spec, "strategy");
    sk_dstr0(st, "type", "RollingUpdate");
    if (sk_streq(sk_gets(st, "type"), "RollingUpdate")) {
        struct sk_val *ru = sk_dmap(st, "rollingUpdate");
        sk_dstr(ru, "maxUnavailable", "25%");
        sk_dstr(ru, "maxSurge", "25%");
    }
    sk_dint(spec, "revisionHistoryLimit", 10);
    sk_dint(spec, "progressDeadlineSeconds", 600);
    template_defaults(spec);
}

static void replicaset_defaults(struct sk_val *obj)
{
    struct sk_val *spec = sk_dmap(obj, "spec");
    sk_dint(spec, "replicas", 1);
    template_defaults(spec);
}

static void daemonset_defaults(struct sk_val *obj)
{
    struct sk_val *spec = sk_dmap(obj, "spec");
    if (!spec) return;
    struct sk_val *us = sk_dmap(spec, "updateStrategy");
    sk_dstr0(us, "type", "RollingUpdate");
    if (sk_streq(sk_gets(us, "type"), "RollingUpdate")) {
        struct sk_val *ru = sk_dmap(us, "rollingUpdate");
        sk_dint(ru, "maxUnavailable", 1);
        sk_dint(ru, "maxSurge", 0);
    }
    sk_dint(spec, "revisionHistoryLimit", 10);
    template_defaults(spec);
}

/* apps/v1 carries the internal spec.templateGeneration as this
 * annotation: 1 on create, one more whenever the template changes. */
#define DS_TEMPLATE_GENERATION "deprecated.daemonset.template.generation"

static int64_t template_generation(const struct sk_val *obj)
{
    const char *s = sk_obj_annotation(obj, DS_TEMPLATE_GENERATION);
    char *end = NULL;
    long long g = s ? strtoll(s, &end, 10) : 0;
    return s && *s && end && !*end ? (int64_t)g : 0;
}

static void set_template_generation(struct sk_val *obj, int64_t g)
{
    if (!sk_val_is(sk_map_get(obj, "metadata"), SK_V_MAP)) return;
    char buf[24];
    snprintf(buf, sizeof buf, "%" PRId64, g);
    sk_obj_set_annotation(obj, DS_TEMPLATE_GENERATION, buf);
}

static void daemonset_prepare_create(struct sk_val *obj)
{
    if (template_generation(obj) < 1) set_template_generation(obj, 1);
}

static void daemonset_prepare_update(struct sk_val *obj, const struct sk_val *old)
{
    int64_t g = template_generation(old);
    const struct sk_val *nt = sk_getm(sk_getm(obj, "spec"), "template");
    const struct sk_val *ot = sk_getm(sk_getm(old, "spec"), "template");
    if (!sk_sem_equal(nt, ot)) g++;
    set_template_generation(obj, g);
}

static void statefulset_defaults(struct sk_val *obj)
{
    struct sk_val *spec = sk_dmap(obj, "spec");
    if (!spec) return;
    sk_dstr0(spec, "podManagementPolicy", "OrderedReady");
    struct sk_val *us = sk_dmap(spec, "updateStrategy");
    if (us && !*sk_gets0(us, "type")) {
        sk_map_set(us, "type", sk_val_str("RollingUpdate"));
        sk_dmap(us, "rollingUpdate");
    }
    struct sk_val *ru = sk_map_get(us, "rollingUpdate");
    if (sk_streq(sk_gets(us, "type"), "RollingUpdate") && ru && ru->type == SK_V_MAP)
        sk_dint(ru, "partition", 0);
    struct sk_val *rp = sk_dmap(spec, "persistentVolumeClaimRetentionPolicy");
    sk_dstr0(rp, "whenDeleted", "Retain");
    sk_dstr0(rp, "whenScaled", "Retain");
    sk_dint(spec, "replicas", 1);
    sk_dint(spec, "revisionHistoryLimit", 10);
    template_defaults(spec);
    struct sk_val *vcts = sk_map_get(spec, "volumeClaimTemplates");
    for (size_t i = 0; i < sk_alen(vcts); i++) {
        struct sk_val *pvc = vcts->u.a.items[i];
        sk_dstr0(sk_dmap(pvc, "status"), "phase", "Pending");
        sk_default_pvc_spec(sk_dmap(pvc, "spec"));
    }
}

/* ---- validation ---- */

static void percent_or_int(struct sk_vctx *v, const char *child, const struct sk_val *val)
{
    if (!val) return;
    if (val->type == SK_V_STR) {
        const char *msgs[SK_MAXMSGS];
        size_t n = sk_percent_msgs(val->u.s.p, msgs);
        _sk_cleanup_free_ char *f = sk_gofmt_intstr(val);
        for (size_t i = 0; i < n; i++)
            sk_vinvalid(v, child, f, "%s", msgs[i]);
    } else if (val->type == SK_V_INT && val->u.i < 0) {
        sk_vinvalid_int(v, child, val->u.i, "must be greater than or equal to 0");
    }
}

/* getIntOrPercentValue: the number of a valid percent, else the integer. */
static int64_t int_or_percent(const struct sk_val *val)
{
    if (!val) return 0;
    if (val->type == SK_V_INT) return val->u.i;
    const char *msgs[SK_MAXMSGS];
    if (val->type == SK_V_STR && !sk_percent_msgs(val->u.s.p, msgs))
        return strtoll(val->u.s.p, NULL, 10);
    return 0;
}

static void not_over_100(struct sk_vctx *v, const char *child, const struct sk_val *val)
{
    const char *msgs[SK_MAXMSGS];
    if (!val || val->type != SK_V_STR || sk_percent_msgs(val->u.s.p, msgs)) return;
    if (strtoll(val->u.s.p, NULL, 10) > 100) {
        _sk_cleanup_free_ char *f = sk_gofmt_intstr(val);
        sk_vinvalid(v, child, f, "must not be greater than 100%%");
    }
}

/* Selector checks shared by the workloads; what names the kind in the
 * empty-selector message. Returns the selector when it parses. */
static void workload_selector(struct sk_vctx *v, const struct sk_val *spec, bool required,
                              const char *what, bool *usable)
{
    const struct sk_val *sel = sk_get(spec, "selector");
    *usable = true;
    if (!sel) {
        if (required) sk_vrequired(v, "selector", "%s", "");
        return;
    }
    sk_vlabelsel(v, "selector", sel);
    if (sk_mlen(sk_getm(sel, "matchLabels")) + sk_alen(sk_geta(sel, "matchExpressions")) == 0) {
        _sk_cleanup_free_ char *f = sk_gofmt_selector(sel);
        sk_vinvalid(v, "selector", f, "empty selector is invalid for %s", what);
    }
    struct sk_labelsel *ls = NULL;
    if (sk_labelsel_from_val(sel, &ls, NULL) != SK_OK) {
        *usable = false;
        _sk_cleanup_free_ char *f = sk_gofmt_selector(sel);
        sk_vinvalid(v, "selector", f, "invalid label selector");
    }
    sk_labelsel_free(ls);
}

/* ValidatePodTemplateSpecForReplicaSet and its relatives, at spec. */
static void workload_template(struct sk_vctx *v, const struct sk_val *spec, bool check_match,
                              const char *kindword, bool full)
{
    const struct sk_val *tmpl = sk_getm(spec, "template"), *sel = sk_get(spec, "selector");
    size_t mark = sk_vpush(v, "template");
    const struct sk_val *labels = sk_getm(sk_getm(tmpl, "metadata"), "labels");
    /* A missing selector selects nothing, an empty one everything. */
    bool empty =
            sel &&
            sk_mlen(sk_getm(sel, "matchLabels")) + sk_alen(sk_geta(sel, "matchExpressions")) == 0;
    if (check_match && !empty && (!sel || !sk_selector_matches(sel, labels))) {
        _sk_cleanup_free_ char *f = sk_gofmt_strmap(labels);
        sk_vinvalid(v, "metadata.labels", f, "`selector` does not match template `labels`");
    }
    if (full) {
        sk_validate_pod_template(v, tmpl);
    } else {
        /* StatefulSet templates get only their metadata checked here. */
        const struct sk_val *meta = sk_getm(tmpl, "metadata");
        sk_vlabels(v, "labels", sk_getm(meta, "labels"));
        sk_vannotations(v, "annotations", sk_getm(meta, "annotations"));
    }
    const struct sk_val *ts = sk_getm(tmpl, "spec");
    const char *rp = sk_gets0(ts, "restartPolicy");
    static const char *const always[] = {"Always", NULL};
    if (strcmp(rp, "Always")) sk_vnotsupported_str(v, "spec.restartPolicy", rp, always);
    if (sk_has(ts, "activeDeadlineSeconds"))
        sk_vforbidden(v, "spec.activeDeadlineSeconds",
                      "activeDeadlineSeconds in %s is not Supported", kindword);
    sk_vpop(v, mark);
}

static void selector_immutable(struct sk_vctx *v, const struct sk_val *obj,
                               const struct sk_val *old)
{
    const struct sk_val *ns = sk_get(sk_getm(obj, "spec"), "selector");
    const struct sk_val *os = sk_get(sk_getm(old, "spec"), "selector");
    if (sk_sem_equal(ns, os)) return;
    _sk_cleanup_free_ char *f = sk_gofmt_selector(ns);
    sk_vinvalid(v, "spec.selector", f, "field is immutable");
}

static void deployment_validate(const struct sk_val *obj, const struct sk_val *old,
                                struct sk_causes *c)
{
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    if (old) selector_immutable(&v, obj, old);
    const struct sk_val *spec = sk_getm(obj, "spec");
    size_t mark = sk_vpush(&v, "spec");
    sk_vnonneg(&v, spec, "replicas");
    bool usable;
    workload_selector(&v, spec, true, "deployment", &usable);
    if (usable) workload_template(&v, spec, true, "ReplicaSet", true);
    const struct sk_val *st = sk_getm(spec, "strategy");
    const char *type = sk_gets0(st, "type");
    size_t m2 = sk_vpush(&v, "strategy");
    const struct sk_val *ru = sk_getm(st, "rollingUpdate");
    if (!strcmp(type, "Recreate")) {
        if (ru)
            sk_vforbidden(&v, "rollingUpdate",
                          "may not be specified when strategy `type` is 'Recreate'");
    } else if (!strcmp(type, "RollingUpdate")) {
        if (!ru) {
            sk_vrequired(&v, "rollingUpdate", "this should be defaulted and never be nil");
        } else {
            size_t m3 = sk_vpush(&v, "rollingUpdate");
            const struct sk_val *mu = sk_get(ru, "maxUnavailable"), *ms = sk_get(ru, "maxSurge");
            percent_or_int(&v, "maxUnavailable", mu);
            percent_or_int(&v, "maxSurge", ms);
            if (int_or_percent(mu) == 0 && int_or_percent(ms) == 0) {
                _sk_cleanup_free_ char *f = sk_gofmt_intstr(mu);
                sk_vinvalid(&v, "maxUnavailable", f, "may not be 0 when `maxSurge` is 0");
            }
            not_over_100(&v, "maxUnavailable", mu);
            sk_vpop(&v, m3);
        }
    } else {
        static const char *const types[] = {"Recreate", "RollingUpdate", NULL};
        _sk_cleanup_free_ char *q = sk_gofmt_str(type);
        _sk_cleanup_free_ char *f =
                sk_xasprintf("apps.DeploymentStrategy{Type:%s, "
                             "RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}",
                             q);
        sk_vnotsupported(&v, NULL, f, types);
    }
    sk_vpop(&v, m2);
    sk_vnonneg(&v, spec, "minReadySeconds");
    sk_vnonneg(&v, spec, "revisionHistoryLimit");
    int64_t pds;
    if (sk_geti(spec, "progressDeadlineSeconds", &pds)) {
        sk_vnonneg(&v, spec, "progressDeadlineSeconds");
        if (pds <= sk_geti0(spec, "minReadySeconds"))
            sk_vinvalid_int(&v, "progressDeadlineSeconds", pds,
                            "must be greater than minReadySeconds");
    }
    sk_vpop(&v, mark);
    sk_vctx_free(&v);
}

static void replicaset_validate(const struct sk_val *obj, const struct sk_val *old,
                                struct sk_causes *c)
{
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    if (old) selector_immutable(&v, obj, old);
    const struct sk_val *spec = sk_getm(obj, "spec");
    size_t mark = sk_vpush(&v, "spec");
    sk_vnonneg(&v, spec, "replicas");
    sk_vnonneg(&v, spec, "minReadySeconds");
    bool usable;
    /* Kubernetes says "deployment" here too. */
    workload_selector(&v, spec, true, "deployment", &usable);
    if (usable) workload_template(&v, spec, true, "ReplicaSet", true);
    sk_vpop(&v, mark);
    sk_vctx_free(&v);
}

static void daemonset_validate(const struct sk_val *obj, const struct sk_val *old,
                               struct sk_causes *c)
{
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    if (old) selector_immutable(&v, obj, old);
    const struct sk_val *spec = sk_getm(obj, "spec");
    size_t mark = sk_vpush(&v, "spec");
    const struct sk_val *sel = sk_get(spec, "selector");
    sk_vlabelsel(&v, "selector", sel);
    const struct sk_val *labels = sk_getm(sk_getm(sk_getm(spec, "template"), "metadata"), "labels");
    struct sk_labelsel *ls = NULL;
    if (sk_labelsel_from_val(sel, &ls, NULL) == SK_OK && !sk_labelsel_matches(ls, labels)) {
        _sk_cleanup_free_ char *f = sk_gofmt_strmap(labels);
        sk_vinvalid(&v, "template.metadata.labels", f,
                    "`selector` does not match template `labels`");
    }
    sk_labelsel_free(ls);
    if (sel &&
        sk_mlen(sk_getm(sel, "matchLabels")) + sk_alen(sk_geta(sel, "matchExpressions")) == 0) {
        _sk_cleanup_free_ char *f = sk_gofmt_selector(sel);
        sk_vinvalid(&v, "selector", f, "empty selector is invalid for daemonset");
    }
    workload_template(&v, spec, false, "DaemonSet", true);
    sk_vnonneg(&v, spec, "minReadySeconds");
    sk_vnonneg(&v, spec, "templateGeneration");
    const struct sk_val *us = sk_getm(spec, "updateStrategy");
    const char *type = sk_gets0(us, "type");
    size_t m2 = sk_vpush(&v, "updateStrategy");
    if (!strcmp(type, "RollingUpdate")) {
        const struct sk_val *ru = sk_getm(us, "rollingUpdate");
        if (!ru) {
            sk_vrequired(&v, "rollingUpdate", "%s", "");
        } else {
            size_t m3 = sk_vpush(&v, "rollingUpdate");
            const struct sk_val *mu = sk_get(ru, "maxUnavailable"), *ms = sk_get(ru, "maxSurge");
            percent_or_int(&v, "maxUnavailable", mu);
            percent_or_int(&v, "maxSurge", ms);
            not_over_100(&v, "maxUnavailable", mu);
            not_over_100(&v, "maxSurge", ms);
            bool hu = int_or_percent(mu) != 0, hs = int_or_percent(ms) != 0;
            if (hu && hs) {
                _sk_cleanup_free_ char *f = sk_gofmt_intstr(ms);
                sk_vinvalid(&v, "maxSurge", f, "may not be set when maxUnavailable is non-zero");
            } else if (!hu && !hs) {
                sk_vrequired(&v, "maxUnavailable", "cannot be 0 when maxSurge is 0");
            }
            sk_vpop(&v, m3);
        }
    } else if (strcmp(type, "OnDelete")) {
        static const char *const types[] = {"RollingUpdate", "OnDelete", NULL};
        _sk_cleanup_free_ char *q = sk_gofmt_str(type);
        _sk_cleanup_free_ char *f =
                sk_xasprintf("apps.DaemonSetUpdateStrategy{Type:%s, "
                             "RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}",
                             q);
        sk_vnotsupported(&v, NULL, f, types);
    }
    sk_vpop(&v, m2);
    sk_vnonneg(&v, spec, "revisionHistoryLimit");
    sk_vpop(&v, mark);
    sk_vctx_free(&v);
}

static void statefulset_spec(struct sk_vctx *v, const struct sk_val *spec)
{
    /* the pods' DNS subdomain; required as the workload issue asks */
    if (!*sk_gets0(spec, "serviceName")) sk_vrequired(v, "serviceName", "%s", "");
    const char *pmp = sk_gets0(spec, "podManagementPolicy");
    if (!*pmp)
        sk_vrequired(v, "podManagementPolicy", "%s", "");
    else if (strcmp(pmp, "OrderedReady") && strcmp(pmp, "Parallel"))
        sk_vinvalid_str(v, "podManagementPolicy", pmp, "must be 'OrderedReady' or 'Parallel'");
    const struct sk_val *us = sk_getm(spec, "updateStrategy");
    const char *type = sk_gets0(us, "type");
    const struct sk_val *ru = sk_getm(us, "rollingUpdate");
    if (!*type) {
        sk_vrequired(v, "updateStrategy", "%s", "");
    } else if (!strcmp(type, "OnDelete")) {
        if (ru) {
            _sk_cleanup_free_ char *f = sk_gofmt_val(ru);
            sk_vinvalid(v, "updateStrategy.rollingUpdate", f,
                        "only allowed for updateStrategy 'RollingUpdate'");
        }
    } else if (!strcmp(type, "RollingUpdate")) {
        if (ru) {
            size_t m = sk_vpush(v, "updateStrategy.rollingUpdate");
            sk_vnonneg(v, ru, "partition");
            const struct sk_val *mu = sk_get(ru, "maxUnavailable");
            if (mu) {
                percent_or_int(v, "maxUnavailable", mu);
                if (int_or_percent(mu) == 0) {
                    _sk_cleanup_free_ char *f = sk_gofmt_intstr(mu);
                    sk_vinvalid(v, "maxUnavailable", f, "cannot be 0");
                }
                not_over_100(v, "maxUnavailable", mu);
            }
            sk_vpop(v, m);
        }
    } else {
        _sk_cleanup_free_ char *q = sk_gofmt_str(type);
        _sk_cleanup_free_ char *f =
                sk_xasprintf("apps.StatefulSetUpdateStrategy{Type:%s, "
                             "RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}",
                             q);
        sk_vinvalid(v, "updateStrategy", f, "must be 'RollingUpdate' or 'OnDelete'");
    }
    const struct sk_val *rp = sk_getm(spec, "persistentVolumeClaimRetentionPolicy");
    if (rp) {
        static const char *const pols[] = {"Retain", "Delete", NULL};
        static const char *const keys[] = {"whenDeleted", "whenScaled", NULL};
        size_t m = sk_vpush(v, "persistentVolumeClaimRetentionPolicy");
        for (size_t i = 0; keys[i]; i++) {
            const char *p = sk_gets0(rp, keys[i]);
            if (!sk_str_in(p, pols)) sk_vnotsupported_str(v, keys[i], p, pols);
        }
        sk_vpop(v, m);
    }
    sk_vnonneg(v, spec, "replicas");
    sk_vnonneg(v, spec, "minReadySeconds");
    int64_t start;
    if (sk_geti(sk_getm(spec, "ordinals"), "start", &start) && start < 0)
        sk_vinvalid_int(v, "ordinals.start", start, "must be greater than or equal to 0");
    bool usable;
    workload_selector(v, spec, true, "statefulset", &usable);
    if (usable) workload_template(v, spec, true, "StatefulSet", false);
}

static void statefulset_validate(const struct sk_val *obj, const struct sk_val *old,
                                 struct sk_causes *c)
{
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    const struct sk_val *spec = sk_getm(obj, "spec");
    size_t mark = sk_vpush(&v, "spec");
    statefulset_spec(&v, spec);
    sk_vpop(&v, mark);
    if (old) {
        static const char *const mutable_fields[] = {"replicas",
                                                     "template",
                                                     "updateStrategy",
                                                     "minReadySeconds",
                                                     "ordinals",
                                                     "persistentVolumeClaimRetentionPolicy",
                                                     NULL};
        const struct sk_val *os = sk_getm(old, "spec");
        struct sk_val *a = sk_val_map(), *b = sk_val_map();
        for (size_t i = 0; i < sk_mlen(spec); i++)
            if (!sk_str_in(spec->u.m.kv[i].key, mutable_fields))
                sk_map_set(a, spec->u.m.kv[i].key, sk_val_dup(spec->u.m.kv[i].val));
        for (size_t i = 0; i < sk_mlen(os); i++)
            if (!sk_str_in(os->u.m.kv[i].key, mutable_fields))
                sk_map_set(b, os->u.m.kv[i].key, sk_val_dup(os->u.m.kv[i].val));
        if (!sk_sem_equal(a, b))
            sk_vforbidden(
                    &v, "spec",
                    "updates to statefulset spec for fields other than 'replicas', 'ordinals', "
                    "'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and "
                    "'minReadySeconds' are forbidden");
        sk_val_free(a);
        sk_val_free(b);
    }
    sk_vctx_free(&v);
}

static void controllerrevision_validate(const struct sk_val *obj, const struct sk_val *old,
                                        struct sk_causes *c)
{
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    if (!sk_has(obj, "data")) sk_vrequired(&v, "data", "data is mandatory");
    sk_vnonneg(&v, obj, "revision");
    if (old) sk_vimmutable(&v, obj, old, "data");
    sk_vctx_free(&v);
}

/* Status counts: each non-negative, and none above status.replicas. */
static void replica_status(struct sk_vctx *v, const struct sk_val *st, const char *const *nonneg,
                           const char *const *at_most_replicas, bool avail_vs_ready,
                           const char *ready_msg)
{
    size_t mark = sk_vpush(v, "status");
    for (size_t i = 0; nonneg[i]; i++)
        sk_vnonneg(v, st, nonneg[i]);
    int64_t r = sk_geti0(st, "replicas");
    for (size_t i = 0; at_most_replicas[i]; i++) {
        int64_t x = sk_geti0(st, at_most_replicas[i]);
        if (x > r)
            sk_vinvalid_int(v, at_most_replicas[i], x, "cannot be greater than status.replicas");
    }
    int64_t ar = sk_geti0(st, "availableReplicas"), rr = sk_geti0(st, "readyReplicas");
    if (avail_vs_ready && ar > rr) sk_vinvalid_int(v, "availableReplicas", ar, "%s", ready_msg);
    sk_vpop(v, mark);
}

static void collision_count(struct sk_vctx *v, const struct sk_val *obj, const struct sk_val *old)
{
    int64_t n = 0, o;
    bool hn = sk_geti(sk_getm(obj, "status"), "collisionCount", &n);
    if (sk_geti(sk_getm(old, "status"), "collisionCount", &o) && (!hn || n < o))
        sk_vinvalid_int(v, "status.collisionCount", hn ? n : 0, "cannot be decremented");
}

static void deployment_validate_status(const struct sk_val *obj, const struct sk_val *old,
                                       struct sk_causes *c)
{
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    static const char *const nn[] = {"observedGeneration", "replicas",
                                     "updatedReplicas",    "readyReplicas",
                                     "availableReplicas",  "unavailableReplicas",
                                     "collisionCount",     NULL};
    static const char *const le[] = {"updatedReplicas", "readyReplicas", "availableReplicas", NULL};
    replica_status(&v, sk_getm(obj, "status"), nn, le, true,
                   "cannot be greater than readyReplicas");
    collision_count(&v, obj, old);
    sk_vctx_free(&v);
}

static void replicaset_validate_status(const struct sk_val *obj, const struct sk_val *old,
                                       struct sk_causes *c)
{
    (void)old;
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    static const char *const nn[] = {"replicas",          "fullyLabeledReplicas", "readyReplicas",
                                     "availableReplicas", "observedGeneration",   NULL};
    static const char *const le[] = {"fullyLabeledReplicas", "readyReplicas", "availableReplicas",
                                     NULL};
    replica_status(&v, sk_getm(obj, "status"), nn, le, true,
                   "cannot be greater than readyReplicas");
    sk_vctx_free(&v);
}

static void daemonset_validate_status(const struct sk_val *obj, const struct sk_val *old,
                                      struct sk_causes *c)
{
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    static const char *const nn[] = {"currentNumberScheduled", "numberMisscheduled",
                                     "desiredNumberScheduled", "numberReady",
                                     "observedGeneration",     "updatedNumberScheduled",
                                     "numberAvailable",        "numberUnavailable",
                                     "collisionCount",         NULL};
    static const char *const le[] = {NULL};
    replica_status(&v, sk_getm(obj, "status"), nn, le, false, "");
    collision_count(&v, obj, old);
    sk_vctx_free(&v);
}

static void statefulset_validate_status(const struct sk_val *obj, const struct sk_val *old,
                                        struct sk_causes *c)
{
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    static const char *const nn[] = {
            "replicas",          "readyReplicas",      "currentReplicas", "updatedReplicas",
            "availableReplicas", "observedGeneration", "collisionCount",  NULL};
    static const char *const le[] = {"readyReplicas", "currentReplicas", "updatedReplicas",
                                     "availableReplicas", NULL};
    replica_status(&v, sk_getm(obj, "status"), nn, le, true,
                   "cannot be greater than status.readyReplicas");
    collision_count(&v, obj, old);
    sk_vctx_free(&v);
}

/* ---- kinds ---- */

static const char *const cat_all[] = {"all", NULL};
static const char *const sn_deploy[] = {"deploy", NULL}, *const sn_rs[] = {"rs", NULL},
                         *const sn_ds[] = {"ds", NULL}, *const sn_sts[] = {"sts", NULL};

const struct sk_kind sk_kind_deployment = {
        .group = "apps",
        .version = "v1",
        .kind = "Deployment",
        .list_kind = "DeploymentList",
        .plural = "deployments",
        .singular = "deployment",
        .short_names = sn_deploy,
        .categories = cat_all,
        .namespaced = true,
        .has_status = true,
        .has_scale = true,
        .fields = f_apps_Deployment,
        .description = "Runs replicas of a pod template and rolls out changes to it through "
                       "replica sets.",
        .ref = SK_REF_APPS "Deployment",
        .defaults = deployment_defaults,
        .validate = deployment_validate,
        .validate_status = deployment_validate_status,
};

const struct sk_kind sk_kind_replicaset = {
        .group = "apps",
        .version = "v1",
        .kind = "ReplicaSet",
        .list_kind = "ReplicaSetList",
        .plural = "replicasets",
        .singular = "replicaset",
        .short_names = sn_rs,
        .categories = cat_all,
        .namespaced = true,
        .has_status = true,
        .has_scale = true,
        .fields = f_apps_ReplicaSet,
        .description = "Keeps a number of pods of one template running; usually owned by a "
                       "deployment.",
        .ref = SK_REF_APPS "ReplicaSet",
        .defaults = replicaset_defaults,
        .validate = replicaset_validate,
        .validate_status = replicaset_validate_status,
};

const struct sk_kind sk_kind_daemonset = {
        .group = "apps",
        .version = "v1",
        .kind = "DaemonSet",
        .list_kind = "DaemonSetList",
        .plural = "daemonsets",
        .singular = "daemonset",
        .short_names = sn_ds,
        .categories = cat_all,
        .namespaced = true,
        .has_status = true,
        .fields = f_apps_DaemonSet,
        .description = "Runs one pod of a template on every eligible node.",
        .ref = SK_REF_APPS "DaemonSet",
        .defaults = daemonset_defaults,
        .prepare_create = daemonset_prepare_create,
        .prepare_update = daemonset_prepare_update,
        .validate = daemonset_validate,
        .validate_status = daemonset_validate_status,
};

const struct sk_kind sk_kind_statefulset = {
        .group = "apps",
        .version = "v1",
        .kind = "StatefulSet",
        .list_kind = "StatefulSetList",
        .plural = "statefulsets",
        .singular = "statefulset",
        .short_names = sn_sts,
        .categories = cat_all,
        .namespaced = true,
        .has_status = true,
        .has_scale = true,
        .name_rule = SK_NAME_LABEL,
        .fields = f_apps_StatefulSet,
        .description = "Runs pods with stable names, network identities and storage, created "
                       "and updated in order.",
        .ref = SK_REF_APPS "StatefulSet",
        .defaults = statefulset_defaults,
        .validate = statefulset_validate,
        .validate_status = statefulset_validate_status,
};

const struct sk_kind sk_kind_controllerrevision = {
        .group = "apps",
        .version = "v1",
        .kind = "ControllerRevision",
        .list_kind = "ControllerRevisionList",
        .plural = "controllerrevisions",
        .singular = "controllerrevision",
        .namespaced = true,
        .fields = f_apps_ControllerRevision,
        .description = "An immutable snapshot of a controller's state, kept for rollbacks.",
        .ref = SK_REF_APPS "ControllerRevision",
        .validate = controllerrevision_validate,
};
