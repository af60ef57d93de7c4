/*
 * record.c — R1–R8 over a run of records, the heap identity and the fields
 * an event carries (R9.1–R9.3 of docs/spec/walk.md), then the payload's
 * R9.4–R9.9 (payload.h). Each step function names its rule ids.
 *
 * The per-record path reads a handful of bytes through the cursor, looks
 * the form up once in a table of its own (form_by_type) and leaves for
 * non-heap records of the hook forms after one range check. It is compiled
 * twice (`want`): with an event callback, and for counting, which builds no
 * event. Nothing a call out of line receives points at the walk's locals,
 * so the view, the offset and the form stay in registers.
 */
#include <inttypes.h>
#include <string.h>

#include "context.h"
#include "payload.h"
#include "hooks.h"

#define ALIGN8(x) (((x) + 7u) & ~(size_t)7u)

/* What the walk needs of a record's form, by its HeaderType byte: one 8-byte
 * entry per byte, where the walk used to look the form up in one table and
 * then read H, the Size field's place, the family and the width from
 * etwhf_header_table (format.c) through the GOT, and compute R9.3's minimum
 * payload length per event. The two tables say the same: the 12 forms'
 * rows repeat format.c's, and tests/decoder/test_records.c walks a record of
 * every HeaderType byte and a payload of every form, type and minimum. */
struct form_desc {
    uint8_t hdr1;    /* enum etwhf_header + 1; 0: none of the 12 forms (R4.2) */
    uint8_t size_at; /* R4.1: the u16 Size at +4 or +0 */
    uint8_t fixed;   /* H (R5.1); also s for the forms whose payload follows it (R9.1) */
    uint8_t family;  /* enum etwhf_family */
    uint8_t width;   /* W (R9.3) */
    uint8_t min[3];  /* R9.3's min at W, by the type's low two bits: Free (0x24), Alloc (0x21), ReAlloc (0x22) */
};
_Static_assert(sizeof(struct form_desc) == 8, "one entry per HeaderType byte, indexed by a shift");
_Static_assert((ETWHF_HEAP_FREE & 3u) == 0 && (ETWHF_HEAP_ALLOC & 3u) == 1 && (ETWHF_HEAP_REALLOC & 3u) == 2,
               "form_desc.min and heap_count are indexed by the type's low two bits");
/* clang-format off */
#define FORM(hdr, family, fixed, size_at, w)                                                                        \
    {(hdr) + 1, (size_at), (fixed), (family), (w), {2 * (w) + 4, 3 * (w) + 4, 5 * (w) + 4}}
/* clang-format on */
static const struct form_desc form_by_type[256] = {
    [0x01] = FORM(ETWHF_HDR_SYSTEM32, ETWHF_FAM_SYSTEM, 0x20, 4, 4),
    [0x02] = FORM(ETWHF_HDR_SYSTEM64, ETWHF_FAM_SYSTEM, 0x20, 4, 8),
    [0x03] = FORM(ETWHF_HDR_COMPACT32, ETWHF_FAM_COMPACT, 0x18, 4, 4),
    [0x04] = FORM(ETWHF_HDR_COMPACT64, ETWHF_FAM_COMPACT, 0x18, 4, 8),
    [0x10] = FORM(ETWHF_HDR_PERFINFO32, ETWHF_FAM_PERFINFO, 0x10, 4, 4),
    [0x11] = FORM(ETWHF_HDR_PERFINFO64, ETWHF_FAM_PERFINFO, 0x10, 4, 8),
    [0x0A] = FORM(ETWHF_HDR_FULL32, ETWHF_FAM_FULL, 0x30, 0, 4),
    [0x14] = FORM(ETWHF_HDR_FULL64, ETWHF_FAM_FULL, 0x30, 0, 8),
    [0x0B] = FORM(ETWHF_HDR_INSTANCE32, ETWHF_FAM_INSTANCE, 0x48, 0, 4),
    [0x15] = FORM(ETWHF_HDR_INSTANCE64, ETWHF_FAM_INSTANCE, 0x48, 0, 8),
    [0x12] = FORM(ETWHF_HDR_EVENT32, ETWHF_FAM_EVENT, 0x50, 0, 4),
    [0x13] = FORM(ETWHF_HDR_EVENT64, ETWHF_FAM_EVENT, 0x50, 0, 8),
};
/* R4.3: a MESSAGE record, H = 8, Size at +0 (it has no payload to decode). */
static const struct form_desc message_form = FORM(ETWHF_HDR_MESSAGE, ETWHF_FAM_MESSAGE, ETWHF_MSG_HEADER_SIZE, 0, 0);
/* The hook forms first: one compare sends a record to them (record_body). */
_Static_assert((ETWHF_FAM_SYSTEM < ETWHF_FAM_PERFINFO) && (ETWHF_FAM_COMPACT < ETWHF_FAM_PERFINFO) &&
                   (ETWHF_FAM_FULL > ETWHF_FAM_PERFINFO) && (ETWHF_FAM_INSTANCE > ETWHF_FAM_PERFINFO) &&
                   (ETWHF_FAM_EVENT > ETWHF_FAM_PERFINFO) && (ETWHF_FAM_MESSAGE > ETWHF_FAM_PERFINFO),
               "the hook families are the lowest");

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
 * only when there is a callback, since counting needs none of them. The
 * record's view comes as its base and length (Size, proven by R5): a pointer
 * to the walk's view, or the view by value, would keep it in memory. */
static void event_header(struct etwhf_event *ev, const struct region *rg, const uint8_t *base, size_t size,
                         const struct form_desc *fd, size_t p, uint8_t version)
{
    const struct cur rec = cur_make(base, size);
    /* Every field is stored once, none zeroed twice: a memset of the whole
     * event (a `rep stos`) was the costliest single step of the record path. */
    const struct loc at = region_loc(rg, p);
    ev->header = (uint8_t)(fd->hdr1 - 1);
    ev->version = version;
    ev->has_inner = (uint8_t)at.has_inner;
    ev->cpu = rg->cpu;
    ev->buffer = rg->buffer;
    ev->offset = at.offset;
    ev->inner_offset = at.inner_offset;
    ev->address = ev->size = 0;
    ev->new_address = ev->old_address = ev->new_size = ev->old_size = 0;
    ev->reserved = 0;
    if (fd->family == ETWHF_FAM_PERFINFO) {
        ev->has_pid_tid = 0;
        ev->pid = ev->tid = 0;
        ev->timestamp = cur_u64p(&rec, ETWHF_PERFINFO_TIME);
    } else {
        ev->has_pid_tid = 1;
        ev->tid = cur_u32p(&rec, ETWHF_SYS_TID);
        ev->pid = cur_u32p(&rec, ETWHF_SYS_PID);
        ev->timestamp = cur_u64p(&rec, ETWHF_SYS_TIME);
    }
}

/* R9.3–R9.9 for a heap record of type Free, Alloc or ReAlloc whose payload
 * starts at `start`: the event's header fields when `want` (a callback will
 * see them), then its payload (payload.h). `want` is a constant at each
 * caller, so the counting walk's copy builds no event at all. */
static DEC_INLINE int heap_event(struct etwhf_decoder *d, const struct region *rg, const struct cur *rec,
                                 const struct form_desc *fd, size_t p, uint8_t type, uint8_t version, size_t start,
                                 const int want)
{
    if (ETWHF_MUTANT_ON(MU_R9_2_REALLOC) && type == ETWHF_HEAP_REALLOC)
        return 0;               /* R9.2's mutant, here where every decoded type arrives */
    unsigned width = fd->width; /* R9.3: the form's width */
    if (ETWHF_MUTANT_ON(MU_R9_3_WIDTH_LOGFILE) && d->have_logfile &&
        (d->logfile.pointer_size == 4 || d->logfile.pointer_size == 8))
        width = d->logfile.pointer_size;
    if (ETWHF_PLANT(PB_WIDTH_FROM_LOGFILE,
                    fd->width == 4 && rg->buffer != ETWHF_NO_BUFFER && d->have_logfile && d->logfile.pointer_size == 8))
        width = 8;
    /* R9.3's min from the form's entry (a width the switches above changed
     * takes the formula; in a normal build the compiler sees it cannot). */
    const size_t min = width == fd->width ? fd->min[type & 3u] : payload_min(type, width);
    struct etwhf_event ev;
    if (want)
        event_header(&ev, rg, rec->base, rec->len, fd, p, version);
    const struct cur pay = cur_subp(rec, start, rec->len - start);
    return payload_decode(d, &pay, pay.len, &ev, type, width, min, rg, p, want);
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

/* R9.2: the three types decoded. */
static inline int heap_type_decoded(unsigned type)
{
    return type == ETWHF_HEAP_FREE || type == ETWHF_HEAP_ALLOC || type == ETWHF_HEAP_REALLOC;
}

/* R9.1 and R9.2 for a HookId (system, compact and perfinfo forms) in one
 * range check: the heap group 0x10 in the high byte and one of the three
 * types in the low byte is HookId − 0x1021 ∈ {0 Alloc, 1 ReAlloc, 3 Free}
 * (2 is Destroy); any other HookId wraps past 3. Most records leave here. */
#define HEAP_HOOK(type) ((ETWHF_HEAP_GROUP << 8) | (type))
static inline int heap_hook_decoded(unsigned hook)
{
    const unsigned k = hook - HEAP_HOOK(ETWHF_HEAP_ALLOC);
    return k <= HEAP_HOOK(ETWHF_HEAP_FREE) - HEAP_HOOK(ETWHF_HEAP_ALLOC) &&
           k != HEAP_HOOK(ETWHF_HEAP_DESTROY) - HEAP_HOOK(ETWHF_HEAP_ALLOC);
}

/* R7, R9.1, R9.2 for the hook forms (system, compact, perfinfo): the heap
 * group in the HookId's high byte, the type in its low byte. Inline: most
 * records are of these forms. Nonzero when the walk must stop. */
static DEC_INLINE int hook_record(struct etwhf_decoder *d, const struct region *rg, const struct cur *rec,
                                  const struct form_desc *fd, size_t p, const int want)
{
    size_t start = fd->fixed;
    int stop = 0;
    const unsigned hook = cur_u16p(rec, ETWHF_SYS_HOOK_ID);
    if (fd->family == ETWHF_FAM_PERFINFO && !(start = perfinfo_start(d, rg, rec, p, &stop)))
        return stop;
    if (DEC_LIKELY(!heap_hook_decoded(hook))) /* R9.1, R9.2 */
        return 0;
    /* R9.1's mutants of the hook forms, here where only heap records arrive */
    if (ETWHF_MUTANT_ON(MU_R9_1_PERFINFO) && fd->family == ETWHF_FAM_PERFINFO)
        return 0;
    if (ETWHF_MUTANT_ON(MU_R9_1_COMPACT20) && fd->family == ETWHF_FAM_COMPACT && rec->len >= 0x20)
        start = 0x20;
    return heap_event(d, rg, rec, fd, p, (uint8_t)hook, cur_u8p(rec, 0), start, want);
}

/* R8, R9.1, R9.2 for the event forms: R8 first, then the heap provider and
 * the descriptor. Nonzero when the walk must stop. */
static int event_record(struct etwhf_decoder *d, const struct region *rg, const struct cur *rec,
                        const struct form_desc *fd, size_t p, const int want)
{
    size_t start = fd->fixed;
    int stop = 0;
    const int items = ext_items_walked(rec);
    if (items && !(start = ext_items_end(d, rg, rec, p, &stop)))
        return stop;
    if (!cur_eqp(rec, ETWHF_EVT_PROVIDER, etwhf_heap_guid, 16))
        return 0;
    size_t by_datasize = start; /* the planted bug's s: the items walked by DataSize */
    if (items &&
        ETWHF_PLANT(PB_EXT_DATASIZE, (by_datasize = etwhf__planted_ext_by_datasize(rec->base, rec->len)) != start))
        start = by_datasize;
    const uint8_t type = cur_u8p(rec, ETWHF_EVT_DESC_OPCODE);
    if (!heap_type_decoded(type)) /* R9.2 */
        return 0;
    return heap_event(d, rg, rec, fd, p, type, cur_u8p(rec, ETWHF_EVT_DESC_VERSION), start, want);
}

/* R9.1, R9.2 for the full and instance forms: the heap GUID, then the event
 * class's type and version. Nonzero when the walk must stop. */
static int class_record(struct etwhf_decoder *d, const struct region *rg, const struct cur *rec,
                        const struct form_desc *fd, size_t p, const int want)
{
    if (!cur_eqp(rec, ETWHF_FULL_GUID, etwhf_heap_guid, 16))
        return 0;
    const uint8_t type = class_type(rec);
    if (!heap_type_decoded(type)) /* R9.2 */
        return 0;
    return heap_event(d, rg, rec, fd, p, type, cur_u8p(rec, ETWHF_FULL_CLASS_VERSION), fd->fixed, want);
}

/* R7–R9 for a record of the full, instance or event forms (out of line:
 * rarer, and their checks longer); the record's view as in event_header. */
static int other_record(struct etwhf_decoder *d, const struct region *rg, const uint8_t *base, size_t size,
                        const struct form_desc *fd, size_t p, const int want)
{
    const struct cur rec = cur_make(base, size);
    if (fd->family == ETWHF_FAM_EVENT)
        return event_record(d, rg, &rec, fd, p, want);
    return class_record(d, rg, &rec, fd, p, want);
}

/* R7–R9 for a record whose Size passed R5; `rec` views exactly Size bytes,
 * so every read below the fixed header size H ≤ Size is a proven one. R9.1
 * by family: the record is a heap record, of which type and version, and
 * where its payload starts (R7, R8 give s for perfinfo and event forms);
 * R9.2 right after, by family. Nonzero when the walk must stop. Forced
 * inline into step: as a call it cost about 30 instructions a record (saved
 * registers, `rec` passed through memory), a fifth of counting's whole path. */
static DEC_INLINE int record_body(struct etwhf_decoder *d, const struct region *rg, const struct cur *rec,
                                  const struct form_desc *fd, size_t p, const int want)
{
    if (DEC_LIKELY(fd->family <= ETWHF_FAM_PERFINFO))
        return hook_record(d, rg, rec, fd, p, want);
    if (fd->family == ETWHF_FAM_MESSAGE) /* R6.3: nothing more is read */
        return 0;
    return other_record(d, rg, rec->base, rec->len, fd, p, want);
}

/* A record's form as R4 found it and the Size field's value. */
struct form {
    const struct form_desc *fd;
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

/* R4.1's Size of an event-header form, inside the 8 bytes R1 proved. */
static inline size_t form_size(const struct cur *c, size_t p, const struct form_desc *fd)
{
    size_t size = cur_u16p(c, p + fd->size_at);
    if (ETWHF_MUTANT_ON(MU_R4_1_SIZE_AT4))
        size = cur_u16p(c, p + 4);
    if (ETWHF_MUTANT_ON(MU_R4_1_SIZE_AT0))
        size = cur_u16p(c, p);
    return size;
}

/* R2.1, R3, R4 in full for the record at p, inside the 8 bytes R1 proved:
 * the filler, the marker, byte 3's forms and HeaderType. REC_NEXT when it
 * has a form. The walk takes the common case (an event header of a known
 * form) before it and comes here for everything else (cold); `c` by value,
 * as in event_header. */
static int record_form_other(struct etwhf_decoder *d, const struct region *rg, const struct cur c, size_t p,
                             struct form *f)
{
    if (cur_u32p(&c, p) == ETWHF_FILLER_DWORD) /* R2.1: byte 3 0xFF, HeaderType 0xFF, so it comes here */
        return REC_END;
    const unsigned b3 = cur_u8p(&c, p + 3);
    int unmarked = !(b3 & ETWHF_TRACE_HEADER_FLAG); /* R3.1 */
    if (ETWHF_MUTANT_ON(MU_R3_1_IGNORED))
        unmarked = 0;
    if (unmarked)
        return marker_missing(d, rg, p, b3);
    int event = b3 & ETWHF_TRACE_HEADER_EVENT; /* R4.1: 0x40 decides, whatever 0x10 says */
    if (ETWHF_MUTANT_ON(MU_R4_1_MESSAGE_FIRST) && (b3 & ETWHF_TRACE_MESSAGE))
        event = 0;
    if (event) {
        const unsigned type = cur_u8p(&c, p + 2);
        f->fd = &form_by_type[type];
        if (ETWHF_MUTANT_ON(MU_R4_2_AS_MESSAGE) && !f->fd->hdr1)
            f->fd = &message_form;
        if (!f->fd->hdr1)
            return header_type_unknown(d, rg, p, type); /* R4.2 */
        f->size = form_size(&c, p, f->fd);
        return REC_NEXT;
    }
    int message = b3 & ETWHF_TRACE_MESSAGE; /* R4.3 */
    if (ETWHF_MUTANT_ON(MU_R4_3_UNKNOWN))
        message = 0;
    if (ETWHF_MUTANT_ON(MU_R4_4_AS_MESSAGE))
        message = 1;
    if (message) {
        f->fd = &message_form;
        f->size = cur_u16p(&c, p);
        if (ETWHF_PLANT(PB_MESSAGE_SIZE_AT4, cur_u16p(&c, p + 4) != f->size))
            f->size = cur_u16p(&c, p + 4);
        return REC_NEXT;
    }
    return header_neither(d, rg, p, b3); /* R4.4 */
}

/* R2.1, R3, R4: the form of the record at p, inside the 8 bytes R1 proved;
 * REC_NEXT when it has one. The common case first, an event header (byte 3
 * holds 0x80 and 0x40: R3.1 passes, R4.1 applies) of a known HeaderType,
 * in one test of byte 3 and one table entry; the filler (byte 3 and
 * HeaderType 0xFF, an entry of no form), MESSAGE records and every defect
 * take record_form_other, which applies the rules in their order. Bytes are
 * loaded one by one, each a single instruction. */
static DEC_INLINE int record_form(struct etwhf_decoder *d, const struct region *rg, const struct cur *c, size_t p,
                                  const struct form_desc **fdp, size_t *sizep)
{
    const unsigned b3 = cur_u8p(c, p + 3);
    const unsigned both = ETWHF_TRACE_HEADER_FLAG | ETWHF_TRACE_HEADER_EVENT;
    int common = (b3 & both) == both;
    if (ETWHF_MUTANT_ON(MU_R4_1_MESSAGE_FIRST) && (b3 & ETWHF_TRACE_MESSAGE))
        common = 0; /* the mutant's reading of byte 3 is record_form_other's */
    const struct form_desc *fd = &form_by_type[cur_u8p(c, p + 2)];
    if (DEC_UNLIKELY(!common || !fd->hdr1)) {
        /* the form through a local of this branch's own, so that the
         * walk's variables never have their address taken */
        struct form g = {fd, 0};
        const int r = record_form_other(d, rg, *c, p, &g);
        *fdp = g.fd;
        *sizep = g.size;
        return r;
    }
    *fdp = fd;
    *sizep = form_size(c, p, fd);
    return REC_NEXT;
}

/* R5.1: Size below the form's fixed header. */
static int size_below_header(struct etwhf_decoder *d, const struct region *rg, size_t p, const struct form_desc *fd,
                             size_t size)
{
    struct loc at = region_loc(rg, p);
    int code = ETWHF_DIAG_RECORD_SIZE;
    if (ETWHF_MUTANT_ON(MU_R5_1_CODE))
        code = ETWHF_DIAG_HEADER_TYPE;
    return abandon(etwhf__dec_diag(d, code, &at, "record size %zu is below its %zu-byte %s header", size,
                                   (size_t)fd->fixed, etwhf_header_table[fd->hdr1 - 1].name));
}

/* R5.2, R5.3 for a record that runs past the end of a final region (`left`
 * bytes from p): the region ends silently when the record fits before
 * SavedOffset (the input was cut: TRUNCATED_TAIL said it), else with
 * RECORD_SIZE. */
static int record_cut(struct etwhf_decoder *d, const struct region *rg, size_t p, size_t left, size_t size)
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
                                       "record size %zu runs past the end of the input (%zu bytes left)", size, left));
    return abandon(etwhf__dec_diag(d, ETWHF_DIAG_RECORD_SIZE, &at,
                                   "record size %zu at buffer +0x%zx runs past SavedOffset %zu", size, rg->coord0 + p,
                                   rg->coord0 + rg->saved_end));
}

/* R1.1 when fewer than 8 bytes are left: the region ends, or asks for 8
 * bytes when more may come. */
static inline int head_cut(const struct region *rg, size_t *arg)
{
    if (!rg->final) {
        *arg = 8;
        return REC_NEED;
    }
    return REC_END;
}

/* R5.2, R5.3 when the record's Size bytes are not all in the view. */
static inline int size_cut(struct etwhf_decoder *d, const struct region *rg, size_t p, size_t left, size_t size,
                           size_t *arg)
{
    if (!rg->final) { /* more bytes may come: ask for the whole record */
        *arg = size;
        return REC_NEED;
    }
    return record_cut(d, rg, p, left, size);
}

/* R1–R9 for the record at p of the view `c`. The walk's loop (below) and
 * etwhf__record_step() inline it, each with `want` a constant: 1 when a
 * callback sees events, 0 for counting, whose copy builds none.
 *
 * Bounds: every step moves p by align8(Size) from a record whose Size bytes
 * fit, so p ≤ len + 7; a view is an object in memory, shorter than
 * PTRDIFF_MAX bytes; so `left`, len − p taken as signed, is the bytes left
 * from p, negative when p lies past the end. R1 is then left ≥ 8 and R5
 * Size ≤ left, one compare each: after them every read of the record is a
 * proven one. */
static DEC_INLINE int step(struct etwhf_decoder *d, const struct region *rg, const struct cur *c, size_t p, size_t *arg,
                           const int want)
{
    const ptrdiff_t left = (ptrdiff_t)(c->len - p);
    int room = left >= 8; /* R1.1; the 8 bytes proven here hold the marker and the u16 Size at +4 */
    if (ETWHF_MUTANT_ON(MU_R1_1_NEED16) && rg->final)
        room = left >= 16;
    if (DEC_UNLIKELY(!room))
        return head_cut(rg, arg);
    if (ETWHF_MUTANT_ON(MU_R2_FILLER_ERROR) && cur_u32p(c, p) == ETWHF_FILLER_DWORD)
        return header_neither(d, rg, p, 0xFFu);
    if (ETWHF_MUTANT_ON(MU_R2_FILLER_SKIP) && cur_u32p(c, p) == ETWHF_FILLER_DWORD)
        return *arg = p + 8, REC_NEXT;
    /* reached by the records past R2.1, as when R2.1 came first here */
    if (cur_u32p(c, p) != ETWHF_FILLER_DWORD && ETWHF_PLANT(PB_FILLER_LOW16, cur_u16p(c, p) == 0xFFFFu))
        return REC_END;
    const struct form_desc *fd;
    size_t size;
    const int r = record_form(d, rg, c, p, &fd, &size); /* R2.1, R3, R4 */
    if (DEC_UNLIKELY(r != REC_NEXT))
        return r;
    if (DEC_UNLIKELY(size < fd->fixed)) /* R5.1 */
        return size_below_header(d, rg, p, fd, size);
    if (DEC_UNLIKELY(size > (size_t)left)) /* R5.2, R5.3 */
        return size_cut(d, rg, p, (size_t)left, size, arg);
    /* R6 */
    d->sum.events_total++;
    if (ETWHF_MUTANT_ON(MU_R6_1_MESSAGE) && fd->family == ETWHF_FAM_MESSAGE)
        d->sum.events_total--;
    *arg = p + ALIGN8(size);
    if (ETWHF_MUTANT_ON(MU_R6_2_NO_ALIGN))
        *arg = p + size;
    const struct cur rec = cur_subp(c, p, size);
    return record_body(d, rg, &rec, fd, p, want) ? REC_HALT : REC_NEXT;
}

int etwhf__record_step(struct etwhf_decoder *d, const struct region *rg, struct cur *c, size_t p, size_t *arg)
{
    const int r = d->opts.on_event ? step(d, rg, c, p, arg, 1) : step(d, rg, c, p, arg, 0);
    CUR_DONE(c); /* R1 and R5 prove every read of the step */
    return r;
}

/* The walk over a final region, with `want` a constant. The view is copied
 * into a local whose address no call outside this function sees: read
 * through `c`, its base and length were loaded again after every store into
 * the summary or the event, which the compiler must assume may alias them. */
static DEC_INLINE int walk(struct etwhf_decoder *d, const struct region *rg, const struct cur *c, const int want)
{
    const struct cur view = cur_make(c->base, c->len);
    size_t p = 0, next = 0;
    for (;;) {
        const int r = step(d, rg, &view, p, &next, want);
        if (DEC_LIKELY(r == REC_NEXT)) {
            p = next;
            continue;
        }
        return r == REC_HALT;
    }
}

int etwhf__record_walk(struct etwhf_decoder *d, const struct region *rg, struct cur *c)
{
    /* Two copies of the walk: with a callback, and counting (no event built). */
    const int halt = d->opts.on_event ? walk(d, rg, c, 1) : walk(d, rg, c, 0);
    CUR_DONE(c); /* R1 and R5 prove every read of the walk */
    return halt;
}
