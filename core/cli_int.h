/* Shared between the CLI's own files (cli*.c); verbs of other files use
 * cli.h only. */
#ifndef SK_CLI_INT_H
#define SK_CLI_INT_H

#include "cli.h"

/* get's printer: like sk_cli_print_objs, list says whether to wrap the
 * objects in a List even when there is one, no_headers applies to
 * custom-columns. */
int sk_cli_print_get(struct sk_cli *c, const char *fmt, struct sk_val *const *objs,
                     const struct sk_kind *const *kinds, size_t n, bool list, bool no_headers);

/* Go's text/tabwriter over text[0..len) (cells end at '\t', lines at
 * '\n'; a column's width is its widest cell plus padding, at least
 * minwidth, over each run of lines that have the column), appended to
 * out. kubectl describe uses minwidth 0, padding 2. */
void sk_cli_tabwrite(const char *text, size_t len, int minwidth, int padding, struct sk_buf *out);

#endif
