/*
 * payload.h — R9 over one heap payload (docs/spec/format.md), inline because
 * every heap event passes here; the diagnostics, which are cold, stay in
 * payload.c. Fields are packed; Source is the last u32 of the minimum layout,
 * and bytes past the minimum are ignored (with a warning).
 */
#ifndef ETWHF_PAYLOAD_H
#define ETWHF_PAYLOAD_H

#include "context.h"
#include "hooks.h"

/* R9.3's min, etwhf_heap_payload_min() for a heap type (Free, Alloc or
 * ReAlloc) and width 4 or 8: for bare payloads (the walk reads it from its
 * table of forms, record.c). tests/decoder/test_records.c checks both. */
static inline size_t payload_min(unsigned type, unsigned w)
{
    const size_t ptrs = type == ETWHF_HEAP_FREE ? 2 : type == ETWHF_HEAP_ALLOC ? 3 : 5;
    return ptrs * w + 4;
}

/* R9.9's count of a delivered event, by the type's low two bits (Free 0x24,
 * Alloc 0x21, ReAlloc 0x22): a table of the counters' places in the summary
 * instead of a branch per type. */
static inline void heap_count(struct etwhf_decoder *d, unsigned type)
{
    static const uint8_t at[4] = {offsetof(struct etwhf_summary, heap_free), offsetof(struct etwhf_summary, heap_alloc),
                                  offsetof(struct etwhf_summary, heap_realloc),
                                  offsetof(struct etwhf_summary, heap_realloc)};
    uint64_t *n = (uint64_t *)(void *)((char *)&d->sum + at[type & 3u]);
    (*n)++;
}

/* R9.6: the payload's fields into the event, for a callback. */
static inline void payload_fields(const struct cur *pay, struct etwhf_event *ev, unsigned w)
{
    ev->heap_handle = cur_ptrp(pay, 0, w);
    if (ETWHF_MUTANT_ON(MU_R9_6_SIGN) && w == 4)
        ev->heap_handle = (uint64_t)(int64_t)(int32_t)ev->heap_handle;
    switch (ev->type) {
    case ETWHF_HEAP_FREE: ev->address = cur_ptrp(pay, w, w); break;
    case ETWHF_HEAP_ALLOC:
        ev->size = cur_ptrp(pay, w, w);
        ev->address = cur_ptrp(pay, 2 * (size_t)w, w);
        if (ETWHF_MUTANT_ON(MU_R9_6_ALLOC_SWAP)) {
            ev->size = cur_ptrp(pay, 2 * (size_t)w, w);
            ev->address = cur_ptrp(pay, w, w);
        }
        break;
    default:
        ev->new_address = cur_ptrp(pay, w, w);
        ev->old_address = cur_ptrp(pay, 2 * (size_t)w, w);
        ev->new_size = cur_ptrp(pay, 3 * (size_t)w, w);
        ev->old_size = cur_ptrp(pay, 4 * (size_t)w, w);
        if (ETWHF_PLANT(PB_REALLOC32_SIZES, w == 4 && ev->new_size != ev->old_size)) {
            uint64_t t = ev->new_size;
            ev->new_size = ev->old_size, ev->old_size = t;
        }
        break;
    }
}

/* R9.4–R9.9 (P2–P3 for a bare payload) over a heap payload of `len` bytes
 * of type `type` at width `w`, whose minimum length is `min` (R9.3), of which `pay` holds at least the minimum (or
 * all, when shorter), of the record at p of rg. `pay` is const: its reads
 * are the proven ones, which cannot fault.
 *
 * `want` is a constant at each caller: 1 when a callback may see the event
 * (`ev` then carries the header fields, and the payload's are added), 0 for
 * the counting walk, which checks R9.4's length and R9.7/R9.8's Source and
 * counts, but reads no field besides Source and builds no event (`ev` is
 * left alone). */
static DEC_INLINE int payload_decode(struct etwhf_decoder *d, const struct cur *pay, uint64_t len,
                                     struct etwhf_event *ev, unsigned type, unsigned w, size_t min,
                                     const struct region *rg, size_t p, const int want)
{
    if (ETWHF_MUTANT_ON(MU_R9_3_PADDED8) && w == 8)
        min += 4;
    int is_long = len > min; /* R9.5 */
    if (ETWHF_MUTANT_ON(MU_R9_5_SILENT))
        is_long = 0;
    if (ETWHF_PLANT(PB_LONG_SLACK, is_long && len - min < 4))
        is_long = 0;
    if (ETWHF_MUTANT_ON(MU_R9_4_SILENT) && len < min)
        return 0;
    if (ETWHF_MUTANT_ON(MU_R9_5_REJECT) && is_long)
        return etwhf__payload_length_diag(d, type, w, len, min, rg, p);
    if (DEC_UNLIKELY(len < min)) /* R9.4: the event is dropped */
        return etwhf__payload_length_diag(d, type, w, len, min, rg, p);
    if (DEC_UNLIKELY(is_long) && etwhf__payload_length_diag(d, type, w, len, min, rg, p))
        return 1;
    /* From here the view holds at least the minimum layout: the reads below
     * are proven by the length check above. */
    if (want) {
        ev->type = (uint8_t)type;
        ev->pointer_size = (uint8_t)w;
        payload_fields(pay, ev, w);
    }
    uint32_t source = cur_u32p(pay, min - 4); /* R9.6 */
    if (type == ETWHF_HEAP_FREE && ETWHF_PLANT(PB_FREE_SOURCE_OFFSET, w == 8 && cur_u32p(pay, 8) != source))
        source = cur_u32p(pay, 8);
    /* R9.7, R9.8: Sources 1–5 need no diagnostic, one compare on the common path. */
    if (DEC_UNLIKELY(source - 1u >= ETWHF_SOURCE_SEGMENT_HEAP - 1u) &&
        etwhf__payload_source_diag(d, type, source, rg, p))
        return 1;
    heap_count(d, type); /* R9.9 */
    if (!want)
        return 0;
    ev->source = source;
    return dec_event(d, ev);
}

#endif
