/* Fuzz target for manifest, index and image config decoding
 * (plugins/images/manifest.c): no crash, no leak; whatever decodes has
 * valid digests and sizes, and an index always answers a platform query
 * with an entry or an error. The first byte picks the Content-Type the
 * registry claimed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/images/manifest.h"
#include "../../plugins/images/ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size) return 0;
    static const char *const ctypes[] = {NULL, IMG_MT_OCI_MANIFEST, IMG_MT_DOCKER_LIST,
                                         "application/json", "text/plain; charset=x"};
    const char *ct = ctypes[data[0] % 5];
    const char *p = (const char *)data + 1;
    size_t n = size - 1;
    struct img_manifest m;
    struct sk_error *err = NULL;
    if (img_manifest_parse(p, n, ct, &m, &err) == SK_OK) {
        if (m.kind == IMG_KIND_MANIFEST) {
            if (!img_digest_valid(m.config.digest) || m.config.size < 0) abort();
            for (size_t i = 0; i < m.n_layers; i++)
                if (!img_digest_valid(m.layers[i].digest) ||
                    img_layer_compression(m.layers[i].media_type) < 0)
                    abort();
        } else {
            struct sk_error *e2 = NULL;
            const struct img_desc *d = img_index_select(&m, "linux", "arm", "v7", &e2);
            if (!d && !e2) abort();
            if (d && !img_digest_valid(d->digest)) abort();
            sk_error_free(e2);
        }
        img_manifest_free(&m);
    } else {
        if (!err) abort();
        sk_error_free(err);
    }
    struct img_config c;
    err = NULL;
    if (img_config_parse(p, n, &c, &err) == SK_OK) {
        for (size_t i = 0; i < c.n_diff_ids; i++)
            if (!img_digest_valid(c.diff_ids[i])) abort();
        img_config_free(&c);
    } else {
        sk_error_free(err);
    }
    return 0;
}
