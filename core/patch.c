/* Patches on object trees: RFC 7386 merge patch, RFC 6902 JSON patch and
 * Kubernetes' strategic merge patch (apply, two-way diff, three-way apply
 * patch). The strategic part follows apimachinery's algorithm step by step
 * (the same ordering rules, the same error texts), because kubectl builds
 * its patches expecting exactly that server behaviour. */
#include "patch.h"
#include "mem.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIRECTIVE   "$patch"
#define RETAIN_KEYS "$retainKeys"
#define DELETE_PRIM "$deleteFromPrimitiveList"
#define SET_ORDER   "$setElementOrder"
#define GO_MAP      "map[string]interface {}"
#define GO_SLICE    "[]interface {}"

/* ---- helpers shared by all three formats ---- */

static bool is_t(const struct sk_val *v, enum sk_vtype t)
{
    return v && v->type == t;
}

static bool str_is(const struct sk_val *v, const char *s)
{
    return is_t(v, SK_V_STR) && v->u.s.len == strlen(s) && !memcmp(v->u.s.p, s, v->u.s.len);
}

static bool prefixed(const char *k, const char *prefix)
{
    return !strncmp(k, prefix, strlen(prefix));
}

static long kfind(const struct sk_val *m, const char *k, size_t klen)
{
    for (size_t i = 0; i < m->u.m.n; i++)
        if (m->u.m.kv[i].klen == klen && !memcmp(m->u.m.kv[i].key, k, klen)) return (long)i;
    return -1;
}

static struct sk_val *kget(const struct sk_val *m, const char *k, size_t klen)
{
    long i = is_t(m, SK_V_MAP) ? kfind(m, k, klen) : -1;
    return i < 0 ? NULL : m->u.m.kv[i].val;
}

static void kdel(struct sk_val *m, const char *k, size_t klen)
{
    long i = kfind(m, k, klen);
    if (i < 0) return;
    if (!memchr(k, 0, klen)) {
        char *kc = sk_xstrndup(k, klen); /* k may be the map's own key */
        sk_map_del(m, kc);
        free(kc);
        return;
    }
    /* sk_map_del takes C strings; a key with a NUL inside is rare enough
     * to rebuild the map for. The swap keeps m's identity for the caller. */
    struct sk_val *n = sk_val_map();
    for (size_t j = 0; j < m->u.m.n; j++)
        if (j != (size_t)i)
            sk_map_setn(n, m->u.m.kv[j].key, m->u.m.kv[j].klen, sk_val_dup(m->u.m.kv[j].val));
    struct sk_val tmp = *m;
    *m = *n;
    *n = tmp;
    sk_val_free(n);
}

/* An owned list of trees. */
struct vec {
    struct sk_val **v;
    size_t n, cap;
};

static void vpush(struct vec *a, struct sk_val *x)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 8;
        a->v = sk_xrealloc(a->v, a->cap * sizeof(*a->v));
    }
    a->v[a->n++] = x;
}

static void vfree(struct vec *a)
{
    for (size_t i = 0; i < a->n; i++)
        sk_val_free(a->v[i]);
    free(a->v);
    memset(a, 0, sizeof(*a));
}

/* Empty array a into v, keeping the order. */
static void vtake_all(struct vec *v, struct sk_val *a)
{
    for (size_t i = 0; i < a->u.a.n; i++)
        vpush(v, a->u.a.items[i]);
    a->u.a.n = 0;
}

/* Go's %v of a decoded JSON value, because Kubernetes' messages print the
 * offending maps that way (map[k:v ...] with sorted keys, [a b], <nil>). */
static int key_cmp(const void *a, const void *b, void *m)
{
    const struct sk_kv *x = &((const struct sk_val *)m)->u.m.kv[*(const size_t *)a];
    const struct sk_kv *y = &((const struct sk_val *)m)->u.m.kv[*(const size_t *)b];
    int c = memcmp(x->key, y->key, x->klen < y->klen ? x->klen : y->klen);
    return c ? c : (x->klen > y->klen) - (x->klen < y->klen);
}

static void gofmt(struct sk_buf *b, const struct sk_val *v)
{
    int p = 1, exp;
    char t[64];
    switch (v ? v->type : SK_V_NULL) {
    case SK_V_NULL: sk_buf_puts(b, "<nil>"); break;
    case SK_V_BOOL: sk_buf_puts(b, v->u.b ? "true" : "false"); break;
    case SK_V_INT: sk_buf_printf(b, "%" PRId64, v->u.i); break;
    case SK_V_FLOAT:
        /* strconv's shortest form; %v switches to an exponent from 1e+06 */
        while (p < 17 && (snprintf(t, sizeof(t), "%.*e", p - 1, v->u.f), strtod(t, NULL) != v->u.f))
            p++;
        snprintf(t, sizeof(t), "%.*e", p - 1, v->u.f);
        exp = atoi(strchr(t, 'e') + 1);
        if (exp >= -4 && exp < 6)
            snprintf(t, sizeof(t), "%.*f", p - 1 - exp > 0 ? p - 1 - exp : 0, v->u.f);
        sk_buf_puts(b, t);
        break;
    case SK_V_STR: sk_buf_append(b, v->u.s.p, v->u.s.len); break;
    case SK_V_ARR:
        sk_buf_puts(b, "[");
        for (size_t i = 0; i < v->u.a.n; i++) {
            if (i) sk_buf_puts(b, " ");
            gofmt(b, v->u.a.items[i]);
        }
        sk_buf_puts(b, "]");
        break;
    case SK_V_MAP: {
        size_t n = v->u.m.n, *ix = sk_xcalloc(n ? n : 1, sizeof(*ix));
        for (size_t i = 0; i < n; i++)
            ix[i] = i;
        qsort_r(ix, n, sizeof(*ix), key_cmp, (void *)v);
        sk_buf_puts(b, "map[");
        for (size_t i = 0; i < n; i++) {
            if (i) sk_buf_puts(b, " ");
            sk_buf_append(b, v->u.m.kv[ix[i]].key, v->u.m.kv[ix[i]].klen);
            sk_buf_puts(b, ":");
            gofmt(b, v->u.m.kv[ix[i]].val);
        }
        sk_buf_puts(b, "]");
        free(ix);
        break;
    }
    }
}

static char *gostr(const struct sk_val *v)
{
    struct sk_buf b = {0};
    gofmt(&b, v);
    return sk_buf_take(&b, NULL);
}

/* reflect.TypeOf(v) as Go prints it for a decoded JSON value. */
static const char *gotype(const struct sk_val *v)
{
    static const char *const names[] = {
            [SK_V_NULL] = "%!s(<nil>)", [SK_V_BOOL] = "bool",  [SK_V_INT] = "int64",
            [SK_V_FLOAT] = "float64",   [SK_V_STR] = "string", [SK_V_ARR] = GO_SLICE,
            [SK_V_MAP] = GO_MAP};
    return names[v ? v->type : SK_V_NULL];
}

/* The JSON word encoding/json uses in "cannot unmarshal X into ...". */
static const char *json_word(const struct sk_val *v)
{
    static const char *const names[] = {
            [SK_V_NULL] = "null",    [SK_V_BOOL] = "bool",  [SK_V_INT] = "number",
            [SK_V_FLOAT] = "number", [SK_V_STR] = "string", [SK_V_ARR] = "array",
            [SK_V_MAP] = "object"};
    return names[v ? v->type : SK_V_NULL];
}

static sk_err err_bad_arg(struct sk_error **err, const char *expected, const struct sk_val *got)
{
    return sk_fail(err, SK_EINVAL, "expected a %s, but received a %s", expected, gotype(got));
}

/* Fail with a message that prints one or two trees as Go's %v does. */
static sk_err fail_v(struct sk_error **err, sk_err code, const char *fmt, const struct sk_val *a,
                     const struct sk_val *b)
{
    char *x = gostr(a), *y = gostr(b);
    sk_fail(err, code, fmt, x, y);
    free(x);
    free(y);
    return code;
}

static sk_err err_no_merge_key(struct sk_error **err, const struct sk_val *m, const char *mk)
{
    char *s = gostr(m);
    sk_fail(err, SK_EINVAL, "map: %s does not contain declared merge key: %s", s, mk);
    free(s);
    return SK_EINVAL;
}

/* ---- RFC 7386 JSON merge patch ---- */

/* Consumes t, returns the merged tree. */
static struct sk_val *merge_patch(struct sk_val *t, const struct sk_val *p)
{
    if (!is_t(p, SK_V_MAP)) {
        sk_val_free(t);
        return sk_val_dup(p);
    }
    if (!is_t(t, SK_V_MAP)) {
        sk_val_free(t);
        t = sk_val_map();
    }
    for (size_t i = 0; i < p->u.m.n; i++) {
        const struct sk_kv *kv = &p->u.m.kv[i];
        long j = kfind(t, kv->key, kv->klen);
        if (kv->val->type == SK_V_NULL)
            kdel(t, kv->key, kv->klen);
        else if (j >= 0)
            t->u.m.kv[j].val = merge_patch(t->u.m.kv[j].val, kv->val);
        else
            sk_map_setn(t, kv->key, kv->klen, merge_patch(NULL, kv->val));
    }
    return t;
}

sk_err sk_merge_patch(struct sk_val **target, const struct sk_val *patch, struct sk_error **err)
{
    if (!target || !patch) return sk_fail(err, SK_EINVAL, "merge patch: no document or no patch");
    *target = merge_patch(*target, patch);
    return SK_OK;
}

/* ---- RFC 6902 JSON patch ---- */

struct tok {
    char *s; /* decoded, NUL-terminated */
    size_t n;
};

struct ptr {
    struct tok *t;
    size_t n;
};

static void ptr_free(struct ptr *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->t[i].s);
    free(p->t);
    memset(p, 0, sizeof(*p));
}

/* RFC 6901: "" is the whole document, otherwise "/"-separated tokens with
 * ~1 for "/" and ~0 for "~". false for anything else. */
static bool ptr_parse(const struct sk_val *pv, struct ptr *p)
{
    memset(p, 0, sizeof(*p));
    if (!is_t(pv, SK_V_STR)) return false;
    const char *s = pv->u.s.p;
    size_t len = pv->u.s.len;
    if (len == 0) return true;
    if (s[0] != '/') return false;
    p->t = sk_xcalloc(len, sizeof(*p->t)); /* at most one token per byte */
    for (size_t i = 1;;) {
        size_t j = i;
        while (j < len && s[j] != '/')
            j++;
        char *d = sk_xmalloc(j - i + 1);
        size_t dn = 0;
        p->t[p->n++] = (struct tok){d, 0};
        for (size_t k = i; k < j; k++) {
            if (s[k] != '~') {
                d[dn++] = s[k];
            } else if (k + 1 < j && (s[k + 1] == '0' || s[k + 1] == '1')) {
                d[dn++] = s[++k] == '0' ? '~' : '/';
            } else {
                d[dn] = 0;
                ptr_free(p);
                return false;
            }
        }
        d[dn] = 0;
        p->t[p->n - 1].n = dn;
        if (j >= len) break;
        i = j + 1;
    }
    return true;
}

/* strconv.Atoi's rules and words, since Kubernetes' messages quote them.
 * Returns NULL or the reason. */
static const char *go_atoi(const struct tok *t, int64_t *out)
{
    size_t i = 0;
    bool neg = false;
    if (t->n && (t->s[0] == '+' || t->s[0] == '-')) neg = t->s[i++] == '-';
    if (i == t->n) return "invalid syntax";
    uint64_t v = 0, lim = (uint64_t)INT64_MAX + (neg ? 1 : 0);
    for (; i < t->n; i++) {
        if (t->s[i] < '0' || t->s[i] > '9') return "invalid syntax";
        if (v > (lim - (uint64_t)(t->s[i] - '0')) / 10) return "value out of range";
        v = v * 10 + (uint64_t)(t->s[i] - '0');
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return NULL;
}

#define EMSG 512

/* The index of an existing element (negative counts from the end, as
 * evanphx/json-patch allows), or -1 with the reason in msg. */
static long arr_index(const struct sk_val *a, const struct tok *t, char *msg)
{
    int64_t i;
    const char *why = go_atoi(t, &i);
    if (why) {
        snprintf(msg, EMSG, "strconv.Atoi: parsing \"%s\": %s", t->s, why);
        return -1;
    }
    int64_t n = (int64_t)a->u.a.n;
    if (i >= n || i < -n) {
        snprintf(msg, EMSG, "Unable to access invalid index: %" PRId64 ": invalid index referenced",
                 i);
        return -1;
    }
    return (long)(i < 0 ? i + n : i);
}

static struct sk_val **child_slot(struct sk_val *c, const struct tok *t, char *msg)
{
    if (is_t(c, SK_V_MAP)) {
        long i = kfind(c, t->s, t->n);
        if (i >= 0) return &c->u.m.kv[i].val;
        snprintf(msg, EMSG, "missing value");
        return NULL;
    }
    if (is_t(c, SK_V_ARR)) {
        long i = arr_index(c, t, msg);
        return i < 0 ? NULL : &c->u.a.items[i];
    }
    snprintf(msg, EMSG, "missing value");
    return NULL;
}

/* The container holding the pointer's last token, or NULL. */
static struct sk_val *ptr_parent(struct sk_val *doc, const struct ptr *p)
{
    char msg[EMSG];
    if (p->n == 0) return NULL;
    for (size_t i = 0; i + 1 < p->n; i++) {
        struct sk_val **s = child_slot(doc, &p->t[i], msg);
        if (!s) return NULL;
        doc = *s;
    }
    return is_t(doc, SK_V_MAP) || is_t(doc, SK_V_ARR) ? doc : NULL;
}

/* Add v under t in container c (taking v), or false with the reason in msg. */
static bool con_add(struct sk_val *c, const struct tok *t, struct sk_val *v, char *msg)
{
    int64_t i, n = (int64_t)c->u.a.n + 1;
    const char *why;
    if (c->type == SK_V_MAP) {
        sk_map_setn(c, t->s, t->n, v);
        return true;
    }
    if (t->n == 1 && t->s[0] == '-') {
        sk_arr_push(c, v);
        return true;
    }
    if ((why = go_atoi(t, &i)))
        snprintf(msg, EMSG,
                 "value was not a proper array index: '%s': strconv.Atoi: parsing \"%s\": %s", t->s,
                 t->s, why);
    else if (i >= n || i < -n)
        snprintf(msg, EMSG, "Unable to access invalid index: %" PRId64 ": invalid index referenced",
                 i);
    else
        sk_arr_insert(c, (size_t)(i < 0 ? i + n : i), v);
    return !why && i < n && i >= -n;
}

/* Detach and return the value under t, or NULL with the reason in msg. */
static struct sk_val *con_take(struct sk_val *c, const struct tok *t, char *msg)
{
    if (c->type == SK_V_MAP) {
        long i = kfind(c, t->s, t->n);
        if (i < 0) {
            snprintf(msg, EMSG, "Unable to remove nonexistent key: %s: missing value", t->s);
            return NULL;
        }
        struct sk_val *v = sk_val_dup(c->u.m.kv[i].val);
        kdel(c, t->s, t->n);
        return v;
    }
    long i = arr_index(c, t, msg);
    return i < 0 ? NULL : sk_arr_take(c, (size_t)i);
}

/* The approximate JSON size of v, for the copy growth limit. */
static size_t json_size(const struct sk_val *v)
{
    size_t n = 2;
    switch (v->type) {
    case SK_V_NULL:
    case SK_V_BOOL: return 5;
    case SK_V_INT:
    case SK_V_FLOAT: return 20;
    case SK_V_STR: return v->u.s.len + 2;
    case SK_V_ARR:
        for (size_t i = 0; i < v->u.a.n; i++)
            n += json_size(v->u.a.items[i]) + 1;
        return n;
    case SK_V_MAP:
        for (size_t i = 0; i < v->u.m.n; i++)
            n += v->u.m.kv[i].klen + 4 + json_size(v->u.m.kv[i].val);
        return n;
    }
    return n;
}

/* RFC 6902 4.6 equality: numbers compare by value (1 == 1.0). */
static bool json_equal(const struct sk_val *a, const struct sk_val *b)
{
    if (a->type == SK_V_INT && b->type == SK_V_FLOAT) {
        const struct sk_val *t = a;
        a = b;
        b = t;
    }
    if (a->type == SK_V_FLOAT && b->type == SK_V_INT) {
        double f = a->u.f;
        return f == (double)(int64_t)f && f >= -9223372036854775808.0 &&
               f < 9223372036854775808.0 && (int64_t)f == b->u.i;
    }
    if (a->type != b->type) return false;
    if (a->type == SK_V_ARR) {
        if (a->u.a.n != b->u.a.n) return false;
        for (size_t i = 0; i < a->u.a.n; i++)
            if (!json_equal(a->u.a.items[i], b->u.a.items[i])) return false;
        return true;
    }
    if (a->type == SK_V_MAP) {
        if (a->u.m.n != b->u.m.n) return false;
        for (size_t i = 0; i < a->u.m.n; i++) {
            const struct sk_val *bv = kget(b, a->u.m.kv[i].key, a->u.m.kv[i].klen);
            if (!bv || !json_equal(a->u.m.kv[i].val, bv)) return false;
        }
        return true;
    }
    return sk_val_equal(a, b);
}

struct jp {
    struct sk_val *doc;
    struct sk_error **err;
    size_t copied;
};

#define FAIL(...) sk_fail(j->err, SK_EINVAL, __VA_ARGS__)

static const char *op_path(const struct sk_val *op, const char *field)
{
    const struct sk_val *p = sk_map_get(op, field);
    return is_t(p, SK_V_STR) ? p->u.s.p : NULL;
}

enum { R_NOFIELD, R_MISSING, R_ROOT, R_OK };

/* Resolve op's pointer `field` to the container of its last token (*c);
 * R_ROOT for "", R_MISSING when a step is missing or the pointer is not
 * one. *str gets the pointer text for messages. */
static int resolve(struct jp *j, const struct sk_val *op, const char *field, struct ptr *p,
                   struct sk_val **c, const char **str)
{
    const struct sk_val *pv = sk_map_get(op, field);
    memset(p, 0, sizeof(*p));
    *c = NULL;
    *str = is_t(pv, SK_V_STR) ? pv->u.s.p : "";
    if (!is_t(pv, SK_V_STR)) return R_NOFIELD;
    if (!ptr_parse(pv, p)) return R_MISSING;
    if (p->n == 0) return R_ROOT;
    *c = ptr_parent(j->doc, p);
    return *c ? R_OK : R_MISSING;
}

/* Put v (taken) at op's path, for add and the second half of move and
 * copy, whose errors evanphx words differently. */
static sk_err jp_put(struct jp *j, const struct sk_val *op, struct sk_val *v, const char *name)
{
    struct ptr p;
    struct sk_val *c;
    const char *path;
    char msg[EMSG];
    sk_err rc = SK_OK;
    bool add = name[0] == 'a', move = name[0] == 'm';
    int r = resolve(j, op, "path", &p, &c, &path);
    if (r == R_NOFIELD) {
        rc = FAIL("%s operation failed to decode path: %smissing value", name,
                  move ? "operation missing path field: " : "");
    } else if (r == R_ROOT) { /* RFC 6902 4.1: adding at the root replaces the document */
        sk_val_free(j->doc);
        j->doc = v;
        v = NULL;
    } else if (r == R_MISSING && add) {
        rc = FAIL("add operation does not apply: doc is missing path: \"%s\": missing value", path);
    } else if (r == R_MISSING) {
        rc = FAIL("%s operation does not apply: doc is missing destination path: %s: missing value",
                  name, path);
    } else if (con_add(c, &p.t[p.n - 1], v, msg)) {
        v = NULL;
    } else if (add || move) {
        rc = FAIL("error in %s for path: '%s': %s", name, path, msg);
    } else {
        rc = FAIL("error while adding value during copy: %s", msg);
    }
    ptr_free(&p);
    sk_val_free(v);
    return rc;
}

/* The value at op's pointer `field`, borrowed, or NULL after an error
 * worded for operation `name` (copy, move or test). */
static const struct sk_val *jp_get(struct jp *j, const struct sk_val *op, const char *field,
                                   const char *name)
{
    struct ptr p;
    struct sk_val *c, **s = NULL;
    const char *path;
    char msg[EMSG];
    bool from = field[0] == 'f', test = name[0] == 't';
    int r = resolve(j, op, field, &p, &c, &path);
    if (r == R_ROOT) return j->doc;
    if (r == R_OK) s = child_slot(c, &p.t[p.n - 1], msg);
    ptr_free(&p);
    if (s) return *s;
    if (r == R_NOFIELD)
        FAIL("%s operation failed to decode %s: operation%s missing %s field: missing value", name,
             field, from ? "," : "", field);
    else if (r == R_MISSING)
        FAIL("%s operation does not apply: %sis missing %spath: %s: missing value", name,
             test ? "" : "doc ", from ? "from " : "", path);
    else if (test && c->type == SK_V_MAP)
        FAIL("testing value %s failed: test failed", path);
    else
        FAIL("error in %s for %s: '%s': %s", name, field, path, msg);
    return NULL;
}

/* Remove the value at op's `field` (remove's path, move's from); *out
 * (if not NULL) gets it. */
static sk_err jp_remove(struct jp *j, const struct sk_val *op, bool move, struct sk_val **out)
{
    struct ptr p;
    struct sk_val *c, *v = NULL;
    const char *path;
    char msg[EMSG];
    sk_err rc = SK_OK;
    int r = resolve(j, op, move ? "from" : "path", &p, &c, &path);
    if (r == R_NOFIELD)
        rc = FAIL("%s", move ? "move operation failed to decode from: operation, missing from "
                               "field: missing value"
                             : "remove operation failed to decode path: missing value");
    else if (r != R_OK && move)
        rc = FAIL("move operation does not apply: doc is missing from path: %s: missing value",
                  path);
    else if (r != R_OK)
        rc = FAIL("remove operation does not apply: doc is missing path: \"%s\": missing value",
                  path);
    else if (!(v = con_take(c, &p.t[p.n - 1], msg)))
        rc = FAIL("error in %s for path: '%s': %s", move ? "move" : "remove", path, msg);
    ptr_free(&p);
    if (out)
        *out = v;
    else
        sk_val_free(v);
    return rc;
}

static sk_err jp_replace(struct jp *j, const struct sk_val *op, const struct sk_val *value)
{
    struct ptr p;
    struct sk_val *c, **s;
    const char *path;
    char msg[EMSG];
    sk_err rc = SK_OK;
    int r = resolve(j, op, "path", &p, &c, &path);
    if (r == R_NOFIELD) {
        rc = FAIL("replace operation failed to decode path: operation missing path field: missing "
                  "value");
    } else if (r == R_ROOT) {
        sk_val_free(j->doc);
        j->doc = sk_val_dup(value);
    } else if (r == R_MISSING) {
        rc = FAIL("replace operation does not apply: doc is missing path: %s: missing value", path);
    } else if (!(s = child_slot(c, &p.t[p.n - 1], msg))) {
        /* RFC 6902 4.3: the target must exist (evanphx v4 would add it) */
        rc = FAIL("replace operation does not apply: doc is missing key: %s: missing value", path);
    } else {
        sk_val_free(*s);
        *s = sk_val_dup(value);
    }
    ptr_free(&p);
    return rc;
}

static sk_err jp_op(struct jp *j, const struct sk_val *op)
{
    const struct sk_val *kind = sk_map_get(op, "op"), *value = sk_map_get(op, "value"), *v;
    const char *k = is_t(kind, SK_V_STR) ? kind->u.s.p : "unknown";
    const char *from = op_path(op, "from"), *path = op_path(op, "path");
    if (!value && (!strcmp(k, "add") || !strcmp(k, "replace") || !strcmp(k, "test")))
        return FAIL("%s operation failed: operation, missing value field: missing value", k);
    if (!strcmp(k, "add")) return jp_put(j, op, sk_val_dup(value), "add");
    if (!strcmp(k, "remove")) return jp_remove(j, op, false, NULL);
    if (!strcmp(k, "replace")) return jp_replace(j, op, value);
    if (!strcmp(k, "move")) {
        if (from && path && !strcmp(from, path))
            return jp_get(j, op, "from", k) ? SK_OK : SK_EINVAL;
        if (from && path && strlen(path) > strlen(from) && !strncmp(from, path, strlen(from)) &&
            path[strlen(from)] == '/')
            return FAIL("move operation does not apply: from %s is a proper prefix of path %s",
                        from, path);
        struct sk_val *moved = NULL;
        sk_err rc = jp_remove(j, op, true, &moved);
        return rc ? rc : jp_put(j, op, moved, k);
    }
    if (!strcmp(k, "copy")) {
        if (!(v = jp_get(j, op, "from", k))) return SK_EINVAL;
        /* evanphx's limit on copies, which could otherwise double the
         * document with each operation */
        j->copied += json_size(v);
        if (j->copied > SK_JSON_PATCH_MAX_COPY)
            return FAIL(
                    "Unable to complete the copy, the accumulated size increase of copy is %zu, "
                    "exceeding the limit %d",
                    j->copied, SK_JSON_PATCH_MAX_COPY);
        return jp_put(j, op, sk_val_dup(v), k);
    }
    if (!strcmp(k, "test")) {
        if (!(v = jp_get(j, op, "path", k))) return SK_EINVAL;
        return json_equal(v, value) ? SK_OK : FAIL("testing value %s failed: test failed", path);
    }
    return FAIL("Unexpected kind: %s", k);
}

#undef FAIL

sk_err sk_json_patch(struct sk_val **target, const struct sk_val *ops, struct sk_error **err)
{
    if (!target) return sk_fail(err, SK_EINVAL, "json patch: no document");
    if (is_t(ops, SK_V_NULL)) return SK_OK; /* decodes as an empty patch */
    if (!is_t(ops, SK_V_ARR))
        return sk_fail(err, SK_EPROTO,
                       "json: cannot unmarshal %s into Go value of type jsonpatch.Patch",
                       json_word(ops));
    for (size_t i = 0; i < ops->u.a.n; i++) {
        const struct sk_val *op = ops->u.a.items[i];
        if (!is_t(op, SK_V_MAP) && !is_t(op, SK_V_NULL))
            return sk_fail(err, SK_EPROTO,
                           "json: cannot unmarshal %s into Go value of type jsonpatch.Operation",
                           json_word(op));
    }
    if (ops->u.a.n > SK_JSON_PATCH_MAX_OPS)
        return sk_fail(err, SK_ETOOBIG,
                       "The allowed maximum operations in a JSON patch is %d, got %zu",
                       SK_JSON_PATCH_MAX_OPS, ops->u.a.n);
    struct jp j = {.doc = *target ? sk_val_dup(*target) : sk_val_null(), .err = err};
    for (size_t i = 0; i < ops->u.a.n; i++) {
        const struct sk_val *op = ops->u.a.items[i];
        sk_err rc = is_t(op, SK_V_MAP) ? jp_op(&j, op)
                                       : sk_fail(err, SK_EINVAL, "Unexpected kind: unknown");
        if (rc) {
            sk_val_free(j.doc);
            return rc;
        }
    }
    sk_val_free(*target);
    *target = j.doc;
    return SK_OK;
}

/* ---- strategic merge patch: shared state and schema look-ups ---- */

struct meta {
    const char *mk;    /* merge key, "" when none */
    char strat;        /* 'm' merge, 'r' replace, 0 none */
    bool retain;       /* retainKeys */
    bool keys_are_map; /* the field is a map[string]X: its keys are data */
};

struct smp {
    const struct sk_patch_schema *schema;
    struct sk_error **err;
    char *path; /* dotted field path of the current level */
    size_t plen, pcap;
    bool parallel;     /* apply $deleteFromPrimitiveList/... (server side) */
    bool ignore_nulls; /* a null that deletes nothing vanishes */
};

static const struct sk_field *kind_lookup(void *ctx, const char *path)
{
    return sk_kind_field(ctx, path);
}

struct sk_patch_schema sk_patch_schema_for_kind(const struct sk_kind *k)
{
    return (struct sk_patch_schema){kind_lookup, (void *)k};
}

static void meta_none(struct meta *m)
{
    memset(m, 0, sizeof(*m));
    m->mk = "";
}

/* Step into key k below the current level; fills m with the field's patch
 * metadata. Returns the path length to restore with leave(). Entries of a
 * map[string]X share their map's path, as sk_kind_field steps through
 * them. */
static size_t enter(struct smp *s, const char *k, bool in_map, struct meta *m)
{
    size_t old = s->plen, kl = strlen(k);
    meta_none(m);
    if (in_map) return old;
    if (s->plen + kl + 2 > s->pcap) {
        s->pcap = (s->plen + kl + 2) * 2;
        s->path = sk_xrealloc(s->path, s->pcap);
    }
    if (s->plen) s->path[s->plen++] = '.';
    memcpy(s->path + s->plen, k, kl + 1);
    s->plen += kl;
    const struct sk_field *f =
            s->schema && s->schema->lookup ? s->schema->lookup(s->schema->ctx, s->path) : NULL;
    if (!f) return old;
    if (f->merge_key) m->mk = f->merge_key;
    m->keys_are_map = f->type == SK_F_MAP;
    for (const char *p = f->patch_strategy; p && *p;) {
        size_t n = strcspn(p, ",");
        if (n == 10 && !strncmp(p, "retainKeys", n)) m->retain = true;
        if (n == 5 && !strncmp(p, "merge", n)) m->strat = 'm';
        if (n == 7 && !strncmp(p, "replace", n)) m->strat = 'r';
        p += n + (p[n] == ',');
    }
    return old;
}

static void leave(struct smp *s, size_t old)
{
    s->plen = old;
    if (s->path) s->path[old] = 0;
}

static bool is_directive_key(const char *k)
{
    return !strcmp(k, DIRECTIVE) || !strcmp(k, RETAIN_KEYS) || prefixed(k, SET_ORDER) ||
           prefixed(k, DELETE_PRIM);
}

/* A copy of a patch value for the result. drop_patched: Go's
 * removeDirectives (a map holding $patch vanishes). When applying, nulls
 * in maps and directive keys are dropped as well: Kubernetes loses them
 * converting the result to its typed struct, and skiff stores the tree. */
static struct sk_val *clean(const struct smp *s, const struct sk_val *v, bool drop_patched)
{
    struct sk_val *n, *c;
    switch (v->type) {
    case SK_V_MAP:
        if (drop_patched && sk_map_get(v, DIRECTIVE)) return NULL;
        n = sk_val_map();
        for (size_t i = 0; i < v->u.m.n; i++) {
            const struct sk_kv *kv = &v->u.m.kv[i];
            if (s->parallel && is_directive_key(kv->key)) continue;
            if (s->ignore_nulls && kv->val->type == SK_V_NULL) continue;
            if ((c = clean(s, kv->val, drop_patched))) sk_map_setn(n, kv->key, kv->klen, c);
        }
        return n;
    case SK_V_ARR:
        n = sk_val_arr();
        for (size_t i = 0; i < v->u.a.n; i++)
            if ((c = clean(s, v->u.a.items[i], drop_patched))) sk_arr_push(n, c);
        return n;
    default: return sk_val_dup(v);
    }
}

static void set_slot(struct sk_val **slot, struct sk_val *v)
{
    sk_val_free(*slot);
    *slot = v;
}

/* The element type shared by two lists (SK_V_NULL counts as a type);
 * -1 when both are empty. */
static sk_err elem_kind(struct smp *s, const struct sk_val *a, const struct sk_val *b, int *kind)
{
    const struct sk_val *l[2] = {a, b};
    *kind = -1;
    for (int x = 0; x < 2; x++)
        for (size_t i = 0; l[x] && i < l[x]->u.a.n; i++) {
            int t = (int)l[x]->u.a.items[i]->type;
            if (*kind < 0 && t == SK_V_ARR)
                return sk_fail(s->err, SK_EINVAL, "lists of lists are not supported");
            if (*kind >= 0 && t != *kind) {
                struct sk_val both = {.type = SK_V_ARR};
                struct sk_val *items[2] = {(struct sk_val *)a, (struct sk_val *)b};
                struct sk_val empty = {.type = SK_V_ARR};
                if (!items[0]) items[0] = &empty;
                if (!items[1]) items[1] = &empty;
                both.u.a.items = items;
                both.u.a.n = 2;
                char *str = gostr(&both);
                sk_fail(s->err, SK_EINVAL, "list element types are not identical: %s", str);
                free(str);
                return SK_EINVAL;
            }
            *kind = t;
        }
    return SK_OK;
}

/* ---- strategic merge patch: list order ---- */

/* The order of a list: each element's merge key value (or the element
 * itself for primitives), borrowed from keys_of or owned in own. */
struct order {
    const struct sk_val **k;
    size_t n;
    struct sk_val *own;
};

static const struct sk_val *key_of(const struct sk_val *item, const char *mk)
{
    return *mk ? sk_map_get(item, mk) : item;
}

/* snapshot: copy the keys, because merging rewrites the elements. */
static void order_init(struct order *o, struct sk_val *const *items, size_t n, const char *mk,
                       bool snapshot)
{
    o->k = sk_xcalloc(n ? n : 1, sizeof(*o->k));
    o->n = n;
    o->own = snapshot ? sk_val_arr() : NULL;
    for (size_t i = 0; i < n; i++) {
        const struct sk_val *k = key_of(items[i], mk);
        if (k && snapshot) k = sk_arr_push(o->own, sk_val_dup(k));
        o->k[i] = k;
    }
}

static void order_free(struct order *o)
{
    free(o->k);
    sk_val_free(o->own);
    memset(o, 0, sizeof(*o));
}

static long order_index(const struct order *o, const struct sk_val *item, const char *mk)
{
    const struct sk_val *k = key_of(item, mk);
    for (size_t i = 0; k && i < o->n; i++)
        if (o->k[i] && sk_val_equal(o->k[i], k)) return (long)i;
    return -1;
}

/* The server order $setElementOrder sorts by is, in apimachinery, the
 * original list's backing array after mergeSlice edited it in place:
 * deletions shift it left, and the first new elements land in the freed
 * tail. Kubernetes' results depend on that, so it is replayed here. */
struct alias {
    const struct sk_val **k; /* borrowed from keep */
    size_t n, len;
    struct sk_val *keep;
};

static void alias_del(struct alias *a, size_t i)
{
    memmove(&a->k[i], &a->k[i + 1], (a->len - i - 1) * sizeof(*a->k));
    a->len--;
}

static void alias_add(struct alias *a, const struct sk_val *key)
{
    if (a->len < a->n) a->k[a->len++] = sk_arr_push(a->keep, sk_val_dup(key));
}

struct ranked {
    size_t rank, pos;
    struct sk_val *v;
};

static int ranked_cmp(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->rank != y->rank) return x->rank < y->rank ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* normalizeSliceOrder: stable sort by position in o (unknown last), with
 * $patch: delete elements moved to the end (they occur when patches are
 * merged with each other). */
static void sort_by_order(struct vec *v, const struct order *o, const char *mk, bool maps)
{
    struct ranked *r = sk_xcalloc(v->n ? v->n : 1, sizeof(*r));
    for (size_t i = 0; i < v->n; i++) {
        long ix = order_index(o, v->v[i], mk);
        bool del = maps && str_is(sk_map_get(v->v[i], DIRECTIVE), "delete");
        r[i] = (struct ranked){del ? SIZE_MAX : ix < 0 ? SIZE_MAX - 1 : (size_t)ix, i, v->v[i]};
    }
    qsort(r, v->n, sizeof(*r), ranked_cmp);
    for (size_t i = 0; i < v->n; i++)
        v->v[i] = r[i].v;
    free(r);
}

/* Every element (and order entry) of a list of maps must carry the merge key. */
static sk_err check_keys(struct smp *s, struct sk_val *const *items, size_t n, const char *mk)
{
    for (size_t i = 0; *mk && i < n; i++) {
        if (!is_t(items[i], SK_V_MAP)) return err_bad_arg(s->err, GO_MAP, items[i]);
        if (!sk_map_get(items[i], mk)) return err_no_merge_key(s->err, items[i], mk);
    }
    return SK_OK;
}

/* normalizeElementOrder + mergeSortedSlice: the patch's elements in patch
 * order, the server-only ones in server order, interleaved so that a
 * server-only element stays in front of a patch element it preceded on
 * the server. Consumes both vectors into out. */
static void interleave(struct vec *patch_items, struct vec *server_only, const struct order *porder,
                       const struct order *sorder, const char *mk, bool maps, struct sk_val *out)
{
    sort_by_order(patch_items, porder, mk, maps);
    sort_by_order(server_only, sorder, mk, maps);
    size_t i = 0, j = 0;
    while (i < server_only->n || j < patch_items->n) {
        bool left = j >= patch_items->n;
        if (!left && i < server_only->n) {
            long li = order_index(sorder, server_only->v[i], mk);
            long ri = order_index(sorder, patch_items->v[j], mk);
            left = li >= 0 && ri >= 0 && li < ri;
        }
        sk_arr_push(out, left ? server_only->v[i++] : patch_items->v[j++]);
    }
    free(patch_items->v);
    free(server_only->v);
    memset(patch_items, 0, sizeof(*patch_items));
    memset(server_only, 0, sizeof(*server_only));
}

/* Split merged into elements present in `by` and the rest. */
static void partition(struct vec *merged, const struct order *by, const char *mk, struct vec *in,
                      struct vec *out)
{
    for (size_t i = 0; i < merged->n; i++)
        vpush(order_index(by, merged->v[i], mk) >= 0 ? in : out, merged->v[i]);
    free(merged->v);
    memset(merged, 0, sizeof(*merged));
}

/* ---- strategic merge patch: apply ---- */

static sk_err merge_map(struct smp *s, struct sk_val **slot, const struct sk_val *patch,
                        bool in_map);

/* mergeSlice for lists of maps: $patch elements first, then merge by key. */
static sk_err merge_map_list(struct smp *s, struct vec *items, const struct sk_val *patch,
                             const char *mk, struct sk_val *out, struct alias *alias)
{
    const struct sk_val **pl = sk_xcalloc(patch->u.a.n + 1, sizeof(*pl));
    size_t pn = 0;
    bool replace = false;
    struct order sorder = {0}, porder = {0};
    struct vec pin = {0}, pout = {0};
    sk_err rc = SK_OK;
    if (!*mk) {
        rc = sk_fail(s->err, SK_EINVAL, "cannot merge lists without merge key for %s", s->path);
        goto out;
    }
    for (size_t i = 0; i < patch->u.a.n && !rc; i++) {
        const struct sk_val *v = patch->u.a.items[i], *d = sk_map_get(v, DIRECTIVE);
        const struct sk_val *key = sk_map_get(v, mk);
        if (!d) {
            pl[pn++] = v;
        } else if (str_is(d, "delete")) {
            if (!key) rc = err_no_merge_key(s->err, v, mk);
            for (size_t j = items->n; key && j > 0; j--) {
                if (!sk_val_equal(sk_map_get(items->v[j - 1], mk), key)) continue;
                if (alias) alias_del(alias, j - 1);
                sk_val_free(items->v[j - 1]);
                memmove(&items->v[j - 1], &items->v[j], (items->n - j) * sizeof(*items->v));
                items->n--;
            }
        } else if (str_is(d, "replace")) {
            replace = true;
        } else if (str_is(d, "merge")) {
            rc = sk_fail(s->err, SK_EINVAL, "merging lists cannot yet be specified in the patch");
        } else {
            rc = fail_v(s->err, SK_EINVAL, "unknown patch type: %s in map: %s", d, v);
        }
    }
    if (rc) goto out;
    if (replace) {
        /* the patch's other elements become the list, as they are */
        for (size_t i = 0; i < items->n; i++)
            sk_val_free(items->v[i]);
        items->n = 0;
        for (size_t i = 0; i < pn; i++)
            vpush(items, clean(s, pl[i], false));
        pn = 0;
        alias = NULL; /* the patch's elements are a new backing array */
    }
    if ((rc = check_keys(s, items->v, items->n, mk))) goto out;
    order_init(&sorder, items->v, items->n, mk, true);
    for (size_t i = 0; i < pn && !rc; i++) {
        const struct sk_val *key = sk_map_get(pl[i], mk);
        if (!key) {
            rc = err_no_merge_key(s->err, pl[i], mk);
            break;
        }
        size_t j = 0;
        while (j < items->n && !sk_val_equal(sk_map_get(items->v[j], mk), key))
            j++;
        if (j < items->n) {
            rc = merge_map(s, &items->v[j], pl[i], false);
        } else {
            vpush(items, clean(s, pl[i], false));
            if (alias) alias_add(alias, key);
        }
    }
    if (rc) goto out;
    order_init(&porder, (struct sk_val *const *)pl, pn, mk, false);
    partition(items, &porder, mk, &pin, &pout);
    interleave(&pin, &pout, &porder, &sorder, mk, true, out);
out:
    vfree(&pin);
    vfree(&pout);
    order_free(&sorder);
    order_free(&porder);
    free(pl);
    return rc;
}

/* mergeSliceHandler + mergeSlice: *slot and patch are lists. */
static sk_err merge_list(struct smp *s, struct sk_val **slot, const struct sk_val *patch,
                         const struct meta *m, bool del_list, struct alias *alias)
{
    struct sk_val *orig = *slot;
    if (m->strat != 'm' && !del_list) {
        set_slot(slot, clean(s, patch, false));
        return SK_OK;
    }
    if (orig->u.a.n == 0 && patch->u.a.n == 0) return SK_OK;
    int kind;
    sk_err rc = elem_kind(s, orig, patch, &kind);
    if (rc) return rc;
    struct vec items = {0}, pin = {0}, pout = {0};
    if (kind != SK_V_MAP && del_list && s->parallel) {
        for (size_t i = orig->u.a.n; i > 0; i--)
            for (size_t j = 0; j < patch->u.a.n; j++)
                if (sk_val_equal(orig->u.a.items[i - 1], patch->u.a.items[j])) {
                    sk_arr_remove(orig, i - 1);
                    break;
                }
        return SK_OK;
    }
    vtake_all(&items, orig);
    if (kind == SK_V_MAP) {
        rc = merge_map_list(s, &items, patch, m->mk, orig, alias);
        vfree(&items);
        return rc;
    }
    /* a set of primitives: union, then the same ordering rules */
    struct order sorder, porder;
    order_init(&sorder, items.v, items.n, "", true);
    for (size_t i = 0; i < patch->u.a.n; i++)
        vpush(&items, sk_val_dup(patch->u.a.items[i]));
    for (size_t i = 1; i < items.n; i++)
        for (size_t j = 0; j < i; j++)
            if (sk_val_equal(items.v[i], items.v[j])) {
                sk_val_free(items.v[i]);
                memmove(&items.v[i], &items.v[i + 1], (items.n - i - 1) * sizeof(*items.v));
                items.n--;
                i--;
                break;
            }
    order_init(&porder, patch->u.a.items, patch->u.a.n, "", false);
    partition(&items, &porder, "", &pin, &pout);
    interleave(&pin, &pout, &porder, &sorder, "", false, orig);
    order_free(&sorder);
    order_free(&porder);
    return SK_OK;
}

/* Is kv's key a string in list l? */
static bool listed(const struct sk_val *l, const struct sk_kv *kv)
{
    struct sk_val key = {.type = SK_V_STR, .u.s = {kv->key, kv->klen}};
    for (size_t j = 0; j < l->u.a.n; j++)
        if (sk_val_equal(l->u.a.items[j], &key)) return true;
    return false;
}

/* applyRetainKeysDirective. */
static sk_err retain_keys(struct smp *s, struct sk_val *orig, const struct sk_val *patch,
                          bool *done)
{
    long at = kfind(patch, RETAIN_KEYS, strlen(RETAIN_KEYS));
    if (at < 0) return SK_OK;
    done[at] = true;
    const struct sk_val *rk = patch->u.m.kv[at].val, *have = sk_map_get(orig, RETAIN_KEYS);
    if (!s->parallel) {
        if (!have) {
            sk_map_set(orig, RETAIN_KEYS, sk_val_dup(rk));
        } else if (!sk_val_equal(have, rk)) {
            return fail_v(s->err, SK_EINVAL,
                          "%s and %s are not deep equal: this may happen when calculating the "
                          "3-way diff patch",
                          have, rk);
        }
        return SK_OK;
    }
    if (!is_t(rk, SK_V_ARR))
        return sk_fail(s->err, SK_EINVAL, "invalid patch format of retainKeys");
    for (size_t i = 0; i < patch->u.m.n; i++) {
        const struct sk_kv *kv = &patch->u.m.kv[i];
        if ((size_t)at != i && kv->val->type != SK_V_NULL && !prefixed(kv->key, DELETE_PRIM) &&
            !prefixed(kv->key, SET_ORDER) && !listed(rk, kv))
            return sk_fail(s->err, SK_EINVAL, "invalid patch format of retainKeys");
    }
    for (size_t i = orig->u.m.n; i > 0; i--)
        if (!listed(rk, &orig->u.m.kv[i - 1]))
            kdel(orig, orig->u.m.kv[i - 1].key, orig->u.m.kv[i - 1].klen);
    return SK_OK;
}

/* "$setElementOrder/x" -> "x"; NULL when malformed. */
static const char *directive_target(const char *k, const char *prefix)
{
    size_t n = strlen(prefix);
    return !strncmp(k, prefix, n) && k[n] == '/' ? k + n + 1 : NULL;
}

/* validatePatchWithSetOrderList: the patch list's elements appear in the
 * order list, in the same relative order. */
static sk_err check_set_order(struct smp *s, const struct sk_val *pl, const struct sk_val *set,
                              const char *mk)
{
    if (!pl || !pl->u.a.n || !set->u.a.n) return SK_OK;
    size_t pi = 0, si = 0;
    while (pi < pl->u.a.n && si < set->u.a.n) {
        const struct sk_val *p = pl->u.a.items[pi], *o = set->u.a.items[si];
        if (*mk && !is_t(p, SK_V_MAP)) return err_bad_arg(s->err, GO_MAP, p);
        if (is_t(p, SK_V_MAP) && sk_map_get(p, DIRECTIVE)) {
            pi++; /* deletions and other directives are not ordered */
            continue;
        }
        if (*mk) {
            if (!is_t(o, SK_V_MAP)) return err_bad_arg(s->err, GO_MAP, o);
            if (!sk_map_get(p, mk)) return err_no_merge_key(s->err, p, mk);
            if (!sk_map_get(o, mk)) return err_no_merge_key(s->err, o, mk);
        }
        if (sk_val_equal(key_of(p, mk), key_of(o, mk))) pi++;
        si++;
    }
    while (pi < pl->u.a.n && *mk && str_is(sk_map_get(pl->u.a.items[pi], DIRECTIVE), "delete"))
        pi++;
    if (pi < pl->u.a.n)
        return fail_v(s->err, SK_EINVAL,
                      "The order in patch list:\n%s\n doesn't match $setElementOrder list:\n%s\n",
                      pl, set);
    return SK_OK;
}

/* mergePatchIntoOriginal: each $setElementOrder/x with its list x. */
static sk_err set_orders(struct smp *s, struct sk_val *orig, const struct sk_val *patch, bool *done,
                         bool in_map)
{
    for (size_t i = 0; i < patch->u.m.n; i++) {
        const struct sk_kv *kv = &patch->u.m.kv[i];
        if (!prefixed(kv->key, SET_ORDER)) continue;
        done[i] = true;
        const struct sk_val *set = kv->val;
        if (!s->parallel) {
            const struct sk_val *have = kget(orig, kv->key, kv->klen);
            if (have && !sk_val_equal(have, set))
                return sk_fail(s->err, SK_EINVAL, "invalid patch format of setElementOrder list");
            if (!have) sk_map_setn(orig, kv->key, kv->klen, sk_val_dup(set));
        }
        if (!is_t(set, SK_V_ARR)) return err_bad_arg(s->err, GO_SLICE, set);
        const char *x = directive_target(kv->key, SET_ORDER);
        if (!x) return sk_fail(s->err, SK_EINVAL, "invalid patch format of setElementOrder list");
        long oi = kfind(orig, x, strlen(x)), pi = kfind(patch, x, strlen(x));
        struct sk_val *ol = oi >= 0 ? orig->u.m.kv[oi].val : NULL;
        const struct sk_val *pl = pi >= 0 ? patch->u.m.kv[pi].val : NULL;
        if (ol && !is_t(ol, SK_V_ARR)) return err_bad_arg(s->err, GO_SLICE, ol);
        if (pl && !is_t(pl, SK_V_ARR)) return err_bad_arg(s->err, GO_SLICE, pl);
        if (pi >= 0) done[pi] = true;
        struct meta m;
        size_t old = enter(s, x, in_map, &m);
        sk_err rc = check_set_order(s, pl, set, m.mk);
        int kind = -1;
        if (!rc) rc = elem_kind(s, ol, pl, &kind);
        if (rc || kind < 0 || (!ol && !pl)) {
            leave(s, old);
            if (rc) return rc;
            if (!ol && pl) sk_map_set(orig, x, clean(s, pl, true));
            continue;
        }
        const char *mk = kind == SK_V_MAP ? m.mk : "";
        struct order sorder = {0}, porder = {0};
        struct vec items = {0}, pin = {0}, pout = {0};
        struct alias al = {0};
        if (ol) {
            order_init(&sorder, ol->u.a.items, ol->u.a.n, mk, true);
            al = (struct alias){sorder.k, sorder.n, sorder.n, sorder.own};
            if (pl) rc = merge_list(s, &orig->u.m.kv[oi].val, pl, &m, false, &al);
        } else {
            oi = (long)orig->u.m.n;
            sk_map_setn(orig, x, strlen(x), clean(s, pl, true));
        }
        struct sk_val *merged = orig->u.m.kv[oi].val;
        if (!rc && !is_t(merged, SK_V_ARR)) goto done; /* a replace that was no list */
        if (!rc && kind == SK_V_MAP && *mk) {
            rc = check_keys(s, set->u.a.items, set->u.a.n, mk);
            if (!rc) rc = check_keys(s, merged->u.a.items, merged->u.a.n, mk);
        }
        if (!rc) {
            vtake_all(&items, merged);
            order_init(&porder, set->u.a.items, set->u.a.n, mk, false);
            partition(&items, &porder, mk, &pin, &pout);
            interleave(&pin, &pout, &porder, &sorder, mk, kind == SK_V_MAP, merged);
        }
    done:
        order_free(&sorder);
        order_free(&porder);
        leave(s, old);
        if (rc) return rc;
    }
    return SK_OK;
}

/* mergeMap: *slot is a map (or NULL for none), patch a map. */
static sk_err merge_map(struct smp *s, struct sk_val **slot, const struct sk_val *patch,
                        bool in_map)
{
    const struct sk_val *d = sk_map_get(patch, DIRECTIVE);
    if (d) {
        if (str_is(d, "replace")) {
            struct sk_val *n = clean(s, patch, false);
            sk_map_del(n, DIRECTIVE);
            set_slot(slot, n);
        } else if (str_is(d, "delete")) {
            set_slot(slot, sk_val_map());
        } else {
            return fail_v(s->err, SK_EINVAL, "unknown patch type: %s in map: %s", d, patch);
        }
        return SK_OK;
    }
    if (!*slot) *slot = sk_val_map();
    struct sk_val *orig = *slot;
    bool *done = sk_xcalloc(patch->u.m.n + 1, sizeof(*done));
    sk_err rc = retain_keys(s, orig, patch, done);
    if (!rc) rc = set_orders(s, orig, patch, done, in_map);
    for (size_t i = 0; i < patch->u.m.n && !rc; i++) {
        const struct sk_kv *kv = &patch->u.m.kv[i];
        const struct sk_val *pv = kv->val;
        const char *k = kv->key;
        size_t kl = kv->klen;
        bool del_list = false;
        if (done[i]) continue;
        if (prefixed(k, DELETE_PRIM)) {
            if (!s->parallel) {
                sk_map_setn(orig, k, kl, sk_val_dup(pv));
                continue;
            }
            if (!(k = directive_target(k, DELETE_PRIM))) {
                rc = sk_fail(s->err, SK_EINVAL, "invalid patch format of primitive list");
                break;
            }
            kl = strlen(k);
            del_list = true;
        }
        if (pv->type == SK_V_NULL) {
            kdel(orig, k, kl);
            if (s->ignore_nulls) continue;
        }
        long oi = kfind(orig, k, kl);
        struct sk_val *ov = oi >= 0 ? orig->u.m.kv[oi].val : NULL;
        if (!ov || ov->type != pv->type || (pv->type != SK_V_MAP && pv->type != SK_V_ARR)) {
            if (del_list) continue;
            struct sk_val *n = clean(s, pv, true);
            if (n)
                sk_map_setn(orig, k, kl, n);
            else
                kdel(orig, k, kl);
            continue;
        }
        struct meta m;
        size_t old = enter(s, k, in_map, &m);
        if (pv->type == SK_V_ARR)
            rc = merge_list(s, &orig->u.m.kv[oi].val, pv, &m, del_list, NULL);
        else if (m.strat == 'r')
            set_slot(&orig->u.m.kv[oi].val, clean(s, pv, false));
        else
            rc = merge_map(s, &orig->u.m.kv[oi].val, pv, m.keys_are_map);
        leave(s, old);
    }
    free(done);
    return rc;
}

sk_err sk_strategic_merge(struct sk_val **target, const struct sk_val *patch,
                          const struct sk_patch_schema *schema, struct sk_error **err)
{
    if (!target) return sk_fail(err, SK_EINVAL, "strategic merge patch: no document");
    if (!is_t(patch, SK_V_MAP))
        return sk_fail(err, SK_EINVAL,
                       "json: cannot unmarshal %s into Go value of type map[string]interface {}",
                       json_word(patch));
    if (*target && !is_t(*target, SK_V_MAP))
        return sk_fail(err, SK_EINVAL, "strategic merge patch: the document is a %s, not an object",
                       json_word(*target));
    struct smp s = {.schema = schema, .err = err, .parallel = true, .ignore_nulls = true};
    struct sk_val *work = *target ? sk_val_dup(*target) : sk_val_map();
    sk_err rc = merge_map(&s, &work, patch, false);
    free(s.path);
    if (rc) {
        sk_val_free(work);
        return rc;
    }
    sk_val_free(*target);
    *target = work;
    return SK_OK;
}

/* ---- strategic merge patch: two-way diff, three-way patch ---- */

struct dopt {
    bool set_order, ignore_changes, ignore_deletions, retain;
};

static sk_err diff_maps(struct smp *s, const struct sk_val *o, const struct sk_val *m,
                        struct dopt opt, bool in_map, struct sk_val **out);

/* An element and the %v string Kubernetes sorts and matches it by. */
struct skey {
    char *str;
    const struct sk_val *v, *key;
    size_t pos;
};

static int skey_cmp(const void *a, const void *b)
{
    const struct skey *x = a, *y = b;
    int c = strcmp(x->str, y->str);
    return c ? c : x->pos < y->pos ? -1 : x->pos > y->pos;
}

static void skeys_free(struct skey *k, size_t n)
{
    for (size_t i = 0; k && i < n; i++)
        free(k[i].str);
    free(k);
}

/* Sort a list by its elements' merge keys (maps) or values (primitives). */
static sk_err skeys(struct smp *s, const struct sk_val *l, bool maps, const char *mk,
                    struct skey **out)
{
    struct skey *k = sk_xcalloc(l->u.a.n + 1, sizeof(*k));
    for (size_t i = 0; i < l->u.a.n; i++) {
        const struct sk_val *v = l->u.a.items[i], *key = maps ? sk_map_get(v, mk) : v;
        if (!key) {
            skeys_free(k, i);
            return maps && !is_t(v, SK_V_MAP) ? err_bad_arg(s->err, GO_MAP, v)
                                              : err_no_merge_key(s->err, v, mk);
        }
        k[i] = (struct skey){gostr(key), v, key, i};
    }
    qsort(k, l->u.a.n, sizeof(*k), skey_cmp);
    *out = k;
    return SK_OK;
}

static struct sk_val *vec_to_arr(struct vec *v)
{
    struct sk_val *a = sk_val_arr();
    for (size_t i = 0; i < v->n; i++)
        sk_arr_push(a, v->v[i]);
    free(v->v);
    memset(v, 0, sizeof(*v));
    return a;
}

static void put_list(struct sk_val *patch, const char *prefix, const char *key, struct vec *v)
{
    if (!v->n) return;
    if (!prefix) {
        sk_map_set(patch, key, vec_to_arr(v));
        return;
    }
    char *k = sk_xasprintf("%s/%s", prefix, key);
    sk_map_set(patch, k, vec_to_arr(v));
    free(k);
}

/* diffLists + handleSliceDiff for a list with the merge strategy: the
 * changed and added elements (and deletion directives), the parallel
 * deletion list for primitives and the $setElementOrder list. */
static sk_err diff_lists(struct smp *s, const struct sk_val *o, const struct sk_val *m,
                         const char *mk, struct dopt opt, struct sk_val *patch, const char *key)
{
    if (o->u.a.n == 0) {
        if (m->u.a.n && !opt.ignore_changes) sk_map_set(patch, key, sk_val_dup(m));
        return SK_OK;
    }
    int kind;
    sk_err rc = elem_kind(s, o, m, &kind);
    if (rc) return rc;
    bool maps = kind == SK_V_MAP;
    struct skey *ok = NULL, *mkeys = NULL;
    struct vec add = {0}, del = {0}, order = {0};
    if ((rc = skeys(s, o, maps, mk, &ok)) || (rc = skeys(s, m, maps, mk, &mkeys))) goto out;
    for (size_t i = 0, j = 0; (i < o->u.a.n || j < m->u.a.n) && !rc;) {
        int c = i >= o->u.a.n ? 1 : j >= m->u.a.n ? -1 : strcmp(ok[i].str, mkeys[j].str);
        if (c == 0 && maps) {
            struct sk_val *sub = NULL;
            rc = diff_maps(s, ok[i].v, mkeys[j].v, opt, false, &sub);
            if (!rc && sub->u.m.n) {
                struct sk_val *e = sk_val_map();
                sk_map_set(e, mk, sk_val_dup(mkeys[j].key));
                for (size_t x = 0; x < sub->u.m.n; x++)
                    sk_map_setn(e, sub->u.m.kv[x].key, sub->u.m.kv[x].klen,
                                sk_val_dup(sub->u.m.kv[x].val));
                vpush(&add, e);
            }
            sk_val_free(sub);
        }
        if (c == 0) {
            i++, j++;
        } else if (c > 0) {
            if (!opt.ignore_changes) vpush(&add, sk_val_dup(mkeys[j].v));
            j++;
        } else {
            if (!opt.ignore_deletions && maps) {
                struct sk_val *d = sk_val_map();
                sk_map_set(d, mk, sk_val_dup(ok[i].key));
                sk_map_set(d, DIRECTIVE, sk_val_str("delete"));
                vpush(&del, d);
            } else if (!opt.ignore_deletions && (!del.n || strcmp(ok[i].str, ok[i - 1].str))) {
                vpush(&del, sk_val_dup(ok[i].v));
            }
            i++;
        }
    }
    if (rc) goto out;
    struct order mo;
    order_init(&mo, m->u.a.items, m->u.a.n, maps ? mk : "", false);
    sort_by_order(&add, &mo, maps ? mk : "", maps);
    order_free(&mo);
    bool changed;
    if (maps) {
        bool same = o->u.a.n == m->u.a.n;
        for (size_t i = 0; same && i < o->u.a.n; i++)
            same = sk_val_equal(sk_map_get(o->u.a.items[i], mk), sk_map_get(m->u.a.items[i], mk));
        for (size_t i = 0; i < del.n; i++)
            vpush(&add, del.v[i]);
        del.n = 0;
        changed = (!opt.ignore_changes && (add.n || !same)) || (!opt.ignore_deletions && add.n);
        for (size_t i = 0; changed && opt.set_order && i < m->u.a.n; i++) {
            struct sk_val *e = sk_val_map();
            sk_map_set(e, mk, sk_val_dup(sk_map_get(m->u.a.items[i], mk)));
            vpush(&order, e);
        }
    } else {
        changed = (!opt.ignore_deletions && del.n) || (!opt.ignore_changes && !sk_val_equal(o, m));
        for (size_t i = 0; changed && opt.set_order && i < m->u.a.n; i++)
            vpush(&order, sk_val_dup(m->u.a.items[i]));
    }
    put_list(patch, NULL, key, &add);
    put_list(patch, DELETE_PRIM, key, &del);
    put_list(patch, SET_ORDER, key, &order);
out:
    skeys_free(ok, o->u.a.n);
    skeys_free(mkeys, m->u.a.n);
    vfree(&add);
    vfree(&del);
    vfree(&order);
    return rc;
}

/* diffMaps: the patch from o to m (both maps). */
static sk_err diff_maps(struct smp *s, const struct sk_val *o, const struct sk_val *m,
                        struct dopt opt, bool in_map, struct sk_val **out)
{
    struct sk_val *patch = sk_val_map(), *retain = sk_val_arr();
    sk_err rc = SK_OK;
    for (size_t i = 0; i < m->u.m.n && !rc; i++) {
        const struct sk_kv *kv = &m->u.m.kv[i];
        const struct sk_val *mv = kv->val, *ov = kget(o, kv->key, kv->klen);
        if (opt.retain && mv->type != SK_V_NULL) sk_arr_push(retain, sk_val_str(kv->key));
        bool same = ov && sk_val_equal(ov, mv);
        if (!ov || ov->type != mv->type || (mv->type != SK_V_MAP && mv->type != SK_V_ARR)) {
            if (!strcmp(kv->key, DIRECTIVE) && ov && (!is_t(ov, SK_V_STR) || !is_t(mv, SK_V_STR)))
                rc = sk_fail(s->err, SK_EINVAL, "invalid value for special key: %s", DIRECTIVE);
            else if (!opt.ignore_changes && !same)
                sk_map_setn(patch, kv->key, kv->klen, sk_val_dup(mv));
            continue;
        }
        struct meta mt;
        size_t old = enter(s, kv->key, in_map, &mt);
        struct dopt sub = opt;
        sub.retain = mt.retain;
        if (mv->type == SK_V_MAP && mt.strat != 'r') {
            struct sk_val *p = NULL;
            rc = diff_maps(s, ov, mv, sub, mt.keys_are_map, &p);
            if (!rc && p->u.m.n)
                sk_map_setn(patch, kv->key, kv->klen, p);
            else
                sk_val_free(p);
        } else if (mv->type == SK_V_ARR && mt.strat == 'm') {
            rc = diff_lists(s, ov, mv, mt.mk, sub, patch, kv->key);
        } else if (!opt.ignore_changes && !same) {
            sk_map_setn(patch, kv->key, kv->klen, sk_val_dup(mv));
        }
        leave(s, old);
    }
    bool extra = false; /* hasAdditionalNewField */
    for (size_t i = 0; i < o->u.m.n && !rc; i++) {
        const struct sk_kv *kv = &o->u.m.kv[i];
        if (kget(m, kv->key, kv->klen)) continue;
        extra |= kv->val->type != SK_V_NULL;
        if (!opt.ignore_deletions) sk_map_setn(patch, kv->key, kv->klen, sk_val_null());
    }
    if (!rc && retain->u.a.n && (patch->u.m.n || extra)) {
        struct skey *k = NULL;
        skeys(s, retain, false, "", &k);
        struct sk_val *sorted = sk_val_arr();
        for (size_t i = 0; i < retain->u.a.n; i++)
            sk_arr_push(sorted, sk_val_dup(k[i].v));
        skeys_free(k, retain->u.a.n);
        sk_map_set(patch, RETAIN_KEYS, sorted);
    }
    sk_val_free(retain);
    if (rc) {
        sk_val_free(patch);
        return rc;
    }
    *out = patch;
    return SK_OK;
}

static sk_err need_map(struct sk_error **err, const struct sk_val *v, const char *what)
{
    if (!v || is_t(v, SK_V_MAP)) return SK_OK;
    return sk_fail(err, SK_EINVAL, "%s is a %s, not an object", what, json_word(v));
}

sk_err sk_strategic_diff(const struct sk_val *original, const struct sk_val *modified,
                         const struct sk_patch_schema *schema, struct sk_val **out,
                         struct sk_error **err)
{
    static const struct sk_val empty = {.type = SK_V_MAP};
    sk_err rc;
    if ((rc = need_map(err, original, "original")) || (rc = need_map(err, modified, "modified")))
        return rc;
    struct smp s = {.schema = schema, .err = err};
    rc = diff_maps(&s, original ? original : &empty, modified ? modified : &empty,
                   (struct dopt){.set_order = true}, false, out);
    free(s.path);
    return rc;
}

sk_err sk_strategic_three_way(const struct sk_val *original, const struct sk_val *modified,
                              const struct sk_val *current, const struct sk_patch_schema *schema,
                              struct sk_val **out, struct sk_error **err)
{
    static const struct sk_val empty = {.type = SK_V_MAP};
    sk_err rc;
    if ((rc = need_map(err, original, "original")) || (rc = need_map(err, modified, "modified")) ||
        (rc = need_map(err, current, "current")))
        return rc;
    const struct sk_val *o = original ? original : &empty, *m = modified ? modified : &empty;
    struct smp s = {.schema = schema, .err = err};
    struct sk_val *delta = NULL, *patch = NULL;
    /* what modified sets against current, plus what it dropped from
     * original; the deletions are merged with the (additive) delta as
     * patches, keeping their directives */
    rc = diff_maps(&s, current ? current : &empty, m,
                   (struct dopt){.set_order = true, .ignore_deletions = true}, false, &delta);
    if (!rc)
        rc = diff_maps(&s, o, m, (struct dopt){.set_order = true, .ignore_changes = true}, false,
                       &patch);
    if (!rc) rc = merge_map(&s, &patch, delta, false);
    free(s.path);
    sk_val_free(delta);
    if (rc) {
        sk_val_free(patch);
        return rc;
    }
    *out = patch;
    return SK_OK;
}
