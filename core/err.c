/* Error codes and detailed error messages. */
#include "err.h"
#include "mem.h"

#include <stdio.h>
#include <string.h>

static const char *const names[SK_ERR_COUNT] = {
        [SK_OK] = "success",
        [SK_ENOMEM] = "out of memory",
        [SK_EINVAL] = "invalid argument",
        [SK_ENOENT] = "not found",
        [SK_EEXIST] = "already exists",
        [SK_ECONFLICT] = "conflict",
        [SK_ETOOBIG] = "too large",
        [SK_EPROTO] = "protocol error",
        [SK_EABI] = "ABI version mismatch",
        [SK_ETIMEDOUT] = "timed out",
        [SK_ECLOSED] = "closed",
        [SK_EAGAIN] = "try again",
        [SK_EGONE] = "gone",
        [SK_ECORRUPT] = "data corrupt",
        [SK_ESYS] = "system error",
        [SK_EINTERNAL] = "internal error",
};

const char *sk_strerror(sk_err code)
{
    if ((unsigned)code >= SK_ERR_COUNT) return "unknown error";
    return names[code];
}

static sk_err vfail(struct sk_error **err, sk_err code, int errnum, const char *fmt, va_list ap)
{
    if (!err || *err) return code;
    struct sk_error *e = sk_xcalloc(1, sizeof(*e));
    e->code = code;
    e->sys_errno = errnum;
    int n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    if (errnum && n >= 0 && (size_t)n < sizeof(e->msg))
        snprintf(e->msg + n, sizeof(e->msg) - (size_t)n, ": %s", strerror(errnum));
    *err = e;
    return code;
}

sk_err sk_fail(struct sk_error **err, sk_err code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(err, code, 0, fmt, ap);
    va_end(ap);
    return code;
}

sk_err sk_fail_sys(struct sk_error **err, int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(err, SK_ESYS, errnum, fmt, ap);
    va_end(ap);
    return SK_ESYS;
}

void sk_error_prefix(struct sk_error **err, const char *fmt, ...)
{
    if (!err || !*err) return;
    char prefix[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof(prefix), fmt, ap);
    va_end(ap);
    char old[sizeof((*err)->msg)];
    memcpy(old, (*err)->msg, sizeof(old));
    /* truncation of an over-long message is acceptable */
    size_t pl = strlen(prefix), cap = sizeof((*err)->msg);
    if (pl > cap - 3) pl = cap - 3;
    memcpy((*err)->msg, prefix, pl);
    memcpy((*err)->msg + pl, ": ", 2);
    size_t ol = strnlen(old, cap);
    if (ol > cap - pl - 3) ol = cap - pl - 3;
    memcpy((*err)->msg + pl + 2, old, ol);
    (*err)->msg[pl + 2 + ol] = 0;
}

const char *sk_error_msg(const struct sk_error *err, sk_err code)
{
    return err ? err->msg : sk_strerror(code);
}

void sk_error_free(struct sk_error *err)
{
    free(err);
}
