/*
 * trace_writer.c — one large intact trace, streamed (`etwhf gen --etl`): the
 * benchmark input. Memory is one buffer; each buffer is written as soon as
 * it is full, so the output may be a pipe.
 *
 * Every data buffer holds exactly k HeapFree events (the last one the rest),
 * so the buffer count — BuffersWritten in the logfile record, written first —
 * is known before any event is drawn. Neighbours (stack walks, kernel events,
 * context switches with counters, HeapAlloc, manifest events with extended
 * items, MESSAGE records) only use the room the HeapFree events leave.
 *
 * Speed: records are patched templates; each HeapFree costs one 64-bit draw
 * from the decision stream (bulk draws, sliced into bit fields).
 */
#include "internal.h"

#define FREE_SPAN_MAX 0x38u /* system64 HeapFree: Size 0x34, padded */

void etwhf_gen_trace_options_init(struct etwhf_gen_trace_options *o)
{
    memset(o, 0, sizeof *o);
    o->pointer_size = 8;
    o->buffer_size = 0x10000;
    o->cpus = 4;
}

static int valid(const struct etwhf_gen_trace_options *o)
{
    uint32_t b = o->buffer_size ? o->buffer_size : 0x10000;
    unsigned cpus = o->cpus ? o->cpus : 4;
    return o->write && (o->pointer_size == 0 || o->pointer_size == 4 || o->pointer_size == 8) && b % 8 == 0 &&
           b >= 0x1000 && b <= 0x1000000 && cpus <= 64;
}

/* HeapFree events per data buffer. */
static uint64_t per_buffer(const struct etwhf_gen_trace_options *o)
{
    uint32_t b = o->buffer_size ? o->buffer_size : 0x10000;
    uint64_t room = b - ETWHF_BUFFER_HEADER_SIZE;
    return (o->pure ? room : room * 6 / 10) / FREE_SPAN_MAX;
}

uint64_t etwhf_gen_trace_buffers(const struct etwhf_gen_trace_options *o)
{
    if (!o || !valid(o))
        return 0;
    uint64_t k = per_buffer(o);
    return 1 + (o->events + k - 1) / k;
}

struct tw {
    const struct etwhf_gen_trace_options *o;
    struct etwhf_dstream ds;
    uint8_t *buf;
    uint32_t size;         /* BufferSize */
    uint32_t used;         /* next record offset */
    uint16_t cpu;
    uint64_t clock[64];
    uint64_t heaps8[4], heaps4[4];
    uint32_t pid, tids[4];
    uint8_t tpl[2][FREE_SPAN_MAX]; /* HeapFree templates: [0] system32, [1] system64 */
    struct etwhf_gen_trace_stats st;
};

static void make_template(struct tw *t, int wide)
{
    struct etwhf_gen_heap_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = ETWHF_HEAP_FREE;
    ev.version = ETWHF_HEAP_EVENT_VERSION;
    ev.pid = t->pid;
    etwhf_gen_encode_record(wide ? ETWHF_HDR_SYSTEM64 : ETWHF_HDR_SYSTEM32, &ev, NULL, t->tpl[wide], FREE_SPAN_MAX);
}

/* One HeapFree from one draw: tid 2 bits, heap 2, width 3 (mixed), source 3,
 * time step 10, address 24 bits. */
static void put_free(struct tw *t, unsigned mixed_wide)
{
    uint64_t r = etwhf_dstream_u64(&t->ds);
    unsigned wide = t->o->pointer_size == 8 || (t->o->pointer_size == 0 && ((r >> 4) & 7u) < mixed_wide);
    uint8_t *p = t->buf + t->used;
    memcpy(p, t->tpl[wide], wide ? 0x38 : 0x30);
    uint64_t ts = t->clock[t->cpu] += 1 + ((r >> 10) & 0x3FFu);
    put32(p + ETWHF_SYS_TID, t->tids[r & 3u]);
    put64(p + ETWHF_SYS_TIME, ts);
    put32(p + 0x18, (uint32_t)(ts >> 12) & 0xFFFFu);
    put32(p + 0x1C, (uint32_t)(ts >> 14) & 0xFFFFu);
    unsigned heap = (unsigned)(r >> 2) & 3u;
    /* Sources: mostly LOWFRAG and MAINPATH, as real processes show. */
    static const uint8_t sources[8] = {2, 2, 3, 3, 3, 1, 4, 5};
    uint32_t source = sources[(r >> 7) & 7u];
    uint64_t off = 0x800 + (wide ? ((r >> 20) & 0xFFFFFFu) * 16u : ((r >> 20) & 0xFFFFFu) * 8u);
    if (wide) {
        put64(p + 0x20, t->heaps8[heap]);
        put64(p + 0x28, t->heaps8[heap] + off);
        put32(p + 0x30, source);
        t->used += 0x38;
    } else {
        put32(p + 0x20, (uint32_t)t->heaps4[heap]);
        put32(p + 0x24, (uint32_t)(t->heaps4[heap] + off));
        put32(p + 0x28, source);
        t->used += 0x30;
    }
    t->st.records++;
    t->st.heap_free++;
}

static void put_rec(struct tw *t, const struct gen_rec *r)
{
    size_t size = gen_rec_write(r, t->buf + t->used);
    memset(t->buf + t->used + size, 0, align8(size) - size);
    t->used += (uint32_t)align8(size);
    t->st.records++;
}

static const uint8_t provider[16] = {0x3D, 0x6F, 0xA8, 0xD1, 0xFE, 0x05, 0x11, 0xD0,
                                     0x9D, 0xDA, 0x00, 0xC0, 0x4F, 0xD7, 0xBA, 0x7C};

/* A neighbour of at most `room` bytes; 0 when none fits. */
static uint32_t put_neighbour(struct tw *t, uint32_t room, unsigned width, int after_heap)
{
    uint64_t r = etwhf_dstream_u64(&t->ds);
    uint8_t payload[64];
    for (unsigned i = 0; i < 8; i++)
        put64(payload + 8 * i, r * (i + 1) * UINT64_C(0x9E3779B97F4A7C15));
    struct gen_rec rec;
    memset(&rec, 0, sizeof rec);
    rec.pid = t->pid;
    rec.tid = t->tids[r & 3u];
    rec.version = 2;
    rec.timestamp = t->clock[t->cpu] += 1 + ((r >> 8) & 0xFFu);
    unsigned kind = after_heap ? 0 : 1 + (unsigned)((r >> 16) % 5u);
    switch (kind) {
    case 0: { /* stack walk: u64 time, PID, TID, frames */
        unsigned frames = 2 + (unsigned)((r >> 20) & 3u);
        put64(payload, rec.timestamp - 1);
        put32(payload + 8, t->pid);
        put32(payload + 12, rec.tid);
        for (unsigned i = 0; i < frames; i++)
            putptr(payload + 16 + i * width, (UINT64_C(0x7FF812340000) + (r >> (i * 4) & 0xFFFFu)) & width_mask(width),
                   width);
        rec.form = width == 8 ? ETWHF_HDR_PERFINFO64 : ETWHF_HDR_PERFINFO32;
        rec.hook = ETWHF_HOOK_STACKWALK;
        rec.payload_len = 16 + frames * width;
        break;
    }
    case 1: /* kernel thread / process events */
        rec.form = width == 8 ? ETWHF_HDR_SYSTEM64 : ETWHF_HDR_SYSTEM32;
        rec.hook = (r >> 24) & 1u ? 0x0501 : 0x0301;
        rec.payload_len = 8 + 4 * ((r >> 25) & 7u);
        break;
    case 2: /* context switch with two PMC counters */
        rec.form = width == 8 ? ETWHF_HDR_PERFINFO64 : ETWHF_HDR_PERFINFO32;
        rec.hook = 0x0524;
        rec.pmc = 2;
        rec.payload_len = 24;
        break;
    case 3: /* manifest event with extended items */
        rec.form = width == 8 ? ETWHF_HDR_EVENT64 : ETWHF_HDR_EVENT32;
        rec.guid = provider;
        rec.event_id = (uint16_t)(r >> 32);
        rec.n_ext = 2;
        rec.ext_type[0] = 0x0001;
        rec.ext_data[0] = 16;
        rec.ext_type[1] = 0x000B;
        rec.ext_data[1] = 8;
        rec.payload_len = 4 * ((r >> 40) & 7u);
        break;
    case 4: { /* HeapAlloc */
        struct etwhf_gen_heap_event ev;
        memset(&ev, 0, sizeof ev);
        ev.type = ETWHF_HEAP_ALLOC;
        ev.version = ETWHF_HEAP_EVENT_VERSION;
        ev.pid = t->pid;
        ev.tid = rec.tid;
        ev.timestamp = rec.timestamp;
        uint64_t base = width == 8 ? t->heaps8[r >> 62] : t->heaps4[r >> 62];
        ev.heap_handle = base;
        ev.size = 16 + ((r >> 20) & 0xFFFu);
        ev.address = base + 0x800 + ((r >> 32) & 0xFFFFFu) * 16u;
        ev.source = 3;
        size_t len = etwhf_gen_encode_payload(&ev, width, payload, sizeof payload);
        gen_rec_heap(&rec, width == 8 ? ETWHF_HDR_SYSTEM64 : ETWHF_HDR_SYSTEM32, &ev, payload, len);
        rec.payload_len = len;
        break;
    }
    default: /* MESSAGE */
        rec.form = ETWHF_HDR_MESSAGE;
        rec.event_id = (uint16_t)(r >> 48);
        rec.payload_len = 4 * ((r >> 44) & 3u);
        break;
    }
    rec.payload = payload;
    uint32_t span = (uint32_t)align8(gen_rec_size(&rec));
    if (span == 0 || span > room)
        return 0;
    put_rec(t, &rec);
    return span;
}

static int flush(struct tw *t, uint16_t flags, uint16_t type, uint64_t seq, uint64_t timestamp)
{
    struct gen_bufhdr h;
    memset(&h, 0, sizeof h);
    h.buffer_size = t->size;
    h.saved_offset = h.offset = h.current_offset = t->used;
    h.timestamp = timestamp;
    h.sequence = seq;
    h.cpu = t->cpu;
    h.logger_id = 0x1C;
    h.state = ETWHF_BUFFER_STATE_FLUSH;
    h.flags = flags;
    h.type = type;
    gen_bufhdr_write(&h, t->buf);
    memset(t->buf + t->used, 0xFF, t->size - t->used);
    if (t->o->write(t->o->user, t->buf, t->size) != 0)
        return ETWHF_EIO;
    t->st.bytes += t->size;
    t->st.buffers++;
    return ETWHF_OK;
}

static int header_buffer(struct tw *t, uint64_t buffers)
{
    struct gen_logfile lf;
    unsigned layout = t->o->pointer_size == 4 ? 4 : 8;
    gen_logfile_default(&lf, layout, t->size, (uint32_t)buffers, t->o->cpus ? t->o->cpus : 4);
    lf.timestamp = t->clock[0] - 1;
    /* Ticks of at most 1024 per event at 10 MHz bound the span. */
    lf.end_time = lf.start_time + (t->o->events + 1) * 1024u;
    t->used = ETWHF_BUFFER_HEADER_SIZE;
    size_t size = gen_logfile_write(&lf, t->buf + t->used);
    memset(t->buf + t->used + size, 0, align8(size) - size);
    t->used += (uint32_t)align8(size);
    t->st.records++;
    /* HEADER_EXTENSION: group masks and the kernel event version. */
    struct gen_rec r;
    uint8_t masks[36];
    memset(masks, 0, sizeof masks);
    put32(masks, 0x40000020u); /* PERF_HEAP */
    put32(masks + 32, 0x2A);
    memset(&r, 0, sizeof r);
    r.form = layout == 8 ? ETWHF_HDR_SYSTEM64 : ETWHF_HDR_SYSTEM32;
    r.version = 2;
    r.hook = 0x0005;
    r.pid = lf.pid;
    r.tid = lf.tid;
    r.timestamp = lf.timestamp;
    r.payload = masks;
    r.payload_len = sizeof masks;
    put_rec(t, &r);
    t->cpu = 0;
    return flush(t, ETWHF_BF_FLUSH_MARKER | ETWHF_BF_PROC_INDEX, ETWHF_BT_HEADER, 0, 0);
}

static int data_buffer(struct tw *t, uint64_t frees, uint64_t seq)
{
    unsigned cpus = t->o->cpus ? t->o->cpus : 4;
    t->cpu = (uint16_t)etwhf_dstream_below(&t->ds, cpus);
    t->used = ETWHF_BUFFER_HEADER_SIZE;
    /* mixed: 3 in 8 HeapFree events are 32-bit */
    unsigned mixed_wide = 5;
    unsigned nwidth = t->o->pointer_size ? t->o->pointer_size : 8;
    for (uint64_t i = 0; i < frees; i++) {
        if (!t->o->pure) {
            uint32_t reserve = (uint32_t)(frees - i) * FREE_SPAN_MAX;
            while (etwhf_dstream_below(&t->ds, 4) == 0) {
                uint32_t room = t->size - t->used - reserve;
                if (!put_neighbour(t, room, nwidth, 0))
                    break;
            }
        }
        put_free(t, mixed_wide);
        if (!t->o->pure && etwhf_dstream_below(&t->ds, 4) == 0) {
            uint32_t room = t->size - t->used - (uint32_t)(frees - i - 1) * FREE_SPAN_MAX;
            put_neighbour(t, room, nwidth, 1);
        }
    }
    return flush(t, ETWHF_BF_PROC_INDEX, ETWHF_BT_GENERIC, seq, t->clock[t->cpu] + 1);
}

int etwhf_gen_trace(const struct etwhf_gen_trace_options *o, struct etwhf_gen_trace_stats *stats)
{
    if (!o || !valid(o))
        return ETWHF_EINVAL;
    struct tw t;
    memset(&t, 0, sizeof t);
    t.o = o;
    t.size = o->buffer_size ? o->buffer_size : 0x10000;
    etwhf_dstream_init_seed(&t.ds, o->seed, 0);
    t.buf = gen_alloc(o->allocator, t.size);
    if (!t.buf)
        return ETWHF_ENOMEM;
    for (unsigned i = 0; i < 4; i++) {
        t.heaps8[i] = gen_heap_base(&t.ds, 8, i);
        t.heaps4[i] = gen_heap_base(&t.ds, 4, i);
        t.tids[i] = 4 * (0x100 + (uint32_t)etwhf_dstream_below(&t.ds, 0x3000));
    }
    t.pid = 4 * (0x100 + (uint32_t)etwhf_dstream_below(&t.ds, 0x3000));
    uint64_t start = 0x10000 + etwhf_dstream_below(&t.ds, UINT64_C(1) << 40);
    for (unsigned i = 0; i < 64; i++)
        t.clock[i] = start + i;
    make_template(&t, 0);
    make_template(&t, 1);

    uint64_t buffers = etwhf_gen_trace_buffers(o), k = per_buffer(o), left = o->events;
    int rc = header_buffer(&t, buffers);
    for (uint64_t seq = 1; rc == ETWHF_OK && seq < buffers; seq++) {
        if (o->should_stop && o->should_stop(o->user)) {
            rc = ETWHF_EABORTED;
            break;
        }
        uint64_t n = left < k ? left : k;
        rc = data_buffer(&t, n, seq);
        left -= n;
    }
    gen_free(o->allocator, t.buf);
    if (stats)
        *stats = t.st;
    return rc;
}
