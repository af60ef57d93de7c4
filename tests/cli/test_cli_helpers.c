/* Unit tests of the CLI's shared helpers: number and string formatting,
 * option values, FILETIME text and wall-clock arithmetic. Expected values are
 * written out by hand (dates checked against Python's datetime). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "args.h"
#include "outbuf.h"
#include "untrusted.h"
#include "wallclock.h"

static void expect_text(const char *start, const char *end, const char *want)
{
    assert_int_equal((size_t)(end - start), strlen(want));
    assert_memory_equal(start, want, strlen(want));
}

static void test_u64(void **state)
{
    (void)state;
    char b[32];
    static const struct {
        uint64_t v;
        const char *s;
    } cases[] = {{0, "0"},
                 {9, "9"},
                 {10, "10"},
                 {99, "99"},
                 {100, "100"},
                 {9999, "9999"},
                 {10000, "10000"},
                 {78187493520ull, "78187493520"},
                 {UINT64_MAX, "18446744073709551615"},
                 {10000000000000000000ull, "10000000000000000000"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_text(b, etwhf_fmt_u64(b, cases[i].v), cases[i].s);
    /* every digit-count boundary, against snprintf */
    char want[32];
    for (uint64_t p = 1;; p *= 10) {
        const uint64_t around[] = {p - 1, p, p + 1, p * 2 - 1};
        for (size_t i = 0; i < 4; i++) {
            snprintf(want, sizeof want, "%llu", (unsigned long long)around[i]);
            expect_text(b, etwhf_fmt_u64(b, around[i]), want);
            expect_text(b, etwhf_fmt_u64_slow(b, around[i]), want);
        }
        if (p > UINT64_MAX / 10)
            break;
    }
    for (unsigned k = 0; k < 64; k++) {
        uint64_t v = 1ull << k;
        snprintf(want, sizeof want, "%llu", (unsigned long long)(v - 1));
        expect_text(b, etwhf_fmt_u64(b, v - 1), want);
    }
    expect_text(b, etwhf_fmt_u64_padded(b, 42, 5), "   42");
    expect_text(b, etwhf_fmt_u64_padded(b, 123456, 3), "123456");
}

static void test_hex(void **state)
{
    (void)state;
    char b[32];
    expect_text(b, etwhf_fmt_hex(b, 0), "0");
    expect_text(b, etwhf_fmt_hex(b, 0xF), "f");
    expect_text(b, etwhf_fmt_hex(b, 0x10), "10");
    expect_text(b, etwhf_fmt_hex(b, 0x1D2C4A5F3A0ull), "1d2c4a5f3a0");
    expect_text(b, etwhf_fmt_hex(b, UINT64_MAX), "ffffffffffffffff");
    expect_text(b, etwhf_fmt_hex_fixed(b, 0xA50000, 8), "00a50000");
    expect_text(b, etwhf_fmt_hex_fixed(b, 0x4000001, 8), "04000001");
    expect_text(b, etwhf_fmt_hex_fixed(b, 0xABC, 3), "abc");
    char want[32];
    for (unsigned k = 0; k < 64; k++) {
        uint64_t v = (1ull << k) | (k * 0x0123456789ABCDEFull >> (63 - k));
        snprintf(want, sizeof want, "%llx", (unsigned long long)v);
        expect_text(b, etwhf_fmt_hex(b, v), want);
    }
}

/* Text for people (untrusted.h): what would end a line, drive a terminal
 * or reorder the text is escaped; UTF-8 names stay readable. */
static void test_escape(void **state)
{
    (void)state;
    char b[160];
    static const struct {
        const char *in;
        const char *out;
    } cases[] = {
        {"plain/caf\xc3\xa9.etl", "plain/caf\xc3\xa9.etl"},
        {"a\nb\tc\rd\\e", "a\\nb\\tc\\rd\\\\e"},
        {"\x1b[31m\x07\x7f", "\\x1b[31m\\x07\\x7f"},
        {"\xc2\x9b"
         "2J \xe2\x80\xae \xe2\x80\xa9 \xd8\x9c",
         "\\u009b2J \\u202e \\u2029 \\u061c"},
        {"bad\xff\xc3(", "bad\\xff\\xc3("},
        {"emoji \xf0\x9f\x98\x80", "emoji \xf0\x9f\x98\x80"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = etwhf_escape(b, sizeof b, cases[i].in, strlen(cases[i].in));
        expect_text(b, b + n, cases[i].out);
    }
    memset(b, 'x', sizeof b);
    assert_int_equal(etwhf_escape(b, 2, "\n\n", 2), 4);
    assert_int_equal(b[2], 'x');
    char *d = etwhf_escape_dup("x\ny");
    assert_non_null(d);
    assert_string_equal(d, "x\\ny");
    free(d);
}

static void test_json_string(void **state)
{
    (void)state;
    char b[128];
    static const struct {
        const char *in;
        const char *out;
    } cases[] = {
        {"plain", "\"plain\""},
        {"a\"b\\c", "\"a\\\"b\\\\c\""},
        {"tab\tnl\ncr\r\x01\x1f", "\"tab\\tnl\\ncr\\r\\u0001\\u001f\""},
        {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\""},
        {"bad\xff\xc3(", "\"bad\\ufffd\\ufffd(\""},    /* stray byte, cut sequence */
        {"\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""}, /* UTF-16 surrogate encoded in UTF-8 */
        {"\xc0\xaf", "\"\\ufffd\\ufffd\""},            /* overlong */
        /* what a terminal acts on: DEL, C1 (U+009B CSI), U+2028, U+202E, U+2066 */
        {"a\x7f\xc2\x9b\xc2\xa0\xe2\x80\xa8\xe2\x80\xae\xe2\x81\xa6z",
         "\"a\\u007f\\u009b\xc2\xa0\\u2028\\u202e\\u2066z\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = etwhf_json_string(b, sizeof b, cases[i].in, strlen(cases[i].in));
        expect_text(b, b + n, cases[i].out);
    }
    /* too small: nothing written past cap, the needed length returned */
    memset(b, 'x', sizeof b);
    assert_int_equal(etwhf_json_string(b, 3, "abcdef", 6), 8);
    assert_int_equal(b[3], 'x');
}

/* Output through a pipe, read back. */
static size_t through_pipe(void (*write_fn)(struct etwhf_out *), char *got, size_t cap)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    struct etwhf_out o;
    assert_int_equal(etwhf_out_init(&o, fds[1], 0, "test"), 0);
    write_fn(&o);
    assert_int_equal(etwhf_out_flush(&o), 0);
    etwhf_out_free(&o);
    close(fds[1]);
    size_t n = 0;
    ssize_t r;
    while ((r = read(fds[0], got + n, cap - n)) > 0)
        n += (size_t)r;
    close(fds[0]);
    return n;
}

static void write_csv(struct etwhf_out *o)
{
    etwhf_out_csv_field(o, "plain", 5);
    etwhf_out_write(o, ";", 1);
    etwhf_out_csv_field(o, "a,b", 3);
    etwhf_out_write(o, ";", 1);
    etwhf_out_csv_field(o, "say \"hi\"", 8);
    etwhf_out_write(o, ";", 1);
    etwhf_out_json_string(o, "x\"y", 3);
}

static void test_csv_and_out(void **state)
{
    (void)state;
    char got[256];
    size_t n = through_pipe(write_csv, got, sizeof got);
    expect_text(got, got + n, "plain;\"a,b\";\"say \"\"hi\"\"\";\"x\\\"y\"");
}

static void write_big(struct etwhf_out *o)
{
    /* more than the buffer in small pieces and in one piece */
    for (int i = 0; i < 300000; i++)
        etwhf_out_write(o, "0123456789", 10);
    static char big[3u << 20];
    memset(big, 'z', sizeof big);
    etwhf_out_write(o, big, sizeof big);
}

static void test_out_large(void **state)
{
    (void)state;
    /* a pipe holds 64 KiB: read it in a child-free way via a temporary file */
    char path[] = "/tmp/etwhf-outbuf-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    struct etwhf_out o;
    assert_int_equal(etwhf_out_init(&o, fd, 0, "test"), 0);
    write_big(&o);
    assert_int_equal(etwhf_out_flush(&o), 0);
    etwhf_out_free(&o);
    off_t size = lseek(fd, 0, SEEK_END);
    assert_int_equal(size, 3000000 + (3 << 20));
    char tail[4];
    assert_int_equal(pread(fd, tail, 4, 2999998), 4);
    assert_memory_equal(tail, "89zz", 4);
    close(fd);
}

static void test_write_error_is_sticky(void **state)
{
    (void)state;
    struct etwhf_out o;
    assert_int_equal(etwhf_out_init(&o, -1, 0, "nowhere"), 0);
    etwhf_out_write(&o, "abc", 3);
    assert_int_equal(etwhf_out_failed(&o), 0); /* still buffered */
    assert_int_not_equal(etwhf_out_flush(&o), 0);
    assert_int_not_equal(etwhf_out_failed(&o), 0);
    etwhf_out_write(&o, "def", 3);
    assert_int_not_equal(etwhf_out_flush(&o), 0);
    etwhf_out_free(&o);
}

static void test_parse(void **state)
{
    (void)state;
    uint64_t v;
    assert_int_equal(etwhf_parse_u64("0", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(etwhf_parse_u64("18446744073709551615", &v), 0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(etwhf_parse_u64("18446744073709551616", &v), -1);
    assert_int_equal(etwhf_parse_u64("0x1D2c4A50000", &v), 0);
    assert_true(v == 0x1D2C4A50000ull);
    assert_int_equal(etwhf_parse_u64("0xffffffffffffffff", &v), 0);
    assert_int_equal(etwhf_parse_u64("0x10000000000000000", &v), -1);
    static const char *const bad[] = {"", "0x", "-1", "+1", "12a", "0xg", " 1", "1 ", "1e3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(etwhf_parse_u64(bad[i], &v), -1);
    assert_int_equal(etwhf_parse_bytes("16M", &v), 0);
    assert_true(v == 16u << 20);
    assert_int_equal(etwhf_parse_bytes("64k", &v), 0);
    assert_true(v == 65536);
    assert_int_equal(etwhf_parse_bytes("1G", &v), 0);
    assert_true(v == 1u << 30);
    assert_int_equal(etwhf_parse_bytes("0x100", &v), 0);
    assert_true(v == 256);
    assert_int_equal(etwhf_parse_bytes("M", &v), -1);
    assert_int_equal(etwhf_parse_bytes("17179869184G", &v), -1); /* overflows */
    static const char *const choices[] = {"free", "alloc", NULL};
    assert_int_equal(etwhf_parse_choice("alloc", choices), 1);
    assert_int_equal(etwhf_parse_choice("Alloc", choices), -1);
}

static void test_filetime_text(void **state)
{
    (void)state;
    char b[ETWHF_ISO_TIME_MAX];
    static const struct {
        uint64_t ft;
        const char *s;
    } cases[] = {
        {0, "1601-01-01T00:00:00.0000000Z"},
        {132394766711387363ull, "2020-07-17T16:24:31.1387363Z"},
        {116444736000000000ull, "1970-01-01T00:00:00.0000000Z"},
        {125911584000000000ull, "2000-01-01T00:00:00.0000000Z"},
        {125962560000000000ull, "2000-02-29T00:00:00.0000000Z"}, /* leap day of a 400-year leap year */
        {2650467743999999999ull, "9999-12-31T23:59:59.9999999Z"},
        {UINT64_MAX, "60056-05-28T05:36:10.9551615Z"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_text(b, etwhf_fmt_filetime(b, cases[i].ft), cases[i].s);
}

static void test_wallclock(void **state)
{
    (void)state;
    struct etwhf_logfile lf;
    struct etwhf_wallclock c;
    uint64_t ft;
    memset(&lf, 0, sizeof lf);
    lf.start_time = 132394766711387363ull;
    lf.header_timestamp = 1000;
    lf.reserved_flags = 1;
    lf.perf_freq = 3000000;
    assert_null(etwhf_wallclock_init(&c, &lf));
    assert_int_equal(etwhf_wallclock_filetime(&c, 1000, &ft), 0);
    assert_true(ft == lf.start_time);
    assert_int_equal(etwhf_wallclock_filetime(&c, 1001, &ft), 0); /* 3.33 → 3 */
    assert_true(ft == lf.start_time + 3);
    assert_int_equal(etwhf_wallclock_filetime(&c, 999, &ft), 0); /* −3.33 → −4 */
    assert_true(ft == lf.start_time - 4);
    assert_int_equal(etwhf_wallclock_filetime(&c, 1000 + 3000000ull * 86400, &ft), 0);
    assert_true(ft == lf.start_time + 864000000000ull);
    /* the product ts·10^7 exceeds 64 bits but the quotient fits */
    lf.start_time = 0;
    lf.header_timestamp = 0;
    lf.perf_freq = 10000000;
    assert_null(etwhf_wallclock_init(&c, &lf));
    assert_int_equal(etwhf_wallclock_filetime(&c, UINT64_MAX, &ft), 0);
    assert_true(ft == UINT64_MAX);
    lf.perf_freq = 1; /* then it does not: out of range */
    assert_null(etwhf_wallclock_init(&c, &lf));
    assert_int_equal(etwhf_wallclock_filetime(&c, UINT64_MAX, &ft), -1);
    lf.start_time = 5;
    lf.header_timestamp = 10;
    assert_null(etwhf_wallclock_init(&c, &lf));
    assert_int_equal(etwhf_wallclock_filetime(&c, 9, &ft), -1); /* before 1601 */

    lf.reserved_flags = 2;
    assert_null(etwhf_wallclock_init(&c, &lf));
    assert_int_equal(etwhf_wallclock_filetime(&c, 123456789, &ft), 0);
    assert_true(ft == 123456789);

    lf.reserved_flags = 3;
    lf.start_time = 1000;
    lf.header_timestamp = 0;
    lf.cpu_speed_mhz = 2500;
    assert_null(etwhf_wallclock_init(&c, &lf));
    assert_int_equal(etwhf_wallclock_filetime(&c, 2500000000ull, &ft), 0);
    assert_true(ft == 1000 + 10000000);
    lf.cpu_speed_mhz = 0;
    assert_non_null(etwhf_wallclock_init(&c, &lf));
    lf.reserved_flags = 1;
    lf.perf_freq = 0;
    assert_non_null(etwhf_wallclock_init(&c, &lf));
    lf.reserved_flags = 0;
    assert_non_null(etwhf_wallclock_init(&c, &lf));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_u64),
        cmocka_unit_test(test_hex),
        cmocka_unit_test(test_json_string),
        cmocka_unit_test(test_csv_and_out),
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_out_large),
        cmocka_unit_test(test_write_error_is_sticky),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_filetime_text),
        cmocka_unit_test(test_wallclock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
