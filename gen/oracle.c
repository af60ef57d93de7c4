/*
 * oracle.c — the expectation of a case: docs/spec/walk.md's walk (with
 * the rules of docs/spec/walk.md) run over the model the generator wrote.
 *
 * The walk reads model fields only — the first 8 bytes of each record as
 * written, its extension items, the heap values it carries, buffer header
 * fields, logfile fields, the input length — never the rendered bytes. Where
 * the walk would land on bytes the model does not describe, it sets
 * model_error: the generator must never build such a case (tests check).
 */
#include "model.h"

struct walker {
    struct gctx *g;
    struct etwhf_gen_expect *x;
    size_t cap_ev, cap_dg, cap_hev;
    uint64_t L;
    size_t buf;       /* the model buffer whose region is walked */
    size_t dmg_buf;   /* where the first fault's damage starts: buffer, */
    uint64_t dmg_off; /*   and offset in it (faulted cases) */
    int in_prefix;    /* every event so far lies before it */
};

/* Where the faults' damage starts, in model coordinates: a damaged record
 * itself; the start of a damaged or cut buffer position; the very start for
 * the logfile and the input as a whole. The events before it are the
 * manifest's intact_prefix (docs/spec/manifest.md): a reader that stops or
 * resyncs differently after damage still owes those. */
static void damage_start(struct walker *w)
{
    const struct gctx *g = w->g;
    w->in_prefix = g->plan.n_faults > 0;
    w->dmg_buf = SIZE_MAX;
    w->dmg_off = UINT64_MAX;
    for (size_t i = 0; i < g->plan.n_faults; i++) {
        const struct loc_ref *r = &g->plan.at[i];
        size_t b = 0;
        uint64_t off = 0;
        if (r->kind == LOC_ITEM) {
            while (b + 1 < g->n_bufs && (size_t)r->ref >= g->bufs[b].first + g->bufs[b].count)
                b++;
            off = g->items[r->ref].off;
        } else if (r->kind == LOC_BUFFER || r->kind == LOC_CUT) {
            b = (size_t)r->ref;
        }
        if (b < w->dmg_buf || (b == w->dmg_buf && off < w->dmg_off)) {
            w->dmg_buf = b;
            w->dmg_off = off;
        }
    }
}

/* Counts a delivered event into the intact prefix while it lies before the damage. */
static void count_prefix(struct walker *w, const struct m_item *it)
{
    if (!w->in_prefix)
        return;
    if (w->buf > w->dmg_buf || (w->buf == w->dmg_buf && it->off >= w->dmg_off)) {
        w->in_prefix = 0;
        return;
    }
    w->x->prefix_heap_events++;
    w->x->prefix_events += it->heap_type == ETWHF_HEAP_FREE;
}

static void diag(struct walker *w, int code, uint64_t buffer, uint64_t offset, int has_inner, uint64_t inner)
{
    struct etwhf_gen_expect *x = w->x;
    if (etwhf__gen_grow(w->g->a, (void **)&x->diags, &w->cap_dg, x->n_diags + 1, sizeof *x->diags) != 0) {
        w->g->oom = 1;
        return;
    }
    struct etwhf_gen_diag *d = &x->diags[x->n_diags++];
    d->code = code;
    d->buffer = buffer;
    d->offset = offset;
    d->has_inner = (uint8_t)has_inner;
    d->inner_offset = has_inner ? inner : 0;
    const struct etwhf_diag_info *di = etwhf_diag_info(code);
    if (di && di->severity == ETWHF_SEV_ERROR) {
        x->errors |= 1u << code;
        if (!x->error) {
            x->error = 1;
            x->first_error_code = code;
            x->first_error_offset = offset;
        }
    } else {
        x->warnings |= 1u << code;
    }
}

/* Every delivered heap event with the fields its type carries (the
 * manifest's heap_events); header is -1 for a bare payload. */
static void deliver_any(struct walker *w, const struct m_item *it, int header)
{
    struct etwhf_gen_expect *x = w->x;
    if (etwhf__gen_grow(w->g->a, (void **)&x->heap_events, &w->cap_hev, x->n_heap_events + 1, sizeof *x->heap_events) !=
        0) {
        w->g->oom = 1;
        return;
    }
    struct etwhf_gen_heap_expect *e = &x->heap_events[x->n_heap_events++];
    memset(e, 0, sizeof *e);
    e->type = it->heap_type;
    e->pointer_size = it->width;
    e->header = (int8_t)header;
    e->source = it->source;
    e->heap_handle = it->handle;
    if (it->heap_type == ETWHF_HEAP_REALLOC) {
        e->new_address = it->new_address;
        e->old_address = it->old_address;
        e->new_size = it->new_size;
        e->old_size = it->old_size;
    } else {
        e->address = it->address;
        if (it->heap_type == ETWHF_HEAP_ALLOC)
            e->size = it->alloc_size;
    }
}

static void deliver(struct walker *w, const struct m_item *it, int header)
{
    struct etwhf_gen_expect *x = w->x;
    count_prefix(w, it);
    deliver_any(w, it, header);
    if (it->heap_type == ETWHF_HEAP_ALLOC) {
        x->heap_alloc++;
        return;
    }
    if (it->heap_type == ETWHF_HEAP_REALLOC) {
        x->heap_realloc++;
        return;
    }
    if (etwhf__gen_grow(w->g->a, (void **)&x->events, &w->cap_ev, x->n_events + 1, sizeof *x->events) != 0) {
        w->g->oom = 1;
        return;
    }
    struct etwhf_gen_event *e = &x->events[x->n_events++];
    e->heap_handle = it->handle;
    e->address = it->address;
    e->source = it->source;
    e->pointer_size = it->width;
}

/* Where a region's diagnostics point. */
struct where {
    uint64_t buffer; /* ETWHF_GEN_NO_BUFFER for bare records */
    uint64_t base;   /* file offset of the buffer (0 for bare records) */
    int inner;       /* expanded buffer: offset = base, inner = p */
};

static void rdiag(struct walker *w, const struct where *at, int code, uint32_t p)
{
    if (at->inner)
        diag(w, code, at->buffer, at->base, 1, p);
    else
        diag(w, code, at->buffer, at->base + p, 0, 0);
}

static int is_decoded(uint8_t type)
{
    return type == ETWHF_HEAP_FREE || type == ETWHF_HEAP_ALLOC || type == ETWHF_HEAP_REALLOC;
}

/* R8 over the modelled items; returns the payload start, or 0 after EXT_ITEM. */
static uint32_t walk_items(struct walker *w, const struct m_item *it, uint32_t size, int *bad)
{
    uint32_t q = ETWHF_EVT_EXT_START, real = ETWHF_EVT_EXT_START;
    for (unsigned i = 0;; i++) {
        if (q + 8 > size) {
            *bad = 1;
            return 0;
        }
        if (i >= it->n_ext || q != real) {
            w->g->model_error = 1; /* an item where the model has payload bytes */
            return 0;
        }
        uint32_t isz = it->ext_size[i];
        if (isz < 8 || q + isz > size) {
            *bad = 1;
            return 0;
        }
        real += it->ext_real[i];
        if (!it->ext_more[i])
            return q + isz;
        q += isz;
    }
}

/* R1–R9 over [start, E) of one region. V: SavedOffset (silent end of a
 * record cut by the input in a truncated buffer). */
static void walk_region(struct walker *w, const struct m_buf *b, uint32_t start, uint64_t E, uint64_t V, int truncated,
                        const struct where *at)
{
    struct gctx *g = w->g;
    size_t k = b->first, end = b->first + b->count;
    uint64_t p = start;
    w->buf = (size_t)(b - g->bufs);
    for (;;) {
        if (g->oom || g->model_error)
            return;
        if (p + 8 > E)
            return; /* R1 */
        while (k < end && g->items[k].off + g->items[k].span <= p)
            k++;
        if (k == end)
            return; /* 0xFF filler after the data: R2 */
        const struct m_item *it = &g->items[k];
        if (p != it->off) {
            if (p < it->off + it->size) {
                g->model_error = 1; /* inside a record's bytes */
                return;
            }
            rdiag(w, at, ETWHF_DIAG_MARKER, (uint32_t)p); /* zeros after a shortened record */
            return;
        }
        const uint8_t *h = it->h;
        if (get32(h) == ETWHF_FILLER_DWORD)
            return; /* R2 */
        if (!(h[3] & ETWHF_TRACE_HEADER_FLAG)) {
            rdiag(w, at, ETWHF_DIAG_MARKER, (uint32_t)p);
            return;
        }
        int form;
        if (h[3] & ETWHF_TRACE_HEADER_EVENT)
            form = etwhf_header_from_type(h[2]);
        else if (h[3] & ETWHF_TRACE_MESSAGE)
            form = ETWHF_HDR_MESSAGE;
        else
            form = -1;
        if (form < 0) {
            rdiag(w, at, ETWHF_DIAG_HEADER_TYPE, (uint32_t)p);
            return;
        }
        const struct etwhf_header_info *hi = etwhf_header_info(form);
        uint32_t size = get16(h + hi->size_at);
        if (size < hi->fixed_size || p + size > E) {
            if (size >= hi->fixed_size && truncated && p + size <= V)
                return; /* cut by the end of the input: TRUNCATED_TAIL said it */
            rdiag(w, at, ETWHF_DIAG_RECORD_SIZE, (uint32_t)p);
            return;
        }
        w->x->events_total++;
        uint64_t next = p + align8(size);
        if (next != it->off + it->span && next < E && !(next >= it->off + it->size && next < it->off + it->span)) {
            g->model_error = 1; /* the walk would land outside the model's records */
            return;
        }
        uint32_t payload_at = hi->fixed_size;
        int heap = 0;
        uint8_t type = 0;
        switch (hi->family) {
        case ETWHF_FAM_PERFINFO: {
            uint16_t v = get16(h);
            payload_at = ETWHF_PERFINFO_EXT_START + 8u * ((v >> 8) & 7u) + 8u * (v >> 15);
            if (payload_at > size) {
                rdiag(w, at, ETWHF_DIAG_PERFINFO_EXT, (uint32_t)p);
                p = next;
                continue;
            }
        } /* fall through: HookId identity */
        /* FALLTHRU */
        case ETWHF_FAM_SYSTEM:
        case ETWHF_FAM_COMPACT:
            heap = get16(h + ETWHF_SYS_HOOK_ID) >> 8 == ETWHF_HEAP_GROUP;
            type = (uint8_t)get16(h + ETWHF_SYS_HOOK_ID);
            break;
        case ETWHF_FAM_FULL:
        case ETWHF_FAM_INSTANCE:
            heap = it->guid_heap;
            type = h[ETWHF_FULL_CLASS_TYPE];
            break;
        case ETWHF_FAM_EVENT:
            if (get16(h + ETWHF_EVT_FLAGS) & ETWHF_EVT_FLAG_EXTENDED_INFO) {
                int bad = 0;
                payload_at = walk_items(w, it, size, &bad);
                if (bad) {
                    rdiag(w, at, ETWHF_DIAG_EXT_ITEM, (uint32_t)p);
                    p = next;
                    continue;
                }
                if (g->model_error)
                    return;
            }
            heap = it->guid_heap;
            type = it->opcode;
            break;
        default: break; /* MESSAGE */
        }
        if (heap && is_decoded(type)) {
            if (type != it->heap_type || hi->pointer_size != it->width) {
                g->model_error = 1;
                return;
            }
            size_t min = etwhf_heap_payload_min(type, hi->pointer_size);
            uint32_t len = size - payload_at;
            if (len < min) {
                rdiag(w, at, ETWHF_DIAG_HEAP_PAYLOAD_SHORT, (uint32_t)p);
            } else {
                if (len > min)
                    rdiag(w, at, ETWHF_DIAG_HEAP_PAYLOAD_LONG, (uint32_t)p);
                int sd = etwhf_source_diag(it->source);
                if (sd)
                    rdiag(w, at, sd, (uint32_t)p);
                deliver(w, it, form);
            }
        }
        p = next;
    }
}

/* ---- bare inputs ----------------------------------------------------------------- */

static void walk_payload(struct walker *w)
{
    struct gctx *g = w->g;
    if (g->plen == 0) {
        diag(w, ETWHF_DIAG_FILE_EMPTY, ETWHF_GEN_NO_BUFFER, 0, 0, 0);
        return;
    }
    size_t min = etwhf_heap_payload_min(g->pev.type, g->pwidth);
    if (g->plen < min) {
        diag(w, ETWHF_DIAG_HEAP_PAYLOAD_SHORT, ETWHF_GEN_NO_BUFFER, 0, 0, 0);
        return;
    }
    if (g->plen > min)
        diag(w, ETWHF_DIAG_HEAP_PAYLOAD_LONG, ETWHF_GEN_NO_BUFFER, 0, 0, 0);
    int sd = etwhf_source_diag(g->pev.source);
    if (sd)
        diag(w, sd, ETWHF_GEN_NO_BUFFER, 0, 0, 0);
    struct m_item it;
    memset(&it, 0, sizeof it);
    it.heap_type = g->pev.type;
    it.width = (uint8_t)g->pwidth;
    it.handle = g->pev.heap_handle & width_mask(g->pwidth);
    it.address = g->pev.address & width_mask(g->pwidth);
    it.alloc_size = g->pev.size & width_mask(g->pwidth);
    it.new_address = g->pev.new_address & width_mask(g->pwidth);
    it.old_address = g->pev.old_address & width_mask(g->pwidth);
    it.new_size = g->pev.new_size & width_mask(g->pwidth);
    it.old_size = g->pev.old_size & width_mask(g->pwidth);
    it.source = g->pev.source;
    deliver(w, &it, -1);
}

static void walk_records(struct walker *w)
{
    struct where at = {ETWHF_GEN_NO_BUFFER, 0, 0};
    if (w->g->n == 0) {
        diag(w, ETWHF_DIAG_FILE_EMPTY, ETWHF_GEN_NO_BUFFER, 0, 0, 0);
        return;
    }
    walk_region(w, &w->g->bufs[0], 0, w->g->n, w->g->n, 0, &at);
}

/* ---- files ---------------------------------------------------------------------------- */

/* F2: 1 when the logfile record was read. */
static int probe_logfile(struct walker *w)
{
    struct gctx *g = w->g;
    const struct m_buf *b0 = &g->bufs[0];
    const struct m_item *it = b0->count ? &g->items[b0->first] : NULL;
    const unsigned b3_want = ETWHF_TRACE_HEADER_FLAG | ETWHF_TRACE_HEADER_EVENT;
    int found = it && it->off == ETWHF_BUFFER_HEADER_SIZE && g->n >= ETWHF_BUFFER_HEADER_SIZE + 8;
    if (found) {
        const uint8_t *h = it->h;
        found = (h[3] & b3_want) == b3_want && (h[2] == ETWHF_LOGFILE_TYPE32 || h[2] == ETWHF_LOGFILE_TYPE64) &&
                get16(h + ETWHF_SYS_HOOK_ID) == ETWHF_HOOK_LOGFILE &&
                ETWHF_BUFFER_HEADER_SIZE + (uint64_t)get16(h + 4) <= g->n;
    }
    if (!found) {
        diag(w, ETWHF_DIAG_LOGFILE_MISSING, 0, ETWHF_BUFFER_HEADER_SIZE, 0, 0);
        return 0;
    }
    if (it->kind != MK_LOGFILE) {
        g->model_error = 1;
        return 0;
    }
    uint32_t size = get16(it->h + 4);
    uint32_t payload = size < ETWHF_SYSTEM_HEADER_SIZE ? 0 : size - ETWHF_SYSTEM_HEADER_SIZE;
    uint32_t layout = it->h[2] == ETWHF_LOGFILE_TYPE32 ? ETWHF_LOGFILE_SIZE32 : ETWHF_LOGFILE_SIZE64;
    if (payload < layout) {
        diag(w, ETWHF_DIAG_LOGFILE_SHORT, 0, ETWHF_BUFFER_HEADER_SIZE, 0, 0);
        return 0;
    }
    if ((it->h[2] == ETWHF_LOGFILE_TYPE32 ? 4u : 8u) != g->lf.layout || payload > it->size - ETWHF_SYSTEM_HEADER_SIZE) {
        g->model_error = 1; /* fields read where the model wrote others */
        return 0;
    }
    if (g->lf.pointer_size != 4 && g->lf.pointer_size != 8)
        diag(w, ETWHF_DIAG_LOGFILE_POINTER_SIZE, 0, ETWHF_BUFFER_HEADER_SIZE, 0, 0);
    if (g->lf.events_lost || g->lf.buffers_lost)
        diag(w, ETWHF_DIAG_EVENTS_LOST, 0, ETWHF_BUFFER_HEADER_SIZE, 0, 0);
    return 1;
}

/* The model buffer at file offset off, or NULL (model_error). */
static const struct m_buf *buf_at(struct gctx *g, size_t i, uint64_t off)
{
    if (i >= g->n_bufs || g->bufs[i].file_off != off) {
        g->model_error = 1;
        return NULL;
    }
    return &g->bufs[i];
}

/* B6.0, C5.0: SavedOffset 0 with a usable data end in Offset. */
static uint32_t plain_saved_offset(const struct m_buf *b)
{
    uint32_t V = b->hdr.saved_offset, O = b->hdr.offset;
    return V == 0 && O >= ETWHF_BUFFER_HEADER_SIZE && O <= b->hdr.buffer_size ? O : V;
}

static void accept_plain(struct walker *w, const struct m_buf *b, uint64_t i, uint64_t off, uint64_t present,
                         int truncated)
{
    struct etwhf_gen_expect *x = w->x;
    uint32_t V = plain_saved_offset(b);
    x->buffers++;
    if (b->hdr.flags & (ETWHF_BF_EVENTS_LOST | ETWHF_BF_BUFFER_LOST))
        diag(w, ETWHF_DIAG_EVENTS_LOST, i, off, 0, 0);
    if (b->compressed) { /* the walk would read compressed bytes as records */
        w->g->model_error = 1;
        return;
    }
    struct where at = {i, off, 0};
    uint64_t E = V < present ? V : present;
    walk_region(w, b, ETWHF_BUFFER_HEADER_SIZE, E, V, truncated, &at);
}

static uint64_t walk_file(struct walker *w)
{
    struct gctx *g = w->g;
    struct etwhf_gen_expect *x = w->x;
    uint64_t n = g->n, positions = 0;
    if (n == 0) {
        diag(w, ETWHF_DIAG_FILE_EMPTY, ETWHF_GEN_NO_BUFFER, 0, 0, 0);
        return 0;
    }
    if (n < ETWHF_BUFFER_HEADER_SIZE) {
        diag(w, ETWHF_DIAG_FILE_TOO_SHORT, ETWHF_GEN_NO_BUFFER, 0, 0, 0);
        return 0;
    }
    int logfile = probe_logfile(w);
    int compressed = logfile && (g->lf.log_file_mode & ETWHF_LOGFILE_MODE_COMPRESSED);
    uint64_t S = 0;
    if (!compressed) {
        uint32_t lb = g->lf.buffer_size, b0 = g->bufs[0].hdr.buffer_size;
        if (logfile && lb >= ETWHF_BUFFER_HEADER_SIZE && lb <= w->L && lb % 8 == 0) {
            S = lb;
        } else {
            if (logfile)
                diag(w, ETWHF_DIAG_LOGFILE_BUFFER_SIZE, 0, ETWHF_BUFFER_HEADER_SIZE, 0, 0);
            if (b0 >= ETWHF_BUFFER_HEADER_SIZE && b0 <= w->L)
                S = b0;
            else
                diag(w, ETWHF_DIAG_BUFFER_SIZE, 0, 0, 0, 0);
        }
    }
    uint64_t off = 0;
    for (uint64_t i = 0; (compressed || S) && off < n && !g->model_error && !g->oom; i++) {
        positions++;
        if (n - off < ETWHF_BUFFER_HEADER_SIZE) {
            diag(w, ETWHF_DIAG_TRUNCATED_TAIL, i, off, 0, 0); /* B1 */
            break;
        }
        const struct m_buf *b = buf_at(g, (size_t)i, off);
        if (!b)
            break;
        uint32_t B = b->hdr.buffer_size, V = b->hdr.saved_offset;
        uint16_t G = b->hdr.flags;
        if (!compressed) {
            if (B != S) { /* B3 */
                diag(w, ETWHF_DIAG_BUFFER_SIZE, i, off, 0, 0);
                x->buffers_skipped++;
                off += S;
                continue;
            }
            int truncated = off + S > n;
            if (truncated)
                diag(w, ETWHF_DIAG_TRUNCATED_TAIL, i, off, 0, 0); /* B4 */
            if (G & ETWHF_BF_COMPRESSED) {
                diag(w, ETWHF_DIAG_COMPRESSED_UNSUPPORTED, i, off, 0, 0);
                x->buffers_skipped++;
            } else if ((V = plain_saved_offset(b)) < ETWHF_BUFFER_HEADER_SIZE || V > B) {
                diag(w, ETWHF_DIAG_SAVED_OFFSET, i, off, 0, 0);
                x->buffers_skipped++;
            } else {
                if (b->stride != S)
                    g->model_error = 1;
                accept_plain(w, b, i, off, n - off, truncated);
            }
            if (truncated)
                break;
            off += S;
            continue;
        }
        if (off + B > n) { /* C3 */
            diag(w, ETWHF_DIAG_TRUNCATED_TAIL, i, off, 0, 0);
            break;
        }
        if (B < ETWHF_BUFFER_HEADER_SIZE || B > w->L) {
            diag(w, ETWHF_DIAG_BUFFER_SIZE, i, off, 0, 0);
            break;
        }
        if (B != b->stride) {
            g->model_error = 1;
            break;
        }
        if (G & ETWHF_BF_COMPRESSED) {                        /* C4 */
            uint32_t format = g->bufs[0].hdr.state & 0xFFFFu; /* its low 16 bits name the format */
            if (V < ETWHF_BUFFER_HEADER_SIZE || V - ETWHF_BUFFER_HEADER_SIZE > w->L) {
                diag(w, ETWHF_DIAG_SAVED_OFFSET, i, off, 0, 0);
                x->buffers_skipped++;
            } else if (format != ETWHF_COMPRESSION_XPRESS) {
                diag(w, ETWHF_DIAG_COMPRESSED_UNSUPPORTED, i, off, 0, 0);
                x->buffers_skipped++;
            } else if (!b->compressed || b->corrupt || V != b->data_end) {
                if (!b->compressed || (!b->corrupt && V < b->data_end))
                    g->model_error = 1; /* expansion outcome not modelled */
                diag(w, ETWHF_DIAG_DECOMPRESS, i, off, 0, 0);
                x->buffers_skipped++;
            } else {
                x->buffers++;
                struct where at = {i, off, 1};
                walk_region(w, b, ETWHF_BUFFER_HEADER_SIZE, V, V, 0, &at);
            }
        } else if ((V = plain_saved_offset(b)) < ETWHF_BUFFER_HEADER_SIZE || V > B) { /* C5 */
            diag(w, ETWHF_DIAG_SAVED_OFFSET, i, off, 0, 0);
            x->buffers_skipped++;
        } else {
            accept_plain(w, b, i, off, n - off, 0);
        }
        off += B;
    }
    /* F5.2: the walk ran out of input exactly where a position would begin
     * (not ended by a step), short of what a non-circular log announces. */
    if (logfile && off == n && !(g->lf.log_file_mode & ETWHF_LOGFILE_MODE_CIRCULAR) &&
        g->lf.buffers_written > positions)
        diag(w, ETWHF_DIAG_TRUNCATED_TAIL, positions, n, 0, 0);
    else if (logfile && g->lf.buffers_written != positions)
        diag(w, ETWHF_DIAG_BUFFERS_WRITTEN, 0, ETWHF_BUFFER_HEADER_SIZE, 0, 0);
    return positions;
}

int etwhf__model_walk(struct gctx *g, struct etwhf_gen_expect *x, uint64_t *positions)
{
    struct walker w = {g, x, 0, 0, 0, ETWHF_DEFAULT_BUFFER_LIMIT, 0, 0, 0, 0};
    uint64_t pos = 0;
    damage_start(&w);
    x->has_prefix = g->plan.n_faults > 0;
    switch (g->plan.layer) {
    case ETWHF_GEN_PAYLOAD: walk_payload(&w); break;
    case ETWHF_GEN_RECORD: walk_records(&w); break;
    default: pos = walk_file(&w); break;
    }
    if (positions)
        *positions = pos;
    return g->oom ? -1 : 0;
}
