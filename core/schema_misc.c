/* The kinds outside core, apps and batch: networking.k8s.io Ingress and
 * IngressClass, autoscaling/v2 HorizontalPodAutoscaler, storage.k8s.io
 * StorageClass, coordination.k8s.io Lease and discovery.k8s.io
 * EndpointSlice, with their tables, defaults and validation. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quantity.h"
#include "schema_int.h"

/* ---- field tables ---- */

static const struct sk_field f_networking_ServiceBackendPort[] = {
        SK_FLD("name", SK_F_STRING, "Name of the service port."),
        SK_FLD("number", SK_F_INT32, "Number of the service port."),
        {0},
};

static const struct sk_field f_networking_IngressServiceBackend[] = {
        SK_FLD("name", SK_F_STRING, "Name of the service in the ingress's namespace.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("port", SK_F_OBJECT, "Port of the service, by name or number.",
               .fields = f_networking_ServiceBackendPort, .ref = SK_REF_NET "ServiceBackendPort"),
        {0},
};

static const struct sk_field f_networking_IngressBackend[] = {
        SK_FLD("service", SK_F_OBJECT, "Service to send traffic to.",
               .fields = f_networking_IngressServiceBackend,
               .ref = SK_REF_NET "IngressServiceBackend"),
        SK_FLD("resource", SK_F_OBJECT, "Other object to send traffic to; excludes service.",
               .fields = sk_f_core_TypedLocalObjectReference,
               .ref = SK_REF_CORE "TypedLocalObjectReference"),
        {0},
};

static const struct sk_field f_networking_IngressTLS[] = {
        SK_FLD("hosts", SK_F_ARRAY,
               "Host names covered by the certificate; default to the controller's wildcard host.",
               .elem = SK_F_STRING, .list_type = "atomic"),
        SK_FLD("secretName", SK_F_STRING,
               "Secret with the certificate and key (tls.crt, tls.key)."),
        {0},
};

static const struct sk_field f_networking_HTTPIngressPath[] = {
        SK_FLD("path", SK_F_STRING, "Path to match, starting with \"/\"."),
        SK_FLD("pathType", SK_F_STRING,
               "Exact, Prefix (by path element) or ImplementationSpecific.",
               .go_type = "v1.PathType", .flags = SK_FF_REQUIRED),
        SK_FLD("backend", SK_F_OBJECT, "Where matching traffic goes.",
               .fields = f_networking_IngressBackend, .ref = SK_REF_NET "IngressBackend",
               .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_networking_HTTPIngressRuleValue[] = {
        SK_FLD("paths", SK_F_ARRAY, "Paths mapped to backends.", .elem = SK_F_OBJECT,
               .fields = f_networking_HTTPIngressPath, .ref = SK_REF_NET "HTTPIngressPath",
               .list_type = "atomic", .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_networking_IngressRule[] = {
        SK_FLD("host", SK_F_STRING,
               "Fully qualified host name to match, optionally with a leading \"*.\" wildcard; "
               "empty matches all hosts."),
        SK_FLD("http", SK_F_OBJECT, "HTTP paths of the rule.",
               .fields = f_networking_HTTPIngressRuleValue,
               .ref = SK_REF_NET "HTTPIngressRuleValue"),
        {0},
};

static const struct sk_field f_networking_IngressSpec[] = {
        SK_FLD("ingressClassName", SK_F_STRING,
               "IngressClass of the controller that should serve this ingress."),
        SK_FLD("defaultBackend", SK_F_OBJECT, "Backend for requests that match no rule.",
               .fields = f_networking_IngressBackend, .ref = SK_REF_NET "IngressBackend"),
        SK_FLD("tls", SK_F_ARRAY,
               "TLS settings; each entry covers a set of hosts with one certificate.",
               .elem = SK_F_OBJECT, .fields = f_networking_IngressTLS,
               .ref = SK_REF_NET "IngressTLS", .list_type = "atomic"),
        SK_FLD("rules", SK_F_ARRAY,
               "Host and path rules; traffic that matches none goes to the default backend.",
               .elem = SK_F_OBJECT, .fields = f_networking_IngressRule,
               .ref = SK_REF_NET "IngressRule", .list_type = "atomic"),
        {0},
};

static const struct sk_field f_networking_IngressPortStatus[] = {
        SK_FLD("port", SK_F_INT32, "Port number.", .flags = SK_FF_REQUIRED),
        SK_FLD("protocol", SK_F_STRING, "Protocol of the port.", .go_type = "v1.Protocol",
               .flags = SK_FF_REQUIRED),
        SK_FLD("error", SK_F_STRING, "Error for this port, if any, as a CamelCase reason."),
        {0},
};

static const struct sk_field f_networking_IngressLoadBalancerIngress[] = {
        SK_FLD("ip", SK_F_STRING, "IP address of the load balancer."),
        SK_FLD("hostname", SK_F_STRING, "Host name of the load balancer."),
        SK_FLD("ports", SK_F_ARRAY, "Status of each port.", .elem = SK_F_OBJECT,
               .fields = f_networking_IngressPortStatus, .ref = SK_REF_NET "IngressPortStatus",
               .list_type = "atomic"),
        {0},
};

static const struct sk_field f_networking_IngressLoadBalancerStatus[] = {
        SK_FLD("ingress", SK_F_ARRAY, "Addresses of the load balancer.", .elem = SK_F_OBJECT,
               .fields = f_networking_IngressLoadBalancerIngress,
               .ref = SK_REF_NET "IngressLoadBalancerIngress", .list_type = "atomic"),
        {0},
};

static const struct sk_field f_networking_IngressStatus[] = {
        SK_FLD("loadBalancer", SK_F_OBJECT, "Status of the load balancer.",
               .fields = f_networking_IngressLoadBalancerStatus,
               .ref = SK_REF_NET "IngressLoadBalancerStatus"),
        {0},
};

static const struct sk_field f_networking_Ingress[] = {
        SK_FLD("kind", SK_F_STRING, "Kind of the object, in CamelCase, e.g. \"Pod\"."),
        SK_FLD("apiVersion", SK_F_STRING,
               "Version of the schema this object is written against, e.g. \"v1\" or \"apps/v1\"."),
        SK_FLD("metadata", SK_F_OBJECT,
               "Standard object metadata: name, namespace, labels, annotations and the fields the "
               "system keeps.",
               .fields = sk_f_meta_ObjectMeta, .ref = SK_REF_META "ObjectMeta"),
        SK_FLD("spec", SK_F_OBJECT, "Rules routing external HTTP(S) traffic to services.",
               .fields = f_networking_IngressSpec, .ref = SK_REF_NET "IngressSpec"),
        SK_FLD("status", SK_F_OBJECT, "Addresses of the load balancer serving the ingress.",
               .fields = f_networking_IngressStatus, .ref = SK_REF_NET "IngressStatus",
               .flags = SK_FF_READONLY),
        {0},
};

static const struct sk_field f_networking_IngressClassParametersReference[] = {
        SK_FLD("apiGroup", SK_F_STRING, "API group of the referenced object."),
        SK_FLD("kind", SK_F_STRING, "Kind of the referenced object.", .flags = SK_FF_REQUIRED),
        SK_FLD("name", SK_F_STRING, "Name of the referenced object.", .flags = SK_FF_REQUIRED),
        SK_FLD("scope", SK_F_STRING, "Cluster (the default) or Namespace."),
        SK_FLD("namespace", SK_F_STRING, "Namespace of the object, with scope Namespace."),
        {0},
};

static const struct sk_field f_networking_IngressClassSpec[] = {
        SK_FLD("controller", SK_F_STRING,
               "Name of the controller that implements the class, e.g. "
               "example.com/ingress-controller."),
        SK_FLD("parameters", SK_F_OBJECT, "Object holding extra configuration for the controller.",
               .fields = f_networking_IngressClassParametersReference,
               .ref = SK_REF_NET "IngressClassParametersReference"),
        {0},
};

static const struct sk_field f_networking_IngressClass[] = {
        SK_FLD("kind", SK_F_STRING, "Kind of the object, in CamelCase, e.g. \"Pod\"."),
        SK_FLD("apiVersion", SK_F_STRING,
               "Version of the schema this object is written against, e.g. \"v1\" or \"apps/v1\"."),
        SK_FLD("metadata", SK_F_OBJECT,
               "Standard object metadata: name, namespace, labels, annotations and the fields the "
               "system keeps.",
               .fields = sk_f_meta_ObjectMeta, .ref = SK_REF_META "ObjectMeta"),
        SK_FLD("spec", SK_F_OBJECT, "Controller and parameters of the class.",
               .fields = f_networking_IngressClassSpec, .ref = SK_REF_NET "IngressClassSpec"),
        {0},
};

static const struct sk_field f_autoscaling_CrossVersionObjectReference[] = {
        SK_FLD("kind", SK_F_STRING, "Kind of the target.", .flags = SK_FF_REQUIRED),
        SK_FLD("name", SK_F_STRING, "Name of the target.", .flags = SK_FF_REQUIRED),
        SK_FLD("apiVersion", SK_F_STRING, "API version of the target."),
        {0},
};

static const struct sk_field f_autoscaling_MetricTarget[] = {
        SK_FLD("type", SK_F_STRING, "Utilization, Value or AverageValue.",
               .go_type = "v2.MetricTargetType", .flags = SK_FF_REQUIRED),
        SK_FLD("value", SK_F_QUANTITY, "Target value of the metric, for type Value."),
        SK_FLD("averageValue", SK_F_QUANTITY, "Average value across the pods."),
        SK_FLD("averageUtilization", SK_F_INT32,
               "Average resource use as a percentage of the pods' requests."),
        {0},
};

static const struct sk_field f_autoscaling_MetricIdentifier[] = {
        SK_FLD("name", SK_F_STRING, "Name of the metric.", .flags = SK_FF_REQUIRED),
        SK_FLD("selector", SK_F_OBJECT, "Label selector narrowing the metric.",
               .fields = sk_f_meta_LabelSelector, .ref = SK_REF_META "LabelSelector"),
        {0},
};

static const struct sk_field f_autoscaling_ObjectMetricSource[] = {
        SK_FLD("describedObject", SK_F_OBJECT, "The object the metric describes.",
               .fields = f_autoscaling_CrossVersionObjectReference,
               .ref = SK_REF_AUTOSCALING "CrossVersionObjectReference", .flags = SK_FF_REQUIRED),
        SK_FLD("target", SK_F_OBJECT, "Target value of the metric.",
               .fields = f_autoscaling_MetricTarget, .ref = SK_REF_AUTOSCALING "MetricTarget",
               .flags = SK_FF_REQUIRED),
        SK_FLD("metric", SK_F_OBJECT, "Which metric, by name and optional label selector.",
               .fields = f_autoscaling_MetricIdentifier,
               .ref = SK_REF_AUTOSCALING "MetricIdentifier", .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_autoscaling_PodsMetricSource[] = {
        SK_FLD("metric", SK_F_OBJECT, "Which metric, by name and optional label selector.",
               .fields = f_autoscaling_MetricIdentifier,
               .ref = SK_REF_AUTOSCALING "MetricIdentifier", .flags = SK_FF_REQUIRED),
        SK_FLD("target", SK_F_OBJECT, "Target value of the metric.",
               .fields = f_autoscaling_MetricTarget, .ref = SK_REF_AUTOSCALING "MetricTarget",
               .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_autoscaling_ResourceMetricSource[] = {
        SK_FLD("name", SK_F_STRING, "Name of the resource, e.g. cpu or memory.",
               .go_type = "v1.ResourceName", .flags = SK_FF_REQUIRED),
        SK_FLD("target", SK_F_OBJECT, "Target value of the metric.",
               .fields = f_autoscaling_MetricTarget, .ref = SK_REF_AUTOSCALING "MetricTarget",
               .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_autoscaling_ContainerResourceMetricSource[] = {
        SK_FLD("name", SK_F_STRING, "Name of the resource, e.g. cpu or memory.",
               .go_type = "v1.ResourceName", .flags = SK_FF_REQUIRED),
        SK_FLD("target", SK_F_OBJECT, "Target value of the metric.",
               .fields = f_autoscaling_MetricTarget, .ref = SK_REF_AUTOSCALING "MetricTarget",
               .flags = SK_FF_REQUIRED),
        SK_FLD("container", SK_F_STRING,
               "Name of the container in the scaled pods whose metric is used.",
               .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_autoscaling_ExternalMetricSource[] = {
        SK_FLD("metric", SK_F_OBJECT, "Which metric, by name and optional label selector.",
               .fields = f_autoscaling_MetricIdentifier,
               .ref = SK_REF_AUTOSCALING "MetricIdentifier", .flags = SK_FF_REQUIRED),
        SK_FLD("target", SK_F_OBJECT, "Target value of the metric.",
               .fields = f_autoscaling_MetricTarget, .ref = SK_REF_AUTOSCALING "MetricTarget",
               .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_autoscaling_MetricSpec[] = {
        SK_FLD("type", SK_F_STRING, "ContainerResource, External, Object, Pods or Resource.",
               .go_type = "v2.MetricSourceType", .flags = SK_FF_REQUIRED),
        SK_FLD("object", SK_F_OBJECT, "Metric of a single object other than the pods.",
               .fields = f_autoscaling_ObjectMetricSource,
               .ref = SK_REF_AUTOSCALING "ObjectMetricSource"),
        SK_FLD("pods", SK_F_OBJECT, "Metric averaged over the scaled pods.",
               .fields = f_autoscaling_PodsMetricSource,
               .ref = SK_REF_AUTOSCALING "PodsMetricSource"),
        SK_FLD("resource", SK_F_OBJECT,
               "Resource metric (CPU or memory) of the scaled pods, as known from requests and "
               "limits.",
               .fields = f_autoscaling_ResourceMetricSource,
               .ref = SK_REF_AUTOSCALING "ResourceMetricSource"),
        SK_FLD("containerResource", SK_F_OBJECT,
               "Resource metric of one named container in each scaled pod.",
               .fields = f_autoscaling_ContainerResourceMetricSource,
               .ref = SK_REF_AUTOSCALING "ContainerResourceMetricSource"),
        SK_FLD("external", SK_F_OBJECT, "Metric from outside the cluster.",
               .fields = f_autoscaling_ExternalMetricSource,
               .ref = SK_REF_AUTOSCALING "ExternalMetricSource"),
        {0},
};

static const struct sk_field f_autoscaling_HPAScalingPolicy[] = {
        SK_FLD("type", SK_F_STRING, "Pods or Percent.", .go_type = "v2.HPAScalingPolicyType",
               .flags = SK_FF_REQUIRED),
        SK_FLD("value", SK_F_INT32, "Amount of change allowed per period; above 0.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("periodSeconds", SK_F_INT32,
               "Length of the window the policy looks at (1-1800 seconds).",
               .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_autoscaling_HPAScalingRules[] = {
        SK_FLD("stabilizationWindowSeconds", SK_F_INT32,
               "Seconds of past recommendations considered to avoid flapping (0-3600)."),
        SK_FLD("selectPolicy", SK_F_STRING,
               "Max, Min or Disabled: which policy's result applies. Defaults to Max.",
               .go_type = "v2.ScalingPolicySelect"),
        SK_FLD("policies", SK_F_ARRAY, "Limits on the change per period.", .elem = SK_F_OBJECT,
               .fields = f_autoscaling_HPAScalingPolicy,
               .ref = SK_REF_AUTOSCALING "HPAScalingPolicy", .list_type = "atomic"),
        {0},
};

static const struct sk_field f_autoscaling_HorizontalPodAutoscalerBehavior[] = {
        SK_FLD("scaleUp", SK_F_OBJECT,
               "Rules for scaling up. Defaults to the larger of 4 pods or 100% per 15 seconds, no "
               "stabilization.",
               .fields = f_autoscaling_HPAScalingRules,
               .ref = SK_REF_AUTOSCALING "HPAScalingRules"),
        SK_FLD("scaleDown", SK_F_OBJECT,
               "Rules for scaling down. Defaults to 100% per 15 seconds after a 300 second "
               "stabilization window.",
               .fields = f_autoscaling_HPAScalingRules,
               .ref = SK_REF_AUTOSCALING "HPAScalingRules"),
        {0},
};

static const struct sk_field f_autoscaling_HorizontalPodAutoscalerSpec[] = {
        SK_FLD("scaleTargetRef", SK_F_OBJECT,
               "Object with a scale subresource whose replicas are set.",
               .fields = f_autoscaling_CrossVersionObjectReference,
               .ref = SK_REF_AUTOSCALING "CrossVersionObjectReference", .flags = SK_FF_REQUIRED),
        SK_FLD("minReplicas", SK_F_INT32, "Lower bound of replicas. Defaults to 1."),
        SK_FLD("maxReplicas", SK_F_INT32, "Upper bound of replicas; not below minReplicas.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("metrics", SK_F_ARRAY,
               "Metrics from which the replica count is computed; the largest result wins. "
               "Defaults to 80% CPU utilization.",
               .elem = SK_F_OBJECT, .fields = f_autoscaling_MetricSpec,
               .ref = SK_REF_AUTOSCALING "MetricSpec", .list_type = "atomic"),
        SK_FLD("behavior", SK_F_OBJECT, "How fast to scale up and down.",
               .fields = f_autoscaling_HorizontalPodAutoscalerBehavior,
               .ref = SK_REF_AUTOSCALING "HorizontalPodAutoscalerBehavior"),
        {0},
};

static const struct sk_field f_autoscaling_MetricValueStatus[] = {
        SK_FLD("value", SK_F_QUANTITY, "Current value of the metric."),
        SK_FLD("averageValue", SK_F_QUANTITY, "Average value across the pods."),
        SK_FLD("averageUtilization", SK_F_INT32,
               "Average resource use as a percentage of the pods' requests."),
        {0},
};

static const struct sk_field f_autoscaling_ObjectMetricStatus[] = {
        SK_FLD("metric", SK_F_OBJECT, "Which metric, by name and optional label selector.",
               .fields = f_autoscaling_MetricIdentifier,
               .ref = SK_REF_AUTOSCALING "MetricIdentifier", .flags = SK_FF_REQUIRED),
        SK_FLD("current", SK_F_OBJECT, "Current value of the metric.",
               .fields = f_autoscaling_MetricValueStatus,
               .ref = SK_REF_AUTOSCALING "MetricValueStatus", .flags = SK_FF_REQUIRED),
        SK_FLD("describedObject", SK_F_OBJECT, "The object the metric describes.",
               .fields = f_autoscaling_CrossVersionObjectReference,
               .ref = SK_REF_AUTOSCALING "CrossVersionObjectReference", .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_autoscaling_PodsMetricStatus[] = {
        SK_FLD("metric", SK_F_OBJECT, "Which metric, by name and optional label selector.",
               .fields = f_autoscaling_MetricIdentifier,
               .ref = SK_REF_AUTOSCALING "MetricIdentifier", .flags = SK_FF_REQUIRED),
        SK_FLD("current", SK_F_OBJECT, "Current value of the metric.",
               .fields = f_autoscaling_MetricValueStatus,
               .ref = SK_REF_AUTOSCALING "MetricValueStatus", .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_autoscaling_ResourceMetricStatus[] = {
        SK_FLD("name", SK_F_STRING, "Name of the resource, e.g. cpu or memory.",
               .go_type = "v1.ResourceName", .flags = SK_FF_REQUIRED),
        SK_FLD("current", SK_F_OBJECT, "Current value of the metric.",
               .fields = f_autoscaling_MetricValueStatus,
               .ref = SK_REF_AUTOSCALING "MetricValueStatus", .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_autoscaling_ContainerResourceMetricStatus[] = {
        SK_FLD("name", SK_F_STRING, "Name of the resource, e.g. cpu or memory.",
               .go_type = "v1.ResourceName", .flags = SK_FF_REQUIRED),
        SK_FLD("current", SK_F_OBJECT, "Current value of the metric.",
               .fields = f_autoscaling_MetricValueStatus,
               .ref = SK_REF_AUTOSCALING "MetricValueStatus", .flags = SK_FF_REQUIRED),
        SK_FLD("container", SK_F_STRING,
               "Name of the container in the scaled pods whose metric is used.",
               .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_autoscaling_ExternalMetricStatus[] = {
        SK_FLD("metric", SK_F_OBJECT, "Which metric, by name and optional label selector.",
               .fields = f_autoscaling_MetricIdentifier,
               .ref = SK_REF_AUTOSCALING "MetricIdentifier", .flags = SK_FF_REQUIRED),
        SK_FLD("current", SK_F_OBJECT, "Current value of the metric.",
               .fields = f_autoscaling_MetricValueStatus,
               .ref = SK_REF_AUTOSCALING "MetricValueStatus", .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_autoscaling_MetricStatus[] = {
        SK_FLD("type", SK_F_STRING, "ContainerResource, External, Object, Pods or Resource.",
               .go_type = "v2.MetricSourceType", .flags = SK_FF_REQUIRED),
        SK_FLD("object", SK_F_OBJECT, "Metric of a single object other than the pods.",
               .fields = f_autoscaling_ObjectMetricStatus,
               .ref = SK_REF_AUTOSCALING "ObjectMetricStatus"),
        SK_FLD("pods", SK_F_OBJECT, "Metric averaged over the scaled pods.",
               .fields = f_autoscaling_PodsMetricStatus,
               .ref = SK_REF_AUTOSCALING "PodsMetricStatus"),
        SK_FLD("resource", SK_F_OBJECT, "Resource metric (CPU or memory) of the scaled pods.",
               .fields = f_autoscaling_ResourceMetricStatus,
               .ref = SK_REF_AUTOSCALING "ResourceMetricStatus"),
        SK_FLD("containerResource", SK_F_OBJECT,
               "Resource metric of one named container in each scaled pod.",
               .fields = f_autoscaling_ContainerResourceMetricStatus,
               .ref = SK_REF_AUTOSCALING "ContainerResourceMetricStatus"),
        SK_FLD("external", SK_F_OBJECT, "Metric from outside the cluster.",
               .fields = f_autoscaling_ExternalMetricStatus,
               .ref = SK_REF_AUTOSCALING "ExternalMetricStatus"),
        {0},
};

static const struct sk_field f_autoscaling_HorizontalPodAutoscalerCondition[] = {
        SK_FLD("type", SK_F_STRING,
               "Type of condition: ScalingActive, AbleToScale or ScalingLimited.",
               .go_type = "v2.HorizontalPodAutoscalerConditionType", .flags = SK_FF_REQUIRED),
        SK_FLD("status", SK_F_STRING, "True, False or Unknown.", .go_type = "v1.ConditionStatus",
               .flags = SK_FF_REQUIRED),
        SK_FLD("lastTransitionTime", SK_F_TIME, "When the condition last changed status."),
        SK_FLD("reason", SK_F_STRING, "Short machine-readable CamelCase reason."),
        SK_FLD("message", SK_F_STRING, "Human-readable explanation."),
        {0},
};

static const struct sk_field f_autoscaling_HorizontalPodAutoscalerStatus[] = {
        SK_FLD("observedGeneration", SK_F_INT64,
               "The metadata.generation the controller last acted on."),
        SK_FLD("lastScaleTime", SK_F_TIME, "When the replica count was last changed."),
        SK_FLD("currentReplicas", SK_F_INT32, "Current number of replicas of the target."),
        SK_FLD("desiredReplicas", SK_F_INT32, "Replica count last computed.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("currentMetrics", SK_F_ARRAY, "Last read values of the metrics.",
               .elem = SK_F_OBJECT, .fields = f_autoscaling_MetricStatus,
               .ref = SK_REF_AUTOSCALING "MetricStatus", .list_type = "atomic"),
        SK_FLD("conditions", SK_F_ARRAY, "Current conditions of the autoscaler.",
               .elem = SK_F_OBJECT, .fields = f_autoscaling_HorizontalPodAutoscalerCondition,
               .ref = SK_REF_AUTOSCALING "HorizontalPodAutoscalerCondition", .merge_key = "type",
               .patch_strategy = "merge", .list_type = "map", .list_map_keys = sk_lmk_type),
        {0},
};

static const struct sk_field f_autoscaling_HorizontalPodAutoscaler[] = {
        SK_FLD("kind", SK_F_STRING, "Kind of the object, in CamelCase, e.g. \"Pod\"."),
        SK_FLD("apiVersion", SK_F_STRING,
               "Version of the schema this object is written against, e.g. \"v1\" or \"apps/v1\"."),
        SK_FLD("metadata", SK_F_OBJECT,
               "Standard object metadata: name, namespace, labels, annotations and the fields the "
               "system keeps.",
               .fields = sk_f_meta_ObjectMeta, .ref = SK_REF_META "ObjectMeta"),
        SK_FLD("spec", SK_F_OBJECT, "Target, bounds and metrics of the autoscaler.",
               .fields = f_autoscaling_HorizontalPodAutoscalerSpec,
               .ref = SK_REF_AUTOSCALING "HorizontalPodAutoscalerSpec"),
        SK_FLD("status", SK_F_OBJECT, "Most recently observed state of the autoscaler.",
               .fields = f_autoscaling_HorizontalPodAutoscalerStatus,
               .ref = SK_REF_AUTOSCALING "HorizontalPodAutoscalerStatus", .flags = SK_FF_READONLY),
        {0},
};

static const struct sk_field f_storage_StorageClass[] = {
        SK_FLD("kind", SK_F_STRING, "Kind of the object, in CamelCase, e.g. \"Pod\"."),
        SK_FLD("apiVersion", SK_F_STRING,
               "Version of the schema this object is written against, e.g. \"v1\" or \"apps/v1\"."),
        SK_FLD("metadata", SK_F_OBJECT,
               "Standard object metadata: name, namespace, labels, annotations and the fields the "
               "system keeps.",
               .fields = sk_f_meta_ObjectMeta, .ref = SK_REF_META "ObjectMeta"),
        SK_FLD("provisioner", SK_F_STRING,
               "Name of the volume provisioner, e.g. rancher.io/local-path; cannot change.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("parameters", SK_F_MAP, "Parameters for the provisioner; cannot change.",
               .elem = SK_F_STRING),
        SK_FLD("reclaimPolicy", SK_F_STRING,
               "Reclaim policy of provisioned volumes: Delete (the default) or Retain.",
               .go_type = "v1.PersistentVolumeReclaimPolicy"),
        SK_FLD("mountOptions", SK_F_ARRAY,
               "Mount options of provisioned volumes, e.g. [\"ro\", \"soft\"]; not checked.",
               .elem = SK_F_STRING, .list_type = "atomic"),
        SK_FLD("allowVolumeExpansion", SK_F_BOOL, "Whether claims of this class may grow."),
        SK_FLD("volumeBindingMode", SK_F_STRING,
               "Immediate (the default) or WaitForFirstConsumer, which delays binding until a pod "
               "is scheduled.",
               .go_type = "v1.VolumeBindingMode"),
        SK_FLD("allowedTopologies", SK_F_ARRAY,
               "Topologies where volumes may be provisioned; empty means anywhere.",
               .elem = SK_F_OBJECT, .fields = sk_f_core_TopologySelectorTerm,
               .ref = SK_REF_CORE "TopologySelectorTerm", .list_type = "atomic"),
        {0},
};

static const struct sk_field f_coordination_LeaseSpec[] = {
        SK_FLD("holderIdentity", SK_F_STRING, "Identity of the current holder."),
        SK_FLD("leaseDurationSeconds", SK_F_INT32,
               "Seconds candidates wait after the last renewal before taking over."),
        SK_FLD("acquireTime", SK_F_TIME, "When the current holder acquired the lease.",
               .go_type = "v1.MicroTime"),
        SK_FLD("renewTime", SK_F_TIME, "When the holder last renewed the lease.",
               .go_type = "v1.MicroTime"),
        SK_FLD("leaseTransitions", SK_F_INT32, "How many times the lease changed holder."),
        SK_FLD("strategy", SK_F_STRING,
               "Strategy for picking the preferred holder in coordinated elections.",
               .go_type = "v1.CoordinatedLeaseStrategy"),
        SK_FLD("preferredHolder", SK_F_STRING,
               "Holder that should take over in coordinated elections."),
        {0},
};

static const struct sk_field f_coordination_Lease[] = {
        SK_FLD("kind", SK_F_STRING, "Kind of the object, in CamelCase, e.g. \"Pod\"."),
        SK_FLD("apiVersion", SK_F_STRING,
               "Version of the schema this object is written against, e.g. \"v1\" or \"apps/v1\"."),
        SK_FLD("metadata", SK_F_OBJECT,
               "Standard object metadata: name, namespace, labels, annotations and the fields the "
               "system keeps.",
               .fields = sk_f_meta_ObjectMeta, .ref = SK_REF_META "ObjectMeta"),
        SK_FLD("spec", SK_F_OBJECT, "Holder and timing of the lease.",
               .fields = f_coordination_LeaseSpec, .ref = SK_REF_COORD "LeaseSpec"),
        {0},
};

static const struct sk_field f_discovery_EndpointConditions[] = {
        SK_FLD("ready", SK_F_BOOL,
               "Whether the endpoint is ready for traffic; unset means unknown, taken as ready."),
        SK_FLD("serving", SK_F_BOOL,
               "Whether the endpoint can serve traffic, even while terminating."),
        SK_FLD("terminating", SK_F_BOOL, "Whether the endpoint is terminating."),
        {0},
};

static const struct sk_field f_discovery_ForZone[] = {
        SK_FLD("name", SK_F_STRING, "Name of the zone.", .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_discovery_EndpointHints[] = {
        SK_FLD("forZones", SK_F_ARRAY, "Zones this endpoint should serve.", .elem = SK_F_OBJECT,
               .fields = f_discovery_ForZone, .ref = SK_REF_DISCOVERY "ForZone",
               .list_type = "atomic"),
        {0},
};

static const struct sk_field f_discovery_Endpoint[] = {
        SK_FLD("addresses", SK_F_ARRAY,
               "Addresses of the endpoint, of the slice's address type; consumers use the first.",
               .elem = SK_F_STRING, .list_type = "set", .flags = SK_FF_REQUIRED),
        SK_FLD("conditions", SK_F_OBJECT, "Readiness of the endpoint.",
               .fields = f_discovery_EndpointConditions,
               .ref = SK_REF_DISCOVERY "EndpointConditions"),
        SK_FLD("hostname", SK_F_STRING, "Host name of the endpoint."),
        SK_FLD("targetRef", SK_F_OBJECT, "Object behind the endpoint, usually a pod.",
               .fields = sk_f_core_ObjectReference, .ref = SK_REF_CORE "ObjectReference"),
        SK_FLD("deprecatedTopology", SK_F_MAP, "Deprecated topology labels; use nodeName and zone.",
               .elem = SK_F_STRING),
        SK_FLD("nodeName", SK_F_STRING, "Node hosting the endpoint."),
        SK_FLD("zone", SK_F_STRING, "Zone the endpoint is in."),
        SK_FLD("hints", SK_F_OBJECT, "Hints for topology-aware routing.",
               .fields = f_discovery_EndpointHints, .ref = SK_REF_DISCOVERY "EndpointHints"),
        {0},
};

static const struct sk_field f_discovery_EndpointPort[] = {
        SK_FLD("name", SK_F_STRING, "Name of the port; matches the service port name."),
        SK_FLD("protocol", SK_F_STRING, "Network protocol: TCP, UDP or SCTP. Defaults to TCP.",
               .go_type = "v1.Protocol"),
        SK_FLD("port", SK_F_INT32, "Port number; unset means all ports."),
        SK_FLD("appProtocol", SK_F_STRING,
               "Application protocol carried on this port, e.g. \"http\" or \"kubernetes.io/h2c\"; "
               "a hint for implementations."),
        {0},
};

static const struct sk_field f_discovery_EndpointSlice[] = {
        SK_FLD("kind", SK_F_STRING, "Kind of the object, in CamelCase, e.g. \"Pod\"."),
        SK_FLD("apiVersion", SK_F_STRING,
               "Version of the schema this object is written against, e.g. \"v1\" or \"apps/v1\"."),
        SK_FLD("metadata", SK_F_OBJECT,
               "Standard object metadata: name, namespace, labels, annotations and the fields the "
               "system keeps.",
               .fields = sk_f_meta_ObjectMeta, .ref = SK_REF_META "ObjectMeta"),
        SK_FLD("addressType", SK_F_STRING, "IPv4, IPv6 or FQDN; cannot change.",
               .go_type = "v1.AddressType", .flags = SK_FF_REQUIRED),
        SK_FLD("endpoints", SK_F_ARRAY, "Endpoints in the slice, at most 1000.",
               .elem = SK_F_OBJECT, .fields = f_discovery_Endpoint,
               .ref = SK_REF_DISCOVERY "Endpoint", .list_type = "atomic", .flags = SK_FF_REQUIRED),
        SK_FLD("ports", SK_F_ARRAY,
               "Ports available on every endpoint of the slice; none means all.",
               .elem = SK_F_OBJECT, .fields = f_discovery_EndpointPort,
               .ref = SK_REF_DISCOVERY "EndpointPort", .list_type = "atomic"),
        {0},
};

/* ---- Ingress and IngressClass ---- */

static const char *const path_types[] = {"Exact", "ImplementationSpecific", "Prefix", NULL};

static void ingress_backend(struct sk_vctx *v, const struct sk_val *be)
{
    const struct sk_val *res = sk_getm(be, "resource"), *svc = sk_getm(be, "service");
    if (res && svc) {
        sk_vinvalid_str(v, NULL, "", "cannot set both resource and service backends");
        return;
    }
    if (res) {
        size_t mark = sk_vpush(v, "resource");
        const char *g = sk_gets(res, "apiGroup"), *k = sk_gets0(res, "kind"),
                   *n = sk_gets0(res, "name");
        if (g) sk_vmsgs(v, "apiGroup", g, sk_dns1123_subdomain_msgs);
        if (!*k)
            sk_vrequired(v, "kind", "kind is required");
        else
            sk_vmsgs(v, "kind", k, sk_path_segment_msgs);
        if (!*n)
            sk_vrequired(v, "name", "name is required");
        else
            sk_vmsgs(v, "name", n, sk_path_segment_msgs);
        sk_vpop(v, mark);
    } else if (svc) {
        const char *n = sk_gets0(svc, "name");
        if (!*n)
            sk_vrequired(v, "service.name", "%s", "");
        else
            sk_vmsgs(v, "service.name", n, sk_dns1035_label_msgs);
        const struct sk_val *port = sk_getm(svc, "port");
        const char *pn = sk_gets0(port, "name");
        int64_t num = sk_geti0(port, "number");
        if (*pn && num)
            sk_vinvalid_str(v, NULL, "", "cannot set both port name & port number");
        else if (*pn)
            sk_vmsgs(v, "service.port.name", pn, sk_port_name_msgs);
        else if (num) {
            if (sk_port_num_msg(num))
                sk_vinvalid_int(v, "service.port.number", num, "%s", sk_port_num_msg(num));
        } else
            sk_vrequired(v, NULL, "port name or number is required");
    } else {
        sk_vinvalid_str(v, NULL, "", "resource or service backend is required");
    }
}

static void ingress_path(struct sk_vctx *v, const struct sk_val *p)
{
    const char *pt = sk_gets(p, "pathType"), *path = sk_gets0(p, "path");
    if (!pt) {
        sk_vrequired(v, "pathType", "pathType must be specified");
        return;
    }
    if (!strcmp(pt, "Exact") || !strcmp(pt, "Prefix")) {
        if (path[0] != '/') sk_vinvalid_str(v, "path", path, "must be an absolute path");
        static const char *const seqs[] = {"//", "/./", "/../", "%2f", "%2F", NULL};
        static const char *const sufs[] = {"/..", "/.", NULL};
        for (size_t i = 0; *path && seqs[i]; i++)
            if (strstr(path, seqs[i]))
                sk_vinvalid_str(v, "path", path, "must not contain '%s'", seqs[i]);
        size_t n = strlen(path);
        for (size_t i = 0; n && sufs[i]; i++) {
            size_t sl = strlen(sufs[i]);
            if (n >= sl && !strcmp(path + n - sl, sufs[i]))
                sk_vinvalid_str(v, "path", path, "cannot end with '%s'", sufs[i]);
        }
    } else if (!strcmp(pt, "ImplementationSpecific")) {
        if (*path && path[0] != '/') sk_vinvalid_str(v, "path", path, "must be an absolute path");
    } else {
        sk_vnotsupported_str(v, "pathType", pt, path_types);
    }
    size_t mark = sk_vpush(v, "backend");
    ingress_backend(v, sk_getm(p, "backend"));
    sk_vpop(v, mark);
}

static void ingress_host(struct sk_vctx *v, const char *child, const char *host)
{
    if (strchr(host, '*'))
        sk_vmsgs(v, child, host, sk_wildcard_subdomain_msgs);
    else
        sk_vmsgs(v, child, host, sk_dns1123_subdomain_msgs);
}

static void ingress_validate(const struct sk_val *obj, const struct sk_val *old,
                             struct sk_causes *c)
{
    (void)old;
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    const struct sk_val *spec = sk_getm(obj, "spec");
    const struct sk_val *rules = sk_geta(spec, "rules"), *def = sk_getm(spec, "defaultBackend");
    size_t mark = sk_vpush(&v, "spec");
    if (!sk_alen(rules) && !def)
        sk_vinvalid(&v, NULL, "[]networking.IngressRule(nil)",
                    "either `defaultBackend` or `rules` must be specified");
    if (def) {
        size_t m2 = sk_vpush(&v, "defaultBackend");
        ingress_backend(&v, def);
        sk_vpop(&v, m2);
    }
    for (size_t i = 0; i < sk_alen(rules); i++) {
        const struct sk_val *r = rules->u.a.items[i];
        size_t m2 = sk_vpush(&v, "rules");
        sk_vpushi(&v, i);
        const char *host = sk_gets0(r, "host");
        if (*host) {
            if (sk_valid_ip(host))
                sk_vinvalid_str(&v, "host", host, "must be a DNS name, not an IP address");
            ingress_host(&v, "host", host);
        }
        const struct sk_val *http = sk_getm(r, "http");
        if (http) {
            const struct sk_val *paths = sk_geta(http, "paths");
            size_t m3 = sk_vpush(&v, "http");
            if (!sk_alen(paths)) sk_vrequired(&v, "paths", "%s", "");
            for (size_t j = 0; j < sk_alen(paths); j++) {
                size_t m4 = sk_vpush(&v, "paths");
                sk_vpushi(&v, j);
                ingress_path(&v, paths->u.a.items[j]);
                sk_vpop(&v, m4);
            }
            sk_vpop(&v, m3);
        }
        sk_vpop(&v, m2);
    }
    const struct sk_val *tls = sk_geta(spec, "tls");
    for (size_t i = 0; i < sk_alen(tls); i++) {
        const struct sk_val *t = tls->u.a.items[i];
        size_t m2 = sk_vpush(&v, "tls");
        sk_vpushi(&v, i);
        const struct sk_val *hosts = sk_geta(t, "hosts");
        for (size_t j = 0; j < sk_alen(hosts); j++) {
            size_t m3 = sk_vpush(&v, "hosts");
            sk_vpushi(&v, j);
            ingress_host(&v, NULL,
                         sk_val_cstr(hosts->u.a.items[j]) ? sk_val_cstr(hosts->u.a.items[j]) : "");
            sk_vpop(&v, m3);
        }
        const char *sn = sk_gets0(t, "secretName");
        if (*sn) sk_vmsgs(&v, "secretName", sn, sk_dns1123_subdomain_msgs);
        sk_vpop(&v, m2);
    }
    const char *icn = sk_gets(spec, "ingressClassName");
    if (icn) sk_vmsgs(&v, "ingressClassName", icn, sk_dns1123_subdomain_msgs);
    sk_vpop(&v, mark);
    const char *ann = sk_gets(sk_getm(sk_getm(obj, "metadata"), "annotations"),
                              "kubernetes.io/ingress.class");
    if (!old && ann && icn)
        sk_vinvalid_str(&v, "annotations.kubernetes.io/ingress.class", ann,
                        "can not be set when the class field is also set");
    sk_vctx_free(&v);
}

static void ingress_validate_status(const struct sk_val *obj, const struct sk_val *old,
                                    struct sk_causes *c)
{
    (void)old;
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    const struct sk_val *ing = sk_geta(sk_getm(sk_getm(obj, "status"), "loadBalancer"), "ingress");
    for (size_t i = 0; i < sk_alen(ing); i++) {
        size_t mark = sk_vpush(&v, "status.loadBalancer.ingress");
        sk_vpushi(&v, i);
        const char *ip = sk_gets0(ing->u.a.items[i], "ip"),
                   *hn = sk_gets0(ing->u.a.items[i], "hostname");
        if (*ip) sk_vip(&v, "ip", ip);
        if (*hn) {
            sk_vmsgs(&v, "hostname", hn, sk_dns1123_subdomain_msgs);
            if (sk_valid_ip(hn))
                sk_vinvalid_str(&v, "hostname", hn, "must be a DNS name, not an IP address");
        }
        sk_vpop(&v, mark);
    }
    sk_vctx_free(&v);
}

static void ingressclass_defaults(struct sk_val *obj)
{
    struct sk_val *params = sk_map_get(sk_map_get(obj, "spec"), "parameters");
    if (params && params->type == SK_V_MAP) sk_dstr(params, "scope", "Cluster");
}

static void ingressclass_validate(const struct sk_val *obj, const struct sk_val *old,
                                  struct sk_causes *c)
{
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    const struct sk_val *spec = sk_getm(obj, "spec");
    size_t mark = sk_vpush(&v, "spec");
    if (old) sk_vimmutable(&v, spec, sk_getm(old, "spec"), "controller");
    const char *ctl = sk_gets0(spec, "controller");
    if (strlen(ctl) > 250) sk_vtoolong(&v, "controller", 250);
    /* IsDomainPrefixedPath */
    const char *slash = strchr(ctl, '/');
    if (!*ctl) {
        sk_vrequired(&v, "controller", "%s", "");
    } else if (!slash || slash == ctl || !slash[1]) {
        sk_vinvalid_str(&v, "controller", ctl,
                        "must be a domain-prefixed path (such as \"acme.io/foo\")");
    } else {
        char *host = sk_xstrndup(ctl, (size_t)(slash - ctl));
        sk_vmsgs(&v, "controller", host, sk_dns1123_subdomain_msgs);
        free(host);
        bool ok = true;
        for (const char *p = slash + 1; *p && ok; p++)
            ok = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                 strchr("/-._~%!$&'()*+,;=:", *p);
        if (!ok)
            sk_vinvalid_str(&v, "controller", slash + 1,
                            "Invalid path (regex used for validation is "
                            "'[A-Za-z0-9/\\-._~%%!$&'()*+,;=:]+')");
    }
    const struct sk_val *p = sk_getm(spec, "parameters");
    if (p) {
        size_t m2 = sk_vpush(&v, "parameters");
        const char *g = sk_gets(p, "apiGroup"), *k = sk_gets0(p, "kind"), *n = sk_gets0(p, "name");
        if (g) sk_vmsgs(&v, "apiGroup", g, sk_dns1123_subdomain_msgs);
        if (!*k)
            sk_vrequired(&v, "kind", "kind is required");
        else
            sk_vmsgs(&v, "kind", k, sk_path_segment_msgs);
        if (!*n)
            sk_vrequired(&v, "name", "name is required");
        else
            sk_vmsgs(&v, "name", n, sk_path_segment_msgs);
        const char *scope = sk_gets(p, "scope"), *ns = sk_gets(p, "namespace");
        static const char *const scopes[] = {"Cluster", "Namespace", NULL};
        if (!scope) {
            sk_vrequired(&v, "scope", "%s", "");
        } else if (!sk_str_in(scope, scopes)) {
            sk_vnotsupported_str(&v, "scope", scope, scopes);
        } else if (!strcmp(scope, "Namespace")) {
            if (!ns)
                sk_vrequired(&v, "namespace", "`parameters.scope` is set to 'Namespace'");
            else
                sk_vmsgs(&v, "namespace", ns, sk_dns1123_label_msgs);
        } else if (ns) {
            sk_vforbidden(&v, "namespace", "`parameters.scope` is set to 'Cluster'");
        }
        sk_vpop(&v, m2);
    }
    sk_vpop(&v, mark);
    sk_vctx_free(&v);
}

/* ---- HorizontalPodAutoscaler ---- */

static struct sk_val *policy(const char *type, int64_t value, int64_t period)
{
    struct sk_val *p = sk_val_map();
    sk_map_set(p, "type", sk_val_str(type));
    sk_map_set(p, "value", sk_val_int(value));
    sk_map_set(p, "periodSeconds", sk_val_int(period));
    return p;
}

/* GenerateHPAScale{Up,Down}Rules: the defaults, overridden field by field. */
static void scaling_rules(struct sk_val *beh, const char *key, bool up)
{
    struct sk_val *given = sk_map_get(beh, key);
    struct sk_val *r = sk_val_map();
    if (up) sk_map_set(r, "stabilizationWindowSeconds", sk_val_int(0));
    sk_map_set(r, "selectPolicy", sk_val_str("Max"));
    struct sk_val *pols = sk_val_arr();
    if (up) sk_arr_push(pols, policy("Pods", 4, 15));
    sk_arr_push(pols, policy("Percent", 100, 15));
    sk_map_set(r, "policies", pols);
    if (given && given->type == SK_V_MAP) {
        static const char *const keys[] = {"selectPolicy", "stabilizationWindowSeconds", "policies",
                                           NULL};
        for (size_t i = 0; keys[i]; i++) {
            const struct sk_val *g = sk_map_get(given, keys[i]);
            if (g && g->type != SK_V_NULL) sk_map_set(r, keys[i], sk_val_dup(g));
        }
    } else if (given && given->type != SK_V_NULL) {
        sk_val_free(r);
        return;
    }
    sk_map_set(beh, key, r);
}

static void hpa_defaults(struct sk_val *obj)
{
    struct sk_val *spec = sk_dmap(obj, "spec");
    if (!spec) return;
    sk_dint(spec, "minReplicas", 1);
    if (!sk_alen(sk_map_get(spec, "metrics"))) {
        struct sk_val *m = sk_val_map(), *res = sk_val_map(), *t = sk_val_map();
        sk_map_set(t, "type", sk_val_str("Utilization"));
        sk_map_set(t, "averageUtilization", sk_val_int(80));
        sk_map_set(res, "name", sk_val_str("cpu"));
        sk_map_set(res, "target", t);
        sk_map_set(m, "type", sk_val_str("Resource"));
        sk_map_set(m, "resource", res);
        struct sk_val *ms = sk_val_arr();
        sk_arr_push(ms, m);
        sk_map_set(spec, "metrics", ms);
    }
    struct sk_val *beh = sk_map_get(spec, "behavior");
    if (beh && beh->type == SK_V_MAP) {
        scaling_rules(beh, "scaleUp", true);
        scaling_rules(beh, "scaleDown", false);
    }
}

static void cross_ref(struct sk_vctx *v, const char *child, const struct sk_val *ref)
{
    size_t mark = sk_vpush(v, child);
    const char *k = sk_gets0(ref, "kind"), *n = sk_gets0(ref, "name");
    if (!*k)
        sk_vrequired(v, "kind", "%s", "");
    else
        sk_vmsgs(v, "kind", k, sk_path_segment_msgs);
    if (!*n)
        sk_vrequired(v, "name", "%s", "");
    else
        sk_vmsgs(v, "name", n, sk_path_segment_msgs);
    sk_vpop(v, mark);
}

static bool quantity_of(const struct sk_val *m, const char *k, struct sk_quantity *q)
{
    const struct sk_val *x = sk_get(m, k);
    return x && sk_quantity_from_val(x, q, NULL, NULL) == SK_OK;
}

static void metric_target(struct sk_vctx *v, const struct sk_val *t)
{
    size_t mark = sk_vpush(v, "target");
    const char *type = sk_gets0(t, "type");
    if (!*type) sk_vrequired(v, "type", "must specify a metric target type");
    if (strcmp(type, "Utilization") && strcmp(type, "Value") && strcmp(type, "AverageValue"))
        sk_vinvalid_str(v, "type", type, "must be either Utilization, Value, or AverageValue");
    struct sk_quantity q;
    char buf[SK_QUANTITY_STRMAX];
    if (quantity_of(t, "value", &q) && sk_quantity_sign(&q) != 1) {
        sk_quantity_format(&q, buf);
        sk_vinvalid_str(v, "value", buf, "must be positive");
    }
    if (quantity_of(t, "averageValue", &q) && sk_quantity_sign(&q) != 1) {
        sk_quantity_format(&q, buf);
        sk_vinvalid_str(v, "averageValue", buf, "must be positive");
    }
    int64_t au;
    if (sk_geti(t, "averageUtilization", &au) && au < 1)
        sk_vinvalid_int(v, "averageUtilization", au, "must be greater than 0");
    sk_vpop(v, mark);
}

static void metric_identifier(struct sk_vctx *v, const struct sk_val *id)
{
    size_t mark = sk_vpush(v, "metric");
    const char *n = sk_gets0(id, "name");
    if (!*n)
        sk_vrequired(v, "name", "must specify a metric name");
    else
        sk_vmsgs(v, "name", n, sk_path_segment_msgs);
    sk_vpop(v, mark);
}

static void metric_spec(struct sk_vctx *v, const struct sk_val *m)
{
    static const char *const types[] = {"ContainerResource", "External", "Object", "Pods",
                                        "Resource",          NULL};
    static const char *const fields[] = {"object",   "external",          "pods",
                                         "resource", "containerResource", NULL};
    static const char *const for_type[] = {"Object",   "External",          "Pods",
                                           "Resource", "ContainerResource", NULL};
    const char *type = sk_gets0(m, "type");
    if (!*type) sk_vrequired(v, "type", "must specify a metric source type");
    if (!sk_str_in(type, types)) sk_vnotsupported_str(v, "type", type, types);
    size_t present = 0;
    const char *expected = NULL;
    for (size_t i = 0; fields[i]; i++) {
        const struct sk_val *src = sk_getm(m, fields[i]);
        if (!strcmp(type, for_type[i])) {
            expected = fields[i];
            if (!src)
                sk_vrequired(v, fields[i], "must populate information for the given metric source");
        }
        if (!src) continue;
        if (++present > 1) continue;
        size_t mark = sk_vpush(v, fields[i]);
        struct sk_quantity q;
        const struct sk_val *t = sk_getm(src, "target");
        switch (i) {
        case 0:
            cross_ref(v, "describedObject", sk_getm(src, "describedObject"));
            metric_identifier(v, sk_getm(src, "metric"));
            metric_target(v, t);
            if (!quantity_of(t, "value", &q) && !quantity_of(t, "averageValue", &q))
                sk_vrequired(v, "target.averageValue",
                             "must set either a target value or averageValue");
            break;
        case 1:
            metric_identifier(v, sk_getm(src, "metric"));
            metric_target(v, t);
            if (!sk_has(t, "value") && !sk_has(t, "averageValue"))
                sk_vrequired(v, "target.averageValue",
                             "must set either a target value for metric or a per-pod target");
            if (sk_has(t, "value") && sk_has(t, "averageValue"))
                sk_vforbidden(v, "target.value",
                              "may not set both a target value for metric and a per-pod target");
            break;
        case 2:
            metric_identifier(v, sk_getm(src, "metric"));
            metric_target(v, t);
            if (!sk_has(t, "averageValue"))
                sk_vrequired(v, "target.averageValue",
                             "must specify a positive target averageValue");
            break;
        default:
            if (!*sk_gets0(src, "name")) sk_vrequired(v, "name", "must specify a resource name");
            if (i == 4) {
                const char *cn = sk_gets0(src, "container");
                if (!*cn)
                    sk_vrequired(v, "container", "must specify a container");
                else
                    sk_vmsgs(v, "container", cn, sk_dns1123_label_msgs);
            }
            metric_target(v, t);
            if (!sk_has(t, "averageUtilization") && !sk_has(t, "averageValue"))
                sk_vrequired(v, "target.averageUtilization",
                             "must set either a target raw value or a target utilization");
            if (sk_has(t, "averageUtilization") && sk_has(t, "averageValue"))
                sk_vforbidden(v, "target.averageValue",
                              "may not set both a target raw value and a target utilization");
            break;
        }
        sk_vpop(v, mark);
    }
    if (present > 1)
        for (size_t i = 0; fields[i]; i++)
            if (sk_getm(m, fields[i]) && !sk_streq(expected, fields[i]))
                sk_vforbidden(v, fields[i], "must populate the given metric source only");
}

static void scaling_rules_check(struct sk_vctx *v, const char *child, const struct sk_val *r)
{
    if (!r) return;
    size_t mark = sk_vpush(v, child);
    int64_t sw;
    if (sk_geti(r, "stabilizationWindowSeconds", &sw)) {
        if (sw < 0)
            sk_vinvalid_int(v, "stabilizationWindowSeconds", sw,
                            "must be greater than or equal to zero");
        if (sw > 3600)
            sk_vinvalid_int(v, "stabilizationWindowSeconds", sw,
                            "must be less than or equal to 3600");
    }
    static const char *const sps[] = {"Disabled", "Max", "Min", NULL};
    const char *sp = sk_gets(r, "selectPolicy");
    if (sp && !sk_str_in(sp, sps)) sk_vnotsupported_str(v, "selectPolicy", sp, sps);
    const struct sk_val *pols = sk_geta(r, "policies");
    if (!sk_alen(pols)) sk_vrequired(v, "policies", "must specify at least one Policy");
    static const char *const pts[] = {"Percent", "Pods", NULL};
    for (size_t i = 0; i < sk_alen(pols); i++) {
        const struct sk_val *p = pols->u.a.items[i];
        size_t m2 = sk_vpush(v, "policies");
        sk_vpushi(v, i);
        const char *t = sk_gets0(p, "type");
        if (!sk_str_in(t, pts)) sk_vnotsupported_str(v, "type", t, pts);
        int64_t val = sk_geti0(p, "value"), per = sk_geti0(p, "periodSeconds");
        if (val <= 0) sk_vinvalid_int(v, "value", val, "must be greater than zero");
        if (per <= 0) sk_vinvalid_int(v, "periodSeconds", per, "must be greater than zero");
        if (per > 1800)
            sk_vinvalid_int(v, "periodSeconds", per, "must be less than or equal to 1800");
        sk_vpop(v, m2);
    }
    sk_vpop(v, mark);
}

static void hpa_validate(const struct sk_val *obj, const struct sk_val *old, struct sk_causes *c)
{
    (void)old;
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    const struct sk_val *spec = sk_getm(obj, "spec");
    size_t mark = sk_vpush(&v, "spec");
    int64_t minr, maxr = sk_geti0(spec, "maxReplicas");
    bool hmin = sk_geti(spec, "minReplicas", &minr);
    if (hmin && minr < 1)
        sk_vinvalid_int(&v, "minReplicas", minr, "must be greater than or equal to 1");
    if (maxr < 1) sk_vinvalid_int(&v, "maxReplicas", maxr, "must be greater than 0");
    if (hmin && maxr < minr)
        sk_vinvalid_int(&v, "maxReplicas", maxr, "must be greater than or equal to `minReplicas`");
    cross_ref(&v, "scaleTargetRef", sk_getm(spec, "scaleTargetRef"));
    const struct sk_val *ms = sk_geta(spec, "metrics");
    for (size_t i = 0; i < sk_alen(ms); i++) {
        size_t m2 = sk_vpush(&v, "metrics");
        sk_vpushi(&v, i);
        metric_spec(&v, ms->u.a.items[i]);
        sk_vpop(&v, m2);
    }
    const struct sk_val *beh = sk_getm(spec, "behavior");
    if (beh) {
        size_t m2 = sk_vpush(&v, "behavior");
        scaling_rules_check(&v, "scaleUp", sk_getm(beh, "scaleUp"));
        scaling_rules_check(&v, "scaleDown", sk_getm(beh, "scaleDown"));
        sk_vpop(&v, m2);
    }
    sk_vpop(&v, mark);
    sk_vctx_free(&v);
}

static void hpa_validate_status(const struct sk_val *obj, const struct sk_val *old,
                                struct sk_causes *c)
{
    (void)old;
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    size_t mark = sk_vpush(&v, "status");
    sk_vnonneg(&v, sk_getm(obj, "status"), "currentReplicas");
    sk_vnonneg(&v, sk_getm(obj, "status"), "desiredReplicas");
    sk_vpop(&v, mark);
    sk_vctx_free(&v);
}

/* ---- StorageClass ---- */

static void storageclass_defaults(struct sk_val *obj)
{
    sk_dstr(obj, "reclaimPolicy", "Delete");
    sk_dstr(obj, "volumeBindingMode", "Immediate");
}

static void storageclass_validate(const struct sk_val *obj, const struct sk_val *old,
                                  struct sk_causes *c)
{
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    if (old) {
        if (!sk_sem_equal(sk_get(obj, "parameters"), sk_get(old, "parameters")))
            sk_vforbidden(&v, "parameters", "updates to parameters are forbidden.");
        if (strcmp(sk_gets0(obj, "provisioner"), sk_gets0(old, "provisioner")))
            sk_vforbidden(&v, "provisioner", "updates to provisioner are forbidden.");
        if (strcmp(sk_gets0(obj, "reclaimPolicy"), sk_gets0(old, "reclaimPolicy")))
            sk_vforbidden(&v, "reclaimPolicy", "updates to reclaimPolicy are forbidden.");
        sk_vimmutable(&v, obj, old, "volumeBindingMode");
    }
    const char *prov = sk_gets0(obj, "provisioner");
    if (!*prov) {
        sk_vrequired(&v, "provisioner", "%s", "");
    } else {
        char *lower = sk_xstrdup(prov);
        for (char *p = lower; *p; p++)
            *p = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
        sk_vqualified(&v, "provisioner", lower);
        free(lower);
    }
    const struct sk_val *params = sk_getm(obj, "parameters");
    if (sk_mlen(params) > 512) {
        sk_vtoolong(&v, "parameters", 512);
    } else {
        size_t total = 0;
        for (size_t i = 0; i < sk_mlen(params); i++) {
            const struct sk_kv *kv = &params->u.m.kv[i];
            if (!kv->klen) sk_vinvalid_str(&v, "parameters", "", "field can not be empty.");
            total += kv->klen + (kv->val->type == SK_V_STR ? kv->val->u.s.len : 0);
        }
        if (total > 256 * 1024) sk_vtoolong(&v, "parameters", 256 * 1024);
    }
    static const char *const rps[] = {"Delete", "Retain", NULL};
    const char *rp = sk_gets0(obj, "reclaimPolicy");
    if (*rp && !sk_str_in(rp, rps)) sk_vnotsupported_str(&v, "reclaimPolicy", rp, rps);
    static const char *const vbms[] = {"Immediate", "WaitForFirstConsumer", NULL};
    const char *vbm = sk_gets(obj, "volumeBindingMode");
    if (!vbm)
        sk_vrequired(&v, "volumeBindingMode", "%s", "");
    else if (!sk_str_in(vbm, vbms))
        sk_vnotsupported_str(&v, "volumeBindingMode", vbm, vbms);
    const struct sk_val *topos = sk_geta(obj, "allowedTopologies");
    for (size_t i = 0; i < sk_alen(topos); i++) {
        const struct sk_val *exprs = sk_geta(topos->u.a.items[i], "matchLabelExpressions");
        size_t mark = sk_vpush(&v, "allowedTopologies");
        sk_vpushi(&v, i);
        if (!sk_alen(exprs))
            sk_vrequired(&v, "matchLabelExpressions", "must contain at least one requirement");
        for (size_t j = 0; j < sk_alen(exprs); j++) {
            const struct sk_val *e = exprs->u.a.items[j];
            size_t m2 = sk_vpush(&v, "matchLabelExpressions");
            sk_vpushi(&v, j);
            const struct sk_val *vals = sk_geta(e, "values");
            if (!sk_alen(vals)) sk_vrequired(&v, "values", "%s", "");
            for (size_t k = 0; k < sk_alen(vals); k++)
                for (size_t l = 0; l < k; l++)
                    if (sk_streq(sk_val_cstr(vals->u.a.items[k]),
                                 sk_val_cstr(vals->u.a.items[l]))) {
                        size_t m3 = sk_vpush(&v, "values");
                        sk_vpushi(&v, k);
                        sk_vduplicate_str(&v, NULL, sk_val_cstr(vals->u.a.items[k]));
                        sk_vpop(&v, m3);
                        break;
                    }
            const char *key = sk_gets0(e, "key");
            sk_vqualified(&v, "key", key);
            for (size_t l = 0; l < j; l++)
                if (!strcmp(sk_gets0(exprs->u.a.items[l], "key"), key)) {
                    sk_vduplicate_str(&v, "key", key);
                    break;
                }
            sk_vpop(&v, m2);
        }
        sk_vpop(&v, mark);
    }
    sk_vctx_free(&v);
}

/* ---- Lease ---- */

static void lease_validate(const struct sk_val *obj, const struct sk_val *old, struct sk_causes *c)
{
    (void)old;
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    const struct sk_val *spec = sk_getm(obj, "spec");
    size_t mark = sk_vpush(&v, "spec");
    int64_t d, t;
    if (sk_geti(spec, "leaseDurationSeconds", &d) && d <= 0)
        sk_vinvalid_int(&v, "leaseDurationSeconds", d, "must be greater than 0");
    if (sk_geti(spec, "leaseTransitions", &t) && t < 0)
        sk_vinvalid_int(&v, "leaseTransitions", t, "must be greater than or equal to 0");
    sk_vpop(&v, mark);
    sk_vctx_free(&v);
}

/* ---- EndpointSlice ---- */

static void endpointslice_defaults(struct sk_val *obj)
{
    struct sk_val *ports = sk_map_get(obj, "ports");
    for (size_t i = 0; i < sk_alen(ports); i++) {
        sk_dstr(ports->u.a.items[i], "name", "");
        sk_dstr(ports->u.a.items[i], "protocol", "TCP");
    }
}

static const char *const address_types[] = {"FQDN", "IPv4", "IPv6", NULL};
static const char *const protocols[] = {"SCTP", "TCP", "UDP", NULL};

static void endpointslice_validate(const struct sk_val *obj, const struct sk_val *old,
                                   struct sk_causes *c)
{
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    const char *at = sk_gets0(obj, "addressType");
    const struct sk_val *eps = sk_geta(obj, "endpoints"), *ports = sk_geta(obj, "ports");
    if (sk_alen(eps) > 1000)
        sk_causes_add(c, "endpoints", "FieldValueTooMany",
                      "Too many: %zu: must have at most 1000 items", sk_alen(eps));
    for (size_t i = 0; i < sk_alen(eps); i++) {
        const struct sk_val *ep = eps->u.a.items[i];
        size_t mark = sk_vpush(&v, "endpoints");
        sk_vpushi(&v, i);
        const struct sk_val *addrs = sk_geta(ep, "addresses");
        if (!sk_alen(addrs))
            sk_vrequired(&v, "addresses", "must contain at least 1 address");
        else if (addrs->u.a.n > 100) {
            size_t m2 = sk_vpush(&v, "addresses");
            sk_causes_add(c, v.path, "FieldValueTooMany",
                          "Too many: %zu: must have at most 100 items", addrs->u.a.n);
            sk_vpop(&v, m2);
        }
        for (size_t j = 0; j < sk_alen(addrs); j++) {
            const char *a = sk_val_cstr(addrs->u.a.items[j]);
            size_t m2 = sk_vpush(&v, "addresses");
            sk_vpushi(&v, j);
            if (!a) a = "";
            if (!strcmp(at, "IPv4")) {
                if (!sk_valid_ip(a) || sk_is_ipv6(a))
                    sk_vinvalid_str(&v, NULL, a, "must be a valid IPv4 address");
                else
                    sk_vnon_special_ip(&v, NULL, a);
            } else if (!strcmp(at, "IPv6")) {
                if (!sk_is_ipv6(a))
                    sk_vinvalid_str(&v, NULL, a, "must be a valid IPv6 address");
                else
                    sk_vnon_special_ip(&v, NULL, a);
            } else if (!strcmp(at, "FQDN")) {
                sk_vmsgs(&v, NULL, a, sk_dns1123_subdomain_msgs);
            }
            sk_vpop(&v, m2);
        }
        const char *nn = sk_gets(ep, "nodeName"), *hn = sk_gets(ep, "hostname");
        if (nn) sk_vmsgs(&v, "nodeName", nn, sk_dns1123_subdomain_msgs);
        if (hn) sk_vmsgs(&v, "hostname", hn, sk_dns1123_label_msgs);
        sk_vlabels(&v, "deprecatedTopology", sk_getm(ep, "deprecatedTopology"));
        sk_vpop(&v, mark);
    }
    if (sk_alen(ports) > 20000)
        sk_causes_add(c, "ports", "FieldValueTooMany",
                      "Too many: %zu: must have at most 20000 items", sk_alen(ports));
    for (size_t i = 0; i < sk_alen(ports); i++) {
        const struct sk_val *p = ports->u.a.items[i];
        size_t mark = sk_vpush(&v, "ports");
        sk_vpushi(&v, i);
        const char *name = sk_gets0(p, "name");
        if (*name) sk_vmsgs(&v, "name", name, sk_dns1123_label_msgs);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(sk_gets0(ports->u.a.items[j], "name"), name)) {
                sk_vduplicate_str(&v, "name", name);
                break;
            }
        const char *proto = sk_gets(p, "protocol");
        if (!proto)
            sk_vrequired(&v, "protocol", "%s", "");
        else if (!sk_str_in(proto, protocols))
            sk_vnotsupported_str(&v, "protocol", proto, protocols);
        const char *ap = sk_gets(p, "appProtocol");
        if (ap) sk_vqualified(&v, "appProtocol", ap);
        sk_vpop(&v, mark);
    }
    if (!*at)
        sk_vrequired(&v, "addressType", "%s", "");
    else if (!sk_str_in(at, address_types))
        sk_vnotsupported_str(&v, "addressType", at, address_types);
    if (old) sk_vimmutable(&v, obj, old, "addressType");
    sk_vctx_free(&v);
}

/* ---- kinds ---- */

static const char *const cat_all[] = {"all", NULL};
static const char *const sn_ing[] = {"ing", NULL}, *const sn_hpa[] = {"hpa", NULL},
                         *const sn_sc[] = {"sc", NULL};

const struct sk_kind sk_kind_ingress = {
        .group = "networking.k8s.io",
        .version = "v1",
        .kind = "Ingress",
        .list_kind = "IngressList",
        .plural = "ingresses",
        .singular = "ingress",
        .short_names = sn_ing,
        .namespaced = true,
        .has_status = true,
        .fields = f_networking_Ingress,
        .description = "Rules that route external HTTP and HTTPS traffic by host and path to "
                       "services.",
        .ref = SK_REF_NET "Ingress",
        .validate = ingress_validate,
        .validate_status = ingress_validate_status,
};

const struct sk_kind sk_kind_ingressclass = {
        .group = "networking.k8s.io",
        .version = "v1",
        .kind = "IngressClass",
        .list_kind = "IngressClassList",
        .plural = "ingressclasses",
        .singular = "ingressclass",
        .fields = f_networking_IngressClass,
        .description = "Names the controller that implements a class of ingresses.",
        .ref = SK_REF_NET "IngressClass",
        .defaults = ingressclass_defaults,
        .validate = ingressclass_validate,
};

const struct sk_kind sk_kind_hpa = {
        .group = "autoscaling",
        .version = "v2",
        .kind = "HorizontalPodAutoscaler",
        .list_kind = "HorizontalPodAutoscalerList",
        .plural = "horizontalpodautoscalers",
        .singular = "horizontalpodautoscaler",
        .short_names = sn_hpa,
        .categories = cat_all,
        .namespaced = true,
        .has_status = true,
        .fields = f_autoscaling_HorizontalPodAutoscaler,
        .description = "Scales a workload's replicas between bounds from observed metrics.",
        .ref = SK_REF_AUTOSCALING "HorizontalPodAutoscaler",
        .defaults = hpa_defaults,
        .validate = hpa_validate,
        .validate_status = hpa_validate_status,
};

const struct sk_kind sk_kind_storageclass = {
        .group = "storage.k8s.io",
        .version = "v1",
        .kind = "StorageClass",
        .list_kind = "StorageClassList",
        .plural = "storageclasses",
        .singular = "storageclass",
        .short_names = sn_sc,
        .fields = f_storage_StorageClass,
        .description = "A kind of storage that claims can ask for and a provisioner creates "
                       "volumes of.",
        .ref = SK_REF_STORAGE "StorageClass",
        .defaults = storageclass_defaults,
        .validate = storageclass_validate,
};

const struct sk_kind sk_kind_lease = {
        .group = "coordination.k8s.io",
        .version = "v1",
        .kind = "Lease",
        .list_kind = "LeaseList",
        .plural = "leases",
        .singular = "lease",
        .namespaced = true,
        .fields = f_coordination_Lease,
        .description = "A lock with a holder and a lease time, used for leader election and node "
                       "heartbeats.",
        .ref = SK_REF_COORD "Lease",
        .validate = lease_validate,
};

const struct sk_kind sk_kind_endpointslice = {
        .group = "discovery.k8s.io",
        .version = "v1",
        .kind = "EndpointSlice",
        .list_kind = "EndpointSliceList",
        .plural = "endpointslices",
        .singular = "endpointslice",
        .namespaced = true,
        .fields = f_discovery_EndpointSlice,
        .description = "A subset of the endpoints behind a service, of one address type.",
        .ref = SK_REF_DISCOVERY "EndpointSlice",
        .defaults = endpointslice_defaults,
        .validate = endpointslice_validate,
};
