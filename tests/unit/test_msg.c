/* The bus envelope codec: round trips, and a decoder that refuses every
 * malformed envelope (truncated, trailing bytes, wrong or out-of-range
 * types, missing or duplicate keys, bad names, bodies that are not one map)
 * without reading out of bounds. Malformed envelopes are built with
 * msgpack-c, so the decoder is also checked against another writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"

/* ---- helpers ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    /* xorshift64: deterministic, so a failure repeats */
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static const uint8_t body_kv[] = {0x81, 0xa1, 'k', 0xa1, 'v'}; /* {"k":"v"} */

static size_t encode(const struct skiff_msg *m, uint8_t *buf, size_t cap)
{
    size_t len = 0;
    struct sk_error *err = NULL;
    sk_err rc = sk_msg_encode(m, buf, cap, &len, &err);
    if (rc) fail_msg("encode: %s", sk_error_msg(err, rc));
    sk_error_free(err);
    return len;
}

static sk_err decode(const void *buf, size_t len)
{
    struct sk_msg m;
    struct sk_error *err = NULL;
    sk_err rc = sk_msg_decode(&m, buf, len, &err);
    /* every failure says why */
    if (rc) {
        assert_non_null(err);
        assert_int_equal(err->code, rc);
        assert_true(strlen(err->msg) > 0);
    } else {
        assert_null(err);
    }
    sk_error_free(err);
    return rc;
}

static void pack_s(msgpack_packer *pk, const char *s)
{
    size_t n = strlen(s);
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, s, n);
}

enum fld { F_T, F_V, F_FROM, F_TO, F_ID, F_RE, F_B, F_N };
static const char *const fld_key[F_N] = {"t", "v", "from", "to", "id", "re", "b"};

/* How build() writes a field: as it should be, left out, twice, or as a
 * value of some other type. */
enum how {
    H_OK = 0,
    H_OMIT,
    H_DUP,
    H_STR,
    H_UINT,
    H_NEG,
    H_NIL,
    H_BOOL,
    H_FLOAT,
    H_ARRAY,
    H_BIN,
    H_MAP,
    H_BIG, /* uint 2^32, or a 64-byte name */
    H_COUNT
};

static void pack_field(msgpack_packer *pk, enum fld f, enum how h)
{
    switch (h) {
    case H_STR: pack_s(pk, "x"); return;
    case H_UINT: msgpack_pack_uint64(pk, 7); return;
    case H_NEG: msgpack_pack_int64(pk, -1); return;
    case H_NIL: msgpack_pack_nil(pk); return;
    case H_BOOL: msgpack_pack_true(pk); return;
    case H_FLOAT: msgpack_pack_double(pk, 1.5); return;
    case H_ARRAY:
        msgpack_pack_array(pk, 1);
        msgpack_pack_uint64(pk, 1);
        return;
    case H_BIN:
        msgpack_pack_bin(pk, 1);
        msgpack_pack_bin_body(pk, "a", 1);
        return;
    case H_MAP: msgpack_pack_map(pk, 0); return;
    case H_BIG:
        if (f == F_FROM || f == F_TO)
            pack_s(pk, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        else
            msgpack_pack_uint64(pk, 1ull << 32);
        return;
    default: break;
    }
    switch (f) {
    case F_T: msgpack_pack_uint32(pk, 1); return;
    case F_V: msgpack_pack_uint32(pk, 2); return;
    case F_FROM: pack_s(pk, "alpha"); return;
    case F_TO: pack_s(pk, "beta"); return;
    case F_ID: msgpack_pack_uint64(pk, 42); return;
    case F_RE: msgpack_pack_uint64(pk, 41); return;
    default:
        msgpack_pack_map(pk, 1);
        pack_s(pk, "k");
        pack_s(pk, "v");
        return;
    }
}

/* An envelope written by msgpack-c, field f written as `how`. */
static msgpack_sbuffer build(enum fld f, enum how h)
{
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    size_t n = 0;
    for (int i = 0; i < F_N; i++)
        n += (i == (int)f && h == H_OMIT) ? 0 : (i == (int)f && h == H_DUP) ? 2 : 1;
    msgpack_pack_map(&pk, n);
    for (int i = 0; i < F_N; i++) {
        enum how hi = i == (int)f ? h : H_OK;
        if (hi == H_OMIT) continue;
        int times = hi == H_DUP ? 2 : 1;
        for (int k = 0; k < times; k++) {
            pack_s(&pk, fld_key[i]);
            pack_field(&pk, (enum fld)i, hi == H_DUP ? H_OK : hi);
        }
    }
    return sb;
}

/* ---- round trips ---- */

static void check_round_trip(const struct skiff_msg *in)
{
    uint8_t buf[512];
    size_t len = encode(in, buf, sizeof(buf));
    assert_int_equal(len, sk_msg_encoded_len(in));
    assert_true(len <= in->body_len + SK_MSG_ENVELOPE_MAX);

    struct sk_msg out;
    assert_int_equal(sk_msg_decode(&out, buf, len, NULL), SK_OK);
    assert_int_equal(out.type, in->type);
    assert_int_equal(out.version, in->version);
    assert_string_equal(out.from, in->from);
    assert_string_equal(out.to, in->to);
    assert_true(out.id == in->id);
    assert_true(out.re == in->re);
    assert_int_equal(out.body_len, in->body_len);
    /* zero copy: the body is the tail of the buffer */
    assert_ptr_equal(out.body, buf + len - in->body_len);
    assert_memory_equal(out.body, in->body, in->body_len);

    struct skiff_msg view;
    sk_msg_view(&out, &view);
    assert_ptr_equal(view.from, out.from);
    assert_ptr_equal(view.body, out.body);
    assert_true(view.id == in->id);

    /* msgpack-c reads the same map back */
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    size_t off = 0;
    assert_int_equal(msgpack_unpack_next(&up, (const char *)buf, len, &off),
                     MSGPACK_UNPACK_SUCCESS);
    assert_int_equal(off, len);
    assert_int_equal(up.data.type, MSGPACK_OBJECT_MAP);
    assert_int_equal(up.data.via.map.size, in->re ? 7 : 6);
    msgpack_unpacked_destroy(&up);
}

static void test_round_trip(void **state)
{
    (void)state;
    struct skiff_msg m = {
            .type = SKIFF_MSG_PING,
            .version = 1,
            .from = "core",
            .to = "runtime",
            .id = 1,
            .body = body_kv,
            .body_len = sizeof(body_kv),
    };
    check_round_trip(&m);

    /* every integer width, and names at the fixstr/str8 boundary and limit */
    static const uint64_t nums[] = {0,      1,       0x7f,        0x80,           0xff,      0x100,
                                    0xffff, 0x10000, 0xffffffffu, 0x100000000ull, UINT64_MAX};
    const char *names[] = {
            "a", "abcdefghijklmnopqrstuvwxyz01234" /* 31 */,
            "abcdefghijklmnopqrstuvwxyz012345" /* 32 */,
            "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0" /* 63 */,
            "node-1/plugin.x"};
    for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
        m.type = m.version = (uint32_t)(nums[i] > UINT32_MAX ? UINT32_MAX : nums[i]);
        m.id = nums[i] ? nums[i] : 1;
        m.re = nums[i];
        m.from = names[i % 5];
        m.to = names[(i + 2) % 5];
        check_round_trip(&m);
    }

    /* a bigger body: {"k": bin16 of 294 bytes} */
    uint8_t big[300];
    size_t binlen = sizeof(big) - 6;
    big[0] = 0x81;
    big[1] = 0xa1;
    big[2] = 'k';
    big[3] = 0xc5;
    big[4] = (uint8_t)(binlen >> 8);
    big[5] = (uint8_t)binlen;
    for (size_t i = 6; i < sizeof(big); i++)
        big[i] = (uint8_t)i;
    m.body = big;
    m.body_len = sizeof(big);
    check_round_trip(&m);
}

static void test_encode_rejects(void **state)
{
    (void)state;
    uint8_t buf[256];
    struct skiff_msg ok = {
            .type = 1,
            .version = 1,
            .from = "a",
            .to = "b",
            .id = 5,
            .body = body_kv,
            .body_len = sizeof(body_kv),
    };
    size_t need = sk_msg_encoded_len(&ok), len = 99;
    /* every short buffer fails cleanly */
    for (size_t cap = 0; cap < need; cap++) {
        struct sk_error *err = NULL;
        assert_int_equal(sk_msg_encode(&ok, buf, cap, &len, &err), SK_ETOOBIG);
        assert_int_equal(len, 0);
        sk_error_free(err);
    }
    assert_int_equal(sk_msg_encode(&ok, NULL, 0, NULL, NULL), SK_ETOOBIG);

    const char *bad_names[] = {
            NULL,
            "",
            "A",
            "a b",
            "a@b",
            "caf\xc3\xa9",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" /* 64 */};
    for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
        struct skiff_msg m = ok;
        m.from = bad_names[i];
        assert_int_equal(sk_msg_encode(&m, buf, sizeof(buf), &len, NULL), SK_EINVAL);
        m = ok;
        m.to = bad_names[i];
        assert_int_equal(sk_msg_encode(&m, buf, sizeof(buf), &len, NULL), SK_EINVAL);
    }
    struct skiff_msg m = ok;
    m.id = 0;
    assert_int_equal(sk_msg_encode(&m, buf, sizeof(buf), &len, NULL), SK_EINVAL);

    static const uint8_t arr[] = {0x91, 0x01};
    static const uint8_t trailing[] = {0x80, 0x80};
    static const uint8_t truncated[] = {0x81, 0xa1, 'k'};
    static const uint8_t c1[] = {0x81, 0xa1, 'k', 0xc1};
    const struct {
        const uint8_t *b;
        size_t n;
    } bad_bodies[] = {{NULL, 0},
                      {arr, 0},
                      {arr, sizeof(arr)},
                      {trailing, sizeof(trailing)},
                      {truncated, sizeof(truncated)},
                      {c1, sizeof(c1)}};
    for (size_t i = 0; i < sizeof(bad_bodies) / sizeof(bad_bodies[0]); i++) {
        m = ok;
        m.body = bad_bodies[i].b;
        m.body_len = bad_bodies[i].n;
        assert_int_equal(sk_msg_encode(&m, buf, sizeof(buf), &len, NULL), SK_EINVAL);
        assert_int_not_equal(sk_msg_check_body(m.body, m.body_len, NULL), SK_OK);
    }
    m = ok;
    m.body_len = (size_t)SK_MSG_BODY_MAX + 1;
    assert_int_equal(sk_msg_check_body(m.body, m.body_len, NULL), SK_ETOOBIG);
}

static void test_check_body(void **state)
{
    (void)state;
    static const uint8_t empty[] = {0x80};
    static const uint8_t map16[] = {0xde, 0x00, 0x01, 0x01, 0x02};
    static const uint8_t nested[] = {0x82, 0xa1, 'a',  0x92, 0xc3, 0x80,
                                     0xa1, 'b',  0xd4, 0x01, 0x02};
    assert_int_equal(sk_msg_check_body(empty, sizeof(empty), NULL), SK_OK);
    assert_int_equal(sk_msg_check_body(map16, sizeof(map16), NULL), SK_OK);
    assert_int_equal(sk_msg_check_body(nested, sizeof(nested), NULL), SK_OK);
    for (size_t i = 0; i < sizeof(nested); i++)
        assert_int_not_equal(sk_msg_check_body(nested, i, NULL), SK_OK);
    struct sk_error *err = NULL;
    assert_int_equal(sk_msg_check_body("\x91\x01", 2, &err), SK_EINVAL);
    assert_non_null(strstr(err->msg, "not a map"));
    sk_error_free(err);
}

static void test_names(void **state)
{
    (void)state;
    assert_true(sk_msg_name_ok("core"));
    assert_true(sk_msg_name_ok("node-1/runtime.v2"));
    assert_false(sk_msg_name_ok(NULL));
    assert_false(sk_msg_name_ok(""));
    assert_false(sk_msg_name_ok("Core"));
    assert_false(sk_msg_name_ok("a_b"));
    assert_false(sk_msg_name_ok("@1/a"));
    char s[80];
    memset(s, 'a', sizeof(s));
    s[63] = 0;
    assert_true(sk_msg_name_ok(s));
    s[63] = 'a';
    s[64] = 0;
    assert_false(sk_msg_name_ok(s));
}

/* ---- malformed input ---- */

static void test_truncated_every_offset(void **state)
{
    (void)state;
    uint8_t buf[256];
    struct skiff_msg m = {
            .type = 300,
            .version = 70000,
            .from = "abcdefghijklmnopqrstuvwxyz0123456789",
            .to = "to",
            .id = 1ull << 40,
            .re = 9,
            .body = body_kv,
            .body_len = sizeof(body_kv),
    };
    size_t len = encode(&m, buf, sizeof(buf));
    for (size_t i = 0; i < len; i++) {
        /* a fresh heap copy of each prefix, so ASan catches any over-read */
        uint8_t *p = malloc(i ? i : 1);
        memcpy(p, buf, i);
        assert_int_equal(decode(i ? p : NULL, i), SK_EPROTO);
        assert_int_equal(decode(p, i), SK_EPROTO);
        free(p);
    }
    assert_int_equal(decode(buf, len), SK_OK);
}

static void test_trailing_bytes(void **state)
{
    (void)state;
    uint8_t buf[512];
    struct skiff_msg m = {
            .type = 1,
            .version = 1,
            .from = "a",
            .to = "b",
            .id = 1,
            .body = body_kv,
            .body_len = sizeof(body_kv),
    };
    size_t len = encode(&m, buf, sizeof(buf));
    static const uint8_t tails[] = {0x00, 0x80, 0xc0, 0xc1, 0xff};
    for (size_t i = 0; i < sizeof(tails); i++) {
        buf[len] = tails[i];
        assert_int_equal(decode(buf, len + 1), SK_EPROTO);
    }
    /* two envelopes back to back are not one */
    memcpy(buf + len, buf, len);
    assert_int_equal(decode(buf, 2 * len), SK_EPROTO);
    assert_int_equal(decode(buf, len), SK_OK);
}

static void test_wrong_types(void **state)
{
    (void)state;
    for (int f = 0; f < F_N; f++) {
        for (int h = H_STR; h < H_COUNT; h++) {
            bool uint_field = f == F_T || f == F_V || f == F_ID || f == F_RE;
            bool name_field = f == F_FROM || f == F_TO;
            bool ok = (uint_field && h == H_UINT) || (name_field && h == H_STR) ||
                      (f == F_B && h == H_MAP) ||
                      ((f == F_ID || f == F_RE) && h == H_BIG); /* 2^32 fits 64 bits */
            msgpack_sbuffer sb = build((enum fld)f, (enum how)h);
            sk_err rc = decode(sb.data, sb.size);
            if (ok != (rc == SK_OK))
                fail_msg("field %s written as kind %d: got %s", fld_key[f], h, sk_strerror(rc));
            msgpack_sbuffer_destroy(&sb);
        }
    }
}

static void test_missing_and_duplicate_keys(void **state)
{
    (void)state;
    msgpack_sbuffer sb = build(F_N, H_OK);
    assert_int_equal(decode(sb.data, sb.size), SK_OK);
    msgpack_sbuffer_destroy(&sb);
    for (int f = 0; f < F_N; f++) {
        sb = build((enum fld)f, H_OMIT);
        /* only "re" is optional */
        assert_int_equal(decode(sb.data, sb.size), f == F_RE ? SK_OK : SK_EPROTO);
        msgpack_sbuffer_destroy(&sb);
        sb = build((enum fld)f, H_DUP);
        assert_int_equal(decode(sb.data, sb.size), SK_EPROTO);
        msgpack_sbuffer_destroy(&sb);
    }
    struct sk_error *err = NULL;
    struct sk_msg m;
    sb = build(F_ID, H_OMIT);
    assert_int_equal(sk_msg_decode(&m, sb.data, sb.size, &err), SK_EPROTO);
    assert_non_null(strstr(err->msg, "missing key \"id\""));
    sk_error_free(err);
    err = NULL;
    msgpack_sbuffer_destroy(&sb);
    sb = build(F_TO, H_DUP);
    assert_int_equal(sk_msg_decode(&m, sb.data, sb.size, &err), SK_EPROTO);
    assert_non_null(strstr(err->msg, "duplicate key \"to\""));
    sk_error_free(err);
    msgpack_sbuffer_destroy(&sb);
}

static void test_values(void **state)
{
    (void)state;
    /* numbers in signed formats count when not negative; id 0 does not */
    static const uint8_t signed_ok[] = {0x86, 0xa1, 't',  0xd0, 0x05, 0xa1, 'v',  0xd3, 0,    0,
                                        0,    0,    0,    0,    0,    1,    0xa4, 'f',  'r',  'o',
                                        'm',  0xa1, 'a',  0xa2, 't',  'o',  0xa1, 'b',  0xa2, 'i',
                                        'd',  0xd1, 0x01, 0x00, 0xa1, 'b',  0x80};
    struct sk_msg m;
    assert_int_equal(sk_msg_decode(&m, signed_ok, sizeof(signed_ok), NULL), SK_OK);
    assert_int_equal(m.type, 5);
    assert_int_equal(m.version, 1);
    assert_true(m.id == 256);
    assert_true(m.re == 0);
    uint8_t b[sizeof(signed_ok)];
    memcpy(b, signed_ok, sizeof(b));
    b[4] = 0xff; /* int8 -1 */
    assert_int_equal(decode(b, sizeof(b)), SK_EPROTO);
    memcpy(b, signed_ok, sizeof(b));
    b[32] = 0x00; /* id int16 0x0000 */
    b[33] = 0x00;
    assert_int_equal(decode(b, sizeof(b)), SK_EPROTO);
    memcpy(b, signed_ok, sizeof(b));
    b[22] = 'A'; /* from "A" */
    assert_int_equal(decode(b, sizeof(b)), SK_EPROTO);
    b[22] = 0; /* a NUL inside a name */
    assert_int_equal(decode(b, sizeof(b)), SK_EPROTO);
    memcpy(b, signed_ok, sizeof(b));
    b[21] = 0xa0; /* from "" (and one byte left over) */
    assert_int_equal(decode(b, sizeof(b)), SK_EPROTO);

    /* "re": 0 is the same as no "re" */
    msgpack_sbuffer sb;
    msgpack_packer pk;
    msgpack_sbuffer_init(&sb);
    msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
    msgpack_pack_map(&pk, 9);
    for (int i = 0; i < F_N; i++) {
        pack_s(&pk, fld_key[i]);
        if (i == F_RE)
            msgpack_pack_uint64(&pk, 0);
        else
            pack_field(&pk, (enum fld)i, H_OK);
    }
    /* unknown keys are skipped, whatever their (well-formed) values */
    pack_s(&pk, "future");
    msgpack_pack_array(&pk, 2);
    msgpack_pack_map(&pk, 1);
    msgpack_pack_nil(&pk);
    msgpack_pack_double(&pk, 2.5);
    msgpack_pack_ext(&pk, 3, 7);
    msgpack_pack_ext_body(&pk, "abc", 3);
    pack_s(&pk, "tt");
    pack_s(&pk, "x");
    assert_int_equal(sk_msg_decode(&m, sb.data, sb.size, NULL), SK_OK);
    assert_true(m.re == 0);
    assert_string_equal(m.from, "alpha");
    assert_int_equal(m.body_len, 5);
    msgpack_sbuffer_destroy(&sb);

    /* a non-string key, and an unknown key whose value is malformed */
    msgpack_sbuffer_init(&sb);
    msgpack_pack_map(&pk, 7);
    for (int i = 0; i < F_N; i++) {
        if (i == F_RE) continue;
        pack_s(&pk, fld_key[i]);
        pack_field(&pk, (enum fld)i, H_OK);
    }
    size_t good = sb.size;
    msgpack_pack_uint64(&pk, 1);
    msgpack_pack_uint64(&pk, 1);
    assert_int_equal(decode(sb.data, sb.size), SK_EPROTO);
    sb.size = good;
    pack_s(&pk, "x");
    msgpack_sbuffer_write(&sb, "\xc1", 1);
    assert_int_equal(decode(sb.data, sb.size), SK_EPROTO);
    msgpack_sbuffer_destroy(&sb);
}

static void test_non_map_top_level(void **state)
{
    (void)state;
    static const struct {
        const char *b;
        size_t n;
    } cases[] = {
            {"\x90", 1}, /* [] */
            {"\x96\x01\x02\x03\x04\x05\x06", 7},
            {"\xa1t", 2},        /* "t" */
            {"\x01", 1},         /* 1 */
            {"\xc0", 1},         /* nil */
            {"\xc1", 1},         /* never used */
            {"\xc4\x01\x80", 3}, /* bin */
            {"", 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_int_equal(decode(cases[i].b, cases[i].n), SK_EPROTO);
    struct sk_error *err = NULL;
    struct sk_msg m;
    assert_int_equal(sk_msg_decode(&m, "\x90", 1, &err), SK_EPROTO);
    assert_non_null(strstr(err->msg, "not a map"));
    sk_error_free(err);
}

static void test_body_not_a_map(void **state)
{
    (void)state;
    for (int h = H_STR; h < H_COUNT; h++) {
        if (h == H_MAP) continue;
        msgpack_sbuffer sb = build(F_B, (enum how)h);
        struct sk_error *err = NULL;
        struct sk_msg m;
        assert_int_equal(sk_msg_decode(&m, sb.data, sb.size, &err), SK_EPROTO);
        assert_non_null(strstr(err->msg, "body is not a map"));
        sk_error_free(err);
        msgpack_sbuffer_destroy(&sb);
    }
}

static void test_oversize_and_lying_lengths(void **state)
{
    (void)state;
    /* a name of 64 bytes, in each string format */
    msgpack_sbuffer sb = build(F_FROM, H_BIG);
    assert_int_equal(decode(sb.data, sb.size), SK_EPROTO);
    msgpack_sbuffer_destroy(&sb);
    sb = build(F_TO, H_BIG);
    assert_int_equal(decode(sb.data, sb.size), SK_EPROTO);
    msgpack_sbuffer_destroy(&sb);

    /* headers that claim far more than the buffer holds */
    static const struct {
        const char *b;
        size_t n;
    } lies[] = {
            {"\xdf\xff\xff\xff\xff", 5},     /* map32 of 4G pairs */
            {"\x81\xdb\xff\xff\xff\xff", 6}, /* str32 key of 4 GiB */
            {"\x81\xa1"
             "b"
             "\xdf\xff\xff\xff\xff",
             8}, /* body map32 */
            {"\x81\xa1"
             "b"
             "\x81\xa1k\xdd\xff\xff\xff\xff",
             11}, /* array32 */
            {"\x81\xa1"
             "b"
             "\x81\xa1k\xc6\xff\xff\xff\xff",
             11}, /* bin32 */
            {"\x81\xa1"
             "b"
             "\x81\xa1k\xc9\xff\xff\xff\xff\x01",
             12}, /* ext32 */
            {"\x81\xa1"
             "b"
             "\x81\xa1k\xc9\xff\xff\xff\xff",
             11}, /* ext32 without type */
            {"\x81\xa1"
             "b"
             "\x81\xa1k\xd8\x01",
             8}, /* fixext16 short */
            {"\x81\xa4"
             "from"
             "\xd9\x40",
             8}, /* str8 name, no bytes */
    };
    for (size_t i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
        uint8_t *p = malloc(lies[i].n);
        memcpy(p, lies[i].b, lies[i].n);
        assert_int_equal(decode(p, lies[i].n), SK_EPROTO);
        free(p);
    }
}

static void test_deep_nesting(void **state)
{
    (void)state;
    /* a body nested a million arrays deep is walked without recursion */
    size_t depth = 1000000;
    struct skiff_msg m = {.type = 1, .version = 1, .from = "a", .to = "b", .id = 1};
    uint8_t *body = malloc(depth + 4);
    body[0] = 0x81;
    body[1] = 0xa1;
    body[2] = 'k';
    memset(body + 3, 0x91, depth);
    body[3 + depth] = 0xc0;
    m.body = body;
    m.body_len = depth + 4;
    size_t cap = sk_msg_encoded_len(&m), len;
    uint8_t *buf = malloc(cap);
    assert_int_equal(sk_msg_encode(&m, buf, cap, &len, NULL), SK_OK);
    assert_int_equal(decode(buf, len), SK_OK);
    /* and without its innermost value it is truncated */
    buf[len - 1] = 0x91;
    assert_int_equal(decode(buf, len), SK_EPROTO);
    free(buf);
    free(body);
}

static void test_random_bytes(void **state)
{
    (void)state;
    uint8_t buf[96];
    for (int i = 0; i < 200000; i++) {
        size_t n = rnd() % sizeof(buf);
        for (size_t k = 0; k < n; k++)
            buf[k] = (uint8_t)rnd();
        /* bias towards a map start so the walk gets past the first byte */
        if (n && (i & 1)) buf[0] = (uint8_t)(0x80 | (rnd() % 9));
        uint8_t *p = malloc(n ? n : 1);
        memcpy(p, buf, n);
        struct sk_msg m;
        sk_msg_decode(&m, p, n, NULL);
        free(p);
    }
}

static void test_mutations(void **state)
{
    (void)state;
    /* flip bytes of a valid envelope; whatever still decodes must encode
     * back to an envelope that decodes the same */
    uint8_t orig[256];
    struct skiff_msg in = {
            .type = 7,
            .version = 3,
            .from = "scheduler",
            .to = "runtime",
            .id = 99999,
            .re = 12,
            .body = body_kv,
            .body_len = sizeof(body_kv),
    };
    size_t len = encode(&in, orig, sizeof(orig));
    int decoded = 0;
    for (int i = 0; i < 200000; i++) {
        uint8_t *p = malloc(len);
        memcpy(p, orig, len);
        int flips = 1 + (int)(rnd() % 3);
        for (int k = 0; k < flips; k++)
            p[rnd() % len] = (uint8_t)rnd();
        size_t n = len - (rnd() % 4 == 0 ? rnd() % len : 0);
        struct sk_msg m;
        if (sk_msg_decode(&m, p, n, NULL) == SK_OK) {
            decoded++;
            struct skiff_msg v;
            sk_msg_view(&m, &v);
            uint8_t again[512];
            size_t len2 = encode(&v, again, sizeof(again));
            struct sk_msg m2;
            assert_int_equal(sk_msg_decode(&m2, again, len2, NULL), SK_OK);
            assert_int_equal(m2.type, m.type);
            assert_string_equal(m2.from, m.from);
            assert_string_equal(m2.to, m.to);
            assert_true(m2.id == m.id && m2.re == m.re);
            assert_int_equal(m2.body_len, m.body_len);
            assert_memory_equal(m2.body, m.body, m.body_len);
        }
        free(p);
    }
    /* some mutations (a digit in a name, a number) stay valid */
    assert_true(decoded > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_round_trip),
            cmocka_unit_test(test_encode_rejects),
            cmocka_unit_test(test_check_body),
            cmocka_unit_test(test_names),
            cmocka_unit_test(test_truncated_every_offset),
            cmocka_unit_test(test_trailing_bytes),
            cmocka_unit_test(test_wrong_types),
            cmocka_unit_test(test_missing_and_duplicate_keys),
            cmocka_unit_test(test_values),
            cmocka_unit_test(test_non_map_top_level),
            cmocka_unit_test(test_body_not_a_map),
            cmocka_unit_test(test_oversize_and_lying_lengths),
            cmocka_unit_test(test_deep_nesting),
            cmocka_unit_test(test_random_bytes),
            cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
