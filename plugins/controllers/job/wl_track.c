/* In-flight write accounting per owner key (see wl_track.h). */
#include "wl_track.h"

#include "mem.h"

#include <stdlib.h>
#include <string.h>

struct wl_key {
    struct wl_key *next;
    char *key;
    int inflight;
};

struct wl_wr {
    struct wl_wr *prev, *next;
    struct wl_track *t;
    char *key, *objname;
    int tag;
};

struct wl_track {
    struct ctl *c;
    struct ctl_queue *q;
    wl_done_fn done;
    void *arg;
    struct wl_key *keys;
    struct wl_wr *wrs;
};

struct wl_track *wl_track_new(struct ctl *c, struct ctl_queue *q, wl_done_fn done, void *arg)
{
    struct wl_track *t = sk_xcalloc(1, sizeof(*t));
    t->c = c;
    t->q = q;
    t->done = done;
    t->arg = arg;
    return t;
}

static struct wl_key *key_get(struct wl_track *t, const char *key, bool create)
{
    for (struct wl_key *k = t->keys; k; k = k->next)
        if (!strcmp(k->key, key)) return k;
    if (!create) return NULL;
    struct wl_key *k = sk_xcalloc(1, sizeof(*k));
    k->key = sk_xstrdup(key);
    k->next = t->keys;
    t->keys = k;
    return k;
}

static void key_drop(struct wl_track *t, const char *key)
{
    for (struct wl_key **p = &t->keys; *p; p = &(*p)->next)
        if (!strcmp((*p)->key, key)) {
            struct wl_key *k = *p;
            *p = k->next;
            free(k->key);
            free(k);
            return;
        }
}

static void wr_free(struct wl_wr *w)
{
    if (w->prev)
        w->prev->next = w->next;
    else
        w->t->wrs = w->next;
    if (w->next) w->next->prev = w->prev;
    free(w->key);
    free(w->objname);
    free(w);
}

void wl_track_free(struct wl_track *t)
{
    if (!t) return;
    while (t->wrs)
        wr_free(t->wrs);
    while (t->keys)
        key_drop(t, t->keys->key);
    free(t);
}

bool wl_busy(const struct wl_track *t, const char *key)
{
    for (const struct wl_key *k = t->keys; k; k = k->next)
        if (!strcmp(k->key, key)) return k->inflight > 0;
    return false;
}

static void on_done(void *arg, int code, const char *message, const struct sk_val *obj)
{
    struct wl_wr *w = arg;
    struct wl_track *t = w->t;
    if (t->done) t->done(t->arg, w->key, w->tag, w->objname, code, message, obj);
    struct wl_key *k = key_get(t, w->key, false);
    if (k && --k->inflight <= 0) {
        if (t->q) ctl_queue_add(t->q, w->key);
        key_drop(t, w->key);
    }
    wr_free(w);
}

int wl_write(struct wl_track *t, const char *key, int tag, int op, const char *resource,
             const char *ns, const char *name, const char *objname, const struct sk_val *obj)
{
    struct wl_wr *w = sk_xcalloc(1, sizeof(*w));
    w->t = t;
    w->key = sk_xstrdup(key);
    w->objname = sk_xstrdup(objname ? objname : name ? name : "");
    w->tag = tag;
    w->next = t->wrs;
    if (t->wrs) t->wrs->prev = w;
    t->wrs = w;
    struct wl_key *k = key_get(t, key, true);
    k->inflight++;
    int rc = ctl_write(t->c, op, resource, ns, name, obj, on_done, w);
    if (rc != SKIFF_OK) {
        if (--k->inflight <= 0) key_drop(t, key);
        wr_free(w);
    }
    return rc;
}
