/* A small string-keyed hash map for the controllers' caches, indexes and
 * queues. Loop thread only, like everything in the plugin. */
#include "ctl_priv.h"
#include "mem.h"

#include <string.h>

uint64_t ctl_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

static struct ctl_hent **find(const struct ctl_hmap *m, const char *key, uint64_t h)
{
    struct ctl_hent **p = &m->tab[h & (m->cap - 1)];
    for (; *p; p = &(*p)->next)
        if ((*p)->h == h && !strcmp((*p)->key, key)) break;
    return p;
}

void *ctl_hmap_get(const struct ctl_hmap *m, const char *key)
{
    if (!m->cap) return NULL;
    struct ctl_hent *e = *find(m, key, ctl_hash(key));
    return e ? e->val : NULL;
}

static void grow(struct ctl_hmap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 16;
    struct ctl_hent **nt = sk_xcalloc(ncap, sizeof(*nt));
    for (size_t i = 0; i < m->cap; i++) {
        struct ctl_hent *e = m->tab[i];
        while (e) {
            struct ctl_hent *next = e->next;
            e->next = nt[e->h & (ncap - 1)];
            nt[e->h & (ncap - 1)] = e;
            e = next;
        }
    }
    free(m->tab);
    m->tab = nt;
    m->cap = ncap;
}

void **ctl_hmap_put(struct ctl_hmap *m, const char *key, bool *created)
{
    if (m->n + 1 > m->cap * 3 / 4) grow(m);
    uint64_t h = ctl_hash(key);
    struct ctl_hent **p = find(m, key, h);
    if (*p) {
        if (created) *created = false;
        return &(*p)->val;
    }
    struct ctl_hent *e = sk_xcalloc(1, sizeof(*e));
    e->h = h;
    e->key = sk_xstrdup(key);
    *p = e;
    m->n++;
    if (created) *created = true;
    return &e->val;
}

void *ctl_hmap_del(struct ctl_hmap *m, const char *key)
{
    if (!m->cap) return NULL;
    struct ctl_hent **p = find(m, key, ctl_hash(key));
    struct ctl_hent *e = *p;
    if (!e) return NULL;
    *p = e->next;
    void *v = e->val;
    free(e->key);
    free(e);
    m->n--;
    return v;
}

void ctl_hmap_foreach(const struct ctl_hmap *m, bool (*fn)(void *arg, const char *key, void *val),
                      void *arg)
{
    for (size_t i = 0; i < m->cap; i++)
        for (struct ctl_hent *e = m->tab[i]; e; e = e->next)
            if (!fn(arg, e->key, e->val)) return;
}

void ctl_hmap_free(struct ctl_hmap *m, void (*free_val)(void *val))
{
    for (size_t i = 0; i < m->cap; i++) {
        struct ctl_hent *e = m->tab[i];
        while (e) {
            struct ctl_hent *next = e->next;
            if (free_val) free_val(e->val);
            free(e->key);
            free(e);
            e = next;
        }
    }
    free(m->tab);
    memset(m, 0, sizeof(*m));
}
