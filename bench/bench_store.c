/* Store figures: durable writes per second with 1 and 16 concurrent
 * writers, bytes written to disk per write, listing 10,000 pods, and one
 * change fanned out to 100 watchers. The data dir goes on a real disk
 * (SKIFF_BENCH_DIR, default /var/tmp), never tmpfs.
 *
 * Bytes to disk: this file defines pwrite() and fdatasync(), which the
 * dynamic linker binds LMDB's calls to (the executable's definitions
 * interpose libc's), so every byte LMDB hands the kernel is counted, each
 * write rounded out to whole 4 KiB blocks as the disk sees it (a 120-byte
 * meta update costs a block). That is the store's own write amplification.
 * /proc/self/io write_bytes is not used: on this kernel it charges the
 * file system's journal work to the process (about 24 KiB per fdatasync
 * even for a one-block write), so it measures ext4, not the store. The
 * block device's sector counter is printed as a cross-check; it adds the
 * journal and whatever else the machine writes meanwhile. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <ftw.h>

#include "loop.h"
#include "store.h"

#define OBJ_TARGET 1024 /* encoded bytes of one benchmark object */
/* The store's history window. Smaller than the default (10,000) so that
 * the update phase sees several compactions in seconds; it is the worse
 * case, since fewer deletions then share each rewritten page. */
#define HISTORY 5000

static struct sk_loop *L;
static struct sk_store *S;
static char dir[256];
static dev_t dev;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static atomic_ullong io_bytes, io_flushes, io_flush_ns;
static ino_t data_ino; /* data.mdb: only writes to it are counted */

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Count a write of n bytes at off, in whole 4 KiB blocks. A write through
 * an O_DSYNC descriptor (LMDB's meta page) is also a flush. */
static void count(int fd, uint64_t off, size_t n, uint64_t ns)
{
    struct stat st;
    if (n == 0 || !data_ino || fstat(fd, &st) != 0 || st.st_ino != data_ino) return;
    uint64_t first = off / 4096, last = (off + n - 1) / 4096;
    atomic_fetch_add(&io_bytes, (last - first + 1) * 4096);
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0 && (fl & O_DSYNC)) {
        atomic_fetch_add(&io_flushes, 1);
        atomic_fetch_add(&io_flush_ns, ns);
    }
}

__attribute__((visibility("default"))) ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    uint64_t t0 = mono_ns();
    ssize_t r = syscall(SYS_pwrite64, fd, buf, n, off);
    if (r > 0) count(fd, (uint64_t)off, (size_t)r, mono_ns() - t0);
    return r;
}

/* LMDB writes runs of contiguous pages with lseek + writev. */
__attribute__((visibility("default"))) ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
    off_t off = lseek(fd, 0, SEEK_CUR);
    ssize_t r = syscall(SYS_writev, fd, iov, cnt);
    if (r > 0 && off >= 0) count(fd, (uint64_t)off, (size_t)r, 0);
    return r;
}

__attribute__((visibility("default"))) ssize_t write(int fd, const void *buf, size_t n)
{
    off_t off = lseek(fd, 0, SEEK_CUR);
    ssize_t r = syscall(SYS_write, fd, buf, n);
    if (r > 0 && off >= 0) count(fd, (uint64_t)off, (size_t)r, 0);
    return r;
}

__attribute__((visibility("default"))) int fdatasync(int fd)
{
    uint64_t t0 = mono_ns();
    int r = (int)syscall(SYS_fdatasync, fd);
    atomic_fetch_add(&io_flushes, 1);
    atomic_fetch_add(&io_flush_ns, mono_ns() - t0);
    return r;
}

__attribute__((visibility("default"))) int fsync(int fd)
{
    uint64_t t0 = mono_ns();
    int r = (int)syscall(SYS_fsync, fd);
    atomic_fetch_add(&io_flushes, 1);
    atomic_fetch_add(&io_flush_ns, mono_ns() - t0);
    return r;
}

static uint64_t dev_write_bytes(void)
{
    char p[128];
    snprintf(p, sizeof(p), "/sys/dev/block/%u:%u/stat", major(dev), minor(dev));
    FILE *f = fopen(p, "r");
    uint64_t v[8] = {0};
    if (f) {
        if (fscanf(f,
                   "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
                   " %" SCNu64,
                   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]) != 7)
            v[6] = 0;
        fclose(f);
    }
    return v[6] * 512; /* sectors written */
}

static char padding[OBJ_TARGET];

static struct sk_val *mkobj(const char *name, int counter, int pad)
{
    struct sk_val *o = sk_val_map();
    sk_map_set(o, "apiVersion", sk_val_str("v1"));
    sk_map_set(o, "kind", sk_val_str("Pod"));
    struct sk_val *m = sk_map_set(o, "metadata", sk_val_map());
    sk_map_set(m, "name", sk_val_str(name));
    sk_obj_set_label(o, "app", counter % 2 ? "web" : "db");
    sk_val_set_at(o, sk_val_strn(padding, (size_t)pad), "spec", "containers", NULL);
    sk_val_set_at(o, sk_val_int(counter), "spec", "counter", NULL);
    return o;
}

static int pad_len; /* padding giving OBJ_TARGET bytes once stored */

static void calibrate(void)
{
    memset(padding, 'x', sizeof(padding));
    /* the stored object also carries uid, timestamps, resourceVersion... */
    struct sk_val *o = mkobj("w16-00-0000000", 1, 0);
    sk_val_set_at(o, sk_val_str("bench"), "metadata", "namespace", NULL);
    sk_val_set_at(o, sk_val_str("0a1b2c3d-0000-4000-8000-000000000000"), "metadata", "uid", NULL);
    sk_val_set_at(o, sk_val_str("2024-05-01T10:00:00Z"), "metadata", "creationTimestamp", NULL);
    sk_val_set_at(o, sk_val_int(1), "metadata", "generation", NULL);
    sk_val_set_at(o, sk_val_str("1000000"), "metadata", "resourceVersion", NULL);
    struct sk_buf b = {0};
    sk_val_to_msgpack(o, &b);
    pad_len = OBJ_TARGET - (int)b.len - 3; /* str16 header */
    sk_buf_free(&b);
    sk_val_free(o);
}

/* ---- closed-loop writers ---- */

struct writer {
    int id;
    long seq;
    bool update;
    int keyspace;
    double until;
    long limit; /* stop after this many writes in all (0 = time only) */
    long *done;
    int *active;
};

static void submit_next(struct writer *w);

static void on_done(const struct sk_store_result *r, void *arg)
{
    struct writer *w = arg;
    if (r->code != SK_OK) {
        fprintf(stderr, "bench: write failed: %s\n", sk_error_msg(r->err, r->code));
        exit(1);
    }
    (*w->done)++;
    if (now_s() < w->until && (!w->limit || *w->done + *w->active <= w->limit))
        submit_next(w);
    else
        (*w->active)--;
}

static void submit_next(struct writer *w)
{
    char name[64];
    int op = SK_STORE_CREATE;
    if (w->update) {
        snprintf(name, sizeof(name), "pod-%06d", (int)(random() % w->keyspace));
        op = SK_STORE_UPDATE;
    } else {
        snprintf(name, sizeof(name), "w%02d-%07ld", w->id, w->seq);
    }
    w->seq++;
    struct sk_val *o = mkobj(name, (int)w->seq, pad_len);
    struct sk_store_cmd c = {.op = op, .resource = "pods", .ns = "bench", .obj = o};
    c.name = name;
    struct sk_error *e = NULL;
    if (sk_store_submit(S, &c, on_done, w, &e) != SK_OK) {
        fprintf(stderr, "bench: submit: %s\n", e->msg);
        exit(1);
    }
    sk_val_free(o);
}

struct phase {
    double writes_per_sec;
    double bytes_per_write;
    double flushes_per_write;
    double flush_ms;
    double dev_bytes_per_write;
    double writes_per_commit;
};

static struct phase run_writers(int n, double secs, long limit, bool update, int keyspace,
                                int round)
{
    static struct writer ws[64];
    long done = 0;
    int active = n;
    struct sk_store_stats st0, st1;
    sk_store_stats(S, &st0);
    uint64_t p0 = atomic_load(&io_bytes), f0 = atomic_load(&io_flushes), d0 = dev_write_bytes();
    uint64_t n0 = atomic_load(&io_flush_ns);
    double t0 = now_s();
    for (int i = 0; i < n; i++) {
        ws[i] = (struct writer){.id = i + round * 100,
                                .update = update,
                                .keyspace = keyspace,
                                .until = t0 + secs,
                                .limit = limit,
                                .done = &done,
                                .active = &active};
        submit_next(&ws[i]);
    }
    while (active > 0)
        sk_loop_run_once(L, true);
    double t = now_s() - t0;
    uint64_t p1 = atomic_load(&io_bytes), f1 = atomic_load(&io_flushes), d1 = dev_write_bytes();
    uint64_t n1 = atomic_load(&io_flush_ns);
    sk_store_stats(S, &st1);
    struct phase ph = {
            .writes_per_sec = (double)done / t,
            .bytes_per_write = (double)(p1 - p0) / (double)done,
            .flushes_per_write = (double)(f1 - f0) / (double)done,
            .flush_ms = f1 > f0 ? (double)(n1 - n0) / (double)(f1 - f0) / 1e6 : 0,
            .dev_bytes_per_write = (double)(d1 - d0) / (double)done,
            .writes_per_commit =
                    (double)(st1.writes - st0.writes) / (double)(st1.commits - st0.commits),
    };
    return ph;
}

/* ---- list ---- */

static void bulk_create(const char *ns, int n)
{
    struct sk_error *e = NULL;
    for (int base = 0; base < n; base += 1000) {
        struct sk_store_txn *t;
        if (sk_store_txn_begin(S, &t, &e)) exit(1);
        for (int i = base; i < base + 1000 && i < n; i++) {
            char name[32];
            snprintf(name, sizeof(name), "pod-%06d", i);
            struct sk_val *o = mkobj(name, i, pad_len);
            struct sk_store_cmd c = {.op = SK_STORE_CREATE, .resource = "pods", .ns = ns, .obj = o};
            struct sk_buf b = {0};
            if (sk_store_cmd_encode(&c, &b, &e)) exit(1);
            struct sk_store_result r;
            if (sk_store_apply(t, b.p, b.len, &r) || r.code) {
                fprintf(stderr, "bench: bulk: %s\n", sk_error_msg(r.err, r.code));
                exit(1);
            }
            sk_store_result_clear(&r);
            sk_buf_free(&b);
            sk_val_free(o);
        }
        if (sk_store_txn_commit(t, &e)) exit(1);
    }
    /* let the loop take the events */
    for (int i = 0; i < 10; i++)
        sk_loop_run_once(L, false);
}

static double bench_list(bool selector)
{
    struct sk_store_list l;
    struct sk_error *e = NULL;
    double best = 1e9;
    for (int rep = 0; rep < 5; rep++) {
        struct sk_store_list_opts o = {.resource = "pods", .ns = "list"};
        double t0 = now_s();
        if (sk_store_list(S, &o, &l, &e)) exit(1);
        /* a selector needs the decoded tree of each object */
        size_t n = 0;
        for (size_t i = 0; selector && i < l.n; i++) {
            const char *app = sk_obj_label(sk_store_obj_val(l.items[i]), "app");
            n += app && !strcmp(app, "web");
        }
        double t = now_s() - t0;
        if (l.n != 10000) {
            fprintf(stderr, "bench: listed %zu\n", l.n);
            exit(1);
        }
        sk_store_list_free(&l);
        if (t < best) best = t;
        (void)n;
    }
    return best * 1000;
}

/* ---- watch fan-out ---- */

static int seen;
static double first_at, last_at;

static void on_event(const struct sk_store_event *ev, void *arg)
{
    (void)arg;
    (void)ev;
    double t = now_s();
    if (seen == 0) first_at = t;
    last_at = t;
    seen++;
}

static bool match_web(const struct sk_val *obj, void *arg)
{
    (void)arg;
    const char *app = sk_obj_label(obj, "app");
    return app && !strcmp(app, "web");
}

static void wdone(const struct sk_store_result *r, void *arg)
{
    (void)r;
    (*(int *)arg)++;
}

static void bench_fanout(bool selector, double *dispatch_us, double *e2e_us)
{
    struct sk_store_watch *w[100];
    struct sk_error *e = NULL;
    for (int i = 0; i < 100; i++) {
        struct sk_store_watch_opts o = {.resource = "fanout"};
        if (selector) o.match = match_web;
        if (sk_store_watch(S, &o, on_event, NULL, &w[i], &e)) exit(1);
    }
    for (int i = 0; i < 5; i++)
        sk_loop_run_once(L, false);
    double sum_d = 0, sum_e = 0;
    int reps = 200;
    for (int rep = 0; rep < reps; rep++) {
        char name[32];
        snprintf(name, sizeof(name), "f%d-%d", selector, rep);
        struct sk_val *o = mkobj(name, 1, pad_len); /* app=web: passes the selector */
        struct sk_store_cmd c = {.op = SK_STORE_CREATE, .resource = "fanout", .ns = "f", .obj = o};
        seen = 0;
        int acked = 0;
        double t0 = now_s();
        if (sk_store_submit(S, &c, wdone, &acked, &e)) exit(1);
        sk_val_free(o);
        while (seen < 100 || !acked)
            sk_loop_run_once(L, true);
        sum_d += last_at - first_at;
        sum_e += last_at - t0;
    }
    for (int i = 0; i < 100; i++)
        sk_store_watch_close(w[i]);
    *dispatch_us = sum_d / reps * 1e6;
    *e2e_us = sum_e / reps * 1e6;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    remove(p);
    return 0;
}

int main(void)
{
    const char *base = getenv("SKIFF_BENCH_DIR");
    snprintf(dir, sizeof(dir), "%s/skiff-bench-store-XXXXXX", base ? base : "/var/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    struct statfs sf;
    struct stat st;
    if (statfs(dir, &sf) == 0 && sf.f_type == 0x01021994)
        fprintf(stderr, "bench: warning: %s is tmpfs; disk figures mean nothing\n", dir);
    stat(dir, &st);
    dev = st.st_dev;
    calibrate();
    srandom(1);
    L = sk_loop_new();
    struct sk_store_opts o = {.data_dir = dir, .loop = L, .history = HISTORY};
    struct sk_error *e = NULL;
    if (sk_store_open(&o, &S, &e)) {
        fprintf(stderr, "bench: open: %s\n", e->msg);
        return 1;
    }
    char dpath[300];
    snprintf(dpath, sizeof(dpath), "%s/store/data.mdb", dir);
    struct stat dst0;
    if (stat(dpath, &dst0) == 0) data_ino = dst0.st_ino;
    /* a store with some content, as a node would have */
    bulk_create("bench", 10000);
    run_writers(16, 0.5, 0, false, 0, 9); /* warm-up */
    struct phase w1 = run_writers(1, 3, 0, false, 0, 1);
    struct phase w16 = run_writers(16, 4, 0, false, 0, 2);
    /* Updates in steady state: superseded versions leave the window and
     * are deleted, which costs page rewrites; first run long enough for
     * that to be under way, then measure whole compaction cycles. */
    run_writers(16, 30, 2 * HISTORY, true, 10000, 3);
    struct phase up16 = run_writers(16, 60, 4 * HISTORY, true, 10000, 4);
    bulk_create("list", 10000);
    double list_ms = bench_list(false), list_sel_ms = bench_list(true);
    double fan_us, fan_e2e_us, fan_sel_us, fan_sel_e2e_us;
    bench_fanout(false, &fan_us, &fan_e2e_us);
    bench_fanout(true, &fan_sel_us, &fan_sel_e2e_us);
    struct sk_store_stats sst;
    sk_store_stats(S, &sst);
    struct stat dst;
    char path[300];
    snprintf(path, sizeof(path), "%s/store/data.mdb", dir);
    stat(path, &dst);

    printf("store.object_bytes=%d\n", OBJ_TARGET);
    printf("store.history=%d\n", HISTORY);
    printf("store.writes_per_sec.w1=%.0f\n", w1.writes_per_sec);
    printf("store.writes_per_sec.w16=%.0f\n", w16.writes_per_sec);
    printf("store.disk_bytes_per_write=%.0f\n", w16.bytes_per_write);
    printf("store.disk_bytes_per_write.w1=%.0f\n", w1.bytes_per_write);
    printf("store.flushes_per_write.w16=%.2f\n", w16.flushes_per_write);
    printf("store.disk_bytes_per_write.device_w16=%.0f\n", w16.dev_bytes_per_write);
    printf("store.writes_per_commit.w16=%.1f\n", w16.writes_per_commit);
    printf("store.flush_ms.w16=%.2f\n", w16.flush_ms);
    printf("store.flush_ms.w1=%.2f\n", w1.flush_ms);
    printf("store.updates_per_sec.w16=%.0f\n", up16.writes_per_sec);
    printf("store.disk_bytes_per_update.w16=%.0f\n", up16.bytes_per_write);
    printf("store.updates_per_commit.w16=%.1f\n", up16.writes_per_commit);
    printf("store.list_10000_pods_ms=%.1f\n", list_ms);
    printf("store.list_10000_pods_decoded_ms=%.1f\n", list_sel_ms);
    printf("store.watch_fanout_100_us=%.1f\n", fan_us);
    printf("store.watch_fanout_100_e2e_us=%.1f\n", fan_e2e_us);
    printf("store.watch_fanout_100_selector_us=%.1f\n", fan_sel_us);
    printf("store.revisions=%" PRIu64 "\n", sst.rev);
    printf("store.file_bytes=%lld\n", (long long)dst.st_blocks * 512);
    sk_store_close(S);
    sk_loop_free(L);
    if (getenv("SKIFF_BENCH_KEEP"))
        fprintf(stderr, "bench: kept %s\n", dir);
    else
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}
