/* Kubernetes value types: resource.Quantity, time.Duration, metav1.Time and
 * MicroTime, IntOrString. Each follows the Go code that defines it in
 * apimachinery or the Go standard library closely enough that values,
 * canonical texts and error messages come out byte for byte the same. */
#include "quantity.h"
#include "mem.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

__extension__ typedef unsigned __int128 u128;

/* ------------------------------------------------------------------ */
/* Go-compatible text                                                  */
/* ------------------------------------------------------------------ */

static const char hexdig[] = "0123456789abcdef";

/* utf8.DecodeRune: the rune and its width, or width 1 and -1 for a byte
 * that does not start a valid sequence. */
static int32_t utf8_rune(const unsigned char *s, size_t n, size_t *w)
{
    unsigned char c = s[0];
    *w = 1;
    if (c < 0x80) return c;
    unsigned char lo = 0x80, hi = 0xbf;
    size_t need;
    int32_t r;
    if (c >= 0xc2 && c <= 0xdf) {
        need = 2;
        r = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 3;
        r = c & 0x0f;
        if (c == 0xe0) lo = 0xa0;
        if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 4;
        r = c & 0x07;
        if (c == 0xf0) lo = 0x90;
        if (c == 0xf4) hi = 0x8f;
    } else {
        return -1;
    }
    if (n < need) return -1;
    for (size_t i = 1; i < need; i++) {
        unsigned char b = s[i];
        if (b < lo || b > hi) return -1;
        lo = 0x80;
        hi = 0xbf;
        r = (r << 6) | (b & 0x3f);
    }
    *w = need;
    return r;
}

/* unicode.IsPrint for runes >= 0x80, approximated: Go's table is large, and
 * only error messages depend on it. Controls, format characters, non-ASCII
 * spaces, separators, private use and non-characters are not printable. */
static bool go_isprint_high(int32_t r)
{
    static const int32_t ranges[][2] = {
            {0x80, 0xa0},       {0xad, 0xad},       {0x600, 0x605},      {0x61c, 0x61c},
            {0x6dd, 0x6dd},     {0x70f, 0x70f},     {0x1680, 0x1680},    {0x180e, 0x180e},
            {0x2000, 0x200f},   {0x2028, 0x202f},   {0x205f, 0x2064},    {0x2066, 0x206f},
            {0x3000, 0x3000},   {0xe000, 0xf8ff},   {0xfeff, 0xfeff},    {0xfff9, 0xfffb},
            {0xfffe, 0xffff},   {0x110bd, 0x110bd}, {0x1bca0, 0x1bca3},  {0x1d173, 0x1d17a},
            {0xe0001, 0xe0001}, {0xe0020, 0xe007f}, {0xf0000, 0x10ffff},
    };
    for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
        if (r >= ranges[i][0] && r <= ranges[i][1]) return false;
    return (r & 0xfffe) != 0xfffe;
}

static void buf_hex(struct sk_buf *b, const char *pfx, uint32_t v, int digits)
{
    sk_buf_puts(b, pfx);
    for (int s = (digits - 1) * 4; s >= 0; s -= 4)
        sk_buf_putc(b, hexdig[(v >> s) & 0xf]);
}

char *sk_go_quote(const char *s, size_t n)
{
    struct sk_buf b = {0};
    const unsigned char *p = (const unsigned char *)s;
    sk_buf_putc(&b, '"');
    for (size_t i = 0; i < n;) {
        size_t w;
        int32_t r = utf8_rune(p + i, n - i, &w);
        if (r < 0) {
            buf_hex(&b, "\\x", p[i], 2);
            i++;
            continue;
        }
        if (r == '"' || r == '\\') {
            sk_buf_putc(&b, '\\');
            sk_buf_putc(&b, (char)r);
        } else if ((r >= 0x20 && r < 0x7f) || (r >= 0x80 && go_isprint_high(r))) {
            sk_buf_append(&b, p + i, w);
        } else {
            switch (r) {
            case '\a': sk_buf_puts(&b, "\\a"); break;
            case '\b': sk_buf_puts(&b, "\\b"); break;
            case '\f': sk_buf_puts(&b, "\\f"); break;
            case '\n': sk_buf_puts(&b, "\\n"); break;
            case '\r': sk_buf_puts(&b, "\\r"); break;
            case '\t': sk_buf_puts(&b, "\\t"); break;
            case '\v': sk_buf_puts(&b, "\\v"); break;
            default:
                if (r < 0x20 || r == 0x7f)
                    buf_hex(&b, "\\x", (uint32_t)r, 2);
                else if (r < 0x10000)
                    buf_hex(&b, "\\u", (uint32_t)r, 4);
                else
                    buf_hex(&b, "\\U", (uint32_t)r, 8);
            }
        }
        i += w;
    }
    sk_buf_putc(&b, '"');
    return sk_buf_take(&b, NULL);
}

/* The time package's own quote(), which differs from strconv.Quote: every
 * byte of a non-ASCII or control rune becomes \x.., DEL passes through. */
static char *time_quote(const char *s)
{
    struct sk_buf b = {0};
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    sk_buf_putc(&b, '"');
    for (size_t i = 0; i < n;) {
        size_t w;
        int32_t r = utf8_rune(p + i, n - i, &w);
        if (r < 0 || r >= 0x80 || r < 0x20) {
            for (size_t j = 0; j < w; j++)
                buf_hex(&b, "\\x", p[i + j], 2);
        } else {
            if (r == '"' || r == '\\') sk_buf_putc(&b, '\\');
            sk_buf_putc(&b, (char)r);
        }
        i += w;
    }
    sk_buf_putc(&b, '"');
    return sk_buf_take(&b, NULL);
}

static bool isdig(char c)
{
    return c >= '0' && c <= '9';
}

int32_t sk_utf8_rune(const char *s, size_t n, size_t *width)
{
    return utf8_rune((const unsigned char *)s, n, width);
}

/* strconv.ParseInt(s, 10, 64) without underscores: 0 ok, 1 syntax error,
 * 2 out of range. */
int sk_go_parse_int(const char *s, size_t n, int64_t *out)
{
    bool neg = false;
    size_t i = 0;
    *out = 0;
    if (n > 0 && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == n) return 1;
    uint64_t v = 0;
    uint64_t lim = neg ? (uint64_t)1 << 63 : ((uint64_t)1 << 63) - 1;
    for (; i < n; i++) {
        if (!isdig(s[i])) return 1;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (lim - d) / 10) {
            /* ParseUint stops at the first overflow, before later bad
             * characters are seen. */
            *out = neg ? INT64_MIN : INT64_MAX;
            return 2;
        }
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Quantity                                                            */
/* ------------------------------------------------------------------ */

static const char err_format[] = "quantities must match the regular expression "
                                 "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
static const char err_numeric[] = "unable to parse numeric part of quantity";
static const char err_suffix[] = "unable to parse quantity's suffix";

static u128 pow10u(int k)
{
    u128 r = 1;
    while (k-- > 0)
        r *= 10;
    return r;
}

#define P10_38 (pow10u(38))

static size_t fmt_u128(u128 v, char *buf)
{
    char tmp[48];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = 0;
    return n;
}

static u128 qmag(const struct sk_quantity *q)
{
    return q->m < 0 ? (u128)0 - (u128)q->m : (u128)q->m;
}

static sk_err too_big(struct sk_error **err)
{
    return sk_fail(
            err, SK_ETOOBIG,
            "quantity out of range: more than 38 significant digits or an exponent beyond int32");
}

/* Store sign * mag * 10^e in normal form. */
static sk_err qset(struct sk_quantity *q, bool neg, u128 mag, int64_t e, enum sk_qformat fmt,
                   struct sk_error **err)
{
    if (mag == 0) {
        q->m = 0;
        q->e = 0;
        q->fmt = fmt;
        return SK_OK;
    }
    while (mag % 10 == 0) {
        mag /= 10;
        e++;
    }
    if (mag >= P10_38 || e > INT32_MAX || e < INT32_MIN) return too_big(err);
    q->m = neg ? -(sk_int128)mag : (sk_int128)mag;
    q->e = (int32_t)e;
    q->fmt = fmt;
    return SK_OK;
}

static bool is_suffix_char(char c)
{
    switch (c) {
    case 'e':
    case 'E':
    case 'i':
    case 'n':
    case 'u':
    case 'm':
    case 'k':
    case 'K':
    case 'M':
    case 'G':
    case 'T':
    case 'P': return true;
    default: return false;
    }
}

/* The pieces apimachinery's parseQuantityString finds. */
struct qscan {
    bool neg;
    const char *num; /* integer digits without leading zeros; "0" if none */
    size_t nnum;
    const char *den; /* digits after '.' */
    size_t nden;
    const char *suf;
    size_t nsuf;
    bool has_digit; /* inf.Dec needs at least one digit in the number */
};

static bool qscan(const char *s, size_t n, struct qscan *o)
{
    size_t pos = 0, i;
    memset(o, 0, sizeof(*o));
    o->num = "0";
    o->nnum = 1;
    o->den = o->suf = "";
    if (n > 0 && (s[0] == '-' || s[0] == '+')) {
        o->neg = s[0] == '-';
        pos = 1;
    }
    while (pos < n && s[pos] == '0') {
        pos++;
        o->has_digit = true;
    }
    if (pos >= n) return true;
    for (i = pos; i < n && isdig(s[i]); i++)
        ;
    if (i > pos) {
        o->num = s + pos;
        o->nnum = i - pos;
        o->has_digit = true;
    }
    if (i >= n) return true;
    pos = i;
    if (s[pos] == '.') {
        pos++;
        for (i = pos; i < n && isdig(s[i]); i++)
            ;
        o->den = s + pos;
        o->nden = i - pos;
        if (i > pos) o->has_digit = true;
        if (i >= n) return true;
        pos = i;
    }
    size_t start = pos;
    for (i = pos; i < n && is_suffix_char(s[i]); i++)
        ;
    if (i < n) {
        if (s[i] == '-' || s[i] == '+') i++;
        while (i < n && isdig(s[i]))
            i++;
        if (i < n) return false;
    }
    o->suf = s + start;
    o->nsuf = n - start;
    return true;
}

static const struct {
    const char *s;
    int base, exp;
} suffixes[] = {
        {"", 10, 0},   {"n", 10, -9}, {"u", 10, -6}, {"m", 10, -3}, {"k", 10, 3},  {"M", 10, 6},
        {"G", 10, 9},  {"T", 10, 12}, {"P", 10, 15}, {"E", 10, 18}, {"Ki", 2, 10}, {"Mi", 2, 20},
        {"Gi", 2, 30}, {"Ti", 2, 40}, {"Pi", 2, 50}, {"Ei", 2, 60},
};

static bool qsuffix(const char *s, size_t n, int *base, int32_t *exp, enum sk_qformat *fmt)
{
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        if (strlen(suffixes[i].s) == n && memcmp(suffixes[i].s, s, n) == 0) {
            *base = suffixes[i].base;
            *exp = suffixes[i].exp;
            *fmt = *base == 2 ? SK_QFMT_BINARY_SI : SK_QFMT_DECIMAL_SI;
            return true;
        }
    }
    if (n > 1 && (s[0] == 'e' || s[0] == 'E')) {
        int64_t v;
        if (sk_go_parse_int(s + 1, n - 1, &v) != 0) return false;
        /* Go converts the int64 with int32(), keeping the low 32 bits. */
        *exp = (int32_t)(uint32_t)(uint64_t)v;
        *base = 10;
        *fmt = SK_QFMT_DECIMAL_EXP;
        return true;
    }
    return false;
}

/* Decimal digit strings (most significant first, values 0..9) for the exact
 * arithmetic that parsing needs before the value is small enough to hold. */
static size_t dmul(unsigned char *d, size_t nd, unsigned f)
{
    unsigned carry = 0;
    for (size_t i = nd; i-- > 0;) {
        unsigned v = d[i] * f + carry;
        d[i] = (unsigned char)(v % 10);
        carry = v / 10;
    }
    unsigned char tmp[12];
    size_t k = 0;
    while (carry) {
        tmp[k++] = (unsigned char)(carry % 10);
        carry /= 10;
    }
    if (k) {
        memmove(d + k, d, nd);
        for (size_t j = 0; j < k; j++)
            d[j] = tmp[k - 1 - j];
    }
    return nd + k;
}

static size_t dinc(unsigned char *d, size_t nd)
{
    for (size_t i = nd; i-- > 0;) {
        if (d[i] < 9) {
            d[i]++;
            return nd;
        }
        d[i] = 0;
    }
    memmove(d + 1, d, nd);
    d[0] = 1;
    return nd + 1;
}

/* Parse, and say whether apimachinery would keep the caller's text as the
 * quantity's string (its int64 fast path keeps what it takes for canonical). */
static sk_err qparse(const char *s, size_t n, struct sk_quantity *q, bool *keep,
                     struct sk_error **err)
{
    struct qscan sc;
    int base;
    int32_t exp;
    enum sk_qformat fmt;

    *keep = false;
    if (n == 0) return sk_fail(err, SK_EINVAL, "%s", err_format);
    if (n == 1 && s[0] == '0') {
        *keep = true;
        return qset(q, false, 0, 0, SK_QFMT_DECIMAL_SI, err);
    }
    if (!qscan(s, n, &sc)) return sk_fail(err, SK_EINVAL, "%s", err_format);
    if (!qsuffix(sc.suf, sc.nsuf, &base, &exp, &fmt))
        return sk_fail(err, SK_EINVAL, "%s", err_suffix);

    bool fast = false;
    if (base == 10) {
        int64_t scale = (int64_t)exp - (int64_t)sc.nden;
        if (sc.nnum + sc.nden <= 18 && scale >= -9) {
            fast = true;
            /* shifted = num + den, as Go builds it */
            bool zeros3 = sc.nnum + sc.nden >= 3;
            for (size_t k = 1; k <= 3 && zeros3; k++) {
                char c = k <= sc.nden ? sc.den[sc.nden - k] : sc.num[sc.nnum - (k - sc.nden)];
                zeros3 = c == '0';
            }
            *keep = scale % 3 == 0 && !zeros3 && sc.num[0] != '0';
        }
    } else if (sc.nden == 0) {
        int64_t precision = 15 - (int64_t)sc.nnum - exp * 3 / 10 - 1;
        if (precision >= 0) {
            int64_t v = 0;
            for (size_t i = 0; i < sc.nnum; i++)
                v = v * 10 + (sc.num[i] - '0');
            if (v <= (INT64_MAX >> exp)) {
                fast = true;
                *keep = (v & 7) != 0;
            }
        }
    }
    if (!fast && !sc.has_digit) return sk_fail(err, SK_EINVAL, "%s", err_numeric);

    /* The exact value: digits * 10^E (* 2^exp for binary suffixes). */
    size_t cap = sc.nnum + sc.nden + 32;
    unsigned char *d = sk_try_malloc(cap, SIZE_MAX);
    if (!d) return sk_fail(err, SK_ENOMEM, "quantity too long to parse");
    size_t nd = 0;
    if (!(sc.nnum == 1 && sc.num[0] == '0'))
        for (size_t i = 0; i < sc.nnum; i++)
            d[nd++] = (unsigned char)(sc.num[i] - '0');
    for (size_t i = 0; i < sc.nden; i++)
        d[nd++] = (unsigned char)(sc.den[i] - '0');
    int64_t E = (base == 10 ? (int64_t)exp : 0) - (int64_t)sc.nden;
    size_t lead = 0;
    while (lead < nd && d[lead] == 0)
        lead++;
    memmove(d, d + lead, nd - lead);
    nd -= lead;
    if (nd == 0) {
        free(d);
        return qset(q, false, 0, 0, fmt, err);
    }
    if (base == 2)
        for (int32_t k = 0; k < exp / 10; k++)
            nd = dmul(d, nd, 1024);

    /* Round up, away from zero, to nano units: whoever asks for some of a
     * resource gets at least the smallest amount. */
    if (E < -9) {
        uint64_t drop = (uint64_t)(-9 - E);
        if (drop >= nd) {
            d[0] = 1;
            nd = 1;
        } else {
            bool frac = false;
            for (size_t i = nd - (size_t)drop; i < nd; i++)
                frac |= d[i] != 0;
            nd -= (size_t)drop;
            if (frac) nd = dinc(d, nd);
        }
        E = -9;
    }

    if (base == 2) {
        static const char maxs[] = "9223372036854775807";
        int64_t order = (int64_t)nd + E;
        int c = 0;
        if (order != 19) {
            c = order > 19 ? 1 : -1;
        } else {
            size_t len = nd > 19 ? nd : 19;
            for (size_t i = 0; i < len && c == 0; i++) {
                int a = i < nd ? d[i] : 0, b = i < 19 ? maxs[i] - '0' : 0;
                c = a < b ? -1 : a > b;
            }
        }
        if (c > 0) {
            for (size_t i = 0; i < 19; i++)
                d[i] = (unsigned char)(maxs[i] - '0');
            nd = 19;
            E = 0;
        }
        /* Below one, binary suffixes would round; apimachinery switches. */
        if ((int64_t)nd + E <= 0) fmt = SK_QFMT_DECIMAL_SI;
    }

    while (nd > 0 && d[nd - 1] == 0) {
        nd--;
        E++;
    }
    if (nd > 38) {
        free(d);
        return too_big(err);
    }
    u128 mag = 0;
    for (size_t i = 0; i < nd; i++)
        mag = mag * 10 + d[i];
    free(d);
    return qset(q, sc.neg, mag, E, fmt, err);
}

sk_err sk_quantity_parsen(const char *s, size_t n, struct sk_quantity *q, struct sk_error **err)
{
    bool keep;
    return qparse(s, n, q, &keep, err);
}

sk_err sk_quantity_parse(const char *s, struct sk_quantity *q, struct sk_error **err)
{
    return sk_quantity_parsen(s, strlen(s), q, err);
}

static const char *const dec_suffix[] = {"n", "u", "m", "", "k", "M", "G", "T", "P", "E"};
static const char *const bin_suffix[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};

/* Order of magnitude: |q| < 10^order and |q| >= 10^(order-1). */
static int64_t qorder(u128 mag, int32_t e)
{
    char tmp[48];
    return (int64_t)fmt_u128(mag, tmp) + e;
}

static size_t format_decimal(bool neg, u128 mag, int64_t e, enum sk_qformat fmt, char *buf)
{
    size_t n = 0;
    while (mag % 10 == 0) {
        mag /= 10;
        e++;
    }
    int zeros = 0;
    switch (e % 3) {
    case 1:
    case -2: zeros = 1; break;
    case 2:
    case -1: zeros = 2; break;
    }
    e -= zeros;
    if (neg) buf[n++] = '-';
    n += fmt_u128(mag, buf + n);
    while (zeros-- > 0)
        buf[n++] = '0';
    buf[n] = 0;
    if (fmt == SK_QFMT_DECIMAL_SI && e >= -9 && e <= 18) {
        const char *sfx = dec_suffix[(e + 9) / 3];
        memcpy(buf + n, sfx, strlen(sfx) + 1);
        return n + strlen(sfx);
    }
    /* DecimalExponent, and DecimalSI past the suffix table. */
    if (e != 0) n += (size_t)snprintf(buf + n, SK_QUANTITY_STRMAX - n, "e%lld", (long long)e);
    return n;
}

size_t sk_quantity_format(const struct sk_quantity *q, char *buf)
{
    if (q->m == 0) {
        memcpy(buf, "0", 2);
        return 1;
    }
    bool neg = q->m < 0;
    u128 mag = qmag(q);
    enum sk_qformat fmt = q->fmt;
    if (fmt == SK_QFMT_BINARY_SI) {
        /* Small and fractional values would round in base 1024: show them
         * in decimal instead, as CanonicalizeBytes does. */
        int64_t order = qorder(mag, q->e);
        bool small = order <= 3;
        if (order == 4) {
            if (q->e >= 0)
                small = mag * pow10u(q->e) < 1024;
            else
                small = mag < 1024 * pow10u(-q->e);
        }
        u128 ip = 0;
        bool ok = !small;
        if (ok && q->e < 0) {
            u128 p = pow10u(-q->e);
            ok = mag % p == 0;
            ip = mag / p;
        } else if (ok) {
            ok = q->e <= 38 && mag <= ~(u128)0 / pow10u(q->e);
            if (ok) ip = mag * pow10u(q->e);
        }
        if (ok) {
            int k = 0;
            while (ip >= 1024 && ip % 1024 == 0) {
                ip /= 1024;
                k++;
            }
            if (k <= 6) {
                size_t n = 0;
                if (neg) buf[n++] = '-';
                n += fmt_u128(ip, buf + n);
                memcpy(buf + n, bin_suffix[k], strlen(bin_suffix[k]) + 1);
                return n + strlen(bin_suffix[k]);
            }
        }
        fmt = SK_QFMT_DECIMAL_SI;
    }
    return format_decimal(neg, mag, q->e, fmt, buf);
}

char *sk_quantity_normalize(const char *s, struct sk_quantity *q, struct sk_error **err)
{
    struct sk_quantity tmp;
    bool keep;
    if (qparse(s, strlen(s), &tmp, &keep, err) != SK_OK) return NULL;
    if (q) *q = tmp;
    if (keep) return sk_xstrdup(s);
    char buf[SK_QUANTITY_STRMAX];
    sk_quantity_format(&tmp, buf);
    return sk_xstrdup(buf);
}

/* unicode.IsSpace, for strings.TrimSpace. */
static size_t go_space_len(const unsigned char *p, size_t n)
{
    size_t w;
    int32_t r = utf8_rune(p, n, &w);
    switch (r) {
    case '\t':
    case '\n':
    case '\v':
    case '\f':
    case '\r':
    case ' ':
    case 0x85:
    case 0xa0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202f:
    case 0x205f:
    case 0x3000: return w;
    default: return r >= 0x2000 && r <= 0x200a ? w : 0;
    }
}

static void go_trim_space(const char **s, size_t *n)
{
    const unsigned char *p = (const unsigned char *)*s;
    size_t len = *n, w;
    while (len > 0 && (w = go_space_len(p, len)) > 0) {
        p += w;
        len -= w;
    }
    /* From the right: decode the last rune, as DecodeLastRune would. */
    while (len > 0) {
        size_t start = len - 1;
        while (start > 0 && len - start < 4 && (p[start] & 0xc0) == 0x80)
            start--;
        w = go_space_len(p + start, len - start);
        if (w == 0 || start + w != len) break;
        len = start;
    }
    *s = (const char *)p;
    *n = len;
}

sk_err sk_quantity_from_val(const struct sk_val *v, struct sk_quantity *q, char **stored,
                            struct sk_error **err)
{
    char num[64];
    const char *s;
    size_t n;
    if (stored) *stored = NULL;
    if (!v || v->type == SK_V_NULL) {
        qset(q, false, 0, 0, SK_QFMT_DECIMAL_SI, NULL);
        if (stored) *stored = sk_xstrdup("0");
        return SK_OK;
    }
    switch (v->type) {
    case SK_V_STR:
        s = v->u.s.p;
        n = v->u.s.len;
        go_trim_space(&s, &n);
        break;
    case SK_V_INT:
        n = (size_t)snprintf(num, sizeof(num), "%lld", (long long)v->u.i);
        s = num;
        break;
    case SK_V_FLOAT:
        if (!isfinite(v->u.f)) return sk_fail(err, SK_EINVAL, "%s", err_format);
        /* The shortest text that reads back as the same double, which is
         * what a JSON encoder would have sent. */
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(num, sizeof(num), "%.*g", prec, v->u.f);
            if (strtod(num, NULL) == v->u.f) break;
        }
        s = num;
        n = strlen(num);
        break;
    default: return sk_fail(err, SK_EINVAL, "%s", err_format);
    }
    bool keep;
    sk_err rc = qparse(s, n, q, &keep, err);
    if (rc != SK_OK) return rc;
    if (stored) {
        if (keep) {
            *stored = sk_xstrndup(s, n);
        } else {
            char buf[SK_QUANTITY_STRMAX];
            sk_quantity_format(q, buf);
            *stored = sk_xstrdup(buf);
        }
    }
    return SK_OK;
}

static u128 u64mag(int64_t v)
{
    return v < 0 ? (u128)(0 - (uint64_t)v) : (u128)v;
}

void sk_quantity_from_int(struct sk_quantity *q, int64_t v, enum sk_qformat fmt)
{
    qset(q, v < 0, u64mag(v), 0, fmt, NULL);
}

void sk_quantity_from_milli(struct sk_quantity *q, int64_t v, enum sk_qformat fmt)
{
    qset(q, v < 0, u64mag(v), -3, fmt, NULL);
}

void sk_quantity_from_scaled(struct sk_quantity *q, int64_t v, int32_t scale, enum sk_qformat fmt)
{
    /* Trailing zeros can push the exponent past int32 only for absurd
     * scales; keep the value as written then. */
    if (qset(q, v < 0, u64mag(v), scale, fmt, NULL) != SK_OK) {
        q->m = v;
        q->e = scale;
        q->fmt = fmt;
    }
}

bool sk_quantity_is_zero(const struct sk_quantity *q)
{
    return q->m == 0;
}

int sk_quantity_sign(const struct sk_quantity *q)
{
    return q->m < 0 ? -1 : q->m > 0;
}

static int cmp_mag(u128 am, int32_t ae, u128 bm, int32_t be)
{
    char ad[48], bd[48];
    size_t an = fmt_u128(am, ad), bn = fmt_u128(bm, bd);
    int64_t ao = (int64_t)an + ae, bo = (int64_t)bn + be;
    if (ao != bo) return ao < bo ? -1 : 1;
    size_t n = an > bn ? an : bn;
    for (size_t i = 0; i < n; i++) {
        char ca = i < an ? ad[i] : '0', cb = i < bn ? bd[i] : '0';
        if (ca != cb) return ca < cb ? -1 : 1;
    }
    return 0;
}

int sk_quantity_cmp(const struct sk_quantity *a, const struct sk_quantity *b)
{
    int sa = sk_quantity_sign(a), sb = sk_quantity_sign(b);
    if (sa != sb) return sa < sb ? -1 : 1;
    if (sa == 0) return 0;
    int c = cmp_mag(qmag(a), a->e, qmag(b), b->e);
    return sa > 0 ? c : -c;
}

/* Little-endian digits of mag placed at offset off. */
static void put_digits(unsigned char *d, size_t off, u128 mag)
{
    while (mag) {
        d[off++] = (unsigned char)(mag % 10);
        mag /= 10;
    }
}

sk_err sk_quantity_add(struct sk_quantity *q, const struct sk_quantity *y, struct sk_error **err)
{
    if (q->m == 0) q->fmt = y->fmt;
    if (y->m == 0) return SK_OK;
    if (q->m == 0) {
        q->m = y->m;
        q->e = y->e;
        return SK_OK;
    }
    int64_t e = q->e < y->e ? q->e : y->e;
    int64_t da = q->e - e, db = y->e - e;
    /* The lowest digit of the sum is the low operand's last digit, which is
     * not zero, so a gap of 39 or more decimal places needs 39+ digits. */
    if (da >= 39 || db >= 39) return too_big(err);
    unsigned char a[80] = {0}, b[80] = {0}, r[80] = {0};
    put_digits(a, (size_t)da, qmag(q));
    put_digits(b, (size_t)db, qmag(y));
    bool na = q->m < 0, nb = y->m < 0, neg;
    if (na == nb) {
        int carry = 0;
        for (size_t i = 0; i < 80; i++) {
            int v = a[i] + b[i] + carry;
            r[i] = (unsigned char)(v % 10);
            carry = v / 10;
        }
        neg = na;
    } else {
        int c = 0;
        for (size_t i = 80; i-- > 0 && c == 0;)
            c = a[i] < b[i] ? -1 : a[i] > b[i];
        const unsigned char *hi = c >= 0 ? a : b, *lo = c >= 0 ? b : a;
        int borrow = 0;
        for (size_t i = 0; i < 80; i++) {
            int v = hi[i] - lo[i] - borrow;
            borrow = v < 0;
            r[i] = (unsigned char)(v < 0 ? v + 10 : v);
        }
        neg = c >= 0 ? na : nb;
    }
    size_t lo = 0, hi = 80;
    while (lo < 80 && r[lo] == 0)
        lo++;
    if (lo == 80) {
        q->m = 0;
        q->e = 0;
        return SK_OK;
    }
    while (r[hi - 1] == 0)
        hi--;
    if (hi - lo > 38) return too_big(err);
    u128 mag = 0;
    for (size_t i = hi; i-- > lo;)
        mag = mag * 10 + r[i];
    return qset(q, neg, mag, e + (int64_t)lo, q->fmt, err);
}

sk_err sk_quantity_sub(struct sk_quantity *q, const struct sk_quantity *y, struct sk_error **err)
{
    struct sk_quantity ny = *y;
    ny.m = -ny.m;
    return sk_quantity_add(q, &ny, err);
}

void sk_quantity_neg(struct sk_quantity *q)
{
    q->m = -q->m;
}

bool sk_quantity_scaled_value(const struct sk_quantity *q, int32_t scale, int64_t *out)
{
    if (q->m == 0) {
        *out = 0;
        return true;
    }
    bool neg = q->m < 0;
    u128 mag = qmag(q), r;
    int64_t d = (int64_t)q->e - scale;
    u128 limit = neg ? (u128)1 << 63 : ((u128)1 << 63) - 1;
    if (d >= 0) {
        if (d > 19) goto overflow;
        u128 p = pow10u((int)d);
        if (mag > (((u128)1 << 64) / p)) goto overflow;
        r = mag * p;
    } else if (d < -38) {
        r = 1; /* 0 < |q| < 10^scale rounds up to one unit */
    } else {
        u128 p = pow10u((int)-d);
        r = mag / p + (mag % p != 0);
    }
    if (r > limit) goto overflow;
    *out = neg ? (int64_t)(-(sk_int128)r) : (int64_t)r;
    return true;
overflow:
    *out = neg ? INT64_MIN : INT64_MAX;
    return false;
}

int64_t sk_quantity_value(const struct sk_quantity *q)
{
    int64_t v;
    sk_quantity_scaled_value(q, 0, &v);
    return v;
}

int64_t sk_quantity_milli_value(const struct sk_quantity *q)
{
    int64_t v;
    sk_quantity_scaled_value(q, -3, &v);
    return v;
}

/* ------------------------------------------------------------------ */
/* time.Duration                                                       */
/* ------------------------------------------------------------------ */

static sk_err dur_fail(struct sk_error **err, const char *what, const char *orig)
{
    char *qo = time_quote(orig);
    sk_fail(err, SK_EINVAL, "time: %s %s", what, qo);
    free(qo);
    return SK_EINVAL;
}

sk_err sk_duration_parse(const char *orig, int64_t *out, struct sk_error **err)
{
    static const struct {
        const char *name;
        uint64_t ns;
    } units[] = {
            {"ns", 1ULL},           {"us", 1000ULL},
            {"\xc2\xb5s", 1000ULL}, /* U+00B5 micro sign */
            {"\xce\xbcs", 1000ULL}, /* U+03BC Greek mu */
            {"ms", 1000000ULL},     {"s", 1000000000ULL},
            {"m", 60000000000ULL},  {"h", 3600000000000ULL},
    };
    const uint64_t big = (uint64_t)1 << 63;
    const char *s = orig;
    size_t n = strlen(s);
    uint64_t d = 0;
    bool neg = false;

    *out = 0;
    if (n > 0 && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        s++;
        n--;
    }
    if (n == 1 && s[0] == '0') return SK_OK;
    if (n == 0) return dur_fail(err, "invalid duration", orig);
    while (n > 0) {
        uint64_t v = 0, f = 0;
        double scale = 1;
        size_t i;
        if (!(s[0] == '.' || isdig(s[0]))) return dur_fail(err, "invalid duration", orig);
        for (i = 0; i < n && isdig(s[i]); i++) {
            if (v > big / 10) return dur_fail(err, "invalid duration", orig);
            v = v * 10 + (uint64_t)(s[i] - '0');
            if (v > big) return dur_fail(err, "invalid duration", orig);
        }
        bool pre = i > 0, post = false;
        s += i;
        n -= i;
        if (n > 0 && s[0] == '.') {
            bool over = false;
            s++;
            n--;
            for (i = 0; i < n && isdig(s[i]); i++) {
                if (over) continue;
                if (f > (big - 1) / 10) {
                    over = true;
                    continue;
                }
                uint64_t y = f * 10 + (uint64_t)(s[i] - '0');
                if (y > big) {
                    over = true;
                    continue;
                }
                f = y;
                scale *= 10;
            }
            post = i > 0;
            s += i;
            n -= i;
        }
        if (!pre && !post) return dur_fail(err, "invalid duration", orig);
        for (i = 0; i < n && s[i] != '.' && !isdig(s[i]); i++)
            ;
        if (i == 0) return dur_fail(err, "missing unit in duration", orig);
        uint64_t unit = 0;
        for (size_t k = 0; k < sizeof(units) / sizeof(units[0]); k++)
            if (strlen(units[k].name) == i && memcmp(units[k].name, s, i) == 0) unit = units[k].ns;
        if (!unit) {
            char *u = sk_xstrndup(s, i), *qu = time_quote(u), *qo = time_quote(orig);
            sk_fail(err, SK_EINVAL, "time: unknown unit %s in duration %s", qu, qo);
            free(u);
            free(qu);
            free(qo);
            return SK_EINVAL;
        }
        s += i;
        n -= i;
        if (v > big / unit) return dur_fail(err, "invalid duration", orig);
        v *= unit;
        if (f > 0) {
            /* float64, as Go does it, to stay nanosecond-exact for hours */
            v += (uint64_t)((double)f * ((double)unit / scale));
            if (v > big) return dur_fail(err, "invalid duration", orig);
        }
        d += v;
        if (d > big) return dur_fail(err, "invalid duration", orig);
    }
    if (neg) {
        *out = d == big ? INT64_MIN : -(int64_t)d;
        return SK_OK;
    }
    if (d > big - 1) return dur_fail(err, "invalid duration", orig);
    *out = (int64_t)d;
    return SK_OK;
}

/* Go's fmtFrac: the fraction v/10^prec without trailing zeros, written
 * backwards ending at w; returns the new w and leaves v integral. */
static size_t fmt_frac(char *buf, size_t w, uint64_t *v, int prec)
{
    bool print = false;
    for (int i = 0; i < prec; i++) {
        unsigned digit = (unsigned)(*v % 10);
        print = print || digit != 0;
        if (print) buf[--w] = (char)('0' + digit);
        *v /= 10;
    }
    if (print) buf[--w] = '.';
    return w;
}

static size_t fmt_int_back(char *buf, size_t w, uint64_t v)
{
    if (v == 0) {
        buf[--w] = '0';
        return w;
    }
    while (v > 0) {
        buf[--w] = (char)('0' + v % 10);
        v /= 10;
    }
    return w;
}

size_t sk_duration_format(int64_t ns, char *out)
{
    char buf[32];
    size_t w = sizeof(buf);
    uint64_t u = (uint64_t)ns;
    bool neg = ns < 0;
    if (neg) u = 0 - u;
    if (u < 1000000000ULL) {
        int prec = 0;
        buf[--w] = 's';
        if (u == 0) {
            memcpy(out, "0s", 3);
            return 2;
        } else if (u < 1000ULL) {
            buf[--w] = 'n';
        } else if (u < 1000000ULL) {
            prec = 3;
            buf[--w] = '\xb5';
            buf[--w] = '\xc2';
        } else {
            prec = 6;
            buf[--w] = 'm';
        }
        w = fmt_frac(buf, w, &u, prec);
        w = fmt_int_back(buf, w, u);
    } else {
        buf[--w] = 's';
        w = fmt_frac(buf, w, &u, 9);
        w = fmt_int_back(buf, w, u % 60);
        u /= 60;
        if (u > 0) {
            buf[--w] = 'm';
            w = fmt_int_back(buf, w, u % 60);
            u /= 60;
            if (u > 0) {
                buf[--w] = 'h';
                w = fmt_int_back(buf, w, u);
            }
        }
    }
    if (neg) buf[--w] = '-';
    size_t n = sizeof(buf) - w;
    memcpy(out, buf + w, n);
    out[n] = 0;
    return n;
}

/* ------------------------------------------------------------------ */
/* metav1.Time, metav1.MicroTime                                       */
/* ------------------------------------------------------------------ */

static const char layout_rfc3339[] = "2006-01-02T15:04:05Z07:00";
static const char layout_micro[] = "2006-01-02T15:04:05.000000Z07:00";

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = m > 2 ? m - 3 : m + 9;
    int64_t doy = (153 * mp + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int days_in(int m, int64_t y)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && is_leap(y)) return 29;
    return days[m - 1];
}

/* time's getnum: one or two digits (fixed: exactly two). */
static bool getnum(const char **s, bool fixed, int *out)
{
    const char *p = *s;
    /* p[1] is only read after p[0] proved not to be the terminator */
    if (!isdig(p[0])) return false;
    if (!isdig(p[1])) {
        if (fixed) return false;
        *out = p[0] - '0';
        *s = p + 1;
        return true;
    }
    *out = (p[0] - '0') * 10 + (p[1] - '0');
    *s = p + 2;
    return true;
}

/* time's atoi: optional sign, then only digits. */
static bool time_atoi(const char *s, size_t n, int64_t *out)
{
    bool neg = false;
    if (n > 0 && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        s++;
        n--;
    }
    uint64_t x = 0;
    size_t i = 0;
    const uint64_t big = (uint64_t)1 << 63;
    for (; i < n && isdig(s[i]); i++) {
        if (x > big / 10) return false;
        x = x * 10 + (uint64_t)(s[i] - '0');
        if (x > big) return false;
    }
    if (i != n) return false;
    *out = !neg ? (int64_t)x : x == big ? INT64_MIN : -(int64_t)x;
    return true;
}

/* parseNanoseconds: value[0] is '.' or ',', nbytes counts it. */
static bool parse_nanos(const char *v, size_t nbytes, int64_t *ns, const char **range)
{
    if (v[0] != '.' && v[0] != ',') return false;
    if (nbytes > 10) nbytes = 10;
    if (!time_atoi(v + 1, nbytes - 1, ns)) return false;
    if (*ns < 0) {
        *range = "fractional second";
        return true;
    }
    for (size_t i = nbytes; i < 10; i++)
        *ns *= 10;
    return true;
}

static sk_err time_fail(struct sk_error **err, const char *layout, const char *value,
                        const char *elem_value, const char *elem_layout, const char *msg)
{
    char *qv = time_quote(value);
    if (msg) {
        sk_fail(err, SK_EINVAL, "parsing time %s%s", qv, msg);
    } else {
        char *ql = time_quote(layout), *qe = time_quote(elem_value), *qel = time_quote(elem_layout);
        sk_fail(err, SK_EINVAL, "parsing time %s as %s: cannot parse %s as %s", qv, ql, qe, qel);
        free(ql);
        free(qe);
        free(qel);
    }
    free(qv);
    return SK_EINVAL;
}

enum tstd { T_YEAR, T_MONTH, T_DAY, T_HOUR, T_MIN, T_SEC, T_FRAC, T_TZ, T_END };

/* time.Parse with the RFC 3339 layout or metav1's RFC3339Micro, step by
 * step as Go's generic parser walks those layouts (its strict fast path
 * accepts a subset with the same results). */
static sk_err time_parse(const char *orig, bool micro, struct sk_time *t, struct sk_error **err)
{
    static const struct {
        const char *prefix;
        enum tstd std;
        const char *text;
    } chunks[] = {
            {"", T_YEAR, "2006"},    {"-", T_MONTH, "01"}, {"-", T_DAY, "02"},
            {"T", T_HOUR, "15"},     {":", T_MIN, "04"},   {":", T_SEC, "05"},
            {"", T_FRAC, ".000000"}, {"", T_TZ, "Z07:00"}, {"", T_END, ""},
    };
    const char *layout = micro ? layout_micro : layout_rfc3339;
    const char *v = orig;
    int64_t year = 0, nsec = 0;
    int month = 0, day = 0, hour = 0, min = 0, sec = 0;
    bool utc = false;
    int64_t zone = -1;

    for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
        if (chunks[c].std == T_FRAC && !micro) continue;
        for (const char *p = chunks[c].prefix; *p; p++, v++) {
            if (*v != *p) {
                char pfx[2] = {*p, 0};
                return time_fail(err, layout, orig, v, pfx, NULL);
            }
        }
        if (chunks[c].std == T_END) {
            if (*v) {
                char *qx = time_quote(v);
                char *msg = sk_xasprintf(": extra text: %s", qx);
                time_fail(err, layout, orig, NULL, NULL, msg);
                free(qx);
                free(msg);
                return SK_EINVAL;
            }
            break;
        }
        const char *hold = v, *range = NULL;
        bool ok = true;
        switch (chunks[c].std) {
        case T_YEAR:
            if (strlen(v) < 4 || !isdig(v[0])) {
                ok = false;
                break;
            }
            ok = time_atoi(v, 4, &year);
            v += 4;
            break;
        case T_MONTH:
            ok = getnum(&v, true, &month);
            if (ok && (month <= 0 || month > 12)) range = "month";
            break;
        case T_DAY: ok = getnum(&v, true, &day); break;
        case T_HOUR:
            ok = getnum(&v, false, &hour);
            if (hour < 0 || hour >= 24) range = "hour";
            break;
        case T_MIN:
            ok = getnum(&v, true, &min);
            if (min < 0 || min >= 60) range = "minute";
            break;
        case T_SEC:
            ok = getnum(&v, true, &sec);
            if (!ok) break;
            if (sec < 0 || sec >= 60) {
                range = "second";
                break;
            }
            /* A fraction the layout does not spell out is still taken. */
            if (!micro && strlen(v) >= 2 && (v[0] == '.' || v[0] == ',') && isdig(v[1])) {
                size_t nd = 2;
                while (isdig(v[nd]))
                    nd++;
                ok = parse_nanos(v, nd, &nsec, &range);
                v += nd;
            }
            break;
        case T_FRAC:
            if (strlen(v) < 7) {
                ok = false;
                break;
            }
            ok = parse_nanos(v, 7, &nsec, &range);
            v += 7;
            break;
        case T_TZ: {
            if (v[0] == 'Z') {
                v++;
                utc = true;
                break;
            }
            if (strlen(v) < 6 || v[3] != ':') {
                ok = false;
                break;
            }
            char sign = v[0];
            const char *hp = v + 1, *mp = v + 4;
            int hr = 0, mm = 0;
            v += 6;
            ok = getnum(&hp, true, &hr) && getnum(&mp, true, &mm);
            if (hr > 24) range = "time zone offset hour";
            if (mm > 60) range = "time zone offset minute";
            zone = ((int64_t)hr * 60 + mm) * 60;
            if (sign == '-')
                zone = -zone;
            else if (sign != '+')
                ok = false;
            break;
        }
        default: break;
        }
        if (range) {
            char msg[80];
            snprintf(msg, sizeof(msg), ": %s out of range", range);
            return time_fail(err, layout, orig, NULL, NULL, msg);
        }
        if (!ok) return time_fail(err, layout, orig, hold, chunks[c].text, NULL);
    }
    if (day < 1 || day > days_in(month, year))
        return time_fail(err, layout, orig, NULL, NULL, ": day out of range");
    t->sec = days_from_civil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec;
    if (!utc && zone != -1) t->sec -= zone;
    t->nsec = (int32_t)nsec;
    return SK_OK;
}

sk_err sk_time_parse(const char *s, struct sk_time *t, struct sk_error **err)
{
    return time_parse(s, false, t, err);
}

sk_err sk_microtime_parse(const char *s, struct sk_time *t, struct sk_error **err)
{
    return time_parse(s, true, t, err);
}

static size_t time_format(struct sk_time t, int frac_digits, char *buf)
{
    int64_t days = t.sec / 86400, rem = t.sec % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    size_t n = 0;
    if (y < 0)
        n = (size_t)snprintf(buf, SK_TIME_STRMAX, "-%04lld", (long long)-y);
    else
        n = (size_t)snprintf(buf, SK_TIME_STRMAX, "%04lld", (long long)y);
    n += (size_t)snprintf(buf + n, SK_TIME_STRMAX - n, "-%02d-%02dT%02d:%02d:%02d", m, d,
                          (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
    if (frac_digits > 0) {
        int32_t ns = t.nsec;
        for (int i = frac_digits; i < 9; i++)
            ns /= 10;
        n += (size_t)snprintf(buf + n, SK_TIME_STRMAX - n, ".%0*d", frac_digits, (int)ns);
    }
    buf[n++] = 'Z';
    buf[n] = 0;
    return n;
}

size_t sk_time_format(struct sk_time t, char *buf)
{
    return time_format(t, 0, buf);
}

size_t sk_microtime_format(struct sk_time t, char *buf)
{
    return time_format(t, 6, buf);
}

bool sk_time_is_zero(struct sk_time t)
{
    return t.sec == SK_TIME_ZERO_UNIX && t.nsec == 0;
}

/* ------------------------------------------------------------------ */
/* intstr.IntOrString                                                  */
/* ------------------------------------------------------------------ */

/* strconv.Atoi on a 64-bit platform: 0 ok, 1 syntax error, 2 range. */
static int go_atoi(const char *s, size_t n, int64_t *out)
{
    if (n > 0 && n < 19) {
        size_t i = 0;
        bool neg = false;
        if (s[0] == '-' || s[0] == '+') {
            neg = s[0] == '-';
            if (n == 1) return 1;
            i = 1;
        }
        int64_t v = 0;
        for (; i < n; i++) {
            if (!isdig(s[i])) return 1;
            v = v * 10 + (s[i] - '0');
        }
        *out = neg ? -v : v;
        return 0;
    }
    return sk_go_parse_int(s, n, out);
}

/* Go's float64-to-int conversion on amd64 gives INT64_MIN for values it
 * cannot represent; C leaves that undefined. */
static int64_t go_f2i(double f)
{
    if (!(f >= -9223372036854775808.0 && f < 9223372036854775808.0)) return INT64_MIN;
    return (int64_t)f;
}

sk_err sk_intstr_scaled(const struct sk_val *v, int64_t total, bool round_up, int64_t *out,
                        struct sk_error **err)
{
    int64_t value;
    *out = 0;
    if (!v || v->type == SK_V_NULL) return sk_fail(err, SK_EINVAL, "nil value for IntOrString");
    if (v->type == SK_V_INT) {
        if (v->u.i < INT32_MIN || v->u.i > INT32_MAX)
            return sk_fail(err, SK_EINVAL,
                           "invalid value for IntOrString: %lld does not fit in an int32",
                           (long long)v->u.i);
        *out = v->u.i;
        return SK_OK;
    }
    if (v->type != SK_V_STR)
        return sk_fail(err, SK_EINVAL,
                       "invalid value for IntOrString: invalid type: neither int nor percentage");
    const char *s = v->u.s.p;
    size_t n = v->u.s.len;
    if (n == 0 || s[n - 1] != '%')
        return sk_fail(err, SK_EINVAL,
                       "invalid value for IntOrString: invalid type: string is not a percentage");
    int rc = go_atoi(s, n - 1, &value);
    if (rc != 0) {
        char *qs = sk_go_quote(s, n), *qn = sk_go_quote(s, n - 1);
        sk_fail(err, SK_EINVAL,
                "invalid value for IntOrString: invalid value %s: strconv.Atoi: parsing %s: %s", qs,
                qn, rc == 1 ? "invalid syntax" : "value out of range");
        free(qs);
        free(qn);
        return SK_EINVAL;
    }
    double r = (double)value * (double)total / 100;
    *out = go_f2i(round_up ? ceil(r) : floor(r));
    return SK_OK;
}
