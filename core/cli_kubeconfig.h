/* `skiff kubeconfig`: the admin kubeconfig for stock kubectl. */
#ifndef SK_CLI_KUBECONFIG_H
#define SK_CLI_KUBECONFIG_H

#include <stdbool.h>

#include "err.h"
#include "val.h"

/* argv[0] is "kubeconfig". Returns the exit code. Reads files. */
int sk_cli_kubeconfig(int argc, char **argv);

/* The kubeconfig files of a $KUBECONFIG list (colon-separated) merged as
 * kubectl merges them: missing files are skipped; for current-context,
 * each named cluster, context and user and any other top-level key the
 * first file that sets it wins; named entries come out sorted by name.
 * With resolve, relative paths are made absolute against their own
 * file's directory (for connecting; `config view` shows them as written). NULL with *err unset when
 * no file exists, NULL with *err set when a file cannot be read or parsed ("error loading config
 * file \"F\": ..."). *first (caller frees) names the first file that exists. Blocks on files; any
 * thread. */
struct sk_val *sk_kubeconfig_merge(const char *list, bool resolve, char **first,
                                   struct sk_error **err);

struct sk_kconn;
/* The connection from the merge of list, for context (NULL: the merged
 * current-context); relative paths are already absolute. Blocks on files. */
sk_err sk_kubeconfig_load_merged(const char *list, const char *context, struct sk_kconn **out,
                                 struct sk_error **err);

#endif
