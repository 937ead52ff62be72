/* Fuzz target for the protobuf body decoder: any input either fails with
 * a message or gives a map that starts with apiVersion and kind and
 * writes out as JSON that parses back to the same tree. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "proto.h"
#include "schema.h"
#include "val.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the last byte picks the kind of the path, for envelopes without one */
    size_t nkinds = 0;
    while (sk_kinds[nkinds])
        nkinds++;
    const struct sk_kind *expected = size ? sk_kinds[data[size - 1] % (nkinds + 1)] : NULL;
    struct sk_val *v = NULL;
    struct sk_error *err = NULL;
    sk_err rc = sk_proto_decode(data, size, expected, &v, &err);
    if (rc) {
        if (v || !err || !err->msg[0]) abort();
        sk_error_free(err);
        return 0;
    }
    if (!v || v->type != SK_V_MAP || v->u.m.n < 2 || strcmp(v->u.m.kv[0].key, "apiVersion") ||
        strcmp(v->u.m.kv[1].key, "kind"))
        abort();
    size_t len;
    char *text = sk_json_dump(v, SK_JSON_COMPACT, &len);
    struct sk_val *back = NULL;
    if (sk_json_parse(text, len, &back, NULL)) {
        fprintf(stderr, "fuzz_proto: output does not parse\n%s\n", text);
        abort();
    }
    sk_val_free(back);
    free(text);
    sk_val_free(v);
    return 0;
}
