/*
 * compare.h — what a decoder reported for one case in one mode, and
 * how it is judged against the manifest's expectation (internal).
 *
 * Both runners fill a check_observed: the in-process one from the decoder's
 * callbacks (codes, offsets and counts known), the external one from the
 * JSON lines a command printed (only what the check protocol lets it read).
 * A judgement is a check_diff: a few items, each naming a field with the
 * expected and the observed value, and a mask of the kinds of field that
 * differed (for the report's "by field" grouping).
 */
#ifndef ETWHF_CHECK_COMPARE_H
#define ETWHF_CHECK_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "corpus.h"

/* enum etwhf_mode as a bit of etwhf_check_options.modes. */
#define CHECK_MODE_BIT(m) (1u << (m))
/* "recover" or "strict" for enum etwhf_mode. */
const char *etwhf__check_mode_name(int mode);

/* What a decoder reported, its events in the generator's structs; a heap
 * event's header is -1 for a bare payload and when not read. */
struct check_observed {
    struct etwhf_gen_event *events; /* HeapFree events, in order */
    size_t nevents, cap;
    int oom;                            /* an event could not be stored */
    uint64_t heap_alloc, heap_realloc;  /* HeapAlloc / HeapReAlloc events */
    int other_known;                    /* heap_alloc, heap_realloc and heap (below) are meaningful */
    int header_known;                   /* heap[].header is meaningful (in-process only) */
    struct etwhf_gen_heap_expect *heap; /* every heap event of any type, in order */
    size_t nheap, heap_cap;
    uint64_t error_diags;      /* how many diagnostics had severity error */
    int codes_known;           /* errors, warnings, first_code are meaningful */
    uint32_t errors, warnings; /* bit n = code n */
    char unknown_code[48];     /* first code name that is not in the table ("" if none) */
    int has_first;             /* first error diagnostic seen */
    int first_code;
    int offset_known; /* first_offset is meaningful */
    uint64_t first_offset;
    int has_counts;
    uint64_t buffers, buffers_skipped, events_total;
    unsigned lines_bad;        /* output lines every run reads (not JSON, HeapFree, diag) that could not be */
    struct check_where *where; /* parallel to heap, in-process only (NULL otherwise) */
    size_t where_cap;
};

/* Where the decoder found a heap event (in-process). */
struct check_where {
    uint64_t buffer, offset, inner_offset;
    uint8_t has_buffer, has_inner;
};
/* The add functions return ETWHF_OK, or ETWHF_ENOMEM (then o->oom is set). */
int etwhf__check_observed_add_where(struct check_observed *o, const struct check_where *w);

void etwhf__check_observed_reset(struct check_observed *o);
void etwhf__check_observed_free(struct check_observed *o);
int etwhf__check_observed_add_event(struct check_observed *o, const struct etwhf_gen_event *ev);
int etwhf__check_observed_add_heap(struct check_observed *o, const struct etwhf_gen_heap_expect *ev);
/* A diagnostic: code 0 when the name is unknown (or not read). */
void etwhf__check_observed_add_diag(struct check_observed *o, int is_error, int code, const char *name, int has_offset,
                                    uint64_t offset);

/* Kinds of difference; their names are the report's field groups. */
enum check_kind {
    CHECK_K_EVENTS_COUNT,
    CHECK_K_HEAP_HANDLE,
    CHECK_K_ADDRESS,
    CHECK_K_SOURCE,
    CHECK_K_POINTER_SIZE,
    CHECK_K_VERDICT,
    CHECK_K_ERRORS,
    CHECK_K_WARNINGS,
    CHECK_K_FIRST_ERROR,
    CHECK_K_STRICT_STOP,
    CHECK_K_BUFFERS,
    CHECK_K_BUFFERS_SKIPPED,
    CHECK_K_EVENTS_TOTAL,
    CHECK_K_HEAP_ALLOC,
    CHECK_K_HEAP_REALLOC,
    /* heap_events (all types): pointers and sizes grouped, the item names the field */
    CHECK_K_HE_COUNT,
    CHECK_K_HE_TYPE,
    CHECK_K_HE_HEADER,
    CHECK_K_HE_POINTER_SIZE,
    CHECK_K_HE_HANDLE,
    CHECK_K_HE_ADDRESS,
    CHECK_K_HE_SIZE,
    CHECK_K_HE_SOURCE,
    CHECK_K_OUTPUT,
    CHECK_K_EXIT,
    CHECK_K_CRASH,
    CHECK_K_TIMEOUT,
    CHECK_K_IO,
    CHECK_K_COUNT
};
_Static_assert(CHECK_K_COUNT <= 32, "check_diff.kinds is a 32-bit mask");
const char *etwhf__check_kind_name(int kind);

/* check_diff.at_header besides enum etwhf_header: */
#define CHECK_AT_NONE (-1)    /* no event differed (verdict, codes, counts, a crash …) */
#define CHECK_AT_BARE (-2)    /* the event is a bare payload's: no header */
#define CHECK_AT_UNKNOWN (-3) /* an event the decoder added whose header it does not say */

#define CHECK_DIFF_ITEMS 6
struct check_item {
    uint8_t kind; /* enum check_kind */
    uint8_t mode; /* enum etwhf_mode */
    char field[40];
    char expected[120];
    char got[160];
    char where[72]; /* the differing event: header form, index, buffer and offset where known; or "" */
};
struct check_diff {
    uint32_t kinds;     /* bit k = some item (kept or dropped) of kind k */
    uint8_t modes;      /* CHECK_MODE_BIT of each mode with an item (kept or dropped) */
    uint8_t level_fail; /* CHECK_LEVEL_BIT of L1, L2, L3 whose own judgement a recover-mode run failed */
    unsigned n;         /* items kept */
    unsigned dropped;   /* items beyond CHECK_DIFF_ITEMS */
    int8_t at_header;   /* the first differing event's header form or CHECK_AT_*, when at_set */
    uint8_t at_mode;    /* the mode that set it */
    uint8_t at_set;
    int32_t at_index; /* its index in heap_events (or events when the manifest has no heap_events) */
    struct check_item items[CHECK_DIFF_ITEMS];
};
/* "system64", "bare payload", "no differing event", "unknown header". */
const char *etwhf__check_at_name(int at_header);

void etwhf__check_diff_reset(struct check_diff *d);
void etwhf__check_diff_add(struct check_diff *d, int kind, int mode, const char *field, const char *expected,
                           const char *got);
/* Adds src's items to d, after d's items of the same or an earlier mode
 * (the tally merges a case's runs, which finish in any order: the items
 * read as if recover mode had run first); items pushed past
 * CHECK_DIFF_ITEMS count as dropped. */
void etwhf__check_diff_merge(struct check_diff *d, const struct check_diff *src);

/* Judges o, the result of decoding case k in `mode`, and appends to d. In
 * recover mode it also sets d->level_fail: L1–L3 that etwhf__check_level_judge
 * does not pass. */
void etwhf__check_compare(const struct check_case *k, int mode, const struct check_observed *o, struct check_diff *d);

/* Conformance levels (docs/spec/conformance.md) as bits. */
#define CHECK_LEVEL_BIT(l) (1u << (l))
#define CHECK_LEVELS_RECOVER                                                                                           \
    (CHECK_LEVEL_BIT(ETWHF_CHECK_L1) | CHECK_LEVEL_BIT(ETWHF_CHECK_L2) | CHECK_LEVEL_BIT(ETWHF_CHECK_L3))
/* What a recover-mode run shows of levels L1–L3, each on its own terms and
 * whatever the case's set (levels.c decides membership and nesting):
 *  - L1: no error diagnostic, and every HeapFree event exact (count and fields);
 *  - L2: an error diagnostic when the case expects error, and the first
 *    expect.intact_prefix.events HeapFree events delivered and exact (0
 *    when the manifest gives no prefix);
 *  - L3: the verdict and every HeapFree event exact.
 * None of them passes when an output line every run reads (a line that is
 * not JSON, a HeapFree or diag line) could not be read, or the checker ran
 * out of memory: the decoder's answer is then not known. Codes, warnings,
 * counts and other heap events belong to L4 (the whole comparison). */
unsigned etwhf__check_level_judge(const struct check_case *k, const struct check_observed *o);

/* "[RECORD_SIZE, SOURCE_UNKNOWN]" for a code mask (and an extra unknown name). */
void etwhf__check_format_codes(char *buf, size_t len, uint32_t mask, const char *extra);

#endif
