/* OCI and Docker schema 2 manifests, image indexes / manifest lists and
 * image configs: decoded from untrusted JSON into small structs, with
 * every field's type checked (fuzzed by tests/fuzz/fuzz_manifest.c). */
#ifndef IMG_MANIFEST_H
#define IMG_MANIFEST_H

#include "err.h"
#include "val.h"

#include <stddef.h>
#include <stdint.h>

#define IMG_MT_OCI_MANIFEST    "application/vnd.oci.image.manifest.v1+json"
#define IMG_MT_OCI_INDEX       "application/vnd.oci.image.index.v1+json"
#define IMG_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define IMG_MT_DOCKER_LIST     "application/vnd.docker.distribution.manifest.list.v2+json"
#define IMG_MT_OCI_CONFIG      "application/vnd.oci.image.config.v1+json"
#define IMG_MT_OCI_LAYER       "application/vnd.oci.image.layer.v1.tar"
#define IMG_MT_OCI_LAYER_GZIP  "application/vnd.oci.image.layer.v1.tar+gzip"
#define IMG_MT_OCI_LAYER_ZSTD  "application/vnd.oci.image.layer.v1.tar+zstd"

/* What the Accept header of a manifest request lists. */
#define IMG_MANIFEST_ACCEPT                                                                        \
    IMG_MT_OCI_INDEX ", " IMG_MT_DOCKER_LIST ", " IMG_MT_OCI_MANIFEST ", " IMG_MT_DOCKER_MANIFEST

#define IMG_MAX_LAYERS    256        /* overlayfs stacks at most 500 lower dirs */
#define IMG_MAX_MANIFESTS 1024       /* entries in an index */
#define IMG_MAX_JSON      (4u << 20) /* manifests, indexes, configs: 4 MiB, as registries cap them */

enum img_kind { IMG_KIND_MANIFEST = 1, IMG_KIND_INDEX = 2 };

struct img_desc {
    char *media_type;
    char *digest; /* validated "sha256:<hex>" */
    int64_t size;
    /* index entries only (may be NULL) */
    char *os, *arch, *variant;
    char *ref_name; /* annotation org.opencontainers.image.ref.name */
};

struct img_manifest {
    enum img_kind kind;
    char *media_type;
    struct img_desc config;  /* manifest */
    struct img_desc *layers; /* manifest */
    size_t n_layers;
    struct img_desc *manifests; /* index */
    size_t n_manifests;
};

/* Decode a manifest or index. content_type (may be NULL) is the HTTP
 * Content-Type, used when the document has no mediaType. Schema 1 and
 * unknown types are refused with a message naming them. On failure *out
 * is zeroed. Pure; any thread. */
sk_err img_manifest_parse(const char *p, size_t n, const char *content_type,
                          struct img_manifest *out, struct sk_error **err);
void img_manifest_free(struct img_manifest *m);

/* The index entry for os/arch/variant (variant NULL: any, preferring the
 * machine's). Borrowed from idx, or NULL with err listing what exists. */
const struct img_desc *img_index_select(const struct img_manifest *idx, const char *os,
                                        const char *arch, const char *variant,
                                        struct sk_error **err);

/* This machine's platform in OCI terms ("linux", "amd64"/"arm64"/"arm",
 * variant "v7" etc. or NULL). Static strings. */
void img_platform_self(const char **os, const char **arch, const char **variant);

struct img_config {
    char **diff_ids; /* validated "sha256:<hex>" each */
    size_t n_diff_ids;
    char *os, *arch;
    struct sk_val *doc; /* the whole document, for inspect and the runtime */
};

sk_err img_config_parse(const char *p, size_t n, struct img_config *out, struct sk_error **err);
void img_config_free(struct img_config *c);

/* Layer compression from a layer media type: 0 plain tar, 'g' gzip, 'z'
 * zstd, -1 unknown or not a layer (foreign layers, encrypted layers). */
int img_layer_compression(const char *media_type);

#endif
