/*
 * census_buffer.c — the buffer positions of one file (docs/spec/format.md §2,
 * §3, §7): stride, buffer flags and types, the filler after SavedOffset, and
 * for compressed buffers what their XPRESS stream holds against SavedOffset.
 *
 * The positions are found as etwhf's walk finds them (F3, B, C); where that
 * walk would skip a buffer the census keeps a note and goes on, and a
 * buffer whose SavedOffset is unusable is walked up to its Offset field
 * (+0x30) when that one is usable, counted apart (`walked_by_offset`).
 */
#include <stdlib.h>
#include <string.h>

#include "census.h"
#include "etwhf/xpress.h"

#define LIMIT ((size_t)ETWHF_DEFAULT_BUFFER_LIMIT)
#define HDR ((size_t)ETWHF_BUFFER_HEADER_SIZE)

struct position {
    uint64_t off;
    uint32_t size, saved, offset_field;
    uint16_t flags;
};

/* The filler after the records of a plain buffer: all 0xFF, as format.md §3.3 says? */
static void filler(struct census *cs, struct cur *buf, size_t from, size_t to, uint64_t where)
{
    if (from >= to) {
        cs->full_buffers++;
        return;
    }
    cs->filler_room++;
    cs->filler_bytes += to - from;
    for (size_t i = from; i < to; i++)
        if (cur_u8(buf, i) != 0xFF) {
            uint8_t b[8] = {0};
            const size_t got = to - from < sizeof b ? to - from : sizeof b;
            cur_copy(buf, from, b, got);
            cur_failed(buf);
            cs->filler_other++;
            etwhf__census_note(
                cs,
                "bytes after SavedOffset 0x%zx of the buffer at 0x%llx are not all 0xFF (first at +0x%zx; "
                "from SavedOffset: %02x %02x %02x %02x %02x %02x %02x %02x)",
                from, (unsigned long long)where, i - from, b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
            return;
        }
    cur_failed(buf); /* [from, to) lies inside the view: the caller clipped `to` */
    cs->filler_all_ff++;
}

static void plain_buffer(struct census_file *f, struct cur *buf, const struct position *ps)
{
    struct census *cs = f->cs;
    size_t end;
    cs->plain++;
    if (ps->offset_field == ps->saved)
        cs->offset_is_saved++;
    if (ps->saved >= HDR && ps->saved <= ps->size) {
        end = ps->saved;
    } else if (ps->saved == 0 && ps->offset_field >= HDR && ps->offset_field <= ps->size) {
        cs->walked_by_offset++; /* walk.md B6.0: an older writer's data end, no damage */
        end = ps->offset_field;
    } else {
        cs->saved_offset_bad++;
        if (ps->offset_field < HDR || ps->offset_field > ps->size) {
            etwhf__census_note(cs, "buffer at 0x%llx: SavedOffset 0x%x and Offset 0x%x unusable (BufferSize 0x%x)",
                               (unsigned long long)ps->off, ps->saved, ps->offset_field, ps->size);
            return;
        }
        etwhf__census_note(cs, "buffer at 0x%llx: SavedOffset 0x%x unusable, walked to its Offset field 0x%x",
                           (unsigned long long)ps->off, ps->saved, ps->offset_field);
        cs->walked_by_offset++;
        end = ps->offset_field;
    }
    const size_t present = buf->len; /* less than BufferSize in a cut last buffer */
    filler(cs, buf, end < present ? end : present, (size_t)ps->size < present ? ps->size : present, ps->off);
    cs->walked++;
    etwhf__tally_add(&cs->saved_mod8, end % 8, 1);
    etwhf__census_region(f, buf, end < present ? end : present, ps->off);
}

/* 1 when `in[0, k)` expands to exactly `n` bytes (walk.md X1–X8). */
static int expands(const uint8_t *in, size_t k, uint8_t *out, size_t n)
{
    return etwhf_xpress_decompress(in, k, out, n) == ETWHF_XPRESS_OK;
}

/* The fewest input bytes that still expand to n: input is read front to back,
 * so a prefix that expands makes every longer one expand too. */
static size_t input_used(const uint8_t *in, size_t k, uint8_t *out, size_t n)
{
    size_t good = k, bad, step = 1;
    for (;;) { /* steps back from the end, doubling, until a prefix fails */
        if (step > good) {
            if (expands(in, 0, out, n))
                return 0;
            bad = 0;
            break;
        }
        if (!expands(in, good - step, out, n)) {
            bad = good - step;
            break;
        }
        good -= step;
        step *= 2;
    }
    while (good - bad > 1) {
        size_t mid = bad + (good - bad) / 2;
        if (expands(in, mid, out, n))
            good = mid;
        else
            bad = mid;
    }
    return good;
}

/* MS-XCA §2.4.4 ends a stream at a match flag bit met where the input ends.
 * Given two more bytes (a match word 0x0000: offset 1, length 3), the
 * expansion of N + 1 bytes overruns exactly when the flag bit after the N-th
 * output byte is such a match bit; a literal bit would expand. */
static int end_marker(const uint8_t *in, size_t k, uint8_t *out, size_t n)
{
    uint8_t *more = malloc(k + 2);
    if (!more)
        return 0;
    memcpy(more, in, k);
    more[k] = more[k + 1] = 0;
    const int r = etwhf_xpress_decompress(more, k + 2, out, n + 1);
    free(more);
    return r == ETWHF_XPRESS_OVERRUN;
}

static void compressed_buffer(struct census_file *f, struct cur *buf, const struct position *ps)
{
    struct census *cs = f->cs;
    cs->compressed++;
    if (ps->size < cs->comp_buf_size_min)
        cs->comp_buf_size_min = ps->size;
    if (ps->size > cs->comp_buf_size_max)
        cs->comp_buf_size_max = ps->size;
    if (ps->size % 8 == 0)
        cs->comp_buf_size_mult8++;
    if (ps->flags & (ETWHF_BF_EVENTS_LOST | ETWHF_BF_BUFFER_LOST))
        cs->comp_lost_flags++;
    if (ps->saved < HDR || ps->saved - HDR > LIMIT) {
        cs->comp_failed++;
        etwhf__census_note(cs, "compressed buffer at 0x%llx: SavedOffset 0x%x unusable", (unsigned long long)ps->off,
                           ps->saved);
        return;
    }
    const size_t n = ps->saved - HDR, k = buf->len - HDR;
    struct cur in = cur_sub(buf, HDR, k);
    uint8_t *out = malloc(HDR + n + 1); /* + 1: room to ask for one byte more */
    if (cur_failed(buf) || !out) {
        free(out);
        cs->comp_failed++;
        etwhf__census_note(cs, "compressed buffer at 0x%llx: out of memory", (unsigned long long)ps->off);
        return;
    }
    cur_copy(buf, 0, out, HDR);
    cur_failed(buf); /* the header is in view: the caller checked BufferSize ≥ 0x48 */
    const int r = etwhf_xpress_decompress(in.base, k, out + HDR, n);
    if (r != ETWHF_XPRESS_OK) {
        cs->comp_failed++;
        etwhf__tally_add(&cs->comp_fail, (uint64_t)r, 1);
        etwhf__census_note(cs, "compressed buffer at 0x%llx: %s", (unsigned long long)ps->off,
                           etwhf_xpress_result_name(r));
        free(out);
        return;
    }
    cs->comp_expanded++;
    cs->walked++;
    etwhf__tally_add(&cs->saved_mod8, ps->saved % 8, 1);
    struct cur expanded = cur_make(out, HDR + n);
    etwhf__census_region(f, &expanded, HDR + n, ps->off);

    /* Does the stream hold output past N? Asking for N + 1 bytes runs out of
     * input (TRUNCATED) exactly when it does not. */
    const int more = etwhf_xpress_decompress(in.base, k, out + HDR, n + 1);
    if (more == ETWHF_XPRESS_TRUNCATED) {
        cs->comp_ends_at_n++;
        if (n > 0 && end_marker(in.base, k, out + HDR, n))
            cs->comp_end_marker++;
    } else {
        cs->comp_longer++;
        etwhf__census_note(cs, "compressed buffer at 0x%llx: the stream holds more than SavedOffset - 0x48 = %zu bytes",
                           (unsigned long long)ps->off, n);
    }
    const size_t trailing = k - input_used(in.base, k, out + HDR, n);
    etwhf__tally_add(&cs->comp_trailing, trailing, 1);
    if (trailing == 4)
        etwhf__tally_add(&cs->comp_trailing_word, cur_u32(&in, k - 4), 1);
    cur_failed(&in); /* k ≥ trailing = 4 */
    free(out);
}

/* The stride of an uncompressed file (walk.md F3.2–F3.5); 0 when none. */
static size_t stride(struct census *cs, struct cur *file, const struct census_logfile *lf, int have_lf)
{
    if (have_lf && lf->buffer_size >= HDR && lf->buffer_size <= LIMIT && lf->buffer_size % 8 == 0)
        return lf->buffer_size;
    const uint32_t b0 = cur_u32(file, ETWHF_BH_BUFFER_SIZE);
    if (cur_failed(file) || b0 < HDR || b0 > LIMIT) {
        etwhf__census_note(cs, "no usable stride (logfile BufferSize and buffer 0's BufferSize)");
        return 0;
    }
    if (have_lf)
        etwhf__census_note(cs, "logfile BufferSize 0x%x unusable; stride from buffer 0: 0x%x", lf->buffer_size, b0);
    return b0;
}

void etwhf__census_buffers(struct census_file *f, struct cur *file, const struct census_logfile *lf, int have_lf)
{
    struct census *cs = f->cs;
    const int compressed = have_lf && (lf->log_file_mode & ETWHF_LOGFILE_MODE_COMPRESSED);
    size_t s = 0;
    if (compressed) {
        cs->compressed_files++;
        etwhf__tally_add(&cs->compression_format, cur_u16(file, ETWHF_BH_STATE), 1);
        cur_failed(file);
    } else if ((s = stride(cs, file, lf, have_lf)) == 0) {
        return;
    }
    const size_t n = file->len;
    uint64_t positions = 0;
    for (size_t off = 0; off < n;) {
        positions++;
        if (n - off < HDR) {
            etwhf__census_note(cs, "%zu bytes at 0x%zx: too few for a buffer header", n - off, off);
            break;
        }
        struct position ps = {off, cur_u32(file, off + ETWHF_BH_BUFFER_SIZE),
                              cur_u32(file, off + ETWHF_BH_SAVED_OFFSET), cur_u32(file, off + ETWHF_BH_OFFSET),
                              cur_u16(file, off + ETWHF_BH_FLAGS)};
        etwhf__tally_add(&cs->buf_type, cur_u16(file, off + ETWHF_BH_TYPE), 1);
        etwhf__tally_add(&cs->buf_state, cur_u32(file, off + ETWHF_BH_STATE), 1);
        cur_failed(file); /* the 0x48 header bytes are present */
        etwhf__tally_add(&cs->buf_flags, ps.flags, 1);
        size_t len, next;
        if (compressed) {
            if (ps.size < HDR || ps.size > LIMIT || ps.size > n - off) {
                etwhf__census_note(cs, "buffer at 0x%zx: BufferSize 0x%x unusable or past the end", off, ps.size);
                break;
            }
            len = next = ps.size;
        } else {
            etwhf__tally_add(&cs->buf_size, ps.size, 1);
            next = s;
            if (ps.size != s) {
                etwhf__census_note(cs, "buffer at 0x%zx: BufferSize 0x%x, stride 0x%zx", off, ps.size, s);
                off += next < n - off ? next : n - off;
                continue;
            }
            len = s < n - off ? s : n - off;
            if (len < s)
                etwhf__census_note(cs, "buffer at 0x%zx cut: %zu of 0x%zx bytes", off, len, s);
        }
        struct cur buf = cur_sub(file, off, len);
        cur_failed(file); /* len ≤ n − off */
        if (!(ps.flags & ETWHF_BF_COMPRESSED))
            plain_buffer(f, &buf, &ps);
        else if (compressed)
            compressed_buffer(f, &buf, &ps);
        else
            etwhf__census_note(cs, "buffer at 0x%zx: COMPRESSED flag in an uncompressed file", off);
        off += next < n - off ? next : n - off;
    }
    cs->positions += positions;
    if (have_lf)
        etwhf__tally_add(&cs->lf_bw_minus_positions, (uint64_t)((int64_t)lf->buffers_written - (int64_t)positions), 1);
}
