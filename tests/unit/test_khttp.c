/* khttp's TLS (mbedtls) against an independent peer, an OpenSSL server on
 * loopback with certificates made here: the iPAddress SAN check that
 * mbedtls 2.28 leaves to khttp, Go's error texts for a wrong host or an
 * unknown CA, and the session cache (a second client resumes; a
 * tampered or foreign file falls back to a full handshake). Links
 * -lssl -lcrypto for the peer only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "khttp.h"
#include "mem.h"

/* ---- certificates ---- */

struct pki {
    EVP_PKEY *ca_key;
    X509 *ca;
    char *ca_pem;
};

static X509 *make_cert(EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, const char *cn,
                       const char *san)
{
    static long serial = 1;
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, key);
    X509_NAME *n = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
    const char *exts[][2] = {
            {"basicConstraints", issuer ? "CA:FALSE" : "critical,CA:TRUE"},
            {"keyUsage", issuer ? "digitalSignature" : "keyCertSign,cRLSign"},
            {"subjectAltName", san},
    };
    for (size_t i = 0; i < 3; i++) {
        if (!exts[i][1]) continue;
        X509_EXTENSION *e = X509V3_EXT_conf(NULL, &ctx, exts[i][0], exts[i][1]);
        assert_non_null(e);
        X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
    }
    assert_true(X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) > 0);
    return x;
}

static char *pem_of(X509 *x)
{
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, x);
    char *p;
    long n = BIO_get_mem_data(b, &p);
    char *s = sk_xstrndup(p, (size_t)n);
    BIO_free(b);
    return s;
}

static void pki_init(struct pki *p, const char *cn)
{
    p->ca_key = EVP_EC_gen("P-256");
    assert_non_null(p->ca_key);
    p->ca = make_cert(p->ca_key, NULL, NULL, cn, NULL);
    p->ca_pem = pem_of(p->ca);
}

static void pki_free(struct pki *p)
{
    EVP_PKEY_free(p->ca_key);
    X509_free(p->ca);
    free(p->ca_pem);
}

/* ---- the peer: an OpenSSL server answering 200 "ok" and closing ---- */

struct server {
    SSL_CTX *ctx;
    int lfd, port;
    pthread_t thread;
    int handshakes, resumed; /* completed by the server, and of those resumed */
    char sni[64];            /* the last SNI seen ("" if none) */
    bool keep_alive;
};

static void *serve(void *arg)
{
    struct server *s = arg;
    for (;;) {
        int c = accept(s->lfd, NULL, NULL);
        if (c < 0) return NULL; /* shut down */
        SSL *ssl = SSL_new(s->ctx);
        SSL_set_fd(ssl, c);
        if (SSL_accept(ssl) == 1) {
            s->handshakes++;
            s->resumed += SSL_session_reused(ssl);
            const char *sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
            snprintf(s->sni, sizeof(s->sni), "%s", sni ? sni : "");
            char buf[4096];
            size_t got = 0;
            int r;
            while (got < sizeof(buf) - 1 &&
                   (r = SSL_read(ssl, buf + got, (int)(sizeof(buf) - 1 - got))) > 0) {
                got += (size_t)r;
                buf[got] = 0;
                if (strstr(buf, "\r\n\r\n")) break;
            }
            /* keep_alive: the answer promises to keep the connection, which
             * is closed anyway, as a server does after its idle timeout */
            const char *ans =
                    s->keep_alive
                            ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                            : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
            SSL_write(ssl, ans, (int)strlen(ans));
            SSL_shutdown(ssl);
        }
        ERR_clear_error();
        SSL_free(ssl);
        close(c);
    }
}

static void server_start(struct server *s, struct pki *p, const char *san, const char *cn)
{
    memset(s, 0, sizeof(*s));
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *crt = make_cert(key, p->ca, p->ca_key, cn, san);
    s->ctx = SSL_CTX_new(TLS_server_method());
    assert_int_equal(SSL_CTX_use_certificate(s->ctx, crt), 1);
    assert_int_equal(SSL_CTX_use_PrivateKey(s->ctx, key), 1);
    X509_free(crt);
    EVP_PKEY_free(key);
    s->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(s->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(listen(s->lfd, 8), 0);
    socklen_t al = sizeof(a);
    getsockname(s->lfd, (struct sockaddr *)&a, &al);
    s->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&s->thread, NULL, serve, s), 0);
}

static void server_stop(struct server *s)
{
    shutdown(s->lfd, SHUT_RDWR);
    pthread_join(s->thread, NULL);
    close(s->lfd);
    SSL_CTX_free(s->ctx);
}

/* ---- the client ---- */

static char cache[256];

/* One GET through a new client: 0 and "ok", or the error's text in msg. */
static int get(const char *host, int port, const struct pki *p, bool *resumed, char *msg,
               size_t msglen)
{
    char *server = sk_xasprintf("https://%s:%d", host, port);
    struct sk_kconn c = {.server = server, .ca_data = p->ca_pem, .ca_len = strlen(p->ca_pem)};
    struct sk_khttp *h = NULL;
    struct sk_error *err = NULL;
    sk_err rc = sk_khttp_new(&c, &h, &err);
    assert_int_equal(rc, SK_OK);
    struct sk_kreq req = {.path = "/healthz", .timeout = 10};
    struct sk_kresp resp;
    rc = sk_khttp_do(h, &req, &resp, &err);
    msg[0] = 0;
    if (rc) {
        snprintf(msg, msglen, "%s", sk_error_msg(err, rc));
    } else {
        assert_int_equal(resp.status, 200);
        assert_string_equal(resp.body, "ok");
    }
    if (resumed) *resumed = sk_khttp_resumed(h);
    sk_error_free(err);
    sk_kresp_free(&resp);
    sk_khttp_free(h);
    free(server);
    return rc;
}

/* Two requests on one client: the second finds the connection closed
 * by the server, reconnects once, and resumes the first connection's
 * session from memory. */
static void test_reconnect(void **state)
{
    (void)state;
    struct pki p;
    pki_init(&p, "test-ca");
    struct server s;
    server_start(&s, &p, "IP:127.0.0.1", "server");
    s.keep_alive = true;
    char *url = sk_xasprintf("https://127.0.0.1:%d", s.port);
    struct sk_kconn c = {.server = url, .ca_data = p.ca_pem, .ca_len = strlen(p.ca_pem)};
    struct sk_khttp *h = NULL;
    struct sk_error *err = NULL;
    assert_int_equal(sk_khttp_new(&c, &h, &err), SK_OK);
    struct sk_kreq req = {.path = "/healthz", .timeout = 10};
    for (int i = 0; i < 3; i++) {
        struct sk_kresp resp;
        sk_err rc = sk_khttp_do(h, &req, &resp, &err);
        assert_int_equal(rc, SK_OK);
        assert_int_equal(resp.status, 200);
        assert_string_equal(resp.body, "ok");
        sk_kresp_free(&resp);
        /* the first request's handshake is made before KUBECACHEDIR's
         * session could exist for this new server */
        assert_int_equal(sk_khttp_resumed(h), i > 0);
    }
    assert_int_equal(s.handshakes, 3);
    assert_int_equal(s.resumed, 2);
    sk_khttp_free(h);
    free(url);
    server_stop(&s);
    pki_free(&p);
}

static char *cache_file(void)
{
    char *d = sk_xasprintf("%s/skiff-tls", cache);
    DIR *dir = opendir(d);
    char *path = NULL;
    struct dirent *e;
    while (dir && (e = readdir(dir)))
        if (e->d_name[0] != '.') {
            assert_null(path); /* one file */
            path = sk_xasprintf("%s/%s", d, e->d_name);
        }
    if (dir) closedir(dir);
    free(d);
    return path;
}

static void wipe_cache(void)
{
    char *cmd = sk_xasprintf("rm -rf '%s/skiff-tls'", cache);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

#define PRE "Unable to connect to the server: tls: failed to verify certificate: x509: "

static void test_ip_sans(void **state)
{
    (void)state;
    struct pki p;
    pki_init(&p, "test-ca");
    struct server s;
    char msg[512];
    bool resumed;

    /* the address among the SANs: connects, with no SNI for an address */
    server_start(&s, &p, "DNS:localhost,IP:::1,IP:127.0.0.1", "server");
    assert_int_equal(get("127.0.0.1", s.port, &p, &resumed, msg, sizeof(msg)), SK_OK);
    assert_false(resumed);
    assert_string_equal(s.sni, "");
    server_stop(&s);

    /* other addresses only: refused, in Go's words, and nothing cached */
    wipe_cache();
    server_start(&s, &p, "DNS:localhost,IP:10.1.2.3,IP:::ffff:10.9.9.9,IP:fe80::1", "server");
    assert_int_not_equal(get("127.0.0.1", s.port, &p, NULL, msg, sizeof(msg)), SK_OK);
    assert_string_equal(msg,
                        PRE "certificate is valid for 10.1.2.3, 10.9.9.9, fe80::1, not 127.0.0.1");
    assert_int_equal(s.handshakes, 0);
    assert_null(cache_file());
    server_stop(&s);

    /* no IP SANs at all, though the CN is the address */
    server_start(&s, &p, "DNS:localhost", "127.0.0.1");
    assert_int_not_equal(get("127.0.0.1", s.port, &p, NULL, msg, sizeof(msg)), SK_OK);
    assert_string_equal(msg, PRE "cannot validate certificate for 127.0.0.1 because it doesn't "
                                 "contain any IP SANs");
    server_stop(&s);

    /* a name: SNI, and mbedtls's dNSName match with Go's texts */
    server_start(&s, &p, "DNS:other.example", "server");
    assert_int_not_equal(get("localhost", s.port, &p, NULL, msg, sizeof(msg)), SK_OK);
    assert_string_equal(msg, PRE "certificate is valid for other.example, not localhost");
    server_stop(&s);
    server_start(&s, &p, NULL, "localhost");
    assert_int_not_equal(get("localhost", s.port, &p, NULL, msg, sizeof(msg)), SK_OK);
    assert_string_equal(msg,
                        PRE "certificate relies on legacy Common Name field, use SANs instead");
    server_stop(&s);
    server_start(&s, &p, "DNS:localhost", "server");
    assert_int_equal(get("localhost", s.port, &p, NULL, msg, sizeof(msg)), SK_OK);
    assert_string_equal(s.sni, "localhost");
    server_stop(&s);

    /* another CA */
    struct pki other;
    pki_init(&other, "other-ca");
    server_start(&s, &other, "IP:127.0.0.1", "server");
    assert_int_not_equal(get("127.0.0.1", s.port, &p, NULL, msg, sizeof(msg)), SK_OK);
    assert_string_equal(msg, PRE "certificate signed by unknown authority");
    server_stop(&s);
    pki_free(&other);
    pki_free(&p);
}

static void test_session_cache(void **state)
{
    (void)state;
    struct pki p;
    pki_init(&p, "test-ca");
    struct server s;
    char msg[512];
    bool resumed;
    wipe_cache();
    server_start(&s, &p, "IP:127.0.0.1", "server");
    assert_int_equal(get("127.0.0.1", s.port, &p, &resumed, msg, sizeof(msg)), SK_OK);
    assert_false(resumed);
    char *path = cache_file();
    assert_non_null(path);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(get("127.0.0.1", s.port, &p, &resumed, msg, sizeof(msg)), SK_OK);
        assert_true(resumed);
    }
    assert_int_equal(s.handshakes, 3);
    assert_int_equal(s.resumed, 2);

    /* mbedtls's serialisation (version 2.28 first), without the certificate */
    FILE *f = fopen(path, "rb");
    unsigned char blob[8192];
    size_t n = fread(blob, 1, sizeof(blob), f);
    fclose(f);
    assert_true(n > 100 && n < 1024);
    assert_int_equal(blob[0], 2);
    assert_int_equal(blob[1], 28);

    /* a ticket the server cannot open: a full, verified handshake, then a
     * new session that resumes */
    for (size_t i = n - 60; i < n - 30; i++)
        blob[i] ^= 0x5a;
    f = fopen(path, "wb");
    fwrite(blob, 1, n, f);
    fclose(f);
    assert_int_equal(get("127.0.0.1", s.port, &p, &resumed, msg, sizeof(msg)), SK_OK);
    assert_false(resumed);
    assert_int_equal(get("127.0.0.1", s.port, &p, &resumed, msg, sizeof(msg)), SK_OK);
    assert_true(resumed);

    /* garbage, and a file others may read, are not used */
    f = fopen(path, "wb");
    fputs("0\x82 not a session", f);
    fclose(f);
    assert_int_equal(get("127.0.0.1", s.port, &p, &resumed, msg, sizeof(msg)), SK_OK);
    assert_false(resumed);
    chmod(path, 0644);
    assert_int_equal(get("127.0.0.1", s.port, &p, &resumed, msg, sizeof(msg)), SK_OK);
    assert_false(resumed);
    server_stop(&s);

    /* a server with other ticket keys (a restarted agent) refuses the
     * ticket: a full handshake */
    server_start(&s, &p, "IP:127.0.0.1", "server");
    assert_int_equal(get("127.0.0.1", s.port, &p, &resumed, msg, sizeof(msg)), SK_OK);
    assert_false(resumed);
    assert_int_equal(s.resumed, 0);
    server_stop(&s);
    free(path);
    pki_free(&p);
}

static int setup(void **state)
{
    (void)state;
    snprintf(cache, sizeof(cache), "/tmp/skiff-khttp-XXXXXX");
    if (!mkdtemp(cache)) return -1;
    setenv("KUBECACHEDIR", cache, 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char *cmd = sk_xasprintf("rm -rf '%s'", cache);
    int r = system(cmd);
    free(cmd);
    return r;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_ip_sans),
            cmocka_unit_test(test_session_cache),
            cmocka_unit_test(test_reconnect),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
