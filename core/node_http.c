/* Node HTTP over the bus: the node side (prefix registry, streams with a
 * flow-control window, the ABI 1.2 stream functions) and the requester side
 * (calls that the API maps onto HTTP responses). See node_http.h for the
 * protocol. */
#include "node_http.h"
#include "bus.h"
#include "log.h"
#include "loop.h"
#include "mem.h"
#include "msg.h"

#include <msgpack.h>
#include <stdio.h>
#include <string.h>

#define WHO "node-http"
/* "peer/name" or "@N/name", as the bus shows a sender */
#define ADDR_MAX   (2 * SK_MSG_NAME_MAX + 2)
#define PREFIX_MAX 63
/* A send the bus refused for a full queue is retried after this long. */
#define RETRY_SECS 0.01

/* ---- message bodies ---- */

enum {
    F_SID = 1u << 0,
    F_METHOD = 1u << 1,
    F_PATH = 1u << 2,
    F_QUERY = 1u << 3,
    F_CTYPE = 1u << 4,
    F_BLEN = 1u << 5,
    F_WINDOW = 1u << 6,
    F_BODY = 1u << 7,
    F_OFF = 1u << 8,
    F_DATA = 1u << 9,
    F_STATUS = 1u << 10,
    F_LENGTH = 1u << 11,
    F_CODE = 1u << 12,
    F_MESSAGE = 1u << 13,
    F_BYTES = 1u << 14,
    F_UPGRADE = 1u << 15,
};

enum kind { K_UINT, K_INT, K_STR, K_BIN };

static const struct field {
    const char *key;
    unsigned bit;
    enum kind kind;
} fields[] = {
        {"sid", F_SID, K_UINT},         {"method", F_METHOD, K_STR},   {"path", F_PATH, K_STR},
        {"query", F_QUERY, K_STR},      {"ctype", F_CTYPE, K_STR},     {"blen", F_BLEN, K_UINT},
        {"window", F_WINDOW, K_UINT},   {"body", F_BODY, K_BIN},       {"off", F_OFF, K_UINT},
        {"data", F_DATA, K_BIN},        {"status", F_STATUS, K_INT},   {"length", F_LENGTH, K_UINT},
        {"code", F_CODE, K_INT},        {"message", F_MESSAGE, K_STR}, {"bytes", F_BYTES, K_UINT},
        {"upgrade", F_UPGRADE, K_UINT},
};

static bool type_fields(uint32_t type, unsigned *required, unsigned *optional)
{
    *optional = 0;
    switch (type) {
    case SKIFF_MSG_NODE_HTTP_REQ:
        *required = F_SID | F_METHOD | F_PATH | F_QUERY | F_CTYPE | F_BLEN | F_WINDOW | F_BODY;
        *optional = F_UPGRADE;
        return true;
    case SKIFF_MSG_NODE_HTTP_INPUT: *required = F_SID | F_DATA; return true;
    case SKIFF_MSG_NODE_HTTP_BODY: *required = F_SID | F_OFF | F_DATA; return true;
    case SKIFF_MSG_NODE_HTTP_HEAD:
        *required = F_SID | F_STATUS | F_CTYPE;
        *optional = F_LENGTH | F_DATA;
        return true;
    case SKIFF_MSG_NODE_HTTP_DATA: *required = F_SID | F_DATA; return true;
    case SKIFF_MSG_NODE_HTTP_END: *required = F_SID | F_CODE | F_MESSAGE; return true;
    case SKIFF_MSG_NODE_HTTP_ACK: *required = F_SID | F_BYTES; return true;
    case SKIFF_MSG_NODE_HTTP_CANCEL: *required = F_SID; return true;
    default: return false;
    }
}

static bool method_ok(const struct sk_nh_str *m)
{
    static const char *const ms[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"};
    for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++)
        if (strlen(ms[i]) == m->n && !memcmp(ms[i], m->p, m->n)) return true;
    return false;
}

/* Values checked once every field is in. */
static sk_err check_ranges(uint32_t type, const struct sk_nh_body *b, unsigned have,
                           struct sk_error **err)
{
    if (!b->sid) return sk_fail(err, SK_EPROTO, "sid must be > 0");
    if ((have & F_METHOD) && !method_ok(&b->method))
        return sk_fail(err, SK_EPROTO, "method \"%.*s\" is not served", (int)(b->method.n & 63),
                       b->method.p);
    if ((have & F_PATH) && (!b->path.n || b->path.p[0] != '/'))
        return sk_fail(err, SK_EPROTO, "path must start with '/'");
    if ((have & F_WINDOW) && (b->window < SK_NH_WINDOW_MIN || b->window > SK_NH_WINDOW_MAX))
        return sk_fail(err, SK_EPROTO, "window %llu is outside %u..%u",
                       (unsigned long long)b->window, SK_NH_WINDOW_MIN, SK_NH_WINDOW_MAX);
    if (type == SKIFF_MSG_NODE_HTTP_REQ || type == SKIFF_MSG_NODE_HTTP_BODY) {
        if (b->data_len > SK_NH_BODY_CHUNK)
            return sk_fail(err, SK_EPROTO, "body chunk of %zu bytes is over %u", b->data_len,
                           SK_NH_BODY_CHUNK);
        if (type == SKIFF_MSG_NODE_HTTP_REQ && b->data_len > b->blen)
            return sk_fail(err, SK_EPROTO, "body chunk is longer than blen");
    }
    if (type == SKIFF_MSG_NODE_HTTP_INPUT && (!b->data_len || b->data_len > SK_NH_BODY_CHUNK))
        return sk_fail(err, SK_EPROTO, "input frame of %zu bytes is outside 1..%u", b->data_len,
                       SK_NH_BODY_CHUNK);
    if ((have & F_UPGRADE) && b->upgrade > 1)
        return sk_fail(err, SK_EPROTO, "upgrade must be 0 or 1");
    if (type == SKIFF_MSG_NODE_HTTP_DATA && b->data_len > SK_NH_DATA_CHUNK)
        return sk_fail(err, SK_EPROTO, "data of %zu bytes is over %u", b->data_len,
                       SK_NH_DATA_CHUNK);
    if ((have & F_STATUS) && (b->status < 100 || b->status > 599))
        return sk_fail(err, SK_EPROTO, "status %lld is outside 100..599", (long long)b->status);
    if ((have & F_LENGTH) && b->length > (int64_t)SK_NH_DATA_CHUNK)
        return sk_fail(err, SK_EPROTO, "length %lld is over one data message",
                       (long long)b->length);
    if (type == SKIFF_MSG_NODE_HTTP_HEAD && (have & F_DATA) &&
        (!(have & F_LENGTH) || b->length != (int64_t)b->data_len))
        return sk_fail(err, SK_EPROTO, "a head with the whole body needs its length");
    if ((have & F_CODE) && b->code != 0 && (b->code < 400 || b->code > 599))
        return sk_fail(err, SK_EPROTO, "code %lld is neither 0 nor 400..599", (long long)b->code);
    return SK_OK;
}

/* A bounds-checked msgpack reader that builds nothing: the body of a
 * message from another node is untrusted, and a tree builder would
 * allocate by the counts it declares. */
struct rd {
    const uint8_t *p, *end;
};

enum vt { V_NIL, V_BOOL, V_UINT, V_INT, V_FLOAT, V_STR, V_BIN, V_ARR, V_MAP, V_EXT };

struct hdr {
    enum vt t;
    uint64_t u;          /* V_UINT; V_STR, V_BIN, V_EXT: byte length; V_ARR, V_MAP: count */
    int64_t i;           /* V_INT (negative) */
    const uint8_t *data; /* V_STR, V_BIN, V_EXT */
};

static bool rd_take(struct rd *r, uint64_t n, const uint8_t **out)
{
    if ((uint64_t)(r->end - r->p) < n) return false;
    *out = r->p;
    r->p += n;
    return true;
}

static bool rd_be(struct rd *r, int n, uint64_t *v)
{
    const uint8_t *b;
    if (!rd_take(r, (size_t)n, &b)) return false;
    *v = 0;
    for (int k = 0; k < n; k++)
        *v = (*v << 8) | b[k];
    return true;
}

/* The header of the next value; for strings, binaries and extensions
 * also their bytes. False on truncated or invalid input. */
static bool rd_hdr(struct rd *r, struct hdr *h)
{
    const uint8_t *b;
    if (!rd_take(r, 1, &b)) return false;
    uint8_t c = b[0];
    uint64_t v = 0;
    memset(h, 0, sizeof(*h));
    if (c <= 0x7f) {
        h->t = V_UINT;
        h->u = c;
        return true;
    }
    if (c >= 0xe0) {
        h->t = V_INT;
        h->i = (int8_t)c;
        return true;
    }
    if ((c & 0xf0) == 0x80 || (c & 0xf0) == 0x90) {
        h->t = (c & 0xf0) == 0x80 ? V_MAP : V_ARR;
        h->u = c & 0x0f;
        return true;
    }
    int lenb = 0;
    if ((c & 0xe0) == 0xa0) {
        h->t = V_STR;
        h->u = c & 0x1f;
    } else {
        switch (c) {
        case 0xc0: h->t = V_NIL; return true;
        case 0xc2:
        case 0xc3: h->t = V_BOOL; return true;
        case 0xc4:
        case 0xc5:
        case 0xc6:
            h->t = V_BIN;
            lenb = 1 << (c - 0xc4);
            break;
        case 0xc7:
        case 0xc8:
        case 0xc9:
            h->t = V_EXT;
            lenb = 1 << (c - 0xc7);
            break;
        case 0xca: h->t = V_FLOAT; return rd_take(r, 4, &b);
        case 0xcb: h->t = V_FLOAT; return rd_take(r, 8, &b);
        case 0xcc:
        case 0xcd:
        case 0xce:
        case 0xcf: h->t = V_UINT; return rd_be(r, 1 << (c - 0xcc), &h->u);
        case 0xd0:
        case 0xd1:
        case 0xd2:
        case 0xd3: {
            int n = 1 << (c - 0xd0);
            if (!rd_be(r, n, &v)) return false;
            /* sign-extend n bytes */
            int64_t sv =
                    n == 8 ? (int64_t)v
                           : (int64_t)(v ^ (1ull << (8 * n - 1))) - (int64_t)(1ull << (8 * n - 1));
            if (sv >= 0) {
                h->t = V_UINT;
                h->u = (uint64_t)sv;
            } else {
                h->t = V_INT;
                h->i = sv;
            }
            return true;
        }
        case 0xd4:
        case 0xd5:
        case 0xd6:
        case 0xd7:
        case 0xd8:
            h->t = V_EXT;
            h->u = 1u << (c - 0xd4);
            if (!rd_take(r, 1, &b)) return false; /* the ext type */
            return rd_take(r, h->u, &h->data);
        case 0xd9:
        case 0xda:
        case 0xdb:
            h->t = V_STR;
            lenb = 1 << (c - 0xd9);
            break;
        case 0xdc:
        case 0xdd: h->t = V_ARR; return rd_be(r, c == 0xdc ? 2 : 4, &h->u);
        case 0xde:
        case 0xdf: h->t = V_MAP; return rd_be(r, c == 0xde ? 2 : 4, &h->u);
        default: return false; /* 0xc1 */
        }
    }
    if (lenb && !rd_be(r, lenb, &h->u)) return false;
    if (h->t == V_EXT && !rd_take(r, 1, &b)) return false;
    return rd_take(r, h->u, &h->data);
}

/* Skip one whole value, iteratively: nesting costs no stack. */
static bool rd_skip(struct rd *r)
{
    uint64_t pending = 1;
    while (pending) {
        struct hdr h;
        if (!rd_hdr(r, &h)) return false;
        pending--;
        /* every element takes at least a byte: a count beyond what is
         * left is a lie, refused before it can overflow anything */
        uint64_t left = (uint64_t)(r->end - r->p);
        if (h.t == V_ARR) {
            if (h.u > left) return false;
            pending += h.u;
        } else if (h.t == V_MAP) {
            if (h.u > left / 2) return false;
            pending += 2 * h.u;
        }
        if (pending > left) return false;
    }
    return true;
}

sk_err sk_nh_decode(uint32_t type, const void *buf, size_t len, struct sk_nh_body *out,
                    struct sk_error **err)
{
    memset(out, 0, sizeof(*out));
    out->length = -1;
    static const char empty[1] = "";
    out->method.p = out->path.p = out->query.p = out->ctype.p = out->message.p = empty;
    unsigned required, optional;
    if (!type_fields(type, &required, &optional))
        return sk_fail(err, SK_EPROTO, "message type %u is not a node HTTP message", type);
    if (!buf || !len) return sk_fail(err, SK_EPROTO, "empty body");
    struct rd r = {buf, (const uint8_t *)buf + len};
    struct hdr m;
    if (!rd_hdr(&r, &m) || m.t != V_MAP) return sk_fail(err, SK_EPROTO, "body is not a map");
    unsigned have = 0;
    for (uint64_t i = 0; i < m.u; i++) {
        struct hdr k, v;
        if (!rd_hdr(&r, &k)) return sk_fail(err, SK_EPROTO, "truncated body");
        if (k.t != V_STR) return sk_fail(err, SK_EPROTO, "a key is not a string");
        const struct field *f = NULL;
        for (size_t j = 0; j < sizeof(fields) / sizeof(fields[0]) && !f; j++)
            if (strlen(fields[j].key) == k.u && !memcmp(fields[j].key, k.data, k.u)) f = &fields[j];
        if (!f || !((required | optional) & f->bit)) {
            /* a newer sender's field: skipped, but it must be well-formed */
            if (!rd_skip(&r)) return sk_fail(err, SK_EPROTO, "malformed value");
            continue;
        }
        if (have & f->bit) return sk_fail(err, SK_EPROTO, "duplicate key \"%s\"", f->key);
        have |= f->bit;
        if (!rd_hdr(&r, &v)) return sk_fail(err, SK_EPROTO, "truncated body");
        bool ok;
        switch (f->kind) {
        case K_UINT: ok = v.t == V_UINT; break;
        case K_INT: ok = v.t == V_INT || (v.t == V_UINT && v.u <= INT64_MAX); break;
        case K_STR:
            ok = v.t == V_STR && v.u <= SK_NH_STR_MAX && !memchr(v.data, 0, (size_t)v.u);
            break;
        case K_BIN: ok = v.t == V_BIN; break;
        default: ok = false;
        }
        if (!ok) return sk_fail(err, SK_EPROTO, "key \"%s\": wrong type or out of range", f->key);
        struct sk_nh_str str = {(const char *)v.data, (size_t)v.u};
        int64_t iv = v.t == V_INT ? v.i : (int64_t)v.u;
        switch (f->bit) {
        case F_SID: out->sid = v.u; break;
        case F_METHOD: out->method = str; break;
        case F_PATH: out->path = str; break;
        case F_QUERY: out->query = str; break;
        case F_CTYPE: out->ctype = str; break;
        case F_MESSAGE: out->message = str; break;
        case F_BLEN: out->blen = v.u; break;
        case F_WINDOW: out->window = v.u; break;
        case F_OFF: out->off = v.u; break;
        case F_BYTES: out->bytes = v.u; break;
        case F_UPGRADE: out->upgrade = v.u; break;
        case F_LENGTH: out->length = v.u > INT64_MAX ? INT64_MAX : (int64_t)v.u; break;
        case F_STATUS: out->status = iv; break;
        case F_CODE: out->code = iv; break;
        case F_BODY:
        case F_DATA:
            out->data = v.data;
            out->data_len = (size_t)v.u;
            break;
        }
    }
    if (r.p != r.end) return sk_fail(err, SK_EPROTO, "bytes after the map");
    out->has_data = have & F_DATA;
    if ((have & required) != required) {
        for (size_t j = 0; j < sizeof(fields) / sizeof(fields[0]); j++)
            if ((required & fields[j].bit) && !(have & fields[j].bit))
                return sk_fail(err, SK_EPROTO, "missing key \"%s\"", fields[j].key);
    }
    return check_ranges(type, out, have, err);
}

/* An encoder for one body map. */
struct enc {
    msgpack_sbuffer sb;
    msgpack_packer pk;
};

static void enc_init(struct enc *e, uint32_t nkeys)
{
    msgpack_sbuffer_init(&e->sb);
    msgpack_packer_init(&e->pk, &e->sb, msgpack_sbuffer_write);
    msgpack_pack_map(&e->pk, nkeys);
}

static void enc_key(struct enc *e, const char *k)
{
    size_t n = strlen(k);
    msgpack_pack_str(&e->pk, n);
    msgpack_pack_str_body(&e->pk, k, n);
}

static void enc_str(struct enc *e, const char *k, const char *v)
{
    enc_key(e, k);
    size_t n = strlen(v);
    msgpack_pack_str(&e->pk, n);
    msgpack_pack_str_body(&e->pk, v, n);
}

static void enc_uint(struct enc *e, const char *k, uint64_t v)
{
    enc_key(e, k);
    msgpack_pack_uint64(&e->pk, v);
}

static void enc_int(struct enc *e, const char *k, int64_t v)
{
    enc_key(e, k);
    msgpack_pack_int64(&e->pk, v);
}

static void enc_bin(struct enc *e, const char *k, const void *p, size_t n)
{
    enc_key(e, k);
    msgpack_pack_bin(&e->pk, n);
    msgpack_pack_bin_body(&e->pk, p, n);
}

static void enc_free(struct enc *e)
{
    msgpack_sbuffer_destroy(&e->sb);
}

/* Send e's map; frees e. Returns 0, or the bus's error code. */
static sk_err enc_send(struct sk_bus_ep *ep, const char *to, uint32_t type, struct enc *e)
{
    struct sk_error *err = NULL;
    uint64_t id = sk_bus_send(ep, to, type, 1, 0, e->sb.data, e->sb.size, &err);
    sk_err rc = id ? SK_OK : err ? err->code : SK_EPROTO;
    if (!id && rc != SK_EAGAIN && rc != SK_ENOENT)
        sk_log(SK_LOG_WARN, WHO, "send type=%u to=%s failed: %s", type, to,
               sk_error_msg(err, SK_EPROTO));
    sk_error_free(err);
    enc_free(e);
    return rc;
}

/* ---- a byte queue ---- */

struct bq {
    char *p;
    size_t off, len, cap;
};

static size_t bq_len(const struct bq *q)
{
    return q->len - q->off;
}

static void bq_append(struct bq *q, const void *d, size_t n)
{
    if (q->off == q->len) q->off = q->len = 0;
    if (q->len + n > q->cap && q->off) {
        memmove(q->p, q->p + q->off, q->len - q->off);
        q->len -= q->off;
        q->off = 0;
    }
    if (q->len + n > q->cap) {
        size_t cap = q->cap ? q->cap : 4096;
        while (cap < q->len + n)
            cap *= 2;
        q->p = sk_xrealloc(q->p, cap);
        q->cap = cap;
    }
    memcpy(q->p + q->len, d, n);
    q->len += n;
}

static void bq_free(struct bq *q)
{
    free(q->p);
    memset(q, 0, sizeof(*q));
}

/* ---- node side ---- */

struct route {
    struct route *next;
    const void *owner;
    char *owner_name;
    skiff_http_fn fn;
    void *arg;
    char prefix[PREFIX_MAX + 1];
};

struct skiff_http_stream {
    struct skiff_http_stream *prev, *next;
    struct sk_node_http *nh;
    const void *owner; /* the plugin that holds it; NULL before dispatch */
    char to[ADDR_MAX + 1];
    uint64_t sid;
    /* the request, until dispatched */
    char *method, *path, *query, *ctype;
    char *body;
    size_t blen, bgot;
    bool dispatched;
    /* the response */
    int status;
    char *rctype;
    bool head_called, head_sent;
    bool ended; /* the plugin called http_end: core owns it now */
    bool gone;  /* the requester went away */
    struct bq out;
    uint64_t sent, acked;
    size_t window;
    size_t peak;
    void (*drain)(void *arg);
    void (*gone_fn)(void *arg);
    void *cb_arg;
    struct sk_timer *flush_t;
    /* upgraded streams (ABI 1.3): each write is one length-prefixed
     * frame; the requester's INPUT frames wait in `in` until the plugin
     * takes them */
    bool upgraded;
    void (*in_fn)(void *arg, const void *data, size_t len);
    void *in_arg;
    bool in_paused;
    struct bq in; /* [u32 length][frame]... */
    uint64_t in_taken, in_acked;
    struct sk_timer *in_t;
};

struct sk_node_http {
    struct sk_loop *loop;
    struct sk_bus_ep *ep;
    size_t max_body;
    struct route *routes;
    struct skiff_http_stream *streams;
    size_t nstreams;
};

static void stream_free(struct skiff_http_stream *s)
{
    struct sk_node_http *nh = s->nh;
    if (s->prev)
        s->prev->next = s->next;
    else
        nh->streams = s->next;
    if (s->next) s->next->prev = s->prev;
    nh->nstreams--;
    sk_timer_cancel(s->flush_t);
    sk_timer_cancel(s->in_t);
    bq_free(&s->in);
    free(s->method);
    free(s->path);
    free(s->query);
    free(s->ctype);
    free(s->body);
    free(s->rctype);
    bq_free(&s->out);
    free(s);
}

static struct skiff_http_stream *stream_find(struct sk_node_http *nh, const char *from,
                                             uint64_t sid)
{
    for (struct skiff_http_stream *s = nh->streams; s; s = s->next)
        if (s->sid == sid && !strcmp(s->to, from)) return s;
    return NULL;
}

static sk_err send_end(struct sk_node_http *nh, const char *to, uint64_t sid, int code,
                       const char *message)
{
    struct enc e;
    enc_init(&e, 3);
    enc_uint(&e, "sid", sid);
    enc_int(&e, "code", code);
    enc_str(&e, "message", message ? message : "");
    return enc_send(nh->ep, to, SKIFF_MSG_NODE_HTTP_END, &e);
}

/* A whole response from core itself (no plugin). */
static void send_simple(struct sk_node_http *nh, const char *to, uint64_t sid, int status,
                        const char *text)
{
    size_t n = strlen(text);
    struct enc e;
    enc_init(&e, 5);
    enc_uint(&e, "sid", sid);
    enc_int(&e, "status", status);
    enc_str(&e, "ctype", "text/plain; charset=utf-8");
    enc_uint(&e, "length", n);
    enc_bin(&e, "data", text, n);
    enc_send(nh->ep, to, SKIFF_MSG_NODE_HTTP_HEAD, &e);
}

static size_t pending_of(const struct skiff_http_stream *s)
{
    return bq_len(&s->out) + (size_t)(s->sent - s->acked);
}

/* The requester is gone. A stream the plugin holds stays allocated until
 * its http_end; the plugin hears of it through gone, which may end it.
 * Either way the caller must not touch s afterwards. */
static void stream_gone(struct skiff_http_stream *s)
{
    if (!s->dispatched || s->ended || !s->owner) {
        stream_free(s);
        return;
    }
    s->gone = true;
    sk_timer_cancel(s->flush_t);
    s->flush_t = NULL;
    sk_timer_cancel(s->in_t);
    s->in_t = NULL;
    s->in_fn = NULL;
    bq_free(&s->in);
    bq_free(&s->out);
    void (*fn)(void *) = s->gone_fn;
    s->gone_fn = NULL;
    s->drain = NULL;
    if (fn) fn(s->cb_arg); /* may end (free) s */
}

static void flush_cb(void *arg);

static void schedule_flush(struct skiff_http_stream *s, double after)
{
    if (s->flush_t || s->gone) return;
    s->flush_t = sk_timer_add(s->nh->loop, after, 0, flush_cb, s);
}

/* Send what the window allows; finish an ended stream. Runs only from loop
 * callbacks (timer, bus handler), never inside a plugin's call, so a
 * plugin callback it makes cannot re-enter it. */
static void stream_flush(struct skiff_http_stream *s)
{
    struct sk_node_http *nh = s->nh;
    if (s->gone) return;
    if (!s->head_called && s->ended) {
        /* ended without a response: a plugin bug, the requester still
         * gets an answer */
        sk_log(SK_LOG_WARN, WHO, "stream path=%s ended without http_head", s->path);
        s->status = 500;
        s->rctype = sk_xstrdup("text/plain; charset=utf-8");
        bq_free(&s->out);
        const char *msg = "the node's handler ended without a response\n";
        bq_append(&s->out, msg, strlen(msg));
        s->head_called = true;
    }
    if (!s->head_called) return;
    sk_err rc;
    if (!s->head_sent) {
        /* a response already complete and small goes as one message */
        bool whole = s->ended && bq_len(&s->out) <= SK_NH_DATA_CHUNK;
        struct enc e;
        enc_init(&e, whole ? 5 : 3);
        enc_uint(&e, "sid", s->sid);
        enc_int(&e, "status", s->status);
        enc_str(&e, "ctype", s->rctype ? s->rctype : "text/plain; charset=utf-8");
        if (whole) {
            enc_uint(&e, "length", bq_len(&s->out));
            enc_bin(&e, "data", s->out.p + s->out.off, bq_len(&s->out));
        }
        rc = enc_send(nh->ep, s->to, SKIFF_MSG_NODE_HTTP_HEAD, &e);
        if (rc == SK_EAGAIN) return schedule_flush(s, RETRY_SECS);
        if (rc) return stream_gone(s);
        if (whole) {
            stream_free(s);
            return;
        }
        s->head_sent = true;
    }
    while (bq_len(&s->out)) {
        uint64_t inflight = s->sent - s->acked;
        if (inflight >= s->window) break;
        size_t n = bq_len(&s->out);
        if (n > SK_NH_DATA_CHUNK) n = SK_NH_DATA_CHUNK;
        if (n > s->window - inflight) n = (size_t)(s->window - inflight);
        struct enc e;
        enc_init(&e, 2);
        enc_uint(&e, "sid", s->sid);
        enc_bin(&e, "data", s->out.p + s->out.off, n);
        rc = enc_send(nh->ep, s->to, SKIFF_MSG_NODE_HTTP_DATA, &e);
        if (rc == SK_EAGAIN) return schedule_flush(s, RETRY_SECS);
        if (rc) return stream_gone(s);
        s->out.off += n;
        s->sent += n;
    }
    if (!bq_len(&s->out)) s->out.off = s->out.len = 0;
    if (s->ended) {
        if (bq_len(&s->out)) return; /* the rest goes as acks come */
        rc = send_end(nh, s->to, s->sid, 0, "");
        if (rc == SK_EAGAIN) return schedule_flush(s, RETRY_SECS);
        stream_free(s);
        return;
    }
    size_t p = pending_of(s);
    if (s->drain && s->peak && p <= s->peak / 2) {
        s->peak = p;
        s->drain(s->cb_arg); /* may write or end s */
    }
}

static void flush_cb(void *arg)
{
    struct skiff_http_stream *s = arg;
    s->flush_t = NULL; /* a one-shot timer is freed after it fires */
    stream_flush(s);
}

static bool prefix_ok(const char *p)
{
    size_t n = p ? strlen(p) : 0;
    if (!n || n > PREFIX_MAX) return false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return strcmp(p, ".") && strcmp(p, "..");
}

static struct route *route_for(struct sk_node_http *nh, const char *path)
{
    const char *seg = path + 1;
    size_t n = strcspn(seg, "/");
    for (struct route *r = nh->routes; r; r = r->next)
        if (strlen(r->prefix) == n && !memcmp(r->prefix, seg, n)) return r;
    return NULL;
}

static void dispatch(struct skiff_http_stream *s)
{
    struct sk_node_http *nh = s->nh;
    struct route *r = route_for(nh, s->path);
    if (!r) {
        SK_DEBUG(WHO, "no handler path=%s from=%s", s->path, s->to);
        /* what the kubelet answers for a path it does not serve */
        send_simple(nh, s->to, s->sid, 404, "404 page not found\n");
        stream_free(s);
        return;
    }
    s->dispatched = true;
    s->owner = r->owner;
    struct skiff_http_req req = {
            .method = s->method,
            .path = s->path,
            .query = s->query,
            .content_type = s->ctype,
            .body = s->body ? s->body : "",
            .body_len = s->blen,
            .upgraded = s->upgraded,
    };
    SK_DEBUG(WHO, "request method=%s path=%s plugin=%s", s->method, s->path, r->owner_name);
    r->fn(r->arg, &req, s);
    /* s is the plugin's now, and still allocated: only a requester that
     * went away (a later bus message) or http_end after that frees it. The
     * body was borrowed for the call; a long stream need not keep it. */
    free(s->body);
    s->body = NULL;
}

static char *strndup_str(const struct sk_nh_str *s)
{
    return sk_xstrndup(s->p, s->n);
}

static void on_req(struct sk_node_http *nh, const struct skiff_msg *m, const struct sk_nh_body *b)
{
    if (stream_find(nh, m->from, b->sid)) {
        send_end(nh, m->from, b->sid, 400, "duplicate stream id");
        return;
    }
    if (b->blen > nh->max_body) {
        char msg[160];
        snprintf(msg, sizeof(msg), "request body of %llu bytes is over api.max-proxy-body (%zu)",
                 (unsigned long long)b->blen, nh->max_body);
        send_end(nh, m->from, b->sid, 413, msg);
        return;
    }
    struct skiff_http_stream *s = sk_xcalloc(1, sizeof(*s));
    s->nh = nh;
    snprintf(s->to, sizeof(s->to), "%s", m->from);
    s->sid = b->sid;
    s->method = strndup_str(&b->method);
    s->path = strndup_str(&b->path);
    s->query = strndup_str(&b->query);
    s->ctype = strndup_str(&b->ctype);
    s->window = (size_t)b->window;
    s->blen = (size_t)b->blen;
    s->upgraded = b->upgrade == 1;
    if (s->blen) {
        s->body = sk_try_malloc(s->blen + 1, nh->max_body + 1);
        if (!s->body) {
            send_end(nh, m->from, b->sid, 503, "out of memory for the request body");
            free(s->method);
            free(s->path);
            free(s->query);
            free(s->ctype);
            free(s);
            return;
        }
        memcpy(s->body, b->data, b->data_len);
        s->bgot = b->data_len;
        s->body[s->blen] = 0;
    }
    s->next = nh->streams;
    if (nh->streams) nh->streams->prev = s;
    nh->streams = s;
    nh->nstreams++;
    if (s->bgot == s->blen) dispatch(s);
}

static void on_body(struct sk_node_http *nh, const struct skiff_msg *m, const struct sk_nh_body *b)
{
    struct skiff_http_stream *s = stream_find(nh, m->from, b->sid);
    if (!s || s->dispatched) return; /* cancelled meanwhile */
    if (b->off != s->bgot || b->data_len > s->blen - s->bgot) {
        send_end(nh, s->to, s->sid, 400, "request body chunk out of order or too long");
        stream_free(s);
        return;
    }
    memcpy(s->body + s->bgot, b->data, b->data_len);
    s->bgot += b->data_len;
    if (s->bgot == s->blen) dispatch(s);
}

static void on_ack(struct sk_node_http *nh, const struct skiff_msg *m, const struct sk_nh_body *b)
{
    struct skiff_http_stream *s = stream_find(nh, m->from, b->sid);
    if (!s || s->gone) return;
    uint64_t bytes = b->bytes > s->sent ? s->sent : b->bytes;
    if (bytes > s->acked) s->acked = bytes;
    if (!s->flush_t) stream_flush(s);
}

/* ---- upgraded streams: the requester's input ---- */

/* Tell the requester how much input the plugin took: every quarter
 * window, and whenever nothing is left waiting. */
static void input_ack(struct skiff_http_stream *s)
{
    if (s->in_taken == s->in_acked) return;
    if (s->in_taken - s->in_acked < s->window / 4 && bq_len(&s->in)) return;
    struct enc e;
    enc_init(&e, 2);
    enc_uint(&e, "sid", s->sid);
    enc_uint(&e, "bytes", s->in_taken);
    if (enc_send(s->nh->ep, s->to, SKIFF_MSG_NODE_HTTP_ACK, &e) == SK_OK) s->in_acked = s->in_taken;
}

/* Hand waiting frames to the plugin while it takes them. Runs only from
 * loop callbacks (bus handler, timer), never inside a plugin's call. The
 * plugin may end the stream from its callback; s stays allocated until the
 * flush timer (http_end without gone never frees at once). */
static void input_deliver(struct skiff_http_stream *s)
{
    while (bq_len(&s->in) && s->in_fn && !s->in_paused && !s->ended && !s->gone) {
        const uint8_t *p = (const uint8_t *)s->in.p + s->in.off;
        size_t n = ((size_t)p[0] << 24) | ((size_t)p[1] << 16) | ((size_t)p[2] << 8) | p[3];
        s->in.off += 4 + n;
        s->in_taken += n;
        s->in_fn(s->in_arg, p + 4, n);
    }
    if (!bq_len(&s->in)) s->in.off = s->in.len = 0;
    if (!s->gone && !s->ended) input_ack(s);
}

static void input_cb(void *arg)
{
    struct skiff_http_stream *s = arg;
    s->in_t = NULL;
    input_deliver(s);
}

static void input_schedule(struct skiff_http_stream *s)
{
    if (s->in_t || s->gone || !bq_len(&s->in)) return;
    s->in_t = sk_timer_add(s->nh->loop, 0, 0, input_cb, s);
}

static void on_input(struct sk_node_http *nh, const struct skiff_msg *m, const struct sk_nh_body *b)
{
    struct skiff_http_stream *s = stream_find(nh, m->from, b->sid);
    if (!s || s->gone || s->ended) return; /* over meanwhile */
    if (!s->upgraded) {
        sk_log(SK_LOG_WARN, WHO, "dropped input for a stream that is not upgraded path=%s",
               s->path);
        return;
    }
    /* the requester keeps its input within the window; more is a bug or
     * an attack, and ends the stream rather than growing without bound */
    if (s->in_taken + bq_len(&s->in) + b->data_len > s->in_acked + 2 * (uint64_t)s->window) {
        send_end(nh, s->to, s->sid, 400, "input beyond the window");
        stream_gone(s);
        return;
    }
    uint8_t h[4] = {(uint8_t)(b->data_len >> 24), (uint8_t)(b->data_len >> 16),
                    (uint8_t)(b->data_len >> 8), (uint8_t)b->data_len};
    bq_append(&s->in, h, 4);
    bq_append(&s->in, b->data, b->data_len);
    if (s->dispatched && !s->in_t) input_deliver(s);
}

void sk_nh_on_input(struct skiff_http_stream *s,
                    void (*input)(void *arg, const void *data, size_t len), void *arg)
{
    if (!s || s->ended || s->gone) return;
    s->in_fn = input;
    s->in_arg = arg;
    if (input && !s->in_paused) input_schedule(s);
}

void sk_nh_input_pause(struct skiff_http_stream *s, bool paused)
{
    if (!s || s->ended || s->gone) return;
    s->in_paused = paused;
    if (!paused && s->in_fn) input_schedule(s);
}

static void nh_msg(void *arg, const struct skiff_msg *m)
{
    struct sk_node_http *nh = arg;
    struct sk_nh_body b;
    struct sk_error *err = NULL;
    if (sk_nh_decode(m->type, m->body, m->body_len, &b, &err)) {
        sk_log(SK_LOG_WARN, WHO, "dropped message type=%u from=%s: %s", m->type, m->from,
               sk_error_msg(err, SK_EPROTO));
        sk_error_free(err);
        return;
    }
    switch (m->type) {
    case SKIFF_MSG_NODE_HTTP_REQ: on_req(nh, m, &b); break;
    case SKIFF_MSG_NODE_HTTP_BODY: on_body(nh, m, &b); break;
    case SKIFF_MSG_NODE_HTTP_ACK: on_ack(nh, m, &b); break;
    case SKIFF_MSG_NODE_HTTP_INPUT: on_input(nh, m, &b); break;
    case SKIFF_MSG_NODE_HTTP_CANCEL: {
        struct skiff_http_stream *s = stream_find(nh, m->from, b.sid);
        if (s && !s->gone) stream_gone(s);
        break;
    }
    default:
        sk_log(SK_LOG_WARN, WHO, "dropped message type=%u from=%s: not a request", m->type,
               m->from);
    }
}

struct sk_node_http *sk_node_http_new(struct sk_loop *loop, struct sk_bus *bus, size_t max_body,
                                      struct sk_error **err)
{
    struct sk_node_http *nh = sk_xcalloc(1, sizeof(*nh));
    nh->loop = loop;
    nh->max_body = max_body;
    nh->ep = sk_bus_attach(bus, SK_NH_ENDPOINT, nh_msg, nh, err);
    if (!nh->ep) {
        free(nh);
        return NULL;
    }
    return nh;
}

void sk_node_http_free(struct sk_node_http *nh)
{
    if (!nh) return;
    while (nh->streams) {
        struct skiff_http_stream *s = nh->streams;
        if (!s->gone) send_end(nh, s->to, s->sid, 503, "the node agent is stopping");
        stream_free(s);
    }
    while (nh->routes) {
        struct route *r = nh->routes;
        nh->routes = r->next;
        free(r->owner_name);
        free(r);
    }
    sk_bus_detach(nh->ep);
    free(nh);
}

int sk_node_http_serve(struct sk_node_http *nh, const void *owner, const char *owner_name,
                       const char *prefix, skiff_http_fn fn, void *arg)
{
    if (!nh) return SKIFF_EUNAVAILABLE;
    if (!fn || !prefix_ok(prefix)) return SKIFF_EINVAL;
    for (struct route *r = nh->routes; r; r = r->next)
        if (!strcmp(r->prefix, prefix)) return SKIFF_ECONFLICT;
    struct route *r = sk_xcalloc(1, sizeof(*r));
    r->owner = owner;
    r->owner_name = sk_xstrdup(owner_name ? owner_name : "?");
    r->fn = fn;
    r->arg = arg;
    snprintf(r->prefix, sizeof(r->prefix), "%s", prefix);
    r->next = nh->routes;
    nh->routes = r;
    sk_log(SK_LOG_INFO, WHO, "serving prefix=/%s plugin=%s", prefix, r->owner_name);
    return SKIFF_OK;
}

void sk_node_http_drop(struct sk_node_http *nh, const void *owner)
{
    if (!nh || !owner) return;
    for (struct route **pp = &nh->routes; *pp;) {
        struct route *r = *pp;
        if (r->owner == owner) {
            *pp = r->next;
            sk_log(SK_LOG_INFO, WHO, "dropped prefix=/%s plugin=%s", r->prefix, r->owner_name);
            free(r->owner_name);
            free(r);
        } else {
            pp = &r->next;
        }
    }
    for (struct skiff_http_stream *s = nh->streams, *next; s; s = next) {
        next = s->next;
        if (s->owner != owner || s->ended) continue;
        if (!s->gone) send_end(nh, s->to, s->sid, 503, "the plugin serving this path stopped");
        stream_free(s);
    }
}

size_t sk_node_http_streams(const struct sk_node_http *nh)
{
    return nh ? nh->nstreams : 0;
}

/* ---- the ABI's stream functions ---- */

static bool status_ok(int status)
{
    return status >= 200 && status <= 599;
}

int sk_nh_head(struct skiff_http_stream *s, int status, const char *content_type)
{
    if (!s || s->ended || s->head_called || !status_ok(status)) return -1;
    if (content_type && (strlen(content_type) > 255 || strpbrk(content_type, "\r\n"))) return -1;
    if (s->gone) return -1;
    s->status = status;
    s->rctype = sk_xstrdup(content_type ? content_type : "text/plain; charset=utf-8");
    s->head_called = true;
    schedule_flush(s, 0);
    return 0;
}

int sk_nh_write(struct skiff_http_stream *s, const void *data, size_t len)
{
    if (!s || s->ended || !s->head_called || s->gone) return -1;
    if (!len) return 0;
    if (!data) return -1;
    if (s->upgraded && s->status < 300) {
        /* one frame per write: the requester finds the boundaries again */
        if (len > SK_NH_FRAME_MAX) return -1;
        uint8_t h[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
                        (uint8_t)len};
        bq_append(&s->out, h, 4);
    }
    bq_append(&s->out, data, len);
    size_t p = pending_of(s);
    if (p > s->peak) s->peak = p;
    schedule_flush(s, 0);
    return 0;
}

size_t sk_nh_pending(struct skiff_http_stream *s)
{
    return s ? pending_of(s) : 0;
}

void sk_nh_notify(struct skiff_http_stream *s, void (*drain)(void *arg), void (*gone)(void *arg),
                  void *arg)
{
    if (!s || s->ended) return;
    s->drain = drain;
    s->gone_fn = gone;
    s->cb_arg = arg;
    s->peak = pending_of(s);
}

void sk_nh_end(struct skiff_http_stream *s)
{
    if (!s || s->ended) return;
    if (s->gone) {
        stream_free(s);
        return;
    }
    s->ended = true;
    s->drain = NULL;
    s->gone_fn = NULL;
    schedule_flush(s, 0);
}

/* ---- requester side ---- */

struct sk_nh_call {
    struct sk_nh_call *prev, *next;
    struct sk_nh_client *c;
    uint64_t sid;
    char to[ADDR_MAX + 1];
    struct sk_nh_call_ops ops;
    void *arg;
    uint64_t received, acked;
    size_t window;
    bool headed;
    bool in_cb;     /* an event callback is running */
    bool cancelled; /* cancelled from inside it: freed when it returns */
    bool done;      /* end was delivered: nothing left to cancel */
    /* upgraded calls: input frames sent, taken by the node's plugin, and
     * those waiting for the window or for room on the bus */
    uint64_t in_sent, in_acked;
    struct bq inq; /* [u32 length][frame]... */
    struct sk_timer *in_t;
};

struct sk_nh_client {
    struct sk_loop *loop;
    struct sk_bus_ep *ep;
    struct sk_nh_call *calls;
    size_t ncalls;
    uint64_t next_sid;
};

static void call_free(struct sk_nh_call *call)
{
    struct sk_nh_client *c = call->c;
    if (call->prev)
        call->prev->next = call->next;
    else
        c->calls = call->next;
    if (call->next) call->next->prev = call->prev;
    c->ncalls--;
    sk_timer_cancel(call->in_t);
    bq_free(&call->inq);
    free(call);
}

static void call_send_cancel(struct sk_nh_call *call)
{
    struct enc e;
    enc_init(&e, 1);
    enc_uint(&e, "sid", call->sid);
    enc_send(call->c->ep, call->to, SKIFF_MSG_NODE_HTTP_CANCEL, &e);
}

/* Returns false when the call was cancelled inside (and is now freed). */
static bool after_cb(struct sk_nh_call *call)
{
    call->in_cb = false;
    if (!call->cancelled) return true;
    call_free(call);
    return false;
}

static void call_fail(struct sk_nh_call *call, int code, const char *msg)
{
    call_send_cancel(call);
    call->in_cb = true;
    call->done = true;
    if (call->ops.end) call->ops.end(call->arg, code, msg);
    call_free(call);
}

static void call_input_flush(struct sk_nh_call *call);

static void call_input_cb(void *arg)
{
    struct sk_nh_call *call = arg;
    call->in_t = NULL;
    call_input_flush(call);
}

/* Send waiting input while the window and the bus allow; tell the owner
 * once its input is all sent and the window is at least half open. */
static void call_input_flush(struct sk_nh_call *call)
{
    bool had = bq_len(&call->inq) > 0;
    while (bq_len(&call->inq)) {
        const uint8_t *p = (const uint8_t *)call->inq.p + call->inq.off;
        size_t n = ((size_t)p[0] << 24) | ((size_t)p[1] << 16) | ((size_t)p[2] << 8) | p[3];
        if (call->in_sent - call->in_acked + n > call->window) break;
        struct enc e;
        enc_init(&e, 2);
        enc_uint(&e, "sid", call->sid);
        enc_bin(&e, "data", p + 4, n);
        sk_err rc = enc_send(call->c->ep, call->to, SKIFF_MSG_NODE_HTTP_INPUT, &e);
        if (rc == SK_EAGAIN) {
            if (!call->in_t)
                call->in_t = sk_timer_add(call->c->loop, RETRY_SECS, 0, call_input_cb, call);
            return;
        }
        if (rc) {
            bq_free(&call->inq); /* the node is gone: its END or the owner's cancel follows */
            return;
        }
        call->inq.off += 4 + n;
        call->in_sent += n;
    }
    if (!bq_len(&call->inq)) call->inq.off = call->inq.len = 0;
    bool open = !bq_len(&call->inq) && call->in_sent - call->in_acked <= call->window / 2;
    if (open && (had || call->in_sent != call->in_acked) && call->ops.input_drain && !call->in_cb) {
        call->in_cb = true;
        call->ops.input_drain(call->arg);
        after_cb(call);
    }
}

sk_err sk_nh_call_input(struct sk_nh_call *call, const void *frame, size_t len)
{
    if (!call || call->cancelled || call->done) return SK_ECLOSED;
    if (!len || len > SK_NH_BODY_CHUNK) return SK_EINVAL;
    uint8_t h[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len};
    bq_append(&call->inq, h, 4);
    bq_append(&call->inq, frame, len);
    if (!call->in_t) call->in_t = sk_timer_add(call->c->loop, 0, 0, call_input_cb, call);
    return SK_OK;
}

size_t sk_nh_call_input_pending(const struct sk_nh_call *call)
{
    return call ? (size_t)(call->in_sent - call->in_acked) + bq_len(&call->inq) : 0;
}

static void client_msg(void *arg, const struct skiff_msg *m)
{
    struct sk_nh_client *c = arg;
    struct sk_nh_body b;
    struct sk_error *err = NULL;
    if (sk_nh_decode(m->type, m->body, m->body_len, &b, &err)) {
        sk_log(SK_LOG_WARN, WHO, "dropped reply type=%u from=%s: %s", m->type, m->from,
               sk_error_msg(err, SK_EPROTO));
        sk_error_free(err);
        return;
    }
    struct sk_nh_call *call = c->calls;
    while (call && (call->sid != b.sid || strcmp(call->to, m->from)))
        call = call->next;
    if (!call) return; /* cancelled meanwhile */
    switch (m->type) {
    case SKIFF_MSG_NODE_HTTP_HEAD: {
        if (call->headed) return call_fail(call, 502, "the node sent two response heads");
        call->headed = true;
        char ct[256];
        snprintf(ct, sizeof(ct), "%.*s", (int)(b.ctype.n < 255 ? b.ctype.n : 255), b.ctype.p);
        call->in_cb = true;
        if (call->ops.head) call->ops.head(call->arg, (int)b.status, ct, b.length);
        if (!after_cb(call) || !b.has_data) break;
        /* the whole response in one message: data and end follow at once,
         * and there is nothing left to acknowledge or cancel */
        call->received += b.data_len;
        call->done = true;
        call->in_cb = true;
        if (b.data_len && call->ops.data) call->ops.data(call->arg, b.data, b.data_len);
        if (!after_cb(call)) break;
        call->in_cb = true;
        if (call->ops.end) call->ops.end(call->arg, 0, "");
        call_free(call);
        break;
    }
    case SKIFF_MSG_NODE_HTTP_DATA:
        if (!call->headed) return call_fail(call, 502, "the node sent data before a head");
        call->received += b.data_len;
        call->in_cb = true;
        if (call->ops.data) call->ops.data(call->arg, b.data, b.data_len);
        after_cb(call);
        break;
    case SKIFF_MSG_NODE_HTTP_ACK:
        /* upgraded calls: the node's plugin took this much input */
        if (b.bytes > call->in_sent)
            return call_fail(call, 502, "the node acknowledged unsent input");
        if (b.bytes > call->in_acked) call->in_acked = b.bytes;
        call_input_flush(call);
        break;
    case SKIFF_MSG_NODE_HTTP_END: {
        char msg[512];
        snprintf(msg, sizeof(msg), "%.*s", (int)(b.message.n < 511 ? b.message.n : 511),
                 b.message.p);
        call->in_cb = true;
        call->done = true;
        if (call->ops.end) call->ops.end(call->arg, (int)b.code, msg);
        call_free(call);
        break;
    }
    default:
        sk_log(SK_LOG_WARN, WHO, "dropped reply type=%u from=%s: not a response", m->type, m->from);
    }
}

struct sk_nh_client *sk_nh_client_new(struct sk_loop *loop, struct sk_bus *bus, const char *ep_name,
                                      struct sk_error **err)
{
    struct sk_nh_client *c = sk_xcalloc(1, sizeof(*c));
    c->loop = loop;
    c->next_sid = 1;
    c->ep = sk_bus_attach(bus, ep_name, client_msg, c, err);
    if (!c->ep) {
        free(c);
        return NULL;
    }
    return c;
}

void sk_nh_client_free(struct sk_nh_client *c)
{
    if (!c) return;
    while (c->calls) {
        call_send_cancel(c->calls);
        call_free(c->calls);
    }
    sk_bus_detach(c->ep);
    free(c);
}

struct sk_nh_call *sk_nh_call_start(struct sk_nh_client *c, const char *to,
                                    const struct sk_nh_request *rq,
                                    const struct sk_nh_call_ops *ops, void *arg,
                                    struct sk_error **err)
{
    if (!c || !to || strlen(to) > ADDR_MAX || !rq || !rq->method || !rq->path ||
        rq->path[0] != '/' || !ops) {
        sk_fail(err, SK_EINVAL, "node http: bad request");
        return NULL;
    }
    size_t window = rq->window ? rq->window : SK_NH_WINDOW_DEFAULT;
    if (window < SK_NH_WINDOW_MIN) window = SK_NH_WINDOW_MIN;
    if (window > SK_NH_WINDOW_MAX) window = SK_NH_WINDOW_MAX;
    const char *query = rq->query ? rq->query : "";
    const char *ctype = rq->content_type ? rq->content_type : "";
    if (strlen(rq->path) > SK_NH_STR_MAX || strlen(query) > SK_NH_STR_MAX ||
        strlen(ctype) > SK_NH_STR_MAX) {
        sk_fail(err, SK_ETOOBIG, "node http: path, query or content type over %u bytes",
                SK_NH_STR_MAX);
        return NULL;
    }
    struct sk_nh_call *call = sk_xcalloc(1, sizeof(*call));
    call->c = c;
    call->sid = c->next_sid++;
    snprintf(call->to, sizeof(call->to), "%s", to);
    call->ops = *ops;
    call->arg = arg;
    call->window = window;

    const char *body = rq->body ? rq->body : "";
    size_t blen = rq->body ? rq->body_len : 0;
    size_t first = blen < SK_NH_BODY_CHUNK ? blen : SK_NH_BODY_CHUNK;
    struct enc e;
    enc_init(&e, rq->upgrade ? 9 : 8);
    enc_uint(&e, "sid", call->sid);
    if (rq->upgrade) enc_uint(&e, "upgrade", 1);
    enc_str(&e, "method", rq->method);
    enc_str(&e, "path", rq->path);
    enc_str(&e, "query", query);
    enc_str(&e, "ctype", ctype);
    enc_uint(&e, "blen", blen);
    enc_uint(&e, "window", window);
    enc_bin(&e, "body", body, first);
    uint64_t id = sk_bus_send(c->ep, to, SKIFF_MSG_NODE_HTTP_REQ, 1, 0, e.sb.data, e.sb.size, err);
    enc_free(&e);
    if (!id) {
        free(call);
        return NULL;
    }
    /* the rest of the body: the node reassembles it in order */
    for (size_t off = first; off < blen;) {
        size_t n = blen - off < SK_NH_BODY_CHUNK ? blen - off : SK_NH_BODY_CHUNK;
        enc_init(&e, 3);
        enc_uint(&e, "sid", call->sid);
        enc_uint(&e, "off", off);
        enc_bin(&e, "data", body + off, n);
        id = sk_bus_send(c->ep, to, SKIFF_MSG_NODE_HTTP_BODY, 1, 0, e.sb.data, e.sb.size, err);
        enc_free(&e);
        if (!id) {
            call_send_cancel(call);
            free(call);
            return NULL;
        }
        off += n;
    }
    call->next = c->calls;
    if (c->calls) c->calls->prev = call;
    c->calls = call;
    c->ncalls++;
    return call;
}

void sk_nh_call_consumed(struct sk_nh_call *call, uint64_t total)
{
    if (!call || call->cancelled || call->done) return;
    if (total > call->received) total = call->received;
    if (total <= call->acked) return;
    /* every quarter window, and whenever the client caught up, so the
     * node never waits on an acknowledgement it will not get */
    if (total - call->acked < call->window / 4 && total != call->received) return;
    struct enc e;
    enc_init(&e, 2);
    enc_uint(&e, "sid", call->sid);
    enc_uint(&e, "bytes", total);
    if (enc_send(call->c->ep, call->to, SKIFF_MSG_NODE_HTTP_ACK, &e) == SK_OK) call->acked = total;
}

void sk_nh_call_cancel(struct sk_nh_call *call)
{
    if (!call || call->cancelled) return;
    /* after the node's last message there is nothing to tell it */
    if (!call->done) call_send_cancel(call);
    if (call->in_cb) {
        call->cancelled = true;
        return;
    }
    call_free(call);
}

size_t sk_nh_client_calls(const struct sk_nh_client *c)
{
    return c ? c->ncalls : 0;
}
