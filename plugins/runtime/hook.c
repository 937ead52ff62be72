/* Lifecycle handlers (postStart, preStop): exec, httpGet, tcpSocket and
 * sleep, bounded by the caller's timeout, with the kubelet's failure
 * messages. As in the kubelet, an HTTP hook succeeds on any response:
 * only a failed request is an error. */
#include "action.h"
#include "mem.h"
#include "rt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct hook {
    struct rt *rt;
    rt_hook_fn done;
    void *arg;
    const char *kind;
    char ctr[256], pod[600];
    char what[1024]; /* the command or path, for the message */
    struct rt_action *act;
    struct skiff_timer *timer;
};

static void hook_action_done(void *arg, bool ok, int code, const char *output)
{
    struct hook *k = arg;
    char *msg = NULL;
    bool good = ok;
    if (!strcmp(k->kind, "exec")) {
        if (!ok && code >= 0)
            msg = sk_xasprintf(
                    "Exec lifecycle hook ([%s]) for Container \"%s\" in Pod \"%s\" failed - "
                    "error: command '%s' exited with %d: %s, message: \"%.2000s\"",
                    k->what, k->ctr, k->pod, k->what, code, output, output);
        else if (!ok)
            msg = sk_xasprintf(
                    "Exec lifecycle hook ([%s]) for Container \"%s\" in Pod \"%s\" failed - "
                    "error: %.2000s, message: \"\"",
                    k->what, k->ctr, k->pod, output);
    } else if (!strcmp(k->kind, "http")) {
        /* any HTTP answer will do */
        good = ok || code > 0;
        if (!good)
            msg = sk_xasprintf(
                    "HTTP lifecycle hook (%s) for Container \"%s\" in Pod \"%s\" failed - error: "
                    "%.2000s",
                    k->what, k->ctr, k->pod, output);
    } else if (!ok) {
        msg = sk_xasprintf(
                "TCP lifecycle hook for Container \"%s\" in Pod \"%s\" failed - error: %.2000s",
                k->ctr, k->pod, output);
    }
    k->act = NULL;
    k->done(k->arg, good, msg ? msg : "");
    free(msg);
    free(k);
}

static void sleep_done(void *arg)
{
    struct hook *k = arg;
    k->timer = NULL;
    k->done(k->arg, true, "");
    free(k);
}

int rt_hook_run(struct rt *rt, const struct rt_target *t, const struct sk_val *handler,
                double timeout, rt_hook_fn done, void *arg)
{
    const struct sk_val *sl = sk_map_get(handler, "sleep");
    bool has_action = sk_map_get(handler, "exec") || sk_map_get(handler, "httpGet") ||
                      sk_map_get(handler, "tcpSocket");
    if (!sl && !has_action) return -1;
    struct hook *k = sk_xcalloc(1, sizeof(*k));
    k->rt = rt;
    k->done = done;
    k->arg = arg;
    snprintf(k->ctr, sizeof(k->ctr), "%s", t->container);
    /* the kubelet's format.Pod: NAME_NAMESPACE(UID) */
    snprintf(k->pod, sizeof(k->pod), "%s_%s(%s)", t->pod, t->ns, t->uid);
    if (sl && !has_action) {
        double secs = (double)sk_val_to_int(sk_map_get(sl, "seconds"), 0);
        if (secs < 0) secs = 0;
        if (timeout > 0 && secs > timeout) secs = timeout;
        k->kind = "sleep";
        k->timer = rt_host(rt)->timer_add(rt_ctx(rt), secs, 0, sleep_done, k);
        return 0;
    }
    const struct sk_val *cmd = sk_val_at(handler, "exec", "command", NULL);
    size_t wl = 0;
    for (size_t i = 0; i < sk_arr_len(cmd) && wl < sizeof(k->what) - 1; i++) {
        const char *s = sk_val_cstr(sk_arr_get(cmd, i));
        int n = snprintf(k->what + wl, sizeof(k->what) - wl, "%s%s", i ? " " : "", s ? s : "");
        wl += n > 0 ? (size_t)n : 0;
    }
    if (!cmd) {
        const char *path = sk_val_str_at(handler, "httpGet", "path", NULL);
        snprintf(k->what, sizeof(k->what), "%s", path && *path ? path : "/");
    }
    char msg[512];
    k->act = rt_action_start(rt, t, handler, timeout > 0 ? timeout : 30, hook_action_done, k,
                             &k->kind, msg, sizeof(msg));
    if (!k->act) {
        free(k);
        return -1;
    }
    return 0;
}
