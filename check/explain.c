/* A case's evidence for people; see explain.h. */
#include "explain.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "decode.h"
#include "etwhf/decode.h"
#include "levels.h"
#include "etwhf/format.h"
#include "manifest.h"
#include "output.h"
#include "repro_line.h"
#include "result.h"

/* The whole case file, malloc'd; NULL when it cannot be read. */
static unsigned char *read_case(const struct etwhf_check_result *r, const struct check_case *k, size_t *len)
{
    char path[PATH_MAX];
    if (etwhf__corpus_case_path(r->corpus, k, path, sizeof path) != ETWHF_OK)
        return NULL;
    FILE *f = fopen(path, "rb");
    unsigned char *data = NULL;
    size_t cap = 0, n = 0, got;
    while (f) {
        if (n == cap) {
            unsigned char *p = realloc(data, cap = cap ? cap * 2 : 1 << 16);
            if (!p)
                break;
            data = p;
        }
        if ((got = fread(data + n, 1, cap - n, f)) == 0) {
            int bad = ferror(f);
            fclose(f);
            if (bad)
                break;
            *len = n;
            return data ? data : malloc(1);
        }
        n += got;
    }
    if (f && !feof(f))
        fclose(f);
    free(data);
    return NULL;
}

int etwhf__check_reobserve(const struct etwhf_check_result *r, size_t idx, int mode, struct check_observed *o)
{
    const struct check_case *k = &r->corpus->cases[idx];
    if (r->external) {
        const struct check_shown *s = etwhf__check_tally_shown(&r->tally, idx);
        if (!s || !s->ev[mode].present)
            return ETWHF_EINVAL;
        struct check_diff d;
        etwhf__check_diff_reset(&d);
        etwhf__check_output_parse(s->ev[mode].out, s->ev[mode].out_len, mode, r->strict_codes, r->all_heap_events, o,
                                  &d);
        return ETWHF_OK;
    }
    size_t len = 0;
    char why[200];
    unsigned char *data = read_case(r, k, &len);
    int rc = data ? etwhf__check_decode_case(k, mode, data, len, o, why, sizeof why) : ETWHF_EIO;
    free(data);
    return rc;
}

/* ---- side by side --------------------------------------------------------- */

static const char *header_text(int h)
{
    const struct etwhf_header_info *hi = h >= 0 ? etwhf_header_info(h) : NULL;
    return hi ? hi->name : "-";
}

/* One heap event in columns that line up between an expected and a got row. */
static void put_heap(FILE *f, const struct etwhf_gen_heap_expect *h, int header_known)
{
    fprintf(f, "%-11s %-10s p%u heap 0x%-12" PRIx64,
            etwhf_heap_type_name(h->type) ? etwhf_heap_type_name(h->type) : "?",
            header_known ? header_text(h->header) : "-", h->pointer_size, h->heap_handle);
    if (h->type == ETWHF_HEAP_REALLOC)
        fprintf(f, " new 0x%" PRIx64 " old 0x%" PRIx64 " new_size 0x%" PRIx64 " old_size 0x%" PRIx64, h->new_address,
                h->old_address, h->new_size, h->old_size);
    else if (h->type == ETWHF_HEAP_ALLOC)
        fprintf(f, " address 0x%" PRIx64 " size 0x%" PRIx64, h->address, h->size);
    else
        fprintf(f, " address 0x%" PRIx64, h->address);
    fprintf(f, " source %" PRIu32, h->source);
}

static void put_free(FILE *f, const struct etwhf_gen_event *e)
{
    fprintf(f, "HeapFree    p%u heap 0x%-12" PRIx64 " address 0x%" PRIx64 " source %" PRIu32, e->pointer_size,
            e->heap_handle, e->address, e->source);
}

static int same_heap(const struct etwhf_gen_heap_expect *a, const struct etwhf_gen_heap_expect *b, int header_known)
{
    return a->type == b->type && (!header_known || a->header == b->header) && a->pointer_size == b->pointer_size &&
           a->source == b->source && a->heap_handle == b->heap_handle && a->address == b->address &&
           a->size == b->size && a->new_address == b->new_address && a->old_address == b->old_address &&
           a->new_size == b->new_size && a->old_size == b->old_size;
}

static int same_free(const struct etwhf_gen_event *a, const struct etwhf_gen_event *b)
{
    return a->heap_handle == b->heap_handle && a->address == b->address && a->source == b->source &&
           a->pointer_size == b->pointer_size;
}

static void put_summary(FILE *f, const char *label, int error, uint32_t errors, uint32_t warnings, int codes,
                        size_t nev, const char *what, int counts, uint64_t b, uint64_t bs, uint64_t et)
{
    char ec[300], wc[300];
    fprintf(f, "      %-17s %-9s verdict %s", "", label, error ? "error" : "ok");
    if (codes) {
        etwhf__check_format_codes(ec, sizeof ec, errors, NULL);
        etwhf__check_format_codes(wc, sizeof wc, warnings, NULL);
        fprintf(f, ", errors %s, warnings %s", ec, wc);
    }
    fprintf(f, ", %s: %zu", what, nev);
    if (counts)
        fprintf(f, ", buffers %" PRIu64 " (skipped %" PRIu64 "), events_total %" PRIu64, b, bs, et);
    fputc('\n', f);
}

void etwhf__check_side_by_side(FILE *f, const struct etwhf_check_result *r, size_t idx, int mode)
{
    const struct check_case *k = &r->corpus->cases[idx];
    const struct etwhf_gen_expect *e = &k->expect;
    struct check_observed o;
    memset(&o, 0, sizeof o);
    if (etwhf__check_reobserve(r, idx, mode, &o) != ETWHF_OK) {
        fprintf(f, "      (what the decoder printed in %s mode was not kept)\n", etwhf__check_mode_name(mode));
        etwhf__check_observed_free(&o);
        return;
    }
    int heap = k->has_heap_events && o.other_known;
    const char *list = heap ? "heap_events" : "events";
    size_t ne = heap ? e->n_heap_events : e->n_events, ng = heap ? o.nheap : o.nevents;
    /* Strict mode on a case with an error: the walk stops at the first
     * error, so expected events the decoder did not reach are allowed. */
    int prefix = mode == ETWHF_MODE_STRICT && e->error;
    size_t common = ne < ng ? ne : ng, first = 0;
    while (first < common && (heap ? same_heap(&e->heap_events[first], &o.heap[first], o.header_known)
                                   : same_free(&e->events[first], &o.events[first])))
        first++;
    if (prefix && first == ng && ng <= ne)
        first = ne; /* a prefix: nothing differs */
    fprintf(f, "      [%s] expected (manifest) and got (decoder), side by side:\n", etwhf__check_mode_name(mode));
    if (first < ne || first < ng) {
        size_t lo = first > 1 ? first - 1 : 0, most = ne > ng ? ne : ng, hi = first + 3 < most ? first + 3 : most;
        if (lo)
            fprintf(f, "      (%zu equal %s before)\n", lo, list);
        for (size_t i = lo; i < hi; i++) {
            char name[40];
            snprintf(name, sizeof name, "%s[%zu]", list, i);
            fprintf(f, "      %-17s %-9s ", name, "expected");
            if (i >= ne)
                fputs("(none)", f);
            else if (heap)
                put_heap(f, &e->heap_events[i], 1);
            else
                put_free(f, &e->events[i]);
            fprintf(f, "\n      %-17s %-9s ", "", "got");
            if (i >= ng)
                fputs("(none)", f);
            else if (heap)
                put_heap(f, &o.heap[i], o.header_known);
            else
                put_free(f, &o.events[i]);
            int differs = i >= ne || (i >= ng && !prefix) ||
                          (i < ng && !(heap ? same_heap(&e->heap_events[i], &o.heap[i], o.header_known)
                                            : same_free(&e->events[i], &o.events[i])));
            fputs(differs ? "   <- differs\n" : i >= ng ? "   (not reached: the walk stopped)\n" : "\n", f);
        }
        if (hi < most)
            fprintf(f, "      (%zu more %s after)\n", most - hi, list);
    }
    int codes = o.codes_known, counts = k->has_counts && o.has_counts;
    put_summary(f, "expected", e->error != 0, e->errors, e->warnings, codes, ne, list, counts, e->buffers,
                e->buffers_skipped, e->events_total);
    put_summary(f, "got", o.error_diags > 0, o.errors, o.warnings, codes, ng, list, counts, o.buffers,
                o.buffers_skipped, o.events_total);
    etwhf__check_observed_free(&o);
}

void etwhf__check_put_stderr(FILE *f, const char *indent, const char *err, int cut, size_t max_lines)
{
    if (!err || !*err)
        return;
    size_t len = strlen(err), lines = 0, start = len;
    while (len && err[len - 1] == '\n')
        len--;
    start = len;
    while (start > 0) {
        if (err[start - 1] == '\n' && ++lines == max_lines)
            break;
        start--;
    }
    if (cut || start > 0)
        fprintf(f, "%s…\n", indent);
    for (const char *p = err + start, *end = err + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        fprintf(f, "%s%.*s\n", indent, (int)(stop - p), p);
        p = stop + 1;
    }
}

const char *etwhf__check_output_line(const char *out, size_t out_len, size_t n, size_t *len)
{
    const char *p = out, *end = out + out_len;
    for (size_t line = 1; p && p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        if (line == n) {
            *len = (size_t)(stop - p);
            return p;
        }
        p = nl ? nl + 1 : NULL;
    }
    return NULL;
}

/* ---- --explain ------------------------------------------------------------ */

/* What etwhf's decoder finds in the case: events and diagnostics in stream order. */
struct entry {
    int is_diag;
    struct etwhf_event ev;
    struct etwhf_diag dg;
};
struct listing {
    struct entry *e;
    size_t n, cap;
    size_t nevents; /* heap events so far: an entry's event index */
};

static int add_entry(struct listing *l, const struct entry *x)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        struct entry *p = realloc(l->e, cap * sizeof *p);
        if (!p)
            return 1; /* stops the decode: the listing is for people */
        l->e = p;
        l->cap = cap;
    }
    l->e[l->n++] = *x;
    return 0;
}

static int on_event(void *user, const struct etwhf_event *ev)
{
    struct entry x = {.is_diag = 0, .ev = *ev};
    return add_entry(user, &x);
}

static int on_diag(void *user, const struct etwhf_diag *d)
{
    struct entry x = {.is_diag = 1, .dg = *d};
    return add_entry(user, &x);
}

static void put_where(FILE *f, uint64_t buffer, uint64_t offset, int has_inner, uint64_t inner)
{
    if (buffer != ETWHF_NO_BUFFER)
        fprintf(f, "buffer %" PRIu64 ", ", buffer);
    fprintf(f, "offset %" PRIu64, offset);
    if (has_inner)
        fprintf(f, " (inner %" PRIu64 ")", inner);
}

static void put_entry(FILE *f, const struct entry *x, size_t evno)
{
    if (x->is_diag) {
        const struct etwhf_diag_info *di = etwhf_diag_info(x->dg.code);
        fprintf(f, "    diag   %-7s %-22s ", etwhf_severity_name(x->dg.severity), di ? di->name : "?");
        put_where(f, x->dg.buffer, x->dg.offset, x->dg.has_inner, x->dg.inner_offset);
        fprintf(f, ": %s\n", x->dg.message);
        return;
    }
    const struct etwhf_event *ev = &x->ev;
    fprintf(f, "    event  #%-6zu %-11s %-10s ", evno, etwhf_heap_type_name(ev->type),
            ev->header == ETWHF_EVENT_NO_HEADER ? "(bare)" : header_text(ev->header));
    put_where(f, ev->buffer, ev->offset, ev->has_inner, ev->inner_offset);
    fputc('\n', f);
}

/* The records and diagnostics of the case as etwhf decodes it (recover
 * mode): every diagnostic, and the events around the first differing one
 * (or the first few), with header form, buffer and offsets. */
static void put_records(FILE *f, const struct etwhf_check_result *r, size_t idx)
{
    const struct check_case *k = &r->corpus->cases[idx];
    size_t len = 0;
    unsigned char *data = read_case(r, k, &len);
    if (!data) {
        fputs("  (the case file cannot be read)\n", f);
        return;
    }
    static const int inputs[] = {ETWHF_INPUT_PAYLOAD, ETWHF_INPUT_RECORD, ETWHF_INPUT_FILE};
    struct listing l = {0};
    struct etwhf_decode_options opts;
    etwhf_decode_options_init(&opts);
    opts.input = inputs[k->info.layer];
    if (k->info.layer == ETWHF_GEN_PAYLOAD) {
        opts.pointer_size = k->info.pointer_size;
        opts.payload_type = k->info.event;
    }
    opts.on_event = on_event;
    opts.on_diag = on_diag;
    opts.user = &l;
    int st;
    struct etwhf_decoder *ctx = etwhf_decoder_new(&opts, &st);
    if (ctx)
        etwhf_decode_memory(ctx, data, len);
    etwhf_decoder_free(ctx);
    free(data);
    long focus = -1;
    const struct check_shown *s = etwhf__check_tally_shown(&r->tally, idx);
    if (s && s->diff.at_set && s->diff.at_index >= 0)
        focus = s->diff.at_index;
    fprintf(f, "\nrecords (etwhf's decoder, recover mode; every diagnostic, the events %s):\n",
            focus >= 0 ? "around the first differing one" : "at the start");
    size_t evno = 0, shown = 0, skipped = 0;
    long lo = focus >= 0 ? focus - 3 : 0, hi = focus >= 0 ? focus + 3 : 5;
    for (size_t i = 0; i < l.n; i++) {
        int keep = l.e[i].is_diag ? shown < 200 : (long)evno >= lo && (long)evno <= hi;
        if (keep) {
            if (skipped)
                fprintf(f, "    … %zu event(s)\n", skipped);
            skipped = 0;
            put_entry(f, &l.e[i], evno);
            shown++;
        } else if (!l.e[i].is_diag) {
            skipped++;
        }
        evno += !l.e[i].is_diag;
    }
    if (skipped)
        fprintf(f, "    … %zu event(s)\n", skipped);
    if (!l.n)
        fputs("    (no event, no diagnostic)\n", f);
    free(l.e);
}

static void put_expectation(FILE *f, const struct etwhf_corpus *c, const struct check_case *k)
{
    const struct etwhf_gen_expect *e = &k->expect;
    char ec[300], wc[300];
    etwhf__check_format_codes(ec, sizeof ec, e->errors, NULL);
    etwhf__check_format_codes(wc, sizeof wc, e->warnings, NULL);
    fprintf(f, "\nexpectation (manifest line %zu):\n  verdict %s", k->info.line, e->error ? "error" : "ok");
    if (e->first_error_code)
        fprintf(f, "; first error %s at offset %" PRIu64, etwhf_diag_info(e->first_error_code)->name,
                e->first_error_offset);
    fprintf(f, "\n  errors %s, warnings %s\n  %zu HeapFree event(s)", ec, wc, e->n_events);
    if (k->has_heap_events)
        fprintf(f, ", %zu heap event(s) of every type", e->n_heap_events);
    if (k->has_other_counts)
        fprintf(f, " (HeapAlloc %" PRIu64 ", HeapReAlloc %" PRIu64 ")", e->heap_alloc, e->heap_realloc);
    if (k->has_counts)
        fprintf(f, "; buffers %" PRIu64 " (skipped %" PRIu64 "), events_total %" PRIu64, e->buffers, e->buffers_skipped,
                e->events_total);
    fputc('\n', f);
    if (e->has_prefix)
        fprintf(f, "  intact prefix (L2): %zu HeapFree event(s), %zu heap event(s) before the first fault's damage\n",
                e->prefix_events, e->prefix_heap_events);
    for (size_t i = 0; k->has_heap_events && i < e->n_heap_events && i < 20; i++) {
        fprintf(f, "    heap_events[%zu] ", i);
        put_heap(f, &e->heap_events[i], 1);
        fputc('\n', f);
    }
    if (k->has_heap_events && e->n_heap_events > 20)
        fprintf(f, "    … %zu more\n", e->n_heap_events - 20);
    fputs("\nfault locations (manifest):\n", f);
    if (!k->fault_count)
        fputs("  none: an intact case\n", f);
    else if (!k->loc_count)
        fputs("  not in this manifest (a generator before version 5)\n", f);
    for (size_t i = 0; i < k->loc_count; i++) {
        const struct check_location *l = &c->locations[k->loc_start + i];
        fprintf(f, "  %-28s ", c->fault_names[l->fault]);
        put_where(f, l->has_buffer ? l->buffer : ETWHF_NO_BUFFER, l->offset, l->has_inner, l->inner_offset);
        fputc('\n', f);
    }
}

/* The shapes of mask whose evidence is `evidence` (-1: all), comma-separated. */
static void put_shapes(FILE *f, uint64_t mask, int evidence)
{
    const char *sep = "";
    for (int i = 0; i < ETWHF_SHAPE_COUNT; i++) {
        const struct etwhf_gen_shape_info *si = etwhf_gen_shape_info(i);
        if ((mask >> i & 1u) && si && (evidence < 0 || si->evidence == evidence)) {
            fprintf(f, "%s%s", sep, si->name);
            sep = ", ";
        }
    }
}

/* What the case rests on, and its verdict at each level. */
static void put_levels(FILE *f, const struct etwhf_check_result *r, size_t idx)
{
    const struct check_case *k = &r->corpus->cases[idx];
    fputs("  shapes: ", f);
    if (k->shapes)
        put_shapes(f, k->shapes, -1);
    else
        fputs(k->has_evidence ? "(none this etwhf knows)" : "(not in this manifest)", f);
    if (k->has_evidence)
        fprintf(f, "; evidence: %s", etwhf_evidence_name(k->evidence));
    fputs("\n\nlevels (docs/spec/conformance.md):\n", f);
    unsigned member, agree;
    etwhf__check_case_levels(r, idx, &member, &agree);
    int skipped = r->tally.outcome[idx] == ETWHF_CHECK_SKIPPED;
    for (int l = ETWHF_CHECK_L0; l < ETWHF_CHECK_LEVELS; l++) {
        fprintf(f, "  %s %-8s ", etwhf__check_level_id(l), etwhf_check_level_name(l));
        if (!(r->levels_judged >> l & 1u))
            fprintf(f, "not judged: %s\n", r->level_reason[l]);
        else if (skipped)
            fputs("not judged: the case was skipped\n", f);
        else if (member >> l & 1u)
            fputs(agree >> l & 1u ? "agrees\n" : "fails\n", f);
        else if (k->evidence == ETWHF_EVIDENCE_CHOSEN) {
            fputs("not in its set: the case holds shapes etwhf chose (", f);
            put_shapes(f, k->shapes, ETWHF_EVIDENCE_CHOSEN);
            fputs(")\n", f);
        } else
            fputs(k->fault_count ? "not in its set: the case has faults\n" : "not in its set: the case has no fault\n",
                  f);
    }
}

static void put_run(FILE *f, const struct etwhf_check_result *r, size_t idx, int mode)
{
    const struct check_case *k = &r->corpus->cases[idx];
    const struct check_shown *s = etwhf__check_tally_shown(&r->tally, idx);
    char *cmd = etwhf__check_repro(r, k, mode);
    fprintf(f, "\n[%s] rerun: %s\n", etwhf__check_mode_name(mode), cmd ? cmd : "(cannot be built)");
    free(cmd);
    for (unsigned j = 0; s && j < s->diff.n; j++) {
        const struct check_item *it = &s->diff.items[j];
        if (it->mode == mode)
            fprintf(f, "  %s: expected %s, got %s%s%s%s\n", it->field, it->expected, it->got, it->where[0] ? " (" : "",
                    it->where, it->where[0] ? ")" : "");
    }
    etwhf__check_side_by_side(f, r, idx, mode);
    const struct check_evidence *ev = s ? &s->ev[mode] : NULL;
    if (!r->external) {
        fputs("  (in-process: the decoder's output is the records below; no stderr)\n", f);
        return;
    }
    if (!ev || !ev->present) {
        fputs("  (nothing kept of this run)\n", f);
        return;
    }
    if (WIFEXITED(ev->status))
        fprintf(f, "  exit status %d\n", WEXITSTATUS(ev->status));
    else if (WIFSIGNALED(ev->status))
        fprintf(f, "  killed by signal %d\n", WTERMSIG(ev->status));
    fprintf(f, "  standard output (%zu bytes%s):\n", ev->out_len, ev->out_cut ? ", the first kept" : "");
    size_t n, line = 1;
    const char *p;
    while ((p = etwhf__check_output_line(ev->out, ev->out_len, line, &n)) && line <= 200) {
        fprintf(f, "    %4zu  %.*s\n", line, (int)n, p);
        line++;
    }
    if (p)
        fputs("    …\n", f);
    if (ev->err && *ev->err) {
        fputs("  standard error (the end):\n", f);
        etwhf__check_put_stderr(f, "    ", ev->err, ev->err_cut, 40);
    } else {
        fputs("  standard error: empty\n", f);
    }
}

int etwhf_check_report_explain(FILE *f, const struct etwhf_check_result *r, uint64_t id)
{
    if (!f || !r)
        return ETWHF_EINVAL;
    const struct etwhf_corpus *c = r->corpus;
    size_t idx = SIZE_MAX;
    for (size_t s = 0; s < r->nselected; s++)
        if (c->cases[r->selected[s]].info.id == id)
            idx = r->selected[s];
    if (idx == SIZE_MAX)
        return ETWHF_EINVAL;
    const struct check_case *k = &c->cases[idx];
    int outcome = r->tally.outcome[idx];
    fprintf(f, "case %llu: %s/%s\n  layer %s, pointer size %s", (unsigned long long)k->info.id, c->dir, k->info.file,
            etwhf__layer_name(k->info.layer), etwhf__width_name(k->info.pointer_size));
    if (k->info.layer == ETWHF_GEN_PAYLOAD)
        fprintf(f, ", event %s", etwhf_heap_event_name(k->info.event));
    fprintf(f, ", %scompressed, header forms:", k->compressed ? "" : "not ");
    for (int h = 0; h < ETWHF_HDR_FORMS; h++)
        if (k->info.headers >> h & 1u)
            fprintf(f, " %s", etwhf_header_info(h)->name);
    fputs("\n  faults:", f);
    for (size_t i = 0; i < k->fault_count; i++)
        fprintf(f, " %s", etwhf__corpus_fault(c, k, i));
    fprintf(f, "%s\n  outcome: %s", k->fault_count ? "" : " none", etwhf_check_outcome_name(outcome));
    if (r->tally.at_mode[idx] != 0xFF)
        fprintf(f, "; first differing event: %s", etwhf__check_at_name(r->tally.at_header[idx]));
    fprintf(f, "\n  decoder: %s\n", r->decoder);
    put_levels(f, r, idx);
    put_expectation(f, c, k);
    for (int mode = ETWHF_MODE_RECOVER; mode <= ETWHF_MODE_STRICT; mode++)
        if (r->modes & CHECK_MODE_BIT(mode))
            put_run(f, r, idx, mode);
    put_records(f, r, idx);
    return ferror(f) ? ETWHF_EIO : ETWHF_OK;
}
