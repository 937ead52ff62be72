/* The DaemonSet controller's decisions, as kube-controller-manager's
 * daemon_controller.go and update.go make them: which nodes should run a
 * daemon pod (nodeSelector, required node affinity, taints against the
 * pod's tolerations plus the ones the controller adds), the pod pinned to
 * its node through required node affinity on metadata.name, rolling
 * updates within maxUnavailable / maxSurge, OnDelete, and status. Pure
 * functions: no I/O. */
#ifndef CTL_DS_LOGIC_H
#define CTL_DS_LOGIC_H

#include "val.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DS_HASH_LABEL     "controller-revision-hash"
#define DS_GEN_LABEL      "pod-template-generation"
#define DS_GEN_ANNOTATION "deprecated.daemonset.template.generation"

/* NodeShouldRunDaemonPod: *run whether a new daemon pod belongs on node,
 * *keep whether a running one may stay (it tolerates the NoExecute
 * taints). */
void ds_node_should_run(const struct sk_val *ds, const struct sk_val *node, bool *run, bool *keep);

/* The node a daemon pod is meant for: spec.nodeName, else the value of
 * its required node affinity's matchFields metadata.name. Borrowed. */
const char *ds_pod_target_node(const struct sk_val *pod);

/* A new daemon pod for node (caller owns): from the template, with the
 * controller-revision-hash and pod-template-generation labels, the
 * default daemon tolerations and the node affinity pinning it. */
struct sk_val *ds_new_pod(const struct sk_val *ds, const char *node, const char *hash);

struct ds_plan {
    char **create; /* node names to create a pod on */
    size_t ncreate;
    const struct sk_val **del; /* pods to delete (borrowed) */
    size_t ndel;
    struct sk_val *status; /* new status (owned) when it changed, else NULL */
    double requeue;        /* > 0: again after so many clock seconds */
    /* failed daemon pods found (for the FailedDaemonPod event) */
    const struct sk_val **failed;
    size_t nfailed;
};

/* Plan for ds with the cluster's nodes and the ds's pods, at now. hash is
 * the current revision's controller-revision-hash. */
void ds_plan(const struct sk_val *ds, const struct sk_val *const *nodes, size_t nnodes,
             const struct sk_val *const *pods, size_t npods, const char *hash, double now,
             struct ds_plan *out);
void ds_plan_free(struct ds_plan *p);

/* The ControllerRevision data for ds: {"spec":{"template":{...,"$patch":"replace"}}}. */
struct sk_val *ds_revision_data(const struct sk_val *ds);

#endif
