/* Manifest, index and image config decoding (OCI image spec and Docker's
 * image manifest v2 schema 2). Documents come from registries and tarballs,
 * so every field is type-checked and bounded before anything uses it. */
#include "manifest.h"

#include "json.h"
#include "mem.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "ref.h"

static char *dup_or_null(const struct sk_val *v)
{
    const char *s = sk_val_cstr(v);
    return s ? sk_xstrdup(s) : NULL;
}

static void desc_free(struct img_desc *d)
{
    free(d->media_type);
    free(d->digest);
    free(d->os);
    free(d->arch);
    free(d->variant);
    free(d->ref_name);
    memset(d, 0, sizeof(*d));
}

void img_manifest_free(struct img_manifest *m)
{
    if (!m) return;
    free(m->media_type);
    desc_free(&m->config);
    for (size_t i = 0; i < m->n_layers; i++)
        desc_free(&m->layers[i]);
    free(m->layers);
    for (size_t i = 0; i < m->n_manifests; i++)
        desc_free(&m->manifests[i]);
    free(m->manifests);
    memset(m, 0, sizeof(*m));
}

/* Optional string field: absent is fine, any other type is not. */
static sk_err opt_str(const struct sk_val *m, const char *key, const char *where, char **out,
                      struct sk_error **err)
{
    const struct sk_val *v = sk_map_get(m, key);
    *out = NULL;
    if (!v || v->type == SK_V_NULL) return SK_OK;
    if (v->type != SK_V_STR) return sk_fail(err, SK_EINVAL, "%s.%s: want a string", where, key);
    if (strlen(v->u.s.p) != v->u.s.len)
        return sk_fail(err, SK_EINVAL, "%s.%s: contains a NUL byte", where, key);
    *out = sk_xstrdup(v->u.s.p);
    return SK_OK;
}

static sk_err desc_parse(const struct sk_val *v, const char *where, struct img_desc *d,
                         struct sk_error **err)
{
    memset(d, 0, sizeof(*d));
    if (!sk_val_is(v, SK_V_MAP)) return sk_fail(err, SK_EINVAL, "%s: want an object", where);
    sk_err rc;
    if ((rc = opt_str(v, "mediaType", where, &d->media_type, err))) goto fail;
    if ((rc = opt_str(v, "digest", where, &d->digest, err))) goto fail;
    if (!d->digest) {
        rc = sk_fail(err, SK_EINVAL, "%s: no digest", where);
        goto fail;
    }
    if (!img_digest_valid(d->digest)) {
        rc = sk_fail(err, SK_EINVAL, "%s: unsupported or malformed digest \"%.80s\"", where,
                     d->digest);
        goto fail;
    }
    const struct sk_val *sz = sk_map_get(v, "size");
    if (!sk_val_is(sz, SK_V_INT) || sz->u.i < 0) {
        rc = sk_fail(err, SK_EINVAL, "%s: size must be a non-negative integer", where);
        goto fail;
    }
    d->size = sz->u.i;
    const struct sk_val *pl = sk_map_get(v, "platform");
    if (pl && pl->type != SK_V_NULL) {
        if (pl->type != SK_V_MAP) {
            rc = sk_fail(err, SK_EINVAL, "%s.platform: want an object", where);
            goto fail;
        }
        if ((rc = opt_str(pl, "os", where, &d->os, err))) goto fail;
        if ((rc = opt_str(pl, "architecture", where, &d->arch, err))) goto fail;
        if ((rc = opt_str(pl, "variant", where, &d->variant, err))) goto fail;
    }
    const struct sk_val *an = sk_map_get(v, "annotations");
    if (an && an->type != SK_V_NULL) {
        if (an->type != SK_V_MAP) {
            rc = sk_fail(err, SK_EINVAL, "%s.annotations: want an object", where);
            goto fail;
        }
        if ((rc = opt_str(an, "org.opencontainers.image.ref.name", where, &d->ref_name, err)))
            goto fail;
    }
    return SK_OK;
fail:
    desc_free(d);
    return rc;
}

static sk_err desc_list(const struct sk_val *arr, const char *what, size_t max,
                        struct img_desc **out, size_t *n, struct sk_error **err)
{
    *out = NULL;
    *n = 0;
    if (!sk_val_is(arr, SK_V_ARR)) return sk_fail(err, SK_EINVAL, "%s: want an array", what);
    size_t len = sk_arr_len(arr);
    if (len > max) return sk_fail(err, SK_ETOOBIG, "%s: %zu entries, at most %zu", what, len, max);
    if (!len) return SK_OK;
    *out = sk_xcalloc(len, sizeof(**out));
    for (size_t i = 0; i < len; i++) {
        char where[64];
        snprintf(where, sizeof(where), "%s[%zu]", what, i);
        sk_err rc = desc_parse(sk_arr_get(arr, i), where, &(*out)[i], err);
        if (rc) {
            for (size_t k = 0; k < i; k++)
                desc_free(&(*out)[k]);
            free(*out);
            *out = NULL;
            *n = 0;
            return rc;
        }
        *n = i + 1;
    }
    return SK_OK;
}

int img_layer_compression(const char *mt)
{
    if (!mt) return -1;
    if (!strcmp(mt, IMG_MT_OCI_LAYER) ||
        !strcmp(mt, "application/vnd.docker.image.rootfs.diff.tar"))
        return 0;
    if (!strcmp(mt, IMG_MT_OCI_LAYER_GZIP) ||
        !strcmp(mt, "application/vnd.docker.image.rootfs.diff.tar.gzip"))
        return 'g';
    if (!strcmp(mt, IMG_MT_OCI_LAYER_ZSTD)) return 'z';
    return -1;
}

sk_err img_manifest_parse(const char *p, size_t n, const char *content_type,
                          struct img_manifest *out, struct sk_error **err)
{
    memset(out, 0, sizeof(*out));
    if (n > IMG_MAX_JSON) return sk_fail(err, SK_ETOOBIG, "manifest: %zu bytes, over 4 MiB", n);
    struct sk_val *doc = NULL;
    sk_err rc = sk_json_parse(p, n, &doc, err);
    if (rc) {
        sk_error_prefix(err, "manifest");
        return rc;
    }
    if (doc->type != SK_V_MAP) {
        rc = sk_fail(err, SK_EINVAL, "manifest: want a JSON object");
        goto out;
    }
    const struct sk_val *sv = sk_map_get(doc, "schemaVersion");
    if (!sk_val_is(sv, SK_V_INT)) {
        rc = sk_fail(err, SK_EINVAL, "manifest: schemaVersion missing or not an integer");
        goto out;
    }
    if (sv->u.i == 1) {
        rc = sk_fail(err, SK_EINVAL,
                     "manifest: Docker schema 1 manifests are not supported (push the image "
                     "again with a current client)");
        goto out;
    }
    if (sv->u.i != 2) {
        rc = sk_fail(err, SK_EINVAL, "manifest: unsupported schemaVersion %lld",
                     (long long)sv->u.i);
        goto out;
    }
    if ((rc = opt_str(doc, "mediaType", "manifest", &out->media_type, err))) goto out;
    if (!out->media_type && content_type && *content_type) {
        size_t l = strcspn(content_type, "; \t");
        out->media_type = sk_xstrndup(content_type, l);
        /* A registry's generic type says nothing; decide by shape below. */
        if (!strcmp(out->media_type, "application/json") ||
            !strcmp(out->media_type, "application/octet-stream")) {
            free(out->media_type);
            out->media_type = NULL;
        }
    }
    if (!out->media_type) {
        if (sk_map_get(doc, "manifests"))
            out->media_type = sk_xstrdup(IMG_MT_OCI_INDEX);
        else if (sk_map_get(doc, "layers") || sk_map_get(doc, "config"))
            out->media_type = sk_xstrdup(IMG_MT_OCI_MANIFEST);
        else {
            rc = sk_fail(err, SK_EINVAL, "manifest: neither a manifest nor an index");
            goto out;
        }
    }
    const char *mt = out->media_type;
    if (!strcmp(mt, IMG_MT_OCI_INDEX) || !strcmp(mt, IMG_MT_DOCKER_LIST)) {
        out->kind = IMG_KIND_INDEX;
        rc = desc_list(sk_map_get(doc, "manifests"), "manifests", IMG_MAX_MANIFESTS,
                       &out->manifests, &out->n_manifests, err);
    } else if (!strcmp(mt, IMG_MT_OCI_MANIFEST) || !strcmp(mt, IMG_MT_DOCKER_MANIFEST)) {
        out->kind = IMG_KIND_MANIFEST;
        rc = desc_parse(sk_map_get(doc, "config"), "config", &out->config, err);
        if (!rc)
            rc = desc_list(sk_map_get(doc, "layers"), "layers", IMG_MAX_LAYERS, &out->layers,
                           &out->n_layers, err);
        for (size_t i = 0; !rc && i < out->n_layers; i++) {
            if (img_layer_compression(out->layers[i].media_type) < 0)
                rc = sk_fail(err, SK_EINVAL, "layers[%zu]: unsupported layer media type \"%.100s\"",
                             i, out->layers[i].media_type ? out->layers[i].media_type : "");
        }
    } else if (!strncmp(mt, "application/vnd.docker.distribution.manifest.v1", 47)) {
        rc = sk_fail(err, SK_EINVAL, "manifest: Docker schema 1 manifests are not supported");
    } else {
        rc = sk_fail(err, SK_EINVAL, "manifest: unsupported media type \"%.100s\"", mt);
    }
out:
    sk_val_free(doc);
    if (rc) img_manifest_free(out);
    return rc;
}

void img_platform_self(const char **os, const char **arch, const char **variant)
{
    static char arch_buf[80];
    static const char *var;
    struct utsname u;
    *os = "linux";
    if (!arch_buf[0]) {
        const char *a = "unknown";
        if (uname(&u) == 0) {
            if (!strcmp(u.machine, "x86_64"))
                a = "amd64";
            else if (!strcmp(u.machine, "aarch64") || !strcmp(u.machine, "arm64"))
                a = "arm64", var = "v8";
            else if (!strncmp(u.machine, "armv7", 5))
                a = "arm", var = "v7";
            else if (!strncmp(u.machine, "armv6", 5))
                a = "arm", var = "v6";
            else if (!strcmp(u.machine, "i686") || !strcmp(u.machine, "i386"))
                a = "386";
            else if (!strcmp(u.machine, "riscv64"))
                a = "riscv64";
            else if (!strcmp(u.machine, "ppc64le"))
                a = "ppc64le";
            else if (!strcmp(u.machine, "s390x"))
                a = "s390x";
            else
                a = u.machine;
        }
        snprintf(arch_buf, sizeof(arch_buf), "%s", a);
    }
    *arch = arch_buf;
    *variant = var;
}

const struct img_desc *img_index_select(const struct img_manifest *idx, const char *os,
                                        const char *arch, const char *variant,
                                        struct sk_error **err)
{
    const struct img_desc *best = NULL;
    int best_score = -1;
    for (size_t i = 0; i < idx->n_manifests; i++) {
        const struct img_desc *d = &idx->manifests[i];
        if (!d->os || !d->arch || strcmp(d->os, os) || strcmp(d->arch, arch)) continue;
        int score;
        if (variant && d->variant && !strcmp(d->variant, variant))
            score = 2;
        else if (!d->variant || !variant)
            score = 1;
        else
            continue; /* another variant of this architecture (arm v6 on v7) */
        if (score > best_score) best = d, best_score = score;
    }
    if (best) return best;
    struct sk_buf b = {0};
    for (size_t i = 0; i < idx->n_manifests && i < 16; i++) {
        const struct img_desc *d = &idx->manifests[i];
        sk_buf_printf(&b, "%s%s/%s%s%s", i ? ", " : "", d->os ? d->os : "?",
                      d->arch ? d->arch : "?", d->variant ? "/" : "", d->variant ? d->variant : "");
    }
    char *have = sk_buf_take(&b, NULL);
    sk_fail(err, SK_ENOENT, "no image for platform %s/%s%s%s in the index (it has: %s)", os, arch,
            variant ? "/" : "", variant ? variant : "", *have ? have : "nothing");
    free(have);
    return NULL;
}

void img_config_free(struct img_config *c)
{
    if (!c) return;
    for (size_t i = 0; i < c->n_diff_ids; i++)
        free(c->diff_ids[i]);
    free(c->diff_ids);
    free(c->os);
    free(c->arch);
    sk_val_free(c->doc);
    memset(c, 0, sizeof(*c));
}

sk_err img_config_parse(const char *p, size_t n, struct img_config *out, struct sk_error **err)
{
    memset(out, 0, sizeof(*out));
    if (n > IMG_MAX_JSON) return sk_fail(err, SK_ETOOBIG, "image config: %zu bytes, over 4 MiB", n);
    sk_err rc = sk_json_parse(p, n, &out->doc, err);
    if (rc) {
        sk_error_prefix(err, "image config");
        return rc;
    }
    if (out->doc->type != SK_V_MAP) {
        rc = sk_fail(err, SK_EINVAL, "image config: want a JSON object");
        goto fail;
    }
    out->os = dup_or_null(sk_map_get(out->doc, "os"));
    out->arch = dup_or_null(sk_map_get(out->doc, "architecture"));
    const struct sk_val *ids = sk_val_at(out->doc, "rootfs", "diff_ids", NULL);
    if (!sk_val_is(ids, SK_V_ARR)) {
        rc = sk_fail(err, SK_EINVAL, "image config: rootfs.diff_ids missing or not an array");
        goto fail;
    }
    size_t len = sk_arr_len(ids);
    if (len > IMG_MAX_LAYERS) {
        rc = sk_fail(err, SK_ETOOBIG, "image config: %zu layers, at most %d", len, IMG_MAX_LAYERS);
        goto fail;
    }
    out->diff_ids = sk_xcalloc(len ? len : 1, sizeof(char *));
    for (size_t i = 0; i < len; i++) {
        const char *s = sk_val_cstr(sk_arr_get(ids, i));
        if (!img_digest_valid(s)) {
            rc = sk_fail(err, SK_EINVAL,
                         "image config: rootfs.diff_ids[%zu] is not a sha256 digest", i);
            goto fail;
        }
        out->diff_ids[out->n_diff_ids++] = sk_xstrdup(s);
    }
    return SK_OK;
fail:
    img_config_free(out);
    return rc;
}
