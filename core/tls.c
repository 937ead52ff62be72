/* The cluster PKI on disk (CA, serving certificate, admin token) with
 * mbedtls 2.28, the shared server TLS configuration (TLS 1.2 only: 2.28
 * has no 1.3), and the helpers the API's authentication needs. Everything
 * here may block on disk; see tls.h. */
#include "tls.h"
#include "log.h"
#include "mem.h"
#include "work.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <mbedtls/asn1write.h>
#include <mbedtls/constant_time.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/oid.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>
#include <mbedtls/error.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cache.h>
#include <mbedtls/ssl_ticket.h>
#include <mbedtls/x509_crt.h>
#include <stdatomic.h>
#include <sys/random.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define WHO         "tls"
#define CA_DAYS     3650
#define SERVER_DAYS 365
#define RENEW_SECS  (30 * 86400)
#define TOKEN_BYTES 32
#define MAX_FILE    (64 * 1024)
#define CLOCK_FLOOR 1704067200 /* 2024-01-01: a clock before this was never set */
#define CA_CN       "skiff-ca"
#define SERVER_CN   "skiff-apiserver"
#define TOKEN_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~+/=-"
#define TOKEN_MIN   16
#define TOKEN_MAX   4096

/* what (a format with one %s for arg) and mbedtls's text for rc. */
static sk_err fail_mbed(struct sk_error **err, sk_err code, int rc, const char *fmt,
                        const char *arg)
{
    char e[160];
    mbedtls_strerror(rc, e, sizeof(e));
    char what[1100];
    snprintf(what, sizeof(what), fmt, arg);
    return sk_fail(err, code, "%s: %s (-0x%04x)", what, e, (unsigned)-rc);
}

/* ---- files ---- */

static char *join(const char *dir, const char *name)
{
    return sk_xasprintf("%s/%s", dir, name);
}

/* Read a small regular file. SK_ENOENT when it does not exist. */
static sk_err read_small(const char *path, bool secret, char **out, size_t *len,
                         struct sk_error **err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (errno == ENOENT) return SK_ENOENT;
        return sk_fail_sys(err, errno, "open %s", path);
    }
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > MAX_FILE) {
        close(fd);
        return sk_fail(err, SK_ECORRUPT, "%s: not a regular file of at most %d bytes", path,
                       MAX_FILE);
    }
    if (secret && (st.st_mode & 077))
        SK_WARN(WHO, "file=%s mode=%04o is readable by others; chmod 600 it", path,
                (unsigned)(st.st_mode & 07777));
    char *buf = sk_xmalloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int e = n < 0 ? errno : EIO;
            free(buf);
            close(fd);
            return sk_fail_sys(err, e, "read %s", path);
        }
        got += (size_t)n;
    }
    close(fd);
    buf[got] = 0;
    *out = buf;
    *len = got;
    return SK_OK;
}

static sk_err fsync_dir(const char *dir, struct sk_error **err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return sk_fail_sys(err, errno, "open %s", dir);
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    return rc ? sk_fail_sys(err, e, "fsync %s", dir) : SK_OK;
}

/* Replace dir/name with data, 0600, so that after a crash the file is
 * either the old one or the new one, never a part. */
static sk_err write_atomic(const char *dir, const char *name, const void *data, size_t len,
                           struct sk_error **err)
{
    char *tmp = sk_xasprintf("%s/.%s.tmp-XXXXXX", dir, name);
    char *path = join(dir, name);
    sk_err rc = SK_OK;
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        rc = sk_fail_sys(err, errno, "create %s", tmp);
        goto out;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, (const char *)data + off, len - off);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            rc = sk_fail_sys(err, errno, "write %s", tmp);
            break;
        }
        off += (size_t)n;
    }
    if (!rc && fchmod(fd, 0600)) rc = sk_fail_sys(err, errno, "chmod %s", tmp);
    if (!rc && fsync(fd)) rc = sk_fail_sys(err, errno, "fsync %s", tmp);
    if (close(fd) && !rc) rc = sk_fail_sys(err, errno, "close %s", tmp);
    if (!rc && rename(tmp, path)) rc = sk_fail_sys(err, errno, "rename %s to %s", tmp, path);
    if (rc)
        unlink(tmp);
    else
        rc = fsync_dir(dir, err);
out:
    free(tmp);
    free(path);
    return rc;
}

/* Temporary files a crash left behind. */
static void clean_temps(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] == '.' && strstr(e->d_name, ".tmp-")) unlinkat(dirfd(d), e->d_name, 0);
    closedir(d);
}

static sk_err make_dir(const char *dir, struct sk_error **err)
{
    if (mkdir(dir, 0700) && errno != EEXIST) return sk_fail_sys(err, errno, "mkdir %s", dir);
    struct stat st;
    if (lstat(dir, &st)) return sk_fail_sys(err, errno, "stat %s", dir);
    if (!S_ISDIR(st.st_mode)) return sk_fail(err, SK_ECORRUPT, "%s: not a directory", dir);
    if ((st.st_mode & 077) && chmod(dir, 0700)) return sk_fail_sys(err, errno, "chmod 700 %s", dir);
    return SK_OK;
}

/* ---- PEM ---- */

static sk_err load_key(const char *path, mbedtls_pk_context *key, struct sk_error **err)
{
    char *data;
    size_t len;
    sk_err rc = read_small(path, true, &data, &len, err);
    if (rc) return rc;
    /* PKCS#8 or SEC1; the length counts the NUL, as mbedtls wants for PEM.
     * No password: an encrypted key is an error, never a prompt. */
    int mrc = mbedtls_pk_parse_key(key, (const unsigned char *)data, len + 1, NULL, 0);
    mbedtls_platform_zeroize(data, len);
    free(data);
    if (mrc) {
        char e[160];
        mbedtls_strerror(mrc, e, sizeof(e));
        return sk_fail(err, SK_ECORRUPT, "%s: not an unencrypted PEM private key (%s)", path, e);
    }
    return SK_OK;
}

static sk_err load_cert(const char *path, mbedtls_x509_crt *crt, struct sk_error **err)
{
    char *data;
    size_t len;
    sk_err rc = read_small(path, false, &data, &len, err);
    if (rc) return rc;
    int mrc = mbedtls_x509_crt_parse(crt, (const unsigned char *)data, len + 1);
    free(data);
    if (mrc) {
        char e[160];
        if (mrc > 0)
            snprintf(e, sizeof(e), "%d certificate(s) in it do not parse", mrc);
        else
            mbedtls_strerror(mrc, e, sizeof(e));
        return sk_fail(err, SK_ECORRUPT, "%s: not a PEM certificate (%s)", path, e);
    }
    return SK_OK;
}

static sk_err save_key(const char *dir, const char *name, mbedtls_pk_context *k,
                       struct sk_error **err)
{
    unsigned char pem[1024]; /* a P-256 key in SEC1 PEM is about 230 bytes */
    int mrc = mbedtls_pk_write_key_pem(k, pem, sizeof(pem));
    sk_err rc = mrc ? fail_mbed(err, SK_EINTERNAL, mrc, "encode private key %s", name)
                    : write_atomic(dir, name, pem, strlen((const char *)pem), err);
    mbedtls_platform_zeroize(pem, sizeof(pem));
    return rc;
}

/* ---- certificates ---- */

static sk_err new_key(mbedtls_pk_context *k, struct sk_error **err)
{
    int rc = mbedtls_pk_setup(k, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
    if (!rc)
        rc = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*k), sk_tls_random, NULL);
    return rc ? fail_mbed(err, SK_EINTERNAL, rc, "%s", "generate an EC P-256 key") : SK_OK;
}

/* The DER of subjectAltName for names: each an iPAddress when the text
 * parses as one, else a dNSName. mbedtls 2.28 has no helper for this
 * extension. Written back to front, as asn1write does; *der points into
 * buf. */
static int san_der(char **names, unsigned char *buf, size_t size, unsigned char **der)
{
    unsigned char *p = buf + size;
    size_t total = 0;
    size_t n = 0;
    while (names[n])
        n++;
    for (size_t i = n; i-- > 0;) {
        unsigned char ip[16];
        const unsigned char *v = ip;
        size_t vlen;
        unsigned char tag;
        if (inet_pton(AF_INET, names[i], ip) == 1) {
            vlen = 4;
            tag = MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7; /* iPAddress [7] OCTET STRING */
        } else if (inet_pton(AF_INET6, names[i], ip) == 1) {
            vlen = 16;
            tag = MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7;
        } else {
            v = (const unsigned char *)names[i];
            vlen = strlen(names[i]);
            tag = MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2; /* dNSName [2] IA5String */
        }
        int r;
        size_t len = 0;
        if ((r = mbedtls_asn1_write_raw_buffer(&p, buf, v, vlen)) < 0) return r;
        len += (size_t)r;
        if ((r = mbedtls_asn1_write_len(&p, buf, len)) < 0) return r;
        len += (size_t)r;
        if ((r = mbedtls_asn1_write_tag(&p, buf, tag)) < 0) return r;
        len += (size_t)r;
        total += len;
    }
    int r;
    if ((r = mbedtls_asn1_write_len(&p, buf, total)) < 0) return r;
    total += (size_t)r;
    if ((r = mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) < 0)
        return r;
    total += (size_t)r;
    *der = p;
    return (int)total;
}

/* "YYYYMMDDhhmmss" in UTC, as mbedtls_x509write_crt_set_validity wants. */
static void x509_time_text(time_t t, char out[16])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 16, "%Y%m%d%H%M%S", &tm);
}

static sk_err make_cert_fail(struct sk_error **err, int rc, bool ca, const char *step)
{
    return fail_mbed(err, SK_EINTERNAL, rc,
                     ca ? "make CA certificate (%s)" : "make serving certificate (%s)", step);
}

/* A certificate for key, as PEM in *pem (free it): a self-signed CA when
 * issuer is NULL, else a serving certificate for names signed by
 * issuer/issuer_key. */
static sk_err make_cert(mbedtls_pk_context *key, const mbedtls_x509_crt *issuer,
                        mbedtls_pk_context *issuer_key, char **names, char **pem,
                        struct sk_error **err)
{
    bool ca = !issuer;
    *pem = NULL;
    mbedtls_x509write_cert w;
    mbedtls_x509write_crt_init(&w);
    mbedtls_mpi serial;
    mbedtls_mpi_init(&serial);
    unsigned char *san = NULL, *out = NULL;
    size_t san_size = 16, out_size = 4096;
    sk_err res = SK_OK;
    int rc;
    const char *step;

    /* 16 random bytes, the top bit clear so the INTEGER stays positive in
     * 16 bytes, never zero */
    unsigned char sb[16];
    step = "serial";
    if ((rc = sk_tls_random(NULL, sb, sizeof(sb)))) goto fail;
    sb[0] = (unsigned char)((sb[0] & 0x7f) | 0x01);
    if ((rc = mbedtls_mpi_read_binary(&serial, sb, sizeof(sb)))) goto fail;
    step = "fields";
    char nb[16], na[16];
    time_t now = time(NULL);
    /* an hour back, for nodes whose clocks disagree a little */
    x509_time_text(now - 3600, nb);
    x509_time_text(now + (time_t)(ca ? CA_DAYS : SERVER_DAYS) * 86400, na);
    char issuer_name[256];
    if (!ca) {
        rc = mbedtls_x509_dn_gets(issuer_name, sizeof(issuer_name), &issuer->subject);
        if (rc < 0) goto fail;
    }
    mbedtls_x509write_crt_set_version(&w, MBEDTLS_X509_CRT_VERSION_3);
    mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
    mbedtls_x509write_crt_set_subject_key(&w, key);
    mbedtls_x509write_crt_set_issuer_key(&w, ca ? key : issuer_key);
    if ((rc = mbedtls_x509write_crt_set_serial(&w, &serial)) ||
        (rc = mbedtls_x509write_crt_set_validity(&w, nb, na)) ||
        (rc = mbedtls_x509write_crt_set_subject_name(&w, ca ? "CN=" CA_CN : "CN=" SERVER_CN)) ||
        (rc = mbedtls_x509write_crt_set_issuer_name(&w, ca ? "CN=" CA_CN : issuer_name)))
        goto fail;
    step = "extensions";
    if ((rc = mbedtls_x509write_crt_set_subject_key_identifier(&w))) goto fail;
    if (ca) {
        /* basicConstraints CA:TRUE (critical), no path length limit */
        if ((rc = mbedtls_x509write_crt_set_basic_constraints(&w, 1, -1)) ||
            (rc = mbedtls_x509write_crt_set_key_usage(&w, MBEDTLS_X509_KU_DIGITAL_SIGNATURE |
                                                                  MBEDTLS_X509_KU_KEY_CERT_SIGN |
                                                                  MBEDTLS_X509_KU_CRL_SIGN)))
            goto fail;
    } else {
        /* basicConstraints CA:FALSE, critical: an empty SEQUENCE (the
         * helper would write it non-critical) */
        static const unsigned char bc[] = {0x30, 0x00};
        /* extendedKeyUsage serverAuth: SEQUENCE { OID id-kp-serverAuth } */
        static const unsigned char eku[] = {0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06,
                                            0x01, 0x05, 0x05, 0x07, 0x03, 0x01};
        _Static_assert(sizeof(MBEDTLS_OID_SERVER_AUTH) - 1 == 8, "id-kp-serverAuth is 8 bytes");
        if ((rc = mbedtls_x509write_crt_set_extension(
                     &w, MBEDTLS_OID_BASIC_CONSTRAINTS,
                     MBEDTLS_OID_SIZE(MBEDTLS_OID_BASIC_CONSTRAINTS), 1, bc, sizeof(bc))) ||
            (rc = mbedtls_x509write_crt_set_key_usage(&w, MBEDTLS_X509_KU_DIGITAL_SIGNATURE)) ||
            (rc = mbedtls_x509write_crt_set_extension(
                     &w, MBEDTLS_OID_EXTENDED_KEY_USAGE,
                     MBEDTLS_OID_SIZE(MBEDTLS_OID_EXTENDED_KEY_USAGE), 0, eku, sizeof(eku))) ||
            (rc = mbedtls_x509write_crt_set_authority_key_identifier(&w)))
            goto fail;
        for (size_t i = 0; names[i]; i++)
            san_size += strlen(names[i]) + 8;
        san = sk_xmalloc(san_size);
        unsigned char *der;
        step = "subjectAltName";
        if ((rc = san_der(names, san, san_size, &der)) < 0) goto fail;
        if ((rc = mbedtls_x509write_crt_set_extension(
                     &w, MBEDTLS_OID_SUBJECT_ALT_NAME,
                     MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0, der, (size_t)rc)))
            goto fail;
        out_size += 2 * san_size;
    }
    step = "sign";
    out = sk_xmalloc(out_size);
    if ((rc = mbedtls_x509write_crt_pem(&w, out, out_size, sk_tls_random, NULL))) goto fail;
    *pem = (char *)out;
    out = NULL;
    goto out;
fail:
    res = make_cert_fail(err, rc, ca, step);
out:
    free(out);
    free(san);
    mbedtls_mpi_free(&serial);
    mbedtls_x509write_crt_free(&w);
    return res;
}

static sk_err check_clock(struct sk_error **err)
{
    time_t t = time(NULL);
    if (t < CLOCK_FLOOR)
        return sk_fail(err, SK_EAGAIN,
                       "the system clock says %ld seconds since 1970, before 2024: set the "
                       "clock (NTP) before the first start, certificates made now would be "
                       "invalid",
                       (long)t);
    return SK_OK;
}

static time_t x509_to_time(const mbedtls_x509_time *x)
{
    struct tm tm = {
            .tm_year = x->year - 1900,
            .tm_mon = x->mon - 1,
            .tm_mday = x->day,
            .tm_hour = x->hour,
            .tm_min = x->min,
            .tm_sec = x->sec,
    };
    return timegm(&tm);
}

/* ---- names for the SANs ---- */

static bool dns_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (!n || n > 253) return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '.'))
            return false;
    }
    return s[0] != '.' && s[0] != '-';
}

static bool is_unspecified(const char *s)
{
    unsigned char ip[16], zero[16] = {0};
    if (inet_pton(AF_INET, s, ip) == 1) return !memcmp(ip, zero, 4);
    if (inet_pton(AF_INET6, s, ip) == 1) return !memcmp(ip, zero, 16);
    return false;
}

static bool is_ip(const char *s)
{
    unsigned char ip[16];
    return inet_pton(AF_INET, s, ip) == 1 || inet_pton(AF_INET6, s, ip) == 1;
}

static void strv_push(char ***v, size_t *n, const char *s)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcasecmp((*v)[i], s)) return;
    *v = sk_xrealloc(*v, (*n + 2) * sizeof(**v));
    (*v)[(*n)++] = sk_xstrdup(s);
    (*v)[*n] = NULL;
}

void sk_tls_strv_free(char **v)
{
    if (!v) return;
    for (size_t i = 0; v[i]; i++)
        free(v[i]);
    free(v);
}

/* localhost, the node name, both loopbacks and the caller's addresses. */
static char **wanted_names(const char *node, const char *const *addrs, struct sk_error **err)
{
    char **v = NULL;
    size_t n = 0;
    strv_push(&v, &n, "localhost");
    if (node && *node) {
        if (!is_ip(node) && !dns_name_ok(node)) {
            sk_tls_strv_free(v);
            sk_fail(err, SK_EINVAL, "node name %s is not a DNS name or IP address", node);
            return NULL;
        }
        strv_push(&v, &n, node);
    }
    strv_push(&v, &n, "127.0.0.1");
    strv_push(&v, &n, "::1");
    for (size_t i = 0; addrs && addrs[i]; i++) {
        if (is_unspecified(addrs[i])) continue;
        if (!is_ip(addrs[i]) && !dns_name_ok(addrs[i])) {
            sk_tls_strv_free(v);
            sk_fail(err, SK_EINVAL, "address %s is not an IP address or DNS name", addrs[i]);
            return NULL;
        }
        strv_push(&v, &n, addrs[i]);
    }
    return v;
}

/* Whether the certificate's public key is key's, comparing the public
 * points as OpenSSL's X509_check_private_key did: mbedtls_pk_check_pair
 * also multiplies the private scalar out (8.7 M instructions each, a
 * quarter of sk_tls_ensure). A private scalar that does not fit its
 * public point still shows: sk_tls_server_new checks the serving pair
 * with mbedtls_pk_check_pair, and a certificate issued with such a CA key
 * fails the check right after issuing. */
static bool same_public_key(const mbedtls_pk_context *crt_pk, const mbedtls_pk_context *key)
{
    if (mbedtls_pk_get_type(crt_pk) == MBEDTLS_PK_ECKEY &&
        mbedtls_pk_get_type(key) == MBEDTLS_PK_ECKEY) {
        const mbedtls_ecp_keypair *a = mbedtls_pk_ec(*crt_pk), *b = mbedtls_pk_ec(*key);
        return a->grp.id == b->grp.id && mbedtls_ecp_point_cmp(&a->Q, &b->Q) == 0;
    }
    return mbedtls_pk_check_pair(crt_pk, key) == 0;
}

/* Whether crt's subjectAltName covers name: an iPAddress entry with the
 * same bytes for an address, else a dNSName equal to it ignoring case (or
 * a "*." wildcard for its first label). mbedtls 2.28 keeps every entry's
 * raw value in subject_alt_names, tagged [2] dNSName or [7] iPAddress,
 * but its own name check (mbedtls_x509_crt_verify's cn) ignores
 * iPAddress ones, hence this. */
static bool san_covers(const mbedtls_x509_crt *crt, const char *name)
{
    unsigned char ip[16];
    size_t iplen = inet_pton(AF_INET, name, ip) == 1    ? 4
                   : inet_pton(AF_INET6, name, ip) == 1 ? 16
                                                        : 0;
    size_t nlen = strlen(name);
    const char *dot = strchr(name, '.');
    if (!(crt->ext_types & MBEDTLS_X509_EXT_SUBJECT_ALT_NAME)) return false;
    for (const mbedtls_x509_sequence *s = &crt->subject_alt_names; s && s->buf.p; s = s->next) {
        const mbedtls_x509_buf *b = &s->buf;
        if (iplen) {
            if (b->tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7) && b->len == iplen &&
                !memcmp(b->p, ip, iplen))
                return true;
            continue;
        }
        if (b->tag != (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2)) continue;
        if (b->len == nlen && !strncasecmp((const char *)b->p, name, nlen)) return true;
        if (dot && b->len > 2 && b->p[0] == '*' && b->p[1] == '.' && b->len - 1 == strlen(dot) &&
            !strncasecmp((const char *)b->p + 1, dot, b->len - 1))
            return true;
    }
    return false;
}

/* Why the serving certificate must be issued again, or NULL. */
static const char *server_stale(mbedtls_x509_crt *crt, mbedtls_pk_context *key,
                                mbedtls_x509_crt *ca, char **names)
{
    if (!mbedtls_pk_can_do(key, MBEDTLS_PK_ECKEY)) return "server.key is not an EC key";
    if (!same_public_key(&crt->pk, key)) return "server.crt does not match server.key";
    /* the chain up to this CA, names not checked here (see san_covers);
     * the dates are checked below with the 30 days' margin */
    uint32_t flags = 0;
    mbedtls_x509_crt_verify(crt, ca, NULL, NULL, &flags, NULL, NULL);
    if (flags & ~(uint32_t)(MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE))
        return "not signed by the current CA";
    if (mbedtls_x509_crt_check_extended_key_usage(crt, MBEDTLS_OID_SERVER_AUTH,
                                                  MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)))
        return "not for serverAuth";
    if (x509_to_time(&crt->valid_to) < time(NULL) + RENEW_SECS) return "expires within 30 days";
    for (size_t i = 0; names[i]; i++)
        if (!san_covers(crt, names[i])) return "names or addresses changed";
    return NULL;
}

/* ---- the CA, the serving pair, the token ---- */

/* Write pem as dir/name and parse it into crt (empty), as if loaded. */
static sk_err save_cert(const char *dir, const char *name, const char *pem, mbedtls_x509_crt *crt,
                        struct sk_error **err)
{
    size_t len = strlen(pem);
    sk_err rc = write_atomic(dir, name, pem, len, err);
    if (rc) return rc;
    int mrc = mbedtls_x509_crt_parse(crt, (const unsigned char *)pem, len + 1);
    return mrc ? fail_mbed(err, SK_EINTERNAL, mrc, "parse the new %s", name) : SK_OK;
}

static sk_err ensure_ca(struct sk_tls *t, mbedtls_x509_crt *ca, mbedtls_pk_context *key,
                        struct sk_error **err)
{
    sk_err krc = load_key(t->ca_key, key, err);
    if (krc && krc != SK_ENOENT) return krc;
    sk_err crc = load_cert(t->ca_cert, ca, err);
    if (crc && crc != SK_ENOENT) return crc;
    if (krc == SK_ENOENT && crc == SK_OK)
        return sk_fail(err, SK_ECORRUPT,
                       "%s is missing but %s exists: restore the CA key, or move %s aside to "
                       "start a new CA (every client then needs the new ca.crt)",
                       t->ca_key, t->ca_cert, t->dir);
    sk_err rc;
    if (krc == SK_ENOENT) {
        if ((rc = check_clock(err)) || (rc = new_key(key, err))) return rc;
        /* key first: a crash before the certificate is written is repaired
         * below on the next start */
        if ((rc = save_key(t->dir, "ca.key", key, err))) return rc;
        t->ca_created = true;
        SK_INFO(WHO, "created cluster CA dir=%s", t->dir);
    }
    if (crc == SK_ENOENT) {
        if (!t->ca_created)
            SK_WARN(WHO, "file=%s missing; making it again from ca.key", t->ca_cert);
        char *pem;
        if ((rc = check_clock(err)) || (rc = make_cert(key, NULL, NULL, NULL, &pem, err)))
            return rc;
        rc = save_cert(t->dir, "ca.crt", pem, ca, err);
        free(pem);
        if (rc) return rc;
    }
    if (!same_public_key(&ca->pk, key))
        return sk_fail(err, SK_ECORRUPT, "%s does not match %s", t->ca_cert, t->ca_key);
    if (!ca->ca_istrue) return sk_fail(err, SK_ECORRUPT, "%s is not a CA certificate", t->ca_cert);
    if (x509_to_time(&ca->valid_to) < time(NULL))
        return sk_fail(err, SK_ECORRUPT,
                       "%s has expired: move %s aside to start a new CA (every client then needs "
                       "the new ca.crt)",
                       t->ca_cert, t->dir);
    return SK_OK;
}

static sk_err ensure_server(struct sk_tls *t, mbedtls_x509_crt *ca, mbedtls_pk_context *ca_key,
                            char **names, struct sk_error **err)
{
    mbedtls_x509_crt crt;
    mbedtls_pk_context key;
    mbedtls_x509_crt_init(&crt);
    mbedtls_pk_init(&key);
    struct sk_error *lerr = NULL;
    const char *why = NULL;
    char because[1100];
    if (load_key(t->server_key, &key, &lerr) || load_cert(t->server_cert, &crt, &lerr)) {
        /* the serving pair can always be issued again; say why */
        snprintf(because, sizeof(because), "%s",
                 lerr ? lerr->msg : "server.crt or server.key missing");
        why = because;
        if (lerr && lerr->code != SK_ENOENT)
            SK_WARN(WHO, "serving certificate unusable, issuing a new one: %s", lerr->msg);
        sk_error_free(lerr);
    } else {
        why = server_stale(&crt, &key, ca, names);
    }
    sk_err rc = SK_OK;
    if (why) {
        mbedtls_x509_crt_free(&crt);
        mbedtls_pk_free(&key);
        mbedtls_x509_crt_init(&crt);
        mbedtls_pk_init(&key);
        char *pem = NULL;
        if ((rc = check_clock(err)) || (rc = new_key(&key, err)) ||
            (rc = make_cert(&key, ca, ca_key, names, &pem, err)))
            goto out;
        int mrc = mbedtls_x509_crt_parse(&crt, (const unsigned char *)pem, strlen(pem) + 1);
        const char *bad;
        if (mrc) {
            rc = fail_mbed(err, SK_EINTERNAL, mrc, "%s", "parse the new serving certificate");
        } else if ((bad = server_stale(&crt, &key, ca, names))) {
            /* e.g. the issuer name, which went through text (mbedtls
             * writes names from strings only): a CA whose subject does not
             * survive that would give a certificate nobody can verify, and
             * a new one at every start */
            rc = sk_fail(err, SK_ECORRUPT,
                         "%s: a serving certificate issued under this CA fails its own check: %s",
                         t->ca_cert, bad);
        } else if (!(rc = save_key(t->dir, "server.key", &key, err))) {
            rc = write_atomic(t->dir, "server.crt", pem, strlen(pem), err);
        }
        free(pem);
        if (rc) goto out;
        t->server_issued = true;
        char sans[1024] = "";
        for (size_t i = 0; names[i]; i++)
            snprintf(sans + strlen(sans), sizeof(sans) - strlen(sans), "%s%s", i ? "," : "",
                     names[i]);
        SK_INFO(WHO, "issued serving certificate reason=\"%s\" sans=%s", why, sans);
    }
    t->server_not_after = x509_to_time(&crt.valid_to);
out:
    mbedtls_x509_crt_free(&crt);
    mbedtls_pk_free(&key); /* zeroizes the key */
    return rc;
}

static sk_err ensure_token(struct sk_tls *t, struct sk_error **err)
{
    char *data;
    size_t len;
    sk_err rc = read_small(t->token_file, true, &data, &len, err);
    if (rc == SK_ENOENT) {
        unsigned char raw[TOKEN_BYTES];
        if (sk_tls_random(NULL, raw, sizeof(raw)))
            return sk_fail(err, SK_ESYS, "getrandom for the admin token failed");
        char hex[2 * TOKEN_BYTES + 2];
        for (size_t i = 0; i < TOKEN_BYTES; i++)
            snprintf(hex + 2 * i, 3, "%02x", raw[i]);
        mbedtls_platform_zeroize(raw, sizeof(raw));
        hex[2 * TOKEN_BYTES] = '\n';
        hex[2 * TOKEN_BYTES + 1] = 0;
        rc = write_atomic(t->dir, "admin.token", hex, 2 * TOKEN_BYTES + 1, err);
        hex[2 * TOKEN_BYTES] = 0;
        if (!rc) t->token = sk_xstrdup(hex);
        mbedtls_platform_zeroize(hex, sizeof(hex));
        return rc;
    }
    if (rc) return rc;
    while (len && (data[len - 1] == '\n' || data[len - 1] == '\r' || data[len - 1] == ' '))
        data[--len] = 0;
    if (len < TOKEN_MIN || len > TOKEN_MAX || strspn(data, TOKEN_CHARS) != len) {
        mbedtls_platform_zeroize(data, len);
        free(data);
        return sk_fail(err, SK_ECORRUPT,
                       "%s: want one line of %d..%d characters of [A-Za-z0-9._~+/=-]",
                       t->token_file, TOKEN_MIN, TOKEN_MAX);
    }
    t->token = data;
    return SK_OK;
}

sk_err sk_tls_ensure(const char *data_dir, const char *node_name, const char *const *addresses,
                     struct sk_tls **out, struct sk_error **err)
{
    *out = NULL;
    char **names = wanted_names(node_name, addresses, err);
    if (!names) return SK_EINVAL;
    struct sk_tls *t = sk_xcalloc(1, sizeof(*t));
    t->dir = join(data_dir, "tls");
    t->ca_cert = join(t->dir, "ca.crt");
    t->ca_key = join(t->dir, "ca.key");
    t->server_cert = join(t->dir, "server.crt");
    t->server_key = join(t->dir, "server.key");
    t->token_file = join(t->dir, "admin.token");
    mbedtls_x509_crt ca;
    mbedtls_pk_context ca_key;
    mbedtls_x509_crt_init(&ca);
    mbedtls_pk_init(&ca_key);
    sk_err rc = make_dir(t->dir, err);
    if (!rc) {
        clean_temps(t->dir);
        rc = ensure_ca(t, &ca, &ca_key, err);
    }
    if (!rc) rc = ensure_server(t, &ca, &ca_key, names, err);
    if (!rc) rc = ensure_token(t, err);
    mbedtls_x509_crt_free(&ca);
    mbedtls_pk_free(&ca_key); /* zeroizes the CA key */
    sk_tls_strv_free(names);
    if (rc) {
        sk_tls_free(t);
        return rc;
    }
    *out = t;
    return SK_OK;
}

void sk_tls_free(struct sk_tls *tls)
{
    if (!tls) return;
    free(tls->dir);
    free(tls->ca_cert);
    free(tls->ca_key);
    free(tls->server_cert);
    free(tls->server_key);
    free(tls->token_file);
    if (tls->token) mbedtls_platform_zeroize(tls->token, strlen(tls->token));
    free(tls->token);
    free(tls);
}

bool sk_tls_needs_renewal(const struct sk_tls *tls, time_t t)
{
    return tls->server_not_after - t < RENEW_SECS;
}

/* ---- on a worker ---- */

struct ensure_job {
    char *data_dir, *node_name;
    char **addrs;
    sk_tls_done_fn done;
    void *arg;
    struct sk_tls *tls;
    struct sk_error *err;
};

static void ensure_work(void *arg)
{
    struct ensure_job *j = arg;
    sk_tls_ensure(j->data_dir, j->node_name, (const char *const *)j->addrs, &j->tls, &j->err);
}

static void ensure_done(void *arg)
{
    struct ensure_job *j = arg;
    j->done(j->tls, j->err, j->arg);
    free(j->data_dir);
    free(j->node_name);
    sk_tls_strv_free(j->addrs);
    free(j);
}

sk_err sk_tls_ensure_async(struct sk_work_pool *pool, const char *data_dir, const char *node_name,
                           const char *const *addresses, sk_tls_done_fn done, void *arg)
{
    struct ensure_job *j = sk_xcalloc(1, sizeof(*j));
    j->data_dir = sk_xstrdup(data_dir);
    j->node_name = node_name ? sk_xstrdup(node_name) : NULL;
    size_t n = 0;
    while (addresses && addresses[n])
        n++;
    j->addrs = sk_xcalloc(n + 1, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        j->addrs[i] = sk_xstrdup(addresses[i]);
    j->done = done;
    j->arg = arg;
    if (sk_work_submit(pool, ensure_work, ensure_done, j)) {
        free(j->data_dir);
        free(j->node_name);
        sk_tls_strv_free(j->addrs);
        free(j);
        return SK_ECLOSED;
    }
    return SK_OK;
}

/* ---- the server side ---- */

struct sk_tls_server {
    atomic_uint refs;
    mbedtls_ssl_config conf;
    mbedtls_x509_crt chain; /* the serving certificate, then any intermediates */
    mbedtls_pk_context key;
    mbedtls_ssl_ticket_context tickets;
    mbedtls_ssl_cache_context cache;
};

/* Forward-secret AEAD suites for the ECDSA serving key, in the server's
 * order of preference (mbedtls picks by the server's list unless built
 * with MBEDTLS_SSL_SRV_RESPECT_CLIENT_PREFERENCE, which Debian's is not):
 * AES-128-GCM first as Go's servers order them (AES-NI makes it the
 * cheapest here), ChaCha20 for clients without AES instructions. */
static const int server_suites[] = {
        MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        0,
};

/* ECDHE groups, in the server's order: mbedtls 2.28 takes the first of
 * these the client offers. X25519 first: measured with callgrind, a
 * server-side ECDHE (make_params + calc_secret) costs 16.7 M instructions
 * with X25519 against 17.5 M with P-256 (ECP_NIST_OPTIM on), and its
 * public values are smaller. The client must list P-256 as well: mbedtls
 * checks the certificate's curve against the client's list (RFC 4492);
 * every real client does. */
static const mbedtls_ecp_group_id server_curves[] = {
        MBEDTLS_ECP_DP_CURVE25519,
        MBEDTLS_ECP_DP_SECP256R1,
        MBEDTLS_ECP_DP_SECP384R1,
        MBEDTLS_ECP_DP_NONE,
};

/* The API speaks HTTP/1.1 only: Go clients that offer h2 too then use
 * HTTP/1.1, a client that offers no ALPN gets none. (A client offering
 * only other protocols is refused with no_application_protocol.) */
static const char *server_alpn[] = {"http/1.1", NULL};

#define TICKET_LIFETIME (12 * 3600) /* seconds; the ticket keys rotate as often */
#define CACHE_ENTRIES   256         /* TLS 1.2 session-id resumption, for clients without tickets */
#define CACHE_TIMEOUT   (12 * 3600)

int sk_tls_random(void *p, unsigned char *out, size_t len)
{
    (void)p;
    while (len) {
        ssize_t n = getrandom(out, len, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
        out += n;
        len -= (size_t)n;
    }
    return 0;
}

static void server_free(struct sk_tls_server *s)
{
    mbedtls_ssl_config_free(&s->conf);
    mbedtls_ssl_cache_free(&s->cache);    /* zeroizes the cached sessions */
    mbedtls_ssl_ticket_free(&s->tickets); /* and the ticket keys */
    mbedtls_pk_free(&s->key);             /* and the private key */
    mbedtls_x509_crt_free(&s->chain);
    free(s);
}

struct sk_tls_server *sk_tls_server_new(const struct sk_tls *tls, struct sk_error **err)
{
    struct sk_tls_server *s = sk_xcalloc(1, sizeof(*s));
    atomic_init(&s->refs, 1);
    mbedtls_ssl_config_init(&s->conf);
    mbedtls_x509_crt_init(&s->chain);
    mbedtls_pk_init(&s->key);
    mbedtls_ssl_ticket_init(&s->tickets);
    mbedtls_ssl_cache_init(&s->cache);
    int rc = mbedtls_x509_crt_parse_file(&s->chain, tls->server_cert);
    if (rc) {
        /* > 0: that many certificates in the file did not parse */
        if (rc > 0)
            sk_fail(err, SK_ECORRUPT, "%s: %d certificate(s) in the file do not parse",
                    tls->server_cert, rc);
        else
            fail_mbed(err, SK_ECORRUPT, rc, "%s", tls->server_cert);
        goto fail;
    }
    /* PKCS#8 and SEC1 ("EC PRIVATE KEY") both load; never a passphrase */
    if ((rc = mbedtls_pk_parse_keyfile(&s->key, tls->server_key, NULL))) {
        fail_mbed(err, SK_ECORRUPT, rc, "%s", tls->server_key);
        goto fail;
    }
    if ((rc = mbedtls_pk_check_pair(&s->chain.pk, &s->key))) {
        fail_mbed(err, SK_ECORRUPT, rc, "%s does not match the certificate", tls->server_key);
        goto fail;
    }
    if (!mbedtls_pk_can_do(&s->key, MBEDTLS_PK_ECKEY)) {
        sk_fail(err, SK_ECORRUPT, "%s: not an EC key (the API offers ECDSA suites only)",
                tls->server_key);
        goto fail;
    }
    if ((rc = mbedtls_ssl_config_defaults(&s->conf, MBEDTLS_SSL_IS_SERVER,
                                          MBEDTLS_SSL_TRANSPORT_STREAM,
                                          MBEDTLS_SSL_PRESET_DEFAULT))) {
        fail_mbed(err, SK_EINTERNAL, rc, "%s", "configure TLS");
        goto fail;
    }
    mbedtls_ssl_conf_rng(&s->conf, sk_tls_random, NULL);
    /* mbedtls 2.28 has no TLS 1.3: 1.2 is both the floor and the ceiling */
    mbedtls_ssl_conf_min_version(&s->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                                 MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_max_version(&s->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
                                 MBEDTLS_SSL_MINOR_VERSION_3);
    mbedtls_ssl_conf_ciphersuites(&s->conf, server_suites);
    mbedtls_ssl_conf_curves(&s->conf, server_curves);
    mbedtls_ssl_conf_renegotiation(&s->conf, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
    mbedtls_ssl_conf_legacy_renegotiation(&s->conf, MBEDTLS_SSL_LEGACY_NO_RENEGOTIATION);
    /* clients authenticate with bearer tokens; no client certificates are
     * asked for (as before with OpenSSL) */
    mbedtls_ssl_conf_authmode(&s->conf, MBEDTLS_SSL_VERIFY_NONE);
    if ((rc = mbedtls_ssl_conf_alpn_protocols(&s->conf, server_alpn))) {
        fail_mbed(err, SK_EINTERNAL, rc, "%s", "configure ALPN");
        goto fail;
    }
    if ((rc = mbedtls_ssl_conf_own_cert(&s->conf, &s->chain, &s->key))) {
        fail_mbed(err, SK_EINTERNAL, rc, "%s", "configure the serving certificate");
        goto fail;
    }
    /* stateless resumption: tickets sealed with AES-256-GCM under keys
     * drawn per process (a restart makes old tickets full handshakes) */
    if ((rc = mbedtls_ssl_ticket_setup(&s->tickets, sk_tls_random, NULL, MBEDTLS_CIPHER_AES_256_GCM,
                                       TICKET_LIFETIME))) {
        fail_mbed(err, SK_EINTERNAL, rc, "%s", "set up session tickets");
        goto fail;
    }
    mbedtls_ssl_conf_session_tickets_cb(&s->conf, mbedtls_ssl_ticket_write,
                                        mbedtls_ssl_ticket_parse, &s->tickets);
    mbedtls_ssl_cache_set_max_entries(&s->cache, CACHE_ENTRIES);
    mbedtls_ssl_cache_set_timeout(&s->cache, CACHE_TIMEOUT);
    mbedtls_ssl_conf_session_cache(&s->conf, &s->cache, mbedtls_ssl_cache_get,
                                   mbedtls_ssl_cache_set);
    return s;
fail:
    server_free(s);
    return NULL;
}

struct sk_tls_server *sk_tls_server_ref(struct sk_tls_server *srv)
{
    atomic_fetch_add_explicit(&srv->refs, 1, memory_order_relaxed);
    return srv;
}

void sk_tls_server_unref(struct sk_tls_server *srv)
{
    if (!srv) return;
    if (atomic_fetch_sub_explicit(&srv->refs, 1, memory_order_acq_rel) == 1) server_free(srv);
}

const struct mbedtls_ssl_config *sk_tls_server_conf(const struct sk_tls_server *srv)
{
    return &srv->conf;
}

/* ---- helpers for the API ---- */

bool sk_tls_token_equal(const char *a, size_t alen, const char *b, size_t blen)
{
    unsigned char da[32], db[32];
    if (mbedtls_sha256_ret((const unsigned char *)a, alen, da, 0) ||
        mbedtls_sha256_ret((const unsigned char *)b, blen, db, 0))
        return false;
    /* equal digests of different lengths would need a SHA-256 collision */
    bool eq = mbedtls_ct_memcmp(da, db, sizeof(da)) == 0;
    mbedtls_platform_zeroize(da, sizeof(da));
    mbedtls_platform_zeroize(db, sizeof(db));
    return eq;
}

char **sk_tls_local_addresses(struct sk_error **err)
{
    struct ifaddrs *ifs;
    if (getifaddrs(&ifs)) {
        sk_fail_sys(err, errno, "getifaddrs");
        return NULL;
    }
    char **v = sk_xcalloc(1, sizeof(*v));
    size_t n = 0;
    for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
        if (!i->ifa_addr || !(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK)) continue;
        char a[INET6_ADDRSTRLEN];
        if (i->ifa_addr->sa_family == AF_INET) {
            const struct in_addr *in = &((const struct sockaddr_in *)i->ifa_addr)->sin_addr;
            uint32_t h = ntohl(in->s_addr);
            if ((h >> 24) == 127 || (h >> 16) == 0xa9fe || h == 0 || (h >> 28) == 0xe) continue;
            inet_ntop(AF_INET, in, a, sizeof(a));
        } else if (i->ifa_addr->sa_family == AF_INET6) {
            const struct in6_addr *in = &((const struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
            if (IN6_IS_ADDR_LOOPBACK(in) || IN6_IS_ADDR_LINKLOCAL(in) ||
                IN6_IS_ADDR_UNSPECIFIED(in) || IN6_IS_ADDR_MULTICAST(in) ||
                IN6_IS_ADDR_V4MAPPED(in))
                continue;
            inet_ntop(AF_INET6, in, a, sizeof(a));
        } else {
            continue;
        }
        strv_push(&v, &n, a);
    }
    freeifaddrs(ifs);
    return v;
}
