/* Store watch and informers: resume from the ring and from disk (with and
 * without a worker pool), 410 before and during catch-up, filters and
 * selectors, closing from a callback; informer add/update/delete, selector
 * transitions, and the relist after the window moved past it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <inttypes.h>

#include "store_test.h"

/* ---- watch ---- */

struct seen {
    int n, errors;
    uint64_t revs[256];
    int types[256];
    char names[256][16];
    sk_err code;
    char msg[256];
    struct sk_store_watch *w;
    bool close_on_first;
};

static void on_ev(const struct sk_store_event *ev, void *arg)
{
    struct seen *x = arg;
    if (ev->type == SK_STORE_ERROR) {
        x->errors++;
        x->code = ev->code;
        snprintf(x->msg, sizeof(x->msg), "%s", ev->message);
        return;
    }
    if (x->n < 256) {
        x->revs[x->n] = ev->rev;
        x->types[x->n] = ev->type;
        snprintf(x->names[x->n], 16, "%s", ev->name);
        /* the object belongs to the event's revision */
        assert_true(ev->obj != NULL);
    }
    x->n++;
    if (x->close_on_first) {
        sk_store_watch_close(x->w);
        x->w = NULL;
    }
}

static void watch_resume(struct sk_work_pool *pool)
{
    /* ring of 4 events: resuming further back reads LMDB */
    struct sk_store *s = open_store(20, 4, pool);
    write_n(s, "a", 10);
    struct seen x = {0};
    struct sk_error *e = NULL;
    struct sk_store_watch_opts o = {.resource = "pods", .from_rev = 2};
    assert_int_equal(sk_store_watch(s, &o, on_ev, &x, &x.w, &e), SK_OK);
    assert_int_equal(x.n, 0); /* never from inside the call */
    run_until(&x.n, 8, 10);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(x.revs[i], 3 + i);
        assert_int_equal(x.types[i], SK_STORE_ADDED);
    }
    /* then live */
    write_n(s, "b", 3);
    run_until(&x.n, 11, 10);
    assert_int_equal(x.revs[10], 13);

    /* from the ring only */
    struct seen y = {0};
    o.from_rev = 11;
    assert_int_equal(sk_store_watch(s, &o, on_ev, &y, &y.w, &e), SK_OK);
    run_until(&y.n, 2, 10);
    assert_int_equal(y.revs[0], 12);

    /* from now on (0) */
    struct seen z = {0};
    o.from_rev = 0;
    assert_int_equal(sk_store_watch(s, &o, on_ev, &z, &z.w, &e), SK_OK);
    spin();
    assert_int_equal(z.n, 0);
    write_n(s, "c", 1);
    run_until(&z.n, 1, 10);
    assert_int_equal(z.revs[0], 14);

    /* beyond the window: 410 */
    write_n(s, "d", 30);
    run_until(&x.n, 42, 10);
    o.from_rev = 3;
    struct sk_store_watch *dead = NULL;
    assert_int_equal(sk_store_watch(s, &o, on_ev, &z, &dead, &e), SK_EGONE);
    assert_non_null(strstr(e->msg, "too old resource version: 3 ("));
    sk_error_free(e);
    e = NULL;
    assert_null(dead);

    /* other resources and namespaces are filtered */
    struct seen q = {0};
    o = (struct sk_store_watch_opts){.resource = "configmaps", .ns = "w"};
    assert_int_equal(sk_store_watch(s, &o, on_ev, &q, &q.w, &e), SK_OK);
    struct wres w;
    assert_int_equal(create(s, "configmaps", "other", mkpod("c1", NULL, "x"), &w), SK_OK);
    wres_clear(&w);
    assert_int_equal(create(s, "configmaps", "w", mkpod("c2", NULL, "x"), &w), SK_OK);
    wres_clear(&w);
    run_until(&q.n, 1, 10);
    spin();
    assert_int_equal(q.n, 1);
    assert_string_equal(q.names[0], "c2");

    /* closing from inside a callback */
    struct seen c = {.close_on_first = true};
    o = (struct sk_store_watch_opts){.from_rev = 40};
    assert_int_equal(sk_store_watch(s, &o, on_ev, &c, &c.w, &e), SK_OK);
    spin();
    assert_int_equal(c.n, 1);

    sk_store_watch_close(x.w);
    sk_store_watch_close(y.w);
    sk_store_watch_close(z.w);
    /* q left open: close frees it */
    sk_store_close(s);
}

static void test_watch_resume(void **state)
{
    (void)state;
    watch_resume(NULL);
}

static void test_watch_resume_pool(void **state)
{
    (void)state;
    struct sk_work_pool *pool = sk_work_pool_new(L, 2);
    watch_resume(pool);
    sk_work_pool_free(pool);
}

static void test_watch_gone_while_catching_up(void **state)
{
    (void)state;
    struct sk_store *s = open_store(600, 2, NULL);
    write_n(s, "a", 700); /* more than one catch-up round (512) */
    struct seen x = {0};
    struct sk_error *e = NULL;
    struct sk_store_watch_opts o = {.resource = "pods", .from_rev = 100};
    assert_int_equal(sk_store_watch(s, &o, on_ev, &x, &x.w, &e), SK_OK);
    run_until(&x.n, 600, 10);
    assert_int_equal(x.errors, 0);
    assert_int_equal(x.n, 600);
    sk_store_watch_close(x.w);

    /* the watcher is still pending while the window moves past it: the
     * catch-up reports 410 as an ERROR event */
    struct seen y = {0};
    o.from_rev = sk_store_rev(s) - 500;
    assert_int_equal(sk_store_watch(s, &o, on_ev, &y, &y.w, &e), SK_OK);
    struct sk_store_txn *t;
    assert_int_equal(sk_store_txn_begin(s, &t, &e), SK_OK);
    for (int i = 0; i < 700; i++) {
        struct sk_val *p = mkpod(NULL, NULL, "x");
        char name[16];
        snprintf(name, sizeof(name), "t%d", i);
        struct sk_store_cmd c = {
                .op = SK_STORE_CREATE, .resource = "pods", .ns = "w", .name = name, .obj = p};
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
    run_until(&y.errors, 1, 10);
    assert_int_equal(y.code, SK_EGONE);
    assert_non_null(strstr(y.msg, "too old resource version"));
    sk_store_watch_close(y.w);
    sk_store_close(s);
}

static void test_watch_selector(void **state)
{
    (void)state;
    struct sk_store *s = open_store(0, 0, NULL);
    struct seen x = {0};
    struct sk_error *e = NULL;
    struct sk_store_watch_opts o = {.resource = "pods", .match = match_app, .match_arg = "web"};
    assert_int_equal(sk_store_watch(s, &o, on_ev, &x, &x.w, &e), SK_OK);
    spin();
    struct wres w;
    assert_int_equal(create(s, "pods", "default", mkpod("a", "db", "x"), &w), SK_OK);
    struct sk_val *u = dupv(w.obj);
    wres_clear(&w);
    sk_obj_set_label(u, "app", "web"); /* starts matching: ADDED */
    struct sk_store_cmd c = {
            .op = SK_STORE_UPDATE, .resource = "pods", .ns = "default", .name = "a", .obj = u};
    assert_int_equal(run_cmd(s, &c, &w), SK_OK);
    sk_val_free(u);
    u = dupv(w.obj);
    wres_clear(&w);
    sk_obj_set_label(u, "app", "db"); /* stops matching: DELETED */
    c.obj = u;
    assert_int_equal(run_cmd(s, &c, &w), SK_OK);
    wres_clear(&w);
    sk_val_free(u);
    run_until(&x.n, 2, 10);
    assert_int_equal(x.types[0], SK_STORE_ADDED);
    assert_int_equal(x.revs[0], 2);
    assert_int_equal(x.types[1], SK_STORE_DELETED);
    assert_int_equal(x.revs[1], 3);
    sk_store_watch_close(x.w);
    sk_store_close(s);
}

/* ---- informers ---- */

struct icount {
    int adds, updates, dels, synced;
    struct sk_informer *inf;
    struct sk_store *s;
    bool write_on_sync;
};

static void i_add(void *arg, const struct sk_val *obj)
{
    (void)obj;
    ((struct icount *)arg)->adds++;
}

static void i_update(void *arg, const struct sk_val *o, const struct sk_val *n)
{
    assert_string_not_equal(sk_val_str_at(o, "metadata", "resourceVersion", NULL),
                            sk_val_str_at(n, "metadata", "resourceVersion", NULL));
    ((struct icount *)arg)->updates++;
}

static void i_del(void *arg, const struct sk_val *obj)
{
    (void)obj;
    ((struct icount *)arg)->dels++;
}

static void direct_write(struct sk_store *s, int op, const char *name, const struct sk_val *obj)
{
    struct sk_store_cmd c = {.op = op, .resource = "pods", .ns = "i", .name = name, .obj = obj};
    struct sk_buf b = {0};
    struct sk_error *e = NULL;
    struct sk_store_txn *t;
    assert_int_equal(sk_store_cmd_encode(&c, &b, &e), SK_OK);
    assert_int_equal(sk_store_txn_begin(s, &t, &e), SK_OK);
    struct sk_store_result r;
    assert_int_equal(sk_store_apply(t, b.p, b.len, &r), SK_OK);
    assert_int_equal(r.code, SK_OK);
    sk_store_result_clear(&r);
    assert_int_equal(sk_store_txn_commit(t, &e), SK_OK);
    sk_buf_free(&b);
}

static void i_synced(void *arg)
{
    struct icount *c = arg;
    c->synced++;
    if (c->write_on_sync && c->synced == 1) {
        /* Move the window past the list's revision before the informer's
         * watch starts: it must list again and report the difference. */
        direct_write(c->s, SK_STORE_DELETE, "i0", NULL);
        for (int i = 0; i < 20; i++) {
            char name[16];
            snprintf(name, sizeof(name), "late%d", i);
            struct sk_val *p = mkpod(name, "web", "x");
            direct_write(c->s, SK_STORE_CREATE, name, p);
            sk_val_free(p);
        }
    }
}

static const struct sk_informer_ops iops = {i_add, i_update, i_del, i_synced};

static void informer(struct sk_work_pool *pool)
{
    struct sk_store *s = open_store(0, 0, pool);
    struct wres w;
    for (int i = 0; i < 5; i++) {
        char name[16];
        snprintf(name, sizeof(name), "i%d", i);
        assert_int_equal(create(s, "pods", "i", mkpod(name, i < 3 ? "web" : "db", "x"), &w), SK_OK);
        wres_clear(&w);
    }
    struct icount all = {0}, web = {0};
    all.inf = sk_informer_new(s, "pods", NULL, NULL, NULL, &iops, &all);
    web.inf = sk_informer_new(s, "pods", "i", match_app, "web", &iops, &web);
    assert_int_equal(all.adds, 0);
    run_until(&all.synced, 1, 10);
    run_until(&web.synced, 1, 10);
    assert_int_equal(all.adds, 5);
    assert_int_equal(web.adds, 3);
    assert_true(sk_informer_synced(all.inf));
    assert_int_equal(sk_informer_len(web.inf), 3);
    assert_non_null(sk_informer_get(all.inf, "i", "i4"));
    assert_null(sk_informer_get(web.inf, "i", "i4"));

    /* a write's callback sees its own write in the cache */
    struct sk_store_obj *g;
    struct sk_error *e = NULL;
    assert_int_equal(sk_store_get(s, "pods", "i", "i0", &g, &e), SK_OK);
    struct sk_val *u = dupv(g);
    sk_store_obj_unref(g);
    sk_val_set_at(u, sk_val_str("y"), "spec", "image", NULL);
    struct sk_store_cmd c = {
            .op = SK_STORE_UPDATE, .resource = "pods", .ns = "i", .name = "i0", .obj = u};
    assert_int_equal(run_cmd(s, &c, &w), SK_OK);
    wres_clear(&w);
    assert_int_equal(all.updates, 1);
    assert_int_equal(web.updates, 1);
    assert_string_equal(sk_val_str_at(sk_informer_get(all.inf, "i", "i0"), "spec", "image", NULL),
                        "y");
    assert_int_equal(sk_informer_rev(all.inf), sk_store_rev(s));

    /* stops matching: delete for the filtered informer, update for the other */
    sk_obj_set_label(u, "app", "db");
    sk_map_del(sk_map_get(u, "metadata"), "resourceVersion");
    assert_int_equal(run_cmd(s, &c, &w), SK_OK);
    wres_clear(&w);
    sk_val_free(u);
    assert_int_equal(web.dels, 1);
    assert_int_equal(all.updates, 2);
    assert_int_equal(sk_informer_len(web.inf), 2);

    struct sk_store_cmd dc = {.op = SK_STORE_DELETE, .resource = "pods", .ns = "i", .name = "i4"};
    assert_int_equal(run_cmd(s, &dc, &w), SK_OK);
    wres_clear(&w);
    assert_int_equal(all.dels, 1);
    assert_int_equal(sk_informer_len(all.inf), 4);
    sk_informer_free(web.inf);
    sk_informer_free(all.inf);
    sk_store_close(s);
}

static void test_informer(void **state)
{
    (void)state;
    informer(NULL);
}

static void test_informer_pool(void **state)
{
    (void)state;
    struct sk_work_pool *pool = sk_work_pool_new(L, 2);
    informer(pool);
    sk_work_pool_free(pool);
}

static void test_informer_relist(void **state)
{
    (void)state;
    struct sk_store *s = open_store(8, 2, NULL);
    struct wres w;
    for (int i = 0; i < 3; i++) {
        char name[16];
        snprintf(name, sizeof(name), "i%d", i);
        assert_int_equal(create(s, "pods", "i", mkpod(name, "web", "x"), &w), SK_OK);
        wres_clear(&w);
    }
    struct icount c = {.s = s, .write_on_sync = true};
    c.inf = sk_informer_new(s, "pods", NULL, NULL, NULL, &iops, &c);
    run_until(&c.adds, 23, 10);
    spin();
    assert_int_equal(c.synced, 1);
    assert_int_equal(c.adds, 23);
    assert_int_equal(c.dels, 1);
    assert_int_equal(sk_informer_len(c.inf), 22);
    assert_null(sk_informer_get(c.inf, "i", "i0"));
    assert_non_null(sk_informer_get(c.inf, "i", "late19"));
    /* and it follows live changes afterwards */
    assert_int_equal(del(s, "i1", 0, 0, NULL, NULL, TS, &w), SK_ENOENT); /* ns default */
    wres_clear(&w);
    struct sk_store_cmd dc = {.op = SK_STORE_DELETE, .resource = "pods", .ns = "i", .name = "i1"};
    assert_int_equal(run_cmd(s, &dc, &w), SK_OK);
    wres_clear(&w);
    assert_int_equal(c.dels, 2);
    /* freed from inside nothing; store close after */
    sk_informer_free(c.inf);
    sk_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_watch_resume, setup, teardown),
            cmocka_unit_test_setup_teardown(test_watch_resume_pool, setup, teardown),
            cmocka_unit_test_setup_teardown(test_watch_gone_while_catching_up, setup, teardown),
            cmocka_unit_test_setup_teardown(test_watch_selector, setup, teardown),
            cmocka_unit_test_setup_teardown(test_informer, setup, teardown),
            cmocka_unit_test_setup_teardown(test_informer_pool, setup, teardown),
            cmocka_unit_test_setup_teardown(test_informer_relist, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
