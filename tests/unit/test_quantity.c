/* Tests for core/quantity.c: Quantity parsing, canonical forms and
 * arithmetic, Go durations, RFC 3339 times and IntOrString, with cases taken
 * from Kubernetes' and Go's own tests. Table tests report every mismatch
 * before failing, so one run shows the whole picture. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quantity.h"
#include "val.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            print_error("%s:%d: ", __FILE__, __LINE__);                                            \
            print_error(__VA_ARGS__);                                                              \
            print_error("\n");                                                                     \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

#define DONE()                                                                                     \
    do {                                                                                           \
        int f_ = failures;                                                                         \
        failures = 0;                                                                              \
        assert_int_equal(f_, 0);                                                                   \
    } while (0)

static const char *fmtname(enum sk_qformat f)
{
    return f == SK_QFMT_BINARY_SI     ? "BinarySI"
           : f == SK_QFMT_DECIMAL_EXP ? "DecimalExponent"
                                      : "DecimalSI";
}

/* ---- Quantity parse: value and format (TestQuantityParse) ---- */

#define DEC SK_QFMT_DECIMAL_SI
#define BIN SK_QFMT_BINARY_SI
#define EXP SK_QFMT_DECIMAL_EXP

static const struct {
    const char *in;
    int64_t v;
    int32_t scale;
    enum sk_qformat fmt;
} parse_values[] = {
        {"0", 0, 0, DEC},
        {"0n", 0, 0, DEC},
        {"0u", 0, 0, DEC},
        {"0m", 0, 0, DEC},
        {"0Ki", 0, 0, BIN},
        {"0k", 0, 0, DEC},
        {"0Mi", 0, 0, BIN},
        {"0M", 0, 0, DEC},
        {"0Gi", 0, 0, BIN},
        {"0G", 0, 0, DEC},
        {"0Ti", 0, 0, BIN},
        {"0T", 0, 0, DEC},
        {"1", 1, 0, DEC},
        {"1Ki", 1024, 0, BIN},
        {"8Ki", 8 * 1024, 0, BIN},
        {"7Mi", 7LL * 1024 * 1024, 0, BIN},
        {"6Gi", 6LL * 1024 * 1024 * 1024, 0, BIN},
        {"5Ti", 5LL * 1024 * 1024 * 1024 * 1024, 0, BIN},
        {"4Pi", 4LL * 1024 * 1024 * 1024 * 1024 * 1024, 0, BIN},
        {"3Ei", 3LL * 1024 * 1024 * 1024 * 1024 * 1024 * 1024, 0, BIN},
        {"10Ti", 10LL * 1024 * 1024 * 1024 * 1024, 0, BIN},
        {"100Ti", 100LL * 1024 * 1024 * 1024 * 1024, 0, BIN},
        {"5n", 5, -9, DEC},
        {"4u", 4, -6, DEC},
        {"3m", 3, -3, DEC},
        {"9", 9, 0, DEC},
        {"8k", 8, 3, DEC},
        {"50k", 5, 4, DEC},
        {"7M", 7, 6, DEC},
        {"6G", 6, 9, DEC},
        {"5T", 5, 12, DEC},
        {"40T", 4, 13, DEC},
        {"300T", 3, 14, DEC},
        {"2P", 2, 15, DEC},
        {"1E", 1, 18, DEC},
        {"1E-3", 1, -3, EXP},
        {"1e3", 1, 3, EXP},
        {"1E6", 1, 6, EXP},
        {"1e9", 1, 9, EXP},
        {"1E12", 1, 12, EXP},
        {"1e15", 1, 15, EXP},
        {"1E18", 1, 18, EXP},
        {"1e14", 1, 14, EXP},
        {"1e13", 1, 13, EXP},
        {"100.035k", 100035, 0, DEC},
        {"0.001", 1, -3, DEC},
        {"0.0005k", 5, -1, DEC},
        {"0.005", 5, -3, DEC},
        {"0.05", 5, -2, DEC},
        {"0.5", 5, -1, DEC},
        {"0.00050k", 5, -1, DEC},
        {"0.00500", 5, -3, DEC},
        {"0.05000", 5, -2, DEC},
        {"0.50000", 5, -1, DEC},
        {"0.5e0", 5, -1, EXP},
        {"0.5e-1", 5, -2, EXP},
        {"0.5e-2", 5, -3, EXP},
        {"10.035M", 10035, 3, DEC},
        {"1.2e3", 12, 2, EXP},
        {"1.3E+6", 13, 5, EXP},
        {"1.40e9", 14, 8, EXP},
        {"1.53E12", 153, 10, EXP},
        {"1.6e15", 16, 14, EXP},
        {"1.7E18", 17, 17, EXP},
        {"9.01", 901, -2, DEC},
        {"8.1k", 81, 2, DEC},
        {"7.123456M", 7123456, 0, DEC},
        {"6.987654321G", 6987654321, 0, DEC},
        {"5.444T", 5444, 9, DEC},
        {"40.1T", 401, 11, DEC},
        {"300.2T", 3002, 11, DEC},
        {"2.5P", 25, 14, DEC},
        {"1.01E", 101, 16, DEC},
        /* things that saturate or round */
        {"3.001n", 4, -9, DEC},
        {"1.1E-9", 2, -9, EXP},
        {"0.0000000001", 1, -9, DEC},
        {"0.0000000005", 1, -9, DEC},
        {"0.00000000050", 1, -9, DEC},
        {"0.5e-9", 1, -9, EXP},
        {"0.9n", 1, -9, DEC},
        {"0.00000012345", 124, -9, DEC},
        {"0.00000012354", 124, -9, DEC},
        {"9Ei", INT64_MAX, 0, BIN},
        {"9223372036854775807Ki", INT64_MAX, 0, BIN},
        {"12E", 12, 18, DEC},
        /* fractional binary */
        {"100.035Ki", 10243584, -2, BIN},
        {"0.5Mi", 524288, 0, BIN},
        {"0.05Gi", 536870912, -1, BIN},
        {"0.025Ti", 274877906944, -1, BIN},
        /* things written by trolls */
        {"0.000000000001Ki", 2, -9, DEC},
        {".001", 1, -3, DEC},
        {".0001k", 100, -3, DEC},
        {"1.", 1, 0, DEC},
        {"1.G", 1, 9, DEC},
};

static void check_parse(const char *in, int64_t v, int32_t scale, enum sk_qformat fmt, bool neg)
{
    struct sk_quantity got, want;
    struct sk_error *e = NULL;
    if (sk_quantity_parse(in, &got, &e) != SK_OK) {
        CHECK(0, "%s: unexpected error: %s", in, e->msg);
        sk_error_free(e);
        return;
    }
    sk_quantity_from_scaled(&want, v, scale, fmt);
    if (neg) sk_quantity_neg(&want);
    char g[SK_QUANTITY_STRMAX], w[SK_QUANTITY_STRMAX];
    sk_quantity_format(&got, g);
    sk_quantity_format(&want, w);
    CHECK(sk_quantity_cmp(&got, &want) == 0, "%s: value %s, want %s", in, g, w);
    CHECK(got.fmt == fmt, "%s: format %s, want %s", in, fmtname(got.fmt), fmtname(fmt));
}

static void test_parse_values(void **state)
{
    (void)state;
    char buf[64];
    for (size_t i = 0; i < sizeof(parse_values) / sizeof(parse_values[0]); i++) {
        const char *in = parse_values[i].in;
        check_parse(in, parse_values[i].v, parse_values[i].scale, parse_values[i].fmt, false);
        snprintf(buf, sizeof(buf), "-%s", in);
        check_parse(buf, parse_values[i].v, parse_values[i].scale, parse_values[i].fmt, true);
        snprintf(buf, sizeof(buf), "+%s", in);
        check_parse(buf, parse_values[i].v, parse_values[i].scale, parse_values[i].fmt, false);
    }
    DONE();
}

static const char err_format[] = "quantities must match the regular expression "
                                 "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
static const char err_suffix[] = "unable to parse quantity's suffix";
static const char err_numeric[] = "unable to parse numeric part of quantity";

static void test_parse_errors(void **state)
{
    (void)state;
    static const struct {
        const char *in, *msg;
    } cases[] = {
            {"1.1.M", err_format},
            {"1+1.0M", err_format},
            {"0.1mi", err_suffix},
            {"0.1am", err_format},
            {"aoeu", err_format},
            {".5i", err_suffix},
            {"1i", err_suffix},
            {"-3.01i", err_suffix},
            {"-3.01e-", err_suffix},
            {" 1", err_format},
            {"1 ", err_format},
            {"", err_format},
            {"Non-Numeric", err_format},
            {"1ee", err_suffix},
            {"1E+", err_suffix},
            {"1e", err_suffix},
            {"1Ki5", err_suffix},
            {"1e5i", err_format},
            {"1e99999999999999999999", err_suffix},
            /* no digit at all, and a scale that leaves the int64 fast path */
            {".e-10", err_numeric},
            {"-.e-10", err_numeric},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sk_quantity q;
        struct sk_error *e = NULL;
        sk_err rc = sk_quantity_parse(cases[i].in, &q, &e);
        CHECK(rc == SK_EINVAL, "%s: rc %d", cases[i].in, rc);
        CHECK(e && strcmp(e->msg, cases[i].msg) == 0, "%s: error %s", cases[i].in,
              e ? e->msg : "(none)");
        sk_error_free(e);
    }
    DONE();
}

/* ---- canonical strings ---- */

static void check_canon(const char *in, const char *canon, const char *stored)
{
    struct sk_quantity q;
    struct sk_error *e = NULL;
    char *s = sk_quantity_normalize(in, &q, &e);
    if (!s) {
        CHECK(0, "%s: unexpected error: %s", in, e->msg);
        sk_error_free(e);
        return;
    }
    char buf[SK_QUANTITY_STRMAX];
    sk_quantity_format(&q, buf);
    CHECK(strcmp(buf, canon) == 0, "%s: canonical %s, want %s", in, buf, canon);
    CHECK(strcmp(s, stored) == 0, "%s: stored %s, want %s", in, s, stored);
    free(s);
}

static void test_canonical(void **state)
{
    (void)state;
    static const struct {
        const char *in, *canon, *stored;
    } cases[] = {
            {"100m", "100m", "100m"},
            {"1.5", "1500m", "1500m"},
            {"1e3", "1e3", "1e3"},
            {"1E3", "1e3", "1E3"},
            {"1024Mi", "1Gi", "1Gi"},
            {"0.5Gi", "512Mi", "512Mi"},
            {"1000m", "1", "1"},
            {"0.1", "100m", "100m"},
            {"500u", "500u", "500u"},
            {"2Gi", "2Gi", "2Gi"},
            {"512Mi", "512Mi", "512Mi"},
            {"1.5Gi", "1536Mi", "1536Mi"},
            {"1.5Ki", "1536", "1536"},
            {"-5", "-5", "-5"},
            {"0", "0", "0"},
            {"00", "0", "0"},
            {"-0", "0", "0"},
            {".", "0", "0"},
            {"1000", "1k", "1k"},
            {"1000000", "1M", "1M"},
            {"1.5k", "1500", "1500"},
            /* apimachinery keeps the text its fast path takes for canonical */
            {"+1", "1", "+1"},
            {"01", "1", "01"},
            {"1.500", "1500m", "1.500"},
            {"1.001", "1001m", "1.001"},
            {"+1Ki", "1Ki", "+1Ki"},
            {"1025Ki", "1025Ki", "1025Ki"},
            {"1e4294967296", "1", "1e4294967296"},
            /* TestQuantityParseEmit */
            {"1Ki", "1Ki", "1Ki"},
            {"1Mi", "1Mi", "1Mi"},
            {"1Gi", "1Gi", "1Gi"},
            {"1000M", "1G", "1G"},
            {".001Ki", "1024m", "1024m"},
            {".000001Ki", "1024u", "1024u"},
            {".000000001Ki", "1024n", "1024n"},
            {".000000000001Ki", "2n", "2n"},
            {"-1Ki", "-1Ki", "-1Ki"},
            {"-1024Mi", "-1Gi", "-1Gi"},
            {"-.001Ki", "-1024m", "-1024m"},
            {"-.000000000001Ki", "-2n", "-2n"},
            /* alternates from TestQuantityString */
            {"307200Ki", "300Mi", "300Mi"},
            {"1025024Mi", "1001Gi", "1001Gi"},
            {"1024Gi", "1Ti", "1Ti"},
            {"5000m", "5", "5"},
            {"0.5", "500m", "500m"},
            {"0.001T", "1G", "1G"},
            {"1000u", "1m", "1m"},
            {"1.08", "1080m", "1080m"},
            {"1080000000n", "1080m", "1080m"},
            {".001e12", "1e9", "1e9"},
            {"0.001e0", "1e-3", "1e-3"},
            {"1000e-12", "1e-9", "1e-9"},
            /* TestParseQuantity, past int64 */
            {"999999999999999999", "999999999999999999", "999999999999999999"},
            {"-999999999999999999.1", "-999999999999999999100m", "-999999999999999999100m"},
            {"9999999999999999999", "9999999999999999999", "9999999999999999999"},
            {"9999999999999999999.1", "9999999999999999999100m", "9999999999999999999100m"},
            {"1000000000000000000", "1E", "1E"},
            {"-1.0E", "-1E", "-1E"},
            {"9999999999999999999000m", "9999999999999999999", "9999999999999999999"},
            {"1.0000000000000000001E", "1000000000000000000100m", "1000000000000000000100m"},
            {"1.000000000000000001E", "1000000000000000001", "1000000000000000001"},
            {"10000000000000000000", "10E", "10E"},
            {"10000000000000000000000m", "10E", "10E"},
            {"-10.0E", "-10E", "-10E"},
            {"10.0000000000000000001E", "10000000000000000000100m", "10000000000000000000100m"},
            {"-9223372036854775809", "-9223372036854775809", "-9223372036854775809"},
            {"9223372036854775807.1", "9223372036854775807100m", "9223372036854775807100m"},
            {"9223372036854775808000m", "9223372036854775808", "9223372036854775808"},
            /* binary values are capped, decimal ones are not */
            {"9Ei", "9223372036854775807", "9223372036854775807"},
            {"8Ei", "9223372036854775807", "9223372036854775807"},
            {"7Ei", "7Ei", "7Ei"},
            {"100Ei", "9223372036854775807", "9223372036854775807"},
            /* DecimalSI past E is written with an exponent (upstream fix) */
            {"1000E", "1e21", "1e21"},
            {"1000000E", "1e24", "1e24"},
            {"100E", "100E", "100E"},
            {"1e21", "1e21", "1e21"},
            {"1e100", "10e99", "10e99"},
            {"1e99", "1e99", "1e99"},
            {"1e-100", "1e-9", "1e-9"},
            {"123456789012345678901234567890.5", "123456789012345678901234567890500m",
             "123456789012345678901234567890500m"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_canon(cases[i].in, cases[i].canon, cases[i].stored);
    DONE();
}

static void test_format_constructed(void **state)
{
    (void)state;
    static const struct {
        int64_t v;
        int32_t scale;
        enum sk_qformat fmt;
        const char *want;
    } cases[] = {
            /* TestQuantityString */
            {1024 * 1024 * 1024, 0, BIN, "1Gi"},
            {300 * 1024 * 1024, 0, BIN, "300Mi"},
            {6 * 1024, 0, BIN, "6Ki"},
            {1001LL * 1024 * 1024 * 1024, 0, BIN, "1001Gi"},
            {1024LL * 1024 * 1024 * 1024, 0, BIN, "1Ti"},
            {5, 0, BIN, "5"},
            {500, -3, BIN, "500m"},
            {1, 9, DEC, "1G"},
            {1000, 6, DEC, "1G"},
            {1000000, 3, DEC, "1G"},
            {1000000000, 0, DEC, "1G"},
            {1, -3, DEC, "1m"},
            {80, -3, DEC, "80m"},
            {1080, -3, DEC, "1080m"},
            {108, -2, DEC, "1080m"},
            {10800, -4, DEC, "1080m"},
            {300, 6, DEC, "300M"},
            {1, 12, DEC, "1T"},
            {1234567, 6, DEC, "1234567M"},
            {1234567, -3, BIN, "1234567m"},
            {3, 3, DEC, "3k"},
            {1025, 0, BIN, "1025"},
            {0, 0, DEC, "0"},
            {0, 0, BIN, "0"},
            {1, 9, EXP, "1e9"},
            {1, -3, EXP, "1e-3"},
            {1, -9, EXP, "1e-9"},
            {80, -3, EXP, "80e-3"},
            {300, 6, EXP, "300e6"},
            {1, 12, EXP, "1e12"},
            {1, 3, EXP, "1e3"},
            {3, 3, EXP, "3e3"},
            {0, 0, EXP, "0"},
            {1, -9, DEC, "1n"},
            {80, -9, DEC, "80n"},
            {1080, -9, DEC, "1080n"},
            {108, -8, DEC, "1080n"},
            {10800, -10, DEC, "1080n"},
            {1, -6, DEC, "1u"},
            {80, -6, DEC, "80u"},
            {1080, -6, DEC, "1080u"},
            {-1080, -6, DEC, "-1080u"},
            {-1024 * 1024, 0, BIN, "-1Mi"},
            /* TestNewSet, TestMilliNewSet, TestNewScaledSet */
            {1000, 0, DEC, "1k"},
            {1234000, 0, DEC, "1234k"},
            {1024, 0, BIN, "1Ki"},
            {1024, -3, BIN, "1024m"},
            {1024 * 1024, -3, BIN, "1048576m"},
            {1000000, -3, EXP, "1e3"},
            {1000, -9, DEC, "1u"},
            {1000, -3, DEC, "1"},
            {1234000, -3, DEC, "1234"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sk_quantity q;
        char buf[SK_QUANTITY_STRMAX];
        sk_quantity_from_scaled(&q, cases[i].v, cases[i].scale, cases[i].fmt);
        sk_quantity_format(&q, buf);
        CHECK(strcmp(buf, cases[i].want) == 0, "%lld*10^%d %s: got %s want %s",
              (long long)cases[i].v, cases[i].scale, fmtname(cases[i].fmt), buf, cases[i].want);
        /* the canonical text reads back to the same value and text */
        struct sk_quantity r;
        struct sk_error *e = NULL;
        char *s = sk_quantity_normalize(buf, &r, &e);
        CHECK(s && strcmp(s, buf) == 0, "%s: normalised to %s", buf, s ? s : e->msg);
        CHECK(s && sk_quantity_cmp(&q, &r) == 0, "%s: did not read back", buf);
        free(s);
        sk_error_free(e);
    }
    struct sk_quantity q;
    char buf[SK_QUANTITY_STRMAX];
    sk_quantity_from_int(&q, 1024 * 1024, BIN);
    sk_quantity_format(&q, buf);
    assert_string_equal(buf, "1Mi");
    sk_quantity_from_milli(&q, 1, DEC);
    sk_quantity_format(&q, buf);
    assert_string_equal(buf, "1m");
    sk_quantity_from_int(&q, INT64_MIN, DEC);
    sk_quantity_format(&q, buf);
    assert_string_equal(buf, "-9223372036854775808");
    DONE();
}

static void test_values(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int64_t value, milli;
    } cases[] = {
            {"100m", 1, 100},
            {"1.5", 2, 1500},
            {"-1.5", -2, -1500},
            {"512Mi", 536870912, 536870912000},
            {"0.1", 1, 100},
            {"1n", 1, 1},
            {"-1n", -1, -1},
            {"1", 1, 1000},
            {"2Gi", 2147483648, 2147483648000},
            {"9223372036854775807", INT64_MAX, INT64_MAX},
            {"-9223372036854775808", INT64_MIN, INT64_MIN},
            {"1e100", INT64_MAX, INT64_MAX},
            {"-1e100", INT64_MIN, INT64_MIN},
            {"9223372036854775807m", 9223372036854776, INT64_MAX},
            {"0", 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sk_quantity q;
        assert_int_equal(sk_quantity_parse(cases[i].in, &q, NULL), SK_OK);
        int64_t v = sk_quantity_value(&q), m = sk_quantity_milli_value(&q);
        CHECK(v == cases[i].value, "%s: value %lld", cases[i].in, (long long)v);
        CHECK(m == cases[i].milli, "%s: milli %lld", cases[i].in, (long long)m);
    }
    /* TestScaledValue */
    static const struct {
        int32_t from, to;
        int64_t want;
    } sv[] = {
            {-9, -9, 1}, {-9, -6, 1},    {-9, -3, 1},         {-9, 0, 1},        {-6, -9, 1000},
            {-6, -6, 1}, {-6, -3, 1},    {-6, 0, 1},          {-3, -9, 1000000}, {-3, -6, 1000},
            {-3, -3, 1}, {-3, 0, 1},     {0, -9, 1000000000}, {0, -6, 1000000},  {0, -3, 1000},
            {0, 0, 1},   {2, -2, 10000},
    };
    for (size_t i = 0; i < sizeof(sv) / sizeof(sv[0]); i++) {
        struct sk_quantity q;
        int64_t got;
        sk_quantity_from_scaled(&q, 1, sv[i].from, DEC);
        CHECK(sk_quantity_scaled_value(&q, sv[i].to, &got) && got == sv[i].want,
              "1e%d at scale %d: %lld", sv[i].from, sv[i].to, (long long)got);
    }
    struct sk_quantity q;
    int64_t got;
    sk_quantity_parse("1e19", &q, NULL);
    assert_false(sk_quantity_scaled_value(&q, 0, &got));
    assert_true(got == INT64_MAX);
    DONE();
}

static void test_cmp_add_sub(void **state)
{
    (void)state;
    static const struct {
        const char *a, *b;
        int cmp;
    } cmps[] = {
            {"9.01", "9.01", 0},
            {"9", "9.01", -1},
            {"9.01", "9", 1},
            {"0", "-0", 0},
            {"800m", "1", -1},
            {"800m", "790m", 1},
            {"1Ki", "1024", 0},
            {"1k", "1Ki", -1},
            {"-1k", "-1Ki", 1},
            {"1e100", "1e99", 1},
            {"1e-9", "0", 1},
            {"-1", "1", -1},
            {"9223372036854775807", "100m", 1},
            {"92233720368547758070", "10", 1},
            {"1E", "1000000000000000000", 0},
            {"10", "1000000000000000000e-17", 0},
            {"1000000000000000001e-17", "10", 1},
    };
    for (size_t i = 0; i < sizeof(cmps) / sizeof(cmps[0]); i++) {
        struct sk_quantity a, b;
        assert_int_equal(sk_quantity_parse(cmps[i].a, &a, NULL), SK_OK);
        assert_int_equal(sk_quantity_parse(cmps[i].b, &b, NULL), SK_OK);
        CHECK(sk_quantity_cmp(&a, &b) == cmps[i].cmp, "cmp(%s, %s)", cmps[i].a, cmps[i].b);
        CHECK(sk_quantity_cmp(&b, &a) == -cmps[i].cmp, "cmp(%s, %s)", cmps[i].b, cmps[i].a);
    }

    /* TestAdd / TestSub, and sums whose exponents differ */
    static const struct {
        const char *a, *b, *sum, *diff;
        enum sk_qformat fmt;
    } sums[] = {
            {"10", "1e1", "20", "0", DEC},
            {"10", "1Ki", "1034", "-1014", DEC},
            {"10Ki", "1", "10241", "10239", BIN},
            {"0", "50", "50", "-50", DEC},
            {"50", "0", "50", "50", DEC},
            {"0", "0", "0", "0", DEC},
            {"100m", "250m", "350m", "-150m", DEC},
            {"1Gi", "512Mi", "1536Mi", "512Mi", BIN},
            {"1", "1n", "1000000001n", "999999999n", DEC},
            {"1e30", "1", "1000000000000000000000000000001", "999999999999999999999999999999", EXP},
    };
    for (size_t i = 0; i < sizeof(sums) / sizeof(sums[0]); i++) {
        struct sk_quantity a, b, s, d;
        char got[SK_QUANTITY_STRMAX];
        assert_int_equal(sk_quantity_parse(sums[i].a, &a, NULL), SK_OK);
        assert_int_equal(sk_quantity_parse(sums[i].b, &b, NULL), SK_OK);
        s = d = a;
        assert_int_equal(sk_quantity_add(&s, &b, NULL), SK_OK);
        assert_int_equal(sk_quantity_sub(&d, &b, NULL), SK_OK);
        sk_quantity_format(&s, got);
        CHECK(strcmp(got, sums[i].sum) == 0, "%s + %s = %s", sums[i].a, sums[i].b, got);
        sk_quantity_format(&d, got);
        CHECK(strcmp(got, sums[i].diff) == 0, "%s - %s = %s", sums[i].a, sums[i].b, got);
        CHECK(s.fmt == sums[i].fmt, "%s + %s: format %s", sums[i].a, sums[i].b, fmtname(s.fmt));
    }
    /* a zero takes the other side's format */
    struct sk_quantity z, k;
    sk_quantity_from_int(&z, 0, DEC);
    sk_quantity_parse("1Ki", &k, NULL);
    sk_quantity_add(&z, &k, NULL);
    assert_int_equal(z.fmt, BIN);

    /* sums that need more than 38 digits fail and leave q alone */
    struct sk_quantity big, one;
    struct sk_error *e = NULL;
    sk_quantity_parse("1e50", &big, NULL);
    sk_quantity_parse("1", &one, NULL);
    assert_int_equal(sk_quantity_add(&big, &one, &e), SK_ETOOBIG);
    assert_non_null(e);
    sk_error_free(e);
    char buf[SK_QUANTITY_STRMAX];
    sk_quantity_format(&big, buf);
    assert_string_equal(buf, "100e48");
    /* ... unless they cancel */
    struct sk_quantity a, b;
    sk_quantity_parse("1e38", &a, NULL);
    sk_quantity_parse("-99999999999999999999999999999999999999", &b, NULL);
    assert_int_equal(sk_quantity_add(&a, &b, NULL), SK_OK);
    sk_quantity_format(&a, buf);
    assert_string_equal(buf, "1");
    DONE();
}

static void test_too_big(void **state)
{
    (void)state;
    struct sk_quantity q;
    struct sk_error *e = NULL;
    /* 39 significant digits: apimachinery keeps them, skiff refuses */
    assert_int_equal(sk_quantity_parse("123456789012345678901234567890123456789", &q, &e),
                     SK_ETOOBIG);
    assert_non_null(e);
    sk_error_free(e);
    e = NULL;
    assert_int_equal(sk_quantity_parse("10e2147483647", &q, &e), SK_ETOOBIG);
    sk_error_free(e);
    /* but long inputs whose value is small are fine */
    assert_int_equal(
            sk_quantity_parse("0.000000000000000000000000000000000000000000000001", &q, NULL),
            SK_OK);
    sk_quantity_format(&q, (char[SK_QUANTITY_STRMAX]){0});
    assert_int_equal(
            sk_quantity_parse("1000000000000000000000000000000000000000000000000000", &q, NULL),
            SK_OK);
}

static void test_from_val(void **state)
{
    (void)state;
    struct {
        struct sk_val *v;
        const char *stored;
    } cases[] = {
            {sk_val_str(" 1 "), "1"},     {sk_val_str("\t100m\n"), "100m"},
            {sk_val_str("1.5"), "1500m"}, {sk_val_int(2), "2"},
            {sk_val_int(-2048), "-2048"}, {sk_val_float(0.5), "500m"},
            {sk_val_float(1.0), "1"},     {sk_val_float(0.1), "100m"},
            {sk_val_null(), "0"},         {NULL, "0"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct sk_quantity q;
        char *stored = NULL;
        struct sk_error *e = NULL;
        sk_err rc = sk_quantity_from_val(cases[i].v, &q, &stored, &e);
        CHECK(rc == SK_OK, "case %zu: %s", i, e ? e->msg : "");
        CHECK(stored && strcmp(stored, cases[i].stored) == 0, "case %zu: stored %s", i,
              stored ? stored : "(null)");
        free(stored);
        sk_error_free(e);
        sk_val_free(cases[i].v);
    }
    struct sk_val *b = sk_val_bool(true);
    struct sk_quantity q;
    struct sk_error *e = NULL;
    assert_int_equal(sk_quantity_from_val(b, &q, NULL, &e), SK_EINVAL);
    assert_string_equal(e->msg, err_format);
    sk_error_free(e);
    sk_val_free(b);
    DONE();
}

/* ---- durations (Go's parseDurationTests and durationTests) ---- */

static void test_duration(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int64_t ns;
        const char *out;
    } ok[] = {
            {"0", 0, "0s"},
            {"5s", 5000000000, "5s"},
            {"30s", 30000000000, "30s"},
            {"1478s", 1478000000000, "24m38s"},
            {"-5s", -5000000000, "-5s"},
            {"+5s", 5000000000, "5s"},
            {"-0", 0, "0s"},
            {"+0", 0, "0s"},
            {"5.0s", 5000000000, "5s"},
            {"5.6s", 5600000000, "5.6s"},
            {"5.s", 5000000000, "5s"},
            {".5s", 500000000, "500ms"},
            {"1.0s", 1000000000, "1s"},
            {"1.00s", 1000000000, "1s"},
            {"1.004s", 1004000000, "1.004s"},
            {"1.0040s", 1004000000, "1.004s"},
            {"100.00100s", 100001000000, "1m40.001s"},
            {"10ns", 10, "10ns"},
            {"11us", 11000, "11\xc2\xb5s"},
            {"12\xc2\xb5s", 12000, "12\xc2\xb5s"},
            {"12\xce\xbcs", 12000, "12\xc2\xb5s"},
            {"13ms", 13000000, "13ms"},
            {"14s", 14000000000, "14s"},
            {"15m", 900000000000, "15m0s"},
            {"16h", 57600000000000, "16h0m0s"},
            {"300ms", 300000000, "300ms"},
            {"1.5h", 5400000000000, "1h30m0s"},
            {"2h45m", 9900000000000, "2h45m0s"},
            {"-1s", -1000000000, "-1s"},
            {"3h30m", 12600000000000, "3h30m0s"},
            {"10.5s4m", 250500000000, "4m10.5s"},
            {"-2m3.4s", -123400000000, "-2m3.4s"},
            {"1h2m3s4ms5us6ns", 3723004005006, "1h2m3.004005006s"},
            {"39h9m14.425s", 140954425000000, "39h9m14.425s"},
            {"52763797000ns", 52763797000, "52.763797s"},
            {"0.3333333333333333333h", 1200000000000, "20m0s"},
            {"9007199254740993ns", 9007199254740993, "2501h59m59.254740993s"},
            {"9223372036854775807ns", INT64_MAX, "2562047h47m16.854775807s"},
            {"9223372036854775.807us", INT64_MAX, "2562047h47m16.854775807s"},
            {"9223372036s854ms775us807ns", INT64_MAX, "2562047h47m16.854775807s"},
            {"-9223372036854775808ns", INT64_MIN, "-2562047h47m16.854775808s"},
            {"-9223372036854775.808us", INT64_MIN, "-2562047h47m16.854775808s"},
            {"0.100000000000000000000h", 360000000000, "6m0s"},
            {"0.830103483285477580700h", 2988372539827, "49m48.372539827s"},
            {"1.1us", 1100, "1.1\xc2\xb5s"},
            {"2.2ms", 2200000, "2.2ms"},
            {"8m0.000000001s", 480000000001, "8m0.000000001s"},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        int64_t ns;
        struct sk_error *e = NULL;
        char buf[SK_DURATION_STRMAX];
        if (sk_duration_parse(ok[i].in, &ns, &e) != SK_OK) {
            CHECK(0, "%s: %s", ok[i].in, e->msg);
            sk_error_free(e);
            continue;
        }
        CHECK(ns == ok[i].ns, "%s: %lld ns, want %lld", ok[i].in, (long long)ns,
              (long long)ok[i].ns);
        sk_duration_format(ns, buf);
        CHECK(strcmp(buf, ok[i].out) == 0, "%s: printed %s, want %s", ok[i].in, buf, ok[i].out);
    }
    static const struct {
        const char *in, *msg;
    } bad[] = {
            {"", "time: invalid duration \"\""},
            {"3", "time: missing unit in duration \"3\""},
            {"-", "time: invalid duration \"-\""},
            {"s", "time: invalid duration \"s\""},
            {".", "time: invalid duration \".\""},
            {"-.", "time: invalid duration \"-.\""},
            {".s", "time: invalid duration \".s\""},
            {"+.s", "time: invalid duration \"+.s\""},
            {"1d", "time: unknown unit \"d\" in duration \"1d\""},
            {"1h 2m", "time: unknown unit \"h \" in duration \"1h 2m\""},
            {"\x85\x85", "time: invalid duration \"\\x85\\x85\""},
            {"\xff"
             "ff",
             "time: invalid duration \"\\xffff\""},
            {"hello \xff"
             "ff world",
             "time: invalid duration \"hello \\xffff world\""},
            {"\xef\xbf\xbd", "time: invalid duration \"\\xef\\xbf\\xbd\""},
            {"1\xef\xbf\xbd", "time: unknown unit \"\\xef\\xbf\\xbd\" in duration "
                              "\"1\\xef\\xbf\\xbd\""},
            {"9223372036854775810ns", "time: invalid duration \"9223372036854775810ns\""},
            {"9223372036854775808ns", "time: invalid duration \"9223372036854775808ns\""},
            {"-9223372036854775809ns", "time: invalid duration \"-9223372036854775809ns\""},
            {"9223372036855ms", "time: invalid duration \"9223372036855ms\""},
            {"-9223372036855ms", "time: invalid duration \"-9223372036855ms\""},
            {"1e3s", "time: unknown unit \"e\" in duration \"1e3s\""},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int64_t ns;
        struct sk_error *e = NULL;
        sk_err rc = sk_duration_parse(bad[i].in, &ns, &e);
        CHECK(rc == SK_EINVAL, "%s: rc %d", bad[i].in, rc);
        CHECK(e && strcmp(e->msg, bad[i].msg) == 0, "%s: %s", bad[i].in, e ? e->msg : "(none)");
        sk_error_free(e);
    }
    char buf[SK_DURATION_STRMAX];
    sk_duration_format(1, buf);
    assert_string_equal(buf, "1ns");
    sk_duration_format(4 * 60000000000LL + 5001000000LL, buf);
    assert_string_equal(buf, "4m5.001s");
    sk_duration_format(5 * 3600000000000LL + 6 * 60000000000LL + 7001000000LL, buf);
    assert_string_equal(buf, "5h6m7.001s");
    DONE();
}

/* ---- metav1.Time and MicroTime ---- */

static void test_time(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        bool micro;
        int64_t sec;
        int32_t nsec;
        const char *out, *mout;
    } ok[] = {
            {"2006-01-02T15:04:05Z", false, 1136214245, 0, "2006-01-02T15:04:05Z",
             "2006-01-02T15:04:05.000000Z"},
            {"2006-01-02T15:04:05.999999999Z", false, 1136214245, 999999999, "2006-01-02T15:04:05Z",
             "2006-01-02T15:04:05.999999Z"},
            {"2006-01-02T15:04:05+07:00", false, 1136189045, 0, "2006-01-02T08:04:05Z",
             "2006-01-02T08:04:05.000000Z"},
            {"2006-01-02T15:04:05-07:30", false, 1136241245, 0, "2006-01-02T22:34:05Z",
             "2006-01-02T22:34:05.000000Z"},
            /* the layout's hour takes one digit, and a comma before a fraction */
            {"2006-01-02T5:04:05Z", false, 1136178245, 0, "2006-01-02T05:04:05Z",
             "2006-01-02T05:04:05.000000Z"},
            {"2006-01-02T15:04:05,5Z", false, 1136214245, 500000000, "2006-01-02T15:04:05Z",
             "2006-01-02T15:04:05.500000Z"},
            {"2004-02-29T00:00:00Z", false, 1078012800, 0, "2004-02-29T00:00:00Z",
             "2004-02-29T00:00:00.000000Z"},
            {"1970-01-01T00:00:00.0000000001Z", false, 0, 0, "1970-01-01T00:00:00Z",
             "1970-01-01T00:00:00.000000Z"},
            {"1969-12-31T23:59:59.5Z", false, -1, 500000000, "1969-12-31T23:59:59Z",
             "1969-12-31T23:59:59.500000Z"},
            {"0001-01-01T00:00:00Z", false, SK_TIME_ZERO_UNIX, 0, "0001-01-01T00:00:00Z",
             "0001-01-01T00:00:00.000000Z"},
            {"0000-01-01T00:00:00+01:00", false, -62167222800, 0, "-0001-12-31T23:00:00Z",
             "-0001-12-31T23:00:00.000000Z"},
            {"9999-12-31T23:59:59-01:00", false, 253402304399, 0, "10000-01-01T00:59:59Z",
             "10000-01-01T00:59:59.000000Z"},
            {"2024-06-30T12:00:00+24:00", false, 1719662400, 0, "2024-06-29T12:00:00Z",
             "2024-06-29T12:00:00.000000Z"},
            {"2006-01-02T15:04:05.123456Z", true, 1136214245, 123456000, "2006-01-02T15:04:05Z",
             "2006-01-02T15:04:05.123456Z"},
            {"2006-01-02T15:04:05.000001+01:00", true, 1136210645, 1000, "2006-01-02T14:04:05Z",
             "2006-01-02T14:04:05.000001Z"},
            {"2006-01-02T15:04:05.+12345Z", true, 1136214245, 12345000, "2006-01-02T15:04:05Z",
             "2006-01-02T15:04:05.012345Z"},
    };
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        struct sk_time t;
        struct sk_error *e = NULL;
        char buf[SK_TIME_STRMAX];
        sk_err rc = ok[i].micro ? sk_microtime_parse(ok[i].in, &t, &e)
                                : sk_time_parse(ok[i].in, &t, &e);
        if (rc != SK_OK) {
            CHECK(0, "%s: %s", ok[i].in, e->msg);
            sk_error_free(e);
            continue;
        }
        CHECK(t.sec == ok[i].sec && t.nsec == ok[i].nsec, "%s: %lld.%09d", ok[i].in,
              (long long)t.sec, t.nsec);
        sk_time_format(t, buf);
        CHECK(strcmp(buf, ok[i].out) == 0, "%s: %s", ok[i].in, buf);
        sk_microtime_format(t, buf);
        CHECK(strcmp(buf, ok[i].mout) == 0, "%s: %s", ok[i].in, buf);
    }
    static const struct {
        const char *in;
        bool micro;
        const char *msg;
    } bad[] = {
            {"", false,
             "parsing time \"\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"\" as "
             "\"2006\""},
            {"2006-01-02", false,
             "parsing time \"2006-01-02\" as \"2006-01-02T15:04:05Z07:00\": cannot parse "
             "\"\" as \"T\""},
            {"2006-01-02 15:04:05Z", false,
             "parsing time \"2006-01-02 15:04:05Z\" as \"2006-01-02T15:04:05Z07:00\": "
             "cannot parse \" 15:04:05Z\" as \"T\""},
            {"2006-01-02T15:04:05", false,
             "parsing time \"2006-01-02T15:04:05\" as \"2006-01-02T15:04:05Z07:00\": "
             "cannot parse \"\" as \"Z07:00\""},
            {"2006-01-02T15:04:05+0700", false,
             "parsing time \"2006-01-02T15:04:05+0700\" as \"2006-01-02T15:04:05Z07:00\": "
             "cannot parse \"+0700\" as \"Z07:00\""},
            {"2006-1-02T15:04:05Z", false,
             "parsing time \"2006-1-02T15:04:05Z\" as \"2006-01-02T15:04:05Z07:00\": "
             "cannot parse \"1-02T15:04:05Z\" as \"01\""},
            {"06-01-02T15:04:05Z", false,
             "parsing time \"06-01-02T15:04:05Z\" as \"2006-01-02T15:04:05Z07:00\": "
             "cannot parse \"06-01-02T15:04:05Z\" as \"2006\""},
            {"2006-02-29T15:04:05Z", false,
             "parsing time \"2006-02-29T15:04:05Z\": day out of range"},
            {"2006-04-31T15:04:05Z", false,
             "parsing time \"2006-04-31T15:04:05Z\": day out of range"},
            {"2006-13-02T15:04:05Z", false,
             "parsing time \"2006-13-02T15:04:05Z\": month out of range"},
            {"2006-00-02T15:04:05Z", false,
             "parsing time \"2006-00-02T15:04:05Z\": month out of range"},
            {"2006-01-02T24:04:05Z", false,
             "parsing time \"2006-01-02T24:04:05Z\": hour out of range"},
            {"2006-01-02T15:60:05Z", false,
             "parsing time \"2006-01-02T15:60:05Z\": minute out of range"},
            {"2006-01-02T15:04:60Z", false,
             "parsing time \"2006-01-02T15:04:60Z\": second out of range"},
            {"2006-01-02T15:04:05+25:00", false,
             "parsing time \"2006-01-02T15:04:05+25:00\": time zone offset hour out of range"},
            {"2006-01-02T15:04:05+01:61", false,
             "parsing time \"2006-01-02T15:04:05+01:61\": time zone offset minute out of "
             "range"},
            {"2006-01-02T15:04:05Zjunk", false,
             "parsing time \"2006-01-02T15:04:05Zjunk\": extra text: \"junk\""},
            {"2006-01-02T15:04:05Z\xff", false,
             "parsing time \"2006-01-02T15:04:05Z\\xff\": extra text: \"\\xff\""},
            {"2006-01-02T15:04:05Z", true,
             "parsing time \"2006-01-02T15:04:05Z\" as \"2006-01-02T15:04:05.000000Z07:00\": "
             "cannot parse \"Z\" as \".000000\""},
            {"2006-01-02T15:04:05.123Z", true,
             "parsing time \"2006-01-02T15:04:05.123Z\" as "
             "\"2006-01-02T15:04:05.000000Z07:00\": cannot parse \".123Z\" as \".000000\""},
            {"2006-01-02T15:04:05.1234567Z", true,
             "parsing time \"2006-01-02T15:04:05.1234567Z\" as "
             "\"2006-01-02T15:04:05.000000Z07:00\": cannot parse \"7Z\" as \"Z07:00\""},
            {"2006-01-02T15:04:05.-12345Z", true,
             "parsing time \"2006-01-02T15:04:05.-12345Z\": fractional second out of range"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct sk_time t;
        struct sk_error *e = NULL;
        sk_err rc = bad[i].micro ? sk_microtime_parse(bad[i].in, &t, &e)
                                 : sk_time_parse(bad[i].in, &t, &e);
        CHECK(rc == SK_EINVAL, "%s: rc %d", bad[i].in, rc);
        CHECK(e && strcmp(e->msg, bad[i].msg) == 0, "%s: %s", bad[i].in, e ? e->msg : "(none)");
        sk_error_free(e);
    }
    assert_true(sk_time_is_zero((struct sk_time){SK_TIME_ZERO_UNIX, 0}));
    assert_false(sk_time_is_zero((struct sk_time){0, 0}));
    DONE();
}

/* ---- IntOrString ---- */

static void test_intstr(void **state)
{
    (void)state;
    struct {
        struct sk_val *v;
        int64_t total;
        bool up;
        int64_t want;
        const char *msg;
    } cases[] = {
            {sk_val_int(5), 10, true, 5, NULL},
            {sk_val_str("25%"), 10, true, 3, NULL},
            {sk_val_str("25%"), 10, false, 2, NULL},
            {sk_val_str("50%"), 11, true, 6, NULL},
            {sk_val_str("50%"), 11, false, 5, NULL},
            {sk_val_str("0%"), 100, true, 0, NULL},
            {sk_val_str("100%"), 7, false, 7, NULL},
            {sk_val_str("+10%"), 10, true, 1, NULL},
            {sk_val_str("-10%"), 10, true, -1, NULL},
            {sk_val_str("-15%"), 10, true, -1, NULL},
            {sk_val_str("-15%"), 10, false, -2, NULL},
            {sk_val_str("33%"), 3, true, 1, NULL},
            {sk_val_str("abc"), 10, true, 0,
             "invalid value for IntOrString: invalid type: string is not a percentage"},
            {sk_val_str("5"), 10, true, 0,
             "invalid value for IntOrString: invalid type: string is not a percentage"},
            {sk_val_str("abc%"), 10, true, 0,
             "invalid value for IntOrString: invalid value \"abc%\": strconv.Atoi: parsing "
             "\"abc\": invalid syntax"},
            {sk_val_str("%"), 10, true, 0,
             "invalid value for IntOrString: invalid value \"%\": strconv.Atoi: parsing "
             "\"\": invalid syntax"},
            {sk_val_str("50%%"), 10, true, 0,
             "invalid value for IntOrString: invalid value \"50%%\": strconv.Atoi: parsing "
             "\"50%\": invalid syntax"},
            {sk_val_str(" 5%"), 10, true, 0,
             "invalid value for IntOrString: invalid value \" 5%\": strconv.Atoi: parsing "
             "\" 5\": invalid syntax"},
            {sk_val_str("99999999999999999999%"), 10, true, 0,
             "invalid value for IntOrString: invalid value \"99999999999999999999%\": "
             "strconv.Atoi: parsing \"99999999999999999999\": value out of range"},
            {sk_val_float(1.5), 10, true, 0,
             "invalid value for IntOrString: invalid type: neither int nor percentage"},
            {NULL, 10, true, 0, "nil value for IntOrString"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t got;
        struct sk_error *e = NULL;
        sk_err rc = sk_intstr_scaled(cases[i].v, cases[i].total, cases[i].up, &got, &e);
        if (cases[i].msg) {
            CHECK(rc == SK_EINVAL && e && strcmp(e->msg, cases[i].msg) == 0, "case %zu: %s", i,
                  e ? e->msg : "(no error)");
        } else {
            CHECK(rc == SK_OK && got == cases[i].want, "case %zu: %lld %s", i, (long long)got,
                  e ? e->msg : "");
        }
        sk_error_free(e);
        sk_val_free(cases[i].v);
    }
    DONE();
}

static void test_go_quote(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } cases[] = {
            {"abc", "\"abc\""},
            {"a\"b\\c", "\"a\\\"b\\\\c\""},
            {"\n\t\x01\x7f", "\"\\n\\t\\x01\\x7f\""},
            {"\xff", "\"\\xff\""},
            {"\xc3\xa9", "\"\xc3\xa9\""},
            {"\xc2\xa0", "\"\\u00a0\""},
            {"\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\""},
            {"\xef\xbb\xbf", "\"\\ufeff\""},
            {"", "\"\""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *q = sk_go_quote(cases[i].in, strlen(cases[i].in));
        CHECK(strcmp(q, cases[i].want) == 0, "quote: %s, want %s", q, cases[i].want);
        free(q);
    }
    DONE();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_parse_values), cmocka_unit_test(test_parse_errors),
            cmocka_unit_test(test_canonical),    cmocka_unit_test(test_format_constructed),
            cmocka_unit_test(test_values),       cmocka_unit_test(test_cmp_add_sub),
            cmocka_unit_test(test_too_big),      cmocka_unit_test(test_from_val),
            cmocka_unit_test(test_duration),     cmocka_unit_test(test_time),
            cmocka_unit_test(test_intstr),       cmocka_unit_test(test_go_quote),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
