/* JSON codec: parsing (types, order, unicode, errors with positions) and
 * writing (compact and kubectl-style pretty, Go's escaping, floats). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "val.h"

static struct sk_val *parse_ok(const char *text)
{
    struct sk_val *v = NULL;
    struct sk_error *err = NULL;
    sk_err rc = sk_json_parse(text, strlen(text), &v, &err);
    if (rc) fail_msg("parse %s: %s", text, sk_error_msg(err, rc));
    return v;
}

static void expect_error(const char *text, size_t n, const char *msg)
{
    struct sk_val *v = (struct sk_val *)1;
    struct sk_error *err = NULL;
    sk_err rc = sk_json_parse(text, n, &v, &err);
    assert_int_equal(rc, SK_EINVAL);
    assert_null(v);
    assert_non_null(err);
    char got[sizeof(err->msg)];
    snprintf(got, sizeof(got), "%s", err->msg);
    sk_error_free(err);
    if (strcmp(got, msg)) fail_msg("got \"%s\", want \"%s\"", got, msg);
}

static char *dump(const struct sk_val *v, int flags)
{
    size_t len;
    char *s = sk_json_dump(v, flags, &len);
    assert_int_equal(strlen(s), len);
    return s;
}

static void check_dump(const char *in, int flags, const char *want)
{
    struct sk_val *v = parse_ok(in);
    char *s = dump(v, flags);
    if (strcmp(s, want)) fail_msg("dump of %s:\n%s\nwant:\n%s", in, s, want);
    free(s);
    sk_val_free(v);
}

static void test_types(void **state)
{
    (void)state;
    struct sk_val *v = parse_ok("{\"i\": 1, \"f\": 1.0, \"e\": 1e3, \"n\": null, \"t\": true, "
                                "\"F\": false, \"s\": \"1\", \"neg\": -9223372036854775808, "
                                "\"max\": 9223372036854775807, \"a\": [], \"o\": {}}");
    assert_int_equal(sk_map_get(v, "i")->type, SK_V_INT);
    assert_int_equal(sk_map_get(v, "f")->type, SK_V_FLOAT);
    assert_true(sk_map_get(v, "e")->type == SK_V_FLOAT && sk_map_get(v, "e")->u.f == 1000.0);
    assert_int_equal(sk_map_get(v, "n")->type, SK_V_NULL);
    assert_true(sk_map_get(v, "t")->u.b);
    assert_false(sk_map_get(v, "F")->u.b);
    assert_string_equal(sk_val_cstr(sk_map_get(v, "s")), "1");
    assert_true(sk_map_get(v, "neg")->u.i == INT64_MIN);
    assert_true(sk_map_get(v, "max")->u.i == INT64_MAX);
    assert_int_equal(sk_arr_len(sk_map_get(v, "a")), 0);
    assert_int_equal(sk_map_get(v, "o")->type, SK_V_MAP);
    sk_val_free(v);

    /* Any value may be the root. */
    v = parse_ok(" \"x\" ");
    assert_string_equal(sk_val_cstr(v), "x");
    sk_val_free(v);
    v = parse_ok("42");
    assert_int_equal(v->u.i, 42);
    sk_val_free(v);
}

static void test_order_unicode(void **state)
{
    (void)state;
    struct sk_val *v = parse_ok("{\"z\":1,\"a\":2,\"m\":{\"y\":1,\"b\":2},\"k\":3}");
    const char *order[] = {"z", "a", "m", "k"};
    for (int i = 0; i < 4; i++)
        assert_string_equal(v->u.m.kv[i].key, order[i]);
    assert_string_equal(sk_map_get(v, "m")->u.m.kv[0].key, "y");
    char *s = dump(v, SK_JSON_COMPACT);
    assert_string_equal(s, "{\"z\":1,\"a\":2,\"m\":{\"y\":1,\"b\":2},\"k\":3}");
    free(s);
    sk_val_free(v);

    v = parse_ok("[\"\\ud83d\\ude00\", \"\xf0\x9f\x98\x80\", \"\xe6\xbc\xa2\xe5\xad\x97\", "
                 "\"a\\u0000b\", \"\\u00e9\", \"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]");
    assert_string_equal(sk_val_cstr(sk_arr_get(v, 0)), "\xf0\x9f\x98\x80");
    assert_string_equal(sk_val_cstr(sk_arr_get(v, 1)), "\xf0\x9f\x98\x80");
    assert_string_equal(sk_val_cstr(sk_arr_get(v, 2)), "\xe6\xbc\xa2\xe5\xad\x97");
    assert_int_equal(sk_arr_get(v, 3)->u.s.len, 3);
    assert_memory_equal(sk_arr_get(v, 3)->u.s.p, "a\0b", 3);
    assert_string_equal(sk_val_cstr(sk_arr_get(v, 4)), "\xc3\xa9");
    assert_string_equal(sk_val_cstr(sk_arr_get(v, 5)), "\"\\/\b\f\n\r\t");
    s = dump(v, SK_JSON_COMPACT);
    assert_string_equal(s,
                        "[\"\xf0\x9f\x98\x80\",\"\xf0\x9f\x98\x80\",\"\xe6\xbc\xa2\xe5\xad\x97\","
                        "\"a\\u0000b\",\"\xc3\xa9\",\"\\\"\\\\/\\u0008\\u000c\\n\\r\\t\"]");
    free(s);
    sk_val_free(v);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("{\"a\": 1,\n  \"a\": 2}", 17,
                 "line 2, column 5: duplicate object key near '\"a\"'");
    expect_error("[1,2,\n   x]", 11, "line 2, column 4: invalid token near 'x'");
    expect_error("123456789012345678901", 21, "line 1, column 21: too big integer");
    expect_error("-123456789012345678901", 22, "line 1, column 22: too big negative integer");
    expect_error("{\"a\":1} x", 9, "line 1, column 9: end of file expected near 'x'");
    expect_error("1e999", 5, "line 1, column 5: real number overflow near '1e999'");
    expect_error("", 0, "line 1, column 1: unexpected token near end of file");
    expect_error(NULL, 0, "line 1, column 1: unexpected token near end of file");
    expect_error("{\n\n  \"a\" 1}", 10, "line 3, column 7: ':' expected near '1'");
    expect_error("[\"\xff\"]", 4, "line 1, column 2: unable to decode byte 0xff near '\"'");
    expect_error("[\"a\nb\"]", 6, "line 1, column 3: unexpected newline near '\"a'");
    expect_error("{\"a\\u0000\": 1}", 14,
                 "line 1, column 10: NUL byte in object key not supported near '\"a\\u0000\"'");

    /* Nesting: 128 levels are fine, 129 are not, and the message says
     * where the 129th starts. */
    char buf[1024];
    memset(buf, '[', 128);
    memset(buf + 128, ']', 128);
    struct sk_val *v = NULL;
    assert_int_equal(sk_json_parse(buf, 256, &v, NULL), SK_OK);
    sk_val_free(v);
    size_t n = 0;
    buf[n++] = '[';
    buf[n++] = '\n';
    for (int i = 0; i < 128; i++)
        buf[n++] = '[';
    for (int i = 0; i < 129; i++)
        buf[n++] = ']';
    expect_error(buf, n, "line 2, column 128: nesting deeper than 128 levels");
    n = 0;
    for (int i = 0; i < 129; i++)
        n += (size_t)sprintf(buf + n, "{\"k\":");
    buf[n++] = '1';
    for (int i = 0; i < 129; i++)
        buf[n++] = '}';
    expect_error(buf, n, "line 1, column 641: nesting deeper than 128 levels");
}

static void test_dump_compact(void **state)
{
    (void)state;
    check_dump(
            "{\"a\":[1,2.5,-0.0,1.0,1e21,1.5e-7,0.1],\"b\":{},\"c\":[],\"d\":null,\"e\":true}",
            SK_JSON_COMPACT,
            "{\"a\":[1,2.5,-0.0,1.0,1e+21,1.5e-07,0.1],\"b\":{},\"c\":[],\"d\":null,\"e\":true}");
    /* Go's escaping: HTML characters and JS line separators. */
    check_dump("[\"<a href='x'>&amp;</a>\", \"\xe2\x80\xa8\xe2\x80\xa9\", \"\\u0001\\u001f\x7f\"]",
               SK_JSON_COMPACT,
               "[\"\\u003ca href='x'\\u003e\\u0026amp;\\u003c/a\\u003e\",\"\\u2028\\u2029\","
               "\"\\u0001\\u001f\x7f\"]");

    /* Built in C: NaN and infinities, bad UTF-8, NUL in keys. */
    struct sk_val *m = sk_val_map();
    sk_map_set(m, "nan", sk_val_float(NAN));
    sk_map_set(m, "inf", sk_val_float(-INFINITY));
    sk_map_set(m, "bad", sk_val_strn("a\xff\xc3(\xe2\x82", 6));
    sk_map_setn(m, "k\0", 2, sk_val_int(1));
    char *s = dump(m, SK_JSON_COMPACT);
    assert_string_equal(s, "{\"nan\":null,\"inf\":null,\"bad\":\"a\\ufffd\\ufffd(\\ufffd\\ufffd\","
                           "\"k\\u0000\":1}");
    free(s);
    sk_val_free(m);
    s = dump(NULL, SK_JSON_COMPACT);
    assert_string_equal(s, "null");
    free(s);
}

static void test_dump_pretty(void **state)
{
    (void)state;
    check_dump("{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[{\"a\":1,\"b\":[1.0,\"x\"],"
               "\"c\":{},\"d\":[]}],\"metadata\":{\"resourceVersion\":\"\"}}",
               SK_JSON_PRETTY,
               "{\n"
               "    \"apiVersion\": \"v1\",\n"
               "    \"kind\": \"List\",\n"
               "    \"items\": [\n"
               "        {\n"
               "            \"a\": 1,\n"
               "            \"b\": [\n"
               "                1.0,\n"
               "                \"x\"\n"
               "            ],\n"
               "            \"c\": {},\n"
               "            \"d\": []\n"
               "        }\n"
               "    ],\n"
               "    \"metadata\": {\n"
               "        \"resourceVersion\": \"\"\n"
               "    }\n"
               "}");
    check_dump("[]", SK_JSON_PRETTY, "[]");
    check_dump("\"s\"", SK_JSON_PRETTY, "\"s\"");
}

static const char *const corpus[] = {
        "{}",
        "[]",
        "null",
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","
        "\"labels\":{\"app.kubernetes.io/name\":\"web\"},\"annotations\":{\"x\":\"<>&\"}},"
        "\"spec\":{\"replicas\":3,\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\","
        "\"image\":\"nginx\",\"resources\":{\"limits\":{\"cpu\":0.5}},\"args\":[\"1\",1,1.0]}]}}}}",
        "[0.1,0.2,0.30000000000000004,1e-300,1.7976931348623157e308,5e-324,-0.0,123456789.0]",
        "[\"\xf0\x9f\x98\x80\xe6\xbc\xa2\",\"\\u0000\",\"\\u2028\",\"tab\\there\"]",
        "[[[[[[{\"a\":[{\"b\":{}}]}]]]]]]",
};

static void test_roundtrip(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++) {
        struct sk_val *v = parse_ok(corpus[i]);
        for (int flags = 0; flags <= SK_JSON_PRETTY; flags++) {
            char *s = dump(v, flags);
            struct sk_val *w = parse_ok(s);
            if (!sk_val_equal(v, w)) fail_msg("round trip of %s via %s", corpus[i], s);
            char *s2 = dump(w, flags);
            assert_string_equal(s, s2);
            free(s2);
            free(s);
            sk_val_free(w);
        }
        sk_val_free(v);
    }
}

/* A pod about the size of a real one (~60 fields). */
static struct sk_val *make_pod(int i)
{
    char text[4096];
    snprintf(text, sizeof(text),
             "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-%d\","
             "\"namespace\":\"default\",\"uid\":\"6b1f0c9e-%08d-4b7a-9c1d-3f2e1a0b9c8d\","
             "\"resourceVersion\":\"%d\",\"creationTimestamp\":\"2024-05-01T10:00:00Z\","
             "\"labels\":{\"app\":\"web\",\"pod-template-hash\":\"7d9f8c6b5\"},"
             "\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\","
             "\"name\":\"web-7d9f8c6b5\",\"uid\":\"0d4c\",\"controller\":true,"
             "\"blockOwnerDeletion\":true}]},\"spec\":{\"containers\":[{\"name\":\"web\","
             "\"image\":\"registry.local/nginx:1.25\",\"ports\":[{\"containerPort\":80,"
             "\"protocol\":\"TCP\"}],\"env\":[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\","
             "\"value\":\"<two>\"}],\"resources\":{\"limits\":{\"cpu\":\"500m\",\"memory\":"
             "\"128Mi\"},\"requests\":{\"cpu\":\"100m\",\"memory\":\"64Mi\"}},"
             "\"readinessProbe\":{\"httpGet\":{\"path\":\"/\",\"port\":80},\"periodSeconds\":5},"
             "\"terminationMessagePath\":\"/dev/termination-log\",\"imagePullPolicy\":"
             "\"IfNotPresent\"}],\"restartPolicy\":\"Always\",\"nodeName\":\"node-%d\","
             "\"terminationGracePeriodSeconds\":30,\"dnsPolicy\":\"ClusterFirst\"},"
             "\"status\":{\"phase\":\"Running\",\"podIP\":\"10.42.%d.%d\",\"conditions\":["
             "{\"type\":\"Ready\",\"status\":\"True\",\"lastTransitionTime\":"
             "\"2024-05-01T10:00:05Z\"}],\"containerStatuses\":[{\"name\":\"web\",\"ready\":true,"
             "\"restartCount\":0,\"started\":true,\"state\":{\"running\":{\"startedAt\":"
             "\"2024-05-01T10:00:03Z\"}}}],\"qosClass\":\"Burstable\",\"load\":%d.25}}",
             i, i, i, i % 5, i / 250, i % 250, i);
    return parse_ok(text);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_list_speed(void **state)
{
    (void)state;
    struct sk_val *list = sk_val_map();
    sk_map_set(list, "apiVersion", sk_val_str("v1"));
    sk_map_set(list, "kind", sk_val_str("PodList"));
    struct sk_val *items = sk_map_set(list, "items", sk_val_arr());
    for (int i = 0; i < 1000; i++)
        sk_arr_push(items, make_pod(i));

    struct sk_buf b = {0};
    double t0 = now();
    sk_json_write(list, SK_JSON_COMPACT, &b);
    double t1 = now();
    struct sk_buf p = {0};
    sk_json_write(list, SK_JSON_PRETTY, &p);
    double t2 = now();
    printf("# 1000-pod list: %zu bytes compact in %.1f ms, %zu pretty in %.1f ms "
           "(sanitizer build)\n",
           b.len, (t1 - t0) * 1e3, p.len, (t2 - t1) * 1e3);
    /* Generous: this runs under ASan; the optimised build is far faster. */
    assert_true(t1 - t0 < 1.0);

    struct sk_val *back = NULL;
    assert_int_equal(sk_json_parse(b.p, b.len, &back, NULL), SK_OK);
    assert_true(sk_val_equal(list, back));
    sk_val_free(back);
    sk_buf_free(&b);
    sk_buf_free(&p);
    sk_val_free(list);
}

/* Repeated keys: refused by sk_json_parse, kept last-wins and named by
 * sk_json_parse_dups with Go's strict-decoding paths. */
static void expect_dups(const char *text, const char *want_json, const char *const *paths, size_t n)
{
    struct sk_val *v = NULL;
    struct sk_error *err = NULL;
    struct sk_json_dups d;
    sk_err rc = sk_json_parse_dups(text, strlen(text), &v, &d, &err);
    if (rc) fail_msg("parse %s: %s", text, sk_error_msg(err, rc));
    char *got = sk_json_dump(v, SK_JSON_COMPACT, NULL);
    assert_string_equal(got, want_json);
    if (d.n != n) fail_msg("%s: %zu repeated keys, want %zu", text, d.n, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(d.paths[i], paths[i]);
    free(got);
    sk_json_dups_free(&d);
    assert_null(d.paths);
    sk_val_free(v);
}

static void test_duplicates(void **state)
{
    (void)state;
    struct sk_val *v = NULL;
    struct sk_error *err = NULL;
    const char *t = "{\"a\":1,\"a\":2}";
    assert_int_equal(sk_json_parse(t, strlen(t), &v, &err), SK_EINVAL);
    assert_non_null(strstr(sk_error_msg(err, SK_EINVAL), "duplicate object key"));
    sk_error_free(err);
    err = NULL;

    expect_dups("{\"a\":1,\"b\":2}", "{\"a\":1,\"b\":2}", NULL, 0);
    expect_dups("{\"a\":1,\"a\":2}", "{\"a\":2}", (const char *[]){"a"}, 1);
    /* nested paths with array indices, in the order the repeats appear;
     * a key repeated three times is named once */
    expect_dups(
            "{\"metadata\":{\"name\":\"x\",\"labels\":{\"k\":\"1\",\"k\":\"2\"},\"name\":\"y\"},"
            "\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"b\",\"image\":\"i\","
            "\"name\":\"c\",\"name\":\"d\"}]}}",
            "{\"metadata\":{\"name\":\"y\",\"labels\":{\"k\":\"2\"}},\"spec\":{\"containers\":"
            "[{\"name\":\"a\"},{\"name\":\"d\",\"image\":\"i\"}]}}",
            (const char *[]){"metadata.labels.k", "metadata.name", "spec.containers[1].name"}, 3);
    /* an escaped key is the same key; the same name in sibling objects is
     * no repeat; arrays at the top */
    expect_dups("[{\"a\":1},{\"\\u0061\":2,\"a\":3},{\"b\":[1,{\"c\":1,\"c\":{}}]}]",
                "[{\"a\":1},{\"a\":3},{\"b\":[1,{\"c\":{}}]}]",
                (const char *[]){"[1].a", "[2].b[1].c"}, 2);
    /* values that hold brackets, braces, quotes and escapes do not confuse
     * the walk */
    expect_dups("{\"s\":\"}{][\\\"\",\"n\":-1.5e3,\"t\":true,\"z\":null,\"s\":\"\\\\\"}",
                "{\"s\":\"\\\\\",\"n\":-1500.0,\"t\":true,\"z\":null}", (const char *[]){"s"}, 1);
    /* surrogate pairs decode before comparing */
    expect_dups("{\"\\ud83d\\ude00\":1,\"\xf0\x9f\x98\x80\":2}", "{\"\xf0\x9f\x98\x80\":2}",
                (const char *[]){"\xf0\x9f\x98\x80"}, 1);

    /* where repeats and other keys appear, to list strict errors in order */
    struct sk_json_dups d;
    t = "{\"metadata\":{\"name\":\"a\",\"x\":1,\"name\":\"b\"},\"spec\":{\"p\":1,"
        "\"c\":[{\"u\":1},{\"i\":1,\"i\":2}],\"p\":2}}";
    assert_int_equal(sk_json_parse_dups(t, strlen(t), &v, &d, &err), SK_OK);
    assert_int_equal(d.n, 3);
    assert_string_equal(d.paths[0], "metadata.name");
    assert_string_equal(d.paths[1], "spec.c[1].i");
    assert_string_equal(d.paths[2], "spec.p");
    size_t pos[4];
    const char *find[] = {"spec.c[0].u", "metadata.x", "nope", "spec.p"};
    sk_json_key_positions(t, strlen(t), find, 4, pos);
    assert_true(pos[1] < d.at[0] && d.at[0] < pos[0] && pos[0] < d.at[1] && d.at[1] < d.at[2]);
    assert_int_equal(pos[2], SIZE_MAX);
    assert_true(pos[3] < pos[0]);
    sk_json_dups_free(&d);
    sk_val_free(v);

    /* other errors stay errors, and leave no names behind */
    t = "{\"a\":1,\"a\":}";
    assert_int_equal(sk_json_parse_dups(t, strlen(t), &v, &d, &err), SK_EINVAL);
    assert_null(v);
    assert_int_equal(d.n, 0);
    sk_error_free(err);
    err = NULL;

    /* many keys in one object, and the cap on names */
    struct sk_buf b = {0};
    sk_buf_putc(&b, '{');
    for (int i = 0; i < 300; i++)
        sk_buf_printf(&b, "%s\"k%d\":%d", i ? "," : "", i % 150, i);
    sk_buf_putc(&b, '}');
    assert_int_equal(sk_json_parse_dups(b.p, b.len, &v, &d, &err), SK_OK);
    assert_int_equal(sk_map_len(v), 150);
    assert_int_equal(d.n, SK_JSON_MAX_DUPS);
    assert_string_equal(d.paths[0], "k0");
    assert_string_equal(d.paths[99], "k99");
    assert_int_equal(sk_map_get(v, "k7")->u.i, 157);
    sk_json_dups_free(&d);
    sk_val_free(v);
    sk_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_types),       cmocka_unit_test(test_order_unicode),
            cmocka_unit_test(test_errors),      cmocka_unit_test(test_dump_compact),
            cmocka_unit_test(test_dump_pretty), cmocka_unit_test(test_roundtrip),
            cmocka_unit_test(test_list_speed),  cmocka_unit_test(test_duplicates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
