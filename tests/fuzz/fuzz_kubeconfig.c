/* Fuzz the kubeconfig reader: any bytes are parsed as a kubeconfig, once
 * with its current-context and once with a fixed --context, and the
 * kubectl-like error line is built from them as an API answer. Nothing
 * may crash, leak or hang. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kclient.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const contexts[] = {NULL, "ctx"};
    for (int i = 0; i < 2; i++) {
        struct sk_kconn *c = NULL;
        struct sk_error *e = NULL;
        sk_err rc = sk_kubeconfig_parse((const char *)data, size, "fuzz.yaml", contexts[i], &c, &e);
        if (rc == SK_OK && (!c || !c->server || !c->source)) abort();
        if (rc != SK_OK && (c || !e)) abort();
        sk_kconn_free(c);
        sk_error_free(e);
    }
    char *body = malloc(size + 1);
    memcpy(body, data, size);
    body[size] = 0;
    struct sk_kresp r = {
            .status = size ? 400 + data[0] % 200 : 500, .body = body, .body_len = size};
    free(sk_kclient_error_line(&r));
    free(body);
    return 0;
}
