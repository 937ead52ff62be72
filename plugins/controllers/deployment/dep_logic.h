/* The Deployment controller's decisions as pure functions over a view of
 * one Deployment and the ReplicaSets it owns (dep_logic.c, dep_rollout.c),
 * following kube-controller-manager's deployment controller: which
 * ReplicaSet is new, how many replicas each gets (rolling update,
 * recreate, proportional scaling), revisions, cleanup and status. The
 * glue (deploy.c) fills the view from the caches, runs dep_sync and turns
 * the marks it leaves into writes and events. */
#ifndef CTL_DEP_LOGIC_H
#define CTL_DEP_LOGIC_H

#include "val.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DEP_REVISION     "deployment.kubernetes.io/revision"
#define DEP_REV_HISTORY  "deployment.kubernetes.io/revision-history"
#define DEP_DESIRED      "deployment.kubernetes.io/desired-replicas"
#define DEP_MAX          "deployment.kubernetes.io/max-replicas"
#define DEP_ROLLBACK_TO  "deprecated.deployment.rollback.to"
#define DEP_LAST_APPLIED "kubectl.kubernetes.io/last-applied-configuration"
/* maxRevHistoryLengthInChars */
#define DEP_REV_HISTORY_MAX 2000

struct dep_rs {
    struct sk_val *obj;  /* owned copy, changed in place by the sync */
    bool dirty;          /* spec or annotations changed: update it */
    bool create;         /* the new ReplicaSet, to be created */
    bool del;            /* to be deleted (history cleanup) */
    int64_t active_pods; /* pods it controls that are neither Succeeded nor Failed */
};

struct dep_ev {
    const char *type;   /* "Normal" / "Warning" */
    const char *reason; /* static */
    char *msg;
};

struct dep_view {
    struct sk_val *d;  /* owned copy of the Deployment; status is rewritten */
    bool d_meta_dirty; /* its annotations changed: a full update */
    struct dep_rs *rs; /* the ReplicaSets it owns */
    size_t nrs, cap;
    struct dep_ev *ev;
    size_t nev, evcap;
    double now;           /* controller clock */
    double requeue_after; /* clock seconds until a progress check, or -1 */
};

/* Start a view on a copy of d at clock time now. */
void dep_view_init(struct dep_view *v, const struct sk_val *d, double now);
/* Add a copy of one owned ReplicaSet. */
struct dep_rs *dep_view_add(struct dep_view *v, const struct sk_val *rs, int64_t active_pods);
void dep_view_free(struct dep_view *v);

/* syncDeployment once the ReplicaSets are claimed: paused conditions,
 * scaling, rollout (RollingUpdate or Recreate), history cleanup and
 * status. */
void dep_sync(struct dep_view *v);

/* ---- exposed for the glue and tests ---- */

int64_t dep_replicas(const struct sk_val *obj); /* spec.replicas (1 when absent) */
void dep_fenceposts(const struct sk_val *d, int64_t *surge, int64_t *unavailable);
int64_t dep_max_surge(const struct sk_val *d);
int64_t dep_max_unavailable(const struct sk_val *d);
int64_t dep_revision(const struct sk_val *rs); /* the revision annotation, 0 if none */
/* The index of the new ReplicaSet (template equal ignoring the hash,
 * oldest first), or -1. */
long dep_find_new(const struct dep_view *v);
/* Record an event on the view. */
void dep_event(struct dep_view *v, const char *type, const char *reason, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
/* SetDeploymentCondition on d's status. */
void dep_set_cond(struct sk_val *status, const char *type, const char *cstatus, const char *reason,
                  const char *msg, double now);

#endif
