/* The scheduler's decisions as pure functions over objects, for the
 * module (scheduler.c) and its unit tests: a pod's requests, each node's
 * filters in kube-scheduler's order and words, scores, and the
 * "0/N nodes are available" message. */
#ifndef SCHED_H
#define SCHED_H

#include "../ctl.h"

#include <stdint.h>

struct sched_res {
    int64_t milli_cpu, memory, pods;
};

struct sched_port {
    char proto[8];
    char ip[48];
    int64_t port;
};

/* What is already placed on one node: the requests of its pods that have
 * not finished (and of pods bound but not yet seen in the cache). */
struct sched_nodeinfo {
    struct sched_res alloc; /* the node's allocatable, when alloc_set */
    bool alloc_set;
    struct sched_res req;     /* requests as given */
    struct sched_res nonzero; /* with kube-scheduler's defaults for scoring */
    struct sched_port *ports;
    size_t nports, portcap;
};

/* Requests of pod: max(sum of containers, each init container) plus
 * overhead; a container without a request uses its limit. nonzero uses
 * 100m CPU and 200Mi memory for containers that request none (scoring). */
void sched_pod_requests(const struct sk_val *pod, struct sched_res *req, struct sched_res *nonzero);
/* hostPorts the pod asks for; returns how many were put in out (max n). */
size_t sched_pod_ports(const struct sk_val *pod, struct sched_port *out, size_t n);

void sched_nodeinfo_add(struct sched_nodeinfo *ni, const struct sk_val *pod, int sign);
void sched_nodeinfo_free(struct sched_nodeinfo *ni);

/* Why a pod does not fit a node: up to 4 reasons in kube-scheduler's
 * words, and whether preemption could never help (UnschedulableAndUnresolvable). */
struct sched_status {
    size_t n;
    char reasons[4][160];
    bool unresolvable;
};

/* Run the filters in the default profile's order (NodeUnschedulable,
 * NodeName, TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit),
 * stopping at the first that fails. True when the pod fits. ni may be
 * NULL (an empty node); req is the pod's requests (NULL: computed). */
bool sched_filter(const struct sk_val *pod, const struct sched_res *req, const struct sk_val *node,
                  const struct sched_nodeinfo *ni, struct sched_status *st);

/* The pieces, for tests. */
bool sched_node_selector_match(const struct sk_val *pod, const struct sk_val *node);
bool sched_node_selector_term_match(const struct sk_val *term, const struct sk_val *node);
bool sched_tolerates(const struct sk_val *tolerations, const struct sk_val *taint);
/* Allocatable of a node (capacity when absent; INT64_MAX when neither). */
void sched_node_allocatable(const struct sk_val *node, struct sched_res *out);
/* The same, from ni when it holds it. */
void sched_alloc_of(const struct sk_val *node, const struct sched_nodeinfo *ni,
                    struct sched_res *out);

/* Scores 0..100 of the plugins that score one node alone; the module
 * normalises node affinity, taint and spreading across nodes. */
int64_t sched_score_least_allocated(const struct sk_val *node, const struct sched_nodeinfo *ni,
                                    const struct sched_res *pod_nonzero);
int64_t sched_score_balanced(const struct sk_val *node, const struct sched_nodeinfo *ni,
                             const struct sched_res *pod_req);
/* Sum of weights of the pod's preferred node affinity terms matching node. */
int64_t sched_score_node_affinity(const struct sk_val *pod, const struct sk_val *node);
/* Count of PreferNoSchedule taints of node the pod does not tolerate. */
int64_t sched_count_intolerable_prefer(const struct sk_val *pod, const struct sk_val *node);

/* The FitError message built from every node's status. */
struct sched_diag {
    size_t nnodes;
    char **keys;
    int64_t *counts;
    size_t n, cap;
    int64_t unresolvable, resolvable;
};
void sched_diag_add(struct sched_diag *d, const struct sched_status *st);
/* "0/3 nodes are available: 1 Insufficient memory, 2 node(s) didn't match
 * Pod's node affinity/selector. preemption: 0/3 nodes are available: ..."
 * into a new string (caller frees). */
char *sched_diag_message(const struct sched_diag *d);
void sched_diag_free(struct sched_diag *d);

#endif
