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
 *                          and the addresses the caller gives
 *   admin.token            64 hex characters (32 random bytes) and a newline
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
typedef struct ssl_ctx_st SSL_CTX;

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
 * call sk_tls_ensure again (a long-running agent checks this daily). */
bool sk_tls_needs_renewal(const struct sk_tls *tls, time_t t);

/* A server context with the serving certificate and key: TLS 1.2 and 1.3
 * only, ECDHE with AES-GCM or ChaCha20-Poly1305, no renegotiation, no
 * compression, a small session cache, ALPN "http/1.1" only. Returns a context (free with
 * SSL_CTX_free) or NULL with *err. Reads two files. Any thread. */
SSL_CTX *sk_tls_server_ctx(const struct sk_tls *tls, struct sk_error **err);

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
