/*
 * etwhf/xpress_compress.h — MS-XCA plain LZ77 ("XPRESS",
 * COMPRESSION_FORMAT_XPRESS = 3) compression, part of libetwhf_gen: the
 * generator's compressed buffers, and the fault helpers that break them.
 *
 * The output is a valid MS-XCA §2.3 stream: 32-bit flag words read from the
 * most significant bit, 1-byte literals, 2-byte match words (13-bit offset-1,
 * 3-bit length), shared length nibbles and the 0xFF / u16 / u32 long forms.
 * The unused bits of the last flag word are ones, so the specification's
 * decompressor (which stops on a match flag at the end of input) ends too.
 * It is not byte-identical to Windows' compressor; any MS-XCA decoder expands it.
 *
 * Deterministic: the same input and parameters give the same bytes on every
 * machine. Memory: one allocation of ETWHF_XPRESS_WORKSPACE bytes through the
 * allocator hook (none in literal-only mode); no other heap, no globals, so
 * distinct calls may run on distinct threads.
 *
 * Faults inside compressed data. A generator that wants a broken stream
 * compresses with an `on_token` callback, picks a reported token and uses a
 * helper below; the decoder then reports (etwhf_xpress_decompress, with the
 * uncompressed length as out_len):
 *   bad back-reference       etwhf_xpress_fault_bad_offset      → BAD_OFFSET
 *   bad long length          etwhf_xpress_fault_bad_length      → BAD_LENGTH
 *   truncated stream         cut to etwhf_xpress_cut_in_token   → TRUNCATED
 *   flag word cut            cut to etwhf_xpress_cut_in_flags   → TRUNCATED
 *   output longer than data  any out_len > the data length      → TRUNCATED
 *   output shorter than data etwhf_xpress_short_len             → OVERRUN
 * An out_len shorter than the data is only an error when it ends inside a
 * match: ending after a literal leaves input over, which is ignored.
 */
#ifndef ETWHF_XPRESS_COMPRESS_H
#define ETWHF_XPRESS_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "etwhf/format.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ETWHF_XPRESS_MAX_OFFSET 8192u /* 13 bits of offset − 1 */
#define ETWHF_XPRESS_MIN_MATCH 3u
#define ETWHF_XPRESS_HASH_BITS 14u
/* Bytes of the one matcher allocation: hash heads + a window of chain links. */
#define ETWHF_XPRESS_WORKSPACE (((size_t)1 << ETWHF_XPRESS_HASH_BITS) * 4u + (size_t)ETWHF_XPRESS_MAX_OFFSET * 4u)
/* Largest input etwhf_xpress_compress takes (positions are kept in 32 bits). */
#define ETWHF_XPRESS_MAX_INPUT ((size_t)UINT32_MAX - 1u)

/* One token as written. Positions are byte offsets in the compressed stream. */
struct etwhf_xpress_token {
    int is_match;
    size_t data_pos;   /* where its bytes start in the uncompressed data */
    uint64_t length;   /* 1 for a literal */
    uint32_t offset;   /* match distance 1..8192; 0 for a literal */
    size_t pos;        /* the literal byte, or the first byte of the match word */
    size_t end;        /* one past its last byte in the stream (nibble excluded) */
    size_t flag_pos;   /* the flag word that holds its bit */
    unsigned flag_bit; /* that bit: 31 for the first token of a flag word */
    size_t nibble_pos; /* the shared length nibble's byte, SIZE_MAX when none */
    int nibble_high;   /* 1: its length is in the high nibble (second user) */
    size_t ext_pos;    /* first long-length byte (0xFF / u16 / u32 forms), SIZE_MAX when none */
    unsigned ext_len;  /* 0, 1, 3 or 7 bytes */
};

/* Return nonzero to stop compression (etwhf_xpress_compress returns ETWHF_EABORTED). */
typedef int (*etwhf_xpress_token_fn)(void *user, const struct etwhf_xpress_token *t);

struct etwhf_xpress_params {
    unsigned max_chain;             /* match candidates tried per position; 0 = literals only */
    uint32_t max_offset;            /* 1..8192; 0 = 8192 */
    uint64_t max_length;            /* ≥ 3; 0 = unbounded (up to UINT32_MAX + 3) */
    unsigned long_form;             /* 0: each match length in its shortest form; 16 or 32: every match
                               of length ≥ 25 in the u16 or u32 form (legal, non-canonical:
                               real encoders differ in where they switch forms) */
    etwhf_xpress_token_fn on_token; /* may be NULL */
    void *user;
    const struct etwhf_allocator *allocator; /* used when it has both functions; else malloc/free */
};

/* Defaults: max_chain 16, every other field 0 / NULL. */
ETWHF_API void etwhf_xpress_params_init(struct etwhf_xpress_params *p);

/* Worst-case stream size for in_len input bytes, for any parameters:
 * in_len + 4·(in_len/32 + 1); SIZE_MAX when that does not fit. No token costs
 * more stream bytes than the data it stands for, and each needs one flag bit. */
ETWHF_API size_t etwhf_xpress_bound(size_t in_len);

/* Compresses in[0, in_len) into out[0, out_cap); *out_len receives the stream
 * length. Returns ETWHF_OK; ETWHF_EINVAL (NULL argument, in_len above
 * ETWHF_XPRESS_MAX_INPUT, bad max_offset or max_length, or out_cap too small:
 * out_cap ≥ etwhf_xpress_bound(in_len) always suffices); ETWHF_ENOMEM;
 * ETWHF_EABORTED (on_token asked to stop). On error *out_len is 0. */
ETWHF_API int etwhf_xpress_compress(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len,
                                    const struct etwhf_xpress_params *params);

/* ---- the stream writer the compressor is built on --------------------------
 * Also for hand-built streams (tests, faults): any sequence of literals and
 * matches, encoded as MS-XCA §2.3 says. Writes past `cap` are dropped and set
 * `overflow`; `token` describes the last token written. */
struct etwhf_xpress_writer {
    uint8_t *out;
    size_t cap, len;
    int overflow;
    uint32_t flags;
    unsigned flag_count; /* tokens in the current flag word */
    size_t flag_pos;
    size_t nibble_pos; /* SIZE_MAX when no nibble is half used */
    size_t data_pos;
    struct etwhf_xpress_token token;
};

ETWHF_API void etwhf_xpress_writer_init(struct etwhf_xpress_writer *w, uint8_t *out, size_t cap);
ETWHF_API void etwhf_xpress_put_literal(struct etwhf_xpress_writer *w, uint8_t byte);
/* offset 1..8192, length 3..UINT32_MAX+3 (the caller checks both). */
ETWHF_API void etwhf_xpress_put_match(struct etwhf_xpress_writer *w, uint32_t offset, uint64_t length);
/* As etwhf_xpress_put_match; form 16 or 32 writes a length ≥ 25 in the u16 or
 * u32 long form (0xF nibble, 0xFF byte, then u16 length − 3, or u16 0 and u32
 * length − 3), which any MS-XCA decoder takes; shorter lengths, and form 0,
 * get the shortest form. A length above 0xFFFF + 3 always takes the u32 form. */
ETWHF_API void etwhf_xpress_put_match_form(struct etwhf_xpress_writer *w, uint32_t offset, uint64_t length,
                                           unsigned form);
/* Sets the unused flag bits to 1 and returns the stream length. */
ETWHF_API size_t etwhf_xpress_writer_finish(struct etwhf_xpress_writer *w);

/* ---- fault helpers (see the table at the top) ------------------------------ */

/* Rewrites a match token's offset to reach before the start of the output.
 * Needs t->is_match and t->data_pos < 8192 (no offset reaches further back);
 * returns 1 when done, 0 when this token cannot carry the fault. */
ETWHF_API int etwhf_xpress_fault_bad_offset(uint8_t *stream, size_t len, const struct etwhf_xpress_token *t);

/* Rewrites a token in the u16 / u32 long form to claim a length below the
 * form's minimum; returns 1 when done, 0 when t has no such form. */
ETWHF_API int etwhf_xpress_fault_bad_length(uint8_t *stream, size_t len, const struct etwhf_xpress_token *t);

/* Rewrites t's long-form length field to `value` (u16 form: 1..21; u32 form:
 * 0..21), a length the decoder rejects (BAD_LENGTH) where a reader without
 * the minimum would take value + 3; returns 1 when done, 0 when t has no long
 * form or value is not below the minimum. */
ETWHF_API int etwhf_xpress_fault_set_length(uint8_t *stream, size_t len, const struct etwhf_xpress_token *t,
                                            uint32_t value);

/* A stream length that ends inside token t (one byte short of its end). */
ETWHF_API size_t etwhf_xpress_cut_in_token(const struct etwhf_xpress_token *t);

/* A stream length that ends inside the flag word that holds token t's bit
 * (two of its four bytes kept). Every token's flag word is read before the
 * token, so any token written for the data works. */
ETWHF_API size_t etwhf_xpress_cut_in_flags(const struct etwhf_xpress_token *t);

/* An output length that ends inside match token t: the decoder then reports
 * OVERRUN. 0 when t is not a match. */
ETWHF_API size_t etwhf_xpress_short_len(const struct etwhf_xpress_token *t);

#ifdef __cplusplus
}
#endif
#endif
