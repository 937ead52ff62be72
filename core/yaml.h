/* YAML <-> value trees, read the way kubectl reads manifests (go-yaml v2
 * scalar rules through sigs.k8s.io/yaml) and written the way
 * `kubectl get -o yaml` prints objects. Parsing uses libyaml's event API;
 * the writer is hand-made for kubectl's exact layout. */
#ifndef SK_YAML_H
#define SK_YAML_H

#include <stddef.h>

#include "err.h"
#include "val.h"

/* Parse every document of a YAML stream in p[0..n). *docs_out becomes a
 * new SK_V_ARR (caller owns) holding one tree per document; documents that
 * are empty or null are skipped. fname (may be NULL) starts each error
 * message: "deploy.yaml: line 4, column 3: mapping values are not allowed in
 * this context" (SK_EINVAL).
 *
 * Plain scalars resolve as go-yaml v2 does (yes/no/on/off are booleans,
 * ~ and empty are null, 0x/0o/0b/underscored integers, .inf/.nan, 1e3 is a
 * float; integers beyond int64 become floats); quoted and block scalars are
 * strings; !!str, !!int, !!float, !!bool, !!null, !!map, !!seq, !!binary
 * (kept as its text) are honoured and other tags ignored. Non-string keys
 * become their string form, as sigs.k8s.io/yaml does; null or collection
 * keys and repeated keys are errors. Anchors and aliases are expanded,
 * merge keys (<<) applied; nesting deeper than SK_VAL_MAX_DEPTH and
 * expansion beyond 1,000,000 nodes (over the input's size) are errors.
 * Does not block; any thread. */
sk_err sk_yaml_parse_all(const char *p, size_t n, const char *fname, struct sk_val **docs_out,
                         struct sk_error **err);

/* Like sk_yaml_parse_all for a stream that must hold at most one
 * document: *out is that document, or a null value when there is none;
 * two or more are an error. */
sk_err sk_yaml_parse_one(const char *p, size_t n, const char *fname, struct sk_val **out,
                         struct sk_error **err);

/* Append v as one YAML document, kubectl style: 2-space indent, block
 * style, sequences inside a mapping not indented, strings quoted only when
 * a plain scalar would read back differently, multi-line strings as |
 * blocks where that is exact, {} and [] for empty collections. Parsing the
 * result gives back an equal tree. Any thread. */
void sk_yaml_write(const struct sk_val *v, struct sk_buf *out);

/* Same, into a new NUL-terminated string the caller frees. */
char *sk_yaml_dump(const struct sk_val *v, size_t *len);

/* Each element of the array docs as a document, separated by "---". */
char *sk_yaml_dump_all(const struct sk_val *docs, size_t *len);

#endif
