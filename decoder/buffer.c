/*
 * buffer.c — the B- and C-steps of one buffer position (docs/spec/walk.md).
 *
 * etwhf__buffer_plan decides from the 0x48-byte header alone what the position will
 * do and how many of its bytes that needs, so file.c stores no more than
 * that (a skipped buffer is passed over while counting, never stored).
 * etwhf__buffer_run then emits the position's diagnostics in walk order once the
 * position is complete, or at the end of the input when it was cut short.
 */
#include <inttypes.h>

#include "context.h"
#include "hooks.h"
#include "etwhf/xpress.h"

/* B2, C2: the header fields every plan rests on; the plan starts as a skip
 * that keeps only the header. */
static void plan_header(struct bplan *pl, const uint8_t *header)
{
    struct cur h = cur_make(header, HDR_BYTES);
    pl->bsize = cur_u32(&h, ETWHF_BH_BUFFER_SIZE);
    pl->saved = cur_u32(&h, ETWHF_BH_SAVED_OFFSET);
    pl->offset_field = cur_u32(&h, ETWHF_BH_OFFSET);
    pl->flags = cur_u16(&h, ETWHF_BH_FLAGS);
    /* Without PROC_INDEX the word holds a u8 ProcessorNumber and an alignment byte. */
    pl->cpu = (pl->flags & ETWHF_BF_PROC_INDEX) ? cur_u16(&h, ETWHF_BH_PROCESSOR) : cur_u8(&h, ETWHF_BH_PROCESSOR);
    pl->keep = HDR_BYTES;
    pl->code = 0;
    pl->why = WHY_NONE;
    pl->action = PLAN_SKIP;
    CUR_DONE(&h); /* the header's 0x48 bytes hold every field */
}

/* B6 then B7; C5.0–C5.2 then C5.3: a SavedOffset outside [0x48, BufferSize]
 * skips the buffer, else its records up to SavedOffset are accepted. An older
 * writer left SavedOffset 0 and the data end in Offset (B6.0, C5.0: the header
 * buffer of a Windows 7 relogged trace). */
static void saved_offset_check(struct bplan *pl)
{
    int offset_usable = pl->offset_field >= HDR_BYTES && pl->offset_field <= pl->bsize;
    if (ETWHF_MUTANT_ON(MU_B6_0_UNCHECKED))
        offset_usable = 1;
    if (ETWHF_MUTANT_ON(MU_B6_0_NEVER))
        offset_usable = 0;
    if (pl->saved == 0 && offset_usable)
        pl->saved = pl->offset_field;
    if (pl->saved < HDR_BYTES || pl->saved > pl->bsize) {
        pl->code = ETWHF_DIAG_SAVED_OFFSET;
        pl->why = pl->saved < HDR_BYTES ? WHY_SAVED_LOW : WHY_SAVED_HIGH;
        return;
    }
    pl->action = PLAN_ACCEPT;
    pl->keep = pl->saved;
}

/* B3, B5, B6, B7: a position of an uncompressed file, whose stride is S. */
static void plan_uncompressed(const struct walk *w, struct bplan *pl)
{
    pl->total = w->stride;
    int off_stride = pl->bsize != w->stride; /* B3.1 */
    if (ETWHF_MUTANT_ON(MU_B3_1_TRUSTED) && pl->bsize >= HDR_BYTES && pl->saved <= w->stride)
        off_stride = 0;
    int flagged = (pl->flags & ETWHF_BF_COMPRESSED) != 0; /* B5.1 */
    if (ETWHF_MUTANT_ON(MU_B5_1_IGNORED))
        flagged = 0;
    if (off_stride) {
        pl->code = ETWHF_DIAG_BUFFER_SIZE, pl->why = WHY_STRIDE;
        if (ETWHF_MUTANT_ON(MU_B3_1_STOPS))
            pl->action = PLAN_END;
        if (ETWHF_PLANT(PB_STRIDE_AFTER_DAMAGE, pl->bsize >= HDR_BYTES))
            pl->total = pl->bsize; /* the damaged header trusted for the skip */
    } else if (flagged) {
        pl->code = ETWHF_DIAG_COMPRESSED_UNSUPPORTED, pl->why = WHY_FLAG_IN_PLAIN;
    } else {
        if (ETWHF_MUTANT_ON(MU_B6_2_CLAMP) && pl->saved > pl->bsize && pl->bsize <= w->stride)
            pl->saved = pl->bsize;
        saved_offset_check(pl); /* B6, B7 */
        if (ETWHF_MUTANT_ON(MU_B6_1_STOPS) && pl->why == WHY_SAVED_LOW)
            pl->action = PLAN_END;
        if (ETWHF_MUTANT_ON(MU_B6_2_STOPS) && pl->why == WHY_SAVED_HIGH)
            pl->action = PLAN_END;
    }
}

/* C3.2, C3.3: a BufferSize outside [0x48, L] ends the file; 1 when it does. */
static int buffer_size_ends(const struct etwhf_decoder *d, struct bplan *pl)
{
    int out_of_range = pl->bsize < HDR_BYTES || pl->bsize > d->limit;
    if (ETWHF_MUTANT_ON(MU_C3_3_UNCHECKED))
        out_of_range = pl->bsize < HDR_BYTES;
    if (out_of_range) {
        pl->action = PLAN_END;
        if (ETWHF_MUTANT_ON(MU_C3_2_SKIP) && pl->bsize < HDR_BYTES)
            pl->action = PLAN_SKIP;
        pl->code = ETWHF_DIAG_BUFFER_SIZE;
        pl->why = pl->bsize < HDR_BYTES ? WHY_SIZE_LOW : WHY_SIZE_LIMIT;
        if (pl->bsize < HDR_BYTES)
            pl->total = HDR_BYTES; /* the header is present: not truncated */
        return 1;
    }
    if (ETWHF_PLANT(PB_COMPRESSED_ALIGN8, pl->bsize % 8 != 0)) { /* the uncompressed stride rule, misapplied */
        pl->action = PLAN_END;
        pl->code = ETWHF_DIAG_BUFFER_SIZE;
        pl->why = WHY_SIZE_LIMIT;
        return 1;
    }
    return 0;
}

/* C4.1–C4.4: a compressed buffer is expanded (C4.5) unless its SavedOffset
 * or the file's compression format rules it out, or decompression is off. */
static void plan_expansion(const struct etwhf_decoder *d, struct bplan *pl)
{
    const struct walk *w = &d->walk;
    int saved_bad = pl->saved < HDR_BYTES || pl->saved - HDR_BYTES > d->limit; /* C4.1, C4.2 */
    if (ETWHF_MUTANT_ON(MU_C4_2_BY_BSIZE) && pl->saved > pl->bsize)
        saved_bad = 1;
    int other_format = w->format != ETWHF_COMPRESSION_XPRESS; /* C4.3 */
    if (ETWHF_MUTANT_ON(MU_C4_3_IGNORED))
        other_format = 0;
    if (saved_bad) {
        pl->code = ETWHF_DIAG_SAVED_OFFSET;
        pl->why = pl->saved < HDR_BYTES ? WHY_SAVED_LOW : WHY_SAVED_LIMIT;
        if (ETWHF_MUTANT_ON(MU_C4_1_STOPS) && pl->why == WHY_SAVED_LOW)
            pl->action = PLAN_END;
    } else if (other_format || d->opts.no_decompress) { /* C4.3, C4.4 */
        pl->code = ETWHF_DIAG_COMPRESSED_UNSUPPORTED;
        pl->why = d->opts.no_decompress && w->format == ETWHF_COMPRESSION_XPRESS ? WHY_NO_DECOMPRESS : WHY_FORMAT;
    } else {
        pl->action = PLAN_INFLATE;
        pl->keep = pl->bsize;
    }
}

/* C3–C5: a position of a compressed file, whose own BufferSize is its stride. */
static void plan_compressed(const struct etwhf_decoder *d, struct bplan *pl)
{
    pl->total = pl->bsize; /* C6 */
    if (ETWHF_MUTANT_ON(MU_C6_ALIGN8) && pl->bsize >= HDR_BYTES && pl->bsize <= d->limit)
        pl->total = (pl->bsize + 7u) & ~7u;
    if (buffer_size_ends(d, pl))
        return;
    if (pl->flags & ETWHF_BF_COMPRESSED)
        plan_expansion(d, pl);
    else
        saved_offset_check(pl); /* C5 */
}

void etwhf__buffer_plan(const struct etwhf_decoder *d, const uint8_t *header, struct bplan *pl)
{
    plan_header(pl, header);
    if (d->walk.compressed)
        plan_compressed(d, pl);
    else
        plan_uncompressed(&d->walk, pl);
}

/* B3.1, B5.1, B6, C3.2, C3.3, C4.1–C4.4, C5.1, C5.2: the diagnostic of a
 * skipped or ending position, with its numbers. */
static int plan_diag(struct etwhf_decoder *d, const struct bplan *pl, const struct loc *at)
{
    const struct walk *w = &d->walk;
    switch (pl->why) {
    case WHY_STRIDE:
        return etwhf__dec_diag(d, pl->code, at,
                               "BufferSize %" PRIu32 " differs from the stride %" PRIu64 "; buffer skipped", pl->bsize,
                               w->stride);
    case WHY_FLAG_IN_PLAIN:
        return etwhf__dec_diag(d, pl->code, at,
                               "buffer flags 0x%04x mark a compressed buffer in an uncompressed file; buffer skipped",
                               (unsigned)pl->flags);
    case WHY_FORMAT:
        return etwhf__dec_diag(d, pl->code, at, "compression format %u is not XPRESS plain LZ77 (3); buffer skipped",
                               (unsigned)w->format);
    case WHY_NO_DECOMPRESS:
        return etwhf__dec_diag(d, pl->code, at, "decompression is disabled; compressed buffer skipped");
    case WHY_SAVED_LOW:
        return etwhf__dec_diag(d, pl->code, at,
                               "SavedOffset %" PRIu32 " is below the 72-byte buffer header; buffer skipped", pl->saved);
    case WHY_SAVED_HIGH:
        return etwhf__dec_diag(d, pl->code, at,
                               "SavedOffset %" PRIu32 " is past BufferSize %" PRIu32 "; buffer skipped", pl->saved,
                               pl->bsize);
    case WHY_SAVED_LIMIT:
        return etwhf__dec_diag(d, pl->code, at,
                               "SavedOffset %" PRIu32 " expands to %" PRIu32 " bytes, above the buffer limit %" PRIu64
                               "; buffer skipped",
                               pl->saved, pl->saved - (uint32_t)HDR_BYTES, d->limit);
    case WHY_SIZE_LOW:
        return etwhf__dec_diag(d, pl->code, at,
                               "BufferSize %" PRIu32 " is below the 72-byte buffer header; the file ends", pl->bsize);
    default: /* WHY_SIZE_LIMIT */
        return etwhf__dec_diag(d, pl->code, at,
                               "BufferSize %" PRIu32 " is above the buffer limit %" PRIu64 "; the file ends", pl->bsize,
                               d->limit);
    }
}

/* B7.1–B7.3, C5.3–C5.5: an accepted buffer's lost-events flags, then its
 * records over [0x48, SavedOffset) of the bytes present. */
static int accept_records(struct etwhf_decoder *d, const struct bplan *pl, const struct loc *at, const uint8_t *bytes,
                          size_t kept)
{
    const struct walk *w = &d->walk;
    d->sum.buffers++; /* K1 */
    if (ETWHF_MUTANT_ON(MU_K1_HEADER_BUFFER) && w->index == 0)
        d->sum.buffers--;
    unsigned lost = pl->flags & (ETWHF_BF_EVENTS_LOST | ETWHF_BF_BUFFER_LOST); /* B7.2, C5.4 */
    if (ETWHF_MUTANT_ON(MU_B7_2_LOST_ONLY))
        lost = pl->flags & ETWHF_BF_EVENTS_LOST;
    if (ETWHF_MUTANT_ON(MU_B7_2_SILENT))
        lost = 0;
    if (lost &&
        etwhf__dec_diag(d, ETWHF_DIAG_EVENTS_LOST, at, "buffer flags 0x%04x report lost %s", (unsigned)pl->flags,
                        lost == ETWHF_BF_EVENTS_LOST   ? "events"
                        : lost == ETWHF_BF_BUFFER_LOST ? "buffers"
                                                       : "events and buffers"))
        return 1;
    if (ETWHF_MUTANT_ON(MU_B7_2_SKIP) && lost != 0 && !w->compressed)
        return 0;
    struct region rg = {w->index, w->off + HDR_BYTES, HDR_BYTES, 0, 1, pl->saved - HDR_BYTES, pl->cpu}; /* B7.3 */
    if (ETWHF_MUTANT_ON(MU_B7_3_REGION_B))
        rg.saved_end = pl->bsize - HDR_BYTES;
    struct cur c = cur_make(bytes + HDR_BYTES, kept - HDR_BYTES);
    return etwhf__record_walk(d, &rg, &c);
}

/* C4.5, C4.6: the expansion, then the records of the expanded bytes (no
 * EVENTS_LOST from the flags of an expanded buffer). */
static int inflate_records(struct etwhf_decoder *d, const struct bplan *pl, const struct loc *at, const uint8_t *bytes)
{
    struct walk *w = &d->walk;
    const size_t out_len = pl->saved - HDR_BYTES;
    if (etwhf__dec_reserve(d, &w->exp, &w->exp_cap, out_len, 0))
        return 1;
    int r = etwhf_xpress_decompress(bytes + HDR_BYTES, pl->bsize - HDR_BYTES, w->exp, out_len);
    if (r != ETWHF_XPRESS_OK) {
        d->sum.buffers_skipped++; /* K2 */
        if (ETWHF_MUTANT_ON(MU_C4_5_UNCOUNTED))
            d->sum.buffers_skipped--;
        int stop = etwhf__dec_diag(d, ETWHF_DIAG_DECOMPRESS, at,
                                   "XPRESS data of %" PRIu32 " bytes does not expand to %zu bytes: %s; buffer skipped",
                                   pl->bsize - (uint32_t)HDR_BYTES, out_len, etwhf_xpress_result_name(r));
        if (ETWHF_MUTANT_ON(MU_C4_5_STOPS))
            stop = 1;
        return stop;
    }
    d->sum.buffers++;
    if (ETWHF_MUTANT_ON(MU_C4_6_LOST) && (pl->flags & (ETWHF_BF_EVENTS_LOST | ETWHF_BF_BUFFER_LOST)) &&
        etwhf__dec_diag(d, ETWHF_DIAG_EVENTS_LOST, at, "buffer flags 0x%04x report lost events", (unsigned)pl->flags))
        return 1;
    struct region rg = {w->index, w->off, HDR_BYTES, 1, 1, out_len, pl->cpu}; /* C4.6: offsets inside the expansion */
    if (ETWHF_MUTANT_ON(MU_C4_6_PLAIN_OFFSETS)) {
        rg.file_off = w->off + HDR_BYTES;
        rg.inner = 0;
    }
    struct cur c = cur_make(w->exp, out_len);
    return etwhf__record_walk(d, &rg, &c);
}

/* B1 and C1 count the position as visited; B4.1 and C3.1 say where the input
 * was cut; then the plan's step, and B7.4 or C6 move on (or the file ends). */
int etwhf__buffer_run(struct etwhf_decoder *d, const uint8_t *bytes, size_t kept, int truncated)
{
    struct walk *w = &d->walk;
    const struct bplan *pl = &w->plan;
    const struct loc at = {w->index, w->off, 0, 0};
    w->visited++;
    if (ETWHF_MUTANT_ON(MU_C3_1_SILENT) && truncated && w->compressed)
        return 1;
    int cut = truncated && pl->why != WHY_STRIDE; /* B4, C3; B3 comes first and raises no TRUNCATED_TAIL */
    if (ETWHF_MUTANT_ON(MU_B3_1_TRUNC_TOO))
        cut = truncated;
    if (ETWHF_MUTANT_ON(MU_B4_1_SILENT) && !w->compressed)
        cut = 0;
    if (cut) {
        if (etwhf__dec_diag(d, ETWHF_DIAG_TRUNCATED_TAIL, &at,
                            "input ends %" PRIu64 " bytes into the %" PRIu64 "-byte buffer at offset %" PRIu64, w->seen,
                            pl->total, w->off) ||
            w->compressed)
            return 1;
    }
    if (ETWHF_MUTANT_ON(MU_B4_1_DROP) && truncated && pl->action == PLAN_ACCEPT)
        return 1;
    int stop;
    switch (pl->action) {
    case PLAN_ACCEPT: stop = accept_records(d, pl, &at, bytes, kept); break;
    case PLAN_INFLATE: stop = inflate_records(d, pl, &at, bytes); break;
    case PLAN_END: plan_diag(d, pl, &at); return 1;
    default:
        d->sum.buffers_skipped++; /* K2 */
        if (ETWHF_MUTANT_ON(MU_K2_B3_UNCOUNTED) && pl->why == WHY_STRIDE)
            d->sum.buffers_skipped--;
        stop = plan_diag(d, pl, &at);
        break;
    }
    return stop || truncated;
}
