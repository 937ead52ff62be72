/* One error enum for all of skiff, and an optional detailed error object
 * that carries a one-line message naming what failed, where and why. */
#ifndef SK_ERR_H
#define SK_ERR_H

#include <stdarg.h>

typedef enum sk_err {
    SK_OK = 0,
    SK_ENOMEM,    /* out of memory for a size that came from outside */
    SK_EINVAL,    /* bad input: syntax, type, value */
    SK_ENOENT,    /* no such object, file, key or endpoint */
    SK_EEXIST,    /* already exists */
    SK_ECONFLICT, /* precondition (resourceVersion) failed */
    SK_ETOOBIG,   /* input over a size limit */
    SK_EPROTO,    /* malformed message on the bus or the wire */
    SK_EABI,      /* plugin built for another ABI */
    SK_ETIMEDOUT, /* deadline passed */
    SK_ECLOSED,   /* endpoint or store closed */
    SK_EAGAIN,    /* try again later */
    SK_EGONE,     /* resource version too old */
    SK_ECORRUPT,  /* on-disk data failed an integrity check */
    SK_ESYS,      /* system call failed; sys_errno says which */
    SK_EINTERNAL, /* a bug in skiff */
    SK_ERR_COUNT
} sk_err;

struct sk_error {
    sk_err code;
    int sys_errno; /* errno for SK_ESYS, else 0 */
    char msg[1024];
};

/* Static text for an error code. Never NULL. Any thread. */
const char *sk_strerror(sk_err code);

/* If err is not NULL and *err is NULL, allocate *err (caller frees with
 * sk_error_free) and fill it with code and the formatted message.
 * If *err is already set, it is kept (the first cause wins).
 * Returns code, so it can end a function: return sk_fail(err, ...). */
sk_err sk_fail(struct sk_error **err, sk_err code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Like sk_fail with SK_ESYS; appends ": strerror(errnum)". */
sk_err sk_fail_sys(struct sk_error **err, int errnum, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Prefix an existing error's message with "prefix: ". No-op when err or
 * *err is NULL. */
void sk_error_prefix(struct sk_error **err, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Message text of err, or sk_strerror(code) if err is NULL. */
const char *sk_error_msg(const struct sk_error *err, sk_err code);

void sk_error_free(struct sk_error *err);

static inline void sk_error_freep(struct sk_error **e)
{
    sk_error_free(*e);
}
#define _sk_cleanup_error_ __attribute__((cleanup(sk_error_freep)))

#endif
