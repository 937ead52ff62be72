/* Reads and deletes: get (and the scale subresource's get), list with
 * label and field selectors and pagination, delete with grace periods,
 * propagation policies and preconditions, and deletecollection. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_int.h"
#include "json.h"
#include "log.h"
#include "loop.h"
#include "mem.h"
#include "work.h"

/* ---- get ---- */

void sk_api_get(struct sk_api_rq *r)
{
    struct sk_store_obj *o = NULL;
    struct sk_error *e = NULL;
    sk_err rc = sk_store_get(r->api->store, r->res, r->ns, r->name, &o, &e);
    if (rc) {
        sk_api_fail_err(r, rc, sk_error_msg(e, rc), r->name);
        sk_error_free(e);
        return;
    }
    if (r->sub && !strcmp(r->sub, "scale")) {
        struct sk_val *s = sk_api_scale_of(r->kind, sk_store_obj_val(o));
        sk_api_respond_val(r, 200, s);
        sk_val_free(s);
    } else if (r->out == SK_API_OUT_TABLE) {
        struct sk_buf b = {0};
        const struct sk_val *v = sk_store_obj_val(o);
        sk_api_write_table(r->kind, r->include, &v, 1, 0, NULL, false, &b);
        sk_http_respond(r->req, 200, SK_API_CT_TABLE, NULL, b.p, b.len);
        sk_buf_free(&b);
        sk_api_rq_free(r);
    } else if (r->out == SK_API_OUT_JSON && !r->pretty &&
               sk_api_obj_json(r->api, r->kind, o, &r->api->scratch)) {
        struct sk_buf *b = &r->api->scratch;
        sk_buf_putc(b, '\n');
        sk_http_respond(r->req, 200, "application/json", NULL, b->p, b->len);
        b->len = 0;
        sk_api_rq_free(r);
    } else {
        struct sk_buf b = {0};
        sk_api_write_obj(r->kind, o, r->out, r->pretty, &b);
        sk_http_respond(r->req, 200,
                        r->out == SK_API_OUT_YAML ? "application/yaml" : "application/json", NULL,
                        b.p, b.len);
        sk_buf_free(&b);
        sk_api_rq_free(r);
    }
    sk_store_obj_unref(o);
}

/* ---- selectors ---- */

bool sk_api_parse_selectors(struct sk_api_rq *r)
{
    const char *ls = sk_http_req_query_param(r->req, "labelSelector");
    const char *fs = sk_http_req_query_param(r->req, "fieldSelector");
    struct sk_error *e = NULL;
    if (ls && *ls && sk_labelsel_parse(ls, &r->lsel, &e)) {
        sk_api_fail_badrequest(r, sk_error_msg(e, SK_EINVAL));
        sk_error_free(e);
        return false;
    }
    if (fs && *fs) {
        if (sk_fieldsel_parse(fs, &r->fsel, &e) ||
            sk_fieldsel_convert(r->fsel, r->kind->group, r->kind->kind, &e)) {
            sk_api_fail_badrequest(r, sk_error_msg(e, SK_EINVAL));
            sk_error_free(e);
            return false;
        }
    }
    if (r->lsel && sk_labelsel_empty(r->lsel)) {
        sk_labelsel_free(r->lsel);
        r->lsel = NULL;
    }
    if (r->fsel && sk_fieldsel_empty(r->fsel)) {
        sk_fieldsel_free(r->fsel);
        r->fsel = NULL;
    }
    return true;
}

bool sk_api_match(const struct sk_val *obj, void *arg)
{
    const struct sk_api_rq *r = arg;
    if (r->lsel && !sk_labelsel_matches(r->lsel, sk_obj_labels(obj))) return false;
    if (r->fsel && !sk_fieldsel_matches(r->fsel, obj)) return false;
    return true;
}

/* ---- list ---- */

struct list_job {
    struct sk_api_rq *r;
    struct sk_store_list_opts o;
    char *cont;
    sk_err rc;
    struct sk_error *err;
    struct sk_buf out;
    /* JSON lists: items' cached encodings pinned while the store listed
     * (items[i] NULL), by item index */
    const char **pin;
    size_t *pin_len;
    size_t npin;
    /* waiting for the store to reach a resourceVersion the client saw */
    uint64_t wait_rv;
    int wait_ticks;
    struct sk_timer *wait;
};

/* The store's have hook: an item whose newest version's JSON is in the
 * cache needs no record read, copy or checksum; the pinned bytes are its
 * version at the list's revision (the cache is keyed by revision). */
static bool list_have(size_t i, uint64_t rev, void *arg)
{
    struct list_job *j = arg;
    size_t len;
    const char *p = sk_api_jcache_pin(j->r->api, rev, &len);
    if (!p) return false;
    if (i >= j->npin) {
        size_t n = j->npin ? j->npin : 256;
        while (n <= i)
            n *= 2;
        j->pin = sk_xrealloc(j->pin, n * sizeof(*j->pin));
        j->pin_len = sk_xrealloc(j->pin_len, n * sizeof(*j->pin_len));
        memset(j->pin + j->npin, 0, (n - j->npin) * sizeof(*j->pin));
        j->npin = n;
    }
    if (j->pin[i]) sk_api_jcache_unpin(j->r->api, &j->pin[i], 1); /* a retried list */
    j->pin[i] = p;
    j->pin_len[i] = len;
    return true;
}

static void list_encode(struct list_job *j, const struct sk_store_list *l)
{
    struct sk_api_rq *r = j->r;
    const struct sk_kind *k = r->kind;
    const char *av = sk_kind_api_version(k);
    struct sk_buf *b = &j->out;
    if (r->out != SK_API_OUT_JSON || r->pretty) sk_http_body_init(b, 0);
    if (r->out == SK_API_OUT_TABLE) {
        const struct sk_val **objs = sk_xcalloc(l->n ? l->n : 1, sizeof(*objs));
        size_t n = 0;
        for (size_t i = 0; i < l->n; i++) {
            const struct sk_val *v = sk_store_obj_val(l->items[i]);
            if (sk_val_is(v, SK_V_MAP)) objs[n++] = v;
        }
        sk_api_write_table(k, r->include, objs, n, l->rev, l->cont, false, b);
        free(objs);
        return;
    }
    if (r->out == SK_API_OUT_JSON && !r->pretty) {
        size_t total = 0, known = l->n;
        for (size_t i = 0; i < l->n; i++) {
            if (l->items[i])
                total += l->items[i]->len;
            else
                known += j->pin_len[i];
        }
        /* JSON runs about a third longer than msgpack */
        sk_http_body_init(b, total + total / 2 + known + 256);
        sk_buf_printf(b,
                      "{\"kind\":\"%s\",\"apiVersion\":\"%s\",\"metadata\":{\"resourceVersion\":"
                      "\"%" PRIu64 "\"",
                      k->list_kind, av, l->rev);
        if (l->cont) {
            sk_buf_puts(b, ",\"continue\":\"");
            sk_buf_puts(b, l->cont); /* base64url: nothing to escape */
            sk_buf_putc(b, '"');
        }
        sk_buf_puts(b, "},\"items\":[");
        size_t before = b->len;
        for (size_t i = 0; i < l->n; i++) {
            if (b->len > before) sk_buf_putc(b, ',');
            if (!l->items[i])
                sk_buf_append(b, j->pin[i], j->pin_len[i]);
            else if (!sk_api_obj_json(r->api, k, l->items[i], b))
                sk_log(SK_LOG_WARN, SK_API_WHO, "skipping an undecodable object in %s", r->res);
        }
        sk_buf_puts(b, "]}\n");
        return;
    }
    struct sk_val *lv = sk_val_map();
    sk_map_set(lv, "kind", sk_val_str(k->list_kind));
    sk_map_set(lv, "apiVersion", sk_val_str(av));
    struct sk_val *m = sk_map_set(lv, "metadata", sk_val_map());
    sk_map_set(m, "resourceVersion", sk_val_strf("%" PRIu64, l->rev));
    if (l->cont) sk_map_set(m, "continue", sk_val_str(l->cont));
    struct sk_val *items = sk_map_set(lv, "items", sk_val_arr());
    for (size_t i = 0; i < l->n; i++) {
        const struct sk_val *v = sk_store_obj_val(l->items[i]);
        if (!sk_val_is(v, SK_V_MAP)) continue;
        struct sk_val *c = sk_arr_push(items, sk_val_dup(v));
        sk_api_set_type(k, c);
    }
    sk_api_write_val(lv, r->out, r->pretty, b);
    sk_val_free(lv);
}

static void list_work(void *arg)
{
    struct list_job *j = arg;
    struct sk_store_list l = {0};
    j->rc = sk_store_list(j->r->api->store, &j->o, &l, &j->err);
    if (!j->rc) list_encode(j, &l);
    sk_store_list_free(&l);
    if (j->npin) sk_api_jcache_unpin(j->r->api, j->pin, j->npin);
    free(j->pin);
    free(j->pin_len);
    j->pin = NULL;
    j->pin_len = NULL;
    j->npin = 0;
}

static void list_done(void *arg)
{
    struct list_job *j = arg;
    struct sk_api_rq *r = j->r;
    if (j->rc) {
        sk_err rc = j->rc;
        if (rc == SK_EINVAL && strstr(sk_error_msg(j->err, rc), "continue")) {
            sk_api_fail_badrequest(r, sk_error_msg(j->err, rc));
        } else {
            sk_api_fail_err(r, rc, sk_error_msg(j->err, rc), NULL);
        }
    } else {
        const char *ct = r->out == SK_API_OUT_YAML    ? "application/yaml"
                         : r->out == SK_API_OUT_TABLE ? SK_API_CT_TABLE
                                                      : "application/json";
        sk_http_respond_buf(r->req, 200, ct, NULL, &j->out);
        sk_api_rq_free(r);
    }
    sk_error_free(j->err);
    sk_http_body_release(&j->out);
    free(j->cont);
    free(j);
}

static bool parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s) return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || s[0] == '-') return false;
    *out = v;
    return true;
}

static void list_submit(struct list_job *j)
{
    struct sk_api *api = j->r->api;
    if (!api->pool || sk_work_submit(api->pool, list_work, list_done, j) != 0) {
        list_work(j);
        list_done(j);
    }
}

/* kube-apiserver waits up to 3 s for its cache to reach a resourceVersion
 * newer than it has seen, then answers 504 with a ResourceVersionTooLarge
 * cause (clients then retry); the store is that cache here. */
#define WAIT_TICK  0.01
#define WAIT_TICKS 300

static void list_wait_tick(void *arg)
{
    struct list_job *j = arg;
    struct sk_api_rq *r = j->r;
    uint64_t cur = sk_store_rev(r->api->store);
    if (cur < j->wait_rv && ++j->wait_ticks < WAIT_TICKS && !sk_http_req_gone(r->req)) return;
    sk_timer_cancel(j->wait);
    j->wait = NULL;
    if (cur >= j->wait_rv) {
        list_submit(j);
        return;
    }
    char *msg = sk_xasprintf("Timeout: Too large resource version: %" PRIu64 ", current: %" PRIu64,
                             j->wait_rv, cur);
    struct sk_causes c = {0};
    sk_causes_add(&c, "", "ResourceVersionTooLarge", "Too large resource version");
    struct sk_api_details d = {.causes = &c};
    sk_api_fail(r, 504, "Timeout", msg, &d);
    sk_causes_free(&c);
    free(msg);
    free(j->cont);
    free(j);
}

/* 422 for a ListOptions field, as kube-apiserver words it. */
static void list_options_invalid(struct sk_api_rq *r, const char *why)
{
    struct sk_causes c = {0};
    sk_causes_add(&c, "resourceVersionMatch", "FieldValueForbidden", "%s", why);
    char *d = sk_causes_string(&c);
    char *msg = sk_xasprintf("ListOptions.meta.k8s.io \"\" is invalid: %s", d);
    struct sk_api_details det = {.group = "meta.k8s.io", .kind = "ListOptions", .causes = &c};
    sk_api_fail(r, 422, "Invalid", msg, &det);
    free(msg);
    free(d);
    sk_causes_free(&c);
}

void sk_api_list(struct sk_api_rq *r)
{
    if (!sk_api_parse_selectors(r)) return;
    struct sk_http_req *req = r->req;
    const char *lim = sk_http_req_query_param(req, "limit");
    const char *cont = sk_http_req_query_param(req, "continue");
    const char *rv = sk_http_req_query_param(req, "resourceVersion");
    const char *rvm = sk_http_req_query_param(req, "resourceVersionMatch");
    if (rvm && *rvm && !(rv && *rv)) {
        return list_options_invalid(r, "Forbidden: resourceVersionMatch is forbidden unless "
                                       "resourceVersion is provided");
    }
    if (cont && *cont && rv && *rv && strcmp(rv, "0") != 0) {
        sk_api_fail_badrequest(r, "specifying resource version is not allowed when using "
                                  "continue");
        return;
    }
    uint64_t limit = 0, rvn = 0;
    if (lim && *lim && !parse_u64(lim, &limit)) limit = 0;
    bool exact = rvm && !strcmp(rvm, "Exact");
    if (rv && *rv && !parse_u64(rv, &rvn)) {
        sk_api_fail_badrequest(r, "resourceVersion: Invalid value: must be an unsigned integer");
        return;
    }
    if (exact && rvn == 0) {
        return list_options_invalid(r, "Forbidden: resourceVersionMatch \"exact\" is forbidden "
                                       "for resourceVersion \"0\"");
    }
    struct list_job *j = sk_xcalloc(1, sizeof(*j));
    j->r = r;
    j->cont = cont && *cont ? sk_xstrdup(cont) : NULL;
    j->o.resource = r->res;
    j->o.ns = r->ns;
    j->o.limit = (size_t)limit;
    j->o.cont = j->cont;
    if (r->lsel || r->fsel) {
        j->o.match = sk_api_match;
        j->o.match_arg = r;
    } else if (r->out == SK_API_OUT_JSON && !r->pretty) {
        j->o.have = list_have;
        j->o.have_arg = j;
    }
    if (!j->cont && exact) j->o.rev = rvn; /* as of that revision, or 410 */
    /* Exact, NotOlderThan or a bare resourceVersion: not older than rvn */
    if (!j->cont && rvn > sk_store_rev(r->api->store)) {
        j->wait_rv = rvn;
        j->wait = sk_timer_add(r->api->loop, WAIT_TICK, WAIT_TICK, list_wait_tick, j);
        return;
    }
    list_submit(j);
}

/* ---- delete ---- */

struct del_opts {
    bool grace_set;
    int64_t grace;
    const char *prop; /* Foreground, Background, Orphan or NULL */
    bool orphan;      /* orphanDependents: true */
    const char *uid;
    uint64_t rv;
    struct sk_val *body; /* owns the strings above when they came from it */
};

static bool del_invalid(struct sk_api_rq *r, const char *field, const char *fmt, const char *v)
{
    struct sk_causes c = {0};
    sk_causes_add(&c, field, "FieldValueNotSupported", fmt, v);
    char *d = sk_causes_string(&c);
    char *msg = sk_xasprintf("DeleteOptions.meta.k8s.io \"\" is invalid: %s", d);
    struct sk_api_details det = {.group = "meta.k8s.io", .kind = "DeleteOptions", .causes = &c};
    sk_api_fail(r, 422, "Invalid", msg, &det);
    free(msg);
    free(d);
    sk_causes_free(&c);
    return false;
}

static bool parse_del_opts(struct sk_api_rq *r, struct del_opts *o)
{
    memset(o, 0, sizeof(*o));
    size_t len;
    sk_http_req_body(r->req, &len);
    if (len) {
        if (!sk_api_decode_body(r, &o->body)) return false;
        const struct sk_val *g = sk_map_get(o->body, "gracePeriodSeconds");
        if (sk_val_is(g, SK_V_INT)) {
            o->grace_set = true;
            o->grace = g->u.i;
        }
        o->prop = sk_val_cstr(sk_map_get(o->body, "propagationPolicy"));
        const struct sk_val *od = sk_map_get(o->body, "orphanDependents");
        if (sk_val_is(od, SK_V_BOOL) && od->u.b) o->orphan = true;
        o->uid = sk_val_str_at(o->body, "preconditions", "uid", NULL);
        const char *rv = sk_val_str_at(o->body, "preconditions", "resourceVersion", NULL);
        if (rv && *rv && !parse_u64(rv, &o->rv)) {
            sk_api_fail_badrequest(r, "invalid resourceVersion precondition");
            return false;
        }
        const struct sk_val *dr = sk_map_get(o->body, "dryRun");
        for (size_t i = 0; i < sk_arr_len(dr); i++) {
            const char *s = sk_val_cstr(sk_arr_get(dr, i));
            if (s && !strcmp(s, "All")) r->dry_run = true;
        }
    }
    const char *g = sk_http_req_query_param(r->req, "gracePeriodSeconds");
    if (g && *g) {
        char *end;
        long long v = strtoll(g, &end, 10);
        if (*end) {
            sk_api_fail_badrequest(r, "gracePeriodSeconds: invalid value");
            return false;
        }
        o->grace_set = true;
        o->grace = v;
    }
    const char *p = sk_http_req_query_param(r->req, "propagationPolicy");
    if (p && *p) o->prop = p;
    const char *od = sk_http_req_query_param(r->req, "orphanDependents");
    if (od && !strcmp(od, "true")) o->orphan = true;
    if (o->prop && strcmp(o->prop, "Foreground") && strcmp(o->prop, "Background") &&
        strcmp(o->prop, "Orphan"))
        return del_invalid(r, "propagationPolicy",
                           "Unsupported value: \"%s\": supported values: \"Foreground\", "
                           "\"Background\", \"Orphan\"",
                           o->prop);
    if (o->grace_set && o->grace < 0) o->grace = 0;
    return true;
}

/* What a delete does to obj: its grace period and the finalizers the
 * propagation policy adds. */
static int64_t grace_for(const struct sk_kind *k, const struct sk_val *obj,
                         const struct del_opts *o)
{
    if (strcmp(k->kind, "Pod") != 0 || k->group[0]) return 0;
    /* Pods end gracefully on their node; one that never ran, or has
     * finished, goes at once. */
    const char *node = sk_val_str_at(obj, "spec", "nodeName", NULL);
    const char *phase = sk_val_str_at(obj, "status", "phase", NULL);
    if (!node || !*node) return 0;
    if (phase && (!strcmp(phase, "Succeeded") || !strcmp(phase, "Failed"))) return 0;
    if (o->grace_set) return o->grace;
    const struct sk_val *t = sk_val_at(obj, "spec", "terminationGracePeriodSeconds", NULL);
    return sk_val_is(t, SK_V_INT) && t->u.i >= 0 ? t->u.i : 30;
}

static const char *const *finalizers_for(const struct del_opts *o)
{
    static const char *const orphan[] = {"orphan", NULL};
    static const char *const fg[] = {"foregroundDeletion", NULL};
    if (o->prop) {
        if (!strcmp(o->prop, "Orphan")) return orphan;
        if (!strcmp(o->prop, "Foreground")) return fg;
        return NULL;
    }
    return o->orphan ? orphan : NULL;
}

/* Whether the delete answers with the object (pods do; others with a
 * Status unless the object stays, being finalized). */
static bool returns_object(const struct sk_kind *k)
{
    return !k->group[0] && !strcmp(k->kind, "Pod");
}

static void respond_deleted(struct sk_api_rq *r, struct sk_store_obj *o, const struct sk_val *v,
                            bool deleted)
{
    if (!deleted || returns_object(r->kind)) {
        if (o) {
            struct sk_buf b = {0};
            sk_api_write_obj(r->kind, o, r->out, r->pretty, &b);
            sk_http_respond(r->req, 200,
                            r->out == SK_API_OUT_YAML ? "application/yaml" : "application/json",
                            NULL, b.p, b.len);
            sk_buf_free(&b);
            sk_api_rq_free(r);
        } else {
            sk_api_respond_val(r, 200, v);
        }
        return;
    }
    struct sk_api_details d = {.name = r->name,
                               .group = r->kind->group,
                               .kind = r->kind->plural,
                               .uid = sk_val_str_at(v, "metadata", "uid", NULL)};
    struct sk_buf b = {0};
    sk_api_status_json(&b, true, 0, NULL, NULL, &d);
    sk_buf_putc(&b, '\n');
    sk_api_respond_json(r, 200, b.p, b.len);
    sk_buf_free(&b);
}

static void delete_done(const struct sk_store_result *res, void *arg)
{
    struct sk_api_rq *r = arg;
    if (res->code) {
        sk_api_fail_err(r, res->code, sk_error_msg(res->err, res->code), r->name);
        return;
    }
    respond_deleted(r, res->obj, sk_store_obj_val(res->obj), res->deleted);
}

/* NamespaceLifecycle: the system namespaces may not be deleted. */
static bool namespace_deletable(struct sk_api_rq *r)
{
    static const char *const immortal[] = {"default", "kube-system", "kube-public",
                                           "kube-node-lease", NULL};
    if (strcmp(r->kind->kind, "Namespace") != 0 || r->kind->group[0] || !r->name) return true;
    for (const char *const *p = immortal; *p; p++) {
        if (strcmp(*p, r->name) != 0) continue;
        char *msg = sk_xasprintf("namespaces \"%s\" is forbidden: this namespace may not be "
                                 "deleted",
                                 r->name);
        struct sk_api_details d = {.name = r->name, .kind = "namespaces"};
        sk_api_fail(r, 403, "Forbidden", msg, &d);
        free(msg);
        return false;
    }
    return true;
}

void sk_api_delete(struct sk_api_rq *r)
{
    if (!namespace_deletable(r)) return;
    struct del_opts o;
    if (!parse_del_opts(r, &o)) {
        sk_val_free(o.body);
        return;
    }
    struct sk_store_obj *cur = NULL;
    struct sk_error *e = NULL;
    sk_err rc = sk_store_get(r->api->store, r->res, r->ns, r->name, &cur, &e);
    if (rc) {
        sk_api_fail_err(r, rc, sk_error_msg(e, rc), r->name);
        sk_error_free(e);
        sk_val_free(o.body);
        return;
    }
    const struct sk_val *v = sk_store_obj_val(cur);
    int64_t grace = grace_for(r->kind, v, &o);
    const char *const *fin = finalizers_for(&o);
    if (r->dry_run) {
        const struct sk_val *f = sk_val_at(v, "metadata", "finalizers", NULL);
        bool stays = grace > 0 || fin || sk_arr_len(f) > 0;
        respond_deleted(r, cur, v, !stays);
    } else {
        struct sk_store_cmd c = {
                .op = SK_STORE_DELETE,
                .resource = r->res,
                .ns = r->kind->namespaced ? r->ns : NULL,
                .name = r->name,
                .rv = o.rv,
                .uid = o.uid && *o.uid ? o.uid : NULL,
                .grace = grace,
                .finalizers = fin,
        };
        rc = sk_store_submit(r->api->store, &c, delete_done, r, &e);
        if (rc) {
            sk_api_fail_err(r, rc, sk_error_msg(e, rc), r->name);
            sk_error_free(e);
        }
    }
    sk_store_obj_unref(cur);
    sk_val_free(o.body);
}

/* ---- deletecollection ---- */

struct dc {
    struct sk_api_rq *r;
    size_t pending;
    struct sk_val *items;
    sk_err rc;
    char *msg;
    char *name;
};

static void dc_finish(struct dc *d)
{
    struct sk_api_rq *r = d->r;
    if (d->rc) {
        sk_api_fail_err(r, d->rc, d->msg, d->name);
    } else {
        struct sk_val *lv = sk_val_map();
        sk_map_set(lv, "kind", sk_val_str(r->kind->list_kind));
        sk_map_set(lv, "apiVersion", sk_val_str(sk_kind_api_version(r->kind)));
        struct sk_val *m = sk_map_set(lv, "metadata", sk_val_map());
        sk_map_set(m, "resourceVersion", sk_val_strf("%" PRIu64, sk_store_rev(r->api->store)));
        sk_map_set(lv, "items", d->items);
        d->items = NULL;
        sk_api_respond_val(r, 200, lv);
        sk_val_free(lv);
    }
    sk_val_free(d->items);
    free(d->msg);
    free(d->name);
    free(d);
}

static void dc_done(const struct sk_store_result *res, void *arg)
{
    struct dc *d = arg;
    /* an object already gone is what the client wanted */
    if (res->code && res->code != SK_ENOENT && !d->rc) {
        d->rc = res->code;
        d->msg = sk_xstrdup(sk_error_msg(res->err, res->code));
    } else if (!res->code && res->obj) {
        const struct sk_val *v = sk_store_obj_val(res->obj);
        if (v) {
            struct sk_val *c = sk_arr_push(d->items, sk_val_dup(v));
            sk_api_set_type(d->r->kind, c);
        }
    }
    if (--d->pending == 0) dc_finish(d);
}

void sk_api_delete_collection(struct sk_api_rq *r)
{
    if (!sk_api_parse_selectors(r)) return;
    struct del_opts o;
    if (!parse_del_opts(r, &o)) {
        sk_val_free(o.body);
        return;
    }
    struct sk_store_list_opts lo = {.resource = r->res, .ns = r->ns};
    if (r->lsel || r->fsel) {
        lo.match = sk_api_match;
        lo.match_arg = r;
    }
    struct sk_store_list l = {0};
    struct sk_error *e = NULL;
    sk_err rc = sk_store_list(r->api->store, &lo, &l, &e);
    if (rc) {
        sk_api_fail_err(r, rc, sk_error_msg(e, rc), NULL);
        sk_error_free(e);
        sk_val_free(o.body);
        return;
    }
    struct dc *d = sk_xcalloc(1, sizeof(*d));
    d->r = r;
    d->items = sk_val_arr();
    d->pending = 1; /* held until every delete is queued */
    const char *const *fin = finalizers_for(&o);
    for (size_t i = 0; i < l.n && !d->rc; i++) {
        const struct sk_val *v = sk_store_obj_val(l.items[i]);
        const char *name = sk_obj_name(v);
        if (!name) continue;
        if (r->dry_run) {
            struct sk_val *c = sk_arr_push(d->items, sk_val_dup(v));
            sk_api_set_type(r->kind, c);
            continue;
        }
        struct sk_store_cmd c = {
                .op = SK_STORE_DELETE,
                .resource = r->res,
                .ns = r->kind->namespaced ? sk_obj_namespace(v) : NULL,
                .name = name,
                .grace = grace_for(r->kind, v, &o),
                .finalizers = fin,
        };
        d->pending++;
        if (sk_store_submit(r->api->store, &c, dc_done, d, &e)) {
            d->pending--;
            d->rc = e ? e->code : SK_EINTERNAL;
            d->msg = sk_xstrdup(sk_error_msg(e, d->rc));
            d->name = sk_xstrdup(name);
            sk_error_free(e);
            e = NULL;
        }
    }
    sk_store_list_free(&l);
    sk_val_free(o.body);
    if (--d->pending == 0) dc_finish(d);
}
