/* Image references as Docker writes them: "busybox" is
 * docker.io/library/busybox:latest; a registry host (with a port) comes
 * first when the first component has a '.' or ':' or is "localhost"; a tag
 * follows ':' and a digest '@'. */
#ifndef IMG_REF_H
#define IMG_REF_H

#include "err.h"

struct img_ref {
    char *domain; /* "docker.io", "127.0.0.1:5000", "[::1]:5000" */
    char *path;   /* "library/busybox" */
    char *tag;    /* NULL when a digest was given without a tag */
    char *digest; /* "sha256:<64 hex>" or NULL */
};

/* Parse and normalise s. On success fills *out (free with img_ref_free);
 * on failure *out is zeroed and err says what is wrong with s, e.g.
 * `invalid reference "Busybox": repository name must be lowercase`
 * (SK_EINVAL). Pure; any thread. */
sk_err img_ref_parse(const char *s, struct img_ref *out, struct sk_error **err);
void img_ref_free(struct img_ref *r);

/* "domain/path" (the repository). Caller frees. */
char *img_ref_repo(const struct img_ref *r);
/* The normalised reference: "domain/path:tag", "domain/path@digest" or
 * "domain/path:tag@digest". Caller frees. */
char *img_ref_string(const struct img_ref *r);

/* True when s is "sha256:" and 64 lowercase hex digits. */
int img_digest_valid(const char *s);

#endif
