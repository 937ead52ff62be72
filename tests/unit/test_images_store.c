/* Tests for the images plugin's store and unpacker: verified ingest,
 * names and lookups, sweep and GC, layer unpacking (OCI whiteouts, hard
 * links, and refusal of traversal, symlink tricks and device nodes), and
 * the overlayfs root file system mount (as root only). Layers are written
 * with libarchive through the plugin's own dlopen table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "json.h"
#include "mem.h"

#include "../../plugins/images/dl.h"
#include "../../plugins/images/store.h"
#include "../../plugins/images/unpack.h"

static char *tmpdir(void)
{
    char *t = sk_xstrdup("/tmp/skiff-imgtest-XXXXXX");
    assert_non_null(mkdtemp(t));
    return t;
}

static int count_dir(const char *root, const char *sub)
{
    char *p = sk_xasprintf("%s/images/%s", root, sub);
    int n = 0;
    DIR *d = opendir(p);
    free(p);
    if (!d) return -1;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

static void sha(const void *p, size_t n, char out[72])
{
    struct img_sha *h = img_sha_new();
    img_sha_update(h, p, n);
    img_sha_final(h, out);
}

/* ---- tar writer ---- */

struct ent {
    const char *name;
    char type;        /* f file, d dir, l symlink, h hardlink, c char device */
    const char *data; /* file content or link target */
};

static char *write_tar(const char *dir, const char *fname, const struct ent *e, size_t n)
{
    const struct img_archive_api *A = img_archive(NULL);
    assert_non_null(A);
    char *path = sk_xasprintf("%s/%s", dir, fname);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    struct archive *a = A->archive_write_new();
    A->archive_write_set_format_pax_restricted(a);
    assert_int_equal(A->archive_write_open_fd(a, fd), ARCHIVE_OK);
    for (size_t i = 0; i < n; i++) {
        struct archive_entry *x = A->archive_entry_new();
        A->archive_entry_set_pathname(x, e[i].name);
        A->archive_entry_set_mtime(x, 0, 0);
        size_t len = 0;
        switch (e[i].type) {
        case 'f':
            A->archive_entry_set_filetype(x, AE_IFREG);
            A->archive_entry_set_perm(x, 0644);
            len = strlen(e[i].data);
            break;
        case 'd':
            A->archive_entry_set_filetype(x, AE_IFDIR);
            A->archive_entry_set_perm(x, 0755);
            break;
        case 'l':
            A->archive_entry_set_filetype(x, AE_IFLNK);
            A->archive_entry_set_perm(x, 0777);
            A->archive_entry_set_symlink(x, e[i].data);
            break;
        case 'h':
            A->archive_entry_set_filetype(x, AE_IFREG);
            A->archive_entry_set_perm(x, 0644);
            A->archive_entry_set_hardlink(x, e[i].data);
            break;
        case 'c':
            A->archive_entry_set_filetype(x, AE_IFCHR);
            A->archive_entry_set_perm(x, 0666);
            A->archive_entry_set_rdev(x, makedev(1, 3));
            break;
        }
        A->archive_entry_set_size(x, (la_int64_t)len);
        if (A->archive_write_header(a, x) != ARCHIVE_OK)
            fail_msg("write %s: %s", e[i].name, A->archive_error_string(a));
        if (len) assert_int_equal(A->archive_write_data(a, e[i].data, len), (la_ssize_t)len);
        A->archive_entry_free(x);
    }
    A->archive_write_close(a);
    A->archive_write_free(a);
    close(fd);
    return path;
}

static char *file_digest(const char *path)
{
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    struct img_sha *h = img_sha_new();
    char buf[4096];
    ssize_t r;
    while ((r = read(fd, buf, sizeof(buf))) > 0)
        img_sha_update(h, buf, (size_t)r);
    close(fd);
    char d[72];
    img_sha_final(h, d);
    return sk_xstrdup(d);
}

/* ---- ingest, blobs ---- */

static void test_ingest(void **state)
{
    (void)state;
    char *root = tmpdir();
    struct img_store *s;
    assert_int_equal(img_store_open(root, &s, NULL), 0);
    char d[72], got[72];
    sha("hello", 5, d);
    assert_int_equal(img_blob_put(s, "hello", 5, d, got, NULL), 0);
    assert_string_equal(got, d);
    assert_true(img_blob_exists(s, d));

    /* A wrong digest: refused, nothing kept. */
    struct sk_error *e = NULL;
    char other[72];
    sha("other", 5, other);
    assert_int_equal(img_blob_put(s, "tampered", 8, other, NULL, &e), SK_ECORRUPT);
    assert_non_null(strstr(e->msg, "digest mismatch"));
    sk_error_free(e);
    e = NULL;
    assert_false(img_blob_exists(s, other));
    assert_int_equal(count_dir(root, "tmp"), 0);
    assert_int_equal(count_dir(root, "blobs/sha256"), 1);

    /* More bytes than the descriptor's size: refused while streaming. */
    struct img_ingest *in;
    assert_int_equal(img_ingest_begin(s, other, 3, &in, NULL), 0);
    assert_int_equal(img_ingest_write(in, "other", 5, &e), SK_ETOOBIG);
    sk_error_free(e);
    e = NULL;
    img_ingest_abort(in);
    /* Fewer: refused at commit. */
    assert_int_equal(img_ingest_begin(s, other, 9, &in, NULL), 0);
    assert_int_equal(img_ingest_write(in, "other", 5, NULL), 0);
    assert_int_equal(img_ingest_commit(in, NULL, &e), SK_EPROTO);
    sk_error_free(e);
    e = NULL;
    assert_int_equal(count_dir(root, "tmp"), 0);

    /* Corruption on disk is caught on read. */
    char *p, *path = img_blob_path(s, d);
    size_t n;
    assert_int_equal(img_blob_read(s, d, 100, &p, &n, NULL), 0);
    assert_int_equal(n, 5);
    free(p);
    FILE *f = fopen(path, "w");
    fputs("HELLO", f);
    fclose(f);
    assert_int_equal(img_blob_read(s, d, 100, &p, &n, &e), SK_ECORRUPT);
    sk_error_free(e);
    free(path);
    img_store_close(s);
    img_rmtree(root, NULL);
    free(root);
}

/* ---- names ---- */

static struct sk_val *rec(const char *manifest, const char *config)
{
    struct sk_val *r = sk_val_map();
    sk_map_set(r, "manifest", sk_val_str(manifest));
    sk_map_set(r, "config", sk_val_str(config));
    return r;
}

static void test_refs(void **state)
{
    (void)state;
    char *root = tmpdir();
    struct img_store *s;
    assert_int_equal(img_store_open(root, &s, NULL), 0);
    char m1[72], c1[72], m2[72], c2[72];
    sha("m1", 2, m1), sha("c1", 2, c1), sha("m2", 2, m2), sha("c2", 2, c2);
    struct sk_val *r1 = rec(m1, c1), *r2 = rec(m2, c2);
    assert_int_equal(img_refs_set(s, "docker.io/library/busybox:latest", r1, NULL), 0);
    assert_int_equal(img_refs_set(s, "127.0.0.1:5000/app:v1", r2, NULL), 0);
    char *name;
    struct sk_val *got;
    assert_int_equal(img_resolve(s, "busybox", &name, &got, NULL), 0);
    assert_string_equal(name, "docker.io/library/busybox:latest");
    free(name), sk_val_free(got);
    /* by repo@digest, by manifest digest, by id prefix */
    char *q = sk_xasprintf("127.0.0.1:5000/app@%s", m2);
    assert_int_equal(img_resolve(s, q, &name, &got, NULL), 0);
    assert_string_equal(name, "127.0.0.1:5000/app:v1");
    free(name), sk_val_free(got), free(q);
    assert_int_equal(img_resolve(s, m1, &name, &got, NULL), 0);
    free(name), sk_val_free(got);
    char pre[13];
    snprintf(pre, sizeof(pre), "%.12s", c2 + 7);
    assert_int_equal(img_resolve(s, pre, &name, &got, NULL), 0);
    assert_string_equal(name, "127.0.0.1:5000/app:v1");
    free(name), sk_val_free(got);
    struct sk_error *e = NULL;
    assert_int_equal(img_resolve(s, "nginx", &name, &got, &e), SK_ENOENT);
    assert_string_equal(e->msg, "image \"nginx\" not found");
    sk_error_free(e);
    e = NULL;
    /* two images sharing a 4-hex prefix would be ambiguous: use a prefix of
     * length 4 that both digests cannot share unless they do */
    assert_int_equal(img_refs_touch(s, "127.0.0.1:5000/app:v1", NULL), 0);
    assert_int_equal(img_refs_del(s, "127.0.0.1:5000/app:v1", NULL), 0);
    assert_int_equal(img_refs_del(s, "127.0.0.1:5000/app:v1", &e), SK_ENOENT);
    sk_error_free(e);
    sk_val_free(r1), sk_val_free(r2);
    img_store_close(s);
    img_rmtree(root, NULL);
    free(root);
}

/* ---- unpack ---- */

static sk_err unpack(const char *dir, const char *tar, const struct img_unpack_opts *o,
                     struct sk_error **e)
{
    char *dest = sk_xasprintf("%s/out", dir);
    img_rmtree(dest, NULL);
    mkdir(dest, 0755);
    int fd = open(tar, O_RDONLY);
    sk_err rc = img_unpack_fd(fd, dest, NULL, o, NULL, e);
    close(fd);
    free(dest);
    return rc;
}

static void test_unpack_whiteouts_and_links(void **state)
{
    (void)state;
    char *dir = tmpdir();
    const struct ent ok[] = {
            {"./", 'd', NULL},
            {"etc/", 'd', NULL},
            {"etc/passwd", 'f', "root:x:0:0::/:/bin/sh\n"},
            {"etc/.wh.motd", 'f', ""},
            {"var/cache/", 'd', NULL},
            {"var/cache/.wh..wh..opq", 'f', ""},
            {"var/cache/new", 'f', "x"},
            {"bin/", 'd', NULL},
            {"bin/busybox", 'f', "#!\n"},
            {"bin/sh", 'l', "/bin/busybox"},
            {"bin/ash", 'h', "bin/busybox"},
            {"bin/../bin/ok", 'f', "dotdot inside is still refused"},
    };
    char *tar = write_tar(dir, "ok.tar", ok, sizeof(ok) / sizeof(ok[0]) - 1);
    struct sk_error *e = NULL;
    sk_err rc = unpack(dir, tar, NULL, &e);
    assert_int_equal(rc, 0);
    char *p = sk_xasprintf("%s/out/etc/motd", dir);
    struct stat st;
    assert_int_equal(lstat(p, &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    assert_int_equal(st.st_rdev, 0);
    free(p);
    p = sk_xasprintf("%s/out/var/cache", dir);
    char v[4] = {0};
    if (getuid() == 0) {
        assert_int_equal(getxattr(p, "trusted.overlay.opaque", v, sizeof(v)), 1);
        assert_int_equal(v[0], 'y');
    }
    free(p);
    struct stat a, b;
    p = sk_xasprintf("%s/out/bin/busybox", dir);
    char *q = sk_xasprintf("%s/out/bin/ash", dir);
    assert_int_equal(stat(p, &a), 0);
    assert_int_equal(stat(q, &b), 0);
    assert_int_equal(a.st_ino, b.st_ino);
    free(p), free(q);

    /* The diff_id check covers the whole stream. */
    char *dg = file_digest(tar);
    char *dest = sk_xasprintf("%s/out2", dir);
    mkdir(dest, 0755);
    int fd = open(tar, O_RDONLY);
    assert_int_equal(img_unpack_fd(fd, dest, dg, NULL, NULL, NULL), 0);
    close(fd);
    img_rmtree(dest, NULL);
    mkdir(dest, 0755);
    fd = open(tar, O_RDONLY);
    char wrong[72];
    sha("x", 1, wrong);
    assert_int_equal(img_unpack_fd(fd, dest, wrong, NULL, NULL, &e), SK_ECORRUPT);
    assert_non_null(strstr(e->msg, "diff_id"));
    sk_error_free(e);
    close(fd);
    free(dest), free(dg), free(tar);
    img_rmtree(dir, NULL);
    free(dir);
}

static void test_unpack_refusals(void **state)
{
    (void)state;
    char *dir = tmpdir();
    static const struct {
        struct ent e[3];
        size_t n;
        const char *why;
    } cases[] = {
            {{{"../etc/passwd", 'f', "pwned"}}, 1, "\"..\""},
            {{{"a/../../x", 'f', "pwned"}}, 1, "\"..\""},
            {{{"/etc/passwd", 'f', "pwned"}}, 1, "absolute"},
            {{{"a", 'l', "/"}, {"a/tmp/pwned", 'f', "x"}}, 2, "symlink"},
            {{{"d/", 'd', NULL}, {"d/l", 'l', "../.."}, {"d/l/x", 'f', "x"}}, 3, "symlink"},
            {{{"a", 'l', "/etc"}, {"x", 'h', "a/passwd"}}, 2, "hard link"},
            {{{"x", 'h', "../../etc/passwd"}}, 1, "hard link"},
            {{{"dev/null", 'c', NULL}}, 1, "device node"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *tar = write_tar(dir, "bad.tar", cases[i].e, cases[i].n);
        struct sk_error *e = NULL;
        sk_err rc = unpack(dir, tar, NULL, &e);
        if (rc == 0 || !e || !strstr(e->msg, cases[i].why))
            fail_msg("case %zu: rc=%d msg=%s want %s", i, rc, e ? e->msg : "-", cases[i].why);
        sk_error_free(e);
        free(tar);
    }
    /* Device nodes pass when configured (mknod needs root). */
    if (getuid() == 0) {
        struct img_unpack_opts o = {.allow_devices = true};
        char *tar = write_tar(dir, "dev.tar", cases[7].e, 1);
        assert_int_equal(unpack(dir, tar, &o, NULL), 0);
        free(tar);
    }
    /* Not a tar at all. */
    char *junk = sk_xasprintf("%s/junk", dir);
    FILE *f = fopen(junk, "w");
    for (int i = 0; i < 2000; i++)
        fputs("not a tarball ", f);
    fclose(f);
    struct sk_error *e = NULL;
    assert_int_not_equal(unpack(dir, junk, NULL, &e), 0);
    sk_error_free(e);
    free(junk);
    img_rmtree(dir, NULL);
    free(dir);
}

/* Names already there: a later entry replaces a file or a symlink (never
 * writing through it), and a directory over a symlink replaces the
 * symlink instead of changing what it points at. */
static void test_unpack_replacements(void **state)
{
    (void)state;
    char *dir = tmpdir();
    char *victim = sk_xasprintf("%s/victim", dir);
    assert_int_equal(mkdir(victim, 0700), 0);
    char *target = sk_xasprintf("%s/victim/file", dir);
    FILE *f = fopen(target, "w");
    fputs("keep", f);
    fclose(f);
    const struct ent e[] = {
            {"d", 'l', victim},     {"d/", 'd', NULL},      {"d/x", 'f', "in the layer"},
            {"f", 'l', target},     {"f", 'f', "replaced"}, {"g", 'f', "first"},
            {"g", 'f', "second"},   {"h/", 'd', NULL},      {"h/i/", 'd', NULL},
            {"h/i/j", 'f', "deep"}, {"h/k", 'f', "back"},   {"l", 'l', "/etc"},
            {"l/", 'd', NULL},
    };
    char *tar = write_tar(dir, "re.tar", e, sizeof(e) / sizeof(e[0]));
    struct sk_error *err = NULL;
    sk_err rc = unpack(dir, tar, NULL, &err);
    if (rc) fail_msg("unpack: %s", sk_error_msg(err, rc));
    struct stat st;
    char *p = sk_xasprintf("%s/out/d", dir);
    assert_int_equal(lstat(p, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    free(p);
    assert_int_equal(stat(victim, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700); /* the symlink's target is untouched */
    p = sk_xasprintf("%s/out/l", dir);
    assert_int_equal(lstat(p, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    free(p);
    assert_int_equal(stat("/etc", &st), 0);
    assert_int_equal(st.st_mode & 0777, 0755);
    static const char *const files[][2] = {
            {"d/x", "in the layer"}, {"f", "replaced"}, {"g", "second"},
            {"h/i/j", "deep"},       {"h/k", "back"},   {"victim/file", NULL},
    };
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        p = files[i][1] ? sk_xasprintf("%s/out/%s", dir, files[i][0])
                        : sk_xasprintf("%s/%s", dir, files[i][0]);
        char buf[32] = {0};
        f = fopen(p, "r");
        assert_non_null(f);
        assert_true(fread(buf, 1, sizeof(buf) - 1, f) > 0);
        fclose(f);
        assert_string_equal(buf, files[i][1] ? files[i][1] : "keep");
        free(p);
    }
    free(tar);
    free(target);
    free(victim);
    img_rmtree(dir, NULL);
    free(dir);
}

/* ---- a whole image: unpack_layer, sweep, GC, overlay mount ---- */

struct img {
    char manifest[72], config[72];
    char *l1, *l2; /* blob digests (== diff_ids: uncompressed) */
};

static void make_image(struct img_store *s, const char *dir, struct img *im)
{
    const struct ent l1[] = {{"etc/", 'd', NULL}, {"etc/motd", 'f', "hi\n"}, {"bin/", 'd', NULL}};
    const struct ent l2[] = {
            {"etc/", 'd', NULL}, {"etc/.wh.motd", 'f', ""}, {"etc/hostname", 'f', "box\n"}};
    char *t1 = write_tar(dir, "l1.tar", l1, 3), *t2 = write_tar(dir, "l2.tar", l2, 3);
    char *paths[2] = {t1, t2};
    char *dg[2];
    for (int i = 0; i < 2; i++) {
        dg[i] = file_digest(paths[i]);
        struct img_ingest *in;
        assert_int_equal(img_ingest_begin(s, dg[i], -1, &in, NULL), 0);
        int fd = open(paths[i], O_RDONLY);
        char buf[8192];
        ssize_t r;
        while ((r = read(fd, buf, sizeof(buf))) > 0)
            assert_int_equal(img_ingest_write(in, buf, (size_t)r, NULL), 0);
        close(fd);
        assert_int_equal(img_ingest_commit(in, NULL, NULL), 0);
    }
    char *cfg = sk_xasprintf("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":"
                             "\"layers\",\"diff_ids\":[\"%s\",\"%s\"]}}",
                             dg[0], dg[1]);
    assert_int_equal(img_blob_put(s, cfg, strlen(cfg), NULL, im->config, NULL), 0);
    char *man = sk_xasprintf(
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
            "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":"
            "\"%s\",\"size\":%zu},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer."
            "v1.tar\",\"digest\":\"%s\",\"size\":1},{\"mediaType\":\"application/vnd.oci.image."
            "layer.v1.tar\",\"digest\":\"%s\",\"size\":1}]}",
            im->config, strlen(cfg), dg[0], dg[1]);
    assert_int_equal(img_blob_put(s, man, strlen(man), NULL, im->manifest, NULL), 0);
    im->l1 = dg[0];
    im->l2 = dg[1];
    for (int i = 0; i < 2; i++)
        assert_int_equal(img_unpack_layer(s, dg[i], dg[i], NULL, NULL, NULL), 0);
    struct sk_val *r = rec(im->manifest, im->config);
    assert_int_equal(img_refs_set(s, "localhost/box:1", r, NULL), 0);
    sk_val_free(r);
    free(cfg), free(man), free(t1), free(t2);
}

static void test_image_sweep_gc_mount(void **state)
{
    (void)state;
    char *root = tmpdir();
    struct img_store *s;
    assert_int_equal(img_store_open(root, &s, NULL), 0);
    struct img im;
    make_image(s, root, &im);
    assert_true(img_layer_exists(s, im.l1));
    assert_int_equal(count_dir(root, "tmp"), 0);

    /* Debris: an unreferenced blob, a stray temp file. */
    char junk[72];
    assert_int_equal(img_blob_put(s, "junk", 4, NULL, junk, NULL), 0);
    char *t = img_tmp_path(s, "blob");
    close(open(t, O_CREAT | O_WRONLY, 0600));
    free(t);
    /* A pull in progress (gc.lock shared) holds the sweep off. */
    int held = img_lock_gc(s, LOCK_SH, true);
    struct sk_error *e = NULL;
    assert_int_equal(img_sweep(s, false, NULL, &e), SK_EAGAIN);
    sk_error_free(e);
    e = NULL;
    img_unlock(held);
    uint64_t freed = 0;
    assert_int_equal(img_sweep(s, true, &freed, NULL), 0);
    assert_int_equal(freed, 4);
    assert_false(img_blob_exists(s, junk));
    assert_true(img_blob_exists(s, im.manifest));
    assert_true(img_layer_exists(s, im.l2));
    assert_int_equal(count_dir(root, "tmp"), 0);

    /* The overlay mount (root only; skipped where overlayfs is not allowed). */
    if (getuid() == 0) {
        char *mnt = sk_xasprintf("%s/mnt", root);
        mkdir(mnt, 0755);
        sk_err rc = img_rootfs_mount(s, im.manifest, NULL, NULL, mnt, &e);
        if (rc == 0) {
            char *p = sk_xasprintf("%s/etc/motd", mnt);
            char *q = sk_xasprintf("%s/etc/hostname", mnt);
            assert_int_equal(access(p, F_OK), -1); /* whited out by layer 2 */
            assert_int_equal(access(q, F_OK), 0);
            free(p), free(q);
            assert_int_equal(umount(mnt), 0);
        } else {
            print_message("overlay mount skipped: %s\n", e ? e->msg : "?");
            sk_error_free(e);
            e = NULL;
        }
        free(mnt);
    }

    /* GC: over the high mark (0%), images in use stay, the rest go. */
    int removed = -1;
    assert_int_equal(img_gc(s, 100, 100, NULL, NULL, &removed, NULL), 0);
    assert_int_equal(removed, 0);
    assert_int_equal(img_gc(s, 50, 60, NULL, NULL, &removed, &e), SK_EINVAL);
    sk_error_free(e);
    e = NULL;
    assert_int_equal(img_refs_del(s, "localhost/box:1", NULL), 0);
    assert_int_equal(img_sweep(s, true, NULL, NULL), 0);
    assert_false(img_layer_exists(s, im.l1));
    assert_int_equal(count_dir(root, "blobs/sha256"), 0);
    free(im.l1), free(im.l2);
    img_store_close(s);
    img_rmtree(root, NULL);
    free(root);
}

static bool keep_all(const char *name, const struct sk_val *r, void *arg)
{
    (void)name, (void)r;
    (*(int *)arg)++;
    return true;
}

static void test_gc_in_use(void **state)
{
    (void)state;
    char *root = tmpdir();
    struct img_store *s;
    assert_int_equal(img_store_open(root, &s, NULL), 0);
    struct img im;
    make_image(s, root, &im);
    int asked = 0, removed = -1;
    assert_int_equal(img_gc(s, 0, 0, keep_all, &asked, &removed, NULL), 0);
    assert_int_equal(asked, 1);
    assert_int_equal(removed, 0);
    assert_true(img_layer_exists(s, im.l1));
    assert_int_equal(img_gc(s, 0, 0, NULL, NULL, &removed, NULL), 0);
    assert_int_equal(removed, 1);
    assert_false(img_layer_exists(s, im.l1));
    free(im.l1), free(im.l2);
    img_store_close(s);
    img_rmtree(root, NULL);
    free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_ingest),
            cmocka_unit_test(test_refs),
            cmocka_unit_test(test_unpack_whiteouts_and_links),
            cmocka_unit_test(test_unpack_refusals),
            cmocka_unit_test(test_unpack_replacements),
            cmocka_unit_test(test_image_sweep_gc_mount),
            cmocka_unit_test(test_gc_in_use),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
