/* The field tables of PodSpec and PodStatus and of everything inside a
 * container (ports, environment, resources, mounts, probes, lifecycle
 * hooks, security context), shared by Pods and every pod template. */
#include <stddef.h>

#include "schema_int.h"

const struct sk_field sk_f_core_ObjectFieldSelector[] = {
        SK_FLD("apiVersion", SK_F_STRING,
               "Version of the schema the field path is written in. Defaults to \"v1\"."),
        SK_FLD("fieldPath", SK_F_STRING, "Path of the field to select.", .flags = SK_FF_REQUIRED),
        {0},
};

const struct sk_field sk_f_core_ResourceFieldSelector[] = {
        SK_FLD("containerName", SK_F_STRING,
               "Container whose resource is read; required for volumes."),
        SK_FLD("resource", SK_F_STRING, "Resource to read, e.g. limits.cpu or requests.memory.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("divisor", SK_F_QUANTITY, "Unit to express the value in. Defaults to \"1\"."),
        {0},
};

static const struct sk_field f_core_ContainerPort[] = {
        SK_FLD("name", SK_F_STRING,
               "Name of the port (IANA service name style, at most 15 characters); unique within "
               "the pod."),
        SK_FLD("hostPort", SK_F_INT32,
               "Port on the node to expose the container port on; rarely needed."),
        SK_FLD("containerPort", SK_F_INT32, "Port number on the pod's IP address (1-65535).",
               .flags = SK_FF_REQUIRED),
        SK_FLD("protocol", SK_F_STRING, "TCP, UDP or SCTP. Defaults to TCP.",
               .go_type = "v1.Protocol"),
        SK_FLD("hostIP", SK_F_STRING, "Node IP to bind the host port to."),
        {0},
};

static const struct sk_field f_core_ConfigMapEnvSource[] = {
        SK_FLD("name", SK_F_STRING, "Name of the referenced object in the same namespace."),
        SK_FLD("optional", SK_F_BOOL, "If true, a missing ConfigMap is not an error."),
        {0},
};

static const struct sk_field f_core_SecretEnvSource[] = {
        SK_FLD("name", SK_F_STRING, "Name of the referenced object in the same namespace."),
        SK_FLD("optional", SK_F_BOOL, "If true, a missing Secret is not an error."),
        {0},
};

static const struct sk_field f_core_EnvFromSource[] = {
        SK_FLD("prefix", SK_F_STRING, "Prefix added to every variable name taken from the source."),
        SK_FLD("configMapRef", SK_F_OBJECT, "ConfigMap to take the variables from.",
               .fields = f_core_ConfigMapEnvSource, .ref = SK_REF_CORE "ConfigMapEnvSource"),
        SK_FLD("secretRef", SK_F_OBJECT, "Secret to take the variables from.",
               .fields = f_core_SecretEnvSource, .ref = SK_REF_CORE "SecretEnvSource"),
        {0},
};

static const struct sk_field f_core_ConfigMapKeySelector[] = {
        SK_FLD("name", SK_F_STRING, "Name of the referenced object in the same namespace."),
        SK_FLD("key", SK_F_STRING, "Key to read.", .flags = SK_FF_REQUIRED),
        SK_FLD("optional", SK_F_BOOL,
               "If true, a missing ConfigMap or key leaves the variable unset."),
        {0},
};

static const struct sk_field f_core_SecretKeySelector[] = {
        SK_FLD("name", SK_F_STRING, "Name of the referenced object in the same namespace."),
        SK_FLD("key", SK_F_STRING, "Key to read.", .flags = SK_FF_REQUIRED),
        SK_FLD("optional", SK_F_BOOL,
               "If true, a missing Secret or key leaves the variable unset."),
        {0},
};

static const struct sk_field f_core_EnvVarSource[] = {
        SK_FLD("fieldRef", SK_F_OBJECT,
               "A field of the pod: metadata.name, metadata.namespace, metadata.uid, labels or "
               "annotations by key, spec.nodeName, spec.serviceAccountName, status.hostIP(s), "
               "status.podIP(s).",
               .fields = sk_f_core_ObjectFieldSelector, .ref = SK_REF_CORE "ObjectFieldSelector"),
        SK_FLD("resourceFieldRef", SK_F_OBJECT, "A container's resource limit or request.",
               .fields = sk_f_core_ResourceFieldSelector,
               .ref = SK_REF_CORE "ResourceFieldSelector"),
        SK_FLD("configMapKeyRef", SK_F_OBJECT, "A key of a ConfigMap.",
               .fields = f_core_ConfigMapKeySelector, .ref = SK_REF_CORE "ConfigMapKeySelector"),
        SK_FLD("secretKeyRef", SK_F_OBJECT, "A key of a Secret.",
               .fields = f_core_SecretKeySelector, .ref = SK_REF_CORE "SecretKeySelector"),
        {0},
};

static const struct sk_field f_core_EnvVar[] = {
        SK_FLD("name", SK_F_STRING, "Name of the variable.", .flags = SK_FF_REQUIRED),
        SK_FLD("value", SK_F_STRING,
               "Value; $(VAR) references to earlier variables are expanded, $$ escapes. Defaults "
               "to \"\"."),
        SK_FLD("valueFrom", SK_F_OBJECT,
               "Take the value from a source instead; not allowed with value.",
               .fields = f_core_EnvVarSource, .ref = SK_REF_CORE "EnvVarSource"),
        {0},
};

static const struct sk_field f_core_ResourceClaim[] = {
        SK_FLD("name", SK_F_STRING, "Name of an entry in the pod's spec.resourceClaims.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("request", SK_F_STRING,
               "Single request of the claim to use; empty means the whole claim."),
        {0},
};

const struct sk_field sk_f_core_ResourceRequirements[] = {
        SK_FLD("limits", SK_F_MAP, "Maximum amount of each resource the container may use.",
               .elem = SK_F_QUANTITY, .go_type = "v1.ResourceList"),
        SK_FLD("requests", SK_F_MAP,
               "Amount of each resource reserved for scheduling; defaults to the limit when only "
               "that is set.",
               .elem = SK_F_QUANTITY, .go_type = "v1.ResourceList"),
        SK_FLD("claims", SK_F_ARRAY, "Entries of spec.resourceClaims this container uses.",
               .elem = SK_F_OBJECT, .fields = f_core_ResourceClaim,
               .ref = SK_REF_CORE "ResourceClaim", .list_type = "map",
               .list_map_keys = sk_lmk_name),
        {0},
};

static const struct sk_field f_core_ContainerResizePolicy[] = {
        SK_FLD("resourceName", SK_F_STRING, "Resource the policy applies to: cpu or memory.",
               .go_type = "v1.ResourceName", .flags = SK_FF_REQUIRED),
        SK_FLD("restartPolicy", SK_F_STRING,
               "NotRequired or RestartContainer when the resource changes.",
               .go_type = "v1.ResourceResizeRestartPolicy", .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_core_VolumeMount[] = {
        SK_FLD("name", SK_F_STRING, "Name of a volume of the pod.", .flags = SK_FF_REQUIRED),
        SK_FLD("readOnly", SK_F_BOOL, "Mount read-only. Defaults to false."),
        SK_FLD("recursiveReadOnly", SK_F_STRING,
               "Whether a read-only mount is also read-only in its submounts: Disabled, IfPossible "
               "or Enabled.",
               .go_type = "v1.RecursiveReadOnlyMode"),
        SK_FLD("mountPath", SK_F_STRING,
               "Path inside the container where the volume is mounted; must not contain \":\".",
               .flags = SK_FF_REQUIRED),
        SK_FLD("subPath", SK_F_STRING, "Path inside the volume to mount instead of its root."),
        SK_FLD("mountPropagation", SK_F_STRING,
               "How mounts propagate between host and container: None (the default), "
               "HostToContainer or Bidirectional.",
               .go_type = "v1.MountPropagationMode"),
        SK_FLD("subPathExpr", SK_F_STRING,
               "Like subPath, with $(VAR) references to container variables expanded."),
        {0},
};

static const struct sk_field f_core_VolumeDevice[] = {
        SK_FLD("name", SK_F_STRING, "Name of a persistent volume claim in the pod.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("devicePath", SK_F_STRING, "Path of the device inside the container.",
               .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_core_ExecAction[] = {
        SK_FLD("command", SK_F_ARRAY, "Command to run in the container; not run in a shell.",
               .elem = SK_F_STRING, .list_type = "atomic"),
        {0},
};

static const struct sk_field f_core_HTTPHeader[] = {
        SK_FLD("name", SK_F_STRING, "Header field name.", .flags = SK_FF_REQUIRED),
        SK_FLD("value", SK_F_STRING, "Header field value.", .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_core_HTTPGetAction[] = {
        SK_FLD("path", SK_F_STRING, "Path to request. Defaults to \"/\"."),
        SK_FLD("port", SK_F_INT_OR_STRING, "Port number or name to connect to.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("host", SK_F_STRING,
               "Host to connect to; defaults to the pod IP. Set the Host header through "
               "httpHeaders instead."),
        SK_FLD("scheme", SK_F_STRING, "HTTP or HTTPS. Defaults to HTTP.",
               .go_type = "v1.URIScheme"),
        SK_FLD("httpHeaders", SK_F_ARRAY, "Extra request headers.", .elem = SK_F_OBJECT,
               .fields = f_core_HTTPHeader, .ref = SK_REF_CORE "HTTPHeader", .list_type = "atomic"),
        {0},
};

static const struct sk_field f_core_TCPSocketAction[] = {
        SK_FLD("port", SK_F_INT_OR_STRING, "Port number or name to connect to.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("host", SK_F_STRING, "Host to connect to; defaults to the pod IP."),
        {0},
};

static const struct sk_field f_core_GRPCAction[] = {
        SK_FLD("port", SK_F_INT32, "Port number of the gRPC service.", .flags = SK_FF_REQUIRED),
        SK_FLD("service", SK_F_STRING,
               "Service name sent in the health check request; empty checks the server as a "
               "whole."),
        {0},
};

static const struct sk_field f_core_Probe[] = {
        SK_FLD("exec", SK_F_OBJECT, "Run a command in the container; exit status 0 is success.",
               .fields = f_core_ExecAction, .ref = SK_REF_CORE "ExecAction"),
        SK_FLD("httpGet", SK_F_OBJECT, "HTTP GET request; a status from 200 to 399 is success.",
               .fields = f_core_HTTPGetAction, .ref = SK_REF_CORE "HTTPGetAction"),
        SK_FLD("tcpSocket", SK_F_OBJECT, "TCP connection; success if it can be opened.",
               .fields = f_core_TCPSocketAction, .ref = SK_REF_CORE "TCPSocketAction"),
        SK_FLD("grpc", SK_F_OBJECT, "gRPC health check request.", .fields = f_core_GRPCAction,
               .ref = SK_REF_CORE "GRPCAction"),
        SK_FLD("initialDelaySeconds", SK_F_INT32,
               "Seconds after the container starts before the first probe."),
        SK_FLD("timeoutSeconds", SK_F_INT32,
               "Seconds before a probe attempt times out. Defaults to 1."),
        SK_FLD("periodSeconds", SK_F_INT32, "Seconds between probes. Defaults to 10."),
        SK_FLD("successThreshold", SK_F_INT32,
               "Consecutive successes after a failure to count as passing; must be 1 for liveness "
               "and startup. Defaults to 1."),
        SK_FLD("failureThreshold", SK_F_INT32,
               "Consecutive failures to count as failed. Defaults to 3."),
        SK_FLD("terminationGracePeriodSeconds", SK_F_INT64,
               "Grace period used when the probe fails and the container is killed; overrides the "
               "pod's."),
        {0},
};

static const struct sk_field f_core_SleepAction[] = {
        SK_FLD("seconds", SK_F_INT64, "Seconds to sleep.", .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_core_LifecycleHandler[] = {
        SK_FLD("exec", SK_F_OBJECT, "Run a command in the container.", .fields = f_core_ExecAction,
               .ref = SK_REF_CORE "ExecAction"),
        SK_FLD("httpGet", SK_F_OBJECT, "Make an HTTP GET request.", .fields = f_core_HTTPGetAction,
               .ref = SK_REF_CORE "HTTPGetAction"),
        SK_FLD("tcpSocket", SK_F_OBJECT, "Deprecated; accepted but does nothing.",
               .fields = f_core_TCPSocketAction, .ref = SK_REF_CORE "TCPSocketAction"),
        SK_FLD("sleep", SK_F_OBJECT, "Sleep for a number of seconds.", .fields = f_core_SleepAction,
               .ref = SK_REF_CORE "SleepAction"),
        {0},
};

static const struct sk_field f_core_Lifecycle[] = {
        SK_FLD("postStart", SK_F_OBJECT,
               "Runs right after the container is created; the container is killed if it fails.",
               .fields = f_core_LifecycleHandler, .ref = SK_REF_CORE "LifecycleHandler"),
        SK_FLD("preStop", SK_F_OBJECT,
               "Runs before the container is stopped, within the grace period.",
               .fields = f_core_LifecycleHandler, .ref = SK_REF_CORE "LifecycleHandler"),
        {0},
};

static const struct sk_field f_core_Capabilities[] = {
        SK_FLD("add", SK_F_ARRAY, "Capabilities to add.", .elem = SK_F_STRING,
               .list_type = "atomic", .go_type = "[]v1.Capability"),
        SK_FLD("drop", SK_F_ARRAY, "Capabilities to drop.", .elem = SK_F_STRING,
               .list_type = "atomic", .go_type = "[]v1.Capability"),
        {0},
};

const struct sk_field sk_f_core_SELinuxOptions[] = {
        SK_FLD("user", SK_F_STRING, "SELinux user label."),
        SK_FLD("role", SK_F_STRING, "SELinux role label."),
        SK_FLD("type", SK_F_STRING, "SELinux type label."),
        SK_FLD("level", SK_F_STRING, "SELinux level label."),
        {0},
};

const struct sk_field sk_f_core_WindowsSecurityContextOptions[] = {
        SK_FLD("gmsaCredentialSpecName", SK_F_STRING, "Name of the GMSA credential spec to use."),
        SK_FLD("gmsaCredentialSpec", SK_F_STRING, "Contents of the GMSA credential spec."),
        SK_FLD("runAsUserName", SK_F_STRING, "Windows user name to run the entrypoint as."),
        SK_FLD("hostProcess", SK_F_BOOL, "Run as a Windows host process container."),
        {0},
};

const struct sk_field sk_f_core_SeccompProfile[] = {
        SK_FLD("type", SK_F_STRING, "Localhost, RuntimeDefault or Unconfined.",
               .go_type = "v1.SeccompProfileType", .flags = SK_FF_REQUIRED),
        SK_FLD("localhostProfile", SK_F_STRING,
               "Path of a profile preloaded on the node; only with type Localhost."),
        {0},
};

const struct sk_field sk_f_core_AppArmorProfile[] = {
        SK_FLD("type", SK_F_STRING, "Localhost, RuntimeDefault or Unconfined.",
               .go_type = "v1.AppArmorProfileType", .flags = SK_FF_REQUIRED),
        SK_FLD("localhostProfile", SK_F_STRING,
               "Path of a profile preloaded on the node; only with type Localhost."),
        {0},
};

static const struct sk_field f_core_SecurityContext[] = {
        SK_FLD("capabilities", SK_F_OBJECT,
               "Capabilities to add to and drop from the runtime's default set.",
               .fields = f_core_Capabilities, .ref = SK_REF_CORE "Capabilities"),
        SK_FLD("privileged", SK_F_BOOL,
               "Run as privileged, with nearly the host's root powers. Defaults to false."),
        SK_FLD("seLinuxOptions", SK_F_OBJECT, "SELinux context to apply.",
               .fields = sk_f_core_SELinuxOptions, .ref = SK_REF_CORE "SELinuxOptions"),
        SK_FLD("windowsOptions", SK_F_OBJECT, "Options that only apply on Windows nodes.",
               .fields = sk_f_core_WindowsSecurityContextOptions,
               .ref = SK_REF_CORE "WindowsSecurityContextOptions"),
        SK_FLD("runAsUser", SK_F_INT64,
               "UID to run the entrypoint as; defaults to the image's user."),
        SK_FLD("runAsGroup", SK_F_INT64,
               "GID to run the entrypoint as; defaults to the runtime's default."),
        SK_FLD("runAsNonRoot", SK_F_BOOL,
               "If true, the kubelet refuses to start a container that would run as UID 0."),
        SK_FLD("readOnlyRootFilesystem", SK_F_BOOL,
               "Mount the container's root filesystem read-only."),
        SK_FLD("allowPrivilegeEscalation", SK_F_BOOL,
               "Whether a process may gain more privileges than its parent (no_new_privs unset)."),
        SK_FLD("procMount", SK_F_STRING, "Default or Unmasked view of /proc.",
               .go_type = "v1.ProcMountType"),
        SK_FLD("seccompProfile", SK_F_OBJECT, "Seccomp profile to apply.",
               .fields = sk_f_core_SeccompProfile, .ref = SK_REF_CORE "SeccompProfile"),
        SK_FLD("appArmorProfile", SK_F_OBJECT, "AppArmor profile to apply.",
               .fields = sk_f_core_AppArmorProfile, .ref = SK_REF_CORE "AppArmorProfile"),
        {0},
};

const struct sk_field sk_f_core_Container[] = {
        SK_FLD("name", SK_F_STRING,
               "Name of the container as a DNS label; unique within the pod and fixed.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("image", SK_F_STRING,
               "Container image reference; required except where a controller fills it in."),
        SK_FLD("command", SK_F_ARRAY,
               "Entrypoint, as an argument vector; not run in a shell. Defaults to the image's "
               "ENTRYPOINT. $(VAR) references are expanded.",
               .elem = SK_F_STRING, .list_type = "atomic"),
        SK_FLD("args", SK_F_ARRAY,
               "Arguments to the entrypoint; $(VAR) references to container variables are "
               "expanded, $$ escapes.",
               .elem = SK_F_STRING, .list_type = "atomic"),
        SK_FLD("workingDir", SK_F_STRING,
               "Working directory of the container; defaults to the image's."),
        SK_FLD("ports", SK_F_ARRAY,
               "Ports the container listens on; informational except for hostPort, but lets "
               "services name them.",
               .elem = SK_F_OBJECT, .fields = f_core_ContainerPort,
               .ref = SK_REF_CORE "ContainerPort", .merge_key = "containerPort",
               .patch_strategy = "merge", .list_type = "map",
               .list_map_keys = sk_lmk_containerPort_protocol),
        SK_FLD("envFrom", SK_F_ARRAY,
               "Sources whose keys all become environment variables; explicit env entries win on "
               "conflict.",
               .elem = SK_F_OBJECT, .fields = f_core_EnvFromSource,
               .ref = SK_REF_CORE "EnvFromSource", .list_type = "atomic"),
        SK_FLD("env", SK_F_ARRAY, "Environment variables to set in the container.",
               .elem = SK_F_OBJECT, .fields = f_core_EnvVar, .ref = SK_REF_CORE "EnvVar",
               .merge_key = "name", .patch_strategy = "merge", .list_type = "map",
               .list_map_keys = sk_lmk_name),
        SK_FLD("resources", SK_F_OBJECT,
               "Compute resources the container requests and may not exceed.",
               .fields = sk_f_core_ResourceRequirements, .ref = SK_REF_CORE "ResourceRequirements"),
        SK_FLD("resizePolicy", SK_F_ARRAY,
               "Whether changing each resource in place needs a container restart.",
               .elem = SK_F_OBJECT, .fields = f_core_ContainerResizePolicy,
               .ref = SK_REF_CORE "ContainerResizePolicy", .list_type = "atomic"),
        SK_FLD("restartPolicy", SK_F_STRING,
               "Only for init containers: Always makes it a sidecar that keeps running beside the "
               "app containers.",
               .go_type = "v1.ContainerRestartPolicy"),
        SK_FLD("volumeMounts", SK_F_ARRAY, "Volumes mounted into the container's filesystem.",
               .elem = SK_F_OBJECT, .fields = f_core_VolumeMount, .ref = SK_REF_CORE "VolumeMount",
               .merge_key = "mountPath", .patch_strategy = "merge", .list_type = "map",
               .list_map_keys = sk_lmk_mountPath),
        SK_FLD("volumeDevices", SK_F_ARRAY, "Block devices from volumes exposed to the container.",
               .elem = SK_F_OBJECT, .fields = f_core_VolumeDevice,
               .ref = SK_REF_CORE "VolumeDevice", .merge_key = "devicePath",
               .patch_strategy = "merge", .list_type = "map", .list_map_keys = sk_lmk_devicePath),
        SK_FLD("livenessProbe", SK_F_OBJECT,
               "Periodic check; the container is restarted when it fails.", .fields = f_core_Probe,
               .ref = SK_REF_CORE "Probe"),
        SK_FLD("readinessProbe", SK_F_OBJECT,
               "Periodic check; the pod gets no service traffic while it fails.",
               .fields = f_core_Probe, .ref = SK_REF_CORE "Probe"),
        SK_FLD("startupProbe", SK_F_OBJECT,
               "Check that must succeed before the other probes start; the container is restarted "
               "when it fails.",
               .fields = f_core_Probe, .ref = SK_REF_CORE "Probe"),
        SK_FLD("lifecycle", SK_F_OBJECT,
               "Actions the system runs on container start and before stop.",
               .fields = f_core_Lifecycle, .ref = SK_REF_CORE "Lifecycle"),
        SK_FLD("terminationMessagePath", SK_F_STRING,
               "File whose content becomes the container's termination message. Defaults to "
               "/dev/termination-log."),
        SK_FLD("terminationMessagePolicy", SK_F_STRING,
               "File (the default) reads the message file only; FallbackToLogsOnError uses the log "
               "tail when the file is empty on error.",
               .go_type = "v1.TerminationMessagePolicy"),
        SK_FLD("imagePullPolicy", SK_F_STRING,
               "Always, Never or IfNotPresent. Defaults to Always for the :latest tag (or no tag), "
               "else IfNotPresent.",
               .go_type = "v1.PullPolicy"),
        SK_FLD("securityContext", SK_F_OBJECT,
               "Security options for this container; they override the pod's.",
               .fields = f_core_SecurityContext, .ref = SK_REF_CORE "SecurityContext"),
        SK_FLD("stdin", SK_F_BOOL, "Keep a stdin buffer open for the container."),
        SK_FLD("stdinOnce", SK_F_BOOL, "Close stdin after the first attach ends."),
        SK_FLD("tty", SK_F_BOOL, "Allocate a TTY for the container (needs stdin)."),
        {0},
};

const struct sk_field sk_f_core_EphemeralContainer[] = {
        SK_FLD("name", SK_F_STRING,
               "Name of the ephemeral container as a DNS label; unique within the pod.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("image", SK_F_STRING, "Container image reference."),
        SK_FLD("command", SK_F_ARRAY,
               "Entrypoint, as an argument vector; not run in a shell. Defaults to the image's "
               "ENTRYPOINT. $(VAR) references are expanded.",
               .elem = SK_F_STRING, .list_type = "atomic"),
        SK_FLD("args", SK_F_ARRAY,
               "Arguments to the entrypoint; $(VAR) references to container variables are "
               "expanded, $$ escapes.",
               .elem = SK_F_STRING, .list_type = "atomic"),
        SK_FLD("workingDir", SK_F_STRING,
               "Working directory of the container; defaults to the image's."),
        SK_FLD("ports", SK_F_ARRAY, "Not allowed for ephemeral containers.", .elem = SK_F_OBJECT,
               .fields = f_core_ContainerPort, .ref = SK_REF_CORE "ContainerPort",
               .merge_key = "containerPort", .patch_strategy = "merge", .list_type = "map",
               .list_map_keys = sk_lmk_containerPort_protocol),
        SK_FLD("envFrom", SK_F_ARRAY,
               "Sources whose keys all become environment variables; explicit env entries win on "
               "conflict.",
               .elem = SK_F_OBJECT, .fields = f_core_EnvFromSource,
               .ref = SK_REF_CORE "EnvFromSource", .list_type = "atomic"),
        SK_FLD("env", SK_F_ARRAY, "Environment variables to set in the container.",
               .elem = SK_F_OBJECT, .fields = f_core_EnvVar, .ref = SK_REF_CORE "EnvVar",
               .merge_key = "name", .patch_strategy = "merge", .list_type = "map",
               .list_map_keys = sk_lmk_name),
        SK_FLD("resources", SK_F_OBJECT, "Not allowed for ephemeral containers.",
               .fields = sk_f_core_ResourceRequirements, .ref = SK_REF_CORE "ResourceRequirements"),
        SK_FLD("resizePolicy", SK_F_ARRAY,
               "Whether changing each resource in place needs a container restart.",
               .elem = SK_F_OBJECT, .fields = f_core_ContainerResizePolicy,
               .ref = SK_REF_CORE "ContainerResizePolicy", .list_type = "atomic"),
        SK_FLD("restartPolicy", SK_F_STRING, "Not allowed for ephemeral containers.",
               .go_type = "v1.ContainerRestartPolicy"),
        SK_FLD("volumeMounts", SK_F_ARRAY, "Volumes mounted into the container's filesystem.",
               .elem = SK_F_OBJECT, .fields = f_core_VolumeMount, .ref = SK_REF_CORE "VolumeMount",
               .merge_key = "mountPath", .patch_strategy = "merge", .list_type = "map",
               .list_map_keys = sk_lmk_mountPath),
        SK_FLD("volumeDevices", SK_F_ARRAY, "Block devices from volumes exposed to the container.",
               .elem = SK_F_OBJECT, .fields = f_core_VolumeDevice,
               .ref = SK_REF_CORE "VolumeDevice", .merge_key = "devicePath",
               .patch_strategy = "merge", .list_type = "map", .list_map_keys = sk_lmk_devicePath),
        SK_FLD("livenessProbe", SK_F_OBJECT, "Not allowed for ephemeral containers.",
               .fields = f_core_Probe, .ref = SK_REF_CORE "Probe"),
        SK_FLD("readinessProbe", SK_F_OBJECT, "Not allowed for ephemeral containers.",
               .fields = f_core_Probe, .ref = SK_REF_CORE "Probe"),
        SK_FLD("startupProbe", SK_F_OBJECT, "Not allowed for ephemeral containers.",
               .fields = f_core_Probe, .ref = SK_REF_CORE "Probe"),
        SK_FLD("lifecycle", SK_F_OBJECT, "Not allowed for ephemeral containers.",
               .fields = f_core_Lifecycle, .ref = SK_REF_CORE "Lifecycle"),
        SK_FLD("terminationMessagePath", SK_F_STRING,
               "File whose content becomes the container's termination message. Defaults to "
               "/dev/termination-log."),
        SK_FLD("terminationMessagePolicy", SK_F_STRING,
               "File (the default) reads the message file only; FallbackToLogsOnError uses the log "
               "tail when the file is empty on error.",
               .go_type = "v1.TerminationMessagePolicy"),
        SK_FLD("imagePullPolicy", SK_F_STRING,
               "Always, Never or IfNotPresent. Defaults to Always for the :latest tag (or no tag), "
               "else IfNotPresent.",
               .go_type = "v1.PullPolicy"),
        SK_FLD("securityContext", SK_F_OBJECT,
               "Security options for this container; they override the pod's.",
               .fields = f_core_SecurityContext, .ref = SK_REF_CORE "SecurityContext"),
        SK_FLD("stdin", SK_F_BOOL, "Keep a stdin buffer open for the container."),
        SK_FLD("stdinOnce", SK_F_BOOL, "Close stdin after the first attach ends."),
        SK_FLD("tty", SK_F_BOOL, "Allocate a TTY for the container (needs stdin)."),
        SK_FLD("targetContainerName", SK_F_STRING,
               "Container whose namespaces (IPC, PID, ...) the ephemeral container joins."),
        {0},
};
static const struct sk_field f_core_Sysctl[] = {
        SK_FLD("name", SK_F_STRING, "Name of the sysctl.", .flags = SK_FF_REQUIRED),
        SK_FLD("value", SK_F_STRING, "Value to set.", .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_core_PodSecurityContext[] = {
        SK_FLD("seLinuxOptions", SK_F_OBJECT, "SELinux context for all containers.",
               .fields = sk_f_core_SELinuxOptions, .ref = SK_REF_CORE "SELinuxOptions"),
        SK_FLD("windowsOptions", SK_F_OBJECT, "Options that only apply on Windows nodes.",
               .fields = sk_f_core_WindowsSecurityContextOptions,
               .ref = SK_REF_CORE "WindowsSecurityContextOptions"),
        SK_FLD("runAsUser", SK_F_INT64,
               "UID to run the entrypoint as; defaults to the image's user."),
        SK_FLD("runAsGroup", SK_F_INT64,
               "GID to run the entrypoint as; defaults to the runtime's default."),
        SK_FLD("runAsNonRoot", SK_F_BOOL,
               "If true, the kubelet refuses to start a container that would run as UID 0."),
        SK_FLD("supplementalGroups", SK_F_ARRAY,
               "Extra group IDs for the first process in each container.", .elem = SK_F_INT64,
               .list_type = "atomic"),
        SK_FLD("supplementalGroupsPolicy", SK_F_STRING,
               "How supplemental groups are computed: Merge (with /etc/group of the image) or "
               "Strict.",
               .go_type = "v1.SupplementalGroupsPolicy"),
        SK_FLD("fsGroup", SK_F_INT64,
               "Group that owns the pod's volumes and is added to every container's groups."),
        SK_FLD("sysctls", SK_F_ARRAY, "Namespaced sysctls set for the pod.", .elem = SK_F_OBJECT,
               .fields = f_core_Sysctl, .ref = SK_REF_CORE "Sysctl", .list_type = "atomic"),
        SK_FLD("fsGroupChangePolicy", SK_F_STRING,
               "When volume ownership is changed: OnRootMismatch or Always.",
               .go_type = "v1.PodFSGroupChangePolicy"),
        SK_FLD("seccompProfile", SK_F_OBJECT, "Seccomp profile to apply.",
               .fields = sk_f_core_SeccompProfile, .ref = SK_REF_CORE "SeccompProfile"),
        SK_FLD("appArmorProfile", SK_F_OBJECT, "AppArmor profile to apply.",
               .fields = sk_f_core_AppArmorProfile, .ref = SK_REF_CORE "AppArmorProfile"),
        SK_FLD("seLinuxChangePolicy", SK_F_STRING,
               "How SELinux labels are applied to volumes: Recursive or MountOption.",
               .go_type = "v1.PodSELinuxChangePolicy"),
        {0},
};

static const struct sk_field f_core_PreferredSchedulingTerm[] = {
        SK_FLD("weight", SK_F_INT32, "Weight (1-100) of this preference.", .flags = SK_FF_REQUIRED),
        SK_FLD("preference", SK_F_OBJECT, "Node selector term of this preference.",
               .fields = sk_f_core_NodeSelectorTerm, .ref = SK_REF_CORE "NodeSelectorTerm",
               .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_core_NodeAffinity[] = {
        SK_FLD("requiredDuringSchedulingIgnoredDuringExecution", SK_F_OBJECT,
               "Nodes must match to be chosen; not re-checked later.",
               .fields = sk_f_core_NodeSelector, .ref = SK_REF_CORE "NodeSelector"),
        SK_FLD("preferredDuringSchedulingIgnoredDuringExecution", SK_F_ARRAY,
               "Weighted preferences for nodes; the scheduler favors nodes with the highest sum.",
               .elem = SK_F_OBJECT, .fields = f_core_PreferredSchedulingTerm,
               .ref = SK_REF_CORE "PreferredSchedulingTerm", .list_type = "atomic"),
        {0},
};

static const struct sk_field f_core_PodAffinityTerm[] = {
        SK_FLD("labelSelector", SK_F_OBJECT, "Selects the pods this term is about.",
               .fields = sk_f_meta_LabelSelector, .ref = SK_REF_META "LabelSelector"),
        SK_FLD("namespaces", SK_F_ARRAY,
               "Namespaces of the selected pods; empty with no namespaceSelector means the pod's "
               "own namespace.",
               .elem = SK_F_STRING, .list_type = "atomic"),
        SK_FLD("topologyKey", SK_F_STRING,
               "Node label key defining the domain in which the selected pods count, e.g. "
               "\"kubernetes.io/hostname\".",
               .flags = SK_FF_REQUIRED),
        SK_FLD("namespaceSelector", SK_F_OBJECT,
               "Selects namespaces by label; {} means all namespaces.",
               .fields = sk_f_meta_LabelSelector, .ref = SK_REF_META "LabelSelector"),
        SK_FLD("matchLabelKeys", SK_F_ARRAY,
               "Label keys whose values are copied from the incoming pod and added to the label "
               "selector.",
               .elem = SK_F_STRING, .list_type = "atomic"),
        SK_FLD("mismatchLabelKeys", SK_F_ARRAY,
               "Label keys whose values are copied from the incoming pod into the selector as "
               "NotIn.",
               .elem = SK_F_STRING, .list_type = "atomic"),
        {0},
};

static const struct sk_field f_core_WeightedPodAffinityTerm[] = {
        SK_FLD("weight", SK_F_INT32, "Weight (1-100) of this term.", .flags = SK_FF_REQUIRED),
        SK_FLD("podAffinityTerm", SK_F_OBJECT, "The pod affinity term.",
               .fields = f_core_PodAffinityTerm, .ref = SK_REF_CORE "PodAffinityTerm",
               .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_core_PodAffinity[] = {
        SK_FLD("requiredDuringSchedulingIgnoredDuringExecution", SK_F_ARRAY,
               "Terms that must all hold for a node to be chosen; not re-checked later.",
               .elem = SK_F_OBJECT, .fields = f_core_PodAffinityTerm,
               .ref = SK_REF_CORE "PodAffinityTerm", .list_type = "atomic"),
        SK_FLD("preferredDuringSchedulingIgnoredDuringExecution", SK_F_ARRAY,
               "Weighted terms the scheduler tries to satisfy.", .elem = SK_F_OBJECT,
               .fields = f_core_WeightedPodAffinityTerm,
               .ref = SK_REF_CORE "WeightedPodAffinityTerm", .list_type = "atomic"),
        {0},
};

static const struct sk_field f_core_PodAntiAffinity[] = {
        SK_FLD("requiredDuringSchedulingIgnoredDuringExecution", SK_F_ARRAY,
               "Terms whose matching pods must not share the topology domain; not re-checked "
               "later.",
               .elem = SK_F_OBJECT, .fields = f_core_PodAffinityTerm,
               .ref = SK_REF_CORE "PodAffinityTerm", .list_type = "atomic"),
        SK_FLD("preferredDuringSchedulingIgnoredDuringExecution", SK_F_ARRAY,
               "Weighted terms the scheduler tries to avoid.", .elem = SK_F_OBJECT,
               .fields = f_core_WeightedPodAffinityTerm,
               .ref = SK_REF_CORE "WeightedPodAffinityTerm", .list_type = "atomic"),
        {0},
};

static const struct sk_field f_core_Affinity[] = {
        SK_FLD("nodeAffinity", SK_F_OBJECT, "Rules on the nodes the pod may run on.",
               .fields = f_core_NodeAffinity, .ref = SK_REF_CORE "NodeAffinity"),
        SK_FLD("podAffinity", SK_F_OBJECT, "Rules to place the pod near pods with certain labels.",
               .fields = f_core_PodAffinity, .ref = SK_REF_CORE "PodAffinity"),
        SK_FLD("podAntiAffinity", SK_F_OBJECT,
               "Rules to keep the pod away from pods with certain labels.",
               .fields = f_core_PodAntiAffinity, .ref = SK_REF_CORE "PodAntiAffinity"),
        {0},
};

static const struct sk_field f_core_Toleration[] = {
        SK_FLD("key", SK_F_STRING,
               "Taint key to match; empty with operator Exists matches every taint."),
        SK_FLD("operator", SK_F_STRING, "Exists or Equal. Defaults to Equal.",
               .go_type = "v1.TolerationOperator"),
        SK_FLD("value", SK_F_STRING, "Taint value to match; must be empty with operator Exists."),
        SK_FLD("effect", SK_F_STRING, "Taint effect to match; empty matches all effects.",
               .go_type = "v1.TaintEffect"),
        SK_FLD("tolerationSeconds", SK_F_INT64,
               "For NoExecute taints: how long the pod stays bound after the taint appears; unset "
               "means forever."),
        {0},
};

static const struct sk_field f_core_HostAlias[] = {
        SK_FLD("ip", SK_F_STRING, "IP address of the hosts entry.", .flags = SK_FF_REQUIRED),
        SK_FLD("hostnames", SK_F_ARRAY, "Host names for the IP address.", .elem = SK_F_STRING,
               .list_type = "atomic"),
        {0},
};

static const struct sk_field f_core_PodDNSConfigOption[] = {
        SK_FLD("name", SK_F_STRING, "Name of the resolver option, e.g. \"ndots\"."),
        SK_FLD("value", SK_F_STRING, "Value of the option, if any."),
        {0},
};

static const struct sk_field f_core_PodDNSConfig[] = {
        SK_FLD("nameservers", SK_F_ARRAY,
               "DNS server IPs added to those from dnsPolicy (at most 3 in total).",
               .elem = SK_F_STRING, .list_type = "atomic"),
        SK_FLD("searches", SK_F_ARRAY, "Search domains added to those from dnsPolicy.",
               .elem = SK_F_STRING, .list_type = "atomic"),
        SK_FLD("options", SK_F_ARRAY,
               "Resolver options; these override options of the same name from dnsPolicy.",
               .elem = SK_F_OBJECT, .fields = f_core_PodDNSConfigOption,
               .ref = SK_REF_CORE "PodDNSConfigOption", .list_type = "atomic"),
        {0},
};

static const struct sk_field f_core_PodReadinessGate[] = {
        SK_FLD("conditionType", SK_F_STRING, "Type of a pod condition that must be True.",
               .go_type = "v1.PodConditionType", .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_core_TopologySpreadConstraint[] = {
        SK_FLD("maxSkew", SK_F_INT32,
               "Largest allowed difference in matching pods between two domains; must be above 0.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("topologyKey", SK_F_STRING,
               "Node label key whose values are the domains to spread over.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("whenUnsatisfiable", SK_F_STRING,
               "DoNotSchedule or ScheduleAnyway when the constraint cannot be met.",
               .go_type = "v1.UnsatisfiableConstraintAction", .flags = SK_FF_REQUIRED),
        SK_FLD("labelSelector", SK_F_OBJECT, "Selects the pods counted in each domain.",
               .fields = sk_f_meta_LabelSelector, .ref = SK_REF_META "LabelSelector"),
        SK_FLD("minDomains", SK_F_INT32,
               "Minimum number of eligible domains; only with DoNotSchedule."),
        SK_FLD("nodeAffinityPolicy", SK_F_STRING,
               "Honor (the default) or Ignore the pod's node affinity when counting domains.",
               .go_type = "v1.NodeInclusionPolicy"),
        SK_FLD("nodeTaintsPolicy", SK_F_STRING,
               "Honor or Ignore (the default) node taints when counting domains.",
               .go_type = "v1.NodeInclusionPolicy"),
        SK_FLD("matchLabelKeys", SK_F_ARRAY,
               "Label keys whose values are copied from the incoming pod into the selector.",
               .elem = SK_F_STRING, .list_type = "atomic"),
        {0},
};

static const struct sk_field f_core_PodOS[] = {
        SK_FLD("name", SK_F_STRING, "Operating system: linux or windows.", .go_type = "v1.OSName",
               .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_core_PodSchedulingGate[] = {
        SK_FLD("name", SK_F_STRING, "Name of the gate; unique within the pod.",
               .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_core_PodResourceClaim[] = {
        SK_FLD("name", SK_F_STRING, "Name of this claim inside the pod; containers refer to it.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("resourceClaimName", SK_F_STRING,
               "Name of an existing ResourceClaim in the pod's namespace."),
        SK_FLD("resourceClaimTemplateName", SK_F_STRING,
               "Name of a ResourceClaimTemplate from which a claim is made for this pod."),
        {0},
};

const struct sk_field sk_f_core_PodSpec[] = {
        SK_FLD("volumes", SK_F_ARRAY, "Volumes the pod's containers can mount.",
               .elem = SK_F_OBJECT, .fields = sk_f_core_Volume, .ref = SK_REF_CORE "Volume",
               .merge_key = "name", .patch_strategy = "merge,retainKeys", .list_type = "map",
               .list_map_keys = sk_lmk_name),
        SK_FLD("initContainers", SK_F_ARRAY,
               "Containers run one at a time, in order, before the app containers start; a failure "
               "restarts the sequence per restartPolicy.",
               .elem = SK_F_OBJECT, .fields = sk_f_core_Container, .ref = SK_REF_CORE "Container",
               .merge_key = "name", .patch_strategy = "merge", .list_type = "map",
               .list_map_keys = sk_lmk_name),
        SK_FLD("containers", SK_F_ARRAY,
               "The pod's containers; at least one is required and they cannot be added or removed "
               "later.",
               .elem = SK_F_OBJECT, .fields = sk_f_core_Container, .ref = SK_REF_CORE "Container",
               .merge_key = "name", .patch_strategy = "merge", .list_type = "map",
               .list_map_keys = sk_lmk_name, .flags = SK_FF_REQUIRED),
        SK_FLD("ephemeralContainers", SK_F_ARRAY,
               "Debugging containers added to a running pod through the ephemeralcontainers "
               "subresource.",
               .elem = SK_F_OBJECT, .fields = sk_f_core_EphemeralContainer,
               .ref = SK_REF_CORE "EphemeralContainer", .merge_key = "name",
               .patch_strategy = "merge", .list_type = "map", .list_map_keys = sk_lmk_name),
        SK_FLD("restartPolicy", SK_F_STRING,
               "Always, OnFailure or Never, for all containers of the pod. Defaults to Always.",
               .go_type = "v1.RestartPolicy"),
        SK_FLD("terminationGracePeriodSeconds", SK_F_INT64,
               "Seconds given to stop after SIGTERM before SIGKILL; 0 kills at once. Defaults to "
               "30."),
        SK_FLD("activeDeadlineSeconds", SK_F_INT64,
               "Seconds the pod may be active, counted from its start, before it is failed."),
        SK_FLD("dnsPolicy", SK_F_STRING,
               "ClusterFirst (the default), ClusterFirstWithHostNet, Default (the node's resolver) "
               "or None (dnsConfig only).",
               .go_type = "v1.DNSPolicy"),
        SK_FLD("nodeSelector", SK_F_MAP,
               "Labels a node must carry for the pod to be scheduled there.", .elem = SK_F_STRING),
        SK_FLD("serviceAccountName", SK_F_STRING,
               "ServiceAccount the pod runs as. Defaults to \"default\"."),
        SK_FLD("serviceAccount", SK_F_STRING, "Deprecated alias of serviceAccountName."),
        SK_FLD("automountServiceAccountToken", SK_F_BOOL,
               "Whether the service account token is mounted into the containers."),
        SK_FLD("nodeName", SK_F_STRING,
               "Node the pod is bound to; set by the scheduler, or by the user to bypass it."),
        SK_FLD("hostNetwork", SK_F_BOOL,
               "Use the node's network namespace; container ports are then node ports."),
        SK_FLD("hostPID", SK_F_BOOL, "Use the node's PID namespace."),
        SK_FLD("hostIPC", SK_F_BOOL, "Use the node's IPC namespace."),
        SK_FLD("shareProcessNamespace", SK_F_BOOL,
               "Share one PID namespace between the pod's containers."),
        SK_FLD("securityContext", SK_F_OBJECT,
               "Security options for the whole pod; container settings override them. Defaults to "
               "{}.",
               .fields = f_core_PodSecurityContext, .ref = SK_REF_CORE "PodSecurityContext"),
        SK_FLD("imagePullSecrets", SK_F_ARRAY,
               "Secrets in the pod's namespace with registry credentials for pulling the images.",
               .elem = SK_F_OBJECT, .fields = sk_f_core_LocalObjectReference,
               .ref = SK_REF_CORE "LocalObjectReference", .merge_key = "name",
               .patch_strategy = "merge", .list_type = "map", .list_map_keys = sk_lmk_name),
        SK_FLD("hostname", SK_F_STRING, "Host name of the pod; defaults to the pod's name."),
        SK_FLD("subdomain", SK_F_STRING,
               "With hostname, gives the pod the DNS name "
               "<hostname>.<subdomain>.<namespace>.svc.<domain>."),
        SK_FLD("affinity", SK_F_OBJECT, "Scheduling constraints relative to nodes and other pods.",
               .fields = f_core_Affinity, .ref = SK_REF_CORE "Affinity"),
        SK_FLD("schedulerName", SK_F_STRING,
               "Scheduler that places the pod. Defaults to \"default-scheduler\"."),
        SK_FLD("tolerations", SK_F_ARRAY, "Taints the pod tolerates.", .elem = SK_F_OBJECT,
               .fields = f_core_Toleration, .ref = SK_REF_CORE "Toleration", .list_type = "atomic"),
        SK_FLD("hostAliases", SK_F_ARRAY, "Extra entries written to the pod's /etc/hosts.",
               .elem = SK_F_OBJECT, .fields = f_core_HostAlias, .ref = SK_REF_CORE "HostAlias",
               .merge_key = "ip", .patch_strategy = "merge", .list_type = "map",
               .list_map_keys = sk_lmk_ip),
        SK_FLD("priorityClassName", SK_F_STRING, "PriorityClass that gives the pod its priority."),
        SK_FLD("priority", SK_F_INT32,
               "Priority value, filled in from priorityClassName by admission."),
        SK_FLD("dnsConfig", SK_F_OBJECT,
               "DNS settings merged into the resolver configuration built from dnsPolicy.",
               .fields = f_core_PodDNSConfig, .ref = SK_REF_CORE "PodDNSConfig"),
        SK_FLD("readinessGates", SK_F_ARRAY,
               "Extra conditions that must be True for the pod to be Ready.", .elem = SK_F_OBJECT,
               .fields = f_core_PodReadinessGate, .ref = SK_REF_CORE "PodReadinessGate",
               .list_type = "atomic"),
        SK_FLD("runtimeClassName", SK_F_STRING, "RuntimeClass used to run the pod."),
        SK_FLD("enableServiceLinks", SK_F_BOOL,
               "Inject Docker-link style environment variables for the services in the namespace. "
               "Defaults to true."),
        SK_FLD("preemptionPolicy", SK_F_STRING, "PreemptLowerPriority (the default) or Never.",
               .go_type = "v1.PreemptionPolicy"),
        SK_FLD("overhead", SK_F_MAP,
               "Resources used by the pod sandbox itself, filled in from the RuntimeClass.",
               .elem = SK_F_QUANTITY, .go_type = "v1.ResourceList"),
        SK_FLD("topologySpreadConstraints", SK_F_ARRAY,
               "How the pod's replicas are spread across topology domains.", .elem = SK_F_OBJECT,
               .fields = f_core_TopologySpreadConstraint,
               .ref = SK_REF_CORE "TopologySpreadConstraint", .merge_key = "topologyKey",
               .patch_strategy = "merge", .list_type = "map",
               .list_map_keys = sk_lmk_topologyKey_whenUnsatisfiable),
        SK_FLD("setHostnameAsFQDN", SK_F_BOOL,
               "Set the kernel host name to the pod's fully qualified domain name."),
        SK_FLD("os", SK_F_OBJECT, "Operating system the pod's containers need: linux or windows.",
               .fields = f_core_PodOS, .ref = SK_REF_CORE "PodOS"),
        SK_FLD("hostUsers", SK_F_BOOL,
               "Use the node's user namespace; false gives the pod its own. Defaults to true."),
        SK_FLD("schedulingGates", SK_F_ARRAY,
               "Gates that hold the pod back from scheduling until all are removed.",
               .elem = SK_F_OBJECT, .fields = f_core_PodSchedulingGate,
               .ref = SK_REF_CORE "PodSchedulingGate", .merge_key = "name",
               .patch_strategy = "merge", .list_type = "map", .list_map_keys = sk_lmk_name),
        SK_FLD("resourceClaims", SK_F_ARRAY,
               "Dynamic resources the pod needs, by claim or claim template.", .elem = SK_F_OBJECT,
               .fields = f_core_PodResourceClaim, .ref = SK_REF_CORE "PodResourceClaim",
               .merge_key = "name", .patch_strategy = "merge,retainKeys", .list_type = "map",
               .list_map_keys = sk_lmk_name),
        SK_FLD("resources", SK_F_OBJECT, "Resources for the whole pod, shared by its containers.",
               .fields = sk_f_core_ResourceRequirements, .ref = SK_REF_CORE "ResourceRequirements"),
        {0},
};

static const struct sk_field f_core_PodCondition[] = {
        SK_FLD("type", SK_F_STRING, "Type of condition, e.g. Ready.",
               .go_type = "v1.PodConditionType", .flags = SK_FF_REQUIRED),
        SK_FLD("status", SK_F_STRING, "True, False or Unknown.", .go_type = "v1.ConditionStatus",
               .flags = SK_FF_REQUIRED),
        SK_FLD("lastProbeTime", SK_F_TIME, "When the condition was last checked."),
        SK_FLD("lastTransitionTime", SK_F_TIME, "When the condition last changed status."),
        SK_FLD("reason", SK_F_STRING, "Short machine-readable CamelCase reason."),
        SK_FLD("message", SK_F_STRING, "Human-readable explanation."),
        {0},
};

static const struct sk_field f_core_HostIP[] = {
        SK_FLD("ip", SK_F_STRING, "IP address of the node.", .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_core_PodIP[] = {
        SK_FLD("ip", SK_F_STRING, "IP address of the pod.", .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_core_ContainerStateWaiting[] = {
        SK_FLD("reason", SK_F_STRING,
               "Why the container is not running yet, e.g. ContainerCreating or ImagePullBackOff."),
        SK_FLD("message", SK_F_STRING, "Detail on why the container is not running yet."),
        {0},
};

static const struct sk_field f_core_ContainerStateRunning[] = {
        SK_FLD("startedAt", SK_F_TIME, "When the container last started."),
        {0},
};

static const struct sk_field f_core_ContainerStateTerminated[] = {
        SK_FLD("exitCode", SK_F_INT32, "Exit status of the container.", .flags = SK_FF_REQUIRED),
        SK_FLD("signal", SK_F_INT32, "Signal that ended the container, if any."),
        SK_FLD("reason", SK_F_STRING,
               "Why the container exited, e.g. Completed, Error or OOMKilled."),
        SK_FLD("message", SK_F_STRING, "Termination message of the container."),
        SK_FLD("startedAt", SK_F_TIME, "When the container started."),
        SK_FLD("finishedAt", SK_F_TIME, "When the container exited."),
        SK_FLD("containerID", SK_F_STRING, "Runtime ID of the container, as \"<type>://<id>\"."),
        {0},
};

static const struct sk_field f_core_ContainerState[] = {
        SK_FLD("waiting", SK_F_OBJECT, "Set while the container is not yet running.",
               .fields = f_core_ContainerStateWaiting, .ref = SK_REF_CORE "ContainerStateWaiting"),
        SK_FLD("running", SK_F_OBJECT, "Set while the container runs.",
               .fields = f_core_ContainerStateRunning, .ref = SK_REF_CORE "ContainerStateRunning"),
        SK_FLD("terminated", SK_F_OBJECT, "Set once the container has exited.",
               .fields = f_core_ContainerStateTerminated,
               .ref = SK_REF_CORE "ContainerStateTerminated"),
        {0},
};

static const struct sk_field f_core_VolumeMountStatus[] = {
        SK_FLD("name", SK_F_STRING, "Name of the volume mount.", .flags = SK_FF_REQUIRED),
        SK_FLD("mountPath", SK_F_STRING, "Where the volume is mounted.", .flags = SK_FF_REQUIRED),
        SK_FLD("readOnly", SK_F_BOOL, "Whether the mount is read-only."),
        SK_FLD("recursiveReadOnly", SK_F_STRING,
               "Whether read-only applies to submounts too: Disabled or Enabled.",
               .go_type = "v1.RecursiveReadOnlyMode"),
        {0},
};

static const struct sk_field f_core_LinuxContainerUser[] = {
        SK_FLD("uid", SK_F_INT64, "User ID.", .flags = SK_FF_REQUIRED),
        SK_FLD("gid", SK_F_INT64, "Primary group ID.", .flags = SK_FF_REQUIRED),
        SK_FLD("supplementalGroups", SK_F_ARRAY, "Supplemental group IDs.", .elem = SK_F_INT64,
               .list_type = "atomic"),
        {0},
};

static const struct sk_field f_core_ContainerUser[] = {
        SK_FLD("linux", SK_F_OBJECT, "Linux identity of the first process.",
               .fields = f_core_LinuxContainerUser, .ref = SK_REF_CORE "LinuxContainerUser"),
        {0},
};

static const struct sk_field f_core_ResourceHealth[] = {
        SK_FLD("resourceID", SK_F_STRING, "ID of the device.", .go_type = "v1.ResourceID",
               .flags = SK_FF_REQUIRED),
        SK_FLD("health", SK_F_STRING, "Healthy, Unhealthy or Unknown.",
               .go_type = "v1.ResourceHealthStatus"),
        {0},
};

static const struct sk_field f_core_ResourceStatus[] = {
        SK_FLD("name", SK_F_STRING, "Name of the resource, as in the container's resources.",
               .go_type = "v1.ResourceName", .flags = SK_FF_REQUIRED),
        SK_FLD("resources", SK_F_ARRAY, "Health of each device of the resource.",
               .elem = SK_F_OBJECT, .fields = f_core_ResourceHealth,
               .ref = SK_REF_CORE "ResourceHealth", .list_type = "map",
               .list_map_keys = sk_lmk_resourceID),
        {0},
};

static const struct sk_field f_core_ContainerStatus[] = {
        SK_FLD("name", SK_F_STRING, "Name of the container, as in the spec.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("state", SK_F_OBJECT, "Current state of the container.",
               .fields = f_core_ContainerState, .ref = SK_REF_CORE "ContainerState"),
        SK_FLD("lastState", SK_F_OBJECT, "Last termination of the container, if it restarted.",
               .fields = f_core_ContainerState, .ref = SK_REF_CORE "ContainerState"),
        SK_FLD("ready", SK_F_BOOL, "Whether the container passes its readiness probe.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("restartCount", SK_F_INT32, "How many times the container has restarted.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("image", SK_F_STRING, "Image the container runs.", .flags = SK_FF_REQUIRED),
        SK_FLD("imageID", SK_F_STRING, "ID (digest) of the image the container runs.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("containerID", SK_F_STRING, "Runtime-specific container ID, as \"<type>://<id>\"."),
        SK_FLD("started", SK_F_BOOL,
               "Whether the container has started and passed its startup probe."),
        SK_FLD("allocatedResources", SK_F_MAP, "Resources the node allocated to the container.",
               .elem = SK_F_QUANTITY, .go_type = "v1.ResourceList"),
        SK_FLD("resources", SK_F_OBJECT, "Resources the runtime applied to the running container.",
               .fields = sk_f_core_ResourceRequirements, .ref = SK_REF_CORE "ResourceRequirements"),
        SK_FLD("volumeMounts", SK_F_ARRAY, "Volumes mounted into the container.",
               .elem = SK_F_OBJECT, .fields = f_core_VolumeMountStatus,
               .ref = SK_REF_CORE "VolumeMountStatus", .merge_key = "mountPath",
               .patch_strategy = "merge", .list_type = "map", .list_map_keys = sk_lmk_mountPath),
        SK_FLD("user", SK_F_OBJECT, "Identity the first process runs with.",
               .fields = f_core_ContainerUser, .ref = SK_REF_CORE "ContainerUser"),
        SK_FLD("allocatedResourcesStatus", SK_F_ARRAY,
               "Health of the devices allocated to the container.", .elem = SK_F_OBJECT,
               .fields = f_core_ResourceStatus, .ref = SK_REF_CORE "ResourceStatus",
               .merge_key = "name", .patch_strategy = "merge", .list_type = "map",
               .list_map_keys = sk_lmk_name),
        {0},
};

static const struct sk_field f_core_PodResourceClaimStatus[] = {
        SK_FLD("name", SK_F_STRING, "Name of the entry in spec.resourceClaims.",
               .flags = SK_FF_REQUIRED),
        SK_FLD("resourceClaimName", SK_F_STRING, "Name of the ResourceClaim made for the pod."),
        {0},
};

const struct sk_field sk_f_core_PodStatus[] = {
        SK_FLD("phase", SK_F_STRING, "Pending, Running, Succeeded, Failed or Unknown.",
               .go_type = "v1.PodPhase"),
        SK_FLD("conditions", SK_F_ARRAY,
               "Current pod conditions: PodScheduled, Initialized, ContainersReady, Ready and "
               "others.",
               .elem = SK_F_OBJECT, .fields = f_core_PodCondition,
               .ref = SK_REF_CORE "PodCondition", .merge_key = "type", .patch_strategy = "merge",
               .list_type = "map", .list_map_keys = sk_lmk_type),
        SK_FLD("message", SK_F_STRING, "Human-readable detail on why the pod is in this state."),
        SK_FLD("reason", SK_F_STRING, "Short CamelCase reason for the state, e.g. Evicted."),
        SK_FLD("nominatedNodeName", SK_F_STRING,
               "Node the pod may run on once preemption there finishes."),
        SK_FLD("hostIP", SK_F_STRING, "Primary IP address of the node the pod runs on."),
        SK_FLD("hostIPs", SK_F_ARRAY,
               "IP addresses of the node, at most one per family; the first equals hostIP.",
               .elem = SK_F_OBJECT, .fields = f_core_HostIP, .ref = SK_REF_CORE "HostIP",
               .merge_key = "ip", .patch_strategy = "merge", .list_type = "atomic"),
        SK_FLD("podIP", SK_F_STRING, "Primary IP address of the pod."),
        SK_FLD("podIPs", SK_F_ARRAY,
               "IP addresses of the pod, at most one per family; the first equals podIP.",
               .elem = SK_F_OBJECT, .fields = f_core_PodIP, .ref = SK_REF_CORE "PodIP",
               .merge_key = "ip", .patch_strategy = "merge", .list_type = "map",
               .list_map_keys = sk_lmk_ip),
        SK_FLD("startTime", SK_F_TIME,
               "When the node accepted the pod, before any image was pulled."),
        SK_FLD("initContainerStatuses", SK_F_ARRAY, "Status of each init container.",
               .elem = SK_F_OBJECT, .fields = f_core_ContainerStatus,
               .ref = SK_REF_CORE "ContainerStatus", .list_type = "atomic"),
        SK_FLD("containerStatuses", SK_F_ARRAY, "Status of each app container.",
               .elem = SK_F_OBJECT, .fields = f_core_ContainerStatus,
               .ref = SK_REF_CORE "ContainerStatus", .list_type = "atomic"),
        SK_FLD("qosClass", SK_F_STRING,
               "Quality of service class from the resources: Guaranteed, Burstable or BestEffort.",
               .go_type = "v1.PodQOSClass"),
        SK_FLD("ephemeralContainerStatuses", SK_F_ARRAY, "Status of each ephemeral container.",
               .elem = SK_F_OBJECT, .fields = f_core_ContainerStatus,
               .ref = SK_REF_CORE "ContainerStatus", .list_type = "atomic"),
        SK_FLD("resize", SK_F_STRING, "State of an in-place resource resize.",
               .go_type = "v1.PodResizeStatus"),
        SK_FLD("resourceClaimStatuses", SK_F_ARRAY,
               "Names of the ResourceClaims made for the pod's claim templates.",
               .elem = SK_F_OBJECT, .fields = f_core_PodResourceClaimStatus,
               .ref = SK_REF_CORE "PodResourceClaimStatus", .merge_key = "name",
               .patch_strategy = "merge,retainKeys", .list_type = "map",
               .list_map_keys = sk_lmk_name),
        {0},
};

const struct sk_field sk_f_core_PodTemplateSpec[] = {
        SK_FLD("metadata", SK_F_OBJECT,
               "Metadata given to the pods created from this template; only labels and annotations "
               "are used.",
               .fields = sk_f_meta_ObjectMeta, .ref = SK_REF_META "ObjectMeta"),
        SK_FLD("spec", SK_F_OBJECT, "Spec of the pods created from this template.",
               .fields = sk_f_core_PodSpec, .ref = SK_REF_CORE "PodSpec"),
        {0},
};
