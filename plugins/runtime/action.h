/* The handlers probes and lifecycle hooks share: a command run in the
 * container (RUNTIME exec), an HTTP GET and a TCP connect made inside the
 * pod's network namespace. Each runs on the loop without blocking it and
 * reports once, with the kubelet's wording. Private to plugins/runtime. */
#ifndef RT_ACTION_H
#define RT_ACTION_H

#include "rt.h"

#include <stdbool.h>
#include <stddef.h>

struct rt_action;
/* The result: ok; code (an exec's exit status, an HTTP status, else 0;
 * -1 when the action timed out or could not run); output (the command's
 * output, or why the check failed: "HTTP probe failed with statuscode:
 * 500", "dial tcp 10.42.0.5:80: connect: connection refused"). Runs on
 * the loop, never from inside the call that started the action; the
 * action is freed after it returns. */
typedef void (*rt_action_fn)(void *arg, bool ok, int code, const char *output);

/* Start the handler in h (a map with one of exec, httpGet, tcpSocket,
 * grpc) against t's container, giving up after timeout seconds. Returns
 * the action (cancel it with rt_action_cancel), or NULL with the reason in
 * msg when h names no handler skiff runs. *kind gets "exec", "http",
 * "tcp" or "grpc" (NULL ok). */
struct rt_action *rt_action_start(struct rt *rt, const struct rt_target *t, const struct sk_val *h,
                                  double timeout, rt_action_fn fn, void *arg, const char **kind,
                                  char *msg, size_t msglen);
/* Stop it; fn is not called. NULL ok. */
void rt_action_cancel(struct rt_action *a);

/* Pure helpers, exposed for the unit tests. */
/* The port of an httpGet/tcpSocket "port" (number or the name of one of
 * spec's ports). Returns 1..65535, or 0 with the kubelet's message. */
int rt_action_port(const struct sk_val *port, const struct sk_val *spec, char *msg, size_t msglen);
/* The status code of an HTTP response's first line, or -1 while it is
 * incomplete or not HTTP. */
int rt_http_status(const char *p, size_t n);

#endif
