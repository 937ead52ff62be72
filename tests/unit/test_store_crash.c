/* Crash safety: a child writes as fast as it can through the real API
 * (16 writers, group commit) and reports every acknowledged write over a
 * pipe; the parent SIGKILLs it at a random moment, 50 times. After each
 * kill the parent reopens the store, runs the full integrity check and
 * looks up every write the child had acknowledged. The store is kept from
 * one round to the next, so later rounds crash a bigger store, mid
 * compaction as well. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"
#include "store.h"

#define ROUNDS  50
#define WRITERS 16
#define HISTORY 500

struct report {
    uint64_t rev;
    int32_t kind; /* 0 create, 1 update of a hot key */
    int32_t counter;
    char name[32];
};

static char dir[256];

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    remove(p);
    return 0;
}

/* ---- the child ---- */

struct writer {
    int id;
    int fd;
    int round;
    int seq;
    int counter;
    struct sk_store *s;
    struct report pending;
};

static struct sk_val *payload(const char *name, int counter)
{
    struct sk_val *o = sk_val_map();
    sk_map_set(o, "apiVersion", sk_val_str("v1"));
    sk_map_set(o, "kind", sk_val_str("ConfigMap"));
    sk_val_set_at(o, sk_val_str(name), "metadata", "name", NULL);
    char data[900];
    memset(data, 'a' + counter % 26, sizeof(data) - 1);
    data[sizeof(data) - 1] = 0;
    sk_val_set_at(o, sk_val_str(data), "data", "blob", NULL);
    sk_val_set_at(o, sk_val_int(counter), "data", "counter", NULL);
    return o;
}

static void next_write(struct writer *w);

static void child_done(const struct sk_store_result *r, void *arg)
{
    struct writer *w = arg;
    if (r->code != SK_OK) {
        fprintf(stderr, "child: write failed: %s\n", sk_error_msg(r->err, r->code));
        _exit(3);
    }
    /* Acknowledged: durable from here on. One atomic pipe write. */
    w->pending.rev = r->rev;
    char buf[sizeof(struct report)];
    memcpy(buf, &w->pending, sizeof(buf));
    if (write(w->fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) _exit(4);
    next_write(w);
}

static void next_write(struct writer *w)
{
    struct sk_store_cmd c = {.resource = "configmaps", .ns = "crash"};
    memset(&w->pending, 0, sizeof(w->pending));
    if (w->seq % 4 == 3) {
        snprintf(w->pending.name, sizeof(w->pending.name), "hot%d", w->id);
        w->pending.kind = 1;
        w->pending.counter = ++w->counter;
        c.op = SK_STORE_UPDATE;
    } else {
        snprintf(w->pending.name, sizeof(w->pending.name), "r%d-w%d-%d", w->round, w->id, w->seq);
        c.op = SK_STORE_CREATE;
    }
    w->seq++;
    c.name = w->pending.name;
    struct sk_val *o = payload(w->pending.name, w->pending.counter);
    c.obj = o;
    struct sk_error *e = NULL;
    if (sk_store_submit(w->s, &c, child_done, w, &e) != SK_OK) {
        fprintf(stderr, "child: submit: %s\n", e->msg);
        _exit(5);
    }
    sk_val_free(o);
}

static void run_child(int fd, int round, const int *counters)
{
    alarm(30); /* never outlive a parent that failed to kill us */
    struct sk_loop *loop = sk_loop_new();
    struct sk_store_opts o = {.data_dir = dir, .loop = loop, .history = HISTORY};
    struct sk_store *s;
    struct sk_error *e = NULL;
    if (sk_store_open(&o, &s, &e) != SK_OK) {
        fprintf(stderr, "child: open: %s\n", e->msg);
        _exit(2);
    }
    static struct writer ws[WRITERS];
    for (int i = 0; i < WRITERS; i++) {
        ws[i] = (struct writer){.id = i, .fd = fd, .round = round, .s = s};
        ws[i].counter = counters[i];
        next_write(&ws[i]);
    }
    sk_loop_run(loop);
    _exit(0);
}

/* ---- the parent ---- */

static void hot_keys(void)
{
    struct sk_store_opts o = {.data_dir = dir, .history = HISTORY};
    struct sk_store *s;
    struct sk_error *e = NULL;
    assert_int_equal(sk_store_open(&o, &s, &e), SK_OK);
    struct sk_store_txn *t;
    assert_int_equal(sk_store_txn_begin(s, &t, &e), SK_OK);
    for (int i = 0; i < WRITERS; i++) {
        char name[16];
        snprintf(name, sizeof(name), "hot%d", i);
        struct sk_val *p = payload(name, 0);
        struct sk_store_cmd c = {
                .op = SK_STORE_CREATE, .resource = "configmaps", .ns = "crash", .obj = p};
        struct sk_buf b = {0};
        assert_int_equal(sk_store_cmd_encode(&c, &b, &e), SK_OK);
        struct sk_store_result r;
        assert_int_equal(sk_store_apply(t, b.p, b.len, &r), SK_OK);
        assert_int_equal(r.code, SK_OK);
        sk_store_result_clear(&r);
        sk_buf_free(&b);
        sk_val_free(p);
    }
    assert_int_equal(sk_store_txn_commit(t, &e), SK_OK);
    sk_store_close(s);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Read whole reports until the deadline (or EOF when deadline < 0). */
static void collect(int fd, double deadline, struct report **v, size_t *n, size_t *cap,
                    char *partial, size_t *plen)
{
    for (;;) {
        int ms = -1;
        if (deadline >= 0) {
            double left = deadline - now_s();
            if (left <= 0) return;
            ms = (int)(left * 1000) + 1;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int pr = poll(&p, 1, ms);
        if (pr < 0 && errno == EINTR) continue;
        if (pr <= 0) return;
        ssize_t got = read(fd, partial + *plen, sizeof(struct report) * 64 - *plen);
        if (got <= 0) return;
        *plen += (size_t)got;
        size_t whole = *plen / sizeof(struct report);
        for (size_t i = 0; i < whole; i++) {
            if (*n == *cap) {
                *cap = *cap ? *cap * 2 : 1024;
                *v = realloc(*v, *cap * sizeof(**v));
            }
            memcpy(&(*v)[(*n)++], partial + i * sizeof(struct report), sizeof(struct report));
        }
        memmove(partial, partial + whole * sizeof(struct report),
                *plen - whole * sizeof(struct report));
        *plen -= whole * sizeof(struct report);
    }
}

static void verify(const struct report *v, size_t n, int *counters, uint64_t *total_creates)
{
    struct sk_store_opts o = {.data_dir = dir, .history = HISTORY};
    struct sk_store *s;
    struct sk_error *e = NULL;
    sk_err rc = sk_store_open(&o, &s, &e);
    if (rc) fail_msg("reopen: %s", e->msg);
    rc = sk_store_check(s, true, &e);
    if (rc) fail_msg("integrity: %s", e->msg);
    uint64_t maxrev = 0;
    int want[WRITERS] = {0};
    for (size_t i = 0; i < n; i++) {
        if (v[i].rev > maxrev) maxrev = v[i].rev;
        struct sk_store_obj *obj = NULL;
        rc = sk_store_get(s, "configmaps", "crash", v[i].name, &obj, &e);
        if (rc)
            fail_msg("acknowledged write of %s at %" PRIu64 " is lost: %s", v[i].name, v[i].rev,
                     e->msg);
        assert_true(obj->rev >= v[i].rev);
        if (v[i].kind == 1) {
            int id = atoi(v[i].name + 3);
            if (v[i].counter > want[id]) want[id] = v[i].counter;
        } else {
            assert_int_equal(obj->rev, v[i].rev); /* creates are never touched again */
            (*total_creates)++;
        }
        sk_store_obj_unref(obj);
    }
    assert_true(sk_store_rev(s) >= maxrev);
    for (int i = 0; i < WRITERS; i++) {
        char name[16];
        snprintf(name, sizeof(name), "hot%d", i);
        struct sk_store_obj *obj = NULL;
        assert_int_equal(sk_store_get(s, "configmaps", "crash", name, &obj, &e), SK_OK);
        int have =
                (int)sk_val_to_int(sk_val_at(sk_store_obj_val(obj), "data", "counter", NULL), -1);
        assert_true(have >= want[i]);
        counters[i] = have; /* the next child continues from what survived */
        sk_store_obj_unref(obj);
    }
    struct sk_store_stats st;
    sk_store_stats(s, &st);
    assert_true(st.objects >= *total_creates + WRITERS);
    sk_store_close(s);
}

static void test_crash(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/var/tmp/skiff-test-crash-XXXXXX");
    assert_non_null(mkdtemp(dir));
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    srand(seed);
    fprintf(stderr, "crash test: seed=%u dir=%s\n", seed, dir);
    hot_keys();
    int counters[WRITERS] = {0};
    uint64_t total_creates = 0, acked = 0;
    double t0 = now_s();
    for (int round = 0; round < ROUNDS; round++) {
        int p[2];
        assert_int_equal(pipe(p), 0);
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(p[0]);
            run_child(p[1], round, counters);
        }
        close(p[1]);
        /* The moment: anywhere from the child's start-up to well into its
         * writing, so kills land in open, apply, commit and compaction. */
        double delay = (double)(rand() % 400) / 1000.0;
        struct report *v = NULL;
        size_t n = 0, cap = 0, plen = 0;
        char partial[sizeof(struct report) * 64];
        collect(p[0], now_s() + delay, &v, &n, &cap, partial, &plen);
        kill(pid, SIGKILL);
        collect(p[0], -1, &v, &n, &cap, partial, &plen); /* what it acked before dying */
        close(p[0]);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
            fail_msg("child ended on its own (status %d) in round %d", status, round);
        verify(v, n, counters, &total_creates);
        acked += n;
        free(v);
    }
    fprintf(stderr, "crash test: %d kills, %" PRIu64 " acknowledged writes verified in %.1f s\n",
            ROUNDS, acked, now_s() - t0);
    assert_true(acked > 0);
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
