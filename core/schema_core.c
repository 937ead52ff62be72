/* The core/v1 kinds: their field tables (beyond the pod spec and volumes),
 * names, scope and subresources, and their defaults as
 * pkg/apis/core/v1/defaults.go sets them. Validation is in validate_core.c. */
#include <stdlib.h>
#include <string.h>

#include "schema_int.h"

/* ---- field tables ---- */

static const struct sk_field f_core_Pod[] = {
        SK_FLD("kind", SK_F_STRING, "Kind of the object, in CamelCase, e.g. \"Pod\"."),
        SK_FLD("apiVersion", SK_F_STRING,
               "Version of the schema this object is written against, e.g. \"v1\" or \"apps/v1\"."),
        SK_FLD("metadata", SK_F_OBJECT,
               "Standard object metadata: name, namespace, labels, annotations and the fields the "
               "system keeps.",
               .fields = sk_f_meta_ObjectMeta, .ref = SK_REF_META "ObjectMeta"),
        SK_FLD("spec", SK_F_OBJECT, "Desired behavior of the pod.", .fields = sk_f_core_PodSpec,
               .ref = SK_REF_CORE "PodSpec"),
        SK_FLD("status", SK_F_OBJECT,
               "Most recently observed state of the pod; written by the node agent.",
               .fields = sk_f_core_PodStatus, .ref = SK_REF_CORE "PodStatus",
               .flags = SK_FF_READONLY),
        {0},
};

static const struct sk_field f_core_ServicePort[] = {
        SK_FLD("name", SK_F_STRING,
               "Name of the port as a DNS label; required when there is more than one port."),
        SK_FLD("protocol", SK_F_STRING, "Network protocol: TCP, UDP or SCTP. Defaults to TCP.",
               .go_type = "v1.Protocol"),
        SK_FLD("appProtocol", SK_F_STRING,
               "Application protocol carried on this port, e.g. \"http\" or \"kubernetes.io/h2c\"; "
               "a hint for implementations."),
        SK_FLD("port", SK_F_INT32, "Port the service listens on.", .flags = SK_FF_REQUIRED),
        SK_FLD("targetPort", SK_F_INT_OR_STRING,
               "Port number or name on the pods; defaults to port."),
        SK_FLD("nodePort", SK_F_INT32,
               "Port on every node for types NodePort and LoadBalancer; allocated unless set."),
        {0},
};

static const struct sk_field f_core_ClientIPConfig[] = {
        SK_FLD("timeoutSeconds", SK_F_INT32,
               "How long a client sticks to a pod (1-86400). Defaults to 10800."),
        {0},
};

static const struct sk_field f_core_SessionAffinityConfig[] = {
        SK_FLD("clientIP", SK_F_OBJECT, "Settings for ClientIP affinity.",
               .fields = f_core_ClientIPConfig, .ref = SK_REF_CORE "ClientIPConfig"),
        {0},
};

static const struct sk_field f_core_ServiceSpec[] = {
        SK_FLD("ports", SK_F_ARRAY, "Ports the service exposes.", .elem = SK_F_OBJECT,
               .fields = f_core_ServicePort, .ref = SK_REF_CORE "ServicePort", .merge_key = "port",
               .patch_strategy = "merge", .list_type = "map",
               .list_map_keys = sk_lmk_port_protocol),
        SK_FLD("selector", SK_F_MAP,
               "Pods with these labels receive the traffic; without a selector, endpoints are "
               "managed by hand.",
               .elem = SK_F_STRING),
        SK_FLD("clusterIP", SK_F_STRING,
               "Virtual IP of the service; allocated unless set, \"None\" makes a headless "
               "service. Cannot be changed."),
        SK_FLD("clusterIPs", SK_F_ARRAY,
               "Cluster IPs, at most one per family; the first equals clusterIP.",
               .elem = SK_F_STRING, .list_type = "atomic"),
        SK_FLD("type", SK_F_STRING,
               "ClusterIP (the default), NodePort, LoadBalancer or ExternalName.",
               .go_type = "v1.ServiceType"),
        SK_FLD("externalIPs", SK_F_ARRAY,
               "Extra IPs for which the nodes accept traffic for this service.",
               .elem = SK_F_STRING, .list_type = "atomic"),
        SK_FLD("sessionAffinity", SK_F_STRING,
               "ClientIP keeps a client on the same pod; None (the default) does not.",
               .go_type = "v1.ServiceAffinity"),
        SK_FLD("loadBalancerIP", SK_F_STRING, "Deprecated: IP to ask the load balancer for."),
        SK_FLD("loadBalancerSourceRanges", SK_F_ARRAY,
               "Client CIDRs allowed through the load balancer.", .elem = SK_F_STRING,
               .list_type = "atomic"),
        SK_FLD("externalName", SK_F_STRING, "DNS name returned as a CNAME for type ExternalName."),
        SK_FLD("externalTrafficPolicy", SK_F_STRING,
               "Cluster (the default) spreads external traffic over all endpoints; Local keeps it "
               "on the receiving node and the client IP.",
               .go_type = "v1.ServiceExternalTrafficPolicy"),
        SK_FLD("healthCheckNodePort", SK_F_INT32,
               "Node port for the load balancer's health check, with type LoadBalancer and "
               "externalTrafficPolicy Local."),
        SK_FLD("publishNotReadyAddresses", SK_F_BOOL,
               "Publish endpoints of pods that are not ready, e.g. for peer discovery."),
        SK_FLD("sessionAffinityConfig", SK_F_OBJECT, "Parameters of session affinity.",
               .fields = f_core_SessionAffinityConfig, .ref = SK_REF_CORE "SessionAffinityConfig"),
        SK_FLD("ipFamilies", SK_F_ARRAY,
               "IP families of the service: IPv4, IPv6 or both, in order.", .elem = SK_F_STRING,
               .list_type = "atomic", .go_type = "[]v1.IPFamily"),
        SK_FLD("ipFamilyPolicy", SK_F_STRING, "SingleStack, PreferDualStack or RequireDualStack.",
               .go_type = "v1.IPFamilyPolicy"),
        SK_FLD("allocateLoadBalancerNodePorts", SK_F_BOOL,
               "Allocate node ports for type LoadBalancer. Defaults to true."),
        SK_FLD("loadBalancerClass", SK_F_STRING,
               "Load balancer implementation to use, as a prefixed name."),
        SK_FLD("internalTrafficPolicy", SK_F_STRING,
               "Cluster (the default) sends in-cluster traffic to all endpoints; Local only to the "
               "node's own.",
               .go_type = "v1.ServiceInternalTrafficPolicy"),
        SK_FLD("trafficDistribution", SK_F_STRING,
               "Preference for routing, e.g. PreferClose for topologically near endpoints."),
        {0},
};

static const struct sk_field f_core_PortStatus[] = {
        SK_FLD("port", SK_F_INT32, "Port number.", .flags = SK_FF_REQUIRED),
        SK_FLD("protocol", SK_F_STRING, "Protocol of the port.", .go_type = "v1.Protocol",
               .flags = SK_FF_REQUIRED),
        SK_FLD("error", SK_F_STRING, "Error for this port, if any, as a CamelCase reason."),
        {0},
};

static const struct sk_field f_core_LoadBalancerIngress[] = {
        SK_FLD("ip", SK_F_STRING, "IP address of the load balancer."),
        SK_FLD("hostname", SK_F_STRING, "Host name of the load balancer."),
        SK_FLD("ipMode", SK_F_STRING,
               "VIP (traffic arrives with the load balancer's IP as destination) or Proxy.",
               .go_type = "v1.LoadBalancerIPMode"),
        SK_FLD("ports", SK_F_ARRAY, "Status of each service port.", .elem = SK_F_OBJECT,
               .fields = f_core_PortStatus, .ref = SK_REF_CORE "PortStatus", .list_type = "atomic"),
        {0},
};

static const struct sk_field f_core_LoadBalancerStatus[] = {
        SK_FLD("ingress", SK_F_ARRAY, "IPs and host names of the load balancer.",
               .elem = SK_F_OBJECT, .fields = f_core_LoadBalancerIngress,
               .ref = SK_REF_CORE "LoadBalancerIngress", .list_type = "atomic"),
        {0},
};

static const struct sk_field f_core_ServiceStatus[] = {
        SK_FLD("loadBalancer", SK_F_OBJECT, "Status of the load balancer, if any.",
               .fields = f_core_LoadBalancerStatus, .ref = SK_REF_CORE "LoadBalancerStatus"),
        SK_FLD("conditions", SK_F_ARRAY, "Current conditions of the service.", .elem = SK_F_OBJECT,
               .fields = sk_f_meta_Condition, .ref = SK_REF_META "Condition", .merge_key = "type",
               .patch_strategy = "merge", .list_type = "map", .list_map_keys = sk_lmk_type),
        {0},
};

static const struct sk_field f_core_Service[] = {
        SK_FLD("kind", SK_F_STRING, "Kind of the object, in CamelCase, e.g. \"Pod\"."),
        SK_FLD("apiVersion", SK_F_STRING,
               "Version of the schema this object is written against, e.g. \"v1\" or \"apps/v1\"."),
        SK_FLD("metadata", SK_F_OBJECT,
               "Standard object metadata: name, namespace, labels, annotations and the fields the "
               "system keeps.",
               .fields = sk_f_meta_ObjectMeta, .ref = SK_REF_META "ObjectMeta"),
        SK_FLD("spec", SK_F_OBJECT, "How the service selects pods and which ports it exposes.",
               .fields = f_core_ServiceSpec, .ref = SK_REF_CORE "ServiceSpec"),
        SK_FLD("status", SK_F_OBJECT,
               "Most recently observed state of the service, e.g. its load balancer.",
               .fields = f_core_ServiceStatus, .ref = SK_REF_CORE "ServiceStatus",
               .flags = SK_FF_READONLY),
        {0},
};

static const struct sk_field f_core_EndpointAddress[] = {
        SK_FLD("ip", SK_F_STRING, "IP address of the endpoint.", .flags = SK_FF_REQUIRED),
        SK_FLD("hostname", SK_F_STRING, "Host name of the endpoint."),
        SK_FLD("nodeName", SK_F_STRING, "Node hosting the endpoint."),
        SK_FLD("targetRef", SK_F_OBJECT, "Object behind the endpoint, usually a pod.",
               .fields = sk_f_core_ObjectReference, .ref = SK_REF_CORE "ObjectReference"),
        {0},
};

static const struct sk_field f_core_EndpointPort[] = {
        SK_FLD("name", SK_F_STRING, "Name of the port; matches the service port name."),
        SK_FLD("port", SK_F_INT32, "Port number; unset means all ports.", .flags = SK_FF_REQUIRED),
        SK_FLD("protocol", SK_F_STRING, "Network protocol: TCP, UDP or SCTP. Defaults to TCP.",
               .go_type = "v1.Protocol"),
        SK_FLD("appProtocol", SK_F_STRING,
               "Application protocol carried on this port, e.g. \"http\" or \"kubernetes.io/h2c\"; "
               "a hint for implementations."),
        {0},
};

static const struct sk_field f_core_EndpointSubset[] = {
        SK_FLD("addresses", SK_F_ARRAY, "Ready addresses.", .elem = SK_F_OBJECT,
               .fields = f_core_EndpointAddress, .ref = SK_REF_CORE "EndpointAddress",
               .list_type = "atomic"),
        SK_FLD("notReadyAddresses", SK_F_ARRAY, "Addresses not ready yet.", .elem = SK_F_OBJECT,
               .fields = f_core_EndpointAddress, .ref = SK_REF_CORE "EndpointAddress",
               .list_type = "atomic"),
        SK_FLD("ports", SK_F_ARRAY, "Ports available on all the addresses.", .elem = SK_F_OBJECT,
               .fields = f_core_EndpointPort, .ref = SK_REF_CORE "EndpointPort",
               .list_type = "atomic"),
        {0},
};

static const struct sk_field f_core_Endpoints[] = {
        SK_FLD("kind", SK_F_STRING, "Kind of the object, in CamelCase, e.g. \"Pod\"."),
        SK_FLD("apiVersion", SK_F_STRING,
               "Version of the schema this object is written against, e.g. \"v1\" or \"apps/v1\"."),
        SK_FLD("metadata", SK_F_OBJECT,
               "Standard object metadata: name, namespace, labels, annotations and the fields the "
               "system keeps.",
               .fields = sk_f_meta_ObjectMeta, .ref = SK_REF_META "ObjectMeta"),
        SK_FLD("subsets", SK_F_ARRAY, "Sets of addresses that expose the same ports.",
               .elem = SK_F_OBJECT, .fields = f_core_EndpointSubset,
               .ref = SK_REF_CORE "EndpointSubset", .list_type = "atomic"),
        {0},
};

static const struct sk_field f_core_ConfigMap[] = {
        SK_FLD("kind", SK_F_STRING, "Kind of the object, in CamelCase, e.g. \"Pod\"."),
        SK_FLD("apiVersion", SK_F_STRING,
               "Version of the schema this object is written against, e.g. \"v1\" or \"apps/v1\"."),
        SK_FLD("metadata", SK_F_OBJECT,
               "Standard object metadata: name, namespace, labels, annotations and the fields the "
               "system keeps.",
               .fields = sk_f_meta_ObjectMeta, .ref = SK_REF_META "ObjectMeta"),
        SK_FLD("immutable", SK_F_BOOL,
               "If true, data and binaryData cannot change; the object can only be deleted."),
        SK_FLD("data", SK_F_MAP, "UTF-8 configuration entries; keys must be valid config keys.",
               .elem = SK_F_STRING),
        SK_FLD("binaryData", SK_F_MAP,
               "Binary entries, base64 in JSON; keys may not repeat those of data.",
               .elem = SK_F_BYTES),
        {0},
};

static const struct sk_field f_core_Secret[] = {
        SK_FLD("kind", SK_F_STRING, "Kind of the object, in CamelCase, e.g. \"Pod\"."),
        SK_FLD("apiVersion", SK_F_STRING,
               "Version of the schema this object is written against, e.g. \"v1\" or \"apps/v1\"."),
        SK_FLD("metadata", SK_F_OBJECT,
               "Standard object metadata: name, namespace, labels, annotations and the fields the "
               "system keeps.",
               .fields = sk_f_meta_ObjectMeta, .ref = SK_REF_META "ObjectMeta"),
        SK_FLD("immutable", SK_F_BOOL,
               "If true, data cannot change; the object can only be deleted."),
        SK_FLD("data", SK_F_MAP, "Secret entries; values are base64 in JSON and YAML.",
               .elem = SK_F_BYTES),
        SK_FLD("stringData", SK_F_MAP,
               "Write-only convenience: plain-text entries merged into data on write.",
               .elem = SK_F_STRING),
        SK_FLD("type", SK_F_STRING,
               "Type of secret, e.g. Opaque (the default) or kubernetes.io/tls; some types require "
               "certain keys.",
               .go_type = "v1.SecretType"),
        {0},
};

static const struct sk_field f_core_NamespaceSpec[] = {
        SK_FLD("finalizers", SK_F_ARRAY,
               "Finalizers that must be cleared before the namespace is removed.",
               .elem = SK_F_STRING, .list_type = "atomic", .go_type = "[]v1.FinalizerName"),
        {0},
};

static const struct sk_field f_core_NamespaceCondition[] = {
        SK_FLD("type", SK_F_STRING, "Type of condition.", .go_type = "v1.NamespaceConditionType",
               .flags = SK_FF_REQUIRED),
        SK_FLD("status", SK_F_STRING, "True, False or Unknown.", .go_type = "v1.ConditionStatus",
               .flags = SK_FF_REQUIRED),
        SK_FLD("lastTransitionTime", SK_F_TIME, "When the condition last changed status."),
        SK_FLD("reason", SK_F_STRING, "Short machine-readable CamelCase reason."),
        SK_FLD("message", SK_F_STRING, "Human-readable explanation."),
        {0},
};

static const struct sk_field f_core_NamespaceStatus[] = {
        SK_FLD("phase", SK_F_STRING, "Active, or Terminating while being deleted.",
               .go_type = "v1.NamespacePhase"),
        SK_FLD("conditions", SK_F_ARRAY, "Current conditions of the namespace.",
               .elem = SK_F_OBJECT, .fields = f_core_NamespaceCondition,
               .ref = SK_REF_CORE "NamespaceCondition", .merge_key = "type",
               .patch_strategy = "merge", .list_type = "map", .list_map_keys = sk_lmk_type),
        {0},
};

static const struct sk_field f_core_Namespace[] = {
        SK_FLD("kind", SK_F_STRING, "Kind of the object, in CamelCase, e.g. \"Pod\"."),
        SK_FLD("apiVersion", SK_F_STRING,
               "Version of the schema this object is written against, e.g. \"v1\" or \"apps/v1\"."),
        SK_FLD("metadata", SK_F_OBJECT,
               "Standard object metadata: name, namespace, labels, annotations and the fields the "
               "system keeps.",
               .fields = sk_f_meta_ObjectMeta, .ref = SK_REF_META "ObjectMeta"),
        SK_FLD("spec", SK_F_OBJECT, "Spec of the namespace.", .fields = f_core_NamespaceSpec,
               .ref = SK_REF_CORE "NamespaceSpec"),
        SK_FLD("status", SK_F_OBJECT, "Phase of the namespace.", .fields = f_core_NamespaceStatus,
               .ref = SK_REF_CORE "NamespaceStatus", .flags = SK_FF_READONLY),
        {0},
};

static const struct sk_field f_core_Taint[] = {
        SK_FLD("key", SK_F_STRING, "Taint key.", .flags = SK_FF_REQUIRED),
        SK_FLD("value", SK_F_STRING, "Taint value."),
        SK_FLD("effect", SK_F_STRING, "NoSchedule, PreferNoSchedule or NoExecute.",
               .go_type = "v1.TaintEffect", .flags = SK_FF_REQUIRED),
        SK_FLD("timeAdded", SK_F_TIME, "When a NoExecute taint was added."),
        {0},
};

static const struct sk_field f_core_NodeSpec[] = {
        SK_FLD("podCIDR", SK_F_STRING, "Pod IP range assigned to the node."),
        SK_FLD("podCIDRs", SK_F_ARRAY,
               "Pod IP ranges assigned to the node, at most one per family.", .elem = SK_F_STRING,
               .patch_strategy = "merge", .list_type = "set"),
        SK_FLD("providerID", SK_F_STRING, "ID of the node in the infrastructure provider."),
        SK_FLD("unschedulable", SK_F_BOOL,
               "If true, no new pods are scheduled onto the node (cordon)."),
        SK_FLD("taints", SK_F_ARRAY, "Taints that repel pods without a matching toleration.",
               .elem = SK_F_OBJECT, .fields = f_core_Taint, .ref = SK_REF_CORE "Taint",
               .list_type = "atomic"),
        SK_FLD("configSource", SK_F_OBJECT, "Deprecated and ignored.",
               .ref = SK_REF_CORE "NodeConfigSource"),
        SK_FLD("externalID", SK_F_STRING, "Deprecated and ignored."),
        {0},
};

static const struct sk_field f_core_NodeCondition[] = {
        SK_FLD("type", SK_F_STRING,
               "Type of condition, e.g. Ready, MemoryPressure or DiskPressure.",
               .go_type = "v1.NodeConditionType", .flags = SK_FF_REQUIRED),
        SK_FLD("status", SK_F_STRING, "True, False or Unknown.", .go_type = "v1.ConditionStatus",
               .flags = SK_FF_REQUIRED),
        SK_FLD("lastHeartbeatTime", SK_F_TIME, "When the node last reported this condition."),
        SK_FLD("lastTransitionTime", SK_F_TIME, "When the condition last changed status."),
        SK_FLD("reason", SK_F_STRING, "Short machine-readable CamelCase reason."),
        SK_FLD("message", SK_F_STRING, "Human-readable explanation."),
        {0},
};

static const struct sk_field f_core_NodeAddress[] = {
        SK_FLD("type", SK_F_STRING, "Hostname, InternalIP, ExternalIP, InternalDNS or ExternalDNS.",
               .go_type = "v1.NodeAddressType", .flags = SK_FF_REQUIRED),
        SK_FLD("address", SK_F_STRING, "The address.", .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_core_NodeSystemInfo[] = {
        SK_FLD("machineID", SK_F_STRING, "Machine ID of the node.", .flags = SK_FF_REQUIRED),
        SK_FLD("systemUUID", SK_F_STRING, "System UUID of the node.", .flags = SK_FF_REQUIRED),
        SK_FLD("bootID", SK_F_STRING, "Boot ID of the node.", .flags = SK_FF_REQUIRED),
        SK_FLD("kernelVersion", SK_F_STRING, "Kernel version (uname -r).", .flags = SK_FF_REQUIRED),
        SK_FLD("osImage", SK_F_STRING,
               "Operating system image, e.g. \"Debian GNU/Linux 12 (bookworm)\".",
               .flags = SK_FF_REQUIRED),
        SK_FLD("containerRuntimeVersion", SK_F_STRING,
               "Container runtime, as \"<name>://<version>\".", .flags = SK_FF_REQUIRED),
        SK_FLD("kubeletVersion", SK_F_STRING, "Version of the node agent.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("kubeProxyVersion", SK_F_STRING, "Deprecated version of the service proxy.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("operatingSystem", SK_F_STRING, "Operating system, e.g. linux.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("architecture", SK_F_STRING, "CPU architecture, e.g. arm64.",
               .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_core_ContainerImage[] = {
        SK_FLD("names", SK_F_ARRAY, "Names and digests of the image.", .elem = SK_F_STRING,
               .list_type = "atomic"),
        SK_FLD("sizeBytes", SK_F_INT64, "Size of the image in bytes."),
        {0},
};

static const struct sk_field f_core_AttachedVolume[] = {
        SK_FLD("name", SK_F_STRING, "Name of the attached volume.",
               .go_type = "v1.UniqueVolumeName", .flags = SK_FF_REQUIRED),
        SK_FLD("devicePath", SK_F_STRING, "Where the device is available on the node.",
               .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_core_NodeRuntimeHandlerFeatures[] = {
        SK_FLD("recursiveReadOnlyMounts", SK_F_BOOL,
               "Whether the handler supports recursive read-only mounts."),
        SK_FLD("userNamespaces", SK_F_BOOL, "Whether the handler supports user namespaces."),
        {0},
};

static const struct sk_field f_core_NodeRuntimeHandler[] = {
        SK_FLD("name", SK_F_STRING, "Name of the handler; empty for the default one."),
        SK_FLD("features", SK_F_OBJECT, "Features of the handler.",
               .fields = f_core_NodeRuntimeHandlerFeatures,
               .ref = SK_REF_CORE "NodeRuntimeHandlerFeatures"),
        {0},
};

static const struct sk_field f_core_NodeFeatures[] = {
        SK_FLD("supplementalGroupsPolicy", SK_F_BOOL,
               "Whether the node supports supplementalGroupsPolicy."),
        {0},
};

static const struct sk_field f_core_NodeStatus[] = {
        SK_FLD("capacity", SK_F_MAP, "Total resources of the node.", .elem = SK_F_QUANTITY,
               .go_type = "v1.ResourceList"),
        SK_FLD("allocatable", SK_F_MAP, "Resources available to pods; defaults to capacity.",
               .elem = SK_F_QUANTITY, .go_type = "v1.ResourceList"),
        SK_FLD("phase", SK_F_STRING, "Deprecated and unused.", .go_type = "v1.NodePhase"),
        SK_FLD("conditions", SK_F_ARRAY, "Current conditions of the node, e.g. Ready.",
               .elem = SK_F_OBJECT, .fields = f_core_NodeCondition,
               .ref = SK_REF_CORE "NodeCondition", .merge_key = "type", .patch_strategy = "merge",
               .list_type = "map", .list_map_keys = sk_lmk_type),
        SK_FLD("addresses", SK_F_ARRAY, "Addresses of the node.", .elem = SK_F_OBJECT,
               .fields = f_core_NodeAddress, .ref = SK_REF_CORE "NodeAddress", .merge_key = "type",
               .patch_strategy = "merge", .list_type = "map", .list_map_keys = sk_lmk_type),
        SK_FLD("daemonEndpoints", SK_F_OBJECT, "Ports of the daemons on the node.",
               .ref = SK_REF_CORE "NodeDaemonEndpoints"),
        SK_FLD("nodeInfo", SK_F_OBJECT, "Versions and IDs reported by the node.",
               .fields = f_core_NodeSystemInfo, .ref = SK_REF_CORE "NodeSystemInfo"),
        SK_FLD("images", SK_F_ARRAY, "Images present on the node.", .elem = SK_F_OBJECT,
               .fields = f_core_ContainerImage, .ref = SK_REF_CORE "ContainerImage",
               .list_type = "atomic"),
        SK_FLD("volumesInUse", SK_F_ARRAY, "Volumes attached and mounted on the node.",
               .elem = SK_F_STRING, .list_type = "atomic", .go_type = "[]v1.UniqueVolumeName"),
        SK_FLD("volumesAttached", SK_F_ARRAY, "Volumes attached to the node.", .elem = SK_F_OBJECT,
               .fields = f_core_AttachedVolume, .ref = SK_REF_CORE "AttachedVolume",
               .list_type = "atomic"),
        SK_FLD("config", SK_F_OBJECT, "Deprecated dynamic kubelet config status.",
               .ref = SK_REF_CORE "NodeConfigStatus"),
        SK_FLD("runtimeHandlers", SK_F_ARRAY, "Runtime handlers available on the node.",
               .elem = SK_F_OBJECT, .fields = f_core_NodeRuntimeHandler,
               .ref = SK_REF_CORE "NodeRuntimeHandler", .list_type = "atomic"),
        SK_FLD("features", SK_F_OBJECT, "Features the node supports.",
               .fields = f_core_NodeFeatures, .ref = SK_REF_CORE "NodeFeatures"),
        {0},
};

static const struct sk_field f_core_Node[] = {
        SK_FLD("kind", SK_F_STRING, "Kind of the object, in CamelCase, e.g. \"Pod\"."),
        SK_FLD("apiVersion", SK_F_STRING,
               "Version of the schema this object is written against, e.g. \"v1\" or \"apps/v1\"."),
        SK_FLD("metadata", SK_F_OBJECT,
               "Standard object metadata: name, namespace, labels, annotations and the fields the "
               "system keeps.",
               .fields = sk_f_meta_ObjectMeta, .ref = SK_REF_META "ObjectMeta"),
        SK_FLD("spec", SK_F_OBJECT, "Spec of the node.", .fields = f_core_NodeSpec,
               .ref = SK_REF_CORE "NodeSpec"),
        SK_FLD("status", SK_F_OBJECT, "Most recently observed state of the node.",
               .fields = f_core_NodeStatus, .ref = SK_REF_CORE "NodeStatus",
               .flags = SK_FF_READONLY),
        {0},
};

static const struct sk_field f_core_EventSource[] = {
        SK_FLD("component", SK_F_STRING, "Component that reported the event."),
        SK_FLD("host", SK_F_STRING, "Node the event came from."),
        {0},
};

static const struct sk_field f_core_EventSeries[] = {
        SK_FLD("count", SK_F_INT32, "Number of occurrences in the series so far."),
        SK_FLD("lastObservedTime", SK_F_TIME, "When the last occurrence was seen.",
               .go_type = "v1.MicroTime"),
        {0},
};

static const struct sk_field f_core_Event[] = {
        SK_FLD("kind", SK_F_STRING, "Kind of the object, in CamelCase, e.g. \"Pod\"."),
        SK_FLD("apiVersion", SK_F_STRING,
               "Version of the schema this object is written against, e.g. \"v1\" or \"apps/v1\"."),
        SK_FLD("metadata", SK_F_OBJECT,
               "Standard object metadata: name, namespace, labels, annotations and the fields the "
               "system keeps.",
               .fields = sk_f_meta_ObjectMeta, .ref = SK_REF_META "ObjectMeta",
               .flags = SK_FF_REQUIRED),
        SK_FLD("involvedObject", SK_F_OBJECT, "The object the event is about.",
               .fields = sk_f_core_ObjectReference, .ref = SK_REF_CORE "ObjectReference",
               .flags = SK_FF_REQUIRED),
        SK_FLD("reason", SK_F_STRING, "Short CamelCase reason for the event, e.g. Pulled."),
        SK_FLD("message", SK_F_STRING, "Human-readable description of the event."),
        SK_FLD("source", SK_F_OBJECT,
               "Component that reported the event; deprecated in favor of reportingComponent.",
               .fields = f_core_EventSource, .ref = SK_REF_CORE "EventSource"),
        SK_FLD("firstTimestamp", SK_F_TIME, "When the event was first recorded."),
        SK_FLD("lastTimestamp", SK_F_TIME, "When the event was last recorded."),
        SK_FLD("count", SK_F_INT32, "How many times the event has occurred."),
        SK_FLD("type", SK_F_STRING, "Normal or Warning."),
        SK_FLD("eventTime", SK_F_TIME, "When the event first occurred, with microseconds.",
               .go_type = "v1.MicroTime"),
        SK_FLD("series", SK_F_OBJECT, "Data about a series of repeated events.",
               .fields = f_core_EventSeries, .ref = SK_REF_CORE "EventSeries"),
        SK_FLD("action", SK_F_STRING, "What was done or failed, e.g. Binding."),
        SK_FLD("related", SK_F_OBJECT, "A second object involved, if any.",
               .fields = sk_f_core_ObjectReference, .ref = SK_REF_CORE "ObjectReference"),
        SK_FLD("reportingComponent", SK_F_STRING,
               "Controller that emitted the event, e.g. kubernetes.io/kubelet."),
        SK_FLD("reportingInstance", SK_F_STRING,
               "ID of the controller instance, e.g. the node name."),
        {0},
};

static const struct sk_field f_core_ServiceAccount[] = {
        SK_FLD("kind", SK_F_STRING, "Kind of the object, in CamelCase, e.g. \"Pod\"."),
        SK_FLD("apiVersion", SK_F_STRING,
               "Version of the schema this object is written against, e.g. \"v1\" or \"apps/v1\"."),
        SK_FLD("metadata", SK_F_OBJECT,
               "Standard object metadata: name, namespace, labels, annotations and the fields the "
               "system keeps.",
               .fields = sk_f_meta_ObjectMeta, .ref = SK_REF_META "ObjectMeta"),
        SK_FLD("secrets", SK_F_ARRAY, "Deprecated list of Secrets the service account may use.",
               .elem = SK_F_OBJECT, .fields = sk_f_core_ObjectReference,
               .ref = SK_REF_CORE "ObjectReference", .merge_key = "name", .patch_strategy = "merge",
               .list_type = "map", .list_map_keys = sk_lmk_name),
        SK_FLD("imagePullSecrets", SK_F_ARRAY,
               "Registry credentials added to pods that run as this account.", .elem = SK_F_OBJECT,
               .fields = sk_f_core_LocalObjectReference, .ref = SK_REF_CORE "LocalObjectReference",
               .list_type = "atomic"),
        SK_FLD("automountServiceAccountToken", SK_F_BOOL,
               "Whether pods of this account get the token mounted by default; the pod may "
               "override."),
        {0},
};

static const struct sk_field f_core_PersistentVolumeSpec[] = {
        SK_FLD("capacity", SK_F_MAP, "Size of the volume, as storage: <quantity>.",
               .elem = SK_F_QUANTITY, .go_type = "v1.ResourceList"),
        SK_FLD("gcePersistentDisk", SK_F_OBJECT, "Deprecated GCE persistent disk (in-tree plugin).",
               .ref = SK_REF_CORE "GCEPersistentDiskVolumeSource"),
        SK_FLD("awsElasticBlockStore", SK_F_OBJECT, "Deprecated AWS EBS disk (in-tree plugin).",
               .ref = SK_REF_CORE "AWSElasticBlockStoreVolumeSource"),
        SK_FLD("hostPath", SK_F_OBJECT, "A directory of the node; for single-node testing.",
               .fields = sk_f_core_HostPathVolumeSource, .ref = SK_REF_CORE "HostPathVolumeSource"),
        SK_FLD("glusterfs", SK_F_OBJECT, "Deprecated GlusterFS mount.",
               .ref = SK_REF_CORE "GlusterfsPersistentVolumeSource"),
        SK_FLD("nfs", SK_F_OBJECT, "An NFS export.", .fields = sk_f_core_NFSVolumeSource,
               .ref = SK_REF_CORE "NFSVolumeSource"),
        SK_FLD("rbd", SK_F_OBJECT, "Deprecated Ceph RBD image.",
               .ref = SK_REF_CORE "RBDPersistentVolumeSource"),
        SK_FLD("iscsi", SK_F_OBJECT, "iSCSI disk.",
               .ref = SK_REF_CORE "ISCSIPersistentVolumeSource"),
        SK_FLD("cinder", SK_F_OBJECT, "Deprecated OpenStack Cinder volume (in-tree plugin).",
               .ref = SK_REF_CORE "CinderPersistentVolumeSource"),
        SK_FLD("cephfs", SK_F_OBJECT, "Deprecated CephFS mount (in-tree plugin).",
               .ref = SK_REF_CORE "CephFSPersistentVolumeSource"),
        SK_FLD("fc", SK_F_OBJECT, "Fibre Channel disk.", .ref = SK_REF_CORE "FCVolumeSource"),
        SK_FLD("flocker", SK_F_OBJECT, "Deprecated Flocker dataset.",
               .ref = SK_REF_CORE "FlockerVolumeSource"),
        SK_FLD("flexVolume", SK_F_OBJECT, "Deprecated FlexVolume driver volume.",
               .ref = SK_REF_CORE "FlexPersistentVolumeSource"),
        SK_FLD("azureFile", SK_F_OBJECT, "Deprecated Azure File share (in-tree plugin).",
               .ref = SK_REF_CORE "AzureFilePersistentVolumeSource"),
        SK_FLD("vsphereVolume", SK_F_OBJECT, "Deprecated vSphere disk (in-tree plugin).",
               .ref = SK_REF_CORE "VsphereVirtualDiskVolumeSource"),
        SK_FLD("quobyte", SK_F_OBJECT, "Deprecated Quobyte mount.",
               .ref = SK_REF_CORE "QuobyteVolumeSource"),
        SK_FLD("azureDisk", SK_F_OBJECT, "Deprecated Azure data disk (in-tree plugin).",
               .ref = SK_REF_CORE "AzureDiskVolumeSource"),
        SK_FLD("photonPersistentDisk", SK_F_OBJECT, "Deprecated Photon Controller disk.",
               .ref = SK_REF_CORE "PhotonPersistentDiskVolumeSource"),
        SK_FLD("portworxVolume", SK_F_OBJECT, "Deprecated Portworx volume (in-tree plugin).",
               .ref = SK_REF_CORE "PortworxVolumeSource"),
        SK_FLD("scaleIO", SK_F_OBJECT, "Deprecated ScaleIO volume.",
               .ref = SK_REF_CORE "ScaleIOPersistentVolumeSource"),
        SK_FLD("local", SK_F_OBJECT,
               "A local disk, partition or directory of one node; needs nodeAffinity.",
               .fields = sk_f_core_LocalVolumeSource, .ref = SK_REF_CORE "LocalVolumeSource"),
        SK_FLD("storageos", SK_F_OBJECT, "Deprecated StorageOS volume.",
               .ref = SK_REF_CORE "StorageOSPersistentVolumeSource"),
        SK_FLD("csi", SK_F_OBJECT, "A volume managed by a CSI driver.",
               .fields = sk_f_core_CSIPersistentVolumeSource,
               .ref = SK_REF_CORE "CSIPersistentVolumeSource"),
        SK_FLD("accessModes", SK_F_ARRAY,
               "Ways the volume can be mounted: ReadWriteOnce, ReadOnlyMany, ReadWriteMany or "
               "ReadWriteOncePod.",
               .elem = SK_F_STRING, .list_type = "atomic",
               .go_type = "[]v1.PersistentVolumeAccessMode"),
        SK_FLD("claimRef", SK_F_OBJECT,
               "The claim bound to this volume; set by the binder or pre-set to reserve the "
               "volume.",
               .fields = sk_f_core_ObjectReference, .ref = SK_REF_CORE "ObjectReference"),
        SK_FLD("persistentVolumeReclaimPolicy", SK_F_STRING,
               "What happens when the claim is released: Retain (the default for manual volumes), "
               "Delete or Recycle.",
               .go_type = "v1.PersistentVolumeReclaimPolicy"),
        SK_FLD("storageClassName", SK_F_STRING,
               "Name of the StorageClass this volume belongs to or is requested from."),
        SK_FLD("mountOptions", SK_F_ARRAY,
               "Mount options passed to the mount of volumes of this class, e.g. [\"ro\", "
               "\"soft\"].",
               .elem = SK_F_STRING, .list_type = "atomic"),
        SK_FLD("volumeMode", SK_F_STRING, "Filesystem (the default) or Block.",
               .go_type = "v1.PersistentVolumeMode"),
        SK_FLD("nodeAffinity", SK_F_OBJECT, "Nodes the volume can be used from.",
               .fields = sk_f_core_VolumeNodeAffinity, .ref = SK_REF_CORE "VolumeNodeAffinity"),
        SK_FLD("volumeAttributesClassName", SK_F_STRING,
               "VolumeAttributesClass to apply to the volume."),
        {0},
};

static const struct sk_field f_core_PersistentVolumeStatus[] = {
        SK_FLD("phase", SK_F_STRING, "Pending, Available, Bound, Released or Failed.",
               .go_type = "v1.PersistentVolumePhase"),
        SK_FLD("message", SK_F_STRING, "Human-readable detail on the volume's state."),
        SK_FLD("reason", SK_F_STRING, "Short CamelCase reason for a failure."),
        SK_FLD("lastPhaseTransitionTime", SK_F_TIME, "When the volume last changed phase."),
        {0},
};

static const struct sk_field f_core_PersistentVolume[] = {
        SK_FLD("kind", SK_F_STRING, "Kind of the object, in CamelCase, e.g. \"Pod\"."),
        SK_FLD("apiVersion", SK_F_STRING,
               "Version of the schema this object is written against, e.g. \"v1\" or \"apps/v1\"."),
        SK_FLD("metadata", SK_F_OBJECT,
               "Standard object metadata: name, namespace, labels, annotations and the fields the "
               "system keeps.",
               .fields = sk_f_meta_ObjectMeta, .ref = SK_REF_META "ObjectMeta"),
        SK_FLD("spec", SK_F_OBJECT, "Spec of the volume, set by an administrator or a provisioner.",
               .fields = f_core_PersistentVolumeSpec, .ref = SK_REF_CORE "PersistentVolumeSpec"),
        SK_FLD("status", SK_F_OBJECT, "Binding state of the volume.",
               .fields = f_core_PersistentVolumeStatus, .ref = SK_REF_CORE "PersistentVolumeStatus",
               .flags = SK_FF_READONLY),
        {0},
};

static const struct sk_field f_core_PersistentVolumeClaimCondition[] = {
        SK_FLD("type", SK_F_STRING, "Type of condition, e.g. Resizing.",
               .go_type = "v1.PersistentVolumeClaimConditionType", .flags = SK_FF_REQUIRED),
        SK_FLD("status", SK_F_STRING, "True, False or Unknown.", .go_type = "v1.ConditionStatus",
               .flags = SK_FF_REQUIRED),
        SK_FLD("lastProbeTime", SK_F_TIME, "When the condition was last checked."),
        SK_FLD("lastTransitionTime", SK_F_TIME, "When the condition last changed status."),
        SK_FLD("reason", SK_F_STRING, "Short machine-readable CamelCase reason."),
        SK_FLD("message", SK_F_STRING, "Human-readable explanation."),
        {0},
};

static const struct sk_field f_core_ModifyVolumeStatus[] = {
        SK_FLD("targetVolumeAttributesClassName", SK_F_STRING,
               "VolumeAttributesClass being applied."),
        SK_FLD("status", SK_F_STRING, "Pending, InProgress or Infeasible.",
               .go_type = "v1.PersistentVolumeClaimModifyVolumeStatus", .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_core_PersistentVolumeClaimStatus[] = {
        SK_FLD("phase", SK_F_STRING, "Pending, Bound or Lost.",
               .go_type = "v1.PersistentVolumeClaimPhase"),
        SK_FLD("accessModes", SK_F_ARRAY, "Access modes of the bound volume.", .elem = SK_F_STRING,
               .list_type = "atomic", .go_type = "[]v1.PersistentVolumeAccessMode"),
        SK_FLD("capacity", SK_F_MAP, "Size of the bound volume.", .elem = SK_F_QUANTITY,
               .go_type = "v1.ResourceList"),
        SK_FLD("conditions", SK_F_ARRAY, "Current conditions, e.g. of a resize.",
               .elem = SK_F_OBJECT, .fields = f_core_PersistentVolumeClaimCondition,
               .ref = SK_REF_CORE "PersistentVolumeClaimCondition", .merge_key = "type",
               .patch_strategy = "merge", .list_type = "map", .list_map_keys = sk_lmk_type),
        SK_FLD("allocatedResources", SK_F_MAP,
               "Storage the system has allocated, e.g. during a resize.", .elem = SK_F_QUANTITY,
               .go_type = "v1.ResourceList"),
        SK_FLD("allocatedResourceStatuses", SK_F_MAP, "State of each resource being resized.",
               .elem = SK_F_STRING, .go_type = "map[v1.ResourceName]v1.ClaimResourceStatus"),
        SK_FLD("currentVolumeAttributesClassName", SK_F_STRING,
               "VolumeAttributesClass currently applied."),
        SK_FLD("modifyVolumeStatus", SK_F_OBJECT, "State of a volume modification in progress.",
               .fields = f_core_ModifyVolumeStatus, .ref = SK_REF_CORE "ModifyVolumeStatus"),
        {0},
};

const struct sk_field sk_f_core_PersistentVolumeClaim[] = {
        SK_FLD("kind", SK_F_STRING, "Kind of the object, in CamelCase, e.g. \"Pod\"."),
        SK_FLD("apiVersion", SK_F_STRING,
               "Version of the schema this object is written against, e.g. \"v1\" or \"apps/v1\"."),
        SK_FLD("metadata", SK_F_OBJECT,
               "Standard object metadata: name, namespace, labels, annotations and the fields the "
               "system keeps.",
               .fields = sk_f_meta_ObjectMeta, .ref = SK_REF_META "ObjectMeta"),
        SK_FLD("spec", SK_F_OBJECT, "What the claim asks for.",
               .fields = sk_f_core_PersistentVolumeClaimSpec,
               .ref = SK_REF_CORE "PersistentVolumeClaimSpec"),
        SK_FLD("status", SK_F_OBJECT, "Binding state of the claim.",
               .fields = f_core_PersistentVolumeClaimStatus,
               .ref = SK_REF_CORE "PersistentVolumeClaimStatus", .flags = SK_FF_READONLY),
        {0},
};

static const struct sk_field f_core_ReplicationControllerSpec[] = {
        SK_FLD("replicas", SK_F_INT32, "Desired number of pods. Defaults to 1."),
        SK_FLD("minReadySeconds", SK_F_INT32,
               "Seconds a new pod must be ready without crashing before it counts as available. "
               "Defaults to 0."),
        SK_FLD("selector", SK_F_MAP,
               "Labels the managed pods carry; defaults to the template's labels.",
               .elem = SK_F_STRING),
        SK_FLD("template", SK_F_OBJECT, "Template for new pods.",
               .fields = sk_f_core_PodTemplateSpec, .ref = SK_REF_CORE "PodTemplateSpec"),
        {0},
};

static const struct sk_field f_core_ReplicationControllerCondition[] = {
        SK_FLD("type", SK_F_STRING, "Type of condition.",
               .go_type = "v1.ReplicationControllerConditionType", .flags = SK_FF_REQUIRED),
        SK_FLD("status", SK_F_STRING, "True, False or Unknown.", .go_type = "v1.ConditionStatus",
               .flags = SK_FF_REQUIRED),
        SK_FLD("lastTransitionTime", SK_F_TIME, "When the condition last changed status."),
        SK_FLD("reason", SK_F_STRING, "Short machine-readable CamelCase reason."),
        SK_FLD("message", SK_F_STRING, "Human-readable explanation."),
        {0},
};

static const struct sk_field f_core_ReplicationControllerStatus[] = {
        SK_FLD("replicas", SK_F_INT32, "Number of pods observed.", .flags = SK_FF_REQUIRED),
        SK_FLD("fullyLabeledReplicas", SK_F_INT32,
               "Pods whose labels match the template's labels."),
        SK_FLD("readyReplicas", SK_F_INT32, "Pods with a Ready condition."),
        SK_FLD("availableReplicas", SK_F_INT32, "Pods ready for at least minReadySeconds."),
        SK_FLD("observedGeneration", SK_F_INT64,
               "The metadata.generation the controller last acted on."),
        SK_FLD("conditions", SK_F_ARRAY,
               "Latest observations of the object's state, one entry per condition type.",
               .elem = SK_F_OBJECT, .fields = f_core_ReplicationControllerCondition,
               .ref = SK_REF_CORE "ReplicationControllerCondition", .merge_key = "type",
               .patch_strategy = "merge", .list_type = "map", .list_map_keys = sk_lmk_type),
        {0},
};

static const struct sk_field f_core_ReplicationController[] = {
        SK_FLD("kind", SK_F_STRING, "Kind of the object, in CamelCase, e.g. \"Pod\"."),
        SK_FLD("apiVersion", SK_F_STRING,
               "Version of the schema this object is written against, e.g. \"v1\" or \"apps/v1\"."),
        SK_FLD("metadata", SK_F_OBJECT,
               "Standard object metadata: name, namespace, labels, annotations and the fields the "
               "system keeps.",
               .fields = sk_f_meta_ObjectMeta, .ref = SK_REF_META "ObjectMeta"),
        SK_FLD("spec", SK_F_OBJECT, "Desired state of the replication controller.",
               .fields = f_core_ReplicationControllerSpec,
               .ref = SK_REF_CORE "ReplicationControllerSpec"),
        SK_FLD("status", SK_F_OBJECT, "Most recently observed state of the replication controller.",
               .fields = f_core_ReplicationControllerStatus,
               .ref = SK_REF_CORE "ReplicationControllerStatus", .flags = SK_FF_READONLY),
        {0},
};

/* ---- defaults ---- */

static bool externally_accessible(const struct sk_val *spec)
{
    const char *t = sk_gets0(spec, "type");
    return !strcmp(t, "LoadBalancer") || !strcmp(t, "NodePort") ||
           (!strcmp(t, "ClusterIP") && sk_alen(sk_geta(spec, "externalIPs")) > 0);
}

static void service_defaults(struct sk_val *obj)
{
    struct sk_val *spec = sk_dmap(obj, "spec");
    if (!spec) return;
    sk_dstr0(spec, "sessionAffinity", "None");
    const char *sa = sk_gets0(spec, "sessionAffinity");
    if (!strcmp(sa, "None")) sk_map_del(spec, "sessionAffinityConfig");
    if (!strcmp(sa, "ClientIP")) {
        const struct sk_val *t = sk_get(sk_getm(sk_getm(spec, "sessionAffinityConfig"), "clientIP"),
                                        "timeoutSeconds");
        if (!t) {
            struct sk_val *cfg = sk_val_map(), *cip = sk_val_map();
            sk_map_set(cip, "timeoutSeconds", sk_val_int(10800));
            sk_map_set(cfg, "clientIP", cip);
            sk_map_set(spec, "sessionAffinityConfig", cfg);
        }
    }
    sk_dstr0(spec, "type", "ClusterIP");
    struct sk_val *ports = sk_map_get(spec, "ports");
    for (size_t i = 0; i < sk_alen(ports); i++) {
        struct sk_val *p = ports->u.a.items[i];
        sk_dstr0(p, "protocol", "TCP");
        const struct sk_val *tp = sk_map_get(p, "targetPort");
        bool unset = !tp || tp->type == SK_V_NULL || (tp->type == SK_V_INT && tp->u.i == 0) ||
                     (tp->type == SK_V_STR && tp->u.s.len == 0);
        int64_t port;
        if (unset && p->type == SK_V_MAP)
            sk_map_set(p, "targetPort", sk_val_int(sk_geti(p, "port", &port) ? port : 0));
    }
    if (externally_accessible(spec)) sk_dstr0(spec, "externalTrafficPolicy", "Cluster");
    const char *t = sk_gets0(spec, "type");
    if (!strcmp(t, "NodePort") || !strcmp(t, "LoadBalancer") || !strcmp(t, "ClusterIP"))
        sk_dstr(spec, "internalTrafficPolicy", "Cluster");
    if (!strcmp(t, "LoadBalancer")) {
        sk_dbool(spec, "allocateLoadBalancerNodePorts", true);
        struct sk_val *ing =
                sk_map_get(sk_map_get(sk_map_get(obj, "status"), "loadBalancer"), "ingress");
        for (size_t i = 0; i < sk_alen(ing); i++)
            if (*sk_gets0(ing->u.a.items[i], "ip")) sk_dstr(ing->u.a.items[i], "ipMode", "VIP");
    }
    /* The registry keeps clusterIP and clusterIPs in step before
     * validating (normalizeClusterIPs). */
    const char *cip = sk_gets0(spec, "clusterIP");
    const struct sk_val *cips = sk_geta(spec, "clusterIPs");
    if (*cip && !sk_alen(cips)) {
        struct sk_val *a = sk_val_arr();
        sk_arr_push(a, sk_val_str(cip));
        sk_map_set(spec, "clusterIPs", a);
    } else if (!*cip && sk_alen(cips) && sk_val_cstr(cips->u.a.items[0])) {
        sk_map_set(spec, "clusterIP", sk_val_str(sk_val_cstr(cips->u.a.items[0])));
    }
    /* Family policy as the allocator settles it for single-stack
     * clusters; the families and addresses themselves are the allocator's. */
    bool headless = sk_streq(sk_gets(spec, "clusterIP"), "None");
    if (strcmp(t, "ExternalName") && !(headless && !sk_mlen(sk_getm(spec, "selector"))))
        sk_dstr(spec, "ipFamilyPolicy", "SingleStack");
}

static void endpoints_defaults(struct sk_val *obj)
{
    struct sk_val *subsets = sk_map_get(obj, "subsets");
    for (size_t i = 0; i < sk_alen(subsets); i++) {
        struct sk_val *ports = sk_map_get(subsets->u.a.items[i], "ports");
        for (size_t j = 0; j < sk_alen(ports); j++)
            sk_dstr0(ports->u.a.items[j], "protocol", "TCP");
    }
}

static void b64(struct sk_buf *b, const unsigned char *p, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        sk_buf_putc(b, tab[v >> 18 & 63]);
        sk_buf_putc(b, tab[v >> 12 & 63]);
        sk_buf_putc(b, i + 1 < n ? tab[v >> 6 & 63] : '=');
        sk_buf_putc(b, i + 2 < n ? tab[v & 63] : '=');
    }
}

static void secret_defaults(struct sk_val *obj)
{
    sk_dstr0(obj, "type", "Opaque");
    /* stringData is write-only: the v1 conversion folds it into data. */
    struct sk_val *sd = sk_map_get(obj, "stringData");
    if (!sd || sd->type != SK_V_MAP) return;
    struct sk_val *data = sk_dmap(obj, "data");
    if (!data) return;
    for (size_t i = 0; i < sd->u.m.n; i++) {
        const struct sk_val *s = sd->u.m.kv[i].val;
        if (s->type != SK_V_STR) continue;
        struct sk_buf b = {0};
        b64(&b, (const unsigned char *)s->u.s.p, s->u.s.len);
        char *enc = sk_buf_take(&b, NULL);
        sk_map_set(data, sd->u.m.kv[i].key, sk_val_str(enc));
        free(enc);
    }
    sk_map_del(obj, "stringData");
}

/* A new namespace always carries the "kubernetes" finalizer, which the
 * namespace controller removes once the contents are gone. */
static void namespace_prepare_create(struct sk_val *obj)
{
    struct sk_val *spec = sk_dmap(obj, "spec");
    if (!spec) return;
    struct sk_val *fin = sk_map_get(spec, "finalizers");
    if (!fin || fin->type != SK_V_ARR) fin = sk_map_set(spec, "finalizers", sk_val_arr());
    for (size_t i = 0; i < fin->u.a.n; i++)
        if (sk_streq(sk_val_cstr(fin->u.a.items[i]), "kubernetes")) return;
    sk_arr_push(fin, sk_val_str("kubernetes"));
}

static void namespace_defaults(struct sk_val *obj)
{
    struct sk_val *meta = sk_map_get(obj, "metadata");
    const char *name = sk_gets0(meta, "name");
    if (*name) {
        struct sk_val *labels = sk_dmap(meta, "labels");
        if (labels) sk_map_set(labels, "kubernetes.io/metadata.name", sk_val_str(name));
    }
    sk_dstr0(sk_dmap(obj, "status"), "phase", "Active");
}

static void node_defaults(struct sk_val *obj)
{
    /* The internal NodeSpec has only podCIDRs; converting to and from v1
     * fills podCIDRs from a lone podCIDR and podCIDR from podCIDRs[0]. */
    struct sk_val *spec = sk_map_get(obj, "spec");
    if (spec && spec->type == SK_V_MAP) {
        struct sk_val *one = sk_map_get(spec, "podCIDR"), *many = sk_map_get(spec, "podCIDRs");
        if (sk_alen(many) == 0 && one && one->type == SK_V_STR && one->u.s.len) {
            struct sk_val *arr = sk_val_arr();
            sk_arr_push(arr, sk_val_dup(one));
            sk_map_set(spec, "podCIDRs", arr);
        } else if (sk_alen(many) && many->u.a.items[0]->type == SK_V_STR) {
            sk_map_set(spec, "podCIDR", sk_val_dup(many->u.a.items[0]));
        }
    }
    struct sk_val *st = sk_map_get(obj, "status");
    if (!st || st->type != SK_V_MAP) return;
    sk_default_resource_list(sk_map_get(st, "capacity"));
    sk_default_resource_list(sk_map_get(st, "allocatable"));
    const struct sk_val *cap = sk_map_get(st, "capacity");
    const struct sk_val *alloc = sk_map_get(st, "allocatable");
    if (cap && cap->type == SK_V_MAP && (!alloc || alloc->type == SK_V_NULL))
        sk_map_set(st, "allocatable", sk_val_dup(cap));
}

static void pv_defaults(struct sk_val *obj)
{
    sk_dstr0(sk_dmap(obj, "status"), "phase", "Pending");
    struct sk_val *spec = sk_dmap(obj, "spec");
    sk_dstr0(spec, "persistentVolumeReclaimPolicy", "Retain");
    sk_dstr(spec, "volumeMode", "Filesystem");
    sk_default_resource_list(sk_map_get(spec, "capacity"));
    sk_default_legacy_sources(spec);
}

static void pvc_defaults(struct sk_val *obj)
{
    sk_dstr0(sk_dmap(obj, "status"), "phase", "Pending");
    sk_default_pvc_spec(sk_dmap(obj, "spec"));
}

static void rc_defaults(struct sk_val *obj)
{
    struct sk_val *spec = sk_dmap(obj, "spec");
    struct sk_val *tmpl = sk_map_get(spec, "template");
    const struct sk_val *labels = sk_map_get(sk_map_get(tmpl, "metadata"), "labels");
    if (labels && labels->type == SK_V_MAP) {
        if (!sk_mlen(sk_map_get(spec, "selector")))
            sk_map_set(spec, "selector", sk_val_dup(labels));
        struct sk_val *meta = sk_dmap(obj, "metadata");
        if (meta && !sk_mlen(sk_map_get(meta, "labels")))
            sk_map_set(meta, "labels", sk_val_dup(labels));
    }
    sk_dint(spec, "replicas", 1);
    sk_default_podspec(sk_map_get(tmpl, "spec"));
}

/* ---- kinds ---- */

static const char *const cat_all[] = {"all", NULL};
static const char *const sn_po[] = {"po", NULL}, *const sn_svc[] = {"svc", NULL},
                         *const sn_ep[] = {"ep", NULL}, *const sn_cm[] = {"cm", NULL},
                         *const sn_ns[] = {"ns", NULL}, *const sn_no[] = {"no", NULL},
                         *const sn_ev[] = {"ev", NULL}, *const sn_sa[] = {"sa", NULL},
                         *const sn_pv[] = {"pv", NULL}, *const sn_pvc[] = {"pvc", NULL},
                         *const sn_rc[] = {"rc", NULL};
static const char *const sub_pod[] = {"attach",      "binding", "ephemeralcontainers",
                                      "eviction",    "exec",    "log",
                                      "portforward", "proxy",   NULL};
static const char *const sub_proxy[] = {"proxy", NULL};
static const char *const sub_ns[] = {"finalize", NULL};
static const char *const sub_sa[] = {"token", NULL};

const struct sk_kind sk_kind_pod = {
        .group = "",
        .version = "v1",
        .kind = "Pod",
        .list_kind = "PodList",
        .plural = "pods",
        .singular = "pod",
        .short_names = sn_po,
        .categories = cat_all,
        .subresources = sub_pod,
        .namespaced = true,
        .has_status = true,
        .fields = f_core_Pod,
        .description = "A group of containers that share a network namespace and volumes and are "
                       "scheduled together onto one node.",
        .ref = SK_REF_CORE "Pod",
        .defaults = sk_pod_defaults,
        .prepare_create = sk_pod_prepare_create,
        .validate = sk_pod_validate,
        .validate_status = sk_pod_validate_status,
};

const struct sk_kind sk_kind_service = {
        .group = "",
        .version = "v1",
        .kind = "Service",
        .list_kind = "ServiceList",
        .plural = "services",
        .singular = "service",
        .short_names = sn_svc,
        .categories = cat_all,
        .subresources = sub_proxy,
        .namespaced = true,
        .has_status = true,
        .name_rule = SK_NAME_DNS1035,
        .fields = f_core_Service,
        .description = "A stable virtual address and DNS name in front of the pods a label "
                       "selector picks, with a port map.",
        .ref = SK_REF_CORE "Service",
        .defaults = service_defaults,
        .prepare_update = sk_service_prepare_update,
        .validate = sk_service_validate,
        .validate_status = sk_service_validate_status,
};

const struct sk_kind sk_kind_endpoints = {
        .group = "",
        .version = "v1",
        .kind = "Endpoints",
        .list_kind = "EndpointsList",
        .plural = "endpoints",
        .singular = "endpoints",
        .short_names = sn_ep,
        .namespaced = true,
        .fields = f_core_Endpoints,
        .description = "The addresses and ports behind a service, kept by the endpoints "
                       "controller or by hand for services without a selector.",
        .ref = SK_REF_CORE "Endpoints",
        .defaults = endpoints_defaults,
        .validate = sk_endpoints_validate,
};

const struct sk_kind sk_kind_configmap = {
        .group = "",
        .version = "v1",
        .kind = "ConfigMap",
        .list_kind = "ConfigMapList",
        .plural = "configmaps",
        .singular = "configmap",
        .short_names = sn_cm,
        .namespaced = true,
        .fields = f_core_ConfigMap,
        .description = "Non-secret configuration as key/value pairs, consumed by pods as "
                       "environment variables, arguments or files.",
        .ref = SK_REF_CORE "ConfigMap",
        .validate = sk_configmap_validate,
};

const struct sk_kind sk_kind_secret = {
        .group = "",
        .version = "v1",
        .kind = "Secret",
        .list_kind = "SecretList",
        .plural = "secrets",
        .singular = "secret",
        .namespaced = true,
        .fields = f_core_Secret,
        .description = "Sensitive data such as passwords, tokens or keys, consumed by pods as "
                       "files or environment variables.",
        .ref = SK_REF_CORE "Secret",
        .defaults = secret_defaults,
        .validate = sk_secret_validate,
};

const struct sk_kind sk_kind_namespace = {
        .group = "",
        .version = "v1",
        .kind = "Namespace",
        .list_kind = "NamespaceList",
        .plural = "namespaces",
        .singular = "namespace",
        .short_names = sn_ns,
        .subresources = sub_ns,
        .has_status = true,
        .name_rule = SK_NAME_LABEL,
        .fields = f_core_Namespace,
        .description = "A scope for names; most objects live in one.",
        .ref = SK_REF_CORE "Namespace",
        .defaults = namespace_defaults,
        .prepare_create = namespace_prepare_create,
        .validate = sk_namespace_validate,
        .validate_status = sk_namespace_validate_status,
};

const struct sk_kind sk_kind_node = {
        .group = "",
        .version = "v1",
        .kind = "Node",
        .list_kind = "NodeList",
        .plural = "nodes",
        .singular = "node",
        .short_names = sn_no,
        .subresources = sub_proxy,
        .has_status = true,
        .fields = f_core_Node,
        .description = "A machine of the cluster that runs pods.",
        .ref = SK_REF_CORE "Node",
        .defaults = node_defaults,
        .validate = sk_node_validate,
};

const struct sk_kind sk_kind_event = {
        .group = "",
        .version = "v1",
        .kind = "Event",
        .list_kind = "EventList",
        .plural = "events",
        .singular = "event",
        .short_names = sn_ev,
        .namespaced = true,
        .fields = f_core_Event,
        .description = "A report of something that happened to an object, kept for a while.",
        .ref = SK_REF_CORE "Event",
        .validate = sk_event_validate,
};

const struct sk_kind sk_kind_serviceaccount = {
        .group = "",
        .version = "v1",
        .kind = "ServiceAccount",
        .list_kind = "ServiceAccountList",
        .plural = "serviceaccounts",
        .singular = "serviceaccount",
        .short_names = sn_sa,
        .subresources = sub_sa,
        .namespaced = true,
        .fields = f_core_ServiceAccount,
        .description = "An identity for processes that run in pods.",
        .ref = SK_REF_CORE "ServiceAccount",
};

const struct sk_kind sk_kind_pv = {
        .group = "",
        .version = "v1",
        .kind = "PersistentVolume",
        .list_kind = "PersistentVolumeList",
        .plural = "persistentvolumes",
        .singular = "persistentvolume",
        .short_names = sn_pv,
        .has_status = true,
        .fields = f_core_PersistentVolume,
        .description = "A piece of storage provisioned by an administrator or a provisioner, "
                       "bound to at most one claim.",
        .ref = SK_REF_CORE "PersistentVolume",
        .defaults = pv_defaults,
        .validate = sk_pv_validate,
};

const struct sk_kind sk_kind_pvc = {
        .group = "",
        .version = "v1",
        .kind = "PersistentVolumeClaim",
        .list_kind = "PersistentVolumeClaimList",
        .plural = "persistentvolumeclaims",
        .singular = "persistentvolumeclaim",
        .short_names = sn_pvc,
        .namespaced = true,
        .has_status = true,
        .fields = sk_f_core_PersistentVolumeClaim,
        .description = "A request for storage that pods mount; bound to a persistent volume.",
        .ref = SK_REF_CORE "PersistentVolumeClaim",
        .defaults = pvc_defaults,
        .validate = sk_pvc_validate,
};

const struct sk_kind sk_kind_rc = {
        .group = "",
        .version = "v1",
        .kind = "ReplicationController",
        .list_kind = "ReplicationControllerList",
        .plural = "replicationcontrollers",
        .singular = "replicationcontroller",
        .short_names = sn_rc,
        .categories = cat_all,
        .namespaced = true,
        .has_status = true,
        .has_scale = true,
        .fields = f_core_ReplicationController,
        .description = "Keeps a number of pod replicas running; the predecessor of ReplicaSet.",
        .ref = SK_REF_CORE "ReplicationController",
        .defaults = rc_defaults,
        .validate = sk_rc_validate,
        .validate_status = sk_rc_validate_status,
};
