/* Tests for core/jsonpath.c (kubectl's JSONPath: fields, wildcards,
 * recursive descent, slices, unions, filters, range, literals, its parse
 * errors and result printing) and core/cli_print.c (kubectl's column
 * writer, Go's tabwriter for describe, -o yaml/json/name/custom-columns)
 * and apimachinery's ages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_int.h"
#include "json.h"
#include "jsonpath.h"
#include "table.h"
#include "val.h"

static struct sk_val *J(const char *text)
{
    struct sk_val *v = NULL;
    struct sk_error *err = NULL;
    if (sk_json_parse(text, strlen(text), &v, &err) != SK_OK)
        fail_msg("bad test JSON: %s", sk_error_msg(err, SK_EINVAL));
    return v;
}

static const char *LIST =
        "{\"kind\":\"List\",\"items\":["
        "{\"metadata\":{\"name\":\"a\",\"labels\":{\"app\":\"web\",\"tier\":\"fe\"}},"
        "\"spec\":{\"replicas\":3,\"containers\":[{\"name\":\"c1\",\"image\":\"nginx\"},{\"name\":"
        "\"c2\",\"image\":\"busybox\"}]},\"status\":{\"ready\":true,\"ratio\":0.5}},"
        "{\"metadata\":{\"name\":\"b\",\"labels\":{\"app\":\"db\"}},"
        "\"spec\":{\"replicas\":1,\"containers\":[{\"name\":\"c3\",\"image\":\"redis\"}]},"
        "\"status\":{\"ready\":false,\"ratio\":1e6}}]}";

/* Evaluate tmpl against LIST; returns the printed text (static). */
static const char *eval(const char *tmpl)
{
    static char *last;
    free(last);
    last = NULL;
    struct sk_val *root = J(LIST);
    struct sk_jsonpath *jp = NULL;
    struct sk_error *e = NULL;
    if (sk_jsonpath_parse(tmpl, &jp, &e))
        fail_msg("parse %s: %s", tmpl, sk_error_msg(e, SK_EINVAL));
    struct sk_buf b = {0};
    if (sk_jsonpath_exec(jp, root, true, &b, &e)) {
        sk_buf_free(&b);
        last = strdup(sk_error_msg(e, SK_EINVAL));
        sk_error_free(e);
        last = realloc(last, strlen(last) + 8);
        memmove(last + 6, last, strlen(last) + 1);
        memcpy(last, "ERROR ", 6);
    } else {
        sk_buf_putc(&b, 0);
        last = sk_buf_take(&b, NULL);
    }
    sk_jsonpath_free(jp);
    sk_val_free(root);
    return last;
}

static const char *parse_err(const char *tmpl)
{
    static char msg[256];
    struct sk_jsonpath *jp = NULL;
    struct sk_error *e = NULL;
    if (!sk_jsonpath_parse(tmpl, &jp, &e)) {
        sk_jsonpath_free(jp);
        return "(parsed)";
    }
    snprintf(msg, sizeof(msg), "%s", sk_error_msg(e, SK_EINVAL));
    sk_error_free(e);
    return msg;
}

static void test_fields_and_wildcards(void **state)
{
    (void)state;
    assert_string_equal(eval("{.items[*].metadata.name}"), "a b");
    assert_string_equal(eval("{.items[0].spec.replicas}"), "3");
    assert_string_equal(eval("{.items[-1].metadata.name}"), "b");
    assert_string_equal(eval("{.items[*].spec.containers[*].image}"), "nginx busybox redis");
    assert_string_equal(eval("{.items[0].metadata.labels}"), "{\"app\":\"web\",\"tier\":\"fe\"}");
    assert_string_equal(eval("{.items[0].metadata.labels.*}"), "web fe");
    assert_string_equal(eval("{$.kind}"), "List");
    assert_string_equal(eval("{.kind} has {.items[1].metadata.name}"), "List has b");
    assert_string_equal(eval("{.items[0].status.ready} {.items[1].status.ready}"), "true false");
    assert_string_equal(eval("{.items[0].status.ratio} {.items[1].status.ratio}"), "0.5 1e+06");
    assert_string_equal(eval("{.items[0]['metadata']['name']}"), "a");
    assert_string_equal(eval("{.missing}"), ""); /* kubectl allows missing keys by default */
    assert_string_equal(eval("plain text"), "plain text");
}

static void test_slices_unions_recursive(void **state)
{
    (void)state;
    assert_string_equal(eval("{.items[0:1].metadata.name}"), "a");
    assert_string_equal(eval("{.items[0].spec.containers[::2].name}"), "c1");
    assert_string_equal(eval("{.items[0].spec.containers[1:].name}"), "c2");
    assert_string_equal(eval("{.items[0,1].metadata.name}"), "a b");
    assert_string_equal(eval("{.items[0].metadata['name','labels']}"),
                        "a {\"app\":\"web\",\"tier\":\"fe\"}");
    assert_string_equal(eval("{..image}"), "nginx busybox redis");
    assert_string_equal(eval("{.items[5].x}"),
                        "ERROR array index out of bounds: index 5, length 2");
    assert_string_equal(eval("{.kind[0]}"), "ERROR string is not array or slice");
}

static void test_filters_and_range(void **state)
{
    (void)state;
    assert_string_equal(eval("{.items[?(@.metadata.name==\"b\")].spec.replicas}"), "1");
    assert_string_equal(eval("{.items[?(@.spec.replicas>1)].metadata.name}"), "a");
    assert_string_equal(eval("{.items[?(@.spec.replicas<=3)].metadata.name}"), "a b");
    assert_string_equal(eval("{.items[?(@.metadata.labels.tier)].metadata.name}"), "a");
    assert_string_equal(eval("{.items[?(@.status.ready==true)].metadata.name}"), "a");
    assert_string_equal(eval("{.items[*].spec.containers[?(@.image!='nginx')].name}"), "c2 c3");
    assert_string_equal(eval("{.items[?(@.spec.replicas=='x')].metadata.name}"),
                        "ERROR incompatible types for comparison");
    assert_string_equal(eval("{range .items[*]}{.metadata.name}{\"\\n\"}{end}"), "a\nb\n");
    assert_string_equal(eval("{range .items[*]}[{.metadata.name},{range .spec.containers[*]}"
                             "{.name};{end}]{end}"),
                        "[a,c1;c2;][b,c3;]");
    assert_string_equal(eval("{range .nothing[*]}x{end}done"), "done");
    assert_string_equal(eval("{\"a\\tb\"}"), "a\tb");
    assert_string_equal(eval("{end}"), "ERROR not in range, nothing to end");
    assert_string_equal(eval("{foo}"), "ERROR unrecognized identifier foo");
}

static void test_parse_errors(void **state)
{
    (void)state;
    assert_string_equal(parse_err("{.a"), "unclosed action");
    assert_string_equal(parse_err("{.a[}"), "unterminated array");
    assert_string_equal(parse_err("{.a[x]}"), "invalid array index x");
    assert_string_equal(parse_err("{.a[?(@.x}"), "unterminated filter");
    assert_string_equal(parse_err("{\"abc}"), "unterminated quoted string");
    assert_string_equal(parse_err("{!}"), "unrecognized character in action: U+0021 '!'");
    assert_string_equal(parse_err("{....a}"), "invalid multiple recursive descent");
    assert_string_equal(parse_err("{.a}{.b}"), "(parsed)");
    assert_string_equal(parse_err(""), "(parsed)");
}

static void test_relaxed_and_sprint(void **state)
{
    (void)state;
    char *r = sk_jsonpath_relaxed("metadata.name");
    assert_string_equal(r, "{.metadata.name}");
    free(r);
    r = sk_jsonpath_relaxed("{.spec}");
    assert_string_equal(r, "{.spec}");
    free(r);
    r = sk_jsonpath_relaxed(".a.b");
    assert_string_equal(r, "{.a.b}");
    free(r);
    assert_null(sk_jsonpath_relaxed("{a}{b}"));
    struct sk_val *v = J("{\"b\":[1,\"x\",null],\"a\":{\"z\":true}}");
    struct sk_buf b = {0};
    sk_go_sprint(v, &b);
    sk_buf_putc(&b, 0);
    assert_string_equal(b.p, "map[a:map[z:true] b:[1 x <nil>]]");
    sk_buf_free(&b);
    sk_val_free(v);
}

static void test_tab_writer(void **state)
{
    (void)state;
    char *out = NULL;
    size_t ol;
    FILE *f = open_memstream(&out, &ol);
    struct sk_cli_tab *t = sk_cli_tab_new();
    const char *rows[3][3] = {
            {"NAME", "READY", "AGE"}, {"web-1", "1/1", "5s"}, {"a", "0/1", "3m2s"}};
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++)
            sk_cli_tab_cell(t, rows[i][j]);
        sk_cli_tab_end_row(t);
    }
    sk_cli_tab_flush(t, f);
    /* widths remembered: a later, narrower row keeps the columns */
    sk_cli_tab_cell(t, "b");
    sk_cli_tab_cell(t, "1/1");
    sk_cli_tab_cell(t, "1d");
    sk_cli_tab_end_row(t);
    sk_cli_tab_flush(t, f);
    sk_cli_tab_free(t);
    fclose(f);
    assert_string_equal(out, "NAME    READY   AGE\n"
                             "web-1   1/1     5s\n"
                             "a       0/1     3m2s\n"
                             "b       1/1     1d\n");
    free(out);

    /* Go's tabwriter: runs of lines with a column align; a line without
     * tabs ends the run (describe's layout) */
    const char *text = "Name:\tweb\nNamespace:\tdefault\nContainers:\n  c:\n    Image:\tnginx\n"
                       "    Port:\t<none>\nEvents:\t<none>\n";
    struct sk_buf b = {0};
    sk_cli_tabwrite(text, strlen(text), 0, 2, &b);
    sk_buf_putc(&b, 0);
    assert_string_equal(b.p, "Name:       web\nNamespace:  default\nContainers:\n  c:\n"
                             "    Image:  nginx\n    Port:   <none>\nEvents:     <none>\n");
    sk_buf_free(&b);
    /* wide characters count once */
    const char *u = "ä\tx\nab\ty\n";
    sk_cli_tabwrite(u, strlen(u), 0, 2, &b);
    sk_buf_putc(&b, 0);
    assert_string_equal(b.p, "ä   x\nab  y\n");
    sk_buf_free(&b);
}

static void test_ages(void **state)
{
    (void)state;
    static const struct {
        int64_t s;
        const char *want;
    } cases[] = {{0, "0s"},       {5, "5s"},      {119, "119s"},    {182, "3m2s"},    {600, "10m"},
                 {14700, "4h5m"}, {97200, "27h"}, {183600, "2d3h"}, {-5, "<invalid>"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[32];
        sk_human_duration(cases[i].s, buf);
        assert_string_equal(buf, cases[i].want);
    }
}

/* A CLI context printing into memory. */
static struct sk_cli *mem_cli(char **out, char **err, FILE **fo, FILE **fe)
{
    static size_t ol, el;
    static const struct sk_cli_verb v = {.name = "get", .short_help = "x"};
    struct sk_cli *c = calloc(1, sizeof(*c));
    *fo = open_memstream(out, &ol);
    *fe = open_memstream(err, &el);
    c->verb = &v;
    c->cmd_path = "skiff get";
    c->out = *fo;
    c->err = *fe;
    return c;
}

static void test_printers(void **state)
{
    (void)state;
    char *out = NULL, *err = NULL;
    FILE *fo, *fe;
    struct sk_cli *c = mem_cli(&out, &err, &fo, &fe);
    struct sk_val *pod = J("{\"metadata\":{\"name\":\"p\",\"labels\":{\"b\":\"2\",\"a\":\"1\"}},"
                           "\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"spec\":{\"x\":\"<&>\"}}");
    const struct sk_kind *k = sk_kind_by_name("pods");
    struct sk_val *objs[2] = {pod, pod};
    const struct sk_kind *kinds[2] = {k, k};
    assert_int_equal(sk_cli_print_objs(c, "yaml", objs, kinds, 1), 0);
    assert_int_equal(sk_cli_print_objs(c, "json", objs, kinds, 1), 0);
    assert_int_equal(sk_cli_print_objs(c, "name", objs, kinds, 2), 0);
    assert_int_equal(sk_cli_print_objs(c, "custom-columns=N:.metadata.name,L:metadata.labels,X:.no",
                                       objs, kinds, 1),
                     0);
    assert_int_equal(
            sk_cli_print_list(c, "jsonpath={.kind} {.items[*].metadata.name}", objs, kinds, 2), 0);
    assert_int_equal(sk_cli_print_objs(c, "foo", objs, kinds, 1), 1);
    assert_int_equal(sk_cli_print_objs(c, "jsonpath={.a", objs, kinds, 1), 1);
    fclose(fo);
    fclose(fe);
    assert_string_equal(
            out, "apiVersion: v1\nkind: Pod\nmetadata:\n  labels:\n    a: \"1\"\n    b: \"2\"\n"
                 "  name: p\nspec:\n  x: <&>\n"
                 "{\n    \"apiVersion\": \"v1\",\n    \"kind\": \"Pod\",\n    \"metadata\": {\n"
                 "        \"labels\": {\n            \"a\": \"1\",\n            \"b\": \"2\"\n"
                 "        },\n        \"name\": \"p\"\n    },\n    \"spec\": {\n"
                 "        \"x\": \"\\u003c\\u0026\\u003e\"\n    }\n}\n"
                 "pod/p\npod/p\n"
                 "N     L              X\np     map[a:1 b:2]   <none>\n"
                 "List p p");
    assert_string_equal(err,
                        "error: unable to match a printer suitable for the output format \"foo\", "
                        "allowed formats are: go-template,go-template-file,json,jsonpath,"
                        "jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml\n"
                        "error: error parsing jsonpath {.a, unclosed action\n");
    free(out);
    free(err);
    free(c);
    sk_val_free(pod);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_fields_and_wildcards),
            cmocka_unit_test(test_slices_unions_recursive),
            cmocka_unit_test(test_filters_and_range),
            cmocka_unit_test(test_parse_errors),
            cmocka_unit_test(test_relaxed_and_sprint),
            cmocka_unit_test(test_tab_writer),
            cmocka_unit_test(test_ages),
            cmocka_unit_test(test_printers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
