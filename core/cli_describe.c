/* skiff describe: kubectl's describers for pods, deployments, replica
 * sets, services, jobs, config maps and nodes, a generic one for other
 * kinds, and the Events table, laid out by the same tab rules. */
#include "cli_describe.h"
#include "json.h"
#include "jsonpath.h"
#include "mem.h"
#include "table.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- the prefix writer ---- */

void dwrite(struct dw *w, int level, const char *fmt, ...)
{
    for (int i = 0; i < level; i++)
        sk_buf_puts(&w->seg, "  ");
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) abort();
    va_end(ap);
    sk_buf_puts(&w->seg, s);
    free(s);
}

static void dflush(struct dw *w)
{
    sk_cli_tabwrite(w->seg.p ? w->seg.p : "", w->seg.len, 0, 2, &w->out);
    w->seg.len = 0;
}

/* ---- value helpers ---- */

const char *str(const struct sk_val *o, const char *path)
{
    const char *s = sk_val_cstr(sk_val_path(o, path));
    return s ? s : "";
}

bool has(const struct sk_val *o, const char *path)
{
    const struct sk_val *v = sk_val_path(o, path);
    return v && v->type != SK_V_NULL;
}

long long num(const struct sk_val *o, const char *path)
{
    return (long long)sk_val_to_int(sk_val_path(o, path), 0);
}

char *scalar(const struct sk_val *v)
{
    struct sk_buf b = {0};
    if (v) sk_go_sprint(v, &b);
    sk_buf_putc(&b, 0);
    return sk_buf_take(&b, NULL);
}

bool parse_time(const char *s, time_t *out)
{
    struct tm tm = {0};
    if (!s || !*s) return false;
    const char *e = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!e) return false;
    *out = timegm(&tm);
    return true;
}

/* Go's time.RFC1123Z in local time, as kubectl prints times. */
char *rfc1123z(const char *ts)
{
    time_t t;
    if (!parse_time(ts, &t)) return sk_xstrdup("Mon, 01 Jan 0001 00:00:00 +0000");
    struct tm tm;
    localtime_r(&t, &tm);
    char buf[64];
    strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S %z", &tm);
    return sk_xstrdup(buf);
}

char *since(struct dw *w, const char *ts)
{
    time_t t;
    if (!parse_time(ts, &t)) return sk_xstrdup("<unknown>");
    char buf[32];
    sk_human_duration(w->now - (int64_t)t, buf);
    return sk_xstrdup(buf);
}

/* Sorted "k=v" lines under a title, kubectl's printLabelsMultiline. */
void labels_multi(struct dw *w, const char *indent, const char *title, const char *inner,
                  const struct sk_val *m)
{
    dwrite(w, 0, "%s%s:%s", indent, title, inner);
    if (!m || !sk_map_len(m)) {
        dwrite(w, 0, "<none>\n");
        return;
    }
    struct sk_val *s = sk_cli_sorted(m);
    for (size_t i = 0; i < s->u.m.n; i++) {
        if (i) dwrite(w, 0, "%s%s", indent, inner);
        char *v = scalar(s->u.m.kv[i].val);
        dwrite(w, 0, "%s=%s\n", s->u.m.kv[i].key,
               sk_val_cstr(s->u.m.kv[i].val) ? sk_val_cstr(s->u.m.kv[i].val) : v);
        free(v);
    }
    sk_val_free(s);
}

void annotations_multi(struct dw *w, const char *title, const struct sk_val *m)
{
    dwrite(w, 0, "%s:\t", title);
    struct sk_val *s = m ? sk_cli_sorted(m) : NULL;
    size_t shown = 0;
    for (size_t i = 0; s && i < s->u.m.n; i++) {
        const char *k = s->u.m.kv[i].key;
        if (!strcmp(k, "kubectl.kubernetes.io/last-applied-configuration")) continue;
        if (shown++) dwrite(w, 0, "\t");
        const char *v0 = sk_val_cstr(s->u.m.kv[i].val);
        char *v = sk_xstrdup(v0 ? v0 : "");
        size_t vl = strlen(v);
        if (vl && v[vl - 1] == '\n') v[--vl] = 0;
        if (vl + strlen(k) + 2 > 140 || strchr(v, '\n')) {
            dwrite(w, 0, "%s:\n", k);
            for (char *p = v;;) {
                char *nl = strchr(p, '\n');
                size_t l = nl ? (size_t)(nl - p) : strlen(p);
                if (l > 138)
                    dwrite(w, 0, "\t  %.*s...\n", 138, p);
                else
                    dwrite(w, 0, "\t  %.*s\n", (int)l, p);
                if (!nl) break;
                p = nl + 1;
            }
        } else {
            dwrite(w, 0, "%s: %s\n", k, v);
        }
        free(v);
    }
    if (!shown) dwrite(w, 0, "<none>\n");
    sk_val_free(s);
}

/* metav1.LabelSelector as labels.Selector.String(): requirements sorted by key. */
struct req {
    char *key, *text;
};

static int req_cmp(const void *a, const void *b)
{
    return strcmp(((const struct req *)a)->key, ((const struct req *)b)->key);
}

char *selector_text(const struct sk_val *sel, const char *empty)
{
    struct req *r = NULL;
    size_t n = 0;
    const struct sk_val *ml = sk_map_get(sel, "matchLabels");
    for (size_t i = 0; ml && ml->type == SK_V_MAP && i < ml->u.m.n; i++) {
        r = sk_xrealloc(r, (n + 1) * sizeof(*r));
        const char *v = sk_val_cstr(ml->u.m.kv[i].val);
        r[n].key = sk_xstrdup(ml->u.m.kv[i].key);
        r[n++].text = sk_xasprintf("%s=%s", ml->u.m.kv[i].key, v ? v : "");
    }
    const struct sk_val *me = sk_map_get(sel, "matchExpressions");
    for (size_t i = 0; i < sk_arr_len(me); i++) {
        const struct sk_val *e = sk_arr_get(me, i);
        const char *k = str(e, "key"), *op = str(e, "operator");
        struct sk_buf b = {0};
        if (!strcmp(op, "Exists")) {
            sk_buf_puts(&b, k);
        } else if (!strcmp(op, "DoesNotExist")) {
            sk_buf_printf(&b, "!%s", k);
        } else {
            sk_buf_printf(&b, "%s %s (", k, !strcmp(op, "In") ? "in" : "notin");
            const struct sk_val *vs = sk_map_get(e, "values");
            /* values sorted, as labels.NewRequirement keeps them in a set */
            struct sk_val *sorted = sk_val_dup(vs ? vs : sk_val_arr());
            for (size_t a = 0; a < sk_arr_len(sorted); a++)
                for (size_t c = a + 1; c < sk_arr_len(sorted); c++) {
                    const char *x = sk_val_cstr(sorted->u.a.items[a]);
                    const char *y = sk_val_cstr(sorted->u.a.items[c]);
                    if (x && y && strcmp(x, y) > 0) {
                        struct sk_val *t = sorted->u.a.items[a];
                        sorted->u.a.items[a] = sorted->u.a.items[c];
                        sorted->u.a.items[c] = t;
                    }
                }
            for (size_t j = 0; j < sk_arr_len(sorted); j++) {
                if (j) sk_buf_putc(&b, ',');
                const char *v = sk_val_cstr(sk_arr_get(sorted, j));
                sk_buf_puts(&b, v ? v : "");
            }
            sk_val_free(sorted);
            sk_buf_putc(&b, ')');
        }
        sk_buf_putc(&b, 0);
        r = sk_xrealloc(r, (n + 1) * sizeof(*r));
        r[n].key = sk_xstrdup(k);
        r[n++].text = sk_buf_take(&b, NULL);
    }
    if (!n) {
        free(r);
        return sk_xstrdup(empty);
    }
    qsort(r, n, sizeof(*r), req_cmp);
    struct sk_buf b = {0};
    for (size_t i = 0; i < n; i++) {
        if (i) sk_buf_putc(&b, ',');
        sk_buf_puts(&b, r[i].text);
        free(r[i].key);
        free(r[i].text);
    }
    free(r);
    sk_buf_putc(&b, 0);
    return sk_buf_take(&b, NULL);
}

char *map_labels_text(const struct sk_val *m)
{
    struct sk_val *s = m ? sk_cli_sorted(m) : NULL;
    struct sk_buf b = {0};
    for (size_t i = 0; s && i < s->u.m.n; i++) {
        if (i) sk_buf_putc(&b, ',');
        const char *v = sk_val_cstr(s->u.m.kv[i].val);
        sk_buf_printf(&b, "%s=%s", s->u.m.kv[i].key, v ? v : "");
    }
    sk_val_free(s);
    sk_buf_putc(&b, 0);
    return sk_buf_take(&b, NULL);
}

void controlled_by(struct dw *w, const struct sk_val *obj)
{
    const struct sk_val *ref = sk_obj_controller_ref(obj);
    if (ref) dwrite(w, 0, "Controlled By:\t%s/%s\n", str(ref, "kind"), str(ref, "name"));
}

/* ---- containers and templates ---- */

static void resources(struct dw *w, const struct sk_val *res, int level)
{
    static const char *const which[] = {"limits", "Limits", "requests", "Requests"};
    for (int k = 0; k < 4; k += 2) {
        const struct sk_val *m = sk_map_get(res, which[k]);
        if (!m || !sk_map_len(m)) continue;
        dwrite(w, level, "%s:\n", which[k + 1]);
        struct sk_val *s = sk_cli_sorted(m);
        for (size_t i = 0; i < s->u.m.n; i++) {
            char *v = scalar(s->u.m.kv[i].val);
            dwrite(w, level + 1, "%s:\t%s\n", s->u.m.kv[i].key, v);
            free(v);
        }
        sk_val_free(s);
    }
}

static void ports_text(const struct sk_val *ports, const char *field, struct sk_buf *b)
{
    for (size_t i = 0; i < sk_arr_len(ports); i++) {
        const struct sk_val *p = sk_arr_get(ports, i);
        if (i) sk_buf_puts(b, ", ");
        sk_buf_printf(b, "%lld/%s", num(p, field), str(p, "protocol"));
    }
    sk_buf_putc(b, 0);
}

static char *probe_text(const struct sk_val *p)
{
    char attrs[256];
    snprintf(attrs, sizeof(attrs),
             "delay=%llds timeout=%llds period=%llds #success=%lld #failure=%lld",
             num(p, "initialDelaySeconds"), num(p, "timeoutSeconds"), num(p, "periodSeconds"),
             num(p, "successThreshold"), num(p, "failureThreshold"));
    struct sk_buf b = {0};
    if (has(p, "exec")) {
        sk_buf_puts(&b, "exec [");
        const struct sk_val *cmd = sk_val_path(p, "exec.command");
        for (size_t i = 0; i < sk_arr_len(cmd); i++) {
            if (i) sk_buf_putc(&b, ' ');
            const char *s = sk_val_cstr(sk_arr_get(cmd, i));
            sk_buf_puts(&b, s ? s : "");
        }
        sk_buf_printf(&b, "] %s", attrs);
    } else if (has(p, "httpGet")) {
        const char *scheme = str(p, "httpGet.scheme");
        char *port = scalar(sk_val_path(p, "httpGet.port"));
        const char *host = str(p, "httpGet.host");
        sk_buf_puts(&b, "http-get ");
        for (const char *c = scheme; *c; c++)
            sk_buf_putc(&b, (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c));
        sk_buf_printf(&b, "://%s%s%s:%s%s %s", strchr(host, ':') ? "[" : "", host,
                      strchr(host, ':') ? "]" : "", port, str(p, "httpGet.path"), attrs);
        free(port);
    } else if (has(p, "tcpSocket")) {
        char *port = scalar(sk_val_path(p, "tcpSocket.port"));
        sk_buf_printf(&b, "tcp-socket %s:%s %s", str(p, "tcpSocket.host"), port, attrs);
        free(port);
    } else if (has(p, "grpc")) {
        sk_buf_printf(&b, "grpc <pod>:%lld %s %s", num(p, "grpc.port"), str(p, "grpc.service"),
                      attrs);
    } else {
        sk_buf_printf(&b, "unknown %s", attrs);
    }
    sk_buf_putc(&b, 0);
    return sk_buf_take(&b, NULL);
}

static void container_state(struct dw *w, const char *name, const struct sk_val *st)
{
    if (has(st, "running")) {
        char *t = rfc1123z(str(st, "running.startedAt"));
        dwrite(w, 2, "%s:\tRunning\n", name);
        dwrite(w, 3, "Started:\t%s\n", t);
        free(t);
    } else if (has(st, "terminated")) {
        dwrite(w, 2, "%s:\tTerminated\n", name);
        if (*str(st, "terminated.reason"))
            dwrite(w, 3, "Reason:\t%s\n", str(st, "terminated.reason"));
        if (*str(st, "terminated.message"))
            dwrite(w, 3, "Message:\t%s\n", str(st, "terminated.message"));
        dwrite(w, 3, "Exit Code:\t%lld\n", num(st, "terminated.exitCode"));
        if (num(st, "terminated.signal") > 0)
            dwrite(w, 3, "Signal:\t%lld\n", num(st, "terminated.signal"));
        char *a = rfc1123z(str(st, "terminated.startedAt"));
        char *b = rfc1123z(str(st, "terminated.finishedAt"));
        dwrite(w, 3, "Started:\t%s\n", a);
        dwrite(w, 3, "Finished:\t%s\n", b);
        free(a);
        free(b);
    } else {
        dwrite(w, 2, "%s:\tWaiting\n", name);
        if (*str(st, "waiting.reason")) dwrite(w, 3, "Reason:\t%s\n", str(st, "waiting.reason"));
    }
}

static int mount_cmp(const void *a, const void *b)
{
    const struct sk_val *x = *(const struct sk_val *const *)a,
                        *y = *(const struct sk_val *const *)b;
    return strcmp(str(x, "mountPath"), str(y, "mountPath"));
}

static void containers(struct dw *w, const char *label, const struct sk_val *list,
                       const struct sk_val *statuses, const char *space)
{
    dwrite(w, 0, "%s%s:%s\n", space, label, sk_arr_len(list) ? "" : " <none>");
    const char *ni = *space ? " " : "";
    for (size_t i = 0; i < sk_arr_len(list); i++) {
        const struct sk_val *c = sk_arr_get(list, i);
        const char *name = str(c, "name");
        const struct sk_val *st = NULL;
        for (size_t j = 0; j < sk_arr_len(statuses); j++)
            if (!strcmp(str(sk_arr_get(statuses, j), "name"), name)) st = sk_arr_get(statuses, j);
        dwrite(w, 1, "%s%s:\n", ni, name);
        if (st) dwrite(w, 2, "Container ID:\t%s\n", str(st, "containerID"));
        dwrite(w, 2, "Image:\t%s\n", str(c, "image"));
        if (st) dwrite(w, 2, "Image ID:\t%s\n", str(st, "imageID"));
        struct sk_buf pb = {0}, hb = {0};
        ports_text(sk_map_get(c, "ports"), "containerPort", &pb);
        ports_text(sk_map_get(c, "ports"), "hostPort", &hb);
        if (strchr(pb.p, ','))
            dwrite(w, 2, "Ports:\t%s\n", pb.p);
        else
            dwrite(w, 2, "Port:\t%s\n", *pb.p ? pb.p : "<none>");
        if (strchr(hb.p, ','))
            dwrite(w, 2, "Host Ports:\t%s\n", hb.p);
        else
            dwrite(w, 2, "Host Port:\t%s\n", *hb.p ? hb.p : "<none>");
        sk_buf_free(&pb);
        sk_buf_free(&hb);
        static const char *const cmds[] = {"command", "Command", "args", "Args"};
        for (int k = 0; k < 4; k += 2) {
            const struct sk_val *a = sk_map_get(c, cmds[k]);
            if (!sk_arr_len(a)) continue;
            dwrite(w, 2, "%s:\n", cmds[k + 1]);
            for (size_t j = 0; j < sk_arr_len(a); j++) {
                const char *s = sk_val_cstr(sk_arr_get(a, j));
                for (const char *p = s ? s : "";;) {
                    const char *nl = strchr(p, '\n');
                    dwrite(w, 3, "%.*s\n", (int)(nl ? nl - p : (long)strlen(p)), p);
                    if (!nl) break;
                    p = nl + 1;
                }
            }
        }
        if (st) {
            container_state(w, "State", sk_map_get(st, "state"));
            if (has(st, "lastState.terminated"))
                container_state(w, "Last State", sk_map_get(st, "lastState"));
            dwrite(w, 2, "Ready:\t%s\n",
                   sk_val_to_bool(sk_map_get(st, "ready"), false) ? "True" : "False");
            dwrite(w, 2, "Restart Count:\t%lld\n", num(st, "restartCount"));
        }
        resources(w, sk_map_get(c, "resources"), 2);
        static const char *const probes[] = {"livenessProbe", "Liveness",     "readinessProbe",
                                             "Readiness",     "startupProbe", "Startup"};
        for (int k = 0; k < 6; k += 2) {
            const struct sk_val *p = sk_map_get(c, probes[k]);
            if (!p || p->type != SK_V_MAP) continue;
            char *t = probe_text(p);
            dwrite(w, 2, "%s:\t%s\n", probes[k + 1], t);
            free(t);
        }
        const struct sk_val *ef = sk_map_get(c, "envFrom");
        if (sk_arr_len(ef)) {
            dwrite(w, 2, "Environment Variables from:\n");
            for (size_t j = 0; j < sk_arr_len(ef); j++) {
                const struct sk_val *e = sk_arr_get(ef, j);
                bool cm = has(e, "configMapRef");
                const char *nm = str(e, cm ? "configMapRef.name" : "secretRef.name");
                bool opt = sk_val_to_bool(
                        sk_val_path(e, cm ? "configMapRef.optional" : "secretRef.optional"), false);
                if (*str(e, "prefix"))
                    dwrite(w, 3, "%s\t%s with prefix '%s'\tOptional: %s\n", nm,
                           cm ? "ConfigMap" : "Secret", str(e, "prefix"), opt ? "true" : "false");
                else
                    dwrite(w, 3, "%s\t%s\tOptional: %s\n", nm, cm ? "ConfigMap" : "Secret",
                           opt ? "true" : "false");
            }
        }
        const struct sk_val *env = sk_map_get(c, "env");
        dwrite(w, 2, "Environment:%s\n", sk_arr_len(env) ? "" : "\t<none>");
        for (size_t j = 0; j < sk_arr_len(env); j++) {
            const struct sk_val *e = sk_arr_get(env, j);
            const char *en = str(e, "name");
            if (!has(e, "valueFrom")) {
                const char *v = str(e, "value");
                bool first = true;
                for (const char *p = v;;) {
                    const char *nl = strchr(p, '\n');
                    int l = (int)(nl ? nl - p : (long)strlen(p));
                    if (first)
                        dwrite(w, 3, "%s:\t%.*s\n", en, l, p);
                    else
                        dwrite(w, 3, "\t%.*s\n", l, p);
                    first = false;
                    if (!nl) break;
                    p = nl + 1;
                }
            } else if (has(e, "valueFrom.fieldRef")) {
                dwrite(w, 3, "%s:\t (%s:%s)\n", en, str(e, "valueFrom.fieldRef.apiVersion"),
                       str(e, "valueFrom.fieldRef.fieldPath"));
            } else if (has(e, "valueFrom.resourceFieldRef")) {
                dwrite(w, 3, "%s:\t (%s)\n", en, str(e, "valueFrom.resourceFieldRef.resource"));
            } else if (has(e, "valueFrom.secretKeyRef")) {
                dwrite(w, 3, "%s:\t<set to the key '%s' in secret '%s'>\tOptional: %s\n", en,
                       str(e, "valueFrom.secretKeyRef.key"), str(e, "valueFrom.secretKeyRef.name"),
                       sk_val_to_bool(sk_val_path(e, "valueFrom.secretKeyRef.optional"), false)
                               ? "true"
                               : "false");
            } else if (has(e, "valueFrom.configMapKeyRef")) {
                dwrite(w, 3, "%s:\t<set to the key '%s' of config map '%s'>\tOptional: %s\n", en,
                       str(e, "valueFrom.configMapKeyRef.key"),
                       str(e, "valueFrom.configMapKeyRef.name"),
                       sk_val_to_bool(sk_val_path(e, "valueFrom.configMapKeyRef.optional"), false)
                               ? "true"
                               : "false");
            }
        }
        const struct sk_val *vm = sk_map_get(c, "volumeMounts");
        size_t nvm = sk_arr_len(vm);
        dwrite(w, 2, "Mounts:%s\n", nvm ? "" : "\t<none>");
        const struct sk_val **ms = sk_xcalloc(nvm + 1, sizeof(*ms));
        for (size_t j = 0; j < nvm; j++)
            ms[j] = sk_arr_get(vm, j);
        qsort(ms, nvm, sizeof(*ms), mount_cmp);
        for (size_t j = 0; j < nvm; j++) {
            bool ro = sk_val_to_bool(sk_map_get(ms[j], "readOnly"), false);
            if (*str(ms[j], "subPath"))
                dwrite(w, 3, "%s from %s (%s,path=\"%s\")\n", str(ms[j], "mountPath"),
                       str(ms[j], "name"), ro ? "ro" : "rw", str(ms[j], "subPath"));
            else
                dwrite(w, 3, "%s from %s (%s)\n", str(ms[j], "mountPath"), str(ms[j], "name"),
                       ro ? "ro" : "rw");
        }
        free(ms);
    }
}

static const char *optional_ptr(const struct sk_val *v)
{
    if (!v || v->type == SK_V_NULL) return "<nil>";
    return sk_val_to_bool(v, false) ? "0xc000000001" : "0xc000000000"; /* Go prints a pointer */
}

static void volumes(struct dw *w, const struct sk_val *vols, const char *space)
{
    if (!sk_arr_len(vols)) {
        dwrite(w, 0, "%sVolumes:\t<none>\n", space);
        return;
    }
    dwrite(w, 0, "%sVolumes:\n", space);
    for (size_t i = 0; i < sk_arr_len(vols); i++) {
        const struct sk_val *v = sk_arr_get(vols, i);
        dwrite(w, 1, "%s%s:\n", *space ? " " : "", str(v, "name"));
        if (has(v, "hostPath")) {
            dwrite(w, 2,
                   "Type:\tHostPath (bare host directory volume)\n    Path:\t%s\n    "
                   "HostPathType:\t%s\n",
                   str(v, "hostPath.path"),
                   *str(v, "hostPath.type") || has(v, "hostPath.type") ? str(v, "hostPath.type")
                                                                       : "<none>");
        } else if (has(v, "emptyDir")) {
            char *sl = has(v, "emptyDir.sizeLimit") ? scalar(sk_val_path(v, "emptyDir.sizeLimit"))
                                                    : sk_xstrdup("<unset>");
            dwrite(w, 2,
                   "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    "
                   "Medium:\t%s\n    SizeLimit:\t%s\n",
                   str(v, "emptyDir.medium"), sl);
            free(sl);
        } else if (has(v, "secret")) {
            dwrite(w, 2,
                   "Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t%s\n    "
                   "Optional:\t%s\n",
                   str(v, "secret.secretName"),
                   sk_val_to_bool(sk_val_path(v, "secret.optional"), false) ? "true" : "false");
        } else if (has(v, "configMap")) {
            dwrite(w, 2,
                   "Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t%s\n    "
                   "Optional:\t%s\n",
                   str(v, "configMap.name"),
                   sk_val_to_bool(sk_val_path(v, "configMap.optional"), false) ? "true" : "false");
        } else if (has(v, "persistentVolumeClaim")) {
            dwrite(w, 2,
                   "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the "
                   "same namespace)\n    ClaimName:\t%s\n    ReadOnly:\t%s\n",
                   str(v, "persistentVolumeClaim.claimName"),
                   sk_val_to_bool(sk_val_path(v, "persistentVolumeClaim.readOnly"), false)
                           ? "true"
                           : "false");
        } else if (has(v, "projected")) {
            dwrite(w, 2,
                   "Type:\tProjected (a volume that contains injected data from multiple "
                   "sources)\n");
            const struct sk_val *srcs = sk_val_path(v, "projected.sources");
            for (size_t j = 0; j < sk_arr_len(srcs); j++) {
                const struct sk_val *s = sk_arr_get(srcs, j);
                if (has(s, "secret"))
                    dwrite(w, 2, "SecretName:\t%s\n    SecretOptionalName:\t%s\n",
                           str(s, "secret.name"), optional_ptr(sk_val_path(s, "secret.optional")));
                else if (has(s, "downwardAPI"))
                    dwrite(w, 2, "DownwardAPI:\ttrue\n");
                else if (has(s, "configMap"))
                    dwrite(w, 2, "ConfigMapName:\t%s\n    ConfigMapOptional:\t%s\n",
                           str(s, "configMap.name"),
                           optional_ptr(sk_val_path(s, "configMap.optional")));
                else if (has(s, "serviceAccountToken"))
                    dwrite(w, 2, "TokenExpirationSeconds:\t%lld\n",
                           num(s, "serviceAccountToken.expirationSeconds"));
            }
        } else {
            dwrite(w, 1, "<unknown>\n");
        }
    }
}

static int tol_cmp(const void *a, const void *b)
{
    return strcmp(str(*(const struct sk_val *const *)a, "key"),
                  str(*(const struct sk_val *const *)b, "key"));
}

static void tolerations(struct dw *w, const char *indent, const char *title, const struct sk_val *t)
{
    dwrite(w, 0, "%s%s:\t", indent, title);
    size_t n = sk_arr_len(t);
    if (!n) {
        dwrite(w, 0, "<none>\n");
        return;
    }
    const struct sk_val **v = sk_xcalloc(n, sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = sk_arr_get(t, i);
    qsort(v, n, sizeof(*v), tol_cmp);
    for (size_t i = 0; i < n; i++) {
        if (i) dwrite(w, 0, "%s\t", indent);
        const char *k = str(v[i], "key"), *val = str(v[i], "value"), *eff = str(v[i], "effect");
        dwrite(w, 0, "%s", k);
        if (*val) dwrite(w, 0, "=%s", val);
        if (*eff) dwrite(w, 0, ":%s", eff);
        if (!strcmp(str(v[i], "operator"), "Exists") && !*val)
            dwrite(w, 0, "%s", *k || *eff ? " op=Exists" : "op=Exists");
        if (has(v[i], "tolerationSeconds"))
            dwrite(w, 0, " for %llds", num(v[i], "tolerationSeconds"));
        dwrite(w, 0, "\n");
    }
    free(v);
}

void pod_template(struct dw *w, const struct sk_val *tpl)
{
    dwrite(w, 0, "Pod Template:\n");
    labels_multi(w, "", "  Labels", "\t", sk_val_path(tpl, "metadata.labels"));
    const struct sk_val *ann = sk_val_path(tpl, "metadata.annotations");
    if (ann && sk_map_len(ann)) annotations_multi(w, "  Annotations", ann);
    const struct sk_val *spec = sk_map_get(tpl, "spec");
    if (*str(spec, "serviceAccountName"))
        dwrite(w, 1, "Service Account:\t%s\n", str(spec, "serviceAccountName"));
    if (sk_arr_len(sk_map_get(spec, "initContainers")))
        containers(w, "Init Containers", sk_map_get(spec, "initContainers"), NULL, "  ");
    containers(w, "Containers", sk_map_get(spec, "containers"), NULL, "  ");
    volumes(w, sk_map_get(spec, "volumes"), "  ");
    if (*str(spec, "priorityClassName"))
        dwrite(w, 1, "Priority Class Name:\t%s\n", str(spec, "priorityClassName"));
    labels_multi(w, "", "  Node-Selectors", "\t", sk_map_get(spec, "nodeSelector"));
    tolerations(w, "", "  Tolerations", sk_map_get(spec, "tolerations"));
}

void conditions3(struct dw *w, const struct sk_val *obj)
{
    const struct sk_val *conds = sk_val_path(obj, "status.conditions");
    if (!sk_arr_len(conds)) return;
    dwrite(w, 0, "Conditions:\n  Type\tStatus\tReason\n");
    dwrite(w, 1, "----\t------\t------\n");
    for (size_t i = 0; i < sk_arr_len(conds); i++) {
        const struct sk_val *c = sk_arr_get(conds, i);
        dwrite(w, 1, "%s \t%s\t%s\n", str(c, "type"), str(c, "status"), str(c, "reason"));
    }
}

/* ---- events ---- */

static int ev_cmp(const void *a, const void *b)
{
    const struct sk_val *x = *(const struct sk_val *const *)a,
                        *y = *(const struct sk_val *const *)b;
    time_t tx = 0, ty = 0;
    parse_time(str(x, "lastTimestamp"), &tx);
    parse_time(str(y, "lastTimestamp"), &ty);
    return tx < ty ? -1 : tx > ty;
}

static void events(struct dw *w, const struct sk_val *evs)
{
    size_t n = sk_arr_len(evs);
    if (!n) {
        dwrite(w, 0, "Events:\t<none>\n");
        return;
    }
    dflush(w);
    const struct sk_val **v = sk_xcalloc(n, sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = sk_arr_get(evs, i);
    qsort(v, n, sizeof(*v), ev_cmp);
    dwrite(w, 0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n");
    dwrite(w, 1, "----\t------\t----\t----\t-------\n");
    for (size_t i = 0; i < n; i++) {
        const struct sk_val *e = v[i];
        char *first = *str(e, "eventTime") ? since(w, str(e, "eventTime"))
                                           : since(w, str(e, "firstTimestamp"));
        char *interval;
        if (has(e, "series")) {
            char *last = since(w, str(e, "series.lastObservedTime"));
            interval = sk_xasprintf("%s (x%lld over %s)", last, num(e, "series.count"), first);
            free(last);
        } else if (num(e, "count") > 1) {
            char *last = since(w, str(e, "lastTimestamp"));
            interval = sk_xasprintf("%s (x%lld over %s)", last, num(e, "count"), first);
            free(last);
        } else {
            interval = sk_xstrdup(first);
        }
        const char *src = *str(e, "source.component") ? str(e, "source.component")
                                                      : str(e, "reportingComponent");
        const char *msg = str(e, "message");
        while (*msg == ' ' || *msg == '\n' || *msg == '\t')
            msg++;
        size_t ml = strlen(msg);
        while (ml && strchr(" \n\t\r", msg[ml - 1]))
            ml--;
        dwrite(w, 1, "%s\t%s\t%s\t%s\t%.*s\n", str(e, "type"), str(e, "reason"), interval, src,
               (int)ml, msg);
        free(first);
        free(interval);
    }
    free(v);
}

/* The events whose involvedObject.uid is obj's. */
static struct sk_val *fetch_events(struct sk_cli *c, const struct sk_val *obj)
{
    const struct sk_kind *ek = sk_kind_by_resource("", "v1", "events");
    const char *ns = sk_obj_namespace(obj);
    char *path = sk_cli_path(ek, ns && *ns ? ns : NULL, NULL, NULL, NULL);
    struct sk_kresp r;
    struct sk_val *out = sk_val_arr();
    if (!sk_cli_request(c, "GET", path, NULL, NULL, 0, NULL, &r)) {
        struct sk_val *list = NULL;
        if (r.status == 200 && !sk_json_parse(r.body, r.body_len, &list, NULL)) {
            const char *uid = sk_val_str_at(obj, "metadata", "uid", NULL);
            struct sk_val *items = sk_map_get(list, "items");
            for (size_t i = 0; uid && i < sk_arr_len(items); i++) {
                struct sk_val *e = sk_arr_get(items, i);
                if (!strcmp(str(e, "involvedObject.uid"), uid)) sk_arr_push(out, sk_val_dup(e));
            }
        }
        sk_val_free(list);
        sk_kresp_free(&r);
    }
    free(path);
    return out;
}

/* ---- describers ---- */

void header(struct dw *w, const struct sk_val *o, bool ns)
{
    dwrite(w, 0, "Name:\t%s\n", str(o, "metadata.name"));
    if (ns) dwrite(w, 0, "Namespace:\t%s\n", str(o, "metadata.namespace"));
}

static void describe_pod(struct sk_cli *c, struct dw *w, const struct sk_val *o)
{
    (void)c;
    const struct sk_val *spec = sk_map_get(o, "spec"), *st = sk_map_get(o, "status");
    header(w, o, true);
    if (has(spec, "priority")) dwrite(w, 0, "Priority:\t%lld\n", num(spec, "priority"));
    if (*str(spec, "priorityClassName"))
        dwrite(w, 0, "Priority Class Name:\t%s\n", str(spec, "priorityClassName"));
    if (*str(spec, "runtimeClassName"))
        dwrite(w, 0, "Runtime Class Name:\t%s\n", str(spec, "runtimeClassName"));
    if (*str(spec, "serviceAccountName"))
        dwrite(w, 0, "Service Account:\t%s\n", str(spec, "serviceAccountName"));
    if (!*str(spec, "nodeName"))
        dwrite(w, 0, "Node:\t<none>\n");
    else
        dwrite(w, 0, "Node:\t%s/%s\n", str(spec, "nodeName"), str(st, "hostIP"));
    if (has(st, "startTime")) {
        char *t = rfc1123z(str(st, "startTime"));
        dwrite(w, 0, "Start Time:\t%s\n", t);
        free(t);
    }
    labels_multi(w, "", "Labels", "\t", sk_val_path(o, "metadata.labels"));
    annotations_multi(w, "Annotations", sk_val_path(o, "metadata.annotations"));
    const char *phase = str(st, "phase");
    if (has(o, "metadata.deletionTimestamp") && strcmp(phase, "Failed") &&
        strcmp(phase, "Succeeded")) {
        char *s = since(w, str(o, "metadata.deletionTimestamp"));
        dwrite(w, 0, "Status:\tTerminating (lasts %s)\n", s);
        dwrite(w, 0, "Termination Grace Period:\t%llds\n",
               num(o, "metadata.deletionGracePeriodSeconds"));
        free(s);
    } else {
        dwrite(w, 0, "Status:\t%s\n", phase);
    }
    if (*str(st, "reason")) dwrite(w, 0, "Reason:\t%s\n", str(st, "reason"));
    if (*str(st, "message")) dwrite(w, 0, "Message:\t%s\n", str(st, "message"));
    if (has(spec, "securityContext.seccompProfile"))
        dwrite(w, 0, "SeccompProfile:\t%s\n", str(spec, "securityContext.seccompProfile.type"));
    dwrite(w, 0, "IP:\t%s\n", str(st, "podIP"));
    const struct sk_val *ips = sk_map_get(st, "podIPs");
    if (!sk_arr_len(ips)) {
        dwrite(w, 0, "IPs:\t<none>\n");
    } else {
        dwrite(w, 0, "IPs:\n");
        for (size_t i = 0; i < sk_arr_len(ips); i++)
            dwrite(w, 1, "IP:\t%s\n", str(sk_arr_get(ips, i), "ip"));
    }
    controlled_by(w, o);
    if (*str(st, "nominatedNodeName"))
        dwrite(w, 0, "NominatedNodeName:\t%s\n", str(st, "nominatedNodeName"));
    if (sk_arr_len(sk_map_get(spec, "initContainers")))
        containers(w, "Init Containers", sk_map_get(spec, "initContainers"),
                   sk_map_get(st, "initContainerStatuses"), "");
    containers(w, "Containers", sk_map_get(spec, "containers"), sk_map_get(st, "containerStatuses"),
               "");
    const struct sk_val *rg = sk_map_get(spec, "readinessGates");
    if (sk_arr_len(rg)) {
        dwrite(w, 0, "Readiness Gates:\n  Type\tStatus\n");
        for (size_t i = 0; i < sk_arr_len(rg); i++) {
            const char *t = str(sk_arr_get(rg, i), "conditionType");
            const char *s = "<none>";
            const struct sk_val *cs = sk_map_get(st, "conditions");
            for (size_t j = 0; j < sk_arr_len(cs); j++)
                if (!strcmp(str(sk_arr_get(cs, j), "type"), t))
                    s = str(sk_arr_get(cs, j), "status");
            dwrite(w, 1, "%s \t%s \n", t, s);
        }
    }
    const struct sk_val *conds = sk_map_get(st, "conditions");
    if (sk_arr_len(conds)) {
        dwrite(w, 0, "Conditions:\n  Type\tStatus\n");
        for (size_t i = 0; i < sk_arr_len(conds); i++)
            dwrite(w, 1, "%s \t%s \n", str(sk_arr_get(conds, i), "type"),
                   str(sk_arr_get(conds, i), "status"));
    }
    volumes(w, sk_map_get(spec, "volumes"), "");
    dwrite(w, 0, "QoS Class:\t%s\n", str(st, "qosClass"));
    labels_multi(w, "", "Node-Selectors", "\t", sk_map_get(spec, "nodeSelector"));
    tolerations(w, "", "Tolerations", sk_map_get(spec, "tolerations"));
}

typedef void (*describer_fn)(struct sk_cli *c, struct dw *w, const struct sk_val *o);

static describer_fn describer_for(const struct sk_kind *k)
{
    static const struct {
        const char *group, *plural;
        describer_fn fn;
    } t[] = {
            {"", "pods", describe_pod},
            {"apps", "deployments", describe_deployment},
            {"apps", "replicasets", describe_replicaset},
            {"", "services", describe_service},
            {"batch", "jobs", describe_job},
            {"", "configmaps", describe_configmap},
            {"", "nodes", describe_node},
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (!strcmp(k->group, t[i].group) && !strcmp(k->plural, t[i].plural)) return t[i].fn;
    return describe_generic;
}

/* One object's description, kubectl's text, into out. */
static void describe_one(struct sk_cli *c, const struct sk_kind *k, const struct sk_val *o,
                         bool show_events, struct sk_buf *out)
{
    struct dw w = {.now = (int64_t)time(NULL)};
    describer_for(k)(c, &w, o);
    if (show_events) {
        struct sk_val *evs = fetch_events(c, o);
        events(&w, evs);
        sk_val_free(evs);
    }
    dflush(&w);
    sk_buf_append(out, w.out.p ? w.out.p : "", w.out.len);
    sk_buf_free(&w.seg);
    sk_buf_free(&w.out);
}

/* ---- the verb ---- */

static const struct sk_cli_flag describe_flags[] = {
        {"all-namespaces", 'A', SK_FLAG_BOOL, "false",
         "If present, list the requested object(s) across all namespaces. Namespace in current "
         "context is ignored even if specified with --namespace."},
        {"filename", 'f', SK_FLAG_STRINGS, "[]",
         "Filename, directory, or URL to files containing the resource to describe"},
        {"recursive", 'R', SK_FLAG_BOOL, "false",
         "Process the directory used in -f, --filename recursively. Useful when you want to "
         "manage related manifests organized within the same directory."},
        {"selector", 'l', SK_FLAG_STRING, "",
         "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l "
         "key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the "
         "specified label constraints."},
        {"show-events", 0, SK_FLAG_BOOL, "true",
         "If true, display events related to the described object."},
        {0},
};

static int list_objs(struct sk_cli *c, const struct sk_kind *k, const char *ns, const char *sel,
                     struct sk_val **list)
{
    char *q = NULL;
    if (sel && *sel) {
        char *e = sk_kclient_escape(sel);
        q = sk_xasprintf("labelSelector=%s", e);
        free(e);
    }
    char *path = sk_cli_path(k, ns, NULL, NULL, q);
    int rc = sk_cli_get_json(c, path, list);
    free(path);
    free(q);
    return rc;
}

static int describe_run(struct sk_cli *c)
{
    bool all_ns = sk_cli_bool(c, "all-namespaces");
    bool show_events = sk_cli_bool(c, "show-events");
    const char *sel = sk_cli_str(c, "selector");
    const char *ns = sk_cli_namespace(c);
    struct sk_cli_targets ts;
    const struct sk_strv *files = sk_cli_strs(c, "filename");
    int rc;
    if (files->n) {
        struct sk_cli_docs docs;
        rc = sk_cli_read_docs(c, files, sk_cli_bool(c, "recursive"), &docs);
        if (rc) return rc;
        memset(&ts, 0, sizeof(ts));
        for (size_t i = 0; i < docs.n && !rc; i++) {
            const struct sk_kind *k;
            rc = sk_cli_doc_kind(c, &docs.v[i], &k);
            if (rc) break;
            ts.v = sk_xrealloc(ts.v, (ts.n + 1) * sizeof(*ts.v));
            ts.v[ts.n].kind = k;
            ts.v[ts.n++].name =
                    sk_xstrdup(sk_obj_name(docs.v[i].obj) ? sk_obj_name(docs.v[i].obj) : "");
        }
        sk_cli_docs_free(&docs);
        if (rc) {
            sk_cli_targets_free(&ts);
            return rc;
        }
    } else {
        if (!c->nargs) {
            fprintf(c->err, "You must specify the type of resource to describe. Use \"skiff "
                            "api-resources\" for a complete list of supported resources.\n");
            return 1;
        }
        rc = sk_cli_targets(c, c->args, c->nargs, &ts);
        if (rc) return rc;
    }
    struct sk_buf out = {0};
    size_t described = 0;
    int final = 0;
    bool prefix_mode = false;
    for (size_t i = 0; i < ts.n; i++) {
        const struct sk_kind *k = ts.v[i].kind;
        const char *lns = all_ns ? NULL : ns;
        struct sk_val *list = NULL;
        struct sk_val *items = NULL;
        if (ts.v[i].name) {
            char *path = sk_cli_path(k, ns, ts.v[i].name, NULL, NULL);
            struct sk_kresp r;
            rc = sk_cli_request(c, "GET", path, NULL, NULL, 0, NULL, &r);
            free(path);
            if (rc) {
                final = 1;
                break;
            }
            struct sk_val *one = NULL;
            if (r.status == 200 && !sk_json_parse(r.body, r.body_len, &one, NULL)) {
                items = sk_val_arr();
                sk_arr_push(items, one);
            } else if (r.status == 404 && !ts.typed_names && c->nargs == 2) {
                prefix_mode = true;
                /* kubectl describe takes a name prefix when no exact name exists */
                if (!list_objs(c, k, ns, NULL, &list)) {
                    items = sk_val_arr();
                    struct sk_val *all = sk_map_get(list, "items");
                    size_t pl = strlen(ts.v[i].name);
                    for (size_t j = 0; j < sk_arr_len(all); j++) {
                        const char *nm = sk_obj_name(sk_arr_get(all, j));
                        if (nm && !strncmp(nm, ts.v[i].name, pl))
                            sk_arr_push(items, sk_val_dup(sk_arr_get(all, j)));
                    }
                    if (!sk_arr_len(items)) {
                        sk_cli_fail_resp(c, &r);
                        final = 1;
                    }
                }
            } else {
                sk_cli_fail_resp(c, &r);
                final = 1;
            }
            sk_kresp_free(&r);
        } else {
            if (list_objs(c, k, lns, sel, &list)) {
                final = 1;
                continue;
            }
            items = sk_val_dup(sk_map_get(list, "items"));
        }
        for (size_t j = 0; j < sk_arr_len(items); j++) {
            /* kubectl: objects apart by a blank line; prefix matches each
             * end with one */
            if (described++ && !prefix_mode) sk_buf_puts(&out, "\n\n");
            describe_one(c, k, sk_arr_get(items, j), show_events, &out);
            if (prefix_mode) sk_buf_putc(&out, '\n');
        }
        sk_val_free(items);
        sk_val_free(list);
    }
    fwrite(out.p ? out.p : "", 1, out.len, c->out);
    sk_buf_free(&out);
    if (!described && !final) {
        if (all_ns)
            fprintf(c->err, "No resources found\n");
        else
            fprintf(c->err, "No resources found in %s namespace.\n", ns);
    }
    sk_cli_targets_free(&ts);
    return final;
}

const struct sk_cli_verb sk_cli_verb_describe = {
        .name = "describe",
        .short_help = "Show details of a specific resource or group of resources",
        .long_help =
                "Show details of a specific resource or group of resources.\n\n"
                " Print a detailed description of the selected resources, including related "
                "resources such as events or controllers. You may select a single object by "
                "name, all objects of that type, provide a name prefix, or label selector. For "
                "example:\n\n"
                "        $ skiff describe TYPE NAME_PREFIX\n\n"
                " will first check for an exact match on TYPE and NAME_PREFIX. If no such "
                "resource exists, it will output details for every resource that has a name "
                "prefixed with NAME_PREFIX.\n\n"
                "Use \"skiff api-resources\" for a complete list of supported resources.",
        .usage = "skiff describe (-f FILENAME | TYPE [NAME_PREFIX | -l label] | TYPE/NAME) "
                 "[flags] [options]",
        .examples =
                "  # Describe a node\n  skiff describe nodes node-a\n\n"
                "  # Describe a pod\n  skiff describe pods/nginx\n\n"
                "  # Describe a pod identified by type and name in \"pod.json\"\n"
                "  skiff describe -f pod.json\n\n"
                "  # Describe all pods\n  skiff describe pods\n\n"
                "  # Describe pods by label name=myLabel\n  skiff describe pods -l name=myLabel",
        .flags = describe_flags,
        .run = describe_run,
};
