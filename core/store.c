/* The store's frame: opening LMDB under the data dir and refusing files that
 * are not ours, the record layout, shared objects, the integrity check,
 * dumps and stats. Commands live in store_apply.c, group commit in
 * store_commit.c, reads in store_read.c, watch in store_watch.c. */
#include "store_priv.h"
#include "log.h"
#include "loop.h"
#include "mem.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_HISTORY 10000
#define DEFAULT_RING    256

/* ---- small helpers shared by the store's files ---- */

void sk_store_be64(unsigned char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (unsigned char)v;
        v >>= 8;
    }
}

uint64_t sk_store_get_be64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

/* CRC32C (Castagnoli). Records carry one so that bit rot on an SD card is
 * reported instead of served. Every read checks it, so it must be cheap:
 * the CPU's CRC32C instruction where there is one (x86 SSE4.2), else
 * eight bytes at a time through eight tables. */
static uint32_t crc_table[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;
static bool crc_hw;

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
        crc_table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xff];
#if defined(__x86_64__)
    __builtin_cpu_init();
    crc_hw = __builtin_cpu_supports("sse4.2");
#endif
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc_sse42(uint32_t crc, const unsigned char *b,
                                                            size_t n)
{
    uint64_t c = crc;
    for (; n >= 8; n -= 8, b += 8) {
        uint64_t w;
        memcpy(&w, b, 8);
        c = __builtin_ia32_crc32di(c, w);
    }
    uint32_t c32 = (uint32_t)c;
    while (n--)
        c32 = __builtin_ia32_crc32qi(c32, *b++);
    return c32;
}
#endif

uint32_t sk_store_crc32c(uint32_t crc, const void *p, size_t n)
{
    pthread_once(&crc_once, crc_init);
    const unsigned char *b = p;
    crc = ~crc;
#if defined(__x86_64__)
    if (crc_hw) return ~crc_sse42(crc, b, n);
#endif
    for (; n >= 8; n -= 8, b += 8) {
        uint32_t lo = crc ^ ((uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                             (uint32_t)b[3] << 24);
        crc = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
              crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^ crc_table[3][b[4]] ^
              crc_table[2][b[5]] ^ crc_table[1][b[6]] ^ crc_table[0][b[7]];
    }
    while (n--)
        crc = crc_table[0][(crc ^ *b++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

size_t sk_store_key(char *buf, const char *res, const char *ns, const char *name)
{
    size_t rl = strlen(res), nl = strlen(ns), ml = strlen(name);
    char *p = buf;
    memcpy(p, res, rl);
    p += rl;
    *p++ = 0;
    memcpy(p, ns, nl);
    p += nl;
    *p++ = 0;
    memcpy(p, name, ml);
    p += ml;
    return (size_t)(p - buf);
}

void sk_store_rkey(unsigned char *buf, uint64_t rev)
{
    buf[0] = KS_REV;
    sk_store_be64(buf + 1, rev);
}

sk_err sk_store_lmdb_fail(struct sk_error **err, int rc, const char *what)
{
    if (rc == MDB_MAP_FULL)
        return sk_fail(err, SK_ETOOBIG, "store: %s: the store is full (raise store map size)",
                       what);
    if (rc == MDB_CORRUPTED || rc == MDB_PAGE_NOTFOUND || rc == MDB_INVALID)
        return sk_fail(err, SK_ECORRUPT, "store: %s: %s", what, mdb_strerror(rc));
    if (rc > 0) return sk_fail_sys(err, rc, "store: %s", what);
    return sk_fail(err, SK_EINTERNAL, "store: %s: %s", what, mdb_strerror(rc));
}

static bool key_ok(const char *key, size_t klen, const char **res, const char **ns,
                   const char **name)
{
    /* exactly two NULs, non-empty resource and name */
    const char *a = memchr(key, 0, klen);
    if (!a || a == key) return false;
    const char *b = memchr(a + 1, 0, klen - (size_t)(a + 1 - key));
    if (!b) return false;
    size_t rest = klen - (size_t)(b + 1 - key);
    if (rest == 0 || memchr(b + 1, 0, rest)) return false;
    if ((size_t)(a - key) > SK_STORE_MAX_RESOURCE || (size_t)(b - a - 1) > SK_STORE_MAX_NAMESPACE ||
        rest > SK_STORE_MAX_NAME)
        return false;
    if (res) *res = key;
    if (ns) *ns = a + 1;
    if (name) *name = b + 1;
    return true;
}

static sk_err rec_parse(uint64_t rev, const MDB_val *v, struct sk_store_rec *r, bool crc_too,
                        struct sk_error **err);

sk_err sk_store_rec_parse(uint64_t rev, const MDB_val *v, struct sk_store_rec *r,
                          struct sk_error **err)
{
    return rec_parse(rev, v, r, true, err);
}

static sk_err rec_parse(uint64_t rev, const MDB_val *v, struct sk_store_rec *r, bool crc_too,
                        struct sk_error **err)
{
    const unsigned char *p = v->mv_data;
    if (v->mv_size < REC_HDR + 1)
        return sk_fail(err, SK_ECORRUPT, "store: record %" PRIu64 " is truncated", rev);
    if (p[0] != 1)
        return sk_fail(err, SK_ECORRUPT, "store: record %" PRIu64 " has unknown format %u", rev,
                       p[0]);
    if (p[1] < SK_STORE_ADDED || p[1] > SK_STORE_DELETED)
        return sk_fail(err, SK_ECORRUPT, "store: record %" PRIu64 " has unknown type %u", rev,
                       p[1]);
    size_t klen = (size_t)p[2] << 8 | p[3];
    if (REC_HDR + klen >= v->mv_size)
        return sk_fail(err, SK_ECORRUPT, "store: record %" PRIu64 " has a bad key length", rev);
    if (crc_too) {
        unsigned char rb[8];
        sk_store_be64(rb, rev);
        uint32_t crc = sk_store_crc32c(0, rb, 8);
        crc = sk_store_crc32c(crc, p, 4);
        crc = sk_store_crc32c(crc, p + 8, v->mv_size - 8);
        uint32_t want = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
        if (crc != want)
            return sk_fail(err, SK_ECORRUPT, "store: record %" PRIu64 " fails its checksum", rev);
    }
    r->rev = rev;
    r->type = p[1];
    r->prev = sk_store_get_be64(p + 8);
    r->key = (const char *)p + REC_HDR;
    r->klen = klen;
    r->obj = r->key + klen;
    r->olen = v->mv_size - REC_HDR - klen;
    if (!key_ok(r->key, klen, NULL, NULL, NULL))
        return sk_fail(err, SK_ECORRUPT, "store: record %" PRIu64 " has a malformed key", rev);
    if (r->prev >= rev)
        return sk_fail(err, SK_ECORRUPT, "store: record %" PRIu64 " points forward to %" PRIu64,
                       rev, r->prev);
    return SK_OK;
}

sk_err sk_store_rec_get(MDB_txn *txn, MDB_dbi dbi, uint64_t rev, struct sk_store_rec *r,
                        struct sk_error **err)
{
    unsigned char kb[SK_STORE_REVKEY_LEN];
    sk_store_rkey(kb, rev);
    MDB_val k = {sizeof(kb), kb}, v;
    int rc = mdb_get(txn, dbi, &k, &v);
    if (rc == MDB_NOTFOUND)
        return sk_fail(err, SK_ENOENT, "store: record %" PRIu64 " is missing", rev);
    if (rc) return sk_store_lmdb_fail(err, rc, "read record");
    return sk_store_rec_parse(rev, &v, r, err);
}

static const char meta_format[] = {KS_META, 'f', 'o', 'r', 'm', 'a', 't'};
static const char meta_window[] = {KS_META, 'w', 'i', 'n', 'd', 'o', 'w'};

sk_err sk_store_txn_revs(struct sk_store *s, MDB_txn *txn, uint64_t *cur, uint64_t *wstart,
                         struct sk_error **err)
{
    MDB_cursor *c;
    int rc = mdb_cursor_open(txn, s->dbi, &c);
    if (rc) return sk_store_lmdb_fail(err, rc, "open cursor");
    MDB_val k, v;
    rc = mdb_cursor_get(c, &k, &v, MDB_LAST);
    mdb_cursor_close(c);
    *cur = 0;
    if (rc == 0 && k.mv_size == SK_STORE_REVKEY_LEN && ((char *)k.mv_data)[0] == KS_REV)
        *cur = sk_store_get_be64((unsigned char *)k.mv_data + 1);
    else if (rc && rc != MDB_NOTFOUND)
        return sk_store_lmdb_fail(err, rc, "read newest revision");
    MDB_val wk = {sizeof(meta_window), (void *)meta_window};
    rc = mdb_get(txn, s->dbi, &wk, &v);
    if (rc == MDB_NOTFOUND || (rc == 0 && v.mv_size != 8))
        return sk_fail(err, SK_ECORRUPT, "%s: the window record is missing or malformed", s->path);
    if (rc) return sk_store_lmdb_fail(err, rc, "read window");
    *wstart = sk_store_get_be64(v.mv_data);
    return SK_OK;
}

/* ---- shared objects ---- */

struct sk_store_obj *sk_store_obj_adopt(uint64_t rev, char *data, size_t len)
{
    /* Encoders hand over growable buffers (up to twice the bytes); objects
     * live long in caches and the watch ring, so give the slack back. */
    if (len) {
        char *fit = realloc(data, len);
        if (fit) data = fit;
    }
    struct sk_store_obj *o = sk_xcalloc(1, sizeof(*o));
    o->rev = rev;
    o->data = data;
    o->len = len;
    atomic_init(&o->refs, 1);
    atomic_init(&o->val, NULL);
    return o;
}

struct sk_store_obj *sk_store_obj_new(uint64_t rev, const void *data, size_t len)
{
    char *p = sk_xmalloc(len);
    memcpy(p, data, len);
    return sk_store_obj_adopt(rev, p, len);
}

struct sk_store_obj *sk_store_obj_ref(struct sk_store_obj *o)
{
    atomic_fetch_add_explicit(&o->refs, 1, memory_order_relaxed);
    return o;
}

void sk_store_obj_unref(struct sk_store_obj *o)
{
    if (!o) return;
    if (atomic_fetch_sub_explicit(&o->refs, 1, memory_order_acq_rel) != 1) return;
    sk_val_free(atomic_load_explicit(&o->val, memory_order_acquire));
    free((void *)o->data);
    free(o);
}

const struct sk_val *sk_store_obj_val(struct sk_store_obj *o)
{
    struct sk_val *v = atomic_load_explicit(&o->val, memory_order_acquire);
    if (v) return v;
    struct sk_val *nv = NULL;
    if (sk_val_from_msgpack(o->data, o->len, &nv, NULL) != SK_OK) return NULL;
    /* Two threads may race to decode; the loser frees its copy so that every
     * caller sees the same tree. */
    if (!atomic_compare_exchange_strong_explicit(&o->val, &v, nv, memory_order_acq_rel,
                                                 memory_order_acquire)) {
        sk_val_free(nv);
        return v;
    }
    return nv;
}

const struct sk_val *sk_store_obj_peek(struct sk_store_obj *o, struct sk_val **tmp)
{
    *tmp = NULL;
    struct sk_val *v = atomic_load_explicit(&o->val, memory_order_acquire);
    if (v) return v;
    if (sk_val_from_msgpack(o->data, o->len, tmp, NULL) != SK_OK) return NULL;
    return *tmp;
}

void sk_store_qualified(char *buf, size_t cap, const char *resource)
{
    const char *slash = strchr(resource, '/');
    if (!slash)
        snprintf(buf, cap, "%s", resource);
    else
        snprintf(buf, cap, "%s.%.*s", slash + 1, (int)(slash - resource), resource);
}

/* ---- open / close ---- */

static sk_err not_ours(struct sk_store *s, struct sk_error **err, const char *why)
{
    return sk_fail(err, SK_ECORRUPT,
                   "%s is not a skiff store (%s); refusing to touch it: move it away or point "
                   "data-dir elsewhere",
                   s->path, why);
}

static sk_err check_format(struct sk_store *s, MDB_txn *txn, bool *fresh, struct sk_error **err)
{
    MDB_val k = {sizeof(meta_format), (void *)meta_format}, v;
    int rc = mdb_get(txn, s->dbi, &k, &v);
    *fresh = false;
    if (rc == MDB_NOTFOUND) {
        MDB_stat st;
        rc = mdb_stat(txn, s->dbi, &st);
        if (rc) return sk_store_lmdb_fail(err, rc, "stat");
        /* An LMDB file with no records at all is a creation that was
         * interrupted before its first commit: nothing to lose. */
        if (st.ms_entries == 0) {
            *fresh = true;
            return SK_OK;
        }
        char why[128];
        snprintf(why, sizeof(why), "an LMDB file with %zu records but no skiff format record",
                 st.ms_entries);
        return not_ours(s, err, why);
    }
    if (rc) return sk_store_lmdb_fail(err, rc, "read format record");
    size_t ml = sizeof(SK_STORE_MAGIC);
    if (v.mv_size != ml + 4 || memcmp(v.mv_data, SK_STORE_MAGIC, ml) != 0)
        return not_ours(s, err, "its format record is not skiff's");
    const unsigned char *p = (const unsigned char *)v.mv_data + ml;
    uint32_t ver = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    if (ver != SK_STORE_FORMAT)
        return sk_fail(err, SK_ECORRUPT,
                       "%s was written by another skiff version (store format %u; this build reads "
                       "format %d)",
                       s->path, ver, SK_STORE_FORMAT);
    return SK_OK;
}

static sk_err init_format(struct sk_store *s, MDB_txn *txn, struct sk_error **err)
{
    unsigned char val[sizeof(SK_STORE_MAGIC) + 4];
    memcpy(val, SK_STORE_MAGIC, sizeof(SK_STORE_MAGIC));
    unsigned char *p = val + sizeof(SK_STORE_MAGIC);
    p[0] = p[1] = p[2] = 0;
    p[3] = SK_STORE_FORMAT;
    MDB_val k = {sizeof(meta_format), (void *)meta_format}, v = {sizeof(val), val};
    int rc = mdb_put(txn, s->dbi, &k, &v, 0);
    if (rc) return sk_store_lmdb_fail(err, rc, "write format record");
    unsigned char w[8];
    sk_store_be64(w, 1);
    MDB_val wk = {sizeof(meta_window), (void *)meta_window}, wv = {8, w};
    rc = mdb_put(txn, s->dbi, &wk, &wv, 0);
    if (rc) return sk_store_lmdb_fail(err, rc, "write window record");
    return SK_OK;
}

static sk_err make_dir(const char *path, struct sk_error **err)
{
    if (mkdir(path, 0700) == 0) return SK_OK;
    if (errno != EEXIST) return sk_fail_sys(err, errno, "store: mkdir %s", path);
    struct stat st;
    if (stat(path, &st) != 0) return sk_fail_sys(err, errno, "store: stat %s", path);
    if (!S_ISDIR(st.st_mode)) return sk_fail(err, SK_EINVAL, "store: %s is not a directory", path);
    return SK_OK;
}

static sk_err open_env(struct sk_store *s, const struct sk_store_opts *o, struct sk_error **err)
{
    struct stat st;
    if (stat(s->path, &st) == 0 && !S_ISREG(st.st_mode))
        return not_ours(s, err, "not a regular file");
    int rc = mdb_env_create(&s->env);
    if (rc) return sk_store_lmdb_fail(err, rc, "create environment");
    size_t map = o->map_size;
    if (!map) map = sizeof(void *) >= 8 ? (size_t)1 << 30 : (size_t)256 << 20;
    mdb_env_set_mapsize(s->env, map);
    mdb_env_set_maxreaders(s->env, 254);
    /* NOTLS: read transactions belong to the caller, not to a thread, so
     * workers can read. NORDAHEAD: reads touch a few pages each; the
     * kernel's read-ahead would fault whole runs of the map into the
     * agent's RSS for nothing. Durable commits stay on (no
     * NOSYNC/NOMETASYNC). */
    rc = mdb_env_open(s->env, s->dir, MDB_NOTLS | MDB_NORDAHEAD, 0600);
    if (rc == MDB_INVALID) return not_ours(s, err, "not an LMDB file");
    if (rc == MDB_VERSION_MISMATCH)
        return not_ours(s, err, "an LMDB file of an incompatible LMDB version");
    if (rc) return sk_store_lmdb_fail(err, rc, "open environment");
    return SK_OK;
}

sk_err sk_store_open(const struct sk_store_opts *o, struct sk_store **out, struct sk_error **err)
{
    *out = NULL;
    if (!o || !o->data_dir || !*o->data_dir)
        return sk_fail(err, SK_EINVAL, "store: no data dir given");
    struct sk_store *s = sk_xcalloc(1, sizeof(*s));
    s->dir = sk_xasprintf("%s/store", o->data_dir);
    s->path = sk_xasprintf("%s/data.mdb", s->dir);
    s->history = o->history ? o->history : DEFAULT_HISTORY;
    s->loop = o->loop;
    s->pool = o->pool;
    s->ring_cap = o->ring ? o->ring : DEFAULT_RING;
    s->lock_fd = -1;
    pthread_mutex_init(&s->mu, NULL);
    pthread_mutex_init(&s->txn_mu, NULL);
    pthread_rwlock_init(&s->ix_lock, NULL);
    pthread_cond_init(&s->cv, NULL);
    s->ix = sk_ix_new();

    sk_err rc = make_dir(o->data_dir, err);
    if (!rc) rc = make_dir(s->dir, err);
    if (!rc) {
        /* LMDB forbids opening one environment twice, even in one process;
         * a flock on the directory turns that into a clear error. */
        s->lock_fd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (s->lock_fd < 0)
            rc = sk_fail_sys(err, errno, "store: open %s", s->dir);
        else if (flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0)
            rc = errno == EWOULDBLOCK
                         ? sk_fail(err, SK_EAGAIN, "store: %s is in use by another process", s->dir)
                         : sk_fail_sys(err, errno, "store: lock %s", s->dir);
    }
    if (!rc) rc = open_env(s, o, err);
    MDB_txn *txn = NULL;
    if (!rc) {
        int mrc = mdb_txn_begin(s->env, NULL, 0, &txn);
        if (mrc) rc = sk_store_lmdb_fail(err, mrc, "begin");
    }
    if (!rc) {
        int mrc = mdb_dbi_open(txn, NULL, 0, &s->dbi);
        if (mrc) rc = sk_store_lmdb_fail(err, mrc, "open database");
    }
    bool fresh = false;
    if (!rc) rc = check_format(s, txn, &fresh, err);
    if (!rc && fresh) {
        rc = init_format(s, txn, err);
        if (!rc) {
            int mrc = mdb_txn_commit(txn);
            txn = NULL;
            if (mrc)
                rc = sk_store_lmdb_fail(err, mrc, "commit new store");
            else
                SK_INFO("store", "created path=%s", s->path);
        }
    }
    if (txn) mdb_txn_abort(txn);
    if (!rc) {
        MDB_txn *r;
        int mrc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &r);
        if (mrc)
            rc = sk_store_lmdb_fail(err, mrc, "begin");
        else {
            uint64_t cur, ws;
            rc = sk_store_txn_revs(s, r, &cur, &ws, err);
            if (!rc) rc = sk_store_ix_build(s, r, s->ix, err);
            mdb_txn_abort(r);
            atomic_store(&s->committed_rev, cur);
            atomic_store(&s->window_start, ws);
            s->loop_rev = cur;
            s->ix_rev = cur;
        }
    }
    if (!rc) rc = sk_store_check(s, o->check_full, err);
    if (rc) {
        sk_error_prefix(err, "open store");
        if (s->env) mdb_env_close(s->env);
        s->env = NULL;
        if (s->lock_fd >= 0) close(s->lock_fd);
        pthread_mutex_destroy(&s->mu);
        pthread_mutex_destroy(&s->txn_mu);
        pthread_rwlock_destroy(&s->ix_lock);
        pthread_cond_destroy(&s->cv);
        sk_ix_free(s->ix);
        free(s->dir);
        free(s->path);
        free(s);
        return rc;
    }
    if (s->loop) {
        sk_store_watch_init(s);
        sk_store_commit_start(s);
    }
    SK_INFO("store", "open path=%s rev=%" PRIu64 " window=%" PRIu64, s->path, s->loop_rev,
            (uint64_t)atomic_load(&s->window_start));
    *out = s;
    return SK_OK;
}

void sk_store_close(struct sk_store *s)
{
    if (!s) return;
    if (s->loop) {
        sk_store_commit_stop(s);
        sk_store_wait_jobs(s);
        sk_store_informers_fini(s);
        sk_store_watch_fini(s);
    }
    mdb_env_close(s->env);
    if (s->lock_fd >= 0) close(s->lock_fd);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->txn_mu);
    pthread_rwlock_destroy(&s->ix_lock);
    pthread_cond_destroy(&s->cv);
    sk_ix_free(s->ix);
    free(s->dir);
    free(s->path);
    free(s);
}

const char *sk_store_path(const struct sk_store *s)
{
    return s->path;
}

uint64_t sk_store_rev(struct sk_store *s)
{
    return atomic_load(&s->committed_rev);
}

/* ---- the key index from the records ---- */

/* Records come in revision order, so the last one seen of a key is its
 * newest. Headers only: checksumming every byte at each start would make
 * start-up time grow with the store (the full check does that). */
sk_err sk_store_ix_build(struct sk_store *s, MDB_txn *txn, struct sk_ix *ix, struct sk_error **err)
{
    MDB_cursor *c;
    int mrc = mdb_cursor_open(txn, s->dbi, &c);
    if (mrc) return sk_store_lmdb_fail(err, mrc, "open cursor");
    unsigned char first = KS_REV;
    MDB_val k = {1, &first}, v;
    sk_err rc = SK_OK;
    for (mrc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); mrc == 0;
         mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (k.mv_size != SK_STORE_REVKEY_LEN || ((char *)k.mv_data)[0] != KS_REV) {
            rc = sk_fail(err, SK_ECORRUPT, "%s: a key outside the store's key spaces", s->path);
            break;
        }
        struct sk_store_rec r;
        rc = rec_parse(sk_store_get_be64((unsigned char *)k.mv_data + 1), &v, &r, false, err);
        if (rc) break;
        sk_ix_put(ix, r.key, r.klen, r.rev, r.type == SK_STORE_DELETED);
    }
    if (!rc && mrc != MDB_NOTFOUND) rc = sk_store_lmdb_fail(err, mrc, "read records");
    mdb_cursor_close(c);
    return rc;
}

/* ---- integrity check ---- */

struct checker {
    struct sk_store *s;
    MDB_txn *txn;
    uint64_t cur, ws;
    struct sk_ix *ix; /* rebuilt from the records */
    struct sk_error **err;
};

static sk_err bad(struct checker *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static sk_err bad(struct checker *c, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return sk_fail(c->err, SK_ECORRUPT, "%s fails its integrity check: %s", c->s->path, msg);
}

static uint64_t newest(struct checker *c, const struct sk_store_rec *r)
{
    const struct sk_ix_node *n = sk_ix_find(c->ix, r->key, r->klen);
    const char *k;
    size_t kl;
    uint64_t rev = 0;
    bool tomb;
    if (n) sk_ix_entry(n, &k, &kl, &rev, &tomb, NULL);
    return rev;
}

static sk_err check_object(struct checker *c, const struct sk_store_rec *r)
{
    struct sk_val *v = NULL;
    struct sk_error *e = NULL;
    if (sk_val_from_msgpack(r->obj, r->olen, &v, &e) != SK_OK) {
        sk_err rc = bad(c, "record %" PRIu64 " does not decode: %s", r->rev, e->msg);
        sk_error_free(e);
        return rc;
    }
    char want[24];
    snprintf(want, sizeof(want), "%" PRIu64, r->rev);
    const char *rv = sk_val_str_at(v, "metadata", "resourceVersion", NULL);
    const char *name;
    key_ok(r->key, r->klen, NULL, NULL, &name);
    /* the key's name is the record's last key part, not NUL-terminated */
    size_t nlen = r->klen - (size_t)(name - r->key);
    const char *oname = sk_obj_name(v);
    sk_err rc = SK_OK;
    if (!sk_val_is(v, SK_V_MAP))
        rc = bad(c, "record %" PRIu64 " is not an object", r->rev);
    else if (!rv || strcmp(rv, want) != 0)
        rc = bad(c, "record %" PRIu64 " carries resourceVersion %s", r->rev, rv ? rv : "(none)");
    else if (!oname || strlen(oname) != nlen || memcmp(oname, name, nlen) != 0)
        rc = bad(c, "record %" PRIu64 " names %s, its key %.*s", r->rev, oname ? oname : "(none)",
                 (int)nlen, name);
    sk_val_free(v);
    return rc;
}

/* A record below the window must be the state of its key as of ws-1 that
 * something still needs: the chain from the newest record, walked down to
 * the first revision below the window, must end exactly here. */
static sk_err check_old(struct checker *c, const struct sk_store_rec *r)
{
    uint64_t ix = newest(c, r), at = ix;
    while (at >= c->ws) {
        struct sk_store_rec q;
        if (sk_store_rec_get(c->txn, c->s->dbi, at, &q, NULL) != SK_OK) break;
        at = q.prev;
    }
    if (at != r->rev)
        return bad(c, "record %" PRIu64 " below the window is not needed by its key", r->rev);
    if (at == ix && r->type == SK_STORE_DELETED)
        return bad(c, "deleted record %" PRIu64 " outlived the window", r->rev);
    return SK_OK;
}

static sk_err check_rec(struct checker *c, const MDB_val *k, const MDB_val *v, uint64_t *last,
                        bool second)
{
    if (k->mv_size != SK_STORE_REVKEY_LEN) return bad(c, "a revision key is malformed");
    uint64_t rev = sk_store_get_be64((unsigned char *)k->mv_data + 1);
    struct sk_store_rec r;
    struct sk_error *e = NULL;
    if (sk_store_rec_parse(rev, v, &r, &e) != SK_OK) {
        sk_err rc = bad(c, "%s", e->msg);
        sk_error_free(e);
        return rc;
    }
    if (second) return rev < c->ws ? check_old(c, &r) : SK_OK;
    if (rev == 0 || rev > c->cur) return bad(c, "revision %" PRIu64 " out of range", rev);
    /* Inside the window every revision must be present. */
    if (rev > c->ws && *last != rev - 1)
        return bad(c, "revision %" PRIu64 " is missing from the window", rev - 1);
    *last = rev;
    sk_err rc = check_object(c, &r);
    if (rc) return rc;
    if (rev >= c->ws && r.prev) {
        struct sk_store_rec p;
        if (sk_store_rec_get(c->txn, c->s->dbi, r.prev, &p, NULL) != SK_OK)
            return bad(c, "record %" PRIu64 " lost its predecessor %" PRIu64, rev, r.prev);
        if (p.klen != r.klen || memcmp(p.key, r.key, r.klen) != 0)
            return bad(c, "record %" PRIu64 " and its predecessor name different keys", rev);
    }
    sk_ix_put(c->ix, r.key, r.klen, rev, r.type == SK_STORE_DELETED);
    return SK_OK;
}

/* The live index must say exactly what the records say. */
static sk_err check_index(struct checker *c)
{
    for (const struct sk_ix_node *n = sk_ix_first(c->ix); n; n = sk_ix_next(n)) {
        const char *k;
        size_t kl;
        uint64_t rev;
        bool tomb;
        sk_ix_entry(n, &k, &kl, &rev, &tomb, NULL);
        if (tomb && rev < c->ws)
            return bad(c, "a deleted key outlived the window (revision %" PRIu64 ")", rev);
    }
    if (c->s->ix_rev != c->cur) return SK_OK; /* writes moved on: nothing to compare */
    if (sk_ix_len(c->ix) != sk_ix_len(c->s->ix))
        return bad(c, "the index holds %zu keys, the records %zu", sk_ix_len(c->s->ix),
                   sk_ix_len(c->ix));
    const struct sk_ix_node *a = sk_ix_first(c->ix), *b = sk_ix_first(c->s->ix);
    for (; a && b; a = sk_ix_next(a), b = sk_ix_next(b)) {
        const char *ka, *kb;
        size_t la, lb;
        uint64_t ra, rb;
        bool ta, tb;
        sk_ix_entry(a, &ka, &la, &ra, &ta, NULL);
        sk_ix_entry(b, &kb, &lb, &rb, &tb, NULL);
        if (la != lb || memcmp(ka, kb, la) || ra != rb || ta != tb)
            return bad(c, "the index disagrees with the records at revision %" PRIu64, ra);
    }
    return SK_OK;
}

static sk_err check_ends(struct checker *c)
{
    struct sk_store_rec r;
    if (c->cur && sk_store_rec_get(c->txn, c->s->dbi, c->cur, &r, c->err))
        return bad(c, "the newest record does not read back");
    if (c->ws <= c->cur && sk_store_rec_get(c->txn, c->s->dbi, c->ws, &r, c->err))
        return bad(c, "the oldest record of the window does not read back");
    return SK_OK;
}

static sk_err check_all(struct checker *c)
{
    MDB_cursor *cur;
    int mrc = mdb_cursor_open(c->txn, c->s->dbi, &cur);
    if (mrc) return sk_store_lmdb_fail(c->err, mrc, "check");
    sk_err rc = SK_OK;
    uint64_t last = 0, in_window = 0;
    for (int pass = 0; pass < 2 && !rc; pass++) {
        MDB_val k, v;
        int op = MDB_FIRST;
        while (!rc && (mrc = mdb_cursor_get(cur, &k, &v, op)) == 0) {
            op = MDB_NEXT;
            char ks = k.mv_size ? ((char *)k.mv_data)[0] : 0;
            if (ks == KS_REV) {
                rc = check_rec(c, &k, &v, &last, pass == 1);
                if (pass == 0 && last >= c->ws) in_window++;
            } else if (ks == KS_META) {
                if (!((k.mv_size == sizeof(meta_format) &&
                       !memcmp(k.mv_data, meta_format, k.mv_size)) ||
                      (k.mv_size == sizeof(meta_window) &&
                       !memcmp(k.mv_data, meta_window, k.mv_size))))
                    rc = bad(c, "unknown meta record");
            } else {
                rc = bad(c, "a key outside the store's key spaces");
            }
        }
        if (!rc && mrc != MDB_NOTFOUND) rc = sk_store_lmdb_fail(c->err, mrc, "check");
        if (!rc && pass == 0 && c->cur >= c->ws && in_window != c->cur - c->ws + 1)
            rc = bad(c, "the window holds %" PRIu64 " of %" PRIu64 " revisions", in_window,
                     c->cur - c->ws + 1);
    }
    mdb_cursor_close(cur);
    if (!rc) rc = check_index(c);
    return rc;
}

sk_err sk_store_check(struct sk_store *s, bool full, struct sk_error **err)
{
    struct checker c = {.s = s, .err = err};
    /* Hold the index still while comparing it (the quick check does not
     * look at it); writes wait for their index update meanwhile. */
    if (full) pthread_rwlock_rdlock(&s->ix_lock);
    int mrc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &c.txn);
    if (mrc) {
        if (full) pthread_rwlock_unlock(&s->ix_lock);
        return sk_store_lmdb_fail(err, mrc, "check");
    }
    bool fresh;
    sk_err rc = check_format(s, c.txn, &fresh, err);
    if (!rc && fresh) rc = not_ours(s, err, "empty");
    if (!rc) rc = sk_store_txn_revs(s, c.txn, &c.cur, &c.ws, err);
    if (!rc && (c.ws == 0 || c.ws > c.cur + 1))
        rc = bad(&c, "window start %" PRIu64 " beyond revision %" PRIu64, c.ws, c.cur);
    if (!rc) rc = check_ends(&c);
    if (!rc && full) {
        c.ix = sk_ix_new();
        rc = check_all(&c);
        sk_ix_free(c.ix);
    }
    mdb_txn_abort(c.txn);
    if (full) pthread_rwlock_unlock(&s->ix_lock);
    return rc;
}

/* ---- dump, stats ---- */

static void dump_bytes(struct sk_buf *out, const void *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        sk_buf_putc(out, hex[b[i] >> 4]);
        sk_buf_putc(out, hex[b[i] & 15]);
    }
}

void sk_store_dump(struct sk_store *s, struct sk_buf *out)
{
    MDB_txn *txn;
    if (mdb_txn_begin(s->env, NULL, MDB_RDONLY, &txn)) return;
    MDB_cursor *c;
    if (mdb_cursor_open(txn, s->dbi, &c)) {
        mdb_txn_abort(txn);
        return;
    }
    MDB_val k, v;
    int op = MDB_FIRST;
    while (mdb_cursor_get(c, &k, &v, op) == 0) {
        op = MDB_NEXT;
        dump_bytes(out, k.mv_data, k.mv_size);
        sk_buf_putc(out, ' ');
        dump_bytes(out, v.mv_data, v.mv_size);
        sk_buf_putc(out, '\n');
    }
    mdb_cursor_close(c);
    mdb_txn_abort(txn);
}

void sk_store_stats(struct sk_store *s, struct sk_store_stats *st)
{
    memset(st, 0, sizeof(*st));
    st->rev = atomic_load(&s->committed_rev);
    st->window_start = atomic_load(&s->window_start);
    st->commits = atomic_load(&s->n_commits);
    st->writes = atomic_load(&s->n_writes);
    pthread_rwlock_rdlock(&s->ix_lock);
    st->objects = sk_ix_live(s->ix);
    pthread_rwlock_unlock(&s->ix_lock);
}
