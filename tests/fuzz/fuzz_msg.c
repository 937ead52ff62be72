/* libFuzzer target for the bus envelope decoder: any bytes must decode or
 * fail cleanly, and whatever decodes must encode back to an envelope that
 * decodes to the same fields. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what)
{
    if (ok) return;
    fprintf(stderr, "fuzz_msg: %s\n", what);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the body check walks arbitrary msgpack, not only envelopes */
    sk_msg_check_body(data, size, NULL);

    struct sk_msg m;
    struct sk_error *err = NULL;
    sk_err rc = sk_msg_decode(&m, data, size, &err);
    check(rc == SK_OK ? err == NULL : err != NULL && err->code == rc, "error and result disagree");
    sk_error_free(err);
    /* without an error object the verdict is the same */
    struct sk_msg m2;
    check(sk_msg_decode(&m2, data, size, NULL) == rc, "verdict depends on err");
    if (rc) return 0;

    check(m.id > 0, "id 0 accepted");
    check(sk_msg_name_ok(m.from) && sk_msg_name_ok(m.to), "bad name accepted");
    check(m.body >= data && m.body + m.body_len <= data + size, "body outside the input");
    check(sk_msg_check_body(m.body, m.body_len, NULL) == SK_OK, "body fails the body check");

    struct skiff_msg v;
    sk_msg_view(&m, &v);
    size_t cap = sk_msg_encoded_len(&v), len = 0;
    check(cap <= m.body_len + SK_MSG_ENVELOPE_MAX, "envelope over its bound");
    uint8_t *buf = malloc(cap);
    check(buf != NULL, "out of memory");
    check(sk_msg_encode(&v, buf, cap, &len, NULL) == SK_OK && len == cap, "re-encode failed");
    struct sk_msg back;
    check(sk_msg_decode(&back, buf, len, NULL) == SK_OK, "re-encoded envelope rejected");
    check(back.type == m.type && back.version == m.version && back.id == m.id && back.re == m.re &&
                  !strcmp(back.from, m.from) && !strcmp(back.to, m.to) &&
                  back.body_len == m.body_len && !memcmp(back.body, m.body, m.body_len),
          "round trip changed the message");
    free(buf);
    return 0;
}
