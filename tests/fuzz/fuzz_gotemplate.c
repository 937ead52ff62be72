/* libFuzzer target for core/gotemplate.c and gotemplate_exec.c: kubectl's
 * Go templates. The input is a template, optionally followed by a NUL and
 * a JSON document to run it on (else a fixed Deployment). Parsing and
 * execution must never crash or leak, errors must carry a message, and
 * output must stay bounded by what the template and data can make. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gotemplate.h"
#include "json.h"
#include "val.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct sk_val *fixed;
    if (!fixed) {
        const char *d = "{\"kind\":\"Deployment\",\"metadata\":{\"name\":\"d\",\"labels\":{\"app\":"
                        "\"d\"},\"creationTimestamp\":null},\"spec\":{\"replicas\":3,\"ratio\":0.5,"
                        "\"ok\":true,\"containers\":[{\"name\":\"c\",\"image\":\"x\"},{\"name\":"
                        "\"e\"}]},\"data\":{\"k\":\"aGVsbG8=\"}}";
        if (sk_json_parse(d, strlen(d), &fixed, NULL)) abort();
    }
    const char *in = (const char *)data;
    const char *nul = memchr(in, 0, size);
    size_t tl = nul ? (size_t)(nul - in) : size;
    if (tl > 4096) return 0;
    struct sk_val *doc = NULL;
    if (nul && sk_json_parse(nul + 1, size - tl - 1, &doc, NULL) != SK_OK) doc = NULL;
    const struct sk_val *root = doc ? doc : fixed;

    struct sk_gotemplate *t = NULL;
    struct sk_error *err = NULL;
    if (sk_gotemplate_parse(in, tl, &t, &err) == SK_OK) {
        if (err || !t) abort();
        for (int allow = 0; allow < 2; allow++) {
            struct sk_buf b = {0};
            struct sk_error *e2 = NULL;
            sk_err rc = sk_gotemplate_exec(t, root, allow, &b, &e2);
            if (rc && (!e2 || !e2->msg[0])) abort();
            if (!rc && e2) abort();
            sk_error_free(e2);
            sk_buf_free(&b);
        }
        sk_gotemplate_free(t);
    } else if (t || !err || strncmp(err->msg, "template: output:", 17)) {
        abort();
    }
    sk_error_free(err);
    sk_val_free(doc);
    return 0;
}
