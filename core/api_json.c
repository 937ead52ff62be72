/* Stored objects straight from msgpack to JSON, without building a value
 * tree: a GET or a LIST of a thousand pods then costs one pass over the
 * stored bytes. The output is byte for byte what sk_json_write gives for
 * the decoded tree (Go's escaping, shortest exact floats), except that the
 * top-level apiVersion and kind can be forced to the front. */
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api_int.h"
#include "json.h"
#include "mem.h"
#include "table.h"

struct rd {
    const unsigned char *p, *end;
    struct sk_buf *b;
};

// clang-format off
static const unsigned char esc[128] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};
// clang-format on

static void u4(struct sk_buf *b, unsigned cp)
{
    static const char hx[] = "0123456789abcdef";
    char e[6] = {'\\',       'u', hx[(cp >> 12) & 15], hx[(cp >> 8) & 15], hx[(cp >> 4) & 15],
                 hx[cp & 15]};
    sk_buf_append(b, e, 6);
}

static void put_str(struct sk_buf *b, const unsigned char *p, size_t n)
{
    size_t i = 0, run = 0;
    sk_buf_reserve(b, n + 2);
    sk_buf_putc(b, '"');
    while (i < n) {
        unsigned c = p[i];
        if (c < 0x80) {
            if (!esc[c]) {
                i++;
                continue;
            }
            sk_buf_append(b, p + run, i - run);
            switch (c) {
            case '"': sk_buf_append(b, "\\\"", 2); break;
            case '\\': sk_buf_append(b, "\\\\", 2); break;
            case '\n': sk_buf_append(b, "\\n", 2); break;
            case '\r': sk_buf_append(b, "\\r", 2); break;
            case '\t': sk_buf_append(b, "\\t", 2); break;
            default: u4(b, c); break;
            }
            run = ++i;
            continue;
        }
        size_t l = sk_utf8_len(p + i, n - i);
        if (l == 0) {
            sk_buf_append(b, p + run, i - run);
            u4(b, 0xfffd);
            run = ++i;
        } else if (l == 3 && c == 0xe2 && p[i + 1] == 0x80 && (p[i + 2] & 0xfe) == 0xa8) {
            sk_buf_append(b, p + run, i - run);
            u4(b, p[i + 2] == 0xa8 ? 0x2028 : 0x2029);
            i += 3;
            run = i;
        } else {
            i += l;
        }
    }
    sk_buf_append(b, p + run, i - run);
    sk_buf_putc(b, '"');
}

static bool need(struct rd *r, size_t n)
{
    return (size_t)(r->end - r->p) >= n;
}

static uint64_t be(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* Reads a string header; false when the next item is not a string. */
static bool str_at(struct rd *r, const unsigned char **s, size_t *n)
{
    if (!need(r, 1)) return false;
    unsigned c = *r->p;
    int hl;
    uint64_t len;
    if ((c & 0xe0) == 0xa0) {
        hl = 1;
        len = c & 0x1f;
    } else if (c == 0xd9 || c == 0xda || c == 0xdb) {
        int w = c == 0xd9 ? 1 : c == 0xda ? 2 : 4;
        if (!need(r, 1 + (size_t)w)) return false;
        hl = 1 + w;
        len = be(r->p + 1, w);
    } else {
        return false;
    }
    if (!need(r, (size_t)hl + len)) return false;
    *s = r->p + hl;
    *n = (size_t)len;
    r->p += (size_t)hl + len;
    return true;
}

static bool item(struct rd *r, int depth);

static bool put_num(struct sk_buf *b, double d)
{
    char num[32];
    if (!isfinite(d)) {
        sk_buf_append(b, "null", 4);
        return true;
    }
    sk_buf_append(b, num, sk_fmt_double(d, num));
    return true;
}

static bool container(struct rd *r, int depth, bool map, uint64_t n)
{
    if (depth >= SK_VAL_MAX_DEPTH) return false;
    if (!n) {
        sk_buf_append(r->b, map ? "{}" : "[]", 2);
        return true;
    }
    sk_buf_putc(r->b, map ? '{' : '[');
    for (uint64_t i = 0; i < n; i++) {
        if (i) sk_buf_putc(r->b, ',');
        if (map) {
            const unsigned char *k;
            size_t kl;
            if (!str_at(r, &k, &kl)) return false;
            put_str(r->b, k, kl);
            sk_buf_putc(r->b, ':');
        }
        if (!item(r, depth + 1)) return false;
    }
    sk_buf_putc(r->b, map ? '}' : ']');
    return true;
}

static bool item(struct rd *r, int depth)
{
    char num[32];
    if (!need(r, 1)) return false;
    unsigned c = *r->p;
    if (c <= 0x7f) {
        r->p++;
        sk_buf_append(r->b, num, sk_fmt_int64(c, num));
        return true;
    }
    if (c >= 0xe0) {
        r->p++;
        sk_buf_append(r->b, num, sk_fmt_int64((int8_t)c, num));
        return true;
    }
    if ((c & 0xf0) == 0x80) {
        r->p++;
        return container(r, depth, true, c & 0x0f);
    }
    if ((c & 0xf0) == 0x90) {
        r->p++;
        return container(r, depth, false, c & 0x0f);
    }
    if ((c & 0xe0) == 0xa0 || c == 0xd9 || c == 0xda || c == 0xdb) {
        const unsigned char *s;
        size_t n;
        if (!str_at(r, &s, &n)) return false;
        put_str(r->b, s, n);
        return true;
    }
    static const int width[] = {
            [0xca] = 4, [0xcb] = 8, [0xcc] = 1, [0xcd] = 2, [0xce] = 4, [0xcf] = 8, [0xd0] = 1,
            [0xd1] = 2, [0xd2] = 4, [0xd3] = 8, [0xdc] = 2, [0xdd] = 4, [0xde] = 2, [0xdf] = 4,
    };
    switch (c) {
    case 0xc0:
        r->p++;
        sk_buf_append(r->b, "null", 4);
        return true;
    case 0xc2:
        r->p++;
        sk_buf_append(r->b, "false", 5);
        return true;
    case 0xc3:
        r->p++;
        sk_buf_append(r->b, "true", 4);
        return true;
    default: break;
    }
    if (c > 0xdf || !width[c]) return false; /* bin, ext and reserved */
    int w = width[c];
    if (!need(r, 1 + (size_t)w)) return false;
    uint64_t v = be(r->p + 1, w);
    r->p += 1 + w;
    switch (c) {
    case 0xca: {
        uint32_t u = (uint32_t)v;
        float f;
        memcpy(&f, &u, 4);
        return put_num(r->b, f);
    }
    case 0xcb: {
        double d;
        memcpy(&d, &v, 8);
        return put_num(r->b, d);
    }
    case 0xcc:
    case 0xcd:
    case 0xce:
    case 0xcf:
        if (v > INT64_MAX) return false;
        sk_buf_append(r->b, num, sk_fmt_int64((int64_t)v, num));
        return true;
    case 0xd0: sk_buf_append(r->b, num, sk_fmt_int64((int8_t)v, num)); return true;
    case 0xd1: sk_buf_append(r->b, num, sk_fmt_int64((int16_t)v, num)); return true;
    case 0xd2: sk_buf_append(r->b, num, sk_fmt_int64((int32_t)v, num)); return true;
    case 0xd3: sk_buf_append(r->b, num, sk_fmt_int64((int64_t)v, num)); return true;
    case 0xdc:
    case 0xdd: return container(r, depth, false, v);
    default: return container(r, depth, true, v);
    }
}

static bool map_header(struct rd *r, uint64_t *n)
{
    if (!need(r, 1)) return false;
    unsigned c = *r->p;
    if ((c & 0xf0) == 0x80) {
        *n = c & 0x0f;
        r->p++;
        return true;
    }
    if (c == 0xde || c == 0xdf) {
        int w = c == 0xde ? 2 : 4;
        if (!need(r, 1 + (size_t)w)) return false;
        *n = be(r->p + 1, w);
        r->p += 1 + w;
        return true;
    }
    return false;
}

static bool key_is(const unsigned char *k, size_t kl, const char *s)
{
    return kl == strlen(s) && !memcmp(k, s, kl);
}

bool sk_api_msgpack_to_json(const char *p, size_t n, const char *api_version, const char *kind,
                            struct sk_buf *out)
{
    size_t start = out->len;
    struct rd r = {(const unsigned char *)p, (const unsigned char *)p + n, out};
    bool ok;
    uint64_t nk;
    if (!api_version) {
        ok = item(&r, 0);
    } else if (!map_header(&r, &nk)) {
        ok = false;
    } else {
        /* apiVersion and kind first, then the other keys in stored order */
        sk_buf_puts(out, "{\"apiVersion\":");
        put_str(out, (const unsigned char *)api_version, strlen(api_version));
        sk_buf_puts(out, ",\"kind\":");
        put_str(out, (const unsigned char *)kind, strlen(kind));
        ok = true;
        for (uint64_t i = 0; i < nk && ok; i++) {
            const unsigned char *k;
            size_t kl;
            if (!str_at(&r, &k, &kl)) {
                ok = false;
                break;
            }
            if (key_is(k, kl, "apiVersion") || key_is(k, kl, "kind")) {
                /* skip the stored value */
                size_t mark = out->len;
                ok = item(&r, 1);
                out->len = mark;
                continue;
            }
            sk_buf_putc(out, ',');
            put_str(out, k, kl);
            sk_buf_putc(out, ':');
            ok = item(&r, 1);
        }
        if (ok) sk_buf_putc(out, '}');
    }
    if (!ok || r.p != r.end) {
        out->len = start;
        return false;
    }
    return true;
}

void sk_api_set_type(const struct sk_kind *k, struct sk_val *obj)
{
    /* apiVersion and kind lead, as in every object Kubernetes prints */
    if (obj->u.m.n >= 2 && !strcmp(obj->u.m.kv[0].key, "apiVersion") &&
        !strcmp(obj->u.m.kv[1].key, "kind")) {
        sk_map_set(obj, "apiVersion", sk_val_str(sk_kind_api_version(k)));
        sk_map_set(obj, "kind", sk_val_str(k->kind));
        return;
    }
    sk_map_del(obj, "apiVersion");
    sk_map_del(obj, "kind");
    struct sk_val tmp = *obj;
    struct sk_val *front = sk_val_map();
    sk_map_set(front, "apiVersion", sk_val_str(sk_kind_api_version(k)));
    sk_map_set(front, "kind", sk_val_str(k->kind));
    for (size_t i = 0; i < tmp.u.m.n; i++) {
        sk_map_push(front, tmp.u.m.kv[i].key, tmp.u.m.kv[i].klen, tmp.u.m.kv[i].val);
        sk_val_key_free(tmp.u.m.kv[i].key);
    }
    free(tmp.u.m.kv);
    *obj = *front;
    free(front);
}

void sk_api_write_obj(const struct sk_kind *k, struct sk_store_obj *o, int form, bool pretty,
                      struct sk_buf *b)
{
    if (form != SK_API_OUT_YAML && !pretty &&
        sk_api_msgpack_to_json(o->data, o->len, sk_kind_api_version(k), k->kind, b)) {
        sk_buf_putc(b, '\n');
        return;
    }
    const struct sk_val *v = sk_store_obj_val(o);
    struct sk_val *c = v && v->type == SK_V_MAP ? sk_val_dup(v) : sk_val_map();
    sk_api_set_type(k, c);
    sk_api_write_val(c, form, pretty, b);
    sk_val_free(c);
}

void sk_api_write_table(const struct sk_kind *k, int include, const struct sk_val *const *objs,
                        size_t n, uint64_t list_rev, const char *cont, bool nohead,
                        struct sk_buf *b)
{
    struct sk_val *t = NULL;
    /* the printers only read the objects */
    if (sk_table_build(k, (struct sk_val *const *)objs, n, (enum sk_table_include)include,
                       (int64_t)time(NULL), &t) != SK_OK) {
        sk_buf_puts(b, "{}\n");
        return;
    }
    if (list_rev) {
        char rv[24];
        snprintf(rv, sizeof(rv), "%" PRIu64, list_rev);
        sk_table_set_list_meta(t, rv, cont, -1);
    }
    if (nohead) sk_table_drop_headers(t);
    sk_json_write(t, SK_JSON_COMPACT, b);
    sk_buf_putc(b, '\n');
    sk_val_free(t);
}

/* ---- the cache of encoded objects ---- */

/* A slot's bytes live in a blob that a list can pin (under the cache's
 * lock) while it writes them out, so that they stay valid after the slot
 * moves on to another revision. */
struct jblob {
    size_t refs; /* the slot's and each pinning list's; under the cache lock */
    char bytes[];
};

static struct jblob *blob_of(const char *bytes)
{
    return (struct jblob *)(bytes - offsetof(struct jblob, bytes));
}

/* Under the cache lock. */
static void blob_unref(const char *bytes)
{
    if (!bytes) return;
    struct jblob *b = blob_of(bytes);
    if (--b->refs == 0) free(b);
}

void sk_api_jcache_init(struct sk_api_jcache *c)
{
    pthread_mutex_init(&c->mu, NULL);
    c->slots = sk_xcalloc(SK_API_JCACHE_SLOTS, sizeof(*c->slots));
    /* Enough for the lists of a small cluster; past it the cache starts
     * over (see sk_api_obj_json), so stale revisions do not pile up. */
    c->max_bytes = 512u * 1024;
}

/* Under the cache lock: drop every slot (pinned bytes stay with their
 * pinners). */
static void jcache_flush(struct sk_api_jcache *c)
{
    for (size_t i = 0; i < SK_API_JCACHE_SLOTS; i++) {
        blob_unref(c->slots[i].bytes);
        c->slots[i] = (struct sk_api_jslot){0};
    }
    c->bytes = 0;
}

void sk_api_jcache_free(struct sk_api_jcache *c)
{
    if (!c->slots) return;
    for (size_t i = 0; i < SK_API_JCACHE_SLOTS; i++)
        blob_unref(c->slots[i].bytes);
    free(c->slots);
    c->slots = NULL;
    pthread_mutex_destroy(&c->mu);
}

const char *sk_api_jcache_pin(struct sk_api *api, uint64_t rev, size_t *len)
{
    struct sk_api_jcache *c = &api->jc;
    struct sk_api_jslot *s = &c->slots[rev % SK_API_JCACHE_SLOTS];
    const char *p = NULL;
    pthread_mutex_lock(&c->mu);
    if (s->rev == rev && s->bytes) {
        blob_of(s->bytes)->refs++;
        p = s->bytes;
        *len = s->len;
    }
    pthread_mutex_unlock(&c->mu);
    return p;
}

void sk_api_jcache_unpin(struct sk_api *api, const char *const *bytes, size_t n)
{
    struct sk_api_jcache *c = &api->jc;
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < n; i++)
        blob_unref(bytes[i]);
    pthread_mutex_unlock(&c->mu);
}

bool sk_api_obj_json(struct sk_api *api, const struct sk_kind *k, struct sk_store_obj *o,
                     struct sk_buf *b)
{
    struct sk_api_jcache *c = &api->jc;
    struct sk_api_jslot *s = &c->slots[o->rev % SK_API_JCACHE_SLOTS];
    pthread_mutex_lock(&c->mu);
    if (s->rev == o->rev && s->bytes) {
        sk_buf_append(b, s->bytes, s->len);
        pthread_mutex_unlock(&c->mu);
        return true;
    }
    pthread_mutex_unlock(&c->mu);
    size_t start = b->len;
    if (!sk_api_msgpack_to_json(o->data, o->len, sk_kind_api_version(k), k->kind, b)) return false;
    size_t len = b->len - start;
    struct jblob *copy = sk_xmalloc(sizeof(*copy) + (len ? len : 1));
    copy->refs = 1;
    memcpy(copy->bytes, b->p + start, len);
    pthread_mutex_lock(&c->mu);
    /* Direct-mapped slots keep old revisions of changed objects until
     * another revision lands on them: when the budget is spent, start
     * over rather than stop caching, so the bytes held are the recent
     * working set, at most max_bytes. */
    if (len <= c->max_bytes && c->bytes + len > c->max_bytes) jcache_flush(c);
    if (c->bytes + len > c->max_bytes || s->rev == o->rev) {
        free(copy);
    } else {
        if (s->bytes) c->bytes -= s->len;
        blob_unref(s->bytes);
        s->rev = o->rev;
        s->bytes = copy->bytes;
        s->len = len;
        c->bytes += len;
    }
    pthread_mutex_unlock(&c->mu);
    return true;
}

/* ---- repeated keys in request bodies ---- */

#define MAX_UNKNOWN 64

bool sk_api_body_dups(struct sk_api_rq *r, const struct sk_json_dups *d, const struct sk_val *obj,
                      bool with_unknown)
{
    if (!d->n || r->fv == SK_API_FV_IGNORE) return true;
    /* Go's decoder reports a repeated unknown field of a struct as unknown
     * only, so those are left to the unknown-field check */
    char *unk[MAX_UNKNOWN];
    size_t nu = 0;
    if (r->kind && sk_val_is(obj, SK_V_MAP)) {
        nu = sk_schema_unknown_fields(r->kind, obj, unk, MAX_UNKNOWN);
        if (nu > MAX_UNKNOWN) nu = MAX_UNKNOWN;
    }
    bool *skip = sk_xcalloc(d->n, sizeof(*skip));
    size_t shown = 0;
    for (size_t i = 0; i < d->n; i++) {
        for (size_t u = 0; u < nu && !skip[i]; u++)
            skip[i] = !strcmp(unk[u], d->paths[i]);
        if (skip[i]) continue;
        shown++;
        if (r->fv == SK_API_FV_WARN) {
            char *w = sk_xasprintf("duplicate field \"%s\"", d->paths[i]);
            sk_api_warn(r, w);
            free(w);
        }
    }
    bool ok = r->fv == SK_API_FV_WARN || !shown;
    if (!ok) {
        /* repeated and unknown fields in the order the decoder meets them */
        size_t nk = with_unknown ? nu : 0;
        size_t *upos = sk_xcalloc(nk ? nk : 1, sizeof(*upos));
        size_t blen;
        const char *body = sk_http_req_body(r->req, &blen);
        if (nk) sk_json_key_positions(body, blen, (const char *const *)unk, nk, upos);
        for (size_t a = 1; a < nk; a++) /* the schema's order is not the text's */
            for (size_t z = a; z > 0 && upos[z - 1] > upos[z]; z--) {
                size_t tp = upos[z];
                upos[z] = upos[z - 1];
                upos[z - 1] = tp;
                char *tu = unk[z];
                unk[z] = unk[z - 1];
                unk[z - 1] = tu;
            }
        struct sk_buf b = {0};
        sk_buf_puts(&b, "strict decoding error: ");
        size_t i = 0, u = 0, n = 0;
        while (i < d->n || u < nk) {
            if (i < d->n && skip[i]) {
                i++;
                continue;
            }
            bool dup = u >= nk || (i < d->n && d->at[i] < upos[u]);
            sk_buf_printf(&b, "%s%s field \"%s\"", n++ ? ", " : "", dup ? "duplicate" : "unknown",
                          dup ? d->paths[i++] : unk[u++]);
        }
        sk_buf_putc(&b, 0);
        char *msg = r->kind ? sk_schema_decode_message(r->kind, b.p) : sk_xstrdup(b.p);
        sk_api_fail_badrequest(r, msg);
        free(msg);
        sk_buf_free(&b);
        free(upos);
    }
    free(skip);
    for (size_t k = 0; k < nu; k++)
        free(unk[k]);
    return ok;
}
