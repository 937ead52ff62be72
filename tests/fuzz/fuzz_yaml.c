/* Fuzz target for the YAML reader and writer: whatever parses must write
 * out as YAML that parses back to an equal tree, and writing that again
 * must give the same text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "val.h"
#include "yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void mismatch(const char *what, const char *text, const struct sk_val *a,
                     const struct sk_val *b)
{
    char *ja = sk_json_dump(a, SK_JSON_COMPACT, NULL);
    char *jb = b ? sk_json_dump(b, SK_JSON_COMPACT, NULL) : NULL;
    fprintf(stderr, "fuzz_yaml: %s\n--- text ---\n%s\n--- before ---\n%s\n--- after ---\n%s\n",
            what, text, ja, jb ? jb : "(none)");
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sk_val *docs = NULL;
    struct sk_error *err = NULL;
    if (sk_yaml_parse_all((const char *)data, size, "fuzz.yaml", &docs, &err)) {
        if (!err || !strstr(err->msg, "fuzz.yaml: ")) abort(); /* every error names the file */
        sk_error_free(err);
        return 0;
    }
    for (size_t i = 0; i < sk_arr_len(docs); i++) {
        const struct sk_val *doc = sk_arr_get(docs, i);
        size_t len;
        char *text = sk_yaml_dump(doc, &len);
        struct sk_val *back = NULL;
        if (sk_yaml_parse_one(text, len, "out.yaml", &back, &err)) {
            fprintf(stderr, "error: %s\n", err ? err->msg : "?");
            mismatch("written YAML does not parse", text, doc, NULL);
        }
        if (!sk_val_equal(doc, back)) mismatch("round trip changed the tree", text, doc, back);
        char *again = sk_yaml_dump(back, NULL);
        if (strcmp(text, again)) mismatch("writer is not stable", again, doc, back);
        free(again);
        sk_val_free(back);
        free(text);
    }
    size_t len;
    char *all = sk_yaml_dump_all(docs, &len);
    struct sk_val *back = NULL;
    if (sk_yaml_parse_all(all, len, "all.yaml", &back, NULL) || !sk_val_equal(docs, back))
        mismatch("stream round trip", all, docs, back);
    sk_val_free(back);
    free(all);

    /* Whatever YAML accepts, the store's format carries unchanged. */
    struct sk_buf mp = {0};
    sk_val_to_msgpack(docs, &mp);
    if (sk_val_from_msgpack(mp.p, mp.len, &back, NULL) || !sk_val_equal(docs, back))
        mismatch("msgpack round trip", "", docs, back);
    sk_val_free(back);
    sk_buf_free(&mp);
    sk_val_free(docs);
    return 0;
}
