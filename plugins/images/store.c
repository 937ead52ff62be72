/* The content-addressed image store (see store.h for the layout and the
 * locking rules). */
#include "store.h"

#include "json.h"
#include "mem.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <mbedtls/sha256.h>
#include <openssl/evp.h> /* types only: libcrypto is dlopened, see img_sha */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "curl.h"
#include "ref.h"

struct img_store {
    char *root; /* DATA_DIR/images */
};

/* SHA-256 of everything pulled, imported and unpacked. These run in the
 * `skiff image` children, never in the agent, and hash whole layers: with
 * libcrypto's SHA-NI code that is ~1.4 GB/s on x86, against mbedtls's
 * portable ~0.36 GB/s, a fifth of an unpack's time. So libcrypto is
 * dlopened here (a pull child has it mapped through libcurl already) and
 * mbedtls, which every skiff process links, is the fallback. */
#define SHA_FUNCS(X)                                                                               \
    X(EVP_MD_CTX_new)                                                                              \
    X(EVP_MD_CTX_free)                                                                             \
    X(EVP_sha256)                                                                                  \
    X(EVP_DigestInit_ex)                                                                           \
    X(EVP_DigestUpdate)                                                                            \
    X(EVP_DigestFinal_ex)
#define SHA_MEMBER(f) __typeof__(f) *f;
static struct {
    SHA_FUNCS(SHA_MEMBER)
} ossl;
#undef SHA_MEMBER
static bool have_ossl;
static pthread_once_t ossl_once = PTHREAD_ONCE_INIT;

static void ossl_load(void)
{
#define SHA_NAME(f) #f,
    static const char *const names[] = {SHA_FUNCS(SHA_NAME)};
#undef SHA_NAME
    char why[256];
    have_ossl = sk_dl_load("libcrypto.so.3", names, (void **)&ossl,
                           sizeof(names) / sizeof(names[0]), why, sizeof(why)) == 0;
}

struct img_sha {
    EVP_MD_CTX *evp; /* NULL: mb */
    mbedtls_sha256_context mb;
};

struct img_sha *img_sha_new(void)
{
    struct img_sha *h = sk_xcalloc(1, sizeof(*h));
    pthread_once(&ossl_once, ossl_load);
    if (have_ossl && (h->evp = ossl.EVP_MD_CTX_new()) &&
        ossl.EVP_DigestInit_ex(h->evp, ossl.EVP_sha256(), NULL) == 1)
        return h;
    if (h->evp) ossl.EVP_MD_CTX_free(h->evp);
    h->evp = NULL;
    mbedtls_sha256_init(&h->mb);
    if (mbedtls_sha256_starts_ret(&h->mb, 0)) abort(); /* cannot fail for SHA-256 */
    return h;
}

void img_sha_update(struct img_sha *h, const void *p, size_t n)
{
    if (!n) return;
    if (h->evp)
        ossl.EVP_DigestUpdate(h->evp, p, n);
    else
        mbedtls_sha256_update_ret(&h->mb, p, n);
}

void img_sha_final(struct img_sha *h, char out[72])
{
    unsigned char md[32];
    unsigned int len = 0;
    if (h->evp)
        ossl.EVP_DigestFinal_ex(h->evp, md, &len);
    else
        mbedtls_sha256_finish_ret(&h->mb, md);
    memcpy(out, "sha256:", 7);
    for (int i = 0; i < 32; i++)
        snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
    img_sha_free(h);
}

void img_sha_free(struct img_sha *h)
{
    if (!h) return;
    if (h->evp)
        ossl.EVP_MD_CTX_free(h->evp);
    else
        mbedtls_sha256_free(&h->mb);
    free(h);
}

sk_err img_mkdirs(const char *path, int mode, struct sk_error **err)
{
    char *p = sk_xstrdup(path);
    for (char *q = p + 1;; q++) {
        if (*q == '/' || !*q) {
            char c = *q;
            *q = 0;
            if (mkdir(p, (mode_t)mode) && errno != EEXIST) {
                sk_err rc = sk_fail_sys(err, errno, "mkdir %s", p);
                free(p);
                return rc;
            }
            *q = c;
            if (!c) break;
        }
    }
    free(p);
    return SK_OK;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_DP) return rmdir(path) && errno != ENOENT ? -1 : 0;
    return unlink(path) && errno != ENOENT ? -1 : 0;
}

sk_err img_rmtree(const char *path, struct sk_error **err)
{
    struct stat st;
    if (lstat(path, &st)) return errno == ENOENT ? SK_OK : sk_fail_sys(err, errno, "stat %s", path);
    if (!S_ISDIR(st.st_mode)) {
        if (unlink(path) && errno != ENOENT) return sk_fail_sys(err, errno, "unlink %s", path);
        return SK_OK;
    }
    /* Unpacked layers can hold read-only directories; make them writable
     * as we go down (nftw visits a directory before its entries unless
     * FTW_DEPTH, so chmod in a first pass). */
    if (nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT)) {
        int e = errno;
        if (chmod(path, 0700) == 0 && nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) == 0)
            return SK_OK;
        return sk_fail_sys(err, e, "remove %s", path);
    }
    return SK_OK;
}

sk_err img_store_open(const char *data_dir, struct img_store **out, struct sk_error **err)
{
    *out = NULL;
    struct img_store *s = sk_xcalloc(1, sizeof(*s));
    s->root = sk_xasprintf("%s/images", data_dir);
    const char *sub[] = {"blobs/sha256", "layers/sha256", "tmp", "locks"};
    for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
        char *p = sk_xasprintf("%s/%s", s->root, sub[i]);
        sk_err rc = img_mkdirs(p, 0700, err);
        free(p);
        if (rc) {
            img_store_close(s);
            return rc;
        }
    }
    *out = s;
    return SK_OK;
}

void img_store_close(struct img_store *s)
{
    if (!s) return;
    free(s->root);
    free(s);
}

const char *img_store_root(const struct img_store *s)
{
    return s->root;
}

char *img_blob_path(const struct img_store *s, const char *digest)
{
    return sk_xasprintf("%s/blobs/sha256/%s", s->root, digest + 7);
}

char *img_layer_path(const struct img_store *s, const char *diffid)
{
    return sk_xasprintf("%s/layers/sha256/%s", s->root, diffid + 7);
}

char *img_tmp_path(const struct img_store *s, const char *prefix)
{
    static unsigned counter;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return sk_xasprintf("%s/tmp/%s-%d-%lx-%u", s->root, prefix, (int)getpid(),
                        (unsigned long)ts.tv_nsec,
                        __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
}

bool img_blob_exists(const struct img_store *s, const char *digest)
{
    char *p = img_blob_path(s, digest);
    bool ok = access(p, F_OK) == 0;
    free(p);
    return ok;
}

bool img_layer_exists(const struct img_store *s, const char *diffid)
{
    char *p = img_layer_path(s, diffid);
    bool ok = access(p, F_OK) == 0;
    free(p);
    return ok;
}

/* ---- ingest ---- */

struct img_ingest {
    struct img_store *s;
    char *tmp;
    int fd;
    struct img_sha *sha;
    char *expect;
    int64_t expected_size, written;
};

sk_err img_ingest_begin(struct img_store *s, const char *expect, int64_t expected_size,
                        struct img_ingest **out, struct sk_error **err)
{
    *out = NULL;
    if (expect && !img_digest_valid(expect))
        return sk_fail(err, SK_EINVAL, "unsupported digest \"%.80s\"", expect);
    struct img_ingest *in = sk_xcalloc(1, sizeof(*in));
    in->s = s;
    in->tmp = img_tmp_path(s, "blob");
    in->fd = open(in->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (in->fd < 0) {
        sk_err rc = sk_fail_sys(err, errno, "create %s", in->tmp);
        free(in->tmp);
        free(in);
        return rc;
    }
    in->sha = img_sha_new();
    in->expect = expect ? sk_xstrdup(expect) : NULL;
    in->expected_size = expected_size;
    *out = in;
    return SK_OK;
}

sk_err img_ingest_write(struct img_ingest *in, const void *p, size_t n, struct sk_error **err)
{
    if (in->expected_size >= 0 && (uint64_t)in->written + n > (uint64_t)in->expected_size)
        return sk_fail(err, SK_ETOOBIG, "blob %s: more data than its size %lld",
                       in->expect ? in->expect : "", (long long)in->expected_size);
    img_sha_update(in->sha, p, n);
    const char *c = p;
    while (n) {
        ssize_t w = write(in->fd, c, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return sk_fail_sys(err, errno, "write %s", in->tmp);
        }
        c += w;
        n -= (size_t)w;
        in->written += w;
    }
    return SK_OK;
}

int64_t img_ingest_size(const struct img_ingest *in)
{
    return in->written;
}

sk_err img_ingest_reset(struct img_ingest *in, struct sk_error **err)
{
    if (ftruncate(in->fd, 0) || lseek(in->fd, 0, SEEK_SET))
        return sk_fail_sys(err, errno, "truncate %s", in->tmp);
    img_sha_free(in->sha);
    in->sha = img_sha_new();
    in->written = 0;
    return SK_OK;
}

void img_ingest_abort(struct img_ingest *in)
{
    if (!in) return;
    if (in->fd >= 0) close(in->fd);
    unlink(in->tmp);
    free(in->tmp);
    free(in->expect);
    img_sha_free(in->sha);
    free(in);
}

sk_err img_ingest_commit(struct img_ingest *in, char digest_out[72], struct sk_error **err)
{
    char got[72];
    sk_err rc = SK_OK;
    img_sha_final(in->sha, got);
    in->sha = NULL;
    if (in->expected_size >= 0 && in->written != in->expected_size) {
        rc = sk_fail(err, SK_EPROTO, "blob %s: got %lld bytes, expected %lld",
                     in->expect ? in->expect : got, (long long)in->written,
                     (long long)in->expected_size);
        goto out;
    }
    if (in->expect && strcmp(in->expect, got)) {
        rc = sk_fail(err, SK_ECORRUPT, "blob %s: digest mismatch (content hashes to %s); discarded",
                     in->expect, got);
        goto out;
    }
    /* fsync before rename: a blob that exists is complete, even after a
     * power cut (the name is what later steps trust). */
    if (fsync(in->fd)) {
        rc = sk_fail_sys(err, errno, "fsync %s", in->tmp);
        goto out;
    }
    close(in->fd);
    in->fd = -1;
    char *dst = img_blob_path(in->s, got);
    if (rename(in->tmp, dst)) rc = sk_fail_sys(err, errno, "rename %s to %s", in->tmp, dst);
    free(dst);
    if (!rc && digest_out) memcpy(digest_out, got, 72);
out:
    img_ingest_abort(in);
    return rc;
}

sk_err img_blob_put(struct img_store *s, const void *p, size_t n, const char *expect,
                    char digest_out[72], struct sk_error **err)
{
    struct img_ingest *in;
    sk_err rc = img_ingest_begin(s, expect, (int64_t)n, &in, err);
    if (rc) return rc;
    if ((rc = img_ingest_write(in, p, n, err))) {
        img_ingest_abort(in);
        return rc;
    }
    return img_ingest_commit(in, digest_out, err);
}

static sk_err read_file(const char *path, size_t limit, char **p, size_t *n, struct sk_error **err)
{
    *p = NULL;
    *n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return sk_fail_sys(err, errno, "open %s", path);
    struct stat st;
    if (fstat(fd, &st)) {
        close(fd);
        return sk_fail_sys(err, errno, "stat %s", path);
    }
    if ((uint64_t)st.st_size > limit) {
        close(fd);
        return sk_fail(err, SK_ETOOBIG, "%s: %lld bytes, over the limit of %zu", path,
                       (long long)st.st_size, limit);
    }
    char *buf = sk_xmalloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        got += (size_t)r;
    }
    close(fd);
    buf[got] = 0;
    *p = buf;
    *n = got;
    return SK_OK;
}

sk_err img_blob_read(struct img_store *s, const char *digest, size_t limit, char **p, size_t *n,
                     struct sk_error **err)
{
    if (!img_digest_valid(digest))
        return sk_fail(err, SK_EINVAL, "unsupported digest \"%.80s\"", digest);
    char *path = img_blob_path(s, digest);
    sk_err rc = read_file(path, limit, p, n, err);
    free(path);
    if (rc) return rc;
    struct img_sha *h = img_sha_new();
    char got[72];
    img_sha_update(h, *p, *n);
    img_sha_final(h, got);
    if (strcmp(got, digest)) {
        free(*p);
        *p = NULL;
        return sk_fail(err, SK_ECORRUPT, "blob %s is corrupt on disk (hashes to %s)", digest, got);
    }
    return SK_OK;
}

/* ---- locks ---- */

static int lock_file(const char *path, int op, bool wait)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    while (flock(fd, op | (wait ? 0 : LOCK_NB))) {
        if (errno == EINTR) continue;
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int img_lock_blob(struct img_store *s, const char *kind, const char *digest, bool wait)
{
    char *p = sk_xasprintf("%s/locks/%s-%s", s->root, kind, digest + 7);
    int fd = lock_file(p, LOCK_EX, wait);
    free(p);
    return fd;
}

int img_lock_gc(struct img_store *s, int op, bool wait)
{
    char *p = sk_xasprintf("%s/gc.lock", s->root);
    int fd = lock_file(p, op, wait);
    free(p);
    return fd;
}

void img_unlock(int fd)
{
    if (fd >= 0) close(fd);
}

/* ---- refs ---- */

static char *refs_path(struct img_store *s)
{
    return sk_xasprintf("%s/refs.json", s->root);
}

sk_err img_refs_load(struct img_store *s, struct sk_val **out, struct sk_error **err)
{
    *out = NULL;
    char *path = refs_path(s), *p;
    size_t n;
    struct sk_error *e = NULL;
    sk_err rc = read_file(path, 64u << 20, &p, &n, &e);
    if (rc && e->sys_errno == ENOENT) {
        sk_error_free(e);
        free(path);
        *out = sk_val_map();
        return SK_OK;
    }
    if (rc) {
        free(path);
        if (err && !*err)
            *err = e;
        else
            sk_error_free(e);
        return rc;
    }
    rc = sk_json_parse(p, n, out, err);
    free(p);
    if (!rc && (*out)->type != SK_V_MAP) {
        sk_val_free(*out);
        *out = NULL;
        rc = sk_fail(err, SK_ECORRUPT, "not a JSON object");
    }
    if (rc) sk_error_prefix(err, "%s", path);
    free(path);
    return rc;
}

static sk_err refs_save(struct img_store *s, const struct sk_val *refs, struct sk_error **err)
{
    char *path = refs_path(s);
    char *tmp = sk_xasprintf("%s.tmp", path);
    size_t len;
    char *js = sk_json_dump(refs, SK_JSON_PRETTY, &len);
    sk_err rc = SK_OK;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = sk_fail_sys(err, errno, "create %s", tmp);
        goto out;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, js + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) {
            rc = sk_fail_sys(err, errno, "write %s", tmp);
            break;
        }
        off += (size_t)w;
    }
    if (!rc && fsync(fd)) rc = sk_fail_sys(err, errno, "fsync %s", tmp);
    close(fd);
    if (!rc && rename(tmp, path)) rc = sk_fail_sys(err, errno, "rename %s", tmp);
    if (rc) unlink(tmp);
out:
    free(js);
    free(tmp);
    free(path);
    return rc;
}

/* Read-modify-write of refs.json under refs.lock. */
typedef sk_err (*refs_edit_fn)(struct sk_val *refs, void *arg, struct sk_error **err);

static sk_err refs_edit(struct img_store *s, refs_edit_fn fn, void *arg, struct sk_error **err)
{
    char *lp = sk_xasprintf("%s/refs.lock", s->root);
    int fd = lock_file(lp, LOCK_EX, true);
    free(lp);
    if (fd < 0) return sk_fail_sys(err, errno, "lock %s/refs.lock", s->root);
    struct sk_val *refs = NULL;
    sk_err rc = img_refs_load(s, &refs, err);
    if (!rc) rc = fn(refs, arg, err);
    if (!rc) rc = refs_save(s, refs, err);
    sk_val_free(refs);
    img_unlock(fd);
    return rc;
}

struct set_arg {
    const char *name;
    const struct sk_val *rec;
};

static sk_err do_set(struct sk_val *refs, void *arg, struct sk_error **err)
{
    (void)err;
    struct set_arg *a = arg;
    struct sk_val *rec = sk_val_dup(a->rec);
    int64_t now = (int64_t)time(NULL);
    struct sk_val *old = sk_map_get(refs, a->name);
    int64_t created = sk_val_to_int(sk_map_get(old, "created"), 0);
    if (!sk_map_get(rec, "created"))
        sk_map_set(rec, "created", sk_val_int(created ? created : now));
    sk_map_set(rec, "lastUsed", sk_val_int(now));
    sk_map_set(refs, a->name, rec);
    return SK_OK;
}

sk_err img_refs_set(struct img_store *s, const char *name, const struct sk_val *rec,
                    struct sk_error **err)
{
    struct set_arg a = {name, rec};
    return refs_edit(s, do_set, &a, err);
}

static sk_err do_del(struct sk_val *refs, void *arg, struct sk_error **err)
{
    if (!sk_map_del(refs, arg))
        return sk_fail(err, SK_ENOENT, "image \"%s\" not found", (char *)arg);
    return SK_OK;
}

sk_err img_refs_del(struct img_store *s, const char *name, struct sk_error **err)
{
    return refs_edit(s, do_del, (void *)name, err);
}

static sk_err do_touch(struct sk_val *refs, void *arg, struct sk_error **err)
{
    struct sk_val *rec = sk_map_get(refs, arg);
    if (!rec) return sk_fail(err, SK_ENOENT, "image \"%s\" not found", (char *)arg);
    sk_map_set(rec, "lastUsed", sk_val_int((int64_t)time(NULL)));
    return SK_OK;
}

sk_err img_refs_touch(struct img_store *s, const char *name, struct sk_error **err)
{
    return refs_edit(s, do_touch, (void *)name, err);
}

static bool hex_prefix(const char *what, size_t *len)
{
    size_t n = 0;
    for (; what[n]; n++)
        if (!((what[n] >= '0' && what[n] <= '9') || (what[n] >= 'a' && what[n] <= 'f')))
            return false;
    *len = n;
    return n >= 4 && n <= 64;
}

sk_err img_resolve(struct img_store *s, const char *what, char **name_out, struct sk_val **rec_out,
                   struct sk_error **err)
{
    *name_out = NULL;
    *rec_out = NULL;
    struct sk_val *refs;
    sk_err rc = img_refs_load(s, &refs, err);
    if (rc) return rc;
    const char *hex = !strncmp(what, "sha256:", 7) ? what + 7 : what;
    size_t hl = 0;
    const struct sk_kv *found = NULL;
    int matches = 0;
    struct img_ref r;
    if (img_ref_parse(what, &r, NULL) == SK_OK) {
        char *full = img_ref_string(&r);
        char *repo = img_ref_repo(&r);
        for (size_t i = 0; i < refs->u.m.n; i++) {
            const struct sk_kv *kv = &refs->u.m.kv[i];
            if (!strcmp(kv->key, full)) {
                found = kv;
                matches = 1;
                break;
            }
        }
        /* repo@digest also finds the image pulled by tag with that digest. */
        for (size_t i = 0; !found && r.digest && i < refs->u.m.n; i++) {
            const struct sk_kv *kv = &refs->u.m.kv[i];
            size_t rl = strlen(repo);
            if (strncmp(kv->key, repo, rl) || (kv->key[rl] != ':' && kv->key[rl] != '@')) continue;
            const char *md = sk_val_str_at(kv->val, "manifest", NULL);
            const char *id = sk_val_str_at(kv->val, "index", NULL);
            if ((md && !strcmp(md, r.digest)) || (id && !strcmp(id, r.digest)))
                found = kv, matches = 1;
        }
        free(full);
        free(repo);
        img_ref_free(&r);
    }
    if (!found && hex_prefix(hex, &hl)) {
        for (size_t i = 0; i < refs->u.m.n; i++) {
            const struct sk_kv *kv = &refs->u.m.kv[i];
            const char *md = sk_val_str_at(kv->val, "manifest", NULL);
            const char *cd = sk_val_str_at(kv->val, "config", NULL);
            bool hit = (md && strlen(md) > 7 && !strncmp(md + 7, hex, hl)) ||
                       (cd && strlen(cd) > 7 && !strncmp(cd + 7, hex, hl));
            if (!hit) continue;
            /* Several names for one image are one match. */
            if (found && !strcmp(sk_val_str_at(found->val, "manifest", NULL) ?: "", md ?: ""))
                continue;
            found = kv;
            matches++;
        }
    }
    if (matches > 1) {
        sk_val_free(refs);
        return sk_fail(err, SK_EINVAL, "image id prefix \"%s\" is ambiguous", what);
    }
    if (!found) {
        sk_val_free(refs);
        return sk_fail(err, SK_ENOENT, "image \"%s\" not found", what);
    }
    *name_out = sk_xstrdup(found->key);
    *rec_out = sk_val_dup(found->val);
    sk_val_free(refs);
    return SK_OK;
}

sk_err img_image_load(struct img_store *s, const char *manifest_digest, struct img_manifest *m,
                      struct img_config *c, struct sk_error **err)
{
    char *p;
    size_t n;
    sk_err rc = img_blob_read(s, manifest_digest, IMG_MAX_JSON, &p, &n, err);
    if (rc) return rc;
    rc = img_manifest_parse(p, n, NULL, m, err);
    free(p);
    if (rc) return rc;
    if (m->kind != IMG_KIND_MANIFEST) {
        img_manifest_free(m);
        return sk_fail(err, SK_ECORRUPT, "%s is an index, not an image manifest", manifest_digest);
    }
    if (!c) return SK_OK;
    rc = img_blob_read(s, m->config.digest, IMG_MAX_JSON, &p, &n, err);
    if (!rc) {
        rc = img_config_parse(p, n, c, err);
        free(p);
    }
    if (!rc && c->n_diff_ids != m->n_layers) {
        rc = sk_fail(err, SK_ECORRUPT, "image %s: %zu layers but %zu diff_ids", manifest_digest,
                     m->n_layers, c->n_diff_ids);
        img_config_free(c);
    }
    if (rc) img_manifest_free(m);
    return rc;
}

/* ---- sweep and GC ---- */

struct live {
    char **hex; /* sorted digests (hex) that are reachable */
    size_t n, cap;
};

static void live_add(struct live *l, const char *digest)
{
    if (!digest || !img_digest_valid(digest)) return;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->hex = sk_xrealloc(l->hex, l->cap * sizeof(char *));
    }
    l->hex[l->n++] = sk_xstrdup(digest + 7);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool live_has(const struct live *l, const char *hex)
{
    return l->n && bsearch(&hex, l->hex, l->n, sizeof(char *), cmp_str) != NULL;
}

static void live_free(struct live *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->hex[i]);
    free(l->hex);
}

/* Every digest reachable from a name: blobs and diff_ids share one set
 * (they are distinct hashes of distinct bytes). An image whose manifest
 * cannot be read keeps what its record names, so damage is never
 * amplified into deletions. */
static sk_err live_set(struct img_store *s, struct live *l, struct sk_error **err)
{
    struct sk_val *refs;
    sk_err rc = img_refs_load(s, &refs, err);
    if (rc) return rc;
    for (size_t i = 0; i < refs->u.m.n; i++) {
        const struct sk_val *rec = refs->u.m.kv[i].val;
        const char *md = sk_val_str_at(rec, "manifest", NULL);
        live_add(l, md);
        live_add(l, sk_val_str_at(rec, "config", NULL));
        live_add(l, sk_val_str_at(rec, "index", NULL));
        struct img_manifest m;
        struct img_config c;
        if (!md || img_image_load(s, md, &m, &c, NULL)) continue;
        for (size_t k = 0; k < m.n_layers; k++)
            live_add(l, m.layers[k].digest);
        for (size_t k = 0; k < c.n_diff_ids; k++)
            live_add(l, c.diff_ids[k]);
        img_manifest_free(&m);
        img_config_free(&c);
    }
    sk_val_free(refs);
    if (l->n) qsort(l->hex, l->n, sizeof(char *), cmp_str);
    return SK_OK;
}

#include <dirent.h>

static sk_err sweep_dir(struct img_store *s, const char *sub, const struct live *l, bool all,
                        uint64_t *freed, struct sk_error **err)
{
    char *dir = sk_xasprintf("%s/%s", s->root, sub);
    DIR *d = opendir(dir);
    sk_err rc = SK_OK;
    if (!d) {
        rc = errno == ENOENT ? SK_OK : sk_fail_sys(err, errno, "open %s", dir);
        free(dir);
        return rc;
    }
    struct dirent *e;
    while (!rc && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        if (!all && live_has(l, e->d_name)) continue;
        char *p = sk_xasprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (!lstat(p, &st)) {
            if (S_ISDIR(st.st_mode)) {
                /* Rename first, so a half-removed layer never looks whole. */
                char *t = img_tmp_path(s, "trash");
                if (!all && rename(p, t) == 0)
                    rc = img_rmtree(t, err);
                else
                    rc = img_rmtree(p, err);
                free(t);
            } else if (unlink(p) == 0 && freed) {
                *freed += (uint64_t)st.st_size;
            }
        }
        free(p);
    }
    closedir(d);
    free(dir);
    return rc;
}

sk_err img_sweep(struct img_store *s, bool wait, uint64_t *freed, struct sk_error **err)
{
    if (freed) *freed = 0;
    int fd = img_lock_gc(s, LOCK_EX, wait);
    if (fd < 0) {
        if (errno == EWOULDBLOCK)
            return sk_fail(err, SK_EAGAIN, "a pull or import is using the image store; try later");
        return sk_fail_sys(err, errno, "lock %s/gc.lock", s->root);
    }
    struct live l = {0};
    sk_err rc = live_set(s, &l, err);
    if (!rc) rc = sweep_dir(s, "blobs/sha256", &l, false, freed, err);
    if (!rc) rc = sweep_dir(s, "layers/sha256", &l, false, NULL, err);
    /* With gc.lock held exclusively no pull or import runs: everything in
     * tmp/ and locks/ is debris. */
    if (!rc) rc = sweep_dir(s, "tmp", &l, true, NULL, err);
    if (!rc) rc = sweep_dir(s, "locks", &l, true, NULL, err);
    live_free(&l);
    img_unlock(fd);
    return rc;
}

int img_disk_used_pct(struct img_store *s)
{
    struct statvfs v;
    if (statvfs(s->root, &v) || !v.f_blocks) return -1;
    uint64_t used = (uint64_t)(v.f_blocks - v.f_bavail);
    return (int)(used * 100 / v.f_blocks);
}

struct lru {
    const char *name;
    int64_t used;
};

static int cmp_lru(const void *a, const void *b)
{
    const struct lru *x = a, *y = b;
    return x->used < y->used ? -1 : x->used > y->used;
}

sk_err img_gc(struct img_store *s, int high_pct, int low_pct, img_in_use_fn in_use, void *arg,
              int *removed, struct sk_error **err)
{
    if (removed) *removed = 0;
    if (high_pct < 0 || high_pct > 100 || low_pct < 0 || low_pct > high_pct)
        return sk_fail(err, SK_EINVAL,
                       "image gc thresholds: want 0 <= low (%d) <= high (%d) <= 100", low_pct,
                       high_pct);
    int pct = img_disk_used_pct(s);
    if (pct < 0) return sk_fail_sys(err, errno, "statvfs %s", s->root);
    if (pct <= high_pct) return SK_OK;
    struct sk_val *refs;
    sk_err rc = img_refs_load(s, &refs, err);
    if (rc) return rc;
    size_t n = refs->u.m.n;
    struct lru *v = sk_xcalloc(n ? n : 1, sizeof(*v));
    for (size_t i = 0; i < n; i++) {
        v[i].name = refs->u.m.kv[i].key;
        v[i].used = sk_val_to_int(sk_map_get(refs->u.m.kv[i].val, "lastUsed"), 0);
    }
    qsort(v, n, sizeof(*v), cmp_lru);
    for (size_t i = 0; !rc && i < n && pct > low_pct; i++) {
        if (in_use && in_use(v[i].name, sk_map_get(refs, v[i].name), arg)) continue;
        rc = img_refs_del(s, v[i].name, err);
        if (rc == SK_ENOENT) { /* removed meanwhile by someone else */
            if (err && *err) {
                sk_error_free(*err);
                *err = NULL;
            }
            rc = SK_OK;
            continue;
        }
        if (!rc) rc = img_sweep(s, true, NULL, err);
        if (!rc && removed) (*removed)++;
        pct = img_disk_used_pct(s);
    }
    free(v);
    sk_val_free(refs);
    return rc;
}
