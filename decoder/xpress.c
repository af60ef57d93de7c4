/*
 * xpress.c — MS-XCA plain LZ77 decompression, written from Microsoft's open
 * specification [MS-XCA] §2.4 (no third-party code). Each function is one
 * step of docs/spec/walk.md's X1–X8, named in its comment.
 *
 * All input reads go through the checked cursor; output writes are bounded by
 * out_len before they happen. Each loop iteration consumes at least one input
 * byte or returns, so the loop ends after at most in_len iterations.
 */
#include "etwhf/xpress.h"

#include <string.h>

#include "cursor.h"
#include "hooks.h"

const char *etwhf_xpress_result_name(int result)
{
    switch (result) {
    case ETWHF_XPRESS_OK: return "ok";
    case ETWHF_XPRESS_TRUNCATED: return "compressed stream ends before the output is complete";
    case ETWHF_XPRESS_BAD_OFFSET: return "back-reference before the start of the output";
    case ETWHF_XPRESS_OVERRUN: return "match runs past the expected output length";
    case ETWHF_XPRESS_BAD_LENGTH: return "inconsistent extended match length";
    default: return "unknown";
    }
}

/* The expansion's state (X1): input and output positions, the flag bits
 * left and the shared length nibble pending since an earlier match. */
struct xstate {
    struct cur c;
    uint8_t *out;
    size_t out_len;
    size_t ip, op;
    uint32_t flags;
    unsigned flag_count;
    size_t half_byte_at; /* the byte whose high nibble is pending */
    int half_pending;
};

/* X3: the next flag word, 32 flag bits taken from bit 31 down. */
static int flag_word(struct xstate *x)
{
    x->flags = cur_u32(&x->c, x->ip);
    if (cur_failed(&x->c))
        return ETWHF_XPRESS_TRUNCATED; /* X3.1 */
    x->ip += 4;
    x->flag_count = 32u;
    if (ETWHF_MUTANT_ON(MU_X3_FLAGS31))
        x->flag_count = 31u;
    return ETWHF_XPRESS_OK;
}

/* X4 (helper): literals in a row from flag bit `bit` (a 0) down: that bit
 * and the zero bits below it, which X4 would take one at a time. */
static size_t literal_count(uint32_t flags, unsigned bit)
{
    uint32_t below = flags & ((UINT32_C(1) << bit) - 1u);
    if (below == 0)
        return (size_t)bit + 1u;
    return (size_t)(bit - (31u - (unsigned)__builtin_clz(below)));
}

/* X4: a run of literals, copied at once; the flag bits they used are spent. */
static int literal_run(struct xstate *x)
{
    size_t run = literal_count(x->flags, x->flag_count);
    if (run > x->out_len - x->op)
        run = x->out_len - x->op;
    cur_copy(&x->c, x->ip, x->out + x->op, run);
    int cut = cur_failed(&x->c); /* X4.1 */
    if (ETWHF_MUTANT_ON(MU_X4_1_ZERO) && cut) {
        memset(x->out + x->op, 0, run);
        cut = 0;
    }
    if (cut)
        return ETWHF_XPRESS_TRUNCATED;
    x->ip += run;
    x->op += run;
    x->flag_count -= (unsigned)(run - 1);
    return ETWHF_XPRESS_OK;
}

/* X6.2: the shared nibble h: the low half of a new byte, whose high half is
 * then pending, or the pending high half. A cut byte reads 0 and faults. */
static unsigned length_nibble(struct xstate *x)
{
    int fresh = !x->half_pending;
    if (ETWHF_MUTANT_ON(MU_X6_2_NO_SHARE))
        fresh = 1;
    if (fresh) {
        const unsigned h = cur_u8(&x->c, x->ip) & 0x0Fu;
        x->half_byte_at = x->ip;
        x->half_pending = 1;
        x->ip++;
        return h;
    }
    unsigned h = cur_u8(&x->c, x->half_byte_at) >> 4;
    if (ETWHF_PLANT(PB_XPRESS_NIBBLE, (cur_u8(&x->c, x->half_byte_at) & 0x0Fu) != h))
        h = cur_u8(&x->c, x->half_byte_at) & 0x0Fu;
    x->half_pending = 0;
    return h;
}

/* X6.4–X6.6: after a nibble of 15, the byte form, then the u16 form, then
 * the u32 form; a cut field is TRUNCATED before any BAD_LENGTH. */
static int length_byte_forms(struct xstate *x, uint64_t *len)
{
    const unsigned b = cur_u8(&x->c, x->ip);
    x->ip++;
    if (b < 255) { /* X6.4 */
        *len = (uint64_t)b + 25u;
        if (ETWHF_MUTANT_ON(MU_X6_4_LEN22))
            *len = (uint64_t)b + 22u;
        return cur_failed(&x->c) ? ETWHF_XPRESS_TRUNCATED : ETWHF_XPRESS_OK;
    }
    uint64_t v = cur_u16(&x->c, x->ip); /* X6.5 */
    x->ip += 2;
    int u32_form = v == 0; /* X6.6 */
    if (ETWHF_MUTANT_ON(MU_X6_6_NO_U32))
        u32_form = 0;
    if (u32_form) {
        v = cur_u32(&x->c, x->ip);
        x->ip += 4;
    }
    if (cur_failed(&x->c))
        return ETWHF_XPRESS_TRUNCATED;
    int below_min = v < 15 + 7; /* X6.5a, X6.6a */
    if (ETWHF_MUTANT_ON(MU_X6_5A_NO_MIN))
        below_min = 0;
    if (below_min)
        return ETWHF_XPRESS_BAD_LENGTH;
    *len = v + 3u;
    if (ETWHF_MUTANT_ON(MU_X6_5_NO3))
        *len = v;
    return ETWHF_XPRESS_OK;
}

/* X6: the match length ℓ from the match word's low 3 bits `c`. */
static int match_length(struct xstate *x, unsigned c, uint64_t *len)
{
    if (c < 7) { /* X6.1 */
        *len = (uint64_t)c + 3u;
        if (ETWHF_MUTANT_ON(MU_X6_1_LEN2))
            *len = (uint64_t)c + 2u;
        return ETWHF_XPRESS_OK;
    }
    const unsigned h = length_nibble(x);
    if (h < 15) { /* X6.3 */
        *len = (uint64_t)h + 10u;
        if (ETWHF_MUTANT_ON(MU_X6_3_LEN7))
            *len = (uint64_t)h + 7u;
        return cur_failed(&x->c) ? ETWHF_XPRESS_TRUNCATED : ETWHF_XPRESS_OK;
    }
    return length_byte_forms(x, len);
}

/* X7 (helper): writes a match of len bytes at dst, from offset bytes back.
 * An overlapping match (offset < len) repeats its last offset bytes, as the
 * byte-by-byte copy of X7 does: copied here in offset-sized pieces, each of
 * which reads only bytes already written. */
static void copy_back(uint8_t *dst, size_t offset, size_t len)
{
    if (len <= 16) { /* most matches: a call to memcpy costs more */
        const uint8_t *src = dst - offset;
        for (size_t i = 0; i < len; i++)
            dst[i] = src[i];
        return;
    }
    if (offset == 1) {
        memset(dst, dst[-1], len);
        return;
    }
    while (len > 0) {
        size_t n = len < offset ? len : offset;
        memcpy(dst, dst - offset, n);
        dst += n;
        len -= n;
    }
}

/* X7: the match's bytes, once its offset and length fit the output. */
static int match_copy(struct xstate *x, size_t offset, uint64_t len)
{
    if (offset > x->op)
        return ETWHF_XPRESS_BAD_OFFSET; /* X7.1 */
    if (ETWHF_MUTANT_ON(MU_X7_1_GE) && offset == x->op)
        return ETWHF_XPRESS_BAD_OFFSET;
    if (ETWHF_MUTANT_ON(MU_X7_2_CLIP) && len > x->out_len - x->op)
        len = x->out_len - x->op;
    if (len > x->out_len - x->op)
        return ETWHF_XPRESS_OVERRUN; /* X7.2 */
    copy_back(x->out + x->op, offset, (size_t)len);
    x->op += (size_t)len;
    return ETWHF_XPRESS_OK;
}

/* X5–X7: one match: its word (offset and length code), its length, its copy. */
static int match(struct xstate *x)
{
    const uint16_t m = cur_u16(&x->c, x->ip);
    int cut = cur_failed(&x->c); /* X5.1 */
    if (ETWHF_MUTANT_ON(MU_X5_1_ZERO))
        cut = 0;
    if (cut)
        return ETWHF_XPRESS_TRUNCATED;
    x->ip += 2;
    uint64_t len;
    const int r = match_length(x, m & 7u, &len);
    if (r != ETWHF_XPRESS_OK)
        return r;
    return match_copy(x, (size_t)(m >> 3) + 1, len);
}

/* X1, X2, X8: flag bits pick a literal run or a match until the output is full. */
int etwhf_xpress_decompress(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len)
{
    struct xstate x = {cur_make(in, in_len), out, out_len, 0, 0, 0, 0, 0, 0};
    int r = ETWHF_XPRESS_OK;
    while (r == ETWHF_XPRESS_OK && x.op < out_len) {
        if (x.flag_count == 0 && (r = flag_word(&x)) != ETWHF_XPRESS_OK)
            break;
        x.flag_count--; /* X4, X5: the next flag bit */
        r = (x.flags & (UINT32_C(1) << x.flag_count)) ? match(&x) : literal_run(&x);
    }
    if (ETWHF_MUTANT_ON(MU_X8_TRAILING) && r == ETWHF_XPRESS_OK && x.ip < in_len)
        r = ETWHF_XPRESS_TRUNCATED;
    if (ETWHF_MUTANT_ON(MU_X8_SHORT_OK) && r == ETWHF_XPRESS_TRUNCATED) {
        memset(out + x.op, 0, out_len - x.op);
        r = ETWHF_XPRESS_OK;
    }
    CUR_DONE(&x.c); /* every cut read was returned as TRUNCATED */
    return r;
}
