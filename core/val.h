/* The object model: generic value trees that mirror Kubernetes JSON.
 * Maps keep key order. Integers (int64), floats and strings stay distinct.
 * A tree is owned by whoever holds its root; containers own their children.
 * Trees are not thread-safe; a tree is used by one thread at a time. */
#ifndef SK_VAL_H
#define SK_VAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Containers may nest this deep (the root container is depth 1). Every
 * decoder enforces it, so whatever one codec accepts the others accept. */
#define SK_VAL_MAX_DEPTH 128

enum sk_vtype {
    SK_V_NULL = 0,
    SK_V_BOOL,
    SK_V_INT,   /* int64 */
    SK_V_FLOAT, /* double */
    SK_V_STR,   /* UTF-8 bytes with length; NUL-terminated for convenience */
    SK_V_ARR,
    SK_V_MAP, /* ordered keys, unique */
};

struct sk_val;

struct sk_kv {
    char *key; /* NUL-terminated */
    size_t klen;
    struct sk_val *val;
};

struct sk_val {
    enum sk_vtype type;
    union {
        bool b;
        int64_t i;
        double f;
        struct {
            char *p; /* NUL-terminated, may contain NUL bytes within len */
            size_t len;
        } s;
        struct {
            struct sk_val **items;
            size_t n, cap;
        } a;
        struct {
            struct sk_kv *kv;
            size_t n, cap;
        } m;
    } u;
};

/* Constructors. All return a new tree owned by the caller; they abort only
 * when memory runs out. sk_val_str(NULL) gives a null value. */
struct sk_val *sk_val_null(void);
struct sk_val *sk_val_bool(bool b);
struct sk_val *sk_val_int(int64_t i);
struct sk_val *sk_val_float(double f);
struct sk_val *sk_val_str(const char *s);
struct sk_val *sk_val_strn(const char *s, size_t n);
struct sk_val *sk_val_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
struct sk_val *sk_val_arr(void);
struct sk_val *sk_val_map(void);

void sk_val_free(struct sk_val *v); /* NULL ok */
struct sk_val *sk_val_dup(const struct sk_val *v);
/* Deep equality; map key order is ignored, int 1 != float 1.0. A NaN equals
 * a NaN, so an unchanged object compares equal to itself. */
bool sk_val_equal(const struct sk_val *a, const struct sk_val *b);

/* Maps. Get returns a borrowed pointer or NULL (also when m is not a map). */
struct sk_val *sk_map_get(const struct sk_val *m, const char *key);
/* Insert or replace (replacement keeps the key's position); takes ownership
 * of v. Returns v. m must be a map. */
struct sk_val *sk_map_set(struct sk_val *m, const char *key, struct sk_val *v);
struct sk_val *sk_map_setn(struct sk_val *m, const char *key, size_t klen, struct sk_val *v);
/* Remove key; returns true if it was present. */
bool sk_map_del(struct sk_val *m, const char *key);
/* Detach and return the value of key (caller owns), or NULL. */
struct sk_val *sk_map_take(struct sk_val *m, const char *key);
size_t sk_map_len(const struct sk_val *m);
/* Like sk_map_get for a key of klen bytes (which may contain NUL). */
struct sk_val *sk_map_getn(const struct sk_val *m, const char *key, size_t klen);
/* Append without looking for an existing key: only for decoders that have
 * already rejected duplicates. Copies key, takes ownership of v, returns v. */
struct sk_val *sk_map_push(struct sk_val *m, const char *key, size_t klen, struct sk_val *v);
/* Free a key taken out of a map's entries by hand (common keys are shared
 * read-only copies, not malloc'd). NULL ok. */
void sk_val_key_free(char *key);

/* A hash index over one map's keys, for decoders that must reject (or
 * merge) repeated keys in maps of any size without quadratic cost. Zero it
 * to start; it stays linear until the map grows past a few keys. Valid only
 * while entries are appended to that map (no deletions). */
struct sk_mapidx {
    uint32_t *slots; /* entry index + 1; 0 = empty */
    size_t cap;
};
/* Position of key in m, or -1. */
long sk_mapidx_find(struct sk_mapidx *ix, const struct sk_val *m, const char *key, size_t klen);
/* Call after appending an entry to m. */
void sk_mapidx_added(struct sk_mapidx *ix, const struct sk_val *m);
void sk_mapidx_free(struct sk_mapidx *ix);

/* Arrays. */
struct sk_val *sk_arr_push(struct sk_val *a, struct sk_val *v); /* takes v, returns v */
struct sk_val *sk_arr_get(const struct sk_val *a, size_t i);    /* borrowed or NULL */
/* Insert at i (0..len; beyond len appends), remove at i (frees the
 * element; out of range does nothing). */
void sk_arr_insert(struct sk_val *a, size_t i, struct sk_val *v);
void sk_arr_remove(struct sk_val *a, size_t i);
struct sk_val *sk_arr_take(struct sk_val *a, size_t i); /* detach, caller owns */
size_t sk_arr_len(const struct sk_val *a);

/* Typed reads that return NULL / the fallback when the type differs. */
const char *sk_val_cstr(const struct sk_val *v); /* NULL unless string */
int64_t sk_val_to_int(const struct sk_val *v, int64_t fallback);
bool sk_val_to_bool(const struct sk_val *v, bool fallback);
bool sk_val_is(const struct sk_val *v, enum sk_vtype t);
const char *
sk_vtype_name(enum sk_vtype t); /* "null","boolean","integer","number","string","array","object" */

/* Paths: a NULL-terminated list of map keys, e.g.
 * sk_val_at(obj, "metadata", "labels", "app", NULL). Borrowed or NULL. */
struct sk_val *sk_val_at(const struct sk_val *root, ...) __attribute__((sentinel));
/* Set the value at a path of map keys, creating intermediate maps (and
 * replacing non-map intermediates). Takes ownership of v. Returns v (with
 * no keys at all, v is freed and NULL returned). root must be a map. */
struct sk_val *sk_val_set_at(struct sk_val *root, struct sk_val *v, ...) __attribute__((sentinel));
/* String at path or NULL. */
const char *sk_val_str_at(const struct sk_val *root, ...) __attribute__((sentinel));

/* Dotted field paths as Kubernetes writes them in messages and selectors:
 * "spec.containers[0].image", "metadata.labels['app.kubernetes.io/name']"
 * (a leading '.' and ["key"] are accepted too). Borrowed, or NULL when the
 * path is malformed or leads nowhere. */
struct sk_val *sk_val_path(const struct sk_val *root, const char *path);

/* Object helpers (Kubernetes metadata). Borrowed or NULL. */
const char *sk_obj_name(const struct sk_val *obj);
const char *sk_obj_namespace(const struct sk_val *obj);
const char *sk_obj_kind(const struct sk_val *obj);
const char *sk_obj_api_version(const struct sk_val *obj);
struct sk_val *sk_obj_labels(const struct sk_val *obj);      /* metadata.labels map or NULL */
struct sk_val *sk_obj_annotations(const struct sk_val *obj); /* metadata.annotations or NULL */
const char *sk_obj_label(const struct sk_val *obj, const char *key);
const char *sk_obj_annotation(const struct sk_val *obj, const char *key);
void sk_obj_set_label(struct sk_val *obj, const char *key,
                      const char *value); /* NULL value removes */
void sk_obj_set_annotation(struct sk_val *obj, const char *key, const char *value);
/* The ownerReference with controller: true, borrowed, or NULL. */
struct sk_val *sk_obj_controller_ref(const struct sk_val *obj);

/* A growable byte buffer owned by the caller; zero it to start. Appending
 * aborts only when memory runs out. */
struct sk_buf {
    char *p;
    size_t len, cap;
};
void sk_buf_append(struct sk_buf *b, const void *p, size_t n);
void sk_buf_free(struct sk_buf *b);
/* Make room for n more bytes. */
void sk_buf_reserve(struct sk_buf *b, size_t n);
void sk_buf_puts(struct sk_buf *b, const char *s);
/* Append code point cp as UTF-8; a surrogate or one beyond U+10FFFF becomes
 * U+FFFD, as Go and JSON decoders write them. */
void sk_buf_put_utf8(struct sk_buf *b, int64_t cp);
void sk_buf_printf(struct sk_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* NUL-terminate and hand the bytes to the caller (who frees them); b is
 * left empty. *len (if not NULL) gets the length without the NUL. */
char *sk_buf_take(struct sk_buf *b, size_t *len);
static inline void sk_buf_putc(struct sk_buf *b, char c)
{
    if (b->len == b->cap) sk_buf_reserve(b, 1);
    b->p[b->len++] = c;
}

/* msgpack codec (the store's and the bus's format). Encoding appends to a
 * growable buffer owned by the caller. Decoding checks every byte is used,
 * rejects non-string map keys, duplicate keys, nesting deeper than 128,
 * integers beyond int64 and bin/ext types, and never crashes on malformed
 * input: it fails with SK_EPROTO and "msgpack: <what> at offset N". On
 * success *out is a new tree the caller owns. Any thread. */
void sk_val_to_msgpack(const struct sk_val *v, struct sk_buf *out);
sk_err sk_val_from_msgpack(const void *p, size_t n, struct sk_val **out, struct sk_error **err);

/* Text for numbers shared by the JSON and YAML writers. buf holds 32 bytes;
 * returns the length. Doubles come out in the shortest form that reads back
 * exactly and always with a '.' or an exponent ("1.0", "0.1", "1e+21"), so a
 * float never reads back as an integer; d must be finite. */
size_t sk_fmt_double(double d, char *buf);
size_t sk_fmt_int64(int64_t i, char *buf);
/* Length (1..4) of the well-formed UTF-8 sequence at p, or 0 when the bytes
 * there are not one (overlong, surrogate, truncated, beyond U+10FFFF). */
size_t sk_utf8_len(const unsigned char *p, size_t n);

#endif
