/* WebSocket (RFC 6455) over an upgraded HTTP/1.1 request: the server's
 * opening handshake and a message-level session that answers pings,
 * completes the closing handshake and pushes back on a slow consumer.
 * kubectl's exec and attach streams run on it (api_exec.c).
 *
 * Threads: the loop thread only. */
#ifndef SK_HTTP_UPGRADE_H
#define SK_HTTP_UPGRADE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "http.h"

struct sk_ws_conn;

/* Whether req asks for a WebSocket (Connection: Upgrade, Upgrade:
 * websocket). */
bool sk_ws_is_upgrade(const struct sk_http_req *req);

/* Check the handshake headers and choose a subprotocol: the first of
 * `supported` (NULL-ended, in the server's order of preference) that the
 * client offered. Returns NULL and *chosen, or the reason to answer 400
 * with ("missing Sec-WebSocket-Key", "requested protocol(s) are not
 * supported: ..."), written to why. */
const char *sk_ws_check(const struct sk_http_req *req, const char *const *supported,
                        const char **chosen, char *why, size_t whylen);

struct sk_ws_ops {
    /* A whole text or binary message (borrowed for the call). */
    void (*message)(void *arg, const uint8_t *data, size_t len);
    /* The client closed (code it sent, 1005 none) or went away (1006), or
     * broke the protocol (1002, 1009): no more messages; the owner ends
     * the session with sk_ws_close. */
    void (*closed)(void *arg, int code);
};

/* Answer the handshake (101 with Sec-WebSocket-Accept and protocol) and
 * take req: from now on the session owns it. Call sk_ws_check first.
 * NULL when the client is already gone (req was released). */
struct sk_ws_conn *sk_ws_accept(struct sk_http_req *req, const char *protocol,
                                const struct sk_ws_ops *ops, void *arg);
/* Send one binary message. Returns the bytes still queued for the client,
 * or -1 once it is gone. */
ssize_t sk_ws_send(struct sk_ws_conn *ws, const void *data, size_t len);
/* Bytes still queued for the client, or -1 once it is gone. */
ssize_t sk_ws_send_pending(struct sk_ws_conn *ws);
/* Stop or resume reading the client (TCP then pushes back). */
void sk_ws_pause(struct sk_ws_conn *ws, bool paused);
/* Send a close frame with code and reason (unless one was exchanged),
 * let queued output go, close the connection and free ws. No callback
 * runs afterwards. Safe from inside a callback. */
void sk_ws_close(struct sk_ws_conn *ws, int code, const char *reason);

#endif
