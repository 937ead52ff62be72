/* OpenAPI documents generated from the schema table: /openapi/v2 (Swagger
 * 2.0) and /openapi/v3 (an index plus one OpenAPI 3.0 document per
 * group-version), with the definitions, Kubernetes extensions
 * (x-kubernetes-group-version-kind, patch merge keys and strategies, list
 * types) and the REST paths kubectl reads: explain finds a resource's kind
 * through its paths, apply looks for "fieldValidation" among a PATCH
 * operation's parameters and for the strategic merge patch content type.
 * Pure functions of the schema table; no I/O. */
#ifndef SK_OPENAPI_H
#define SK_OPENAPI_H

#include <stdbool.h>
#include <stddef.h>

#include "val.h"

/* ---- builders: each returns a new tree the caller owns ---- */

/* The whole Swagger 2.0 document (every kind). */
struct sk_val *sk_openapi_v2(void);
/* The OpenAPI 3.0 document of one group-version ("" for core), or NULL if
 * no kind is served there. */
struct sk_val *sk_openapi_v3(const char *group, const char *version);

/* ---- the cache the API serves from ---- */

/* Every document rendered once as compact JSON, with its hash. Immutable
 * after sk_openapi_new returns; any thread may read it concurrently. */
struct sk_openapi;

/* Build all documents (tens of ms; call once at start, off the hot path).
 * Aborts only on OOM. */
struct sk_openapi *sk_openapi_new(void);
void sk_openapi_free(struct sk_openapi *o); /* NULL ok */

struct sk_openapi_body {
    int status;       /* 200, or 406 when accept allows no form we serve */
    const char *body; /* borrowed from the cache; NULL when status != 200 */
    size_t len;
    const char *content_type;  /* "application/json" */
    const char *etag;          /* quoted ETag of the body */
    const char *cache_control; /* header value to send */
};

/* If path is /openapi/v2, /openapi/v3 or /openapi/v3/api/v1,
 * /openapi/v3/apis/GROUP/VERSION of a served group-version, fill *out and
 * return true; otherwise false (the API answers 404). query is the raw
 * query string without '?' (may be NULL): a "hash=" matching the document
 * makes the answer immutable-cacheable as kube-apiserver does. accept
 * decides v2's form: skiff serves JSON only, so an Accept that lists only
 * the protobuf form (what client-go's OpenAPISchema() sends) gets 406;
 * client-go then reports the error and kubectl falls back to v3 or its
 * built-in type data. The index (/openapi/v3) is
 * {"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=..."},...}}.
 * Does not block; any thread. */
bool sk_openapi_lookup(const struct sk_openapi *o, const char *path, const char *query,
                       const char *accept, struct sk_openapi_body *out);

#endif
