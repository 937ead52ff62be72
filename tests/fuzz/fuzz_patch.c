/* Fuzz the patch engines: the input is a target JSON document, a NUL
 * byte, and a patch document (without a NUL, the whole input is the patch
 * and a Pod is the target). Both go through merge patch, JSON patch and
 * strategic merge patch (with Pod-like merge keys), and the strategic
 * diff and three-way patch of the documents involved. Nothing may crash,
 * leak or hang, and a failed patch must leave its target untouched. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "patch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char pod[] =
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"labels\":{\"a\":"
        "\"1\"},"
        "\"finalizers\":[\"x\",\"y\"]},\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"i\","
        "\"env\":[{\"name\":\"E\",\"value\":\"1\"}],\"ports\":[{\"containerPort\":80}]},{\"name\":"
        "\"b\",\"args\":[\"1\",\"2\"]}],\"volumes\":[{\"name\":\"v\",\"emptyDir\":{}}]}}";

struct fake {
    const char *path;
    struct sk_field f;
};

static const struct fake fakes[] = {
        {"metadata.finalizers", {.type = SK_F_ARRAY, .patch_strategy = "merge"}},
        {"metadata.labels", {.type = SK_F_MAP}},
        {"spec.containers", {.type = SK_F_ARRAY, .merge_key = "name", .patch_strategy = "merge"}},
        {"spec.containers.env",
         {.type = SK_F_ARRAY, .merge_key = "name", .patch_strategy = "merge"}},
        {"spec.containers.ports",
         {.type = SK_F_ARRAY, .merge_key = "containerPort", .patch_strategy = "merge"}},
        {"spec.volumes",
         {.type = SK_F_ARRAY, .merge_key = "name", .patch_strategy = "merge,retainKeys"}},
        {"spec.strategy", {.type = SK_F_OBJECT, .patch_strategy = "retainKeys"}},
        {"spec.selector", {.type = SK_F_OBJECT, .patch_strategy = "replace"}},
        {"a", {.type = SK_F_ARRAY, .merge_key = "k", .patch_strategy = "merge"}},
        {"b", {.type = SK_F_ARRAY, .patch_strategy = "merge"}},
        {"m", {.type = SK_F_MAP}},
        {"m.a", {.type = SK_F_ARRAY, .merge_key = "k", .patch_strategy = "merge"}},
};

static const struct sk_field *lookup(void *ctx, const char *path)
{
    (void)ctx;
    for (size_t i = 0; i < sizeof(fakes) / sizeof(fakes[0]); i++)
        if (!strcmp(fakes[i].path, path)) return &fakes[i].f;
    return NULL;
}

static const struct sk_patch_schema schema = {lookup, NULL};

/* Documents the two-way diff must round-trip: no nulls, no "$" keys, and
 * merge lists whose elements share one type, with unique string or
 * integer merge keys (or unique string or integer primitives). */
static bool plain(const struct sk_val *v, char *path, size_t plen, bool in_map)
{
    if (v->type == SK_V_NULL || v->type == SK_V_FLOAT) return false;
    if (v->type == SK_V_MAP) {
        for (size_t i = 0; i < v->u.m.n; i++) {
            const struct sk_kv *kv = &v->u.m.kv[i];
            size_t n = plen;
            if (kv->key[0] == '$' || memchr(kv->key, 0, kv->klen) || plen + kv->klen + 2 > 512)
                return false;
            if (!in_map) {
                if (plen) path[n++] = '.';
                memcpy(path + n, kv->key, kv->klen + 1);
                n += kv->klen;
            }
            const struct sk_field *f = in_map ? NULL : lookup(NULL, path);
            bool ok = plain(kv->val, path, n, f && f->type == SK_F_MAP);
            path[plen] = 0;
            if (!ok) return false;
        }
        return true;
    }
    if (v->type != SK_V_ARR) return true;
    const struct sk_field *f = lookup(NULL, path);
    bool merge = f && f->patch_strategy && !strncmp(f->patch_strategy, "merge", 5);
    for (size_t i = 0; i < v->u.a.n; i++) {
        const struct sk_val *e = v->u.a.items[i];
        if (!plain(e, path, plen, false)) return false;
        if (!merge) continue;
        const struct sk_val *k = f->merge_key ? sk_map_get(e, f->merge_key) : e;
        const struct sk_val *k0 =
                f->merge_key ? sk_map_get(v->u.a.items[0], f->merge_key) : v->u.a.items[0];
        if (!k || (k->type != SK_V_STR && k->type != SK_V_INT) || k->type != k0->type ||
            e->type != v->u.a.items[0]->type)
            return false;
        for (size_t j = 0; j < i; j++)
            if (sk_val_equal(k, f->merge_key ? sk_map_get(v->u.a.items[j], f->merge_key)
                                             : v->u.a.items[j]))
                return false;
    }
    return true;
}

static void check_unchanged(sk_err rc, const struct sk_val *t, const struct sk_val *before)
{
    if (rc && !sk_val_equal(t, before)) {
        fprintf(stderr, "a failed patch changed its target\n");
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    const char *tp = nul ? (const char *)data : pod;
    size_t tn = nul ? (size_t)(nul - data) : sizeof(pod) - 1;
    const char *pp = nul ? (const char *)nul + 1 : (const char *)data;
    size_t pn = nul ? size - tn - 1 : size;
    struct sk_val *target = NULL, *patch = NULL, *t = NULL, *d = NULL, *x = NULL;
    if (sk_json_parse(tp, tn, &target, NULL) || sk_json_parse(pp, pn, &patch, NULL)) goto out;

    t = sk_val_dup(target);
    sk_merge_patch(&t, patch, NULL);
    sk_val_free(t);

    t = sk_val_dup(target);
    check_unchanged(sk_json_patch(&t, patch, NULL), t, target);
    sk_val_free(t);

    struct sk_error *e = NULL;
    t = sk_val_dup(target);
    sk_err rc = sk_strategic_merge(&t, patch, &schema, &e);
    sk_error_free(e);
    check_unchanged(rc, t, target);
    if (!rc) {
        /* the diff back to the result must reproduce it for plain documents;
         * then the patch itself is used as a modified configuration */
        char p1[512] = "", p2[512] = "";
        bool roundtrip = plain(target, p1, 0, false) && plain(t, p2, 0, false);
        if (!sk_strategic_diff(target, t, &schema, &d, NULL)) {
            x = sk_val_dup(target);
            sk_err rc2 = sk_strategic_merge(&x, d, &schema, NULL);
            if (roundtrip && (rc2 || !sk_val_equal(x, t))) {
                fprintf(stderr, "diff did not round-trip\n");
                abort();
            }
        } else if (roundtrip) {
            fprintf(stderr, "diff failed on plain documents\n");
            abort();
        }
        sk_val_free(d);
        d = NULL;
        if (!sk_strategic_three_way(target, patch, t, &schema, &d, NULL)) {
            sk_val_free(x);
            x = sk_val_dup(t);
            sk_strategic_merge(&x, d, &schema, NULL);
        }
    }
    sk_val_free(d);
    d = NULL;
    if (!sk_strategic_diff(patch, target, NULL, &d, NULL))
        sk_strategic_merge(&patch, d, NULL, NULL);
out:
    sk_val_free(target);
    sk_val_free(patch);
    sk_val_free(t);
    sk_val_free(d);
    sk_val_free(x);
    return 0;
}
