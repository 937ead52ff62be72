/* Field management (structured-merge-diff semantics): field sets in their
 * FieldsV1 spelling, ToFieldSet, Compare, the apply merge, pruning,
 * conflicts and the managedFields entries, typed by the schema table's
 * list types and keys (the same table strategic merge patch reads). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "managed.h"
#include "mem.h"

/* ---- field sets ---- */

struct fchild {
    char *pe;          /* "f:x", "k:{...}", "v:...", "i:N" */
    struct sk_val *pv; /* parsed key map / value for ordering; NULL for f: and i: */
    struct sk_fset *s;
};

struct sk_fset {
    bool member;
    struct fchild *c;
    size_t n, cap;
};

struct sk_fset *sk_fset_new(void)
{
    return sk_xcalloc(1, sizeof(struct sk_fset));
}

void sk_fset_free(struct sk_fset *s)
{
    if (!s) return;
    for (size_t i = 0; i < s->n; i++) {
        free(s->c[i].pe);
        sk_val_free(s->c[i].pv);
        sk_fset_free(s->c[i].s);
    }
    free(s->c);
    free(s);
}

struct sk_fset *sk_fset_dup(const struct sk_fset *s)
{
    struct sk_fset *d = sk_fset_new();
    if (!s) return d;
    d->member = s->member;
    if (s->n) {
        d->c = sk_xmalloc(s->n * sizeof(*d->c));
        d->cap = s->n;
    }
    for (size_t i = 0; i < s->n; i++) {
        d->c[i].pe = sk_xstrdup(s->c[i].pe);
        d->c[i].pv = s->c[i].pv ? sk_val_dup(s->c[i].pv) : NULL;
        d->c[i].s = sk_fset_dup(s->c[i].s);
    }
    d->n = s->n;
    return d;
}

bool sk_fset_empty(const struct sk_fset *s)
{
    return !s || (!s->member && s->n == 0);
}

bool sk_fset_equal(const struct sk_fset *a, const struct sk_fset *b)
{
    if (sk_fset_empty(a) || sk_fset_empty(b)) return sk_fset_empty(a) == sk_fset_empty(b);
    if (a->member != b->member || a->n != b->n) return false;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->c[i].pe, b->c[i].pe) != 0 || !sk_fset_equal(a->c[i].s, b->c[i].s))
            return false;
    return true;
}

/* The apiserver's total order of values: numbers (numerically), strings,
 * booleans, lists, maps, null. */
static int vrank(const struct sk_val *v)
{
    switch (v ? v->type : SK_V_NULL) {
    case SK_V_INT:
    case SK_V_FLOAT: return 0;
    case SK_V_STR: return 1;
    case SK_V_BOOL: return 2;
    case SK_V_ARR: return 3;
    case SK_V_MAP: return 4;
    default: return 5;
    }
}

static int vcmp(const struct sk_val *a, const struct sk_val *b)
{
    int ra = vrank(a), rb = vrank(b);
    if (ra != rb) return ra < rb ? -1 : 1;
    switch (ra) {
    case 0: {
        if (a->type == SK_V_INT && b->type == SK_V_INT)
            return a->u.i < b->u.i ? -1 : a->u.i > b->u.i;
        double x = a->type == SK_V_INT ? (double)a->u.i : a->u.f;
        double y = b->type == SK_V_INT ? (double)b->u.i : b->u.f;
        return x < y ? -1 : x > y;
    }
    case 1: {
        size_t n = a->u.s.len < b->u.s.len ? a->u.s.len : b->u.s.len;
        int c = memcmp(a->u.s.p, b->u.s.p, n);
        if (c) return c < 0 ? -1 : 1;
        return a->u.s.len < b->u.s.len ? -1 : a->u.s.len > b->u.s.len;
    }
    case 2: return (int)a->u.b - (int)b->u.b;
    case 3:
        for (size_t i = 0; i < a->u.a.n && i < b->u.a.n; i++) {
            int c = vcmp(a->u.a.items[i], b->u.a.items[i]);
            if (c) return c;
        }
        return a->u.a.n < b->u.a.n ? -1 : a->u.a.n > b->u.a.n;
    case 4:
        /* key maps are kept sorted by key */
        for (size_t i = 0; i < a->u.m.n && i < b->u.m.n; i++) {
            int c = strcmp(a->u.m.kv[i].key, b->u.m.kv[i].key);
            if (c) return c < 0 ? -1 : 1;
            c = vcmp(a->u.m.kv[i].val, b->u.m.kv[i].val);
            if (c) return c;
        }
        return a->u.m.n < b->u.m.n ? -1 : a->u.m.n > b->u.m.n;
    default: return 0;
    }
}

static int pe_rank(char t)
{
    switch (t) {
    case 'f': return 0;
    case 'k': return 1;
    case 'v': return 2;
    default: return 3;
    }
}

static int pe_cmp(const char *a, const struct sk_val *apv, const char *b, const struct sk_val *bpv)
{
    int ra = pe_rank(a[0]), rb = pe_rank(b[0]);
    if (ra != rb) return ra < rb ? -1 : 1;
    if (ra == 0) return strcmp(a + 2, b + 2);
    if (ra == 3) {
        long x = strtol(a + 2, NULL, 10), y = strtol(b + 2, NULL, 10);
        return x < y ? -1 : x > y;
    }
    int c = vcmp(apv, bpv);
    return c ? c : strcmp(a, b);
}

/* Parse the value part of a k: or v: element (already canonical). */
static struct sk_val *pe_parse(const char *pe)
{
    if (pe[0] != 'k' && pe[0] != 'v') return NULL;
    struct sk_val *v = NULL;
    if (sk_json_parse(pe + 2, strlen(pe + 2), &v, NULL)) return NULL;
    return v;
}

/* Index of pe in s, or -(insertion point)-1. */
static long find_child(const struct sk_fset *s, const char *pe, const struct sk_val *pv)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = pe_cmp(s->c[mid].pe, s->c[mid].pv, pe, pv);
        if (c == 0) return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -(long)lo - 1;
}

/* The child node for pe, created when missing; takes pv when it creates. */
static struct sk_fset *child_take(struct sk_fset *s, const char *pe, struct sk_val *pv)
{
    long i = find_child(s, pe, pv);
    if (i >= 0) {
        sk_val_free(pv);
        return s->c[i].s;
    }
    size_t at = (size_t)(-i - 1);
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 4;
        s->c = sk_xrealloc(s->c, s->cap * sizeof(*s->c));
    }
    memmove(&s->c[at + 1], &s->c[at], (s->n - at) * sizeof(*s->c));
    s->c[at].pe = sk_xstrdup(pe);
    s->c[at].pv = pv;
    s->c[at].s = sk_fset_new();
    s->n++;
    return s->c[at].s;
}

/* The child node for pe, created (with a copy of pv) when missing. */
static struct sk_fset *child_pv(struct sk_fset *s, const char *pe, const struct sk_val *pv)
{
    long i = find_child(s, pe, pv);
    if (i >= 0) return s->c[i].s;
    return child_take(s, pe, pv ? sk_val_dup(pv) : NULL);
}

static struct sk_fset *child(struct sk_fset *s, const char *pe)
{
    long i = find_child(s, pe, NULL);
    /* k: and v: need their parsed value to be found by order */
    if (i < 0 && (pe[0] == 'k' || pe[0] == 'v')) {
        struct sk_val *pv = pe_parse(pe);
        return child_take(s, pe, pv);
    }
    return child_take(s, pe, NULL);
}

static const struct fchild *get_child(const struct sk_fset *s, const char *pe,
                                      const struct sk_val *pv)
{
    if (!s) return NULL;
    long i = find_child(s, pe, pv);
    return i >= 0 ? &s->c[i] : NULL;
}

static void remove_child(struct sk_fset *s, size_t i)
{
    free(s->c[i].pe);
    sk_val_free(s->c[i].pv);
    sk_fset_free(s->c[i].s);
    memmove(&s->c[i], &s->c[i + 1], (s->n - i - 1) * sizeof(*s->c));
    s->n--;
}

void sk_fset_insert(struct sk_fset *s, const char *const *pes, size_t n)
{
    for (size_t i = 0; i < n; i++)
        s = child(s, pes[i]);
    s->member = true;
}

bool sk_fset_has(const struct sk_fset *s, const char *const *pes, size_t n)
{
    for (size_t i = 0; i < n && s; i++) {
        struct sk_val *pv = pe_parse(pes[i]);
        const struct fchild *c = get_child(s, pes[i], pv);
        sk_val_free(pv);
        s = c ? c->s : NULL;
    }
    return s && s->member;
}

void sk_fset_union(struct sk_fset *a, const struct sk_fset *b)
{
    if (!b) return;
    a->member |= b->member;
    for (size_t i = 0; i < b->n; i++) {
        struct sk_fset *c = child_take(a, b->c[i].pe, b->c[i].pv ? sk_val_dup(b->c[i].pv) : NULL);
        sk_fset_union(c, b->c[i].s);
    }
}

void sk_fset_difference(struct sk_fset *a, const struct sk_fset *b)
{
    if (!b) return;
    if (b->member) a->member = false;
    for (size_t i = 0; i < a->n;) {
        const struct fchild *bc = get_child(b, a->c[i].pe, a->c[i].pv);
        if (bc) sk_fset_difference(a->c[i].s, bc->s);
        if (sk_fset_empty(a->c[i].s))
            remove_child(a, i);
        else
            i++;
    }
}

void sk_fset_intersect(struct sk_fset *a, const struct sk_fset *b)
{
    if (!b || !b->member) a->member = false;
    for (size_t i = 0; i < a->n;) {
        const struct fchild *bc = get_child(b, a->c[i].pe, a->c[i].pv);
        if (bc) sk_fset_intersect(a->c[i].s, bc->s);
        if (!bc || sk_fset_empty(a->c[i].s))
            remove_child(a, i);
        else
            i++;
    }
}

void sk_fset_recursive_difference(struct sk_fset *a, const struct sk_fset *b)
{
    if (!b) return;
    for (size_t i = 0; i < a->n;) {
        const struct fchild *bc = get_child(b, a->c[i].pe, a->c[i].pv);
        if (bc && bc->s->member) {
            remove_child(a, i);
            continue;
        }
        if (bc) sk_fset_recursive_difference(a->c[i].s, bc->s);
        if (sk_fset_empty(a->c[i].s))
            remove_child(a, i);
        else
            i++;
    }
}

struct sk_val *sk_fset_to_val(const struct sk_fset *s)
{
    struct sk_val *m = sk_val_map();
    if (!s) return m;
    for (size_t i = 0; i < s->n; i++) {
        struct sk_val *cv = sk_fset_to_val(s->c[i].s);
        if (s->c[i].s->member && s->c[i].s->n) {
            /* "." first: the element itself, before its fields */
            struct sk_val *w = sk_val_map();
            sk_map_set(w, ".", sk_val_map());
            for (size_t j = 0; j < cv->u.m.n; j++) {
                sk_map_push(w, cv->u.m.kv[j].key, cv->u.m.kv[j].klen, cv->u.m.kv[j].val);
                cv->u.m.kv[j].val = NULL;
            }
            sk_val_free(cv);
            cv = w;
        }
        sk_map_push(m, s->c[i].pe, strlen(s->c[i].pe), cv);
    }
    return m;
}

/* A key map with its keys sorted (the apiserver's order of key fields). */
static struct sk_val *sorted_map(const struct sk_val *m)
{
    size_t n = m->u.m.n;
    const struct sk_kv **kv = sk_xmalloc((n ? n : 1) * sizeof(*kv));
    for (size_t i = 0; i < n; i++)
        kv[i] = &m->u.m.kv[i];
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(kv[j - 1]->key, kv[j]->key) > 0; j--) {
            const struct sk_kv *t = kv[j];
            kv[j] = kv[j - 1];
            kv[j - 1] = t;
        }
    struct sk_val *o = sk_val_map();
    for (size_t i = 0; i < n; i++)
        sk_map_push(o, kv[i]->key, kv[i]->klen, sk_val_dup(kv[i]->val));
    free(kv);
    return o;
}

static char *pe_of_value(char kind, const struct sk_val *v)
{
    struct sk_buf b = {0};
    sk_buf_putc(&b, kind);
    sk_buf_putc(&b, ':');
    sk_json_write(v, 0, &b);
    return sk_buf_take(&b, NULL);
}

/* Canonical spelling of a FieldsV1 key; NULL for kinds we do not know
 * (skipped, as the apiserver does), *bad set for malformed ones. */
static char *pe_canon(const char *key, size_t klen, struct sk_val **pv, bool *bad)
{
    *pv = NULL;
    *bad = false;
    if (klen < 2 || key[1] != ':') return NULL;
    const char *rest = key + 2;
    size_t rn = klen - 2;
    switch (key[0]) {
    case 'f': return sk_xasprintf("f:%.*s", (int)rn, rest);
    case 'i': {
        char *end = NULL;
        char buf[32];
        if (rn == 0 || rn >= sizeof(buf)) break;
        memcpy(buf, rest, rn);
        buf[rn] = 0;
        long x = strtol(buf, &end, 10);
        if (*end || x < 0 || x > 0x7fffffff) break;
        return sk_xasprintf("i:%ld", x);
    }
    case 'k':
    case 'v': {
        struct sk_val *v = NULL;
        if (sk_json_parse(rest, rn, &v, NULL)) break;
        if (key[0] == 'k') {
            if (!sk_val_is(v, SK_V_MAP)) {
                sk_val_free(v);
                break;
            }
            struct sk_val *s = sorted_map(v);
            sk_val_free(v);
            v = s;
        }
        *pv = v;
        return pe_of_value(key[0], v);
    }
    default: return NULL;
    }
    *bad = true;
    return NULL;
}

static sk_err from_val(const struct sk_val *v, struct sk_fset *s, int depth, struct sk_error **err)
{
    if (v && v->type == SK_V_NULL) {
        s->member = true;
        return SK_OK;
    }
    if (!sk_val_is(v, SK_V_MAP))
        return sk_fail(err, SK_EINVAL, "fieldsV1: expected an object, found %s",
                       sk_vtype_name(v ? v->type : SK_V_NULL));
    if (depth > SK_VAL_MAX_DEPTH) return sk_fail(err, SK_EINVAL, "fieldsV1: nested too deeply");
    bool any = false;
    for (size_t i = 0; i < v->u.m.n; i++) {
        const struct sk_kv *kv = &v->u.m.kv[i];
        if (kv->klen == 1 && kv->key[0] == '.') {
            s->member = true;
            continue;
        }
        struct sk_val *pv;
        bool bad;
        char *pe = pe_canon(kv->key, kv->klen, &pv, &bad);
        if (bad)
            return sk_fail(err, SK_EINVAL, "fieldsV1: parsing key as path element: %.*s",
                           (int)(kv->klen > 200 ? 200 : kv->klen), kv->key);
        if (!pe) continue;
        any = true;
        struct sk_fset *c = child_take(s, pe, pv);
        free(pe);
        sk_err rc = from_val(kv->val, c, depth + 1, err);
        if (rc) return rc;
    }
    if (!any) s->member = true;
    return SK_OK;
}

sk_err sk_fset_from_val(const struct sk_val *v, struct sk_fset **out, struct sk_error **err)
{
    *out = NULL;
    struct sk_fset *s = sk_fset_new();
    sk_err rc = from_val(v, s, 1, err);
    if (rc) {
        sk_fset_free(s);
        return rc;
    }
    /* the root is never a member of itself */
    s->member = false;
    *out = s;
    return SK_OK;
}

sk_err sk_fset_from_json(const char *p, size_t n, struct sk_fset **out, struct sk_error **err)
{
    *out = NULL;
    struct sk_val *v = NULL;
    sk_err rc = sk_json_parse(p, n, &v, err);
    if (rc) return rc;
    rc = sk_fset_from_val(v, out, err);
    sk_val_free(v);
    return rc;
}

/* ".name", "[k=v,...]", "[=v]", "[N]" */
static void pe_text(const struct fchild *c, struct sk_buf *b)
{
    switch (c->pe[0]) {
    case 'f':
        sk_buf_putc(b, '.');
        sk_buf_puts(b, c->pe + 2);
        break;
    case 'k':
        sk_buf_putc(b, '[');
        for (size_t i = 0; c->pv && i < c->pv->u.m.n; i++) {
            if (i) sk_buf_putc(b, ',');
            sk_buf_puts(b, c->pv->u.m.kv[i].key);
            sk_buf_putc(b, '=');
            sk_json_write(c->pv->u.m.kv[i].val, 0, b);
        }
        sk_buf_putc(b, ']');
        break;
    case 'v':
        sk_buf_puts(b, "[=");
        sk_buf_puts(b, c->pe + 2);
        sk_buf_putc(b, ']');
        break;
    default: sk_buf_printf(b, "[%s]", c->pe + 2);
    }
}

static void paths_walk(const struct sk_fset *s, struct sk_buf *b,
                       void (*fn)(const char *path, void *arg), void *arg)
{
    for (size_t i = 0; i < s->n; i++) {
        size_t mark = b->len;
        pe_text(&s->c[i], b);
        if (s->c[i].s->member) {
            sk_buf_putc(b, 0);
            fn(b->p, arg);
            b->len--;
        }
        paths_walk(s->c[i].s, b, fn, arg);
        b->len = mark;
    }
}

void sk_fset_paths(const struct sk_fset *s, void (*fn)(const char *path, void *arg), void *arg)
{
    if (!s) return;
    struct sk_buf b = {0};
    sk_buf_reserve(&b, 64);
    paths_walk(s, &b, fn, arg);
    sk_buf_free(&b);
}

/* ---- types from the schema table ---- */

enum { T_ANY, T_SCALAR, T_STRUCT, T_MAP, T_ATOMIC, T_SET, T_ASSOC };

/* A position in the schema: field f itself, or (elem) an element of its
 * array or map. f NULL: untyped. */
struct ty {
    const struct sk_field *f;
    bool elem;
};

static const char *const lmk_protocol_default = "protocol";

struct tinfo {
    int t;
    const struct sk_field *fields; /* T_STRUCT */
    const char *keys[8];           /* T_ASSOC */
    size_t nkeys;
};

/* Structs Kubernetes marks x-kubernetes-map-type: atomic (Go
 * +structType=atomic): owned and replaced as one value. The schema table
 * has no such flag, so they are named here by OpenAPI definition. */
static bool atomic_struct(const char *ref)
{
    static const char *const core[] = {
            "ConfigMapKeySelector",  "LocalObjectReference",      "NodeSelector",
            "NodeSelectorTerm",      "ObjectFieldSelector",       "ObjectReference",
            "ResourceFieldSelector", "SecretKeySelector",         "SecretReference",
            "TopologySelectorTerm",  "TypedLocalObjectReference", NULL,
    };
    static const char core_pfx[] = "io.k8s.api.core.v1.";
    if (!ref) return false;
    if (!strcmp(ref, "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector")) return true;
    if (strncmp(ref, core_pfx, sizeof(core_pfx) - 1) != 0) return false;
    for (size_t i = 0; core[i]; i++)
        if (!strcmp(ref + sizeof(core_pfx) - 1, core[i])) return true;
    return false;
}

static struct tinfo resolve(struct ty ty, const struct sk_val *v)
{
    struct tinfo ti = {.t = T_ANY};
    if (!ty.f) {
        ti.t = sk_val_is(v, SK_V_MAP) ? T_MAP : sk_val_is(v, SK_V_ARR) ? T_ATOMIC : T_SCALAR;
        return ti;
    }
    enum sk_ftype t = ty.elem ? ty.f->elem : ty.f->type;
    switch (t) {
    case SK_F_OBJECT:
        ti.fields = ty.f->fields;
        ti.t = ti.fields ? T_STRUCT : T_MAP;
        if (atomic_struct(ty.f->ref)) ti.t = T_ATOMIC;
        break;
    case SK_F_MAP:
        ti.t = ty.elem ? T_ATOMIC : T_MAP;
        /* the selectors of Services and ReplicationControllers and a pod's
         * nodeSelector are +mapType=atomic in Kubernetes */
        if (!ty.elem && ty.f->name &&
            (!strcmp(ty.f->name, "selector") || !strcmp(ty.f->name, "nodeSelector")))
            ti.t = T_ATOMIC;
        break;
    case SK_F_ARRAY: {
        if (ty.elem) {
            ti.t = T_ATOMIC;
            break;
        }
        const char *lt = ty.f->list_type;
        const char *ps = ty.f->patch_strategy;
        ti.t = T_ATOMIC;
        if (lt && !strcmp(lt, "set")) {
            ti.t = T_SET;
        } else if (lt && !strcmp(lt, "map")) {
            ti.t = T_ASSOC;
        } else if (!lt && ps && !strncmp(ps, "merge", 5)) {
            /* no list type: the patch strategy decides, as the OpenAPI to
             * structured-merge-diff conversion does */
            ti.t = ty.f->merge_key ? T_ASSOC : T_SET;
        }
        if (ti.t == T_ASSOC) {
            if (ty.f->list_map_keys) {
                for (size_t i = 0; ty.f->list_map_keys[i] && i < 8; i++)
                    ti.keys[ti.nkeys++] = ty.f->list_map_keys[i];
            } else if (ty.f->merge_key) {
                ti.keys[ti.nkeys++] = ty.f->merge_key;
            }
            if (!ti.nkeys) ti.t = T_ATOMIC;
        }
        break;
    }
    case SK_F_ANY:
        ti.t = sk_val_is(v, SK_V_MAP) ? T_MAP : sk_val_is(v, SK_V_ARR) ? T_ATOMIC : T_SCALAR;
        if (ti.t == T_MAP) ti.fields = NULL;
        break;
    default: ti.t = T_SCALAR;
    }
    /* a value of another shape than the schema's is a leaf */
    if ((ti.t == T_STRUCT || ti.t == T_MAP) && v && !sk_val_is(v, SK_V_MAP)) ti.t = T_SCALAR;
    if ((ti.t == T_SET || ti.t == T_ASSOC) && v && !sk_val_is(v, SK_V_ARR)) ti.t = T_SCALAR;
    return ti;
}

/* The type of a map's child key; *declared tells whether it is a struct
 * field (struct fields are not members of a set by themselves). */
static struct ty child_ty(struct ty ty, const struct tinfo *ti, const char *key, bool *declared)
{
    *declared = false;
    struct ty c = {0};
    if (ti->t == T_STRUCT) {
        for (const struct sk_field *f = ti->fields; f && f->name; f++)
            if (!strcmp(f->name, key)) {
                *declared = true;
                c.f = f;
                return c;
            }
        return c;
    }
    if (ti->t == T_MAP && ty.f && (ty.elem ? ty.f->elem : ty.f->type) == SK_F_MAP) {
        c.f = ty.f;
        c.elem = true;
    }
    /* described-less objects and untyped maps: untyped children */
    return c;
}

static struct ty item_ty(struct ty ty)
{
    struct ty c = {ty.f, true};
    return c;
}

/* The path element of a list item; NULL (with *missing set to the key
 * name) when an item of a keyed list lacks a key. */
static char *item_pe(const struct tinfo *ti, const struct sk_val *item, struct sk_val **pv,
                     const char **missing)
{
    *pv = NULL;
    *missing = NULL;
    if (ti->t == T_SET) {
        *pv = sk_val_dup(item);
        return pe_of_value('v', item);
    }
    struct sk_val *k = sk_val_map();
    for (size_t i = 0; i < ti->nkeys; i++) {
        const struct sk_val *kv = sk_map_get(item, ti->keys[i]);
        if (!kv && !strcmp(ti->keys[i], lmk_protocol_default)) {
            /* the OpenAPI default of the protocol key */
            sk_map_set(k, ti->keys[i], sk_val_str("TCP"));
            continue;
        }
        if (!kv || kv->type == SK_V_NULL) {
            *missing = ti->keys[i];
            sk_val_free(k);
            return NULL;
        }
        sk_map_set(k, ti->keys[i], sk_val_dup(kv));
    }
    struct sk_val *s = sorted_map(k);
    sk_val_free(k);
    *pv = s;
    return pe_of_value('k', s);
}

/* A path being walked, as element strings, for inserting into sets. */
struct pstack {
    const char *pe[SK_VAL_MAX_DEPTH + 8];
    const struct sk_val *pv[SK_VAL_MAX_DEPTH + 8]; /* parsed k: and v: elements */
    size_t n;
};

static void path_text(const struct pstack *ps, struct sk_buf *b)
{
    for (size_t i = 0; i < ps->n; i++) {
        struct fchild c = {.pe = (char *)ps->pe[i], .pv = pe_parse(ps->pe[i])};
        pe_text(&c, b);
        sk_val_free(c.pv);
    }
    sk_buf_putc(b, 0);
}

static bool is_managed_fields(const struct pstack *ps, const char *key)
{
    return ps->n == 1 && !strcmp(ps->pe[0], "f:metadata") && !strcmp(key, "managedFields");
}

/* "f:<key>" in a buffer on the caller's stack when it fits. */
struct pebuf {
    char small[96];
    char *heap;
};

static char *pe_field(struct pebuf *b, const char *key)
{
    size_t n = strlen(key);
    b->heap = NULL;
    if (n + 3 > sizeof(b->small)) return b->heap = sk_xasprintf("f:%s", key);
    b->small[0] = 'f';
    b->small[1] = ':';
    memcpy(b->small + 2, key, n + 1);
    return b->small;
}

/* ---- ToFieldSet ---- */

struct fs_walk {
    struct sk_fset *root;
    struct pstack ps;
    bool strict;
    struct sk_error **err;
};

static sk_err fs_of(struct fs_walk *w, struct ty ty, const struct sk_val *v, struct sk_fset *node);

static sk_err fs_list(struct fs_walk *w, struct ty ty, const struct tinfo *ti,
                      const struct sk_val *v, struct sk_fset *node)
{
    for (size_t i = 0; i < v->u.a.n; i++) {
        const struct sk_val *it = v->u.a.items[i];
        struct sk_val *pv;
        const char *missing;
        char *pe = item_pe(ti, it, &pv, &missing);
        if (!pe) {
            struct sk_buf b = {0};
            path_text(&w->ps, &b);
            sk_err rc = sk_fail(w->err, SK_EINVAL,
                                "%s: element %zu: associative list with keys has an element "
                                "that omits key field \"%s\" (and doesn't have default value)",
                                b.p, i, missing);
            sk_buf_free(&b);
            return rc;
        }
        if (w->strict && get_child(node, pe, pv)) {
            struct fchild c = {.pe = pe, .pv = pv};
            struct sk_buf b = {0}, t = {0};
            path_text(&w->ps, &b);
            pe_text(&c, &t);
            sk_buf_putc(&t, 0);
            sk_err rc = sk_fail(w->err, SK_EINVAL, "%s: duplicate entries for key %s", b.p, t.p);
            sk_buf_free(&b);
            sk_buf_free(&t);
            free(pe);
            sk_val_free(pv);
            return rc;
        }
        struct sk_fset *c = child_take(node, pe, pv);
        w->ps.pe[w->ps.n++] = pe;
        sk_err rc = SK_OK;
        if (ti->t == T_ASSOC) rc = fs_of(w, item_ty(ty), it, c);
        w->ps.n--;
        free(pe);
        if (rc) return rc;
        c->member = true;
    }
    return SK_OK;
}

static sk_err fs_of(struct fs_walk *w, struct ty ty, const struct sk_val *v, struct sk_fset *node)
{
    if (w->ps.n >= SK_VAL_MAX_DEPTH + 4) return sk_fail(w->err, SK_EINVAL, "nested too deeply");
    struct tinfo ti = resolve(ty, v);
    switch (ti.t) {
    case T_STRUCT:
    case T_MAP:
        for (size_t i = 0; i < v->u.m.n; i++) {
            const struct sk_kv *kv = &v->u.m.kv[i];
            if (is_managed_fields(&w->ps, kv->key)) continue;
            bool declared;
            struct ty cty = child_ty(ty, &ti, kv->key, &declared);
            struct pebuf pb;
            char *pe = pe_field(&pb, kv->key);
            struct sk_fset *c = child_take(node, pe, NULL);
            w->ps.pe[w->ps.n++] = pe;
            sk_err rc = fs_of(w, cty, kv->val, c);
            w->ps.n--;
            free(pb.heap);
            if (rc) return rc;
            const struct sk_val *cv = kv->val;
            if (!declared || !cv || cv->type == SK_V_NULL ||
                (cv->type == SK_V_MAP && cv->u.m.n == 0))
                c->member = true;
        }
        return SK_OK;
    case T_SET:
    case T_ASSOC: return fs_list(w, ty, &ti, v, node);
    default: node->member = true; return SK_OK;
    }
}

static struct ty root_ty(const struct sk_mschema *sc, struct sk_field *rootf)
{
    memset(rootf, 0, sizeof(*rootf));
    struct ty t = {0};
    if (sc && sc->kind) {
        rootf->type = SK_F_OBJECT;
        rootf->fields = sc->kind->fields;
        t.f = rootf;
    }
    return t;
}

sk_err sk_fset_of(const struct sk_mschema *sc, const struct sk_val *obj, struct sk_fset **out,
                  struct sk_error **err)
{
    struct sk_field rootf;
    struct fs_walk w = {.root = sk_fset_new(), .strict = true, .err = err};
    *out = NULL;
    sk_err rc = SK_OK;
    if (obj) rc = fs_of(&w, root_ty(sc, &rootf), obj, w.root);
    w.root->member = false;
    if (rc) {
        sk_fset_free(w.root);
        return rc;
    }
    *out = w.root;
    return SK_OK;
}

/* ---- Compare ---- */

struct cmp_walk {
    struct sk_fcompare *c;
    struct pstack ps;
};

static void mark(struct cmp_walk *w, struct sk_fset *s)
{
    for (size_t i = 0; i < w->ps.n; i++)
        s = child_pv(s, w->ps.pe[i], w->ps.pv[i]);
    s->member = true;
}

/* Value structs (and required fields, which Kubernetes serializes even
 * when empty): a Go object always has them, so the apiserver never
 * records them as added by themselves. */
static bool value_struct(const struct pstack *ps)
{
    if (ps->n <= 1) return true;
    const char *pe = ps->pe[ps->n - 1];
    static const char *const names[] = {"f:metadata", "f:spec",           "f:template",
                                        "f:strategy", "f:updateStrategy", "f:jobTemplate",
                                        NULL};
    for (size_t i = 0; names[i]; i++)
        if (!strcmp(pe, names[i])) return true;
    return false;
}

static void cmp_walk(struct cmp_walk *w, struct ty ty, const struct sk_val *l,
                     const struct sk_val *r, bool declared);

struct litem {
    char *pe;
    struct sk_val *pv;
    const struct sk_val *v;
};

static void free_items(struct litem *it, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(it[i].pe);
        sk_val_free(it[i].pv);
    }
    free(it);
}

/* Items of a keyed list by path element; items without their key or
 * repeated make the list compare as one value (returns false). */
static bool index_items(const struct tinfo *ti, const struct sk_val *a, struct litem **out,
                        size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!a) return true;
    struct litem *it = sk_xcalloc(a->u.a.n ? a->u.a.n : 1, sizeof(*it));
    for (size_t i = 0; i < a->u.a.n; i++) {
        struct sk_val *pv;
        const char *missing;
        char *pe = item_pe(ti, a->u.a.items[i], &pv, &missing);
        bool dup = false;
        for (size_t j = 0; pe && j < i && !dup; j++)
            dup = !strcmp(it[j].pe, pe);
        if (!pe || dup) {
            free(pe);
            sk_val_free(pv);
            free_items(it, i);
            return false;
        }
        it[i].pe = pe;
        it[i].pv = pv;
        it[i].v = a->u.a.items[i];
    }
    *out = it;
    *n = a->u.a.n;
    return true;
}

static const struct sk_val *find_item(const struct litem *it, size_t n, const char *pe)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(it[i].pe, pe)) return it[i].v;
    return NULL;
}

static void cmp_leaf(struct cmp_walk *w, const struct sk_val *l, const struct sk_val *r)
{
    if (!l)
        mark(w, w->c->added);
    else if (!r)
        mark(w, w->c->removed);
    else if (!sk_val_equal(l, r))
        mark(w, w->c->modified);
}

static void cmp_walk(struct cmp_walk *w, struct ty ty, const struct sk_val *l,
                     const struct sk_val *r, bool declared)
{
    if (w->ps.n >= SK_VAL_MAX_DEPTH + 4) return;
    struct tinfo ti = resolve(ty, r ? r : l);
    struct tinfo tl = l && r ? resolve(ty, l) : ti;
    if (ti.t != tl.t) {
        cmp_leaf(w, l, r);
        return;
    }
    switch (ti.t) {
    case T_STRUCT:
    case T_MAP: {
        const struct sk_val *maps[2] = {l, r};
        for (int side = 0; side < 2; side++) {
            const struct sk_val *m = maps[side];
            if (!m) continue;
            for (size_t i = 0; i < m->u.m.n; i++) {
                const char *key = m->u.m.kv[i].key;
                if (is_managed_fields(&w->ps, key)) continue;
                const struct sk_val *cl = l ? sk_map_get(l, key) : NULL;
                const struct sk_val *cr = r ? sk_map_get(r, key) : NULL;
                if (side == 1 && cl) continue; /* done from the left */
                bool decl;
                struct ty cty = child_ty(ty, &ti, key, &decl);
                struct pebuf pb;
                char *pe = pe_field(&pb, key);
                w->ps.pv[w->ps.n] = NULL;
                w->ps.pe[w->ps.n++] = pe;
                cmp_walk(w, cty, cl, cr, decl);
                w->ps.n--;
                free(pb.heap);
            }
        }
        break;
    }
    case T_SET:
    case T_ASSOC: {
        struct litem *li, *ri;
        size_t ln, rn;
        if (!index_items(&ti, l, &li, &ln)) {
            cmp_leaf(w, l, r);
            return;
        }
        if (!index_items(&ti, r, &ri, &rn)) {
            free_items(li, ln);
            cmp_leaf(w, l, r);
            return;
        }
        struct ty ity = item_ty(ty);
        for (size_t i = 0; i < ln; i++) {
            w->ps.pv[w->ps.n] = li[i].pv;
            w->ps.pe[w->ps.n++] = li[i].pe;
            const struct sk_val *rv = find_item(ri, rn, li[i].pe);
            if (ti.t == T_SET)
                cmp_leaf(w, li[i].v, rv);
            else
                cmp_walk(w, ity, li[i].v, rv, false);
            w->ps.n--;
        }
        for (size_t i = 0; i < rn; i++) {
            if (find_item(li, ln, ri[i].pe)) continue;
            w->ps.pv[w->ps.n] = ri[i].pv;
            w->ps.pe[w->ps.n++] = ri[i].pe;
            if (ti.t == T_SET)
                cmp_leaf(w, NULL, ri[i].v);
            else
                cmp_walk(w, ity, NULL, ri[i].v, false);
            w->ps.n--;
        }
        free_items(li, ln);
        free_items(ri, rn);
        break;
    }
    default: cmp_leaf(w, l, r); return;
    }
    /* the container itself: added or removed as a whole */
    bool always_there = declared && ((ty.f && (ty.f->flags & SK_FF_REQUIRED)) ||
                                     (ti.t == T_STRUCT && value_struct(&w->ps)));
    if (!l && !always_there && w->ps.n)
        mark(w, w->c->added);
    else if (!r && w->ps.n)
        mark(w, w->c->removed);
}

void sk_fcompare(const struct sk_mschema *sc, const struct sk_val *old, const struct sk_val *new_,
                 struct sk_fcompare *out)
{
    struct sk_field rootf;
    out->added = sk_fset_new();
    out->modified = sk_fset_new();
    out->removed = sk_fset_new();
    struct sk_val *empty = sk_val_map();
    struct cmp_walk *w = sk_xcalloc(1, sizeof(*w));
    w->c = out;
    cmp_walk(w, root_ty(sc, &rootf), old ? old : empty, new_ ? new_ : empty, false);
    free(w);
    sk_val_free(empty);
}

void sk_fcompare_free(struct sk_fcompare *c)
{
    sk_fset_free(c->added);
    sk_fset_free(c->modified);
    sk_fset_free(c->removed);
    c->added = c->modified = c->removed = NULL;
}

/* ---- the apply merge ---- */

static sk_err merge_val(const struct sk_mschema *sc, struct ty ty, const struct sk_val *l,
                        const struct sk_val *r, struct sk_val **out, struct pstack *ps,
                        struct sk_error **err);

static sk_err merge_list(const struct sk_mschema *sc, struct ty ty, const struct tinfo *ti,
                         const struct sk_val *l, const struct sk_val *r, struct sk_val **out,
                         struct pstack *ps, struct sk_error **err)
{
    struct litem *li = NULL, *ri = NULL;
    size_t ln = 0, rn = 0;
    if (!index_items(ti, r, &ri, &rn)) {
        /* say which item: the same walk that builds the applied set */
        struct fs_walk w = {.root = sk_fset_new(), .strict = true, .err = err};
        w.ps = *ps;
        sk_err rc = fs_list(&w, ty, ti, r, w.root);
        sk_fset_free(w.root);
        return rc ? rc : sk_fail(err, SK_EINVAL, "invalid list");
    }
    if (!index_items(ti, l, &li, &ln)) {
        /* a live list we cannot key is replaced */
        free_items(ri, rn);
        *out = sk_val_dup(r);
        return SK_OK;
    }
    struct sk_val *o = sk_val_arr();
    /* the order of structured-merge-diff: live items stay where they
     * are, shared items follow the config's order, new items come where
     * the config puts them */
    size_t nshared = 0;
    const char **shared = sk_xcalloc(rn ? rn : 1, sizeof(*shared));
    for (size_t i = 0; i < rn; i++)
        if (find_item(li, ln, ri[i].pe)) shared[nshared++] = ri[i].pe;
    size_t si = 0;
    const char *next = nshared ? shared[si++] : NULL;
    bool *done = sk_xcalloc(rn ? rn : 1, sizeof(bool));
    sk_err rc = SK_OK;
    struct ty ity = item_ty(ty);
    size_t a = 0, b = 0;
    while ((a < ln || b < rn) && !rc) {
        struct sk_val *m = NULL;
        if (a < ln && b < rn && !strcmp(li[a].pe, ri[b].pe)) {
            done[b] = true;
            ps->pe[ps->n++] = li[a].pe;
            rc = ti->t == T_SET ? SK_OK : merge_val(sc, ity, li[a].v, ri[b].v, &m, ps, err);
            ps->n--;
            if (ti->t == T_SET) m = sk_val_dup(ri[b].v);
            if (m) sk_arr_push(o, m);
            a++;
            b++;
            next = si < nshared ? shared[si++] : NULL;
            continue;
        }
        if (a < ln && b < rn && find_item(ri, rn, li[a].pe) && next && strcmp(next, li[a].pe)) {
            a++; /* shared, but not its turn */
            continue;
        }
        if (a < ln) {
            const struct sk_val *rv = find_item(ri, rn, li[a].pe);
            if (!rv) {
                sk_arr_push(o, sk_val_dup(li[a].v));
                a++;
                continue;
            }
            bool merged = false;
            for (size_t k = 0; k < rn; k++)
                if (done[k] && !strcmp(ri[k].pe, li[a].pe)) merged = true;
            if (merged) {
                a++;
                continue;
            }
        }
        if (b < rn) {
            done[b] = true;
            const struct sk_val *lv = find_item(li, ln, ri[b].pe);
            ps->pe[ps->n++] = ri[b].pe;
            if (ti->t == T_SET)
                m = sk_val_dup(ri[b].v);
            else
                rc = merge_val(sc, ity, lv, ri[b].v, &m, ps, err);
            ps->n--;
            if (m) sk_arr_push(o, m);
            if (next && !strcmp(next, ri[b].pe)) next = si < nshared ? shared[si++] : NULL;
            b++;
        }
    }
    free(done);
    free(shared);
    free_items(li, ln);
    free_items(ri, rn);
    if (rc) {
        sk_val_free(o);
        return rc;
    }
    *out = o;
    return SK_OK;
}

static sk_err merge_val(const struct sk_mschema *sc, struct ty ty, const struct sk_val *l,
                        const struct sk_val *r, struct sk_val **out, struct pstack *ps,
                        struct sk_error **err)
{
    *out = NULL;
    if (ps->n >= SK_VAL_MAX_DEPTH + 4) return sk_fail(err, SK_EINVAL, "nested too deeply");
    struct tinfo ti = resolve(ty, r);
    if (ti.t == T_STRUCT || ti.t == T_MAP) {
        struct sk_val *o = sk_val_is(l, SK_V_MAP) ? sk_val_dup(l) : sk_val_map();
        for (size_t i = 0; i < r->u.m.n; i++) {
            const struct sk_kv *kv = &r->u.m.kv[i];
            if (is_managed_fields(ps, kv->key)) continue;
            if (kv->val->type == SK_V_NULL) {
                /* owned but unset */
                sk_map_del(o, kv->key);
                continue;
            }
            bool decl;
            struct ty cty = child_ty(ty, &ti, kv->key, &decl);
            struct pebuf pb;
            char *pe = pe_field(&pb, kv->key);
            ps->pe[ps->n++] = pe;
            struct sk_val *m = NULL;
            sk_err rc = merge_val(sc, cty, sk_map_get(o, kv->key), kv->val, &m, ps, err);
            ps->n--;
            free(pb.heap);
            if (rc) {
                sk_val_free(o);
                return rc;
            }
            sk_map_set(o, kv->key, m);
        }
        *out = o;
        return SK_OK;
    }
    if ((ti.t == T_SET || ti.t == T_ASSOC) && sk_val_is(l, SK_V_ARR))
        return merge_list(sc, ty, &ti, l, r, out, ps, err);
    if (ti.t == T_ASSOC) {
        /* check the keys even when nothing is merged */
        struct litem *ri;
        size_t rn;
        if (!index_items(&ti, r, &ri, &rn)) {
            struct sk_val *empty = sk_val_arr();
            sk_err rc = merge_list(sc, ty, &ti, empty, r, out, ps, err);
            sk_val_free(empty);
            return rc;
        }
        free_items(ri, rn);
    }
    *out = sk_val_dup(r);
    return SK_OK;
}

sk_err sk_apply_merge(const struct sk_mschema *sc, const struct sk_val *live,
                      const struct sk_val *config, struct sk_val **out, struct sk_error **err)
{
    struct sk_field rootf;
    struct pstack *ps = sk_xcalloc(1, sizeof(*ps));
    sk_err rc = merge_val(sc, root_ty(sc, &rootf), live, config, out, ps, err);
    free(ps);
    return rc;
}

/* ---- pruning ---- */

/* Remove from obj what last holds and nobody owns any part of. */
static void prune(struct ty ty, struct sk_val *obj, const struct sk_fset *last,
                  const struct sk_fset *owned, int depth)
{
    if (!obj || depth > SK_VAL_MAX_DEPTH + 4) return;
    struct tinfo ti = resolve(ty, obj);
    for (size_t i = 0; i < last->n; i++) {
        const struct fchild *lc = &last->c[i];
        const struct fchild *oc = get_child(owned, lc->pe, lc->pv);
        if (lc->pe[0] == 'f' && (ti.t == T_STRUCT || ti.t == T_MAP)) {
            const char *key = lc->pe + 2;
            if (!oc) {
                sk_map_del(obj, key);
                continue;
            }
            bool decl;
            struct ty cty = child_ty(ty, &ti, key, &decl);
            prune(cty, sk_map_get(obj, key), lc->s, oc->s, depth + 1);
        } else if ((lc->pe[0] == 'k' || lc->pe[0] == 'v') && (ti.t == T_ASSOC || ti.t == T_SET)) {
            for (size_t j = 0; j < sk_arr_len(obj); j++) {
                struct sk_val *pv;
                const char *missing;
                char *pe = item_pe(&ti, obj->u.a.items[j], &pv, &missing);
                sk_val_free(pv);
                bool hit = pe && !strcmp(pe, lc->pe);
                free(pe);
                if (!hit) continue;
                if (!oc)
                    sk_arr_remove(obj, j);
                else if (ti.t == T_ASSOC)
                    prune(item_ty(ty), obj->u.a.items[j], lc->s, oc->s, depth + 1);
                break;
            }
        }
    }
}

/* ---- managedFields ---- */

void sk_managed_free(struct sk_managed *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->v[i].manager);
        free(m->v[i].api_version);
        free(m->v[i].subresource);
        free(m->v[i].time);
        sk_fset_free(m->v[i].set);
    }
    free(m->v);
    memset(m, 0, sizeof(*m));
}

static struct sk_mentry *managed_add(struct sk_managed *m)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 4;
        m->v = sk_xrealloc(m->v, m->cap * sizeof(*m->v));
    }
    struct sk_mentry *e = &m->v[m->n++];
    memset(e, 0, sizeof(*e));
    return e;
}

static bool same_manager(const struct sk_mentry *e, const char *manager, bool apply,
                         const char *api_version, const char *sub)
{
    /* appliers are one manager whatever apiVersion they used */
    return !strcmp(e->manager, manager) && e->apply == apply &&
           !strcmp(e->subresource, sub ? sub : "") &&
           (apply || !strcmp(e->api_version, api_version));
}

static struct sk_mentry *managed_find(struct sk_managed *m, const char *manager, bool apply,
                                      const char *api_version, const char *sub)
{
    for (size_t i = 0; i < m->n; i++)
        if (same_manager(&m->v[i], manager, apply, api_version, sub)) return &m->v[i];
    return NULL;
}

static void managed_remove(struct sk_managed *m, size_t i)
{
    struct sk_mentry *e = &m->v[i];
    free(e->manager);
    free(e->api_version);
    free(e->subresource);
    free(e->time);
    sk_fset_free(e->set);
    memmove(&m->v[i], &m->v[i + 1], (m->n - i - 1) * sizeof(*m->v));
    m->n--;
}

static void managed_drop_empty(struct sk_managed *m)
{
    for (size_t i = 0; i < m->n;)
        if (sk_fset_empty(m->v[i].set))
            managed_remove(m, i);
        else
            i++;
}

sk_err sk_managed_decode(const struct sk_val *mf, struct sk_managed *m, struct sk_error **err)
{
    memset(m, 0, sizeof(*m));
    if (!mf || mf->type == SK_V_NULL) return SK_OK;
    if (!sk_val_is(mf, SK_V_ARR))
        return sk_fail(err, SK_EINVAL, "managedFields: expected an array");
    for (size_t i = 0; i < mf->u.a.n; i++) {
        const struct sk_val *e = mf->u.a.items[i];
        const char *op = sk_val_cstr(sk_map_get(e, "operation"));
        const char *av = sk_val_cstr(sk_map_get(e, "apiVersion"));
        const char *ft = sk_val_cstr(sk_map_get(e, "fieldsType"));
        const char *mgr = sk_val_cstr(sk_map_get(e, "manager"));
        const char *sub = sk_val_cstr(sk_map_get(e, "subresource"));
        const char *tm = sk_val_cstr(sk_map_get(e, "time"));
        sk_err rc = SK_OK;
        if (!sk_val_is(e, SK_V_MAP))
            rc = sk_fail(err, SK_EINVAL, "managed fields entry %zu is not an object", i);
        else if (!op || (strcmp(op, "Apply") != 0 && strcmp(op, "Update") != 0))
            rc = sk_fail(err, SK_EINVAL, "operation must be `Apply` or `Update`");
        else if (!av || !*av)
            rc = sk_fail(err, SK_EINVAL, "apiVersion must not be empty");
        else if (!ft || !*ft)
            rc = sk_fail(err, SK_EINVAL, "missing fieldsType in managed fields entry %zu", i);
        else if (strcmp(ft, "FieldsV1") != 0)
            rc = sk_fail(err, SK_EINVAL, "invalid fieldsType \"%s\" in managed fields entry %zu",
                         ft, i);
        struct sk_fset *set = NULL;
        if (!rc) {
            const struct sk_val *fv = sk_map_get(e, "fieldsV1");
            if (fv)
                rc = sk_fset_from_val(fv, &set, err);
            else
                set = sk_fset_new();
        }
        if (!rc && managed_find(m, mgr ? mgr : "", !strcmp(op, "Apply"), av, sub)) {
            rc = sk_fail(err, SK_EINVAL, "duplicate entries for manager \"%s\"", mgr ? mgr : "");
        }
        if (rc) {
            sk_fset_free(set);
            sk_managed_free(m);
            return rc;
        }
        struct sk_mentry *me = managed_add(m);
        me->manager = sk_xstrdup(mgr ? mgr : "");
        me->apply = !strcmp(op, "Apply");
        me->api_version = sk_xstrdup(av);
        me->subresource = sk_xstrdup(sub ? sub : "");
        me->time = sk_xstrdup(tm ? tm : "");
        me->set = set;
    }
    return SK_OK;
}

static int entry_cmp(const void *pa, const void *pb)
{
    const struct sk_mentry *a = *(const struct sk_mentry *const *)pa;
    const struct sk_mentry *b = *(const struct sk_mentry *const *)pb;
    if (a->apply != b->apply) return a->apply ? -1 : 1;
    /* RFC 3339 in UTC with second precision sorts as text */
    int c = strcmp(a->time, b->time);
    if (c) return c;
    if ((c = strcmp(a->manager, b->manager))) return c;
    if ((c = strcmp(a->api_version, b->api_version))) return c;
    return strcmp(a->subresource, b->subresource);
}

struct sk_val *sk_managed_encode(const struct sk_managed *m)
{
    if (!m->n) return NULL;
    const struct sk_mentry **o = sk_xmalloc(m->n * sizeof(*o));
    for (size_t i = 0; i < m->n; i++)
        o[i] = &m->v[i];
    qsort(o, m->n, sizeof(*o), entry_cmp);
    struct sk_val *a = sk_val_arr();
    for (size_t i = 0; i < m->n; i++) {
        struct sk_val *e = sk_val_map();
        sk_map_set(e, "manager", sk_val_str(o[i]->manager));
        sk_map_set(e, "operation", sk_val_str(o[i]->apply ? "Apply" : "Update"));
        sk_map_set(e, "apiVersion", sk_val_str(o[i]->api_version));
        if (*o[i]->time) sk_map_set(e, "time", sk_val_str(o[i]->time));
        sk_map_set(e, "fieldsType", sk_val_str("FieldsV1"));
        sk_map_set(e, "fieldsV1", sk_fset_to_val(o[i]->set));
        if (*o[i]->subresource) sk_map_set(e, "subresource", sk_val_str(o[i]->subresource));
        sk_arr_push(a, e);
    }
    free(o);
    return a;
}

char *sk_managed_manager_name(const char *field_manager, const char *user_agent)
{
    if (field_manager && *field_manager) return sk_xstrdup(field_manager);
    struct sk_buf b = {0};
    sk_buf_reserve(&b, 1);
    const unsigned char *p = (const unsigned char *)(user_agent ? user_agent : "");
    size_t left = strlen((const char *)p);
    while (left && *p != '/') {
        size_t n = *p < 0x80 ? 1 : sk_utf8_len(p, left);
        /* as Go ranges over a string: a byte that starts no character is
         * U+FFFD, which is printable */
        const unsigned char *c = p;
        size_t cn = n;
        if (n == 0) {
            c = (const unsigned char *)"\xef\xbf\xbd";
            cn = 3;
            n = 1;
        }
        bool printable;
        if (cn == 1)
            printable = *c >= 0x20 && *c < 0x7f;
        else /* C1 controls, no-break space and soft hyphen are not */
            printable = !(c[0] == 0xc2 && (c[1] < 0xa1 || c[1] == 0xad));
        if (printable) {
            if (b.len + cn > 128) break;
            sk_buf_append(&b, c, cn);
        }
        p += n;
        left -= n;
    }
    sk_buf_putc(&b, 0);
    return b.p;
}

/* ---- the fields a write may own ---- */

static const char *const strip_paths[][2] = {
        {"f:apiVersion", NULL},
        {"f:kind", NULL},
        {"f:metadata", NULL},
        {"f:metadata", "f:name"},
        {"f:metadata", "f:namespace"},
        {"f:metadata", "f:creationTimestamp"},
        {"f:metadata", "f:selfLink"},
        {"f:metadata", "f:uid"},
        {"f:metadata", "f:clusterName"},
        {"f:metadata", "f:generation"},
        {"f:metadata", "f:managedFields"},
        {"f:metadata", "f:resourceVersion"},
        {"f:metadata", "f:deletionTimestamp"},
        {"f:metadata", "f:deletionGracePeriodSeconds"},
};

/* Remove nodes that are neither members nor parents of members. */
static void drop_empty(struct sk_fset *s)
{
    for (size_t i = 0; i < s->n;) {
        drop_empty(s->c[i].s);
        if (sk_fset_empty(s->c[i].s))
            remove_child(s, i);
        else
            i++;
    }
}

/* Keep only what a write to sub may own: the system's metadata fields go
 * (as member paths only), the main resource leaves status to the status
 * subresource, which owns nothing else; scale owns spec.replicas. */
static struct sk_fset *strip_set(void)
{
    struct sk_fset *strip = sk_fset_new();
    for (size_t i = 0; i < sizeof(strip_paths) / sizeof(strip_paths[0]); i++)
        sk_fset_insert(strip, strip_paths[i], strip_paths[i][1] ? 2 : 1);
    return strip;
}

static void filter_set(const struct sk_mschema *sc, struct sk_fset *s, const char *sub,
                       const struct sk_fset *strip)
{
    sk_fset_difference(s, strip);
    struct sk_fset *only = sk_fset_new();
    if (sub && !strcmp(sub, "status")) {
        const char *p[] = {"f:status"};
        sk_fset_insert(only, p, 1);
    } else if (sub && !strcmp(sub, "scale")) {
        const char *p[] = {"f:spec", "f:replicas"};
        sk_fset_insert(only, p, 2);
    } else {
        if (sc && sc->kind && sc->kind->has_status) {
            const char *p[] = {"f:status"};
            sk_fset_insert(only, p, 1);
            sk_fset_recursive_difference(s, only);
        }
        sk_fset_free(only);
        return;
    }
    /* the intersection with a prefix: everything at or below it */
    struct sk_fset *keep = sk_fset_new();
    const struct sk_fset *src = s;
    const struct sk_fset *pat = only;
    struct sk_fset *dst = keep;
    while (pat && pat->n == 1 && src) {
        const struct fchild *c = get_child(src, pat->c[0].pe, pat->c[0].pv);
        if (!c) break;
        if (pat->c[0].s->member) {
            struct sk_fset *d = child(dst, c->pe);
            sk_fset_union(d, c->s);
            break;
        }
        dst = child(dst, c->pe);
        src = c->s;
        pat = pat->c[0].s;
    }
    drop_empty(keep);
    sk_fset_free(only);
    /* swap contents */
    struct sk_fset tmp = *s;
    *s = *keep;
    *keep = tmp;
    sk_fset_free(keep);
}

/* ---- conflicts ---- */

void sk_mconflicts_free(struct sk_mconflicts *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].manager);
        free(c->v[i].path);
    }
    free(c->v);
    memset(c, 0, sizeof(*c));
}

/* As the apiserver names a manager in conflicts: "\"m\"", with
 * ` with subresource "s"` and, for updaters, ` using apps/v1`. */
static char *print_manager(const struct sk_mentry *e)
{
    struct sk_buf b = {0};
    sk_buf_printf(&b, "\"%s\"", e->manager);
    if (*e->subresource) sk_buf_printf(&b, " with subresource \"%s\"", e->subresource);
    if (!e->apply) sk_buf_printf(&b, " using %s", e->api_version);
    return sk_buf_take(&b, NULL);
}

struct conflict_ctx {
    struct sk_mconflicts *c;
    const char *manager;
};

static void conflict_path(const char *path, void *arg)
{
    struct conflict_ctx *x = arg;
    struct sk_mconflicts *c = x->c;
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 4;
        c->v = sk_xrealloc(c->v, c->cap * sizeof(*c->v));
    }
    c->v[c->n].manager = sk_xstrdup(x->manager);
    c->v[c->n].path = sk_xstrdup(path);
    c->n++;
}

char *sk_mconflicts_message(const struct sk_mconflicts *c)
{
    if (c->n == 1)
        return sk_xasprintf("Apply failed with 1 conflict: conflict with %s: %s", c->v[0].manager,
                            c->v[0].path);
    struct sk_buf b = {0};
    sk_buf_printf(&b, "Apply failed with %zu conflicts: ", c->n);
    /* grouped by manager; the list is already ordered by manager */
    for (size_t i = 0; i < c->n; i++) {
        if (i == 0 || strcmp(c->v[i].manager, c->v[i - 1].manager) != 0)
            sk_buf_printf(&b, "%sconflicts with %s:", i ? "\n" : "", c->v[i].manager);
        sk_buf_printf(&b, "\n- %s", c->v[i].path);
    }
    return sk_buf_take(&b, NULL);
}

/* ---- Update and Apply ---- */

static struct sk_val *meta_of(struct sk_val *obj)
{
    struct sk_val *m = sk_map_get(obj, "metadata");
    if (!sk_val_is(m, SK_V_MAP)) m = sk_map_set(obj, "metadata", sk_val_map());
    return m;
}

static void store_managed(struct sk_val *obj, const struct sk_managed *m)
{
    struct sk_val *a = sk_managed_encode(m);
    struct sk_val *md = meta_of(obj);
    if (a)
        sk_map_set(md, "managedFields", a);
    else
        sk_map_del(md, "managedFields");
}

static size_t entry_for(struct sk_managed *m, const char *manager, bool apply,
                        const char *api_version, const char *sub)
{
    struct sk_mentry *e = managed_find(m, manager, apply, api_version, sub);
    if (e) return (size_t)(e - m->v);
    e = managed_add(m);
    e->manager = sk_xstrdup(manager);
    e->apply = apply;
    e->api_version = sk_xstrdup(api_version);
    e->subresource = sk_xstrdup(sub);
    e->time = sk_xstrdup("");
    e->set = sk_fset_new();
    return m->n - 1;
}

static void set_time(struct sk_mentry *e, const char *now)
{
    free(e->time);
    e->time = sk_xstrdup(now ? now : "");
}

static void filter_compare(const struct sk_mschema *sc, struct sk_fcompare *c, const char *sub)
{
    struct sk_fset *strip = strip_set();
    filter_set(sc, c->added, sub, strip);
    filter_set(sc, c->modified, sub, strip);
    filter_set(sc, c->removed, sub, strip);
    sk_fset_free(strip);
}

#define MAX_UPDATERS 10

static int updater_cmp(const void *pa, const void *pb)
{
    const struct sk_mentry *a = *(const struct sk_mentry *const *)pa;
    const struct sk_mentry *b = *(const struct sk_mentry *const *)pb;
    int c = strcmp(a->time, b->time);
    return c ? c : strcmp(a->manager, b->manager);
}

/* At most MAX_UPDATERS Update entries, as kube-apiserver keeps: the
 * oldest ones fold into "ancient-changes" per apiVersion. */
static void cap_updaters(struct sk_managed *m)
{
    size_t n = 0;
    for (size_t i = 0; i < m->n; i++)
        n += !m->v[i].apply;
    if (n <= MAX_UPDATERS) return;
    struct sk_mentry **u = sk_xcalloc(n, sizeof(*u));
    struct sk_mentry **first = sk_xcalloc(n, sizeof(*first));
    size_t k = 0, nfirst = 0;
    for (size_t i = 0; i < m->n; i++)
        if (!m->v[i].apply) u[k++] = &m->v[i];
    qsort(u, n, sizeof(*u), updater_cmp);
    size_t len = n;
    for (size_t i = 0; i < n && len > MAX_UPDATERS; i++) {
        struct sk_mentry *e = u[i];
        struct sk_mentry *f = NULL;
        for (size_t j = 0; j < nfirst && !f; j++)
            if (!strcmp(first[j]->api_version, e->api_version)) f = first[j];
        if (!f) {
            first[nfirst++] = e;
            continue;
        }
        struct sk_mentry *bucket = managed_find(m, "ancient-changes", false, e->api_version, "");
        if (bucket == e) continue;
        if (!bucket) {
            /* the first of this version becomes the bucket */
            bucket = f;
            free(f->manager);
            f->manager = sk_xstrdup("ancient-changes");
            f->subresource[0] = 0;
        }
        f = bucket;
        sk_fset_union(f->set, e->set);
        set_time(f, e->time);
        /* emptied: dropped below */
        sk_fset_free(e->set);
        e->set = sk_fset_new();
        len--;
    }
    free(u);
    free(first);
    managed_drop_empty(m);
}

void sk_managed_update(const struct sk_mschema *sc, const struct sk_val *old, struct sk_val *new_,
                       const struct sk_mop *op)
{
    const char *sub = op->subresource ? op->subresource : "";
    struct sk_managed m = {0};
    const struct sk_val *nmf = sk_val_at(new_, "metadata", "managedFields", NULL);
    bool have = false;
    /* a client may rewrite managedFields (kubectl's upgrade from
     * client-side apply does); entries that do not decode are ignored and
     * the stored ones kept, as kube-apiserver does */
    if (!*sub && sk_arr_len(nmf) > 0 && !sk_managed_decode(nmf, &m, NULL)) have = m.n > 0;
    if (!have && old) {
        sk_managed_free(&m);
        if (sk_managed_decode(sk_val_at(old, "metadata", "managedFields", NULL), &m, NULL))
            sk_managed_free(&m);
    }
    struct sk_fcompare c;
    sk_fcompare(sc, old, new_, &c);
    filter_compare(sc, &c, sub);
    struct sk_fset *changed = sk_fset_dup(c.added);
    sk_fset_union(changed, c.modified);
    for (size_t i = 0; i < m.n; i++) {
        sk_fset_difference(m.v[i].set, changed);
        sk_fset_difference(m.v[i].set, c.removed);
    }
    if (!sk_fset_empty(changed)) {
        size_t i = entry_for(&m, op->manager, false, op->api_version, sub);
        sk_fset_union(m.v[i].set, changed);
        set_time(&m.v[i], op->now);
    }
    managed_drop_empty(&m);
    cap_updaters(&m);
    store_managed(new_, &m);
    sk_fset_free(changed);
    sk_fcompare_free(&c);
    sk_managed_free(&m);
}

#define LAST_APPLIED "kubectl.kubernetes.io/last-applied-configuration"

/* kubectl's server-side apply keeps a client-side apply annotation in
 * step with what it applies, so that going back to client-side apply
 * works (only for the manager "kubectl", as kube-apiserver does). */
static void sync_last_applied(struct sk_val *obj, const struct sk_val *config, const char *manager)
{
    if (strcmp(manager, "kubectl") != 0 || !sk_obj_annotation(obj, LAST_APPLIED)) return;
    struct sk_val *c = sk_val_dup(config);
    struct sk_val *ann = sk_val_at(c, "metadata", "annotations", NULL);
    if (sk_val_is(ann, SK_V_MAP)) {
        sk_map_del(ann, LAST_APPLIED);
        if (!sk_map_len(ann)) sk_map_del(sk_map_get(c, "metadata"), "annotations");
    }
    char *js = sk_json_dump(c, 0, NULL);
    sk_obj_set_annotation(obj, LAST_APPLIED, js);
    free(js);
    sk_val_free(c);
}

/* kubectl moving from client-side to server-side apply: conflicts on
 * fields whose live value is still what the last client-side apply set
 * are allowed (only for the manager "kubectl", as kube-apiserver does). */
static struct sk_fset *last_applied_allowed(const struct sk_mschema *sc, const struct sk_val *live,
                                            const struct sk_mop *op)
{
    if (!live || strcmp(op->manager, "kubectl") != 0) return NULL;
    const char *la = sk_obj_annotation(live, LAST_APPLIED);
    if (!la || !*la) return NULL;
    struct sk_val *lv = NULL;
    if (sk_json_parse(la, strlen(la), &lv, NULL) || !sk_val_is(lv, SK_V_MAP) ||
        !sk_obj_api_version(lv) || strcmp(sk_obj_api_version(lv), op->api_version) != 0) {
        sk_val_free(lv);
        return NULL;
    }
    struct sk_fset *set = NULL;
    if (sk_fset_of(sc, lv, &set, NULL)) {
        sk_val_free(lv);
        return NULL;
    }
    struct sk_fcompare c;
    sk_fcompare(sc, lv, live, &c);
    sk_fset_difference(set, c.modified);
    sk_fset_difference(set, c.added);
    sk_fset_difference(set, c.removed);
    sk_fcompare_free(&c);
    sk_val_free(lv);
    return set;
}

sk_err sk_managed_apply(const struct sk_mschema *sc, const struct sk_val *live,
                        const struct sk_val *config, const struct sk_mop *op, bool force,
                        struct sk_val **out, struct sk_mconflicts *conflicts, struct sk_error **err)
{
    *out = NULL;
    const char *sub = op->subresource ? op->subresource : "";
    struct sk_field rootf;
    struct sk_val *empty = sk_val_map();
    const struct sk_val *base = live ? live : empty;
    struct sk_managed m = {0};
    if (live && sk_managed_decode(sk_val_at(live, "metadata", "managedFields", NULL), &m, NULL))
        sk_managed_free(&m);
    if (live && m.n == 0) {
        /* an object nobody manages yet: what it has belongs to a manager
         * of its own, so that apply does not silently take it over */
        struct sk_fcompare c0;
        sk_fcompare(sc, NULL, live, &c0);
        filter_compare(sc, &c0, sub);
        sk_fset_union(c0.added, c0.modified);
        if (!sk_fset_empty(c0.added)) {
            size_t i = entry_for(&m, "before-first-apply", false, op->api_version, sub);
            sk_fset_union(m.v[i].set, c0.added);
            set_time(&m.v[i], op->now);
        }
        sk_fcompare_free(&c0);
    }
    struct sk_fset *cfg = NULL;
    struct sk_val *merged = NULL;
    struct sk_fset *changed = NULL, *last = NULL;
    struct sk_fcompare c = {0};
    sk_err rc = sk_fset_of(sc, config, &cfg, err);
    if (!rc) rc = sk_apply_merge(sc, base, config, &merged, err);
    if (rc) goto out;
    struct sk_fset *strip = strip_set();
    filter_set(sc, cfg, sub, strip);
    sk_fset_free(strip);
    struct sk_mentry *me = managed_find(&m, op->manager, true, op->api_version, sub);
    bool fresh = !me;
    size_t mi = entry_for(&m, op->manager, true, op->api_version, sub);
    last = m.v[mi].set;
    m.v[mi].set = cfg;
    cfg = NULL;
    free(m.v[mi].api_version);
    m.v[mi].api_version = sk_xstrdup(op->api_version);
    if (!sk_fset_empty(last)) {
        /* prune what this manager applied before and applies no more,
         * unless someone (this config included) owns some of it */
        struct sk_fset *owned = sk_fset_new();
        for (size_t i = 0; i < m.n; i++)
            sk_fset_union(owned, m.v[i].set);
        prune(root_ty(sc, &rootf), merged, last, owned, 0);
        sk_fset_free(owned);
    }
    sk_fcompare(sc, base, merged, &c);
    bool any_change =
            !sk_fset_empty(c.added) || !sk_fset_empty(c.modified) || !sk_fset_empty(c.removed);
    filter_compare(sc, &c, sub);
    changed = sk_fset_dup(c.added);
    sk_fset_union(changed, c.modified);
    /* conflicts: fields others own that this apply changes */
    struct sk_fset **theirs = sk_xcalloc(m.n, sizeof(*theirs));
    size_t nconf = 0;
    for (size_t i = 0; i < m.n; i++) {
        if (i == mi) continue;
        struct sk_fset *x = sk_fset_dup(m.v[i].set);
        sk_fset_intersect(x, changed);
        if (sk_fset_empty(x)) {
            sk_fset_free(x);
            continue;
        }
        theirs[i] = x;
        nconf++;
    }
    struct sk_fset **report = sk_xcalloc(m.n, sizeof(*report));
    size_t nreport = 0;
    if (nconf && !force) {
        struct sk_fset *allowed = last_applied_allowed(sc, live, op);
        for (size_t i = 0; i < m.n; i++) {
            if (!theirs[i]) continue;
            report[i] = sk_fset_dup(theirs[i]);
            if (allowed) sk_fset_difference(report[i], allowed);
            if (sk_fset_empty(report[i])) {
                sk_fset_free(report[i]);
                report[i] = NULL;
            } else {
                nreport++;
            }
        }
        sk_fset_free(allowed);
    }
    if (nreport) {
        /* ordered by manager as the apiserver prints them */
        char **names = sk_xcalloc(m.n, sizeof(*names));
        for (size_t i = 0; i < m.n; i++)
            names[i] = print_manager(&m.v[i]);
        bool *used = sk_xcalloc(m.n, sizeof(bool));
        for (size_t k = 0; k < nreport; k++) {
            size_t best = m.n;
            for (size_t i = 0; i < m.n; i++)
                if (report[i] && !used[i] && (best == m.n || strcmp(names[i], names[best]) < 0))
                    best = i;
            used[best] = true;
            struct conflict_ctx x = {conflicts, names[best]};
            sk_fset_paths(report[best], conflict_path, &x);
        }
        for (size_t i = 0; i < m.n; i++)
            free(names[i]);
        free(names);
        free(used);
        rc = sk_fail(err, SK_ECONFLICT, "apply conflicts");
    } else {
        for (size_t i = 0; i < m.n; i++) {
            if (i == mi) continue;
            if (theirs[i]) sk_fset_difference(m.v[i].set, theirs[i]);
            sk_fset_difference(m.v[i].set, c.removed);
        }
        if (any_change || fresh) set_time(&m.v[mi], op->now);
        managed_drop_empty(&m);
        sync_last_applied(merged, config, op->manager);
        store_managed(merged, &m);
        *out = merged;
        merged = NULL;
    }
    for (size_t i = 0; i < m.n; i++) {
        sk_fset_free(theirs[i]);
        sk_fset_free(report[i]);
    }
    free(theirs);
    free(report);
out:
    sk_fcompare_free(&c);
    sk_fset_free(changed);
    sk_fset_free(last);
    sk_fset_free(cfg);
    sk_val_free(merged);
    sk_val_free(empty);
    sk_managed_free(&m);
    return rc;
}
