/* YAML codec. Reading walks libyaml's events and resolves plain scalars
 * with go-yaml v2's rules, since that is what kubectl feeds the API server;
 * writing reproduces `kubectl get -o yaml` layout and quotes a string only
 * when reading it back plain would change it. */
#include "yaml.h"
#include "mem.h"

#include <yaml.h> /* libyaml: core/ is only on the quote path */

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EXPANSION 1000000

/* ---- plain scalar resolution (go-yaml v2 resolve.go rules) ---- */

/* R_EMPTY_MAP and R_EMPTY_SEQ only come from an explicit !!map or !!seq
 * on an empty scalar. */
enum rkind { R_STR, R_NULL, R_BOOL, R_INT, R_UINT, R_FLOAT, R_MERGE, R_EMPTY_MAP, R_EMPTY_SEQ };

struct rval {
    bool b;
    int64_t i;
    uint64_t u;
    double f;
};

static const char *const true_words[] = {"y",    "Y",    "yes", "Yes", "YES", "true",
                                         "True", "TRUE", "on",  "On",  "ON",  NULL};
static const char *const false_words[] = {"n",     "N",     "no",  "No",  "NO",  "false",
                                          "False", "FALSE", "off", "Off", "OFF", NULL};
static const char *const null_words[] = {"~", "null", "Null", "NULL", NULL};
static const char *const nan_words[] = {".nan", ".NaN", ".NAN", NULL};
static const char *const inf_words[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", NULL};
static const char *const ninf_words[] = {"-.inf", "-.Inf", "-.INF", NULL};

static bool in_words(const char *const *w, const char *s, size_t n)
{
    for (; *w; w++)
        if ((*w)[0] == s[0] && strlen(*w) == n && !memcmp(*w, s, n)) return true;
    return false;
}

/* strchr() would also match the terminator when c is NUL, which quoted
 * scalars and strings built in C may contain. */
static bool in_set(const char *set, char c)
{
    return c && strchr(set, c);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int digit_val(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return 99;
}

/* strconv.ParseInt(s, 0, 64), falling back to ParseUint for unsigned text
 * beyond int64, on text whose underscores are already gone. */
static enum rkind go_parse_int(const char *s, size_t n, struct rval *r)
{
    size_t i = 0;
    bool neg = false, sign = false;
    if (n && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        sign = true;
        i = 1;
    }
    if (i == n) return R_STR;
    unsigned base = 10;
    if (s[i] == '0' && n - i >= 3 && in_set("xXbBoO", s[i + 1])) {
        char p = (char)(s[i + 1] | 0x20);
        base = p == 'x' ? 16 : p == 'b' ? 2 : 8;
        i += 2;
    } else if (s[i] == '0' && n - i >= 2) {
        base = 8;
        i += 1;
    }
    if (i == n) return R_STR;
    uint64_t u = 0;
    for (; i < n; i++) {
        int d = digit_val(s[i]);
        if (d >= (int)base) return R_STR;
        if (u > (UINT64_MAX - (uint64_t)d) / base) return R_STR;
        u = u * base + (uint64_t)d;
    }
    if (neg) {
        if (u > (uint64_t)INT64_MAX + 1) return R_STR;
        r->i = u == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)u;
        return R_INT;
    }
    if (u <= (uint64_t)INT64_MAX) {
        r->i = (int64_t)u;
        return R_INT;
    }
    if (sign) return R_STR;
    r->u = u;
    return R_UINT;
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool yaml_style_float(const char *s, size_t n)
{
    size_t i = 0, d = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && is_digit(s[i]))
            i++, d++;
        if (!d) return false;
    } else {
        while (i < n && is_digit(s[i]))
            i++, d++;
        if (!d) return false;
        if (i < n && s[i] == '.') {
            i++;
            while (i < n && is_digit(s[i]))
                i++;
        }
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-')) i++;
        d = 0;
        while (i < n && is_digit(s[i]))
            i++, d++;
        if (!d) return false;
    }
    return i == n;
}

/* strtod on a copy that is known to be a well-formed decimal; overflow
 * to infinity is a failure, as strconv.ParseFloat reports it. */
static bool parse_double(const char *s, size_t n, double *out)
{
    char tmp[128];
    char *buf = n < sizeof(tmp) ? tmp : sk_xmalloc(n + 1);
    memcpy(buf, s, n);
    buf[n] = 0;
    double f = strtod(buf, NULL);
    if (buf != tmp) free(buf);
    if (isinf(f)) return false;
    *out = f;
    return true;
}

/* Floats that start with '.': Go's ParseFloat on the raw text, which
 * allows '_' only between two digits. */
static bool dot_float(const char *s, size_t n, double *out)
{
    char tmp[128] = {0}; /* zeroed only to quiet gcc -O2's maybe-uninitialized */
    char *buf = n < sizeof(tmp) ? tmp : sk_xmalloc(n + 1);
    size_t o = 0;
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '_') {
            if (!i || !is_digit(s[i - 1]) || i + 1 == n || !is_digit(s[i + 1])) ok = false;
            continue;
        }
        buf[o++] = s[i];
    }
    ok = ok && yaml_style_float(buf, o) && parse_double(buf, o, out);
    if (buf != tmp) free(buf);
    return ok;
}

static enum rkind resolve_plain(const char *s, size_t n, struct rval *r)
{
    if (n == 0) return R_NULL;
    char c = s[0];
    char hint = 0;
    if (c == '+' || c == '-')
        hint = 'S';
    else if (is_digit(c))
        hint = 'D';
    else if (in_set("yYnNtTfFoO~", c))
        hint = 'M';
    else if (c == '.')
        hint = '.';
    if (!hint) return n == 2 && s[0] == '<' && s[1] == '<' ? R_MERGE : R_STR;

    if (in_words(true_words, s, n) || in_words(false_words, s, n)) {
        r->b = in_words(true_words, s, n);
        return R_BOOL;
    }
    if (in_words(null_words, s, n)) return R_NULL;
    if (in_words(nan_words, s, n)) {
        r->f = NAN;
        return R_FLOAT;
    }
    if (in_words(inf_words, s, n) || in_words(ninf_words, s, n)) {
        r->f = in_words(inf_words, s, n) ? INFINITY : -INFINITY;
        return R_FLOAT;
    }
    if (hint == 'M') return R_STR;
    if (hint == '.') return dot_float(s, n, &r->f) ? R_FLOAT : R_STR;

    char tmp[128] = {0}; /* zeroed only to quiet gcc -O2's maybe-uninitialized */
    char *plain = n < sizeof(tmp) ? tmp : sk_xmalloc(n + 1);
    size_t pn = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != '_') plain[pn++] = s[i];
    enum rkind k = go_parse_int(plain, pn, r);
    if (k == R_STR && yaml_style_float(plain, pn) && parse_double(plain, pn, &r->f)) k = R_FLOAT;
    if (plain != tmp) free(plain);
    return k;
}

/* ---- errors ---- */

struct anchor_info {
    size_t count; /* nodes in the anchored tree */
    int height;   /* containers on its longest path */
};

struct yp {
    yaml_parser_t parser;
    yaml_event_t ev;
    bool have_ev;
    const char *fname;
    const char *text;
    size_t len;
    struct sk_error **err;
    size_t nodes, max_nodes;
    /* Anchor name -> a private copy of its tree (the tree's own node may
     * later be moved by a merge or freed as a key), indexed for aliases. */
    struct sk_val *anchors;
    struct sk_mapidx anchor_ix;
    struct anchor_info *info;
    size_t info_cap;
};

static sk_err yfail(struct yp *y, yaml_mark_t m, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static sk_err yfail(struct yp *y, yaml_mark_t m, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return sk_fail(y->err, SK_EINVAL, "%s%sline %zu, column %zu: %s", y->fname ? y->fname : "",
                   y->fname ? ": " : "", m.line + 1, m.column + 1, msg);
}

static sk_err parser_error(struct yp *y)
{
    yaml_parser_t *p = &y->parser;
    if (p->error == YAML_MEMORY_ERROR)
        return sk_fail(y->err, SK_ENOMEM, "%s%sout of memory parsing YAML",
                       y->fname ? y->fname : "", y->fname ? ": " : "");
    const char *problem = p->problem ? p->problem : "malformed YAML";
    if (p->error == YAML_READER_ERROR) {
        /* Reader errors carry a byte offset, not a mark. */
        yaml_mark_t m = {0, 0, 0};
        for (size_t i = 0; i < p->problem_offset && i < y->len; i++) {
            if (y->text[i] == '\n') {
                m.line++;
                m.column = 0;
            } else if (((unsigned char)y->text[i] & 0xc0) != 0x80) {
                m.column++;
            }
        }
        if (p->problem_value != -1)
            return yfail(y, m, "%s (byte 0x%02x)", problem, (unsigned)p->problem_value & 0xff);
        return yfail(y, m, "%s", problem);
    }
    if (p->context)
        return yfail(y, p->problem_mark, "%s (%s at line %zu, column %zu)", problem, p->context,
                     p->context_mark.line + 1, p->context_mark.column + 1);
    return yfail(y, p->problem_mark, "%s", problem);
}

static sk_err next_event(struct yp *y)
{
    if (y->have_ev) {
        yaml_event_delete(&y->ev);
        y->have_ev = false;
    }
    if (!yaml_parser_parse(&y->parser, &y->ev)) return parser_error(y);
    y->have_ev = true;
    return SK_OK;
}

/* ---- anchors ---- */

static void measure(const struct sk_val *v, size_t *count, int *height)
{
    *count += 1;
    int h = 0, ch;
    if (v->type == SK_V_ARR) {
        for (size_t i = 0; i < v->u.a.n; i++) {
            ch = 0;
            measure(v->u.a.items[i], count, &ch);
            if (ch > h) h = ch;
        }
        *height = h + 1;
    } else if (v->type == SK_V_MAP) {
        for (size_t i = 0; i < v->u.m.n; i++) {
            ch = 0;
            measure(v->u.m.kv[i].val, count, &ch);
            if (ch > h) h = ch;
        }
        *height = h + 1;
    } else {
        *height = 0;
    }
}

static sk_err count_nodes(struct yp *y, yaml_mark_t m, size_t n)
{
    y->nodes += n;
    if (y->nodes > y->max_nodes)
        return yfail(y, m, "document expands to more than %zu nodes (alias bomb?)", y->max_nodes);
    return SK_OK;
}

static sk_err anchor_set(struct yp *y, yaml_mark_t m, const char *name, const struct sk_val *v)
{
    struct anchor_info a = {0, 0};
    measure(v, &a.count, &a.height);
    sk_err rc = count_nodes(y, m, a.count);
    if (rc) return rc;
    size_t len = strlen(name);
    long i = sk_mapidx_find(&y->anchor_ix, y->anchors, name, len);
    if (i >= 0) {
        /* A later anchor of the same name hides the earlier one. */
        sk_val_free(y->anchors->u.m.kv[i].val);
        y->anchors->u.m.kv[i].val = sk_val_dup(v);
        y->info[i] = a;
        return SK_OK;
    }
    if (y->anchors->u.m.n == y->info_cap) {
        y->info_cap = y->info_cap ? y->info_cap * 2 : 8;
        y->info = sk_xrealloc(y->info, y->info_cap * sizeof(*y->info));
    }
    y->info[y->anchors->u.m.n] = a;
    sk_map_push(y->anchors, name, len, sk_val_dup(v));
    sk_mapidx_added(&y->anchor_ix, y->anchors);
    return SK_OK;
}

static void anchors_clear(struct yp *y)
{
    if (!y->anchors->u.m.n) return;
    sk_val_free(y->anchors);
    sk_mapidx_free(&y->anchor_ix);
    y->anchors = sk_val_map();
}

static sk_err alias(struct yp *y, int depth, struct sk_val **out)
{
    const char *name = (const char *)y->ev.data.alias.anchor;
    yaml_mark_t m = y->ev.start_mark;
    long i = sk_mapidx_find(&y->anchor_ix, y->anchors, name, strlen(name));
    if (i < 0) return yfail(y, m, "unknown anchor '%s' referenced", name);
    if (depth + y->info[i].height > SK_VAL_MAX_DEPTH)
        return yfail(y, m, "alias *%s nests deeper than %d levels", name, SK_VAL_MAX_DEPTH);
    sk_err rc = count_nodes(y, m, y->info[i].count);
    if (rc) return rc;
    *out = sk_val_dup(y->anchors->u.m.kv[i].val);
    return SK_OK;
}

/* ---- scalars ---- */

#define TAG_PREFIX "tag:yaml.org,2002:"

enum ytag { T_NONE, T_STR, T_INT, T_FLOAT, T_BOOL, T_NULL, T_MAP, T_SEQ, T_MERGE, T_OTHER };

static enum ytag tag_kind(const yaml_char_t *tag)
{
    if (!tag || !*tag) return T_NONE;
    const char *t = (const char *)tag;
    if (!strcmp(t, "!")) return T_STR;
    if (strncmp(t, TAG_PREFIX, strlen(TAG_PREFIX))) return T_OTHER;
    t += strlen(TAG_PREFIX);
    if (!strcmp(t, "str") || !strcmp(t, "binary") || !strcmp(t, "timestamp")) return T_STR;
    if (!strcmp(t, "int")) return T_INT;
    if (!strcmp(t, "float")) return T_FLOAT;
    if (!strcmp(t, "bool")) return T_BOOL;
    if (!strcmp(t, "null")) return T_NULL;
    if (!strcmp(t, "map")) return T_MAP;
    if (!strcmp(t, "seq")) return T_SEQ;
    if (!strcmp(t, "merge")) return T_MERGE;
    return T_OTHER;
}

static const char *rkind_tag(enum rkind k)
{
    switch (k) {
    case R_NULL: return "!!null";
    case R_BOOL: return "!!bool";
    case R_INT:
    case R_UINT: return "!!int";
    case R_FLOAT: return "!!float";
    case R_MERGE: return "!!merge";
    default: return "!!str";
    }
}

/* Resolve the current scalar event to a kind and value. R_STR means the
 * event's own text. */
static sk_err scalar_kind(struct yp *y, enum rkind *k, struct rval *r)
{
    yaml_event_t *e = &y->ev;
    const char *s = (const char *)e->data.scalar.value;
    size_t n = e->data.scalar.length;
    bool plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    enum ytag t = tag_kind(e->data.scalar.tag);
    memset(r, 0, sizeof(*r));
    if (t == T_NONE) {
        *k = plain ? resolve_plain(s, n, r) : R_STR;
        if (*k == R_MERGE) *k = R_STR;
        return SK_OK;
    }
    if (t == T_STR || t == T_OTHER || t == T_MERGE) {
        *k = R_STR;
        return SK_OK;
    }
    if (t == T_MAP || t == T_SEQ) {
        if (n || !plain)
            return yfail(y, e->start_mark, "cannot decode a scalar as a %s",
                         t == T_MAP ? "!!map" : "!!seq");
        *k = t == T_MAP ? R_EMPTY_MAP : R_EMPTY_SEQ;
        return SK_OK;
    }
    enum rkind got = resolve_plain(s, n, r);
    bool ok = false;
    const char *want = "";
    switch (t) {
    case T_INT:
        want = "int";
        ok = got == R_INT;
        if (got == R_UINT)
            return yfail(y, e->start_mark, "integer %.*s is beyond int64", (int)(n > 64 ? 64 : n),
                         s);
        break;
    case T_FLOAT:
        want = "float";
        if (got == R_INT) r->f = (double)r->i;
        if (got == R_UINT) r->f = (double)r->u;
        ok = got == R_INT || got == R_UINT || got == R_FLOAT;
        got = R_FLOAT;
        break;
    case T_BOOL:
        want = "bool";
        ok = got == R_BOOL;
        break;
    case T_NULL:
        want = "null";
        ok = got == R_NULL;
        break;
    default: break;
    }
    if (!ok) {
        enum rkind shown = resolve_plain(s, n, &(struct rval){0});
        return yfail(y, e->start_mark, "cannot decode %s `%.*s` as a !!%s", rkind_tag(shown),
                     (int)(n > 64 ? 64 : n), s, want);
    }
    *k = got;
    return SK_OK;
}

static struct sk_val *make_scalar(struct yp *y, enum rkind k, const struct rval *r)
{
    yaml_event_t *e = &y->ev;
    switch (k) {
    case R_NULL: return sk_val_null();
    case R_BOOL: return sk_val_bool(r->b);
    case R_INT: return sk_val_int(r->i);
    case R_UINT: return sk_val_float((double)r->u);
    case R_FLOAT: return sk_val_float(r->f);
    case R_EMPTY_MAP: return sk_val_map();
    case R_EMPTY_SEQ: return sk_val_arr();
    default: return sk_val_strn((const char *)e->data.scalar.value, e->data.scalar.length);
    }
}

/* ---- float keys: strconv.FormatFloat(f, 'g', -1, 32) as sigs.k8s.io/yaml
 * writes them ---- */

static void float32_key(double d, char *out, size_t outsz)
{
    float f = (float)d;
    if (isnan(f)) {
        snprintf(out, outsz, ".nan");
        return;
    }
    if (isinf(f)) {
        snprintf(out, outsz, f > 0 ? ".inf" : "-.inf");
        return;
    }
    char e[48];
    int p;
    for (p = 0; p < 9; p++) {
        snprintf(e, sizeof(e), "%.*e", p, (double)f);
        if (strtof(e, NULL) == f) break;
    }
    const char *x = strchr(e, 'e');
    int exp = x ? atoi(x + 1) : 0;
    /* Go switches to the exponent form outside [1e-4, 1e6) for the
     * shortest representation. */
    if (exp < -4 || exp >= 6)
        snprintf(out, outsz, "%s", e);
    else
        snprintf(out, outsz, "%.*f", p - exp > 0 ? p - exp : 0, (double)f);
}

/* ---- collections ---- */

static sk_err parse_node(struct yp *y, int depth, struct sk_val **out);

static sk_err parse_seq(struct yp *y, int depth, struct sk_val **out)
{
    yaml_event_t *e = &y->ev;
    yaml_mark_t start = e->start_mark;
    if (depth >= SK_VAL_MAX_DEPTH)
        return yfail(y, start, "nesting deeper than %d levels", SK_VAL_MAX_DEPTH);
    if (tag_kind(e->data.sequence_start.tag) == T_MAP)
        return yfail(y, start, "cannot decode a sequence as a !!map");
    sk_err rc = count_nodes(y, start, 1);
    if (rc) return rc;
    char *anchor = e->data.sequence_start.anchor
                           ? sk_xstrdup((const char *)e->data.sequence_start.anchor)
                           : NULL;
    struct sk_val *a = sk_val_arr();
    for (;;) {
        if ((rc = next_event(y))) break;
        if (y->ev.type == YAML_SEQUENCE_END_EVENT) break;
        struct sk_val *item;
        if ((rc = parse_node(y, depth + 1, &item))) break;
        sk_arr_push(a, item);
    }
    if (!rc && anchor) rc = anchor_set(y, start, anchor, a);
    free(anchor);
    if (rc) {
        sk_val_free(a);
        return rc;
    }
    *out = a;
    return SK_OK;
}

struct entry_info {
    bool merged; /* came from a << merge; an explicit key may replace it */
    size_t line;
};

struct mapb {
    struct sk_val *m;
    struct sk_mapidx ix;
    struct entry_info *info;
    size_t cap;
};

static void mapb_push(struct mapb *b, const char *key, size_t klen, struct sk_val *v, bool merged,
                      size_t line)
{
    if (b->m->u.m.n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 8;
        b->info = sk_xrealloc(b->info, b->cap * sizeof(*b->info));
    }
    b->info[b->m->u.m.n] = (struct entry_info){merged, line};
    sk_map_push(b->m, key, klen, v);
    sk_mapidx_added(&b->ix, b->m);
}

/* Entries of a merged map join unless the key is already there: explicit
 * keys win wherever they stand, and earlier merges win over later ones. */
static sk_err merge_from(struct yp *y, struct mapb *b, struct sk_val *src, yaml_mark_t m)
{
    if (src->type == SK_V_MAP) {
        for (size_t i = 0; i < src->u.m.n; i++) {
            struct sk_kv *kv = &src->u.m.kv[i];
            if (sk_mapidx_find(&b->ix, b->m, kv->key, kv->klen) >= 0) continue;
            mapb_push(b, kv->key, kv->klen, kv->val, true, m.line + 1);
            kv->val = NULL;
        }
        return SK_OK;
    }
    if (src->type == SK_V_ARR) {
        for (size_t i = 0; i < src->u.a.n; i++)
            if (src->u.a.items[i]->type != SK_V_MAP)
                return yfail(y, m, "map merge requires a mapping or a sequence of mappings");
        for (size_t i = 0; i < src->u.a.n; i++)
            merge_from(y, b, src->u.a.items[i], m);
        return SK_OK;
    }
    return yfail(y, m, "map merge requires a mapping or a sequence of mappings");
}

/* A key node: a scalar (or an alias to one) turned into the string that
 * sigs.k8s.io/yaml would use. Sets *merge for an untagged plain "<<". */
static sk_err parse_key(struct yp *y, int depth, bool *merge, char **key, size_t *klen)
{
    yaml_event_t *e = &y->ev;
    yaml_mark_t m = e->start_mark;
    char num[48];
    struct sk_val *v = NULL;
    enum rkind k;
    struct rval r;
    sk_err rc;
    *merge = false;

    if (e->type == YAML_SCALAR_EVENT) {
        const char *s = (const char *)e->data.scalar.value;
        size_t n = e->data.scalar.length;
        enum ytag t = tag_kind(e->data.scalar.tag);
        if (n == 2 && !memcmp(s, "<<", 2) &&
            ((t == T_NONE && e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) || t == T_MERGE)) {
            *merge = true;
            return SK_OK;
        }
        if ((rc = scalar_kind(y, &k, &r))) return rc;
        if ((rc = count_nodes(y, m, 1))) return rc;
        if (e->data.scalar.anchor) {
            v = make_scalar(y, k, &r);
            rc = anchor_set(y, m, (const char *)e->data.scalar.anchor, v);
            sk_val_free(v);
            if (rc) return rc;
        }
        switch (k) {
        case R_STR:
            *key = sk_xstrndup(s, n);
            *klen = n;
            return SK_OK;
        case R_UINT: snprintf(num, sizeof(num), "%llu", (unsigned long long)r.u); break;
        case R_BOOL: snprintf(num, sizeof(num), "%s", r.b ? "true" : "false"); break;
        case R_INT: sk_fmt_int64(r.i, num); break;
        case R_FLOAT: float32_key(r.f, num, sizeof(num)); break;
        case R_NULL: return yfail(y, m, "mapping key must not be null");
        default: return yfail(y, m, "mapping key must be a scalar");
        }
        *klen = strlen(num);
        *key = sk_xstrndup(num, *klen);
        return SK_OK;
    }
    if (e->type == YAML_ALIAS_EVENT) {
        if ((rc = alias(y, depth, &v))) return rc;
        switch (v->type) {
        case SK_V_STR:
            *klen = v->u.s.len;
            *key = sk_xstrndup(v->u.s.p, v->u.s.len);
            sk_val_free(v);
            return SK_OK;
        case SK_V_BOOL: snprintf(num, sizeof(num), "%s", v->u.b ? "true" : "false"); break;
        case SK_V_INT: sk_fmt_int64(v->u.i, num); break;
        case SK_V_FLOAT: float32_key(v->u.f, num, sizeof(num)); break;
        default: sk_val_free(v); return yfail(y, m, "mapping key must be a non-null scalar");
        }
        sk_val_free(v);
        *klen = strlen(num);
        *key = sk_xstrndup(num, *klen);
        return SK_OK;
    }
    return yfail(y, m, "mapping key must be a scalar");
}

static sk_err parse_map(struct yp *y, int depth, struct sk_val **out)
{
    yaml_event_t *e = &y->ev;
    yaml_mark_t start = e->start_mark;
    if (depth >= SK_VAL_MAX_DEPTH)
        return yfail(y, start, "nesting deeper than %d levels", SK_VAL_MAX_DEPTH);
    if (tag_kind(e->data.mapping_start.tag) == T_SEQ)
        return yfail(y, start, "cannot decode a mapping as a !!seq");
    sk_err rc = count_nodes(y, start, 1);
    if (rc) return rc;
    char *anchor = e->data.mapping_start.anchor
                           ? sk_xstrdup((const char *)e->data.mapping_start.anchor)
                           : NULL;
    struct mapb b = {.m = sk_val_map()};
    for (;;) {
        if ((rc = next_event(y))) break;
        if (y->ev.type == YAML_MAPPING_END_EVENT) break;
        yaml_mark_t km = y->ev.start_mark;
        bool merge;
        char *key = NULL;
        size_t klen = 0;
        if ((rc = parse_key(y, depth + 1, &merge, &key, &klen))) break;
        struct sk_val *v;
        if ((rc = next_event(y)) || (rc = parse_node(y, depth + 1, &v))) {
            free(key);
            break;
        }
        if (merge) {
            rc = merge_from(y, &b, v, km);
            sk_val_free(v);
            if (rc) break;
            continue;
        }
        long i = sk_mapidx_find(&b.ix, b.m, key, klen);
        if (i >= 0 && !b.info[i].merged) {
            rc = yfail(y, km, "mapping key \"%.*s\" already defined at line %zu",
                       (int)(klen > 64 ? 64 : klen), key, b.info[i].line);
            free(key);
            sk_val_free(v);
            break;
        }
        if (i >= 0) {
            sk_val_free(b.m->u.m.kv[i].val);
            b.m->u.m.kv[i].val = v;
            b.info[i] = (struct entry_info){false, km.line + 1};
        } else {
            mapb_push(&b, key, klen, v, false, km.line + 1);
        }
        free(key);
    }
    sk_mapidx_free(&b.ix);
    free(b.info);
    if (!rc && anchor) rc = anchor_set(y, start, anchor, b.m);
    free(anchor);
    if (rc) {
        sk_val_free(b.m);
        return rc;
    }
    *out = b.m;
    return SK_OK;
}

static sk_err parse_node(struct yp *y, int depth, struct sk_val **out)
{
    yaml_event_t *e = &y->ev;
    switch (e->type) {
    case YAML_ALIAS_EVENT: return alias(y, depth, out);
    case YAML_SEQUENCE_START_EVENT: return parse_seq(y, depth, out);
    case YAML_MAPPING_START_EVENT: return parse_map(y, depth, out);
    case YAML_SCALAR_EVENT: {
        enum rkind k;
        struct rval r;
        sk_err rc = scalar_kind(y, &k, &r);
        if (!rc) rc = count_nodes(y, e->start_mark, 1);
        if (rc) return rc;
        struct sk_val *v = make_scalar(y, k, &r);
        if (e->data.scalar.anchor) {
            rc = anchor_set(y, e->start_mark, (const char *)e->data.scalar.anchor, v);
            if (rc) {
                sk_val_free(v);
                return rc;
            }
        }
        *out = v;
        return SK_OK;
    }
    default: return yfail(y, e->start_mark, "unexpected YAML event %d", (int)e->type);
    }
}

sk_err sk_yaml_parse_all(const char *p, size_t n, const char *fname, struct sk_val **docs_out,
                         struct sk_error **err)
{
    *docs_out = NULL;
    struct yp y = {.fname = fname, .text = p ? p : "", .len = p ? n : 0, .err = err};
    y.max_nodes = MAX_EXPANSION + y.len;
    if (!yaml_parser_initialize(&y.parser)) return sk_fail(err, SK_ENOMEM, "yaml: out of memory");
    y.anchors = sk_val_map();
    yaml_parser_set_input_string(&y.parser, (const unsigned char *)y.text, y.len);
    struct sk_val *docs = sk_val_arr();
    sk_err rc = next_event(&y);
    while (!rc) {
        if ((rc = next_event(&y))) break;
        if (y.ev.type == YAML_STREAM_END_EVENT) break;
        if (y.ev.type != YAML_DOCUMENT_START_EVENT) {
            rc = yfail(&y, y.ev.start_mark, "expected a document");
            break;
        }
        struct sk_val *doc;
        if ((rc = next_event(&y)) || (rc = parse_node(&y, 0, &doc))) break;
        anchors_clear(&y);
        if ((rc = next_event(&y))) {
            sk_val_free(doc);
            break;
        }
        if (doc->type == SK_V_NULL)
            sk_val_free(doc);
        else
            sk_arr_push(docs, doc);
    }
    if (y.have_ev) yaml_event_delete(&y.ev);
    yaml_parser_delete(&y.parser);
    sk_val_free(y.anchors);
    sk_mapidx_free(&y.anchor_ix);
    free(y.info);
    if (rc) {
        sk_val_free(docs);
        return rc;
    }
    *docs_out = docs;
    return SK_OK;
}

sk_err sk_yaml_parse_one(const char *p, size_t n, const char *fname, struct sk_val **out,
                         struct sk_error **err)
{
    struct sk_val *docs;
    *out = NULL;
    sk_err rc = sk_yaml_parse_all(p, n, fname, &docs, err);
    if (rc) return rc;
    size_t nd = sk_arr_len(docs);
    if (nd > 1) {
        sk_val_free(docs);
        return sk_fail(err, SK_EINVAL, "%s%sexpected one YAML document, found %zu",
                       fname ? fname : "", fname ? ": " : "", nd);
    }
    *out = nd ? sk_arr_take(docs, 0) : sk_val_null();
    sk_val_free(docs);
    return SK_OK;
}

/* ---- writing ---- */

enum sstyle { S_PLAIN, S_SINGLE, S_DOUBLE, S_LITERAL };

/* Longer keys get the explicit "? key" form, as libyaml's emitter does,
 * well inside the 1024-character limit on implicit keys. */
#define SIMPLE_KEY_MAX 128

static uint32_t decode_cp(const unsigned char *p, size_t l)
{
    switch (l) {
    case 1: return p[0];
    case 2: return (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
    case 3: return (uint32_t)(p[0] & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
    default:
        return (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 |
               (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
    }
}

/* Characters YAML lets stand unescaped inside a scalar (tab and line
 * feed are treated separately). */
static bool printable(uint32_t c)
{
    if (c >= 0x20 && c <= 0x7e) return true;
    if (c == 0x2028 || c == 0x2029 || c == 0xfeff) return false;
    return (c >= 0xa0 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) ||
           (c >= 0x10000 && c <= 0x10ffff);
}

/* ^[0-9]{4}-[0-9:.+\-TtZ ]*$: a superset of what go-yaml reads as a
 * timestamp, quoted so that kubectl-produced text looks the same. */
static bool timestamp_like(const char *s, size_t n)
{
    if (n < 5) return false;
    for (int i = 0; i < 4; i++)
        if (!is_digit(s[i])) return false;
    if (s[4] != '-') return false;
    for (size_t i = 5; i < n; i++)
        if (!is_digit(s[i]) && !in_set(":.+-TtZ ", s[i])) return false;
    return true;
}

/* ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$: YAML 1.1 base-60
 * numbers, which other parsers still read as numbers. */
static bool base60_like(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    if (i >= n || !is_digit(s[i])) return false;
    while (i < n && (is_digit(s[i]) || s[i] == '_'))
        i++;
    int groups = 0;
    while (i < n && s[i] == ':') {
        i++;
        size_t d = 0;
        if (i < n && s[i] >= '0' && s[i] <= '5' && i + 1 < n && is_digit(s[i + 1])) i++, d++;
        if (i < n && is_digit(s[i])) i++, d++;
        if (!d) return false;
        groups++;
    }
    if (!groups) return false;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && (is_digit(s[i]) || s[i] == '_'))
            i++;
    }
    return i == n;
}

static enum sstyle pick_style(const char *str, size_t n, bool allow_literal)
{
    const unsigned char *s = (const unsigned char *)str;
    if (n == 0) return S_DOUBLE;
    bool special = false, nl = false, tab = false, space_break = false, nonblank = false;
    for (size_t i = 0; i < n;) {
        uint32_t c = s[i];
        size_t l = 1;
        if (c >= 0x80) {
            l = sk_utf8_len(s + i, n - i);
            if (!l) {
                special = true;
                break;
            }
            c = decode_cp(s + i, l);
        }
        if (c == '\n') {
            nl = true;
            if (i && (s[i - 1] == ' ' || s[i - 1] == '\t')) space_break = true;
        } else {
            nonblank = true;
            if (c == '\t')
                tab = true;
            else if (!printable(c))
                special = true;
        }
        i += l;
    }
    if (special) return S_DOUBLE;
    if (nl) {
        bool trailing_space = s[n - 1] == ' ' || s[n - 1] == '\t';
        if (allow_literal && !space_break && !trailing_space && nonblank) return S_LITERAL;
        return S_DOUBLE;
    }
    struct rval r;
    if (resolve_plain(str, n, &r) != R_STR || timestamp_like(str, n) || base60_like(str, n))
        return S_DOUBLE;
    if (tab) return S_DOUBLE;

    bool plain = true;
    unsigned char c0 = s[0];
    if (in_set(",[]{}#&*!|>'\"%@`", (char)c0)) plain = false;
    if ((c0 == '-' || c0 == '?' || c0 == ':') && (n == 1 || s[1] == ' ')) plain = false;
    if (c0 == ' ' || s[n - 1] == ' ') plain = false;
    if (n >= 3 && (!memcmp(s, "---", 3) || !memcmp(s, "...", 3))) plain = false;
    if (s[n - 1] == ':') plain = false;
    for (size_t i = 0; plain && i + 1 < n; i++) {
        if (s[i] == ':' && s[i + 1] == ' ') plain = false;
        if (s[i] == ' ' && s[i + 1] == '#') plain = false;
    }
    return plain ? S_PLAIN : S_SINGLE;
}

static void put_spaces(struct sk_buf *b, size_t n)
{
    if (!n) return;
    sk_buf_reserve(b, n);
    memset(b->p + b->len, ' ', n);
    b->len += n;
}

static void put_double(struct sk_buf *b, const char *str, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *s = (const unsigned char *)str;
    sk_buf_reserve(b, n + 2);
    sk_buf_putc(b, '"');
    size_t run = 0, i = 0;
    while (i < n) {
        size_t l = sk_utf8_len(s + i, n - i);
        uint32_t c = l ? decode_cp(s + i, l) : 0xfffd;
        if (l && c != '"' && c != '\\' && printable(c)) {
            i += l;
            continue;
        }
        sk_buf_append(b, str + run, i - run);
        char e[12];
        const char *short_esc = NULL;
        switch (c) {
        case '"': short_esc = "\\\""; break;
        case '\\': short_esc = "\\\\"; break;
        case 0: short_esc = "\\0"; break;
        case 7: short_esc = "\\a"; break;
        case 8: short_esc = "\\b"; break;
        case 9: short_esc = "\\t"; break;
        case 10: short_esc = "\\n"; break;
        case 11: short_esc = "\\v"; break;
        case 12: short_esc = "\\f"; break;
        case 13: short_esc = "\\r"; break;
        case 27: short_esc = "\\e"; break;
        case 0x85: short_esc = "\\N"; break;
        case 0x2028: short_esc = "\\L"; break;
        case 0x2029: short_esc = "\\P"; break;
        default: break;
        }
        if (short_esc) {
            sk_buf_puts(b, short_esc);
        } else if (c <= 0xff) {
            e[0] = '\\', e[1] = 'x', e[2] = hex[c >> 4], e[3] = hex[c & 15];
            sk_buf_append(b, e, 4);
        } else {
            e[0] = '\\', e[1] = 'u';
            for (int k = 0; k < 4; k++)
                e[2 + k] = hex[(c >> (12 - 4 * k)) & 15];
            sk_buf_append(b, e, 6);
        }
        i += l ? l : 1;
        run = i;
    }
    sk_buf_append(b, str + run, i - run);
    sk_buf_putc(b, '"');
}

static void put_single(struct sk_buf *b, const char *s, size_t n)
{
    sk_buf_reserve(b, n + 2);
    sk_buf_putc(b, '\'');
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\'') continue;
        sk_buf_append(b, s + run, i + 1 - run);
        sk_buf_putc(b, '\'');
        run = i + 1;
    }
    sk_buf_append(b, s + run, n - run);
    sk_buf_putc(b, '\'');
}

/* A | block whose lines sit at column col. The indentation indicator is
 * needed when the first line would otherwise set the indentation wrong. */
static void put_literal(struct sk_buf *b, const char *s, size_t n, size_t col)
{
    size_t trail = 0;
    while (trail < n && s[n - 1 - trail] == '\n')
        trail++;
    sk_buf_putc(b, '|');
    if (s[0] == ' ' || s[0] == '\t' || s[0] == '\n') sk_buf_putc(b, '2');
    if (trail == 0)
        sk_buf_putc(b, '-');
    else if (trail > 1)
        sk_buf_putc(b, '+');
    sk_buf_putc(b, '\n');
    size_t end = trail ? n - 1 : n; /* the last line break ends the last line */
    size_t i = 0;
    while (i <= end) {
        const char *nl = memchr(s + i, '\n', end - i);
        size_t stop = nl ? (size_t)(nl - s) : end;
        if (stop > i) {
            put_spaces(b, col);
            sk_buf_append(b, s + i, stop - i);
        }
        sk_buf_putc(b, '\n');
        i = stop + 1;
        if (!nl) break;
    }
}

/* Writes a string in the style chosen; a literal block ends with its own
 * line break, the others leave the line open. */
static void put_string(struct sk_buf *b, const char *s, size_t n, enum sstyle st, size_t col)
{
    switch (st) {
    case S_PLAIN: sk_buf_append(b, s, n); break;
    case S_SINGLE: put_single(b, s, n); break;
    case S_DOUBLE: put_double(b, s, n); break;
    case S_LITERAL: put_literal(b, s, n, col); break;
    }
}

static void put_key(struct sk_buf *b, const char *s, size_t n)
{
    put_string(b, s, n, pick_style(s, n, false), 0);
}

/* A scalar or an empty collection after `lead` (" " after a key, nothing
 * after "- "), ending the line; a multi-line string may become a | block
 * whose lines sit at column col. */
static void put_scalar(struct sk_buf *b, const struct sk_val *v, const char *lead, bool literal_ok,
                       size_t col)
{
    char num[32];
    sk_buf_puts(b, lead);
    switch (v->type) {
    case SK_V_NULL: sk_buf_append(b, "null", 4); break;
    case SK_V_BOOL: v->u.b ? sk_buf_append(b, "true", 4) : sk_buf_append(b, "false", 5); break;
    case SK_V_INT: sk_buf_append(b, num, sk_fmt_int64(v->u.i, num)); break;
    case SK_V_FLOAT:
        if (isnan(v->u.f))
            sk_buf_append(b, ".nan", 4);
        else if (isinf(v->u.f))
            sk_buf_puts(b, v->u.f > 0 ? ".inf" : "-.inf");
        else
            sk_buf_append(b, num, sk_fmt_double(v->u.f, num));
        break;
    case SK_V_STR: {
        enum sstyle st = pick_style(v->u.s.p, v->u.s.len, literal_ok);
        put_string(b, v->u.s.p, v->u.s.len, st, col);
        if (st == S_LITERAL) return;
        break;
    }
    case SK_V_ARR: sk_buf_append(b, "[]", 2); break;
    case SK_V_MAP: sk_buf_append(b, "{}", 2); break;
    }
    sk_buf_putc(b, '\n');
}

static void put_map(struct sk_buf *b, const struct sk_val *m, size_t col, bool first_inline);
static void put_seq(struct sk_buf *b, const struct sk_val *a, size_t col, bool first_inline);

/* The value after "key:", where col is the key's column. */
static void put_map_value(struct sk_buf *b, const struct sk_val *v, size_t col)
{
    if (v->type == SK_V_MAP && v->u.m.n) {
        sk_buf_putc(b, '\n');
        put_map(b, v, col + 2, false);
    } else if (v->type == SK_V_ARR && v->u.a.n) {
        sk_buf_putc(b, '\n');
        put_seq(b, v, col, false); /* kubectl does not indent these */
    } else {
        put_scalar(b, v, " ", true, col + 2);
    }
}

static void put_map(struct sk_buf *b, const struct sk_val *m, size_t col, bool first_inline)
{
    for (size_t i = 0; i < m->u.m.n; i++) {
        const struct sk_kv *kv = &m->u.m.kv[i];
        if (i || !first_inline) put_spaces(b, col);
        if (kv->klen > SIMPLE_KEY_MAX) {
            sk_buf_append(b, "? ", 2);
            put_key(b, kv->key, kv->klen);
            sk_buf_putc(b, '\n');
            put_spaces(b, col);
        } else {
            put_key(b, kv->key, kv->klen);
        }
        sk_buf_putc(b, ':');
        put_map_value(b, kv->val, col);
    }
}

static void put_seq(struct sk_buf *b, const struct sk_val *a, size_t col, bool first_inline)
{
    for (size_t i = 0; i < a->u.a.n; i++) {
        const struct sk_val *v = a->u.a.items[i];
        if (i || !first_inline) put_spaces(b, col);
        sk_buf_append(b, "- ", 2);
        if (v->type == SK_V_MAP && v->u.m.n)
            put_map(b, v, col + 2, true);
        else if (v->type == SK_V_ARR && v->u.a.n)
            put_seq(b, v, col + 2, true);
        else
            put_scalar(b, v, "", true, col + 2);
    }
}

static void put_doc(struct sk_buf *b, const struct sk_val *v)
{
    if (!v)
        sk_buf_append(b, "null\n", 5);
    else if (v->type == SK_V_MAP && v->u.m.n)
        put_map(b, v, 0, false);
    else if (v->type == SK_V_ARR && v->u.a.n)
        put_seq(b, v, 0, false);
    else
        put_scalar(b, v, "", false, 0);
}

void sk_yaml_write(const struct sk_val *v, struct sk_buf *out)
{
    put_doc(out, v);
}

char *sk_yaml_dump(const struct sk_val *v, size_t *len)
{
    struct sk_buf b = {0};
    put_doc(&b, v);
    return sk_buf_take(&b, len);
}

char *sk_yaml_dump_all(const struct sk_val *docs, size_t *len)
{
    struct sk_buf b = {0};
    for (size_t i = 0; i < sk_arr_len(docs); i++) {
        if (i) sk_buf_append(&b, "---\n", 4);
        put_doc(&b, docs->u.a.items[i]);
    }
    return sk_buf_take(&b, len);
}
