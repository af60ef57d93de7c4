/*
 * shapes.c — the catalogue of shapes the generator draws and the evidence
 * each rests on (docs/spec/evidence.md gives the sources), and how a built
 * case's shapes are read off its model.
 *
 * Why the catalogue exists: a verdict is only worth what it rests on. A case
 * built only of shapes public traces show or Microsoft (or a widely used
 * reader) documents judges a decoder on what Windows writes; a case holding a
 * shape etwhf chose judges it on etwhf's choices. The manifest says which
 * (`shapes`, `evidence`), and `etwhf check` grades at levels accordingly.
 */
#include "model.h"

#define OBS ETWHF_EVIDENCE_OBSERVED
#define DOC ETWHF_EVIDENCE_DOCUMENTED
#define CHO ETWHF_EVIDENCE_CHOSEN

static const struct etwhf_gen_shape_info shapes[ETWHF_SHAPE_COUNT] = {
    [ETWHF_SHAPE_PAYLOAD_FREE] = {"payload.free", DOC, "a bare HeapFree payload (HeapHandle, Address, Source)"},
    [ETWHF_SHAPE_PAYLOAD_ALLOC] = {"payload.alloc", DOC, "a bare HeapAlloc payload"},
    [ETWHF_SHAPE_PAYLOAD_REALLOC] = {"payload.realloc", DOC, "a bare HeapReAlloc payload"},
    [ETWHF_SHAPE_HEAP_SYSTEM] = {"heap.system", DOC, "a heap record (HookId 0x10xx) in a system32/64 header"},
    [ETWHF_SHAPE_HEAP_COMPACT] = {"heap.compact", CHO, "a heap record in a compact32/64 header"},
    [ETWHF_SHAPE_HEAP_PERFINFO] = {"heap.perfinfo", CHO, "a heap record in a perfinfo32/64 header"},
    [ETWHF_SHAPE_HEAP_FULL] = {"heap.full", CHO,
                               "a heap record: the heap GUID in a full32/64 (EVENT_TRACE_HEADER) record"},
    [ETWHF_SHAPE_HEAP_INSTANCE] = {"heap.instance", CHO, "a heap record: the heap GUID in an instance32/64 record"},
    [ETWHF_SHAPE_HEAP_EVENT] = {"heap.event", CHO, "a heap record: the heap GUID as an EVENT_HEADER ProviderId"},
    [ETWHF_SHAPE_HEAP_OTHER] = {"heap.other_type", DOC,
                                "another heap event type (Create, Destroy, Expand, Lock, …) at its documented length"},
    [ETWHF_SHAPE_HEAP_OTHER_LENGTH] = {"heap.other_type_length", CHO,
                                       "another heap event type with a payload length no source gives"},
    [ETWHF_SHAPE_SOURCE_DOCUMENTED] = {"source.documented", DOC, "Source 1-5 (MEMORY_FROM_*)"},
    [ETWHF_SHAPE_SOURCE_RESERVED] = {"source.reserved", DOC,
                                     "Source 6 (MEMORY_FROM_SEGMENT_HEAP, documented as reserved)"},
    [ETWHF_SHAPE_SOURCE_UNKNOWN] = {"source.unknown", CHO, "Source 0 or above 6"},
    [ETWHF_SHAPE_VALUE_EDGE] = {"value.edge", DOC,
                                "a pointer or size of 0, all ones, kernel space, unaligned or tiny (opaque fields)"},
    [ETWHF_SHAPE_WIDTH_MIXED] = {"width.mixed", OBS, "32-bit records among the 64-bit records of one input"},
    [ETWHF_SHAPE_BYTE3_D0] = {"record.byte3_d0", CHO, "byte 3 0xD0 (0x10 beside 0x40) on a system or compact record"},
    [ETWHF_SHAPE_EXT_ITEMS] = {"ext.items", OBS, "EVENT_HEADER extended items, every ItemSize a multiple of 8"},
    [ETWHF_SHAPE_EXT_ITEM_UNALIGNED] = {"ext.item_unaligned", CHO,
                                        "an extended item whose ItemSize is 8 + DataSize, not a multiple of 8"},
    [ETWHF_SHAPE_PERFINFO_PMC] = {"perfinfo.pmc", DOC, "PMC counters or a PEBS index flagged in a PERFINFO Version"},
    [ETWHF_SHAPE_NEIGHBOUR_SYSTEM] = {"neighbour.system", OBS,
                                      "kernel events (thread, process, image, …) in system headers"},
    [ETWHF_SHAPE_NEIGHBOUR_COMPACT] = {"neighbour.compact", DOC, "kernel events in compact system headers"},
    [ETWHF_SHAPE_NEIGHBOUR_PERFINFO] = {"neighbour.perfinfo", OBS,
                                        "PERFINFO records without PMC or PEBS (sampled profile, context switch)"},
    [ETWHF_SHAPE_NEIGHBOUR_STACKWALK] = {"neighbour.stackwalk", OBS,
                                         "PERFINFO stack walks (HookId 0x1820) after events"},
    [ETWHF_SHAPE_NEIGHBOUR_EVENT] = {"neighbour.event", OBS, "EVENT_HEADER records of other providers"},
    [ETWHF_SHAPE_NEIGHBOUR_FULL] = {"neighbour.full", OBS, "EVENT_TRACE_HEADER (full) records of other providers"},
    [ETWHF_SHAPE_NEIGHBOUR_INSTANCE] = {"neighbour.instance", DOC,
                                        "EVENT_INSTANCE_GUID_HEADER records of other providers"},
    [ETWHF_SHAPE_MESSAGE_COMMON] = {"message.common", DOC, "a MESSAGE record with OptionFlags GUID | SYSTEMINFO"},
    [ETWHF_SHAPE_MESSAGE_OTHER] = {"message.other_flags", DOC,
                                   "a MESSAGE record with other TRACE_MESSAGE_* OptionFlags"},
    [ETWHF_SHAPE_MESSAGE_FINAL8] = {"message.final8", DOC, "a region ending in an 8-byte MESSAGE record (no items)"},
    [ETWHF_SHAPE_FILE_PLAIN] = {"file.plain", OBS, "an uncompressed file: every buffer one stride"},
    [ETWHF_SHAPE_FILE_COMPRESSED] = {"file.compressed", OBS,
                                     "a compressed file: XPRESS data buffers, each its own stride"},
    [ETWHF_SHAPE_FILE_LOGFILE32] = {"file.logfile32", OBS, "the 32-bit logfile layout (HeaderType 1, 0x110 bytes)"},
    [ETWHF_SHAPE_FILE_LOGFILE64] = {"file.logfile64", OBS, "the 64-bit logfile layout (HeaderType 2, 0x118 bytes)"},
    [ETWHF_SHAPE_FILE_HEADER_EVENTS] = {"file.header_events", OBS, "header-group records after the logfile record"},
    [ETWHF_SHAPE_BUFFER_SMALL] = {"buffer.small", DOC, "data buffers of 1, 2 or 4 KiB"},
    [ETWHF_SHAPE_BUFFER_LOST_COMPRESSED] = {"buffer.lost_flags_compressed", DOC,
                                            "EVENTS_LOST or BUFFER_LOST in a compressed buffer's flags"},
    [ETWHF_SHAPE_XPRESS_LONG_FORMS] =
        {"xpress.long_forms", DOC,
         "XPRESS matches in the u16 / u32 length forms where a shorter form holds the length"},
    [ETWHF_SHAPE_NAMES_ASCII] = {"names.ascii", OBS, "ASCII logger and log-file names"},
    [ETWHF_SHAPE_NAMES_NON_ASCII] = {"names.non_ascii", DOC, "names with umlauts, CJK or a surrogate pair (UTF-16LE)"},
    [ETWHF_SHAPE_NAMES_LONE_SURROGATE] = {"names.lone_surrogate", CHO, "a name with an unpaired UTF-16 surrogate"},
    [ETWHF_SHAPE_NAMES_OVERLONG] = {"names.overlong", CHO, "a name past etwhf's 256 / 1024-byte UTF-8 fields"},
    [ETWHF_SHAPE_BUFFER_SAVED_ZERO] = {"buffer.saved_offset_zero", OBS,
                                       "a header buffer with SavedOffset 0 and the end of its data in Offset"},
    [ETWHF_SHAPE_XPRESS_STREAM_LONGER] =
        {"xpress.stream_longer", CHO,
         "a compressed stream longer than the records it expands to (BufferSize > SavedOffset)"},
};

const struct etwhf_gen_shape_info *etwhf_gen_shape_info(int shape)
{
    return shape >= 0 && shape < ETWHF_SHAPE_COUNT ? &shapes[shape] : NULL;
}

int etwhf_gen_shape_from_name(const char *name)
{
    for (int i = 0; name && i < ETWHF_SHAPE_COUNT; i++)
        if (strcmp(shapes[i].name, name) == 0)
            return i;
    return -1;
}

const char *etwhf_evidence_name(int evidence)
{
    static const char *const names[] = {"observed", "documented", "chosen"};
    return evidence >= 0 && evidence <= CHO ? names[evidence] : NULL;
}

int etwhf_evidence_from_name(const char *name)
{
    for (int e = OBS; name && e <= CHO; e++)
        if (strcmp(etwhf_evidence_name(e), name) == 0)
            return e;
    return -1;
}

int etwhf_gen_shapes_evidence(uint64_t mask)
{
    int weakest = OBS;
    for (int i = 0; i < ETWHF_SHAPE_COUNT; i++)
        if ((mask >> i & 1u) && shapes[i].evidence > weakest)
            weakest = shapes[i].evidence;
    return weakest;
}

/* ---- reading a model's shapes ---------------------------------------------- */

size_t etwhf__model_other_heap_len(uint8_t type, unsigned width)
{
    /* Version 2 layouts of docs/spec/format.md §6.4 (wmicore.mof HeapTrace_V2, phnt ntwmi.h). */
    switch (type) {
    case ETWHF_HEAP_CREATE: return width + 4u; /* HeapHandle, Flags */
    case ETWHF_HEAP_DESTROY:
    case 0x2B:
    case 0x2C: return width;           /* HeapHandle (Destroy, Lock, Unlock) */
    case 0x25: return 6u * width + 4u; /* Expand: five pointers, NoOfUCRs, … (≤ v2) */
    case 0x2F: return 4u * width;      /* SubsegmentAlloc: four pointers */
    default: return 0;
    }
}

static int is_decoded(uint8_t type)
{
    return type == ETWHF_HEAP_FREE || type == ETWHF_HEAP_ALLOC || type == ETWHF_HEAP_REALLOC;
}

static uint64_t bit(int shape)
{
    return UINT64_C(1) << shape;
}

static uint64_t source_shape(uint32_t source)
{
    return bit(source >= 1 && source <= 5 ? ETWHF_SHAPE_SOURCE_DOCUMENTED
               : source == 6              ? ETWHF_SHAPE_SOURCE_RESERVED
                                          : ETWHF_SHAPE_SOURCE_UNKNOWN);
}

/* A heap record: the family its form belongs to, then what it carries. */
static uint64_t heap_item_shapes(const struct m_item *it, int family)
{
    static const int by_family[] = {
        [ETWHF_FAM_SYSTEM] = ETWHF_SHAPE_HEAP_SYSTEM,     [ETWHF_FAM_COMPACT] = ETWHF_SHAPE_HEAP_COMPACT,
        [ETWHF_FAM_PERFINFO] = ETWHF_SHAPE_HEAP_PERFINFO, [ETWHF_FAM_FULL] = ETWHF_SHAPE_HEAP_FULL,
        [ETWHF_FAM_INSTANCE] = ETWHF_SHAPE_HEAP_INSTANCE, [ETWHF_FAM_EVENT] = ETWHF_SHAPE_HEAP_EVENT,
    };
    uint64_t s = bit(by_family[family]);
    if (is_decoded(it->heap_type))
        s |= source_shape(it->source) | (it->drawn & IF_EDGE ? bit(ETWHF_SHAPE_VALUE_EDGE) : 0);
    else
        s |= bit(it->drawn & IF_OTHER_DOC_LEN ? ETWHF_SHAPE_HEAP_OTHER : ETWHF_SHAPE_HEAP_OTHER_LENGTH);
    return s;
}

static uint64_t neighbour_shapes(const struct m_item *it, int family, int in_header_buffer)
{
    switch (family) {
    case ETWHF_FAM_SYSTEM: return bit(in_header_buffer ? ETWHF_SHAPE_FILE_HEADER_EVENTS : ETWHF_SHAPE_NEIGHBOUR_SYSTEM);
    case ETWHF_FAM_COMPACT: return bit(ETWHF_SHAPE_NEIGHBOUR_COMPACT);
    case ETWHF_FAM_PERFINFO:
        return bit(item_u16(it, ETWHF_SYS_HOOK_ID) == ETWHF_HOOK_STACKWALK ? ETWHF_SHAPE_NEIGHBOUR_STACKWALK
                                                                           : ETWHF_SHAPE_NEIGHBOUR_PERFINFO);
    case ETWHF_FAM_FULL: return bit(ETWHF_SHAPE_NEIGHBOUR_FULL);
    case ETWHF_FAM_INSTANCE: return bit(ETWHF_SHAPE_NEIGHBOUR_INSTANCE);
    case ETWHF_FAM_EVENT: return bit(ETWHF_SHAPE_NEIGHBOUR_EVENT);
    default: return 0;
    }
}

/* One record as built: its header family, heap or neighbour, and the
 * variations of its header (byte 3, PMC / PEBS, extended items). */
static uint64_t item_shapes(const struct m_item *it, int in_header_buffer)
{
    if (it->form == ETWHF_HDR_MESSAGE) {
        if (it->drawn & IF_FINAL8)
            return bit(ETWHF_SHAPE_MESSAGE_FINAL8);
        return bit(item_u16(it, ETWHF_MSG_OPTION_FLAGS) == GEN_MSG_COMMON_FLAGS ? ETWHF_SHAPE_MESSAGE_COMMON
                                                                                : ETWHF_SHAPE_MESSAGE_OTHER);
    }
    const struct etwhf_header_info *hi = etwhf_header_info(it->form);
    if (!hi)
        return 0;
    int family = hi->family;
    int heap = family == ETWHF_FAM_SYSTEM || family == ETWHF_FAM_COMPACT || family == ETWHF_FAM_PERFINFO
                   ? item_u16(it, ETWHF_SYS_HOOK_ID) >> 8 == ETWHF_HEAP_GROUP
                   : it->guid_heap;
    uint64_t s = heap ? heap_item_shapes(it, family) : neighbour_shapes(it, family, in_header_buffer);
    if (it->h[3] == (ETWHF_TRACE_HEADER_FLAG | ETWHF_TRACE_HEADER_EVENT | ETWHF_TRACE_MESSAGE))
        s |= bit(ETWHF_SHAPE_BYTE3_D0);
    if (family == ETWHF_FAM_PERFINFO && (it->h[1] & 0x87u))
        s |= bit(ETWHF_SHAPE_PERFINFO_PMC);
    for (unsigned i = 0; family == ETWHF_FAM_EVENT && i < it->n_ext; i++)
        s |= bit(it->ext_size[i] % 8u ? ETWHF_SHAPE_EXT_ITEM_UNALIGNED : ETWHF_SHAPE_EXT_ITEMS);
    return s;
}

/* The logfile names drawn (logfile_enc.c's tables, in order). */
static uint64_t names_shapes(const struct gctx *g)
{
    if (!g->names_evil)
        return bit(g->names_pick == 0 ? ETWHF_SHAPE_NAMES_ASCII : ETWHF_SHAPE_NAMES_NON_ASCII);
    switch (g->names_pick) {
    case 0: return bit(ETWHF_SHAPE_NAMES_LONE_SURROGATE);
    case 1: return bit(ETWHF_SHAPE_NAMES_LONE_SURROGATE) | bit(ETWHF_SHAPE_NAMES_OVERLONG);
    default: return bit(ETWHF_SHAPE_NAMES_OVERLONG) | bit(ETWHF_SHAPE_NAMES_NON_ASCII);
    }
}

static uint64_t file_shapes(const struct gctx *g)
{
    uint64_t s = bit(g->plan.compressed ? ETWHF_SHAPE_FILE_COMPRESSED : ETWHF_SHAPE_FILE_PLAIN) |
                 bit(g->lf.layout == 4 ? ETWHF_SHAPE_FILE_LOGFILE32 : ETWHF_SHAPE_FILE_LOGFILE64) | names_shapes(g);
    if (g->bufs[0].saved_zero)
        s |= bit(ETWHF_SHAPE_BUFFER_SAVED_ZERO);
    for (size_t b = 1; b < g->n_bufs; b++) {
        if (g->bufs[b].stride < 0x2000u)
            s |= bit(ETWHF_SHAPE_BUFFER_SMALL);
        if (g->bufs[b].compressed && (g->bufs[b].hdr.flags & (ETWHF_BF_EVENTS_LOST | ETWHF_BF_BUFFER_LOST)))
            s |= bit(ETWHF_SHAPE_BUFFER_LOST_COMPRESSED);
    }
    return s;
}

uint64_t etwhf__model_shapes(const struct gctx *g)
{
    if (g->plan.layer == ETWHF_GEN_PAYLOAD) {
        static const int by_event[] = {
            [0] = ETWHF_SHAPE_PAYLOAD_FREE, [1] = ETWHF_SHAPE_PAYLOAD_ALLOC, [2] = ETWHF_SHAPE_PAYLOAD_REALLOC};
        int e = g->plan.event == ETWHF_HEAP_ALLOC ? 1 : g->plan.event == ETWHF_HEAP_REALLOC ? 2 : 0;
        return bit(by_event[e]) | source_shape(g->pev.source) | (g->edge_drawn ? bit(ETWHF_SHAPE_VALUE_EDGE) : 0);
    }
    uint64_t s = g->plan.layer == ETWHF_GEN_FILE ? file_shapes(g) : 0;
    int w4 = 0, w8 = g->plan.layer == ETWHF_GEN_FILE && g->lf.layout == 8;
    for (size_t b = 0; b < g->n_bufs; b++)
        for (size_t i = g->bufs[b].first; i < g->bufs[b].first + g->bufs[b].count; i++) {
            const struct m_item *it = &g->items[i];
            if (it->kind != MK_REC)
                continue;
            s |= item_shapes(it, g->plan.layer == ETWHF_GEN_FILE && b == 0);
            w4 |= it->width == 4;
            w8 |= it->width == 8;
        }
    if (w4 && w8)
        s |= bit(ETWHF_SHAPE_WIDTH_MIXED);
    return s;
}
