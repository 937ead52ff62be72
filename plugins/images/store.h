/* The image store: content-addressed blobs, unpacked layers and the names
 * that point at images, all under DATA_DIR/images:
 *
 *   blobs/sha256/<hex>    manifests, configs, compressed layers (verified)
 *   layers/sha256/<hex>/  one unpacked layer per diff_id (overlayfs lower)
 *   refs.json             name -> {manifest, config, index, size, times}
 *   tmp/                  downloads and unpacks in progress, trash
 *   locks/                one flock file per blob being fetched
 *   gc.lock, refs.lock    see below
 *
 * Every file appears by rename(2) only once complete and verified, so a
 * crash or a failed pull leaves at most debris in tmp/, which the next
 * sweep removes. Several processes may use one store at once (the agent's
 * children, the CLI): writers of refs.json hold refs.lock; pulls and
 * imports hold gc.lock shared while they run and a sweep (prune, rm, GC)
 * holds it exclusively, so a sweep never deletes what a pull is about to
 * reference; a blob being fetched is flock'ed in locks/ so two pulls of one
 * image fetch each blob once.
 *
 * All functions block on disk (and flock where they say so): call them
 * from a worker thread or a child process, never from the agent's loop. */
#ifndef IMG_STORE_H
#define IMG_STORE_H

#include "err.h"
#include "val.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest.h"

struct img_store;

/* Open (creating the directories) DATA_DIR/images. */
sk_err img_store_open(const char *data_dir, struct img_store **out, struct sk_error **err);
void img_store_close(struct img_store *s); /* NULL ok */
const char *img_store_root(const struct img_store *s);

/* Paths (caller frees). digest / diffid must be valid sha256 digests. */
char *img_blob_path(const struct img_store *s, const char *digest);
char *img_layer_path(const struct img_store *s, const char *diffid);
/* A fresh unique path under tmp/ with the given prefix (not created). */
char *img_tmp_path(const struct img_store *s, const char *prefix);
bool img_blob_exists(const struct img_store *s, const char *digest);
bool img_layer_exists(const struct img_store *s, const char *diffid);

/* SHA-256 of a stream (OpenSSL libcrypto). */
struct img_sha;
struct img_sha *img_sha_new(void);
void img_sha_update(struct img_sha *h, const void *p, size_t n);
/* "sha256:<hex>" into out (72 bytes); h is freed. */
void img_sha_final(struct img_sha *h, char out[72]);
void img_sha_free(struct img_sha *h); /* NULL ok */

/* Writing a blob: bytes go to a temp file and are hashed as they come; commit
 * checks the digest (and the size, when expected_size >= 0) and renames the
 * file into blobs/; a mismatch deletes it. expect may be NULL (the digest
 * is then whatever the bytes hash to). Commit and abort free in. */
struct img_ingest;
sk_err img_ingest_begin(struct img_store *s, const char *expect, int64_t expected_size,
                        struct img_ingest **out, struct sk_error **err);
sk_err img_ingest_write(struct img_ingest *in, const void *p, size_t n, struct sk_error **err);
int64_t img_ingest_size(const struct img_ingest *in);
/* Start again from zero bytes (a retried download). */
sk_err img_ingest_reset(struct img_ingest *in, struct sk_error **err);
sk_err img_ingest_commit(struct img_ingest *in, char digest_out[72], struct sk_error **err);
void img_ingest_abort(struct img_ingest *in); /* NULL ok */

/* Whole small blobs (manifests, configs). put: expect may be NULL;
 * digest_out (may be NULL) gets the digest. read: at most limit bytes,
 * verified against the digest on every read (the caller owns *p). */
sk_err img_blob_put(struct img_store *s, const void *p, size_t n, const char *expect,
                    char digest_out[72], struct sk_error **err);
sk_err img_blob_read(struct img_store *s, const char *digest, size_t limit, char **p, size_t *n,
                     struct sk_error **err);

/* Locks. img_lock_blob: an fd holding flock(LOCK_EX) on locks/<kind>-<hex>
 * (kind "blob" while fetching, "layer" while unpacking), or
 * -1 with errno EWOULDBLOCK when another process holds it and wait is
 * false, or -1 with another errno on failure. img_lock_gc: op is LOCK_SH
 * or LOCK_EX; same returns. Release with img_unlock (closes the fd). */
int img_lock_blob(struct img_store *s, const char *kind, const char *digest, bool wait);
int img_lock_gc(struct img_store *s, int op, bool wait);
void img_unlock(int fd);

/* Names. refs.json is a JSON object: name -> {"manifest", "config",
 * "index" (when pulled through an index), "size" (bytes of blobs),
 * "created", "lastUsed" (Unix seconds)}. */
sk_err img_refs_load(struct img_store *s, struct sk_val **out, struct sk_error **err);
/* Add or replace name (normalised reference string). */
sk_err img_refs_set(struct img_store *s, const char *name, const struct sk_val *rec,
                    struct sk_error **err);
/* Remove name; SK_ENOENT when absent. */
sk_err img_refs_del(struct img_store *s, const char *name, struct sk_error **err);
/* Mark an image used now (the image GC removes the least recently used). */
sk_err img_refs_touch(struct img_store *s, const char *name, struct sk_error **err);

/* Find an image by what a user typed: a reference ("busybox",
 * "host:5000/app:v1", "repo@sha256:..."), a manifest digest, or a prefix
 * (at least 4 hex digits) of an image id (the config digest) or of a
 * manifest digest. *name_out gets the ref name and *rec_out a copy of its
 * record (caller frees both). SK_ENOENT: "image \"x\" not found";
 * SK_EINVAL for an ambiguous prefix. */
sk_err img_resolve(struct img_store *s, const char *what, char **name_out, struct sk_val **rec_out,
                   struct sk_error **err);

/* Load an image's manifest (and config, when c is not NULL) by manifest
 * digest, verifying both blobs. */
sk_err img_image_load(struct img_store *s, const char *manifest_digest, struct img_manifest *m,
                      struct img_config *c, struct sk_error **err);

/* Remove blobs and layers that no name reaches, and stale temp files.
 * Takes gc.lock exclusively: waits when wait is true, else returns
 * SK_EAGAIN when a pull or import is running. freed (may be NULL) gets
 * the bytes of blob files removed. */
sk_err img_sweep(struct img_store *s, bool wait, uint64_t *freed, struct sk_error **err);

/* Image garbage collection as the kubelet does it: when the file system
 * holding the store is more than high_pct used, remove images by least
 * recent use (skipping those in_use says are used by containers) and
 * sweep, until use is at most low_pct. removed (may be NULL) counts the
 * images removed. */
typedef bool (*img_in_use_fn)(const char *name, const struct sk_val *rec, void *arg);
sk_err img_gc(struct img_store *s, int high_pct, int low_pct, img_in_use_fn in_use, void *arg,
              int *removed, struct sk_error **err);

/* Percentage (0..100) of the store's file system in use, or -1. */
int img_disk_used_pct(struct img_store *s);

/* Remove a directory tree without following symlinks (for layer dirs and
 * temp dirs). Missing is fine. */
sk_err img_rmtree(const char *path, struct sk_error **err);
/* mkdir -p with mode for the missing parts. */
sk_err img_mkdirs(const char *path, int mode, struct sk_error **err);

#endif
