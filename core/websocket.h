/* RFC 6455 WebSocket framing as pure functions: the opening handshake's
 * accept key, frame encoding (server frames unmasked, client frames
 * masked) and an incremental decoder that checks what a peer sends (mask
 * by role, reserved bits, opcodes, control frame rules, fragmentation,
 * lengths). No I/O and no state beyond the decoder struct: the server
 * side (http_upgrade.c) and the CLI's client (kclient.c) both use it.
 *
 * Threads: any; a decoder belongs to one caller at a time. */
#ifndef SK_WEBSOCKET_H
#define SK_WEBSOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "val.h"

enum sk_ws_op {
    SK_WS_CONT = 0x0,
    SK_WS_TEXT = 0x1,
    SK_WS_BINARY = 0x2,
    SK_WS_CLOSE = 0x8,
    SK_WS_PING = 0x9,
    SK_WS_PONG = 0xA,
};

/* Close codes (RFC 6455 7.4.1). */
enum {
    SK_WS_CLOSE_NORMAL = 1000,
    SK_WS_CLOSE_GOING_AWAY = 1001,
    SK_WS_CLOSE_PROTOCOL = 1002,
    SK_WS_CLOSE_TOO_BIG = 1009,
    SK_WS_CLOSE_INTERNAL = 1011,
};

/* Largest frame header: 2 + 8 (length) + 4 (mask). */
#define SK_WS_HEADER_MAX 14
/* Length of a Sec-WebSocket-Accept value, without the NUL. */
#define SK_WS_ACCEPT_LEN 28

/* The Sec-WebSocket-Accept value for a client's Sec-WebSocket-Key:
 * base64(SHA-1(key + the RFC's GUID)). out gets SK_WS_ACCEPT_LEN chars and
 * a NUL. false when key is not 16 bytes in base64 (24 chars, as RFC 6455
 * 4.2.1 requires) or SHA-1 is unavailable. */
bool sk_ws_accept_key(const char *key, char out[SK_WS_ACCEPT_LEN + 1]);

/* Write a frame header for a payload of len bytes to out (at least
 * SK_WS_HEADER_MAX bytes); mask is NULL for an unmasked (server) frame or
 * the 4-byte masking key. Returns the header's length. */
size_t sk_ws_header(uint8_t *out, enum sk_ws_op op, bool fin, uint64_t len, const uint8_t *mask);

/* Append one whole frame (header and payload, masked with mask when not
 * NULL) to b. */
void sk_ws_frame(struct sk_buf *b, enum sk_ws_op op, bool fin, const void *payload, size_t len,
                 const uint8_t *mask);

/* XOR data with the mask, starting at offset off into the payload. */
void sk_ws_unmask(uint8_t *data, size_t len, const uint8_t mask[4], uint64_t off);

/* A decoded event: one whole message (fragments joined), or one control
 * frame. Points into the decoder's buffer, valid until the next call. */
struct sk_ws_msg {
    enum sk_ws_op op; /* TEXT, BINARY, CLOSE, PING, PONG */
    const uint8_t *data;
    size_t len;
    int close_code; /* CLOSE: the code sent, 1005 when none */
};

struct sk_ws_decoder {
    bool server;        /* frames come from a client: they must be masked */
    size_t max_message; /* largest message (fragments joined); 0: 1 MiB */
    /* private */
    struct sk_buf in; /* bytes not yet consumed */
    size_t in_off;
    struct sk_buf msg; /* a fragmented message being joined */
    enum sk_ws_op msg_op;
    bool in_message;
    bool closed;
};

enum sk_ws_result {
    SK_WS_MORE = 0,  /* need more input */
    SK_WS_MSG = 1,   /* *out holds a message or control frame */
    SK_WS_ERROR = 2, /* the peer broke the protocol: close with *code, *why */
};

/* Feed bytes (copied; len 0 only continues with what is buffered), then
 * call sk_ws_next until it returns SK_WS_MORE. */
void sk_ws_feed(struct sk_ws_decoder *d, const void *data, size_t len);
/* The next message or control frame. On SK_WS_ERROR, *code is the close
 * code to send and *why a static reason; the decoder stays failed. After a
 * CLOSE frame nothing more is decoded. */
enum sk_ws_result sk_ws_next(struct sk_ws_decoder *d, struct sk_ws_msg *out, int *code,
                             const char **why);
/* Release the decoder's buffers. */
void sk_ws_decoder_free(struct sk_ws_decoder *d);

/* Whether a comma-separated header value (Connection, Upgrade,
 * Sec-WebSocket-Protocol) holds token, case-insensitively. */
bool sk_ws_header_has(const char *value, const char *token);

#endif
