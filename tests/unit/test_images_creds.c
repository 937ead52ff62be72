/* Tests for image pull secret credentials (plugins/images/creds.c): the
 * dockerconfigjson and legacy dockercfg shapes, base64 errors, "auth"
 * against username/password, the kubelet's key normalisation and host
 * matching (wildcards, ports, paths, schemes), the order credentials are
 * tried in, and the JSON hand-over to a pull child. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mem.h"
#include "val.h"

#include "../../plugins/images/creds.h"

static void parse_ok(struct img_creds *c, const char *doc, bool legacy, const char *src)
{
    struct sk_error *e = NULL;
    sk_err rc = img_creds_parse(c, doc, strlen(doc), legacy, src, &e);
    if (rc) fail_msg("unexpected: %s", sk_error_msg(e, rc));
    sk_error_free(e);
}

static void parse_err(const char *doc, bool legacy, const char *want)
{
    struct img_creds c = {0};
    parse_ok(&c, "{\"auths\":{\"keep.io\":{\"username\":\"k\",\"password\":\"k\"}}}", false, "s");
    struct sk_error *e = NULL;
    sk_err rc = img_creds_parse(&c, doc, strlen(doc), legacy, "s", &e);
    if (!rc || !e || !strstr(e->msg, want))
        fail_msg("%s: want an error with \"%s\", got %s", doc, want, e ? e->msg : "success");
    assert_int_equal(c.n, 1); /* unchanged on error */
    sk_error_free(e);
    img_creds_free(&c);
}

static void test_dockerconfigjson(void **st)
{
    (void)st;
    struct img_creds c = {0};
    /* kubectl create secret docker-registry writes all three fields */
    parse_ok(&c,
             "{\"auths\":{\"reg.example.com:5000\":{\"username\":\"u\",\"password\":\"p\","
             "\"auth\":\"dTpw\"},\"https://other.io/v2/\":{\"username\":\"a\",\"password\":"
             "\"b:c\"}}}",
             false, "default/regcred");
    assert_int_equal(c.n, 2);
    assert_string_equal(c.v[0].key, "reg.example.com:5000");
    assert_string_equal(c.v[0].user, "u");
    assert_string_equal(c.v[0].pass, "p");
    assert_string_equal(c.v[0].source, "default/regcred");
    assert_string_equal(c.v[1].key, "other.io");
    assert_string_equal(c.v[1].pass, "b:c");
    /* no auths at all: nothing, and no error (as the kubelet) */
    parse_ok(&c, "{}", false, "x");
    parse_ok(&c, "{\"auths\":null}", false, "x");
    assert_int_equal(c.n, 2);
    img_creds_free(&c);
}

static void test_dockercfg_legacy(void **st)
{
    (void)st;
    struct img_creds c = {0};
    parse_ok(&c, "{\"https://index.docker.io/v1/\":{\"auth\":\"bWU6czNjcjN0\",\"email\":\"x@y\"}}",
             true, "ns/old");
    assert_int_equal(c.n, 1);
    assert_string_equal(c.v[0].key, "index.docker.io");
    assert_string_equal(c.v[0].user, "me");
    assert_string_equal(c.v[0].pass, "s3cr3t");
    /* the legacy shape read as dockerconfigjson has no "auths": nothing */
    struct img_creds d = {0};
    parse_ok(&d, "{\"https://index.docker.io/v1/\":{\"auth\":\"bWU6czNjcjN0\"}}", false, "x");
    assert_int_equal(d.n, 0);
    img_creds_free(&c);
}

static void test_auth_wins_and_errors(void **st)
{
    (void)st;
    struct img_creds c = {0};
    /* auth wins over username/password, as the kubelet's UnmarshalJSON */
    parse_ok(&c,
             "{\"auths\":{\"h.io\":{\"username\":\"no\",\"password\":\"no\",\"auth\":\"dTpw\"}}}",
             false, "s");
    assert_string_equal(c.v[0].user, "u");
    assert_string_equal(c.v[0].pass, "p");
    /* empty auth: username/password count */
    parse_ok(&c, "{\"auths\":{\"h.io\":{\"username\":\"x\",\"password\":\"y\",\"auth\":\"\"}}}",
             false, "s");
    assert_string_equal(c.v[1].user, "x");
    /* only the first ':' splits */
    parse_ok(&c, "{\"auths\":{\"h.io\":{\"auth\":\"dTpwOnE=\"}}}", false, "s"); /* u:p:q */
    assert_string_equal(c.v[2].user, "u");
    assert_string_equal(c.v[2].pass, "p:q");
    img_creds_free(&c);

    parse_err("{\"auths\":{\"h.io\":{\"auth\":\"dXNlcg==\"}}}", false,
              "must be formatted as base64(username:password)"); /* "user": no colon */
    parse_err("{\"auths\":{\"h.io\":{\"auth\":\"d$pw\"}}}", false,
              "illegal base64 data at input byte 1");
    parse_err("{\"auths\":{\"h.io\":{\"auth\":\"dTp\"}}}", false, "illegal base64 data");
    parse_err("{\"auths\":{\"h.io\":{\"username\":7}}}", false, "\"username\" is integer");
    parse_err("{\"auths\":{\"h.io\":\"u:p\"}}", false, "auths: \"h.io\": want an object");
    parse_err("{\"auths\":[]}", false, "\"auths\" is array");
    parse_err("[1]", true, "want a JSON object");
    parse_err("{\"auths\":", false, "");
    parse_err("{\"h.io\":{\"auth\":\"%%%%\"}}", true, "\"h.io\": \"auth\": illegal base64");
}

static void test_base64(void **st)
{
    (void)st;
    static const struct {
        const char *in, *out;
        long bad; /* byte of the error, or -1 */
    } cases[] = {
            {"", "", -1},
            {"dTpw", "u:p", -1},
            {"dTo=", "u:", -1},
            {"dQ==", "u", -1},
            {"dTpw\r\ndTpw", "u:pu:p", -1},
            {"dQ==\n", "u", -1},
            {"dQ", NULL, 2},
            {"d===", NULL, 1},
            {"dQ==dTpw", NULL, 4},
            {"dQ=x", NULL, 3},
            {"dT pw", NULL, 2},
            {"dTpw-_", NULL, 4},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *out = NULL;
        size_t len = 0;
        struct sk_error *e = NULL;
        sk_err rc = img_base64_decode(cases[i].in, strlen(cases[i].in), &out, &len, &e);
        if (cases[i].out) {
            if (rc) fail_msg("%s: %s", cases[i].in, sk_error_msg(e, rc));
            assert_int_equal(len, strlen(cases[i].out));
            assert_memory_equal(out, cases[i].out, len);
        } else {
            char want[64];
            snprintf(want, sizeof(want), "illegal base64 data at input byte %ld", cases[i].bad);
            if (!rc || !e || strcmp(e->msg, want))
                fail_msg("%s: want \"%s\", got %s", cases[i].in, want, e ? e->msg : "success");
        }
        free(out);
        sk_error_free(e);
    }
}

static void test_keys(void **st)
{
    (void)st;
    static const char *const cases[][2] = {
            {"reg.io", "reg.io"},
            {"https://reg.io", "reg.io"},
            {"http://reg.io:5000/", "reg.io:5000"},
            {"https://index.docker.io/v1/", "index.docker.io"},
            {"reg.io/v2/team", "reg.io/team"},
            {"reg.io/team/", "reg.io/team/"},
            {"*.example.com/a", "*.example.com/a"},
            {"[::1]:5000", "[::1]:5000"},
            {"", NULL},
            {"https:///x", NULL},
            {"a b.io", NULL},
            {"reg.io?x=1", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *why = NULL;
        char *k = img_creds_key(cases[i][0], &why);
        if (cases[i][1]) {
            if (!k) fail_msg("%s: refused: %s", cases[i][0], why);
            assert_string_equal(k, cases[i][1]);
        } else if (k || !why) {
            fail_msg("%s: want a refusal, got %s", cases[i][0], k ? k : "(no reason)");
        }
        free(k);
    }
    /* entries without a host are skipped, the rest kept */
    struct img_creds c = {0};
    parse_ok(&c, "{\"auths\":{\"\":{\"auth\":\"dTpw\"},\"ok.io\":{\"auth\":\"dTpw\"}}}", false,
             "s");
    assert_int_equal(c.n, 1);
    assert_string_equal(c.v[0].key, "ok.io");
    img_creds_free(&c);
}

static void test_match(void **st)
{
    (void)st;
    static const struct {
        const char *key, *repo;
        bool want;
    } cases[] = {
            {"reg.io", "reg.io/app", true},
            {"reg.io", "reg.io:5000/app", false}, /* ports must be equal */
            {"reg.io:5000", "reg.io/app", false},
            {"reg.io:5000", "reg.io:5000/app", true},
            {"reg.io:5001", "reg.io:5000/app", false},
            {"*.example.com", "a.example.com/app", true},
            {"*.example.com", "example.com/app", false},     /* label counts differ */
            {"*.example.com", "a.b.example.com/app", false}, /* '*' is one label */
            {"*.*.example.com", "a.b.example.com/app", true},
            {"a.*.com:5000", "a.b.com:5000/x", true},
            {"reg?.io", "reg1.io/x", true},
            {"reg.io/team", "reg.io/team/app", true},
            {"reg.io/team", "reg.io/other/app", false},
            {"reg.io/team", "reg.io/teamx/app", true}, /* a string prefix, as the kubelet */
            {"127.0.0.1:5000", "127.0.0.1:5000/busybox", true},
            {"127.0.0.*:5000", "127.0.0.1:5000/busybox", true},
            {"[::1]:5000", "[::1]:5000/busybox", true},
            {"docker.io", "docker.io/library/busybox", true},
            {"index.docker.io", "docker.io/library/busybox", false},
            {"REG.io", "reg.io/app", false},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (img_creds_match(cases[i].key, cases[i].repo) != cases[i].want)
            fail_msg("%s against %s: want %s", cases[i].key, cases[i].repo,
                     cases[i].want ? "a match" : "no match");
}

static void expect_order(const struct img_creds *c, const char *repo, const char *want)
{
    size_t *idx = NULL;
    size_t n = img_creds_lookup(c, repo, &idx);
    char got[512] = "";
    for (size_t i = 0; i < n; i++)
        snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? "," : "",
                 c->v[idx[i]].user);
    free(idx);
    if (strcmp(got, want)) fail_msg("%s: want [%s], got [%s]", repo, want, got);
}

static void test_order(void **st)
{
    (void)st;
    struct img_creds c = {0};
    /* secret 1 then secret 2, as a pod lists them */
    parse_ok(&c,
             "{\"auths\":{\"reg.io\":{\"username\":\"s1-host\",\"password\":\"x\"},"
             "\"*.reg.io\":{\"username\":\"s1-glob\",\"password\":\"x\"}}}",
             false, "ns/one");
    parse_ok(&c,
             "{\"auths\":{\"reg.io/team\":{\"username\":\"s2-path\",\"password\":\"x\"},"
             "\"https://reg.io\":{\"username\":\"s2-host\",\"password\":\"x\"},"
             "\"eu.reg.io\":{\"username\":\"s2-eu\",\"password\":\"x\"},"
             "\"https://index.docker.io/v1/\":{\"username\":\"hub\",\"password\":\"x\"}}}",
             false, "ns/two");
    /* the more specific key first; equal keys in secret order */
    expect_order(&c, "reg.io/team/app", "s2-path,s1-host,s2-host");
    expect_order(&c, "reg.io/app", "s1-host,s2-host");
    expect_order(&c, "eu.reg.io/app", "s2-eu,s1-glob");
    expect_order(&c, "us.reg.io/app", "s1-glob");
    expect_order(&c, "reg.io:5000/app", "");
    /* Docker Hub: index.docker.io serves docker.io when nothing else does */
    expect_order(&c, "docker.io/library/busybox", "hub");
    expect_order(&c, "quay.io/x", "");
    struct img_creds d = {0};
    parse_ok(&d, "{\"auths\":{\"docker.io\":{\"username\":\"dio\",\"password\":\"x\"}}}", false,
             "s");
    parse_ok(&d, "{\"auths\":{\"index.docker.io\":{\"username\":\"idx\",\"password\":\"x\"}}}",
             false, "s");
    expect_order(&d, "docker.io/library/busybox", "dio"); /* a direct match wins */
    img_creds_free(&d);
    img_creds_free(&c);
}

static void test_secret_object(void **st)
{
    (void)st;
    struct img_creds c = {0};
    struct sk_val *sec = NULL;
    /* {"auths":{"r.io":{"auth":"dTpw"}}} */
    const char *js =
            "{\"kind\":\"Secret\",\"metadata\":{\"name\":\"regcred\",\"namespace\":\"ns\"},"
            "\"type\":\"kubernetes.io/dockerconfigjson\",\"data\":{\".dockerconfigjson\":"
            "\"eyJhdXRocyI6eyJyLmlvIjp7ImF1dGgiOiJkVHB3In19fQ==\"}}";
    assert_int_equal(sk_json_parse(js, strlen(js), &sec, NULL), SK_OK);
    struct sk_error *e = NULL;
    assert_int_equal(img_creds_add_secret(&c, sec, &e), SK_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.v[0].source, "ns/regcred");
    assert_string_equal(c.v[0].key, "r.io");
    sk_val_free(sec);

    static const char *const bad[][2] = {
            {"{\"type\":\"Opaque\",\"data\":{\".dockerconfigjson\":\"e30=\"}}",
             "type is \"Opaque\", want kubernetes.io/dockerconfigjson"},
            {"{\"data\":{}}", "type is \"Opaque\""},
            {"{\"type\":\"kubernetes.io/dockercfg\",\"data\":{\".dockerconfigjson\":\"e30=\"}}",
             "no data[\".dockercfg\"]"},
            {"{\"type\":\"kubernetes.io/"
             "dockerconfigjson\",\"data\":{\".dockerconfigjson\":\"e30\"}}",
             "data[\".dockerconfigjson\"]: illegal base64 data at input byte 3"},
            {"{\"type\":\"kubernetes.io/dockerconfigjson\",\"data\":{\".dockerconfigjson\":"
             "\"bm90IGpzb24=\"}}",
             "data[\".dockerconfigjson\"]"}, /* "not json" */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        sec = NULL;
        assert_int_equal(sk_json_parse(bad[i][0], strlen(bad[i][0]), &sec, NULL), SK_OK);
        e = NULL;
        sk_err rc = img_creds_add_secret(&c, sec, &e);
        if (!rc || !e || !strstr(e->msg, bad[i][1]))
            fail_msg("%s: want \"%s\", got %s", bad[i][0], bad[i][1], e ? e->msg : "success");
        sk_error_free(e);
        sk_val_free(sec);
    }
    /* legacy type */
    sec = NULL;
    js = "{\"type\":\"kubernetes.io/dockercfg\",\"metadata\":{\"name\":\"old\"},\"data\":"
         "{\".dockercfg\":\"eyJyMi5pbyI6eyJ1c2VybmFtZSI6ImEiLCJwYXNzd29yZCI6ImIifX0=\"}}";
    assert_int_equal(sk_json_parse(js, strlen(js), &sec, NULL), SK_OK);
    assert_int_equal(img_creds_add_secret(&c, sec, NULL), SK_OK);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.v[1].key, "r2.io");
    assert_string_equal(c.v[1].user, "a");
    sk_val_free(sec);
    img_creds_free(&c);
}

static void test_json_handover(void **st)
{
    (void)st;
    struct img_creds c = {0}, d = {0};
    parse_ok(&c, "{\"auths\":{\"a.io\":{\"username\":\"u\\\"1\",\"password\":\"p\\n\"}}}", false,
             "ns/a");
    parse_ok(&c, "{\"auths\":{\"*.b.io:5000/x\":{\"auth\":\"dTpw\"}}}", false, "ns/b");
    /* an "auth" may decode to bytes that are not UTF-8: they survive */
    parse_ok(&c, "{\"auths\":{\"c.io\":{\"auth\":\"/4A6/w==\"}}}", false, "ns/c");
    assert_string_equal(c.v[2].user, "\xff\x80");
    assert_string_equal(c.v[2].pass, "\xff");
    char *js = img_creds_to_json(&c);
    assert_null(strstr(js, "p\\n")); /* no password in clear */
    assert_int_equal(img_creds_from_json(&d, js, strlen(js), NULL), SK_OK);
    assert_int_equal(d.n, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(c.v[i].key, d.v[i].key);
        assert_string_equal(c.v[i].user, d.v[i].user);
        assert_string_equal(c.v[i].pass, d.v[i].pass);
        assert_string_equal(c.v[i].source, d.v[i].source);
    }
    free(js);
    struct sk_error *e = NULL;
    const char *bad = "{\"credentials\":[{\"key\":\"a\",\"username\":\"u\"}]}";
    assert_int_equal(img_creds_from_json(&d, bad, strlen(bad), &e), SK_EINVAL);
    assert_non_null(strstr(e->msg, "credentials[0]"));
    assert_int_equal(d.n, 3);
    sk_error_free(e);
    img_creds_free(&c);
    img_creds_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_dockerconfigjson),
            cmocka_unit_test(test_dockercfg_legacy),
            cmocka_unit_test(test_auth_wins_and_errors),
            cmocka_unit_test(test_base64),
            cmocka_unit_test(test_keys),
            cmocka_unit_test(test_match),
            cmocka_unit_test(test_order),
            cmocka_unit_test(test_secret_object),
            cmocka_unit_test(test_json_handover),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
