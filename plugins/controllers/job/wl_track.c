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

int64_t wl_rev_number(const struct sk_val *cr)
{
    return sk_val_to_int(sk_map_get(cr, "revision"), 0);
}

static int by_revision(const void *a, const void *b)
{
    int64_t x = wl_rev_number(*(const struct sk_val *const *)a);
    int64_t y = wl_rev_number(*(const struct sk_val *const *)b);
    return x < y ? -1 : x > y;
}

void wl_sort_revisions(const struct sk_val **v, size_t n)
{
    if (n > 1) qsort(v, n, sizeof(*v), by_revision);
}

bool wl_ensure_revision(struct wl_track *t, const char *key, const struct wl_revision *how,
                        const struct sk_val *owner, const char *name, const char *hash,
                        struct sk_val *data, int64_t next_cc, const struct sk_val *const *revs,
                        size_t n)
{
    const char *ns = sk_obj_namespace(owner) ? sk_obj_namespace(owner) : "";
    int64_t max = 0;
    const struct sk_val *cur = NULL;
    for (size_t i = 0; i < n; i++) {
        if (wl_rev_number(revs[i]) > max) max = wl_rev_number(revs[i]);
        if (!strcmp(sk_obj_name(revs[i]), name)) cur = revs[i];
    }
    if (cur) {
        bool same = sk_val_equal(sk_map_get(cur, "data"), data);
        sk_val_free(data);
        if (!same) {
            /* a hash collision: bump collisionCount and hash again */
            struct sk_val *copy = sk_val_dup(owner);
            sk_val_set_at(copy, sk_val_int(next_cc), "status", "collisionCount", NULL);
            wl_write(t, key, how->status_tag, SKIFF_WRITE_UPDATE_STATUS, how->owner_resource, ns,
                     sk_obj_name(owner), NULL, copy);
            sk_val_free(copy);
            return false;
        }
        if (wl_rev_number(cur) < max) {
            struct sk_val *copy = sk_val_dup(cur);
            sk_map_set(copy, "revision", sk_val_int(max + 1));
            wl_write(t, key, how->revision_tag, SKIFF_WRITE_UPDATE, "apps/controllerrevisions", ns,
                     sk_obj_name(cur), NULL, copy);
            sk_val_free(copy);
            return false;
        }
        return true;
    }
    struct sk_val *cr = sk_val_map();
    sk_map_set(cr, "apiVersion", sk_val_str("apps/v1"));
    sk_map_set(cr, "kind", sk_val_str("ControllerRevision"));
    struct sk_val *m = sk_map_set(cr, "metadata", sk_val_map());
    sk_map_set(m, "name", sk_val_str(name));
    sk_map_set(m, "namespace", sk_val_str(ns));
    const struct sk_val *tl = sk_val_at(owner, "spec", "template", "metadata", "labels", NULL);
    struct sk_val *labels =
            sk_map_set(m, "labels", sk_val_is(tl, SK_V_MAP) ? sk_val_dup(tl) : sk_val_map());
    sk_map_set(labels, how->hash_label, sk_val_str(hash));
    const struct sk_val *an = sk_obj_annotations(owner);
    if (how->copy_annotations && sk_val_is(an, SK_V_MAP) && sk_map_len(an)) {
        struct sk_val *a = sk_map_set(m, "annotations", sk_val_dup(an));
        sk_map_del(a, "kubectl.kubernetes.io/last-applied-configuration");
    }
    sk_arr_push(sk_map_set(m, "ownerReferences", sk_val_arr()), ctl_owner_ref(owner));
    sk_map_set(cr, "data", data);
    sk_map_set(cr, "revision", sk_val_int(max + 1));
    wl_write(t, key, how->revision_tag, SKIFF_WRITE_CREATE, "apps/controllerrevisions", ns, NULL,
             name, cr);
    sk_val_free(cr);
    return false;
}
