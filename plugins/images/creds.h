/* Registry credentials from image pull secrets (kubernetes.io/dockerconfigjson
 * and the legacy kubernetes.io/dockercfg), looked up for an image the way the
 * kubelet's credential keyring does. Pure; any thread. */
#ifndef IMG_CREDS_H
#define IMG_CREDS_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "val.h"

struct img_cred {
    char *key;    /* normalised "host[:port][/path]", e.g. "*.example.com/team" */
    char *user;   /* may be "" */
    char *pass;   /* may be "" */
    char *source; /* where it came from, "NAMESPACE/SECRET" (for messages) */
};

/* An ordered list: secrets in the order a pod names them, and each
 * secret's entries in document order. Zero-initialise; img_creds_free. */
struct img_creds {
    struct img_cred *v;
    size_t n, cap;
};

void img_creds_free(struct img_creds *c); /* the list's contents; c itself is the caller's */

/* The kubelet's key for a docker config location: an optional http(s)://
 * is dropped, a leading /v1/ or /v2/ of the path too, and a path that is
 * then empty or "/" leaves just the host. NULL (and *why) when loc has no
 * usable host. Caller frees. */
char *img_creds_key(const char *loc, const char **why);

/* Does key (a normalised location, globs allowed in host labels) match
 * repo ("host[:port]/path", as img_ref_repo gives)? As the kubelet's
 * URLsMatchStr: same number of host labels, each matched as a glob
 * (fnmatch), the same port (or none on both), and key's path a prefix of
 * repo's path. */
bool img_creds_match(const char *key, const char *repo);

/* Strict standard base64 (padding required; CR and LF are skipped). On
 * success *out is a new NUL-terminated buffer of *out_len bytes (caller
 * frees); on failure err says "illegal base64 data at input byte N". */
sk_err img_base64_decode(const char *s, size_t n, char **out, size_t *out_len,
                         struct sk_error **err);

/* Append the credentials of one docker config document: legacy is the old
 * .dockercfg shape (a map of location -> entry), else .dockerconfigjson
 * ({"auths": {location: entry}}). An entry has username, password, email
 * and auth (base64 "user:pass", which wins over username/password, as in
 * the kubelet). Entries whose location has no host are skipped. On error
 * c is unchanged and err says what is wrong. source is copied. */
sk_err img_creds_parse(struct img_creds *c, const char *doc, size_t len, bool legacy,
                       const char *source, struct sk_error **err);

/* Append the credentials of a Secret object (the store's map): type
 * kubernetes.io/dockerconfigjson (data[".dockerconfigjson"]) or
 * kubernetes.io/dockercfg (data[".dockercfg"]), base64 as the API keeps
 * data. On error c is unchanged and err says why (wrong type, no data,
 * bad base64, bad JSON). */
sk_err img_creds_add_secret(struct img_creds *c, const struct sk_val *secret,
                            struct sk_error **err);

/* The credentials for repo, in the order the kubelet tries them: keys
 * reverse-sorted (so "host/team" before "host", "x.example.com" before
 * "*.example.com"), each key's credentials in list order; when nothing
 * matches and repo is on Docker Hub, those kept under index.docker.io.
 * Returns how many, with their indexes in *idx (caller frees; NULL when
 * none). */
size_t img_creds_lookup(const struct img_creds *c, const char *repo, size_t **idx);

/* The list as JSON, the agent's hand-over to a pull child:
 * {"credentials": [{"key", "username", "password", "source"}...]}, the
 * username and password in base64 (they may hold any bytes).
 * Caller frees (and should clear it: it holds passwords). */
char *img_creds_to_json(const struct img_creds *c);
/* Append what img_creds_to_json wrote. On error c is unchanged. */
sk_err img_creds_from_json(struct img_creds *c, const char *js, size_t len, struct sk_error **err);

#endif
