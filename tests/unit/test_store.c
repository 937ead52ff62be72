/* The store: object metadata rules, preconditions, generateName,
 * finalizers and graceful deletion, lists with selectors and continue
 * tokens at one revision, determinism of apply, compaction, refusal of
 * foreign or corrupt files, the size limit, group commit and readers on
 * other threads. Watch and informers are in test_store_watch.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loop.h"
#include "selector.h"
#include "store.h"
#include "work.h"

#include "store_test.h"

static void test_create_get(void **state)
{
    (void)state;
    struct sk_store *s = open_store(0, 0, NULL);
    struct wres w;
    assert_int_equal(create(s, "pods", "default", mkpod("web", "x", "nginx"), &w), SK_OK);
    assert_true(w.changed);
    assert_int_equal(w.rev, 1);
    const struct sk_val *o = V(w.obj);
    assert_string_equal(sk_val_str_at(o, "metadata", "uid", NULL), "uid-1");
    assert_string_equal(sk_val_str_at(o, "metadata", "creationTimestamp", NULL), TS);
    assert_string_equal(sk_val_str_at(o, "metadata", "resourceVersion", NULL), "1");
    assert_string_equal(sk_val_str_at(o, "metadata", "namespace", NULL), "default");
    assert_int_equal(sk_val_to_int(sk_val_at(o, "metadata", "generation", NULL), 0), 1);
    wres_clear(&w);

    struct sk_store_obj *g = NULL;
    struct sk_error *e = NULL;
    assert_int_equal(sk_store_get(s, "pods", "default", "web", &g, &e), SK_OK);
    assert_int_equal(g->rev, 1);
    assert_string_equal(sk_val_str_at(V(g), "spec", "image", NULL), "nginx");
    sk_store_obj_unref(g);

    assert_int_equal(create(s, "pods", "default", mkpod("web", "x", "nginx"), &w), SK_EEXIST);
    assert_string_equal(w.msg, "pods \"web\" already exists");
    wres_clear(&w);
    /* same name elsewhere is fine: names are unique per kind and namespace */
    assert_int_equal(create(s, "pods", "other", mkpod("web", "x", "nginx"), &w), SK_OK);
    wres_clear(&w);
    assert_int_equal(create(s, "apps/deployments", "default", mkpod("web", NULL, "n"), &w), SK_OK);
    wres_clear(&w);

    assert_int_equal(sk_store_get(s, "pods", "default", "nope", &g, &e), SK_ENOENT);
    assert_string_equal(e->msg, "pods \"nope\" not found");
    sk_error_free(e);
    e = NULL;
    assert_int_equal(sk_store_get(s, "apps/deployments", "default", "nope", &g, &e), SK_ENOENT);
    assert_string_equal(e->msg, "deployments.apps \"nope\" not found");
    sk_error_free(e);
    e = NULL;

    /* a cluster-scoped object carries no namespace */
    struct sk_val *n = mkpod("node-1", NULL, "x");
    sk_val_set_at(n, sk_val_str("bogus"), "metadata", "namespace", NULL);
    assert_int_equal(create(s, "nodes", NULL, n, &w), SK_OK);
    assert_null(sk_val_at(V(w.obj), "metadata", "namespace", NULL));
    wres_clear(&w);
    assert_int_equal(sk_store_rev(s), 4);
    sk_store_close(s);
}

static sk_err update(struct sk_store *s, int op, struct sk_val *obj, unsigned flags, struct wres *w)
{
    struct sk_store_cmd c = {.op = op,
                             .resource = "apps/deployments",
                             .ns = "default",
                             .name = "d",
                             .obj = obj,
                             .flags = flags,
                             .ts = TS};
    sk_err rc = run_cmd(s, &c, w);
    sk_val_free(obj);
    return rc;
}

static void test_update_rules(void **state)
{
    (void)state;
    struct sk_store *s = open_store(0, 0, NULL);
    struct wres w, w2;
    struct sk_val *d = mkpod("d", "a", "v1");
    sk_val_set_at(d, sk_val_int(1), "status", "replicas", NULL);
    assert_int_equal(create(s, "apps/deployments", "default", d, &w), SK_OK);
    struct sk_store_obj *v1 = w.obj;
    w.obj = NULL;

    /* a spec change bumps generation and resourceVersion */
    struct sk_val *u = dupv(v1);
    sk_val_set_at(u, sk_val_str("v2"), "spec", "image", NULL);
    sk_val_set_at(u, sk_val_str("evil"), "metadata", "uid", NULL);
    sk_map_del(sk_map_get(u, "metadata"), "uid");
    assert_int_equal(update(s, SK_STORE_UPDATE, u, SK_STORE_F_STATUS, &w), SK_OK);
    assert_int_equal(w.rev, 2);
    assert_int_equal(sk_val_to_int(sk_val_at(V(w.obj), "metadata", "generation", NULL), 0), 2);
    assert_string_equal(sk_val_str_at(V(w.obj), "metadata", "uid", NULL), "uid-1");
    assert_string_equal(sk_val_str_at(V(w.obj), "metadata", "creationTimestamp", NULL), TS);
    struct sk_store_obj *v2 = w.obj;
    w.obj = NULL;

    /* a label change does not bump generation */
    u = dupv(v2);
    sk_obj_set_label(u, "tier", "web");
    assert_int_equal(update(s, SK_STORE_UPDATE, u, SK_STORE_F_STATUS, &w), SK_OK);
    assert_int_equal(sk_val_to_int(sk_val_at(V(w.obj), "metadata", "generation", NULL), 0), 2);
    assert_string_equal(sk_val_str_at(V(w.obj), "metadata", "resourceVersion", NULL), "3");
    wres_clear(&w);

    /* stale resourceVersion: Conflict */
    u = dupv(v2);
    sk_val_set_at(u, sk_val_str("v3"), "spec", "image", NULL);
    assert_int_equal(update(s, SK_STORE_UPDATE, u, SK_STORE_F_STATUS, &w), SK_ECONFLICT);
    assert_string_equal(
            w.msg, "Operation cannot be fulfilled on deployments.apps \"d\": the object has been "
                   "modified; please apply your changes to the latest version and try again");
    wres_clear(&w);

    /* uid precondition from the object */
    struct sk_store_obj *cur;
    struct sk_error *e = NULL;
    assert_int_equal(sk_store_get(s, "apps/deployments", "default", "d", &cur, &e), SK_OK);
    u = dupv(cur);
    sk_val_set_at(u, sk_val_str("other-uid"), "metadata", "uid", NULL);
    assert_int_equal(update(s, SK_STORE_UPDATE, u, SK_STORE_F_STATUS, &w), SK_ECONFLICT);
    assert_non_null(strstr(w.msg, "Precondition failed: UID in precondition: other-uid"));
    wres_clear(&w);

    /* no-op update: nothing written, same revision */
    u = dupv(cur);
    assert_int_equal(update(s, SK_STORE_UPDATE, u, SK_STORE_F_STATUS, &w), SK_OK);
    assert_false(w.changed);
    assert_int_equal(w.rev, 3);
    assert_int_equal(sk_store_rev(s), 3);
    wres_clear(&w);

    /* status subresource: update ignores status, update_status only status */
    u = dupv(cur);
    sk_val_set_at(u, sk_val_int(9), "status", "replicas", NULL);
    assert_int_equal(update(s, SK_STORE_UPDATE, u, SK_STORE_F_STATUS, &w), SK_OK);
    assert_false(w.changed);
    wres_clear(&w);
    u = dupv(cur);
    sk_val_set_at(u, sk_val_int(9), "status", "replicas", NULL);
    sk_val_set_at(u, sk_val_str("ignored"), "spec", "image", NULL);
    assert_int_equal(update(s, SK_STORE_UPDATE_STATUS, u, 0, &w2), SK_OK);
    assert_true(w2.changed);
    assert_int_equal(sk_val_to_int(sk_val_at(V(w2.obj), "status", "replicas", NULL), 0), 9);
    assert_string_equal(sk_val_str_at(V(w2.obj), "spec", "image", NULL), "v2");
    assert_int_equal(sk_val_to_int(sk_val_at(V(w2.obj), "metadata", "generation", NULL), 0), 2);
    wres_clear(&w2);

    /* without a status subresource, a status change is a change like any
     * (and an update without resourceVersion is unconditional) */
    u = dupv(cur);
    sk_map_del(sk_map_get(u, "metadata"), "resourceVersion");
    sk_val_set_at(u, sk_val_int(5), "status", "replicas", NULL);
    assert_int_equal(update(s, SK_STORE_UPDATE, u, 0, &w), SK_OK);
    assert_true(w.changed);
    assert_int_equal(sk_val_to_int(sk_val_at(V(w.obj), "metadata", "generation", NULL), 0), 3);
    wres_clear(&w);

    /* unknown object */
    struct sk_store_cmd c = {.op = SK_STORE_UPDATE,
                             .resource = "apps/deployments",
                             .ns = "default",
                             .name = "ghost",
                             .obj = V(cur)};
    assert_int_equal(run_cmd(s, &c, &w), SK_ENOENT);
    assert_string_equal(w.msg, "deployments.apps \"ghost\" not found");
    wres_clear(&w);
    sk_store_obj_unref(cur);
    sk_store_obj_unref(v1);
    sk_store_obj_unref(v2);
    sk_store_close(s);
}

static void test_generate_name(void **state)
{
    (void)state;
    struct sk_store *s = open_store(0, 0, NULL);
    struct wres w;
    struct sk_val *p = mkpod(NULL, NULL, "x");
    sk_val_set_at(p, sk_val_str("web-"), "metadata", "generateName", NULL);
    struct sk_store_cmd c = {.op = SK_STORE_CREATE,
                             .resource = "pods",
                             .ns = "default",
                             .obj = p,
                             .suffix = "abcde"};
    assert_int_equal(run_cmd(s, &c, &w), SK_OK);
    assert_string_equal(sk_obj_name(V(w.obj)), "web-abcde");
    assert_string_equal(sk_val_str_at(V(w.obj), "metadata", "generateName", NULL), "web-");
    wres_clear(&w);
    /* the same suffix again collides */
    assert_int_equal(run_cmd(s, &c, &w), SK_EEXIST);
    wres_clear(&w);
    /* random suffixes: 5 characters of Kubernetes' alphabet, uid v4 */
    c.suffix = NULL;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(run_cmd(s, &c, &w), SK_OK);
        const char *n = sk_obj_name(V(w.obj));
        assert_int_equal(strlen(n), 9);
        assert_int_equal(strspn(n + 4, "bcdfghjklmnpqrstvwxz2456789"), 5);
        const char *uid = sk_val_str_at(V(w.obj), "metadata", "uid", NULL);
        assert_int_equal(strlen(uid), 36);
        assert_int_equal(uid[14], '4');
        wres_clear(&w);
    }
    /* a long base is cut so that the name stays a DNS label */
    char base[80];
    memset(base, 'a', 70);
    base[70] = 0;
    sk_val_set_at(p, sk_val_str(base), "metadata", "generateName", NULL);
    assert_int_equal(run_cmd(s, &c, &w), SK_OK);
    assert_int_equal(strlen(sk_obj_name(V(w.obj))), 63);
    wres_clear(&w);
    /* neither name nor generateName */
    sk_map_del(sk_map_get(p, "metadata"), "generateName");
    assert_int_equal(run_cmd(s, &c, &w), SK_EINVAL);
    wres_clear(&w);
    sk_val_free(p);
    sk_store_close(s);
}

static void test_finalizers_and_grace(void **state)
{
    (void)state;
    struct sk_store *s = open_store(0, 0, NULL);
    struct wres w;
    struct sk_val *p = mkpod("f", NULL, "x");
    struct sk_val *fin = sk_val_set_at(p, sk_val_arr(), "metadata", "finalizers", NULL);
    sk_arr_push(fin, sk_val_str("example.com/a"));
    assert_int_equal(create(s, "pods", "default", p, &w), SK_OK);
    wres_clear(&w);

    /* preconditions on delete */
    assert_int_equal(del(s, "f", 0, 0, "wrong", NULL, TS, &w), SK_ECONFLICT);
    wres_clear(&w);
    assert_int_equal(del(s, "f", 0, 7, NULL, NULL, TS, &w), SK_ECONFLICT);
    wres_clear(&w);

    /* with a finalizer, delete only marks */
    assert_int_equal(del(s, "f", 0, 1, "uid-1", NULL, "2024-05-01T10:00:05Z", &w), SK_OK);
    assert_true(w.changed);
    assert_false(w.deleted);
    assert_string_equal(sk_val_str_at(V(w.obj), "metadata", "deletionTimestamp", NULL),
                        "2024-05-01T10:00:05Z");
    assert_int_equal(
            sk_val_to_int(sk_val_at(V(w.obj), "metadata", "deletionGracePeriodSeconds", NULL), 9),
            0);
    assert_int_equal(sk_val_to_int(sk_val_at(V(w.obj), "metadata", "generation", NULL), 0), 2);
    struct sk_val *marked = dupv(w.obj);
    wres_clear(&w);
    /* deleting again changes nothing */
    assert_int_equal(del(s, "f", 0, 0, NULL, NULL, TS, &w), SK_OK);
    assert_false(w.changed);
    wres_clear(&w);

    /* no new finalizers once deletion started */
    struct sk_val *u = sk_val_dup(marked);
    sk_arr_push(sk_val_at(u, "metadata", "finalizers", NULL), sk_val_str("example.com/b"));
    struct sk_store_cmd c = {
            .op = SK_STORE_UPDATE, .resource = "pods", .ns = "default", .name = "f", .obj = u};
    assert_int_equal(run_cmd(s, &c, &w), SK_EINVAL);
    assert_non_null(strstr(w.msg, "Forbidden: no new finalizers"));
    wres_clear(&w);
    sk_val_free(u);

    /* emptying the finalizers removes it, as part of that update */
    u = sk_val_dup(marked);
    sk_map_del(sk_map_get(u, "metadata"), "finalizers");
    c.obj = u;
    assert_int_equal(run_cmd(s, &c, &w), SK_OK);
    assert_true(w.deleted);
    wres_clear(&w);
    sk_val_free(u);
    sk_val_free(marked);
    struct sk_store_obj *g;
    struct sk_error *e = NULL;
    assert_int_equal(sk_store_get(s, "pods", "default", "f", &g, &e), SK_ENOENT);
    sk_error_free(e);
    e = NULL;

    /* graceful deletion: stays for the grace period, gone on grace 0 */
    assert_int_equal(create(s, "pods", "default", mkpod("g", NULL, "x"), &w), SK_OK);
    wres_clear(&w);
    assert_int_equal(del(s, "g", 30, 0, NULL, NULL, TS, &w), SK_OK);
    assert_false(w.deleted);
    assert_string_equal(sk_val_str_at(V(w.obj), "metadata", "deletionTimestamp", NULL),
                        "2024-05-01T10:00:30Z");
    struct sk_val *st = dupv(w.obj);
    wres_clear(&w);
    /* a longer grace period cannot extend it */
    assert_int_equal(del(s, "g", 60, 0, NULL, NULL, TS, &w), SK_OK);
    assert_false(w.changed);
    wres_clear(&w);
    /* a status update during the grace period does not remove it */
    sk_val_set_at(st, sk_val_str("Terminating"), "status", "phase", NULL);
    c.name = "g";
    c.op = SK_STORE_UPDATE_STATUS;
    c.obj = st;
    assert_int_equal(run_cmd(s, &c, &w), SK_OK);
    assert_true(w.changed);
    assert_false(w.deleted);
    wres_clear(&w);
    sk_val_free(st);
    assert_int_equal(del(s, "g", 0, 0, NULL, NULL, TS, &w), SK_OK);
    assert_true(w.deleted);
    wres_clear(&w);

    /* propagation finalizers keep an object that had none */
    assert_int_equal(create(s, "pods", "default", mkpod("h", NULL, "x"), &w), SK_OK);
    wres_clear(&w);
    const char *const fg[] = {"foregroundDeletion", NULL};
    assert_int_equal(del(s, "h", 0, 0, NULL, fg, TS, &w), SK_OK);
    assert_false(w.deleted);
    assert_string_equal(
            sk_val_cstr(sk_arr_get(sk_val_at(V(w.obj), "metadata", "finalizers", NULL), 0)),
            "foregroundDeletion");
    wres_clear(&w);

    /* unknown object */
    assert_int_equal(del(s, "zzz", 0, 0, NULL, NULL, TS, &w), SK_ENOENT);
    wres_clear(&w);
    /* recreate after delete starts a new history */
    assert_int_equal(create(s, "pods", "default", mkpod("g", NULL, "y"), &w), SK_OK);
    assert_int_equal(sk_val_to_int(sk_val_at(V(w.obj), "metadata", "generation", NULL), 0), 1);
    wres_clear(&w);
    assert_int_equal(sk_store_check(s, true, &e), SK_OK);
    sk_store_close(s);
}

/* ---- lists ---- */

static void populate(struct sk_store *s, int n)
{
    for (int i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof(name), "p%03d", i);
        struct wres w;
        assert_int_equal(create(s, "pods", i % 2 ? "odd" : "even",
                                mkpod(name, i % 3 ? "web" : "db", "x"), &w),
                         SK_OK);
        wres_clear(&w);
    }
}

static void test_list_selector(void **state)
{
    (void)state;
    struct sk_store *s = open_store(0, 0, NULL);
    populate(s, 30);
    struct wres w;
    assert_int_equal(create(s, "configmaps", "even", mkpod("cm", "web", "x"), &w), SK_OK);
    wres_clear(&w);
    struct sk_store_list l;
    struct sk_error *e = NULL;
    struct sk_store_list_opts o = {.resource = "pods"};
    assert_int_equal(sk_store_list(s, &o, &l, &e), SK_OK);
    assert_int_equal(l.n, 30);
    assert_int_equal(l.rev, 31);
    assert_null(l.cont);
    /* key order: namespace, then name */
    assert_string_equal(sk_obj_namespace(V(l.items[0])), "even");
    assert_string_equal(sk_obj_name(V(l.items[0])), "p000");
    assert_string_equal(sk_obj_namespace(V(l.items[29])), "odd");
    sk_store_list_free(&l);
    o.ns = "odd";
    assert_int_equal(sk_store_list(s, &o, &l, &e), SK_OK);
    assert_int_equal(l.n, 15);
    sk_store_list_free(&l);
    o.ns = NULL;
    o.match = match_app;
    o.match_arg = "db";
    assert_int_equal(sk_store_list(s, &o, &l, &e), SK_OK);
    assert_int_equal(l.n, 10);
    for (size_t i = 0; i < l.n; i++)
        assert_string_equal(sk_obj_label(V(l.items[i]), "app"), "db");
    sk_store_list_free(&l);
    /* selector with limit: pages of matching items */
    o.limit = 4;
    size_t total = 0;
    char *tok = NULL;
    for (int page = 0; page < 10; page++) {
        o.cont = tok;
        assert_int_equal(sk_store_list(s, &o, &l, &e), SK_OK);
        total += l.n;
        free(tok);
        tok = l.cont ? strdup(l.cont) : NULL;
        sk_store_list_free(&l);
        if (!tok) break;
    }
    assert_int_equal(total, 10);
    /* Kubernetes selectors through the adapter */
    struct sk_labelsel *ls = NULL;
    struct sk_fieldsel *fs = NULL;
    assert_int_equal(sk_labelsel_parse("app in (db)", &ls, &e), SK_OK);
    assert_int_equal(sk_fieldsel_parse("metadata.namespace=odd", &fs, &e), SK_OK);
    struct sk_store_selector sel = {.labels = ls, .fields = fs};
    o = (struct sk_store_list_opts){
            .resource = "pods", .match = sk_store_match_selector, .match_arg = &sel};
    assert_int_equal(sk_store_list(s, &o, &l, &e), SK_OK);
    assert_int_equal(l.n, 5); /* p003, p009, p015, p021, p027 */
    assert_string_equal(sk_obj_name(V(l.items[0])), "p003");
    sk_store_list_free(&l);
    sk_labelsel_free(ls);
    sk_fieldsel_free(fs);
    /* a resource prefix is not another resource */
    o = (struct sk_store_list_opts){.resource = "pod"};
    assert_int_equal(sk_store_list(s, &o, &l, &e), SK_OK);
    assert_int_equal(l.n, 0);
    sk_store_list_free(&l);
    sk_store_close(s);
}

static void test_list_continue_consistent(void **state)
{
    (void)state;
    struct sk_store *s = open_store(1000, 0, NULL);
    populate(s, 40);
    struct sk_store_list l;
    struct sk_error *e = NULL;
    struct sk_store_list_opts o = {.resource = "pods", .ns = "even", .limit = 7};
    assert_int_equal(sk_store_list(s, &o, &l, &e), SK_OK);
    assert_int_equal(l.n, 7);
    assert_non_null(l.cont);
    uint64_t rev0 = l.rev;
    char names[64][16];
    int n = 0;
    for (size_t i = 0; i < l.n; i++)
        snprintf(names[n++], 16, "%s", sk_obj_name(V(l.items[i])));
    char *tok = strdup(l.cont);
    sk_store_list_free(&l);

    /* writes between pages: modify, delete, create */
    struct wres w;
    struct sk_store_obj *g;
    assert_int_equal(sk_store_get(s, "pods", "even", "p020", &g, &e), SK_OK);
    struct sk_val *u = dupv(g);
    sk_val_set_at(u, sk_val_str("changed"), "spec", "image", NULL);
    struct sk_store_cmd c = {
            .op = SK_STORE_UPDATE, .resource = "pods", .ns = "even", .name = "p020", .obj = u};
    assert_int_equal(run_cmd(s, &c, &w), SK_OK);
    wres_clear(&w);
    sk_val_free(u);
    sk_store_obj_unref(g);
    assert_int_equal(del(s, "p030", 0, 0, NULL, NULL, TS, &w), SK_ENOENT); /* wrong ns */
    wres_clear(&w);
    c = (struct sk_store_cmd){
            .op = SK_STORE_DELETE, .resource = "pods", .ns = "even", .name = "p030"};
    assert_int_equal(run_cmd(s, &c, &w), SK_OK);
    wres_clear(&w);
    assert_int_equal(create(s, "pods", "even", mkpod("p0255", "web", "x"), &w), SK_OK);
    wres_clear(&w);
    assert_int_equal(create(s, "pods", "even", mkpod("zzz", "web", "x"), &w), SK_OK);
    wres_clear(&w);

    while (tok) {
        o.cont = tok;
        assert_int_equal(sk_store_list(s, &o, &l, &e), SK_OK);
        assert_int_equal(l.rev, rev0);
        for (size_t i = 0; i < l.n; i++) {
            const struct sk_val *v = V(l.items[i]);
            snprintf(names[n++], 16, "%s", sk_obj_name(v));
            /* as of rev0: the old image */
            assert_string_equal(sk_val_str_at(v, "spec", "image", NULL), "x");
            assert_true(l.items[i]->rev <= rev0);
        }
        free(tok);
        tok = l.cont ? strdup(l.cont) : NULL;
        sk_store_list_free(&l);
    }
    /* exactly the 20 pods of "even" as of the first page */
    assert_int_equal(n, 20);
    for (int i = 0; i < 20; i++) {
        char want[16];
        snprintf(want, sizeof(want), "p%03d", i * 2);
        assert_string_equal(names[i], want);
    }

    /* malformed token, token of another list */
    o.cont = "!!!";
    assert_int_equal(sk_store_list(s, &o, &l, &e), SK_EINVAL);
    sk_error_free(e);
    e = NULL;
    o = (struct sk_store_list_opts){.resource = "pods", .ns = "even", .limit = 2};
    assert_int_equal(sk_store_list(s, &o, &l, &e), SK_OK);
    tok = strdup(l.cont);
    sk_store_list_free(&l);
    o.ns = "odd";
    o.cont = tok;
    assert_int_equal(sk_store_list(s, &o, &l, &e), SK_EINVAL);
    assert_non_null(strstr(e->msg, "continue key is not valid"));
    sk_error_free(e);
    free(tok);
    sk_store_close(s);
}

/* The have hook: a caller holding an encoding of (key, revision) gets the
 * item without a record read, at exactly the list's revision; items changed
 * since a continue token's revision are read from the history instead. */
struct have_log {
    size_t calls, n;
    size_t idx[64];
    uint64_t rev[64];
    bool take_even; /* answer true for even revisions */
};

static bool have_even(size_t i, uint64_t rev, void *arg)
{
    struct have_log *h = arg;
    h->calls++;
    if (!h->take_even || rev % 2) return false;
    assert_true(h->n < 64);
    h->idx[h->n] = i;
    h->rev[h->n++] = rev;
    return true;
}

static void test_list_have_hook(void **state)
{
    (void)state;
    struct sk_store *s = open_store(1000, 0, NULL);
    populate(s, 20);
    struct sk_store_list plain, l;
    struct sk_error *e = NULL;
    struct sk_store_list_opts o = {.resource = "pods"};
    assert_int_equal(sk_store_list(s, &o, &plain, &e), SK_OK);
    assert_int_equal(plain.n, 20);
    struct have_log h = {.take_even = true};
    o.have = have_even;
    o.have_arg = &h;
    assert_int_equal(sk_store_list(s, &o, &l, &e), SK_OK);
    assert_int_equal(l.n, 20);
    assert_int_equal(l.rev, plain.rev);
    assert_int_equal(h.calls, 20); /* offered every item, in order */
    assert_int_equal(h.n, 10);
    size_t k = 0;
    for (size_t i = 0; i < l.n; i++) {
        if (!l.items[i]) {
            /* taken: the index and revision of the same item unhooked */
            assert_true(k < h.n);
            assert_int_equal(h.idx[k], i);
            assert_int_equal(h.rev[k], plain.items[i]->rev);
            k++;
        } else {
            assert_int_equal(l.items[i]->rev, plain.items[i]->rev);
            assert_true(l.items[i]->rev % 2);
        }
    }
    assert_int_equal(k, 10);
    sk_store_list_free(&l);
    /* with a selector the values are needed: never offered */
    h = (struct have_log){.take_even = true};
    o.match = match_app;
    o.match_arg = "db";
    assert_int_equal(sk_store_list(s, &o, &l, &e), SK_OK);
    assert_int_equal(h.calls, 0);
    for (size_t i = 0; i < l.n; i++)
        assert_non_null(l.items[i]);
    sk_store_list_free(&l);

    /* pages: an object changed after the first page is read as of it */
    o = (struct sk_store_list_opts){
            .resource = "pods", .ns = "even", .limit = 4, .have = have_even, .have_arg = &h};
    h = (struct have_log){.take_even = false};
    assert_int_equal(sk_store_list(s, &o, &l, &e), SK_OK);
    assert_int_equal(l.n, 4);
    assert_int_equal(h.calls, 4);
    uint64_t rev0 = l.rev;
    char *tok = strdup(l.cont);
    sk_store_list_free(&l);
    struct sk_store_obj *g;
    assert_int_equal(sk_store_get(s, "pods", "even", "p010", &g, &e), SK_OK);
    struct sk_val *u = dupv(g);
    sk_val_set_at(u, sk_val_str("changed"), "spec", "image", NULL);
    struct sk_store_cmd c = {
            .op = SK_STORE_UPDATE, .resource = "pods", .ns = "even", .name = "p010", .obj = u};
    struct wres w;
    assert_int_equal(run_cmd(s, &c, &w), SK_OK);
    uint64_t newrev = w.obj->rev;
    wres_clear(&w);
    sk_val_free(u);
    sk_store_obj_unref(g);
    size_t seen = 4;
    while (tok) {
        h = (struct have_log){.take_even = true};
        o.cont = tok;
        assert_int_equal(sk_store_list(s, &o, &l, &e), SK_OK);
        assert_int_equal(l.rev, rev0);
        for (size_t i = 0; i < l.n; i++) {
            if (l.items[i]) {
                assert_string_equal(sk_val_str_at(V(l.items[i]), "spec", "image", NULL), "x");
                assert_true(l.items[i]->rev <= rev0);
            }
        }
        for (size_t i = 0; i < h.n; i++)
            assert_true(h.rev[i] <= rev0 && h.rev[i] != newrev);
        seen += l.n;
        free(tok);
        tok = l.cont ? strdup(l.cont) : NULL;
        sk_store_list_free(&l);
    }
    assert_int_equal(seen, 10);
    sk_store_list_free(&plain);
    sk_store_close(s);
}

static void more_pods(struct sk_store *s, const char *prefix, int n)
{
    for (int i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof(name), "%s%03d", prefix, i);
        struct wres w;
        assert_int_equal(create(s, "pods", "even", mkpod(name, "web", "x"), &w), SK_OK);
        wres_clear(&w);
    }
}

static void test_list_at_revision(void **state)
{
    (void)state;
    struct sk_store *s = open_store(10, 0, NULL);
    populate(s, 4);
    uint64_t r4 = sk_store_rev(s);
    struct wres w;
    struct sk_store_cmd c = {
            .op = SK_STORE_DELETE, .resource = "pods", .ns = "even", .name = "p000"};
    assert_int_equal(run_cmd(s, &c, &w), SK_OK);
    wres_clear(&w);
    more_pods(s, "q", 3);
    struct sk_store_list l;
    struct sk_error *e = NULL;
    struct sk_store_list_opts o = {.resource = "pods", .rev = r4};
    assert_int_equal(sk_store_list(s, &o, &l, &e), SK_OK);
    assert_int_equal(l.rev, r4);
    assert_int_equal(l.n, 4); /* p000 still there, no q yet */
    assert_string_equal(sk_obj_name(V(l.items[0])), "p000");
    for (size_t i = 0; i < l.n; i++)
        assert_true(l.items[i]->rev <= r4);
    sk_store_list_free(&l);
    o.rev = 0;
    assert_int_equal(sk_store_list(s, &o, &l, &e), SK_OK);
    assert_int_equal(l.n, 6);
    sk_store_list_free(&l);
    o.rev = sk_store_rev(s) + 1;
    assert_int_equal(sk_store_list(s, &o, &l, &e), SK_EAGAIN);
    assert_non_null(strstr(e->msg, "Too large resource version"));
    sk_error_free(e);
    e = NULL;
    more_pods(s, "z", 30); /* r4 leaves the 10-revision window */
    o.rev = r4;
    assert_int_equal(sk_store_list(s, &o, &l, &e), SK_EGONE);
    assert_non_null(strstr(e->msg, "too old resource version"));
    sk_error_free(e);
    sk_store_close(s);
}

static void test_continue_gone(void **state)
{
    (void)state;
    struct sk_store *s = open_store(10, 0, NULL);
    populate(s, 5);
    struct sk_store_list l;
    struct sk_error *e = NULL;
    struct sk_store_list_opts o = {.resource = "pods", .limit = 2};
    assert_int_equal(sk_store_list(s, &o, &l, &e), SK_OK);
    char *tok = strdup(l.cont);
    sk_store_list_free(&l);
    struct wres w;
    for (int i = 0; i < 30; i++) {
        char name[16];
        snprintf(name, sizeof(name), "q%d", i);
        assert_int_equal(create(s, "pods", "x", mkpod(name, NULL, "x"), &w), SK_OK);
        wres_clear(&w);
    }
    o.cont = tok;
    assert_int_equal(sk_store_list(s, &o, &l, &e), SK_EGONE);
    assert_non_null(strstr(e->msg, "The provided continue parameter is too old"));
    sk_error_free(e);
    free(tok);
    sk_store_close(s);
}

/* ---- determinism ---- */

static void encode_seq(struct sk_buf *cmds, size_t *lens, int *n)
{
    *n = 0;
    for (int i = 0; i < 60; i++) {
        char name[16];
        snprintf(name, sizeof(name), "d%d", i % 13);
        struct sk_val *p = mkpod(name, i % 2 ? "a" : "b", i % 3 ? "img1" : "img2");
        if (i % 7 == 0)
            sk_arr_push(sk_val_set_at(p, sk_val_arr(), "metadata", "finalizers", NULL),
                        sk_val_str("f"));
        int op = i < 13 ? SK_STORE_CREATE : (int[]){1, 2, 3, 4}[i % 4];
        char uid[16];
        snprintf(uid, sizeof(uid), "u%d", i);
        struct sk_store_cmd c = {.op = op,
                                 .resource = "pods",
                                 .ns = "ns",
                                 .name = name,
                                 .obj = op == SK_STORE_DELETE ? NULL : p,
                                 .new_uid = uid,
                                 .ts = TS,
                                 .grace = i % 5 == 0 && op == SK_STORE_DELETE ? 10 : 0,
                                 .rv = i % 9 == 0 ? 3 : 0};
        size_t before = cmds->len;
        struct sk_error *e = NULL;
        assert_int_equal(sk_store_cmd_encode(&c, cmds, &e), SK_OK);
        lens[(*n)++] = cmds->len - before;
        sk_val_free(p);
    }
}

static void test_determinism(void **state)
{
    (void)state;
    struct sk_buf cmds = {0};
    size_t lens[64];
    int n;
    encode_seq(&cmds, lens, &n);
    struct sk_buf dumps[2] = {{0}, {0}};
    char base[200];
    snprintf(base, sizeof(base), "%.190s", dir);
    int outcomes[2][64];
    for (int k = 0; k < 2; k++) {
        snprintf(dir, sizeof(dir), "%s/%c", base, 'a' + k);
        struct sk_store_opts o = {.data_dir = dir, .history = 8};
        struct sk_store *s;
        struct sk_error *e = NULL;
        assert_int_equal(sk_store_open(&o, &s, &e), SK_OK);
        struct sk_store_txn *t = NULL;
        size_t off = 0;
        for (int i = 0; i < n; i++) {
            /* store a: one transaction; store b: one per command */
            if (!t) assert_int_equal(sk_store_txn_begin(s, &t, &e), SK_OK);
            struct sk_store_result r;
            assert_int_equal(sk_store_apply(t, cmds.p + off, lens[i], &r), SK_OK);
            outcomes[k][i] = r.code;
            sk_store_result_clear(&r);
            off += lens[i];
            if (k == 1) {
                assert_int_equal(sk_store_txn_commit(t, &e), SK_OK);
                t = NULL;
            }
        }
        if (t) assert_int_equal(sk_store_txn_commit(t, &e), SK_OK);
        assert_int_equal(sk_store_check(s, true, &e), SK_OK);
        sk_store_dump(s, &dumps[k]);
        sk_store_close(s);
    }
    snprintf(dir, sizeof(dir), "%s", base);
    assert_memory_equal(outcomes[0], outcomes[1], sizeof(int) * (size_t)n);
    assert_int_equal(dumps[0].len, dumps[1].len);
    assert_memory_equal(dumps[0].p, dumps[1].p, dumps[0].len);
    /* the sequence hit refusals as well as changes */
    int ok = 0, refused = 0;
    for (int i = 0; i < n; i++)
        outcomes[0][i] == SK_OK ? ok++ : refused++;
    assert_true(ok > 20 && refused > 5);
    sk_buf_free(&dumps[0]);
    sk_buf_free(&dumps[1]);
    sk_buf_free(&cmds);
}

/* ---- history window and compaction keep every invariant ---- */

static void test_compaction_invariants(void **state)
{
    (void)state;
    struct sk_store *s = open_store(16, 0, NULL);
    struct wres w;
    struct sk_error *e = NULL;
    for (int round = 0; round < 12; round++) {
        for (int i = 0; i < 6; i++) {
            char name[16];
            snprintf(name, sizeof(name), "c%d", i);
            struct sk_store_obj *g = NULL;
            sk_err rc = sk_store_get(s, "pods", "c", name, &g, &e);
            sk_error_free(e);
            e = NULL;
            if (rc == SK_ENOENT) {
                assert_int_equal(create(s, "pods", "c", mkpod(name, NULL, "x"), &w), SK_OK);
            } else if ((round + i) % 3 == 0) {
                struct sk_store_cmd c = {
                        .op = SK_STORE_DELETE, .resource = "pods", .ns = "c", .name = name};
                assert_int_equal(run_cmd(s, &c, &w), SK_OK);
            } else {
                struct sk_val *u = dupv(g);
                sk_val_set_at(u, sk_val_int(round), "spec", "round", NULL);
                struct sk_store_cmd c = {.op = SK_STORE_UPDATE,
                                         .resource = "pods",
                                         .ns = "c",
                                         .name = name,
                                         .obj = u};
                assert_int_equal(run_cmd(s, &c, &w), SK_OK);
                sk_val_free(u);
            }
            wres_clear(&w);
            sk_store_obj_unref(g);
            sk_err crc = sk_store_check(s, true, &e);
            if (crc) fail_msg("round %d: %s", round, e->msg);
        }
    }
    struct sk_store_stats st;
    sk_store_stats(s, &st);
    assert_true(st.window_start > 1);
    assert_true(st.rev - st.window_start + 1 >= 16);
    sk_store_close(s);
    /* survives a reopen with a full check */
    s = open_store(16, 0, NULL);
    sk_store_close(s);
}

/* ---- bad files ---- */

static void write_file(const char *p, const void *data, size_t n)
{
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static sk_err try_open(struct sk_error **e)
{
    struct sk_store_opts o = {.data_dir = dir};
    struct sk_store *s = NULL;
    sk_err rc = sk_store_open(&o, &s, e);
    sk_store_close(s);
    return rc;
}

static void test_foreign_files(void **state)
{
    (void)state;
    char sdir[300], path[320];
    snprintf(sdir, sizeof(sdir), "%s/store", dir);
    snprintf(path, sizeof(path), "%s/data.mdb", sdir);
    mkdir(sdir, 0700);

    /* garbage */
    char junk[20000];
    for (size_t i = 0; i < sizeof(junk); i++)
        junk[i] = (char)(i * 7 + 3);
    write_file(path, junk, sizeof(junk));
    struct sk_error *e = NULL;
    assert_int_equal(try_open(&e), SK_ECORRUPT);
    assert_non_null(strstr(e->msg, "data.mdb is not a skiff store (not an LMDB file)"));
    sk_error_free(e);
    e = NULL;
    char back[sizeof(junk)];
    FILE *f = fopen(path, "rb");
    assert_int_equal(fread(back, 1, sizeof(back), f), sizeof(back));
    fclose(f);
    assert_memory_equal(back, junk, sizeof(junk)); /* untouched */
    unlink(path);

    /* some other program's LMDB */
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_open(env, sdir, 0, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
    MDB_val k = {5, "hello"}, v = {5, "world"};
    assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
    assert_int_equal(try_open(&e), SK_ECORRUPT);
    assert_non_null(strstr(e->msg, "is not a skiff store (an LMDB file with 1 records"));
    sk_error_free(e);
    e = NULL;
    /* still theirs */
    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_open(env, sdir, MDB_RDONLY, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
    assert_int_equal(mdb_get(txn, dbi, &k, &v), 0);
    assert_memory_equal(v.mv_data, "world", 5);
    mdb_txn_abort(txn);
    mdb_env_close(env);
    unlink(path);
    snprintf(path, sizeof(path), "%s/lock.mdb", sdir);
    unlink(path);

    /* a directory where the file should be */
    snprintf(path, sizeof(path), "%s/data.mdb", sdir);
    mkdir(path, 0700);
    assert_int_equal(try_open(&e), SK_ECORRUPT);
    assert_non_null(strstr(e->msg, "not a regular file"));
    sk_error_free(e);
    rmdir(path);
}

/* Flip one byte of the object of revision rev behind the store's back. */
static void corrupt_record(uint64_t rev, size_t at_from_end)
{
    char sdir[300];
    snprintf(sdir, sizeof(sdir), "%s/store", dir);
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_open(env, sdir, 0, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
    unsigned char kb[9] = {'r'};
    for (int i = 0; i < 8; i++)
        kb[1 + i] = (unsigned char)(rev >> (56 - 8 * i));
    MDB_val k = {9, kb}, v;
    assert_int_equal(mdb_get(txn, dbi, &k, &v), 0);
    unsigned char *copy = malloc(v.mv_size);
    memcpy(copy, v.mv_data, v.mv_size);
    copy[v.mv_size - 1 - at_from_end] ^= 0x20;
    MDB_val nv = {v.mv_size, copy};
    assert_int_equal(mdb_put(txn, dbi, &k, &nv, 0), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
    free(copy);
}

static void test_corrupt_record(void **state)
{
    (void)state;
    struct sk_store *s = open_store(0, 0, NULL);
    write_n(s, "k", 5);
    sk_store_close(s);
    corrupt_record(3, 2);
    struct sk_store_opts o = {.data_dir = dir, .check_full = true};
    struct sk_error *e = NULL;
    assert_int_equal(sk_store_open(&o, &s, &e), SK_ECORRUPT);
    assert_non_null(strstr(e->msg, "record 3 fails its checksum"));
    sk_error_free(e);
    e = NULL;
    /* the quick check at start looks at the ends of the window only */
    o.check_full = false;
    assert_int_equal(sk_store_open(&o, &s, &e), SK_OK);
    assert_int_equal(sk_store_check(s, true, &e), SK_ECORRUPT);
    sk_error_free(e);
    e = NULL;
    struct sk_store_obj *g;
    assert_int_equal(sk_store_get(s, "pods", "w", "k2", &g, &e), SK_ECORRUPT);
    sk_error_free(e);
    sk_store_close(s);
    /* the newest record is checked at every start */
    corrupt_record(5, 0);
    e = NULL;
    assert_int_equal(sk_store_open(&o, &s, &e), SK_ECORRUPT);
    sk_error_free(e);
}

static void test_reopen_and_lock(void **state)
{
    (void)state;
    struct sk_store *s = open_store(0, 0, NULL);
    write_n(s, "r", 3);
    struct sk_store_opts o = {.data_dir = dir};
    struct sk_store *s2 = NULL;
    struct sk_error *e = NULL;
    assert_int_equal(sk_store_open(&o, &s2, &e), SK_EAGAIN);
    assert_non_null(strstr(e->msg, "in use"));
    sk_error_free(e);
    sk_store_close(s);
    s = open_store(0, 0, NULL);
    assert_int_equal(sk_store_rev(s), 3);
    struct wres w;
    assert_int_equal(create(s, "pods", "w", mkpod("after", NULL, "x"), &w), SK_OK);
    assert_int_equal(w.rev, 4);
    wres_clear(&w);
    sk_store_close(s);
}

/* ---- limits and bad commands ---- */

static void test_too_big(void **state)
{
    (void)state;
    struct sk_store *s = open_store(0, 0, NULL);
    size_t n = SK_STORE_MAX_OBJECT;
    char *big = malloc(n + 1);
    memset(big, 'x', n);
    big[n] = 0;
    struct sk_val *p = mkpod("big", NULL, big);
    struct wres w;
    struct sk_store_cmd c = {.op = SK_STORE_CREATE, .resource = "pods", .ns = "d", .obj = p};
    assert_int_equal(run_cmd(s, &c, &w), SK_ETOOBIG);
    assert_non_null(strstr(w.msg, "Request entity too large"));
    assert_int_equal(w.done, 0); /* refused before queuing */
    sk_val_free(p);
    /* just under the limit is fine */
    big[n - 400] = 0;
    p = mkpod("big", NULL, big);
    c.obj = p;
    assert_int_equal(run_cmd(s, &c, &w), SK_OK);
    wres_clear(&w);
    /* ... but the metadata the store adds may push it over: refused at
     * apply time, the same way on every node */
    sk_val_set_at(p, sk_val_str("big2"), "metadata", "name", NULL);
    struct sk_buf b = {0};
    sk_val_to_msgpack(p, &b);
    size_t base = b.len - strlen(big); /* the rest of the object */
    sk_buf_free(&b);
    big[n - 400] = 'x';
    big[n - 20 - base] = 0;
    sk_val_set_at(p, sk_val_str(big), "spec", "image", NULL);
    assert_int_equal(run_cmd(s, &c, &w), SK_ETOOBIG);
    assert_int_equal(w.done, 1);
    sk_val_free(p);
    free(big);
    sk_store_close(s);
}

static void test_bad_commands(void **state)
{
    (void)state;
    struct sk_store *s = open_store(0, 0, NULL);
    struct sk_error *e = NULL;
    const char *bad[] = {"", "\xc0", "\x81\xa1v\x02", "\x80", "\x91\x01", "\xa3obj"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        assert_int_not_equal(sk_store_cmd_check(bad[i], strlen(bad[i]), &e), SK_OK);
        sk_error_free(e);
        e = NULL;
    }
    /* a good command with an extra field, or a field of the wrong type */
    struct sk_val *m = sk_val_map();
    sk_map_set(m, "v", sk_val_int(1));
    sk_map_set(m, "op", sk_val_int(4));
    sk_map_set(m, "res", sk_val_str("pods"));
    sk_map_set(m, "ns", sk_val_str("d"));
    sk_map_set(m, "name", sk_val_str("x"));
    sk_map_set(m, "ts", sk_val_str(TS));
    struct sk_buf b = {0};
    sk_val_to_msgpack(m, &b);
    assert_int_equal(sk_store_cmd_check(b.p, b.len, &e), SK_OK);
    b.len = 0;
    sk_map_set(m, "ts", sk_val_str("2024-13-01T10:00:00Z"));
    sk_val_to_msgpack(m, &b);
    assert_int_equal(sk_store_cmd_check(b.p, b.len, &e), SK_EPROTO);
    sk_error_free(e);
    e = NULL;
    b.len = 0;
    sk_map_set(m, "ts", sk_val_str(TS));
    sk_map_set(m, "zz", sk_val_int(1));
    sk_val_to_msgpack(m, &b);
    assert_int_equal(sk_store_cmd_check(b.p, b.len, &e), SK_EPROTO);
    sk_error_free(e);
    e = NULL;
    b.len = 0;
    sk_map_del(m, "zz");
    sk_map_set(m, "name", sk_val_str(".."));
    sk_val_to_msgpack(m, &b);
    assert_int_not_equal(sk_store_cmd_check(b.p, b.len, &e), SK_OK);
    sk_error_free(e);
    e = NULL;
    /* applied: refused, nothing written */
    struct wres w;
    memset(&w, 0, sizeof(w));
    assert_int_equal(sk_store_submit_raw(s, b.p, b.len, on_done, &w, &e), SK_OK);
    run_until(&w.done, 1, 10);
    assert_int_not_equal(w.code, SK_OK);
    assert_int_equal(sk_store_rev(s), 0);
    sk_buf_free(&b);
    sk_val_free(m);
    sk_store_close(s);
}

/* ---- group commit ---- */

static void test_group_commit(void **state)
{
    (void)state;
    struct sk_store *s = open_store(0, 0, NULL);
    enum { N = 300 };
    static struct wres w[N];
    int done = 0;
    struct sk_error *e = NULL;
    for (int i = 0; i < N; i++) {
        char name[16];
        snprintf(name, sizeof(name), "g%d", i);
        struct sk_val *p = mkpod(name, NULL, "x");
        struct sk_store_cmd c = {.op = SK_STORE_CREATE, .resource = "pods", .ns = "g", .obj = p};
        memset(&w[i], 0, sizeof(w[i]));
        assert_int_equal(sk_store_submit(s, &c, on_done, &w[i], &e), SK_OK);
        sk_val_free(p);
    }
    timed_out = false;
    struct sk_timer *t = sk_timer_add(L, 20, 0, on_deadline, NULL);
    while (done < N && !timed_out) {
        sk_loop_run_once(L, true);
        done = 0;
        for (int i = 0; i < N; i++)
            done += w[i].done;
    }
    assert_false(timed_out);
    sk_timer_cancel(t);
    for (int i = 0; i < N; i++) {
        assert_int_equal(w[i].code, SK_OK);
        wres_clear(&w[i]);
    }
    struct sk_store_stats st;
    sk_store_stats(s, &st);
    assert_int_equal(st.writes, N);
    assert_int_equal(st.objects, N);
    assert_true(st.commits < N / 4); /* many writes per fsync */
    /* queued writes at close still complete */
    int closed_done = 0;
    struct wres tail[20];
    for (int i = 0; i < 20; i++) {
        char name[16];
        snprintf(name, sizeof(name), "t%d", i);
        struct sk_val *p = mkpod(name, NULL, "x");
        struct sk_store_cmd c = {.op = SK_STORE_CREATE, .resource = "pods", .ns = "g", .obj = p};
        memset(&tail[i], 0, sizeof(tail[i]));
        assert_int_equal(sk_store_submit(s, &c, on_done, &tail[i], &e), SK_OK);
        sk_val_free(p);
    }
    sk_store_close(s);
    for (int i = 0; i < 20; i++) {
        closed_done += tail[i].done;
        assert_int_equal(tail[i].code, SK_OK);
        wres_clear(&tail[i]);
    }
    assert_int_equal(closed_done, 20);
    s = open_store(0, 0, NULL);
    assert_int_equal(sk_store_rev(s), N + 20);
    sk_store_close(s);
}

/* ---- readers on other threads while writes commit ---- */

struct reader {
    struct sk_store *s;
    atomic_bool stop;
    int lists, errors;
    size_t last_n;
    uint64_t last_rev;
};

static void *reader_main(void *arg)
{
    struct reader *r = arg;
    while (!atomic_load(&r->stop)) {
        struct sk_store_list l;
        struct sk_error *e = NULL;
        struct sk_store_list_opts o = {.resource = "pods", .ns = "g"};
        if (sk_store_list(r->s, &o, &l, &e) != SK_OK) {
            r->errors++;
            sk_error_free(e);
            continue;
        }
        /* creates only: a later list never has fewer objects or an older
         * revision, and every object is as of the list's revision */
        if (l.n < r->last_n || l.rev < r->last_rev) r->errors++;
        for (size_t i = 0; i < l.n; i++)
            if (l.items[i]->rev > l.rev) r->errors++;
        r->last_n = l.n;
        r->last_rev = l.rev;
        r->lists++;
        sk_store_list_free(&l);
        struct sk_store_obj *g = NULL;
        if (sk_store_get(r->s, "pods", "g", "c0", &g, &e) == SK_OK)
            sk_store_obj_unref(g);
        else
            sk_error_free(e);
    }
    return NULL;
}

static void test_concurrent_reads(void **state)
{
    (void)state;
    struct sk_store *s = open_store(50, 0, NULL);
    struct reader r[2] = {{.s = s}, {.s = s}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, reader_main, &r[i]), 0);
    enum { N = 200 };
    static struct wres w[N];
    int done = 0;
    struct sk_error *e = NULL;
    for (int i = 0; i < N; i++) {
        char name[16];
        snprintf(name, sizeof(name), "c%d", i);
        struct sk_val *p = mkpod(name, NULL, "x");
        struct sk_store_cmd c = {.op = SK_STORE_CREATE, .resource = "pods", .ns = "g", .obj = p};
        memset(&w[i], 0, sizeof(w[i]));
        assert_int_equal(sk_store_submit(s, &c, on_done, &w[i], &e), SK_OK);
        sk_val_free(p);
        if (i % 20 == 19) { /* let some commits happen in between */
            int want = i + 1;
            timed_out = false;
            struct sk_timer *t = sk_timer_add(L, 10, 0, on_deadline, NULL);
            while (!timed_out) {
                done = 0;
                for (int k = 0; k < want; k++)
                    done += w[k].done;
                if (done == want) break;
                sk_loop_run_once(L, true);
            }
            assert_false(timed_out);
            sk_timer_cancel(t);
        }
    }
    for (int i = 0; i < 2; i++) {
        atomic_store(&r[i].stop, true);
        pthread_join(th[i], NULL);
        assert_int_equal(r[i].errors, 0);
        assert_true(r[i].lists > 0);
    }
    for (int i = 0; i < N; i++)
        wres_clear(&w[i]);
    assert_int_equal(sk_store_check(s, true, &e), SK_OK);
    sk_store_close(s);
}

static void test_history_shrinks(void **state)
{
    (void)state;
    struct sk_store *s = open_store(1000, 0, NULL);
    write_n(s, "h", 60);
    sk_store_close(s);
    s = open_store(8, 0, NULL); /* a smaller window than last time */
    write_n(s, "i", 3);
    struct sk_store_stats st;
    sk_store_stats(s, &st);
    assert_true(st.window_start > 50);
    assert_int_equal(st.objects, 63);
    struct sk_error *e = NULL;
    assert_int_equal(sk_store_check(s, true, &e), SK_OK);
    sk_store_close(s);
    s = open_store(8, 0, NULL);
    sk_store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_create_get, setup, teardown),
            cmocka_unit_test_setup_teardown(test_update_rules, setup, teardown),
            cmocka_unit_test_setup_teardown(test_generate_name, setup, teardown),
            cmocka_unit_test_setup_teardown(test_finalizers_and_grace, setup, teardown),
            cmocka_unit_test_setup_teardown(test_list_selector, setup, teardown),
            cmocka_unit_test_setup_teardown(test_list_continue_consistent, setup, teardown),
            cmocka_unit_test_setup_teardown(test_list_have_hook, setup, teardown),
            cmocka_unit_test_setup_teardown(test_list_at_revision, setup, teardown),
            cmocka_unit_test_setup_teardown(test_continue_gone, setup, teardown),
            cmocka_unit_test_setup_teardown(test_determinism, setup, teardown),
            cmocka_unit_test_setup_teardown(test_compaction_invariants, setup, teardown),
            cmocka_unit_test_setup_teardown(test_foreign_files, setup, teardown),
            cmocka_unit_test_setup_teardown(test_corrupt_record, setup, teardown),
            cmocka_unit_test_setup_teardown(test_reopen_and_lock, setup, teardown),
            cmocka_unit_test_setup_teardown(test_too_big, setup, teardown),
            cmocka_unit_test_setup_teardown(test_bad_commands, setup, teardown),
            cmocka_unit_test_setup_teardown(test_group_commit, setup, teardown),
            cmocka_unit_test_setup_teardown(test_concurrent_reads, setup, teardown),
            cmocka_unit_test_setup_teardown(test_history_shrinks, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
