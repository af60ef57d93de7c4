/*
 * trace_writer.c — one large intact trace, streamed (`etwhf gen --etl`): the
 * benchmark input. Memory is one buffer; each buffer is written as soon as
 * it is full, so the output may be a pipe.
 *
 * Every data buffer holds exactly k HeapFree events (the last one the rest),
 * so the buffer count — BuffersWritten in the logfile record, written first —
 * is known before any event is drawn. Neighbours (stack walks, kernel events,
 * context switches with PMC counters, HeapAlloc, manifest events with
 * extended items, MESSAGE records) only use the room the HeapFree events leave.
 * The composition is a benchmark input etwhf chose, not a measured one: the
 * record shapes are graded in docs/spec/evidence.md, the mix of them is not.
 *
 * Speed: every record is a template written once through the record encoder
 * and then copied and patched (time, thread, pointers, Source); each HeapFree
 * takes one 64-bit draw, sliced into bit fields, and draws are taken from the
 * decision stream in bulk. put_free, put_stack_walk and put_other are forced
 * inline into the buffer loop (as calls they cost about 15 instructions a
 * record), and the loop keeps what they change in a struct run of locals
 * rather than in *t (see there); the buffer's padding is written again only
 * where the records reached (flush). bench/analysis.md has the figures.
 */
#include "internal.h"

#define FREE_SPAN_MAX 0x38u /* system64 HeapFree: Size 0x34, padded */
#define TPL_MAX 0xA0u
/* A stack walk (PERFINFO header, no PMC): u64 time, PID, TID, then 2–5 frames. */
#define STACK_AT ETWHF_PERFINFO_EXT_START
#define STACK_PAYLOAD(variant, w) (16u + (2u + (variant)) * (w))
#define STACK_COPY 0x50u /* bytes put_stack_walk copies: its longest template, rounded up */
_Static_assert(STACK_AT + STACK_PAYLOAD(3u, 8u) <= STACK_COPY, "stack walk template longer than STACK_COPY");
#define DRAWS 512u

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

/* HeapFree events per data buffer: 60 % of the room, the rest for neighbours. */
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

/* Where a neighbour template's per-use fields are. */
struct slots {
    uint16_t span;
    uint8_t ts_at, tid_at; /* 0: none */
    uint8_t ts32;          /* MESSAGE: the time slot is a u32 sequence number */
    uint8_t heap_at;       /* HeapAlloc: payload offset (handle, size, address follow) */
};

/* A neighbour template. */
struct tpl {
    uint8_t bytes[TPL_MAX];
    struct slots at;
};

enum { K_STACK = 0, K_KERNEL, K_CSWITCH, K_MANIFEST, K_ALLOC, K_MESSAGE, K_COUNT };
#define VARIANTS 4

struct tw {
    const struct etwhf_gen_trace_options *o;
    struct etwhf_dstream ds;
    uint64_t draws[DRAWS];
    unsigned next;
    uint8_t *buf;
    uint32_t size;  /* BufferSize */
    uint32_t used;  /* next record offset */
    uint32_t clean; /* buf[clean, size) still holds the previous buffer's 0xFF padding */
    uint16_t cpu;
    uint64_t clock[64];
    uint64_t heaps8[4], heaps4[4];
    uint32_t pid, tids[4];
    uint8_t free_tpl[2][FREE_SPAN_MAX]; /* [0] system32, [1] system64 */
    struct tpl nb[2][K_COUNT][VARIANTS];
    struct etwhf_gen_trace_stats st;
};

static inline uint64_t draw(struct tw *t)
{
    if (t->next == DRAWS) {
        etwhf_dstream_fill(&t->ds, t->draws, DRAWS);
        t->next = 0;
    }
    return t->draws[t->next++];
}

/* What the buffer loop changes or reads per record, kept in locals for the
 * buffer's duration and written back to *t at its end: every store into the
 * buffer goes through a uint8_t *, which may alias any field of *t for the
 * compiler, so fields of *t would be loaded again after each store (the
 * output pointer, the offset, the clock, the draw index, the options). */
struct run {
    uint8_t *buf;
    uint32_t used;       /* next record offset */
    uint32_t next;       /* next draw in t->draws */
    uint64_t clock;      /* the buffer's CPU clock */
    unsigned wide_below; /* a HeapFree is 64-bit when draw bits 4-6 are below this */
    unsigned nb_wide;    /* neighbours' width: 1 unless the trace is 32-bit */
    uint64_t neighbours; /* neighbours written */
};

static inline uint64_t run_draw(struct tw *t, struct run *w)
{
    if (w->next == DRAWS) {
        etwhf_dstream_fill(&t->ds, t->draws, DRAWS);
        w->next = 0;
    }
    return t->draws[w->next++];
}

static void make_free_template(struct tw *t, int wide)
{
    struct etwhf_gen_heap_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = ETWHF_HEAP_FREE;
    ev.version = ETWHF_HEAP_EVENT_VERSION;
    ev.pid = t->pid;
    etwhf_gen_encode_record(wide ? ETWHF_HDR_SYSTEM64 : ETWHF_HDR_SYSTEM32, &ev, NULL, t->free_tpl[wide],
                            FREE_SPAN_MAX);
}

static const uint8_t provider[16] = {0x3D, 0x6F, 0xA8, 0xD1, 0xFE, 0x05, 0x11, 0xD0,
                                     0x9D, 0xDA, 0x00, 0xC0, 0x4F, 0xD7, 0xBA, 0x7C};

static void make_neighbour(struct tw *t, int wide, int kind, unsigned variant)
{
    unsigned w = wide ? 8 : 4;
    struct tpl *p = &t->nb[wide][kind][variant];
    uint8_t payload[64];
    for (unsigned i = 0; i < sizeof payload; i++)
        payload[i] = (uint8_t)(0x5Bu * (i + 1) + 0x17u * variant + (unsigned)kind);
    struct gen_rec r;
    memset(&r, 0, sizeof r);
    r.pid = t->pid;
    r.version = 2;
    r.form = wide ? ETWHF_HDR_SYSTEM64 : ETWHF_HDR_SYSTEM32;
    r.payload = payload;
    p->at.ts_at = ETWHF_SYS_TIME;
    p->at.tid_at = ETWHF_SYS_TID;
    switch (kind) {
    case K_STACK: /* u64 time, PID, TID, 2–5 frames */
        r.form = wide ? ETWHF_HDR_PERFINFO64 : ETWHF_HDR_PERFINFO32;
        r.hook = ETWHF_HOOK_STACKWALK;
        put32(payload + 8, t->pid);
        for (unsigned i = 0; i < 2 + variant; i++)
            putptr(payload + 16 + i * w, (UINT64_C(0x7FF812340000) + 0x1000u * i + 0x40u * variant) & width_mask(w), w);
        r.payload_len = STACK_PAYLOAD(variant, w);
        p->at.ts_at = ETWHF_PERFINFO_TIME; /* put_stack_walk writes these slots without reading them */
        p->at.tid_at = 0;
        break;
    case K_KERNEL: /* thread and process events */
        r.hook = variant & 1u ? 0x0501 : 0x0301;
        r.payload_len = 8 + 12 * variant;
        break;
    case K_CSWITCH: /* context switch with PMC counters */
        r.form = wide ? ETWHF_HDR_PERFINFO64 : ETWHF_HDR_PERFINFO32;
        r.hook = 0x0524;
        r.pmc = 1 + variant % 3;
        r.payload_len = 24;
        p->at.ts_at = ETWHF_PERFINFO_TIME;
        p->at.tid_at = 0;
        break;
    case K_MANIFEST: /* with a related activity id and a process start key */
        r.form = wide ? ETWHF_HDR_EVENT64 : ETWHF_HDR_EVENT32;
        r.guid = provider;
        r.event_id = (uint16_t)(100 + variant);
        r.n_ext = 2;
        r.ext_type[0] = 0x0001;
        r.ext_data[0] = 16;
        r.ext_type[1] = 0x000B;
        r.ext_data[1] = 8;
        r.payload_len = 8 * variant;
        break;
    case K_ALLOC: {
        struct etwhf_gen_heap_event ev;
        memset(&ev, 0, sizeof ev);
        ev.type = ETWHF_HEAP_ALLOC;
        ev.version = ETWHF_HEAP_EVENT_VERSION;
        ev.pid = t->pid;
        ev.source = 2 + variant % 2;
        size_t len = etwhf_gen_encode_payload(&ev, w, payload, sizeof payload);
        etwhf__gen_rec_heap(&r, r.form, &ev, payload, len);
        p->at.heap_at = 0x20;
        break;
    }
    default: { /* MESSAGE: the documented common layout (evidence.md `message.common`; no public trace
                 * holds a MESSAGE record), one variant with a sequence number (`message.other_flags`) */
        static const uint8_t message_guid[16] = {0x9E, 0x81, 0x4A, 0xAF, 0x0F, 0x33, 0x37, 0x4F,
                                                 0xA6, 0x2D, 0x2B, 0xB4, 0x41, 0x7E, 0x83, 0x20};
        struct gen_msg_layout l;
        r.form = ETWHF_HDR_MESSAGE;
        r.event_id = (uint16_t)(7 + variant);
        r.msg_flags = variant == VARIANTS - 1 ? ETWHF_MSG_SEQUENCE | ETWHF_MSG_SYSTEM_INFO : GEN_MSG_COMMON_FLAGS;
        r.guid = message_guid;
        r.payload_len = 4 * variant;
        etwhf__gen_msg_layout(r.msg_flags, &l);
        p->at.ts_at = l.sequence; /* the sequence number slot, or none */
        p->at.ts32 = 1;
        p->at.tid_at = l.tid;
        break;
    }
    }
    size_t size = etwhf__gen_rec_write(&r, p->bytes);
    memset(p->bytes + size, 0, align8(size) - size);
    p->at.span = (uint16_t)align8(size);
}

/* One HeapFree from one draw: tid 2 bits, heap 2, width 3 (mixed), source 3,
 * time step 10, address 24; bits 44–47 decide the neighbours around it. */
static GEN_INLINE uint64_t put_free(struct tw *t, struct run *w)
{
    uint64_t r = run_draw(t, w);
    /* pointer size 8: always; 4: never; mixed: 5 draws in 8. */
    unsigned wide = ((r >> 4) & 7u) < w->wide_below;
    uint8_t *p = w->buf + w->used;
    memcpy(p, t->free_tpl[wide], FREE_SPAN_MAX);
    uint64_t ts = w->clock += 1 + ((r >> 10) & 0x3FFu);
    put32(p + ETWHF_SYS_TID, t->tids[r & 3u]);
    put64(p + ETWHF_SYS_TIME, ts);
    put32(p + 0x18, (uint32_t)(ts >> 16) & 0xFFFu); /* KernelTime, UserTime: thread CPU ticks */
    put32(p + 0x1C, (uint32_t)(ts >> 18) & 0xFFFu);
    unsigned heap = (unsigned)(r >> 2) & 3u;
    /* Sources: mostly LOWFRAG and MAINPATH. The mix is etwhf's choice: no public trace holds
     * heap events (evidence.md §1), so no observed distribution exists. */
    static const uint8_t sources[8] = {2, 2, 3, 3, 3, 1, 4, 5};
    uint32_t source = sources[(r >> 7) & 7u];
    if (wide) {
        uint64_t base = t->heaps8[heap];
        put64(p + 0x20, base);
        put64(p + 0x28, base + 0x800 + ((r >> 20) & 0xFFFFFFu) * 16u);
        put32(p + 0x30, source);
        w->used += 0x38;
    } else {
        uint32_t base = (uint32_t)t->heaps4[heap];
        put32(p + 0x20, base);
        put32(p + 0x24, base + 0x800 + (uint32_t)((r >> 20) & 0xFFFFFu) * 8u);
        put32(p + 0x28, source);
        w->used += 0x30;
    }
    return r;
}

/* A stack walk of at most `room` bytes, after a heap event. Its slots are
 * fixed — the header's time, the payload's time and TID (make_neighbour,
 * K_STACK) — so none is read from the template, and its longest template is
 * short. */
static GEN_INLINE void put_stack_walk(struct tw *t, struct run *w, uint32_t room)
{
    uint64_t r = run_draw(t, w);
    const struct tpl *p = &t->nb[w->nb_wide][K_STACK][(r >> 20) & (VARIANTS - 1)];
    const uint32_t span = p->at.span;
    if (span > room)
        return;
    uint8_t *q = w->buf + w->used;
    memcpy(q, p->bytes, STACK_COPY); /* the bytes past the span: as in put_other */
    uint64_t ts = w->clock += 1 + ((r >> 8) & 0xFFu);
    put64(q + ETWHF_PERFINFO_TIME, ts);
    put64(q + STACK_AT, ts - 1);
    put32(q + STACK_AT + 12, t->tids[r & 3u]);
    w->used += span;
    w->neighbours++;
}

/* A neighbour of at most `room` bytes other than a stack walk: a kernel
 * event, a context switch, a manifest event, a HeapAlloc or a MESSAGE. */
static GEN_INLINE void put_other(struct tw *t, struct run *w, uint32_t room)
{
    uint64_t r = run_draw(t, w);
    int kind = 1 + (int)((r >> 16) % (K_COUNT - 1));
    const struct tpl *p = &t->nb[w->nb_wide][kind][(r >> 20) & (VARIANTS - 1)];
    const struct slots at = p->at;
    if (at.span > room)
        return;
    uint8_t *q = w->buf + w->used;
    /* The whole template, not its span: a copy of constant size is a few
     * vector moves, where a call to memcpy (spans of 40-144 bytes) made
     * the slots above spill around it. The bytes past the span are
     * overwritten by the next record or the padding; the buffer has
     * TPL_MAX bytes of slack for a neighbour near its end. */
    memcpy(q, p->bytes, TPL_MAX);
    uint64_t ts = w->clock += 1 + ((r >> 8) & 0xFFu);
    uint32_t tid = t->tids[r & 3u];
    if (at.ts32) {
        if (at.ts_at)
            put32(q + at.ts_at, (uint32_t)ts);
    } else {
        put64(q + at.ts_at, ts);
    }
    if (at.tid_at)
        put32(q + at.tid_at, tid);
    if (at.heap_at) {
        unsigned pw = w->nb_wide ? 8 : 4;
        uint64_t base = w->nb_wide ? t->heaps8[r >> 62] : t->heaps4[r >> 62];
        putptr(q + at.heap_at, base, pw);
        putptr(q + at.heap_at + pw, 16 + ((r >> 24) & 0xFFFu), pw);
        putptr(q + at.heap_at + 2 * pw, base + 0x800 + ((r >> 32) & 0xFFFFFu) * 16u, pw);
    }
    w->used += at.span;
    w->neighbours++;
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
    etwhf__gen_bufhdr_write(&h, t->buf);
    /* The padding: bytes [used, size) are 0xFF. From `clean` on they still
     * are, except where this buffer's writes reached: every write ends
     * before used + TPL_MAX (a neighbour's template copy is the longest), so
     * only up to there are they written again — about the difference in
     * fill between two buffers, where a whole padding is several KiB. */
    uint32_t end = t->used + TPL_MAX > t->clean ? t->used + TPL_MAX : t->clean;
    if (end > t->size)
        end = t->size;
    memset(t->buf + t->used, 0xFF, end - t->used);
    t->clean = t->used;
    if (t->o->write(t->o->user, t->buf, t->size) != 0)
        return ETWHF_EIO;
    t->st.bytes += t->size;
    t->st.buffers++;
    return ETWHF_OK;
}

static void put_record(struct tw *t, const struct gen_rec *r)
{
    size_t size = etwhf__gen_rec_write(r, t->buf + t->used);
    memset(t->buf + t->used + size, 0, align8(size) - size);
    t->used += (uint32_t)align8(size);
    t->st.records++;
}

static int header_buffer(struct tw *t, uint64_t buffers)
{
    struct gen_logfile lf;
    unsigned layout = t->o->pointer_size == 4 ? 4 : 8;
    etwhf__gen_logfile_default(&lf, layout, t->size, (uint32_t)buffers, t->o->cpus ? t->o->cpus : 4);
    lf.timestamp = t->clock[0] - 1;
    /* At most 1024 ticks of 100 ns per record bound the span. */
    lf.end_time = lf.start_time + (t->o->events + 1) * 2048u;
    t->used = ETWHF_BUFFER_HEADER_SIZE;
    size_t size = etwhf__gen_logfile_write(&lf, t->buf + t->used);
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
    put_record(t, &r);
    t->cpu = 0;
    return flush(t, ETWHF_BF_FLUSH_MARKER | ETWHF_BF_PROC_INDEX, ETWHF_BT_HEADER, 0, 0);
}

static int data_buffer(struct tw *t, uint64_t frees, uint64_t seq)
{
    unsigned cpus = t->o->cpus ? t->o->cpus : 4;
    t->cpu = (uint16_t)(draw(t) % cpus);
    const unsigned ps = t->o->pointer_size;
    struct run w = {
        t->buf, ETWHF_BUFFER_HEADER_SIZE, t->next, t->clock[t->cpu], ps == 8 ? 8u : ps == 0 ? 5u : 0u, ps != 4, 0};
    const uint32_t size = t->size;
    uint32_t reserve = (uint32_t)frees * FREE_SPAN_MAX;
    if (t->o->pure) {
        for (uint64_t i = 0; i < frees; i++)
            put_free(t, &w);
    } else {
        uint64_t before = run_draw(t, &w);
        for (uint64_t i = 0; i < frees; i++) {
            if ((before & 3u) == 0)
                put_other(t, &w, size - w.used - reserve);
            reserve -= FREE_SPAN_MAX;
            uint64_t r = put_free(t, &w);
            if (((r >> 44) & 3u) == 0)
                put_stack_walk(t, &w, size - w.used - reserve);
            before = r >> 46;
        }
    }
    t->used = w.used;
    t->next = w.next;
    t->clock[t->cpu] = w.clock;
    t->st.records += frees + w.neighbours;
    t->st.heap_free += frees;
    return flush(t, ETWHF_BF_PROC_INDEX, ETWHF_BT_GENERIC, seq, t->clock[t->cpu] + 1);
}

int etwhf_gen_trace(const struct etwhf_gen_trace_options *o, struct etwhf_gen_trace_stats *stats)
{
    if (!o || !valid(o))
        return ETWHF_EINVAL;
    struct tw *t = etwhf__gen_alloc(o->allocator, sizeof *t);
    if (!t)
        return ETWHF_ENOMEM;
    memset(t, 0, sizeof *t);
    t->o = o;
    t->size = o->buffer_size ? o->buffer_size : 0x10000;
    t->clean = t->size; /* nothing padded yet */
    t->next = DRAWS;
    etwhf_dstream_init_seed(&t->ds, o->seed, 0);
    t->buf = etwhf__gen_alloc(o->allocator, (size_t)t->size + TPL_MAX);
    if (!t->buf) {
        etwhf__gen_free(o->allocator, t);
        return ETWHF_ENOMEM;
    }
    for (unsigned i = 0; i < 4; i++) {
        t->heaps8[i] = etwhf__gen_heap_base(&t->ds, 8, i);
        t->heaps4[i] = etwhf__gen_heap_base(&t->ds, 4, i);
        t->tids[i] = 4 * (0x100 + (uint32_t)etwhf_dstream_below(&t->ds, 0x3000));
    }
    t->pid = 4 * (0x100 + (uint32_t)etwhf_dstream_below(&t->ds, 0x3000));
    uint64_t start = 0x10000 + etwhf_dstream_below(&t->ds, UINT64_C(1) << 40);
    for (unsigned i = 0; i < 64; i++)
        t->clock[i] = start + i;
    for (int wide = 0; wide < 2; wide++) {
        make_free_template(t, wide);
        for (int k = 0; k < K_COUNT; k++)
            for (unsigned v = 0; v < VARIANTS; v++)
                make_neighbour(t, wide, k, v);
    }

    uint64_t buffers = etwhf_gen_trace_buffers(o), k = per_buffer(o), left = o->events;
    int rc = header_buffer(t, buffers);
    for (uint64_t seq = 1; rc == ETWHF_OK && seq < buffers; seq++) {
        if (o->should_stop && o->should_stop(o->user)) {
            rc = ETWHF_EABORTED;
            break;
        }
        uint64_t n = left < k ? left : k;
        rc = data_buffer(t, n, seq);
        left -= n;
    }
    if (stats)
        *stats = t->st;
    etwhf__gen_free(o->allocator, t->buf);
    etwhf__gen_free(o->allocator, t);
    return rc;
}
