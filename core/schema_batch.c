/* The batch/v1 kinds: Job and CronJob, with their field tables, defaults
 * (pkg/apis/batch/v1/defaults.go), the selector the registry generates for
 * a job, and validation (pkg/apis/batch/validation), including a cron
 * schedule parser with the messages of the parser Kubernetes uses. */
#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "quantity.h"
#include "schema_int.h"
#include "selector.h"

/* ---- field tables ---- */

static const struct sk_field f_batch_PodFailurePolicyOnExitCodesRequirement[] = {
        SK_FLD("containerName", SK_F_STRING, "Only check this container."),
        SK_FLD("operator", SK_F_STRING, "In or NotIn.",
               .go_type = "v1.PodFailurePolicyOnExitCodesOperator", .flags = SK_FF_REQUIRED),
        SK_FLD("values", SK_F_ARRAY, "Exit codes to compare with.", .elem = SK_F_INT32,
               .list_type = "set", .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_batch_PodFailurePolicyOnPodConditionsPattern[] = {
        SK_FLD("type", SK_F_STRING, "Pod condition type to match.",
               .go_type = "v1.PodConditionType", .flags = SK_FF_REQUIRED),
        SK_FLD("status", SK_F_STRING, "Condition status to match. Defaults to True.",
               .go_type = "v1.ConditionStatus", .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_batch_PodFailurePolicyRule[] = {
        SK_FLD("action", SK_F_STRING, "FailJob, FailIndex, Ignore or Count.",
               .go_type = "v1.PodFailurePolicyAction", .flags = SK_FF_REQUIRED),
        SK_FLD("onExitCodes", SK_F_OBJECT, "Matches on container exit codes.",
               .fields = f_batch_PodFailurePolicyOnExitCodesRequirement,
               .ref = SK_REF_BATCH "PodFailurePolicyOnExitCodesRequirement"),
        SK_FLD("onPodConditions", SK_F_ARRAY, "Matches on pod conditions.", .elem = SK_F_OBJECT,
               .fields = f_batch_PodFailurePolicyOnPodConditionsPattern,
               .ref = SK_REF_BATCH "PodFailurePolicyOnPodConditionsPattern", .list_type = "atomic"),
        {0},
};

static const struct sk_field f_batch_PodFailurePolicy[] = {
        SK_FLD("rules", SK_F_ARRAY, "Rules, checked in order; the first that matches decides.",
               .elem = SK_F_OBJECT, .fields = f_batch_PodFailurePolicyRule,
               .ref = SK_REF_BATCH "PodFailurePolicyRule", .list_type = "atomic",
               .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_batch_SuccessPolicyRule[] = {
        SK_FLD("succeededIndexes", SK_F_STRING, "Indexes that must all succeed, e.g. \"0-3,5\"."),
        SK_FLD("succeededCount", SK_F_INT32, "Number of succeeded indexes needed."),
        {0},
};

static const struct sk_field f_batch_SuccessPolicy[] = {
        SK_FLD("rules", SK_F_ARRAY, "Rules; the job succeeds when any one is met.",
               .elem = SK_F_OBJECT, .fields = f_batch_SuccessPolicyRule,
               .ref = SK_REF_BATCH "SuccessPolicyRule", .list_type = "atomic",
               .flags = SK_FF_REQUIRED),
        {0},
};

static const struct sk_field f_batch_JobSpec[] = {
        SK_FLD("parallelism", SK_F_INT32, "Maximum number of pods running at once. Defaults to 1."),
        SK_FLD("completions", SK_F_INT32,
               "Successful pods needed for the job to complete; unset means any success completes "
               "it once all pods end."),
        SK_FLD("activeDeadlineSeconds", SK_F_INT64,
               "Seconds the job may be active, counted from its start, before it is failed."),
        SK_FLD("podFailurePolicy", SK_F_OBJECT,
               "Rules on how pod failures count against backoffLimit.",
               .fields = f_batch_PodFailurePolicy, .ref = SK_REF_BATCH "PodFailurePolicy"),
        SK_FLD("successPolicy", SK_F_OBJECT, "Rules that declare the job succeeded early.",
               .fields = f_batch_SuccessPolicy, .ref = SK_REF_BATCH "SuccessPolicy"),
        SK_FLD("backoffLimit", SK_F_INT32,
               "Retries before the job is marked failed. Defaults to 6."),
        SK_FLD("backoffLimitPerIndex", SK_F_INT32, "Retries per index of an Indexed job."),
        SK_FLD("maxFailedIndexes", SK_F_INT32,
               "Failed indexes tolerated before the job fails; with backoffLimitPerIndex."),
        SK_FLD("selector", SK_F_OBJECT,
               "Labels of the job's pods; generated unless manualSelector is true.",
               .fields = sk_f_meta_LabelSelector, .ref = SK_REF_META "LabelSelector"),
        SK_FLD("manualSelector", SK_F_BOOL,
               "If true, selector and pod labels are chosen by the user instead of generated."),
        SK_FLD("template", SK_F_OBJECT,
               "Template of the job's pods; restartPolicy must be Never or OnFailure.",
               .fields = sk_f_core_PodTemplateSpec, .ref = SK_REF_CORE "PodTemplateSpec",
               .flags = SK_FF_REQUIRED),
        SK_FLD("ttlSecondsAfterFinished", SK_F_INT32,
               "Seconds after the job finishes before it is deleted."),
        SK_FLD("completionMode", SK_F_STRING,
               "NonIndexed (the default) or Indexed, where each pod gets an index.",
               .go_type = "v1.CompletionMode"),
        SK_FLD("suspend", SK_F_BOOL,
               "If true, no pods are created and running ones are stopped. Defaults to false."),
        SK_FLD("podReplacementPolicy", SK_F_STRING,
               "When a failed pod is replaced: TerminatingOrFailed or Failed.",
               .go_type = "v1.PodReplacementPolicy"),
        SK_FLD("managedBy", SK_F_STRING,
               "Controller that manages the job, if not the built-in one."),
        {0},
};

static const struct sk_field f_batch_JobCondition[] = {
        SK_FLD("type", SK_F_STRING, "Type of condition: Complete, Failed, Suspended and others.",
               .go_type = "v1.JobConditionType", .flags = SK_FF_REQUIRED),
        SK_FLD("status", SK_F_STRING, "True, False or Unknown.", .go_type = "v1.ConditionStatus",
               .flags = SK_FF_REQUIRED),
        SK_FLD("lastProbeTime", SK_F_TIME, "When the condition was last checked."),
        SK_FLD("lastTransitionTime", SK_F_TIME, "When the condition last changed status."),
        SK_FLD("reason", SK_F_STRING, "Short machine-readable CamelCase reason."),
        SK_FLD("message", SK_F_STRING, "Human-readable explanation."),
        {0},
};

static const struct sk_field f_batch_UncountedTerminatedPods[] = {
        SK_FLD("succeeded", SK_F_ARRAY, "UIDs of pods that succeeded.", .elem = SK_F_STRING,
               .list_type = "set", .go_type = "[]types.UID"),
        SK_FLD("failed", SK_F_ARRAY, "UIDs of pods that failed.", .elem = SK_F_STRING,
               .list_type = "set", .go_type = "[]types.UID"),
        {0},
};

static const struct sk_field f_batch_JobStatus[] = {
        SK_FLD("conditions", SK_F_ARRAY, "Current conditions of the job, e.g. Complete or Failed.",
               .elem = SK_F_OBJECT, .fields = f_batch_JobCondition,
               .ref = SK_REF_BATCH "JobCondition", .merge_key = "type", .patch_strategy = "merge",
               .list_type = "atomic"),
        SK_FLD("startTime", SK_F_TIME, "When the job controller started the job."),
        SK_FLD("completionTime", SK_F_TIME, "When the job completed."),
        SK_FLD("active", SK_F_INT32, "Number of pods pending or running."),
        SK_FLD("succeeded", SK_F_INT32, "Number of pods that succeeded."),
        SK_FLD("failed", SK_F_INT32, "Number of pods that failed."),
        SK_FLD("terminating", SK_F_INT32, "Number of pods terminating."),
        SK_FLD("completedIndexes", SK_F_STRING, "Completed indexes of an Indexed job, as ranges."),
        SK_FLD("failedIndexes", SK_F_STRING, "Failed indexes, with backoffLimitPerIndex."),
        SK_FLD("uncountedTerminatedPods", SK_F_OBJECT, "UIDs of finished pods not yet counted.",
               .fields = f_batch_UncountedTerminatedPods,
               .ref = SK_REF_BATCH "UncountedTerminatedPods"),
        SK_FLD("ready", SK_F_INT32, "Number of pods ready."),
        {0},
};

static const struct sk_field f_batch_Job[] = {
        SK_FLD("kind", SK_F_STRING, "Kind of the object, in CamelCase, e.g. \"Pod\"."),
        SK_FLD("apiVersion", SK_F_STRING,
               "Version of the schema this object is written against, e.g. \"v1\" or \"apps/v1\"."),
        SK_FLD("metadata", SK_F_OBJECT,
               "Standard object metadata: name, namespace, labels, annotations and the fields the "
               "system keeps.",
               .fields = sk_f_meta_ObjectMeta, .ref = SK_REF_META "ObjectMeta"),
        SK_FLD("spec", SK_F_OBJECT, "Desired behavior of the job.", .fields = f_batch_JobSpec,
               .ref = SK_REF_BATCH "JobSpec"),
        SK_FLD("status", SK_F_OBJECT, "Most recently observed state of the job.",
               .fields = f_batch_JobStatus, .ref = SK_REF_BATCH "JobStatus",
               .flags = SK_FF_READONLY),
        {0},
};

static const struct sk_field f_batch_JobTemplateSpec[] = {
        SK_FLD("metadata", SK_F_OBJECT, "Metadata of the created jobs.",
               .fields = sk_f_meta_ObjectMeta, .ref = SK_REF_META "ObjectMeta"),
        SK_FLD("spec", SK_F_OBJECT, "Spec of the created jobs.", .fields = f_batch_JobSpec,
               .ref = SK_REF_BATCH "JobSpec"),
        {0},
};

static const struct sk_field f_batch_CronJobSpec[] = {
        SK_FLD("schedule", SK_F_STRING,
               "Schedule in cron format, e.g. \"*/5 * * * *\" or \"@hourly\".",
               .flags = SK_FF_REQUIRED),
        SK_FLD("timeZone", SK_F_STRING,
               "Time zone of the schedule, e.g. \"Europe/Berlin\"; defaults to the controller's."),
        SK_FLD("startingDeadlineSeconds", SK_F_INT64,
               "Seconds after a missed start during which the job may still be started."),
        SK_FLD("concurrencyPolicy", SK_F_STRING,
               "Allow (the default), Forbid or Replace concurrent runs.",
               .go_type = "v1.ConcurrencyPolicy"),
        SK_FLD("suspend", SK_F_BOOL, "If true, no new runs start. Defaults to false."),
        SK_FLD("jobTemplate", SK_F_OBJECT, "Template of the jobs created.",
               .fields = f_batch_JobTemplateSpec, .ref = SK_REF_BATCH "JobTemplateSpec",
               .flags = SK_FF_REQUIRED),
        SK_FLD("successfulJobsHistoryLimit", SK_F_INT32,
               "Finished successful jobs to keep. Defaults to 3."),
        SK_FLD("failedJobsHistoryLimit", SK_F_INT32, "Failed jobs to keep. Defaults to 1."),
        {0},
};

static const struct sk_field f_batch_CronJobStatus[] = {
        SK_FLD("active", SK_F_ARRAY, "Jobs currently running.", .elem = SK_F_OBJECT,
               .fields = sk_f_core_ObjectReference, .ref = SK_REF_CORE "ObjectReference",
               .list_type = "atomic"),
        SK_FLD("lastScheduleTime", SK_F_TIME, "When a job was last scheduled."),
        SK_FLD("lastSuccessfulTime", SK_F_TIME, "When a job last completed successfully."),
        {0},
};

static const struct sk_field f_batch_CronJob[] = {
        SK_FLD("kind", SK_F_STRING, "Kind of the object, in CamelCase, e.g. \"Pod\"."),
        SK_FLD("apiVersion", SK_F_STRING,
               "Version of the schema this object is written against, e.g. \"v1\" or \"apps/v1\"."),
        SK_FLD("metadata", SK_F_OBJECT,
               "Standard object metadata: name, namespace, labels, annotations and the fields the "
               "system keeps.",
               .fields = sk_f_meta_ObjectMeta, .ref = SK_REF_META "ObjectMeta"),
        SK_FLD("spec", SK_F_OBJECT, "Schedule and job template of the cron job.",
               .fields = f_batch_CronJobSpec, .ref = SK_REF_BATCH "CronJobSpec"),
        SK_FLD("status", SK_F_OBJECT, "Most recently observed state of the cron job.",
               .fields = f_batch_CronJobStatus, .ref = SK_REF_BATCH "CronJobStatus",
               .flags = SK_FF_READONLY),
        {0},
};

/* ---- defaults ---- */

static void job_spec_template_defaults(struct sk_val *spec)
{
    sk_default_podspec(sk_map_get(sk_map_get(spec, "template"), "spec"));
}

static void job_defaults(struct sk_val *obj)
{
    struct sk_val *spec = sk_dmap(obj, "spec");
    if (!spec) return;
    if (!sk_has(spec, "completions") && !sk_has(spec, "parallelism")) {
        sk_dint(spec, "completions", 1);
        sk_dint(spec, "parallelism", 1);
    }
    sk_dint(spec, "parallelism", 1);
    sk_dint(spec, "backoffLimit", sk_has(spec, "backoffLimitPerIndex") ? INT32_MAX : 6);
    const struct sk_val *labels =
            sk_map_get(sk_map_get(sk_map_get(spec, "template"), "metadata"), "labels");
    struct sk_val *meta = sk_dmap(obj, "metadata");
    if (labels && labels->type == SK_V_MAP && meta && !sk_mlen(sk_map_get(meta, "labels")))
        sk_map_set(meta, "labels", sk_val_dup(labels));
    sk_dstr(spec, "completionMode", "NonIndexed");
    sk_dbool(spec, "suspend", false);
    struct sk_val *rules = sk_map_get(sk_map_get(spec, "podFailurePolicy"), "rules");
    for (size_t i = 0; i < sk_alen(rules); i++) {
        struct sk_val *pats = sk_map_get(rules->u.a.items[i], "onPodConditions");
        for (size_t j = 0; j < sk_alen(pats); j++)
            sk_dstr0(pats->u.a.items[j], "status", "True");
    }
    sk_dstr(spec, "podReplacementPolicy",
            sk_has(spec, "podFailurePolicy") ? "Failed" : "TerminatingOrFailed");
    sk_dbool(spec, "manualSelector", false);
    job_spec_template_defaults(spec);
}

static void job_prepare_create(struct sk_val *obj)
{
    /* generateSelector: with the uid assigned, the template gets the job's
     * name and uid as labels and the selector picks the uid. */
    if (obj->type == SK_V_MAP) sk_map_set(obj, "status", sk_val_map());
    struct sk_val *spec = sk_map_get(obj, "spec");
    const struct sk_val *meta = sk_getm(obj, "metadata");
    const char *uid = sk_gets(meta, "uid"), *name = sk_gets0(meta, "name");
    if (!spec || spec->type != SK_V_MAP || !uid || sk_getb(spec, "manualSelector")) return;
    struct sk_val *tmeta = sk_dmap(sk_dmap(spec, "template"), "metadata");
    struct sk_val *labels = sk_dmap(tmeta, "labels");
    if (!labels) return;
    static const char *const name_labels[] = {"job-name", "batch.kubernetes.io/job-name", NULL};
    static const char *const uid_labels[] = {"controller-uid", "batch.kubernetes.io/controller-uid",
                                             NULL};
    for (size_t i = 0; name_labels[i]; i++)
        if (!sk_map_get(labels, name_labels[i]))
            sk_map_set(labels, name_labels[i], sk_val_str(name));
    for (size_t i = 0; uid_labels[i]; i++)
        if (!sk_map_get(labels, uid_labels[i])) sk_map_set(labels, uid_labels[i], sk_val_str(uid));
    struct sk_val *ml = sk_dmap(sk_dmap(spec, "selector"), "matchLabels");
    if (ml && !sk_map_get(ml, "batch.kubernetes.io/controller-uid"))
        sk_map_set(ml, "batch.kubernetes.io/controller-uid", sk_val_str(uid));
    /* A job without labels shows its template's (SetDefaults_Job, which
     * kube-apiserver also applies when it reads the job back). */
    struct sk_val *jm = sk_dmap(obj, "metadata");
    if (jm && !sk_mlen(sk_map_get(jm, "labels"))) sk_map_set(jm, "labels", sk_val_dup(labels));
}

static void cronjob_defaults(struct sk_val *obj)
{
    struct sk_val *spec = sk_dmap(obj, "spec");
    if (!spec) return;
    sk_dstr0(spec, "concurrencyPolicy", "Allow");
    sk_dbool(spec, "suspend", false);
    sk_dint(spec, "successfulJobsHistoryLimit", 3);
    sk_dint(spec, "failedJobsHistoryLimit", 1);
    /* Only the pod template inside gets defaults; the job spec itself
     * gets them when the job is created. */
    job_spec_template_defaults(sk_map_get(sk_map_get(spec, "jobTemplate"), "spec"));
}

/* ---- cron schedules (robfig/cron v3 ParseStandard) ---- */

struct bounds {
    unsigned min, max;
    const char *const *names; /* index = value, NULL-terminated */
    unsigned name_base;
};

static const char *const months[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul",
                                     "aug", "sep", "oct", "nov", "dec", NULL};
static const char *const days[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL};

static char *must_parse_int(const char *expr, unsigned *out)
{
    /* strconv.Atoi */
    const char *p = expr;
    bool neg = false;
    if (*p == '+' || *p == '-') neg = *p++ == '-';
    if (!*p)
        return sk_xasprintf(
                "failed to parse int from %s: strconv.Atoi: parsing \"%s\": invalid syntax", expr,
                expr);
    long long v = 0;
    bool range = false;
    for (; *p; p++) {
        if (!isdigit((unsigned char)*p))
            return sk_xasprintf(
                    "failed to parse int from %s: strconv.Atoi: parsing \"%s\": invalid syntax",
                    expr, expr);
        if (v > (LLONG_MAX - 9) / 10)
            range = true;
        else
            v = v * 10 + (*p - '0');
    }
    if (range)
        return sk_xasprintf(
                "failed to parse int from %s: strconv.Atoi: parsing \"%s\": value out of range",
                expr, expr);
    if (neg && v) return sk_xasprintf("negative number (-%lld) not allowed: %s", v, expr);
    *out = (unsigned)v;
    return NULL;
}

static char *parse_int_or_name(const char *expr, const struct bounds *b, unsigned *out)
{
    for (size_t i = 0; b->names && b->names[i]; i++)
        if (!strcasecmp(expr, b->names[i])) {
            *out = (unsigned)i + b->name_base;
            return NULL;
        }
    return must_parse_int(expr, out);
}

static char *get_range(const char *expr, const struct bounds *b)
{
    char *copy = sk_xstrdup(expr), *err = NULL;
    char *slash = strchr(copy, '/');
    if (slash && strchr(slash + 1, '/')) {
        err = sk_xasprintf("too many slashes: %s", expr);
        goto out;
    }
    if (slash) *slash = 0;
    unsigned start, end, step = 1;
    bool single = !strchr(copy, '-');
    if (!strcmp(copy, "*") || !strcmp(copy, "?")) {
        start = b->min;
        end = b->max;
    } else {
        char *dash = strchr(copy, '-');
        if (dash && strchr(dash + 1, '-')) {
            err = sk_xasprintf("too many hyphens: %s", expr);
            goto out;
        }
        if (dash) *dash = 0;
        if ((err = parse_int_or_name(copy, b, &start))) goto out;
        end = start;
        if (dash && (err = parse_int_or_name(dash + 1, b, &end))) goto out;
    }
    if (slash) {
        if ((err = must_parse_int(slash + 1, &step))) goto out;
        if (single && strcmp(copy, "*") && strcmp(copy, "?")) end = b->max;
    }
    if (start < b->min)
        err = sk_xasprintf("beginning of range (%u) below minimum (%u): %s", start, b->min, expr);
    else if (end > b->max)
        err = sk_xasprintf("end of range (%u) above maximum (%u): %s", end, b->max, expr);
    else if (start > end)
        err = sk_xasprintf("beginning of range (%u) beyond end of range (%u): %s", start, end,
                           expr);
    else if (step == 0)
        err = sk_xasprintf("step of range should be a positive number: %s", expr);
out:
    free(copy);
    return err;
}

/* Returns NULL when the schedule parses, else the parser's message. */
static char *cron_parse(const char *spec)
{
    if (!*spec) return sk_xstrdup("empty spec string");
    if (!strncmp(spec, "TZ=", 3) || !strncmp(spec, "CRON_TZ=", 8)) {
        const char *eq = strchr(spec, '='), *sp = strchr(spec, ' ');
        if (!sp)
            return sk_xasprintf("provided bad location %s: unknown time zone %s", eq + 1, eq + 1);
        char *loc = sk_xstrndup(eq + 1, (size_t)(sp - eq - 1));
        char *path = sk_xasprintf("/usr/share/zoneinfo/%s", loc);
        struct stat st;
        bool ok = !strcmp(loc, "UTC") || !strcmp(loc, "Local") || !*loc || stat(path, &st) == 0;
        char *err = ok ? NULL
                       : sk_xasprintf("provided bad location %s: unknown time zone %s", loc, loc);
        free(loc);
        free(path);
        if (err) return err;
        spec = sp;
        while (*spec == ' ' || *spec == '\t')
            spec++;
    }
    if (spec[0] == '@') {
        static const char *const desc[] = {"@yearly", "@annually", "@monthly", "@weekly",
                                           "@daily",  "@midnight", "@hourly",  NULL};
        if (sk_str_in(spec, desc)) return NULL;
        if (!strncmp(spec, "@every ", 7)) {
            int64_t ns;
            struct sk_error *e = NULL;
            if (sk_duration_parse(spec + 7, &ns, &e) == SK_OK) return NULL;
            char *m = sk_xasprintf("failed to parse duration %s: %s", spec,
                                   sk_error_msg(e, SK_EINVAL));
            sk_error_free(e);
            return m;
        }
        return sk_xasprintf("unrecognized descriptor: %s", spec);
    }
    /* strings.Fields */
    char *copy = sk_xstrdup(spec), *fields[64];
    size_t n = 0;
    for (char *tok = strtok(copy, " \t\n\r\v\f"); tok; tok = strtok(NULL, " \t\n\r\v\f"))
        if (n < 64) fields[n++] = tok;
    char *err = NULL;
    if (n != 5) {
        struct sk_buf b = {0};
        for (size_t i = 0; i < n; i++)
            sk_buf_printf(&b, "%s%s", i ? " " : "", fields[i]);
        char *list = sk_buf_take(&b, NULL);
        err = sk_xasprintf("expected exactly 5 fields, found %zu: [%s]", n, list);
        free(list);
        free(copy);
        return err;
    }
    static const struct bounds bounds[5] = {{0, 59, NULL, 0},
                                            {0, 23, NULL, 0},
                                            {1, 31, NULL, 0},
                                            {1, 12, months, 1},
                                            {0, 6, days, 0}};
    for (size_t i = 0; i < 5 && !err; i++) {
        char *parts = sk_xstrdup(fields[i]), *save = NULL;
        for (char *p = strtok_r(parts, ",", &save); p && !err; p = strtok_r(NULL, ",", &save))
            err = get_range(p, &bounds[i]);
        free(parts);
    }
    free(copy);
    return err;
}

/* ---- validation ---- */

static void job_spec_checks(struct sk_vctx *v, const struct sk_val *spec)
{
    sk_vnonneg(v, spec, "parallelism");
    sk_vnonneg(v, spec, "completions");
    sk_vnonneg(v, spec, "activeDeadlineSeconds");
    sk_vnonneg(v, spec, "backoffLimit");
    sk_vnonneg(v, spec, "ttlSecondsAfterFinished");
    const char *mode = sk_gets(spec, "completionMode");
    static const char *const modes[] = {"NonIndexed", "Indexed", NULL};
    if (mode && !sk_str_in(mode, modes)) sk_vnotsupported_str(v, "completionMode", mode, modes);
    bool indexed = sk_streq(mode, "Indexed");
    int64_t comp, par;
    if (indexed) {
        if (!sk_geti(spec, "completions", &comp))
            sk_vrequired(v, "completions", "when completion mode is Indexed");
        else if (comp > 100000)
            sk_vinvalid_int(v, "completions", comp,
                            "must be less than or equal to 100000 when completion mode is Indexed");
        if (sk_geti(spec, "parallelism", &par) && par > 100000)
            sk_vinvalid_int(v, "parallelism", par,
                            "must be less than or equal to 100000 when completion mode is Indexed");
    }
    int64_t bpi;
    if (sk_geti(spec, "backoffLimitPerIndex", &bpi)) {
        sk_vnonneg(v, spec, "backoffLimitPerIndex");
        if (!indexed) sk_vforbidden(v, "backoffLimitPerIndex", "requires indexed completion mode");
    }
    int64_t mfi;
    if (sk_geti(spec, "maxFailedIndexes", &mfi)) {
        if (!sk_has(spec, "backoffLimitPerIndex"))
            sk_vrequired(v, "backoffLimitPerIndex", "when maxFailedIndexes is specified");
        sk_vnonneg(v, spec, "maxFailedIndexes");
    }
    const char *prp = sk_gets(spec, "podReplacementPolicy");
    if (prp) {
        static const char *const failed[] = {"Failed", NULL};
        static const char *const prps[] = {"Failed", "TerminatingOrFailed", NULL};
        if (sk_has(spec, "podFailurePolicy")) {
            if (strcmp(prp, "Failed")) sk_vnotsupported_str(v, "podReplacementPolicy", prp, failed);
        } else if (!sk_str_in(prp, prps)) {
            sk_vnotsupported_str(v, "podReplacementPolicy", prp, prps);
        }
    }
    const struct sk_val *pfp = sk_getm(spec, "podFailurePolicy");
    const struct sk_val *rules = sk_geta(pfp, "rules");
    static const char *const actions[] = {"Count", "FailIndex", "FailJob", "Ignore", NULL};
    for (size_t i = 0; i < sk_alen(rules); i++) {
        const struct sk_val *r = rules->u.a.items[i];
        size_t mark = sk_vpush(v, "podFailurePolicy.rules");
        sk_vpushi(v, i);
        const char *act = sk_gets0(r, "action");
        if (!sk_str_in(act, actions)) sk_vnotsupported_str(v, "action", act, actions);
        bool ec = sk_has(r, "onExitCodes"), pc = sk_alen(sk_geta(r, "onPodConditions")) > 0;
        if (ec && pc)
            sk_vinvalid(v, NULL, "specifying both OnExitCodes and OnPodConditions is not supported",
                        "%s", "");
        else if (!ec && !pc)
            sk_vinvalid(v, NULL, "specifying one of OnExitCodes and OnPodConditions is required",
                        "%s", "");
        sk_vpop(v, mark);
    }
    const struct sk_val *tmpl = sk_getm(spec, "template");
    size_t mark = sk_vpush(v, "template");
    sk_validate_pod_template(v, tmpl);
    const char *rp = sk_gets0(sk_getm(tmpl, "spec"), "restartPolicy");
    static const char *const rps[] = {"OnFailure", "Never", NULL};
    if (!sk_str_in(rp, rps)) sk_vnotsupported_str(v, "spec.restartPolicy", rp, rps);
    sk_vpop(v, mark);
}

static void job_validate_spec(struct sk_vctx *v, const struct sk_val *obj)
{
    const struct sk_val *spec = sk_getm(obj, "spec");
    const struct sk_val *sel = sk_get(spec, "selector");
    size_t mark = sk_vpush(v, "spec");
    job_spec_checks(v, spec);
    if (!sel) {
        /* Without manualSelector the registry generates it (prepare_create). */
        if (sk_getb(spec, "manualSelector")) sk_vrequired(v, "selector", "%s", "");
    } else {
        sk_vlabelsel(v, "selector", sel);
        const struct sk_val *labels =
                sk_getm(sk_getm(sk_getm(spec, "template"), "metadata"), "labels");
        struct sk_labelsel *ls = NULL;
        if (sk_labelsel_from_val(sel, &ls, NULL) == SK_OK && !sk_labelsel_matches(ls, labels)) {
            _sk_cleanup_free_ char *f = sk_gofmt_strmap(labels);
            sk_vinvalid(v, "template.metadata.labels", f,
                        "`selector` does not match template `labels`");
        }
        sk_labelsel_free(ls);
    }
    sk_vpop(v, mark);
    const char *name = sk_gets0(sk_getm(obj, "metadata"), "name");
    int64_t comp;
    if (sk_streq(sk_gets(spec, "completionMode"), "Indexed") &&
        sk_geti(spec, "completions", &comp) && comp > 0) {
        char *host = sk_xasprintf("%s-%" PRId64, name, comp - 1);
        if (!sk_is_dns1123_label(host))
            sk_vinvalid_str(v, "metadata.name", name,
                            "will not able to create pod with invalid DNS label: %s", host);
        free(host);
    }
}

/* The scheduling directives a suspended job that never started may change. */
static struct sk_val *template_sans_directives(const struct sk_val *tmpl)
{
    struct sk_val *t = tmpl ? sk_val_dup(tmpl) : sk_val_map();
    struct sk_val *meta = sk_map_get(t, "metadata"), *spec = sk_map_get(t, "spec");
    if (meta && meta->type == SK_V_MAP) {
        sk_map_del(meta, "labels");
        sk_map_del(meta, "annotations");
    }
    if (spec && spec->type == SK_V_MAP) {
        static const char *const d[] = {"nodeSelector", "affinity", "tolerations",
                                        "schedulingGates", NULL};
        for (size_t i = 0; d[i]; i++)
            sk_map_del(spec, d[i]);
    }
    return t;
}

static void job_validate(const struct sk_val *obj, const struct sk_val *old, struct sk_causes *c)
{
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    job_validate_spec(&v, obj);
    if (old) {
        const struct sk_val *ns = sk_getm(obj, "spec"), *os = sk_getm(old, "spec");
        size_t mark = sk_vpush(&v, "spec");
        int64_t nc, np;
        bool elastic = sk_streq(sk_gets(ns, "completionMode"), "Indexed") &&
                       sk_geti(ns, "completions", &nc) && sk_geti(ns, "parallelism", &np);
        if (!sk_sem_equal(sk_get(ns, "completions"), sk_get(os, "completions"))) {
            /* Indexed jobs may scale completions together with parallelism. */
            if (!elastic)
                sk_vimmutable(&v, ns, os, "completions");
            else if (nc != np)
                sk_vinvalid_int(&v, "completions", nc,
                                "can only be modified in tandem with spec.parallelism");
        }
        if (!sk_sem_equal(sk_get(ns, "selector"), sk_get(os, "selector"))) {
            _sk_cleanup_free_ char *f = sk_gofmt_selector(sk_get(ns, "selector"));
            sk_vinvalid(&v, "selector", f, "field is immutable");
        }
        const struct sk_val *nt = sk_get(ns, "template"), *ot = sk_get(os, "template");
        bool may_mutate = sk_getb(os, "suspend") && !sk_has(sk_getm(old, "status"), "startTime");
        if (may_mutate) {
            struct sk_val *a = template_sans_directives(nt), *b = template_sans_directives(ot);
            if (!sk_sem_equal(a, b)) {
                _sk_cleanup_free_ char *f = sk_gofmt_val(nt);
                sk_vinvalid(&v, "template", f, "field is immutable");
            }
            sk_val_free(a);
            sk_val_free(b);
        } else {
            sk_vimmutable(&v, ns, os, "template");
        }
        static const char *const imm[] = {"completionMode",       "podFailurePolicy",
                                          "backoffLimitPerIndex", "managedBy",
                                          "successPolicy",        NULL};
        for (size_t i = 0; imm[i]; i++)
            sk_vimmutable(&v, ns, os, imm[i]);
        sk_vpop(&v, mark);
    }
    sk_vctx_free(&v);
}

static void job_validate_status(const struct sk_val *obj, const struct sk_val *old,
                                struct sk_causes *c)
{
    (void)old;
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    const struct sk_val *st = sk_getm(obj, "status");
    size_t mark = sk_vpush(&v, "status");
    static const char *const nn[] = {"active", "succeeded", "failed", "ready", "terminating", NULL};
    for (size_t i = 0; nn[i]; i++)
        sk_vnonneg(&v, st, nn[i]);
    sk_vpop(&v, mark);
    sk_vctx_free(&v);
}

static void cronjob_validate(const struct sk_val *obj, const struct sk_val *old,
                             struct sk_causes *c)
{
    struct sk_vctx v;
    sk_vctx_init(&v, c);
    const char *name = sk_gets0(sk_getm(obj, "metadata"), "name");
    /* The controller adds an 11-character suffix to name each job. */
    if (!old && strlen(name) > 52)
        sk_vinvalid_str(&v, "metadata.name", name, "must be no more than 52 characters");
    const struct sk_val *spec = sk_getm(obj, "spec");
    size_t mark = sk_vpush(&v, "spec");
    const char *sched = sk_gets0(spec, "schedule");
    if (!*sched) {
        sk_vrequired(&v, "schedule", "%s", "");
    } else {
        char *err = cron_parse(sched);
        if (err) sk_vinvalid_str(&v, "schedule", sched, "%s", err);
        free(err);
        if (strstr(sched, "TZ"))
            sk_vinvalid_str(&v, "schedule", sched,
                            "cannot use TZ or CRON_TZ in schedule, use timeZone field instead");
    }
    const char *tz = sk_gets(spec, "timeZone");
    if (tz) {
        _sk_cleanup_free_ char *q = sk_gofmt_str(tz);
        bool chars_ok = *tz != 0;
        for (const char *part = tz; chars_ok && part;) {
            const char *slash = strchr(part, '/');
            size_t n = slash ? (size_t)(slash - part) : strlen(part);
            chars_ok = n >= 1 && n <= 14 && part[0] != '-' && !(n == 1 && part[0] == '.') &&
                       !(n == 2 && !strncmp(part, "..", 2));
            for (size_t i = 0; chars_ok && i < n; i++)
                chars_ok = isalnum((unsigned char)part[i]) || strchr(".-_+", part[i]);
            part = slash ? slash + 1 : NULL;
        }
        char *path = sk_xasprintf("/usr/share/zoneinfo/%s", tz);
        struct stat st;
        if (!*tz)
            sk_vinvalid(&v, "timeZone", q, "timeZone must be nil or non-empty string");
        else if (!chars_ok)
            sk_vinvalid(&v, "timeZone", q, "unknown time zone %s", tz);
        else if (!strcasecmp(tz, "Local"))
            sk_vinvalid(&v, "timeZone", q,
                        "timeZone must be an explicit time zone as defined in "
                        "https://www.iana.org/time-zones");
        else if (strcmp(tz, "UTC") && stat(path, &st) != 0)
            sk_vinvalid(&v, "timeZone", q, "unknown time zone %s", tz);
        free(path);
    }
    sk_vnonneg(&v, spec, "startingDeadlineSeconds");
    const char *cp = sk_gets0(spec, "concurrencyPolicy");
    static const char *const cps[] = {"Allow", "Forbid", "Replace", NULL};
    if (!*cp)
        sk_vrequired(&v, "concurrencyPolicy", "%s", "");
    else if (!sk_str_in(cp, cps))
        sk_vnotsupported_str(&v, "concurrencyPolicy", cp, cps);
    sk_vnonneg(&v, spec, "successfulJobsHistoryLimit");
    sk_vnonneg(&v, spec, "failedJobsHistoryLimit");
    const struct sk_val *jt = sk_getm(spec, "jobTemplate");
    size_t m2 = sk_vpush(&v, "jobTemplate");
    const struct sk_val *jmeta = sk_getm(jt, "metadata");
    sk_vlabels(&v, "metadata.labels", sk_getm(jmeta, "labels"));
    sk_vannotations(&v, "metadata.annotations", sk_getm(jmeta, "annotations"));
    const struct sk_val *js = sk_getm(jt, "spec");
    size_t m3 = sk_vpush(&v, "spec");
    job_spec_checks(&v, js);
    if (sk_has(js, "selector")) {
        _sk_cleanup_free_ char *f = sk_gofmt_selector(sk_get(js, "selector"));
        sk_vinvalid(&v, "selector", f, "`selector` will be auto-generated");
    }
    if (sk_getb(js, "manualSelector")) {
        static const char *const nf[] = {"nil", "false", NULL};
        sk_vnotsupported(&v, "manualSelector", "true", nf);
    }
    sk_vpop(&v, m3);
    sk_vpop(&v, m2);
    sk_vpop(&v, mark);
    sk_vctx_free(&v);
}

/* ---- kinds ---- */

static const char *const cat_all[] = {"all", NULL};
static const char *const sn_cj[] = {"cj", NULL};

const struct sk_kind sk_kind_job = {
        .group = "batch",
        .version = "v1",
        .kind = "Job",
        .list_kind = "JobList",
        .plural = "jobs",
        .singular = "job",
        .categories = cat_all,
        .namespaced = true,
        .has_status = true,
        .fields = f_batch_Job,
        .description = "Runs pods of a template until a number of them complete successfully.",
        .ref = SK_REF_BATCH "Job",
        .defaults = job_defaults,
        .prepare_create = job_prepare_create,
        .validate = job_validate,
        .validate_status = job_validate_status,
};

const struct sk_kind sk_kind_cronjob = {
        .group = "batch",
        .version = "v1",
        .kind = "CronJob",
        .list_kind = "CronJobList",
        .plural = "cronjobs",
        .singular = "cronjob",
        .short_names = sn_cj,
        .categories = cat_all,
        .namespaced = true,
        .has_status = true,
        .fields = f_batch_CronJob,
        .description = "Creates jobs from a template on a cron schedule.",
        .ref = SK_REF_BATCH "CronJob",
        .defaults = cronjob_defaults,
        .validate = cronjob_validate,
};
