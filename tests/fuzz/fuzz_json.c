/* Fuzz target for the JSON reader and writer: whatever parses must write
 * out (compact and pretty) as JSON that parses back to an equal tree; it
 * must also survive the YAML writer and msgpack unchanged. The reader that
 * allows repeated keys is held to the strict one. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "val.h"
#include "yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void mismatch(const char *what, const char *text)
{
    fprintf(stderr, "fuzz_json: %s\n--- text ---\n%s\n", what, text);
    abort();
}

/* The reader that lets keys repeat agrees with the strict one: the same
 * tree when there is no repeat, repeats named exactly when the strict one
 * refused them, and a tree that itself has none. */
static void check_dups(const uint8_t *data, size_t size, const struct sk_val *strict,
                       const struct sk_error *serr)
{
    struct sk_json_dups d;
    struct sk_val *v = NULL;
    struct sk_error *err = NULL;
    sk_err rc = sk_json_parse_dups((const char *)data, size, &v, &d, &err);
    if (d.n > SK_JSON_MAX_DUPS) abort();
    if (strict) {
        if (rc || d.n || !sk_val_equal(strict, v)) abort();
    } else if (!rc) {
        if (!d.n || !strstr(serr->msg, "duplicate object key")) abort();
        char *text = sk_json_dump(v, SK_JSON_COMPACT, NULL);
        struct sk_val *back = NULL;
        if (sk_json_parse(text, strlen(text), &back, NULL)) mismatch("repeats survived", text);
        sk_val_free(back);
        free(text);
    } else if (d.n || !err || strncmp(err->msg, "line ", 5)) {
        abort();
    }
    sk_error_free(err);
    sk_json_dups_free(&d);
    sk_val_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sk_val *v = NULL;
    struct sk_error *err = NULL;
    if (sk_json_parse((const char *)data, size, &v, &err)) {
        if (!err || strncmp(err->msg, "line ", 5)) abort(); /* every error has a position */
        check_dups(data, size, NULL, err);
        sk_error_free(err);
        return 0;
    }
    check_dups(data, size, v, NULL);
    for (int flags = SK_JSON_COMPACT; flags <= SK_JSON_PRETTY; flags++) {
        size_t len;
        char *text = sk_json_dump(v, flags, &len);
        struct sk_val *back = NULL;
        if (sk_json_parse(text, len, &back, NULL)) mismatch("written JSON does not parse", text);
        if (!sk_val_equal(v, back)) mismatch("round trip changed the tree", text);
        char *again = sk_json_dump(back, flags, NULL);
        if (strcmp(text, again)) mismatch("writer is not stable", text);
        free(again);
        sk_val_free(back);
        free(text);
    }

    size_t len;
    char *y = sk_yaml_dump(v, &len);
    struct sk_val *back = NULL;
    if (sk_yaml_parse_one(y, len, "out.yaml", &back, NULL)) mismatch("YAML does not parse", y);
    if (!sk_val_equal(v, back)) mismatch("YAML round trip changed the tree", y);
    sk_val_free(back);
    free(y);

    struct sk_buf mp = {0};
    sk_val_to_msgpack(v, &mp);
    if (sk_val_from_msgpack(mp.p, mp.len, &back, NULL) || !sk_val_equal(v, back))
        mismatch("msgpack round trip", "");
    sk_val_free(back);
    sk_buf_free(&mp);
    sk_val_free(v);
    return 0;
}
