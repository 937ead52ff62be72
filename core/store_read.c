/* Reads: get, and list at one consistent revision with limit and continue
 * tokens. A later page is read as of the first page's revision by walking
 * each key's chain of records back to that revision, which the history
 * window guarantees is still there. Any thread. */
#include "store_priv.h"
#include "mem.h"
#include "selector.h"

#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#define TOKEN_VERSION 1

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* base64url without padding: tokens travel in query strings */
static char *b64_encode(const unsigned char *p, size_t n)
{
    char *out = sk_xmalloc(n / 3 * 4 + 5), *o = out;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        *o++ = b64[v >> 18];
        *o++ = b64[(v >> 12) & 63];
        *o++ = b64[(v >> 6) & 63];
        *o++ = b64[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        *o++ = b64[v >> 18];
        *o++ = b64[(v >> 12) & 63];
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        *o++ = b64[v >> 18];
        *o++ = b64[(v >> 12) & 63];
        *o++ = b64[(v >> 6) & 63];
    }
    *o = 0;
    return out;
}

static int b64_val(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

static bool b64_decode(const char *s, unsigned char *out, size_t cap, size_t *len)
{
    size_t n = strlen(s), o = 0;
    if (n % 4 == 1) return false;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64_val(s[i]);
        if (v < 0) return false;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o == cap) return false;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    *len = o;
    return true;
}

static sk_err check_list_names(const char *res, const char *ns, struct sk_error **err)
{
    if (!res || !*res || strlen(res) > SK_STORE_MAX_RESOURCE)
        return sk_fail(err, SK_EINVAL, "store: resource must be 1..%d bytes",
                       SK_STORE_MAX_RESOURCE);
    if (strlen(ns) > SK_STORE_MAX_NAMESPACE)
        return sk_fail(err, SK_EINVAL, "metadata.namespace: Invalid value");
    return SK_OK;
}

/* A record the index points at can vanish only if one commit moved the
 * window by more than its whole length between our index read and our
 * snapshot; try again a few times before calling it corruption. */
#define RETRIES 5

sk_err sk_store_get(struct sk_store *s, const char *resource, const char *ns, const char *name,
                    struct sk_store_obj **out, struct sk_error **err)
{
    *out = NULL;
    ns = ns ? ns : "";
    sk_err rc = check_list_names(resource, ns, err);
    if (rc) return rc;
    if (!name || !*name || strlen(name) > SK_STORE_MAX_NAME)
        return sk_fail(err, SK_EINVAL, "metadata.name: Required value: name is required");
    char key[SK_STORE_KEY_MAX];
    size_t klen = sk_store_key(key, resource, ns, name);
    for (int attempt = 0;; attempt++) {
        MDB_txn *txn;
        pthread_rwlock_rdlock(&s->ix_lock);
        int mrc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
        const struct sk_ix_node *n = mrc ? NULL : sk_ix_find(s->ix, key, klen);
        uint64_t rev = 0;
        bool tomb = false;
        if (n) {
            const char *k;
            size_t kl;
            sk_ix_entry(n, &k, &kl, &rev, &tomb, NULL);
        }
        pthread_rwlock_unlock(&s->ix_lock);
        if (mrc) return sk_store_lmdb_fail(err, mrc, "begin read");
        if (!n || tomb) {
            mdb_txn_abort(txn);
            char q[SK_STORE_MAX_RESOURCE + 8];
            sk_store_qualified(q, sizeof(q), resource);
            return sk_fail(err, SK_ENOENT, "%s \"%s\" not found", q, name);
        }
        struct sk_store_rec r;
        struct sk_error *e = NULL;
        rc = sk_store_rec_get(txn, s->dbi, rev, &r, &e);
        if (!rc) *out = sk_store_obj_new(r.rev, r.obj, r.olen);
        mdb_txn_abort(txn);
        if (rc == SK_ENOENT && attempt < RETRIES) {
            sk_error_free(e);
            sched_yield();
            continue;
        }
        if (rc) rc = sk_fail(err, rc == SK_ENOENT ? SK_ECORRUPT : rc, "store: %s", e->msg);
        sk_error_free(e);
        return rc;
    }
}

/* The record of a key as of revision `at`, starting from its newest
 * revision. *found is false when the key did not exist then. */
static sk_err version_at(MDB_txn *txn, MDB_dbi dbi, uint64_t rev, uint64_t at,
                         struct sk_store_rec *r, bool *found)
{
    *found = false;
    for (;;) {
        sk_err rc = sk_store_rec_get(txn, dbi, rev, r, NULL);
        if (rc) return rc;
        if (r->rev <= at) {
            *found = r->type != SK_STORE_DELETED;
            return SK_OK;
        }
        if (!r->prev) return SK_OK;
        rev = r->prev;
    }
}

static void push_item(struct sk_store_list *l, size_t *cap, struct sk_store_obj *o)
{
    if (l->n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        l->items = sk_xrealloc(l->items, *cap * sizeof(*l->items));
    }
    l->items[l->n++] = o;
}

static sk_err parse_token(const char *tok, const char *prefix, size_t plen, uint64_t cur,
                          uint64_t ws, uint64_t *at, char *start, size_t *slen,
                          struct sk_error **err)
{
    unsigned char raw[SK_STORE_KEY_MAX + 16];
    size_t n;
    if (!b64_decode(tok, raw, sizeof(raw), &n) || n < 10 || raw[0] != TOKEN_VERSION)
        return sk_fail(err, SK_EINVAL, "continue key is not valid: malformed token");
    *at = sk_store_get_be64(raw + 1);
    size_t klen = n - 9;
    /* the token must continue this very list */
    if (klen < plen || klen > SK_STORE_KEY_MAX || memcmp(raw + 9, prefix, plen))
        return sk_fail(err, SK_EINVAL, "continue key is not valid: it belongs to another list");
    if (*at == 0 || *at > cur)
        return sk_fail(err, SK_EINVAL, "continue key is not valid: unknown revision");
    if (*at + 1 < ws)
        return sk_fail(err, SK_EGONE,
                       "The provided continue parameter is too old to display a consistent list "
                       "result. You can start a new list without the continue parameter.");
    memcpy(start, raw + 9, klen);
    *slen = klen;
    return SK_OK;
}

static char *make_token(uint64_t at, const char *key, size_t klen)
{
    unsigned char raw[SK_STORE_KEY_MAX + 16];
    raw[0] = TOKEN_VERSION;
    sk_store_be64(raw + 1, at);
    memcpy(raw + 9, key, klen);
    return b64_encode(raw, klen + 9);
}

/* Index entries copied out under the lock, so that reading the records
 * (and running selectors) does not hold writers back. */
struct cand {
    size_t koff, klen;
    uint64_t rev;
    bool tomb;
};

struct cands {
    struct cand *v;
    size_t n, cap;
    struct sk_buf keys;
};

static void cands_free(struct cands *c)
{
    free(c->v);
    sk_buf_free(&c->keys);
    memset(c, 0, sizeof(*c));
}

static void collect(struct sk_store *s, const char *prefix, size_t plen, const char *start,
                    size_t slen, bool skip_start, uint64_t at, size_t want, struct cands *c)
{
    size_t visible = 0;
    for (const struct sk_ix_node *n = sk_ix_seek(s->ix, start, slen); n; n = sk_ix_next(n)) {
        const char *k;
        size_t kl;
        uint64_t rev;
        bool tomb;
        sk_ix_entry(n, &k, &kl, &rev, &tomb, NULL);
        if (kl < plen || memcmp(k, prefix, plen) != 0) break;
        if (skip_start && kl == slen && !memcmp(k, start, slen)) continue;
        if (tomb && rev <= at) continue;
        if (c->n == c->cap) {
            c->cap = c->cap ? c->cap * 2 : 256;
            c->v = sk_xrealloc(c->v, c->cap * sizeof(*c->v));
        }
        c->v[c->n++] = (struct cand){c->keys.len, kl, rev, tomb};
        sk_buf_append(&c->keys, k, kl);
        /* Without a selector, limit+1 entries that surely existed at `at`
         * decide the page; newer ones may turn out not to have existed. */
        if (!tomb && rev <= at) visible++;
        if (want && visible > want) break;
    }
}

static sk_err list_in(struct sk_store *s, const struct sk_store_list_opts *o,
                      struct sk_store_list *out, struct sk_error **err)
{
    const char *ns = o->ns ? o->ns : "";
    char prefix[SK_STORE_KEY_MAX];
    size_t plen = sk_store_key(prefix, o->resource, ns, "");
    if (!*ns) plen--; /* every namespace: stop after the resource's NUL */
    char start[SK_STORE_KEY_MAX];
    size_t slen = plen;
    memcpy(start, prefix, plen);
    MDB_txn *txn;
    pthread_rwlock_rdlock(&s->ix_lock);
    int mrc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn);
    if (mrc) {
        pthread_rwlock_unlock(&s->ix_lock);
        return sk_store_lmdb_fail(err, mrc, "begin read");
    }
    uint64_t at = s->ix_rev, cur, ws;
    sk_err rc = sk_store_txn_revs(s, txn, &cur, &ws, err);
    bool cont = o->cont && *o->cont;
    if (!rc && cont) {
        rc = parse_token(o->cont, prefix, plen, at, ws, &at, start, &slen, err);
    } else if (!rc && o->rev > at) {
        rc = sk_fail(err, SK_EAGAIN, "Too large resource version: %" PRIu64 ", current: %" PRIu64,
                     o->rev, at);
    } else if (!rc && o->rev && o->rev + 1 < ws) {
        rc = sk_fail(err, SK_EGONE, "too old resource version: %" PRIu64 " (%" PRIu64 ")", o->rev,
                     ws - 1);
    } else if (!rc && o->rev) {
        at = o->rev; /* read through the window, as a continue token is */
    }
    struct cands c = {0};
    if (!rc) collect(s, prefix, plen, start, slen, cont, at, o->match ? 0 : o->limit, &c);
    pthread_rwlock_unlock(&s->ix_lock);
    out->rev = at;
    size_t cap = 0, last = SIZE_MAX;
    bool more = false;
    bool lazy = o->have && !o->match;
    for (size_t i = 0; !rc && i < c.n; i++) {
        /* The newest version of a key that existed at `at` is the version
         * at `at`: a caller holding its bytes by revision needs no read. */
        if (lazy && !c.v[i].tomb && c.v[i].rev <= at) {
            if (o->limit && out->n == o->limit) {
                more = true;
                break;
            }
            if (o->have(out->n, c.v[i].rev, o->have_arg)) {
                push_item(out, &cap, NULL);
                last = i;
                continue;
            }
        }
        struct sk_store_rec r;
        bool found;
        rc = version_at(txn, s->dbi, c.v[i].rev, at, &r, &found);
        if (rc) break;
        if (!found) continue;
        if (o->limit && out->n == o->limit) {
            more = true;
            break;
        }
        struct sk_store_obj *obj = sk_store_obj_new(r.rev, r.obj, r.olen);
        if (o->match) {
            const struct sk_val *val = sk_store_obj_val(obj);
            if (!val || !o->match(val, o->match_arg)) {
                sk_store_obj_unref(obj);
                continue;
            }
        }
        push_item(out, &cap, obj);
        last = i;
    }
    mdb_txn_abort(txn);
    if (!rc && more) out->cont = make_token(at, c.keys.p + c.v[last].koff, c.v[last].klen);
    cands_free(&c);
    return rc;
}

sk_err sk_store_list(struct sk_store *s, const struct sk_store_list_opts *o,
                     struct sk_store_list *out, struct sk_error **err)
{
    memset(out, 0, sizeof(*out));
    sk_err rc = check_list_names(o->resource, o->ns ? o->ns : "", err);
    if (rc) return rc;
    for (int attempt = 0;; attempt++) {
        rc = list_in(s, o, out, err);
        if (rc != SK_ENOENT) break;
        sk_store_list_free(out);
        if (attempt == RETRIES)
            return sk_fail(err, SK_ECORRUPT, "store: a record the index names is missing");
        sched_yield();
    }
    if (rc) sk_store_list_free(out);
    return rc;
}

void sk_store_list_free(struct sk_store_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        sk_store_obj_unref(l->items[i]);
    free(l->items);
    free(l->cont);
    memset(l, 0, sizeof(*l));
}

bool sk_store_match_selector(const struct sk_val *obj, void *arg)
{
    const struct sk_store_selector *sel = arg;
    if (sel->labels && !sk_labelsel_matches(sel->labels, sk_obj_labels(obj))) return false;
    return !sel->fields || sk_fieldsel_matches(sel->fields, obj);
}
