/*
 * damage.h — damage the fault catalogue does not make, applied to a copy of
 * a generated trace: random bytes over a buffer, a zeroed buffer header,
 * lying BufferSize / SavedOffset / record Size, and truncation at every
 * layer (file header, logfile record, buffer header, buffer body, a record
 * boundary, a buffer boundary).
 *
 * Each damage says which buffer positions and bytes it touched, and — where
 * docs/spec/walk.md makes the outcome computable from the trace's intact
 * framing — what the walk must deliver from the buffer it hit and which
 * error it raises (struct dmg_rule). The rules are derived by hand from the
 * contract's steps, never by running the decoder.
 */
#ifndef ETWHF_TESTS_RELIABILITY_DAMAGE_H
#define ETWHF_TESTS_RELIABILITY_DAMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "etwhf/gen.h"
#include "outcome.h"

#define DMG_MAX_BUFS 64

/* Where the buffers of a trace are (read from its intact framing). */
struct layout {
    int compressed;
    uint32_t stride;              /* S of an uncompressed file */
    size_t n;                     /* buffer positions */
    uint64_t off[DMG_MAX_BUFS];   /* file offset of each position */
    uint64_t size[DMG_MAX_BUFS];  /* bytes it occupies (the last may be cut) */
    uint32_t saved[DMG_MAX_BUFS]; /* its data end: SavedOffset, or Offset where B6.0 takes it */
    uint64_t lf_end;              /* end of the logfile record: 0x48 + its Size */
    uint32_t buffers_written;     /* the logfile's, and whether the log is circular: a cut at a */
    int circular;                 /* buffer boundary short of BuffersWritten is F5.2's error */
};

/* 0, or -1 when the bytes do not frame as expected (too many buffers, a
 * stride that is not usable): such a trace gets no damage of ours. */
int layout_read(struct layout *l, const uint8_t *p, size_t len, int compressed);

enum dmg_kind {
    DK_RANDOM_BYTES = 0, /* a burst or a scatter of random bytes in one buffer */
    DK_ZERO_HEADER,      /* the 0x48-byte buffer header zeroed */
    DK_BUFFER_SIZE,      /* BufferSize ≠ stride: 0, 0x47, S±8, 2S, 0xFFFFFFFF, random */
    DK_SAVED_OFFSET_OUT, /* SavedOffset < 0x48 or > BufferSize */
    DK_SAVED_OFFSET_IN,  /* SavedOffset anywhere in [0x48, BufferSize] */
    DK_RECORD_SIZE,      /* a heap record's Size: 0, 7, 0xFFFF (rule) or random (no rule) */
    DK_TRUNCATE,         /* the file cut at a point of some layer */
    DK_KINDS
};
const char *dmg_kind_name(int kind);

/* What the walk must deliver from one buffer position. */
enum dmg_expect {
    BX_ALL = 0, /* every event the undamaged buffer held */
    BX_NONE,    /* none */
    BX_UPTO,    /* events whose record ends at or before `limit` (buffer-relative) */
    BX_BEFORE,  /* events whose record starts before `limit` (buffer-relative) */
    BX_UNKNOWN  /* the contract leaves it to the bytes: no exact expectation */
};

struct dmg_rule {
    int expect; /* enum dmg_expect for the buffer hit */
    uint64_t limit;
    uint32_t errors;  /* error codes it raises (bit = code) */
    int errors_known; /* 0: which errors depends on bytes we did not model */
};

struct damage {
    int kind;
    size_t buffer;        /* position hit (the cut's position for DK_TRUNCATE) */
    uint64_t cut;         /* DK_TRUNCATE: the new length */
    uint64_t lo, hi;      /* bytes changed [lo, hi) (DK_TRUNCATE: [cut, len)) */
    uint32_t value;       /* the value written, where one was */
    struct dmg_rule rule; /* for a trace with intact framing and this damage alone on the buffer */
};

/* Applies one damage of `kind` (or DK_RECORD_SIZE's fallback DK_RANDOM_BYTES
 * when the buffer holds no heap event) to bytes/len in place, drawing
 * choices from ds. `base` is the undamaged trace's decode (record offsets and
 * header forms of its events). */
void dmg_apply(struct damage *d, int kind, struct etwhf_dstream *ds, const struct layout *l, const struct outcome *base,
               uint8_t *bytes, size_t *len);

/* Buffer positions whose bytes [lo, hi) overlaps, as a bit mask. */
uint64_t dmg_positions(const struct layout *l, uint64_t lo, uint64_t hi);

#endif
