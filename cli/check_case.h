/*
 * check_case.h — a corpus as `etwhf check` holds it: the cases of a manifest
 * (CONTRACT.md §6) with their expectations, in compact arrays (internal).
 *
 * Why compact: a corpus has ≥100,000 cases and the in-process workers
 * inherit it through fork(), so it is parsed once, stored flat, never copied.
 */
#ifndef ETWHF_CHECK_CASE_H
#define ETWHF_CHECK_CASE_H

#include <stddef.h>
#include <stdint.h>

enum check_layer { CHECK_LAYER_PAYLOAD = 0, CHECK_LAYER_RECORD = 1, CHECK_LAYER_FILE = 2 };
enum check_mode { CHECK_MODE_RECOVER = 0, CHECK_MODE_STRICT = 1 };
#define CHECK_MODE_BIT(m) (1u << (m))

/* One HeapFree event as the manifest lists it (CONTRACT.md §6). */
struct check_event {
    uint64_t heap_handle, address;
    uint32_t source;
    uint8_t pointer_size;
};

/* One heap event of any type as the manifest's `heap_events` lists it: a
 * project extension beyond CONTRACT.md §6 (docs/check.md). Fields that do
 * not apply to the type are 0. */
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
    uint8_t has_other_counts; /* heap_alloc, heap_realloc present (not in CONTRACT.md §6: optional) */
    uint8_t has_heap_events;  /* heap_events present (not in CONTRACT.md §6: optional) */
    int first_code;
    uint64_t first_offset;
    uint32_t errors, warnings; /* bit n = diagnostic code n (codes ≤ ETWHF_DIAG_MAX < 32) */
    size_t event_start, event_count; /* slice of check_corpus.events: HeapFree events */
    uint64_t buffers, buffers_skipped, events_total;
    uint64_t heap_alloc, heap_realloc; /* HeapAlloc / HeapReAlloc events delivered */
    size_t heap_start, heap_count;     /* slice of check_corpus.heap_events */
};

struct check_case {
    uint64_t id;
    char *file;        /* as written in the manifest, relative to the corpus folder */
    size_t line;       /* manifest line, for messages */
    uint8_t layer;     /* enum check_layer */
    uint8_t pointer_size; /* 4 or 8; 0 = "mixed" */
    uint8_t event_type;   /* payload cases: ETWHF_HEAP_FREE/_ALLOC/_REALLOC (else FREE) */
    uint16_t headers;     /* bit h = enum etwhf_header h is used by the case */
    size_t fault_start, fault_count; /* slice of check_corpus.case_faults */
    struct check_expect expect;
};

struct check_corpus {
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

/* dir + "/" + file into buf; -1 when it does not fit. */
int check_case_path(const struct check_corpus *c, const struct check_case *k, char *buf, size_t len);

const char *check_layer_name(int layer);
const char *check_mode_name(int mode);
/* "free", "alloc", "realloc" for ETWHF_HEAP_* types. */
const char *check_event_name(int type);

#endif
