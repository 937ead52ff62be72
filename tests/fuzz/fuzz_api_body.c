/* libFuzzer over the API's body path: JSON decoding, then for the kind the
 * first byte picks, the decoder's type check, unknown-field detection,
 * apiVersion/kind normalisation, defaulting, preparation and validation,
 * as a create request runs them; and, as a differential check, the
 * streaming msgpack-to-JSON writer the API answers GET, LIST and watch
 * with against the tree writer. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_int.h"
#include "json.h"
#include "schema.h"

static const char *const kinds[][3] = {
        {"", "v1", "pods"},       {"apps", "v1", "deployments"}, {"", "v1", "services"},
        {"", "v1", "configmaps"}, {"batch", "v1", "jobs"},       {"apps", "v1", "statefulsets"},
        {"", "v1", "namespaces"}, {"", "v1", "events"},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    size_t nk = sizeof(kinds) / sizeof(kinds[0]);
    const struct sk_kind *k = sk_kind_by_resource(kinds[data[0] % nk][0], kinds[data[0] % nk][1],
                                                  kinds[data[0] % nk][2]);
    if (!k) abort();
    struct sk_val *v = NULL;
    if (sk_json_parse((const char *)data + 1, size - 1, &v, NULL) != SK_OK) return 0;

    /* differential: msgpack -> JSON straight equals tree -> JSON */
    struct sk_buf mp = {0}, a = {0}, b = {0};
    sk_val_to_msgpack(v, &mp);
    sk_json_write(v, SK_JSON_COMPACT, &a);
    if (!sk_api_msgpack_to_json(mp.p, mp.len, NULL, NULL, &b)) abort();
    if (a.len != b.len || memcmp(a.p, b.p, a.len) != 0) abort();
    sk_buf_free(&a);
    sk_buf_free(&b);

    if (v->type == SK_V_MAP) {
        /* with apiVersion and kind forced to the front, both agree too */
        struct sk_buf c = {0}, d = {0};
        if (!sk_api_msgpack_to_json(mp.p, mp.len, sk_kind_api_version(k), k->kind, &c)) abort();
        struct sk_val *t = sk_val_dup(v);
        sk_api_set_type(k, t);
        sk_json_write(t, SK_JSON_COMPACT, &d);
        if (c.len != d.len || memcmp(c.p, d.p, c.len) != 0) abort();
        sk_val_free(t);
        sk_buf_free(&c);
        sk_buf_free(&d);

        /* the admission pipeline of a create */
        struct sk_causes causes = {0};
        sk_api_set_type(k, v);
        if (sk_schema_check_types(k, v, &causes)) {
            char *unk[16];
            size_t n = sk_schema_unknown_fields(k, v, unk, 16);
            for (size_t i = 0; i < n && i < 16; i++)
                free(unk[i]);
            sk_map_del(v, "status");
            sk_kind_default(k, v);
            sk_kind_prepare_create(k, v);
            sk_kind_validate(k, v, NULL, &causes);
            char *s = sk_causes_string(&causes);
            free(s);
            /* and the Table a GET would print */
            struct sk_buf tb = {0};
            const struct sk_val *objs[1] = {v};
            sk_api_write_table(k, 1, objs, 1, 7, "tok", false, &tb);
            sk_buf_free(&tb);
        }
        sk_causes_free(&causes);
    }
    sk_buf_free(&mp);
    sk_val_free(v);
    return 0;
}
