/*
 * etwhf/format.h — what the decoder and the generator share: byte-format
 * constants (docs/spec/format.md), header forms, the diagnostic table of docs/spec/diagnostics.md,
 * API status codes and the allocator hook.
 *
 * Everything here is constant data or pure functions: thread-safe.
 * Numbers of diagnostic codes and status codes are stable forever; new ones
 * are appended.
 */
#ifndef ETWHF_FORMAT_H
#define ETWHF_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What the libraries export. They are built with hidden visibility: only
 * declarations marked ETWHF_API reach a shared library's symbol table, and
 * every other external name the libraries define starts with `etwhf__`
 * (internal, never part of the API). */
#ifndef ETWHF_API
#if defined(__GNUC__) || defined(__clang__)
#define ETWHF_API __attribute__((visibility("default")))
#else
#define ETWHF_API
#endif
#endif

#define ETWHF_VERSION_STRING "0.2.0" /* = the CMake project version (a test checks) */
/* Bumped when a JSON key of `etwhf decode` output changes meaning or goes away. */
#define ETWHF_OUTPUT_SCHEMA 1
#define ETWHF_MANIFEST_VERSION 1

/* ---- API status codes (return values; not diagnostics) ------------------ */
enum etwhf_status {
    ETWHF_OK = 0,
    ETWHF_EINVAL = 1,     /* bad argument or option */
    ETWHF_ENOMEM = 2,     /* allocation failed (context becomes invalid) */
    ETWHF_EBADSTATE = 3,  /* context invalid after an earlier fatal error, or used after finish */
    ETWHF_EIO = 4,        /* read or write failure (readers, writers) */
    ETWHF_EABORTED = 5,   /* a callback returned nonzero */
    ETWHF_ELIMIT = 6      /* a configured limit is out of range */
};
ETWHF_API const char *etwhf_strerror(int status);

/* ---- allocator hook ------------------------------------------------------ */
/* Every allocation of the libraries goes through this, so tests can make any
 * one of them fail. NULL hook or NULL functions mean malloc/free. */
struct etwhf_allocator {
    void *(*alloc)(void *user, size_t size);
    void (*free)(void *user, void *ptr);
    void *user;
};

/* ---- buffers (docs/spec/format.md §3) ---------------------------------------------- */
#define ETWHF_BUFFER_HEADER_SIZE 0x48u
#define ETWHF_BH_BUFFER_SIZE 0x00u
#define ETWHF_BH_SAVED_OFFSET 0x04u
#define ETWHF_BH_CURRENT_OFFSET 0x08u
#define ETWHF_BH_REFERENCE_COUNT 0x0Cu
#define ETWHF_BH_TIMESTAMP 0x10u
#define ETWHF_BH_SEQUENCE 0x18u
#define ETWHF_BH_CLOCK 0x20u
#define ETWHF_BH_PROCESSOR 0x28u
#define ETWHF_BH_LOGGER_ID 0x2Au
#define ETWHF_BH_STATE 0x2Cu
#define ETWHF_BH_OFFSET 0x30u
#define ETWHF_BH_FLAGS 0x34u
#define ETWHF_BH_TYPE 0x36u

#define ETWHF_BF_FLUSH_MARKER 0x0001u
#define ETWHF_BF_EVENTS_LOST 0x0002u
#define ETWHF_BF_BUFFER_LOST 0x0004u
#define ETWHF_BF_RTBACKUP_CORRUPT 0x0008u
#define ETWHF_BF_RTBACKUP 0x0010u
#define ETWHF_BF_PROC_INDEX 0x0020u
#define ETWHF_BF_COMPRESSED 0x0040u

#define ETWHF_BT_GENERIC 0u
#define ETWHF_BT_HEADER 4u
#define ETWHF_BUFFER_STATE_FLUSH 3u

#define ETWHF_COMPRESSION_XPRESS 3u /* low 16 bits of buffer 0's State */
#define ETWHF_LOGFILE_MODE_COMPRESSED 0x04000000u
#define ETWHF_LOGFILE_MODE_CIRCULAR 0x00000002u /* EVENT_TRACE_FILE_MODE_CIRCULAR: F5.2 does not apply */

/* Default buffer limit L of docs/spec/walk.md. */
#define ETWHF_DEFAULT_BUFFER_LIMIT (16u * 1024u * 1024u)
#define ETWHF_FILLER_DWORD 0xFFFFFFFFu

/* ---- logfile header (docs/spec/format.md §4), offsets inside the payload ---------- */
#define ETWHF_LOGFILE_SIZE32 0x110u
#define ETWHF_LOGFILE_SIZE64 0x118u
#define ETWHF_LF_BUFFER_SIZE 0x00u
#define ETWHF_LF_VERSION 0x04u
#define ETWHF_LF_PROVIDER_VERSION 0x08u
#define ETWHF_LF_NUMBER_OF_PROCESSORS 0x0Cu
#define ETWHF_LF_END_TIME 0x10u
#define ETWHF_LF_TIMER_RESOLUTION 0x18u
#define ETWHF_LF_MAXIMUM_FILE_SIZE 0x1Cu
#define ETWHF_LF_LOG_FILE_MODE 0x20u
#define ETWHF_LF_BUFFERS_WRITTEN 0x24u
#define ETWHF_LF_START_BUFFERS 0x28u
#define ETWHF_LF_POINTER_SIZE 0x2Cu
#define ETWHF_LF_EVENTS_LOST 0x30u
#define ETWHF_LF_CPU_SPEED 0x34u
#define ETWHF_LF_LOGGER_NAME 0x38u
/* From here the offsets depend on the layout (32 / 64-bit form). */
#define ETWHF_LF_TIME_ZONE(p) ((p) == 8 ? 0x48u : 0x40u)
#define ETWHF_LF_BOOT_TIME(p) ((p) == 8 ? 0xF8u : 0xF0u)
#define ETWHF_LF_PERF_FREQ(p) ((p) == 8 ? 0x100u : 0xF8u)
#define ETWHF_LF_START_TIME(p) ((p) == 8 ? 0x108u : 0x100u)
#define ETWHF_LF_RESERVED_FLAGS(p) ((p) == 8 ? 0x110u : 0x108u)
#define ETWHF_LF_BUFFERS_LOST(p) ((p) == 8 ? 0x114u : 0x10Cu)

/* ---- record headers (docs/spec/format.md §5, walk.md R9) ----------------------- */
#define ETWHF_TRACE_HEADER_FLAG 0x80u  /* byte 3 */
#define ETWHF_TRACE_HEADER_EVENT 0x40u /* byte 3 */
#define ETWHF_TRACE_MESSAGE 0x10u      /* byte 3 */

/* MESSAGE_TRACE_HEADER: u16 Size, a reserved byte, byte 3 (0x90), u16
 * MessageNumber, u16 OptionFlags; then, in this order, the items the flags
 * select, then the arguments. The decoder only skips MESSAGE records (R4);
 * the generator writes them as real traces show them. */
#define ETWHF_MSG_HEADER_SIZE 8u
#define ETWHF_MSG_OPTION_FLAGS 0x06u
#define ETWHF_MSG_SEQUENCE 0x0001u       /* u32 sequence number */
#define ETWHF_MSG_GUID 0x0002u           /* 16-byte message GUID */
#define ETWHF_MSG_COMPONENT_ID 0x0004u   /* u32 component id (instead of the GUID) */
#define ETWHF_MSG_TIMESTAMP 0x0008u      /* u64 timestamp */
#define ETWHF_MSG_PERF_TIMESTAMP 0x0010u /* u64 timestamp (performance counter) */
#define ETWHF_MSG_SYSTEM_INFO 0x0020u    /* u32 TID, u32 PID */

enum etwhf_header {
    ETWHF_HDR_SYSTEM32 = 0,
    ETWHF_HDR_SYSTEM64,
    ETWHF_HDR_COMPACT32,
    ETWHF_HDR_COMPACT64,
    ETWHF_HDR_PERFINFO32,
    ETWHF_HDR_PERFINFO64,
    ETWHF_HDR_FULL32,
    ETWHF_HDR_FULL64,
    ETWHF_HDR_INSTANCE32,
    ETWHF_HDR_INSTANCE64,
    ETWHF_HDR_EVENT32,
    ETWHF_HDR_EVENT64,
    ETWHF_HDR_FORMS, /* the 12 forms above carry heap events */
    ETWHF_HDR_MESSAGE = ETWHF_HDR_FORMS,
    ETWHF_HDR_COUNT
};

enum etwhf_family {
    ETWHF_FAM_SYSTEM,
    ETWHF_FAM_COMPACT,
    ETWHF_FAM_PERFINFO,
    ETWHF_FAM_FULL,
    ETWHF_FAM_INSTANCE,
    ETWHF_FAM_EVENT,
    ETWHF_FAM_MESSAGE
};

struct etwhf_header_info {
    const char *name;     /* "system64", … as in docs/spec/walk.md R9; "message" */
    uint8_t type;         /* HeaderType byte (byte 2); 0 for message */
    uint8_t family;       /* enum etwhf_family */
    uint8_t fixed_size;   /* H: fixed header bytes, extensions not included */
    uint8_t size_at;      /* offset of the u16 Size: 4 or 0 */
    uint8_t pointer_size; /* 4 or 8; 0 for message */
};

/* NULL when hdr is out of range. */
ETWHF_API const struct etwhf_header_info *etwhf_header_info(int hdr);
/* The table behind etwhf_header_info(), indexed by enum etwhf_header, for
 * per-record paths that have already range-checked hdr. */
extern ETWHF_API const struct etwhf_header_info etwhf_header_table[ETWHF_HDR_COUNT];
/* enum etwhf_header for a HeaderType byte, or -1 when it is not one of the 12. */
ETWHF_API int etwhf_header_from_type(uint8_t type);
/* enum etwhf_header for a name (message included), or -1. */
ETWHF_API int etwhf_header_from_name(const char *name);

/* The logfile record (F2): a SYSTEM-header record, HeaderType 1 (32-bit
 * layout) or 2 (64-bit), HookId 0x0000; its payload follows the 0x20-byte
 * SYSTEM header. */
#define ETWHF_LOGFILE_TYPE32 0x01u
#define ETWHF_LOGFILE_TYPE64 0x02u
#define ETWHF_SYSTEM_HEADER_SIZE 0x20u

/* Field offsets inside the headers that heap identity reads (docs/spec/walk.md R9). */
#define ETWHF_SYS_HOOK_ID 0x06u       /* system, compact, perfinfo */
#define ETWHF_SYS_TID 0x08u           /* system, compact */
#define ETWHF_SYS_PID 0x0Cu
#define ETWHF_SYS_TIME 0x10u
#define ETWHF_PERFINFO_TIME 0x08u
#define ETWHF_PERFINFO_EXT_START 0x10u
#define ETWHF_FULL_CLASS_TYPE 0x04u   /* full, instance */
#define ETWHF_FULL_CLASS_VERSION 0x06u
#define ETWHF_FULL_GUID 0x18u
#define ETWHF_EVT_FLAGS 0x04u         /* event */
#define ETWHF_EVT_PROVIDER 0x18u
#define ETWHF_EVT_DESC_ID 0x28u
#define ETWHF_EVT_DESC_VERSION 0x2Au
#define ETWHF_EVT_DESC_OPCODE 0x2Du
#define ETWHF_EVT_EXT_START 0x50u
#define ETWHF_EVT_FLAG_EXTENDED_INFO 0x0001u

/* ---- heap provider (docs/spec/format.md §6) ---------------------------------------- */
#define ETWHF_HEAP_GROUP 0x10u /* HookId high byte */
#define ETWHF_HEAP_CREATE 0x20u
#define ETWHF_HEAP_ALLOC 0x21u
#define ETWHF_HEAP_REALLOC 0x22u
#define ETWHF_HEAP_DESTROY 0x23u
#define ETWHF_HEAP_FREE 0x24u
#define ETWHF_HOOK_HEAP_FREE 0x1024u
#define ETWHF_HOOK_STACKWALK 0x1820u
#define ETWHF_HOOK_LOGFILE 0x0000u
#define ETWHF_HEAP_EVENT_VERSION 2u

/* {222962AB-6180-4B88-A825-346B75F2A24A} as stored on disk. */
extern ETWHF_API const uint8_t etwhf_heap_guid[16];

/* docs/spec/format.md §6.3 minimum payload length for Free/Alloc/ReAlloc at width 4 or
 * 8; 0 for any other type or width. */
ETWHF_API size_t etwhf_heap_payload_min(uint8_t type, unsigned pointer_size);

/* "HeapFree", "HeapAlloc" or "HeapReAlloc" (the `type` of an event line) for
 * ETWHF_HEAP_FREE, _ALLOC, _REALLOC; NULL for any other type. */
ETWHF_API const char *etwhf_heap_type_name(int type);
/* "free", "alloc" or "realloc" (option values, the manifest's `event`); NULL
 * for any other type. */
ETWHF_API const char *etwhf_heap_event_name(int type);
/* The type for either spelling ("HeapFree" or "free", …), or 0. */
ETWHF_API int etwhf_heap_type_from_name(const char *name);

/* Source values (MEMORY_FROM_*). */
enum etwhf_source {
    ETWHF_SOURCE_LOOKASIDE = 1,
    ETWHF_SOURCE_LOWFRAG = 2,
    ETWHF_SOURCE_MAINPATH = 3,
    ETWHF_SOURCE_SLOWPATH = 4,
    ETWHF_SOURCE_INVALID = 5,
    ETWHF_SOURCE_SEGMENT_HEAP = 6
};
/* "LOOKASIDE" … "SEGMENT_HEAP", or NULL for any other value. */
ETWHF_API const char *etwhf_source_name(uint32_t source);
/* The diagnostic a Source value draws (R9): 0 (none), ETWHF_DIAG_SOURCE_RESERVED
 * or ETWHF_DIAG_SOURCE_UNKNOWN. */
ETWHF_API int etwhf_source_diag(uint32_t source);

/* ---- diagnostics (docs/spec/diagnostics.md §2) -------------------------------------- */
enum etwhf_diag_code {
    ETWHF_DIAG_FILE_EMPTY = 1,
    ETWHF_DIAG_FILE_TOO_SHORT = 2,
    ETWHF_DIAG_LOGFILE_MISSING = 3,
    ETWHF_DIAG_LOGFILE_SHORT = 4,
    ETWHF_DIAG_LOGFILE_POINTER_SIZE = 5,
    ETWHF_DIAG_LOGFILE_BUFFER_SIZE = 6,
    ETWHF_DIAG_BUFFERS_WRITTEN = 7,
    ETWHF_DIAG_EVENTS_LOST = 8,
    ETWHF_DIAG_TRUNCATED_TAIL = 9,
    ETWHF_DIAG_BUFFER_SIZE = 10,
    ETWHF_DIAG_SAVED_OFFSET = 11,
    ETWHF_DIAG_COMPRESSED_UNSUPPORTED = 12,
    ETWHF_DIAG_DECOMPRESS = 13,
    ETWHF_DIAG_MARKER = 20,
    ETWHF_DIAG_HEADER_TYPE = 21,
    ETWHF_DIAG_RECORD_SIZE = 22,
    ETWHF_DIAG_PERFINFO_EXT = 23,
    ETWHF_DIAG_EXT_ITEM = 24,
    ETWHF_DIAG_HEAP_PAYLOAD_SHORT = 25,
    ETWHF_DIAG_HEAP_PAYLOAD_LONG = 26,
    ETWHF_DIAG_SOURCE_RESERVED = 27,
    ETWHF_DIAG_SOURCE_UNKNOWN = 28
};
#define ETWHF_DIAG_MAX 28 /* highest code; codes fit a 32-bit mask (bit = code) */

enum etwhf_severity { ETWHF_SEV_WARNING = 1, ETWHF_SEV_ERROR = 2 };

struct etwhf_diag_info {
    int code;
    const char *name;        /* "RECORD_SIZE" */
    int severity;            /* enum etwhf_severity */
    const char *steps;       /* walk steps that raise it: "R5" */
    const char *offset_rule; /* what its offset points at */
    const char *meaning;     /* one sentence for people */
    const char *resume;      /* what the walk does next */
};

/* NULL for an unknown code. */
ETWHF_API const struct etwhf_diag_info *etwhf_diag_info(int code);
/* The whole table in code order; *count receives its length. */
ETWHF_API const struct etwhf_diag_info *etwhf_diag_table(size_t *count);
/* Code for a name such as "RECORD_SIZE", or 0. */
ETWHF_API int etwhf_diag_from_name(const char *name);
ETWHF_API const char *etwhf_severity_name(int severity); /* "error" / "warning" */

#ifdef __cplusplus
}
#endif
#endif
