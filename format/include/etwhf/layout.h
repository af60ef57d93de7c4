/*
 * etwhf/layout.h — the byte layout of ETW traces as etwhf reads and writes
 * it (docs/spec/format.md): buffer and logfile header offsets, buffer flags,
 * record header fields, the header-form table and the heap provider's GUID.
 *
 * UNSTABLE: none of this is API. Names and values may change with any minor
 * version (the SONAME changes with it), which is why it lives apart from
 * etwhf/format.h. etwhf's own code (decoder, generator, fuzz harnesses,
 * tools, tests) uses it; a program that wants it anyway must say so by
 * defining ETWHF_LAYOUT_UNSTABLE before including it, the way zstd keeps its
 * experimental API behind ZSTD_STATIC_LINKING_ONLY. Inside this source tree
 * the libraries' build defines it (format/CMakeLists.txt).
 */
#ifndef ETWHF_LAYOUT_H
#define ETWHF_LAYOUT_H

#ifndef ETWHF_LAYOUT_UNSTABLE
#error "etwhf/layout.h is not a stable API: define ETWHF_LAYOUT_UNSTABLE before including it (see the header)"
#endif

#include "format.h"

#ifdef __cplusplus
extern "C" {
#endif

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

/* The logfile record (F2): a SYSTEM-header record, HeaderType 1 (32-bit
 * layout) or 2 (64-bit), HookId 0x0000; its payload follows the 0x20-byte
 * SYSTEM header. */
#define ETWHF_LOGFILE_TYPE32 0x01u
#define ETWHF_LOGFILE_TYPE64 0x02u
#define ETWHF_SYSTEM_HEADER_SIZE 0x20u

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

/* The table behind etwhf_header_info(), indexed by enum etwhf_header, for
 * per-record paths that have already range-checked hdr. */
extern ETWHF_API const struct etwhf_header_info etwhf_header_table[ETWHF_HDR_COUNT];

/* Field offsets inside the headers that heap identity reads (docs/spec/walk.md R9). */
#define ETWHF_SYS_HOOK_ID 0x06u /* system, compact, perfinfo */
#define ETWHF_SYS_TID 0x08u     /* system, compact */
#define ETWHF_SYS_PID 0x0Cu
#define ETWHF_SYS_TIME 0x10u
#define ETWHF_PERFINFO_TIME 0x08u
#define ETWHF_PERFINFO_EXT_START 0x10u
#define ETWHF_FULL_CLASS_TYPE 0x04u /* full, instance */
#define ETWHF_FULL_CLASS_VERSION 0x06u
#define ETWHF_FULL_GUID 0x18u
#define ETWHF_EVT_FLAGS 0x04u /* event */
#define ETWHF_EVT_PROVIDER 0x18u
#define ETWHF_EVT_DESC_ID 0x28u
#define ETWHF_EVT_DESC_VERSION 0x2Au
#define ETWHF_EVT_DESC_OPCODE 0x2Du
#define ETWHF_EVT_EXT_START 0x50u
#define ETWHF_EVT_FLAG_EXTENDED_INFO 0x0001u

/* ---- heap provider (docs/spec/format.md §6) ---------------------------------------- */
#define ETWHF_HEAP_GROUP 0x10u /* HookId high byte; the low byte is the heap event type */
#define ETWHF_HOOK_HEAP_FREE 0x1024u
#define ETWHF_HOOK_STACKWALK 0x1820u
#define ETWHF_HOOK_LOGFILE 0x0000u
#define ETWHF_HEAP_EVENT_VERSION 2u

/* {222962AB-6180-4B88-A825-346B75F2A24A} as stored on disk. */
extern ETWHF_API const uint8_t etwhf_heap_guid[16];

#ifdef __cplusplus
}
#endif
#endif
