/*
 * faults.c — the fault catalogue: named malformations, each built to raise one
 * diagnostic at one walk step (docs/spec/walk.md), and how each changes a
 * case's model. A fault that finds no place to apply is dropped from the case
 * (never listed without being applied).
 *
 * Phases: `model` faults change records, buffers and the logfile before
 * layout; `layout` faults need offsets (sizes relative to SavedOffset, cuts of
 * the input); `final` faults need the walk's count of buffer positions.
 */
#include "faults.h"

#define P ETWHF_GEN_LAYER_BIT(ETWHF_GEN_PAYLOAD)
#define R ETWHF_GEN_LAYER_BIT(ETWHF_GEN_RECORD)
#define F ETWHF_GEN_LAYER_BIT(ETWHF_GEN_FILE)

#define ABANDON "the rest of the buffer (of the input, for bare records) is abandoned"
#define NEXT "the record is counted and skipped; the walk goes on with the next record"
#define SKIP "the buffer is skipped (counted in buffers_skipped); the walk goes on at the next position"
#define NO_LOGFILE "no logfile field is used: the stride is buffer 0's BufferSize and F5 is not checked"

/* ---- what a fault changed (its location in the manifest) ----------------------- */

static void touch(struct gctx *g, int kind, long ref)
{
    g->touched.kind = (uint8_t)kind;
    g->touched.ref = ref;
}
static int touched_item(struct gctx *g, long i)
{
    touch(g, LOC_ITEM, i);
    return 0;
}
static int touched_buf(struct gctx *g, int b)
{
    touch(g, LOC_BUFFER, b);
    return 0;
}
static int touched_logfile(struct gctx *g)
{
    touch(g, LOC_LOGFILE, 0);
    return 0;
}
static int touched_input(struct gctx *g)
{
    touch(g, LOC_INPUT, 0);
    return 0;
}
static int touched_cut(struct gctx *g, int b)
{
    touch(g, LOC_CUT, b);
    return 0;
}

/* ---- targets ------------------------------------------------------------------ */

static int buf_of(const struct gctx *g, size_t item)
{
    for (size_t b = 0; b < g->n_bufs; b++)
        if (item >= g->bufs[b].first && item < g->bufs[b].first + g->bufs[b].count)
            return (int)b;
    return -1;
}

typedef int (*item_pred)(const struct gctx *g, const struct m_item *it);

/* An unfaulted record (never the logfile record) that `ok` accepts; the
 * case's target when it qualifies and the draw says so. -1 when none. */
static long pick_item(struct gctx *g, item_pred ok)
{
    size_t n = 0;
    long target = -1;
    for (size_t i = 0; i < g->n_items; i++) {
        const struct m_item *it = &g->items[i];
        if (it->kind != MK_REC || it->faulted || !ok(g, it))
            continue;
        n++;
        if (it->target)
            target = (long)i;
    }
    if (n == 0)
        return -1;
    if (target >= 0 && etwhf__model_chance(g, 600))
        return target;
    uint64_t k = etwhf__model_pick(g, n);
    for (size_t i = 0; i < g->n_items; i++) {
        const struct m_item *it = &g->items[i];
        if (it->kind != MK_REC || it->faulted || !ok(g, it))
            continue;
        if (k-- == 0)
            return (long)i;
    }
    return -1;
}

static int any_record(const struct gctx *g, const struct m_item *it)
{
    (void)g;
    (void)it;
    return 1;
}

static int is_decoded_heap(const struct m_item *it)
{
    return it->heap_type == ETWHF_HEAP_FREE || it->heap_type == ETWHF_HEAP_ALLOC || it->heap_type == ETWHF_HEAP_REALLOC;
}

static int heap_exact(const struct gctx *g, const struct m_item *it)
{
    (void)g;
    return is_decoded_heap(it);
}

static int small_perfinfo(const struct gctx *g, const struct m_item *it)
{
    (void)g;
    return etwhf_header_info(it->form)->family == ETWHF_FAM_PERFINFO && it->size < 0x50;
}

static int with_items(const struct gctx *g, const struct m_item *it)
{
    (void)g;
    return etwhf_header_info(it->form)->family == ETWHF_FAM_EVENT && it->n_ext > 0;
}

/* A buffer index satisfying `ok`, or -1. */
typedef int (*buf_pred)(const struct gctx *g, size_t b);

static int pick_buf(struct gctx *g, buf_pred ok)
{
    size_t n = 0;
    for (size_t b = 0; b < g->n_bufs; b++)
        n += ok(g, b) != 0;
    if (n == 0)
        return -1;
    uint64_t k = etwhf__model_pick(g, n);
    for (size_t b = 0; b < g->n_bufs; b++)
        if (ok(g, b) && k-- == 0)
            return (int)b;
    return -1;
}

static int data_buf(const struct gctx *g, size_t b)
{
    (void)g;
    return b >= 1;
}
static int plain_buf(const struct gctx *g, size_t b)
{
    return !g->bufs[b].compressed;
}
static int packed_buf(const struct gctx *g, size_t b)
{
    return g->bufs[b].compressed;
}
/* A stream that expands to nothing is complete before its first token, so a
 * cut or a bad back-reference in it cannot be a DECOMPRESS fault. */
static int packed_nonempty_buf(const struct gctx *g, size_t b)
{
    return g->bufs[b].compressed && g->bufs[b].count > 0;
}
static int any_buf(const struct gctx *g, size_t b)
{
    (void)g;
    (void)b;
    return 1;
}

/* Payload start of a heap record whose payload is exactly its minimum. */
static size_t heap_min(const struct m_item *it)
{
    return etwhf_heap_payload_min(it->heap_type, it->width);
}

/* ---- payload faults ---------------------------------------------------------- */

static int payload_empty(struct gctx *g, int raw)
{
    (void)raw;
    g->plen = 0;
    return touched_input(g);
}

static int payload_short(struct gctx *g, int raw)
{
    if (g->plan.layer == ETWHF_GEN_PAYLOAD) {
        if (g->plen != etwhf_heap_payload_min(g->pev.type, g->pwidth))
            return 1;                                    /* one payload fault per bare payload */
        g->plen = 1 + etwhf__model_pick(g, g->plen - 1); /* 0 bytes would be FILE_EMPTY */
        return touched_input(g);
    }
    long i = pick_item(g, heap_exact);
    if (i < 0)
        return 1;
    struct m_item *it = &g->items[i];
    size_t min = heap_min(it);
    size_t keep = etwhf__model_pick(g, min);
    it->size -= (uint32_t)(min - keep);
    etwhf__model_set_size_field(it, it->size);
    if (!raw)
        it->span = (uint32_t)align8(it->size);
    it->faulted = 1;
    return touched_item(g, i);
}

static void random_bytes(struct gctx *g, uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)etwhf__model_pick(g, 256);
}

static int payload_long(struct gctx *g, int raw)
{
    (void)raw;
    size_t extra = 1 + etwhf__model_pick(g, 32);
    if (g->plan.layer == ETWHF_GEN_PAYLOAD) {
        if (g->plen != etwhf_heap_payload_min(g->pev.type, g->pwidth))
            return 1;
        random_bytes(g, g->pbytes + g->plen, extra);
        g->plen += extra;
        return touched_input(g);
    }
    long i = pick_item(g, heap_exact);
    if (i < 0)
        return 1;
    size_t at = etwhf__model_arena_take(g, g->items[i].size + extra);
    if (at == SIZE_MAX)
        return -1;
    struct m_item *it = &g->items[i];
    memcpy(g->arena + at, g->arena + it->at, it->size);
    random_bytes(g, g->arena + at + it->size, extra);
    it->at = at;
    it->size += (uint32_t)extra;
    it->span = (uint32_t)align8(it->size);
    etwhf__model_set_size_field(it, it->size);
    it->faulted = 1;
    return touched_item(g, i);
}

/* ---- record faults ----------------------------------------------------------- */

static int marker_cleared(struct gctx *g, int raw)
{
    (void)raw;
    long i = pick_item(g, any_record);
    if (i < 0)
        return 1;
    struct m_item *it = &g->items[i];
    static const uint8_t values[] = {0x00, 0x40, 0x50, 0x10, 0x7F, 0x01};
    it->h[3] = etwhf__model_chance(g, 500) ? (uint8_t)(it->h[3] & 0x7Fu) : values[etwhf__model_pick(g, sizeof values)];
    it->faulted = 1;
    return touched_item(g, i);
}

static int header_type_unknown(struct gctx *g, int raw)
{
    (void)raw;
    long i = pick_item(g, any_record);
    if (i < 0)
        return 1;
    struct m_item *it = &g->items[i];
    /* TIMED, ERROR, WNODE and values no form uses; or byte 3 with 0x80 but
     * neither 0x40 nor 0x10. */
    static const uint8_t types[] = {0x00, 0x05, 0x06, 0x0C, 0x0D, 0x0E, 0x16, 0x20, 0x7F, 0xFF};
    static const uint8_t flags[] = {0x80, 0xA0, 0x88, 0x81};
    if (etwhf__model_chance(g, 500)) {
        it->h[2] = types[etwhf__model_pick(g, sizeof types)];
        it->h[3] = 0xC0;
    } else {
        it->h[3] = flags[etwhf__model_pick(g, sizeof flags)];
    }
    it->faulted = 1;
    return touched_item(g, i);
}

static uint32_t fixed_header(const struct m_item *it)
{
    return etwhf_header_info(it->form)->fixed_size;
}

static int record_size_below(struct gctx *g, int raw)
{
    (void)raw;
    long i = pick_item(g, any_record);
    if (i < 0)
        return 1;
    struct m_item *it = &g->items[i];
    etwhf__model_set_size_field(it, (uint32_t)etwhf__model_pick(g, fixed_header(it)));
    it->faulted = 1;
    return touched_item(g, i);
}

/* Region end E of the item's region as laid out (SavedOffset, or the input). */
static uint32_t region_end(const struct gctx *g, size_t item)
{
    if (g->plan.layer == ETWHF_GEN_RECORD)
        return (uint32_t)g->full_len;
    int b = buf_of(g, item);
    return b < 0 ? 0 : g->bufs[b].data_end;
}

static int record_size_overrun(struct gctx *g, int raw)
{
    (void)raw;
    long i = pick_item(g, any_record);
    if (i < 0)
        return 1;
    struct m_item *it = &g->items[i];
    uint32_t room = region_end(g, (size_t)i) - it->off;
    uint32_t size = room + 1 + (uint32_t)etwhf__model_pick(g, 64);
    if (etwhf__model_chance(g, 200) || size > 0xFFFF)
        size = 0xFFFF;
    if (size <= room)
        return 1;
    etwhf__model_set_size_field(it, size);
    it->faulted = 1;
    return touched_item(g, i);
}

static int perfinfo_ext_overrun(struct gctx *g, int raw)
{
    (void)raw;
    long i = pick_item(g, small_perfinfo);
    if (i < 0)
        return 1;
    struct m_item *it = &g->items[i];
    unsigned pebs = etwhf__model_chance(g, 400) ? 1u : 0u;
    /* Smallest PMC count whose extension passes Size, then up to 7. */
    unsigned pmc_min = it->size < 0x10 + 8 * pebs ? 0 : (it->size - 0x10 - 8 * pebs) / 8 + 1;
    if (pmc_min > 7) {
        pebs = 1;
        pmc_min = it->size < 0x18 ? 0 : (it->size - 0x18) / 8 + 1;
    }
    if (pmc_min > 7)
        return 1;
    unsigned pmc = pmc_min + (unsigned)etwhf__model_pick(g, 8 - pmc_min);
    it->h[1] = (uint8_t)((it->h[1] & 0x78u) | pmc | (pebs << 7));
    it->faulted = 1;
    return touched_item(g, i);
}

static int ext_item_bad_size(struct gctx *g, int raw)
{
    (void)raw;
    long i = pick_item(g, with_items);
    if (i < 0)
        return 1;
    struct m_item *it = &g->items[i];
    unsigned last = it->n_ext - 1u;
    uint32_t q_last = ETWHF_EVT_EXT_START;
    for (unsigned k = 0; k < last; k++)
        q_last += it->ext_real[k];
    uint32_t payload_at = q_last + it->ext_real[last];
    uint32_t payload = it->size - payload_at;
    unsigned variant = (unsigned)etwhf__model_pick(g, payload < 8 ? 3 : 2);
    if (variant == 0) /* an item shorter than its own 8-byte header */
        it->ext_size[etwhf__model_pick(g, it->n_ext)] = (uint16_t)etwhf__model_pick(g, 8);
    else if (variant == 1) /* the last item runs past Size */
        it->ext_size[last] = (uint16_t)(it->size - q_last + 8 + 8 * etwhf__model_pick(g, 4));
    else /* Linkage promises an item where fewer than 8 bytes are left */
        it->ext_more[last] = 1;
    it->faulted = 1;
    return touched_item(g, i);
}

/* R2's filler (0xFFFFFFFF) where a record starts, before SavedOffset: the walk
 * of the region ends there without a diagnostic, and what follows is lost.
 * Placed so that at least one decoded heap event is lost, so a decoder that
 * takes the filler for damage (an error) or walks on past it disagrees. */
static int heap_at_or_after(const struct gctx *g, size_t item)
{
    int b = buf_of(g, item);
    if (b < 0)
        return 0;
    for (size_t k = item; k < g->bufs[b].first + g->bufs[b].count; k++)
        if (is_decoded_heap(&g->items[k]))
            return 1;
    return 0;
}

static int filler_mid_ok(const struct gctx *g, const struct m_item *it)
{
    size_t i = (size_t)(it - g->items);
    int b = buf_of(g, i);
    return b >= 0 && i > g->bufs[b].first && heap_at_or_after(g, i);
}

static int filler_first_ok(const struct gctx *g, const struct m_item *it)
{
    size_t i = (size_t)(it - g->items);
    int b = buf_of(g, i);
    /* Buffer 0's first record is the logfile record, which F2 probes. */
    int first = b >= 0 && i == g->bufs[b].first && (b > 0 || g->plan.layer == ETWHF_GEN_RECORD);
    return first && heap_at_or_after(g, i);
}

static int set_filler(struct gctx *g, item_pred ok)
{
    long i = pick_item(g, ok);
    if (i < 0)
        return 1;
    struct m_item *it = &g->items[i];
    put16(it->h, 0xFFFFu);
    put16(it->h + 2, 0xFFFFu);
    it->faulted = 1;
    return touched_item(g, i);
}

static int filler_mid_buffer(struct gctx *g, int raw)
{
    (void)raw;
    return set_filler(g, filler_mid_ok);
}

static int filler_first_record(struct gctx *g, int raw)
{
    (void)raw;
    return set_filler(g, filler_first_ok);
}

/* ---- buffer faults ----------------------------------------------------------- */

static int buffer_size_mismatch(struct gctx *g, int raw)
{
    (void)raw;
    int b = pick_buf(g, data_buf);
    if (b < 0)
        return 1;
    uint32_t s = g->stride;
    const uint32_t values[] = {0, 0x40, s - 8, s + 8, 2 * s, 0xFFFFFFFFu, s | 4};
    uint32_t v = values[etwhf__model_pick(g, sizeof values / sizeof values[0])];
    g->bufs[b].hdr.buffer_size = v == s ? s + 8 : v; /* s | 4 is s when the stride is odd (logfile_buffer_size) */
    if ((size_t)b + 1 == g->n_bufs && etwhf__model_chance(g, 400))
        g->mismatch_cut = b;
    return touched_buf(g, b);
}

/* The last buffer, mismatched, also cut by the end of the input after its
 * header: B3 skips it by the stride and raises no TRUNCATED_TAIL (walk.md
 * B3.1). Positions stay as many, so BuffersWritten stays right. */
static int mismatch_cut(struct gctx *g, int raw)
{
    (void)raw;
    int b = g->mismatch_cut;
    for (size_t i = 0; i < g->plan.n_faults; i++)
        if (etwhf__fault_defs[g->plan.faults[i]].group == G_CUT ||
            etwhf__fault_defs[g->plan.faults[i]].group == G_ALONE)
            return 0;
    if (b > 0 && g->n == g->full_len)
        g->n = g->bufs[b].file_off + ETWHF_BUFFER_HEADER_SIZE +
               etwhf__model_pick(g, g->bufs[b].stride - ETWHF_BUFFER_HEADER_SIZE);
    return 0;
}

static void set_saved(struct m_buf *b, uint32_t v, int raw)
{
    b->hdr.saved_offset = v;
    if (!raw)
        b->hdr.offset = b->hdr.current_offset = v;
}

static int saved_offset_low(struct gctx *g, int raw)
{
    int b = pick_buf(g, plain_buf);
    if (b < 0)
        return 1;
    uint32_t v = (uint32_t)etwhf__model_pick(g, ETWHF_BUFFER_HEADER_SIZE);
    set_saved(&g->bufs[b], v, raw);
    if (raw && v == 0) /* else B6.0 finds the data end in Offset: lose that too */
        g->bufs[b].hdr.offset = (uint32_t)etwhf__model_pick(g, ETWHF_BUFFER_HEADER_SIZE);
    return touched_buf(g, b);
}

static int saved_offset_high(struct gctx *g, int raw)
{
    int b = pick_buf(g, plain_buf);
    if (b < 0)
        return 1;
    uint32_t bs = g->bufs[b].hdr.buffer_size;
    uint32_t v = bs >= 0xFFFFF000u || etwhf__model_chance(g, 200) ? 0xFFFFFFFFu
                                                                  : bs + 1 + (uint32_t)etwhf__model_pick(g, 0x1000);
    if (v <= bs)
        return 1;
    set_saved(&g->bufs[b], v, raw);
    return touched_buf(g, b);
}

static int compressed_flag(struct gctx *g, int raw)
{
    (void)raw;
    int b = pick_buf(g, any_buf);
    if (b < 0)
        return 1;
    g->bufs[b].hdr.flags |= ETWHF_BF_COMPRESSED;
    return touched_buf(g, b);
}

static int events_lost_flag(struct gctx *g, int raw)
{
    (void)raw;
    int b = pick_buf(g, plain_buf);
    if (b < 0)
        return 1;
    /* BUFFER_LOST alone most often: a decoder testing 0x0002 only misses it. */
    static const uint16_t flags[] = {ETWHF_BF_EVENTS_LOST, ETWHF_BF_BUFFER_LOST, ETWHF_BF_BUFFER_LOST,
                                     ETWHF_BF_EVENTS_LOST | ETWHF_BF_BUFFER_LOST};
    uint16_t f = flags[etwhf__model_pick(g, sizeof flags / sizeof flags[0])];
    g->bufs[b].hdr.flags |= f;
    return touched_buf(g, b);
}

/* ---- cuts --------------------------------------------------------------------- */

static int cut_header(struct gctx *g, int raw)
{
    (void)raw;
    int b = pick_buf(g, data_buf);
    if (b < 0)
        return 1;
    g->n = g->bufs[b].file_off + 1 + etwhf__model_pick(g, ETWHF_BUFFER_HEADER_SIZE - 1);
    return touched_cut(g, b);
}

static int planned(const struct gctx *g, int fault)
{
    for (size_t i = 0; i < g->plan.n_faults; i++)
        if (g->plan.faults[i] == fault)
            return 1;
    return 0;
}

static int size_mismatched(const struct gctx *g, size_t b)
{
    return g->bufs[b].hdr.buffer_size != g->stride;
}

static int cut_data(struct gctx *g, int raw)
{
    (void)raw;
    /* A cut inside buffer 0 can leave the logfile record past the input's end
     * (F2 then reads none): buffer0_size_mismatch needs it read. */
    int b = pick_buf(g, planned(g, ETWHF_FAULT_BUFFER0_SIZE_MISMATCH) ? data_buf : any_buf);
    if (b < 0)
        return 1;
    /* With buffer_size_mismatch, mostly its buffer: B3 skips it and B4 raises
     * no TRUNCATED_TAIL for it (walk.md B3.1). */
    int m = pick_buf(g, size_mismatched);
    if (m > 0 && etwhf__model_chance(g, 600))
        b = m;
    g->n = g->bufs[b].file_off + ETWHF_BUFFER_HEADER_SIZE +
           etwhf__model_pick(g, g->bufs[b].stride - ETWHF_BUFFER_HEADER_SIZE);
    return touched_cut(g, b);
}

static int cut_packed(struct gctx *g, int raw)
{
    (void)raw;
    int b = pick_buf(g, packed_buf);
    if (b < 0)
        return 1;
    g->n = g->bufs[b].file_off + ETWHF_BUFFER_HEADER_SIZE +
           etwhf__model_pick(g, g->bufs[b].stride - ETWHF_BUFFER_HEADER_SIZE);
    return touched_cut(g, b);
}

/* The input cut where a data buffer begins: the buffers from there on are
 * gone, and BuffersWritten still counts them (walk.md F5.2). */
static int cut_boundary(struct gctx *g, int raw)
{
    (void)raw;
    int b = pick_buf(g, data_buf);
    if (b < 0)
        return 1;
    g->n = g->bufs[b].file_off;
    return touched_cut(g, b);
}

/* Fixed-up cuts keep BuffersWritten equal to the positions the walk visits. */
static int cut_fixup(struct gctx *g, int raw, uint64_t positions)
{
    if (!raw)
        g->lf.buffers_written = (uint32_t)positions;
    return 0;
}

static int file_empty(struct gctx *g, int raw)
{
    (void)raw;
    g->n = 0;
    return touched_input(g);
}

static int file_too_short(struct gctx *g, int raw)
{
    (void)raw;
    g->n = 1 + etwhf__model_pick(g, ETWHF_BUFFER_HEADER_SIZE - 1);
    return touched_input(g);
}

/* ---- logfile faults ------------------------------------------------------------ */

static struct m_item *logfile_item(struct gctx *g)
{
    struct m_item *it = g->n_items ? &g->items[g->bufs[0].first] : NULL;
    return it && it->kind == MK_LOGFILE ? it : NULL;
}

static int logfile_missing(struct gctx *g, int raw)
{
    (void)raw;
    struct m_item *it = logfile_item(g);
    if (!it)
        return 1;
    if (g->plan.compressed) {
        /* Without the logfile the walk is uncompressed (F3.4): one stride for
         * every buffer, so positions land on buffer starts. A compressed-only
         * fault would then never be reached. */
        for (size_t i = 0; i < g->plan.n_faults; i++)
            if (etwhf__fault_defs[g->plan.faults[i]].info.compressed > 0)
                return 1;
        g->uniform_stride = 1;
    }
    if (etwhf__model_chance(g, 750)) {
        /* Unread, the logfile's BufferSize must change nothing (F2: no field is
         * used): another usable stride, which a reader of it would walk by. */
        const uint32_t s = g->stride, others[] = {2 * s, s / 2, s + 8};
        g->lf.buffer_size = others[etwhf__model_pick(g, 3)];
    }
    static const uint16_t hooks[] = {0x0005, 0x0020, 0x0050, 0x0B17, 0x0001};
    static const uint8_t flags[] = {0x80, 0x00, 0x40, 0x90, 0x8F};
    static const uint8_t types[] = {0x03, 0x04, 0x10, 0x11, 0x00, 0x05, 0x0C, 0xFF, 0x0A, 0x13};
    switch (etwhf__model_pick(g, 4)) {
    case 0: put16(it->h + 6, hooks[etwhf__model_pick(g, sizeof hooks / sizeof hooks[0])]); break;
    case 1: it->h[3] = flags[etwhf__model_pick(g, sizeof flags)]; break;
    case 2: it->h[2] = types[etwhf__model_pick(g, sizeof types)]; break;
    default: put16(it->h + 4, (uint16_t)(0xFFFF - etwhf__model_pick(g, 16))); break; /* Size past the input */
    }
    it->faulted = 1;
    return touched_logfile(g);
}

static int logfile_short(struct gctx *g, int raw)
{
    struct m_item *it = logfile_item(g);
    if (!it)
        return 1;
    if (raw) {
        put16(it->h + 4, (uint16_t)etwhf__model_pick(g, 0x20)); /* below the header: R5 too */
    } else {
        size_t layout = g->lf.layout == 8 ? ETWHF_LOGFILE_SIZE64 : ETWHF_LOGFILE_SIZE32;
        size_t gap = ETWHF_LOGFILE_SIZE64 - ETWHF_LOGFILE_SIZE32;
        /* 0 … layout − 1 bytes; a 64-bit payload often long enough for the 32-bit layout */
        if (layout == ETWHF_LOGFILE_SIZE64 && etwhf__model_chance(g, 300))
            g->lf.payload_cut = 1 + ETWHF_LOGFILE_SIZE32 + etwhf__model_pick(g, gap);
        else
            g->lf.payload_cut = 1 + etwhf__model_pick(g, layout);
        it->size = (uint32_t)etwhf__gen_logfile_size(&g->lf);
        it->span = (uint32_t)align8(it->size);
        put16(it->h + 4, (uint16_t)it->size);
    }
    it->faulted = 1;
    return touched_logfile(g);
}

static int logfile_pointer_size(struct gctx *g, int raw)
{
    (void)raw;
    static const uint32_t values[] = {0, 1, 2, 3, 16, 0xFFFFFFFFu, 6, 0x00000408u};
    g->lf.pointer_size = values[etwhf__model_pick(g, sizeof values / sizeof values[0])];
    return touched_logfile(g);
}

static uint32_t bad_stride(struct gctx *g)
{
    const uint32_t values[] = {
        0, 0x40, 0x47, g->stride + 1 + (uint32_t)etwhf__model_pick(g, 7), ETWHF_DEFAULT_BUFFER_LIMIT + 8, 0xFFFFFFFFu};
    return values[etwhf__model_pick(g, sizeof values / sizeof values[0])];
}

/* Every buffer's BufferSize (and the stride) 4 bytes longer than built: not
 * a multiple of 8, so the logfile's (the same) is unusable (F3.2), while
 * buffer 0's is the stride (F3.4 has no multiple-of-8 test). */
static int odd_stride(struct gctx *g)
{
    uint32_t s = g->stride, t = s + 4;
    for (size_t b = 0; b < g->n_bufs; b++)
        if (g->bufs[b].compressed || g->bufs[b].hdr.buffer_size == t)
            return 0;
    for (size_t b = 0; b < g->n_bufs; b++) {
        g->bufs[b].stride = t;
        if (g->bufs[b].hdr.buffer_size == s)
            g->bufs[b].hdr.buffer_size = t;
    }
    g->stride = t;
    return 1;
}

static int logfile_buffer_size(struct gctx *g, int raw)
{
    (void)raw;
    if (etwhf__model_chance(g, 250) && odd_stride(g))
        g->lf.buffer_size = g->stride;
    else
        g->lf.buffer_size = bad_stride(g);
    return touched_logfile(g);
}

/* F3 takes the stride from the logfile when it is usable: buffer 0's own
 * BufferSize, differing from it, is then a B3 mismatch at position 0 (the
 * header buffer is skipped), not the stride. Needs the logfile read. */
static int buffer0_size_mismatch(struct gctx *g, int raw)
{
    (void)raw;
    for (size_t i = 0; i < g->plan.n_faults; i++)
        if (etwhf__fault_defs[g->plan.faults[i]].group == G_LOGFILE)
            return 1;
    uint32_t s = g->stride;
    const uint32_t values[] = {s - 8, s + 8, 2 * s, (s / 2) & ~7u, ETWHF_BUFFER_HEADER_SIZE, 0};
    uint32_t v = values[etwhf__model_pick(g, sizeof values / sizeof values[0])];
    if (v == s)
        v = s + 8;
    g->bufs[0].hdr.buffer_size = v;
    return touched_buf(g, 0);
}

static int stride_unusable(struct gctx *g, int raw)
{
    (void)raw;
    static const uint32_t b0[] = {0, 0x40, 0x47, ETWHF_DEFAULT_BUFFER_LIMIT + 8, 0xFFFFFFFFu};
    g->lf.buffer_size = bad_stride(g);
    g->bufs[0].hdr.buffer_size = b0[etwhf__model_pick(g, sizeof b0 / sizeof b0[0])];
    return touched_buf(g, 0);
}

static int buffers_written(struct gctx *g, int raw, uint64_t positions)
{
    (void)raw;
    uint32_t pos = (uint32_t)positions;
    if (pos && etwhf__model_chance(g, 400)) {
        g->lf.buffers_written = (uint32_t)etwhf__model_pick(g, pos);
    } else {
        /* More than the file holds is a cut at a buffer boundary (F5.2),
         * unless the log is circular: it wraps, and counts what it wrote. */
        g->lf.buffers_written = pos + 1 + (uint32_t)etwhf__model_pick(g, 1000);
        g->lf.log_file_mode |= ETWHF_LOGFILE_MODE_CIRCULAR;
    }
    return touched_logfile(g);
}

static int events_lost_logfile(struct gctx *g, int raw)
{
    (void)raw;
    switch (etwhf__model_pick(g, 3)) {
    case 0: g->lf.events_lost = 1 + (uint32_t)etwhf__model_pick(g, 100000); break;
    case 1: g->lf.buffers_lost = 1 + (uint32_t)etwhf__model_pick(g, 16); break;
    default:
        g->lf.events_lost = 1 + (uint32_t)etwhf__model_pick(g, 100000);
        g->lf.buffers_lost = 1 + (uint32_t)etwhf__model_pick(g, 16);
        break;
    }
    return touched_logfile(g);
}

/* ---- compressed files ---------------------------------------------------------- */

static int format_unsupported(struct gctx *g, int raw)
{
    (void)raw;
    static const uint32_t states[] = {2, 4, 0, 0xFFFF, 0x10002, 1};
    g->bufs[0].hdr.state = states[etwhf__model_pick(g, sizeof states / sizeof states[0])];
    return touched_buf(g, 0);
}

static int decompress_model(struct gctx *g, int raw)
{
    int b = pick_buf(g, packed_nonempty_buf);
    if (b < 0)
        return 1;
    static const int cuts[] = {CF_CUT, CF_CUT, CF_CUT_LITERAL, CF_CUT_MATCH};
    static const int breaks[] = {CF_BAD_OFFSET, CF_BAD_LENGTH, CF_OVERRUN, -1};
    int kind = raw ? breaks[etwhf__model_pick(g, 4)] : cuts[etwhf__model_pick(g, 4)];
    if (kind < 0)
        g->vpast_buf = b; /* SavedOffset past the expansion: set after layout */
    else
        g->bufs[b].comp_fault = kind;
    return touched_buf(g, b);
}

static int decompress_layout(struct gctx *g, int raw)
{
    (void)raw;
    if (g->vpast_buf < 0)
        return 0;
    struct m_buf *b = &g->bufs[g->vpast_buf];
    /* Another fault already moved SavedOffset (e.g. below 0x48): moving it again
     * could land inside the expansion, where decompression succeeds on a prefix. */
    if (b->hdr.saved_offset != b->data_end)
        return 0;
    b->hdr.saved_offset += 8 * (1 + (uint32_t)etwhf__model_pick(g, 8));
    b->hdr.offset = b->hdr.current_offset = b->hdr.saved_offset;
    b->corrupt = 1;
    return 0;
}

static int compressed_saved_offset(struct gctx *g, int raw)
{
    (void)raw;
    int b = pick_buf(g, packed_buf);
    if (b < 0)
        return 1;
    g->bufs[b].hdr.saved_offset = etwhf__model_chance(g, 500) ? (uint32_t)etwhf__model_pick(g, ETWHF_BUFFER_HEADER_SIZE)
                                                              : ETWHF_BUFFER_HEADER_SIZE + ETWHF_DEFAULT_BUFFER_LIMIT +
                                                                    1 + (uint32_t)etwhf__model_pick(g, 0x10000);
    return touched_buf(g, b);
}

static int compressed_buffer_size(struct gctx *g, int raw)
{
    (void)raw;
    int b = pick_buf(g, packed_buf);
    if (b < 0)
        return 1;
    g->bufs[b].hdr.buffer_size = (uint32_t)etwhf__model_pick(g, ETWHF_BUFFER_HEADER_SIZE);
    return touched_buf(g, b);
}

/* ---- the catalogue ----------------------------------------------------------------- */

#define KR 1u /* raw possible */
#define KF 2u /* fixed-up possible */

const struct fault_def etwhf__fault_defs[ETWHF_FAULT_COUNT] = {
    [ETWHF_FAULT_PAYLOAD_EMPTY] = {{"payload_empty", ETWHF_FL_PAYLOAD, ETWHF_DIAG_FILE_EMPTY, "bare payload: 0 bytes",
                                    "the input ends", "raw", "a bare payload with no bytes", P, 0},
                                   G_ALONE,
                                   0,
                                   KR,
                                   payload_empty,
                                   NULL,
                                   NULL,
                                   NULL},
    [ETWHF_FAULT_PAYLOAD_SHORT] =
        {{"payload_short", ETWHF_FL_PAYLOAD, ETWHF_DIAG_HEAP_PAYLOAD_SHORT, "R9: heap payload shorter than its minimum",
          "the event is dropped; the walk goes on with the next record", "raw or fixed-up",
          "bytes cut from the end of a Free, Alloc or ReAlloc payload and Size lowered; fixed-up moves the following "
          "records up, raw leaves them in place with zeros between (a MARKER error when the walk lands on them); a bare "
          "payload keeps 1 to minimum − 1 bytes",
          P | R | F, 0},
         0,
         0,
         KR | KF,
         payload_short,
         NULL,
         NULL,
         NULL},
    [ETWHF_FAULT_PAYLOAD_LONG] =
        {{"payload_long", ETWHF_FL_PAYLOAD, ETWHF_DIAG_HEAP_PAYLOAD_LONG, "R9: heap payload longer than its minimum",
          "the event is delivered (extra bytes ignored)", "fixed-up",
          "1 to 32 random bytes appended to a Free, Alloc or ReAlloc payload, Size raised, following records moved",
          P | R | F, 0},
         0,
         0,
         KF,
         payload_long,
         NULL,
         NULL,
         NULL},
    [ETWHF_FAULT_MARKER_CLEARED] =
        {{"marker_cleared", ETWHF_FL_RECORD, ETWHF_DIAG_MARKER, "R3: byte 3 lacks 0x80", ABANDON, "raw",
          "byte 3 of a record loses the trace-header flag 0x80 (0x40, 0x00 and other values without it)", R | F, 0},
         0,
         0,
         KR,
         marker_cleared,
         NULL,
         NULL,
         NULL},
    [ETWHF_FAULT_HEADER_TYPE_UNKNOWN] =
        {{"header_type_unknown", ETWHF_FL_RECORD, ETWHF_DIAG_HEADER_TYPE,
          "R4: HeaderType not one of the 12, or byte 3 with neither 0x40 nor 0x10", ABANDON, "raw",
          "HeaderType set to 0x00, 0x05, 0x06, 0x0C (TIMED), 0x0D (ERROR), 0x0E (WNODE), 0x16, 0x20, 0x7F or 0xFF with "
          "byte 3 0xC0; or byte 3 set to 0x80, 0xA0, 0x88 or 0x81",
          R | F, 0},
         0,
         0,
         KR,
         header_type_unknown,
         NULL,
         NULL,
         NULL},
    [ETWHF_FAULT_RECORD_SIZE_OVERRUN] =
        {{"record_size_overrun", ETWHF_FL_RECORD, ETWHF_DIAG_RECORD_SIZE, "R5: p + Size > E", ABANDON, "raw",
          "Size raised 1 to 64 bytes past the end of the region (SavedOffset, or the input for bare records), or to 0xFFFF",
          R | F, 0},
         0,
         0,
         KR,
         NULL,
         record_size_overrun,
         NULL,
         NULL},
    [ETWHF_FAULT_RECORD_SIZE_BELOW_HEADER] = {{"record_size_below_header", ETWHF_FL_RECORD, ETWHF_DIAG_RECORD_SIZE,
                                               "R5: Size < H", ABANDON, "raw",
                                               "Size lowered below the form's fixed header (0 included)", R | F, 0},
                                              0,
                                              0,
                                              KR,
                                              record_size_below,
                                              NULL,
                                              NULL,
                                              NULL},
    [ETWHF_FAULT_PERFINFO_EXT_OVERRUN] =
        {{"perfinfo_ext_overrun", ETWHF_FL_RECORD, ETWHF_DIAG_PERFINFO_EXT, "R7: 0x10 + 8·PMC + 8·PEBS > Size", NEXT,
          "raw",
          "a PERFINFO record's Version claims more PMC counters (bits 8–10) and/or a PEBS index (bit 15) than its Size "
          "holds; a heap event in that record is lost",
          R | F, 0},
         0,
         NEED_PERFINFO_SMALL,
         KR,
         perfinfo_ext_overrun,
         NULL,
         NULL,
         NULL},
    [ETWHF_FAULT_EXT_ITEM_BAD_SIZE] =
        {{"ext_item_bad_size", ETWHF_FL_RECORD, ETWHF_DIAG_EXT_ITEM,
          "R8: an extended item shorter than 8 bytes, past Size, or linked to one with no room", NEXT, "raw",
          "an EVENT_HEADER extended item's ItemSize set below 8 or past Size, or the last item's Linkage bit set with "
          "fewer than 8 bytes left; a heap event in that record is lost",
          R | F, 0},
         0,
         NEED_EXT_ITEMS,
         KR,
         ext_item_bad_size,
         NULL,
         NULL,
         NULL},
    [ETWHF_FAULT_BUFFER_SIZE_MISMATCH] =
        {{"buffer_size_mismatch", ETWHF_FL_BUFFER, ETWHF_DIAG_BUFFER_SIZE, "B3: BufferSize ≠ stride",
          "the buffer is skipped by the stride (counted in buffers_skipped)", "raw",
          "a data buffer's BufferSize set to 0, 0x40, stride ± 8, twice the stride, 0xFFFFFFFF or stride | 4; when it "
          "is the last buffer, sometimes the input also cut inside it after its header (no TRUNCATED_TAIL then)",
          F, -1},
         0,
         0,
         KR,
         buffer_size_mismatch,
         NULL,
         mismatch_cut,
         NULL},
    [ETWHF_FAULT_SAVED_OFFSET_LOW] =
        {{"saved_offset_low", ETWHF_FL_BUFFER, ETWHF_DIAG_SAVED_OFFSET, "B6/C5: SavedOffset < 0x48", SKIP,
          "raw or fixed-up",
          "a plain buffer's SavedOffset set below 0x48; fixed-up sets Offset and CurrentOffset alike, raw leaves "
          "them, except that SavedOffset 0 takes an Offset below 0x48 with it (else B6.0 finds the data end there)",
          F, 0},
         0,
         0,
         KR | KF,
         NULL,
         NULL,
         saved_offset_low,
         NULL},
    [ETWHF_FAULT_SAVED_OFFSET_HIGH] =
        {{"saved_offset_high", ETWHF_FL_BUFFER, ETWHF_DIAG_SAVED_OFFSET, "B6/C5: SavedOffset > BufferSize", SKIP,
          "raw or fixed-up",
          "an uncompressed buffer's SavedOffset set past its BufferSize (up to 0xFFFFFFFF); fixed-up sets Offset and "
          "CurrentOffset alike",
          F, 0},
         0,
         0,
         KR | KF,
         NULL,
         NULL,
         saved_offset_high,
         NULL},
    [ETWHF_FAULT_COMPRESSED_FLAG_IN_UNCOMPRESSED_FILE] =
        {{"compressed_flag_in_uncompressed_file", ETWHF_FL_BUFFER, ETWHF_DIAG_COMPRESSED_UNSUPPORTED,
          "B5: BufferFlag 0x40 in an uncompressed file", SKIP, "raw",
          "BufferFlag 0x40 (COMPRESSED) set on a buffer of an uncompressed file; its bytes stay uncompressed", F, -1},
         0,
         0,
         KR,
         compressed_flag,
         NULL,
         NULL,
         NULL},
    [ETWHF_FAULT_EVENTS_LOST_FLAG] =
        {{"events_lost_flag", ETWHF_FL_BUFFER, ETWHF_DIAG_EVENTS_LOST, "B7: BufferFlag 0x0002 or 0x0004",
          "none: the buffer is walked", "fixed-up",
          "EVENTS_LOST (0x0002) and/or BUFFER_LOST (0x0004; alone in half the cases) set on an uncompressed buffer", F,
          0},
         0,
         0,
         KF,
         events_lost_flag,
         NULL,
         NULL,
         NULL},
    [ETWHF_FAULT_TRUNCATED_TAIL_HEADER] =
        {{"truncated_tail_header", ETWHF_FL_FILE, ETWHF_DIAG_TRUNCATED_TAIL,
          "B1: fewer than 0x48 bytes at a buffer position", "the file ends", "raw or fixed-up",
          "the input cut 1 to 0x47 bytes into a data buffer's header; fixed-up sets BuffersWritten to the positions "
          "the walk visits, raw leaves it (BUFFERS_WRITTEN when they differ)",
          F, 0},
         G_CUT,
         0,
         KR | KF,
         NULL,
         NULL,
         cut_header,
         cut_fixup},
    [ETWHF_FAULT_TRUNCATED_TAIL_DATA] =
        {{"truncated_tail_data", ETWHF_FL_FILE, ETWHF_DIAG_TRUNCATED_TAIL, "B4: the input ends inside a buffer's data",
          "the records present are walked (one cut by the end ends the walk silently), then the file ends",
          "raw or fixed-up",
          "the input cut inside a buffer after its header (with buffer_size_mismatch mostly inside "
          "that buffer: B3 then skips it and raises no TRUNCATED_TAIL); BuffersWritten as for truncated_tail_header",
          F, -1},
         G_CUT,
         0,
         KR | KF,
         NULL,
         NULL,
         cut_data,
         cut_fixup},
    [ETWHF_FAULT_TRUNCATED_TAIL_COMPRESSED] =
        {{"truncated_tail_compressed", ETWHF_FL_FILE, ETWHF_DIAG_TRUNCATED_TAIL, "C3: off + BufferSize > n",
          "the file ends", "raw or fixed-up",
          "the input cut inside a compressed buffer after its header; BuffersWritten as for truncated_tail_header", F,
          1},
         G_CUT,
         0,
         KR | KF,
         NULL,
         NULL,
         cut_packed,
         cut_fixup},
    [ETWHF_FAULT_FILE_EMPTY] = {{"file_empty", ETWHF_FL_FILE, ETWHF_DIAG_FILE_EMPTY, "F1: n = 0", "the file ends",
                                 "raw", "an input with no bytes: a file, or a bare record input (walk.md Q1.1)", R | F,
                                 0},
                                G_ALONE,
                                0,
                                KR,
                                NULL,
                                NULL,
                                file_empty,
                                NULL},
    [ETWHF_FAULT_FILE_TOO_SHORT] = {{"file_too_short", ETWHF_FL_FILE, ETWHF_DIAG_FILE_TOO_SHORT, "F1: 0 < n < 0x48",
                                     "the file ends", "raw", "the first 1 to 0x47 bytes of a file", F, 0},
                                    G_ALONE,
                                    0,
                                    KR,
                                    NULL,
                                    NULL,
                                    file_too_short,
                                    NULL},
    [ETWHF_FAULT_LOGFILE_MISSING] =
        {{"logfile_missing", ETWHF_FL_FILE, ETWHF_DIAG_LOGFILE_MISSING, "F2: no logfile record at 0x48", NO_LOGFILE,
          "raw",
          "the logfile record's HookId made nonzero, byte 3 without 0xC0, HeaderType not 1 or 2, or Size past the "
          "input; the record is still walked as whatever it now is. Mostly the logfile's BufferSize is also set to "
          "another usable stride (twice, half, or stride + 8), which the walk must not read. In a compressed file every buffer is given the "
          "largest stride (zeros after each stream), so the uncompressed walk that F3.4 falls back to lands on every "
          "buffer: buffer 0 walked, the compressed ones skipped by B5",
          F, 0},
         G_LOGFILE,
         0,
         KR,
         logfile_missing,
         NULL,
         NULL,
         NULL},
    [ETWHF_FAULT_LOGFILE_SHORT] =
        {{"logfile_short", ETWHF_FL_FILE, ETWHF_DIAG_LOGFILE_SHORT, "F2: logfile payload shorter than 0x110 / 0x118",
          NO_LOGFILE, "raw or fixed-up",
          "fixed-up: the logfile payload cut to fewer bytes than its layout (a 64-bit one often to 0x110–0x117 bytes, "
          "enough for the 32-bit layout), Size and the buffer consistent; raw: Size "
          "set below 0x20 with the bytes left in place (RECORD_SIZE at R5 too)",
          F, -1},
         G_LOGFILE,
         0,
         KR | KF,
         logfile_short,
         NULL,
         NULL,
         NULL},
    [ETWHF_FAULT_LOGFILE_POINTER_SIZE] = {{"logfile_pointer_size", ETWHF_FL_FILE, ETWHF_DIAG_LOGFILE_POINTER_SIZE,
                                           "F2: PointerSize not 4 or 8",
                                           "none: each record's width comes from its header type", "raw",
                                           "PointerSize set to 0, 1, 2, 3, 6, 16, 0x408 or 0xFFFFFFFF", F, 0},
                                          0,
                                          0,
                                          KR,
                                          logfile_pointer_size,
                                          NULL,
                                          NULL,
                                          NULL},
    [ETWHF_FAULT_LOGFILE_BUFFER_SIZE] =
        {{"logfile_buffer_size", ETWHF_FL_FILE, ETWHF_DIAG_LOGFILE_BUFFER_SIZE,
          "F3: logfile BufferSize not a multiple of 8 in [0x48, L]", "the stride is buffer 0's BufferSize", "raw",
          "the logfile BufferSize set to 0, 0x40, 0x47, stride + 1..7, L + 8 or 0xFFFFFFFF; buffer 0 keeps the real one. "
          "Or every buffer's BufferSize and the logfile's made stride + 4 (e.g. 0x404): the stride is then that odd "
          "BufferSize of buffer 0",
          F, -1},
         G_STRIDE,
         0,
         KR,
         logfile_buffer_size,
         NULL,
         NULL,
         NULL},
    [ETWHF_FAULT_STRIDE_UNUSABLE] =
        {{"stride_unusable", ETWHF_FL_FILE, ETWHF_DIAG_BUFFER_SIZE,
          "F3: neither the logfile's nor buffer 0's BufferSize is usable",
          "the file ends before any buffer (F5 then sees 0 positions)", "raw",
          "the logfile BufferSize made unusable as for logfile_buffer_size, and buffer 0's BufferSize set to 0, 0x40, "
          "0x47, L + 8 or 0xFFFFFFFF",
          F, -1},
         G_STRIDE,
         0,
         KR,
         stride_unusable,
         NULL,
         NULL,
         NULL},
    [ETWHF_FAULT_BUFFERS_WRITTEN] =
        {{"buffers_written", ETWHF_FL_FILE, ETWHF_DIAG_BUFFERS_WRITTEN,
          "F5.1: BuffersWritten ≠ positions visited (and F5.2 does not apply)", "none (end of file)", "raw",
          "BuffersWritten set below the number of buffer positions the walk visits, or above it in a circular log "
          "(LogFileMode 0x00000002, which F5.2 exempts)",
          F, 0},
         0,
         0,
         KR,
         NULL,
         NULL,
         NULL,
         buffers_written},
    [ETWHF_FAULT_EVENTS_LOST_LOGFILE] = {{"events_lost_logfile", ETWHF_FL_FILE, ETWHF_DIAG_EVENTS_LOST,
                                          "F2: EventsLost or BuffersLost ≠ 0", "none", "fixed-up",
                                          "the logfile's EventsLost and/or BuffersLost made nonzero", F, 0},
                                         0,
                                         0,
                                         KF,
                                         events_lost_logfile,
                                         NULL,
                                         NULL,
                                         NULL},
    [ETWHF_FAULT_COMPRESSION_FORMAT_UNSUPPORTED] = {{"compression_format_unsupported", ETWHF_FL_FILE,
                                                     ETWHF_DIAG_COMPRESSED_UNSUPPORTED,
                                                     "C4: low 16 bits of buffer 0's State ≠ 3 (XPRESS)",
                                                     "every compressed buffer is skipped", "raw",
                                                     "buffer 0's State set to 0, 1, 2 (LZNT1), 4 (XPRESS Huffman), "
                                                     "0xFFFF or 0x10002",
                                                     F, 1},
                                                    0,
                                                    0,
                                                    KR,
                                                    format_unsupported,
                                                    NULL,
                                                    NULL,
                                                    NULL},
    [ETWHF_FAULT_DECOMPRESS_CORRUPT] =
        {{"decompress_corrupt", ETWHF_FL_BUFFER, ETWHF_DIAG_DECOMPRESS,
          "C4: expansion fails or is not SavedOffset − 0x48 bytes", SKIP, "raw or fixed-up",
          "fixed-up: the compressed stream cut, BufferSize lowered to match: to half its length (X3.1 or any token), "
          "inside the final literal run of an all-literal stream (X4.1), or after the first byte of a final match "
          "word (X5.1); raw: a first token that reaches back before the output (X7.1), a final match whose u16 or u32 "
          "long-form length is below 22 (X6.5a, X6.6a; it would fill the output exactly), a final match longer than "
          "the output left (X7.2), or SavedOffset raised 8 to 64 bytes past the expansion",
          F, 1},
         0,
         0,
         KR | KF,
         decompress_model,
         NULL,
         decompress_layout,
         NULL},
    [ETWHF_FAULT_COMPRESSED_SAVED_OFFSET] = {{"compressed_saved_offset", ETWHF_FL_BUFFER, ETWHF_DIAG_SAVED_OFFSET,
                                              "C4: SavedOffset < 0x48 or SavedOffset − 0x48 > L", SKIP, "raw",
                                              "a compressed buffer's SavedOffset set below 0x48 or more than L past it",
                                              F, 1},
                                             0,
                                             0,
                                             KR,
                                             NULL,
                                             NULL,
                                             compressed_saved_offset,
                                             NULL},
    [ETWHF_FAULT_COMPRESSED_BUFFER_SIZE] = {{"compressed_buffer_size", ETWHF_FL_BUFFER, ETWHF_DIAG_BUFFER_SIZE,
                                             "C3: BufferSize < 0x48", "the file ends", "raw",
                                             "a compressed buffer's BufferSize set below 0x48", F, 1},
                                            0,
                                            0,
                                            KR,
                                            NULL,
                                            NULL,
                                            compressed_buffer_size,
                                            NULL},
    [ETWHF_FAULT_FILLER_MID_BUFFER] =
        {{"filler_mid_buffer", ETWHF_FL_RECORD, 0, "R2: the dword at a record start after the first is 0xFFFFFFFF",
          "the walk of the region ends without a diagnostic; the records after it are lost", "raw",
          "the first four bytes of a record after the region's first (before SavedOffset) set to 0xFFFFFFFF, with a "
          "Free, Alloc or ReAlloc record at or after it, so at least one heap event is lost",
          R | F, 0},
         0,
         NEED_LEADING_RECORD,
         KR,
         filler_mid_buffer,
         NULL,
         NULL,
         NULL},
    [ETWHF_FAULT_FILLER_FIRST_RECORD] =
        {{"filler_first_record", ETWHF_FL_RECORD, 0, "R2: the dword at a region's first record is 0xFFFFFFFF",
          "the walk of the region ends at once without a diagnostic (the buffer still counts as accepted)", "raw",
          "the first four bytes of a data buffer's first record (of a bare record input's first record) set to "
          "0xFFFFFFFF; the region holds a Free, Alloc or ReAlloc record",
          R | F, 0},
         0,
         0,
         KR,
         filler_first_record,
         NULL,
         NULL,
         NULL},
    [ETWHF_FAULT_BUFFER0_SIZE_MISMATCH] =
        {{"buffer0_size_mismatch", ETWHF_FL_FILE, ETWHF_DIAG_BUFFER_SIZE,
          "F3 then B3: buffer 0's BufferSize differs from a usable logfile BufferSize",
          "the stride stays the logfile's; buffer 0 (with the logfile record) is skipped", "raw",
          "buffer 0's BufferSize set to stride ± 8, twice or half the stride, 0x48 or 0, the logfile's BufferSize "
          "left as it was",
          F, -1},
         G_STRIDE,
         0,
         KR,
         buffer0_size_mismatch,
         NULL,
         NULL,
         NULL},
    [ETWHF_FAULT_TRUNCATED_AT_BOUNDARY] =
        {{"truncated_at_boundary", ETWHF_FL_FILE, ETWHF_DIAG_TRUNCATED_TAIL,
          "F5.2: the input ends where a buffer would begin, before the buffers BuffersWritten announces",
          "the file ends (raised after the last position)", "raw",
          "the input cut exactly where a data buffer begins: it and every buffer after it are gone, BuffersWritten "
          "still counts them",
          F, 0},
         G_CUT,
         0,
         KR,
         NULL,
         NULL,
         cut_boundary,
         NULL},
};

const struct etwhf_fault_info *etwhf_fault_info(int fault)
{
    if (fault < 0 || fault >= ETWHF_FAULT_COUNT)
        return NULL;
    return &etwhf__fault_defs[fault].info;
}

int etwhf_fault_from_name(const char *name)
{
    if (!name)
        return -1;
    for (int f = 0; f < ETWHF_FAULT_COUNT; f++)
        if (strcmp(etwhf__fault_defs[f].info.name, name) == 0)
            return f;
    return -1;
}

int etwhf__model_apply_faults(struct gctx *g, int phase, uint64_t positions)
{
    for (size_t i = 0; i < g->plan.n_faults; i++) {
        const struct fault_def *d = &etwhf__fault_defs[g->plan.faults[i]];
        int raw = g->plan.raw[i];
        fault_fn fn = phase == PH_MODEL    ? d->model
                      : phase == PH_REGION ? d->region
                      : phase == PH_LAYOUT ? d->layout
                                           : NULL;
        int rc = 0;
        g->touched.kind = LOC_UNSET;
        if (fn)
            rc = fn(g, raw);
        else if (phase == PH_FINAL && d->final)
            rc = d->final(g, raw, positions);
        if (rc < 0 || g->oom)
            return -1;
        if (rc > 0) { /* no place for it: drop it from the case */
            size_t rest = g->plan.n_faults - i - 1;
            memmove(&g->plan.faults[i], &g->plan.faults[i + 1], rest * sizeof g->plan.faults[0]);
            memmove(&g->plan.raw[i], &g->plan.raw[i + 1], rest * sizeof g->plan.raw[0]);
            memmove(&g->plan.at[i], &g->plan.at[i + 1], rest * sizeof g->plan.at[0]);
            g->plan.n_faults--;
            i--;
            continue;
        }
        if (g->touched.kind != LOC_UNSET && g->plan.at[i].kind == LOC_UNSET)
            g->plan.at[i] = g->touched; /* the phase that made the change names the place */
    }
    return 0;
}

void etwhf__model_fault_locations(const struct gctx *g, struct etwhf_gen_fault_at *out)
{
    const int bare = g->plan.layer != ETWHF_GEN_FILE;
    for (size_t i = 0; i < g->plan.n_faults; i++) {
        const struct loc_ref *r = &g->plan.at[i];
        struct etwhf_gen_fault_at *at = &out[i];
        memset(at, 0, sizeof *at);
        at->buffer = ETWHF_GEN_NO_BUFFER;
        switch (r->kind) {
        case LOC_ITEM: {
            const struct m_item *it = &g->items[r->ref];
            int b = buf_of(g, (size_t)r->ref);
            if (bare || b < 0) {
                at->offset = it->off;
            } else if (g->bufs[b].compressed) {
                at->buffer = (uint64_t)b;
                at->offset = g->bufs[b].file_off;
                at->has_inner = 1;
                at->inner_offset = it->off;
            } else {
                at->buffer = (uint64_t)b;
                at->offset = g->bufs[b].file_off + it->off;
            }
            break;
        }
        case LOC_BUFFER:
            at->buffer = (uint64_t)r->ref;
            at->offset = g->bufs[r->ref].file_off;
            break;
        case LOC_LOGFILE:
            at->buffer = 0;
            at->offset = ETWHF_BUFFER_HEADER_SIZE;
            break;
        case LOC_CUT:
            at->buffer = (uint64_t)r->ref;
            at->offset = g->n;
            break;
        default: /* LOC_INPUT: the input as a whole */ break;
        }
    }
}
