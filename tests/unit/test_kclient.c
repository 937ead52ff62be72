/* kclient: where the CLI finds its API connection (the kubectl order, then
 * the agent's own credentials), how kubeconfig contexts, relative paths
 * and inline data are read, the messages for missing files, contexts and
 * bad YAML, and the kubectl-like lines for error answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kclient.h"
#include "mem.h"

static char dir[256];

static void put(const char *rel, const char *text)
{
    char *p = sk_xasprintf("%s/%s", dir, rel);
    char *slash = strrchr(p, '/');
    *slash = 0;
    char *cmd = sk_xasprintf("mkdir -p '%s'", p);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    *slash = '/';
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(p);
}

static char *path(const char *rel)
{
    return sk_xasprintf("%s/%s", dir, rel);
}

/* A kubeconfig with two contexts; the current one talks to server a. */
static char *kc(const char *server_a, const char *extra_user)
{
    return sk_xasprintf("apiVersion: v1\n"
                        "kind: Config\n"
                        "clusters:\n"
                        "- name: a\n"
                        "  cluster:\n"
                        "    server: %s/\n"
                        "    certificate-authority: ca.pem\n"
                        "- name: b\n"
                        "  cluster:\n"
                        "    server: https://b.example:6443\n"
                        "    certificate-authority-data: aGVsbG8=\n"
                        "    insecure-skip-tls-verify: true\n"
                        "contexts:\n"
                        "- name: ctx-a\n"
                        "  context: {cluster: a, user: ua}\n"
                        "- name: ctx-b\n"
                        "  context: {cluster: b, user: ub}\n"
                        "current-context: ctx-a\n"
                        "users:\n"
                        "- name: ua\n"
                        "  user:\n"
                        "    token: tok-a\n"
                        "- name: ub\n"
                        "  user:\n"
                        "%s",
                        server_a, extra_user);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/skiff-kclient-XXXXXX");
    assert_non_null(mkdtemp(dir));
    /* the agent's configuration and credentials, the last resort */
    char *cfg = sk_xasprintf("data-dir: %s/data\napi:\n  listen: 0.0.0.0:7443\n", dir);
    put("skiff.yaml", cfg);
    free(cfg);
    put("data/tls/ca.crt", "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n");
    put("data/tls/admin.token", "agent-token\n");
    char *k;
    put("explicit/config", k = kc("https://explicit:1", "    tokenFile: tok\n"));
    free(k);
    put("explicit/tok", "from-file\n");
    put("env/config", k = kc("https://env:2", "    token: tok-b\n"));
    free(k);
    put("home/.kube/config", k = kc("https://home:3", "    token: tok-b\n"));
    free(k);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char *cmd = sk_xasprintf("rm -rf '%s'", dir);
    int rc = system(cmd);
    free(cmd);
    return rc;
}

static sk_err resolve(const char *kubeconfig, const char *envkc, const char *home,
                      const char *context, struct sk_kconn **out, char *msg, size_t msglen)
{
    char *cfg = path("skiff.yaml");
    struct sk_kclient_opts o = {.kubeconfig = kubeconfig,
                                .context = context,
                                .config_path = cfg,
                                .env_set = true,
                                .env_kubeconfig = envkc,
                                .env_home = home};
    struct sk_error *e = NULL;
    *out = NULL;
    sk_err rc = sk_kclient_resolve(&o, out, &e);
    snprintf(msg, msglen, "%s", rc ? sk_error_msg(e, rc) : "");
    sk_error_free(e);
    free(cfg);
    return rc;
}

static void test_precedence(void **state)
{
    (void)state;
    char *ex = path("explicit/config"), *env = path("env/config"), *home = path("home");
    char msg[2048];
    struct sk_kconn *c;

    assert_int_equal(resolve(ex, env, home, NULL, &c, msg, sizeof(msg)), SK_OK);
    assert_string_equal(c->server, "https://explicit:1"); /* trailing '/' dropped */
    assert_string_equal(c->token, "tok-a");
    char *want_ca = path("explicit/ca.pem"); /* relative to the kubeconfig */
    assert_string_equal(c->ca_file, want_ca);
    free(want_ca);
    sk_kconn_free(c);

    /* $KUBECONFIG: the first file of the list that exists */
    char *list = sk_xasprintf("%s/nope:%s:%s", dir, env, ex);
    assert_int_equal(resolve(NULL, list, home, NULL, &c, msg, sizeof(msg)), SK_OK);
    assert_string_equal(c->server, "https://env:2");
    assert_string_equal(c->source + strlen(c->source) - strlen(env), env);
    sk_kconn_free(c);
    free(list);

    /* then ~/.kube/config (also when $KUBECONFIG names nothing that exists) */
    char *gone = path("gone");
    assert_int_equal(resolve(NULL, gone, home, NULL, &c, msg, sizeof(msg)), SK_OK);
    assert_string_equal(c->server, "https://home:3");
    sk_kconn_free(c);
    free(gone);

    /* then the agent's data dir: api.listen's wildcard made local */
    char *nohome = path("empty");
    assert_int_equal(resolve(NULL, NULL, nohome, NULL, &c, msg, sizeof(msg)), SK_OK);
    assert_string_equal(c->server, "https://127.0.0.1:7443");
    assert_string_equal(c->token, "agent-token");
    assert_non_null(c->ca_data);
    assert_true(strstr(c->ca_data, "BEGIN CERTIFICATE") != NULL);
    assert_true(strstr(c->source, "agent data dir") != NULL);
    sk_kconn_free(c);

    /* --server and --token win over whatever was found */
    char *cfg = path("skiff.yaml");
    struct sk_kclient_opts o = {.kubeconfig = ex,
                                .server = "https://over:9/",
                                .token = "over-token",
                                .config_path = cfg,
                                .env_set = true};
    assert_int_equal(sk_kclient_resolve(&o, &c, NULL), SK_OK);
    assert_string_equal(c->server, "https://over:9");
    assert_string_equal(c->token, "over-token");
    sk_kconn_free(c);
    free(cfg);
    free(nohome);
    free(ex), free(env), free(home);
}

static void test_contexts(void **state)
{
    (void)state;
    char *ex = path("explicit/config"), *env = path("env/config");
    char msg[2048];
    struct sk_kconn *c;
    assert_int_equal(resolve(env, NULL, NULL, "ctx-b", &c, msg, sizeof(msg)), SK_OK);
    assert_string_equal(c->context, "ctx-b");
    assert_string_equal(c->server, "https://b.example:6443");
    assert_true(c->insecure);
    assert_int_equal(c->ca_len, 5);
    assert_memory_equal(c->ca_data, "hello", 5); /* certificate-authority-data decoded */
    assert_null(c->ca_file);
    assert_string_equal(c->token, "tok-b");
    sk_kconn_free(c);

    /* tokenFile, relative to the kubeconfig, first line only */
    assert_int_equal(resolve(ex, NULL, NULL, "ctx-b", &c, msg, sizeof(msg)), SK_OK);
    assert_string_equal(c->token, "from-file");
    sk_kconn_free(c);

    assert_int_equal(resolve(ex, NULL, NULL, "ctx-z", &c, msg, sizeof(msg)), SK_ENOENT);
    assert_null(c);
    char *want = sk_xasprintf("context \"ctx-z\" does not exist in %s", ex);
    assert_string_equal(msg, want);
    free(want);

    put("nocur/config", "clusters: []\ncontexts: []\nusers: []\n");
    char *nc = path("nocur/config");
    assert_int_equal(resolve(nc, NULL, NULL, NULL, &c, msg, sizeof(msg)), SK_EINVAL);
    assert_true(strstr(msg, "no current-context") != NULL);
    free(nc);

    put("nocl/config", "current-context: x\ncontexts:\n- name: x\n  context: {cluster: q}\n");
    nc = path("nocl/config");
    assert_int_equal(resolve(nc, NULL, NULL, NULL, &c, msg, sizeof(msg)), SK_ENOENT);
    assert_true(strstr(msg, "cluster \"q\" (of context \"x\") does not exist") != NULL);
    free(nc);
    free(ex), free(env);
}

static void test_missing_and_bad(void **state)
{
    (void)state;
    char msg[2048];
    struct sk_kconn *c;
    /* a named --kubeconfig must exist: no falling back */
    char *nf = path("no/such/config"), *home = path("home");
    assert_int_equal(resolve(nf, NULL, home, NULL, &c, msg, sizeof(msg)), SK_ESYS);
    char *want = sk_xasprintf("cannot read kubeconfig %s: No such file or directory", nf);
    assert_string_equal(msg, want);
    free(want);

    /* bad YAML: the file and the line */
    put("bad/config", "apiVersion: v1\nclusters:\n- name: a\n  cluster: {server: x\n"
                      "current-context: a\n");
    char *bad = path("bad/config");
    assert_int_equal(resolve(bad, NULL, NULL, NULL, &c, msg, sizeof(msg)), SK_EINVAL);
    assert_true(strncmp(msg, bad, strlen(bad)) == 0);
    assert_true(strstr(msg, ": line 5") != NULL || strstr(msg, ": line 4") != NULL);
    free(bad);

    /* wrong types name the field */
    put("types/config", "current-context: a\ncontexts:\n- name: a\n  context: {cluster: a}\n"
                        "clusters:\n- name: a\n  cluster: {server: [1]}\n");
    char *ty = path("types/config");
    assert_int_equal(resolve(ty, NULL, NULL, NULL, &c, msg, sizeof(msg)), SK_EINVAL);
    assert_true(strstr(msg, "cluster.server: want a string, not array") != NULL);
    free(ty);
    put("b64/config", "current-context: a\ncontexts:\n- name: a\n  context: {cluster: a}\n"
                      "clusters:\n- name: a\n  cluster: {server: 'https://x', "
                      "certificate-authority-data: '!!!'}\n");
    ty = path("b64/config");
    assert_int_equal(resolve(ty, NULL, NULL, NULL, &c, msg, sizeof(msg)), SK_EINVAL);
    assert_true(strstr(msg, "certificate-authority-data: not valid base64") != NULL);
    free(ty);

    /* nothing anywhere: every place looked at, and no data dir */
    char *cfg = sk_xasprintf("data-dir: %s/nodata\n", dir);
    put("empty.yaml", cfg);
    free(cfg);
    char *ecfg = path("empty.yaml"), *nohome = path("nohome");
    struct sk_kclient_opts o = {.config_path = ecfg, .env_set = true, .env_home = nohome};
    struct sk_error *e = NULL;
    assert_int_equal(sk_kclient_resolve(&o, &c, &e), SK_ENOENT);
    assert_true(strstr(sk_error_msg(e, 0), "no connection to a Kubernetes API found") != NULL);
    assert_true(strstr(sk_error_msg(e, 0), "/nohome/.kube/config") != NULL);
    assert_true(strstr(sk_error_msg(e, 0), "/nodata/tls/ca.crt") != NULL);
    sk_error_free(e);
    free(ecfg), free(nohome), free(nf), free(home);
}

static void test_parse_inline(void **state)
{
    (void)state;
    const char *y = "current-context: c\n"
                    "contexts: [{name: c, context: {cluster: k, user: u}}]\n"
                    "clusters: [{name: k, cluster: {server: 'https://h:1'}}]\n"
                    "users: [{name: u, user: {client-certificate-data: Y2VydA==, "
                    "client-key-data: a2V5, client-certificate: /x/c.pem}}]\n";
    struct sk_kconn *c = NULL;
    assert_int_equal(sk_kubeconfig_parse(y, strlen(y), NULL, NULL, &c, NULL), SK_OK);
    assert_int_equal(c->cert_len, 4);
    assert_memory_equal(c->cert_data, "cert", 4);
    assert_int_equal(c->key_len, 3);
    assert_memory_equal(c->key_data, "key", 3);
    assert_null(c->cert_file); /* inline data wins, as in kubectl */
    assert_null(c->token);
    sk_kconn_free(c);
    struct sk_error *e = NULL;
    assert_int_equal(sk_kubeconfig_parse("", 0, "k.yaml", NULL, &c, &e), SK_EINVAL);
    assert_string_equal(sk_error_msg(e, 0), "k.yaml: the file is empty");
    sk_error_free(e);
}

static void test_error_lines(void **state)
{
    (void)state;
    struct sk_kresp r = {.status = 401, .body = (char *)"{}", .body_len = 2};
    char *l = sk_kclient_error_line(&r);
    assert_string_equal(l, "error: You must be logged in to the server (Unauthorized)");
    free(l);
    const char *st = "{\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"NotFound\","
                     "\"message\":\"nodes \\\"x\\\" not found\",\"code\":404}";
    r = (struct sk_kresp){.status = 404, .body = (char *)st, .body_len = strlen(st)};
    l = sk_kclient_error_line(&r);
    assert_string_equal(l, "Error from server (NotFound): nodes \"x\" not found");
    free(l);
    const char *m = "{\"message\":\"image \\\"y\\\" not found\"}";
    r = (struct sk_kresp){.status = 404, .body = (char *)m, .body_len = strlen(m)};
    l = sk_kclient_error_line(&r);
    assert_string_equal(l, "error: image \"y\" not found");
    free(l);
    r = (struct sk_kresp){.status = 502, .body = (char *)"bad gateway\nmore", .body_len = 16};
    l = sk_kclient_error_line(&r);
    assert_string_equal(l, "error: the server responded with status 502: bad gateway");
    free(l);
    char *e = sk_kclient_escape("a b/c:d@sha256:x&y=z~._-");
    assert_string_equal(e, "a%20b%2Fc%3Ad%40sha256%3Ax%26y%3Dz~._-");
    free(e);
}

/* No server at all: the kubectl line for a refused connection. */
static void test_unreachable(void **state)
{
    (void)state;
    struct sk_kconn c = {.server = (char *)"https://127.0.0.1:1", .source = (char *)"t"};
    struct sk_kclient *k = NULL;
    struct sk_error *e = NULL;
    assert_int_equal(sk_kclient_new(&c, &k, &e), SK_OK);
    struct sk_kreq q = {.path = "/version", .timeout = 10};
    struct sk_kresp r;
    sk_err rc = sk_kclient_do(k, &q, &r, &e);
    assert_int_not_equal(rc, SK_OK);
    assert_true(strncmp(sk_error_msg(e, rc), "Unable to connect to the server: ", 33) == 0);
    sk_error_free(e);
    sk_kclient_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_precedence),      cmocka_unit_test(test_contexts),
            cmocka_unit_test(test_missing_and_bad), cmocka_unit_test(test_parse_inline),
            cmocka_unit_test(test_error_lines),     cmocka_unit_test(test_unreachable),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
