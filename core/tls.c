/* The cluster PKI on disk (CA, serving certificate, admin token) with
 * OpenSSL 3, the server TLS context, and the helpers the API's
 * authentication needs. Everything here may block on disk; see tls.h. */
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
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
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

/* The newest OpenSSL error as text, and the queue cleared for the next. */
static const char *ossl_err(char *buf, size_t n)
{
    unsigned long e = ERR_peek_last_error();
    if (e)
        ERR_error_string_n(e, buf, n);
    else
        snprintf(buf, n, "unknown error");
    ERR_clear_error();
    return buf;
}

static sk_err fail_ossl(struct sk_error **err, sk_err code, const char *what)
{
    char b[256];
    return sk_fail(err, code, "%s: %s", what, ossl_err(b, sizeof(b)));
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

static int no_passphrase(char *buf, int size, int rw, void *u)
{
    (void)buf;
    (void)size;
    (void)rw;
    (void)u;
    return -1; /* never prompt on the terminal for an encrypted key */
}

static sk_err load_key(const char *path, EVP_PKEY **out, struct sk_error **err)
{
    char *data;
    size_t len;
    *out = NULL;
    sk_err rc = read_small(path, true, &data, &len, err);
    if (rc) return rc;
    BIO *b = BIO_new_mem_buf(data, (int)len);
    *out = PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL);
    BIO_free(b);
    OPENSSL_cleanse(data, len);
    free(data);
    if (!*out) {
        char e[256];
        return sk_fail(err, SK_ECORRUPT, "%s: not an unencrypted PEM private key (%s)", path,
                       ossl_err(e, sizeof(e)));
    }
    return SK_OK;
}

static sk_err load_cert(const char *path, X509 **out, struct sk_error **err)
{
    char *data;
    size_t len;
    *out = NULL;
    sk_err rc = read_small(path, false, &data, &len, err);
    if (rc) return rc;
    BIO *b = BIO_new_mem_buf(data, (int)len);
    *out = PEM_read_bio_X509(b, NULL, NULL, NULL);
    BIO_free(b);
    free(data);
    if (!*out) {
        char e[256];
        return sk_fail(err, SK_ECORRUPT, "%s: not a PEM certificate (%s)", path,
                       ossl_err(e, sizeof(e)));
    }
    return SK_OK;
}

static sk_err save_key(const char *dir, const char *name, EVP_PKEY *k, struct sk_error **err)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (!PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL)) {
        BIO_free(b);
        return fail_ossl(err, SK_EINTERNAL, "encode private key");
    }
    char *p;
    long n = BIO_get_mem_data(b, &p);
    sk_err rc = write_atomic(dir, name, p, (size_t)n, err);
    OPENSSL_cleanse(p, (size_t)n);
    BIO_free(b);
    return rc;
}

static sk_err save_cert(const char *dir, const char *name, X509 *x, struct sk_error **err)
{
    BIO *b = BIO_new(BIO_s_mem());
    if (!PEM_write_bio_X509(b, x)) {
        BIO_free(b);
        return fail_ossl(err, SK_EINTERNAL, "encode certificate");
    }
    char *p;
    long n = BIO_get_mem_data(b, &p);
    sk_err rc = write_atomic(dir, name, p, (size_t)n, err);
    BIO_free(b);
    return rc;
}

/* ---- certificates ---- */

static bool add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    if (!e) return false;
    int ok = X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    return ok == 1;
}

/* One SAN entry: an IP address when the text parses as one, else DNS. */
static GENERAL_NAME *san_entry(const char *s)
{
    unsigned char ip[16];
    int iplen = inet_pton(AF_INET, s, ip) == 1 ? 4 : inet_pton(AF_INET6, s, ip) == 1 ? 16 : 0;
    GENERAL_NAME *g = GENERAL_NAME_new();
    if (iplen) {
        ASN1_OCTET_STRING *o = ASN1_OCTET_STRING_new();
        ASN1_OCTET_STRING_set(o, ip, iplen);
        GENERAL_NAME_set0_value(g, GEN_IPADD, o);
    } else {
        ASN1_IA5STRING *d = ASN1_IA5STRING_new();
        ASN1_STRING_set(d, s, (int)strlen(s));
        GENERAL_NAME_set0_value(g, GEN_DNS, d);
    }
    return g;
}

static const EVP_MD *sign_md(EVP_PKEY *k)
{
    int id = EVP_PKEY_get_id(k);
    return (id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448) ? NULL : EVP_sha256();
}

/* A certificate for key: a self-signed CA when issuer is NULL, else a
 * serving certificate for sans signed by issuer/issuer_key. */
static X509 *make_cert(EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, char **sans,
                       struct sk_error **err)
{
    bool ca = !issuer;
    X509 *x = X509_new();
    BIGNUM *serial = BN_new();
    X509_NAME *name = X509_NAME_new();
    bool ok = x && serial && name && X509_set_version(x, X509_VERSION_3) &&
              BN_rand(serial, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) &&
              BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(x)) &&
              /* an hour back, for nodes whose clocks disagree a little */
              X509_gmtime_adj(X509_getm_notBefore(x), -3600) &&
              X509_time_adj_ex(X509_getm_notAfter(x), ca ? CA_DAYS : SERVER_DAYS, 0, NULL) &&
              X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                         (const unsigned char *)(ca ? CA_CN : SERVER_CN), -1, -1,
                                         0) &&
              X509_set_subject_name(x, name) &&
              X509_set_issuer_name(x, ca ? name : X509_get_subject_name(issuer)) &&
              X509_set_pubkey(x, key);
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, ca ? x : issuer, x, NULL, NULL, 0);
    if (ok && ca)
        ok = add_ext(x, &v3, NID_basic_constraints, "critical,CA:TRUE") &&
             add_ext(x, &v3, NID_key_usage, "critical,digitalSignature,keyCertSign,cRLSign") &&
             add_ext(x, &v3, NID_subject_key_identifier, "hash");
    if (ok && !ca) {
        ok = add_ext(x, &v3, NID_basic_constraints, "critical,CA:FALSE") &&
             add_ext(x, &v3, NID_key_usage, "critical,digitalSignature") &&
             add_ext(x, &v3, NID_ext_key_usage, "serverAuth") &&
             add_ext(x, &v3, NID_subject_key_identifier, "hash") &&
             add_ext(x, &v3, NID_authority_key_identifier, "keyid");
        GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
        for (size_t i = 0; ok && sans[i]; i++)
            sk_GENERAL_NAME_push(gens, san_entry(sans[i]));
        ok = ok && X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT) == 1;
        GENERAL_NAMES_free(gens);
    }
    ok = ok && X509_sign(x, ca ? key : issuer_key, sign_md(ca ? key : issuer_key)) > 0;
    BN_free(serial);
    X509_NAME_free(name);
    if (!ok) {
        X509_free(x);
        fail_ossl(err, SK_EINTERNAL, ca ? "make CA certificate" : "make serving certificate");
        return NULL;
    }
    return x;
}

static EVP_PKEY *new_key(struct sk_error **err)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    if (!k) fail_ossl(err, SK_EINTERNAL, "generate an EC P-256 key");
    return k;
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

static time_t asn1_to_time(const ASN1_TIME *a)
{
    struct tm tm;
    if (!ASN1_TIME_to_tm(a, &tm)) return 0;
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

/* Why the serving certificate must be issued again, or NULL. */
static const char *server_stale(X509 *crt, EVP_PKEY *key, X509 *ca, char **names)
{
    if (X509_check_private_key(crt, key) != 1) return "server.crt does not match server.key";
    if (X509_verify(crt, X509_get0_pubkey(ca)) != 1) return "not signed by the current CA";
    time_t soon = time(NULL) + RENEW_SECS;
    if (X509_cmp_time(X509_get0_notAfter(crt), &soon) < 0) return "expires within 30 days";
    for (size_t i = 0; names[i]; i++) {
        int r = is_ip(names[i]) ? X509_check_ip_asc(crt, names[i], 0)
                                : X509_check_host(crt, names[i], 0,
                                                  X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, NULL);
        if (r != 1) return "names or addresses changed";
    }
    ERR_clear_error();
    return NULL;
}

/* ---- the CA, the serving pair, the token ---- */

static sk_err ensure_ca(struct sk_tls *t, X509 **ca, EVP_PKEY **key, struct sk_error **err)
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
        if ((rc = check_clock(err))) return rc;
        if (!(*key = new_key(err))) return SK_EINTERNAL;
        /* key first: a crash before the certificate is written is repaired
         * below on the next start */
        if ((rc = save_key(t->dir, "ca.key", *key, err))) return rc;
        t->ca_created = true;
        SK_INFO(WHO, "created cluster CA dir=%s", t->dir);
    }
    if (!*ca) {
        if (!t->ca_created)
            SK_WARN(WHO, "file=%s missing; making it again from ca.key", t->ca_cert);
        if ((rc = check_clock(err))) return rc;
        if (!(*ca = make_cert(*key, NULL, NULL, NULL, err))) return SK_EINTERNAL;
        if ((rc = save_cert(t->dir, "ca.crt", *ca, err))) return rc;
    }
    if (X509_check_private_key(*ca, *key) != 1) {
        ERR_clear_error();
        return sk_fail(err, SK_ECORRUPT, "%s does not match %s", t->ca_cert, t->ca_key);
    }
    if (X509_check_ca(*ca) < 1)
        return sk_fail(err, SK_ECORRUPT, "%s is not a CA certificate", t->ca_cert);
    if (X509_cmp_current_time(X509_get0_notAfter(*ca)) < 0)
        return sk_fail(err, SK_ECORRUPT,
                       "%s has expired: move %s aside to start a new CA (every client then needs "
                       "the new ca.crt)",
                       t->ca_cert, t->dir);
    return SK_OK;
}

static sk_err ensure_server(struct sk_tls *t, X509 *ca, EVP_PKEY *ca_key, char **names,
                            struct sk_error **err)
{
    X509 *crt = NULL;
    EVP_PKEY *key = NULL;
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
        why = server_stale(crt, key, ca, names);
    }
    sk_err rc = SK_OK;
    if (why) {
        X509_free(crt);
        EVP_PKEY_free(key);
        crt = NULL;
        if ((rc = check_clock(err)) || !(key = new_key(err)) ||
            !(crt = make_cert(key, ca, ca_key, names, err))) {
            rc = rc ? rc : SK_EINTERNAL;
            goto out;
        }
        if ((rc = save_key(t->dir, "server.key", key, err)) ||
            (rc = save_cert(t->dir, "server.crt", crt, err)))
            goto out;
        t->server_issued = true;
        char sans[1024] = "";
        for (size_t i = 0; names[i]; i++)
            snprintf(sans + strlen(sans), sizeof(sans) - strlen(sans), "%s%s", i ? "," : "",
                     names[i]);
        SK_INFO(WHO, "issued serving certificate reason=\"%s\" sans=%s", why, sans);
    }
    t->server_not_after = asn1_to_time(X509_get0_notAfter(crt));
out:
    X509_free(crt);
    EVP_PKEY_free(key);
    return rc;
}

static sk_err ensure_token(struct sk_tls *t, struct sk_error **err)
{
    char *data;
    size_t len;
    sk_err rc = read_small(t->token_file, true, &data, &len, err);
    if (rc == SK_ENOENT) {
        unsigned char raw[TOKEN_BYTES];
        if (RAND_bytes(raw, sizeof(raw)) != 1) return fail_ossl(err, SK_EINTERNAL, "random");
        char hex[2 * TOKEN_BYTES + 2];
        for (size_t i = 0; i < TOKEN_BYTES; i++)
            snprintf(hex + 2 * i, 3, "%02x", raw[i]);
        OPENSSL_cleanse(raw, sizeof(raw));
        hex[2 * TOKEN_BYTES] = '\n';
        hex[2 * TOKEN_BYTES + 1] = 0;
        if ((rc = write_atomic(t->dir, "admin.token", hex, 2 * TOKEN_BYTES + 1, err))) return rc;
        hex[2 * TOKEN_BYTES] = 0;
        t->token = sk_xstrdup(hex);
        OPENSSL_cleanse(hex, sizeof(hex));
        return SK_OK;
    }
    if (rc) return rc;
    while (len && (data[len - 1] == '\n' || data[len - 1] == '\r' || data[len - 1] == ' '))
        data[--len] = 0;
    if (len < TOKEN_MIN || len > TOKEN_MAX || strspn(data, TOKEN_CHARS) != len) {
        OPENSSL_cleanse(data, len);
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
    X509 *ca = NULL;
    EVP_PKEY *ca_key = NULL;
    sk_err rc = make_dir(t->dir, err);
    if (!rc) {
        clean_temps(t->dir);
        rc = ensure_ca(t, &ca, &ca_key, err);
    }
    if (!rc) rc = ensure_server(t, ca, ca_key, names, err);
    if (!rc) rc = ensure_token(t, err);
    X509_free(ca);
    EVP_PKEY_free(ca_key);
    sk_tls_strv_free(names);
    ERR_clear_error();
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
    if (tls->token) OPENSSL_cleanse(tls->token, strlen(tls->token));
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

/* ---- the server context ---- */

static int alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                       const unsigned char *in, unsigned int inlen, void *arg)
{
    (void)ssl;
    (void)arg;
    /* the API speaks HTTP/1.1 only: Go clients that offer h2 too then use
     * HTTP/1.1; a client that offers neither gets no ALPN answer */
    for (unsigned i = 0; i < inlen;) {
        unsigned l = in[i];
        if (i + 1 + l > inlen) break;
        if (l == 8 && !memcmp(in + i + 1, "http/1.1", 8)) {
            *out = in + i + 1;
            *outlen = 8;
            return SSL_TLSEXT_ERR_OK;
        }
        i += 1 + l;
    }
    return SSL_TLSEXT_ERR_NOACK;
}

SSL_CTX *sk_tls_server_ctx(const struct sk_tls *tls, struct sk_error **err)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
        fail_ossl(err, SK_EINTERNAL, "SSL_CTX_new");
        return NULL;
    }
    /* TLS 1.3: OpenSSL's three AEAD suites, AES-128-GCM first as Go's
     * servers order them (OpenSSL's default puts AES-256 first, which
     * costs both ends a quarter more per byte on large lists); for 1.2
     * only forward-secret AEAD suites. ChaCha20 first for clients that
     * prefer it (ARM boards without AES instructions). */
    static const char ciphers12[] = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:"
                                    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:"
                                    "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384";
    if (!SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) ||
        !SSL_CTX_set_cipher_list(ctx, ciphers12) ||
        !SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:"
                                       "TLS_AES_256_GCM_SHA384") ||
        !SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384")) {
        fail_ossl(err, SK_EINTERNAL, "configure TLS");
        SSL_CTX_free(ctx);
        return NULL;
    }
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                                     SSL_OP_PRIORITIZE_CHACHA | SSL_OP_NO_COMPRESSION);
    /* idle connections give their 2 x 16 KiB record buffers back */
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
    /* TLS 1.3 resumes with stateless tickets; keep the 1.2 cache small */
    SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"skiff", 5);
    SSL_CTX_sess_set_cache_size(ctx, 256);
    if (SSL_CTX_use_certificate_chain_file(ctx, tls->server_cert) != 1) {
        fail_ossl(err, SK_ECORRUPT, tls->server_cert);
        SSL_CTX_free(ctx);
        return NULL;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, tls->server_key, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        fail_ossl(err, SK_ECORRUPT, tls->server_key);
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* ---- helpers for the API ---- */

bool sk_tls_token_equal(const char *a, size_t alen, const char *b, size_t blen)
{
    unsigned char da[32], db[32];
    unsigned int la = 0, lb = 0;
    if (!EVP_Digest(a, alen, da, &la, EVP_sha256(), NULL) ||
        !EVP_Digest(b, blen, db, &lb, EVP_sha256(), NULL) || la != 32 || lb != 32)
        return false;
    /* equal digests of different lengths would need a SHA-256 collision */
    return CRYPTO_memcmp(da, db, 32) == 0;
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
