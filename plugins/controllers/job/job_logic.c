/* The Job controller's decisions (see job_logic.h). Pod failures are
 * counted through the tracking finalizer in two steps, as upstream: a
 * finished pod's uid goes to status.uncountedTerminatedPods, its
 * finalizer is removed once that status is written, and then the uid
 * moves into status.succeeded or status.failed. */
#include "job_logic.h"

#include "../podutil.h"
#include "../ctl.h"
#include "mem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSG_COMPLETE "Reached expected number of succeeded pods"
#define MSG_BACKOFF  "Job has reached the specified backoff limit"
#define MSG_DEADLINE "Job was active longer than specified deadline"

bool job_pod_has_finalizer(const struct sk_val *pod)
{
    const struct sk_val *f = sk_val_at(pod, "metadata", "finalizers", NULL);
    for (size_t i = 0; i < sk_arr_len(f); i++) {
        const char *s = sk_val_cstr(sk_arr_get(f, i));
        if (s && !strcmp(s, JOB_FINALIZER)) return true;
    }
    return false;
}

struct sk_val *job_pod_without_finalizer(const struct sk_val *pod)
{
    struct sk_val *c = sk_val_dup(pod);
    struct sk_val *f = sk_val_at(c, "metadata", "finalizers", NULL);
    for (size_t i = sk_arr_len(f); i-- > 0;) {
        const char *s = sk_val_cstr(sk_arr_get(f, i));
        if (s && !strcmp(s, JOB_FINALIZER)) sk_arr_remove(f, i);
    }
    return c;
}

bool job_finished(const struct sk_val *job, const char **type)
{
    const struct sk_val *conds = sk_val_at(job, "status", "conditions", NULL);
    for (size_t i = 0; i < sk_arr_len(conds); i++) {
        const struct sk_val *c = sk_arr_get(conds, i);
        const char *t = sk_val_str_at(c, "type", NULL), *s = sk_val_str_at(c, "status", NULL);
        if (t && s && !strcmp(s, "True") && (!strcmp(t, "Complete") || !strcmp(t, "Failed"))) {
            if (type) *type = t;
            return true;
        }
    }
    return false;
}

double job_finish_time(const struct sk_val *job)
{
    double t = ctl_time_parse(sk_val_str_at(job, "status", "completionTime", NULL));
    if (t >= 0) return t;
    const struct sk_val *c = pu_condition(job, "Failed");
    if (c &&
        !strcmp(sk_val_str_at(c, "status", NULL) ? sk_val_str_at(c, "status", NULL) : "", "True"))
        return ctl_time_parse(sk_val_str_at(c, "lastTransitionTime", NULL));
    return -1;
}

char *job_format_indexes(const int64_t *idx, size_t n)
{
    struct sk_buf b = {0};
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && idx[j + 1] == idx[j] + 1)
            j++;
        if (b.len) sk_buf_putc(&b, ',');
        if (j == i)
            sk_buf_printf(&b, "%lld", (long long)idx[i]);
        else
            sk_buf_printf(&b, "%lld-%lld", (long long)idx[i], (long long)idx[j]);
        i = j + 1;
    }
    return sk_buf_take(&b, NULL);
}

/* Parse "1,3-5" into a bitmap of n bits; bad parts are ignored. */
static void parse_indexes(const char *s, bool *set, int64_t n)
{
    while (s && *s) {
        char *end;
        long long a = strtoll(s, &end, 10), b = a;
        if (end == s) break;
        if (*end == '-') {
            const char *q = end + 1;
            b = strtoll(q, &end, 10);
            if (end == q) break;
        }
        for (long long i = a < 0 ? 0 : a; i <= b && i < n; i++)
            set[i] = true;
        s = *end == ',' ? end + 1 : NULL;
    }
}

static int64_t pod_index(const struct sk_val *pod)
{
    const char *s = sk_obj_annotation(pod, JOB_INDEX_KEY);
    if (!s) s = sk_obj_label(pod, JOB_INDEX_KEY);
    if (!s || !*s) return -1;
    char *end;
    long long v = strtoll(s, &end, 10);
    return *end || v < 0 ? -1 : v;
}

static bool phase_is(const struct sk_val *pod, const char *phase)
{
    return !strcmp(pu_pod_phase(pod), phase);
}

static bool pod_failed(const struct sk_val *pod, const struct sk_val *job)
{
    if (phase_is(pod, "Failed")) return true;
    const char *prp = sk_val_str_at(job, "spec", "podReplacementPolicy", NULL);
    bool only_failed =
            (prp && !strcmp(prp, "Failed")) || sk_val_at(job, "spec", "podFailurePolicy", NULL);
    if (only_failed) return false;
    return pu_pod_terminating(pod) && !phase_is(pod, "Succeeded");
}

/* podFailurePolicy: the action of the first rule matching a Failed pod
 * ("" when none), with upstream's message for FailJob into msg. */
static const char *pfp_action(const struct sk_val *job, const struct sk_val *pod, char *msg,
                              size_t len)
{
    const struct sk_val *rules = sk_val_at(job, "spec", "podFailurePolicy", "rules", NULL);
    if (!sk_arr_len(rules) || !phase_is(pod, "Failed")) return "";
    const char *ns = sk_obj_namespace(pod) ? sk_obj_namespace(pod) : "";
    const char *pn = sk_obj_name(pod) ? sk_obj_name(pod) : "";
    for (size_t r = 0; r < sk_arr_len(rules); r++) {
        const struct sk_val *rule = sk_arr_get(rules, r);
        const char *action = sk_val_str_at(rule, "action", NULL);
        if (!action) continue;
        const struct sk_val *oe = sk_map_get(rule, "onExitCodes");
        if (oe) {
            const char *cn = sk_val_str_at(oe, "containerName", NULL);
            const char *op = sk_val_str_at(oe, "operator", NULL);
            const struct sk_val *vals = sk_map_get(oe, "values");
            static const char *const lists[] = {"initContainerStatuses", "containerStatuses"};
            for (size_t l = 0; l < 2; l++) {
                const struct sk_val *cs = sk_val_at(pod, "status", lists[l], NULL);
                for (size_t i = 0; i < sk_arr_len(cs); i++) {
                    const struct sk_val *c = sk_arr_get(cs, i);
                    const char *name = sk_val_str_at(c, "name", NULL);
                    const struct sk_val *ec = sk_val_at(c, "state", "terminated", "exitCode", NULL);
                    if (!sk_val_is(ec, SK_V_INT) || ec->u.i == 0) continue;
                    if (cn && (!name || strcmp(cn, name))) continue;
                    bool in = false;
                    for (size_t k = 0; k < sk_arr_len(vals); k++)
                        in |= sk_val_to_int(sk_arr_get(vals, k), -1) == ec->u.i;
                    if (op && ((!strcmp(op, "In") && in) || (!strcmp(op, "NotIn") && !in))) {
                        snprintf(msg, len,
                                 "Container %s for pod %s/%s failed with exit code %lld "
                                 "matching %s rule at index %zu",
                                 name ? name : "", ns, pn, (long long)ec->u.i, action, r);
                        return action;
                    }
                }
            }
        }
        const struct sk_val *pcs = sk_map_get(rule, "onPodConditions");
        for (size_t k = 0; k < sk_arr_len(pcs); k++) {
            const char *type = sk_val_str_at(sk_arr_get(pcs, k), "type", NULL);
            const char *want = sk_val_str_at(sk_arr_get(pcs, k), "status", NULL);
            const struct sk_val *pc = type ? pu_condition(pod, type) : NULL;
            const char *have = pc ? sk_val_str_at(pc, "status", NULL) : NULL;
            if (have && !strcmp(have, want ? want : "True")) {
                snprintf(msg, len, "Pod %s/%s has condition %s matching %s rule at index %zu", ns,
                         pn, type, action, r);
                return action;
            }
        }
    }
    return "";
}

/* When a pod finished: its containers' latest finishedAt, else the
 * deletion time, else its creation. */
static double pod_finish_time(const struct sk_val *pod)
{
    double best = -1;
    static const char *const lists[] = {"containerStatuses", "initContainerStatuses"};
    for (size_t l = 0; l < 2; l++) {
        const struct sk_val *cs = sk_val_at(pod, "status", lists[l], NULL);
        for (size_t i = 0; i < sk_arr_len(cs); i++) {
            double t = ctl_time_parse(
                    sk_val_str_at(sk_arr_get(cs, i), "state", "terminated", "finishedAt", NULL));
            if (t > best) best = t;
        }
    }
    if (best < 0) best = ctl_time_parse(sk_val_str_at(pod, "metadata", "deletionTimestamp", NULL));
    if (best < 0) best = pu_obj_created(pod);
    return best;
}

static bool uid_in(const struct sk_val *arr, const char *uid)
{
    for (size_t i = 0; uid && i < sk_arr_len(arr); i++) {
        const char *s = sk_val_cstr(sk_arr_get(arr, i));
        if (s && !strcmp(s, uid)) return true;
    }
    return false;
}

static const struct sk_val *pod_by_uid(const struct sk_val *const *pods, size_t n, const char *uid)
{
    for (size_t i = 0; uid && i < n; i++) {
        const char *u = pu_uid(pods[i]);
        if (u && !strcmp(u, uid)) return pods[i];
    }
    return NULL;
}

static bool cond_true(const struct sk_val *job, const char *type)
{
    const struct sk_val *c = pu_condition(job, type);
    const char *s = c ? sk_val_str_at(c, "status", NULL) : NULL;
    return s && !strcmp(s, "True");
}

/* Set condition type in status (a map) as upstream's ensureJobConditionStatus:
 * a new transition stamps both times, an unchanged status keeps them. */
static void set_cond(struct sk_val *status, const char *type, const char *st, const char *reason,
                     const char *msg, double now)
{
    struct sk_val *conds = sk_map_get(status, "conditions");
    if (!sk_val_is(conds, SK_V_ARR)) conds = sk_map_set(status, "conditions", sk_val_arr());
    char ts[32];
    ctl_time_str(now, ts);
    struct sk_val *c = pu_cond_in(conds, type);
    if (c) {
        const char *old = sk_val_str_at(c, "status", NULL);
        if (old && !strcmp(old, st)) {
            sk_map_set(c, "reason", sk_val_str(reason));
            sk_map_set(c, "message", sk_val_str(msg));
            return;
        }
    } else {
        c = sk_arr_push(conds, sk_val_map());
        sk_map_set(c, "type", sk_val_str(type));
    }
    sk_map_set(c, "status", sk_val_str(st));
    sk_map_set(c, "lastProbeTime", sk_val_str(ts));
    sk_map_set(c, "lastTransitionTime", sk_val_str(ts));
    sk_map_set(c, "reason", sk_val_str(reason));
    sk_map_set(c, "message", sk_val_str(msg));
}

static void push_ptr(const struct sk_val ***arr, size_t *n, const struct sk_val *v)
{
    *arr = sk_xrealloc(*arr, (*n + 1) * sizeof(**arr));
    (*arr)[(*n)++] = v;
}

/* Deletion order among active pods: unassigned, then pending, then not
 * ready, then the newest first (controller.ActivePods ordering). */
static int del_rank_cmp(const void *a, const void *b)
{
    const struct sk_val *x = *(const struct sk_val *const *)a,
                        *y = *(const struct sk_val *const *)b;
    bool xa = sk_val_str_at(x, "spec", "nodeName", NULL) != NULL;
    bool ya = sk_val_str_at(y, "spec", "nodeName", NULL) != NULL;
    if (xa != ya) return xa ? 1 : -1;
    bool xr = phase_is(x, "Running"), yr = phase_is(y, "Running");
    if (xr != yr) return xr ? 1 : -1;
    bool xd = pu_pod_ready(x), yd = pu_pod_ready(y);
    if (xd != yd) return xd ? 1 : -1;
    double cx = pu_obj_created(x), cy = pu_obj_created(y);
    return cx > cy ? -1 : cx < cy ? 1 : 0;
}

void job_plan_free(struct job_plan *p)
{
    sk_val_free(p->status);
    free(p->create_idx);
    free(p->del);
    free(p->unfinalize);
    memset(p, 0, sizeof(*p));
}

static void set_or_del_int(struct sk_val *st, const char *key, int64_t v, bool keep_zero)
{
    if (v || keep_zero)
        sk_map_set(st, key, sk_val_int(v));
    else
        sk_map_del(st, key);
}

static void requeue_at(struct job_plan *out, double after)
{
    if (after <= 0) after = 0.001;
    if (out->requeue <= 0 || after < out->requeue) out->requeue = after;
}

void job_plan(const struct sk_val *job, const struct sk_val *const *pods, size_t npods, double now,
              struct job_plan *out)
{
    memset(out, 0, sizeof(*out));
    const struct sk_val *spec = sk_map_get(job, "spec");
    const struct sk_val *old = sk_map_get(job, "status");
    struct sk_val *st = sk_val_is(old, SK_V_MAP) ? sk_val_dup(old) : sk_val_map();
    const char *mode = sk_val_str_at(spec, "completionMode", NULL);
    bool indexed = mode && !strcmp(mode, "Indexed");
    const struct sk_val *compv = sk_map_get(spec, "completions");
    bool has_comp = sk_val_is(compv, SK_V_INT);
    int64_t completions = has_comp ? compv->u.i : 0;
    int64_t parallelism = sk_val_to_int(sk_map_get(spec, "parallelism"), 1);
    int64_t backoff_limit = sk_val_to_int(sk_map_get(spec, "backoffLimit"), 6);
    bool suspend = sk_val_to_bool(sk_map_get(spec, "suspend"), false);
    bool finished = job_finished(job, NULL);

    /* ---- 1. count pods whose finalizer is gone ---- */
    int64_t succeeded = sk_val_to_int(sk_map_get(st, "succeeded"), 0);
    int64_t failed = sk_val_to_int(sk_map_get(st, "failed"), 0);
    struct sk_val *unc = sk_map_get(st, "uncountedTerminatedPods");
    if (!sk_val_is(unc, SK_V_MAP)) unc = sk_map_set(st, "uncountedTerminatedPods", sk_val_map());
    struct sk_val *unc_s = sk_map_get(unc, "succeeded"), *unc_f = sk_map_get(unc, "failed");
    if (!sk_val_is(unc_s, SK_V_ARR)) unc_s = sk_map_set(unc, "succeeded", sk_val_arr());
    if (!sk_val_is(unc_f, SK_V_ARR)) unc_f = sk_map_set(unc, "failed", sk_val_arr());
    for (int pass = 0; pass < 2; pass++) {
        struct sk_val *arr = pass ? unc_f : unc_s;
        for (size_t i = sk_arr_len(arr); i-- > 0;) {
            const struct sk_val *pod = pod_by_uid(pods, npods, sk_val_cstr(sk_arr_get(arr, i)));
            if (pod && job_pod_has_finalizer(pod)) {
                push_ptr(&out->unfinalize, &out->nunfinalize, pod); /* retry the removal */
                continue;
            }
            if (pass)
                failed++;
            else
                succeeded++;
            sk_arr_remove(arr, i);
        }
    }

    /* ---- 2. newly finished pods ---- */
    const struct sk_val **active = NULL;
    size_t nactive = 0;
    int64_t ready = 0, terminating = 0;
    double last_success = -1, last_failure = -1;
    bool pfp_fail = false;
    char pfp_msg[256] = "";
    for (size_t i = 0; i < npods; i++) {
        const struct sk_val *pod = pods[i];
        const char *uid = pu_uid(pod);
        bool ok = phase_is(pod, "Succeeded"), bad = !ok && pod_failed(pod, job);
        if (ok && pod_finish_time(pod) > last_success) last_success = pod_finish_time(pod);
        if (pu_pod_active(pod)) {
            push_ptr(&active, &nactive, pod);
            if (pu_pod_ready(pod)) ready++;
        } else if (pu_pod_terminating(pod) && !ok && !phase_is(pod, "Failed")) {
            terminating++;
        }
        char pmsg[256];
        const char *action = bad ? pfp_action(job, pod, pmsg, sizeof pmsg) : "";
        if (!strcmp(action, "FailJob") && !pfp_fail) {
            snprintf(pfp_msg, sizeof pfp_msg, "%s", pmsg);
            pfp_fail = true;
        }
        if (!job_pod_has_finalizer(pod) || uid_in(unc_s, uid) || uid_in(unc_f, uid)) continue;
        if (!strcmp(action, "Ignore")) {
            push_ptr(&out->unfinalize, &out->nunfinalize, pod); /* not counted */
        } else if (ok) {
            sk_arr_push(unc_s, sk_val_str(uid ? uid : ""));
            push_ptr(&out->unfinalize, &out->nunfinalize, pod);
        } else if (bad || (finished && !pu_pod_active(pod))) {
            sk_arr_push(unc_f, sk_val_str(uid ? uid : ""));
            push_ptr(&out->unfinalize, &out->nunfinalize, pod);
        }
    }
    /* failures since the last success, for the pod-creation back-off */
    int64_t recent_fail = 0;
    for (size_t i = 0; i < npods; i++) {
        if (phase_is(pods[i], "Succeeded") || !pod_failed(pods[i], job)) continue;
        char pmsg[256];
        if (!strcmp(pfp_action(job, pods[i], pmsg, sizeof pmsg), "Ignore")) continue;
        double t = pod_finish_time(pods[i]);
        if (t <= last_success) continue;
        recent_fail++;
        if (t > last_failure) last_failure = t;
    }
    int64_t n_unc = (int64_t)(sk_arr_len(unc_s) + sk_arr_len(unc_f));
    int64_t total_succ = succeeded + (int64_t)sk_arr_len(unc_s);
    int64_t total_fail = failed + (int64_t)sk_arr_len(unc_f);

    /* Indexed: completed indexes */
    bool *done_idx = NULL;
    int64_t ndone = 0;
    if (indexed && completions > 0 && completions <= 1000000) {
        done_idx = sk_xcalloc((size_t)completions, 1);
        parse_indexes(sk_val_str_at(old, "completedIndexes", NULL), done_idx, completions);
        for (size_t i = 0; i < npods; i++) {
            int64_t ix = pod_index(pods[i]);
            if (phase_is(pods[i], "Succeeded") && ix >= 0 && ix < completions) done_idx[ix] = true;
        }
        int64_t *list = sk_xcalloc((size_t)completions, sizeof(*list));
        for (int64_t i = 0; i < completions; i++)
            if (done_idx[i]) list[ndone++] = i;
        char *s = job_format_indexes(list, (size_t)ndone);
        sk_map_set(st, "completedIndexes", sk_val_str(s));
        free(s);
        free(list);
        total_succ = ndone;
        succeeded = ndone - (int64_t)sk_arr_len(unc_s);
        if (succeeded < 0) succeeded = 0;
    }

    /* ---- 3. decide ---- */
    bool start_now = false;
    if (!finished && !suspend && !sk_map_get(st, "startTime")) start_now = true;
    if (start_now) {
        char ts[32];
        sk_map_set(st, "startTime", sk_val_str(ctl_time_str(now, ts)));
    }
    double start = ctl_time_parse(sk_val_str_at(st, "startTime", NULL));
    bool pending_pods = nactive > 0 || terminating > 0 || n_unc > 0;
    bool fail_target = cond_true(job, "FailureTarget");
    bool succ_target = cond_true(job, "SuccessCriteriaMet");
    const char *fail_reason = NULL, *fail_msg = NULL;
    if (!finished && !fail_target && !succ_target) {
        const struct sk_val *ads = sk_map_get(spec, "activeDeadlineSeconds");
        if (pfp_fail) {
            fail_reason = "PodFailurePolicy";
            fail_msg = pfp_msg;
        } else if (total_fail > backoff_limit) {
            fail_reason = "BackoffLimitExceeded";
            fail_msg = MSG_BACKOFF;
        } else if (sk_val_is(ads, SK_V_INT) && !suspend && start >= 0) {
            double deadline = start + (double)ads->u.i;
            if (now >= deadline) {
                fail_reason = "DeadlineExceeded";
                fail_msg = MSG_DEADLINE;
            } else {
                requeue_at(out, deadline - now);
            }
        }
        if (fail_reason) {
            set_cond(st, "FailureTarget", "True", fail_reason, fail_msg, now);
            fail_target = true;
        } else {
            bool complete = indexed    ? (completions > 0 && ndone >= completions)
                            : has_comp ? total_succ >= completions
                                       : (total_succ > 0 && nactive == 0);
            if (complete) {
                set_cond(st, "SuccessCriteriaMet", "True", "CompletionsReached", MSG_COMPLETE, now);
                succ_target = true;
            }
        }
    }
    if (!finished && (fail_target || succ_target)) {
        /* terminal: no more pods; finish once every pod is accounted for */
        for (size_t i = 0; i < nactive; i++)
            push_ptr(&out->del, &out->ndel, active[i]);
        if (!pending_pods) {
            const struct sk_val *tc =
                    fail_target ? pu_cond_in(sk_map_get(st, "conditions"), "FailureTarget") : NULL;
            if (fail_target) {
                const char *r = tc ? sk_val_str_at(tc, "reason", NULL) : NULL;
                const char *m = tc ? sk_val_str_at(tc, "message", NULL) : NULL;
                char rb[64], mb[320];
                snprintf(rb, sizeof rb, "%s", r ? r : "BackoffLimitExceeded");
                snprintf(mb, sizeof mb, "%s", m ? m : MSG_BACKOFF);
                set_cond(st, "Failed", "True", rb, mb, now);
                out->ev_type = "Warning";
                out->ev_reason = !strcmp(rb, "DeadlineExceeded")   ? "DeadlineExceeded"
                                 : !strcmp(rb, "PodFailurePolicy") ? "PodFailurePolicy"
                                                                   : "BackoffLimitExceeded";
                snprintf(out->ev_msg, sizeof out->ev_msg, "%s", mb);
            } else {
                set_cond(st, "Complete", "True", "CompletionsReached", MSG_COMPLETE, now);
                char ts[32];
                sk_map_set(st, "completionTime", sk_val_str(ctl_time_str(now, ts)));
                out->ev_type = "Normal";
                out->ev_reason = "Completed";
                snprintf(out->ev_msg, sizeof out->ev_msg, "Job completed");
            }
            finished = true;
        }
    } else if (!finished && suspend) {
        for (size_t i = 0; i < nactive; i++)
            push_ptr(&out->del, &out->ndel, active[i]);
        if (!cond_true(job, "Suspended")) {
            set_cond(st, "Suspended", "True", "JobSuspended", "Job suspended", now);
            out->ev_type = "Normal";
            out->ev_reason = "Suspended";
            snprintf(out->ev_msg, sizeof out->ev_msg, "Job suspended");
        }
    } else if (!finished) {
        if (cond_true(job, "Suspended")) {
            set_cond(st, "Suspended", "False", "JobResumed", "Job resumed", now);
            char ts[32];
            sk_map_set(st, "startTime", sk_val_str(ctl_time_str(now, ts)));
            out->ev_type = "Normal";
            out->ev_reason = "Resumed";
            snprintf(out->ev_msg, sizeof out->ev_msg, "Job resumed");
        }
        /* how many should run */
        int64_t want;
        if (indexed) {
            want = completions - ndone;
        } else if (has_comp) {
            want = completions - total_succ;
        } else {
            want = total_succ > 0 ? (int64_t)nactive : parallelism;
        }
        if (want > parallelism) want = parallelism;
        if (want < 0) want = 0;
        /* Indexed: surplus pods are those of done or duplicate indexes */
        bool *busy = indexed && done_idx ? sk_xcalloc((size_t)completions, 1) : NULL;
        const struct sk_val **keep = NULL;
        size_t nkeep = 0;
        for (size_t i = 0; i < nactive; i++) {
            if (busy) {
                int64_t ix = pod_index(active[i]);
                if (ix < 0 || ix >= completions || done_idx[ix] || busy[ix]) {
                    push_ptr(&out->del, &out->ndel, active[i]);
                    continue;
                }
                busy[ix] = true;
            }
            push_ptr(&keep, &nkeep, active[i]);
        }
        if ((int64_t)nkeep > want) {
            qsort(keep, nkeep, sizeof(*keep), del_rank_cmp);
            for (int64_t i = 0; i < (int64_t)nkeep - want; i++)
                push_ptr(&out->del, &out->ndel, keep[i]);
        } else if ((int64_t)nkeep < want) {
            double wait = 0;
            if (recent_fail > 0 && last_failure > 0) {
                double d = JOB_BACKOFF_BASE * pow(2.0, (double)(recent_fail - 1));
                if (d > JOB_BACKOFF_MAX) d = JOB_BACKOFF_MAX;
                wait = last_failure + d - now;
            }
            if (wait > 0) {
                requeue_at(out, wait);
            } else {
                int64_t n = want - (int64_t)nkeep;
                if (busy) {
                    out->create_idx = sk_xcalloc((size_t)n, sizeof(int64_t));
                    for (int64_t ix = 0; ix < completions && out->ncreate < n; ix++)
                        if (!done_idx[ix] && !busy[ix]) out->create_idx[out->ncreate++] = ix;
                } else {
                    out->ncreate = n;
                }
            }
        }
        free(keep);
        free(busy);
    }
    free(done_idx);

    /* ---- 4. status ---- */
    int64_t nactive_after = (int64_t)nactive;
    set_or_del_int(st, "active", nactive_after, false);
    set_or_del_int(st, "succeeded", succeeded, false);
    set_or_del_int(st, "failed", failed, false);
    set_or_del_int(st, "ready", ready, true);
    set_or_del_int(st, "terminating", terminating, true);
    if (!sk_arr_len(unc_s)) sk_map_del(unc, "succeeded");
    if (!sk_arr_len(unc_f)) sk_map_del(unc, "failed");
    if (finished) {
        const struct sk_val *ttl = sk_map_get(spec, "ttlSecondsAfterFinished");
        double ft = job_finish_time(job);
        if (ft < 0 && !job_finished(job, NULL)) ft = now; /* finishing in this plan */
        if (sk_val_is(ttl, SK_V_INT) && ft >= 0) {
            double expire = ft + (double)ttl->u.i;
            if (now >= expire && job_finished(job, NULL))
                out->ttl_delete = true;
            else
                requeue_at(out, expire - now);
        }
    }
    free(active);
    if (sk_val_equal(st, old) ||
        (!old && sk_map_len(st) == 1 && !sk_map_len(sk_map_get(st, "uncountedTerminatedPods")))) {
        sk_val_free(st);
    } else {
        out->status = st;
    }
}

struct sk_val *job_new_pod(const struct sk_val *job, int64_t index)
{
    const struct sk_val *tmpl = sk_val_at(job, "spec", "template", NULL);
    struct sk_val *ref = ctl_owner_ref(job);
    const char *name = sk_obj_name(job) ? sk_obj_name(job) : "";
    char prefix[320];
    if (index >= 0)
        snprintf(prefix, sizeof prefix, "%s-%lld", name, (long long)index);
    else
        snprintf(prefix, sizeof prefix, "%s", name);
    struct sk_val *pod = pu_pod_from_template(tmpl, sk_obj_namespace(job), prefix, ref);
    sk_val_free(ref);
    struct sk_val *meta = sk_map_get(pod, "metadata");
    struct sk_val *fin = sk_map_get(meta, "finalizers");
    if (!sk_val_is(fin, SK_V_ARR)) fin = sk_map_set(meta, "finalizers", sk_val_arr());
    sk_arr_push(fin, sk_val_str(JOB_FINALIZER));
    /* The API's generateSelector puts these on the template; a job whose
     * template lacks them (manualSelector, or created before its uid was
     * known) still gets pods labelled as upstream's. */
    const char *uid = pu_uid(job);
    static const char *const name_labels[] = {"batch.kubernetes.io/job-name", "job-name"};
    static const char *const uid_labels[] = {"batch.kubernetes.io/controller-uid",
                                             "controller-uid"};
    for (size_t i = 0; i < 2; i++) {
        if (!sk_obj_label(pod, name_labels[i])) sk_obj_set_label(pod, name_labels[i], name);
        if (uid && !sk_obj_label(pod, uid_labels[i])) sk_obj_set_label(pod, uid_labels[i], uid);
    }
    if (index >= 0) {
        char ix[32];
        snprintf(ix, sizeof ix, "%lld", (long long)index);
        sk_obj_set_annotation(pod, JOB_INDEX_KEY, ix);
        sk_obj_set_label(pod, JOB_INDEX_KEY, ix);
        struct sk_val *ps = sk_map_get(pod, "spec");
        if (!sk_val_str_at(ps, "hostname", NULL)) sk_map_set(ps, "hostname", sk_val_str(prefix));
        static const char *const lists[] = {"containers", "initContainers"};
        for (size_t l = 0; l < 2; l++) {
            struct sk_val *cs = sk_map_get(ps, lists[l]);
            for (size_t i = 0; i < sk_arr_len(cs); i++) {
                struct sk_val *c = sk_arr_get(cs, i);
                struct sk_val *env = sk_map_get(c, "env");
                bool have = false;
                for (size_t j = 0; j < sk_arr_len(env); j++) {
                    const char *n = sk_val_str_at(sk_arr_get(env, j), "name", NULL);
                    if (n && !strcmp(n, "JOB_COMPLETION_INDEX")) have = true;
                }
                if (have) continue;
                if (!sk_val_is(env, SK_V_ARR)) env = sk_map_set(c, "env", sk_val_arr());
                struct sk_val *e = sk_arr_push(env, sk_val_map());
                sk_map_set(e, "name", sk_val_str("JOB_COMPLETION_INDEX"));
                sk_val_set_at(e, sk_val_str("metadata.annotations['" JOB_INDEX_KEY "']"),
                              "valueFrom", "fieldRef", "fieldPath", NULL);
                sk_val_set_at(e, sk_val_str("v1"), "valueFrom", "fieldRef", "apiVersion", NULL);
            }
        }
    }
    return pod;
}
