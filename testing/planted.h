/*
 * planted.h — benchmark bugs planted in the decoder (Magma-style canaries):
 * the ids the decoder's hook sites name (decoder/hooks.h), the runtime behind
 * them and the table bench/ reads.
 *
 * Used only by builds configured with -DETWHF_PLANTED_BUGS=ON, which link
 * this folder's library (etwhf_testing) into the decoder and cannot be
 * installed: a normal build has neither the hooks nor the table
 * (tests/bench checks the library). All mutable state lives here, not in
 * the decoder, and the counters are atomic: distinct decoder contexts stay
 * independent in what they decode, and may run on distinct threads.
 * Each planted bug is a realistic mistake at one place of the walk. Its
 * canary counts two things and never crashes:
 *   reached   — the buggy code ran;
 *   triggered — the input met every condition under which the bug changes
 *               the output.
 * A bug misbehaves only when it is switched on: ETWHF_PLANTED=3, =1,4,
 * =all, or by name (read once, at the first canary; etwhf__planted_select
 * overrides it). Switched off, the decoder stays correct and the canaries
 * still count, which is what a fuzzing campaign measures.
 *
 * ETWHF_PLANTED_LOG=PATH appends "R <id> <ns>" / "T <id> <ns>" (CLOCK_REALTIME)
 * the first time in this process a bug is reached / triggered, for the
 * time-to-trigger benchmark (bench/run --bugs). ETWHF_PLANTED_ABORT=1 makes a
 * trigger abort(), for campaigns that only notice crashes.
 */
#ifndef ETWHF_PLANTED_H
#define ETWHF_PLANTED_H

#include <stddef.h>
#include <stdint.h>

/* Ids are stable: bench/results and BENCHMARKS.md name bugs by them. */
enum etwhf_planted_id {
    PB_NONE = 0,
    PB_FREE_SOURCE_OFFSET = 1,   /* payload: 64-bit HeapFree Source read at the 32-bit offset */
    PB_LONG_SLACK = 2,           /* payload: 1-3 extra bytes not reported as HEAP_PAYLOAD_LONG */
    PB_REALLOC32_SIZES = 3,      /* payload: 32-bit ReAlloc sizes swapped */
    PB_MESSAGE_SIZE_AT4 = 4,     /* record: MESSAGE Size read at +4 like a system header */
    PB_FILLER_LOW16 = 5,         /* record: filler test on the low 16 bits only */
    PB_PERFINFO_PMC = 6,         /* record: PMC count unchecked in a PERFINFO record in a buffer */
    PB_EXT_DATASIZE = 7,         /* record: heap EVENT_HEADER payload placed by DataSize, not ItemSize */
    PB_WIDTH_FROM_LOGFILE = 8,   /* record: 32-bit record in a 64-bit file read at width 8 */
    PB_STRIDE_AFTER_DAMAGE = 9,  /* buffer: after a B3 skip the walk moves by the damaged BufferSize */
    PB_TRUNC_RECORD_DIAG = 10,   /* buffer: a record cut by a truncated tail reported as RECORD_SIZE */
    PB_COMPRESSED_ALIGN8 = 11,   /* buffer: compressed BufferSize must be a multiple of 8 */
    PB_WRITTEN_VS_ACCEPTED = 12, /* file: BuffersWritten compared with accepted, not visited, buffers */
    PB_XPRESS_NIBBLE = 13,       /* xpress: the second shared length nibble read from the low half */
    PB_COUNT
};

struct etwhf_planted_bug {
    int id;
    const char *name;       /* "perfinfo_pmc_unchecked" */
    const char *layer;      /* payload, record, buffer, file, xpress */
    int depth;              /* structural conditions that must hold at once */
    const char *conditions; /* what an input needs, in words */
    const char *effect;     /* what goes wrong when switched on */
    uint64_t reached, triggered;
};

/* The canary. `triggered` is the bug's condition at this point; returns 1
 * when the caller must misbehave (triggered and switched on). */
int etwhf__planted_hit(int id, int triggered);
/* The canary for a value: `alt` is what the bug computes instead of `v`;
 * triggered when they differ; returns alt when switched on, else v. */
uint64_t etwhf__planted_value(int id, uint64_t v, uint64_t alt);
/* 1 when bug `id` is switched on (no counting). */
int etwhf__planted_on(int id);

/* Bug 7's walk: the EVENT_HEADER items of a record of `size` bytes stepped
 * by 8 + DataSize instead of ItemSize; where the payload would start. Stays
 * inside the record: each step advances by at least 8. */
size_t etwhf__planted_ext_by_datasize(const uint8_t *rec, size_t size);

/* The table, for bench/ and tests: ids 1..count. The counters are live
 * (updated atomically while decoders run). */
int etwhf__planted_count(void);
const struct etwhf_planted_bug *etwhf__planted_bug(int id);
void etwhf__planted_reset(void);
/* Switches bugs on: a spec like ETWHF_PLANTED's ("" or NULL: none). 0 on success. */
int etwhf__planted_select(const char *spec);

#endif
