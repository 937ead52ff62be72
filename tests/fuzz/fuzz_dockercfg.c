/* Fuzz target for image pull secret decoding (plugins/images/creds.c):
 * docker config documents from Secrets are outside input. No crash or
 * leak on any input; a refusal always says why and leaves the list as it
 * was; accepted credentials have a normalised key that looks up and
 * survives the JSON hand-over to a pull child unchanged. The first byte
 * picks the form: bit 0 legacy .dockercfg, bit 1 the whole thing as a
 * base64 Secret object, bit 2 a base64 decode of the rest. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "val.h"

#include "../../plugins/images/creds.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct img_creds *c, size_t before)
{
    static const char *const repos[] = {"docker.io/library/busybox", "127.0.0.1:5000/a",
                                        "a.example.com/x/y", "[::1]:5000/b", "h/"};
    for (size_t i = before; i < c->n; i++) {
        const struct img_cred *x = &c->v[i];
        if (!x->key || !*x->key || !x->user || !x->pass || !x->source) abort();
        /* the host part of a key is never empty nor has spaces or controls */
        size_t hl = strcspn(x->key, "/");
        if (!hl) abort();
        for (size_t k = 0; k < hl; k++)
            if ((unsigned char)x->key[k] <= ' ') abort();
        for (size_t r = 0; r < sizeof(repos) / sizeof(repos[0]); r++)
            (void)img_creds_match(x->key, repos[r]);
    }
    for (size_t r = 0; r < sizeof(repos) / sizeof(repos[0]); r++) {
        size_t *idx = NULL;
        size_t n = img_creds_lookup(c, repos[r], &idx);
        for (size_t i = 0; i < n; i++)
            if (idx[i] >= c->n) abort();
        free(idx);
    }
    char *js = img_creds_to_json(c);
    struct img_creds d = {0};
    if (img_creds_from_json(&d, js, strlen(js), NULL) || d.n != c->n) abort();
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->v[i].key, d.v[i].key) || strcmp(c->v[i].user, d.v[i].user) ||
            strcmp(c->v[i].pass, d.v[i].pass))
            abort();
    img_creds_free(&d);
    free(js);
}

static void refused(struct sk_error *e, sk_err rc, const struct img_creds *c, size_t before)
{
    if (!rc) return;
    if (!e || !e->msg[0] || c->n != before) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size || size > 65536) return 0;
    uint8_t mode = data[0];
    const char *doc = (const char *)data + 1;
    size_t len = size - 1;
    struct img_creds c = {0};
    /* a credential already there must survive a refusal */
    static const char seed[] = "{\"auths\":{\"seed.io\":{\"auth\":\"dTpw\"}}}";
    if (img_creds_parse(&c, seed, strlen(seed), false, "s", NULL) || c.n != 1) abort();
    size_t before = c.n;
    struct sk_error *e = NULL;
    sk_err rc;
    if (mode & 4) {
        char *out = NULL;
        size_t ol = 0;
        rc = img_base64_decode(doc, len, &out, &ol, &e);
        if (!rc && (!out || out[ol] || ol > len)) abort();
        if (rc && (!e || out)) abort();
        free(out);
    } else if (mode & 2) {
        /* {"type": T, "metadata": {...}, "data": {".dockerconfigjson": <the rest>}} */
        struct sk_val *sec = sk_val_map();
        sk_map_set(sec, "type",
                   sk_val_str(mode & 1 ? "kubernetes.io/dockercfg"
                                       : "kubernetes.io/dockerconfigjson"));
        sk_val_set_at(sec, sk_val_str("fz"), "metadata", "name", NULL);
        sk_val_set_at(sec, sk_val_strn(doc, len), "data",
                      mode & 1 ? ".dockercfg" : ".dockerconfigjson", NULL);
        rc = img_creds_add_secret(&c, sec, &e);
        sk_val_free(sec);
        refused(e, rc, &c, before);
    } else {
        rc = img_creds_parse(&c, doc, len, mode & 1, "fz/doc", &e);
        refused(e, rc, &c, before);
    }
    sk_error_free(e);
    check(&c, before);
    img_creds_free(&c);
    return 0;
}
