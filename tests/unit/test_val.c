/* Value trees: construction, maps and arrays, equality, paths, object
 * helpers, number text and the msgpack codec (including hostile input). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "val.h"

static struct sk_val *sample_pod(void)
{
    struct sk_val *pod = sk_val_map();
    sk_map_set(pod, "apiVersion", sk_val_str("v1"));
    sk_map_set(pod, "kind", sk_val_str("Pod"));
    struct sk_val *md = sk_map_set(pod, "metadata", sk_val_map());
    sk_map_set(md, "name", sk_val_str("web-0"));
    sk_map_set(md, "namespace", sk_val_str("default"));
    struct sk_val *labels = sk_map_set(md, "labels", sk_val_map());
    sk_map_set(labels, "app.kubernetes.io/name", sk_val_str("web"));
    sk_map_set(labels, "tier", sk_val_str("front"));
    struct sk_val *refs = sk_map_set(md, "ownerReferences", sk_val_arr());
    struct sk_val *r1 = sk_arr_push(refs, sk_val_map());
    sk_map_set(r1, "kind", sk_val_str("Other"));
    struct sk_val *r2 = sk_arr_push(refs, sk_val_map());
    sk_map_set(r2, "kind", sk_val_str("ReplicaSet"));
    sk_map_set(r2, "controller", sk_val_bool(true));
    struct sk_val *spec = sk_map_set(pod, "spec", sk_val_map());
    struct sk_val *cs = sk_map_set(spec, "containers", sk_val_arr());
    for (int i = 0; i < 2; i++) {
        struct sk_val *c = sk_arr_push(cs, sk_val_map());
        sk_map_set(c, "name", sk_val_strf("c%d", i));
        sk_map_set(c, "image", sk_val_strf("nginx:1.%d", i));
        sk_map_set(c, "cpu", sk_val_float(0.5 * (i + 1)));
        sk_map_set(c, "port", sk_val_int(8080 + i));
    }
    return pod;
}

static void test_scalars(void **state)
{
    (void)state;
    struct sk_val *v = sk_val_strn("a\0b", 3);
    assert_int_equal(v->type, SK_V_STR);
    assert_int_equal(v->u.s.len, 3);
    assert_int_equal(v->u.s.p[3], 0);
    assert_memory_equal(v->u.s.p, "a\0b", 3);
    sk_val_free(v);

    v = sk_val_strf("%s-%d", "x", 42);
    assert_string_equal(sk_val_cstr(v), "x-42");
    assert_int_equal(v->u.s.len, 4);
    sk_val_free(v);

    v = sk_val_str(NULL);
    assert_true(sk_val_is(v, SK_V_NULL));
    sk_val_free(v);

    v = sk_val_int(-7);
    assert_int_equal(sk_val_to_int(v, 0), -7);
    assert_true(sk_val_to_bool(v, true));
    assert_null(sk_val_cstr(v));
    sk_val_free(v);

    v = sk_val_float(3.0);
    assert_int_equal(sk_val_to_int(v, 99), 99);
    sk_val_free(v);

    v = sk_val_bool(false);
    assert_false(sk_val_to_bool(v, true));
    sk_val_free(v);

    assert_string_equal(sk_vtype_name(SK_V_NULL), "null");
    assert_string_equal(sk_vtype_name(SK_V_BOOL), "boolean");
    assert_string_equal(sk_vtype_name(SK_V_INT), "integer");
    assert_string_equal(sk_vtype_name(SK_V_FLOAT), "number");
    assert_string_equal(sk_vtype_name(SK_V_STR), "string");
    assert_string_equal(sk_vtype_name(SK_V_ARR), "array");
    assert_string_equal(sk_vtype_name(SK_V_MAP), "object");
    sk_val_free(NULL);
}

static void test_map_order(void **state)
{
    (void)state;
    struct sk_val *m = sk_val_map();
    sk_map_set(m, "c", sk_val_int(1));
    sk_map_set(m, "a", sk_val_int(2));
    sk_map_set(m, "b", sk_val_int(3));
    assert_int_equal(sk_map_len(m), 3);
    assert_string_equal(m->u.m.kv[0].key, "c");
    assert_string_equal(m->u.m.kv[1].key, "a");
    assert_string_equal(m->u.m.kv[2].key, "b");

    /* Replacement keeps the key's place. */
    sk_map_set(m, "a", sk_val_str("two"));
    assert_int_equal(sk_map_len(m), 3);
    assert_string_equal(m->u.m.kv[1].key, "a");
    assert_string_equal(sk_val_cstr(sk_map_get(m, "a")), "two");

    /* Deletion closes the gap without reordering. */
    assert_true(sk_map_del(m, "c"));
    assert_false(sk_map_del(m, "c"));
    assert_int_equal(sk_map_len(m), 2);
    assert_string_equal(m->u.m.kv[0].key, "a");
    assert_string_equal(m->u.m.kv[1].key, "b");

    sk_map_set(m, "c", sk_val_int(4));
    assert_string_equal(m->u.m.kv[2].key, "c");

    struct sk_val *t = sk_map_take(m, "b");
    assert_int_equal(t->u.i, 3);
    sk_val_free(t);
    assert_null(sk_map_take(m, "b"));
    assert_null(sk_map_get(m, "b"));
    assert_int_equal(sk_map_len(m), 2);

    /* Keys with NUL bytes are distinct from their prefixes. */
    sk_map_setn(m, "k\0x", 3, sk_val_int(5));
    assert_null(sk_map_get(m, "k"));
    assert_int_equal(sk_map_getn(m, "k\0x", 3)->u.i, 5);

    /* Reads on the wrong type are NULL, not a crash. */
    assert_null(sk_map_get(NULL, "a"));
    struct sk_val *a = sk_val_arr();
    assert_null(sk_map_get(a, "a"));
    assert_int_equal(sk_map_len(a), 0);
    assert_false(sk_map_del(a, "a"));
    sk_val_free(a);

    /* Setting the same value again does not free it. */
    struct sk_val *same = sk_map_get(m, "a");
    assert_ptr_equal(sk_map_set(m, "a", same), same);
    assert_string_equal(sk_val_cstr(sk_map_get(m, "a")), "two");
    sk_val_free(m);
}

static void test_arrays(void **state)
{
    (void)state;
    struct sk_val *a = sk_val_arr();
    for (int i = 0; i < 10; i++)
        sk_arr_push(a, sk_val_int(i));
    assert_int_equal(sk_arr_len(a), 10);
    sk_arr_insert(a, 0, sk_val_int(-1));
    sk_arr_insert(a, 11, sk_val_int(100));
    sk_arr_insert(a, 5, sk_val_int(50));
    sk_arr_insert(a, 999, sk_val_int(101)); /* clamped to the end */
    assert_int_equal(sk_arr_len(a), 14);
    assert_int_equal(sk_arr_get(a, 0)->u.i, -1);
    assert_int_equal(sk_arr_get(a, 5)->u.i, 50);
    assert_int_equal(sk_arr_get(a, 12)->u.i, 100);
    assert_int_equal(sk_arr_get(a, 13)->u.i, 101);
    sk_arr_remove(a, 5);
    assert_int_equal(sk_arr_get(a, 5)->u.i, 4);
    struct sk_val *t = sk_arr_take(a, 0);
    assert_int_equal(t->u.i, -1);
    sk_val_free(t);
    assert_int_equal(sk_arr_get(a, 0)->u.i, 0);
    assert_null(sk_arr_get(a, 100));
    assert_null(sk_arr_take(a, 100));
    sk_arr_remove(a, 100);
    assert_int_equal(sk_arr_len(a), 12);
    assert_int_equal(sk_arr_len(NULL), 0);
    sk_val_free(a);
}

static void test_dup_equal(void **state)
{
    (void)state;
    struct sk_val *a = sample_pod();
    struct sk_val *b = sk_val_dup(a);
    assert_ptr_not_equal(a, b);
    assert_true(sk_val_equal(a, b));

    /* Map order does not matter. */
    struct sk_val *md = sk_map_take(b, "metadata");
    sk_map_set(b, "metadata", md);
    assert_string_equal(b->u.m.kv[3].key, "metadata");
    assert_true(sk_val_equal(a, b));

    /* Array order does. */
    struct sk_val *cs = sk_val_at(b, "spec", "containers", NULL);
    sk_arr_push(cs, sk_arr_take(cs, 0));
    assert_false(sk_val_equal(a, b));
    sk_arr_push(cs, sk_arr_take(cs, 0));
    assert_true(sk_val_equal(a, b));

    /* int 1 is not float 1.0. */
    struct sk_val *c0 = sk_arr_get(cs, 0);
    sk_map_set(c0, "cpu", sk_val_int(0));
    assert_false(sk_val_equal(a, b));
    sk_map_set(c0, "cpu", sk_val_float(0.5));
    assert_true(sk_val_equal(a, b));

    /* A missing key, an extra key. */
    sk_map_set(b, "status", sk_val_map());
    assert_false(sk_val_equal(a, b));
    sk_map_del(b, "status");
    sk_map_del(b, "kind");
    assert_false(sk_val_equal(a, b));
    sk_val_free(b);

    struct sk_val *i1 = sk_val_int(1), *f1 = sk_val_float(1.0);
    assert_false(sk_val_equal(i1, f1));
    struct sk_val *n1 = sk_val_float(NAN), *n2 = sk_val_float(NAN);
    assert_true(sk_val_equal(n1, n2));
    struct sk_val *s1 = sk_val_strn("a\0b", 3), *s2 = sk_val_strn("a\0c", 3);
    assert_false(sk_val_equal(s1, s2));
    assert_true(sk_val_equal(NULL, NULL));
    assert_false(sk_val_equal(s1, NULL));
    sk_val_free(i1);
    sk_val_free(f1);
    sk_val_free(n1);
    sk_val_free(n2);
    sk_val_free(s1);
    sk_val_free(s2);
    sk_val_free(a);
}

static void test_at_set_at(void **state)
{
    (void)state;
    struct sk_val *pod = sample_pod();
    assert_string_equal(sk_val_str_at(pod, "metadata", "name", NULL), "web-0");
    assert_null(sk_val_str_at(pod, "metadata", "nope", NULL));
    assert_null(sk_val_str_at(pod, "metadata", NULL));
    assert_ptr_equal(sk_val_at(pod, NULL), pod);

    sk_val_set_at(pod, sk_val_str("Running"), "status", "phase", NULL);
    assert_string_equal(sk_val_str_at(pod, "status", "phase", NULL), "Running");
    /* A non-map in the way is replaced. */
    sk_val_set_at(pod, sk_val_int(1), "kind", "x", NULL);
    assert_int_equal(sk_val_at(pod, "kind", "x", NULL)->u.i, 1);
    assert_null(sk_val_set_at(pod, sk_val_int(1), NULL));
    sk_val_free(pod);
}

static void test_path(void **state)
{
    (void)state;
    struct sk_val *pod = sample_pod();
    assert_string_equal(sk_val_cstr(sk_val_path(pod, "spec.containers[0].image")), "nginx:1.0");
    assert_string_equal(sk_val_cstr(sk_val_path(pod, "spec.containers[1].name")), "c1");
    assert_string_equal(sk_val_cstr(sk_val_path(pod, ".metadata.name")), "web-0");
    assert_string_equal(sk_val_cstr(sk_val_path(pod, "metadata.labels['app.kubernetes.io/name']")),
                        "web");
    assert_string_equal(
            sk_val_cstr(sk_val_path(pod, "metadata.labels[\"app.kubernetes.io/name\"]")), "web");
    assert_string_equal(sk_val_cstr(sk_val_path(pod, "metadata['labels'].tier")), "front");
    assert_int_equal(sk_val_path(pod, "spec.containers[1].port")->u.i, 8081);
    assert_ptr_equal(sk_val_path(pod, ""), pod);
    assert_true(sk_val_is(sk_val_path(pod, "spec.containers"), SK_V_ARR));

    const char *bad[] = {"spec.containers[2].image",
                         "spec.containers[x]",
                         "spec.containers[-1]",
                         "spec.containers[0",
                         "spec..containers",
                         "spec.",
                         "spec.containers[0].",
                         "spec.containers[0]image",
                         "metadata.labels['tier",
                         "metadata.labels['tier'",
                         "metadata[0]",
                         "spec.containers.name",
                         "nope",
                         "metadata.name.x",
                         "spec.containers[99999999999999999999999]",
                         NULL};
    for (int i = 0; bad[i]; i++) {
        if (sk_val_path(pod, bad[i])) fail_msg("path %s should not resolve", bad[i]);
    }
    assert_null(sk_val_path(NULL, "a"));

    struct sk_val *arr = sk_val_arr();
    sk_arr_push(arr, sk_val_str("x"));
    assert_string_equal(sk_val_cstr(sk_val_path(arr, "[0]")), "x");
    sk_val_free(arr);
    sk_val_free(pod);
}

static void test_obj_helpers(void **state)
{
    (void)state;
    struct sk_val *pod = sample_pod();
    assert_string_equal(sk_obj_name(pod), "web-0");
    assert_string_equal(sk_obj_namespace(pod), "default");
    assert_string_equal(sk_obj_kind(pod), "Pod");
    assert_string_equal(sk_obj_api_version(pod), "v1");
    assert_string_equal(sk_obj_label(pod, "tier"), "front");
    assert_null(sk_obj_label(pod, "nope"));
    assert_null(sk_obj_annotations(pod));
    assert_null(sk_obj_annotation(pod, "a"));

    sk_obj_set_annotation(pod, "note", "hi");
    assert_string_equal(sk_obj_annotation(pod, "note"), "hi");
    sk_obj_set_annotation(pod, "note", NULL);
    assert_null(sk_obj_annotation(pod, "note"));
    sk_obj_set_label(pod, "tier", "back");
    assert_string_equal(sk_obj_label(pod, "tier"), "back");
    sk_obj_set_label(pod, "tier", NULL);
    assert_null(sk_obj_label(pod, "tier"));
    assert_int_equal(sk_map_len(sk_obj_labels(pod)), 1);

    struct sk_val *ref = sk_obj_controller_ref(pod);
    assert_non_null(ref);
    assert_string_equal(sk_val_cstr(sk_map_get(ref, "kind")), "ReplicaSet");

    /* An object with no metadata gets one. */
    struct sk_val *bare = sk_val_map();
    assert_null(sk_obj_name(bare));
    assert_null(sk_obj_controller_ref(bare));
    sk_obj_set_label(bare, "a", "b");
    assert_string_equal(sk_obj_label(bare, "a"), "b");
    sk_obj_set_label(bare, "zz", NULL);
    sk_map_set(bare, "metadata", sk_val_str("junk"));
    assert_null(sk_obj_labels(bare));
    sk_obj_set_annotation(bare, "k", "v");
    assert_string_equal(sk_obj_annotation(bare, "k"), "v");
    sk_val_free(bare);
    assert_null(sk_obj_name(NULL));
    sk_obj_set_label(NULL, "a", "b");
    sk_val_free(pod);
}

static void test_buf(void **state)
{
    (void)state;
    struct sk_buf b = {0};
    for (int i = 0; i < 1000; i++)
        sk_buf_putc(&b, 'x');
    sk_buf_printf(&b, "%d-%s", 12, "ab");
    sk_buf_puts(&b, "!");
    sk_buf_append(&b, "", 0);
    assert_int_equal(b.len, 1006);
    size_t len;
    char *s = sk_buf_take(&b, &len);
    assert_int_equal(len, 1006);
    assert_string_equal(s + 1000, "12-ab!");
    assert_null(b.p);
    assert_int_equal(b.len, 0);
    free(s);
    sk_buf_free(&b);
    sk_buf_free(NULL);
    s = sk_buf_take(&b, NULL);
    assert_string_equal(s, "");
    free(s);
}

static void test_numbers(void **state)
{
    (void)state;
    char buf[32];
    struct {
        double d;
        const char *s;
    } cases[] = {
            {1.0, "1.0"},
            {0.1, "0.1"},
            {-0.0, "-0.0"},
            {100, "100.0"},
            {1.5e-7, "1.5e-07"},
            {1e21, "1e+21"},
            {123456789012345.0, "123456789012345.0"},
            {0.30000000000000004, "0.30000000000000004"},
            {2.5, "2.5"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sk_fmt_double(cases[i].d, buf);
        assert_string_equal(buf, cases[i].s);
    }
    double rt[] = {DBL_MAX, DBL_MIN, 5e-324, M_PI, 1.0 / 3, 1e300, -2.2250738585072014e-308};
    for (size_t i = 0; i < sizeof(rt) / sizeof(rt[0]); i++) {
        sk_fmt_double(rt[i], buf);
        assert_true(strtod(buf, NULL) == rt[i]);
        assert_non_null(strpbrk(buf, ".e"));
    }
    sk_fmt_int64(INT64_MIN, buf);
    assert_string_equal(buf, "-9223372036854775808");
    sk_fmt_int64(INT64_MAX, buf);
    assert_string_equal(buf, "9223372036854775807");
    sk_fmt_int64(0, buf);
    assert_string_equal(buf, "0");

    const unsigned char ok[] = "a\xc3\xa9\xe6\xbc\xa2\xf0\x9f\x98\x80";
    assert_int_equal(sk_utf8_len(ok, 1), 1);
    assert_int_equal(sk_utf8_len(ok + 1, 2), 2);
    assert_int_equal(sk_utf8_len(ok + 3, 3), 3);
    assert_int_equal(sk_utf8_len(ok + 6, 4), 4);
    assert_int_equal(sk_utf8_len(ok + 6, 3), 0);                                /* truncated */
    assert_int_equal(sk_utf8_len((const unsigned char *)"\xc0\x80", 2), 0);     /* overlong */
    assert_int_equal(sk_utf8_len((const unsigned char *)"\xed\xa0\x80", 3), 0); /* surrogate */
    assert_int_equal(sk_utf8_len((const unsigned char *)"\xf4\x90\x80\x80", 4), 0);
    assert_int_equal(sk_utf8_len((const unsigned char *)"\x80", 1), 0);
}

/* Common keys are shared and strings live in their node: the trees must
 * behave exactly as before (dup, delete, take, keys that only start like a
 * common key, embedded NULs). */
static void test_shared_keys(void **state)
{
    (void)state;
    struct sk_val *m = sk_val_map();
    sk_map_set(m, "metadata", sk_val_map());
    sk_map_setn(m, "name\0x", 6, sk_val_str("a"));
    sk_map_set(m, "name", sk_val_strn("b\0c", 3));
    sk_map_set(m, "namex", sk_val_strf("%d-%s", 7, "z"));
    sk_map_set(m, "spe", sk_val_str(""));
    assert_int_equal(sk_map_len(m), 5);
    assert_null(sk_map_getn(m, "name\0y", 6));
    assert_string_equal(sk_val_cstr(sk_map_getn(m, "name\0x", 6)), "a");
    const struct sk_val *nm = sk_map_get(m, "name");
    assert_int_equal(nm->u.s.len, 3);
    assert_memory_equal(nm->u.s.p, "b\0c", 4);
    assert_string_equal(sk_val_cstr(sk_map_get(m, "namex")), "7-z");
    struct sk_val *d = sk_val_dup(m);
    assert_true(sk_val_equal(m, d));
    assert_true(sk_map_del(d, "metadata"));
    struct sk_val *t = sk_map_take(d, "namex");
    assert_string_equal(sk_val_cstr(t), "7-z");
    sk_val_free(t);
    /* a key taken out by hand goes back through sk_val_key_free */
    sk_val_key_free(d->u.m.kv[0].key);
    d->u.m.kv[0].key = strdup("other");
    d->u.m.kv[0].klen = 5;
    assert_non_null(sk_map_get(d, "other"));
    sk_val_free(d);
    struct sk_buf b = {0};
    sk_val_to_msgpack(m, &b);
    struct sk_val *back = NULL;
    assert_int_equal(sk_val_from_msgpack(b.p, b.len, &back, NULL), SK_OK);
    assert_true(sk_val_equal(m, back));
    sk_val_free(back);
    sk_buf_free(&b);
    sk_val_free(m);
}

static void test_mapidx(void **state)
{
    (void)state;
    struct sk_val *m = sk_val_map();
    struct sk_mapidx ix = {0};
    char k[32];
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(k, sizeof(k), "key-%d", i);
        assert_int_equal(sk_mapidx_find(&ix, m, k, (size_t)n), -1);
        sk_map_push(m, k, (size_t)n, sk_val_int(i));
        sk_mapidx_added(&ix, m);
    }
    for (int i = 0; i < 5000; i += 7) {
        int n = snprintf(k, sizeof(k), "key-%d", i);
        assert_int_equal(sk_mapidx_find(&ix, m, k, (size_t)n), i);
    }
    assert_int_equal(sk_mapidx_find(&ix, m, "key-5000", 8), -1);
    sk_mapidx_free(&ix);
    sk_val_free(m);
}

/* ---- msgpack ---- */

static struct sk_val *mp_roundtrip(const struct sk_val *v)
{
    struct sk_buf b = {0};
    sk_val_to_msgpack(v, &b);
    struct sk_val *out = NULL;
    struct sk_error *err = NULL;
    sk_err rc = sk_val_from_msgpack(b.p, b.len, &out, &err);
    if (rc) fail_msg("decode: %s", sk_error_msg(err, rc));
    sk_buf_free(&b);
    return out;
}

static void test_msgpack_roundtrip(void **state)
{
    (void)state;
    struct sk_val *v = sample_pod();
    struct sk_val *ints = sk_map_set(v, "ints", sk_val_arr());
    int64_t iv[] = {
            0,         1,  127, 128, 255,  256,  65535,  65536,  4294967295LL,  4294967296LL,
            INT64_MAX, -1, -32, -33, -128, -129, -32768, -32769, -2147483648LL, -2147483649LL,
            INT64_MIN};
    for (size_t i = 0; i < sizeof(iv) / sizeof(iv[0]); i++)
        sk_arr_push(ints, sk_val_int(iv[i]));
    struct sk_val *fl = sk_map_set(v, "floats", sk_val_arr());
    double fv[] = {0.0, -0.0, 1.0, 0.1, 1e300, -5e-324, INFINITY, -INFINITY, NAN};
    for (size_t i = 0; i < sizeof(fv) / sizeof(fv[0]); i++)
        sk_arr_push(fl, sk_val_float(fv[i]));
    struct sk_val *strs = sk_map_set(v, "strs", sk_val_arr());
    size_t lens[] = {0, 31, 32, 255, 256, 65535, 65536, 100000};
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        char *s = malloc(lens[i] + 1);
        memset(s, 'a' + (int)i, lens[i]);
        sk_arr_push(strs, sk_val_strn(s, lens[i]));
        free(s);
    }
    sk_arr_push(strs, sk_val_strn("nul\0inside", 10));
    sk_arr_push(strs, sk_val_str("emoji \xf0\x9f\x98\x80 \xe6\xbc\xa2\xe5\xad\x97"));
    sk_map_set(v, "null", sk_val_null());
    sk_map_set(v, "t", sk_val_bool(true));
    sk_map_set(v, "f", sk_val_bool(false));
    sk_map_set(v, "emptymap", sk_val_map());
    sk_map_set(v, "emptyarr", sk_val_arr());
    /* Containers past the fix/16-bit size classes. */
    struct sk_val *big = sk_map_set(v, "big", sk_val_arr());
    for (int i = 0; i < 70000; i++)
        sk_arr_push(big, sk_val_int(i));
    struct sk_val *bigm = sk_map_set(v, "bigmap", sk_val_map());
    char k[32];
    for (int i = 0; i < 70000; i++) {
        snprintf(k, sizeof(k), "k%d", i);
        sk_map_set(bigm, k, sk_val_int(i));
    }
    struct sk_val *out = mp_roundtrip(v);
    assert_true(sk_val_equal(v, out));
    /* Key order survives. */
    assert_string_equal(out->u.m.kv[0].key, "apiVersion");
    assert_string_equal(sk_map_get(out, "bigmap")->u.m.kv[69999].key, "k69999");
    /* Encoding is stable. */
    struct sk_buf b1 = {0}, b2 = {0};
    sk_val_to_msgpack(v, &b1);
    sk_val_to_msgpack(out, &b2);
    assert_int_equal(b1.len, b2.len);
    assert_memory_equal(b1.p, b2.p, b1.len);
    sk_buf_free(&b1);
    sk_buf_free(&b2);
    sk_val_free(out);
    sk_val_free(v);

    /* Scalars at the root. */
    struct sk_val *s = sk_val_str("x");
    out = mp_roundtrip(s);
    assert_true(sk_val_equal(s, out));
    sk_val_free(out);
    sk_val_free(s);
}

static sk_err mp_decode(const void *p, size_t n, struct sk_val **out, char *msg, size_t msgsz)
{
    struct sk_error *err = NULL;
    sk_err rc = sk_val_from_msgpack(p, n, out, &err);
    snprintf(msg, msgsz, "%s", rc ? sk_error_msg(err, rc) : "");
    sk_error_free(err);
    return rc;
}

static void expect_bad(const void *p, size_t n, const char *needle)
{
    struct sk_val *v = (struct sk_val *)1;
    char msg[1024];
    sk_err rc = mp_decode(p, n, &v, msg, sizeof(msg));
    assert_int_equal(rc, SK_EPROTO);
    assert_null(v);
    if (needle && !strstr(msg, needle)) fail_msg("error \"%s\" lacks \"%s\"", msg, needle);
}

static void test_msgpack_malformed(void **state)
{
    (void)state;
    expect_bad("", 0, "empty");
    expect_bad(NULL, 0, "empty");
    expect_bad("\xc0\xc0", 2, "1 trailing bytes");
    expect_bad("\x81\x01\x02", 3, "map key is not a string");
    expect_bad("\x81\xc0\x02", 3, "not a string");
    expect_bad("\x82\xa1k\x01\xa1k\x02", 7, "duplicate map key \"k\"");
    expect_bad("\xcf\x80\x00\x00\x00\x00\x00\x00\x00", 9, "beyond int64");
    expect_bad("\xcf\xff\xff\xff\xff\xff\xff\xff\xff", 9, "beyond int64");
    expect_bad("\xc4\x01x", 3, "bin");
    expect_bad("\xc7\x01\x01x", 4, "ext");
    expect_bad("\xd4\x01\x00", 3, "ext");
    expect_bad("\xc1", 1, "0xc1");
    expect_bad("\xa5"
               "abc",
               4, "truncated string");
    expect_bad("\xd9", 1, "truncated");
    expect_bad("\xcb\x00\x00", 3, "truncated float");
    expect_bad("\xd3\x00", 2, "truncated integer");
    expect_bad("\x92\x01", 2, "array longer than the message");
    expect_bad("\x92\x01\xa3", 3, "truncated string");
    expect_bad("\x81\xa1k", 3, "truncated");
    /* Counts far beyond the message are refused before anything is
     * allocated for them. */
    expect_bad("\xdd\xff\xff\xff\xff", 5, "array longer than the message");
    expect_bad("\xdf\xff\xff\xff\xff\x00", 6, "map longer than the message");
    expect_bad("\xdb\xff\xff\xff\xff", 5, "truncated string");

    /* A duplicate in a map large enough to use the hash index. */
    struct sk_buf b = {0};
    sk_buf_putc(&b, (char)0xde);
    sk_buf_putc(&b, 0);
    sk_buf_putc(&b, 40);
    for (int i = 0; i < 40; i++) {
        char k[8];
        int n = snprintf(k, sizeof(k), "k%d", i == 39 ? 3 : i);
        sk_buf_putc(&b, (char)(0xa0 | n));
        sk_buf_append(&b, k, (size_t)n);
        sk_buf_putc(&b, (char)i);
    }
    expect_bad(b.p, b.len, "duplicate map key \"k3\"");
    sk_buf_free(&b);

    /* Every strict prefix of a valid message is rejected cleanly. */
    struct sk_val *pod = sample_pod();
    sk_val_to_msgpack(pod, &b);
    for (size_t n = 0; n < b.len; n++)
        expect_bad(b.p, n, NULL);
    sk_buf_free(&b);
    sk_val_free(pod);

    /* Non-canonical but valid encodings are accepted, float32 included. */
    const char ok[] = "\x84\xd9\x01"
                      "a\xcc\x05\xa1"
                      "b\xd0\xfb\xa1"
                      "c\xca\x3f\xc0\x00\x00\xa1"
                      "d\xdc\x00\x01\xc3";
    struct sk_val *v;
    char msg[1024];
    assert_int_equal(mp_decode(ok, sizeof(ok) - 1, &v, msg, sizeof(msg)), SK_OK);
    assert_int_equal(sk_map_get(v, "a")->u.i, 5);
    assert_int_equal(sk_map_get(v, "b")->u.i, -5);
    assert_true(sk_map_get(v, "c")->type == SK_V_FLOAT && sk_map_get(v, "c")->u.f == 1.5);
    assert_true(sk_arr_get(sk_map_get(v, "d"), 0)->u.b);
    sk_val_free(v);
    /* The largest int64 as uint64 is fine. */
    assert_int_equal(mp_decode("\xcf\x7f\xff\xff\xff\xff\xff\xff\xff", 9, &v, msg, sizeof(msg)),
                     SK_OK);
    assert_true(v->u.i == INT64_MAX);
    sk_val_free(v);
}

static void test_msgpack_depth(void **state)
{
    (void)state;
    char buf[512];
    char msg[1024];
    struct sk_val *v;
    /* 128 nested arrays around a nil decode... */
    memset(buf, 0x91, 128);
    buf[128] = (char)0xc0;
    assert_int_equal(mp_decode(buf, 129, &v, msg, sizeof(msg)), SK_OK);
    sk_val_free(v);
    /* ...129 do not, nor do 129 nested maps. */
    memset(buf, 0x91, 129);
    buf[129] = (char)0xc0;
    expect_bad(buf, 130, "nesting deeper than 128");
    size_t n = 0;
    for (int i = 0; i < 129; i++) {
        buf[n++] = (char)0x81;
        buf[n++] = (char)0xa1;
        buf[n++] = 'k';
    }
    buf[n++] = (char)0xc0;
    expect_bad(buf, n, "nesting deeper than 128");
    /* A tree built in C that deep still encodes. */
    struct sk_val *root = sk_val_arr(), *cur = root;
    for (int i = 0; i < 127; i++)
        cur = sk_arr_push(cur, sk_val_arr());
    struct sk_val *out = mp_roundtrip(root);
    assert_true(sk_val_equal(root, out));
    sk_val_free(out);
    sk_val_free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_scalars),
            cmocka_unit_test(test_map_order),
            cmocka_unit_test(test_arrays),
            cmocka_unit_test(test_dup_equal),
            cmocka_unit_test(test_at_set_at),
            cmocka_unit_test(test_path),
            cmocka_unit_test(test_obj_helpers),
            cmocka_unit_test(test_buf),
            cmocka_unit_test(test_numbers),
            cmocka_unit_test(test_shared_keys),
            cmocka_unit_test(test_mapidx),
            cmocka_unit_test(test_msgpack_roundtrip),
            cmocka_unit_test(test_msgpack_malformed),
            cmocka_unit_test(test_msgpack_depth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
