/* The runtime plugin's internal interfaces, shared by its modules: pod
 * lifecycle (plugin.c, pod.c, ...), the container shim (shim.c), logs
 * (logs.c), probes and hooks (probe.c, hook.c), the Node object (node.c)
 * and exec sessions (exec.c). Private to plugins/runtime. Everything runs
 * on the agent's loop thread unless a comment says otherwise. */
#ifndef RT_H
#define RT_H

#include "skiff_plugin.h"
#include "val.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

struct rt; /* the plugin instance (plugin.c) */

/* ---- plugin.c: accessors ---- */
const struct skiff_host *rt_host(struct rt *rt);
struct skiff_ctx *rt_ctx(struct rt *rt);
const char *rt_runtime_path(struct rt *rt); /* absolute path of runc or crun */
const char *rt_runtime_root(struct rt *rt); /* its --root (state dir), under the run dir */
const char *rt_dir(struct rt *rt);          /* DATA/runtime: per-pod and per-container state */
const char *rt_log_dir(struct rt *rt);      /* DATA/pods: NS_POD_UID/CTR/N.log as the kubelet */

/* A container that is running, as probes, hooks and exec reach it. */
struct rt_target {
    char ns[256], pod[256], uid[64], container[256];
    char id[512];              /* the OCI runtime's container id */
    char netns[PATH_MAX];      /* the pod's network namespace file; "" = the node's */
    char ip[64];               /* the address network probes use by default (podIP or 127.0.0.1) */
    const struct sk_val *spec; /* the container's spec (ports for named ports), borrowed
                                * until the container stops */
};

/* Fill *out for a running container of a pod on this node. Returns
 * SKIFF_OK, or SKIFF_ENOTFOUND with a message in msg (kubelet-like:
 * "container not found (\"web\")", "pod ns/x not found"). */
int rt_find_target(struct rt *rt, const char *ns, const char *pod, const char *container,
                   struct rt_target *out, char *msg, size_t msglen);

/* ---- shim.c: one small process per container instance ----
 *
 *   skiff runtime-shim --id ID --bundle DIR --runtime PATH --root DIR --state DIR
 *                      --log FILE [--log-max-size BYTES] [--log-max-files N] [--sync-fd FD]
 *
 * Detaches (new session, so an agent killed with its process group leaves it
 * alone), becomes a child subreaper, and runs `RUNTIME --root DIR --log
 * STATE/runtime.log --log-format json run --detach --bundle DIR --pid-file
 * STATE/pid ID` with stdin /dev/null and stdout/stderr on pipes it reads.
 * Writes STATE/shim.pid first. Writes each line to FILE in the CRI log
 * format ("2026-11-26T01:02:03.123456789Z stdout F text"; "P" for a part of
 * a line longer than 16 KiB), rotating FILE to FILE.1 .. FILE.(N-1) when it
 * passes max-size (defaults 10Mi, 5). Tells the agent through --sync-fd
 * "ok PID\n" once the container runs, or "error MESSAGE\n" (the runtime's
 * own message) when it could not start, then closes that fd. When the
 * container's process ends, drains the pipes, writes STATE/exit atomically
 * as JSON {"exitCode": int, "signal": int, "finishedAt": RFC3339Nano,
 * "error": str (start failures only)} and exits. It never deletes the
 * container: the agent does (after reading the OOM counter). */
int rt_shim_main(int argc, char **argv); /* for core/main.c: `skiff runtime-shim` */

/* ---- probe.c ---- */
enum rt_probe_kind { RT_PROBE_STARTUP, RT_PROBE_LIVENESS, RT_PROBE_READINESS };
/* A probe's result changed: after successThreshold successes (ok) or
 * failureThreshold failures (!ok). message says why it failed, as the
 * kubelet's Unhealthy events do ("Liveness probe failed: HTTP probe failed
 * with statuscode: 500"). */
typedef void (*rt_probe_fn)(void *arg, enum rt_probe_kind kind, bool ok, const char *message);
struct rt_prober;
/* Start the container's probes (spec: the container spec; startupProbe
 * first, liveness and readiness once it succeeds), with their delays,
 * periods, timeouts and thresholds. Copies what it needs from *t. Returns
 * NULL when the container has no probes. */
struct rt_prober *rt_prober_start(struct rt *rt, const struct rt_target *t,
                                  const struct sk_val *spec, rt_probe_fn fn, void *arg);
void rt_prober_stop(struct rt_prober *p); /* NULL ok; no callback after it */

/* ---- hook.c: lifecycle handlers (postStart, preStop) ----
 * handler: the LifecycleHandler map (exec, httpGet, tcpSocket, sleep).
 * done(arg, ok, message) runs on the loop within timeout seconds. Returns
 * 0, or -1 (done is then not called) for a handler with no action. */
typedef void (*rt_hook_fn)(void *arg, bool ok, const char *message);
int rt_hook_run(struct rt *rt, const struct rt_target *t, const struct sk_val *handler,
                double timeout, rt_hook_fn done, void *arg);

/* ---- logs.c: the node side of pods/log (prefix "containerLogs") ---- */
int rt_logs_start(struct rt *rt);
void rt_logs_stop(struct rt *rt);
/* DATA/pods/NS_POD_UID/CTR/ATTEMPT.log (caller frees). */
char *rt_log_path(struct rt *rt, const char *ns, const char *pod, const char *uid,
                  const char *container, int attempt);

/* ---- node.c: this node's Node object ---- */
int rt_node_start(struct rt *rt);
void rt_node_stop(struct rt *rt);

/* ---- exec.c: exec sessions (prefix "exec", for pods/exec) ---- */
int rt_exec_start(struct rt *rt);
void rt_exec_stop(struct rt *rt);

#endif
