/*
 * xpress_data.h — deterministic data for the compression tests and benchmark:
 * a small PRNG and buffers shaped like real trace data (header-only; also
 * included by bench/xpress_bench.c).
 */
#ifndef ETWHF_TEST_XPRESS_DATA_H
#define ETWHF_TEST_XPRESS_DATA_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* xorshift64*: fixed constants, so every machine draws the same bytes. */
static inline uint64_t xd_next(uint64_t *s)
{
    uint64_t x = *s ? *s : 0x9E3779B97F4A7C15u;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1Du;
}

static inline void xd_random(uint8_t *p, size_t n, uint64_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(xd_next(&seed) >> 56);
}

/* A pattern of `period` random bytes repeated: overlapping matches when
 * period < match length. */
static inline void xd_periodic(uint8_t *p, size_t n, size_t period, uint64_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = i < period ? (uint8_t)(xd_next(&seed) >> 56) : p[i - period];
}

static inline void xd_put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* What an expanded ETW buffer holds: 64-bit HeapFree records with a SYSTEM64
 * header (docs/spec/format.md §8), each followed now and then by a PERFINFO64 stack
 * walk, timestamps rising, addresses scattered in a few heaps, 8-aligned.
 * The tail that no whole record fits is zero. */
static inline void xd_events(uint8_t *p, size_t n, uint64_t seed)
{
    uint64_t t = 0x1234567890u;
    size_t off = 0;
    memset(p, 0, n);
    for (;;) {
        uint64_t r = xd_next(&seed);
        int stack = (r & 3u) == 0;
        size_t size = stack ? 0x20u + 8u * (4u + (size_t)(r >> 8 & 7u)) : 0x34u;
        size_t step = (size + 7u) & ~(size_t)7u;
        if (n - off < step)
            return;
        uint8_t *e = p + off;
        t += 1u + (r >> 16 & 0x3FFu);
        if (stack) {
            xd_put_le(e, 0xC0110002u, 4); /* version 2, PERFINFO64 */
            xd_put_le(e + 4, size, 2);
            xd_put_le(e + 6, 0x1820u, 2); /* stack walk */
            xd_put_le(e + 8, t, 8);
            xd_put_le(e + 0x10, t, 8); /* the event it belongs to */
            xd_put_le(e + 0x18, 0x0F10u, 4);
            xd_put_le(e + 0x1C, 0x1A2Cu, 4);
            for (size_t f = 0x20; f + 8 <= size; f += 8)
                xd_put_le(e + f, 0x7FF812340000u + (xd_next(&seed) & 0xFFFFFu), 8);
        } else {
            uint64_t heap = 0x1D2C4A50000u + ((r >> 26 & 3u) << 20);
            xd_put_le(e, 0xC0020002u, 4); /* version 2, SYSTEM64 */
            xd_put_le(e + 4, size, 2);
            xd_put_le(e + 6, 0x1024u, 2); /* HeapFree */
            xd_put_le(e + 8, 0x1A2Cu, 4);
            xd_put_le(e + 0xC, 0x0F10u, 4);
            xd_put_le(e + 0x10, t, 8);
            xd_put_le(e + 0x20, heap, 8);
            xd_put_le(e + 0x28, heap + (r >> 28 & 0xFFFF0u), 8);
            xd_put_le(e + 0x30, 1u + (r >> 50 & 3u), 4);
        }
        off += step;
    }
}

#endif
