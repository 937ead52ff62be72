/* The CLI's lean HTTP/1.1 client over OpenSSL and http-parser: a
 * non-blocking socket driven with poll() so that every wait honours the
 * request's deadline, one keep-alive connection reused across requests. */
#include "khttp.h"
#include "mem.h"
#include "val.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <http_parser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifndef SKIFF_VERSION
#define SKIFF_VERSION "0.0.0"
#endif

struct sk_khttp {
    bool tls;
    char *host, *port, *prefix, *hostport;
    bool host_is_ip;
    char *token;
    SSL_CTX *ctx;
    int fd;
    SSL *ssl;
    /* CAs are parsed only when a full handshake needs them (see verify_cb) */
    char *ca_data, *ca_file;
    size_t ca_len;
    bool ca_loaded;
    char *ca_err;    /* why the CAs did not load, for the handshake's error */
    char *sess_path; /* the TLS session cache file, or NULL */
    bool sess_saved;
    bool resumed; /* the last handshake resumed a cached session */
    /* bytes read past the end of a response (after a 101: the stream's) */
    char *extra;
    size_t extra_len, extra_off;
};

/* ---- setup ---- */

static sk_err parse_url(struct sk_khttp *h, const char *url, struct sk_error **err)
{
    const char *p = url;
    if (!strncasecmp(p, "https://", 8)) {
        h->tls = true;
        p += 8;
    } else if (!strncasecmp(p, "http://", 7)) {
        p += 7;
    } else if (strstr(p, "://")) {
        return sk_fail(err, SK_EINVAL, "server URL %s: unsupported scheme", url);
    } else {
        h->tls = true; /* kubectl takes "host:port" as https */
    }
    const char *slash = strchr(p, '/');
    const char *end = slash ? slash : p + strlen(p);
    const char *portp = NULL;
    if (*p == '[') {
        const char *rb = memchr(p, ']', (size_t)(end - p));
        if (!rb) return sk_fail(err, SK_EINVAL, "server URL %s: unclosed '['", url);
        h->host = sk_xstrndup(p + 1, (size_t)(rb - p - 1));
        if (rb + 1 < end && rb[1] == ':') portp = rb + 2;
    } else {
        const char *colon = memchr(p, ':', (size_t)(end - p));
        h->host = sk_xstrndup(p, (size_t)((colon ? colon : end) - p));
        if (colon) portp = colon + 1;
    }
    if (!*h->host) return sk_fail(err, SK_EINVAL, "server URL %s: no host", url);
    h->port = portp ? sk_xstrndup(portp, (size_t)(end - portp)) : sk_xstrdup(h->tls ? "443" : "80");
    if (!*h->port) {
        free(h->port);
        h->port = sk_xstrdup(h->tls ? "443" : "80");
    }
    size_t pl = slash ? strlen(slash) : 0;
    while (pl && slash[pl - 1] == '/')
        pl--;
    h->prefix = sk_xstrndup(slash ? slash : "", pl);
    struct in6_addr a6;
    struct in_addr a4;
    h->host_is_ip = inet_pton(AF_INET, h->host, &a4) == 1 || inet_pton(AF_INET6, h->host, &a6) == 1;
    bool v6 = strchr(h->host, ':') != NULL;
    h->hostport = sk_xasprintf("%s%s%s:%s", v6 ? "[" : "", h->host, v6 ? "]" : "", h->port);
    return SK_OK;
}

static const char *ssl_err(void)
{
    static char buf[256];
    unsigned long e = ERR_get_error();
    if (!e) return "unknown TLS error";
    ERR_error_string_n(e, buf, sizeof(buf));
    return buf;
}

static sk_err load_pem_cas(X509_STORE *st, const char *data, size_t len, struct sk_error **err)
{
    BIO *b = BIO_new_mem_buf(data, (int)len);
    int n = 0;
    X509 *x;
    while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
        X509_STORE_add_cert(st, x);
        X509_free(x);
        n++;
    }
    ERR_clear_error();
    BIO_free(b);
    if (!n) return sk_fail(err, SK_EINVAL, "certificate-authority-data holds no PEM certificate");
    return SK_OK;
}

/* Parsing the CAs is a tenth of a CLI run (OpenSSL 3 sets up its decoders
 * on the first certificate), and a resumed TLS session needs none: so the
 * CAs go into the store here, on the first full handshake. */
static int verify_cb(X509_STORE_CTX *xs, void *arg)
{
    struct sk_khttp *h = arg;
    X509_STORE *st = X509_STORE_CTX_get0_store(xs);
    if (!h->ca_loaded && st) {
        h->ca_loaded = true;
        struct sk_error *e = NULL;
        if (h->ca_data) {
            if (load_pem_cas(st, h->ca_data, h->ca_len, &e)) {
                h->ca_err = sk_xstrdup(sk_error_msg(e, SK_EINVAL));
                sk_error_free(e);
            }
        } else if (h->ca_file) {
            if (X509_STORE_load_file(st, h->ca_file) != 1)
                h->ca_err = sk_xasprintf("unable to read certificate-authority %s: %s", h->ca_file,
                                         ssl_err());
        } else {
            X509_STORE_set_default_paths(st);
        }
        ERR_clear_error();
    }
    if (h->ca_err) {
        X509_STORE_CTX_set_error(xs, X509_V_ERR_UNSPECIFIED);
        return 0;
    }
    return X509_verify_cert(xs);
}

/* ---- TLS session cache ----
 *
 * A full TLS 1.3 handshake costs a CLI run a third of its CPU: parsing
 * and verifying the server's certificate chain and its signature. The
 * agent issues session tickets, so the CLI keeps the last one in a file
 * under kubectl's cache directory ($KUBECACHEDIR, else ~/.kube/cache),
 * 0600, named after the server and a hash of the TLS material that
 * decided trust (CA, client certificate, insecure flag): the next run
 * resumes, and falls back to a full, verified handshake when the ticket
 * is refused (agent restarted) or expired. Only sessions from verified
 * handshakes are saved. The certificate inside a saved session is
 * dropped (see strip_peer): nothing reads it, and decoding it would cost
 * most of what resumption saves. */

static uint64_t fnv(uint64_t x, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        x = (x ^ c[i]) * 0x100000001b3ULL;
    return (x ^ 0x100) * 0x100000001b3ULL; /* ends the field: no byte is 0x100 */
}

static uint64_t fnv_str(uint64_t x, const char *s)
{
    return fnv(x, s ? s : "-", s ? strlen(s) : 1);
}

/* DER length at p (n bytes left): header size into *hl, -1 if malformed. */
static long der_len(const unsigned char *p, size_t n, size_t *hl)
{
    if (n < 2) return -1;
    if (p[1] < 0x80) {
        *hl = 2;
        return p[1] <= n - 2 ? p[1] : -1;
    }
    size_t k = p[1] & 0x7f;
    if (!k || k > 3 || n < 2 + k) return -1;
    size_t l = 0;
    for (size_t i = 0; i < k; i++)
        l = l << 8 | p[2 + i];
    *hl = 2 + k;
    return l <= n - 2 - k ? (long)l : -1;
}

/* The session's DER without its [3] peer certificate field (the
 * SSL_SESSION_ASN1 sequence of ssl/ssl_asn1.c). Returns the new length
 * in *out (caller frees), or 0 when der is not as expected. */
static size_t strip_peer(const unsigned char *der, size_t n, unsigned char **out)
{
    size_t hl;
    long sl = der_len(der, n, &hl);
    if (der[0] != 0x30 || sl < 0 || hl + (size_t)sl != n) return 0;
    unsigned char *body = sk_xmalloc(n);
    size_t bl = 0;
    for (size_t off = hl; off < n;) {
        size_t ehl;
        long el = der_len(der + off, n - off, &ehl);
        if (el < 0) {
            free(body);
            return 0;
        }
        size_t all = ehl + (size_t)el;
        if (der[off] != 0xa3) {
            memcpy(body + bl, der + off, all);
            bl += all;
        }
        off += all;
    }
    unsigned char *o = sk_xmalloc(bl + 6);
    size_t ol = 0;
    o[ol++] = 0x30;
    if (bl < 0x80) {
        o[ol++] = (unsigned char)bl;
    } else if (bl < 0x100) {
        o[ol++] = 0x81;
        o[ol++] = (unsigned char)bl;
    } else {
        o[ol++] = 0x82;
        o[ol++] = (unsigned char)(bl >> 8);
        o[ol++] = (unsigned char)bl;
    }
    if (bl >= 0x10000) {
        free(o);
        free(body);
        return 0;
    }
    memcpy(o + ol, body, bl);
    free(body);
    *out = o;
    return ol + bl;
}

static int sess_new_cb(SSL *ssl, SSL_SESSION *sess)
{
    struct sk_khttp *h = SSL_get_app_data(ssl);
    if (!h || !h->sess_path || h->sess_saved || !SSL_SESSION_is_resumable(sess)) return 0;
    if (SSL_get_verify_result(ssl) != X509_V_OK) return 0;
    h->sess_saved = true;
    int n = i2d_SSL_SESSION(sess, NULL);
    if (n <= 0 || n > 65536) return 0;
    unsigned char *der = sk_xmalloc((size_t)n), *p = der, *s2 = NULL;
    i2d_SSL_SESSION(sess, &p);
    size_t sn = strip_peer(der, (size_t)n, &s2);
    free(der);
    if (!sn) return 0;
    /* mkdir -p: ~/.kube/cache may not exist yet (kubectl makes it 0750) */
    char *dir = sk_xstrdup(h->sess_path);
    *strrchr(dir, '/') = 0;
    if (mkdir(dir, 0700) && errno == ENOENT) {
        for (char *q = strchr(dir + 1, '/'); q; q = strchr(q + 1, '/')) {
            *q = 0;
            mkdir(dir, 0750);
            *q = '/';
        }
        mkdir(dir, 0700);
    }
    char *tmp = sk_xasprintf("%s.%ld.tmp", h->sess_path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0) {
        bool ok = write(fd, s2, sn) == (ssize_t)sn;
        ok = !close(fd) && ok;
        if (!ok || rename(tmp, h->sess_path)) unlink(tmp);
    }
    free(tmp);
    free(dir);
    free(s2);
    return 0; /* the callback does not keep sess */
}

static void sess_setup(struct sk_khttp *h, const struct sk_kconn *c)
{
    const char *dir = getenv("KUBECACHEDIR");
    char *base = NULL;
    if (dir && *dir) {
        base = sk_xstrdup(dir);
    } else {
        const char *home = getenv("HOME");
        if (!home || !*home) return;
        base = sk_xasprintf("%s/.kube/cache", home);
    }
    uint64_t x = 0xcbf29ce484222325ULL;
    x = fnv_str(x, h->host);
    x = fnv_str(x, h->port);
    x = fnv(x, c->insecure ? "i" : "v", 1);
    x = c->ca_data ? fnv(x, c->ca_data, c->ca_len) : fnv_str(x, c->ca_file);
    struct stat st;
    if (c->ca_file && !stat(c->ca_file, &st)) { /* a CA file changed in place */
        int64_t v[3] = {(int64_t)st.st_size, (int64_t)st.st_mtim.tv_sec, st.st_mtim.tv_nsec};
        x = fnv(x, v, sizeof(v));
    }
    x = c->cert_data ? fnv(x, c->cert_data, c->cert_len) : fnv_str(x, c->cert_file);
    char *safe = sk_xstrdup(h->host);
    for (char *p = safe; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '-'))
            *p = '_';
    h->sess_path =
            sk_xasprintf("%s/skiff-tls/%s_%s-%016llx", base, safe, h->port, (unsigned long long)x);
    free(safe);
    free(base);
    SSL_CTX_set_session_cache_mode(h->ctx,
                                   SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(h->ctx, sess_new_cb);
}

/* The saved session for this server, if it is still good. */
static SSL_SESSION *sess_load(const struct sk_khttp *h)
{
    if (!h->sess_path) return NULL;
    int fd = open(h->sess_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return NULL;
    unsigned char buf[16384];
    struct stat st;
    ssize_t n = -1;
    if (!fstat(fd, &st) && st.st_uid == geteuid() && !(st.st_mode & 077))
        n = read(fd, buf, sizeof(buf));
    close(fd);
    if (n <= 0 || n == (ssize_t)sizeof(buf)) return NULL;
    const unsigned char *p = buf;
    SSL_SESSION *s = d2i_SSL_SESSION(NULL, &p, (long)n);
    ERR_clear_error();
    if (!s) return NULL;
    time_t now = time(NULL);
    if (!SSL_SESSION_is_resumable(s) ||
        SSL_SESSION_get_time(s) + SSL_SESSION_get_timeout(s) <= (long)now) {
        SSL_SESSION_free(s);
        return NULL;
    }
    return s;
}

static sk_err setup_tls(struct sk_khttp *h, const struct sk_kconn *c, struct sk_error **err)
{
    /* no openssl.cnf: nothing in it applies to this client, and reading it
     * is a measurable part of a CLI run; and no cleanup at exit: freeing
     * every table OpenSSL built cost a CLI run about as much as building
     * them, for memory the kernel takes back anyway */
    OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_ATEXIT, NULL);
    h->ctx = SSL_CTX_new(TLS_client_method());
    if (!h->ctx) return sk_fail(err, SK_EINTERNAL, "SSL_CTX_new: %s", ssl_err());
    SSL_CTX_set_min_proto_version(h->ctx, TLS1_2_VERSION);
    SSL_CTX_set_mode(h->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (c->insecure) {
        SSL_CTX_set_verify(h->ctx, SSL_VERIFY_NONE, NULL);
    } else {
        SSL_CTX_set_verify(h->ctx, SSL_VERIFY_PEER, NULL);
        /* checked now, parsed when needed: a resumed session needs none */
        if (c->ca_data) {
            if (!memmem(c->ca_data, c->ca_len, "-----BEGIN", 10))
                return sk_fail(err, SK_EINVAL,
                               "certificate-authority-data holds no PEM certificate");
            h->ca_data = sk_xmalloc(c->ca_len + 1);
            memcpy(h->ca_data, c->ca_data, c->ca_len);
            h->ca_data[c->ca_len] = 0;
            h->ca_len = c->ca_len;
        } else if (c->ca_file) {
            if (access(c->ca_file, R_OK))
                return sk_fail(err, SK_EINVAL, "unable to read certificate-authority %s: %s",
                               c->ca_file, strerror(errno));
            h->ca_file = sk_xstrdup(c->ca_file);
        }
        SSL_CTX_set_cert_verify_callback(h->ctx, verify_cb, h);
    }
    sess_setup(h, c);
    if (c->cert_data) {
        BIO *b = BIO_new_mem_buf(c->cert_data, (int)c->cert_len);
        X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
        int ok = x && SSL_CTX_use_certificate(h->ctx, x) == 1;
        X509 *extra;
        while (ok && (extra = PEM_read_bio_X509(b, NULL, NULL, NULL)))
            SSL_CTX_add_extra_chain_cert(h->ctx, extra);
        ERR_clear_error();
        X509_free(x);
        BIO_free(b);
        if (!ok) return sk_fail(err, SK_EINVAL, "client-certificate-data is not a PEM certificate");
    } else if (c->cert_file) {
        if (SSL_CTX_use_certificate_chain_file(h->ctx, c->cert_file) != 1)
            return sk_fail(err, SK_EINVAL, "unable to read client-cert %s: %s", c->cert_file,
                           ssl_err());
    }
    if (c->key_data) {
        BIO *b = BIO_new_mem_buf(c->key_data, (int)c->key_len);
        EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
        int ok = k && SSL_CTX_use_PrivateKey(h->ctx, k) == 1;
        EVP_PKEY_free(k);
        BIO_free(b);
        if (!ok) return sk_fail(err, SK_EINVAL, "client-key-data is not a PEM private key");
    } else if (c->key_file) {
        if (SSL_CTX_use_PrivateKey_file(h->ctx, c->key_file, SSL_FILETYPE_PEM) != 1)
            return sk_fail(err, SK_EINVAL, "unable to read client-key %s: %s", c->key_file,
                           ssl_err());
    }
    return SK_OK;
}

sk_err sk_khttp_new(const struct sk_kconn *conn, struct sk_khttp **out, struct sk_error **err)
{
    struct sk_khttp *h = sk_xcalloc(1, sizeof(*h));
    h->fd = -1;
    sk_err rc = parse_url(h, conn->server ? conn->server : "", err);
    if (!rc && h->tls) rc = setup_tls(h, conn, err);
    if (rc) {
        sk_khttp_free(h);
        return rc;
    }
    if (conn->token && *conn->token) h->token = sk_xstrdup(conn->token);
    *out = h;
    return SK_OK;
}

static void disconnect(struct sk_khttp *h)
{
    if (h->ssl) {
        SSL_free(h->ssl);
        h->ssl = NULL;
    }
    if (h->fd >= 0) close(h->fd);
    h->fd = -1;
    free(h->extra);
    h->extra = NULL;
    h->extra_len = h->extra_off = 0;
}

void sk_khttp_free(struct sk_khttp *h)
{
    if (!h) return;
    disconnect(h);
    if (h->ctx) SSL_CTX_free(h->ctx);
    free(h->host);
    free(h->port);
    free(h->prefix);
    free(h->hostport);
    free(h->token);
    free(h->ca_data);
    free(h->ca_file);
    free(h->ca_err);
    free(h->sess_path);
    free(h);
}

/* ---- I/O with deadlines ---- */

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Milliseconds left until deadline (0: none), for poll. */
static int left_ms(double deadline)
{
    if (deadline <= 0) return -1;
    double l = (deadline - mono()) * 1000;
    return l <= 0 ? 0 : l > 2e9 ? 2000000000 : (int)l + 1;
}

static int wait_fd(int fd, short ev, double deadline)
{
    struct pollfd p = {.fd = fd, .events = ev};
    for (;;) {
        int r = poll(&p, 1, left_ms(deadline));
        if (r > 0) return 0;
        if (r == 0) return ETIMEDOUT;
        if (errno != EINTR) return errno;
    }
}

static sk_err conn_fail(struct sk_error **err, int e, const char *what, const char *hostport)
{
    if (e == ETIMEDOUT)
        return sk_fail(err, SK_ETIMEDOUT,
                       "Unable to connect to the server: dial tcp %s: i/o timeout", hostport);
    return sk_fail(err, SK_ECLOSED, "Unable to connect to the server: dial tcp %s: %s: %s",
                   hostport, what, strerror(e));
}

static const char *verify_text(long v)
{
    switch (v) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        return "x509: certificate signed by unknown authority";
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID: return "x509: certificate has expired or is not yet valid";
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH: return NULL; /* worded with the host below */
    default: return X509_verify_cert_error_string(v);
    }
}

static sk_err do_connect(struct sk_khttp *h, double deadline, struct sk_error **err)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_family = AF_UNSPEC};
    struct addrinfo *res = NULL;
    int g = getaddrinfo(h->host, h->port, &hints, &res);
    if (g)
        return sk_fail(err, SK_ECLOSED, "Unable to connect to the server: dial tcp: lookup %s: %s",
                       h->host, gai_strerror(g));
    int last = ECONNREFUSED;
    double cdl = deadline > 0 ? deadline : mono() + 30;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                        ai->ai_protocol);
        if (fd < 0) {
            last = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) && errno != EINPROGRESS) {
            last = errno;
            close(fd);
            continue;
        }
        int w = wait_fd(fd, POLLOUT, cdl);
        int soerr = 0;
        socklen_t sl = sizeof(soerr);
        if (!w) getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
        if (w || soerr) {
            last = w ? w : soerr;
            close(fd);
            continue;
        }
        h->fd = fd;
        break;
    }
    freeaddrinfo(res);
    if (h->fd < 0) return conn_fail(err, last, "connect", h->hostport);
    if (!h->tls) return SK_OK;
    h->ssl = SSL_new(h->ctx);
    SSL_set_fd(h->ssl, h->fd);
    SSL_set_app_data(h->ssl, h);
    SSL_SESSION *sess = sess_load(h);
    if (sess) {
        SSL_set_session(h->ssl, sess);
        SSL_SESSION_free(sess);
    }
    if (!h->host_is_ip) SSL_set_tlsext_host_name(h->ssl, h->host);
    X509_VERIFY_PARAM *vp = SSL_get0_param(h->ssl);
    if (h->host_is_ip)
        X509_VERIFY_PARAM_set1_ip_asc(vp, h->host);
    else
        X509_VERIFY_PARAM_set1_host(vp, h->host, 0);
    for (;;) {
        ERR_clear_error();
        int r = SSL_connect(h->ssl);
        if (r == 1) {
            h->resumed = SSL_session_reused(h->ssl) == 1;
            return SK_OK;
        }
        int e = SSL_get_error(h->ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            int w = wait_fd(h->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, cdl);
            if (w) {
                disconnect(h);
                return sk_fail(err, SK_ETIMEDOUT,
                               "Unable to connect to the server: net/http: TLS handshake timeout");
            }
            continue;
        }
        long v = SSL_get_verify_result(h->ssl);
        sk_err rc;
        if (h->ca_err) {
            rc = sk_fail(err, SK_EINVAL, "%s", h->ca_err);
        } else if (v != X509_V_OK) {
            const char *t = verify_text(v);
            if (t)
                rc = sk_fail(
                        err, SK_ECLOSED,
                        "Unable to connect to the server: tls: failed to verify certificate: %s",
                        t);
            else
                rc = sk_fail(err, SK_ECLOSED,
                             "Unable to connect to the server: tls: failed to verify certificate: "
                             "x509: certificate is not valid for %s",
                             h->host);
        } else {
            rc = sk_fail(err, SK_ECLOSED, "Unable to connect to the server: %s",
                         e == SSL_ERROR_SYSCALL || e == SSL_ERROR_ZERO_RETURN ? "EOF" : ssl_err());
        }
        disconnect(h);
        return rc;
    }
}

/* OpenSSL writes with write(2): a peer that closed would raise SIGPIPE
 * and kill the CLI. Block it around TLS writes and drop one it caused. */
static void pipe_block(sigset_t *old)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &s, old);
}

static void pipe_restore(const sigset_t *old)
{
    sigset_t pend;
    sigpending(&pend);
    if (sigismember(&pend, SIGPIPE) && !sigismember(old, SIGPIPE)) {
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGPIPE);
        struct timespec zero = {0, 0};
        while (sigtimedwait(&s, NULL, &zero) < 0 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, old, NULL);
}

static int write_all_raw(struct sk_khttp *h, const void *p, size_t n, double deadline);

/* Write everything; errno-style result (0 ok). */
static int write_all(struct sk_khttp *h, const void *p, size_t n, double deadline)
{
    if (!h->ssl) return write_all_raw(h, p, n, deadline);
    sigset_t old;
    pipe_block(&old);
    int r = write_all_raw(h, p, n, deadline);
    pipe_restore(&old);
    return r;
}

/* Whether the server has already answered (an early error answer to an
 * upload: stop sending and read it). */
static bool answer_waiting(const struct sk_khttp *h)
{
    if (h->ssl && SSL_pending(h->ssl) > 0) return true;
    struct pollfd pf = {.fd = h->fd, .events = POLLIN};
    return poll(&pf, 1, 0) > 0 && (pf.revents & (POLLIN | POLLHUP | POLLERR));
}

static int write_all_raw(struct sk_khttp *h, const void *p, size_t n, double deadline)
{
    const char *c = p;
    while (n) {
        ssize_t w;
        if (h->ssl) {
            ERR_clear_error();
            int r = SSL_write(h->ssl, c, n > 1u << 30 ? 1 << 30 : (int)n);
            if (r > 0) {
                w = r;
            } else {
                int e = SSL_get_error(h->ssl, r);
                if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
                    int x = wait_fd(h->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline);
                    if (x) return x;
                    continue;
                }
                return EPIPE;
            }
        } else {
            w = send(h->fd, c, n, MSG_NOSIGNAL);
            if (w < 0) {
                if (errno == EAGAIN || errno == EINTR) {
                    int x = wait_fd(h->fd, POLLOUT, deadline);
                    if (x) return x;
                    continue;
                }
                return errno;
            }
        }
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Read some bytes: >0, 0 at EOF, -errno. */
static ssize_t read_some(struct sk_khttp *h, char *buf, size_t n, double deadline)
{
    for (;;) {
        if (h->ssl) {
            ERR_clear_error();
            int r = SSL_read(h->ssl, buf, (int)n);
            if (r > 0) return r;
            int e = SSL_get_error(h->ssl, r);
            if (e == SSL_ERROR_ZERO_RETURN) return 0;
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
                int x = wait_fd(h->fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline);
                if (x) return -x;
                continue;
            }
            if (e == SSL_ERROR_SYSCALL && r == 0) return 0; /* EOF without close_notify */
            return -ECONNRESET;
        }
        ssize_t r = recv(h->fd, buf, n, 0);
        if (r >= 0) return r;
        if (errno == EAGAIN || errno == EINTR) {
            int x = wait_fd(h->fd, POLLIN, deadline);
            if (x) return -x;
            continue;
        }
        return -errno;
    }
}

/* ---- one exchange ---- */

struct xfer {
    const struct sk_kreq *req;
    struct sk_kresp *resp;
    struct sk_buf body;
    size_t max;
    bool too_big, aborted, done, headers_done, keep_alive, upgrade;
    /* header capture */
    struct sk_buf hfield, hvalue;
    bool in_value;
};

static void header_done(struct xfer *x)
{
    if (!x->hfield.len) return;
    sk_buf_putc(&x->hfield, 0);
    sk_buf_putc(&x->hvalue, 0);
    const char *want = x->req->header;
    if (want && !strcasecmp(x->hfield.p, want)) {
        free(x->resp->header);
        x->resp->header = sk_xstrdup(x->hvalue.p);
    }
    x->hfield.len = x->hvalue.len = 0;
    x->in_value = false;
}

static int on_hfield(http_parser *p, const char *at, size_t n)
{
    struct xfer *x = p->data;
    if (x->in_value) header_done(x);
    sk_buf_append(&x->hfield, at, n);
    return 0;
}

static int on_hvalue(http_parser *p, const char *at, size_t n)
{
    struct xfer *x = p->data;
    x->in_value = true;
    sk_buf_append(&x->hvalue, at, n);
    return 0;
}

static int on_headers_complete(http_parser *p)
{
    struct xfer *x = p->data;
    header_done(x);
    x->resp->status = (int)p->status_code;
    x->headers_done = true;
    x->keep_alive = http_should_keep_alive(p);
    if (p->status_code == 101) {
        x->upgrade = true;
        return 2; /* no body; the parser stops (upgrade) */
    }
    if (x->req->method && !strcmp(x->req->method, "HEAD")) return 1;
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t n)
{
    struct xfer *x = p->data;
    int s = x->resp->status;
    if (x->req->on_data && s >= 200 && s < 300) {
        if (x->req->on_data(x->req->arg, at, n)) {
            x->aborted = true;
            return 1;
        }
        return 0;
    }
    if (x->body.len + n > x->max) {
        x->too_big = true;
        return 1;
    }
    sk_buf_append(&x->body, at, n);
    return 0;
}

static int on_complete(http_parser *p)
{
    struct xfer *x = p->data;
    x->done = true;
    x->keep_alive = http_should_keep_alive(p);
    http_parser_pause(p, 1); /* bytes after this response belong to nobody */
    return 0;
}

static char *build_head(struct sk_khttp *h, const struct sk_kreq *req, size_t body_len,
                        bool has_body)
{
    struct sk_buf b = {0};
    const char *method = req->method ? req->method : "GET";
    sk_buf_printf(&b, "%s %s%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: skiff/%s\r\n", method, h->prefix,
                  req->path, h->hostport, SKIFF_VERSION);
    sk_buf_printf(&b, "Accept: %s\r\n", req->accept ? req->accept : "application/json, */*");
    if (h->token) sk_buf_printf(&b, "Authorization: Bearer %s\r\n", h->token);
    if (req->content_type) sk_buf_printf(&b, "Content-Type: %s\r\n", req->content_type);
    if (has_body) sk_buf_printf(&b, "Content-Length: %zu\r\n", body_len);
    for (const char *const *hp = req->headers; hp && *hp; hp++)
        sk_buf_printf(&b, "%s\r\n", *hp);
    sk_buf_puts(&b, "\r\n");
    sk_buf_putc(&b, 0);
    return sk_buf_take(&b, NULL);
}

/* Send the request and read the answer. *retry is set when a reused
 * connection failed before any answer byte arrived. */
static sk_err exchange(struct sk_khttp *h, const struct sk_kreq *req, struct sk_kresp *resp,
                       bool reused, bool *retry, bool keep_upgrade, struct sk_error **err)
{
    double deadline = req->timeout > 0 ? mono() + req->timeout : 0;
    *retry = false;
    const char *method = req->method ? req->method : "GET";
    bool has_body = req->body || req->body_file || !strcmp(method, "POST") ||
                    !strcmp(method, "PUT") || !strcmp(method, "PATCH");
    FILE *bf = NULL;
    size_t blen = req->body_len;
    if (req->body_file) {
        struct stat st;
        bf = fopen(req->body_file, "rb");
        if (!bf || fstat(fileno(bf), &st)) {
            sk_err rc = sk_fail_sys(err, errno, "open %s", req->body_file);
            if (bf) fclose(bf);
            return rc;
        }
        blen = (size_t)st.st_size;
    }
    char *head = build_head(h, req, blen, has_body);
    int w = write_all(h, head, strlen(head), deadline);
    free(head);
    /* the body in pieces, stopping early when the server has answered */
    bool early = false;
    if (!w && req->body && blen) {
        const char *bp = req->body;
        for (size_t off = 0; !w && off < blen; off += 65536) {
            if (off && answer_waiting(h)) {
                early = true;
                break;
            }
            size_t n = blen - off < 65536 ? blen - off : 65536;
            w = write_all(h, bp + off, n, deadline);
        }
    }
    if (!w && bf) {
        char buf[65536];
        size_t n, sent = 0;
        while (!w && sent < blen && (n = fread(buf, 1, sizeof(buf), bf)) > 0) {
            if (sent && answer_waiting(h)) {
                early = true;
                break;
            }
            if (n > blen - sent) n = blen - sent;
            w = write_all(h, buf, n, deadline);
            sent += n;
        }
        if (!w && !early && sent < blen) {
            fclose(bf);
            disconnect(h);
            return sk_fail(err, SK_EINVAL, "%s: file shrank while sending", req->body_file);
        }
    }
    if (bf) fclose(bf);
    if (w && !reused && w != ETIMEDOUT && answer_waiting(h)) {
        early = true; /* the server closed on us, but said why first */
        w = 0;
    }
    if (w) {
        disconnect(h);
        if (reused && w != ETIMEDOUT) {
            *retry = true;
            return SK_ECLOSED;
        }
        if (w == ETIMEDOUT)
            return sk_fail(err, SK_ETIMEDOUT,
                           "Unable to connect to the server: net/http: request canceled "
                           "(Client.Timeout exceeded while awaiting headers)");
        return sk_fail(err, SK_ECLOSED, "Unable to connect to the server: write tcp %s: %s",
                       h->hostport, strerror(w));
    }
    http_parser p;
    http_parser_init(&p, HTTP_RESPONSE);
    http_parser_settings s;
    http_parser_settings_init(&s);
    s.on_header_field = on_hfield;
    s.on_header_value = on_hvalue;
    s.on_headers_complete = on_headers_complete;
    s.on_body = on_body;
    s.on_message_complete = on_complete;
    struct xfer x = {.req = req, .resp = resp, .max = req->max_body ? req->max_body : 64u << 20};
    p.data = &x;
    char *buf = sk_xmalloc(65536);
    size_t got_any = 0;
    sk_err rc = SK_OK;
    while (!x.done && !x.upgrade) {
        ssize_t r = read_some(h, buf, 65536, deadline);
        if (r < 0) {
            disconnect(h);
            if (-r == ETIMEDOUT)
                rc = sk_fail(err, SK_ETIMEDOUT,
                             "Unable to connect to the server: net/http: request canceled "
                             "(Client.Timeout exceeded while awaiting headers)");
            else if (reused && !got_any)
                *retry = true, rc = SK_ECLOSED;
            else
                rc = sk_fail(err, SK_ECLOSED, "Unable to connect to the server: read tcp %s: %s",
                             h->hostport, strerror((int)-r));
            break;
        }
        got_any += (size_t)r;
        size_t used = http_parser_execute(&p, &s, buf, (size_t)r);
        if (r == 0) {
            if (!x.done) {
                disconnect(h);
                if (reused && !got_any) {
                    *retry = true;
                    rc = SK_ECLOSED;
                } else {
                    rc = sk_fail(err, SK_ECLOSED, "Unable to connect to the server: EOF");
                }
            }
            break;
        }
        enum http_errno he = HTTP_PARSER_ERRNO(&p);
        if (x.aborted || x.too_big) break;
        if (x.upgrade || (x.done && he == HPE_PAUSED)) {
            if (used < (size_t)r) {
                h->extra = sk_xmalloc((size_t)r - used);
                memcpy(h->extra, buf + used, (size_t)r - used);
                h->extra_len = (size_t)r - used;
                h->extra_off = 0;
            }
            break;
        }
        if (he != HPE_OK) {
            disconnect(h);
            rc = sk_fail(err, SK_EPROTO, "malformed HTTP response from %s: %s", h->hostport,
                         http_errno_description(he));
            break;
        }
    }
    free(buf);
    sk_buf_free(&x.hfield);
    sk_buf_free(&x.hvalue);
    if (!rc && x.aborted) {
        disconnect(h);
        rc = sk_fail(err, SK_ECLOSED, "transfer from %s%s stopped", h->hostport, req->path);
    } else if (!rc && x.too_big) {
        disconnect(h);
        rc = sk_fail(err, SK_ETOOBIG, "response from %s%s is over %zu bytes", h->hostport,
                     req->path, x.max);
    }
    if (rc) {
        sk_buf_free(&x.body);
        free(resp->header);
        resp->header = NULL;
        return rc;
    }
    if (x.upgrade && !keep_upgrade) disconnect(h);
    if (!x.upgrade && (!x.keep_alive || h->extra_len || early)) disconnect(h);
    if (x.body.len || !req->on_data) resp->body = sk_buf_take(&x.body, &resp->body_len);
    sk_buf_free(&x.body);
    return SK_OK;
}

static sk_err run(struct sk_khttp *h, const struct sk_kreq *req, struct sk_kresp *resp,
                  bool keep_upgrade, struct sk_error **err)
{
    memset(resp, 0, sizeof(*resp));
    for (int attempt = 0; attempt < 2; attempt++) {
        bool reused = h->fd >= 0;
        if (!reused) {
            double deadline = req->timeout > 0 ? mono() + req->timeout : 0;
            sk_err rc = do_connect(h, deadline, err);
            if (rc) return rc;
        }
        bool retry = false;
        sk_err rc = exchange(h, req, resp, reused, &retry, keep_upgrade, err);
        if (!rc || !retry) return rc;
        memset(resp, 0, sizeof(*resp));
    }
    return sk_fail(err, SK_ECLOSED, "Unable to connect to the server: EOF");
}

sk_err sk_khttp_do(struct sk_khttp *h, const struct sk_kreq *req, struct sk_kresp *resp,
                   struct sk_error **err)
{
    return run(h, req, resp, false, err);
}

sk_err sk_khttp_upgrade(struct sk_khttp *h, const struct sk_kreq *req, struct sk_kresp *resp,
                        struct sk_error **err)
{
    /* an upgrade always starts on a fresh connection */
    disconnect(h);
    return run(h, req, resp, true, err);
}

ssize_t sk_khttp_read(struct sk_khttp *h, void *buf, size_t n, int timeout_ms)
{
    if (h->extra_off < h->extra_len) {
        size_t k = h->extra_len - h->extra_off;
        if (k > n) k = n;
        memcpy(buf, h->extra + h->extra_off, k);
        h->extra_off += k;
        return (ssize_t)k;
    }
    if (h->fd < 0) return -1;
    double deadline = timeout_ms < 0 ? 0 : mono() + timeout_ms / 1000.0 + 1e-9;
    if (timeout_ms == 0) deadline = mono() + 1e-6;
    ssize_t r = read_some(h, buf, n, deadline);
    return r < 0 ? -1 : r;
}

sk_err sk_khttp_write(struct sk_khttp *h, const void *p, size_t n, struct sk_error **err)
{
    if (h->fd < 0) return sk_fail(err, SK_ECLOSED, "connection to %s is closed", h->hostport);
    int w = write_all(h, p, n, 0);
    if (w) return sk_fail(err, SK_ECLOSED, "write to %s: %s", h->hostport, strerror(w));
    return SK_OK;
}

int sk_khttp_fd(const struct sk_khttp *h)
{
    return h->fd;
}

bool sk_khttp_pending(const struct sk_khttp *h)
{
    return h->extra_off < h->extra_len || (h->ssl && SSL_pending(h->ssl) > 0);
}

bool sk_khttp_resumed(const struct sk_khttp *h)
{
    return h->resumed;
}

const char *sk_khttp_session_file(const struct sk_khttp *h)
{
    return h->sess_path;
}
