/* Label and field selectors with Kubernetes' grammar, validation messages
 * and printing. The string parser is a port of the shape of apimachinery's
 * lexer and recursive-descent parser, because clients rely on its exact
 * error texts and on how it treats edge cases like "x in (,a)". */
#include "selector.h"
#include "mem.h"
#include "quantity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Messages and formatting shared by the validators                    */
/* ------------------------------------------------------------------ */

#define LABEL_KEY_FMT "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
#define LABEL_KEY_MSG                                                                              \
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "       \
    "an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used "          \
    "for validation is '" LABEL_KEY_FMT "')"
#define DNS1123_SUBDOMAIN_MSG                                                                      \
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "      \
    "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "          \
    "regex used for validation is "                                                                \
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"

static const char msg_name_empty[] = "name part must be non-empty";
static const char msg_name_long[] = "name part must be no more than 63 bytes";
static const char msg_name_regex[] = "name part " LABEL_KEY_MSG;
static const char msg_prefix_empty[] = "prefix part must be non-empty";
static const char msg_prefix_long[] = "prefix part must be no more than 253 bytes";
static const char msg_prefix_regex[] = "prefix part " DNS1123_SUBDOMAIN_MSG;
static const char msg_key_slashes[] =
        "a valid label key " LABEL_KEY_MSG
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
static const char msg_value_long[] = "must be no more than 63 bytes";
static const char msg_value_regex[] =
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
        "or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
        "'my_value',  or '12345', regex used for validation is "
        "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] over s[0..n) */
static bool label_name_ok(const char *s, size_t n)
{
    if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1])) return false;
    for (size_t i = 1; i + 1 < n; i++)
        if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.') return false;
    return true;
}

static bool dns_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* [a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)* */
static bool dns1123_subdomain_ok(const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '.') continue;
        if (i == start || !dns_char(s[start]) || !dns_char(s[i - 1])) return false;
        for (size_t j = start + 1; j + 1 < i; j++)
            if (!dns_char(s[j]) && s[j] != '-') return false;
        start = i + 1;
    }
    return true;
}

size_t sk_label_key_errors(const char *key, const char *msgs[4])
{
    size_t k = 0, n = strlen(key);
    const char *slash = memchr(key, '/', n);
    const char *name = key;
    size_t nname = n;
    if (slash) {
        if (memchr(slash + 1, '/', n - (size_t)(slash + 1 - key))) {
            msgs[0] = msg_key_slashes;
            return 1;
        }
        size_t np = (size_t)(slash - key);
        if (np == 0) {
            msgs[k++] = msg_prefix_empty;
        } else {
            if (np > 253) msgs[k++] = msg_prefix_long;
            if (!dns1123_subdomain_ok(key, np)) msgs[k++] = msg_prefix_regex;
        }
        name = slash + 1;
        nname = n - np - 1;
    }
    if (nname == 0)
        msgs[k++] = msg_name_empty;
    else if (nname > 63)
        msgs[k++] = msg_name_long;
    if (!label_name_ok(name, nname)) msgs[k++] = msg_name_regex;
    return k;
}

size_t sk_label_value_errors(const char *value, const char *msgs[2])
{
    size_t k = 0, n = strlen(value);
    if (n > 63) msgs[k++] = msg_value_long;
    if (n > 0 && !label_name_ok(value, n)) msgs[k++] = msg_value_regex;
    return k;
}

/* encoding/json's string encoding, HTML-safe as json.Marshal makes it. */
static void json_str(struct sk_buf *b, const char *s)
{
    size_t n = strlen(s);
    sk_buf_putc(b, '"');
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            i++;
            if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
                sk_buf_putc(b, (char)c);
                continue;
            }
            switch (c) {
            case '"': sk_buf_puts(b, "\\\""); break;
            case '\\': sk_buf_puts(b, "\\\\"); break;
            case '\b': sk_buf_puts(b, "\\b"); break;
            case '\f': sk_buf_puts(b, "\\f"); break;
            case '\n': sk_buf_puts(b, "\\n"); break;
            case '\r': sk_buf_puts(b, "\\r"); break;
            case '\t': sk_buf_puts(b, "\\t"); break;
            default:
                sk_buf_printf(b, "\\u00%c%c", "0123456789abcdef"[c >> 4],
                              "0123456789abcdef"[c & 15]);
            }
            continue;
        }
        size_t w;
        int32_t r = sk_utf8_rune(s + i, n - i, &w);
        if (r < 0)
            sk_buf_puts(b, "\\ufffd");
        else if (r == 0x2028 || r == 0x2029)
            sk_buf_printf(b, "\\u%04x", (unsigned)r);
        else
            sk_buf_append(b, s + i, w);
        i += w;
    }
    sk_buf_putc(b, '"');
}

/* Field errors, deduplicated by text, rendered as utilerrors' aggregate:
 * one error alone, several as "[a, b]". */
struct ferrs {
    char **v;
    size_t n, cap;
};

static void ferrs_add(struct ferrs *fe, char *msg)
{
    for (size_t i = 0; i < fe->n; i++) {
        if (strcmp(fe->v[i], msg) == 0) {
            free(msg);
            return;
        }
    }
    if (fe->n == fe->cap) {
        fe->cap = fe->cap ? fe->cap * 2 : 4;
        fe->v = sk_xrealloc(fe->v, fe->cap * sizeof(*fe->v));
    }
    fe->v[fe->n++] = msg;
}

static void ferrs_free(struct ferrs *fe)
{
    for (size_t i = 0; i < fe->n; i++)
        free(fe->v[i]);
    free(fe->v);
    memset(fe, 0, sizeof(*fe));
}

static sk_err ferrs_fail(struct ferrs *fe, struct sk_error **err)
{
    struct sk_buf b = {0};
    if (fe->n > 1) sk_buf_putc(&b, '[');
    for (size_t i = 0; i < fe->n; i++) {
        if (i) sk_buf_puts(&b, ", ");
        sk_buf_puts(&b, fe->v[i]);
    }
    if (fe->n > 1) sk_buf_putc(&b, ']');
    char *msg = sk_buf_take(&b, NULL);
    sk_fail(err, SK_EINVAL, "%s", msg);
    free(msg);
    ferrs_free(fe);
    return SK_EINVAL;
}

/* "<field>: Invalid value: \"<value>\": <detail>" */
static char *invalid_str(const char *field, const char *value, const char *detail)
{
    char *q = sk_go_quote(value, strlen(value));
    char *m = sk_xasprintf("%s: Invalid value: %s: %s", field, q, detail);
    free(q);
    return m;
}

static char *join_msgs(const char *const *msgs, size_t n)
{
    struct sk_buf b = {0};
    for (size_t i = 0; i < n; i++) {
        if (i) sk_buf_puts(&b, "; ");
        sk_buf_puts(&b, msgs[i]);
    }
    return sk_buf_take(&b, NULL);
}

/* validateLabelKey: all of a key's problems in one field error. */
static char *key_error(const char *key, const char *field)
{
    const char *msgs[4];
    size_t n = sk_label_key_errors(key, msgs);
    if (!n) return NULL;
    char *detail = join_msgs(msgs, n);
    char *m = invalid_str(field, key, detail);
    free(detail);
    return m;
}

/* ------------------------------------------------------------------ */
/* Label selectors: building, matching, printing                       */
/* ------------------------------------------------------------------ */

static void req_free(struct sk_labelreq *r)
{
    free(r->key);
    for (size_t i = 0; i < r->nvalues; i++)
        free(r->values[i]);
    free(r->values);
}

void sk_labelsel_free(struct sk_labelsel *sel)
{
    if (!sel) return;
    for (size_t i = 0; i < sel->n; i++)
        req_free(&sel->reqs[i]);
    free(sel->reqs);
    free(sel);
}

struct sk_labelsel *sk_labelsel_everything(void)
{
    return sk_xcalloc(1, sizeof(struct sk_labelsel));
}

struct sk_labelsel *sk_labelsel_nothing(void)
{
    struct sk_labelsel *s = sk_xcalloc(1, sizeof(*s));
    s->nothing = true;
    return s;
}

static void sel_push(struct sk_labelsel *sel, size_t *cap, struct sk_labelreq *r)
{
    if (sel->n == *cap) {
        *cap = *cap ? *cap * 2 : 4;
        sel->reqs = sk_xrealloc(sel->reqs, *cap * sizeof(*sel->reqs));
    }
    sel->reqs[sel->n++] = *r;
}

/* Stable sort by key: Go's sort.Sort is insertion sort (stable) for the
 * few requirements real selectors have. */
static void sel_sort(struct sk_labelsel *sel)
{
    if (sel->n < 2) return;
    struct sk_labelreq *tmp = sk_xmalloc(sel->n * sizeof(*tmp));
    for (size_t width = 1; width < sel->n; width *= 2) {
        for (size_t lo = 0; lo < sel->n; lo += 2 * width) {
            size_t mid = lo + width < sel->n ? lo + width : sel->n;
            size_t hi = lo + 2 * width < sel->n ? lo + 2 * width : sel->n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = strcmp(sel->reqs[j].key, sel->reqs[i].key) < 0 ? sel->reqs[j++]
                                                                          : sel->reqs[i++];
            while (i < mid)
                tmp[k++] = sel->reqs[i++];
            while (j < hi)
                tmp[k++] = sel->reqs[j++];
        }
        memcpy(sel->reqs, tmp, sel->n * sizeof(*tmp));
    }
    free(tmp);
}

/* The BadValue of a []string in a field error: JSON, "null" for none. */
static char *values_json(char **vals, size_t n)
{
    if (n == 0) return sk_xstrdup("null");
    struct sk_buf b = {0};
    sk_buf_putc(&b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i) sk_buf_putc(&b, ',');
        json_str(&b, vals[i]);
    }
    sk_buf_putc(&b, ']');
    return sk_buf_take(&b, NULL);
}

/* labels.NewRequirement without a field path. On success the requirement
 * owns key (copied) and vals; on failure the caller keeps vals. */
static sk_err new_requirement(const char *key, enum sk_selop op, char **vals, size_t nvals,
                              struct sk_labelreq *out, struct sk_error **err)
{
    struct ferrs fe = {0};
    char *m = key_error(key, "key");
    if (m) ferrs_add(&fe, m);
    const char *detail = NULL;
    switch (op) {
    case SK_SELOP_IN:
    case SK_SELOP_NOTIN:
        if (nvals == 0) detail = "for 'in', 'notin' operators, values set can't be empty";
        break;
    case SK_SELOP_EQ:
    case SK_SELOP_DEQ:
    case SK_SELOP_NEQ:
        if (nvals != 1) detail = "exact-match compatibility requires one single value";
        break;
    case SK_SELOP_EXISTS:
    case SK_SELOP_NOTEXISTS:
        if (nvals != 0) detail = "values set must be empty for exists and does not exist";
        break;
    case SK_SELOP_GT:
    case SK_SELOP_LT:
        if (nvals != 1) detail = "for 'Gt', 'Lt' operators, exactly one value is required";
        break;
    }
    if (detail) {
        char *bad = values_json(vals, nvals);
        ferrs_add(&fe, sk_xasprintf("values: Invalid value: %s: %s", bad, detail));
        free(bad);
    }
    if (op == SK_SELOP_GT || op == SK_SELOP_LT) {
        for (size_t i = 0; i < nvals; i++) {
            int64_t v;
            if (sk_go_parse_int(vals[i], strlen(vals[i]), &v) == 0) continue;
            char field[48];
            snprintf(field, sizeof(field), "values[%zu]", i);
            ferrs_add(&fe, invalid_str(field, vals[i],
                                       "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
    }
    for (size_t i = 0; i < nvals; i++) {
        const char *msgs[2];
        size_t nm = sk_label_value_errors(vals[i], msgs);
        if (!nm) continue;
        char *field = sk_xasprintf("values[%zu][%s]", i, key);
        char *d = join_msgs(msgs, nm);
        ferrs_add(&fe, invalid_str(field, vals[i], d));
        free(d);
        free(field);
    }
    if (fe.n) return ferrs_fail(&fe, err);
    out->key = sk_xstrdup(key);
    out->op = op;
    out->values = vals;
    out->nvalues = nvals;
    return SK_OK;
}

static const char *label_get(const struct sk_val *labels, const char *key)
{
    return sk_val_cstr(sk_map_get(labels, key));
}

static bool has_value(const struct sk_labelreq *r, const char *v)
{
    for (size_t i = 0; i < r->nvalues; i++)
        if (strcmp(r->values[i], v) == 0) return true;
    return false;
}

static bool req_matches(const struct sk_labelreq *r, const struct sk_val *labels)
{
    const char *v = label_get(labels, r->key);
    int64_t lv, rv;
    switch (r->op) {
    case SK_SELOP_IN:
    case SK_SELOP_EQ:
    case SK_SELOP_DEQ: return v && has_value(r, v);
    case SK_SELOP_NOTIN:
    case SK_SELOP_NEQ: return !v || !has_value(r, v);
    case SK_SELOP_EXISTS: return v != NULL;
    case SK_SELOP_NOTEXISTS: return v == NULL;
    case SK_SELOP_GT:
    case SK_SELOP_LT:
        if (!v || r->nvalues != 1) return false;
        if (sk_go_parse_int(v, strlen(v), &lv) ||
            sk_go_parse_int(r->values[0], strlen(r->values[0]), &rv))
            return false;
        return r->op == SK_SELOP_GT ? lv > rv : lv < rv;
    }
    return false;
}

bool sk_labelsel_matches(const struct sk_labelsel *sel, const struct sk_val *labels)
{
    if (sel->nothing) return false;
    for (size_t i = 0; i < sel->n; i++)
        if (!req_matches(&sel->reqs[i], labels)) return false;
    return true;
}

bool sk_labelsel_empty(const struct sk_labelsel *sel)
{
    return !sel->nothing && sel->n == 0;
}

static int cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void req_string(struct sk_buf *b, const struct sk_labelreq *r)
{
    static const char *const ops[] = {
            [SK_SELOP_IN] = " in ",    [SK_SELOP_NOTIN] = " notin ", [SK_SELOP_EQ] = "=",
            [SK_SELOP_DEQ] = "==",     [SK_SELOP_NEQ] = "!=",        [SK_SELOP_EXISTS] = "",
            [SK_SELOP_NOTEXISTS] = "", [SK_SELOP_GT] = ">",          [SK_SELOP_LT] = "<",
    };
    if (r->op == SK_SELOP_NOTEXISTS) sk_buf_putc(b, '!');
    sk_buf_puts(b, r->key);
    if (r->op == SK_SELOP_EXISTS || r->op == SK_SELOP_NOTEXISTS) return;
    sk_buf_puts(b, ops[r->op]);
    bool set = r->op == SK_SELOP_IN || r->op == SK_SELOP_NOTIN;
    if (set) sk_buf_putc(b, '(');
    if (r->nvalues == 1) {
        sk_buf_puts(b, r->values[0]);
    } else if (r->nvalues > 1) {
        /* sorted on output only, like Go's safeSort */
        char **v = sk_xmalloc(r->nvalues * sizeof(*v));
        memcpy(v, r->values, r->nvalues * sizeof(*v));
        qsort(v, r->nvalues, sizeof(*v), cmp_strp);
        for (size_t i = 0; i < r->nvalues; i++) {
            if (i) sk_buf_putc(b, ',');
            sk_buf_puts(b, v[i]);
        }
        free(v);
    }
    if (set) sk_buf_putc(b, ')');
}

char *sk_labelsel_string(const struct sk_labelsel *sel)
{
    struct sk_buf b = {0};
    for (size_t i = 0; !sel->nothing && i < sel->n; i++) {
        if (i) sk_buf_putc(&b, ',');
        req_string(&b, &sel->reqs[i]);
    }
    return sk_buf_take(&b, NULL);
}

const char *sk_labelsel_exact(const struct sk_labelsel *sel, const char *key)
{
    for (size_t i = 0; !sel->nothing && i < sel->n; i++) {
        const struct sk_labelreq *r = &sel->reqs[i];
        if (strcmp(r->key, key) != 0) continue;
        if ((r->op == SK_SELOP_EQ || r->op == SK_SELOP_DEQ || r->op == SK_SELOP_IN) &&
            r->nvalues == 1)
            return r->values[0];
        return NULL;
    }
    return NULL;
}

struct sk_labelsel *sk_labelsel_from_set(const struct sk_val *set)
{
    struct sk_labelsel *sel = sk_labelsel_everything();
    size_t cap = 0;
    if (!set || set->type != SK_V_MAP) return sel;
    for (size_t i = 0; i < set->u.m.n; i++) {
        const char *v = sk_val_cstr(set->u.m.kv[i].val);
        struct sk_labelreq r = {sk_xstrdup(set->u.m.kv[i].key), SK_SELOP_EQ,
                                sk_xmalloc(sizeof(char *)), 1};
        r.values[0] = sk_xstrdup(v ? v : "");
        sel_push(sel, &cap, &r);
    }
    sel_sort(sel);
    return sel;
}

static void free_strv(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

sk_err sk_labelsel_from_val(const struct sk_val *ls, struct sk_labelsel **out,
                            struct sk_error **err)
{
    *out = NULL;
    if (!ls || ls->type == SK_V_NULL) {
        *out = sk_labelsel_nothing();
        return SK_OK;
    }
    if (ls->type != SK_V_MAP) return sk_fail(err, SK_EINVAL, "label selector must be an object");
    const struct sk_val *ml = sk_map_get(ls, "matchLabels");
    const struct sk_val *me = sk_map_get(ls, "matchExpressions");
    if (ml && ml->type != SK_V_MAP && ml->type != SK_V_NULL)
        return sk_fail(err, SK_EINVAL, "matchLabels must be an object");
    if (me && me->type != SK_V_ARR && me->type != SK_V_NULL)
        return sk_fail(err, SK_EINVAL, "matchExpressions must be an array");
    struct sk_labelsel *sel = sk_labelsel_everything();
    size_t cap = 0;
    for (size_t i = 0; ml && ml->type == SK_V_MAP && i < ml->u.m.n; i++) {
        const char *v = sk_val_cstr(ml->u.m.kv[i].val);
        if (!v) {
            sk_labelsel_free(sel);
            return sk_fail(err, SK_EINVAL, "matchLabels[%s] must be a string", ml->u.m.kv[i].key);
        }
        char **vals = sk_xmalloc(sizeof(char *));
        vals[0] = sk_xstrdup(v);
        struct sk_labelreq r;
        if (new_requirement(ml->u.m.kv[i].key, SK_SELOP_EQ, vals, 1, &r, err) != SK_OK) {
            free_strv(vals, 1);
            sk_labelsel_free(sel);
            return SK_EINVAL;
        }
        sel_push(sel, &cap, &r);
    }
    for (size_t i = 0; me && me->type == SK_V_ARR && i < me->u.a.n; i++) {
        const struct sk_val *ex = me->u.a.items[i];
        const struct sk_val *vv = sk_map_get(ex, "values");
        const char *key = sk_val_cstr(sk_map_get(ex, "key"));
        const char *op = sk_val_cstr(sk_map_get(ex, "operator"));
        if (!ex || ex->type != SK_V_MAP || (vv && vv->type != SK_V_ARR && vv->type != SK_V_NULL)) {
            sk_labelsel_free(sel);
            return sk_fail(err, SK_EINVAL, "matchExpressions[%zu] must be an object", i);
        }
        enum sk_selop sop;
        if (op && strcmp(op, "In") == 0)
            sop = SK_SELOP_IN;
        else if (op && strcmp(op, "NotIn") == 0)
            sop = SK_SELOP_NOTIN;
        else if (op && strcmp(op, "Exists") == 0)
            sop = SK_SELOP_EXISTS;
        else if (op && strcmp(op, "DoesNotExist") == 0)
            sop = SK_SELOP_NOTEXISTS;
        else {
            char *q = sk_go_quote(op ? op : "", op ? strlen(op) : 0);
            sk_fail(err, SK_EINVAL, "%s is not a valid label selector operator", q);
            free(q);
            sk_labelsel_free(sel);
            return SK_EINVAL;
        }
        size_t nv = vv && vv->type == SK_V_ARR ? vv->u.a.n : 0;
        char **vals = sk_xcalloc(nv ? nv : 1, sizeof(char *));
        for (size_t j = 0; j < nv; j++) {
            const char *s = sk_val_cstr(vv->u.a.items[j]);
            if (!s) {
                free_strv(vals, nv);
                sk_labelsel_free(sel);
                return sk_fail(err, SK_EINVAL, "matchExpressions[%zu].values[%zu] must be a string",
                               i, j);
            }
            vals[j] = sk_xstrdup(s);
        }
        struct sk_labelreq r;
        if (new_requirement(key ? key : "", sop, vals, nv, &r, err) != SK_OK) {
            free_strv(vals, nv);
            sk_labelsel_free(sel);
            return SK_EINVAL;
        }
        sel_push(sel, &cap, &r);
    }
    sel_sort(sel);
    *out = sel;
    return SK_OK;
}

/* ------------------------------------------------------------------ */
/* Label selector string parser                                        */
/* ------------------------------------------------------------------ */

enum tok {
    T_ERROR,
    T_EOS,
    T_CLOSEPAR,
    T_COMMA,
    T_NOT,
    T_DEQ,
    T_EQ,
    T_GT,
    T_ID,
    T_IN,
    T_LT,
    T_NEQ,
    T_NOTIN,
    T_OPENPAR,
};

struct item {
    enum tok tok;
    const char *lit;
    size_t len;
};

struct lexer {
    const char *s;
    size_t n, pos;
};

/* Go's read(): a NUL byte reads like the end, but is consumed. */
static unsigned char lread(struct lexer *l)
{
    return l->pos < l->n ? (unsigned char)l->s[l->pos++] : 0;
}

static bool is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_special(unsigned char c)
{
    return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

static enum tok sym_token(const char *s, size_t n)
{
    static const struct {
        const char *s;
        enum tok t;
    } syms[] = {{")", T_CLOSEPAR}, {",", T_COMMA}, {"!", T_NOT},  {"==", T_DEQ},   {"=", T_EQ},
                {">", T_GT},       {"<", T_LT},    {"!=", T_NEQ}, {"(", T_OPENPAR}};
    for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++)
        if (strlen(syms[i].s) == n && memcmp(syms[i].s, s, n) == 0) return syms[i].t;
    return T_ERROR;
}

static struct item lex(struct lexer *l)
{
    unsigned char ch;
    do
        ch = lread(l);
    while (is_ws(ch));
    if (ch == 0) return (struct item){T_EOS, "", 0};
    size_t start = --l->pos, len = 0;
    if (is_special(ch)) {
        /* the longest run of symbols that is still a token */
        enum tok last = T_ERROR;
        size_t lastlen = 0;
        while ((ch = lread(l)) != 0) {
            if (!is_special(ch)) {
                l->pos--;
                break;
            }
            enum tok t = sym_token(l->s + start, ++len);
            if (t != T_ERROR) {
                last = t;
                lastlen = len;
            } else if (last != T_ERROR) {
                l->pos--;
                break;
            }
        }
        return (struct item){last, l->s + start, lastlen};
    }
    while ((ch = lread(l)) != 0) {
        if (is_special(ch) || is_ws(ch)) {
            l->pos--;
            break;
        }
        len++;
    }
    enum tok t = T_ID;
    if (len == 2 && memcmp(l->s + start, "in", 2) == 0) t = T_IN;
    if (len == 5 && memcmp(l->s + start, "notin", 5) == 0) t = T_NOTIN;
    return (struct item){t, l->s + start, len};
}

struct parser {
    struct item *items;
    size_t n, pos;
};

/* In a values context the keywords in and notin are plain identifiers. */
static struct item peek(struct parser *p, bool values)
{
    struct item it = p->pos < p->n ? p->items[p->pos] : (struct item){T_EOS, "", 0};
    if (values && (it.tok == T_IN || it.tok == T_NOTIN)) it.tok = T_ID;
    return it;
}

static struct item next(struct parser *p, bool values)
{
    struct item it = peek(p, values);
    p->pos++;
    return it;
}

struct strset {
    char **v;
    size_t n, cap;
};

/* Duplicates are dropped after sorting, as sets.String.List() would. */
static void set_add(struct strset *s, const char *p, size_t n)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 4;
        s->v = sk_xrealloc(s->v, s->cap * sizeof(*s->v));
    }
    s->v[s->n++] = sk_xstrndup(p, n);
}

static void set_finish(struct strset *s)
{
    size_t k = 0;
    if (s->n > 1) qsort(s->v, s->n, sizeof(*s->v), cmp_strp);
    for (size_t i = 0; i < s->n; i++) {
        if (k && strcmp(s->v[k - 1], s->v[i]) == 0)
            free(s->v[i]);
        else
            s->v[k++] = s->v[i];
    }
    s->n = k;
}

static sk_err found(struct sk_error **err, const struct item *it, const char *expected)
{
    return sk_fail(err, SK_EINVAL, "found '%.*s'%s", (int)it->len, it->lit, expected);
}

static sk_err parse_values(struct parser *p, struct strset *set, struct sk_error **err)
{
    struct item it = next(p, true);
    if (it.tok != T_OPENPAR) return found(err, &it, " expected: '('");
    it = peek(p, true);
    if (it.tok == T_CLOSEPAR) {
        next(p, true);
        set_add(set, "", 0);
        return SK_OK;
    }
    if (it.tok != T_ID && it.tok != T_COMMA)
        return found(err, &it, ", expected: ',', ')' or identifier");
    for (;;) {
        struct item v = next(p, true);
        if (v.tok == T_ID) {
            set_add(set, v.lit, v.len);
            struct item t2 = peek(p, true);
            if (t2.tok == T_COMMA) continue;
            if (t2.tok == T_CLOSEPAR) break;
            return found(err, &t2, ", expected: ',' or ')'");
        } else if (v.tok == T_COMMA) {
            if (set->n == 0) set_add(set, "", 0); /* "(," */
            struct item t2 = peek(p, true);
            if (t2.tok == T_CLOSEPAR) {
                set_add(set, "", 0); /* ",)" */
                break;
            }
            if (t2.tok == T_COMMA) set_add(set, "", 0); /* ",," */
        } else {
            return found(err, &v, ", expected: ',', or identifier");
        }
    }
    next(p, true); /* the ')' the loop stopped at */
    return SK_OK;
}

static sk_err parse_requirement(struct parser *p, struct sk_labelreq *out, struct sk_error **err)
{
    bool notexists = false;
    struct item key = next(p, true);
    if (key.tok == T_NOT) {
        notexists = true;
        key = next(p, true);
    }
    if (key.tok != T_ID) return found(err, &key, ", expected: identifier");
    char *k = sk_xstrndup(key.lit, key.len);
    char *m = key_error(k, "<nil>");
    if (m) {
        sk_fail(err, SK_EINVAL, "%s", m);
        free(m);
        free(k);
        return SK_EINVAL;
    }
    enum tok la = peek(p, true).tok;
    enum sk_selop op;
    struct strset set = {0};
    if (notexists || la == T_EOS || la == T_COMMA) {
        op = notexists ? SK_SELOP_NOTEXISTS : SK_SELOP_EXISTS;
    } else {
        struct item o = next(p, false);
        switch (o.tok) {
        case T_IN: op = SK_SELOP_IN; break;
        case T_EQ: op = SK_SELOP_EQ; break;
        case T_DEQ: op = SK_SELOP_DEQ; break;
        case T_GT: op = SK_SELOP_GT; break;
        case T_LT: op = SK_SELOP_LT; break;
        case T_NOTIN: op = SK_SELOP_NOTIN; break;
        case T_NEQ: op = SK_SELOP_NEQ; break;
        default: free(k); return found(err, &o, ", expected: in, notin, =, ==, !=, gt, lt");
        }
        sk_err rc;
        if (op == SK_SELOP_IN || op == SK_SELOP_NOTIN) {
            rc = parse_values(p, &set, err);
        } else {
            struct item v = peek(p, true);
            rc = SK_OK;
            if (v.tok == T_EOS || v.tok == T_COMMA) {
                set_add(&set, "", 0);
            } else {
                v = next(p, true);
                if (v.tok == T_ID)
                    set_add(&set, v.lit, v.len);
                else
                    rc = found(err, &v, ", expected: identifier");
            }
        }
        if (rc != SK_OK) {
            free_strv(set.v, set.n);
            free(k);
            return rc;
        }
        set_finish(&set);
    }
    sk_err rc = new_requirement(k, op, set.v, set.n, out, err);
    if (rc != SK_OK) free_strv(set.v, set.n);
    free(k);
    return rc;
}

sk_err sk_labelsel_parsen(const char *s, size_t n, struct sk_labelsel **out, struct sk_error **err)
{
    struct lexer l = {s, n, 0};
    struct parser p = {0};
    size_t icap = 0;
    *out = NULL;
    for (;;) {
        struct item it = lex(&l);
        if (p.n == icap) {
            icap = icap ? icap * 2 : 16;
            p.items = sk_xrealloc(p.items, icap * sizeof(*p.items));
        }
        p.items[p.n++] = it;
        if (it.tok == T_EOS) break;
    }
    struct sk_labelsel *sel = sk_labelsel_everything();
    size_t cap = 0;
    sk_err rc = SK_OK;
    for (;;) {
        struct item it = peek(&p, true);
        if (it.tok == T_EOS) break;
        if (it.tok != T_ID && it.tok != T_NOT) {
            rc = found(err, &it, ", expected: !, identifier, or 'end of string'");
            break;
        }
        struct sk_labelreq r;
        if ((rc = parse_requirement(&p, &r, err)) != SK_OK) {
            sk_error_prefix(err, "unable to parse requirement");
            break;
        }
        sel_push(sel, &cap, &r);
        struct item t = next(&p, true);
        if (t.tok == T_EOS) break;
        if (t.tok != T_COMMA) {
            rc = found(err, &t, ", expected: ',' or 'end of string'");
            break;
        }
        struct item t2 = peek(&p, true);
        if (t2.tok != T_ID && t2.tok != T_NOT) {
            rc = found(err, &t2, ", expected: identifier after ','");
            break;
        }
    }
    free(p.items);
    if (rc != SK_OK) {
        sk_labelsel_free(sel);
        return rc;
    }
    sel_sort(sel);
    *out = sel;
    return SK_OK;
}

sk_err sk_labelsel_parse(const char *s, struct sk_labelsel **out, struct sk_error **err)
{
    return sk_labelsel_parsen(s, strlen(s), out, err);
}

/* ------------------------------------------------------------------ */
/* API validation of LabelSelector objects and label maps              */
/* ------------------------------------------------------------------ */

static void cause_invalid_str(sk_cause_fn *fn, void *ctx, const char *field, const char *value,
                              const char *detail)
{
    char *q = sk_go_quote(value, strlen(value));
    char *m = sk_xasprintf("Invalid value: %s: %s", q, detail);
    fn(ctx, field, "FieldValueInvalid", m);
    free(q);
    free(m);
}

static char *child(const char *path, const char *name)
{
    return path && *path ? sk_xasprintf("%s.%s", path, name) : sk_xstrdup(name);
}

static size_t validate_label_name(const char *key, const char *field, sk_cause_fn *fn, void *ctx)
{
    const char *msgs[4];
    size_t n = sk_label_key_errors(key, msgs);
    for (size_t i = 0; i < n; i++)
        cause_invalid_str(fn, ctx, field, key, msgs[i]);
    return n;
}

size_t sk_labels_validate(const struct sk_val *labels, const char *path, sk_cause_fn *fn, void *ctx)
{
    size_t count = 0;
    if (!labels || labels->type != SK_V_MAP) return 0;
    for (size_t i = 0; i < labels->u.m.n; i++) {
        const char *v = sk_val_cstr(labels->u.m.kv[i].val);
        count += validate_label_name(labels->u.m.kv[i].key, path, fn, ctx);
        const char *msgs[2];
        size_t n = v ? sk_label_value_errors(v, msgs) : 0;
        for (size_t j = 0; j < n; j++)
            cause_invalid_str(fn, ctx, path, v, msgs[j]);
        count += n;
    }
    return count;
}

size_t sk_labelsel_validate(const struct sk_val *ls, const char *path, sk_cause_fn *fn, void *ctx)
{
    size_t count = 0;
    if (!ls || ls->type != SK_V_MAP) return 0;
    char *mlpath = child(path, "matchLabels");
    count += sk_labels_validate(sk_map_get(ls, "matchLabels"), mlpath, fn, ctx);
    free(mlpath);
    const struct sk_val *me = sk_map_get(ls, "matchExpressions");
    for (size_t i = 0; me && me->type == SK_V_ARR && i < me->u.a.n; i++) {
        const struct sk_val *ex = me->u.a.items[i];
        char *base = path && *path ? sk_xasprintf("%s.matchExpressions[%zu]", path, i)
                                   : sk_xasprintf("matchExpressions[%zu]", i);
        char *vpath = child(base, "values");
        const struct sk_val *vals = sk_map_get(ex, "values");
        size_t nv = vals && vals->type == SK_V_ARR ? vals->u.a.n : 0;
        const char *op = sk_val_cstr(sk_map_get(ex, "operator"));
        if (!op) op = "";
        if (strcmp(op, "In") == 0 || strcmp(op, "NotIn") == 0) {
            if (nv == 0) {
                fn(ctx, vpath, "FieldValueRequired",
                   "Required value: must be specified when `operator` is 'In' or 'NotIn'");
                count++;
            }
        } else if (strcmp(op, "Exists") == 0 || strcmp(op, "DoesNotExist") == 0) {
            if (nv > 0) {
                fn(ctx, vpath, "FieldValueForbidden",
                   "Forbidden: may not be specified when `operator` is 'Exists' or "
                   "'DoesNotExist'");
                count++;
            }
        } else {
            char *opath = child(base, "operator");
            struct sk_buf b = {0};
            sk_buf_puts(&b, "Invalid value: ");
            json_str(&b, op);
            sk_buf_puts(&b, ": not a valid selector operator");
            char *m = sk_buf_take(&b, NULL);
            fn(ctx, opath, "FieldValueInvalid", m);
            free(m);
            free(opath);
            count++;
        }
        const char *key = sk_val_cstr(sk_map_get(ex, "key"));
        char *kpath = child(base, "key");
        count += validate_label_name(key ? key : "", kpath, fn, ctx);
        free(kpath);
        for (size_t j = 0; j < nv; j++) {
            const char *v = sk_val_cstr(vals->u.a.items[j]);
            const char *msgs[2];
            size_t n = v ? sk_label_value_errors(v, msgs) : 0;
            if (!n) continue;
            char *jpath = sk_xasprintf("%s[%zu]", vpath, j);
            for (size_t k = 0; k < n; k++)
                cause_invalid_str(fn, ctx, jpath, v, msgs[k]);
            count += n;
            free(jpath);
        }
        free(vpath);
        free(base);
    }
    return count;
}

/* ------------------------------------------------------------------ */
/* Field selectors                                                     */
/* ------------------------------------------------------------------ */

void sk_fieldsel_free(struct sk_fieldsel *sel)
{
    if (!sel) return;
    for (size_t i = 0; i < sel->n; i++) {
        free(sel->terms[i].field);
        free(sel->terms[i].value);
    }
    free(sel->terms);
    free(sel);
}

static void escape_value(struct sk_buf *b, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\' || *v == ',' || *v == '=') sk_buf_putc(b, '\\');
        sk_buf_putc(b, *v);
    }
}

static void term_string(struct sk_buf *b, const struct sk_fieldterm *t)
{
    sk_buf_puts(b, t->field);
    sk_buf_puts(b, t->neq ? "!=" : "=");
    escape_value(b, t->value);
}

char *sk_fieldsel_string(const struct sk_fieldsel *sel)
{
    struct sk_buf b = {0};
    for (size_t i = 0; i < sel->n; i++) {
        if (i) sk_buf_putc(&b, ',');
        term_string(&b, &sel->terms[i]);
    }
    return sk_buf_take(&b, NULL);
}

bool sk_fieldsel_empty(const struct sk_fieldsel *sel)
{
    return sel->n == 0;
}

const char *sk_fieldsel_exact(const struct sk_fieldsel *sel, const char *field)
{
    for (size_t i = 0; i < sel->n; i++)
        if (!sel->terms[i].neq && strcmp(sel->terms[i].field, field) == 0)
            return sel->terms[i].value;
    return NULL;
}

struct span {
    const char *p;
    size_t n;
};

static int cmp_span(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    size_t n = x->n < y->n ? x->n : y->n;
    int c = memcmp(x->p, y->p, n);
    if (c) return c;
    return x->n < y->n ? -1 : x->n > y->n;
}

static void put_rune(struct sk_buf *b, const char *p, size_t w, int32_t r)
{
    if (r < 0)
        sk_buf_puts(b, "\xef\xbf\xbd"); /* WriteRune(utf8.RuneError) */
    else
        sk_buf_append(b, p, w);
}

/* fields.UnescapeValue. */
static sk_err unescape(const char *s, size_t n, char **out, struct sk_error **err)
{
    if (!memchr(s, '\\', n) && !memchr(s, ',', n) && !memchr(s, '=', n)) {
        *out = sk_xstrndup(s, n);
        return SK_OK;
    }
    struct sk_buf b = {0};
    bool slash = false;
    for (size_t i = 0; i < n;) {
        size_t w;
        int32_t r = sk_utf8_rune(s + i, n - i, &w);
        if (slash) {
            slash = false;
            if (r == '\\' || r == ',' || r == '=') {
                sk_buf_putc(&b, (char)r);
            } else {
                struct sk_buf seq = {0};
                sk_buf_putc(&seq, '\\');
                put_rune(&seq, s + i, w, r);
                char *sq = sk_buf_take(&seq, NULL);
                sk_fail(err, SK_EINVAL, "invalid field selector: invalid escape sequence: %s", sq);
                free(sq);
                sk_buf_free(&b);
                return SK_EINVAL;
            }
        } else if (r == '\\') {
            slash = true;
        } else if (r == ',' || r == '=') {
            sk_buf_free(&b);
            return sk_fail(err, SK_EINVAL,
                           "invalid field selector: unescaped character in value: %d", (int)r);
        } else {
            put_rune(&b, s + i, w, r);
        }
        i += w;
    }
    if (slash) {
        sk_buf_free(&b);
        return sk_fail(err, SK_EINVAL, "invalid field selector: invalid escape sequence: \\");
    }
    *out = sk_buf_take(&b, NULL);
    return SK_OK;
}

static int cmp_term(const void *a, const void *b)
{
    const struct sk_fieldterm *x = a, *y = b;
    struct sk_buf bx = {0}, by = {0};
    term_string(&bx, x);
    term_string(&by, y);
    sk_buf_putc(&bx, 0);
    sk_buf_putc(&by, 0);
    int c = strcmp(bx.p, by.p);
    sk_buf_free(&bx);
    sk_buf_free(&by);
    return c;
}

sk_err sk_fieldsel_parse(const char *s, struct sk_fieldsel **out, struct sk_error **err)
{
    size_t n = strlen(s), nparts = 0, cap = 0;
    struct span *parts = NULL;
    *out = NULL;
    if (n > 0) {
        size_t start = 0;
        bool slash = false;
        for (size_t i = 0; i <= n; i++) {
            if (i < n && slash) {
                slash = false;
            } else if (i < n && s[i] == '\\') {
                slash = true;
            } else if (i == n || s[i] == ',') {
                if (nparts == cap) {
                    cap = cap ? cap * 2 : 8;
                    parts = sk_xrealloc(parts, cap * sizeof(*parts));
                }
                parts[nparts++] = (struct span){s + start, i - start};
                start = i + 1;
            }
        }
    }
    /* Go reports the first bad term in sorted order. */
    if (nparts > 1) qsort(parts, nparts, sizeof(*parts), cmp_span);
    struct sk_fieldsel *sel = sk_xcalloc(1, sizeof(*sel));
    sel->terms = sk_xcalloc(nparts ? nparts : 1, sizeof(*sel->terms));
    for (size_t k = 0; k < nparts; k++) {
        const char *t = parts[k].p;
        size_t tn = parts[k].n, i, oplen = 0;
        if (tn == 0) continue;
        bool neq = false;
        for (i = 0; i < tn; i++) {
            if (i + 1 < tn && t[i] == '!' && t[i + 1] == '=') {
                neq = true;
                oplen = 2;
            } else if (i + 1 < tn && t[i] == '=' && t[i + 1] == '=') {
                oplen = 2;
            } else if (t[i] == '=') {
                oplen = 1;
            }
            if (oplen) break;
        }
        if (!oplen) {
            sk_fail(err, SK_EINVAL, "invalid selector: '%s'; can't understand '%.*s'", s, (int)tn,
                    t);
            free(parts);
            sk_fieldsel_free(sel);
            return SK_EINVAL;
        }
        char *value = NULL;
        if (unescape(t + i + oplen, tn - i - oplen, &value, err) != SK_OK) {
            free(parts);
            sk_fieldsel_free(sel);
            return SK_EINVAL;
        }
        if (i == 0 && !*value) { /* Transform drops an empty field with an empty value */
            free(value);
            continue;
        }
        sel->terms[sel->n++] = (struct sk_fieldterm){sk_xstrndup(t, i), value, neq};
    }
    free(parts);
    if (sel->n > 1) qsort(sel->terms, sel->n, sizeof(*sel->terms), cmp_term);
    *out = sel;
    return SK_OK;
}

sk_err sk_fieldsel_check(const struct sk_fieldsel *sel, const char *const *supported,
                         struct sk_error **err)
{
    for (size_t i = 0; i < sel->n; i++) {
        bool ok = false;
        for (const char *const *s = supported; s && *s && !ok; s++)
            ok = strcmp(*s, sel->terms[i].field) == 0;
        if (!ok)
            return sk_fail(err, SK_EINVAL, "field label not supported: %s", sel->terms[i].field);
    }
    return SK_OK;
}

/* The field label conversion functions registered in Kubernetes'
 * pkg/apis/<group>/<version>/conversion.go. Everything else falls back to
 * runtime.DefaultMetaV1FieldSelectorConversion. apps/v1 registers none, so
 * ReplicaSet's status.replicas (in its registry field set) is refused. */
enum conv_msg { MSG_NOT_SUPPORTED, MSG_BATCH_JOB, MSG_DEFAULT };

static const char *const meta_labels[] = {"metadata.name", "metadata.namespace", NULL};
static const char *const pod_labels[] = {"metadata.name",
                                         "metadata.namespace",
                                         "spec.nodeName",
                                         "spec.restartPolicy",
                                         "spec.schedulerName",
                                         "spec.serviceAccountName",
                                         "spec.hostNetwork",
                                         "status.phase",
                                         "status.podIP",
                                         "status.podIPs",
                                         "status.nominatedNodeName",
                                         "spec.host",
                                         NULL};
static const char *const pod_aliases[] = {"spec.host", "spec.nodeName", NULL};
static const char *const node_labels[] = {"metadata.name", "spec.unschedulable", NULL};
static const char *const rc_labels[] = {"metadata.name", "metadata.namespace", "status.replicas",
                                        NULL};
static const char *const event_labels[] = {"involvedObject.kind",
                                           "involvedObject.namespace",
                                           "involvedObject.name",
                                           "involvedObject.uid",
                                           "involvedObject.apiVersion",
                                           "involvedObject.resourceVersion",
                                           "involvedObject.fieldPath",
                                           "reason",
                                           "reportingComponent",
                                           "source",
                                           "type",
                                           "metadata.namespace",
                                           "metadata.name",
                                           NULL};
static const char *const ns_labels[] = {"status.phase", "metadata.name", NULL};
static const char *const secret_labels[] = {"type", "metadata.namespace", "metadata.name", NULL};
static const char *const svc_labels[] = {"metadata.namespace", "metadata.name", "spec.clusterIP",
                                         "spec.type", NULL};
static const char *const job_labels[] = {"metadata.name", "metadata.namespace", "status.successful",
                                         NULL};
static const char *const ev2_labels[] = {"reason",
                                         "regarding.kind",
                                         "regarding.namespace",
                                         "regarding.name",
                                         "regarding.uid",
                                         "regarding.apiVersion",
                                         "regarding.resourceVersion",
                                         "regarding.fieldPath",
                                         "reportingController",
                                         "source",
                                         "type",
                                         "metadata.namespace",
                                         "metadata.name",
                                         NULL};
static const char *const ev2_aliases[] = {"regarding.kind",
                                          "involvedObject.kind",
                                          "regarding.namespace",
                                          "involvedObject.namespace",
                                          "regarding.name",
                                          "involvedObject.name",
                                          "regarding.uid",
                                          "involvedObject.uid",
                                          "regarding.apiVersion",
                                          "involvedObject.apiVersion",
                                          "regarding.resourceVersion",
                                          "involvedObject.resourceVersion",
                                          "regarding.fieldPath",
                                          "involvedObject.fieldPath",
                                          "reportingController",
                                          "reportingComponent",
                                          NULL};

static const struct conv {
    const char *group, *kind;
    const char *const *labels;
    const char *const *aliases;
    enum conv_msg msg;
} convs[] = {
        {"", "Pod", pod_labels, pod_aliases, MSG_NOT_SUPPORTED},
        {"", "Node", node_labels, NULL, MSG_NOT_SUPPORTED},
        {"", "ReplicationController", rc_labels, NULL, MSG_NOT_SUPPORTED},
        {"", "Event", event_labels, NULL, MSG_NOT_SUPPORTED},
        {"", "Namespace", ns_labels, NULL, MSG_NOT_SUPPORTED},
        {"", "Secret", secret_labels, NULL, MSG_NOT_SUPPORTED},
        {"", "Service", svc_labels, NULL, MSG_NOT_SUPPORTED},
        {"batch", "Job", job_labels, NULL, MSG_BATCH_JOB},
        {"events.k8s.io", "Event", ev2_labels, ev2_aliases, MSG_NOT_SUPPORTED},
};

static const struct conv *find_conv(const char *group, const char *kind)
{
    for (size_t i = 0; i < sizeof(convs) / sizeof(convs[0]); i++)
        if (strcmp(convs[i].group, group ? group : "") == 0 && kind &&
            strcmp(convs[i].kind, kind) == 0)
            return &convs[i];
    return NULL;
}

const char *const *sk_fieldsel_labels(const char *group, const char *kind)
{
    const struct conv *c = find_conv(group, kind);
    return c ? c->labels : meta_labels;
}

sk_err sk_fieldsel_convert(struct sk_fieldsel *sel, const char *group, const char *kind,
                           struct sk_error **err)
{
    const struct conv *c = find_conv(group, kind);
    const char *const *labels = c ? c->labels : meta_labels;
    for (size_t i = 0; i < sel->n; i++) {
        struct sk_fieldterm *t = &sel->terms[i];
        bool ok = false;
        for (const char *const *l = labels; *l && !ok; l++)
            ok = strcmp(*l, t->field) == 0;
        if (!ok) {
            char *q = sk_go_quote(t->field, strlen(t->field));
            switch (c ? c->msg : MSG_DEFAULT) {
            case MSG_NOT_SUPPORTED:
                sk_fail(err, SK_EINVAL, "field label not supported: %s", t->field);
                break;
            case MSG_BATCH_JOB:
                sk_fail(err, SK_EINVAL, "field label %s not supported for batchv1.Job", q);
                break;
            case MSG_DEFAULT:
                sk_fail(err, SK_EINVAL,
                        "%s is not a known field selector: only \"metadata.name\", "
                        "\"metadata.namespace\"",
                        q);
                break;
            }
            free(q);
            return SK_EINVAL;
        }
        for (const char *const *a = c ? c->aliases : NULL; a && *a; a += 2) {
            if (strcmp(a[0], t->field) == 0) {
                free(t->field);
                t->field = sk_xstrdup(a[1]);
                break;
            }
        }
    }
    return SK_OK;
}

/* ------------------------------------------------------------------ */
/* Field values of objects (the registries' ToSelectableFields)         */
/* ------------------------------------------------------------------ */

static const char *str2(const struct sk_val *obj, const char *a, const char *b)
{
    const char *s = sk_val_cstr(sk_val_at(obj, a, b, NULL));
    return s ? s : "";
}

static const char *fmt_bool(const struct sk_val *v, char *tmp)
{
    strcpy(tmp, sk_val_to_bool(v, false) ? "true" : "false");
    return tmp;
}

static const char *fmt_int(const struct sk_val *v, char *tmp)
{
    snprintf(tmp, 32, "%lld", (long long)sk_val_to_int(v, 0));
    return tmp;
}

/* "batch/v1" -> "batch", "v1" -> "" */
static bool group_is(const struct sk_val *obj, const char *group)
{
    const char *av = sk_obj_api_version(obj);
    const char *slash = av ? strchr(av, '/') : NULL;
    size_t n = slash ? (size_t)(slash - av) : 0;
    return strlen(group) == n && (n == 0 || memcmp(av, group, n) == 0);
}

static const char *event_value(const struct sk_val *obj, const char *label, char *tmp)
{
    static const char io[] = "involvedObject.";
    (void)tmp;
    if (strncmp(label, io, sizeof(io) - 1) == 0) {
        const char *f = label + sizeof(io) - 1;
        const char *s = sk_val_cstr(sk_val_at(obj, "involvedObject", f, NULL));
        if (!s) s = sk_val_cstr(sk_val_at(obj, "regarding", f, NULL));
        return s ? s : "";
    }
    const char *rc = sk_val_cstr(sk_map_get(obj, "reportingComponent"));
    if (!rc) rc = sk_val_cstr(sk_map_get(obj, "reportingController"));
    if (strcmp(label, "reason") == 0 || strcmp(label, "type") == 0) {
        const char *s = sk_val_cstr(sk_map_get(obj, label));
        return s ? s : "";
    }
    if (strcmp(label, "reportingComponent") == 0) return rc ? rc : "";
    if (strcmp(label, "source") == 0) {
        const char *s = sk_val_cstr(sk_val_at(obj, "source", "component", NULL));
        if (!s) s = sk_val_cstr(sk_val_at(obj, "deprecatedSource", "component", NULL));
        if (!s || !*s) s = rc;
        return s ? s : "";
    }
    return "";
}

const char *sk_fieldsel_value(const struct sk_val *obj, const char *label, char *tmp)
{
    const char *kind = sk_obj_kind(obj);
    if (strcmp(label, "metadata.name") == 0) {
        const char *s = sk_obj_name(obj);
        return s ? s : "";
    }
    if (strcmp(label, "metadata.namespace") == 0) {
        const char *s = sk_obj_namespace(obj);
        return s ? s : "";
    }
    if (!kind) return "";
    if (strcmp(kind, "Event") == 0) return event_value(obj, label, tmp);
    bool core = group_is(obj, "");
    if (core && strcmp(kind, "Pod") == 0) {
        if (strcmp(label, "spec.hostNetwork") == 0)
            return fmt_bool(sk_val_at(obj, "spec", "hostNetwork", NULL), tmp);
        if (strcmp(label, "spec.serviceAccountName") == 0) {
            const char *s = str2(obj, "spec", "serviceAccountName");
            return *s ? s : str2(obj, "spec", "serviceAccount");
        }
        if (strcmp(label, "status.podIP") == 0) {
            /* the internal type keeps podIPs; podIP is its first entry */
            const char *s = sk_val_cstr(
                    sk_map_get(sk_arr_get(sk_val_at(obj, "status", "podIPs", NULL), 0), "ip"));
            return s ? s : str2(obj, "status", "podIP");
        }
        /* status.podIPs is accepted by the conversion but absent from the
         * registry's field set, so it always reads as "". */
        static const char *const direct[] = {
                "spec.nodeName", "spec.restartPolicy",       "spec.schedulerName",
                "status.phase",  "status.nominatedNodeName", NULL};
        for (const char *const *d = direct; *d; d++) {
            if (strcmp(label, *d) == 0) {
                const char *dot = strchr(label, '.');
                char top[8];
                snprintf(top, sizeof(top), "%.*s", (int)(dot - label), label);
                return str2(obj, top, dot + 1);
            }
        }
        return "";
    }
    if (core && strcmp(kind, "Node") == 0 && strcmp(label, "spec.unschedulable") == 0)
        return fmt_bool(sk_val_at(obj, "spec", "unschedulable", NULL), tmp);
    if (core && strcmp(kind, "Namespace") == 0 && strcmp(label, "status.phase") == 0)
        return str2(obj, "status", "phase");
    if (core && strcmp(kind, "Secret") == 0 && strcmp(label, "type") == 0) {
        const char *s = sk_val_cstr(sk_map_get(obj, "type"));
        return s ? s : "";
    }
    if (core && strcmp(kind, "Service") == 0 &&
        (strcmp(label, "spec.clusterIP") == 0 || strcmp(label, "spec.type") == 0))
        return str2(obj, "spec", label + 5);
    if (strcmp(label, "status.replicas") == 0 &&
        ((core && strcmp(kind, "ReplicationController") == 0) ||
         (group_is(obj, "apps") && strcmp(kind, "ReplicaSet") == 0)))
        return fmt_int(sk_val_at(obj, "status", "replicas", NULL), tmp);
    if (group_is(obj, "batch") && strcmp(kind, "Job") == 0 &&
        strcmp(label, "status.successful") == 0)
        return fmt_int(sk_val_at(obj, "status", "succeeded", NULL), tmp);
    return "";
}

bool sk_fieldsel_matches(const struct sk_fieldsel *sel, const struct sk_val *obj)
{
    char tmp[32];
    for (size_t i = 0; i < sel->n; i++) {
        const struct sk_fieldterm *t = &sel->terms[i];
        bool eq = strcmp(sk_fieldsel_value(obj, t->field, tmp), t->value) == 0;
        if (eq == t->neq) return false;
    }
    return true;
}
