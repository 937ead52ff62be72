/* Patches on object trees: JSON merge patch (RFC 7386), JSON patch
 * (RFC 6902) and Kubernetes' strategic merge patch, applied and computed
 * (two-way diff and the three-way patch that `kubectl apply` builds).
 * Pure functions on trees: no I/O, never block, any thread (a tree is used
 * by one thread at a time). */
#ifndef SK_PATCH_H
#define SK_PATCH_H

#include <stdbool.h>

#include "err.h"
#include "schema.h"
#include "val.h"

/* Where strategic merge patch finds patch strategies and merge keys.
 * lookup(ctx, path) gets the dotted field path from the object's root with
 * array indices and map keys left out ("spec.template.spec.containers",
 * "spec.template.spec.containers.ports") and returns the field, or NULL
 * when it knows none. Only merge_key, patch_strategy ("merge", "replace",
 * "retainKeys", "merge,retainKeys") and type (SK_F_MAP: the keys below it
 * are map keys, not fields) are read. A NULL schema, or a NULL answer,
 * means "no strategy": lists are replaced, maps are merged (where
 * Kubernetes would fail with "unable to find api field", skiff carries on,
 * as it has no typed structs to reject the field with). */
struct sk_patch_schema {
    const struct sk_field *(*lookup)(void *ctx, const char *path);
    void *ctx;
};

/* A schema that answers from kind k's field table (sk_kind_field). The
 * struct only borrows k; the kinds table is static. */
struct sk_patch_schema sk_patch_schema_for_kind(const struct sk_kind *k);

/* RFC 7386 JSON merge patch: null deletes a key, an object patch merges
 * recursively, anything else replaces *target. *target may be NULL (no
 * document). On success *target is the patched tree (owned by the caller,
 * as before); the patch is only read. Never fails on well-formed trees;
 * SK_EINVAL when target or patch is NULL. */
sk_err sk_merge_patch(struct sk_val **target, const struct sk_val *patch, struct sk_error **err);

/* RFC 6902 JSON patch: ops is the array of operations (add, remove,
 * replace, move, copy, test) with JSON Pointers (RFC 6901: ~0 and ~1
 * escapes, "-" appends; negative indices count from the end, as in
 * Kubernetes). Atomic: on any error *target is unchanged.
 *   SK_EPROTO  ops is not an array of objects (Kubernetes: 400 BadRequest
 *              from decoding the body);
 *   SK_ETOOBIG more than SK_JSON_PATCH_MAX_OPS operations (413);
 *   SK_EINVAL  an operation does not apply, a test failed, or copies grew
 *              the document by more than SK_JSON_PATCH_MAX_COPY bytes.
 *              The message is evanphx/json-patch's ("testing value /a
 *              failed: test failed"); kube-apiserver answers these with
 *              422 Invalid and the message SK_JSON_PATCH_REJECTED. */
#define SK_JSON_PATCH_MAX_OPS  10000
#define SK_JSON_PATCH_MAX_COPY (3 * 1024 * 1024)
#define SK_JSON_PATCH_REJECTED "the server rejected our request due to an error in our request"
sk_err sk_json_patch(struct sk_val **target, const struct sk_val *ops, struct sk_error **err);

/* Apply a strategic merge patch as kube-apiserver does: maps merge, null
 * deletes, lists with patchStrategy "merge" merge by their merge key (or
 * as sets of primitives), other lists and "replace" fields are replaced.
 * Merged lists come out in Kubernetes' order: the patch's elements in
 * patch order, each server-only element in front of the first patch
 * element that followed it on the server (so new elements land first),
 * or as $setElementOrder/<list> says. Directives: $patch: replace (map or
 * list), $patch: delete (list element by merge key; a map becomes {}),
 * $retainKeys, $setElementOrder/<list>, $deleteFromPrimitiveList/<list>;
 * $patch: merge is refused, as Kubernetes does. No directive and no null
 * from the patch is left in the result (Kubernetes drops them when it
 * converts to its typed structs). patch must be a map; *target NULL means
 * {}. Atomic: on error *target is unchanged; SK_EINVAL with Kubernetes'
 * message ("map: map[image:x] does not contain declared merge key: name",
 * "invalid patch format of retainKeys", ...). schema may be NULL. Cost is
 * quadratic in the length of merged lists, as in Kubernetes. */
sk_err sk_strategic_merge(struct sk_val **target, const struct sk_val *patch,
                          const struct sk_patch_schema *schema, struct sk_error **err);

/* The two-way strategic merge patch that turns original into modified
 * (Kubernetes' CreateTwoWayMergePatch, with $setElementOrder lists):
 * sk_strategic_merge(original, *out) yields modified, up to the documented
 * limits of the format (duplicate primitives in merge lists, elements
 * without their merge key). Both may be NULL ({}). *out is a new map owned
 * by the caller ({} when they are equal). SK_EINVAL when a merge list mixes
 * element types or an element lacks its merge key. */
sk_err sk_strategic_diff(const struct sk_val *original, const struct sk_val *modified,
                         const struct sk_patch_schema *schema, struct sk_val **out,
                         struct sk_error **err);

/* The three-way patch of `kubectl apply` (CreateThreeWayMergePatch with
 * overwrite): original is the last-applied configuration, modified the new
 * one, current the live object. The patch sets what modified changes
 * against current and deletes what modified dropped from original, so
 * fields that others added to current stay. Any argument may be NULL ({}).
 * *out is a new map owned by the caller. Errors as sk_strategic_diff. */
sk_err sk_strategic_three_way(const struct sk_val *original, const struct sk_val *modified,
                              const struct sk_val *current, const struct sk_patch_schema *schema,
                              struct sk_val **out, struct sk_error **err);

#endif
