/*
 * fuzz_xpress — the MS-XCA plain LZ77 decompressor alone, and the compressor
 * round trip on the same bytes.
 *
 * Input: bytes 0–1 (u16 LE) are out_len, byte 2 chooses the compressor's
 * parameters, the rest is the compressed stream.
 *   byte 2 bits 0–1  max_chain 0 (literals only), 1, 4, 16
 *          bit  2    max_offset 64 instead of 8192
 *          bits 3–5  max_length 0 (unbounded), 3, 9, 10, 24, 25, 279, 280
 * Invariants:
 *   - the result is one of enum etwhf_xpress_result; the output buffer is an
 *     exact-size allocation (ASan sees a write one past its end);
 *   - an expansion to out_len that succeeded, asked for out_len − 1, gives the
 *     same bytes or OVERRUN (the last token was a match) — never anything else;
 *   - the whole input compressed (within etwhf_xpress_bound) expands back to
 *     itself, and the fault helpers' streams give the results they promise.
 */
#include <stdlib.h>
#include <string.h>

#include "etwhf/xpress.h"
#include "etwhf/xpress_compress.h" /* libetwhf_gen's compressor: fuzz/CMakeLists.txt links it */
#include "fuzz_helpers.h"

static int expand(const uint8_t *in, size_t in_len, size_t out_len, uint8_t **out)
{
    *out = malloc(out_len ? out_len : 1);
    FUZZ_ASSERT(*out != NULL);
    int rc = etwhf_xpress_decompress(in, in_len, *out, out_len);
    FUZZ_ASSERT(rc >= ETWHF_XPRESS_OK && rc <= ETWHF_XPRESS_BAD_LENGTH);
    return rc;
}

static void decompress_alone(const uint8_t *stream, size_t len, size_t out_len)
{
    uint8_t *out, *shorter;
    int rc = expand(stream, len, out_len, &out);
    if (rc == ETWHF_XPRESS_OK && out_len > 0) {
        int rc2 = expand(stream, len, out_len - 1, &shorter);
        FUZZ_ASSERT_MSG(rc2 == ETWHF_XPRESS_OK || rc2 == ETWHF_XPRESS_OVERRUN, "prefix");
        if (rc2 == ETWHF_XPRESS_OK)
            FUZZ_ASSERT(memcmp(out, shorter, out_len - 1) == 0);
        free(shorter);
    }
    free(out);
    fuzz_stats_exec("xpress", rc == ETWHF_XPRESS_OK);
}

struct seen {
    struct etwhf_xpress_token first_match, last;
    int have_match;
};

static int note(void *user, const struct etwhf_xpress_token *t)
{
    struct seen *s = user;
    if (t->is_match && !s->have_match) {
        s->first_match = *t;
        s->have_match = 1;
    }
    s->last = *t;
    return 0;
}

static void expect_result(const uint8_t *stream, size_t len, size_t out_len, int want)
{
    uint8_t *copy = malloc(len ? len : 1), *out;
    FUZZ_ASSERT(copy != NULL);
    if (len)
        memcpy(copy, stream, len);
    FUZZ_ASSERT_MSG(expand(copy, len, out_len, &out) == want, etwhf_xpress_result_name(want));
    free(out);
    free(copy);
}

static void round_trip(const uint8_t *data, size_t size, uint8_t sel)
{
    static const unsigned chains[4] = {0, 1, 4, 16};
    static const uint64_t lengths[8] = {0, 3, 9, 10, 24, 25, 279, 280};
    struct seen s = {0};
    struct etwhf_xpress_params p;
    etwhf_xpress_params_init(&p);
    p.max_chain = chains[sel & 3u];
    p.max_offset = (sel & 4u) ? 64u : 0u;
    p.max_length = lengths[(sel >> 3) & 7u];
    p.on_token = note;
    p.user = &s;

    size_t cap = etwhf_xpress_bound(size), len = 0;
    uint8_t *stream = malloc(cap);
    FUZZ_ASSERT(stream != NULL);
    FUZZ_ASSERT(etwhf_xpress_compress(data, size, stream, cap, &len, &p) == ETWHF_OK);
    FUZZ_ASSERT(len <= cap);
    if (p.max_chain == 0)
        FUZZ_ASSERT(len == cap);

    uint8_t *out;
    FUZZ_ASSERT_MSG(expand(stream, len, size, &out) == ETWHF_XPRESS_OK, "round trip");
    FUZZ_ASSERT(size == 0 || memcmp(out, data, size) == 0);
    free(out);

    if (size > 0) {
        expect_result(stream, etwhf_xpress_cut_in_token(&s.last), size, ETWHF_XPRESS_TRUNCATED);
        expect_result(stream, etwhf_xpress_cut_in_flags(&s.last), size, ETWHF_XPRESS_TRUNCATED);
        expect_result(stream, len, size + 1, ETWHF_XPRESS_TRUNCATED);
    }
    if (s.have_match) {
        expect_result(stream, len, etwhf_xpress_short_len(&s.first_match), ETWHF_XPRESS_OVERRUN);
        if (etwhf_xpress_fault_bad_offset(stream, len, &s.first_match))
            expect_result(stream, len, size, ETWHF_XPRESS_BAD_OFFSET);
    }
    free(stream);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    size_t out_len = (size_t)data[0] | (size_t)data[1] << 8;
    decompress_alone(data + 3, size - 3, out_len);
    round_trip(data, size, data[2]);
    return 0;
}
