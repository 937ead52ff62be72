/* Fuzz store commands: in a cluster they arrive from Raft peers, so any
 * bytes must decode safely, and a command that decodes must apply without
 * crashing or leaking to a store that holds objects in every state (live,
 * with finalizers, being deleted, gone). Each input is applied inside a
 * write transaction that is then aborted, so every input meets the same
 * store. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sk_store *S;
static char dir[] = "/tmp/skiff-fuzz-store-XXXXXX";

static void cleanup(void)
{
    char p[sizeof(dir) + 32];
    sk_store_close(S);
    snprintf(p, sizeof(p), "%s/store/data.mdb", dir);
    unlink(p);
    snprintf(p, sizeof(p), "%s/store/lock.mdb", dir);
    unlink(p);
    snprintf(p, sizeof(p), "%s/store", dir);
    rmdir(p);
    rmdir(dir);
}

static void seed(struct sk_store_txn *t, int op, const char *name, const char *fin, int64_t grace)
{
    struct sk_val *o = sk_val_map();
    sk_val_set_at(o, sk_val_str("v1"), "apiVersion", NULL);
    sk_val_set_at(o, sk_val_str("Pod"), "kind", NULL);
    sk_val_set_at(o, sk_val_str("nginx"), "spec", "image", NULL);
    if (fin)
        sk_arr_push(sk_val_set_at(o, sk_val_arr(), "metadata", "finalizers", NULL),
                    sk_val_str(fin));
    struct sk_store_cmd c = {.op = op,
                             .resource = "pods",
                             .ns = "default",
                             .name = name,
                             .obj = op == SK_STORE_DELETE ? NULL : o,
                             .grace = grace,
                             .new_uid = "00000000-0000-4000-8000-000000000001",
                             .ts = "2024-05-01T10:00:00Z"};
    struct sk_buf b = {0};
    struct sk_store_result r;
    if (sk_store_cmd_encode(&c, &b, NULL) == SK_OK) {
        sk_store_apply(t, b.p, b.len, &r);
        sk_store_result_clear(&r);
    }
    sk_buf_free(&b);
    sk_val_free(o);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (!mkdtemp(dir)) abort();
    atexit(cleanup);
    /* a short history so that applying also runs compaction */
    struct sk_store_opts o = {.data_dir = dir, .history = 8};
    if (sk_store_open(&o, &S, NULL) != SK_OK) abort();
    struct sk_store_txn *t;
    if (sk_store_txn_begin(S, &t, NULL) != SK_OK) abort();
    seed(t, SK_STORE_CREATE, "web", NULL, 0);
    seed(t, SK_STORE_CREATE, "fin", "example.com/keep", 0);
    seed(t, SK_STORE_DELETE, "fin", NULL, 0); /* being deleted */
    seed(t, SK_STORE_CREATE, "grace", NULL, 0);
    seed(t, SK_STORE_DELETE, "grace", NULL, 30); /* graceful */
    seed(t, SK_STORE_CREATE, "gone", NULL, 0);
    seed(t, SK_STORE_DELETE, "gone", NULL, 0); /* a tombstone */
    for (int i = 0; i < 6; i++)
        seed(t, SK_STORE_UPDATE, "web", NULL, 0);
    if (sk_store_txn_commit(t, NULL) != SK_OK) abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sk_error *e = NULL;
    sk_err rc = sk_store_cmd_check(data, size, &e);
    if (rc != SK_OK && !e) abort(); /* every refusal says why */
    sk_error_free(e);
    /* apply whatever it is: refusal must be as safe as success */
    struct sk_store_txn *t;
    if (sk_store_txn_begin(S, &t, NULL) != SK_OK) abort();
    struct sk_store_result r;
    if (sk_store_apply(t, data, size, &r) == SK_OK) {
        if (rc != SK_OK && r.code == SK_OK) abort(); /* decode and apply disagree */
        if (r.code == SK_OK && (!r.obj || r.obj->rev == 0)) abort();
        if (r.code != SK_OK && !r.err) abort();
        sk_store_result_clear(&r);
        /* again in the same transaction: now it meets its own effects */
        sk_store_apply(t, data, size, &r);
    }
    sk_store_result_clear(&r);
    sk_store_txn_abort(t);
    return 0;
}
