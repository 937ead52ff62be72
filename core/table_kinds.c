/* The per-kind printers: the columns kube-apiserver's printers define for
 * each built-in kind (names, types, priorities) and how each cell is
 * worked out from the object, including the pod status summary that
 * kubectl users read. Descriptions are ours. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mem.h"
#include "quantity.h"
#include "selector.h"
#include "table.h"

#define NAME_COL                                                                                   \
    {                                                                                              \
        "Name", "string", "name", "Name of the object, unique in its namespace.", 0                \
    }
#define AGE_COL                                                                                    \
    {                                                                                              \
        "Age", "string", "", "Time since the object was created.", 0                               \
    }
#define CONTAINERS_COLS                                                                            \
    {"Containers", "string", "", "Names of the containers in the template.", 1},                   \
    {                                                                                              \
        "Images", "string", "", "Images of the containers in the template.", 1                     \
    }

static struct sk_val *strv(const char *s)
{
    return sk_val_str(s ? s : "");
}

static const char *or_none(const char *s)
{
    return s && *s ? s : "<none>";
}

static const char *name_of(const struct sk_val *obj)
{
    return sk_tbl_str(obj, "metadata.name");
}

static bool has_deletion(const struct sk_val *obj)
{
    return *sk_tbl_str(obj, "metadata.deletionTimestamp") != '\0';
}

static int64_t time_of(const char *ts)
{
    struct sk_time t;
    if (!ts || !*ts || sk_time_parse(ts, &t, NULL) != SK_OK || sk_time_is_zero(t)) return INT64_MIN;
    return t.sec;
}

/* The condition of type `type` whose status is True. */
static bool condition_true(const struct sk_val *conds, const char *type)
{
    for (size_t i = 0; i < sk_arr_len(conds); i++) {
        const struct sk_val *c = sk_arr_get(conds, i);
        if (!strcmp(sk_tbl_str(c, "type"), type)) return !strcmp(sk_tbl_str(c, "status"), "True");
    }
    return false;
}

static void cells_push_containers(const struct sk_val *obj, const char *podspec_path,
                                  struct sk_val *cells)
{
    sk_tbl_containers(sk_tbl_get(obj, podspec_path), cells);
}

/* LabelSelectorAsSelector(sel).String(): "" for a missing or empty
 * selector, "<invalid>" when it does not parse. */
static struct sk_val *selector_string(const struct sk_val *sel)
{
    if (!sel || sel->type != SK_V_MAP) return sk_val_str("");
    struct sk_labelsel *ls = NULL;
    if (sk_labelsel_from_val(sel, &ls, NULL) != SK_OK) return sk_val_str("<invalid>");
    char *s = sk_labelsel_string(ls);
    sk_labelsel_free(ls);
    struct sk_val *v = sk_val_str(s);
    free(s);
    return v;
}

/* ---- pods ---- */

static const struct sk_tbl_col pod_cols[] = {
        NAME_COL,
        {"Ready", "string", "", "Ready containers out of all containers.", 0},
        {"Status", "string", "", "Summary of the pod's and its containers' state.", 0},
        {"Restarts", "string", "",
         "Container restarts, and how long ago the last container restarted.", 0},
        AGE_COL,
        {"IP", "string", "", "The pod's IP address.", 1},
        {"Node", "string", "", "Node the pod is bound to.", 1},
        {"Nominated Node", "string", "", "Node the scheduler nominated after preemption.", 1},
        {"Readiness Gates", "string", "", "Readiness gate conditions that are True.", 1},
        {0},
};

static bool restartable_init(const struct sk_val *spec, const char *name)
{
    const struct sk_val *ic = sk_tbl_get(spec, "initContainers");
    for (size_t i = 0; i < sk_arr_len(ic); i++) {
        const struct sk_val *c = sk_arr_get(ic, i);
        if (!strcmp(sk_tbl_str(c, "name"), name))
            return !strcmp(sk_tbl_str(c, "restartPolicy"), "Always");
    }
    return false;
}

static void later(int64_t *best, const struct sk_val *cs)
{
    int64_t t = time_of(sk_tbl_str(cs, "lastState.terminated.finishedAt"));
    if (t > *best) *best = t;
}

static void pod_row(const struct sk_val *pod, int64_t now, struct sk_val *cells, struct sk_val *row)
{
    const struct sk_val *spec = sk_tbl_get(pod, "spec");
    const struct sk_val *status = sk_tbl_get(pod, "status");
    const struct sk_val *conds = sk_tbl_get(status, "conditions");
    int64_t restarts = 0, sidecar_restarts = 0;
    int64_t total = (int64_t)sk_arr_len(sk_tbl_get(spec, "containers")), ready = 0;
    int64_t last_restart = INT64_MIN, last_sidecar_restart = INT64_MIN;
    const char *phase = sk_tbl_str(status, "phase");
    char reason[256];
    snprintf(reason, sizeof reason, "%s",
             *sk_tbl_str(status, "reason") ? sk_tbl_str(status, "reason") : phase);

    for (size_t i = 0; i < sk_arr_len(conds); i++) {
        const struct sk_val *c = sk_arr_get(conds, i);
        if (!strcmp(sk_tbl_str(c, "type"), "PodScheduled") &&
            !strcmp(sk_tbl_str(c, "reason"), "SchedulingGated"))
            snprintf(reason, sizeof reason, "SchedulingGated");
    }
    if (!strcmp(phase, "Succeeded") || !strcmp(phase, "Failed")) {
        struct sk_val *rc = sk_map_set(row, "conditions", sk_val_arr());
        struct sk_val *c = sk_arr_push(rc, sk_val_map());
        sk_map_set(c, "type", sk_val_str("Completed"));
        sk_map_set(c, "status", sk_val_str("True"));
        sk_map_set(c, "reason", sk_val_str(phase));
        sk_map_set(c, "message",
                   sk_val_str(!strcmp(phase, "Succeeded") ? "All containers of the pod succeeded."
                                                          : "The pod failed."));
    }

    const struct sk_val *ics = sk_tbl_get(spec, "initContainers");
    size_t n_init = sk_arr_len(ics);
    for (size_t i = 0; i < n_init; i++)
        if (!strcmp(sk_tbl_str(sk_arr_get(ics, i), "restartPolicy"), "Always")) total++;

    /* init containers: the first that has not finished decides the status */
    bool initializing = false;
    const struct sk_val *iss = sk_tbl_get(status, "initContainerStatuses");
    for (size_t i = 0; i < sk_arr_len(iss); i++) {
        const struct sk_val *cs = sk_arr_get(iss, i);
        bool sidecar = restartable_init(spec, sk_tbl_str(cs, "name"));
        restarts += sk_tbl_int(cs, "restartCount", 0);
        later(&last_restart, cs);
        if (sidecar) {
            sidecar_restarts += sk_tbl_int(cs, "restartCount", 0);
            later(&last_sidecar_restart, cs);
        }
        const struct sk_val *term = sk_tbl_get(cs, "state.terminated");
        const char *wreason = sk_tbl_str(cs, "state.waiting.reason");
        if (term && sk_tbl_int(term, "exitCode", 0) == 0) continue;
        if (sidecar && sk_val_to_bool(sk_tbl_get(cs, "started"), false)) {
            if (sk_val_to_bool(sk_tbl_get(cs, "ready"), false)) ready++;
            continue;
        }
        if (term) {
            const char *tr = sk_tbl_str(term, "reason");
            if (!*tr) {
                int64_t sig = sk_tbl_int(term, "signal", 0);
                if (sig)
                    snprintf(reason, sizeof reason, "Init:Signal:%" PRId64, sig);
                else
                    snprintf(reason, sizeof reason, "Init:ExitCode:%" PRId64,
                             sk_tbl_int(term, "exitCode", 0));
            } else {
                snprintf(reason, sizeof reason, "Init:%s", tr);
            }
        } else if (*wreason && strcmp(wreason, "PodInitializing")) {
            snprintf(reason, sizeof reason, "Init:%s", wreason);
        } else {
            snprintf(reason, sizeof reason, "Init:%zu/%zu", i, n_init);
        }
        initializing = true;
        break;
    }

    if (!initializing || condition_true(conds, "Initialized")) {
        restarts = sidecar_restarts;
        last_restart = last_sidecar_restart;
        bool has_running = false;
        const struct sk_val *css = sk_tbl_get(status, "containerStatuses");
        for (size_t i = sk_arr_len(css); i-- > 0;) {
            const struct sk_val *cs = sk_arr_get(css, i);
            restarts += sk_tbl_int(cs, "restartCount", 0);
            later(&last_restart, cs);
            const char *wreason = sk_tbl_str(cs, "state.waiting.reason");
            const struct sk_val *term = sk_tbl_get(cs, "state.terminated");
            if (*wreason) {
                snprintf(reason, sizeof reason, "%s", wreason);
            } else if (term && *sk_tbl_str(term, "reason")) {
                snprintf(reason, sizeof reason, "%s", sk_tbl_str(term, "reason"));
            } else if (term) {
                int64_t sig = sk_tbl_int(term, "signal", 0);
                if (sig)
                    snprintf(reason, sizeof reason, "Signal:%" PRId64, sig);
                else
                    snprintf(reason, sizeof reason, "ExitCode:%" PRId64,
                             sk_tbl_int(term, "exitCode", 0));
            } else if (sk_val_to_bool(sk_tbl_get(cs, "ready"), false) &&
                       sk_tbl_get(cs, "state.running")) {
                has_running = true;
                ready++;
            }
        }
        /* a container still running keeps a pod whose other containers
         * completed from reading "Completed" */
        if (!strcmp(reason, "Completed") && has_running)
            snprintf(reason, sizeof reason, "%s",
                     condition_true(conds, "Ready") ? "Running" : "NotReady");
    }

    if (has_deletion(pod) && !strcmp(sk_tbl_str(status, "reason"), "NodeLost"))
        snprintf(reason, sizeof reason, "Unknown");
    else if (has_deletion(pod) && strcmp(phase, "Succeeded") && strcmp(phase, "Failed"))
        snprintf(reason, sizeof reason, "Terminating");

    char buf[96], ago[32];
    sk_arr_push(cells, strv(name_of(pod)));
    snprintf(buf, sizeof buf, "%" PRId64 "/%" PRId64, ready, total);
    sk_arr_push(cells, sk_val_str(buf));
    sk_arr_push(cells, sk_val_str(reason));
    if (restarts && last_restart != INT64_MIN) {
        sk_human_duration(now - last_restart, ago);
        snprintf(buf, sizeof buf, "%" PRId64 " (%s ago)", restarts, ago);
    } else {
        snprintf(buf, sizeof buf, "%" PRId64, restarts);
    }
    sk_arr_push(cells, sk_val_str(buf));
    sk_arr_push(cells, sk_tbl_age(pod, now));

    const char *ip = sk_tbl_str(sk_arr_get(sk_tbl_get(status, "podIPs"), 0), "ip");
    sk_arr_push(cells, sk_val_str(or_none(ip)));
    sk_arr_push(cells, sk_val_str(or_none(sk_tbl_str(spec, "nodeName"))));
    sk_arr_push(cells, sk_val_str(or_none(sk_tbl_str(status, "nominatedNodeName"))));
    const struct sk_val *gates = sk_tbl_get(spec, "readinessGates");
    if (sk_arr_len(gates)) {
        size_t ok = 0;
        for (size_t i = 0; i < sk_arr_len(gates); i++)
            if (condition_true(conds, sk_tbl_str(sk_arr_get(gates, i), "conditionType"))) ok++;
        snprintf(buf, sizeof buf, "%zu/%zu", ok, sk_arr_len(gates));
        sk_arr_push(cells, sk_val_str(buf));
    } else {
        sk_arr_push(cells, sk_val_str("<none>"));
    }
}

/* ---- workloads ---- */

static const struct sk_tbl_col deploy_cols[] = {
        NAME_COL,
        {"Ready", "string", "", "Ready pods out of desired pods.", 0},
        {"Up-to-date", "string", "", "Pods at the current template.", 0},
        {"Available", "string", "", "Pods available to serve.", 0},
        AGE_COL,
        CONTAINERS_COLS,
        {"Selector", "string", "", "Label selector of the pods.", 1},
        {0},
};

static void deploy_row(const struct sk_val *o, int64_t now, struct sk_val *cells,
                       struct sk_val *row)
{
    (void)row;
    char buf[64];
    sk_arr_push(cells, strv(name_of(o)));
    snprintf(buf, sizeof buf, "%" PRId64 "/%" PRId64, sk_tbl_int(o, "status.readyReplicas", 0),
             sk_tbl_int(o, "spec.replicas", 0));
    sk_arr_push(cells, sk_val_str(buf));
    sk_arr_push(cells, sk_val_int(sk_tbl_int(o, "status.updatedReplicas", 0)));
    sk_arr_push(cells, sk_val_int(sk_tbl_int(o, "status.availableReplicas", 0)));
    sk_arr_push(cells, sk_tbl_age(o, now));
    cells_push_containers(o, "spec.template.spec", cells);
    sk_arr_push(cells, selector_string(sk_tbl_get(o, "spec.selector")));
}

static const struct sk_tbl_col rs_cols[] = {
        NAME_COL,
        {"Desired", "integer", "", "Desired number of pods.", 0},
        {"Current", "integer", "", "Pods that exist.", 0},
        {"Ready", "integer", "", "Pods that are ready.", 0},
        AGE_COL,
        CONTAINERS_COLS,
        {"Selector", "string", "", "Label selector of the pods.", 1},
        {0},
};

static void rs_row(const struct sk_val *o, int64_t now, struct sk_val *cells, struct sk_val *row)
{
    (void)row;
    sk_arr_push(cells, strv(name_of(o)));
    sk_arr_push(cells, sk_val_int(sk_tbl_int(o, "spec.replicas", 0)));
    sk_arr_push(cells, sk_val_int(sk_tbl_int(o, "status.replicas", 0)));
    sk_arr_push(cells, sk_val_int(sk_tbl_int(o, "status.readyReplicas", 0)));
    sk_arr_push(cells, sk_tbl_age(o, now));
    cells_push_containers(o, "spec.template.spec", cells);
    sk_arr_push(cells, sk_tbl_selector(sk_tbl_get(o, "spec.selector")));
}

static void rc_row(const struct sk_val *o, int64_t now, struct sk_val *cells, struct sk_val *row)
{
    (void)row;
    sk_arr_push(cells, strv(name_of(o)));
    sk_arr_push(cells, sk_val_int(sk_tbl_int(o, "spec.replicas", 0)));
    sk_arr_push(cells, sk_val_int(sk_tbl_int(o, "status.replicas", 0)));
    sk_arr_push(cells, sk_val_int(sk_tbl_int(o, "status.readyReplicas", 0)));
    sk_arr_push(cells, sk_tbl_age(o, now));
    cells_push_containers(o, "spec.template.spec", cells);
    sk_arr_push(cells, sk_tbl_labels(sk_tbl_get(o, "spec.selector")));
}

static const struct sk_tbl_col ds_cols[] = {
        NAME_COL,
        {"Desired", "integer", "", "Nodes that should run the daemon pod.", 0},
        {"Current", "integer", "", "Nodes running the daemon pod.", 0},
        {"Ready", "integer", "", "Nodes whose daemon pod is ready.", 0},
        {"Up-to-date", "integer", "", "Nodes running the current template.", 0},
        {"Available", "integer", "", "Nodes whose daemon pod is available.", 0},
        {"Node Selector", "string", "", "Node labels the pods are limited to.", 0},
        AGE_COL,
        CONTAINERS_COLS,
        {"Selector", "string", "", "Label selector of the pods.", 1},
        {0},
};

static void ds_row(const struct sk_val *o, int64_t now, struct sk_val *cells, struct sk_val *row)
{
    (void)row;
    sk_arr_push(cells, strv(name_of(o)));
    sk_arr_push(cells, sk_val_int(sk_tbl_int(o, "status.desiredNumberScheduled", 0)));
    sk_arr_push(cells, sk_val_int(sk_tbl_int(o, "status.currentNumberScheduled", 0)));
    sk_arr_push(cells, sk_val_int(sk_tbl_int(o, "status.numberReady", 0)));
    sk_arr_push(cells, sk_val_int(sk_tbl_int(o, "status.updatedNumberScheduled", 0)));
    sk_arr_push(cells, sk_val_int(sk_tbl_int(o, "status.numberAvailable", 0)));
    sk_arr_push(cells, sk_tbl_labels(sk_tbl_get(o, "spec.template.spec.nodeSelector")));
    sk_arr_push(cells, sk_tbl_age(o, now));
    cells_push_containers(o, "spec.template.spec", cells);
    sk_arr_push(cells, sk_tbl_selector(sk_tbl_get(o, "spec.selector")));
}

static const struct sk_tbl_col sts_cols[] = {
        NAME_COL, {"Ready", "string", "", "Ready pods out of desired pods.", 0},
        AGE_COL,  CONTAINERS_COLS,
        {0},
};

static void sts_row(const struct sk_val *o, int64_t now, struct sk_val *cells, struct sk_val *row)
{
    (void)row;
    char buf[64];
    sk_arr_push(cells, strv(name_of(o)));
    snprintf(buf, sizeof buf, "%" PRId64 "/%" PRId64, sk_tbl_int(o, "status.readyReplicas", 0),
             sk_tbl_int(o, "spec.replicas", 0));
    sk_arr_push(cells, sk_val_str(buf));
    sk_arr_push(cells, sk_tbl_age(o, now));
    cells_push_containers(o, "spec.template.spec", cells);
}

static const struct sk_tbl_col cr_cols[] = {
        NAME_COL,
        {"Controller", "string", "", "The object that owns this revision.", 0},
        {"Revision", "string", "", "Revision number.", 0},
        AGE_COL,
        {0},
};

static void cr_row(const struct sk_val *o, int64_t now, struct sk_val *cells, struct sk_val *row)
{
    (void)row;
    sk_arr_push(cells, strv(name_of(o)));
    const struct sk_val *owner = sk_obj_controller_ref(o);
    if (owner) {
        /* GroupKind.String() lower-cased: "daemonset.apps/name" */
        const char *av = sk_tbl_str(owner, "apiVersion");
        const char *slash = strchr(av, '/');
        char *gk = slash ? sk_xasprintf("%s.%.*s", sk_tbl_str(owner, "kind"), (int)(slash - av), av)
                         : sk_xstrdup(sk_tbl_str(owner, "kind"));
        for (char *p = gk; *p; p++)
            if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
        sk_arr_push(cells, sk_val_strf("%s/%s", gk, sk_tbl_str(owner, "name")));
        free(gk);
    } else {
        sk_arr_push(cells, sk_val_str("<none>"));
    }
    sk_arr_push(cells, sk_val_int(sk_tbl_int(o, "revision", 0)));
    sk_arr_push(cells, sk_tbl_age(o, now));
}

static const struct sk_tbl_col job_cols[] = {
        NAME_COL,
        {"Status", "string", "", "Complete, Failed, Running, Suspended, ...", 0},
        {"Completions", "string", "", "Succeeded pods out of the completions wanted.", 0},
        {"Duration", "string", "", "How long the job ran, or has been running.", 0},
        AGE_COL,
        CONTAINERS_COLS,
        {"Selector", "string", "", "Label selector of the pods.", 1},
        {0},
};

static void job_row(const struct sk_val *o, int64_t now, struct sk_val *cells, struct sk_val *row)
{
    (void)row;
    char buf[96];
    int64_t succeeded = sk_tbl_int(o, "status.succeeded", 0);
    const struct sk_val *comp = sk_tbl_get(o, "spec.completions");
    int64_t par = sk_tbl_int(o, "spec.parallelism", 0);
    if (comp)
        snprintf(buf, sizeof buf, "%" PRId64 "/%" PRId64, succeeded, sk_val_to_int(comp, 0));
    else if (par > 1)
        snprintf(buf, sizeof buf, "%" PRId64 "/1 of %" PRId64, succeeded, par);
    else
        snprintf(buf, sizeof buf, "%" PRId64 "/1", succeeded);
    const struct sk_val *conds = sk_tbl_get(o, "status.conditions");
    const char *status = condition_true(conds, "Complete")        ? "Complete"
                         : condition_true(conds, "Failed")        ? "Failed"
                         : has_deletion(o)                        ? "Terminating"
                         : condition_true(conds, "Suspended")     ? "Suspended"
                         : condition_true(conds, "FailureTarget") ? "FailureTarget"
                                                                  : "Running";
    sk_arr_push(cells, strv(name_of(o)));
    sk_arr_push(cells, sk_val_str(status));
    sk_arr_push(cells, sk_val_str(buf));
    int64_t start = time_of(sk_tbl_str(o, "status.startTime"));
    int64_t end = time_of(sk_tbl_str(o, "status.completionTime"));
    if (start == INT64_MIN) {
        sk_arr_push(cells, sk_val_str(""));
    } else {
        char d[32];
        sk_human_duration((end == INT64_MIN ? now : end) - start, d);
        sk_arr_push(cells, sk_val_str(d));
    }
    sk_arr_push(cells, sk_tbl_age(o, now));
    cells_push_containers(o, "spec.template.spec", cells);
    sk_arr_push(cells, sk_tbl_selector(sk_tbl_get(o, "spec.selector")));
}

static const struct sk_tbl_col cj_cols[] = {
        NAME_COL,
        {"Schedule", "string", "", "Cron schedule of the job runs.", 0},
        {"Timezone", "string", "", "Time zone of the schedule.", 0},
        {"Suspend", "boolean", "", "Whether new runs are held back.", 0},
        {"Active", "integer", "", "Jobs running now.", 0},
        {"Last Schedule", "string", "", "Time since a job was last started.", 0},
        AGE_COL,
        CONTAINERS_COLS,
        {"Selector", "string", "", "Label selector of the jobs' pods.", 1},
        {0},
};

static void cj_row(const struct sk_val *o, int64_t now, struct sk_val *cells, struct sk_val *row)
{
    (void)row;
    sk_arr_push(cells, strv(name_of(o)));
    sk_arr_push(cells, strv(sk_tbl_str(o, "spec.schedule")));
    sk_arr_push(cells, sk_val_str(or_none(sk_val_cstr(sk_tbl_get(o, "spec.timeZone")))));
    const struct sk_val *sus = sk_tbl_get(o, "spec.suspend");
    sk_arr_push(cells, sk_val_str(!sus || sus->type != SK_V_BOOL ? "<unset>"
                                  : sus->u.b                     ? "True"
                                                                 : "False"));
    sk_arr_push(cells, sk_val_int((int64_t)sk_arr_len(sk_tbl_get(o, "status.active"))));
    const char *last = sk_tbl_str(o, "status.lastScheduleTime");
    sk_arr_push(cells, *last ? sk_tbl_since(last, now) : sk_val_str("<none>"));
    sk_arr_push(cells, sk_tbl_age(o, now));
    cells_push_containers(o, "spec.jobTemplate.spec.template.spec", cells);
    sk_arr_push(cells, sk_tbl_selector(sk_tbl_get(o, "spec.jobTemplate.spec.selector")));
}

static const struct sk_tbl_col hpa_cols[] = {
        NAME_COL,
        {"Reference", "string", "", "The workload being scaled.", 0},
        {"Targets", "string", "", "Current and target metric values.", 0},
        {"MinPods", "string", "", "Lower bound of the replica count.", 0},
        {"MaxPods", "string", "", "Upper bound of the replica count.", 0},
        {"Replicas", "string", "", "Current replica count.", 0},
        AGE_COL,
        {0},
};

/* One metric "current/target" as kube's formatHPAMetrics writes it. */
static void hpa_metric(struct sk_buf *b, const struct sk_val *spec, const struct sk_val *st)
{
    const char *type = sk_tbl_str(spec, "type");
    const char *src = !strcmp(type, "Resource")            ? "resource"
                      : !strcmp(type, "ContainerResource") ? "containerResource"
                      : !strcmp(type, "Pods")              ? "pods"
                      : !strcmp(type, "Object")            ? "object"
                      : !strcmp(type, "External")          ? "external"
                                                           : NULL;
    if (!src) {
        sk_buf_puts(b, "<unknown type>");
        return;
    }
    const struct sk_val *ms = sk_tbl_get(spec, src);
    const struct sk_val *cur = sk_tbl_get(sk_tbl_get(st, src), "current");
    const struct sk_val *tgt = sk_tbl_get(ms, "target");
    bool resource = !strcmp(src, "resource") || !strcmp(src, "containerResource");
    if (resource) sk_buf_printf(b, "%s: ", sk_tbl_str(ms, "name"));
    const char *avg = sk_tbl_str(tgt, "averageValue");
    if (!strcmp(src, "pods") || *avg) {
        const char *c = sk_tbl_str(cur, "averageValue");
        sk_buf_printf(b, "%s/%s", *c ? c : "<unknown>", avg);
        if (!resource && strcmp(src, "pods")) sk_buf_puts(b, " (avg)");
    } else if (resource) {
        const struct sk_val *cu = sk_tbl_get(cur, "averageUtilization");
        const struct sk_val *tu = sk_tbl_get(tgt, "averageUtilization");
        if (cu)
            sk_buf_printf(b, "%" PRId64 "%%/", sk_val_to_int(cu, 0));
        else
            sk_buf_puts(b, "<unknown>/");
        if (tu)
            sk_buf_printf(b, "%" PRId64 "%%", sk_val_to_int(tu, 0));
        else
            sk_buf_puts(b, "<auto>");
    } else {
        const char *c = sk_tbl_str(cur, "value");
        sk_buf_printf(b, "%s/%s", *c ? c : "<unknown>", sk_tbl_str(tgt, "value"));
    }
}

static void hpa_row(const struct sk_val *o, int64_t now, struct sk_val *cells, struct sk_val *row)
{
    (void)row;
    sk_arr_push(cells, strv(name_of(o)));
    sk_arr_push(cells, sk_val_strf("%s/%s", sk_tbl_str(o, "spec.scaleTargetRef.kind"),
                                   sk_tbl_str(o, "spec.scaleTargetRef.name")));
    const struct sk_val *metrics = sk_tbl_get(o, "spec.metrics");
    const struct sk_val *cur = sk_tbl_get(o, "status.currentMetrics");
    size_t n = sk_arr_len(metrics);
    if (!n) {
        sk_arr_push(cells, sk_val_str("<none>"));
    } else {
        struct sk_buf b = {0};
        for (size_t i = 0; i < n && i < 2; i++) {
            if (i) sk_buf_puts(&b, ", ");
            hpa_metric(&b, sk_arr_get(metrics, i), sk_arr_get(cur, i));
        }
        if (n > 2) sk_buf_printf(&b, " + %zu more...", n - 2);
        sk_buf_putc(&b, '\0');
        sk_arr_push(cells, sk_val_str(b.p));
        sk_buf_free(&b);
    }
    const struct sk_val *minr = sk_tbl_get(o, "spec.minReplicas");
    sk_arr_push(cells,
                minr ? sk_val_strf("%" PRId64, sk_val_to_int(minr, 0)) : sk_val_str("<unset>"));
    sk_arr_push(cells, sk_val_int(sk_tbl_int(o, "spec.maxReplicas", 0)));
    sk_arr_push(cells, sk_val_int(sk_tbl_int(o, "status.currentReplicas", 0)));
    sk_arr_push(cells, sk_tbl_age(o, now));
}

/* ---- services and networking ---- */

static const struct sk_tbl_col svc_cols[] = {
        NAME_COL,
        {"Type", "string", "", "ClusterIP, NodePort, LoadBalancer or ExternalName.", 0},
        {"Cluster-IP", "string", "", "Virtual IP of the service.", 0},
        {"External-IP", "string", "", "Addresses the service is reachable at from outside.", 0},
        {"Port(s)", "string", "", "Service ports, with node ports.", 0},
        AGE_COL,
        {"Selector", "string", "", "Labels of the pods behind the service.", 1},
        {0},
};

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Load-balancer ingress IPs (or host names), sorted and unique. */
static void lb_ingress(const struct sk_val *ing, struct sk_buf *b)
{
    const char *v[64];
    size_t n = 0;
    for (size_t i = 0; i < sk_arr_len(ing) && n < 64; i++) {
        const struct sk_val *e = sk_arr_get(ing, i);
        const char *s = *sk_tbl_str(e, "ip") ? sk_tbl_str(e, "ip") : sk_tbl_str(e, "hostname");
        if (*s) v[n++] = s;
    }
    qsort(v, n, sizeof *v, cmp_cstr);
    for (size_t i = 0; i < n; i++) {
        if (i && !strcmp(v[i], v[i - 1])) continue;
        if (b->len) sk_buf_putc(b, ',');
        sk_buf_puts(b, v[i]);
    }
}

static void join_strings(const struct sk_val *a, struct sk_buf *b, const char *sep)
{
    for (size_t i = 0; i < sk_arr_len(a); i++) {
        if (b->len) sk_buf_puts(b, sep);
        const char *s = sk_val_cstr(sk_arr_get(a, i));
        sk_buf_puts(b, s ? s : "");
    }
}

static void svc_row(const struct sk_val *o, int64_t now, struct sk_val *cells, struct sk_val *row)
{
    (void)row;
    const char *type = sk_tbl_str(o, "spec.type");
    sk_arr_push(cells, strv(name_of(o)));
    sk_arr_push(cells, sk_val_str(type));
    sk_arr_push(cells,
                sk_val_str(or_none(sk_val_cstr(sk_arr_get(sk_tbl_get(o, "spec.clusterIPs"), 0)))));
    const struct sk_val *ext = sk_tbl_get(o, "spec.externalIPs");
    struct sk_buf b = {0};
    if (!strcmp(type, "ClusterIP") || !strcmp(type, "NodePort")) {
        join_strings(ext, &b, ",");
        if (!b.len) sk_buf_puts(&b, "<none>");
    } else if (!strcmp(type, "LoadBalancer")) {
        lb_ingress(sk_tbl_get(o, "status.loadBalancer.ingress"), &b);
        join_strings(ext, &b, ",");
        if (!b.len) sk_buf_puts(&b, "<pending>");
    } else if (!strcmp(type, "ExternalName")) {
        sk_buf_puts(&b, sk_tbl_str(o, "spec.externalName"));
    } else {
        sk_buf_puts(&b, "<unknown>");
    }
    sk_buf_putc(&b, '\0');
    sk_arr_push(cells, sk_val_str(b.p));
    b.len = 0;
    const struct sk_val *ports = sk_tbl_get(o, "spec.ports");
    for (size_t i = 0; i < sk_arr_len(ports); i++) {
        const struct sk_val *p = sk_arr_get(ports, i);
        if (i) sk_buf_putc(&b, ',');
        int64_t np = sk_tbl_int(p, "nodePort", 0);
        if (np > 0)
            sk_buf_printf(&b, "%" PRId64 ":%" PRId64 "/%s", sk_tbl_int(p, "port", 0), np,
                          sk_tbl_str(p, "protocol"));
        else
            sk_buf_printf(&b, "%" PRId64 "/%s", sk_tbl_int(p, "port", 0),
                          sk_tbl_str(p, "protocol"));
    }
    if (!b.len) sk_buf_puts(&b, "<none>");
    sk_buf_putc(&b, '\0');
    sk_arr_push(cells, sk_val_str(b.p));
    sk_buf_free(&b);
    sk_arr_push(cells, sk_tbl_age(o, now));
    sk_arr_push(cells, sk_tbl_labels(sk_tbl_get(o, "spec.selector")));
}

static const struct sk_tbl_col ep_cols[] = {
        NAME_COL,
        {"Endpoints", "string", "", "Addresses and ports of the ready endpoints.", 0},
        AGE_COL,
        {0},
};

/* Like net.JoinHostPort: brackets around IPv6 addresses. */
static void host_port(struct sk_buf *b, const char *ip, int64_t port)
{
    if (strchr(ip, ':'))
        sk_buf_printf(b, "[%s]:%" PRId64, ip, port);
    else
        sk_buf_printf(b, "%s:%" PRId64, ip, port);
}

static void ep_row(const struct sk_val *o, int64_t now, struct sk_val *cells, struct sk_val *row)
{
    (void)row;
    const struct sk_val *subsets = sk_tbl_get(o, "subsets");
    sk_arr_push(cells, strv(name_of(o)));
    if (!sk_arr_len(subsets)) {
        sk_arr_push(cells, sk_val_str("<none>"));
    } else {
        struct sk_buf b = {0};
        size_t listed = 0, count = 0, max = 3;
        for (size_t i = 0; i < sk_arr_len(subsets); i++) {
            const struct sk_val *ss = sk_arr_get(subsets, i);
            const struct sk_val *addrs = sk_tbl_get(ss, "addresses");
            const struct sk_val *ports = sk_tbl_get(ss, "ports");
            size_t np = sk_arr_len(ports) ? sk_arr_len(ports) : 1;
            for (size_t p = 0; p < np; p++) {
                count += sk_arr_len(addrs);
                for (size_t a = 0; a < sk_arr_len(addrs) && listed < max; a++, listed++) {
                    if (b.len) sk_buf_putc(&b, ',');
                    const char *ip = sk_tbl_str(sk_arr_get(addrs, a), "ip");
                    if (sk_arr_len(ports))
                        host_port(&b, ip, sk_tbl_int(sk_arr_get(ports, p), "port", 0));
                    else
                        sk_buf_puts(&b, ip);
                }
            }
        }
        if (count > max) sk_buf_printf(&b, " + %zu more...", count - max);
        sk_buf_putc(&b, '\0');
        sk_arr_push(cells, sk_val_str(b.p));
        sk_buf_free(&b);
    }
    sk_arr_push(cells, sk_tbl_age(o, now));
}

static const struct sk_tbl_col eps_cols[] = {
        NAME_COL,
        {"AddressType", "string", "", "IPv4, IPv6 or FQDN.", 0},
        {"Ports", "string", "", "Ports of the endpoints.", 0},
        {"Endpoints", "string", "", "Addresses of the endpoints.", 0},
        AGE_COL,
        {0},
};

static void list_more(struct sk_buf *b, size_t count, size_t max)
{
    if (count > max) sk_buf_printf(b, " + %zu more...", count - max);
    if (!b->len) sk_buf_puts(b, "<unset>");
    sk_buf_putc(b, '\0');
}

static void eps_row(const struct sk_val *o, int64_t now, struct sk_val *cells, struct sk_val *row)
{
    (void)row;
    sk_arr_push(cells, strv(name_of(o)));
    sk_arr_push(cells, strv(sk_tbl_str(o, "addressType")));
    struct sk_buf b = {0};
    const struct sk_val *ports = sk_tbl_get(o, "ports");
    size_t n = sk_arr_len(ports);
    for (size_t i = 0; i < n && i < 3; i++) {
        const struct sk_val *p = sk_arr_get(ports, i);
        if (i) sk_buf_putc(&b, ',');
        if (sk_tbl_get(p, "port"))
            sk_buf_printf(&b, "%" PRId64, sk_tbl_int(p, "port", 0));
        else if (sk_tbl_get(p, "name"))
            sk_buf_puts(&b, sk_tbl_str(p, "name"));
        else
            sk_buf_putc(&b, '*');
    }
    list_more(&b, n, 3);
    sk_arr_push(cells, sk_val_str(b.p));
    b.len = 0;
    size_t count = 0;
    const struct sk_val *eps = sk_tbl_get(o, "endpoints");
    for (size_t i = 0; i < sk_arr_len(eps); i++) {
        const struct sk_val *addrs = sk_tbl_get(sk_arr_get(eps, i), "addresses");
        for (size_t a = 0; a < sk_arr_len(addrs); a++, count++) {
            if (count >= 3) continue;
            if (b.len) sk_buf_putc(&b, ',');
            const char *ip = sk_val_cstr(sk_arr_get(addrs, a));
            sk_buf_puts(&b, ip ? ip : "");
        }
    }
    list_more(&b, count, 3);
    sk_arr_push(cells, sk_val_str(b.p));
    sk_buf_free(&b);
    sk_arr_push(cells, sk_tbl_age(o, now));
}

static const struct sk_tbl_col ing_cols[] = {
        NAME_COL,
        {"Class", "string", "", "IngressClass that handles this ingress.", 0},
        {"Hosts", "string", "", "Hosts the rules match.", 0},
        {"Address", "string", "", "Addresses of the load balancer.", 0},
        {"Ports", "string", "", "Ports served, 443 when TLS is configured.", 0},
        AGE_COL,
        {0},
};

static void ing_row(const struct sk_val *o, int64_t now, struct sk_val *cells, struct sk_val *row)
{
    (void)row;
    sk_arr_push(cells, strv(name_of(o)));
    sk_arr_push(cells, sk_val_str(or_none(sk_val_cstr(sk_tbl_get(o, "spec.ingressClassName")))));
    const struct sk_val *rules = sk_tbl_get(o, "spec.rules");
    struct sk_buf b = {0};
    size_t listed = 0, n = sk_arr_len(rules);
    for (size_t i = 0; i < n; i++) {
        if (i >= 3) break; /* kube stops listing after three rules */
        const char *h = sk_tbl_str(sk_arr_get(rules, i), "host");
        if (!*h) continue;
        if (listed++) sk_buf_putc(&b, ',');
        sk_buf_puts(&b, h);
    }
    if (!listed)
        sk_buf_puts(&b, "*");
    else if (n > 3)
        sk_buf_printf(&b, " + %zu more...", n - 3);
    sk_buf_putc(&b, '\0');
    sk_arr_push(cells, sk_val_str(b.p));
    b.len = 0;
    lb_ingress(sk_tbl_get(o, "status.loadBalancer.ingress"), &b);
    sk_buf_putc(&b, '\0');
    sk_arr_push(cells, sk_val_str(b.p));
    sk_buf_free(&b);
    sk_arr_push(cells, sk_val_str(sk_arr_len(sk_tbl_get(o, "spec.tls")) ? "80, 443" : "80"));
    sk_arr_push(cells, sk_tbl_age(o, now));
}

static const struct sk_tbl_col ingc_cols[] = {
        NAME_COL,
        {"Controller", "string", "", "Controller that implements the class.", 0},
        {"Parameters", "string", "", "Resource holding the controller's parameters.", 0},
        AGE_COL,
        {0},
};

static void ingc_row(const struct sk_val *o, int64_t now, struct sk_val *cells, struct sk_val *row)
{
    (void)row;
    sk_arr_push(cells, strv(name_of(o)));
    sk_arr_push(cells, strv(sk_tbl_str(o, "spec.controller")));
    const struct sk_val *p = sk_tbl_get(o, "spec.parameters");
    if (p) {
        const char *g = sk_val_cstr(sk_tbl_get(p, "apiGroup"));
        if (g)
            sk_arr_push(cells,
                        sk_val_strf("%s.%s/%s", sk_tbl_str(p, "kind"), g, sk_tbl_str(p, "name")));
        else
            sk_arr_push(cells, sk_val_strf("%s/%s", sk_tbl_str(p, "kind"), sk_tbl_str(p, "name")));
    } else {
        sk_arr_push(cells, sk_val_str("<none>"));
    }
    sk_arr_push(cells, sk_tbl_age(o, now));
}

/* ---- configuration and access ---- */

static const struct sk_tbl_col cm_cols[] = {
        NAME_COL,
        {"Data", "string", "", "Number of keys.", 0},
        AGE_COL,
        {0},
};

static void cm_row(const struct sk_val *o, int64_t now, struct sk_val *cells, struct sk_val *row)
{
    (void)row;
    sk_arr_push(cells, strv(name_of(o)));
    sk_arr_push(cells, sk_val_int((int64_t)(sk_map_len(sk_tbl_get(o, "data")) +
                                            sk_map_len(sk_tbl_get(o, "binaryData")))));
    sk_arr_push(cells, sk_tbl_age(o, now));
}

static const struct sk_tbl_col secret_cols[] = {
        NAME_COL,
        {"Type", "string", "", "Type of the secret's contents.", 0},
        {"Data", "string", "", "Number of keys.", 0},
        AGE_COL,
        {0},
};

static void secret_row(const struct sk_val *o, int64_t now, struct sk_val *cells,
                       struct sk_val *row)
{
    (void)row;
    sk_arr_push(cells, strv(name_of(o)));
    sk_arr_push(cells, strv(sk_tbl_str(o, "type")));
    sk_arr_push(cells, sk_val_int((int64_t)sk_map_len(sk_tbl_get(o, "data"))));
    sk_arr_push(cells, sk_tbl_age(o, now));
}

static const struct sk_tbl_col sa_cols[] = {
        NAME_COL,
        {"Secrets", "string", "", "Number of secrets listed.", 0},
        AGE_COL,
        {0},
};

static void sa_row(const struct sk_val *o, int64_t now, struct sk_val *cells, struct sk_val *row)
{
    (void)row;
    sk_arr_push(cells, strv(name_of(o)));
    sk_arr_push(cells, sk_val_int((int64_t)sk_arr_len(sk_tbl_get(o, "secrets"))));
    sk_arr_push(cells, sk_tbl_age(o, now));
}

static const struct sk_tbl_col ns_cols[] = {
        NAME_COL,
        {"Status", "string", "", "Active or Terminating.", 0},
        AGE_COL,
        {0},
};

static void ns_row(const struct sk_val *o, int64_t now, struct sk_val *cells, struct sk_val *row)
{
    (void)row;
    sk_arr_push(cells, strv(name_of(o)));
    sk_arr_push(cells, strv(sk_tbl_str(o, "status.phase")));
    sk_arr_push(cells, sk_tbl_age(o, now));
}

static const struct sk_tbl_col lease_cols[] = {
        NAME_COL,
        {"Holder", "string", "", "Current holder of the lease.", 0},
        AGE_COL,
        {0},
};

static void lease_row(const struct sk_val *o, int64_t now, struct sk_val *cells, struct sk_val *row)
{
    (void)row;
    sk_arr_push(cells, strv(name_of(o)));
    sk_arr_push(cells, strv(sk_tbl_str(o, "spec.holderIdentity")));
    sk_arr_push(cells, sk_tbl_age(o, now));
}

/* ---- nodes and events ---- */

static const struct sk_tbl_col node_cols[] = {
        NAME_COL,
        {"Status", "string", "", "Ready or NotReady, and SchedulingDisabled when cordoned.", 0},
        {"Roles", "string", "", "Roles from the node-role.kubernetes.io/ labels.", 0},
        AGE_COL,
        {"Version", "string", "", "Version the node agent reports.", 0},
        {"Internal-IP", "string", "", "First internal address.", 1},
        {"External-IP", "string", "", "First external address.", 1},
        {"OS-Image", "string", "", "Operating system of the node.", 1},
        {"Kernel-Version", "string", "", "Kernel release of the node.", 1},
        {"Container-Runtime", "string", "", "Container runtime and its version.", 1},
        {0},
};

static const char *node_address(const struct sk_val *o, const char *type)
{
    const struct sk_val *a = sk_tbl_get(o, "status.addresses");
    for (size_t i = 0; i < sk_arr_len(a); i++)
        if (!strcmp(sk_tbl_str(sk_arr_get(a, i), "type"), type))
            return sk_tbl_str(sk_arr_get(a, i), "address");
    return "<none>";
}

static const char *or_unknown(const char *s)
{
    return *s ? s : "<unknown>";
}

static void node_row(const struct sk_val *o, int64_t now, struct sk_val *cells, struct sk_val *row)
{
    (void)row;
    struct sk_buf b = {0};
    const struct sk_val *conds = sk_tbl_get(o, "status.conditions");
    for (size_t i = 0; i < sk_arr_len(conds); i++) {
        const struct sk_val *c = sk_arr_get(conds, i);
        if (strcmp(sk_tbl_str(c, "type"), "Ready")) continue;
        b.len = 0; /* the last Ready condition wins, as a map would keep it */
        sk_buf_puts(&b, !strcmp(sk_tbl_str(c, "status"), "True") ? "Ready" : "NotReady");
    }
    if (!b.len) sk_buf_puts(&b, "Unknown");
    if (sk_val_to_bool(sk_tbl_get(o, "spec.unschedulable"), false))
        sk_buf_puts(&b, ",SchedulingDisabled");
    sk_buf_putc(&b, '\0');
    sk_arr_push(cells, strv(name_of(o)));
    sk_arr_push(cells, sk_val_str(b.p));

    /* roles: node-role.kubernetes.io/<role> keys and kubernetes.io/role
     * values, sorted and unique */
    const struct sk_val *labels = sk_obj_labels(o);
    const char *roles[64];
    size_t nr = 0;
    for (size_t i = 0; labels && labels->type == SK_V_MAP && i < labels->u.m.n && nr < 64; i++) {
        const char *k = labels->u.m.kv[i].key;
        const char *v = sk_val_cstr(labels->u.m.kv[i].val);
        if (!strncmp(k, "node-role.kubernetes.io/", 24) && k[24])
            roles[nr++] = k + 24;
        else if (!strcmp(k, "kubernetes.io/role") && v && *v)
            roles[nr++] = v;
    }
    qsort(roles, nr, sizeof *roles, cmp_cstr);
    b.len = 0;
    for (size_t i = 0; i < nr; i++) {
        if (i && !strcmp(roles[i], roles[i - 1])) continue;
        if (b.len) sk_buf_putc(&b, ',');
        sk_buf_puts(&b, roles[i]);
    }
    if (!b.len) sk_buf_puts(&b, "<none>");
    sk_buf_putc(&b, '\0');
    sk_arr_push(cells, sk_val_str(b.p));
    sk_buf_free(&b);
    sk_arr_push(cells, sk_tbl_age(o, now));
    sk_arr_push(cells, strv(sk_tbl_str(o, "status.nodeInfo.kubeletVersion")));
    sk_arr_push(cells, sk_val_str(node_address(o, "InternalIP")));
    sk_arr_push(cells, sk_val_str(node_address(o, "ExternalIP")));
    sk_arr_push(cells, sk_val_str(or_unknown(sk_tbl_str(o, "status.nodeInfo.osImage"))));
    sk_arr_push(cells, sk_val_str(or_unknown(sk_tbl_str(o, "status.nodeInfo.kernelVersion"))));
    sk_arr_push(cells,
                sk_val_str(or_unknown(sk_tbl_str(o, "status.nodeInfo.containerRuntimeVersion"))));
}

static const struct sk_tbl_col event_cols[] = {
        {"Last Seen", "string", "", "Time since the event was last seen.", 0},
        {"Type", "string", "", "Normal or Warning.", 0},
        {"Reason", "string", "", "Short machine-readable reason.", 0},
        {"Object", "string", "", "The object the event is about.", 0},
        {"Subobject", "string", "", "Part of the object, e.g. a container.", 1},
        {"Source", "string", "", "Component (and host) that reported the event.", 1},
        {"Message", "string", "", "What happened.", 0},
        {"First Seen", "string", "", "Time since the event was first seen.", 1},
        {"Count", "string", "", "How many times it happened.", 1},
        {"Name", "string", "name", "Name of the event object.", 1},
        {0},
};

/* Trim white space at both ends, like strings.TrimSpace for ASCII. */
static struct sk_val *trimmed(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\v' || *s == '\f')
        s++;
    size_t n = strlen(s);
    while (n && strchr(" \t\n\r\v\f", s[n - 1]))
        n--;
    return sk_val_strn(s, n);
}

static void event_row(const struct sk_val *o, int64_t now, struct sk_val *cells, struct sk_val *row)
{
    (void)row;
    const char *first_ts = sk_tbl_str(o, "firstTimestamp");
    struct sk_val *first = time_of(first_ts) != INT64_MIN
                                   ? sk_tbl_since(first_ts, now)
                                   : sk_tbl_since(sk_tbl_str(o, "eventTime"), now);
    const char *last_ts = sk_tbl_str(o, "lastTimestamp");
    struct sk_val *last =
            time_of(last_ts) != INT64_MIN ? sk_tbl_since(last_ts, now) : sk_val_dup(first);
    int64_t count = sk_tbl_int(o, "count", 0);
    const struct sk_val *series = sk_tbl_get(o, "series");
    if (series) {
        sk_val_free(last);
        last = sk_tbl_since(sk_tbl_str(series, "lastObservedTime"), now);
        count = sk_tbl_int(series, "count", 0);
    } else if (!count) {
        count = 1; /* events of the newer API leave count unset */
    }
    const char *ikind = sk_tbl_str(o, "involvedObject.kind");
    const char *iname = sk_tbl_str(o, "involvedObject.name");
    char *lk = sk_xstrdup(ikind);
    for (char *p = lk; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    const char *comp = sk_tbl_str(o, "source.component");
    const char *host = sk_tbl_str(o, "source.host");
    if (!*comp) comp = sk_tbl_str(o, "reportingComponent");
    if (!*host) host = sk_tbl_str(o, "reportingInstance");

    sk_arr_push(cells, last);
    sk_arr_push(cells, strv(sk_tbl_str(o, "type")));
    sk_arr_push(cells, strv(sk_tbl_str(o, "reason")));
    sk_arr_push(cells, *iname ? sk_val_strf("%s/%s", lk, iname) : sk_val_str(lk));
    sk_arr_push(cells, strv(sk_tbl_str(o, "involvedObject.fieldPath")));
    sk_arr_push(cells, *host ? sk_val_strf("%s, %s", comp, host) : sk_val_str(comp));
    sk_arr_push(cells, trimmed(sk_tbl_str(o, "message")));
    sk_arr_push(cells, first);
    sk_arr_push(cells, sk_val_int(count));
    sk_arr_push(cells, strv(name_of(o)));
    free(lk);
}

/* ---- storage ---- */

/* GetAccessModesAsString: the modes present, in a fixed order. */
static struct sk_val *access_modes(const struct sk_val *modes)
{
    static const char *const names[][2] = {{"ReadWriteOnce", "RWO"},
                                           {"ReadOnlyMany", "ROX"},
                                           {"ReadWriteMany", "RWX"},
                                           {"ReadWriteOncePod", "RWOP"}};
    struct sk_buf b = {0};
    for (size_t i = 0; i < 4; i++) {
        bool has = false;
        for (size_t j = 0; j < sk_arr_len(modes) && !has; j++)
            has = !strcmp(sk_val_cstr(sk_arr_get(modes, j)) ? sk_val_cstr(sk_arr_get(modes, j))
                                                            : "",
                          names[i][0]);
        if (!has) continue;
        if (b.len) sk_buf_putc(&b, ',');
        sk_buf_puts(&b, names[i][1]);
    }
    sk_buf_putc(&b, '\0');
    struct sk_val *v = sk_val_str(b.p);
    sk_buf_free(&b);
    return v;
}

/* A quantity as Quantity.String() prints it; "0" when absent. */
static struct sk_val *quantity_cell(const struct sk_val *q)
{
    struct sk_quantity qq;
    char *stored = NULL;
    if (!q || sk_quantity_from_val(q, &qq, &stored, NULL) != SK_OK) return sk_val_str("0");
    char buf[SK_QUANTITY_STRMAX];
    sk_quantity_format(&qq, buf);
    free(stored);
    return sk_val_str(buf);
}

static const char *storage_class(const struct sk_val *o)
{
    /* the beta annotation still wins over the field, as in kube */
    const char *a = sk_obj_annotation(o, "volume.beta.kubernetes.io/storage-class");
    return a ? a : sk_tbl_str(o, "spec.storageClassName");
}

static const struct sk_tbl_col pv_cols[] = {
        NAME_COL,
        {"Capacity", "string", "", "Storage capacity of the volume.", 0},
        {"Access Modes", "string", "", "How the volume can be mounted.", 0},
        {"Reclaim Policy", "string", "", "What happens to the volume when released.", 0},
        {"Status", "string", "", "Available, Bound, Released or Failed.", 0},
        {"Claim", "string", "", "The claim bound to the volume.", 0},
        {"StorageClass", "string", "", "Storage class of the volume.", 0},
        {"VolumeAttributesClass", "string", "", "Volume attributes class.", 0},
        {"Reason", "string", "", "Why the volume is in its phase.", 0},
        AGE_COL,
        {"VolumeMode", "string", "", "Filesystem or Block.", 1},
        {0},
};

static void pv_row(const struct sk_val *o, int64_t now, struct sk_val *cells, struct sk_val *row)
{
    (void)row;
    sk_arr_push(cells, strv(name_of(o)));
    sk_arr_push(cells, quantity_cell(sk_tbl_get(o, "spec.capacity.storage")));
    sk_arr_push(cells, access_modes(sk_tbl_get(o, "spec.accessModes")));
    sk_arr_push(cells, strv(sk_tbl_str(o, "spec.persistentVolumeReclaimPolicy")));
    sk_arr_push(cells, strv(has_deletion(o) ? "Terminating" : sk_tbl_str(o, "status.phase")));
    const struct sk_val *cr = sk_tbl_get(o, "spec.claimRef");
    sk_arr_push(cells,
                cr ? sk_val_strf("%s/%s", sk_tbl_str(cr, "namespace"), sk_tbl_str(cr, "name"))
                   : sk_val_str(""));
    sk_arr_push(cells, strv(storage_class(o)));
    const char *vac = sk_val_cstr(sk_tbl_get(o, "spec.volumeAttributesClassName"));
    sk_arr_push(cells, sk_val_str(vac ? vac : "<unset>"));
    sk_arr_push(cells, strv(sk_tbl_str(o, "status.reason")));
    sk_arr_push(cells, sk_tbl_age(o, now));
    const char *vm = sk_val_cstr(sk_tbl_get(o, "spec.volumeMode"));
    sk_arr_push(cells, sk_val_str(vm ? vm : "<unset>"));
}

static const struct sk_tbl_col pvc_cols[] = {
        NAME_COL,
        {"Status", "string", "", "Pending, Bound or Lost.", 0},
        {"Volume", "string", "", "The volume bound to the claim.", 0},
        {"Capacity", "string", "", "Capacity of the bound volume.", 0},
        {"Access Modes", "string", "", "How the bound volume can be mounted.", 0},
        {"StorageClass", "string", "", "Storage class of the claim.", 0},
        {"VolumeAttributesClass", "string", "", "Volume attributes class.", 0},
        AGE_COL,
        {"VolumeMode", "string", "", "Filesystem or Block.", 1},
        {0},
};

static void pvc_row(const struct sk_val *o, int64_t now, struct sk_val *cells, struct sk_val *row)
{
    (void)row;
    const char *vol = sk_tbl_str(o, "spec.volumeName");
    sk_arr_push(cells, strv(name_of(o)));
    sk_arr_push(cells, strv(has_deletion(o) ? "Terminating" : sk_tbl_str(o, "status.phase")));
    sk_arr_push(cells, strv(vol));
    if (*vol) {
        sk_arr_push(cells, quantity_cell(sk_tbl_get(o, "status.capacity.storage")));
        sk_arr_push(cells, access_modes(sk_tbl_get(o, "status.accessModes")));
    } else {
        sk_arr_push(cells, sk_val_str(""));
        sk_arr_push(cells, sk_val_str(""));
    }
    sk_arr_push(cells, strv(storage_class(o)));
    const char *vac = sk_val_cstr(sk_tbl_get(o, "spec.volumeAttributesClassName"));
    sk_arr_push(cells, sk_val_str(vac ? vac : "<unset>"));
    sk_arr_push(cells, sk_tbl_age(o, now));
    const char *vm = sk_val_cstr(sk_tbl_get(o, "spec.volumeMode"));
    sk_arr_push(cells, sk_val_str(vm ? vm : "<unset>"));
}

static const struct sk_tbl_col sc_cols[] = {
        NAME_COL,
        {"Provisioner", "string", "", "Provisioner of the class's volumes.", 0},
        {"ReclaimPolicy", "string", "", "Reclaim policy of provisioned volumes.", 0},
        {"VolumeBindingMode", "string", "", "Immediate or WaitForFirstConsumer.", 0},
        {"AllowVolumeExpansion", "string", "", "Whether claims may grow.", 0},
        AGE_COL,
        {0},
};

static void sc_row(const struct sk_val *o, int64_t now, struct sk_val *cells, struct sk_val *row)
{
    (void)row;
    const char *d = sk_obj_annotation(o, "storageclass.kubernetes.io/is-default-class");
    const char *db = sk_obj_annotation(o, "storageclass.beta.kubernetes.io/is-default-class");
    bool def = (d && !strcmp(d, "true")) || (db && !strcmp(db, "true"));
    sk_arr_push(cells, def ? sk_val_strf("%s (default)", name_of(o)) : strv(name_of(o)));
    sk_arr_push(cells, strv(sk_tbl_str(o, "provisioner")));
    const char *rp = sk_tbl_str(o, "reclaimPolicy");
    sk_arr_push(cells, sk_val_str(*rp ? rp : "Delete"));
    const char *bm = sk_tbl_str(o, "volumeBindingMode");
    sk_arr_push(cells, sk_val_str(*bm ? bm : "Immediate"));
    sk_arr_push(cells, sk_val_bool(sk_val_to_bool(sk_tbl_get(o, "allowVolumeExpansion"), false)));
    sk_arr_push(cells, sk_tbl_age(o, now));
}

/* ---- the registry ---- */

static const struct sk_tbl_col rc_cols[] = {
        NAME_COL,
        {"Desired", "integer", "", "Desired number of pods.", 0},
        {"Current", "integer", "", "Pods that exist.", 0},
        {"Ready", "integer", "", "Pods that are ready.", 0},
        AGE_COL,
        CONTAINERS_COLS,
        {"Selector", "string", "", "Label selector of the pods.", 1},
        {0},
};

const struct sk_tbl_printer sk_tbl_kind_printers[] = {
        {"", "Pod", pod_cols, pod_row},
        {"", "Service", svc_cols, svc_row},
        {"", "Endpoints", ep_cols, ep_row},
        {"", "ConfigMap", cm_cols, cm_row},
        {"", "Secret", secret_cols, secret_row},
        {"", "Namespace", ns_cols, ns_row},
        {"", "Node", node_cols, node_row},
        {"", "Event", event_cols, event_row},
        {"", "ServiceAccount", sa_cols, sa_row},
        {"", "PersistentVolume", pv_cols, pv_row},
        {"", "PersistentVolumeClaim", pvc_cols, pvc_row},
        {"", "ReplicationController", rc_cols, rc_row},
        {"apps", "Deployment", deploy_cols, deploy_row},
        {"apps", "ReplicaSet", rs_cols, rs_row},
        {"apps", "DaemonSet", ds_cols, ds_row},
        {"apps", "StatefulSet", sts_cols, sts_row},
        {"apps", "ControllerRevision", cr_cols, cr_row},
        {"batch", "Job", job_cols, job_row},
        {"batch", "CronJob", cj_cols, cj_row},
        {"networking.k8s.io", "Ingress", ing_cols, ing_row},
        {"networking.k8s.io", "IngressClass", ingc_cols, ingc_row},
        {"autoscaling", "HorizontalPodAutoscaler", hpa_cols, hpa_row},
        {"storage.k8s.io", "StorageClass", sc_cols, sc_row},
        {"coordination.k8s.io", "Lease", lease_cols, lease_row},
        {"discovery.k8s.io", "EndpointSlice", eps_cols, eps_row},
        {NULL, NULL, NULL, NULL},
};
