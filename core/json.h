/* JSON <-> value trees, as the Kubernetes API speaks it: key order kept,
 * integers and floats distinct, output escaped the way Go's encoding/json
 * escapes it. Parsing uses jansson; writing goes straight into a buffer. */
#ifndef SK_JSON_H
#define SK_JSON_H

#include <stddef.h>

#include "err.h"
#include "val.h"

enum {
    SK_JSON_COMPACT = 0, /* no whitespace at all */
    SK_JSON_PRETTY = 1,  /* 4-space indent, "key": value, like kubectl -o json */
};

/* Parse one JSON value from p[0..n). Duplicate keys, integers beyond int64,
 * trailing text and nesting deeper than SK_VAL_MAX_DEPTH are errors, with
 * messages like "line 3, column 7: duplicate object key near '"a"'"
 * (SK_EINVAL). String values may hold \u0000 (keys may not: jansson
 * refuses them). On success *out is a new tree the caller owns. Does not
 * block; any thread. */
sk_err sk_json_parse(const char *p, size_t n, struct sk_val **out, struct sk_error **err);

/* Repeated keys in a request body, as Kubernetes' strict decoding names
 * them: the key's path ("metadata.name", "spec.containers[0].env[1].name"),
 * each path once, in the order the repeats appear, at most
 * SK_JSON_MAX_DUPS (Go's decoder keeps as many). */
#define SK_JSON_MAX_DUPS 100
struct sk_json_dups {
    char **paths;
    size_t *at; /* per path: how many keys of the text come before the repeat */
    size_t n;
};

/* sk_json_parse, except that a key repeated within one object is no error:
 * the last value wins (as with Go's decoder, at the first occurrence's
 * place in key order) and *dups gets the repeated keys' paths. Free dups
 * with sk_json_dups_free, also on error (it is then empty). Any thread. */
sk_err sk_json_parse_dups(const char *p, size_t n, struct sk_val **out, struct sk_json_dups *dups,
                          struct sk_error **err);
void sk_json_dups_free(struct sk_json_dups *d);

/* Where each of paths[0..npaths) first appears in the JSON text p[0..n):
 * pos[i] counts the keys before it, comparable with sk_json_dups.at, or is
 * SIZE_MAX when the text has no such key. Strict decoding errors are
 * listed in the order the decoder meets them. p must be valid JSON. */
void sk_json_key_positions(const char *p, size_t n, const char *const *paths, size_t npaths,
                           size_t *pos);

/* Append v as JSON to out. Keys come in stored order; floats in their
 * shortest exact form, always with '.' or an exponent (1.0, not 1);
 * NaN and infinities as null; invalid UTF-8 as U+FFFD; <, >, &, U+2028 and
 * U+2029 as \u escapes. No trailing newline. Any thread. */
void sk_json_write(const struct sk_val *v, int flags, struct sk_buf *out);

/* Same, into a new NUL-terminated string the caller frees; *len (if not
 * NULL) gets its length. */
char *sk_json_dump(const struct sk_val *v, int flags, size_t *len);

#endif
