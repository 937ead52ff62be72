/* A container's startup, liveness and readiness probes as the kubelet
 * runs them: the startup probe alone until it succeeds, then liveness and
 * readiness, each every periodSeconds after initialDelaySeconds (counted
 * from the container's start), with timeoutSeconds per try, reported to
 * the lifecycle only when successThreshold successes or failureThreshold
 * failures in a row change the result. */
#include "action.h"
#include "mem.h"
#include "rt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Kubernetes' defaults. */
#define DEF_PERIOD  10
#define DEF_TIMEOUT 1
#define DEF_SUCCESS 1
#define DEF_FAILURE 3

struct rt_prober;

struct probe {
    struct rt_prober *p;
    enum rt_probe_kind kind;
    struct sk_val *spec; /* the Probe map (owned copy) */
    double delay, period, timeout;
    int success_thr, failure_thr;
    int succ, fail;
    int result; /* -1 unknown, 0 failed, 1 succeeded */
    bool active;
    struct skiff_timer *timer;
    struct rt_action *act;
};

struct rt_prober {
    struct rt *rt;
    /* what actions read of the target (heap copies): a full rt_target is
     * built on the stack for each try */
    char *id, *netns, *ip;
    struct sk_val *spec; /* the container spec (owned copy) */
    rt_probe_fn fn;
    void *arg;
    double started; /* host->now at start */
    struct probe probes[3];
    int in_callback;
    bool dead;
};

static const char *const kind_names[] = {"Startup", "Liveness", "Readiness"};
static const char *const spec_keys[] = {"startupProbe", "livenessProbe", "readinessProbe"};

static double num_at(const struct sk_val *m, const char *key, double def, double min)
{
    const struct sk_val *v = sk_map_get(m, key);
    double d = sk_val_is(v, SK_V_INT) ? (double)v->u.i : sk_val_is(v, SK_V_FLOAT) ? v->u.f : def;
    return d < min ? def : d;
}

static void prober_free(struct rt_prober *p)
{
    const struct skiff_host *h = rt_host(p->rt);
    for (int i = 0; i < 3; i++) {
        struct probe *pr = &p->probes[i];
        if (pr->timer) h->timer_cancel(rt_ctx(p->rt), pr->timer);
        rt_action_cancel(pr->act);
        sk_val_free(pr->spec);
    }
    sk_val_free(p->spec);
    free(p->id);
    free(p->netns);
    free(p->ip);
    free(p);
}

/* Call the lifecycle; false when it stopped the prober meanwhile (then
 * p is gone). */
static bool report(struct rt_prober *p, enum rt_probe_kind kind, bool ok, const char *message)
{
    p->in_callback++;
    p->fn(p->arg, kind, ok, message);
    p->in_callback--;
    if (p->dead && !p->in_callback) {
        prober_free(p);
        return false;
    }
    return !p->dead;
}

static void probe_activate(struct probe *pr);

static void on_result(void *arg, bool ok, int code, const char *output)
{
    (void)code;
    struct probe *pr = arg;
    struct rt_prober *p = pr->p;
    pr->act = NULL;
    if (ok) {
        pr->fail = 0;
        pr->succ++;
        if (pr->result != 1 && pr->succ >= pr->success_thr) {
            pr->result = 1;
            if (!report(p, pr->kind, true, "")) return;
            if (pr->kind == RT_PROBE_STARTUP) {
                /* done: liveness and readiness take over */
                rt_host(p->rt)->timer_cancel(rt_ctx(p->rt), pr->timer);
                pr->timer = NULL;
                pr->active = false;
                probe_activate(&p->probes[RT_PROBE_LIVENESS]);
                probe_activate(&p->probes[RT_PROBE_READINESS]);
            }
        }
    } else {
        pr->succ = 0;
        pr->fail++;
        if (pr->result != 0 && pr->fail >= pr->failure_thr) {
            pr->result = 0;
            char msg[2048];
            snprintf(msg, sizeof(msg), "%s probe failed: %s", kind_names[pr->kind], output);
            report(p, pr->kind, false, msg);
        }
    }
}

static void probe_tick(void *arg)
{
    struct probe *pr = arg;
    struct rt_prober *p = pr->p;
    if (pr->act) return; /* the last try is still out: the kubelet skips too */
    char msg[512];
    struct rt_target t = {.spec = p->spec};
    snprintf(t.id, sizeof(t.id), "%s", p->id);
    snprintf(t.netns, sizeof(t.netns), "%s", p->netns);
    snprintf(t.ip, sizeof(t.ip), "%s", p->ip);
    pr->act = rt_action_start(p->rt, &t, pr->spec, pr->timeout, on_result, pr, NULL, msg,
                              sizeof(msg));
    if (!pr->act) {
        /* no handler at all: validation should have refused it; the
         * kubelet reports it as a failed probe */
        pr->active = false;
        rt_host(p->rt)->timer_cancel(rt_ctx(p->rt), pr->timer);
        pr->timer = NULL;
        char m2[700];
        snprintf(m2, sizeof(m2), "%s probe failed: %s", kind_names[pr->kind], msg);
        report(p, pr->kind, false, m2);
    }
}

static void probe_activate(struct probe *pr)
{
    if (!pr->spec || pr->active) return;
    struct rt_prober *p = pr->p;
    const struct skiff_host *h = rt_host(p->rt);
    double elapsed = h->now(rt_ctx(p->rt)) - p->started;
    double after = pr->delay - elapsed;
    if (after < 0) after = 0;
    pr->active = true;
    pr->timer = h->timer_add(rt_ctx(p->rt), after, pr->period, probe_tick, pr);
}

struct rt_prober *rt_prober_start(struct rt *rt, const struct rt_target *t,
                                  const struct sk_val *spec, rt_probe_fn fn, void *arg)
{
    bool any = false;
    for (int i = 0; i < 3; i++)
        if (sk_val_is(sk_map_get(spec, spec_keys[i]), SK_V_MAP)) any = true;
    if (!any) return NULL;
    struct rt_prober *p = sk_xcalloc(1, sizeof(*p));
    p->rt = rt;
    p->id = sk_xstrdup(t->id);
    p->netns = sk_xstrdup(t->netns);
    p->ip = sk_xstrdup(t->ip);
    p->spec = sk_val_dup(spec);
    p->fn = fn;
    p->arg = arg;
    p->started = rt_host(rt)->now(rt_ctx(rt));
    for (int i = 0; i < 3; i++) {
        struct probe *pr = &p->probes[i];
        const struct sk_val *ps = sk_map_get(spec, spec_keys[i]);
        pr->p = p;
        pr->kind = (enum rt_probe_kind)i;
        pr->result = i == RT_PROBE_STARTUP ? -1 : i == RT_PROBE_LIVENESS ? 1 : 0;
        if (!sk_val_is(ps, SK_V_MAP)) continue;
        pr->spec = sk_val_dup(ps);
        pr->delay = num_at(ps, "initialDelaySeconds", 0, 0);
        pr->period = num_at(ps, "periodSeconds", DEF_PERIOD, 1);
        pr->timeout = num_at(ps, "timeoutSeconds", DEF_TIMEOUT, 1);
        pr->success_thr = (int)num_at(ps, "successThreshold", DEF_SUCCESS, 1);
        pr->failure_thr = (int)num_at(ps, "failureThreshold", DEF_FAILURE, 1);
        /* liveness and startup need one success (validation says so) */
        if (i != RT_PROBE_READINESS) pr->success_thr = 1;
    }
    if (p->probes[RT_PROBE_STARTUP].spec) {
        probe_activate(&p->probes[RT_PROBE_STARTUP]);
    } else {
        probe_activate(&p->probes[RT_PROBE_LIVENESS]);
        probe_activate(&p->probes[RT_PROBE_READINESS]);
    }
    return p;
}

void rt_prober_stop(struct rt_prober *p)
{
    if (!p || p->dead) return;
    p->dead = true;
    const struct skiff_host *h = rt_host(p->rt);
    /* nothing more may call back */
    for (int i = 0; i < 3; i++) {
        struct probe *pr = &p->probes[i];
        if (pr->timer) h->timer_cancel(rt_ctx(p->rt), pr->timer);
        pr->timer = NULL;
        rt_action_cancel(pr->act);
        pr->act = NULL;
    }
    if (!p->in_callback) prober_free(p);
}
