/* A pod's status as the kubelet writes it (phase, conditions, container
 * statuses, IPs, QoS class), written only when it changed and batched to
 * one write per loop turn; and the kubelet's events. */
#include "pod_int.h"
#include "spec.h"

#include "mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const struct sk_val *rt_ctr_spec(const struct rt_ctr *c);

static bool terminal(const char *ph)
{
    return ph && (!strcmp(ph, "Succeeded") || !strcmp(ph, "Failed"));
}

static bool ctr_failed(const struct rt_ctr *c)
{
    return c->term && sk_val_to_int(sk_map_get(c->term, "exitCode"), 1) != 0;
}

const char *rt_pod_phase(const struct rt_pod *p)
{
    const char *was = sk_val_str_at(p->obj, "status", "phase", NULL);
    if (terminal(was)) return was;
    const char *pol = sk_val_str_at(p->obj, "spec", "restartPolicy", NULL);
    if (!pol) pol = "Always";
    bool pending_init = false;
    for (int i = 0; i < p->ninit; i++) {
        const struct rt_ctr *c = &p->c[i];
        if (c->done && c->term && !ctr_failed(c)) continue;
        if (c->done && ctr_failed(c)) return "Failed";
        pending_init = true;
    }
    if (pending_init) return "Pending";
    int running = 0, waiting = 0, stopped = 0, succeeded = 0;
    for (int i = p->ninit; i < p->nc; i++) {
        const struct rt_ctr *c = &p->c[i];
        if (c->phase == CP_RUNNING) {
            running++;
        } else if (c->term) {
            stopped++;
            if (!ctr_failed(c)) succeeded++;
        } else if (c->last) {
            stopped++;
        } else {
            waiting++;
        }
    }
    if (waiting) return "Pending";
    if (running) return "Running";
    if (stopped) {
        if (!strcmp(pol, "Always")) return "Running";
        if (succeeded == stopped) {
            /* all exited 0: final only once none will run again */
            for (int i = p->ninit; i < p->nc; i++)
                if (!p->c[i].done) return "Running";
            return "Succeeded";
        }
        if (!strcmp(pol, "OnFailure")) return "Running";
        for (int i = p->ninit; i < p->nc; i++)
            if (!p->c[i].done) return "Running";
        return "Failed";
    }
    return "Pending";
}

static struct sk_val *ctr_status(const struct rt_pod *p, const struct rt_ctr *c, bool inits_done)
{
    struct rt *rt = p->rt;
    const struct sk_val *spec = rt_ctr_spec(c);
    struct sk_val *s = sk_val_map();
    sk_map_set(s, "name", sk_val_str(c->name));
    struct sk_val *state = sk_map_set(s, "state", sk_val_map());
    const char *slash = strrchr(rt->runtime_path, '/');
    const char *rname = slash ? slash + 1 : "runc";
    if (c->phase == CP_RUNNING) {
        struct sk_val *r = sk_map_set(state, "running", sk_val_map());
        sk_map_set(r, "startedAt", sk_val_str(c->started_at));
    } else if (c->term) {
        sk_map_set(state, "terminated", sk_val_dup(c->term));
    } else {
        struct sk_val *w = sk_map_set(state, "waiting", sk_val_map());
        const char *reason = c->wreason[0] ? c->wreason : "ContainerCreating";
        if (!c->wreason[0] && !inits_done) reason = "PodInitializing";
        sk_map_set(w, "reason", sk_val_str(reason));
        if (c->wmessage) sk_map_set(w, "message", sk_val_str(c->wmessage));
    }
    struct sk_val *ls = sk_map_set(s, "lastState", sk_val_map());
    if (c->last) sk_map_set(ls, "terminated", sk_val_dup(c->last));
    sk_map_set(s, "ready", sk_val_bool(c->phase == CP_RUNNING && c->ready));
    sk_map_set(s, "restartCount", sk_val_int(c->attempt));
    const char *img = sk_val_str_at(spec, "image", NULL);
    sk_map_set(s, "image", sk_val_str(img ? img : ""));
    sk_map_set(s, "imageID", sk_val_str(c->image_id ? c->image_id : ""));
    if (c->ever && c->id[0]) sk_map_set(s, "containerID", sk_val_strf("%s://%s", rname, c->id));
    sk_map_set(s, "started", sk_val_bool(c->phase == CP_RUNNING && c->started_ok));
    return s;
}

static void now_ts(char *buf)
{
    rt_now_rfc3339(buf);
}

/* A condition whose lastTransitionTime moves only when its status does. */
static void cond(struct rt_pod *p, struct sk_val *list, const char *type, bool ok,
                 const char *reason, const char *msg)
{
    const char *st = ok ? "True" : "False";
    const struct sk_val *prev = sk_map_get(p->cond_times, type);
    const char *pst = sk_val_str_at(prev, "status", NULL);
    const char *ptime = sk_val_str_at(prev, "time", NULL);
    char t[40];
    if (pst && !strcmp(pst, st) && ptime) {
        RT_SNPRINTF(t, sizeof(t), "%s", ptime);
    } else {
        now_ts(t);
        struct sk_val *e = sk_val_map();
        sk_map_set(e, "status", sk_val_str(st));
        sk_map_set(e, "time", sk_val_str(t));
        sk_map_set(p->cond_times, type, e);
    }
    struct sk_val *c = sk_arr_push(list, sk_val_map());
    sk_map_set(c, "type", sk_val_str(type));
    sk_map_set(c, "status", sk_val_str(st));
    sk_map_set(c, "lastProbeTime", sk_val_null());
    sk_map_set(c, "lastTransitionTime", sk_val_str(t));
    if (reason) sk_map_set(c, "reason", sk_val_str(reason));
    if (msg) sk_map_set(c, "message", sk_val_str(msg));
}

static struct sk_val *build(struct rt_pod *p)
{
    struct rt *rt = p->rt;
    /* seed transition times from what the store has, once */
    if (!sk_map_len(p->cond_times)) {
        const struct sk_val *cs = sk_val_at(p->obj, "status", "conditions", NULL);
        for (size_t i = 0; i < sk_arr_len(cs); i++) {
            const struct sk_val *c = sk_arr_get(cs, i);
            const char *ty = sk_val_str_at(c, "type", NULL);
            const char *st = sk_val_str_at(c, "status", NULL);
            const char *t = sk_val_str_at(c, "lastTransitionTime", NULL);
            if (!ty || !st || !t) continue;
            struct sk_val *e = sk_val_map();
            sk_map_set(e, "status", sk_val_str(st));
            sk_map_set(e, "time", sk_val_str(t));
            sk_map_set(p->cond_times, ty, e);
        }
    }
    const char *phase = rt_pod_phase(p);
    struct sk_val *s = sk_val_map();
    sk_map_set(s, "phase", sk_val_str(phase));
    struct sk_val *conds = sk_map_set(s, "conditions", sk_val_arr());
    struct sk_buf notinit = {0}, unready = {0};
    bool inits_done = true;
    for (int i = 0; i < p->ninit; i++) {
        const struct rt_ctr *c = &p->c[i];
        if (c->done && c->term && !ctr_failed(c)) continue;
        inits_done = false;
        sk_buf_printf(&notinit, "%s%s", notinit.len ? " " : "", c->name);
    }
    for (int i = p->ninit; i < p->nc; i++) {
        const struct rt_ctr *c = &p->c[i];
        if (c->phase == CP_RUNNING && c->ready) continue;
        sk_buf_printf(&unready, "%s%s", unready.len ? " " : "", c->name);
    }
    bool done = terminal(phase);
    cond(p, conds, "PodReadyToStartContainers", p->sb == 2, NULL, NULL);
    char m[2048];
    if (inits_done) {
        cond(p, conds, "Initialized", true, NULL, NULL);
    } else {
        RT_SNPRINTF(m, sizeof(m), "containers with incomplete status: [%s]", notinit.p);
        cond(p, conds, "Initialized", false, "ContainersNotInitialized", m);
    }
    if (!unready.len) {
        cond(p, conds, "Ready", true, NULL, NULL);
        cond(p, conds, "ContainersReady", true, NULL, NULL);
    } else {
        RT_SNPRINTF(m, sizeof(m), "containers with unready status: [%s]", unready.p);
        cond(p, conds, "Ready", false, done ? "PodCompleted" : "ContainersNotReady",
             done ? NULL : m);
        cond(p, conds, "ContainersReady", false, done ? "PodCompleted" : "ContainersNotReady",
             done ? NULL : m);
    }
    /* PodScheduled is the scheduler's: kept as it is */
    const struct sk_val *old = sk_val_at(p->obj, "status", "conditions", NULL);
    bool sched = false;
    for (size_t i = 0; i < sk_arr_len(old); i++) {
        const char *ty = sk_val_str_at(sk_arr_get(old, i), "type", NULL);
        if (ty && !strcmp(ty, "PodScheduled")) {
            sk_arr_push(conds, sk_val_dup(sk_arr_get(old, i)));
            sched = true;
        }
    }
    if (!sched) cond(p, conds, "PodScheduled", true, NULL, NULL);
    sk_buf_free(&notinit);
    sk_buf_free(&unready);
    sk_map_set(s, "hostIP", sk_val_str(rt->host_ip));
    struct sk_val *hips = sk_map_set(s, "hostIPs", sk_val_arr());
    sk_map_set(sk_arr_push(hips, sk_val_map()), "ip", sk_val_str(rt->host_ip));
    if (p->host_net) {
        sk_map_set(s, "podIP", sk_val_str(rt->host_ip));
        struct sk_val *pips = sk_map_set(s, "podIPs", sk_val_arr());
        sk_map_set(sk_arr_push(pips, sk_val_map()), "ip", sk_val_str(rt->host_ip));
    }
    sk_map_set(s, "startTime", sk_val_str(p->start_time));
    if (p->ninit) {
        struct sk_val *ic = sk_map_set(s, "initContainerStatuses", sk_val_arr());
        for (int i = 0; i < p->ninit; i++)
            sk_arr_push(ic, ctr_status(p, &p->c[i], true));
    }
    struct sk_val *cs = sk_map_set(s, "containerStatuses", sk_val_arr());
    for (int i = p->ninit; i < p->nc; i++)
        sk_arr_push(cs, ctr_status(p, &p->c[i], inits_done));
    sk_map_set(s, "qosClass", sk_val_str(rt_spec_qos(p->obj)));
    return s;
}

static void status_written(void *arg, int code, const char *message, const void *obj, size_t len)
{
    (void)obj, (void)len;
    struct rt *rt = arg;
    if (code && code != SKIFF_ENOTFOUND)
        rt->host->log(rt->ctx, SKIFF_LOG_WARN, "pod status write failed: %d %s", code,
                      message ? message : "");
    else
        rt->host->log(rt->ctx, SKIFF_LOG_DEBUG, "pod status written");
}

static void status_flush(void *arg)
{
    struct rt_pod *p = arg;
    p->status_timer = NULL;
    if (p->deleted || p->rt->stopping) return;
    struct sk_val *st = build(p);
    if (p->last_status && sk_val_equal(st, p->last_status)) {
        sk_val_free(st);
        return;
    }
    struct sk_val *o = sk_val_map();
    struct sk_val *md = sk_map_set(o, "metadata", sk_val_map());
    sk_map_set(md, "name", sk_val_str(p->name));
    sk_map_set(md, "namespace", sk_val_str(p->ns));
    sk_map_set(md, "uid", sk_val_str(p->uid));
    sk_map_set(o, "status", sk_val_dup(st));
    struct sk_buf b = {0};
    sk_val_to_msgpack(o, &b);
    sk_val_free(o);
    int rc = p->rt->host->propose(p->rt->ctx, SKIFF_WRITE_UPDATE_STATUS, "pods", p->ns, p->name,
                                  b.p, b.len, status_written, p->rt);
    sk_buf_free(&b);
    if (rc) {
        sk_val_free(st);
        return;
    }
    sk_val_free(p->last_status);
    p->last_status = st;
    p->rt->host->log(p->rt->ctx, SKIFF_LOG_DEBUG, "pod status proposed pod=%s/%s phase=%s", p->ns,
                     p->name,
                     sk_val_str_at(st, "phase", NULL) ? sk_val_str_at(st, "phase", NULL) : "");
}

void rt_status_schedule(struct rt_pod *p)
{
    if (p->status_timer || p->rt->stopping) return;
    p->status_timer = p->rt->host->timer_add(p->rt->ctx, 0, 0, status_flush, p);
}

/* Write the status now rather than at the end of the loop turn: for the
 * moment a container starts, so that its write leads the events of that
 * moment into the store's next commit instead of waiting one out. */
void rt_status_now(struct rt_pod *p);
void rt_status_now(struct rt_pod *p)
{
    rt_status_cancel(p);
    if (!p->rt->stopping) status_flush(p);
}

void rt_status_cancel(struct rt_pod *p)
{
    if (p->status_timer) p->rt->host->timer_cancel(p->rt->ctx, p->status_timer);
    p->status_timer = NULL;
}

void rt_event(struct rt_pod *p, const struct rt_ctr *c, bool warning, const char *reason,
              const char *fmt, ...)
{
    struct rt *rt = p->rt;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char now[40];
    rt_now_rfc3339(now);
    struct sk_val *e = sk_val_map();
    sk_map_set(e, "apiVersion", sk_val_str("v1"));
    sk_map_set(e, "kind", sk_val_str("Event"));
    struct sk_val *md = sk_map_set(e, "metadata", sk_val_map());
    sk_map_set(md, "name",
               sk_val_strf("%s.%llx", p->name,
                           (unsigned long long)ts.tv_sec * 1000000000ull +
                                   (unsigned long long)ts.tv_nsec + (rt->seq++)));
    sk_map_set(md, "namespace", sk_val_str(p->ns));
    struct sk_val *io = sk_map_set(e, "involvedObject", sk_val_map());
    sk_map_set(io, "apiVersion", sk_val_str("v1"));
    sk_map_set(io, "kind", sk_val_str("Pod"));
    sk_map_set(io, "name", sk_val_str(p->name));
    sk_map_set(io, "namespace", sk_val_str(p->ns));
    sk_map_set(io, "uid", sk_val_str(p->uid));
    if (c)
        sk_map_set(io, "fieldPath",
                   sk_val_strf("spec.%s{%s}", c->init ? "initContainers" : "containers", c->name));
    sk_map_set(e, "reason", sk_val_str(reason));
    sk_map_set(e, "message", sk_val_str(msg));
    struct sk_val *src = sk_map_set(e, "source", sk_val_map());
    sk_map_set(src, "component", sk_val_str("kubelet"));
    sk_map_set(src, "host", sk_val_str(rt->node));
    sk_map_set(e, "firstTimestamp", sk_val_str(now));
    sk_map_set(e, "lastTimestamp", sk_val_str(now));
    sk_map_set(e, "count", sk_val_int(1));
    sk_map_set(e, "type", sk_val_str(warning ? "Warning" : "Normal"));
    sk_map_set(e, "reportingComponent", sk_val_str("kubelet"));
    sk_map_set(e, "reportingInstance", sk_val_str(rt->node));
    struct sk_buf b = {0};
    sk_val_to_msgpack(e, &b);
    sk_val_free(e);
    rt->host->propose(rt->ctx, SKIFF_WRITE_CREATE, "events", p->ns, NULL, b.p, b.len, NULL, NULL);
    sk_buf_free(&b);
    rt->host->log(rt->ctx, warning ? SKIFF_LOG_WARN : SKIFF_LOG_INFO,
                  "event reason=%s pod=%s/%s%s%s: %s", reason, p->ns, p->name,
                  c ? " container=" : "", c ? c->name : "", msg);
}
