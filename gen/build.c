/*
 * build.c — builds a case's model: realistic records, neighbours a decoder
 * must skip, buffers per CPU, the header buffer with its logfile record.
 * Values are realistic most of the time and evil (0, max, kernel space,
 * unaligned) some of the time; both are values, not faults.
 */
#include "model.h"

uint64_t etwhf__model_pick(struct gctx *g, uint64_t n)
{
    return etwhf_dstream_below(g->ds, n);
}
int etwhf__model_chance(struct gctx *g, unsigned permille)
{
    return etwhf_dstream_chance(g->ds, permille);
}

size_t etwhf__model_arena_take(struct gctx *g, size_t n)
{
    if (etwhf__gen_grow(g->a, (void **)&g->arena, &g->arena_cap, g->arena_len + n, 1) != 0) {
        g->oom = 1;
        return SIZE_MAX;
    }
    size_t at = g->arena_len;
    memset(g->arena + at, 0, n);
    g->arena_len += n;
    return at;
}

struct m_item *etwhf__model_new_item(struct gctx *g)
{
    if (etwhf__gen_grow(g->a, (void **)&g->items, &g->cap_items, g->n_items + 1, sizeof *g->items) != 0) {
        g->oom = 1;
        return NULL;
    }
    struct m_item *it = &g->items[g->n_items++];
    memset(it, 0, sizeof *it);
    return it;
}

void etwhf__model_set_size_field(struct m_item *it, uint32_t size)
{
    const struct etwhf_header_info *hi = etwhf_header_info(it->form);
    put16(it->h + (hi ? hi->size_at : 0), (uint16_t)size);
}

/* ---- values ---------------------------------------------------------------- */

static int form_allowed(struct gctx *g, int form, unsigned width)
{
    uint32_t mask = g->o->headers ? g->o->headers : ETWHF_GEN_ALL_HEADERS;
    return (mask >> form & 1u) && etwhf_header_info(form)->pointer_size == width;
}

/* A heap-record form of this width the options allow; -1 when none. */
static int draw_heap_form(struct gctx *g, unsigned width)
{
    int forms[ETWHF_HDR_FORMS], n = 0;
    for (int f = 0; f < ETWHF_HDR_FORMS; f++)
        if (form_allowed(g, f, width) && (!g->plan.documented || etwhf_header_info(f)->family == ETWHF_FAM_SYSTEM))
            forms[n++] = f;
    if (n == 0)
        return -1;
    /* The system form is what Windows is expected to write: favour it. */
    for (int i = 0; i < n; i++)
        if (etwhf_header_info(forms[i])->family == ETWHF_FAM_SYSTEM && etwhf__model_chance(g, 400))
            return forms[i];
    return forms[etwhf__model_pick(g, (uint64_t)n)];
}

/* Width of a record in this case: the case's, or either in mixed cases. */
static unsigned draw_width(struct gctx *g)
{
    if (g->plan.width == (int)ETWHF_GEN_W4)
        return 4;
    if (g->plan.width == (int)ETWHF_GEN_W8)
        return 8;
    return etwhf__model_chance(g, 350) ? 4 : 8;
}

static uint64_t evil_pointer(struct gctx *g, unsigned width, uint64_t near)
{
    uint64_t mask = width_mask(width);
    g->edge_drawn = 1;
    switch (etwhf__model_pick(g, 5)) {
    case 0: return 0;
    case 1: return mask;
    case 2: /* kernel space */
        return width == 8 ? UINT64_C(0xFFFFF80000000000) + (etwhf__model_pick(g, 1u << 30) << 4)
                          : 0x80000000u + (etwhf__model_pick(g, 1u << 26) << 3);
    case 3: return (near + 1 + etwhf__model_pick(g, 7)) & mask; /* unaligned */
    default: return etwhf__model_pick(g, 0x10000);              /* tiny */
    }
}

static uint64_t draw_handle(struct gctx *g, unsigned width)
{
    const uint64_t *heaps = width == 8 ? g->heaps8 : g->heaps4;
    if (etwhf__model_chance(g, 40))
        return evil_pointer(g, width, heaps[0]);
    return heaps[etwhf__model_chance(g, 700) ? 0 : 1 + etwhf__model_pick(g, 2)];
}

static uint64_t draw_address(struct gctx *g, unsigned width, uint64_t handle)
{
    if (etwhf__model_chance(g, 40))
        return evil_pointer(g, width, handle);
    unsigned align = width == 8 ? 16 : 8;
    return (handle + 0x800 + etwhf__model_pick(g, 0x40000) * align) & width_mask(width);
}

static uint64_t tick(struct gctx *g, uint16_t cpu)
{
    g->clock[cpu & 3] += 1 + etwhf__model_pick(g, 4000);
    return g->clock[cpu & 3];
}

static void fill_random(struct gctx *g, uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i += 8) {
        uint64_t v = etwhf_dstream_u64(g->ds);
        for (size_t j = 0; j < 8 && i + j < n; j++)
            p[i + j] = (uint8_t)(v >> (8 * j));
    }
}

/* ---- items ----------------------------------------------------------------- */

/* Appends a record item written from r; heap fields are set by the caller. */
static struct m_item *add_record(struct gctx *g, const struct gen_rec *r)
{
    size_t size = etwhf__gen_rec_size(r);
    if (size == 0) {
        g->model_error = 1;
        return NULL;
    }
    size_t at = etwhf__model_arena_take(g, size);
    if (at == SIZE_MAX)
        return NULL;
    etwhf__gen_rec_write(r, g->arena + at);
    struct m_item *it = etwhf__model_new_item(g);
    if (!it)
        return NULL;
    it->kind = MK_REC;
    it->form = (int8_t)r->form;
    memcpy(it->h, g->arena + at, 8);
    it->guid_heap = r->guid == etwhf_heap_guid;
    it->opcode = r->opcode;
    it->n_ext = (uint8_t)r->n_ext;
    for (unsigned i = 0; i < r->n_ext; i++) {
        it->ext_size[i] = it->ext_real[i] = gen_rec_item_size(r, i);
        it->ext_more[i] = i + 1 < r->n_ext;
    }
    it->size = (uint32_t)size;
    it->span = (uint32_t)align8(size);
    it->at = at;
    const struct etwhf_header_info *hi = etwhf_header_info(r->form);
    it->width = hi->pointer_size;
    return it;
}

static struct m_item *add_heap(struct gctx *g, int form, const struct etwhf_gen_heap_event *ev)
{
    uint8_t payload[64];
    unsigned w = etwhf_header_info(form)->pointer_size;
    size_t len = etwhf_gen_encode_payload(ev, w, payload, sizeof payload);
    struct gen_rec r;
    etwhf__gen_rec_heap(&r, form, ev, payload, len);
    if (etwhf_header_info(form)->family == ETWHF_FAM_PERFINFO && etwhf__model_chance(g, 150)) {
        r.pmc = (unsigned)etwhf__model_pick(g, 3);
        r.pebs = etwhf__model_chance(g, 300);
    }
    if (etwhf_header_info(form)->family == ETWHF_FAM_EVENT && etwhf__model_chance(g, 300)) {
        static const uint16_t types[3] = {0x0001, 0x0003, 0x000B}, sizes[3] = {16, 4, 8};
        r.n_ext = 1 + (unsigned)etwhf__model_pick(g, 3);
        for (unsigned i = 0; i < r.n_ext; i++) {
            r.ext_type[i] = types[i];
            r.ext_data[i] = sizes[i];
        }
        /* Now and then the items as written, unrounded: the 4-byte one is then 12 bytes (R8.5). */
        r.ext_exact = etwhf__model_chance(g, 300);
    }
    struct m_item *it = add_record(g, &r);
    if (!it)
        return NULL;
    int fam = etwhf_header_info(form)->family;
    if ((fam == ETWHF_FAM_SYSTEM || fam == ETWHF_FAM_COMPACT) && !g->plan.documented && etwhf__model_chance(g, 100)) {
        /* Byte 3 0xD0: MESSAGE's 0x10 beside 0x40, which decides the form (R4.1). */
        it->h[3] |= ETWHF_TRACE_MESSAGE;
    }
    it->heap_type = ev->type;
    it->handle = ev->heap_handle & width_mask(w);
    it->address = ev->address & width_mask(w);
    it->alloc_size = ev->size & width_mask(w);
    it->new_address = ev->new_address & width_mask(w);
    it->old_address = ev->old_address & width_mask(w);
    it->new_size = ev->new_size & width_mask(w);
    it->old_size = ev->old_size & width_mask(w);
    it->source = ev->source;
    return it;
}

static void base_event(struct gctx *g, struct etwhf_gen_heap_event *ev, uint8_t type, uint16_t cpu, unsigned w)
{
    memset(ev, 0, sizeof *ev);
    ev->type = type;
    ev->version = ETWHF_HEAP_EVENT_VERSION;
    ev->pid = g->pid;
    ev->tid = g->tids[etwhf__model_pick(g, 3)];
    ev->timestamp = tick(g, cpu);
    ev->heap_handle = draw_handle(g, w);
    ev->source = etwhf__model_draw_source(g);
}

/* A heap event of `type` in a drawn form; NULL when no form is allowed. */
static struct m_item *add_heap_event(struct gctx *g, uint8_t type, uint16_t cpu, int form)
{
    unsigned w = form >= 0 ? etwhf_header_info(form)->pointer_size : draw_width(g);
    if (form < 0)
        form = draw_heap_form(g, w);
    if (form < 0)
        return NULL;
    struct etwhf_gen_heap_event ev;
    g->edge_drawn = 0;
    base_event(g, &ev, type, cpu, w);
    ev.address = draw_address(g, w, ev.heap_handle);
    if (type == ETWHF_HEAP_ALLOC) {
        ev.size = etwhf__model_chance(g, 30) ? evil_pointer(g, w, 0) : 8 + etwhf__model_pick(g, 4096);
    } else if (type == ETWHF_HEAP_REALLOC) {
        ev.new_address = ev.address;
        ev.old_address = draw_address(g, w, ev.heap_handle);
        ev.new_size = 8 + etwhf__model_pick(g, 8192);
        ev.old_size = 8 + etwhf__model_pick(g, 8192);
    }
    int edge = g->edge_drawn;
    struct m_item *it = add_heap(g, form, &ev);
    if (it && edge)
        it->drawn |= IF_EDGE;
    return it;
}

static struct m_item *add_target(struct gctx *g, uint16_t cpu)
{
    int form = g->plan.target_header;
    unsigned w = etwhf_header_info(form)->pointer_size;
    struct etwhf_gen_heap_event ev;
    g->edge_drawn = 0;
    base_event(g, &ev, ETWHF_HEAP_FREE, cpu, w);
    ev.address = draw_address(g, w, ev.heap_handle);
    ev.source = g->plan.target_source;
    int edge = g->edge_drawn;
    struct m_item *it = add_heap(g, form, &ev);
    if (it) {
        it->target = 1;
        it->drawn |= edge ? IF_EDGE : 0u;
    }
    return it;
}

static int sys_form(unsigned w, int family)
{
    if (family == ETWHF_FAM_COMPACT)
        return w == 8 ? ETWHF_HDR_COMPACT64 : ETWHF_HDR_COMPACT32;
    if (family == ETWHF_FAM_PERFINFO)
        return w == 8 ? ETWHF_HDR_PERFINFO64 : ETWHF_HDR_PERFINFO32;
    if (family == ETWHF_FAM_FULL)
        return w == 8 ? ETWHF_HDR_FULL64 : ETWHF_HDR_FULL32;
    if (family == ETWHF_FAM_INSTANCE)
        return w == 8 ? ETWHF_HDR_INSTANCE64 : ETWHF_HDR_INSTANCE32;
    if (family == ETWHF_FAM_EVENT)
        return w == 8 ? ETWHF_HDR_EVENT64 : ETWHF_HDR_EVENT32;
    return w == 8 ? ETWHF_HDR_SYSTEM64 : ETWHF_HDR_SYSTEM32;
}

/* Kernel events seen around heap events: thread, process, image, context switch. */
static const uint16_t kernel_hooks[] = {0x0501, 0x0502, 0x0301, 0x0A0A, 0x0B17, 0x1402};

static struct m_item *add_plain(struct gctx *g, struct gen_rec *r, size_t len)
{
    uint8_t payload[64];
    fill_random(g, payload, len);
    r->payload = payload;
    r->payload_len = len;
    return add_record(g, r);
}

static struct m_item *add_stackwalk(struct gctx *g, uint16_t cpu, unsigned w)
{
    uint8_t payload[16 + 8 * 8];
    unsigned frames = 1 + (unsigned)etwhf__model_pick(g, 6);
    uint64_t ts = g->clock[cpu & 3];
    put64(payload, ts);
    put32(payload + 8, g->pid);
    put32(payload + 12, g->tids[0]);
    for (unsigned i = 0; i < frames; i++) {
        uint64_t pc = i == 0 && w == 8 ? UINT64_C(0xFFFFF80312345678) + etwhf__model_pick(g, 0x100000)
                                       : UINT64_C(0x7FF812340000) + etwhf__model_pick(g, 0x1000000);
        putptr(payload + 16 + i * w, pc & width_mask(w), w);
    }
    struct gen_rec r;
    memset(&r, 0, sizeof r);
    r.form = sys_form(w, ETWHF_FAM_PERFINFO);
    r.version = 2;
    r.hook = ETWHF_HOOK_STACKWALK;
    r.timestamp = tick(g, cpu);
    r.payload = payload;
    r.payload_len = 16 + frames * w;
    return add_record(g, &r);
}

/* A provider GUID that is not the heap GUID. */
static void draw_guid(struct gctx *g, uint8_t guid[16])
{
    fill_random(g, guid, 16);
    if (memcmp(guid, etwhf_heap_guid, 16) == 0)
        guid[0] ^= 1;
}

static struct m_item *add_manifest(struct gctx *g, uint16_t cpu, unsigned w, unsigned min_ext, int tiny)
{
    static const uint16_t types[4] = {0x0001, 0x0003, 0x0006, 0x000B}, sizes[4] = {16, 4, 8 * 3, 8};
    uint8_t guid[16];
    draw_guid(g, guid);
    struct gen_rec r;
    memset(&r, 0, sizeof r);
    r.form = sys_form(w, ETWHF_FAM_EVENT);
    r.guid = guid;
    r.version = (uint8_t)etwhf__model_pick(g, 3);
    r.opcode = (uint8_t)etwhf__model_pick(g, 20);
    r.event_id = (uint16_t)etwhf__model_pick(g, 600);
    r.pid = g->pid;
    r.tid = g->tids[etwhf__model_pick(g, 3)];
    r.timestamp = tick(g, cpu);
    r.n_ext = min_ext + (unsigned)etwhf__model_pick(g, 4 - min_ext);
    unsigned first = (unsigned)etwhf__model_pick(g, 4);
    for (unsigned i = 0; i < r.n_ext; i++) {
        r.ext_type[i] = types[(first + i) % 4];
        r.ext_data[i] = sizes[(first + i) % 4];
    }
    return add_plain(g, &r, tiny ? etwhf__model_pick(g, 8) : etwhf__model_pick(g, 41));
}

static struct m_item *add_neighbour(struct gctx *g, uint16_t cpu)
{
    unsigned w = draw_width(g);
    struct gen_rec r;
    memset(&r, 0, sizeof r);
    r.pid = g->pid;
    r.tid = g->tids[etwhf__model_pick(g, 3)];
    r.timestamp = tick(g, cpu);
    r.version = 2;
    uint8_t guid[16];
    switch (etwhf__model_pick(g, 9)) {
    case 0: return add_heap_event(g, ETWHF_HEAP_ALLOC, cpu, -1);
    case 1: return add_heap_event(g, ETWHF_HEAP_REALLOC, cpu, -1);
    case 2: { /* other heap types: counted and skipped, whatever their payload */
        int form = draw_heap_form(g, w);
        if (form < 0)
            break;
        static const uint8_t others[] = {ETWHF_HEAP_CREATE, ETWHF_HEAP_DESTROY, 0x25, 0x2B, 0x2C, 0x2F};
        uint8_t type = others[etwhf__model_pick(g, sizeof others)];
        r.form = form;
        r.hook = (uint16_t)(ETWHF_HEAP_GROUP << 8 | type);
        r.guid = etwhf_heap_guid;
        r.opcode = type;
        /* Mostly a length the sources give (docs/spec/format.md §6.4); in
         * cases that may hold chosen shapes, sometimes any length: the walk
         * reads nothing of these payloads (R9.2). */
        size_t doc = etwhf__model_other_heap_len(type, w);
        size_t len = g->plan.documented || etwhf__model_chance(g, 700) ? doc : etwhf__model_pick(g, 3 * w + 1);
        struct m_item *it = add_plain(g, &r, len);
        if (it && len == doc)
            it->drawn |= IF_OTHER_DOC_LEN;
        return it;
    }
    case 3:
        r.form = sys_form(w, ETWHF_FAM_COMPACT);
        r.hook = kernel_hooks[etwhf__model_pick(g, sizeof kernel_hooks / sizeof kernel_hooks[0])];
        return add_plain(g, &r, 4 * etwhf__model_pick(g, 10));
    case 4:
        r.form = sys_form(w, ETWHF_FAM_PERFINFO);
        r.hook = 0x0524; /* context switch, with hardware counters */
        r.pmc = (unsigned)etwhf__model_pick(g, 5);
        r.pebs = etwhf__model_chance(g, 300);
        return add_plain(g, &r, 24);
    case 5: return add_manifest(g, cpu, w, 0, 0);
    case 6: {
        /* Mostly the layout a widely used reader assumes (etl-parser's
         * WinTrace: GUID, then TID and PID); other documented option flags
         * now and then, so a reader that knows only that layout meets the
         * rest. No public trace holds a MESSAGE record (docs/spec/evidence.md). */
        static const uint16_t other_flags[] = {
            ETWHF_MSG_SEQUENCE | ETWHF_MSG_SYSTEM_INFO,
            ETWHF_MSG_SEQUENCE | ETWHF_MSG_GUID | ETWHF_MSG_SYSTEM_INFO,
            ETWHF_MSG_SEQUENCE | ETWHF_MSG_COMPONENT_ID | ETWHF_MSG_TIMESTAMP | ETWHF_MSG_SYSTEM_INFO,
            ETWHF_MSG_GUID | ETWHF_MSG_PERF_TIMESTAMP | ETWHF_MSG_SYSTEM_INFO,
            ETWHF_MSG_SEQUENCE,
            0,
        };
        r.form = ETWHF_HDR_MESSAGE;
        r.event_id = (uint16_t)etwhf__model_pick(g, 100);
        r.msg_flags = etwhf__model_chance(g, 750)
                          ? GEN_MSG_COMMON_FLAGS
                          : other_flags[etwhf__model_pick(g, sizeof other_flags / sizeof other_flags[0])];
        draw_guid(g, guid);
        r.guid = guid;
        return add_plain(g, &r, etwhf__model_pick(g, 25));
    }
    case 7:
        draw_guid(g, guid);
        r.form = sys_form(w, etwhf__model_chance(g, 500) ? ETWHF_FAM_FULL : ETWHF_FAM_INSTANCE);
        r.guid = guid;
        r.opcode = (uint8_t)etwhf__model_pick(g, 50);
        return add_plain(g, &r, 4 + etwhf__model_pick(g, 29));
    default: break;
    }
    r.form = sys_form(w, ETWHF_FAM_SYSTEM);
    r.hook = kernel_hooks[etwhf__model_pick(g, sizeof kernel_hooks / sizeof kernel_hooks[0])];
    if (g->plan.compressed && etwhf__model_chance(g, 200)) {
        /* A rundown record whose fixed-size name fields are mostly zero: in a
         * compressed buffer, a match long enough for the u16 length form. */
        r.payload = NULL;
        r.payload_len = 288 + 8 * etwhf__model_pick(g, 16);
        return add_record(g, &r);
    }
    return add_plain(g, &r, 8 + 4 * etwhf__model_pick(g, 11));
}

/* Neighbours some faults need next to the target. */
static int add_needed(struct gctx *g, uint16_t cpu)
{
    unsigned w = draw_width(g);
    if (g->plan.needs & NEED_PERFINFO_SMALL) {
        struct gen_rec r;
        memset(&r, 0, sizeof r);
        r.form = sys_form(w, ETWHF_FAM_PERFINFO);
        r.version = 2;
        r.hook = 0x0F2E; /* sampled profile */
        r.timestamp = tick(g, cpu);
        if (!add_plain(g, &r, 8 + 4 * etwhf__model_pick(g, 3)))
            return -1;
    }
    if (g->plan.needs & (NEED_EXT_ITEMS | NEED_EXT_TINY))
        if (!add_manifest(g, cpu, w, 1, (g->plan.needs & NEED_EXT_TINY) != 0))
            return -1;
    return 0;
}

/* ---- regions --------------------------------------------------------------- */

/* Room kept for the target, the neighbours its faults need and a stack walk. */
#define TARGET_RESERVE 0x200u

static int fail(struct gctx *g)
{
    return g->oom || g->model_error ? -1 : 0;
}

static void maybe_stackwalk(struct gctx *g, uint16_t cpu)
{
    struct m_item *last = g->n_items ? &g->items[g->n_items - 1] : NULL;
    if (last && last->heap_type && etwhf__model_chance(g, 250))
        add_stackwalk(g, cpu, last->width);
}

static int add_one(struct gctx *g, uint16_t cpu)
{
    if (etwhf__model_chance(g, 450))
        add_heap_event(g, ETWHF_HEAP_FREE, cpu, -1);
    else
        add_neighbour(g, cpu);
    maybe_stackwalk(g, cpu);
    return fail(g);
}

static int add_target_group(struct gctx *g, uint16_t cpu)
{
    if ((g->plan.needs & NEED_LEADING_RECORD) && add_one(g, cpu) != 0)
        return -1;
    int needs_first = (g->plan.needs & ~NEED_LEADING_RECORD) && etwhf__model_chance(g, 500);
    if (needs_first && add_needed(g, cpu) != 0)
        return -1;
    if (!add_target(g, cpu))
        return -1;
    maybe_stackwalk(g, cpu);
    if ((g->plan.needs & ~NEED_LEADING_RECORD) && !needs_first && add_needed(g, cpu) != 0)
        return -1;
    return fail(g);
}

static uint32_t spans_since(struct gctx *g, size_t first)
{
    uint32_t n = 0;
    for (size_t k = first; k < g->n_items; k++)
        n += g->items[k].span;
    return n;
}

/* Fills a region with up to `count` records in `room` bytes; the target (when
 * asked for) always gets its place. */
static int fill_region(struct gctx *g, uint16_t cpu, uint32_t room, int with_target, unsigned count)
{
    /* A leading record may be a rundown neighbour of up to 0x1B8 bytes. */
    uint32_t lead = g->plan.needs & NEED_LEADING_RECORD ? 0x1C0u : 0u;
    uint32_t used = 0, reserve = with_target ? TARGET_RESERVE + lead : 0;
    unsigned target_at = with_target ? (unsigned)etwhf__model_pick(g, count) : count;
    int full = 0;
    for (unsigned i = 0; i < count; i++) {
        int is_target = i == target_at;
        if (full && !is_target)
            continue;
        size_t before = g->n_items;
        if ((is_target ? add_target_group(g, cpu) : add_one(g, cpu)) != 0)
            return -1;
        uint32_t add = spans_since(g, before);
        if (is_target) {
            reserve = 0;
            if (used + add > room) {
                g->model_error = 1;
                return -1;
            }
        } else if (used + add + reserve > room) {
            g->n_items = before;
            full = 1;
            continue;
        }
        used += add;
    }
    /* Now and then a last record of 8 bytes (a MESSAGE with no items): the
     * region then ends 8 bytes after its start, where R1.1 still reads one. */
    if (etwhf__model_chance(g, 150) && used + 8 + reserve <= room) {
        struct gen_rec r;
        memset(&r, 0, sizeof r);
        r.form = ETWHF_HDR_MESSAGE;
        r.event_id = (uint16_t)etwhf__model_pick(g, 100);
        struct m_item *it = add_plain(g, &r, 0);
        if (!it)
            return -1;
        it->drawn |= IF_FINAL8;
    }
    return 0;
}

static void init_realism(struct gctx *g)
{
    for (unsigned i = 0; i < 3; i++) {
        g->heaps8[i] = etwhf__gen_heap_base(g->ds, 8, i);
        g->heaps4[i] = etwhf__gen_heap_base(g->ds, 4, i);
    }
    g->pid = 4 * (0x100 + (uint32_t)etwhf__model_pick(g, 0x3000));
    for (unsigned i = 0; i < 3; i++)
        g->tids[i] = 4 * (0x100 + (uint32_t)etwhf__model_pick(g, 0x3000));
    uint64_t start = 0x10000 + etwhf__model_pick(g, UINT64_C(1) << 40);
    for (unsigned i = 0; i < 4; i++)
        g->clock[i] = start + etwhf__model_pick(g, 1000);
}

static int build_payload(struct gctx *g)
{
    unsigned w = g->plan.width == (int)ETWHF_GEN_W4 ? 4 : 8;
    struct etwhf_gen_heap_event *ev = &g->pev;
    g->edge_drawn = 0;
    base_event(g, ev, g->plan.event, 0, w);
    ev->source = g->plan.target_source;
    ev->address = draw_address(g, w, ev->heap_handle);
    ev->size = 8 + etwhf__model_pick(g, 4096);
    ev->new_address = ev->address;
    ev->old_address = draw_address(g, w, ev->heap_handle);
    ev->new_size = 8 + etwhf__model_pick(g, 8192);
    ev->old_size = 8 + etwhf__model_pick(g, 8192);
    g->pwidth = w;
    g->plen = etwhf_gen_encode_payload(ev, w, g->pbytes, sizeof g->pbytes);
    return g->plen ? 0 : -1;
}

static int build_records(struct gctx *g)
{
    g->n_bufs = 1;
    struct m_buf *b = &g->bufs[0];
    memset(b, 0, sizeof *b);
    b->first = 0;
    if (fill_region(g, 0, 0xF000, 1, 1 + (unsigned)etwhf__model_pick(g, 6)) != 0)
        return -1;
    b->count = g->n_items;
    return 0;
}

static struct m_item *add_header_event(struct gctx *g, uint16_t hook, size_t len)
{
    struct gen_rec r;
    memset(&r, 0, sizeof r);
    r.form = sys_form(g->lf.layout, ETWHF_FAM_SYSTEM);
    r.version = 2;
    r.hook = hook;
    r.pid = g->lf.pid;
    r.tid = g->lf.tid;
    r.timestamp = g->lf.timestamp;
    return add_plain(g, &r, len);
}

static const uint32_t strides[] = {0x400, 0x800, 0x1000};

static int build_file(struct gctx *g)
{
    unsigned layout = g->plan.width == (int)ETWHF_GEN_W4 ? 4 : 8;
    unsigned cpus = 1 + (unsigned)etwhf__model_pick(g, 4);
    unsigned data = 1 + (unsigned)etwhf__model_pick(g, 3);
    unsigned pick = (unsigned)etwhf__model_pick(g, 10);
    g->stride = strides[pick < 6 ? 0 : pick < 9 ? 1 : 2];
    etwhf__gen_logfile_default(&g->lf, layout, g->stride, 1 + data, cpus);
    g->lf.timestamp = g->clock[0] - 1 - etwhf__model_pick(g, 100);
    if (g->plan.compressed) {
        g->lf.log_file_mode |= ETWHF_LOGFILE_MODE_COMPRESSED;
        g->lf.version = 0x0002000Au;
    }
    g->n_bufs = 1 + data;

    /* Buffer 0: the logfile record and header-group events. */
    struct m_buf *b0 = &g->bufs[0];
    memset(b0, 0, sizeof *b0);
    b0->hdr.buffer_size = b0->stride = g->plan.compressed ? 0x400 : g->stride;
    b0->hdr.state = g->plan.compressed ? ETWHF_COMPRESSION_XPRESS : ETWHF_BUFFER_STATE_FLUSH;
    b0->hdr.flags = g->plan.compressed ? ETWHF_BF_FLUSH_MARKER : (ETWHF_BF_FLUSH_MARKER | ETWHF_BF_PROC_INDEX);
    b0->hdr.type = ETWHF_BT_HEADER;
    b0->hdr.logger_id = 0x1C;
    b0->saved_zero = !g->plan.compressed && etwhf__model_chance(g, 100);
    b0->first = g->n_items;
    struct m_item *lf = etwhf__model_new_item(g);
    if (!lf)
        return -1;
    uint8_t tmp[0x20 + ETWHF_LOGFILE_SIZE64 + 2 * GEN_LOGFILE_NAME_UNITS];
    int evil = g->plan.n_faults > 0 && !g->plan.documented && etwhf__model_chance(g, 250);
    size_t n_names = !evil                 ? GEN_LOGFILE_NAMES
                     : b0->stride >= 0x800 ? GEN_LOGFILE_EVIL_NAMES
                                           : GEN_LOGFILE_EVIL_NAMES - 1;
    g->names_evil = evil;
    g->names_pick = (int)etwhf__model_pick(g, n_names);
    etwhf__gen_logfile_names(&g->lf, (size_t)g->names_pick, evil);
    lf->kind = MK_LOGFILE;
    lf->form = layout == 8 ? ETWHF_HDR_SYSTEM64 : ETWHF_HDR_SYSTEM32;
    lf->size = (uint32_t)etwhf__gen_logfile_write(&g->lf, tmp);
    lf->span = (uint32_t)align8(lf->size);
    lf->width = (uint8_t)layout;
    memcpy(lf->h, tmp, 8);
    if (etwhf__model_chance(g, 600) && !add_header_event(g, 0x0005, 36))
        return -1;
    if (etwhf__model_chance(g, 300) && !add_header_event(g, 0x0050, 48))
        return -1;
    b0->count = g->n_items - b0->first;

    unsigned target_buf = 1 + (unsigned)etwhf__model_pick(g, data);
    uint32_t room = g->stride - ETWHF_BUFFER_HEADER_SIZE - M_SLACK;
    for (unsigned i = 1; i <= data; i++) {
        struct m_buf *b = &g->bufs[i];
        memset(b, 0, sizeof *b);
        b->cpu = (uint16_t)etwhf__model_pick(g, cpus);
        b->compressed = g->plan.compressed;
        b->hdr.buffer_size = b->stride = g->stride;
        b->hdr.state = ETWHF_BUFFER_STATE_FLUSH;
        b->hdr.flags = ETWHF_BF_PROC_INDEX | (b->compressed ? ETWHF_BF_COMPRESSED : 0);
        if (b->compressed && etwhf__model_chance(g, 100)) {
            /* Lost-event flags on a compressed buffer: an expanded buffer
             * raises no EVENTS_LOST from them (walk.md C4.6). */
            static const uint16_t lost[] = {ETWHF_BF_EVENTS_LOST, ETWHF_BF_BUFFER_LOST};
            b->hdr.flags |= lost[etwhf__model_pick(g, 2)];
        }
        b->hdr.type = ETWHF_BT_GENERIC;
        b->hdr.sequence = i;
        b->hdr.cpu = b->cpu;
        b->hdr.logger_id = 0x1C;
        b->first = g->n_items;
        if (fill_region(g, b->cpu, room, i == target_buf, 2 + (unsigned)etwhf__model_pick(g, 14)) != 0)
            return -1;
        b->count = g->n_items - b->first;
        b->hdr.timestamp = g->clock[b->cpu & 3] + 1 + etwhf__model_pick(g, 50);
    }
    return 0;
}

int etwhf__model_build(struct gctx *g)
{
    init_realism(g);
    int rc;
    switch (g->plan.layer) {
    case ETWHF_GEN_PAYLOAD: rc = build_payload(g); break;
    case ETWHF_GEN_RECORD: rc = build_records(g); break;
    default: rc = build_file(g); break;
    }
    return g->oom ? -1 : rc;
}
