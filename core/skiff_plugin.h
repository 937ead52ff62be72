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
#define SKIFF_ABI_MINOR 0

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
    /* Propose a write (op: SKIFF_WRITE_*). obj is the object's msgpack map
     * (NULL for delete). done(arg, code, message, obj, len) runs on the
     * loop once the write is durable or refused; obj is the object after
     * the write. Returns SKIFF_OK, or a code when the write could not be
     * queued (done is then not called). Once the plugin stops, pending
     * done callbacks are dropped. */
    int (*propose)(struct skiff_ctx *ctx, int op, const char *resource, const char *ns,
                   const char *name, const void *obj, size_t len, skiff_write_fn done, void *arg);
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
