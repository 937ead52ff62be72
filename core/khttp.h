/* The CLI's lean HTTP/1.1 client: one keep-alive connection to the API
 * server over mbedtls, TLS 1.2 only (or plain TCP for http://), responses
 * parsed with http-parser. It replaces libcurl for kclient: loading libcurl costs a CLI
 * run 25-40 ms, more than a whole `skiff get pods`. Blocking; one thread
 * per connection. */
#ifndef SK_KHTTP_H
#define SK_KHTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"
#include "kclient.h"

struct sk_khttp;

/* A client for conn's server and credentials (copied). Does not connect
 * yet. Fails on a malformed server URL or unreadable TLS material. */
sk_err sk_khttp_new(const struct sk_kconn *conn, struct sk_khttp **out, struct sk_error **err);
void sk_khttp_free(struct sk_khttp *h); /* NULL ok; closes the connection */

/* One request, as sk_kclient_do documents it (connects or reuses the
 * connection; a reused connection the server had closed is reopened once). */
sk_err sk_khttp_do(struct sk_khttp *h, const struct sk_kreq *req, struct sk_kresp *resp,
                   struct sk_error **err);

/* For protocol upgrades (exec's websocket): send a request whose answer
 * is "101 Switching Protocols" and keep the connection as a raw stream.
 * *status gets the status; any other answer's body is collected into
 * resp as sk_khttp_do does and the stream is not kept. */
sk_err sk_khttp_upgrade(struct sk_khttp *h, const struct sk_kreq *req, struct sk_kresp *resp,
                        struct sk_error **err);
/* Raw stream I/O after a 101 (bytes that arrived with the 101 are read
 * first). read returns >0 bytes, 0 at EOF, -1 on error or timeout (ms < 0:
 * wait forever). */
ssize_t sk_khttp_read(struct sk_khttp *h, void *buf, size_t n, int timeout_ms);
sk_err sk_khttp_write(struct sk_khttp *h, const void *p, size_t n, struct sk_error **err);
/* The stream's file descriptor, for poll(); and whether buffered bytes
 * are waiting that poll would not see. */
int sk_khttp_fd(const struct sk_khttp *h);
bool sk_khttp_pending(const struct sk_khttp *h);

/* Whether the last TLS handshake resumed the session cached in
 * sk_khttp_session_file (NULL: no cache; the path is borrowed). */
bool sk_khttp_resumed(const struct sk_khttp *h);
const char *sk_khttp_session_file(const struct sk_khttp *h);

#endif
