/* The ReplicaSet / ReplicationController controller's decisions as pure
 * functions (rs_logic.c): which surplus pods go first, how large each
 * slow-start batch is, and the status the owner reports. The controller
 * glue (rs.c) feeds them from the caches and turns them into writes. */
#ifndef CTL_RS_LOGIC_H
#define CTL_RS_LOGIC_H

#include "val.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* upstream's burstReplicas: at most this many creations or deletions per
 * sync */
#define RS_BURST 500

struct rs_podrank {
    const struct sk_val *pod; /* borrowed */
    int64_t rank;             /* related active pods on the pod's node */
};

/* controller.ActivePodsWithRanks order, the ones to delete first at the
 * front: unassigned < assigned; Pending < Unknown < Running; not ready <
 * ready; lower pod-deletion-cost; more pods on the same node; ready for
 * less time (log2 buckets of now - readyTime); higher restart count;
 * newer (log2 buckets). now is the controller clock (seconds). */
void rs_sort_for_deletion(struct rs_podrank *p, size_t n, double now);

/* The first size of slowStartBatch (1) and the next one after a batch of
 * size done with remaining creations left. */
int64_t rs_first_batch(int64_t total);
int64_t rs_next_batch(int64_t done, int64_t remaining);

/* calculateStatus: a new status map (caller owns) from the owner's
 * current status, its active pods and the result of the last manage
 * step: manage_err NULL clears ReplicaFailure, else it sets one
 * (reason FailedCreate when diff < 0, FailedDelete when > 0) if none is
 * there. tmpl_labels: spec.template.metadata.labels (fullyLabeled). */
struct sk_val *rs_calc_status(const struct sk_val *owner, const struct sk_val *const *pods,
                              size_t n, int64_t min_ready, const char *manage_err, int64_t diff,
                              double now);
/* Whether the owner needs a status write for new_status (status fields or
 * observedGeneration differ). new_status gets observedGeneration. */
bool rs_status_needs_update(const struct sk_val *owner, struct sk_val *new_status);

/* The earliest clock time at which one of the ready-but-not-available
 * pods becomes available, or -1. */
double rs_next_available(const struct sk_val *const *pods, size_t n, int64_t min_ready, double now);

#endif
