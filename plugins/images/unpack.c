/* Layer unpacking with libarchive (through dl.h) and the overlayfs mount
 * of an image's layers. Two archive readers are chained: the outer one
 * only decompresses (raw format), and the tar reader pulls its bytes
 * through a callback that hashes them, so the diff_id is checked in the
 * same single pass that extracts. */
#include "unpack.h"

#include "mem.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "dl.h"
#include "manifest.h"
#include "store.h"

#define CHAIN_BUF (128 * 1024)

struct chain {
    const struct img_archive_api *A;
    struct archive *outer;
    struct img_sha *sha;
    char *buf;
    uint64_t bytes;
    int failed; /* the outer reader reported an error */
};

static la_ssize_t chain_read(struct archive *inner, void *arg, const void **out)
{
    (void)inner;
    struct chain *c = arg;
    la_ssize_t n = c->A->archive_read_data(c->outer, c->buf, CHAIN_BUF);
    if (n < 0) {
        c->failed = 1;
        return -1;
    }
    img_sha_update(c->sha, c->buf, (size_t)n);
    c->bytes += (uint64_t)n;
    *out = c->buf;
    return n;
}

/* A path inside the layer: relative, no "..", no empty result. "./" and
 * repeated slashes are dropped. Returns a new string or NULL. */
static char *clean_path(const char *p, const char **why)
{
    if (!p || !*p) {
        *why = "empty path";
        return NULL;
    }
    if (p[0] == '/') {
        *why = "absolute path";
        return NULL;
    }
    struct sk_buf b = {0};
    const char *s = p;
    while (*s) {
        const char *e = strchr(s, '/');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n == 2 && s[0] == '.' && s[1] == '.') {
            sk_buf_free(&b);
            *why = "path with \"..\"";
            return NULL;
        }
        if (n && !(n == 1 && s[0] == '.')) {
            if (b.len) sk_buf_putc(&b, '/');
            sk_buf_append(&b, s, n);
        }
        s += n;
        while (*s == '/')
            s++;
    }
    if (!b.len) {
        sk_buf_free(&b);
        return sk_xstrdup("");
    }
    return sk_buf_take(&b, NULL);
}

/* Open directory rel under rootfd without following any symlink, making
 * missing directories (0755) when mk is set. Returns an fd or -1. */
static int open_beneath(int rootfd, const char *rel, bool mk)
{
    int fd = dup(rootfd);
    char *p = sk_xstrdup(rel), *save = NULL;
    for (char *c = strtok_r(p, "/", &save); fd >= 0 && c; c = strtok_r(NULL, "/", &save)) {
        int nfd = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (nfd < 0 && errno == ENOENT && mk && mkdirat(fd, c, 0755) == 0)
            nfd = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (nfd < 0 && errno == ENOTDIR && !fstatat(fd, c, &st, AT_SYMLINK_NOFOLLOW) &&
            S_ISLNK(st.st_mode))
            errno = ELOOP; /* O_DIRECTORY reports a symlink as "not a directory" */
        int e = errno;
        close(fd);
        errno = e;
        fd = nfd;
    }
    free(p);
    return fd;
}

/* The directory run: the parent "dir/" of the last entries, checked free
 * of symlinks, and an fd on it (or -1 while it does not exist yet). */
struct dir_cache {
    char *dir;
    int fd;
};

static void dir_cache_clear(struct dir_cache *dc)
{
    free(dc->dir);
    dc->dir = NULL;
    if (dc->fd >= 0) close(dc->fd);
    dc->fd = -1;
}

/* An entry at rel replaces whatever was there: when that is the cached
 * directory or one of its parents, the check must be done again. */
static void forget_dir(struct dir_cache *dc, const char *rel)
{
    size_t n = strlen(rel);
    if (dc->dir && !strncmp(dc->dir, rel, n) && dc->dir[n] == '/') dir_cache_clear(dc);
}

/* rel's parent (its first dirlen bytes, with the slash) must be a real
 * directory under rootfd or not exist yet; checked once per run. */
static sk_err check_parent(struct dir_cache *dc, int rootfd, const char *rel, size_t dirlen,
                           struct sk_error **err)
{
    if (dc->dir && dc->fd >= 0 && !strncmp(dc->dir, rel, dirlen) && !dc->dir[dirlen]) return SK_OK;
    char *dir = sk_xstrndup(rel, dirlen - 1);
    int dfd = open_beneath(rootfd, dir, false);
    free(dir);
    if (dfd < 0 && errno != ENOENT)
        return sk_fail(err, SK_EINVAL, "layer entry \"%.200s\" refused: %s", rel,
                       errno == ELOOP ? "path through a symlink" : "a parent is not a directory");
    dir_cache_clear(dc);
    if (dfd >= 0) {
        dc->dir = sk_xstrndup(rel, dirlen);
        dc->fd = dfd;
    }
    return SK_OK;
}

/* Hard-link targets must not pass through a symlink either: link(2)
 * follows intermediate components, so "a -> /etc" then "x => a/passwd"
 * would link the host's file into the layer. */
static bool target_safe(int rootfd, const char *rel)
{
    const char *slash = strrchr(rel, '/');
    if (!slash) return true;
    char *dir = sk_xstrndup(rel, (size_t)(slash - rel));
    int fd = open_beneath(rootfd, dir, false);
    free(dir);
    if (fd < 0) return false;
    close(fd);
    return true;
}

/* Drop xattrs that would change how overlayfs reads the layer
 * (trusted.overlay.*: redirect, metacopy, opaque) or the store's view of
 * it; keep the rest (security.capability matters to ping and friends). */
static void filter_xattrs(const struct img_archive_api *A, struct archive_entry *e)
{
    if (A->archive_entry_xattr_reset(e) == 0) return;
    struct kept {
        char *name;
        void *val;
        size_t len;
    } *k = NULL;
    size_t nk = 0, cap = 0;
    bool dropped = false;
    const char *name;
    const void *val;
    size_t len;
    while (A->archive_entry_xattr_next(e, &name, &val, &len) == ARCHIVE_OK) {
        if (!strncmp(name, "trusted.", 8) || !strncmp(name, "user.overlay.", 13)) {
            dropped = true;
            continue;
        }
        if (nk == cap) {
            cap = cap ? 2 * cap : 4;
            k = sk_xrealloc(k, cap * sizeof(*k));
        }
        k[nk].name = sk_xstrdup(name);
        k[nk].val = sk_xmalloc(len ? len : 1);
        memcpy(k[nk].val, val, len);
        k[nk].len = len;
        nk++;
    }
    if (dropped) {
        A->archive_entry_xattr_clear(e);
        for (size_t i = 0; i < nk; i++)
            A->archive_entry_xattr_add_entry(e, k[i].name, k[i].val, k[i].len);
    }
    for (size_t i = 0; i < nk; i++) {
        free(k[i].name);
        free(k[i].val);
    }
    free(k);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* libarchive's message for a, with the system error when it has one and
 * does not say it already ("Write failed" alone hides a full disk). */
static const char *why(const struct img_archive_api *A, struct archive *a, const char *dflt,
                       char *buf, size_t n)
{
    const char *m = A->archive_error_string(a);
    int e = A->archive_errno(a);
    if (!m) m = dflt;
    if (e > 0 && !strstr(m, strerror(e))) {
        snprintf(buf, n, "%s: %s", m, strerror(e));
        return buf;
    }
    return m;
}

static sk_err write_entry(const struct img_archive_api *A, struct archive *disk,
                          struct archive_entry *e, struct archive *in, const char *shown,
                          struct sk_error **err)
{
    char wb[512];
    int r = A->archive_write_header(disk, e);
    if (r < ARCHIVE_WARN)
        return sk_fail(err, SK_EINVAL, "layer entry \"%s\": %s", shown,
                       why(A, disk, "cannot extract", wb, sizeof(wb)));
    if (in && A->archive_entry_size(e) > 0) {
        char buf[64 * 1024];
        la_ssize_t n;
        while ((n = A->archive_read_data(in, buf, sizeof(buf))) > 0) {
            if (A->archive_write_data(disk, buf, (size_t)n) < 0)
                return sk_fail(err, SK_ESYS, "layer entry \"%s\": %s", shown,
                               why(A, disk, "write failed", wb, sizeof(wb)));
        }
        if (n < 0)
            return sk_fail(err, SK_EPROTO, "layer entry \"%s\": %s", shown,
                           A->archive_error_string(in) ?: "read failed");
    }
    if (A->archive_write_finish_entry(disk) < ARCHIVE_WARN)
        return sk_fail(err, SK_ESYS, "layer entry \"%s\": %s", shown,
                       why(A, disk, "cannot finish", wb, sizeof(wb)));
    return SK_OK;
}

sk_err img_unpack_fd(int fd, const char *dest, const char *expect_diffid,
                     const struct img_unpack_opts *o, struct img_unpack_stats *st,
                     struct sk_error **err)
{
    const struct img_archive_api *A = img_archive(err);
    if (!A) return SK_ENOENT;
    static const struct img_unpack_opts defaults;
    if (!o) o = &defaults;
    double t0 = now_s();
    char real[PATH_MAX];
    if (!realpath(dest, real)) return sk_fail_sys(err, errno, "resolve %s", dest);
    int rootfd = open(real, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rootfd < 0) return sk_fail_sys(err, errno, "open %s", real);
    /* libarchive resolves names against the working directory, and its
     * symlink checks walk every component: short relative names from
     * inside the layer make unpacking about three times cheaper than
     * absolute ones. Hence the chdir, and the single-thread rule. */
    int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cwd < 0 || fchdir(rootfd)) {
        sk_err rc = sk_fail_sys(err, errno, "chdir %s", real);
        if (cwd >= 0) close(cwd);
        close(rootfd);
        return rc;
    }

    sk_err rc = SK_OK;
    struct chain c = {.A = A, .sha = img_sha_new(), .buf = sk_xmalloc(CHAIN_BUF)};
    struct archive *in = NULL, *disk = NULL;
    struct archive_entry *wh = NULL;
    char **opaque = NULL;
    size_t n_opaque = 0;
    struct dir_cache dc = {NULL, -1};
    uint64_t entries = 0;
    off_t start = lseek(fd, 0, SEEK_CUR);

    c.outer = A->archive_read_new();
    A->archive_read_support_filter_gzip(c.outer);
    A->archive_read_support_filter_zstd(c.outer);
    A->archive_read_support_filter_none(c.outer);
    A->archive_read_support_format_raw(c.outer);
    struct archive_entry *e;
    if (A->archive_read_open_fd(c.outer, fd, 64 * 1024) != ARCHIVE_OK ||
        A->archive_read_next_header(c.outer, &e) != ARCHIVE_OK) {
        rc = sk_fail(err, SK_EINVAL, "layer: %s",
                     A->archive_error_string(c.outer) ?: "not a tar, gzip or zstd stream");
        goto out;
    }
    in = A->archive_read_new();
    A->archive_read_support_format_tar(in);
    if (A->archive_read_open(in, &c, NULL, chain_read, NULL) != ARCHIVE_OK) {
        rc = sk_fail(err, SK_EINVAL, "layer: %s", A->archive_error_string(in) ?: "cannot read");
        goto out;
    }
    disk = A->archive_write_disk_new();
    /* No ARCHIVE_EXTRACT_SECURE_SYMLINKS and no ARCHIVE_EXTRACT_UNLINK:
     * the first walks every component of every name (nine system calls
     * an entry, most of a symlink-heavy layer's unpack time), the second
     * unlinks names that are almost never there. The walk is done here
     * instead, once per directory run (see below), and a name in the way
     * is replaced by libarchive after its create fails with EEXIST: it
     * lstat()s and unlinks a non-directory, never following the name. */
    A->archive_write_disk_set_options(disk, ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_OWNER |
                                                    ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR |
                                                    ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                                    ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
    wh = A->archive_entry_new();

    for (;;) {
        int r = A->archive_read_next_header(in, &e);
        if (r == ARCHIVE_EOF) break;
        if (r < ARCHIVE_WARN) {
            rc = sk_fail(err, c.failed ? SK_EPROTO : SK_EINVAL, "layer: %s",
                         A->archive_error_string(c.failed ? c.outer : in) ?: "corrupt tar");
            goto out;
        }
        entries++;
        const char *why = NULL;
        const char *orig = A->archive_entry_pathname(e);
        char *rel = clean_path(orig, &why);
        if (!rel) {
            rc = sk_fail(err, SK_EINVAL, "layer entry \"%.200s\" refused: %s", orig ? orig : "",
                         why);
            goto out;
        }
        if (!*rel) { /* the layer root itself ("./") */
            free(rel);
            continue;
        }
        const char *base = strrchr(rel, '/');
        base = base ? base + 1 : rel;
        size_t dirlen = (size_t)(base - rel);
        if (!strncmp(base, ".wh.", 4)) {
            if (!strcmp(base, ".wh..wh..opq")) {
                opaque = sk_xrealloc(opaque, (n_opaque + 1) * sizeof(char *));
                opaque[n_opaque++] = sk_xstrndup(rel, dirlen ? dirlen - 1 : 0);
            } else if (strncmp(base, ".wh..wh.", 8) && base[4]) {
                /* overlayfs whiteout: a 0:0 character device, written
                 * through libarchive after the same parent check. */
                char *p = sk_xasprintf("%.*s%s", (int)dirlen, rel, base + 4);
                forget_dir(&dc, p);
                if (dirlen && (rc = check_parent(&dc, rootfd, rel, dirlen, err))) {
                    free(p);
                    free(rel);
                    goto out;
                }
                A->archive_entry_clear(wh);
                A->archive_entry_set_pathname(wh, p);
                A->archive_entry_set_filetype(wh, AE_IFCHR);
                A->archive_entry_set_perm(wh, 0);
                A->archive_entry_set_rdev(wh, 0);
                A->archive_entry_set_uid(wh, 0);
                A->archive_entry_set_gid(wh, 0);
                rc = write_entry(A, disk, wh, NULL, rel, err);
                free(p);
            }
            free(rel);
            if (rc) goto out;
            continue;
        }
        /* A layer that writes through a symlink is refused. An entry
         * that replaces one of the checked directories ends the run. */
        forget_dir(&dc, rel);
        if (dirlen && (rc = check_parent(&dc, rootfd, rel, dirlen, err))) {
            free(rel);
            goto out;
        }
        unsigned type = A->archive_entry_filetype(e);
        /* A directory over a symlink: libarchive would stat() through it
         * and change the target's mode, owner and times. The symlink
         * goes, as a file in the way of any other entry does. */
        if (type == AE_IFDIR) {
            int pfd = dirlen ? dc.fd : rootfd;
            struct stat lst;
            if (pfd >= 0 && !fstatat(pfd, base, &lst, AT_SYMLINK_NOFOLLOW) &&
                S_ISLNK(lst.st_mode) && unlinkat(pfd, base, 0)) {
                rc = sk_fail_sys(err, errno,
                                 "layer entry \"%.200s\": remove the symlink in the way", rel);
                free(rel);
                goto out;
            }
        }
        if ((type == AE_IFCHR || type == AE_IFBLK) && !o->allow_devices) {
            rc = sk_fail(err, SK_EINVAL,
                         "layer entry \"%.200s\" refused: device node (allow-devices is off)", rel);
            free(rel);
            goto out;
        }
        const char *hl = A->archive_entry_hardlink(e);
        if (hl) {
            char *t = clean_path(hl, &why);
            if (!t || !*t || !target_safe(rootfd, t)) {
                rc = sk_fail(err, SK_EINVAL,
                             "layer entry \"%.200s\" refused: hard link to \"%.200s\" (%s)", rel,
                             hl,
                             t && *t ? "through a symlink"
                             : why   ? why
                                     : "empty");
                free(t);
                free(rel);
                goto out;
            }
            A->archive_entry_set_hardlink(e, t);
            free(t);
        }
        filter_xattrs(A, e);
        A->archive_entry_set_pathname(e, rel);
        rc = write_entry(A, disk, e, in, rel, err);
        free(rel);
        if (rc) goto out;
    }
    if (A->archive_write_close(disk) < ARCHIVE_WARN) {
        char wb[512];
        rc = sk_fail(err, SK_ESYS, "layer: %s", why(A, disk, "close failed", wb, sizeof(wb)));
        goto out;
    }
    /* The tar reader stops at the end-of-archive blocks; the diff_id
     * covers every byte, padding included. */
    while (!c.failed) {
        const void *p;
        if (chain_read(NULL, &c, &p) <= 0) break;
    }
    if (c.failed) {
        rc = sk_fail(err, SK_EPROTO, "layer: %s",
                     A->archive_error_string(c.outer) ?: "decompression failed");
        goto out;
    }
    for (size_t i = 0; i < n_opaque; i++) {
        int dfd = open_beneath(rootfd, opaque[i], true);
        if (dfd < 0 || fsetxattr(dfd, "trusted.overlay.opaque", "y", 1, 0)) {
            rc = sk_fail_sys(err, errno, "layer: mark \"%s\" opaque", opaque[i]);
            if (dfd >= 0) close(dfd);
            goto out;
        }
        close(dfd);
    }
    char got[72];
    img_sha_final(c.sha, got);
    c.sha = NULL;
    if (expect_diffid && strcmp(got, expect_diffid)) {
        rc = sk_fail(err, SK_ECORRUPT, "layer: uncompressed content hashes to %s, not diff_id %s",
                     got, expect_diffid);
        goto out;
    }
    if (st) {
        off_t end = lseek(fd, 0, SEEK_CUR);
        st->compressed = start >= 0 && end >= start ? (uint64_t)(end - start) : 0;
        st->uncompressed = c.bytes;
        st->entries = entries;
        st->seconds = now_s() - t0;
    }
out:
    if (wh) A->archive_entry_free(wh);
    if (disk) A->archive_write_free(disk);
    if (in) A->archive_read_free(in);
    A->archive_read_free(c.outer);
    img_sha_free(c.sha);
    free(c.buf);
    for (size_t i = 0; i < n_opaque; i++)
        free(opaque[i]);
    free(opaque);
    dir_cache_clear(&dc);
    if (fchdir(cwd) && !rc) rc = sk_fail_sys(err, errno, "chdir back");
    close(cwd);
    close(rootfd);
    return rc;
}

sk_err img_unpack_layer(struct img_store *s, const char *digest, const char *diffid,
                        const struct img_unpack_opts *o, struct img_unpack_stats *st,
                        struct sk_error **err)
{
    if (img_layer_exists(s, diffid)) return SK_OK;
    /* One unpacker per layer: a second pull of the image waits, then finds
     * the layer done instead of unpacking it again. */
    int lk = img_lock_blob(s, "layer", diffid, true);
    if (lk >= 0 && img_layer_exists(s, diffid)) {
        img_unlock(lk);
        return SK_OK;
    }
    char *blob = img_blob_path(s, digest);
    int fd = open(blob, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        sk_err rc = sk_fail_sys(err, errno, "open layer blob %s", blob);
        free(blob);
        img_unlock(lk);
        return rc;
    }
    free(blob);
    char *tmp = img_tmp_path(s, "layer");
    char *dst = img_layer_path(s, diffid);
    sk_err rc = SK_OK;
    if (mkdir(tmp, 0755)) {
        rc = sk_fail_sys(err, errno, "mkdir %s", tmp);
    } else {
        rc = img_unpack_fd(fd, tmp, diffid, o, st, err);
        if (rc) sk_error_prefix(err, "%s", digest);
        /* The layer's files reach the disk before its name does: after a
         * power cut a layer directory that exists is complete. syncfs, not
         * one fsync per file: one flush for the few hundred files. */
        if (!rc) {
            int dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (dfd < 0 || syncfs(dfd)) rc = sk_fail_sys(err, errno, "syncfs %s", tmp);
            if (dfd >= 0) close(dfd);
        }
        if (!rc && rename(tmp, dst)) {
            if (errno != EEXIST && errno != ENOTEMPTY)
                rc = sk_fail_sys(err, errno, "rename %s to %s", tmp, dst);
        }
        img_rmtree(tmp, NULL); /* on failure, or when another process won */
    }
    close(fd);
    img_unlock(lk);
    free(tmp);
    free(dst);
    return rc;
}

sk_err img_rootfs_mount(struct img_store *s, const char *manifest_digest, const char *upper,
                        const char *work, const char *target, struct sk_error **err)
{
    struct img_manifest m;
    struct img_config c;
    sk_err rc = img_image_load(s, manifest_digest, &m, &c, err);
    if (rc) return rc;
    struct sk_buf b = {0};
    sk_buf_puts(&b, "lowerdir=");
    /* overlayfs lists the top layer first; the config lists it last. */
    for (size_t i = c.n_diff_ids; i-- > 0;) {
        if (!img_layer_exists(s, c.diff_ids[i])) {
            rc = sk_fail(err, SK_ENOENT, "image %s: layer %s is not unpacked", manifest_digest,
                         c.diff_ids[i]);
            goto out;
        }
        char *p = img_layer_path(s, c.diff_ids[i]);
        sk_buf_printf(&b, "%s%s", i + 1 == c.n_diff_ids ? "" : ":", p);
        free(p);
    }
    /* overlayfs needs two lower dirs when there is no upper dir. */
    if (!upper && c.n_diff_ids == 1) {
        char *p = sk_xasprintf("%s/layers/empty", img_store_root(s));
        mkdir(p, 0755);
        sk_buf_printf(&b, ":%s", p);
        free(p);
    }
    if (upper) sk_buf_printf(&b, ",upperdir=%s,workdir=%s", upper, work ? work : "");
    if (!c.n_diff_ids) {
        rc = sk_fail(err, SK_EINVAL, "image %s has no layers", manifest_digest);
        goto out;
    }
    if (b.len >= 4096) {
        rc = sk_fail(err, SK_ETOOBIG,
                     "image %s: overlay options of %zu bytes do not fit in a page (%zu layers)",
                     manifest_digest, b.len, c.n_diff_ids);
        goto out;
    }
    sk_buf_putc(&b, 0);
    if (mount("overlay", target, "overlay", upper ? 0 : MS_RDONLY, b.p))
        rc = sk_fail_sys(err, errno, "mount overlay on %s", target);
out:
    sk_buf_free(&b);
    img_manifest_free(&m);
    img_config_free(&c);
    return rc;
}
