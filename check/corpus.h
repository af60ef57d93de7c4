/*
 * corpus.h — a corpus as the check holds it: the cases of a manifest with
 * their expectations, in compact arrays (internal).
 *
 * Why compact: a corpus has ≥100,000 cases and the in-process workers
 * inherit it through fork(), so it is parsed once, stored flat, never copied.
 */
#ifndef ETWHF_CHECK_CORPUS_H
#define ETWHF_CHECK_CORPUS_H

#include <stddef.h>
#include <stdint.h>

#include "etwhf/check.h"

/* One HeapFree event as the manifest lists it. */
struct check_event {
    uint64_t heap_handle, address;
    uint32_t source;
    uint8_t pointer_size;
};

/* One heap event of any type as the manifest's `heap_events` lists it: a
 * project extension (docs/check.md). Fields that do not apply to the type
 * are 0. */
struct check_heap_event {
    uint8_t type;          /* ETWHF_HEAP_FREE, _ALLOC, _REALLOC */
    uint8_t pointer_size;
    int8_t header;         /* enum etwhf_header; -1: none (bare payload) or not read */
    uint32_t source;
    uint64_t heap_handle, address, size;                   /* address: Free, Alloc; size: Alloc */
    uint64_t new_address, old_address, new_size, old_size; /* ReAlloc */
};

struct check_expect {
    uint8_t verdict_error;   /* "verdict":"error" */
    uint8_t has_first_error; /* first_error is an object */
    uint8_t has_counts;      /* buffers, buffers_skipped, events_total present (file cases) */
    uint8_t has_other_counts; /* heap_alloc, heap_realloc present (optional) */
    uint8_t has_heap_events;  /* heap_events present (optional) */
    int first_code;
    uint64_t first_offset;
    uint32_t errors, warnings; /* bit n = diagnostic code n (codes ≤ ETWHF_DIAG_MAX < 32) */
    size_t event_start, event_count; /* slice of etwhf_corpus.events: HeapFree events */
    uint64_t buffers, buffers_skipped, events_total;
    uint64_t heap_alloc, heap_realloc; /* HeapAlloc / HeapReAlloc events delivered */
    size_t heap_start, heap_count;     /* slice of etwhf_corpus.heap_events */
};

struct check_case {
    struct etwhf_corpus_case info;   /* what etwhf_corpus_case() shows */
    size_t fault_start, fault_count; /* slice of etwhf_corpus.case_faults */
    struct check_expect expect;
};

struct etwhf_corpus {
    char *dir;
    char *generator_version;
    struct check_case *cases;
    size_t ncases;
    struct check_event *events;
    size_t nevents;
    struct check_heap_event *heap_events;
    size_t nheap_events;
    uint32_t *case_faults; /* indexes into fault_names */
    size_t ncase_faults;
    char **fault_names;    /* distinct names, in order of first appearance */
    size_t nfaults;
};

/* Reads dir/manifest.jsonl into *out (zeroed first). ETWHF_OK, or
 * ETWHF_EIO / ETWHF_ENOMEM with a one-line reason in err; *out then holds
 * nothing to free. */
int etwhf__manifest_read(const char *dir, struct etwhf_corpus *out, char *err, size_t errlen);
/* Frees what *c holds (not c itself). */
void etwhf__corpus_clear(struct etwhf_corpus *c);

/* dir + "/" + file into buf; -1 when it does not fit. */
int etwhf__corpus_case_path(const struct etwhf_corpus *c, const struct check_case *k, char *buf, size_t len);
/* The name of fault j of case k. */
const char *etwhf__corpus_fault(const struct etwhf_corpus *c, const struct check_case *k, size_t j);

#endif
