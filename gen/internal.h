/*
 * internal.h — helpers shared by the generator's layers (not installed).
 *
 * Little-endian stores, the allocator wrapper, and the one record writer every
 * layer uses: heap records, neighbours (kernel, manifest, perfinfo, message
 * records) and the logfile record all go through etwhf__gen_rec_write, so a header
 * form is laid out in exactly one place.
 */
#ifndef ETWHF_GEN_INTERNAL_H
#define ETWHF_GEN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "etwhf/format.h"
#include "etwhf/layout.h"
#include "etwhf/gen.h"

/* Little-endian stores. On little-endian hosts a memcpy of the value is one
 * store instruction (the byte-by-byte form is not merged by every compiler,
 * and the trace writer's speed depends on it); big-endian hosts swap first. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ETWHF_LE(bits, v) (v)
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define ETWHF_LE(bits, v) __builtin_bswap##bits(v)
#else
#error "etwhf gen: unknown byte order"
#endif

/* For a step of the trace writer's per-record path that the compiler would
 * keep as a call. */
#if defined(__GNUC__) || defined(__clang__)
#define GEN_INLINE inline __attribute__((always_inline))
#else
#define GEN_INLINE inline
#endif

static inline void put16(uint8_t *p, uint16_t v)
{
    v = ETWHF_LE(16, v);
    memcpy(p, &v, 2);
}

static inline void put32(uint8_t *p, uint32_t v)
{
    v = ETWHF_LE(32, v);
    memcpy(p, &v, 4);
}

static inline void put64(uint8_t *p, uint64_t v)
{
    v = ETWHF_LE(64, v);
    memcpy(p, &v, 8);
}

static inline void putptr(uint8_t *p, uint64_t v, unsigned width)
{
    if (width == 8)
        put64(p, v);
    else
        put32(p, (uint32_t)v);
}

static inline uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
static inline uint32_t get32(const uint8_t *p)
{
    return (uint32_t)get16(p) | (uint32_t)get16(p + 2) << 16;
}

static inline uint64_t align8(uint64_t x)
{
    return (x + 7u) & ~(uint64_t)7u;
}

static inline uint64_t width_mask(unsigned width)
{
    return width == 8 ? UINT64_MAX : UINT32_MAX;
}

void *etwhf__gen_alloc(const struct etwhf_allocator *a, size_t size);
void etwhf__gen_free(const struct etwhf_allocator *a, void *p);
/* Grows *arr (elements of `elem` bytes) to hold at least `need`; 0 or -1 (ENOMEM). */
int etwhf__gen_grow(const struct etwhf_allocator *a, void **arr, size_t *cap, size_t need, size_t elem);

/* One record to write, in any of the 12 forms or as a MESSAGE record. */
struct gen_rec {
    int form;            /* enum etwhf_header, ETWHF_HDR_MESSAGE included */
    uint8_t version;     /* event version: byte +0 (system, compact, perfinfo), Class.Version, descriptor Version */
    uint16_t hook;       /* system, compact, perfinfo: HookId */
    const uint8_t *guid; /* full, instance, event: GUID at +0x18 (NULL = zeros) */
    uint8_t opcode;      /* full, instance: Class.Type; event: Opcode */
    uint16_t event_id;   /* event: descriptor Id; message: MessageNumber */
    uint16_t msg_flags;  /* message: OptionFlags (ETWHF_MSG_*), the items after the 8-byte header */
    uint32_t pid, tid;
    uint64_t timestamp;
    uint32_t kernel_time,
        user_time;        /* system, full, instance, event: CPU ticks (0 in docs/spec/format.md §8's examples) */
    unsigned pmc;         /* perfinfo: PMC counters (0–7) */
    int pebs;             /* perfinfo: PEBS index present */
    unsigned n_ext;       /* event: extended-data items (0–4) */
    uint16_t ext_type[4]; /* their ExtType */
    uint16_t ext_data[4]; /* their DataSize */
    int ext_exact;        /* event: ItemSize 8 + DataSize as is, not rounded up to 8 (R8.5 allows it) */
    const uint8_t *payload;
    size_t payload_len;
};

/* Bytes of the items a MESSAGE record's OptionFlags select, and where each
 * starts (0: absent); the arguments follow them. */
struct gen_msg_layout {
    uint8_t sequence, guid, component, timestamp, tid, pid, args;
};
void etwhf__gen_msg_layout(uint16_t flags, struct gen_msg_layout *l);
/* The layout a widely used reader assumes (airbus-cert/etl-parser's
 * WinTrace): the message GUID, then TID and PID, after the 8-byte header.
 * No public trace holds a MESSAGE record (docs/spec/evidence.md). */
#define GEN_MSG_COMMON_FLAGS (ETWHF_MSG_GUID | ETWHF_MSG_SYSTEM_INFO)

/* Offset of the payload from the record start (extension included). */
size_t etwhf__gen_rec_payload_at(const struct gen_rec *r);
/* The Size field: fixed header + extension + payload; 0 above 0xFFFF or for a bad form. */
size_t etwhf__gen_rec_size(const struct gen_rec *r);
/* Writes Size bytes (no pad) at out; returns Size (0 = nothing written). */
size_t etwhf__gen_rec_write(const struct gen_rec *r, uint8_t *out);
/* Offset of the n-th extended-data item's ItemSize (event forms). */
size_t etwhf__gen_rec_ext_at(const struct gen_rec *r, unsigned n);
static inline uint16_t gen_ext_item_size(uint16_t data)
{
    return (uint16_t)align8(8u + data);
}
/* ItemSize of r's i-th extended item. */
static inline uint16_t gen_rec_item_size(const struct gen_rec *r, unsigned i)
{
    return r->ext_exact ? (uint16_t)(8u + r->ext_data[i]) : gen_ext_item_size(r->ext_data[i]);
}

/* Fills a gen_rec for a heap event in form `header`; `payload` must hold the
 * encoded payload (caller's storage). */
void etwhf__gen_rec_heap(struct gen_rec *r, int header, const struct etwhf_gen_heap_event *ev, const uint8_t *payload,
                         size_t payload_len);

/* ---- logfile record (docs/spec/format.md §4) ---------------------------------------- */
struct gen_logfile {
    unsigned layout; /* 4 or 8: HeaderType 1 or 2 and the payload layout */
    uint32_t buffer_size, version, provider_version, processors;
    uint64_t end_time, boot_time, start_time, perf_freq;
    uint32_t timer_resolution, max_file_size, log_file_mode, buffers_written;
    uint32_t pointer_size, events_lost, cpu_mhz, reserved_flags, buffers_lost;
    uint32_t tid, pid;
    uint64_t timestamp;                      /* the record's SystemTime */
    const char *logger_name, *log_file_name; /* UTF-8 (surrogates allowed), written as UTF-16LE with NUL */
    size_t payload_cut;                      /* 0 = whole payload; else the payload is cut to payload_cut − 1 bytes */
};
/* UTF-16 units both names may take together, terminators included. */
#define GEN_LOGFILE_NAME_UNITS 1024u
/* Sets the names to choice pick of GEN_LOGFILE_NAMES realistic ones (0: the
 * default) or of GEN_LOGFILE_EVIL_NAMES hostile ones, the last of which needs
 * a buffer of 0x800 bytes or more. */
#define GEN_LOGFILE_NAMES 4u
#define GEN_LOGFILE_EVIL_NAMES 3u
void etwhf__gen_logfile_names(struct gen_logfile *lf, size_t pick, int evil);
/* Size field of the whole record (header + payload); payload length when cut. */
size_t etwhf__gen_logfile_size(const struct gen_logfile *lf);
/* Writes the record (Size bytes); returns Size. */
size_t etwhf__gen_logfile_write(const struct gen_logfile *lf, uint8_t *out);
/* A realistic logfile for a trace of `buffers` buffers of `buffer_size`. */
void etwhf__gen_logfile_default(struct gen_logfile *lf, unsigned layout, uint32_t buffer_size, uint32_t buffers,
                                unsigned cpus);

/* ---- buffer header (docs/spec/format.md §3) ------------------------------------------ */
struct gen_bufhdr {
    uint32_t buffer_size, saved_offset, current_offset, offset, state;
    uint64_t timestamp, sequence;
    uint16_t cpu, logger_id, flags, type;
};
void etwhf__gen_bufhdr_write(const struct gen_bufhdr *h, uint8_t *out);

/* Values that look like a real process's heaps (user space, 16-aligned). */
uint64_t etwhf__gen_heap_base(struct etwhf_dstream *ds, unsigned width, unsigned index);

#endif
