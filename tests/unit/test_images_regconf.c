/* Tests for registry settings beyond the file form (plugins/images/regconf.c
 * and the endpoint plan of registry.c): settings inline in skiff.yaml
 * (the images plugin's SKIFF_OPT_TREE option), a skiff.yaml read where a
 * registries file is expected, k3s-style mirror rewrites, the order
 * endpoints are tried in, and the errors for each. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"
#include "val.h"
#include "yaml.h"

#include "../../plugins/images/regconf.h"
#include "../../plugins/images/registry.h"

static struct img_regconf *parse_ok(const char *y)
{
    struct img_regconf *c = NULL;
    struct sk_error *e = NULL;
    sk_err rc = img_regconf_parse(y, strlen(y), "r.yaml", &c, &e);
    if (rc) fail_msg("unexpected: %s", sk_error_msg(e, rc));
    return c;
}

static void parse_err(const char *y, const char *want)
{
    struct img_regconf *c = NULL;
    struct sk_error *e = NULL;
    sk_err rc = img_regconf_parse(y, strlen(y), "r.yaml", &c, &e);
    if (!rc || !e || !strstr(e->msg, want))
        fail_msg("for:\n%s\nrc=%d got: %s\nwant: %s", y, rc, e ? e->msg : "-", want);
    assert_null(c);
    sk_error_free(e);
}

/* The plan as "url repo m|r" lines, for one comparison. */
static char *plan_text(const struct img_regconf *c, const char *domain, const char *repo)
{
    struct sk_val *p = img_pull_plan(c, domain, repo);
    struct sk_buf b = {0};
    for (size_t i = 0; i < sk_arr_len(p); i++) {
        const struct sk_val *e = sk_arr_get(p, i);
        sk_buf_printf(&b, "%s %s %s\n", sk_val_str_at(e, "url", NULL),
                      sk_val_str_at(e, "repo", NULL),
                      sk_val_to_bool(sk_map_get(e, "mirror"), false) ? "m" : "r");
    }
    sk_val_free(p);
    return b.p ? sk_buf_take(&b, NULL) : sk_xstrdup("");
}

static void expect_plan(const struct img_regconf *c, const char *domain, const char *repo,
                        const char *want)
{
    char *got = plan_text(c, domain, repo);
    if (strcmp(got, want)) fail_msg("%s/%s:\n got:\n%s\nwant:\n%s", domain, repo, got, want);
    free(got);
}

static void test_rewrite(void **state)
{
    (void)state;
    struct img_regconf *c = parse_ok("mirrors:\n"
                                     "  docker.io:\n"
                                     "    endpoint: [\"http://m1:5000\"]\n"
                                     "    rewrite:\n"
                                     "      \"^library/(.*)\": \"mirror/$1\"\n"
                                     "      \"^([a-z]+)/(.*)$\": \"${2}-of-$1$$\"\n"
                                     "  \"*\":\n"
                                     "    endpoint: [\"http://any:5000\"]\n"
                                     "    rewrite: {\"a\": \"b\"}\n");
    char *r = img_regconf_rewrite(c, "docker.io", "library/busybox");
    assert_string_equal(r, "mirror/busybox"); /* the first matching rule wins */
    free(r);
    r = img_regconf_rewrite(c, "docker.io", "rancher/k3s");
    assert_string_equal(r, "k3s-of-rancher$");
    free(r);
    assert_null(img_regconf_rewrite(c, "docker.io", "UPPER/x"));
    /* "*" serves the registries without an entry, rewrites included, and
     * every match is replaced (Go's ReplaceAllString) */
    r = img_regconf_rewrite(c, "quay.io", "banana/a");
    assert_string_equal(r, "bbnbnb/b");
    free(r);
    img_regconf_free(c);
    assert_null(img_regconf_rewrite(NULL, "docker.io", "library/busybox"));
}

static void test_plan_order(void **state)
{
    (void)state;
    /* No settings: the registry itself; docker.io is served from
     * registry-1.docker.io. */
    expect_plan(NULL, "docker.io", "library/busybox",
                "https://registry-1.docker.io library/busybox r\n");
    struct img_regconf *c = parse_ok("mirrors:\n"
                                     "  docker.io:\n"
                                     "    endpoint:\n"
                                     "      - http://m1:5000\n"
                                     "      - https://m2/v2\n"
                                     "    rewrite: {\"^library/(.*)\": \"hub/$1\"}\n"
                                     "  reg.local:5000:\n"
                                     "    endpoint: [\"https://reg.local:5000\", \"http://m3\"]\n"
                                     "    rewrite: {\"(.*)\": \"x/$1\"}\n");
    /* Mirrors in order (rewritten), then the registry (not rewritten). */
    expect_plan(c, "docker.io", "library/busybox",
                "http://m1:5000 hub/busybox m\n"
                "https://m2/v2 hub/busybox m\n"
                "https://registry-1.docker.io library/busybox r\n");
    /* The registry listed among its mirrors keeps its place and is not
     * added again; it is never rewritten. */
    expect_plan(c, "reg.local:5000", "app",
                "https://reg.local:5000 app r\n"
                "http://m3 x/app m\n");
    /* A registry without an entry (and no "*"): itself only. */
    expect_plan(c, "quay.io", "a/b", "https://quay.io a/b r\n");
    img_regconf_free(c);
}

static void test_inline(void **state)
{
    (void)state;
    /* the option's msgpack: a mapping is the settings */
    struct sk_val *doc = NULL;
    const char y[] = "mirrors:\n"
                     "  docker.io:\n"
                     "    endpoint: [\"http://127.0.0.1:5000\"]\n"
                     "    rewrite: {\"^library/(.*)\": \"m/$1\"}\n"
                     "configs:\n"
                     "  127.0.0.1:5000: {auth: {username: u, password: p}}\n";
    assert_int_equal(sk_yaml_parse_one(y, strlen(y), "x", &doc, NULL), SK_OK);
    struct sk_buf b = {0};
    sk_val_to_msgpack(doc, &b);
    struct img_regconf *c = NULL;
    struct sk_error *e = NULL;
    assert_int_equal(img_regconf_from_option(b.p, b.len, "s.yaml: line 4, column 7", &c, &e),
                     SK_OK);
    assert_int_equal(sk_arr_len(img_regconf_mirrors(c, "docker.io")), 1);
    char *r = img_regconf_rewrite(c, "docker.io", "library/busybox");
    assert_string_equal(r, "m/busybox");
    free(r);
    char *u, *p;
    assert_true(img_regconf_creds(c, NULL, "127.0.0.1:5000", &u, &p));
    assert_string_equal(u, "u");
    free(u), free(p);
    img_regconf_free(c);
    sk_buf_free(&b);
    sk_val_free(doc);

    /* inline errors start with where the mapping was written, then the key */
    struct sk_val *bad = sk_val_map();
    sk_map_set(sk_map_set(sk_map_set(bad, "mirrors", sk_val_map()), "docker.io", sk_val_map()),
               "rewrite", sk_val_map());
    struct sk_val *m = sk_val_at(bad, "mirrors", "docker.io", NULL);
    sk_arr_push(sk_map_set(m, "endpoint", sk_val_arr()), sk_val_str("http://x"));
    sk_map_set(sk_map_get(m, "rewrite"), "(unclosed", sk_val_str("y"));
    sk_val_to_msgpack(bad, &b);
    assert_int_not_equal(img_regconf_from_option(b.p, b.len, "s.yaml: line 9, column 5", &c, &e),
                         SK_OK);
    assert_null(c);
    if (!strstr(e->msg, "s.yaml: line 9, column 5: ") ||
        !strstr(e->msg, "plugins.images.registries.mirrors.docker.io.rewrite: bad pattern "
                        "\"(unclosed\""))
        fail_msg("got: %s", e->msg);
    sk_error_free(e);
    e = NULL;
    sk_buf_free(&b);
    sk_val_free(bad);

    /* a number is neither a path nor a mapping */
    struct sk_val *num = sk_val_int(3);
    sk_val_to_msgpack(num, &b);
    assert_int_equal(img_regconf_from_option(b.p, b.len, "s.yaml: line 2, column 3", &c, &e),
                     SK_EINVAL);
    assert_non_null(strstr(e->msg, "s.yaml: line 2, column 3: plugins.images.registries: want "
                                   "a file path or a mapping"));
    sk_error_free(e);
    e = NULL;
    sk_buf_free(&b);
    sk_val_free(num);

    /* "" (the default) and nil: empty settings */
    struct sk_val *empty = sk_val_str("");
    sk_val_to_msgpack(empty, &b);
    assert_int_equal(img_regconf_from_option(b.p, b.len, "default", &c, NULL), SK_OK);
    assert_null(img_regconf_mirrors(c, "docker.io"));
    img_regconf_free(c);
    sk_buf_free(&b);
    sk_val_free(empty);

    /* a string is a file: a missing one names its path */
    struct sk_val *path = sk_val_str("/nonexistent/registries.yaml");
    sk_val_to_msgpack(path, &b);
    assert_int_not_equal(img_regconf_from_option(b.p, b.len, "default", &c, &e), SK_OK);
    assert_non_null(strstr(e->msg, "/nonexistent/registries.yaml"));
    sk_error_free(e);
    sk_buf_free(&b);
    sk_val_free(path);
}

static void test_skiff_yaml_and_option_file(void **state)
{
    (void)state;
    /* A skiff.yaml where a registries file is expected: its
     * plugins.images.registries mapping is read. */
    struct img_regconf *c = parse_ok("data-dir: /var/lib/skiff\n"
                                     "plugins:\n"
                                     "  images:\n"
                                     "    registries:\n"
                                     "      mirrors:\n"
                                     "        docker.io: {endpoint: [\"http://10.0.0.2:5000\"]}\n");
    assert_int_equal(sk_arr_len(img_regconf_mirrors(c, "docker.io")), 1);
    img_regconf_free(c);
    c = parse_ok("plugins: {ping: {enabled: false}}\n");
    assert_null(img_regconf_mirrors(c, "docker.io"));
    img_regconf_free(c);
    parse_err("plugins:\n  images:\n    registries:\n      mirors: {}\n",
              "r.yaml: plugins.images.registries: unknown key \"mirors\"");
    parse_err("plugins:\n  images:\n    registries: [a]\n",
              "r.yaml: plugins.images.registries: want a file path or a mapping");

    /* The agent's view: inline settings become a 0600 file its children
     * read; a path stays that path; nothing configured gives NULL. */
    char dir[] = "/tmp/skiff-regconf-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct sk_val *doc = sk_val_map();
    struct sk_val *ep = sk_map_set(
            sk_map_set(sk_map_set(doc, "mirrors", sk_val_map()), "docker.io", sk_val_map()),
            "endpoint", sk_val_arr());
    sk_arr_push(ep, sk_val_str("http://127.0.0.1:5000"));
    struct sk_buf b = {0};
    sk_val_to_msgpack(doc, &b);
    char *path = NULL;
    assert_int_equal(
            img_regconf_option_file(b.p, b.len, "s.yaml: line 1, column 1", dir, &path, NULL),
            SK_OK);
    assert_non_null(path);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(img_regconf_load(path, &c, NULL), SK_OK);
    assert_string_equal(sk_val_cstr(sk_arr_get(img_regconf_mirrors(c, "docker.io"), 0)),
                        "http://127.0.0.1:5000");
    img_regconf_free(c);
    unlink(path);
    free(path);
    sk_buf_free(&b);
    sk_val_free(doc);
    struct sk_val *s = sk_val_str("");
    sk_val_to_msgpack(s, &b);
    assert_int_equal(img_regconf_option_file(b.p, b.len, "default", dir, &path, NULL), SK_OK);
    assert_null(path);
    sk_buf_free(&b);
    sk_val_free(s);
    char *img = sk_xasprintf("%s/images", dir);
    rmdir(img);
    free(img);
    rmdir(dir);
}

static void test_rewrite_errors(void **state)
{
    (void)state;
    static const struct {
        const char *y, *why;
    } bad[] = {
            {"mirrors: {d: {endpoint: [\"http://x\"], rewrite: {\"[a\": \"b\"}}}\n",
             "r.yaml: mirrors.d.rewrite: bad pattern \"[a\": "},
            {"mirrors: {d: {endpoint: [\"http://x\"], rewrite: [a]}}\n",
             "mirrors.d.rewrite: want a mapping of pattern to replacement"},
            {"mirrors: {d: {endpoint: [\"http://x\"], rewrite: {\"a\": [b]}}}\n",
             "mirrors.d.rewrite[\"a\"]: want a string replacement"},
            {"mirrors: {d: {endpoint: [\"http://x\"], rewrite: {\"(a)\": \"$2\"}}}\n",
             "uses $2 but the pattern has 1 group"},
            {"mirrors: {d: {endpoint: [\"http://x\"], rewrite: {\"a\": \"${1\"}}}\n",
             "bad replacement \"${1\""},
            {"mirrors: {d: {endpoint: [\"http://x\"], rewrite: {\"a\": \"$x\"}}}\n",
             "bad replacement \"$x\""},
            {"mirrors: {d: {endpoint: [\"http://x\"], rewrite: {\"\": \"b\"}}}\n",
             "an empty pattern matches everything"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        parse_err(bad[i].y, bad[i].why);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_rewrite),
            cmocka_unit_test(test_plan_order),
            cmocka_unit_test(test_inline),
            cmocka_unit_test(test_skiff_yaml_and_option_file),
            cmocka_unit_test(test_rewrite_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
