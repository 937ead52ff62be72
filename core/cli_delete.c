/* `skiff delete`: by file, TYPE NAME..., TYPE/NAME, -l, --all, -A, with
 * kubectl's cascade, grace-period, --now, --force and --wait, printing what
 * kubectl prints ("deployment.apps \"web\" deleted"). */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli_write.h"
#include "mem.h"

static const struct sk_cli_flag delete_flags[] = {
        {"all", 0, SK_FLAG_BOOL, "false",
         "Delete all resources, in the namespace of the specified resource types."},
        {"all-namespaces", 'A', SK_FLAG_BOOL, "false",
         "If present, list the requested object(s) across all namespaces. Namespace in current "
         "context is ignored even if specified with --namespace."},
        {"cascade", 0, SK_FLAG_STRING, "background",
         "Must be \"background\", \"orphan\", or \"foreground\". Selects the deletion cascading "
         "strategy for the dependents (e.g. Pods created by a ReplicationController). Defaults "
         "to background."},
        {"dry-run", 0, SK_FLAG_STRING, "none",
         "Must be \"none\", \"server\", or \"client\". If client strategy, only print the object "
         "that would be sent, without sending it. If server strategy, submit server-side request "
         "without persisting the resource."},
        {"field-selector", 0, SK_FLAG_STRING, "",
         "Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. "
         "--field-selector key1=value1,key2=value2). The server only supports a limited number "
         "of field queries per type."},
        {"filename", 'f', SK_FLAG_STRINGS, "[]", "containing the resource to delete."},
        {"force", 0, SK_FLAG_BOOL, "false",
         "If true, immediately remove resources from API and bypass graceful deletion. Note that "
         "immediate deletion of some resources may result in inconsistency or data loss and "
         "requires confirmation."},
        {"grace-period", 0, SK_FLAG_INT, "-1",
         "Period of time in seconds given to the resource to terminate gracefully. Ignored if "
         "negative. Set to 1 for immediate shutdown. Can only be set to 0 when --force is true "
         "(force deletion)."},
        {"ignore-not-found", 0, SK_FLAG_BOOL, "false",
         "Treat \"resource not found\" as a successful delete. Defaults to \"true\" when --all "
         "is specified."},
        {"now", 0, SK_FLAG_BOOL, "false",
         "If true, resources are signaled for immediate shutdown (same as --grace-period=1)."},
        {"output", 'o', SK_FLAG_STRING, "",
         "Output mode. Use \"-o name\" for shorter output "
         "(resource/name)."},
        {"recursive", 'R', SK_FLAG_BOOL, "false",
         "Process the directory used in -f, --filename recursively. Useful when you want to "
         "manage related manifests organized within the same directory."},
        {"selector", 'l', SK_FLAG_STRING, "",
         "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l "
         "key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the "
         "specified label constraints."},
        {"timeout", 0, SK_FLAG_DURATION, "0s",
         "The length of time to wait before giving up on a delete, zero means determine a "
         "timeout from the size of the object"},
        {"wait", 0, SK_FLAG_BOOL, "true",
         "If true, wait for resources to be gone before returning. This waits for finalizers."},
        {0},
};

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* "deployment.apps" for the delete line. */
static char *kind_group(const struct sk_kind *k, const char *name)
{
    char *ref = sk_cli_ref(k, name);
    char *slash = strchr(ref, '/');
    if (slash) *slash = 0;
    return ref;
}

/* Wait until the object is gone (NotFound, or a new object under the same
 * name). 0 when gone, 1 after printing a timeout or transport error. */
static int wait_gone(struct sk_cli *c, const struct sk_cliw_info *in, const char *uid,
                     double deadline)
{
    char *path = sk_cli_path(in->kind, in->ns, in->name, NULL, NULL);
    int rc = 0;
    for (;;) {
        struct sk_val *live = NULL;
        struct sk_kresp r = {0};
        int st = sk_cliw_call(c, "GET", path, NULL, NULL, &live, &r);
        if (st == 1) {
            rc = 1;
            break;
        }
        if (st == 2) {
            int status = r.status;
            sk_kresp_free(&r);
            if (status == 404) break;
        } else {
            const char *u = sk_val_str_at(live, "metadata", "uid", NULL);
            bool same = !uid || (u && !strcmp(u, uid));
            sk_val_free(live);
            if (!same) break;
        }
        if (mono() > deadline) {
            rc = sk_cli_fail(c, "timed out waiting for the condition on %s/%s", in->kind->plural,
                             in->name);
            break;
        }
        usleep(100 * 1000);
    }
    free(path);
    return rc;
}

static int delete_run(struct sk_cli *c)
{
    bool bad;
    const char *dry = sk_cliw_dry_run(c, &bad);
    if (bad) return 1;
    const char *cascade = sk_cli_str(c, "cascade");
    const char *policy = NULL;
    if (!cascade || !strcmp(cascade, "background") || !strcmp(cascade, "true"))
        policy = "Background";
    else if (!strcmp(cascade, "orphan") || !strcmp(cascade, "false"))
        policy = "Orphan";
    else if (!strcmp(cascade, "foreground"))
        policy = "Foreground";
    else
        return sk_cli_fail(c,
                           "invalid cascade value (%s). Must be \"background\", \"foreground\", "
                           "or \"orphan\"",
                           cascade);
    int64_t grace = sk_cli_int(c, "grace-period");
    bool force = sk_cli_bool(c, "force");
    if (sk_cli_bool(c, "now")) {
        if (grace != -1)
            return sk_cli_fail(c, "--now and --grace-period cannot be specified together");
        grace = 1;
    }
    if (force && grace < 0) grace = 0;
    if (grace == 0 && !force) grace = 1; /* kubectl: 0 without --force means 1 */
    if (force)
        fprintf(c->err, "Warning: Immediate deletion does not wait for confirmation that the "
                        "running resource has been terminated. The resource may continue to run "
                        "on the cluster indefinitely.\n");
    const char *output = sk_cli_str(c, "output");
    if (output && *output && strcmp(output, "name"))
        return sk_cli_fail(c, "unexpected -o output mode: %s. We only support '-o name'", output);
    bool all = sk_cli_bool(c, "all");
    const char *sel = sk_cli_str(c, "selector");
    const char *fsel = sk_cli_str(c, "field-selector");
    bool any_sel = (sel && *sel) || (fsel && *fsel);
    if (all && any_sel)
        return sk_cli_fail(c, "cannot set --all and --selector/--field-selector at the same time");
    struct sk_cliw_sel s = {
            .files = sk_cli_strs(c, "filename"),
            .recursive = sk_cli_bool(c, "recursive"),
            .selector = sel,
            .field_selector = fsel,
            .all = all || (fsel && *fsel),
            .all_ns = sk_cli_bool(c, "all-namespaces"),
            .names_required = true,
            .verb_ing = "deleting",
    };
    bool ignore_nf = sk_cli_bool(c, "ignore-not-found") || all || any_sel;
    struct sk_cliw_infos in = {0};
    struct sk_cliw_errs errs = {0};
    bool empty = false;
    if (sk_cliw_collect(c, c->args, c->nargs, &s, &in, &errs, &empty)) {
        sk_cliw_infos_free(&in);
        sk_cliw_errs_flush(c, &errs);
        return 1;
    }
    struct sk_val *opts = sk_val_map();
    sk_map_set(opts, "kind", sk_val_str("DeleteOptions"));
    sk_map_set(opts, "apiVersion", sk_val_str("v1"));
    if (grace >= 0) sk_map_set(opts, "gracePeriodSeconds", sk_val_int(grace));
    sk_map_set(opts, "propagationPolicy", sk_val_str(policy));
    if (dry && !strcmp(dry, "server")) {
        struct sk_val *dr = sk_map_set(opts, "dryRun", sk_val_arr());
        sk_arr_push(dr, sk_val_str("All"));
    }
    char **uids = sk_xcalloc(in.n + 1, sizeof(*uids));
    bool *deleted = sk_xcalloc(in.n + 1, sizeof(*deleted));
    int rc = 0;
    size_t found = 0;
    for (size_t i = 0; i < in.n && !rc; i++) {
        struct sk_cliw_info *it = &in.v[i];
        found++;
        if (!(dry && !strcmp(dry, "client"))) {
            char *path = sk_cli_path(it->kind, it->ns, it->name, NULL, NULL);
            struct sk_val *res = NULL;
            struct sk_kresp r = {0};
            int st = sk_cliw_call(c, "DELETE", path, NULL, opts, &res, &r);
            free(path);
            if (st == 1) {
                rc = 1;
                break;
            }
            if (st == 2) {
                if (!(ignore_nf && r.status == 404))
                    sk_cliw_err_resp(&errs, &r, "deleting", it->source);
                sk_kresp_free(&r);
                continue;
            }
            /* the answer is the object (still terminating) or a Status */
            const char *u = sk_val_str_at(res, "metadata", "uid", NULL);
            if (!u) u = sk_val_str_at(res, "details", "uid", NULL);
            if (!u) u = sk_val_str_at(it->obj, "metadata", "uid", NULL);
            uids[i] = u ? sk_xstrdup(u) : NULL;
            sk_val_free(res);
        }
        deleted[i] = true;
        if (output && !strcmp(output, "name")) {
            char *ref = sk_cli_ref(it->kind, it->name);
            fprintf(c->out, "%s\n", ref);
            free(ref);
        } else {
            char *kg = kind_group(it->kind, it->name);
            fprintf(c->out, "%s \"%s\" deleted%s\n", kg, it->name,
                    !dry                     ? ""
                    : !strcmp(dry, "client") ? " (dry run)"
                                             : " (server dry run)");
            free(kg);
        }
        fflush(c->out);
    }
    if (!rc && found == 0 && (empty || in.n == 0) && errs.n == 0)
        fprintf(c->out, "No resources found\n");
    /* --wait: until every deleted object is gone, as kubectl waits */
    if (!rc && !dry && sk_cli_bool(c, "wait") && policy) {
        double t = sk_cli_duration(c, "timeout");
        double deadline = mono() + (t > 0 ? t : 7 * 24 * 3600.0);
        for (size_t i = 0; i < in.n && !rc; i++)
            if (deleted[i]) rc = wait_gone(c, &in.v[i], uids[i], deadline);
    }
    for (size_t i = 0; i < in.n; i++)
        free(uids[i]);
    free(uids);
    free(deleted);
    sk_val_free(opts);
    sk_cliw_infos_free(&in);
    int erc = sk_cliw_errs_flush(c, &errs);
    return rc ? rc : erc;
}

const struct sk_cli_verb sk_cli_verb_delete = {
        .name = "delete",
        .short_help = "Delete resources by file names, stdin, resources and names, or by "
                      "resources and label selector",
        .long_help = "Delete resources by file names, stdin, resources and names, or by resources "
                     "and label selector.\n\n JSON and YAML formats are accepted. Only one type of "
                     "argument may be specified: file names, resources and names, or resources "
                     "and label selector.\n\n Some resources, such as pods, support graceful "
                     "deletion. These resources define a default period before they are forcibly "
                     "terminated (the grace period) but you may override that value with the "
                     "--grace-period flag, or pass --now to set a grace-period of 1. By default "
                     "delete waits until the objects are gone (--wait=false does not wait).",
        .usage = "skiff delete ([-f FILENAME] | [-k DIRECTORY] | TYPE [(NAME | -l label | "
                 "--all)])",
        .examples = "  # Delete a pod using the type and name specified in pod.json\n"
                    "  skiff delete -f ./pod.json\n\n"
                    "  # Delete pods and services with same names \"baz\" and \"foo\"\n"
                    "  skiff delete pod,service baz foo\n\n"
                    "  # Delete pods and services with label name=myLabel\n"
                    "  skiff delete pods,services -l name=myLabel\n\n"
                    "  # Delete a pod with minimal delay\n"
                    "  skiff delete pod foo --now\n\n"
                    "  # Delete all pods\n"
                    "  skiff delete pods --all",
        .flags = delete_flags,
        .run = delete_run,
};
