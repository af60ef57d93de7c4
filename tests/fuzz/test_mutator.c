/*
 * test_mutator.c — the structure-aware mutator (fuzz/mutator.c) on hostile
 * and well-formed inputs: it never writes past max_size, never returns an
 * empty input, is deterministic per seed, and its structural mutations do
 * change the fields they aim at.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "etwhf/format.h"
#include "etwhf/layout.h"
#include "mutator.h"

#define GUARD 64
#define CAP 4096

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v & 0xFFFF);
    put16(p + 2, v >> 16);
}

/* Two 0x200-byte buffers, each with one SYSTEM64 HeapFree record (docs/spec/format.md §8). */
static size_t small_trace(uint8_t *d)
{
    memset(d, 0xFF, 0x400);
    for (int b = 0; b < 2; b++) {
        uint8_t *h = d + 0x200 * b;
        memset(h, 0, ETWHF_BUFFER_HEADER_SIZE);
        put32(h + ETWHF_BH_BUFFER_SIZE, 0x200);
        put32(h + ETWHF_BH_SAVED_OFFSET, 0x48 + 0x38);
        put16(h + ETWHF_BH_FLAGS, ETWHF_BF_PROC_INDEX);
        uint8_t *r = h + 0x48;
        memset(r, 0, 0x38);
        r[0] = 2;
        r[2] = 0x02;
        r[3] = 0xC0;
        put16(r + 4, 0x34);
        put16(r + 6, ETWHF_HOOK_HEAP_FREE);
        put32(r + 0x30, 3);
    }
    return 0x400;
}

static void fill_random(uint8_t *d, size_t n, uint32_t *s)
{
    for (size_t i = 0; i < n; i++) {
        *s ^= *s << 13;
        *s ^= *s >> 17;
        *s ^= *s << 5;
        d[i] = (uint8_t)*s;
    }
}

static void assert_guard(const uint8_t *g)
{
    for (size_t i = 0; i < GUARD; i++)
        assert_int_equal(g[i], 0xA5);
}

static void stays_in_bounds_on_any_bytes(void **state)
{
    (void)state;
    static uint8_t buf[CAP + GUARD], other[CAP];
    uint32_t s = 12345;
    for (int layout = 0; layout < 3; layout++) {
        for (int i = 0; i < 3000; i++) {
            size_t max = 1 + (size_t)(s % CAP);
            size_t n = (size_t)(s >> 7) % (max + 1);
            fill_random(buf, n, &s);
            if (i % 3 == 0 && max >= 0x400)
                n = small_trace(buf);
            memset(buf + max, 0xA5, GUARD);
            size_t out = fuzz_mutate(layout, buf, n, max, s, NULL);
            assert_true(out >= 1 && out <= max);
            assert_guard(buf + max);

            size_t no = (size_t)(s >> 3) % CAP;
            fill_random(other, no, &s);
            memset(buf + max, 0xA5, GUARD);
            out = fuzz_crossover(layout, buf, out, other, no, buf, max, s);
            assert_true(out >= 1 && out <= max);
            assert_guard(buf + max);
        }
    }
}

static void deterministic_per_seed(void **state)
{
    (void)state;
    static uint8_t a[CAP], b[CAP];
    size_t n = small_trace(a);
    memcpy(b, a, n);
    size_t na = fuzz_mutate(FUZZ_LAYOUT_FILE, a, n, CAP, 77, NULL);
    size_t nb = fuzz_mutate(FUZZ_LAYOUT_FILE, b, n, CAP, 77, NULL);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na);
}

/* Over many seeds, the structural mutations reach the fields they aim at. */
static void reaches_structure_fields(void **state)
{
    (void)state;
    static uint8_t orig[CAP], d[CAP];
    size_t n = small_trace(orig);
    int buffer_size = 0, saved = 0, flags = 0, rec_size = 0, hook = 0, source = 0, grew = 0;
    for (uint32_t seed = 1; seed < 4000; seed++) {
        memcpy(d, orig, n);
        size_t out = fuzz_mutate(FUZZ_LAYOUT_FILE, d, n, CAP, seed, NULL);
        if (out != n) {
            grew += out > n;
            continue;
        }
        buffer_size += memcmp(d, orig, 4) != 0;
        saved += memcmp(d + 4, orig + 4, 4) != 0;
        flags += (d[ETWHF_BH_FLAGS] ^ orig[ETWHF_BH_FLAGS]) == ETWHF_BF_COMPRESSED;
        rec_size += memcmp(d + 0x48 + 4, orig + 0x48 + 4, 2) != 0;
        hook += memcmp(d + 0x48 + 6, orig + 0x48 + 6, 2) != 0;
        source += memcmp(d + 0x48 + 0x30, orig + 0x48 + 0x30, 4) != 0;
    }
    assert_true(buffer_size > 20);
    assert_true(saved > 20);
    assert_true(flags > 5);
    assert_true(rec_size > 20);
    assert_true(hook > 20);
    assert_true(source > 20);
    assert_true(grew > 5);
}

/* Stream layout: a plan-length change adds or removes plan bytes and leaves
 * the trace after the plan as it was. */
static void stream_plan_change_keeps_trace(void **state)
{
    (void)state;
    static uint8_t d[CAP], trace[CAP];
    size_t tn = small_trace(trace);
    int kept = 0;
    for (uint32_t seed = 1; seed < 3000; seed++) {
        d[0] = 3;
        d[1] = 1;
        d[2] = 2;
        d[3] = 0xF0;
        memcpy(d + 4, trace, tn);
        size_t n = fuzz_mutate(FUZZ_LAYOUT_STREAM, d, 4 + tn, CAP, seed, NULL);
        assert_true(n >= 1 && n <= CAP);
        size_t k = d[0] & 15u;
        if (k != 3 && n == 1 + k + tn && memcmp(d + 1 + k, trace, tn) == 0)
            kept++;
    }
    assert_true(kept > 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stays_in_bounds_on_any_bytes),
        cmocka_unit_test(deterministic_per_seed),
        cmocka_unit_test(reaches_structure_fields),
        cmocka_unit_test(stream_plan_change_keeps_trace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
