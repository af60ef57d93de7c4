/* mutator.c — structure-aware mutations of traces and record sequences. */
#include "mutator.h"

#include <stdlib.h>
#include <string.h>

#include "etwhf/format.h"
#include "etwhf/layout.h"

#define MAX_BUFS 64
#define MAX_RECS 512
#define BH ETWHF_BUFFER_HEADER_SIZE

/* ---- random numbers (xorshift32; deterministic per seed) ------------------ */

static uint32_t rng_state = 1;

static void rng_seed(uint32_t seed)
{
    rng_state = seed ? seed : 0x6D2B79F5u;
}

static uint32_t rnd(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

/* uniform-ish in [0, n); 0 when n == 0 */
static size_t below(size_t n)
{
    return n ? (size_t)(((uint64_t)rnd() << 32 | rnd()) % n) : 0;
}

static int one_in(unsigned n)
{
    return below(n) == 0;
}

/* ---- a lenient view of the input ------------------------------------------ */

struct rec {
    size_t off, size; /* absolute offset; Size as written (≥ 8, inside the region) */
    int buf;          /* index into bufs, -1 for bare records */
    uint8_t type, flags;
};

struct buf {
    size_t off, stride; /* stride: bytes this buffer occupies here */
};

struct view {
    uint8_t *d;
    size_t n, cap;
    size_t base; /* where the trace or record sequence starts */
    int layout;
    struct buf bufs[MAX_BUFS];
    size_t nb;
    struct rec recs[MAX_RECS];
    size_t nr;
};

static uint32_t get16(const struct view *v, size_t off)
{
    return off <= v->n && 2 <= v->n - off ? (uint32_t)(v->d[off] | v->d[off + 1] << 8) : 0;
}

static uint32_t get32(const struct view *v, size_t off)
{
    return off <= v->n && 4 <= v->n - off ? get16(v, off) | get16(v, off + 2) << 16 : 0;
}

static void put8(struct view *v, size_t off, uint8_t x)
{
    if (off < v->n)
        v->d[off] = x;
}

static void put16(struct view *v, size_t off, uint32_t x)
{
    put8(v, off, (uint8_t)x);
    put8(v, off + 1, (uint8_t)(x >> 8));
}

static void put32(struct view *v, size_t off, uint32_t x)
{
    put16(v, off, x & 0xFFFFu);
    put16(v, off + 2, x >> 16);
}

/* Where a record's u16 Size lives and its fixed header length, from byte 2/3;
 * 0 when the marker names no form (the parse stops there). */
static int record_shape(uint8_t type, uint8_t flags, size_t *size_at, size_t *fixed)
{
    if (flags & ETWHF_TRACE_HEADER_EVENT) {
        int h = etwhf_header_from_type(type);
        const struct etwhf_header_info *hi = etwhf_header_info(h);
        if (!hi)
            return 0;
        *size_at = hi->size_at;
        *fixed = hi->fixed_size;
        return 1;
    }
    if (flags & ETWHF_TRACE_MESSAGE) {
        *size_at = 0;
        *fixed = 8;
        return 1;
    }
    return 0;
}

static void parse_records(struct view *v, size_t p, size_t end, int buf)
{
    while (p <= end && end - p >= 8 && v->nr < MAX_RECS) {
        if (get32(v, p) == ETWHF_FILLER_DWORD)
            return;
        size_t size_at, fixed;
        if (!record_shape(v->d[p + 2], v->d[p + 3], &size_at, &fixed))
            return;
        size_t size = get16(v, p + size_at);
        if (size < 8 || size > end - p)
            return;
        struct rec *r = &v->recs[v->nr++];
        r->off = p;
        r->size = size;
        r->buf = buf;
        r->type = v->d[p + 2];
        r->flags = v->d[p + 3];
        p += (size + 7) & ~(size_t)7;
    }
}

static void parse(struct view *v)
{
    v->nb = v->nr = 0;
    if (v->layout == FUZZ_LAYOUT_STREAM)
        v->base = v->n ? 1u + (v->d[0] & 15u) : 0;
    if (v->base > v->n)
        v->base = v->n;
    if (v->layout == FUZZ_LAYOUT_RECORD) {
        parse_records(v, v->base, v->n, -1);
        return;
    }
    size_t off = v->base;
    while (off < v->n && v->n - off >= BH && v->nb < MAX_BUFS) {
        size_t left = v->n - off;
        size_t b = get32(v, off);
        if (b < BH || b > left)
            b = v->nb ? v->bufs[0].stride : left;
        if (b < BH || b > left)
            b = left;
        size_t saved = get32(v, off + ETWHF_BH_SAVED_OFFSET);
        if (saved < BH || saved > b)
            saved = b;
        v->bufs[v->nb].off = off;
        v->bufs[v->nb].stride = b;
        parse_records(v, off + BH, off + saved, (int)v->nb);
        v->nb++;
        off += b;
    }
}

static void view_init(struct view *v, uint8_t *d, size_t n, size_t cap, int layout)
{
    v->d = d;
    v->n = n;
    v->cap = cap;
    v->layout = layout;
    v->base = 0;
    parse(v);
}

/* ---- byte-range edits --------------------------------------------------------- */

static int insert_bytes(struct view *v, size_t at, const uint8_t *src, size_t len)
{
    if (at > v->n || len > v->cap - v->n)
        return 0;
    uint8_t *tmp = malloc(len ? len : 1);
    if (!tmp)
        return 0;
    memcpy(tmp, src, len); /* src may lie inside d */
    memmove(v->d + at + len, v->d + at, v->n - at);
    memcpy(v->d + at, tmp, len);
    free(tmp);
    v->n += len;
    return 1;
}

static void remove_bytes(struct view *v, size_t at, size_t len)
{
    if (at >= v->n)
        return;
    if (len > v->n - at)
        len = v->n - at;
    memmove(v->d + at, v->d + at + len, v->n - at - len);
    v->n -= len;
}

/* ---- interesting values ---------------------------------------------------------- */

static uint32_t near(uint32_t x)
{
    static const int32_t delta[] = {-8, -4, -1, 1, 4, 8};
    return x + (uint32_t)delta[below(6)];
}

static uint32_t pick_buffer_size(const struct view *v, const struct buf *b)
{
    switch (below(8)) {
    case 0: return 0;
    case 1: return BH - 1;
    case 2: return BH;
    case 3: return near((uint32_t)b->stride);
    case 4: return 0xFFFFFFFFu;
    case 5: return (uint32_t)(v->n - b->off);
    case 6: return ETWHF_DEFAULT_BUFFER_LIMIT + 8;
    default: return (uint32_t)((BH + below(0x2000)) & ~7u);
    }
}

static uint32_t pick_saved_offset(const struct buf *b, uint32_t cur)
{
    switch (below(7)) {
    case 0: return BH - 1;
    case 1: return BH;
    case 2: return (uint32_t)b->stride;
    case 3: return (uint32_t)b->stride + 8;
    case 4: return near(cur);
    case 5: return 0xFFFFFFFFu;
    default: return (uint32_t)(BH + below(b->stride > BH ? b->stride - BH + 1 : 1));
    }
}

static uint32_t pick_source(void)
{
    static const uint32_t src[] = {0, 1, 2, 3, 4, 5, 6, 7, 0x80000000u, 0xFFFFFFFFu};
    return src[below(sizeof src / sizeof src[0])];
}

static uint8_t pick_header_type(uint8_t cur)
{
    static const uint8_t types[] = {0x01, 0x02, 0x03, 0x04, 0x10, 0x11, 0x0A, 0x14, 0x0B,
                                    0x15, 0x12, 0x13, 0x00, 0x0C, 0x0D, 0x0E, 0xFF};
    if (one_in(2)) {
        /* the same form at the other width */
        switch (cur) {
        case 0x01:
        case 0x03:
        case 0x10:
        case 0x12: return (uint8_t)(cur + 1);
        case 0x02:
        case 0x04:
        case 0x11:
        case 0x13: return (uint8_t)(cur - 1);
        case 0x0A: return 0x14;
        case 0x14: return 0x0A;
        case 0x0B: return 0x15;
        case 0x15: return 0x0B;
        default: break;
        }
    }
    return types[below(sizeof types)];
}

/* ---- field mutations ------------------------------------------------------------ */

static struct buf *any_buf(struct view *v)
{
    return v->nb ? &v->bufs[below(v->nb)] : NULL;
}

static struct rec *any_rec(struct view *v)
{
    return v->nr ? &v->recs[below(v->nr)] : NULL;
}

static const struct etwhf_header_info *rec_form(const struct rec *r)
{
    if (!(r->flags & ETWHF_TRACE_HEADER_EVENT))
        return NULL;
    return etwhf_header_info(etwhf_header_from_type(r->type));
}

static int mut_buffer_header(struct view *v)
{
    struct buf *b = any_buf(v);
    if (!b)
        return 0;
    size_t o = b->off;
    switch (below(6)) {
    case 0: put32(v, o + ETWHF_BH_BUFFER_SIZE, pick_buffer_size(v, b)); break;
    case 1: put32(v, o + ETWHF_BH_SAVED_OFFSET, pick_saved_offset(b, get32(v, o + ETWHF_BH_SAVED_OFFSET))); break;
    case 2: {
        static const uint16_t bits[] = {ETWHF_BF_COMPRESSED, ETWHF_BF_EVENTS_LOST, ETWHF_BF_BUFFER_LOST,
                                        ETWHF_BF_PROC_INDEX, ETWHF_BF_FLUSH_MARKER};
        put16(v, o + ETWHF_BH_FLAGS, get16(v, o + ETWHF_BH_FLAGS) ^ bits[below(5)]);
        break;
    }
    case 3: put16(v, o + ETWHF_BH_TYPE, (uint32_t)below(9)); break;
    case 4: put16(v, o + ETWHF_BH_STATE, one_in(2) ? ETWHF_COMPRESSION_XPRESS : (uint32_t)below(6)); break;
    default: put16(v, o + ETWHF_BH_PROCESSOR, (uint32_t)below(4)); break;
    }
    return 1;
}

/* The logfile record's payload starts 0x20 after 0x48 in buffer 0. */
static int mut_logfile(struct view *v)
{
    if (v->layout == FUZZ_LAYOUT_RECORD || !v->nb)
        return 0;
    size_t lf = v->bufs[0].off + BH + 0x20;
    switch (below(6)) {
    case 0: put32(v, lf + ETWHF_LF_BUFFER_SIZE, pick_buffer_size(v, &v->bufs[0])); break;
    case 1:
        put32(v, lf + ETWHF_LF_LOG_FILE_MODE, get32(v, lf + ETWHF_LF_LOG_FILE_MODE) ^ ETWHF_LOGFILE_MODE_COMPRESSED);
        break;
    case 2: put32(v, lf + ETWHF_LF_BUFFERS_WRITTEN, (uint32_t)(v->nb + below(3)) - 1); break;
    case 3: put32(v, lf + ETWHF_LF_POINTER_SIZE, one_in(3) ? (uint32_t)below(16) : (one_in(2) ? 4 : 8)); break;
    case 4: put32(v, lf + ETWHF_LF_EVENTS_LOST, one_in(2) ? 0 : (uint32_t)below(100)); break;
    default: put8(v, v->bufs[0].off + BH + 2, one_in(2) ? 1 : 2); break;
    }
    return 1;
}

static int mut_record_size(struct view *v)
{
    struct rec *r = any_rec(v);
    if (!r)
        return 0;
    size_t size_at, fixed;
    if (!record_shape(r->type, r->flags, &size_at, &fixed))
        return 0;
    static const uint32_t fixed_vals[] = {0, 7, 8, 0xFFFF};
    uint32_t sz;
    switch (below(5)) {
    case 0: sz = fixed_vals[below(4)]; break;
    case 1: sz = (uint32_t)fixed - (uint32_t)below(2); break;
    case 2: sz = near((uint32_t)r->size); break;
    case 3: sz = (uint32_t)(r->size + 4); break; /* one more payload field's worth */
    default: sz = (uint32_t)(r->size > 4 ? r->size - 4 : 0); break;
    }
    put16(v, r->off + size_at, sz);
    return 1;
}

static int mut_marker(struct view *v)
{
    struct rec *r = any_rec(v);
    if (!r)
        return 0;
    if (one_in(3)) {
        static const uint8_t flags[] = {0xC0, 0x80, 0x90, 0xD0, 0x40, 0x00, 0x10};
        put8(v, r->off + 3, flags[below(sizeof flags)]);
    } else {
        put8(v, r->off + 2, pick_header_type(r->type));
    }
    return 1;
}

static int mut_identity(struct view *v)
{
    struct rec *r = any_rec(v);
    const struct etwhf_header_info *hi = r ? rec_form(r) : NULL;
    if (!hi)
        return 0;
    static const uint8_t heap_types[] = {
        ETWHF_HEAP_FREE, ETWHF_HEAP_ALLOC, ETWHF_HEAP_REALLOC, ETWHF_HEAP_CREATE, ETWHF_HEAP_DESTROY, 0x26, 0x3A};
    uint8_t t = one_in(4) ? (uint8_t)rnd() : heap_types[below(sizeof heap_types)];
    switch (hi->family) {
    case ETWHF_FAM_SYSTEM:
    case ETWHF_FAM_COMPACT:
    case ETWHF_FAM_PERFINFO:
        put8(v, r->off + ETWHF_SYS_HOOK_ID, t);
        put8(v, r->off + ETWHF_SYS_HOOK_ID + 1, one_in(5) ? (uint8_t)below(0x20) : ETWHF_HEAP_GROUP);
        return 1;
    default: {
        size_t guid = hi->family == ETWHF_FAM_EVENT ? ETWHF_EVT_PROVIDER : ETWHF_FULL_GUID;
        size_t type_at = hi->family == ETWHF_FAM_EVENT ? ETWHF_EVT_DESC_OPCODE : ETWHF_FULL_CLASS_TYPE;
        if (r->size < guid + 16)
            return 0;
        if (one_in(2)) {
            memcpy(v->d + r->off + guid, etwhf_heap_guid, 16);
            if (one_in(3))
                v->d[r->off + guid + below(16)] ^= (uint8_t)(1u << below(8)); /* heap GUID out */
        } else {
            put8(v, r->off + type_at, t);
        }
        return 1;
    }
    }
}

static int mut_source(struct view *v)
{
    struct rec *r = any_rec(v);
    if (!r || r->size < 12)
        return 0;
    /* With a payload of exactly the minimum length, Source is its last u32. */
    put32(v, r->off + r->size - 4, pick_source());
    return 1;
}

static int mut_extensions(struct view *v)
{
    struct rec *r = any_rec(v);
    const struct etwhf_header_info *hi = r ? rec_form(r) : NULL;
    if (!hi)
        return 0;
    size_t o = r->off;
    if (hi->family == ETWHF_FAM_PERFINFO) {
        /* bits 8–10: PMC count; bit 15: PEBS */
        uint32_t ver = get16(v, o);
        ver = one_in(2) ? (ver & ~0x0700u) | (uint32_t)below(8) << 8 : ver ^ 0x8000u;
        put16(v, o, ver);
        return 1;
    }
    if (hi->family != ETWHF_FAM_EVENT)
        return 0;
    size_t q = o + ETWHF_EVT_EXT_START;
    switch (below(4)) {
    case 0: put16(v, o + ETWHF_EVT_FLAGS, get16(v, o + ETWHF_EVT_FLAGS) ^ ETWHF_EVT_FLAG_EXTENDED_INFO); break;
    case 1: {
        static const uint32_t sizes[] = {0, 7, 8, 16, 24, 0xFFFF};
        put16(v, q, sizes[below(6)]);
        break;
    }
    case 2: put16(v, q + 4, get16(v, q + 4) ^ 1u); break; /* Linkage */
    default: put16(v, q + 6, (uint32_t)below(32)); break; /* DataSize */
    }
    return 1;
}

/* ---- structure: records and buffers moved ---------------------------------------- */

static size_t align8(size_t x)
{
    return (x + 7) & ~(size_t)7;
}

/* The end of a buffer's record region and its free tail, from SavedOffset. */
static size_t buf_saved(const struct view *v, const struct buf *b)
{
    size_t saved = get32(v, b->off + ETWHF_BH_SAVED_OFFSET);
    return saved < BH || saved > b->stride ? b->stride : saved;
}

/* Puts len bytes at `at` inside buffer b by taking them from its filler, so
 * the file keeps its layout; SavedOffset grows. */
static int buf_insert(struct view *v, struct buf *b, size_t at, const uint8_t *src, size_t len)
{
    size_t saved = buf_saved(v, b);
    size_t end = b->off + saved;
    if (len > b->stride - saved || at < b->off + BH || at > end)
        return 0;
    memmove(v->d + at + len, v->d + at, end - at);
    memmove(v->d + at, src, len);
    put32(v, b->off + ETWHF_BH_SAVED_OFFSET, (uint32_t)(saved + len));
    return 1;
}

static int mut_record_dup_or_drop(struct view *v)
{
    struct rec *r = any_rec(v);
    if (!r)
        return 0;
    size_t len = align8(r->size);
    if (r->buf < 0) {
        if (one_in(2)) {
            remove_bytes(v, r->off, len);
            return 1;
        }
        return insert_bytes(v, r->off, v->d + r->off, len > v->n - r->off ? v->n - r->off : len);
    }
    struct buf *b = &v->bufs[r->buf];
    size_t saved = buf_saved(v, b), end = b->off + saved;
    if (one_in(2) || r->off + len > end) {
        /* drop: close the gap, refill the tail with filler */
        if (r->off + len > end)
            len = end - r->off;
        memmove(v->d + r->off, v->d + r->off + len, end - r->off - len);
        memset(v->d + end - len, 0xFF, len);
        put32(v, b->off + ETWHF_BH_SAVED_OFFSET, (uint32_t)(saved - len));
        return 1;
    }
    uint8_t tmp[0x10000 + 8];
    memcpy(tmp, v->d + r->off, len);
    return buf_insert(v, b, r->off + len, tmp, len);
}

static int mut_buffer_move(struct view *v)
{
    struct buf *b = any_buf(v);
    if (!b)
        return 0;
    switch (below(4)) {
    case 0: /* duplicate */ return insert_bytes(v, b->off + b->stride, v->d + b->off, b->stride);
    case 1: /* drop (never the only one) */
        if (v->nb < 2)
            return 0;
        remove_bytes(v, b->off, b->stride);
        return 1;
    case 2: { /* swap with the next one of the same stride */
        size_t i = (size_t)(b - v->bufs);
        if (i + 1 >= v->nb || v->bufs[i + 1].stride != b->stride || b->stride > 0x10000)
            return 0;
        static uint8_t tmp[0x10000];
        memcpy(tmp, v->d + b->off, b->stride);
        memcpy(v->d + b->off, v->d + v->bufs[i + 1].off, b->stride);
        memcpy(v->d + v->bufs[i + 1].off, tmp, b->stride);
        return 1;
    }
    default: /* truncate the trace inside this buffer */ v->n = b->off + 1 + below(b->stride); return 1;
    }
}

/* ---- raw changes ------------------------------------------------------------------ */

size_t fuzz_havoc(uint8_t *data, size_t size, size_t max_size)
{
    if (max_size == 0)
        return 0;
    if (size == 0) {
        data[0] = (uint8_t)rnd();
        return 1;
    }
    static const uint32_t interesting[] = {0, 1, 0x7F, 0x80, 0xFF, 0x48, 0xFFFF, 0x10000, 0x7FFFFFFF, 0xFFFFFFFF};
    size_t at = below(size);
    switch (below(6)) {
    case 0: data[at] ^= (uint8_t)(1u << below(8)); break;
    case 1: data[at] = (uint8_t)rnd(); break;
    case 2: {
        uint32_t x = interesting[below(sizeof interesting / sizeof interesting[0])];
        for (size_t i = 0; i < 4 && at + i < size; i++)
            data[at + i] = (uint8_t)(x >> (8 * i));
        break;
    }
    case 3: { /* erase a block */
        size_t len = 1 + below(size - at < 64 ? size - at : 64);
        if (len >= size)
            break;
        memmove(data + at, data + at + len, size - at - len);
        size -= len;
        break;
    }
    case 4: { /* copy a block over another place */
        size_t from = below(size), len = 1 + below(32);
        if (len > size - from)
            len = size - from;
        if (len > size - at)
            len = size - at;
        memmove(data + at, data + from, len);
        break;
    }
    default: { /* insert a block of one byte value */
        size_t len = 1 + below(16);
        if (len > max_size - size)
            break;
        memmove(data + at + len, data + at, size - at);
        memset(data + at, (int)(rnd() & 0xFF), len);
        size += len;
        break;
    }
    }
    return size;
}

/* Raw change confined to one record's bytes (size kept). */
static int mut_raw_in_record(struct view *v, fuzz_raw_fn raw)
{
    struct rec *r = any_rec(v);
    if (!r)
        return 0;
    size_t len = r->size < v->n - r->off ? r->size : v->n - r->off;
    raw(v->d + r->off, len, len);
    return 1;
}

/* ---- entry points ----------------------------------------------------------------- */

static size_t finish(struct view *v, size_t max_size)
{
    if (v->n == 0 && max_size > 0) {
        v->d[0] = (uint8_t)rnd();
        v->n = 1;
    }
    return v->n;
}

/* fuzz_stream's byte 0 (mode bits, plan length k) and its k plan bytes */
static void mutate_plan(struct view *v)
{
    size_t k = v->base ? v->base - 1 : 0;
    switch (below(3)) {
    case 0: v->d[0] ^= one_in(2) ? 0x80 : 0x40; break;
    case 1: { /* a new plan length: plan bytes are added or taken out, the trace stays */
        size_t k2 = below(16);
        if (k2 > k) {
            uint8_t fresh[15];
            for (size_t i = 0; i < k2 - k; i++)
                fresh[i] = (uint8_t)rnd();
            if (!insert_bytes(v, 1 + k, fresh, k2 - k))
                return;
        } else {
            remove_bytes(v, 1 + k2, k - k2);
        }
        v->d[0] = (uint8_t)((v->d[0] & 0xF0) | k2);
        break;
    }
    default: {
        static const uint8_t sizes[] = {0, 1, 3, 7, 8, 0x47, 0x48, 0x49, 0xEF, 0xF0, 0xF8, 0xFF};
        if (k)
            v->d[1 + below(k)] = sizes[below(sizeof sizes)];
        break;
    }
    }
}

size_t fuzz_mutate(int layout, uint8_t *data, size_t size, size_t max_size, uint32_t seed, fuzz_raw_fn raw)
{
    static struct view v; /* large: kept out of the stack */
    rng_seed(seed);
    if (!raw)
        raw = fuzz_havoc;
    if (size > max_size)
        size = max_size;
    view_init(&v, data, size, max_size, layout);
    unsigned rounds = 1 + (unsigned)below(3);
    for (unsigned i = 0; i < rounds; i++) {
        int done = 0;
        unsigned pick = (unsigned)below(100);
        if (pick < 20) {
            v.n = raw(v.d, v.n, v.cap);
            done = 1;
        } else if (pick < 28) {
            done = mut_raw_in_record(&v, raw);
        } else if (pick < 33 && layout == FUZZ_LAYOUT_STREAM && v.n && v.base <= v.n) {
            mutate_plan(&v);
            done = 1;
        } else if (pick < 43) {
            done = mut_buffer_header(&v);
        } else if (pick < 48) {
            done = mut_logfile(&v);
        } else if (pick < 58) {
            done = mut_record_size(&v);
        } else if (pick < 65) {
            done = mut_marker(&v);
        } else if (pick < 74) {
            done = mut_identity(&v);
        } else if (pick < 80) {
            done = mut_source(&v);
        } else if (pick < 86) {
            done = mut_extensions(&v);
        } else if (pick < 93) {
            done = mut_record_dup_or_drop(&v);
        } else {
            done = mut_buffer_move(&v);
        }
        if (!done)
            v.n = raw(v.d, v.n, v.cap);
        if (v.n > v.cap)
            v.n = v.cap;
        parse(&v);
    }
    return finish(&v, max_size);
}

/* ---- crossover ------------------------------------------------------------------- */

static size_t splice_at_boundaries(struct view *va, const struct view *vb)
{
    /* a's head up to one of its buffers (or records), then b's tail from one of its own */
    size_t cut_a = va->n, from_b = vb->base;
    if (va->layout == FUZZ_LAYOUT_RECORD) {
        if (va->nr)
            cut_a = va->recs[below(va->nr)].off;
        if (vb->nr)
            from_b = vb->recs[below(vb->nr)].off;
    } else {
        if (va->nb)
            cut_a = va->bufs[below(va->nb)].off;
        if (vb->nb > 1)
            from_b = vb->bufs[1 + below(vb->nb - 1)].off;
    }
    va->n = cut_a;
    size_t len = vb->n - from_b;
    if (len > va->cap - va->n)
        len = va->cap - va->n;
    memcpy(va->d + va->n, vb->d + from_b, len);
    va->n += len;
    return va->n;
}

static int insert_record_from(struct view *va, const struct view *vb)
{
    if (!vb->nr)
        return 0;
    const struct rec *r = &vb->recs[below(vb->nr)];
    size_t len = align8(r->size);
    if (len > vb->n - r->off)
        len = vb->n - r->off;
    if (va->layout == FUZZ_LAYOUT_RECORD || !va->nb) {
        size_t at = va->nr ? va->recs[below(va->nr)].off : va->base;
        return insert_bytes(va, at, vb->d + r->off, len);
    }
    struct buf *b = &va->bufs[below(va->nb)];
    size_t at = b->off + BH;
    for (size_t i = 0; i < va->nr; i++)
        if (va->recs[i].buf == (int)(b - va->bufs) && one_in(2))
            at = va->recs[i].off;
    return buf_insert(va, b, at, vb->d + r->off, len);
}

static int replace_buffer_from(struct view *va, const struct view *vb)
{
    if (!va->nb || !vb->nb)
        return 0;
    struct buf *a = &va->bufs[below(va->nb)];
    const struct buf *b = &vb->bufs[below(vb->nb)];
    if (b->stride > a->stride && b->stride - a->stride > va->cap - va->n)
        return 0;
    remove_bytes(va, a->off, a->stride);
    return insert_bytes(va, a->off, vb->d + b->off, b->stride);
}

size_t fuzz_crossover(int layout, const uint8_t *a, size_t na, const uint8_t *b, size_t nb, uint8_t *out,
                      size_t max_out, uint32_t seed)
{
    static struct view va, vb;
    rng_seed(seed);
    if (max_out == 0)
        return 0;
    size_t n = na < max_out ? na : max_out;
    memcpy(out, a, n);
    view_init(&va, out, n, max_out, layout);
    view_init(&vb, (uint8_t *)(uintptr_t)b, nb, nb, layout); /* read only: nothing writes through vb */
    int done = 0;
    switch (below(3)) {
    case 0: done = insert_record_from(&va, &vb); break;
    case 1: done = replace_buffer_from(&va, &vb); break;
    default: break;
    }
    if (!done)
        splice_at_boundaries(&va, &vb);
    return finish(&va, max_out);
}

int fuzz_layout_from_name(const char *name)
{
    if (!name)
        return -1;
    if (!strcmp(name, "file"))
        return FUZZ_LAYOUT_FILE;
    if (!strcmp(name, "record"))
        return FUZZ_LAYOUT_RECORD;
    if (!strcmp(name, "stream"))
        return FUZZ_LAYOUT_STREAM;
    return -1;
}
