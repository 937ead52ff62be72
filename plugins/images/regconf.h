/* Registry settings (see registry.h for the file's shape) and credential
 * lookup. Pure; any thread. */
#ifndef IMG_REGCONF_H
#define IMG_REGCONF_H

#include <stdbool.h>

#include "registry.h"

/* Settings inline in skiff.yaml: doc is the mapping under
 * plugins.images.registries (copied), origin (may be NULL) where it was
 * written ("skiff.yaml: line 12, column 5"), which starts messages. */
sk_err img_regconf_from_val(const struct sk_val *doc, const char *origin, struct img_regconf **out,
                            struct sk_error **err);
/* The images plugin's `registries` option (SKIFF_OPT_TREE): a string is a
 * file to load ("" gives empty settings), a mapping is inline. */
sk_err img_regconf_from_option(const void *msgpack, size_t len, const char *origin,
                               struct img_regconf **out, struct sk_error **err);

/* For the agent: check the option (errors as above) and give the file a
 * `skiff image pull --registries` child should read: the option's path,
 * or, for inline settings, DATA_DIR/images/registries.json written now
 * (0600). *path_out is NULL when nothing is configured; caller frees.
 * Blocks on disk (a small file, at start). */
sk_err img_regconf_option_file(const void *msgpack, size_t len, const char *origin,
                               const char *data_dir, char **path_out, struct sk_error **err);

/* The endpoint list (array of URL strings) for host, or for "*", or NULL. */
const struct sk_val *img_regconf_mirrors(const struct img_regconf *c, const char *host);
/* The repository path to ask host's mirrors for: the first rewrite rule of
 * the mirrors entry that applies to host (host's own, else "*") whose
 * pattern matches repo rewrites it (every match, $N naming groups). A new
 * string (caller frees), or NULL when no rule matches. */
char *img_regconf_rewrite(const struct img_regconf *c, const char *host, const char *repo);
/* configs.<host> (auth, tls) or NULL. */
const struct sk_val *img_regconf_host(const struct img_regconf *c, const char *host);
/* Credentials for host, from auths (dockerconfigjson "auths") first, then
 * configs.<host>.auth. Caller frees *user and *pass. */
bool img_regconf_creds(const struct img_regconf *c, const struct sk_val *auths, const char *host,
                       char **user, char **pass);

#endif
