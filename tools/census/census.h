/*
 * census.h — what etl-census counts in real .etl files, and the layers that
 * count it (internal to the tool; usage in census_main.c).
 *
 * The census is the measurement behind the "observed" grade of
 * docs/spec/evidence.md: for every shape the generator can draw, how often
 * public traces hold it. It reads untrusted bytes, so every read goes through
 * the decoder's checked cursor (decoder/cursor.h) and every loop moves
 * forward by at least one byte. It observes; it does not judge: what etwhf's
 * walk would call an error, and anything else unusual, is kept as a note and
 * the census goes on where it can.
 */
#ifndef ETWHF_CENSUS_H
#define ETWHF_CENSUS_H

#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "etwhf/format.h"
#include "etwhf/layout.h"

/* ---- tally: value → count, for the distributions the census prints ----------
 * Sorted by value; at most TALLY_MAX distinct values, later ones are counted
 * in `other` (a census of hostile input must stay bounded). */
#define TALLY_MAX 48
struct tally {
    unsigned n;
    uint64_t other;
    uint64_t key[TALLY_MAX];
    uint64_t count[TALLY_MAX];
};
void etwhf__tally_add(struct tally *t, uint64_t key, uint64_t count);
void etwhf__tally_merge(struct tally *dst, const struct tally *src);
uint64_t etwhf__tally_total(const struct tally *t);
uint64_t etwhf__tally_get(const struct tally *t, uint64_t key);

/* How a record walk of one region ended (the census's own walk, close to
 * docs/spec/walk.md R1–R5 but never giving up on a file). */
enum census_end {
    END_EXACT,       /* the last record ended exactly at the region's end */
    END_FILLER,      /* the dword 0xFFFFFFFF (R2.1) */
    END_SHORT_TAIL,  /* 1–7 bytes left before the end (R1.1) */
    END_NO_MARKER,   /* byte 3 lacks 0x80 (R3.1) */
    END_HEADER_TYPE, /* 0x40 with an unknown HeaderType, or neither 0x40 nor 0x10 (R4.2, R4.4) */
    END_SIZE,        /* Size below the header, or past the region's end (R5.1, R5.2) */
    END_COUNT
};

/* Name classes of the logfile's two UTF-16LE names. */
enum census_name {
    NAME_EMPTY,
    NAME_ASCII,
    NAME_NON_ASCII, /* valid UTF-16 with a unit above 0x7F (pairs well formed) */
    NAME_LONE_SURROGATE,
    NAME_UNTERMINATED, /* no NUL unit before the record's Size */
    NAME_COUNT
};

#define NOTE_KEEP 6 /* per file: the first few, with their offsets */
#define NOTE_LEN 200

struct census {
    /* files */
    uint64_t files, bytes, unreadable;

    /* the logfile record (file offset 0x48) */
    uint64_t logfile_found;
    struct tally lf_header_type; /* 1 / 2; 0 = no logfile record */
    struct tally lf_buffer_size, lf_pointer_size, lf_log_file_mode, lf_version, lf_provider_version;
    struct tally lf_size_slack;         /* Size − (0x20 + layout + both names with terminators) */
    struct tally lf_bw_minus_positions; /* BuffersWritten − buffer positions (int64 as u64) */
    uint64_t lf_events_lost_files, lf_events_lost, lf_buffers_lost_files, lf_buffers_lost;
    uint64_t lf_pointer_vs_type;   /* PointerSize disagrees with the layout's width */
    uint64_t names[2][NAME_COUNT]; /* [0] logger, [1] log file */
    uint64_t compressed_files;
    struct tally compression_format; /* low 16 bits of buffer 0's State, compressed files */

    /* buffer positions */
    uint64_t positions, walked, plain, compressed;
    uint64_t saved_offset_bad, walked_by_offset;
    struct tally buf_flags, buf_type, buf_size;
    struct tally saved_mod8;  /* SavedOffset mod 8 of the buffers walked */
    struct tally buf_state;   /* State (+0x2C) */
    uint64_t offset_is_saved; /* plain buffers whose Offset (+0x30) = SavedOffset */
    /* filler: bytes [SavedOffset, BufferSize) of plain buffers */
    uint64_t filler_room, filler_all_ff, filler_other, filler_bytes, full_buffers;

    /* compressed buffers */
    uint64_t comp_expanded, comp_failed;
    struct tally comp_fail;          /* enum etwhf_xpress_result */
    uint64_t comp_ends_at_n;         /* the stream holds no output past SavedOffset − 0x48 */
    uint64_t comp_longer;            /* it holds more */
    uint64_t comp_end_marker;        /* it ends as MS-XCA ends a stream: a match flag bit where the input ends */
    struct tally comp_trailing;      /* input bytes left after the N-th output byte */
    struct tally comp_trailing_word; /* those bytes as a u32, when there are 4 */
    uint64_t comp_buf_size_min, comp_buf_size_max, comp_buf_size_mult8;
    uint64_t comp_lost_flags; /* EVENTS_LOST / BUFFER_LOST on a compressed buffer */

    /* region walks */
    uint64_t ends[END_COUNT];

    /* records */
    uint64_t records;
    uint64_t form[ETWHF_HDR_COUNT];
    struct tally byte3[ETWHF_HDR_COUNT];
    struct tally byte3_all;
    uint64_t narrow_in_wide; /* width-4 records in files whose logfile PointerSize is 8 */
    uint64_t wide_in_narrow;
    struct tally size_mod8;
    uint64_t size_min, size_max;
    uint64_t nonzero_pad; /* records whose alignment pad [Size, align8(Size)) is not all zero */
    struct tally unknown_header_type;

    /* MESSAGE */
    struct tally msg_options;

    /* PERFINFO */
    struct tally perf_pmc;    /* Version bits 8–10 */
    uint64_t perf_pebs;       /* Version bit 15 */
    uint64_t perf_other_bits; /* bits 11–14 set */
    uint64_t perf_ext_past_size;
    struct tally perf_version; /* low byte */

    /* EVENT_HEADER */
    struct tally evt_flags;
    uint64_t evt_with_items, items, items_mult8, items_eq_align8, items_eq_exact, item_anomalies;
    struct tally item_size, item_type, items_per_record;

    /* system-family groups (HookId high byte), heap records */
    struct tally sys_group;
    struct tally header_hooks;            /* HookIds of group 0x00 (the logfile record, header events) */
    uint64_t stackwalk[ETWHF_HDR_COUNT];  /* HookId 0x1820 */
    uint64_t heap_group[ETWHF_HDR_COUNT]; /* HookId 0x10xx in system / compact / perfinfo */
    uint64_t heap_guid[ETWHF_HDR_COUNT];  /* HeapGuid in full / instance / event */
    struct tally heap_hook;               /* HookId low byte / opcode of those */

    /* what was unusual: how often, and the first few of this file (per-file
     * censuses only) */
    uint64_t notes;
    char note[NOTE_KEEP][NOTE_LEN];
};

/* Context of one file's walk. */
struct census_file {
    struct census *cs;
    unsigned lf_pointer_size; /* 0 when unknown */
};

void etwhf__census_init(struct census *cs);
void etwhf__census_merge(struct census *dst, const struct census *src);
void etwhf__census_note(struct census *cs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* census_logfile.c: the logfile record at file offset 0x48; fills the lf_*
 * counters and f->lf_pointer_size. Returns 1 when a logfile record was read,
 * with its BufferSize, LogFileMode and BuffersWritten. */
struct census_logfile {
    uint32_t buffer_size, log_file_mode, buffers_written;
};
int etwhf__census_logfile(struct census_file *f, struct cur *file, struct census_logfile *lf);

/* census_buffer.c: every buffer position of the file. */
void etwhf__census_buffers(struct census_file *f, struct cur *file, const struct census_logfile *lf, int have_lf);

/* census_record.c: the records of one buffer; `buf` is the buffer as if
 * uncompressed (its header at 0, records from 0x48), `end` the region's end
 * in those coordinates. `where` is the buffer's file offset (for notes). */
void etwhf__census_region(struct census_file *f, struct cur *buf, size_t end, uint64_t where);

/* census_report.c */
enum census_format { CENSUS_TEXT, CENSUS_JSON };
struct census_report;
struct census_report *etwhf__report_open(enum census_format fmt);
void etwhf__report_file(struct census_report *r, const char *path, const struct census *cs);
void etwhf__report_total(struct census_report *r, const struct census *cs);
void etwhf__report_close(struct census_report *r);

#endif
