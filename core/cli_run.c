/* `skiff run` (a Pod from an image, as kubectl's run generator makes it)
 * and `skiff expose` (a Service selecting a workload's pods, its ports found
 * by introspection as kubectl finds them). */
#include <stdlib.h>
#include <string.h>

#include "cli_write.h"
#include "mem.h"

#define CREATE_FLAGS                                                                               \
    {"dry-run", 0, SK_FLAG_STRING, "none",                                                         \
     "Must be \"none\", \"server\", or \"client\". If client strategy, only print the object "     \
     "that would be sent, without sending it. If server strategy, submit server-side request "     \
     "without persisting the resource."},                                                          \
            {"output", 'o', SK_FLAG_STRING, "",                                                    \
             "Output format. One of: (json, yaml, name, go-template, go-template-file, "           \
             "template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file)."},               \
            {"save-config", 0, SK_FLAG_BOOL, "false",                                              \
             "If true, the configuration of current object will be saved in its annotation. "      \
             "Otherwise, the annotation will be unchanged. This flag is useful when you want to "  \
             "perform kubectl apply on this object in the future."},                               \
    {                                                                                              \
        "validate", 0, SK_FLAG_STRING, "strict",                                                   \
                "Must be one of: strict (or true), warn, ignore (or false). \"true\" or "          \
                "\"strict\" "                                                                      \
                "will use a schema to validate the input and fail the request if invalid."         \
    }

/* ---- run ---- */

static const struct sk_cli_flag run_flags[] = {
        {"annotations", 0, SK_FLAG_ARRAY, "[]", "Annotations to apply to the pod."},
        {"attach", 0, SK_FLAG_BOOL, "false",
         "If true, wait for the Pod to start running, and then attach to the Pod as if 'kubectl "
         "attach ...' were called. Not supported by skiff yet (pods/attach is not served)."},
        {"command", 0, SK_FLAG_BOOL, "false",
         "If true and extra arguments are present, use them as the 'command' field in the "
         "container, rather than the 'args' field which is the default."},
        {"env", 0, SK_FLAG_ARRAY, "[]", "Environment variables to set in the container."},
        {"expose", 0, SK_FLAG_BOOL, "false",
         "If true, create a ClusterIP service associated with the pod.  Requires `--port`."},
        {"field-manager", 0, SK_FLAG_STRING, "kubectl-run",
         "Name of the manager used to track field ownership."},
        {"image", 0, SK_FLAG_STRING, "", "The image for the container to run."},
        {"image-pull-policy", 0, SK_FLAG_STRING, "",
         "The image pull policy for the container.  If left empty, this value will not be "
         "specified by the client and defaulted by the server."},
        {"labels", 'l', SK_FLAG_STRING, "",
         "Comma separated labels to apply to the pod. Will override previous values."},
        {"port", 0, SK_FLAG_STRING, "", "The port that this container exposes."},
        {"privileged", 0, SK_FLAG_BOOL, "false", "If true, run the container in privileged mode."},
        {"restart", 0, SK_FLAG_STRING, "Always",
         "The restart policy for this Pod.  Legal values [Always, OnFailure, Never]."},
        {"rm", 0, SK_FLAG_BOOL, "false",
         "If true, delete the pod after it exits.  Only valid when attaching to the container, "
         "e.g. with '--attach' or with '-i/--stdin'."},
        {"stdin", 'i', SK_FLAG_BOOL, "false",
         "Keep stdin open on the container in the pod, even if nothing is attached."},
        {"tty", 't', SK_FLAG_BOOL, "false", "Allocate a TTY for the container in the pod."},
        CREATE_FLAGS,
        {0},
};

/* "a=b,c=d" into a map; false on a malformed pair. */
static bool parse_labels(const char *s, struct sk_val *into)
{
    char *copy = sk_xstrdup(s), *save = NULL;
    bool ok = true;
    for (char *p = strtok_r(copy, ",", &save); p && ok; p = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(p, '=');
        if (!eq || eq == p) {
            ok = false;
            break;
        }
        *eq = 0;
        sk_map_set(into, p, sk_val_str(eq + 1));
    }
    free(copy);
    return ok;
}

static int run_run(struct sk_cli *c)
{
    const char *image = sk_cli_str(c, "image");
    if (!image || !*image) return sk_cli_fail(c, "required flag(s) \"image\" not set");
    int npos = c->dash_at >= 0 ? c->dash_at : c->nargs;
    if (npos < 1) return sk_cli_usage_fail(c, "NAME is required for run");
    const char *name = c->args[0];
    /* kubectl's checks, in its order: -i implies --attach unless given */
    bool in = sk_cli_bool(c, "stdin"), tty = sk_cli_bool(c, "tty");
    bool attach = sk_cli_changed(c, "attach") ? sk_cli_bool(c, "attach") : in;
    if (sk_cli_bool(c, "rm") && !attach)
        return sk_cli_usage_fail(c, "--rm should only be used for attached containers");
    if (tty && !in)
        return sk_cli_usage_fail(c, "-i/--stdin is required for containers with -t/--tty=true");
    const char *dry = sk_cli_has_flag(c, "dry-run") ? sk_cli_str(c, "dry-run") : NULL;
    if ((attach || in || tty) && dry && *dry && strcmp(dry, "none"))
        return sk_cli_usage_fail(c, "--dry-run=[server|client] can't be used with attached "
                                    "containers options (--attach, --stdin, or --tty)");
    /* Attaching needs the API's pods/attach, which answers 503 for now:
     * say so before creating a pod nobody could attach to. */
    if (attach || in || tty)
        return sk_cli_fail(c,
                           "skiff run cannot attach to the container (-i, -t, --attach): "
                           "the API does not serve pods/attach yet; run the pod without them "
                           "and use 'skiff logs -f %s' or 'skiff exec -it %s -- sh'",
                           name, name);
    const char *restart = sk_cli_str(c, "restart");
    if (strcmp(restart, "Always") && strcmp(restart, "OnFailure") && strcmp(restart, "Never"))
        return sk_cli_fail(c, "invalid restart policy: %s", restart);
    if (sk_cli_bool(c, "expose") && !(sk_cli_str(c, "port") && *sk_cli_str(c, "port")))
        return sk_cli_fail(c, "--port must be set when exposing a service");
    /* Pod in Go's field order */
    struct sk_val *o = sk_val_map();
    sk_map_set(o, "kind", sk_val_str("Pod"));
    sk_map_set(o, "apiVersion", sk_val_str("v1"));
    struct sk_val *md = sk_map_set(o, "metadata", sk_val_map());
    sk_map_set(md, "name", sk_val_str(name));
    sk_map_set(md, "creationTimestamp", sk_val_null());
    struct sk_val *labels = sk_map_set(md, "labels", sk_val_map());
    const char *ls = sk_cli_str(c, "labels");
    if (ls && *ls) {
        if (!parse_labels(ls, labels)) {
            sk_val_free(o);
            return sk_cli_fail(c, "invalid label spec: %s", ls);
        }
    } else {
        sk_map_set(labels, "run", sk_val_str(name));
    }
    const struct sk_strv *anns = sk_cli_strs(c, "annotations");
    if (anns->n) {
        struct sk_val *am = sk_map_set(md, "annotations", sk_val_map());
        for (size_t i = 0; i < anns->n; i++) {
            const char *eq = strchr(anns->v[i], '=');
            if (!eq) {
                sk_val_free(o);
                return sk_cli_fail(c, "invalid annotation spec: %s", anns->v[i]);
            }
            char *k = sk_xstrndup(anns->v[i], (size_t)(eq - anns->v[i]));
            sk_map_set(am, k, sk_val_str(eq + 1));
            free(k);
        }
    }
    struct sk_val *spec = sk_map_set(o, "spec", sk_val_map());
    struct sk_val *cs = sk_map_set(spec, "containers", sk_val_arr());
    struct sk_val *ct = sk_arr_push(cs, sk_val_map());
    sk_map_set(ct, "name", sk_val_str(name));
    sk_map_set(ct, "image", sk_val_str(image));
    if (c->dash_at >= 0 && c->dash_at < c->nargs) {
        struct sk_val *a =
                sk_map_set(ct, sk_cli_bool(c, "command") ? "command" : "args", sk_val_arr());
        for (int i = c->dash_at; i < c->nargs; i++)
            sk_arr_push(a, sk_val_str(c->args[i]));
    } else if (npos > 1) {
        struct sk_val *a =
                sk_map_set(ct, sk_cli_bool(c, "command") ? "command" : "args", sk_val_arr());
        for (int i = 1; i < npos; i++)
            sk_arr_push(a, sk_val_str(c->args[i]));
    }
    const char *port = sk_cli_str(c, "port");
    if (port && *port) {
        char *end;
        long p = strtol(port, &end, 10);
        if (*end || p < 1 || p > 65535) {
            sk_val_free(o);
            return sk_cli_fail(c, "strconv.Atoi: parsing \"%s\": invalid syntax", port);
        }
        struct sk_val *ports = sk_map_set(ct, "ports", sk_val_arr());
        sk_map_set(sk_arr_push(ports, sk_val_map()), "containerPort", sk_val_int(p));
    }
    const struct sk_strv *env = sk_cli_strs(c, "env");
    if (env->n) {
        struct sk_val *ev = sk_map_set(ct, "env", sk_val_arr());
        for (size_t i = 0; i < env->n; i++) {
            const char *eq = strchr(env->v[i], '=');
            if (!eq) {
                sk_val_free(o);
                return sk_cli_fail(c, "invalid env: %s", env->v[i]);
            }
            struct sk_val *e = sk_arr_push(ev, sk_val_map());
            char *k = sk_xstrndup(env->v[i], (size_t)(eq - env->v[i]));
            sk_map_set(e, "name", sk_val_str(k));
            free(k);
            sk_map_set(e, "value", sk_val_str(eq + 1));
        }
    }
    sk_map_set(ct, "resources", sk_val_map());
    const char *ipp = sk_cli_str(c, "image-pull-policy");
    if (ipp && *ipp) sk_map_set(ct, "imagePullPolicy", sk_val_str(ipp));
    if (sk_cli_bool(c, "privileged"))
        sk_val_set_at(ct, sk_val_bool(true), "securityContext", "privileged", NULL);
    sk_map_set(spec, "restartPolicy", sk_val_str(restart));
    sk_map_set(spec, "dnsPolicy", sk_val_str("ClusterFirst"));
    sk_map_set(o, "status", sk_val_map());
    struct sk_val *svc = NULL;
    if (sk_cli_bool(c, "expose")) {
        svc = sk_val_map();
        sk_map_set(svc, "kind", sk_val_str("Service"));
        sk_map_set(svc, "apiVersion", sk_val_str("v1"));
        struct sk_val *smd = sk_map_set(svc, "metadata", sk_val_map());
        sk_map_set(smd, "name", sk_val_str(name));
        sk_map_set(smd, "creationTimestamp", sk_val_null());
        struct sk_val *sspec = sk_map_set(svc, "spec", sk_val_map());
        struct sk_val *sp = sk_arr_push(sk_map_set(sspec, "ports", sk_val_arr()), sk_val_map());
        sk_map_set(sp, "port", sk_val_int(strtol(port, NULL, 10)));
        sk_map_set(sp, "targetPort", sk_val_int(strtol(port, NULL, 10)));
        sk_map_set(sspec, "selector", sk_val_dup(labels));
        sk_val_set_at(svc, sk_val_map(), "status", "loadBalancer", NULL);
    }
    int rc = 0;
    if (svc) rc = sk_cliw_create_typed(c, svc, "", "created");
    if (!rc)
        rc = sk_cliw_create_typed(c, o, "", "created");
    else
        sk_val_free(o);
    return rc;
}

const struct sk_cli_verb sk_cli_verb_run = {
        .name = "run",
        .short_help = "Run a particular image on the cluster",
        .long_help = "Create and run a particular image in a pod.",
        .usage = "skiff run NAME --image=image [--env=\"key=value\"] [--port=port] "
                 "[--dry-run=server|client] [--overrides=inline-json] [--command] -- [COMMAND] "
                 "[args...]",
        .examples =
                "  # Start a nginx pod\n"
                "  skiff run nginx --image=nginx\n\n"
                "  # Start a hazelcast pod and let the container expose port 5701\n"
                "  skiff run hazelcast --image=hazelcast/hazelcast --port=5701\n\n"
                "  # Start a hazelcast pod and set environment variables \"DNS_DOMAIN=cluster\" "
                "and \"POD_NAMESPACE=default\" in the container\n"
                "  skiff run hazelcast --image=hazelcast/hazelcast --env=\"DNS_DOMAIN=cluster\" "
                "--env=\"POD_NAMESPACE=default\"\n\n"
                "  # Dry run; print the corresponding API objects without creating them\n"
                "  skiff run nginx --image=nginx --dry-run=client -o yaml\n\n"
                "  # Start the nginx pod using a different command and custom arguments\n"
                "  skiff run nginx --image=nginx --command -- <cmd> <arg1> ... <argN>",
        .flags = run_flags,
        .run = run_run,
};

/* ---- expose ---- */

static const struct sk_cli_flag expose_flags[] = {
        {"cluster-ip", 0, SK_FLAG_STRING, "",
         "ClusterIP to be assigned to the service. Leave empty to auto-allocate, or set to "
         "'None' to create a headless service."},
        {"external-ip", 0, SK_FLAG_STRING, "",
         "Additional external IP address (not managed by Kubernetes) to accept for the service. "
         "If this IP is routed to a node, the service can be accessed by this IP in addition to "
         "its generated service IP."},
        {"field-manager", 0, SK_FLAG_STRING, "kubectl-expose",
         "Name of the manager used to track field ownership."},
        {"filename", 'f', SK_FLAG_STRINGS, "[]",
         "Filename, directory, or URL to files identifying the resource to expose a service"},
        {"labels", 'l', SK_FLAG_STRING, "", "Labels to apply to the service created by this call."},
        {"load-balancer-ip", 0, SK_FLAG_STRING, "",
         "IP to assign to the LoadBalancer. If empty, an ephemeral IP will be created and used "
         "(cloud-provider specific)."},
        {"name", 0, SK_FLAG_STRING, "", "The name for the newly created object."},
        {"override-type", 0, SK_FLAG_STRING, "merge",
         "The method used to override the generated object: json, merge, or strategic."},
        {"port", 0, SK_FLAG_STRING, "",
         "The port that the service should serve on. Copied from the resource being exposed, if "
         "unspecified"},
        {"protocol", 0, SK_FLAG_STRING, "",
         "The network protocol for the service to be created. Default is 'TCP'."},
        {"recursive", 'R', SK_FLAG_BOOL, "false",
         "Process the directory used in -f, --filename recursively. Useful when you want to "
         "manage related manifests organized within the same directory."},
        {"selector", 0, SK_FLAG_STRING, "",
         "A label selector to use for this service. Only equality-based selector requirements "
         "are supported. If empty (the default) infer the selector from the replication "
         "controller or replica set.)"},
        {"session-affinity", 0, SK_FLAG_STRING, "",
         "If non-empty, set the session affinity for the service to this; legal values: 'None', "
         "'ClientIP'"},
        {"target-port", 0, SK_FLAG_STRING, "",
         "Name or number for the port on the container that the service should direct traffic "
         "to. Optional."},
        {"type", 0, SK_FLAG_STRING, "",
         "Type for this service: ClusterIP, NodePort, LoadBalancer, or ExternalName. Default is "
         "'ClusterIP'."},
        CREATE_FLAGS,
        {0},
};

/* The pod selector of what is exposed (a new map), or NULL with *why. */
static struct sk_val *expose_selector(const struct sk_kind *k, const struct sk_val *obj,
                                      const char **why)
{
    *why = NULL;
    const char *kind = k->kind;
    if (!strcmp(kind, "Pod")) return sk_val_dup(sk_obj_labels(obj) ?: sk_val_map());
    if (!strcmp(kind, "Service") || !strcmp(kind, "ReplicationController")) {
        const struct sk_val *s = sk_val_at(obj, "spec", "selector", NULL);
        return s ? sk_val_dup(s) : NULL;
    }
    if (!strcmp(kind, "Deployment") || !strcmp(kind, "ReplicaSet")) {
        const struct sk_val *sel = sk_val_at(obj, "spec", "selector", NULL);
        if (sk_arr_len(sk_map_get(sel, "matchExpressions"))) {
            *why = "couldn't convert expressions - \"%s\" to map-based selector format";
            return NULL;
        }
        const struct sk_val *ml = sk_map_get(sel, "matchLabels");
        return ml ? sk_val_dup(ml) : sk_val_map();
    }
    *why = "cannot expose a %s";
    return NULL;
}

/* Container ports of a pod template or pod spec: (port, protocol, name). */
static const struct sk_val *pod_spec_of(const struct sk_kind *k, const struct sk_val *obj)
{
    if (!strcmp(k->kind, "Pod")) return sk_map_get(obj, "spec");
    return sk_val_at(obj, "spec", "template", "spec", NULL);
}

static int expose_run(struct sk_cli *c)
{
    const struct sk_strv *files = sk_cli_strs(c, "filename");
    struct sk_cliw_sel s = {
            .files = files,
            .recursive = sk_cli_bool(c, "recursive"),
            .fetch = true,
            .names_required = true,
    };
    if (c->nargs == 0 && files->n == 0) {
        fprintf(c->err, "error: You must provide one or more resources by argument or filename."
                        "\nExample resource specifications include:\n   '-f rsrc.yaml'\n"
                        "   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n");
        return 1;
    }
    struct sk_cliw_infos in = {0};
    struct sk_cliw_errs errs = {0};
    if (sk_cliw_collect(c, c->args, c->nargs, &s, &in, &errs, NULL) || errs.n) {
        sk_cliw_infos_free(&in);
        sk_cliw_errs_flush(c, &errs);
        return 1;
    }
    int rc = 0;
    for (size_t i = 0; i < in.n && !rc; i++) {
        struct sk_cliw_info *it = &in.v[i];
        const char *why;
        struct sk_val *sel = NULL;
        const char *selflag = sk_cli_str(c, "selector");
        if (selflag && *selflag) {
            sel = sk_val_map();
            if (!parse_labels(selflag, sel)) {
                sk_val_free(sel);
                rc = sk_cli_fail(c, "invalid selector: %s", selflag);
                break;
            }
        } else {
            sel = expose_selector(it->kind, it->obj, &why);
            if (!sel) {
                char *ref = sk_cli_ref(it->kind, it->name);
                if (why)
                    rc = sk_cli_fail(c, why, it->kind->kind);
                else
                    rc = sk_cli_fail(c,
                                     "couldn't retrieve selectors via --selector flag or "
                                     "introspection: the %s has no selector",
                                     ref);
                free(ref);
                break;
            }
        }
        const char *name = sk_cli_str(c, "name");
        if (!name || !*name) name = it->name;
        struct sk_val *o = sk_val_map();
        sk_map_set(o, "kind", sk_val_str("Service"));
        sk_map_set(o, "apiVersion", sk_val_str("v1"));
        struct sk_val *md = sk_map_set(o, "metadata", sk_val_map());
        sk_map_set(md, "name", sk_val_str(name));
        sk_map_set(md, "creationTimestamp", sk_val_null());
        const char *lf = sk_cli_str(c, "labels");
        if (lf && *lf) {
            struct sk_val *l = sk_map_set(md, "labels", sk_val_map());
            if (!parse_labels(lf, l)) {
                sk_val_free(o);
                sk_val_free(sel);
                rc = sk_cli_fail(c, "invalid label spec: %s", lf);
                break;
            }
        } else if (sk_obj_labels(it->obj) && sk_map_len(sk_obj_labels(it->obj))) {
            sk_map_set(md, "labels", sk_val_dup(sk_obj_labels(it->obj)));
        }
        struct sk_val *spec = sk_map_set(o, "spec", sk_val_map());
        struct sk_val *ports = sk_map_set(spec, "ports", sk_val_arr());
        const char *port = sk_cli_str(c, "port");
        const char *proto = sk_cli_str(c, "protocol");
        const char *tport = sk_cli_str(c, "target-port");
        if (port && *port) {
            char *end;
            long p = strtol(port, &end, 10);
            if (*end || p < 1 || p > 65535) {
                sk_val_free(o);
                sk_val_free(sel);
                rc = sk_cli_fail(c, "strconv.Atoi: parsing \"%s\": invalid syntax", port);
                break;
            }
            struct sk_val *sp = sk_arr_push(ports, sk_val_map());
            sk_map_set(sp, "protocol", sk_val_str(proto && *proto ? proto : "TCP"));
            sk_map_set(sp, "port", sk_val_int(p));
        } else if (!strcmp(it->kind->kind, "Service")) {
            const struct sk_val *sps = sk_val_at(it->obj, "spec", "ports", NULL);
            for (size_t j = 0; j < sk_arr_len(sps); j++) {
                const struct sk_val *q = sk_arr_get(sps, j);
                struct sk_val *sp = sk_arr_push(ports, sk_val_map());
                if (sk_arr_len(sps) > 1) sk_map_set(sp, "name", sk_val_strf("port-%zu", j + 1));
                sk_map_set(sp, "protocol", sk_val_str(sk_val_str_at(q, "protocol", NULL) ?: "TCP"));
                sk_map_set(sp, "port", sk_val_int(sk_val_to_int(sk_map_get(q, "port"), 0)));
            }
        } else {
            const struct sk_val *ps = pod_spec_of(it->kind, it->obj);
            const struct sk_val *cs = sk_map_get(ps, "containers");
            size_t total = 0;
            for (size_t j = 0; j < sk_arr_len(cs); j++)
                total += sk_arr_len(sk_val_at(sk_arr_get(cs, j), "ports", NULL));
            size_t idx = 0;
            for (size_t j = 0; j < sk_arr_len(cs); j++) {
                const struct sk_val *cps = sk_val_at(sk_arr_get(cs, j), "ports", NULL);
                for (size_t m = 0; m < sk_arr_len(cps); m++) {
                    const struct sk_val *q = sk_arr_get(cps, m);
                    struct sk_val *sp = sk_arr_push(ports, sk_val_map());
                    idx++;
                    if (total > 1) sk_map_set(sp, "name", sk_val_strf("port-%zu", idx));
                    sk_map_set(sp, "protocol",
                               sk_val_str(proto && *proto
                                                  ? proto
                                                  : (sk_val_str_at(q, "protocol", NULL) ?: "TCP")));
                    sk_map_set(sp, "port",
                               sk_val_int(sk_val_to_int(sk_map_get(q, "containerPort"), 0)));
                }
            }
        }
        if (sk_arr_len(ports) == 0) {
            sk_val_free(o);
            sk_val_free(sel);
            rc = sk_cli_fail(c, "couldn't find port via --port flag or introspection");
            break;
        }
        for (size_t j = 0; j < sk_arr_len(ports); j++) {
            struct sk_val *sp = sk_arr_get(ports, j);
            if (tport && *tport) {
                char *end;
                long tp = strtol(tport, &end, 10);
                sk_map_set(sp, "targetPort", *end ? sk_val_str(tport) : sk_val_int(tp));
            } else {
                sk_map_set(sp, "targetPort", sk_val_dup(sk_map_get(sp, "port")));
            }
        }
        sk_map_set(spec, "selector", sel);
        const char *cip = sk_cli_str(c, "cluster-ip");
        if (cip && *cip) sk_map_set(spec, "clusterIP", sk_val_str(cip));
        const char *type = sk_cli_str(c, "type");
        if (type && *type) sk_map_set(spec, "type", sk_val_str(type));
        const char *eip = sk_cli_str(c, "external-ip");
        if (eip && *eip)
            sk_arr_push(sk_map_set(spec, "externalIPs", sk_val_arr()), sk_val_str(eip));
        const char *aff = sk_cli_str(c, "session-affinity");
        if (aff && *aff) sk_map_set(spec, "sessionAffinity", sk_val_str(aff));
        const char *lbip = sk_cli_str(c, "load-balancer-ip");
        if (lbip && *lbip) sk_map_set(spec, "loadBalancerIP", sk_val_str(lbip));
        sk_val_set_at(o, sk_val_map(), "status", "loadBalancer", NULL);
        rc = sk_cliw_create_typed(c, o, "", "exposed");
    }
    sk_cliw_infos_free(&in);
    return rc;
}

const struct sk_cli_verb sk_cli_verb_expose = {
        .name = "expose",
        .short_help = "Take a replication controller, service, deployment or pod and expose it "
                      "as a new Kubernetes service",
        .long_help = "Expose a resource as a new Kubernetes service.\n\n Looks up a deployment, "
                     "service, replica set, replication controller or pod by name and uses the "
                     "selector for that resource as the selector for a new service on the "
                     "specified port. A deployment or replica set will be exposed as a service "
                     "only if its selector is convertible to a selector that service supports, "
                     "i.e. when the selector contains only the matchLabels component. Note that "
                     "if no port is specified via --port and the exposed resource has multiple "
                     "ports, all will be re-used by the new service.\n\n Possible resources "
                     "include (case insensitive):\n\n pod (po), service (svc), "
                     "replicationcontroller (rc), deployment (deploy), replicaset (rs)",
        .usage = "skiff expose (-f FILENAME | TYPE NAME) [--port=port] [--protocol=TCP|UDP|SCTP] "
                 "[--target-port=number-or-name] [--name=name] [--external-ip=external-ip-of-"
                 "service] [--type=type]",
        .examples = "  # Create a service for an nginx deployment, which serves on port 80 and "
                    "connects to the containers on port 8000\n"
                    "  skiff expose deployment nginx --port=80 --target-port=8000\n\n"
                    "  # Create a service for a pod valid-pod, which serves on port 444 with the "
                    "name \"frontend\"\n"
                    "  skiff expose pod valid-pod --port=444 --name=frontend",
        .flags = expose_flags,
        .run = expose_run,
};
