/*
 * payload.c — R9's diagnostics; the per-event decode is inline in payload.h.
 */
#include <inttypes.h>

#include "payload.h"

/* R9 runs only for the three decoded types, which all have a name. */
static const char *payload_name(unsigned type)
{
    const char *name = etwhf_heap_type_name((uint8_t)type);
    return name ? name : "heap";
}

int etwhf__payload_length_diag(struct etwhf_decoder *d, unsigned type, unsigned w, uint64_t len, size_t min,
                               const struct region *rg, size_t p)
{
    const struct loc where = region_loc(rg, p);
    const struct loc *at = &where;
    if (len < min)
        return etwhf__dec_diag(d, ETWHF_DIAG_HEAP_PAYLOAD_SHORT, at,
                               "%s payload of %" PRIu64
                               " bytes is shorter than the %zu-byte minimum for pointer size %u",
                               payload_name(type), len, min, w);
    return etwhf__dec_diag(d, ETWHF_DIAG_HEAP_PAYLOAD_LONG, at,
                           "%s payload of %" PRIu64 " bytes is longer than the %zu-byte minimum; %" PRIu64
                           " extra bytes ignored",
                           payload_name(type), len, min, len - min);
}

int etwhf__payload_source_diag(struct etwhf_decoder *d, unsigned type, uint32_t source, const struct region *rg,
                               size_t p)
{
    if (ETWHF_MUTANT_ON(MU_R9_7_SILENT) && source == 6)
        return 0;
    if (ETWHF_MUTANT_ON(MU_R9_8_ZERO) && source == 0)
        return 0;
    if (ETWHF_MUTANT_ON(MU_R9_8_HIGH) && source > 6)
        return 0;
    const struct loc where = region_loc(rg, p);
    const struct loc *at = &where;
    switch (etwhf_source_diag(source)) {
    case ETWHF_DIAG_SOURCE_RESERVED:
        return etwhf__dec_diag(d, ETWHF_DIAG_SOURCE_RESERVED, at,
                               "%s Source 6 (SEGMENT_HEAP) is documented as reserved, never returned",
                               payload_name(type));
    case ETWHF_DIAG_SOURCE_UNKNOWN:
        return etwhf__dec_diag(d, ETWHF_DIAG_SOURCE_UNKNOWN, at,
                               "%s Source %" PRIu32 " (0x%" PRIx32 ") is not a MEMORY_FROM_* value 1-6",
                               payload_name(type), source, source);
    default: return 0;
    }
}
