/* Fuzz target for image reference parsing (plugins/images/ref.c): no
 * crash on any input, every error names the input, and normalisation is
 * idempotent: a normalised reference parses back to itself. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/images/ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 2048) return 0;
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = 0;
    struct img_ref r;
    struct sk_error *err = NULL;
    if (img_ref_parse(s, &r, &err)) {
        if (!err || strncmp(err->msg, "invalid reference", 17)) abort();
        sk_error_free(err);
        free(s);
        return 0;
    }
    char *n1 = img_ref_string(&r);
    char *repo = img_ref_repo(&r);
    if (strlen(repo) > 255 || (!r.tag && !r.digest)) abort();
    struct img_ref r2;
    if (img_ref_parse(n1, &r2, NULL)) {
        fprintf(stderr, "normalised \"%s\" does not parse\n", n1);
        abort();
    }
    char *n2 = img_ref_string(&r2);
    if (strcmp(n1, n2)) {
        fprintf(stderr, "not idempotent: \"%s\" -> \"%s\"\n", n1, n2);
        abort();
    }
    free(n1);
    free(n2);
    free(repo);
    img_ref_free(&r);
    img_ref_free(&r2);
    free(s);
    return 0;
}
