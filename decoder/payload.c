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

int payload_decode(struct etwhf_decoder *d, struct cur *pay, uint64_t len, struct etwhf_event *ev,
                   const struct loc *at)
{
    const unsigned w = ev->pointer_size;
    const size_t min = etwhf_heap_payload_min(ev->type, w);
    if (len < min)
        return dec_diag(d, ETWHF_DIAG_HEAP_PAYLOAD_SHORT, at,
                        "%s payload of %" PRIu64 " bytes is shorter than the %zu-byte minimum for pointer size %u",
                        payload_name(ev->type), len, min, w);
    int is_long = len > min;
#if ETWHF_PLANTED_BUGS
    if (PLANTED(PB_LONG_SLACK, is_long && len - min < 4))
        is_long = 0;
#endif
    if (is_long && dec_diag(d, ETWHF_DIAG_HEAP_PAYLOAD_LONG, at,
                              "%s payload of %" PRIu64 " bytes is longer than the %zu-byte minimum; %" PRIu64
                              " extra bytes ignored",
                              payload_name(ev->type), len, min, len - min))
        return 1;

    ev->heap_handle = cur_ptr(pay, 0, w);
    switch (ev->type) {
    case ETWHF_HEAP_FREE:
        ev->address = cur_ptr(pay, w, w);
        break;
    case ETWHF_HEAP_ALLOC:
        ev->size = cur_ptr(pay, w, w);
        ev->address = cur_ptr(pay, 2 * (size_t)w, w);
        break;
    default:
        ev->new_address = cur_ptr(pay, w, w);
        ev->old_address = cur_ptr(pay, 2 * (size_t)w, w);
        ev->new_size = cur_ptr(pay, 3 * (size_t)w, w);
        ev->old_size = cur_ptr(pay, 4 * (size_t)w, w);
#if ETWHF_PLANTED_BUGS
        if (PLANTED(PB_REALLOC32_SIZES, w == 4 && ev->new_size != ev->old_size)) {
            uint64_t t = ev->new_size;
            ev->new_size = ev->old_size, ev->old_size = t;
        }
#endif
        break;
    }
    /* The caller's view holds the minimum, so no read above can fault. */
    ev->source = cur_u32(pay, min - 4);
#if ETWHF_PLANTED_BUGS
    if (ev->type == ETWHF_HEAP_FREE && PLANTED(PB_FREE_SOURCE_OFFSET, w == 8 && cur_u32(pay, 8) != ev->source))
        ev->source = cur_u32(pay, 8);
#endif

    switch (etwhf_source_diag(ev->source)) {
    case ETWHF_DIAG_SOURCE_RESERVED:
        if (dec_diag(d, ETWHF_DIAG_SOURCE_RESERVED, at,
                     "%s Source 6 (SEGMENT_HEAP) is documented as reserved, never returned", payload_name(ev->type)))
            return 1;
        break;
    case ETWHF_DIAG_SOURCE_UNKNOWN:
        if (dec_diag(d, ETWHF_DIAG_SOURCE_UNKNOWN, at, "%s Source %" PRIu32 " (0x%" PRIx32 ") is not a MEMORY_FROM_* value 1-6",
                     payload_name(ev->type), ev->source, ev->source))
            return 1;
        break;
    default: break;
    }
    return dec_event(d, ev);
}
