/* The pieces every kind's defaulting and validation share: field paths and
 * causes worded like Kubernetes' field.Error, Go's renderings of values in
 * those messages, and apimachinery's name, key, port and address checks
 * with their exact texts. */
#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quantity.h"
#include "schema_int.h"
#include "selector.h"

bool sk_str_in(const char *s, const char *const *list)
{
    for (; s && list && *list; list++)
        if (!strcmp(s, *list)) return true;
    return false;
}

/* ---- defaulting ---- */

static bool unset(const struct sk_val *v)
{
    return !v || v->type == SK_V_NULL;
}

struct sk_val *sk_dmap(struct sk_val *m, const char *k)
{
    if (!m || m->type != SK_V_MAP) return NULL;
    struct sk_val *v = sk_map_get(m, k);
    if (unset(v)) return sk_map_set(m, k, sk_val_map());
    return v->type == SK_V_MAP ? v : NULL;
}

void sk_dstr(struct sk_val *m, const char *k, const char *s)
{
    if (m && m->type == SK_V_MAP && unset(sk_map_get(m, k))) sk_map_set(m, k, sk_val_str(s));
}

void sk_dint(struct sk_val *m, const char *k, int64_t i)
{
    if (m && m->type == SK_V_MAP && unset(sk_map_get(m, k))) sk_map_set(m, k, sk_val_int(i));
}

void sk_dbool(struct sk_val *m, const char *k, bool b)
{
    if (m && m->type == SK_V_MAP && unset(sk_map_get(m, k))) sk_map_set(m, k, sk_val_bool(b));
}

void sk_dstr0(struct sk_val *m, const char *k, const char *s)
{
    if (!m || m->type != SK_V_MAP) return;
    const struct sk_val *v = sk_map_get(m, k);
    if (unset(v) || (v->type == SK_V_STR && v->u.s.len == 0)) sk_map_set(m, k, sk_val_str(s));
}

void sk_dint0(struct sk_val *m, const char *k, int64_t i)
{
    if (!m || m->type != SK_V_MAP) return;
    const struct sk_val *v = sk_map_get(m, k);
    if (unset(v) || (v->type == SK_V_INT && v->u.i == 0)) sk_map_set(m, k, sk_val_int(i));
}

/* ---- causes ---- */

void sk_causes_add(struct sk_causes *c, const char *field, const char *reason, const char *fmt, ...)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 8;
        c->v = sk_xrealloc(c->v, c->cap * sizeof(*c->v));
    }
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, ap) < 0) abort();
    va_end(ap);
    c->v[c->n].field = sk_xstrdup(field ? field : "");
    c->v[c->n].reason = sk_xstrdup(reason);
    c->v[c->n].message = msg;
    c->n++;
}

void sk_causes_free(struct sk_causes *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].field);
        free(c->v[i].reason);
        free(c->v[i].message);
    }
    free(c->v);
    c->v = NULL;
    c->n = c->cap = 0;
}

char *sk_causes_string(const struct sk_causes *c)
{
    struct sk_buf b = {0};
    size_t shown = 0;
    for (size_t i = 0; c && i < c->n; i++) {
        /* ToAggregate drops messages it has already seen. */
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++)
            seen = !strcmp(c->v[i].field, c->v[j].field) &&
                   !strcmp(c->v[i].message, c->v[j].message);
        if (seen) continue;
        if (shown++) sk_buf_puts(&b, ", ");
        sk_buf_printf(&b, "%s: %s", c->v[i].field, c->v[i].message);
    }
    char *one = sk_buf_take(&b, NULL);
    if (shown <= 1) return one;
    char *many = sk_xasprintf("[%s]", one);
    free(one);
    return many;
}

/* ---- paths ---- */

void sk_vctx_init(struct sk_vctx *v, struct sk_causes *c)
{
    memset(v, 0, sizeof(*v));
    v->c = c;
    v->cap = 128;
    v->path = sk_xmalloc(v->cap);
    v->path[0] = 0;
}

void sk_vctx_free(struct sk_vctx *v)
{
    free(v->path);
    v->path = NULL;
    v->len = v->cap = 0;
}

static void vappend(struct sk_vctx *v, const char *s, size_t n)
{
    if (v->len + n + 1 > v->cap) {
        while (v->len + n + 1 > v->cap)
            v->cap *= 2;
        v->path = sk_xrealloc(v->path, v->cap);
    }
    memcpy(v->path + v->len, s, n);
    v->len += n;
    v->path[v->len] = 0;
}

size_t sk_vpush(struct sk_vctx *v, const char *child)
{
    size_t mark = v->len;
    if (v->len) vappend(v, ".", 1);
    vappend(v, child, strlen(child));
    return mark;
}

size_t sk_vpushi(struct sk_vctx *v, size_t i)
{
    size_t mark = v->len;
    char b[32];
    int n = snprintf(b, sizeof(b), "[%zu]", i);
    vappend(v, b, (size_t)n);
    return mark;
}

size_t sk_vpushk(struct sk_vctx *v, const char *key)
{
    size_t mark = v->len;
    vappend(v, "[", 1);
    vappend(v, key, strlen(key));
    vappend(v, "]", 1);
    return mark;
}

void sk_vraw(struct sk_vctx *v, const char *s)
{
    vappend(v, s, strlen(s));
}

void sk_vpop(struct sk_vctx *v, size_t mark)
{
    v->len = mark;
    v->path[mark] = 0;
}

/* ---- reporting ---- */

static char *vfmt(const char *fmt, va_list ap)
{
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) abort();
    return s;
}

/* field.Error.ErrorBody(): the type's words, the value for the types that
 * show one, then ": detail" when there is a detail. */
static void report(struct sk_vctx *v, const char *child, const char *reason, const char *words,
                   const char *value, const char *detail)
{
    size_t mark = v->len;
    if (child && *child) sk_vpush(v, child);
    struct sk_buf b = {0};
    sk_buf_puts(&b, words);
    if (value) sk_buf_printf(&b, ": %s", value);
    if (detail && *detail) sk_buf_printf(&b, ": %s", detail);
    char *msg = sk_buf_take(&b, NULL);
    sk_causes_add(v->c, v->path, reason, "%s", msg);
    free(msg);
    sk_vpop(v, mark);
}

void sk_vrequired(struct sk_vctx *v, const char *child, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *d = vfmt(fmt, ap);
    va_end(ap);
    report(v, child, SK_REASON_REQUIRED, "Required value", NULL, d);
    free(d);
}

void sk_vinvalid(struct sk_vctx *v, const char *child, const char *value, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *d = vfmt(fmt, ap);
    va_end(ap);
    report(v, child, SK_REASON_INVALID, "Invalid value", value, d);
    free(d);
}

void sk_vinvalid_str(struct sk_vctx *v, const char *child, const char *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *d = vfmt(fmt, ap);
    va_end(ap);
    _sk_cleanup_free_ char *q = sk_gofmt_str(s ? s : "");
    report(v, child, SK_REASON_INVALID, "Invalid value", q, d);
    free(d);
}

void sk_vinvalid_int(struct sk_vctx *v, const char *child, int64_t i, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *d = vfmt(fmt, ap);
    va_end(ap);
    char num[32];
    snprintf(num, sizeof(num), "%" PRId64, i);
    report(v, child, SK_REASON_INVALID, "Invalid value", num, d);
    free(d);
}

void sk_vnotsupported(struct sk_vctx *v, const char *child, const char *value,
                      const char *const *supported)
{
    struct sk_buf b = {0};
    for (size_t i = 0; supported && supported[i]; i++) {
        if (i == 0)
            sk_buf_puts(&b, "supported values: ");
        else
            sk_buf_puts(&b, ", ");
        _sk_cleanup_free_ char *q = sk_gofmt_str(supported[i]);
        sk_buf_puts(&b, q);
    }
    char *d = sk_buf_take(&b, NULL);
    report(v, child, SK_REASON_NOT_SUPPORTED, "Unsupported value", value, d);
    free(d);
}

void sk_vnotsupported_str(struct sk_vctx *v, const char *child, const char *s,
                          const char *const *supported)
{
    _sk_cleanup_free_ char *q = sk_gofmt_str(s ? s : "");
    sk_vnotsupported(v, child, q, supported);
}

void sk_vduplicate(struct sk_vctx *v, const char *child, const char *value)
{
    report(v, child, SK_REASON_DUPLICATE, "Duplicate value", value, NULL);
}

void sk_vduplicate_str(struct sk_vctx *v, const char *child, const char *s)
{
    _sk_cleanup_free_ char *q = sk_gofmt_str(s ? s : "");
    report(v, child, SK_REASON_DUPLICATE, "Duplicate value", q, NULL);
}

void sk_vforbidden(struct sk_vctx *v, const char *child, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *d = vfmt(fmt, ap);
    va_end(ap);
    report(v, child, SK_REASON_FORBIDDEN, "Forbidden", NULL, d);
    free(d);
}

void sk_vtoolong(struct sk_vctx *v, const char *child, long max)
{
    char d[64];
    snprintf(d, sizeof(d), "may not be more than %ld bytes", max);
    report(v, child, SK_REASON_TOO_LONG, "Too long", NULL, d);
}

void sk_vnotfound_str(struct sk_vctx *v, const char *child, const char *s)
{
    _sk_cleanup_free_ char *q = sk_gofmt_str(s ? s : "");
    report(v, child, SK_REASON_NOT_FOUND, "Not found", q, NULL);
}

void sk_vmsgs(struct sk_vctx *v, const char *child, const char *s, sk_msgs_fn *fn)
{
    const char *msgs[SK_MAXMSGS];
    size_t n = fn(s ? s : "", msgs);
    for (size_t i = 0; i < n; i++)
        sk_vinvalid_str(v, child, s, "%s", msgs[i]);
}

void sk_vqualified(struct sk_vctx *v, const char *child, const char *s)
{
    sk_vmsgs(v, child, s, sk_qualified_name_msgs);
}

void sk_vnonneg(struct sk_vctx *v, const struct sk_val *m, const char *k)
{
    int64_t i;
    if (sk_geti(m, k, &i) && i < 0) sk_vinvalid_int(v, k, i, "must be greater than or equal to 0");
}

/* Kubernetes' semantic equality: nil and empty maps and slices are equal,
 * and a map entry holding null is the same as no entry. */
static bool empty_val(const struct sk_val *v)
{
    return !v || v->type == SK_V_NULL || (v->type == SK_V_MAP && v->u.m.n == 0) ||
           (v->type == SK_V_ARR && v->u.a.n == 0);
}

bool sk_sem_equal(const struct sk_val *a, const struct sk_val *b)
{
    if (empty_val(a) || empty_val(b)) return empty_val(a) && empty_val(b);
    if (a->type != b->type) return false;
    if (a->type == SK_V_MAP) {
        for (size_t i = 0; i < a->u.m.n; i++)
            if (!sk_sem_equal(a->u.m.kv[i].val, sk_map_get(b, a->u.m.kv[i].key))) return false;
        for (size_t i = 0; i < b->u.m.n; i++)
            if (!sk_map_get(a, b->u.m.kv[i].key) && !empty_val(b->u.m.kv[i].val)) return false;
        return true;
    }
    if (a->type == SK_V_ARR) {
        if (a->u.a.n != b->u.a.n) return false;
        for (size_t i = 0; i < a->u.a.n; i++)
            if (!sk_sem_equal(a->u.a.items[i], b->u.a.items[i])) return false;
        return true;
    }
    return sk_val_equal(a, b);
}

void sk_vimmutable(struct sk_vctx *v, const struct sk_val *nm, const struct sk_val *om,
                   const char *k)
{
    const struct sk_val *a = sk_map_get(nm, k), *b = sk_map_get(om, k);
    if (sk_sem_equal(a, b)) return;
    _sk_cleanup_free_ char *val = sk_gofmt_val(a);
    sk_vinvalid(v, k, val, "field is immutable");
}

static void cause_cb(void *ctx, const char *field, const char *reason, const char *message)
{
    struct sk_vctx *v = ctx;
    sk_causes_add(v->c, field, reason, "%s", message);
}

void sk_vlabels(struct sk_vctx *v, const char *child, const struct sk_val *labels)
{
    size_t mark = v->len;
    if (child && *child) sk_vpush(v, child);
    sk_labels_validate(labels, v->path, cause_cb, v);
    sk_vpop(v, mark);
}

void sk_vlabelsel(struct sk_vctx *v, const char *child, const struct sk_val *sel)
{
    size_t mark = v->len;
    if (child && *child) sk_vpush(v, child);
    sk_labelsel_validate(sel, v->path, cause_cb, v);
    sk_vpop(v, mark);
}

#define TOTAL_ANNOTATION_SIZE_LIMIT (256 * 1024)

void sk_vannotations(struct sk_vctx *v, const char *child, const struct sk_val *ann)
{
    if (!ann || ann->type != SK_V_MAP) return;
    size_t total = 0;
    for (size_t i = 0; i < ann->u.m.n; i++) {
        const struct sk_kv *kv = &ann->u.m.kv[i];
        /* Keys are checked lower-cased; the message shows the key as given. */
        char *lower = sk_xstrdup(kv->key);
        for (char *p = lower; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        const char *msgs[SK_MAXMSGS];
        size_t n = sk_qualified_name_msgs(lower, msgs);
        for (size_t j = 0; j < n; j++)
            sk_vinvalid_str(v, child, kv->key, "%s", msgs[j]);
        free(lower);
        total += kv->klen;
        if (kv->val && kv->val->type == SK_V_STR) total += kv->val->u.s.len;
    }
    if (total > TOTAL_ANNOTATION_SIZE_LIMIT) sk_vtoolong(v, child, TOTAL_ANNOTATION_SIZE_LIMIT);
}

/* ---- Go renderings ---- */

char *sk_gofmt_str(const char *s)
{
    return sk_go_quote(s, strlen(s));
}

static void fmt_float(struct sk_buf *b, double d)
{
    char tmp[40];
    size_t n = sk_fmt_double(d, tmp);
    /* Go's %v has no ".0" on integral floats. */
    if (n > 2 && tmp[n - 2] == '.' && tmp[n - 1] == '0') n -= 2;
    sk_buf_append(b, tmp, n);
}

static void gofmt_json(struct sk_buf *b, const struct sk_val *v)
{
    switch (v->type) {
    case SK_V_NULL: sk_buf_puts(b, "null"); break;
    case SK_V_BOOL: sk_buf_puts(b, v->u.b ? "true" : "false"); break;
    case SK_V_INT: sk_buf_printf(b, "%" PRId64, v->u.i); break;
    case SK_V_FLOAT: fmt_float(b, v->u.f); break;
    case SK_V_STR: {
        _sk_cleanup_free_ char *q = sk_go_quote(v->u.s.p, v->u.s.len);
        sk_buf_puts(b, q);
        break;
    }
    case SK_V_ARR:
        sk_buf_putc(b, '[');
        for (size_t i = 0; i < v->u.a.n; i++) {
            if (i) sk_buf_putc(b, ',');
            gofmt_json(b, v->u.a.items[i]);
        }
        sk_buf_putc(b, ']');
        break;
    case SK_V_MAP:
        sk_buf_putc(b, '{');
        for (size_t i = 0; i < v->u.m.n; i++) {
            if (i) sk_buf_putc(b, ',');
            _sk_cleanup_free_ char *q = sk_go_quote(v->u.m.kv[i].key, v->u.m.kv[i].klen);
            sk_buf_puts(b, q);
            sk_buf_putc(b, ':');
            gofmt_json(b, v->u.m.kv[i].val);
        }
        sk_buf_putc(b, '}');
        break;
    }
}

char *sk_gofmt_val(const struct sk_val *v)
{
    struct sk_buf b = {0};
    if (!v)
        sk_buf_puts(&b, "null");
    else
        gofmt_json(&b, v);
    return sk_buf_take(&b, NULL);
}

static int kv_cmp(const void *a, const void *b)
{
    const struct sk_kv *x = *(const struct sk_kv *const *)a, *y = *(const struct sk_kv *const *)b;
    return strcmp(x->key, y->key);
}

/* fmt prints maps with their keys sorted. */
static void strmap_body(struct sk_buf *b, const struct sk_val *m)
{
    if (!m || m->type != SK_V_MAP) {
        sk_buf_puts(b, "map[string]string(nil)");
        return;
    }
    const struct sk_kv **kvs = sk_xcalloc(m->u.m.n + 1, sizeof(*kvs));
    for (size_t i = 0; i < m->u.m.n; i++)
        kvs[i] = &m->u.m.kv[i];
    qsort(kvs, m->u.m.n, sizeof(*kvs), kv_cmp);
    sk_buf_puts(b, "map[string]string{");
    for (size_t i = 0; i < m->u.m.n; i++) {
        if (i) sk_buf_puts(b, ", ");
        _sk_cleanup_free_ char *k = sk_go_quote(kvs[i]->key, kvs[i]->klen);
        const char *s = sk_val_cstr(kvs[i]->val);
        _sk_cleanup_free_ char *val = sk_gofmt_str(s ? s : "");
        sk_buf_printf(b, "%s:%s", k, val);
    }
    sk_buf_putc(b, '}');
    free(kvs);
}

char *sk_gofmt_strmap(const struct sk_val *m)
{
    struct sk_buf b = {0};
    strmap_body(&b, m);
    return sk_buf_take(&b, NULL);
}

static void strlist_body(struct sk_buf *b, const struct sk_val *a)
{
    if (!a || a->type != SK_V_ARR) {
        sk_buf_puts(b, "[]string(nil)");
        return;
    }
    sk_buf_puts(b, "[]string{");
    for (size_t i = 0; i < a->u.a.n; i++) {
        if (i) sk_buf_puts(b, ", ");
        const char *s = sk_val_cstr(a->u.a.items[i]);
        _sk_cleanup_free_ char *q = sk_gofmt_str(s ? s : "");
        sk_buf_puts(b, q);
    }
    sk_buf_putc(b, '}');
}

char *sk_gofmt_strlist(const struct sk_val *a)
{
    struct sk_buf b = {0};
    strlist_body(&b, a);
    return sk_buf_take(&b, NULL);
}

char *sk_gofmt_selector(const struct sk_val *s)
{
    if (!s || s->type != SK_V_MAP) return sk_xstrdup("null");
    struct sk_buf b = {0};
    sk_buf_puts(&b, "v1.LabelSelector{MatchLabels:");
    strmap_body(&b, sk_getm(s, "matchLabels"));
    sk_buf_puts(&b, ", MatchExpressions:");
    const struct sk_val *me = sk_geta(s, "matchExpressions");
    if (!me) {
        sk_buf_puts(&b, "[]v1.LabelSelectorRequirement(nil)");
    } else {
        sk_buf_puts(&b, "[]v1.LabelSelectorRequirement{");
        for (size_t i = 0; i < me->u.a.n; i++) {
            const struct sk_val *r = me->u.a.items[i];
            if (i) sk_buf_puts(&b, ", ");
            _sk_cleanup_free_ char *k = sk_gofmt_str(sk_gets0(r, "key"));
            _sk_cleanup_free_ char *op = sk_gofmt_str(sk_gets0(r, "operator"));
            sk_buf_printf(&b, "v1.LabelSelectorRequirement{Key:%s, Operator:%s, Values:", k, op);
            strlist_body(&b, sk_geta(r, "values"));
            sk_buf_putc(&b, '}');
        }
        sk_buf_putc(&b, '}');
    }
    sk_buf_putc(&b, '}');
    return sk_buf_take(&b, NULL);
}

char *sk_gofmt_intstr(const struct sk_val *v)
{
    const char *s = sk_val_cstr(v);
    _sk_cleanup_free_ char *q = sk_gofmt_str(s ? s : "");
    if (s) return sk_xasprintf("intstr.IntOrString{Type:1, IntVal:0, StrVal:%s}", q);
    int64_t i = v && v->type == SK_V_INT ? v->u.i : 0;
    return sk_xasprintf("intstr.IntOrString{Type:0, IntVal:%" PRId64 ", StrVal:\"\"}", i);
}

/* ---- names and keys (apimachinery util/validation) ---- */

#define MSG_LABEL_RE                                                                               \
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "       \
    "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "       \
    "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
#define MSG_SUBDOMAIN_RE                                                                           \
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "      \
    "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "          \
    "regex used for validation is "                                                                \
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define MSG_DNS1035_RE                                                                             \
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "      \
    "an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "        \
    "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
#define MSG_WILDCARD_RE                                                                            \
    "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, "      \
    "which must consist of lower case alphanumeric characters, '-' or '.' and end with an "        \
    "alphanumeric character (e.g. '*.example.com', regex used for validation is "                  \
    "'\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"

static bool lower_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* [a-z0-9]([-a-z0-9]*[a-z0-9])? over s[0..n). */
static bool label_ok(const char *s, size_t n)
{
    if (n == 0 || !lower_alnum(s[0]) || !lower_alnum(s[n - 1])) return false;
    for (size_t i = 0; i < n; i++)
        if (!lower_alnum(s[i]) && s[i] != '-') return false;
    return true;
}

static bool subdomain_ok(const char *s, size_t n)
{
    if (n == 0) return false;
    for (size_t start = 0; start <= n;) {
        const char *dot = memchr(s + start, '.', n - start);
        size_t end = dot ? (size_t)(dot - s) : n;
        if (!label_ok(s + start, end - start)) return false;
        start = end + 1;
        if (!dot) break;
    }
    return true;
}

size_t sk_dns1123_label_msgs(const char *s, const char *msgs[2])
{
    size_t k = 0, n = strlen(s);
    if (n > 63) msgs[k++] = "must be no more than 63 characters";
    if (!label_ok(s, n)) msgs[k++] = subdomain_ok(s, n) ? "must not contain dots" : MSG_LABEL_RE;
    return k;
}

size_t sk_dns1123_subdomain_msgs(const char *s, const char *msgs[2])
{
    size_t k = 0, n = strlen(s);
    if (n > 253) msgs[k++] = "must be no more than 253 characters";
    if (!subdomain_ok(s, n)) msgs[k++] = MSG_SUBDOMAIN_RE;
    return k;
}

size_t sk_dns1035_label_msgs(const char *s, const char *msgs[2])
{
    size_t k = 0, n = strlen(s);
    if (n > 63) msgs[k++] = "must be no more than 63 characters";
    if (!label_ok(s, n) || !(s[0] >= 'a' && s[0] <= 'z')) msgs[k++] = MSG_DNS1035_RE;
    return k;
}

bool sk_is_dns1123_label(const char *s)
{
    const char *m[2];
    return s && sk_dns1123_label_msgs(s, m) == 0;
}

bool sk_is_dns1123_subdomain(const char *s)
{
    const char *m[2];
    return s && sk_dns1123_subdomain_msgs(s, m) == 0;
}

size_t sk_wildcard_subdomain_msgs(const char *s, const char *msgs[SK_MAXMSGS])
{
    size_t k = 0, n = strlen(s);
    if (n > 253) msgs[k++] = "must be no more than 253 characters";
    if (n < 3 || s[0] != '*' || s[1] != '.' || !subdomain_ok(s + 2, n - 2))
        msgs[k++] = MSG_WILDCARD_RE;
    return k;
}

size_t sk_name_msgs(enum sk_name_rule rule, const char *s, bool prefix,
                    const char *msgs[SK_MAXMSGS])
{
    /* generateName may end in '-': maskTrailingDash turns it into an 'a'. */
    char *masked = NULL;
    size_t n = strlen(s);
    if (prefix && n > 1 && s[n - 1] == '-') {
        masked = sk_xstrdup(s);
        masked[n - 2] = 'a';
        masked[n - 1] = 0;
        s = masked;
    }
    size_t k;
    switch (rule) {
    case SK_NAME_LABEL: k = sk_dns1123_label_msgs(s, msgs); break;
    case SK_NAME_DNS1035: k = sk_dns1035_label_msgs(s, msgs); break;
    default: k = sk_dns1123_subdomain_msgs(s, msgs); break;
    }
    free(masked);
    return k;
}

size_t sk_qualified_name_msgs(const char *s, const char *msgs[SK_MAXMSGS])
{
    return sk_label_key_errors(s, msgs);
}

size_t sk_label_value_msgs(const char *s, const char *msgs[SK_MAXMSGS])
{
    return sk_label_value_errors(s, msgs);
}

static size_t chdir_prefix(const char *s, const char *msgs[], size_t k)
{
    if (!strcmp(s, "."))
        msgs[k++] = "must not be '.'";
    else if (!strcmp(s, ".."))
        msgs[k++] = "must not be '..'";
    else if (!strncmp(s, "..", 2))
        msgs[k++] = "must not start with '..'";
    return k;
}

size_t sk_config_key_msgs(const char *s, const char *msgs[SK_MAXMSGS])
{
    size_t k = 0, n = strlen(s);
    if (n > 253) msgs[k++] = "must be no more than 253 characters";
    bool ok = n > 0;
    for (size_t i = 0; i < n && ok; i++)
        ok = isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '.' || s[i] == '_';
    if (!ok)
        msgs[k++] = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
                    "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation "
                    "is '[-._a-zA-Z0-9]+')";
    return chdir_prefix(s, msgs, k);
}

/* Kubernetes 1.32 checks environment variable names the relaxed way
 * (RelaxedEnvironmentVariableValidation is on by default). */
size_t sk_env_var_name_msgs(const char *s, const char *msgs[SK_MAXMSGS])
{
    size_t k = 0;
    if (!*s) msgs[k++] = "environment variable name must be non-empty";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p >= 0x7f || *p == '=') {
            msgs[k++] = "a valid environment variable name must consist only of printable ASCII "
                        "characters other than '='";
            break;
        }
    }
    return k;
}

size_t sk_port_name_msgs(const char *s, const char *msgs[SK_MAXMSGS])
{
    size_t k = 0, n = strlen(s);
    bool charset = n > 0, letter = false;
    for (size_t i = 0; i < n; i++) {
        if (!lower_alnum(s[i]) && s[i] != '-') charset = false;
        if (s[i] >= 'a' && s[i] <= 'z') letter = true;
    }
    if (n > 15) msgs[k++] = "must be no more than 15 characters";
    if (!charset)
        msgs[k++] = "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)";
    if (!letter) msgs[k++] = "must contain at least one letter (a-z)";
    if (strstr(s, "--")) msgs[k++] = "must not contain consecutive hyphens";
    if (n > 0 && (s[0] == '-' || s[n - 1] == '-'))
        msgs[k++] = "must not begin or end with a hyphen";
    return k;
}

size_t sk_percent_msgs(const char *s, const char *msgs[SK_MAXMSGS])
{
    size_t n = strlen(s), i = 0;
    while (i < n && isdigit((unsigned char)s[i]))
        i++;
    if (i > 0 && i == n - 1 && s[i] == '%') return 0;
    msgs[0] = "a valid percent string must be a numeric string followed by an ending '%' (e.g. "
              "'1%',  or '93%', regex used for validation is '[0-9]+%')";
    return 1;
}

size_t sk_http_header_name_msgs(const char *s, const char *msgs[SK_MAXMSGS])
{
    bool ok = *s != 0;
    for (const char *p = s; *p && ok; p++)
        ok = isalnum((unsigned char)*p) || *p == '-';
    if (ok) return 0;
    msgs[0] = "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. "
              "'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')";
    return 1;
}

size_t sk_path_segment_msgs(const char *s, const char *msgs[SK_MAXMSGS])
{
    if (!strcmp(s, ".")) {
        msgs[0] = "may not be '.'";
        return 1;
    }
    if (!strcmp(s, "..")) {
        msgs[0] = "may not be '..'";
        return 1;
    }
    size_t k = 0;
    if (strchr(s, '/')) msgs[k++] = "may not contain '/'";
    if (strchr(s, '%')) msgs[k++] = "may not contain '%'";
    return k;
}

/* ---- addresses ---- */

/* net.ParseIP accepts IPv4 octets with leading zeros ("010.1.1.1") under
 * ParseIPSloppy, which inet_pton refuses. */
static bool ipv4_sloppy(const char *s, uint8_t out[4])
{
    for (int i = 0; i < 4; i++) {
        if (!isdigit((unsigned char)*s)) return false;
        unsigned v = 0;
        int digits = 0;
        while (isdigit((unsigned char)*s)) {
            v = v * 10 + (unsigned)(*s++ - '0');
            if (++digits > 3 || v > 255) return false;
        }
        out[i] = (uint8_t)v;
        if (i < 3 && *s++ != '.') return false;
    }
    return *s == 0;
}

bool sk_is_ipv6(const char *s)
{
    unsigned char buf[16];
    return s && strchr(s, ':') && inet_pton(AF_INET6, s, buf) == 1;
}

bool sk_valid_ip(const char *s)
{
    uint8_t b4[4];
    return s && (ipv4_sloppy(s, b4) || sk_is_ipv6(s));
}

bool sk_valid_cidr(const char *s)
{
    if (!s) return false;
    const char *slash = strchr(s, '/');
    if (!slash || !slash[1]) return false;
    char *ip = sk_xstrndup(s, (size_t)(slash - s));
    bool v6 = sk_is_ipv6(ip);
    uint8_t b4[4];
    bool ok = v6 || ipv4_sloppy(ip, b4);
    free(ip);
    if (!ok) return false;
    int bits = 0, digits = 0;
    for (const char *p = slash + 1; *p; p++) {
        if (!isdigit((unsigned char)*p) || ++digits > 3) return false;
        bits = bits * 10 + (*p - '0');
    }
    return bits <= (v6 ? 128 : 32);
}

void sk_vip(struct sk_vctx *v, const char *child, const char *ip)
{
    if (!sk_valid_ip(ip))
        sk_vinvalid_str(v, child, ip,
                        "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
}

void sk_vnon_special_ip(struct sk_vctx *v, const char *child, const char *ip)
{
    uint8_t b4[4];
    unsigned char b6[16];
    if (ipv4_sloppy(ip, b4)) {
        if (!b4[0] && !b4[1] && !b4[2] && !b4[3])
            sk_vinvalid_str(v, child, ip, "may not be unspecified (%s)", ip);
        if (b4[0] == 127)
            sk_vinvalid_str(v, child, ip,
                            "may not be in the loopback range (127.0.0.0/8, ::1/128)");
        if (b4[0] == 169 && b4[1] == 254)
            sk_vinvalid_str(v, child, ip,
                            "may not be in the link-local range (169.254.0.0/16, fe80::/10)");
        if (b4[0] == 224 && b4[1] == 0 && b4[2] == 0)
            sk_vinvalid_str(
                    v, child, ip,
                    "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)");
        return;
    }
    if (!sk_is_ipv6(ip) || inet_pton(AF_INET6, ip, b6) != 1) {
        sk_vinvalid_str(v, child, ip, "must be a valid IP address");
        return;
    }
    static const unsigned char zero[16], loop[16] = {[15] = 1};
    if (!memcmp(b6, zero, 16)) sk_vinvalid_str(v, child, ip, "may not be unspecified (%s)", ip);
    if (!memcmp(b6, loop, 16))
        sk_vinvalid_str(v, child, ip, "may not be in the loopback range (127.0.0.0/8, ::1/128)");
    if (b6[0] == 0xfe && (b6[1] & 0xc0) == 0x80)
        sk_vinvalid_str(v, child, ip,
                        "may not be in the link-local range (169.254.0.0/16, fe80::/10)");
    if (b6[0] == 0xff && (b6[1] & 0x0f) == 0x02)
        sk_vinvalid_str(v, child, ip,
                        "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)");
}

const char *sk_port_num_msg(int64_t p)
{
    return p >= 1 && p <= 65535 ? NULL : "must be between 1 and 65535, inclusive";
}

void sk_vport_num_or_name(struct sk_vctx *v, const char *child, const struct sk_val *port)
{
    if (port && port->type == SK_V_STR) {
        sk_vmsgs(v, child, port->u.s.p, sk_port_name_msgs);
        return;
    }
    int64_t p = port && port->type == SK_V_INT ? port->u.i : 0;
    const char *m = sk_port_num_msg(p);
    if (m) sk_vinvalid_int(v, child, p, "%s", m);
}

/* ---- paths inside volumes ---- */

void sk_vno_backsteps(struct sk_vctx *v, const char *child, const char *p)
{
    for (const char *s = p; s;) {
        const char *slash = strchr(s, '/');
        size_t n = slash ? (size_t)(slash - s) : strlen(s);
        if (n == 2 && s[0] == '.' && s[1] == '.') {
            sk_vinvalid_str(v, child, p, "must not contain '..'");
            return;
        }
        s = slash ? slash + 1 : NULL;
    }
}

void sk_vlocal_descending_path(struct sk_vctx *v, const char *child, const char *p)
{
    if (p[0] == '/') sk_vinvalid_str(v, child, p, "must be a relative path");
    sk_vno_backsteps(v, child, p);
}

void sk_vlocal_nonreserved_path(struct sk_vctx *v, const char *child, const char *p)
{
    sk_vlocal_descending_path(v, child, p);
    if (!strncmp(p, "..", 2) && strncmp(p, "../", 3))
        sk_vinvalid_str(v, child, p, "must not start with '..'");
}

/* ---- selectors ---- */

bool sk_selector_matches(const struct sk_val *selector, const struct sk_val *labels)
{
    struct sk_labelsel *sel = NULL;
    if (sk_labelsel_from_val(selector, &sel, NULL) != SK_OK) return false;
    bool ok = sk_labelsel_matches(sel, labels);
    sk_labelsel_free(sel);
    return ok;
}

bool sk_map_selector_matches(const struct sk_val *selector, const struct sk_val *labels)
{
    struct sk_labelsel *sel = sk_labelsel_from_set(selector);
    bool ok = sk_labelsel_matches(sel, labels);
    sk_labelsel_free(sel);
    return ok;
}
