/* Kubernetes value types as pure C: resource.Quantity, Go durations,
 * metav1.Time / MicroTime (RFC 3339) and IntOrString, with apimachinery's
 * grammar, canonical forms and error texts, so that what skiff stores and
 * prints matches what a Kubernetes API server would. No allocation unless a
 * function says so; no I/O; any thread. */
#ifndef SK_QUANTITY_H
#define SK_QUANTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "val.h"

/* ---- resource.Quantity ---- */

enum sk_qformat {
    SK_QFMT_DECIMAL_SI = 0, /* 12M, 100m, 1500m */
    SK_QFMT_BINARY_SI,      /* 12Mi (12 * 2^20) */
    SK_QFMT_DECIMAL_EXP,    /* 12e6 */
};

__extension__ typedef __int128 sk_int128;

/* value = m * 10^e exactly. Kept normalised by every function here: m has
 * no trailing decimal zeros (e is 0 when m is 0) and |m| < 10^38. fmt is the
 * suffix family the value was written in; it only steers formatting. */
struct sk_quantity {
    sk_int128 m;
    int32_t e;
    enum sk_qformat fmt;
};

/* Longest canonical text including the NUL. */
#define SK_QUANTITY_STRMAX 64

/* Parse like apimachinery's ParseQuantity: optional sign, digits with an
 * optional '.', then a suffix (n u m "" k M G T P E, Ki..Ei, or e/E and a
 * signed exponent). Values are rounded up (away from zero) to nano units;
 * binary values are capped at 2^63-1 in magnitude. Errors carry
 * Kubernetes' texts ("quantities must match the regular expression ...",
 * "unable to parse quantity's suffix", "unable to parse numeric part of
 * quantity") with SK_EINVAL, or SK_ETOOBIG for a value with more than 38
 * significant digits or a decimal exponent beyond int32 (apimachinery keeps
 * such absurd values; skiff refuses them). s is NUL-terminated. */
sk_err sk_quantity_parse(const char *s, struct sk_quantity *q, struct sk_error **err);
sk_err sk_quantity_parsen(const char *s, size_t n, struct sk_quantity *q, struct sk_error **err);

/* Canonical text as apimachinery's CanonicalizeBytes makes it ("1.5" ->
 * "1500m", "1024Mi" -> "1Gi", "1e3" -> "1e3"). A DecimalSI value beyond the
 * E suffix is written with an exponent ("1e21"), as upstream does since it
 * stopped dropping the magnitude. Returns the length; buf holds
 * SK_QUANTITY_STRMAX bytes. */
size_t sk_quantity_format(const struct sk_quantity *q, char *buf);

/* What a Kubernetes API server stores and echoes for a quantity string:
 * the input itself when apimachinery's parser keeps it as already canonical
 * (it does for "100m", and also for "+1", "01" and "1.500"), else the
 * canonical text. Returns a malloc'd string (caller frees) or NULL with
 * *err set. q may be NULL. */
char *sk_quantity_normalize(const char *s, struct sk_quantity *q, struct sk_error **err);

/* A quantity field of an object: a string, an integer or a float (JSON
 * numbers), or null (zero). *stored (optional, caller frees) receives the
 * text Kubernetes would serialise. Strings are trimmed of white space as
 * Quantity.UnmarshalJSON does. */
sk_err sk_quantity_from_val(const struct sk_val *v, struct sk_quantity *q, char **stored,
                            struct sk_error **err);

void sk_quantity_from_int(struct sk_quantity *q, int64_t v, enum sk_qformat fmt);
void sk_quantity_from_milli(struct sk_quantity *q, int64_t v, enum sk_qformat fmt);
/* v * 10^scale */
void sk_quantity_from_scaled(struct sk_quantity *q, int64_t v, int32_t scale, enum sk_qformat fmt);

bool sk_quantity_is_zero(const struct sk_quantity *q);
int sk_quantity_sign(const struct sk_quantity *q);
/* -1, 0 or 1 as a < b, a == b, a > b (values only; formats are ignored). */
int sk_quantity_cmp(const struct sk_quantity *a, const struct sk_quantity *b);
/* q += y, q -= y exactly. When q is zero it takes y's format (as
 * Quantity.Add/Sub do). SK_ETOOBIG, and q unchanged, when the exact result
 * does not fit (more than 38 significant digits). */
sk_err sk_quantity_add(struct sk_quantity *q, const struct sk_quantity *y, struct sk_error **err);
sk_err sk_quantity_sub(struct sk_quantity *q, const struct sk_quantity *y, struct sk_error **err);
void sk_quantity_neg(struct sk_quantity *q);

/* ceil(q / 10^scale), rounding away from zero like ScaledValue. Returns
 * false and saturates at INT64_MIN/INT64_MAX when out of range (Go would
 * wrap or return 0 there). */
bool sk_quantity_scaled_value(const struct sk_quantity *q, int32_t scale, int64_t *out);
/* Integer units (memory bytes), rounded up; saturating. */
int64_t sk_quantity_value(const struct sk_quantity *q);
/* Thousandths (CPU millicores), rounded up; saturating. */
int64_t sk_quantity_milli_value(const struct sk_quantity *q);

/* ---- time.Duration ---- */

#define SK_DURATION_STRMAX 32

/* Go's time.ParseDuration: "300ms", "-1.5h", "2h45m", units ns us µs ms s m
 * h. Errors are Go's: `time: invalid duration "x"`, `time: missing unit in
 * duration "1"`, `time: unknown unit "d" in duration "1d"`. */
sk_err sk_duration_parse(const char *s, int64_t *ns, struct sk_error **err);
/* Go's Duration.String(): "1h30m0s", "1.5µs", "0s". Returns the length. */
size_t sk_duration_format(int64_t ns, char *buf);

/* ---- metav1.Time and metav1.MicroTime ---- */

struct sk_time {
    int64_t sec;  /* seconds since 1970-01-01T00:00:00Z */
    int32_t nsec; /* 0..999999999 */
};

/* Go's zero time (0001-01-01T00:00:00Z), which Kubernetes serialises as
 * null. */
#define SK_TIME_ZERO_UNIX (-62135596800LL)
#define SK_TIME_STRMAX    40

/* metav1.Time: time.Parse(time.RFC3339, s), fractions and offsets allowed,
 * with Go's error texts (`parsing time "x" as "2006-01-02T15:04:05Z07:00":
 * cannot parse "x" as "2006"`). */
sk_err sk_time_parse(const char *s, struct sk_time *t, struct sk_error **err);
/* metav1.MicroTime: layout "2006-01-02T15:04:05.000000Z07:00" (exactly six
 * fraction digits). */
sk_err sk_microtime_parse(const char *s, struct sk_time *t, struct sk_error **err);
/* "2006-01-02T15:04:05Z" in UTC, fraction dropped. Returns the length. */
size_t sk_time_format(struct sk_time t, char *buf);
/* "2006-01-02T15:04:05.000000Z" in UTC, truncated to microseconds. */
size_t sk_microtime_format(struct sk_time t, char *buf);
bool sk_time_is_zero(struct sk_time t);

/* ---- intstr.IntOrString ---- */

/* GetScaledValueFromIntOrPercent: an integer is returned as is; a string
 * must be "<int>%" and is scaled against total, rounded up or down as Go
 * does it (in float64). Errors as Go's: "invalid value for IntOrString:
 * invalid type: string is not a percentage", "... invalid value \"x%\":
 * strconv.Atoi: parsing \"x\": invalid syntax", "nil value for IntOrString". */
sk_err sk_intstr_scaled(const struct sk_val *v, int64_t total, bool round_up, int64_t *out,
                        struct sk_error **err);

/* ---- Go-compatible text ---- */

/* strconv.Quote(s) (fmt's %q): double quotes, Go escapes, invalid UTF-8
 * as \x.. Caller frees. */
char *sk_go_quote(const char *s, size_t n);
/* utf8.DecodeRune: the rune at s (n > 0 bytes) and its width; -1 and width
 * 1 for a byte that starts no valid sequence. */
int32_t sk_utf8_rune(const char *s, size_t n, size_t *width);
/* strconv.ParseInt(s, 10, 64): 0 ok, 1 syntax error, 2 out of range
 * (then *out saturates). */
int sk_go_parse_int(const char *s, size_t n, int64_t *out);

#endif
