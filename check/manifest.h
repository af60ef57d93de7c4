/*
 * manifest.h — the manifest's vocabulary (internal): every key of
 * DIR/manifest.jsonl and the values that are names, each spelled here
 * once. The writer (manifest_write.c) and the readers (manifest_read.c,
 * heap_json.c) use these names only, so they cannot drift apart.
 *
 * The keys of a heap event (`heap_events`, and `events` for HeapFree) are
 * those of `etwhf decode`'s event lines (docs/spec/output.md): output.c
 * reads a decoder's lines with the same names.
 */
#ifndef ETWHF_CHECK_MANIFEST_H
#define ETWHF_CHECK_MANIFEST_H

#define MANIFEST_FILE "manifest.jsonl" /* in the corpus folder, beside cases/ */

/* The first line. */
#define MK_MANIFEST "manifest"                   /* ETWHF_MANIFEST_VERSION */
#define MK_GENERATOR_VERSION "generator_version" /* ETWHF_GEN_VERSION */
#define MK_OPTIONS "options"                     /* what the corpus was drawn with: */
#define MK_COUNT "count"
#define MK_EXHAUSTIVE "exhaustive"
#define MK_HEADER "header" /* also a heap event's record form (or null) */
#define MK_FAULT_RATE "fault_rate"
#define MK_MAX_FAULTS "max_faults"
#define MK_COMPRESSED_RATE "compressed_rate"
/* … and MK_SEED, MK_LAYER, MK_POINTER_SIZE, MK_SOURCE, MK_FAULTS below. */
#define MV_FAULTS_NONE "none" /* options.faults when not a list */
#define MV_FAULTS_ALL "all"

/* A case line. */
#define MK_ID "id"
#define MK_FILE "file"                 /* relative to the corpus folder */
#define MK_LAYER "layer"               /* etwhf__layer_name */
#define MK_POINTER_SIZE "pointer_size" /* 4, 8 or MV_MIXED; an event's 4 or 8 */
#define MV_MIXED "mixed"
#define MK_HEADERS "headers" /* header form names */
#define MK_COMPRESSED "compressed"
#define MK_EVENT "event"               /* payload cases: etwhf_heap_event_name */
#define MK_FAULTS "faults"             /* fault names */
#define MK_LOCATIONS "locations"       /* one per fault, same order: */
#define MK_FAULT "fault"               /*   its name, */
#define MK_BUFFER "buffer"             /*   buffer position or null, MK_OFFSET, */
#define MK_INNER_OFFSET "inner_offset" /*   and in an expanded buffer the inner offset */
#define MK_SEED "seed"                 /* "SEED/ID"; options: "SEED" */
#define MK_SHAPES "shapes"             /* shape names (etwhf_gen_shape_info) */
#define MK_EVIDENCE "evidence"         /* the weakest shape's; options: MV_EVIDENCE_* */
#define MV_EVIDENCE_ALL "all"
#define MV_EVIDENCE_DOCUMENTED "documented"
#define MK_EXPECT "expect"

/* The expectation. */
#define MK_VERDICT "verdict"
#define MV_VERDICT_OK "ok"
#define MV_VERDICT_ERROR "error"
#define MK_FIRST_ERROR "first_error" /* null, or: */
#define MK_CODE "code"               /* also a decoder's diag line */
#define MK_OFFSET "offset"
#define MK_ERRORS "errors" /* diagnostic code names */
#define MK_WARNINGS "warnings"
#define MK_EVENTS "events"   /* the HeapFree events */
#define MK_BUFFERS "buffers" /* file cases: */
#define MK_BUFFERS_SKIPPED "buffers_skipped"
#define MK_EVENTS_TOTAL "events_total"
#define MK_HEAP_ALLOC "heap_alloc" /* optional for a reader: */
#define MK_HEAP_REALLOC "heap_realloc"
#define MK_HEAP_EVENTS "heap_events"     /* every heap event (docs/check.md) */
#define MK_INTACT_PREFIX "intact_prefix" /* faulted cases: {MK_EVENTS: n, MK_HEAP_EVENTS: m} before the damage */

/* A heap event. */
#define MK_TYPE "type" /* etwhf_heap_type_name; a decoder's lines: also "diag" */
#define MK_HEAP_HANDLE "heap_handle"
#define MK_ADDRESS "address"         /* HeapFree, HeapAlloc */
#define MK_SIZE "size"               /* HeapAlloc */
#define MK_NEW_ADDRESS "new_address" /* HeapReAlloc: */
#define MK_OLD_ADDRESS "old_address"
#define MK_NEW_SIZE "new_size"
#define MK_OLD_SIZE "old_size"
#define MK_SOURCE "source" /* options: the Source values drawn from */

/* The generator_version of a referee corpus (referee.c): every case a file
 * whose expectation is etwhf's decoder's reading of it, evidence unknown. */
extern const char etwhf__referee_version[];

/* "payload", "record", "file" for enum etwhf_gen_layer — also `etwhf decode
 * --input`'s values ("?" otherwise). */
const char *etwhf__layer_name(int layer);
/* enum etwhf_gen_layer for a name, or -1. */
int etwhf__layer_from_name(const char *name);
/* "4", "8", or MV_MIXED for any other pointer size (0) — also `etwhf decode
 * --pointer-size`'s values and ETWHF_POINTER_SIZE's. */
const char *etwhf__width_name(unsigned pointer_size);

#endif
