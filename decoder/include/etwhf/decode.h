/*
 * etwhf/decode.h — streaming decoder for Heap Trace Provider events in .etl
 * files, bare records and bare payloads (CONTRACT.md §2–3).
 *
 * Shape: an opaque context, explicit limits, a push API
 *   ctx = etwhf_decoder_new(&opts);  etwhf_decode_feed(ctx, buf, len) …;
 *   etwhf_decode_finish(ctx);        etwhf_decoder_free(ctx);
 * Any chunking of the same bytes gives identical events and diagnostics.
 * Events and diagnostics reach the caller through callbacks, in walk order.
 *
 * Memory: one buffer (two while decompressing), each at most
 * opts.buffer_limit bytes, plus a fixed amount; no allocation per event.
 * While the logfile record is probed (F2) and the first feeds are shorter
 * than it, up to 0x48 + 0xFFFF bytes are held as well. A buffer that lies
 * whole inside one feed is read in place; only buffers that straddle feeds
 * are copied, and skipped buffers are counted past, never stored.
 *
 * Threads: a context is used by one thread at a time; distinct contexts are
 * independent. Pointers handed to callbacks are valid only during the call.
 *
 * Errors: functions return enum etwhf_status (etwhf_strerror). After
 * ETWHF_ENOMEM or ETWHF_EABORTED the context stays invalid (ETWHF_EBADSTATE).
 * Defects in the input are never API errors: they are diagnostics.
 *
 * Strict mode: after the first error diagnostic nothing more is emitted and
 * feeds are only counted; the summary holds the counts reached then (a
 * skipped buffer is counted in buffers_skipped before its diagnostic).
 */
#ifndef ETWHF_DECODE_H
#define ETWHF_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "etwhf/format.h"

#ifdef __cplusplus
extern "C" {
#endif

enum etwhf_input { ETWHF_INPUT_FILE = 0, ETWHF_INPUT_RECORD = 1, ETWHF_INPUT_PAYLOAD = 2 };
enum etwhf_mode { ETWHF_MODE_RECOVER = 0, ETWHF_MODE_STRICT = 1 };

#define ETWHF_NO_BUFFER UINT64_MAX /* etwhf_diag.buffer for codes 1–2 and bare inputs */
#define ETWHF_EVENT_NO_HEADER 0xFFu /* etwhf_event.header of a bare payload (no record) */

/* One heap event. `type` is ETWHF_HEAP_FREE, _ALLOC or _REALLOC. Fields that
 * do not apply to the type are 0. */
struct etwhf_event {
    uint8_t type;
    uint8_t header;       /* enum etwhf_header of the carrying record */
    uint8_t version;      /* event version from the header */
    uint8_t pointer_size; /* 4 or 8, from the header type */
    uint8_t has_pid_tid;  /* 0 for perfinfo headers and bare payloads */
    uint8_t has_inner;    /* 1 in an expanded (compressed) buffer */
    uint16_t cpu;         /* ProcessorIndex of the buffer (0 for bare inputs) */
    uint32_t pid, tid;
    uint64_t buffer;       /* buffer position index, ETWHF_NO_BUFFER for bare inputs */
    uint64_t offset;       /* record's file offset; the buffer's when has_inner */
    uint64_t inner_offset; /* record's offset inside the expanded buffer */
    uint64_t timestamp;    /* raw header clock value */
    uint64_t heap_handle;
    uint64_t address;      /* Free, Alloc */
    uint64_t size;         /* Alloc */
    uint64_t new_address, old_address, new_size, old_size; /* ReAlloc */
    uint32_t source;
    uint32_t reserved;     /* always 0: names the tail padding, so every byte of an event is defined */
};

struct etwhf_diag {
    int code;            /* enum etwhf_diag_code */
    int severity;        /* enum etwhf_severity */
    uint8_t has_inner;
    uint64_t buffer;     /* ETWHF_NO_BUFFER for codes 1–2 and bare inputs */
    uint64_t offset;
    uint64_t inner_offset;
    char message[160];   /* one line for people, NUL-terminated */
};

struct etwhf_summary {
    uint64_t buffers, buffers_skipped, events_total;
    uint64_t heap_free, heap_alloc, heap_realloc;
    uint64_t errors, warnings;
    uint64_t bytes; /* input bytes fed (etwhf_decode_fd: the input's length, even when it stops early) */
};

/* Callbacks return 0 to go on; nonzero stops decoding with ETWHF_EABORTED. */
typedef int (*etwhf_event_fn)(void *user, const struct etwhf_event *ev);
typedef int (*etwhf_diag_fn)(void *user, const struct etwhf_diag *d);

struct etwhf_decode_options {
    int input;                 /* enum etwhf_input */
    int mode;                  /* enum etwhf_mode */
    unsigned pointer_size;     /* payload input: 4 or 8 */
    uint8_t payload_type;      /* payload input: ETWHF_HEAP_FREE (default when 0), _ALLOC, _REALLOC */
    uint64_t buffer_limit;     /* L; 0 = ETWHF_DEFAULT_BUFFER_LIMIT; at most 1 GiB */
    int no_decompress;         /* 1: behave as a decoder without a decompressor (C4) */
    etwhf_event_fn on_event;   /* may be NULL */
    etwhf_diag_fn on_diag;     /* may be NULL */
    void *user;
    const struct etwhf_allocator *allocator; /* NULL = malloc/free; must outlive the context */
};

/* Fields of the logfile record (F2), for `etwhf info` and wall-clock times. */
struct etwhf_logfile {
    unsigned layout_pointer_size; /* 4 or 8: which layout was read (HeaderType) */
    uint32_t buffer_size, version, provider_version, number_of_processors;
    uint64_t end_time;            /* FILETIME */
    uint32_t timer_resolution, maximum_file_size, log_file_mode, buffers_written;
    uint32_t pointer_size, events_lost, cpu_speed_mhz;
    uint64_t boot_time, perf_freq, start_time; /* FILETIMEs, and PerfFreq */
    uint32_t reserved_flags;      /* clock type */
    uint32_t buffers_lost;
    uint64_t header_timestamp;    /* SystemTime of the logfile record itself */
    int compressed;               /* F3 */
    char logger_name[256];        /* UTF-8, converted from UTF-16LE; may be truncated */
    char log_file_name[1024];
};

void etwhf_decode_options_init(struct etwhf_decode_options *opts);

/* NULL when the options are invalid or memory runs out. */
struct etwhf_decoder *etwhf_decoder_new(const struct etwhf_decode_options *opts);
int etwhf_decode_feed(struct etwhf_decoder *ctx, const void *data, size_t len);
/* Ends the input: raises what depends on the input's length, F5. */
int etwhf_decode_finish(struct etwhf_decoder *ctx);
/* 1 once nothing more can change the output (strict stop, file ended early):
 * a reader may stop reading. */
int etwhf_decoder_done(const struct etwhf_decoder *ctx);
const struct etwhf_summary *etwhf_decoder_summary(const struct etwhf_decoder *ctx);
/* ETWHF_OK and *out filled once a logfile record was read (F2), else ETWHF_EINVAL. */
int etwhf_decoder_logfile(const struct etwhf_decoder *ctx, struct etwhf_logfile *out);
void etwhf_decoder_free(struct etwhf_decoder *ctx);

/* Thin wrappers: new, feed (whole input or read() chunks), finish, copy the summary.
 * etwhf_decode_fd stops reading once etwhf_decoder_done(): the rest of a
 * regular file is measured, not read; a pipe is read to its end. */
int etwhf_decode_memory(const struct etwhf_decode_options *opts, const void *data, size_t len,
                        struct etwhf_summary *summary);
int etwhf_decode_fd(const struct etwhf_decode_options *opts, int fd, struct etwhf_summary *summary);

#ifdef __cplusplus
}
#endif
#endif
