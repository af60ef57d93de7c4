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
    } else {
        struct etwhf_xpress_params p;
        etwhf_xpress_params_init(&p);
        static const unsigned chains[] = {0, 4, 16};
        p.max_chain = chains[etwhf__model_pick(g, 3)];
        p.allocator = g->a;
        rc = etwhf_xpress_compress(data, len, g->arena + at, cap, &out_len, &p);
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
    uint64_t off = 0;
    for (size_t i = 0; i < g->n_bufs; i++) {
        struct m_buf *b = &g->bufs[i];
        if (b->compressed) {
            if (compress_buf(g, b) != 0)
                return -1;
        } else if (b->data_end > b->stride) {
            g->model_error = 1; /* the builder left too little room */
            return -1;
        }
        b->file_off = off;
        off += b->stride;
    }
    g->full_len = g->n = off;
    return 0;
}
