/*
 * gtest.h — helpers of the generator tests: a 64-bit FNV-1a hash (golden
 * values), little-endian reads, and the cross-check of a case against the
 * decoder (tests only: gen/ itself never runs the decoder).
 */
#ifndef ETWHF_TESTS_GEN_GTEST_H
#define ETWHF_TESTS_GEN_GTEST_H

#include <stddef.h>
#include <stdint.h>

#include "etwhf/gen.h"

#define FNV_OFFSET UINT64_C(0xcbf29ce484222325)
uint64_t fnv1a(uint64_t h, const void *data, size_t len);
uint64_t fnv1a_u64(uint64_t h, uint64_t v);

static inline uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
static inline uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16;
}
static inline uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* Decodes the case's bytes (recover and strict mode) and compares everything
 * the expectation holds: diagnostics (code, buffer, offset, inner offset) in
 * order, HeapFree events, Alloc/ReAlloc counts, summary counts, the strict
 * first error. 0 on agreement; else 1 and a reason in why. */
int crosscheck(const struct etwhf_gen_case *c, char *why, size_t cap);

/* Hash of everything a case is: bytes, shape, faults, expectation. */
uint64_t case_hash(uint64_t h, const struct etwhf_gen_case *c);

#endif
