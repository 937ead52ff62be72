/* Informers: what in-process plugins use to follow a resource. A local
 * cache (hash of namespace/name -> shared object) filled by a list and kept
 * current by a watch from the list's revision, with add/update/delete
 * callbacks. When the watch falls out of the history window the informer
 * lists again and reports only the difference. Loop thread only.
 *
 * Memory: the cache holds each object's msgpack bytes (shared with the
 * watch ring and every other informer), never a decoded tree beside them;
 * callbacks get a tree decoded for the call and freed after it, unless
 * someone else already decoded the object. */
#include "store_priv.h"
#include "log.h"
#include "loop.h"
#include "mem.h"
#include "work.h"

#include <string.h>

struct entry {
    struct entry *next;
    uint64_t hash;
    char *key; /* ns \0 name */
    size_t klen;
    struct sk_store_obj *obj;
    bool seen; /* marks during a relist */
};

struct list_job {
    struct sk_informer *inf;
    struct sk_store_list list;
    sk_err rc;
    struct sk_error *err;
};

struct sk_informer {
    struct sk_store *s;
    struct sk_informer *next; /* the store's list, so close can find us */
    char *resource, *ns;
    sk_store_match_fn match;
    void *match_arg;
    struct sk_informer_ops ops;
    void *arg;
    struct entry **tab;
    size_t cap, n;
    struct sk_store_watch *watch;
    uint64_t rev;
    bool synced, dead, listing;
    int busy; /* inside callbacks: free is deferred */
    struct sk_timer *timer;
};

static uint64_t fnv(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    return h;
}

static size_t make_key(char *buf, const char *ns, const char *name)
{
    size_t nl = strlen(ns), ml = strlen(name);
    memcpy(buf, ns, nl);
    buf[nl] = 0;
    memcpy(buf + nl + 1, name, ml);
    return nl + 1 + ml;
}

static struct entry **find(const struct sk_informer *inf, const char *key, size_t klen, uint64_t h)
{
    struct entry **p = &inf->tab[h & (inf->cap - 1)];
    for (; *p; p = &(*p)->next)
        if ((*p)->hash == h && (*p)->klen == klen && !memcmp((*p)->key, key, klen)) break;
    return p;
}

static void grow(struct sk_informer *inf)
{
    size_t ncap = inf->cap * 2;
    struct entry **nt = sk_xcalloc(ncap, sizeof(*nt));
    for (size_t i = 0; i < inf->cap; i++) {
        struct entry *e = inf->tab[i];
        while (e) {
            struct entry *next = e->next;
            e->next = nt[e->hash & (ncap - 1)];
            nt[e->hash & (ncap - 1)] = e;
            e = next;
        }
    }
    free(inf->tab);
    inf->tab = nt;
    inf->cap = ncap;
}

static void informer_destroy(struct sk_informer *inf)
{
    for (struct sk_informer **p = &inf->s->informers; *p; p = &(*p)->next)
        if (*p == inf) {
            *p = inf->next;
            break;
        }
    for (size_t i = 0; i < inf->cap; i++) {
        struct entry *e = inf->tab[i];
        while (e) {
            struct entry *next = e->next;
            sk_store_obj_unref(e->obj);
            free(e->key);
            free(e);
            e = next;
        }
    }
    sk_store_watch_close(inf->watch);
    sk_timer_cancel(inf->timer);
    free(inf->tab);
    free(inf->resource);
    free(inf->ns);
    free(inf);
}

static void leave(struct sk_informer *inf)
{
    if (--inf->busy == 0 && inf->dead && !inf->listing) informer_destroy(inf);
}

/* Put obj (whose tree is nv) in the cache and tell the plugin. Takes a
 * reference of its own. */
static void upsert(struct sk_informer *inf, const char *ns, const char *name,
                   struct sk_store_obj *obj, const struct sk_val *nv, bool mark)
{
    char key[SK_STORE_MAX_NAMESPACE + SK_STORE_MAX_NAME + 2];
    size_t klen = make_key(key, ns, name);
    uint64_t h = fnv(key, klen);
    struct entry **p = find(inf, key, klen, h);
    if (!nv) return;
    if (*p) {
        struct entry *e = *p;
        e->seen = mark;
        if (e->obj->rev == obj->rev) return;
        struct sk_store_obj *old = e->obj;
        e->obj = sk_store_obj_ref(obj);
        if (inf->ops.update) {
            struct sk_val *tmp;
            const struct sk_val *ov = sk_store_obj_peek(old, &tmp);
            if (ov) inf->ops.update(inf->arg, ov, nv);
            sk_val_free(tmp);
        }
        sk_store_obj_unref(old);
        return;
    }
    struct entry *e = sk_xcalloc(1, sizeof(*e));
    e->hash = h;
    e->key = sk_xstrndup(key, klen);
    e->klen = klen;
    e->obj = sk_store_obj_ref(obj);
    e->seen = mark;
    e->next = inf->tab[h & (inf->cap - 1)];
    inf->tab[h & (inf->cap - 1)] = e;
    if (++inf->n > inf->cap * 3 / 4) grow(inf);
    if (inf->ops.add) inf->ops.add(inf->arg, nv);
}

static void remove_entry(struct sk_informer *inf, struct entry **p, struct sk_store_obj *last)
{
    struct entry *e = *p;
    *p = e->next;
    inf->n--;
    struct sk_store_obj *o = last ? last : e->obj;
    if (inf->ops.del) {
        struct sk_val *tmp;
        const struct sk_val *v = sk_store_obj_peek(o, &tmp);
        if (v) inf->ops.del(inf->arg, v);
        sk_val_free(tmp);
    }
    sk_store_obj_unref(e->obj);
    free(e->key);
    free(e);
}

static void start_list(struct sk_informer *inf);

static void on_event(const struct sk_store_event *ev, void *arg)
{
    struct sk_informer *inf = arg;
    if (inf->dead) return;
    inf->busy++;
    if (ev->type == SK_STORE_ERROR) {
        /* Fell out of the window: list again, report the difference. */
        SK_INFO("store", "informer relist resource=%s reason=\"%s\"", inf->resource, ev->message);
        sk_store_watch_close(inf->watch);
        inf->watch = NULL;
        start_list(inf);
    } else if (ev->type == SK_STORE_DELETED) {
        char key[SK_STORE_MAX_NAMESPACE + SK_STORE_MAX_NAME + 2];
        size_t klen = make_key(key, ev->ns, ev->name);
        struct entry **p = find(inf, key, klen, fnv(key, klen));
        inf->rev = ev->rev;
        if (*p) remove_entry(inf, p, ev->obj);
    } else {
        inf->rev = ev->rev;
        struct sk_val *tmp;
        const struct sk_val *v = sk_store_obj_peek(ev->obj, &tmp);
        upsert(inf, ev->ns, ev->name, ev->obj, v, false);
        sk_val_free(tmp);
    }
    leave(inf);
}

static void list_work(void *arg)
{
    struct list_job *j = arg;
    struct sk_informer *inf = j->inf;
    struct sk_store_list_opts o = {.resource = inf->resource,
                                   .ns = inf->ns,
                                   .match = inf->match,
                                   .match_arg = inf->match_arg};
    j->rc = sk_store_list(inf->s, &o, &j->list, &j->err);
}

static void retry_timer(void *arg)
{
    struct sk_informer *inf = arg;
    inf->timer = NULL;
    start_list(inf);
}

static void apply_list(struct sk_informer *inf, struct sk_store_list *l)
{
    for (size_t i = 0; i < inf->cap; i++)
        for (struct entry *e = inf->tab[i]; e; e = e->next)
            e->seen = false;
    for (size_t i = 0; i < l->n && !inf->dead; i++) {
        struct sk_val *tmp;
        const struct sk_val *v = sk_store_obj_peek(l->items[i], &tmp);
        const char *name = sk_obj_name(v), *ns = sk_obj_namespace(v);
        if (name) upsert(inf, ns ? ns : "", name, l->items[i], v, true);
        sk_val_free(tmp);
    }
    for (size_t i = 0; i < inf->cap && !inf->dead; i++) {
        struct entry **p = &inf->tab[i];
        while (*p && !inf->dead) {
            if (!(*p)->seen)
                remove_entry(inf, p, NULL);
            else
                p = &(*p)->next;
        }
    }
}

static void list_done(void *arg)
{
    struct list_job *j = arg;
    struct sk_informer *inf = j->inf;
    inf->s->jobs--;
    inf->listing = false;
    inf->busy++;
    if (!inf->dead && j->rc) {
        SK_WARN("store", "informer list failed resource=%s err=\"%s\"", inf->resource,
                sk_error_msg(j->err, j->rc));
        inf->timer = sk_timer_add(inf->s->loop, 1.0, 0, retry_timer, inf);
    } else if (!inf->dead) {
        apply_list(inf, &j->list);
        inf->rev = j->list.rev;
        if (!inf->dead && !inf->synced) {
            inf->synced = true;
            if (inf->ops.synced) inf->ops.synced(inf->arg);
        }
        if (!inf->dead) {
            struct sk_store_watch_opts wo = {.resource = inf->resource,
                                             .ns = inf->ns,
                                             .from_rev = inf->rev,
                                             .match = inf->match,
                                             .match_arg = inf->match_arg};
            struct sk_error *e = NULL;
            if (sk_store_watch(inf->s, &wo, on_event, inf, &inf->watch, &e) != SK_OK) {
                /* the window moved on while we listed: list again */
                sk_error_free(e);
                inf->timer = sk_timer_add(inf->s->loop, 0, 0, retry_timer, inf);
            }
        }
    }
    sk_store_list_free(&j->list);
    sk_error_free(j->err);
    free(j);
    leave(inf);
}

static void start_list(struct sk_informer *inf)
{
    struct list_job *j = sk_xcalloc(1, sizeof(*j));
    j->inf = inf;
    inf->listing = true;
    inf->s->jobs++;
    if (inf->s->pool && sk_work_submit(inf->s->pool, list_work, list_done, j) == 0) return;
    /* No pool: still never call back from inside sk_informer_new. */
    list_work(j);
    list_done(j);
}

static void first_list(void *arg)
{
    struct sk_informer *inf = arg;
    inf->timer = NULL;
    start_list(inf);
}

struct sk_informer *sk_informer_new(struct sk_store *s, const char *resource, const char *ns,
                                    sk_store_match_fn match, void *match_arg,
                                    const struct sk_informer_ops *ops, void *arg)
{
    if (!s->loop || !resource || !*resource) return NULL;
    struct sk_informer *inf = sk_xcalloc(1, sizeof(*inf));
    inf->s = s;
    inf->resource = sk_xstrdup(resource);
    inf->ns = ns && *ns ? sk_xstrdup(ns) : NULL;
    inf->match = match;
    inf->match_arg = match_arg;
    if (ops) inf->ops = *ops;
    inf->arg = arg;
    inf->cap = 64;
    inf->tab = sk_xcalloc(inf->cap, sizeof(*inf->tab));
    inf->timer = sk_timer_add(s->loop, 0, 0, first_list, inf);
    inf->next = s->informers;
    s->informers = inf;
    return inf;
}

void sk_informer_free(struct sk_informer *inf)
{
    if (!inf || inf->dead) return;
    inf->dead = true;
    sk_store_watch_close(inf->watch);
    inf->watch = NULL;
    sk_timer_cancel(inf->timer);
    inf->timer = NULL;
    if (inf->busy == 0 && !inf->listing) informer_destroy(inf);
}

bool sk_informer_synced(const struct sk_informer *inf)
{
    return inf->synced;
}

uint64_t sk_informer_rev(const struct sk_informer *inf)
{
    return inf->rev;
}

size_t sk_informer_len(const struct sk_informer *inf)
{
    return inf->n;
}

const struct sk_val *sk_informer_get(const struct sk_informer *inf, const char *ns,
                                     const char *name)
{
    ns = ns ? ns : "";
    if (!name || strlen(ns) > SK_STORE_MAX_NAMESPACE || strlen(name) > SK_STORE_MAX_NAME)
        return NULL;
    char key[SK_STORE_MAX_NAMESPACE + SK_STORE_MAX_NAME + 2];
    size_t klen = make_key(key, ns, name);
    struct entry **p = find(inf, key, klen, fnv(key, klen));
    return *p ? sk_store_obj_val((*p)->obj) : NULL;
}

void sk_informer_foreach(const struct sk_informer *inf,
                         void (*fn)(const struct sk_val *obj, void *arg), void *arg)
{
    for (size_t i = 0; i < inf->cap; i++)
        for (struct entry *e = inf->tab[i]; e; e = e->next) {
            const struct sk_val *v = sk_store_obj_val(e->obj);
            if (v) fn(v, arg);
        }
}

void sk_store_informers_fini(struct sk_store *s)
{
    while (s->informers)
        informer_destroy(s->informers);
}
