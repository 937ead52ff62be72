/* What the store's files share and nobody else sees: the store struct, the
 * on-disk key and record layout, events. See store.h for the design. */
#ifndef SK_STORE_PRIV_H
#define SK_STORE_PRIV_H

#include <lmdb.h>
#include <pthread.h>

#include "store.h"

#define SK_STORE_FORMAT 1
#define SK_STORE_MAGIC  "skiff-store"

/* Key spaces in the one LMDB database; revisions sort last so appends go
 * to the right edge of the tree. (The key index lives in memory.) */
#define KS_META 'm'
#define KS_REV  'r'

/* resource \0 namespace \0 name */
#define SK_STORE_KEY_MAX                                                                           \
    (SK_STORE_MAX_RESOURCE + 1 + SK_STORE_MAX_NAMESPACE + 1 + SK_STORE_MAX_NAME)
#define SK_STORE_REVKEY_LEN 9

/* Record layout (value under "r" + revision):
 *   0  u8  record format (1)
 *   1  u8  event type (SK_STORE_ADDED / MODIFIED / DELETED)
 *   2  u16 key length (big-endian), key = resource \0 ns \0 name
 *   4  u32 CRC32C over the revision (8 bytes BE), bytes 0..3 and 8..end
 *   8  u64 previous revision of the same key, 0 = none
 *  16  key, then the object's msgpack (at least one byte) */
#define REC_HDR 16

struct sk_store_rec {
    uint64_t rev;
    int type;
    uint64_t prev;
    const char *key; /* resource \0 ns \0 name, without the key-space prefix */
    size_t klen;
    const char *obj;
    size_t olen;
};

/* An event as the loop holds it: shared by the ring and every watcher
 * (loop thread only once published, so the count needs no atomics). */
struct sk_store_ev {
    struct sk_store_event pub;
    int refs;
    struct sk_store_ev *next;
    char key[]; /* resource \0 ns \0 name \0 */
};

/* ---- store_index.c: ordered map key -> newest revision ---- */
struct sk_ix;
struct sk_ix_node;
struct sk_ix *sk_ix_new(void);
void sk_ix_free(struct sk_ix *ix);
const struct sk_ix_node *sk_ix_find(const struct sk_ix *ix, const char *key, size_t klen);
/* First entry with a key >= key. */
const struct sk_ix_node *sk_ix_seek(const struct sk_ix *ix, const char *key, size_t klen);
const struct sk_ix_node *sk_ix_first(const struct sk_ix *ix);
const struct sk_ix_node *sk_ix_next(const struct sk_ix_node *n);
void sk_ix_entry(const struct sk_ix_node *n, const char **key, size_t *klen, uint64_t *rev,
                 bool *tomb, bool *removed);
void sk_ix_put(struct sk_ix *ix, const char *key, size_t klen, uint64_t rev, bool tomb);
void sk_ix_put_removed(struct sk_ix *ix, const char *key, size_t klen);
void sk_ix_del(struct sk_ix *ix, const char *key, size_t klen);
void sk_ix_merge(struct sk_ix *ix, const struct sk_ix *overlay);
size_t sk_ix_len(const struct sk_ix *ix);
size_t sk_ix_live(const struct sk_ix *ix); /* entries that are not tombstones */

struct sk_store_req; /* a queued write (store_commit.c) */
struct sk_store_batch;

struct sk_store {
    char *dir;
    char *path;  /* dir/data.mdb */
    int lock_fd; /* flock on dir: one opener at a time */
    MDB_env *env;
    MDB_dbi dbi;
    uint64_t history;
    struct sk_loop *loop;
    struct sk_work_pool *pool;

    atomic_uint_least64_t committed_rev;
    atomic_uint_least64_t window_start;
    atomic_uint_least64_t n_commits, n_writes;

    /* committer (store_commit.c) */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thr;
    bool thr_started, stopping;
    struct sk_store_req *q_head, *q_tail;
    size_t q_n;
    struct sk_store_batch *done_head, *done_tail;
    struct sk_async *wake;

    /* The key index. Write transactions run one at a time under txn_mu
     * (begin to commit, events queued included, so events reach the loop
     * in revision order) and read ix without a lock; they change it only
     * after LMDB's commit, under ix_lock, which readers share. A reader
     * takes ix_lock before its LMDB snapshot, so the snapshot is never
     * older than the index it reads. */
    pthread_mutex_t txn_mu;
    pthread_rwlock_t ix_lock;
    struct sk_ix *ix;
    uint64_t ix_rev; /* the revision the index reflects */

    /* loop side (store_watch.c) */
    uint64_t loop_rev; /* newest revision whose events were dispatched */
    struct sk_store_ev **ring;
    size_t ring_cap, ring_n, ring_head; /* ring_head = index of the oldest */
    size_t ring_bytes;
    struct sk_store_watch *watchers;
    int dispatch_depth;
    bool reap;
    int jobs; /* catch-up reads and informer lists on the pool */
    struct sk_informer *informers;
};

struct sk_store_txn {
    struct sk_store *s;
    MDB_txn *txn;
    uint64_t cur;     /* newest revision inside this transaction */
    uint64_t wstart;  /* window start inside this transaction */
    struct sk_ix *ov; /* this transaction's index changes */
    struct sk_store_ev *ev_head, *ev_tail;
};

/* ---- store.c ---- */
void sk_store_be64(unsigned char *p, uint64_t v);
uint64_t sk_store_get_be64(const unsigned char *p);
uint32_t sk_store_crc32c(uint32_t crc, const void *p, size_t n);
/* resource \0 ns \0 name into buf (SK_STORE_KEY_MAX); returns the length. */
size_t sk_store_key(char *buf, const char *res, const char *ns, const char *name);
/* Rebuild the key index from the records. */
sk_err sk_store_ix_build(struct sk_store *s, MDB_txn *txn, struct sk_ix *ix, struct sk_error **err);
void sk_store_rkey(unsigned char *buf, uint64_t rev);
sk_err sk_store_rec_parse(uint64_t rev, const MDB_val *v, struct sk_store_rec *r,
                          struct sk_error **err);
/* Read the record of rev; SK_ENOENT if absent. */
sk_err sk_store_rec_get(MDB_txn *txn, MDB_dbi dbi, uint64_t rev, struct sk_store_rec *r,
                        struct sk_error **err);
/* Newest revision and window start as seen by txn. */
sk_err sk_store_txn_revs(struct sk_store *s, MDB_txn *txn, uint64_t *cur, uint64_t *wstart,
                         struct sk_error **err);
sk_err sk_store_lmdb_fail(struct sk_error **err, int rc, const char *what);
struct sk_store_obj *sk_store_obj_new(uint64_t rev, const void *data, size_t len);
/* Takes ownership of data (malloc'd). */
struct sk_store_obj *sk_store_obj_adopt(uint64_t rev, char *data, size_t len);
/* The object's tree without making it stay: the shared one when something
 * already decoded it (*tmp = NULL), else a private copy in *tmp that the
 * caller frees after use; NULL if the bytes do not decode. Long-lived
 * holders (informer caches, the watch ring) look at objects through this,
 * so that they keep only the msgpack bytes and not a tree beside them. */
const struct sk_val *sk_store_obj_peek(struct sk_store_obj *o, struct sk_val **tmp);
/* Resource as Kubernetes names it in messages: "deployments.apps". */
void sk_store_qualified(char *buf, size_t cap, const char *resource);

/* ---- store_watch.c ---- */
struct sk_store_ev *sk_store_ev_new(int type, uint64_t rev, const char *key, size_t klen,
                                    struct sk_store_obj *obj, struct sk_store_obj *prev);
void sk_store_ev_unref(struct sk_store_ev *ev);
void sk_store_ev_free_list(struct sk_store_ev *ev);
/* Dispatch committed events (in revision order) on the loop; takes the list. */
void sk_store_publish(struct sk_store *s, struct sk_store_ev *evs);
void sk_store_watch_init(struct sk_store *s);
void sk_store_watch_fini(struct sk_store *s);

/* ---- store_informer.c ---- */
void sk_store_informers_fini(struct sk_store *s);

/* ---- store_commit.c ---- */
void sk_store_commit_start(struct sk_store *s);
void sk_store_commit_stop(struct sk_store *s);
/* Hand a committed transaction's events to the loop (any thread; called
 * with txn_mu held). */
void sk_store_handoff(struct sk_store *s, struct sk_store_ev *evs);
/* Let the loop run until no pool job of the store is in flight. */
void sk_store_wait_jobs(struct sk_store *s);

#endif
