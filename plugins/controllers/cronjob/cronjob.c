/* The CronJob controller (module "cronjob"), as kube-controller-manager's
 * cronjob_controllerv2.go: reconcile status.active with the jobs the
 * CronJob owns, start the most recent unmet schedule (concurrencyPolicy,
 * startingDeadlineSeconds, suspend, timeZone), name jobs
 * NAME-<minutes since the epoch>, prune finished jobs beyond the history
 * limits, and sleep until the next start time on the controllers' clock.
 * Runs on the loop thread. */
#include "../ctl.h"
#include "../job/job_logic.h"
#include "../job/wl_track.h"
#include "../podutil.h"
#include "cron_sched.h"

#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define COMPONENT        "cronjob-controller"
#define SCHED_ANNOTATION "batch.kubernetes.io/cronjob-scheduled-timestamp"

enum { WR_CREATE, WR_DELETE, WR_STATUS };

struct pending_create {
    struct pending_create *next;
    char *key;
    int64_t scheduled;
};

struct cjc {
    struct ctl *c;
    struct ctl_cache *jobs, *cjs;
    struct ctl_queue *q;
    struct wl_track *trk;
    struct pending_create *creates;
};

static const struct sk_val *cj_of_key(struct cjc *x, const char *key)
{
    char ns[256], name[256];
    if (!ctl_key_split(key, ns, sizeof ns, name, sizeof name)) return NULL;
    return ctl_cache_get(x->cjs, ns, name);
}

static struct sk_val *job_ref(const struct sk_val *job)
{
    struct sk_val *r = sk_val_map();
    sk_map_set(r, "kind", sk_val_str("Job"));
    sk_map_set(r, "namespace", sk_val_str(sk_obj_namespace(job) ? sk_obj_namespace(job) : ""));
    sk_map_set(r, "name", sk_val_str(sk_obj_name(job) ? sk_obj_name(job) : ""));
    sk_map_set(r, "uid", sk_val_str(pu_uid(job) ? pu_uid(job) : ""));
    sk_map_set(r, "apiVersion", sk_val_str("batch/v1"));
    const char *rv = sk_val_str_at(job, "metadata", "resourceVersion", NULL);
    if (rv) sk_map_set(r, "resourceVersion", sk_val_str(rv));
    return r;
}

static long active_index(const struct sk_val *status, const char *uid)
{
    const struct sk_val *a = sk_map_get(status, "active");
    for (size_t i = 0; uid && i < sk_arr_len(a); i++) {
        const char *u = sk_val_str_at(sk_arr_get(a, i), "uid", NULL);
        if (u && !strcmp(u, uid)) return (long)i;
    }
    return -1;
}

static void write_status(struct cjc *x, const char *key, const struct sk_val *cj,
                         const struct sk_val *status)
{
    const struct sk_val *old = sk_map_get(cj, "status");
    if (sk_val_equal(old, status) || (!old && !sk_map_len(status))) return;
    struct sk_val *copy = sk_val_dup(cj);
    sk_map_set(copy, "status", sk_val_dup(status));
    wl_write(x->trk, key, WR_STATUS, SKIFF_WRITE_UPDATE_STATUS, "batch/cronjobs",
             sk_obj_namespace(cj), sk_obj_name(cj), NULL, copy);
    sk_val_free(copy);
}

static void on_write(void *arg, const char *key, int tag, const char *objname, int code,
                     const char *message, const struct sk_val *obj)
{
    struct cjc *x = arg;
    const struct sk_val *cj = cj_of_key(x, key);
    const char *msg = message ? message : "unknown error";
    if (tag == WR_DELETE) {
        if (cj && code == SKIFF_OK)
            ctl_event(x->c, COMPONENT, cj, "Normal", "SuccessfulDelete", "Deleted job %s", objname);
        else if (cj && code != SKIFF_ENOTFOUND)
            ctl_event(x->c, COMPONENT, cj, "Warning", "FailedDelete", "Deleted job: %s", msg);
        return;
    }
    if (tag != WR_CREATE) return;
    int64_t scheduled = CRON_NONE;
    for (struct pending_create **p = &x->creates; *p; p = &(*p)->next)
        if (!strcmp((*p)->key, key)) {
            struct pending_create *pc = *p;
            scheduled = pc->scheduled;
            *p = pc->next;
            free(pc->key);
            free(pc);
            break;
        }
    if (!cj) return;
    const struct sk_val *job = NULL;
    if (code == SKIFF_OK) {
        job = obj;
        ctl_event(x->c, COMPONENT, cj, "Normal", "SuccessfulCreate", "Created job %s", objname);
    } else if (code == SKIFF_ECONFLICT || code == 409) {
        /* already exists: adopt it into status if it is ours */
        job = ctl_cache_get(x->jobs, sk_obj_namespace(cj), objname);
        const char *cu = job ? ctl_controller_uid(job) : NULL;
        if (!cu || !pu_uid(cj) || strcmp(cu, pu_uid(cj))) return;
    } else {
        ctl_event(x->c, COMPONENT, cj, "Warning", "FailedCreate", "Error creating job: %s", msg);
        return;
    }
    if (!job) return;
    struct sk_val *st = sk_val_is(sk_map_get(cj, "status"), SK_V_MAP)
                                ? sk_val_dup(sk_map_get(cj, "status"))
                                : sk_val_map();
    if (active_index(st, pu_uid(job)) < 0) {
        struct sk_val *a = sk_map_get(st, "active");
        if (!sk_val_is(a, SK_V_ARR)) a = sk_map_set(st, "active", sk_val_arr());
        sk_arr_push(a, job_ref(job));
    }
    if (scheduled != CRON_NONE) {
        char ts[32];
        sk_map_set(st, "lastScheduleTime", sk_val_str(ctl_time_str((double)scheduled, ts)));
    }
    write_status(x, key, cj, st);
    sk_val_free(st);
}

struct children {
    const char *uid;
    const struct sk_val **v;
    size_t n;
};

static bool collect(void *arg, const struct sk_val *job)
{
    struct children *ch = arg;
    const char *cu = ctl_controller_uid(job);
    if (!cu || strcmp(cu, ch->uid)) return true;
    ch->v = sk_xrealloc(ch->v, (ch->n + 1) * sizeof(*ch->v));
    ch->v[ch->n++] = job;
    return true;
}

/* byJobStartTime: jobs without a start time last, then by name. */
static int by_start(const void *a, const void *b)
{
    const struct sk_val *x = *(const struct sk_val *const *)a,
                        *y = *(const struct sk_val *const *)b;
    double sx = ctl_time_parse(sk_val_str_at(x, "status", "startTime", NULL));
    double sy = ctl_time_parse(sk_val_str_at(y, "status", "startTime", NULL));
    if (sx < 0 && sy >= 0) return 1;
    if (sy < 0 && sx >= 0) return -1;
    if (sx != sy) return sx < sy ? -1 : 1;
    const char *nx = sk_obj_name(x), *ny = sk_obj_name(y);
    return strcmp(nx ? nx : "", ny ? ny : "");
}

static void prune_history(struct cjc *x, const char *key, const struct sk_val *cj,
                          const struct children *ch)
{
    const struct sk_val *sl = sk_val_at(cj, "spec", "successfulJobsHistoryLimit", NULL);
    const struct sk_val *fl = sk_val_at(cj, "spec", "failedJobsHistoryLimit", NULL);
    if (!sk_val_is(sl, SK_V_INT) && !sk_val_is(fl, SK_V_INT)) return;
    for (int failed = 0; failed < 2; failed++) {
        const struct sk_val *lim = failed ? fl : sl;
        if (!sk_val_is(lim, SK_V_INT)) continue;
        const struct sk_val **list = sk_xcalloc(ch->n + 1, sizeof(*list));
        size_t n = 0;
        for (size_t i = 0; i < ch->n; i++) {
            const char *type = NULL;
            if (!job_finished(ch->v[i], &type) || pu_deleting(ch->v[i])) continue;
            if ((!strcmp(type, "Failed")) == (failed == 1)) list[n++] = ch->v[i];
        }
        if ((int64_t)n > lim->u.i) {
            qsort(list, n, sizeof(*list), by_start);
            for (size_t i = 0; i < n - (size_t)(lim->u.i < 0 ? 0 : lim->u.i); i++)
                wl_write(x->trk, key, WR_DELETE, SKIFF_WRITE_DELETE, "batch/jobs",
                         sk_obj_namespace(list[i]), sk_obj_name(list[i]), NULL, NULL);
        }
        free(list);
    }
}

/* Time.Format(time.RFC3339) of t in zone z. */
static void rfc3339_in(const struct cron_tz *z, int64_t t, char buf[40])
{
    struct cron_tm tm;
    cron_tz_civil(z, t, &tm);
    int32_t off = cron_tz_lookup(z, t, NULL, NULL);
    int n = snprintf(buf, 40, "%04lld-%02d-%02dT%02d:%02d:%02d", (long long)tm.year, tm.mon,
                     tm.mday, tm.hour, tm.min, tm.sec);
    if (off == 0)
        snprintf(buf + n, 40 - (size_t)n, "Z");
    else
        snprintf(buf + n, 40 - (size_t)n, "%c%02d:%02d", off < 0 ? '-' : '+', abs(off) / 3600,
                 abs(off) / 60 % 60);
}

static struct sk_val *new_job(const struct sk_val *cj, int64_t scheduled, const struct cron_tz *z)
{
    const struct sk_val *tmpl = sk_val_at(cj, "spec", "jobTemplate", NULL);
    struct sk_val *job = sk_val_map();
    sk_map_set(job, "apiVersion", sk_val_str("batch/v1"));
    sk_map_set(job, "kind", sk_val_str("Job"));
    struct sk_val *m = sk_map_set(job, "metadata", sk_val_map());
    sk_map_set(m, "name", sk_val_strf("%s-%lld", sk_obj_name(cj), (long long)(scheduled / 60)));
    sk_map_set(m, "namespace", sk_val_str(sk_obj_namespace(cj) ? sk_obj_namespace(cj) : ""));
    const struct sk_val *l = sk_val_at(tmpl, "metadata", "labels", NULL);
    const struct sk_val *a = sk_val_at(tmpl, "metadata", "annotations", NULL);
    if (sk_val_is(l, SK_V_MAP)) sk_map_set(m, "labels", sk_val_dup(l));
    struct sk_val *ann =
            sk_map_set(m, "annotations", sk_val_is(a, SK_V_MAP) ? sk_val_dup(a) : sk_val_map());
    char ts[40];
    rfc3339_in(z, scheduled, ts);
    sk_map_set(ann, SCHED_ANNOTATION, sk_val_str(ts));
    struct sk_val *refs = sk_map_set(m, "ownerReferences", sk_val_arr());
    sk_arr_push(refs, ctl_owner_ref(cj));
    const struct sk_val *spec = sk_map_get(tmpl, "spec");
    sk_map_set(job, "spec", spec ? sk_val_dup(spec) : sk_val_map());
    return job;
}

static void rfc1123z(int64_t t, char buf[48])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, 48, "%a, %d %b %Y %H:%M:%S +0000", &tm);
}

static int sync_cj(void *arg, const char *key)
{
    struct cjc *x = arg;
    const struct sk_val *cj = cj_of_key(x, key);
    if (!cj || wl_busy(x->trk, key) || !pu_uid(cj)) return 0;
    struct children ch = {.uid = pu_uid(cj)};
    ctl_cache_foreach_owned(x->jobs, pu_uid(cj), collect, &ch);
    const struct sk_val *old = sk_map_get(cj, "status");
    struct sk_val *st = sk_val_is(old, SK_V_MAP) ? sk_val_dup(old) : sk_val_map();
    struct sk_val *active = sk_map_get(st, "active");
    double last_ok = ctl_time_parse(sk_val_str_at(st, "lastSuccessfulTime", NULL));
    for (size_t i = 0; i < ch.n; i++) {
        const struct sk_val *j = ch.v[i];
        const char *type = NULL;
        bool fin = job_finished(j, &type);
        long ai = active_index(st, pu_uid(j));
        if (ai < 0 && !fin) {
            ctl_event(x->c, COMPONENT, cj, "Warning", "UnexpectedJob",
                      "Saw a job that the controller did not create or forgot: %s", sk_obj_name(j));
        } else if (ai >= 0 && fin) {
            sk_arr_remove(active, (size_t)ai);
            ctl_event(x->c, COMPONENT, cj, "Normal", "SawCompletedJob",
                      "Saw completed job: %s, condition: %s", sk_obj_name(j), type);
        }
        if (fin && !strcmp(type, "Complete")) {
            double ct = ctl_time_parse(sk_val_str_at(j, "status", "completionTime", NULL));
            if (ct > last_ok) last_ok = ct;
        }
    }
    if (last_ok >= 0) {
        char ts[32];
        sk_map_set(st, "lastSuccessfulTime", sk_val_str(ctl_time_str(last_ok, ts)));
    }
    for (size_t i = sk_arr_len(active); i-- > 0;) {
        const char *u = sk_val_str_at(sk_arr_get(active, i), "uid", NULL);
        bool found = false;
        for (size_t k = 0; k < ch.n && !found; k++)
            found = u && pu_uid(ch.v[k]) && !strcmp(u, pu_uid(ch.v[k]));
        if (!found && ctl_cache_synced(x->jobs)) {
            const char *n = sk_val_str_at(sk_arr_get(active, i), "name", NULL);
            ctl_event(x->c, COMPONENT, cj, "Normal", "MissingJob", "Active job went missing: %s",
                      n ? n : "");
            sk_arr_remove(active, i);
        }
    }
    if (active && !sk_arr_len(active)) sk_map_del(st, "active");
    struct cron_sched s;
    bool parsed = false;
    const char *sched = sk_val_str_at(cj, "spec", "schedule", NULL);
    const char *zone_name = sk_val_str_at(cj, "spec", "timeZone", NULL);
    double now = ctl_now(x->c);
    if (pu_deleting(cj)) goto status;
    if (zone_name) {
        char *e = NULL;
        struct cron_tz *z = cron_tz_load(zone_name, &e);
        if (!z) {
            ctl_event(x->c, COMPONENT, cj, "Warning", "UnknownTimeZone",
                      "invalid timeZone: \"%s\": %s", zone_name, e ? e : "unknown time zone");
            free(e);
            goto status;
        }
        cron_tz_free(z);
    }
    if (sk_val_to_bool(sk_val_at(cj, "spec", "suspend", NULL), false)) goto status;
    if (sched && strstr(sched, "TZ"))
        ctl_event(x->c, COMPONENT, cj, "Warning", "UnsupportedSchedule",
                  "CRON_TZ or TZ used in schedule \"%s\" is not officially supported, see "
                  "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more "
                  "details",
                  sched);
    char *err = NULL;
    if (!cron_parse(sched ? sched : "", zone_name, &s, &err)) {
        ctl_event(x->c, COMPONENT, cj, "Warning", "UnparseableSchedule",
                  "unparseable schedule: \"%s\" : %s", sched ? sched : "", err);
        free(err);
        goto status;
    }
    parsed = true;
    double created = pu_obj_created(cj);
    double lst = ctl_time_parse(sk_val_str_at(st, "lastScheduleTime", NULL));
    int64_t earliest = (int64_t)(lst >= 0 ? lst : created >= 0 ? created : now);
    const struct sk_val *sds = sk_val_at(cj, "spec", "startingDeadlineSeconds", NULL);
    if (sk_val_is(sds, SK_V_INT)) {
        int64_t dl = (int64_t)now - sds->u.i;
        if (dl > earliest) earliest = dl;
    }
    int64_t most_recent;
    enum cron_missed missed;
    if (!cron_most_recent(&s, earliest, (int64_t)now, &most_recent, &missed, &err)) {
        ctl_event(x->c, COMPONENT, cj, "Warning", "InvalidSchedule", "invalid schedule: %s : %s",
                  sched, err);
        free(err);
        goto status;
    }
    if (most_recent == CRON_NONE) goto status;
    if (missed == CRON_MISSED_MANY)
        ctl_event(x->c, COMPONENT, cj, "Warning", "TooManyMissedTimes",
                  "too many missed start times. Set or decrease .spec.startingDeadlineSeconds "
                  "or check clock skew");
    if (sk_val_is(sds, SK_V_INT) && (double)(most_recent + sds->u.i) < now) {
        char b[48];
        rfc1123z(most_recent, b);
        ctl_event(x->c, COMPONENT, cj, "Warning", "MissSchedule",
                  "Missed scheduled time to start a job: %s", b);
        goto status;
    }
    char jname[320];
    snprintf(jname, sizeof jname, "%s-%lld", sk_obj_name(cj), (long long)(most_recent / 60));
    bool done_already = lst >= 0 && (int64_t)lst == most_recent;
    active = sk_map_get(st, "active");
    for (size_t i = 0; i < sk_arr_len(active) && !done_already; i++) {
        const char *n = sk_val_str_at(sk_arr_get(active, i), "name", NULL);
        done_already = n && !strcmp(n, jname);
    }
    if (done_already) goto status;
    const char *policy = sk_val_str_at(cj, "spec", "concurrencyPolicy", NULL);
    if (policy && !strcmp(policy, "Forbid") && sk_arr_len(active)) {
        ctl_event(x->c, COMPONENT, cj, "Normal", "JobAlreadyActive",
                  "Not starting job because prior execution is running and concurrency policy "
                  "is Forbid");
        goto status;
    }
    if (policy && !strcmp(policy, "Replace")) {
        for (size_t i = sk_arr_len(active); i-- > 0;) {
            const struct sk_val *r = sk_arr_get(active, i);
            wl_write(x->trk, key, WR_DELETE, SKIFF_WRITE_DELETE, "batch/jobs",
                     sk_val_str_at(r, "namespace", NULL), sk_val_str_at(r, "name", NULL), NULL,
                     NULL);
            sk_arr_remove(active, i);
        }
        if (!sk_arr_len(active)) sk_map_del(st, "active");
    }
    {
        struct sk_val *job = new_job(cj, most_recent, s.tz);
        struct pending_create *pc = sk_xcalloc(1, sizeof(*pc));
        pc->key = sk_xstrdup(key);
        pc->scheduled = most_recent;
        pc->next = x->creates;
        x->creates = pc;
        /* status (with the replaced jobs gone) before the create's answer
         * adds the new job */
        write_status(x, key, cj, st);
        if (wl_write(x->trk, key, WR_CREATE, SKIFF_WRITE_CREATE, "batch/jobs", sk_obj_namespace(cj),
                     NULL, jname, job) != SKIFF_OK) {
            x->creates = pc->next;
            free(pc->key);
            free(pc);
            ctl_event(x->c, COMPONENT, cj, "Warning", "FailedCreate", "Error creating job: %s",
                      "write not queued");
        }
        sk_val_free(job);
        sk_val_free(st);
        st = NULL;
    }
status:
    if (st) write_status(x, key, cj, st);
    sk_val_free(st);
    prune_history(x, key, cj, &ch);
    if (parsed) {
        int64_t next = cron_next(&s, (int64_t)now);
        if (next != CRON_NONE) ctl_queue_add_after(x->q, key, (double)next - now + 0.1);
        cron_sched_free(&s);
    }
    free(ch.v);
    return 0;
}

static void on_job(void *arg, const struct sk_val *old, const struct sk_val *obj)
{
    struct cjc *x = arg;
    const struct sk_val *j = obj ? obj : old;
    const struct sk_val *ref = sk_obj_controller_ref(j);
    const char *kind = sk_val_str_at(ref, "kind", NULL), *name = sk_val_str_at(ref, "name", NULL);
    if (!kind || !name || strcmp(kind, "CronJob")) return;
    const struct sk_val *cj = ctl_cache_get(x->cjs, sk_obj_namespace(j), name);
    if (!cj) return;
    char key[512];
    ctl_queue_add(x->q, ctl_key(cj, key, sizeof key));
}

static void on_cj(void *arg, const struct sk_val *old, const struct sk_val *obj)
{
    struct cjc *x = arg;
    char key[512];
    ctl_queue_add(x->q, ctl_key(obj ? obj : old, key, sizeof key));
}

static int cj_start(struct ctl *c, void **self)
{
    struct cjc *x = sk_xcalloc(1, sizeof(*x));
    x->c = c;
    x->jobs = ctl_cache(c, "batch/jobs");
    x->cjs = ctl_cache(c, "batch/cronjobs");
    x->q = ctl_queue_new(c, "cronjob", sync_cj, x);
    x->trk = wl_track_new(c, x->q, on_write, x);
    ctl_cache_on_change(x->jobs, on_job, x);
    ctl_cache_on_change(x->cjs, on_cj, x);
    *self = x;
    return 0;
}

static void cj_stop(void *self)
{
    struct cjc *x = self;
    if (!x) return;
    ctl_queue_free(x->q);
    wl_track_free(x->trk);
    while (x->creates) {
        struct pending_create *p = x->creates;
        x->creates = p->next;
        free(p->key);
        free(p);
    }
    free(x);
}

const struct ctl_module ctl_mod_cronjob = {
        .name = "cronjob",
        .start = cj_start,
        .stop = cj_stop,
};
