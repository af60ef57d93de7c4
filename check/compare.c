/* Judging a decoder's report against the manifest; see compare.h. */
#include "compare.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etwhf/format.h"

void etwhf__check_observed_reset(struct check_observed *o)
{
    struct etwhf_gen_event *keep = o->events;
    struct etwhf_gen_heap_expect *keep_heap = o->heap;
    struct check_where *keep_where = o->where;
    size_t cap = o->cap, heap_cap = o->heap_cap, where_cap = o->where_cap;
    memset(o, 0, sizeof *o);
    o->events = keep;
    o->cap = cap;
    o->heap = keep_heap;
    o->heap_cap = heap_cap;
    o->where = keep_where;
    o->where_cap = where_cap;
}

void etwhf__check_observed_free(struct check_observed *o)
{
    free(o->events);
    free(o->heap);
    free(o->where);
    memset(o, 0, sizeof *o);
}

/* Room for one more element of size sz in *arr (n used of *cap). */
static int room(struct check_observed *o, void **arr, size_t n, size_t *cap, size_t sz)
{
    if (n < *cap)
        return ETWHF_OK;
    size_t want = *cap ? *cap * 2 : 64;
    void *p = realloc(*arr, want * sz);
    if (!p) {
        o->oom = 1;
        return ETWHF_ENOMEM;
    }
    *arr = p;
    *cap = want;
    return ETWHF_OK;
}

int etwhf__check_observed_add_event(struct check_observed *o, const struct etwhf_gen_event *ev)
{
    int st = room(o, (void **)&o->events, o->nevents, &o->cap, sizeof *o->events);
    if (st == ETWHF_OK)
        o->events[o->nevents++] = *ev;
    return st;
}

int etwhf__check_observed_add_heap(struct check_observed *o, const struct etwhf_gen_heap_expect *ev)
{
    int st = room(o, (void **)&o->heap, o->nheap, &o->heap_cap, sizeof *o->heap);
    if (st == ETWHF_OK)
        o->heap[o->nheap++] = *ev;
    return st;
}

/* where[] follows heap[]: add it right after etwhf__check_observed_add_heap. */
int etwhf__check_observed_add_where(struct check_observed *o, const struct check_where *w)
{
    size_t n = o->nheap ? o->nheap - 1 : 0;
    int st = room(o, (void **)&o->where, n, &o->where_cap, sizeof *o->where);
    if (st == ETWHF_OK)
        o->where[n] = *w;
    return st;
}

void etwhf__check_observed_add_diag(struct check_observed *o, int is_error, int code, const char *name, int has_offset,
                                    uint64_t offset)
{
    int known = code > 0 && code <= ETWHF_DIAG_MAX;
    if (known)
        *(is_error ? &o->errors : &o->warnings) |= 1u << code;
    else if (!o->unknown_code[0])
        snprintf(o->unknown_code, sizeof o->unknown_code, "%s", name && *name ? name : "(no code)");
    if (!is_error)
        return;
    if (!o->error_diags++) {
        o->has_first = 1;
        o->first_code = known ? code : 0;
        o->offset_known = has_offset;
        o->first_offset = offset;
    }
}

const char *etwhf__check_mode_name(int mode)
{
    return mode == ETWHF_MODE_STRICT ? "strict" : "recover";
}

const char *etwhf__check_kind_name(int kind)
{
    static const char *const names[CHECK_K_COUNT] = {
        "events.count",
        "events.heap_handle",
        "events.address",
        "events.source",
        "events.pointer_size",
        "verdict",
        "errors",
        "warnings",
        "first_error",
        "strict_stop",
        "buffers",
        "buffers_skipped",
        "events_total",
        "heap_alloc",
        "heap_realloc",
        "heap_events.count",
        "heap_events.type",
        "heap_events.header",
        "heap_events.pointer_size",
        "heap_events.heap_handle",
        "heap_events.address",
        "heap_events.size",
        "heap_events.source",
        "output",
        "exit_status",
        "crash",
        "timeout",
        "io",
    };
    return kind >= 0 && kind < CHECK_K_COUNT ? names[kind] : "?";
}

void etwhf__check_diff_reset(struct check_diff *d)
{
    d->kinds = 0;
    d->modes = 0;
    d->level_fail = 0;
    d->n = 0;
    d->dropped = 0;
    d->at_header = CHECK_AT_NONE;
    d->at_mode = 0;
    d->at_set = 0;
    d->at_index = -1;
}

const char *etwhf__check_at_name(int at_header)
{
    const struct etwhf_header_info *hi = at_header >= 0 ? etwhf_header_info(at_header) : NULL;
    return hi                              ? hi->name
           : at_header == CHECK_AT_BARE    ? "(bare payload)"
           : at_header == CHECK_AT_UNKNOWN ? "(header not known)"
                                           : "(no differing event)";
}

/* Items are display text of a fixed size: longer text is cut, on purpose. */
static void copy_cut(char *dst, size_t cap, const char *src)
{
    size_t n = 0;
    for (; n + 1 < cap && src[n]; n++)
        dst[n] = src[n];
    dst[n] = '\0';
}

void etwhf__check_diff_add(struct check_diff *d, int kind, int mode, const char *field, const char *expected,
                           const char *got)
{
    d->kinds |= 1u << kind;
    d->modes |= (uint8_t)CHECK_MODE_BIT(mode);
    if (d->n == CHECK_DIFF_ITEMS) {
        d->dropped++;
        return;
    }
    struct check_item *it = &d->items[d->n++];
    it->kind = (uint8_t)kind;
    it->mode = (uint8_t)mode;
    copy_cut(it->field, sizeof it->field, field);
    copy_cut(it->expected, sizeof it->expected, expected);
    copy_cut(it->got, sizeof it->got, got);
    it->where[0] = '\0';
}

void etwhf__check_diff_merge(struct check_diff *d, const struct check_diff *src)
{
    for (unsigned i = 0; i < src->n; i++) {
        const struct check_item *it = &src->items[i];
        unsigned at = d->n;
        while (at > 0 && d->items[at - 1].mode > it->mode)
            at--;
        if (at == CHECK_DIFF_ITEMS) {
            d->dropped++;
            continue;
        }
        if (d->n == CHECK_DIFF_ITEMS) { /* the last item leaves */
            d->n--;
            d->dropped++;
        }
        memmove(&d->items[at + 1], &d->items[at], (d->n - at) * sizeof *d->items);
        d->items[at] = *it;
        d->n++;
    }
    d->kinds |= src->kinds;
    d->modes |= src->modes;
    d->level_fail |= src->level_fail;
    d->dropped += src->dropped;
    if (src->at_set && (!d->at_set || src->at_mode < d->at_mode)) {
        d->at_set = 1;
        d->at_mode = src->at_mode;
        d->at_header = src->at_header;
        d->at_index = src->at_index;
    }
}

/* Appends what fits of s to buf (len bytes, *n used); the list is display
 * text, cut when too long, and its closing "]" then left off. */
static void put(char *buf, size_t len, size_t *n, const char *s)
{
    size_t k = strlen(s);
    if (*n + 1 >= len)
        return;
    if (k > len - 1 - *n)
        k = len - 1 - *n;
    memcpy(buf + *n, s, k);
    *n += k;
    buf[*n] = '\0';
}

void etwhf__check_format_codes(char *buf, size_t len, uint32_t mask, const char *extra)
{
    size_t n = 0;
    const char *sep = "";
    buf[0] = '\0';
    put(buf, len, &n, "[");
    for (int code = 1; code <= ETWHF_DIAG_MAX; code++) {
        const struct etwhf_diag_info *info = etwhf_diag_info(code);
        if ((mask >> code & 1u) && info) {
            put(buf, len, &n, sep);
            put(buf, len, &n, info->name);
            sep = ", ";
        }
    }
    if (extra && *extra) {
        put(buf, len, &n, sep);
        put(buf, len, &n, extra);
    }
    put(buf, len, &n, "]");
}

static const char *code_name(int code)
{
    const struct etwhf_diag_info *info = etwhf_diag_info(code);
    return info ? info->name : "(unknown code)";
}

/* One item when a field of event i differs: "<list>[i].<name>", values in
 * hex (pointers, sizes) or decimal. */
static void field_diff(struct check_diff *d, int kind, int mode, const char *list, size_t i, const char *name, int hex,
                       uint64_t exp, uint64_t got)
{
    if (exp == got)
        return;
    char field[64], ev[40], gv[40]; /* field: "heap_events[" + 20 digits + "].pointer_size" */
    snprintf(field, sizeof field, "%s[%zu].%s", list, i, name);
    snprintf(ev, sizeof ev, hex ? "0x%" PRIx64 : "%" PRIu64, exp);
    snprintf(gv, sizeof gv, hex ? "0x%" PRIx64 : "%" PRIu64, got);
    etwhf__check_diff_add(d, kind, mode, field, ev, gv);
}

/* Index in a heap event list of its i-th event of `type` (events lists
 * HeapFree only); n when there is none. */
static size_t nth_of_type(const struct etwhf_gen_heap_expect *h, size_t n, int type, size_t i)
{
    for (size_t j = 0; j < n; j++)
        if (h[j].type == type && i-- == 0)
            return j;
    return n;
}

/* The first differing event is event i of the `heap` list (heap_events) or
 * of `events` (HeapFree only): its header form from the manifest (or, for
 * an event only the decoder printed, from the decoder when it says), and
 * where the decoder found it when known. Items [from, d->n) name it; the
 * diff's attribution (report "by header form") is set once, by the first. */
static void note_at(struct check_diff *d, unsigned from, int mode, const struct check_case *k,
                    const struct check_observed *o, int heap, size_t i)
{
    const struct etwhf_gen_expect *e = &k->expect;
    size_t he = heap                 ? i
                : k->has_heap_events ? nth_of_type(e->heap_events, e->n_heap_events, ETWHF_HEAP_FREE, i)
                                     : SIZE_MAX;
    size_t ho = heap ? i : nth_of_type(o->heap, o->nheap, ETWHF_HEAP_FREE, i);
    int at = CHECK_AT_UNKNOWN;
    if (k->info.layer == ETWHF_GEN_PAYLOAD)
        at = CHECK_AT_BARE;
    else if (he < e->n_heap_events)
        at = e->heap_events[he].header;
    else if (ho < o->nheap && o->header_known)
        at = o->heap[ho].header;
    else if (k->info.headers && !(k->info.headers & (k->info.headers - 1))) /* one form only */
        at = __builtin_ctz(k->info.headers);
    if (at == -1)
        at = CHECK_AT_BARE;
    /* heap_events, when compared, list every event: their index decides. */
    int decides = heap || !(k->has_heap_events && o->other_known);
    if (decides && !d->at_set) {
        d->at_set = 1;
        d->at_mode = (uint8_t)mode;
        d->at_header = (int8_t)at;
        d->at_index = (int32_t)(he != SIZE_MAX && he < e->n_heap_events ? he : i);
    }
    /* The item's field names the index unless it is a count. */
    char where[72];
    const char *form = at >= 0 ? etwhf__check_at_name(at) : at == CHECK_AT_BARE ? "bare payload" : "header not known";
    int n = from < d->n && strchr(d->items[from].field, '[')
                ? snprintf(where, sizeof where, "%s%s", form, at >= 0 ? " record" : "")
                : snprintf(where, sizeof where, "first unmatched %s[%zu]: %s%s", heap ? "heap_events" : "events", i,
                           form, at >= 0 ? " record" : "");
    const struct check_where *w = o->where && ho < o->nheap ? &o->where[ho] : NULL;
    if (w && w->has_buffer && n > 0 && (size_t)n < sizeof where)
        n += snprintf(where + n, sizeof where - (size_t)n, ", buffer %" PRIu64, w->buffer);
    if (w && n > 0 && (size_t)n < sizeof where)
        snprintf(where + n, sizeof where - (size_t)n,
                 w->has_inner ? ", offset %" PRIu64 " +%" PRIu64 : ", offset %" PRIu64, w->offset, w->inner_offset);
    for (unsigned j = from; j < d->n; j++)
        copy_cut(d->items[j].where, sizeof d->items[j].where, where);
}

/* Compares the first min(n_exp, n_got) events; reports the first index that
 * differs, one item per differing field. Returns 1 when one differed. */
static int compare_event_prefix(const struct check_case *k, const struct check_observed *o, size_t n, int mode,
                                struct check_diff *d)
{
    for (size_t i = 0; i < n; i++) {
        const struct etwhf_gen_event *e = &k->expect.events[i], *g = &o->events[i];
        if (e->heap_handle == g->heap_handle && e->address == g->address && e->source == g->source &&
            e->pointer_size == g->pointer_size)
            continue;
        unsigned from = d->n;
        field_diff(d, CHECK_K_HEAP_HANDLE, mode, "events", i, "heap_handle", 1, e->heap_handle, g->heap_handle);
        field_diff(d, CHECK_K_ADDRESS, mode, "events", i, "address", 1, e->address, g->address);
        field_diff(d, CHECK_K_SOURCE, mode, "events", i, "source", 0, e->source, g->source);
        field_diff(d, CHECK_K_POINTER_SIZE, mode, "events", i, "pointer_size", 0, e->pointer_size, g->pointer_size);
        note_at(d, from, mode, k, o, 0, i);
        return 1;
    }
    return 0;
}

static const char *header_name(int h)
{
    const struct etwhf_header_info *hi = h >= 0 ? etwhf_header_info(h) : NULL;
    return hi ? hi->name : "null";
}

static const char *type_name(int type)
{
    const char *name = etwhf_heap_type_name(type);
    return name ? name : "?";
}

/* The heap_events extension: the first index at which the sequences part,
 * one item per differing field (pointers as numbers). A type mismatch is
 * reported alone: the other fields then mean different things. */
static void compare_heap_prefix(const struct check_case *k, const struct check_observed *o, size_t n, int mode,
                                struct check_diff *d)
{
    const struct etwhf_gen_heap_expect *exp = k->expect.heap_events;
    for (size_t i = 0; i < n; i++) {
        unsigned from = d->n;
        const struct etwhf_gen_heap_expect *e = &exp[i], *g = &o->heap[i];
        int header_bad = o->header_known && e->header != g->header;
        if (e->type == g->type && !header_bad && e->pointer_size == g->pointer_size && e->source == g->source &&
            e->heap_handle == g->heap_handle && e->address == g->address && e->size == g->size &&
            e->new_address == g->new_address && e->old_address == g->old_address && e->new_size == g->new_size &&
            e->old_size == g->old_size)
            continue;
        char field[64];
        if (e->type != g->type) {
            snprintf(field, sizeof field, "heap_events[%zu].type", i);
            etwhf__check_diff_add(d, CHECK_K_HE_TYPE, mode, field, type_name(e->type), type_name(g->type));
            note_at(d, from, mode, k, o, 1, i);
            return;
        }
        if (header_bad) {
            snprintf(field, sizeof field, "heap_events[%zu].header", i);
            etwhf__check_diff_add(d, CHECK_K_HE_HEADER, mode, field, header_name(e->header), header_name(g->header));
        }
#define HE(kind, member, hex) field_diff(d, kind, mode, "heap_events", i, #member, hex, e->member, g->member)
        HE(CHECK_K_HE_POINTER_SIZE, pointer_size, 0);
        HE(CHECK_K_HE_HANDLE, heap_handle, 1);
        HE(CHECK_K_HE_ADDRESS, address, 1);
        HE(CHECK_K_HE_ADDRESS, new_address, 1);
        HE(CHECK_K_HE_ADDRESS, old_address, 1);
        HE(CHECK_K_HE_SIZE, size, 1);
        HE(CHECK_K_HE_SIZE, new_size, 1);
        HE(CHECK_K_HE_SIZE, old_size, 1);
        HE(CHECK_K_HE_SOURCE, source, 0);
#undef HE
        note_at(d, from, mode, k, o, 1, i);
        return;
    }
}

/* heap_events against every heap event the decoder reported: all of them in
 * order, or (strict mode, a case with an error) a prefix of them. */
static void compare_heap_events(const struct check_case *k, int prefix, const struct check_observed *o, int mode,
                                struct check_diff *d)
{
    const struct etwhf_gen_expect *e = &k->expect;
    if (!k->has_heap_events || !o->other_known)
        return;
    size_t n = e->n_heap_events < o->nheap ? e->n_heap_events : o->nheap;
    compare_heap_prefix(k, o, n, mode, d);
    if (prefix ? o->nheap <= e->n_heap_events : o->nheap == e->n_heap_events)
        return;
    char ev[48], gv[24];
    snprintf(ev, sizeof ev, "%s%zu", prefix ? "at most " : "", e->n_heap_events);
    snprintf(gv, sizeof gv, "%zu", o->nheap);
    unsigned from = d->n;
    etwhf__check_diff_add(d, CHECK_K_HE_COUNT, mode, "heap_events.count", ev, gv);
    note_at(d, from, mode, k, o, 1, n); /* the first event one side lacks */
}

static void compare_u64(struct check_diff *d, int kind, int mode, uint64_t exp, uint64_t got)
{
    if (exp == got)
        return;
    char ev[24], gv[24];
    snprintf(ev, sizeof ev, "%" PRIu64, exp);
    snprintf(gv, sizeof gv, "%" PRIu64, got);
    etwhf__check_diff_add(d, kind, mode, etwhf__check_kind_name(kind), ev, gv);
}

/* Codes reported must equal the expected set (subset: in strict mode a walk
 * that stopped early has met only some of them). */
static void compare_codes(struct check_diff *d, int kind, int mode, uint32_t exp, uint32_t got, const char *unknown,
                          int subset)
{
    int bad = subset ? (got & ~exp) != 0 : got != exp;
    if (!bad && !(unknown && *unknown))
        return;
    char ev[300], gv[300];
    etwhf__check_format_codes(ev, sizeof ev, exp, NULL);
    etwhf__check_format_codes(gv, sizeof gv, got, unknown);
    if (subset) {
        char sub[320];
        snprintf(sub, sizeof sub, "a subset of %s", ev);
        etwhf__check_diff_add(d, kind, mode, etwhf__check_kind_name(kind), sub, gv);
    } else {
        etwhf__check_diff_add(d, kind, mode, etwhf__check_kind_name(kind), ev, gv);
    }
}

static void compare_verdict(const struct etwhf_gen_expect *e, const struct check_observed *o, int mode,
                            struct check_diff *d)
{
    int got = o->error_diags > 0;
    if (got != (e->error != 0))
        etwhf__check_diff_add(d, CHECK_K_VERDICT, mode, "verdict", e->error ? "error" : "ok", got ? "error" : "ok");
}

/* Everything a recover-mode decode reports (and a strict one of an intact case). */
static void compare_full(const struct check_case *k, int mode, const struct check_observed *o, struct check_diff *d)
{
    const struct etwhf_gen_expect *e = &k->expect;
    size_t n = e->n_events < o->nevents ? e->n_events : o->nevents;
    compare_event_prefix(k, o, n, mode, d);
    unsigned from = d->n;
    compare_u64(d, CHECK_K_EVENTS_COUNT, mode, e->n_events, o->nevents);
    if (d->n > from)
        note_at(d, from, mode, k, o, 0, n); /* the first event one side lacks */
    compare_verdict(e, o, mode, d);
    if (o->codes_known) {
        compare_codes(d, CHECK_K_ERRORS, mode, e->errors, o->errors, o->unknown_code, 0);
        compare_codes(d, CHECK_K_WARNINGS, mode, e->warnings, o->warnings, NULL, 0);
    }
    if (k->has_counts && o->has_counts) {
        compare_u64(d, CHECK_K_BUFFERS, mode, e->buffers, o->buffers);
        compare_u64(d, CHECK_K_BUFFERS_SKIPPED, mode, e->buffers_skipped, o->buffers_skipped);
        compare_u64(d, CHECK_K_EVENTS_TOTAL, mode, e->events_total, o->events_total);
    }
    if (k->has_other_counts && o->other_known) {
        compare_u64(d, CHECK_K_HEAP_ALLOC, mode, e->heap_alloc, o->heap_alloc);
        compare_u64(d, CHECK_K_HEAP_REALLOC, mode, e->heap_realloc, o->heap_realloc);
    }
    compare_heap_events(k, 0, o, mode, d);
}

static void compare_first_error(const struct etwhf_gen_expect *e, const struct check_observed *o, struct check_diff *d)
{
    if (!o->has_first || !e->first_error_code)
        return;
    char ev[80], gv[80];
    int code_bad = o->codes_known && (o->first_code != e->first_error_code || o->unknown_code[0]);
    int off_bad = o->offset_known && o->first_offset != e->first_error_offset;
    if (!code_bad && !off_bad)
        return;
    snprintf(ev, sizeof ev, "%s at %" PRIu64, code_name(e->first_error_code), e->first_error_offset);
    if (o->offset_known)
        snprintf(gv, sizeof gv, "%s at %" PRIu64, o->first_code ? code_name(o->first_code) : o->unknown_code,
                 o->first_offset);
    else
        snprintf(gv, sizeof gv, "%s", o->first_code ? code_name(o->first_code) : o->unknown_code);
    etwhf__check_diff_add(d, CHECK_K_FIRST_ERROR, ETWHF_MODE_STRICT, "first_error", ev, gv);
}

/* A strict decode of a case with an error: it must stop at the first error,
 * which must be the expected one, after a prefix of the expected events. */
static void compare_strict_error(const struct check_case *k, const struct check_observed *o, struct check_diff *d)
{
    const struct etwhf_gen_expect *e = &k->expect;
    const int mode = ETWHF_MODE_STRICT;
    compare_verdict(e, o, mode, d);
    if (o->error_diags > 1) {
        char gv[48];
        snprintf(gv, sizeof gv, "%" PRIu64 " error diagnostics", o->error_diags);
        etwhf__check_diff_add(d, CHECK_K_STRICT_STOP, mode, "strict_stop", "stop after the first error", gv);
    }
    compare_first_error(e, o, d);
    size_t n = e->n_events < o->nevents ? e->n_events : o->nevents;
    compare_event_prefix(k, o, n, mode, d);
    if (o->nevents > e->n_events) {
        char ev[48], gv[24];
        snprintf(ev, sizeof ev, "at most %zu", e->n_events);
        snprintf(gv, sizeof gv, "%zu", o->nevents);
        unsigned from = d->n;
        etwhf__check_diff_add(d, CHECK_K_EVENTS_COUNT, mode, "events.count", ev, gv);
        note_at(d, from, mode, k, o, 0, n);
    }
    compare_heap_events(k, 1, o, mode, d);
    if (o->codes_known)
        compare_codes(d, CHECK_K_WARNINGS, mode, e->warnings, o->warnings, NULL, 1);
}

/* How many leading HeapFree events equal the expected ones. */
static size_t exact_prefix(const struct etwhf_gen_expect *e, const struct check_observed *o)
{
    size_t n = e->n_events < o->nevents ? e->n_events : o->nevents, i = 0;
    while (i < n && e->events[i].heap_handle == o->events[i].heap_handle &&
           e->events[i].address == o->events[i].address && e->events[i].source == o->events[i].source &&
           e->events[i].pointer_size == o->events[i].pointer_size)
        i++;
    return i;
}

unsigned etwhf__check_level_judge(const struct check_case *k, const struct check_observed *o)
{
    if (o->oom || o->lines_bad)
        return 0;
    const struct etwhf_gen_expect *e = &k->expect;
    int error = o->error_diags > 0;
    size_t exact = exact_prefix(e, o), prefix = e->has_prefix ? e->prefix_events : 0;
    int all_exact = exact == e->n_events && o->nevents == e->n_events;
    unsigned pass = 0;
    if (!error && all_exact)
        pass |= CHECK_LEVEL_BIT(ETWHF_CHECK_L1);
    if ((error || !e->error) && exact >= prefix)
        pass |= CHECK_LEVEL_BIT(ETWHF_CHECK_L2);
    if (error == (e->error != 0) && all_exact)
        pass |= CHECK_LEVEL_BIT(ETWHF_CHECK_L3);
    return pass;
}

void etwhf__check_compare(const struct check_case *k, int mode, const struct check_observed *o, struct check_diff *d)
{
    if (mode == ETWHF_MODE_RECOVER)
        d->level_fail |= (uint8_t)(CHECK_LEVELS_RECOVER & ~etwhf__check_level_judge(k, o));
    if (o->oom) {
        etwhf__check_diff_add(d, CHECK_K_OUTPUT, mode, "events", "stored", "out of memory in the checker");
        return;
    }
    if (mode == ETWHF_MODE_STRICT && k->expect.error)
        compare_strict_error(k, o, d);
    else
        compare_full(k, mode, o, d);
}
