/* Tests for core/gotemplate.c and core/gotemplate_exec.c: kubectl's
 * -o go-template (Go text/template with kubectl's base64decode and
 * exists). Expected texts were checked against kubectl 1.32 printing the
 * same Deployment with `create deployment --dry-run=client -o go-template`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gotemplate.h"
#include "json.h"
#include "val.h"

static const char *DEPLOY =
        "{\"kind\":\"Deployment\",\"apiVersion\":\"apps/v1\",\"metadata\":{\"name\":\"d\","
        "\"creationTimestamp\":null,\"labels\":{\"app\":\"d\"}},\"spec\":{\"replicas\":3,"
        "\"selector\":{\"matchLabels\":{\"app\":\"d\"}},\"template\":{\"metadata\":{"
        "\"creationTimestamp\":null,\"labels\":{\"app\":\"d\"}},\"spec\":{\"containers\":[{"
        "\"name\":\"busybox\",\"image\":\"busybox\",\"resources\":{}}]}},\"strategy\":{}},"
        "\"status\":{}}";

static struct sk_val *J(const char *text)
{
    struct sk_val *v = NULL;
    struct sk_error *err = NULL;
    if (sk_json_parse(text, strlen(text), &v, &err) != SK_OK)
        fail_msg("bad test JSON: %s", sk_error_msg(err, SK_EINVAL));
    return v;
}

/* Run tmpl on DEPLOY: the output, or "ERROR <message>" (static). */
static const char *run(const char *tmpl, bool allow_missing)
{
    static char *last;
    free(last);
    last = NULL;
    struct sk_val *root = J(DEPLOY);
    struct sk_gotemplate *t = NULL;
    struct sk_error *e = NULL;
    struct sk_buf b = {0};
    if (sk_gotemplate_parse(tmpl, strlen(tmpl), &t, &e) ||
        sk_gotemplate_exec(t, root, allow_missing, &b, &e)) {
        sk_buf_free(&b);
        sk_buf_puts(&b, "ERROR ");
        sk_buf_puts(&b, sk_error_msg(e, SK_EINVAL));
        sk_error_free(e);
    }
    sk_buf_putc(&b, 0);
    last = sk_buf_take(&b, NULL);
    sk_gotemplate_free(t);
    sk_val_free(root);
    return last;
}

#define T(tmpl, want) assert_string_equal(run(tmpl, true), want)

static void test_fields_and_control(void **state)
{
    (void)state;
    T("{{.metadata.name}}", "d");
    T("{{range .spec.template.spec.containers}}{{.name}}={{.image}};{{end}}", "busybox=busybox;");
    T("{{if eq .kind \"X\"}}1{{else if eq .kind \"Deployment\"}}2{{else}}3{{end}}", "2");
    T("{{index .metadata.labels \"app\"}} {{len .spec.template.spec.containers}}", "d 1");
    T("{{printf \"%s\\n\" .metadata.name}}{{\"\\n\"}}", "d\n\n");
    T("{{.spec.replicas | printf \"%05d\"}} {{$x := .metadata.name}}{{$x}}", "00003 d");
    T("a  {{- .kind -}}  b", "aDeploymentb");
    T("a {{- /* comment */ -}}\n b", "ab");
    T("{{range $k, $v := .spec.selector.matchLabels}}{{$k}}:{{$v}}{{end}}"
      "{{range .nope}}x{{else}}empty{{end}}",
      "app:dempty");
    T("{{define \"x\"}}[{{.}}]{{end}}{{template \"x\" .metadata.name}}{{block \"y\" "
      "1}}b{{.}}{{end}}",
      "[d]b1");
    T("{{range .spec.template.spec.containers}}{{break}}{{end}}"
      "{{with .nope}}a{{else with .kind}}k={{.}}{{end}}",
      "k=Deployment");
    T("{{range $i, $c := .spec.template.spec.containers}}{{$i}}={{$c.name}}{{end}} "
      "{{range .spec.template.spec.containers}}{{$.kind}}{{end}}",
      "0=busybox Deployment");
    T("{{$x := \"a\"}}{{if true}}{{$x = \"b\"}}{{end}}{{$x}} "
      "{{$y := \"a\"}}{{if true}}{{$y := \"b\"}}{{end}}{{$y}}",
      "b a");
    T("{{(index .spec.template.spec.containers 0).name}}", "busybox");
}

static void test_values_and_functions(void **state)
{
    (void)state;
    T("{{eq .kind \"Deployment\"}} {{ne .kind \"x\"}} {{lt 1 2}} {{gt \"b\" \"a\"}} "
      "{{and 1 0 2}} {{or 0 \"\" \"x\"}} {{not .nope}}",
      "true true true true 0 x true");
    T("{{base64decode \"aGVsbG8=\"}}", "hello");
    /* missing keys and nulls print as Go's <no value> */
    T("{{.nope}} {{.nope.deeper}} {{.metadata.creationTimestamp}} {{printf \"%s %d\" .nope}}",
      "<no value> <no value> <no value> %!s(<nil>) %!d(MISSING)");
    T("{{.spec}}", "map[replicas:3 selector:map[matchLabels:map[app:d]] strategy:map[] "
                   "template:map[metadata:map[creationTimestamp:<nil> labels:map[app:d]] "
                   "spec:map[containers:[map[image:busybox name:busybox resources:map[]]]]]]");
    /* JSON integers are int64, constants int */
    T("{{printf \"%s\" .spec.replicas}} {{printf \"%d\" 1 2}} {{printf \"%T\" .spec.replicas}}",
      "%!s(int64=3) 1%!(EXTRA int=2) int64");
    T("{{printf \"%v %v %v\" 1e6 1.5 100000.0}} {{0.000001}} {{-0.5}}",
      "1e+06 1.5 100000 1e-06 -0.5");
    T("{{printf \"%08.3f|%+d|% d|%x|%X|%o|%b|%c|%U|%e\" 3.14159 5 5 -255 255 8 5 65 65 "
      "123456.789}}",
      "0003.142|+5| 5|-ff|FF|10|101|A|U+0041|1.234568e+05");
    /* a verb is a rune: one whose low byte is a letter is still unknown */
    T("{{printf \"%\xd9\xa7 %\xc5\xa4\" 1.5 2}}", "%!\xd9\xa7(float64=1.5) %!\xc5\xa4(int=2)");
    T("{{printf \"%-8s|%8s|%.2s|%q|%[1]s\" \"ab\" \"cd\" \"xyz\" \"a\\tb\"}}",
      "ab      |      cd|xy|\"a\\tb\"|ab");
    T("{{print 1 2 \"a\" \"b\" 3}} {{println \"x\" 1}}", "1 2ab3 x 1\n");
    T("{{html \"<a href='x'>&\\\"</a>\"}} {{js \"a'b\\\"<>=\"}} {{urlquery \"a b&c=d\"}}",
      "&lt;a href=&#39;x&#39;&gt;&amp;&#34;&lt;/a&gt; a\\'b\\\"\\u003C\\u003E\\u003D a+b%26c%3Dd");
    T("{{slice \"hello\" 1 3}} {{len (slice .spec.template.spec.containers 0 1)}}", "el 1");
    T("{{exists . \"spec\" \"replicas\"}} {{exists . \"spec\" \"nope\"}} "
      "{{exists . \"metadata\" \"creationTimestamp\"}}",
      "true false false");
    T("{{eq .metadata.creationTimestamp nil}} {{eq .missing \"a\"}} {{.kind | len}}",
      "true false 10");
}

static void test_exec_errors(void **state)
{
    (void)state;
    T("{{eq .spec.replicas 3}} {{eq .spec.replicas 3.0}}",
      "ERROR template: output:1:26: executing \"output\" at <eq .spec.replicas 3.0>: "
      "error calling eq: incompatible types for comparison");
    T("{{.metadata.name.foo}}", "ERROR template: output:1:11: executing \"output\" at "
                                "<.metadata.name.foo>: can't evaluate field foo in type "
                                "interface {}");
    T("{{.metadata.creationTimestamp.foo}}",
      "ERROR template: output:1:11: executing \"output\" at <.metadata.creationTimestamp.foo>: "
      "nil pointer evaluating interface {}.foo");
    T("{{index .spec.template.spec.containers 5}}",
      "ERROR template: output:1:2: executing \"output\" at <index .spec.template.spec.containers "
      "5>: error calling index: index out of range: 5");
    T("{{len .metadata.creationTimestamp}}",
      "ERROR template: output:1:2: executing \"output\" at <len .metadata.creationTimestamp>: "
      "error calling len: len of nil pointer");
    T("{{range .metadata.name}}x{{end}}",
      "ERROR template: output:1:17: executing \"output\" at <.metadata.name>: range can't "
      "iterate over d");
    T("{{template \"x\"}}", "ERROR template: output:1:11: executing \"output\" at "
                            "<{{template \"x\"}}>: template \"x\" not defined");
    T("{{base64decode \"aGVsbG8\"}}",
      "ERROR template: output:1:2: executing \"output\" at <base64decode \"aGVsbG8\">: error "
      "calling base64decode: base64 decode failed: illegal base64 data at input byte 4");
    T("{{ (.kind).x }}", "ERROR template: output:1:4: executing \"output\" at <.kind>: can't "
                         "evaluate field x in type string");
    T("{{ len 1 2 }}", "ERROR template: output:1:3: executing \"output\" at <len>: wrong number "
                       "of args for len: want 1 got 2");
    /* --allow-missing-template-keys=false */
    assert_string_equal(run("{{.nope}}", false),
                        "ERROR template: output:1:2: executing \"output\" at <.nope>: map has no "
                        "entry for key \"nope\"");
    assert_string_equal(run("{{.metadata.name}}", false), "d");
}

static void test_parse_errors(void **state)
{
    (void)state;
    T("{{.x", "ERROR template: output:1: unclosed action");
    T("{{foo}}", "ERROR template: output:1: function \"foo\" not defined");
    T("{{if}}x{{end}}", "ERROR template: output:1: missing value for if");
    T("{{end}}", "ERROR template: output:1: unexpected {{end}}");
    T("{{else}}", "ERROR template: output:1: unexpected {{else}}");
    T("{{range .items}}", "ERROR template: output:1: unexpected EOF");
    T("{{if .x}}{{else}}{{else}}{{end}}", "ERROR template: output:1: expected end; found {{else}}");
    T("{{\"unterminated}}", "ERROR template: output:1: unterminated quoted string");
    T("{{ .a | 3 }}", "ERROR template: output:1: non executable command in pipeline stage 2");
    T("{{$nope}}", "ERROR template: output:1: undefined variable \"$nope\"");
    T("{{ range $a, $b, $c := .x }}{{ end }}",
      "ERROR template: output:1: too many declarations in range");
    T("{{ define \"a\" }}A{{ end }}{{ define \"a\" }}B{{ end }}",
      "ERROR template: output:1: template: multiple definition of template \"a\"");
    T("{{ if 1 }}{{ define \"a\" }}A{{ end }}{{ end }}",
      "ERROR template: output:1: unexpected <define> in command");
    T("x\n{{/* open", "ERROR template: output:2: unclosed comment");
    T("{{break}}", "ERROR template: output:1: {{break}} outside {{range}}");
}

static void test_formats(void **state)
{
    (void)state;
    assert_true(sk_gotemplate_is_format("go-template={{.a}}"));
    assert_true(sk_gotemplate_is_format("go-template-file=/x"));
    assert_true(sk_gotemplate_is_format("template={{.a}}"));
    assert_true(sk_gotemplate_is_format("templatefile=/x"));
    assert_true(sk_gotemplate_is_format("go-template"));
    assert_false(sk_gotemplate_is_format("go-templatex"));
    assert_false(sk_gotemplate_is_format("jsonpath={.a}"));
    assert_false(sk_gotemplate_is_format(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_fields_and_control),
            cmocka_unit_test(test_values_and_functions),
            cmocka_unit_test(test_exec_errors),
            cmocka_unit_test(test_parse_errors),
            cmocka_unit_test(test_formats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
