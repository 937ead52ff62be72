/* Writes through the host's propose, and small helpers on objects. A
 * pending write is tracked so the plugin's stop can forget it (core then
 * never calls back). */
#include "ctl_priv.h"
#include "mem.h"

#include <stdio.h>
#include <string.h>

struct ctl_write {
    struct ctl_write *prev, *next;
    struct ctl *c;
    ctl_write_fn done;
    void *arg;
};

void *ctl_encode(const struct sk_val *v, size_t *len)
{
    struct sk_buf b = {0};
    sk_val_to_msgpack(v, &b);
    *len = b.len;
    return b.p;
}

static void unlink_write(struct ctl_write *w)
{
    if (w->prev)
        w->prev->next = w->next;
    else
        w->c->writes = w->next;
    if (w->next) w->next->prev = w->prev;
}

static void write_done(void *arg, int code, const char *message, const void *obj, size_t len)
{
    struct ctl_write *w = arg;
    unlink_write(w);
    if (w->done) {
        struct sk_val *v = NULL;
        if (obj && len && sk_val_from_msgpack(obj, len, &v, NULL)) v = NULL;
        if (v) sk_map_del(sk_map_get(v, "metadata"), "managedFields");
        w->done(w->arg, code, message, v);
        sk_val_free(v);
    }
    free(w);
}

/* The caches drop metadata.managedFields; a full update must not erase
 * them from the store, so they come back from the stored object. */
static struct sk_val *with_managed_fields(struct ctl *c, const char *resource, const char *ns,
                                          const char *name, const struct sk_val *obj)
{
    if (sk_val_at(obj, "metadata", "managedFields", NULL)) return NULL;
    /* the cache knows whether there are any to keep */
    if (ctl_cache_managed_fields(c, resource, ns, name) == 0) return NULL;
    void *p = NULL;
    size_t len = 0;
    if (c->host->get(c->ctx, resource, ns, name, &p, &len) != SKIFF_OK) return NULL;
    struct sk_val *cur = NULL;
    struct sk_val *out = NULL;
    if (!sk_val_from_msgpack(p, len, &cur, NULL)) {
        struct sk_val *mf = sk_val_at(cur, "metadata", "managedFields", NULL);
        if (mf && sk_val_is(sk_map_get(obj, "metadata"), SK_V_MAP)) {
            out = sk_val_dup(obj);
            sk_map_set(sk_map_get(out, "metadata"), "managedFields", sk_val_dup(mf));
        }
    }
    sk_val_free(cur);
    free(p);
    return out;
}

int ctl_write(struct ctl *c, int op, const char *resource, const char *ns, const char *name,
              const struct sk_val *obj, ctl_write_fn done, void *arg)
{
    if (!c->running) return SKIFF_EUNAVAILABLE;
    void *bytes = NULL;
    size_t len = 0;
    if (op != SKIFF_WRITE_DELETE) {
        if (!obj) return SKIFF_EINVAL;
        struct sk_val *full = NULL;
        if (op == SKIFF_WRITE_UPDATE) full = with_managed_fields(c, resource, ns, name, obj);
        bytes = ctl_encode(full ? full : obj, &len);
        sk_val_free(full);
    }
    struct ctl_write *w = sk_xcalloc(1, sizeof(*w));
    w->c = c;
    w->done = done;
    w->arg = arg;
    int rc = c->host->propose(c->ctx, op, resource, ns && *ns ? ns : NULL, name, bytes, len,
                              write_done, w);
    free(bytes);
    if (rc != SKIFF_OK) {
        free(w);
        return rc;
    }
    w->next = c->writes;
    if (c->writes) c->writes->prev = w;
    c->writes = w;
    return SKIFF_OK;
}

void ctl_writes_drop(struct ctl *c)
{
    /* core never calls back a stopped plugin's pending writes */
    while (c->writes) {
        struct ctl_write *w = c->writes;
        c->writes = w->next;
        free(w);
    }
}

const char *ctl_key(const struct sk_val *obj, char *buf, size_t len)
{
    const char *ns = sk_obj_namespace(obj);
    const char *name = sk_obj_name(obj);
    if (!name) name = "";
    if (ns && *ns)
        snprintf(buf, len, "%s/%s", ns, name);
    else
        snprintf(buf, len, "%s", name);
    return buf;
}

bool ctl_key_split(const char *key, char *ns, size_t nslen, char *name, size_t namelen)
{
    if (!key || !*key) return false;
    const char *slash = strchr(key, '/');
    if (!slash) {
        if (strlen(key) >= namelen) return false;
        ns[0] = 0;
        strcpy(name, key);
        return true;
    }
    size_t nl = (size_t)(slash - key);
    if (!nl || nl >= nslen || strchr(slash + 1, '/') || !slash[1] || strlen(slash + 1) >= namelen)
        return false;
    memcpy(ns, key, nl);
    ns[nl] = 0;
    strcpy(name, slash + 1);
    return true;
}

struct sk_val *ctl_owner_ref(const struct sk_val *owner)
{
    struct sk_val *r = sk_val_map();
    const char *av = sk_obj_api_version(owner), *kind = sk_obj_kind(owner);
    sk_map_set(r, "apiVersion", sk_val_str(av ? av : ""));
    sk_map_set(r, "kind", sk_val_str(kind ? kind : ""));
    sk_map_set(r, "name", sk_val_str(sk_obj_name(owner) ? sk_obj_name(owner) : ""));
    const char *uid = sk_val_str_at(owner, "metadata", "uid", NULL);
    sk_map_set(r, "uid", sk_val_str(uid ? uid : ""));
    sk_map_set(r, "controller", sk_val_bool(true));
    sk_map_set(r, "blockOwnerDeletion", sk_val_bool(true));
    return r;
}

const char *ctl_controller_uid(const struct sk_val *obj)
{
    return sk_val_str_at(sk_obj_controller_ref(obj), "uid", NULL);
}
