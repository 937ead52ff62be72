/* API discovery: the bodies kube-apiserver answers on /api, /api/v1, /apis,
 * /apis/GROUP and /apis/GROUP/VERSION, in the legacy form (APIVersions,
 * APIGroupList, APIGroup, APIResourceList) and the aggregated form
 * (apidiscovery.k8s.io/v2 APIGroupDiscoveryList) that kubectl 1.32 asks for.
 * Everything is derived from the schema table (core/schema.h); no I/O. */
#ifndef SK_DISCOVERY_H
#define SK_DISCOVERY_H

#include <stdbool.h>
#include <stddef.h>

#include "val.h"

/* Content types of the aggregated forms. */
#define SK_DISC_CT_V2 "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
#define SK_DISC_CT_V2BETA1                                                                         \
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"
#define SK_DISC_CT_JSON "application/json"

/* Which representation an Accept header asks for on /api and /apis. */
enum sk_disc_form {
    SK_DISC_LEGACY = 0,  /* APIVersions / APIGroupList */
    SK_DISC_AGG_V2,      /* apidiscovery.k8s.io/v2 */
    SK_DISC_AGG_V2BETA1, /* apidiscovery.k8s.io/v2beta1 (same shape) */
};

/* The first media range in accept (client order; q=0 ranges skipped) that
 * names APIGroupDiscoveryList in group apidiscovery.k8s.io at v2 or
 * v2beta1 picks the aggregated form; anything else (NULL, application/json,
 * * / *) is legacy. Pure; any thread. */
enum sk_disc_form sk_discovery_form(const char *accept);

/* ---- builders: each returns a new tree the caller owns ---- */

/* /api: {"kind":"APIVersions","versions":["v1"],
 * "serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":...}]}.
 * server_address is "host:port" (NULL gives "127.0.0.1:6443"). */
struct sk_val *sk_discovery_api_versions(const char *server_address);
/* /apis: APIGroupList of every non-core group with its versions and
 * preferredVersion. */
struct sk_val *sk_discovery_group_list(void);
/* /apis/GROUP: APIGroup, or NULL when no kind has that group. */
struct sk_val *sk_discovery_group(const char *group);
/* /api/v1 (group "") or /apis/GROUP/VERSION: APIResourceList with every
 * resource and subresource, or NULL when the group-version is not served. */
struct sk_val *sk_discovery_resource_list(const char *group, const char *version);
/* Aggregated discovery: core (true) is the /api list (one item, the core
 * group), else the /apis list (every other group). form picks the
 * apiVersion (SK_DISC_AGG_V2 or SK_DISC_AGG_V2BETA1). */
struct sk_val *sk_discovery_aggregated(bool core, enum sk_disc_form form);

/* ---- the cache the API serves from ---- */

/* Every discovery body, rendered once as compact JSON. Immutable after
 * sk_discovery_new returns, so any thread may read it concurrently. */
struct sk_discovery;

/* Build the cache (a few ms; call once at start). server_address as for
 * sk_discovery_api_versions. Never fails (aborts only on OOM). */
struct sk_discovery *sk_discovery_new(const char *server_address);
void sk_discovery_free(struct sk_discovery *d); /* NULL ok */

/* A cached answer. All pointers borrow from the cache. */
struct sk_disc_body {
    const char *body;
    size_t len;
    const char *content_type; /* SK_DISC_CT_* */
    const char *etag;         /* quoted strong ETag of the body, e.g. "\"1f3a...\"" */
};

/* If path (query string ignored, one trailing '/' tolerated) is /api,
 * /api/v1, /apis, /apis/GROUP or /apis/GROUP/VERSION of a served group,
 * fill *out and return true; accept picks legacy or aggregated for /api
 * and /apis (other paths are always legacy JSON). Returns false for
 * anything else, including unknown groups and versions (the API answers
 * 404 then). The API should answer 304 when If-None-Match equals etag.
 * Does not block; any thread. */
bool sk_discovery_lookup(const struct sk_discovery *d, const char *path, const char *accept,
                         struct sk_disc_body *out);

/* storageVersionHash for a kind: base64 of 8 bytes of a stable hash of
 * "group/version/Kind". Writes at most 16 bytes with the NUL. */
void sk_discovery_version_hash(const char *group, const char *version, const char *kind,
                               char out[16]);

#endif
