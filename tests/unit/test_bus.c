/* The message bus: request and reply between endpoints over inproc, errors
 * for unknown destinations, ordering under load, malformed messages dropped
 * without harm, buses kept apart by id, and the same routing over a link
 * between buses (inproc, tcp and ipc). Every wait has a deadline, so a bug
 * fails the test instead of hanging it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <msgpack.h>
#include <nng/nng.h>
#include <nng/protocol/pair1/pair.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus.h"
#include "loop.h"
#include "msg.h"

static struct sk_loop *L;
static bool timed_out;

static int setup(void **state)
{
    (void)state;
    L = sk_loop_new();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sk_loop_free(L);
    L = NULL;
    return 0;
}

static void on_deadline(void *arg)
{
    (void)arg;
    timed_out = true;
}

/* Run the loop until *counter reaches want, or fail after secs. */
static void run_until(const int *counter, int want, double secs)
{
    timed_out = false;
    struct sk_timer *t = sk_timer_add(L, secs, 0, on_deadline, NULL);
    while (*counter < want && !timed_out)
        sk_loop_run_once(L, true);
    if (!timed_out) sk_timer_cancel(t);
    if (timed_out) fail_msg("timed out waiting: have %d of %d", *counter, want);
}

/* Run the loop for about secs (to see that nothing more arrives). */
static void run_for(double secs)
{
    timed_out = false;
    sk_timer_add(L, secs, 0, on_deadline, NULL);
    while (!timed_out)
        sk_loop_run_once(L, true);
}

static struct sk_bus *new_bus(const char *id)
{
    struct sk_error *err = NULL;
    struct sk_bus *bus = sk_bus_new(L, id, &err);
    if (!bus) fail_msg("sk_bus_new %s: %s", id, sk_error_msg(err, SK_EINVAL));
    return bus;
}

/* What a handler saw, copied out of the borrowed message. */
struct seen {
    int n;
    uint32_t type, version;
    uint64_t id, re;
    char from[160], to[80];
    uint8_t body[64];
    size_t body_len;
};

static void record(struct seen *s, const struct skiff_msg *m)
{
    s->n++;
    s->type = m->type;
    s->version = m->version;
    s->id = m->id;
    s->re = m->re;
    snprintf(s->from, sizeof(s->from), "%s", m->from);
    snprintf(s->to, sizeof(s->to), "%s", m->to);
    s->body_len = m->body_len;
    memcpy(s->body, m->body, m->body_len < sizeof(s->body) ? m->body_len : sizeof(s->body));
}

/* An echo server: records the request, replies with its body. */
struct server {
    struct sk_bus_ep *ep;
    struct seen req;
};

static void server_fn(void *arg, const struct skiff_msg *m)
{
    struct server *s = arg;
    record(&s->req, m);
    struct sk_error *err = NULL;
    uint64_t id = sk_bus_reply(s->ep, m, SKIFF_MSG_ECHO_REPLY, 1, m->body, m->body_len, &err);
    if (!id) fail_msg("reply: %s", sk_error_msg(err, SK_EINVAL));
}

static void seen_fn(void *arg, const struct skiff_msg *m)
{
    record(arg, m);
}

static struct sk_bus_ep *attach(struct sk_bus *bus, const char *name, sk_bus_fn fn, void *arg)
{
    struct sk_error *err = NULL;
    struct sk_bus_ep *ep = sk_bus_attach(bus, name, fn, arg, &err);
    if (!ep) fail_msg("attach %s: %s", name, sk_error_msg(err, SK_EINVAL));
    return ep;
}

static uint64_t send_ok(struct sk_bus_ep *from, const char *to, uint32_t type, const void *body,
                        size_t len)
{
    struct sk_error *err = NULL;
    uint64_t id = sk_bus_send(from, to, type, 1, 0, body, len, &err);
    if (!id) fail_msg("send to %s: %s", to, sk_error_msg(err, SK_EINVAL));
    return id;
}

static const uint8_t body_kv[] = {0x81, 0xa1, 'k', 0xa1, 'v'}; /* {"k":"v"} */

/* A client sends ECHO to `to` and checks the request the server saw (its
 * sender too, unless want_req_from is NULL) and the reply. */
static void echo_round_trip(struct sk_bus_ep *cli, struct seen *got, const char *to,
                            struct server *srv, const char *want_req_from,
                            const char *want_reply_from)
{
    int before = got->n;
    uint64_t id = send_ok(cli, to, SKIFF_MSG_ECHO, body_kv, sizeof(body_kv));
    assert_true(id > 0);
    run_until(&got->n, before + 1, 10);

    assert_int_equal(srv->req.type, SKIFF_MSG_ECHO);
    assert_int_equal(srv->req.version, 1);
    assert_true(srv->req.id == id);
    assert_true(srv->req.re == 0);
    if (want_req_from) assert_string_equal(srv->req.from, want_req_from);
    assert_int_equal(srv->req.body_len, sizeof(body_kv));
    assert_memory_equal(srv->req.body, body_kv, sizeof(body_kv));

    assert_int_equal(got->type, SKIFF_MSG_ECHO_REPLY);
    assert_true(got->re == id);
    assert_true(got->id > 0);
    assert_string_equal(got->from, want_reply_from);
    assert_string_equal(got->to, sk_bus_ep_name(cli));
    assert_int_equal(got->body_len, sizeof(body_kv));
    assert_memory_equal(got->body, body_kv, sizeof(body_kv));
}

/* ---- tests ---- */

static void test_request_reply_inproc(void **state)
{
    (void)state;
    struct sk_bus *bus = new_bus("t-reqrep");
    struct server srv = {0};
    struct seen got = {0};
    srv.ep = attach(bus, "server", server_fn, &srv);
    struct sk_bus_ep *cli = attach(bus, "client", seen_fn, &got);
    assert_string_equal(sk_bus_ep_name(cli), "client");

    echo_round_trip(cli, &got, "server", &srv, "client", "server");
    assert_string_equal(srv.req.to, "server");
    echo_round_trip(cli, &got, "server", &srv, "client", "server");

    /* a NULL body is the empty map */
    int before = got.n;
    send_ok(srv.ep, "client", SKIFF_MSG_PING, NULL, 0);
    run_until(&got.n, before + 1, 10);
    assert_int_equal(got.body_len, 1);
    assert_int_equal(got.body[0], 0x80);
    assert_int_equal(sk_bus_dropped(bus), 0);
    sk_bus_free(bus);
}

static void test_errors(void **state)
{
    (void)state;
    struct sk_bus *bus = new_bus("t-errors");
    struct seen got = {0};
    struct sk_bus_ep *a = attach(bus, "a", seen_fn, &got);
    struct sk_error *err = NULL;

    const char *unknown[] = {"nobody",         "b",  "peer/x", "@1/x", "@0/x", "@abc/x",
                             "@99999999999/x", "/x", "@/x"};
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        assert_true(sk_bus_send(a, unknown[i], 1, 1, 0, NULL, 0, &err) == 0);
        assert_non_null(err);
        assert_int_equal(err->code, SK_ENOENT);
        sk_error_free(err);
        err = NULL;
    }
    assert_true(sk_bus_send(a, NULL, 1, 1, 0, NULL, 0, NULL) == 0);

    /* bodies: not a map, trailing bytes, truncated, too big */
    static const uint8_t arr[] = {0x91, 0x01}, two[] = {0x80, 0x80}, cut[] = {0x81, 0xa1};
    assert_true(sk_bus_send(a, "a", 1, 1, 0, arr, sizeof(arr), &err) == 0);
    assert_int_equal(err->code, SK_EINVAL);
    sk_error_free(err);
    err = NULL;
    assert_true(sk_bus_send(a, "a", 1, 1, 0, two, sizeof(two), NULL) == 0);
    assert_true(sk_bus_send(a, "a", 1, 1, 0, cut, sizeof(cut), NULL) == 0);
    assert_true(sk_bus_send(a, "a", 1, 1, 0, body_kv, (size_t)SK_MSG_BODY_MAX + 1, &err) == 0);
    assert_int_equal(err->code, SK_ETOOBIG);
    sk_error_free(err);
    err = NULL;

    /* names */
    const char *bad[] = {"",    "A",
                         "a/b", "a b",
                         "@1",  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_null(sk_bus_attach(bus, bad[i], seen_fn, &got, &err));
        assert_int_equal(err->code, SK_EINVAL);
        sk_error_free(err);
        err = NULL;
    }
    assert_null(sk_bus_attach(bus, "a", seen_fn, &got, &err));
    assert_int_equal(err->code, SK_EEXIST);
    sk_error_free(err);
    err = NULL;
    assert_null(sk_bus_attach(bus, "nofn", NULL, NULL, NULL));
    assert_null(sk_bus_new(L, "bad/id", NULL));
    assert_null(sk_bus_new(L, "", NULL));

    /* listen and dial refuse bad URLs and names */
    assert_int_not_equal(sk_bus_listen(bus, "nosuch://x", &err), SK_OK);
    sk_error_free(err);
    err = NULL;
    assert_int_equal(sk_bus_port(bus), -1);
    assert_int_not_equal(sk_bus_dial(bus, "p", "nosuch://x", NULL), SK_OK);
    assert_int_equal(sk_bus_dial(bus, "p/q", "tcp://127.0.0.1:1", NULL), SK_EINVAL);
    assert_int_equal(sk_bus_dial(bus, "p", "tcp://127.0.0.1:1", NULL), SK_OK);
    assert_int_equal(sk_bus_dial(bus, "p", "tcp://127.0.0.1:1", NULL), SK_EEXIST);
    /* sending to a peer not yet connected queues; bad remote names fail */
    assert_true(sk_bus_send(a, "p/x", 1, 1, 0, NULL, 0, NULL) > 0);
    assert_true(sk_bus_send(a, "p/", 1, 1, 0, NULL, 0, NULL) == 0);
    assert_true(sk_bus_send(a, "p/X", 1, 1, 0, NULL, 0, NULL) == 0);

    /* after detach the name is unknown, and free to attach again */
    sk_bus_detach(a);
    struct sk_bus_ep *b = attach(bus, "b", seen_fn, &got);
    assert_true(sk_bus_send(b, "a", 1, 1, 0, NULL, 0, &err) == 0);
    assert_int_equal(err->code, SK_ENOENT);
    sk_error_free(err);
    a = attach(bus, "a", seen_fn, &got);
    send_ok(b, "a", 1, NULL, 0);
    run_until(&got.n, 1, 10);
    sk_bus_detach(NULL);
    sk_bus_free(bus);
    sk_bus_free(NULL);
}

/* ---- ordering ---- */

struct order {
    int n;
    int bad;
    uint64_t last_id;
};

static void order_fn(void *arg, const struct skiff_msg *m)
{
    struct order *o = arg;
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    size_t off = 0;
    int want = o->n;
    if (msgpack_unpack_next(&up, m->body, m->body_len, &off) != MSGPACK_UNPACK_SUCCESS ||
        off != m->body_len || up.data.type != MSGPACK_OBJECT_MAP || up.data.via.map.size != 1 ||
        up.data.via.map.ptr[0].val.type != MSGPACK_OBJECT_POSITIVE_INTEGER ||
        up.data.via.map.ptr[0].val.via.u64 != (uint64_t)want || m->id <= o->last_id)
        o->bad++;
    o->last_id = m->id;
    o->n++;
    msgpack_unpacked_destroy(&up);
}

static void test_ordering(void **state)
{
    (void)state;
    const int total = 10000;
    struct sk_bus *bus = new_bus("t-order");
    struct order o = {0};
    struct seen unused = {0};
    attach(bus, "dst", order_fn, &o);
    struct sk_bus_ep *src = attach(bus, "src", seen_fn, &unused);

    int again = 0;
    timed_out = false;
    struct sk_timer *t = sk_timer_add(L, 30, 0, on_deadline, NULL);
    for (int i = 0; i < total && !timed_out;) {
        uint8_t body[8] = {0x81, 0xa1, 'n', 0xce};
        body[4] = (uint8_t)(i >> 24);
        body[5] = (uint8_t)(i >> 16);
        body[6] = (uint8_t)(i >> 8);
        body[7] = (uint8_t)i;
        struct sk_error *err = NULL;
        if (sk_bus_send(src, "dst", SKIFF_MSG_PING, 1, 0, body, sizeof(body), &err)) {
            i++;
            continue;
        }
        /* a full queue is the only acceptable failure: let the loop drain */
        assert_int_equal(err->code, SK_EAGAIN);
        sk_error_free(err);
        again++;
        sk_loop_run_once(L, false);
    }
    if (!timed_out) sk_timer_cancel(t);
    assert_false(timed_out);
    run_until(&o.n, total, 30);
    assert_int_equal(o.n, total);
    assert_int_equal(o.bad, 0);
    print_message("ordering: %d messages, %d sends retried after SK_EAGAIN\n", total, again);
    sk_bus_free(bus);
}

/* ---- malformed input in an inbox ---- */

static void inject(nng_socket s, const void *data, size_t len)
{
    nng_msg *nm;
    assert_int_equal(nng_msg_alloc(&nm, 0), 0);
    assert_int_equal(nng_msg_append(nm, data, len), 0);
    assert_int_equal(nng_sendmsg(s, nm, 0), 0);
}

static void test_malformed_dropped(void **state)
{
    (void)state;
    struct sk_bus *bus = new_bus("t-inject");
    struct seen got = {0};
    struct sk_bus_ep *dst = attach(bus, "dst", seen_fn, &got);
    attach(bus, "other", seen_fn, &got);

    /* anything in the process can reach an inbox by its documented URL */
    nng_socket push;
    assert_int_equal(nng_pair1_open(&push), 0);
    /* queue the lot: the inbox takes them only once the loop runs */
    assert_int_equal(nng_socket_set_int(push, NNG_OPT_SENDBUF, 16), 0);
    assert_int_equal(nng_dial(push, "inproc://skiff/t-inject/dst", NULL, 0), 0);

    static const uint8_t garbage[] = {0x01, 0x02, 0xc1};
    inject(push, garbage, sizeof(garbage));
    inject(push, "", 0);
    uint8_t buf[256];
    size_t len;
    /* well-formed, but for another endpoint */
    struct skiff_msg m = {.type = 1,
                          .version = 1,
                          .from = "intruder",
                          .to = "other",
                          .id = 7,
                          .body = body_kv,
                          .body_len = sizeof(body_kv)};
    assert_int_equal(sk_msg_encode(&m, buf, sizeof(buf), &len, NULL), SK_OK);
    inject(push, buf, len);
    /* truncated */
    m.to = "dst";
    assert_int_equal(sk_msg_encode(&m, buf, sizeof(buf), &len, NULL), SK_OK);
    inject(push, buf, len - 1);
    /* and the good one */
    m.id = 8;
    assert_int_equal(sk_msg_encode(&m, buf, sizeof(buf), &len, NULL), SK_OK);
    inject(push, buf, len);

    run_until(&got.n, 1, 10);
    assert_int_equal(got.n, 1);
    assert_true(got.id == 8);
    assert_string_equal(got.from, "intruder");
    assert_int_equal(sk_bus_dropped(bus), 4);

    /* the bus still works */
    struct seen got2 = {0};
    struct sk_bus_ep *c = attach(bus, "c", seen_fn, &got2);
    send_ok(dst, "c", 1, NULL, 0);
    run_until(&got2.n, 1, 10);
    run_for(0.05);
    assert_int_equal(got.n, 1);
    nng_close(push);
    sk_bus_detach(c);
    sk_bus_free(bus);
}

/* ---- detaching from a handler ---- */

struct quitter {
    struct sk_bus_ep *ep;
    int n;
};

static void quit_fn(void *arg, const struct skiff_msg *m)
{
    (void)m;
    struct quitter *q = arg;
    q->n++;
    sk_bus_detach(q->ep);
    /* a detached endpoint cannot send, even during its own last call */
    assert_true(sk_bus_send(q->ep, "x", 1, 1, 0, NULL, 0, NULL) == 0);
}

static void test_detach_in_handler(void **state)
{
    (void)state;
    struct sk_bus *bus = new_bus("t-detach");
    struct quitter q = {0};
    struct seen got = {0};
    q.ep = attach(bus, "quitter", quit_fn, &q);
    struct sk_bus_ep *src = attach(bus, "src", seen_fn, &got);
    for (int i = 0; i < 5; i++)
        send_ok(src, "quitter", 1, NULL, 0);
    run_until(&q.n, 1, 10);
    run_for(0.05);
    assert_int_equal(q.n, 1);
    assert_true(sk_bus_send(src, "quitter", 1, 1, 0, NULL, 0, NULL) == 0);

    /* messages still queued when the bus is freed are released */
    attach(bus, "sink", seen_fn, &got);
    for (int i = 0; i < 100; i++)
        send_ok(src, "sink", 1, body_kv, sizeof(body_kv));
    sk_bus_free(bus);
}

/* ---- several buses ---- */

static void test_bus_isolation(void **state)
{
    (void)state;
    struct sk_bus *a = new_bus("node-a");
    struct sk_bus *b = new_bus("node-b");
    struct sk_error *err = NULL;
    assert_null(sk_bus_new(L, "node-a", &err));
    assert_int_equal(err->code, SK_EEXIST);
    sk_error_free(err);

    /* the same endpoint names on both buses */
    struct server sa = {0}, sb = {0};
    struct seen ga = {0}, gb = {0};
    sa.ep = attach(a, "echo", server_fn, &sa);
    sb.ep = attach(b, "echo", server_fn, &sb);
    struct sk_bus_ep *ca = attach(a, "cli", seen_fn, &ga);
    struct sk_bus_ep *cb = attach(b, "cli", seen_fn, &gb);

    echo_round_trip(ca, &ga, "echo", &sa, "cli", "echo");
    assert_int_equal(sa.req.n, 1);
    assert_int_equal(sb.req.n, 0);
    echo_round_trip(cb, &gb, "echo", &sb, "cli", "echo");
    assert_int_equal(sa.req.n, 1);
    assert_int_equal(sb.req.n, 1);
    assert_int_equal(ga.n, 1);

    /* linked over inproc, b reaches a's endpoints as "a/<name>" and a sees
     * b's as "@<pipe>/<name>" */
    assert_int_equal(sk_bus_dial(b, "a", "inproc://skiff/node-a", NULL), SK_OK);
    int before = gb.n;
    uint64_t id = send_ok(cb, "a/echo", SKIFF_MSG_ECHO, body_kv, sizeof(body_kv));
    run_until(&gb.n, before + 1, 10);
    assert_int_equal(sa.req.n, 2);
    assert_int_equal(sb.req.n, 1);
    assert_true(sa.req.from[0] == '@');
    assert_non_null(strstr(sa.req.from, "/cli"));
    assert_string_equal(gb.from, "a/echo");
    assert_true(gb.re == id);

    sk_bus_free(b);
    /* the id is free again once its bus is gone */
    b = new_bus("node-b");
    sk_bus_free(b);
    sk_bus_free(a);
}

/* ---- over the network ---- */

static void test_tcp_request_reply(void **state)
{
    (void)state;
    struct sk_bus *srv_bus = new_bus("t-tcp-srv");
    struct sk_bus *cli_bus = new_bus("t-tcp-cli");
    struct server srv = {0};
    struct seen got = {0};
    srv.ep = attach(srv_bus, "echo", server_fn, &srv);
    struct sk_bus_ep *cli = attach(cli_bus, "client", seen_fn, &got);

    struct sk_error *err = NULL;
    if (sk_bus_listen(srv_bus, "tcp://127.0.0.1:0", &err))
        fail_msg("listen: %s", sk_error_msg(err, SK_EINVAL));
    int port = sk_bus_port(srv_bus);
    assert_true(port > 0);
    char url[64];
    snprintf(url, sizeof(url), "tcp://127.0.0.1:%d", port);
    assert_int_equal(sk_bus_dial(cli_bus, "srv", url, NULL), SK_OK);

    /* the request may leave before the connection is up: it waits */
    echo_round_trip(cli, &got, "srv/echo", &srv, NULL, "srv/echo");
    assert_string_equal(srv.req.to, "echo");
    char pipe_from[160];
    snprintf(pipe_from, sizeof(pipe_from), "%s", srv.req.from);
    assert_true(pipe_from[0] == '@');
    assert_non_null(strstr(pipe_from, "/client"));
    for (int i = 0; i < 20; i++)
        echo_round_trip(cli, &got, "srv/echo", &srv, pipe_from, "srv/echo");

    /* the server may also start a conversation over that connection */
    int before = got.n;
    send_ok(srv.ep, pipe_from, SKIFF_MSG_PING, NULL, 0);
    run_until(&got.n, before + 1, 10);
    assert_int_equal(got.type, SKIFF_MSG_PING);
    assert_string_equal(got.from, "srv/echo");

    /* an unknown endpoint on the far side is dropped there */
    int dropped = 0;
    send_ok(cli, "srv/nobody", 1, NULL, 0);
    timed_out = false;
    struct sk_timer *t = sk_timer_add(L, 10, 0, on_deadline, NULL);
    while (!timed_out && (dropped = (int)sk_bus_dropped(srv_bus)) < 1)
        sk_loop_run_once(L, true);
    if (!timed_out) sk_timer_cancel(t);
    assert_int_equal(dropped, 1);

    sk_bus_free(cli_bus);
    sk_bus_free(srv_bus);
}

static void test_ipc_dial_before_listen(void **state)
{
    (void)state;
    char path[128], url[160];
    snprintf(path, sizeof(path), "/tmp/skiff-test-bus-%d.sock", (int)getpid());
    snprintf(url, sizeof(url), "ipc://%s", path);
    unlink(path);
    struct sk_bus *srv_bus = new_bus("t-ipc-srv");
    struct sk_bus *cli_bus = new_bus("t-ipc-cli");
    struct server srv = {0};
    struct seen got = {0};
    srv.ep = attach(srv_bus, "echo", server_fn, &srv);
    struct sk_bus_ep *cli = attach(cli_bus, "client", seen_fn, &got);

    /* nothing listens yet: the dialer retries and the message waits */
    assert_int_equal(sk_bus_dial(cli_bus, "srv", url, NULL), SK_OK);
    uint64_t id = send_ok(cli, "srv/echo", SKIFF_MSG_ECHO, body_kv, sizeof(body_kv));
    run_for(0.2);
    assert_int_equal(srv.req.n, 0);
    struct sk_error *err = NULL;
    if (sk_bus_listen(srv_bus, url, &err)) fail_msg("listen: %s", sk_error_msg(err, SK_EINVAL));
    run_until(&got.n, 1, 10);
    assert_true(got.re == id);
    assert_string_equal(got.from, "srv/echo");
    sk_bus_free(cli_bus);
    sk_bus_free(srv_bus);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_request_reply_inproc, setup, teardown),
            cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
            cmocka_unit_test_setup_teardown(test_ordering, setup, teardown),
            cmocka_unit_test_setup_teardown(test_malformed_dropped, setup, teardown),
            cmocka_unit_test_setup_teardown(test_detach_in_handler, setup, teardown),
            cmocka_unit_test_setup_teardown(test_bus_isolation, setup, teardown),
            cmocka_unit_test_setup_teardown(test_tcp_request_reply, setup, teardown),
            cmocka_unit_test_setup_teardown(test_ipc_dial_before_listen, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    /* release nng's global state so the leak checker sees only ours */
    nng_fini();
    return rc;
}
