/* libFuzzer target for the node HTTP body decoder (node_http.h): the first
 * byte picks the message type (NODE_HTTP_REQ + byte % 7, or NODE_HTTP_INPUT
 * for bytes 0xf8 and up), the rest is the
 * body. Any bytes must decode or fail cleanly, and whatever decodes must
 * hold what the decoder promises: a sid, fields inside the input, values in
 * range. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what)
{
    if (ok) return;
    fprintf(stderr, "fuzz_node_http: %s\n", what);
    abort();
}

static bool inside(const void *p, size_t n, const uint8_t *buf, size_t len)
{
    const uint8_t *q = p;
    return n == 0 || (q >= buf && q + n <= buf + len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    uint32_t type =
            data[0] >= 0xf8 ? SKIFF_MSG_NODE_HTTP_INPUT : SKIFF_MSG_NODE_HTTP_REQ + data[0] % 7;
    const uint8_t *body = data + 1;
    size_t len = size - 1;
    struct sk_nh_body b;
    struct sk_error *err = NULL;
    sk_err rc = sk_nh_decode(type, body, len, &b, &err);
    check(rc == SK_OK ? err == NULL : err != NULL && err->code == rc, "error and result disagree");
    sk_error_free(err);
    check(sk_nh_decode(type, body, len, &b, NULL) == rc, "verdict depends on err");
    if (rc) return 0;
    check(b.sid > 0, "sid 0 accepted");
    check(inside(b.data, b.data_len, body, len), "data outside the input");
    const struct sk_nh_str *strs[] = {&b.method, &b.path, &b.query, &b.ctype, &b.message};
    for (size_t i = 0; i < 5; i++) {
        check(strs[i]->n <= SK_NH_STR_MAX, "string over the limit");
        check(inside(strs[i]->p, strs[i]->n, body, len), "string outside the input");
        check(!memchr(strs[i]->p, 0, strs[i]->n), "NUL inside a string");
    }
    switch (type) {
    case SKIFF_MSG_NODE_HTTP_REQ:
        check(b.path.n > 0 && b.path.p[0] == '/', "path without '/'");
        check(b.window >= SK_NH_WINDOW_MIN && b.window <= SK_NH_WINDOW_MAX, "window range");
        check(b.data_len <= b.blen && b.data_len <= SK_NH_BODY_CHUNK, "body chunk size");
        check(b.upgrade <= 1, "upgrade flag");
        break;
    case SKIFF_MSG_NODE_HTTP_INPUT:
        check(b.data_len >= 1 && b.data_len <= SK_NH_BODY_CHUNK, "input frame size");
        break;
    case SKIFF_MSG_NODE_HTTP_BODY: check(b.data_len <= SK_NH_BODY_CHUNK, "body chunk size"); break;
    case SKIFF_MSG_NODE_HTTP_DATA: check(b.data_len <= SK_NH_DATA_CHUNK, "data size"); break;
    case SKIFF_MSG_NODE_HTTP_HEAD:
        check(b.status >= 100 && b.status <= 599, "status");
        check(!b.has_data || b.length == (int64_t)b.data_len, "whole body without its length");
        break;
    case SKIFF_MSG_NODE_HTTP_END:
        check(b.code == 0 || (b.code >= 400 && b.code <= 599), "code");
        break;
    default: break;
    }
    return 0;
}
