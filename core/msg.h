/* The bus envelope. Every bus message is one msgpack map:
 *   {"t": uint32, "v": uint32, "from": str, "to": str, "id": uint64,
 *    "re": uint64 (optional), "b": map}
 * The body "b" is carried as raw msgpack bytes and never decoded here, so a
 * message costs one bounds-checked walk over its bytes, not a tree build.
 * Pure functions: no allocation except the optional error, any thread. */
#ifndef SK_MSG_H
#define SK_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "skiff_plugin.h"

/* "from" and "to" on the wire: 1..63 bytes of [a-z0-9./-]. */
#define SK_MSG_NAME_MAX 63
/* Largest body the bus carries. Objects are far smaller; this bounds what
 * a remote peer can make us allocate. */
#define SK_MSG_BODY_MAX (16u * 1024 * 1024)
/* Upper bound of the envelope bytes around the body that sk_msg_encode
 * writes (map header, keys, numbers, names). */
#define SK_MSG_ENVELOPE_MAX 192
/* Largest message accepted from the network: a full body plus room for
 * envelope keys that a newer peer may add and this version skips. */
#define SK_MSG_WIRE_MAX (SK_MSG_BODY_MAX + 4096)

/* A decoded envelope. Names are copied (NUL-terminated); body points into
 * the buffer given to sk_msg_decode and lives as long as that buffer. */
struct sk_msg {
    uint32_t type;
    uint32_t version;
    uint64_t id; /* > 0 */
    uint64_t re; /* 0 when absent */
    char from[SK_MSG_NAME_MAX + 1];
    char to[SK_MSG_NAME_MAX + 1];
    const uint8_t *body; /* one msgpack map */
    size_t body_len;
};

/* True when s is a valid wire name (1..63 bytes of [a-z0-9./-]). */
bool sk_msg_name_ok(const char *s);

/* Bytes sk_msg_encode writes for m, when m is valid (names no longer than
 * SK_MSG_NAME_MAX; longer ones are counted as that long). */
size_t sk_msg_encoded_len(const struct skiff_msg *m);

/* Encode m into buf (cap bytes), setting *len to the bytes written. Checks
 * everything the decoder checks: names, id > 0, and that the body is
 * exactly one well-formed msgpack map of at most SK_MSG_BODY_MAX bytes.
 * Fails with SK_EINVAL on a bad field, SK_ETOOBIG when cap is short. */
sk_err sk_msg_encode(const struct skiff_msg *m, void *buf, size_t cap, size_t *len,
                     struct sk_error **err);

/* Decode exactly one envelope occupying all of buf[0..len). Rejects, with
 * SK_EPROTO: a top level that is not a map, a non-string key, a duplicate
 * or missing required key, a field of the wrong type or out of range
 * (t and v must fit 32 bits, id must be > 0, names as sk_msg_name_ok), a
 * body that is not one well-formed map, malformed msgpack anywhere, and
 * bytes after the map. Unknown keys are skipped (their values must still
 * be well-formed), so newer peers can add fields. Non-negative values in
 * msgpack's signed integer formats count as unsigned. On failure *out may
 * be partly filled (out->from is set if it was decoded: useful for logs).
 * Never reads outside buf. */
sk_err sk_msg_decode(struct sk_msg *out, const void *buf, size_t len, struct sk_error **err);

/* Check that body[0..len) is exactly one well-formed msgpack map of at most
 * SK_MSG_BODY_MAX bytes (what every sender must hand the bus). */
sk_err sk_msg_check_body(const void *body, size_t len, struct sk_error **err);

/* A handler's view of a decoded message; view points into m. */
void sk_msg_view(const struct sk_msg *m, struct skiff_msg *view);

#endif
