/* Commands: how a proposer encodes one (deciding uid, time and name
 * suffix), how any node decodes it from untrusted bytes, and the one
 * deterministic function that applies it to the store inside a write
 * transaction, compaction included. */
#include "store_priv.h"
#include "mem.h"

#include <inttypes.h>
#include <msgpack.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define CMD_VERSION    1
#define MAX_GRACE      (10ll * 365 * 24 * 3600)
#define MAX_UID        128
#define MAX_FINALIZERS 64
#define MAX_CMD        (SK_STORE_MAX_OBJECT + 64 * 1024)
#define GEN_ALPHABET   "bcdfghjklmnpqrstvwxz2456789" /* Kubernetes': no vowels, no 0/1/3 */
#define GEN_BASE_MAX   58                            /* 63 minus the suffix */
#define MAX_COMPACT    65536                         /* records leaving the window per command */

/* ---- names ---- */

static sk_err check_names(const char *res, const char *ns, const char *name, bool need_name,
                          struct sk_error **err)
{
    size_t rl = res ? strlen(res) : 0, nl = strlen(ns), ml = name ? strlen(name) : 0;
    if (rl == 0 || rl > SK_STORE_MAX_RESOURCE)
        return sk_fail(err, SK_EINVAL, "store: resource must be 1..%d bytes",
                       SK_STORE_MAX_RESOURCE);
    if (nl > SK_STORE_MAX_NAMESPACE || strchr(ns, '/'))
        return sk_fail(err, SK_EINVAL, "metadata.namespace: Invalid value: \"%.80s\"", ns);
    if (!need_name && ml == 0) return SK_OK;
    if (ml == 0) return sk_fail(err, SK_EINVAL, "metadata.name: Required value: name is required");
    if (ml > SK_STORE_MAX_NAME || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, ".."))
        return sk_fail(
                err, SK_EINVAL,
                "metadata.name: Invalid value: \"%.80s\": may not be '.', '..', contain '/' or "
                "exceed %d characters",
                name, SK_STORE_MAX_NAME);
    return SK_OK;
}

/* ---- encoding (the proposer's side) ---- */

static int buf_write(void *data, const char *p, size_t n)
{
    sk_buf_append(data, p, n);
    return 0;
}

static void pk_str(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
}

void sk_store_new_uid(char out[37])
{
    unsigned char b[16];
    size_t got = 0;
    while (got < sizeof(b)) {
        ssize_t n = getrandom(b + got, sizeof(b) - got, 0);
        if (n > 0) got += (size_t)n;
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
             b[14], b[15]);
}

static void now_ts(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void new_suffix(char out[6])
{
    unsigned char b[5];
    size_t got = 0;
    while (got < sizeof(b)) {
        ssize_t n = getrandom(b + got, sizeof(b) - got, 0);
        if (n > 0) got += (size_t)n;
    }
    for (int i = 0; i < 5; i++)
        out[i] = GEN_ALPHABET[b[i] % (sizeof(GEN_ALPHABET) - 1)];
    out[5] = 0;
}

static sk_err parse_rv(const char *s, uint64_t *rv, struct sk_error **err)
{
    uint64_t v = 0;
    if (!*s) return SK_OK;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10)
            return sk_fail(err, SK_EINVAL, "metadata.resourceVersion: Invalid value: \"%.40s\"", s);
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *rv = v;
    return SK_OK;
}

sk_err sk_store_cmd_encode(const struct sk_store_cmd *c, struct sk_buf *out, struct sk_error **err)
{
    const char *ns = c->ns ? c->ns : "";
    const char *name = c->name && *c->name ? c->name : NULL;
    bool has_obj =
            c->op == SK_STORE_CREATE || c->op == SK_STORE_UPDATE || c->op == SK_STORE_UPDATE_STATUS;
    if (c->op < SK_STORE_CREATE || c->op > SK_STORE_DELETE)
        return sk_fail(err, SK_EINVAL, "store: unknown operation %d", (int)c->op);
    if (has_obj && !sk_val_is(c->obj, SK_V_MAP))
        return sk_fail(err, SK_EINVAL, "store: the object must be a map");
    char genname[GEN_BASE_MAX + 8];
    if (c->op == SK_STORE_CREATE && !name) {
        name = sk_val_str_at(c->obj, "metadata", "name", NULL);
        if (name && !*name) name = NULL;
    }
    if (c->op == SK_STORE_CREATE && !name) {
        const char *base = sk_val_str_at(c->obj, "metadata", "generateName", NULL);
        if (!base || !*base)
            return sk_fail(err, SK_EINVAL,
                           "metadata.name: Required value: name or generateName is required");
        char sfx[6];
        if (c->suffix)
            snprintf(sfx, sizeof(sfx), "%s", c->suffix);
        else
            new_suffix(sfx);
        size_t bl = strlen(base);
        if (bl > GEN_BASE_MAX) bl = GEN_BASE_MAX;
        snprintf(genname, sizeof(genname), "%.*s%s", (int)bl, base, sfx);
        name = genname;
    }
    sk_err rc = check_names(c->resource, ns, name, true, err);
    if (rc) return rc;
    if (c->grace < 0 || c->grace > MAX_GRACE)
        return sk_fail(err, SK_EINVAL, "gracePeriodSeconds: Invalid value: %" PRId64, c->grace);

    uint64_t rv = c->rv;
    const char *puid = c->uid;
    if (c->op == SK_STORE_UPDATE || c->op == SK_STORE_UPDATE_STATUS) {
        const char *orv = sk_val_str_at(c->obj, "metadata", "resourceVersion", NULL);
        if (!rv && orv && (rc = parse_rv(orv, &rv, err))) return rc;
        if (!puid) puid = sk_val_str_at(c->obj, "metadata", "uid", NULL);
    }
    if (puid && (!*puid || strlen(puid) > MAX_UID)) puid = NULL;
    char uid[37], ts[32];
    if (c->new_uid)
        snprintf(uid, sizeof(uid), "%s", c->new_uid);
    else
        sk_store_new_uid(uid);
    if (c->ts)
        snprintf(ts, sizeof(ts), "%s", c->ts);
    else
        now_ts(ts);
    size_t nfin = 0;
    for (const char *const *f = c->finalizers; c->op == SK_STORE_DELETE && f && *f; f++)
        nfin++;
    if (nfin > MAX_FINALIZERS) return sk_fail(err, SK_EINVAL, "store: too many finalizers");

    size_t start = out->len;
    msgpack_packer pk;
    msgpack_packer_init(&pk, out, buf_write);
    size_t n = 6 + (rv ? 1 : 0) + (puid ? 1 : 0) + (c->op == SK_STORE_CREATE ? 1 : 0) +
               (c->flags ? 1 : 0) + (c->grace ? 1 : 0) + (nfin ? 1 : 0) + (has_obj ? 1 : 0);
    msgpack_pack_map(&pk, n);
    pk_str(&pk, "v");
    msgpack_pack_int(&pk, CMD_VERSION);
    pk_str(&pk, "op");
    msgpack_pack_int(&pk, (int)c->op);
    pk_str(&pk, "res");
    pk_str(&pk, c->resource);
    pk_str(&pk, "ns");
    pk_str(&pk, ns);
    pk_str(&pk, "name");
    pk_str(&pk, name);
    pk_str(&pk, "ts");
    pk_str(&pk, ts);
    if (rv) {
        pk_str(&pk, "rv");
        msgpack_pack_uint64(&pk, rv);
    }
    if (puid) {
        pk_str(&pk, "puid");
        pk_str(&pk, puid);
    }
    if (c->op == SK_STORE_CREATE) {
        pk_str(&pk, "uid");
        pk_str(&pk, uid);
    }
    if (c->flags) {
        pk_str(&pk, "fl");
        msgpack_pack_unsigned_int(&pk, c->flags);
    }
    if (c->grace) {
        pk_str(&pk, "grace");
        msgpack_pack_int64(&pk, c->grace);
    }
    if (nfin) {
        pk_str(&pk, "fin");
        msgpack_pack_array(&pk, nfin);
        for (size_t i = 0; i < nfin; i++)
            pk_str(&pk, c->finalizers[i]);
    }
    if (has_obj) {
        /* The packer writes straight into out, so the object's own encoder
         * can append its bytes as this key's value. */
        pk_str(&pk, "obj");
        size_t before = out->len;
        sk_val_to_msgpack(c->obj, out);
        size_t olen = out->len - before;
        if (olen > SK_STORE_MAX_OBJECT) {
            out->len = start;
            return sk_fail(err, SK_ETOOBIG,
                           "Request entity too large: the object is %zu bytes, the limit is %u",
                           olen, SK_STORE_MAX_OBJECT);
        }
    }
    return SK_OK;
}

/* ---- decoding (any node, untrusted bytes) ---- */

struct dcmd {
    struct sk_val *root;
    int op;
    const char *res, *ns, *name, *ts, *uid, *puid;
    struct sk_val *obj; /* inside root */
    uint64_t rv;
    unsigned flags;
    int64_t grace;
    const struct sk_val *fin;
    time_t t;
};

static bool plain_str(const struct sk_val *v, size_t max)
{
    return v && v->type == SK_V_STR && v->u.s.len <= max && strlen(v->u.s.p) == v->u.s.len;
}

/* "YYYY-MM-DDTHH:MM:SSZ" only: the one form the proposer writes, so that
 * every node computes the same deletionTimestamp from it. */
static bool parse_ts(const char *s, time_t *out)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
    if (strlen(s) != sizeof(shape) - 1) return false;
    for (size_t i = 0; shape[i]; i++) {
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i]) return false;
    }
    int v[6], pos[6] = {0, 5, 8, 11, 14, 17}, len[6] = {4, 2, 2, 2, 2, 2};
    for (int i = 0; i < 6; i++) {
        v[i] = 0;
        for (int k = 0; k < len[i]; k++)
            v[i] = v[i] * 10 + (s[pos[i] + k] - '0');
    }
    if (v[0] < 1970 || v[0] > 9000 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 ||
        v[4] > 59 || v[5] > 60)
        return false;
    struct tm tm = {.tm_year = v[0] - 1900,
                    .tm_mon = v[1] - 1,
                    .tm_mday = v[2],
                    .tm_hour = v[3],
                    .tm_min = v[4],
                    .tm_sec = v[5]};
    *out = timegm(&tm);
    return *out != (time_t)-1;
}

static void fmt_ts(time_t t, char out[32])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static sk_err dfail(struct sk_error **err, const char *what)
{
    return sk_fail(err, SK_EPROTO, "store: bad command: %s", what);
}

static sk_err decode(const void *p, size_t n, struct dcmd *d, struct sk_error **err)
{
    memset(d, 0, sizeof(*d));
    if (n > MAX_CMD) return sk_fail(err, SK_ETOOBIG, "store: command of %zu bytes is too big", n);
    sk_err rc = sk_val_from_msgpack(p, n, &d->root, err);
    if (rc) return rc;
    if (!sk_val_is(d->root, SK_V_MAP)) return dfail(err, "not a map");
    bool seen_v = false;
    for (size_t i = 0; i < d->root->u.m.n; i++) {
        const char *k = d->root->u.m.kv[i].key;
        struct sk_val *v = d->root->u.m.kv[i].val;
        if (!strcmp(k, "v")) {
            if (!sk_val_is(v, SK_V_INT) || v->u.i != CMD_VERSION)
                return dfail(err, "unknown version");
            seen_v = true;
        } else if (!strcmp(k, "op")) {
            if (!sk_val_is(v, SK_V_INT) || v->u.i < SK_STORE_CREATE || v->u.i > SK_STORE_DELETE)
                return dfail(err, "bad op");
            d->op = (int)v->u.i;
        } else if (!strcmp(k, "res")) {
            if (!plain_str(v, SK_STORE_MAX_RESOURCE)) return dfail(err, "bad res");
            d->res = v->u.s.p;
        } else if (!strcmp(k, "ns")) {
            if (!plain_str(v, SK_STORE_MAX_NAMESPACE)) return dfail(err, "bad ns");
            d->ns = v->u.s.p;
        } else if (!strcmp(k, "name")) {
            if (!plain_str(v, SK_STORE_MAX_NAME)) return dfail(err, "bad name");
            d->name = v->u.s.p;
        } else if (!strcmp(k, "ts")) {
            if (!plain_str(v, 31) || !parse_ts(v->u.s.p, &d->t)) return dfail(err, "bad ts");
            d->ts = v->u.s.p;
        } else if (!strcmp(k, "rv")) {
            if (!sk_val_is(v, SK_V_INT) || v->u.i <= 0) return dfail(err, "bad rv");
            d->rv = (uint64_t)v->u.i;
        } else if (!strcmp(k, "puid")) {
            if (!plain_str(v, MAX_UID) || !v->u.s.len) return dfail(err, "bad puid");
            d->puid = v->u.s.p;
        } else if (!strcmp(k, "uid")) {
            if (!plain_str(v, MAX_UID) || !v->u.s.len) return dfail(err, "bad uid");
            d->uid = v->u.s.p;
        } else if (!strcmp(k, "fl")) {
            if (!sk_val_is(v, SK_V_INT) || v->u.i < 0 || v->u.i > SK_STORE_F_STATUS)
                return dfail(err, "bad fl");
            d->flags = (unsigned)v->u.i;
        } else if (!strcmp(k, "grace")) {
            if (!sk_val_is(v, SK_V_INT) || v->u.i < 0 || v->u.i > MAX_GRACE)
                return dfail(err, "bad grace");
            d->grace = v->u.i;
        } else if (!strcmp(k, "fin")) {
            if (!sk_val_is(v, SK_V_ARR) || sk_arr_len(v) > MAX_FINALIZERS)
                return dfail(err, "bad fin");
            for (size_t j = 0; j < sk_arr_len(v); j++) {
                const struct sk_val *f = sk_arr_get(v, j);
                if (!plain_str(f, 316) || !f->u.s.len) return dfail(err, "bad finalizer");
            }
            d->fin = v;
        } else if (!strcmp(k, "obj")) {
            if (!sk_val_is(v, SK_V_MAP)) return dfail(err, "obj is not a map");
            d->obj = v;
        } else {
            return dfail(err, "unknown field");
        }
    }
    if (!seen_v || !d->op || !d->res || !d->ns || !d->name || !d->ts)
        return dfail(err, "missing field");
    if ((rc = check_names(d->res, d->ns, d->name, true, err))) return rc;
    bool has_obj = d->op != SK_STORE_DELETE;
    if (has_obj != (d->obj != NULL)) return dfail(err, "obj present for delete or missing");
    if ((d->op == SK_STORE_CREATE) != (d->uid != NULL)) return dfail(err, "uid only on create");
    if (d->op != SK_STORE_DELETE && (d->grace || d->fin))
        return dfail(err, "grace/fin only on delete");
    return SK_OK;
}

sk_err sk_store_cmd_check(const void *p, size_t n, struct sk_error **err)
{
    struct dcmd d;
    sk_err rc = decode(p, n, &d, err);
    sk_val_free(d.root);
    return rc;
}

/* ---- apply ---- */

struct ctx {
    struct sk_store_txn *t;
    struct dcmd *d;
    struct sk_store_result *res;
    char key[SK_STORE_KEY_MAX]; /* resource \0 ns \0 name */
    size_t klen;
    char what[SK_STORE_MAX_RESOURCE + 2 * SK_STORE_MAX_NAME + 16]; /* pods "web" */
};

static sk_err refuse(struct ctx *c, sk_err code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static sk_err refuse(struct ctx *c, sk_err code, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    c->res->code = code;
    sk_fail(&c->res->err, code, "%s", msg);
    return SK_OK;
}

static sk_err conflict(struct ctx *c)
{
    return refuse(c, SK_ECONFLICT,
                  "Operation cannot be fulfilled on %s: the object has been modified; please apply "
                  "your changes to the latest version and try again",
                  c->what);
}

/* Newest revision of a key as this transaction sees it: its own changes
 * first, then the index (which only write transactions change, one at a
 * time, so no lock is needed here). */
static bool txn_lookup(struct sk_store_txn *t, const char *key, size_t klen, uint64_t *rev,
                       bool *tomb)
{
    const struct sk_ix_node *n = sk_ix_find(t->ov, key, klen);
    if (!n) n = sk_ix_find(t->s->ix, key, klen);
    if (!n) return false;
    const char *k;
    size_t kl;
    bool removed;
    sk_ix_entry(n, &k, &kl, rev, tomb, &removed);
    return !removed;
}

/* The current record of the key, if any (tombstones count as absent). */
static sk_err load_current(struct ctx *c, uint64_t *rev, struct sk_store_rec *r, bool *live)
{
    bool tomb;
    *rev = 0;
    *live = false;
    if (!txn_lookup(c->t, c->key, c->klen, rev, &tomb)) {
        *rev = 0;
        return SK_OK;
    }
    sk_err e = sk_store_rec_get(c->t->txn, c->t->s->dbi, *rev, r, NULL);
    if (e) return e == SK_ENOENT ? SK_ECORRUPT : e;
    *live = r->type != SK_STORE_DELETED;
    return SK_OK;
}

static void set_str(struct sk_val *m, const char *k, const char *v)
{
    sk_map_set(m, k, sk_val_str(v));
}

static struct sk_val *meta_of(struct sk_val *obj)
{
    struct sk_val *m = sk_map_get(obj, "metadata");
    if (!sk_val_is(m, SK_V_MAP)) m = sk_map_set(obj, "metadata", sk_val_map());
    return m;
}

/* Equal outside metadata (and status when it is a subresource)? This is
 * what decides whether generation moves. */
static bool body_equal(const struct sk_val *a, const struct sk_val *b, bool skip_status)
{
    size_t na = 0, nb = 0;
    for (size_t i = 0; i < a->u.m.n; i++) {
        const char *k = a->u.m.kv[i].key;
        if (!strcmp(k, "metadata") || (skip_status && !strcmp(k, "status"))) continue;
        na++;
        const struct sk_val *bv = sk_map_get(b, k);
        if (!bv || !sk_val_equal(a->u.m.kv[i].val, bv)) return false;
    }
    for (size_t i = 0; i < b->u.m.n; i++) {
        const char *k = b->u.m.kv[i].key;
        if (!strcmp(k, "metadata") || (skip_status && !strcmp(k, "status"))) continue;
        nb++;
    }
    return na == nb;
}

/* Write obj (already carrying its final metadata) as revision cur+1. */
static sk_err put_change(struct ctx *c, int type, uint64_t prev, struct sk_val *obj,
                         struct sk_store_obj *prev_obj)
{
    struct sk_store_txn *t = c->t;
    uint64_t rev = t->cur + 1;
    char rvs[24];
    snprintf(rvs, sizeof(rvs), "%" PRIu64, rev);
    set_str(meta_of(obj), "resourceVersion", rvs);
    struct sk_buf b = {0};
    sk_val_to_msgpack(obj, &b);
    if (b.len > SK_STORE_MAX_OBJECT) {
        sk_buf_free(&b);
        sk_store_obj_unref(prev_obj);
        return refuse(c, SK_ETOOBIG,
                      "Request entity too large: the object is %zu bytes, the limit is %u", b.len,
                      SK_STORE_MAX_OBJECT);
    }
    size_t klen = c->klen;
    unsigned char rk[SK_STORE_REVKEY_LEN];
    sk_store_rkey(rk, rev);
    MDB_val k = {sizeof(rk), rk}, v = {REC_HDR + klen + b.len, NULL};
    /* Revisions only grow, so APPEND is valid and fills pages completely. */
    int rc = mdb_put(t->txn, t->s->dbi, &k, &v, MDB_RESERVE | MDB_APPEND);
    if (rc) {
        sk_buf_free(&b);
        sk_store_obj_unref(prev_obj);
        return sk_store_lmdb_fail(NULL, rc, "write record");
    }
    unsigned char *p = v.mv_data;
    p[0] = 1;
    p[1] = (unsigned char)type;
    p[2] = (unsigned char)(klen >> 8);
    p[3] = (unsigned char)klen;
    sk_store_be64(p + 8, prev);
    memcpy(p + REC_HDR, c->key, klen);
    memcpy(p + REC_HDR + klen, b.p, b.len);
    uint32_t crc = sk_store_crc32c(0, rk + 1, 8);
    crc = sk_store_crc32c(crc, p, 4);
    crc = sk_store_crc32c(crc, p + 8, v.mv_size - 8);
    p[4] = (unsigned char)(crc >> 24);
    p[5] = (unsigned char)(crc >> 16);
    p[6] = (unsigned char)(crc >> 8);
    p[7] = (unsigned char)crc;
    sk_ix_put(t->ov, c->key, c->klen, rev, type == SK_STORE_DELETED);
    t->cur = rev;
    size_t olen = b.len;
    struct sk_store_obj *o = sk_store_obj_adopt(rev, sk_buf_take(&b, NULL), olen);
    struct sk_store_ev *ev = sk_store_ev_new(type, rev, c->key, klen, o, prev_obj);
    if (t->ev_tail)
        t->ev_tail->next = ev;
    else
        t->ev_head = ev;
    t->ev_tail = ev;
    c->res->changed = true;
    c->res->deleted = type == SK_STORE_DELETED;
    c->res->rev = rev;
    c->res->obj = o; /* the event took its own references */
    sk_store_obj_unref(prev_obj);
    return SK_OK;
}

static sk_err apply_create(struct ctx *c)
{
    uint64_t cur;
    struct sk_store_rec r;
    bool live;
    sk_err rc = load_current(c, &cur, &r, &live);
    if (rc) return rc;
    if (live) return refuse(c, SK_EEXIST, "%s already exists", c->what);
    struct dcmd *d = c->d;
    struct sk_val *obj = sk_map_take(d->root, "obj");
    struct sk_val *m = meta_of(obj);
    set_str(m, "name", d->name);
    if (*d->ns)
        set_str(m, "namespace", d->ns);
    else
        sk_map_del(m, "namespace");
    set_str(m, "uid", d->uid);
    set_str(m, "creationTimestamp", d->ts);
    sk_map_set(m, "generation", sk_val_int(1));
    sk_map_del(m, "deletionTimestamp");
    sk_map_del(m, "deletionGracePeriodSeconds");
    rc = put_change(c, SK_STORE_ADDED, cur, obj, NULL);
    sk_val_free(obj);
    return rc;
}

/* Decode the current object and check the preconditions. */
static sk_err load_for_change(struct ctx *c, uint64_t *cur, struct sk_val **old,
                              struct sk_store_obj **old_obj, bool *done)
{
    struct sk_store_rec r;
    bool live;
    *old = NULL;
    *old_obj = NULL;
    *done = false;
    sk_err rc = load_current(c, cur, &r, &live);
    if (rc) return rc;
    if (!live) {
        *done = true;
        return refuse(c, SK_ENOENT, "%s not found", c->what);
    }
    if (sk_val_from_msgpack(r.obj, r.olen, old, NULL) || !sk_val_is(*old, SK_V_MAP)) {
        sk_val_free(*old);
        *old = NULL;
        return SK_ECORRUPT;
    }
    const char *ouid = sk_val_str_at(*old, "metadata", "uid", NULL);
    if (c->d->puid && (!ouid || strcmp(ouid, c->d->puid) != 0)) {
        *done = true;
        refuse(c, SK_ECONFLICT,
               "Precondition failed: UID in precondition: %s, UID in object meta: %s", c->d->puid,
               ouid ? ouid : "");
    } else if (c->d->rv && c->d->rv != *cur) {
        *done = true;
        conflict(c);
    }
    if (*done) {
        sk_val_free(*old);
        *old = NULL;
        return SK_OK;
    }
    *old_obj = sk_store_obj_new(*cur, r.obj, r.olen);
    return SK_OK;
}

static bool has_finalizers(const struct sk_val *obj)
{
    const struct sk_val *f = sk_val_at(obj, "metadata", "finalizers", NULL);
    return sk_val_is(f, SK_V_ARR) && sk_arr_len(f) > 0;
}

static bool contains_str(const struct sk_val *arr, const char *s)
{
    for (size_t i = 0; i < sk_arr_len(arr); i++) {
        const char *x = sk_val_cstr(sk_arr_get(arr, i));
        if (x && !strcmp(x, s)) return true;
    }
    return false;
}

/* Namespaces: spec.finalizers (the namespace controller's "kubernetes")
 * hold a deleted namespace as metadata.finalizers hold any object, and a
 * namespace whose deletion starts goes to phase Terminating. */
static bool ns_spec_finalizers(const struct dcmd *d, const struct sk_val *obj)
{
    if (strcmp(d->res, "namespaces") != 0) return false;
    const struct sk_val *f = sk_val_at(obj, "spec", "finalizers", NULL);
    return sk_val_is(f, SK_V_ARR) && sk_arr_len(f) > 0;
}

static void ns_terminating(const struct dcmd *d, struct sk_val *obj)
{
    if (strcmp(d->res, "namespaces") != 0) return;
    struct sk_val *st = sk_map_get(obj, "status");
    if (!sk_val_is(st, SK_V_MAP)) st = sk_map_set(obj, "status", sk_val_map());
    sk_map_set(st, "phase", sk_val_str("Terminating"));
}

/* Kubernetes removes an object on update once it is being deleted, has no
 * finalizers left and no grace period is running. */
static bool should_remove(const struct sk_val *obj)
{
    const struct sk_val *m = sk_map_get(obj, "metadata");
    return sk_map_get(m, "deletionTimestamp") && !has_finalizers(obj) &&
           sk_val_to_int(sk_map_get(m, "deletionGracePeriodSeconds"), 0) == 0;
}

static void copy_key(struct sk_val *dst, const struct sk_val *src, const char *k)
{
    const struct sk_val *v = sk_map_get(src, k);
    if (v)
        sk_map_set(dst, k, sk_val_dup(v));
    else
        sk_map_del(dst, k);
}

/* Unchanged command result: the stored object, no new revision. */
static void unchanged(struct ctx *c, uint64_t cur, struct sk_store_obj *old_obj)
{
    c->res->rev = cur;
    c->res->obj = old_obj;
}

static sk_err apply_update(struct ctx *c)
{
    uint64_t cur;
    struct sk_val *old;
    struct sk_store_obj *old_obj;
    bool done;
    sk_err rc = load_for_change(c, &cur, &old, &old_obj, &done);
    if (rc || done) return rc;
    struct dcmd *d = c->d;
    struct sk_val *in = sk_map_take(d->root, "obj");
    struct sk_val *obj;
    bool status_only = d->op == SK_STORE_UPDATE_STATUS;
    if (status_only) {
        /* A status write changes status and nothing else, but for the
         * record of who wrote it (metadata.managedFields). */
        obj = sk_val_dup(old);
        copy_key(obj, in, "status");
        const struct sk_val *imf = sk_val_at(in, "metadata", "managedFields", NULL);
        if (imf) sk_map_set(meta_of(obj), "managedFields", sk_val_dup(imf));
        sk_val_free(in);
    } else {
        obj = in;
        if (d->flags & SK_STORE_F_STATUS) copy_key(obj, old, "status");
    }
    struct sk_val *m = meta_of(obj);
    const struct sk_val *om = sk_map_get(old, "metadata");
    set_str(m, "name", d->name);
    if (*d->ns)
        set_str(m, "namespace", d->ns);
    else
        sk_map_del(m, "namespace");
    copy_key(m, om, "uid");
    copy_key(m, om, "creationTimestamp");
    copy_key(m, om, "deletionTimestamp");
    copy_key(m, om, "deletionGracePeriodSeconds");
    copy_key(m, om, "resourceVersion");
    if (sk_map_get(om, "deletionTimestamp")) {
        const struct sk_val *nf = sk_map_get(m, "finalizers");
        const struct sk_val *of = sk_map_get(om, "finalizers");
        for (size_t i = 0; i < sk_arr_len(nf); i++) {
            const char *f = sk_val_cstr(sk_arr_get(nf, i));
            if (f && !contains_str(of, f)) {
                refuse(c, SK_EINVAL,
                       "metadata.finalizers: Forbidden: no new finalizers can be added if the "
                       "object is being deleted, found new finalizers [\"%s\"]",
                       f);
                sk_val_free(obj);
                sk_val_free(old);
                sk_store_obj_unref(old_obj);
                return SK_OK;
            }
        }
    }
    int64_t gen = sk_val_to_int(sk_map_get(om, "generation"), 1);
    bool skip_status = status_only || (d->flags & SK_STORE_F_STATUS);
    if (!body_equal(old, obj, skip_status)) gen++;
    sk_map_set(m, "generation", sk_val_int(gen));
    if (sk_val_equal(old, obj)) {
        /* Kubernetes writes nothing for a no-op update. */
        sk_val_free(obj);
        sk_val_free(old);
        unchanged(c, cur, old_obj);
        return SK_OK;
    }
    bool gone = should_remove(obj) && !ns_spec_finalizers(d, obj);
    int type = gone ? SK_STORE_DELETED : SK_STORE_MODIFIED;
    rc = put_change(c, type, cur, obj, old_obj);
    sk_val_free(obj);
    sk_val_free(old);
    return rc;
}

static sk_err apply_delete(struct ctx *c)
{
    uint64_t cur;
    struct sk_val *old;
    struct sk_store_obj *old_obj;
    bool done;
    sk_err rc = load_for_change(c, &cur, &old, &old_obj, &done);
    if (rc || done) return rc;
    struct dcmd *d = c->d;
    struct sk_val *obj = sk_val_dup(old);
    struct sk_val *m = meta_of(obj);
    if (d->fin && sk_arr_len(d->fin)) {
        struct sk_val *f = sk_map_get(m, "finalizers");
        if (!sk_val_is(f, SK_V_ARR)) f = sk_map_set(m, "finalizers", sk_val_arr());
        for (size_t i = 0; i < sk_arr_len(d->fin); i++) {
            const char *s = sk_val_cstr(sk_arr_get(d->fin, i));
            if (!contains_str(f, s)) sk_arr_push(f, sk_val_str(s));
        }
    }
    bool fin = has_finalizers(obj) || ns_spec_finalizers(d, obj);
    const struct sk_val *dts = sk_map_get(m, "deletionTimestamp");
    int64_t ograce = sk_val_to_int(sk_map_get(m, "deletionGracePeriodSeconds"), 0);
    char when[32];
    fmt_ts(d->t + (time_t)d->grace, when);
    int type = SK_STORE_MODIFIED;
    if (!dts) {
        if (d->grace > 0 || fin) {
            /* Deletion starts: the object stays until its finalizers are
             * gone (and its grace period is over). */
            set_str(m, "deletionTimestamp", when);
            sk_map_set(m, "deletionGracePeriodSeconds", sk_val_int(d->grace));
            sk_map_set(m, "generation",
                       sk_val_int(sk_val_to_int(sk_map_get(m, "generation"), 1) + 1));
            ns_terminating(d, obj);
        } else {
            type = SK_STORE_DELETED;
        }
    } else if (d->grace < ograce) {
        /* A second delete may only shorten the grace period. */
        set_str(m, "deletionTimestamp", when);
        sk_map_set(m, "deletionGracePeriodSeconds", sk_val_int(d->grace));
        if (d->grace == 0 && !fin) type = SK_STORE_DELETED;
    }
    if (type == SK_STORE_MODIFIED && sk_val_equal(old, obj)) {
        sk_val_free(obj);
        sk_val_free(old);
        unchanged(c, cur, old_obj);
        return SK_OK;
    }
    rc = put_change(c, type, cur, obj, old_obj);
    sk_val_free(obj);
    sk_val_free(old);
    return rc;
}

/* ---- compaction ---- */

struct leaving {
    uint64_t rev, prev;
    size_t koff, klen; /* tombstones only: the key, in the arena */
    bool tomb;
};

static sk_err set_window(struct sk_store_txn *t, uint64_t ws)
{
    static const char wk[] = {KS_META, 'w', 'i', 'n', 'd', 'o', 'w'};
    unsigned char b[8];
    sk_store_be64(b, ws);
    MDB_val k = {sizeof(wk), (void *)wk}, v = {8, b};
    int rc = mdb_put(t->txn, t->s->dbi, &k, &v, 0);
    if (rc) return sk_store_lmdb_fail(NULL, rc, "write window");
    t->wstart = ws;
    return SK_OK;
}

static sk_err del_rev(struct sk_store_txn *t, uint64_t rev)
{
    unsigned char rk[SK_STORE_REVKEY_LEN];
    sk_store_rkey(rk, rev);
    MDB_val k = {sizeof(rk), rk};
    int rc = mdb_del(t->txn, t->s->dbi, &k, NULL);
    if (rc && rc != MDB_NOTFOUND) return sk_store_lmdb_fail(NULL, rc, "compact");
    return SK_OK;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* When revision Y leaves the window, the version Y replaced is no longer
 * the state of its key at any revision we can still be asked about; a
 * deleted key's tombstone goes with its index entry once nothing newer
 * replaced it. The versions to delete sit anywhere among the older
 * records, and deleting one rewrites its 4 KiB page; so compaction waits
 * until the window holds twice `history` revisions and then removes a
 * whole `history` worth at once, which puts several deletions on each page
 * it rewrites and empties many pages outright. */
static sk_err compact(struct sk_store_txn *t)
{
    uint64_t hist = t->s->history;
    if (t->cur < t->wstart || t->cur - t->wstart + 1 <= 2 * hist) return SK_OK;
    uint64_t nws = t->cur - hist + 1;
    /* Bounded work per command, even when a smaller history was configured
     * since the last run: the window then shrinks over several commands. */
    if (nws - t->wstart > MAX_COMPACT) nws = t->wstart + MAX_COMPACT;
    size_t n = (size_t)(nws - t->wstart), nprev = 0;
    struct leaving *l = sk_xcalloc(n, sizeof(*l));
    uint64_t *prevs = sk_xcalloc(n, sizeof(*prevs));
    struct sk_buf keys = {0};
    sk_err rc = SK_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        struct sk_store_rec r;
        rc = sk_store_rec_get(t->txn, t->s->dbi, t->wstart + i, &r, NULL);
        if (rc) break;
        l[i].rev = r.rev;
        l[i].prev = r.prev;
        l[i].tomb = r.type == SK_STORE_DELETED;
        if (r.prev) prevs[nprev++] = r.prev;
        if (l[i].tomb) {
            l[i].koff = keys.len;
            l[i].klen = r.klen;
            sk_buf_append(&keys, r.key, r.klen);
        }
    }
    /* in revision order: each page is visited once, its path stays hot */
    qsort(prevs, nprev, sizeof(*prevs), cmp_u64);
    for (size_t i = 0; i < nprev && !rc; i++)
        rc = del_rev(t, prevs[i]);
    for (size_t i = 0; i < n && !rc; i++) {
        uint64_t cur;
        bool tomb;
        if (!l[i].tomb) continue;
        const char *key = keys.p + l[i].koff;
        if (txn_lookup(t, key, l[i].klen, &cur, &tomb) && cur == l[i].rev) {
            sk_ix_put_removed(t->ov, key, l[i].klen);
            rc = del_rev(t, l[i].rev);
        }
    }
    free(l);
    free(prevs);
    sk_buf_free(&keys);
    if (rc) return rc == SK_ENOENT ? SK_ECORRUPT : rc;
    return set_window(t, nws);
}

/* ---- transactions ---- */

sk_err sk_store_txn_begin(struct sk_store *s, struct sk_store_txn **out, struct sk_error **err)
{
    *out = NULL;
    struct sk_store_txn *t = sk_xcalloc(1, sizeof(*t));
    t->s = s;
    pthread_mutex_lock(&s->txn_mu);
    int rc = mdb_txn_begin(s->env, NULL, 0, &t->txn);
    if (rc) {
        pthread_mutex_unlock(&s->txn_mu);
        free(t);
        return sk_store_lmdb_fail(err, rc, "begin write");
    }
    sk_err e = sk_store_txn_revs(s, t->txn, &t->cur, &t->wstart, err);
    if (e) {
        mdb_txn_abort(t->txn);
        pthread_mutex_unlock(&s->txn_mu);
        free(t);
        return e;
    }
    t->ov = sk_ix_new();
    *out = t;
    return SK_OK;
}

sk_err sk_store_apply(struct sk_store_txn *t, const void *cmd, size_t len,
                      struct sk_store_result *res)
{
    memset(res, 0, sizeof(*res));
    struct dcmd d;
    sk_err rc = decode(cmd, len, &d, &res->err);
    if (rc) {
        res->code = rc;
        sk_val_free(d.root);
        return SK_OK; /* a malformed command is refused the same way everywhere */
    }
    struct ctx c = {.t = t, .d = &d, .res = res};
    c.klen = sk_store_key(c.key, d.res, d.ns, d.name);
    char q[SK_STORE_MAX_RESOURCE + 8];
    sk_store_qualified(q, sizeof(q), d.res);
    snprintf(c.what, sizeof(c.what), "%s \"%s\"", q, d.name);
    switch (d.op) {
    case SK_STORE_CREATE: rc = apply_create(&c); break;
    case SK_STORE_UPDATE:
    case SK_STORE_UPDATE_STATUS: rc = apply_update(&c); break;
    default: rc = apply_delete(&c); break;
    }
    if (!rc && res->changed) rc = compact(t);
    sk_val_free(d.root);
    if (rc) {
        /* The transaction is broken; the caller aborts it. */
        sk_store_result_clear(res);
        res->code = rc;
        sk_fail(&res->err, rc, "store: %s: cannot apply (%s)", c.what, sk_strerror(rc));
    }
    return rc;
}

void sk_store_result_clear(struct sk_store_result *r)
{
    sk_error_free(r->err);
    sk_store_obj_unref(r->obj);
    memset(r, 0, sizeof(*r));
}

sk_err sk_store_txn_commit(struct sk_store_txn *t, struct sk_error **err)
{
    struct sk_store *s = t->s;
    int rc = mdb_txn_commit(t->txn);
    if (rc) {
        sk_store_ev_free_list(t->ev_head);
        sk_ix_free(t->ov);
        pthread_mutex_unlock(&s->txn_mu);
        free(t);
        return sk_store_lmdb_fail(err, rc, "commit");
    }
    /* Readers hold the lock only while they copy from the index, so this
     * wait is short; the fsync is already behind us. */
    pthread_rwlock_wrlock(&s->ix_lock);
    sk_ix_merge(s->ix, t->ov);
    s->ix_rev = t->cur;
    pthread_rwlock_unlock(&s->ix_lock);
    atomic_store(&s->committed_rev, t->cur);
    atomic_store(&s->window_start, t->wstart);
    atomic_fetch_add(&s->n_commits, 1);
    sk_store_handoff(s, t->ev_head);
    sk_ix_free(t->ov);
    pthread_mutex_unlock(&s->txn_mu);
    free(t);
    return SK_OK;
}

void sk_store_txn_abort(struct sk_store_txn *t)
{
    if (!t) return;
    mdb_txn_abort(t->txn);
    sk_store_ev_free_list(t->ev_head);
    sk_ix_free(t->ov);
    pthread_mutex_unlock(&t->s->txn_mu);
    free(t);
}
