/* The controllers plugin's framework, shared by every controller module
 * (plugins/controllers/NAME/): shared informer caches, work queues with
 * rate-limited retries, a clock tests can speed up, writes and events.
 * One leader-only plugin hosts all controllers so that each resource is
 * cached once (see docs/architecture.md). Everything runs on the agent's
 * loop thread. Private to plugins/controllers. */
#ifndef CTL_H
#define CTL_H

#include "skiff_plugin.h"
#include "val.h"

#include <stdbool.h>
#include <stddef.h>

struct ctl; /* the plugin instance (plugin.c) */

const struct skiff_host *ctl_host(struct ctl *c);
struct skiff_ctx *ctl_ctx(struct ctl *c);
void ctl_log(struct ctl *c, int level, const char *who, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* ---- clock ----
 * Wall-clock seconds since the epoch as controllers must see them: real
 * time, or real time running `clock-rate` times faster from the moment
 * the plugin started (tests; plugins.controllers.clock-rate). Durations
 * in specs (back-off, deadlines, schedules, ttl) are measured on it, and
 * ctl_after converts such a duration to real seconds for a timer. */
double ctl_now(struct ctl *c);
double ctl_after(struct ctl *c, double seconds);
/* RFC 3339 ("2026-11-26T01:02:03Z") of a ctl_now() value into buf[32]. */
const char *ctl_time_str(double t, char buf[32]);
/* Parse RFC 3339 (with or without fraction); -1 when absent or bad. */
double ctl_time_parse(const char *s);

/* ---- shared informer caches ----
 * One per resource ("pods", "apps/replicasets", ...) for the whole plugin,
 * created on first use. Objects are borrowed sk_val trees, valid until the
 * next change of that object is applied (do not keep them across loop
 * iterations; copy what you need). */
struct ctl_cache;
struct ctl_cache *ctl_cache(struct ctl *c, const char *resource);
bool ctl_cache_synced(const struct ctl_cache *k);
const struct sk_val *ctl_cache_get(const struct ctl_cache *k, const char *ns, const char *name);
/* Every object of namespace ns (NULL: all), in no particular order; stop
 * early by returning false. */
void ctl_cache_foreach(const struct ctl_cache *k, const char *ns,
                       bool (*fn)(void *arg, const struct sk_val *obj), void *arg);
/* Every object whose ownerReferences name uid (an index, not a scan). */
void ctl_cache_foreach_owned(const struct ctl_cache *k, const char *owner_uid,
                             bool (*fn)(void *arg, const struct sk_val *obj), void *arg);
/* Called after each change of the cache: old is NULL for an add, obj is
 * NULL for a delete. Handlers usually enqueue keys. */
typedef void (*ctl_change_fn)(void *arg, const struct sk_val *old, const struct sk_val *obj);
void ctl_cache_on_change(struct ctl_cache *k, ctl_change_fn fn, void *arg);
void ctl_cache_off_change(struct ctl_cache *k, ctl_change_fn fn, void *arg);
size_t ctl_cache_len(const struct ctl_cache *k);
/* Objects are cached without metadata.managedFields (memory); ctl_write
 * puts the stored ones back on a full update. Queues wait until every
 * cache made so far is synced. */

/* ---- work queues ----
 * Keys ("ns/name", or "name" for cluster-scoped objects) are deduplicated
 * while waiting; a key is never processed twice at once; sync runs on the
 * loop in batches after the current callbacks return. */
struct ctl_queue;
/* sync returns 0 when done with the key, or non-zero to retry it with
 * per-key exponential back-off (5 ms doubling to 1000 s, as client-go). */
typedef int (*ctl_sync_fn)(void *arg, const char *key);
struct ctl_queue *ctl_queue_new(struct ctl *c, const char *name, ctl_sync_fn sync, void *arg);
void ctl_queue_add(struct ctl_queue *q, const char *key);
void ctl_queue_add_after(struct ctl_queue *q, const char *key, double clock_seconds);
void ctl_queue_forget(struct ctl_queue *q, const char *key); /* reset its back-off */
void ctl_queue_free(struct ctl_queue *q);                    /* NULL ok */
/* Failures of key since it last succeeded or was forgotten. */
unsigned ctl_queue_failures(struct ctl_queue *q, const char *key);
size_t ctl_queue_len(const struct ctl_queue *q); /* keys waiting */
/* Back-off after n failures, in clock seconds: 0.005 * 2^n, at most 1000. */
double ctl_backoff(unsigned failures);
/* "ns/name" of obj into buf. */
const char *ctl_key(const struct sk_val *obj, char *buf, size_t len);
/* Split a key: *ns is "" for cluster-scoped keys. Returns false if bad. */
bool ctl_key_split(const char *key, char *ns, size_t nslen, char *name, size_t namelen);

/* ---- writes ----
 * op: SKIFF_WRITE_*. obj is copied. done may be NULL; it runs on the loop
 * with the host's result (code SKIFF_OK or the HTTP-like code) and the
 * object after the write. Returns SKIFF_OK or a code when not queued. */
typedef void (*ctl_write_fn)(void *arg, int code, const char *message, const struct sk_val *obj);
int ctl_write(struct ctl *c, int op, const char *resource, const char *ns, const char *name,
              const struct sk_val *obj, ctl_write_fn done, void *arg);

/* Record an Event about obj (type "Normal" or "Warning"), as client-go's
 * recorder does: reportingComponent is `component`, repeats within ten
 * minutes bump count and lastTimestamp of the same Event. */
void ctl_event(struct ctl *c, const char *component, const struct sk_val *obj, const char *type,
               const char *reason, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* ---- helpers on objects ---- */
/* A new ownerReference map for a controller (controller and
 * blockOwnerDeletion true). */
struct sk_val *ctl_owner_ref(const struct sk_val *owner);
/* The uid of obj's controller reference, or NULL. */
const char *ctl_controller_uid(const struct sk_val *obj);

/* ---- modules ----
 * Each controller is one module, listed in plugin.c. start subscribes to
 * the caches it needs and creates its queues; stop frees them. */
struct ctl_module {
    const char *name; /* "deployment", "replicaset", "scheduler", ... */
    int (*start)(struct ctl *c, void **self);
    void (*stop)(void *self);
};

/* The modules (each in plugins/controllers/NAME/); plugin.c lists those
 * that exist. */
extern const struct ctl_module ctl_mod_scheduler;
extern const struct ctl_module ctl_mod_gc;
extern const struct ctl_module ctl_mod_namespace;
extern const struct ctl_module ctl_mod_replicaset;
extern const struct ctl_module ctl_mod_deployment;
extern const struct ctl_module ctl_mod_daemonset;
extern const struct ctl_module ctl_mod_job;
extern const struct ctl_module ctl_mod_cronjob;
extern const struct ctl_module ctl_mod_statefulset;

/* ---- the instance (plugin.c), for the plugin and for unit tests ----
 * ctl_new: rate is clock-rate, start the clock's first instant (0: now).
 * ctl_start starts every listed module not disabled; ctl_start_module
 * starts one (tests start only the module under test). ctl_stop stops
 * the modules in reverse order and drops caches, queues and pending
 * writes; ctl_free stops and frees. */
struct ctl *ctl_new(struct skiff_ctx *ctx, const struct skiff_host *host, double rate,
                    double start);
int ctl_start(struct ctl *c);
int ctl_start_module(struct ctl *c, const struct ctl_module *m);
void *ctl_module_self(struct ctl *c, const char *name); /* a started module's self */
void ctl_stop(struct ctl *c);
void ctl_free(struct ctl *c);

#endif
