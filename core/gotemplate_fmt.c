/* Go's fmt for the template engine: printing values as %v, Sprint and
 * Sprintf with Go's verbs, flags and error forms ("%!d(string=x)",
 * "%!(EXTRA int=2)"). Part of gotemplate_exec.c's evaluation. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gotemplate_int.h"
#include "jsonpath.h"
#include "mem.h"

struct gv sk_gt_from_val(const struct sk_val *v)
{
    struct gv g = {.data = true};
    switch (v->type) {
    case SK_V_NULL: g.k = G_NIL; break;
    case SK_V_BOOL: g.k = G_BOOL, g.b = v->u.b; break;
    case SK_V_INT: g.k = G_INT, g.ity = IT_INT64, g.i = v->u.i; break;
    case SK_V_FLOAT: g.k = G_FLOAT, g.f = v->u.f; break;
    case SK_V_STR: g.k = G_STR, g.s = v->u.s.p, g.n = v->u.s.len; break;
    case SK_V_ARR: g.k = G_ARR, g.v = v; break;
    case SK_V_MAP: g.k = G_MAP, g.v = v; break;
    }
    return g;
}

const char *sk_gt_type_name(const struct gv *g)
{
    switch (g->k) {
    case G_INVALID:
    case G_NIL: return "<nil>";
    case G_BOOL: return "bool";
    case G_INT: return g->ity == IT_INT64 ? "int64" : g->ity == IT_UINT8 ? "uint8" : "int";
    case G_FLOAT: return "float64";
    case G_STR: return "string";
    case G_MAP: return "map[string]interface {}";
    case G_ARR: return "[]interface {}";
    }
    return "?";
}

/* ---- Go's fmt ---- */

struct spec {
    bool plus, minus, sharp, space, zero;
    int wid, prec; /* -1: absent */
    int verb;
};

static size_t runes(const char *p, size_t n)
{
    size_t r = 0;
    for (size_t i = 0; i < n; i++)
        r += ((unsigned char)p[i] & 0xc0) != 0x80;
    return r;
}

static void pad(struct sk_buf *b, const struct spec *sp, const char *p, size_t n)
{
    size_t w = runes(p, n);
    if (sp->wid < 0 || (size_t)sp->wid <= w) {
        sk_buf_append(b, p, n);
        return;
    }
    size_t fill = (size_t)sp->wid - w;
    if (sp->minus) {
        sk_buf_append(b, p, n);
        while (fill--)
            sk_buf_putc(b, ' ');
        return;
    }
    /* zero padding goes after a sign */
    if (sp->zero && n && (p[0] == '+' || p[0] == '-' || p[0] == ' ') && sp->verb != 's' &&
        sp->verb != 'q') {
        sk_buf_putc(b, p[0]);
        p++, n--;
    }
    while (fill--)
        sk_buf_putc(b, sp->zero ? '0' : ' ');
    sk_buf_append(b, p, n);
}

void sk_gt_quote(struct sk_buf *b, const char *p, size_t n)
{
    sk_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        switch (c) {
        case '\a': sk_buf_puts(b, "\\a"); continue;
        case '\b': sk_buf_puts(b, "\\b"); continue;
        case '\f': sk_buf_puts(b, "\\f"); continue;
        case '\n': sk_buf_puts(b, "\\n"); continue;
        case '\r': sk_buf_puts(b, "\\r"); continue;
        case '\t': sk_buf_puts(b, "\\t"); continue;
        case '\v': sk_buf_puts(b, "\\v"); continue;
        case '\\': sk_buf_puts(b, "\\\\"); continue;
        case '"': sk_buf_puts(b, "\\\""); continue;
        default: break;
        }
        if (c < 0x20 || c == 0x7f) {
            sk_buf_printf(b, "\\x%02x", c);
        } else if (c < 0x80) {
            sk_buf_putc(b, (char)c);
        } else {
            /* keep a valid UTF-8 sequence, escape stray bytes */
            size_t k = c >= 0xf0 && c < 0xf8 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
            bool ok = k && i + k <= n;
            for (size_t j = 1; ok && j < k; j++)
                ok = ((unsigned char)p[i + j] & 0xc0) == 0x80;
            if (!ok) {
                sk_buf_printf(b, "\\x%02x", c);
                continue;
            }
            sk_buf_append(b, p + i, k);
            i += k - 1;
        }
    }
    sk_buf_putc(b, '"');
}

static void fmt_int(struct sk_buf *b, const struct spec *sp, int64_t v)
{
    struct sk_buf t = {0};
    int verb = sp->verb;
    if (verb == 'c' || verb == 'q' || verb == 'U') {
        if (verb == 'c') {
            sk_buf_put_utf8(&t, v);
        } else if (verb == 'U') {
            sk_buf_printf(&t, "U+%04llX", (unsigned long long)v);
        } else {
            struct sk_buf r = {0};
            sk_buf_put_utf8(&r, v);
            sk_buf_putc(&t, '\'');
            if (v == '\'')
                sk_buf_puts(&t, "\\'");
            else if (v == '\\')
                sk_buf_puts(&t, "\\\\");
            else if (v == '\n')
                sk_buf_puts(&t, "\\n");
            else if (v == '\t')
                sk_buf_puts(&t, "\\t");
            else if (v >= 0 && v < 0x20)
                sk_buf_printf(&t, "\\x%02x", (unsigned)v);
            else
                sk_buf_append(&t, r.p, r.len);
            sk_buf_putc(&t, '\'');
            sk_buf_free(&r);
        }
        pad(b, sp, t.p, t.len);
        sk_buf_free(&t);
        return;
    }
    int base = verb == 'b'                  ? 2
               : verb == 'o' || verb == 'O' ? 8
               : verb == 'x' || verb == 'X' ? 16
                                            : 10;
    const char *dig = verb == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    char tmp[80];
    int n = 0;
    if (!(sp->prec == 0 && u == 0)) do
            tmp[n++] = dig[u % (unsigned)base], u /= (unsigned)base;
        while (u);
    int prec = sp->prec;
    if (prec < 0 && sp->zero && sp->wid > 0 && !sp->minus) {
        prec = sp->wid;
        if (v < 0 || sp->plus || sp->space) prec--;
    }
    while (n < prec && n < 70)
        tmp[n++] = '0';
    if (sp->sharp || verb == 'O') {
        if (base == 16)
            tmp[n++] = (char)verb, tmp[n++] = '0';
        else if (base == 2 && sp->sharp)
            tmp[n++] = 'b', tmp[n++] = '0';
        else if (verb == 'O')
            tmp[n++] = 'o', tmp[n++] = '0';
        else if (base == 8 && tmp[n - 1] != '0')
            tmp[n++] = '0';
    }
    if (v < 0)
        tmp[n++] = '-';
    else if (sp->plus)
        tmp[n++] = '+';
    else if (sp->space)
        tmp[n++] = ' ';
    for (int i = 0; i < n / 2; i++) {
        char c = tmp[i];
        tmp[i] = tmp[n - 1 - i], tmp[n - 1 - i] = c;
    }
    struct spec s2 = *sp;
    s2.zero = false;
    pad(b, &s2, tmp, (size_t)n);
}

/* Whether a verb (a rune: any code point, or 0) is one of set's ASCII
 * letters; strchr alone would match 0 and runes by their low byte. */
static bool verb_in(const char *set, int verb)
{
    return verb > 0 && verb < 128 && strchr(set, verb);
}

static void fmt_float(struct sk_buf *b, const struct spec *sp, double f)
{
    struct sk_buf t = {0};
    int verb = sp->verb == 'v' ? 'g' : sp->verb;
    if (isinf(f) || isnan(f)) {
        sk_buf_puts(&t, isnan(f) ? "NaN" : f > 0 ? (sp->plus ? "+Inf" : "+Inf") : "-Inf");
        if (!isnan(f) && f > 0 && !sp->plus) {
            /* Go prints +Inf only with the plus flag */
            t.len = 0;
            sk_buf_puts(&t, sp->space ? " Inf" : "+Inf");
            if (!sp->space) {
                t.len = 0;
                sk_buf_puts(&t, "+Inf");
            }
        }
        struct spec s2 = *sp;
        s2.zero = false;
        pad(b, &s2, t.p, t.len);
        sk_buf_free(&t);
        return;
    }
    if ((verb == 'g' || verb == 'G') && sp->prec < 0 && !sp->sharp) {
        if (sp->plus && !signbit(f))
            sk_buf_putc(&t, '+');
        else if (sp->space && !signbit(f))
            sk_buf_putc(&t, ' ');
        sk_go_float(f, &t);
        if (verb == 'G')
            for (size_t i = 0; i < t.len; i++)
                t.p[i] = (char)toupper((unsigned char)t.p[i]);
    } else {
        char cf[32];
        int k = 0;
        cf[k++] = '%';
        if (sp->plus) cf[k++] = '+';
        if (sp->space) cf[k++] = ' ';
        if (sp->sharp) cf[k++] = '#';
        cf[k++] = '.';
        cf[k++] = '*';
        cf[k++] = verb == 'x' ? 'a' : verb == 'X' ? 'A' : verb == 'F' ? 'f' : (char)verb;
        cf[k] = 0;
        char out[512];
        int prec = sp->prec >= 0 ? (sp->prec > 200 ? 200 : sp->prec) : 6;
        if (sp->prec < 0 && (verb == 'x' || verb == 'X')) prec = -1;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        snprintf(out, sizeof(out), cf, prec, f);
#pragma GCC diagnostic pop
        sk_buf_puts(&t, out);
    }
    pad(b, sp, t.p, t.len);
    sk_buf_free(&t);
}

static void fmt_value(struct sk_buf *b, const struct spec *sp, const struct gv *g, int depth);

static void bad_verb(struct sk_buf *b, const struct spec *sp, const struct gv *g)
{
    sk_buf_puts(b, "%!");
    sk_buf_put_utf8(b, sp->verb);
    sk_buf_putc(b, '(');
    if (g->k == G_INVALID || g->k == G_NIL) {
        sk_buf_puts(b, "<nil>");
    } else {
        sk_buf_puts(b, sk_gt_type_name(g));
        sk_buf_putc(b, '=');
        struct spec v = {.wid = -1, .prec = -1, .verb = 'v'};
        fmt_value(b, &v, g, 0);
    }
    sk_buf_putc(b, ')');
}

static int kv_cmp(const void *a, const void *b)
{
    const struct sk_kv *x = *(const struct sk_kv *const *)a, *y = *(const struct sk_kv *const *)b;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int c = memcmp(x->key, y->key, n);
    return c ? c : (x->klen < y->klen ? -1 : x->klen > y->klen);
}

/* A map's entries in Go's printing order (sorted keys); caller frees. */
const struct sk_kv **sk_gt_sorted_kv(const struct sk_val *m)
{
    const struct sk_kv **kv = sk_xmalloc((m->u.m.n + 1) * sizeof(*kv));
    for (size_t i = 0; i < m->u.m.n; i++)
        kv[i] = &m->u.m.kv[i];
    qsort(kv, m->u.m.n, sizeof(*kv), kv_cmp);
    return kv;
}

static void fmt_value(struct sk_buf *b, const struct spec *sp, const struct gv *g, int depth)
{
    int verb = sp->verb;
    if (verb == 'T') {
        pad(b, sp, sk_gt_type_name(g), strlen(sk_gt_type_name(g)));
        return;
    }
    switch (g->k) {
    case G_INVALID:
    case G_NIL:
        if (verb == 'v' || depth > 0)
            pad(b, sp, "<nil>", 5);
        else
            bad_verb(b, sp, g);
        return;
    case G_BOOL:
        if (verb == 'v' || verb == 't')
            pad(b, sp, g->b ? "true" : "false", g->b ? 4 : 5);
        else
            bad_verb(b, sp, g);
        return;
    case G_INT:
        if (verb_in("vdboOxXcqU", verb)) {
            struct spec s2 = *sp;
            if (verb == 'v') s2.verb = 'd';
            fmt_int(b, &s2, g->i);
        } else {
            bad_verb(b, sp, g);
        }
        return;
    case G_FLOAT:
        if (verb_in("vbgGxXfFeE", verb) && verb != 'b')
            fmt_float(b, sp, g->f);
        else
            bad_verb(b, sp, g);
        return;
    case G_STR:
        if (verb == 'v' || verb == 's') {
            size_t n = g->n;
            if (sp->prec >= 0) {
                size_t r = 0, i = 0;
                for (; i < g->n; i++) {
                    if (((unsigned char)g->s[i] & 0xc0) != 0x80) {
                        if (r == (size_t)sp->prec) break;
                        r++;
                    }
                }
                n = i;
            }
            pad(b, sp, g->s, n);
        } else if (verb == 'q') {
            struct sk_buf t = {0};
            sk_gt_quote(&t, g->s, g->n);
            pad(b, sp, t.p, t.len);
            sk_buf_free(&t);
        } else if (verb == 'x' || verb == 'X') {
            struct sk_buf t = {0};
            if (sp->sharp) sk_buf_puts(&t, verb == 'x' ? "0x" : "0X");
            for (size_t i = 0; i < g->n; i++)
                sk_buf_printf(&t, verb == 'x' ? "%02x" : "%02X", (unsigned char)g->s[i]);
            pad(b, sp, t.p, t.len);
            sk_buf_free(&t);
        } else {
            bad_verb(b, sp, g);
        }
        return;
    case G_MAP: {
        if (depth > SK_VAL_MAX_DEPTH) return;
        const struct sk_kv **kv = sk_gt_sorted_kv(g->v);
        sk_buf_puts(b, "map[");
        for (size_t i = 0; i < g->v->u.m.n; i++) {
            if (i) sk_buf_putc(b, ' ');
            struct gv k = {.k = G_STR, .s = kv[i]->key, .n = kv[i]->klen};
            fmt_value(b, sp, &k, depth + 1);
            sk_buf_putc(b, ':');
            struct gv e = sk_gt_from_val(kv[i]->val);
            fmt_value(b, sp, &e, depth + 1);
        }
        sk_buf_putc(b, ']');
        free(kv);
        return;
    }
    case G_ARR:
        if (depth > SK_VAL_MAX_DEPTH) return;
        sk_buf_putc(b, '[');
        for (size_t i = 0; i < g->v->u.a.n; i++) {
            if (i) sk_buf_putc(b, ' ');
            struct gv e = sk_gt_from_val(g->v->u.a.items[i]);
            fmt_value(b, sp, &e, depth + 1);
        }
        sk_buf_putc(b, ']');
        return;
    }
}

void sk_gt_sprint_v(struct sk_buf *b, const struct gv *g)
{
    struct spec sp = {.wid = -1, .prec = -1, .verb = 'v'};
    fmt_value(b, &sp, g, 0);
}

/* An explicit argument index "[n]" at f[*i] moves *ai; a malformed or
 * out-of-range one sets *bad (the verb then prints %!v(BADINDEX)). */
static void arg_index(const char *f, size_t fl, size_t *i, size_t *ai, size_t nargs, bool *bad,
                      bool *reordered)
{
    if (*i >= fl || f[*i] != '[') return;
    *reordered = true;
    size_t j = *i + 1, n = 0;
    bool digits = false;
    while (j < fl && isdigit((unsigned char)f[j]) && n < 1000000)
        n = n * 10 + (size_t)(f[j++] - '0'), digits = true;
    if (j >= fl || f[j] != ']' || !digits || n < 1 || n > nargs) {
        while (j < fl && f[j] != ']')
            j++;
        *i = j < fl ? j + 1 : fl;
        *bad = true;
        return;
    }
    *i = j + 1;
    *ai = n - 1;
}

/* fmt.Sprintf */
void sk_gt_sprintf(struct sk_buf *b, const char *f, size_t fl, const struct gv *args, size_t nargs)
{
    size_t ai = 0;
    bool reordered = false;
    for (size_t i = 0; i < fl;) {
        if (f[i] != '%') {
            sk_buf_putc(b, f[i++]);
            continue;
        }
        i++;
        struct spec sp = {.wid = -1, .prec = -1};
        for (; i < fl; i++) {
            char c = f[i];
            if (c == '#')
                sp.sharp = true;
            else if (c == '0')
                sp.zero = !sp.minus;
            else if (c == '+')
                sp.plus = true;
            else if (c == '-')
                sp.minus = true, sp.zero = false;
            else if (c == ' ')
                sp.space = true;
            else
                break;
        }
        bool bad = false;
        arg_index(f, fl, &i, &ai, nargs, &bad, &reordered);
        if (i < fl && f[i] == '*') {
            i++;
            if (ai < nargs && args[ai].k == G_INT) {
                int64_t w = args[ai++].i;
                if (w < 0) sp.minus = true, sp.zero = false, w = -w;
                if (w > 1000000)
                    sk_buf_puts(b, "%!(BADWIDTH)");
                else
                    sp.wid = (int)w;
            } else {
                if (ai < nargs) ai++;
                sk_buf_puts(b, "%!(BADWIDTH)");
            }
        } else {
            for (; i < fl && isdigit((unsigned char)f[i]); i++)
                sp.wid = (sp.wid < 0 ? 0 : sp.wid) * 10 + (f[i] - '0') > 1000000
                                 ? 1000000
                                 : (sp.wid < 0 ? 0 : sp.wid) * 10 + (f[i] - '0');
        }
        if (i < fl && f[i] == '.') {
            i++;
            if (i < fl && f[i] == '*') {
                i++;
                if (ai < nargs && args[ai].k == G_INT && args[ai].i >= 0 && args[ai].i <= 1000000) {
                    sp.prec = (int)args[ai++].i;
                } else {
                    if (ai < nargs) ai++;
                    sk_buf_puts(b, "%!(BADPREC)");
                }
            } else {
                sp.prec = 0;
                for (; i < fl && isdigit((unsigned char)f[i]); i++)
                    sp.prec = sp.prec * 10 + (f[i] - '0') > 1000000 ? 1000000
                                                                    : sp.prec * 10 + (f[i] - '0');
            }
        }
        arg_index(f, fl, &i, &ai, nargs, &bad, &reordered);
        if (i >= fl) {
            sk_buf_puts(b, "%!(NOVERB)");
            break;
        }
        unsigned char c = (unsigned char)f[i];
        size_t k = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
        if (i + k > fl) k = fl - i;
        int verb = c;
        if (k > 1) {
            verb = c & (0xff >> (k + 1));
            for (size_t j = 1; j < k; j++)
                verb = (verb << 6) | ((unsigned char)f[i + j] & 0x3f);
        }
        i += k;
        sp.verb = verb;
        if (verb == '%') {
            sk_buf_putc(b, '%');
            continue;
        }
        if (bad || ai >= nargs) {
            sk_buf_puts(b, "%!");
            sk_buf_put_utf8(b, verb);
            sk_buf_puts(b, bad ? "(BADINDEX)" : "(MISSING)");
            continue;
        }
        if (sp.zero && sp.verb != 'v' && sp.verb != 'd' && !verb_in("sqxX", verb) &&
            !verb_in("bgGfFeEoOcU", verb))
            sp.zero = false;
        fmt_value(b, &sp, &args[ai++], 0);
    }
    if (!reordered && ai < nargs) {
        sk_buf_puts(b, "%!(EXTRA ");
        for (; ai < nargs; ai++) {
            if (args[ai].k == G_INVALID || args[ai].k == G_NIL) {
                sk_buf_puts(b, "<nil>");
            } else {
                sk_buf_puts(b, sk_gt_type_name(&args[ai]));
                sk_buf_putc(b, '=');
                sk_gt_sprint_v(b, &args[ai]);
            }
            if (ai + 1 < nargs) sk_buf_puts(b, ", ");
        }
        sk_buf_putc(b, ')');
    }
}

void sk_gt_sprint(struct sk_buf *b, const struct gv *args, size_t n, bool ln)
{
    bool prev_str = false;
    for (size_t i = 0; i < n; i++) {
        bool is_str = args[i].k == G_STR;
        if (i && (ln || (!is_str && !prev_str))) sk_buf_putc(b, ' ');
        sk_gt_sprint_v(b, &args[i]);
        prev_str = is_str;
    }
    if (ln) sk_buf_putc(b, '\n');
}
