/* Shared informer caches: one subscription per resource for the whole
 * plugin, decoded once into sk_val trees without metadata.managedFields
 * (the largest part of most objects, and nothing a controller decides
 * on), with an index from owner uid to the objects that name it. */
#include "ctl_priv.h"
#include "mem.h"

#include <stdio.h>
#include <string.h>

struct centry {
    char *key; /* "ns/name" */
    struct sk_val *obj;
    char **owners; /* uids in ownerReferences */
    size_t nowners;
    bool had_mf; /* the stored object has metadata.managedFields */
};

struct olist {
    struct centry **v;
    size_t n, cap;
};

struct handler {
    struct handler *next;
    ctl_change_fn fn;
    void *arg;
};

struct ctl_cache {
    struct ctl_cache *next;
    struct ctl *c;
    char *resource;
    struct skiff_informer *inf;
    struct ctl_hmap objs;   /* key -> centry */
    struct ctl_hmap owners; /* uid -> olist */
    struct handler *handlers;
    bool synced;
};

static struct sk_val *decode(struct ctl_cache *k, const void *p, size_t len, bool *had_mf)
{
    struct sk_val *v = NULL;
    struct sk_error *err = NULL;
    if (sk_val_from_msgpack(p, len, &v, &err) || !sk_val_is(v, SK_V_MAP)) {
        ctl_log(k->c, SKIFF_LOG_WARN, "cache", "resource=%s undecodable object: %s", k->resource,
                err ? err->msg : "not a map");
        sk_error_free(err);
        sk_val_free(v);
        return NULL;
    }
    bool had = sk_map_del(sk_map_get(v, "metadata"), "managedFields");
    if (had_mf) *had_mf = had;
    return v;
}

static void index_add(struct ctl_cache *k, struct centry *e)
{
    const struct sk_val *refs = sk_val_at(e->obj, "metadata", "ownerReferences", NULL);
    size_t n = sk_arr_len(refs);
    if (!n) return;
    e->owners = sk_xcalloc(n, sizeof(char *));
    for (size_t i = 0; i < n; i++) {
        const char *uid = sk_val_str_at(sk_arr_get(refs, i), "uid", NULL);
        if (!uid || !*uid) continue;
        bool dup = false;
        for (size_t j = 0; j < e->nowners; j++)
            if (!strcmp(e->owners[j], uid)) dup = true;
        if (dup) continue;
        e->owners[e->nowners++] = sk_xstrdup(uid);
        struct olist **ol = (struct olist **)ctl_hmap_put(&k->owners, uid, NULL);
        if (!*ol) *ol = sk_xcalloc(1, sizeof(**ol));
        if ((*ol)->n == (*ol)->cap) {
            (*ol)->cap = (*ol)->cap ? (*ol)->cap * 2 : 4;
            (*ol)->v = sk_xrealloc((*ol)->v, (*ol)->cap * sizeof(*(*ol)->v));
        }
        (*ol)->v[(*ol)->n++] = e;
    }
}

static void index_del(struct ctl_cache *k, struct centry *e)
{
    for (size_t i = 0; i < e->nowners; i++) {
        struct olist *ol = ctl_hmap_get(&k->owners, e->owners[i]);
        for (size_t j = 0; ol && j < ol->n; j++)
            if (ol->v[j] == e) {
                ol->v[j] = ol->v[--ol->n];
                break;
            }
        if (ol && !ol->n) {
            ctl_hmap_del(&k->owners, e->owners[i]);
            free(ol->v);
            free(ol);
        }
        free(e->owners[i]);
    }
    free(e->owners);
    e->owners = NULL;
    e->nowners = 0;
}

static void notify(struct ctl_cache *k, const struct sk_val *old, const struct sk_val *obj)
{
    for (struct handler *h = k->handlers; h; h = h->next)
        h->fn(h->arg, old, obj);
}

static void on_upsert(struct ctl_cache *k, const void *p, size_t len)
{
    bool had_mf = false;
    struct sk_val *v = decode(k, p, len, &had_mf);
    if (!v) return;
    char key[512];
    ctl_key(v, key, sizeof(key));
    bool created;
    struct centry **slot = (struct centry **)ctl_hmap_put(&k->objs, key, &created);
    if (created) {
        struct centry *e = sk_xcalloc(1, sizeof(*e));
        e->key = sk_xstrdup(key);
        e->obj = v;
        e->had_mf = had_mf;
        *slot = e;
        index_add(k, e);
        notify(k, NULL, v);
        return;
    }
    struct centry *e = *slot;
    struct sk_val *old = e->obj;
    index_del(k, e);
    e->obj = v;
    e->had_mf = had_mf;
    index_add(k, e);
    notify(k, old, v);
    sk_val_free(old);
}

static void inf_add(void *arg, const void *obj, size_t len)
{
    on_upsert(arg, obj, len);
}

static void inf_update(void *arg, const void *old_obj, size_t old_len, const void *obj, size_t len)
{
    (void)old_obj;
    (void)old_len;
    on_upsert(arg, obj, len);
}

static void inf_del(void *arg, const void *obj, size_t len)
{
    struct ctl_cache *k = arg;
    struct sk_val *v = decode(k, obj, len, NULL);
    if (!v) return;
    char key[512];
    ctl_key(v, key, sizeof(key));
    struct centry *e = ctl_hmap_del(&k->objs, key);
    if (e) {
        index_del(k, e);
        sk_val_free(e->obj);
        free(e->key);
        free(e);
    }
    notify(k, v, NULL);
    sk_val_free(v);
}

static void inf_synced(void *arg)
{
    struct ctl_cache *k = arg;
    k->synced = true;
    ctl_log(k->c, SKIFF_LOG_DEBUG, "cache", "resource=%s synced objects=%zu", k->resource,
            k->objs.n);
    if (ctl_caches_all_synced(k->c)) ctl_queues_kick(k->c);
}

static const struct skiff_informer_ops ops = {
        .add = inf_add, .update = inf_update, .del = inf_del, .synced = inf_synced};

struct ctl_cache *ctl_cache(struct ctl *c, const char *resource)
{
    for (struct ctl_cache *k = c->caches; k; k = k->next)
        if (!strcmp(k->resource, resource)) return k;
    struct ctl_cache *k = sk_xcalloc(1, sizeof(*k));
    k->c = c;
    k->resource = sk_xstrdup(resource);
    k->next = c->caches;
    c->caches = k;
    k->inf = c->host->subscribe(c->ctx, resource, NULL, &ops, k);
    if (!k->inf) {
        /* a resource the store does not know: an empty, synced cache */
        ctl_log(c, SKIFF_LOG_WARN, "cache", "resource=%s cannot subscribe", resource);
        k->synced = true;
    }
    return k;
}

bool ctl_cache_synced(const struct ctl_cache *k)
{
    return k->synced;
}

bool ctl_caches_all_synced(struct ctl *c)
{
    for (struct ctl_cache *k = c->caches; k; k = k->next)
        if (!k->synced) return false;
    return true;
}

size_t ctl_cache_len(const struct ctl_cache *k)
{
    return k->objs.n;
}

const struct sk_val *ctl_cache_get(const struct ctl_cache *k, const char *ns, const char *name)
{
    char key[512];
    if (!name) return NULL;
    if (ns && *ns)
        snprintf(key, sizeof(key), "%s/%s", ns, name);
    else
        snprintf(key, sizeof(key), "%s", name);
    struct centry *e = ctl_hmap_get(&k->objs, key);
    return e ? e->obj : NULL;
}

struct each {
    const char *ns;
    bool (*fn)(void *arg, const struct sk_val *obj);
    void *arg;
};

static bool each_one(void *arg, const char *key, void *val)
{
    (void)key;
    struct each *x = arg;
    struct centry *e = val;
    if (x->ns) {
        const char *ns = sk_obj_namespace(e->obj);
        if (!ns || strcmp(ns, x->ns)) return true;
    }
    return x->fn(x->arg, e->obj);
}

void ctl_cache_foreach(const struct ctl_cache *k, const char *ns,
                       bool (*fn)(void *arg, const struct sk_val *obj), void *arg)
{
    struct each x = {ns, fn, arg};
    ctl_hmap_foreach(&k->objs, each_one, &x);
}

void ctl_cache_foreach_owned(const struct ctl_cache *k, const char *owner_uid,
                             bool (*fn)(void *arg, const struct sk_val *obj), void *arg)
{
    if (!owner_uid) return;
    struct olist *ol = ctl_hmap_get(&k->owners, owner_uid);
    if (!ol) return;
    /* fn may not change the cache (changes arrive from the loop), but keep
     * a private copy of the list so the index can grow meanwhile anyway */
    size_t n = ol->n;
    struct sk_val **v = sk_xcalloc(n ? n : 1, sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = ol->v[i]->obj;
    for (size_t i = 0; i < n; i++)
        if (!fn(arg, v[i])) break;
    free(v);
}

int ctl_cache_managed_fields(struct ctl *c, const char *resource, const char *ns, const char *name)
{
    for (struct ctl_cache *k = c->caches; k; k = k->next) {
        if (strcmp(k->resource, resource)) continue;
        char key[512];
        if (ns && *ns)
            snprintf(key, sizeof(key), "%s/%s", ns, name);
        else
            snprintf(key, sizeof(key), "%s", name);
        struct centry *e = ctl_hmap_get(&k->objs, key);
        return e ? e->had_mf : -1;
    }
    return -1;
}

void ctl_cache_on_change(struct ctl_cache *k, ctl_change_fn fn, void *arg)
{
    struct handler *h = sk_xcalloc(1, sizeof(*h));
    h->fn = fn;
    h->arg = arg;
    h->next = k->handlers;
    k->handlers = h;
}

void ctl_cache_off_change(struct ctl_cache *k, ctl_change_fn fn, void *arg)
{
    for (struct handler **p = &k->handlers; *p; p = &(*p)->next)
        if ((*p)->fn == fn && (*p)->arg == arg) {
            struct handler *h = *p;
            *p = h->next;
            free(h);
            return;
        }
}

static void free_entry(void *val)
{
    struct centry *e = val;
    for (size_t i = 0; i < e->nowners; i++)
        free(e->owners[i]);
    free(e->owners);
    sk_val_free(e->obj);
    free(e->key);
    free(e);
}

static void free_olist(void *val)
{
    struct olist *ol = val;
    free(ol->v);
    free(ol);
}

void ctl_caches_free(struct ctl *c)
{
    while (c->caches) {
        struct ctl_cache *k = c->caches;
        c->caches = k->next;
        if (k->inf) c->host->unsubscribe(c->ctx, k->inf);
        ctl_hmap_free(&k->objs, free_entry);
        ctl_hmap_free(&k->owners, free_olist);
        while (k->handlers) {
            struct handler *h = k->handlers;
            k->handlers = h->next;
            free(h);
        }
        free(k->resource);
        free(k);
    }
}
