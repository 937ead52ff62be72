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

/* ---- ControllerRevisions, as the DaemonSet and StatefulSet controllers
 * keep them (upstream's controller history) ---- */
struct wl_revision {
    const char *owner_resource;   /* "apps/daemonsets", for the collisionCount write */
    const char *hash_label;       /* the label that carries the hash */
    int status_tag, revision_tag; /* the callers' tags for those writes */
    bool copy_annotations;        /* DaemonSets copy theirs into the revision */
};
int64_t wl_rev_number(const struct sk_val *cr);
void wl_sort_revisions(const struct sk_val **v, size_t n); /* oldest first */
/* Make sure revision `name` (OWNER-HASH) holds data (taken) and carries the
 * highest revision number among revs. Returns true when settled, false
 * when a write was started: status.collisionCount set to next_cc (a hash
 * taken by other data), the revision renumbered, or created. */
bool wl_ensure_revision(struct wl_track *t, const char *key, const struct wl_revision *how,
                        const struct sk_val *owner, const char *name, const char *hash,
                        struct sk_val *data, int64_t next_cc, const struct sk_val *const *revs,
                        size_t n);

#endif
