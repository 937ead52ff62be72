/* The protobuf body decoder: the runtime.Unknown envelope, then the kind's
 * message walked along the schema's field tree with the numbers of
 * proto_tags.c. The wire format is proto2 as Kubernetes' gogo code writes
 * it: every non-pointer field is always sent, so zero values of those are
 * dropped here to give the tree encoding/json would have given. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "log.h"
#include "mem.h"
#include "proto.h"

#define WT_VARINT 0
#define WT_I64    1
#define WT_LEN    2
#define WT_I32    5

#define REF_META         "io.k8s.apimachinery.pkg.apis.meta.v1."
#define REF_FIELDSV1     REF_META "FieldsV1"
#define MEDIA_TYPE_PROTO SK_PROTO_MEDIA_TYPE

/* Go's time range that RFC 3339 can spell: 0001-01-01 to 9999-12-31. */
#define MIN_UNIX -62135596800LL
#define MAX_UNIX 253402300799LL

struct rd {
    const uint8_t *p, *end;
};

struct dctx {
    struct sk_error **err;
    char path[256]; /* "spec.template.spec.containers[0]", for messages */
    size_t plen;
};

/* ---- the wire ---- */

static bool rd_varint(struct rd *r, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 70; shift += 7) {
        if (r->p >= r->end) return false;
        uint8_t b = *r->p++;
        if (shift < 64) v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false; /* more than ten bytes */
}

static bool rd_fixed(struct rd *r, size_t n, uint64_t *out)
{
    if ((size_t)(r->end - r->p) < n) return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)r->p[i] << (8 * i);
    r->p += n;
    *out = v;
    return true;
}

static bool rd_bytes(struct rd *r, struct rd *sub)
{
    uint64_t n;
    if (!rd_varint(r, &n) || n > (uint64_t)(r->end - r->p)) return false;
    sub->p = r->p;
    sub->end = r->p + n;
    r->p += n;
    return true;
}

/* ---- errors with the field path ---- */

static size_t path_push(struct dctx *c, const char *name)
{
    size_t mark = c->plen;
    int k = snprintf(c->path + c->plen, sizeof(c->path) - c->plen, "%s%s", c->plen ? "." : "",
                     name);
    if (k > 0) c->plen += (size_t)k < sizeof(c->path) - c->plen ? (size_t)k : 0;
    return mark;
}

static size_t path_index(struct dctx *c, size_t i)
{
    size_t mark = c->plen;
    int k = snprintf(c->path + c->plen, sizeof(c->path) - c->plen, "[%zu]", i);
    if (k > 0) c->plen += (size_t)k < sizeof(c->path) - c->plen ? (size_t)k : 0;
    return mark;
}

static void path_pop(struct dctx *c, size_t mark)
{
    c->plen = mark;
    c->path[mark] = 0;
}

static sk_err fail(struct dctx *c, const char *what)
{
    return sk_fail(c->err, SK_EINVAL, "proto: %s%s%s", c->plen ? c->path : "", c->plen ? ": " : "",
                   what);
}

static sk_err fail_wire(struct dctx *c, int wt)
{
    char msg[64];
    snprintf(msg, sizeof(msg), "wrong wire type %d", wt);
    return fail(c, msg);
}

/* ---- value helpers ---- */

static struct sk_val *base64_val(const uint8_t *p, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    struct sk_buf b = {0};
    sk_buf_reserve(&b, (n + 2) / 3 * 4 + 1);
    for (size_t i = 0; i < n; i += 3) {
        uint32_t w = (uint32_t)p[i] << 16;
        if (i + 1 < n) w |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n) w |= p[i + 2];
        sk_buf_putc(&b, tab[(w >> 18) & 63]);
        sk_buf_putc(&b, tab[(w >> 12) & 63]);
        sk_buf_putc(&b, i + 1 < n ? tab[(w >> 6) & 63] : '=');
        sk_buf_putc(&b, i + 2 < n ? tab[w & 63] : '=');
    }
    struct sk_val *v = sk_val_strn(b.p ? b.p : "", b.len);
    sk_buf_free(&b);
    return v;
}

/* Proleptic Gregorian date of a day count from 1970-01-01. */
static void civil_date(int64_t days, int64_t *y, unsigned *m, unsigned *d)
{
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    unsigned doe = (unsigned)(days - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

/* metav1.Time in JSON is RFC 3339 to the second, MicroTime to the
 * microsecond, both in UTC. */
static struct sk_val *time_val(int64_t secs, int64_t nanos, bool micro)
{
    int64_t days = secs / 86400, rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    int64_t y;
    unsigned mo, d;
    civil_date(days, &y, &mo, &d);
    unsigned hh = (unsigned)(rem / 3600), mi = (unsigned)(rem / 60 % 60), ss = (unsigned)(rem % 60);
    if (micro)
        return sk_val_strf("%04" PRId64 "-%02u-%02uT%02u:%02u:%02u.%06uZ", y, mo, d, hh, mi, ss,
                           (unsigned)(nanos / 1000));
    return sk_val_strf("%04" PRId64 "-%02u-%02uT%02u:%02u:%02uZ", y, mo, d, hh, mi, ss);
}

static int val_depth(const struct sk_val *v)
{
    int d = 0;
    if (v->type == SK_V_ARR) {
        for (size_t i = 0; i < v->u.a.n; i++) {
            int k = val_depth(v->u.a.items[i]);
            if (k > d) d = k;
        }
        return d + 1;
    }
    if (v->type == SK_V_MAP) {
        for (size_t i = 0; i < v->u.m.n; i++) {
            int k = val_depth(v->u.m.kv[i].val);
            if (k > d) d = k;
        }
        return d + 1;
    }
    return 0;
}

/* JSON carried in bytes (RawExtension.raw, FieldsV1.raw), at depth. */
static sk_err json_val(struct dctx *c, struct rd b, int depth, bool want_map, struct sk_val **out)
{
    struct sk_error *e = NULL;
    struct sk_val *v = NULL;
    sk_err rc = sk_json_parse((const char *)b.p, (size_t)(b.end - b.p), &v, &e);
    if (rc) {
        char *msg = sk_xasprintf("embedded JSON: %s", sk_error_msg(e, rc));
        fail(c, msg);
        free(msg);
        sk_error_free(e);
        return SK_EINVAL;
    }
    if (want_map && v->type != SK_V_MAP) {
        sk_val_free(v);
        return fail(c, "embedded JSON is not an object");
    }
    if (depth - 1 + val_depth(v) > SK_VAL_MAX_DEPTH) {
        sk_val_free(v);
        return fail(c, "nesting too deep");
    }
    *out = v;
    return SK_OK;
}

/* ---- messages ---- */

static sk_err decode_object(struct dctx *c, const struct sk_field *f, struct rd b, int depth,
                            struct sk_val **out);

/* Skip one field's value. 0: done, 1: truncated, 2: a wire type that
 * carries no length (groups, or none at all). */
static int skip_wire(struct rd *r, int wt)
{
    uint64_t u;
    struct rd s;
    switch (wt) {
    case WT_VARINT: return rd_varint(r, &u) ? 0 : 1;
    case WT_I64: return rd_fixed(r, 8, &u) ? 0 : 1;
    case WT_I32: return rd_fixed(r, 4, &u) ? 0 : 1;
    case WT_LEN: return rd_bytes(r, &s) ? 0 : 1;
    default: return 2;
    }
}

static sk_err skip_field(struct dctx *c, struct rd *r, int wt)
{
    int k = skip_wire(r, wt);
    return k == 0 ? SK_OK : k == 1 ? fail(c, "truncated field") : fail_wire(c, wt);
}

/* The bytes field 1 of a RawExtension or FieldsV1, parsed as JSON; *out
 * NULL when there were none. */
static sk_err decode_raw_json(struct dctx *c, struct rd b, int depth, bool want_map,
                              struct sk_val **out)
{
    struct rd raw = {0};
    *out = NULL;
    while (b.p < b.end) {
        uint64_t key;
        if (!rd_varint(&b, &key)) return fail(c, "truncated field key");
        int wt = (int)(key & 7);
        if (key >> 3 != 1) {
            sk_err rc = skip_field(c, &b, wt);
            if (rc) return rc;
            continue;
        }
        if (wt != WT_LEN) return fail_wire(c, wt);
        if (!rd_bytes(&b, &raw)) return fail(c, "truncated raw bytes");
    }
    if (raw.p == raw.end) return SK_OK;
    return json_val(c, raw, depth, want_map, out);
}

/* resource.Quantity {string = 1}, intstr.IntOrString {type = 1, intVal =
 * 2, strVal = 3} and metav1.Time / MicroTime {seconds = 1, nanos = 2}. */
static sk_err decode_special(struct dctx *c, const struct sk_field *f, enum sk_ftype t, struct rd b,
                             struct sk_val **out)
{
    struct sk_val *str = NULL;
    int64_t num[3] = {0};
    bool seen = b.p < b.end;
    sk_err rc = SK_OK;
    while (b.p < b.end) {
        uint64_t key, u;
        if (!rd_varint(&b, &key)) {
            rc = fail(c, "truncated field key");
            goto out;
        }
        uint64_t fn = key >> 3;
        int wt = (int)(key & 7);
        bool want_str = (t == SK_F_QUANTITY && fn == 1) || (t == SK_F_INT_OR_STRING && fn == 3);
        bool want_int = (t == SK_F_INT_OR_STRING || t == SK_F_TIME) && (fn == 1 || fn == 2);
        if (want_str) {
            struct rd s;
            if (wt != WT_LEN || !rd_bytes(&b, &s)) {
                rc = wt != WT_LEN ? fail_wire(c, wt) : fail(c, "truncated string");
                goto out;
            }
            sk_val_free(str);
            str = sk_val_strn((const char *)s.p, (size_t)(s.end - s.p));
        } else if (want_int) {
            if (wt != WT_VARINT || !rd_varint(&b, &u)) {
                rc = wt != WT_VARINT ? fail_wire(c, wt) : fail(c, "truncated varint");
                goto out;
            }
            num[fn] = fn == 2 ? (int32_t)(uint32_t)u : (int64_t)u;
        } else if ((rc = skip_field(c, &b, wt))) {
            goto out;
        }
    }
    switch (t) {
    case SK_F_QUANTITY:
        /* resource.Quantity's zero value prints as "0" */
        *out = str ? str : sk_val_str("0");
        return SK_OK;
    case SK_F_INT_OR_STRING:
        if (num[1] == 1) {
            *out = str ? str : sk_val_str("");
            return SK_OK;
        }
        if (num[1] != 0) {
            rc = fail(c, "impossible IntOrString.Type");
            goto out;
        }
        *out = sk_val_int((int32_t)num[2]);
        break;
    case SK_F_TIME: {
        if (!seen) break; /* the zero Time: JSON's null */
        bool micro = f->go_type && strstr(f->go_type, "MicroTime");
        int64_t secs = num[1], nanos = micro ? num[2] : 0;
        if (secs < MIN_UNIX || secs > MAX_UNIX) {
            rc = fail(c, "time out of range");
            goto out;
        }
        if (nanos < 0 || nanos >= 1000000000) {
            /* as time.Unix normalises */
            int64_t carry = nanos / 1000000000 - (nanos % 1000000000 < 0);
            nanos -= carry * 1000000000;
            secs += carry;
            if (secs < MIN_UNIX || secs > MAX_UNIX) {
                rc = fail(c, "time out of range");
                goto out;
            }
        }
        *out = time_val(secs, nanos, micro);
        break;
    }
    default: rc = fail(c, "unsupported field type"); break;
    }
out:
    sk_val_free(str);
    return rc;
}

/* The Kubernetes special messages and the scalars; *out NULL means unset
 * (an empty Time). */
static sk_err decode_scalar(struct dctx *c, const struct sk_field *f, enum sk_ftype t, int wt,
                            struct rd *r, int depth, struct sk_val **out)
{
    uint64_t u;
    struct rd b;
    *out = NULL;
    switch (t) {
    case SK_F_INT32:
    case SK_F_INT64:
    case SK_F_BOOL:
        if (wt != WT_VARINT) return fail_wire(c, wt);
        if (!rd_varint(r, &u)) return fail(c, "truncated varint");
        if (t == SK_F_INT32)
            *out = sk_val_int((int32_t)(uint32_t)u);
        else if (t == SK_F_INT64)
            *out = sk_val_int((int64_t)u);
        else
            *out = sk_val_bool(u != 0);
        return SK_OK;
    case SK_F_NUMBER: {
        if (wt != WT_I64) return fail_wire(c, wt);
        if (!rd_fixed(r, 8, &u)) return fail(c, "truncated double");
        double d;
        memcpy(&d, &u, sizeof(d));
        *out = sk_val_float(d);
        return SK_OK;
    }
    default: break;
    }
    if (wt != WT_LEN) return fail_wire(c, wt);
    if (!rd_bytes(r, &b)) return fail(c, "truncated length-delimited field");
    switch (t) {
    case SK_F_STRING: *out = sk_val_strn((const char *)b.p, (size_t)(b.end - b.p)); return SK_OK;
    case SK_F_BYTES: *out = base64_val(b.p, (size_t)(b.end - b.p)); return SK_OK;
    case SK_F_OBJECT: return decode_object(c, f, b, depth, out);
    case SK_F_ANY: return decode_raw_json(c, b, depth, false, out);
    default: break;
    }
    return decode_special(c, f, t, b, out);
}

/* A Go field that is not a pointer is always on the wire; its zero value
 * means what leaving it out of JSON means. */
static bool is_zero(enum sk_ftype t, const struct sk_val *v)
{
    switch (v->type) {
    case SK_V_BOOL: return !v->u.b;
    case SK_V_INT: return v->u.i == 0;
    case SK_V_FLOAT: return v->u.f == 0;
    case SK_V_STR: return v->u.s.len == 0 && t != SK_F_INT_OR_STRING;
    default: return false;
    }
}

static sk_err decode_map_entry(struct dctx *c, const struct sk_field *f, struct rd b, int depth,
                               struct sk_val *m, struct sk_mapidx *ix)
{
    const uint8_t *kp = (const uint8_t *)"";
    size_t kn = 0;
    struct sk_val *v = NULL;
    sk_err rc = SK_OK;
    while (b.p < b.end) {
        uint64_t key, u;
        struct rd s;
        if (!rd_varint(&b, &key)) goto trunc;
        uint32_t fn = (uint32_t)(key >> 3);
        int wt = (int)(key & 7);
        if (fn == 1) {
            if (wt != WT_LEN) {
                rc = fail_wire(c, wt);
                goto out;
            }
            if (!rd_bytes(&b, &s)) goto trunc;
            kp = s.p;
            kn = (size_t)(s.end - s.p);
        } else if (fn == 2) {
            struct sk_val *nv = NULL;
            rc = decode_scalar(c, f, f->elem, wt, &b, depth, &nv);
            if (rc) goto out;
            sk_val_free(v);
            v = nv;
        } else if (wt == WT_VARINT ? !rd_varint(&b, &u)
                   : wt == WT_I64  ? !rd_fixed(&b, 8, &u)
                   : wt == WT_I32  ? !rd_fixed(&b, 4, &u)
                   : wt == WT_LEN  ? !rd_bytes(&b, &s)
                                   : true) {
            rc = wt == WT_VARINT || wt == WT_I64 || wt == WT_I32 || wt == WT_LEN
                         ? fail(c, "truncated map entry")
                         : fail_wire(c, wt);
            goto out;
        }
    }
    if (memchr(kp, 0, kn)) {
        rc = fail(c, "map key holds a NUL byte");
        goto out;
    }
    if (!v) {
        /* an absent value is the element type's zero */
        switch (f->elem) {
        case SK_F_QUANTITY: v = sk_val_str("0"); break;
        case SK_F_OBJECT: v = sk_val_map(); break;
        case SK_F_INT32:
        case SK_F_INT64:
        case SK_F_INT_OR_STRING: v = sk_val_int(0); break;
        case SK_F_BOOL: v = sk_val_bool(false); break;
        case SK_F_NUMBER: v = sk_val_float(0); break;
        case SK_F_TIME: v = sk_val_null(); break;
        default: v = sk_val_str(""); break;
        }
    }
    long at = sk_mapidx_find(ix, m, (const char *)kp, kn);
    if (at >= 0) {
        sk_val_free(m->u.m.kv[at].val);
        m->u.m.kv[at].val = v;
    } else {
        sk_map_push(m, (const char *)kp, kn, v);
        sk_mapidx_added(ix, m);
    }
    return SK_OK;
trunc:
    rc = fail(c, "truncated map entry");
out:
    sk_val_free(v);
    return rc;
}

/* Where a message field was sent, each time it was: protobuf merges a
 * message sent twice as if the bytes were one, so they are decoded as
 * one, after the parent's fields are all seen. */
struct ranges {
    struct rd *v;
    size_t n, cap;
};

struct slots {
    struct sk_val **v;
    struct sk_mapidx *ix; /* for MAP fields */
    struct ranges *pend;  /* for OBJECT fields with described contents */
};

static bool ranges_add(struct ranges *r, struct rd b)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 4;
        struct rd *v = realloc(r->v, cap * sizeof(*v));
        if (!v) return false;
        r->v = v;
        r->cap = cap;
    }
    r->v[r->n++] = b;
    return true;
}

static sk_err decode_field(struct dctx *c, const struct sk_field *f, unsigned flags, int wt,
                           struct rd *r, int depth, struct sk_val **slot, struct sk_mapidx *ix,
                           struct ranges *pend)
{
    struct sk_val *v = NULL;
    struct rd b;
    uint64_t u;
    sk_err rc;
    if (f->type == SK_F_ARRAY) {
        if (!*slot) *slot = sk_val_arr();
        size_t mark = path_index(c, (*slot)->u.a.n);
        bool packable = f->elem == SK_F_INT32 || f->elem == SK_F_INT64 || f->elem == SK_F_BOOL;
        if (packable && wt == WT_LEN) {
            if (!rd_bytes(r, &b)) {
                rc = fail(c, "truncated packed field");
                goto out;
            }
            while (b.p < b.end) {
                if (!rd_varint(&b, &u)) {
                    rc = fail(c, "truncated packed field");
                    goto out;
                }
                sk_arr_push(*slot, f->elem == SK_F_INT32   ? sk_val_int((int32_t)(uint32_t)u)
                                   : f->elem == SK_F_INT64 ? sk_val_int((int64_t)u)
                                                           : sk_val_bool(u != 0));
            }
            rc = SK_OK;
            goto out;
        }
        if (f->elem == SK_F_ARRAY || f->elem == SK_F_MAP) {
            rc = fail(c, "unsupported nested list");
            goto out;
        }
        rc = decode_scalar(c, f, f->elem, wt, r, depth + 1, &v);
        if (!rc) sk_arr_push(*slot, v ? v : sk_val_null());
    out:
        path_pop(c, mark);
        return rc;
    }
    if (f->type == SK_F_MAP) {
        if (wt != WT_LEN) return fail_wire(c, wt);
        if (!rd_bytes(r, &b)) return fail(c, "truncated map entry");
        if (!*slot) *slot = sk_val_map();
        if (f->elem == SK_F_ARRAY || f->elem == SK_F_MAP) return fail(c, "unsupported nested map");
        return decode_map_entry(c, f, b, depth + 1, *slot, ix);
    }
    if (f->type == SK_F_ARRAY || f->type == SK_F_MAP) return fail(c, "unsupported field type");
    if (f->type == SK_F_OBJECT && f->fields) {
        if (wt != WT_LEN) return fail_wire(c, wt);
        if (!rd_bytes(r, &b)) return fail(c, "truncated embedded message");
        return ranges_add(pend, b) ? SK_OK : sk_fail(c->err, SK_ENOMEM, "proto: out of memory");
    }
    if (f->type == SK_F_ANY && !(flags & SK_PROTO_RAW)) {
        /* free-form JSON with no protobuf shape skiff knows */
        SK_DEBUG("api", "proto: skipping free-form field %s", c->path);
        return skip_field(c, r, wt);
    }
    rc = decode_scalar(c, f, f->type, wt, r, depth, &v);
    if (rc) return rc;
    if (v && !(flags & SK_PROTO_PTR) && f->type != SK_F_OBJECT && is_zero(f->type, v)) {
        sk_val_free(v);
        v = NULL;
    }
    sk_val_free(*slot); /* the last of a repeated scalar wins */
    *slot = v;
    return SK_OK;
}

static size_t field_count(const struct sk_field *fields)
{
    size_t n = 0;
    while (fields && fields[n].name)
        n++;
    return n;
}

static long field_index(const struct sk_field *fields, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(fields[i].name, name)) return (long)i;
    return -1;
}

/* The fields of one message (or, with in != 0, of the Go struct embedded
 * in it at field number in) into the slots of the schema's fields. */
static sk_err decode_fields(struct dctx *c, struct rd r, const struct sk_proto_msg *pm, unsigned in,
                            const struct sk_field *fields, size_t nf, struct slots *s, int depth)
{
    while (r.p < r.end) {
        uint64_t key;
        if (!rd_varint(&r, &key)) return fail(c, "truncated field key");
        uint64_t fn = key >> 3;
        int wt = (int)(key & 7);
        if (fn == 0 || fn > 0x1fffffff) return fail(c, "invalid field number");
        const struct sk_proto_tag *tag = NULL;
        bool embedded = false;
        for (size_t i = 0; i < pm->n && !tag; i++) {
            if (pm->tags[i].in == in && pm->tags[i].num == fn)
                tag = &pm->tags[i];
            else if (!in && pm->tags[i].in == fn)
                embedded = true;
        }
        sk_err rc;
        if (!tag && embedded) {
            struct rd b;
            if (wt != WT_LEN) return fail_wire(c, wt);
            if (!rd_bytes(&r, &b)) return fail(c, "truncated embedded message");
            rc = decode_fields(c, b, pm, (unsigned)fn, fields, nf, s, depth);
            if (rc) return rc;
            continue;
        }
        long i = tag ? field_index(fields, nf, tag->name) : -1;
        if (i < 0) {
            /* a field skiff does not know: skip it, as Go does */
            rc = skip_field(c, &r, wt);
            if (rc) return rc;
            continue;
        }
        size_t mark = path_push(c, fields[i].name);
        rc = decode_field(c, &fields[i], tag->flags, wt, &r, depth, &s->v[i], &s->ix[i],
                          &s->pend[i]);
        path_pop(c, mark);
        if (rc) return rc;
    }
    return SK_OK;
}

/* Decode a message sent as the nr byte ranges rs into obj (a map): its
 * fields in schema order, after whatever obj holds already. */
static sk_err decode_message(struct dctx *c, const struct rd *rs, size_t nr, const char *ref,
                             const struct sk_field *fields, struct sk_val *obj, int depth)
{
    if (depth > SK_VAL_MAX_DEPTH) return fail(c, "nesting too deep");
    const struct sk_proto_msg *pm = sk_proto_msg_find(ref);
    if (!pm) return fail(c, "no protobuf field numbers for this message");
    size_t nf = field_count(fields);
    struct slots s = {sk_xcalloc(nf + 1, sizeof(*s.v)), sk_xcalloc(nf + 1, sizeof(*s.ix)),
                      sk_xcalloc(nf + 1, sizeof(*s.pend))};
    sk_err rc = SK_OK;
    for (size_t i = 0; i < nr && !rc; i++)
        rc = decode_fields(c, rs[i], pm, 0, fields, nf, &s, depth);
    for (size_t i = 0; i < nf && !rc; i++) {
        if (!s.pend[i].n) continue;
        size_t mark = path_push(c, fields[i].name);
        struct sk_val *m = sk_val_map();
        rc = decode_message(c, s.pend[i].v, s.pend[i].n, fields[i].ref, fields[i].fields, m,
                            depth + 1);
        path_pop(c, mark);
        sk_val_free(s.v[i]);
        s.v[i] = m;
    }
    for (size_t i = 0; i < nf; i++) {
        if (s.v[i] && !rc)
            sk_map_push(obj, fields[i].name, strlen(fields[i].name), s.v[i]);
        else
            sk_val_free(s.v[i]);
        sk_mapidx_free(&s.ix[i]);
        free(s.pend[i].v);
    }
    free(s.v);
    free(s.ix);
    free(s.pend);
    return rc;
}

static sk_err decode_object(struct dctx *c, const struct sk_field *f, struct rd b, int depth,
                            struct sk_val **out)
{
    *out = NULL;
    if (depth + 1 > SK_VAL_MAX_DEPTH) return fail(c, "nesting too deep");
    if (!f->fields) {
        if (f->ref && !strcmp(f->ref, REF_FIELDSV1)) {
            /* metav1.FieldsV1 {raw = 1}: the JSON trie itself */
            return decode_raw_json(c, b, depth + 1, true, out);
        }
        if (b.p == b.end) {
            *out = sk_val_map();
            return SK_OK;
        }
        /* Without its field numbers the contents would be lost silently;
         * better to refuse the body. */
        return fail(c, "this field cannot be sent as protobuf, send JSON");
    }
    struct sk_val *m = sk_val_map();
    sk_err rc = decode_message(c, &b, 1, f->ref, f->fields, m, depth + 1);
    if (rc) {
        sk_val_free(m);
        return rc;
    }
    *out = m;
    return SK_OK;
}

/* ---- the envelope ---- */

struct envelope {
    struct rd api_version, kind, raw, encoding, content_type;
};

static sk_err decode_envelope(struct dctx *c, struct rd r, struct envelope *env)
{
    while (r.p < r.end) {
        uint64_t key;
        if (!rd_varint(&r, &key)) return fail(c, "truncated envelope");
        uint64_t fn = key >> 3;
        int wt = (int)(key & 7);
        if (fn < 1 || fn > 4) {
            if (fn == 0) return fail(c, "invalid field number");
            sk_err rc = skip_field(c, &r, wt);
            if (rc) return rc;
            continue;
        }
        struct rd b;
        if (wt != WT_LEN) return fail_wire(c, wt);
        if (!rd_bytes(&r, &b)) return fail(c, "truncated envelope");
        if (fn == 2)
            env->raw = b;
        else if (fn == 3)
            env->encoding = b;
        else if (fn == 4)
            env->content_type = b;
        else {
            /* runtime.TypeMeta {apiVersion = 1, kind = 2} */
            while (b.p < b.end) {
                struct rd s;
                if (!rd_varint(&b, &key)) return fail(c, "truncated type meta");
                fn = key >> 3;
                wt = (int)(key & 7);
                if (fn == 0) return fail(c, "invalid field number");
                if (fn != 1 && fn != 2) {
                    sk_err rc = skip_field(c, &b, wt);
                    if (rc) return rc;
                    continue;
                }
                if (wt != WT_LEN) return fail_wire(c, wt);
                if (!rd_bytes(&b, &s)) return fail(c, "truncated type meta");
                if (fn == 1)
                    env->api_version = s;
                else
                    env->kind = s;
            }
        }
    }
    return SK_OK;
}

static char *rd_str(struct rd b)
{
    return b.p ? sk_xstrndup((const char *)b.p, (size_t)(b.end - b.p)) : sk_xstrdup("");
}

sk_err sk_proto_decode(const void *p, size_t n, const struct sk_kind *expected, struct sk_val **out,
                       struct sk_error **err)
{
    *out = NULL;
    struct dctx c = {.err = err};
    if (!p || n < 4 || memcmp(p, SK_PROTO_MAGIC, 4) != 0)
        return sk_fail(err, SK_EINVAL, "proto: the body does not start with the protobuf magic");
    struct rd r = {(const uint8_t *)p + 4, (const uint8_t *)p + n};
    struct envelope env = {0};
    sk_err rc = decode_envelope(&c, r, &env);
    if (rc) return rc;
    if (env.encoding.p != env.encoding.end)
        return sk_fail(err, SK_EINVAL, "proto: unsupported content encoding");
    if (env.content_type.p != env.content_type.end &&
        ((size_t)(env.content_type.end - env.content_type.p) != strlen(MEDIA_TYPE_PROTO) ||
         memcmp(env.content_type.p, MEDIA_TYPE_PROTO, strlen(MEDIA_TYPE_PROTO)) != 0))
        return sk_fail(err, SK_EINVAL, "proto: unsupported content type in the envelope");
    _sk_cleanup_free_ char *av = rd_str(env.api_version);
    _sk_cleanup_free_ char *kind = rd_str(env.kind);
    /* a missing half is taken from the kind the path names, as Kubernetes
     * fills the defaults of the group/version/kind */
    if (!*av && expected) {
        free(av);
        av = sk_xstrdup(sk_kind_api_version(expected));
    }
    if (!*kind && expected) {
        free(kind);
        kind = sk_xstrdup(expected->kind);
    }
    if (!*kind) return sk_fail(err, SK_EINVAL, "Object 'Kind' is missing in protobuf body");
    const struct sk_kind *k = sk_kind_by_api_version(av, kind);
    if (!k)
        return sk_fail(err, SK_ENOENT, "no kind \"%s\" is registered for version \"%s\"", kind, av);
    struct sk_val *obj = sk_val_map();
    sk_map_set(obj, "apiVersion", sk_val_str(sk_kind_api_version(k)));
    sk_map_set(obj, "kind", sk_val_str(k->kind));
    rc = decode_message(&c, &env.raw, 1, k->ref, k->fields, obj, 1);
    if (rc) {
        sk_val_free(obj);
        return rc;
    }
    *out = obj;
    return SK_OK;
}
