/*
 * tb.h — builds trace bytes by hand for the decoder tests: records in all 12
 * header forms and MESSAGE, heap payloads, buffers, logfile records, whole
 * traces and all-literal XPRESS streams. Written from docs/spec/format.md alone, apart
 * from the generator, so a misreading there cannot hide one here.
 */
#ifndef ETWHF_TESTS_TB_H
#define ETWHF_TESTS_TB_H

#include <stddef.h>
#include <stdint.h>

#include "etwhf/format.h"
#include "etwhf/layout.h"

struct tb {
    uint8_t *p;
    size_t len, cap;
};

void tb_init(struct tb *b);
void tb_free(struct tb *b);
void tb_reset(struct tb *b);
size_t tb_u8(struct tb *b, uint8_t v);
size_t tb_u16(struct tb *b, uint16_t v);
size_t tb_u32(struct tb *b, uint32_t v);
size_t tb_u64(struct tb *b, uint64_t v);
size_t tb_ptr(struct tb *b, unsigned width, uint64_t v);
size_t tb_bytes(struct tb *b, const void *src, size_t n);
size_t tb_fill(struct tb *b, uint8_t v, size_t n);
void tb_pad8(struct tb *b); /* zeros up to a multiple of 8 */
void tb_set_u8(struct tb *b, size_t off, uint8_t v);
void tb_set_u16(struct tb *b, size_t off, uint16_t v);
void tb_set_u32(struct tb *b, size_t off, uint32_t v);
uint32_t tb_get_u32(const struct tb *b, size_t off);

/* Header fields every heap record the helpers write carries (docs/spec/format.md §8). */
#define TB_TID 0x1A2Cu
#define TB_PID 0x0F10u
#define TB_TIME UINT64_C(0x1234567890)

/* Heap payloads, packed (docs/spec/format.md §6.3). */
void tb_free_payload(struct tb *b, unsigned width, uint64_t handle, uint64_t address, uint32_t source);
void tb_alloc_payload(struct tb *b, unsigned width, uint64_t handle, uint64_t size, uint64_t address, uint32_t source);
void tb_realloc_payload(struct tb *b, unsigned width, uint64_t handle, uint64_t new_address, uint64_t old_address,
                        uint64_t new_size, uint64_t old_size, uint32_t source);

struct tb_rec {
    int hdr;       /* enum etwhf_header (ETWHF_HDR_MESSAGE for a message) */
    int heap;      /* heap identity: HookId group 0x10, or the heap GUID */
    uint8_t type;  /* HookId low byte, Class.Type or Opcode */
    uint8_t group; /* system family without `heap`: HookId high byte */
    uint8_t version;
    unsigned pmc;       /* perfinfo: PMC count (0-7) */
    int pebs;           /* perfinfo: PEBS index present */
    const uint8_t *ext; /* event forms: extended items (sets Flags bit 0) */
    size_t ext_len;
    const uint8_t *payload;
    size_t payload_len;
    int size_delta; /* added to the Size field written */
};
/* Appends the record and its zero pad to 8; returns the record's offset. */
size_t tb_record(struct tb *b, const struct tb_rec *r);
/* A HeapFree record in form `hdr` with the given fields. */
size_t tb_free_record(struct tb *b, int hdr, uint64_t handle, uint64_t address, uint32_t source);

struct tb_logfile {
    unsigned width; /* 4 (HeaderType 1, 0x110 layout) or 8 (HeaderType 2, 0x118) */
    uint32_t buffer_size, buffers_written, pointer_size, mode, events_lost, buffers_lost;
    const char *logger_name, *log_file_name; /* ASCII, written as UTF-16LE with NUL */
    size_t payload_cut;                      /* nonzero: the payload is cut to this many bytes */
};
void tb_logfile_default(struct tb_logfile *lf, uint32_t buffer_size, uint32_t buffers_written);
size_t tb_logfile_record(struct tb *b, const struct tb_logfile *lf);

/* A buffer occupying `span` bytes: BufferSize = span, SavedOffset = 0x48 +
 * body length, the body, 0xFF filler. Returns the buffer's offset. */
size_t tb_buffer(struct tb *b, uint32_t span, uint16_t flags, uint16_t type, const struct tb *body);
/* A compressed buffer: flags 0x60, BufferSize = 0x48 + stream, SavedOffset
 * = 0x48 + body length, the body as an all-literal XPRESS stream. */
size_t tb_cbuffer(struct tb *b, const struct tb *body);
/* A compressed buffer around a given stream expanding to `expanded` bytes. */
size_t tb_cbuffer_raw(struct tb *b, const uint8_t *stream, size_t stream_len, size_t expanded);
/* MS-XCA plain LZ77 with literals only: per 32 bytes a zero flag word. */
void tb_xpress_literal(struct tb *out, const uint8_t *data, size_t len);

/* Buffer-header field offsets for patching. */
#define TB_BSIZE 0x00u
#define TB_SAVED 0x04u
#define TB_STATE 0x2Cu
#define TB_FLAGS 0x34u

/* A trace: buffer 0 (stride S) holding the logfile record `lf` (NULL:
 * defaults with BuffersWritten = n + 1) then one buffer per body. */
void tb_trace(struct tb *out, uint32_t stride, const struct tb_logfile *lf, const struct tb *bodies, size_t n);
/* A compressed trace: buffer 0 of 0x400 bytes (LogFileMode 0x04000000),
 * then one compressed buffer per body. */
void tb_ctrace(struct tb *out, const struct tb *bodies, size_t n);

#endif
