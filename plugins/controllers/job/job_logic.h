/* The Job controller's decisions, as kube-controller-manager 1.32's
 * job_controller.go makes them, over a job and its pods: pod tracking with
 * the batch.kubernetes.io/job-tracking finalizer and
 * status.uncountedTerminatedPods, completions and parallelism (NonIndexed
 * and Indexed), backoffLimit with the pod-failure back-off, deadlines,
 * suspend, the SuccessCriteriaMet / FailureTarget / Complete / Failed
 * conditions and the TTL after finishing. Pure functions: no I/O. */
#ifndef CTL_JOB_LOGIC_H
#define CTL_JOB_LOGIC_H

#include "val.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JOB_FINALIZER    "batch.kubernetes.io/job-tracking"
#define JOB_INDEX_KEY    "batch.kubernetes.io/job-completion-index"
#define JOB_BACKOFF_BASE 10.0 /* seconds, doubling per failure after the last success */
#define JOB_BACKOFF_MAX  360.0

struct job_plan {
    struct sk_val *status;     /* the new status (owned) when it changed, else NULL */
    int64_t ncreate;           /* pods to create now */
    int64_t *create_idx;       /* Indexed: their completion indexes (ncreate of them) */
    const struct sk_val **del; /* active pods to delete (borrowed from the input) */
    size_t ndel;
    /* pods whose tracking finalizer goes once status is written */
    const struct sk_val **unfinalize;
    size_t nunfinalize;
    double requeue; /* > 0: sync again after this many clock seconds */
    /* an event to record about the job once status is written */
    const char *ev_type, *ev_reason;
    char ev_msg[320];
    bool ttl_delete; /* finished and past ttlSecondsAfterFinished */
};

/* Decide for job (as in the cache) with the pods it controls, at clock
 * time now. The plan borrows pods; free it with job_plan_free. */
void job_plan(const struct sk_val *job, const struct sk_val *const *pods, size_t npods, double now,
              struct job_plan *out);
void job_plan_free(struct job_plan *p);

/* A new pod (caller owns) for job: from its template, with the tracking
 * finalizer, and for an Indexed job (index >= 0) the completion-index
 * annotation, label, hostname, JOB_COMPLETION_INDEX and generateName. */
struct sk_val *job_new_pod(const struct sk_val *job, int64_t index);

/* Whether job has a Complete or Failed condition that is True. */
bool job_finished(const struct sk_val *job, const char **type);
/* The time job finished (completionTime or the Failed condition's
 * lastTransitionTime), or -1. */
double job_finish_time(const struct sk_val *job);
bool job_pod_has_finalizer(const struct sk_val *pod);
/* A copy of pod without the tracking finalizer (caller owns). */
struct sk_val *job_pod_without_finalizer(const struct sk_val *pod);
/* "1,3-5,7" from a sorted list of indexes. Caller frees. */
char *job_format_indexes(const int64_t *idx, size_t n);

#endif
