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

/* etwhf_heap_payload_min() for a heap type and width 4 or 8, inlined for the
 * per-event path; tests/decoder/test_records.c checks the two agree. */
static inline size_t payload_min(uint8_t type, unsigned w)
{
    const size_t ptrs = type == ETWHF_HEAP_FREE ? 2 : type == ETWHF_HEAP_ALLOC ? 3 : 5;
    return ptrs * w + 4;
}

/* R9.4–R9.9 (P2–P3 for a bare payload) over a heap payload of `len` bytes,
 * of which `pay` holds at least the minimum (or all, when shorter), of the
 * record at p of rg. `ev` carries the type and width, and the header fields
 * when there is a callback to see them. `pay` is const: its reads are the
 * proven ones, which cannot fault. */
static inline int payload_decode(struct etwhf_decoder *d, const struct cur *pay, uint64_t len,
                                 struct etwhf_event *ev, const struct region *rg, size_t p)
{
    const unsigned w = ev->pointer_size;
    size_t min = payload_min(ev->type, w);
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
        return etwhf__payload_length_diag(d, ev, len, min, rg, p);
    if (DEC_UNLIKELY(len < min)) /* the event is dropped */
        return etwhf__payload_length_diag(d, ev, len, min, rg, p);
    if (DEC_UNLIKELY(is_long) && etwhf__payload_length_diag(d, ev, len, min, rg, p))
        return 1;
    /* From here the view holds at least the minimum layout: the reads below
     * are proven by the length check above. */
    ev->heap_handle = cur_ptrp(pay, 0, w);
    if (ETWHF_MUTANT_ON(MU_R9_6_SIGN) && w == 4)
        ev->heap_handle = (uint64_t)(int64_t)(int32_t)ev->heap_handle;
    switch (ev->type) {
    case ETWHF_HEAP_FREE:
        ev->address = cur_ptrp(pay, w, w);
        break;
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
    ev->source = cur_u32p(pay, min - 4);
    if (ev->type == ETWHF_HEAP_FREE && ETWHF_PLANT(PB_FREE_SOURCE_OFFSET, w == 8 && cur_u32p(pay, 8) != ev->source))
        ev->source = cur_u32p(pay, 8);
    /* Sources 1–5 need no diagnostic: one compare on the common path. */
    if (DEC_UNLIKELY(ev->source - 1u >= ETWHF_SOURCE_SEGMENT_HEAP - 1u) && etwhf__payload_source_diag(d, ev, rg, p))
        return 1;
    return dec_event(d, ev);
}

#endif
