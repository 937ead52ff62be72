/* The CLI's write verbs (apply, create, delete, label, annotate, scale,
 * rollout, logs, edit, run, expose, top): what they share (kubectl's
 * resource builder over -f, TYPE NAME, TYPE/NAME, -l and --all; error
 * lines naming the file) and the pure computations the unit tests reach
 * (apply's patch, the generators). Blocking, CLI processes only. */
#ifndef SK_CLI_WRITE_H
#define SK_CLI_WRITE_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "err.h"
#include "kclient.h"
#include "schema.h"
#include "val.h"

#define SK_LAST_APPLIED "kubectl.kubernetes.io/last-applied-configuration"

/* ---- errors collected over a run, printed as kubectl prints them ---- */

struct sk_cliw_errs {
    char **lines;  /* kubectl's line for each error, in order */
    char *invalid; /* when the only error is an Invalid answer: kubectl's "The X \"n\" is invalid"
                    */
    size_t n;
};
/* Record an error answer: "Error from server (Reason): error when VERB_ING
 * \"SOURCE\": message" (the "error when" part only with a source). */
void sk_cliw_err_resp(struct sk_cliw_errs *e, const struct sk_kresp *r, const char *verb_ing,
                      const char *source);
/* Record a line as is ("error: ..." included by the caller). */
void sk_cliw_err_line(struct sk_cliw_errs *e, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
/* Print what was recorded to c->err and free it; returns 1 when there was
 * any error, else 0. */
int sk_cliw_errs_flush(struct sk_cli *c, struct sk_cliw_errs *e);

/* kubectl's "error: Unexpected args: [a b]" and its help line; returns 1. */
int sk_cliw_unexpected_args(struct sk_cli *c);

/* ---- requests ---- */

/* method path with a JSON body (NULL: none). 0: a 2xx answer, parsed into
 * *out when out is not NULL; 1: transport failure (printed); 2: an error
 * answer left in *resp (free it with sk_kresp_free). */
int sk_cliw_call(struct sk_cli *c, const char *method, const char *path, const char *ctype,
                 const struct sk_val *body, struct sk_val **out, struct sk_kresp *resp);
/* A Status answer's reason ("NotFound"), or "" (static or from r). Caller frees. */
char *sk_cliw_reason(const struct sk_kresp *r);

/* ---- the resource builder ---- */

struct sk_cliw_info {
    const struct sk_kind *kind;
    char *ns; /* NULL for cluster-scoped kinds */
    char *name;
    struct sk_val *obj; /* the manifest (-f) or the live object; may be NULL */
    const char *source; /* the file for -f documents, else NULL */
};
struct sk_cliw_infos {
    struct sk_cliw_info *v;
    size_t n;
    struct sk_cli_docs docs; /* owns the sources */
};

struct sk_cliw_sel {
    const struct sk_strv *files;
    bool recursive;
    const char *selector;       /* -l */
    const char *field_selector; /* --field-selector */
    bool all;                   /* --all */
    bool all_ns;                /* -A */
    bool fetch;                 /* GET what -f and names name (obj becomes the live object) */
    bool ignore_not_found;      /* a NotFound on fetch is skipped */
    const char *verb_ing;       /* "labeling": for errors naming the file */
    bool names_required;        /* TYPE alone is an error without -l/--all */
};
/* Collect what args (already without the verb's own KEY=VAL arguments) and
 * s name. Errors that stop the command are printed and 1 returned; errors
 * on single objects (NotFound on fetch) go to errs and the rest goes on.
 * *empty_list (may be NULL) is set when a selector or --all matched
 * nothing. */
int sk_cliw_collect(struct sk_cli *c, char **args, int nargs, const struct sk_cliw_sel *s,
                    struct sk_cliw_infos *out, struct sk_cliw_errs *errs, bool *empty_list);
void sk_cliw_infos_free(struct sk_cliw_infos *in);

/* The namespace a manifest object goes to (its own, else -n/the context's),
 * set into obj for namespaced kinds. A mismatch with an explicit -n prints
 * kubectl's error and returns 1. */
int sk_cliw_doc_ns(struct sk_cli *c, const struct sk_kind *k, struct sk_val *obj,
                   const char **ns_out);

/* "deployments.apps" for k (kubectl's resource.group in delete/rollout lines). Static buf. */
const char *sk_cliw_resource_group(const struct sk_kind *k, char *buf, size_t n);

/* A query string from key, value pairs (NULL-ended; NULL values skipped),
 * escaped: "?a=b&c=d" or "". Caller frees. */
char *sk_cliw_query(const char *first_key, ...) __attribute__((sentinel));

/* --dry-run's value checked as kubectl checks it: NULL for none, "client"
 * or "server"; an invalid value prints kubectl's error and sets *bad. */
const char *sk_cliw_dry_run(struct sk_cli *c, bool *bad);

/* Create a generator's object (owned; kubectl's typed field order) with
 * --dry-run, -o, --save-config, --validate and --field-manager as kubectl's
 * generators do; prints "KIND/NAME <action>", or "error: <fail><message>"
 * for an error answer (fail "" for the plain server error line). */
int sk_cliw_create_typed(struct sk_cli *c, struct sk_val *obj, const char *fail,
                         const char *action);

/* ---- apply (pure) ---- */

/* The kubectl.kubernetes.io/last-applied-configuration value kubectl writes
 * for obj: obj without that annotation, metadata.annotations present (as
 * {} when empty), keys sorted, compact JSON as Go writes it, "\n" ended.
 * Caller frees. */
char *sk_apply_last_applied(const struct sk_val *obj);
/* A copy of obj carrying that annotation (what apply creates, and the
 * "modified" side of its patch). Integral floats become integers, as
 * kubectl's YAML-to-JSON conversion makes them. */
struct sk_val *sk_apply_modified(const struct sk_val *obj);
/* The strategic merge patch of a client-side apply: from the live object's
 * last-applied configuration (absent: {}; *had_last_applied says which),
 * modified and live. *out is a new map ({} when nothing changes). */
sk_err sk_apply_patch(const struct sk_kind *k, const struct sk_val *modified,
                      const struct sk_val *live, bool *had_last_applied, struct sk_val **out,
                      struct sk_error **err);

/* ---- generators (pure) ---- */

/* `create configmap|secret generic` data from --from-literal (k=v),
 * --from-file ([key=]path; a directory gives its regular files) and
 * --from-env-file, with kubectl's checks and messages. For a ConfigMap,
 * contents that are not UTF-8 go to binaryData; a Secret's are base64. */
struct sk_gen_data {
    struct sk_val *data;   /* map, filled */
    struct sk_val *binary; /* map for a ConfigMap's binaryData; NULL for a Secret */
    bool secret;
    const char *kind, *name; /* for messages: "ConfigMap", "c1" */
};
sk_err sk_gen_from_literal(struct sk_gen_data *g, const char *arg, struct sk_error **err);
sk_err sk_gen_from_file(struct sk_gen_data *g, const char *arg, struct sk_error **err);
sk_err sk_gen_from_env_file(struct sk_gen_data *g, const char *path, struct sk_error **err);
/* Standard base64 with padding (caller frees). */
char *sk_gen_base64(const void *p, size_t n);

/* Deployment of `create deployment NAME --image ...` (images: one or more;
 * port -1 none; replicas). New tree. */
struct sk_val *sk_gen_deployment(const char *name, const char *ns, const char *const *images,
                                 size_t nimages, int replicas, int port);

/* "busybox:1.36" -> "busybox", "reg:5000/a/b@sha256:..." -> "b", as kubectl
 * names containers after images. Caller frees. */
char *sk_gen_image_name(const char *image);

/* ---- rollout (pure) ---- */

/* The ReplicaSets among rss (an array of ReplicaSet objects) that deploy
 * controls, as kubectl finds them (controller ownerReference uid). Borrowed
 * pointers into rss; *n gets the count; caller frees the array. */
const struct sk_val **sk_rollout_owned(const struct sk_val *deploy, const struct sk_val *rss,
                                       size_t *n);
/* The deployment.kubernetes.io/revision of an object, or -1. */
long long sk_rollout_revision(const struct sk_val *obj);
/* kubectl's status line for a Deployment; *done says whether the rollout
 * finished. Caller frees. NULL with *err on a failed rollout
 * ("deployment \"x\" exceeded its progress deadline"). */
char *sk_rollout_status_deployment(const struct sk_val *d, bool *done, char **err_msg);

#endif
