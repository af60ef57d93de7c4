/*
 * payload.c — R9: HeapFree, HeapAlloc and HeapReAlloc payloads (FORMAT.md
 * §5.3), width 4 or 8. Fields are packed; Source is the last u32 of the
 * minimum layout, and bytes past the minimum are ignored (with a warning).
 */
#include <inttypes.h>

#include "context.h"
#include "planted.h"

const char *payload_name(uint8_t type)
{
    switch (type) {
    case ETWHF_HEAP_FREE: return "HeapFree";
    case ETWHF_HEAP_ALLOC: return "HeapAlloc";
    case ETWHF_HEAP_REALLOC: return "HeapReAlloc";
    default: return "heap";
    }
}

/* etwhf_heap_payload_min() for a heap type and width 4 or 8, inlined for the
 * per-event path; tests/decoder/test_records.c checks the two agree. */
static inline size_t heap_min(uint8_t type, unsigned w)
{
    const size_t ptrs = type == ETWHF_HEAP_FREE ? 2 : type == ETWHF_HEAP_ALLOC ? 3 : 5;
    return ptrs * w + 4;
}

static int source_diag(struct etwhf_decoder *d, const struct etwhf_event *ev, const struct loc *at)
{
    switch (etwhf_source_diag(ev->source)) {
    case ETWHF_DIAG_SOURCE_RESERVED:
        return dec_diag(d, ETWHF_DIAG_SOURCE_RESERVED, at,
                        "%s Source 6 (SEGMENT_HEAP) is documented as reserved, never returned", payload_name(ev->type));
    case ETWHF_DIAG_SOURCE_UNKNOWN:
        return dec_diag(d, ETWHF_DIAG_SOURCE_UNKNOWN, at,
                        "%s Source %" PRIu32 " (0x%" PRIx32 ") is not a MEMORY_FROM_* value 1-6", payload_name(ev->type),
                        ev->source, ev->source);
    default: return 0;
    }
}

int payload_decode(struct etwhf_decoder *d, struct cur *pay, uint64_t len, struct etwhf_event *ev,
                   const struct loc *at)
{
    const unsigned w = ev->pointer_size;
    const size_t min = heap_min(ev->type, w);
    if (DEC_UNLIKELY(len < min))
        return dec_diag(d, ETWHF_DIAG_HEAP_PAYLOAD_SHORT, at,
                        "%s payload of %" PRIu64 " bytes is shorter than the %zu-byte minimum for pointer size %u",
                        payload_name(ev->type), len, min, w);
    int is_long = len > min;
#if ETWHF_PLANTED_BUGS
    if (PLANTED(PB_LONG_SLACK, is_long && len - min < 4))
        is_long = 0;
#endif
    if (DEC_UNLIKELY(is_long) && dec_diag(d, ETWHF_DIAG_HEAP_PAYLOAD_LONG, at,
                                          "%s payload of %" PRIu64 " bytes is longer than the %zu-byte minimum; %" PRIu64
                                          " extra bytes ignored",
                                          payload_name(ev->type), len, min, len - min))
        return 1;

    /* The caller's view holds at least the minimum layout from here on: the
     * reads below are proven by the length check above. */
    ev->heap_handle = cur_ptrp(pay, 0, w);
    switch (ev->type) {
    case ETWHF_HEAP_FREE:
        ev->address = cur_ptrp(pay, w, w);
        break;
    case ETWHF_HEAP_ALLOC:
        ev->size = cur_ptrp(pay, w, w);
        ev->address = cur_ptrp(pay, 2 * (size_t)w, w);
        break;
    default:
        ev->new_address = cur_ptrp(pay, w, w);
        ev->old_address = cur_ptrp(pay, 2 * (size_t)w, w);
        ev->new_size = cur_ptrp(pay, 3 * (size_t)w, w);
        ev->old_size = cur_ptrp(pay, 4 * (size_t)w, w);
#if ETWHF_PLANTED_BUGS
        if (PLANTED(PB_REALLOC32_SIZES, w == 4 && ev->new_size != ev->old_size)) {
            uint64_t t = ev->new_size;
            ev->new_size = ev->old_size, ev->old_size = t;
        }
#endif
        break;
    }
    ev->source = cur_u32p(pay, min - 4);
#if ETWHF_PLANTED_BUGS
    if (ev->type == ETWHF_HEAP_FREE && PLANTED(PB_FREE_SOURCE_OFFSET, w == 8 && cur_u32p(pay, 8) != ev->source))
        ev->source = cur_u32p(pay, 8);
#endif
    /* Sources 1–5 need no diagnostic: one compare on the common path. */
    if (DEC_UNLIKELY(ev->source - 1u >= ETWHF_SOURCE_SEGMENT_HEAP - 1u) && source_diag(d, ev, at))
        return 1;
    return dec_event(d, ev);
}
