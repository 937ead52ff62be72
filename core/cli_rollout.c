/* `skiff rollout status|history|undo|pause|resume|restart`: kubectl's
 * rollout commands, reading a Deployment's history from the ReplicaSets it
 * controls (their deployment.kubernetes.io/revision annotations) as
 * kubectl does, and the status lines of kubectl's status viewers. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli_write.h"
#include "json.h"
#include "mem.h"
#include "selector.h"

#define REVISION_ANN     "deployment.kubernetes.io/revision"
#define CHANGE_CAUSE_ANN "kubernetes.io/change-cause"
#define HASH_LABEL       "pod-template-hash"

/* ---- pure ---- */

long long sk_rollout_revision(const struct sk_val *obj)
{
    const char *v = sk_obj_annotation(obj, REVISION_ANN);
    if (!v || !*v) return -1;
    char *end;
    long long r = strtoll(v, &end, 10);
    return *end ? -1 : r;
}

const struct sk_val **sk_rollout_owned(const struct sk_val *deploy, const struct sk_val *rss,
                                       size_t *n)
{
    const char *uid = sk_val_str_at(deploy, "metadata", "uid", NULL);
    const struct sk_val **out = sk_xcalloc(sk_arr_len(rss) + 1, sizeof(*out));
    *n = 0;
    for (size_t i = 0; i < sk_arr_len(rss); i++) {
        const struct sk_val *rs = sk_arr_get(rss, i);
        const struct sk_val *ref = sk_obj_controller_ref(rs);
        const char *ruid = sk_val_str_at(ref, "uid", NULL);
        if (uid && ruid && !strcmp(uid, ruid)) out[(*n)++] = rs;
    }
    return out;
}

char *sk_rollout_status_deployment(const struct sk_val *d, bool *done, char **err_msg)
{
    *done = false;
    *err_msg = NULL;
    const char *name = sk_obj_name(d) ?: "";
    int64_t gen = sk_val_to_int(sk_val_at(d, "metadata", "generation", NULL), 0);
    const struct sk_val *st = sk_map_get(d, "status");
    int64_t obs = sk_val_to_int(sk_map_get(st, "observedGeneration"), 0);
    if (gen > obs) return sk_xstrdup("Waiting for deployment spec update to be observed...\n");
    const struct sk_val *conds = sk_map_get(st, "conditions");
    for (size_t i = 0; i < sk_arr_len(conds); i++) {
        const struct sk_val *cd = sk_arr_get(conds, i);
        const char *t = sk_val_str_at(cd, "type", NULL), *r = sk_val_str_at(cd, "reason", NULL);
        if (t && !strcmp(t, "Progressing") && r && !strcmp(r, "ProgressDeadlineExceeded")) {
            *err_msg = sk_xasprintf("deployment \"%s\" exceeded its progress deadline", name);
            return NULL;
        }
    }
    const struct sk_val *rep = sk_val_at(d, "spec", "replicas", NULL);
    int64_t updated = sk_val_to_int(sk_map_get(st, "updatedReplicas"), 0);
    int64_t replicas = sk_val_to_int(sk_map_get(st, "replicas"), 0);
    int64_t avail = sk_val_to_int(sk_map_get(st, "availableReplicas"), 0);
    if (rep && updated < sk_val_to_int(rep, 0))
        return sk_xasprintf("Waiting for deployment \"%s\" rollout to finish: %lld out of %lld new "
                            "replicas have been updated...\n",
                            name, (long long)updated, (long long)sk_val_to_int(rep, 0));
    if (replicas > updated)
        return sk_xasprintf("Waiting for deployment \"%s\" rollout to finish: %lld old replicas "
                            "are pending termination...\n",
                            name, (long long)(replicas - updated));
    if (avail < updated)
        return sk_xasprintf("Waiting for deployment \"%s\" rollout to finish: %lld of %lld "
                            "updated replicas are available...\n",
                            name, (long long)avail, (long long)updated);
    *done = true;
    return sk_xasprintf("deployment \"%s\" successfully rolled out\n", name);
}

static char *status_daemonset(const struct sk_val *d, bool *done, char **err_msg)
{
    *done = false;
    *err_msg = NULL;
    const char *name = sk_obj_name(d) ?: "";
    const char *type = sk_val_str_at(d, "spec", "updateStrategy", "type", NULL);
    if (!type || strcmp(type, "RollingUpdate")) {
        *done = true;
        *err_msg = sk_xstrdup("rollout status is only available for RollingUpdate strategy type");
        return NULL;
    }
    int64_t gen = sk_val_to_int(sk_val_at(d, "metadata", "generation", NULL), 0);
    const struct sk_val *st = sk_map_get(d, "status");
    if (gen > sk_val_to_int(sk_map_get(st, "observedGeneration"), 0))
        return sk_xstrdup("Waiting for daemon set spec update to be observed...\n");
    int64_t upd = sk_val_to_int(sk_map_get(st, "updatedNumberScheduled"), 0);
    int64_t want = sk_val_to_int(sk_map_get(st, "desiredNumberScheduled"), 0);
    int64_t avail = sk_val_to_int(sk_map_get(st, "numberAvailable"), 0);
    if (upd < want)
        return sk_xasprintf("Waiting for daemon set \"%s\" rollout to finish: %lld out of %lld new "
                            "pods have been updated...\n",
                            name, (long long)upd, (long long)want);
    if (avail < want)
        return sk_xasprintf("Waiting for daemon set \"%s\" rollout to finish: %lld of %lld "
                            "updated pods are available...\n",
                            name, (long long)avail, (long long)want);
    *done = true;
    return sk_xasprintf("daemon set \"%s\" successfully rolled out\n", name);
}

static char *status_statefulset(const struct sk_val *s, bool *done, char **err_msg)
{
    *done = false;
    *err_msg = NULL;
    const char *type = sk_val_str_at(s, "spec", "updateStrategy", "type", NULL);
    if (!type || strcmp(type, "RollingUpdate")) {
        *done = true;
        *err_msg = sk_xstrdup("rollout status is only available for RollingUpdate strategy type");
        return NULL;
    }
    int64_t gen = sk_val_to_int(sk_val_at(s, "metadata", "generation", NULL), 0);
    const struct sk_val *st = sk_map_get(s, "status");
    int64_t obs = sk_val_to_int(sk_map_get(st, "observedGeneration"), 0);
    if (obs == 0 || gen > obs)
        return sk_xstrdup("Waiting for statefulset spec update to be observed...\n");
    const struct sk_val *rep = sk_val_at(s, "spec", "replicas", NULL);
    int64_t ready = sk_val_to_int(sk_map_get(st, "readyReplicas"), 0);
    int64_t upd = sk_val_to_int(sk_map_get(st, "updatedReplicas"), 0);
    if (rep && ready < sk_val_to_int(rep, 0))
        return sk_xasprintf("Waiting for %lld pods to be ready...\n",
                            (long long)(sk_val_to_int(rep, 0) - ready));
    const struct sk_val *ru = sk_val_at(s, "spec", "updateStrategy", "rollingUpdate", NULL);
    if (ru) {
        const struct sk_val *part = sk_map_get(ru, "partition");
        if (rep && part && upd < sk_val_to_int(rep, 0) - sk_val_to_int(part, 0))
            return sk_xasprintf("Waiting for partitioned roll out to finish: %lld out of %lld new "
                                "pods have been updated...\n",
                                (long long)upd,
                                (long long)(sk_val_to_int(rep, 0) - sk_val_to_int(part, 0)));
        *done = true;
        return sk_xasprintf("partitioned roll out complete: %lld new pods have been updated...\n",
                            (long long)upd);
    }
    const char *ur = sk_val_str_at(st, "updateRevision", NULL) ?: "";
    const char *cr = sk_val_str_at(st, "currentRevision", NULL) ?: "";
    if (strcmp(ur, cr))
        return sk_xasprintf("waiting for statefulset rolling update to complete %lld pods at "
                            "revision %s...\n",
                            (long long)upd, ur);
    *done = true;
    /* kubectl formats the revision name with %d here; its output reads so */
    return sk_xasprintf("statefulset rolling update complete %%!d(string=%s) pods at revision "
                        "%s...\n",
                        cr, cr);
}

/* ---- shared ---- */

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static bool is_kind(const struct sk_kind *k, const char *kind)
{
    return !strcmp(k->kind, kind) && !strcmp(k->group, "apps");
}

/* Resolve the rollout's targets (TYPE NAME, TYPE/NAME, -f, -l) and fetch them. */
static int rollout_targets(struct sk_cli *c, struct sk_cliw_infos *in, struct sk_cliw_errs *errs,
                           bool has_selector)
{
    const struct sk_strv *files = sk_cli_strs(c, "filename");
    if (c->nargs == 0 && files->n == 0) return sk_cli_fail(c, "required resource not specified");
    struct sk_cliw_sel s = {
            .files = files,
            .recursive = sk_cli_bool(c, "recursive"),
            .selector = has_selector ? sk_cli_str(c, "selector") : NULL,
            .fetch = true,
            .names_required = true,
    };
    return sk_cliw_collect(c, c->args, c->nargs, &s, in, errs, NULL);
}

/* The list query ("?labelSelector=...", or "") for obj's spec.selector. */
static char *selector_query(const struct sk_val *obj)
{
    const struct sk_val *sel = sk_val_at(obj, "spec", "selector", NULL);
    struct sk_labelsel *ls = NULL;
    char *selstr = NULL;
    if (sel && sk_labelsel_from_val(sel, &ls, NULL) == SK_OK) selstr = sk_labelsel_string(ls);
    sk_labelsel_free(ls);
    char *q = sk_cliw_query("labelSelector", selstr && *selstr ? selstr : NULL, NULL);
    free(selstr);
    return q;
}

/* The ReplicaSets the deployment controls (a new array of copies). */
static int owned_replicasets(struct sk_cli *c, const struct sk_cliw_info *it, struct sk_val **out)
{
    *out = sk_val_arr();
    char *q = selector_query(it->obj);
    const struct sk_kind *rsk = sk_kind_by_api_version("apps/v1", "ReplicaSet");
    char *path = sk_cli_path(rsk, it->ns, NULL, NULL, *q ? q + 1 : NULL);
    free(q);
    struct sk_val *list = NULL;
    int rc = sk_cli_get_json(c, path, &list);
    free(path);
    if (rc) return rc;
    size_t n = 0;
    const struct sk_val **own = sk_rollout_owned(it->obj, sk_map_get(list, "items"), &n);
    for (size_t i = 0; i < n; i++)
        sk_arr_push(*out, sk_val_dup(own[i]));
    free(own);
    sk_val_free(list);
    return 0;
}

static const struct sk_cli_flag common_flags[] = {
        {"filename", 'f', SK_FLAG_STRINGS, "[]",
         "Filename, directory, or URL to files identifying the resource to get from a server."},
        {"recursive", 'R', SK_FLAG_BOOL, "false",
         "Process the directory used in -f, --filename recursively. Useful when you want to "
         "manage related manifests organized within the same directory."},
        {"selector", 'l', SK_FLAG_STRING, "",
         "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l "
         "key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the "
         "specified label constraints."},
        {"field-manager", 0, SK_FLAG_STRING, "kubectl-rollout",
         "Name of the manager used to track field ownership."},
        {"output", 'o', SK_FLAG_STRING, "",
         "Output format. One of: (json, yaml, name, go-template, go-template-file, template, "
         "templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."},
        {0},
};

/* ---- status ---- */

static const struct sk_cli_flag status_flags[] = {
        {"filename", 'f', SK_FLAG_STRINGS, "[]",
         "Filename, directory, or URL to files identifying the resource to get from a server."},
        {"recursive", 'R', SK_FLAG_BOOL, "false",
         "Process the directory used in -f, --filename recursively. Useful when you want to "
         "manage related manifests organized within the same directory."},
        {"selector", 'l', SK_FLAG_STRING, "",
         "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l "
         "key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the "
         "specified label constraints."},
        {"revision", 0, SK_FLAG_INT, "0",
         "Pin to a specific revision for showing its status. Defaults to 0 (last revision)."},
        {"timeout", 0, SK_FLAG_DURATION, "0s",
         "The length of time to wait before ending watch, zero means never. Any other values "
         "should contain a corresponding time unit (e.g. 1s, 2m, 3h)."},
        {"watch", 'w', SK_FLAG_BOOL, "true", "Watch the status of the rollout until it's done."},
        {0},
};

static int status_run(struct sk_cli *c)
{
    struct sk_cliw_infos in = {0};
    struct sk_cliw_errs errs = {0};
    if (rollout_targets(c, &in, &errs, true)) {
        sk_cliw_infos_free(&in);
        sk_cliw_errs_flush(c, &errs);
        return 1;
    }
    if (errs.n) {
        sk_cliw_infos_free(&in);
        return sk_cliw_errs_flush(c, &errs);
    }
    int rc = 0;
    if (in.n != 1) {
        rc = sk_cli_fail(c,
                         "rollout status is only supported on individual resources and "
                         "resource collections - %zu resources were found",
                         in.n);
        sk_cliw_infos_free(&in);
        return rc;
    }
    struct sk_cliw_info *it = &in.v[0];
    char *(*viewer)(const struct sk_val *, bool *, char **) = NULL;
    if (is_kind(it->kind, "Deployment"))
        viewer = sk_rollout_status_deployment;
    else if (is_kind(it->kind, "DaemonSet"))
        viewer = status_daemonset;
    else if (is_kind(it->kind, "StatefulSet"))
        viewer = status_statefulset;
    if (!viewer) {
        rc = sk_cli_fail(c, "no status viewer has been implemented for %s", it->kind->kind);
        sk_cliw_infos_free(&in);
        return rc;
    }
    double timeout = sk_cli_duration(c, "timeout");
    double deadline = timeout > 0 ? mono() + timeout : 0;
    bool watch = sk_cli_bool(c, "watch");
    char *path = sk_cli_path(it->kind, it->ns, it->name, NULL, NULL);
    struct sk_val *obj = sk_val_dup(it->obj);
    char *last_rv = NULL;
    for (;;) {
        const char *rv = sk_val_str_at(obj, "metadata", "resourceVersion", NULL);
        if (!last_rv || !rv || strcmp(last_rv, rv)) {
            bool done = false;
            char *err = NULL;
            char *line = viewer(obj, &done, &err);
            if (err) {
                rc = sk_cli_fail(c, "%s", err);
                free(err);
                break;
            }
            fputs(line, c->out);
            fflush(c->out);
            free(line);
            if (done || !watch) break;
            free(last_rv);
            last_rv = sk_xstrdup(rv ? rv : "");
        }
        if (deadline && mono() > deadline) {
            rc = sk_cli_fail(c, "timed out waiting for the condition");
            break;
        }
        usleep(250 * 1000);
        sk_val_free(obj);
        obj = NULL;
        if ((rc = sk_cli_get_json(c, path, &obj))) break;
    }
    free(last_rv);
    sk_val_free(obj);
    free(path);
    sk_cliw_infos_free(&in);
    return rc;
}

/* ---- history ---- */

static const struct sk_cli_flag history_flags[] = {
        {"filename", 'f', SK_FLAG_STRINGS, "[]",
         "Filename, directory, or URL to files identifying the resource to get from a server."},
        {"output", 'o', SK_FLAG_STRING, "",
         "Output format. One of: (json, yaml, name, go-template, go-template-file, template, "
         "templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."},
        {"recursive", 'R', SK_FLAG_BOOL, "false",
         "Process the directory used in -f, --filename recursively. Useful when you want to "
         "manage related manifests organized within the same directory."},
        {"revision", 0, SK_FLAG_INT, "0",
         "See the details, including podTemplate of the revision specified"},
        {"selector", 'l', SK_FLAG_STRING, "",
         "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l "
         "key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the "
         "specified label constraints."},
        {0},
};

static int rev_cmp(const void *a, const void *b)
{
    long long x = sk_rollout_revision(*(const struct sk_val *const *)a);
    long long y = sk_rollout_revision(*(const struct sk_val *const *)b);
    return x < y ? -1 : x > y;
}

static void describe_kv_map(struct sk_buf *b, const char *title, const struct sk_val *m)
{
    sk_buf_printf(b, "  %s:\t", title);
    if (!m || sk_map_len(m) == 0) {
        sk_buf_puts(b, "<none>\n");
        return;
    }
    for (size_t i = 0; i < m->u.m.n; i++) {
        const char *v = sk_val_cstr(m->u.m.kv[i].val);
        sk_buf_printf(b, "%s%s=%s\n", i ? "\t" : "", m->u.m.kv[i].key, v ? v : "");
    }
}

/* A pod template in the shape of kubectl's DescribePodTemplate (the common
 * fields), tabs aligned afterwards. */
static void describe_template(struct sk_buf *b, const struct sk_val *tpl)
{
    sk_buf_puts(b, "Pod Template:\n");
    describe_kv_map(b, "Labels", sk_val_at(tpl, "metadata", "labels", NULL));
    const struct sk_val *ann = sk_val_at(tpl, "metadata", "annotations", NULL);
    if (ann && sk_map_len(ann)) describe_kv_map(b, "Annotations", ann);
    const struct sk_val *spec = sk_map_get(tpl, "spec");
    const char *sa = sk_val_str_at(spec, "serviceAccountName", NULL);
    if (sa && *sa) sk_buf_printf(b, "  Service Account:\t%s\n", sa);
    const struct sk_val *cs = sk_map_get(spec, "containers");
    sk_buf_printf(b, "  Containers:\n");
    for (size_t i = 0; i < sk_arr_len(cs); i++) {
        const struct sk_val *ct = sk_arr_get(cs, i);
        sk_buf_printf(b, "   %s:\n", sk_val_str_at(ct, "name", NULL) ?: "");
        sk_buf_printf(b, "    Image:\t%s\n", sk_val_str_at(ct, "image", NULL) ?: "");
        const struct sk_val *ports = sk_map_get(ct, "ports");
        if (!sk_arr_len(ports)) {
            sk_buf_puts(b, "    Port:\t<none>\n    Host Port:\t<none>\n");
        } else {
            for (size_t j = 0; j < sk_arr_len(ports); j++) {
                const struct sk_val *p = sk_arr_get(ports, j);
                const char *proto = sk_val_str_at(p, "protocol", NULL) ?: "TCP";
                sk_buf_printf(b, "    Port:\t%lld/%s\n",
                              (long long)sk_val_to_int(sk_map_get(p, "containerPort"), 0), proto);
                sk_buf_printf(b, "    Host Port:\t%lld/%s\n",
                              (long long)sk_val_to_int(sk_map_get(p, "hostPort"), 0), proto);
            }
        }
        const struct sk_val *cmd = sk_map_get(ct, "command");
        if (sk_arr_len(cmd)) {
            sk_buf_puts(b, "    Command:\n");
            for (size_t j = 0; j < sk_arr_len(cmd); j++)
                sk_buf_printf(b, "      %s\n", sk_val_cstr(sk_arr_get(cmd, j)) ?: "");
        }
        const struct sk_val *args = sk_map_get(ct, "args");
        if (sk_arr_len(args)) {
            sk_buf_puts(b, "    Args:\n");
            for (size_t j = 0; j < sk_arr_len(args); j++)
                sk_buf_printf(b, "      %s\n", sk_val_cstr(sk_arr_get(args, j)) ?: "");
        }
        const struct sk_val *env = sk_map_get(ct, "env");
        if (!sk_arr_len(env)) {
            sk_buf_puts(b, "    Environment:\t<none>\n");
        } else {
            sk_buf_puts(b, "    Environment:\n");
            for (size_t j = 0; j < sk_arr_len(env); j++) {
                const struct sk_val *e = sk_arr_get(env, j);
                sk_buf_printf(b, "      %s:\t%s\n", sk_val_str_at(e, "name", NULL) ?: "",
                              sk_val_str_at(e, "value", NULL) ?: "");
            }
        }
        const struct sk_val *mounts = sk_map_get(ct, "volumeMounts");
        if (!sk_arr_len(mounts)) {
            sk_buf_puts(b, "    Mounts:\t<none>\n");
        } else {
            sk_buf_puts(b, "    Mounts:\n");
            for (size_t j = 0; j < sk_arr_len(mounts); j++) {
                const struct sk_val *m = sk_arr_get(mounts, j);
                sk_buf_printf(b, "      %s from %s (%s)\n",
                              sk_val_str_at(m, "mountPath", NULL) ?: "",
                              sk_val_str_at(m, "name", NULL) ?: "",
                              sk_val_to_bool(sk_map_get(m, "readOnly"), false) ? "ro" : "rw");
            }
        }
    }
    const struct sk_val *vols = sk_map_get(spec, "volumes");
    if (!sk_arr_len(vols)) {
        sk_buf_puts(b, "  Volumes:\t<none>\n");
    } else {
        sk_buf_puts(b, "  Volumes:\n");
        for (size_t j = 0; j < sk_arr_len(vols); j++)
            sk_buf_printf(b, "   %s:\n", sk_val_str_at(sk_arr_get(vols, j), "name", NULL) ?: "");
    }
    const struct sk_val *ns = sk_map_get(spec, "nodeSelector");
    if (ns && sk_map_len(ns))
        describe_kv_map(b, "Node-Selectors", ns);
    else
        sk_buf_puts(b, "  Node-Selectors:\t<none>\n");
    sk_buf_puts(b, "  Tolerations:\t<none>\n");
}

/* Align tab-separated cells as Go's tabwriter (minwidth 0, padding 2) does
 * within each block of consecutive lines that have tabs. */
static char *tabify(const char *s, int padding)
{
    struct sk_buf out = {0};
    const char *p = s;
    while (*p) {
        /* a block: lines with the same count of cells? kubectl's tabwriter
         * aligns column by column over consecutive lines holding that
         * column; this does it for the first column, which is what the
         * history table and the template description use. */
        const char *blk = p;
        size_t w = 0;
        const char *q = p;
        while (*q) {
            const char *nl = strchr(q, '\n');
            size_t len = nl ? (size_t)(nl - q) : strlen(q);
            const char *tab = memchr(q, '\t', len);
            if (!tab) break;
            if ((size_t)(tab - q) > w) w = (size_t)(tab - q);
            q += len + (nl ? 1 : 0);
        }
        if (q == blk) { /* a line without tab */
            const char *nl = strchr(p, '\n');
            size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);
            sk_buf_append(&out, p, len);
            p += len;
            continue;
        }
        for (const char *l = blk; l < q;) {
            const char *nl = strchr(l, '\n');
            size_t len = nl ? (size_t)(nl - l) : strlen(l);
            const char *tab = memchr(l, '\t', len);
            size_t cw = (size_t)(tab - l);
            sk_buf_append(&out, l, cw);
            for (size_t k = cw; k < w + (size_t)padding; k++)
                sk_buf_putc(&out, ' ');
            sk_buf_append(&out, tab + 1, len - cw - 1);
            if (nl) sk_buf_putc(&out, '\n');
            l += len + (nl ? 1 : 0);
        }
        p = q;
    }
    return sk_buf_take(&out, NULL);
}

/* One row of `rollout history`'s table (kubectl prints <none> for no
 * change-cause). */
static void history_row(struct sk_buf *b, long long revision, const char *cause)
{
    sk_buf_printf(b, "%lld\t%s\n", revision, cause && *cause ? cause : "<none>");
}

/* The table under its "KIND/NAME " heading, aligned as kubectl's
 * tabwriter does; frees b. */
static void history_print(struct sk_cli *c, const char *ref, struct sk_buf *b)
{
    char *raw = sk_buf_take(b, NULL);
    char *txt = tabify(raw, 2);
    fprintf(c->out, "%s \n%s\n", ref, txt);
    free(txt);
    free(raw);
}

/* ---- DaemonSets and StatefulSets: ControllerRevisions ---- */

static bool uses_revisions(const struct sk_kind *k)
{
    return is_kind(k, "DaemonSet") || is_kind(k, "StatefulSet");
}

static int cr_cmp(const void *a, const void *b)
{
    int64_t x = sk_val_to_int(sk_map_get(*(struct sk_val *const *)a, "revision"), 0);
    int64_t y = sk_val_to_int(sk_map_get(*(struct sk_val *const *)b, "revision"), 0);
    return x < y ? -1 : x > y;
}

/* The ControllerRevisions it (a DaemonSet or StatefulSet) controls, by
 * revision, oldest first (a new array of copies), as kubectl finds them:
 * the set's selector, then the controller reference's uid. */
static int owned_revisions(struct sk_cli *c, const struct sk_cliw_info *it, struct sk_val **out)
{
    *out = sk_val_arr();
    char *q = selector_query(it->obj);
    const struct sk_kind *crk = sk_kind_by_api_version("apps/v1", "ControllerRevision");
    if (!crk) {
        free(q);
        return sk_cli_fail(c, "the server doesn't have a resource type \"controllerrevisions\"");
    }
    char *path = sk_cli_path(crk, it->ns, NULL, NULL, *q ? q + 1 : NULL);
    free(q);
    struct sk_val *list = NULL;
    int rc = sk_cli_get_json(c, path, &list);
    free(path);
    if (rc) return rc;
    const char *uid = sk_val_str_at(it->obj, "metadata", "uid", NULL);
    const struct sk_val *items = sk_map_get(list, "items");
    for (size_t i = 0; i < sk_arr_len(items); i++) {
        const struct sk_val *cr = sk_arr_get(items, i);
        const char *ouid = sk_val_str_at(sk_obj_controller_ref(cr), "uid", NULL);
        if (uid && ouid && !strcmp(uid, ouid)) sk_arr_push(*out, sk_val_dup(cr));
    }
    sk_val_free(list);
    if ((*out)->u.a.n > 1)
        qsort((*out)->u.a.items, (*out)->u.a.n, sizeof(*(*out)->u.a.items), cr_cmp);
    return 0;
}

/* The pod template a revision holds (its data's spec.template without the
 * "$patch" directive); caller frees. */
static struct sk_val *cr_template(const struct sk_val *cr)
{
    struct sk_val *t = sk_val_dup(sk_val_at(cr, "data", "spec", "template", NULL));
    if (!t || t->type != SK_V_MAP) {
        sk_val_free(t);
        return sk_val_map();
    }
    sk_map_del(t, "$patch");
    return t;
}

static int history_revisions(struct sk_cli *c, const struct sk_cliw_info *it, int64_t want,
                             struct sk_cliw_errs *errs)
{
    struct sk_val *crs = NULL;
    int rc = owned_revisions(c, it, &crs);
    if (rc) return rc;
    size_t n = sk_arr_len(crs);
    char *ref = sk_cli_ref(it->kind, it->name);
    if (!n) {
        fprintf(c->out, "%s \nNo rollout history found.\n", ref);
    } else if (want > 0) {
        const struct sk_val *hit = NULL;
        for (size_t j = 0; j < n; j++)
            if (sk_val_to_int(sk_map_get(sk_arr_get(crs, j), "revision"), 0) == want)
                hit = sk_arr_get(crs, j);
        if (!hit) {
            sk_cliw_err_line(errs, "error: unable to find the specified revision");
        } else {
            struct sk_val *tpl = cr_template(hit);
            const char *out = sk_cli_str(c, "output");
            if (out && *out) {
                /* kubectl prints the set as that revision would make it */
                struct sk_val *obj = sk_val_dup(it->obj);
                sk_val_set_at(obj, sk_val_dup(tpl), "spec", "template", NULL);
                struct sk_val *const objs[1] = {obj};
                const struct sk_kind *const kinds[1] = {it->kind};
                rc = sk_cli_print_objs(c, out, objs, kinds, 1);
                sk_val_free(obj);
            } else {
                struct sk_buf b = {0};
                describe_template(&b, tpl);
                char *raw = sk_buf_take(&b, NULL);
                fprintf(c->out, "%s with revision #%lld\n%s\n", ref, (long long)want, raw);
                free(raw);
            }
            sk_val_free(tpl);
        }
    } else {
        struct sk_buf b = {0};
        sk_buf_puts(&b, "REVISION\tCHANGE-CAUSE\n");
        /* one line per revision, as kubectl's map of them has */
        for (size_t j = 0; j < n; j++) {
            const struct sk_val *cr = sk_arr_get(crs, j);
            long long r = sk_val_to_int(sk_map_get(cr, "revision"), 0);
            if (j + 1 < n && sk_val_to_int(sk_map_get(sk_arr_get(crs, j + 1), "revision"), 0) == r)
                continue;
            history_row(&b, r, sk_obj_annotation(cr, CHANGE_CAUSE_ANN));
        }
        history_print(c, ref, &b);
    }
    free(ref);
    sk_val_free(crs);
    return rc;
}

static int history_run(struct sk_cli *c)
{
    struct sk_cliw_infos in = {0};
    struct sk_cliw_errs errs = {0};
    if (rollout_targets(c, &in, &errs, true)) {
        sk_cliw_infos_free(&in);
        sk_cliw_errs_flush(c, &errs);
        return 1;
    }
    int64_t want = sk_cli_int(c, "revision");
    int rc = 0;
    for (size_t i = 0; i < in.n && !rc; i++) {
        struct sk_cliw_info *it = &in.v[i];
        if (uses_revisions(it->kind)) {
            rc = history_revisions(c, it, want, &errs);
            continue;
        }
        if (!is_kind(it->kind, "Deployment")) {
            sk_cliw_err_line(&errs,
                             "error: error retrieving history for \"%s\", no visitor method "
                             "exists for {%s %s}",
                             it->kind->kind, it->kind->group, it->kind->kind);
            continue;
        }
        struct sk_val *rss = NULL;
        if ((rc = owned_replicasets(c, it, &rss))) break;
        size_t n = sk_arr_len(rss);
        const struct sk_val **v = sk_xcalloc(n + 1, sizeof(*v));
        size_t m = 0;
        for (size_t j = 0; j < n; j++)
            if (sk_rollout_revision(sk_arr_get(rss, j)) >= 0) v[m++] = sk_arr_get(rss, j);
        qsort(v, m, sizeof(*v), rev_cmp);
        char *ref = sk_cli_ref(it->kind, it->name);
        if (want > 0) {
            const struct sk_val *hit = NULL;
            for (size_t j = 0; j < m; j++)
                if (sk_rollout_revision(v[j]) == want) hit = v[j];
            if (!hit) {
                sk_cliw_err_line(&errs, "error: unable to find the specified revision");
            } else {
                struct sk_val *tpl = sk_val_dup(sk_val_at(hit, "spec", "template", NULL));
                const char *cause = sk_obj_annotation(hit, CHANGE_CAUSE_ANN);
                if (cause && *cause) {
                    if (!sk_map_get(tpl, "metadata")) sk_map_set(tpl, "metadata", sk_val_map());
                    sk_obj_set_annotation(tpl, CHANGE_CAUSE_ANN, cause);
                }
                const char *out = sk_cli_str(c, "output");
                if (out && *out) {
                    const struct sk_kind *ptk = sk_kind_by_api_version("v1", "PodTemplate");
                    struct sk_val *const objs[1] = {tpl};
                    const struct sk_kind *const kinds[1] = {ptk ? ptk : it->kind};
                    rc = sk_cli_print_objs(c, out, objs, kinds, 1);
                } else {
                    struct sk_buf b = {0};
                    describe_template(&b, tpl);
                    /* kubectl prints the template's tabs as they are */
                    char *raw = sk_buf_take(&b, NULL);
                    fprintf(c->out, "%s with revision #%lld\n%s\n", ref, (long long)want, raw);
                    free(raw);
                }
                sk_val_free(tpl);
            }
        } else if (m == 0) {
            fprintf(c->out, "%s \nNo rollout history found.\n", ref);
        } else {
            struct sk_buf b = {0};
            sk_buf_puts(&b, "REVISION\tCHANGE-CAUSE\n");
            long long prev = -1;
            for (size_t j = 0; j < m; j++) {
                long long r = sk_rollout_revision(v[j]);
                if (r == prev) continue; /* kubectl keeps one entry per revision */
                prev = r;
                const char *cause = sk_obj_annotation(v[j], CHANGE_CAUSE_ANN);
                if (!cause || !*cause)
                    cause = sk_val_str_at(v[j], "spec", "template", "metadata", "annotations",
                                          CHANGE_CAUSE_ANN, NULL);
                history_row(&b, r, cause);
            }
            history_print(c, ref, &b);
        }
        free(ref);
        free(v);
        sk_val_free(rss);
    }
    sk_cliw_infos_free(&in);
    int erc = sk_cliw_errs_flush(c, &errs);
    return rc ? rc : erc;
}

/* ---- undo ---- */

static struct sk_val *template_without_hash(const struct sk_val *tpl)
{
    struct sk_val *t = sk_val_dup(tpl ? tpl : NULL);
    if (!t) t = sk_val_map();
    struct sk_val *l = sk_val_at(t, "metadata", "labels", NULL);
    if (l) sk_map_del(l, HASH_LABEL);
    return t;
}

/* The template as kubectl's typed PodTemplateSpec serializes it: a null
 * creationTimestamp and empty resources are written out. */
static void typed_template(struct sk_val *t)
{
    struct sk_val *md = sk_map_get(t, "metadata");
    if (!md) md = sk_map_set(t, "metadata", sk_val_map());
    if (!sk_map_get(md, "creationTimestamp")) {
        struct sk_val *copy = sk_val_map();
        sk_map_set(copy, "creationTimestamp", sk_val_null());
        for (size_t i = 0; i < md->u.m.n; i++)
            sk_map_set(copy, md->u.m.kv[i].key, sk_val_dup(md->u.m.kv[i].val));
        sk_map_set(t, "metadata", copy);
    }
    const char *lists[] = {"initContainers", "containers"};
    for (int l = 0; l < 2; l++) {
        struct sk_val *cs = sk_val_at(t, "spec", lists[l], NULL);
        for (size_t i = 0; i < sk_arr_len(cs); i++) {
            struct sk_val *ct = sk_arr_get(cs, i);
            if (ct->type == SK_V_MAP && !sk_map_get(ct, "resources"))
                sk_map_set(ct, "resources", sk_val_map());
        }
    }
}

static bool skip_annotation(const char *k)
{
    static const char *const skip[] = {SK_LAST_APPLIED,
                                       REVISION_ANN,
                                       "deployment.kubernetes.io/revision-history",
                                       "deployment.kubernetes.io/desired-replicas",
                                       "deployment.kubernetes.io/max-replicas",
                                       "deprecated.deployment.rollback.to",
                                       NULL};
    for (const char *const *s = skip; *s; s++)
        if (!strcmp(*s, k)) return true;
    return false;
}

/* Send an undo's JSON patch; print "rolled back" or the error line.
 * Returns 1 when the call itself failed (exit 1), else 0. */
static int send_undo_patch(struct sk_cli *c, const struct sk_cliw_info *it,
                           const struct sk_val *ops, const char *dry, int64_t to,
                           struct sk_cliw_errs *errs)
{
    char *q = sk_cliw_query("fieldManager", sk_cli_str(c, "field-manager"), "dryRun",
                            dry ? "All" : NULL, NULL);
    char *path = sk_cli_path(it->kind, it->ns, it->name, NULL, q + 1);
    free(q);
    struct sk_kresp r = {0};
    int st = sk_cliw_call(c, "PATCH", path, "application/json-patch+json", ops, NULL, &r);
    free(path);
    if (st == 2) {
        struct sk_val *sv = NULL;
        sk_json_parse(r.body, r.body_len, &sv, NULL);
        sk_cliw_err_line(errs, "error: failed restoring revision %lld: %s", (long long)to,
                         sk_val_str_at(sv, "message", NULL) ?: "");
        sk_val_free(sv);
        sk_kresp_free(&r);
    }
    if (st == 0) sk_cli_print_action(c, it->kind, it->name, "rolled back", dry);
    return st == 1;
}

/* kubectl's DaemonSet and StatefulSet rollbacker: the revision before
 * the newest (or --to-revision) is written back as the set's template. */
static int undo_revision(struct sk_cli *c, struct sk_cliw_info *it, int64_t to, const char *dry,
                         struct sk_cliw_errs *errs)
{
    if (to < 0) {
        sk_cliw_err_line(errs, "error: unable to find specified revision %lld in history",
                         (long long)to);
        return 0;
    }
    struct sk_val *crs = NULL;
    int rc = owned_revisions(c, it, &crs);
    if (rc) return rc;
    size_t n = sk_arr_len(crs);
    const struct sk_val *target = NULL;
    if (to == 0 && n <= 1) {
        sk_cliw_err_line(errs, "error: no last revision to roll back to");
        sk_val_free(crs);
        return 0;
    }
    if (to == 0) {
        target = sk_arr_get(crs, n - 2);
    } else {
        for (size_t i = 0; i < n; i++)
            if (sk_val_to_int(sk_map_get(sk_arr_get(crs, i), "revision"), 0) == to)
                target = sk_arr_get(crs, i);
    }
    if (!target) {
        sk_cliw_err_line(errs, "error: unable to find specified revision %lld in history",
                         (long long)to);
        sk_val_free(crs);
        return 0;
    }
    struct sk_val *want = cr_template(target);
    if (dry && !strcmp(dry, "client")) {
        /* kubectl shows the template it would restore */
        struct sk_buf b = {0};
        describe_template(&b, want);
        char *raw = sk_buf_take(&b, NULL);
        sk_cli_print_action(c, it->kind, it->name, raw, dry);
        free(raw);
        sk_val_free(want);
        sk_val_free(crs);
        return 0;
    }
    if (sk_val_equal(want, sk_val_at(it->obj, "spec", "template", NULL))) {
        char *act = sk_xasprintf("skipped rollback (current template already matches revision "
                                 "%lld)",
                                 (long long)to);
        sk_cli_print_action(c, it->kind, it->name, act, NULL);
        free(act);
        sk_val_free(want);
        sk_val_free(crs);
        return 0;
    }
    struct sk_val *ops = sk_val_arr();
    struct sk_val *op = sk_arr_push(ops, sk_val_map());
    sk_map_set(op, "op", sk_val_str("replace"));
    sk_map_set(op, "path", sk_val_str("/spec/template"));
    sk_map_set(op, "value", want);
    if (send_undo_patch(c, it, ops, dry, to, errs)) rc = 1;
    sk_val_free(ops);
    sk_val_free(crs);
    return rc;
}

static int undo_one(struct sk_cli *c, struct sk_cliw_info *it, int64_t to, const char *dry,
                    struct sk_cliw_errs *errs)
{
    if (uses_revisions(it->kind)) return undo_revision(c, it, to, dry, errs);
    if (!is_kind(it->kind, "Deployment")) {
        sk_cliw_err_line(errs,
                         "error: error retrieving rollbacker for \"%s\", no visitor method "
                         "exists for {%s %s}",
                         it->kind->kind, it->kind->group, it->kind->kind);
        return 0;
    }
    if (sk_val_to_bool(sk_val_at(it->obj, "spec", "paused", NULL), false)) {
        sk_cliw_err_line(errs, "error: you cannot rollback a paused deployment; resume it first "
                               "with 'kubectl rollout resume' and try again");
        return 0;
    }
    struct sk_val *rss = NULL;
    int rc = owned_replicasets(c, it, &rss);
    if (rc) return rc;
    const struct sk_val *target = NULL, *latest = NULL, *previous = NULL;
    long long lrev = -1, prev = -1;
    for (size_t i = 0; i < sk_arr_len(rss); i++) {
        const struct sk_val *rs = sk_arr_get(rss, i);
        long long v = sk_rollout_revision(rs);
        if (v < 0) continue;
        if (to == 0) {
            if (lrev < v) {
                prev = lrev;
                previous = latest;
                lrev = v;
                latest = rs;
            } else if (prev < v) {
                prev = v;
                previous = rs;
            }
        } else if (to == v) {
            target = rs;
            break;
        }
    }
    if (to == 0) target = previous;
    if (!target) {
        if (to > 0)
            sk_cliw_err_line(errs, "error: unable to find specified revision %lld in history",
                             (long long)to);
        else
            sk_cliw_err_line(errs, "error: no rollout history found for deployment \"%s\"",
                             it->name);
        sk_val_free(rss);
        return 0;
    }
    struct sk_val *want = template_without_hash(sk_val_at(target, "spec", "template", NULL));
    struct sk_val *have = template_without_hash(sk_val_at(it->obj, "spec", "template", NULL));
    typed_template(want);
    typed_template(have);
    bool same = sk_val_equal(want, have);
    sk_val_free(have);
    if (same) {
        char *act = sk_xasprintf("skipped rollback (current template already matches revision "
                                 "%lld)",
                                 (long long)to);
        sk_cli_print_action(c, it->kind, it->name, act, NULL);
        free(act);
        sk_val_free(want);
        sk_val_free(rss);
        return 0;
    }
    struct sk_val *ann = sk_val_map();
    const struct sk_val *dann = sk_obj_annotations(it->obj);
    for (size_t i = 0; dann && dann->type == SK_V_MAP && i < dann->u.m.n; i++)
        if (skip_annotation(dann->u.m.kv[i].key))
            sk_map_set(ann, dann->u.m.kv[i].key, sk_val_dup(dann->u.m.kv[i].val));
    const struct sk_val *rann = sk_obj_annotations(target);
    for (size_t i = 0; rann && rann->type == SK_V_MAP && i < rann->u.m.n; i++)
        if (!skip_annotation(rann->u.m.kv[i].key))
            sk_map_set(ann, rann->u.m.kv[i].key, sk_val_dup(rann->u.m.kv[i].val));
    struct sk_val *ops = sk_val_arr();
    struct sk_val *op = sk_arr_push(ops, sk_val_map());
    sk_map_set(op, "op", sk_val_str("replace"));
    sk_map_set(op, "path", sk_val_str("/spec/template"));
    sk_map_set(op, "value", want);
    op = sk_arr_push(ops, sk_val_map());
    sk_map_set(op, "op", sk_val_str("replace"));
    sk_map_set(op, "path", sk_val_str("/metadata/annotations"));
    sk_map_set(op, "value", ann);
    if (!(dry && !strcmp(dry, "client"))) {
        if (send_undo_patch(c, it, ops, dry, sk_rollout_revision(target), errs)) rc = 1;
    } else {
        sk_cli_print_action(c, it->kind, it->name, "rolled back", dry);
    }
    sk_val_free(ops);
    sk_val_free(rss);
    return rc;
}

static const struct sk_cli_flag undo_all_flags[] = {
        {"dry-run", 0, SK_FLAG_STRING, "none",
         "Must be \"none\", \"server\", or \"client\". If client strategy, only print the object "
         "that would be sent, without sending it. If server strategy, submit server-side request "
         "without persisting the resource."},
        {"field-manager", 0, SK_FLAG_STRING, "kubectl-rollout",
         "Name of the manager used to track field ownership."},
        {"filename", 'f', SK_FLAG_STRINGS, "[]",
         "Filename, directory, or URL to files identifying the resource to get from a server."},
        {"output", 'o', SK_FLAG_STRING, "",
         "Output format. One of: (json, yaml, name, go-template, go-template-file, template, "
         "templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."},
        {"recursive", 'R', SK_FLAG_BOOL, "false",
         "Process the directory used in -f, --filename recursively. Useful when you want to "
         "manage related manifests organized within the same directory."},
        {"selector", 'l', SK_FLAG_STRING, "",
         "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l "
         "key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the "
         "specified label constraints."},
        {"to-revision", 0, SK_FLAG_INT, "0",
         "The revision to rollback to. Default to 0 (last revision)."},
        {0},
};

static int undo_run(struct sk_cli *c)
{
    bool bad;
    const char *dry = sk_cliw_dry_run(c, &bad);
    if (bad) return 1;
    struct sk_cliw_infos in = {0};
    struct sk_cliw_errs errs = {0};
    int rc = rollout_targets(c, &in, &errs, true);
    for (size_t i = 0; i < in.n && !rc; i++)
        rc = undo_one(c, &in.v[i], sk_cli_int(c, "to-revision"), dry, &errs);
    sk_cliw_infos_free(&in);
    int erc = sk_cliw_errs_flush(c, &errs);
    return rc ? rc : erc;
}

/* ---- pause, resume, restart ---- */

enum ptype { P_PAUSE, P_RESUME, P_RESTART };

static int patch_verb(struct sk_cli *c, enum ptype t)
{
    struct sk_cliw_infos in = {0};
    struct sk_cliw_errs errs = {0};
    int rc = rollout_targets(c, &in, &errs, true);
    for (size_t i = 0; i < in.n && !rc; i++) {
        struct sk_cliw_info *it = &in.v[i];
        char rg[128];
        sk_cliw_resource_group(it->kind, rg, sizeof(rg));
        bool deploy = is_kind(it->kind, "Deployment");
        bool paused = sk_val_to_bool(sk_val_at(it->obj, "spec", "paused", NULL), false);
        struct sk_val *patch = sk_val_map();
        const char *act = NULL;
        if (t == P_PAUSE || t == P_RESUME) {
            if (!deploy) {
                sk_cliw_err_line(&errs, "error: %s \"%s\" %s is not supported", rg, it->name,
                                 t == P_PAUSE ? "pausing" : "resuming");
                sk_val_free(patch);
                continue;
            }
            if (t == P_PAUSE && paused) {
                sk_cliw_err_line(&errs, "error: %s \"%s\" is already paused", rg, it->name);
                sk_val_free(patch);
                continue;
            }
            if (t == P_RESUME && !paused) {
                sk_cliw_err_line(&errs, "error: %s \"%s\" is not paused", rg, it->name);
                sk_val_free(patch);
                continue;
            }
            sk_val_set_at(patch, t == P_PAUSE ? sk_val_bool(true) : sk_val_null(), "spec", "paused",
                          NULL);
            act = t == P_PAUSE ? "paused" : "resumed";
        } else {
            if (!deploy && !is_kind(it->kind, "DaemonSet") && !is_kind(it->kind, "StatefulSet")) {
                sk_cliw_err_line(&errs, "error: %s \"%s\" restarting is not supported", rg,
                                 it->name);
                sk_val_free(patch);
                continue;
            }
            if (deploy && paused) {
                sk_cliw_err_line(&errs,
                                 "error: %s \"%s\" can't restart paused deployment (run "
                                 "rollout resume first)",
                                 rg, it->name);
                sk_val_free(patch);
                continue;
            }
            char ts[64];
            time_t now = time(NULL);
            struct tm tm;
            localtime_r(&now, &tm);
            strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S%z", &tm);
            /* RFC 3339: Z for UTC, else +hh:mm */
            size_t L = strlen(ts);
            if (!strcmp(ts + L - 5, "+0000")) {
                strcpy(ts + L - 5, "Z");
            } else {
                memmove(ts + L - 1, ts + L - 2, 3);
                ts[L - 2] = ':';
            }
            sk_val_set_at(patch, sk_val_str(ts), "spec", "template", "metadata", "annotations",
                          "kubectl.kubernetes.io/restartedAt", NULL);
            act = "restarted";
        }
        char *q = sk_cliw_query("fieldManager", sk_cli_str(c, "field-manager"), NULL);
        char *path = sk_cli_path(it->kind, it->ns, it->name, NULL, q + 1);
        free(q);
        struct sk_kresp r = {0};
        struct sk_val *res = NULL;
        int st = sk_cliw_call(c, "PATCH", path, "application/strategic-merge-patch+json", patch,
                              &res, &r);
        free(path);
        sk_val_free(patch);
        if (st == 1) rc = 1;
        if (st == 2) {
            sk_cliw_err_resp(&errs, &r, NULL, NULL);
            sk_kresp_free(&r);
        }
        if (st == 0) {
            const char *out = sk_cli_str(c, "output");
            if (out && *out) {
                struct sk_val *const objs[1] = {res};
                const struct sk_kind *const kinds[1] = {it->kind};
                sk_cli_print_objs(c, out, objs, kinds, 1);
            } else {
                sk_cli_print_action(c, it->kind, it->name, act, NULL);
            }
        }
        sk_val_free(res);
    }
    sk_cliw_infos_free(&in);
    int erc = sk_cliw_errs_flush(c, &errs);
    return rc ? rc : erc;
}

static int pause_run(struct sk_cli *c)
{
    return patch_verb(c, P_PAUSE);
}
static int resume_run(struct sk_cli *c)
{
    return patch_verb(c, P_RESUME);
}
static int restart_run(struct sk_cli *c)
{
    return patch_verb(c, P_RESTART);
}

static const struct sk_cli_verb v_status = {
        .name = "status",
        .short_help = "Show the status of the rollout",
        .long_help = "Show the status of the rollout.\n\n By default 'rollout status' will watch "
                     "the status of the latest rollout until it's done. If you don't want to wait "
                     "for the rollout to finish then you can use --watch=false.",
        .usage = "skiff rollout status (TYPE NAME | TYPE/NAME) [flags]",
        .examples = "  # Watch the rollout status of a deployment\n"
                    "  skiff rollout status deployment/nginx",
        .flags = status_flags,
        .run = status_run,
};
static const struct sk_cli_verb v_history = {
        .name = "history",
        .short_help = "View rollout history",
        .long_help = "View previous rollout revisions and configurations.",
        .usage = "skiff rollout history (TYPE NAME | TYPE/NAME) [flags]",
        .examples = "  # View the rollout history of a deployment\n"
                    "  skiff rollout history deployment/abc\n\n"
                    "  # View the details of deployment revision 3\n"
                    "  skiff rollout history deployment/abc --revision=3",
        .flags = history_flags,
        .run = history_run,
};
static const struct sk_cli_verb v_undo = {
        .name = "undo",
        .short_help = "Undo a previous rollout",
        .long_help = "Roll back to a previous rollout.",
        .usage = "skiff rollout undo (TYPE NAME | TYPE/NAME) [flags]",
        .examples = "  # Roll back to the previous deployment\n"
                    "  skiff rollout undo deployment/abc\n\n"
                    "  # Roll back to deployment revision 3\n"
                    "  skiff rollout undo deployment/abc --to-revision=3",
        .flags = undo_all_flags,
        .run = undo_run,
};
static const struct sk_cli_verb v_pause = {
        .name = "pause",
        .short_help = "Mark the provided resource as paused",
        .long_help = "Mark the provided resource as paused.\n\n Paused resources will not be "
                     "reconciled by a controller. Use \"skiff rollout resume\" to resume a paused "
                     "resource. Currently only deployments support being paused.",
        .usage = "skiff rollout pause RESOURCE",
        .examples = "  # Mark the nginx deployment as paused\n"
                    "  skiff rollout pause deployment/nginx",
        .flags = common_flags,
        .run = pause_run,
};
static const struct sk_cli_verb v_resume = {
        .name = "resume",
        .short_help = "Resume a paused resource",
        .long_help = "Resume a paused resource.\n\n Paused resources will not be reconciled by a "
                     "controller. By resuming a resource, we allow it to be reconciled again. "
                     "Currently only deployments support being resumed.",
        .usage = "skiff rollout resume RESOURCE",
        .examples = "  # Resume an already paused deployment\n"
                    "  skiff rollout resume deployment/nginx",
        .flags = common_flags,
        .run = resume_run,
};
static const struct sk_cli_verb v_restart = {
        .name = "restart",
        .short_help = "Restart a resource",
        .long_help = "Restart a resource.\n\n Resource rollout will be restarted.",
        .usage = "skiff rollout restart RESOURCE",
        .examples = "  # Restart the test-deployment deployment\n"
                    "  skiff rollout restart deployment/test-deployment",
        .flags = common_flags,
        .run = restart_run,
};

const struct sk_cli_verb sk_cli_verb_rollout = {
        .name = "rollout",
        .short_help = "Manage the rollout of a resource",
        .long_help = "Manage the rollout of one or many resources.\n\n Valid resource types "
                     "include:\n\n  *  deployments\n  *  daemonsets\n  *  statefulsets",
        .usage = "skiff rollout SUBCOMMAND",
        .examples = "  # Rollback to the previous deployment\n"
                    "  skiff rollout undo deployment/abc\n\n"
                    "  # Check the rollout status of a daemonset\n"
                    "  skiff rollout status daemonset/foo\n\n"
                    "  # Restart a deployment\n"
                    "  skiff rollout restart deployment/abc",
        .subs = (const struct sk_cli_verb *const[]){&v_history, &v_pause, &v_restart, &v_resume,
                                                    &v_status, &v_undo, NULL},
};
