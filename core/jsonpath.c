/* kubectl's JSONPath: a parser that follows client-go's grammar and
 * messages, and an evaluator over value trees with its result rules. */
#include "jsonpath.h"
#include "json.h"
#include "mem.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum jop {
    J_TEXT = 1,
    J_LIST, /* an action (top level only) */
    J_FIELD,
    J_WILD,
    J_RECURSIVE,
    J_ARRAY,
    J_UNION,
    J_FILTER,
    J_INT,
    J_FLOAT,
    J_BOOL,
    J_IDENT,
};

struct jlist;

struct jparam {
    long long v;
    bool known, derived;
};

struct jnode {
    enum jop op;
    char *text; /* TEXT, FIELD, IDENT; FILTER: the operator */
    long long i;
    double f;
    bool b;
    struct jparam p[3];
    struct jlist *subs; /* UNION: nsubs lists; FILTER: [0] left, [1] right; LIST: [0] */
    size_t nsubs;
};

struct jlist {
    struct jnode *v;
    size_t n;
};

struct sk_jsonpath {
    struct jlist root; /* J_TEXT and J_LIST items */
};

struct parser {
    const char *s;
    size_t n, pos, start;
    int depth;
};

#define MAX_DEPTH 64

static void list_free(struct jlist *l);

static void node_free(struct jnode *nd)
{
    free(nd->text);
    for (size_t i = 0; i < nd->nsubs; i++)
        list_free(&nd->subs[i]);
    free(nd->subs);
}

static void list_free(struct jlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        node_free(&l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static struct jnode *append(struct jlist *l, enum jop op)
{
    l->v = sk_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
    struct jnode *nd = &l->v[l->n++];
    memset(nd, 0, sizeof(*nd));
    nd->op = op;
    return nd;
}

void sk_jsonpath_free(struct sk_jsonpath *jp)
{
    if (!jp) return;
    list_free(&jp->root);
    free(jp);
}

/* ---- lexer helpers (bytes; non-ASCII bytes count as letters) ---- */

static int peekc(const struct parser *p)
{
    return p->pos < p->n ? (unsigned char)p->s[p->pos] : -1;
}

static int nextc(struct parser *p)
{
    return p->pos < p->n ? (unsigned char)p->s[p->pos++] : (p->pos++, -1);
}

static void backup(struct parser *p)
{
    p->pos--;
}

static char *consume(struct parser *p)
{
    size_t end = p->pos > p->n ? p->n : p->pos;
    char *t = sk_xstrndup(p->s + p->start, end > p->start ? end - p->start : 0);
    p->start = p->pos;
    return t;
}

static bool is_space(int r)
{
    return r == ' ' || r == '\t';
}

static bool is_eol(int r)
{
    return r == '\r' || r == '\n';
}

static bool is_terminator(int r)
{
    if (is_space(r) || is_eol(r)) return true;
    switch (r) {
    case -1:
    case '.':
    case ',':
    case '[':
    case ']':
    case '$':
    case '@':
    case '{':
    case '}': return true;
    }
    return false;
}

static bool is_alnum(int r)
{
    return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') ||
           r >= 0x80;
}

static bool has_prefix(const struct parser *p, const char *pre)
{
    size_t l = strlen(pre);
    return p->pos + l <= p->n && !memcmp(p->s + p->pos, pre, l);
}

static sk_err parse_inside(struct parser *p, struct jlist *cur, struct sk_error **err);

/* Parse text as the inside of one action (client-go's parseAction). */
static sk_err parse_sub(const char *text, size_t len, int depth, struct jlist *out,
                        struct sk_error **err)
{
    if (depth > MAX_DEPTH) return sk_fail(err, SK_EINVAL, "jsonpath nested too deeply");
    struct parser q = {.s = text, .n = len, .depth = depth};
    /* the sub-template is "{text}": its own right delimiter ends it */
    char *wrapped = sk_xasprintf("%.*s}", (int)len, text);
    q.s = wrapped;
    q.n = len + 1;
    sk_err rc = parse_inside(&q, out, err);
    if (!rc && q.pos < q.n) {
        /* text after the closing brace: client-go would parse it as more
         * template text; inside a filter or union that cannot be valid */
        rc = sk_fail(err, SK_EINVAL, "unrecognized character in action: U+007D '}'");
    }
    free(wrapped);
    if (rc) list_free(out);
    return rc;
}

static sk_err parse_field(struct parser *p, struct jlist *cur, struct sk_error **err)
{
    (void)err;
    p->start = p->pos; /* after the '.' */
    for (;;) {
        int r = nextc(p);
        if (r == '\\') {
            nextc(p);
            continue;
        }
        if (is_terminator(r)) {
            backup(p);
            break;
        }
    }
    char *v = consume(p);
    if (!strcmp(v, "*")) {
        free(v);
        append(cur, J_WILD);
        return SK_OK;
    }
    /* drop the backslashes of escapes, as client-go does */
    char *w = v;
    for (char *r = v; *r; r++)
        if (*r != '\\') *w++ = *r;
    *w = 0;
    append(cur, J_FIELD)->text = v;
    return SK_OK;
}

static bool parse_ll(const char *s, long long *out)
{
    if (!*s) return false;
    const char *q = s;
    if (*q == '+' || *q == '-') q++;
    if (!*q) return false;
    for (const char *r = q; *r; r++)
        if (*r < '0' || *r > '9') return false;
    errno = 0;
    *out = strtoll(s, NULL, 10);
    return !errno;
}

/* client-go's slice regexp: ^(-?[\d]*)(:-?[\d]*)?(:-?[\d]*)?$ */
static bool split_slice(const char *t, char parts[3][32], bool present[3])
{
    const char *q = t;
    for (int i = 0; i < 3; i++) {
        present[i] = false;
        parts[i][0] = 0;
        if (i > 0) {
            if (*q != ':') break;
            q++;
            present[i] = true;
        }
        size_t k = 0;
        if (*q == '-') parts[i][k++] = *q++;
        while (*q >= '0' && *q <= '9') {
            if (k >= 30) return false;
            parts[i][k++] = *q++;
        }
        parts[i][k] = 0;
        if (i == 0) present[0] = k > 0;
    }
    return *q == 0;
}

static sk_err parse_array(struct parser *p, struct jlist *cur, struct sk_error **err)
{
    /* p->pos is just after '['; find ']' */
    for (;;) {
        int r = nextc(p);
        if (r == -1 || r == '\n') return sk_fail(err, SK_EINVAL, "unterminated array");
        if (r == ']') break;
    }
    char *all = consume(p); /* "[...]" */
    size_t al = strlen(all);
    char *text = sk_xstrndup(all + 1, al - 2);
    free(all);
    if (!strcmp(text, "*")) {
        free(text);
        text = sk_xstrdup(":");
    }
    sk_err rc = SK_OK;
    if (strchr(text, ',')) {
        struct jnode *u = append(cur, J_UNION);
        for (const char *q = text;;) {
            size_t n = strcspn(q, ",");
            const char *b = q, *e = q + n;
            while (b < e && *b == ' ')
                b++;
            while (e > b && e[-1] == ' ')
                e--;
            char *sub = sk_xasprintf("[%.*s]", (int)(e - b), b);
            u->subs = sk_xrealloc(u->subs, (u->nsubs + 1) * sizeof(*u->subs));
            memset(&u->subs[u->nsubs], 0, sizeof(*u->subs));
            rc = parse_sub(sub, strlen(sub), p->depth + 1, &u->subs[u->nsubs], err);
            free(sub);
            if (rc) break;
            u->nsubs++;
            if (!q[n]) break;
            q += n + 1;
        }
        free(text);
        return rc;
    }
    size_t tl = strlen(text);
    if (tl >= 2 && text[0] == '\'' && text[tl - 1] == '\'' && !memchr(text + 1, '\'', tl - 2)) {
        /* client-go parses a quoted key as the fields ".KEY": a dot in it
         * separates names unless escaped (['a\.b']), so ['a.b'] is .a.b */
        char *sub = sk_xasprintf(".%.*s", (int)(tl - 2), text + 1);
        struct jlist l = {0};
        rc = parse_sub(sub, strlen(sub), p->depth + 1, &l, err);
        free(sub);
        free(text);
        if (rc) return rc;
        for (size_t i = 0; i < l.n; i++)
            *append(cur, l.v[i].op) = l.v[i];
        free(l.v);
        return SK_OK;
    }
    char parts[3][32];
    bool present[3] = {false, false, false};
    if (!split_slice(text, parts, present)) {
        rc = sk_fail(err, SK_EINVAL, "invalid array index %s", text);
        free(text);
        return rc;
    }
    struct jnode *a = append(cur, J_ARRAY);
    for (int i = 0; i < 3; i++) {
        if (present[i]) {
            if (i > 0 && !parts[i][0]) {
                a->p[i].known = false;
            } else if (!parse_ll(parts[i], &a->p[i].v)) {
                rc = sk_fail(err, SK_EINVAL, "array index %s is not a number", parts[i]);
                break;
            } else {
                a->p[i].known = true;
            }
        } else if (i == 1) {
            a->p[1].known = true;
            a->p[1].v = a->p[0].v + 1;
            a->p[1].derived = true;
        }
    }
    free(text);
    return rc;
}

static sk_err parse_filter(struct parser *p, struct jlist *cur, struct sk_error **err)
{
    p->pos += 3; /* "[?(" */
    p->start = p->pos;
    bool begin = false, end = false;
    int pair = 0;
    for (;;) {
        int r = nextc(p);
        if (r == -1 || r == '\n') return sk_fail(err, SK_EINVAL, "unterminated filter");
        if (r == '"' || r == '\'') {
            if (!begin) {
                begin = true;
                pair = r;
                continue;
            }
            if (p->pos >= 2 && p->s[p->pos - 2] != '\\' && r == pair) end = true;
        } else if (r == ')') {
            if (begin == end) break;
        }
    }
    if (nextc(p) != ']') return sk_fail(err, SK_EINVAL, "unclosed array expect ]");
    char *text = consume(p);
    size_t tl = strlen(text) - 2; /* drop ")]" */
    text[tl] = 0;
    /* ^([^!<>=]+)([!<>=]+)(.+?)$ */
    size_t l1 = strcspn(text, "!<>=");
    size_t l2 = l1 < tl ? strspn(text + l1, "!<>=") : 0;
    struct jnode *f = append(cur, J_FILTER);
    f->subs = sk_xcalloc(2, sizeof(*f->subs));
    f->nsubs = 2;
    sk_err rc;
    if (l1 == 0 || l2 == 0 || l1 + l2 >= tl) {
        f->text = sk_xstrdup("exists");
        rc = parse_sub(text, tl, p->depth + 1, &f->subs[0], err);
    } else {
        f->text = sk_xstrndup(text + l1, l2);
        rc = parse_sub(text, l1, p->depth + 1, &f->subs[0], err);
        if (!rc) rc = parse_sub(text + l1 + l2, tl - l1 - l2, p->depth + 1, &f->subs[1], err);
    }
    free(text);
    return rc;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Go's strconv.Unquote for "..." and '...' (client-go's UnquoteExtend). */
static char *unquote(const char *q, size_t n)
{
    struct sk_buf b = {0};
    for (size_t i = 1; i + 1 < n; i++) {
        char c = q[i];
        if (c != '\\') {
            sk_buf_putc(&b, c);
            continue;
        }
        if (++i + 1 > n - 1) goto bad;
        c = q[i];
        switch (c) {
        case 'n': sk_buf_putc(&b, '\n'); break;
        case 't': sk_buf_putc(&b, '\t'); break;
        case 'r': sk_buf_putc(&b, '\r'); break;
        case 'a': sk_buf_putc(&b, '\a'); break;
        case 'b': sk_buf_putc(&b, '\b'); break;
        case 'f': sk_buf_putc(&b, '\f'); break;
        case 'v': sk_buf_putc(&b, '\v'); break;
        case '\\': sk_buf_putc(&b, '\\'); break;
        case '"':
        case '\'':
            if (c != q[0]) goto bad;
            sk_buf_putc(&b, c);
            break;
        case 'x':
        case 'u':
        case 'U': {
            int digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
            unsigned cp = 0;
            for (int k = 0; k < digits; k++) {
                if (i + 1 >= n - 1) goto bad;
                int h = hexval((unsigned char)q[++i]);
                if (h < 0) goto bad;
                cp = cp * 16 + (unsigned)h;
            }
            if (c == 'x') {
                sk_buf_putc(&b, (char)cp);
            } else {
                if (cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000)) goto bad;
                sk_buf_put_utf8(&b, cp);
            }
            break;
        }
        default: goto bad;
        }
    }
    sk_buf_putc(&b, 0);
    return sk_buf_take(&b, NULL);
bad:
    sk_buf_free(&b);
    return NULL;
}

static sk_err parse_quote(struct parser *p, struct jlist *cur, int end, struct sk_error **err)
{
    for (;;) {
        int r = nextc(p);
        if (r == -1 || r == '\n') return sk_fail(err, SK_EINVAL, "unterminated quoted string");
        if (r == '\\') {
            r = nextc(p);
            if (r == -1 || r == '\n') return sk_fail(err, SK_EINVAL, "unterminated quoted string");
            continue;
        }
        if (r == end) break;
    }
    char *v = consume(p);
    char *s = unquote(v, strlen(v));
    if (!s) {
        sk_err rc = sk_fail(err, SK_EINVAL, "unquote string %s error invalid syntax", v);
        free(v);
        return rc;
    }
    free(v);
    append(cur, J_TEXT)->text = s;
    return SK_OK;
}

static sk_err parse_number(struct parser *p, struct jlist *cur, struct sk_error **err)
{
    int r = peekc(p);
    if (r == '+' || r == '-') nextc(p);
    for (;;) {
        r = nextc(p);
        if (r != '.' && !(r >= '0' && r <= '9')) {
            backup(p);
            break;
        }
    }
    char *v = consume(p);
    long long i;
    if (parse_ll(v, &i)) {
        append(cur, J_INT)->i = i;
        free(v);
        return SK_OK;
    }
    char *end;
    double d = strtod(v, &end);
    if (*v && !*end && strspn(v, "+-.0123456789") == strlen(v) && strchr(v, '.') &&
        strcspn(v, "0123456789") < strlen(v)) {
        append(cur, J_FLOAT)->f = d;
        free(v);
        return SK_OK;
    }
    sk_err rc = sk_fail(err, SK_EINVAL, "cannot parse number %s", v);
    free(v);
    return rc;
}

static sk_err parse_ident(struct parser *p, struct jlist *cur)
{
    for (;;) {
        int r = nextc(p);
        if (is_terminator(r)) {
            backup(p);
            break;
        }
    }
    char *v = consume(p);
    if (!strcmp(v, "true") || !strcmp(v, "false")) {
        append(cur, J_BOOL)->b = v[0] == 't';
        free(v);
        return SK_OK;
    }
    append(cur, J_IDENT)->text = v;
    return SK_OK;
}

/* Everything inside one action, up to and including its '}'. */
static sk_err parse_inside(struct parser *p, struct jlist *cur, struct sk_error **err)
{
    for (;;) {
        sk_err rc = SK_OK;
        if (has_prefix(p, "}")) {
            p->pos++;
            p->start = p->pos;
            return SK_OK;
        }
        if (has_prefix(p, "[?(")) {
            rc = parse_filter(p, cur, err);
            if (rc) return rc;
            continue;
        }
        if (has_prefix(p, "..")) {
            if (cur->n && cur->v[cur->n - 1].op == J_RECURSIVE)
                return sk_fail(err, SK_EINVAL, "invalid multiple recursive descent");
            p->pos += 2;
            p->start = p->pos;
            append(cur, J_RECURSIVE);
            if (is_alnum(peekc(p))) rc = parse_field(p, cur, err);
            if (rc) return rc;
            continue;
        }
        int r = nextc(p);
        if (r == -1 || is_eol(r)) return sk_fail(err, SK_EINVAL, "unclosed action");
        if (r == ' ' || r == '@' || r == '$') {
            p->start = p->pos;
            continue;
        }
        if (r == '[') {
            rc = parse_array(p, cur, err);
        } else if (r == '"' || r == '\'') {
            rc = parse_quote(p, cur, r, err);
        } else if (r == '.') {
            rc = parse_field(p, cur, err);
        } else if (r == '+' || r == '-' || (r >= '0' && r <= '9')) {
            backup(p);
            rc = parse_number(p, cur, err);
        } else if (is_alnum(r)) {
            backup(p);
            rc = parse_ident(p, cur);
        } else if (r < 0x80) {
            return sk_fail(err, SK_EINVAL, "unrecognized character in action: U+%04X '%c'", r,
                           r >= 0x20 && r < 0x7f ? r : '?');
        } else {
            return sk_fail(err, SK_EINVAL, "unrecognized character in action");
        }
        if (rc) return rc;
    }
}

sk_err sk_jsonpath_parse(const char *tmpl, struct sk_jsonpath **out, struct sk_error **err)
{
    struct sk_jsonpath *jp = sk_xcalloc(1, sizeof(*jp));
    struct parser p = {.s = tmpl, .n = strlen(tmpl)};
    sk_err rc = SK_OK;
    while (p.pos < p.n) {
        const char *lb = memchr(p.s + p.pos, '{', p.n - p.pos);
        size_t at = lb ? (size_t)(lb - p.s) : p.n;
        if (at > p.pos) append(&jp->root, J_TEXT)->text = sk_xstrndup(p.s + p.pos, at - p.pos);
        if (!lb) break;
        p.pos = at + 1;
        p.start = p.pos;
        struct jnode *l = append(&jp->root, J_LIST);
        l->subs = sk_xcalloc(1, sizeof(*l->subs));
        l->nsubs = 1;
        rc = parse_inside(&p, &l->subs[0], err);
        if (rc) break;
    }
    if (rc) {
        sk_jsonpath_free(jp);
        return rc;
    }
    *out = jp;
    return SK_OK;
}

/* ---- evaluation ---- */

struct vals {
    const struct sk_val **v;
    size_t n;
};

struct eval {
    bool allow_missing;
    struct sk_val *pool; /* array owning values made during evaluation */
    bool begin_range;
    int in_range;
    bool end_seen;
    size_t budget; /* bounds the work on hostile templates */
};

static void vpush(struct vals *r, const struct sk_val *v)
{
    if ((r->n & (r->n - 1)) == 0 || r->n == 0) {
        size_t cap = r->n ? r->n * 2 : 4;
        r->v = sk_xrealloc(r->v, cap * sizeof(*r->v));
    }
    r->v[r->n++] = v;
}

static const struct sk_val *own(struct eval *e, struct sk_val *v)
{
    return sk_arr_push(e->pool, v);
}

static const char *go_type(const struct sk_val *v)
{
    switch (v->type) {
    case SK_V_MAP: return "map[string]interface {}";
    case SK_V_ARR: return "[]interface {}";
    case SK_V_STR: return "string";
    case SK_V_INT: return "int64";
    case SK_V_FLOAT: return "float64";
    case SK_V_BOOL: return "bool";
    default: return "<nil>";
    }
}

static sk_err eval_list(struct eval *e, const struct vals *in, const struct jlist *l,
                        struct vals *out, struct sk_error **err);

static void recurse(struct eval *e, const struct sk_val *v, struct vals *out)
{
    size_t nch = v->type == SK_V_MAP ? v->u.m.n : v->type == SK_V_ARR ? v->u.a.n : 0;
    if (!nch) return;
    vpush(out, v);
    for (size_t i = 0; i < nch; i++) {
        if (e->budget) e->budget--;
        recurse(e, v->type == SK_V_MAP ? v->u.m.kv[i].val : v->u.a.items[i], out);
    }
}

static int cmp_kind(const struct sk_val *v)
{
    switch (v->type) {
    case SK_V_INT: return 1;
    case SK_V_FLOAT: return 2;
    case SK_V_STR: return 3;
    case SK_V_BOOL: return 4;
    default: return 0;
    }
}

/* text/template's comparisons: <0, 0, >0, or an error. */
static sk_err compare(const struct sk_val *a, const struct sk_val *b, const char *op, bool *pass,
                      struct sk_error **err)
{
    int ka = cmp_kind(a), kb = cmp_kind(b);
    bool eq_op = !strcmp(op, "==") || !strcmp(op, "!=");
    if (!ka || !kb) return sk_fail(err, SK_EINVAL, "invalid type for comparison");
    if (ka != kb) return sk_fail(err, SK_EINVAL, "incompatible types for comparison");
    int c = 0;
    switch (ka) {
    case 1: c = a->u.i < b->u.i ? -1 : a->u.i > b->u.i; break;
    case 2: c = a->u.f < b->u.f ? -1 : a->u.f > b->u.f; break;
    case 3: {
        size_t n = a->u.s.len < b->u.s.len ? a->u.s.len : b->u.s.len;
        c = memcmp(a->u.s.p, b->u.s.p, n);
        if (!c) c = a->u.s.len < b->u.s.len ? -1 : a->u.s.len > b->u.s.len;
        break;
    }
    case 4:
        if (!eq_op) return sk_fail(err, SK_EINVAL, "invalid type for comparison");
        c = a->u.b != b->u.b;
        break;
    }
    if (!strcmp(op, "=="))
        *pass = c == 0;
    else if (!strcmp(op, "!="))
        *pass = c != 0;
    else if (!strcmp(op, "<"))
        *pass = c < 0;
    else if (!strcmp(op, ">"))
        *pass = c > 0;
    else if (!strcmp(op, "<="))
        *pass = c <= 0;
    else if (!strcmp(op, ">="))
        *pass = c >= 0;
    else
        return sk_fail(err, SK_EINVAL, "unrecognized filter operator %s", op);
    return SK_OK;
}

static sk_err eval_node(struct eval *e, const struct vals *in, const struct jnode *nd,
                        struct vals *out, struct sk_error **err)
{
    if (e->budget == 0) return sk_fail(err, SK_ETOOBIG, "jsonpath evaluation is too large");
    e->budget--;
    switch (nd->op) {
    case J_TEXT: vpush(out, own(e, sk_val_str(nd->text))); return SK_OK;
    case J_INT: vpush(out, own(e, sk_val_int(nd->i))); return SK_OK;
    case J_FLOAT: vpush(out, own(e, sk_val_float(nd->f))); return SK_OK;
    case J_BOOL: vpush(out, own(e, sk_val_bool(nd->b))); return SK_OK;
    case J_IDENT:
        if (!strcmp(nd->text, "range")) {
            e->begin_range = true;
            for (size_t i = 0; i < in->n; i++)
                vpush(out, in->v[i]);
            return SK_OK;
        }
        if (!strcmp(nd->text, "end")) {
            if (e->in_range <= 0) return sk_fail(err, SK_EINVAL, "not in range, nothing to end");
            e->end_seen = true;
            return SK_OK;
        }
        return sk_fail(err, SK_EINVAL, "unrecognized identifier %s", nd->text);
    case J_FIELD:
        if (!*nd->text) {
            for (size_t i = 0; i < in->n; i++)
                vpush(out, in->v[i]);
            return SK_OK;
        }
        for (size_t i = 0; i < in->n; i++) {
            const struct sk_val *r = sk_map_get(in->v[i], nd->text);
            if (r) vpush(out, r);
        }
        if (!out->n && in->n && !e->allow_missing)
            return sk_fail(err, SK_ENOENT, "%s is not found", nd->text);
        return SK_OK;
    case J_WILD:
        for (size_t i = 0; i < in->n; i++) {
            const struct sk_val *v = in->v[i];
            if (v->type == SK_V_MAP)
                for (size_t j = 0; j < v->u.m.n; j++)
                    vpush(out, v->u.m.kv[j].val);
            else if (v->type == SK_V_ARR)
                for (size_t j = 0; j < v->u.a.n; j++)
                    vpush(out, v->u.a.items[j]);
        }
        return SK_OK;
    case J_RECURSIVE:
        for (size_t i = 0; i < in->n; i++)
            recurse(e, in->v[i], out);
        return SK_OK;
    case J_ARRAY:
        for (size_t i = 0; i < in->n; i++) {
            const struct sk_val *v = in->v[i];
            if (v->type == SK_V_NULL) continue;
            if (v->type != SK_V_ARR)
                return sk_fail(err, SK_EINVAL, "%s is not array or slice", go_type(v));
            long long len = (long long)v->u.a.n;
            struct jparam p0 = nd->p[0], p1 = nd->p[1], p2 = nd->p[2];
            if (!p0.known) p0.v = 0;
            if (p0.v < 0) p0.v += len;
            if (!p1.known) p1.v = len;
            if (p1.v < 0 || (p1.v == 0 && p1.derived)) p1.v += len;
            if (p1.v == p0.v) return SK_OK;
            if (p0.v >= len || p0.v < 0)
                return sk_fail(err, SK_EINVAL, "array index out of bounds: index %lld, length %lld",
                               p0.v, len);
            if (p1.v > len || p1.v < 0)
                return sk_fail(err, SK_EINVAL, "array index out of bounds: index %lld, length %lld",
                               p1.v - 1, len);
            if (p0.v > p1.v)
                return sk_fail(err, SK_EINVAL,
                               "starting index %lld is greater than ending index %lld", p0.v, p1.v);
            long long step = 1;
            if (p2.known) {
                if (p2.v <= 0) return sk_fail(err, SK_EINVAL, "step must be > 0");
                step = p2.v;
            }
            for (long long j = p0.v; j < p1.v; j += step)
                vpush(out, v->u.a.items[j]);
        }
        return SK_OK;
    case J_UNION:
        for (size_t s = 0; s < nd->nsubs; s++) {
            struct vals r = {0};
            sk_err rc = eval_list(e, in, &nd->subs[s], &r, err);
            for (size_t j = 0; j < r.n; j++)
                vpush(out, r.v[j]);
            free(r.v);
            if (rc) return rc;
        }
        return SK_OK;
    case J_FILTER:
        for (size_t i = 0; i < in->n; i++) {
            const struct sk_val *v = in->v[i];
            if (v->type != SK_V_ARR) {
                struct sk_buf b = {0};
                sk_go_sprint(v, &b);
                sk_buf_putc(&b, 0);
                sk_err rc = sk_fail(err, SK_EINVAL,
                                    "%s is not array or slice and cannot be filtered", b.p);
                sk_buf_free(&b);
                return rc;
            }
            for (size_t j = 0; j < v->u.a.n; j++) {
                const struct sk_val *item = v->u.a.items[j];
                struct vals one = {.v = &item, .n = 1};
                struct vals l = {0}, r = {0};
                bool exists = !strcmp(nd->text, "exists");
                struct sk_error *lerr = NULL;
                sk_err rc = eval_list(e, &one, &nd->subs[0], &l, exists ? &lerr : err);
                if (exists) {
                    if (l.n) vpush(out, item);
                    free(l.v);
                    /* a missing key only means "does not exist" */
                    if (rc && rc != SK_ENOENT) {
                        rc = sk_fail(err, rc, "%s", sk_error_msg(lerr, rc));
                        sk_error_free(lerr);
                        return rc;
                    }
                    sk_error_free(lerr);
                    continue;
                }
                if (rc || l.n == 0) {
                    free(l.v);
                    if (rc) return rc;
                    continue;
                }
                if (l.n > 1) {
                    free(l.v);
                    return sk_fail(err, SK_EINVAL, "can only compare one element at a time");
                }
                rc = eval_list(e, &one, &nd->subs[1], &r, err);
                if (rc || r.n == 0) {
                    free(l.v);
                    free(r.v);
                    if (rc) return rc;
                    continue;
                }
                if (r.n > 1) {
                    free(l.v);
                    free(r.v);
                    return sk_fail(err, SK_EINVAL, "can only compare one element at a time");
                }
                bool pass = false;
                rc = compare(l.v[0], r.v[0], nd->text, &pass, err);
                free(l.v);
                free(r.v);
                if (rc) return rc;
                if (pass) vpush(out, item);
            }
        }
        return SK_OK;
    case J_LIST: return eval_list(e, in, &nd->subs[0], out, err);
    }
    return SK_OK;
}

static sk_err eval_list(struct eval *e, const struct vals *in, const struct jlist *l,
                        struct vals *out, struct sk_error **err)
{
    struct vals cur = {0};
    for (size_t i = 0; i < in->n; i++)
        vpush(&cur, in->v[i]);
    for (size_t k = 0; k < l->n; k++) {
        struct vals next = {0};
        sk_err rc = eval_node(e, &cur, &l->v[k], &next, err);
        free(cur.v);
        cur = next;
        if (rc) {
            free(cur.v);
            return rc;
        }
    }
    *out = cur;
    return SK_OK;
}

static void add_set(struct sk_val *sets, const struct vals *r)
{
    struct sk_val *s = sk_arr_push(sets, sk_val_arr());
    for (size_t i = 0; i < r->n; i++)
        sk_arr_push(s, sk_val_dup(r->v[i]));
}

/* The index after the {end} that closes the range opened at items[i]. */
static size_t range_end(const struct jlist *items, size_t i, size_t *end_at)
{
    int depth = 1;
    for (size_t k = i + 1; k < items->n; k++) {
        const struct jnode *nd = &items->v[k];
        if (nd->op != J_LIST) continue;
        const struct jlist *l = &nd->subs[0];
        for (size_t j = 0; j < l->n; j++) {
            if (l->v[j].op != J_IDENT) continue;
            if (!strcmp(l->v[j].text, "range")) depth++;
            if (!strcmp(l->v[j].text, "end") && --depth == 0) {
                *end_at = k;
                return k + 1;
            }
        }
    }
    *end_at = items->n;
    return items->n;
}

static sk_err run_items(struct eval *e, const struct jlist *items, size_t from, size_t to,
                        const struct sk_val *root, struct sk_val *sets, struct sk_error **err)
{
    const struct sk_val *rp = root;
    struct vals cur = {.v = &rp, .n = 1};
    for (size_t i = from; i < to; i++) {
        struct vals r = {0};
        e->begin_range = e->end_seen = false;
        sk_err rc;
        if (items->v[i].op == J_TEXT) {
            rc = eval_node(e, &cur, &items->v[i], &r, err);
        } else {
            rc = eval_list(e, &cur, &items->v[i].subs[0], &r, err);
        }
        if (rc) {
            free(r.v);
            return rc;
        }
        if (e->end_seen) {
            free(r.v);
            continue; /* a stray end inside a range body: its block ends here */
        }
        if (e->begin_range) {
            size_t end_at;
            size_t after = range_end(items, i, &end_at);
            e->in_range++;
            for (size_t k = 0; k < r.n && !rc; k++)
                rc = run_items(e, items, i + 1, end_at, r.v[k], sets, err);
            e->in_range--;
            free(r.v);
            if (rc) return rc;
            i = after - 1;
            continue;
        }
        add_set(sets, &r);
        free(r.v);
    }
    return SK_OK;
}

sk_err sk_jsonpath_find(const struct sk_jsonpath *jp, const struct sk_val *root, bool allow_missing,
                        struct sk_val **sets_out, struct sk_error **err)
{
    struct eval e = {.allow_missing = allow_missing, .pool = sk_val_arr(), .budget = 1u << 22};
    struct sk_val *sets = sk_val_arr();
    struct sk_val nullv = {.type = SK_V_NULL};
    sk_err rc = run_items(&e, &jp->root, 0, jp->root.n, root ? root : &nullv, sets, err);
    sk_val_free(e.pool);
    if (rc) {
        sk_val_free(sets);
        return rc;
    }
    *sets_out = sets;
    return SK_OK;
}

/* ---- printing ---- */

/* Go's %v of a float64: shortest digits, %e form when the exponent is
 * below -4 or at least 6 (strconv 'g' with shortest precision, as fmt
 * uses it). */
void sk_go_float(double f, struct sk_buf *out)
{
    if (isnan(f)) return sk_buf_puts(out, "NaN");
    if (isinf(f)) return sk_buf_puts(out, f > 0 ? "+Inf" : "-Inf");
    char tmp[64];
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, f);
        if (strtod(tmp, NULL) == f) break;
    }
    /* tmp is d.ddde±XX */
    char *ep = strchr(tmp, 'e');
    int exp = atoi(ep + 1);
    int eprec = 6;
    if (exp < -4 || exp >= eprec) {
        /* Go: mantissa then e+XX with at least two exponent digits */
        *ep = 0;
        sk_buf_printf(out, "%se%c%02d", tmp, exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
        return;
    }
    snprintf(tmp, sizeof(tmp), "%.*f", prec - 1 - exp > 0 ? prec - 1 - exp : 0, f);
    sk_buf_puts(out, tmp);
}

static struct sk_val *sorted_copy(const struct sk_val *v);

static int kv_cmp(const void *a, const void *b)
{
    const struct sk_kv *x = a, *y = b;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int c = memcmp(x->key, y->key, n);
    return c ? c : (x->klen < y->klen ? -1 : x->klen > y->klen);
}

static struct sk_val *sorted_copy(const struct sk_val *v)
{
    struct sk_val *c = sk_val_dup(v);
    struct sk_val *stack[SK_VAL_MAX_DEPTH + 2];
    size_t sp = 0;
    stack[sp++] = c;
    while (sp) {
        struct sk_val *x = stack[--sp];
        if (x->type == SK_V_MAP) {
            if (x->u.m.n > 1) qsort(x->u.m.kv, x->u.m.n, sizeof(struct sk_kv), kv_cmp);
            for (size_t i = 0; i < x->u.m.n; i++)
                if (x->u.m.kv[i].val->type >= SK_V_ARR && sp < SK_VAL_MAX_DEPTH + 1)
                    stack[sp++] = x->u.m.kv[i].val;
        } else if (x->type == SK_V_ARR) {
            for (size_t i = 0; i < x->u.a.n; i++)
                if (x->u.a.items[i]->type >= SK_V_ARR && sp < SK_VAL_MAX_DEPTH + 1)
                    stack[sp++] = x->u.a.items[i];
        }
    }
    return c;
}

void sk_jsonpath_print_value(const struct sk_val *v, struct sk_buf *out)
{
    switch (v->type) {
    case SK_V_STR: sk_buf_append(out, v->u.s.p, v->u.s.len); return;
    case SK_V_INT: sk_buf_printf(out, "%lld", (long long)v->u.i); return;
    case SK_V_FLOAT: sk_go_float(v->u.f, out); return;
    case SK_V_BOOL: sk_buf_puts(out, v->u.b ? "true" : "false"); return;
    case SK_V_NULL: sk_buf_puts(out, "null"); return;
    default: {
        struct sk_val *s = sorted_copy(v);
        sk_json_write(s, SK_JSON_COMPACT, out);
        sk_val_free(s);
    }
    }
}

void sk_go_sprint(const struct sk_val *v, struct sk_buf *out)
{
    switch (v->type) {
    case SK_V_NULL: sk_buf_puts(out, "<nil>"); return;
    case SK_V_MAP: {
        struct sk_val *s = sorted_copy(v);
        sk_buf_puts(out, "map[");
        for (size_t i = 0; i < s->u.m.n; i++) {
            if (i) sk_buf_putc(out, ' ');
            sk_buf_append(out, s->u.m.kv[i].key, s->u.m.kv[i].klen);
            sk_buf_putc(out, ':');
            sk_go_sprint(s->u.m.kv[i].val, out);
        }
        sk_buf_putc(out, ']');
        sk_val_free(s);
        return;
    }
    case SK_V_ARR:
        sk_buf_putc(out, '[');
        for (size_t i = 0; i < v->u.a.n; i++) {
            if (i) sk_buf_putc(out, ' ');
            sk_go_sprint(v->u.a.items[i], out);
        }
        sk_buf_putc(out, ']');
        return;
    default: sk_jsonpath_print_value(v, out); return;
    }
}

sk_err sk_jsonpath_exec(const struct sk_jsonpath *jp, const struct sk_val *root, bool allow_missing,
                        struct sk_buf *out, struct sk_error **err)
{
    struct sk_val *sets = NULL;
    sk_err rc = sk_jsonpath_find(jp, root, allow_missing, &sets, err);
    if (rc) return rc;
    for (size_t i = 0; i < sets->u.a.n; i++) {
        const struct sk_val *s = sets->u.a.items[i];
        for (size_t j = 0; j < s->u.a.n; j++) {
            sk_jsonpath_print_value(s->u.a.items[j], out);
            if (j + 1 < s->u.a.n) sk_buf_putc(out, ' ');
        }
    }
    sk_val_free(sets);
    return SK_OK;
}

char *sk_jsonpath_relaxed(const char *expr)
{
    size_t n = strlen(expr);
    if (!n) return sk_xstrdup("");
    const char *b = expr, *e = expr + n;
    if (*b == '{') {
        if (e[-1] != '}' || n < 2) return NULL;
        b++, e--;
    }
    if (b < e && *b == '.') b++;
    if (b >= e) return NULL;
    for (const char *q = b; q < e; q++)
        if (*q == '{' || *q == '}') return NULL;
    return sk_xasprintf("{.%.*s}", (int)(e - b), b);
}
