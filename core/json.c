/* JSON codec. Parsing goes through jansson (with duplicate keys rejected)
 * and converts its tree; writing is hand-made because it sits on the API's
 * hot path (1,000-pod lists) and must match Go's escaping byte for byte. */
#include "json.h"
#include "mem.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

/* ---- parsing ---- */

struct jconv {
    const char *text;
    size_t len;
    struct sk_error **err;
};

/* jansson's tree has no positions, so when the tree turns out too deep the
 * text is scanned again to say where. Columns count characters, as
 * jansson's do. */
static void deep_position(const char *p, size_t n, int *line, int *col)
{
    int depth = 0, l = 1, c = 0;
    bool in_str = false, esc = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        if ((ch & 0xc0) != 0x80) c++;
        if (ch == '\n') {
            l++;
            c = 0;
            continue;
        }
        if (in_str) {
            if (esc)
                esc = false;
            else if (ch == '\\')
                esc = true;
            else if (ch == '"')
                in_str = false;
        } else if (ch == '"') {
            in_str = true;
        } else if (ch == '[' || ch == '{') {
            if (++depth > SK_VAL_MAX_DEPTH) break;
        } else if (ch == ']' || ch == '}') {
            depth--;
        }
    }
    *line = l;
    *col = c;
}

static sk_err too_deep(struct jconv *cv)
{
    int line, col;
    deep_position(cv->text, cv->len, &line, &col);
    return sk_fail(cv->err, SK_EINVAL, "line %d, column %d: nesting deeper than %d levels", line,
                   col, SK_VAL_MAX_DEPTH);
}

static sk_err convert(struct jconv *cv, json_t *j, int depth, struct sk_val **out)
{
    switch (json_typeof(j)) {
    case JSON_NULL: *out = sk_val_null(); return SK_OK;
    case JSON_TRUE: *out = sk_val_bool(true); return SK_OK;
    case JSON_FALSE: *out = sk_val_bool(false); return SK_OK;
    case JSON_INTEGER: *out = sk_val_int((int64_t)json_integer_value(j)); return SK_OK;
    case JSON_REAL: *out = sk_val_float(json_real_value(j)); return SK_OK;
    case JSON_STRING: *out = sk_val_strn(json_string_value(j), json_string_length(j)); return SK_OK;
    case JSON_ARRAY: {
        if (depth >= SK_VAL_MAX_DEPTH) return too_deep(cv);
        size_t n = json_array_size(j);
        struct sk_val *a = sk_val_arr();
        if (n) {
            a->u.a.items = sk_xmalloc(n * sizeof(*a->u.a.items));
            a->u.a.cap = n;
        }
        for (size_t i = 0; i < n; i++) {
            sk_err rc = convert(cv, json_array_get(j, i), depth + 1, &a->u.a.items[i]);
            if (rc) {
                sk_val_free(a);
                return rc;
            }
            a->u.a.n++;
        }
        *out = a;
        return SK_OK;
    }
    case JSON_OBJECT: {
        if (depth >= SK_VAL_MAX_DEPTH) return too_deep(cv);
        struct sk_val *m = sk_val_map();
        size_t n = json_object_size(j);
        if (n) {
            m->u.m.kv = sk_xmalloc(n * sizeof(*m->u.m.kv));
            m->u.m.cap = n;
        }
        /* jansson keeps insertion order and has already refused
         * duplicates, so entries are appended as they come. */
        for (void *it = json_object_iter(j); it; it = json_object_iter_next(j, it)) {
            struct sk_val *v;
            sk_err rc = convert(cv, json_object_iter_value(it), depth + 1, &v);
            if (rc) {
                sk_val_free(m);
                return rc;
            }
            sk_map_push(m, json_object_iter_key(it), json_object_iter_key_len(it), v);
        }
        *out = m;
        return SK_OK;
    }
    }
    return sk_fail(cv->err, SK_EINTERNAL, "json: unknown jansson type");
}

sk_err sk_json_parse(const char *p, size_t n, struct sk_val **out, struct sk_error **err)
{
    *out = NULL;
    json_error_t je;
    json_t *j = json_loadb(p ? p : "", p ? n : 0,
                           JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (!j) {
        return sk_fail(err, SK_EINVAL, "line %d, column %d: %s", je.line < 1 ? 1 : je.line,
                       je.column < 1 ? 1 : je.column, je.text);
    }
    struct jconv cv = {.text = p, .len = n, .err = err};
    sk_err rc = convert(&cv, j, 0, out);
    json_decref(j);
    return rc;
}

/* ---- writing ---- */

/* 1 for ASCII bytes that cannot appear raw inside a JSON string as Go
 * writes it: controls, quote, backslash and the HTML-significant <, >, &. */
// clang-format off
static const unsigned char needs_esc[128] = {
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

static const char hexdig[] = "0123456789abcdef";

static void put_u4(struct sk_buf *b, unsigned cp)
{
    char e[6] = {'\\',
                 'u',
                 hexdig[(cp >> 12) & 15],
                 hexdig[(cp >> 8) & 15],
                 hexdig[(cp >> 4) & 15],
                 hexdig[cp & 15]};
    sk_buf_append(b, e, 6);
}

static void put_str(struct sk_buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, run = 0;
    sk_buf_reserve(b, n + 2);
    sk_buf_putc(b, '"');
    while (i < n) {
        unsigned c = p[i];
        if (c < 0x80) {
            if (!needs_esc[c]) {
                i++;
                continue;
            }
            sk_buf_append(b, s + run, i - run);
            switch (c) {
            case '"': sk_buf_append(b, "\\\"", 2); break;
            case '\\': sk_buf_append(b, "\\\\", 2); break;
            case '\n': sk_buf_append(b, "\\n", 2); break;
            case '\r': sk_buf_append(b, "\\r", 2); break;
            case '\t': sk_buf_append(b, "\\t", 2); break;
            default: put_u4(b, c); break;
            }
            run = ++i;
            continue;
        }
        size_t l = sk_utf8_len(p + i, n - i);
        if (l == 0) {
            sk_buf_append(b, s + run, i - run);
            put_u4(b, 0xfffd);
            run = ++i;
        } else if (l == 3 && c == 0xe2 && p[i + 1] == 0x80 && (p[i + 2] & 0xfe) == 0xa8) {
            /* U+2028 and U+2029 end lines in JavaScript. */
            sk_buf_append(b, s + run, i - run);
            put_u4(b, p[i + 2] == 0xa8 ? 0x2028 : 0x2029);
            i += 3;
            run = i;
        } else {
            i += l;
        }
    }
    sk_buf_append(b, s + run, i - run);
    sk_buf_putc(b, '"');
}

static void newline(struct sk_buf *b, int depth)
{
    size_t n = (size_t)depth * 4;
    sk_buf_reserve(b, n + 1);
    b->p[b->len++] = '\n';
    memset(b->p + b->len, ' ', n);
    b->len += n;
}

static void write_val(struct sk_buf *b, const struct sk_val *v, bool pretty, int depth)
{
    char num[32];
    size_t n;
    if (!v) {
        sk_buf_append(b, "null", 4);
        return;
    }
    switch (v->type) {
    case SK_V_NULL: sk_buf_append(b, "null", 4); break;
    case SK_V_BOOL: v->u.b ? sk_buf_append(b, "true", 4) : sk_buf_append(b, "false", 5); break;
    case SK_V_INT:
        n = sk_fmt_int64(v->u.i, num);
        sk_buf_append(b, num, n);
        break;
    case SK_V_FLOAT:
        if (!isfinite(v->u.f)) {
            sk_buf_append(b, "null", 4);
            break;
        }
        n = sk_fmt_double(v->u.f, num);
        sk_buf_append(b, num, n);
        break;
    case SK_V_STR: put_str(b, v->u.s.p, v->u.s.len); break;
    case SK_V_ARR:
        if (!v->u.a.n) {
            sk_buf_append(b, "[]", 2);
            break;
        }
        sk_buf_putc(b, '[');
        for (size_t i = 0; i < v->u.a.n; i++) {
            if (i) sk_buf_putc(b, ',');
            if (pretty) newline(b, depth + 1);
            write_val(b, v->u.a.items[i], pretty, depth + 1);
        }
        if (pretty) newline(b, depth);
        sk_buf_putc(b, ']');
        break;
    case SK_V_MAP:
        if (!v->u.m.n) {
            sk_buf_append(b, "{}", 2);
            break;
        }
        sk_buf_putc(b, '{');
        for (size_t i = 0; i < v->u.m.n; i++) {
            const struct sk_kv *kv = &v->u.m.kv[i];
            if (i) sk_buf_putc(b, ',');
            if (pretty) newline(b, depth + 1);
            put_str(b, kv->key, kv->klen);
            if (pretty)
                sk_buf_append(b, ": ", 2);
            else
                sk_buf_putc(b, ':');
            write_val(b, kv->val, pretty, depth + 1);
        }
        if (pretty) newline(b, depth);
        sk_buf_putc(b, '}');
        break;
    }
}

void sk_json_write(const struct sk_val *v, int flags, struct sk_buf *out)
{
    write_val(out, v, (flags & SK_JSON_PRETTY) != 0, 0);
}

char *sk_json_dump(const struct sk_val *v, int flags, size_t *len)
{
    struct sk_buf b = {0};
    sk_json_write(v, flags, &b);
    return sk_buf_take(&b, len);
}
