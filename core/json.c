/* JSON codec. Parsing goes through jansson (duplicate keys rejected, or
 * kept last-wins and named) and converts its tree; writing is hand-made
 * because it sits on the API's hot path (1,000-pod lists) and must match
 * Go's escaping byte for byte. */
#include "json.h"
#include "mem.h"

#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
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

/* *dup_key (when not NULL) tells whether a repeated key was the error. */
static sk_err parse(const char *p, size_t n, size_t flags, struct sk_val **out, bool *dup_key,
                    struct sk_error **err)
{
    *out = NULL;
    json_error_t je;
    json_t *j = json_loadb(p ? p : "", p ? n : 0, flags | JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    if (dup_key) *dup_key = !j && json_error_code(&je) == json_error_duplicate_key;
    if (!j) {
        if (dup_key && *dup_key) return SK_EINVAL; /* the caller reads it again */
        return sk_fail(err, SK_EINVAL, "line %d, column %d: %s", je.line < 1 ? 1 : je.line,
                       je.column < 1 ? 1 : je.column, je.text);
    }
    struct jconv cv = {.text = p, .len = n, .err = err};
    sk_err rc = convert(&cv, j, 0, out);
    json_decref(j);
    return rc;
}

sk_err sk_json_parse(const char *p, size_t n, struct sk_val **out, struct sk_error **err)
{
    return parse(p, n, JSON_REJECT_DUPLICATES, out, NULL, err);
}

/* ---- duplicate keys ----
 * jansson keeps the last of repeated keys but does not say which were
 * repeated, so a text that has some is walked once more (it is valid JSON
 * by then) to name them the way Go's strict decoder does: keys joined
 * with '.', array indices as [i], in the order the repeats appear. */

struct kset {
    struct sk_buf keys; /* the object's keys, decoded, back to back */
    size_t *off, *len;  /* per key */
    size_t n, cap;
    size_t *slot; /* open addressing: key index + 1, 0 empty */
    size_t nslot;
};

struct dscan {
    const char *p, *end;
    struct sk_buf path;
    struct sk_json_dups *d;  /* naming repeats, or */
    const char *const *find; /* finding where these paths first appear */
    size_t nfind, *pos;
    size_t nkeys; /* keys met so far */
};

static uint64_t fnv(const char *p, size_t n)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return h;
}

/* Add key k to the set; false when it was there already. */
static bool kset_add(struct kset *s, const char *k, size_t kl)
{
    if (2 * (s->n + 1) > s->nslot) {
        size_t ns = s->nslot ? s->nslot * 2 : 16;
        size_t *slot = sk_xcalloc(ns, sizeof(*slot));
        for (size_t i = 0; i < s->n; i++) {
            size_t h = (size_t)fnv(s->keys.p + s->off[i], s->len[i]) & (ns - 1);
            while (slot[h])
                h = (h + 1) & (ns - 1);
            slot[h] = i + 1;
        }
        free(s->slot);
        s->slot = slot;
        s->nslot = ns;
    }
    size_t h = (size_t)fnv(k, kl) & (s->nslot - 1);
    for (; s->slot[h]; h = (h + 1) & (s->nslot - 1)) {
        size_t i = s->slot[h] - 1;
        if (s->len[i] == kl && !memcmp(s->keys.p + s->off[i], k, kl)) return false;
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 8;
        s->off = sk_xrealloc(s->off, s->cap * sizeof(*s->off));
        s->len = sk_xrealloc(s->len, s->cap * sizeof(*s->len));
    }
    s->off[s->n] = s->keys.len;
    s->len[s->n] = kl;
    sk_buf_append(&s->keys, k, kl);
    s->slot[h] = ++s->n;
    return true;
}

static void kset_free(struct kset *s)
{
    sk_buf_free(&s->keys);
    free(s->off);
    free(s->len);
    free(s->slot);
}

static unsigned hex4(const char *p)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v = v << 4 | (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

/* At a '"': decode the string into out (when not NULL) and step past it.
 * The text was accepted by jansson, so escapes are well formed. */
static void scan_string(struct dscan *s, struct sk_buf *out)
{
    s->p++;
    while (s->p < s->end && *s->p != '"') {
        if (*s->p != '\\') {
            if (out) sk_buf_putc(out, *s->p);
            s->p++;
            continue;
        }
        char e = s->end - s->p > 1 ? s->p[1] : '"';
        s->p += 2;
        unsigned cp = 0;
        switch (e) {
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u':
            if (s->end - s->p < 4) return;
            cp = hex4(s->p);
            s->p += 4;
            if (cp >= 0xd800 && cp < 0xdc00 && s->end - s->p >= 6 && s->p[0] == '\\' &&
                s->p[1] == 'u') {
                unsigned lo = hex4(s->p + 2);
                if (lo >= 0xdc00 && lo < 0xe000) {
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    s->p += 6;
                }
            }
            if (cp >= 0xd800 && cp < 0xe000) cp = 0xfffd;
            break;
        default: cp = (unsigned char)e; break;
        }
        if (out) sk_buf_put_utf8(out, cp);
    }
    if (s->p < s->end) s->p++;
}

static void skip_ws(struct dscan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static bool path_is(const struct dscan *s, const char *path)
{
    return strlen(path) == s->path.len && !memcmp(path, s->path.p, s->path.len);
}

static void note_dup(struct dscan *s)
{
    struct sk_json_dups *d = s->d;
    if (d->n >= SK_JSON_MAX_DUPS) return;
    for (size_t i = 0; i < d->n; i++)
        if (path_is(s, d->paths[i])) return;
    d->paths = sk_xrealloc(d->paths, (d->n + 1) * sizeof(*d->paths));
    d->at = sk_xrealloc(d->at, (d->n + 1) * sizeof(*d->at));
    char *c = sk_xmalloc(s->path.len + 1);
    memcpy(c, s->path.p, s->path.len);
    c[s->path.len] = 0;
    d->at[d->n] = s->nkeys;
    d->paths[d->n++] = c;
}

static void note_key(struct dscan *s)
{
    for (size_t i = 0; i < s->nfind; i++)
        if (s->pos[i] == SIZE_MAX && path_is(s, s->find[i])) s->pos[i] = s->nkeys;
}

static void scan_value(struct dscan *s, int depth);

static void scan_object(struct dscan *s, int depth)
{
    struct kset ks = {0};
    struct sk_buf key = {0};
    size_t base = s->path.len;
    s->p++;
    for (;;) {
        skip_ws(s);
        if (s->p >= s->end || *s->p != '"') break; /* '}' */
        key.len = 0;
        scan_string(s, &key);
        if (base) sk_buf_putc(&s->path, '.');
        sk_buf_append(&s->path, key.p, key.len);
        if (s->find)
            note_key(s);
        else if (!kset_add(&ks, key.p ? key.p : "", key.len))
            note_dup(s);
        s->nkeys++;
        skip_ws(s);
        if (s->p < s->end) s->p++; /* ':' */
        scan_value(s, depth + 1);
        s->path.len = base;
        skip_ws(s);
        if (s->p < s->end && *s->p == ',') s->p++;
    }
    if (s->p < s->end) s->p++;
    sk_buf_free(&key);
    kset_free(&ks);
}

static void scan_array(struct dscan *s, int depth)
{
    size_t base = s->path.len;
    s->p++;
    for (size_t i = 0;; i++) {
        skip_ws(s);
        if (s->p >= s->end || *s->p == ']') break;
        const char *at = s->p;
        sk_buf_printf(&s->path, "[%zu]", i);
        scan_value(s, depth + 1);
        s->path.len = base;
        skip_ws(s);
        if (s->p < s->end && *s->p == ',') s->p++;
        if (s->p == at) s->p++; /* text jansson read otherwise: always move on */
    }
    if (s->p < s->end) s->p++;
}

static void scan_value(struct dscan *s, int depth)
{
    skip_ws(s);
    if (s->p >= s->end || depth > SK_VAL_MAX_DEPTH) return;
    switch (*s->p) {
    case '{': scan_object(s, depth); return;
    case '[': scan_array(s, depth); return;
    case '"': scan_string(s, NULL); return;
    default:
        /* a scalar runs to the next delimiter (strchr would match a NUL) */
        while (s->p < s->end && (!*s->p || !strchr(",]} \t\r\n", *s->p)))
            s->p++;
    }
}

sk_err sk_json_parse_dups(const char *p, size_t n, struct sk_val **out, struct sk_json_dups *dups,
                          struct sk_error **err)
{
    memset(dups, 0, sizeof(*dups));
    bool dup_key;
    sk_err rc = parse(p, n, JSON_REJECT_DUPLICATES, out, &dup_key, err);
    /* the usual text has no repeats and is read once */
    if (!rc || !dup_key) return rc;
    rc = parse(p, n, 0, out, NULL, err);
    if (rc) return rc;
    struct dscan s = {.p = p, .end = p + n, .d = dups};
    scan_value(&s, 0);
    sk_buf_free(&s.path);
    return SK_OK;
}

void sk_json_key_positions(const char *p, size_t n, const char *const *paths, size_t npaths,
                           size_t *pos)
{
    for (size_t i = 0; i < npaths; i++)
        pos[i] = SIZE_MAX;
    struct dscan s = {.p = p, .end = p + n, .find = paths, .nfind = npaths, .pos = pos};
    scan_value(&s, 0);
    sk_buf_free(&s.path);
}

void sk_json_dups_free(struct sk_json_dups *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->paths[i]);
    free(d->paths);
    free(d->at);
    memset(d, 0, sizeof(*d));
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
