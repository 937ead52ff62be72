/* The cluster PKI behind the API: a CA, a serving certificate it signs, and
 * the admin bearer token, kept in DATA_DIR/tls/ and made at first start;
 * plus the server-side TLS context, a constant-time token comparison and
 * the machine's addresses for the certificate's SANs.
 *
 * Files (all 0600, in a 0700 directory, each written to a temporary file,
 * fsynced and renamed, so a crash never leaves half a key):
 *   ca.crt ca.key          EC P-256, self-signed, CN skiff-ca, 10 years
 *   server.crt server.key  EC P-256, signed by the CA, 1 year, serverAuth,
 *                          SANs: localhost, the node name, 127.0.0.1, ::1
 *                          and the addresses the caller gives (iPAddress
 *                          entries for addresses, dNSName for names)
 *   admin.token            64 hex characters (32 random bytes) and a newline
 * Keys are written as SEC1 ("EC PRIVATE KEY") PEM; PKCS#8 ("PRIVATE KEY")
 * files, as skiff wrote them with OpenSSL, load as well and are kept.
 * The CA is never replaced silently: a CA file that does not load is an
 * error naming the file. A missing ca.crt next to a good ca.key is made
 * again from the key (same subject and key, so clients that trust the old
 * one still do). The serving pair is issued again, with a log line saying
 * why, when it is missing, unreadable, not from this CA, does not cover
 * the names and addresses, or expires within 30 days. A user's own
 * admin.token (16..4096 characters of [A-Za-z0-9._~+/=-]) is kept. */
#ifndef SK_TLS_H
#define SK_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"

struct sk_work_pool;
struct sk_tls_server;
struct mbedtls_ssl_config;

struct sk_tls {
    char *dir;     /* DATA_DIR/tls */
    char *ca_cert; /* paths of the files in dir */
    char *ca_key;
    char *server_cert;
    char *server_key;
    char *token_file;
    char *token;             /* the admin bearer token (no newline) */
    bool ca_created;         /* this call made a new CA */
    bool server_issued;      /* this call issued a new serving certificate */
    time_t server_not_after; /* when the serving certificate expires */
};

/* Load DATA_DIR/tls, creating what is missing and renewing the serving
 * certificate as described above. node_name may be NULL or ""; addresses
 * is NULL or a NULL-terminated list of IP addresses or DNS names (0.0.0.0
 * and :: are skipped). Returns 0 and *out (free with sk_tls_free), or an
 * error: SK_ECORRUPT naming a file that does not load, SK_EINVAL for a bad
 * name, SK_EAGAIN when the clock is too far in the past to issue
 * certificates, SK_ESYS. Blocks (disk, fsync, key generation): call before
 * the loop runs, or on a worker (sk_tls_ensure_async). Any thread. */
sk_err sk_tls_ensure(const char *data_dir, const char *node_name, const char *const *addresses,
                     struct sk_tls **out, struct sk_error **err);

/* The result of sk_tls_ensure_async, on the loop thread. The callee owns
 * tls (NULL on failure) and err (NULL on success). */
typedef void (*sk_tls_done_fn)(struct sk_tls *tls, struct sk_error *err, void *arg);

/* sk_tls_ensure on a worker of pool; the arguments are copied. Returns 0,
 * or SK_ECLOSED if the pool is shutting down (done is not called then).
 * Loop thread. */
sk_err sk_tls_ensure_async(struct sk_work_pool *pool, const char *data_dir, const char *node_name,
                           const char *const *addresses, sk_tls_done_fn done, void *arg);

void sk_tls_free(struct sk_tls *tls); /* NULL ok */

/* True when the serving certificate expires within 30 days of t: time to
 * call sk_tls_ensure again (a long-running agent runs it daily and on
 * SIGHUP, on a worker, which also catches changed addresses). */
bool sk_tls_needs_renewal(const struct sk_tls *tls, time_t t);

/* The server side of TLS (mbedtls, the library nng already loads), shared
 * by every connection the API accepts: the serving certificate chain and
 * key (which must match), TLS 1.2 only (mbedtls 2.28 has no TLS 1.3),
 * ECDHE-ECDSA with AES-128-GCM, ChaCha20-Poly1305 or AES-256-GCM in the
 * server's order, groups X25519, P-256, P-384 in that order (a client must
 * offer P-256, the certificate's curve), no renegotiation, no client
 * certificates (bearer tokens authenticate), session tickets (AES-256-GCM
 * under keys drawn per object, 12 h) and a session cache of 256 entries,
 * ALPN "http/1.1" only (a client offering ALPN without it is refused with
 * no_application_protocol; one offering none gets none). Thread-safe:
 * mbedtls locks the ticket keys and the cache (MBEDTLS_THREADING_PTHREAD).
 * Reference counted (atomically): the HTTP server and every connection
 * hold one, so a renewed certificate (a new object) never pulls the
 * configuration from under a live connection. Returns the object (drop
 * with sk_tls_server_unref) or NULL with *err naming the file that does
 * not load. Reads two files. Any thread. */
struct sk_tls_server *sk_tls_server_new(const struct sk_tls *tls, struct sk_error **err);
struct sk_tls_server *sk_tls_server_ref(struct sk_tls_server *srv); /* returns srv */
void sk_tls_server_unref(struct sk_tls_server *srv);                /* NULL ok */

/* Its configuration, for mbedtls_ssl_setup. Valid while a reference is
 * held. */
const struct mbedtls_ssl_config *sk_tls_server_conf(const struct sk_tls_server *srv);

/* mbedtls's f_rng: bytes from the kernel's CSPRNG (getrandom), so neither
 * side seeds a DRBG of its own. p is unused. Returns 0, or
 * MBEDTLS_ERR_ENTROPY_SOURCE_FAILED. Any thread. */
int sk_tls_random(void *p, unsigned char *out, size_t len);

/* Whether two tokens are equal, in time that depends on neither content
 * nor length (both are hashed first). Any thread. */
bool sk_tls_token_equal(const char *a, size_t alen, const char *b, size_t blen);

/* This machine's IPv4 and IPv6 addresses on interfaces that are up,
 * without loopback, link-local and multicast ones, as text, no duplicates.
 * Returns a NULL-terminated list (free with sk_tls_strv_free) or NULL with
 * *err. Any thread. */
char **sk_tls_local_addresses(struct sk_error **err);
void sk_tls_strv_free(char **v); /* NULL ok */

#endif
