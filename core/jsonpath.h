/* kubectl's JSONPath templates (k8s.io/client-go/util/jsonpath): text
 * with {actions}: fields (.a.b, ['a.b']), wildcards (*, [*]), recursive
 * descent (..name), indexes and slices ([0], [-1], [1:3], [::2]), unions
 * ([0,2]), filters ([?(@.x=="y")], [?(@.x)], <, >, <=, >=, !=), literals
 * ({"\n"}, 1, 1.5, true) and {range ...}{end} loops. Results print as
 * kubectl prints them: strings raw, numbers and booleans as Go's fmt does,
 * maps and lists as compact JSON with sorted keys, values of one action
 * separated by spaces. Pure functions, any thread. */
#ifndef SK_JSONPATH_H
#define SK_JSONPATH_H

#include <stdbool.h>

#include "err.h"
#include "val.h"

struct sk_jsonpath;

/* Parse a template. Errors carry the parser's own words as kubectl shows
 * them after "error parsing jsonpath TEMPLATE, " ("unclosed action",
 * "unrecognized character in action: U+0021 '!'", "invalid array index x",
 * ...). *out is freed with sk_jsonpath_free. */
sk_err sk_jsonpath_parse(const char *tmpl, struct sk_jsonpath **out, struct sk_error **err);
void sk_jsonpath_free(struct sk_jsonpath *jp); /* NULL ok */

/* Evaluate against root. *sets_out (caller owns) is an array of result
 * sets (one per text piece or action, and per range iteration), each an
 * array of copied values. allow_missing: a missing map key yields nothing
 * instead of the error "x is not found". */
sk_err sk_jsonpath_find(const struct sk_jsonpath *jp, const struct sk_val *root, bool allow_missing,
                        struct sk_val **sets_out, struct sk_error **err);

/* Evaluate and print the results into out as kubectl's -o jsonpath does. */
sk_err sk_jsonpath_exec(const struct sk_jsonpath *jp, const struct sk_val *root, bool allow_missing,
                        struct sk_buf *out, struct sk_error **err);

/* kubectl's RelaxedJSONPathExpression for custom-columns and --sort-by:
 * "a.b", ".a.b", "{a.b}" and "{.a.b}" all become "{.a.b}". NULL when the
 * expression has another shape (kubectl's "unexpected path string,
 * expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or
 * '{.name1.name2}'"). "" stays "". Caller frees. */
char *sk_jsonpath_relaxed(const char *expr);

/* A value as Go's fmt.Sprint prints what JSON decoding made of it
 * ("map[a:1 b:[x y]]", "<nil>", "1.5"): custom-columns cells. */
void sk_go_sprint(const struct sk_val *v, struct sk_buf *out);
/* Go's %v of a float64 ("1e+06", "0.5", "+Inf"). */
void sk_go_float(double f, struct sk_buf *out);
/* A value as jsonpath prints one result (strings raw, containers as
 * compact JSON with sorted keys). */
void sk_jsonpath_print_value(const struct sk_val *v, struct sk_buf *out);

#endif
