/* Writing the manifest's lines (etwhf/check.h); the keys are manifest.h's.
 * Key order is part of the format: the lines are compared byte for byte
 * (tests/check/golden/). */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etwhf/check.h"
#include "manifest.h"

static json_t *hex(uint64_t v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)v);
    return json_string(buf);
}

static json_t *codes(uint32_t mask)
{
    json_t *a = json_array();
    for (int code = 1; code <= ETWHF_DIAG_MAX; code++)
        if (mask >> code & 1u)
            json_array_append_new(a, json_string(etwhf_diag_info(code)->name));
    return a;
}

static json_t *header_names(uint32_t mask)
{
    json_t *a = json_array();
    for (int h = 0; h < ETWHF_HDR_FORMS; h++)
        if (mask >> h & 1u)
            json_array_append_new(a, json_string(etwhf_header_info(h)->name));
    return a;
}

/* heap_events: every delivered heap event with the keys its `etwhf decode`
 * line has — a project extension beyond the HeapFree-only `events`, so a
 * check can judge Alloc and ReAlloc fields (docs/check.md). */
static json_t *heap_events_json(const struct etwhf_gen_expect *x)
{
    json_t *a = json_array();
    for (size_t i = 0; i < x->n_heap_events; i++) {
        const struct etwhf_gen_heap_expect *v = &x->heap_events[i];
        json_t *o = json_object();
        const char *type = etwhf_heap_type_name(v->type);
        json_object_set_new(o, MK_TYPE, json_string(type ? type : etwhf_heap_type_name(ETWHF_HEAP_FREE)));
        json_object_set_new(o, MK_HEADER,
                            v->header >= 0 ? json_string(etwhf_header_info(v->header)->name) : json_null());
        json_object_set_new(o, MK_POINTER_SIZE, json_integer(v->pointer_size));
        json_object_set_new(o, MK_HEAP_HANDLE, hex(v->heap_handle));
        if (v->type == ETWHF_HEAP_ALLOC)
            json_object_set_new(o, MK_SIZE, hex(v->size));
        if (v->type == ETWHF_HEAP_REALLOC) {
            json_object_set_new(o, MK_NEW_ADDRESS, hex(v->new_address));
            json_object_set_new(o, MK_OLD_ADDRESS, hex(v->old_address));
            json_object_set_new(o, MK_NEW_SIZE, hex(v->new_size));
            json_object_set_new(o, MK_OLD_SIZE, hex(v->old_size));
        } else {
            json_object_set_new(o, MK_ADDRESS, hex(v->address));
        }
        json_object_set_new(o, MK_SOURCE, json_integer(v->source));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *events_json(const struct etwhf_gen_expect *x)
{
    json_t *a = json_array();
    for (size_t i = 0; i < x->n_events; i++) {
        const struct etwhf_gen_event *v = &x->events[i];
        json_t *o = json_object();
        json_object_set_new(o, MK_HEAP_HANDLE, hex(v->heap_handle));
        json_object_set_new(o, MK_ADDRESS, hex(v->address));
        json_object_set_new(o, MK_SOURCE, json_integer(v->source));
        json_object_set_new(o, MK_POINTER_SIZE, json_integer(v->pointer_size));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *expect_json(const struct etwhf_gen_case *k)
{
    const struct etwhf_gen_expect *x = &k->expect;
    json_t *e = json_object();
    json_object_set_new(e, MK_VERDICT, json_string(x->error ? MV_VERDICT_ERROR : MV_VERDICT_OK));
    if (x->first_error_code) {
        json_t *fe = json_object();
        json_object_set_new(fe, MK_CODE, json_string(etwhf_diag_info(x->first_error_code)->name));
        json_object_set_new(fe, MK_OFFSET, json_integer((json_int_t)x->first_error_offset));
        json_object_set_new(e, MK_FIRST_ERROR, fe);
    } else {
        json_object_set_new(e, MK_FIRST_ERROR, json_null());
    }
    json_object_set_new(e, MK_ERRORS, codes(x->errors));
    json_object_set_new(e, MK_WARNINGS, codes(x->warnings));
    json_object_set_new(e, MK_EVENTS, events_json(x));
    if (k->layer == ETWHF_GEN_FILE) {
        json_object_set_new(e, MK_BUFFERS, json_integer((json_int_t)x->buffers));
        json_object_set_new(e, MK_BUFFERS_SKIPPED, json_integer((json_int_t)x->buffers_skipped));
        json_object_set_new(e, MK_EVENTS_TOTAL, json_integer((json_int_t)x->events_total));
    }
    json_object_set_new(e, MK_HEAP_ALLOC, json_integer((json_int_t)x->heap_alloc));
    json_object_set_new(e, MK_HEAP_REALLOC, json_integer((json_int_t)x->heap_realloc));
    json_object_set_new(e, MK_HEAP_EVENTS, heap_events_json(x));
    if (x->has_prefix) {
        json_t *p = json_object();
        json_object_set_new(p, MK_EVENTS, json_integer((json_int_t)x->prefix_events));
        json_object_set_new(p, MK_HEAP_EVENTS, json_integer((json_int_t)x->prefix_heap_events));
        json_object_set_new(e, MK_INTACT_PREFIX, p);
    }
    return e;
}

/* shapes: every shape the case holds, in catalogue order; its evidence is
 * the weakest of theirs (docs/spec/evidence.md). */
static json_t *shape_names(uint64_t mask)
{
    json_t *a = json_array();
    for (int s = 0; s < ETWHF_SHAPE_COUNT; s++)
        if (mask >> s & 1u)
            json_array_append_new(a, json_string(etwhf_gen_shape_info(s)->name));
    return a;
}

/* locations: where each fault of `faults` (same order) changed the case, as
 * diagnostics locate things (docs/spec/manifest.md) — so a user sees where a
 * fault is without decoding the case. */
static json_t *locations_json(const struct etwhf_gen_case *k)
{
    json_t *a = json_array();
    for (size_t i = 0; i < k->n_faults; i++) {
        const struct etwhf_gen_fault_at *at = &k->fault_at[i];
        json_t *o = json_object();
        json_object_set_new(o, MK_FAULT, json_string(etwhf_fault_info(k->faults[i])->name));
        json_object_set_new(o, MK_BUFFER,
                            at->buffer == ETWHF_GEN_NO_BUFFER ? json_null() : json_integer((json_int_t)at->buffer));
        json_object_set_new(o, MK_OFFSET, json_integer((json_int_t)at->offset));
        if (at->has_inner)
            json_object_set_new(o, MK_INNER_OFFSET, json_integer((json_int_t)at->inner_offset));
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *case_json(const struct etwhf_gen_case *k, uint64_t seed, uint64_t id, const char *file)
{
    json_t *o = json_object();
    char seed_id[48];
    json_object_set_new(o, MK_ID, json_integer((json_int_t)id));
    json_object_set_new(o, MK_FILE, json_string(file));
    json_object_set_new(o, MK_LAYER, json_string(etwhf__layer_name(k->layer)));
    json_object_set_new(o, MK_POINTER_SIZE, k->pointer_size ? json_integer(k->pointer_size) : json_string(MV_MIXED));
    json_object_set_new(o, MK_HEADERS, header_names(k->headers));
    json_object_set_new(o, MK_COMPRESSED, json_boolean(k->compressed));
    if (k->layer == ETWHF_GEN_PAYLOAD) {
        const char *event = etwhf_heap_event_name(k->event);
        json_object_set_new(o, MK_EVENT, json_string(event ? event : etwhf_heap_event_name(ETWHF_HEAP_FREE)));
    }
    json_t *fs = json_array();
    for (size_t i = 0; i < k->n_faults; i++)
        json_array_append_new(fs, json_string(etwhf_fault_info(k->faults[i])->name));
    json_object_set_new(o, MK_FAULTS, fs);
    json_object_set_new(o, MK_LOCATIONS, locations_json(k));
    json_object_set_new(o, MK_SHAPES, shape_names(k->shapes));
    if (etwhf_evidence_name(k->evidence)) /* a referee case's is unknown: no key (levels L1, L2 not judged) */
        json_object_set_new(o, MK_EVIDENCE, json_string(etwhf_evidence_name(k->evidence)));
    snprintf(seed_id, sizeof seed_id, "%llu/%llu", (unsigned long long)seed, (unsigned long long)id);
    json_object_set_new(o, MK_SEED, json_string(seed_id));
    json_object_set_new(o, MK_EXPECT, expect_json(k));
    return o;
}

static json_t *layer_names(unsigned mask)
{
    json_t *a = json_array();
    for (int l = 0; l <= ETWHF_GEN_FILE; l++)
        if (mask >> l & 1u)
            json_array_append_new(a, json_string(etwhf__layer_name(l)));
    return a;
}

static json_t *width_names(unsigned mask)
{
    static const unsigned widths[] = {4, 8, 0}; /* ETWHF_GEN_W4, _W8, _WMIXED */
    json_t *a = json_array();
    for (int i = 0; i < 3; i++)
        if (mask >> i & 1u)
            json_array_append_new(a, json_string(etwhf__width_name(widths[i])));
    return a;
}

static json_t *header_json(const struct etwhf_gen_options *g, uint64_t seed, uint64_t count, int exhaustive)
{
    /* What etwhf_gen_options_init's n_sources = 0 draws from (etwhf/gen.h). */
    static const uint32_t default_sources[] = {1, 2, 3, 4, 5, 6, 0, 7, 0x80000000u, 0xFFFFFFFFu};
    char seed_text[24];
    json_t *o = json_object(), *opt = json_object();
    json_object_set_new(o, MK_MANIFEST, json_integer(ETWHF_MANIFEST_VERSION));
    json_object_set_new(o, MK_GENERATOR_VERSION, json_string(ETWHF_GEN_VERSION));
    snprintf(seed_text, sizeof seed_text, "%llu", (unsigned long long)seed);
    json_object_set_new(opt, MK_SEED, json_string(seed_text));
    json_object_set_new(opt, MK_COUNT, json_integer((json_int_t)count));
    json_object_set_new(opt, MK_EXHAUSTIVE, json_boolean(exhaustive));
    json_object_set_new(opt, MK_LAYER, layer_names(g->layers ? g->layers : ETWHF_GEN_ALL_LAYERS));
    json_object_set_new(opt, MK_POINTER_SIZE, width_names(g->widths ? g->widths : ETWHF_GEN_ALL_WIDTHS));
    json_t *src = json_array();
    size_t nsrc = g->n_sources ? g->n_sources : sizeof default_sources / sizeof default_sources[0];
    for (size_t i = 0; i < nsrc; i++)
        json_array_append_new(src, json_integer(g->n_sources ? g->sources[i] : default_sources[i]));
    json_object_set_new(opt, MK_SOURCE, src);
    json_object_set_new(opt, MK_HEADER, header_names(g->headers ? g->headers : ETWHF_GEN_ALL_HEADERS));
    if (g->fault_mode == ETWHF_GEN_FAULTS_LIST) {
        json_t *fs = json_array();
        for (int f = 0; f < ETWHF_FAULT_COUNT; f++)
            if (g->fault_set >> f & 1u)
                json_array_append_new(fs, json_string(etwhf_fault_info(f)->name));
        json_object_set_new(opt, MK_FAULTS, fs);
    } else {
        json_object_set_new(opt, MK_FAULTS,
                            json_string(g->fault_mode == ETWHF_GEN_FAULTS_NONE ? MV_FAULTS_NONE : MV_FAULTS_ALL));
    }
    json_object_set_new(opt, MK_FAULT_RATE, json_integer(g->fault_rate));
    json_object_set_new(opt, MK_MAX_FAULTS, json_integer(g->max_faults));
    json_object_set_new(opt, MK_COMPRESSED_RATE, json_integer(g->compressed_rate));
    json_object_set_new(opt, MK_EVIDENCE, json_string(g->documented_only ? MV_EVIDENCE_DOCUMENTED : MV_EVIDENCE_ALL));
    json_object_set_new(o, MK_OPTIONS, opt);
    return o;
}

/* Hands one line to `write`; the object is consumed. */
static int put_line(json_t *o, etwhf_gen_write_fn write, void *user)
{
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    if (!s)
        return ETWHF_ENOMEM;
    size_t n = strlen(s);
    s[n] = '\n'; /* json_dumps leaves the NUL: room for the newline */
    int failed = write(user, s, n + 1);
    int saved = errno; /* the writer's reason, for its caller */
    free(s);
    errno = saved;
    return failed ? ETWHF_EIO : ETWHF_OK;
}

int etwhf_manifest_write_header(const struct etwhf_gen_options *opts, uint64_t seed, uint64_t count, int exhaustive,
                                etwhf_gen_write_fn write, void *user)
{
    if (!opts || !write)
        return ETWHF_EINVAL;
    return put_line(header_json(opts, seed, count, exhaustive), write, user);
}

/* A referee corpus: files etwhf did not generate, each expected to read as
 * etwhf's decoder reads it (etwhf_referee_case); no options drew them. */
int etwhf_manifest_write_referee_header(uint64_t count, etwhf_gen_write_fn write, void *user)
{
    if (!write)
        return ETWHF_EINVAL;
    json_t *o = json_object(), *opt = json_object(), *layers = json_array();
    json_object_set_new(o, MK_MANIFEST, json_integer(ETWHF_MANIFEST_VERSION));
    json_object_set_new(o, MK_GENERATOR_VERSION, json_string(etwhf__referee_version));
    json_object_set_new(opt, MK_COUNT, json_integer((json_int_t)count));
    json_array_append_new(layers, json_string(etwhf__layer_name(ETWHF_GEN_FILE)));
    json_object_set_new(opt, MK_LAYER, layers);
    json_object_set_new(o, MK_OPTIONS, opt);
    return put_line(o, write, user);
}

int etwhf_manifest_write_case(const struct etwhf_gen_case *k, uint64_t seed, uint64_t id, const char *file,
                              etwhf_gen_write_fn write, void *user)
{
    if (!k || !file || !write)
        return ETWHF_EINVAL;
    return put_line(case_json(k, seed, id, file), write, user);
}
