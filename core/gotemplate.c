/* Go text/template for kubectl's -o go-template: the lexer and parser.
 * Tokens, trim markers, grammar and error texts follow Go's
 * text/template/parse so that a template kubectl rejects fails here with
 * the same words. Evaluation is in gotemplate_exec.c. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gotemplate_int.h"
#include "mem.h"

enum tok {
    T_ERROR,
    T_EOF,
    T_TEXT,
    T_LDELIM,
    T_RDELIM,
    T_SPACE,
    T_IDENT,
    T_FIELD,
    T_VAR,
    T_DOT,
    T_STRING,
    T_RAWSTRING,
    T_CHAR,
    T_NUMBER,
    T_BOOL,
    T_NIL,
    T_PIPE,
    T_LPAREN,
    T_RPAREN,
    T_DECLARE,
    T_ASSIGN,
    T_COMMA,
    T_PUNCT, /* any other printable ASCII: the parser rejects it */
    /* keywords */
    T_BLOCK,
    T_BREAK,
    T_CONTINUE,
    T_DEFINE,
    T_ELSE,
    T_END,
    T_IF,
    T_RANGE,
    T_TEMPLATE,
    T_WITH,
};

struct item {
    enum tok t;
    int pos;
    const char *p; /* into the source, or msg for T_ERROR */
    size_t n;
    char *msg; /* T_ERROR */
};

struct lexer {
    const char *s;
    size_t len, pos;
    struct item *items;
    size_t n, cap;
    int parens;
};

static void emit(struct lexer *l, enum tok t, size_t start, size_t end)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->items = sk_xrealloc(l->items, l->cap * sizeof(*l->items));
    }
    l->items[l->n++] =
            (struct item){.t = t, .pos = (int)start, .p = l->s + start, .n = end - start};
}

static bool lex_error(struct lexer *l, size_t at, char *msg)
{
    emit(l, T_ERROR, at, at);
    l->items[l->n - 1].msg = msg;
    return false;
}

static bool is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_alnum(int c)
{
    return c == '_' || isalnum(c) || c >= 0x80;
}

static bool at(const struct lexer *l, size_t pos, const char *p)
{
    size_t n = strlen(p);
    return pos + n <= l->len && !memcmp(l->s + pos, p, n);
}

/* " -}}" (a trim marker) or "}}" at pos; *n gets its length. */
static bool at_right(const struct lexer *l, size_t pos, size_t *n, bool *trim)
{
    if (at(l, pos, " -}}") || at(l, pos, "\t-}}") || at(l, pos, "\r-}}") || at(l, pos, "\n-}}")) {
        *n = 4, *trim = true;
        return true;
    }
    if (at(l, pos, "}}")) {
        *n = 2, *trim = false;
        return true;
    }
    return false;
}

static bool at_terminator(const struct lexer *l, size_t pos)
{
    if (pos >= l->len) return true;
    int c = (unsigned char)l->s[pos];
    if (is_space(c) || strchr(".,|:)(", c)) return true;
    return at(l, pos, "}}");
}

/* Go's %#U of the rune at pos: U+0021 '!' */
static char *fmt_rune(const struct lexer *l, size_t pos)
{
    unsigned char c = (unsigned char)l->s[pos];
    if (c < 0x80) {
        if (isprint(c)) return sk_xasprintf("U+%04X '%c'", c, c);
        return sk_xasprintf("U+%04X", c);
    }
    unsigned cp = 0;
    size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    if (n == 1 || pos + n > l->len) return sk_xasprintf("U+FFFD '\xef\xbf\xbd'");
    cp = c & (0xff >> (n + 1));
    for (size_t i = 1; i < n; i++)
        cp = (cp << 6) | ((unsigned char)l->s[pos + i] & 0x3f);
    return sk_xasprintf("U+%04X '%.*s'", cp, (int)n, l->s + pos);
}

static bool bad_char(struct lexer *l)
{
    char *r = fmt_rune(l, l->pos);
    bool ok = lex_error(l, l->pos, sk_xasprintf("bad character %s", r));
    free(r);
    return ok;
}

static size_t scan_number(const struct lexer *l, size_t p)
{
    if (p < l->len && (l->s[p] == '+' || l->s[p] == '-')) p++;
    const char *digits = "0123456789_";
    if (at(l, p, "0x") || at(l, p, "0X")) {
        p += 2, digits = "0123456789abcdefABCDEF_";
    } else if (at(l, p, "0o") || at(l, p, "0O")) {
        p += 2, digits = "01234567_";
    } else if (at(l, p, "0b") || at(l, p, "0B")) {
        p += 2, digits = "01_";
    }
    while (p < l->len && strchr(digits, l->s[p]) && l->s[p])
        p++;
    if (p < l->len && l->s[p] == '.') {
        p++;
        while (p < l->len && strchr(digits, l->s[p]) && l->s[p])
            p++;
    }
    bool decimal = strlen(digits) == 11, hex = strlen(digits) > 11;
    if (p < l->len && decimal && (l->s[p] == 'e' || l->s[p] == 'E')) {
        p++;
        if (p < l->len && (l->s[p] == '+' || l->s[p] == '-')) p++;
        while (p < l->len && isdigit((unsigned char)l->s[p]))
            p++;
    }
    if (p < l->len && hex && (l->s[p] == 'p' || l->s[p] == 'P')) {
        p++;
        if (p < l->len && (l->s[p] == '+' || l->s[p] == '-')) p++;
        while (p < l->len && isdigit((unsigned char)l->s[p]))
            p++;
    }
    if (p < l->len && l->s[p] == 'i') p++;
    return p;
}

static const struct {
    const char *w;
    enum tok t;
} keywords[] = {
        {"block", T_BLOCK},   {"break", T_BREAK}, {"continue", T_CONTINUE},
        {"define", T_DEFINE}, {"else", T_ELSE},   {"end", T_END},
        {"if", T_IF},         {"range", T_RANGE}, {"template", T_TEMPLATE},
        {"with", T_WITH},     {"nil", T_NIL},     {"true", T_BOOL},
        {"false", T_BOOL},
};

/* Inside {{ }}: tokens up to and including the right delimiter. */
static bool lex_action(struct lexer *l)
{
    for (;;) {
        size_t dn;
        bool trim;
        if (at_right(l, l->pos, &dn, &trim)) {
            if (l->parens) return lex_error(l, l->pos, sk_xstrdup("unclosed left paren"));
            emit(l, T_RDELIM, l->pos, l->pos + dn);
            l->pos += dn;
            if (trim)
                while (l->pos < l->len && is_space((unsigned char)l->s[l->pos]))
                    l->pos++;
            return true;
        }
        if (l->pos >= l->len) return lex_error(l, l->pos, sk_xstrdup("unclosed action"));
        size_t st = l->pos;
        int c = (unsigned char)l->s[l->pos];
        if (is_space(c)) {
            while (l->pos < l->len && is_space((unsigned char)l->s[l->pos]) &&
                   !at_right(l, l->pos, &dn, &trim))
                l->pos++;
            emit(l, T_SPACE, st, l->pos);
        } else if (c == '=') {
            l->pos++;
            emit(l, T_ASSIGN, st, l->pos);
        } else if (c == ':') {
            if (!at(l, l->pos, ":=")) return lex_error(l, st, sk_xstrdup("expected :="));
            l->pos += 2;
            emit(l, T_DECLARE, st, l->pos);
        } else if (c == '|') {
            l->pos++;
            emit(l, T_PIPE, st, l->pos);
        } else if (c == '"') {
            l->pos++;
            for (;;) {
                if (l->pos >= l->len || l->s[l->pos] == '\n')
                    return lex_error(l, st, sk_xstrdup("unterminated quoted string"));
                if (l->s[l->pos] == '\\') {
                    l->pos++;
                    if (l->pos >= l->len || l->s[l->pos] == '\n')
                        return lex_error(l, st, sk_xstrdup("unterminated quoted string"));
                } else if (l->s[l->pos] == '"') {
                    break;
                }
                l->pos++;
            }
            l->pos++;
            emit(l, T_STRING, st, l->pos);
        } else if (c == '`') {
            const char *e = memchr(l->s + l->pos + 1, '`', l->len - l->pos - 1);
            if (!e) return lex_error(l, st, sk_xstrdup("unterminated raw quoted string"));
            l->pos = (size_t)(e - l->s) + 1;
            emit(l, T_RAWSTRING, st, l->pos);
        } else if (c == '\'') {
            l->pos++;
            for (;;) {
                if (l->pos >= l->len || l->s[l->pos] == '\n')
                    return lex_error(l, st, sk_xstrdup("unterminated character constant"));
                if (l->s[l->pos] == '\\') {
                    l->pos++;
                    if (l->pos >= l->len || l->s[l->pos] == '\n')
                        return lex_error(l, st, sk_xstrdup("unterminated character constant"));
                } else if (l->s[l->pos] == '\'') {
                    break;
                }
                l->pos++;
            }
            l->pos++;
            emit(l, T_CHAR, st, l->pos);
        } else if (c == '$' || (c == '.' && !(l->pos + 1 < l->len &&
                                              isdigit((unsigned char)l->s[l->pos + 1])))) {
            l->pos++;
            if (c == '.' && at_terminator(l, l->pos)) {
                emit(l, T_DOT, st, l->pos);
                continue;
            }
            while (l->pos < l->len && is_alnum((unsigned char)l->s[l->pos]))
                l->pos++;
            if (!at_terminator(l, l->pos)) return bad_char(l);
            emit(l, c == '$' ? T_VAR : T_FIELD, st, l->pos);
        } else if (c == '+' || c == '-' || c == '.' || isdigit(c)) {
            l->pos = scan_number(l, l->pos);
            if (l->pos < l->len && is_alnum((unsigned char)l->s[l->pos])) {
                l->pos++;
                return lex_error(
                        l, st,
                        sk_xasprintf("bad number syntax: \"%.*s\"", (int)(l->pos - st), l->s + st));
            }
            emit(l, T_NUMBER, st, l->pos);
        } else if (is_alnum(c)) {
            while (l->pos < l->len && is_alnum((unsigned char)l->s[l->pos]))
                l->pos++;
            if (!at_terminator(l, l->pos)) return bad_char(l);
            enum tok t = T_IDENT;
            for (size_t i = 0; i < sizeof(keywords) / sizeof(*keywords); i++)
                if (strlen(keywords[i].w) == l->pos - st &&
                    !memcmp(keywords[i].w, l->s + st, l->pos - st))
                    t = keywords[i].t;
            emit(l, t, st, l->pos);
        } else if (c == '(') {
            l->pos++;
            l->parens++;
            emit(l, T_LPAREN, st, l->pos);
        } else if (c == ')') {
            l->pos++;
            if (--l->parens < 0) return lex_error(l, st, sk_xstrdup("unexpected right paren"));
            emit(l, T_RPAREN, st, l->pos);
        } else if (c == ',') {
            l->pos++;
            emit(l, T_COMMA, st, l->pos);
        } else if (c < 0x80 && isprint(c)) {
            l->pos++;
            emit(l, T_PUNCT, st, l->pos);
        } else {
            char *r = fmt_rune(l, st);
            bool ok = lex_error(l, st, sk_xasprintf("unrecognized character in action: %s", r));
            free(r);
            return ok;
        }
    }
}

static void lex(struct lexer *l)
{
    for (;;) {
        const char *o = l->len > l->pos ? memmem(l->s + l->pos, l->len - l->pos, "{{", 2) : NULL;
        if (!o) {
            if (l->pos < l->len) emit(l, T_TEXT, l->pos, l->len);
            emit(l, T_EOF, l->len, l->len);
            return;
        }
        size_t op = (size_t)(o - l->s), te = op;
        bool ltrim = op + 3 < l->len && o[2] == '-' && is_space((unsigned char)o[3]);
        if (ltrim)
            while (te > l->pos && is_space((unsigned char)l->s[te - 1]))
                te--;
        if (te > l->pos) emit(l, T_TEXT, l->pos, te);
        l->pos = op + (ltrim ? 4 : 2);
        /* a comment is the whole action */
        size_t cp = l->pos;
        if (at(l, cp, "/*")) {
            const char *e = memmem(l->s + cp + 2, l->len - cp - 2, "*/", 2);
            if (!e) {
                lex_error(l, op, sk_xstrdup("unclosed comment"));
                return;
            }
            size_t p = (size_t)(e - l->s) + 2, dn;
            bool trim;
            if (!at_right(l, p, &dn, &trim)) {
                lex_error(l, op, sk_xstrdup("comment ends before closing delimiter"));
                return;
            }
            l->pos = p + dn;
            if (trim)
                while (l->pos < l->len && is_space((unsigned char)l->s[l->pos]))
                    l->pos++;
            continue;
        }
        emit(l, T_LDELIM, op, l->pos);
        if (!lex_action(l)) return;
    }
}

/* ---- parser ---- */

struct parser {
    struct sk_gotemplate *t;
    struct item *it;
    size_t n, i;
    char **vars; /* names in scope; "$" first */
    size_t nvars, capvars;
    int range_depth, depth;
    struct sk_error **err;
    bool failed;
};

static int line_of(const struct parser *p, int pos)
{
    int line = 1;
    for (int i = 0; i < pos && (size_t)i < p->t->len; i++)
        line += p->t->src[i] == '\n';
    return line;
}

static void perr(struct parser *p, int pos, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static void perr(struct parser *p, int pos, const char *fmt, ...)
{
    if (p->failed) return;
    p->failed = true;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sk_fail(p->err, SK_EINVAL, "template: output:%d: %s", line_of(p, pos), msg);
}

static struct item *next(struct parser *p)
{
    struct item *x = &p->it[p->i];
    if (x->t != T_EOF && x->t != T_ERROR) p->i++;
    if (x->t == T_ERROR) perr(p, x->pos, "%s", x->msg);
    return x;
}

static struct item *peek(struct parser *p)
{
    return &p->it[p->i];
}

static void backup(struct parser *p)
{
    if (p->i) p->i--;
}

static struct item *next_nonspace(struct parser *p)
{
    struct item *x;
    do
        x = next(p);
    while (x->t == T_SPACE);
    return x;
}

static struct item *peek_nonspace(struct parser *p)
{
    struct item *x = next_nonspace(p);
    if (x->t != T_EOF && x->t != T_ERROR) backup(p);
    return x;
}

/* Go's item.String() as "unexpected %s" shows it */
static void tok_desc(const struct item *x, char *buf, size_t n)
{
    switch (x->t) {
    case T_EOF: snprintf(buf, n, "EOF"); return;
    case T_ERROR: snprintf(buf, n, "%s", x->msg); return;
    case T_LDELIM:
    case T_RDELIM:
    case T_SPACE:
    case T_PIPE:
    case T_LPAREN:
    case T_RPAREN:
    case T_DECLARE:
    case T_ASSIGN:
    case T_COMMA:
    case T_PUNCT: snprintf(buf, n, "\"%.*s\"", (int)x->n, x->p); return;
    default:
        if (x->t >= T_BLOCK) {
            snprintf(buf, n, "<%.*s>", (int)x->n, x->p);
        } else if (x->n > 10) {
            snprintf(buf, n, "%.10s...", x->p);
        } else {
            snprintf(buf, n, "%.*s", (int)x->n, x->p);
        }
    }
}

static void unexpected(struct parser *p, const struct item *x, const char *ctx)
{
    if (x->t == T_ERROR) return; /* already reported */
    char d[64];
    tok_desc(x, d, sizeof(d));
    if (x->t == T_RPAREN && !strcmp(ctx, "command")) {
        perr(p, x->pos, "unexpected right paren");
        return;
    }
    perr(p, x->pos, "unexpected %s in %s", d, ctx);
}

static struct gt_list *new_list(void)
{
    return sk_xcalloc(1, sizeof(struct gt_list));
}

static void list_push(struct gt_list *l, struct gt_node *nd)
{
    l->nodes = sk_xrealloc(l->nodes, (l->n + 1) * sizeof(*l->nodes));
    l->nodes[l->n++] = nd;
}

static void pipe_free(struct gt_pipe *pp);

static void arg_free(struct gt_arg *a)
{
    if (!a) return;
    free(a->text);
    free(a->str);
    for (size_t i = 0; i < a->nnames; i++)
        free(a->names[i]);
    free(a->names);
    pipe_free(a->pipe);
    free(a);
}

static void cmd_free(struct gt_cmd *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n; i++)
        arg_free(c->args[i]);
    free(c->args);
    free(c);
}

static void pipe_free(struct gt_pipe *pp)
{
    if (!pp) return;
    for (size_t i = 0; i < pp->n; i++)
        cmd_free(pp->cmds[i]);
    free(pp->cmds);
    free(pp->vars[0]);
    free(pp->vars[1]);
    free(pp);
}

static void node_free(struct gt_node *nd)
{
    if (!nd) return;
    free(nd->text);
    pipe_free(nd->pipe);
    sk_gt_list_free(nd->list);
    sk_gt_list_free(nd->elist);
    free(nd);
}

void sk_gt_list_free(struct gt_list *l)
{
    if (!l) return;
    for (size_t i = 0; i < l->n; i++)
        node_free(l->nodes[i]);
    free(l->nodes);
    free(l);
}

static void push_var(struct parser *p, const char *name, size_t n)
{
    if (p->nvars == p->capvars) {
        p->capvars = p->capvars ? p->capvars * 2 : 8;
        p->vars = sk_xrealloc(p->vars, p->capvars * sizeof(char *));
    }
    p->vars[p->nvars++] = sk_xstrndup(name, n);
}

static void pop_vars(struct parser *p, size_t to)
{
    while (p->nvars > to)
        free(p->vars[--p->nvars]);
}

static int hexv(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Go's strconv.Unquote for "..." and '...' bodies; false on bad syntax. */
static bool unquote(const char *s, size_t n, char q, struct sk_buf *b)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c == (unsigned char)q || c == '\n') return false;
        if (c != '\\') {
            sk_buf_putc(b, (char)c);
            i++;
            continue;
        }
        if (++i >= n) return false;
        c = (unsigned char)s[i++];
        switch (c) {
        case 'a': sk_buf_putc(b, '\a'); break;
        case 'b': sk_buf_putc(b, '\b'); break;
        case 'f': sk_buf_putc(b, '\f'); break;
        case 'n': sk_buf_putc(b, '\n'); break;
        case 'r': sk_buf_putc(b, '\r'); break;
        case 't': sk_buf_putc(b, '\t'); break;
        case 'v': sk_buf_putc(b, '\v'); break;
        case '\\': sk_buf_putc(b, '\\'); break;
        case '\'':
        case '"':
            if (c != (unsigned char)q) return false;
            sk_buf_putc(b, (char)c);
            break;
        case 'x':
        case 'u':
        case 'U': {
            size_t k = c == 'x' ? 2 : c == 'u' ? 4 : 8;
            if (i + k > n) return false;
            unsigned v = 0;
            for (size_t j = 0; j < k; j++) {
                int h = hexv((unsigned char)s[i + j]);
                if (h < 0) return false;
                v = v * 16 + (unsigned)h;
            }
            i += k;
            if (c == 'x')
                sk_buf_putc(b, (char)v);
            else if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
                return false;
            else
                sk_buf_put_utf8(b, v);
            break;
        }
        default:
            if (c >= '0' && c <= '7') {
                if (i + 2 > n) return false;
                unsigned v = c - '0';
                for (size_t j = 0; j < 2; j++) {
                    unsigned char d = (unsigned char)s[i + j];
                    if (d < '0' || d > '7') return false;
                    v = v * 8 + (d - '0');
                }
                if (v > 255) return false;
                i += 2;
                sk_buf_putc(b, (char)v);
                break;
            }
            return false;
        }
    }
    return true;
}

/* A number token to an arg: ints, floats, and 'c' characters (ints). */
static bool parse_number(struct parser *p, const struct item *x, struct gt_arg *a)
{
    char *t = sk_xstrndup(x->p, x->n);
    a->text = t;
    if (x->t == T_CHAR) {
        struct sk_buf b = {0};
        bool ok = unquote(x->p + 1, x->n - 2, '\'', &b);
        /* one rune */
        unsigned cp = 0;
        size_t nb = 0;
        if (ok && b.len) {
            unsigned char c = (unsigned char)b.p[0];
            nb = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
            cp = c < 0x80 ? c : c & (0xff >> (nb + 1));
            for (size_t i = 1; i < nb && i < b.len; i++)
                cp = (cp << 6) | ((unsigned char)b.p[i] & 0x3f);
        }
        ok = ok && b.len && nb == b.len;
        sk_buf_free(&b);
        if (!ok) {
            perr(p, x->pos, "malformed character constant: %s", t);
            return false;
        }
        a->i = cp;
        return true;
    }
    char clean[128];
    size_t k = 0;
    for (size_t i = 0; i < x->n && k + 1 < sizeof(clean); i++)
        if (x->p[i] != '_') clean[k++] = x->p[i];
    clean[k] = 0;
    bool hex = strstr(clean, "0x") || strstr(clean, "0X");
    if (strchr(clean, 'i')) {
        perr(p, x->pos, "complex constants are not supported: %s", t);
        return false;
    }
    char *end;
    if (!hex && strpbrk(clean, ".eE")) {
        a->is_float = true;
        a->f = strtod(clean, &end);
        if (*end || end == clean) goto bad;
        return true;
    }
    if (hex && strpbrk(clean, ".pP")) {
        a->is_float = true;
        a->f = strtod(clean, &end);
        if (*end) goto bad;
        return true;
    }
    const char *d = clean;
    bool neg = false;
    if (*d == '+' || *d == '-') neg = *d++ == '-';
    int base = 10;
    if (d[0] == '0' && (d[1] == 'x' || d[1] == 'X'))
        base = 16, d += 2;
    else if (d[0] == '0' && (d[1] == 'o' || d[1] == 'O'))
        base = 8, d += 2;
    else if (d[0] == '0' && (d[1] == 'b' || d[1] == 'B'))
        base = 2, d += 2;
    else if (d[0] == '0' && d[1])
        base = 8, d += 1;
    if (!*d || *d == '+' || *d == '-') goto bad;
    errno = 0;
    unsigned long long u = strtoull(d, &end, base);
    if (*end) goto bad;
    if (errno || u > (unsigned long long)INT64_MAX + (neg ? 1 : 0)) {
        /* too big for an int: Go makes it a float constant */
        a->is_float = true;
        a->f = strtod(clean, NULL);
        return true;
    }
    a->i = neg ? (int64_t)(0 - u) : (int64_t)u;
    return true;
bad:
    perr(p, x->pos, "illegal number syntax: \"%s\"", t);
    return false;
}

static struct gt_pipe *pipeline(struct parser *p, const char *ctx, enum tok end);

static bool known_var(struct parser *p, const char *name, size_t n)
{
    for (size_t i = p->nvars; i-- > 0;)
        if (strlen(p->vars[i]) == n && !memcmp(p->vars[i], name, n)) return true;
    return false;
}

static struct gt_arg *term(struct parser *p)
{
    struct item *x = next_nonspace(p);
    struct gt_arg *a = sk_xcalloc(1, sizeof(*a));
    a->pos = x->pos;
    switch (x->t) {
    case T_IDENT:
        a->t = GA_IDENT;
        a->text = sk_xstrndup(x->p, x->n);
        if (!sk_gt_is_func(a->text)) perr(p, x->pos, "function \"%s\" not defined", a->text);
        return a;
    case T_DOT: a->t = GA_DOT; return a;
    case T_NIL: a->t = GA_NIL; return a;
    case T_VAR:
        a->t = GA_VAR;
        a->text = sk_xstrndup(x->p, x->n);
        if (!known_var(p, x->p, x->n)) perr(p, x->pos, "undefined variable \"%s\"", a->text);
        return a;
    case T_FIELD:
        a->t = GA_FIELD;
        a->names = sk_xmalloc(sizeof(char *));
        a->names[a->nnames++] = sk_xstrndup(x->p + 1, x->n - 1);
        return a;
    case T_BOOL:
        a->t = GA_BOOL;
        a->b = x->n == 4;
        return a;
    case T_CHAR:
    case T_NUMBER:
        a->t = GA_NUMBER;
        parse_number(p, x, a);
        return a;
    case T_LPAREN:
        a->t = GA_PIPE;
        if (++p->depth > GT_MAX_DEPTH) {
            perr(p, x->pos, "max expression depth exceeded");
            return a;
        }
        a->pipe = pipeline(p, "parenthesized pipeline", T_RPAREN);
        p->depth--;
        return a;
    case T_STRING:
    case T_RAWSTRING: {
        a->t = GA_STRING;
        a->text = sk_xstrndup(x->p, x->n);
        struct sk_buf b = {0};
        if (x->t == T_RAWSTRING) {
            sk_buf_append(&b, x->p + 1, x->n - 2);
        } else if (!unquote(x->p + 1, x->n - 2, '"', &b)) {
            perr(p, x->pos, "invalid syntax");
        }
        sk_buf_putc(&b, 0);
        a->str = sk_buf_take(&b, &a->slen);
        a->slen--;
        return a;
    }
    default:
        backup(p);
        free(a);
        return NULL;
    }
}

static struct gt_arg *operand(struct parser *p)
{
    struct gt_arg *a = term(p);
    if (!a || p->failed) return a;
    if (peek(p)->t != T_FIELD) return a;
    if (a->t == GA_BOOL || a->t == GA_STRING || a->t == GA_NUMBER || a->t == GA_NIL ||
        a->t == GA_DOT) {
        struct sk_buf b = {0};
        sk_gt_arg_string(a, &b);
        sk_buf_putc(&b, 0);
        perr(p, a->pos, "unexpected . after term \"%s\"", b.p);
        sk_buf_free(&b);
        return a;
    }
    if (a->t == GA_IDENT) {
        /* Go keeps a chain on a function: it fails when executed */
        perr(p, a->pos, "unexpected . after term \"%s\"", a->text);
        return a;
    }
    a->pos = peek(p)->pos;
    while (peek(p)->t == T_FIELD) {
        struct item *f = next(p);
        a->names = sk_xrealloc(a->names, (a->nnames + 1) * sizeof(char *));
        a->names[a->nnames++] = sk_xstrndup(f->p + 1, f->n - 1);
    }
    return a;
}

static struct gt_cmd *command(struct parser *p)
{
    struct gt_cmd *c = sk_xcalloc(1, sizeof(*c));
    c->pos = peek_nonspace(p)->pos;
    for (;;) {
        peek_nonspace(p);
        struct gt_arg *a = operand(p);
        if (a) {
            c->args = sk_xrealloc(c->args, (c->n + 1) * sizeof(*c->args));
            c->args[c->n++] = a;
        }
        if (p->failed) return c;
        struct item *x = next(p);
        if (x->t == T_SPACE) continue;
        if (x->t == T_RDELIM || x->t == T_RPAREN)
            backup(p);
        else if (x->t != T_PIPE)
            unexpected(p, x, "operand");
        break;
    }
    if (!c->n && !p->failed) perr(p, c->pos, "empty command");
    return c;
}

static struct gt_pipe *pipeline(struct parser *p, const char *ctx, enum tok end)
{
    struct gt_pipe *pp = sk_xcalloc(1, sizeof(*pp));
    pp->pos = peek_nonspace(p)->pos;
    /* declarations: $x := / $x = / (range) $i, $e := */
    for (;;) {
        struct item *v = peek_nonspace(p);
        if (v->t != T_VAR) break;
        size_t save = p->i;
        next_nonspace(p);
        struct item *x = next_nonspace(p);
        if (x->t == T_DECLARE || x->t == T_ASSIGN) {
            pp->is_assign = x->t == T_ASSIGN;
            pp->vars[pp->nvars++] = sk_xstrndup(v->p, v->n);
            if (!pp->is_assign)
                push_var(p, v->p, v->n);
            else if (!known_var(p, v->p, v->n))
                perr(p, v->pos, "undefined variable \"%.*s\"", (int)v->n, v->p);
            break;
        }
        if (x->t == T_COMMA && !strcmp(ctx, "range") && pp->nvars < 1) {
            pp->vars[pp->nvars++] = sk_xstrndup(v->p, v->n);
            push_var(p, v->p, v->n);
            continue;
        }
        if (x->t == T_COMMA) {
            perr(p, x->pos, "too many declarations in %s", ctx);
            return pp;
        }
        if (pp->nvars) {
            perr(p, x->pos, "missing := after %s", pp->vars[0]);
            return pp;
        }
        p->i = save;
        break;
    }
    for (;;) {
        if (p->failed) return pp;
        struct item *x = next_nonspace(p);
        if (x->t == end) {
            if (!pp->n) perr(p, x->pos, "missing value for %s", ctx);
            for (size_t i = 1; i < pp->n && !p->failed; i++) {
                enum gt_arg_type t = pp->cmds[i]->args[0]->t;
                if (t == GA_BOOL || t == GA_DOT || t == GA_NIL || t == GA_NUMBER || t == GA_STRING)
                    perr(p, pp->cmds[i]->pos, "non executable command in pipeline stage %zu",
                         i + 1);
            }
            return pp;
        }
        switch (x->t) {
        case T_BOOL:
        case T_CHAR:
        case T_DOT:
        case T_FIELD:
        case T_IDENT:
        case T_NUMBER:
        case T_NIL:
        case T_RAWSTRING:
        case T_STRING:
        case T_VAR:
        case T_LPAREN:
            backup(p);
            pp->cmds = sk_xrealloc(pp->cmds, (pp->n + 1) * sizeof(*pp->cmds));
            pp->cmds[pp->n++] = command(p);
            break;
        default: unexpected(p, x, ctx); return pp;
        }
    }
}

enum stop { STOP_EOF, STOP_END, STOP_ELSE };

static struct gt_node *action(struct parser *p, enum stop *stop);

/* Nodes until {{end}} or {{else}} (stop says which); at the top level EOF. */
static struct gt_list *item_list(struct parser *p, bool top, enum stop *stop)
{
    struct gt_list *l = new_list();
    *stop = STOP_EOF;
    while (!p->failed) {
        struct item *x = next(p);
        if (x->t == T_EOF || x->t == T_ERROR) {
            if (!top && x->t == T_EOF) perr(p, x->pos, "unexpected EOF");
            break;
        }
        if (x->t == T_TEXT) {
            struct gt_node *nd = sk_xcalloc(1, sizeof(*nd));
            nd->t = GN_TEXT;
            nd->pos = x->pos;
            nd->text = sk_xstrndup(x->p, x->n);
            nd->tlen = x->n;
            list_push(l, nd);
            continue;
        }
        /* T_LDELIM */
        enum stop s = STOP_EOF;
        struct gt_node *nd = action(p, &s);
        if (nd) list_push(l, nd);
        if (s != STOP_EOF) {
            if (top) {
                perr(p, x->pos, "unexpected {{%s}}", s == STOP_END ? "end" : "else");
                break;
            }
            *stop = s;
            break;
        }
    }
    return l;
}

static void expect(struct parser *p, enum tok t, const char *ctx)
{
    struct item *x = next_nonspace(p);
    if (x->t != t) unexpected(p, x, ctx);
}

static struct gt_node *control(struct parser *p, enum gt_node_type type, const char *ctx, int pos)
{
    struct gt_node *nd = sk_xcalloc(1, sizeof(*nd));
    nd->t = type;
    nd->pos = pos;
    if (++p->depth > GT_MAX_DEPTH) {
        perr(p, pos, "max nesting depth exceeded");
        return nd;
    }
    size_t nv = p->nvars;
    nd->pipe = pipeline(p, ctx, T_RDELIM);
    if (p->failed) goto out;
    if (type == GN_RANGE) p->range_depth++;
    enum stop s;
    nd->list = item_list(p, false, &s);
    if (type == GN_RANGE) p->range_depth--;
    if (p->failed) goto out;
    if (s == STOP_ELSE) {
        /* {{else if ...}} and {{else with ...}} chain into one {{end}} */
        struct item *x = peek(p);
        if ((type == GN_IF && x->t == T_IF) || (type == GN_WITH && x->t == T_WITH)) {
            next(p);
            nd->elist = new_list();
            list_push(nd->elist, control(p, type, ctx, x->pos));
        } else {
            nd->elist = item_list(p, false, &s);
            if (!p->failed && s != STOP_END) perr(p, nd->pos, "expected end; found {{else}}");
        }
    }
out:
    pop_vars(p, nv);
    p->depth--;
    return nd;
}

/* Go's IsEmptyTree: nothing but blank text */
static bool empty_list(const struct gt_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        if (l->nodes[i]->t != GN_TEXT) return false;
        for (size_t j = 0; j < l->nodes[i]->tlen; j++)
            if (!is_space((unsigned char)l->nodes[i]->text[j])) return false;
    }
    return true;
}

static void add_def(struct parser *p, char *name, struct gt_list *l, int pos)
{
    struct sk_gotemplate *t = p->t;
    for (size_t i = 0; i < t->ndefs; i++)
        if (!strcmp(t->defs[i].name, name)) {
            /* an empty definition gives way; two real ones clash */
            if (!empty_list(t->defs[i].list) && !empty_list(l))
                perr(p, pos, "template: multiple definition of template \"%s\"", name);
            if (empty_list(t->defs[i].list)) {
                sk_gt_list_free(t->defs[i].list);
                t->defs[i].list = l;
            } else {
                sk_gt_list_free(l);
            }
            free(name);
            return;
        }
    t->defs = sk_xrealloc(t->defs, (t->ndefs + 1) * sizeof(*t->defs));
    t->defs[t->ndefs++] = (struct gt_def){name, l};
}

static char *string_token(struct parser *p, const char *ctx)
{
    struct item *x = next_nonspace(p);
    if (x->t != T_STRING && x->t != T_RAWSTRING) {
        unexpected(p, x, ctx);
        return NULL;
    }
    struct sk_buf b = {0};
    if (x->t == T_RAWSTRING)
        sk_buf_append(&b, x->p + 1, x->n - 2);
    else if (!unquote(x->p + 1, x->n - 2, '"', &b))
        perr(p, x->pos, "invalid syntax");
    sk_buf_putc(&b, 0);
    return sk_buf_take(&b, NULL);
}

/* After {{: one action; *stop reports {{end}} / {{else}}. */
static struct gt_node *action(struct parser *p, enum stop *stop)
{
    struct item *x = next_nonspace(p);
    switch (x->t) {
    case T_IF: return control(p, GN_IF, "if", x->pos);
    case T_RANGE: return control(p, GN_RANGE, "range", x->pos);
    case T_WITH: return control(p, GN_WITH, "with", x->pos);
    case T_END:
        expect(p, T_RDELIM, "end");
        *stop = STOP_END;
        return NULL;
    case T_ELSE: {
        struct item *y = peek_nonspace(p);
        if (y->t != T_IF && y->t != T_WITH) expect(p, T_RDELIM, "else");
        *stop = STOP_ELSE;
        return NULL;
    }
    case T_BREAK:
    case T_CONTINUE: {
        bool brk = x->t == T_BREAK;
        if (!p->range_depth) {
            perr(p, x->pos, "{{%s}} outside {{range}}", brk ? "break" : "continue");
            return NULL;
        }
        expect(p, T_RDELIM, brk ? "{{break}}" : "{{continue}}");
        struct gt_node *nd = sk_xcalloc(1, sizeof(*nd));
        nd->t = brk ? GN_BREAK : GN_CONTINUE;
        nd->pos = x->pos;
        return nd;
    }
    case T_TEMPLATE:
    case T_BLOCK: {
        bool block = x->t == T_BLOCK;
        const char *ctx = block ? "block clause" : "template clause";
        int npos = peek_nonspace(p)->pos;
        char *name = string_token(p, ctx);
        if (!name) return NULL;
        struct gt_node *nd = sk_xcalloc(1, sizeof(*nd));
        nd->t = GN_TEMPLATE;
        nd->pos = npos;
        nd->text = name;
        if (next_nonspace(p)->t != T_RDELIM) {
            backup(p);
            nd->pipe = pipeline(p, ctx, T_RDELIM);
        }
        if (block && !p->failed) {
            size_t nv = p->nvars;
            int rd = p->range_depth;
            p->range_depth = 0;
            pop_vars(p, 1);
            enum stop s;
            struct gt_list *body = item_list(p, false, &s);
            p->range_depth = rd;
            if (!p->failed && s != STOP_END) perr(p, x->pos, "unexpected {{else}}");
            (void)nv;
            add_def(p, sk_xstrdup(name), body, x->pos);
        }
        return nd;
    }
    case T_DEFINE: {
        if (p->depth) {
            unexpected(p, x, "command");
            return NULL;
        }
        char *name = string_token(p, "define clause");
        if (!name) return NULL;
        expect(p, T_RDELIM, "define clause");
        size_t nv = p->nvars;
        (void)nv;
        char **saved = p->vars;
        size_t sn = p->nvars, sc = p->capvars;
        p->vars = NULL, p->nvars = 0, p->capvars = 0;
        push_var(p, "$", 1);
        enum stop s;
        struct gt_list *body = item_list(p, false, &s);
        pop_vars(p, 0);
        free(p->vars);
        p->vars = saved, p->nvars = sn, p->capvars = sc;
        if (!p->failed && s != STOP_END) perr(p, x->pos, "unexpected {{else}}");
        add_def(p, name, body, x->pos);
        return NULL;
    }
    default: break;
    }
    backup(p);
    struct gt_node *nd = sk_xcalloc(1, sizeof(*nd));
    nd->t = GN_ACTION;
    nd->pos = x->pos;
    nd->pipe = pipeline(p, "command", T_RDELIM);
    return nd;
}

sk_err sk_gotemplate_parse(const char *tmpl, size_t len, struct sk_gotemplate **out,
                           struct sk_error **err)
{
    *out = NULL;
    struct sk_gotemplate *t = sk_xcalloc(1, sizeof(*t));
    t->src = sk_xstrndup(tmpl, len);
    t->len = len;
    struct lexer l = {.s = t->src, .len = len};
    lex(&l);
    struct parser p = {.t = t, .it = l.items, .n = l.n, .err = err};
    push_var(&p, "$", 1);
    enum stop s;
    t->root = item_list(&p, true, &s);
    pop_vars(&p, 0);
    free(p.vars);
    for (size_t i = 0; i < l.n; i++)
        free(l.items[i].msg);
    free(l.items);
    if (p.failed) {
        sk_gotemplate_free(t);
        return SK_EINVAL;
    }
    *out = t;
    return SK_OK;
}

void sk_gotemplate_free(struct sk_gotemplate *t)
{
    if (!t) return;
    sk_gt_list_free(t->root);
    for (size_t i = 0; i < t->ndefs; i++) {
        free(t->defs[i].name);
        sk_gt_list_free(t->defs[i].list);
    }
    free(t->defs);
    free(t->src);
    free(t);
}

/* ---- Go's String() of nodes ---- */

void sk_gt_arg_string(const struct gt_arg *a, struct sk_buf *b)
{
    switch (a->t) {
    case GA_FIELD: break;
    case GA_VAR: sk_buf_puts(b, a->text); break;
    case GA_DOT: sk_buf_putc(b, '.'); return;
    case GA_NIL: sk_buf_puts(b, "nil"); return;
    case GA_BOOL: sk_buf_puts(b, a->b ? "true" : "false"); return;
    case GA_NUMBER:
    case GA_STRING:
    case GA_IDENT: sk_buf_puts(b, a->text); return;
    case GA_PIPE:
        sk_buf_putc(b, '(');
        sk_gt_pipe_string(a->pipe, b);
        sk_buf_putc(b, ')');
        break;
    }
    for (size_t i = 0; i < a->nnames; i++) {
        sk_buf_putc(b, '.');
        sk_buf_puts(b, a->names[i]);
    }
}

void sk_gt_cmd_string(const struct gt_cmd *c, struct sk_buf *b)
{
    for (size_t i = 0; i < c->n; i++) {
        if (i) sk_buf_putc(b, ' ');
        sk_gt_arg_string(c->args[i], b);
    }
}

void sk_gt_pipe_string(const struct gt_pipe *p, struct sk_buf *b)
{
    if (!p) return;
    for (size_t i = 0; i < p->nvars; i++) {
        if (i) sk_buf_puts(b, ", ");
        sk_buf_puts(b, p->vars[i]);
    }
    if (p->nvars) sk_buf_puts(b, p->is_assign ? " = " : " := ");
    for (size_t i = 0; i < p->n; i++) {
        if (i) sk_buf_puts(b, " | ");
        sk_gt_cmd_string(p->cmds[i], b);
    }
}
