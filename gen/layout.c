/*
 * layout.c — places a case's model: records at align8 steps in their regions,
 * SavedOffset at the end of the data, compressed buffers compressed, buffers
 * one after another in the file.
 */
#include "model.h"

#include "etwhf/xpress_compress.h"

int etwhf__model_layout_regions(struct gctx *g)
{
    if (g->plan.layer == ETWHF_GEN_PAYLOAD) {
        g->full_len = g->n = g->plen;
        return 0;
    }
    uint32_t start = g->plan.layer == ETWHF_GEN_FILE ? ETWHF_BUFFER_HEADER_SIZE : 0;
    for (size_t b = 0; b < g->n_bufs; b++) {
        struct m_buf *buf = &g->bufs[b];
        uint32_t off = start;
        for (size_t i = buf->first; i < buf->first + buf->count; i++) {
            g->items[i].off = off;
            off += g->items[i].span;
        }
        buf->data_end = off;
        buf->hdr.saved_offset = buf->hdr.offset = buf->hdr.current_offset = off;
        if (buf->saved_zero) /* as a Windows 7 relogger wrote its header buffer (walk.md B6.0) */
            buf->hdr.saved_offset = buf->hdr.current_offset = 0;
    }
    if (g->plan.layer == ETWHF_GEN_RECORD)
        g->full_len = g->n = g->bufs[0].data_end;
    return 0;
}

/* A stream whose first token reaches back before the output (BAD_OFFSET). */
static size_t bad_offset_stream(const uint8_t *data, size_t len, uint8_t *out, size_t cap)
{
    struct etwhf_xpress_writer w;
    etwhf_xpress_writer_init(&w, out, cap);
    etwhf_xpress_put_match(&w, 1, ETWHF_XPRESS_MIN_MATCH);
    for (size_t i = ETWHF_XPRESS_MIN_MATCH; i < len; i++)
        etwhf_xpress_put_literal(&w, data[i]);
    size_t n = etwhf_xpress_writer_finish(&w);
    return w.overflow ? 0 : n;
}

/* Literals for data[0, len − tail), then one last token the fault breaks: a
 * stream whose only defect sits at its end, so a reader that ignores the
 * rule it breaks expands it to exactly len bytes and accepts the buffer.
 *   CF_CUT_LITERAL: all literals; the length returned ends inside the final
 *     literal run, after its flag word (X4.1);
 *   CF_CUT_MATCH:   a last match (offset 1, length 3) cut after its first
 *     byte (X5.1: the mutant reads offset 1, length 3);
 *   CF_BAD_LENGTH:  a last match (offset 1) in the u16 or u32 long form whose
 *     length field says tail − 3 < 22 (X6.5a / X6.6a);
 *   CF_OVERRUN:     a last match (offset 1) longer than the tail (X7.2).
 * Returns the stream length, 0 when the data is too short for it. */
static size_t tail_stream(struct gctx *g, int kind, const uint8_t *data, size_t len, uint8_t *out, size_t cap)
{
    size_t tail = 0;
    uint64_t mlen = 0;
    unsigned form = 0;
    switch (kind) {
    case CF_CUT_MATCH: tail = mlen = ETWHF_XPRESS_MIN_MATCH; break;
    case CF_BAD_LENGTH:
        form = etwhf__model_chance(g, 500) ? 32 : 16;
        tail = (form == 16 ? 4 : 3) + etwhf__model_pick(g, form == 16 ? 21 : 22);
        mlen = 25;
        break;
    case CF_OVERRUN:
        tail = 1 + etwhf__model_pick(g, 8);
        mlen = tail + 1 + etwhf__model_pick(g, 40);
        if (mlen < ETWHF_XPRESS_MIN_MATCH)
            mlen = ETWHF_XPRESS_MIN_MATCH;
        break;
    default: break;
    }
    if (len <= tail)
        return 0;
    struct etwhf_xpress_writer w;
    etwhf_xpress_writer_init(&w, out, cap);
    for (size_t i = 0; i < len - tail; i++)
        etwhf_xpress_put_literal(&w, data[i]);
    struct etwhf_xpress_token last = w.token;
    if (mlen)
        etwhf_xpress_put_match_form(&w, 1, mlen, form);
    struct etwhf_xpress_token t = w.token;
    size_t n = etwhf_xpress_writer_finish(&w);
    if (w.overflow)
        return 0;
    switch (kind) {
    case CF_CUT_LITERAL: {
        /* Within the last flag word's literals: a cut before it would cut a flag word (X3.1). */
        size_t first = last.flag_pos + 4;
        return last.pos - etwhf__model_pick(g, last.pos - first + 1);
    }
    case CF_CUT_MATCH: return t.pos + 1;
    case CF_BAD_LENGTH: return etwhf_xpress_fault_set_length(out, n, &t, (uint32_t)(tail - 3)) ? n : 0;
    default: return n;
    }
}

static int compress_buf(struct gctx *g, struct m_buf *b)
{
    size_t len = b->data_end - ETWHF_BUFFER_HEADER_SIZE;
    size_t cap = etwhf_xpress_bound(len) + 16;
    uint8_t *data = etwhf__gen_alloc(g->a, len);
    size_t at = etwhf__model_arena_take(g, cap);
    if (!data || at == SIZE_MAX) {
        etwhf__gen_free(g->a, data);
        g->oom = 1;
        return -1;
    }
    etwhf__model_render_region(g, b, data, ETWHF_BUFFER_HEADER_SIZE);
    size_t out_len = 0;
    int rc = 0;
    if (b->comp_fault == CF_BAD_OFFSET) {
        out_len = bad_offset_stream(data, len, g->arena + at, cap);
        rc = out_len ? ETWHF_OK : ETWHF_EINVAL;
    } else if (b->comp_fault >= CF_CUT_LITERAL) {
        out_len = tail_stream(g, b->comp_fault, data, len, g->arena + at, cap);
        rc = out_len ? ETWHF_OK : ETWHF_EINVAL;
    } else {
        struct etwhf_xpress_params p;
        etwhf_xpress_params_init(&p);
        /* Chain 0 writes literals only: a stream longer than its data, which
         * no public trace holds (xpress.stream_longer, chosen). Cases that
         * draw only documented shapes search for matches, and search harder
         * when the stream still comes out longer than the data. */
        static const unsigned chains[] = {0, 4, 16};
        static const unsigned forms[] = {0, 0, 0, 0, 0, 0, 16, 32};
        p.max_chain = g->plan.documented ? chains[1 + etwhf__model_pick(g, 2)] : chains[etwhf__model_pick(g, 3)];
        p.long_form = forms[etwhf__model_pick(g, sizeof forms / sizeof forms[0])];
        if (p.long_form)
            g->shapes |= UINT64_C(1) << ETWHF_SHAPE_XPRESS_LONG_FORMS;
        p.allocator = g->a;
        rc = etwhf_xpress_compress(data, len, g->arena + at, cap, &out_len, &p);
        if (rc == ETWHF_OK && g->plan.documented && out_len > len && p.max_chain < 16) {
            p.max_chain = 16;
            rc = etwhf_xpress_compress(data, len, g->arena + at, cap, &out_len, &p);
        }
        if (rc == ETWHF_OK && out_len > len)
            g->shapes |= UINT64_C(1) << ETWHF_SHAPE_XPRESS_STREAM_LONGER;
    }
    etwhf__gen_free(g->a, data);
    if (rc == ETWHF_ENOMEM) {
        g->oom = 1;
        return -1;
    }
    if (rc != ETWHF_OK) {
        g->model_error = 1;
        return -1;
    }
    if (b->comp_fault == CF_CUT) /* drops at least one token byte (a trailing flag word is 4) */
        out_len = out_len > 10 ? out_len / 2 : 0;
    b->corrupt = b->comp_fault != CF_NONE;
    b->comp_at = at;
    b->comp_len = out_len;
    b->stride = (uint32_t)(ETWHF_BUFFER_HEADER_SIZE + out_len);
    b->hdr.buffer_size = b->stride;
    return 0;
}

int etwhf__model_layout_file(struct gctx *g)
{
    if (g->plan.layer != ETWHF_GEN_FILE)
        return 0;
    uint32_t widest = 0;
    for (size_t i = 0; i < g->n_bufs; i++) {
        struct m_buf *b = &g->bufs[i];
        if (b->compressed) {
            if (compress_buf(g, b) != 0)
                return -1;
        } else if (b->data_end > b->stride) {
            g->model_error = 1; /* the builder left too little room */
            return -1;
        }
        if (b->stride > widest)
            widest = b->stride;
    }
    uint64_t off = 0;
    for (size_t i = 0; i < g->n_bufs; i++) {
        struct m_buf *b = &g->bufs[i];
        if (g->uniform_stride) /* zeros after a stream are never read (X8) */
            b->hdr.buffer_size = b->stride = (uint32_t)align8(widest);
        b->file_off = off;
        off += b->stride;
    }
    g->full_len = g->n = off;
    return 0;
}
