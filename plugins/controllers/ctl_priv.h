/* Framework internals of the controllers plugin: the instance, a string
 * hash map, and the hooks between plugin.c and the cache, queue and write
 * files. Modules include ctl.h only. */
#ifndef CTL_PRIV_H
#define CTL_PRIV_H

#include "ctl.h"

#include <stdint.h>

/* A string-keyed hash map (chained, power-of-two buckets). Keys are
 * copied; values are the caller's. */
struct ctl_hent {
    struct ctl_hent *next;
    uint64_t h;
    char *key;
    void *val;
};
struct ctl_hmap {
    struct ctl_hent **tab;
    size_t cap, n;
};
void *ctl_hmap_get(const struct ctl_hmap *m, const char *key);
/* The value slot of key, inserted (NULL) when absent; *created says so. */
void **ctl_hmap_put(struct ctl_hmap *m, const char *key, bool *created);
/* Remove key; returns its value (or NULL). */
void *ctl_hmap_del(struct ctl_hmap *m, const char *key);
/* Every entry; fn must not change the map. Stops when fn returns false. */
void ctl_hmap_foreach(const struct ctl_hmap *m, bool (*fn)(void *arg, const char *key, void *val),
                      void *arg);
void ctl_hmap_free(struct ctl_hmap *m, void (*free_val)(void *val));
uint64_t ctl_hash(const char *s);

struct ctl_write;

struct ctl {
    struct skiff_ctx *ctx;
    const struct skiff_host *host;
    double rate;       /* clock-rate */
    double wall0;      /* controller clock at mono0 */
    double mono0;      /* host->now() at start */
    double wall_start; /* clock-start option (0: real time) */
    char *disabled;    /* comma list of modules not to run */
    bool running;
    struct ctl_cache *caches; /* list */
    struct ctl_queue *queues; /* list */
    struct ctl_write *writes; /* pending writes */
    struct ctl_hmap events;   /* aggregation: key -> struct ctl_evrec */
    size_t nmods;
    const struct ctl_module **mods;
    void **selves;
};

/* Framework hooks (cache.c, queue.c, write.c, event.c). */
void ctl_caches_free(struct ctl *c);
void ctl_queues_kick(struct ctl *c); /* caches synced: run waiting queues */
bool ctl_caches_all_synced(struct ctl *c);
void ctl_writes_drop(struct ctl *c);
void ctl_events_free(struct ctl *c);
/* Whether the stored object has managedFields, as the cache last saw it:
 * 1, 0, or -1 when the resource or object is not cached. */
int ctl_cache_managed_fields(struct ctl *c, const char *resource, const char *ns, const char *name);
/* The msgpack bytes of v into a new malloc'd buffer. */
void *ctl_encode(const struct sk_val *v, size_t *len);

#endif
