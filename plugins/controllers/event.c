/* Events as client-go's legacy recorder writes them (core/v1 Event, the
 * form `kubectl describe` shows): one object per distinct message, its
 * count and lastTimestamp bumped when the same thing happens again within
 * ten minutes. The aggregation table is bounded. */
#include "ctl_priv.h"
#include "mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define EV_WINDOW 600.0
#define EV_MAX    4096

struct ctl_evrec {
    char *ns, *name; /* the Event object */
    int64_t count;
    double last; /* controller clock */
};

static void free_rec(void *val)
{
    struct ctl_evrec *r = val;
    if (!r) return;
    free(r->ns);
    free(r->name);
    free(r);
}

struct purge {
    double now;
    char **keys;
    size_t n, cap;
};

static bool collect_old(void *arg, const char *key, void *val)
{
    struct purge *p = arg;
    struct ctl_evrec *r = val;
    if (p->now - r->last <= EV_WINDOW) return true;
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 64;
        p->keys = sk_xrealloc(p->keys, p->cap * sizeof(char *));
    }
    p->keys[p->n++] = sk_xstrdup(key);
    return true;
}

static void purge(struct ctl *c, double now)
{
    struct purge p = {.now = now};
    ctl_hmap_foreach(&c->events, collect_old, &p);
    for (size_t i = 0; i < p.n; i++) {
        free_rec(ctl_hmap_del(&c->events, p.keys[i]));
        free(p.keys[i]);
    }
    free(p.keys);
    if (c->events.n >= EV_MAX) ctl_hmap_free(&c->events, free_rec);
}

static struct sk_val *involved(const struct sk_val *obj)
{
    struct sk_val *r = sk_val_map();
    const char *kind = sk_obj_kind(obj), *ns = sk_obj_namespace(obj), *av = sk_obj_api_version(obj);
    const char *uid = sk_val_str_at(obj, "metadata", "uid", NULL);
    const char *rv = sk_val_str_at(obj, "metadata", "resourceVersion", NULL);
    if (kind) sk_map_set(r, "kind", sk_val_str(kind));
    if (ns && *ns) sk_map_set(r, "namespace", sk_val_str(ns));
    sk_map_set(r, "name", sk_val_str(sk_obj_name(obj) ? sk_obj_name(obj) : ""));
    if (uid) sk_map_set(r, "uid", sk_val_str(uid));
    if (av) sk_map_set(r, "apiVersion", sk_val_str(av));
    if (rv) sk_map_set(r, "resourceVersion", sk_val_str(rv));
    return r;
}

static void create_event(struct ctl *c, const char *component, const struct sk_val *obj,
                         const char *type, const char *reason, const char *msg,
                         struct ctl_evrec *rec, double now)
{
    const char *ons = sk_obj_namespace(obj);
    const char *ns = ons && *ons ? ons : "default";
    char ts[32];
    ctl_time_str(now, ts);
    /* client-go names events <object>.<unix nanoseconds in hex> */
    static uint64_t last_ns;
    uint64_t nanos = (uint64_t)(now * 1e9);
    if (nanos <= last_ns) nanos = last_ns + 1;
    last_ns = nanos;
    char *name = sk_xasprintf("%s.%llx", sk_obj_name(obj) ? sk_obj_name(obj) : "unknown",
                              (unsigned long long)nanos);
    struct sk_val *ev = sk_val_map();
    sk_map_set(ev, "apiVersion", sk_val_str("v1"));
    sk_map_set(ev, "kind", sk_val_str("Event"));
    struct sk_val *m = sk_map_set(ev, "metadata", sk_val_map());
    sk_map_set(m, "name", sk_val_str(name));
    sk_map_set(m, "namespace", sk_val_str(ns));
    sk_map_set(ev, "involvedObject", involved(obj));
    sk_map_set(ev, "reason", sk_val_str(reason));
    sk_map_set(ev, "message", sk_val_str(msg));
    struct sk_val *src = sk_map_set(ev, "source", sk_val_map());
    sk_map_set(src, "component", sk_val_str(component));
    sk_map_set(ev, "firstTimestamp", sk_val_str(ts));
    sk_map_set(ev, "lastTimestamp", sk_val_str(ts));
    sk_map_set(ev, "count", sk_val_int(1));
    sk_map_set(ev, "type", sk_val_str(type));
    sk_map_set(ev, "eventTime", sk_val_null());
    sk_map_set(ev, "reportingComponent", sk_val_str(component));
    sk_map_set(ev, "reportingInstance", sk_val_str(""));
    int rc = ctl_write(c, SKIFF_WRITE_CREATE, "events", ns, name, ev, NULL, NULL);
    if (rc != SKIFF_OK)
        ctl_log(c, SKIFF_LOG_WARN, "events", "event=%s/%s reason=%s not written: code %d", ns, name,
                reason, rc);
    if (rec) {
        free(rec->ns);
        free(rec->name);
        rec->ns = sk_xstrdup(ns);
        rec->name = name;
        rec->count = 1;
        rec->last = now;
    } else {
        free(name);
    }
    sk_val_free(ev);
}

/* The same event again: count + 1 on the stored Event. false when it is
 * gone (then a new one is made). */
static bool bump_event(struct ctl *c, struct ctl_evrec *rec, double now)
{
    void *p = NULL;
    size_t len = 0;
    if (c->host->get(c->ctx, "events", rec->ns, rec->name, &p, &len) != SKIFF_OK) return false;
    struct sk_val *ev = NULL;
    bool ok = !sk_val_from_msgpack(p, len, &ev, NULL) && sk_val_is(ev, SK_V_MAP);
    free(p);
    if (!ok) {
        sk_val_free(ev);
        return false;
    }
    char ts[32];
    int64_t count = sk_val_to_int(sk_map_get(ev, "count"), rec->count) + 1;
    sk_map_set(ev, "count", sk_val_int(count));
    sk_map_set(ev, "lastTimestamp", sk_val_str(ctl_time_str(now, ts)));
    rec->count = count;
    rec->last = now;
    ctl_write(c, SKIFF_WRITE_UPDATE, "events", rec->ns, rec->name, ev, NULL, NULL);
    sk_val_free(ev);
    return true;
}

void ctl_event(struct ctl *c, const char *component, const struct sk_val *obj, const char *type,
               const char *reason, const char *fmt, ...)
{
    if (!c->running || !obj) return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    double now = ctl_now(c);
    const char *uid = sk_val_str_at(obj, "metadata", "uid", NULL);
    char *key = sk_xasprintf("%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s", component,
                             sk_obj_kind(obj) ? sk_obj_kind(obj) : "",
                             sk_obj_namespace(obj) ? sk_obj_namespace(obj) : "",
                             sk_obj_name(obj) ? sk_obj_name(obj) : "", uid ? uid : "", type, reason,
                             msg);
    struct ctl_evrec *rec = ctl_hmap_get(&c->events, key);
    if (rec && now - rec->last <= EV_WINDOW && bump_event(c, rec, now)) {
        free(key);
        return;
    }
    if (!rec) {
        if (c->events.n >= EV_MAX) purge(c, now);
        struct ctl_evrec **slot = (struct ctl_evrec **)ctl_hmap_put(&c->events, key, NULL);
        *slot = rec = sk_xcalloc(1, sizeof(*rec));
    }
    create_event(c, component, obj, type, reason, msg, rec, now);
    free(key);
}

void ctl_events_free(struct ctl *c)
{
    ctl_hmap_free(&c->events, free_rec);
}
