/*
 * record.c — R1–R8 over a run of records, the heap identity and the fields
 * an event carries (R9.1–R9.3 of docs/spec/walk.md), then the payload's
 * R9.4–R9.9 (payload.h). Each step function names its rule ids.
 *
 * The per-record path reads a handful of fields through the cursor and
 * leaves for non-heap records after one table look-up and one compare.
 */
#include <inttypes.h>
#include <string.h>

#include "context.h"
#include "payload.h"
#include "hooks.h"

#define ALIGN8(x) (((x) + 7u) & ~(size_t)7u)

/* HeaderType byte → enum etwhf_header + 1 (0: not one of the 12 forms). */
static const uint8_t form_by_type[256] = {
    [0x01] = ETWHF_HDR_SYSTEM32 + 1,   [0x02] = ETWHF_HDR_SYSTEM64 + 1,   [0x03] = ETWHF_HDR_COMPACT32 + 1,
    [0x04] = ETWHF_HDR_COMPACT64 + 1,  [0x10] = ETWHF_HDR_PERFINFO32 + 1, [0x11] = ETWHF_HDR_PERFINFO64 + 1,
    [0x0A] = ETWHF_HDR_FULL32 + 1,     [0x14] = ETWHF_HDR_FULL64 + 1,     [0x0B] = ETWHF_HDR_INSTANCE32 + 1,
    [0x15] = ETWHF_HDR_INSTANCE64 + 1, [0x12] = ETWHF_HDR_EVENT32 + 1,    [0x13] = ETWHF_HDR_EVENT64 + 1,
};

/* R8.2–R8.4: the EXT_ITEM diagnostic of the item at q, whose ItemSize is
 * `item` when it has its 8 bytes (`room`). */
static int ext_item_diag(struct etwhf_decoder *d, const struct region *rg, size_t p, size_t q, int room, unsigned item,
                         size_t size)
{
    struct loc at = region_loc(rg, p);
    if (!room) /* R8.2 */
        return etwhf__dec_diag(d, ETWHF_DIAG_EXT_ITEM, &at,
                               "extended item at record +0x%zx needs 8 bytes; record size is %zu", q, size);
    if (item < 8) /* R8.3 */
        return etwhf__dec_diag(d, ETWHF_DIAG_EXT_ITEM, &at, "extended item at record +0x%zx has ItemSize %u, below 8",
                               q, item);
    return etwhf__dec_diag(d, ETWHF_DIAG_EXT_ITEM, &at, /* R8.4 */
                           "extended item at record +0x%zx with ItemSize %u runs past record size %zu", q, item, size);
}

/* R8.2–R8.6: the payload offset s after the extended items, or 0 after
 * EXT_ITEM (whose answer is in *stop). */
static size_t ext_items_end(struct etwhf_decoder *d, const struct region *rg, const struct cur *rec, size_t p,
                            int *stop)
{
    struct cur items = *rec; /* checked reads: their fault flag is this step's own */
    const size_t size = rec->len;
    size_t q = ETWHF_EVT_EXT_START, end = 0;
    for (;;) {
        /* Each item advances q by at least 8 within Size: the loop is bounded. */
        const int room = q <= size && size - q >= 8;
        const unsigned item = room ? cur_u16(&items, q) : 0;
        int bad = !room || item < 8u || item > size - q; /* R8.2–R8.4 */
        if (ETWHF_MUTANT_ON(MU_R8_3_MIN4) && room)
            bad = item < 4u || item > size - q;
        if (ETWHF_MUTANT_ON(MU_R8_4_GE) && item == size - q)
            bad = 1;
        if (bad) {
            *stop = ext_item_diag(d, rg, p, q, room, item, size);
            break;
        }
        int more = cur_u16(&items, q + 4) & 1u; /* R8.5 */
        if (ETWHF_MUTANT_ON(MU_R8_5_LINK))
            more = 0;
        if (ETWHF_MUTANT_ON(MU_R8_5_ALIGN8) && ALIGN8(item) <= size - q)
            q += ALIGN8(item) - item;
        q += item;
        if (!more) {
            end = q; /* R8.6 */
            break;
        }
    }
    CUR_DONE(&items); /* `room` proved both reads of each item */
    return end;
}

/* R7.2: the PERFINFO_EXT diagnostic (cold). */
static int perfinfo_ext_diag(struct etwhf_decoder *d, const struct region *rg, size_t p, unsigned pmc, unsigned pebs,
                             size_t start, size_t size)
{
    struct loc at = region_loc(rg, p);
    return etwhf__dec_diag(d, ETWHF_DIAG_PERFINFO_EXT, &at,
                           "PERFINFO extension of %u PMC counters%s ends at +0x%zx, past record size %zu", pmc,
                           pebs ? " and a PEBS index" : "", start, size);
}

/* R7: the payload offset s after the PERFINFO extension (every perfinfo
 * record, heap or not), or 0 after PERFINFO_EXT (whose answer is in *stop). */
static inline size_t perfinfo_start(struct etwhf_decoder *d, const struct region *rg, const struct cur *rec, size_t p,
                                    int *stop)
{
    const size_t size = rec->len;
    const unsigned v = cur_u16p(rec, 0);
    unsigned pmc = (v >> 8) & 7u, pebs = v >> 15; /* R7.1 */
    if (ETWHF_MUTANT_ON(MU_R7_1_PMC))
        pmc = pebs = 0;
    if (ETWHF_MUTANT_ON(MU_R7_1_PEBS))
        pebs = 0;
    size_t start = ETWHF_PERFINFO_EXT_START + 8u * pmc + 8u * pebs;
    if (ETWHF_PLANT(PB_PERFINFO_PMC, start > size && pmc > 0 && rg->buffer != ETWHF_NO_BUFFER))
        start = size; /* the PMC count trusted: the payload is whatever is left */
    if (DEC_UNLIKELY(start > size)) {
        *stop = perfinfo_ext_diag(d, rg, p, pmc, pebs, start, size); /* R7.2 */
        return 0;
    }
    return start;
}

/* R9.9: the fields a callback sees besides type, width and payload — read
 * only when there is a callback, since counting needs none of them. */
static void event_header(struct etwhf_event *ev, const struct region *rg, const struct cur *rec,
                         const struct etwhf_header_info *hi, int hdr, size_t p, uint8_t version)
{
    /* Every field is stored once, none zeroed twice: a memset of the whole
     * event (a `rep stos`) was the costliest single step of the record path. */
    const struct loc at = region_loc(rg, p);
    ev->header = (uint8_t)hdr;
    ev->version = version;
    ev->has_inner = (uint8_t)at.has_inner;
    ev->cpu = rg->cpu;
    ev->buffer = rg->buffer;
    ev->offset = at.offset;
    ev->inner_offset = at.inner_offset;
    ev->address = ev->size = 0;
    ev->new_address = ev->old_address = ev->new_size = ev->old_size = 0;
    ev->reserved = 0;
    if (hi->family == ETWHF_FAM_PERFINFO) {
        ev->has_pid_tid = 0;
        ev->pid = ev->tid = 0;
        ev->timestamp = cur_u64p(rec, ETWHF_PERFINFO_TIME);
    } else {
        ev->has_pid_tid = 1;
        ev->tid = cur_u32p(rec, ETWHF_SYS_TID);
        ev->pid = cur_u32p(rec, ETWHF_SYS_PID);
        ev->timestamp = cur_u64p(rec, ETWHF_SYS_TIME);
    }
}

/* R9.3–R9.9 for a heap record of type Free, Alloc or ReAlloc whose payload
 * starts at `start`: the event's header fields, then its payload (payload.h). */
static inline int heap_event(struct etwhf_decoder *d, const struct region *rg, const struct cur *rec,
                             const struct etwhf_header_info *hi, int hdr, size_t p, uint8_t type, uint8_t version,
                             size_t start)
{
    struct etwhf_event ev;
    ev.type = type;
    ev.pointer_size = hi->pointer_size; /* R9.3: the form's width */
    if (ETWHF_MUTANT_ON(MU_R9_3_WIDTH_LOGFILE) && d->have_logfile &&
        (d->logfile.pointer_size == 4 || d->logfile.pointer_size == 8))
        ev.pointer_size = (uint8_t)d->logfile.pointer_size;
    if (ETWHF_PLANT(PB_WIDTH_FROM_LOGFILE, hi->pointer_size == 4 && rg->buffer != ETWHF_NO_BUFFER &&
                                               d->have_logfile && d->logfile.pointer_size == 8))
        ev.pointer_size = 8;
    if (d->opts.on_event)
        event_header(&ev, rg, rec, hi, hdr, p, version);
    struct cur pay = cur_subp(rec, start, rec->len - start);
    return payload_decode(d, &pay, pay.len, &ev, rg, p);
}

/* R8: whether an event-form record's extended items are walked for s. */
static inline int ext_items_walked(const struct cur *rec)
{
    int items = (cur_u16p(rec, ETWHF_EVT_FLAGS) & ETWHF_EVT_FLAG_EXTENDED_INFO) != 0;
    if (ETWHF_MUTANT_ON(MU_R8_1_IGNORED))
        items = 0;
    if (ETWHF_MUTANT_ON(MU_R8_HEAP_ONLY) && !cur_eqp(rec, ETWHF_EVT_PROVIDER, etwhf_heap_guid, 16))
        items = 0;
    return items;
}

/* R9.1 for the full and instance forms: the event class's type. */
static inline uint8_t class_type(const struct cur *rec)
{
    uint8_t type = cur_u8p(rec, ETWHF_FULL_CLASS_TYPE);
    if (ETWHF_MUTANT_ON(MU_R9_1_FULL_SWAP))
        type = cur_u8p(rec, ETWHF_FULL_CLASS_VERSION);
    return type;
}

/* R7–R9 for a record whose Size passed R5; `rec` views exactly Size bytes,
 * so every read below the fixed header size H ≤ Size is a proven one. R9.1
 * by family: the record is a heap record, of which type and version, and
 * where its payload starts (R7, R8 give s for perfinfo and event forms).
 * Nonzero when the walk must stop. Forced inline into step: as a call it
 * cost about 30 instructions a record (saved registers, `rec` passed through
 * memory), a fifth of counting's whole path. */
static DEC_INLINE int record_body(struct etwhf_decoder *d, const struct region *rg, const struct cur *rec,
                                  const struct etwhf_header_info *hi, int hdr, size_t p)
{
    size_t start = hi->fixed_size;
    uint8_t type, version;
    int stop = 0;
    switch (hi->family) {
    case ETWHF_FAM_PERFINFO:
    case ETWHF_FAM_SYSTEM:
    case ETWHF_FAM_COMPACT: { /* the heap group in the HookId's high byte, the type in its low byte */
        const unsigned hook = cur_u16p(rec, ETWHF_SYS_HOOK_ID);
        if (hi->family == ETWHF_FAM_PERFINFO && !(start = perfinfo_start(d, rg, rec, p, &stop)))
            return stop;
        if (DEC_LIKELY((hook >> 8) != ETWHF_HEAP_GROUP))
            return 0;
        type = (uint8_t)hook;
        version = cur_u8p(rec, 0);
        break;
    }
    case ETWHF_FAM_FULL:
    case ETWHF_FAM_INSTANCE: /* the heap GUID, then the event class's type and version */
        if (!cur_eqp(rec, ETWHF_FULL_GUID, etwhf_heap_guid, 16))
            return 0;
        type = class_type(rec);
        version = cur_u8p(rec, ETWHF_FULL_CLASS_VERSION);
        break;
    default: { /* ETWHF_FAM_EVENT: R8 first, then the heap provider and the descriptor */
        const int items = ext_items_walked(rec);
        if (items && !(start = ext_items_end(d, rg, rec, p, &stop)))
            return stop;
        if (!cur_eqp(rec, ETWHF_EVT_PROVIDER, etwhf_heap_guid, 16))
            return 0;
        size_t by_datasize = start; /* the planted bug's s: the items walked by DataSize */
        if (items && ETWHF_PLANT(PB_EXT_DATASIZE,
                                 (by_datasize = etwhf__planted_ext_by_datasize(rec->base, rec->len)) != start))
            start = by_datasize;
        type = cur_u8p(rec, ETWHF_EVT_DESC_OPCODE);
        version = cur_u8p(rec, ETWHF_EVT_DESC_VERSION);
        break;
    }
    }
    /* R9.1's mutants of the hook forms, here where only heap records arrive */
    if (ETWHF_MUTANT_ON(MU_R9_1_PERFINFO) && hi->family == ETWHF_FAM_PERFINFO)
        return 0;
    if (ETWHF_MUTANT_ON(MU_R9_1_COMPACT20) && hi->family == ETWHF_FAM_COMPACT && rec->len >= 0x20)
        start = 0x20;
    if (type != ETWHF_HEAP_FREE && type != ETWHF_HEAP_ALLOC && type != ETWHF_HEAP_REALLOC)
        return 0; /* R9.2 */
    if (ETWHF_MUTANT_ON(MU_R9_2_REALLOC) && type == ETWHF_HEAP_REALLOC)
        return 0;
    return heap_event(d, rg, rec, hi, hdr, p, type, version, start);
}

/* A record's form as R4 found it: H, the width and the Size field's value. */
struct form {
    int hdr; /* enum etwhf_header */
    const struct etwhf_header_info *hi;
    size_t size;
};

/* A diagnostic that abandons the region: REC_ABANDON, or REC_HALT when the
 * walk must stop. */
static int abandon(int stop)
{
    return stop ? REC_HALT : REC_ABANDON;
}

/* R3.1: the trace-header flag is missing. */
static int marker_missing(struct etwhf_decoder *d, const struct region *rg, size_t p, unsigned b3)
{
    struct loc at = region_loc(rg, p);
    return abandon(
        etwhf__dec_diag(d, ETWHF_DIAG_MARKER, &at, "byte 3 is 0x%02x: the trace-header flag 0x80 is missing", b3));
}

/* R4.2: an event header whose HeaderType is none of the 12 forms. */
static int header_type_unknown(struct etwhf_decoder *d, const struct region *rg, size_t p, unsigned type)
{
    struct loc at = region_loc(rg, p);
    return abandon(etwhf__dec_diag(d, ETWHF_DIAG_HEADER_TYPE, &at,
                                   "HeaderType 0x%02x is not one of the 12 known header forms", type));
}

/* R4.4: neither an event header nor a message. */
static int header_neither(struct etwhf_decoder *d, const struct region *rg, size_t p, unsigned b3)
{
    struct loc at = region_loc(rg, p);
    return abandon(etwhf__dec_diag(d, ETWHF_DIAG_HEADER_TYPE, &at,
                                   "byte 3 is 0x%02x: neither an event header (0x40) nor a message (0x10)", b3));
}

/* R3, R4: the form of the record whose first 8 bytes are `head`; REC_NEXT
 * when it has one. */
static inline int record_form(struct etwhf_decoder *d, const struct region *rg, const struct cur *c, size_t p,
                              uint64_t head, struct form *f)
{
    const uint32_t marker = (uint32_t)head;
    const unsigned b3 = marker >> 24;
    int unmarked = !(b3 & ETWHF_TRACE_HEADER_FLAG); /* R3.1 */
    if (ETWHF_MUTANT_ON(MU_R3_1_IGNORED))
        unmarked = 0;
    if (DEC_UNLIKELY(unmarked))
        return marker_missing(d, rg, p, b3);
    int event = b3 & ETWHF_TRACE_HEADER_EVENT; /* R4.1: 0x40 decides, whatever 0x10 says */
    if (ETWHF_MUTANT_ON(MU_R4_1_MESSAGE_FIRST) && (b3 & ETWHF_TRACE_MESSAGE))
        event = 0;
    if (DEC_LIKELY(event)) {
        f->hdr = (int)form_by_type[(marker >> 16) & 0xFFu] - 1;
        if (ETWHF_MUTANT_ON(MU_R4_2_AS_MESSAGE) && f->hdr < 0)
            f->hdr = ETWHF_HDR_MESSAGE;
        if (DEC_UNLIKELY(f->hdr < 0))
            return header_type_unknown(d, rg, p, (unsigned)(marker >> 16) & 0xFFu); /* R4.2 */
        f->hi = &etwhf_header_table[f->hdr];
        f->size = (size_t)(head >> (8u * f->hi->size_at)) & 0xFFFFu;
        if (ETWHF_MUTANT_ON(MU_R4_1_SIZE_AT4))
            f->size = (size_t)(head >> 32) & 0xFFFFu;
        if (ETWHF_MUTANT_ON(MU_R4_1_SIZE_AT0))
            f->size = (size_t)head & 0xFFFFu;
        return REC_NEXT;
    }
    int message = b3 & ETWHF_TRACE_MESSAGE; /* R4.3 */
    if (ETWHF_MUTANT_ON(MU_R4_3_UNKNOWN))
        message = 0;
    if (ETWHF_MUTANT_ON(MU_R4_4_AS_MESSAGE))
        message = 1;
    if (message) {
        f->hdr = ETWHF_HDR_MESSAGE;
        f->hi = &etwhf_header_table[f->hdr];
        f->size = marker & 0xFFFFu;
        if (ETWHF_PLANT(PB_MESSAGE_SIZE_AT4, cur_u16p(c, p + 4) != f->size))
            f->size = cur_u16p(c, p + 4);
        return REC_NEXT;
    }
    return header_neither(d, rg, p, b3); /* R4.4 */
}

/* R5.1: Size below the form's fixed header. */
static int size_below_header(struct etwhf_decoder *d, const struct region *rg, size_t p, const struct form *f)
{
    struct loc at = region_loc(rg, p);
    int code = ETWHF_DIAG_RECORD_SIZE;
    if (ETWHF_MUTANT_ON(MU_R5_1_CODE))
        code = ETWHF_DIAG_HEADER_TYPE;
    return abandon(etwhf__dec_diag(d, code, &at, "record size %zu is below its %zu-byte %s header", f->size,
                                   (size_t)f->hi->fixed_size, f->hi->name));
}

/* R5.2, R5.3 for a record that runs past the end of a final region: the
 * region ends silently when the record fits before SavedOffset (the input
 * was cut: TRUNCATED_TAIL said it), else with RECORD_SIZE. */
static int record_cut(struct etwhf_decoder *d, const struct region *rg, const struct cur *c, size_t p, size_t size)
{
    int cut = size <= rg->saved_end - p; /* R5.3 */
    if (ETWHF_MUTANT_ON(MU_R5_2_SILENT))
        cut = 1;
    if (ETWHF_PLANT(PB_TRUNC_RECORD_DIAG, cut && rg->buffer != ETWHF_NO_BUFFER))
        cut = 0;
    if (cut)
        return REC_END;
    struct loc at = region_loc(rg, p); /* R5.2 */
    if (rg->buffer == ETWHF_NO_BUFFER)
        return abandon(etwhf__dec_diag(d, ETWHF_DIAG_RECORD_SIZE, &at,
                                       "record size %zu runs past the end of the input (%zu bytes left)", size,
                                       c->len - p));
    return abandon(etwhf__dec_diag(d, ETWHF_DIAG_RECORD_SIZE, &at,
                                   "record size %zu at buffer +0x%zx runs past SavedOffset %zu", size, rg->coord0 + p,
                                   rg->coord0 + rg->saved_end));
}

/* Inlined into etwhf__record_walk, the hot loop; etwhf__record_step() is the same for the
 * callers that walk a record at a time. */
static inline int step(struct etwhf_decoder *d, const struct region *rg, struct cur *c, size_t p, size_t *arg)
{
    /* R1.1; the 8 bytes proven here hold the marker and the u16 Size at +4 */
    int room = cur_has(c, p, 8);
    if (ETWHF_MUTANT_ON(MU_R1_1_NEED16) && rg->final)
        room = cur_has(c, p, 16);
    if (DEC_UNLIKELY(!room)) {
        if (!rg->final) {
            *arg = 8;
            return REC_NEED;
        }
        return REC_END;
    }
    /* Marker and the u16 Size at +4 in one read: the Size is then picked by a
     * shift, with no branch to mispredict when header forms alternate. */
    const uint64_t head = cur_u64p(c, p);
    if (ETWHF_MUTANT_ON(MU_R2_FILLER_ERROR) && (uint32_t)head == ETWHF_FILLER_DWORD)
        return header_neither(d, rg, p, 0xFFu);
    if (ETWHF_MUTANT_ON(MU_R2_FILLER_SKIP) && (uint32_t)head == ETWHF_FILLER_DWORD)
        return *arg = p + 8, REC_NEXT;
    if ((uint32_t)head == ETWHF_FILLER_DWORD) /* R2.1 */
        return REC_END;
    if (ETWHF_PLANT(PB_FILLER_LOW16, (head & 0xFFFFu) == 0xFFFFu))
        return REC_END;
    struct form f;
    const int r = record_form(d, rg, c, p, head, &f);
    if (DEC_UNLIKELY(r != REC_NEXT))
        return r;
    if (DEC_UNLIKELY(f.size < f.hi->fixed_size)) /* R5.1 */
        return size_below_header(d, rg, p, &f);
    if (DEC_UNLIKELY(!cur_has(c, p, f.size))) {
        if (!rg->final) { /* more bytes may come: ask for the whole record */
            *arg = f.size;
            return REC_NEED;
        }
        return record_cut(d, rg, c, p, f.size); /* R5.2, R5.3 */
    }
    /* R6 */
    d->sum.events_total++;
    if (ETWHF_MUTANT_ON(MU_R6_1_MESSAGE) && f.hdr == ETWHF_HDR_MESSAGE)
        d->sum.events_total--;
    *arg = p + ALIGN8(f.size);
    if (ETWHF_MUTANT_ON(MU_R6_2_NO_ALIGN))
        *arg = p + f.size;
    if (f.hdr == ETWHF_HDR_MESSAGE)
        return REC_NEXT;
    const struct cur rec = cur_subp(c, p, f.size);
    return record_body(d, rg, &rec, f.hi, f.hdr, p) ? REC_HALT : REC_NEXT;
}

int etwhf__record_step(struct etwhf_decoder *d, const struct region *rg, struct cur *c, size_t p, size_t *arg)
{
    const int r = step(d, rg, c, p, arg);
    CUR_DONE(c); /* R1 and R5 prove every read of the step (cur_has) */
    return r;
}

int etwhf__record_walk(struct etwhf_decoder *d, const struct region *rg, struct cur *c)
{
    size_t p = 0, next = 0;
    for (;;) {
        switch (etwhf__record_step(d, rg, c, p, &next)) {
        case REC_NEXT: p = next; break;
        case REC_HALT: return 1;
        default: return 0;
        }
    }
}
