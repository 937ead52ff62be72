/* The node side's parsing of the kubelet's exec request
 * (plugins/runtime/exec_req.c): path segments, repeated and
 * percent-encoded command arguments, the stream flags as the kubelet reads
 * them ("1" only), stderr bypassed with a tty, and the kubelet's refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "../../plugins/runtime/exec_req.h"

static void test_parse(void **state)
{
    (void)state;
    struct rt_exec_req q;
    char msg[256];
    assert_int_equal(rt_exec_req_parse("/exec/default/web/main",
                                       "command=sh&command=-c&command=echo%20a%2Bb+%26%20c"
                                       "&input=1&output=1&error=1",
                                       &q, msg, sizeof(msg)),
                     0);
    assert_string_equal(q.ns, "default");
    assert_string_equal(q.pod, "web");
    assert_string_equal(q.ctr, "main");
    assert_int_equal(q.argc, 3);
    assert_string_equal(q.argv[0], "sh");
    assert_string_equal(q.argv[1], "-c");
    assert_string_equal(q.argv[2], "echo a+b & c");
    assert_true(q.in && q.out && q.err && !q.tty);
    rt_exec_req_free(&q);
    /* a tty takes stderr's place; "true" is not the kubelet's "1" */
    assert_int_equal(rt_exec_req_parse("/exec/ns/p/c",
                                       "command=ls&output=1&error=1&tty=1&input=true", &q, msg,
                                       sizeof(msg)),
                     0);
    assert_true(q.out && q.tty && !q.err && !q.in);
    rt_exec_req_free(&q);
    /* a bad escape is kept as it is */
    assert_int_equal(
            rt_exec_req_parse("/exec/ns/p/c", "command=%zz%4&output=1", &q, msg, sizeof(msg)), 0);
    assert_string_equal(q.argv[0], "%zz%4");
    rt_exec_req_free(&q);
}

static void test_refusals(void **state)
{
    (void)state;
    struct rt_exec_req q;
    char msg[256];
    const char *paths[] = {"/exec/ns/p",  "/exec/ns/p/c/extra", "/exec//p/c",
                           "/exec/ns/p/", "/execx/ns/p/c",      "/exec"};
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        assert_int_equal(rt_exec_req_parse(paths[i], "command=ls&output=1", &q, msg, sizeof(msg)),
                         404);
        assert_string_equal(msg, "404 page not found");
    }
    assert_int_equal(rt_exec_req_parse("/exec/ns/p/c", "command=ls", &q, msg, sizeof(msg)), 400);
    assert_string_equal(msg, "you must specify at least 1 of stdin, stdout, stderr");
    assert_int_equal(
            rt_exec_req_parse("/exec/ns/p/c", "command=ls&error=1&tty=1", &q, msg, sizeof(msg)),
            400);
    assert_int_equal(rt_exec_req_parse("/exec/ns/p/c", "output=1", &q, msg, sizeof(msg)), 400);
    assert_string_equal(msg, "missing command");
    char big[300 * 12];
    size_t n = 0;
    for (int i = 0; i < 300; i++)
        n += (size_t)snprintf(big + n, sizeof(big) - n, "command=a&");
    snprintf(big + n, sizeof(big) - n, "output=1");
    assert_int_equal(rt_exec_req_parse("/exec/ns/p/c", big, &q, msg, sizeof(msg)), 400);
    assert_non_null(strstr(msg, "too many command arguments"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_parse),
            cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
