/*
 * context.h — the decoder context and the calls between its layers (internal).
 *
 * Data flows one way, each layer a file whose functions are the walk's
 * steps (docs/spec/walk.md), named after them with their rule ids:
 *
 *   decoder.c  the API: options, diagnostics, the push calls.
 *   file.c     F1–F3 (probe_steps: file_too_short, logfile_probe,
 *              logfile_missing_reason, logfile_checks, stride_from_logfile,
 *              stride_from_buffer0), then F4 over fed bytes by the phases of
 *              a position (position_in_place; header_bytes, kept_bytes,
 *              passed_over_bytes when it straddles feeds) and F5
 *              (buffers_written_check). logfile.c reads the record of F2.7.
 *   bare.c     P and Q: records in place, a staged record and its pad
 *              (records_in_place, staged_bytes, pad_bytes), payload_finish.
 *   buffer.c   B2–B7 and C2–C6 of one position: the plan from its header
 *              (plan_header, plan_uncompressed, plan_compressed,
 *              buffer_size_ends, plan_expansion, saved_offset_check), then
 *              the run (accept_records, inflate_records, plan_diag).
 *   xpress.c   X1–X8 (flag_word, literal_run, match_length with
 *              length_nibble and length_byte_forms, match_copy).
 *   record.c   R1–R6 (step: record_form, record_form_other,
 *              size_below_header, record_cut), R7–R9.3 (record_body:
 *              hook_record, perfinfo_start, other_record with event_record,
 *              ext_items_end and class_record, heap_event, event_header).
 *   payload.h  R9.4–R9.9 (payload_decode; its diagnostics in payload.c).
 *
 * Every layer reports through etwhf__dec_diag / dec_event, which return
 * nonzero once the walk must stop (strict stop, callback abort, no memory);
 * callers then unwind without emitting anything more. A layer that reads
 * through a cursor ends with CUR_DONE (cursor.h).
 */
#ifndef ETWHF_CONTEXT_H
#define ETWHF_CONTEXT_H

#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "etwhf/decode.h"
#include "etwhf/layout.h"
#include "hooks.h"

#if defined(__GNUC__) || defined(__clang__)
#define DEC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define DEC_LIKELY(x) __builtin_expect(!!(x), 1)
#define DEC_UNLIKELY(x) __builtin_expect(!!(x), 0)
/* For a step of the per-record path that the compiler would keep as a call. */
#define DEC_INLINE inline __attribute__((always_inline))
#else
#define DEC_PRINTF(f, a)
#define DEC_LIKELY(x) (x)
#define DEC_UNLIKELY(x) (x)
#define DEC_INLINE inline
#endif

#define HDR_BYTES ETWHF_BUFFER_HEADER_SIZE
/* The F2 probe never needs more than the logfile record's largest extent. */
#define PROBE_MAX ((size_t)HDR_BYTES + 0xFFFFu)

enum dec_halt { HALT_NONE = 0, HALT_STRICT, HALT_ABORT, HALT_NOMEM };
enum dec_state { CTX_OPEN = 0, CTX_FINISHED, CTX_INVALID };

/* Where a diagnostic or an event is (docs/spec/walk.md, O). */
struct loc {
    uint64_t buffer, offset, inner_offset;
    int has_inner;
};

/* A run of records in memory: byte 0 of the view sits at `file_off` in the
 * file and at `coord0` of its buffer (0x48; 0 for bare input). In an expanded
 * buffer (`inner`) `file_off` is the buffer's own file offset. */
struct region {
    uint64_t buffer; /* position index, ETWHF_NO_BUFFER for bare input */
    uint64_t file_off;
    size_t coord0;
    int inner;
    int final;        /* the view's end is the region's end: a record cut there is judged */
    size_t saved_end; /* SavedOffset relative to byte 0; ≥ the view's length */
    uint16_t cpu;
};

/* The place (O) of the record at p of the region: the diagnostics' and the
 * event's. */
static inline struct loc region_loc(const struct region *rg, size_t p)
{
    struct loc at = {rg->buffer, rg->file_off, 0, 0};
    if (rg->inner) {
        at.inner_offset = rg->coord0 + p;
        at.has_inner = 1;
    } else {
        at.offset = rg->file_off + p; /* O3: a file offset */
        if (ETWHF_MUTANT_ON(MU_O3_BUFFER_RELATIVE))
            at.offset = rg->coord0 + p;
    }
    return at;
}

/* What one buffer position will do, decided from its 0x48-byte header. */
enum plan_action { PLAN_ACCEPT, PLAN_INFLATE, PLAN_SKIP, PLAN_END };
enum plan_why {
    WHY_NONE,
    WHY_STRIDE,        /* B3.1 */
    WHY_FLAG_IN_PLAIN, /* B5.1 */
    WHY_FORMAT,        /* C4.3 */
    WHY_NO_DECOMPRESS, /* C4.4 */
    WHY_SAVED_LOW,     /* B6.1, C4.1, C5.1 */
    WHY_SAVED_HIGH,    /* B6.2, C5.2 */
    WHY_SAVED_LIMIT,   /* C4.2 */
    WHY_SIZE_LOW,      /* C3.2 */
    WHY_SIZE_LIMIT     /* C3.3 */
};
struct bplan {
    uint64_t total; /* bytes this position spans (the stride) */
    size_t keep;    /* bytes of it the step reads, header included (≥ 0x48) */
    int action;     /* enum plan_action */
    int code;       /* diagnostic of PLAN_SKIP / PLAN_END */
    int why;        /* enum plan_why */
    uint32_t bsize, saved;
    uint32_t offset_field; /* Offset (+0x30): the data end when SavedOffset is 0 (B6.0, C5.0) */
    uint16_t flags, cpu;
};

enum walk_phase { WALK_IDLE, WALK_HEADER, WALK_BODY, WALK_ENDED };
struct walk {
    int phase;
    int compressed;
    uint16_t format;  /* low 16 bits of buffer 0's State */
    uint64_t stride;  /* S, uncompressed files */
    uint64_t off;     /* file offset of the current position */
    uint64_t seen;    /* bytes of the current position seen so far */
    uint64_t index;   /* index of the current position */
    uint64_t visited; /* positions at which a buffer step began (F5) */
    int at_boundary;  /* the input ran out exactly where a position would begin (F5.2) */
    struct bplan plan;
    uint8_t *stage; /* the current position's bytes when they straddle feeds */
    size_t stage_cap;
    uint8_t *exp; /* expanded compressed buffer */
    size_t exp_cap;
};

struct probe {
    uint8_t *buf; /* [0, have) of the file while F2 waits for bytes */
    size_t have;
    size_t need; /* bytes the next F2 decision waits for */
    int decided;
    int logfile_read;
    uint32_t buffers_written;
};

struct bare {
    uint64_t pos;   /* file offset of the next record */
    uint64_t skip;  /* bytes before `pos` not yet fed (alignment pad) */
    uint8_t *stage; /* a record cut by the end of a feed: [pos, pos + staged) */
    size_t staged, need, cap;
    uint8_t payload[64];
};

struct etwhf_decoder {
    struct etwhf_decode_options opts;
    struct etwhf_allocator alloc;
    uint64_t limit;
    uint8_t severity[ETWHF_DIAG_MAX + 1];
    int state; /* enum dec_state */
    int halt;  /* enum dec_halt */
    int ended; /* the walk ended: later bytes change nothing */
    struct etwhf_summary sum;
    struct probe probe;
    struct walk walk;
    struct bare bare;
    int have_logfile;
    struct etwhf_logfile logfile;
};

/* decoder.c */
void *etwhf__dec_alloc(struct etwhf_decoder *d, size_t size);
void etwhf__dec_free(struct etwhf_decoder *d, void *p);
/* Grows *buf to hold `need` bytes, keeping its first `keep`; 0 on success. */
int etwhf__dec_reserve(struct etwhf_decoder *d, uint8_t **buf, size_t *cap, size_t need, size_t keep);
int etwhf__dec_diag(struct etwhf_decoder *d, int code, const struct loc *at, const char *fmt, ...) DEC_PRINTF(4, 5);
/* Inline: every delivered event passes here, after R9.9 counted it. */
static inline int dec_event(struct etwhf_decoder *d, const struct etwhf_event *ev)
{
    if (d->opts.on_event && d->opts.on_event(d->opts.user, ev)) {
        d->halt = HALT_ABORT;
        return 1;
    }
    return 0;
}
/* Copies [off, off+n) of the feed `in` to dst through the cursor. */
void etwhf__dec_take(struct cur *in, size_t off, uint8_t *dst, size_t n);

/* file.c: F1–F5 over fed bytes (probe_feed, walk_push), and at finish. */
int etwhf__file_feed(struct etwhf_decoder *d, const uint8_t *data, size_t len);
int etwhf__file_finish(struct etwhf_decoder *d);
void etwhf__file_release(struct etwhf_decoder *d);

/* logfile.c: F2.7, fills d->logfile from the record at 0x48 of `c`, whose
 * Size fits in `c` and whose payload holds the layout of `width`. */
void etwhf__logfile_read(struct etwhf_decoder *d, struct cur *c, unsigned width, size_t size);

/* bare.c: Q (records_feed) and P over fed bytes, and at finish. */
int etwhf__bare_feed(struct etwhf_decoder *d, const uint8_t *data, size_t len);
int etwhf__bare_finish(struct etwhf_decoder *d);
void etwhf__bare_release(struct etwhf_decoder *d);

/* buffer.c: B2–B7 / C2–C5 decided from the position's 0x48-byte header. */
void etwhf__buffer_plan(const struct etwhf_decoder *d, const uint8_t *header, struct bplan *pl);
/* B1, B4, C1, C3.1 and the planned step over the position's first `kept`
 * bytes; `truncated` when the input ended inside it (B4.1, C3.1). Returns 1
 * when the file ends here. */
int etwhf__buffer_run(struct etwhf_decoder *d, const uint8_t *bytes, size_t kept, int truncated);

/* record.c */
enum rec_status { REC_NEXT, REC_END, REC_ABANDON, REC_HALT, REC_NEED };
/* R1–R9 for the record at p of the view; *arg receives the next record's
 * offset (REC_NEXT) or the bytes from p the record needs (REC_NEED, only
 * when the region is not final). */
int etwhf__record_step(struct etwhf_decoder *d, const struct region *rg, struct cur *c, size_t p, size_t *arg);
/* R1–R9 over a whole final region from 0; nonzero when the walk must stop.
 * Without an event callback (counting) it builds no event. */
int etwhf__record_walk(struct etwhf_decoder *d, const struct region *rg, struct cur *c);

/* payload.c, payload.h: R9.4–R9.9 (payload_decode is inline, in payload.h).
 * The diagnostics take the event's type, width and Source as values, so the
 * counting walk, which builds no event, calls them as the callback walk does. */
/* The SOURCE_RESERVED / SOURCE_UNKNOWN diagnostic of a heap event of `type`
 * whose Source is not 1–5, at the record at p of rg; returns
 * etwhf__dec_diag's answer. */
int etwhf__payload_source_diag(struct etwhf_decoder *d, unsigned type, uint32_t source, const struct region *rg,
                               size_t p);
/* HEAP_PAYLOAD_SHORT or HEAP_PAYLOAD_LONG for a payload of `type` at width
 * `w` of `len` bytes against its minimum `min`; returns etwhf__dec_diag's
 * answer. */
int etwhf__payload_length_diag(struct etwhf_decoder *d, unsigned type, unsigned w, uint64_t len, size_t min,
                               const struct region *rg, size_t p);

#endif
