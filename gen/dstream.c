/*
 * dstream.c — the decision stream every generator choice is drawn from.
 *
 * PRNG mode: SplitMix64 (Steele, Lea, Flood 2014) expands the seed into the
 * state of xoshiro256** (Blackman, Vigna 2018); both are integer-only, so the
 * same seed gives the same draws on every machine. Byte mode serves fuzz
 * targets: each draw consumes only the bytes it needs, so a fuzzer's byte
 * edits map onto individual choices, and an exhausted buffer reads as zeros
 * (the simplest choice everywhere).
 */
#include "internal.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t xoshiro(uint64_t s[4])
{
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

void etwhf_dstream_init_seed(struct etwhf_dstream *ds, uint64_t seed, uint64_t id)
{
    memset(ds, 0, sizeof *ds);
    ds->kind = ETWHF_DSTREAM_PRNG;
    uint64_t x = seed ^ (id * UINT64_C(0x9E3779B97F4A7C15));
    for (int i = 0; i < 4; i++)
        ds->s[i] = splitmix64(&x);
}

void etwhf_dstream_init_bytes(struct etwhf_dstream *ds, const void *bytes, size_t len)
{
    memset(ds, 0, sizeof *ds);
    ds->kind = ETWHF_DSTREAM_BYTES;
    ds->bytes = bytes;
    ds->len = bytes ? len : 0;
}

static uint64_t take_bytes(struct etwhf_dstream *ds, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t b = ds->pos < ds->len ? ds->bytes[ds->pos++] : 0;
        v |= b << (8 * i);
    }
    return v;
}

uint64_t etwhf_dstream_u64(struct etwhf_dstream *ds)
{
    ds->draws++;
    if (ds->kind == ETWHF_DSTREAM_BYTES)
        return take_bytes(ds, 8);
    return xoshiro(ds->s);
}

uint64_t etwhf_dstream_below(struct etwhf_dstream *ds, uint64_t n)
{
    if (n <= 1)
        return 0;
    if (ds->kind == ETWHF_DSTREAM_BYTES) {
        unsigned k = 0;
        for (uint64_t m = n - 1; m; m >>= 8)
            k++;
        ds->draws++;
        return take_bytes(ds, k) % n;
    }
    return etwhf_dstream_u64(ds) % n;
}

int etwhf_dstream_chance(struct etwhf_dstream *ds, unsigned permille)
{
    if (permille == 0)
        return 0;
    if (permille >= 1000)
        return 1;
    /* Counting down from 999 makes a zero draw mean "no". */
    return 999 - etwhf_dstream_below(ds, 1000) < permille;
}

void etwhf_dstream_fill(struct etwhf_dstream *ds, uint64_t *out, size_t n)
{
    if (ds->kind == ETWHF_DSTREAM_BYTES) {
        for (size_t i = 0; i < n; i++)
            out[i] = etwhf_dstream_u64(ds);
        return;
    }
    uint64_t s[4] = {ds->s[0], ds->s[1], ds->s[2], ds->s[3]};
    for (size_t i = 0; i < n; i++)
        out[i] = xoshiro(s);
    memcpy(ds->s, s, sizeof s);
    ds->draws += n;
}
