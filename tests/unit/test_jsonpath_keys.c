/* Tests for core/jsonpath.c's bracket keys as client-go reads them: a
 * quoted key is parsed as the fields ".KEY", so a dot separates names
 * unless escaped; checked against kubectl 1.32. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "jsonpath.h"
#include "val.h"

static const char *OBJ = "{\"kind\":\"Deployment\",\"metadata\":{\"name\":\"d\",\"labels\":{"
                         "\"app.kubernetes.io/name\":\"web\",\"app\":\"d\"}},\"spec\":{"
                         "\"replicas\":3,\"selector\":{\"matchLabels\":{\"app\":\"d\"}},"
                         "\"strategy\":{}},\"data\":{\"a\":\"b\",\"x.y\":\"aGVsbG8=\"}}";

static const char *eval(const char *tmpl)
{
    static char *last;
    free(last);
    struct sk_val *root = NULL;
    if (sk_json_parse(OBJ, strlen(OBJ), &root, NULL)) fail_msg("bad JSON");
    struct sk_jsonpath *jp = NULL;
    struct sk_error *e = NULL;
    struct sk_buf b = {0};
    if (sk_jsonpath_parse(tmpl, &jp, &e) || sk_jsonpath_exec(jp, root, true, &b, &e)) {
        sk_buf_free(&b);
        sk_buf_puts(&b, "ERROR ");
        sk_buf_puts(&b, sk_error_msg(e, SK_EINVAL));
        sk_error_free(e);
    }
    sk_buf_putc(&b, 0);
    last = sk_buf_take(&b, NULL);
    sk_jsonpath_free(jp);
    sk_val_free(root);
    return last;
}

static void test_quoted_keys(void **state)
{
    (void)state;
    assert_string_equal(eval("{.metadata.labels['app\\.kubernetes\\.io/name']}"), "web");
    assert_string_equal(eval("{.metadata.labels.app\\.kubernetes\\.io/name}"), "web");
    assert_string_equal(eval("{.data['x\\.y']}"), "aGVsbG8=");
    /* an unescaped dot separates fields, as in kubectl */
    assert_string_equal(eval("{.data['x.y']}"), "");
    assert_string_equal(eval("{['spec.replicas']}"), "3");
    assert_string_equal(eval("{.spec['selector.matchLabels'].app}"), "d");
    assert_string_equal(eval("{.spec['selector\\.matchLabels']}"), "");
    assert_string_equal(eval("{.spec['replicas','strategy']}"), "3 {}");
    assert_string_equal(eval("{.data['a','x.y']}"), "b");
    assert_string_equal(eval("{['kind']}"), "Deployment");
    assert_string_equal(eval("{.spec['a b']}"), "ERROR unrecognized identifier b");
    assert_string_equal(eval("{.spec[\"replicas\"]}"), "ERROR invalid array index \"replicas\"");
}

static void test_ranges_filters_recursive(void **state)
{
    (void)state;
    /* range over a map is one pass over the map itself, as in kubectl */
    assert_string_equal(eval("{range .metadata.labels}{@};{end}"),
                        "{\"app\":\"d\",\"app.kubernetes.io/name\":\"web\"};");
    assert_string_equal(eval("{range .spec.selector.matchLabels.*}[{@}]{end}"), "[d]");
    assert_string_equal(eval("{..app}"), "d d");
    assert_string_equal(eval("{.spec..app}"), "d");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_quoted_keys),
            cmocka_unit_test(test_ranges_filters_recursive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
