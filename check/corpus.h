/*
 * corpus.h — a corpus as the check holds it: the cases of a manifest with
 * their expectations, in compact arrays (internal).
 *
 * Why compact: a corpus has ≥100,000 cases and the in-process workers
 * inherit it through fork(), so it is parsed once, stored flat, never copied.
 *
 * Expectations are the generator's structs (etwhf/gen.h), so what `etwhf
 * gen` computed and what the check compares are one type: a case's
 * `expect` is a struct etwhf_gen_expect whose `events` (struct
 * etwhf_gen_event) and `heap_events` (struct etwhf_gen_heap_expect) are
 * slices of the corpus's flat arrays. What a manifest read back needs
 * beyond them, all of it here:
 *  - presence flags for the keys a reader must take as optional: the file
 *    counts (buffers, buffers_skipped, events_total: file cases only),
 *    heap_alloc with heap_realloc, heap_events (absent from manifests
 *    before generator version 4 and from manifests etwhf did not write),
 *    evidence and expect.intact_prefix (generator version 7 on);
 *  - the shapes a case holds, as a mask of the names this library knows
 *    (a newer generator's names are skipped: only "evidence" judges);
 *  - faults as names, interned: a manifest may name faults this library's
 *    generator does not know;
 *  - the manifest line, for messages.
 * expect.diags stays empty (a manifest lists code names, not each
 * diagnostic); first_error is absent when expect.first_error_code is 0, as
 * in the generator. (The fuzz driver's `.expect` sidecars are not manifest
 * lines: fuzz/standalone_driver.c says why.)
 */
#ifndef ETWHF_CHECK_CORPUS_H
#define ETWHF_CHECK_CORPUS_H

#include <stddef.h>
#include <stdint.h>

#include "etwhf/check.h"
#include "etwhf/gen.h"

struct check_case {
    struct etwhf_corpus_case info;   /* what etwhf_corpus_case() shows */
    size_t fault_start, fault_count; /* slice of etwhf_corpus.case_faults */
    struct etwhf_gen_expect expect;  /* events, heap_events: slices of etwhf_corpus's arrays */
    uint8_t has_counts;              /* buffers, buffers_skipped, events_total were read */
    uint8_t has_other_counts;        /* heap_alloc, heap_realloc were read */
    uint8_t has_heap_events;         /* heap_events was read */
    uint8_t compressed;              /* "compressed": true (file cases written compressed) */
    size_t loc_start, loc_count;     /* slice of etwhf_corpus.locations ("locations", optional) */
    uint64_t shapes;                 /* bit (1 << enum etwhf_gen_shape) of the known names in "shapes" */
    uint8_t has_evidence;            /* "evidence" was read (generator version 7 on) */
    uint8_t evidence;                /* enum etwhf_evidence */
};

/* Where a fault changed a case (the manifest's optional "locations"). */
struct check_location {
    uint32_t fault;     /* index into fault_names */
    uint8_t has_buffer; /* "buffer" was a number, not null */
    uint8_t has_inner;  /* "inner_offset" was there */
    uint64_t buffer, offset, inner_offset;
};

struct etwhf_corpus {
    char *dir;
    char *generator_version;
    struct check_case *cases;
    size_t ncases;
    struct etwhf_gen_event *events; /* every case's HeapFree events */
    size_t nevents;
    struct etwhf_gen_heap_expect *heap_events; /* every case's heap_events */
    size_t nheap_events;
    uint32_t *case_faults; /* indexes into fault_names */
    size_t ncase_faults;
    char **fault_names; /* distinct names, in order of first appearance */
    size_t nfaults;
    struct check_location *locations; /* every case's locations */
    size_t nlocations;
    double load_seconds; /* reading the manifest, for the report's time */
};

/* Reads dir/manifest.jsonl into *out (zeroed first). ETWHF_OK, or
 * ETWHF_EIO / ETWHF_ENOMEM with a one-line reason in err; *out then holds
 * nothing to free. */
int etwhf__manifest_read(const char *dir, struct etwhf_corpus *out, char *err, size_t errlen);
/* Frees what *c holds (not c itself). */
void etwhf__corpus_clear(struct etwhf_corpus *c);

/* dir + "/" + file into buf: ETWHF_OK, or ETWHF_EINVAL when it does not fit. */
int etwhf__corpus_case_path(const struct etwhf_corpus *c, const struct check_case *k, char *buf, size_t len);
/* The name of fault j of case k. */
const char *etwhf__corpus_fault(const struct etwhf_corpus *c, const struct check_case *k, size_t j);

#endif
