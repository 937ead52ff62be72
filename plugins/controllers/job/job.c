/* The Job controller and the TTL-after-finished controller (module "job"),
 * as kube-controller-manager's job and ttlafterfinished controllers: the
 * decisions are job_logic.c's; this file follows jobs and their pods,
 * writes status before it removes pods' tracking finalizers, creates and
 * deletes pods, records events and deletes finished jobs past their TTL.
 * Runs on the loop thread. */
#include "../ctl.h"
#include "../podutil.h"
#include "job_logic.h"
#include "wl_track.h"

#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COMPONENT "job-controller"

enum { WR_CREATE, WR_DELETE, WR_STATUS, WR_FINALIZER, WR_TTL };

struct pending_ev {
    struct pending_ev *next;
    char *key, *type, *reason, *msg;
};

struct jobc {
    struct ctl *c;
    struct ctl_cache *pods, *jobs;
    struct ctl_queue *q;
    struct wl_track *trk;
    struct pending_ev *evs;
};

static const struct sk_val *job_of_key(struct jobc *j, const char *key)
{
    char ns[256], name[256];
    if (!ctl_key_split(key, ns, sizeof ns, name, sizeof name)) return NULL;
    return ctl_cache_get(j->jobs, ns, name);
}

static void ev_drop(struct jobc *j, const char *key, bool emit)
{
    for (struct pending_ev **p = &j->evs; *p;) {
        struct pending_ev *e = *p;
        if (strcmp(e->key, key)) {
            p = &e->next;
            continue;
        }
        const struct sk_val *job = job_of_key(j, key);
        if (emit && job) ctl_event(j->c, COMPONENT, job, e->type, e->reason, "%s", e->msg);
        *p = e->next;
        free(e->key);
        free(e->type);
        free(e->reason);
        free(e->msg);
        free(e);
    }
}

static void on_write(void *arg, const char *key, int tag, const char *objname, int code,
                     const char *message, const struct sk_val *obj)
{
    struct jobc *j = arg;
    (void)obj;
    const struct sk_val *job = job_of_key(j, key);
    const char *msg = message ? message : "unknown error";
    switch (tag) {
    case WR_CREATE:
        if (!job) break;
        if (code == SKIFF_OK)
            ctl_event(j->c, COMPONENT, job, "Normal", "SuccessfulCreate", "Created pod: %s",
                      obj && sk_obj_name(obj) ? sk_obj_name(obj) : objname);
        else
            ctl_event(j->c, COMPONENT, job, "Warning", "FailedCreate", "Error creating: %s", msg);
        break;
    case WR_DELETE:
        if (!job) break;
        if (code == SKIFF_OK)
            ctl_event(j->c, COMPONENT, job, "Normal", "SuccessfulDelete", "Deleted pod: %s",
                      objname);
        else if (code != SKIFF_ENOTFOUND)
            ctl_event(j->c, COMPONENT, job, "Warning", "FailedDelete", "Error deleting: %s", msg);
        break;
    case WR_STATUS:
        ev_drop(j, key, code == SKIFF_OK);
        if (code != SKIFF_OK && code != SKIFF_ECONFLICT && code != SKIFF_ENOTFOUND)
            ctl_log(j->c, SKIFF_LOG_WARN, COMPONENT, "job=%s status update failed: %s", key, msg);
        break;
    case WR_FINALIZER:
        if (code != SKIFF_OK && code != SKIFF_ENOTFOUND && code != SKIFF_ECONFLICT)
            ctl_log(j->c, SKIFF_LOG_WARN, COMPONENT, "pod=%s finalizer removal failed: %s", objname,
                    msg);
        break;
    case WR_TTL:
        if (code == SKIFF_OK)
            ctl_log(j->c, SKIFF_LOG_INFO, "ttl-after-finished-controller",
                    "job=%s deleted after its ttlSecondsAfterFinished", key);
        break;
    }
}

static void remove_finalizer(struct jobc *j, const char *key, const struct sk_val *pod)
{
    struct sk_val *c = job_pod_without_finalizer(pod);
    wl_write(j->trk, key, WR_FINALIZER, SKIFF_WRITE_UPDATE, "pods", sk_obj_namespace(pod),
             sk_obj_name(pod), NULL, c);
    sk_val_free(c);
}

struct pod_collect {
    const char *uid;
    const struct sk_val **v;
    size_t n, cap;
};

static bool collect(void *arg, const struct sk_val *pod)
{
    struct pod_collect *pc = arg;
    const char *cu = ctl_controller_uid(pod);
    if (!cu || strcmp(cu, pc->uid)) return true;
    if (pc->n == pc->cap) {
        pc->cap = pc->cap ? 2 * pc->cap : 16;
        pc->v = sk_xrealloc(pc->v, pc->cap * sizeof(*pc->v));
    }
    pc->v[pc->n++] = pod;
    return true;
}

static bool uid_listed(const struct sk_val *job, const char *uid)
{
    static const char *const lists[] = {"succeeded", "failed"};
    for (size_t l = 0; l < 2 && uid; l++) {
        const struct sk_val *a =
                sk_val_at(job, "status", "uncountedTerminatedPods", lists[l], NULL);
        for (size_t i = 0; i < sk_arr_len(a); i++) {
            const char *s = sk_val_cstr(sk_arr_get(a, i));
            if (s && !strcmp(s, uid)) return true;
        }
    }
    return false;
}

static int sync_job(void *arg, const char *key)
{
    struct jobc *j = arg;
    const struct sk_val *job = job_of_key(j, key);
    if (!job || wl_busy(j->trk, key)) return 0;
    const char *uid = pu_uid(job);
    if (!uid) return 0;
    struct pod_collect pc = {.uid = uid};
    ctl_cache_foreach_owned(j->pods, uid, collect, &pc);
    if (pu_deleting(job)) {
        /* the job goes: its pods must not be held by our finalizer */
        for (size_t i = 0; i < pc.n; i++)
            if (job_pod_has_finalizer(pc.v[i])) remove_finalizer(j, key, pc.v[i]);
        free(pc.v);
        return 0;
    }
    double now = ctl_now(j->c);
    struct job_plan p;
    job_plan(job, pc.v, pc.n, now, &p);
    if (p.ttl_delete) {
        wl_write(j->trk, key, WR_TTL, SKIFF_WRITE_DELETE, "batch/jobs", sk_obj_namespace(job),
                 sk_obj_name(job), NULL, NULL);
        job_plan_free(&p);
        free(pc.v);
        return 0;
    }
    for (size_t i = 0; i < p.nunfinalize; i++) {
        /* only pods already recorded in the stored status lose the
         * finalizer now; the others once this status is written (its
         * answer queues the job again) */
        if (!p.status || uid_listed(job, pu_uid(p.unfinalize[i])))
            remove_finalizer(j, key, p.unfinalize[i]);
    }
    if (p.status) {
        struct sk_val *copy = sk_val_dup(job);
        sk_map_set(copy, "status", p.status);
        p.status = NULL;
        if (p.ev_reason) {
            ev_drop(j, key, false);
            struct pending_ev *e = sk_xcalloc(1, sizeof(*e));
            e->key = sk_xstrdup(key);
            e->type = sk_xstrdup(p.ev_type);
            e->reason = sk_xstrdup(p.ev_reason);
            e->msg = sk_xstrdup(p.ev_msg);
            e->next = j->evs;
            j->evs = e;
        }
        wl_write(j->trk, key, WR_STATUS, SKIFF_WRITE_UPDATE_STATUS, "batch/jobs",
                 sk_obj_namespace(job), sk_obj_name(job), NULL, copy);
        sk_val_free(copy);
    } else if (p.ev_reason) {
        ctl_event(j->c, COMPONENT, job, p.ev_type, p.ev_reason, "%s", p.ev_msg);
    }
    for (size_t i = 0; i < p.ndel; i++)
        wl_write(j->trk, key, WR_DELETE, SKIFF_WRITE_DELETE, "pods", sk_obj_namespace(p.del[i]),
                 sk_obj_name(p.del[i]), NULL, NULL);
    for (int64_t i = 0; i < p.ncreate; i++) {
        struct sk_val *pod = job_new_pod(job, p.create_idx ? p.create_idx[i] : -1);
        int rc = wl_write(j->trk, key, WR_CREATE, SKIFF_WRITE_CREATE, "pods", sk_obj_namespace(job),
                          NULL, sk_val_str_at(pod, "metadata", "generateName", NULL), pod);
        sk_val_free(pod);
        if (rc != SKIFF_OK) {
            ctl_event(j->c, COMPONENT, job, "Warning", "FailedCreate",
                      "Error creating: pod creation not queued (code %d)", rc);
            break;
        }
    }
    if (p.requeue > 0) ctl_queue_add_after(j->q, key, p.requeue);
    job_plan_free(&p);
    free(pc.v);
    return 0;
}

static void enqueue_pod_owner(struct jobc *j, const struct sk_val *pod)
{
    const struct sk_val *ref = sk_obj_controller_ref(pod);
    const char *kind = sk_val_str_at(ref, "kind", NULL), *name = sk_val_str_at(ref, "name", NULL);
    if (!kind || !name || strcmp(kind, "Job")) return;
    const struct sk_val *job = ctl_cache_get(j->jobs, sk_obj_namespace(pod), name);
    const char *uid = sk_val_str_at(ref, "uid", NULL);
    char key[512];
    if (job && uid && pu_uid(job) && !strcmp(uid, pu_uid(job))) {
        ctl_queue_add(j->q, ctl_key(job, key, sizeof key));
        return;
    }
    /* an orphan still held by our finalizer (its job is gone) */
    if (job_pod_has_finalizer(pod) && ctl_cache_synced(j->jobs) &&
        (!pu_pod_active(pod) || pu_deleting(pod))) {
        snprintf(key, sizeof key, "orphan/%s/%s",
                 sk_obj_namespace(pod) ? sk_obj_namespace(pod) : "",
                 sk_obj_name(pod) ? sk_obj_name(pod) : "");
        if (!wl_busy(j->trk, key)) remove_finalizer(j, key, pod);
    }
}

static void on_pod(void *arg, const struct sk_val *old, const struct sk_val *obj)
{
    struct jobc *j = arg;
    enqueue_pod_owner(j, obj ? obj : old);
}

static void on_job(void *arg, const struct sk_val *old, const struct sk_val *obj)
{
    struct jobc *j = arg;
    char key[512];
    ctl_queue_add(j->q, ctl_key(obj ? obj : old, key, sizeof key));
}

static int job_start(struct ctl *c, void **self)
{
    struct jobc *j = sk_xcalloc(1, sizeof(*j));
    j->c = c;
    j->pods = ctl_cache(c, "pods");
    j->jobs = ctl_cache(c, "batch/jobs");
    j->q = ctl_queue_new(c, "job", sync_job, j);
    j->trk = wl_track_new(c, j->q, on_write, j);
    ctl_cache_on_change(j->pods, on_pod, j);
    ctl_cache_on_change(j->jobs, on_job, j);
    *self = j;
    return 0;
}

static void job_stop(void *self)
{
    struct jobc *j = self;
    if (!j) return;
    ctl_queue_free(j->q);
    wl_track_free(j->trk);
    while (j->evs) {
        struct pending_ev *e = j->evs;
        j->evs = e->next;
        free(e->key);
        free(e->type);
        free(e->reason);
        free(e->msg);
        free(e);
    }
    free(j);
}

const struct ctl_module ctl_mod_job = {
        .name = "job",
        .start = job_start,
        .stop = job_stop,
};
