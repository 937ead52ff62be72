/* The kubectl-like CLI's framework: the verb table, kubectl's flag parser,
 * global flags, generated --help, the connection, namespace and resource
 * resolution from the built-in schema table (no discovery round trip),
 * request helpers, kubectl's error lines, manifest reading for -f and
 * kubectl's printers. Everything blocks (files, network, terminal): CLI
 * processes only, one thread.
 *
 * CONTRACT for verb authors (clib, exec, ...):
 *
 * 1. Define a verb in your own .c file (not static):
 *
 *        static const struct sk_cli_flag scale_flags[] = {
 *            {"replicas", 0, SK_FLAG_INT, "0", "The new desired number of replicas. Required."},
 *            {"filename", 'f', SK_FLAG_STRINGS, "[]", "Filename, directory, or URL ..."},
 *            {"recursive", 'R', SK_FLAG_BOOL, "false", "Process the directory ..."},
 *            {0},
 *        };
 *        static int scale_run(struct sk_cli *c) { ... return 0; }
 *        const struct sk_cli_verb sk_cli_verb_scale = {
 *            .name = "scale", .short_help = "Set a new size for a deployment, ...",
 *            .usage = "skiff scale [--resource-version=version] ... (-f FILENAME | TYPE NAME)",
 *            .long_help = "...", .examples = "  # Scale ...\n  skiff scale ...",
 *            .flags = scale_flags, .run = scale_run,
 *        };
 *
 *    core/cli_verbs.c lists every verb kubectl has by its symbol name
 *    sk_cli_verb_<name with '-' as '_'> as a weak reference, in kubectl's
 *    help order: defining the symbol is all it takes to be dispatched as
 *    `skiff scale ...` and listed by `skiff --help`. Subcommands
 *    (rollout status, create namespace, config view) are verbs listed in
 *    .subs (NULL-terminated); a verb with subs and no run prints its help.
 *
 * 2. In run(): positional args are c->args[0..c->nargs) (flags removed,
 *    "--" removed; c->dash_at is the index of the first arg after "--",
 *    or -1, like kubectl's ArgsLenAtDash). Read flags by long name:
 *    sk_cli_str, sk_cli_bool, sk_cli_int, sk_cli_strs, sk_cli_changed.
 *    Asking for a flag the verb does not declare aborts (a bug).
 *
 * 3. Errors: every helper that returns int returns 0 on success or the
 *    exit code (1) after printing kubectl's message to stderr, so a verb
 *    does `if ((rc = sk_cli_get_json(c, path, &obj))) return rc;`.
 *    sk_cli_fail prints "error: ..."; sk_cli_usage_fail adds kubectl's
 *    "See 'skiff VERB --help' for usage." line.
 *
 * 4. Output goes to c->out (stdout), messages to c->err (stderr).
 *
 * 5. Helpers, all below: sk_cli_client/sk_cli_conn/sk_cli_namespace
 *    (connection and -n), sk_cli_kind/sk_cli_targets (resource args from
 *    the schema table, no discovery), sk_cli_path/sk_cli_ref/
 *    sk_cli_print_action ("deployment.apps/web created"), sk_cli_request/
 *    sk_cli_get_json/sk_cli_send_json/sk_cli_send_raw, sk_cli_read_docs/
 *    sk_cli_doc_kind (-f, -R, "-"), sk_cli_print_objs/sk_cli_print_list
 *    (-o yaml|json|name|jsonpath=|custom-columns=), sk_cli_print_yaml/json,
 *    sk_cli_sorted, and kubectl's column writer sk_cli_tab_*. Requests go
 *    over core/khttp.c (lean HTTP/1.1 on OpenSSL, no libcurl); for a
 *    protocol upgrade (exec) take sk_kclient_http(sk_cli_client(c)) and
 *    use sk_khttp_upgrade / sk_khttp_read / sk_khttp_write (khttp.h).
 *
 * Global flags every verb takes (unless SK_CLI_NO_GLOBALS): --kubeconfig,
 * --context, -s/--server, --token, -n/--namespace, --request-timeout,
 * -v/--v (debug: -v=6 or more logs requests to stderr), --insecure-skip-tls-verify,
 * --cluster, --user (accepted; only the context's are used). */
#ifndef SK_CLI_H
#define SK_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "kclient.h"
#include "schema.h"
#include "val.h"

/* ---- flags ---- */

enum sk_flag_type {
    SK_FLAG_BOOL = 1, /* --x, --x=true|false; never takes the next arg */
    SK_FLAG_STRING,   /* --x=v, --x v, -x v, -xv; the last one given wins */
    SK_FLAG_INT,      /* like STRING, must parse as an integer */
    SK_FLAG_STRINGS,  /* repeatable and comma-split: -f a,b -f c gives {a,b,c} */
    SK_FLAG_ARRAY,    /* repeatable, not split: --from-literal=k=a,b twice */
    SK_FLAG_DURATION, /* Go duration ("30s", "1m", "0" ...), read as seconds (double) */
};

/* One flag of a verb. Tables end with an entry whose name is NULL. */
struct sk_cli_flag {
    const char *name; /* long name without dashes: "output" */
    char shorthand;   /* 'o', or 0 */
    enum sk_flag_type type;
    const char *def;  /* the default as kubectl's help shows it ("", "false", "-1", "[]") */
    const char *help; /* kubectl's text for the flag */
};

/* A list of strings from a STRINGS or ARRAY flag (or any string list). */
struct sk_strv {
    char **v;
    size_t n;
};

/* ---- verbs ---- */

struct sk_cli;

enum {
    SK_CLI_NO_GLOBALS = 1 << 0, /* the verb takes no connection flags (version --client ...) */
};

struct sk_cli_verb {
    const char *name;                /* "get" */
    const char *const *aliases;      /* NULL-terminated, or NULL */
    const char *short_help;          /* one line, kubectl's ("Display one or many resources") */
    const char *long_help;           /* paragraphs, or NULL (then short_help) */
    const char *usage;               /* "skiff get [(-o|--output=)json|yaml|...] ..." */
    const char *examples;            /* indented two spaces like kubectl's, or NULL */
    const struct sk_cli_flag *flags; /* NULL-name ended, or NULL */
    int (*run)(struct sk_cli *c);    /* returns the exit code */
    const struct sk_cli_verb *const *subs; /* subcommands, NULL-terminated, or NULL */
    unsigned opts;                         /* SK_CLI_* */
};

/* The context of one command run. Public fields are read-only for verbs. */
struct sk_cli {
    const struct sk_cli_verb *verb;
    const char *cmd_path; /* "skiff get", "skiff rollout status" */
    char **args;          /* positional arguments */
    int nargs;
    int dash_at; /* index of the first arg after "--", or -1 */
    FILE *out, *err;
    int verbosity; /* -v N */
    /* ---- private to cli.c ---- */
    struct sk_cli_fval *fv; /* one per flag of the verb */
    struct sk_cli_fval *gv; /* one per global flag */
    struct sk_kconn *conn;
    struct sk_kclient *client;
    char *ns;
    bool ns_resolved;
};

/* Run `skiff ARGS...` (argv[0] is the verb). Returns the exit code, or -1
 * when argv[0] is not a CLI verb (main.c then tries its own commands). */
int sk_cli_main(int argc, char **argv);

/* Print `skiff --help` (every verb, grouped as kubectl groups them). */
void sk_cli_print_usage(FILE *f);

/* The verb called name (or one of its aliases), or NULL. */
const struct sk_cli_verb *sk_cli_find_verb(const char *name);

/* Run a verb directly on argv (argv[0] = the verb's name), with output and
 * messages to out and errf. For tests and for verbs that call others. */
int sk_cli_run_verb(const struct sk_cli_verb *v, const char *cmd_path, int argc, char **argv,
                    FILE *out, FILE *errf);

/* Flag values by long name (the verb's own or a global flag). Strings are
 * borrowed (valid for the run); a flag not given reads as its default
 * (STRING: def, or NULL when def is ""). */
const char *sk_cli_str(struct sk_cli *c, const char *name);
bool sk_cli_bool(struct sk_cli *c, const char *name);
int64_t sk_cli_int(struct sk_cli *c, const char *name);
double sk_cli_duration(struct sk_cli *c, const char *name);            /* seconds */
const struct sk_strv *sk_cli_strs(struct sk_cli *c, const char *name); /* never NULL */
bool sk_cli_changed(struct sk_cli *c, const char *name);  /* given on the command line */
bool sk_cli_has_flag(struct sk_cli *c, const char *name); /* the verb (or globals) declare it */

/* Parse a Go duration ("1h2m3.5s", "300ms", "0"); a bare integer is
 * seconds as kubectl's --request-timeout takes it. false when malformed. */
bool sk_cli_parse_duration(const char *s, double *seconds);

/* ---- errors ---- */

/* "error: MSG\n" to stderr; returns 1. */
int sk_cli_fail(struct sk_cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "error: MSG\nSee 'skiff VERB --help' for usage.\n"; returns 1. */
int sk_cli_usage_fail(struct sk_cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The kubectl line for an error answer ("Error from server (NotFound):
 * pods \"x\" not found") to stderr; returns 1. */
int sk_cli_fail_resp(struct sk_cli *c, const struct sk_kresp *r);

/* ---- connection ---- */

/* The client for the resolved connection, made on first use (global flags
 * --kubeconfig, --context, --server, --token, --insecure-skip-tls-verify).
 * NULL after printing the error (then return 1). */
struct sk_kclient *sk_cli_client(struct sk_cli *c);
/* The resolved connection (NULL after printing the error). */
const struct sk_kconn *sk_cli_conn(struct sk_cli *c);
/* -n/--namespace, else the kubeconfig context's namespace, else "default".
 * Reads the kubeconfig once (no network). Never NULL. */
const char *sk_cli_namespace(struct sk_cli *c);
/* Whether -n/--namespace was given. */
bool sk_cli_namespace_explicit(struct sk_cli *c);
/* --request-timeout in seconds (0: none). */
double sk_cli_timeout(struct sk_cli *c);

/* ---- resources ---- */

/* kubectl's resource name ("po", "deploy", "deployments.apps",
 * "deployment.v1.apps", "Pod") to a kind of the schema table. Unknown:
 * prints `error: the server doesn't have a resource type "foo"` and
 * returns 1. */
int sk_cli_kind(struct sk_cli *c, const char *arg, const struct sk_kind **out);

/* What a list of positional args names, in the order given. */
struct sk_cli_target {
    const struct sk_kind *kind;
    char *name; /* NULL: all of the kind */
};
struct sk_cli_targets {
    struct sk_cli_target *v;
    size_t n;
    bool typed_names; /* given as TYPE/NAME */
    size_t ntypes;    /* distinct kinds */
};
/* Resolve kubectl's forms: "po", "po,svc", "pod web db", "po,svc web",
 * "pod/web svc/db". Mixing "TYPE TYPE/NAME" is kubectl's error. With no
 * args: error "You must specify the type of resource to get. ..." is the
 * verb's job (nargs == 0 leaves out empty). Returns 0 or 1 (printed). */
int sk_cli_targets(struct sk_cli *c, char **args, int nargs, struct sk_cli_targets *out);
void sk_cli_targets_free(struct sk_cli_targets *t);

/* "/api/v1/namespaces/NS/pods/NAME/SUB?QUERY" for k (ns ignored for
 * cluster-scoped kinds; NULL ns on a namespaced kind: across all
 * namespaces). name, sub and query may be NULL. name and ns are escaped.
 * Caller frees. */
char *sk_cli_path(const struct sk_kind *k, const char *ns, const char *name, const char *sub,
                  const char *query);

/* "pod/web", "deployment.apps/web" (kubectl's -o name and action lines). Caller frees. */
char *sk_cli_ref(const struct sk_kind *k, const char *name);
/* "deployment.apps/web created" (dry_run: " (dry run)" / " (server dry run)"
 * as kubectl: dry_run is NULL, "client" or "server") to c->out. */
void sk_cli_print_action(struct sk_cli *c, const struct sk_kind *k, const char *name,
                         const char *action, const char *dry_run);

/* ---- requests ---- */

/* One request. accept NULL: "application/json". Transport failure prints
 * "Unable to connect to the server: ..." and returns 1; otherwise 0 with
 * resp filled whatever the status (free with sk_kresp_free). */
int sk_cli_request(struct sk_cli *c, const char *method, const char *path, const char *content_type,
                   const void *body, size_t body_len, const char *accept, struct sk_kresp *resp);
/* GET path and parse the JSON answer into *out (caller owns). A non-2xx
 * answer prints kubectl's error line and returns 1. */
int sk_cli_get_json(struct sk_cli *c, const char *path, struct sk_val **out);
/* method (POST, PUT, PATCH, DELETE) with body as JSON (NULL: no body) of
 * content_type (NULL: application/json; for PATCH pass
 * "application/merge-patch+json", "application/strategic-merge-patch+json",
 * "application/json-patch+json" or "application/apply-patch+yaml"); the
 * answer parsed into *out when out is not NULL. Non-2xx: printed, 1. */
int sk_cli_send_json(struct sk_cli *c, const char *method, const char *path,
                     const char *content_type, const struct sk_val *body, struct sk_val **out);
/* Same with a raw body; *status_out (may be NULL) gets the status and a
 * non-2xx answer is NOT printed when status_out is given (resp body in
 * *out when it is JSON, else NULL). */
int sk_cli_send_raw(struct sk_cli *c, const char *method, const char *path,
                    const char *content_type, const void *body, size_t len, int *status_out,
                    struct sk_val **out);

/* ---- manifests (-f) ---- */

struct sk_cli_doc {
    struct sk_val *obj; /* owned */
    char *source;       /* the file name as given, or "STDIN" */
};
struct sk_cli_docs {
    struct sk_cli_doc *v;
    size_t n;
};
/* Read every -f: files, directories (their .json, .yaml, .yml files in
 * name order; subdirectories too when recursive), "-" for stdin;
 * multi-document YAML and JSON; a List's items become documents. Errors as
 * kubectl prints them ("error: the path \"x\" does not exist", "error:
 * error parsing x.yaml: error converting YAML to JSON: yaml: line 3: ...",
 * "error: error validating \"x.yaml\": error validating data: [apiVersion
 * not set, kind not set]; ...") and return 1. */
int sk_cli_read_docs(struct sk_cli *c, const struct sk_strv *files, bool recursive,
                     struct sk_cli_docs *out);
void sk_cli_docs_free(struct sk_cli_docs *d);
/* The kind of a manifest object by apiVersion and kind; unknown prints
 * kubectl's `error: resource mapping not found for name: "x" namespace:
 * "" from "f.yaml": no matches for kind "Foo" in version "v1"` and the
 * "ensure CRDs are installed first" line, and returns 1. */
int sk_cli_doc_kind(struct sk_cli *c, const struct sk_cli_doc *d, const struct sk_kind **out);

/* ---- printing ---- */

/* A copy of v with map keys sorted as Go's encoding/json sorts map keys
 * (byte order), recursively: what kubectl's -o yaml and -o json print. */
struct sk_val *sk_cli_sorted(const struct sk_val *v);
/* kubectl -o yaml (sorted keys, no leading "---") / -o json (sorted keys,
 * 4-space indent, trailing newline) of obj to c->out. */
void sk_cli_print_yaml(struct sk_cli *c, const struct sk_val *obj);
void sk_cli_print_json(struct sk_cli *c, const struct sk_val *obj);
/* Print objects (one, or several as a kubectl "List") in the -o format
 * fmt: "yaml", "json", "name", "jsonpath=...", "jsonpath-file=...",
 * "custom-columns=...", "custom-columns-file=...". kinds[i] is objs[i]'s
 * kind (for -o name). Unknown format: kubectl's error `unable to match a
 * printer suitable for the output format "x", allowed formats are: ...`,
 * returns 1. For create/apply/... -o support. */
int sk_cli_print_objs(struct sk_cli *c, const char *fmt, struct sk_val *const *objs,
                      const struct sk_kind *const *kinds, size_t n);
/* Same, but always as a kubectl "List" (kubectl get of a whole type). */
int sk_cli_print_list(struct sk_cli *c, const char *fmt, struct sk_val *const *objs,
                      const struct sk_kind *const *kinds, size_t n);
/* Whether fmt is one sk_cli_print_objs handles ("" / NULL are not). */
bool sk_cli_is_obj_format(const char *fmt);

/* kubectl's column writer (its tabwriter: cells padded to the widest in
 * the column plus 3 spaces, at least 6; the last cell of a row unpadded;
 * widths remembered across flushes, as kubectl get --watch shows them). */
struct sk_cli_tab;
struct sk_cli_tab *sk_cli_tab_new(void);
void sk_cli_tab_cell(struct sk_cli_tab *t, const char *s); /* copies s; NULL is "" */
void sk_cli_tab_cellf(struct sk_cli_tab *t, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
void sk_cli_tab_end_row(struct sk_cli_tab *t);
void sk_cli_tab_flush(struct sk_cli_tab *t, FILE *f); /* prints the rows so far */
void sk_cli_tab_free(struct sk_cli_tab *t);           /* NULL ok; does not flush */

#endif
