/* Fuzz the config loader: any bytes are parsed as skiff.yaml; when they
 * parse, every plugin section is run through an option table with every
 * option type, and short inputs also go to the duration, size and address
 * helpers. Nothing may crash, leak or hang. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fopts {
    char *s;
    int64_t i;
    bool b;
    double d;
    double dur;
    uint64_t sz;
    char *s2;
    struct skiff_opt_tree t;
};

static const struct skiff_option table[] = {
        {"s", SKIFF_OPT_STR, "x", offsetof(struct fopts, s), NULL},
        {"i", SKIFF_OPT_INT, "-1", offsetof(struct fopts, i), NULL},
        {"b", SKIFF_OPT_BOOL, "true", offsetof(struct fopts, b), NULL},
        {"d", SKIFF_OPT_DOUBLE, "1.5", offsetof(struct fopts, d), NULL},
        {"dur", SKIFF_OPT_DURATION, "1m", offsetof(struct fopts, dur), NULL},
        {"sz", SKIFF_OPT_SIZE, "1Mi", offsetof(struct fopts, sz), NULL},
        {"s2", SKIFF_OPT_STR, NULL, offsetof(struct fopts, s2), NULL},
        {"t", SKIFF_OPT_TREE, NULL, offsetof(struct fopts, t), NULL},
        {NULL, 0, NULL, 0, NULL},
};

static void helpers(const uint8_t *data, size_t size)
{
    char s[256];
    if (size >= sizeof(s)) return;
    memcpy(s, data, size);
    s[size] = 0;
    double d;
    uint64_t u;
    char host[64];
    int port;
    (void)sk_parse_duration(s, &d);
    (void)sk_parse_size(s, &u);
    (void)sk_parse_hostport(s, host, sizeof(host), &port);
    (void)sk_parse_hostport(s, host, 4, &port);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    helpers(data, size);

    struct sk_config *cfg = NULL;
    struct sk_error *err = NULL;
    if (sk_config_parse("fuzz.yaml", (const char *)data, size, &cfg, &err)) {
        /* a failure always explains itself */
        if (!err || !err->msg[0]) abort();
        sk_error_free(err);
        return 0;
    }
    const char *names[16];
    size_t n = sk_config_plugin_sections(cfg, names, 16);
    for (size_t i = 0; i < n; i++) {
        void *opts = NULL;
        struct sk_error *e = NULL;
        (void)sk_config_plugin_enabled(cfg, names[i]);
        if (sk_config_plugin_line(cfg, names[i]) < 1) abort();
        if (sk_config_plugin_options(cfg, names[i], table, sizeof(struct fopts), &opts, &e)) {
            if (opts || !e) abort();
            sk_error_free(e);
            continue;
        }
        struct fopts *o = opts;
        if (!o->s || !o->s2 || !o->t.msgpack || !o->t.len || !o->t.origin) abort();
        sk_config_options_free(table, opts);
    }
    sk_config_free(cfg);
    return 0;
}
