/* Constant tables shared by decoder and generator; see etwhf/format.h and etwhf/layout.h. */
#include "etwhf/format.h"
#include "etwhf/layout.h"

#include <string.h>

const char *etwhf_strerror(int status)
{
    switch (status) {
    case ETWHF_OK: return "success";
    case ETWHF_EINVAL: return "invalid argument";
    case ETWHF_ENOMEM: return "out of memory";
    case ETWHF_EBADSTATE: return "context is invalid after an earlier error or already finished";
    case ETWHF_EIO: return "input/output error";
    case ETWHF_EABORTED: return "stopped by a callback";
    case ETWHF_ELIMIT: return "limit out of range";
    default: return "unknown status";
    }
}

const uint8_t etwhf_heap_guid[16] = {0xAB, 0x62, 0x29, 0x22, 0x80, 0x61, 0x88, 0x4B,
                                     0xA8, 0x25, 0x34, 0x6B, 0x75, 0xF2, 0xA2, 0x4A};

/* Order follows enum etwhf_header; one form a line, as the spec's table. */
/* clang-format off */
const struct etwhf_header_info etwhf_header_table[ETWHF_HDR_COUNT] = {
    {"system32", 0x01, ETWHF_FAM_SYSTEM, 0x20, 4, 4},
    {"system64", 0x02, ETWHF_FAM_SYSTEM, 0x20, 4, 8},
    {"compact32", 0x03, ETWHF_FAM_COMPACT, 0x18, 4, 4},
    {"compact64", 0x04, ETWHF_FAM_COMPACT, 0x18, 4, 8},
    {"perfinfo32", 0x10, ETWHF_FAM_PERFINFO, 0x10, 4, 4},
    {"perfinfo64", 0x11, ETWHF_FAM_PERFINFO, 0x10, 4, 8},
    {"full32", 0x0A, ETWHF_FAM_FULL, 0x30, 0, 4},
    {"full64", 0x14, ETWHF_FAM_FULL, 0x30, 0, 8},
    {"instance32", 0x0B, ETWHF_FAM_INSTANCE, 0x48, 0, 4},
    {"instance64", 0x15, ETWHF_FAM_INSTANCE, 0x48, 0, 8},
    {"event32", 0x12, ETWHF_FAM_EVENT, 0x50, 0, 4},
    {"event64", 0x13, ETWHF_FAM_EVENT, 0x50, 0, 8},
    {"message", 0x00, ETWHF_FAM_MESSAGE, 0x08, 0, 0},
};
/* clang-format on */

const struct etwhf_header_info *etwhf_header_info(int hdr)
{
    if (hdr < 0 || hdr >= ETWHF_HDR_COUNT)
        return NULL;
    return &etwhf_header_table[hdr];
}

int etwhf_header_from_type(uint8_t type)
{
    for (int i = 0; i < ETWHF_HDR_FORMS; i++)
        if (etwhf_header_table[i].type == type)
            return i;
    return -1;
}

int etwhf_header_from_name(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < ETWHF_HDR_COUNT; i++)
        if (strcmp(etwhf_header_table[i].name, name) == 0)
            return i;
    return -1;
}

size_t etwhf_heap_payload_min(uint8_t type, unsigned pointer_size)
{
    if (pointer_size != 4 && pointer_size != 8)
        return 0;
    switch (type) {
    case ETWHF_HEAP_FREE: return 2 * (size_t)pointer_size + 4;
    case ETWHF_HEAP_ALLOC: return 3 * (size_t)pointer_size + 4;
    case ETWHF_HEAP_REALLOC: return 5 * (size_t)pointer_size + 4;
    default: return 0;
    }
}

/* The one table of the decoded heap types' names (output lines, options,
 * manifest). */
static const struct {
    uint8_t type;
    const char *line, *option;
} heap_types[] = {
    {ETWHF_HEAP_FREE, "HeapFree", "free"},
    {ETWHF_HEAP_ALLOC, "HeapAlloc", "alloc"},
    {ETWHF_HEAP_REALLOC, "HeapReAlloc", "realloc"},
};

const char *etwhf_heap_type_name(int type)
{
    for (size_t i = 0; i < sizeof heap_types / sizeof heap_types[0]; i++)
        if (heap_types[i].type == type)
            return heap_types[i].line;
    return NULL;
}

const char *etwhf_heap_event_name(int type)
{
    for (size_t i = 0; i < sizeof heap_types / sizeof heap_types[0]; i++)
        if (heap_types[i].type == type)
            return heap_types[i].option;
    return NULL;
}

int etwhf_heap_type_from_name(const char *name)
{
    if (!name)
        return 0;
    for (size_t i = 0; i < sizeof heap_types / sizeof heap_types[0]; i++)
        if (strcmp(name, heap_types[i].line) == 0 || strcmp(name, heap_types[i].option) == 0)
            return heap_types[i].type;
    return 0;
}

const char *etwhf_source_name(uint32_t source)
{
    static const char *const names[] = {NULL,       "LOOKASIDE", "LOWFRAG",     "MAINPATH",
                                        "SLOWPATH", "INVALID",   "SEGMENT_HEAP"};
    return source < sizeof names / sizeof names[0] ? names[source] : NULL;
}

int etwhf_source_diag(uint32_t source)
{
    if (source == ETWHF_SOURCE_SEGMENT_HEAP)
        return ETWHF_DIAG_SOURCE_RESERVED;
    if (source == 0 || source > ETWHF_SOURCE_SEGMENT_HEAP)
        return ETWHF_DIAG_SOURCE_UNKNOWN;
    return 0;
}

#define E ETWHF_SEV_ERROR
#define W ETWHF_SEV_WARNING
static const struct etwhf_diag_info diags[] = {
    {1, "FILE_EMPTY", E, "F1", "0", "the input has no bytes", "the file ends"},
    {2, "FILE_TOO_SHORT", E, "F1", "0", "the input is shorter than one buffer header (0x48 bytes)", "the file ends"},
    {3, "LOGFILE_MISSING", E, "F2", "0x48",
     "no logfile record at 0x48 (byte 3 with 0xC0, HeaderType 1 or 2, HookId 0, Size within the input)",
     "no logfile field is used; the stride comes from buffer 0's BufferSize"},
    {4, "LOGFILE_SHORT", E, "F2", "0x48",
     "the logfile record's payload is shorter than its layout (0x110 or 0x118 bytes)",
     "no logfile field is used; the stride comes from buffer 0's BufferSize"},
    {5, "LOGFILE_POINTER_SIZE", W, "F2", "0x48", "the logfile PointerSize is neither 4 nor 8",
     "ignored: each record's width comes from its header type"},
    {6, "LOGFILE_BUFFER_SIZE", W, "F3", "0x48",
     "the logfile BufferSize is not a multiple of 8 between 0x48 and the buffer limit",
     "the stride comes from buffer 0's BufferSize"},
    {7, "BUFFERS_WRITTEN", W, "F5", "0x48",
     "the logfile BuffersWritten differs from the number of buffer positions in the file", "none (end of file)"},
    {8, "EVENTS_LOST", W, "F2, B7", "0x48, or the buffer's",
     "the logfile counts lost events or buffers, or a buffer has flag 0x0002 or 0x0004", "none"},
    {9, "TRUNCATED_TAIL", E, "B1, B4, C3", "the buffer position's", "the input ends inside a buffer",
     "records present before the cut are walked (B4), then the file ends"},
    {10, "BUFFER_SIZE", E, "F3, B3, C3", "the buffer's",
     "a buffer's BufferSize differs from the stride, or no usable stride or size exists",
     "uncompressed: the buffer is skipped by the stride; otherwise the file ends"},
    {11, "SAVED_OFFSET", E, "B6, C4, C5", "the buffer's",
     "SavedOffset is below 0x48 or past the buffer (or its expansion exceeds the limit)", "the buffer is skipped"},
    {12, "COMPRESSED_UNSUPPORTED", E, "B5, C4", "the buffer's",
     "a compressed buffer in an uncompressed file, or a compression format other than XPRESS LZ77",
     "the buffer is skipped"},
    {13, "DECOMPRESS", E, "C4", "the buffer's",
     "the compressed data is corrupt or does not expand to exactly SavedOffset - 0x48 bytes", "the buffer is skipped"},
    {20, "MARKER", E, "R3", "the record's", "byte 3 of a record lacks the trace-header flag 0x80",
     "the rest of the buffer is abandoned"},
    {21, "HEADER_TYPE", E, "R4", "the record's", "the record's header type is not one etwhf knows",
     "the rest of the buffer is abandoned"},
    {22, "RECORD_SIZE", E, "R5", "the record's",
     "the record's Size is below its fixed header or runs past the end of the buffer's data",
     "the rest of the buffer is abandoned"},
    {23, "PERFINFO_EXT", E, "R7", "the record's", "a PERFINFO record's PMC/PEBS extension runs past its Size",
     "the next record"},
    {24, "EXT_ITEM", E, "R8", "the record's",
     "an EVENT_HEADER extended-data item is malformed or runs past the record's Size", "the next record"},
    {25, "HEAP_PAYLOAD_SHORT", E, "R9", "the record's",
     "a HeapFree, HeapAlloc or HeapReAlloc payload is shorter than its minimum",
     "the event is dropped; the next record"},
    {26, "HEAP_PAYLOAD_LONG", W, "R9", "the record's",
     "a heap payload is longer than its minimum (extra bytes ignored)", "the event is delivered"},
    {27, "SOURCE_RESERVED", W, "R9", "the record's", "Source is 6 (SEGMENT_HEAP, documented as reserved)",
     "the event is delivered"},
    {28, "SOURCE_UNKNOWN", W, "R9", "the record's", "Source is 0 or greater than 6", "the event is delivered"},
    {29, "INPUT_SHRANK", E, "F6", "n, the bytes read",
     "the input, a regular file, ended before the size it had when the reader opened it: it shrank while it was read",
     "none (the last thing the walk does)"},
};
#undef E
#undef W

const struct etwhf_diag_info *etwhf_diag_table(size_t *count)
{
    if (count)
        *count = sizeof diags / sizeof diags[0];
    return diags;
}

const struct etwhf_diag_info *etwhf_diag_info(int code)
{
    for (size_t i = 0; i < sizeof diags / sizeof diags[0]; i++)
        if (diags[i].code == code)
            return &diags[i];
    return NULL;
}

int etwhf_diag_from_name(const char *name)
{
    if (!name)
        return 0;
    for (size_t i = 0; i < sizeof diags / sizeof diags[0]; i++)
        if (strcmp(diags[i].name, name) == 0)
            return diags[i].code;
    return 0;
}

const char *etwhf_severity_name(int severity)
{
    return severity == ETWHF_SEV_ERROR ? "error" : severity == ETWHF_SEV_WARNING ? "warning" : "unknown";
}
