/* Pod and container specs to OCI terms: arguments, environment, user,
 * QoS class, cgroup values. The config.json writer is in spec_oci.c.
 * Pure functions (see spec.h). */
#include "spec.h"

#include "mem.h"
#include "quantity.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rt_fmt(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, n, fmt, ap);
    va_end(ap);
}

char *rt_expand(const char *in, const struct sk_val *vars)
{
    struct sk_buf b = {0};
    size_t n = strlen(in);
    for (size_t i = 0; i < n;) {
        if (in[i] != '$' || i + 1 >= n) {
            sk_buf_putc(&b, in[i++]);
            continue;
        }
        char c = in[i + 1];
        if (c == '$') { /* escaped */
            sk_buf_putc(&b, '$');
            i += 2;
        } else if (c == '(') {
            const char *close = strchr(in + i + 2, ')');
            if (!close) { /* incomplete reference: as written */
                sk_buf_puts(&b, in + i);
                break;
            }
            size_t nl = (size_t)(close - (in + i + 2));
            char *name = sk_xstrndup(in + i + 2, nl);
            const char *v = sk_val_cstr(sk_map_get(vars, name));
            if (v)
                sk_buf_puts(&b, v);
            else
                sk_buf_printf(&b, "$(%s)", name);
            free(name);
            i += nl + 3;
        } else {
            sk_buf_putc(&b, '$');
            sk_buf_putc(&b, c);
            i += 2;
        }
    }
    if (!b.p) sk_buf_reserve(&b, 1);
    return sk_buf_take(&b, NULL);
}

static void push_strs(struct sk_val *out, const struct sk_val *list, const struct sk_val *vars)
{
    for (size_t i = 0; i < sk_arr_len(list); i++) {
        const char *s = sk_val_cstr(sk_arr_get(list, i));
        if (!s) continue;
        if (vars) {
            char *e = rt_expand(s, vars);
            sk_arr_push(out, sk_val_str(e));
            free(e);
        } else {
            sk_arr_push(out, sk_val_str(s));
        }
    }
}

struct sk_val *rt_spec_args(const struct sk_val *ctr, const struct sk_val *imgcfg,
                            const struct sk_val *vars)
{
    const struct sk_val *cmd = sk_map_get(ctr, "command");
    const struct sk_val *args = sk_map_get(ctr, "args");
    const struct sk_val *ep = sk_map_get(imgcfg, "Entrypoint");
    const struct sk_val *icmd = sk_map_get(imgcfg, "Cmd");
    struct sk_val *out = sk_val_arr();
    if (sk_arr_len(cmd)) {
        push_strs(out, cmd, vars);
        push_strs(out, args, vars);
    } else if (sk_arr_len(args)) {
        push_strs(out, ep, NULL);
        push_strs(out, args, vars);
    } else {
        push_strs(out, ep, NULL);
        push_strs(out, icmd, NULL);
    }
    return out;
}

/* A C_IDENTIFIER-like env name as the API accepts it (printable, no '='). */
static bool env_name_ok(const char *n)
{
    if (!*n) return false;
    if (!strcmp(n, ".") || !strcmp(n, "..") || !strncmp(n, "..", 2)) return false;
    for (const char *c = n; *c; c++)
        if (!isprint((unsigned char)*c) || *c == '=') return false;
    return true;
}

static int64_t base64_decode(const char *in, char *out)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint32_t acc = 0;
    int bits = 0;
    int64_t n = 0;
    for (const char *p = in; *p && *p != '='; p++) {
        const char *k = strchr(tbl, *p);
        if (!k || !*p) return -1;
        acc = (acc << 6) | (uint32_t)(k - tbl);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (char)((acc >> bits) & 0xff);
        }
    }
    out[n] = 0;
    return n;
}

/* A data value of a ConfigMap (string) or Secret (base64), new string or
 * NULL when key is absent. */
static char *data_value(const struct sk_val *obj, bool secret, const char *key)
{
    const struct sk_val *v = sk_val_at(obj, "data", key, NULL);
    if (secret) {
        const char *sv = sk_val_cstr(v);
        if (sv) {
            char *out = sk_xmalloc(strlen(sv) + 1);
            if (base64_decode(sv, out) < 0) {
                free(out);
                return NULL;
            }
            return out;
        }
        sv = sk_val_str_at(obj, "stringData", key, NULL);
        return sv ? sk_xstrdup(sv) : NULL;
    }
    const char *s = sk_val_cstr(v);
    return s ? sk_xstrdup(s) : NULL;
}

/* metadata.labels['k'] style: the key inside ['...'] or ["..."]. */
static char *bracket_key(const char *path, const char *prefix)
{
    size_t pl = strlen(prefix);
    if (strncmp(path, prefix, pl) || (path[pl] != '\'' && path[pl] != '"')) return NULL;
    char q = path[pl];
    const char *k = path + pl + 1;
    const char *e = strchr(k, q);
    if (!e || strcmp(e + 1, "]")) return NULL;
    return sk_xstrndup(k, (size_t)(e - k));
}

static char *field_value(const struct sk_val *pod, const char *path, const struct rt_env_node *node)
{
    if (!strcmp(path, "metadata.name")) return sk_xstrdup(sk_obj_name(pod) ? sk_obj_name(pod) : "");
    if (!strcmp(path, "metadata.namespace"))
        return sk_xstrdup(sk_obj_namespace(pod) ? sk_obj_namespace(pod) : "");
    if (!strcmp(path, "metadata.uid")) {
        const char *u = sk_val_str_at(pod, "metadata", "uid", NULL);
        return sk_xstrdup(u ? u : "");
    }
    if (!strcmp(path, "spec.nodeName") || !strcmp(path, "spec.serviceAccountName")) {
        const struct sk_val *v = sk_val_path(pod, path);
        return sk_xstrdup(sk_val_cstr(v) ? sk_val_cstr(v) : "");
    }
    if (!strcmp(path, "status.hostIP") || !strcmp(path, "status.hostIPs"))
        return sk_xstrdup(node->host_ip ? node->host_ip : "");
    if (!strcmp(path, "status.podIP") || !strcmp(path, "status.podIPs"))
        return sk_xstrdup(node->pod_ip ? node->pod_ip : "");
    char *k;
    if ((k = bracket_key(path, "metadata.labels[")) ||
        (k = bracket_key(path, "metadata.annotations["))) {
        bool lab = !strncmp(path, "metadata.labels", 15);
        const char *v = lab ? sk_obj_label(pod, k) : sk_obj_annotation(pod, k);
        free(k);
        return sk_xstrdup(v ? v : "");
    }
    if (!strcmp(path, "metadata.labels") || !strcmp(path, "metadata.annotations")) {
        const struct sk_val *m = sk_val_path(pod, path);
        struct sk_buf b = {0};
        for (size_t i = 0; i < sk_map_len(m); i++) {
            const char *v = sk_val_cstr(m->u.m.kv[i].val);
            sk_buf_printf(&b, "%s%s=\"%s\"", i ? "\n" : "", m->u.m.kv[i].key, v ? v : "");
        }
        if (!b.p) sk_buf_reserve(&b, 1);
        return sk_buf_take(&b, NULL);
    }
    return NULL;
}

static int64_t qty_milli(const struct sk_val *v, bool *ok)
{
    struct sk_quantity q;
    *ok = false;
    if (!v) return 0;
    if (sk_quantity_from_val(v, &q, NULL, NULL)) return 0;
    *ok = true;
    return sk_quantity_milli_value(&q);
}

static int64_t qty_value(const struct sk_val *v, bool *ok)
{
    struct sk_quantity q;
    *ok = false;
    if (!v) return 0;
    if (sk_quantity_from_val(v, &q, NULL, NULL)) return 0;
    *ok = true;
    return sk_quantity_value(&q);
}

/* resourceFieldRef: ceil(value / divisor), the node's allocatable when the
 * container has no limit (as the kubelet does). */
static char *resource_value(const struct sk_val *ctr, const struct sk_val *ref,
                            const struct rt_env_node *node, char *msg, size_t msglen)
{
    const char *res = sk_val_str_at(ref, "resource", NULL);
    if (!res) {
        RT_SNPRINTF(msg, msglen, "resourceFieldRef: resource is required");
        return NULL;
    }
    bool ok, dok;
    const struct sk_val *dv = sk_map_get(ref, "divisor");
    bool cpu = strstr(res, "cpu") != NULL;
    const char *dot = strchr(res, '.');
    const char *kind = dot ? dot + 1 : res;
    const char *where = !strncmp(res, "requests.", 9) ? "requests" : "limits";
    const struct sk_val *qv = sk_val_at(ctr, "resources", where, kind, NULL);
    if (cpu) {
        int64_t div = dv ? qty_milli(dv, &dok) : 1000;
        if (dv && (!dok || div <= 0)) div = 1000;
        int64_t m = qty_milli(qv, &ok);
        if (!ok) m = !strcmp(where, "requests") ? 0 : node->cpu_milli;
        int64_t v = (m + div - 1) / div;
        if (!strcmp(where, "requests") && !ok) v = 0;
        return sk_xasprintf("%lld", (long long)v);
    }
    if (strcmp(kind, "memory") && strcmp(kind, "ephemeral-storage")) {
        RT_SNPRINTF(msg, msglen, "unsupported container resource : %s", res);
        return NULL;
    }
    int64_t div = dv ? qty_value(dv, &dok) : 1;
    if (dv && (!dok || div <= 0)) div = 1;
    int64_t b = qty_value(qv, &ok);
    if (!ok) b = !strcmp(where, "requests") ? 0 : node->memory_bytes;
    return sk_xasprintf("%lld", (long long)((b + div - 1) / div));
}

int rt_spec_env(const struct sk_val *pod, const struct sk_val *ctr, const struct rt_env_node *node,
                rt_lookup_fn lookup, void *arg, struct sk_val **out, char *msg, size_t msglen)
{
    const char *ns = sk_obj_namespace(pod) ? sk_obj_namespace(pod) : "default";
    struct sk_val *env = sk_val_map();
    const struct sk_val *from = sk_map_get(ctr, "envFrom");
    for (size_t i = 0; i < sk_arr_len(from); i++) {
        const struct sk_val *f = sk_arr_get(from, i);
        const char *prefix = sk_val_str_at(f, "prefix", NULL);
        const struct sk_val *ref = sk_map_get(f, "configMapRef");
        bool secret = false;
        if (!ref) ref = sk_map_get(f, "secretRef"), secret = true;
        const char *name = sk_val_str_at(ref, "name", NULL);
        if (!ref || !name) continue;
        bool optional = sk_val_to_bool(sk_map_get(ref, "optional"), false);
        struct sk_val *obj = lookup(arg, secret ? "secrets" : "configmaps", ns, name);
        if (!obj) {
            if (optional) continue;
            RT_SNPRINTF(msg, msglen, "%s \"%s\" not found", secret ? "secret" : "configmap", name);
            sk_val_free(env);
            return -1;
        }
        const struct sk_val *data = sk_map_get(obj, "data");
        for (size_t k = 0; k < sk_map_len(data); k++) {
            const char *key = data->u.m.kv[k].key;
            char *full = sk_xasprintf("%s%s", prefix ? prefix : "", key);
            char *v = env_name_ok(full) ? data_value(obj, secret, key) : NULL;
            if (v) sk_map_set(env, full, sk_val_str(v));
            free(v);
            free(full);
        }
        sk_val_free(obj);
    }
    const struct sk_val *list = sk_map_get(ctr, "env");
    for (size_t i = 0; i < sk_arr_len(list); i++) {
        const struct sk_val *e = sk_arr_get(list, i);
        const char *name = sk_val_str_at(e, "name", NULL);
        if (!name) continue;
        const struct sk_val *vf = sk_map_get(e, "valueFrom");
        const char *value = sk_val_str_at(e, "value", NULL);
        char *v = NULL;
        if (!vf) {
            v = rt_expand(value ? value : "", env);
        } else if (sk_map_get(vf, "fieldRef")) {
            const char *path = sk_val_str_at(vf, "fieldRef", "fieldPath", NULL);
            v = path ? field_value(pod, path, node) : NULL;
            if (!v) {
                RT_SNPRINTF(msg, msglen, "unsupported fieldPath: %s", path ? path : "");
                sk_val_free(env);
                return -1;
            }
        } else if (sk_map_get(vf, "resourceFieldRef")) {
            v = resource_value(ctr, sk_map_get(vf, "resourceFieldRef"), node, msg, msglen);
            if (!v) {
                sk_val_free(env);
                return -1;
            }
        } else {
            const struct sk_val *ref = sk_map_get(vf, "configMapKeyRef");
            bool secret = false;
            if (!ref) ref = sk_map_get(vf, "secretKeyRef"), secret = true;
            const char *rn = sk_val_str_at(ref, "name", NULL);
            const char *key = sk_val_str_at(ref, "key", NULL);
            if (!ref || !rn || !key) continue;
            bool optional = sk_val_to_bool(sk_map_get(ref, "optional"), false);
            struct sk_val *obj = lookup(arg, secret ? "secrets" : "configmaps", ns, rn);
            if (!obj) {
                if (optional) continue;
                RT_SNPRINTF(msg, msglen, "%s \"%s\" not found", secret ? "secret" : "configmap",
                            rn);
                sk_val_free(env);
                return -1;
            }
            v = data_value(obj, secret, key);
            sk_val_free(obj);
            if (!v) {
                if (optional) continue;
                RT_SNPRINTF(msg, msglen, "couldn't find key %s in %s %s/%s", key,
                            secret ? "Secret" : "ConfigMap", ns, rn);
                sk_val_free(env);
                return -1;
            }
        }
        sk_map_set(env, name, sk_val_str(v));
        free(v);
    }
    *out = env;
    return 0;
}

/* "K=V" entries: set K (replacing in place) in an ordered map. */
static void env_put(struct sk_val *m, const char *kv)
{
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv) return;
    char *k = sk_xstrndup(kv, (size_t)(eq - kv));
    sk_map_set(m, k, sk_val_str(eq + 1));
    free(k);
}

struct sk_val *rt_spec_env_list(const struct sk_val *imgcfg, const struct sk_val *env,
                                const char *hostname)
{
    struct sk_val *m = sk_val_map();
    const struct sk_val *ie = sk_map_get(imgcfg, "Env");
    for (size_t i = 0; i < sk_arr_len(ie); i++) {
        const char *s = sk_val_cstr(sk_arr_get(ie, i));
        if (s) env_put(m, s);
    }
    if (!sk_map_get(m, "PATH"))
        sk_map_set(m, "PATH",
                   sk_val_str("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
    if (hostname) sk_map_set(m, "HOSTNAME", sk_val_str(hostname));
    for (size_t i = 0; i < sk_map_len(env); i++) {
        const char *v = sk_val_cstr(env->u.m.kv[i].val);
        sk_map_set(m, env->u.m.kv[i].key, sk_val_str(v ? v : ""));
    }
    struct sk_val *out = sk_val_arr();
    for (size_t i = 0; i < sk_map_len(m); i++)
        sk_arr_push(out, sk_val_strf("%s=%s", m->u.m.kv[i].key, sk_val_cstr(m->u.m.kv[i].val)));
    sk_val_free(m);
    return out;
}

/* Sum of cpu (milli) or memory (bytes) over a container list. */
struct qos_acc {
    int64_t req_cpu, req_mem, lim_cpu, lim_mem;
    bool any_req, any_lim, guaranteed;
};

static void qos_add(struct qos_acc *a, const struct sk_val *ctrs)
{
    for (size_t i = 0; i < sk_arr_len(ctrs); i++) {
        const struct sk_val *r = sk_map_get(sk_arr_get(ctrs, i), "resources");
        const struct sk_val *req = sk_map_get(r, "requests"), *lim = sk_map_get(r, "limits");
        bool ok;
        int64_t lc = qty_milli(sk_map_get(lim, "cpu"), &ok);
        bool has_lc = ok && lc > 0;
        int64_t lm = qty_value(sk_map_get(lim, "memory"), &ok);
        bool has_lm = ok && lm > 0;
        int64_t rc = qty_milli(sk_map_get(req, "cpu"), &ok);
        bool has_rc = ok && rc > 0;
        int64_t rm = qty_value(sk_map_get(req, "memory"), &ok);
        bool has_rm = ok && rm > 0;
        /* requests default to limits, as the API's defaulting does */
        if (!sk_map_get(req, "cpu") && has_lc) rc = lc, has_rc = true;
        if (!sk_map_get(req, "memory") && has_lm) rm = lm, has_rm = true;
        if (has_rc) a->req_cpu += rc, a->any_req = true;
        if (has_rm) a->req_mem += rm, a->any_req = true;
        if (has_lc) a->lim_cpu += lc, a->any_lim = true;
        if (has_lm) a->lim_mem += lm, a->any_lim = true;
        if (!has_lc || !has_lm) a->guaranteed = false;
    }
}

const char *rt_spec_qos(const struct sk_val *pod)
{
    struct qos_acc a = {.guaranteed = true};
    qos_add(&a, sk_val_at(pod, "spec", "initContainers", NULL));
    qos_add(&a, sk_val_at(pod, "spec", "containers", NULL));
    if (!a.any_req && !a.any_lim) return "BestEffort";
    if (a.guaranteed && a.req_cpu == a.lim_cpu && a.req_mem == a.lim_mem) return "Guaranteed";
    return "Burstable";
}

void rt_spec_resources(const struct sk_val *ctr, struct rt_res *out)
{
    const struct sk_val *r = sk_map_get(ctr, "resources");
    bool ok;
    int64_t lc = qty_milli(sk_val_at(r, "limits", "cpu", NULL), &ok);
    if (!ok) lc = 0;
    bool rok;
    int64_t rc = qty_milli(sk_val_at(r, "requests", "cpu", NULL), &rok);
    if (!rok) rc = lc;
    uint64_t shares = rc > 0 ? (uint64_t)rc * 1024 / 1000 : 2;
    if (shares < 2) shares = 2;
    out->shares = shares;
    out->period = 100000;
    out->quota = lc > 0 ? lc * 100000 / 1000 : 0;
    if (out->quota > 0 && out->quota < 1000) out->quota = 1000;
    int64_t lm = qty_value(sk_val_at(r, "limits", "memory", NULL), &ok);
    out->memory = ok && lm > 0 ? lm : 0;
}

/* ---- user ---- */

static bool all_digits(const char *s)
{
    if (!*s) return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s)) return false;
    return true;
}

/* Field `col` (0-based) of the line of an /etc/passwd-style file whose
 * field `match_col` equals key; copied into out. */
static bool db_lookup(const char *db, int match_col, const char *key, int col, char *out,
                      size_t outlen)
{
    if (!db) return false;
    for (const char *line = db; *line;) {
        const char *end = strchr(line, '\n');
        size_t ll = end ? (size_t)(end - line) : strlen(line);
        const char *f[8];
        size_t fl[8];
        int nf = 0;
        const char *p = line;
        while (nf < 8) {
            const char *c = memchr(p, ':', (size_t)(line + ll - p));
            f[nf] = p;
            fl[nf] = c ? (size_t)(c - p) : (size_t)(line + ll - p);
            nf++;
            if (!c) break;
            p = c + 1;
        }
        if (nf > match_col && nf > col && fl[match_col] == strlen(key) &&
            !memcmp(f[match_col], key, fl[match_col]) && fl[col] < outlen) {
            memcpy(out, f[col], fl[col]);
            out[fl[col]] = 0;
            return true;
        }
        line = end ? end + 1 : line + ll;
    }
    return false;
}

int rt_spec_user(const struct sk_val *pod, const struct sk_val *ctr, const char *image_user,
                 const char *passwd, const char *group, struct rt_user *out, char *msg,
                 size_t msglen)
{
    memset(out, 0, sizeof(*out));
    const struct sk_val *psc = sk_val_at(pod, "spec", "securityContext", NULL);
    const struct sk_val *csc = sk_map_get(ctr, "securityContext");
    char u[256] = "", g[256] = "";
    if (image_user && *image_user) {
        const char *c = strchr(image_user, ':');
        RT_SNPRINTF(u, sizeof(u), "%.*s", c ? (int)(c - image_user) : (int)strlen(image_user),
                    image_user);
        if (c) RT_SNPRINTF(g, sizeof(g), "%s", c + 1);
    }
    bool gid_set = false;
    if (*u) {
        if (all_digits(u)) {
            out->uid = (uid_t)strtoul(u, NULL, 10);
            char gs[32];
            char key[32];
            RT_SNPRINTF(key, sizeof(key), "%u", (unsigned)out->uid);
            if (db_lookup(passwd, 2, key, 3, gs, sizeof(gs)) && all_digits(gs))
                out->gid = (gid_t)strtoul(gs, NULL, 10);
        } else {
            char us[32], gs[32];
            if (!db_lookup(passwd, 0, u, 2, us, sizeof(us)) || !all_digits(us)) {
                RT_SNPRINTF(msg, msglen,
                            "unable to find user %s: no matching entries in passwd file", u);
                return -1;
            }
            out->uid = (uid_t)strtoul(us, NULL, 10);
            if (db_lookup(passwd, 0, u, 3, gs, sizeof(gs)) && all_digits(gs))
                out->gid = (gid_t)strtoul(gs, NULL, 10);
        }
    }
    if (*g) {
        if (all_digits(g)) {
            out->gid = (gid_t)strtoul(g, NULL, 10);
        } else {
            char gs[32];
            if (!db_lookup(group, 0, g, 2, gs, sizeof(gs)) || !all_digits(gs)) {
                RT_SNPRINTF(msg, msglen,
                            "unable to find group %s: no matching entries in group file", g);
                return -1;
            }
            out->gid = (gid_t)strtoul(gs, NULL, 10);
        }
        gid_set = true;
    }
    (void)gid_set;
    const struct sk_val *ru = sk_map_get(csc, "runAsUser");
    if (!ru) ru = sk_map_get(psc, "runAsUser");
    if (sk_val_is(ru, SK_V_INT)) {
        out->uid = (uid_t)ru->u.i;
        /* the image's group for that uid, as containerd does */
        char gs[32], key[32];
        RT_SNPRINTF(key, sizeof(key), "%u", (unsigned)out->uid);
        out->gid = db_lookup(passwd, 2, key, 3, gs, sizeof(gs)) && all_digits(gs)
                           ? (gid_t)strtoul(gs, NULL, 10)
                           : 0;
    }
    const struct sk_val *rg = sk_map_get(csc, "runAsGroup");
    if (!rg) rg = sk_map_get(psc, "runAsGroup");
    if (sk_val_is(rg, SK_V_INT)) out->gid = (gid_t)rg->u.i;
    const struct sk_val *nr = sk_map_get(csc, "runAsNonRoot");
    if (!nr) nr = sk_map_get(psc, "runAsNonRoot");
    if (sk_val_to_bool(nr, false) && out->uid == 0) {
        if (sk_val_is(ru, SK_V_INT))
            RT_SNPRINTF(msg, msglen,
                        "container's runAsUser breaks non-root policy (pod: \"%s_%s(%s)\", "
                        "container: %s)",
                        sk_obj_name(pod) ? sk_obj_name(pod) : "",
                        sk_obj_namespace(pod) ? sk_obj_namespace(pod) : "",
                        sk_val_str_at(pod, "metadata", "uid", NULL) ?: "",
                        sk_val_str_at(ctr, "name", NULL) ?: "");
        else
            RT_SNPRINTF(msg, msglen,
                        "container has runAsNonRoot and image will run as root (pod: "
                        "\"%s_%s(%s)\", container: %s)",
                        sk_obj_name(pod) ? sk_obj_name(pod) : "",
                        sk_obj_namespace(pod) ? sk_obj_namespace(pod) : "",
                        sk_val_str_at(pod, "metadata", "uid", NULL) ?: "",
                        sk_val_str_at(ctr, "name", NULL) ?: "");
        return -1;
    }
    /* the user's own groups from the image's /etc/group (member lists) */
    char name[256] = "";
    char key[32];
    RT_SNPRINTF(key, sizeof(key), "%u", (unsigned)out->uid);
    if (db_lookup(passwd, 2, key, 0, name, sizeof(name)) && group) {
        for (const char *line = group; *line && out->nextra < 32;) {
            const char *end = strchr(line, '\n');
            size_t ll = end ? (size_t)(end - line) : strlen(line);
            char buf[1024];
            if (ll < sizeof(buf)) {
                memcpy(buf, line, ll);
                buf[ll] = 0;
                char *f[4] = {0};
                char *s = buf;
                for (int i = 0; i < 4 && s; i++) {
                    f[i] = s;
                    s = strchr(s, ':');
                    if (s) *s++ = 0;
                }
                if (f[3] && f[2] && all_digits(f[2])) {
                    for (char *m = strtok(f[3], ","); m; m = strtok(NULL, ","))
                        if (!strcmp(m, name) && out->nextra < 32)
                            out->extra[out->nextra++] = (gid_t)strtoul(f[2], NULL, 10);
                }
            }
            line = end ? end + 1 : line + ll;
        }
    }
    const struct sk_val *sg = sk_map_get(psc, "supplementalGroups");
    for (size_t i = 0; i < sk_arr_len(sg) && out->nextra < 32; i++)
        if (sk_val_is(sk_arr_get(sg, i), SK_V_INT))
            out->extra[out->nextra++] = (gid_t)sk_arr_get(sg, i)->u.i;
    const struct sk_val *fg = sk_map_get(psc, "fsGroup");
    if (sk_val_is(fg, SK_V_INT) && out->nextra < 32) out->extra[out->nextra++] = (gid_t)fg->u.i;
    return 0;
}
