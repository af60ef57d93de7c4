/*
 * etwhf/gen.h — generator of valid and deliberately malformed heap-event
 * inputs (bare payloads, bare records, whole .etl files), each with the
 * expectation a conforming decoder must meet (docs/spec/walk.md, diagnostics.md and manifest.md).
 *
 * The oracle is not circular: the expectation is computed from the model the
 * generator wrote and the walk of docs/spec/walk.md, never by running the decoder; this
 * library links format/ only.
 *
 * Determinism: (ETWHF_GEN_VERSION, seed, options) → identical bytes on every
 * machine. Every choice comes from one decision stream (struct etwhf_dstream),
 * filled either by a seeded PRNG (SplitMix64 seeding xoshiro256**) or by a
 * caller's bytes (fuzz targets; 0 is drawn once the bytes are used up, and a
 * zero draw always means "the simplest choice": the first option, "no").
 * No floating point shapes any output; rates are per-mille integers.
 *
 * Memory: every allocation goes through the allocator hook of the options
 * (NULL = malloc/free). Threads: no globals; distinct streams and cases may be
 * used on distinct threads.
 *
 * ABI: unlike the decoder's (etwhf/decode.h), this API fills structs the
 * caller allocates (streams, cases, options), so a change to any of them is
 * an ABI change: it comes with a new SONAME (libetwhf_gen.so.MAJOR.MINOR
 * while the project is 0.x), never silently.
 */
#ifndef ETWHF_GEN_H
#define ETWHF_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "etwhf/format.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever the bytes or the expectation for a given seed and options
 * change. Goes into the manifest's first line. */
#define ETWHF_GEN_VERSION "7"

/* ---- decision stream ------------------------------------------------------ */

enum etwhf_dstream_kind { ETWHF_DSTREAM_PRNG = 0, ETWHF_DSTREAM_BYTES = 1 };

/* Plain struct so callers can keep it on the stack; treat fields as private. */
struct etwhf_dstream {
    int kind;
    uint64_t s[4];        /* xoshiro256** state */
    const uint8_t *bytes; /* BYTES: not owned, must outlive the stream */
    size_t len, pos;
    uint64_t draws; /* draws made so far */
};

/* PRNG stream for case `id` of a run seeded with `seed` (the manifest's
 * "seed":"SEED/ID"): x = seed ^ (id · 0x9E3779B97F4A7C15) feeds SplitMix64,
 * whose first four outputs are the xoshiro256** state. */
ETWHF_API void etwhf_dstream_init_seed(struct etwhf_dstream *ds, uint64_t seed, uint64_t id);
/* Byte stream: each draw below(n) takes the fewest little-endian bytes that can
 * hold n−1; u64 takes 8. Exhausted bytes read as 0. */
ETWHF_API void etwhf_dstream_init_bytes(struct etwhf_dstream *ds, const void *bytes, size_t len);
ETWHF_API uint64_t etwhf_dstream_u64(struct etwhf_dstream *ds);
/* A value in [0, n) (value % n of the draw); 0 when n ≤ 1 (no draw made). */
ETWHF_API uint64_t etwhf_dstream_below(struct etwhf_dstream *ds, uint64_t n);
/* 1 with probability permille/1000; a zero draw gives 0 unless permille ≥ 1000. */
ETWHF_API int etwhf_dstream_chance(struct etwhf_dstream *ds, unsigned permille);
/* n draws of etwhf_dstream_u64 at once (the same values, in order): the bulk
 * form the streaming trace writer uses. */
ETWHF_API void etwhf_dstream_fill(struct etwhf_dstream *ds, uint64_t *out, size_t n);

/* ---- fault catalogue ------------------------------------------------------ */

/* Structural layer a fault changes. */
enum etwhf_fault_layer { ETWHF_FL_PAYLOAD = 0, ETWHF_FL_RECORD, ETWHF_FL_BUFFER, ETWHF_FL_FILE };

enum etwhf_fault {
    ETWHF_FAULT_PAYLOAD_EMPTY = 0,
    ETWHF_FAULT_PAYLOAD_SHORT,
    ETWHF_FAULT_PAYLOAD_LONG,
    ETWHF_FAULT_MARKER_CLEARED,
    ETWHF_FAULT_HEADER_TYPE_UNKNOWN,
    ETWHF_FAULT_RECORD_SIZE_OVERRUN,
    ETWHF_FAULT_RECORD_SIZE_BELOW_HEADER,
    ETWHF_FAULT_PERFINFO_EXT_OVERRUN,
    ETWHF_FAULT_EXT_ITEM_BAD_SIZE,
    ETWHF_FAULT_BUFFER_SIZE_MISMATCH,
    ETWHF_FAULT_SAVED_OFFSET_LOW,
    ETWHF_FAULT_SAVED_OFFSET_HIGH,
    ETWHF_FAULT_COMPRESSED_FLAG_IN_UNCOMPRESSED_FILE,
    ETWHF_FAULT_EVENTS_LOST_FLAG,
    ETWHF_FAULT_TRUNCATED_TAIL_HEADER,
    ETWHF_FAULT_TRUNCATED_TAIL_DATA,
    ETWHF_FAULT_TRUNCATED_TAIL_COMPRESSED,
    ETWHF_FAULT_FILE_EMPTY,
    ETWHF_FAULT_FILE_TOO_SHORT,
    ETWHF_FAULT_LOGFILE_MISSING,
    ETWHF_FAULT_LOGFILE_SHORT,
    ETWHF_FAULT_LOGFILE_POINTER_SIZE,
    ETWHF_FAULT_LOGFILE_BUFFER_SIZE,
    ETWHF_FAULT_STRIDE_UNUSABLE,
    ETWHF_FAULT_BUFFERS_WRITTEN,
    ETWHF_FAULT_EVENTS_LOST_LOGFILE,
    ETWHF_FAULT_COMPRESSION_FORMAT_UNSUPPORTED,
    ETWHF_FAULT_DECOMPRESS_CORRUPT,
    ETWHF_FAULT_COMPRESSED_SAVED_OFFSET,
    ETWHF_FAULT_COMPRESSED_BUFFER_SIZE,
    ETWHF_FAULT_FILLER_MID_BUFFER,
    ETWHF_FAULT_FILLER_FIRST_RECORD,
    ETWHF_FAULT_BUFFER0_SIZE_MISMATCH,
    ETWHF_FAULT_TRUNCATED_AT_BOUNDARY,
    ETWHF_FAULT_COUNT
};

/* Case layers (bit i = enum etwhf_gen_layer i). */
enum etwhf_gen_layer { ETWHF_GEN_PAYLOAD = 0, ETWHF_GEN_RECORD = 1, ETWHF_GEN_FILE = 2 };
#define ETWHF_GEN_LAYER_BIT(l) (1u << (l))
#define ETWHF_GEN_ALL_LAYERS 7u

struct etwhf_fault_info {
    const char *name;     /* "record_size_overrun": manifest and file names */
    int layer;            /* enum etwhf_fault_layer: what it changes */
    int code;             /* enum etwhf_diag_code it is built to raise; 0: none (the walk ends
                            * silently, and the heap events after it are lost) */
    const char *step;     /* walk step and condition: "R5: p + Size > E" */
    const char *resume;   /* what the walk does next */
    const char *kind;     /* "raw", "fixed-up" or "raw or fixed-up" (drawn per case) */
    const char *how;      /* how the bytes are changed, variants included */
    unsigned case_layers; /* ETWHF_GEN_LAYER_BIT mask of case layers it applies to */
    int compressed;       /* file cases: -1 uncompressed files only, 1 compressed only, 0 either */
};

/* NULL when out of range. */
ETWHF_API const struct etwhf_fault_info *etwhf_fault_info(int fault);
/* enum etwhf_fault for a name, or -1. */
ETWHF_API int etwhf_fault_from_name(const char *name);

/* ---- shapes and their evidence (docs/spec/evidence.md) -------------------- */

/* What a shape rests on, strongest first: seen in named public traces,
 * stated by Microsoft or a widely used reader, or chosen by etwhf (Windows'
 * behaviour unknown, or the input hostile). A case's evidence is its weakest
 * shape's; its faults are not shapes. */
enum etwhf_evidence { ETWHF_EVIDENCE_OBSERVED = 0, ETWHF_EVIDENCE_DOCUMENTED = 1, ETWHF_EVIDENCE_CHOSEN = 2 };
/* "observed", "documented", "chosen"; NULL out of range. */
ETWHF_API const char *etwhf_evidence_name(int evidence);
/* enum etwhf_evidence for a name, or -1. */
ETWHF_API int etwhf_evidence_from_name(const char *name);

/* Every variation the generator can draw into a case (manifest "shapes"). */
enum etwhf_gen_shape {
    ETWHF_SHAPE_PAYLOAD_FREE = 0,    /* payload.free: a bare HeapFree payload */
    ETWHF_SHAPE_PAYLOAD_ALLOC,       /* payload.alloc */
    ETWHF_SHAPE_PAYLOAD_REALLOC,     /* payload.realloc */
    ETWHF_SHAPE_HEAP_SYSTEM,         /* heap.system: a heap record in a system32/64 header */
    ETWHF_SHAPE_HEAP_COMPACT,        /* heap.compact */
    ETWHF_SHAPE_HEAP_PERFINFO,       /* heap.perfinfo */
    ETWHF_SHAPE_HEAP_FULL,           /* heap.full: heap GUID in an EVENT_TRACE_HEADER */
    ETWHF_SHAPE_HEAP_INSTANCE,       /* heap.instance */
    ETWHF_SHAPE_HEAP_EVENT,          /* heap.event: heap GUID as an EVENT_HEADER ProviderId */
    ETWHF_SHAPE_HEAP_OTHER,          /* heap.other_type: Create, Destroy, Expand, Lock, … at a documented length */
    ETWHF_SHAPE_HEAP_OTHER_LENGTH,   /* heap.other_type_length: … at a length no source gives */
    ETWHF_SHAPE_SOURCE_DOCUMENTED,   /* source.documented: Source 1–5 */
    ETWHF_SHAPE_SOURCE_RESERVED,     /* source.reserved: Source 6 */
    ETWHF_SHAPE_SOURCE_UNKNOWN,      /* source.unknown: Source 0 or above 6 */
    ETWHF_SHAPE_VALUE_EDGE,          /* value.edge: a pointer or size of 0, all ones, kernel space, unaligned, tiny */
    ETWHF_SHAPE_WIDTH_MIXED,         /* width.mixed: 32-bit records among 64-bit ones */
    ETWHF_SHAPE_BYTE3_D0,            /* record.byte3_d0: byte 3 0xD0 on a system or compact record */
    ETWHF_SHAPE_EXT_ITEMS,           /* ext.items: EVENT_HEADER extended items, ItemSize a multiple of 8 */
    ETWHF_SHAPE_EXT_ITEM_UNALIGNED,  /* ext.item_unaligned: an ItemSize of 8 + DataSize, not a multiple of 8 */
    ETWHF_SHAPE_PERFINFO_PMC,        /* perfinfo.pmc: PMC counters or a PEBS index in a PERFINFO Version */
    ETWHF_SHAPE_NEIGHBOUR_SYSTEM,    /* neighbour.system: kernel events in system headers */
    ETWHF_SHAPE_NEIGHBOUR_COMPACT,   /* neighbour.compact: kernel events in compact headers */
    ETWHF_SHAPE_NEIGHBOUR_PERFINFO,  /* neighbour.perfinfo: PERFINFO records (context switch, sampled profile) */
    ETWHF_SHAPE_NEIGHBOUR_STACKWALK, /* neighbour.stackwalk: PERFINFO 0x1820 stack walks */
    ETWHF_SHAPE_NEIGHBOUR_EVENT,     /* neighbour.event: EVENT_HEADER records of other providers */
    ETWHF_SHAPE_NEIGHBOUR_FULL,      /* neighbour.full: EVENT_TRACE_HEADER records of other providers */
    ETWHF_SHAPE_NEIGHBOUR_INSTANCE,  /* neighbour.instance: EVENT_INSTANCE_GUID_HEADER records */
    ETWHF_SHAPE_MESSAGE_COMMON,      /* message.common: MESSAGE with OptionFlags GUID | SYSTEMINFO */
    ETWHF_SHAPE_MESSAGE_OTHER,       /* message.other_flags: MESSAGE with other OptionFlags */
    ETWHF_SHAPE_MESSAGE_FINAL8,      /* message.final8: a region ending in an 8-byte MESSAGE */
    ETWHF_SHAPE_FILE_PLAIN,          /* file.plain: an uncompressed file */
    ETWHF_SHAPE_FILE_COMPRESSED,     /* file.compressed: XPRESS-compressed data buffers */
    ETWHF_SHAPE_FILE_LOGFILE32,      /* file.logfile32: the 32-bit logfile layout (HeaderType 1) */
    ETWHF_SHAPE_FILE_LOGFILE64,      /* file.logfile64 */
    ETWHF_SHAPE_FILE_HEADER_EVENTS,  /* file.header_events: header-group records after the logfile */
    ETWHF_SHAPE_BUFFER_SMALL,        /* buffer.small: BufferSize 1, 2 or 4 KiB */
    ETWHF_SHAPE_BUFFER_LOST_COMPRESSED, /* buffer.lost_flags_compressed: EVENTS_LOST / BUFFER_LOST on a compressed buffer */
    ETWHF_SHAPE_XPRESS_LONG_FORMS,      /* xpress.long_forms: u16 / u32 length forms for lengths a shorter form holds */
    ETWHF_SHAPE_NAMES_ASCII,            /* names.ascii: ASCII logger and log-file names */
    ETWHF_SHAPE_NAMES_NON_ASCII,        /* names.non_ascii: umlauts, CJK, a surrogate pair */
    ETWHF_SHAPE_NAMES_LONE_SURROGATE, /* names.lone_surrogate: an unpaired UTF-16 surrogate */
    ETWHF_SHAPE_NAMES_OVERLONG,       /* names.overlong: a name past etwhf's 256 / 1024-byte UTF-8 fields */
    ETWHF_SHAPE_BUFFER_SAVED_ZERO, /* buffer.saved_offset_zero: a header buffer's SavedOffset 0, its data end in Offset */
    ETWHF_SHAPE_XPRESS_STREAM_LONGER, /* xpress.stream_longer: a compressed stream longer than the records it expands to */
    ETWHF_SHAPE_COUNT
};
_Static_assert(ETWHF_SHAPE_COUNT <= 64, "a case's shapes are a 64-bit mask");

struct etwhf_gen_shape_info {
    const char *name; /* "heap.system": manifest "shapes", docs/spec/evidence.md */
    int evidence;     /* enum etwhf_evidence */
    const char *what; /* one line: what the bytes hold */
};
/* NULL when out of range. */
ETWHF_API const struct etwhf_gen_shape_info *etwhf_gen_shape_info(int shape);
/* enum etwhf_gen_shape for a name, or -1. */
ETWHF_API int etwhf_gen_shape_from_name(const char *name);
/* The weakest evidence of the shapes in mask (bit 1 << enum etwhf_gen_shape);
 * ETWHF_EVIDENCE_OBSERVED for an empty mask. */
ETWHF_API int etwhf_gen_shapes_evidence(uint64_t mask);

/* ---- options ------------------------------------------------------------- */

/* Pointer-width choices (bit mask). Mixed: a 64-bit file (or record sequence)
 * that also holds 32-bit records. */
#define ETWHF_GEN_W4 1u
#define ETWHF_GEN_W8 2u
#define ETWHF_GEN_WMIXED 4u
#define ETWHF_GEN_ALL_WIDTHS 7u

enum etwhf_gen_fault_mode { ETWHF_GEN_FAULTS_ALL = 0, ETWHF_GEN_FAULTS_NONE, ETWHF_GEN_FAULTS_LIST };

#define ETWHF_GEN_MAX_SOURCES 32
#define ETWHF_GEN_MAX_FAULTS 4
#define ETWHF_GEN_ALL_HEADERS ((1u << ETWHF_HDR_FORMS) - 1u)

struct etwhf_gen_options {
    unsigned layers;  /* ETWHF_GEN_LAYER_BIT mask; 0 = all */
    unsigned widths;  /* ETWHF_GEN_W* mask; 0 = all */
    uint32_t headers; /* bit (1 << enum etwhf_header) of the 12 forms heap records use; 0 = all */
    size_t n_sources; /* 0 = the default set: 1–6, 0, 7, 0x80000000, 0xFFFFFFFF */
    uint32_t sources[ETWHF_GEN_MAX_SOURCES];
    int fault_mode;                          /* enum etwhf_gen_fault_mode */
    uint64_t fault_set;                      /* LIST: bit (1 << enum etwhf_fault) */
    unsigned fault_rate;                     /* per-mille of cases that carry faults (default 500) */
    unsigned max_faults;                     /* 1..ETWHF_GEN_MAX_FAULTS (default 2) */
    unsigned compressed_rate;                /* per-mille of file cases written compressed (default 150) */
    const struct etwhf_allocator *allocator; /* NULL = malloc/free */
    int documented_only;                     /* 1: draw only shapes whose evidence is observed or documented
                            * (gen --evidence documented); 0: half the drawn cases may hold
                            * chosen shapes */
};

ETWHF_API void etwhf_gen_options_init(struct etwhf_gen_options *o);
/* ETWHF_OK, or ETWHF_EINVAL when a field is out of range (a fault that cannot
 * apply to a drawn case is not an error: that case is simply left intact). */
ETWHF_API int etwhf_gen_options_check(const struct etwhf_gen_options *o);

/* ---- one case ------------------------------------------------------------ */

struct etwhf_gen_event {
    uint64_t heap_handle, address;
    uint32_t source;
    uint8_t pointer_size;
};

/* One heap event of any decoded type (Free, Alloc, ReAlloc), as the decoder
 * must deliver it: the manifest's `heap_events`, a project extension beyond
 * docs/spec/manifest.md (docs/generator.md). Values are truncated to the width;
 * fields that do not apply to the type are 0. */
struct etwhf_gen_heap_expect {
    uint8_t type;         /* ETWHF_HEAP_FREE, _ALLOC or _REALLOC */
    uint8_t pointer_size; /* 4 or 8 */
    int8_t header;        /* enum etwhf_header of the record; -1 for a bare payload */
    uint32_t source;
    uint64_t heap_handle, address, size;                   /* address: Free, Alloc; size: Alloc */
    uint64_t new_address, old_address, new_size, old_size; /* ReAlloc */
};

/* One diagnostic of the expected recover-mode walk. */
struct etwhf_gen_diag {
    int code;
    uint8_t has_inner;
    uint64_t buffer; /* ETWHF_GEN_NO_BUFFER for codes 1–2 and bare inputs */
    uint64_t offset;
    uint64_t inner_offset;
};
#define ETWHF_GEN_NO_BUFFER UINT64_MAX

struct etwhf_gen_expect {
    int error;            /* verdict: 1 = "error", 0 = "ok" */
    int first_error_code; /* 0 when none (manifest null) */
    uint64_t first_error_offset;
    uint32_t errors, warnings;      /* bit (1u << code) of the distinct codes */
    struct etwhf_gen_event *events; /* HeapFree events in delivery order */
    size_t n_events;
    struct etwhf_gen_diag *diags; /* every diagnostic, in walk order */
    size_t n_diags;
    uint64_t heap_alloc, heap_realloc;               /* HeapAlloc / HeapReAlloc events delivered */
    uint64_t buffers, buffers_skipped, events_total; /* file cases (recover mode) */
    struct etwhf_gen_heap_expect *heap_events;       /* every delivered heap event, in delivery order */
    size_t n_heap_events;
    /* Cases with faults: how many of events / heap_events lie before the
     * first fault's damage (the damaged record; the start of a damaged or
     * cut buffer position; the whole input for logfile and file faults):
     * the manifest's expect.intact_prefix, which conformance level L2
     * judges (docs/spec/conformance.md). */
    int has_prefix;
    size_t prefix_events, prefix_heap_events;
};

/* What a case is built around. -1 (or has_source 0) = drawn from the stream. */
struct etwhf_gen_pin {
    int layer;  /* enum etwhf_gen_layer */
    int width;  /* ETWHF_GEN_W4, _W8 or _WMIXED */
    int header; /* enum etwhf_header of the target HeapFree record */
    int has_source;
    uint32_t source; /* Source of the target HeapFree event */
    int fault;       /* enum etwhf_fault, or ETWHF_FAULT_COUNT for "no fault" */
    int event;       /* payload cases: ETWHF_HEAP_FREE, _ALLOC or _REALLOC */
};
ETWHF_API void etwhf_gen_pin_init(struct etwhf_gen_pin *p); /* everything drawn */

/* Where an applied fault changed the case, as diagnostics locate things
 * (docs/spec/walk.md): the buffer position (ETWHF_GEN_NO_BUFFER for bare
 * inputs, and for the file as a whole: empty or too short), the file offset
 * (the record's, the buffer's, 0x48 for the logfile record, the input's end
 * for a cut), and in an expanded buffer the record's inner offset. */
struct etwhf_gen_fault_at {
    uint64_t buffer;
    uint64_t offset;
    uint8_t has_inner;
    uint64_t inner_offset;
};

struct etwhf_gen_case {
    uint8_t *bytes;
    size_t len;
    int layer;             /* enum etwhf_gen_layer */
    unsigned pointer_size; /* 4, 8, or 0 = mixed */
    uint8_t event;         /* payload cases: ETWHF_HEAP_FREE, _ALLOC, _REALLOC */
    uint32_t headers;      /* bit (1 << enum etwhf_header) of the heap records' forms */
    int compressed;
    int faults[ETWHF_GEN_MAX_FAULTS];                         /* enum etwhf_fault, in the order applied */
    uint8_t fault_raw[ETWHF_GEN_MAX_FAULTS];                  /* 1: raw, 0: fixed-up */
    struct etwhf_gen_fault_at fault_at[ETWHF_GEN_MAX_FAULTS]; /* where each fault was applied */
    size_t n_faults;
    int name_fault;      /* index into faults of the fault the case is named after (-1: intact) */
    size_t heap_records; /* Free, Alloc and ReAlloc records written (1 for a bare payload) */
    int target_header;   /* form of the target HeapFree record (-1 for payload cases) */
    uint32_t target_source;
    uint64_t shapes; /* bit (1 << enum etwhf_gen_shape) of every shape the case holds */
    int evidence;    /* enum etwhf_evidence: its weakest shape's */
    struct etwhf_gen_expect expect;
    struct etwhf_allocator allocator; /* used by etwhf_gen_case_free */
};

/* Builds one case from the stream. ETWHF_OK, ETWHF_EINVAL (bad options),
 * ETWHF_ENOMEM, or ETWHF_EBADSTATE when the oracle met bytes its model does not
 * describe (a generator bug; tests check it never happens). On error *out
 * holds nothing to free. */
ETWHF_API int etwhf_gen_case(const struct etwhf_gen_options *o, struct etwhf_dstream *ds, struct etwhf_gen_case *out);
/* The same with some dimensions fixed (exhaustive mode, tests). A pinned fault
 * that cannot apply to the pinned layer is ETWHF_EINVAL. */
ETWHF_API int etwhf_gen_case_pinned(const struct etwhf_gen_options *o, const struct etwhf_gen_pin *pin,
                                    struct etwhf_dstream *ds, struct etwhf_gen_case *out);
ETWHF_API void etwhf_gen_case_free(struct etwhf_gen_case *c);

/* Exhaustive mode: every Source × width × header form × fault (and "no fault")
 * the options allow, each at least once, in a fixed order. */
ETWHF_API uint64_t etwhf_gen_exhaustive_count(const struct etwhf_gen_options *o);
/* ETWHF_OK and *pin set for combination index < count, else ETWHF_EINVAL. */
ETWHF_API int etwhf_gen_exhaustive_pin(const struct etwhf_gen_options *o, uint64_t index, struct etwhf_gen_pin *pin);

/* Case file name "n_file_record_size_overrun_000017.etl": n_ (an error),
 * i_ (no error, but a shape etwhf chose: implementation-defined, as in
 * JSONTestSuite), w_ (no error, warnings, observed or documented shapes
 * only) or y_ (no diagnostic, observed or documented shapes only); the
 * layer (bare payloads also carry width and event:
 * "n_payload_w8_realloc_payload_short_000018.bin"); the fault that causes
 * the first error (without an error: the first warning's; otherwise the
 * first fault applied), or "intact"; the id; ".bin" for payload and record
 * cases. Returns the length, or 0 when cap is too small. */
ETWHF_API size_t etwhf_gen_case_name(const struct etwhf_gen_case *c, uint64_t id, char *buf, size_t cap);

/* ---- encoders ------------------------------------------------------------- */

/* Fields of one heap event; those that do not apply to the type are ignored. */
struct etwhf_gen_heap_event {
    uint8_t type;    /* ETWHF_HEAP_FREE, _ALLOC or _REALLOC */
    uint8_t version; /* event version in the header (normally 2) */
    uint32_t pid, tid;
    uint64_t timestamp;
    uint64_t heap_handle, address, size;                   /* Free, Alloc */
    uint64_t new_address, old_address, new_size, old_size; /* ReAlloc */
    uint32_t source;
};

/* Writes the packed payload (docs/spec/format.md §6.3) at width 4 or 8; pointer values
 * are truncated to the width. Returns its length, or 0 (nothing written) when
 * the type or width is bad or cap is too small. */
ETWHF_API size_t etwhf_gen_encode_payload(const struct etwhf_gen_heap_event *ev, unsigned pointer_size, uint8_t *out,
                                          size_t cap);

/* Optional record shape; NULL = plain (no extension, exact payload). */
struct etwhf_gen_record_shape {
    unsigned pmc;       /* perfinfo: PMC counters (0–7), Version bits 8–10 */
    int pebs;           /* perfinfo: PEBS index present, Version bit 15 */
    unsigned ext_items; /* event forms: extended-data items before the payload (0–4) */
    size_t extra;       /* bytes appended to the payload (zeros) */
};

/* The Size field of the record: fixed header + extension + payload (+extra).
 * 0 when the header or the type is bad or Size would exceed 0xFFFF. */
ETWHF_API size_t etwhf_gen_record_size(int header, const struct etwhf_gen_heap_event *ev,
                                       const struct etwhf_gen_record_shape *shape);
/* Writes the record in header form `header` (enum etwhf_header, one of the 12)
 * and its zero pad: align8(Size) bytes. Width comes from the header form.
 * Returns Size, or 0 (nothing written) when invalid or cap < align8(Size). */
ETWHF_API size_t etwhf_gen_encode_record(int header, const struct etwhf_gen_heap_event *ev,
                                         const struct etwhf_gen_record_shape *shape, uint8_t *out, size_t cap);

/* ---- streaming big-trace writer (`etwhf gen --etl`) ----------------------- */

/* Returns 0 when all len bytes were written. */
typedef int (*etwhf_gen_write_fn)(void *user, const void *data, size_t len);

struct etwhf_gen_trace_options {
    uint64_t seed;
    uint64_t events;       /* HeapFree events to write */
    unsigned pointer_size; /* 4, 8, or 0 = mixed (64-bit file, some 32-bit records) */
    int pure;              /* 1: HeapFree records only (no neighbours) */
    uint32_t buffer_size;  /* multiple of 8, 0x1000..0x1000000; 0 = 0x10000 */
    unsigned cpus;         /* 1..64; 0 = 4 */
    etwhf_gen_write_fn write;
    void *user;
    const struct etwhf_allocator *allocator;
    /* Optional, polled once per buffer: nonzero stops with ETWHF_EABORTED. */
    int (*should_stop)(void *user);
};

struct etwhf_gen_trace_stats {
    uint64_t bytes, buffers, records, heap_free;
};

ETWHF_API void etwhf_gen_trace_options_init(struct etwhf_gen_trace_options *o);
/* Buffers the trace will have (header buffer included), known before writing
 * so BuffersWritten is right in a streamed file. 0 for invalid options. */
ETWHF_API uint64_t etwhf_gen_trace_buffers(const struct etwhf_gen_trace_options *o);
/* Streams the whole trace through o->write, one buffer at a time (memory:
 * one buffer). ETWHF_OK, ETWHF_EINVAL, ETWHF_ENOMEM, ETWHF_EIO (write failed),
 * ETWHF_EABORTED. `stats` may be NULL. */
ETWHF_API int etwhf_gen_trace(const struct etwhf_gen_trace_options *o, struct etwhf_gen_trace_stats *stats);

#ifdef __cplusplus
}
#endif
#endif
