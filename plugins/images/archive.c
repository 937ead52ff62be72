/* Import and export of image tarballs (see archive.h). An import streams
 * the tarball once: blobs go straight into the store's ingest (so a
 * multi-GiB archive never sits in memory), small JSON files are kept in
 * memory, and the images are assembled once everything has been read,
 * because `docker save` writes manifest.json last. */
#include "archive.h"

#include "json.h"
#include "mem.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dl.h"
#include "manifest.h"
#include "ref.h"
#include "store.h"

#define SMALL_MAX (4u << 20)

struct file {
    char *name; /* cleaned path inside the tarball */
    char *data; /* small JSON files */
    size_t len;
    char digest[72]; /* files stored as blobs */
    char *link;      /* symlinks (docker save links repeated layers) */
};

struct files {
    struct file *v;
    size_t n, cap;
};

static void files_free(struct files *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->v[i].name);
        free(f->v[i].data);
        free(f->v[i].link);
    }
    free(f->v);
}

static struct file *files_add(struct files *f, const char *name)
{
    if (f->n == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 32;
        f->v = sk_xrealloc(f->v, f->cap * sizeof(*f->v));
    }
    struct file *x = &f->v[f->n++];
    memset(x, 0, sizeof(*x));
    x->name = sk_xstrdup(name);
    return x;
}

/* Look a path up, following symlinks (relative to the link's directory). */
static const struct file *files_get(const struct files *f, const char *name, int depth)
{
    if (depth > 8) return NULL;
    for (size_t i = 0; i < f->n; i++) {
        if (strcmp(f->v[i].name, name)) continue;
        if (!f->v[i].link) return &f->v[i];
        const char *l = f->v[i].link;
        const char *slash = strrchr(name, '/');
        struct sk_buf b = {0};
        if (slash && l[0] != '/') sk_buf_append(&b, name, (size_t)(slash - name + 1));
        sk_buf_puts(&b, l[0] == '/' ? l + 1 : l);
        /* collapse "dir/../x" as docker writes "../<id>/layer.tar" */
        char *p = sk_buf_take(&b, NULL);
        char *q;
        while ((q = strstr(p, "/../"))) {
            char *st = q;
            while (st > p && st[-1] != '/')
                st--;
            memmove(st, q + 4, strlen(q + 4) + 1);
        }
        if (!strncmp(p, "../", 3)) memmove(p, p + 3, strlen(p + 3) + 1);
        const struct file *r = files_get(f, p, depth + 1);
        free(p);
        return r;
    }
    return NULL;
}

static char *clean(const char *p)
{
    if (!p) return NULL;
    while (p[0] == '.' && p[1] == '/')
        p += 2;
    while (*p == '/')
        p++;
    if (!*p || strstr(p, "..")) return NULL;
    return sk_xstrdup(p);
}

static bool is_small(const char *name)
{
    size_t n = strlen(name);
    return (n > 5 && !strcmp(name + n - 5, ".json")) || !strcmp(name, "oci-layout") ||
           !strcmp(name, "repositories");
}

/* localhost/<file name without extensions>, lowercased, for unnamed images. */
static char *fallback_repo(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    struct sk_buf s = {0};
    for (const char *p = b; *p && *p != '.'; p++) {
        char c = (char)tolower((unsigned char)*p);
        sk_buf_putc(&s, isalnum((unsigned char)c) ? c : '-');
    }
    char *stem = sk_buf_take(&s, NULL);
    char *r =
            sk_xasprintf("localhost/%s", *stem && isalnum((unsigned char)stem[0]) ? stem : "image");
    free(stem);
    return r;
}

static sk_err read_all(const struct img_archive_api *A, struct archive *a, struct img_store *s,
                       struct files *fs, struct sk_error **err)
{
    struct archive_entry *e;
    char buf[64 * 1024];
    for (;;) {
        int r = A->archive_read_next_header(a, &e);
        if (r == ARCHIVE_EOF) return SK_OK;
        if (r < ARCHIVE_WARN)
            return sk_fail(err, SK_EINVAL, "%s", A->archive_error_string(a) ?: "corrupt tarball");
        unsigned type = A->archive_entry_filetype(e);
        if (type != AE_IFREG && type != AE_IFLNK) continue;
        char *name = clean(A->archive_entry_pathname(e));
        if (!name) continue;
        if (type == AE_IFLNK) {
            const char *l = A->archive_entry_symlink(e);
            if (l) files_add(fs, name)->link = sk_xstrdup(l);
            free(name);
            continue;
        }
        int64_t size = A->archive_entry_size(e);
        if (is_small(name)) {
            if (size < 0 || (uint64_t)size > SMALL_MAX) {
                sk_err rc = sk_fail(err, SK_ETOOBIG, "%s: over 4 MiB", name);
                free(name);
                return rc;
            }
            struct file *f = files_add(fs, name);
            struct sk_buf b = {0};
            la_ssize_t n;
            while ((n = A->archive_read_data(a, buf, sizeof(buf))) > 0)
                sk_buf_append(&b, buf, (size_t)n);
            f->len = b.len;
            f->data = sk_buf_take(&b, NULL);
            free(name);
            if (n < 0)
                return sk_fail(err, SK_EINVAL, "%s: %s", f->name,
                               A->archive_error_string(a) ?: "read failed");
            continue;
        }
        /* blobs/sha256/<hex> names its own digest: verify against it. */
        char expect[72] = "";
        if (!strncmp(name, "blobs/sha256/", 13)) {
            snprintf(expect, sizeof(expect), "sha256:%.64s", name + 13);
            if (!img_digest_valid(expect) || strlen(name) != 13 + 64) expect[0] = 0;
        }
        struct file *f = files_add(fs, name);
        free(name);
        if (expect[0] && img_blob_exists(s, expect)) {
            memcpy(f->digest, expect, 72);
            A->archive_read_data_skip(a);
            continue;
        }
        struct img_ingest *in;
        sk_err rc = img_ingest_begin(s, expect[0] ? expect : NULL, size, &in, err);
        if (rc) return rc;
        la_ssize_t n;
        while (!rc && (n = A->archive_read_data(a, buf, sizeof(buf))) > 0)
            rc = img_ingest_write(in, buf, (size_t)n, err);
        if (!rc && n < 0)
            rc = sk_fail(err, SK_EINVAL, "%s: %s", f->name,
                         A->archive_error_string(a) ?: "read failed (truncated tarball?)");
        if (rc) {
            img_ingest_abort(in);
            return rc;
        }
        rc = img_ingest_commit(in, f->digest, err);
        if (rc) {
            sk_error_prefix(err, "%s", f->name);
            return rc;
        }
    }
}

static sk_err name_image(struct img_store *s, const char *name, const char *manifest_digest,
                         const struct img_unpack_opts *uo, struct sk_val *names,
                         struct sk_error **err)
{
    struct img_manifest m;
    struct img_config c;
    sk_err rc = img_image_load(s, manifest_digest, &m, &c, err);
    if (rc) return rc;
    int64_t size = m.config.size;
    for (size_t i = 0; !rc && i < m.n_layers; i++) {
        size += m.layers[i].size;
        if (!img_blob_exists(s, m.layers[i].digest))
            rc = sk_fail(err, SK_ENOENT, "the tarball lacks layer %s", m.layers[i].digest);
        else
            rc = img_unpack_layer(s, m.layers[i].digest, c.diff_ids[i], uo, NULL, err);
    }
    if (!rc) {
        struct sk_val *rec = sk_val_map();
        sk_map_set(rec, "manifest", sk_val_str(manifest_digest));
        sk_map_set(rec, "config", sk_val_str(m.config.digest));
        sk_map_set(rec, "size", sk_val_int(size));
        rc = img_refs_set(s, name, rec, err);
        sk_val_free(rec);
        if (!rc && names) {
            struct sk_val *x = sk_arr_push(names, sk_val_map());
            sk_map_set(x, "name", sk_val_str(name));
            sk_map_set(x, "manifest", sk_val_str(manifest_digest));
        }
    }
    img_manifest_free(&m);
    img_config_free(&c);
    return rc;
}

/* A user-facing name from an annotation or a RepoTag: a full reference
 * is normalised; a bare tag gets the fallback repository. */
static char *pick_name(const char *ann, const char *fallback, const char *digest)
{
    struct img_ref r;
    if (ann && *ann && (strchr(ann, '/') || strchr(ann, ':') || strchr(ann, '@'))) {
        if (img_ref_parse(ann, &r, NULL) == SK_OK) {
            char *s = img_ref_string(&r);
            img_ref_free(&r);
            return s;
        }
    }
    char *cand = ann && *ann ? sk_xasprintf("%s:%s", fallback, ann)
                             : sk_xasprintf("%s@%s", fallback, digest);
    if (img_ref_parse(cand, &r, NULL) == SK_OK) {
        char *s = img_ref_string(&r);
        img_ref_free(&r);
        free(cand);
        return s;
    }
    free(cand);
    return sk_xasprintf("%s@%s", fallback, digest);
}

static sk_err import_oci(struct img_store *s, const struct files *fs, const struct file *idx,
                         const char *fallback, const struct img_unpack_opts *uo,
                         struct sk_val *names, struct sk_error **err)
{
    struct img_manifest index;
    sk_err rc = img_manifest_parse(idx->data, idx->len, IMG_MT_OCI_INDEX, &index, err);
    if (rc) {
        sk_error_prefix(err, "index.json");
        return rc;
    }
    (void)fs;
    if (index.kind != IMG_KIND_INDEX) {
        img_manifest_free(&index);
        return sk_fail(err, SK_EINVAL, "index.json is not an image index");
    }
    /* The ref.name annotation is parsed by manifest.c; the containerd
     * name needs the raw document. */
    struct sk_val *doc = NULL;
    sk_json_parse(idx->data, idx->len, &doc, NULL);
    for (size_t i = 0; !rc && i < index.n_manifests; i++) {
        const struct img_desc *d = &index.manifests[i];
        const char *mdig = d->digest;
        char *nested = NULL;
        if (d->media_type && (!strcmp(d->media_type, IMG_MT_OCI_INDEX) ||
                              !strcmp(d->media_type, IMG_MT_DOCKER_LIST))) {
            /* A multi-platform image: take this machine's manifest. */
            char *p;
            size_t n;
            struct img_manifest sub;
            rc = img_blob_read(s, mdig, IMG_MAX_JSON, &p, &n, err);
            if (rc) break;
            rc = img_manifest_parse(p, n, NULL, &sub, err);
            free(p);
            if (rc) break;
            const char *os, *arch, *variant;
            img_platform_self(&os, &arch, &variant);
            const struct img_desc *pick = sub.kind == IMG_KIND_INDEX
                                                  ? img_index_select(&sub, os, arch, variant, err)
                                                  : NULL;
            if (pick) nested = sk_xstrdup(pick->digest);
            img_manifest_free(&sub);
            if (!nested) {
                rc = sk_fail(err, SK_ENOENT, "no manifest for this platform in %s", mdig);
                break;
            }
            mdig = nested;
        }
        const char *cname = sk_val_str_at(sk_arr_get(sk_map_get(doc, "manifests"), i),
                                          "annotations", "io.containerd.image.name", NULL);
        char *name = pick_name(cname ? cname : d->ref_name, fallback, mdig);
        rc = name_image(s, name, mdig, uo, names, err);
        free(name);
        free(nested);
    }
    sk_val_free(doc);
    img_manifest_free(&index);
    return rc;
}

static sk_err import_docker(struct img_store *s, const struct files *fs, const struct file *mf,
                            const char *fallback, const struct img_unpack_opts *uo,
                            struct sk_val *names, struct sk_error **err)
{
    struct sk_val *doc = NULL;
    sk_err rc = sk_json_parse(mf->data, mf->len, &doc, err);
    if (rc) {
        sk_error_prefix(err, "manifest.json");
        return rc;
    }
    if (!sk_val_is(doc, SK_V_ARR)) {
        sk_val_free(doc);
        return sk_fail(err, SK_EINVAL, "manifest.json: want an array");
    }
    for (size_t i = 0; !rc && i < sk_arr_len(doc); i++) {
        const struct sk_val *im = sk_arr_get(doc, i);
        const char *cfgname = sk_val_str_at(im, "Config", NULL);
        const struct sk_val *layers = sk_map_get(im, "Layers");
        const struct file *cf = cfgname ? files_get(fs, cfgname, 0) : NULL;
        if (!cf || !sk_val_is(layers, SK_V_ARR)) {
            rc = sk_fail(err, SK_EINVAL, "manifest.json[%zu]: Config or Layers missing", i);
            break;
        }
        /* The config: kept in memory (<id>.json) or stored (blobs/...). */
        char cdig[72];
        size_t csize;
        if (cf->data) {
            rc = img_blob_put(s, cf->data, cf->len, NULL, cdig, err);
            csize = cf->len;
        } else {
            memcpy(cdig, cf->digest, 72);
            char *p = img_blob_path(s, cdig);
            struct stat st;
            csize = stat(p, &st) ? 0 : (size_t)st.st_size;
            free(p);
        }
        if (rc) break;
        struct sk_val *man = sk_val_map();
        sk_map_set(man, "schemaVersion", sk_val_int(2));
        sk_map_set(man, "mediaType", sk_val_str(IMG_MT_DOCKER_MANIFEST));
        struct sk_val *cd = sk_map_set(man, "config", sk_val_map());
        sk_map_set(cd, "mediaType", sk_val_str("application/vnd.docker.container.image.v1+json"));
        sk_map_set(cd, "size", sk_val_int((int64_t)csize));
        sk_map_set(cd, "digest", sk_val_str(cdig));
        struct sk_val *ls = sk_map_set(man, "layers", sk_val_arr());
        for (size_t k = 0; !rc && k < sk_arr_len(layers); k++) {
            const char *ln = sk_val_cstr(sk_arr_get(layers, k));
            const struct file *lf = ln ? files_get(fs, ln, 0) : NULL;
            if (!lf || !lf->digest[0]) {
                rc = sk_fail(err, SK_ENOENT, "manifest.json[%zu]: layer %s not in the tarball", i,
                             ln ? ln : "?");
                break;
            }
            char *p = img_blob_path(s, lf->digest);
            struct stat st;
            unsigned char magic[4] = {0};
            int fd = open(p, O_RDONLY | O_CLOEXEC);
            if (fd >= 0) {
                if (read(fd, magic, 4) < 0) magic[0] = 0;
                fstat(fd, &st);
                close(fd);
            } else {
                st.st_size = 0;
            }
            free(p);
            const char *mt = magic[0] == 0x1f && magic[1] == 0x8b
                                     ? "application/vnd.docker.image.rootfs.diff.tar.gzip"
                             : magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f
                                     ? IMG_MT_OCI_LAYER_ZSTD
                                     : "application/vnd.docker.image.rootfs.diff.tar";
            struct sk_val *l = sk_arr_push(ls, sk_val_map());
            sk_map_set(l, "mediaType", sk_val_str(mt));
            sk_map_set(l, "size", sk_val_int((int64_t)st.st_size));
            sk_map_set(l, "digest", sk_val_str(lf->digest));
        }
        char mdig[72];
        if (!rc) {
            size_t len;
            char *js = sk_json_dump(man, SK_JSON_COMPACT, &len);
            rc = img_blob_put(s, js, len, NULL, mdig, err);
            free(js);
        }
        sk_val_free(man);
        if (rc) break;
        const struct sk_val *tags = sk_map_get(im, "RepoTags");
        size_t nt = sk_val_is(tags, SK_V_ARR) ? sk_arr_len(tags) : 0;
        if (!nt) {
            char *name = pick_name(NULL, fallback, mdig);
            rc = name_image(s, name, mdig, uo, names, err);
            free(name);
        }
        for (size_t k = 0; !rc && k < nt; k++) {
            char *name = pick_name(sk_val_cstr(sk_arr_get(tags, k)), fallback, mdig);
            rc = name_image(s, name, mdig, uo, names, err);
            free(name);
        }
    }
    sk_val_free(doc);
    return rc;
}

sk_err img_import(struct img_store *s, const char *path, const struct img_unpack_opts *uo,
                  struct sk_val **names, struct sk_error **err)
{
    if (names) *names = NULL;
    const struct img_archive_api *A = img_archive(err);
    if (!A) return SK_ENOENT;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return sk_fail_sys(err, errno, "open %s", path);
    int gc = img_lock_gc(s, LOCK_SH, true);
    struct archive *a = A->archive_read_new();
    A->archive_read_support_filter_gzip(a);
    A->archive_read_support_filter_zstd(a);
    A->archive_read_support_filter_none(a);
    A->archive_read_support_format_tar(a);
    struct files fs = {0};
    struct sk_val *out = sk_val_arr();
    char *fallback = fallback_repo(path);
    sk_err rc = SK_OK;
    if (A->archive_read_open_fd(a, fd, 64 * 1024) != ARCHIVE_OK)
        rc = sk_fail(err, SK_EINVAL, "%s", A->archive_error_string(a) ?: "not a tarball");
    if (!rc) rc = read_all(A, a, s, &fs, err);
    if (!rc) {
        const struct file *idx = files_get(&fs, "index.json", 0);
        const struct file *mf = files_get(&fs, "manifest.json", 0);
        if (idx && idx->data && files_get(&fs, "oci-layout", 0))
            rc = import_oci(s, &fs, idx, fallback, uo, out, err);
        else if (mf && mf->data)
            rc = import_docker(s, &fs, mf, fallback, uo, out, err);
        else
            rc = sk_fail(err, SK_EINVAL,
                         "neither an oci-archive (oci-layout, index.json) nor a docker save "
                         "tarball (manifest.json)");
    }
    if (rc) sk_error_prefix(err, "import %s", path);
    A->archive_read_free(a);
    close(fd);
    img_unlock(gc);
    files_free(&fs);
    free(fallback);
    if (!rc && names)
        *names = out;
    else
        sk_val_free(out);
    return rc;
}

/* ---- export ---- */

static sk_err put_entry(const struct img_archive_api *A, struct archive *a, const char *name,
                        const void *data, size_t len, const char *file, struct sk_error **err)
{
    struct archive_entry *e = A->archive_entry_new();
    A->archive_entry_set_pathname(e, name);
    A->archive_entry_set_filetype(e, AE_IFREG);
    A->archive_entry_set_perm(e, 0644);
    A->archive_entry_set_mtime(e, 0, 0);
    A->archive_entry_set_uid(e, 0);
    A->archive_entry_set_gid(e, 0);
    int fd = -1;
    if (file) {
        struct stat st;
        fd = open(file, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &st)) {
            sk_err rc = sk_fail_sys(err, errno, "open %s", file);
            if (fd >= 0) close(fd);
            A->archive_entry_free(e);
            return rc;
        }
        len = (size_t)st.st_size;
    }
    A->archive_entry_set_size(e, (la_int64_t)len);
    sk_err rc = SK_OK;
    if (A->archive_write_header(a, e) != ARCHIVE_OK)
        rc = sk_fail(err, SK_ESYS, "%s: %s", name, A->archive_error_string(a) ?: "write failed");
    if (!rc && file) {
        char buf[64 * 1024];
        ssize_t n;
        while (!rc && (n = read(fd, buf, sizeof(buf))) > 0)
            if (A->archive_write_data(a, buf, (size_t)n) < 0)
                rc = sk_fail(err, SK_ESYS, "%s: %s", name, A->archive_error_string(a) ?: "write");
    } else if (!rc && len && A->archive_write_data(a, data, len) < 0) {
        rc = sk_fail(err, SK_ESYS, "%s: %s", name, A->archive_error_string(a) ?: "write failed");
    }
    if (fd >= 0) close(fd);
    A->archive_entry_free(e);
    return rc;
}

sk_err img_export(struct img_store *s, const char *const *names, size_t n, const char *path,
                  struct sk_error **err)
{
    const struct img_archive_api *A = img_archive(err);
    if (!A) return SK_ENOENT;
    struct sk_val *index = sk_val_map();
    sk_map_set(index, "schemaVersion", sk_val_int(2));
    sk_map_set(index, "mediaType", sk_val_str(IMG_MT_OCI_INDEX));
    struct sk_val *mans = sk_map_set(index, "manifests", sk_val_arr());
    struct sk_val *blobs = sk_val_map(); /* digest -> true, in order */
    sk_err rc = SK_OK;
    for (size_t i = 0; !rc && i < n; i++) {
        char *name;
        struct sk_val *rec;
        rc = img_resolve(s, names[i], &name, &rec, err);
        if (rc) break;
        const char *md = sk_val_str_at(rec, "manifest", NULL);
        struct img_manifest m;
        rc = md ? img_image_load(s, md, &m, NULL, err) : sk_fail(err, SK_ECORRUPT, "no manifest");
        if (!rc) {
            char *path_m = img_blob_path(s, md);
            struct stat st;
            int64_t msize = stat(path_m, &st) ? 0 : (int64_t)st.st_size;
            free(path_m);
            struct sk_val *d = sk_arr_push(mans, sk_val_map());
            sk_map_set(d, "mediaType", sk_val_str(m.media_type));
            sk_map_set(d, "digest", sk_val_str(md));
            sk_map_set(d, "size", sk_val_int(msize));
            struct sk_val *an = sk_map_set(d, "annotations", sk_val_map());
            sk_map_set(an, "io.containerd.image.name", sk_val_str(name));
            struct img_ref r;
            if (img_ref_parse(name, &r, NULL) == SK_OK && r.tag)
                sk_map_set(an, "org.opencontainers.image.ref.name", sk_val_str(r.tag));
            img_ref_free(&r);
            sk_map_set(blobs, md, sk_val_bool(true));
            sk_map_set(blobs, m.config.digest, sk_val_bool(true));
            for (size_t k = 0; k < m.n_layers; k++) {
                if (!img_blob_exists(s, m.layers[k].digest))
                    rc = sk_fail(err, SK_ENOENT, "%s: layer blob %s is missing", name,
                                 m.layers[k].digest);
                sk_map_set(blobs, m.layers[k].digest, sk_val_bool(true));
            }
            img_manifest_free(&m);
        }
        free(name);
        sk_val_free(rec);
    }
    char *tmp = sk_xasprintf("%s.tmp-%d", path, (int)getpid());
    int fd = -1;
    struct archive *a = NULL;
    if (!rc) {
        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) rc = sk_fail_sys(err, errno, "create %s", tmp);
    }
    if (!rc) {
        a = A->archive_write_new();
        A->archive_write_set_format_pax_restricted(a);
        if (A->archive_write_open_fd(a, fd) != ARCHIVE_OK)
            rc = sk_fail(err, SK_ESYS, "%s: %s", tmp, A->archive_error_string(a) ?: "open");
    }
    if (!rc) {
        static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
        rc = put_entry(A, a, "oci-layout", layout, sizeof(layout) - 1, NULL, err);
    }
    for (size_t i = 0; !rc && i < blobs->u.m.n; i++) {
        const char *d = blobs->u.m.kv[i].key;
        char *name = sk_xasprintf("blobs/sha256/%s", d + 7);
        char *file = img_blob_path(s, d);
        rc = put_entry(A, a, name, NULL, 0, file, err);
        free(name);
        free(file);
    }
    if (!rc) {
        size_t len;
        char *js = sk_json_dump(index, SK_JSON_COMPACT, &len);
        rc = put_entry(A, a, "index.json", js, len, NULL, err);
        free(js);
    }
    if (a) {
        if (!rc && A->archive_write_close(a) != ARCHIVE_OK)
            rc = sk_fail(err, SK_ESYS, "%s: %s", tmp, A->archive_error_string(a) ?: "close");
        A->archive_write_free(a);
    }
    if (fd >= 0) {
        if (!rc && fsync(fd)) rc = sk_fail_sys(err, errno, "fsync %s", tmp);
        close(fd);
        if (!rc && rename(tmp, path)) rc = sk_fail_sys(err, errno, "rename %s to %s", tmp, path);
        if (rc) unlink(tmp);
    }
    if (rc) sk_error_prefix(err, "export");
    free(tmp);
    sk_val_free(index);
    sk_val_free(blobs);
    return rc;
}
