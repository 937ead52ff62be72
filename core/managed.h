/* Field management as kube-apiserver does it (structured-merge-diff): sets
 * of field paths in the FieldsV1 form, the comparison of two objects, the
 * server-side apply merge with pruning and conflict detection, and the
 * metadata.managedFields entries that record who owns what. The types of
 * lists (atomic, set, map by keys) come from the kind's schema table.
 * Pure functions on trees: no I/O, never block, any thread. */
#ifndef SK_MANAGED_H
#define SK_MANAGED_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "schema.h"
#include "val.h"

/* A set of field paths: a tree of path elements, each node possibly a
 * member itself. Path elements are kept in their FieldsV1 spelling
 * ("f:name", "k:{\"name\":\"a\"}", "v:\"x\"", "i:0"), canonical, so that
 * equal elements are equal strings; children are sorted as the apiserver
 * sorts them. Owned by the caller; sk_fset_free accepts NULL. */
struct sk_fset;

struct sk_fset *sk_fset_new(void);
void sk_fset_free(struct sk_fset *s);
struct sk_fset *sk_fset_dup(const struct sk_fset *s);
bool sk_fset_empty(const struct sk_fset *s);
bool sk_fset_equal(const struct sk_fset *a, const struct sk_fset *b);
/* Insert the path of n elements (FieldsV1 spelling, canonical). */
void sk_fset_insert(struct sk_fset *s, const char *const *pes, size_t n);
bool sk_fset_has(const struct sk_fset *s, const char *const *pes, size_t n);
/* a |= b; a -= b (members of b leave a); a &= b. */
void sk_fset_union(struct sk_fset *a, const struct sk_fset *b);
void sk_fset_difference(struct sk_fset *a, const struct sk_fset *b);
void sk_fset_intersect(struct sk_fset *a, const struct sk_fset *b);
/* Drop every path that lies at or below a member of b. */
void sk_fset_recursive_difference(struct sk_fset *a, const struct sk_fset *b);

/* FieldsV1 as a tree ({"f:spec":{"f:replicas":{}}}); a new map owned by
 * the caller. */
struct sk_val *sk_fset_to_val(const struct sk_fset *s);
/* Parse FieldsV1 as kube-apiserver does: "." marks a member, an empty
 * object (or null) is a member, unknown element kinds are skipped; a
 * malformed "k:", "v:" or "i:" element or a value that is not an object
 * is SK_EINVAL with a message naming it. *out is new, owned by caller. */
sk_err sk_fset_from_val(const struct sk_val *v, struct sk_fset **out, struct sk_error **err);
/* The same from JSON text. */
sk_err sk_fset_from_json(const char *p, size_t n, struct sk_fset **out, struct sk_error **err);
/* The members as the apiserver prints paths, one call per member in
 * order: ".spec.containers[name=\"a\"].image", "[containerPort=80,
 * protocol=\"TCP\"]", "[=\"x\"]". */
void sk_fset_paths(const struct sk_fset *s, void (*fn)(const char *path, void *arg), void *arg);

/* What a schema says about an object's tree. A NULL kind means untyped:
 * maps are granular, lists atomic. */
struct sk_mschema {
    const struct sk_kind *kind;
};

/* The set of every field obj sets (structured-merge-diff's ToFieldSet):
 * leaves, atomic lists, list items, empty maps and keys of maps. SK_EINVAL
 * when an item of a keyed list lacks a key or a key repeats. */
sk_err sk_fset_of(const struct sk_mschema *sc, const struct sk_val *obj, struct sk_fset **out,
                  struct sk_error **err);

/* The comparison of an old and a new object: paths added, changed and
 * removed (new owned by the caller; any may come back empty). */
struct sk_fcompare {
    struct sk_fset *added, *modified, *removed;
};
void sk_fcompare(const struct sk_mschema *sc, const struct sk_val *old, const struct sk_val *new_,
                 struct sk_fcompare *out);
void sk_fcompare_free(struct sk_fcompare *c);

/* The server-side apply merge: config merged into live field by field;
 * maps recursively, keyed lists by key in the apiserver's order, atomic
 * lists and scalars replaced. Returns a new tree (caller owns); SK_EINVAL
 * for a keyed list whose item lacks its key. */
sk_err sk_apply_merge(const struct sk_mschema *sc, const struct sk_val *live,
                      const struct sk_val *config, struct sk_val **out, struct sk_error **err);

/* ---- managedFields ---- */

/* One entry: who (manager, operation, apiVersion, subresource), when
 * (time, RFC 3339 seconds or "" when absent) and what. */
struct sk_mentry {
    char *manager;
    bool apply; /* operation Apply, else Update */
    char *api_version;
    char *subresource; /* "" for the main resource */
    char *time;
    struct sk_fset *set;
};
struct sk_managed {
    struct sk_mentry *v;
    size_t n, cap;
};
void sk_managed_free(struct sk_managed *m); /* leaves m empty */
/* Decode metadata.managedFields as kube-apiserver does; SK_EINVAL for an
 * entry whose operation is not Apply or Update, whose apiVersion is empty,
 * whose fieldsType is not FieldsV1 or whose fieldsV1 does not parse.
 * NULL or [] gives an empty m. */
sk_err sk_managed_decode(const struct sk_val *mf, struct sk_managed *m, struct sk_error **err);
/* The entries as an array in kube-apiserver's order (Apply first, then by
 * time, manager, apiVersion, subresource), or NULL when there are none. */
struct sk_val *sk_managed_encode(const struct sk_managed *m);

/* The manager of a write: fieldManager, or the User-Agent up to its first
 * '/', printable characters only, at most 128 bytes. Caller frees. */
char *sk_managed_manager_name(const char *field_manager, const char *user_agent);

/* What a write is: its manager, apiVersion ("apps/v1"), subresource
 * ("" or NULL, "status", "scale") and the time to record. */
struct sk_mop {
    const char *manager;
    const char *api_version;
    const char *subresource;
    const char *now;
};

/* Record an Update of old (NULL on create) into new_: the changed fields
 * go to the manager and leave everyone else; managers left with nothing
 * vanish. The base entries are taken from new_'s managedFields when they
 * are valid and not empty (a client may rewrite them), else from old's.
 * new_'s metadata.managedFields is replaced by the result. */
void sk_managed_update(const struct sk_mschema *sc, const struct sk_val *old, struct sk_val *new_,
                       const struct sk_mop *op);

/* One conflict: the other manager (as the apiserver prints it:
 * "\"name\" using apps/v1") and the path (".spec.replicas"). */
struct sk_mconflict {
    char *manager;
    char *path;
};
struct sk_mconflicts {
    struct sk_mconflict *v;
    size_t n, cap;
};
void sk_mconflicts_free(struct sk_mconflicts *c);
/* "Apply failed with 1 conflict: conflict with \"m\" using v1: .spec.x"
 * or the plural form grouped by manager. Caller frees. */
char *sk_mconflicts_message(const struct sk_mconflicts *c);

/* Server-side apply of config onto live (NULL: create) for op's manager.
 * On success *out is the new object (caller owns) with its managedFields
 * set; *changed tells whether it differs from live at all. SK_ECONFLICT
 * when fields others own would change and force is false (conflicts
 * filled); SK_EINVAL when config does not fit the schema. */
sk_err sk_managed_apply(const struct sk_mschema *sc, const struct sk_val *live,
                        const struct sk_val *config, const struct sk_mop *op, bool force,
                        struct sk_val **out, struct sk_mconflicts *conflicts,
                        struct sk_error **err);

#endif
