/*
 * test_xpress_sample.c — the two XPRESS buffers of the real compressed trace
 * (samples/SelfDescribingSingleEvent.etl, written by Windows) expand to
 * exactly SavedOffset − 0x48 bytes whose records walk cleanly to the end;
 * the expansion also survives our own compressor.
 *
 * The sample lives outside the project: absent, the test skips visibly,
 * except under CI=true where that is a failure.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "etwhf/format.h"
#include "etwhf/layout.h"
#include "etwhf/xpress.h"
#include "etwhf/xpress_compress.h"

#define SAMPLE "SelfDescribingSingleEvent.etl"

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint8_t *load(size_t *n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", ETWHF_SAMPLES_DIR, SAMPLE);
    FILE *f = fopen(path, "rb");
    if (!f) {
        const char *ci = getenv("CI");
        if (ci && strcmp(ci, "true") == 0)
            fail_msg("sample %s is missing and CI=true", path);
        print_message("SKIPPED: sample %s is absent\n", path);
        return NULL;
    }
    uint8_t *d = malloc(1 << 16);
    assert_non_null(d);
    *n = fread(d, 1, 1 << 16, f);
    fclose(f);
    assert_int_equal(*n, 7403);
    return d;
}

/* Records of an 8-aligned walk over [0x48, end) of a buffer image; -1 when a
 * record's Size is below 8 or runs past the end (docs/spec/format.md §5). */
static int walk(const uint8_t *b, size_t end)
{
    int records = 0;
    size_t p = ETWHF_BUFFER_HEADER_SIZE;
    while (end - p >= 8 && le32(b + p) != ETWHF_FILLER_DWORD) {
        unsigned at =
            (b[p + 3] & ETWHF_TRACE_HEADER_EVENT) && (b[p + 2] <= 0x04 || b[p + 2] == 0x10 || b[p + 2] == 0x11) ? 4 : 0;
        size_t size = (size_t)b[p + at] | (size_t)b[p + at + 1] << 8;
        if (size < 8 || size > end - p)
            return -1;
        records++;
        p += (size + 7u) & ~(size_t)7u;
        if (p >= end)
            break;
    }
    return records;
}

static void sample_buffers_expand(void **state)
{
    (void)state;
    size_t n = 0;
    uint8_t *d = load(&n);
    if (!d) {
        skip();
        return;
    }
    assert_int_equal(le32(d + ETWHF_BH_STATE) & 0xFFFFu, ETWHF_COMPRESSION_XPRESS);
    int compressed = 0, records = 0;
    for (size_t off = 0; n - off >= ETWHF_BUFFER_HEADER_SIZE;) {
        const uint8_t *b = d + off;
        uint32_t size = le32(b + ETWHF_BH_BUFFER_SIZE), saved = le32(b + ETWHF_BH_SAVED_OFFSET);
        assert_true(size >= ETWHF_BUFFER_HEADER_SIZE && size <= n - off);
        assert_true(saved >= ETWHF_BUFFER_HEADER_SIZE);
        if ((b[ETWHF_BH_FLAGS] & ETWHF_BF_COMPRESSED) == 0) {
            records += walk(b, saved);
        } else {
            /* Exact-size copies: any stray access is an ASan report. */
            size_t in_len = size - ETWHF_BUFFER_HEADER_SIZE, out_len = saved - ETWHF_BUFFER_HEADER_SIZE;
            uint8_t *in = malloc(in_len), *image = calloc(1, saved);
            assert_non_null(in);
            assert_non_null(image);
            memcpy(in, b + ETWHF_BUFFER_HEADER_SIZE, in_len);
            assert_int_equal(etwhf_xpress_decompress(in, in_len, image + ETWHF_BUFFER_HEADER_SIZE, out_len),
                             ETWHF_XPRESS_OK);
            int r = walk(image, saved);
            assert_true(r > 0);
            records += r;
            /* One byte more than the buffer holds is a decompression error. */
            uint8_t *more = malloc(out_len + 1);
            assert_non_null(more);
            assert_int_not_equal(etwhf_xpress_decompress(in, in_len, more, out_len + 1), ETWHF_XPRESS_OK);
            /* Our compressor's stream of the same bytes expands to them. */
            size_t cap = etwhf_xpress_bound(out_len), len = 0;
            uint8_t *s = malloc(cap);
            assert_non_null(s);
            struct etwhf_xpress_params q;
            etwhf_xpress_params_init(&q);
            assert_int_equal(etwhf_xpress_compress(image + ETWHF_BUFFER_HEADER_SIZE, out_len, s, cap, &len, &q),
                             ETWHF_OK);
            assert_int_equal(etwhf_xpress_decompress(s, len, more, out_len), ETWHF_XPRESS_OK);
            assert_memory_equal(more, image + ETWHF_BUFFER_HEADER_SIZE, out_len);
            compressed++;
            free(s);
            free(more);
            free(in);
            free(image);
        }
        off += size;
    }
    /* samples/README.md: 3 buffers, 2 of them compressed, 22 records. */
    assert_int_equal(compressed, 2);
    assert_int_equal(records, 22);
    free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sample_buffers_expand),
    };
    return cmocka_run_group_tests_name("xpress_sample", tests, NULL, NULL);
}
