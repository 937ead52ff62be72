/* The Kubernetes REST API: the HTTPS server that stock kubectl and client
 * libraries talk to. Routing, bearer-token auth, CRUD, list, watch, patch,
 * delete semantics, the status and scale subresources and Status errors,
 * all answered from the store.
 *
 * Threads: every function here runs on the loop thread unless noted. */
#ifndef SK_API_H
#define SK_API_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

struct sk_loop;
struct sk_work_pool;
struct sk_store;
struct sk_bus;
struct sk_api;
struct sk_tls_server;

struct sk_api_opts {
    struct sk_loop *loop;      /* required */
    struct sk_work_pool *pool; /* optional: lists and initial watch lists run there */
    struct sk_store *store;    /* required; must outlive the API */
    const char *node_name;     /* for /healthz detail and logs; may be NULL */
    const char *data_dir;      /* informational; may be NULL */
    const char *listen;        /* "127.0.0.1:6443"; port 0 picks one (sk_api_port) */
    /* Serve HTTPS with this context (the API takes its own reference), or
     * plain HTTP when NULL (tests only). */
    struct sk_tls_server *tls;
    /* The admin bearer token. NULL or "" turns authentication off (tests
     * and fuzzing only: the agent always passes sk_tls's token). */
    const char *token;
    size_t max_body_bytes;    /* 0 = 3 MiB, as kube-apiserver */
    double bookmark_interval; /* seconds between watch bookmarks; 0 = 60 */
    /* nodes/proxy and pods/log reach nodes over this bus (node_http.h);
     * NULL: those routes answer 503. Must outlive the API. */
    struct sk_bus *bus;
    /* nodes/proxy request bodies; 0 = 64 MiB */
    size_t max_proxy_body;
};

/* Start listening. Returns the API (free with sk_api_free) or NULL with
 * *err (address in use, bad address). Loop thread. */
struct sk_api *sk_api_new(const struct sk_api_opts *o, struct sk_error **err);

/* Close the listener, end every watch stream and connection and free the
 * API. Writes still queued in the store complete later without touching
 * the API (their clients are already gone). Does not block. NULL ok. */
void sk_api_free(struct sk_api *api);

/* The TCP port the API listens on. */
int sk_api_port(const struct sk_api *api);

/* Serve new connections with tls from now on (a renewed serving
 * certificate); open connections keep theirs. Takes its own reference.
 * Loop thread. */
void sk_api_set_tls(struct sk_api *api, struct sk_tls_server *tls);

/* Create the namespaces every cluster has (default, kube-system,
 * kube-public, kube-node-lease) if they are absent. Asynchronous: the
 * writes go through the store's queue; failures are logged. Call once the
 * store is open, on the node that may write (the leader). Loop thread. */
void sk_api_ensure_namespaces(struct sk_store *store);

/* Counters for tests and stats. */
struct sk_api_stats {
    unsigned long requests;
    unsigned long watches_open;
    unsigned long watch_events_encoded; /* encodings done (shared by watchers) */
    unsigned long watch_events_sent;    /* event writes to clients */
};
void sk_api_get_stats(const struct sk_api *api, struct sk_api_stats *out);

/* A kubeconfig (YAML) for the admin: the cluster CA from
 * DATA_DIR/tls/ca.crt, the server URL and the token from
 * DATA_DIR/tls/admin.token, in one context named "skiff". server_url NULL
 * means https://127.0.0.1:6443. Returns a malloc'd string or NULL with
 * *err (files missing: the agent has not run yet). Reads files; any
 * thread. */
char *sk_api_kubeconfig(const char *data_dir, const char *server_url, struct sk_error **err);
/* https://HOST:PORT for an api.listen address, with the wildcard
 * addresses (0.0.0.0, ::, empty) made local, as clients on the node reach
 * it. Malloc'd; NULL when listen is not HOST:PORT. */
char *sk_api_local_url(const char *listen);

#endif
