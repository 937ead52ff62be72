/* The skiff plugin ABI: the only header a plugin needs from core.
 *
 * A plugin is one const descriptor, the same struct whether built into
 * bin/skiff or exported from a .so as `skiff_plugin_entry`. Core reaches the
 * plugin through the descriptor's functions; the plugin reaches core only
 * through the host table handed to init. Everything runs on the agent's loop
 * thread unless a function says otherwise.
 *
 * Versioning: abi_major changes break plugins (core refuses them); abi_minor
 * grows when functions are appended to a table (check struct_size before
 * using a newer member). */
#ifndef SKIFF_PLUGIN_H
#define SKIFF_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "skiff_msgtypes.h"

#define SKIFF_ABI_MAJOR 1
#define SKIFF_ABI_MINOR 3

enum skiff_role {
    SKIFF_ROLE_NODE = 1,   /* runs on every node while the agent runs */
    SKIFF_ROLE_LEADER = 2, /* runs only on the current leader */
};

enum skiff_log_level {
    SKIFF_LOG_ERROR = 0,
    SKIFF_LOG_WARN = 1,
    SKIFF_LOG_INFO = 2,
    SKIFF_LOG_DEBUG = 3,
    SKIFF_LOG_TRACE = 4,
};

/* Plugin options, read by core from `plugins.<name>.<key>` in skiff.yaml.
 * Core allocates options_size bytes, writes each default, then each value
 * from the file at `offset`; a table ends with key == NULL. */
enum skiff_opt_type {
    SKIFF_OPT_STR = 1,  /* char *, owned by core, valid until fini */
    SKIFF_OPT_INT,      /* int64_t */
    SKIFF_OPT_BOOL,     /* bool: true/false */
    SKIFF_OPT_DOUBLE,   /* double */
    SKIFF_OPT_DURATION, /* double seconds; written "500ms", "10s", "5m", "1h" */
    SKIFF_OPT_SIZE,     /* uint64_t bytes; written "512", "64Ki", "10Mi", "1Gi" */
    /* ABI 1.2: any YAML value, a mapping or list included, as one msgpack
     * object in a struct skiff_opt_tree. Scalars inside a mapping or list
     * are typed as in Kubernetes YAML (null, bool, int, float, string); a
     * value that is itself a scalar arrives as a string (nil when the
     * default is NULL). Any other type refuses a mapping or a list. */
    SKIFF_OPT_TREE,
};

/* The field of a SKIFF_OPT_TREE option (ABI 1.2), owned by core, valid
 * until fini. origin says where the value was written, for the plugin's
 * own messages about its content ("skiff.yaml: line 12, column 5"), or
 * "default". */
struct skiff_opt_tree {
    const void *msgpack;
    size_t len;
    const char *origin;
};

struct skiff_option {
    const char *key;
    enum skiff_opt_type type;
    const char *def; /* default in the file's syntax; NULL = zero/empty */
    size_t offset;
    const char *help;
};

/* A bus message as a handler sees it. Borrowed: valid only during the call. */
struct skiff_msg {
    uint32_t type;    /* SKIFF_MSG_* */
    uint32_t version; /* version of the body's layout */
    const char *from; /* sending endpoint (plugin name or "core") */
    const char *to;
    uint64_t id;      /* sender-chosen id, unique per sender */
    uint64_t re;      /* for replies: the id of the request; else 0 */
    const void *body; /* one msgpack map */
    size_t body_len;
};

struct skiff_ctx; /* core's handle for one plugin instance */
struct skiff_informer;

/* Informer callbacks; objects are msgpack maps, borrowed for the call. */
struct skiff_informer_ops {
    void (*add)(void *arg, const void *obj, size_t len);
    void (*update)(void *arg, const void *old_obj, size_t old_len, const void *obj, size_t len);
    void (*del)(void *arg, const void *obj, size_t len); /* the last state */
    void (*synced)(void *arg);                           /* may be NULL */
};

enum skiff_write_op {
    SKIFF_WRITE_CREATE = 1,
    SKIFF_WRITE_UPDATE = 2,
    SKIFF_WRITE_UPDATE_STATUS = 3,
    SKIFF_WRITE_DELETE = 4,
};

/* Result codes of store calls: the HTTP status the API would answer. */
enum {
    SKIFF_OK = 0,
    SKIFF_EINVAL = 400,
    SKIFF_ENOTFOUND = 404,
    SKIFF_ECONFLICT = 409, /* already exists, or a stale resourceVersion */
    SKIFF_ETOOBIG = 413,
    SKIFF_EUNAVAILABLE = 503,
};

typedef void (*skiff_write_fn)(void *arg, int code, const char *message, const void *obj,
                               size_t len);
struct skiff_timer;
struct skiff_watch;

/* A request to this node's HTTP surface (ABI 1.2), borrowed for the
 * handler call. */
struct skiff_http_req {
    const char *method;       /* GET, POST, PUT, PATCH, DELETE, HEAD */
    const char *path;         /* decoded, starting with "/PREFIX" */
    const char *query;        /* raw query string without '?'; "" if none */
    const char *content_type; /* of the body; "" if none */
    const void *body;         /* the whole body (at most api.max-proxy-body) */
    size_t body_len;
    /* ABI 1.3: the client asked for a bidirectional stream (pods/exec,
     * pods/attach): see http_on_input. Plugins built for 1.2 never look. */
    bool upgraded;
};
struct skiff_http_stream; /* one response, owned by the plugin until http_end */
typedef void (*skiff_http_fn)(void *arg, const struct skiff_http_req *req,
                              struct skiff_http_stream *s);

typedef void (*skiff_timer_fn)(void *arg);
typedef void (*skiff_fd_fn)(int fd, int events, void *arg);
typedef void (*skiff_work_fn)(void *arg); /* on a worker thread: may block */
typedef void (*skiff_done_fn)(void *arg); /* back on the loop thread */

enum { SKIFF_FD_READ = 1, SKIFF_FD_WRITE = 2 };

struct skiff_host {
    uint32_t abi_major;
    uint32_t abi_minor;
    size_t struct_size;

    void (*log)(struct skiff_ctx *ctx, int level, const char *fmt, ...)
            __attribute__((format(printf, 3, 4)));
    const char *(*node_name)(struct skiff_ctx *ctx);
    const char *(*data_dir)(struct skiff_ctx *ctx);
    double (*now)(struct skiff_ctx *ctx); /* monotonic seconds */

    /* Timers: one-shot when repeat is 0 (then freed after it fires). */
    struct skiff_timer *(*timer_add)(struct skiff_ctx *ctx, double after, double repeat,
                                     skiff_timer_fn fn, void *arg);
    void (*timer_cancel)(struct skiff_ctx *ctx, struct skiff_timer *t);

    struct skiff_watch *(*fd_watch)(struct skiff_ctx *ctx, int fd, int events, skiff_fd_fn fn,
                                    void *arg);
    void (*fd_unwatch)(struct skiff_ctx *ctx, struct skiff_watch *w);

    /* Run work(arg) on a worker thread, then done(arg) on the loop.
     * Returns 0, or -1 when the agent is stopping. */
    int (*work)(struct skiff_ctx *ctx, skiff_work_fn work, skiff_done_fn done, void *arg);

    /* Send one message to an endpoint ("core" or a plugin name). body is one
     * msgpack map (copied). Returns the message id (> 0) or 0 on error
     * (unknown endpoint, malformed body). Never blocks. */
    uint64_t (*send)(struct skiff_ctx *ctx, const char *to, uint32_t type, uint32_t version,
                     const void *body, size_t len);
    /* Reply to a request: sends to req->from with re = req->id. */
    uint64_t (*reply)(struct skiff_ctx *ctx, const struct skiff_msg *req, uint32_t type,
                      uint32_t version, const void *body, size_t len);

    /* ---- ABI 1.1: the object store ----
     * Objects cross the ABI as the msgpack bytes of the Kubernetes object
     * (one map, as `kubectl get -o json` shows it), borrowed for the call.
     * resource is the store's name: "pods", "apps/deployments", ...; ns is
     * NULL or "" for every namespace (and for cluster-scoped kinds). */

    /* Follow a resource through an informer: add for every object at
     * first, then add/update/del as it changes; synced once the first
     * list was delivered. Callbacks run on the loop. Returns NULL on a bad
     * argument or when the agent has no store. Cancelled by unsubscribe,
     * or when the plugin stops. */
    struct skiff_informer *(*subscribe)(struct skiff_ctx *ctx, const char *resource, const char *ns,
                                        const struct skiff_informer_ops *ops, void *arg);
    void (*unsubscribe)(struct skiff_ctx *ctx, struct skiff_informer *inf);
    /* Read one object from the local replica. Returns SKIFF_OK and *obj
     * (free with free()), or SKIFF_ENOTFOUND / SKIFF_EINVAL. Reads LMDB (a
     * memory map): fine on the loop for single objects. */
    int (*get)(struct skiff_ctx *ctx, const char *resource, const char *ns, const char *name,
               void **obj, size_t *len);
    /* Propose a write (op: SKIFF_WRITE_*). obj is the object's msgpack map;
     * for delete NULL or DeleteOptions (gracePeriodSeconds, preconditions),
     * and a pod gets its grace period as through the API (docs/plugins.md).
     * done(arg, code, message, obj, len) runs on the
     * loop once the write is durable or refused; obj is the object after
     * the write. Returns SKIFF_OK, or a code when the write could not be
     * queued (done is then not called). Once the plugin stops, pending
     * done callbacks are dropped. */
    int (*propose)(struct skiff_ctx *ctx, int op, const char *resource, const char *ns,
                   const char *name, const void *obj, size_t len, skiff_write_fn done, void *arg);

    /* ---- ABI 1.2: node HTTP, served over the bus ----
     * A plugin serves requests that reach this node through the API's
     * nodes/proxy subresource (GET /api/v1/nodes/NODE/proxy/PREFIX/...)
     * and through core routes that proxy to a node (pods/log reaches
     * PREFIX "containerLogs", as the kubelet's endpoint is named). The
     * API side and this node talk over the bus; the plugin only sees
     * the calls below, all on the loop thread. */

    /* Serve every request whose path is /PREFIX or starts with /PREFIX/.
     * prefix is one path segment ([A-Za-z0-9._-]+); one plugin per
     * prefix. fn runs on the loop with the request (borrowed for the
     * call) and a stream the plugin now owns until http_end. Returns
     * SKIFF_OK, SKIFF_EINVAL (bad prefix) or SKIFF_ECONFLICT (taken).
     * Dropped when the plugin stops (call it from start): core then ends
     * the streams the plugin still holds (the client sees an error) and
     * frees them, so a plugin ends or forgets its streams in stop. */
    int (*http_serve)(struct skiff_ctx *ctx, const char *prefix, skiff_http_fn fn, void *arg);
    /* Start the response: status (200..599) and content type (NULL:
     * text/plain). Call once, before any write. Returns 0 or -1. */
    int (*http_head)(struct skiff_http_stream *s, int status, const char *content_type);
    /* Append body bytes (copied; never refused for being early, so a
     * producer that ignores http_pending holds its output in memory).
     * Returns 0, or -1 once the client is gone (the plugin should stop
     * producing and call http_end) or before http_head. */
    int (*http_write)(struct skiff_http_stream *s, const void *data, size_t len);
    /* Bytes written but not yet taken by the client (queued on this node
     * plus in flight, at most a 1 MiB window, to the API): a producer (a
     * followed log, an export) pauses above a few hundred KiB and
     * resumes from the drain callback. */
    size_t (*http_pending)(struct skiff_http_stream *s);
    /* drain(arg) runs on the loop when pending falls to half of its peak
     * since this call or the last drain; gone(arg) when the client goes
     * away (cancel), after which the plugin must still call http_end.
     * Both may be NULL; neither runs after http_end. */
    void (*http_notify)(struct skiff_http_stream *s, void (*drain)(void *arg),
                        void (*gone)(void *arg), void *arg);
    /* Finish the response; bytes still pending are delivered by core.
     * The stream must not be used afterwards. */
    void (*http_end)(struct skiff_http_stream *s);

    /* ---- ABI 1.3: upgraded (bidirectional) node HTTP streams ----
     * pods/exec and pods/attach reach a node as requests with
     * req->upgraded set (paths as the kubelet's: /exec/NS/POD/CONTAINER
     * ?command=...&input=1&output=1&error=1&tty=1). The plugin answers
     * http_head(s, 200, ...) to accept (an error status with a text body
     * refuses: the client sees "unable to upgrade connection: BODY"), then
     * each http_write is one whole frame of the k8s.io channel protocol:
     * its first byte is the channel (1 stdout, 2 stderr, 3 the final
     * metav1.Status JSON), at most 256 KiB. http_end closes the stream. */

    /* Receive the client's frames, in order, on the loop (never inside
     * the plugin's own call): first byte the channel (0 stdin, 4 resize
     * {"Width":W,"Height":H}, 255 close: the second byte names the channel
     * the client closed). data is borrowed for the call. NULL stops
     * delivery (frames wait). Call from the handler or later, until
     * http_end. */
    void (*http_on_input)(struct skiff_http_stream *s,
                          void (*input)(void *arg, const void *data, size_t len), void *arg);
    /* Hold (true) or resume (false) delivery: a plugin whose consumer is
     * slow (a full stdin pipe) pauses; past the window (1 MiB) the client
     * itself is held back. */
    void (*http_input_pause)(struct skiff_http_stream *s, bool paused);
};

struct skiff_plugin {
    uint32_t abi_major; /* SKIFF_ABI_MAJOR */
    uint32_t abi_minor; /* SKIFF_ABI_MINOR */
    size_t struct_size; /* sizeof(struct skiff_plugin) */
    const char *name;   /* [a-z0-9-]+, unique */
    enum skiff_role role;
    const char *description;

    const struct skiff_option *options; /* NULL or key==NULL terminated */
    size_t options_size;

    /* Allocate state and read options; *self is passed to the rest.
     * Return 0, or non-zero to refuse (log why through host->log). */
    int (*init)(struct skiff_ctx *ctx, const struct skiff_host *host, const void *options,
                void **self);
    /* Begin work (register timers, watches). Return 0 or non-zero. */
    int (*start)(void *self);
    /* Stop work: idempotent, never blocks. */
    void (*stop)(void *self);
    /* Release everything init allocated. */
    void (*fini)(void *self);
    /* A message for this plugin; NULL if it takes none. */
    void (*on_msg)(void *self, const struct skiff_msg *m);
};

#ifdef SKIFF_PLUGIN_SO
#define SKIFF_PLUGIN(name)                                                                         \
    __attribute__((visibility("default"))) const struct skiff_plugin skiff_plugin_entry
#else
#define SKIFF_PLUGIN(name) const struct skiff_plugin skiff_plugin_##name
#endif

#define SKIFF_PLUGIN_HEADER                                                                        \
    .abi_major = SKIFF_ABI_MAJOR, .abi_minor = SKIFF_ABI_MINOR,                                    \
    .struct_size = sizeof(struct skiff_plugin)

#endif
