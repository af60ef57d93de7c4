/*
 * census_report.c — prints a census as indented text or as JSON, from one
 * description of its keys (emit_census), so the two never drift apart.
 *
 * JSON: {"files": [{"path": …, <census>}, …], "total": <census>}. Tallies
 * are objects from value (a string: decimal, "0x…" hex, or a name) to count.
 */
#include <stdio.h>
#include <stdlib.h>

#include "census.h"
#include "etwhf/xpress.h"

enum keyfmt { K_DEC, K_HEX, K_SIGNED, K_XPRESS };

struct census_report {
    enum census_format fmt;
    int depth;
    int first[8]; /* JSON: nothing written yet at this depth */
    int any_file;
};

static void indent(struct census_report *r)
{
    for (int i = 0; i < r->depth; i++)
        fputs("  ", stdout);
}

static void json_string(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

/* Starts a member: the key (JSON: with its comma) or an indented "key: ". */
static void key(struct census_report *r, const char *k)
{
    if (r->fmt == CENSUS_JSON) {
        if (!r->first[r->depth])
            putchar(',');
        r->first[r->depth] = 0;
        if (k) {
            json_string(k);
            putchar(':');
        }
        return;
    }
    indent(r);
    if (k)
        printf("%s: ", k);
}

static void open_obj(struct census_report *r, const char *k)
{
    if (r->fmt == CENSUS_JSON) {
        key(r, k);
        putchar('{');
    } else {
        indent(r);
        printf("%s:\n", k);
    }
    r->depth++;
    r->first[r->depth] = 1;
}

static void close_obj(struct census_report *r)
{
    r->depth--;
    if (r->fmt == CENSUS_JSON)
        putchar('}');
}

static void num(struct census_report *r, const char *k, uint64_t v)
{
    key(r, k);
    printf(r->fmt == CENSUS_JSON ? "%llu" : "%llu\n", (unsigned long long)v);
}

static void text(struct census_report *r, const char *k, const char *s)
{
    key(r, k);
    if (r->fmt == CENSUS_JSON)
        json_string(s);
    else
        printf("%s\n", s);
}

static void key_text(char *out, size_t cap, uint64_t v, enum keyfmt f)
{
    switch (f) {
    case K_HEX: snprintf(out, cap, "0x%llx", (unsigned long long)v); break;
    case K_SIGNED: snprintf(out, cap, "%lld", (long long)(int64_t)v); break;
    case K_XPRESS: snprintf(out, cap, "%s", etwhf_xpress_result_name((int)v)); break;
    default: snprintf(out, cap, "%llu", (unsigned long long)v); break;
    }
}

/* A tally: JSON {"value": count, …, "other": n}; text "value (count), …". */
static void tally(struct census_report *r, const char *k, const struct tally *t, enum keyfmt f)
{
    char kt[96];
    key(r, k);
    if (r->fmt == CENSUS_JSON)
        putchar('{');
    else if (t->n == 0 && t->other == 0)
        fputs("none", stdout);
    for (unsigned i = 0; i < t->n; i++) {
        key_text(kt, sizeof kt, t->key[i], f);
        if (r->fmt == CENSUS_JSON) {
            if (i)
                putchar(',');
            json_string(kt);
            printf(":%llu", (unsigned long long)t->count[i]);
        } else {
            printf("%s%s (%llu)", i ? ", " : "", kt, (unsigned long long)t->count[i]);
        }
    }
    if (t->other) {
        if (r->fmt == CENSUS_JSON)
            printf("%s\"other\":%llu", t->n ? "," : "", (unsigned long long)t->other);
        else
            printf("%sother values (%llu)", t->n ? ", " : "", (unsigned long long)t->other);
    }
    fputs(r->fmt == CENSUS_JSON ? "}" : "\n", stdout);
}

static void names(struct census_report *r, const char *k, const uint64_t *n)
{
    static const char *const cls[NAME_COUNT] = {"empty", "ascii", "non_ascii", "lone_surrogate", "unterminated"};
    open_obj(r, k);
    for (int i = 0; i < NAME_COUNT; i++)
        num(r, cls[i], n[i]);
    close_obj(r);
}

/* Counts per header form, forms with none left out (message included). */
static void per_form(struct census_report *r, const char *k, const uint64_t *counts)
{
    uint64_t any = 0;
    for (int h = 0; h < ETWHF_HDR_COUNT; h++)
        any |= counts[h];
    if (!any && r->fmt == CENSUS_TEXT) {
        text(r, k, "none");
        return;
    }
    open_obj(r, k);
    for (int h = 0; h < ETWHF_HDR_COUNT; h++)
        if (counts[h])
            num(r, etwhf_header_table[h].name, counts[h]);
    close_obj(r);
}

static uint64_t family_records(const struct census *cs, int family)
{
    uint64_t n = 0;
    for (int h = 0; h < ETWHF_HDR_COUNT; h++)
        if (etwhf_header_table[h].family == family)
            n += cs->form[h];
    return n;
}

static void emit_logfile(struct census_report *r, const struct census *cs)
{
    open_obj(r, "logfile");
    num(r, "found", cs->logfile_found);
    tally(r, "header_type", &cs->lf_header_type, K_DEC);
    tally(r, "buffer_size", &cs->lf_buffer_size, K_HEX);
    tally(r, "pointer_size", &cs->lf_pointer_size, K_DEC);
    num(r, "pointer_size_not_layout_width", cs->lf_pointer_vs_type);
    tally(r, "log_file_mode", &cs->lf_log_file_mode, K_HEX);
    tally(r, "version", &cs->lf_version, K_HEX);
    tally(r, "provider_version", &cs->lf_provider_version, K_DEC);
    tally(r, "buffers_written_minus_positions", &cs->lf_bw_minus_positions, K_SIGNED);
    num(r, "events_lost_files", cs->lf_events_lost_files);
    num(r, "events_lost", cs->lf_events_lost);
    num(r, "buffers_lost_files", cs->lf_buffers_lost_files);
    num(r, "buffers_lost", cs->lf_buffers_lost);
    tally(r, "bytes_after_names", &cs->lf_size_slack, K_DEC);
    names(r, "logger_name", cs->names[0]);
    names(r, "log_file_name", cs->names[1]);
    close_obj(r);
}

static void emit_buffers(struct census_report *r, const struct census *cs)
{
    open_obj(r, "buffers");
    num(r, "positions", cs->positions);
    num(r, "walked", cs->walked);
    num(r, "plain", cs->plain);
    num(r, "compressed", cs->compressed);
    num(r, "saved_offset_unusable", cs->saved_offset_bad);
    num(r, "walked_by_offset_field", cs->walked_by_offset);
    tally(r, "flags", &cs->buf_flags, K_HEX);
    tally(r, "type", &cs->buf_type, K_DEC);
    tally(r, "state", &cs->buf_state, K_HEX);
    num(r, "plain_offset_is_saved_offset", cs->offset_is_saved);
    tally(r, "buffer_size_uncompressed_files", &cs->buf_size, K_HEX);
    tally(r, "saved_offset_mod8", &cs->saved_mod8, K_DEC);
    close_obj(r);

    open_obj(r, "filler");
    num(r, "buffers_with_room", cs->filler_room);
    num(r, "all_ff", cs->filler_all_ff);
    num(r, "other", cs->filler_other);
    num(r, "bytes", cs->filler_bytes);
    num(r, "full_buffers", cs->full_buffers);
    close_obj(r);

    open_obj(r, "compressed");
    num(r, "files", cs->compressed_files);
    tally(r, "format", &cs->compression_format, K_DEC);
    num(r, "buffers", cs->compressed);
    num(r, "expanded", cs->comp_expanded);
    num(r, "failed", cs->comp_failed);
    tally(r, "fail_reasons", &cs->comp_fail, K_XPRESS);
    num(r, "stream_ends_at_saved_offset", cs->comp_ends_at_n);
    num(r, "stream_longer", cs->comp_longer);
    num(r, "stream_ends_with_end_marker", cs->comp_end_marker);
    tally(r, "trailing_input_bytes", &cs->comp_trailing, K_DEC);
    tally(r, "trailing_word", &cs->comp_trailing_word, K_HEX);
    num(r, "buffer_size_min", cs->compressed ? cs->comp_buf_size_min : 0);
    num(r, "buffer_size_max", cs->comp_buf_size_max);
    num(r, "buffer_size_multiple_of_8", cs->comp_buf_size_mult8);
    num(r, "lost_flags", cs->comp_lost_flags);
    close_obj(r);

    static const char *const ends[END_COUNT] = {"exact",     "filler",      "short_tail",
                                                "no_marker", "header_type", "record_size"};
    open_obj(r, "region_ends");
    for (int i = 0; i < END_COUNT; i++)
        num(r, ends[i], cs->ends[i]);
    close_obj(r);
}

static void emit_records(struct census_report *r, const struct census *cs)
{
    open_obj(r, "records");
    num(r, "total", cs->records);
    per_form(r, "forms", cs->form);
    open_obj(r, "byte3");
    for (int h = 0; h < ETWHF_HDR_COUNT; h++)
        if (cs->form[h])
            tally(r, etwhf_header_table[h].name, &cs->byte3[h], K_HEX);
    close_obj(r);
    tally(r, "byte3_all", &cs->byte3_all, K_HEX);
    num(r, "narrow_in_64bit_trace", cs->narrow_in_wide);
    num(r, "wide_in_32bit_trace", cs->wide_in_narrow);
    tally(r, "size_mod8", &cs->size_mod8, K_DEC);
    num(r, "size_min", cs->records ? cs->size_min : 0);
    num(r, "size_max", cs->size_max);
    num(r, "nonzero_pad", cs->nonzero_pad);
    tally(r, "unknown_header_types", &cs->unknown_header_type, K_HEX);
    close_obj(r);

    open_obj(r, "message");
    num(r, "records", cs->form[ETWHF_HDR_MESSAGE]);
    tally(r, "option_flags", &cs->msg_options, K_HEX);
    close_obj(r);

    open_obj(r, "perfinfo");
    num(r, "records", family_records(cs, ETWHF_FAM_PERFINFO));
    tally(r, "pmc_counters", &cs->perf_pmc, K_DEC);
    num(r, "pebs", cs->perf_pebs);
    num(r, "version_bits_11_14", cs->perf_other_bits);
    num(r, "extension_past_size", cs->perf_ext_past_size);
    tally(r, "version", &cs->perf_version, K_DEC);
    close_obj(r);

    open_obj(r, "event_header");
    num(r, "records", family_records(cs, ETWHF_FAM_EVENT));
    tally(r, "flags", &cs->evt_flags, K_HEX);
    num(r, "with_items", cs->evt_with_items);
    num(r, "items", cs->items);
    num(r, "item_size_multiple_of_8", cs->items_mult8);
    num(r, "item_size_is_align8_of_8_plus_data", cs->items_eq_align8);
    num(r, "item_size_is_8_plus_data", cs->items_eq_exact);
    num(r, "item_anomalies", cs->item_anomalies);
    tally(r, "item_size", &cs->item_size, K_DEC);
    tally(r, "item_type", &cs->item_type, K_DEC);
    tally(r, "items_per_record", &cs->items_per_record, K_DEC);
    close_obj(r);

    tally(r, "system_groups", &cs->sys_group, K_HEX);
    tally(r, "group_0x00_hooks", &cs->header_hooks, K_HEX);
    per_form(r, "stackwalk_0x1820", cs->stackwalk);
    open_obj(r, "heap");
    per_form(r, "group_0x10", cs->heap_group);
    per_form(r, "heap_guid", cs->heap_guid);
    tally(r, "types", &cs->heap_hook, K_HEX);
    close_obj(r);
}

static void emit_census(struct census_report *r, const struct census *cs, int notes)
{
    num(r, "files", cs->files);
    num(r, "bytes", cs->bytes);
    num(r, "unreadable", cs->unreadable);
    emit_logfile(r, cs);
    emit_buffers(r, cs);
    emit_records(r, cs);
    num(r, "notes", cs->notes);
    if (!notes)
        return;
    const uint64_t kept = cs->notes < NOTE_KEEP ? cs->notes : NOTE_KEEP;
    if (r->fmt == CENSUS_JSON) {
        key(r, "note_list");
        putchar('[');
        for (uint64_t i = 0; i < kept; i++) {
            if (i)
                putchar(',');
            json_string(cs->note[i]);
        }
        putchar(']');
    } else {
        for (uint64_t i = 0; i < kept; i++)
            text(r, "note", cs->note[i]);
    }
}

struct census_report *etwhf__report_open(enum census_format fmt)
{
    struct census_report *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->fmt = fmt;
    if (fmt == CENSUS_JSON) {
        fputs("{\"files\":[", stdout);
        r->depth = 1;
        r->first[1] = 1;
    }
    return r;
}

void etwhf__report_file(struct census_report *r, const char *path, const struct census *cs)
{
    if (r->fmt == CENSUS_JSON) {
        key(r, NULL);
        putchar('{');
        r->depth++;
        r->first[r->depth] = 1;
        text(r, "path", path);
        emit_census(r, cs, 1);
        close_obj(r);
        putchar('\n');
        return;
    }
    printf("== %s\n", path);
    r->depth = 1;
    emit_census(r, cs, 1);
    r->depth = 0;
    putchar('\n');
}

void etwhf__report_total(struct census_report *r, const struct census *cs)
{
    if (r->fmt == CENSUS_JSON) {
        fputs("],\"total\":{", stdout);
        r->depth = 1;
        r->first[1] = 1;
        emit_census(r, cs, 0);
        fputs("}}\n", stdout);
        return;
    }
    printf("== total\n");
    r->depth = 1;
    emit_census(r, cs, 0);
    r->depth = 0;
}

void etwhf__report_close(struct census_report *r)
{
    free(r);
}
