/* Upgraded (bidirectional) node HTTP streams, ABI 1.3, over an in-process
 * bus: the upgraded flag reaches the handler, input frames arrive in
 * order once the plugin asks for them (and not while it pauses), the
 * requester keeps its input within the window and learns from the node's
 * acknowledgements when it may send more, each http_write arrives as one
 * length-prefixed frame, and input for a stream that is not upgraded is
 * dropped. Every wait has a deadline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "loop.h"
#include "node_http.h"

static struct sk_loop *L;
static struct sk_bus *B;
static struct sk_node_http *NH;
static struct sk_nh_client *C;
static bool timed_out;
static int owner;

static void on_deadline(void *arg)
{
    (void)arg;
    timed_out = true;
}

static void run_until(const bool *flag, double secs)
{
    timed_out = false;
    struct sk_timer *t = sk_timer_add(L, secs, 0, on_deadline, NULL);
    while (!*flag && !timed_out)
        sk_loop_run_once(L, true);
    if (!timed_out) sk_timer_cancel(t);
    if (timed_out) fail_msg("timed out");
}

static void run_for(double secs)
{
    timed_out = false;
    sk_timer_add(L, secs, 0, on_deadline, NULL);
    while (!timed_out)
        sk_loop_run_once(L, true);
}

static int setup(void **state)
{
    (void)state;
    struct sk_error *err = NULL;
    L = sk_loop_new();
    B = sk_bus_new(L, "nhuptest", &err);
    NH = sk_node_http_new(L, B, 1u << 20, &err);
    C = sk_nh_client_new(L, B, "core.api", &err);
    assert_non_null(C);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sk_nh_client_free(C);
    sk_node_http_free(NH);
    sk_bus_free(B);
    sk_loop_free(L);
    return 0;
}

/* ---- the plugin side ---- */

struct plug {
    struct skiff_http_stream *s;
    bool upgraded;
    char in[1 << 16];
    size_t inlen;
    int frames;
    bool take; /* ask for input from the handler */
};

static void p_input(void *arg, const void *data, size_t len)
{
    struct plug *p = arg;
    if (p->inlen + len <= sizeof(p->in)) memcpy(p->in + p->inlen, data, len);
    p->inlen += len;
    p->frames++;
}

static void p_handler(void *arg, const struct skiff_http_req *req, struct skiff_http_stream *s)
{
    struct plug *p = arg;
    p->s = s;
    p->upgraded = req->upgraded;
    sk_nh_head(s, 200, "application/octet-stream");
    if (p->take) sk_nh_on_input(s, p_input, p);
}

/* ---- the requester side ---- */

struct req {
    struct sk_nh_call *call;
    bool headed, ended, drained;
    int status, code;
    char *data;
    size_t len;
};

static void r_head(void *arg, int status, const char *ct, long long length)
{
    (void)ct;
    (void)length;
    struct req *r = arg;
    r->headed = true;
    r->status = status;
}

static void r_data(void *arg, const void *d, size_t n)
{
    struct req *r = arg;
    r->data = realloc(r->data, r->len + n);
    memcpy(r->data + r->len, d, n);
    r->len += n;
    sk_nh_call_consumed(r->call, r->len);
}

static void r_end(void *arg, int code, const char *msg)
{
    (void)msg;
    struct req *r = arg;
    r->ended = true;
    r->code = code;
    r->call = NULL;
}

static void r_drain(void *arg)
{
    struct req *r = arg;
    r->drained = true;
}

static const struct sk_nh_call_ops ops = {
        .head = r_head, .data = r_data, .end = r_end, .input_drain = r_drain};

static void start(struct req *r, bool upgrade)
{
    struct sk_nh_request rq = {.method = "GET",
                               .path = "/up/ns/pod/c",
                               .query = "",
                               .upgrade = upgrade,
                               .window = SK_NH_WINDOW_MIN};
    struct sk_error *err = NULL;
    r->call = sk_nh_call_start(C, SK_NH_ENDPOINT, &rq, &ops, r, &err);
    assert_non_null(r->call);
}

static void test_input_in_order(void **state)
{
    (void)state;
    struct plug p = {.take = false};
    assert_int_equal(sk_node_http_serve(NH, &owner, "o", "up", p_handler, &p), SKIFF_OK);
    struct req r = {0};
    start(&r, true);
    assert_int_equal(sk_nh_call_input(r.call,
                                      "\x00"
                                      "ab",
                                      3),
                     SK_OK);
    assert_int_equal(sk_nh_call_input(r.call, "\x04{}", 3), SK_OK);
    assert_int_equal(sk_nh_call_input(r.call, NULL, 0), SK_EINVAL);
    run_until(&r.headed, 5);
    assert_true(p.upgraded);
    /* held until the plugin asks */
    run_for(0.05);
    assert_int_equal(p.frames, 0);
    sk_nh_on_input(p.s, p_input, &p);
    run_for(0.05);
    assert_int_equal(p.frames, 2);
    assert_int_equal(p.inlen, 6);
    assert_memory_equal(p.in,
                        "\x00"
                        "ab\x04{}",
                        6);
    /* paused: nothing arrives; resumed: it does */
    sk_nh_input_pause(p.s, true);
    sk_nh_call_input(r.call,
                     "\x00"
                     "cd",
                     3);
    run_for(0.05);
    assert_int_equal(p.frames, 2);
    sk_nh_input_pause(p.s, false);
    run_for(0.05);
    assert_int_equal(p.frames, 3);
    assert_int_equal(sk_nh_call_input_pending(r.call), 0); /* all acknowledged */
    /* output: one frame per write, each with its length */
    sk_nh_write(p.s, "\x01hello", 6);
    sk_nh_write(p.s, "\x03{}", 3);
    sk_nh_end(p.s);
    run_until(&r.ended, 5);
    assert_int_equal(r.code, 0);
    assert_int_equal(r.len, 4 + 6 + 4 + 3);
    assert_memory_equal(r.data, "\0\0\0\x06\x01hello\0\0\0\x03\x03{}", 17);
    free(r.data);
}

/* More input than the window: the requester holds it back until the
 * plugin takes it, and says when there is room again. */
static void test_input_window(void **state)
{
    (void)state;
    struct plug p = {.take = false};
    sk_node_http_serve(NH, &owner, "o", "up", p_handler, &p);
    struct req r = {0};
    start(&r, true);
    static char chunk[16 * 1024];
    memset(chunk, 'x', sizeof(chunk));
    chunk[0] = 0;
    for (int i = 0; i < 12; i++) /* 192 KiB against a 64 KiB window */
        sk_nh_call_input(r.call, chunk, sizeof(chunk));
    run_until(&r.headed, 5);
    run_for(0.05);
    assert_true(sk_nh_call_input_pending(r.call) >= 12 * sizeof(chunk));
    assert_false(r.drained);
    sk_nh_on_input(p.s, p_input, &p);
    run_until(&r.drained, 5);
    run_for(0.1);
    assert_int_equal(p.frames, 12);
    assert_int_equal(p.inlen, 12 * sizeof(chunk));
    assert_int_equal(sk_nh_call_input_pending(r.call), 0);
    sk_nh_end(p.s);
    run_until(&r.ended, 5);
    free(r.data);
}

static void test_not_upgraded(void **state)
{
    (void)state;
    struct plug p = {.take = true};
    sk_node_http_serve(NH, &owner, "o", "up", p_handler, &p);
    struct req r = {0};
    start(&r, false);
    sk_nh_call_input(r.call, "\x00x", 2);
    run_until(&r.headed, 5);
    run_for(0.05);
    assert_false(p.upgraded);
    assert_int_equal(p.frames, 0);
    /* a plain stream's writes carry no frame lengths */
    sk_nh_write(p.s, "plain", 5);
    sk_nh_end(p.s);
    run_until(&r.ended, 5);
    assert_int_equal(r.len, 5);
    assert_memory_equal(r.data, "plain", 5);
    free(r.data);
}

static void test_decode_input(void **state)
{
    (void)state;
    struct sk_nh_body b;
    struct sk_error *err = NULL;
    /* {"sid": 1, "data": bin ""}: an empty frame names no channel */
    const uint8_t empty[] = {0x82, 0xa3, 's', 'i', 'd', 0x01, 0xa4, 'd', 'a', 't', 'a', 0xc4, 0x00};
    assert_int_equal(sk_nh_decode(SKIFF_MSG_NODE_HTTP_INPUT, empty, sizeof(empty), &b, &err),
                     SK_EPROTO);
    sk_error_free(err);
    err = NULL;
    const uint8_t ok[] = {0x82, 0xa3, 's', 'i', 'd', 0x01, 0xa4, 'd', 'a', 't', 'a', 0xc4, 0x01, 0};
    assert_int_equal(sk_nh_decode(SKIFF_MSG_NODE_HTTP_INPUT, ok, sizeof(ok), &b, &err), SK_OK);
    assert_int_equal(b.data_len, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_input_in_order, setup, teardown),
            cmocka_unit_test_setup_teardown(test_input_window, setup, teardown),
            cmocka_unit_test_setup_teardown(test_not_upgraded, setup, teardown),
            cmocka_unit_test(test_decode_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
