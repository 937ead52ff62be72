/* The pod lifecycle, as the kubelet runs it: follow the pods bound to this
 * node, make each one's sandbox, run its init containers in order and then
 * its containers (ctr.c), restart them by policy, end them gracefully when
 * the pod is deleted, and clean up. A restarted agent adopts what runs from
 * the state files (pod.h). */
#include "pod_int.h"
#include "sandbox.h"
#include "spec.h"

#include "json.h"
#include "mem.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* ctr.c */
void rt_ctr_sync(struct rt_ctr *c);
void rt_ctr_stop(struct rt_ctr *c, double grace, const char *why);
void rt_ctr_release(struct rt_ctr *c);
void rt_ctr_adopt(struct rt_ctr *c);
bool rt_ctr_idle(const struct rt_ctr *c);
bool rt_ctr_succeeded(const struct rt_ctr *c);

static void pod_sync(struct rt_pod *p);

struct rt_pod *rt_pod_find(struct rt *rt, const char *ns, const char *name)
{
    for (struct rt_pod *p = rt->pods; p; p = p->next)
        if (!strcmp(p->ns, ns) && !strcmp(p->name, name)) return p;
    return NULL;
}

static struct rt_pod *pod_by_uid(struct rt *rt, const char *uid)
{
    for (struct rt_pod *p = rt->pods; p; p = p->next)
        if (!strcmp(p->uid, uid)) return p;
    return NULL;
}

static bool mine(struct rt *rt, const struct sk_val *obj)
{
    const char *n = sk_val_str_at(obj, "spec", "nodeName", NULL);
    return n && !strcmp(n, rt->node);
}

static bool phase_terminal(const char *ph)
{
    return ph && (!strcmp(ph, "Succeeded") || !strcmp(ph, "Failed"));
}

static void pod_free(struct rt_pod *p)
{
    struct rt *rt = p->rt;
    for (struct rt_pod **pp = &rt->pods; *pp; pp = &(*pp)->next)
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    rt_status_cancel(p);
    if (p->grace_timer) rt->host->timer_cancel(rt->ctx, p->grace_timer);
    if (p->retry_timer) rt->host->timer_cancel(rt->ctx, p->retry_timer);
    for (int i = 0; i < p->nc; i++)
        rt_ctr_release(&p->c[i]);
    free(p->c);
    sk_val_free(p->obj);
    sk_val_free(p->last_status);
    sk_val_free(p->cond_times);
    free(p->ns);
    free(p->name);
    free(p->uid);
    free(p->dir);
    free(p);
}

static void save_pod(struct rt_pod *p)
{
    struct sk_val *m = sk_val_map();
    sk_map_set(m, "namespace", sk_val_str(p->ns));
    sk_map_set(m, "name", sk_val_str(p->name));
    sk_map_set(m, "uid", sk_val_str(p->uid));
    sk_map_set(m, "startTime", sk_val_str(p->start_time));
    sk_map_set(m, "hostNetwork", sk_val_bool(p->host_net));
    size_t n;
    char *js = sk_json_dump(m, SK_JSON_COMPACT, &n);
    char path[PATH_MAX + 16];
    RT_SNPRINTF(path, sizeof(path), "%s/pod.json", p->dir);
    int er = rt_write_file(path, js, n);
    if (er)
        p->rt->host->log(p->rt->ctx, SKIFF_LOG_WARN, "cannot write %s: %s pod=%s/%s", path,
                         strerror(er), p->ns, p->name);
    free(js);
    sk_val_free(m);
}

/* ---- sandbox ---- */

struct pod_tok {
    struct rt *rt;
    char uid[64];
};

static struct rt_pod *tok_pod(struct pod_tok *t)
{
    struct rt_pod *p = pod_by_uid(t->rt, t->uid);
    free(t);
    return p;
}

static void on_retry(void *arg)
{
    struct rt_pod *p = arg;
    p->retry_timer = NULL;
    if (p->sb == 3) p->sb = 0;
    pod_sync(p);
}

static void sandbox_done(void *arg, int rc, const char *msg)
{
    struct rt_pod *p = tok_pod(arg);
    if (!p) return;
    if (rc) {
        p->sb = 3;
        p->rt->host->log(p->rt->ctx, SKIFF_LOG_WARN, "sandbox failed pod=%s/%s: %s", p->ns, p->name,
                         msg);
        rt_event(p, NULL, true, "FailedCreatePodSandBox", "Failed to create pod sandbox: %s", msg);
        p->retry_timer = p->rt->host->timer_add(p->rt->ctx, 10, 0, on_retry, p);
        return;
    }
    p->sb = 2;
    save_pod(p);
    rt_status_schedule(p);
    pod_sync(p);
}

static void sandbox_create(struct rt_pod *p)
{
    const char *hn = sk_val_str_at(p->obj, "spec", "hostname", NULL);
    char host[64];
    RT_SNPRINTF(host, sizeof(host), "%.63s", hn && *hn ? hn : p->name);
    bool host_ipc = sk_val_to_bool(sk_val_at(p->obj, "spec", "hostIPC", NULL), false);
    struct pod_tok *t = sk_xcalloc(1, sizeof(*t));
    t->rt = p->rt;
    RT_SNPRINTF(t->uid, sizeof(t->uid), "%s", p->uid);
    p->sb = 1;
    int rc = rt_sandbox_create(p->rt, p->dir, host, p->host_net, host_ipc, sandbox_done, t);
    if (rc) {
        free(t);
        char m[128];
        RT_SNPRINTF(m, sizeof(m), "cannot start the sandbox helper: %s", strerror(rc));
        p->sb = 0;
        sandbox_done(NULL, -1, m);
    }
}

struct teardown {
    struct rt *rt;
    char uid[64];
    char dir[PATH_MAX];
    char rtdir[PATH_MAX];
    char cg[300];
    char logs[PATH_MAX]; /* the pod's log dir, removed once the pod goes; "" keeps it */
};

static void teardown_work(void *arg)
{
    struct teardown *t = arg;
    /* rootfs overlays a crash may have left mounted */
    char cdir[PATH_MAX + 8];
    RT_SNPRINTF(cdir, sizeof(cdir), "%s/c", t->dir);
    DIR *d = opendir(cdir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char m[PATH_MAX * 2];
        RT_SNPRINTF(m, sizeof(m), "%s/%s/rootfs", cdir, e->d_name);
        umount2(m, MNT_DETACH);
    }
    if (d) closedir(d);
    rt_sandbox_remove_sync(t->rtdir, t->dir, t->cg, t->uid);
    if (t->logs[0]) rt_rmtree(t->logs);
}

static void delete_done(void *arg, int code, const char *message, const void *obj, size_t len)
{
    (void)obj, (void)len;
    struct pod_tok *t = arg;
    struct rt_pod *p = pod_by_uid(t->rt, t->uid);
    free(t);
    /* Gone already, or the name now belongs to a new pod (the uid
     * precondition failed): this pod is deleted either way. */
    if (p && (code == SKIFF_ENOTFOUND || code == SKIFF_ECONFLICT)) {
        p->deleted = true;
        pod_sync(p);
        return;
    }
    if (!p || !code) return;
    p->rt->host->log(p->rt->ctx, SKIFF_LOG_WARN, "delete pod=%s/%s uid=%s: %d %s: retrying in 1s",
                     p->ns, p->name, p->uid, code, message ? message : "");
    p->delete_sent = false;
    if (!p->retry_timer && !p->rt->stopping)
        p->retry_timer = p->rt->host->timer_add(p->rt->ctx, 1, 0, on_retry, p);
}

/* The kubelet's last word on a terminating pod whose containers are all
 * gone: a delete with grace 0, for this pod's uid only (the name may
 * already belong to a new pod, as a StatefulSet's do). */
static void final_delete(struct rt_pod *p)
{
    if (p->delete_sent || p->deleted || p->rt->stopping) return;
    p->delete_sent = true;
    struct pod_tok *dt = sk_xcalloc(1, sizeof(*dt));
    dt->rt = p->rt;
    RT_SNPRINTF(dt->uid, sizeof(dt->uid), "%s", p->uid);
    struct sk_val *o = sk_val_map();
    sk_map_set(o, "gracePeriodSeconds", sk_val_int(0));
    sk_val_set_at(o, sk_val_str(p->uid), "preconditions", "uid", NULL);
    struct sk_buf b = {0};
    sk_val_to_msgpack(o, &b);
    sk_val_free(o);
    p->rt->host->log(p->rt->ctx, SKIFF_LOG_INFO, "pod stopped pod=%s/%s: deleting it", p->ns,
                     p->name);
    int rc = p->rt->host->propose(p->rt->ctx, SKIFF_WRITE_DELETE, "pods", p->ns, p->name, b.p,
                                  b.len, delete_done, dt);
    sk_buf_free(&b);
    if (rc) {
        free(dt);
        p->delete_sent = false;
        p->rt->host->log(p->rt->ctx, SKIFF_LOG_WARN,
                         "delete pod=%s/%s: not queued (%d): retrying in 1s", p->ns, p->name, rc);
        if (!p->retry_timer) p->retry_timer = p->rt->host->timer_add(p->rt->ctx, 1, 0, on_retry, p);
    }
}

static void teardown_done(void *arg)
{
    struct teardown *t = arg;
    struct rt_pod *p = pod_by_uid(t->rt, t->uid);
    bool final = t->logs[0] != 0;
    free(t);
    if (!p) return;
    p->refs--;
    p->sb = 0;
    if (final) p->final_done = true;
    if (p->deleted) {
        pod_free(p);
        return;
    }
    if (p->terminating) final_delete(p);
}

/* final: the pod is going (its logs go too) rather than finished. */
static void teardown(struct rt_pod *p, bool final)
{
    p->sb = 4;
    p->refs++;
    struct teardown *t = sk_xcalloc(1, sizeof(*t));
    t->rt = p->rt;
    RT_SNPRINTF(t->uid, sizeof(t->uid), "%s", p->uid);
    RT_SNPRINTF(t->dir, sizeof(t->dir), "%s", p->dir);
    RT_SNPRINTF(t->rtdir, sizeof(t->rtdir), "%s", p->rt->dir);
    RT_SNPRINTF(t->cg, sizeof(t->cg), "%s", p->rt->cg_parent);
    if (final) {
        char *lp = rt_log_path(p->rt, p->ns, p->name, p->uid, "x", 0);
        char *sl = strrchr(lp, '/');
        if (sl) *sl = 0;
        sl = strrchr(lp, '/');
        if (sl) *sl = 0;
        RT_SNPRINTF(t->logs, sizeof(t->logs), "%s", lp);
        free(lp);
    }
    if (p->rt->host->work(p->rt->ctx, teardown_work, teardown_done, t)) {
        free(t);
        p->refs--;
        p->sb = 0;
    }
}

/* ---- the decision ---- */

static double grace_of(const struct rt_pod *p)
{
    const struct sk_val *g = sk_val_at(p->obj, "metadata", "deletionGracePeriodSeconds", NULL);
    if (sk_val_is(g, SK_V_INT) && g->u.i >= 0) return (double)g->u.i;
    g = sk_val_at(p->obj, "spec", "terminationGracePeriodSeconds", NULL);
    return sk_val_is(g, SK_V_INT) && g->u.i >= 0 ? (double)g->u.i : 30;
}

static bool all_idle(const struct rt_pod *p)
{
    for (int i = 0; i < p->nc; i++)
        if (!rt_ctr_idle(&p->c[i])) return false;
    return true;
}

static bool finished(const struct rt_pod *p)
{
    return phase_terminal(rt_pod_phase(p));
}

static void pod_sync(struct rt_pod *p)
{
    if (p->rt->stopping) return;
    if (p->terminating || p->deleted) {
        double grace = p->deleted ? 0 : grace_of(p);
        for (int i = 0; i < p->nc; i++)
            rt_ctr_stop(&p->c[i], grace, NULL);
        if (all_idle(p) && p->sb != 1 && p->sb != 4) {
            if (p->final_done) {
                if (p->deleted && !p->refs)
                    pod_free(p);
                else if (!p->deleted)
                    final_delete(p);
                return;
            }
            teardown(p, true);
        }
        rt_status_schedule(p);
        return;
    }
    if (finished(p)) {
        if (all_idle(p) && (p->sb == 2 || p->sb == 3)) teardown(p, false);
        rt_status_schedule(p);
        return;
    }
    if (p->sb == 0) {
        sandbox_create(p);
        rt_status_schedule(p);
        return;
    }
    if (p->sb != 2) return;
    for (int i = 0; i < p->ninit; i++) {
        struct rt_ctr *c = &p->c[i];
        if (rt_ctr_succeeded(c)) continue;
        rt_ctr_sync(c);
        rt_status_schedule(p);
        return;
    }
    for (int i = p->ninit; i < p->nc; i++)
        rt_ctr_sync(&p->c[i]);
    rt_status_schedule(p);
}

void rt_pod_changed(struct rt_pod *p);
void rt_pod_changed(struct rt_pod *p)
{
    pod_sync(p);
}

/* ---- informer ---- */

static void add_ctrs(struct rt_pod *p, const struct sk_val *list, bool init)
{
    for (size_t i = 0; i < sk_arr_len(list); i++) {
        struct rt_ctr *c = &p->c[p->nc++];
        memset(c, 0, sizeof(*c));
        c->pod = p;
        c->init = init;
        c->index = (int)i;
        c->pidfd = c->syncfd = -1;
        const char *n = sk_val_str_at(sk_arr_get(list, i), "name", NULL);
        c->name = sk_xstrdup(n ? n : "");
    }
}

/* Whether an env fieldRef of a container in list reads the annotations. */
static bool env_reads_annotations(const struct sk_val *list)
{
    for (size_t i = 0; i < sk_arr_len(list); i++) {
        const struct sk_val *env = sk_val_at(sk_arr_get(list, i), "env", NULL);
        for (size_t j = 0; j < sk_arr_len(env); j++) {
            const char *fp =
                    sk_val_str_at(sk_arr_get(env, j), "valueFrom", "fieldRef", "fieldPath", NULL);
            if (fp && !strncmp(fp, "metadata.annotations", 20)) return true;
        }
    }
    return false;
}

/* Drop from the runtime's own copy of a pod what it never reads:
 * metadata.managedFields, and kubectl's last-applied annotation unless the
 * downward API may expose it (an env fieldRef on metadata.annotations). */
static void pod_slim(struct sk_val *obj)
{
    struct sk_val *md = sk_map_get(obj, "metadata");
    if (!sk_val_is(md, SK_V_MAP)) return;
    sk_map_del(md, "managedFields");
    struct sk_val *an = sk_map_get(md, "annotations");
    if (!sk_val_is(an, SK_V_MAP) ||
        env_reads_annotations(sk_val_at(obj, "spec", "containers", NULL)) ||
        env_reads_annotations(sk_val_at(obj, "spec", "initContainers", NULL)))
        return;
    sk_map_del(an, "kubectl.kubernetes.io/last-applied-configuration");
}

static struct rt_pod *pod_new(struct rt *rt, struct sk_val *obj)
{
    const char *uid = sk_val_str_at(obj, "metadata", "uid", NULL);
    if (!uid || !*uid || strlen(uid) >= 64 || strchr(uid, '/') || uid[0] == '.') return NULL;
    struct rt_pod *p = sk_xcalloc(1, sizeof(*p));
    p->rt = rt;
    pod_slim(obj);
    p->obj = obj;
    p->ns = sk_xstrdup(sk_obj_namespace(obj) ? sk_obj_namespace(obj) : "");
    p->name = sk_xstrdup(sk_obj_name(obj) ? sk_obj_name(obj) : "");
    p->uid = sk_xstrdup(uid);
    p->dir = sk_xasprintf("%s/pods/%s", rt->dir, uid);
    p->host_net = sk_val_to_bool(sk_val_at(obj, "spec", "hostNetwork", NULL), false);
    const struct sk_val *ic = sk_val_at(obj, "spec", "initContainers", NULL);
    const struct sk_val *cc = sk_val_at(obj, "spec", "containers", NULL);
    p->c = sk_xcalloc(sk_arr_len(ic) + sk_arr_len(cc) + 1, sizeof(struct rt_ctr));
    add_ctrs(p, ic, true);
    p->ninit = p->nc;
    add_ctrs(p, cc, false);
    p->cond_times = sk_val_map();
    const char *st = sk_val_str_at(obj, "status", "startTime", NULL);
    /* adoption: what a previous agent left */
    char path[PATH_MAX + 16];
    RT_SNPRINTF(path, sizeof(path), "%s/pod.json", p->dir);
    size_t len;
    char *js = rt_read_file(path, 1 << 16, &len);
    struct sk_val *pj = NULL;
    if (js && !sk_json_parse(js, len, &pj, NULL) && sk_val_is(pj, SK_V_MAP)) {
        const char *t = sk_val_str_at(pj, "startTime", NULL);
        if (!st && t) st = t;
        p->sb = 2;
        p->adopted = true;
    }
    if (st)
        RT_SNPRINTF(p->start_time, sizeof(p->start_time), "%.39s", st);
    else
        rt_now_rfc3339(p->start_time);
    sk_val_free(pj);
    free(js);
    p->next = rt->pods;
    rt->pods = p;
    if (phase_terminal(sk_val_str_at(obj, "status", "phase", NULL))) {
        /* finished before: nothing runs again; the statuses stay */
        for (int i = 0; i < p->nc; i++)
            p->c[i].done = true;
        p->last_status = sk_val_dup(sk_map_get(obj, "status"));
    }
    for (int i = 0; i < p->nc; i++)
        rt_ctr_adopt(&p->c[i]);
    return p;
}

static void on_add(void *arg, const void *obj, size_t len)
{
    struct rt *rt = arg;
    struct sk_val *v = NULL;
    if (sk_val_from_msgpack(obj, len, &v, NULL) || !mine(rt, v)) {
        sk_val_free(v);
        return;
    }
    const char *uid = sk_val_str_at(v, "metadata", "uid", NULL);
    if (uid && pod_by_uid(rt, uid)) {
        sk_val_free(v);
        return;
    }
    struct rt_pod *p = pod_new(rt, v);
    if (!p) {
        sk_val_free(v);
        return;
    }
    rt->host->log(rt->ctx, SKIFF_LOG_INFO, "pod added pod=%s/%s uid=%s%s", p->ns, p->name, p->uid,
                  p->adopted ? " adopted=true" : "");
    if (sk_val_at(v, "metadata", "deletionTimestamp", NULL)) p->terminating = true;
    pod_sync(p);
}

static void on_update(void *arg, const void *old, size_t olen, const void *obj, size_t len)
{
    (void)old, (void)olen;
    struct rt *rt = arg;
    struct sk_val *v = NULL;
    if (sk_val_from_msgpack(obj, len, &v, NULL)) return;
    const char *uid = sk_val_str_at(v, "metadata", "uid", NULL);
    struct rt_pod *p = uid ? pod_by_uid(rt, uid) : NULL;
    if (!p) {
        bool add = mine(rt, v);
        sk_val_free(v);
        if (add) on_add(arg, obj, len);
        return;
    }
    /* Kubernetes allows only a few spec changes (images, deadlines); the
     * container list stays, so the records keep their places. */
    sk_val_free(p->obj);
    pod_slim(v);
    p->obj = v;
    if (sk_val_at(v, "metadata", "deletionTimestamp", NULL) && !p->terminating) {
        p->terminating = true;
        rt->host->log(rt->ctx, SKIFF_LOG_INFO, "pod terminating pod=%s/%s grace=%.0fs", p->ns,
                      p->name, grace_of(p));
    }
    pod_sync(p);
}

static void on_del(void *arg, const void *obj, size_t len)
{
    struct rt *rt = arg;
    struct sk_val *v = NULL;
    if (sk_val_from_msgpack(obj, len, &v, NULL)) return;
    const char *uid = sk_val_str_at(v, "metadata", "uid", NULL);
    struct rt_pod *p = uid ? pod_by_uid(rt, uid) : NULL;
    sk_val_free(v);
    if (!p) return;
    rt->host->log(rt->ctx, SKIFF_LOG_INFO, "pod deleted pod=%s/%s", p->ns, p->name);
    p->deleted = true;
    pod_sync(p);
}

/* Pods in the state dir that the store no longer has (deleted while the
 * agent was down): their containers are killed and everything removed. */
struct orphan {
    struct teardown t;
    int pending;
};

static void orphan_removed(void *arg)
{
    free(arg);
}

static void orphan_deleted(void *arg, int status, const char *out, const char *err)
{
    (void)status, (void)out, (void)err;
    struct orphan *o = arg;
    if (--o->pending > 0) return;
    struct rt *rt = o->t.rt;
    if (rt->stopping || rt->host->work(rt->ctx, teardown_work, orphan_removed, &o->t)) free(o);
}

static void orphans_sweep(struct rt *rt)
{
    char pdir[PATH_MAX + 8];
    RT_SNPRINTF(pdir, sizeof(pdir), "%s/pods", rt->dir);
    DIR *d = opendir(pdir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.' || strlen(e->d_name) >= 64 || pod_by_uid(rt, e->d_name)) continue;
        struct orphan *o = sk_xcalloc(1, sizeof(*o));
        o->t.rt = rt;
        RT_SNPRINTF(o->t.uid, sizeof(o->t.uid), "%s", e->d_name);
        RT_SNPRINTF(o->t.dir, sizeof(o->t.dir), "%s/%s", pdir, e->d_name);
        RT_SNPRINTF(o->t.rtdir, sizeof(o->t.rtdir), "%s", rt->dir);
        RT_SNPRINTF(o->t.cg, sizeof(o->t.cg), "%s", rt->cg_parent);
        rt->host->log(rt->ctx, SKIFF_LOG_INFO, "removing what is left of pod uid=%s", o->t.uid);
        char cdir[PATH_MAX * 2];
        RT_SNPRINTF(cdir, sizeof(cdir), "%s/c", o->t.dir);
        DIR *cd = opendir(cdir);
        struct dirent *ce;
        o->pending = 1;
        while (cd && (ce = readdir(cd))) {
            if (ce->d_name[0] == '.') continue;
            char id[256];
            const char *dot = strrchr(ce->d_name, '.');
            if (!dot) continue;
            RT_SNPRINTF(id, sizeof(id), "%s-%.*s-%s", o->t.uid, (int)(dot - ce->d_name), ce->d_name,
                        dot + 1);
            o->pending++;
            if (rt_runtime_cmd(rt, orphan_deleted, o, "delete", "--force", id, NULL)) o->pending--;
        }
        if (cd) closedir(cd);
        orphan_deleted(o, 0, "", "");
    }
    if (d) closedir(d);
}

static void on_synced(void *arg)
{
    struct rt *rt = arg;
    rt->synced = true;
    int n = 0;
    for (struct rt_pod *p = rt->pods; p; p = p->next)
        n++;
    rt->host->log(rt->ctx, SKIFF_LOG_INFO, "pods synced count=%d", n);
    orphans_sweep(rt);
}

static const struct skiff_informer_ops pod_ops = {
        .add = on_add,
        .update = on_update,
        .del = on_del,
        .synced = on_synced,
};

void rt_pods_start(struct rt *rt)
{
    char p[PATH_MAX + 8];
    RT_SNPRINTF(p, sizeof(p), "%s/pods", rt->dir);
    mkdir(rt->dir, 0700);
    mkdir(p, 0700);
    mkdir(rt->log_dir, 0755);
    rt->inf = rt->host->subscribe(rt->ctx, "pods", NULL, &pod_ops, rt);
    if (!rt->inf) rt->host->log(rt->ctx, SKIFF_LOG_ERROR, "cannot follow pods: no store");
}

void rt_pods_stop(struct rt *rt)
{
    if (rt->inf) rt->host->unsubscribe(rt->ctx, rt->inf);
    rt->inf = NULL;
    /* Containers keep running: the next agent adopts them. */
    while (rt->pods)
        pod_free(rt->pods);
    rt_cmd_stop_all(rt);
}
