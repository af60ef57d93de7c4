/*
 * test_xpress_roundtrip.c — compressor → decompressor on generated data, the
 * compressor's contract (bound, determinism, parameters, allocator, tokens),
 * the fault helpers, and random streams against the decompressor.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "etwhf/xpress.h"
#include "etwhf/xpress_compress.h"
#include "xpress_data.h"

#define MIB ((size_t)1 << 20)

/* Tokens as reported by on_token, checked against the data as they come. */
struct tokens {
    const uint8_t *data;
    size_t next_pos;
    size_t count, matches;
    unsigned ext_seen; /* bit n: an ext_len of n was reported */
    int overlapping;   /* a match with offset < length */
    uint32_t max_offset;
    struct etwhf_xpress_token first_match, long16, long32, last;
    int have_first, have16, have32;
};

static int on_token(void *user, const struct etwhf_xpress_token *t)
{
    struct tokens *k = user;
    assert_int_equal(t->data_pos, k->next_pos);
    k->next_pos += (size_t)t->length;
    k->count++;
    if (t->is_match) {
        assert_true(t->offset >= 1 && t->offset <= t->data_pos);
        assert_true(t->length >= 3);
        assert_memory_equal(k->data + t->data_pos, k->data + t->data_pos - t->offset,
                            t->length < t->offset ? t->length : t->offset);
        k->matches++;
        k->ext_seen |= 1u << t->ext_len;
        k->overlapping |= t->offset < t->length;
        if (t->offset > k->max_offset)
            k->max_offset = t->offset;
        if (!k->have_first) {
            k->first_match = *t;
            k->have_first = 1;
        }
        if (t->ext_len == 3 && !k->have16) {
            k->long16 = *t;
            k->have16 = 1;
        }
        if (t->ext_len == 7 && !k->have32) {
            k->long32 = *t;
            k->have32 = 1;
        }
    } else {
        assert_int_equal(t->length, 1);
    }
    k->last = *t;
    return 0;
}

/* Compresses with `p` (NULL = defaults), checks the bound, expands into an
 * exact-size buffer and compares. Returns the stream (caller frees) and its
 * length; token facts in *k when given. */
static uint8_t *round_trip(const uint8_t *data, size_t n, const struct etwhf_xpress_params *p, size_t *stream_len,
                           struct tokens *k)
{
    struct etwhf_xpress_params def;
    etwhf_xpress_params_init(&def);
    struct etwhf_xpress_params q = p ? *p : def;
    struct tokens local;
    if (!k)
        k = &local;
    memset(k, 0, sizeof *k);
    k->data = data;
    q.on_token = on_token;
    q.user = k;

    size_t cap = etwhf_xpress_bound(n);
    uint8_t *stream = malloc(cap);
    assert_non_null(stream);
    size_t len = 0;
    assert_int_equal(etwhf_xpress_compress(data, n, stream, cap, &len, &q), ETWHF_OK);
    assert_true(len <= cap);
    assert_int_equal(k->next_pos, n);

    uint8_t *exact = malloc(len);
    uint8_t *out = malloc(n ? n : 1);
    assert_non_null(exact);
    assert_non_null(out);
    memcpy(exact, stream, len);
    assert_int_equal(etwhf_xpress_decompress(exact, len, out, n), ETWHF_XPRESS_OK);
    if (n)
        assert_memory_equal(out, data, n);
    free(exact);
    free(out);
    *stream_len = len;
    return stream;
}

static void check(const uint8_t *data, size_t n)
{
    size_t len;
    free(round_trip(data, n, NULL, &len, NULL));
}

static uint8_t *buf(size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    assert_non_null(p);
    return p;
}

/* ---- round trips --------------------------------------------------------- */

static const size_t sizes[] = {0,  1,    2,    3,    4,    31,    32,    33,    63,          64,
                               65, 1000, 8191, 8192, 8193, 65535, 65536, 70000, 262144 + 17, MIB};

static void all_zero(void **state)
{
    (void)state;
    uint8_t *p = calloc(1, MIB);
    assert_non_null(p);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        check(p, sizes[i]);
    /* A megabyte of zeros is one literal and one u32-form match. */
    struct tokens k;
    size_t len;
    free(round_trip(p, MIB, NULL, &len, &k));
    assert_int_equal(k.count, 2);
    assert_true(k.have32);
    assert_true(len < 32);
    free(p);
}

static void random_bytes(void **state)
{
    (void)state;
    uint8_t *p = buf(MIB);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        xd_random(p, sizes[i], 1000 + i);
        check(p, sizes[i]);
    }
    /* Incompressible data costs its flag words and little more. */
    size_t len;
    xd_random(p, 65536, 7);
    free(round_trip(p, 65536, NULL, &len, NULL));
    assert_true(len <= etwhf_xpress_bound(65536));
    assert_true(len > 65536);
    free(p);
}

static void periodic(void **state)
{
    (void)state;
    uint8_t *p = buf(70000);
    for (size_t period = 1; period <= 40; period++) {
        struct tokens k;
        size_t len;
        xd_periodic(p, 70000, period, period);
        free(round_trip(p, 70000, NULL, &len, &k));
        assert_true(k.overlapping);
        assert_true(len < 200);
    }
    free(p);
}

static void event_like(void **state)
{
    (void)state;
    uint8_t *p = buf(MIB);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        xd_events(p, sizes[i], 77 + i);
        check(p, sizes[i]);
    }
    size_t len;
    xd_events(p, 65536, 5);
    free(round_trip(p, 65536, NULL, &len, NULL));
    assert_true(len < 65536 / 2); /* such records compress well */
    free(p);
}

/* max_length caps each match, so zeros give every length form at its edges. */
static void length_forms(void **state)
{
    (void)state;
    static const struct {
        uint64_t max;
        unsigned ext_len;
    } forms[] = {{3, 0}, {9, 0}, {10, 0}, {24, 0}, {25, 1}, {279, 1}, {280, 3}, {65538, 3}, {65539, 7}, {200000, 7}};
    uint8_t *p = calloc(1, 300000);
    assert_non_null(p);
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        struct etwhf_xpress_params q;
        etwhf_xpress_params_init(&q);
        q.max_length = forms[i].max;
        struct tokens k;
        size_t len;
        free(round_trip(p, 300000, &q, &len, &k));
        assert_int_equal(k.first_match.length, forms[i].max);
        assert_int_equal(k.first_match.ext_len, forms[i].ext_len);
        assert_true(k.first_match.nibble_pos != SIZE_MAX || forms[i].max < 10);
    }
    free(p);
}

static void max_offset_respected(void **state)
{
    (void)state;
    uint8_t *p = buf(40000);
    xd_periodic(p, 40000, 5000, 3);
    struct etwhf_xpress_params q;
    etwhf_xpress_params_init(&q);
    q.max_offset = 4096; /* the period is out of reach: no match at all */
    struct tokens k;
    size_t len;
    free(round_trip(p, 40000, &q, &len, &k));
    assert_true(k.max_offset <= 4096);
    assert_true(k.matches < 40); /* only chance 3-byte repeats */
    q.max_offset = 0;
    free(round_trip(p, 40000, &q, &len, &k));
    assert_true(len < 6000);
    free(p);
}

/* ---- the compressor's contract ------------------------------------------ */

static void literal_only_meets_bound(void **state)
{
    (void)state;
    uint8_t *p = calloc(1, 5000);
    assert_non_null(p);
    struct etwhf_xpress_params q;
    etwhf_xpress_params_init(&q);
    q.max_chain = 0;
    for (size_t n = 0; n < 5000; n += 97) {
        struct tokens k;
        size_t len;
        free(round_trip(p, n, &q, &len, &k));
        assert_int_equal(k.matches, 0);
        assert_int_equal(len, etwhf_xpress_bound(n)); /* the bound is tight */
    }
    free(p);
    assert_int_equal(etwhf_xpress_bound(0), 4);
    assert_int_equal(etwhf_xpress_bound(32), 40);
    assert_int_equal(etwhf_xpress_bound(SIZE_MAX), SIZE_MAX);
}

static void end_flags_are_ones(void **state)
{
    (void)state;
    uint8_t out[64];
    size_t len;
    struct etwhf_xpress_params q;
    etwhf_xpress_params_init(&q);
    assert_int_equal(etwhf_xpress_compress((const uint8_t *)"abc", 3, out, sizeof out, &len, &q), ETWHF_OK);
    static const uint8_t want[] = {0xFF, 0xFF, 0xFF, 0x1F, 'a', 'b', 'c'};
    assert_int_equal(len, sizeof want);
    assert_memory_equal(out, want, sizeof want);
    /* 32 tokens fill a flag word; an all-ones one follows. */
    uint8_t data[32];
    xd_random(data, 32, 9);
    q.max_chain = 0;
    assert_int_equal(etwhf_xpress_compress(data, 32, out, sizeof out, &len, &q), ETWHF_OK);
    assert_int_equal(len, 40);
    assert_memory_equal(out, "\0\0\0\0", 4);
    assert_memory_equal(out + 36, "\xFF\xFF\xFF\xFF", 4);
    assert_int_equal(etwhf_xpress_compress(NULL, 0, out, sizeof out, &len, &q), ETWHF_OK);
    assert_int_equal(len, 4);
    assert_memory_equal(out, "\xFF\xFF\xFF\xFF", 4);
}

static void deterministic(void **state)
{
    (void)state;
    uint8_t *p = buf(100000);
    xd_events(p, 100000, 11);
    size_t a_len, b_len;
    uint8_t *a = round_trip(p, 100000, NULL, &a_len, NULL);
    uint8_t *b = round_trip(p, 100000, NULL, &b_len, NULL);
    assert_int_equal(a_len, b_len);
    assert_memory_equal(a, b, a_len);
    free(a);
    free(b);
    free(p);
}

static void capacity_and_arguments(void **state)
{
    (void)state;
    uint8_t *p = buf(3000);
    xd_events(p, 3000, 4);
    size_t len;
    uint8_t *s = round_trip(p, 3000, NULL, &len, NULL);
    struct etwhf_xpress_params q;
    etwhf_xpress_params_init(&q);
    size_t got = 99;
    uint8_t *out = buf(len);
    assert_int_equal(etwhf_xpress_compress(p, 3000, out, len, &got, &q), ETWHF_OK);
    assert_int_equal(got, len);
    assert_memory_equal(out, s, len);
    assert_int_equal(etwhf_xpress_compress(p, 3000, out, len - 1, &got, &q), ETWHF_EINVAL);
    assert_int_equal(got, 0);
    assert_int_equal(etwhf_xpress_compress(p, 3000, NULL, len, &got, &q), ETWHF_EINVAL);
    assert_int_equal(etwhf_xpress_compress(NULL, 1, out, len, &got, &q), ETWHF_EINVAL);
    assert_int_equal(etwhf_xpress_compress(p, 3000, out, len, NULL, &q), ETWHF_EINVAL);
    assert_int_equal(etwhf_xpress_compress(p, 3000, out, len, &got, NULL), ETWHF_EINVAL);
    q.max_offset = 8193;
    assert_int_equal(etwhf_xpress_compress(p, 3000, out, len, &got, &q), ETWHF_EINVAL);
    q.max_offset = 0;
    q.max_length = 2;
    assert_int_equal(etwhf_xpress_compress(p, 3000, out, len, &got, &q), ETWHF_EINVAL);
    free(out);
    free(s);
    free(p);
}

struct counting {
    int allocs, frees, fail;
    size_t last_size;
};

static void *c_alloc(void *user, size_t size)
{
    struct counting *c = user;
    c->last_size = size;
    if (c->fail)
        return NULL;
    c->allocs++;
    return malloc(size);
}

static void c_free(void *user, void *ptr)
{
    struct counting *c = user;
    c->frees++;
    free(ptr);
}

static void allocator_hook(void **state)
{
    (void)state;
    uint8_t data[1000] = {0};
    uint8_t out[2000];
    size_t len;
    struct counting c = {0};
    struct etwhf_allocator a = {c_alloc, c_free, &c};
    struct etwhf_xpress_params q;
    etwhf_xpress_params_init(&q);
    q.allocator = &a;
    assert_int_equal(etwhf_xpress_compress(data, sizeof data, out, sizeof out, &len, &q), ETWHF_OK);
    assert_int_equal(c.allocs, 1);
    assert_int_equal(c.frees, 1);
    assert_int_equal(c.last_size, ETWHF_XPRESS_WORKSPACE);
    c.fail = 1;
    assert_int_equal(etwhf_xpress_compress(data, sizeof data, out, sizeof out, &len, &q), ETWHF_ENOMEM);
    assert_int_equal(len, 0);
    /* Literal-only mode needs no memory. */
    q.max_chain = 0;
    assert_int_equal(etwhf_xpress_compress(data, sizeof data, out, sizeof out, &len, &q), ETWHF_OK);
    assert_int_equal(c.allocs, 1);
}

static int stop_at_third(void *user, const struct etwhf_xpress_token *t)
{
    (void)t;
    return ++*(int *)user == 3;
}

static void token_callback_stops(void **state)
{
    (void)state;
    uint8_t data[100] = {0};
    uint8_t out[200];
    size_t len;
    int seen = 0;
    struct etwhf_xpress_params q;
    etwhf_xpress_params_init(&q);
    q.max_chain = 0;
    q.on_token = stop_at_third;
    q.user = &seen;
    assert_int_equal(etwhf_xpress_compress(data, sizeof data, out, sizeof out, &len, &q), ETWHF_EABORTED);
    assert_int_equal(seen, 3);
}

/* ---- the writer and the fault helpers ----------------------------------- */

static void writer_encodes_like_the_spec(void **state)
{
    (void)state;
    /* The same bytes as the hand-made stream of test_xpress_streams.c's
     * shared_nibble: two matches share the nibble byte 0xF0... */
    uint8_t out[32];
    struct etwhf_xpress_writer w;
    etwhf_xpress_writer_init(&w, out, sizeof out);
    etwhf_xpress_put_literal(&w, 'a');
    etwhf_xpress_put_match(&w, 1, 10);
    etwhf_xpress_put_match(&w, 1, 25);
    assert_int_equal(w.token.nibble_high, 1);
    assert_int_equal(w.token.ext_len, 1);
    etwhf_xpress_put_match(&w, 1, 12);
    size_t len = etwhf_xpress_writer_finish(&w);
    static const uint8_t want[] = {0xFF, 0xFF, 0xFF, 0x7F, 'a', 0x07, 0x00, 0xF0, 0x07, 0x00, 0x00, 0x07, 0x00, 0x02};
    assert_int_equal(len, sizeof want);
    assert_memory_equal(out, want, sizeof want);
    assert_false(w.overflow);
    /* A writer with no room says so and writes nothing. */
    etwhf_xpress_writer_init(&w, out, 3);
    etwhf_xpress_put_literal(&w, 'a');
    etwhf_xpress_writer_finish(&w);
    assert_true(w.overflow);
}

/* Expands a copy of stream[0, len) (exact size) into n bytes. */
static int expand(const uint8_t *stream, size_t len, size_t n)
{
    uint8_t *in = buf(len);
    uint8_t *out = buf(n);
    memcpy(in, stream, len);
    int rc = etwhf_xpress_decompress(in, len, out, n);
    free(in);
    free(out);
    return rc;
}

static void fault_helpers(void **state)
{
    (void)state;
    const size_t n = 100000;
    uint8_t *p = buf(n);
    xd_events(p, n, 21);
    memset(p + 40000, 0, 1000); /* a u16-form match */
    size_t len;
    struct tokens k;
    uint8_t *s = round_trip(p, n, NULL, &len, &k);
    assert_true(k.have_first && k.have16);
    uint8_t *f = buf(len);

    memcpy(f, s, len);
    assert_true(etwhf_xpress_fault_bad_offset(f, len, &k.first_match));
    assert_int_equal(expand(f, len, n), ETWHF_XPRESS_BAD_OFFSET);

    memcpy(f, s, len);
    assert_true(etwhf_xpress_fault_bad_length(f, len, &k.long16));
    assert_int_equal(expand(f, len, n), ETWHF_XPRESS_BAD_LENGTH);
    assert_true(k.first_match.ext_len < 3);
    assert_false(etwhf_xpress_fault_bad_length(f, len, &k.first_match));

    assert_int_equal(expand(s, etwhf_xpress_cut_in_token(&k.first_match), n), ETWHF_XPRESS_TRUNCATED);
    assert_int_equal(expand(s, etwhf_xpress_cut_in_token(&k.last), n), ETWHF_XPRESS_TRUNCATED);
    assert_int_equal(expand(s, etwhf_xpress_cut_in_flags(&k.last), n), ETWHF_XPRESS_TRUNCATED);
    assert_int_equal(expand(s, etwhf_xpress_cut_in_flags(&k.first_match), n), ETWHF_XPRESS_TRUNCATED);
    assert_int_equal(expand(s, len, n + 1), ETWHF_XPRESS_TRUNCATED);
    assert_int_equal(expand(s, len, etwhf_xpress_short_len(&k.long16)), ETWHF_XPRESS_OVERRUN);
    assert_int_equal(etwhf_xpress_short_len(&(struct etwhf_xpress_token){0}), 0);
    /* Ending after a literal is no error: the rest of the stream is ignored. */
    assert_int_equal(expand(s, len, k.first_match.data_pos), ETWHF_XPRESS_OK);

    free(f);
    free(s);
    free(p);
}

static void fault_helpers_u32(void **state)
{
    (void)state;
    uint8_t *p = calloc(1, 70000);
    assert_non_null(p);
    size_t len;
    struct tokens k;
    uint8_t *s = round_trip(p, 70000, NULL, &len, &k);
    assert_true(k.have32);
    assert_true(etwhf_xpress_fault_bad_length(s, len, &k.long32));
    assert_int_equal(expand(s, len, 70000), ETWHF_XPRESS_BAD_LENGTH);
    /* No back-reference reaches before the start from 8192 bytes in. */
    struct etwhf_xpress_token far = k.long32;
    far.data_pos = 8192;
    assert_false(etwhf_xpress_fault_bad_offset(s, len, &far));
    free(s);
    free(p);
}

/* long_form: every match of 25 bytes or more in the u16 or u32 form still
 * expands to the data (X6.5, X6.6); shorter ones keep their short forms. */
static void long_forms_round_trip(void **state)
{
    (void)state;
    const size_t n = 20000;
    uint8_t *p = buf(n);
    xd_events(p, n, 5);
    memset(p + 9000, 0, 300);
    for (unsigned form = 16; form <= 32; form += 16) {
        struct etwhf_xpress_params q;
        etwhf_xpress_params_init(&q);
        q.long_form = form;
        size_t len;
        struct tokens k;
        uint8_t *s = round_trip(p, n, &q, &len, &k);
        assert_true(form == 16 ? k.have16 && !k.have32 : k.have32 && !k.have16);
        assert_false(k.ext_seen & 1u << 1); /* no byte form (25 … 279) left */
        assert_true(k.ext_seen & 1u << 0);  /* short matches keep theirs */
        /* A long-form length below 22 is BAD_LENGTH; 0 is no u16 length. */
        struct etwhf_xpress_token t = form == 16 ? k.long16 : k.long32;
        assert_int_equal(etwhf_xpress_fault_set_length(s, len, &t, 22), 0);
        assert_int_equal(etwhf_xpress_fault_set_length(s, len, &t, 0), form == 32);
        assert_true(etwhf_xpress_fault_set_length(s, len, &t, 21));
        assert_int_equal(expand(s, len, n), ETWHF_XPRESS_BAD_LENGTH);
        free(s);
    }
    free(p);
}

/* ---- hostile streams ----------------------------------------------------- */

/* Random streams, many of them shaped (a flag word with many match bits,
 * length 7 words), into exact-size buffers: ASan reports any stray access;
 * every run must end with a known result, and the mix must reach them all. */
static void random_streams(void **state)
{
    (void)state;
    uint64_t seed = 12345;
    unsigned seen[5] = {0};
    for (int iter = 0; iter < 20000; iter++) {
        uint64_t r = xd_next(&seed);
        size_t in_len = (size_t)(r % 64);
        size_t out_len = (size_t)(r >> 8 & 0x3FF);
        uint8_t *in = buf(in_len);
        uint8_t *out = buf(out_len);
        xd_random(in, in_len, r);
        if (in_len >= 4 && (r >> 20 & 1))
            in[3] |= 0x60; /* early match flags */
        for (size_t i = 5; i + 1 < in_len && (r >> 21 & 1); i += 3)
            in[i] |= 7; /* long-length words */
        static const uint8_t u16_form[] = {0, 0, 0, 0x40, 'a', 7, 0, 0x0F, 0xFF};
        if (in_len >= 15 && (r >> 22 & 3) == 0) {
            memcpy(in, u16_form, sizeof u16_form); /* then a random small u16 / u32 */
            in[9] = (uint8_t)(r >> 32) % 40;
            in[10] = 0;
            in[12] = in[13] = in[14] = 0;
        }
        int rc = etwhf_xpress_decompress(in, in_len, out, out_len);
        assert_true(rc >= ETWHF_XPRESS_OK && rc <= ETWHF_XPRESS_BAD_LENGTH);
        seen[rc]++;
        free(in);
        free(out);
    }
    for (int rc = 0; rc < 5; rc++)
        assert_true(seen[rc] > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(all_zero),
        cmocka_unit_test(random_bytes),
        cmocka_unit_test(periodic),
        cmocka_unit_test(event_like),
        cmocka_unit_test(length_forms),
        cmocka_unit_test(max_offset_respected),
        cmocka_unit_test(literal_only_meets_bound),
        cmocka_unit_test(end_flags_are_ones),
        cmocka_unit_test(deterministic),
        cmocka_unit_test(capacity_and_arguments),
        cmocka_unit_test(allocator_hook),
        cmocka_unit_test(token_callback_stops),
        cmocka_unit_test(writer_encodes_like_the_spec),
        cmocka_unit_test(fault_helpers),
        cmocka_unit_test(fault_helpers_u32),
        cmocka_unit_test(long_forms_round_trip),
        cmocka_unit_test(random_streams),
    };
    return cmocka_run_group_tests_name("xpress_roundtrip", tests, NULL, NULL);
}
