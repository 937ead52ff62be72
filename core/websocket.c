/* RFC 6455 framing: accept key, frame encoding, and a decoder that joins
 * fragments and refuses what the RFC forbids. See websocket.h. */
#include "websocket.h"

#include <ctype.h>
#include <mbedtls/base64.h>
#include <mbedtls/sha1.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_MAX_MESSAGE (1024u * 1024)
#define CONTROL_MAX         125

static const char GUID[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

bool sk_ws_accept_key(const char *key, char out[SK_WS_ACCEPT_LEN + 1])
{
    if (!key) return false;
    size_t kl = strlen(key);
    /* 16 random bytes in base64: 22 characters and "==" */
    if (kl != 24 || key[22] != '=' || key[23] != '=') return false;
    for (size_t i = 0; i < 22; i++)
        if (!isalnum((unsigned char)key[i]) && key[i] != '+' && key[i] != '/') return false;
    unsigned char in[24 + sizeof(GUID)];
    memcpy(in, key, kl);
    memcpy(in + kl, GUID, sizeof(GUID) - 1);
    unsigned char md[20];
    if (mbedtls_sha1_ret(in, kl + sizeof(GUID) - 1, md)) return false;
    unsigned char b64[SK_WS_ACCEPT_LEN + 4];
    size_t n = 0;
    if (mbedtls_base64_encode(b64, sizeof(b64), &n, md, sizeof(md)) || n != SK_WS_ACCEPT_LEN)
        return false;
    memcpy(out, b64, SK_WS_ACCEPT_LEN);
    out[SK_WS_ACCEPT_LEN] = 0;
    return true;
}

size_t sk_ws_header(uint8_t *out, enum sk_ws_op op, bool fin, uint64_t len, const uint8_t *mask)
{
    size_t n = 0;
    out[n++] = (uint8_t)((fin ? 0x80 : 0) | (op & 0x0f));
    uint8_t m = mask ? 0x80 : 0;
    if (len < 126) {
        out[n++] = (uint8_t)(m | len);
    } else if (len <= 0xffff) {
        out[n++] = m | 126;
        out[n++] = (uint8_t)(len >> 8);
        out[n++] = (uint8_t)len;
    } else {
        out[n++] = m | 127;
        for (int i = 7; i >= 0; i--)
            out[n++] = (uint8_t)(len >> (8 * i));
    }
    if (mask) {
        memcpy(out + n, mask, 4);
        n += 4;
    }
    return n;
}

void sk_ws_unmask(uint8_t *data, size_t len, const uint8_t mask[4], uint64_t off)
{
    for (size_t i = 0; i < len; i++)
        data[i] ^= mask[(off + i) & 3];
}

void sk_ws_frame(struct sk_buf *b, enum sk_ws_op op, bool fin, const void *payload, size_t len,
                 const uint8_t *mask)
{
    uint8_t h[SK_WS_HEADER_MAX];
    size_t hl = sk_ws_header(h, op, fin, len, mask);
    sk_buf_reserve(b, hl + len);
    memcpy(b->p + b->len, h, hl);
    b->len += hl;
    if (len) {
        memcpy(b->p + b->len, payload, len);
        if (mask) sk_ws_unmask((uint8_t *)b->p + b->len, len, mask, 0);
        b->len += len;
    }
}

void sk_ws_feed(struct sk_ws_decoder *d, const void *data, size_t len)
{
    if (d->closed || !len) return;
    /* drop what was consumed before growing */
    if (d->in_off) {
        size_t live = d->in.len - d->in_off;
        memmove(d->in.p, d->in.p + d->in_off, live);
        d->in.len = live;
        d->in_off = 0;
    }
    sk_buf_append(&d->in, data, len);
}

void sk_ws_decoder_free(struct sk_ws_decoder *d)
{
    sk_buf_free(&d->in);
    sk_buf_free(&d->msg);
    d->in_off = 0;
    d->in_message = false;
}

static enum sk_ws_result fail(struct sk_ws_decoder *d, int c, const char *w, int *code,
                              const char **why)
{
    d->closed = true;
    *code = c;
    *why = w;
    return SK_WS_ERROR;
}

enum sk_ws_result sk_ws_next(struct sk_ws_decoder *d, struct sk_ws_msg *out, int *code,
                             const char **why)
{
    size_t max = d->max_message ? d->max_message : DEFAULT_MAX_MESSAGE;
    for (;;) {
        if (d->closed) return SK_WS_MORE;
        uint8_t *p = (uint8_t *)d->in.p + d->in_off;
        size_t avail = d->in.len - d->in_off;
        if (avail < 2) return SK_WS_MORE;
        bool fin = p[0] & 0x80;
        if (p[0] & 0x70) return fail(d, SK_WS_CLOSE_PROTOCOL, "reserved bits set", code, why);
        enum sk_ws_op op = (enum sk_ws_op)(p[0] & 0x0f);
        bool masked = p[1] & 0x80;
        uint64_t len = p[1] & 0x7f;
        size_t hl = 2;
        if (len == 126) {
            if (avail < 4) return SK_WS_MORE;
            len = ((uint64_t)p[2] << 8) | p[3];
            hl = 4;
        } else if (len == 127) {
            if (avail < 10) return SK_WS_MORE;
            len = 0;
            for (int i = 0; i < 8; i++)
                len = (len << 8) | p[2 + i];
            hl = 10;
            if (len >> 63)
                return fail(d, SK_WS_CLOSE_PROTOCOL, "frame length over 2^63", code, why);
        }
        bool control = op & 0x8;
        if (op != SK_WS_CONT && op != SK_WS_TEXT && op != SK_WS_BINARY && op != SK_WS_CLOSE &&
            op != SK_WS_PING && op != SK_WS_PONG)
            return fail(d, SK_WS_CLOSE_PROTOCOL, "unknown opcode", code, why);
        if (masked != d->server)
            return fail(d, SK_WS_CLOSE_PROTOCOL,
                        d->server ? "client frame not masked" : "server frame masked", code, why);
        if (control && (!fin || len > CONTROL_MAX))
            return fail(d, SK_WS_CLOSE_PROTOCOL, "fragmented or long control frame", code, why);
        if (op == SK_WS_CONT && !d->in_message)
            return fail(d, SK_WS_CLOSE_PROTOCOL, "continuation without a message", code, why);
        if ((op == SK_WS_TEXT || op == SK_WS_BINARY) && d->in_message)
            return fail(d, SK_WS_CLOSE_PROTOCOL, "new message inside a fragmented one", code, why);
        if (!control && len > max - (op == SK_WS_CONT ? d->msg.len : 0))
            return fail(d, SK_WS_CLOSE_TOO_BIG, "message too big", code, why);
        const uint8_t *mask = NULL;
        if (masked) {
            if (avail < hl + 4) return SK_WS_MORE;
            mask = p + hl;
            hl += 4;
        }
        if (avail - hl < len) return SK_WS_MORE;
        uint8_t *payload = p + hl;
        if (mask) sk_ws_unmask(payload, (size_t)len, mask, 0);
        d->in_off += hl + (size_t)len;
        memset(out, 0, sizeof(*out));
        if (control) {
            out->op = op;
            out->data = payload;
            out->len = (size_t)len;
            if (op == SK_WS_CLOSE) {
                if (len == 1)
                    return fail(d, SK_WS_CLOSE_PROTOCOL, "close code cut short", code, why);
                out->close_code = len >= 2 ? (payload[0] << 8) | payload[1] : 1005;
                if (len >= 2) {
                    out->data += 2;
                    out->len -= 2;
                }
                d->closed = true;
            }
            return SK_WS_MSG;
        }
        if (op != SK_WS_CONT && fin) {
            out->op = op;
            out->data = payload;
            out->len = (size_t)len;
            return SK_WS_MSG;
        }
        if (op != SK_WS_CONT) {
            d->in_message = true;
            d->msg_op = op;
            d->msg.len = 0;
        }
        sk_buf_append(&d->msg, payload, (size_t)len);
        if (!fin) continue;
        d->in_message = false;
        out->op = d->msg_op;
        out->data = (const uint8_t *)(d->msg.p ? d->msg.p : "");
        out->len = d->msg.len;
        return SK_WS_MSG;
    }
}

bool sk_ws_header_has(const char *value, const char *token)
{
    if (!value) return false;
    size_t tl = strlen(token);
    const char *p = value;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        const char *s = p;
        while (*p && *p != ',')
            p++;
        const char *e = p;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if ((size_t)(e - s) == tl && !strncasecmp(s, token, tl)) return true;
    }
    return false;
}
