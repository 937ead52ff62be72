/* Fuzz the FieldsV1 parser and the field-set algebra: the input is JSON.
 * As FieldsV1 it must parse or fail cleanly; what parses must come back
 * unchanged through writing and parsing again, and union, intersection
 * and difference with itself must behave as sets do. As an apply
 * configuration (and as an updated object) for a Pod it goes through the
 * apply merge, pruning, conflicts and the managedFields bookkeeping.
 * Nothing may crash, leak or hang. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "managed.h"
#include "schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char pod[] =
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"labels\":{\"a\":"
        "\"1\"},\"finalizers\":[\"x\"],\"managedFields\":[{\"manager\":\"m\",\"operation\":"
        "\"Update\",\"apiVersion\":\"v1\",\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:metadata\":"
        "{\"f:labels\":{\"f:a\":{}}},\"f:spec\":{\"f:containers\":{\"k:{\\\"name\\\":\\\"a\\\"}\":"
        "{\".\":{},\"f:image\":{}}}}}}]},\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"i\","
        "\"ports\":[{\"containerPort\":80}],\"env\":[{\"name\":\"E\",\"value\":\"1\"}]}]}}";

static void count(const char *path, void *arg)
{
    (void)path;
    (*(size_t *)arg)++;
}

static void check_set(const struct sk_fset *s)
{
    struct sk_val *v = sk_fset_to_val(s);
    struct sk_fset *again = NULL;
    if (sk_fset_from_val(v, &again, NULL) != SK_OK) abort();
    if (!sk_fset_equal(s, again)) abort();
    struct sk_fset *x = sk_fset_dup(s);
    sk_fset_union(x, s);
    if (!sk_fset_equal(x, s)) abort();
    sk_fset_intersect(x, s);
    if (!sk_fset_equal(x, s)) abort();
    sk_fset_difference(x, s);
    if (!sk_fset_empty(x)) abort();
    size_t n = 0;
    sk_fset_paths(s, count, &n);
    sk_fset_free(x);
    sk_fset_free(again);
    sk_val_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024) return 0;
    struct sk_fset *s = NULL;
    struct sk_error *e = NULL;
    if (sk_fset_from_json((const char *)data, size, &s, &e) == SK_OK)
        check_set(s);
    else
        sk_error_free(e);
    sk_fset_free(s);

    struct sk_val *cfg = NULL;
    if (sk_json_parse((const char *)data, size, &cfg, NULL) || !sk_val_is(cfg, SK_V_MAP)) {
        sk_val_free(cfg);
        return 0;
    }
    struct sk_val *live = NULL;
    if (sk_json_parse(pod, strlen(pod), &live, NULL)) abort();
    struct sk_mschema sc = {sk_kind_by_api_version("v1", "Pod")};
    struct sk_mop op = {"fuzz", "v1", "", "2026-01-01T00:00:00Z"};
    for (int force = 0; force < 2; force++) {
        struct sk_val *out = NULL;
        struct sk_mconflicts mc = {0};
        e = NULL;
        sk_err rc = sk_managed_apply(&sc, live, cfg, &op, force, &out, &mc, &e);
        if (rc == SK_ECONFLICT) {
            if (force || !mc.n) abort();
            free(sk_mconflicts_message(&mc));
        } else if (rc == SK_OK) {
            /* what apply wrote must decode */
            struct sk_managed m = {0};
            if (sk_managed_decode(sk_val_at(out, "metadata", "managedFields", NULL), &m, NULL))
                abort();
            sk_managed_free(&m);
        }
        sk_mconflicts_free(&mc);
        sk_error_free(e);
        sk_val_free(out);
    }
    struct sk_val *upd = sk_val_dup(cfg);
    sk_managed_update(&sc, live, upd, &op);
    sk_val_free(upd);
    sk_val_free(cfg);
    sk_val_free(live);
    return 0;
}
