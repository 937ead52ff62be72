/* The CLI's Kubernetes API client: finds the connection the way kubectl
 * does (--kubeconfig, $KUBECONFIG, ~/.kube/config, and on a node the
 * agent's own admin credentials), then makes requests over a lean
 * HTTP/1.1 client (khttp.h: mbedtls and http-parser, one keep-alive
 * connection) with streamed responses and kubectl-like errors. For `skiff image` in agent mode and
 * the kubectl-like CLI.
 *
 * Everything here blocks (files, network): CLI processes only, never the
 * agent's loop. Not thread-safe per client; one client per thread. */
#ifndef SK_KCLIENT_H
#define SK_KCLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

/* Where the connection comes from. Every field may be NULL. */
struct sk_kclient_opts {
    const char *kubeconfig; /* --kubeconfig PATH: must exist */
    const char *context;    /* --context NAME: instead of current-context */
    const char *server;     /* --server URL: overrides the cluster's */
    const char *token;      /* --token T: overrides the user's credentials */
    /* The agent's configuration, for the last resort: its data dir's
     * admin credentials and api.listen (as `skiff kubeconfig` reads them). */
    const char *config_path; /* --config; NULL: $SKIFF_CONFIG, /etc/skiff/skiff.yaml */
    const char *data_dir;    /* --data-dir; NULL: the configuration's */
    /* For tests: the environment to read (NULL: getenv). env_set says
     * these replace the process environment even when NULL. */
    bool env_set;
    const char *env_kubeconfig; /* $KUBECONFIG */
    const char *env_home;       /* $HOME */
};

/* A resolved connection. Strings are owned by the struct. */
struct sk_kconn {
    char *source;  /* "kubeconfig /root/.kube/config" or "agent data dir /var/lib/skiff" */
    char *context; /* the context used, or NULL */
    char *ns;      /* the context's namespace, or NULL */
    char *server;  /* https://host:port, no trailing '/' */
    char *ca_file; /* certificate-authority path, or NULL */
    char *ca_data; /* PEM bytes (certificate-authority-data decoded), or NULL */
    size_t ca_len;
    bool insecure;         /* insecure-skip-tls-verify */
    char *tls_server_name; /* tls-server-name: SNI and the name verified, or NULL (the host) */
    char *token;           /* bearer token (token, tokenFile or --token), or NULL */
    char *cert_file, *key_file;
    char *cert_data, *key_data; /* PEM bytes, or NULL */
    size_t cert_len, key_len;
};

/* Find and load the connection (see the file comment for the order).
 * Errors name the file and line ("/root/.kube/config: line 3, column 1:
 * ..."), a missing --kubeconfig, a missing context ("context \"x\" does
 * not exist in FILE"), or, when nothing is found at all, every place that
 * was looked at. *out is freed with sk_kconn_free. Blocks on files. */
sk_err sk_kclient_resolve(const struct sk_kclient_opts *o, struct sk_kconn **out,
                          struct sk_error **err);

/* Parse kubeconfig text (fname names it in messages and anchors relative
 * paths; may be NULL) and pick context (NULL: current-context). Reads no
 * file except a user's tokenFile. Any thread. */
sk_err sk_kubeconfig_parse(const char *text, size_t n, const char *fname, const char *context,
                           struct sk_kconn **out, struct sk_error **err);

void sk_kconn_free(struct sk_kconn *c); /* NULL ok */

/* ---- requests ---- */

struct sk_kclient;

/* A client for conn (copied what it needs; conn may be freed after).
 * Fails on a malformed server URL or unreadable TLS material; does not
 * connect yet. */
sk_err sk_kclient_new(const struct sk_kconn *conn, struct sk_kclient **out, struct sk_error **err);
void sk_kclient_free(struct sk_kclient *k); /* NULL ok */
/* The client's connection, for protocol upgrades (khttp.h). Borrowed. */
struct sk_khttp *sk_kclient_http(struct sk_kclient *k);

/* Response bytes as they arrive, for 2xx answers only (an error answer is
 * collected into resp->body instead). Return 0 to go on, non-zero to
 * abort the transfer (sk_kclient_do then fails with SK_ECLOSED). */
typedef int (*sk_kclient_data_fn)(void *arg, const void *p, size_t n);

struct sk_kreq {
    const char *method;       /* "GET" when NULL */
    const char *path;         /* "/api/v1/nodes/n1/proxy/images?image=x" (already escaped) */
    const char *content_type; /* of the body; NULL: none */
    const void *body;         /* the body from memory ... */
    size_t body_len;
    const char *body_file;      /* ... or from this file (streamed) */
    sk_kclient_data_fn on_data; /* NULL: collect the body into resp->body */
    void *arg;
    size_t max_body;            /* limit on a collected body; 0: 64 MiB */
    const char *header;         /* the value of this response header goes to resp->header */
    double timeout;             /* seconds for the whole request; 0: none */
    const char *accept;         /* Accept header; NULL: the JSON default */
    const char *const *headers; /* extra "Name: value" lines, NULL-terminated, or NULL */
};

struct sk_kresp {
    int status;
    char *body; /* collected body (NUL-terminated), or NULL */
    size_t body_len;
    char *header; /* value of req->header, or NULL */
};
void sk_kresp_free(struct sk_kresp *r); /* frees the members */

/* Make one request. SK_OK whenever the server answered, whatever the
 * status (check resp->status; sk_kclient_error_line explains an error
 * answer). A failed transfer is an error reading "Unable to connect to
 * the server: ..." (or the reason a body file could not be read).
 * Blocks. */
sk_err sk_kclient_do(struct sk_kclient *k, const struct sk_kreq *req, struct sk_kresp *resp,
                     struct sk_error **err);

/* The line kubectl would print for an error answer (no newline; caller
 * frees): "error: You must be logged in to the server (Unauthorized)" for
 * 401, "Error from server (NotFound): ..." for a Status object, "error:
 * MESSAGE" for a {"message": ...} body, else the status and the body's
 * first line. */
char *sk_kclient_error_line(const struct sk_kresp *resp);

/* Percent-encode s for a query value (caller frees). */
char *sk_kclient_escape(const char *s);

#endif
