/* The store: Kubernetes objects in LMDB, written only through commands.
 *
 * Shape
 * - Every write is a command (create, update, update-status, delete), one
 *   msgpack map. Everything that is not a function of the store's state (the
 *   new uid, the timestamp, the generateName suffix) is decided by the
 *   proposer before the command is encoded, so sk_store_apply() is pure: the
 *   same commands in the same order give the same store on every node. That
 *   is what lets Raft feed the same bytes to every replica later; on a
 *   single node the committer's queue is the log, and a command is
 *   acknowledged once its effects are committed.
 * - On disk (DATA_DIR/store/data.mdb, one LMDB database) there are records
 *   and two meta keys:
 *     "m" format:  magic + format version (a foreign file is refused)
 *     "m" window:  the oldest revision of the history window
 *     "r" + revision (8 bytes big-endian) -> record
 *   A record is one version of one object: event type, the previous
 *   revision of the same key, the key (resource \0 namespace \0 name), a
 *   CRC32C and the object's msgpack. Objects are written once (MVCC like
 *   etcd) and revisions only grow, so every write is an append at the right
 *   edge of the tree (MDB_APPEND fills pages instead of splitting them).
 * - The key index (key -> newest revision) lives in memory, rebuilt from
 *   the record headers at open, like etcd's. On disk it would cost a 4 KiB
 *   page rewrite per write to a random key; in memory a write costs about
 *   its own bytes. get and list use it plus the records.
 * - Revision: one counter; every command that changes an object adds one
 *   and writes exactly one record. resourceVersion is its decimal string.
 *   generation is 1 at create and grows when anything outside metadata (and
 *   status, for kinds with a status subresource) changes, or when deletion
 *   starts, as Kubernetes does.
 * - History window: the last `history` revisions are all kept. A record that
 *   leaves the window is deleted once it is no longer needed to answer "what
 *   was this key at revision window_start-1" (its successor left too), so
 *   watch from any R >= window_start-1 and list at any such R stay exact.
 *   Older R: SK_EGONE (HTTP 410). Compaction runs inside apply, so it is
 *   deterministic too, once the window holds 2 x history revisions, and
 *   then removes history of them at once (deleting a superseded version
 *   rewrites its page; many at once share pages).
 * - Durability: a committer thread takes every queued command, applies them
 *   all in one LMDB write transaction and commits it with LMDB's durable
 *   commit (fdatasync of the data, then of the meta page). Only then are the
 *   writers' callbacks run, on the loop thread. Many writes, one commit
 *   (group commit). LMDB's copy-on-write pages and double meta page mean a
 *   SIGKILL at any moment leaves the last committed state, never a torn one.
 * - Watch: committed changes reach the loop as events (refcounted, shared by
 *   every watcher: fan-out copies nothing). A ring of recent events serves
 *   resumes without touching the disk; older resumes inside the window read
 *   the records back (on the worker pool when there is one).
 *
 * Threads: sk_store_get/list/check/dump/stats/rev may be called from any
 * thread (LMDB read transactions with MDB_NOTLS). submit, watch and
 * informer functions are loop-thread only. A write transaction (txn_begin
 * to commit or abort) belongs to the thread that began it; one runs at a
 * time. */
#ifndef SK_STORE_H
#define SK_STORE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "val.h"

struct sk_loop;
struct sk_work_pool;
struct sk_store;
struct sk_store_txn;
struct sk_store_watch;
struct sk_informer;

/* etcd's default request limit, which Kubernetes objects inherit. */
#define SK_STORE_MAX_OBJECT (1536u * 1024u)
/* Longest resource ("apps/deployments"), namespace and name accepted. */
#define SK_STORE_MAX_RESOURCE  128
#define SK_STORE_MAX_NAMESPACE 63
#define SK_STORE_MAX_NAME      253

enum sk_store_op {
    SK_STORE_CREATE = 1,
    SK_STORE_UPDATE = 2,
    SK_STORE_UPDATE_STATUS = 3,
    SK_STORE_DELETE = 4,
};

/* Command flags. */
enum {
    /* The kind has a status subresource: update keeps the stored status and
     * status changes do not bump generation. */
    SK_STORE_F_STATUS = 1 << 0,
};

struct sk_store_opts {
    const char *data_dir;      /* the store lives in data_dir/store/ (created 0700) */
    struct sk_loop *loop;      /* needed for submit, watch, informers; NULL for offline use */
    struct sk_work_pool *pool; /* optional: watch catch-up and informer lists run there */
    uint64_t history;          /* revisions kept for watch/continue (up to twice as many
                                  until compaction); 0 = 10000 */
    size_t ring;               /* recent events kept in memory; 0 = 1024 */
    size_t map_size;           /* LMDB map size in bytes; 0 = 1 GiB (256 MiB on 32-bit) */
    bool check_full;           /* full integrity check at open instead of the quick one */
};

/* Open (or create) the store. A data.mdb that is not LMDB, or an LMDB file
 * that is not a skiff store, fails with SK_ECORRUPT naming the file; it is
 * never reset. Blocks (disk). Loop thread when opts->loop is set. */
sk_err sk_store_open(const struct sk_store_opts *opts, struct sk_store **out,
                     struct sk_error **err);
/* Finish queued writes (their callbacks run), close watchers and informers
 * without further callbacks, close LMDB. Blocks. Loop thread. NULL ok. */
void sk_store_close(struct sk_store *s);

/* ---- objects ---- */

/* One stored version of one object: immutable msgpack bytes, shared by
 * reference between results, watch events, lists and informer caches.
 * Reference counting is atomic, so an object may move between threads. */
struct sk_store_obj {
    uint64_t rev;     /* the revision this version was written at */
    const char *data; /* one msgpack map (the Kubernetes object) */
    size_t len;
    /* private */
    atomic_long refs;
    _Atomic(struct sk_val *) val;
};
struct sk_store_obj *sk_store_obj_ref(struct sk_store_obj *o); /* returns o */
void sk_store_obj_unref(struct sk_store_obj *o);               /* NULL ok */
/* The decoded tree, decoded once on first use and then shared: treat it as
 * read-only. NULL only if the bytes do not decode (a corrupt store). */
const struct sk_val *sk_store_obj_val(struct sk_store_obj *o);

/* ---- commands ---- */

struct sk_store_cmd {
    enum sk_store_op op;
    const char *resource; /* "pods", "apps/deployments": no NUL, 1..128 bytes */
    const char *ns;       /* NULL or "" for cluster-scoped kinds */
    /* NULL or "" on create: metadata.name, or metadata.generateName plus a
     * random suffix. Required for the other operations. */
    const char *name;
    const struct sk_val *obj; /* create/update/update_status: borrowed */
    /* Preconditions, checked when the command is applied: 0 / NULL = none.
     * For update and update_status the object's own
     * metadata.resourceVersion and metadata.uid are used when these are
     * unset, as Kubernetes does. A mismatch gives SK_ECONFLICT. */
    uint64_t rv;
    const char *uid;
    unsigned flags; /* SK_STORE_F_* */
    /* delete: > 0 starts a graceful deletion (pods): deletionTimestamp =
     * now + grace and the object stays until a delete with grace 0. */
    int64_t grace;
    /* delete: finalizers added if the object is kept (propagation policy
     * "orphan" / "foregroundDeletion"); NULL-terminated, may be NULL. */
    const char *const *finalizers;
    /* Decided by the proposer; NULL = generated (random uid v4, the wall
     * clock as RFC 3339 seconds, a random 5-character suffix). Tests fix them. */
    const char *new_uid;
    const char *ts;
    const char *suffix;
};

/* A new random (version 4) uid as Kubernetes writes them, for proposers
 * that must know an object's uid before it is stored. */
void sk_store_new_uid(char out[37]);

/* Encode a command for the log, deciding its nondeterministic parts.
 * Appends to out. SK_EINVAL for a malformed command, SK_ETOOBIG for an
 * object over SK_STORE_MAX_OBJECT. Any thread. */
sk_err sk_store_cmd_encode(const struct sk_store_cmd *c, struct sk_buf *out, struct sk_error **err);
/* Decode and validate an encoded command without applying it (the bytes
 * may come from a peer: never crashes). Any thread. */
sk_err sk_store_cmd_check(const void *p, size_t n, struct sk_error **err);

/* What a command did. */
struct sk_store_result {
    sk_err code;              /* SK_OK, or why the command was refused */
    struct sk_error *err;     /* message when code != SK_OK */
    bool changed;             /* a new revision was written */
    bool deleted;             /* the object is gone (delete, or finalizers emptied) */
    uint64_t rev;             /* the revision written, or the object's if unchanged */
    struct sk_store_obj *obj; /* the object after the command (last state if deleted) */
};
void sk_store_result_clear(struct sk_store_result *r); /* frees err, drops obj */

typedef void (*sk_store_done_fn)(const struct sk_store_result *res, void *arg);

/* Queue a write; done(res, arg) runs on the loop once the command's effects
 * are on disk (or it was refused). res is borrowed for the call: take a
 * reference to keep res->obj. Returns SK_OK, or an error without calling
 * done (bad command, too big, store closing). Loop thread. */
sk_err sk_store_submit(struct sk_store *s, const struct sk_store_cmd *c, sk_store_done_fn done,
                       void *arg, struct sk_error **err);
/* The same for an already encoded command (a write forwarded by a peer). */
sk_err sk_store_submit_raw(struct sk_store *s, const void *cmd, size_t len, sk_store_done_fn done,
                           void *arg, struct sk_error **err);

/* The apply path, for the committer and later for Raft. One write
 * transaction at a time per store (begin blocks while another is open);
 * commit or abort on the thread that began it.
 * sk_store_apply returns SK_OK when the command was applied or refused
 * deterministically (res says which); any other code means the transaction
 * failed (disk full, I/O) and must be aborted. commit is durable and
 * publishes the changes to watchers. */
sk_err sk_store_txn_begin(struct sk_store *s, struct sk_store_txn **out, struct sk_error **err);
sk_err sk_store_apply(struct sk_store_txn *t, const void *cmd, size_t len,
                      struct sk_store_result *res);
sk_err sk_store_txn_commit(struct sk_store_txn *t, struct sk_error **err);
void sk_store_txn_abort(struct sk_store_txn *t); /* NULL ok */

/* ---- reads (any thread, blocking on the disk at worst) ---- */

/* The newest committed revision. */
uint64_t sk_store_rev(struct sk_store *s);

/* *out gets a new reference. SK_ENOENT with the Kubernetes message. */
sk_err sk_store_get(struct sk_store *s, const char *resource, const char *ns, const char *name,
                    struct sk_store_obj **out, struct sk_error **err);

/* Selector hook: true keeps the object. obj is read-only. */
typedef bool (*sk_store_match_fn)(const struct sk_val *obj, void *arg);

/* Kubernetes label and field selectors (core/selector.h) as a match
 * function: pass sk_store_match_selector with a struct sk_store_selector
 * as its argument. Either selector may be NULL (matches everything). Safe
 * from any thread, as the selectors are. */
struct sk_labelsel;
struct sk_fieldsel;
struct sk_store_selector {
    const struct sk_labelsel *labels;
    const struct sk_fieldsel *fields;
};
bool sk_store_match_selector(const struct sk_val *obj, void *arg);

struct sk_store_list_opts {
    const char *resource;
    const char *ns;   /* NULL or "" = every namespace */
    size_t limit;     /* 0 = everything */
    const char *cont; /* continue token from a previous page, or NULL */
    /* 0: the newest revision. Else the list as of this revision: SK_EGONE
     * ("too old resource version: R (W)") once it has left the history
     * window, SK_EAGAIN when the store has not reached it. A continue
     * token's own revision wins. */
    uint64_t rev;
    sk_store_match_fn match; /* NULL = everything */
    void *match_arg;
    /* Optional, and used only without match: for a caller that keeps its
     * own encoding of object versions by revision. Called in key order for
     * each item about to become items[i] whose version at the list's
     * revision is its key's newest (the revision comes from the in-memory
     * index, before any record is read). Returning true lists the item
     * without reading its record: items[i] is then NULL and the caller
     * answers for that (i, rev) itself. If the list is retried internally,
     * the same i may be offered again. Runs on the listing thread. */
    bool (*have)(size_t i, uint64_t rev, void *arg);
    void *have_arg;
};
struct sk_store_list {
    uint64_t rev;                /* every item is as of this revision */
    struct sk_store_obj **items; /* references, in key order (NULL: see have) */
    size_t n;
    char *cont; /* continue token, or NULL on the last page */
};
/* A list at one consistent revision. With a continue token, the page is
 * read as of the token's revision; SK_EGONE (Kubernetes' 410 message) when
 * that revision has left the window, SK_EINVAL for a malformed token. */
sk_err sk_store_list(struct sk_store *s, const struct sk_store_list_opts *o,
                     struct sk_store_list *out, struct sk_error **err);
void sk_store_list_free(struct sk_store_list *l);

/* ---- watch (loop thread) ---- */

enum sk_store_ev_type {
    SK_STORE_ADDED = 1,
    SK_STORE_MODIFIED = 2,
    SK_STORE_DELETED = 3,
    SK_STORE_ERROR = 4, /* the watch ended: code and message say why */
};

struct sk_store_event {
    enum sk_store_ev_type type;
    uint64_t rev;
    const char *resource, *ns, *name;
    /* Borrowed for the callback. For DELETED, the last state; when a
     * selector turns a change into DELETED (the object stopped matching),
     * obj is the previous state, as Kubernetes' watch cache sends it. */
    struct sk_store_obj *obj;
    struct sk_store_obj *prev; /* the state before, or NULL */
    sk_err code;               /* ERROR only */
    const char *message;       /* ERROR only */
};
typedef void (*sk_store_watch_fn)(const struct sk_store_event *ev, void *arg);

struct sk_store_watch_opts {
    const char *resource; /* NULL = every resource */
    const char *ns;       /* NULL or "" = every namespace */
    /* Deliver every change after this revision; 0 = changes from now on.
     * Older than the window: SK_EGONE here, or an ERROR event if the window
     * moves while the watch catches up. */
    uint64_t from_rev;
    sk_store_match_fn match; /* NULL = everything */
    void *match_arg;
    /* Optional, and used only without match: for a caller that keeps its
     * own encoding of object versions by revision. Called in key order for
     * each item about to become items[i] whose version at the list's
     * revision is its key's newest (the revision comes from the in-memory
     * index, before any record is read). Returning true lists the item
     * without reading its record: items[i] is then NULL and the caller
     * answers for that (i, rev) itself. If the list is retried internally,
     * the same i may be offered again. Runs on the listing thread. */
    bool (*have)(size_t i, uint64_t rev, void *arg);
    void *have_arg;
};
/* Events arrive through fn on the loop, never from inside this call. After
 * an ERROR event no more arrive; the watch must still be closed. */
sk_err sk_store_watch(struct sk_store *s, const struct sk_store_watch_opts *o, sk_store_watch_fn fn,
                      void *arg, struct sk_store_watch **out, struct sk_error **err);
/* Safe from inside any callback. NULL ok. */
void sk_store_watch_close(struct sk_store_watch *w);

/* ---- informers: a watched local cache for in-process plugins (loop) ---- */

struct sk_informer_ops {
    void (*add)(void *arg, const struct sk_val *obj);
    void (*update)(void *arg, const struct sk_val *old_obj, const struct sk_val *new_obj);
    void (*del)(void *arg, const struct sk_val *obj); /* the last state */
    void (*synced)(void *arg); /* after the first list was delivered; may be NULL */
};
/* Lists (on the pool if any), calls add for each object, then follows the
 * watch. If the watch falls out of the window it lists again and reports
 * the difference. Callbacks may call any informer function, including
 * sk_informer_free. resource required; ns and match optional. */
struct sk_informer *sk_informer_new(struct sk_store *s, const char *resource, const char *ns,
                                    sk_store_match_fn match, void *match_arg,
                                    const struct sk_informer_ops *ops, void *arg);
void sk_informer_free(struct sk_informer *inf); /* NULL ok */
bool sk_informer_synced(const struct sk_informer *inf);
uint64_t sk_informer_rev(const struct sk_informer *inf); /* revision the cache reflects */
size_t sk_informer_len(const struct sk_informer *inf);
/* Borrowed until the next callback or return to the loop. ns "" or NULL
 * for cluster-scoped objects. */
const struct sk_val *sk_informer_get(const struct sk_informer *inf, const char *ns,
                                     const char *name);
/* Every cached object, in no particular order. fn must not change the cache. */
void sk_informer_foreach(const struct sk_informer *inf,
                         void (*fn)(const struct sk_val *obj, void *arg), void *arg);

/* ---- upkeep ---- */

/* Verify every record's checksum and msgpack, the revision window and the
 * index (full), or the format record and the ends of each key space
 * (quick, used at every start). SK_ECORRUPT with what is wrong. Any thread. */
sk_err sk_store_check(struct sk_store *s, bool full, struct sk_error **err);

/* The logical content (every key and value in order) as text; two stores
 * that applied the same commands give identical dumps. Any thread. */
void sk_store_dump(struct sk_store *s, struct sk_buf *out);

struct sk_store_stats {
    uint64_t rev;          /* newest committed revision */
    uint64_t window_start; /* oldest revision still in the history window */
    uint64_t commits;      /* LMDB write transactions committed */
    uint64_t writes;       /* commands applied through the committer */
    uint64_t objects;      /* live objects */
};
void sk_store_stats(struct sk_store *s, struct sk_store_stats *st);

/* Path of data.mdb (for messages). */
const char *sk_store_path(const struct sk_store *s);

#endif
