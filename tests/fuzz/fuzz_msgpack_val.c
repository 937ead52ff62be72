/* Fuzz target for the msgpack decoder that reads the store and the bus:
 * hostile bytes must be refused cleanly, and whatever decodes must encode
 * to bytes that decode to an equal tree and re-encode identically. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "val.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sk_val *v = NULL;
    struct sk_error *err = NULL;
    if (sk_val_from_msgpack(data, size, &v, &err)) {
        if (!err || strncmp(err->msg, "msgpack: ", 9)) abort();
        sk_error_free(err);
        return 0;
    }
    struct sk_buf a = {0}, b = {0};
    sk_val_to_msgpack(v, &a);
    struct sk_val *back = NULL;
    if (sk_val_from_msgpack(a.p, a.len, &back, NULL) || !sk_val_equal(v, back)) {
        fprintf(stderr, "fuzz_msgpack_val: round trip changed the tree\n");
        abort();
    }
    sk_val_to_msgpack(back, &b);
    if (a.len != b.len || memcmp(a.p, b.p, a.len)) {
        fprintf(stderr, "fuzz_msgpack_val: encoding is not stable\n");
        abort();
    }
    sk_buf_free(&a);
    sk_buf_free(&b);
    sk_val_free(back);
    sk_val_free(v);
    return 0;
}
