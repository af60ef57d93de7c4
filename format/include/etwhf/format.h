/*
 * etwhf/format.h — what a program using the libraries needs besides their
 * own headers: versions, API status codes, the allocator hook, the header
 * forms, heap event types and Source values with their names, and the
 * diagnostic table of docs/spec/diagnostics.md.
 *
 * Everything here is constant data or pure functions: thread-safe.
 * Numbers of diagnostic codes and status codes are stable forever; new ones
 * are appended. The byte layout itself (field offsets, flags, the header
 * table, the heap provider's GUID) is etwhf/layout.h, which carries no
 * promise of stability.
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

#define ETWHF_VERSION_STRING "0.3.0" /* = the CMake project version (a test checks) */
/* Bumped when a JSON key of `etwhf decode` output changes meaning or goes away. */
#define ETWHF_OUTPUT_SCHEMA 1
#define ETWHF_MANIFEST_VERSION 1

/* ---- API status codes (return values; not diagnostics) ------------------ */
enum etwhf_status {
    ETWHF_OK = 0,
    ETWHF_EINVAL = 1,    /* bad argument or option */
    ETWHF_ENOMEM = 2,    /* allocation failed (context becomes invalid) */
    ETWHF_EBADSTATE = 3, /* context invalid after an earlier fatal error, or used after finish */
    ETWHF_EIO = 4,       /* read or write failure (readers, writers) */
    ETWHF_EABORTED = 5,  /* a callback returned nonzero */
    ETWHF_ELIMIT = 6     /* a configured limit is out of range */
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

/* Default buffer limit L of docs/spec/walk.md (the decoder's buffer_limit). */
#define ETWHF_DEFAULT_BUFFER_LIMIT (16u * 1024u * 1024u)

/* ---- header forms (docs/spec/format.md §5.2) ------------------------------ */
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
/* enum etwhf_header for a HeaderType byte, or -1 when it is not one of the 12. */
ETWHF_API int etwhf_header_from_type(uint8_t type);
/* enum etwhf_header for a name (message included), or -1. */
ETWHF_API int etwhf_header_from_name(const char *name);

/* ---- heap events (docs/spec/format.md §6): the type is the HookId's low
 * byte or the event descriptor's opcode ----------------------------------- */
#define ETWHF_HEAP_CREATE 0x20u
#define ETWHF_HEAP_ALLOC 0x21u
#define ETWHF_HEAP_REALLOC 0x22u
#define ETWHF_HEAP_DESTROY 0x23u
#define ETWHF_HEAP_FREE 0x24u
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
    ETWHF_DIAG_SOURCE_UNKNOWN = 28,
    ETWHF_DIAG_INPUT_SHRANK = 29 /* F6: raised by a reader that knew the input's size, never by a walk of bytes */
};
#define ETWHF_DIAG_MAX 29 /* highest code; codes fit a 32-bit mask (bit = code) */

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
