/*
 * test_xpress_streams.c — the decompressor on hand-made MS-XCA streams with
 * hand-written expectations: every encoding form, every error result.
 *
 * Reminder of the bytes: a flag word is a little-endian u32 read from bit 31
 * down (bit 1 = match); a match word is u16 LE (offset − 1) << 3 | (length − 3)
 * with 7 meaning "see the nibble"; nibble 15 means "see the next byte"; byte
 * 255 means "u16 (length − 3) follows", u16 0 means "u32 follows".
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "etwhf/xpress.h"

/* Expands `in` into an exact-size heap buffer (ASan sees any overrun) and
 * checks the result; on OK the output must equal `want` (or be `fill`
 * repeated when want is NULL). */
static void expect(const uint8_t *in, size_t in_len, size_t out_len, int want_rc, const char *want, int fill)
{
    uint8_t *src = malloc(in_len ? in_len : 1);
    uint8_t *out = malloc(out_len ? out_len : 1);
    assert_non_null(src);
    assert_non_null(out);
    if (in_len)
        memcpy(src, in, in_len);
    int rc = etwhf_xpress_decompress(src, in_len, out, out_len);
    assert_int_equal(rc, want_rc);
    if (rc == ETWHF_XPRESS_OK) {
        if (want)
            assert_memory_equal(out, want, out_len);
        else
            for (size_t i = 0; i < out_len; i++)
                assert_int_equal(out[i], fill);
    }
    free(src);
    free(out);
}

#define S(...) ((const uint8_t[]){__VA_ARGS__}), sizeof((const uint8_t[]){__VA_ARGS__})

/* ---- valid streams --------------------------------------------------------- */

static void literals(void **state)
{
    (void)state;
    expect(S(0x00, 0x00, 0x00, 0x00, 'a', 'b', 'c'), 3, ETWHF_XPRESS_OK, "abc", 0);
}

static void empty_output(void **state)
{
    (void)state;
    expect(NULL, 0, 0, ETWHF_XPRESS_OK, "", 0);
    expect(S(0xDE, 0xAD), 0, ETWHF_XPRESS_OK, "", 0);
}

static void short_match(void **state)
{
    (void)state;
    /* 3 literals, then bit 28: offset 3, length 3 + 3. */
    expect(S(0x00, 0x00, 0x00, 0x10, 'a', 'b', 'c', 0x13, 0x00), 9, ETWHF_XPRESS_OK, "abcabcabc", 0);
}

static void overlapping_match(void **state)
{
    (void)state;
    /* 'a' then offset 1, length 9: a run of 10. */
    expect(S(0x00, 0x00, 0x00, 0x40, 'a', 0x06, 0x00), 10, ETWHF_XPRESS_OK, NULL, 'a');
    /* "ab" then offset 2, length 7: "ababababa". */
    expect(S(0x00, 0x00, 0x00, 0x20, 'a', 'b', 0x0C, 0x00), 9, ETWHF_XPRESS_OK, "ababababa", 0);
}

static void shared_nibble(void **state)
{
    (void)state;
    /* Two matches share one nibble byte 0x10: low 0 → length 10, high 1 → 11. */
    expect(S(0x00, 0x00, 0x00, 0x60, 'a', 0x07, 0x00, 0x10, 0x07, 0x00), 22, ETWHF_XPRESS_OK, NULL, 'a');
    /* The second user's nibble 15 takes the next byte (0 → length 25); the
     * third starts a new nibble byte (2 → length 12). */
    expect(S(0x00, 0x00, 0x00, 0x70, 'a', 0x07, 0x00, 0xF0, 0x07, 0x00, 0x00, 0x07, 0x00, 0x02), 1 + 10 + 25 + 12,
           ETWHF_XPRESS_OK, NULL, 'a');
}

static void long_forms(void **state)
{
    (void)state;
    /* Byte form: 3 + 7 + 15 + 4 = 29. */
    expect(S(0x00, 0x00, 0x00, 0x40, 'a', 0x07, 0x00, 0x0F, 0x04), 30, ETWHF_XPRESS_OK, NULL, 'a');
    /* u16 form holds length − 3: 297 → 300. */
    expect(S(0x00, 0x00, 0x00, 0x40, 'a', 0x07, 0x00, 0x0F, 0xFF, 0x29, 0x01), 301, ETWHF_XPRESS_OK, NULL, 'a');
    /* The smallest u16 value the decoder takes: 22 → 25. */
    expect(S(0x00, 0x00, 0x00, 0x40, 'a', 0x07, 0x00, 0x0F, 0xFF, 0x16, 0x00), 26, ETWHF_XPRESS_OK, NULL, 'a');
    /* u32 form: 69997 → 70000. */
    expect(S(0x00, 0x00, 0x00, 0x40, 'a', 0x07, 0x00, 0x0F, 0xFF, 0x00, 0x00, 0x6D, 0x11, 0x01, 0x00), 70001,
           ETWHF_XPRESS_OK, NULL, 'a');
}

static void farthest_offset(void **state)
{
    (void)state;
    /* "xy", offset 2 for 8190 bytes (u16 form: 8187 = 0x1FFB), then offset
     * 8192 (word 0xFFF8), length 3: copies from the very first byte, "xyx";
     * an offset one short would give "yxy". */
    static const uint8_t in[] = {0x00, 0x00, 0x00, 0x30, 'x', 'y', 0x0F, 0x00, 0x0F, 0xFF, 0xFB, 0x1F, 0xF8, 0xFF};
    char *want = malloc(8195);
    assert_non_null(want);
    for (size_t i = 0; i < 8195; i++)
        want[i] = (i % 2) ? 'y' : 'x';
    want[8192] = 'x';
    want[8193] = 'y';
    want[8194] = 'x';
    expect(in, sizeof in, 8195, ETWHF_XPRESS_OK, want, 0);
    free(want);
}

static void second_flag_word(void **state)
{
    (void)state;
    uint8_t in[4 + 32 + 4 + 1] = {0};
    char want[33];
    for (int i = 0; i < 32; i++)
        in[4 + i] = want[i] = (char)('A' + i % 26);
    in[40] = want[32] = 'z';
    expect(in, sizeof in, 33, ETWHF_XPRESS_OK, want, 0);
    /* The same cut inside the second flag word. */
    expect(in, 4 + 32 + 2, 33, ETWHF_XPRESS_TRUNCATED, NULL, 0);
}

static void leftover_input_ignored(void **state)
{
    (void)state;
    /* The output is complete after 'a'; a bad match word follows. */
    expect(S(0x00, 0x00, 0x00, 0x40, 'a', 0xFF, 0xFF), 1, ETWHF_XPRESS_OK, "a", 0);
}

/* ---- errors ---------------------------------------------------------------- */

static void truncated_everywhere(void **state)
{
    (void)state;
    expect(NULL, 0, 1, ETWHF_XPRESS_TRUNCATED, NULL, 0);                                     /* no flag word */
    expect(S(0x00, 0x00, 0x00), 1, ETWHF_XPRESS_TRUNCATED, NULL, 0);                         /* in the flag word */
    expect(S(0x00, 0x00, 0x00, 0x00, 'a'), 2, ETWHF_XPRESS_TRUNCATED, NULL, 0);              /* literal */
    expect(S(0x00, 0x00, 0x00, 0x40, 'a', 0x06), 10, ETWHF_XPRESS_TRUNCATED, NULL, 0);       /* match */
    expect(S(0x00, 0x00, 0x00, 0x40, 'a', 0x07, 0x00), 11, ETWHF_XPRESS_TRUNCATED, NULL, 0); /* nibble */
    expect(S(0x00, 0x00, 0x00, 0x40, 'a', 0x07, 0x00, 0x0F), 26, ETWHF_XPRESS_TRUNCATED, NULL, 0); /* length byte */
    expect(S(0x00, 0x00, 0x00, 0x40, 'a', 0x07, 0x00, 0x0F, 0xFF, 0x29), 301, ETWHF_XPRESS_TRUNCATED, NULL,
           0); /* u16 */
    expect(S(0x00, 0x00, 0x00, 0x40, 'a', 0x07, 0x00, 0x0F, 0xFF, 0x00, 0x00, 0x6D, 0x11, 0x01), 70001,
           ETWHF_XPRESS_TRUNCATED, NULL, 0); /* u32 */
    /* A complete stream asked for one byte more: the trailing match flag
     * finds no match word. */
    expect(S(0x00, 0x00, 0x00, 0x1F, 'a', 'b', 'c'), 4, ETWHF_XPRESS_TRUNCATED, NULL, 0);
}

static void bad_offset(void **state)
{
    (void)state;
    /* A match first of all: nothing to copy from. */
    expect(S(0x00, 0x00, 0x00, 0x80, 0x00, 0x00), 3, ETWHF_XPRESS_BAD_OFFSET, NULL, 0);
    /* Offset 2 after one byte. */
    expect(S(0x00, 0x00, 0x00, 0x40, 'a', 0x08, 0x00), 4, ETWHF_XPRESS_BAD_OFFSET, NULL, 0);
    /* Offset 8192 after one byte. */
    expect(S(0x00, 0x00, 0x00, 0x40, 'a', 0xF8, 0xFF), 4, ETWHF_XPRESS_BAD_OFFSET, NULL, 0);
}

static void overrun(void **state)
{
    (void)state;
    /* Length 9 with 4 bytes left; length 3 with 2 left (one over). */
    expect(S(0x00, 0x00, 0x00, 0x40, 'a', 0x06, 0x00), 5, ETWHF_XPRESS_OVERRUN, NULL, 0);
    expect(S(0x00, 0x00, 0x00, 0x40, 'a', 0x00, 0x00), 3, ETWHF_XPRESS_OVERRUN, NULL, 0);
    expect(S(0x00, 0x00, 0x00, 0x40, 'a', 0x00, 0x00), 4, ETWHF_XPRESS_OK, "aaaa", 0);
    /* The largest length there is (0xFFFFFFFF + 3) must not wrap. */
    expect(S(0x00, 0x00, 0x00, 0x40, 'a', 0x07, 0x00, 0x0F, 0xFF, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF), 100,
           ETWHF_XPRESS_OVERRUN, NULL, 0);
}

static void bad_length(void **state)
{
    (void)state;
    /* u16 form 21 < 15 + 7. */
    expect(S(0x00, 0x00, 0x00, 0x40, 'a', 0x07, 0x00, 0x0F, 0xFF, 0x15, 0x00), 100, ETWHF_XPRESS_BAD_LENGTH, NULL, 0);
    /* u32 form 21. */
    expect(S(0x00, 0x00, 0x00, 0x40, 'a', 0x07, 0x00, 0x0F, 0xFF, 0x00, 0x00, 0x15, 0x00, 0x00, 0x00), 100,
           ETWHF_XPRESS_BAD_LENGTH, NULL, 0);
    /* u32 form 0. */
    expect(S(0x00, 0x00, 0x00, 0x40, 'a', 0x07, 0x00, 0x0F, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00), 100,
           ETWHF_XPRESS_BAD_LENGTH, NULL, 0);
}

static void result_names(void **state)
{
    (void)state;
    assert_string_equal(etwhf_xpress_result_name(ETWHF_XPRESS_OK), "ok");
    for (int r = ETWHF_XPRESS_TRUNCATED; r <= ETWHF_XPRESS_BAD_LENGTH; r++)
        assert_string_not_equal(etwhf_xpress_result_name(r), "unknown");
    assert_string_equal(etwhf_xpress_result_name(99), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(literals),
        cmocka_unit_test(empty_output),
        cmocka_unit_test(short_match),
        cmocka_unit_test(overlapping_match),
        cmocka_unit_test(shared_nibble),
        cmocka_unit_test(long_forms),
        cmocka_unit_test(farthest_offset),
        cmocka_unit_test(second_flag_word),
        cmocka_unit_test(leftover_input_ignored),
        cmocka_unit_test(truncated_everywhere),
        cmocka_unit_test(bad_offset),
        cmocka_unit_test(overrun),
        cmocka_unit_test(bad_length),
        cmocka_unit_test(result_names),
    };
    return cmocka_run_group_tests_name("xpress_streams", tests, NULL, NULL);
}
