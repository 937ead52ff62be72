/* `skiff logs`: a container's log through the API's pods/log, streamed as
 * it arrives (-f), for a pod, a TYPE/NAME whose selector picks the pod
 * (deploy/x, job/x, ...) or the pods of a label selector, with kubectl's
 * container defaulting and notices. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli_write.h"
#include "json.h"
#include "mem.h"
#include "selector.h"

static const struct sk_cli_flag logs_flags[] = {
        {"all-containers", 0, SK_FLAG_BOOL, "false", "Get all containers' logs in the pod(s)."},
        {"all-pods", 0, SK_FLAG_BOOL, "false", "Get logs from all pod(s). Sets prefix to true."},
        {"container", 'c', SK_FLAG_STRING, "", "Print the logs of this container"},
        {"follow", 'f', SK_FLAG_BOOL, "false", "Specify if the logs should be streamed."},
        {"ignore-errors", 0, SK_FLAG_BOOL, "false",
         "If watching / following pod logs, allow for any errors that occur to be non-fatal"},
        {"insecure-skip-tls-verify-backend", 0, SK_FLAG_BOOL, "false",
         "Skip verifying the identity of the kubelet that logs are requested from."},
        {"limit-bytes", 0, SK_FLAG_INT, "0",
         "Maximum bytes of logs to return. Defaults to no limit."},
        {"max-log-requests", 0, SK_FLAG_INT, "5",
         "Specify maximum number of concurrent logs to follow when using by a selector. Defaults "
         "to 5."},
        {"pod-running-timeout", 0, SK_FLAG_DURATION, "20s",
         "The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one "
         "pod is running"},
        {"prefix", 0, SK_FLAG_BOOL, "false",
         "Prefix each log line with the log source (pod name and container name)"},
        {"previous", 'p', SK_FLAG_BOOL, "false",
         "If true, print the logs for the previous instance of the container in a pod if it "
         "exists."},
        {"selector", 'l', SK_FLAG_STRING, "",
         "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l "
         "key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the "
         "specified label constraints."},
        {"since", 0, SK_FLAG_DURATION, "0s",
         "Only return logs newer than a relative duration like 5s, 2m, or 3h. Defaults to all "
         "logs. Only one of since-time / since may be used."},
        {"since-time", 0, SK_FLAG_STRING, "",
         "Only return logs after a specific date (RFC3339). Defaults to all logs. Only one of "
         "since-time / since may be used."},
        {"tail", 0, SK_FLAG_INT, "-1",
         "Lines of recent log file to display. Defaults to -1 with no selector, showing all log "
         "lines otherwise 10, if a selector is provided."},
        {"timestamps", 0, SK_FLAG_BOOL, "false",
         "Include timestamps on each line in the log output"},
        {0},
};

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Output with an optional "[pod/x/c] " prefix on every line. */
struct sink {
    FILE *out;
    const char *prefix; /* NULL: none */
    bool at_line_start;
};

static int sink_write(void *arg, const void *p, size_t n)
{
    struct sink *s = arg;
    if (!s->prefix) {
        fwrite(p, 1, n, s->out);
        fflush(s->out);
        return 0;
    }
    const char *b = p;
    for (size_t i = 0; i < n; i++) {
        if (s->at_line_start) fputs(s->prefix, s->out);
        fputc(b[i], s->out);
        s->at_line_start = b[i] == '\n';
    }
    fflush(s->out);
    return 0;
}

static char *log_query(struct sk_cli *c, const char *container, int64_t tail_default)
{
    struct sk_buf b = {0};
    char *ec = sk_kclient_escape(container);
    sk_buf_printf(&b, "container=%s", ec);
    free(ec);
    if (sk_cli_bool(c, "follow")) sk_buf_puts(&b, "&follow=true");
    if (sk_cli_bool(c, "previous")) sk_buf_puts(&b, "&previous=true");
    if (sk_cli_bool(c, "timestamps")) sk_buf_puts(&b, "&timestamps=true");
    if (sk_cli_bool(c, "insecure-skip-tls-verify-backend"))
        sk_buf_puts(&b, "&insecureSkipTLSVerifyBackend=true");
    int64_t tail = sk_cli_changed(c, "tail") ? sk_cli_int(c, "tail") : tail_default;
    if (tail >= 0) sk_buf_printf(&b, "&tailLines=%lld", (long long)tail);
    int64_t lb = sk_cli_int(c, "limit-bytes");
    if (lb > 0) sk_buf_printf(&b, "&limitBytes=%lld", (long long)lb);
    double since = sk_cli_duration(c, "since");
    if (since > 0) {
        long long s = (long long)since;
        if ((double)s < since) s++;
        sk_buf_printf(&b, "&sinceSeconds=%lld", s);
    }
    const char *st = sk_cli_str(c, "since-time");
    if (st && *st) {
        char *e = sk_kclient_escape(st);
        sk_buf_printf(&b, "&sinceTime=%s", e);
        free(e);
    }
    return sk_buf_take(&b, NULL);
}

/* Stream one container's log. */
static int stream_log(struct sk_cli *c, const char *ns, const char *pod, const char *container,
                      bool prefix, int64_t tail_default)
{
    struct sk_kclient *k = sk_cli_client(c);
    if (!k) return 1;
    char *q = log_query(c, container, tail_default);
    const struct sk_kind *pk = sk_kind_by_api_version("v1", "Pod");
    char *path = sk_cli_path(pk, ns, pod, "log", q);
    free(q);
    char *pfx = prefix ? sk_xasprintf("[pod/%s/%s] ", pod, container) : NULL;
    struct sink s = {.out = c->out, .prefix = pfx, .at_line_start = true};
    struct sk_kreq req = {.method = "GET",
                          .path = path,
                          .on_data = sink_write,
                          .arg = &s,
                          .timeout = sk_cli_timeout(c),
                          .accept = "*/*"};
    struct sk_kresp r = {0};
    struct sk_error *e = NULL;
    int rc = 0;
    if (sk_kclient_do(k, &req, &r, &e)) {
        rc = sk_cli_fail(c, "%s", sk_error_msg(e, SK_EPROTO));
        sk_error_free(e);
    } else if (r.status < 200 || r.status > 299) {
        rc = sk_cli_fail_resp(c, &r);
    }
    sk_kresp_free(&r);
    free(pfx);
    free(path);
    return rc;
}

static void container_names(const struct sk_val *pod, struct sk_buf *b)
{
    const char *lists[] = {"containers", "ephemeralContainers", "initContainers"};
    const char *tags[] = {"", " (ephem)", " (init)"};
    bool first = true;
    for (int l = 0; l < 3; l++) {
        const struct sk_val *cs = sk_val_at(pod, "spec", lists[l], NULL);
        for (size_t i = 0; i < sk_arr_len(cs); i++) {
            sk_buf_printf(b, "%s%s%s", first ? "" : ", ",
                          sk_val_str_at(sk_arr_get(cs, i), "name", NULL) ?: "", tags[l]);
            first = false;
        }
    }
}

/* The logs of one pod: -c, --all-containers, or the default container. */
static int pod_logs(struct sk_cli *c, const struct sk_val *pod, const char *container, bool prefix,
                    int64_t tail_default)
{
    const char *ns = sk_obj_namespace(pod), *name = sk_obj_name(pod);
    if (sk_cli_bool(c, "all-containers")) {
        const char *lists[] = {"initContainers", "containers", "ephemeralContainers"};
        for (int l = 0; l < 3; l++) {
            const struct sk_val *cs = sk_val_at(pod, "spec", lists[l], NULL);
            for (size_t i = 0; i < sk_arr_len(cs); i++) {
                int rc = stream_log(c, ns, name,
                                    sk_val_str_at(sk_arr_get(cs, i), "name", NULL) ?: "", prefix,
                                    tail_default);
                if (rc) return rc;
            }
        }
        return 0;
    }
    if (container && *container) {
        /* kubectl checks the name against the pod's containers itself */
        const char *lists[] = {"containers", "initContainers", "ephemeralContainers"};
        bool found = false;
        for (int l = 0; l < 3 && !found; l++) {
            const struct sk_val *cs = sk_val_at(pod, "spec", lists[l], NULL);
            for (size_t i = 0; i < sk_arr_len(cs) && !found; i++) {
                const char *cn = sk_val_str_at(sk_arr_get(cs, i), "name", NULL);
                found = cn && !strcmp(cn, container);
            }
        }
        if (!found) return sk_cli_fail(c, "container %s is not valid for pod %s", container, name);
        return stream_log(c, ns, name, container, prefix, tail_default);
    }
    const char *def = sk_obj_annotation(pod, "kubectl.kubernetes.io/default-container");
    const struct sk_val *cs = sk_val_at(pod, "spec", "containers", NULL);
    if (def && *def) {
        for (size_t i = 0; i < sk_arr_len(cs); i++) {
            const char *cn = sk_val_str_at(sk_arr_get(cs, i), "name", NULL);
            if (cn && !strcmp(cn, def)) return stream_log(c, ns, name, def, prefix, tail_default);
        }
        fprintf(c->err, "Warning: default container name \"%s\" not found in pod %s\n", def, name);
    }
    if (sk_arr_len(cs) == 0) return sk_cli_fail(c, "pod %s does not have any containers", name);
    const char *first = sk_val_str_at(sk_arr_get(cs, 0), "name", NULL) ?: "";
    if (sk_arr_len(cs) > 1 || sk_arr_len(sk_val_at(pod, "spec", "initContainers", NULL)) ||
        sk_arr_len(sk_val_at(pod, "spec", "ephemeralContainers", NULL))) {
        struct sk_buf b = {0};
        container_names(pod, &b);
        char *all = sk_buf_take(&b, NULL);
        fprintf(c->err, "Defaulted container \"%s\" out of: %s\n", first, all);
        free(all);
    }
    return stream_log(c, ns, name, first, prefix, tail_default);
}

/* Order pods as kubectl's ByLogging: scheduled, running, ready first, then
 * more restarts, then older. */
static int pod_rank(const struct sk_val *p)
{
    int r = 0;
    if (sk_val_str_at(p, "spec", "nodeName", NULL)) r += 8;
    const char *ph = sk_val_str_at(p, "status", "phase", NULL);
    if (ph && !strcmp(ph, "Running"))
        r += 4;
    else if (ph && !strcmp(ph, "Unknown"))
        r += 2;
    const struct sk_val *conds = sk_val_at(p, "status", "conditions", NULL);
    for (size_t i = 0; i < sk_arr_len(conds); i++) {
        const struct sk_val *cd = sk_arr_get(conds, i);
        const char *t = sk_val_str_at(cd, "type", NULL), *s = sk_val_str_at(cd, "status", NULL);
        if (t && s && !strcmp(t, "Ready") && !strcmp(s, "True")) r += 1;
    }
    return r;
}

static int pod_cmp(const void *a, const void *b)
{
    const struct sk_val *x = *(const struct sk_val *const *)a,
                        *y = *(const struct sk_val *const *)b;
    int rx = pod_rank(x), ry = pod_rank(y);
    if (rx != ry) return ry - rx;
    const char *tx = sk_val_str_at(x, "metadata", "creationTimestamp", NULL) ?: "";
    const char *ty = sk_val_str_at(y, "metadata", "creationTimestamp", NULL) ?: "";
    int c = strcmp(tx, ty);
    if (c) return c;
    return strcmp(sk_obj_name(x) ?: "", sk_obj_name(y) ?: "");
}

/* Pods matching sel (a label selector string) in ns, sorted; a new array. */
static int list_pods(struct sk_cli *c, const char *ns, const char *sel, struct sk_val **out)
{
    const struct sk_kind *pk = sk_kind_by_api_version("v1", "Pod");
    char *q = sk_cliw_query("labelSelector", sel && *sel ? sel : NULL, NULL);
    char *path = sk_cli_path(pk, ns, NULL, NULL, *q ? q + 1 : NULL);
    free(q);
    struct sk_val *list = NULL;
    int rc = sk_cli_get_json(c, path, &list);
    free(path);
    if (rc) return rc;
    struct sk_val *items = sk_map_take(list, "items");
    sk_val_free(list);
    if (!items) items = sk_val_arr();
    qsort(items->u.a.items, items->u.a.n, sizeof(*items->u.a.items), pod_cmp);
    for (size_t i = 0; i < items->u.a.n; i++) {
        struct sk_val *it = items->u.a.items[i];
        if (!sk_map_get(it, "kind")) sk_map_set(it, "kind", sk_val_str("Pod"));
    }
    *out = items;
    return 0;
}

/* The label selector string of a workload or service. */
static char *selector_of(const struct sk_kind *k, const struct sk_val *obj)
{
    const struct sk_val *sel = sk_val_at(obj, "spec", "selector", NULL);
    if (!sel) return NULL;
    struct sk_labelsel *ls = NULL;
    bool plain_map = !strcmp(k->kind, "Service") || !strcmp(k->kind, "ReplicationController");
    if (plain_map) {
        ls = sk_labelsel_from_set(sel);
    } else if (sk_labelsel_from_val(sel, &ls, NULL)) {
        return NULL;
    }
    char *s = sk_labelsel_string(ls);
    sk_labelsel_free(ls);
    return s;
}

static int logs_run(struct sk_cli *c)
{
    const char *container = sk_cli_str(c, "container");
    const char *sel = sk_cli_str(c, "selector");
    bool have_sel = sel && *sel;
    if (sk_cli_changed(c, "since") && sk_cli_changed(c, "since-time"))
        return sk_cli_fail(c, "at most one of `sinceTime` or `sinceSeconds` may be specified");
    if (sk_cli_bool(c, "all-containers") && container && *container)
        return sk_cli_fail(c,
                           "--all-containers=true should not be specified with container name "
                           "%s",
                           container);
    if (sk_cli_int(c, "limit-bytes") < 0)
        return sk_cli_fail(c, "--limit-bytes must be greater than 0");
    if (sk_cli_int(c, "tail") < -1)
        return sk_cli_fail(c, "--tail must be greater than or equal to -1");
    bool prefix = sk_cli_bool(c, "prefix") || sk_cli_bool(c, "all-pods");
    const char *ns = sk_cli_namespace(c);
    if (have_sel) {
        if (c->nargs > 0) return sk_cli_fail(c, "only a selector (-l) or a POD name is allowed");
        struct sk_val *pods = NULL;
        int rc = list_pods(c, ns, sel, &pods);
        if (rc) return rc;
        if (sk_arr_len(pods) == 0) {
            fprintf(c->err, "No resources found in %s namespace.\n", ns);
            sk_val_free(pods);
            return 0;
        }
        int64_t maxreq = sk_cli_int(c, "max-log-requests");
        if (sk_cli_bool(c, "follow") && (int64_t)sk_arr_len(pods) > maxreq) {
            sk_val_free(pods);
            return sk_cli_fail(c,
                               "you are attempting to follow %zu log streams, but maximum "
                               "allowed concurrency is %lld, use --max-log-requests to "
                               "increase the limit",
                               sk_arr_len(pods), (long long)maxreq);
        }
        for (size_t i = 0; i < sk_arr_len(pods) && !rc; i++)
            rc = pod_logs(c, sk_arr_get(pods, i), container, prefix, 10);
        sk_val_free(pods);
        return rc;
    }
    if (c->nargs == 0) {
        fprintf(c->err,
                "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\n"
                "POD or TYPE/NAME is a required argument for the logs command\n"
                "See '%s -h' for help and examples\n",
                c->cmd_path);
        return 1;
    }
    if (c->nargs > 2) return sk_cli_usage_fail(c, "expected POD_NAME [CONTAINER_NAME]");
    const char *arg = c->args[0];
    if (c->nargs == 2) {
        if (container && *container)
            return sk_cli_fail(c, "only one of -c or an inline [CONTAINER] arg is allowed");
        container = c->args[1];
    }
    const char *slash = strchr(arg, '/');
    const struct sk_kind *k = NULL;
    const char *name = arg;
    char *tname = NULL;
    if (slash) {
        tname = sk_xstrndup(arg, (size_t)(slash - arg));
        int rc = sk_cli_kind(c, tname, &k);
        free(tname);
        if (rc) return rc;
        name = slash + 1;
    } else {
        k = sk_kind_by_api_version("v1", "Pod");
    }
    char *path = sk_cli_path(k, ns, name, NULL, NULL);
    struct sk_val *obj = NULL;
    struct sk_kresp r = {0};
    int rc = sk_cliw_call(c, "GET", path, NULL, NULL, &obj, &r);
    free(path);
    if (rc == 2) {
        /* kubectl's builder words a missing object so */
        struct sk_val *st = NULL;
        if (r.body) sk_json_parse(r.body, r.body_len, &st, NULL);
        const char *msg = sk_val_str_at(st, "message", NULL);
        if (r.status == 404 && msg)
            rc = sk_cli_fail(c, "error from server (NotFound): %s in namespace \"%s\"", msg, ns);
        else
            rc = sk_cli_fail_resp(c, &r);
        sk_val_free(st);
        sk_kresp_free(&r);
        return rc;
    }
    if (rc) return rc;
    if (!strcmp(k->kind, "Pod") && !*k->group) {
        rc = pod_logs(c, obj, container, prefix, -1);
        sk_val_free(obj);
        return rc;
    }
    char *s = selector_of(k, obj);
    sk_val_free(obj);
    if (!s) return sk_cli_fail(c, "cannot get the logs from %s", k->kind);
    double deadline = mono() + sk_cli_duration(c, "pod-running-timeout");
    struct sk_val *pods = NULL;
    for (;;) {
        if ((rc = list_pods(c, ns, s, &pods))) break;
        if (sk_arr_len(pods) > 0) break;
        sk_val_free(pods);
        pods = NULL;
        if (mono() > deadline) {
            rc = sk_cli_fail(c, "timed out waiting for the condition");
            break;
        }
        usleep(500 * 1000);
    }
    free(s);
    if (!rc) {
        if (sk_arr_len(pods) > 1 && !sk_cli_bool(c, "all-pods"))
            fprintf(c->err, "Found %zu pods, using pod/%s\n", sk_arr_len(pods),
                    sk_obj_name(sk_arr_get(pods, 0)) ?: "");
        if (sk_cli_bool(c, "all-pods")) {
            for (size_t i = 0; i < sk_arr_len(pods) && !rc; i++)
                rc = pod_logs(c, sk_arr_get(pods, i), container, prefix, -1);
        } else {
            rc = pod_logs(c, sk_arr_get(pods, 0), container, prefix, -1);
        }
    }
    sk_val_free(pods);
    return rc;
}

const struct sk_cli_verb sk_cli_verb_logs = {
        .name = "logs",
        .short_help = "Print the logs for a container in a pod",
        .long_help = "Print the logs for a container in a pod or specified resource. If the pod "
                     "has only one container, the container name is optional.",
        .usage = "skiff logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]",
        .examples = "  # Return snapshot logs from pod nginx with only one container\n"
                    "  skiff logs nginx\n\n"
                    "  # Return snapshot logs from pod nginx, prefixing each line with the source "
                    "pod and container name\n"
                    "  skiff logs nginx --prefix\n\n"
                    "  # Return snapshot logs from all containers in pod nginx\n"
                    "  skiff logs nginx --all-containers=true\n\n"
                    "  # Begin streaming the logs of the ruby container in pod web-1\n"
                    "  skiff logs -f -c ruby web-1\n\n"
                    "  # Display only the most recent 20 lines of output in pod nginx\n"
                    "  skiff logs --tail=20 nginx\n\n"
                    "  # Show all logs from pod nginx written in the last hour\n"
                    "  skiff logs --since=1h nginx\n\n"
                    "  # Return snapshot logs from first container of a job named hello\n"
                    "  skiff logs job/hello",
        .flags = logs_flags,
        .run = logs_run,
};
