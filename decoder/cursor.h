/*
 * cursor.h — the one checked reader of untrusted bytes (internal).
 *
 * Every read of input bytes in decoder/ goes through a `struct cur`: a view of
 * [base, base+len) with a sticky fault flag, in the manner of Lua's lundump.c
 * checked loader. A read outside the view returns 0 and sets `fault`; callers
 * read a group of fields and test the flag once, with cur_failed(). Offsets
 * are size_t and every bound is checked with subtraction, never with
 * `off + n` (which can wrap).
 */
#ifndef ETWHF_CURSOR_H
#define ETWHF_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct cur {
    const uint8_t *base;
    size_t len;
    int fault;
};

static inline struct cur cur_make(const void *base, size_t len)
{
    struct cur c = {(const uint8_t *)base, len, 0};
    return c;
}

/* 1 when [off, off+n) lies inside the view. */
static inline int cur_has(const struct cur *c, size_t off, size_t n)
{
    return off <= c->len && n <= c->len - off;
}

static inline uint8_t cur_u8(struct cur *c, size_t off)
{
    if (!cur_has(c, off, 1)) {
        c->fault = 1;
        return 0;
    }
    return c->base[off];
}

static inline uint16_t cur_u16(struct cur *c, size_t off)
{
    if (!cur_has(c, off, 2)) {
        c->fault = 1;
        return 0;
    }
    const uint8_t *p = c->base + off;
    return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static inline uint32_t cur_u32(struct cur *c, size_t off)
{
    if (!cur_has(c, off, 4)) {
        c->fault = 1;
        return 0;
    }
    const uint8_t *p = c->base + off;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t cur_u64(struct cur *c, size_t off)
{
    uint64_t lo = cur_u32(c, off);
    uint64_t hi = cur_u32(c, off + 4 < off ? SIZE_MAX : off + 4);
    return lo | hi << 32;
}

/* A pointer-sized field: width 4 or 8. */
static inline uint64_t cur_ptr(struct cur *c, size_t off, unsigned width)
{
    return width == 8 ? cur_u64(c, off) : cur_u32(c, off);
}

/* 1 and the bytes compare equal; 0 otherwise (out of view sets fault). */
static inline int cur_eq(struct cur *c, size_t off, const void *want, size_t n)
{
    if (!cur_has(c, off, n)) {
        c->fault = 1;
        return 0;
    }
    return memcmp(c->base + off, want, n) == 0;
}

/* Copies n bytes out; on a fault copies nothing. */
static inline void cur_copy(struct cur *c, size_t off, void *dst, size_t n)
{
    if (!cur_has(c, off, n)) {
        c->fault = 1;
        return;
    }
    memcpy(dst, c->base + off, n);
}

/* The sub-view [off, off+n); an empty view with fault set when out of range. */
static inline struct cur cur_sub(struct cur *c, size_t off, size_t n)
{
    if (!cur_has(c, off, n)) {
        c->fault = 1;
        return cur_make(c->base, 0);
    }
    return cur_make(c->base + off, n);
}

/* ---- the fault flag at a layer's exit ------------------------------------
 * A layer either tests the flag after a group of checked reads and acts on
 * it (cur_failed: the fault is then handled, and cleared), or has proven
 * those reads in view and never tests it. At each exit of a layer that
 * reads through a cursor, CUR_DONE(c) states that no fault is left
 * untested; builds with ETWHF_CURSOR_VERIFY abort when one is, so a read a
 * layer took for in view, or a test forgotten after a read, is a crash the
 * fuzzers find rather than a silent 0. Release builds drop the check. */

/* 1 once when a read since the last test fell outside the view. */
static inline int cur_failed(struct cur *c)
{
    if (!c->fault)
        return 0;
    c->fault = 0;
    return 1;
}

#ifdef ETWHF_CURSOR_VERIFY
static inline void cur_done_verify(const struct cur *c)
{
    if (c->fault)
        abort();
}
#define CUR_DONE(c) cur_done_verify(c)
#else
#define CUR_DONE(c) ((void)0)
#endif

/* ---- reads inside a proven range --------------------------------------------
 * Once cur_has() has held for a whole structure (a record's Size bytes after
 * R5, a payload's minimum layout after its length check), its fields are read
 * without re-checking each one: the per-record fast path, built on that one
 * check. The caller states the proof at each read; builds with
 * ETWHF_CURSOR_VERIFY (Debug, sanitizer and fuzzing builds) check every such
 * read again and abort on a miss, so the fuzzers test the proofs too. */
#ifdef ETWHF_CURSOR_VERIFY
#define CUR_PROVEN(c, off, n) ((void)(cur_has((c), (off), (n)) ? 0 : (abort(), 0)))
#else
#define CUR_PROVEN(c, off, n) ((void)0)
#endif

static inline uint8_t cur_u8p(const struct cur *c, size_t off)
{
    CUR_PROVEN(c, off, 1);
    return c->base[off];
}

/* Little-endian loads: one unaligned load on little-endian hosts, bytes
 * assembled elsewhere. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define CUR_LOAD(bits, p)                                                                                              \
    do {                                                                                                               \
        uint##bits##_t v_;                                                                                             \
        memcpy(&v_, (p), sizeof v_);                                                                                   \
        return v_;                                                                                                     \
    } while (0)
#else
#define CUR_LOAD(bits, p)                                                                                              \
    do {                                                                                                               \
        uint##bits##_t v_ = 0;                                                                                         \
        for (unsigned i_ = 0; i_ < (bits) / 8; i_++)                                                                   \
            v_ |= (uint##bits##_t)(p)[i_] << (8 * i_);                                                                 \
        return v_;                                                                                                     \
    } while (0)
#endif

static inline uint16_t cur_u16p(const struct cur *c, size_t off)
{
    CUR_PROVEN(c, off, 2);
    CUR_LOAD(16, c->base + off);
}

static inline uint32_t cur_u32p(const struct cur *c, size_t off)
{
    CUR_PROVEN(c, off, 4);
    CUR_LOAD(32, c->base + off);
}

static inline uint64_t cur_u64p(const struct cur *c, size_t off)
{
    CUR_PROVEN(c, off, 8);
    CUR_LOAD(64, c->base + off);
}

static inline uint64_t cur_ptrp(const struct cur *c, size_t off, unsigned width)
{
    return width == 8 ? cur_u64p(c, off) : cur_u32p(c, off);
}

static inline int cur_eqp(const struct cur *c, size_t off, const void *want, size_t n)
{
    CUR_PROVEN(c, off, n);
    return memcmp(c->base + off, want, n) == 0;
}

/* The sub-view [off, off+n) of a range already proven with cur_has(). */
static inline struct cur cur_subp(const struct cur *c, size_t off, size_t n)
{
    CUR_PROVEN(c, off, n);
    return cur_make(c->base + off, n);
}

#endif
