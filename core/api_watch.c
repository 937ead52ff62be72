/* Watch: a chunked stream of {"type":...,"object":...} lines fed by a
 * store watch. Without a resourceVersion (or with "0") the stream starts
 * with an ADDED event per existing object, as the watch cache sends them;
 * with one it resumes after it, or answers an ERROR event with 410 Expired
 * when that revision has left the history window. Bookmarks, timeouts and
 * slow readers are handled here. Every event is encoded once and the same
 * bytes go to every watcher that receives it. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "api_int.h"
#include "json.h"
#include "log.h"
#include "loop.h"
#include "mem.h"
#include "work.h"

/* Output a watcher may leave unread before it is cut off (the HTTP layer
 * has its own, larger limit for every response). */
#define SLOW_READER_BYTES (8u * 1024 * 1024)
#define DEFAULT_TIMEOUT   1800.0

struct sk_api_watch {
    struct sk_api *api;
    struct sk_api_rq *r;
    struct sk_store_watch *sw;
    struct sk_timer *timeout;
    struct sk_api_watch *prev, *next;
    uint64_t last_rev;
    bool bookmarks;
    bool initial_end_bookmark; /* sendInitialEvents=true */
    bool listing;              /* the initial list is being read */
    bool ended;
    bool sent_head; /* tables: the column definitions went out */
    struct sk_buf initial;
    uint64_t list_rev;
    sk_err list_rc;
    struct sk_error *list_err;
};

static const char *type_name(int t)
{
    switch (t) {
    case SK_STORE_ADDED: return "ADDED";
    case SK_STORE_MODIFIED: return "MODIFIED";
    case SK_STORE_DELETED: return "DELETED";
    default: return "ERROR";
    }
}

/* ---- shared encodings ---- */

void sk_api_enc_clear(struct sk_api *api)
{
    for (size_t i = 0; i < SK_API_ENC_RING; i++) {
        sk_store_obj_unref(api->enc[i].obj);
        free(api->enc[i].bytes);
        api->enc[i] = (struct sk_api_enc){0};
    }
}

static void encode_event(const struct sk_kind *k, int type, int form, int include,
                         struct sk_store_obj *o, struct sk_buf *b)
{
    sk_buf_printf(b, "{\"type\":\"%s\",\"object\":", type_name(type));
    if (form == SK_API_OUT_TABLE || form == SK_API_OUT_TABLE_NOHEAD) {
        const struct sk_val *v = sk_store_obj_val(o);
        sk_api_write_table(k, include, &v, v ? 1 : 0, 0, NULL, form == SK_API_OUT_TABLE_NOHEAD, b);
        b->len--; /* the newline */
    } else if (!sk_api_msgpack_to_json(o->data, o->len, sk_kind_api_version(k), k->kind, b)) {
        const struct sk_val *v = sk_store_obj_val(o);
        struct sk_val *c = sk_val_is(v, SK_V_MAP) ? sk_val_dup(v) : sk_val_map();
        sk_api_set_type(k, c);
        sk_json_write(c, SK_JSON_COMPACT, b);
        sk_val_free(c);
    }
    sk_buf_puts(b, "}\n");
}

static const struct sk_api_enc *cached_event(struct sk_api *api, const struct sk_kind *k, int type,
                                             int form, int include, struct sk_store_obj *o)
{
    int key = form * 4 + include;
    for (size_t i = 0; i < SK_API_ENC_RING; i++) {
        const struct sk_api_enc *e = &api->enc[i];
        if (e->obj == o && e->type == type && e->form == key) return e;
    }
    struct sk_api_enc *e = &api->enc[api->enc_next++ % SK_API_ENC_RING];
    sk_store_obj_unref(e->obj);
    free(e->bytes);
    struct sk_buf b = {0};
    encode_event(k, type, form, include, o, &b);
    e->obj = sk_store_obj_ref(o);
    e->type = type;
    e->form = key;
    e->len = b.len;
    e->bytes = sk_buf_take(&b, NULL);
    api->st.watch_events_encoded++;
    return e;
}

/* ---- lifetime ---- */

static void watch_free(struct sk_api_watch *w)
{
    struct sk_api *api = w->api;
    if (w->prev)
        w->prev->next = w->next;
    else if (api->watches == w)
        api->watches = w->next;
    if (w->next) w->next->prev = w->prev;
    api->st.watches_open--;
    sk_buf_free(&w->initial);
    sk_error_free(w->list_err);
    free(w);
}

/* End the stream: normally (timeout, server stop) or cut (client gone,
 * slow reader). */
static void watch_end(struct sk_api_watch *w, bool clean)
{
    if (w->ended) return;
    w->ended = true;
    sk_store_watch_close(w->sw);
    w->sw = NULL;
    sk_timer_cancel(w->timeout);
    w->timeout = NULL;
    struct sk_api_rq *r = w->r;
    if (clean)
        sk_http_stream_end(r->req);
    else
        sk_http_req_abort(r->req);
    r->req = NULL;
    /* a list job still reads r (selectors, resource): it frees both when
     * it comes back */
    if (w->listing) return;
    w->r = NULL;
    sk_api_rq_free(r);
    watch_free(w);
}

static void write_bytes(struct sk_api_watch *w, const char *p, size_t n)
{
    if (w->ended) return;
    ssize_t pending = sk_http_stream_write(w->r->req, p, n);
    w->api->st.watch_events_sent++;
    if (pending < 0) {
        watch_end(w, false);
    } else if ((size_t)pending > SLOW_READER_BYTES) {
        sk_log(SK_LOG_INFO, SK_API_WHO, "cutting off a slow watcher resource=%s remote=%s",
               w->r->res, sk_http_req_remote(w->r->req));
        watch_end(w, false);
    }
}

static void write_error(struct sk_api_watch *w, int code, const char *reason, const char *msg)
{
    struct sk_buf b = {0};
    sk_buf_puts(&b, "{\"type\":\"ERROR\",\"object\":");
    sk_api_status_json(&b, false, code, reason, msg, NULL);
    sk_buf_puts(&b, "}\n");
    write_bytes(w, b.p, b.len);
    sk_buf_free(&b);
}

static void write_bookmark(struct sk_api_watch *w, bool initial_end)
{
    const struct sk_kind *k = w->r->kind;
    struct sk_buf b = {0};
    sk_buf_printf(&b,
                  "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"%s\",\"apiVersion\":\"%s\","
                  "\"metadata\":{\"resourceVersion\":\"%" PRIu64 "\",\"creationTimestamp\":null",
                  k->kind, sk_kind_api_version(k), w->last_rev);
    if (initial_end) sk_buf_puts(&b, ",\"annotations\":{\"k8s.io/initial-events-end\":\"true\"}");
    sk_buf_puts(&b, "}}}\n");
    write_bytes(w, b.p, b.len);
    sk_buf_free(&b);
}

/* ---- callbacks ---- */

/* Table watches carry the column definitions in their first event only. */
static int event_form(struct sk_api_watch *w)
{
    if (w->r->out != SK_API_OUT_TABLE) return SK_API_OUT_JSON;
    if (w->sent_head) return SK_API_OUT_TABLE_NOHEAD;
    w->sent_head = true;
    return SK_API_OUT_TABLE;
}

static void on_event(const struct sk_store_event *ev, void *arg)
{
    struct sk_api_watch *w = arg;
    if (w->ended) return;
    if (ev->type == SK_STORE_ERROR) {
        write_error(w, ev->code == SK_EGONE ? 410 : 500,
                    ev->code == SK_EGONE ? "Expired" : "InternalError", ev->message);
        watch_end(w, true);
        return;
    }
    if (!ev->obj) return;
    const struct sk_api_enc *e =
            cached_event(w->api, w->r->kind, ev->type, event_form(w), w->r->include, ev->obj);
    w->last_rev = ev->rev;
    write_bytes(w, e->bytes, e->len);
}

static void on_close(struct sk_http_req *req, void *arg)
{
    (void)req;
    watch_end(arg, false);
}

static void on_timeout(void *arg)
{
    struct sk_api_watch *w = arg;
    w->timeout = NULL; /* one-shot timers free themselves */
    watch_end(w, true);
}

static void on_bookmark_tick(void *arg)
{
    struct sk_api *api = arg;
    for (struct sk_api_watch *w = api->watches, *n; w; w = n) {
        n = w->next;
        if (w->bookmarks && !w->listing && !w->ended) write_bookmark(w, false);
    }
}

static bool watch_match(const struct sk_val *obj, void *arg)
{
    const struct sk_api_rq *r = arg;
    if (r->name) {
        const char *n = sk_obj_name(obj);
        if (!n || strcmp(n, r->name) != 0) return false;
    }
    return sk_api_match(obj, arg);
}

static void start_store_watch(struct sk_api_watch *w, uint64_t from)
{
    struct sk_api_rq *r = w->r;
    struct sk_store_watch_opts o = {
            .resource = r->res,
            .ns = r->ns,
            .from_rev = from,
            .match = (r->lsel || r->fsel || r->name) ? watch_match : NULL,
            .match_arg = r,
    };
    struct sk_error *e = NULL;
    sk_err rc = sk_store_watch(w->api->store, &o, on_event, w, &w->sw, &e);
    if (rc == SK_EGONE) {
        write_error(w, 410, "Expired", sk_error_msg(e, rc));
        watch_end(w, true);
    } else if (rc) {
        write_error(w, 500, "InternalError", sk_error_msg(e, rc));
        watch_end(w, true);
    }
    sk_error_free(e);
}

/* ---- the initial list ---- */

static void list_work(void *arg)
{
    struct sk_api_watch *w = arg;
    struct sk_api_rq *r = w->r;
    struct sk_store_list_opts o = {
            .resource = r->res,
            .ns = r->ns,
            .match = (r->lsel || r->fsel || r->name) ? watch_match : NULL,
            .match_arg = r,
    };
    struct sk_store_list l = {0};
    w->list_rc = sk_store_list(w->api->store, &o, &l, &w->list_err);
    if (!w->list_rc) {
        w->list_rev = l.rev;
        for (size_t i = 0; i < l.n; i++) {
            int form = SK_API_OUT_JSON;
            if (r->out == SK_API_OUT_TABLE) form = i ? SK_API_OUT_TABLE_NOHEAD : SK_API_OUT_TABLE;
            encode_event(r->kind, SK_STORE_ADDED, form, r->include, l.items[i], &w->initial);
        }
        if (l.n && r->out == SK_API_OUT_TABLE) w->sent_head = true;
    }
    sk_store_list_free(&l);
}

static void list_done(void *arg)
{
    struct sk_api_watch *w = arg;
    w->listing = false;
    if (w->ended) {
        sk_api_rq_free(w->r);
        watch_free(w);
        return;
    }
    if (w->list_rc) {
        write_error(w, 500, "InternalError", sk_error_msg(w->list_err, w->list_rc));
        watch_end(w, true);
        return;
    }
    w->last_rev = w->list_rev;
    if (w->initial.len) write_bytes(w, w->initial.p, w->initial.len);
    sk_buf_free(&w->initial);
    if (w->ended) return;
    if (w->initial_end_bookmark) write_bookmark(w, true);
    if (w->ended) return;
    start_store_watch(w, w->list_rev);
}

static double watch_timeout(const char *ts)
{
    if (ts && *ts) {
        char *end;
        long long v = strtoll(ts, &end, 10);
        if (!*end && v > 0) return (double)v;
    }
    /* kube-apiserver spreads watch ends over [min, 2*min) */
    unsigned short rnd = 0;
    if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) rnd = 0;
    return DEFAULT_TIMEOUT * (1.0 + rnd / 65536.0);
}

void sk_api_watch(struct sk_api_rq *r)
{
    if (!sk_api_parse_selectors(r)) return;
    struct sk_http_req *req = r->req;
    const char *rv = sk_http_req_query_param(req, "resourceVersion");
    const char *sie = sk_http_req_query_param(req, "sendInitialEvents");
    uint64_t from = 0;
    bool initial = !rv || !*rv || !strcmp(rv, "0");
    if (!initial) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(rv, &end, 10);
        if (errno || *end || rv[0] == '-') {
            char *msg = sk_xasprintf("resourceVersion: Invalid value: \"%s\": must be a "
                                     "non-negative integer",
                                     rv);
            sk_api_fail_badrequest(r, msg);
            free(msg);
            return;
        }
        from = v;
    }
    bool send_initial = sie && !strcmp(sie, "true");
    if (sie && !strcmp(sie, "false")) initial = false;
    if (send_initial) initial = true;
    /* the stream speaks JSON (or Tables) whatever else was acceptable */
    if (r->out != SK_API_OUT_TABLE) r->out = SK_API_OUT_JSON;
    if (sk_http_stream_begin(req, 200, "application/json")) {
        sk_http_req_abort(req);
        sk_api_rq_free(r);
        return;
    }
    struct sk_api *api = r->api;
    struct sk_api_watch *w = sk_xcalloc(1, sizeof(*w));
    w->api = api;
    w->r = r;
    const char *bm = sk_http_req_query_param(req, "allowWatchBookmarks");
    w->bookmarks = bm && (!strcmp(bm, "true") || !strcmp(bm, "1"));
    w->initial_end_bookmark = send_initial && w->bookmarks;
    w->next = api->watches;
    if (w->next) w->next->prev = w;
    api->watches = w;
    api->st.watches_open++;
    sk_http_req_on_close(req, on_close, w);
    w->timeout =
            sk_timer_add(api->loop, watch_timeout(sk_http_req_query_param(req, "timeoutSeconds")),
                         0, on_timeout, w);
    if (!api->bookmark_timer)
        api->bookmark_timer = sk_timer_add(api->loop, api->bookmark_interval,
                                           api->bookmark_interval, on_bookmark_tick, api);
    if (initial) {
        w->listing = true;
        if (!api->pool || sk_work_submit(api->pool, list_work, list_done, w) != 0) {
            list_work(w);
            list_done(w);
        }
        return;
    }
    w->last_rev = from;
    start_store_watch(w, from);
}

void sk_api_watch_close_all(struct sk_api *api)
{
    sk_timer_cancel(api->bookmark_timer);
    api->bookmark_timer = NULL;
    for (struct sk_api_watch *w = api->watches, *n; w; w = n) {
        n = w->next;
        watch_end(w, true);
    }
}
