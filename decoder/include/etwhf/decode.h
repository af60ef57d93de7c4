/*
 * etwhf/decode.h — streaming decoder for Heap Trace Provider events in .etl
 * files, bare records and bare payloads (docs/spec/walk.md).
 *
 * Shape: an opaque context, explicit limits, a push API
 *   etwhf_decode_options_init(&opts); …set fields…
 *   ctx = etwhf_decoder_new(&opts, &status);
 *   etwhf_decode_feed(ctx, buf, len) …;  etwhf_decode_finish(ctx);
 *   etwhf_decoder_summary(ctx) …;        etwhf_decoder_free(ctx);
 * or one of the readers (etwhf_decode_memory, etwhf_decode_fd), which feed
 * and finish a context for you. Any chunking of the same bytes gives
 * identical events, diagnostics and summary.
 * Events and diagnostics reach the caller through callbacks, in walk order.
 *
 * ABI: the options struct carries its own size (etwhf_decode_options_init
 * records the size the caller was compiled with), so fields can be added at
 * its end without breaking callers built against an older header. Every
 * other struct the API hands out (events, diagnostics, summary, logfile) is
 * owned by the library and read through a pointer, so it too may grow at
 * its end. Callers never allocate those.
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
 * etwhf_decode_fd stops reading there (below).
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

#define ETWHF_NO_BUFFER UINT64_MAX  /* etwhf_diag.buffer for codes 1, 2, 29 and bare inputs */
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
    uint64_t address;                                      /* Free, Alloc */
    uint64_t size;                                         /* Alloc */
    uint64_t new_address, old_address, new_size, old_size; /* ReAlloc */
    uint32_t source;
    uint32_t reserved; /* always 0: names the tail padding, so every byte of an event is defined */
};

struct etwhf_diag {
    int code;     /* enum etwhf_diag_code */
    int severity; /* enum etwhf_severity */
    uint8_t has_inner;
    uint64_t buffer; /* ETWHF_NO_BUFFER for codes 1–2 and bare inputs */
    uint64_t offset;
    uint64_t inner_offset;
    char message[160]; /* one line for people, NUL-terminated */
};

struct etwhf_summary {
    uint64_t buffers, buffers_skipped, events_total;
    uint64_t heap_free, heap_alloc, heap_realloc;
    uint64_t errors, warnings;
    uint64_t bytes; /* input bytes: every byte fed, and with etwhf_decode_fd every byte of the
                     * input, even those past the point where decoding stopped (but see
                     * etwhf_decode_fd on strict mode) */
};

/* Callbacks return 0 to go on; nonzero stops decoding with ETWHF_EABORTED. */
typedef int (*etwhf_event_fn)(void *user, const struct etwhf_event *ev);
typedef int (*etwhf_diag_fn)(void *user, const struct etwhf_diag *d);

struct etwhf_decode_options {
    size_t struct_size;      /* set by etwhf_decode_options_init: sizeof as the caller compiled it */
    int input;               /* enum etwhf_input */
    int mode;                /* enum etwhf_mode */
    unsigned pointer_size;   /* payload input: 4 or 8 */
    uint8_t payload_type;    /* payload input: ETWHF_HEAP_FREE (default when 0), _ALLOC, _REALLOC */
    uint64_t buffer_limit;   /* L; 0 = ETWHF_DEFAULT_BUFFER_LIMIT; at most 1 GiB */
    int no_decompress;       /* 1: behave as a decoder without a decompressor (C4) */
    etwhf_event_fn on_event; /* may be NULL */
    etwhf_diag_fn on_diag;   /* may be NULL */
    void *user;
    const struct etwhf_allocator *allocator; /* NULL = malloc/free; must outlive the context */
    /* Polled by etwhf_decode_fd after every read (also while it only counts
     * the rest of an input, so reads that never block — /dev/zero, a fast
     * writer — are stopped too) and when a read is interrupted by a signal:
     * nonzero stops with ETWHF_EABORTED. May be NULL. */
    int (*should_stop)(void *user);
    /* Added after should_stop: a caller built against a header without it
     * has it NULL. Called by etwhf_decode_fd before it waits: the input (a pipe, FIFO,
     * terminal, socket; never a regular file) has no byte ready, so the next
     * read blocks until its writer sends more; or the decoder is done and the
     * rest of such an input is only read to count it. Everything the bytes
     * read so far give has been delivered: a caller that buffers its output
     * flushes it here, so that output does not wait on a stalled input. May be
     * NULL (then no poll() is made). */
    void (*on_wait)(void *user);
};

/* Fields of the logfile record (F2), for `etwhf info` and wall-clock times. */
struct etwhf_logfile {
    unsigned layout_pointer_size; /* 4 or 8: which layout was read (HeaderType) */
    uint32_t buffer_size, version, provider_version, number_of_processors;
    uint64_t end_time; /* FILETIME */
    uint32_t timer_resolution, maximum_file_size, log_file_mode, buffers_written;
    uint32_t pointer_size, events_lost, cpu_speed_mhz;
    uint64_t boot_time, perf_freq, start_time; /* FILETIMEs, and PerfFreq */
    uint32_t reserved_flags;                   /* clock type */
    uint32_t buffers_lost;
    uint64_t header_timestamp; /* SystemTime of the logfile record itself */
    int compressed;            /* F3 */
    char logger_name[256];     /* UTF-8, converted from UTF-16LE; may be truncated */
    char log_file_name[1024];
};

/* Fills *opts with the defaults (file input, recover mode, pointer size 8,
 * HeapFree payloads, the default buffer limit, no callbacks) and records the
 * caller's sizeof in struct_size. Always use it before setting fields. */
#define etwhf_decode_options_init(opts) etwhf_decode_options_init_sized((opts), sizeof *(opts))
ETWHF_API void etwhf_decode_options_init_sized(struct etwhf_decode_options *opts, size_t struct_size);

/* A new context, or NULL with *status (when status is not NULL) saying why:
 * ETWHF_EINVAL (NULL or uninitialised options, a field out of range),
 * ETWHF_ELIMIT (buffer_limit above 1 GiB) or ETWHF_ENOMEM. */
ETWHF_API struct etwhf_decoder *etwhf_decoder_new(const struct etwhf_decode_options *opts, int *status);
ETWHF_API int etwhf_decode_feed(struct etwhf_decoder *ctx, const void *data, size_t len);
/* Ends the input: raises what depends on the input's length, F5. */
ETWHF_API int etwhf_decode_finish(struct etwhf_decoder *ctx);
/* 1 once nothing more can change the output (strict stop, file ended early):
 * a reader may stop reading. */
ETWHF_API int etwhf_decoder_done(const struct etwhf_decoder *ctx);
/* The counts so far; valid until the context is freed. */
ETWHF_API const struct etwhf_summary *etwhf_decoder_summary(const struct etwhf_decoder *ctx);
/* The logfile record's fields once one was read (F2), else NULL; valid until
 * the context is freed. */
ETWHF_API const struct etwhf_logfile *etwhf_decoder_logfile(const struct etwhf_decoder *ctx);
ETWHF_API void etwhf_decoder_free(struct etwhf_decoder *ctx);

/* Readers: thin loops over feed and finish, so they give what any other
 * chunking gives. Each feeds ctx (a fresh one, or one already fed a prefix)
 * and finishes it; read the summary and the logfile from ctx afterwards, then
 * free it.
 *
 * etwhf_decode_memory feeds [data, data+len) in one piece.
 * etwhf_decode_fd reads fd to its end. Once the decoder is done it reads no
 * more of a regular file (its remaining length is counted from fstat) and
 * reads any other input to its end, counting, so summary.bytes is the
 * input's length however it arrives — except after a strict-mode stop, where
 * it reads nothing more of an input that is not a regular file (a pipe or a
 * device may never end): summary.bytes is then what was read
 * (docs/spec/output.md §2.4). For a regular file it compares the input with
 * the size the file had when reading began and raises INPUT_SHRANK after
 * finishing when the input ended before it (docs/spec/walk.md F6).
 * opts.should_stop and opts.on_wait are its hooks between reads.
 * ETWHF_EIO when a read fails (errno is the read's); ETWHF_EABORTED when
 * opts.should_stop (or on_diag) said so. */
ETWHF_API int etwhf_decode_memory(struct etwhf_decoder *ctx, const void *data, size_t len);
ETWHF_API int etwhf_decode_fd(struct etwhf_decoder *ctx, int fd);

#ifdef __cplusplus
}
#endif
#endif
