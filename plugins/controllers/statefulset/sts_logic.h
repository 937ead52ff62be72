/* The StatefulSet controller's decisions, as kube-controller-manager's
 * stateful_set_control.go makes them: stable ordinal identities
 * (NAME-0, NAME-1, ...), OrderedReady and Parallel pod management,
 * RollingUpdate with partition (highest ordinal first) and OnDelete,
 * volumeClaimTemplates as PVCs named TEMPLATE-NAME-ORDINAL, and status.
 * Pure functions: no I/O. */
#ifndef CTL_STS_LOGIC_H
#define CTL_STS_LOGIC_H

#include "val.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define STS_POD_NAME_LABEL  "statefulset.kubernetes.io/pod-name"
#define STS_POD_INDEX_LABEL "apps.kubernetes.io/pod-index"
#define STS_REV_LABEL       "controller-revision-hash"

struct sts_plan {
    int64_t *create; /* ordinals whose pod (and missing claims) to create */
    size_t ncreate;
    const struct sk_val **del; /* pods to delete (borrowed) */
    size_t ndel;
    struct sk_val *status; /* the new status (owned) when it changed */
    double requeue;        /* > 0: again after so many clock seconds */
};

/* Plan for set with its pods at now. cur_rev and upd_rev are revision
 * names (status.currentRevision, and the revision of the current
 * template); collision is status.collisionCount to report. */
void sts_plan(const struct sk_val *set, const struct sk_val *const *pods, size_t npods,
              const char *cur_rev, const char *upd_rev, int64_t collision, double now,
              struct sts_plan *out);
void sts_plan_free(struct sts_plan *p);

/* The ordinal of a pod named SET-N of set, or -1. */
int64_t sts_pod_ordinal(const struct sk_val *set, const struct sk_val *pod);
/* Which revision a new pod at ordinal gets: true for the update revision. */
bool sts_ordinal_gets_update(const struct sk_val *set, int64_t ordinal);

/* A new pod (caller owns) for ordinal, from tmpl (the template of the
 * revision it gets), labelled with rev, with hostname, subdomain and the
 * volumes of the set's claims. */
struct sk_val *sts_new_pod(const struct sk_val *set, const struct sk_val *tmpl, int64_t ordinal,
                           const char *rev);
/* The PersistentVolumeClaims (an array, caller owns) pod ordinal uses. */
struct sk_val *sts_claims(const struct sk_val *set, int64_t ordinal);

/* The ControllerRevision data for set: {"spec":{"template":{...,"$patch":"replace"}}}. */
struct sk_val *sts_revision_data(const struct sk_val *set);

#endif
