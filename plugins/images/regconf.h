/* Registry settings (see registry.h for the file's shape) and credential
 * lookup. Pure; any thread. */
#ifndef IMG_REGCONF_H
#define IMG_REGCONF_H

#include <stdbool.h>

#include "registry.h"

/* The endpoint list (array of URL strings) for host, or for "*", or NULL. */
const struct sk_val *img_regconf_mirrors(const struct img_regconf *c, const char *host);
/* configs.<host> (auth, tls) or NULL. */
const struct sk_val *img_regconf_host(const struct img_regconf *c, const char *host);
/* Credentials for host, from auths (dockerconfigjson "auths") first, then
 * configs.<host>.auth. Caller frees *user and *pass. */
bool img_regconf_creds(const struct img_regconf *c, const struct sk_val *auths, const char *host,
                       char **user, char **pass);

#endif
