/* Tests for the images plugin's pure parsers: Docker-style reference
 * normalisation (plugins/images/ref.c), manifest / index / config decoding
 * and platform selection (manifest.c), and registries.yaml settings with
 * credential lookup (regconf.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/images/manifest.h"
#include "../../plugins/images/ref.h"
#include "../../plugins/images/regconf.h"

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define DG  "sha256:" D64

static void test_ref_normalise(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
            {"busybox", "docker.io/library/busybox:latest"},
            {"busybox:1.36", "docker.io/library/busybox:1.36"},
            {"library/busybox", "docker.io/library/busybox:latest"},
            {"docker.io/busybox", "docker.io/library/busybox:latest"},
            {"index.docker.io/busybox", "docker.io/library/busybox:latest"},
            {"rancher/k3s:v1.30", "docker.io/rancher/k3s:v1.30"},
            {"quay.io/coreos/etcd", "quay.io/coreos/etcd:latest"},
            {"localhost/app", "localhost/app:latest"},
            {"localhost:5000/app:v1", "localhost:5000/app:v1"},
            {"127.0.0.1:5000/a/b/c:t_1.2-x", "127.0.0.1:5000/a/b/c:t_1.2-x"},
            {"[::1]:5000/app", "[::1]:5000/app:latest"},
            {"busybox@" DG, "docker.io/library/busybox@" DG},
            {"busybox:1.36@" DG, "docker.io/library/busybox:1.36@" DG},
            {"my-registry.example.com:443/team/app__x.y-z",
             "my-registry.example.com:443/team/app__x.y-z:latest"},
            {"a---b/c", "docker.io/a---b/c:latest"},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct img_ref r;
        struct sk_error *e = NULL;
        if (img_ref_parse(cases[i].in, &r, &e)) {
            print_error("%s: %s\n", cases[i].in, sk_error_msg(e, SK_EINVAL));
            sk_error_free(e);
            bad++;
            continue;
        }
        char *s = img_ref_string(&r);
        if (strcmp(s, cases[i].out)) {
            print_error("%s: got %s want %s\n", cases[i].in, s, cases[i].out);
            bad++;
        }
        free(s);
        img_ref_free(&r);
    }
    assert_int_equal(bad, 0);
}

static void test_ref_errors(void **state)
{
    (void)state;
    static const struct {
        const char *in, *why;
    } cases[] = {
            {"", "empty"},
            {"Busybox", "lowercase"},
            {"busybox:", "tag"},
            {"busybox:-x", "tag"},
            {"busybox@sha256:abc", "64"},
            {"busybox@md5:" D64, "sha256"},
            {"busybox@" DG "@" DG, "more than one"},
            {"a//b", "components"},
            {"-a/b", "components"},
            {"a_/b", "components"},
            {"host:99999999/x", "registry host"},
            {"host-.com/x", "registry host"},
            {"/x", "components"},
            {"x/", "components"},
            {"busybox:"
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
             "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
             "tag"},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct img_ref r;
        struct sk_error *e = NULL;
        sk_err rc = img_ref_parse(cases[i].in, &r, &e);
        if (rc != SK_EINVAL || !e || !strstr(e->msg, cases[i].why)) {
            print_error("%s: rc=%d msg=%s (want %s)\n", cases[i].in, rc, e ? e->msg : "-",
                        cases[i].why);
            bad++;
        }
        if (!rc) img_ref_free(&r);
        sk_error_free(e);
    }
    assert_int_equal(bad, 0);
}

static const char oci_manifest[] =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
        "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" DG
        "\",\"size\":7},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
        "\"digest\":\"" DG
        "\",\"size\":100},{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+zstd\","
        "\"digest\":\"" DG "\",\"size\":5}]}";

static void test_manifest(void **state)
{
    (void)state;
    struct img_manifest m;
    struct sk_error *e = NULL;
    assert_int_equal(img_manifest_parse(oci_manifest, strlen(oci_manifest), NULL, &m, &e), 0);
    assert_int_equal(m.kind, IMG_KIND_MANIFEST);
    assert_int_equal(m.n_layers, 2);
    assert_int_equal(m.layers[0].size, 100);
    assert_int_equal(img_layer_compression(m.layers[0].media_type), 'g');
    assert_int_equal(img_layer_compression(m.layers[1].media_type), 'z');
    assert_string_equal(m.config.digest, DG);
    img_manifest_free(&m);

    /* Docker schema 2 with no mediaType in the body: the Content-Type says. */
    const char docker[] =
            "{\"schemaVersion\":2,\"config\":{\"digest\":\"" DG "\",\"size\":1},"
            "\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\","
            "\"digest\":\"" DG "\",\"size\":2}]}";
    assert_int_equal(img_manifest_parse(docker, strlen(docker),
                                        IMG_MT_DOCKER_MANIFEST "; charset=utf-8", &m, &e),
                     0);
    assert_string_equal(m.media_type, IMG_MT_DOCKER_MANIFEST);
    img_manifest_free(&m);

    static const struct {
        const char *doc, *why;
    } bad[] = {
            {"{\"schemaVersion\":1,\"fsLayers\":[]}", "schema 1"},
            {"{\"schemaVersion\":3}", "schemaVersion"},
            {"[]", "object"},
            {"{\"schemaVersion\":2,\"mediaType\":\"text/plain\"}", "unsupported media type"},
            {"{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:00\",\"size\":1},\"layers\":[]}",
             "digest"},
            {"{\"schemaVersion\":2,\"config\":{\"digest\":\"" DG "\",\"size\":-1},\"layers\":[]}",
             "size"},
            {"{\"schemaVersion\":2,\"config\":{\"digest\":\"" DG
             "\",\"size\":1},\"layers\":[{\"mediaType\":"
             "\"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip\",\"digest\":\"" DG
             "\",\"size\":1}]}",
             "unsupported layer media type"},
            {"{\"schemaVersion\":2,\"manifests\":{}}", "array"},
            {"{\"schemaVersion\":2", "manifest"},
    };
    int n = 0;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        e = NULL;
        sk_err rc = img_manifest_parse(bad[i].doc, strlen(bad[i].doc), NULL, &m, &e);
        if (!rc || !e || !strstr(e->msg, bad[i].why)) {
            print_error("case %zu: rc=%d msg=%s want %s\n", i, rc, e ? e->msg : "-", bad[i].why);
            n++;
        }
        if (!rc) img_manifest_free(&m);
        sk_error_free(e);
    }
    assert_int_equal(n, 0);
}

static void test_index_select(void **state)
{
    (void)state;
    const char idx[] =
            "{\"schemaVersion\":2,\"mediaType\":\"application/"
            "vnd.oci.image.index.v1+json\",\"manifests\":["
            "{\"digest\":\"sha256:"
            "1111111111111111111111111111111111111111111111111111111111111111\",\"size\":1,"
            "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v6\"}},"
            "{\"digest\":\"sha256:"
            "2222222222222222222222222222222222222222222222222222222222222222\",\"size\":1,"
            "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v7\"}},"
            "{\"digest\":\"sha256:"
            "3333333333333333333333333333333333333333333333333333333333333333\",\"size\":1,"
            "\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
            "{\"digest\":\"sha256:"
            "4444444444444444444444444444444444444444444444444444444444444444\",\"size\":1,"
            "\"platform\":{\"os\":\"unknown\",\"architecture\":\"unknown\"}}]}";
    struct img_manifest m;
    struct sk_error *e = NULL;
    assert_int_equal(img_manifest_parse(idx, strlen(idx), NULL, &m, &e), 0);
    assert_int_equal(m.kind, IMG_KIND_INDEX);
    const struct img_desc *d = img_index_select(&m, "linux", "arm", "v7", &e);
    assert_non_null(d);
    assert_int_equal(d->digest[7], '2');
    d = img_index_select(&m, "linux", "amd64", NULL, &e);
    assert_non_null(d);
    assert_int_equal(d->digest[7], '3');
    d = img_index_select(&m, "linux", "riscv64", NULL, &e);
    assert_null(d);
    assert_non_null(e);
    assert_non_null(strstr(e->msg, "linux/arm/v7"));
    sk_error_free(e);
    img_manifest_free(&m);

    const char *os, *arch, *variant;
    img_platform_self(&os, &arch, &variant);
    assert_string_equal(os, "linux");
    assert_true(strlen(arch) > 0);
}

static void test_config(void **state)
{
    (void)state;
    const char cfg[] = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"sh\"]},"
                       "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" DG "\"]}}";
    struct img_config c;
    struct sk_error *e = NULL;
    assert_int_equal(img_config_parse(cfg, strlen(cfg), &c, &e), 0);
    assert_int_equal(c.n_diff_ids, 1);
    assert_string_equal(c.arch, "amd64");
    img_config_free(&c);
    const char bad[] = "{\"rootfs\":{\"diff_ids\":[\"sha256:xyz\"]}}";
    assert_int_equal(img_config_parse(bad, strlen(bad), &c, &e), SK_EINVAL);
    assert_non_null(strstr(e->msg, "diff_ids[0]"));
    sk_error_free(e);
}

static void test_regconf(void **state)
{
    (void)state;
    const char y[] = "mirrors:\n"
                     "  docker.io:\n"
                     "    endpoint: [\"http://10.0.0.2:5000\", \"https://mirror.local\"]\n"
                     "configs:\n"
                     "  mirror.local:\n"
                     "    auth: {username: u, password: p}\n"
                     "    tls: {ca_file: /etc/ca.pem, insecure_skip_verify: true}\n"
                     "  other.io:\n"
                     "    auth: {auth: \"dTI6cDI=\"}\n";
    struct img_regconf *c;
    struct sk_error *e = NULL;
    assert_int_equal(img_regconf_parse(y, strlen(y), "r.yaml", &c, &e), 0);
    const struct sk_val *m = img_regconf_mirrors(c, "docker.io");
    assert_int_equal(sk_arr_len(m), 2);
    assert_null(img_regconf_mirrors(c, "quay.io"));
    char *u, *p;
    assert_true(img_regconf_creds(c, NULL, "mirror.local", &u, &p));
    assert_string_equal(u, "u");
    assert_string_equal(p, "p");
    free(u), free(p);
    assert_true(img_regconf_creds(c, NULL, "other.io", &u, &p));
    assert_string_equal(u, "u2");
    assert_string_equal(p, "p2");
    free(u), free(p);
    assert_false(img_regconf_creds(c, NULL, "nobody.io", &u, &p));
    /* imagePullSecrets-style auths win, with docker's key spellings. */
    struct sk_val *auths = sk_val_map();
    sk_map_set(sk_map_set(auths, "https://index.docker.io/v1/", sk_val_map()), "auth",
               sk_val_str("aHViOnNlY3JldA=="));
    assert_true(img_regconf_creds(c, auths, "docker.io", &u, &p));
    assert_string_equal(u, "hub");
    assert_string_equal(p, "secret");
    free(u), free(p);
    sk_val_free(auths);
    img_regconf_free(c);

    static const struct {
        const char *y, *why;
    } bad[] = {
            {"mirror: {}\n", "unknown key \"mirror\""},
            {"mirrors: {docker.io: {endpoint: [\"ftp://x\"]}}\n", "http:// or https://"},
            {"mirrors: {docker.io: {endpoints: []}}\n", "unknown key \"endpoints\""},
            {"configs: {x: {tls: {insecure_skip_verify: maybe}}}\n", "true or false"},
            {"configs: {x: {auth: {user: a}}}\n", "unknown key \"user\""},
    };
    int n = 0;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        e = NULL;
        sk_err rc = img_regconf_parse(bad[i].y, strlen(bad[i].y), "r.yaml", &c, &e);
        if (!rc || !e || !strstr(e->msg, bad[i].why)) {
            print_error("case %zu: rc=%d msg=%s want %s\n", i, rc, e ? e->msg : "-", bad[i].why);
            n++;
        }
        if (!rc) img_regconf_free(c);
        sk_error_free(e);
    }
    assert_int_equal(n, 0);
    assert_int_equal(img_regconf_load(NULL, &c, NULL), 0);
    assert_null(img_regconf_mirrors(c, "docker.io"));
    img_regconf_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_ref_normalise), cmocka_unit_test(test_ref_errors),
            cmocka_unit_test(test_manifest),      cmocka_unit_test(test_index_select),
            cmocka_unit_test(test_config),        cmocka_unit_test(test_regconf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
