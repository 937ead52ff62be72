/* Helpers shared by the store's unit tests: a loop, a scratch data dir on
 * the real disk, synchronous writes through the real group-commit path,
 * and small object builders. Every wait has a deadline. */
#ifndef STORE_TEST_H
#define STORE_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "loop.h"
#include "store.h"
#include "work.h"

#define UNUSED __attribute__((unused))

#define TS "2024-05-01T10:00:00Z"

UNUSED static struct sk_loop *L;
UNUSED static char dir[256];
UNUSED static bool timed_out;

UNUSED static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    remove(p);
    return 0;
}

UNUSED static void rm_rf(const char *p)
{
    nftw(p, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

UNUSED static int setup(void **state)
{
    (void)state;
    L = sk_loop_new();
    snprintf(dir, sizeof(dir), "/var/tmp/skiff-test-store-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

UNUSED static int teardown(void **state)
{
    (void)state;
    sk_loop_free(L);
    L = NULL;
    rm_rf(dir);
    return 0;
}

UNUSED static void on_deadline(void *arg)
{
    (void)arg;
    timed_out = true;
}

UNUSED static void run_until(const int *counter, int want, double secs)
{
    timed_out = false;
    struct sk_timer *t = sk_timer_add(L, secs, 0, on_deadline, NULL);
    while (*counter < want && !timed_out)
        sk_loop_run_once(L, true);
    if (!timed_out) sk_timer_cancel(t);
    assert_false(timed_out);
}

/* let timers of 0 s and pending wake-ups run */
UNUSED static void spin(void)
{
    timed_out = false;
    sk_timer_add(L, 0.05, 0, on_deadline, NULL); /* frees itself when it fires */
    while (!timed_out)
        sk_loop_run_once(L, true);
}

UNUSED static struct sk_store *open_store(uint64_t history, size_t ring, struct sk_work_pool *pool)
{
    struct sk_store_opts o = {.data_dir = dir,
                              .loop = L,
                              .pool = pool,
                              .history = history,
                              .ring = ring,
                              .check_full = true};
    struct sk_store *s = NULL;
    struct sk_error *e = NULL;
    sk_err rc = sk_store_open(&o, &s, &e);
    if (rc) fprintf(stderr, "open: %s\n", sk_error_msg(e, rc));
    assert_int_equal(rc, SK_OK);
    sk_error_free(e);
    return s;
}

UNUSED static struct sk_val *mkpod(const char *name, const char *app, const char *image)
{
    struct sk_val *o = sk_val_map();
    sk_map_set(o, "apiVersion", sk_val_str("v1"));
    sk_map_set(o, "kind", sk_val_str("Pod"));
    struct sk_val *m = sk_map_set(o, "metadata", sk_val_map());
    if (name) sk_map_set(m, "name", sk_val_str(name));
    if (app) {
        struct sk_val *l = sk_map_set(m, "labels", sk_val_map());
        sk_map_set(l, "app", sk_val_str(app));
    }
    sk_val_set_at(o, sk_val_str(image), "spec", "image", NULL);
    return o;
}

/* ---- synchronous writes through the real group-commit path ---- */

struct wres {
    int done;
    sk_err code;
    char msg[1024];
    bool changed, deleted;
    uint64_t rev;
    struct sk_store_obj *obj;
};

UNUSED static void on_done(const struct sk_store_result *r, void *arg)
{
    struct wres *w = arg;
    w->code = r->code;
    snprintf(w->msg, sizeof(w->msg), "%s", r->err ? r->err->msg : "");
    w->changed = r->changed;
    w->deleted = r->deleted;
    w->rev = r->rev;
    w->obj = r->obj ? sk_store_obj_ref(r->obj) : NULL;
    w->done++;
}

UNUSED static void wres_clear(struct wres *w)
{
    sk_store_obj_unref(w->obj);
    memset(w, 0, sizeof(*w));
}

UNUSED static sk_err run_cmd(struct sk_store *s, const struct sk_store_cmd *c, struct wres *w)
{
    memset(w, 0, sizeof(*w));
    struct sk_error *e = NULL;
    sk_err rc = sk_store_submit(s, c, on_done, w, &e);
    if (rc) {
        snprintf(w->msg, sizeof(w->msg), "%s", sk_error_msg(e, rc));
        sk_error_free(e);
        w->code = rc;
        return rc;
    }
    run_until(&w->done, 1, 10);
    return w->code;
}

UNUSED static sk_err create(struct sk_store *s, const char *res, const char *ns, struct sk_val *obj,
                            struct wres *w)
{
    struct sk_store_cmd c = {.op = SK_STORE_CREATE,
                             .resource = res,
                             .ns = ns,
                             .obj = obj,
                             .new_uid = "uid-1",
                             .ts = TS};
    sk_err rc = run_cmd(s, &c, w);
    sk_val_free(obj);
    return rc;
}

UNUSED static const struct sk_val *V(struct sk_store_obj *o)
{
    return sk_store_obj_val(o);
}

UNUSED static struct sk_val *dupv(struct sk_store_obj *o)
{
    return sk_val_dup(sk_store_obj_val(o));
}

UNUSED static sk_err del(struct sk_store *s, const char *name, int64_t grace, uint64_t rv,
                         const char *uid, const char *const *fin, const char *ts, struct wres *w)
{
    struct sk_store_cmd c = {.op = SK_STORE_DELETE,
                             .resource = "pods",
                             .ns = "default",
                             .name = name,
                             .grace = grace,
                             .rv = rv,
                             .uid = uid,
                             .finalizers = fin,
                             .ts = ts};
    return run_cmd(s, &c, w);
}

UNUSED static bool match_app(const struct sk_val *obj, void *arg)
{
    const char *app = sk_obj_label(obj, "app");
    return app && !strcmp(app, arg);
}

UNUSED static void write_n(struct sk_store *s, const char *prefix, int n)
{
    for (int i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof(name), "%s%d", prefix, i);
        struct wres w;
        assert_int_equal(create(s, "pods", "w", mkpod(name, "web", "x"), &w), SK_OK);
        wres_clear(&w);
    }
}

#endif
