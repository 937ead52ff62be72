/* kubectl's -o go-template: the subset of Go's text/template that
 * templates over Kubernetes objects use (actions, fields, variables,
 * pipelines, if/else if/with/range/break/continue, define/template/block,
 * comments and {{- -}} trimming, the builtin functions and kubectl's
 * base64decode and exists). Values follow what kubectl hands the engine:
 * JSON integers are int64, other numbers float64, constants int or
 * float64, so comparisons and printf verbs fail and print as Go's do.
 * Pure functions, any thread. */
#ifndef SK_GOTEMPLATE_H
#define SK_GOTEMPLATE_H

#include <stdbool.h>

#include "err.h"
#include "val.h"

struct sk_gotemplate;
struct sk_cli;

/* Parse a template named "output" (as kubectl names it). Errors read as
 * Go's: "template: output:1: unclosed action". *out is freed with
 * sk_gotemplate_free. */
sk_err sk_gotemplate_parse(const char *tmpl, size_t len, struct sk_gotemplate **out,
                           struct sk_error **err);
void sk_gotemplate_free(struct sk_gotemplate *t); /* NULL ok */

/* Execute against root, appending the text to out. allow_missing is
 * kubectl's --allow-missing-template-keys: false turns a missing map key
 * into an error ("map has no entry for key \"x\""). On error, out keeps
 * what was written before it, as Go's writer would, and err reads as
 * Go's: "template: output:1:2: executing \"output\" at <.x>: ...". */
sk_err sk_gotemplate_exec(const struct sk_gotemplate *t, const struct sk_val *root,
                          bool allow_missing, struct sk_buf *out, struct sk_error **err);

/* A value as Go's fmt.Sprint prints what kubectl decodes from JSON:
 * integers as int64, maps as "map[k:v ...]" with sorted keys, null as
 * "<nil>". */
void sk_gotemplate_sprint(const struct sk_val *v, struct sk_buf *out);

/* Whether fmt is one of -o go-template=, go-template-file=, template=,
 * templatefile= or the bare forms that take --template. */
bool sk_gotemplate_is_format(const char *fmt);

/* The CLI's printer for those formats: parse (the template from fmt,
 * from the file it names, or from --template), execute against root and
 * print to c->out; on failure print kubectl's debugging text to c->out
 * and its error to stderr. Returns the exit code. Blocks on reading a
 * template file; CLI thread. */
int sk_cli_print_gotemplate(struct sk_cli *c, const char *fmt, const struct sk_val *root);

#endif
