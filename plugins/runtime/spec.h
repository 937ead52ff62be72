/* The pure parts of turning a pod into OCI containers: the command line
 * (ENTRYPOINT/CMD with command/args), the environment (env, envFrom,
 * $(VAR) expansion), the image's User, the QoS class and the runc
 * config.json. No I/O, no globals: any thread. Private to plugins/runtime. */
#ifndef RT_SPEC_H
#define RT_SPEC_H

#include "val.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* snprintf where truncation is deliberate (over-long paths and messages
 * are cut, never overflowed): vsnprintf in spec.c. */
#ifndef RT_SNPRINTF
#define RT_SNPRINTF rt_fmt
void rt_fmt(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#endif

/* Kubernetes' $(VAR) expansion (k8s.io/kubernetes third_party expansion):
 * "$$" is a literal "$", "$(NAME)" is NAME's value in vars (a map of
 * strings) or stays as written when NAME is undefined. Caller frees. */
char *rt_expand(const char *in, const struct sk_val *vars);

/* The process arguments as the kubelet and containerd combine them:
 * command set: command + args (the image's ENTRYPOINT and CMD ignored);
 * only args set: ENTRYPOINT + args; neither: ENTRYPOINT + CMD. command
 * and args are expanded with vars (the container's environment). ctr is
 * the container spec, imgcfg the image config's "config" map (may be
 * NULL). Returns a new array of strings (caller frees); empty when there
 * is nothing to run. */
struct sk_val *rt_spec_args(const struct sk_val *ctr, const struct sk_val *imgcfg,
                            const struct sk_val *vars);

/* Reads an object for env (configMapKeyRef, secretKeyRef, envFrom):
 * resource "configmaps" or "secrets". Returns a new tree the caller
 * frees, or NULL when it does not exist. */
typedef struct sk_val *(*rt_lookup_fn)(void *arg, const char *resource, const char *ns,
                                       const char *name);

/* What fieldRef and resourceFieldRef read besides the pod itself. */
struct rt_env_node {
    const char *host_ip;  /* status.hostIP */
    const char *pod_ip;   /* status.podIP; "" when none */
    int64_t cpu_milli;    /* node allocatable, for resourceFieldRef without a limit */
    int64_t memory_bytes; /* likewise */
};

/* The container's environment as the kubelet builds it: envFrom (in
 * order, prefix applied, invalid names skipped), then env (value with
 * $(VAR) expansion against what came before, fieldRef, resourceFieldRef,
 * configMapKeyRef, secretKeyRef), later names replacing earlier ones.
 * Returns 0 and *out (a map NAME -> value, in order; caller frees), or -1
 * with the kubelet's message in msg (CreateContainerConfigError):
 * `configmap "x" not found`, `couldn't find key k in ConfigMap ns/x`. */
int rt_spec_env(const struct sk_val *pod, const struct sk_val *ctr, const struct rt_env_node *node,
                rt_lookup_fn lookup, void *arg, struct sk_val **out, char *msg, size_t msglen);

/* The final environment list ("K=V" strings) for config.json: the image's
 * Env first, then the container's (a later name replaces an earlier one in
 * place), PATH defaulted as containerd does, HOSTNAME set. */
struct sk_val *rt_spec_env_list(const struct sk_val *imgcfg, const struct sk_val *env,
                                const char *hostname);

/* Pod QoS class: "Guaranteed", "Burstable" or "BestEffort". */
const char *rt_spec_qos(const struct sk_val *pod);

/* A container's effective user. The image's User ("uid", "uid:gid",
 * "name", "name:group") resolves names through passwd and group (the
 * image's /etc/passwd and /etc/group contents; may be NULL).
 * securityContext (container over pod) runAsUser/runAsGroup win.
 * Returns 0, or -1 with a message (unknown user name, runAsNonRoot with
 * uid 0). */
struct rt_user {
    uid_t uid;
    gid_t gid;
    gid_t extra[32]; /* supplementalGroups, fsGroup and the user's groups */
    int nextra;
};
int rt_spec_user(const struct sk_val *pod, const struct sk_val *ctr, const char *image_user,
                 const char *passwd, const char *group, struct rt_user *out, char *msg,
                 size_t msglen);

/* Everything config.json needs besides the pod and container specs. */
struct rt_spec_in {
    const struct sk_val *pod, *ctr;
    const struct sk_val *args;    /* from rt_spec_args */
    const struct sk_val *envlist; /* from rt_spec_env_list */
    const char *cwd;              /* workingDir or the image's; "" for / */
    struct rt_user user;
    const char *hostname;
    const char *rootfs;                         /* the mounted overlay */
    const char *netns, *ipcns, *utsns;          /* paths; NULL = the host's */
    const char *hosts, *resolv, *hostname_file; /* files to bind-mount; NULL = none */
    const char *cgroups_path;
    uint64_t nofile;    /* RLIMIT_NOFILE, soft and hard */
    int64_t pids_limit; /* <= 0: none */
};

/* The runc config.json (OCI runtime spec 1.0.2) for one container
 * instance: runc spec's defaults (capabilities, mounts, masked and
 * read-only paths, no_new_privs) changed by the container's
 * securityContext (privileged, capabilities, readOnlyRootFilesystem,
 * allowPrivilegeEscalation) and resources (cpu shares and quota, memory,
 * pids). New tree, caller frees. */
struct sk_val *rt_spec_config(const struct rt_spec_in *in);

/* Resources as cgroup v1 values: shares from requests.cpu (2 when none,
 * as the kubelet), quota from limits.cpu over a 100 ms period (0 = none),
 * memory limit in bytes (0 = none). */
struct rt_res {
    uint64_t shares;
    int64_t quota;
    uint64_t period;
    int64_t memory;
};
void rt_spec_resources(const struct sk_val *ctr, struct rt_res *out);

#endif
