/*
 * xpress.c — MS-XCA plain LZ77 decompression, written from Microsoft's open
 * specification [MS-XCA] §2.4 (no third-party code).
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

/* Writes a match of len bytes at dst, from offset bytes back. An overlapping
 * match (offset < len) repeats its last offset bytes, as the byte-by-byte copy
 * of MS-XCA §2.4 does: copied here in offset-sized pieces, each of which
 * reads only bytes already written. */
static void copy_match(uint8_t *dst, size_t offset, size_t len)
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

/* Literals in a row from flag bit `bit` (a 0) down: that bit and the zero
 * bits below it, which §2.4 would take one at a time. */
static size_t literal_run(uint32_t flags, unsigned bit)
{
    uint32_t below = flags & ((UINT32_C(1) << bit) - 1u);
    if (below == 0)
        return (size_t)bit + 1u;
    return (size_t)(bit - (31u - (unsigned)__builtin_clz(below)));
}

int etwhf_xpress_decompress(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_len)
{
    struct cur c = cur_make(in, in_len);
    size_t ip = 0, op = 0;
    uint32_t flags = 0;
    unsigned flag_count = 0;
    size_t half_byte_at = 0; /* position of a shared length nibble; 0 = none pending */
    int half_pending = 0;

    while (op < out_len) {
        if (flag_count == 0) {
            flags = cur_u32(&c, ip);
            if (c.fault)
                return ETWHF_XPRESS_TRUNCATED;
            ip += 4;
            flag_count = 32;
        }
        flag_count--;
        if (!(flags & (UINT32_C(1) << flag_count))) {
            size_t run = literal_run(flags, flag_count);
            if (run > out_len - op)
                run = out_len - op;
            cur_copy(&c, ip, out + op, run);
            if (c.fault)
                return ETWHF_XPRESS_TRUNCATED;
            ip += run;
            op += run;
            flag_count -= (unsigned)(run - 1);
            continue;
        }
        uint16_t match = cur_u16(&c, ip);
        if (c.fault)
            return ETWHF_XPRESS_TRUNCATED;
        ip += 2;
        uint64_t length = match & 7u;
        size_t offset = (size_t)(match >> 3) + 1;
        if (length == 7) {
            if (!half_pending) {
                length = cur_u8(&c, ip) & 0x0Fu;
                half_byte_at = ip;
                half_pending = 1;
                ip++;
            } else {
                length = cur_u8(&c, half_byte_at) >> 4;
                if (ETWHF_PLANT(PB_XPRESS_NIBBLE, (cur_u8(&c, half_byte_at) & 0x0Fu) != length))
                    length = cur_u8(&c, half_byte_at) & 0x0Fu;
                half_pending = 0;
            }
            if (length == 15) {
                length = cur_u8(&c, ip);
                ip++;
                if (length == 255) {
                    length = cur_u16(&c, ip);
                    ip += 2;
                    if (length == 0) {
                        length = cur_u32(&c, ip);
                        ip += 4;
                    }
                    if (c.fault)
                        return ETWHF_XPRESS_TRUNCATED;
                    if (length < 15 + 7)
                        return ETWHF_XPRESS_BAD_LENGTH;
                    length -= 15 + 7;
                }
                length += 15;
            }
            if (c.fault)
                return ETWHF_XPRESS_TRUNCATED;
            length += 7;
        }
        length += 3;
        if (offset > op)
            return ETWHF_XPRESS_BAD_OFFSET;
        if (length > out_len - op)
            return ETWHF_XPRESS_OVERRUN;
        copy_match(out + op, offset, (size_t)length);
        op += (size_t)length;
    }
    return ETWHF_XPRESS_OK;
}
