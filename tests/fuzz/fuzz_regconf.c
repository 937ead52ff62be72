/* Fuzz target for registry settings (plugins/images/regconf.c), outside
 * input from a registries.yaml, a skiff.yaml or the images plugin's
 * option tree: no crash or leak on any input, every refusal says why, and
 * accepted settings give a sane endpoint plan and rewrites for a few
 * repositories. The first byte picks the form: even = YAML text, odd =
 * the msgpack of the option tree (strings, which would name a file, are
 * skipped). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "val.h"

#include "../../plugins/images/regconf.h"
#include "../../plugins/images/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct img_regconf *c)
{
    static const char *const domains[] = {"docker.io", "127.0.0.1:5000", "quay.io", "*", ""};
    static const char *const repos[] = {"library/busybox", "a", "a/b/c", ""};
    for (size_t d = 0; d < sizeof(domains) / sizeof(domains[0]); d++)
        for (size_t r = 0; r < sizeof(repos) / sizeof(repos[0]); r++) {
            struct sk_val *plan = img_pull_plan(c, domains[d], repos[r]);
            size_t n = sk_arr_len(plan);
            if (!n) abort(); /* the registry itself is always tried */
            for (size_t i = 0; i < n; i++) {
                const struct sk_val *e = sk_arr_get(plan, i);
                const char *url = sk_val_str_at(e, "url", NULL);
                if (!url || !sk_val_str_at(e, "repo", NULL) || !strstr(url, "://")) abort();
            }
            sk_val_free(plan);
            free(img_regconf_rewrite(c, domains[d], repos[r]));
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 8192) return 0;
    struct img_regconf *c = NULL;
    struct sk_error *err = NULL;
    sk_err rc;
    if (data[0] % 2 == 0) {
        rc = img_regconf_parse((const char *)data + 1, size - 1, "fuzz.yaml", &c, &err);
    } else {
        struct sk_val *v = NULL;
        if (sk_val_from_msgpack(data + 1, size - 1, &v, NULL) || sk_val_cstr(v)) {
            sk_val_free(v);
            return 0;
        }
        sk_val_free(v);
        rc = img_regconf_from_option(data + 1, size - 1, "fuzz.yaml: line 1, column 1", &c, &err);
    }
    if (rc) {
        if (c || !err || !err->msg[0]) abort();
        sk_error_free(err);
        return 0;
    }
    if (!c || err) abort();
    check(c);
    img_regconf_free(c);
    return 0;
}
