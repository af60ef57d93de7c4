/*
 * model.h — the structure a case is built as (internal).
 *
 * A case is first built as a model: buffers, each a region of items (records
 * with the first 8 bytes the walk reads, their extension items and the heap
 * event they carry), plus the logfile fields and the input length. Faults
 * change the model; layout places it; the oracle (oracle.c) walks the model
 * with docs/spec/walk.md to get the expectation; serialize.c renders the bytes
 * from the same model. The walk never parses the rendered bytes.
 */
#ifndef ETWHF_GEN_MODEL_H
#define ETWHF_GEN_MODEL_H

#include "internal.h"

#define M_MAX_BUFS 12
#define M_MAX_EXT 4

enum m_kind { MK_REC = 0, MK_LOGFILE };

struct m_item {
    uint8_t kind;                 /* enum m_kind */
    int8_t form;                  /* enum etwhf_header as built (ETWHF_HDR_MESSAGE included) */
    uint8_t h[8];                 /* the first 8 bytes as written: authoritative for R2–R7 */
    uint8_t guid_heap;            /* full, instance, event: the GUID is the heap GUID */
    uint8_t opcode;               /* event: Opcode (+0x2D) */
    uint8_t n_ext;                /* event: items written */
    uint16_t ext_size[M_MAX_EXT]; /* ItemSize as written */
    uint8_t ext_more[M_MAX_EXT];  /* Linkage bit as written */
    uint16_t ext_real[M_MAX_EXT]; /* bytes each item occupies */
    uint32_t size;                /* bytes of the record (pad excluded) */
    uint32_t span;                /* bytes up to the next item: align8(size) or more (zeros after size) */
    uint32_t off;                 /* offset in its region (layout) */
    size_t at;                    /* record bytes in the arena (MK_REC) */
    uint8_t heap_type;            /* heap event type carried (0 = not a heap record) */
    uint8_t width;                /* 4 or 8 (0 for message) */
    uint8_t target;               /* the case's target HeapFree */
    uint8_t faulted;              /* a record or payload fault changed it */
    uint8_t drawn;                /* IF_* bits: draws the model's fields do not show (shapes.c) */
    uint64_t handle, address;     /* values as written (truncated to width) */
    uint64_t alloc_size, new_address, old_address, new_size, old_size; /* Alloc, ReAlloc (truncated to width) */
    uint32_t source;
};

/* m_item.drawn */
#define IF_EDGE 1u          /* a pointer or size drawn at an edge value (value.edge) */
#define IF_OTHER_DOC_LEN 2u /* another heap type written at its documented payload length */
#define IF_FINAL8 4u        /* the 8-byte MESSAGE that ends a region */

struct m_buf {
    struct gen_bufhdr hdr;    /* fields as written: authoritative for B/C steps */
    size_t first, count;      /* items of its region */
    uint32_t data_end;        /* end of the last item's span (layout) */
    uint32_t stride;          /* bytes it occupies in the file (layout) */
    uint64_t file_off;        /* (layout) */
    int compressed;           /* body written compressed */
    int comp_fault;           /* enum comp_fault */
    int corrupt;              /* expansion cannot give exactly SavedOffset − 0x48 bytes */
    int saved_zero;           /* SavedOffset written as 0, the data end in Offset (walk.md B6.0) */
    size_t comp_at, comp_len; /* the compressed stream in the arena (layout) */
    uint16_t cpu;
};

/* CF_CUT*: BufferSize lowered to the cut stream (X3.1, X4.1, X5.1); the others
 * keep the stream whole and break one token (X7.1, X6.5a/X6.6a, X7.2). */
enum comp_fault { CF_NONE = 0, CF_CUT, CF_CUT_LITERAL, CF_CUT_MATCH, CF_BAD_OFFSET, CF_BAD_LENGTH, CF_OVERRUN };

/* What the builder must provide for the chosen faults. */
#define NEED_PERFINFO_SMALL 1u /* a perfinfo record with Size < 0x50 */
#define NEED_EXT_ITEMS 2u      /* an event record with extended items */
#define NEED_EXT_TINY 4u       /* …whose payload is shorter than 8 bytes */
#define NEED_LEADING_RECORD 8u /* a record before the target in its region */

/* What a fault changed, resolved to a location once the case is laid out. */
enum loc_kind { LOC_UNSET = 0, LOC_INPUT, LOC_ITEM, LOC_BUFFER, LOC_LOGFILE, LOC_CUT };
struct loc_ref {
    uint8_t kind; /* enum loc_kind */
    long ref;     /* item or buffer index */
};

struct plan {
    int layer, width; /* enum etwhf_gen_layer, ETWHF_GEN_W* */
    int compressed;
    int target_header;
    uint32_t target_source;
    uint8_t event;
    int faults[ETWHF_GEN_MAX_FAULTS];
    uint8_t raw[ETWHF_GEN_MAX_FAULTS];
    struct loc_ref at[ETWHF_GEN_MAX_FAULTS];
    size_t n_faults;
    unsigned needs;
    int documented; /* draw only observed or documented shapes (docs/spec/evidence.md) */
};

struct gctx {
    const struct etwhf_gen_options *o;
    struct etwhf_dstream *ds;
    const struct etwhf_allocator *a;
    struct plan plan;
    struct m_item *items;
    size_t n_items, cap_items;
    uint8_t *arena;
    size_t arena_len, arena_cap;
    struct m_buf bufs[M_MAX_BUFS];
    size_t n_bufs;
    struct gen_logfile lf;
    uint32_t stride;   /* S: BufferSize of every uncompressed buffer */
    uint64_t full_len; /* length before any cut (layout) */
    uint64_t n;        /* input length as written */
    /* payload cases */
    struct etwhf_gen_heap_event pev;
    unsigned pwidth;
    size_t plen; /* payload length as written */
    uint8_t pbytes[96];
    /* per-case realism */
    uint64_t heaps8[3], heaps4[3];
    uint64_t clock[4];
    uint32_t pid, tids[3];
    int mismatch_cut;   /* buffer_size_mismatch: buffer the input is cut inside, or 0 */
    int uniform_stride; /* every buffer gets the largest stride (a compressed file walked with one stride) */
    int vpast_buf;      /* decompress_corrupt: buffer whose SavedOffset passes its expansion, or -1 */
    int oom;
    int model_error;            /* the walk met bytes the model does not describe: a generator bug */
    int edge_drawn;             /* an edge value was drawn since it was last cleared (IF_EDGE) */
    int names_pick, names_evil; /* the logfile names drawn (file cases) */
    uint64_t shapes;            /* shapes of the case-wide draws (names, compression, …): shapes.c adds the items' */
    struct loc_ref touched;     /* set by the fault being applied: what it changed */
};

/* Heap-record sizes the builder leaves free in every buffer, so faults that
 * lengthen a record still fit. */
#define M_SLACK 96u

static inline uint16_t item_u16(const struct m_item *it, unsigned off)
{
    return get16(it->h + off);
}

/* Size field position of the form the item's HeaderType and flags select (as built). */
void etwhf__model_set_size_field(struct m_item *it, uint32_t size);

/* arena */
size_t etwhf__model_arena_take(struct gctx *g, size_t n); /* offset of n fresh zero bytes; SIZE_MAX on ENOMEM */
static inline uint8_t *m_bytes(struct gctx *g, size_t at)
{
    return g->arena + at;
}
struct m_item *etwhf__model_new_item(struct gctx *g);

/* build.c */
int etwhf__model_build(struct gctx *g);
/* layout.c: places records in their regions (offsets, SavedOffset), then
 * compresses and places buffers in the file (strides, file offsets). */
int etwhf__model_layout_regions(struct gctx *g);
int etwhf__model_layout_file(struct gctx *g);
/* oracle.c: fills x; returns 0, -1 on ENOMEM. Also reports positions visited. */
int etwhf__model_walk(struct gctx *g, struct etwhf_gen_expect *x, uint64_t *positions);
/* serialize.c */
int etwhf__model_render(struct gctx *g, uint8_t **out, size_t *len);
/* Writes the region's items (and zero pads) at out + (offset − base). */
void etwhf__model_render_region(struct gctx *g, const struct m_buf *b, uint8_t *out, uint32_t base);

/* shapes.c: every shape the built model holds, before faults change it. */
uint64_t etwhf__model_shapes(const struct gctx *g);
/* The payload length the sources give another heap type at version 2 (0: none). */
size_t etwhf__model_other_heap_len(uint8_t type, unsigned width);

/* A Source value from the options' list, mostly a documented one (case.c). */
uint32_t etwhf__model_draw_source(struct gctx *g);
/* Draw helpers (build.c). */
uint64_t etwhf__model_pick(struct gctx *g, uint64_t n);
int etwhf__model_chance(struct gctx *g, unsigned permille);

#endif
