/* libFuzzer target for core/quantity.c: quantities, durations, RFC 3339
 * times and IntOrString percentages. Parsing must never crash; a canonical
 * quantity must read back to the same value and text; a formatted duration
 * or time must read back to the same instant. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "quantity.h"
#include "val.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_quantity(const char *in, size_t n)
{
    struct sk_quantity q, r;
    struct sk_error *err = NULL;
    if (sk_quantity_parsen(in, n, &q, &err) != SK_OK) {
        if (!err) abort();
        sk_error_free(err);
        return;
    }
    char c1[SK_QUANTITY_STRMAX], c2[SK_QUANTITY_STRMAX];
    size_t l1 = sk_quantity_format(&q, c1);
    if (l1 >= SK_QUANTITY_STRMAX || strlen(c1) != l1) abort();
    if (sk_quantity_parse(c1, &r, NULL) != SK_OK) abort();
    if (sk_quantity_cmp(&q, &r) != 0) abort();
    /* The text reaches a fixed point after one more round, not always at
     * once: a BinarySI value that is no multiple of 1024 prints as a plain
     * integer ("3372062.5Ki" -> "3452992000"), which reads back as DecimalSI
     * and then prints as "3452992k" -- apimachinery does exactly this. */
    char c3[SK_QUANTITY_STRMAX];
    struct sk_quantity r2;
    sk_quantity_format(&r, c2);
    if (sk_quantity_parse(c2, &r2, NULL) != SK_OK || sk_quantity_cmp(&q, &r2) != 0) abort();
    sk_quantity_format(&r2, c3);
    if (strcmp(c2, c3) != 0) abort();

    /* what the API server would store is stable and means the same */
    char *s = sk_xstrndup(in, n);
    char *n1 = sk_quantity_normalize(s, &r, NULL);
    if (memchr(in, 0, n)) {
        if (n1) free(n1);
    } else {
        if (!n1 || sk_quantity_cmp(&q, &r) != 0) abort();
        char *n2 = sk_quantity_normalize(n1, &r, NULL);
        if (!n2 || sk_quantity_cmp(&q, &r) != 0) abort();
        char *n3 = sk_quantity_normalize(n2, &r, NULL); /* fixed point, as above */
        if (!n3 || strcmp(n2, n3) != 0 || sk_quantity_cmp(&q, &r) != 0) abort();
        free(n1);
        free(n2);
        free(n3);
    }
    free(s);

    int64_t v;
    sk_quantity_value(&q);
    sk_quantity_milli_value(&q);
    sk_quantity_scaled_value(&q, 9, &v);
    sk_quantity_scaled_value(&q, -9, &v);
    struct sk_quantity sum = q;
    if (sk_quantity_add(&sum, &q, NULL) == SK_OK) {
        /* q + q - q == q */
        if (sk_quantity_sub(&sum, &q, NULL) != SK_OK || sk_quantity_cmp(&sum, &q) != 0) abort();
    }
    if (sk_quantity_sign(&q) != -sk_quantity_sign(&(struct sk_quantity){-q.m, q.e, q.fmt})) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    check_quantity(in, size);

    char *s = sk_xstrndup(in, size);
    int64_t ns, ns2;
    struct sk_error *err = NULL;
    if (sk_duration_parse(s, &ns, &err) == SK_OK) {
        char buf[SK_DURATION_STRMAX];
        sk_duration_format(ns, buf);
        if (sk_duration_parse(buf, &ns2, NULL) != SK_OK || ns != ns2) abort();
    } else if (!err) {
        abort();
    }
    sk_error_free(err);

    struct sk_time t, t2;
    err = NULL;
    for (int micro = 0; micro < 2; micro++) {
        sk_err rc = micro ? sk_microtime_parse(s, &t, &err) : sk_time_parse(s, &t, &err);
        if (rc == SK_OK) {
            char buf[SK_TIME_STRMAX];
            size_t n = sk_microtime_format(t, buf);
            if (n < SK_TIME_STRMAX && buf[0] != '-' && n == 27) {
                if (sk_microtime_parse(buf, &t2, NULL) != SK_OK) abort();
                if (t2.sec != t.sec || t2.nsec != t.nsec / 1000 * 1000) abort();
            }
            sk_time_format(t, buf);
        } else if (!err) {
            abort();
        }
        sk_error_free(err);
        err = NULL;
    }

    struct sk_val *v = sk_val_strn(in, size);
    int64_t out;
    sk_intstr_scaled(v, 10, true, &out, NULL);
    sk_intstr_scaled(v, INT64_MAX, false, &out, NULL);
    char *q = sk_go_quote(in, size);
    free(q);
    sk_val_free(v);
    free(s);
    return 0;
}
