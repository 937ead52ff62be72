/* The cluster PKI: the first start makes every file 0600 with the right
 * SANs, later starts load the same CA, a changed address or a certificate
 * about to expire renews only the serving certificate, broken CA files are
 * errors naming the file, and the token helpers behave. The certificates
 * (made with mbedtls) are checked with OpenSSL, and an OpenSSL client
 * shakes hands with the mbedtls server configuration: two independent
 * implementations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loop.h"
#include "tls.h"
#include "work.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/skiff-tls-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static char *slurp(const char *name, size_t *len)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/tls/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = calloc(1, 70000);
    *len = fread(buf, 1, 70000, f);
    fclose(f);
    return buf;
}

static void spit(const char *name, const void *data, size_t len)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/tls/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    fclose(f);
}

static bool same_file(const char *name, const char *before, size_t blen)
{
    size_t len;
    char *now = slurp(name, &len);
    bool same = now && len == blen && !memcmp(now, before, len);
    free(now);
    return same;
}

static X509 *read_cert(const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/tls/%s", dir, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    assert_non_null(x);
    return x;
}

static EVP_PKEY *read_key(const char *name)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/tls/%s", dir, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    assert_non_null(k);
    return k;
}

static struct sk_tls *ensure_ok(const char *node, const char *const *addrs)
{
    struct sk_tls *t = NULL;
    struct sk_error *err = NULL;
    sk_err rc = sk_tls_ensure(dir, node, addrs, &t, &err);
    if (rc) fail_msg("sk_tls_ensure: %s", sk_error_msg(err, rc));
    assert_non_null(t);
    return t;
}

/* The SANs of a certificate as "DNS:x" / "IP:x" strings joined by ','. */
static void sans_of(X509 *x, char *out, size_t n)
{
    GENERAL_NAMES *g = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    assert_non_null(g);
    out[0] = 0;
    for (int i = 0; i < sk_GENERAL_NAME_num(g); i++) {
        GENERAL_NAME *e = sk_GENERAL_NAME_value(g, i);
        char one[128];
        if (e->type == GEN_DNS) {
            snprintf(one, sizeof(one), "DNS:%s", (const char *)ASN1_STRING_get0_data(e->d.dNSName));
        } else if (e->type == GEN_IPADD) {
            char a[64];
            int len = ASN1_STRING_length(e->d.iPAddress);
            inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(e->d.iPAddress), a,
                      sizeof(a));
            snprintf(one, sizeof(one), "IP:%s", a);
        } else {
            snprintf(one, sizeof(one), "other");
        }
        snprintf(out + strlen(out), n - strlen(out), "%s%s", i ? "," : "", one);
    }
    GENERAL_NAMES_free(g);
}

static long days_valid(X509 *x)
{
    int days, secs;
    assert_int_equal(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x), X509_get0_notAfter(x)),
                     1);
    return days;
}

static void test_first_start_creates_everything(void **state)
{
    (void)state;
    const char *addrs[] = {"10.1.2.3", "fd00::5", "0.0.0.0", "edge.example", NULL};
    struct sk_tls *t = ensure_ok("node-a", addrs);
    assert_true(t->ca_created);
    assert_true(t->server_issued);
    assert_int_equal(strlen(t->token), 64);
    assert_int_equal(strspn(t->token, "0123456789abcdef"), 64);

    struct stat st;
    char path[256];
    snprintf(path, sizeof(path), "%s/tls", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    const char *files[] = {"ca.crt", "ca.key", "server.crt", "server.key", "admin.token"};
    for (size_t i = 0; i < 5; i++) {
        snprintf(path, sizeof(path), "%s/tls/%s", dir, files[i]);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
    }
    /* no temporary files left */
    snprintf(path, sizeof(path), "%s/tls", dir);
    DIR *d = opendir(path);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    assert_int_equal(n, 5);

    X509 *ca = read_cert("ca.crt"), *srv = read_cert("server.crt");
    EVP_PKEY *cakey = read_key("ca.key"), *srvkey = read_key("server.key");
    char cn[64];
    X509_NAME_get_text_by_NID(X509_get_subject_name(ca), NID_commonName, cn, sizeof(cn));
    assert_string_equal(cn, "skiff-ca");
    assert_int_equal(X509_check_ca(ca), 1);
    assert_true(days_valid(ca) >= 3649);
    assert_true(days_valid(srv) >= 364 && days_valid(srv) <= 366);
    assert_int_equal(EVP_PKEY_get_id(cakey), EVP_PKEY_EC);
    assert_int_equal(EVP_PKEY_get_bits(srvkey), 256);
    char group[32];
    assert_int_equal(EVP_PKEY_get_group_name(srvkey, group, sizeof(group), NULL), 1);
    assert_string_equal(group, "prime256v1");
    assert_int_equal(X509_check_private_key(srv, srvkey), 1);

    char sans[1024];
    sans_of(srv, sans, sizeof(sans));
    assert_string_equal(sans, "DNS:localhost,DNS:node-a,IP:127.0.0.1,IP:::1,IP:10.1.2.3,"
                              "IP:fd00::5,DNS:edge.example");
    assert_true(X509_get_extended_key_usage(srv) & XKU_SSL_SERVER);
    assert_int_equal(X509_check_ca(srv), 0);

    /* the serving certificate verifies against the CA for serverAuth */
    X509_STORE *store = X509_STORE_new();
    X509_STORE_add_cert(store, ca);
    X509_STORE_CTX *vc = X509_STORE_CTX_new();
    X509_STORE_CTX_init(vc, store, srv, NULL);
    X509_STORE_CTX_set_purpose(vc, X509_PURPOSE_SSL_SERVER);
    X509_VERIFY_PARAM_set1_host(X509_STORE_CTX_get0_param(vc), "node-a", 0);
    assert_int_equal(X509_verify_cert(vc), 1);
    X509_STORE_CTX_free(vc);
    X509_STORE_free(store);

    X509_free(ca);
    X509_free(srv);
    EVP_PKEY_free(cakey);
    EVP_PKEY_free(srvkey);
    sk_tls_free(t);
}

static void test_second_start_loads_the_same(void **state)
{
    (void)state;
    const char *addrs[] = {"192.168.7.9", NULL};
    struct sk_tls *t = ensure_ok("node-b", addrs);
    char *token = strdup(t->token);
    sk_tls_free(t);
    size_t cal, sl, kl;
    char *ca = slurp("ca.crt", &cal), *srv = slurp("server.crt", &sl), *key = slurp("ca.key", &kl);

    t = ensure_ok("node-b", addrs);
    assert_false(t->ca_created);
    assert_false(t->server_issued);
    assert_string_equal(t->token, token);
    assert_true(same_file("ca.crt", ca, cal));
    assert_true(same_file("ca.key", key, kl));
    assert_true(same_file("server.crt", srv, sl));
    assert_false(sk_tls_needs_renewal(t, time(NULL)));
    assert_true(sk_tls_needs_renewal(t, time(NULL) + 340 * 86400));
    sk_tls_free(t);
    free(ca);
    free(srv);
    free(key);
    free(token);
}

static void test_san_change_renews_only_the_server(void **state)
{
    (void)state;
    const char *a1[] = {"192.168.7.9", NULL};
    const char *a2[] = {"192.168.7.9", "10.0.0.42", NULL};
    struct sk_tls *t = ensure_ok("node-c", a1);
    sk_tls_free(t);
    size_t cal, kl, sl;
    char *ca = slurp("ca.crt", &cal), *key = slurp("ca.key", &kl), *srv = slurp("server.crt", &sl);

    t = ensure_ok("node-c", a2);
    assert_false(t->ca_created);
    assert_true(t->server_issued);
    assert_true(same_file("ca.crt", ca, cal));
    assert_true(same_file("ca.key", key, kl));
    assert_false(same_file("server.crt", srv, sl));
    X509 *x = read_cert("server.crt");
    assert_int_equal(X509_check_ip_asc(x, "10.0.0.42", 0), 1);
    X509_free(x);
    sk_tls_free(t);

    /* a subset of what the certificate covers needs nothing new */
    t = ensure_ok("node-c", a1);
    assert_false(t->server_issued);
    sk_tls_free(t);
    /* a new node name does */
    t = ensure_ok("node-d", a1);
    assert_true(t->server_issued);
    assert_true(same_file("ca.crt", ca, cal));
    sk_tls_free(t);
    free(ca);
    free(key);
    free(srv);
}

static void test_expiring_server_cert_is_renewed(void **state)
{
    (void)state;
    struct sk_tls *t = ensure_ok("node-e", NULL);
    sk_tls_free(t);
    /* re-sign the serving certificate with a notAfter 10 days away */
    X509 *x = read_cert("server.crt");
    EVP_PKEY *cakey = read_key("ca.key");
    X509_time_adj_ex(X509_getm_notAfter(x), 10, 0, NULL);
    assert_true(X509_sign(x, cakey, EVP_sha256()) > 0);
    char path[256];
    snprintf(path, sizeof(path), "%s/tls/server.crt", dir);
    FILE *f = fopen(path, "w");
    PEM_write_X509(f, x);
    fclose(f);
    X509_free(x);
    EVP_PKEY_free(cakey);

    t = ensure_ok("node-e", NULL);
    assert_true(t->server_issued);
    assert_false(t->ca_created);
    assert_true(t->server_not_after > time(NULL) + 300 * 86400);
    sk_tls_free(t);
}

static void expect_error(const char *name_in_msg, sk_err want)
{
    struct sk_tls *t = NULL;
    struct sk_error *err = NULL;
    sk_err rc = sk_tls_ensure(dir, "node-f", NULL, &t, &err);
    assert_int_equal(rc, want);
    assert_null(t);
    assert_non_null(err);
    if (!strstr(err->msg, name_in_msg))
        fail_msg("message does not name %s: %s", name_in_msg, err->msg);
    sk_error_free(err);
}

static void test_corrupt_ca_is_an_error(void **state)
{
    (void)state;
    struct sk_tls *t = ensure_ok("node-f", NULL);
    sk_tls_free(t);
    size_t kl, cl;
    char *key = slurp("ca.key", &kl), *crt = slurp("ca.crt", &cl);

    spit("ca.crt", "-----BEGIN CERTIFICATE-----\nnot base64 at all\n", 46);
    expect_error("ca.crt", SK_ECORRUPT);
    assert_true(same_file("ca.key", key, kl)); /* never regenerated */

    spit("ca.crt", crt, cl);
    spit("ca.key", "garbage", 7);
    expect_error("ca.key", SK_ECORRUPT);

    /* a CA key that does not belong to the certificate */
    EVP_PKEY *other = EVP_EC_gen("P-256");
    char path[256];
    snprintf(path, sizeof(path), "%s/tls/ca.key", dir);
    FILE *f = fopen(path, "w");
    PEM_write_PrivateKey(f, other, NULL, NULL, 0, NULL, NULL);
    fclose(f);
    EVP_PKEY_free(other);
    expect_error("does not match", SK_ECORRUPT);

    /* the certificate without its key */
    unlink(path);
    expect_error("ca.key", SK_ECORRUPT);
    spit("ca.key", key, kl);

    /* a corrupt token is an error too; the CA is still fine */
    spit("admin.token", "sh\n", 3);
    expect_error("admin.token", SK_ECORRUPT);
    spit("admin.token", "my-own-token-0123456789\n", 24);
    t = ensure_ok("node-f", NULL);
    assert_string_equal(t->token, "my-own-token-0123456789");
    assert_false(t->ca_created);
    sk_tls_free(t);
    free(key);
    free(crt);
}

static void test_repairs_what_a_crash_can_leave(void **state)
{
    (void)state;
    struct sk_tls *t = ensure_ok("node-g", NULL);
    sk_tls_free(t);
    size_t sl;
    char *srv = slurp("server.crt", &sl);
    char path[256];

    /* ca.crt lost after ca.key was written: made again from the key, and
     * the serving certificate still verifies */
    snprintf(path, sizeof(path), "%s/tls/ca.crt", dir);
    unlink(path);
    spit(".ca.crt.tmp-abc123", "half", 4);
    t = ensure_ok("node-g", NULL);
    assert_false(t->ca_created);
    assert_false(t->server_issued);
    assert_true(same_file("server.crt", srv, sl));
    sk_tls_free(t);
    snprintf(path, sizeof(path), "%s/tls/.ca.crt.tmp-abc123", dir);
    assert_int_equal(access(path, F_OK), -1);

    /* a broken serving key is issued again, not an error */
    spit("server.key", "junk", 4);
    t = ensure_ok("node-g", NULL);
    assert_true(t->server_issued);
    sk_tls_free(t);
    /* the serving pair gone */
    snprintf(path, sizeof(path), "%s/tls/server.crt", dir);
    unlink(path);
    t = ensure_ok("node-g", NULL);
    assert_true(t->server_issued);
    sk_tls_free(t);
    free(srv);
}

static void test_bad_names_and_context(void **state)
{
    (void)state;
    struct sk_tls *t = NULL;
    struct sk_error *err = NULL;
    assert_int_equal(sk_tls_ensure(dir, "bad name!", NULL, &t, &err), SK_EINVAL);
    assert_non_null(strstr(err->msg, "bad name!"));
    sk_error_free(err);
    err = NULL;
    const char *addrs[] = {"fe80::1%eth0", NULL};
    assert_int_equal(sk_tls_ensure(dir, "n", addrs, &t, &err), SK_EINVAL);
    sk_error_free(err);
    err = NULL;

    t = ensure_ok("n", NULL);
    struct sk_tls_server *srv = sk_tls_server_new(t, &err);
    assert_non_null(srv);
    assert_ptr_equal(sk_tls_server_ref(srv), srv);
    assert_non_null(sk_tls_server_conf(srv));
    sk_tls_server_unref(srv);
    assert_non_null(sk_tls_server_conf(srv)); /* one reference left */
    sk_tls_server_unref(srv);
    sk_tls_server_unref(NULL);
    size_t kl;
    char *key = slurp("server.key", &kl);
    /* a broken key file is named */
    spit("server.key", "x", 1);
    assert_null(sk_tls_server_new(t, &err));
    assert_non_null(strstr(err->msg, "server.key"));
    sk_error_free(err);
    err = NULL;
    /* so is one that belongs to another certificate */
    spit("server.key", key, kl);
    assert_non_null(srv = sk_tls_server_new(t, &err));
    sk_tls_server_unref(srv);
    EVP_PKEY *other = EVP_EC_gen("P-256");
    char path[256];
    snprintf(path, sizeof(path), "%s/tls/server.key", dir);
    FILE *f = fopen(path, "w");
    PEM_write_PrivateKey(f, other, NULL, NULL, 0, NULL, NULL);
    fclose(f);
    EVP_PKEY_free(other);
    assert_null(sk_tls_server_new(t, &err));
    assert_non_null(strstr(err->msg, "server.key"));
    assert_non_null(strstr(err->msg, "does not match"));
    sk_error_free(err);
    err = NULL;
    /* and a certificate file that does not load */
    static const char bad_crt[] = "-----BEGIN CERTIFICATE-----\nxx\n-----END CERTIFICATE-----\n";
    spit("server.crt", bad_crt, strlen(bad_crt));
    assert_null(sk_tls_server_new(t, &err));
    assert_non_null(strstr(err->msg, "server.crt"));
    sk_error_free(err);
    free(key);
    sk_tls_free(t);
}

/* Files an OpenSSL-based skiff wrote (PKCS#8 keys) are kept and served. */
static void test_pkcs8_keys_from_openssl_are_kept(void **state)
{
    (void)state;
    struct sk_tls *t = ensure_ok("node-p", NULL);
    sk_tls_free(t);
    const char *keys[] = {"ca.key", "server.key"};
    for (size_t i = 0; i < 2; i++) {
        EVP_PKEY *k = read_key(keys[i]);
        char path[256];
        snprintf(path, sizeof(path), "%s/tls/%s", dir, keys[i]);
        FILE *f = fopen(path, "w");
        assert_int_equal(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL), 1);
        fclose(f);
        EVP_PKEY_free(k);
        size_t len;
        char *pem = slurp(keys[i], &len);
        assert_non_null(strstr(pem, "-----BEGIN PRIVATE KEY-----"));
        free(pem);
    }
    t = ensure_ok("node-p", NULL);
    assert_false(t->ca_created);
    assert_false(t->server_issued);
    struct sk_error *err = NULL;
    struct sk_tls_server *srv = sk_tls_server_new(t, &err);
    if (!srv) fail_msg("sk_tls_server_new: %s", err->msg);
    sk_tls_server_unref(srv);
    sk_tls_free(t);
}

/* A serving pair from another CA (same names) is issued again. */
static void test_server_cert_from_another_ca_is_renewed(void **state)
{
    (void)state;
    char other[128];
    snprintf(other, sizeof(other), "%s/other", dir);
    assert_int_equal(mkdir(other, 0700), 0);
    struct sk_tls *o = NULL;
    struct sk_error *err = NULL;
    assert_int_equal(sk_tls_ensure(other, "node-o", NULL, &o, &err), SK_OK);
    struct sk_tls *t = ensure_ok("node-o", NULL);
    sk_tls_free(t);
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "cp %s %s %s/tls/", o->server_cert, o->server_key, dir);
    assert_int_equal(system(cmd), 0);
    sk_tls_free(o);
    t = ensure_ok("node-o", NULL);
    assert_true(t->server_issued);
    assert_false(t->ca_created);
    X509 *ca = read_cert("ca.crt"), *srv = read_cert("server.crt");
    assert_int_equal(X509_verify(srv, X509_get0_pubkey(ca)), 1);
    X509_free(ca);
    X509_free(srv);
    sk_tls_free(t);
}

/* ---- an OpenSSL client against the mbedtls server ---- */

struct server_side {
    struct sk_tls_server *srv;
    int fd;
    int rc;         /* of the handshake */
    char alpn[16];  /* what the server selected, "" for none */
    char suite[64]; /* the ciphersuite's name */
    int minor;      /* of the protocol version: 3 is TLS 1.2 */
};

/* One connection: handshake, answer "ping\n" with "pong\n", close. */
static void *serve_one(void *arg)
{
    struct server_side *s = arg;
    mbedtls_ssl_context ssl;
    mbedtls_ssl_init(&ssl);
    mbedtls_net_context net = {.fd = s->fd};
    s->rc = mbedtls_ssl_setup(&ssl, sk_tls_server_conf(s->srv));
    mbedtls_ssl_set_bio(&ssl, &net, mbedtls_net_send, mbedtls_net_recv, NULL);
    if (!s->rc) {
        while ((s->rc = mbedtls_ssl_handshake(&ssl)) == MBEDTLS_ERR_SSL_WANT_READ ||
               s->rc == MBEDTLS_ERR_SSL_WANT_WRITE)
            ;
    }
    if (!s->rc) {
        const char *a = mbedtls_ssl_get_alpn_protocol(&ssl);
        snprintf(s->alpn, sizeof(s->alpn), "%s", a ? a : "");
        snprintf(s->suite, sizeof(s->suite), "%s", mbedtls_ssl_get_ciphersuite(&ssl));
        s->minor = ssl.minor_ver;
        unsigned char buf[5];
        size_t got = 0;
        while (got < 5) {
            int n = mbedtls_ssl_read(&ssl, buf + got, 5 - got);
            if (n <= 0) break;
            got += (size_t)n;
        }
        if (got == 5 && !memcmp(buf, "ping\n", 5))
            mbedtls_ssl_write(&ssl, (const unsigned char *)"pong\n", 5);
        mbedtls_ssl_close_notify(&ssl);
    }
    mbedtls_ssl_free(&ssl);
    close(s->fd);
    return NULL;
}

struct client_result {
    bool ok;         /* handshake done and "pong" read */
    bool reused;     /* a resumed session */
    char cipher[64]; /* OpenSSL's name of the suite */
    char alpn[16];
    char group[32]; /* of the ECDHE key: "X25519", "prime256v1", ... */
    SSL_SESSION *sess;
};

static struct client_result connect_once(SSL_CTX *cctx, struct sk_tls_server *srv,
                                         SSL_SESSION *resume, struct server_side *ss)
{
    struct client_result r = {0};
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    *ss = (struct server_side){.srv = srv, .fd = sv[1]};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, serve_one, ss), 0);
    SSL *ssl = SSL_new(cctx);
    SSL_set_fd(ssl, sv[0]);
    /* the certificate must cover the address the client dialled */
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), "127.0.0.1");
    if (resume) SSL_set_session(ssl, resume);
    if (SSL_connect(ssl) == 1) {
        char buf[8] = {0};
        if (SSL_write(ssl, "ping\n", 5) == 5 && SSL_read(ssl, buf, 5) == 5 &&
            !strcmp(buf, "pong\n"))
            r.ok = SSL_get_verify_result(ssl) == X509_V_OK;
        r.reused = SSL_session_reused(ssl);
        snprintf(r.cipher, sizeof(r.cipher), "%s", SSL_get_cipher_name(ssl));
        const unsigned char *a;
        unsigned alen;
        SSL_get0_alpn_selected(ssl, &a, &alen);
        snprintf(r.alpn, sizeof(r.alpn), "%.*s", (int)alen, a ? (const char *)a : "");
        EVP_PKEY *k = NULL;
        if (SSL_get_peer_tmp_key(ssl, &k)) {
            const char *g = EVP_PKEY_get0_type_name(k);
            if (!strcmp(g, "EC") && !EVP_PKEY_get_group_name(k, r.group, sizeof(r.group), NULL))
                g = "?";
            if (strcmp(g, "EC")) snprintf(r.group, sizeof(r.group), "%s", g);
            EVP_PKEY_free(k);
        }
        assert_int_equal(SSL_version(ssl), TLS1_2_VERSION);
        /* the server's close_notify, then ours: OpenSSL drops sessions
         * of connections not shut down cleanly */
        SSL_read(ssl, buf, sizeof(buf));
        SSL_shutdown(ssl);
        r.sess = SSL_get1_session(ssl);
    }
    SSL_free(ssl);
    close(sv[0]);
    pthread_join(th, NULL);
    return r;
}

static SSL_CTX *client_ctx(void)
{
    SSL_CTX *c = SSL_CTX_new(TLS_client_method());
    char ca[256];
    snprintf(ca, sizeof(ca), "%s/tls/ca.crt", dir);
    assert_int_equal(SSL_CTX_load_verify_locations(c, ca, NULL), 1);
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
    /* as Go clients do: h2 first */
    static const unsigned char alpn[] = "\x02h2\x08http/1.1";
    assert_int_equal(SSL_CTX_set_alpn_protos(c, alpn, sizeof(alpn) - 1), 0);
    return c;
}

static void test_openssl_client_handshake(void **state)
{
    (void)state;
    struct sk_tls *t = ensure_ok("node-h", NULL);
    struct sk_error *err = NULL;
    struct sk_tls_server *srv = sk_tls_server_new(t, &err);
    assert_non_null(srv);
    struct server_side ss;

    /* a full handshake, then one resumed with the session ticket */
    SSL_CTX *c = client_ctx();
    struct client_result r = connect_once(c, srv, NULL, &ss);
    assert_int_equal(ss.rc, 0);
    assert_true(r.ok);
    assert_false(r.reused);
    assert_string_equal(r.alpn, "http/1.1");
    assert_string_equal(ss.alpn, "http/1.1");
    assert_string_equal(r.cipher, "ECDHE-ECDSA-AES128-GCM-SHA256");
    assert_int_equal(ss.minor, MBEDTLS_SSL_MINOR_VERSION_3);
    assert_non_null(r.sess);
    assert_true(SSL_SESSION_has_ticket(r.sess));
    struct client_result r2 = connect_once(c, srv, r.sess, &ss);
    assert_true(r2.ok);
    assert_true(r2.reused);
    SSL_SESSION_free(r.sess);
    SSL_SESSION_free(r2.sess);
    SSL_CTX_free(c);

    /* without tickets: resumed from the server's session cache */
    c = client_ctx();
    SSL_CTX_set_options(c, SSL_OP_NO_TICKET);
    r = connect_once(c, srv, NULL, &ss);
    assert_true(r.ok);
    assert_false(SSL_SESSION_has_ticket(r.sess));
    r2 = connect_once(c, srv, r.sess, &ss);
    assert_true(r2.ok);
    assert_true(r2.reused);
    SSL_SESSION_free(r.sess);
    SSL_SESSION_free(r2.sess);
    SSL_CTX_free(c);

    /* the server's group order too: X25519 although the client lists
     * P-256 first; a client without X25519 gets P-256 */
    c = client_ctx();
    assert_int_equal(SSL_CTX_set1_groups_list(c, "P-384:P-256:X25519"), 1);
    r = connect_once(c, srv, NULL, &ss);
    assert_true(r.ok);
    assert_string_equal(r.group, "X25519");
    SSL_SESSION_free(r.sess);
    assert_int_equal(SSL_CTX_set1_groups_list(c, "P-384:P-256"), 1);
    r = connect_once(c, srv, NULL, &ss);
    assert_true(r.ok);
    assert_string_equal(r.group, "prime256v1");
    SSL_SESSION_free(r.sess);
    /* ALPN offered without http/1.1: refused (no_application_protocol) */
    static const unsigned char h2[] = "\x02h2";
    assert_int_equal(SSL_CTX_set_alpn_protos(c, h2, sizeof(h2) - 1), 0);
    r = connect_once(c, srv, NULL, &ss);
    assert_false(r.ok);
    assert_int_not_equal(ss.rc, 0);
    SSL_CTX_free(c);

    /* the server's order wins: ChaCha20 first from the client, AES-GCM
     * chosen; no ALPN offered, none answered */
    c = client_ctx();
    SSL_CTX_set_alpn_protos(c, NULL, 0);
    assert_int_equal(SSL_CTX_set_cipher_list(c, "ECDHE-ECDSA-CHACHA20-POLY1305:"
                                                "ECDHE-ECDSA-AES256-GCM-SHA384:"
                                                "ECDHE-ECDSA-AES128-GCM-SHA256"),
                     1);
    r = connect_once(c, srv, NULL, &ss);
    assert_true(r.ok);
    assert_string_equal(r.cipher, "ECDHE-ECDSA-AES128-GCM-SHA256");
    assert_string_equal(r.alpn, "");
    SSL_SESSION_free(r.sess);
    /* a client that offers only ChaCha20 gets it */
    assert_int_equal(SSL_CTX_set_cipher_list(c, "ECDHE-ECDSA-CHACHA20-POLY1305"), 1);
    r = connect_once(c, srv, NULL, &ss);
    assert_true(r.ok);
    assert_string_equal(r.cipher, "ECDHE-ECDSA-CHACHA20-POLY1305");
    SSL_SESSION_free(r.sess);
    /* nor CBC, nor RSA key exchange, nor static ECDH */
    assert_int_equal(SSL_CTX_set_cipher_list(c, "ECDHE-ECDSA-AES128-SHA256:AES128-GCM-SHA256"), 1);
    r = connect_once(c, srv, NULL, &ss);
    assert_false(r.ok);
    assert_int_not_equal(ss.rc, 0);
    SSL_CTX_free(c);

    /* TLS 1.3 only is refused (mbedtls 2.28 has no 1.3), and so is 1.1 */
    c = client_ctx();
    SSL_CTX_set_min_proto_version(c, TLS1_3_VERSION);
    r = connect_once(c, srv, NULL, &ss);
    assert_false(r.ok);
    assert_int_not_equal(ss.rc, 0);
    SSL_CTX_set_min_proto_version(c, TLS1_1_VERSION);
    SSL_CTX_set_max_proto_version(c, TLS1_1_VERSION);
    SSL_CTX_set_security_level(c, 0);
    SSL_CTX_set_cipher_list(c, "ALL:@SECLEVEL=0");
    r = connect_once(c, srv, NULL, &ss);
    assert_false(r.ok);
    assert_int_not_equal(ss.rc, 0);
    SSL_CTX_free(c);

    /* a client that does not trust this CA refuses the server */
    c = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
    r = connect_once(c, srv, NULL, &ss);
    assert_false(r.ok);
    SSL_CTX_free(c);

    sk_tls_server_unref(srv);
    sk_tls_free(t);
}

static void test_token_equal(void **state)
{
    (void)state;
    const char *a = "0123456789abcdef0123456789abcdef";
    assert_true(sk_tls_token_equal(a, strlen(a), a, strlen(a)));
    assert_false(sk_tls_token_equal(a, strlen(a), "0123456789abcdef0123456789abcdeX", 32));
    assert_false(sk_tls_token_equal(a, strlen(a), a, strlen(a) - 1));
    assert_false(sk_tls_token_equal(a, strlen(a), "", 0));
    assert_true(sk_tls_token_equal("", 0, "", 0));
}

static void test_local_addresses(void **state)
{
    (void)state;
    char **v = sk_tls_local_addresses(NULL);
    assert_non_null(v);
    for (size_t i = 0; v[i]; i++) {
        unsigned char ip[16];
        assert_true(inet_pton(AF_INET, v[i], ip) == 1 || inet_pton(AF_INET6, v[i], ip) == 1);
        assert_string_not_equal(v[i], "127.0.0.1");
        assert_string_not_equal(v[i], "::1");
        assert_true(strncmp(v[i], "fe80", 4));
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(v[i], v[j]);
    }
    /* they are fit for the SANs */
    struct sk_tls *t = ensure_ok("n", (const char *const *)v);
    sk_tls_free(t);
    sk_tls_strv_free(v);
}

static struct sk_loop *L;
static struct sk_tls *async_tls;
static int async_calls;

static void on_ensured(struct sk_tls *tls, struct sk_error *err, void *arg)
{
    (void)arg;
    assert_null(err);
    async_tls = tls;
    async_calls++;
    sk_loop_stop(L);
}

static void on_too_slow(void *arg)
{
    (void)arg;
    sk_loop_stop(L);
}

static void test_ensure_on_a_worker(void **state)
{
    (void)state;
    L = sk_loop_new();
    struct sk_work_pool *pool = sk_work_pool_new(L, 1);
    const char *addrs[] = {"10.3.3.3", NULL};
    assert_int_equal(sk_tls_ensure_async(pool, dir, "node-w", addrs, on_ensured, NULL), SK_OK);
    struct sk_timer *t = sk_timer_add(L, 20, 0, on_too_slow, NULL);
    sk_loop_run(L);
    sk_timer_cancel(t);
    assert_int_equal(async_calls, 1);
    assert_non_null(async_tls);
    assert_true(async_tls->ca_created);
    sk_tls_free(async_tls);
    sk_work_pool_free(pool);
    sk_loop_free(L);
}

int main(void)
{
    /* a side that gives up closes its socket while the other still writes */
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_first_start_creates_everything, setup, teardown),
            cmocka_unit_test_setup_teardown(test_second_start_loads_the_same, setup, teardown),
            cmocka_unit_test_setup_teardown(test_san_change_renews_only_the_server, setup,
                                            teardown),
            cmocka_unit_test_setup_teardown(test_expiring_server_cert_is_renewed, setup, teardown),
            cmocka_unit_test_setup_teardown(test_corrupt_ca_is_an_error, setup, teardown),
            cmocka_unit_test_setup_teardown(test_repairs_what_a_crash_can_leave, setup, teardown),
            cmocka_unit_test_setup_teardown(test_bad_names_and_context, setup, teardown),
            cmocka_unit_test_setup_teardown(test_pkcs8_keys_from_openssl_are_kept, setup, teardown),
            cmocka_unit_test_setup_teardown(test_server_cert_from_another_ca_is_renewed, setup,
                                            teardown),
            cmocka_unit_test_setup_teardown(test_openssl_client_handshake, setup, teardown),
            cmocka_unit_test(test_token_equal),
            cmocka_unit_test_setup_teardown(test_local_addresses, setup, teardown),
            cmocka_unit_test_setup_teardown(test_ensure_on_a_worker, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
