/* Protobuf field numbers of every message in the schema table, by JSON
 * field name. Read off Kubernetes' protobuf struct tags (types.go) and
 * checked name by name, number by number and type by type against the
 * generated.proto files of k8s.io/api and k8s.io/apimachinery; the unit
 * test checks that every schema field has an entry and every entry a
 * field. Numbers never change upstream, so a wrong one here is a bug that
 * silently moves user data: add new fields from generated.proto only. */
#include <stdlib.h>
#include <string.h>

#include "proto.h"

/* clang-format off */
#define TAG(num, name)     {0, (num), 0, (name)}
#define PTR(num, name)     {0, (num), SK_PROTO_PTR, (name)}
#define RAW(num, name)     {0, (num), SK_PROTO_RAW, (name)}
#define INL(in, num, name) {(in), (num), 0, (name)}
#define MSG(ref, t)        {(ref), (t), sizeof(t) / sizeof((t)[0])}
/* clang-format on */

/* k8s.io/api apps/v1 ControllerRevision */
static const struct sk_proto_tag t_apps_ControllerRevision[] = {TAG(1, "metadata"), RAW(2, "data"),
                                                                TAG(3, "revision")};
/* k8s.io/api apps/v1 DaemonSet */
static const struct sk_proto_tag t_apps_DaemonSet[] = {TAG(1, "metadata"), TAG(2, "spec"),
                                                       TAG(3, "status")};
/* k8s.io/api apps/v1 DaemonSetCondition */
static const struct sk_proto_tag t_apps_DaemonSetCondition[] = {
        TAG(1, "type"), TAG(2, "status"), TAG(3, "lastTransitionTime"), TAG(4, "reason"),
        TAG(5, "message")};
/* k8s.io/api apps/v1 DaemonSetSpec */
static const struct sk_proto_tag t_apps_DaemonSetSpec[] = {
        TAG(1, "selector"), TAG(2, "template"), TAG(3, "updateStrategy"), TAG(4, "minReadySeconds"),
        PTR(6, "revisionHistoryLimit")};
/* k8s.io/api apps/v1 DaemonSetStatus */
static const struct sk_proto_tag t_apps_DaemonSetStatus[] = {
        TAG(1, "currentNumberScheduled"), TAG(2, "numberMisscheduled"),
        TAG(3, "desiredNumberScheduled"), TAG(4, "numberReady"),
        TAG(5, "observedGeneration"),     TAG(6, "updatedNumberScheduled"),
        TAG(7, "numberAvailable"),        TAG(8, "numberUnavailable"),
        PTR(9, "collisionCount"),         TAG(10, "conditions")};
/* k8s.io/api apps/v1 DaemonSetUpdateStrategy */
static const struct sk_proto_tag t_apps_DaemonSetUpdateStrategy[] = {TAG(1, "type"),
                                                                     TAG(2, "rollingUpdate")};
/* k8s.io/api apps/v1 Deployment */
static const struct sk_proto_tag t_apps_Deployment[] = {TAG(1, "metadata"), TAG(2, "spec"),
                                                        TAG(3, "status")};
/* k8s.io/api apps/v1 DeploymentCondition */
static const struct sk_proto_tag t_apps_DeploymentCondition[] = {
        TAG(1, "type"),    TAG(2, "status"),         TAG(4, "reason"),
        TAG(5, "message"), TAG(6, "lastUpdateTime"), TAG(7, "lastTransitionTime")};
/* k8s.io/api apps/v1 DeploymentSpec */
static const struct sk_proto_tag t_apps_DeploymentSpec[] = {
        PTR(1, "replicas"),        TAG(2, "selector"),
        TAG(3, "template"),        TAG(4, "strategy"),
        TAG(5, "minReadySeconds"), PTR(6, "revisionHistoryLimit"),
        TAG(7, "paused"),          PTR(9, "progressDeadlineSeconds")};
/* k8s.io/api apps/v1 DeploymentStatus */
static const struct sk_proto_tag t_apps_DeploymentStatus[] = {
        TAG(1, "observedGeneration"),  TAG(2, "replicas"),
        TAG(3, "updatedReplicas"),     TAG(4, "availableReplicas"),
        TAG(5, "unavailableReplicas"), TAG(6, "conditions"),
        TAG(7, "readyReplicas"),       PTR(8, "collisionCount")};
/* k8s.io/api apps/v1 DeploymentStrategy */
static const struct sk_proto_tag t_apps_DeploymentStrategy[] = {TAG(1, "type"),
                                                                TAG(2, "rollingUpdate")};
/* k8s.io/api apps/v1 ReplicaSet */
static const struct sk_proto_tag t_apps_ReplicaSet[] = {TAG(1, "metadata"), TAG(2, "spec"),
                                                        TAG(3, "status")};
/* k8s.io/api apps/v1 ReplicaSetCondition */
static const struct sk_proto_tag t_apps_ReplicaSetCondition[] = {
        TAG(1, "type"), TAG(2, "status"), TAG(3, "lastTransitionTime"), TAG(4, "reason"),
        TAG(5, "message")};
/* k8s.io/api apps/v1 ReplicaSetSpec */
static const struct sk_proto_tag t_apps_ReplicaSetSpec[] = {
        PTR(1, "replicas"), TAG(2, "selector"), TAG(3, "template"), TAG(4, "minReadySeconds")};
/* k8s.io/api apps/v1 ReplicaSetStatus */
static const struct sk_proto_tag t_apps_ReplicaSetStatus[] = {
        TAG(1, "replicas"),      TAG(2, "fullyLabeledReplicas"), TAG(3, "observedGeneration"),
        TAG(4, "readyReplicas"), TAG(5, "availableReplicas"),    TAG(6, "conditions")};
/* k8s.io/api apps/v1 RollingUpdateDaemonSet */
static const struct sk_proto_tag t_apps_RollingUpdateDaemonSet[] = {PTR(1, "maxUnavailable"),
                                                                    PTR(2, "maxSurge")};
/* k8s.io/api apps/v1 RollingUpdateDeployment */
static const struct sk_proto_tag t_apps_RollingUpdateDeployment[] = {PTR(1, "maxUnavailable"),
                                                                     PTR(2, "maxSurge")};
/* k8s.io/api apps/v1 RollingUpdateStatefulSetStrategy */
static const struct sk_proto_tag t_apps_RollingUpdateStatefulSetStrategy[] = {
        PTR(1, "partition"), PTR(2, "maxUnavailable")};
/* k8s.io/api apps/v1 StatefulSet */
static const struct sk_proto_tag t_apps_StatefulSet[] = {TAG(1, "metadata"), TAG(2, "spec"),
                                                         TAG(3, "status")};
/* k8s.io/api apps/v1 StatefulSetCondition */
static const struct sk_proto_tag t_apps_StatefulSetCondition[] = {
        TAG(1, "type"), TAG(2, "status"), TAG(3, "lastTransitionTime"), TAG(4, "reason"),
        TAG(5, "message")};
/* k8s.io/api apps/v1 StatefulSetOrdinals */
static const struct sk_proto_tag t_apps_StatefulSetOrdinals[] = {TAG(1, "start")};
/* k8s.io/api apps/v1 StatefulSetPersistentVolumeClaimRetentionPolicy */
static const struct sk_proto_tag t_apps_StatefulSetPersistentVolumeClaimRetentionPolicy[] = {
        TAG(1, "whenDeleted"), TAG(2, "whenScaled")};
/* k8s.io/api apps/v1 StatefulSetSpec */
static const struct sk_proto_tag t_apps_StatefulSetSpec[] = {
        PTR(1, "replicas"),        TAG(2, "selector"),
        TAG(3, "template"),        TAG(4, "volumeClaimTemplates"),
        TAG(5, "serviceName"),     TAG(6, "podManagementPolicy"),
        TAG(7, "updateStrategy"),  PTR(8, "revisionHistoryLimit"),
        TAG(9, "minReadySeconds"), TAG(10, "persistentVolumeClaimRetentionPolicy"),
        TAG(11, "ordinals")};
/* k8s.io/api apps/v1 StatefulSetStatus */
static const struct sk_proto_tag t_apps_StatefulSetStatus[] = {
        TAG(1, "observedGeneration"), TAG(2, "replicas"),        TAG(3, "readyReplicas"),
        TAG(4, "currentReplicas"),    TAG(5, "updatedReplicas"), TAG(6, "currentRevision"),
        TAG(7, "updateRevision"),     PTR(9, "collisionCount"),  TAG(10, "conditions"),
        TAG(11, "availableReplicas")};
/* k8s.io/api apps/v1 StatefulSetUpdateStrategy */
static const struct sk_proto_tag t_apps_StatefulSetUpdateStrategy[] = {TAG(1, "type"),
                                                                       TAG(2, "rollingUpdate")};
/* k8s.io/api autoscaling/v2 ContainerResourceMetricSource */
static const struct sk_proto_tag t_hpa_ContainerResourceMetricSource[] = {
        TAG(1, "name"), TAG(2, "target"), TAG(3, "container")};
/* k8s.io/api autoscaling/v2 ContainerResourceMetricStatus */
static const struct sk_proto_tag t_hpa_ContainerResourceMetricStatus[] = {
        TAG(1, "name"), TAG(2, "current"), TAG(3, "container")};
/* k8s.io/api autoscaling/v2 CrossVersionObjectReference */
static const struct sk_proto_tag t_hpa_CrossVersionObjectReference[] = {
        TAG(1, "kind"), TAG(2, "name"), TAG(3, "apiVersion")};
/* k8s.io/api autoscaling/v2 ExternalMetricSource */
static const struct sk_proto_tag t_hpa_ExternalMetricSource[] = {TAG(1, "metric"),
                                                                 TAG(2, "target")};
/* k8s.io/api autoscaling/v2 ExternalMetricStatus */
static const struct sk_proto_tag t_hpa_ExternalMetricStatus[] = {TAG(1, "metric"),
                                                                 TAG(2, "current")};
/* k8s.io/api autoscaling/v2 HPAScalingPolicy */
static const struct sk_proto_tag t_hpa_HPAScalingPolicy[] = {TAG(1, "type"), TAG(2, "value"),
                                                             TAG(3, "periodSeconds")};
/* k8s.io/api autoscaling/v2 HPAScalingRules */
static const struct sk_proto_tag t_hpa_HPAScalingRules[] = {
        PTR(1, "selectPolicy"), TAG(2, "policies"), PTR(3, "stabilizationWindowSeconds")};
/* k8s.io/api autoscaling/v2 HorizontalPodAutoscaler */
static const struct sk_proto_tag t_hpa_HorizontalPodAutoscaler[] = {
        TAG(1, "metadata"), TAG(2, "spec"), TAG(3, "status")};
/* k8s.io/api autoscaling/v2 HorizontalPodAutoscalerBehavior */
static const struct sk_proto_tag t_hpa_HorizontalPodAutoscalerBehavior[] = {TAG(1, "scaleUp"),
                                                                            TAG(2, "scaleDown")};
/* k8s.io/api autoscaling/v2 HorizontalPodAutoscalerCondition */
static const struct sk_proto_tag t_hpa_HorizontalPodAutoscalerCondition[] = {
        TAG(1, "type"), TAG(2, "status"), TAG(3, "lastTransitionTime"), TAG(4, "reason"),
        TAG(5, "message")};
/* k8s.io/api autoscaling/v2 HorizontalPodAutoscalerSpec */
static const struct sk_proto_tag t_hpa_HorizontalPodAutoscalerSpec[] = {
        TAG(1, "scaleTargetRef"), PTR(2, "minReplicas"), TAG(3, "maxReplicas"), TAG(4, "metrics"),
        TAG(5, "behavior")};
/* k8s.io/api autoscaling/v2 HorizontalPodAutoscalerStatus */
static const struct sk_proto_tag t_hpa_HorizontalPodAutoscalerStatus[] = {
        PTR(1, "observedGeneration"), PTR(2, "lastScaleTime"),  TAG(3, "currentReplicas"),
        TAG(4, "desiredReplicas"),    TAG(5, "currentMetrics"), TAG(6, "conditions")};
/* k8s.io/api autoscaling/v2 MetricIdentifier */
static const struct sk_proto_tag t_hpa_MetricIdentifier[] = {TAG(1, "name"), TAG(2, "selector")};
/* k8s.io/api autoscaling/v2 MetricSpec */
static const struct sk_proto_tag t_hpa_MetricSpec[] = {
        TAG(1, "type"),     TAG(2, "object"),   TAG(3, "pods"),
        TAG(4, "resource"), TAG(5, "external"), TAG(7, "containerResource")};
/* k8s.io/api autoscaling/v2 MetricStatus */
static const struct sk_proto_tag t_hpa_MetricStatus[] = {
        TAG(1, "type"),     TAG(2, "object"),   TAG(3, "pods"),
        TAG(4, "resource"), TAG(5, "external"), TAG(7, "containerResource")};
/* k8s.io/api autoscaling/v2 MetricTarget */
static const struct sk_proto_tag t_hpa_MetricTarget[] = {
        TAG(1, "type"), PTR(2, "value"), PTR(3, "averageValue"), PTR(4, "averageUtilization")};
/* k8s.io/api autoscaling/v2 MetricValueStatus */
static const struct sk_proto_tag t_hpa_MetricValueStatus[] = {
        PTR(1, "value"), PTR(2, "averageValue"), PTR(3, "averageUtilization")};
/* k8s.io/api autoscaling/v2 ObjectMetricSource */
static const struct sk_proto_tag t_hpa_ObjectMetricSource[] = {TAG(1, "describedObject"),
                                                               TAG(2, "target"), TAG(3, "metric")};
/* k8s.io/api autoscaling/v2 ObjectMetricStatus */
static const struct sk_proto_tag t_hpa_ObjectMetricStatus[] = {TAG(1, "metric"), TAG(2, "current"),
                                                               TAG(3, "describedObject")};
/* k8s.io/api autoscaling/v2 PodsMetricSource */
static const struct sk_proto_tag t_hpa_PodsMetricSource[] = {TAG(1, "metric"), TAG(2, "target")};
/* k8s.io/api autoscaling/v2 PodsMetricStatus */
static const struct sk_proto_tag t_hpa_PodsMetricStatus[] = {TAG(1, "metric"), TAG(2, "current")};
/* k8s.io/api autoscaling/v2 ResourceMetricSource */
static const struct sk_proto_tag t_hpa_ResourceMetricSource[] = {TAG(1, "name"), TAG(2, "target")};
/* k8s.io/api autoscaling/v2 ResourceMetricStatus */
static const struct sk_proto_tag t_hpa_ResourceMetricStatus[] = {TAG(1, "name"), TAG(2, "current")};
/* k8s.io/api batch/v1 CronJob */
static const struct sk_proto_tag t_batch_CronJob[] = {TAG(1, "metadata"), TAG(2, "spec"),
                                                      TAG(3, "status")};
/* k8s.io/api batch/v1 CronJobSpec */
static const struct sk_proto_tag t_batch_CronJobSpec[] = {TAG(1, "schedule"),
                                                          PTR(2, "startingDeadlineSeconds"),
                                                          TAG(3, "concurrencyPolicy"),
                                                          PTR(4, "suspend"),
                                                          TAG(5, "jobTemplate"),
                                                          PTR(6, "successfulJobsHistoryLimit"),
                                                          PTR(7, "failedJobsHistoryLimit"),
                                                          PTR(8, "timeZone")};
/* k8s.io/api batch/v1 CronJobStatus */
static const struct sk_proto_tag t_batch_CronJobStatus[] = {
        TAG(1, "active"), PTR(4, "lastScheduleTime"), PTR(5, "lastSuccessfulTime")};
/* k8s.io/api batch/v1 Job */
static const struct sk_proto_tag t_batch_Job[] = {TAG(1, "metadata"), TAG(2, "spec"),
                                                  TAG(3, "status")};
/* k8s.io/api batch/v1 JobCondition */
static const struct sk_proto_tag t_batch_JobCondition[] = {
        TAG(1, "type"),   TAG(2, "status"), TAG(3, "lastProbeTime"), TAG(4, "lastTransitionTime"),
        TAG(5, "reason"), TAG(6, "message")};
/* k8s.io/api batch/v1 JobSpec */
static const struct sk_proto_tag t_batch_JobSpec[] = {PTR(1, "parallelism"),
                                                      PTR(2, "completions"),
                                                      PTR(3, "activeDeadlineSeconds"),
                                                      TAG(4, "selector"),
                                                      PTR(5, "manualSelector"),
                                                      TAG(6, "template"),
                                                      PTR(7, "backoffLimit"),
                                                      PTR(8, "ttlSecondsAfterFinished"),
                                                      PTR(9, "completionMode"),
                                                      PTR(10, "suspend"),
                                                      TAG(11, "podFailurePolicy"),
                                                      PTR(12, "backoffLimitPerIndex"),
                                                      PTR(13, "maxFailedIndexes"),
                                                      PTR(14, "podReplacementPolicy"),
                                                      PTR(15, "managedBy"),
                                                      TAG(16, "successPolicy")};
/* k8s.io/api batch/v1 JobStatus */
static const struct sk_proto_tag t_batch_JobStatus[] = {TAG(1, "conditions"),
                                                        PTR(2, "startTime"),
                                                        PTR(3, "completionTime"),
                                                        TAG(4, "active"),
                                                        TAG(5, "succeeded"),
                                                        TAG(6, "failed"),
                                                        TAG(7, "completedIndexes"),
                                                        TAG(8, "uncountedTerminatedPods"),
                                                        PTR(9, "ready"),
                                                        PTR(10, "failedIndexes"),
                                                        PTR(11, "terminating")};
/* k8s.io/api batch/v1 JobTemplateSpec */
static const struct sk_proto_tag t_batch_JobTemplateSpec[] = {TAG(1, "metadata"), TAG(2, "spec")};
/* k8s.io/api batch/v1 PodFailurePolicy */
static const struct sk_proto_tag t_batch_PodFailurePolicy[] = {TAG(1, "rules")};
/* k8s.io/api batch/v1 PodFailurePolicyOnExitCodesRequirement */
static const struct sk_proto_tag t_batch_PodFailurePolicyOnExitCodesRequirement[] = {
        PTR(1, "containerName"), TAG(2, "operator"), TAG(3, "values")};
/* k8s.io/api batch/v1 PodFailurePolicyOnPodConditionsPattern */
static const struct sk_proto_tag t_batch_PodFailurePolicyOnPodConditionsPattern[] = {
        TAG(1, "type"), TAG(2, "status")};
/* k8s.io/api batch/v1 PodFailurePolicyRule */
static const struct sk_proto_tag t_batch_PodFailurePolicyRule[] = {
        TAG(1, "action"), TAG(2, "onExitCodes"), TAG(3, "onPodConditions")};
/* k8s.io/api batch/v1 SuccessPolicy */
static const struct sk_proto_tag t_batch_SuccessPolicy[] = {TAG(1, "rules")};
/* k8s.io/api batch/v1 SuccessPolicyRule */
static const struct sk_proto_tag t_batch_SuccessPolicyRule[] = {PTR(1, "succeededIndexes"),
                                                                PTR(2, "succeededCount")};
/* k8s.io/api batch/v1 UncountedTerminatedPods */
static const struct sk_proto_tag t_batch_UncountedTerminatedPods[] = {TAG(1, "succeeded"),
                                                                      TAG(2, "failed")};
/* k8s.io/api coordination/v1 Lease */
static const struct sk_proto_tag t_coord_Lease[] = {TAG(1, "metadata"), TAG(2, "spec")};
/* k8s.io/api coordination/v1 LeaseSpec */
static const struct sk_proto_tag t_coord_LeaseSpec[] = {
        PTR(1, "holderIdentity"), PTR(2, "leaseDurationSeconds"), PTR(3, "acquireTime"),
        PTR(4, "renewTime"),      PTR(5, "leaseTransitions"),     PTR(6, "strategy"),
        PTR(7, "preferredHolder")};
/* k8s.io/api core/v1 Affinity */
static const struct sk_proto_tag t_core_Affinity[] = {TAG(1, "nodeAffinity"), TAG(2, "podAffinity"),
                                                      TAG(3, "podAntiAffinity")};
/* k8s.io/api core/v1 AppArmorProfile */
static const struct sk_proto_tag t_core_AppArmorProfile[] = {TAG(1, "type"),
                                                             PTR(2, "localhostProfile")};
/* k8s.io/api core/v1 AttachedVolume */
static const struct sk_proto_tag t_core_AttachedVolume[] = {TAG(1, "name"), TAG(2, "devicePath")};
/* k8s.io/api core/v1 CSIPersistentVolumeSource */
static const struct sk_proto_tag t_core_CSIPersistentVolumeSource[] = {
        TAG(1, "driver"),
        TAG(2, "volumeHandle"),
        TAG(3, "readOnly"),
        TAG(4, "fsType"),
        TAG(5, "volumeAttributes"),
        TAG(6, "controllerPublishSecretRef"),
        TAG(7, "nodeStageSecretRef"),
        TAG(8, "nodePublishSecretRef"),
        TAG(9, "controllerExpandSecretRef"),
        TAG(10, "nodeExpandSecretRef")};
/* k8s.io/api core/v1 CSIVolumeSource */
static const struct sk_proto_tag t_core_CSIVolumeSource[] = {
        TAG(1, "driver"), PTR(2, "readOnly"), PTR(3, "fsType"), TAG(4, "volumeAttributes"),
        TAG(5, "nodePublishSecretRef")};
/* k8s.io/api core/v1 Capabilities */
static const struct sk_proto_tag t_core_Capabilities[] = {TAG(1, "add"), TAG(2, "drop")};
/* k8s.io/api core/v1 ClientIPConfig */
static const struct sk_proto_tag t_core_ClientIPConfig[] = {PTR(1, "timeoutSeconds")};
/* k8s.io/api core/v1 ClusterTrustBundleProjection */
static const struct sk_proto_tag t_core_ClusterTrustBundleProjection[] = {
        PTR(1, "name"), PTR(2, "signerName"), TAG(3, "labelSelector"), TAG(4, "path"),
        PTR(5, "optional")};
/* k8s.io/api core/v1 ConfigMap */
static const struct sk_proto_tag t_core_ConfigMap[] = {TAG(1, "metadata"), TAG(2, "data"),
                                                       TAG(3, "binaryData"), PTR(4, "immutable")};
/* k8s.io/api core/v1 ConfigMapEnvSource */
static const struct sk_proto_tag t_core_ConfigMapEnvSource[] = {PTR(2, "optional"),
                                                                INL(1, 1, "name")};
/* k8s.io/api core/v1 ConfigMapKeySelector */
static const struct sk_proto_tag t_core_ConfigMapKeySelector[] = {TAG(2, "key"), PTR(3, "optional"),
                                                                  INL(1, 1, "name")};
/* k8s.io/api core/v1 ConfigMapProjection */
static const struct sk_proto_tag t_core_ConfigMapProjection[] = {
        TAG(2, "items"), PTR(4, "optional"), INL(1, 1, "name")};
/* k8s.io/api core/v1 ConfigMapVolumeSource */
static const struct sk_proto_tag t_core_ConfigMapVolumeSource[] = {
        TAG(2, "items"), PTR(3, "defaultMode"), PTR(4, "optional"), INL(1, 1, "name")};
/* k8s.io/api core/v1 Container */
static const struct sk_proto_tag t_core_Container[] = {TAG(1, "name"),
                                                       TAG(2, "image"),
                                                       TAG(3, "command"),
                                                       TAG(4, "args"),
                                                       TAG(5, "workingDir"),
                                                       TAG(6, "ports"),
                                                       TAG(7, "env"),
                                                       TAG(8, "resources"),
                                                       TAG(9, "volumeMounts"),
                                                       TAG(10, "livenessProbe"),
                                                       TAG(11, "readinessProbe"),
                                                       TAG(12, "lifecycle"),
                                                       TAG(13, "terminationMessagePath"),
                                                       TAG(14, "imagePullPolicy"),
                                                       TAG(15, "securityContext"),
                                                       TAG(16, "stdin"),
                                                       TAG(17, "stdinOnce"),
                                                       TAG(18, "tty"),
                                                       TAG(19, "envFrom"),
                                                       TAG(20, "terminationMessagePolicy"),
                                                       TAG(21, "volumeDevices"),
                                                       TAG(22, "startupProbe"),
                                                       TAG(23, "resizePolicy"),
                                                       PTR(24, "restartPolicy")};
/* k8s.io/api core/v1 ContainerImage */
static const struct sk_proto_tag t_core_ContainerImage[] = {TAG(1, "names"), TAG(2, "sizeBytes")};
/* k8s.io/api core/v1 ContainerPort */
static const struct sk_proto_tag t_core_ContainerPort[] = {TAG(1, "name"), TAG(2, "hostPort"),
                                                           TAG(3, "containerPort"),
                                                           TAG(4, "protocol"), TAG(5, "hostIP")};
/* k8s.io/api core/v1 ContainerResizePolicy */
static const struct sk_proto_tag t_core_ContainerResizePolicy[] = {TAG(1, "resourceName"),
                                                                   TAG(2, "restartPolicy")};
/* k8s.io/api core/v1 ContainerState */
static const struct sk_proto_tag t_core_ContainerState[] = {TAG(1, "waiting"), TAG(2, "running"),
                                                            TAG(3, "terminated")};
/* k8s.io/api core/v1 ContainerStateRunning */
static const struct sk_proto_tag t_core_ContainerStateRunning[] = {TAG(1, "startedAt")};
/* k8s.io/api core/v1 ContainerStateTerminated */
static const struct sk_proto_tag t_core_ContainerStateTerminated[] = {
        TAG(1, "exitCode"),  TAG(2, "signal"),     TAG(3, "reason"),     TAG(4, "message"),
        TAG(5, "startedAt"), TAG(6, "finishedAt"), TAG(7, "containerID")};
/* k8s.io/api core/v1 ContainerStateWaiting */
static const struct sk_proto_tag t_core_ContainerStateWaiting[] = {TAG(1, "reason"),
                                                                   TAG(2, "message")};
/* k8s.io/api core/v1 ContainerStatus */
static const struct sk_proto_tag t_core_ContainerStatus[] = {
        TAG(1, "name"),         TAG(2, "state"),
        TAG(3, "lastState"),    TAG(4, "ready"),
        TAG(5, "restartCount"), TAG(6, "image"),
        TAG(7, "imageID"),      TAG(8, "containerID"),
        PTR(9, "started"),      TAG(10, "allocatedResources"),
        TAG(11, "resources"),   TAG(12, "volumeMounts"),
        TAG(13, "user"),        TAG(14, "allocatedResourcesStatus")};
/* k8s.io/api core/v1 ContainerUser */
static const struct sk_proto_tag t_core_ContainerUser[] = {TAG(1, "linux")};
/* k8s.io/api core/v1 DownwardAPIProjection */
static const struct sk_proto_tag t_core_DownwardAPIProjection[] = {TAG(1, "items")};
/* k8s.io/api core/v1 DownwardAPIVolumeFile */
static const struct sk_proto_tag t_core_DownwardAPIVolumeFile[] = {
        TAG(1, "path"), TAG(2, "fieldRef"), TAG(3, "resourceFieldRef"), PTR(4, "mode")};
/* k8s.io/api core/v1 DownwardAPIVolumeSource */
static const struct sk_proto_tag t_core_DownwardAPIVolumeSource[] = {TAG(1, "items"),
                                                                     PTR(2, "defaultMode")};
/* k8s.io/api core/v1 EmptyDirVolumeSource */
static const struct sk_proto_tag t_core_EmptyDirVolumeSource[] = {TAG(1, "medium"),
                                                                  PTR(2, "sizeLimit")};
/* k8s.io/api core/v1 EndpointAddress */
static const struct sk_proto_tag t_core_EndpointAddress[] = {
        TAG(1, "ip"), TAG(2, "targetRef"), TAG(3, "hostname"), PTR(4, "nodeName")};
/* k8s.io/api core/v1 EndpointPort */
static const struct sk_proto_tag t_core_EndpointPort[] = {
        TAG(1, "name"), TAG(2, "port"), TAG(3, "protocol"), PTR(4, "appProtocol")};
/* k8s.io/api core/v1 EndpointSubset */
static const struct sk_proto_tag t_core_EndpointSubset[] = {
        TAG(1, "addresses"), TAG(2, "notReadyAddresses"), TAG(3, "ports")};
/* k8s.io/api core/v1 Endpoints */
static const struct sk_proto_tag t_core_Endpoints[] = {TAG(1, "metadata"), TAG(2, "subsets")};
/* k8s.io/api core/v1 EnvFromSource */
static const struct sk_proto_tag t_core_EnvFromSource[] = {TAG(1, "prefix"), TAG(2, "configMapRef"),
                                                           TAG(3, "secretRef")};
/* k8s.io/api core/v1 EnvVar */
static const struct sk_proto_tag t_core_EnvVar[] = {TAG(1, "name"), TAG(2, "value"),
                                                    TAG(3, "valueFrom")};
/* k8s.io/api core/v1 EnvVarSource */
static const struct sk_proto_tag t_core_EnvVarSource[] = {
        TAG(1, "fieldRef"), TAG(2, "resourceFieldRef"), TAG(3, "configMapKeyRef"),
        TAG(4, "secretKeyRef")};
/* k8s.io/api core/v1 EphemeralContainer */
static const struct sk_proto_tag t_core_EphemeralContainer[] = {
        TAG(2, "targetContainerName"),
        INL(1, 1, "name"),
        INL(1, 2, "image"),
        INL(1, 3, "command"),
        INL(1, 4, "args"),
        INL(1, 5, "workingDir"),
        INL(1, 6, "ports"),
        INL(1, 7, "env"),
        INL(1, 8, "resources"),
        INL(1, 9, "volumeMounts"),
        INL(1, 10, "livenessProbe"),
        INL(1, 11, "readinessProbe"),
        INL(1, 12, "lifecycle"),
        INL(1, 13, "terminationMessagePath"),
        INL(1, 14, "imagePullPolicy"),
        INL(1, 15, "securityContext"),
        INL(1, 16, "stdin"),
        INL(1, 17, "stdinOnce"),
        INL(1, 18, "tty"),
        INL(1, 19, "envFrom"),
        INL(1, 20, "terminationMessagePolicy"),
        INL(1, 21, "volumeDevices"),
        INL(1, 22, "startupProbe"),
        INL(1, 23, "resizePolicy"),
        INL(1, 24, "restartPolicy")};
/* k8s.io/api core/v1 EphemeralVolumeSource */
static const struct sk_proto_tag t_core_EphemeralVolumeSource[] = {TAG(1, "volumeClaimTemplate")};
/* k8s.io/api core/v1 Event */
static const struct sk_proto_tag t_core_Event[] = {TAG(1, "metadata"),
                                                   TAG(2, "involvedObject"),
                                                   TAG(3, "reason"),
                                                   TAG(4, "message"),
                                                   TAG(5, "source"),
                                                   TAG(6, "firstTimestamp"),
                                                   TAG(7, "lastTimestamp"),
                                                   TAG(8, "count"),
                                                   TAG(9, "type"),
                                                   TAG(10, "eventTime"),
                                                   TAG(11, "series"),
                                                   TAG(12, "action"),
                                                   TAG(13, "related"),
                                                   TAG(14, "reportingComponent"),
                                                   TAG(15, "reportingInstance")};
/* k8s.io/api core/v1 EventSeries */
static const struct sk_proto_tag t_core_EventSeries[] = {TAG(1, "count"),
                                                         TAG(2, "lastObservedTime")};
/* k8s.io/api core/v1 EventSource */
static const struct sk_proto_tag t_core_EventSource[] = {TAG(1, "component"), TAG(2, "host")};
/* k8s.io/api core/v1 ExecAction */
static const struct sk_proto_tag t_core_ExecAction[] = {TAG(1, "command")};
/* k8s.io/api core/v1 GRPCAction */
static const struct sk_proto_tag t_core_GRPCAction[] = {TAG(1, "port"), PTR(2, "service")};
/* k8s.io/api core/v1 HTTPGetAction */
static const struct sk_proto_tag t_core_HTTPGetAction[] = {
        TAG(1, "path"), TAG(2, "port"), TAG(3, "host"), TAG(4, "scheme"), TAG(5, "httpHeaders")};
/* k8s.io/api core/v1 HTTPHeader */
static const struct sk_proto_tag t_core_HTTPHeader[] = {TAG(1, "name"), TAG(2, "value")};
/* k8s.io/api core/v1 HostAlias */
static const struct sk_proto_tag t_core_HostAlias[] = {TAG(1, "ip"), TAG(2, "hostnames")};
/* k8s.io/api core/v1 HostIP */
static const struct sk_proto_tag t_core_HostIP[] = {TAG(1, "ip")};
/* k8s.io/api core/v1 HostPathVolumeSource */
static const struct sk_proto_tag t_core_HostPathVolumeSource[] = {TAG(1, "path"), PTR(2, "type")};
/* k8s.io/api core/v1 ImageVolumeSource */
static const struct sk_proto_tag t_core_ImageVolumeSource[] = {TAG(1, "reference"),
                                                               TAG(2, "pullPolicy")};
/* k8s.io/api core/v1 KeyToPath */
static const struct sk_proto_tag t_core_KeyToPath[] = {TAG(1, "key"), TAG(2, "path"),
                                                       PTR(3, "mode")};
/* k8s.io/api core/v1 Lifecycle */
static const struct sk_proto_tag t_core_Lifecycle[] = {TAG(1, "postStart"), TAG(2, "preStop")};
/* k8s.io/api core/v1 LifecycleHandler */
static const struct sk_proto_tag t_core_LifecycleHandler[] = {TAG(1, "exec"), TAG(2, "httpGet"),
                                                              TAG(3, "tcpSocket"), TAG(4, "sleep")};
/* k8s.io/api core/v1 LinuxContainerUser */
static const struct sk_proto_tag t_core_LinuxContainerUser[] = {TAG(1, "uid"), TAG(2, "gid"),
                                                                TAG(3, "supplementalGroups")};
/* k8s.io/api core/v1 LoadBalancerIngress */
static const struct sk_proto_tag t_core_LoadBalancerIngress[] = {TAG(1, "ip"), TAG(2, "hostname"),
                                                                 PTR(3, "ipMode"), TAG(4, "ports")};
/* k8s.io/api core/v1 LoadBalancerStatus */
static const struct sk_proto_tag t_core_LoadBalancerStatus[] = {TAG(1, "ingress")};
/* k8s.io/api core/v1 LocalObjectReference */
static const struct sk_proto_tag t_core_LocalObjectReference[] = {TAG(1, "name")};
/* k8s.io/api core/v1 LocalVolumeSource */
static const struct sk_proto_tag t_core_LocalVolumeSource[] = {TAG(1, "path"), PTR(2, "fsType")};
/* k8s.io/api core/v1 ModifyVolumeStatus */
static const struct sk_proto_tag t_core_ModifyVolumeStatus[] = {
        TAG(1, "targetVolumeAttributesClassName"), TAG(2, "status")};
/* k8s.io/api core/v1 NFSVolumeSource */
static const struct sk_proto_tag t_core_NFSVolumeSource[] = {TAG(1, "server"), TAG(2, "path"),
                                                             TAG(3, "readOnly")};
/* k8s.io/api core/v1 Namespace */
static const struct sk_proto_tag t_core_Namespace[] = {TAG(1, "metadata"), TAG(2, "spec"),
                                                       TAG(3, "status")};
/* k8s.io/api core/v1 NamespaceCondition */
static const struct sk_proto_tag t_core_NamespaceCondition[] = {
        TAG(1, "type"), TAG(2, "status"), TAG(4, "lastTransitionTime"), TAG(5, "reason"),
        TAG(6, "message")};
/* k8s.io/api core/v1 NamespaceSpec */
static const struct sk_proto_tag t_core_NamespaceSpec[] = {TAG(1, "finalizers")};
/* k8s.io/api core/v1 NamespaceStatus */
static const struct sk_proto_tag t_core_NamespaceStatus[] = {TAG(1, "phase"), TAG(2, "conditions")};
/* k8s.io/api core/v1 Node */
static const struct sk_proto_tag t_core_Node[] = {TAG(1, "metadata"), TAG(2, "spec"),
                                                  TAG(3, "status")};
/* k8s.io/api core/v1 NodeAddress */
static const struct sk_proto_tag t_core_NodeAddress[] = {TAG(1, "type"), TAG(2, "address")};
/* k8s.io/api core/v1 NodeAffinity */
static const struct sk_proto_tag t_core_NodeAffinity[] = {
        TAG(1, "requiredDuringSchedulingIgnoredDuringExecution"),
        TAG(2, "preferredDuringSchedulingIgnoredDuringExecution")};
/* k8s.io/api core/v1 NodeCondition */
static const struct sk_proto_tag t_core_NodeCondition[] = {TAG(1, "type"),
                                                           TAG(2, "status"),
                                                           TAG(3, "lastHeartbeatTime"),
                                                           TAG(4, "lastTransitionTime"),
                                                           TAG(5, "reason"),
                                                           TAG(6, "message")};
/* k8s.io/api core/v1 NodeFeatures */
static const struct sk_proto_tag t_core_NodeFeatures[] = {PTR(1, "supplementalGroupsPolicy")};
/* k8s.io/api core/v1 NodeRuntimeHandler */
static const struct sk_proto_tag t_core_NodeRuntimeHandler[] = {TAG(1, "name"), TAG(2, "features")};
/* k8s.io/api core/v1 NodeRuntimeHandlerFeatures */
static const struct sk_proto_tag t_core_NodeRuntimeHandlerFeatures[] = {
        PTR(1, "recursiveReadOnlyMounts"), PTR(2, "userNamespaces")};
/* k8s.io/api core/v1 NodeSelector */
static const struct sk_proto_tag t_core_NodeSelector[] = {TAG(1, "nodeSelectorTerms")};
/* k8s.io/api core/v1 NodeSelectorRequirement */
static const struct sk_proto_tag t_core_NodeSelectorRequirement[] = {
        TAG(1, "key"), TAG(2, "operator"), TAG(3, "values")};
/* k8s.io/api core/v1 NodeSelectorTerm */
static const struct sk_proto_tag t_core_NodeSelectorTerm[] = {TAG(1, "matchExpressions"),
                                                              TAG(2, "matchFields")};
/* k8s.io/api core/v1 NodeSpec */
static const struct sk_proto_tag t_core_NodeSpec[] = {
        TAG(1, "podCIDR"), TAG(2, "externalID"),   TAG(3, "providerID"), TAG(4, "unschedulable"),
        TAG(5, "taints"),  TAG(6, "configSource"), TAG(7, "podCIDRs")};
/* k8s.io/api core/v1 NodeStatus */
static const struct sk_proto_tag t_core_NodeStatus[] = {
        TAG(1, "capacity"),         TAG(2, "allocatable"), TAG(3, "phase"),
        TAG(4, "conditions"),       TAG(5, "addresses"),   TAG(6, "daemonEndpoints"),
        TAG(7, "nodeInfo"),         TAG(8, "images"),      TAG(9, "volumesInUse"),
        TAG(10, "volumesAttached"), TAG(11, "config"),     TAG(12, "runtimeHandlers"),
        TAG(13, "features")};
/* k8s.io/api core/v1 NodeSystemInfo */
static const struct sk_proto_tag t_core_NodeSystemInfo[] = {
        TAG(1, "machineID"),      TAG(2, "systemUUID"),       TAG(3, "bootID"),
        TAG(4, "kernelVersion"),  TAG(5, "osImage"),          TAG(6, "containerRuntimeVersion"),
        TAG(7, "kubeletVersion"), TAG(8, "kubeProxyVersion"), TAG(9, "operatingSystem"),
        TAG(10, "architecture")};
/* k8s.io/api core/v1 ObjectFieldSelector */
static const struct sk_proto_tag t_core_ObjectFieldSelector[] = {TAG(1, "apiVersion"),
                                                                 TAG(2, "fieldPath")};
/* k8s.io/api core/v1 ObjectReference */
static const struct sk_proto_tag t_core_ObjectReference[] = {
        TAG(1, "kind"),       TAG(2, "namespace"),       TAG(3, "name"),     TAG(4, "uid"),
        TAG(5, "apiVersion"), TAG(6, "resourceVersion"), TAG(7, "fieldPath")};
/* k8s.io/api core/v1 PersistentVolume */
static const struct sk_proto_tag t_core_PersistentVolume[] = {TAG(1, "metadata"), TAG(2, "spec"),
                                                              TAG(3, "status")};
/* k8s.io/api core/v1 PersistentVolumeClaim */
static const struct sk_proto_tag t_core_PersistentVolumeClaim[] = {
        TAG(1, "metadata"), TAG(2, "spec"), TAG(3, "status")};
/* k8s.io/api core/v1 PersistentVolumeClaimCondition */
static const struct sk_proto_tag t_core_PersistentVolumeClaimCondition[] = {
        TAG(1, "type"),   TAG(2, "status"), TAG(3, "lastProbeTime"), TAG(4, "lastTransitionTime"),
        TAG(5, "reason"), TAG(6, "message")};
/* k8s.io/api core/v1 PersistentVolumeClaimSpec */
static const struct sk_proto_tag t_core_PersistentVolumeClaimSpec[] = {
        TAG(1, "accessModes"), TAG(2, "resources"),        TAG(3, "volumeName"),
        TAG(4, "selector"),    PTR(5, "storageClassName"), PTR(6, "volumeMode"),
        TAG(7, "dataSource"),  TAG(8, "dataSourceRef"),    PTR(9, "volumeAttributesClassName")};
/* k8s.io/api core/v1 PersistentVolumeClaimStatus */
static const struct sk_proto_tag t_core_PersistentVolumeClaimStatus[] = {
        TAG(1, "phase"),
        TAG(2, "accessModes"),
        TAG(3, "capacity"),
        TAG(4, "conditions"),
        TAG(5, "allocatedResources"),
        TAG(7, "allocatedResourceStatuses"),
        PTR(8, "currentVolumeAttributesClassName"),
        TAG(9, "modifyVolumeStatus")};
/* k8s.io/api core/v1 PersistentVolumeClaimTemplate */
static const struct sk_proto_tag t_core_PersistentVolumeClaimTemplate[] = {TAG(1, "metadata"),
                                                                           TAG(2, "spec")};
/* k8s.io/api core/v1 PersistentVolumeClaimVolumeSource */
static const struct sk_proto_tag t_core_PersistentVolumeClaimVolumeSource[] = {TAG(1, "claimName"),
                                                                               TAG(2, "readOnly")};
/* k8s.io/api core/v1 PersistentVolumeSpec */
static const struct sk_proto_tag t_core_PersistentVolumeSpec[] = {
        TAG(1, "capacity"),
        TAG(3, "accessModes"),
        TAG(4, "claimRef"),
        TAG(5, "persistentVolumeReclaimPolicy"),
        TAG(6, "storageClassName"),
        TAG(7, "mountOptions"),
        PTR(8, "volumeMode"),
        TAG(9, "nodeAffinity"),
        PTR(10, "volumeAttributesClassName"),
        INL(2, 1, "gcePersistentDisk"),
        INL(2, 2, "awsElasticBlockStore"),
        INL(2, 3, "hostPath"),
        INL(2, 4, "glusterfs"),
        INL(2, 5, "nfs"),
        INL(2, 6, "rbd"),
        INL(2, 7, "iscsi"),
        INL(2, 8, "cinder"),
        INL(2, 9, "cephfs"),
        INL(2, 10, "fc"),
        INL(2, 11, "flocker"),
        INL(2, 12, "flexVolume"),
        INL(2, 13, "azureFile"),
        INL(2, 14, "vsphereVolume"),
        INL(2, 15, "quobyte"),
        INL(2, 16, "azureDisk"),
        INL(2, 17, "photonPersistentDisk"),
        INL(2, 18, "portworxVolume"),
        INL(2, 19, "scaleIO"),
        INL(2, 20, "local"),
        INL(2, 21, "storageos"),
        INL(2, 22, "csi")};
/* k8s.io/api core/v1 PersistentVolumeStatus */
static const struct sk_proto_tag t_core_PersistentVolumeStatus[] = {
        TAG(1, "phase"), TAG(2, "message"), TAG(3, "reason"), PTR(4, "lastPhaseTransitionTime")};
/* k8s.io/api core/v1 Pod */
static const struct sk_proto_tag t_core_Pod[] = {TAG(1, "metadata"), TAG(2, "spec"),
                                                 TAG(3, "status")};
/* k8s.io/api core/v1 PodAffinity */
static const struct sk_proto_tag t_core_PodAffinity[] = {
        TAG(1, "requiredDuringSchedulingIgnoredDuringExecution"),
        TAG(2, "preferredDuringSchedulingIgnoredDuringExecution")};
/* k8s.io/api core/v1 PodAffinityTerm */
static const struct sk_proto_tag t_core_PodAffinityTerm[] = {
        TAG(1, "labelSelector"),     TAG(2, "namespaces"),     TAG(3, "topologyKey"),
        TAG(4, "namespaceSelector"), TAG(5, "matchLabelKeys"), TAG(6, "mismatchLabelKeys")};
/* k8s.io/api core/v1 PodAntiAffinity */
static const struct sk_proto_tag t_core_PodAntiAffinity[] = {
        TAG(1, "requiredDuringSchedulingIgnoredDuringExecution"),
        TAG(2, "preferredDuringSchedulingIgnoredDuringExecution")};
/* k8s.io/api core/v1 PodCondition */
static const struct sk_proto_tag t_core_PodCondition[] = {
        TAG(1, "type"),   TAG(2, "status"), TAG(3, "lastProbeTime"), TAG(4, "lastTransitionTime"),
        TAG(5, "reason"), TAG(6, "message")};
/* k8s.io/api core/v1 PodDNSConfig */
static const struct sk_proto_tag t_core_PodDNSConfig[] = {TAG(1, "nameservers"), TAG(2, "searches"),
                                                          TAG(3, "options")};
/* k8s.io/api core/v1 PodDNSConfigOption */
static const struct sk_proto_tag t_core_PodDNSConfigOption[] = {TAG(1, "name"), PTR(2, "value")};
/* k8s.io/api core/v1 PodIP */
static const struct sk_proto_tag t_core_PodIP[] = {TAG(1, "ip")};
/* k8s.io/api core/v1 PodOS */
static const struct sk_proto_tag t_core_PodOS[] = {TAG(1, "name")};
/* k8s.io/api core/v1 PodReadinessGate */
static const struct sk_proto_tag t_core_PodReadinessGate[] = {TAG(1, "conditionType")};
/* k8s.io/api core/v1 PodResourceClaim */
static const struct sk_proto_tag t_core_PodResourceClaim[] = {
        TAG(1, "name"), PTR(3, "resourceClaimName"), PTR(4, "resourceClaimTemplateName")};
/* k8s.io/api core/v1 PodResourceClaimStatus */
static const struct sk_proto_tag t_core_PodResourceClaimStatus[] = {TAG(1, "name"),
                                                                    PTR(2, "resourceClaimName")};
/* k8s.io/api core/v1 PodSchedulingGate */
static const struct sk_proto_tag t_core_PodSchedulingGate[] = {TAG(1, "name")};
/* k8s.io/api core/v1 PodSecurityContext */
static const struct sk_proto_tag t_core_PodSecurityContext[] = {TAG(1, "seLinuxOptions"),
                                                                PTR(2, "runAsUser"),
                                                                PTR(3, "runAsNonRoot"),
                                                                TAG(4, "supplementalGroups"),
                                                                PTR(5, "fsGroup"),
                                                                PTR(6, "runAsGroup"),
                                                                TAG(7, "sysctls"),
                                                                TAG(8, "windowsOptions"),
                                                                PTR(9, "fsGroupChangePolicy"),
                                                                TAG(10, "seccompProfile"),
                                                                TAG(11, "appArmorProfile"),
                                                                PTR(12, "supplementalGroupsPolicy"),
                                                                PTR(13, "seLinuxChangePolicy")};
/* k8s.io/api core/v1 PodSpec */
static const struct sk_proto_tag t_core_PodSpec[] = {TAG(1, "volumes"),
                                                     TAG(2, "containers"),
                                                     TAG(3, "restartPolicy"),
                                                     PTR(4, "terminationGracePeriodSeconds"),
                                                     PTR(5, "activeDeadlineSeconds"),
                                                     TAG(6, "dnsPolicy"),
                                                     TAG(7, "nodeSelector"),
                                                     TAG(8, "serviceAccountName"),
                                                     TAG(9, "serviceAccount"),
                                                     TAG(10, "nodeName"),
                                                     TAG(11, "hostNetwork"),
                                                     TAG(12, "hostPID"),
                                                     TAG(13, "hostIPC"),
                                                     TAG(14, "securityContext"),
                                                     TAG(15, "imagePullSecrets"),
                                                     TAG(16, "hostname"),
                                                     TAG(17, "subdomain"),
                                                     TAG(18, "affinity"),
                                                     TAG(19, "schedulerName"),
                                                     TAG(20, "initContainers"),
                                                     PTR(21, "automountServiceAccountToken"),
                                                     TAG(22, "tolerations"),
                                                     TAG(23, "hostAliases"),
                                                     TAG(24, "priorityClassName"),
                                                     PTR(25, "priority"),
                                                     TAG(26, "dnsConfig"),
                                                     PTR(27, "shareProcessNamespace"),
                                                     TAG(28, "readinessGates"),
                                                     PTR(29, "runtimeClassName"),
                                                     PTR(30, "enableServiceLinks"),
                                                     PTR(31, "preemptionPolicy"),
                                                     TAG(32, "overhead"),
                                                     TAG(33, "topologySpreadConstraints"),
                                                     TAG(34, "ephemeralContainers"),
                                                     PTR(35, "setHostnameAsFQDN"),
                                                     TAG(36, "os"),
                                                     PTR(37, "hostUsers"),
                                                     TAG(38, "schedulingGates"),
                                                     TAG(39, "resourceClaims"),
                                                     TAG(40, "resources")};
/* k8s.io/api core/v1 PodStatus */
static const struct sk_proto_tag t_core_PodStatus[] = {TAG(1, "phase"),
                                                       TAG(2, "conditions"),
                                                       TAG(3, "message"),
                                                       TAG(4, "reason"),
                                                       TAG(5, "hostIP"),
                                                       TAG(6, "podIP"),
                                                       PTR(7, "startTime"),
                                                       TAG(8, "containerStatuses"),
                                                       TAG(9, "qosClass"),
                                                       TAG(10, "initContainerStatuses"),
                                                       TAG(11, "nominatedNodeName"),
                                                       TAG(12, "podIPs"),
                                                       TAG(13, "ephemeralContainerStatuses"),
                                                       TAG(14, "resize"),
                                                       TAG(15, "resourceClaimStatuses"),
                                                       TAG(16, "hostIPs")};
/* k8s.io/api core/v1 PodTemplateSpec */
static const struct sk_proto_tag t_core_PodTemplateSpec[] = {TAG(1, "metadata"), TAG(2, "spec")};
/* k8s.io/api core/v1 PortStatus */
static const struct sk_proto_tag t_core_PortStatus[] = {TAG(1, "port"), TAG(2, "protocol"),
                                                        PTR(3, "error")};
/* k8s.io/api core/v1 PreferredSchedulingTerm */
static const struct sk_proto_tag t_core_PreferredSchedulingTerm[] = {TAG(1, "weight"),
                                                                     TAG(2, "preference")};
/* k8s.io/api core/v1 Probe */
static const struct sk_proto_tag t_core_Probe[] = {TAG(2, "initialDelaySeconds"),
                                                   TAG(3, "timeoutSeconds"),
                                                   TAG(4, "periodSeconds"),
                                                   TAG(5, "successThreshold"),
                                                   TAG(6, "failureThreshold"),
                                                   PTR(7, "terminationGracePeriodSeconds"),
                                                   INL(1, 1, "exec"),
                                                   INL(1, 2, "httpGet"),
                                                   INL(1, 3, "tcpSocket"),
                                                   INL(1, 4, "grpc")};
/* k8s.io/api core/v1 ProjectedVolumeSource */
static const struct sk_proto_tag t_core_ProjectedVolumeSource[] = {TAG(1, "sources"),
                                                                   PTR(2, "defaultMode")};
/* k8s.io/api core/v1 ReplicationController */
static const struct sk_proto_tag t_core_ReplicationController[] = {
        TAG(1, "metadata"), TAG(2, "spec"), TAG(3, "status")};
/* k8s.io/api core/v1 ReplicationControllerCondition */
static const struct sk_proto_tag t_core_ReplicationControllerCondition[] = {
        TAG(1, "type"), TAG(2, "status"), TAG(3, "lastTransitionTime"), TAG(4, "reason"),
        TAG(5, "message")};
/* k8s.io/api core/v1 ReplicationControllerSpec */
static const struct sk_proto_tag t_core_ReplicationControllerSpec[] = {
        PTR(1, "replicas"), TAG(2, "selector"), TAG(3, "template"), TAG(4, "minReadySeconds")};
/* k8s.io/api core/v1 ReplicationControllerStatus */
static const struct sk_proto_tag t_core_ReplicationControllerStatus[] = {
        TAG(1, "replicas"),      TAG(2, "fullyLabeledReplicas"), TAG(3, "observedGeneration"),
        TAG(4, "readyReplicas"), TAG(5, "availableReplicas"),    TAG(6, "conditions")};
/* k8s.io/api core/v1 ResourceClaim */
static const struct sk_proto_tag t_core_ResourceClaim[] = {TAG(1, "name"), TAG(2, "request")};
/* k8s.io/api core/v1 ResourceFieldSelector */
static const struct sk_proto_tag t_core_ResourceFieldSelector[] = {
        TAG(1, "containerName"), TAG(2, "resource"), TAG(3, "divisor")};
/* k8s.io/api core/v1 ResourceHealth */
static const struct sk_proto_tag t_core_ResourceHealth[] = {TAG(1, "resourceID"), TAG(2, "health")};
/* k8s.io/api core/v1 ResourceRequirements */
static const struct sk_proto_tag t_core_ResourceRequirements[] = {
        TAG(1, "limits"), TAG(2, "requests"), TAG(3, "claims")};
/* k8s.io/api core/v1 ResourceStatus */
static const struct sk_proto_tag t_core_ResourceStatus[] = {TAG(1, "name"), TAG(2, "resources")};
/* k8s.io/api core/v1 SELinuxOptions */
static const struct sk_proto_tag t_core_SELinuxOptions[] = {TAG(1, "user"), TAG(2, "role"),
                                                            TAG(3, "type"), TAG(4, "level")};
/* k8s.io/api core/v1 SeccompProfile */
static const struct sk_proto_tag t_core_SeccompProfile[] = {TAG(1, "type"),
                                                            PTR(2, "localhostProfile")};
/* k8s.io/api core/v1 Secret */
static const struct sk_proto_tag t_core_Secret[] = {TAG(1, "metadata"), TAG(2, "data"),
                                                    TAG(3, "type"), TAG(4, "stringData"),
                                                    PTR(5, "immutable")};
/* k8s.io/api core/v1 SecretEnvSource */
static const struct sk_proto_tag t_core_SecretEnvSource[] = {PTR(2, "optional"), INL(1, 1, "name")};
/* k8s.io/api core/v1 SecretKeySelector */
static const struct sk_proto_tag t_core_SecretKeySelector[] = {TAG(2, "key"), PTR(3, "optional"),
                                                               INL(1, 1, "name")};
/* k8s.io/api core/v1 SecretProjection */
static const struct sk_proto_tag t_core_SecretProjection[] = {TAG(2, "items"), PTR(4, "optional"),
                                                              INL(1, 1, "name")};
/* k8s.io/api core/v1 SecretReference */
static const struct sk_proto_tag t_core_SecretReference[] = {TAG(1, "name"), TAG(2, "namespace")};
/* k8s.io/api core/v1 SecretVolumeSource */
static const struct sk_proto_tag t_core_SecretVolumeSource[] = {
        TAG(1, "secretName"), TAG(2, "items"), PTR(3, "defaultMode"), PTR(4, "optional")};
/* k8s.io/api core/v1 SecurityContext */
static const struct sk_proto_tag t_core_SecurityContext[] = {TAG(1, "capabilities"),
                                                             PTR(2, "privileged"),
                                                             TAG(3, "seLinuxOptions"),
                                                             PTR(4, "runAsUser"),
                                                             PTR(5, "runAsNonRoot"),
                                                             PTR(6, "readOnlyRootFilesystem"),
                                                             PTR(7, "allowPrivilegeEscalation"),
                                                             PTR(8, "runAsGroup"),
                                                             PTR(9, "procMount"),
                                                             TAG(10, "windowsOptions"),
                                                             TAG(11, "seccompProfile"),
                                                             TAG(12, "appArmorProfile")};
/* k8s.io/api core/v1 Service */
static const struct sk_proto_tag t_core_Service[] = {TAG(1, "metadata"), TAG(2, "spec"),
                                                     TAG(3, "status")};
/* k8s.io/api core/v1 ServiceAccount */
static const struct sk_proto_tag t_core_ServiceAccount[] = {TAG(1, "metadata"), TAG(2, "secrets"),
                                                            TAG(3, "imagePullSecrets"),
                                                            PTR(4, "automountServiceAccountToken")};
/* k8s.io/api core/v1 ServiceAccountTokenProjection */
static const struct sk_proto_tag t_core_ServiceAccountTokenProjection[] = {
        TAG(1, "audience"), PTR(2, "expirationSeconds"), TAG(3, "path")};
/* k8s.io/api core/v1 ServicePort */
static const struct sk_proto_tag t_core_ServicePort[] = {TAG(1, "name"),     TAG(2, "protocol"),
                                                         TAG(3, "port"),     TAG(4, "targetPort"),
                                                         TAG(5, "nodePort"), PTR(6, "appProtocol")};
/* k8s.io/api core/v1 ServiceSpec */
static const struct sk_proto_tag t_core_ServiceSpec[] = {TAG(1, "ports"),
                                                         TAG(2, "selector"),
                                                         TAG(3, "clusterIP"),
                                                         TAG(4, "type"),
                                                         TAG(5, "externalIPs"),
                                                         TAG(7, "sessionAffinity"),
                                                         TAG(8, "loadBalancerIP"),
                                                         TAG(9, "loadBalancerSourceRanges"),
                                                         TAG(10, "externalName"),
                                                         TAG(11, "externalTrafficPolicy"),
                                                         TAG(12, "healthCheckNodePort"),
                                                         TAG(13, "publishNotReadyAddresses"),
                                                         TAG(14, "sessionAffinityConfig"),
                                                         PTR(17, "ipFamilyPolicy"),
                                                         TAG(18, "clusterIPs"),
                                                         TAG(19, "ipFamilies"),
                                                         PTR(20, "allocateLoadBalancerNodePorts"),
                                                         PTR(21, "loadBalancerClass"),
                                                         PTR(22, "internalTrafficPolicy"),
                                                         PTR(23, "trafficDistribution")};
/* k8s.io/api core/v1 ServiceStatus */
static const struct sk_proto_tag t_core_ServiceStatus[] = {TAG(1, "loadBalancer"),
                                                           TAG(2, "conditions")};
/* k8s.io/api core/v1 SessionAffinityConfig */
static const struct sk_proto_tag t_core_SessionAffinityConfig[] = {TAG(1, "clientIP")};
/* k8s.io/api core/v1 SleepAction */
static const struct sk_proto_tag t_core_SleepAction[] = {TAG(1, "seconds")};
/* k8s.io/api core/v1 Sysctl */
static const struct sk_proto_tag t_core_Sysctl[] = {TAG(1, "name"), TAG(2, "value")};
/* k8s.io/api core/v1 TCPSocketAction */
static const struct sk_proto_tag t_core_TCPSocketAction[] = {TAG(1, "port"), TAG(2, "host")};
/* k8s.io/api core/v1 Taint */
static const struct sk_proto_tag t_core_Taint[] = {TAG(1, "key"), TAG(2, "value"), TAG(3, "effect"),
                                                   PTR(4, "timeAdded")};
/* k8s.io/api core/v1 Toleration */
static const struct sk_proto_tag t_core_Toleration[] = {TAG(1, "key"), TAG(2, "operator"),
                                                        TAG(3, "value"), TAG(4, "effect"),
                                                        PTR(5, "tolerationSeconds")};
/* k8s.io/api core/v1 TopologySelectorLabelRequirement */
static const struct sk_proto_tag t_core_TopologySelectorLabelRequirement[] = {TAG(1, "key"),
                                                                              TAG(2, "values")};
/* k8s.io/api core/v1 TopologySelectorTerm */
static const struct sk_proto_tag t_core_TopologySelectorTerm[] = {TAG(1, "matchLabelExpressions")};
/* k8s.io/api core/v1 TopologySpreadConstraint */
static const struct sk_proto_tag t_core_TopologySpreadConstraint[] = {
        TAG(1, "maxSkew"),          TAG(2, "topologyKey"),   TAG(3, "whenUnsatisfiable"),
        TAG(4, "labelSelector"),    PTR(5, "minDomains"),    PTR(6, "nodeAffinityPolicy"),
        PTR(7, "nodeTaintsPolicy"), TAG(8, "matchLabelKeys")};
/* k8s.io/api core/v1 TypedLocalObjectReference */
static const struct sk_proto_tag t_core_TypedLocalObjectReference[] = {
        PTR(1, "apiGroup"), TAG(2, "kind"), TAG(3, "name")};
/* k8s.io/api core/v1 TypedObjectReference */
static const struct sk_proto_tag t_core_TypedObjectReference[] = {
        PTR(1, "apiGroup"), TAG(2, "kind"), TAG(3, "name"), PTR(4, "namespace")};
/* k8s.io/api core/v1 Volume */
static const struct sk_proto_tag t_core_Volume[] = {TAG(1, "name"),
                                                    INL(2, 1, "hostPath"),
                                                    INL(2, 2, "emptyDir"),
                                                    INL(2, 3, "gcePersistentDisk"),
                                                    INL(2, 4, "awsElasticBlockStore"),
                                                    INL(2, 5, "gitRepo"),
                                                    INL(2, 6, "secret"),
                                                    INL(2, 7, "nfs"),
                                                    INL(2, 8, "iscsi"),
                                                    INL(2, 9, "glusterfs"),
                                                    INL(2, 10, "persistentVolumeClaim"),
                                                    INL(2, 11, "rbd"),
                                                    INL(2, 12, "flexVolume"),
                                                    INL(2, 13, "cinder"),
                                                    INL(2, 14, "cephfs"),
                                                    INL(2, 15, "flocker"),
                                                    INL(2, 16, "downwardAPI"),
                                                    INL(2, 17, "fc"),
                                                    INL(2, 18, "azureFile"),
                                                    INL(2, 19, "configMap"),
                                                    INL(2, 20, "vsphereVolume"),
                                                    INL(2, 21, "quobyte"),
                                                    INL(2, 22, "azureDisk"),
                                                    INL(2, 23, "photonPersistentDisk"),
                                                    INL(2, 24, "portworxVolume"),
                                                    INL(2, 25, "scaleIO"),
                                                    INL(2, 26, "projected"),
                                                    INL(2, 27, "storageos"),
                                                    INL(2, 28, "csi"),
                                                    INL(2, 29, "ephemeral"),
                                                    INL(2, 30, "image")};
/* k8s.io/api core/v1 VolumeDevice */
static const struct sk_proto_tag t_core_VolumeDevice[] = {TAG(1, "name"), TAG(2, "devicePath")};
/* k8s.io/api core/v1 VolumeMount */
static const struct sk_proto_tag t_core_VolumeMount[] = {TAG(1, "name"),
                                                         TAG(2, "readOnly"),
                                                         TAG(3, "mountPath"),
                                                         TAG(4, "subPath"),
                                                         PTR(5, "mountPropagation"),
                                                         TAG(6, "subPathExpr"),
                                                         PTR(7, "recursiveReadOnly")};
/* k8s.io/api core/v1 VolumeMountStatus */
static const struct sk_proto_tag t_core_VolumeMountStatus[] = {
        TAG(1, "name"), TAG(2, "mountPath"), TAG(3, "readOnly"), PTR(4, "recursiveReadOnly")};
/* k8s.io/api core/v1 VolumeNodeAffinity */
static const struct sk_proto_tag t_core_VolumeNodeAffinity[] = {TAG(1, "required")};
/* k8s.io/api core/v1 VolumeProjection */
static const struct sk_proto_tag t_core_VolumeProjection[] = {
        TAG(1, "secret"), TAG(2, "downwardAPI"), TAG(3, "configMap"), TAG(4, "serviceAccountToken"),
        TAG(5, "clusterTrustBundle")};
/* k8s.io/api core/v1 VolumeResourceRequirements */
static const struct sk_proto_tag t_core_VolumeResourceRequirements[] = {TAG(1, "limits"),
                                                                        TAG(2, "requests")};
/* k8s.io/api core/v1 WeightedPodAffinityTerm */
static const struct sk_proto_tag t_core_WeightedPodAffinityTerm[] = {TAG(1, "weight"),
                                                                     TAG(2, "podAffinityTerm")};
/* k8s.io/api core/v1 WindowsSecurityContextOptions */
static const struct sk_proto_tag t_core_WindowsSecurityContextOptions[] = {
        PTR(1, "gmsaCredentialSpecName"), PTR(2, "gmsaCredentialSpec"), PTR(3, "runAsUserName"),
        PTR(4, "hostProcess")};
/* k8s.io/api discovery/v1 Endpoint */
static const struct sk_proto_tag t_disc_Endpoint[] = {
        TAG(1, "addresses"),          TAG(2, "conditions"), PTR(3, "hostname"), TAG(4, "targetRef"),
        TAG(5, "deprecatedTopology"), PTR(6, "nodeName"),   PTR(7, "zone"),     TAG(8, "hints")};
/* k8s.io/api discovery/v1 EndpointConditions */
static const struct sk_proto_tag t_disc_EndpointConditions[] = {PTR(1, "ready"), PTR(2, "serving"),
                                                                PTR(3, "terminating")};
/* k8s.io/api discovery/v1 EndpointHints */
static const struct sk_proto_tag t_disc_EndpointHints[] = {TAG(1, "forZones")};
/* k8s.io/api discovery/v1 EndpointPort */
static const struct sk_proto_tag t_disc_EndpointPort[] = {PTR(1, "name"), PTR(2, "protocol"),
                                                          PTR(3, "port"), PTR(4, "appProtocol")};
/* k8s.io/api discovery/v1 EndpointSlice */
static const struct sk_proto_tag t_disc_EndpointSlice[] = {TAG(1, "metadata"), TAG(2, "endpoints"),
                                                           TAG(3, "ports"), TAG(4, "addressType")};
/* k8s.io/api discovery/v1 ForZone */
static const struct sk_proto_tag t_disc_ForZone[] = {TAG(1, "name")};
/* k8s.io/api networking/v1 HTTPIngressPath */
static const struct sk_proto_tag t_net_HTTPIngressPath[] = {TAG(1, "path"), TAG(2, "backend"),
                                                            PTR(3, "pathType")};
/* k8s.io/api networking/v1 HTTPIngressRuleValue */
static const struct sk_proto_tag t_net_HTTPIngressRuleValue[] = {TAG(1, "paths")};
/* k8s.io/api networking/v1 Ingress */
static const struct sk_proto_tag t_net_Ingress[] = {TAG(1, "metadata"), TAG(2, "spec"),
                                                    TAG(3, "status")};
/* k8s.io/api networking/v1 IngressBackend */
static const struct sk_proto_tag t_net_IngressBackend[] = {TAG(3, "resource"), TAG(4, "service")};
/* k8s.io/api networking/v1 IngressClass */
static const struct sk_proto_tag t_net_IngressClass[] = {TAG(1, "metadata"), TAG(2, "spec")};
/* k8s.io/api networking/v1 IngressClassParametersReference */
static const struct sk_proto_tag t_net_IngressClassParametersReference[] = {
        PTR(1, "apiGroup"), TAG(2, "kind"), TAG(3, "name"), PTR(4, "scope"), PTR(5, "namespace")};
/* k8s.io/api networking/v1 IngressClassSpec */
static const struct sk_proto_tag t_net_IngressClassSpec[] = {TAG(1, "controller"),
                                                             TAG(2, "parameters")};
/* k8s.io/api networking/v1 IngressLoadBalancerIngress */
static const struct sk_proto_tag t_net_IngressLoadBalancerIngress[] = {
        TAG(1, "ip"), TAG(2, "hostname"), TAG(4, "ports")};
/* k8s.io/api networking/v1 IngressLoadBalancerStatus */
static const struct sk_proto_tag t_net_IngressLoadBalancerStatus[] = {TAG(1, "ingress")};
/* k8s.io/api networking/v1 IngressPortStatus */
static const struct sk_proto_tag t_net_IngressPortStatus[] = {TAG(1, "port"), TAG(2, "protocol"),
                                                              PTR(3, "error")};
/* k8s.io/api networking/v1 IngressRule */
static const struct sk_proto_tag t_net_IngressRule[] = {TAG(1, "host"), INL(2, 1, "http")};
/* k8s.io/api networking/v1 IngressServiceBackend */
static const struct sk_proto_tag t_net_IngressServiceBackend[] = {TAG(1, "name"), TAG(2, "port")};
/* k8s.io/api networking/v1 IngressSpec */
static const struct sk_proto_tag t_net_IngressSpec[] = {
        TAG(1, "defaultBackend"), TAG(2, "tls"), TAG(3, "rules"), PTR(4, "ingressClassName")};
/* k8s.io/api networking/v1 IngressStatus */
static const struct sk_proto_tag t_net_IngressStatus[] = {TAG(1, "loadBalancer")};
/* k8s.io/api networking/v1 IngressTLS */
static const struct sk_proto_tag t_net_IngressTLS[] = {TAG(1, "hosts"), TAG(2, "secretName")};
/* k8s.io/api networking/v1 ServiceBackendPort */
static const struct sk_proto_tag t_net_ServiceBackendPort[] = {TAG(1, "name"), TAG(2, "number")};
/* k8s.io/api storage/v1 StorageClass */
static const struct sk_proto_tag t_storage_StorageClass[] = {
        TAG(1, "metadata"),          TAG(2, "provisioner"),      TAG(3, "parameters"),
        PTR(4, "reclaimPolicy"),     TAG(5, "mountOptions"),     PTR(6, "allowVolumeExpansion"),
        PTR(7, "volumeBindingMode"), TAG(8, "allowedTopologies")};
/* k8s.io/apimachinery meta/v1 Condition */
static const struct sk_proto_tag t_meta_Condition[] = {TAG(1, "type"),
                                                       TAG(2, "status"),
                                                       TAG(3, "observedGeneration"),
                                                       TAG(4, "lastTransitionTime"),
                                                       TAG(5, "reason"),
                                                       TAG(6, "message")};
/* k8s.io/apimachinery meta/v1 LabelSelector */
static const struct sk_proto_tag t_meta_LabelSelector[] = {TAG(1, "matchLabels"),
                                                           TAG(2, "matchExpressions")};
/* k8s.io/apimachinery meta/v1 LabelSelectorRequirement */
static const struct sk_proto_tag t_meta_LabelSelectorRequirement[] = {
        TAG(1, "key"), TAG(2, "operator"), TAG(3, "values")};
/* k8s.io/apimachinery meta/v1 ManagedFieldsEntry */
static const struct sk_proto_tag t_meta_ManagedFieldsEntry[] = {
        TAG(1, "manager"),    TAG(2, "operation"), TAG(3, "apiVersion"), PTR(4, "time"),
        TAG(6, "fieldsType"), TAG(7, "fieldsV1"),  TAG(8, "subresource")};
/* k8s.io/apimachinery meta/v1 ObjectMeta */
static const struct sk_proto_tag t_meta_ObjectMeta[] = {TAG(1, "name"),
                                                        TAG(2, "generateName"),
                                                        TAG(3, "namespace"),
                                                        TAG(4, "selfLink"),
                                                        TAG(5, "uid"),
                                                        TAG(6, "resourceVersion"),
                                                        TAG(7, "generation"),
                                                        TAG(8, "creationTimestamp"),
                                                        PTR(9, "deletionTimestamp"),
                                                        PTR(10, "deletionGracePeriodSeconds"),
                                                        TAG(11, "labels"),
                                                        TAG(12, "annotations"),
                                                        TAG(13, "ownerReferences"),
                                                        TAG(14, "finalizers"),
                                                        TAG(17, "managedFields")};
/* k8s.io/apimachinery meta/v1 OwnerReference */
static const struct sk_proto_tag t_meta_OwnerReference[] = {
        TAG(1, "kind"),       TAG(3, "name"),       TAG(4, "uid"),
        TAG(5, "apiVersion"), PTR(6, "controller"), PTR(7, "blockOwnerDeletion")};

const struct sk_proto_msg sk_proto_msgs[] = {
        MSG("io.k8s.api.apps.v1.ControllerRevision", t_apps_ControllerRevision),
        MSG("io.k8s.api.apps.v1.DaemonSet", t_apps_DaemonSet),
        MSG("io.k8s.api.apps.v1.DaemonSetCondition", t_apps_DaemonSetCondition),
        MSG("io.k8s.api.apps.v1.DaemonSetSpec", t_apps_DaemonSetSpec),
        MSG("io.k8s.api.apps.v1.DaemonSetStatus", t_apps_DaemonSetStatus),
        MSG("io.k8s.api.apps.v1.DaemonSetUpdateStrategy", t_apps_DaemonSetUpdateStrategy),
        MSG("io.k8s.api.apps.v1.Deployment", t_apps_Deployment),
        MSG("io.k8s.api.apps.v1.DeploymentCondition", t_apps_DeploymentCondition),
        MSG("io.k8s.api.apps.v1.DeploymentSpec", t_apps_DeploymentSpec),
        MSG("io.k8s.api.apps.v1.DeploymentStatus", t_apps_DeploymentStatus),
        MSG("io.k8s.api.apps.v1.DeploymentStrategy", t_apps_DeploymentStrategy),
        MSG("io.k8s.api.apps.v1.ReplicaSet", t_apps_ReplicaSet),
        MSG("io.k8s.api.apps.v1.ReplicaSetCondition", t_apps_ReplicaSetCondition),
        MSG("io.k8s.api.apps.v1.ReplicaSetSpec", t_apps_ReplicaSetSpec),
        MSG("io.k8s.api.apps.v1.ReplicaSetStatus", t_apps_ReplicaSetStatus),
        MSG("io.k8s.api.apps.v1.RollingUpdateDaemonSet", t_apps_RollingUpdateDaemonSet),
        MSG("io.k8s.api.apps.v1.RollingUpdateDeployment", t_apps_RollingUpdateDeployment),
        MSG("io.k8s.api.apps.v1.RollingUpdateStatefulSetStrategy",
            t_apps_RollingUpdateStatefulSetStrategy),
        MSG("io.k8s.api.apps.v1.StatefulSet", t_apps_StatefulSet),
        MSG("io.k8s.api.apps.v1.StatefulSetCondition", t_apps_StatefulSetCondition),
        MSG("io.k8s.api.apps.v1.StatefulSetOrdinals", t_apps_StatefulSetOrdinals),
        MSG("io.k8s.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy",
            t_apps_StatefulSetPersistentVolumeClaimRetentionPolicy),
        MSG("io.k8s.api.apps.v1.StatefulSetSpec", t_apps_StatefulSetSpec),
        MSG("io.k8s.api.apps.v1.StatefulSetStatus", t_apps_StatefulSetStatus),
        MSG("io.k8s.api.apps.v1.StatefulSetUpdateStrategy", t_apps_StatefulSetUpdateStrategy),
        MSG("io.k8s.api.autoscaling.v2.ContainerResourceMetricSource",
            t_hpa_ContainerResourceMetricSource),
        MSG("io.k8s.api.autoscaling.v2.ContainerResourceMetricStatus",
            t_hpa_ContainerResourceMetricStatus),
        MSG("io.k8s.api.autoscaling.v2.CrossVersionObjectReference",
            t_hpa_CrossVersionObjectReference),
        MSG("io.k8s.api.autoscaling.v2.ExternalMetricSource", t_hpa_ExternalMetricSource),
        MSG("io.k8s.api.autoscaling.v2.ExternalMetricStatus", t_hpa_ExternalMetricStatus),
        MSG("io.k8s.api.autoscaling.v2.HPAScalingPolicy", t_hpa_HPAScalingPolicy),
        MSG("io.k8s.api.autoscaling.v2.HPAScalingRules", t_hpa_HPAScalingRules),
        MSG("io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler", t_hpa_HorizontalPodAutoscaler),
        MSG("io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerBehavior",
            t_hpa_HorizontalPodAutoscalerBehavior),
        MSG("io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerCondition",
            t_hpa_HorizontalPodAutoscalerCondition),
        MSG("io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec",
            t_hpa_HorizontalPodAutoscalerSpec),
        MSG("io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus",
            t_hpa_HorizontalPodAutoscalerStatus),
        MSG("io.k8s.api.autoscaling.v2.MetricIdentifier", t_hpa_MetricIdentifier),
        MSG("io.k8s.api.autoscaling.v2.MetricSpec", t_hpa_MetricSpec),
        MSG("io.k8s.api.autoscaling.v2.MetricStatus", t_hpa_MetricStatus),
        MSG("io.k8s.api.autoscaling.v2.MetricTarget", t_hpa_MetricTarget),
        MSG("io.k8s.api.autoscaling.v2.MetricValueStatus", t_hpa_MetricValueStatus),
        MSG("io.k8s.api.autoscaling.v2.ObjectMetricSource", t_hpa_ObjectMetricSource),
        MSG("io.k8s.api.autoscaling.v2.ObjectMetricStatus", t_hpa_ObjectMetricStatus),
        MSG("io.k8s.api.autoscaling.v2.PodsMetricSource", t_hpa_PodsMetricSource),
        MSG("io.k8s.api.autoscaling.v2.PodsMetricStatus", t_hpa_PodsMetricStatus),
        MSG("io.k8s.api.autoscaling.v2.ResourceMetricSource", t_hpa_ResourceMetricSource),
        MSG("io.k8s.api.autoscaling.v2.ResourceMetricStatus", t_hpa_ResourceMetricStatus),
        MSG("io.k8s.api.batch.v1.CronJob", t_batch_CronJob),
        MSG("io.k8s.api.batch.v1.CronJobSpec", t_batch_CronJobSpec),
        MSG("io.k8s.api.batch.v1.CronJobStatus", t_batch_CronJobStatus),
        MSG("io.k8s.api.batch.v1.Job", t_batch_Job),
        MSG("io.k8s.api.batch.v1.JobCondition", t_batch_JobCondition),
        MSG("io.k8s.api.batch.v1.JobSpec", t_batch_JobSpec),
        MSG("io.k8s.api.batch.v1.JobStatus", t_batch_JobStatus),
        MSG("io.k8s.api.batch.v1.JobTemplateSpec", t_batch_JobTemplateSpec),
        MSG("io.k8s.api.batch.v1.PodFailurePolicy", t_batch_PodFailurePolicy),
        MSG("io.k8s.api.batch.v1.PodFailurePolicyOnExitCodesRequirement",
            t_batch_PodFailurePolicyOnExitCodesRequirement),
        MSG("io.k8s.api.batch.v1.PodFailurePolicyOnPodConditionsPattern",
            t_batch_PodFailurePolicyOnPodConditionsPattern),
        MSG("io.k8s.api.batch.v1.PodFailurePolicyRule", t_batch_PodFailurePolicyRule),
        MSG("io.k8s.api.batch.v1.SuccessPolicy", t_batch_SuccessPolicy),
        MSG("io.k8s.api.batch.v1.SuccessPolicyRule", t_batch_SuccessPolicyRule),
        MSG("io.k8s.api.batch.v1.UncountedTerminatedPods", t_batch_UncountedTerminatedPods),
        MSG("io.k8s.api.coordination.v1.Lease", t_coord_Lease),
        MSG("io.k8s.api.coordination.v1.LeaseSpec", t_coord_LeaseSpec),
        MSG("io.k8s.api.core.v1.Affinity", t_core_Affinity),
        MSG("io.k8s.api.core.v1.AppArmorProfile", t_core_AppArmorProfile),
        MSG("io.k8s.api.core.v1.AttachedVolume", t_core_AttachedVolume),
        MSG("io.k8s.api.core.v1.CSIPersistentVolumeSource", t_core_CSIPersistentVolumeSource),
        MSG("io.k8s.api.core.v1.CSIVolumeSource", t_core_CSIVolumeSource),
        MSG("io.k8s.api.core.v1.Capabilities", t_core_Capabilities),
        MSG("io.k8s.api.core.v1.ClientIPConfig", t_core_ClientIPConfig),
        MSG("io.k8s.api.core.v1.ClusterTrustBundleProjection", t_core_ClusterTrustBundleProjection),
        MSG("io.k8s.api.core.v1.ConfigMap", t_core_ConfigMap),
        MSG("io.k8s.api.core.v1.ConfigMapEnvSource", t_core_ConfigMapEnvSource),
        MSG("io.k8s.api.core.v1.ConfigMapKeySelector", t_core_ConfigMapKeySelector),
        MSG("io.k8s.api.core.v1.ConfigMapProjection", t_core_ConfigMapProjection),
        MSG("io.k8s.api.core.v1.ConfigMapVolumeSource", t_core_ConfigMapVolumeSource),
        MSG("io.k8s.api.core.v1.Container", t_core_Container),
        MSG("io.k8s.api.core.v1.ContainerImage", t_core_ContainerImage),
        MSG("io.k8s.api.core.v1.ContainerPort", t_core_ContainerPort),
        MSG("io.k8s.api.core.v1.ContainerResizePolicy", t_core_ContainerResizePolicy),
        MSG("io.k8s.api.core.v1.ContainerState", t_core_ContainerState),
        MSG("io.k8s.api.core.v1.ContainerStateRunning", t_core_ContainerStateRunning),
        MSG("io.k8s.api.core.v1.ContainerStateTerminated", t_core_ContainerStateTerminated),
        MSG("io.k8s.api.core.v1.ContainerStateWaiting", t_core_ContainerStateWaiting),
        MSG("io.k8s.api.core.v1.ContainerStatus", t_core_ContainerStatus),
        MSG("io.k8s.api.core.v1.ContainerUser", t_core_ContainerUser),
        MSG("io.k8s.api.core.v1.DownwardAPIProjection", t_core_DownwardAPIProjection),
        MSG("io.k8s.api.core.v1.DownwardAPIVolumeFile", t_core_DownwardAPIVolumeFile),
        MSG("io.k8s.api.core.v1.DownwardAPIVolumeSource", t_core_DownwardAPIVolumeSource),
        MSG("io.k8s.api.core.v1.EmptyDirVolumeSource", t_core_EmptyDirVolumeSource),
        MSG("io.k8s.api.core.v1.EndpointAddress", t_core_EndpointAddress),
        MSG("io.k8s.api.core.v1.EndpointPort", t_core_EndpointPort),
        MSG("io.k8s.api.core.v1.EndpointSubset", t_core_EndpointSubset),
        MSG("io.k8s.api.core.v1.Endpoints", t_core_Endpoints),
        MSG("io.k8s.api.core.v1.EnvFromSource", t_core_EnvFromSource),
        MSG("io.k8s.api.core.v1.EnvVar", t_core_EnvVar),
        MSG("io.k8s.api.core.v1.EnvVarSource", t_core_EnvVarSource),
        MSG("io.k8s.api.core.v1.EphemeralContainer", t_core_EphemeralContainer),
        MSG("io.k8s.api.core.v1.EphemeralVolumeSource", t_core_EphemeralVolumeSource),
        MSG("io.k8s.api.core.v1.Event", t_core_Event),
        MSG("io.k8s.api.core.v1.EventSeries", t_core_EventSeries),
        MSG("io.k8s.api.core.v1.EventSource", t_core_EventSource),
        MSG("io.k8s.api.core.v1.ExecAction", t_core_ExecAction),
        MSG("io.k8s.api.core.v1.GRPCAction", t_core_GRPCAction),
        MSG("io.k8s.api.core.v1.HTTPGetAction", t_core_HTTPGetAction),
        MSG("io.k8s.api.core.v1.HTTPHeader", t_core_HTTPHeader),
        MSG("io.k8s.api.core.v1.HostAlias", t_core_HostAlias),
        MSG("io.k8s.api.core.v1.HostIP", t_core_HostIP),
        MSG("io.k8s.api.core.v1.HostPathVolumeSource", t_core_HostPathVolumeSource),
        MSG("io.k8s.api.core.v1.ImageVolumeSource", t_core_ImageVolumeSource),
        MSG("io.k8s.api.core.v1.KeyToPath", t_core_KeyToPath),
        MSG("io.k8s.api.core.v1.Lifecycle", t_core_Lifecycle),
        MSG("io.k8s.api.core.v1.LifecycleHandler", t_core_LifecycleHandler),
        MSG("io.k8s.api.core.v1.LinuxContainerUser", t_core_LinuxContainerUser),
        MSG("io.k8s.api.core.v1.LoadBalancerIngress", t_core_LoadBalancerIngress),
        MSG("io.k8s.api.core.v1.LoadBalancerStatus", t_core_LoadBalancerStatus),
        MSG("io.k8s.api.core.v1.LocalObjectReference", t_core_LocalObjectReference),
        MSG("io.k8s.api.core.v1.LocalVolumeSource", t_core_LocalVolumeSource),
        MSG("io.k8s.api.core.v1.ModifyVolumeStatus", t_core_ModifyVolumeStatus),
        MSG("io.k8s.api.core.v1.NFSVolumeSource", t_core_NFSVolumeSource),
        MSG("io.k8s.api.core.v1.Namespace", t_core_Namespace),
        MSG("io.k8s.api.core.v1.NamespaceCondition", t_core_NamespaceCondition),
        MSG("io.k8s.api.core.v1.NamespaceSpec", t_core_NamespaceSpec),
        MSG("io.k8s.api.core.v1.NamespaceStatus", t_core_NamespaceStatus),
        MSG("io.k8s.api.core.v1.Node", t_core_Node),
        MSG("io.k8s.api.core.v1.NodeAddress", t_core_NodeAddress),
        MSG("io.k8s.api.core.v1.NodeAffinity", t_core_NodeAffinity),
        MSG("io.k8s.api.core.v1.NodeCondition", t_core_NodeCondition),
        MSG("io.k8s.api.core.v1.NodeFeatures", t_core_NodeFeatures),
        MSG("io.k8s.api.core.v1.NodeRuntimeHandler", t_core_NodeRuntimeHandler),
        MSG("io.k8s.api.core.v1.NodeRuntimeHandlerFeatures", t_core_NodeRuntimeHandlerFeatures),
        MSG("io.k8s.api.core.v1.NodeSelector", t_core_NodeSelector),
        MSG("io.k8s.api.core.v1.NodeSelectorRequirement", t_core_NodeSelectorRequirement),
        MSG("io.k8s.api.core.v1.NodeSelectorTerm", t_core_NodeSelectorTerm),
        MSG("io.k8s.api.core.v1.NodeSpec", t_core_NodeSpec),
        MSG("io.k8s.api.core.v1.NodeStatus", t_core_NodeStatus),
        MSG("io.k8s.api.core.v1.NodeSystemInfo", t_core_NodeSystemInfo),
        MSG("io.k8s.api.core.v1.ObjectFieldSelector", t_core_ObjectFieldSelector),
        MSG("io.k8s.api.core.v1.ObjectReference", t_core_ObjectReference),
        MSG("io.k8s.api.core.v1.PersistentVolume", t_core_PersistentVolume),
        MSG("io.k8s.api.core.v1.PersistentVolumeClaim", t_core_PersistentVolumeClaim),
        MSG("io.k8s.api.core.v1.PersistentVolumeClaimCondition",
            t_core_PersistentVolumeClaimCondition),
        MSG("io.k8s.api.core.v1.PersistentVolumeClaimSpec", t_core_PersistentVolumeClaimSpec),
        MSG("io.k8s.api.core.v1.PersistentVolumeClaimStatus", t_core_PersistentVolumeClaimStatus),
        MSG("io.k8s.api.core.v1.PersistentVolumeClaimTemplate",
            t_core_PersistentVolumeClaimTemplate),
        MSG("io.k8s.api.core.v1.PersistentVolumeClaimVolumeSource",
            t_core_PersistentVolumeClaimVolumeSource),
        MSG("io.k8s.api.core.v1.PersistentVolumeSpec", t_core_PersistentVolumeSpec),
        MSG("io.k8s.api.core.v1.PersistentVolumeStatus", t_core_PersistentVolumeStatus),
        MSG("io.k8s.api.core.v1.Pod", t_core_Pod),
        MSG("io.k8s.api.core.v1.PodAffinity", t_core_PodAffinity),
        MSG("io.k8s.api.core.v1.PodAffinityTerm", t_core_PodAffinityTerm),
        MSG("io.k8s.api.core.v1.PodAntiAffinity", t_core_PodAntiAffinity),
        MSG("io.k8s.api.core.v1.PodCondition", t_core_PodCondition),
        MSG("io.k8s.api.core.v1.PodDNSConfig", t_core_PodDNSConfig),
        MSG("io.k8s.api.core.v1.PodDNSConfigOption", t_core_PodDNSConfigOption),
        MSG("io.k8s.api.core.v1.PodIP", t_core_PodIP),
        MSG("io.k8s.api.core.v1.PodOS", t_core_PodOS),
        MSG("io.k8s.api.core.v1.PodReadinessGate", t_core_PodReadinessGate),
        MSG("io.k8s.api.core.v1.PodResourceClaim", t_core_PodResourceClaim),
        MSG("io.k8s.api.core.v1.PodResourceClaimStatus", t_core_PodResourceClaimStatus),
        MSG("io.k8s.api.core.v1.PodSchedulingGate", t_core_PodSchedulingGate),
        MSG("io.k8s.api.core.v1.PodSecurityContext", t_core_PodSecurityContext),
        MSG("io.k8s.api.core.v1.PodSpec", t_core_PodSpec),
        MSG("io.k8s.api.core.v1.PodStatus", t_core_PodStatus),
        MSG("io.k8s.api.core.v1.PodTemplateSpec", t_core_PodTemplateSpec),
        MSG("io.k8s.api.core.v1.PortStatus", t_core_PortStatus),
        MSG("io.k8s.api.core.v1.PreferredSchedulingTerm", t_core_PreferredSchedulingTerm),
        MSG("io.k8s.api.core.v1.Probe", t_core_Probe),
        MSG("io.k8s.api.core.v1.ProjectedVolumeSource", t_core_ProjectedVolumeSource),
        MSG("io.k8s.api.core.v1.ReplicationController", t_core_ReplicationController),
        MSG("io.k8s.api.core.v1.ReplicationControllerCondition",
            t_core_ReplicationControllerCondition),
        MSG("io.k8s.api.core.v1.ReplicationControllerSpec", t_core_ReplicationControllerSpec),
        MSG("io.k8s.api.core.v1.ReplicationControllerStatus", t_core_ReplicationControllerStatus),
        MSG("io.k8s.api.core.v1.ResourceClaim", t_core_ResourceClaim),
        MSG("io.k8s.api.core.v1.ResourceFieldSelector", t_core_ResourceFieldSelector),
        MSG("io.k8s.api.core.v1.ResourceHealth", t_core_ResourceHealth),
        MSG("io.k8s.api.core.v1.ResourceRequirements", t_core_ResourceRequirements),
        MSG("io.k8s.api.core.v1.ResourceStatus", t_core_ResourceStatus),
        MSG("io.k8s.api.core.v1.SELinuxOptions", t_core_SELinuxOptions),
        MSG("io.k8s.api.core.v1.SeccompProfile", t_core_SeccompProfile),
        MSG("io.k8s.api.core.v1.Secret", t_core_Secret),
        MSG("io.k8s.api.core.v1.SecretEnvSource", t_core_SecretEnvSource),
        MSG("io.k8s.api.core.v1.SecretKeySelector", t_core_SecretKeySelector),
        MSG("io.k8s.api.core.v1.SecretProjection", t_core_SecretProjection),
        MSG("io.k8s.api.core.v1.SecretReference", t_core_SecretReference),
        MSG("io.k8s.api.core.v1.SecretVolumeSource", t_core_SecretVolumeSource),
        MSG("io.k8s.api.core.v1.SecurityContext", t_core_SecurityContext),
        MSG("io.k8s.api.core.v1.Service", t_core_Service),
        MSG("io.k8s.api.core.v1.ServiceAccount", t_core_ServiceAccount),
        MSG("io.k8s.api.core.v1.ServiceAccountTokenProjection",
            t_core_ServiceAccountTokenProjection),
        MSG("io.k8s.api.core.v1.ServicePort", t_core_ServicePort),
        MSG("io.k8s.api.core.v1.ServiceSpec", t_core_ServiceSpec),
        MSG("io.k8s.api.core.v1.ServiceStatus", t_core_ServiceStatus),
        MSG("io.k8s.api.core.v1.SessionAffinityConfig", t_core_SessionAffinityConfig),
        MSG("io.k8s.api.core.v1.SleepAction", t_core_SleepAction),
        MSG("io.k8s.api.core.v1.Sysctl", t_core_Sysctl),
        MSG("io.k8s.api.core.v1.TCPSocketAction", t_core_TCPSocketAction),
        MSG("io.k8s.api.core.v1.Taint", t_core_Taint),
        MSG("io.k8s.api.core.v1.Toleration", t_core_Toleration),
        MSG("io.k8s.api.core.v1.TopologySelectorLabelRequirement",
            t_core_TopologySelectorLabelRequirement),
        MSG("io.k8s.api.core.v1.TopologySelectorTerm", t_core_TopologySelectorTerm),
        MSG("io.k8s.api.core.v1.TopologySpreadConstraint", t_core_TopologySpreadConstraint),
        MSG("io.k8s.api.core.v1.TypedLocalObjectReference", t_core_TypedLocalObjectReference),
        MSG("io.k8s.api.core.v1.TypedObjectReference", t_core_TypedObjectReference),
        MSG("io.k8s.api.core.v1.Volume", t_core_Volume),
        MSG("io.k8s.api.core.v1.VolumeDevice", t_core_VolumeDevice),
        MSG("io.k8s.api.core.v1.VolumeMount", t_core_VolumeMount),
        MSG("io.k8s.api.core.v1.VolumeMountStatus", t_core_VolumeMountStatus),
        MSG("io.k8s.api.core.v1.VolumeNodeAffinity", t_core_VolumeNodeAffinity),
        MSG("io.k8s.api.core.v1.VolumeProjection", t_core_VolumeProjection),
        MSG("io.k8s.api.core.v1.VolumeResourceRequirements", t_core_VolumeResourceRequirements),
        MSG("io.k8s.api.core.v1.WeightedPodAffinityTerm", t_core_WeightedPodAffinityTerm),
        MSG("io.k8s.api.core.v1.WindowsSecurityContextOptions",
            t_core_WindowsSecurityContextOptions),
        MSG("io.k8s.api.discovery.v1.Endpoint", t_disc_Endpoint),
        MSG("io.k8s.api.discovery.v1.EndpointConditions", t_disc_EndpointConditions),
        MSG("io.k8s.api.discovery.v1.EndpointHints", t_disc_EndpointHints),
        MSG("io.k8s.api.discovery.v1.EndpointPort", t_disc_EndpointPort),
        MSG("io.k8s.api.discovery.v1.EndpointSlice", t_disc_EndpointSlice),
        MSG("io.k8s.api.discovery.v1.ForZone", t_disc_ForZone),
        MSG("io.k8s.api.networking.v1.HTTPIngressPath", t_net_HTTPIngressPath),
        MSG("io.k8s.api.networking.v1.HTTPIngressRuleValue", t_net_HTTPIngressRuleValue),
        MSG("io.k8s.api.networking.v1.Ingress", t_net_Ingress),
        MSG("io.k8s.api.networking.v1.IngressBackend", t_net_IngressBackend),
        MSG("io.k8s.api.networking.v1.IngressClass", t_net_IngressClass),
        MSG("io.k8s.api.networking.v1.IngressClassParametersReference",
            t_net_IngressClassParametersReference),
        MSG("io.k8s.api.networking.v1.IngressClassSpec", t_net_IngressClassSpec),
        MSG("io.k8s.api.networking.v1.IngressLoadBalancerIngress",
            t_net_IngressLoadBalancerIngress),
        MSG("io.k8s.api.networking.v1.IngressLoadBalancerStatus", t_net_IngressLoadBalancerStatus),
        MSG("io.k8s.api.networking.v1.IngressPortStatus", t_net_IngressPortStatus),
        MSG("io.k8s.api.networking.v1.IngressRule", t_net_IngressRule),
        MSG("io.k8s.api.networking.v1.IngressServiceBackend", t_net_IngressServiceBackend),
        MSG("io.k8s.api.networking.v1.IngressSpec", t_net_IngressSpec),
        MSG("io.k8s.api.networking.v1.IngressStatus", t_net_IngressStatus),
        MSG("io.k8s.api.networking.v1.IngressTLS", t_net_IngressTLS),
        MSG("io.k8s.api.networking.v1.ServiceBackendPort", t_net_ServiceBackendPort),
        MSG("io.k8s.api.storage.v1.StorageClass", t_storage_StorageClass),
        MSG("io.k8s.apimachinery.pkg.apis.meta.v1.Condition", t_meta_Condition),
        MSG("io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector", t_meta_LabelSelector),
        MSG("io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement",
            t_meta_LabelSelectorRequirement),
        MSG("io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry", t_meta_ManagedFieldsEntry),
        MSG("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", t_meta_ObjectMeta),
        MSG("io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference", t_meta_OwnerReference),
};
const size_t sk_proto_nmsgs = sizeof(sk_proto_msgs) / sizeof(sk_proto_msgs[0]);

static int cmp_msg(const void *key, const void *elem)
{
    return strcmp(key, ((const struct sk_proto_msg *)elem)->ref);
}

const struct sk_proto_msg *sk_proto_msg_find(const char *ref)
{
    if (!ref) return NULL;
    return bsearch(ref, sk_proto_msgs, sk_proto_nmsgs, sizeof(sk_proto_msgs[0]), cmp_msg);
}
