/* Tests for the pure parts of the container shim and the log reader
 * (plugins/runtime/crilog.c): CRI timestamps and headers, the record
 * parser, the line splitter with its partial records, rotation names; and
 * the probe helpers of plugins/runtime/action.c (ports, HTTP status). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/runtime/action.h"
#include "../../plugins/runtime/crilog.h"
#include "json.h"
#include "val.h"

static void test_time(void **state)
{
    (void)state;
    char buf[RT_CRI_TS_LEN];
    struct timespec ts = {.tv_sec = 1795654923, .tv_nsec = 123456789};
    assert_int_equal(rt_cri_time(&ts, buf), 30);
    assert_string_equal(buf, "2026-11-26T01:02:03.123456789Z");
    ts.tv_nsec = 5;
    rt_cri_time(&ts, buf);
    assert_string_equal(buf, "2026-11-26T01:02:03.000000005Z");
    /* Go's RFC3339Nano drops trailing zeros, and the dot with them */
    assert_int_equal(rt_cri_time_go(1795654923, 120000000, buf), 23);
    assert_string_equal(buf, "2026-11-26T01:02:03.12Z");
    rt_cri_time_go(1795654923, 0, buf);
    assert_string_equal(buf, "2026-11-26T01:02:03Z");
    rt_cri_time_go(0, 999999999, buf);
    assert_string_equal(buf, "1970-01-01T00:00:00.999999999Z");
}

static void test_header(void **state)
{
    (void)state;
    char hdr[RT_CRI_HDR_MAX];
    struct timespec ts = {.tv_sec = 0, .tv_nsec = 1};
    size_t n = rt_cri_header(hdr, &ts, "stdout", false);
    assert_int_equal(n, strlen("1970-01-01T00:00:00.000000001Z stdout F "));
    assert_string_equal(hdr, "1970-01-01T00:00:00.000000001Z stdout F ");
    rt_cri_header(hdr, &ts, "stderr", true);
    assert_string_equal(hdr, "1970-01-01T00:00:00.000000001Z stderr P ");
}

static void test_rfc3339(void **state)
{
    (void)state;
    int64_t s;
    long ns;
    const char *ok = "2026-11-26T01:02:03.5Z";
    assert_int_equal(rt_rfc3339_parse(ok, strlen(ok), &s, &ns), 0);
    assert_int_equal(s, 1795654923);
    assert_int_equal(ns, 500000000);
    const char *off = "2026-11-26T03:02:03+02:00";
    assert_int_equal(rt_rfc3339_parse(off, strlen(off), &s, &ns), 0);
    assert_int_equal(s, 1795654923);
    assert_int_equal(ns, 0);
    const char *leap = "2024-02-29T00:00:00Z";
    assert_int_equal(rt_rfc3339_parse(leap, strlen(leap), &s, &ns), 0);
    assert_int_equal(s, 1709164800);
    static const char *const bad[] = {"",
                                      "2026-11-26",
                                      "2026-11-26T01:02:03",
                                      "2026-13-26T01:02:03Z",
                                      "2026-11-26T01:02:03.Z",
                                      "2026-11-26T01:02:03Zjunk",
                                      "2026-11-26 01:02:03Z",
                                      "2026-11-26T01:02:03+0200",
                                      "x026-11-26T01:02:03Z"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(rt_rfc3339_parse(bad[i], strlen(bad[i]), &s, &ns), -1);
}

static void test_parse(void **state)
{
    (void)state;
    struct rt_cri_rec r;
    const char *l1 = "2026-11-26T01:02:03.123456789Z stdout F hello world";
    assert_int_equal(rt_cri_parse(l1, strlen(l1), &r), 0);
    assert_false(r.is_stderr);
    assert_false(r.partial);
    assert_int_equal(r.nsec, 123456789);
    assert_int_equal(r.msg_len, 11);
    assert_memory_equal(r.msg, "hello world", 11);
    const char *l2 = "2026-11-26T01:02:03Z stderr P part";
    assert_int_equal(rt_cri_parse(l2, strlen(l2), &r), 0);
    assert_true(r.is_stderr);
    assert_true(r.partial);
    assert_int_equal(r.msg_len, 4);
    /* an empty message, with and without the space after the tag */
    const char *l3 = "2026-11-26T01:02:03Z stdout F ";
    assert_int_equal(rt_cri_parse(l3, strlen(l3), &r), 0);
    assert_int_equal(r.msg_len, 0);
    const char *l4 = "2026-11-26T01:02:03Z stdout F";
    assert_int_equal(rt_cri_parse(l4, strlen(l4), &r), 0);
    assert_int_equal(r.msg_len, 0);
    assert_false(r.partial);
    /* the message may hold spaces and tabs as they were */
    const char *l5 = "2026-11-26T01:02:03Z stdout F  two\tspaces ";
    assert_int_equal(rt_cri_parse(l5, strlen(l5), &r), 0);
    assert_int_equal(r.msg_len, strlen(" two\tspaces "));
    static const char *const bad[] = {"",
                                      "garbage",
                                      "2026-11-26T01:02:03Z",
                                      "2026-11-26T01:02:03Z stdin F x",
                                      "2026-11-26T01:02:03Z stdoutF x",
                                      "notatime stdout F x",
                                      "2026-11-26T01:02:03Z  stdout F x"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(rt_cri_parse(bad[i], strlen(bad[i]), &r), -1);
}

struct rec_log {
    char text[200000];
    size_t len;
    int records, partials;
};

static void collect(void *arg, const char *msg, size_t len, bool partial)
{
    struct rec_log *l = arg;
    assert_true(len <= RT_CRI_MAX_MSG);
    l->records++;
    if (partial) l->partials++;
    l->text[l->len++] = partial ? 'P' : 'F';
    l->text[l->len++] = '[';
    memcpy(l->text + l->len, msg, len);
    l->len += len;
    l->text[l->len++] = ']';
    l->text[l->len] = 0;
}

static void test_split(void **state)
{
    (void)state;
    static struct rt_cri_splitter sp;
    static struct rec_log l;
    memset(&sp, 0, sizeof(sp));
    memset(&l, 0, sizeof(l));
    /* lines split across reads, an empty line, a tail without newline */
    rt_cri_split(&sp, "one\ntw", 6, collect, &l);
    rt_cri_split(&sp, "o\n\nthr", 6, collect, &l);
    assert_string_equal(l.text, "F[one]F[two]F[]");
    rt_cri_split_end(&sp, collect, &l);
    assert_string_equal(l.text, "F[one]F[two]F[]P[thr]");
    rt_cri_split_end(&sp, collect, &l); /* nothing left: nothing sent */
    assert_int_equal(l.records, 4);

    /* a line longer than a record: P records of 16 KiB, then the rest as F */
    memset(&l, 0, sizeof(l));
    size_t big = 2 * RT_CRI_MAX_MSG + 10;
    char *line = malloc(big + 1);
    memset(line, 'x', big);
    line[big] = '\n';
    rt_cri_split(&sp, line, 100, collect, &l);
    rt_cri_split(&sp, line + 100, big + 1 - 100, collect, &l);
    assert_int_equal(l.records, 3);
    assert_int_equal(l.partials, 2);
    assert_int_equal(l.len, 3 * 3 + big);
    /* exactly one record's worth plus newline is one full record */
    memset(&l, 0, sizeof(l));
    line[RT_CRI_MAX_MSG] = '\n';
    rt_cri_split(&sp, line, RT_CRI_MAX_MSG + 1, collect, &l);
    assert_int_equal(l.records, 1);
    assert_int_equal(l.partials, 0);
    free(line);
}

static void test_rotated(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(rt_cri_rotated(out, sizeof(out), "/d/0.log", 1), 0);
    assert_string_equal(out, "/d/0.log.1");
    assert_int_equal(rt_cri_rotated(out, sizeof(out), "/d/0.log", 12), 0);
    assert_string_equal(out, "/d/0.log.12");
    assert_int_equal(rt_cri_rotated(out, 10, "/d/0.log", 12), -1);
}

static struct sk_val *json(const char *s)
{
    struct sk_val *v = NULL;
    assert_int_equal(sk_json_parse(s, strlen(s), &v, NULL), 0);
    return v;
}

static void test_port(void **state)
{
    (void)state;
    struct sk_val *spec = json("{\"ports\":[{\"name\":\"http\",\"containerPort\":8080},"
                               "{\"containerPort\":9090}]}");
    struct sk_val *p80 = json("80"), *named = json("\"http\""), *missing = json("\"admin\"");
    struct sk_val *zero = json("0"), *numstr = json("\"8081\"");
    char msg[128];
    assert_int_equal(rt_action_port(p80, spec, msg, sizeof(msg)), 80);
    assert_int_equal(rt_action_port(named, spec, msg, sizeof(msg)), 8080);
    assert_int_equal(rt_action_port(numstr, spec, msg, sizeof(msg)), 8081);
    assert_int_equal(rt_action_port(missing, spec, msg, sizeof(msg)), 0);
    assert_string_equal(msg, "port admin not found");
    assert_int_equal(rt_action_port(zero, spec, msg, sizeof(msg)), 0);
    assert_string_equal(msg, "invalid port number: 0");
    assert_int_equal(rt_action_port(NULL, spec, msg, sizeof(msg)), 0);
    sk_val_free(spec);
    sk_val_free(p80);
    sk_val_free(named);
    sk_val_free(missing);
    sk_val_free(zero);
    sk_val_free(numstr);
}

static void test_http_status(void **state)
{
    (void)state;
    const char *r1 = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    assert_int_equal(rt_http_status(r1, strlen(r1)), 200);
    const char *r2 = "HTTP/1.0 500 Internal Server Error\r\n";
    assert_int_equal(rt_http_status(r2, strlen(r2)), 500);
    const char *r3 = "HTTP/1.1 204\r\n";
    assert_int_equal(rt_http_status(r3, strlen(r3)), 204);
    const char *inc = "HTTP/1.1 200 OK";
    assert_int_equal(rt_http_status(inc, strlen(inc)), -1);
    const char *junk = "SSH-2.0-OpenSSH\r\n";
    assert_int_equal(rt_http_status(junk, strlen(junk)), -1);
    const char *bad = "HTTP/1.1 2x0 OK\r\n";
    assert_int_equal(rt_http_status(bad, strlen(bad)), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_time),    cmocka_unit_test(test_header),
            cmocka_unit_test(test_rfc3339), cmocka_unit_test(test_parse),
            cmocka_unit_test(test_split),   cmocka_unit_test(test_rotated),
            cmocka_unit_test(test_port),    cmocka_unit_test(test_http_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
