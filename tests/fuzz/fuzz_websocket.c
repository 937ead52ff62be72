/* Fuzz target for the WebSocket frame decoder (core/websocket.c). The
 * first byte picks the role (bit 0: decode as a server, frames must be
 * masked), the limit on a message and how the rest is cut into pieces;
 * the rest is the peer's bytes. Besides not crashing, leaking or hanging:
 * control frames stay within 125 bytes, messages within the limit, a
 * close ends decoding, and every message re-encoded in the peer's role
 * decodes back to the same opcode and bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "websocket.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_roundtrip(bool server, const struct sk_ws_msg *m)
{
    static const uint8_t mask[4] = {0xde, 0xad, 0xbe, 0xef};
    struct sk_buf b = {0};
    if (m->op == SK_WS_CLOSE) return; /* the code was split off */
    sk_ws_frame(&b, m->op, true, m->data, m->len, server ? mask : NULL);
    struct sk_ws_decoder d = {.server = server, .max_message = 1 << 20};
    sk_ws_feed(&d, b.p, b.len);
    struct sk_ws_msg back;
    int code;
    const char *why;
    if (sk_ws_next(&d, &back, &code, &why) != SK_WS_MSG) abort();
    if (back.op != m->op || back.len != m->len) abort();
    if (m->len && memcmp(back.data, m->data, m->len)) abort();
    if (sk_ws_next(&d, &back, &code, &why) != SK_WS_MORE) abort();
    sk_ws_decoder_free(&d);
    sk_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 1 << 18) return 0;
    uint8_t ctl = data[0];
    bool server = ctl & 1;
    size_t limit = (ctl & 2) ? 64 : 1 << 16;
    size_t piece = 1 + ((ctl >> 2) & 0x3f) * 7;
    data++;
    size--;
    struct sk_ws_decoder d = {.server = server, .max_message = limit};
    bool closed = false, failed = false;
    for (size_t off = 0; off < size && !failed;) {
        size_t n = size - off < piece ? size - off : piece;
        sk_ws_feed(&d, data + off, n);
        off += n;
        for (;;) {
            struct sk_ws_msg m;
            int code = 0;
            const char *why = NULL;
            enum sk_ws_result r = sk_ws_next(&d, &m, &code, &why);
            if (r == SK_WS_MORE) break;
            if (closed) abort(); /* nothing after a close */
            if (r == SK_WS_ERROR) {
                if (!why || (code != SK_WS_CLOSE_PROTOCOL && code != SK_WS_CLOSE_TOO_BIG)) abort();
                failed = true;
                break;
            }
            if ((m.op & 8) && m.len > 125) abort();
            if (!(m.op & 8) && m.len > limit) abort();
            if (m.op == SK_WS_CLOSE) closed = true;
            check_roundtrip(server, &m);
        }
    }
    sk_ws_decoder_free(&d);
    return 0;
}
