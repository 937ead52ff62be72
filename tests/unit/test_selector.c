/* Tests for core/selector.c: label selector parsing, printing, matching
 * and error texts, the LabelSelector object form and its validation, and
 * field selectors with their per-kind field labels. Many cases come from
 * apimachinery's own selector tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "selector.h"
#include "val.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            print_error("%s:%d: ", __FILE__, __LINE__);                                            \
            print_error(__VA_ARGS__);                                                              \
            print_error("\n");                                                                     \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

#define DONE()                                                                                     \
    do {                                                                                           \
        int f_ = failures;                                                                         \
        failures = 0;                                                                              \
        assert_int_equal(f_, 0);                                                                   \
    } while (0)

#define NAME_MSG                                                                                   \
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "      \
    "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "      \
    "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
#define VALUE_MSG                                                                                  \
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "       \
    "or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "          \
    "'my_value',  or '12345', regex used for validation is "                                       \
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
#define PREFIX_MSG                                                                                 \
    "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "          \
    "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "         \
    "'example.com', regex used for validation is "                                                 \
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define SLASHES_MSG                                                                                \
    "a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must "        \
    "start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "             \
    "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with "    \
    "an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"

static struct sk_val *J(const char *json)
{
    struct sk_val *v = NULL;
    struct sk_error *e = NULL;
    if (sk_json_parse(json, strlen(json), &v, &e) != SK_OK) {
        print_error("bad test JSON %s: %s\n", json, e->msg);
        sk_error_free(e);
        fail();
    }
    return v;
}

/* ---- label selector strings ---- */

static void test_label_parse_print(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
            {"x=a,y=b,z=c", "x=a,y=b,z=c"},
            {"", ""},
            {"x!=a,y=b", "x!=a,y=b"},
            {"x=", "x="},
            {"x= ", "x="},
            {"x=,z= ", "x=,z="},
            {"x= ,z= ", "x=,z="},
            {"!x", "!x"},
            {"x>1", "x>1"},
            {"x>1,z<5", "x>1,z<5"},
            {"x==a", "x==a"},
            {"\rx", "x"},
            {"this-is-a-dns.domain.com/key-with-dash", "this-is-a-dns.domain.com/key-with-dash"},
            {"this-is-another-dns.domain.com/key-with-dash in (so,what)",
             "this-is-another-dns.domain.com/key-with-dash in (so,what)"},
            {"0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)",
             "0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)"},
            {"foo  in\t (abc)", "foo in (abc)"},
            {"x notin\n (abc)", "x notin (abc)"},
            {"x  notin\t\t\t(abc,def)", "x notin (abc,def)"},
            {"x in (abc,def)", "x in (abc,def)"},
            {"x in (def,abc)", "x in (abc,def)"},
            {"x in (abc,)", "x in (,abc)"},
            {"x in (abc,abc)", "x in (abc)"},
            {"x in ()", "x in ()"},
            {"x in (a,,)", "x in (,a)"},
            {"x in (a,,,)", "x in (,a)"},
            {"x in (a,,,,,,)", "x in (,a)"},
            {"x in (a,,a,,a,,a,,)", "x in (,a)"},
            {"x notin (abc,,def),bar,z in (),w", "bar,w,x notin (,abc,def),z in ()"},
            {"x,y in (a)", "x,y in (a)"},
            {"x=a,y!=b,z in (h,i,j)", "x=a,y!=b,z in (h,i,j)"},
            {"x notin ( )", "x notin ()"},
            {"x notin (, a)", "x notin (,a)"},
            {"a ", "a"},
            {"a in (x,y,notin, z,in)", "a in (in,notin,x,y,z)"},
            {"x=a,a=x", "a=x,x=a"},
            {"a=x,x=a", "a=x,x=a"},
            {"app=web,tier!=db,env in (a,b),env notin (c),!canary,release",
             "app=web,!canary,env in (a,b),env notin (c),release,tier!=db"},
            {"in=notin", "in=notin"},
            {"notin in (in)", "notin in (in)"},
            {"in", "in"},
            {"!in", "!in"},
            {"z,a,z!=x", "a,z,z!=x"},
            {"x<01", "x<01"},
            {"example.com/a=b,a.b/c", "a.b/c,example.com/a=b"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sk_labelsel *sel = NULL;
        struct sk_error *e = NULL;
        if (sk_labelsel_parse(cases[i].in, &sel, &e) != SK_OK) {
            CHECK(0, "%s: unexpected error: %s", cases[i].in, e->msg);
            sk_error_free(e);
            continue;
        }
        char *s = sk_labelsel_string(sel);
        CHECK(strcmp(s, cases[i].out) == 0, "%s: printed %s, want %s", cases[i].in, s,
              cases[i].out);
        /* the printed form parses back to itself */
        struct sk_labelsel *again = NULL;
        CHECK(sk_labelsel_parse(s, &again, NULL) == SK_OK, "%s: reparse failed", s);
        if (again) {
            char *s2 = sk_labelsel_string(again);
            CHECK(strcmp(s, s2) == 0, "%s: reprinted %s", s, s2);
            free(s2);
        }
        sk_labelsel_free(again);
        free(s);
        sk_labelsel_free(sel);
    }
    DONE();
}

static void test_label_parse_errors(void **state)
{
    (void)state;
    static const struct {
        const char *in, *msg;
    } cases[] = {
            {"x=a||y=b",
             "unable to parse requirement: values[0][x]: Invalid value: \"a||y\": " VALUE_MSG},
            {"x==a==b", "found '==', expected: ',' or 'end of string'"},
            {"!x=a", "found '=', expected: ',' or 'end of string'"},
            {"x<a", "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' "
                    "operators, the value must be an integer"},
            {"x>", "unable to parse requirement: values[0]: Invalid value: \"\": for 'Gt', 'Lt' "
                   "operators, the value must be an integer"},
            {"x,,y", "found ',', expected: identifier after ','"},
            {",x,y", "found ',', expected: !, identifier, or 'end of string'"},
            {"x nott in (y)",
             "unable to parse requirement: found 'nott', expected: in, notin, =, ==, !=, "
             "gt, lt"},
            {"a in (xyz),", "found '', expected: identifier after ','"},
            {"a in (xyz)b notin ()", "found 'b', expected: ',' or 'end of string'"},
            {"a in (xyz abc)", "unable to parse requirement: found 'abc', expected: ',' or ')'"},
            {"a notin(", "unable to parse requirement: found '', expected: ',', ')' or identifier"},
            {"a (",
             "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"},
            {"(", "found '(', expected: !, identifier, or 'end of string'"},
            {"x in", "unable to parse requirement: found '' expected: '('"},
            {"x in a", "unable to parse requirement: found 'a' expected: '('"},
            {"x in (a=", "unable to parse requirement: found '=', expected: ',' or ')'"},
            {"x in (=", "unable to parse requirement: found '=', expected: ',', ')' or identifier"},
            {"x in (,=", "unable to parse requirement: found '=', expected: ',', or identifier"},
            {"x=(", "unable to parse requirement: found '(', expected: identifier"},
            {"!", "unable to parse requirement: found '', expected: identifier"},
            {"!!x", "unable to parse requirement: found '!', expected: identifier"},
            {"x=a b", "found 'b', expected: ',' or 'end of string'"},
            {"-x", "unable to parse requirement: <nil>: Invalid value: \"-x\": " NAME_MSG},
            {"app=-x",
             "unable to parse requirement: values[0][app]: Invalid value: \"-x\": " VALUE_MSG},
            {"a/b/c", "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": " SLASHES_MSG},
            {"/a", "unable to parse requirement: <nil>: Invalid value: \"/a\": prefix part must "
                   "be non-empty"},
            {"Example.com/a",
             "unable to parse requirement: <nil>: Invalid value: \"Example.com/a\": " PREFIX_MSG},
            {"a/", "unable to parse requirement: <nil>: Invalid value: \"a/\": name part must be "
                   "non-empty; " NAME_MSG},
            {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
             "unable to parse requirement: <nil>: Invalid value: "
             "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\": name "
             "part must be no more than 63 bytes"},
            {"x=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
             "unable to parse requirement: values[0][x]: Invalid value: "
             "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\": must be "
             "no more than 63 bytes"},
            {"x>-1",
             "unable to parse requirement: values[0][x]: Invalid value: \"-1\": " VALUE_MSG},
            {"x>a_",
             "unable to parse requirement: [values[0]: Invalid value: \"a_\": for 'Gt', 'Lt' "
             "operators, the value must be an integer, values[0][x]: Invalid value: \"a_\": "
             "" VALUE_MSG "]"},
            {"x in (b_,a)",
             "unable to parse requirement: values[1][x]: Invalid value: \"b_\": " VALUE_MSG},
            {"k=\xff",
             "unable to parse requirement: values[0][k]: Invalid value: \"\\xff\": " VALUE_MSG},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sk_labelsel *sel = NULL;
        struct sk_error *e = NULL;
        sk_err rc = sk_labelsel_parse(cases[i].in, &sel, &e);
        CHECK(rc == SK_EINVAL && !sel, "%s: rc %d", cases[i].in, rc);
        CHECK(e && strcmp(e->msg, cases[i].msg) == 0, "%s:\n got: %s\nwant: %s", cases[i].in,
              e ? e->msg : "(none)", cases[i].msg);
        sk_error_free(e);
        sk_labelsel_free(sel);
    }
    DONE();
}

static void test_label_nul(void **state)
{
    (void)state;
    /* Go's lexer reads a NUL byte as the end of a token or of the input */
    struct sk_labelsel *sel = NULL;
    struct sk_error *e = NULL;
    assert_int_equal(sk_labelsel_parsen("a=b\0c", 5, &sel, &e), SK_EINVAL);
    assert_string_equal(e->msg, "found 'c', expected: ',' or 'end of string'");
    sk_error_free(e);
    e = NULL;
    /* a NUL right after a symbol is swallowed with it, so this is "a=b,c" */
    assert_int_equal(sk_labelsel_parsen("a=b,\0c", 6, &sel, &e), SK_OK);
    char *s1 = sk_labelsel_string(sel);
    assert_string_equal(s1, "a=b,c");
    free(s1);
    sk_labelsel_free(sel);
    assert_int_equal(sk_labelsel_parsen("a=b,\0", 5, &sel, &e), SK_EINVAL);
    assert_string_equal(e->msg, "found '', expected: identifier after ','");
    sk_error_free(e);
    e = NULL;
    assert_int_equal(sk_labelsel_parsen("\0a", 2, &sel, NULL), SK_OK);
    assert_true(sk_labelsel_empty(sel));
    sk_labelsel_free(sel);
    assert_int_equal(sk_labelsel_parsen("a=b\0", 4, &sel, NULL), SK_OK);
    char *s = sk_labelsel_string(sel);
    assert_string_equal(s, "a=b");
    free(s);
    sk_labelsel_free(sel);
}

static bool match_str(const char *sel, const char *labels_json)
{
    struct sk_labelsel *s = NULL;
    struct sk_error *e = NULL;
    if (sk_labelsel_parse(sel, &s, &e) != SK_OK) {
        print_error("%s: %s\n", sel, e->msg);
        sk_error_free(e);
        return false;
    }
    struct sk_val *l = J(labels_json);
    bool m = sk_labelsel_matches(s, l);
    sk_val_free(l);
    sk_labelsel_free(s);
    return m;
}

static void test_label_match(void **state)
{
    (void)state;
    static const struct {
        const char *sel, *labels;
        bool match;
    } cases[] = {
            {"", "{\"x\":\"y\"}", true},
            {"x=y", "{\"x\":\"y\"}", true},
            {"x=y,z=w", "{\"x\":\"y\",\"z\":\"w\"}", true},
            {"x!=y,z!=w", "{\"x\":\"z\",\"z\":\"a\"}", true},
            {"notin=in", "{\"notin\":\"in\"}", true},
            {"x", "{\"x\":\"z\"}", true},
            {"!x", "{\"y\":\"z\"}", true},
            {"x>1", "{\"x\":\"2\"}", true},
            {"x<1", "{\"x\":\"0\"}", true},
            {"x=z", "{}", false},
            {"x=y", "{\"x\":\"z\"}", false},
            {"x=y,z=w", "{\"x\":\"w\",\"z\":\"w\"}", false},
            {"x!=y,z!=w", "{\"x\":\"z\",\"z\":\"w\"}", false},
            {"x", "{\"y\":\"z\"}", false},
            {"!x", "{\"x\":\"z\"}", false},
            {"x>1", "{\"x\":\"0\"}", false},
            {"x<1", "{\"x\":\"2\"}", false},
            {"foo=bar", "{\"foo\":\"bar\",\"baz\":\"blah\"}", true},
            {"foo=bar,baz=blah", "{\"foo\":\"bar\",\"baz\":\"blah\"}", true},
            {"foo=blah", "{\"foo\":\"bar\",\"baz\":\"blah\"}", false},
            {"foo=bar,foobar=bar,baz=blah", "{\"foo\":\"bar\",\"baz\":\"blah\"}", false},
            {"x in (foo),y notin (alpha)", "{\"x\":\"foo\",\"y\":\"baz\"}", true},
            {"x in (foo),y in (alpha)", "{\"x\":\"foo\",\"y\":\"baz\"}", false},
            {"x notin (),y", "{\"y\":\"\"}", true},
            {"!x,y", "{\"y\":\"\"}", true},
            {"x notin (),!y", "{\"y\":\"\"}", false},
            {"x in ()", "{\"y\":\"baz\"}", false},
            {"x in ()", "{\"x\":\"\"}", true},
            {"x=", "{\"x\":\"\"}", true},
            {"x!=", "{}", true},
            {"z>1", "{\"z\":\"2\"}", true},
            {"z>1", "{\"z\":\"v2\"}", false},
            {"z>1", "{}", false},
            {"z<1", "{}", false},
            {"z>01", "{\"z\":\"+2\"}", true},
            {"z<0", "{\"z\":\"-1\"}", true},
            {"x", "{\"x\":1}", false}, /* non-string values count as absent */
            {"!x", "{\"x\":1}", true},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        CHECK(match_str(cases[i].sel, cases[i].labels) == cases[i].match, "%s on %s: want %d",
              cases[i].sel, cases[i].labels, cases[i].match);

    struct sk_labelsel *s = NULL;
    assert_int_equal(sk_labelsel_parse("x", &s, NULL), SK_OK);
    assert_false(sk_labelsel_matches(s, NULL));
    sk_labelsel_free(s);
    s = sk_labelsel_everything();
    assert_true(sk_labelsel_matches(s, NULL));
    assert_true(sk_labelsel_empty(s));
    sk_labelsel_free(s);
    DONE();
}

static void test_label_exact(void **state)
{
    (void)state;
    struct sk_labelsel *s = NULL;
    assert_int_equal(sk_labelsel_parse("a=x,b in (y),c in (y,z),d!=e,f==g", &s, NULL), SK_OK);
    assert_string_equal(sk_labelsel_exact(s, "a"), "x");
    assert_string_equal(sk_labelsel_exact(s, "b"), "y");
    assert_null(sk_labelsel_exact(s, "c"));
    assert_null(sk_labelsel_exact(s, "d"));
    assert_string_equal(sk_labelsel_exact(s, "f"), "g");
    assert_null(sk_labelsel_exact(s, "zz"));
    sk_labelsel_free(s);
}

/* ---- LabelSelector objects ---- */

static void test_label_from_val(void **state)
{
    (void)state;
    static const struct {
        const char *json, *out;
    } ok[] = {
            {"{}", ""},
            {"{\"matchLabels\":{}}", ""},
            {"{\"matchLabels\":null,\"matchExpressions\":[]}", ""},
            {"{\"matchLabels\":{\"app\":\"web\"}}", "app=web"},
            {"{\"matchLabels\":{\"b\":\"2\",\"a\":\"1\"},\"matchExpressions\":[{\"key\":\"a\","
             "\"operator\":\"Exists\"},{\"key\":\"c\",\"operator\":\"In\",\"values\":[\"y\",\"x\"]}"
             "]}",
             "a=1,a,b=2,c in (x,y)"},
            {"{\"matchExpressions\":[{\"key\":\"t\",\"operator\":\"NotIn\",\"values\":[\"b\","
             "\"a\",\"b\"]},{\"key\":\"n\",\"operator\":\"DoesNotExist\"}]}",
             "!n,t notin (a,b,b)"},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        struct sk_val *v = J(ok[i].json);
        struct sk_labelsel *s = NULL;
        struct sk_error *e = NULL;
        if (sk_labelsel_from_val(v, &s, &e) != SK_OK) {
            CHECK(0, "%s: %s", ok[i].json, e->msg);
            sk_error_free(e);
        } else {
            char *str = sk_labelsel_string(s);
            CHECK(strcmp(str, ok[i].out) == 0, "%s: %s", ok[i].json, str);
            free(str);
        }
        sk_labelsel_free(s);
        sk_val_free(v);
    }

    static const struct {
        const char *json, *msg;
    } bad[] = {
            {"{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"Foo\"}]}",
             "\"Foo\" is not a valid label selector operator"},
            {"{\"matchExpressions\":[{\"key\":\"k\"}]}",
             "\"\" is not a valid label selector operator"},
            {"{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"in\"}]}",
             "\"in\" is not a valid label selector operator"},
            {"{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"In\"}]}",
             "values: Invalid value: null: for 'in', 'notin' operators, values set can't be "
             "empty"},
            {"{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"NotIn\",\"values\":[]}]}",
             "values: Invalid value: null: for 'in', 'notin' operators, values set can't be "
             "empty"},
            {"{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"Exists\",\"values\":[\"a\"]}]}",
             "values: Invalid value: [\"a\"]: values set must be empty for exists and does "
             "not exist"},
            {"{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"Exists\",\"values\":[\"<a>\"]}"
             "]}",
             "[values: Invalid value: [\"\\u003ca\\u003e\"]: values set must be empty for "
             "exists and does not exist, values[0][k]: Invalid value: \"<a>\": " VALUE_MSG "]"},
            {"{\"matchExpressions\":[{\"key\":\"-x\",\"operator\":\"In\",\"values\":[\"a\"]}]}",
             "key: Invalid value: \"-x\": " NAME_MSG},
            {"{\"matchExpressions\":[{\"key\":\"-x\",\"operator\":\"In\",\"values\":[\"a\",\"b_\"]}"
             "]}",
             "[key: Invalid value: \"-x\": " NAME_MSG
             ", values[1][-x]: Invalid value: \"b_\": " VALUE_MSG "]"},
            {"{\"matchLabels\":{\"app\":\"-x\"}}",
             "values[0][app]: Invalid value: \"-x\": " VALUE_MSG},
            {"{\"matchLabels\":{\"a/b/c\":\"x\"}}", "key: Invalid value: \"a/b/c\": " SLASHES_MSG},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct sk_val *v = J(bad[i].json);
        struct sk_labelsel *s = NULL;
        struct sk_error *e = NULL;
        sk_err rc = sk_labelsel_from_val(v, &s, &e);
        CHECK(rc == SK_EINVAL && !s, "%s: rc %d", bad[i].json, rc);
        CHECK(e && strcmp(e->msg, bad[i].msg) == 0, "%s:\n got: %s\nwant: %s", bad[i].json,
              e ? e->msg : "(none)", bad[i].msg);
        sk_error_free(e);
        sk_labelsel_free(s);
        sk_val_free(v);
    }

    /* nil selects nothing, empty selects everything */
    struct sk_labelsel *s = NULL;
    struct sk_val *labels = J("{\"a\":\"b\"}");
    assert_int_equal(sk_labelsel_from_val(NULL, &s, NULL), SK_OK);
    assert_false(sk_labelsel_matches(s, labels));
    assert_false(sk_labelsel_empty(s));
    char *str = sk_labelsel_string(s);
    assert_string_equal(str, "");
    free(str);
    sk_labelsel_free(s);
    struct sk_val *null = sk_val_null();
    assert_int_equal(sk_labelsel_from_val(null, &s, NULL), SK_OK);
    assert_false(sk_labelsel_matches(s, labels));
    sk_labelsel_free(s);
    sk_val_free(null);
    struct sk_val *empty = J("{}");
    assert_int_equal(sk_labelsel_from_val(empty, &s, NULL), SK_OK);
    assert_true(sk_labelsel_matches(s, labels));
    assert_true(sk_labelsel_empty(s));
    sk_labelsel_free(s);
    sk_val_free(empty);

    /* SelectorFromSet */
    struct sk_val *set = J("{\"b\":\"2\",\"a\":\"1\"}");
    s = sk_labelsel_from_set(set);
    str = sk_labelsel_string(s);
    assert_string_equal(str, "a=1,b=2");
    free(str);
    struct sk_val *l2 = J("{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"}");
    assert_true(sk_labelsel_matches(s, l2));
    assert_false(sk_labelsel_matches(s, labels));
    sk_labelsel_free(s);
    s = sk_labelsel_from_set(NULL);
    assert_true(sk_labelsel_matches(s, labels));
    sk_labelsel_free(s);
    sk_val_free(l2);
    sk_val_free(set);
    sk_val_free(labels);
    DONE();
}

struct causes {
    char buf[8192];
};

static void collect(void *ctx, const char *field, const char *reason, const char *message)
{
    struct causes *c = ctx;
    size_t n = strlen(c->buf);
    snprintf(c->buf + n, sizeof(c->buf) - n, "%s|%s|%s\n", field, reason, message);
}

static void test_label_validate(void **state)
{
    (void)state;
    static const struct {
        const char *json, *path, *want;
        size_t n;
    } cases[] = {
            {"{\"matchLabels\":{\"app\":\"web\"},\"matchExpressions\":[{\"key\":\"a\",\"operator\":"
             "\"In\",\"values\":[\"x\"]}]}",
             "spec.selector", "", 0},
            {"{\"matchLabels\":{\"-x\":\"y_\"}}", "spec.selector",
             "spec.selector.matchLabels|FieldValueInvalid|Invalid value: \"-x\": " NAME_MSG
             "\nspec.selector.matchLabels|FieldValueInvalid|Invalid value: \"y_\": " VALUE_MSG "\n",
             2},
            {"{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"In\"}]}", "spec.selector",
             "spec.selector.matchExpressions[0].values|FieldValueRequired|Required value: "
             "must be specified when `operator` is 'In' or 'NotIn'\n",
             1},
            {"{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"Exists\",\"values\":[\"a\"]}]}",
             "spec.selector",
             "spec.selector.matchExpressions[0].values|FieldValueForbidden|Forbidden: may "
             "not be specified when `operator` is 'Exists' or 'DoesNotExist'\n",
             1},
            {"{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"In\",\"values\":[\"a\"]},{"
             "\"key\":\"a/\",\"operator\":\"Foo\",\"values\":[\"ok\",\"-bad\"]}]}",
             "spec.template.spec.affinity",
             "spec.template.spec.affinity.matchExpressions[1].operator|FieldValueInvalid|"
             "Invalid value: \"Foo\": not a valid selector operator\n"
             "spec.template.spec.affinity.matchExpressions[1].key|FieldValueInvalid|Invalid "
             "value: \"a/\": name part must be non-empty\n"
             "spec.template.spec.affinity.matchExpressions[1].key|FieldValueInvalid|Invalid "
             "value: \"a/\": " NAME_MSG "\n"
             "spec.template.spec.affinity.matchExpressions[1].values[1]|FieldValueInvalid|"
             "Invalid value: \"-bad\": " VALUE_MSG "\n",
             4},
            {"{\"matchExpressions\":[{\"key\":\"k\",\"operator\":\"<b>\"}]}", "",
             "matchExpressions[0].operator|FieldValueInvalid|Invalid value: "
             "\"\\u003cb\\u003e\": not a valid selector operator\n",
             1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sk_val *v = J(cases[i].json);
        struct causes c = {{0}};
        size_t n = sk_labelsel_validate(v, cases[i].path, collect, &c);
        CHECK(n == cases[i].n, "%s: %zu causes", cases[i].json, n);
        CHECK(strcmp(c.buf, cases[i].want) == 0, "%s:\n got: %s\nwant: %s", cases[i].json, c.buf,
              cases[i].want);
        sk_val_free(v);
    }
    assert_int_equal(sk_labelsel_validate(NULL, "x", collect, NULL), 0);

    struct sk_val *labels = J("{\"ok\":\"fine\",\"a/b/c\":\"x\",\"k\":\"\"}");
    struct causes c = {{0}};
    assert_int_equal(sk_labels_validate(labels, "metadata.labels", collect, &c), 1);
    assert_string_equal(
            c.buf, "metadata.labels|FieldValueInvalid|Invalid value: \"a/b/c\": " SLASHES_MSG "\n");
    sk_val_free(labels);
    DONE();
}

static void test_label_key_value_errors(void **state)
{
    (void)state;
    const char *m[4];
    assert_int_equal(sk_label_key_errors("app", m), 0);
    assert_int_equal(sk_label_key_errors("app.kubernetes.io/name", m), 0);
    assert_int_equal(sk_label_key_errors("a", m), 0);
    assert_int_equal(sk_label_key_errors("A_b.c-D", m), 0);
    assert_int_equal(sk_label_key_errors("", m), 2);
    assert_string_equal(m[0], "name part must be non-empty");
    assert_string_equal(m[1], NAME_MSG);
    assert_int_equal(sk_label_key_errors("a_", m), 1);
    assert_int_equal(sk_label_key_errors("x/y/z", m), 1);
    assert_string_equal(m[0], SLASHES_MSG);
    char long_prefix[300];
    memset(long_prefix, 'a', 254);
    strcpy(long_prefix + 254, "/n");
    assert_int_equal(sk_label_key_errors(long_prefix, m), 1);
    assert_string_equal(m[0], "prefix part must be no more than 253 bytes");
    assert_int_equal(sk_label_key_errors("a..b/n", m), 1);
    assert_string_equal(m[0], PREFIX_MSG);
    assert_int_equal(sk_label_key_errors("-a/-", m), 2);
    assert_int_equal(sk_label_key_errors("a.b-c.d/n", m), 0);
    assert_int_equal(sk_label_key_errors("a./n", m), 1);
    assert_int_equal(sk_label_key_errors(".a/n", m), 1);
    assert_int_equal(sk_label_key_errors("a-/n", m), 1);

    assert_int_equal(sk_label_value_errors("", m), 0);
    assert_int_equal(sk_label_value_errors("v1.2_3-x", m), 0);
    assert_int_equal(sk_label_value_errors("-", m), 1);
    assert_string_equal(m[0], VALUE_MSG);
    assert_int_equal(sk_label_value_errors("a b", m), 1);
    char longv[80];
    memset(longv, 'a', 64);
    longv[64] = 0;
    assert_int_equal(sk_label_value_errors(longv, m), 1);
    assert_string_equal(m[0], "must be no more than 63 bytes");
    longv[63] = '-';
    assert_int_equal(sk_label_value_errors(longv, m), 2);
}

/* ---- field selectors ---- */

static void test_field_parse(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
        size_t n;
    } ok[] = {
            {"", "", 0},
            {"metadata.name=x,status.phase!=Running", "metadata.name=x,status.phase!=Running", 2},
            {"status.phase!=Running,metadata.name=x", "metadata.name=x,status.phase!=Running", 2},
            {"a=b", "a=b", 1},
            {"a==b", "a=b", 1},
            {"a!=b", "a!=b", 1},
            {"x=a\\,b", "x=a\\,b", 1},
            {"x=a\\=b", "x=a\\=b", 1},
            {"x=a\\\\b", "x=a\\\\b", 1},
            {"=", "", 0},
            {"==", "", 0},
            {"!=", "", 0},
            {",,", "", 0},
            {"=,a=b", "a=b", 1},
            {"=x", "=x", 1},
            {"b=1,a=2", "a=2,b=1", 2},
            {"a==z,a=b", "a=b,a=z", 2},
            {"a!b=c", "a!b=c", 1},
            {"a=", "a=", 1},
            {"a=\xff", "a=\xff", 1},
            {"a=\xff\\,", "a=\xef\xbf\xbd\\,", 1},
            {"spec.nodeName=n1,,", "spec.nodeName=n1", 1},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        struct sk_fieldsel *s = NULL;
        struct sk_error *e = NULL;
        if (sk_fieldsel_parse(ok[i].in, &s, &e) != SK_OK) {
            CHECK(0, "%s: %s", ok[i].in, e->msg);
            sk_error_free(e);
            continue;
        }
        char *str = sk_fieldsel_string(s);
        CHECK(strcmp(str, ok[i].out) == 0, "%s: printed %s, want %s", ok[i].in, str, ok[i].out);
        CHECK(s->n == ok[i].n, "%s: %zu terms", ok[i].in, s->n);
        CHECK(sk_fieldsel_empty(s) == (ok[i].n == 0), "%s: empty", ok[i].in);
        struct sk_fieldsel *again = NULL;
        CHECK(sk_fieldsel_parse(str, &again, NULL) == SK_OK, "%s: reparse", str);
        if (again) {
            char *s2 = sk_fieldsel_string(again);
            CHECK(strcmp(str, s2) == 0, "%s: reprinted %s", str, s2);
            free(s2);
        }
        sk_fieldsel_free(again);
        free(str);
        sk_fieldsel_free(s);
    }

    struct sk_fieldsel *s = NULL;
    assert_int_equal(sk_fieldsel_parse("x=a\\,b\\=c\\\\d", &s, NULL), SK_OK);
    assert_string_equal(s->terms[0].value, "a,b=c\\d");
    sk_fieldsel_free(s);

    static const struct {
        const char *in, *msg;
    } bad[] = {
            {"a", "invalid selector: 'a'; can't understand 'a'"},
            {"b,a", "invalid selector: 'b,a'; can't understand 'a'"},
            {"x=1,b", "invalid selector: 'x=1,b'; can't understand 'b'"},
            {"x=a=b", "invalid field selector: unescaped character in value: 61"},
            {"x!==b", "invalid field selector: unescaped character in value: 61"},
            {"x=a\\b", "invalid field selector: invalid escape sequence: \\b"},
            {"x=a\\", "invalid field selector: invalid escape sequence: \\"},
            {"x=\\\xff", "invalid field selector: invalid escape sequence: \\\xef\xbf\xbd"},
            {"x=\\\xc3\xa9", "invalid field selector: invalid escape sequence: \\\xc3\xa9"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct sk_fieldsel *f = NULL;
        struct sk_error *e = NULL;
        sk_err rc = sk_fieldsel_parse(bad[i].in, &f, &e);
        CHECK(rc == SK_EINVAL && !f, "%s: rc %d", bad[i].in, rc);
        CHECK(e && strcmp(e->msg, bad[i].msg) == 0, "%s: %s", bad[i].in, e ? e->msg : "(none)");
        sk_error_free(e);
        sk_fieldsel_free(f);
    }

    assert_int_equal(sk_fieldsel_parse("spec.nodeName=n1,status.phase!=Running", &s, NULL), SK_OK);
    assert_string_equal(sk_fieldsel_exact(s, "spec.nodeName"), "n1");
    assert_null(sk_fieldsel_exact(s, "status.phase"));
    assert_null(sk_fieldsel_exact(s, "metadata.name"));
    static const char *const supported[] = {"spec.nodeName", "status.phase", NULL};
    assert_int_equal(sk_fieldsel_check(s, supported, NULL), SK_OK);
    sk_fieldsel_free(s);
    assert_int_equal(sk_fieldsel_parse("spec.foo=x", &s, NULL), SK_OK);
    struct sk_error *e = NULL;
    assert_int_equal(sk_fieldsel_check(s, supported, &e), SK_EINVAL);
    assert_string_equal(e->msg, "field label not supported: spec.foo");
    sk_error_free(e);
    sk_fieldsel_free(s);
    DONE();
}

static void test_field_convert(void **state)
{
    (void)state;
    static const struct {
        const char *group, *kind, *in, *out, *msg;
    } cases[] = {
            {"", "Pod", "spec.nodeName=n,status.phase=Running",
             "spec.nodeName=n,status.phase=Running", NULL},
            {"", "Pod", "spec.host=n", "spec.nodeName=n", NULL},
            {"", "Pod", "status.podIPs=1.2.3.4,spec.hostNetwork=true",
             "spec.hostNetwork=true,status.podIPs=1.2.3.4", NULL},
            {"", "Pod", "spec.foo=x", NULL, "field label not supported: spec.foo"},
            {"", "Pod", "=x", NULL, "field label not supported: "},
            {"", "Node", "spec.unschedulable=false,metadata.name=n",
             "metadata.name=n,spec.unschedulable=false", NULL},
            {"", "Node", "metadata.namespace=x", NULL,
             "field label not supported: metadata.namespace"},
            {"", "Namespace", "status.phase=Active", "status.phase=Active", NULL},
            {"", "Secret", "type=Opaque", "type=Opaque", NULL},
            {"", "Service", "spec.type=ClusterIP,spec.clusterIP=None",
             "spec.clusterIP=None,spec.type=ClusterIP", NULL},
            {"", "ReplicationController", "status.replicas=1", "status.replicas=1", NULL},
            {"", "Event", "involvedObject.name=p,reason=Killing,source=kubelet,type=Normal",
             "involvedObject.name=p,reason=Killing,source=kubelet,type=Normal", NULL},
            {"", "Event", "regarding.name=p", NULL, "field label not supported: regarding.name"},
            {"events.k8s.io", "Event", "regarding.name=x,reportingController=k",
             "involvedObject.name=x,reportingComponent=k", NULL},
            {"events.k8s.io", "Event", "involvedObject.name=x", NULL,
             "field label not supported: involvedObject.name"},
            {"batch", "Job", "status.successful=1", "status.successful=1", NULL},
            {"batch", "Job", "status.active=1", NULL,
             "field label \"status.active\" not supported for batchv1.Job"},
            {"apps", "ReplicaSet", "status.replicas=1", NULL,
             "\"status.replicas\" is not a known field selector: only \"metadata.name\", "
             "\"metadata.namespace\""},
            {"apps", "Deployment", "metadata.name=x,metadata.namespace=y",
             "metadata.name=x,metadata.namespace=y", NULL},
            {"", "ConfigMap", "data.x=y", NULL,
             "\"data.x\" is not a known field selector: only \"metadata.name\", "
             "\"metadata.namespace\""},
            {"", "ConfigMap", "", "", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sk_fieldsel *s = NULL;
        struct sk_error *e = NULL;
        assert_int_equal(sk_fieldsel_parse(cases[i].in, &s, NULL), SK_OK);
        sk_err rc = sk_fieldsel_convert(s, cases[i].group, cases[i].kind, &e);
        if (cases[i].msg) {
            CHECK(rc == SK_EINVAL && e && strcmp(e->msg, cases[i].msg) == 0, "%s %s: %s",
                  cases[i].kind, cases[i].in, e ? e->msg : "(no error)");
        } else {
            char *str = sk_fieldsel_string(s);
            CHECK(rc == SK_OK && strcmp(str, cases[i].out) == 0, "%s %s: %s %s", cases[i].kind,
                  cases[i].in, str, e ? e->msg : "");
            free(str);
        }
        sk_error_free(e);
        sk_fieldsel_free(s);
    }
    const char *const *l = sk_fieldsel_labels("", "Pod");
    size_t n = 0;
    while (l[n])
        n++;
    assert_true(n >= 11);
    l = sk_fieldsel_labels("", "ConfigMap");
    assert_string_equal(l[0], "metadata.name");
    assert_string_equal(l[1], "metadata.namespace");
    assert_null(l[2]);
    DONE();
}

static const char pod_json[] =
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":\"ns\"}"
        ","
        "\"spec\":{\"nodeName\":\"n1\",\"restartPolicy\":\"Always\",\"hostNetwork\":true,"
        "\"serviceAccountName\":\"sa\"},\"status\":{\"phase\":\"Running\",\"podIP\":\"10.0.0.2\","
        "\"podIPs\":[{\"ip\":\"10.0.0.1\"},{\"ip\":\"fd00::1\"}]}}";

static void test_field_values(void **state)
{
    (void)state;
    static const struct {
        const char *obj, *label, *want;
    } cases[] = {
            {pod_json, "metadata.name", "p"},
            {pod_json, "metadata.namespace", "ns"},
            {pod_json, "spec.nodeName", "n1"},
            {pod_json, "spec.restartPolicy", "Always"},
            {pod_json, "spec.schedulerName", ""},
            {pod_json, "spec.serviceAccountName", "sa"},
            {pod_json, "spec.hostNetwork", "true"},
            {pod_json, "status.phase", "Running"},
            {pod_json, "status.podIP", "10.0.0.1"},
            {pod_json, "status.podIPs", ""},
            {pod_json, "status.nominatedNodeName", ""},
            {pod_json, "spec.foo", ""},
            {"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"spec\":{\"serviceAccount\":\"old\"},"
             "\"status\":{\"podIP\":\"10.1.1.1\"}}",
             "spec.serviceAccountName", "old"},
            {"{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"status\":{\"podIP\":\"10.1.1.1\"}}",
             "status.podIP", "10.1.1.1"},
            {"{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}", "spec.hostNetwork", "false"},
            {"{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}", "metadata.name", ""},
            {"{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"n\"},\"spec\":{"
             "\"unschedulable\":true}}",
             "spec.unschedulable", "true"},
            {"{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"n\"}}",
             "spec.unschedulable", "false"},
            {"{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"n\"}}",
             "metadata.namespace", ""},
            {"{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"status\":{\"phase\":\"Active\"}}",
             "status.phase", "Active"},
            {"{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"type\":\"Opaque\"}", "type", "Opaque"},
            {"{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"spec\":{\"type\":\"NodePort\","
             "\"clusterIP\":\"10.43.0.5\"}}",
             "spec.type", "NodePort"},
            {"{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"spec\":{\"type\":\"NodePort\","
             "\"clusterIP\":\"10.43.0.5\"}}",
             "spec.clusterIP", "10.43.0.5"},
            {"{\"apiVersion\":\"v1\",\"kind\":\"ReplicationController\",\"status\":{\"replicas\":3}"
             "}",
             "status.replicas", "3"},
            {"{\"apiVersion\":\"v1\",\"kind\":\"ReplicationController\"}", "status.replicas", "0"},
            {"{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\",\"status\":{\"succeeded\":2}}",
             "status.successful", "2"},
            {"{\"apiVersion\":\"batch/v1\",\"kind\":\"Job\"}", "status.successful", "0"},
            {"{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"involvedObject\":{\"kind\":\"Pod\","
             "\"name\":\"p\",\"uid\":\"u1\"},\"reason\":\"Killing\",\"type\":\"Normal\","
             "\"source\":{\"component\":\"kubelet\"},\"reportingComponent\":\"rc\"}",
             "involvedObject.uid", "u1"},
            {"{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"source\":{\"component\":\"kubelet\"},"
             "\"reportingComponent\":\"rc\"}",
             "source", "kubelet"},
            {"{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"reportingComponent\":\"rc\"}", "source",
             "rc"},
            {"{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"reportingComponent\":\"rc\"}",
             "reportingComponent", "rc"},
            {"{\"apiVersion\":\"events.k8s.io/"
             "v1\",\"kind\":\"Event\",\"regarding\":{\"name\":\"x\"},"
             "\"reportingController\":\"ctl\"}",
             "involvedObject.name", "x"},
            {"{\"apiVersion\":\"events.k8s.io/"
             "v1\",\"kind\":\"Event\",\"regarding\":{\"name\":\"x\"},"
             "\"reportingController\":\"ctl\"}",
             "reportingComponent", "ctl"},
            {"{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"data\":{\"x\":\"y\"}}", "data.x", ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sk_val *o = J(cases[i].obj);
        char tmp[32];
        const char *v = sk_fieldsel_value(o, cases[i].label, tmp);
        CHECK(strcmp(v, cases[i].want) == 0, "%s of %s: %s", cases[i].label, cases[i].obj, v);
        sk_val_free(o);
    }

    static const struct {
        const char *sel;
        bool match;
    } m[] = {
            {"", true},
            {"spec.nodeName=n1", true},
            {"spec.nodeName=n2", false},
            {"spec.nodeName!=n2", true},
            {"spec.nodeName=n1,status.phase!=Failed", true},
            {"spec.nodeName=n1,status.phase!=Running", false},
            {"metadata.namespace=ns,metadata.name=p", true},
            {"spec.hostNetwork=true", true},
            {"spec.hostNetwork=false", false},
            {"status.podIPs=10.0.0.1", false},
            {"status.podIPs=", true},
            {"spec.schedulerName=", true},
            {"status.podIP=10.0.0.1", true},
    };
    struct sk_val *pod = J(pod_json);
    for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
        struct sk_fieldsel *s = NULL;
        assert_int_equal(sk_fieldsel_parse(m[i].sel, &s, NULL), SK_OK);
        CHECK(sk_fieldsel_matches(s, pod) == m[i].match, "%s: want %d", m[i].sel, m[i].match);
        sk_fieldsel_free(s);
    }
    sk_val_free(pod);
    DONE();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_label_parse_print), cmocka_unit_test(test_label_parse_errors),
            cmocka_unit_test(test_label_nul),         cmocka_unit_test(test_label_match),
            cmocka_unit_test(test_label_exact),       cmocka_unit_test(test_label_from_val),
            cmocka_unit_test(test_label_validate),    cmocka_unit_test(test_label_key_value_errors),
            cmocka_unit_test(test_field_parse),       cmocka_unit_test(test_field_convert),
            cmocka_unit_test(test_field_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
