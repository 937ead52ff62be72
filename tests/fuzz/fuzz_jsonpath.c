/* libFuzzer target for core/jsonpath.c: kubectl JSONPath templates. The
 * input is a template, optionally followed by a NUL and a JSON document to
 * evaluate it on (else a fixed Pod list). Parsing and evaluation must never
 * crash, and a template that parses must evaluate or fail cleanly with and
 * without missing keys allowed. Relaxed expressions must parse back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "jsonpath.h"
#include "mem.h"
#include "val.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sk_val *fixed;
    if (!fixed) {
        const char *d = "{\"kind\":\"List\",\"items\":[{\"metadata\":{\"name\":\"a\",\"labels\":"
                        "{\"app\":\"web\"}},\"spec\":{\"replicas\":3,\"containers\":[{\"name\":"
                        "\"c\",\"image\":\"x\",\"ports\":[{\"containerPort\":80}]}]},\"status\":"
                        "{\"ready\":true,\"ratio\":0.5,\"n\":null}},{\"metadata\":{\"name\":\"b\"},"
                        "\"spec\":{\"replicas\":1}}]}";
        if (sk_json_parse(d, strlen(d), &fixed, NULL)) abort();
    }
    const char *in = (const char *)data;
    const char *nul = memchr(in, 0, size);
    size_t tl = nul ? (size_t)(nul - in) : size;
    if (tl > 4096) return 0;
    char *tmpl = sk_xstrndup(in, tl);
    struct sk_val *doc = NULL;
    if (nul && sk_json_parse(nul + 1, size - tl - 1, &doc, NULL) != SK_OK) doc = NULL;
    const struct sk_val *root = doc ? doc : fixed;

    struct sk_jsonpath *jp = NULL;
    struct sk_error *err = NULL;
    if (sk_jsonpath_parse(tmpl, &jp, &err) == SK_OK) {
        if (err) abort();
        for (int allow = 0; allow < 2; allow++) {
            struct sk_buf b = {0};
            struct sk_error *e2 = NULL;
            sk_err rc = sk_jsonpath_exec(jp, root, allow, &b, &e2);
            if (rc && !e2) abort();
            if (!rc && e2) abort();
            sk_error_free(e2);
            sk_buf_free(&b);
        }
        sk_jsonpath_free(jp);
    } else if (!err || !err->msg[0]) {
        abort();
    }
    sk_error_free(err);

    char *rel = sk_jsonpath_relaxed(tmpl);
    if (rel) {
        /* a relaxed expression is itself a one-action template, or "" */
        if (*rel && (rel[0] != '{' || rel[strlen(rel) - 1] != '}')) abort();
        jp = NULL;
        err = NULL;
        if (sk_jsonpath_parse(rel, &jp, &err) == SK_OK) {
            struct sk_val *sets = NULL;
            if (sk_jsonpath_find(jp, root, true, &sets, NULL) == SK_OK) sk_val_free(sets);
            sk_jsonpath_free(jp);
        }
        sk_error_free(err);
        free(rel);
    }
    sk_val_free(doc);
    free(tmpl);
    return 0;
}
