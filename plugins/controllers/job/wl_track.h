/* In-flight write accounting shared by the daemonset, job, cronjob and
 * statefulset controllers (upstream's "expectations"): an owner key with
 * writes in flight is not managed again until every answer came back,
 * and the last answer queues the key once more. Loop thread only. */
#ifndef CTL_WL_TRACK_H
#define CTL_WL_TRACK_H

#include "../ctl.h"

#include <stdbool.h>

struct wl_track;

/* What a tracked write's callback gets: the owner key, a tag the caller
 * chose (WL_* of its own) and the name of the object written. */
typedef void (*wl_done_fn)(void *arg, const char *key, int tag, const char *objname, int code,
                           const char *message, const struct sk_val *obj);

struct wl_track *wl_track_new(struct ctl *c, struct ctl_queue *q, wl_done_fn done, void *arg);
void wl_track_free(struct wl_track *t); /* NULL ok; pending callbacks are forgotten */
bool wl_busy(const struct wl_track *t, const char *key);
/* ctl_write counted against key. objname names the object for the
 * callback (NULL: name). Returns what ctl_write returns; on failure
 * nothing is counted and done is not called. */
int wl_write(struct wl_track *t, const char *key, int tag, int op, const char *resource,
             const char *ns, const char *name, const char *objname, const struct sk_val *obj);

#endif
