/* Our own damage and its docs/spec/walk.md rules; see damage.h. */
#include "damage.h"
#include "etwhf/layout.h"

#include <string.h>

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
static void wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> 8 * i);
}

static const char *const kind_names[DK_KINDS] = {"random_bytes",    "zero_header", "buffer_size", "saved_offset_out",
                                                 "saved_offset_in", "record_size", "truncate"};

const char *dmg_kind_name(int kind)
{
    return kind >= 0 && kind < DK_KINDS ? kind_names[kind] : "?";
}

int layout_read(struct layout *l, const uint8_t *p, size_t len, int compressed)
{
    memset(l, 0, sizeof *l);
    l->compressed = compressed;
    const uint64_t hdr = ETWHF_BUFFER_HEADER_SIZE;
    if (len < hdr + 0x20 + 4 || (p[hdr + 2] != 1 && p[hdr + 2] != 2))
        return -1;
    l->lf_end = hdr + rd16(p + hdr + 4);
    uint64_t off = 0;
    if (!compressed) {
        l->stride = rd32(p + hdr + 0x20 + ETWHF_LF_BUFFER_SIZE);
        if (l->stride < hdr || l->stride % 8 || l->stride > ETWHF_DEFAULT_BUFFER_LIMIT)
            return -1;
    }
    while (off < len) {
        if (l->n == DMG_MAX_BUFS)
            return -1;
        uint64_t step = l->stride;
        if (compressed) {
            if (len - off < hdr || (step = rd32(p + off)) < hdr)
                return -1;
        }
        l->off[l->n] = off;
        l->size[l->n] = step < len - off ? step : len - off;
        l->saved[l->n] = len - off >= 8 ? rd32(p + off + 4) : 0;
        if (l->saved[l->n] == 0 && len - off >= hdr) { /* walk.md B6.0 */
            uint32_t o = rd32(p + off + ETWHF_BH_OFFSET);
            if (o >= hdr && o <= rd32(p + off))
                l->saved[l->n] = o;
        }
        l->n++;
        off += step;
    }
    const uint8_t *lf = p + hdr + 0x20;
    l->circular = (rd32(lf + ETWHF_LF_LOG_FILE_MODE) & ETWHF_LOGFILE_MODE_CIRCULAR) != 0;
    l->buffers_written = rd32(lf + ETWHF_LF_BUFFERS_WRITTEN);
    return l->n ? 0 : -1;
}

uint64_t dmg_positions(const struct layout *l, uint64_t lo, uint64_t hi)
{
    uint64_t m = 0;
    for (size_t i = 0; i < l->n; i++)
        if (lo < l->off[i] + l->size[i] && hi > l->off[i])
            m |= UINT64_C(1) << i;
    return m;
}

static uint64_t pick(struct etwhf_dstream *ds, uint64_t n)
{
    return etwhf_dstream_below(ds, n);
}

static void random_bytes(struct damage *d, struct etwhf_dstream *ds, const struct layout *l, uint8_t *bytes)
{
    uint64_t off = l->off[d->buffer], size = l->size[d->buffer];
    d->kind = DK_RANDOM_BYTES;
    d->rule.expect = BX_UNKNOWN;
    if (pick(ds, 2)) { /* a burst */
        uint64_t at = off + pick(ds, size), n = 1 + pick(ds, 32);
        if (at + n > off + size)
            n = off + size - at;
        for (uint64_t i = 0; i < n; i++)
            bytes[at + i] = (uint8_t)etwhf_dstream_u64(ds);
        d->lo = at;
        d->hi = at + n;
        return;
    }
    d->lo = UINT64_MAX;
    d->hi = 0;
    for (uint64_t k = 1 + pick(ds, 8); k-- > 0;) { /* a scatter */
        uint64_t at = off + pick(ds, size);
        bytes[at] = (uint8_t)etwhf_dstream_u64(ds);
        d->lo = at < d->lo ? at : d->lo;
        d->hi = at + 1 > d->hi ? at + 1 : d->hi;
    }
}

static void set_rule(struct damage *d, int expect, uint64_t limit, int code)
{
    d->rule.expect = expect;
    d->rule.limit = limit;
    d->rule.errors = code ? 1u << code : 0;
    d->rule.errors_known = 1;
}

static void put_u32(struct damage *d, uint8_t *bytes, uint64_t at, uint32_t v)
{
    wr32(bytes + at, v);
    d->lo = at;
    d->hi = at + 4;
    d->value = v;
}

/* BufferSize ≠ S: B3 skips the buffer (BUFFER_SIZE). */
static void buffer_size(struct damage *d, struct etwhf_dstream *ds, const struct layout *l, uint8_t *bytes)
{
    uint32_t S = (uint32_t)l->size[d->buffer], v;
    do {
        const uint32_t c[] = {0, 0x47, 0x48, S - 8, S + 8, 2 * S, 0xFFFFFFFFu, (uint32_t)etwhf_dstream_u64(ds)};
        v = c[pick(ds, 8)];
    } while (v == S);
    put_u32(d, bytes, l->off[d->buffer] + ETWHF_BH_BUFFER_SIZE, v);
    set_rule(d, BX_NONE, 0, ETWHF_DIAG_BUFFER_SIZE);
}

/* SavedOffset < 0x48 or > B: B6 skips the buffer (SAVED_OFFSET). SavedOffset
 * 0 takes the Offset field with it: B6.0 would find the data end there. */
static void saved_offset_out(struct damage *d, struct etwhf_dstream *ds, const struct layout *l, uint8_t *bytes)
{
    uint32_t S = (uint32_t)l->size[d->buffer];
    const uint32_t c[] = {0, 0x47, S + 1, S + 8, S + 0x10000, 0xFFFFFFFFu, S + 1 + (uint32_t)pick(ds, 0x7FFFFFFF)};
    uint32_t v = c[pick(ds, 7)];
    if (v == 0)
        wr32(bytes + l->off[d->buffer] + ETWHF_BH_OFFSET, 0);
    put_u32(d, bytes, l->off[d->buffer] + ETWHF_BH_SAVED_OFFSET, v);
    set_rule(d, BX_NONE, 0, ETWHF_DIAG_SAVED_OFFSET);
}

static size_t events_of(const struct outcome *base, size_t buffer, size_t *first)
{
    return oc_buffer_events(base, buffer, first);
}

/* SavedOffset inside [0x48, B]: the walk covers [0x48, V). Past the written
 * end the filler ends it (R2) or R1 does: everything. At a heap record's
 * start (+0..7), R1 ends the walk right there: the records before it. Else a
 * record may straddle V (RECORD_SIZE): which errors depends on neighbours. */
static void saved_offset_in(struct damage *d, struct etwhf_dstream *ds, const struct layout *l,
                            const struct outcome *base, uint8_t *bytes)
{
    uint64_t off = l->off[d->buffer];
    size_t first, n = events_of(base, d->buffer, &first);
    uint32_t v, orig = l->saved[d->buffer];
    if (n && pick(ds, 2)) {
        uint64_t r = base->ev[first + pick(ds, n)].offset - off;
        v = (uint32_t)(r + pick(ds, 8));
        put_u32(d, bytes, off + ETWHF_BH_SAVED_OFFSET, v);
        set_rule(d, BX_BEFORE, r, 0);
        return;
    }
    v = ETWHF_BUFFER_HEADER_SIZE + (uint32_t)pick(ds, l->size[d->buffer] - ETWHF_BUFFER_HEADER_SIZE + 1);
    put_u32(d, bytes, off + ETWHF_BH_SAVED_OFFSET, v);
    if (v >= orig) {
        set_rule(d, BX_ALL, 0, 0);
    } else {
        set_rule(d, BX_UPTO, v, 0);
        d->rule.errors_known = 0;
    }
}

/* A heap record's Size below any fixed header or past SavedOffset: R5
 * abandons the buffer there (RECORD_SIZE). A random Size: no rule. */
static void record_size(struct damage *d, struct etwhf_dstream *ds, const struct layout *l, const struct outcome *base,
                        uint8_t *bytes)
{
    size_t first, n = events_of(base, d->buffer, &first);
    if (!n || l->compressed) {
        random_bytes(d, ds, l, bytes);
        return;
    }
    const struct oc_event *e = &base->ev[first + pick(ds, n)];
    uint64_t r = e->offset - l->off[d->buffer], at = e->offset + etwhf_header_info(e->header)->size_at;
    const uint16_t c[] = {0, 7, 0xFFFF, (uint16_t)etwhf_dstream_u64(ds)};
    size_t which = pick(ds, 4);
    bytes[at] = (uint8_t)c[which];
    bytes[at + 1] = (uint8_t)(c[which] >> 8);
    d->lo = at;
    d->hi = at + 2;
    d->value = c[which];
    if (which < 2 || (which == 2 && r + 0xFFFF > l->saved[d->buffer]))
        set_rule(d, BX_BEFORE, r, ETWHF_DIAG_RECORD_SIZE);
    else
        d->rule.expect = BX_UNKNOWN;
}

/* The cut's rule for the buffer it lands in (B1, B4 and R1 of a truncated
 * buffer); buffers after it are gone, F1/F2 when the cut reaches buffer 0's
 * header or the logfile record. */
static void cut_rule(struct damage *d, const struct layout *l)
{
    uint64_t c = d->cut, x = c - l->off[d->buffer];
    if (c == 0)
        set_rule(d, BX_NONE, 0, ETWHF_DIAG_FILE_EMPTY);
    else if (c < ETWHF_BUFFER_HEADER_SIZE)
        set_rule(d, BX_NONE, 0, ETWHF_DIAG_FILE_TOO_SHORT);
    else if (c < l->lf_end) {
        /* F2 fails (the record does not fit), F3 falls back to buffer 0's own
         * BufferSize (= S), B4 cuts buffer 0 inside the logfile record. */
        set_rule(d, BX_NONE, 0, ETWHF_DIAG_LOGFILE_MISSING);
        d->rule.errors |= 1u << ETWHF_DIAG_TRUNCATED_TAIL;
    } else if (x == 0)
        /* input used up at a buffer boundary (F4), after d->buffer positions:
         * an error when a non-circular log announces more (F5.2) */
        set_rule(d, BX_NONE, 0, !l->circular && l->buffers_written > d->buffer ? ETWHF_DIAG_TRUNCATED_TAIL : 0);
    else if (x < ETWHF_BUFFER_HEADER_SIZE)
        set_rule(d, BX_NONE, 0, ETWHF_DIAG_TRUNCATED_TAIL);
    else
        set_rule(d, BX_UPTO, x < l->saved[d->buffer] ? x : l->saved[d->buffer], ETWHF_DIAG_TRUNCATED_TAIL);
}

static void truncate_at(struct damage *d, struct etwhf_dstream *ds, const struct layout *l, const struct outcome *base,
                        size_t *len)
{
    const uint64_t hdr = ETWHF_BUFFER_HEADER_SIZE;
    size_t k = d->buffer;
    uint64_t off = l->off[k], size = l->size[k], c;
    size_t first, n = events_of(base, k, &first);
    switch (pick(ds, 6)) {
    case 0: c = pick(ds, hdr); break;                                     /* file header */
    case 1: c = hdr + pick(ds, l->lf_end - hdr); break;                   /* logfile record */
    case 2: c = off + pick(ds, size < hdr ? size : hdr); break;           /* a buffer header */
    case 3: c = off + hdr + pick(ds, size > hdr ? size - hdr : 1); break; /* a buffer body */
    case 4:                                                               /* at a record (+0..7) */
        c = n && !l->compressed ? base->ev[first + pick(ds, n)].offset + pick(ds, 8) : off + pick(ds, size);
        break;
    default: c = off; break; /* a buffer boundary */
    }
    if (c >= *len)
        c = *len - 1;
    d->kind = DK_TRUNCATE;
    d->cut = c;
    d->lo = c;
    d->hi = *len;
    d->buffer = 0;
    while (d->buffer + 1 < l->n && l->off[d->buffer + 1] <= c)
        d->buffer++;
    *len = (size_t)c;
    cut_rule(d, l);
}

void dmg_apply(struct damage *d, int kind, struct etwhf_dstream *ds, const struct layout *l, const struct outcome *base,
               uint8_t *bytes, size_t *len)
{
    memset(d, 0, sizeof *d);
    d->kind = kind;
    d->buffer = (size_t)pick(ds, l->n);
    d->rule.expect = BX_UNKNOWN;
    /* The last position of a cut trace may be shorter than a header. */
    if (kind != DK_TRUNCATE && kind != DK_RANDOM_BYTES && l->size[d->buffer] < ETWHF_BUFFER_HEADER_SIZE)
        kind = DK_RANDOM_BYTES;
    switch (kind) {
    case DK_ZERO_HEADER:
        memset(bytes + l->off[d->buffer], 0, ETWHF_BUFFER_HEADER_SIZE);
        d->lo = l->off[d->buffer];
        d->hi = d->lo + ETWHF_BUFFER_HEADER_SIZE;
        set_rule(d, BX_NONE, 0, ETWHF_DIAG_BUFFER_SIZE);
        break;
    case DK_BUFFER_SIZE: buffer_size(d, ds, l, bytes); break;
    case DK_SAVED_OFFSET_OUT: saved_offset_out(d, ds, l, bytes); break;
    case DK_SAVED_OFFSET_IN: saved_offset_in(d, ds, l, base, bytes); break;
    case DK_RECORD_SIZE: record_size(d, ds, l, base, bytes); break;
    case DK_TRUNCATE: truncate_at(d, ds, l, base, len); break;
    default: random_bytes(d, ds, l, bytes); break;
    }
    if (l->compressed)
        d->rule.expect = BX_UNKNOWN; /* a compressed file's strides chain: no per-buffer rule */
}
