/* YAML codec: kubectl's scalar rules, multi-document streams, block
 * scalars, anchors and merge keys, tags, key conversion, errors with file,
 * line and column, and the kubectl-style writer and its round trips. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "val.h"
#include "yaml.h"

static struct sk_val *docs_ok(const char *text)
{
    struct sk_val *v = NULL;
    struct sk_error *err = NULL;
    sk_err rc = sk_yaml_parse_all(text, strlen(text), "t.yaml", &v, &err);
    if (rc) {
        char msg[1100];
        snprintf(msg, sizeof(msg), "%s", sk_error_msg(err, rc));
        sk_error_free(err);
        fail_msg("parse %s: %s", text, msg);
    }
    return v;
}

static struct sk_val *one_ok(const char *text)
{
    struct sk_val *v = NULL;
    struct sk_error *err = NULL;
    sk_err rc = sk_yaml_parse_one(text, strlen(text), "t.yaml", &v, &err);
    if (rc) {
        char msg[1100];
        snprintf(msg, sizeof(msg), "%s", sk_error_msg(err, rc));
        sk_error_free(err);
        fail_msg("parse %s: %s", text, msg);
    }
    return v;
}

static struct sk_val *json(const char *text)
{
    struct sk_val *v = NULL;
    assert_int_equal(sk_json_parse(text, strlen(text), &v, NULL), SK_OK);
    return v;
}

/* Parses text (expected to fail) and checks the whole message. */
static void expect_error(const char *text, const char *fname, const char *msg)
{
    struct sk_val *v = (struct sk_val *)1;
    struct sk_error *err = NULL;
    sk_err rc = sk_yaml_parse_all(text, strlen(text), fname, &v, &err);
    assert_int_not_equal(rc, SK_OK);
    assert_null(v);
    assert_non_null(err);
    char got[sizeof(err->msg)];
    snprintf(got, sizeof(got), "%s", err->msg);
    sk_error_free(err);
    if (strcmp(got, msg)) fail_msg("input %s\ngot  \"%s\"\nwant \"%s\"", text, got, msg);
}

static void expect_error_has(const char *text, const char *needle)
{
    struct sk_val *v = NULL;
    struct sk_error *err = NULL;
    sk_err rc = sk_yaml_parse_all(text, strlen(text), "t.yaml", &v, &err);
    assert_int_not_equal(rc, SK_OK);
    char got[sizeof(err->msg)];
    snprintf(got, sizeof(got), "%s", err->msg);
    sk_error_free(err);
    if (!strstr(got, needle)) fail_msg("input %s\ngot \"%s\"\nwant \"%s\"", text, got, needle);
}

/* Writes v, reads it back, and checks both the tree and that writing again
 * gives the same text. Returns the text (caller frees). */
static char *roundtrip(const struct sk_val *v)
{
    char *s = sk_yaml_dump(v, NULL);
    struct sk_val *w = NULL;
    struct sk_error *err = NULL;
    sk_err rc = sk_yaml_parse_one(s, strlen(s), "out.yaml", &w, &err);
    if (rc) {
        char msg[1100];
        snprintf(msg, sizeof(msg), "%s", sk_error_msg(err, rc));
        sk_error_free(err);
        fail_msg("re-parse of\n%s\nfailed: %s", s, msg);
    }
    if (!sk_val_equal(v, w)) {
        char *a = sk_json_dump(v, SK_JSON_COMPACT, NULL), *b = sk_json_dump(w, 0, NULL);
        fail_msg("round trip changed the tree:\n%s\nbefore %s\nafter  %s", s, a, b);
    }
    char *s2 = sk_yaml_dump(w, NULL);
    if (strcmp(s, s2)) fail_msg("writer not stable:\n%s\n---\n%s", s, s2);
    free(s2);
    sk_val_free(w);
    return s;
}

static void check_emit(const struct sk_val *v, const char *want)
{
    char *s = roundtrip(v);
    if (strcmp(s, want)) fail_msg("emitted:\n%s\nwant:\n%s", s, want);
    free(s);
}

/* ---- scalar resolution ---- */

enum kind { K_STR, K_NULL, K_TRUE, K_FALSE, K_INT, K_FLOAT, K_NAN };

struct rcase {
    const char *text;
    enum kind k;
    int64_t i;
    double f;
};

static void test_resolve(void **state)
{
    (void)state;
    static const struct rcase cases[] = {
            {"true", K_TRUE, 0, 0},
            {"True", K_TRUE, 0, 0},
            {"TRUE", K_TRUE, 0, 0},
            {"yes", K_TRUE, 0, 0},
            {"Yes", K_TRUE, 0, 0},
            {"YES", K_TRUE, 0, 0},
            {"y", K_TRUE, 0, 0},
            {"Y", K_TRUE, 0, 0},
            {"on", K_TRUE, 0, 0},
            {"On", K_TRUE, 0, 0},
            {"ON", K_TRUE, 0, 0},
            {"false", K_FALSE, 0, 0},
            {"False", K_FALSE, 0, 0},
            {"no", K_FALSE, 0, 0},
            {"No", K_FALSE, 0, 0},
            {"NO", K_FALSE, 0, 0},
            {"n", K_FALSE, 0, 0},
            {"N", K_FALSE, 0, 0},
            {"off", K_FALSE, 0, 0},
            {"Off", K_FALSE, 0, 0},
            {"OFF", K_FALSE, 0, 0},
            {"tRUE", K_STR, 0, 0},
            {"yEs", K_STR, 0, 0},
            {"oN", K_STR, 0, 0},
            {"~", K_NULL, 0, 0},
            {"null", K_NULL, 0, 0},
            {"Null", K_NULL, 0, 0},
            {"NULL", K_NULL, 0, 0},
            {"", K_NULL, 0, 0},
            {"nULL", K_STR, 0, 0},
            {"0", K_INT, 0, 0},
            {"1", K_INT, 1, 0},
            {"-1", K_INT, -1, 0},
            {"+12", K_INT, 12, 0},
            {"007", K_INT, 7, 0},
            {"0777", K_INT, 511, 0},
            {"0o17", K_INT, 15, 0},
            {"0O17", K_INT, 15, 0},
            {"0x1F", K_INT, 31, 0},
            {"-0x10", K_INT, -16, 0},
            {"0b101", K_INT, 5, 0},
            {"-0b101", K_INT, -5, 0},
            {"1_000_000", K_INT, 1000000, 0},
            {"9223372036854775807", K_INT, INT64_MAX, 0},
            {"-9223372036854775808", K_INT, INT64_MIN, 0},
            {"9223372036854775808", K_FLOAT, 0, 9223372036854775808.0},
            {"18446744073709551616", K_FLOAT, 0, 18446744073709551616.0},
            {"-9223372036854775809", K_FLOAT, 0, -9223372036854775809.0},
            {"08", K_FLOAT, 0, 8.0},
            {"1e3", K_FLOAT, 0, 1000.0},
            {"1E3", K_FLOAT, 0, 1000.0},
            {"1.5", K_FLOAT, 0, 1.5},
            {"1.", K_FLOAT, 0, 1.0},
            {"1.0", K_FLOAT, 0, 1.0},
            {"-2.5e-3", K_FLOAT, 0, -2.5e-3},
            {".5", K_FLOAT, 0, 0.5},
            {"-.5", K_FLOAT, 0, -0.5},
            {"+.5e1", K_FLOAT, 0, 5.0},
            {".5_5", K_FLOAT, 0, 0.55},
            {"1_0.5", K_FLOAT, 0, 10.5},
            {".inf", K_FLOAT, 0, INFINITY},
            {".Inf", K_FLOAT, 0, INFINITY},
            {"+.INF", K_FLOAT, 0, INFINITY},
            {"-.inf", K_FLOAT, 0, -INFINITY},
            {".nan", K_NAN, 0, 0},
            {".NaN", K_NAN, 0, 0},
            {".NAN", K_NAN, 0, 0},
            {".nAn", K_STR, 0, 0},
            {"1e400", K_STR, 0, 0},
            {"0x", K_STR, 0, 0},
            {"0xg", K_STR, 0, 0},
            {"0x1FFFFFFFFFFFFFFFF", K_STR, 0, 0},
            {"1.2.3", K_STR, 0, 0},
            {".", K_STR, 0, 0},
            {"._5", K_STR, 0, 0},
            {"+-1", K_STR, 0, 0},
            {"1e", K_STR, 0, 0},
            {"_1", K_STR, 0, 0},
            {"1:20", K_STR, 0, 0},
            {"2024-01-01", K_STR, 0, 0},
            {"2024-01-01T10:00:00Z", K_STR, 0, 0},
            {"<<", K_STR, 0, 0},
            {"0.1.2.3/24", K_STR, 0, 0},
            {"Infinity", K_STR, 0, 0},
            {"nan", K_STR, 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct rcase *c = &cases[i];
        enum kind want = c->k;
        char text[128];
        snprintf(text, sizeof(text), "v: %s\n", c->text);
        struct sk_val *doc = one_ok(text);
        struct sk_val *v = sk_map_get(doc, "v");
        assert_non_null(v);
        bool ok = false;
        switch (want) {
        case K_STR: ok = v->type == SK_V_STR && !strcmp(v->u.s.p, c->text); break;
        case K_NULL: ok = v->type == SK_V_NULL; break;
        case K_TRUE: ok = v->type == SK_V_BOOL && v->u.b; break;
        case K_FALSE: ok = v->type == SK_V_BOOL && !v->u.b; break;
        case K_INT: ok = v->type == SK_V_INT && v->u.i == c->i; break;
        case K_FLOAT: ok = v->type == SK_V_FLOAT && v->u.f == c->f; break;
        case K_NAN: ok = v->type == SK_V_FLOAT && isnan(v->u.f); break;
        }
        if (!ok) {
            char *j = sk_json_dump(v, 0, NULL);
            fail_msg("plain %s resolved to %s %s", c->text, sk_vtype_name(v->type), j);
        }
        /* Whatever it resolved to, writing it and reading it back agrees. */
        free(roundtrip(doc));
        /* And the same text as a string survives the writer too. */
        struct sk_val *s = sk_val_map();
        sk_map_set(s, "v", sk_val_str(c->text));
        free(roundtrip(s));
        sk_val_free(s);
        sk_val_free(doc);
    }

    /* Quoted and block scalars are always strings. */
    struct sk_val *doc = one_ok("a: '1'\nb: \"true\"\nc: '~'\nd: \"\"\ne: |\n  1\nf: >-\n  null\n");
    const char *want[] = {"1", "true", "~", "", "1\n", "null"};
    for (int i = 0; i < 6; i++) {
        struct sk_val *v = doc->u.m.kv[i].val;
        assert_int_equal(v->type, SK_V_STR);
        assert_string_equal(v->u.s.p, want[i]);
    }
    sk_val_free(doc);
}

static void test_multidoc(void **state)
{
    (void)state;
    struct sk_val *d = docs_ok("a: 1\n---\n---\n# only a comment\n---\n- x\n...\n--- foo\n"
                               "---\n~\n--- null\n---\nkind: Service\n...\n");
    assert_int_equal(sk_arr_len(d), 4);
    struct sk_val *want = json("[{\"a\":1},[\"x\"],\"foo\",{\"kind\":\"Service\"}]");
    assert_true(sk_val_equal(d, want));
    sk_val_free(want);

    char *all = sk_yaml_dump_all(d, NULL);
    assert_string_equal(all, "a: 1\n---\n- x\n---\nfoo\n---\nkind: Service\n");
    struct sk_val *back = docs_ok(all);
    assert_true(sk_val_equal(d, back));
    sk_val_free(back);
    free(all);
    sk_val_free(d);

    d = docs_ok("");
    assert_int_equal(sk_arr_len(d), 0);
    sk_val_free(d);
    d = docs_ok("# nothing\n\n");
    assert_int_equal(sk_arr_len(d), 0);
    sk_val_free(d);

    struct sk_val *one = one_ok("");
    assert_int_equal(one->type, SK_V_NULL);
    sk_val_free(one);
    struct sk_val *v = (struct sk_val *)1;
    struct sk_error *err = NULL;
    assert_int_equal(sk_yaml_parse_one("a: 1\n---\nb: 2\n", 14, "t.yaml", &v, &err), SK_EINVAL);
    assert_null(v);
    assert_string_equal(err->msg, "t.yaml: expected one YAML document, found 2");
    sk_error_free(err);

    /* Anchors do not reach into the next document. */
    expect_error("a: &x 1\n---\nb: *x\n", "t.yaml",
                 "t.yaml: line 3, column 4: unknown anchor 'x' referenced");
}

static void test_block_scalars(void **state)
{
    (void)state;
    struct sk_val *d = one_ok("lit: |\n"
                              "  line1\n"
                              "   line2\n"
                              "\n"
                              "  line3\n"
                              "strip: |-\n"
                              "  text\n"
                              "\n"
                              "keep: |+\n"
                              "  text\n"
                              "\n"
                              "\n"
                              "fold: >\n"
                              "  a\n"
                              "  b\n"
                              "\n"
                              "  c\n"
                              "foldstrip: >-\n"
                              "  a\n"
                              "  b\n"
                              "ind: |2\n"
                              "    two extra\n"
                              "  base\n"
                              "seq:\n"
                              "- |\n"
                              "  in a list\n"
                              "- >+\n"
                              "  kept\n"
                              "\n"
                              "last: end\n");
    struct sk_val *want = json("{\"lit\":\"line1\\n line2\\n\\nline3\\n\",\"strip\":\"text\","
                               "\"keep\":\"text\\n\\n\\n\",\"fold\":\"a b\\nc\\n\","
                               "\"foldstrip\":\"a b\",\"ind\":\"  two extra\\nbase\\n\","
                               "\"seq\":[\"in a list\\n\",\"kept\\n\\n\"],\"last\":\"end\"}");
    if (!sk_val_equal(d, want)) fail_msg("got %s", sk_json_dump(d, 0, NULL));
    char *s = roundtrip(d);
    assert_string_equal(s, "lit: |\n"
                           "  line1\n"
                           "   line2\n"
                           "\n"
                           "  line3\n"
                           "strip: text\n"
                           "keep: |+\n"
                           "  text\n"
                           "\n"
                           "\n"
                           "fold: |\n"
                           "  a b\n"
                           "  c\n"
                           "foldstrip: a b\n"
                           "ind: |2\n"
                           "    two extra\n"
                           "  base\n"
                           "seq:\n"
                           "- |\n"
                           "  in a list\n"
                           "- |+\n"
                           "  kept\n"
                           "\n"
                           "last: end\n");
    free(s);
    sk_val_free(want);
    sk_val_free(d);
}

static void test_flow_and_nesting(void **state)
{
    (void)state;
    struct sk_val *d = one_ok("items: [{name: a, ports: [80, 443]}, {name: b, env: {X: '1'}}]\n"
                              "matrix: [[1, 2], [3, [4, []]], {}]\n");
    struct sk_val *want = json("{\"items\":[{\"name\":\"a\",\"ports\":[80,443]},{\"name\":\"b\","
                               "\"env\":{\"X\":\"1\"}}],\"matrix\":[[1,2],[3,[4,[]]],{}]}");
    assert_true(sk_val_equal(d, want));
    check_emit(d, "items:\n"
                  "- name: a\n"
                  "  ports:\n"
                  "  - 80\n"
                  "  - 443\n"
                  "- name: b\n"
                  "  env:\n"
                  "    X: \"1\"\n"
                  "matrix:\n"
                  "- - 1\n"
                  "  - 2\n"
                  "- - 3\n"
                  "  - - 4\n"
                  "    - []\n"
                  "- {}\n");
    sk_val_free(want);
    sk_val_free(d);
}

static void test_unicode_order(void **state)
{
    (void)state;
    struct sk_val *d = one_ok("zeta: 1\n"
                              "alpha: 2\n"
                              "emoji: \xf0\x9f\x98\x80 party\n"
                              "cjk: \xe6\xbc\xa2\xe5\xad\x97\xe3\x81\x8b\xe3\x81\xaa\n"
                              "esc: \"\\U0001F600 \\u00e9 \\x41\"\n"
                              "\xe9\x8d\xb5: value\n"
                              "mid: 3\n");
    const char *order[] = {"zeta", "alpha", "emoji", "cjk", "esc", "\xe9\x8d\xb5", "mid"};
    for (int i = 0; i < 7; i++)
        assert_string_equal(d->u.m.kv[i].key, order[i]);
    assert_string_equal(sk_val_cstr(sk_map_get(d, "esc")), "\xf0\x9f\x98\x80 \xc3\xa9 A");
    check_emit(d, "zeta: 1\n"
                  "alpha: 2\n"
                  "emoji: \xf0\x9f\x98\x80 party\n"
                  "cjk: \xe6\xbc\xa2\xe5\xad\x97\xe3\x81\x8b\xe3\x81\xaa\n"
                  "esc: \xf0\x9f\x98\x80 \xc3\xa9 A\n"
                  "\xe9\x8d\xb5: value\n"
                  "mid: 3\n");
    sk_val_free(d);

    /* UTF-16 input with a BOM is read too. */
    const char u16[] = "\xff\xfe"
                       "a\0:\0 \0\x34\0\n\0";
    struct sk_val *v = NULL;
    assert_int_equal(sk_yaml_parse_all(u16, sizeof(u16) - 1, NULL, &v, NULL), SK_OK);
    struct sk_val *want = json("[{\"a\":4}]");
    assert_true(sk_val_equal(v, want));
    sk_val_free(want);
    sk_val_free(v);
}

static void test_anchors_merge(void **state)
{
    (void)state;
    struct sk_val *d = one_ok("base: &b {cpu: 1, mem: 2}\n"
                              "copy: *b\n"
                              "list: &l [1, 2]\n"
                              "l2: *l\n"
                              "s: &s str\n"
                              "s2: *s\n"
                              "merged:\n"
                              "  <<: *b\n"
                              "  mem: 3\n"
                              "multi:\n"
                              "  <<: [*b, {cpu: 9, x: 1}]\n"
                              "  z: 2\n"
                              "before:\n"
                              "  cpu: 0\n"
                              "  <<: *b\n"
                              "inline:\n"
                              "  <<: {q: 1}\n"
                              "quoted:\n"
                              "  \"<<\": not a merge\n"
                              "redef: &b 5\n"
                              "after: *b\n"
                              "&k key: k1\n"
                              "nested: &n\n"
                              "  inner: &i [a]\n"
                              "again: *i\n");
    struct sk_val *want = json("{\"base\":{\"cpu\":1,\"mem\":2},\"copy\":{\"cpu\":1,\"mem\":2},"
                               "\"list\":[1,2],\"l2\":[1,2],\"s\":\"str\",\"s2\":\"str\","
                               "\"merged\":{\"cpu\":1,\"mem\":3},"
                               "\"multi\":{\"cpu\":1,\"mem\":2,\"x\":1,\"z\":2},"
                               "\"before\":{\"cpu\":0,\"mem\":2},\"inline\":{\"q\":1},"
                               "\"quoted\":{\"<<\":\"not a merge\"},\"redef\":5,\"after\":5,"
                               "\"key\":\"k1\",\"nested\":{\"inner\":[\"a\"]},\"again\":[\"a\"]}");
    if (!sk_val_equal(d, want)) fail_msg("got %s", sk_json_dump(d, 0, NULL));
    /* Merged keys take the place of the << entry. */
    struct sk_val *merged = sk_map_get(d, "merged");
    assert_string_equal(merged->u.m.kv[0].key, "cpu");
    assert_string_equal(merged->u.m.kv[1].key, "mem");
    free(roundtrip(d));
    sk_val_free(want);
    sk_val_free(d);

    /* An alias as a key. */
    d = one_ok("a: &k name\n*k : v\n");
    assert_string_equal(sk_val_cstr(sk_map_get(d, "name")), "v");
    sk_val_free(d);

    expect_error(
            "a:\n  <<: 1\n", "t.yaml",
            "t.yaml: line 2, column 3: map merge requires a mapping or a sequence of mappings");
    expect_error(
            "a:\n  <<: [{x: 1}, 2]\n", "t.yaml",
            "t.yaml: line 2, column 3: map merge requires a mapping or a sequence of mappings");
    expect_error("a: *nope\n", NULL, "line 1, column 4: unknown anchor 'nope' referenced");
    expect_error("a: &x [1, *x]\n", "t.yaml",
                 "t.yaml: line 1, column 11: unknown anchor 'x' referenced");
    /* A merged key may be overridden, an explicit one may not repeat. */
    expect_error("a:\n  x: 1\n  <<: {y: 2}\n  x: 3\n", "t.yaml",
                 "t.yaml: line 4, column 3: mapping key \"x\" already defined at line 2");
}

static void test_alias_limits(void **state)
{
    (void)state;
    /* Billion laughs: nine levels of nine aliases. */
    struct sk_buf b = {0};
    sk_buf_puts(&b, "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (char c = 'b'; c <= 'i'; c++) {
        sk_buf_printf(&b, "%c: &%c [", c, c);
        for (int i = 0; i < 9; i++)
            sk_buf_printf(&b, "%s*%c", i ? ", " : "", c - 1);
        sk_buf_puts(&b, "]\n");
    }
    sk_buf_putc(&b, 0);
    expect_error_has(b.p, "nodes (alias bomb?)");
    sk_buf_free(&b);

    /* Deep nesting: 128 levels parse, 129 do not, in flow and block. */
    for (int deep = 128; deep <= 129; deep++) {
        sk_buf_putc(&b, ' ');
        for (int i = 0; i < deep; i++)
            sk_buf_putc(&b, '[');
        for (int i = 0; i < deep; i++)
            sk_buf_putc(&b, ']');
        sk_buf_putc(&b, 0);
        struct sk_val *v = NULL;
        sk_err rc = sk_yaml_parse_all(b.p, b.len - 1, "d.yaml", &v, NULL);
        assert_int_equal(rc, deep == 128 ? SK_OK : SK_EINVAL);
        sk_val_free(v);
        if (deep == 129)
            expect_error(b.p, "d.yaml",
                         "d.yaml: line 1, column 130: nesting deeper than 128 levels");
        sk_buf_free(&b);
    }
    for (int i = 0; i < 129; i++) {
        for (int j = 0; j < i; j++)
            sk_buf_puts(&b, "  ");
        sk_buf_puts(&b, "k:\n");
    }
    sk_buf_putc(&b, 0);
    expect_error_has(b.p, "line 129, column 257: nesting deeper than 128 levels");
    sk_buf_free(&b);

    /* An alias that would push its tree past the limit. */
    sk_buf_puts(&b, "x: &d ");
    for (int i = 0; i < 100; i++)
        sk_buf_putc(&b, '[');
    for (int i = 0; i < 100; i++)
        sk_buf_putc(&b, ']');
    sk_buf_puts(&b, "\ny: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[*d]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n");
    sk_buf_putc(&b, 0);
    expect_error_has(b.p, "alias *d nests deeper than 128 levels");
    sk_buf_free(&b);
}

static void test_tags(void **state)
{
    (void)state;
    struct sk_val *d = one_ok("a: !!str 123\n"
                              "b: !!int \"7\"\n"
                              "c: !!float 1\n"
                              "d: !!bool yes\n"
                              "e: !!null ''\n"
                              "f: !!binary aGVsbG8=\n"
                              "g: !custom 5\n"
                              "h: !!map\n"
                              "i: !!seq\n"
                              "j: !!str\n"
                              "k: !!map {x: 1}\n"
                              "l: !!timestamp 2001-01-01\n"
                              "m: ! 12\n"
                              "r: !!float \"1e3\"\n"
                              "o: !<tag:yaml.org,2002:int> 0x10\n"
                              "p: !!str true\n"
                              "q: !Ref [x]\n");
    struct sk_val *want = json("{\"a\":\"123\",\"b\":7,\"c\":1.0,\"d\":true,\"e\":null,"
                               "\"f\":\"aGVsbG8=\",\"g\":\"5\",\"h\":{},\"i\":[],\"j\":\"\","
                               "\"k\":{\"x\":1},\"l\":\"2001-01-01\",\"m\":\"12\",\"r\":1000.0,"
                               "\"o\":16,\"p\":\"true\",\"q\":[\"x\"]}");
    if (!sk_val_equal(d, want)) fail_msg("got %s", sk_json_dump(d, 0, NULL));
    free(roundtrip(d));
    sk_val_free(want);
    sk_val_free(d);

    expect_error("a: !!int abc\n", "t.yaml",
                 "t.yaml: line 1, column 4: cannot decode !!str `abc` as a !!int");
    expect_error("a: !!int 1.5\n", "t.yaml",
                 "t.yaml: line 1, column 4: cannot decode !!float `1.5` as a !!int");
    expect_error("a: !!bool 1\n", "t.yaml",
                 "t.yaml: line 1, column 4: cannot decode !!int `1` as a !!bool");
    expect_error("a: !!null x\n", "t.yaml",
                 "t.yaml: line 1, column 4: cannot decode !!str `x` as a !!null");
    expect_error("a: !!float x\n", "t.yaml",
                 "t.yaml: line 1, column 4: cannot decode !!str `x` as a !!float");
    expect_error("a: !!int 18446744073709551615\n", "t.yaml",
                 "t.yaml: line 1, column 4: integer 18446744073709551615 is beyond int64");
    expect_error("a: !!map x\n", "t.yaml",
                 "t.yaml: line 1, column 4: cannot decode a scalar as a !!map");
    expect_error("a: !!seq {x: 1}\n", "t.yaml",
                 "t.yaml: line 1, column 4: cannot decode a mapping as a !!seq");
    expect_error("a: !!map [1]\n", "t.yaml",
                 "t.yaml: line 1, column 4: cannot decode a sequence as a !!map");
}

static void test_keys(void **state)
{
    (void)state;
    struct sk_val *d = one_ok("1: a\n"
                              "true: b\n"
                              "1.5: c\n"
                              "0x10: d\n"
                              "1e3: e\n"
                              "18446744073709551615: f\n"
                              "-1: g\n"
                              ".inf: h\n"
                              "3.14159265358979: i\n"
                              "1234567.0: j\n"
                              "0.0001: k\n"
                              "no: l\n");
    const char *keys[] = {
            "1",  "true", "1.5",       "16",           "1000",   "18446744073709551615",
            "-1", ".inf", "3.1415927", "1.234567e+06", "0.0001", "false"};
    assert_int_equal(sk_map_len(d), 12);
    for (int i = 0; i < 12; i++) {
        if (strcmp(d->u.m.kv[i].key, keys[i]))
            fail_msg("key %d is %s, want %s", i, d->u.m.kv[i].key, keys[i]);
    }
    free(roundtrip(d));
    sk_val_free(d);
}

static void test_keys_more(void **state)
{
    (void)state;
    struct sk_val *d = one_ok("-.inf: n\n.nan: o\n1e-5: p\n!!str 7: q\n!!float 2: r\n");
    const char *keys[] = {"-.inf", ".nan", "1e-05", "7", "2"};
    for (int i = 0; i < 5; i++)
        assert_string_equal(d->u.m.kv[i].key, keys[i]);
    free(roundtrip(d));
    sk_val_free(d);

    /* Conversions that collide are duplicates. */
    expect_error("1: a\n'1': b\n", "t.yaml",
                 "t.yaml: line 2, column 1: mapping key \"1\" already defined at line 1");
    expect_error("~: a\n", "t.yaml", "t.yaml: line 1, column 1: mapping key must not be null");
    expect_error("? [a]\n: b\n", "t.yaml",
                 "t.yaml: line 1, column 3: mapping key must be a scalar");
    expect_error("? {a: 1}\n: b\n", "t.yaml",
                 "t.yaml: line 1, column 3: mapping key must be a scalar");
    expect_error("x: &m {a: 1}\n*m : b\n", "t.yaml",
                 "t.yaml: line 2, column 1: mapping key must be a non-null scalar");

    /* Duplicates in a map large enough for the hash index. */
    struct sk_buf b = {0};
    for (int i = 0; i < 50; i++)
        sk_buf_printf(&b, "key%d: %d\n", i, i);
    sk_buf_puts(&b, "key17: again\n");
    sk_buf_putc(&b, 0);
    expect_error(b.p, "big.yaml",
                 "big.yaml: line 51, column 1: mapping key \"key17\" already defined at line 18");
    sk_buf_free(&b);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("apiVersion: v1\nkind: Pod\nmetadata:\n  name: x: y\n", "deploy.yaml",
                 "deploy.yaml: line 4, column 10: mapping values are not allowed in this context");
    expect_error("a: 1\nb: 2\na: 3\n", "t.yaml",
                 "t.yaml: line 3, column 1: mapping key \"a\" already defined at line 1");
    expect_error("a:\n\t- b\n", "t.yaml",
                 "t.yaml: line 2, column 1: found character that cannot start any token "
                 "(while scanning for the next token at line 2, column 1)");
    expect_error("a: 'unterminated\n", "t.yaml",
                 "t.yaml: line 2, column 1: found unexpected end of stream "
                 "(while scanning a quoted scalar at line 1, column 4)");
    expect_error("a: [1, 2\nb: 3\n", "t.yaml",
                 "t.yaml: line 2, column 2: did not find expected ',' or ']' "
                 "(while parsing a flow sequence at line 1, column 4)");
    expect_error("- a\nb: c\n", "t.yaml",
                 "t.yaml: line 2, column 1: did not find expected '-' indicator "
                 "(while parsing a block collection at line 1, column 1)");
    expect_error("a: b\n c: d\n", NULL,
                 "line 2, column 3: mapping values are not allowed in this "
                 "context");
    expect_error("ok: 1\nbad: \xff\n", "t.yaml",
                 "t.yaml: line 2, column 6: invalid leading UTF-8 octet (byte 0xff)");
    expect_error("a: \x01\n", "t.yaml",
                 "t.yaml: line 1, column 4: control characters are not allowed (byte 0x01)");
    expect_error("a: \"\\ud800\"\n", "t.yaml",
                 "t.yaml: line 1, column 7: found invalid Unicode character escape code "
                 "(while parsing a quoted scalar at line 1, column 4)");
}

static void test_json_input(void **state)
{
    (void)state;
    const char *text = "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": "
                       "{\"name\": \"x\"}, \"data\": {\"a\": \"1\", \"b\": \"yes\"}, "
                       "\"n\": [1, 2.5, -3, true, null]}";
    struct sk_val *y = one_ok(text), *j = json(text);
    assert_true(sk_val_equal(y, j));
    sk_val_free(y);
    sk_val_free(j);
}

static void test_emit_kubectl(void **state)
{
    (void)state;
    struct sk_val *d = json(
            "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"annotations\":"
            "{\"note\":\"line one\\nline two\\n\"},\"creationTimestamp\":\"2024-05-01T10:00:00Z\","
            "\"labels\":{\"app\":\"web\"},\"name\":\"web\"},\"spec\":{\"replicas\":3,"
            "\"selector\":{\"matchLabels\":{\"app\":\"web\"}},\"template\":{\"metadata\":"
            "{\"creationTimestamp\":null,\"labels\":{\"app\":\"web\"}},\"spec\":{\"containers\":"
            "[{\"args\":[\"--port=8080\",\"1\"],\"command\":[\"/bin/sh\",\"-c\"],\"env\":"
            "[{\"name\":\"A\",\"value\":\"true\"},{\"name\":\"B\",\"value\":\"\"}],"
            "\"image\":\"nginx:1.25\",\"name\":\"web\",\"ports\":[{\"containerPort\":80,"
            "\"protocol\":\"TCP\"}],\"resources\":{}}],\"volumes\":[]}}},\"status\":{}}");
    check_emit(d, "apiVersion: apps/v1\n"
                  "kind: Deployment\n"
                  "metadata:\n"
                  "  annotations:\n"
                  "    note: |\n"
                  "      line one\n"
                  "      line two\n"
                  "  creationTimestamp: \"2024-05-01T10:00:00Z\"\n"
                  "  labels:\n"
                  "    app: web\n"
                  "  name: web\n"
                  "spec:\n"
                  "  replicas: 3\n"
                  "  selector:\n"
                  "    matchLabels:\n"
                  "      app: web\n"
                  "  template:\n"
                  "    metadata:\n"
                  "      creationTimestamp: null\n"
                  "      labels:\n"
                  "        app: web\n"
                  "    spec:\n"
                  "      containers:\n"
                  "      - args:\n"
                  "        - --port=8080\n"
                  "        - \"1\"\n"
                  "        command:\n"
                  "        - /bin/sh\n"
                  "        - -c\n"
                  "        env:\n"
                  "        - name: A\n"
                  "          value: \"true\"\n"
                  "        - name: B\n"
                  "          value: \"\"\n"
                  "        image: nginx:1.25\n"
                  "        name: web\n"
                  "        ports:\n"
                  "        - containerPort: 80\n"
                  "          protocol: TCP\n"
                  "        resources: {}\n"
                  "      volumes: []\n"
                  "status: {}\n");
    sk_val_free(d);
}

struct qcase {
    const char *in;
    size_t len; /* 0: strlen */
    const char *out;
};

static void test_emit_quoting(void **state)
{
    (void)state;
    static const struct qcase cases[] = {
            {"plain", 0, "plain"},
            {"", 0, "\"\""},
            {"true", 0, "\"true\""},
            {"yes", 0, "\"yes\""},
            {"Off", 0, "\"Off\""},
            {"null", 0, "\"null\""},
            {"~", 0, "\"~\""},
            {"1", 0, "\"1\""},
            {"1.0", 0, "\"1.0\""},
            {"0x1F", 0, "\"0x1F\""},
            {"1e3", 0, "\"1e3\""},
            {".inf", 0, "\".inf\""},
            {"08", 0, "\"08\""},
            {"1_000", 0, "\"1_000\""},
            {"2024-01-01T00:00:00Z", 0, "\"2024-01-01T00:00:00Z\""},
            {"1:20", 0, "\"1:20\""},
            {"<<", 0, "\"<<\""},
            {" lead", 0, "' lead'"},
            {"trail ", 0, "'trail '"},
            {"a: b", 0, "'a: b'"},
            {"a #b", 0, "'a #b'"},
            {"#a", 0, "'#a'"},
            {"a#b", 0, "a#b"},
            {"*x", 0, "'*x'"},
            {"&x", 0, "'&x'"},
            {"!x", 0, "'!x'"},
            {"|x", 0, "'|x'"},
            {">x", 0, "'>x'"},
            {"%x", 0, "'%x'"},
            {"@x", 0, "'@x'"},
            {"`x", 0, "'`x'"},
            {"'q", 0, "'''q'"},
            {"it's", 0, "it's"},
            {"\"dq", 0, "'\"dq'"},
            {"-x", 0, "-x"},
            {"- x", 0, "'- x'"},
            {"-", 0, "'-'"},
            {"?x", 0, "?x"},
            {"? x", 0, "'? x'"},
            {":x", 0, ":x"},
            {"x:", 0, "'x:'"},
            {"a,b", 0, "a,b"},
            {"[a]", 0, "'[a]'"},
            {"{a}", 0, "'{a}'"},
            {"---", 0, "'---'"},
            {"...", 0, "'...'"},
            {"http://x:80/a?b#c", 0, "http://x:80/a?b#c"},
            {"registry.local:5000/img@sha256:abcd", 0, "registry.local:5000/img@sha256:abcd"},
            {"tab\there", 0, "\"tab\\there\""},
            {"nul\0x", 5, "\"nul\\0x\""},
            {"bell\a esc\x1b del\x7f", 0, "\"bell\\a esc\\e del\\x7F\""},
            {"\xf0\x9f\x98\x80", 0, "\xf0\x9f\x98\x80"},
            {"\xc3\xa9t\xc3\xa9", 0, "\xc3\xa9t\xc3\xa9"},
            {"\xc2\x85", 0, "\"\\N\""},
            {"\xc2\x80", 0, "\"\\x80\""},
            {"a\xe2\x80\xa8"
             "b",
             0, "\"a\\Lb\""},
            {"\xef\xbb\xbf"
             "x",
             0, "\"\\uFEFFx\""},
            {"back\\slash", 0, "back\\slash"},
            {"say \"hi\"", 0, "say \"hi\""},
            {"multi\nline", 0, "|-\n  multi\n  line"},
            {"x\n", 0, "|\n  x"},
            {"x\n\n", 0, "|+\n  x\n"},
            {"space \nx", 0, "\"space \\nx\""},
            {"x\ny ", 0, "\"x\\ny \""},
            {"\n", 0, "\"\\n\""},
            {"\n\n", 0, "\"\\n\\n\""},
            {" lead\nx", 0, "|2-\n   lead\n  x"},
            {"\tlead\nx", 0, "|2-\n  \tlead\n  x"},
            {"\nx", 0, "|2-\n\n  x"},
            {"a\n\tb\n", 0, "|\n  a\n  \tb"},
            {"a\n\n\nb", 0, "|-\n  a\n\n\n  b"},
            {"  #!/bin/sh\n  echo: x\n---\n", 0, "|2\n    #!/bin/sh\n    echo: x\n  ---"},
            {"cr\r\nlf", 0, "\"cr\\r\\nlf\""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct qcase *c = &cases[i];
        size_t n = c->len ? c->len : strlen(c->in);
        struct sk_val *m = sk_val_map();
        sk_map_set(m, "v", sk_val_strn(c->in, n));
        char want[256];
        snprintf(want, sizeof(want), "v: %s\n", c->out);
        check_emit(m, want);
        /* Also as a key (never a block) and as a list item. */
        struct sk_val *k = sk_val_map();
        sk_map_setn(k, c->in, n, sk_val_int(1));
        free(roundtrip(k));
        struct sk_val *a = sk_val_arr();
        sk_arr_push(a, sk_val_strn(c->in, n));
        sk_arr_push(a, sk_val_map());
        sk_arr_push(a, sk_val_strn(c->in, n));
        free(roundtrip(a));
        sk_val_free(a);
        sk_val_free(k);
        sk_val_free(m);
    }

    /* Bad UTF-8 cannot be written as YAML; it becomes U+FFFD. */
    struct sk_val *m = sk_val_map();
    sk_map_set(m, "v", sk_val_strn("a\xff", 2));
    char *s = sk_yaml_dump(m, NULL);
    assert_string_equal(s, "v: \"a\\uFFFD\"\n");
    free(s);
    sk_val_free(m);
}

static void test_emit_misc(void **state)
{
    (void)state;
    struct sk_val *v = sk_val_map();
    check_emit(v, "{}\n");
    sk_val_free(v);
    v = sk_val_arr();
    check_emit(v, "[]\n");
    sk_val_free(v);
    v = sk_val_str("top");
    check_emit(v, "top\n");
    sk_val_free(v);
    v = sk_val_str("two\nlines");
    check_emit(v, "\"two\\nlines\"\n");
    sk_val_free(v);
    v = sk_val_str("");
    check_emit(v, "\"\"\n");
    sk_val_free(v);
    char *s = sk_yaml_dump(NULL, NULL);
    assert_string_equal(s, "null\n");
    free(s);

    v = sk_val_map();
    sk_map_set(v, "i", sk_val_int(INT64_MIN));
    sk_map_set(v, "f", sk_val_float(1.0));
    sk_map_set(v, "g", sk_val_float(-0.0));
    sk_map_set(v, "h", sk_val_float(1e21));
    sk_map_set(v, "inf", sk_val_float(INFINITY));
    sk_map_set(v, "ninf", sk_val_float(-INFINITY));
    sk_map_set(v, "nan", sk_val_float(NAN));
    sk_map_set(v, "t", sk_val_bool(true));
    sk_map_set(v, "n", sk_val_null());
    check_emit(v, "i: -9223372036854775808\nf: 1.0\ng: -0.0\nh: 1e+21\ninf: .inf\nninf: -.inf\n"
                  "nan: .nan\nt: true\n\"n\": null\n");
    sk_val_free(v);

    /* Keys too long for an implicit key use the explicit form. */
    char key[200];
    memset(key, 'k', 150);
    key[150] = 0;
    v = sk_val_map();
    sk_map_set(v, key, sk_val_str("v"));
    struct sk_val *inner = sk_map_set(v, "list", sk_val_arr());
    struct sk_val *item = sk_arr_push(inner, sk_val_map());
    sk_map_set(item, key, json("[1, {\"a\": \"x\\ny\"}]"));
    sk_map_set(item, "b", json("{\"c\": 1}"));
    char want[1024];
    snprintf(want, sizeof(want),
             "? %s\n: v\nlist:\n- ? %s\n  :\n  - 1\n  - a: |-\n      x\n      y\n  b:\n    c: 1\n",
             key, key);
    check_emit(v, want);
    sk_val_free(v);

    /* Sequences of sequences of maps. */
    v = json("[[{\"a\":1,\"b\":[{\"c\":2}]}],[],{\"d\":[[]]}]");
    check_emit(v, "- - a: 1\n    b:\n    - c: 2\n- []\n- d:\n  - []\n");
    sk_val_free(v);
}

static const char *const corpus[] = {
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  nginx.conf: |\n"
        "    server {\n      listen 80;\n    }\n  empty: \"\"\n  n: \"1\"\n",
        "a: [1, 2.0, '3', \"4\", five, ~, yes, 0x10, .inf, -.inf, .nan, 1e3, 2024-01-01]\n",
        "- {a: 1}\n- [b, c]\n- - d\n  - e: f\n    g: [h]\n",
        "key with spaces: v\n'quoted key': v\n\"dq\\tkey\": v\n? complex\n: v\n",
        "s: \"\\0\\a\\b\\t\\n\\v\\f\\r\\e\\ \\\"\\/\\\\\\N\\_\\L\\P\\x41\\u00e9\\U0001F600\"\n",
        "folded: >\n  a\n  b\n\n  c\n   d\n  e\n",
        "x: &a {k: [1, 2]}\ny:\n  <<: *a\n  z: 1\n",
        "--- !!map\n? a\n: b\n--- !!seq\n- c\n--- !!str d\n",
        "multi: \"line one\\nline two\\n\\n  indented\\n\"\nsp: \"  \"\n",
        "%YAML 1.1\n---\na: b\n",
        "%TAG !e! tag:example.com,2000:\n---\na: !e!foo bar\n",
        "plain: this is\n  a folded\n  plain scalar\n",
        "'single': 'it''s'\n",
        "deep: {a: {b: {c: {d: {e: [[[[{f: g}]]]]}}}}}\n",
        "-1: neg\n0: zero\n",
};

static void test_corpus_roundtrip(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++) {
        struct sk_val *docs = docs_ok(corpus[i]);
        for (size_t j = 0; j < sk_arr_len(docs); j++)
            free(roundtrip(sk_arr_get(docs, j)));
        char *all = sk_yaml_dump_all(docs, NULL);
        struct sk_val *back = docs_ok(all);
        if (!sk_val_equal(docs, back)) fail_msg("stream round trip of %s", corpus[i]);
        /* And through JSON and msgpack when they can carry it. */
        struct sk_buf mp = {0};
        sk_val_to_msgpack(docs, &mp);
        struct sk_val *m = NULL;
        assert_int_equal(sk_val_from_msgpack(mp.p, mp.len, &m, NULL), SK_OK);
        assert_true(sk_val_equal(docs, m));
        sk_val_free(m);
        sk_buf_free(&mp);
        sk_val_free(back);
        free(all);
        sk_val_free(docs);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_resolve),       cmocka_unit_test(test_multidoc),
            cmocka_unit_test(test_block_scalars), cmocka_unit_test(test_flow_and_nesting),
            cmocka_unit_test(test_unicode_order), cmocka_unit_test(test_anchors_merge),
            cmocka_unit_test(test_alias_limits),  cmocka_unit_test(test_tags),
            cmocka_unit_test(test_keys),          cmocka_unit_test(test_keys_more),
            cmocka_unit_test(test_errors),        cmocka_unit_test(test_json_input),
            cmocka_unit_test(test_emit_kubectl),  cmocka_unit_test(test_emit_quoting),
            cmocka_unit_test(test_emit_misc),     cmocka_unit_test(test_corpus_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
