/* The CLI's lean HTTP/1.1 client over mbedtls (TLS 1.2; mbedtls 2.28 has
 * no TLS 1.3) and http-parser: a non-blocking socket driven with poll() so
 * that every wait honours the request's deadline, one keep-alive
 * connection reused across requests. */
#include "khttp.h"
#include "mem.h"
#include "tls.h"
#include "val.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <http_parser.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
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

/* The system's CA bundle, used when the kubeconfig names no CA (as Go's
 * crypto/x509 finds it on Debian). */
#define SYSTEM_CA_FILE "/etc/ssl/certs/ca-certificates.crt"
#define SYSTEM_CA_DIR  "/etc/ssl/certs"

struct sk_khttp {
    bool tls;
    char *host, *port, *prefix, *hostport;
    /* the name the server's certificate must carry: tls-server-name, else
     * the URL's host; an IP address is no SNI and is checked by verify_cb */
    char *name;
    bool name_is_ip;
    unsigned char ip[16]; /* the name's address when name_is_ip */
    size_t ip_len;        /* 4 or 16 */
    char *token;
    int fd;
    int io_errno; /* errno of the last failed send/recv under TLS */
    /* TLS: one configuration, one context reused across reconnects */
    bool insecure;
    mbedtls_ssl_config conf;
    mbedtls_ssl_context ssl;
    bool ssl_setup; /* ssl holds its record buffers (mbedtls_ssl_setup done) */
    bool ssl_live;  /* a handshake completed on the current connection */
    mbedtls_x509_crt ca, own_cert;
    mbedtls_pk_context own_key;
    /* CAs are parsed only when a full handshake needs them (load_cas) */
    char *ca_data, *ca_file;
    size_t ca_len;
    bool ca_loaded;
    char *ca_err;        /* why the CAs did not load, for the handshake's error */
    char *name_err;      /* why the certificate does not fit the host (Go's words) */
    char *sess_path;     /* the TLS session cache file, or NULL */
    unsigned char *sess; /* the session to offer next (session_save bytes), or NULL */
    size_t sess_len;
    bool sess_tried; /* the cache file was read (once per process) */
    bool resumed;    /* the last handshake resumed a session */
    /* bytes read past the end of a response (after a 101: the stream's) */
    char *extra;
    size_t extra_len, extra_off;
};

static void disconnect(struct sk_khttp *h);

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
    bool v6 = strchr(h->host, ':') != NULL;
    h->hostport = sk_xasprintf("%s%s%s:%s", v6 ? "[" : "", h->host, v6 ? "]" : "", h->port);
    return SK_OK;
}

static const char *mbed_err(int rc, char *buf, size_t n)
{
    mbedtls_strerror(rc, buf, n);
    return buf;
}

/* Parsing CAs (a bundle of ~140 for the system store) costs more than the
 * rest of a resumed run, and a resumed session verifies no certificate:
 * so the CAs are parsed when the handshake reaches the server's
 * certificate (see handshake). */
static void load_cas(struct sk_khttp *h)
{
    h->ca_loaded = true;
    char eb[160];
    int rc;
    if (h->ca_data) {
        /* PEM parsing wants the terminating NUL counted */
        rc = mbedtls_x509_crt_parse(&h->ca, (const unsigned char *)h->ca_data, h->ca_len + 1);
        if (rc < 0 || !h->ca.raw.p)
            h->ca_err = sk_xstrdup("certificate-authority-data holds no PEM certificate");
    } else if (h->ca_file) {
        rc = mbedtls_x509_crt_parse_file(&h->ca, h->ca_file);
        if (rc < 0 || !h->ca.raw.p)
            h->ca_err = sk_xasprintf("unable to read certificate-authority %s: %s", h->ca_file,
                                     rc < 0 ? mbed_err(rc, eb, sizeof(eb)) : "no certificate");
    } else {
        rc = mbedtls_x509_crt_parse_file(&h->ca, SYSTEM_CA_FILE);
        if (rc < 0 || !h->ca.raw.p) rc = mbedtls_x509_crt_parse_path(&h->ca, SYSTEM_CA_DIR);
        /* no system CAs: the handshake fails as "signed by unknown authority" */
    }
}

/* ::ffff:0:0/96, IPv4 addresses in IPv6 form */
static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* Whether the certificate's subject CN is host (Go's legacy-CN hint). */
static bool cn_is(const mbedtls_x509_crt *crt, const char *host)
{
    for (const mbedtls_x509_name *n = &crt->subject; n; n = n->next)
        if (!MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &n->oid) && n->val.len == strlen(host) &&
            !strncasecmp((const char *)n->val.p, host, n->val.len))
            return true;
    return false;
}

/* Go's wording of a name mismatch (crypto/x509 HostnameError), from the
 * leaf certificate's subjectAltNames. */
static char *name_mismatch_text(const struct sk_khttp *h, const mbedtls_x509_crt *crt)
{
    struct sk_buf b = {0};
    bool has_san = crt->ext_types & MBEDTLS_X509_EXT_SUBJECT_ALT_NAME;
    for (const mbedtls_x509_sequence *s = has_san ? &crt->subject_alt_names : NULL; s;
         s = s->next) {
        const mbedtls_x509_buf *v = &s->buf;
        char a[INET6_ADDRSTRLEN];
        if (h->name_is_ip && v->tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7)) {
            if (v->len == 4)
                inet_ntop(AF_INET, v->p, a, sizeof(a));
            else if (v->len == 16 && !memcmp(v->p, v4mapped, 12))
                inet_ntop(AF_INET, v->p + 12, a, sizeof(a)); /* Go prints these as IPv4 */
            else if (v->len == 16)
                inet_ntop(AF_INET6, v->p, a, sizeof(a));
            else
                continue;
            sk_buf_printf(&b, "%s%s", b.len ? ", " : "", a);
        } else if (!h->name_is_ip && v->tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2)) {
            sk_buf_printf(&b, "%s%.*s", b.len ? ", " : "", (int)v->len, (const char *)v->p);
        }
    }
    char *t;
    if (!has_san && cn_is(crt, h->name))
        t = sk_xstrdup("x509: certificate relies on legacy Common Name field, use SANs instead");
    else if (h->name_is_ip && !b.len)
        t = sk_xasprintf("x509: cannot validate certificate for %s because it doesn't contain "
                         "any IP SANs",
                         h->name);
    else if (!b.len)
        t = sk_xasprintf("x509: certificate is not valid for any names, but wanted to match %s",
                         h->name);
    else
        t = sk_xasprintf("x509: certificate is valid for %.*s, not %s", (int)b.len, b.p, h->name);
    sk_buf_free(&b);
    return t;
}

/* Whether the certificate carries h's address as an iPAddress SAN, which
 * mbedtls 2.28 does not check (it matches dNSName SANs and the CN only).
 * An IPv4 host also matches its IPv4-mapped IPv6 form, as Go's net.IP. */
static bool ip_san_match(const struct sk_khttp *h, const mbedtls_x509_crt *crt)
{
    if (!(crt->ext_types & MBEDTLS_X509_EXT_SUBJECT_ALT_NAME)) return false;
    unsigned char want[16];
    if (h->ip_len == 4) {
        memcpy(want, v4mapped, 12);
        memcpy(want + 12, h->ip, 4);
    } else {
        memcpy(want, h->ip, 16);
    }
    for (const mbedtls_x509_sequence *s = &crt->subject_alt_names; s; s = s->next) {
        const mbedtls_x509_buf *v = &s->buf;
        if (v->tag != (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7)) continue;
        if (v->len == 4 && !memcmp(v->p, want + 12, 4) && !memcmp(want, v4mapped, 12)) return true;
        if (v->len == 16 && !memcmp(v->p, want, 16)) return true;
    }
    return false;
}

/* Called by mbedtls for each certificate of the verified chain, the
 * server's own last (depth 0): the host check Go makes, on that one. */
static int verify_cb(void *arg, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
    struct sk_khttp *h = arg;
    if (depth != 0) return 0;
    bool bad;
    if (h->name_is_ip) {
        bad = !ip_san_match(h, crt);
    } else {
        /* mbedtls checked the dNSName SANs (mbedtls_ssl_set_hostname);
         * like Go, a certificate without SANs is refused even when its CN
         * matches */
        bad = (*flags & MBEDTLS_X509_BADCERT_CN_MISMATCH) ||
              !(crt->ext_types & MBEDTLS_X509_EXT_SUBJECT_ALT_NAME);
    }
    if (bad) {
        *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
        free(h->name_err);
        h->name_err = name_mismatch_text(h, crt);
    }
    return 0;
}

/* ---- TLS session cache ----
 *
 * A full handshake is most of a CLI run's CPU with mbedtls (54 M of the
 * 62 M instructions of `get pods`): the ECDHE exchange, two ECDSA
 * verifications (the chain and the key exchange) and parsing the CAs.
 * The agent issues TLS 1.2 session tickets (RFC 5077), so the CLI keeps
 * the last one in a file under kubectl's cache directory ($KUBECACHEDIR,
 * else ~/.kube/cache), 0600, named after the server and a hash of what
 * decided trust (CA, client certificate, insecure flag, the name
 * verified) and of the file's format: the next run resumes, and falls
 * back to a full, verified handshake when the ticket is refused (agent
 * restarted) or expired. Only sessions from verified handshakes are
 * saved. The file holds mbedtls_ssl_session_save bytes without the
 * server's certificate (MBEDTLS_SSL_KEEP_PEER_CERTIFICATE would keep it):
 * nothing reads it after a resumption, and leaving it out makes the file
 * 262 bytes instead of 765 and spares a resumed run three parses of it
 * (measured: 70 K instructions, 1% of `get pods`). */

/* In the file name's hash: files of another format (OpenSSL's DER
 * sessions, another mbedtls serialisation) are never read. The bytes
 * carry mbedtls's own version header too. */
#define SESS_FORMAT "mbedtls-2.28-session-v1"

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

static void sess_forget(struct sk_khttp *h)
{
    if (h->sess) mbedtls_platform_zeroize(h->sess, h->sess_len);
    free(h->sess);
    h->sess = NULL;
    h->sess_len = 0;
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
    x = fnv_str(x, SESS_FORMAT);
    x = fnv_str(x, h->host);
    x = fnv_str(x, h->port);
    x = fnv_str(x, h->name);
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
}

/* Whether s can still be offered: a ticket the server said is not past
 * its lifetime. */
static bool sess_usable(const mbedtls_ssl_session *s)
{
    if (!s->ticket || !s->ticket_len) return false;
    /* RFC 5077: a lifetime of 0 is unspecified; the server refuses a
     * ticket it no longer takes, so 2 hours is only a bound on reuse */
    int64_t life = s->ticket_lifetime ? (int64_t)s->ticket_lifetime : 7200;
    int64_t now = (int64_t)time(NULL), start = (int64_t)s->start;
    return start + life > now && start <= now + 60;
}

/* The saved session for this server into h->sess, if it is still good. */
static void sess_read(struct sk_khttp *h)
{
    h->sess_tried = true;
    if (!h->sess_path) return;
    int fd = open(h->sess_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return;
    unsigned char buf[8192];
    struct stat st;
    ssize_t n = -1;
    if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_uid == geteuid() && !(st.st_mode & 077))
        n = read(fd, buf, sizeof(buf));
    close(fd);
    if (n > 0 && n < (ssize_t)sizeof(buf)) {
        mbedtls_ssl_session s;
        mbedtls_ssl_session_init(&s);
        if (!mbedtls_ssl_session_load(&s, buf, (size_t)n) && sess_usable(&s)) {
            h->sess = sk_xmalloc((size_t)n);
            memcpy(h->sess, buf, (size_t)n);
            h->sess_len = (size_t)n;
        }
        mbedtls_ssl_session_free(&s);
    }
    mbedtls_platform_zeroize(buf, sizeof(buf));
}

static void sess_write_file(const struct sk_khttp *h)
{
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
        bool ok = write(fd, h->sess, h->sess_len) == (ssize_t)h->sess_len;
        ok = !close(fd) && ok;
        if (!ok || rename(tmp, h->sess_path)) unlink(tmp);
    }
    free(tmp);
    free(dir);
}

/* After a handshake: keep the connection's session for the next
 * connection and the next run, when it came from a verified handshake
 * (or a resumption of one) and carries a ticket. */
static void sess_keep(struct sk_khttp *h)
{
    if (h->insecure || mbedtls_ssl_get_verify_result(&h->ssl) != 0) return;
    mbedtls_ssl_session s;
    mbedtls_ssl_session_init(&s);
    if (mbedtls_ssl_get_session(&h->ssl, &s) || !sess_usable(&s)) {
        mbedtls_ssl_session_free(&s);
        return;
    }
    /* without the server's certificate (see above) */
    if (s.peer_cert) {
        mbedtls_x509_crt_free(s.peer_cert);
        mbedtls_free(s.peer_cert);
        s.peer_cert = NULL;
    }
    size_t n = 0;
    unsigned char *buf = NULL;
    if (mbedtls_ssl_session_save(&s, NULL, 0, &n) == MBEDTLS_ERR_SSL_BUFFER_TOO_SMALL && n &&
        n < 8192) {
        buf = sk_xmalloc(n);
        if (mbedtls_ssl_session_save(&s, buf, n, &n)) {
            mbedtls_platform_zeroize(buf, n);
            free(buf);
            buf = NULL;
        }
    }
    mbedtls_ssl_session_free(&s);
    if (!buf) return;
    sess_forget(h);
    h->sess = buf;
    h->sess_len = n;
    /* A resumption writes nothing, though the agent renews the ticket each
     * time: the session keeps its start time, so the renewed ticket would
     * not live longer in the file, and a write per CLI run is flash wear. */
    if (!h->resumed && h->sess_path) sess_write_file(h);
}

static sk_err setup_tls(struct sk_khttp *h, const struct sk_kconn *c, struct sk_error **err)
{
    char eb[160];
    mbedtls_ssl_config_init(&h->conf);
    mbedtls_ssl_init(&h->ssl);
    mbedtls_x509_crt_init(&h->ca);
    mbedtls_x509_crt_init(&h->own_cert);
    mbedtls_pk_init(&h->own_key);
    int rc = mbedtls_ssl_config_defaults(&h->conf, MBEDTLS_SSL_IS_CLIENT,
                                         MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
    if (rc) return sk_fail(err, SK_EINTERNAL, "set up TLS: %s", mbed_err(rc, eb, sizeof(eb)));
    mbedtls_ssl_conf_rng(&h->conf, sk_tls_random, NULL);
    /* TLS 1.2 only: mbedtls 2.28 has no TLS 1.3, and nothing older is safe */
    mbedtls_ssl_conf_min_version(&h->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                                 MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_max_version(&h->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                                 MBEDTLS_SSL_MINOR_VERSION_3);
    /* forward-secret AEAD suites only, as kube-apiserver and the agent
     * offer them; ECDSA first (the agent's certificates are P-256) */
    static const int suites[] = {
            MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
            MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            0,
    };
    mbedtls_ssl_conf_ciphersuites(&h->conf, suites);
    /* the key exchange's curve: X25519 first, measured the cheapest with
     * mbedtls's portable bignum code (`get pods` with a full handshake:
     * 65.7 M instructions, 66.4 M with P-256; the two ECDSA verifications
     * of a P-256 server, 36 M, are most of either). The list also bounds
     * the curves of the server's certificate: P-256 to P-521, as Go's. */
    static const mbedtls_ecp_group_id curves[] = {
            MBEDTLS_ECP_DP_CURVE25519, MBEDTLS_ECP_DP_SECP256R1, MBEDTLS_ECP_DP_SECP384R1,
            MBEDTLS_ECP_DP_SECP521R1,  MBEDTLS_ECP_DP_NONE,
    };
    mbedtls_ssl_conf_curves(&h->conf, curves);
    static const char *alpn[] = {"http/1.1", NULL};
    mbedtls_ssl_conf_alpn_protocols(&h->conf, alpn);
    mbedtls_ssl_conf_session_tickets(&h->conf, MBEDTLS_SSL_SESSION_TICKETS_ENABLED);
    mbedtls_ssl_conf_renegotiation(&h->conf, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
    h->insecure = c->insecure;
    if (c->insecure) {
        mbedtls_ssl_conf_authmode(&h->conf, MBEDTLS_SSL_VERIFY_NONE);
    } else {
        mbedtls_ssl_conf_authmode(&h->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
        /* checked now, parsed when needed: a resumed session needs none */
        if (c->ca_data) {
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
        mbedtls_ssl_conf_ca_chain(&h->conf, &h->ca, NULL);
    }
    sess_setup(h, c);
    bool have_cert = false, have_key = false;
    if (c->cert_data) {
        char *pem = sk_xmalloc(c->cert_len + 1);
        memcpy(pem, c->cert_data, c->cert_len);
        pem[c->cert_len] = 0;
        rc = mbedtls_x509_crt_parse(&h->own_cert, (unsigned char *)pem, c->cert_len + 1);
        free(pem);
        if (rc || !h->own_cert.raw.p)
            return sk_fail(err, SK_EINVAL, "client-certificate-data is not a PEM certificate");
        have_cert = true;
    } else if (c->cert_file) {
        rc = mbedtls_x509_crt_parse_file(&h->own_cert, c->cert_file);
        if (rc || !h->own_cert.raw.p)
            return sk_fail(err, SK_EINVAL, "unable to read client-cert %s: %s", c->cert_file,
                           rc ? mbed_err(rc, eb, sizeof(eb)) : "no certificate");
        have_cert = true;
    }
    if (c->key_data) {
        unsigned char *pem = sk_xmalloc(c->key_len + 1);
        memcpy(pem, c->key_data, c->key_len);
        pem[c->key_len] = 0;
        rc = mbedtls_pk_parse_key(&h->own_key, pem, c->key_len + 1, NULL, 0);
        mbedtls_platform_zeroize(pem, c->key_len + 1);
        free(pem);
        if (rc) return sk_fail(err, SK_EINVAL, "client-key-data is not a PEM private key");
        have_key = true;
    } else if (c->key_file) {
        rc = mbedtls_pk_parse_keyfile(&h->own_key, c->key_file, NULL);
        if (rc)
            return sk_fail(err, SK_EINVAL, "unable to read client-key %s: %s", c->key_file,
                           mbed_err(rc, eb, sizeof(eb)));
        have_key = true;
    }
    if (have_cert && have_key) {
        if (mbedtls_pk_check_pair(&h->own_cert.pk, &h->own_key))
            return sk_fail(err, SK_EINVAL, "client certificate and client key do not match");
        rc = mbedtls_ssl_conf_own_cert(&h->conf, &h->own_cert, &h->own_key);
        if (rc)
            return sk_fail(err, SK_EINVAL, "client certificate: %s", mbed_err(rc, eb, sizeof(eb)));
    } else if (have_cert != have_key) {
        return sk_fail(err, SK_EINVAL, "client certificate without a client key, or the reverse");
    }
    return SK_OK;
}

sk_err sk_khttp_new(const struct sk_kconn *conn, struct sk_khttp **out, struct sk_error **err)
{
    struct sk_khttp *h = sk_xcalloc(1, sizeof(*h));
    h->fd = -1;
    sk_err rc = parse_url(h, conn->server ? conn->server : "", err);
    if (!rc) {
        const char *n = conn->tls_server_name;
        h->name = sk_xstrdup(n && *n ? n : h->host);
        if (inet_pton(AF_INET, h->name, h->ip) == 1) {
            h->name_is_ip = true;
            h->ip_len = 4;
        } else if (inet_pton(AF_INET6, h->name, h->ip) == 1) {
            h->name_is_ip = true;
            h->ip_len = 16;
        }
    }
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
    if (h->ssl_live) {
        /* a courtesy close_notify; the socket is non-blocking, so this
         * never waits */
        mbedtls_ssl_close_notify(&h->ssl);
        h->ssl_live = false;
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
    if (h->tls) {
        mbedtls_ssl_free(&h->ssl);
        mbedtls_ssl_config_free(&h->conf);
        mbedtls_x509_crt_free(&h->ca);
        mbedtls_x509_crt_free(&h->own_cert);
        mbedtls_pk_free(&h->own_key); /* wipes the key */
    }
    sess_forget(h);
    free(h->host);
    free(h->name);
    free(h->port);
    free(h->prefix);
    free(h->hostport);
    if (h->token) mbedtls_platform_zeroize(h->token, strlen(h->token));
    free(h->token);
    free(h->ca_data);
    free(h->ca_file);
    free(h->ca_err);
    free(h->name_err);
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

/* mbedtls's transport: the non-blocking socket. send never raises
 * SIGPIPE (MSG_NOSIGNAL), so a server that closed cannot kill the CLI. */
static int bio_send(void *arg, const unsigned char *p, size_t n)
{
    struct sk_khttp *h = arg;
    ssize_t w = send(h->fd, p, n, MSG_NOSIGNAL);
    if (w >= 0) return (int)w;
    if (errno == EAGAIN || errno == EINTR) return MBEDTLS_ERR_SSL_WANT_WRITE;
    h->io_errno = errno;
    return errno == EPIPE || errno == ECONNRESET ? MBEDTLS_ERR_NET_CONN_RESET
                                                 : MBEDTLS_ERR_NET_SEND_FAILED;
}

static int bio_recv(void *arg, unsigned char *p, size_t n)
{
    struct sk_khttp *h = arg;
    ssize_t r = recv(h->fd, p, n, 0);
    if (r >= 0) return (int)r;
    if (errno == EAGAIN || errno == EINTR) return MBEDTLS_ERR_SSL_WANT_READ;
    h->io_errno = errno;
    return errno == ECONNRESET ? MBEDTLS_ERR_NET_CONN_RESET : MBEDTLS_ERR_NET_RECV_FAILED;
}

static sk_err conn_fail(struct sk_error **err, int e, const char *what, const char *hostport)
{
    if (e == ETIMEDOUT)
        return sk_fail(err, SK_ETIMEDOUT,
                       "Unable to connect to the server: dial tcp %s: i/o timeout", hostport);
    return sk_fail(err, SK_ECLOSED, "Unable to connect to the server: dial tcp %s: %s: %s",
                   hostport, what, strerror(e));
}

/* kubectl's words for a certificate that failed verification (Go checks
 * validity dates, then the host, then the chain). */
static sk_err verify_fail(struct sk_khttp *h, uint32_t flags, struct sk_error **err)
{
    const char *pre = "Unable to connect to the server: tls: failed to verify certificate: ";
    if (flags & (MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE))
        return sk_fail(err, SK_ECLOSED, "%sx509: certificate has expired or is not yet valid", pre);
    if ((flags & MBEDTLS_X509_BADCERT_CN_MISMATCH) && h->name_err)
        return sk_fail(err, SK_ECLOSED, "%s%s", pre, h->name_err);
    if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED)
        return sk_fail(err, SK_ECLOSED, "%sx509: certificate signed by unknown authority", pre);
    char info[512];
    int n = mbedtls_x509_crt_verify_info(info, sizeof(info), "", flags);
    while (n > 0 && info[n - 1] == '\n')
        info[--n] = 0;
    char *nl;
    while ((nl = strchr(info, '\n')))
        *nl = ';';
    return sk_fail(err, SK_ECLOSED, "%sx509: %s", pre, n > 0 ? info : "verification failed");
}

/* The TLS handshake on h->fd, step by step: the CAs are parsed only when
 * the server sends its certificate, which a resumed session skips. */
static sk_err handshake(struct sk_khttp *h, double deadline, struct sk_error **err)
{
    char eb[160];
    int rc = 0;
    if (!h->ssl_setup) {
        rc = mbedtls_ssl_setup(&h->ssl, &h->conf);
        if (rc) return sk_fail(err, SK_EINTERNAL, "set up TLS: %s", mbed_err(rc, eb, sizeof(eb)));
        h->ssl_setup = true;
    } else if ((rc = mbedtls_ssl_session_reset(&h->ssl))) {
        return sk_fail(err, SK_EINTERNAL, "reset TLS: %s", mbed_err(rc, eb, sizeof(eb)));
    }
    mbedtls_ssl_set_bio(&h->ssl, h, bio_send, bio_recv, NULL);
    if (!h->insecure) mbedtls_ssl_set_verify(&h->ssl, verify_cb, h);
    /* a name is the SNI and what mbedtls matches the dNSName SANs with;
     * an IP address is no SNI (RFC 6066) and is checked by verify_cb */
    if (!h->name_is_ip && (rc = mbedtls_ssl_set_hostname(&h->ssl, h->name)))
        return sk_fail(err, SK_EINVAL, "TLS server name %s: %s", h->name,
                       mbed_err(rc, eb, sizeof(eb)));
    if (!h->sess_tried) sess_read(h);
    bool offered = false;
    if (h->sess) {
        mbedtls_ssl_session s;
        mbedtls_ssl_session_init(&s);
        offered = !mbedtls_ssl_session_load(&s, h->sess, h->sess_len) && sess_usable(&s) &&
                  !mbedtls_ssl_set_session(&h->ssl, &s);
        mbedtls_ssl_session_free(&s);
        if (!offered) sess_forget(h);
    }
    free(h->name_err);
    h->name_err = NULL;
    bool saw_cert = false;
    while (h->ssl.state != MBEDTLS_SSL_HANDSHAKE_OVER) {
        if (h->ssl.state == MBEDTLS_SSL_SERVER_CERTIFICATE) {
            saw_cert = true;
            if (!h->insecure && !h->ca_loaded) load_cas(h);
            if (h->ca_err) return sk_fail(err, SK_EINVAL, "%s", h->ca_err);
        }
        rc = mbedtls_ssl_handshake_step(&h->ssl);
        if (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE) {
            if (wait_fd(h->fd, rc == MBEDTLS_ERR_SSL_WANT_READ ? POLLIN : POLLOUT, deadline))
                return sk_fail(err, SK_ETIMEDOUT,
                               "Unable to connect to the server: net/http: TLS handshake timeout");
            continue;
        }
        if (rc) break;
    }
    if (rc == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED)
        return verify_fail(h, mbedtls_ssl_get_verify_result(&h->ssl), err);
    if (rc == MBEDTLS_ERR_SSL_CONN_EOF || rc == MBEDTLS_ERR_NET_CONN_RESET ||
        rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY)
        return sk_fail(err, SK_ECLOSED, "Unable to connect to the server: EOF");
    if (rc) {
        if (rc == MBEDTLS_ERR_NET_SEND_FAILED || rc == MBEDTLS_ERR_NET_RECV_FAILED)
            return sk_fail(err, SK_ECLOSED, "Unable to connect to the server: %s %s: %s",
                           rc == MBEDTLS_ERR_NET_SEND_FAILED ? "write tcp" : "read tcp",
                           h->hostport, strerror(h->io_errno));
        return sk_fail(err, SK_ECLOSED, "Unable to connect to the server: tls: %s",
                       mbed_err(rc, eb, sizeof(eb)));
    }
    h->ssl_live = true;
    h->resumed = offered && !saw_cert;
    if (!h->resumed) sess_forget(h); /* refused: the ticket is spent */
    sess_keep(h);
    return SK_OK;
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
    sk_err rc = handshake(h, cdl, err);
    if (rc) disconnect(h);
    return rc;
}

/* Whether the server has already answered (an early error answer to an
 * upload: stop sending and read it). */
static bool answer_waiting(const struct sk_khttp *h)
{
    if (h->ssl_live &&
        (mbedtls_ssl_get_bytes_avail(&h->ssl) > 0 || mbedtls_ssl_check_pending(&h->ssl)))
        return true;
    struct pollfd pf = {.fd = h->fd, .events = POLLIN};
    return poll(&pf, 1, 0) > 0 && (pf.revents & (POLLIN | POLLHUP | POLLERR));
}

/* Write everything; errno-style result (0 ok). Never raises SIGPIPE:
 * plain sends and mbedtls's (bio_send) pass MSG_NOSIGNAL. */
static int write_all(struct sk_khttp *h, const void *p, size_t n, double deadline)
{
    const unsigned char *c = p;
    while (n) {
        ssize_t w;
        if (h->ssl_live) {
            /* mbedtls wants the same arguments again after WANT_WRITE */
            int r = mbedtls_ssl_write(&h->ssl, c, n > 1u << 30 ? 1u << 30 : n);
            if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE) {
                int x = wait_fd(h->fd, r == MBEDTLS_ERR_SSL_WANT_READ ? POLLIN : POLLOUT, deadline);
                if (x) return x;
                continue;
            }
            if (r < 0) return h->io_errno && r == MBEDTLS_ERR_NET_SEND_FAILED ? h->io_errno : EPIPE;
            w = r;
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
        if (h->ssl_live) {
            int r = mbedtls_ssl_read(&h->ssl, (unsigned char *)buf, n);
            if (r > 0) return r;
            if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE) {
                int x = wait_fd(h->fd, r == MBEDTLS_ERR_SSL_WANT_READ ? POLLIN : POLLOUT, deadline);
                if (x) return -x;
                continue;
            }
            /* a close_notify, or EOF without one (as Go, not an error) */
            if (r == 0 || r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || r == MBEDTLS_ERR_SSL_CONN_EOF)
                return 0;
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
    return h->extra_off < h->extra_len ||
           (h->ssl_live &&
            (mbedtls_ssl_get_bytes_avail(&h->ssl) > 0 || mbedtls_ssl_check_pending(&h->ssl)));
}

bool sk_khttp_resumed(const struct sk_khttp *h)
{
    return h->resumed;
}

const char *sk_khttp_session_file(const struct sk_khttp *h)
{
    return h->sess_path;
}
