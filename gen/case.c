/*
 * case.c — one case: the plan drawn from the decision stream (layer, width,
 * faults, target form and Source), then build → faults → layout → walk →
 * render. Also options, exhaustive enumeration and case file names.
 */
#include "faults.h"

#include <stdio.h>

static const uint32_t default_sources[] = {1, 2, 3, 4, 5, 6, 0, 7, 0x80000000u, 0xFFFFFFFFu};
#define N_DEFAULT_SOURCES (sizeof default_sources / sizeof default_sources[0])

void etwhf_gen_options_init(struct etwhf_gen_options *o)
{
    memset(o, 0, sizeof *o);
    o->fault_mode = ETWHF_GEN_FAULTS_ALL;
    o->fault_rate = 500;
    o->max_faults = 2;
    o->compressed_rate = 150;
}

void etwhf_gen_pin_init(struct etwhf_gen_pin *p)
{
    p->layer = p->width = p->header = p->fault = p->event = -1;
    p->has_source = 0;
    p->source = 0;
}

static unsigned layers_of(const struct etwhf_gen_options *o)
{
    return o->layers ? o->layers & ETWHF_GEN_ALL_LAYERS : ETWHF_GEN_ALL_LAYERS;
}
static unsigned widths_of(const struct etwhf_gen_options *o)
{
    return o->widths ? o->widths & ETWHF_GEN_ALL_WIDTHS : ETWHF_GEN_ALL_WIDTHS;
}
static uint32_t headers_of(const struct etwhf_gen_options *o)
{
    return o->headers ? o->headers & ETWHF_GEN_ALL_HEADERS : ETWHF_GEN_ALL_HEADERS;
}

static const uint32_t *sources_of(const struct etwhf_gen_options *o, size_t *n)
{
    *n = o->n_sources ? o->n_sources : N_DEFAULT_SOURCES;
    return o->n_sources ? o->sources : default_sources;
}

/* A heap form fits a case width: W4 → 32-bit forms, W8 → 64-bit, mixed → any. */
static int header_fits(int header, int width)
{
    unsigned p = etwhf_header_info(header)->pointer_size;
    return width == (int)ETWHF_GEN_WMIXED || (width == (int)ETWHF_GEN_W4) == (p == 4);
}

static int width_ok(const struct etwhf_gen_options *o, int layer, int width)
{
    if (!(widths_of(o) & (unsigned)width))
        return 0;
    if (layer == ETWHF_GEN_PAYLOAD)
        return width != (int)ETWHF_GEN_WMIXED;
    for (int h = 0; h < ETWHF_HDR_FORMS; h++)
        if ((headers_of(o) >> h & 1u) && header_fits(h, width))
            return 1;
    return 0;
}

static int layer_ok(const struct etwhf_gen_options *o, int layer)
{
    if (!(layers_of(o) & ETWHF_GEN_LAYER_BIT(layer)))
        return 0;
    for (int w = 1; w <= 4; w <<= 1)
        if (width_ok(o, layer, w))
            return 1;
    return 0;
}

static int fault_enabled(const struct etwhf_gen_options *o, int f)
{
    if (o->fault_mode == ETWHF_GEN_FAULTS_NONE)
        return 0;
    if (o->fault_mode == ETWHF_GEN_FAULTS_LIST)
        return (int)(o->fault_set >> f & 1u);
    return 1;
}

int etwhf_gen_options_check(const struct etwhf_gen_options *o)
{
    if (!o || o->fault_rate > 1000 || o->compressed_rate > 1000 || o->max_faults < 1 ||
        o->max_faults > ETWHF_GEN_MAX_FAULTS || o->n_sources > ETWHF_GEN_MAX_SOURCES ||
        o->fault_mode < ETWHF_GEN_FAULTS_ALL || o->fault_mode > ETWHF_GEN_FAULTS_LIST ||
        (o->fault_mode == ETWHF_GEN_FAULTS_LIST && (o->fault_set >> ETWHF_FAULT_COUNT) != 0) ||
        (o->layers & ~ETWHF_GEN_ALL_LAYERS) || (o->widths & ~ETWHF_GEN_ALL_WIDTHS) ||
        (o->headers & ~ETWHF_GEN_ALL_HEADERS))
        return ETWHF_EINVAL;
    for (int l = 0; l < 3; l++)
        if (layer_ok(o, l))
            return ETWHF_OK;
    return ETWHF_EINVAL;
}

/* ---- the plan ----------------------------------------------------------------------- */

static int fault_fits(const struct plan *p, int f, int compressed_req)
{
    const struct fault_def *d = &etwhf__fault_defs[f];
    if (!(d->info.case_layers & ETWHF_GEN_LAYER_BIT(p->layer)))
        return 0;
    if (p->layer == ETWHF_GEN_FILE && d->info.compressed && compressed_req && d->info.compressed != compressed_req)
        return 0;
    for (size_t i = 0; i < p->n_faults; i++) {
        const struct fault_def *e = &etwhf__fault_defs[p->faults[i]];
        if (p->faults[i] == f || e->group == G_ALONE || (d->group && d->group == e->group))
            return 0;
    }
    return !(d->group == G_ALONE && p->n_faults);
}

/* -1 / 0 / 1: what the chosen faults require of compression. */
static int compressed_required(const struct plan *p)
{
    for (size_t i = 0; i < p->n_faults; i++)
        if (etwhf__fault_defs[p->faults[i]].info.compressed)
            return etwhf__fault_defs[p->faults[i]].info.compressed;
    return 0;
}

static void draw_faults(struct gctx *g, const struct etwhf_gen_pin *pin)
{
    struct plan *p = &g->plan;
    const struct etwhf_gen_options *o = g->o;
    if (pin->fault >= 0) {
        if (pin->fault < ETWHF_FAULT_COUNT)
            p->faults[p->n_faults++] = pin->fault;
        return;
    }
    if (o->fault_mode == ETWHF_GEN_FAULTS_NONE || !etwhf__model_chance(g, o->fault_rate))
        return;
    size_t want = 1;
    while (want < o->max_faults && etwhf__model_chance(g, 250))
        want++;
    while (p->n_faults < want) {
        int req = compressed_required(p), cand[ETWHF_FAULT_COUNT], n = 0;
        for (int f = 0; f < ETWHF_FAULT_COUNT; f++)
            if (fault_enabled(o, f) && fault_fits(p, f, req))
                cand[n++] = f;
        if (n == 0)
            break;
        p->faults[p->n_faults++] = cand[etwhf__model_pick(g, (uint64_t)n)];
        if (etwhf__fault_defs[p->faults[p->n_faults - 1]].group == G_ALONE)
            break;
    }
}

/* The options' Source values within [lo, hi] into out; how many. */
static size_t sources_within(const struct etwhf_gen_options *o, uint32_t lo, uint32_t hi, uint32_t *out)
{
    size_t n, k = 0;
    const uint32_t *list = sources_of(o, &n);
    for (size_t i = 0; i < n; i++)
        if (list[i] >= lo && list[i] <= hi)
            out[k++] = list[i];
    return k;
}

uint32_t etwhf__model_draw_source(struct gctx *g)
{
    size_t n;
    const uint32_t *list = sources_of(g->o, &n);
    uint32_t good[ETWHF_GEN_MAX_SOURCES];
    if (!etwhf__model_chance(g, 250)) { /* mostly the MEMORY_FROM_* values Windows returns */
        size_t k = sources_within(g->o, 1, 5, good);
        if (k)
            return good[etwhf__model_pick(g, k)];
    }
    if (g->plan.documented) { /* no value the sources do not list (6 is listed, as reserved) */
        size_t k = sources_within(g->o, 1, 6, good);
        if (k)
            return good[etwhf__model_pick(g, k)];
    }
    return list[etwhf__model_pick(g, n)];
}

static int is_system_form(int header)
{
    return etwhf_header_info(header)->family == ETWHF_FAM_SYSTEM;
}

/* Whether this case draws only observed or documented shapes: always with
 * --evidence documented, else half the drawn cases, and in exhaustive mode
 * every case whose pinned form and Source allow it. Needs a system form
 * the options allow (the only documented home of a heap event) and a
 * documented Source value among the options'. */
static int draw_documented(struct gctx *g, const struct etwhf_gen_pin *pin)
{
    const struct etwhf_gen_options *o = g->o;
    uint32_t good[ETWHF_GEN_MAX_SOURCES];
    if (!sources_within(o, 1, 6, good))
        return 0;
    if (pin->has_source && (pin->source < 1 || pin->source > 6))
        return 0;
    if (pin->header >= 0 && !is_system_form(pin->header))
        return 0;
    int system = 0;
    for (int h = 0; h < ETWHF_HDR_FORMS; h++)
        system |= (headers_of(o) >> h & 1u) && is_system_form(h);
    if (!system && g->plan.layer != ETWHF_GEN_PAYLOAD)
        return 0;
    if (o->documented_only || pin->has_source || pin->header >= 0 || pin->fault >= 0)
        return 1;
    return etwhf__model_chance(g, 500);
}

static int draw_plan(struct gctx *g, const struct etwhf_gen_pin *pin)
{
    const struct etwhf_gen_options *o = g->o;
    struct plan *p = &g->plan;
    memset(p, 0, sizeof *p);
    int opts[4], n = 0;

    if (pin->layer >= 0) {
        if (pin->layer > ETWHF_GEN_FILE || !layer_ok(o, pin->layer))
            return ETWHF_EINVAL;
        p->layer = pin->layer;
    } else {
        for (int l = 0; l < 3; l++)
            if (layer_ok(o, l))
                opts[n++] = l;
        p->layer = opts[etwhf__model_pick(g, (uint64_t)n)];
    }
    if (pin->width >= 0) {
        if (!width_ok(o, p->layer, pin->width))
            return ETWHF_EINVAL;
        p->width = pin->width;
    } else {
        n = 0;
        for (int w = 1; w <= 4; w <<= 1)
            if (width_ok(o, p->layer, w))
                opts[n++] = w;
        p->width = opts[etwhf__model_pick(g, (uint64_t)n)];
    }
    if (pin->fault >= 0 && pin->fault < ETWHF_FAULT_COUNT &&
        !(etwhf__fault_defs[pin->fault].info.case_layers & ETWHF_GEN_LAYER_BIT(p->layer)))
        return ETWHF_EINVAL;
    p->documented = draw_documented(g, pin);
    draw_faults(g, pin);
    int req = compressed_required(p);
    if (p->layer == ETWHF_GEN_FILE)
        p->compressed = req ? req > 0 : etwhf__model_chance(g, o->compressed_rate);
    for (size_t i = 0; i < p->n_faults; i++) {
        const struct fault_def *d = &etwhf__fault_defs[p->faults[i]];
        p->needs |= d->needs;
        if (d->needs & NEED_EXT_ITEMS && etwhf__model_chance(g, 300))
            p->needs |= NEED_EXT_TINY;
        p->raw[i] = d->kinds == 3u ? (uint8_t)etwhf__model_chance(g, 500) : d->kinds == 1u;
    }
    if (p->layer != ETWHF_GEN_PAYLOAD) {
        if (pin->header >= 0) {
            if (pin->header >= ETWHF_HDR_FORMS || !(headers_of(o) >> pin->header & 1u) ||
                !header_fits(pin->header, p->width))
                return ETWHF_EINVAL;
            p->target_header = pin->header;
        } else {
            int forms[ETWHF_HDR_FORMS];
            n = 0;
            for (int pass = p->documented ? 0 : 1; pass < 2 && n == 0; pass++)
                for (int h = 0; h < ETWHF_HDR_FORMS; h++)
                    if ((headers_of(o) >> h & 1u) && header_fits(h, p->width) && (pass || is_system_form(h)))
                        forms[n++] = h;
            p->target_header = forms[etwhf__model_pick(g, (uint64_t)n)];
        }
    } else {
        p->target_header = -1;
    }
    p->target_source = pin->has_source ? pin->source : etwhf__model_draw_source(g);
    if (pin->event >= 0) {
        if (pin->event != ETWHF_HEAP_FREE && pin->event != ETWHF_HEAP_ALLOC && pin->event != ETWHF_HEAP_REALLOC)
            return ETWHF_EINVAL;
        p->event = (uint8_t)pin->event;
    } else {
        p->event = etwhf__model_chance(g, 400) ? (etwhf__model_chance(g, 500) ? ETWHF_HEAP_REALLOC : ETWHF_HEAP_ALLOC)
                                               : ETWHF_HEAP_FREE;
    }
    return ETWHF_OK;
}

/* ---- building --------------------------------------------------------------------- */

static void expect_free(const struct etwhf_allocator *a, struct etwhf_gen_expect *x)
{
    etwhf__gen_free(a, x->events);
    etwhf__gen_free(a, x->diags);
    etwhf__gen_free(a, x->heap_events);
    memset(x, 0, sizeof *x);
}

static void ctx_free(struct gctx *g)
{
    etwhf__gen_free(g->a, g->items);
    etwhf__gen_free(g->a, g->arena);
}

static int build(struct gctx *g, struct etwhf_gen_expect *x)
{
    if (etwhf__model_build(g) != 0)
        return -1;
    g->shapes |= etwhf__model_shapes(g); /* as built: faults are not shapes */
    if (etwhf__model_apply_faults(g, PH_MODEL, 0) != 0 || etwhf__model_layout_regions(g) != 0 ||
        etwhf__model_apply_faults(g, PH_REGION, 0) != 0 || etwhf__model_layout_file(g) != 0 ||
        etwhf__model_apply_faults(g, PH_LAYOUT, 0) != 0)
        return -1;
    int final = 0;
    for (size_t i = 0; i < g->plan.n_faults; i++)
        final |= etwhf__fault_defs[g->plan.faults[i]].final != NULL;
    if (final) {
        uint64_t positions = 0;
        struct etwhf_gen_expect first;
        memset(&first, 0, sizeof first);
        int rc = etwhf__model_walk(g, &first, &positions);
        expect_free(g->a, &first);
        if (rc != 0 || g->model_error || etwhf__model_apply_faults(g, PH_FINAL, positions) != 0)
            return -1;
    }
    return etwhf__model_walk(g, x, NULL);
}

static int is_decoded(uint8_t type)
{
    return type == ETWHF_HEAP_FREE || type == ETWHF_HEAP_ALLOC || type == ETWHF_HEAP_REALLOC;
}

/* The fault a case is named after: the one that causes its first error (of
 * a case with warnings only, its first warning). A fault is taken to cause a
 * diagnostic when it is built to raise that code at that buffer position;
 * failing that, when it raises that code; failing that, when it changed that
 * buffer position. Otherwise (a case whose faults raise nothing, like filler,
 * or whose diagnostic comes from the faults together) the first fault applied. */
static int naming_fault(const struct etwhf_gen_case *c, const struct etwhf_gen_expect *x)
{
    if (c->n_faults == 0)
        return -1;
    const struct etwhf_gen_diag *first = NULL;
    for (size_t i = 0; i < x->n_diags && !first; i++) {
        int sev = etwhf_diag_info(x->diags[i].code)->severity;
        if (x->error ? sev == ETWHF_SEV_ERROR : sev == ETWHF_SEV_WARNING)
            first = &x->diags[i];
    }
    if (!first)
        return 0;
    int best = 0, best_score = 0;
    for (size_t i = 0; i < c->n_faults; i++) {
        int same_code = etwhf_fault_info(c->faults[i])->code == first->code;
        int same_buffer = c->fault_at[i].buffer == first->buffer;
        int score = same_code ? 2 + same_buffer : same_buffer;
        if (score > best_score) {
            best = (int)i;
            best_score = score;
        }
    }
    return best;
}

int etwhf_gen_case_pinned(const struct etwhf_gen_options *o, const struct etwhf_gen_pin *pin, struct etwhf_dstream *ds,
                          struct etwhf_gen_case *out)
{
    if (!o || !pin || !ds || !out || etwhf_gen_options_check(o) != ETWHF_OK)
        return ETWHF_EINVAL;
    memset(out, 0, sizeof *out);
    struct gctx g;
    memset(&g, 0, sizeof g);
    g.o = o;
    g.ds = ds;
    g.a = o->allocator;
    g.vpast_buf = -1;
    int rc = draw_plan(&g, pin);
    if (rc != ETWHF_OK)
        return rc;
    struct etwhf_gen_expect x;
    memset(&x, 0, sizeof x);
    uint8_t *bytes = NULL;
    size_t len = 0;
    if (build(&g, &x) != 0 || g.model_error || etwhf__model_render(&g, &bytes, &len) != 0) {
        rc = g.oom ? ETWHF_ENOMEM : ETWHF_EBADSTATE; /* EBADSTATE: a generator bug (model error) */
        expect_free(o->allocator, &x);
        ctx_free(&g);
        return rc;
    }
    out->bytes = bytes;
    out->len = len;
    out->layer = g.plan.layer;
    out->pointer_size = g.plan.width == (int)ETWHF_GEN_W4 ? 4 : g.plan.width == (int)ETWHF_GEN_W8 ? 8 : 0;
    out->event = g.plan.layer == ETWHF_GEN_PAYLOAD ? g.plan.event : 0;
    out->compressed = g.plan.layer == ETWHF_GEN_FILE && g.plan.compressed;
    for (size_t i = 0; i < g.n_items; i++)
        if (is_decoded(g.items[i].heap_type))
            out->headers |= 1u << g.items[i].form;
    out->n_faults = g.plan.n_faults;
    for (size_t i = 0; i < g.plan.n_faults; i++) {
        out->faults[i] = g.plan.faults[i];
        out->fault_raw[i] = g.plan.raw[i];
    }
    etwhf__model_fault_locations(&g, out->fault_at);
    out->name_fault = naming_fault(out, &x);
    out->heap_records = g.plan.layer == ETWHF_GEN_PAYLOAD ? 1 : 0;
    for (size_t i = 0; i < g.n_items; i++)
        out->heap_records += is_decoded(g.items[i].heap_type);
    out->target_header = g.plan.target_header;
    out->target_source = g.plan.target_source;
    out->shapes = g.shapes;
    out->evidence = etwhf_gen_shapes_evidence(g.shapes);
    out->expect = x;
    if (o->allocator)
        out->allocator = *o->allocator;
    ctx_free(&g);
    return ETWHF_OK;
}

int etwhf_gen_case(const struct etwhf_gen_options *o, struct etwhf_dstream *ds, struct etwhf_gen_case *out)
{
    struct etwhf_gen_pin pin;
    etwhf_gen_pin_init(&pin);
    return etwhf_gen_case_pinned(o, &pin, ds, out);
}

void etwhf_gen_case_free(struct etwhf_gen_case *c)
{
    if (!c)
        return;
    const struct etwhf_allocator *a = c->allocator.alloc || c->allocator.free ? &c->allocator : NULL;
    etwhf__gen_free(a, c->bytes);
    expect_free(a, &c->expect);
    c->bytes = NULL;
    c->len = 0;
}

/* ---- exhaustive mode ----------------------------------------------------------------- */

/* Combinations for one (fault, layer): payload: event × width × source;
 * otherwise Σ over allowed forms of (fitting widths) × source. */
static uint64_t sub_count(const struct etwhf_gen_options *o, int layer)
{
    size_t ns;
    sources_of(o, &ns);
    uint64_t n = 0;
    if (layer == ETWHF_GEN_PAYLOAD) {
        for (int w = 1; w <= 2; w <<= 1)
            n += width_ok(o, layer, w) ? 3 : 0;
        return n * ns;
    }
    for (int h = 0; h < ETWHF_HDR_FORMS; h++)
        for (int w = 1; w <= 4; w <<= 1)
            n += (headers_of(o) >> h & 1u) && (widths_of(o) & (unsigned)w) && header_fits(h, w);
    return n * ns;
}

static int sub_pin(const struct etwhf_gen_options *o, int layer, uint64_t idx, struct etwhf_gen_pin *pin)
{
    size_t ns;
    const uint32_t *src = sources_of(o, &ns);
    pin->layer = layer;
    pin->has_source = 1;
    pin->source = src[idx % ns];
    idx /= ns;
    if (layer == ETWHF_GEN_PAYLOAD) {
        static const int events[3] = {ETWHF_HEAP_FREE, ETWHF_HEAP_ALLOC, ETWHF_HEAP_REALLOC};
        for (int w = 1; w <= 2; w <<= 1) {
            if (!width_ok(o, layer, w))
                continue;
            if (idx < 3) {
                pin->width = w;
                pin->event = events[idx];
                return ETWHF_OK;
            }
            idx -= 3;
        }
        return ETWHF_EINVAL;
    }
    for (int h = 0; h < ETWHF_HDR_FORMS; h++)
        for (int w = 1; w <= 4; w <<= 1) {
            if (!((headers_of(o) >> h & 1u) && (widths_of(o) & (unsigned)w) && header_fits(h, w)))
                continue;
            if (idx-- == 0) {
                pin->header = h;
                pin->width = w;
                return ETWHF_OK;
            }
        }
    return ETWHF_EINVAL;
}

/* Calls fn for each (fault, layer) block in order; stops when fn returns nonzero. */
static int each_block(const struct etwhf_gen_options *o, int (*fn)(void *, int, int, uint64_t), void *user)
{
    for (int f = -1; f < ETWHF_FAULT_COUNT; f++) {
        if (f >= 0 && !fault_enabled(o, f))
            continue;
        for (int l = 0; l < 3; l++) {
            if (!layer_ok(o, l) || (f >= 0 && !(etwhf__fault_defs[f].info.case_layers & ETWHF_GEN_LAYER_BIT(l))))
                continue;
            int rc = fn(user, f < 0 ? ETWHF_FAULT_COUNT : f, l, sub_count(o, l));
            if (rc)
                return rc;
        }
    }
    return 0;
}

struct ex_state {
    const struct etwhf_gen_options *o;
    uint64_t total, index;
    struct etwhf_gen_pin *pin;
    int found;
};

static int ex_count(void *user, int fault, int layer, uint64_t n)
{
    (void)fault;
    (void)layer;
    ((struct ex_state *)user)->total += n;
    return 0;
}

static int ex_find(void *user, int fault, int layer, uint64_t n)
{
    struct ex_state *s = user;
    if (s->index >= n) {
        s->index -= n;
        return 0;
    }
    s->found = sub_pin(s->o, layer, s->index, s->pin) == ETWHF_OK;
    s->pin->fault = fault;
    return 1;
}

uint64_t etwhf_gen_exhaustive_count(const struct etwhf_gen_options *o)
{
    if (etwhf_gen_options_check(o) != ETWHF_OK)
        return 0;
    struct ex_state s = {o, 0, 0, NULL, 0};
    each_block(o, ex_count, &s);
    return s.total;
}

int etwhf_gen_exhaustive_pin(const struct etwhf_gen_options *o, uint64_t index, struct etwhf_gen_pin *pin)
{
    if (!pin || etwhf_gen_options_check(o) != ETWHF_OK)
        return ETWHF_EINVAL;
    etwhf_gen_pin_init(pin);
    struct ex_state s = {o, 0, index, pin, 0};
    each_block(o, ex_find, &s);
    return s.found ? ETWHF_OK : ETWHF_EINVAL;
}

/* ---- names ----------------------------------------------------------------------------- */

size_t etwhf_gen_case_name(const struct etwhf_gen_case *c, uint64_t id, char *buf, size_t cap)
{
    static const char *const layers[] = {"payload", "record", "file"};
    if (c->layer < 0 || c->layer > 2)
        return 0;
    const char *verdict = c->expect.error                        ? "n"
                          : c->evidence == ETWHF_EVIDENCE_CHOSEN ? "i"
                          : c->expect.warnings                   ? "w"
                                                                 : "y";
    const int named = c->name_fault >= 0 && (size_t)c->name_fault < c->n_faults ? c->name_fault : c->n_faults ? 0 : -1;
    const char *what = named >= 0 ? etwhf_fault_info(c->faults[named])->name : "intact";
    const char *ext = c->layer == ETWHF_GEN_FILE ? "etl" : "bin";
    int n;
    if (c->layer == ETWHF_GEN_PAYLOAD) {
        const char *event = etwhf_heap_event_name(c->event);
        n = snprintf(buf, cap, "%s_payload_w%u_%s_%s_%06llu.%s", verdict, c->pointer_size, event ? event : "free", what,
                     (unsigned long long)id, ext);
    } else {
        n = snprintf(buf, cap, "%s_%s_%s_%06llu.%s", verdict, layers[c->layer], what, (unsigned long long)id, ext);
    }
    return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}
