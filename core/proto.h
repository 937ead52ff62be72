/* Kubernetes protobuf request bodies (application/vnd.kubernetes.protobuf)
 * decoded into the same value trees the JSON codec makes. kubectl's typed
 * clients (create namespace, create deployment, ...) send nothing else, so
 * the API must read them; answers stay JSON. The field numbers live in
 * proto_tags.c, keyed by the schema's OpenAPI names. */
#ifndef SK_PROTO_H
#define SK_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "schema.h"
#include "val.h"

/* The media type, and the four bytes every body starts with. */
#define SK_PROTO_MEDIA_TYPE "application/vnd.kubernetes.protobuf"
#define SK_PROTO_MAGIC      "k8s\0"

/* Decode one body: the magic, the runtime.Unknown envelope, then its raw
 * bytes as the message of the kind the envelope names (or expected, when
 * the envelope names none; expected may be NULL). The result is a map with
 * apiVersion and kind first and then the kind's fields in the schema's
 * order, named and typed as in JSON; values Go would leave out of JSON
 * (zero values of non-pointer fields, unset times) are left out. Unknown
 * field numbers are skipped; wrong wire types, truncation, nesting beyond
 * SK_VAL_MAX_DEPTH and kinds skiff does not serve are SK_EINVAL (kinds:
 * SK_ENOENT) with a one-line message. On success *out is a new tree the
 * caller owns. Does not block; any thread. */
sk_err sk_proto_decode(const void *p, size_t n, const struct sk_kind *expected, struct sk_val **out,
                       struct sk_error **err);

/* ---- the field-number table (proto_tags.c) ---- */

enum {
    /* The Go field is a pointer: a zero value that was sent is a value
     * (replicas: 0), not an unset field. */
    SK_PROTO_PTR = 1 << 0,
    /* runtime.RawExtension {raw = 1}: JSON bytes (an SK_F_ANY field). */
    SK_PROTO_RAW = 1 << 1,
};

/* One field of a message, by its JSON name. Fields of an embedded Go
 * struct (`json:",inline"`, e.g. Probe's ProbeHandler, Volume's
 * VolumeSource, a key selector's LocalObjectReference) sit in a nested
 * message on the wire: `in` is that message's field number, `num` the
 * field's number inside it. */
struct sk_proto_tag {
    uint16_t in;  /* 0: directly in the message */
    uint16_t num; /* field number */
    uint8_t flags;
    const char *name;
};

struct sk_proto_msg {
    const char *ref; /* OpenAPI name, as sk_field.ref and sk_kind.ref */
    const struct sk_proto_tag *tags;
    size_t n;
};

/* Sorted by ref (strcmp). */
extern const struct sk_proto_msg sk_proto_msgs[];
extern const size_t sk_proto_nmsgs;

/* The table of a message, or NULL when skiff has none. Static; any
 * thread. */
const struct sk_proto_msg *sk_proto_msg_find(const char *ref);

#endif
