/* Layer unpacking: a layer blob (tar, gzip or zstd) becomes a directory
 * overlayfs can stack, with OCI whiteouts turned into overlayfs ones
 * (".wh.NAME" -> character device 0:0 NAME; ".wh..wh..opq" -> the
 * trusted.overlay.opaque=y xattr on its directory). Entries that would
 * land outside the layer (absolute paths, "..", paths through symlinks,
 * hard links to such paths) and device nodes are refused, and the
 * uncompressed stream must hash to the layer's diff_id. Blocks on disk,
 * and changes the working directory while it runs: call it only from a
 * single-threaded process (the `skiff image ...` children, tests). */
#ifndef IMG_UNPACK_H
#define IMG_UNPACK_H

#include "err.h"

#include <stdbool.h>
#include <stdint.h>

struct img_store;

struct img_unpack_opts {
    bool allow_devices; /* keep character and block device nodes */
};

struct img_unpack_stats {
    uint64_t compressed, uncompressed; /* bytes read from the blob / the tar */
    uint64_t entries;
    double seconds;
};

/* Unpack the tar stream read from fd into dest (an existing empty
 * directory). expect_diffid (may be NULL) is checked against the sha256 of
 * the uncompressed bytes. On failure dest holds debris the caller
 * removes. o and st may be NULL. */
sk_err img_unpack_fd(int fd, const char *dest, const char *expect_diffid,
                     const struct img_unpack_opts *o, struct img_unpack_stats *st,
                     struct sk_error **err);

/* Unpack blob `digest` of the store into layers/sha256/<diffid hex>/,
 * atomically: into a temp dir first, then rename. Nothing to do when the
 * layer is already there; when another process finishes it first, ours
 * is discarded. */
sk_err img_unpack_layer(struct img_store *s, const char *digest, const char *diffid,
                        const struct img_unpack_opts *o, struct img_unpack_stats *st,
                        struct sk_error **err);

/* Mount an image's root file system: overlayfs with the image's layers
 * (top layer first) under upper (the container's writable dir, with work
 * on the same file system), at target. upper and work may be NULL for a
 * read-only mount. The option string must fit in a page: an image whose
 * layer paths do not fit gives SK_ETOOBIG. Needs CAP_SYS_ADMIN. */
sk_err img_rootfs_mount(struct img_store *s, const char *manifest_digest, const char *upper,
                        const char *work, const char *target, struct sk_error **err);

#endif
