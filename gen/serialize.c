/*
 * serialize.c — renders a case's model to bytes: records from the arena with
 * the model's header bytes and extension fields laid over them, buffers with
 * their headers and 0xFF filler, compressed bodies as laid out.
 */
#include "model.h"

static void render_item(struct gctx *g, const struct m_item *it, uint8_t *out)
{
    if (it->kind == MK_LOGFILE)
        etwhf__gen_logfile_write(&g->lf, out);
    else
        memcpy(out, g->arena + it->at, it->size);
    memcpy(out, it->h, 8);
    if (etwhf_header_info(it->form)->family != ETWHF_FAM_EVENT)
        return;
    uint32_t q = ETWHF_EVT_EXT_START;
    for (unsigned i = 0; i < it->n_ext && q + 8 <= it->size; i++) {
        put16(out + q, it->ext_size[i]);
        put16(out + q + 4, it->ext_more[i]);
        q += it->ext_real[i];
    }
}

void etwhf__model_render_region(struct gctx *g, const struct m_buf *b, uint8_t *out, uint32_t base)
{
    if (b->count == 0)
        return;
    uint32_t start = g->items[b->first].off;
    memset(out + (start - base), 0, b->data_end - start);
    for (size_t i = b->first; i < b->first + b->count; i++)
        render_item(g, &g->items[i], out + (g->items[i].off - base));
}

int etwhf__model_render(struct gctx *g, uint8_t **bytes, size_t *len)
{
    uint8_t *out = etwhf__gen_alloc(g->a, (size_t)g->full_len);
    if (!out) {
        g->oom = 1;
        return -1;
    }
    switch (g->plan.layer) {
    case ETWHF_GEN_PAYLOAD: memcpy(out, g->pbytes, g->plen); break;
    case ETWHF_GEN_RECORD: etwhf__model_render_region(g, &g->bufs[0], out, 0); break;
    default:
        for (size_t i = 0; i < g->n_bufs; i++) {
            const struct m_buf *b = &g->bufs[i];
            uint8_t *at = out + b->file_off;
            etwhf__gen_bufhdr_write(&b->hdr, at);
            if (b->compressed) {
                memcpy(at + ETWHF_BUFFER_HEADER_SIZE, g->arena + b->comp_at, b->comp_len);
                memset(at + ETWHF_BUFFER_HEADER_SIZE + b->comp_len, 0,
                       b->stride - ETWHF_BUFFER_HEADER_SIZE - b->comp_len);
                continue;
            }
            etwhf__model_render_region(g, b, at, 0);
            uint32_t data = b->data_end > ETWHF_BUFFER_HEADER_SIZE ? b->data_end : ETWHF_BUFFER_HEADER_SIZE;
            memset(at + data, 0xFF, b->stride - data);
        }
        break;
    }
    *bytes = out;
    *len = (size_t)g->n;
    return 0;
}
