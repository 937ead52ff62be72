/* libFuzzer target for core/selector.c: label and field selector strings
 * and LabelSelector objects (when the input is JSON). Parsing must never
 * crash, and a printed selector must parse back to the same printed form. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "mem.h"
#include "selector.h"
#include "val.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void nop_cause(void *ctx, const char *field, const char *reason, const char *message)
{
    (void)ctx;
    if (!field || !reason || !message) abort();
}

static void check_label_roundtrip(const struct sk_labelsel *sel, bool exact)
{
    char *s1 = sk_labelsel_string(sel);
    struct sk_labelsel *again = NULL;
    struct sk_error *e = NULL;
    if (sk_labelsel_parse(s1, &again, &e) != SK_OK) abort();
    char *s2 = sk_labelsel_string(again);
    /* Strings print values sorted and deduplicated; objects keep duplicates. */
    if (exact && strcmp(s1, s2) != 0) abort();
    char *s3 = sk_labelsel_string(again);
    if (strcmp(s2, s3) != 0) abort();
    free(s1);
    free(s2);
    free(s3);
    sk_labelsel_free(again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sk_val *labels, *pod;
    if (!labels) {
        const char *l =
                "{\"app\":\"web\",\"tier\":\"db\",\"x\":\"2\",\"in\":\"\",\"a.b/c\":\"-1\"}";
        const char *p = "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\","
                        "\"namespace\":\"ns\",\"labels\":{\"app\":\"web\"}},\"spec\":{\"nodeName\":"
                        "\"n1\",\"hostNetwork\":true},\"status\":{\"phase\":\"Running\"}}";
        if (sk_json_parse(l, strlen(l), &labels, NULL) || sk_json_parse(p, strlen(p), &pod, NULL))
            abort();
    }
    const char *in = (const char *)data;

    /* label selector, bytes as given (NUL included) */
    struct sk_labelsel *sel = NULL;
    struct sk_error *err = NULL;
    if (sk_labelsel_parsen(in, size, &sel, &err) == SK_OK) {
        if (err) abort();
        check_label_roundtrip(sel, true);
        sk_labelsel_matches(sel, labels);
        sk_labelsel_exact(sel, "app");
        sk_labelsel_free(sel);
    } else if (!err || sel) {
        abort();
    }
    sk_error_free(err);

    /* field selector, as the NUL-terminated text an HTTP query gives */
    char *s = sk_xstrndup(in, size);
    struct sk_fieldsel *fs = NULL;
    err = NULL;
    if (sk_fieldsel_parse(s, &fs, &err) == SK_OK) {
        char *p1 = sk_fieldsel_string(fs);
        struct sk_fieldsel *again = NULL;
        if (sk_fieldsel_parse(p1, &again, NULL) != SK_OK) abort();
        char *p2 = sk_fieldsel_string(again);
        if (strcmp(p1, p2) != 0) abort();
        if (again->n != fs->n) abort();
        sk_fieldsel_matches(fs, pod);
        sk_fieldsel_exact(fs, "spec.nodeName");
        if (sk_fieldsel_convert(again, "", "Pod", NULL) == SK_OK) sk_fieldsel_matches(again, pod);
        free(p1);
        free(p2);
        sk_fieldsel_free(again);
        sk_fieldsel_free(fs);
    } else if (!err || fs) {
        abort();
    }
    sk_error_free(err);
    free(s);

    /* LabelSelector objects */
    struct sk_val *v = NULL;
    if (sk_json_parse(in, size, &v, NULL) == SK_OK) {
        sk_labelsel_validate(v, "spec.selector", nop_cause, NULL);
        sk_labels_validate(v, "metadata.labels", nop_cause, NULL);
        if (sk_labelsel_from_val(v, &sel, NULL) == SK_OK) {
            check_label_roundtrip(sel, false);
            sk_labelsel_matches(sel, labels);
            sk_labelsel_free(sel);
        }
        sel = sk_labelsel_from_set(v);
        sk_labelsel_matches(sel, labels);
        sk_labelsel_free(sel);
        char tmp[32];
        sk_fieldsel_value(v, "status.podIP", tmp);
        sk_fieldsel_value(v, "source", tmp);
        sk_val_free(v);
    }
    return 0;
}
