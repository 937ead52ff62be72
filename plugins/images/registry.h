/* Pulling images over the OCI distribution API (libcurl through dl.h):
 * manifests and indexes (OCI and Docker schema 2) with platform selection,
 * bearer-token and basic auth, redirects, retries with back-off, blobs
 * fetched in parallel and verified by digest as they stream, layers
 * unpacked into the store. Registries on localhost and 127.0.0.0/8 are
 * tried over plain HTTP when they do not speak HTTPS, as Docker does.
 *
 * Everything here blocks (network, disk, flock): it runs in `skiff image
 * pull` child processes, never in the agent itself. */
#ifndef IMG_REGISTRY_H
#define IMG_REGISTRY_H

#include "err.h"
#include "val.h"

#include <stdint.h>

#include "unpack.h"

struct img_store;

/* Registry settings in the shape of k3s's registries.yaml:
 *
 *   mirrors:
 *     docker.io:
 *       endpoint: ["https://mirror.local:5000", "http://10.0.0.2:5000"]
 *   configs:
 *     mirror.local:5000:
 *       auth: {username: u, password: p}     # or auth: base64(u:p)
 *       tls: {ca_file: /etc/ssl/ca.pem, cert_file: ..., key_file: ...,
 *             insecure_skip_verify: false}
 *
 *   mirrors:
 *     docker.io:
 *       endpoint: ["http://mirror.local:5000"]
 *       rewrite: {"^library/(.*)": "mirror/$1"}
 *
 * As in k3s and containerd: the endpoints of the registry's own mirrors
 * entry (else of "*") are tried in order, each failure falling through to
 * the next, then the registry itself, whose answer is final. Requests to a
 * mirror carry ?ns=<registry> and the repository as rewritten by the
 * entry's first matching rule (POSIX extended regex); the registry itself
 * gets the name unchanged. An http:// endpoint is plain HTTP.
 *
 * The same mapping may sit inline in skiff.yaml under
 * plugins.images.registries (a string there names a file), and a
 * skiff.yaml given where a registries file is expected is read that way. */
struct img_regconf;
/* Parse YAML text; fname names the source in messages. Unknown keys are
 * errors. */
sk_err img_regconf_parse(const char *text, size_t n, const char *fname, struct img_regconf **out,
                         struct sk_error **err);
/* Read and parse a file; path NULL or "" gives empty settings. */
sk_err img_regconf_load(const char *path, struct img_regconf **out, struct sk_error **err);
void img_regconf_free(struct img_regconf *c); /* NULL ok */

enum img_progress_event {
    IMG_PROGRESS_RESOLVED, /* manifest known: total = bytes to fetch, n = blobs */
    IMG_PROGRESS_BYTES,    /* digest: done of total bytes */
    IMG_PROGRESS_BLOB,     /* digest fetched (done = size) or present (done = -1) */
    IMG_PROGRESS_UNPACK,   /* digest = diff_id being unpacked */
};
typedef void (*img_progress_fn)(void *arg, enum img_progress_event ev, const char *digest,
                                int64_t done, int64_t total);

struct img_pull_opts {
    const struct img_regconf *conf; /* may be NULL */
    /* Credentials in the shape of a kubernetes.io/dockerconfigjson Secret's
     * "auths" map (host -> {auth | username, password}); may be NULL. They
     * win over the configuration's. */
    const struct sk_val *auths;
    const char *os, *arch, *variant; /* NULL: this machine's */
    int parallel;                    /* blobs fetched at once; 0: 4 */
    int retries;                     /* attempts per request; 0: 4 */
    const struct img_unpack_opts *unpack;
    img_progress_fn progress; /* may be NULL; called on the pulling thread */
    void *progress_arg;
};

struct img_pull_result {
    char name[512];    /* the normalised reference the image is stored under */
    char manifest[72]; /* the platform's manifest digest */
    char index[72];    /* the index it came from, or "" */
    char config[72];   /* the image id */
    uint64_t fetched_bytes;
    int fetched_blobs, present_blobs;
};

/* The endpoints a pull of domain/repo ("docker.io", "library/busybox")
 * tries, in order: an array (caller frees) of maps {url, repo (as asked
 * of that endpoint, after rewrites), mirror (bool)}. conf may be NULL.
 * Pure; any thread. */
struct sk_val *img_pull_plan(const struct img_regconf *conf, const char *domain, const char *repo);

/* Pull ref into the store and name it. res (may be NULL) gets what was
 * pulled. Errors read like "pull 127.0.0.1:5000/busybox:latest: ...". A
 * failed pull leaves no partial file: verified blobs it already stored
 * stay until a sweep finds them unreferenced. */
sk_err img_pull(struct img_store *s, const char *ref, const struct img_pull_opts *o,
                struct img_pull_result *res, struct sk_error **err);

#endif
