/* Air-gapped images: import of oci-archive and `docker save` tarballs
 * (plain, gzip or zstd), export of images as an oci-archive. Every blob
 * is verified as it is read (an OCI blob against its file name; docker
 * layers against the config's diff_ids when unpacked). Blocks on disk:
 * run from a child process (`skiff image import`). */
#ifndef IMG_ARCHIVE_H
#define IMG_ARCHIVE_H

#include "err.h"
#include "val.h"

#include "unpack.h"

struct img_store;

/* Import every image in the tarball at path and name it: by its
 * io.containerd.image.name or org.opencontainers.image.ref.name annotation
 * (OCI), or its RepoTags (docker); an image with no name (or only a tag)
 * becomes localhost/<file name>[:tag], or @digest without a tag.
 * *names (may be NULL) gets an array of {name, manifest} maps. */
sk_err img_import(struct img_store *s, const char *path, const struct img_unpack_opts *uo,
                  struct sk_val **names, struct sk_error **err);

/* Write the images named in names[0..n) (anything img_resolve accepts) as
 * one oci-archive at path (written to a temp file, then renamed). */
sk_err img_export(struct img_store *s, const char *const *names, size_t n, const char *path,
                  struct sk_error **err);

#endif
