/* Go text/template for kubectl's -o go-template: evaluation, the builtin
 * functions (with kubectl's base64decode and exists) and the part of Go's
 * fmt that printf and printing use. Types, truth, comparison rules and
 * error texts are Go's, as kubectl 1.32 shows them. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gotemplate_int.h"
#include "json.h"
#include "jsonpath.h"
#include "mem.h"

static const struct gv invalid = {.k = G_INVALID};

enum at_kind { AT_NONE, AT_ARG, AT_CMD, AT_PIPE, AT_TMPL };

struct var {
    const char *name;
    struct gv v;
};

struct state {
    const struct sk_gotemplate *t;
    const char *tname;
    struct sk_buf *out;
    bool allow_missing;
    struct var *vars;
    size_t nvars, capvars;
    int depth;
    int brk; /* 1 break, 2 continue */
    struct sk_error **err;
    bool failed;
    enum at_kind atk;
    const void *atn;
    int atpos;
    char **strs;
    size_t nstrs;
    struct sk_val **vals;
    size_t nvals;
};

/* ---- values ---- */

static struct gv gstr(struct state *s, char *owned, size_t n)
{
    s->strs = sk_xrealloc(s->strs, (s->nstrs + 1) * sizeof(char *));
    s->strs[s->nstrs++] = owned;
    return (struct gv){.k = G_STR, .s = owned, .n = n};
}

static struct gv gbuf(struct state *s, struct sk_buf *b)
{
    sk_buf_putc(b, 0);
    size_t n;
    char *p = sk_buf_take(b, &n);
    return gstr(s, p, n - 1);
}

static struct gv gint(int64_t i)
{
    return (struct gv){.k = G_INT, .i = i};
}

static struct gv gbool(bool b)
{
    return (struct gv){.k = G_BOOL, .b = b};
}

static bool truth(const struct gv *g)
{
    switch (g->k) {
    case G_INVALID:
    case G_NIL: return false;
    case G_BOOL: return g->b;
    case G_INT: return g->i != 0;
    case G_FLOAT: return g->f != 0;
    case G_STR: return g->n != 0;
    case G_MAP: return g->v->u.m.n != 0;
    case G_ARR: return g->v->u.a.n != 0;
    }
    return false;
}

/* ---- errors ---- */

static int line_col(const struct state *s, int pos, int *col)
{
    int line = 1, ls = 0;
    for (int i = 0; i < pos && (size_t)i < s->t->len; i++)
        if (s->t->src[i] == '\n') line++, ls = i + 1;
    *col = pos - ls;
    return line;
}

static void at(struct state *s, enum at_kind k, const void *node, int pos)
{
    s->atk = k, s->atn = node, s->atpos = pos;
}

static bool fail(struct state *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(struct state *s, const char *fmt, ...)
{
    if (s->failed) return false;
    s->failed = true;
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    struct sk_buf ctx = {0};
    switch (s->atk) {
    case AT_ARG: sk_gt_arg_string(s->atn, &ctx); break;
    case AT_CMD: sk_gt_cmd_string(s->atn, &ctx); break;
    case AT_PIPE: sk_gt_pipe_string(s->atn, &ctx); break;
    case AT_TMPL: {
        const struct gt_node *nd = s->atn;
        sk_buf_puts(&ctx, "{{template ");
        struct sk_buf q = {0};
        sk_gt_quote(&q, nd->text, strlen(nd->text));
        sk_buf_append(&ctx, q.p, q.len);
        sk_buf_free(&q);
        if (nd->pipe) {
            sk_buf_putc(&ctx, ' ');
            sk_gt_pipe_string(nd->pipe, &ctx);
        }
        sk_buf_puts(&ctx, "}}");
        break;
    }
    case AT_NONE: break;
    }
    sk_buf_putc(&ctx, 0);
    if (s->atk == AT_NONE) {
        sk_fail(s->err, SK_EINVAL, "template: %s: %s", s->tname, msg);
    } else {
        int col, line = line_col(s, s->atpos, &col);
        sk_fail(s->err, SK_EINVAL, "template: output:%d:%d: executing \"%s\" at <%s>: %s", line,
                col, s->tname, ctx.p, msg);
    }
    sk_buf_free(&ctx);
    return false;
}

/* ---- evaluation ---- */

static bool eval_pipe(struct state *s, struct gv dot, const struct gt_pipe *p, struct gv *out);

static void push_var(struct state *s, const char *name, struct gv v)
{
    if (s->nvars == s->capvars) {
        s->capvars = s->capvars ? s->capvars * 2 : 16;
        s->vars = sk_xrealloc(s->vars, s->capvars * sizeof(*s->vars));
    }
    s->vars[s->nvars++] = (struct var){name, v};
}

static bool set_var(struct state *s, const char *name, struct gv v)
{
    for (size_t i = s->nvars; i-- > 0;)
        if (!strcmp(s->vars[i].name, name)) {
            s->vars[i].v = v;
            return true;
        }
    return fail(s, "undefined variable: %s", name);
}

static bool var_value(struct state *s, const char *name, struct gv *out)
{
    for (size_t i = s->nvars; i-- > 0;)
        if (!strcmp(s->vars[i].name, name)) {
            *out = s->vars[i].v;
            return true;
        }
    return fail(s, "undefined variable: %s", name);
}

static bool eval_field(struct state *s, const char *name, bool has_args, struct gv recv,
                       struct gv *out)
{
    if (recv.k == G_INVALID) {
        if (!s->allow_missing) return fail(s, "nil data; no entry for key \"%s\"", name);
        *out = invalid;
        return true;
    }
    if (recv.k == G_NIL) return fail(s, "nil pointer evaluating interface {}.%s", name);
    if (recv.k == G_MAP) {
        if (has_args) return fail(s, "%s is not a method but has arguments", name);
        const struct sk_val *v = sk_map_get(recv.v, name);
        if (!v) {
            if (!s->allow_missing) return fail(s, "map has no entry for key \"%s\"", name);
            *out = invalid;
            return true;
        }
        *out = sk_gt_from_val(v);
        return true;
    }
    return fail(s, "can't evaluate field %s in type %s", name,
                recv.data ? "interface {}" : sk_gt_type_name(&recv));
}

static bool eval_chain(struct state *s, struct gv recv, char *const *names, size_t n, bool has_args,
                       struct gv *out)
{
    for (size_t i = 0; i < n; i++) {
        if (!eval_field(s, names[i], has_args && i + 1 == n, recv, &recv)) return false;
    }
    *out = recv;
    return true;
}

static bool eval_arg(struct state *s, struct gv dot, const struct gt_arg *a, struct gv *out);

static bool not_a_function(struct state *s, const struct gt_cmd *c, const struct gv *final)
{
    if (c->n > 1 || final) {
        struct sk_buf b = {0};
        sk_gt_arg_string(c->args[0], &b);
        sk_buf_putc(&b, 0);
        fail(s, "can't give argument to non-function %s", b.p);
        sk_buf_free(&b);
        return false;
    }
    return true;
}

static struct gv number(const struct gt_arg *a)
{
    if (a->is_float) return (struct gv){.k = G_FLOAT, .f = a->f};
    return gint(a->i);
}

/* ---- builtins ---- */

enum ptype { P_VAL, P_STR };

struct gfunc {
    const char *name;
    size_t nfixed;
    bool variadic;
    enum ptype fixed_type; /* of the first fixed parameter */
    bool (*fn)(struct state *s, const struct gv *a, size_t n, struct gv *out);
};

static bool ferr(struct state *s, const char *name, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static bool ferr(struct state *s, const char *name, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return fail(s, "error calling %s: %s", name, msg);
}

/* Go's basicKind classes for comparisons */
enum bk { BK_INVALID, BK_BOOL, BK_INT, BK_FLOAT, BK_STR, BK_OTHER };

static enum bk basic_kind(const struct gv *g)
{
    switch (g->k) {
    case G_BOOL: return BK_BOOL;
    case G_INT: return BK_INT;
    case G_FLOAT: return BK_FLOAT;
    case G_STR: return BK_STR;
    case G_MAP:
    case G_ARR: return BK_OTHER;
    default: return BK_INVALID;
    }
}

static int str_cmp(const struct gv *a, const struct gv *b)
{
    size_t n = a->n < b->n ? a->n : b->n;
    int c = memcmp(a->s, b->s, n);
    return c ? c : (a->n < b->n ? -1 : a->n > b->n);
}

/* eq of two values: 1 true, 0 false, -1 error (reported as name) */
static int eq2(struct state *s, const char *name, const struct gv *a, const struct gv *b)
{
    enum bk k1 = basic_kind(a), k2 = basic_kind(b);
    if (k1 != k2) {
        if (a->k > G_NIL && b->k > G_NIL) {
            ferr(s, name, "incompatible types for comparison");
            return -1;
        }
        return 0;
    }
    switch (k1) {
    case BK_BOOL: return a->b == b->b;
    case BK_INT: return a->i == b->i;
    case BK_FLOAT: return a->f == b->f;
    case BK_STR: return str_cmp(a, b) == 0;
    case BK_INVALID: return 1;
    default: {
        struct sk_buf t = {0};
        sk_gt_sprint_v(&t, b);
        sk_buf_putc(&t, 0);
        ferr(s, name, "non-comparable type %s: %s", t.p, sk_gt_type_name(b));
        sk_buf_free(&t);
        return -1;
    }
    }
}

static bool f_eq(struct state *s, const struct gv *a, size_t n, struct gv *out)
{
    if (n < 2) return ferr(s, "eq", "missing argument for comparison");
    for (size_t i = 1; i < n; i++) {
        int r = eq2(s, "eq", &a[0], &a[i]);
        if (r < 0) return false;
        if (r) {
            *out = gbool(true);
            return true;
        }
    }
    *out = gbool(false);
    return true;
}

static bool f_ne(struct state *s, const struct gv *a, size_t n, struct gv *out)
{
    (void)n;
    int r = eq2(s, "ne", &a[0], &a[1]);
    if (r < 0) return false;
    *out = gbool(!r);
    return true;
}

/* lt: 1, 0, or -1 after reporting */
static int lt2(struct state *s, const char *name, const struct gv *a, const struct gv *b)
{
    enum bk k1 = basic_kind(a), k2 = basic_kind(b);
    if (k1 == BK_INVALID || k1 == BK_OTHER || k2 == BK_INVALID || k2 == BK_OTHER) {
        ferr(s, name, "invalid type for comparison");
        return -1;
    }
    if (k1 != k2) {
        ferr(s, name, "incompatible types for comparison");
        return -1;
    }
    switch (k1) {
    case BK_INT: return a->i < b->i;
    case BK_FLOAT: return a->f < b->f;
    case BK_STR: return str_cmp(a, b) < 0;
    default: ferr(s, name, "invalid type for comparison"); return -1;
    }
}

static bool cmp_fn(struct state *s, const char *name, const struct gv *a, struct gv *out)
{
    bool le = !strcmp(name, "le") || !strcmp(name, "gt");
    int r = lt2(s, name, &a[0], &a[1]);
    if (r < 0) return false;
    if (le && !r) {
        r = eq2(s, name, &a[0], &a[1]);
        if (r < 0) return false;
    }
    bool res = r;
    if (name[0] == 'g') res = !res;
    *out = gbool(res);
    return true;
}

static bool f_lt(struct state *s, const struct gv *a, size_t n, struct gv *out)
{
    (void)n;
    return cmp_fn(s, "lt", a, out);
}
static bool f_le(struct state *s, const struct gv *a, size_t n, struct gv *out)
{
    (void)n;
    return cmp_fn(s, "le", a, out);
}
static bool f_gt(struct state *s, const struct gv *a, size_t n, struct gv *out)
{
    (void)n;
    return cmp_fn(s, "gt", a, out);
}
static bool f_ge(struct state *s, const struct gv *a, size_t n, struct gv *out)
{
    (void)n;
    return cmp_fn(s, "ge", a, out);
}

static bool f_not(struct state *s, const struct gv *a, size_t n, struct gv *out)
{
    (void)s, (void)n;
    *out = gbool(!truth(&a[0]));
    return true;
}

static bool f_len(struct state *s, const struct gv *a, size_t n, struct gv *out)
{
    (void)n;
    switch (a[0].k) {
    case G_INVALID: return ferr(s, "len", "reflect: call of reflect.Value.Type on zero Value");
    case G_NIL: return ferr(s, "len", "len of nil pointer");
    case G_STR: *out = gint((int64_t)a[0].n); return true;
    case G_MAP: *out = gint((int64_t)a[0].v->u.m.n); return true;
    case G_ARR: *out = gint((int64_t)a[0].v->u.a.n); return true;
    default: return ferr(s, "len", "len of type %s", sk_gt_type_name(&a[0]));
    }
}

static bool index_arg(struct state *s, const char *name, const struct gv *x, int64_t *out)
{
    if (x->k == G_INT) {
        *out = x->i;
        return true;
    }
    if (x->k == G_INVALID || x->k == G_NIL)
        return ferr(s, name, "cannot index slice/array with nil");
    return ferr(s, name, "cannot index slice/array with type %s", sk_gt_type_name(x));
}

static bool f_index(struct state *s, const struct gv *a, size_t n, struct gv *out)
{
    struct gv item = a[0];
    if (item.k == G_INVALID || item.k == G_NIL) return ferr(s, "index", "index of untyped nil");
    for (size_t i = 1; i < n; i++) {
        if (item.k == G_NIL) return ferr(s, "index", "index of nil pointer");
        const struct gv *x = &a[i];
        if (item.k == G_ARR || item.k == G_STR) {
            int64_t k = 0;
            if (!index_arg(s, "index", x, &k)) return false;
            size_t len = item.k == G_ARR ? item.v->u.a.n : item.n;
            if (k < 0 || (uint64_t)k > len)
                return ferr(s, "index", "index out of range: %lld", (long long)k);
            if ((uint64_t)k == len)
                return ferr(s, "index", "reflect: %s index out of range",
                            item.k == G_STR ? "string" : "slice");
            if (item.k == G_ARR) {
                item = sk_gt_from_val(item.v->u.a.items[k]);
            } else {
                item = (struct gv){.k = G_INT, .ity = IT_UINT8, .i = (unsigned char)item.s[k]};
            }
        } else if (item.k == G_MAP) {
            if (x->k == G_INVALID || x->k == G_NIL)
                return ferr(s, "index", "value is nil; should be of type string");
            if (x->k != G_STR)
                return ferr(s, "index", "value has type %s; should be string", sk_gt_type_name(x));
            const struct sk_val *v = sk_map_getn(item.v, x->s, x->n);
            item = v ? sk_gt_from_val(v) : (struct gv){.k = G_NIL, .data = true};
        } else {
            return ferr(s, "index", "can't index item of type %s", sk_gt_type_name(&item));
        }
    }
    *out = item;
    return true;
}

static bool f_slice(struct state *s, const struct gv *a, size_t n, struct gv *out)
{
    struct gv item = a[0];
    if (item.k == G_INVALID || item.k == G_NIL) return ferr(s, "slice", "slice of untyped nil");
    if (n - 1 > 3) return ferr(s, "slice", "too many slice indexes: %zu", n - 1);
    size_t len;
    if (item.k == G_STR) {
        if (n - 1 == 3) return ferr(s, "slice", "cannot 3-index slice a string");
        len = item.n;
    } else if (item.k == G_ARR) {
        len = item.v->u.a.n;
    } else {
        return ferr(s, "slice", "can't slice item of type %s", sk_gt_type_name(&item));
    }
    int64_t idx[3] = {0, (int64_t)len, (int64_t)len};
    for (size_t i = 1; i < n; i++) {
        if (!index_arg(s, "slice", &a[i], &idx[i - 1])) return false;
        if (idx[i - 1] < 0 || (uint64_t)idx[i - 1] > len)
            return ferr(s, "slice", "index out of range: %lld", (long long)idx[i - 1]);
    }
    if (idx[0] > idx[1])
        return ferr(s, "slice", "invalid slice index: %lld > %lld", (long long)idx[0],
                    (long long)idx[1]);
    if (n - 1 == 3 && idx[1] > idx[2])
        return ferr(s, "slice", "invalid slice index: %lld > %lld", (long long)idx[1],
                    (long long)idx[2]);
    if (item.k == G_STR) {
        *out = (struct gv){.k = G_STR, .s = item.s + idx[0], .n = (size_t)(idx[1] - idx[0])};
        return true;
    }
    struct sk_val *arr = sk_val_arr();
    for (int64_t i = idx[0]; i < idx[1]; i++)
        sk_arr_push(arr, sk_val_dup(item.v->u.a.items[i]));
    s->vals = sk_xrealloc(s->vals, (s->nvals + 1) * sizeof(*s->vals));
    s->vals[s->nvals++] = arr;
    *out = (struct gv){.k = G_ARR, .v = arr};
    return true;
}

static bool f_print(struct state *s, const struct gv *a, size_t n, struct gv *out)
{
    struct sk_buf b = {0};
    sk_gt_sprint(&b, a, n, false);
    *out = gbuf(s, &b);
    return true;
}

static bool f_println(struct state *s, const struct gv *a, size_t n, struct gv *out)
{
    struct sk_buf b = {0};
    sk_gt_sprint(&b, a, n, true);
    *out = gbuf(s, &b);
    return true;
}

static bool f_printf(struct state *s, const struct gv *a, size_t n, struct gv *out)
{
    struct sk_buf b = {0};
    sk_gt_sprintf(&b, a[0].s, a[0].n, a + 1, n - 1);
    *out = gbuf(s, &b);
    return true;
}

/* html, js and urlquery take their arguments as one string */
static void joined(const struct gv *a, size_t n, struct sk_buf *b)
{
    if (n == 1 && a[0].k == G_STR)
        sk_buf_append(b, a[0].s, a[0].n);
    else
        sk_gt_sprint(b, a, n, false);
}

static bool f_html(struct state *s, const struct gv *a, size_t n, struct gv *out)
{
    struct sk_buf in = {0}, b = {0};
    joined(a, n, &in);
    for (size_t i = 0; i < in.len; i++) {
        switch (in.p[i]) {
        case '"': sk_buf_puts(&b, "&#34;"); break;
        case '\'': sk_buf_puts(&b, "&#39;"); break;
        case '&': sk_buf_puts(&b, "&amp;"); break;
        case '<': sk_buf_puts(&b, "&lt;"); break;
        case '>': sk_buf_puts(&b, "&gt;"); break;
        case 0: sk_buf_puts(&b, "\xef\xbf\xbd"); break;
        default: sk_buf_putc(&b, in.p[i]);
        }
    }
    sk_buf_free(&in);
    *out = gbuf(s, &b);
    return true;
}

static bool f_js(struct state *s, const struct gv *a, size_t n, struct gv *out)
{
    struct sk_buf in = {0}, b = {0};
    joined(a, n, &in);
    for (size_t i = 0; i < in.len; i++) {
        unsigned char c = (unsigned char)in.p[i];
        switch (c) {
        case '\\': sk_buf_puts(&b, "\\\\"); break;
        case '\'': sk_buf_puts(&b, "\\'"); break;
        case '"': sk_buf_puts(&b, "\\\""); break;
        case '<': sk_buf_puts(&b, "\\u003C"); break;
        case '>': sk_buf_puts(&b, "\\u003E"); break;
        case '&': sk_buf_puts(&b, "\\u0026"); break;
        case '=': sk_buf_puts(&b, "\\u003D"); break;
        default:
            if (c < ' ')
                sk_buf_printf(&b, "\\u%04X", c);
            else
                sk_buf_putc(&b, (char)c);
        }
    }
    sk_buf_free(&in);
    *out = gbuf(s, &b);
    return true;
}

static bool f_urlquery(struct state *s, const struct gv *a, size_t n, struct gv *out)
{
    struct sk_buf in = {0}, b = {0};
    joined(a, n, &in);
    for (size_t i = 0; i < in.len; i++) {
        unsigned char c = (unsigned char)in.p[i];
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
            sk_buf_putc(&b, (char)c);
        else if (c == ' ')
            sk_buf_putc(&b, '+');
        else
            sk_buf_printf(&b, "%%%02X", c);
    }
    sk_buf_free(&in);
    *out = gbuf(s, &b);
    return true;
}

static int b64v(int c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* encoding/base64 StdEncoding.DecodeString: padding required, \r and \n
 * skipped; the error names the offending input byte as Go does. */
static bool b64decode(const char *p, size_t n, struct sk_buf *out, size_t *bad)
{
    int q[4];
    size_t qn = 0, qpos[4] = {0};
    bool done = false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '\r' || c == '\n') continue;
        if (done) {
            *bad = i;
            return false;
        }
        if (c == '=') {
            /* padding: only in the last two places of a quantum */
            if (qn < 2) {
                *bad = i;
                return false;
            }
            size_t j = i + 1;
            while (j < n && (p[j] == '\r' || p[j] == '\n'))
                j++;
            if (qn == 2) {
                if (j >= n || p[j] != '=') {
                    *bad = j >= n ? n : j;
                    return false;
                }
                j++;
                while (j < n && (p[j] == '\r' || p[j] == '\n'))
                    j++;
            }
            if (j < n) {
                *bad = j;
                return false;
            }
            int v = (q[0] << 18) | (q[1] << 12) | (qn == 3 ? q[2] << 6 : 0);
            sk_buf_putc(out, (char)(v >> 16));
            if (qn == 3) sk_buf_putc(out, (char)(v >> 8));
            qn = 0;
            done = true;
            i = n;
            break;
        }
        int v = b64v((unsigned char)c);
        if (v < 0) {
            *bad = i;
            return false;
        }
        qpos[qn] = i;
        q[qn++] = v;
        if (qn == 4) {
            int w = (q[0] << 18) | (q[1] << 12) | (q[2] << 6) | q[3];
            sk_buf_putc(out, (char)(w >> 16));
            sk_buf_putc(out, (char)(w >> 8));
            sk_buf_putc(out, (char)w);
            qn = 0;
        }
    }
    if (qn) {
        *bad = qpos[0];
        return false;
    }
    return true;
}

static bool f_base64decode(struct state *s, const struct gv *a, size_t n, struct gv *out)
{
    (void)n;
    struct sk_buf b = {0};
    size_t bad = 0;
    if (!b64decode(a[0].s, a[0].n, &b, &bad)) {
        sk_buf_free(&b);
        return ferr(s, "base64decode",
                    "base64 decode failed: illegal base64 data at input byte %zu", bad);
    }
    *out = gbuf(s, &b);
    return true;
}

static bool f_exists(struct state *s, const struct gv *a, size_t n, struct gv *out)
{
    (void)s;
    struct gv v = a[0];
    for (size_t i = 1; i < n; i++) {
        const struct gv *x = &a[i];
        if (v.k == G_INVALID || v.k == G_NIL) {
            *out = gbool(false);
            return true;
        }
        if (v.k == G_ARR || v.k == G_STR) {
            size_t len = v.k == G_ARR ? v.v->u.a.n : v.n;
            if (x->k != G_INT || x->i < 0 || (uint64_t)x->i >= len) {
                *out = gbool(false);
                return true;
            }
            v = v.k == G_ARR
                        ? sk_gt_from_val(v.v->u.a.items[x->i])
                        : (struct gv){.k = G_INT, .ity = IT_UINT8, .i = (unsigned char)v.s[x->i]};
        } else if (v.k == G_MAP) {
            if (x->k != G_STR) {
                *out = gbool(false);
                return true;
            }
            const struct sk_val *e = sk_map_getn(v.v, x->s, x->n);
            v = e ? sk_gt_from_val(e) : (struct gv){.k = G_NIL};
        } else {
            *out = gbool(false);
            return true;
        }
    }
    *out = gbool(v.k != G_INVALID && v.k != G_NIL);
    return true;
}

static bool f_call(struct state *s, const struct gv *a, size_t n, struct gv *out)
{
    (void)n, (void)out;
    if (a[0].k == G_INVALID || a[0].k == G_NIL) return ferr(s, "call", "call of nil");
    struct sk_buf t = {0};
    sk_gt_sprint_v(&t, &a[0]);
    sk_buf_putc(&t, 0);
    ferr(s, "call", "non-function %s of type %s", t.p, sk_gt_type_name(&a[0]));
    sk_buf_free(&t);
    return false;
}

static const struct gfunc funcs[] = {
        {"and", 1, true, P_VAL, NULL},
        {"base64decode", 1, false, P_STR, f_base64decode},
        {"call", 1, true, P_VAL, f_call},
        {"eq", 1, true, P_VAL, f_eq},
        {"exists", 1, true, P_VAL, f_exists},
        {"ge", 2, false, P_VAL, f_ge},
        {"gt", 2, false, P_VAL, f_gt},
        {"html", 0, true, P_VAL, f_html},
        {"index", 1, true, P_VAL, f_index},
        {"js", 0, true, P_VAL, f_js},
        {"le", 2, false, P_VAL, f_le},
        {"len", 1, false, P_VAL, f_len},
        {"lt", 2, false, P_VAL, f_lt},
        {"ne", 2, false, P_VAL, f_ne},
        {"not", 1, false, P_VAL, f_not},
        {"or", 1, true, P_VAL, NULL},
        {"print", 0, true, P_VAL, f_print},
        {"printf", 1, true, P_STR, f_printf},
        {"println", 0, true, P_VAL, f_println},
        {"slice", 1, true, P_VAL, f_slice},
        {"urlquery", 0, true, P_VAL, f_urlquery},
};

static const struct gfunc *find_func(const char *name)
{
    for (size_t i = 0; i < sizeof(funcs) / sizeof(*funcs); i++)
        if (!strcmp(funcs[i].name, name)) return &funcs[i];
    return NULL;
}

bool sk_gt_is_func(const char *name)
{
    return find_func(name) != NULL;
}

/* A string parameter: Go's evalArg for a string-typed argument. */
static bool to_string_param(struct state *s, const struct gt_arg *a, const struct gv *v,
                            struct gv *out)
{
    if (a && (a->t == GA_NUMBER || a->t == GA_BOOL || a->t == GA_NIL || a->t == GA_DOT) &&
        a->t != GA_DOT) {
        struct sk_buf b = {0};
        sk_gt_arg_string(a, &b);
        sk_buf_putc(&b, 0);
        if (a->t == GA_NIL)
            fail(s, "cannot assign nil to string");
        else
            fail(s, "expected string; found %s", b.p);
        sk_buf_free(&b);
        return false;
    }
    if (v->k == G_STR) {
        *out = *v;
        return true;
    }
    if (v->k == G_INVALID) return fail(s, "invalid value; expected string");
    if (v->k == G_NIL) return fail(s, "invalid value; expected string");
    return fail(s, "wrong type for value; expected string; got %s", sk_gt_type_name(v));
}

static bool eval_function(struct state *s, struct gv dot, const struct gt_cmd *c,
                          const struct gv *final, struct gv *out)
{
    const struct gt_arg *id = c->args[0];
    at(s, AT_ARG, id, id->pos);
    const struct gfunc *f = find_func(id->text);
    if (!f) return fail(s, "\"%s\" is not a defined function", id->text);
    size_t nargs = c->n - 1, num_in = nargs + (final ? 1 : 0);
    if (f->variadic) {
        if (num_in < f->nfixed)
            return fail(s, "wrong number of args for %s: want at least %zu got %zu", f->name,
                        f->nfixed, nargs);
    } else if (num_in != f->nfixed) {
        return fail(s, "wrong number of args for %s: want %zu got %zu", f->name, f->nfixed, num_in);
    }
    if (!f->fn) {
        /* and / or: short-circuit, the result is the deciding value */
        bool is_or = id->text[0] == 'o';
        struct gv v = invalid;
        for (size_t i = 0; i < nargs; i++) {
            if (!eval_arg(s, dot, c->args[i + 1], &v)) return false;
            if (truth(&v) == is_or) {
                *out = v;
                return true;
            }
        }
        if (final) v = *final;
        *out = v;
        return true;
    }
    struct gv *argv = sk_xcalloc(num_in + 1, sizeof(*argv));
    bool ok = true;
    for (size_t i = 0; i < nargs && ok; i++) {
        ok = eval_arg(s, dot, c->args[i + 1], &argv[i]);
        if (ok && i == 0 && f->fixed_type == P_STR)
            ok = to_string_param(s, c->args[i + 1], &argv[i], &argv[i]);
    }
    if (ok && final) {
        argv[nargs] = *final;
        if (nargs == 0 && f->fixed_type == P_STR)
            ok = to_string_param(s, NULL, &argv[nargs], &argv[nargs]);
    }
    if (ok) {
        at(s, AT_CMD, c, c->pos);
        ok = f->fn(s, argv, num_in, out);
    }
    free(argv);
    return ok;
}

static bool eval_command(struct state *s, struct gv dot, const struct gt_cmd *c,
                         const struct gv *final, struct gv *out)
{
    const struct gt_arg *a = c->args[0];
    bool has_args = c->n > 1 || final;
    switch (a->t) {
    case GA_FIELD:
        at(s, AT_ARG, a, a->pos);
        return eval_chain(s, dot, a->names, a->nnames, has_args, out);
    case GA_VAR: {
        at(s, AT_ARG, a, a->pos);
        struct gv v;
        if (!var_value(s, a->text, &v)) return false;
        if (!a->nnames) {
            if (!not_a_function(s, c, final)) return false;
            *out = v;
            return true;
        }
        return eval_chain(s, v, a->names, a->nnames, has_args, out);
    }
    case GA_PIPE:
        if (a->nnames) {
            struct gv v;
            if (!eval_pipe(s, dot, a->pipe, &v)) return false;
            return eval_chain(s, v, a->names, a->nnames, has_args, out);
        }
        if (!not_a_function(s, c, final)) return false;
        return eval_pipe(s, dot, a->pipe, out);
    case GA_IDENT: return eval_function(s, dot, c, final, out);
    default: break;
    }
    at(s, AT_ARG, a, a->pos);
    if (!not_a_function(s, c, final)) return false;
    switch (a->t) {
    case GA_BOOL: *out = gbool(a->b); return true;
    case GA_DOT: *out = dot; return true;
    case GA_NIL: return fail(s, "nil is not a command");
    case GA_NUMBER: *out = number(a); return true;
    case GA_STRING: *out = (struct gv){.k = G_STR, .s = a->str, .n = a->slen}; return true;
    default: return fail(s, "can't evaluate command");
    }
}

/* An argument of a function call (an interface{} or reflect.Value). */
static bool eval_arg(struct state *s, struct gv dot, const struct gt_arg *a, struct gv *out)
{
    at(s, AT_ARG, a, a->pos);
    switch (a->t) {
    case GA_DOT: *out = dot; return true;
    case GA_NIL: *out = invalid; return true;
    case GA_FIELD: return eval_chain(s, dot, a->names, a->nnames, false, out);
    case GA_VAR: {
        struct gv v;
        if (!var_value(s, a->text, &v)) return false;
        return eval_chain(s, v, a->names, a->nnames, false, out);
    }
    case GA_PIPE: {
        struct gv v;
        if (!eval_pipe(s, dot, a->pipe, &v)) return false;
        if (!a->nnames) {
            *out = v;
            return true;
        }
        return eval_chain(s, v, a->names, a->nnames, false, out);
    }
    case GA_BOOL: *out = gbool(a->b); return true;
    case GA_NUMBER: *out = number(a); return true;
    case GA_STRING: *out = (struct gv){.k = G_STR, .s = a->str, .n = a->slen}; return true;
    case GA_IDENT: {
        /* a function used as an argument is called without arguments */
        struct gt_cmd one = {.pos = a->pos, .args = (struct gt_arg **)&a, .n = 1};
        return eval_function(s, dot, &one, NULL, out);
    }
    }
    return fail(s, "can't handle argument");
}

static bool eval_pipe(struct state *s, struct gv dot, const struct gt_pipe *p, struct gv *out)
{
    if (!p) {
        *out = invalid;
        return true;
    }
    if (++s->depth > GT_MAX_DEPTH)
        return fail(s, "exceeded maximum template depth (%d)", GT_MAX_DEPTH);
    at(s, AT_PIPE, p, p->pos);
    struct gv v = invalid;
    bool have = false;
    for (size_t i = 0; i < p->n; i++) {
        struct gv r;
        if (!eval_command(s, dot, p->cmds[i], have ? &v : NULL, &r)) {
            s->depth--;
            return false;
        }
        /* an interface{} holds its dynamic value; a nil one is no value */
        if (r.data) {
            r.data = false;
            if (r.k == G_NIL) r = invalid;
        }
        v = r;
        have = true;
    }
    for (size_t i = 0; i < p->nvars; i++) {
        if (p->is_assign) {
            if (!set_var(s, p->vars[i], v)) {
                s->depth--;
                return false;
            }
        } else {
            push_var(s, p->vars[i], v);
        }
    }
    s->depth--;
    *out = v;
    return true;
}

static bool walk(struct state *s, struct gv dot, const struct gt_list *l);

static bool walk_if_with(struct state *s, struct gv dot, const struct gt_node *nd)
{
    size_t mark = s->nvars;
    struct gv v;
    bool ok = eval_pipe(s, dot, nd->pipe, &v);
    if (ok) {
        if (truth(&v))
            ok = walk(s, nd->t == GN_WITH ? v : dot, nd->list);
        else if (nd->elist)
            ok = walk(s, dot, nd->elist);
    }
    s->nvars = mark;
    return ok;
}

static bool range_iter(struct state *s, const struct gt_node *nd, size_t mark, struct gv idx,
                       struct gv elem, bool *stop)
{
    const struct gt_pipe *p = nd->pipe;
    if (p->nvars) {
        if (p->is_assign) {
            if (!set_var(s, p->vars[0], p->nvars > 1 ? idx : elem)) return false;
            if (p->nvars > 1 && !set_var(s, p->vars[1], elem)) return false;
        } else {
            s->vars[mark - 1].v = elem;
            if (p->nvars > 1) s->vars[mark - 2].v = idx;
        }
    }
    bool ok = walk(s, elem, nd->list);
    s->nvars = mark;
    if (s->brk == 1) *stop = true;
    s->brk = 0;
    return ok;
}

static bool walk_range(struct state *s, struct gv dot, const struct gt_node *nd)
{
    size_t outer = s->nvars;
    struct gv v;
    bool ok = eval_pipe(s, dot, nd->pipe, &v);
    size_t mark = s->nvars;
    bool ran = false, stop = false;
    if (ok) {
        switch (v.k) {
        case G_ARR:
            for (size_t i = 0; ok && !stop && i < v.v->u.a.n; i++) {
                ran = true;
                ok = range_iter(s, nd, mark, gint((int64_t)i), sk_gt_from_val(v.v->u.a.items[i]),
                                &stop);
            }
            break;
        case G_MAP: {
            const struct sk_kv **kv = sk_gt_sorted_kv(v.v);
            for (size_t i = 0; ok && !stop && i < v.v->u.m.n; i++) {
                ran = true;
                struct gv k = {.k = G_STR, .s = kv[i]->key, .n = kv[i]->klen};
                ok = range_iter(s, nd, mark, k, sk_gt_from_val(kv[i]->val), &stop);
            }
            free(kv);
            break;
        }
        case G_INVALID: break;
        default: {
            struct sk_buf t = {0};
            sk_gt_sprint_v(&t, &v);
            sk_buf_putc(&t, 0);
            ok = fail(s, "range can't iterate over %s", t.p);
            sk_buf_free(&t);
        }
        }
        if (ok && !ran && nd->elist) ok = walk(s, dot, nd->elist);
    }
    s->nvars = outer;
    return ok;
}

static bool walk_template(struct state *s, struct gv dot, const struct gt_node *nd)
{
    at(s, AT_TMPL, nd, nd->pos);
    const struct gt_def *d = NULL;
    for (size_t i = 0; i < s->t->ndefs; i++)
        if (!strcmp(s->t->defs[i].name, nd->text)) d = &s->t->defs[i];
    if (!d) return fail(s, "template \"%s\" not defined", nd->text);
    struct gv v;
    if (!eval_pipe(s, dot, nd->pipe, &v)) return false;
    if (s->depth >= GT_MAX_DEPTH)
        return fail(s, "exceeded maximum template depth (%d)", GT_MAX_DEPTH);
    /* a new frame: only $ */
    struct var *saved = s->vars;
    size_t sn = s->nvars, sc = s->capvars;
    const char *sname = s->tname;
    s->vars = NULL, s->nvars = 0, s->capvars = 0;
    push_var(s, "$", v);
    s->tname = d->name;
    s->depth++;
    bool ok = walk(s, v, d->list);
    s->depth--;
    free(s->vars);
    s->vars = saved, s->nvars = sn, s->capvars = sc;
    s->tname = sname;
    return ok;
}

static bool walk(struct state *s, struct gv dot, const struct gt_list *l)
{
    for (size_t i = 0; l && i < l->n; i++) {
        const struct gt_node *nd = l->nodes[i];
        bool ok = true;
        switch (nd->t) {
        case GN_TEXT: sk_buf_append(s->out, nd->text, nd->tlen); break;
        case GN_ACTION: {
            struct gv v;
            ok = eval_pipe(s, dot, nd->pipe, &v);
            if (ok && !nd->pipe->nvars) {
                if (v.k == G_INVALID)
                    sk_buf_puts(s->out, "<no value>");
                else
                    sk_gt_sprint_v(s->out, &v);
            }
            break;
        }
        case GN_IF:
        case GN_WITH: ok = walk_if_with(s, dot, nd); break;
        case GN_RANGE: ok = walk_range(s, dot, nd); break;
        case GN_TEMPLATE: ok = walk_template(s, dot, nd); break;
        case GN_BREAK: s->brk = 1; return true;
        case GN_CONTINUE: s->brk = 2; return true;
        }
        if (!ok) return false;
        if (s->brk) return true;
    }
    return true;
}

sk_err sk_gotemplate_exec(const struct sk_gotemplate *t, const struct sk_val *root,
                          bool allow_missing, struct sk_buf *out, struct sk_error **err)
{
    struct state s = {
            .t = t, .tname = "output", .out = out, .allow_missing = allow_missing, .err = err};
    struct gv r = sk_gt_from_val(root);
    r.data = false;
    if (r.k == G_NIL) r = invalid;
    push_var(&s, "$", r);
    bool ok = walk(&s, r, t->root);
    free(s.vars);
    for (size_t i = 0; i < s.nstrs; i++)
        free(s.strs[i]);
    free(s.strs);
    for (size_t i = 0; i < s.nvals; i++)
        sk_val_free(s.vals[i]);
    free(s.vals);
    if (!ok && err && !*err) sk_fail(err, SK_EINTERNAL, "template: output: execution failed");
    return ok ? SK_OK : SK_EINVAL;
}

void sk_gotemplate_sprint(const struct sk_val *v, struct sk_buf *out)
{
    struct gv g = sk_gt_from_val(v);
    sk_gt_sprint_v(out, &g);
}

/* ---- the CLI's -o go-template printer ---- */

static bool has_pfx(const char *s, const char *p)
{
    return !strncmp(s, p, strlen(p));
}

bool sk_gotemplate_is_format(const char *fmt)
{
    static const char *const names[] = {"go-template", "go-template-file", "template",
                                        "templatefile"};
    if (!fmt) return false;
    for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
        size_t n = strlen(names[i]);
        if (!strncmp(fmt, names[i], n) && (fmt[n] == 0 || fmt[n] == '=')) return true;
    }
    return false;
}

int sk_cli_print_gotemplate(struct sk_cli *c, const char *fmt, const struct sk_val *root)
{
    const char *eq = strchr(fmt, '=');
    bool file = has_pfx(fmt, "go-template-file") || has_pfx(fmt, "templatefile");
    const char *arg = eq ? eq + 1 : NULL;
    if (!arg && sk_cli_has_flag(c, "template")) arg = sk_cli_str(c, "template");
    if (!arg || !*arg) return sk_cli_fail(c, "template format specified but no template given");
    struct sk_buf text = {0};
    if (file) {
        FILE *f = fopen(arg, "rb");
        if (!f) {
            /* Go's syscall messages are strerror's, lowercased */
            char msg[128];
            snprintf(msg, sizeof(msg), "%s", strerror(errno));
            msg[0] = (char)tolower((unsigned char)msg[0]);
            return sk_cli_fail(c, "error reading --template %s, open %s: %s", arg, arg, msg);
        }
        char tmp[8192];
        size_t n;
        while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0 && text.len < (4u << 20))
            sk_buf_append(&text, tmp, n);
        bool bad = ferror(f);
        fclose(f);
        if (bad) {
            sk_buf_free(&text);
            return sk_cli_fail(c, "error reading --template %s, read %s: %s", arg, arg,
                               strerror(EIO));
        }
    } else {
        sk_buf_puts(&text, arg);
    }
    sk_buf_putc(&text, 0);
    struct sk_gotemplate *t = NULL;
    struct sk_error *e = NULL;
    if (sk_gotemplate_parse(text.p, text.len - 1, &t, &e)) {
        int rc =
                sk_cli_fail(c, "error parsing template %s, %s", text.p, sk_error_msg(e, SK_EINVAL));
        sk_error_free(e);
        sk_buf_free(&text);
        return rc;
    }
    bool allow = !sk_cli_has_flag(c, "allow-missing-template-keys") ||
                 sk_cli_bool(c, "allow-missing-template-keys");
    struct sk_buf out = {0};
    sk_err rc = sk_gotemplate_exec(t, root, allow, &out, &e);
    sk_gotemplate_free(t);
    if (rc) {
        /* kubectl writes its debugging text to the output, then fails */
        sk_buf_printf(&out,
                      "Error executing template: %s. Printing more information for "
                      "debugging the template:\n\ttemplate was:\n\t\t",
                      sk_error_msg(e, rc));
        sk_buf_append(&out, text.p, text.len - 1);
        sk_buf_puts(&out, "\n\traw data was:\n\t\t");
        /* kubectl marshals what the server sent: maps, keys sorted */
        struct sk_val *sorted = sk_cli_sorted(root);
        sk_json_write(sorted, SK_JSON_COMPACT, &out);
        sk_val_free(sorted);
        sk_buf_puts(&out, "\n\tobject given to template engine was:\n\t\t");
        sk_gotemplate_sprint(root, &out);
        sk_buf_puts(&out, "\n\n");
    }
    fwrite(out.p, 1, out.len, c->out);
    sk_buf_free(&out);
    if (rc) {
        struct sk_buf q = {0};
        sk_gt_quote(&q, text.p, text.len - 1);
        sk_buf_putc(&q, 0);
        int r = sk_cli_fail(c, "error executing template %s: %s", q.p, sk_error_msg(e, rc));
        sk_buf_free(&q);
        sk_error_free(e);
        sk_buf_free(&text);
        return r;
    }
    sk_buf_free(&text);
    return 0;
}
