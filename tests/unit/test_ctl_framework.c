/* Tests of the controllers plugin's framework (plugins/controllers/)
 * against the fake host: work queue deduplication, no parallel sync of a
 * key, back-off and forget; the shared cache and its owner index; the
 * clock at a rate; time parsing; events and writes. */
#include "ctl_fakehost.h"

#include "../../plugins/controllers/ctl_priv.h"

static struct ctl *C;

static int setup(void **state)
{
    (void)state;
    fh_init();
    C = ctl_new(FH_CTX, &FH.host, 1, FH_WALL0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    fh_ctl_free(C);
    fh_fini();
    return 0;
}

/* ---- a test module ---- */

struct rec {
    struct ctl_queue *q;
    struct ctl_cache *pods;
    char seen[64][64];
    int n;
    int fail_left;     /* sync fails this many times */
    const char *readd; /* sync adds this key again while running */
    int changes;
};

static struct rec R;

static int rec_sync(void *arg, const char *key)
{
    struct rec *r = arg;
    if (r->n < 64) snprintf(r->seen[r->n++], sizeof(r->seen[0]), "%s", key);
    if (r->readd && !strcmp(r->readd, key)) {
        r->readd = NULL;
        ctl_queue_add(r->q, key); /* while processing: runs once more, after */
    }
    if (r->fail_left > 0) {
        r->fail_left--;
        return -1;
    }
    return 0;
}

static void rec_change(void *arg, const struct sk_val *old, const struct sk_val *obj)
{
    (void)old;
    (void)obj;
    ((struct rec *)arg)->changes++;
}

static int rec_start(struct ctl *c, void **self)
{
    R.q = ctl_queue_new(c, "rec", rec_sync, &R);
    R.pods = ctl_cache(c, "pods");
    ctl_cache_on_change(R.pods, rec_change, &R);
    *self = &R;
    return 0;
}

static void rec_stop(void *self)
{
    struct rec *r = self;
    ctl_queue_free(r->q);
}

static const struct ctl_module rec_mod = {"rec", rec_start, rec_stop};

static void start(void)
{
    memset(&R, 0, sizeof(R));
    assert_int_equal(ctl_start_module(C, &rec_mod), 0);
}

static void test_queue_dedup(void **state)
{
    (void)state;
    start();
    ctl_queue_add(R.q, "ns/a");
    ctl_queue_add(R.q, "ns/b");
    ctl_queue_add(R.q, "ns/a");
    ctl_queue_add(R.q, "ns/a");
    assert_int_equal(ctl_queue_len(R.q), 2);
    /* nothing runs inside the adder's call: only from the loop */
    assert_int_equal(R.n, 0);
    fh_run();
    assert_int_equal(R.n, 2);
    assert_string_equal(R.seen[0], "ns/a");
    assert_string_equal(R.seen[1], "ns/b");
    /* added again while its sync runs: once more, afterwards */
    R.readd = "ns/c";
    ctl_queue_add(R.q, "ns/c");
    fh_run();
    assert_int_equal(R.n, 4);
    assert_string_equal(R.seen[2], "ns/c");
    assert_string_equal(R.seen[3], "ns/c");
}

static void test_queue_backoff(void **state)
{
    (void)state;
    start();
    R.fail_left = 3;
    ctl_queue_add(R.q, "k");
    fh_run();
    assert_int_equal(R.n, 1);
    assert_int_equal(ctl_queue_failures(R.q, "k"), 1);
    /* 5 ms, then 10 ms, then 20 ms */
    fh_advance(0.004);
    assert_int_equal(R.n, 1);
    fh_advance(0.002);
    assert_int_equal(R.n, 2);
    /* retried at 0.005, due again 10 ms later */
    fh_advance(0.008);
    assert_int_equal(R.n, 2);
    fh_advance(0.002);
    assert_int_equal(R.n, 3);
    /* at 0.015, due again 20 ms later */
    fh_advance(0.018);
    assert_int_equal(R.n, 3);
    fh_advance(0.002);
    assert_int_equal(R.n, 4);
    /* success resets the count */
    assert_int_equal(ctl_queue_failures(R.q, "k"), 0);
    assert_true(ctl_backoff(0) == 0.005);
    assert_true(ctl_backoff(3) == 0.04);
    assert_true(ctl_backoff(40) == 1000.0);
    assert_true(ctl_backoff(18) == 1000.0);
    /* forget resets a failing key's back-off */
    R.fail_left = 5;
    ctl_queue_add(R.q, "f");
    fh_run();
    fh_advance(0.006);
    assert_int_equal(ctl_queue_failures(R.q, "f"), 2);
    ctl_queue_forget(R.q, "f");
    assert_int_equal(ctl_queue_failures(R.q, "f"), 0);
}

static void test_queue_add_after(void **state)
{
    (void)state;
    start();
    ctl_queue_add_after(R.q, "late", 10);
    ctl_queue_add_after(R.q, "late", 4); /* the earlier one wins */
    ctl_queue_add_after(R.q, "late", 8);
    fh_advance(3.9);
    assert_int_equal(R.n, 0);
    fh_advance(0.2);
    assert_int_equal(R.n, 1);
    fh_advance(10);
    assert_int_equal(R.n, 1);
}

static void test_queue_waits_for_sync(void **state)
{
    (void)state;
    fh_put("pods", fh_json("{\"metadata\":{\"name\":\"p\",\"namespace\":\"a\"}}"));
    start();
    /* the pods cache has not received its list yet */
    ctl_queue_add(R.q, "x");
    assert_false(ctl_cache_synced(R.pods));
    fh_run();
    assert_true(ctl_cache_synced(R.pods));
    assert_int_equal(R.n, 1);
    assert_int_equal(R.changes, 1);
}

static bool collect(void *arg, const struct sk_val *obj)
{
    struct sk_buf *b = arg;
    sk_buf_printf(b, "%s,", sk_obj_name(obj));
    return true;
}

static void test_cache_and_owner_index(void **state)
{
    (void)state;
    start();
    fh_put("pods", fh_json("{\"metadata\":{\"name\":\"a\",\"namespace\":\"x\",\"ownerReferences\":"
                           "[{\"uid\":\"u1\",\"kind\":\"ReplicaSet\",\"name\":\"r\"}],"
                           "\"managedFields\":[{\"manager\":\"kubectl\"}]}}"));
    fh_put("pods", fh_json("{\"metadata\":{\"name\":\"b\",\"namespace\":\"y\",\"ownerReferences\":"
                           "[{\"uid\":\"u1\",\"kind\":\"ReplicaSet\",\"name\":\"r\"},{\"uid\":"
                           "\"u2\",\"kind\":\"Job\",\"name\":\"j\",\"controller\":true}]}}"));
    fh_put("pods", fh_json("{\"metadata\":{\"name\":\"c\",\"namespace\":\"x\"}}"));
    fh_run();
    assert_int_equal(ctl_cache_len(R.pods), 3);
    const struct sk_val *a = ctl_cache_get(R.pods, "x", "a");
    assert_non_null(a);
    /* cached without managedFields */
    assert_null(sk_val_at(a, "metadata", "managedFields", NULL));
    assert_null(ctl_cache_get(R.pods, "y", "a"));
    assert_string_equal(ctl_controller_uid(ctl_cache_get(R.pods, "y", "b")), "u2");
    assert_null(ctl_controller_uid(a));
    struct sk_buf b = {0};
    ctl_cache_foreach_owned(R.pods, "u1", collect, &b);
    assert_int_equal(b.len, 4); /* "a," and "b," in any order */
    b.len = 0;
    ctl_cache_foreach_owned(R.pods, "u2", collect, &b);
    sk_buf_putc(&b, 0);
    assert_string_equal(b.p, "b,");
    b.len = 0;
    ctl_cache_foreach(R.pods, "x", collect, &b);
    assert_int_equal(b.len, 4);
    /* an update that drops the owner leaves the index */
    struct sk_val *nb = sk_val_dup(fh_get("pods", "y", "b"));
    sk_map_del(sk_map_get(nb, "metadata"), "ownerReferences");
    fh_update("pods", nb);
    fh_run();
    b.len = 0;
    ctl_cache_foreach_owned(R.pods, "u2", collect, &b);
    assert_int_equal(b.len, 0);
    fh_delete("pods", "x", "a", NULL);
    fh_run();
    b.len = 0;
    ctl_cache_foreach_owned(R.pods, "u1", collect, &b);
    assert_int_equal(b.len, 0);
    assert_int_equal(ctl_cache_len(R.pods), 2);
    assert_int_equal(R.changes, 5);
    sk_buf_free(&b);
}

static void test_clock(void **state)
{
    (void)state;
    struct ctl *fast = ctl_new(FH_CTX, &FH.host, 60, FH_WALL0);
    memset(&R, 0, sizeof(R));
    assert_int_equal(ctl_start_module(fast, &rec_mod), 0);
    assert_true(ctl_now(fast) == FH_WALL0);
    fh_advance(2);
    /* two real seconds are two minutes on a 60x clock */
    assert_true(ctl_now(fast) == FH_WALL0 + 120);
    assert_true(ctl_after(fast, 60) == 1.0);
    /* a delayed add is measured on the controller clock */
    ctl_queue_add_after(R.q, "k", 600);
    fh_advance(9.9);
    assert_int_equal(R.n, 0);
    fh_advance(0.2);
    assert_int_equal(R.n, 1);
    char buf[32];
    assert_string_equal(ctl_time_str(FH_WALL0, buf), "2026-01-01T00:00:00Z");
    assert_true(ctl_time_parse("2026-01-01T00:00:00Z") == FH_WALL0);
    assert_true(ctl_time_parse("2026-01-01T01:30:00+01:30") == FH_WALL0);
    assert_true(ctl_time_parse("2026-01-01T00:00:00.5Z") == FH_WALL0 + 0.5);
    assert_true(ctl_time_parse("2026-01-01 00:00:00Z") == FH_WALL0);
    assert_true(ctl_time_parse("2026-13-01T00:00:00Z") < 0);
    assert_true(ctl_time_parse("2026-01-01T00:00:00") < 0);
    assert_true(ctl_time_parse(NULL) < 0);
    assert_true(ctl_time_parse("") < 0);
    fh_ctl_free(fast);
}

static void test_keys(void **state)
{
    (void)state;
    char ns[64], name[64], buf[64];
    assert_true(ctl_key_split("a/b", ns, sizeof(ns), name, sizeof(name)));
    assert_string_equal(ns, "a");
    assert_string_equal(name, "b");
    assert_true(ctl_key_split("node1", ns, sizeof(ns), name, sizeof(name)));
    assert_string_equal(ns, "");
    assert_string_equal(name, "node1");
    assert_false(ctl_key_split("a/b/c", ns, sizeof(ns), name, sizeof(name)));
    assert_false(ctl_key_split("/b", ns, sizeof(ns), name, sizeof(name)));
    assert_false(ctl_key_split("a/", ns, sizeof(ns), name, sizeof(name)));
    assert_false(ctl_key_split("", ns, sizeof(ns), name, sizeof(name)));
    struct sk_val *o = fh_json("{\"metadata\":{\"name\":\"n\",\"namespace\":\"s\"}}");
    assert_string_equal(ctl_key(o, buf, sizeof(buf)), "s/n");
    struct sk_val *owner = fh_json("{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\","
                                   "\"metadata\":{\"name\":\"r\",\"uid\":\"u\"}}");
    struct sk_val *ref = ctl_owner_ref(owner);
    struct sk_val *want = fh_json("{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":"
                                  "\"r\",\"uid\":\"u\",\"controller\":true,"
                                  "\"blockOwnerDeletion\":true}");
    assert_true(sk_val_equal(ref, want));
    sk_val_free(o);
    sk_val_free(owner);
    sk_val_free(ref);
    sk_val_free(want);
}

static int write_code = -1;
static void on_written(void *arg, int code, const char *message, const struct sk_val *obj)
{
    (void)arg;
    (void)message;
    write_code = code;
    if (!code) assert_non_null(sk_val_at(obj, "metadata", "resourceVersion", NULL));
}

static void test_writes_keep_managed_fields_and_events(void **state)
{
    (void)state;
    start();
    fh_put("configmaps", fh_json("{\"metadata\":{\"name\":\"cm\",\"namespace\":\"x\","
                                 "\"managedFields\":[{\"manager\":\"kubectl\"}]},\"data\":{}}"));
    struct ctl_cache *k = ctl_cache(C, "configmaps");
    fh_run();
    struct sk_val *cm = sk_val_dup(ctl_cache_get(k, "x", "cm"));
    sk_val_set_at(cm, sk_val_str("1"), "data", "a", NULL);
    assert_int_equal(
            ctl_write(C, SKIFF_WRITE_UPDATE, "configmaps", "x", "cm", cm, on_written, NULL),
            SKIFF_OK);
    fh_run();
    assert_int_equal(write_code, SKIFF_OK);
    const struct sk_val *stored = fh_get("configmaps", "x", "cm");
    assert_string_equal(sk_val_str_at(stored, "data", "a", NULL), "1");
    assert_non_null(sk_val_at(stored, "metadata", "managedFields", NULL));
    /* the same stale copy again: a conflict */
    ctl_write(C, SKIFF_WRITE_UPDATE, "configmaps", "x", "cm", cm, on_written, NULL);
    fh_run();
    assert_int_equal(write_code, SKIFF_ECONFLICT);
    sk_val_free(cm);
    /* events: repeats within ten minutes bump one Event */
    const struct sk_val *obj = fh_get("configmaps", "x", "cm");
    struct sk_val *o = sk_val_dup(obj);
    ctl_event(C, "test-controller", o, "Normal", "Poked", "poked %d times", 1);
    fh_run();
    ctl_event(C, "test-controller", o, "Normal", "Poked", "poked %d times", 1);
    fh_advance(30);
    const struct sk_val *ev = fh_event("cm", "Poked");
    assert_non_null(ev);
    assert_int_equal(fh_count("events", "x"), 1);
    assert_int_equal(sk_val_to_int(sk_map_get(ev, "count"), 0), 2);
    assert_string_equal(sk_val_str_at(ev, "firstTimestamp", NULL), "2026-01-01T00:00:00Z");
    assert_string_equal(sk_val_str_at(ev, "lastTimestamp", NULL), "2026-01-01T00:00:00Z");
    ctl_event(C, "test-controller", o, "Normal", "Poked", "poked %d times", 1);
    fh_run();
    ev = fh_event("cm", "Poked");
    assert_int_equal(sk_val_to_int(sk_map_get(ev, "count"), 0), 3);
    assert_string_equal(sk_val_str_at(ev, "lastTimestamp", NULL), "2026-01-01T00:00:30Z");
    /* after ten minutes: a new Event */
    fh_advance(601);
    ctl_event(C, "test-controller", o, "Normal", "Poked", "poked %d times", 1);
    fh_run();
    assert_int_equal(fh_count("events", "x"), 2);
    /* another message: another Event */
    ctl_event(C, "test-controller", o, "Warning", "Poked", "poked %d times", 2);
    fh_run();
    assert_int_equal(fh_count("events", "x"), 3);
    sk_val_free(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_queue_dedup, setup, teardown),
            cmocka_unit_test_setup_teardown(test_queue_backoff, setup, teardown),
            cmocka_unit_test_setup_teardown(test_queue_add_after, setup, teardown),
            cmocka_unit_test_setup_teardown(test_queue_waits_for_sync, setup, teardown),
            cmocka_unit_test_setup_teardown(test_cache_and_owner_index, setup, teardown),
            cmocka_unit_test_setup_teardown(test_clock, setup, teardown),
            cmocka_unit_test_setup_teardown(test_keys, setup, teardown),
            cmocka_unit_test_setup_teardown(test_writes_keep_managed_fields_and_events, setup,
                                            teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
