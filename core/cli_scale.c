/* `skiff scale`: set spec.replicas through the scale subresource, with
 * kubectl's --current-replicas and --resource-version preconditions; and
 * `skiff top`, which answers as kubectl does while no metrics API exists. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli_write.h"
#include "json.h"
#include "mem.h"

static const struct sk_cli_flag scale_flags[] = {
        {"all", 0, SK_FLAG_BOOL, "false",
         "Select all resources in the namespace of the specified resource types"},
        {"current-replicas", 0, SK_FLAG_INT, "-1",
         "Precondition for current size. Requires that the current size of the resource match "
         "this value in order to scale. -1 (default) for no condition."},
        {"dry-run", 0, SK_FLAG_STRING, "none",
         "Must be \"none\", \"server\", or \"client\". If client strategy, only print the object "
         "that would be sent, without sending it. If server strategy, submit server-side request "
         "without persisting the resource."},
        {"filename", 'f', SK_FLAG_STRINGS, "[]",
         "Filename, directory, or URL to files identifying the resource to set a new size"},
        {"output", 'o', SK_FLAG_STRING, "",
         "Output format. One of: (json, yaml, name, go-template, go-template-file, template, "
         "templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."},
        {"recursive", 'R', SK_FLAG_BOOL, "false",
         "Process the directory used in -f, --filename recursively. Useful when you want to "
         "manage related manifests organized within the same directory."},
        {"replicas", 0, SK_FLAG_INT, "0", "The new desired number of replicas. Required."},
        {"resource-version", 0, SK_FLAG_STRING, "",
         "Precondition for resource version. Requires that the current resource version match "
         "this value in order to scale."},
        {"selector", 'l', SK_FLAG_STRING, "",
         "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l "
         "key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the "
         "specified label constraints."},
        {"timeout", 0, SK_FLAG_DURATION, "0s",
         "The length of time to wait before giving up on a scale operation, zero means don't "
         "wait. Any other values should contain a corresponding time unit (e.g. 1s, 2m, 3h)."},
        {0},
};

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The message of a Status answer (caller frees). */
static char *resp_message(const struct sk_kresp *r)
{
    struct sk_val *st = NULL;
    if (r->body) sk_json_parse(r->body, r->body_len, &st, NULL);
    const char *m = sk_val_str_at(st, "message", NULL);
    char *s = sk_xstrdup(m ? m : "");
    sk_val_free(st);
    return s;
}

static int scale_one(struct sk_cli *c, const struct sk_cliw_info *it, int64_t replicas,
                     const char *dry, struct sk_cliw_errs *errs, bool *scaled)
{
    int64_t cur = sk_cli_int(c, "current-replicas");
    const char *rv = sk_cli_str(c, "resource-version");
    if (rv && !*rv) rv = NULL;
    char *path = sk_cli_path(it->kind, it->ns, it->name, "scale", NULL);
    struct sk_kresp r = {0};
    int rc = 0;
    if (cur >= 0 || rv || (dry && !strcmp(dry, "client"))) {
        struct sk_val *sc = NULL;
        int st = sk_cliw_call(c, "GET", path, NULL, NULL, &sc, &r);
        if (st == 1) {
            free(path);
            return 1;
        }
        if (st == 2) {
            sk_cliw_err_resp(errs, &r, NULL, NULL);
            sk_kresp_free(&r);
            free(path);
            return 0;
        }
        int64_t have = sk_val_to_int(sk_val_at(sc, "spec", "replicas", NULL), 0);
        const char *have_rv = sk_val_str_at(sc, "metadata", "resourceVersion", NULL);
        bool ok = true;
        if (cur >= 0 && have != cur) {
            sk_cliw_err_line(errs, "error: Expected replicas to be %lld, was %lld", (long long)cur,
                             (long long)have);
            ok = false;
        } else if (rv && (!have_rv || strcmp(rv, have_rv))) {
            sk_cliw_err_line(errs, "error: Expected resourceVersion to be %s, was %s", rv,
                             have_rv ? have_rv : "");
            ok = false;
        }
        sk_val_free(sc);
        if (!ok || (dry && !strcmp(dry, "client"))) {
            free(path);
            if (ok) *scaled = true;
            return 0;
        }
    }
    struct sk_val *patch = sk_val_map();
    sk_val_set_at(patch, sk_val_int(replicas), "spec", "replicas", NULL);
    if (rv) sk_val_set_at(patch, sk_val_str(rv), "metadata", "resourceVersion", NULL);
    char *q = sk_cliw_query("dryRun", dry ? "All" : NULL, NULL);
    char *full = sk_xasprintf("%s%s", path, q);
    free(q);
    int st = sk_cliw_call(c, "PATCH", full, "application/merge-patch+json", patch, NULL, &r);
    free(full);
    sk_val_free(patch);
    if (st == 1) rc = 1;
    if (st == 2) {
        sk_cliw_err_resp(errs, &r, NULL, NULL);
        sk_kresp_free(&r);
    }
    if (st == 0) *scaled = true;
    free(path);
    return rc;
}

/* --timeout: wait until status.replicas reaches the new size. */
static int wait_scaled(struct sk_cli *c, const struct sk_cliw_info *it, int64_t replicas,
                       double timeout)
{
    double deadline = mono() + timeout;
    char *path = sk_cli_path(it->kind, it->ns, it->name, "scale", NULL);
    int rc = 0;
    for (;;) {
        struct sk_val *sc = NULL;
        struct sk_kresp r = {0};
        int st = sk_cliw_call(c, "GET", path, NULL, NULL, &sc, &r);
        if (st == 2) sk_kresp_free(&r);
        if (st == 1) {
            rc = 1;
            break;
        }
        bool done =
                st == 0 && sk_val_to_int(sk_val_at(sc, "status", "replicas", NULL), -1) == replicas;
        sk_val_free(sc);
        if (done) break;
        if (mono() > deadline) {
            rc = sk_cli_fail(c, "timed out waiting for the condition");
            break;
        }
        usleep(200 * 1000);
    }
    free(path);
    return rc;
}

static int scale_run(struct sk_cli *c)
{
    if (!sk_cli_changed(c, "replicas"))
        return sk_cli_fail(c, "required flag(s) \"replicas\" not set");
    bool bad;
    const char *dry = sk_cliw_dry_run(c, &bad);
    if (bad) return 1;
    int64_t replicas = sk_cli_int(c, "replicas");
    if (replicas < 0)
        return sk_cli_fail(c, "The --replicas=COUNT flag is required, and COUNT must be greater "
                              "than or equal to 0");
    const struct sk_strv *files = sk_cli_strs(c, "filename");
    if (c->nargs == 0 && files->n == 0)
        return sk_cli_usage_fail(c, "You must provide one or more resources by argument or "
                                    "filename.\nExample resource specifications include:\n"
                                    "   '-f rsrc.yaml'\n"
                                    "   '--filename=rsrc.json'\n"
                                    "   '<resource> <name>'\n"
                                    "   '<resource>'");
    const char *output = sk_cli_str(c, "output");
    if (output && !*output) output = NULL;
    struct sk_cliw_sel s = {
            .files = files,
            .recursive = sk_cli_bool(c, "recursive"),
            .selector = sk_cli_str(c, "selector"),
            .all = sk_cli_bool(c, "all"),
            .names_required = true,
            .verb_ing = "scaling",
    };
    struct sk_cliw_infos in = {0};
    struct sk_cliw_errs errs = {0};
    bool empty = false;
    if (sk_cliw_collect(c, c->args, c->nargs, &s, &in, &errs, &empty)) {
        sk_cliw_infos_free(&in);
        sk_cliw_errs_flush(c, &errs);
        return 1;
    }
    if (in.n == 0 && errs.n == 0) {
        sk_cliw_infos_free(&in);
        return sk_cli_fail(c, "no objects passed to scale");
    }
    if (in.n > 1 && (sk_cli_int(c, "current-replicas") >= 0 ||
                     (sk_cli_str(c, "resource-version") && *sk_cli_str(c, "resource-version")))) {
        sk_cliw_infos_free(&in);
        sk_cliw_errs_flush(c, &errs);
        return sk_cli_fail(c, "cannot use --resource-version with multiple resources");
    }
    int rc = 0;
    for (size_t i = 0; i < in.n && !rc; i++) {
        struct sk_cliw_info *it = &in.v[i];
        bool scaled = false;
        /* kubectl reports a missing named object as "no objects passed to scale" */
        if (in.n == 1 && !it->source && !it->obj) {
            char *path = sk_cli_path(it->kind, it->ns, it->name, NULL, NULL);
            struct sk_kresp r = {0};
            int st = sk_cliw_call(c, "GET", path, NULL, NULL, NULL, &r);
            free(path);
            if (st == 1) {
                rc = 1;
                break;
            }
            if (st == 2) {
                if (r.status == 404) {
                    char *m = resp_message(&r);
                    sk_cliw_err_line(&errs, "error: no objects passed to scale %s", m);
                    free(m);
                } else {
                    sk_cliw_err_resp(&errs, &r, NULL, NULL);
                }
                sk_kresp_free(&r);
                continue;
            }
        }
        rc = scale_one(c, it, replicas, dry, &errs, &scaled);
        if (!scaled || rc) continue;
        if (output) {
            struct sk_val *obj = NULL;
            char *path = sk_cli_path(it->kind, it->ns, it->name, NULL, NULL);
            struct sk_kresp r = {0};
            if (sk_cliw_call(c, "GET", path, NULL, NULL, &obj, &r) == 0) {
                struct sk_val *const objs[1] = {obj};
                const struct sk_kind *const kinds[1] = {it->kind};
                sk_cli_print_objs(c, output, objs, kinds, 1);
            } else {
                sk_kresp_free(&r);
            }
            sk_val_free(obj);
            free(path);
        } else {
            sk_cli_print_action(c, it->kind, it->name, "scaled", dry);
        }
        double t = sk_cli_duration(c, "timeout");
        if (t > 0 && !dry) rc = wait_scaled(c, it, replicas, t);
    }
    sk_cliw_infos_free(&in);
    int erc = sk_cliw_errs_flush(c, &errs);
    return rc ? rc : erc;
}

const struct sk_cli_verb sk_cli_verb_scale = {
        .name = "scale",
        .short_help = "Set a new size for a deployment, replica set, or replication controller",
        .long_help = "Set a new size for a deployment, replica set, replication controller, or "
                     "stateful set.\n\n Scale also allows users to specify one or more "
                     "preconditions for the scale action.\n\n If --current-replicas or "
                     "--resource-version is specified, it is validated before the scale is "
                     "attempted, and it is guaranteed that the precondition holds true when the "
                     "scale is sent to the server.",
        .usage = "skiff scale [--resource-version=version] [--current-replicas=count] "
                 "--replicas=COUNT (-f FILENAME | TYPE NAME)",
        .examples = "  # Scale a replica set named 'foo' to 3\n"
                    "  skiff scale --replicas=3 rs/foo\n\n"
                    "  # Scale a resource identified by type and name specified in \"foo.yaml\" "
                    "to 3\n"
                    "  skiff scale --replicas=3 -f foo.yaml\n\n"
                    "  # If the deployment named mysql's current size is 2, scale mysql to 3\n"
                    "  skiff scale --current-replicas=2 --replicas=3 deployment/mysql",
        .flags = scale_flags,
        .run = scale_run,
};

/* ---- top ---- */

static int top_run(struct sk_cli *c)
{
    return sk_cli_fail(c, "Metrics API not available");
}

static const struct sk_cli_flag top_flags[] = {
        {"selector", 'l', SK_FLAG_STRING, "", "Selector (label query) to filter on."},
        {"all-namespaces", 'A', SK_FLAG_BOOL, "false",
         "If present, list the requested object(s) across all namespaces."},
        {"containers", 0, SK_FLAG_BOOL, "false",
         "If present, print usage of containers within "
         "a pod."},
        {"no-headers", 0, SK_FLAG_BOOL, "false", "If present, print output without headers."},
        {"sort-by", 0, SK_FLAG_STRING, "",
         "If non-empty, sort list using specified field. The field can be either 'cpu' or "
         "'memory'."},
        {0},
};

static const struct sk_cli_verb top_node_verb = {
        .name = "node",
        .aliases = (const char *const[]){"nodes", "no", NULL},
        .short_help = "Display resource (CPU/memory) usage of nodes",
        .long_help = "Display resource (CPU/memory) usage of nodes. The top-node command allows "
                     "you to see the resource consumption of nodes. It needs the Metrics API, "
                     "which skiff does not serve yet.",
        .usage = "skiff top node [NAME | -l label]",
        .flags = top_flags,
        .run = top_run,
};

static const struct sk_cli_verb top_pod_verb = {
        .name = "pod",
        .aliases = (const char *const[]){"pods", "po", NULL},
        .short_help = "Display resource (CPU/memory) usage of pods",
        .long_help = "Display resource (CPU/memory) usage of pods. The 'top pod' command allows "
                     "you to see the resource consumption of pods. It needs the Metrics API, "
                     "which skiff does not serve yet.",
        .usage = "skiff top pod [NAME | -l label]",
        .flags = top_flags,
        .run = top_run,
};

const struct sk_cli_verb sk_cli_verb_top = {
        .name = "top",
        .short_help = "Display resource (CPU/memory) usage",
        .long_help = "Display resource (CPU/memory) usage.\n\n The top command allows you to see "
                     "the resource consumption for nodes or pods. This command requires the "
                     "Metrics API, which skiff does not serve yet: it answers \"Metrics API not "
                     "available\".",
        .usage = "skiff top [flags] [options]",
        .run = top_run,
        .flags = top_flags,
        .subs = (const struct sk_cli_verb *const[]){&top_node_verb, &top_pod_verb, NULL},
};
