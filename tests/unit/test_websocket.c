/* RFC 6455 framing (websocket.c) and WebSocket sessions on upgraded
 * memory connections (http_upgrade.c over http.c's raw mode): the accept
 * key of the RFC's example, header lengths at the 125/126 and 65535/65536
 * edges, masking, a decoder fed byte by byte, fragments joined with a
 * control frame between them, every refusal the RFC asks for, and a
 * server session that answers pings, echoes the close code and hands
 * bytes that came with the request to the new protocol. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "http_upgrade.h"
#include "loop.h"
#include "websocket.h"

static void test_accept_key(void **state)
{
    (void)state;
    char out[SK_WS_ACCEPT_LEN + 1];
    /* RFC 6455 section 1.3 */
    assert_true(sk_ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", out));
    assert_string_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    assert_false(sk_ws_accept_key("short", out));
    assert_false(sk_ws_accept_key("dGhlIHNhbXBsZSBub25jZQ=", out));
    assert_false(sk_ws_accept_key("dGhlIHNhbXBsZSBub25j!Q==", out));
    assert_false(sk_ws_accept_key(NULL, out));
}

static void test_header_lengths(void **state)
{
    (void)state;
    uint8_t h[SK_WS_HEADER_MAX];
    assert_int_equal(sk_ws_header(h, SK_WS_BINARY, true, 125, NULL), 2);
    assert_int_equal(h[0], 0x82);
    assert_int_equal(h[1], 125);
    assert_int_equal(sk_ws_header(h, SK_WS_BINARY, true, 126, NULL), 4);
    assert_int_equal(h[1], 126);
    assert_int_equal(h[2], 0);
    assert_int_equal(h[3], 126);
    assert_int_equal(sk_ws_header(h, SK_WS_TEXT, false, 65535, NULL), 4);
    assert_int_equal(h[0], 0x01);
    assert_int_equal(sk_ws_header(h, SK_WS_BINARY, true, 65536, NULL), 10);
    assert_int_equal(h[1], 127);
    assert_int_equal(h[7], 1);
    assert_int_equal(h[8], 0);
    const uint8_t mask[4] = {1, 2, 3, 4};
    assert_int_equal(sk_ws_header(h, SK_WS_PING, true, 3, mask), 6);
    assert_int_equal(h[1], 0x80 | 3);
    assert_memory_equal(h + 2, mask, 4);
}

/* A client frame decoded by a server decoder fed one byte at a time. */
static void test_roundtrip_bytewise(void **state)
{
    (void)state;
    const uint8_t mask[4] = {0x37, 0xfa, 0x21, 0x3d};
    struct sk_buf b = {0};
    char payload[70000];
    for (size_t i = 0; i < sizeof(payload); i++)
        payload[i] = (char)('a' + i % 26);
    sk_ws_frame(&b, SK_WS_BINARY, true, "\x01hi", 3, mask);
    sk_ws_frame(&b, SK_WS_BINARY, true, payload, sizeof(payload), mask);
    /* the payload on the wire is masked */
    assert_int_not_equal(memcmp(b.p + 6, "\x01hi", 3), 0);
    struct sk_ws_decoder d = {.server = true};
    int got = 0, code;
    const char *why;
    for (size_t i = 0; i < b.len; i++) {
        sk_ws_feed(&d, b.p + i, 1);
        struct sk_ws_msg m;
        enum sk_ws_result r;
        while ((r = sk_ws_next(&d, &m, &code, &why)) == SK_WS_MSG) {
            assert_int_equal(m.op, SK_WS_BINARY);
            if (got == 0) {
                assert_int_equal(m.len, 3);
                assert_memory_equal(m.data, "\x01hi", 3);
            } else {
                assert_int_equal(m.len, sizeof(payload));
                assert_memory_equal(m.data, payload, sizeof(payload));
            }
            got++;
        }
        assert_int_equal(r, SK_WS_MORE);
    }
    assert_int_equal(got, 2);
    sk_ws_decoder_free(&d);
    sk_buf_free(&b);
}

static void test_fragments_and_control(void **state)
{
    (void)state;
    struct sk_buf b = {0};
    sk_ws_frame(&b, SK_WS_TEXT, false, "hel", 3, NULL);
    sk_ws_frame(&b, SK_WS_PING, true, "p", 1, NULL);
    sk_ws_frame(&b, SK_WS_CONT, false, "lo ", 3, NULL);
    sk_ws_frame(&b, SK_WS_CONT, true, "you", 3, NULL);
    uint8_t close[] = {0x03, 0xe8, 'b', 'y', 'e'};
    sk_ws_frame(&b, SK_WS_CLOSE, true, close, sizeof(close), NULL);
    sk_ws_frame(&b, SK_WS_TEXT, true, "after", 5, NULL);
    struct sk_ws_decoder d = {.server = false};
    sk_ws_feed(&d, b.p, b.len);
    struct sk_ws_msg m;
    int code;
    const char *why;
    assert_int_equal(sk_ws_next(&d, &m, &code, &why), SK_WS_MSG);
    assert_int_equal(m.op, SK_WS_PING);
    assert_int_equal(m.len, 1);
    assert_int_equal(sk_ws_next(&d, &m, &code, &why), SK_WS_MSG);
    assert_int_equal(m.op, SK_WS_TEXT);
    assert_int_equal(m.len, 9);
    assert_memory_equal(m.data, "hello you", 9);
    assert_int_equal(sk_ws_next(&d, &m, &code, &why), SK_WS_MSG);
    assert_int_equal(m.op, SK_WS_CLOSE);
    assert_int_equal(m.close_code, 1000);
    assert_int_equal(m.len, 3);
    /* nothing after a close */
    assert_int_equal(sk_ws_next(&d, &m, &code, &why), SK_WS_MORE);
    sk_ws_decoder_free(&d);
    sk_buf_free(&b);
}

/* Each input must be refused with the given close code. */
static void refused(const void *bytes, size_t n, bool server, size_t max, int want)
{
    struct sk_ws_decoder d = {.server = server, .max_message = max};
    sk_ws_feed(&d, bytes, n);
    struct sk_ws_msg m;
    int code = 0;
    const char *why = NULL;
    enum sk_ws_result r;
    while ((r = sk_ws_next(&d, &m, &code, &why)) == SK_WS_MSG)
        ;
    assert_int_equal(r, SK_WS_ERROR);
    assert_int_equal(code, want);
    assert_non_null(why);
    sk_ws_decoder_free(&d);
}

static void test_refusals(void **state)
{
    (void)state;
    refused("\x82\x01x", 3, true, 0, 1002);                    /* unmasked client frame */
    refused("\x82\x81\0\0\0\0x", 7, false, 0, 1002);           /* masked server frame */
    refused("\xc2\x00", 2, false, 0, 1002);                    /* RSV1 without an extension */
    refused("\x83\x00", 2, false, 0, 1002);                    /* reserved opcode */
    refused("\x09\x00", 2, false, 0, 1002);                    /* fragmented ping */
    refused("\x89\x7e\x00\x7e", 4, false, 0, 1002);            /* 126-byte ping */
    refused("\x80\x00", 2, false, 0, 1002);                    /* continuation first */
    refused("\x01\x01x\x81\x01y", 6, false, 0, 1002);          /* text inside a text */
    refused("\x88\x01x", 3, false, 0, 1002);                   /* one-byte close code */
    refused("\x82\x7f\x80\0\0\0\0\0\0\0", 10, false, 0, 1002); /* 2^63 length */
    refused("\x82\x7e\x01\x00", 4, false, 100, 1009);          /* over the message limit */
    refused("\x02\x0a"
            "aaaaaaaaaa"
            "\x80\x0a",
            14, false, 15, 1009); /* fragments over it */
}

static void test_header_has(void **state)
{
    (void)state;
    assert_true(sk_ws_header_has("keep-alive, Upgrade", "upgrade"));
    assert_true(sk_ws_header_has("v4.channel.k8s.io,v5.channel.k8s.io", "v5.channel.k8s.io"));
    assert_false(sk_ws_header_has("upgraded", "upgrade"));
    assert_false(sk_ws_header_has(NULL, "upgrade"));
    assert_false(sk_ws_header_has("", "upgrade"));
}

/* ---- a session on a memory connection ---- */

static struct sk_loop *L;
static struct sk_http_server *S;
static struct sk_ws_conn *WS;
static char got[256];
static size_t ngot;
static int closed_code;

static void ws_msg(void *arg, const uint8_t *data, size_t len)
{
    (void)arg;
    memcpy(got + ngot, data, len);
    ngot += len;
    sk_ws_send(WS, data, len); /* echo */
}

static void ws_closed(void *arg, int code)
{
    (void)arg;
    closed_code = code;
    sk_ws_close(WS, 1000, NULL);
    WS = NULL;
}

static const char *const PROTOS[] = {"v5.channel.k8s.io", "v4.channel.k8s.io", NULL};

static void handler(struct sk_http_req *req, void *arg)
{
    (void)arg;
    const char *chosen = NULL;
    char why[300] = "not an upgrade";
    if (!sk_ws_is_upgrade(req) || sk_ws_check(req, PROTOS, &chosen, why, sizeof(why))) {
        sk_http_respond(req, 400, "text/plain", NULL, why, strlen(why));
        return;
    }
    static const struct sk_ws_ops ops = {.message = ws_msg, .closed = ws_closed};
    WS = sk_ws_accept(req, chosen, &ops, NULL);
}

static int setup(void **state)
{
    (void)state;
    L = sk_loop_new();
    S = sk_http_server_new(L, NULL, NULL, handler, NULL, NULL, NULL);
    WS = NULL;
    ngot = 0;
    closed_code = 0;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sk_http_server_free(S);
    sk_loop_free(L);
    return 0;
}

static const char HANDSHAKE[] = "GET /x HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\n"
                                "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                "Sec-WebSocket-Protocol: v4.channel.k8s.io, v5.channel.k8s.io\r\n"
                                "\r\n";

static void test_session(void **state)
{
    (void)state;
    struct sk_http_conn *c = sk_http_mem_conn_new(S);
    const uint8_t mask[4] = {9, 8, 7, 6};
    struct sk_buf in = {0};
    sk_buf_append(&in, HANDSHAKE, strlen(HANDSHAKE));
    /* a frame in the same packet as the request */
    sk_ws_frame(&in, SK_WS_BINARY, true,
                "\x00"
                "abc",
                4, mask);
    sk_http_mem_conn_feed(c, in.p, in.len);
    assert_non_null(WS);
    size_t olen;
    const char *out = sk_http_mem_conn_output(c, &olen);
    char head[1024];
    snprintf(head, sizeof(head), "%.*s", (int)olen, out);
    assert_non_null(strstr(head, "HTTP/1.1 101 Switching Protocols\r\n"));
    assert_non_null(strstr(head, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    assert_non_null(strstr(head, "Sec-WebSocket-Protocol: v5.channel.k8s.io\r\n"));
    sk_http_mem_conn_clear_output(c);
    assert_int_equal(ngot, 0); /* handed over on the next turn, not in the handler */
    sk_http_mem_conn_feed(c, NULL, 0);
    assert_int_equal(ngot, 4);
    assert_memory_equal(got,
                        "\x00"
                        "abc",
                        4);
    /* the echo went out unmasked */
    out = sk_http_mem_conn_output(c, &olen);
    assert_int_equal(olen, 6);
    assert_memory_equal(out,
                        "\x82\x04\x00"
                        "abc",
                        6);
    sk_http_mem_conn_clear_output(c);
    /* ping: pong with the same payload */
    in.len = 0;
    sk_ws_frame(&in, SK_WS_PING, true, "hb", 2, mask);
    sk_http_mem_conn_feed(c, in.p, in.len);
    out = sk_http_mem_conn_output(c, &olen);
    assert_int_equal(olen, 4);
    assert_memory_equal(out, "\x8a\x02hb", 4);
    sk_http_mem_conn_clear_output(c);
    /* close: the code comes back, the session ends, the connection too */
    in.len = 0;
    sk_ws_frame(&in, SK_WS_CLOSE, true, "\x0f\xa0", 2, mask); /* 4000 */
    sk_http_mem_conn_feed(c, in.p, in.len);
    assert_int_equal(closed_code, 4000);
    out = sk_http_mem_conn_output(c, &olen);
    assert_int_equal(olen, 4);
    assert_memory_equal(out, "\x88\x02\x0f\xa0", 4);
    assert_true(sk_http_mem_conn_closed(c));
    sk_buf_free(&in);
    sk_http_mem_conn_free(c);
}

static void test_session_protocol_error(void **state)
{
    (void)state;
    struct sk_http_conn *c = sk_http_mem_conn_new(S);
    sk_http_mem_conn_feed(c, HANDSHAKE, strlen(HANDSHAKE));
    assert_non_null(WS);
    sk_http_mem_conn_clear_output(c);
    sk_http_mem_conn_feed(c, "\x82\x01x", 3); /* not masked */
    assert_int_equal(closed_code, 1002);
    size_t olen;
    const char *out = sk_http_mem_conn_output(c, &olen);
    assert_true(olen >= 4);
    assert_memory_equal(out, "\x88", 1);
    assert_int_equal((uint8_t)out[2] << 8 | (uint8_t)out[3], 1002);
    assert_true(sk_http_mem_conn_closed(c));
    sk_http_mem_conn_free(c);
}

static void test_bad_handshakes(void **state)
{
    (void)state;
    const char *reqs[] = {
            /* no key */
            "GET /x HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n",
            /* an unknown protocol */
            "GET /x HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
            "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Protocol: chat\r\n\r\n",
            /* not an upgrade */
            "GET /x HTTP/1.1\r\nHost: h\r\n\r\n",
    };
    const char *want[] = {"Sec-WebSocket-Key", "requested protocol(s) are not supported: [chat]",
                          ""};
    for (size_t i = 0; i < 3; i++) {
        struct sk_http_conn *c = sk_http_mem_conn_new(S);
        sk_http_mem_conn_feed(c, reqs[i], strlen(reqs[i]));
        assert_null(WS);
        size_t olen;
        const char *out = sk_http_mem_conn_output(c, &olen);
        char text[2048];
        snprintf(text, sizeof(text), "%.*s", (int)olen, out);
        assert_non_null(strstr(text, "HTTP/1.1 400"));
        assert_non_null(strstr(text, want[i]));
        sk_http_mem_conn_free(c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_accept_key),
            cmocka_unit_test(test_header_lengths),
            cmocka_unit_test(test_roundtrip_bytewise),
            cmocka_unit_test(test_fragments_and_control),
            cmocka_unit_test(test_refusals),
            cmocka_unit_test(test_header_has),
            cmocka_unit_test_setup_teardown(test_session, setup, teardown),
            cmocka_unit_test_setup_teardown(test_session_protocol_error, setup, teardown),
            cmocka_unit_test_setup_teardown(test_bad_handshakes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
