/* Helpers on pods and pod templates shared by the workload controllers
 * (replicaset, deployment, daemonset, job, statefulset): pod readiness and
 * availability as kube-controller-manager judges them, a pod from a
 * template, the pod-template-hash, conditions, and the ownership claim
 * (adopt / release) decision. Pure functions over sk_val trees: no I/O,
 * callable from any thread on trees that thread owns. */
#ifndef CTL_PODUTIL_H
#define CTL_PODUTIL_H

#include "selector.h"
#include "val.h"

#include <stdbool.h>
#include <stdint.h>

/* ---- pods ---- */

/* controller.IsPodActive: phase is neither Succeeded nor Failed and no
 * deletionTimestamp. */
bool pu_pod_active(const struct sk_val *pod);
bool pu_pod_terminating(const struct sk_val *pod);  /* deletionTimestamp set */
const char *pu_pod_phase(const struct sk_val *pod); /* "" when absent */
/* podutil.IsPodReady: the Ready condition is "True". */
bool pu_pod_ready(const struct sk_val *pod);
/* lastTransitionTime of the Ready condition when ready (seconds since the
 * epoch), else -1. */
double pu_pod_ready_since(const struct sk_val *pod);
/* podutil.IsPodAvailable: ready, and for at least min_ready seconds by
 * now (min_ready 0: ready is enough). */
bool pu_pod_available(const struct sk_val *pod, int64_t min_ready, double now);
/* The clock time at which a ready pod becomes available (ready since +
 * min_ready), or -1 when not ready. */
double pu_pod_available_at(const struct sk_val *pod, int64_t min_ready);
/* The highest restartCount among containerStatuses and
 * initContainerStatuses. */
int64_t pu_pod_max_restarts(const struct sk_val *pod);
/* metadata.creationTimestamp in seconds, or -1. */
double pu_obj_created(const struct sk_val *obj);

/* controller.GetPodFromTemplate: a new Pod (owned by the caller) in
 * namespace ns from template (a PodTemplateSpec: metadata labels,
 * annotations and finalizers, and spec), with generateName
 * "OWNERNAME-" and the owner reference owner_ref (copied; NULL for none).
 * status.phase is Pending and status.qosClass set, as the API's pod
 * strategy would. */
struct sk_val *pu_pod_from_template(const struct sk_val *tmpl, const char *ns,
                                    const char *owner_name, const struct sk_val *owner_ref);
/* v1qos.GetPodQOS of a pod spec: "Guaranteed", "Burstable" or
 * "BestEffort". */
const char *pu_qos_class(const struct sk_val *podspec);

/* ---- templates and hashes ---- */

/* JSON of v with every map's keys sorted, for stable hashing. Caller
 * frees. */
char *pu_canonical_json(const struct sk_val *v, size_t *len);
uint32_t pu_fnv32a(const void *p, size_t n, uint32_t h);
#define PU_FNV32_INIT 2166136261u
/* controller.ComputeHash's shape: fnv32a of the template's canonical JSON
 * then, when collision_count >= 0, its 8 little-endian bytes (as upstream
 * writes a uint32 into 8 bytes), printed in decimal and mapped through
 * rand.SafeEncodeString's alphabet. out holds at least 16 bytes. */
const char *pu_template_hash(const struct sk_val *tmpl, int64_t collision_count, char out[16]);
/* rand.SafeEncodeString: each byte of s to "bcdfghjklmnpqrstvwxz2456789"
 * [byte % 27], in place. */
void pu_safe_encode(char *s);
/* EqualIgnoreHash: two PodTemplateSpecs equal once the pod-template-hash
 * label is removed from both. As apimachinery's semantic equality, null,
 * {} and [] equal an absent field (kubectl sends "creationTimestamp":
 * null and "resources": {}); pu_template_hash hashes the same normal
 * form. */
bool pu_template_equal_ignore_hash(const struct sk_val *a, const struct sk_val *b);
#define PU_HASH_LABEL "pod-template-hash"

/* ---- conditions (status.conditions lists keyed by type) ---- */

/* The entry of status.conditions of obj with this type, borrowed, or
 * NULL. */
struct sk_val *pu_condition(const struct sk_val *obj, const char *type);
/* The entry of a conditions array with this type, borrowed, or NULL. */
struct sk_val *pu_cond_in(const struct sk_val *conds, const char *type);
/* Remove the entry of type from status (a status map); true if found. */
bool pu_cond_remove(struct sk_val *status, const char *type);

/* ---- ownership (controller.ClaimObject) ---- */

enum pu_claim {
    PU_CLAIM_IGNORE,  /* another controller's, or an orphan we must not take */
    PU_CLAIM_OWNED,   /* ours and matching */
    PU_CLAIM_ADOPT,   /* an orphan that matches: take it */
    PU_CLAIM_RELEASE, /* ours but no longer matching: let it go */
};
/* What the owner (uid owner_uid, deleting when owner_deleting) does with
 * obj under selector sel, as ControllerRefManager.ClaimObject does:
 * adoption only of live orphans by a live owner; release only by a live
 * owner. */
enum pu_claim pu_claim_decide(const char *owner_uid, bool owner_deleting,
                              const struct sk_labelsel *sel, const struct sk_val *obj);
/* A copy of obj (caller owns) with owner_ref (copied) appended to its
 * ownerReferences. */
struct sk_val *pu_adopted(const struct sk_val *obj, const struct sk_val *owner_ref);
/* A copy of obj (caller owns) without the ownerReference of uid. */
struct sk_val *pu_released(const struct sk_val *obj, const char *owner_uid);
/* The controller ownerReference's uid and kind of obj (borrowed) or NULL. */
const char *pu_controller_kind(const struct sk_val *obj);
const char *pu_controller_name(const struct sk_val *obj);

/* ---- small readers ---- */
int64_t pu_int_at(const struct sk_val *obj, const char *a, const char *b, int64_t fallback);
bool pu_deleting(const struct sk_val *obj); /* metadata.deletionTimestamp set */
const char *pu_uid(const struct sk_val *obj);

#endif
