/* The bus envelope codec: a writer for the envelope's fixed layout and a
 * bounds-checked reader that validates the envelope and walks the body's
 * msgpack without building a tree of it. */
#include "msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum rd {
    RD_OK = 0,
    RD_TRUNC, /* ran past the end of the buffer */
    RD_TYPE,  /* well-formed, but not the type asked for */
    RD_BAD,   /* a byte msgpack never uses (0xc1) */
};

enum {
    K_T = 1 << 0,
    K_V = 1 << 1,
    K_FROM = 1 << 2,
    K_TO = 1 << 3,
    K_ID = 1 << 4,
    K_RE = 1 << 5,
    K_B = 1 << 6,
};
#define K_REQUIRED (K_T | K_V | K_FROM | K_TO | K_ID | K_B)

/* quoted, as error messages show them */
static const char *const key_names[] = {"\"t\"",  "\"v\"",  "\"from\"", "\"to\"",
                                        "\"id\"", "\"re\"", "\"b\""};

static uint64_t load_be(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

static size_t left(const uint8_t *p, const uint8_t *end)
{
    return (size_t)(end - p);
}

/* Step over one msgpack object of any type. Iterative, with a count of
 * objects still owed instead of recursion, so nesting depth cannot exhaust
 * the stack. */
static enum rd skip_obj(const uint8_t **pp, const uint8_t *end)
{
    const uint8_t *p = *pp;
    uint64_t pending = 1;
    while (pending) {
        /* Each owed object needs at least one byte. Checking that here also
         * caps pending near the buffer size, so counts read from the input
         * can never overflow it. */
        if (pending > left(p, end)) return RD_TRUNC;
        uint8_t c = *p++;
        pending--;
        uint64_t skip = 0;
        size_t lenbytes = 0, extra = 0, countbytes = 0;
        unsigned per = 1;                     /* objects per counted entry: 2 for maps */
        if (c <= 0x7f || c >= 0xe0) continue; /* fixint */
        if (c <= 0x8f) {
            pending += 2u * (c & 0x0fu);
            continue;
        }
        if (c <= 0x9f) {
            pending += c & 0x0fu;
            continue;
        }
        if (c <= 0xbf) {
            skip = c & 0x1fu;
        } else {
            switch (c) {
            case 0xc0: /* nil */
            case 0xc2: /* false */
            case 0xc3: continue;
            case 0xc1: return RD_BAD;
            case 0xc4: /* bin8 */
            case 0xd9: lenbytes = 1; break;
            case 0xc5:
            case 0xda: lenbytes = 2; break;
            case 0xc6:
            case 0xdb: lenbytes = 4; break;
            case 0xc7: lenbytes = 1, extra = 1; break; /* ext: length, then type */
            case 0xc8: lenbytes = 2, extra = 1; break;
            case 0xc9: lenbytes = 4, extra = 1; break;
            case 0xca: skip = 4; break;
            case 0xcb: skip = 8; break;
            case 0xcc:
            case 0xd0: skip = 1; break;
            case 0xcd:
            case 0xd1: skip = 2; break;
            case 0xce:
            case 0xd2: skip = 4; break;
            case 0xcf:
            case 0xd3: skip = 8; break;
            case 0xd4: skip = 2; break; /* fixext: type byte + data */
            case 0xd5: skip = 3; break;
            case 0xd6: skip = 5; break;
            case 0xd7: skip = 9; break;
            case 0xd8: skip = 17; break;
            case 0xdc: countbytes = 2; break;
            case 0xdd: countbytes = 4; break;
            case 0xde: countbytes = 2, per = 2; break;
            default: countbytes = 4, per = 2; break; /* 0xdf */
            }
        }
        if (countbytes) {
            if (left(p, end) < countbytes) return RD_TRUNC;
            pending += per * load_be(p, countbytes);
            p += countbytes;
            continue;
        }
        if (lenbytes) {
            if (left(p, end) < lenbytes) return RD_TRUNC;
            skip = load_be(p, lenbytes) + extra;
            p += lenbytes;
        }
        if (skip > left(p, end)) return RD_TRUNC;
        p += skip;
    }
    *pp = p;
    return RD_OK;
}

static bool is_map_byte(uint8_t c)
{
    return (c >= 0x80 && c <= 0x8f) || c == 0xde || c == 0xdf;
}

static enum rd read_map(const uint8_t **pp, const uint8_t *end, uint64_t *n)
{
    const uint8_t *p = *pp;
    if (p >= end) return RD_TRUNC;
    uint8_t c = *p++;
    size_t k;
    if (c >= 0x80 && c <= 0x8f) {
        *n = c & 0x0fu;
        *pp = p;
        return RD_OK;
    }
    if (c == 0xde)
        k = 2;
    else if (c == 0xdf)
        k = 4;
    else
        return RD_TYPE;
    if (left(p, end) < k) return RD_TRUNC;
    *n = load_be(p, k);
    *pp = p + k;
    return RD_OK;
}

static enum rd read_str(const uint8_t **pp, const uint8_t *end, const uint8_t **s, size_t *n)
{
    const uint8_t *p = *pp;
    if (p >= end) return RD_TRUNC;
    uint8_t c = *p++;
    uint64_t len;
    if (c >= 0xa0 && c <= 0xbf) {
        len = c & 0x1fu;
    } else {
        size_t k = c == 0xd9 ? 1 : c == 0xda ? 2 : c == 0xdb ? 4 : 0;
        if (!k) return RD_TYPE;
        if (left(p, end) < k) return RD_TRUNC;
        len = load_be(p, k);
        p += k;
    }
    if (len > left(p, end)) return RD_TRUNC;
    *s = p;
    *n = (size_t)len;
    *pp = p + len;
    return RD_OK;
}

static enum rd read_uint(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
    const uint8_t *p = *pp;
    if (p >= end) return RD_TRUNC;
    uint8_t c = *p++;
    if (c <= 0x7f) {
        *v = c;
        *pp = p;
        return RD_OK;
    }
    size_t k;
    bool sign = false;
    switch (c) {
    case 0xcc: k = 1; break;
    case 0xcd: k = 2; break;
    case 0xce: k = 4; break;
    case 0xcf: k = 8; break;
    case 0xd0: k = 1, sign = true; break;
    case 0xd1: k = 2, sign = true; break;
    case 0xd2: k = 4, sign = true; break;
    case 0xd3: k = 8, sign = true; break;
    default: return RD_TYPE; /* includes negative fixint */
    }
    if (left(p, end) < k) return RD_TRUNC;
    uint64_t u = load_be(p, k);
    /* other msgpack writers may store a non-negative number in a signed
     * format; a negative one is the wrong type for these fields */
    if (sign && ((u >> (8 * k - 1)) & 1)) return RD_TYPE;
    *v = u;
    *pp = p + k;
    return RD_OK;
}

static bool name_char(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '/' || c == '-';
}

static bool name_bytes_ok(const uint8_t *s, size_t n)
{
    if (n == 0 || n > SK_MSG_NAME_MAX) return false;
    for (size_t i = 0; i < n; i++)
        if (!name_char(s[i])) return false;
    return true;
}

bool sk_msg_name_ok(const char *s)
{
    if (!s) return false;
    return name_bytes_ok((const uint8_t *)s, strnlen(s, SK_MSG_NAME_MAX + 1));
}

static int key_of(const uint8_t *s, size_t n)
{
    switch (n) {
    case 1: return s[0] == 't' ? K_T : s[0] == 'v' ? K_V : s[0] == 'b' ? K_B : 0;
    case 2:
        if (!memcmp(s, "to", 2)) return K_TO;
        if (!memcmp(s, "id", 2)) return K_ID;
        if (!memcmp(s, "re", 2)) return K_RE;
        return 0;
    case 4: return memcmp(s, "from", 4) ? 0 : K_FROM;
    default: return 0;
    }
}

static const char *key_name(int key)
{
    for (size_t i = 0; i < sizeof(key_names) / sizeof(key_names[0]); i++)
        if (key == 1 << i) return key_names[i];
    return "?";
}

static sk_err proto(struct sk_error **err, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Decode failures are rare and never on the fast path: formatting here
 * costs nothing that matters. */
static sk_err proto(struct sk_error **err, const char *fmt, ...)
{
    if (!err || *err) return SK_EPROTO;
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    return sk_fail(err, SK_EPROTO, "bad envelope: %s", why);
}

static sk_err rd_fail(struct sk_error **err, enum rd rc, const char *what)
{
    switch (rc) {
    case RD_TRUNC: return proto(err, "truncated in %s", what);
    case RD_BAD: return proto(err, "invalid msgpack byte 0xc1 in %s", what);
    default: return proto(err, "%s has the wrong type", what);
    }
}

static sk_err decode_field(struct sk_msg *out, int key, const uint8_t **pp, const uint8_t *end,
                           struct sk_error **err)
{
    enum rd rc;
    uint64_t u = 0;
    const uint8_t *s;
    size_t n;

    switch (key) {
    case K_T:
    case K_V:
    case K_ID:
    case K_RE:
        if ((rc = read_uint(pp, end, &u))) return rd_fail(err, rc, key_name(key));
        if ((key == K_T || key == K_V) && u > UINT32_MAX)
            return proto(err, "%s out of range", key_name(key));
        if (key == K_ID && u == 0) return proto(err, "\"id\" is 0");
        if (key == K_T) out->type = (uint32_t)u;
        if (key == K_V) out->version = (uint32_t)u;
        if (key == K_ID) out->id = u;
        if (key == K_RE) out->re = u;
        return SK_OK;
    case K_FROM:
    case K_TO:
        if ((rc = read_str(pp, end, &s, &n))) return rd_fail(err, rc, key_name(key));
        if (n > SK_MSG_NAME_MAX)
            return proto(err, "%s is %zu bytes, over %d", key_name(key), n, SK_MSG_NAME_MAX);
        if (!name_bytes_ok(s, n)) return proto(err, "%s is not a valid name", key_name(key));
        char *dst = key == K_FROM ? out->from : out->to;
        memcpy(dst, s, n);
        dst[n] = 0;
        return SK_OK;
    case K_B: {
        const uint8_t *b = *pp;
        if (b >= end) return rd_fail(err, RD_TRUNC, key_name(key));
        if (!is_map_byte(*b)) return proto(err, "body is not a map");
        if ((rc = skip_obj(pp, end))) return rd_fail(err, rc, "body");
        n = (size_t)(*pp - b);
        if (n > SK_MSG_BODY_MAX) return proto(err, "body is %zu bytes, over the limit", n);
        out->body = b;
        out->body_len = n;
        return SK_OK;
    }
    default:
        if ((rc = skip_obj(pp, end))) return rd_fail(err, rc, "an unknown key's value");
        return SK_OK;
    }
}

sk_err sk_msg_decode(struct sk_msg *out, const void *buf, size_t len, struct sk_error **err)
{
    out->type = out->version = 0;
    out->id = out->re = 0;
    out->from[0] = out->to[0] = 0;
    out->body = NULL;
    out->body_len = 0;
    /* NULL + 0 is undefined, so an empty buffer stops here */
    if (!buf || len == 0) return proto(err, "empty message");

    const uint8_t *p = buf, *end = p + len;
    uint64_t n;
    enum rd rc = read_map(&p, end, &n);
    if (rc == RD_TYPE) return proto(err, "top level is not a map");
    if (rc) return rd_fail(err, rc, "map header");

    unsigned seen = 0;
    for (uint64_t i = 0; i < n; i++) {
        const uint8_t *k;
        size_t kn;
        if ((rc = read_str(&p, end, &k, &kn))) {
            if (rc == RD_TYPE) return proto(err, "key %llu is not a string", (unsigned long long)i);
            return rd_fail(err, rc, "a key");
        }
        int key = key_of(k, kn);
        if (key & seen) return proto(err, "duplicate key %s", key_name(key));
        seen |= (unsigned)key;
        sk_err e = decode_field(out, key, &p, end, err);
        if (e) return e;
    }
    if ((seen & K_REQUIRED) != K_REQUIRED) {
        for (int key = 1; key <= K_B; key <<= 1)
            if ((K_REQUIRED & key) && !(seen & (unsigned)key))
                return proto(err, "missing key %s", key_name(key));
    }
    if (p != end) return proto(err, "%zu bytes after the map", left(p, end));
    return SK_OK;
}

/* NULL when body is one well-formed map, else why not. */
static const char *body_problem(const void *body, size_t len)
{
    if (!body || len == 0) return "body is empty";
    const uint8_t *p = body, *end = p + len;
    if (!is_map_byte(*p)) return "body is not a map";
    switch (skip_obj(&p, end)) {
    case RD_OK: break;
    case RD_BAD: return "body has the invalid msgpack byte 0xc1";
    default: return "body is truncated msgpack";
    }
    if (p != end) return "body has bytes after its map";
    return NULL;
}

sk_err sk_msg_check_body(const void *body, size_t len, struct sk_error **err)
{
    if (len > SK_MSG_BODY_MAX)
        return sk_fail(err, SK_ETOOBIG, "body is %zu bytes, over the limit of %u", len,
                       SK_MSG_BODY_MAX);
    const char *why = body_problem(body, len);
    if (why) return sk_fail(err, SK_EINVAL, "%s", why);
    return SK_OK;
}

static size_t uint_len(uint64_t v)
{
    return v <= 0x7f ? 1 : v <= 0xff ? 2 : v <= 0xffff ? 3 : v <= 0xffffffffu ? 5 : 9;
}

static size_t str_len(size_t n)
{
    return (n <= 31 ? 1 : 2) + n; /* names and keys never need more than str8 */
}

static uint8_t *put_uint(uint8_t *p, uint64_t v)
{
    size_t k;
    if (v <= 0x7f) {
        *p++ = (uint8_t)v;
        return p;
    }
    if (v <= 0xff)
        *p++ = 0xcc, k = 1;
    else if (v <= 0xffff)
        *p++ = 0xcd, k = 2;
    else if (v <= 0xffffffffu)
        *p++ = 0xce, k = 4;
    else
        *p++ = 0xcf, k = 8;
    for (size_t i = 0; i < k; i++)
        *p++ = (uint8_t)(v >> (8 * (k - 1 - i)));
    return p;
}

static uint8_t *put_str(uint8_t *p, const char *s, size_t n)
{
    if (n <= 31) {
        *p++ = (uint8_t)(0xa0 | n);
    } else {
        *p++ = 0xd9;
        *p++ = (uint8_t)n;
    }
    memcpy(p, s, n);
    return p + n;
}

static size_t name_len(const char *s)
{
    return s ? strnlen(s, SK_MSG_NAME_MAX) : 0;
}

size_t sk_msg_encoded_len(const struct skiff_msg *m)
{
    size_t n = 1;
    n += str_len(1) + uint_len(m->type);
    n += str_len(1) + uint_len(m->version);
    n += str_len(4) + str_len(name_len(m->from));
    n += str_len(2) + str_len(name_len(m->to));
    n += str_len(2) + uint_len(m->id);
    if (m->re) n += str_len(2) + uint_len(m->re);
    n += str_len(1) + m->body_len;
    return n;
}

sk_err sk_msg_encode(const struct skiff_msg *m, void *buf, size_t cap, size_t *len,
                     struct sk_error **err)
{
    if (len) *len = 0;
    if (!sk_msg_name_ok(m->from))
        return sk_fail(err, SK_EINVAL, "bad sender name \"%.*s\"", SK_MSG_NAME_MAX,
                       m->from ? m->from : "");
    if (!sk_msg_name_ok(m->to))
        return sk_fail(err, SK_EINVAL, "bad destination name \"%.*s\"", SK_MSG_NAME_MAX,
                       m->to ? m->to : "");
    if (m->id == 0) return sk_fail(err, SK_EINVAL, "message id 0");
    sk_err rc = sk_msg_check_body(m->body, m->body_len, err);
    if (rc) return rc;
    size_t need = sk_msg_encoded_len(m);
    if (need > cap)
        return sk_fail(err, SK_ETOOBIG, "message needs %zu bytes, buffer has %zu", need, cap);

    uint8_t *p = buf;
    *p++ = (uint8_t)(0x80 | (m->re ? 7 : 6));
    p = put_str(p, "t", 1);
    p = put_uint(p, m->type);
    p = put_str(p, "v", 1);
    p = put_uint(p, m->version);
    p = put_str(p, "from", 4);
    p = put_str(p, m->from, strlen(m->from));
    p = put_str(p, "to", 2);
    p = put_str(p, m->to, strlen(m->to));
    p = put_str(p, "id", 2);
    p = put_uint(p, m->id);
    if (m->re) {
        p = put_str(p, "re", 2);
        p = put_uint(p, m->re);
    }
    p = put_str(p, "b", 1);
    memcpy(p, m->body, m->body_len);
    p += m->body_len;
    if (len) *len = (size_t)(p - (uint8_t *)buf);
    return SK_OK;
}

void sk_msg_view(const struct sk_msg *m, struct skiff_msg *view)
{
    view->type = m->type;
    view->version = m->version;
    view->from = m->from;
    view->to = m->to;
    view->id = m->id;
    view->re = m->re;
    view->body = m->body;
    view->body_len = m->body_len;
}
